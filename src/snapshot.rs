//! A cache of decoded people records shared by every read of a catalogue, valid for exactly
//! one committed state.
//!
//! A page of 20 assets names about 20 distinct people; reading each person's record is a
//! B-tree lookup and a decode. People change only in write transactions, and a catalogue has
//! one writer at a time (redb serialises them), so the cache is keyed by a *write sequence*
//! number kept like a seqlock:
//!
//! * a writer makes the number odd just before it commits and even again after the commit
//!   (whether it succeeded or not);
//! * a reader loads the number, opens its read transaction, and loads the number again. If
//!   both loads agree and are even, no commit began or ended in between, so the snapshot the
//!   reader holds is the committed state of that number, and cached records tagged with it
//!   are exactly what the snapshot would return. Otherwise the reader bypasses the cache.
//!
//! A redb file is opened by one process at a time (redb locks it), so an in-process number
//! sees every writer.

use std::ops::Deref;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use redb::{ReadOnlyTable, ReadTransaction, TableDefinition};

use crate::error::Result;
use crate::model::Person;
use crate::storage::places;
use crate::storage::tables;

/// A cached person: the public value, and its JSON as it appears in an asset's `people`
/// (rendered once per committed state; a page written as JSON copies it).
#[derive(Debug, PartialEq)]
pub(crate) struct CachedPerson {
    pub person: Person,
    pub json: Box<str>,
}

/// Entries kept at most; past it new people are read but not cached.
const MAX_PEOPLE: usize = 100_000;

/// The write sequence, the shared people cache and the kept read snapshot of one
/// [`crate::Catalog`].
#[derive(Debug, Default)]
pub(crate) struct SharedCache {
    seq: AtomicU64,
    people: Mutex<Tagged>,
    snapshot: Mutex<Option<Arc<Snapshot>>>,
}

/// A read transaction of one committed state, with the tables the point reads use opened
/// once. The catalogue keeps the snapshot of its latest committed state between reads
/// ([`SharedCache::kept_snapshot`]), so a read of an unchanged catalogue neither begins a
/// transaction nor opens its tables again (each open is a lookup in redb's table tree, about
/// a quarter of a `get_asset_json`). The kept snapshot is dropped right after every commit and
/// before anything that needs the file to itself (compacting, redb's check, a reopen, closing):
/// it never holds pages of a state older than the latest, so it keeps no freed page from reuse.
/// Dereferences to its [`ReadTransaction`] for every other table.
pub(crate) struct Snapshot {
    /// The write sequence of the committed state (None: not known, never kept).
    seq: Option<u64>,
    txn: ReadTransaction,
    places: OnceLock<ReadOnlyTable<&'static str, &'static places::Bytes>>,
    assets: OnceLock<ReadOnlyTable<u64, &'static [u8]>>,
    people: OnceLock<ReadOnlyTable<u32, &'static [u8]>>,
    list_index: OnceLock<ReadOnlyTable<&'static [u8], &'static [u8]>>,
    library_ids: OnceLock<ReadOnlyTable<&'static str, u32>>,
    libraries: OnceLock<ReadOnlyTable<u32, &'static [u8]>>,
    album_ids: OnceLock<ReadOnlyTable<&'static str, u32>>,
    albums: OnceLock<ReadOnlyTable<u32, &'static [u8]>>,
    person_ids: OnceLock<ReadOnlyTable<&'static str, u32>>,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot").field("seq", &self.seq).finish()
    }
}

impl Deref for Snapshot {
    type Target = ReadTransaction;
    fn deref(&self) -> &ReadTransaction {
        &self.txn
    }
}

/// The table of `cell`, opened in `txn` on first use. Two threads opening it at once both
/// open it; one of the two handles is kept.
fn opened<'s, K: redb::Key + 'static, V: redb::Value + 'static>(
    txn: &ReadTransaction,
    cell: &'s OnceLock<ReadOnlyTable<K, V>>,
    def: TableDefinition<K, V>,
) -> Result<&'s ReadOnlyTable<K, V>> {
    if let Some(t) = cell.get() {
        return Ok(t);
    }
    let t = txn.open_table(def)?;
    Ok(cell.get_or_init(|| t))
}

impl Snapshot {
    /// A snapshot of `txn`, the committed state of write sequence `seq` when known.
    fn new(txn: ReadTransaction, seq: Option<u64>) -> Self {
        Snapshot {
            seq,
            txn,
            places: OnceLock::new(),
            assets: OnceLock::new(),
            people: OnceLock::new(),
            list_index: OnceLock::new(),
            library_ids: OnceLock::new(),
            libraries: OnceLock::new(),
            album_ids: OnceLock::new(),
            albums: OnceLock::new(),
            person_ids: OnceLock::new(),
        }
    }

    /// A snapshot of a transaction of the caller's own (an iterator's, a count's), never kept
    /// by the catalogue: its tables are opened once for its own reads.
    pub(crate) fn of(txn: ReadTransaction) -> Self {
        Snapshot::new(txn, None)
    }

    /// `list_index`, opened once per snapshot.
    pub(crate) fn list_index(&self) -> Result<&ReadOnlyTable<&'static [u8], &'static [u8]>> {
        opened(&self.txn, &self.list_index, tables::LIST_INDEX)
    }

    /// `library_ids`, opened once per snapshot.
    pub(crate) fn library_ids(&self) -> Result<&ReadOnlyTable<&'static str, u32>> {
        opened(&self.txn, &self.library_ids, tables::LIBRARY_IDS)
    }

    /// `libraries`, opened once per snapshot.
    pub(crate) fn libraries(&self) -> Result<&ReadOnlyTable<u32, &'static [u8]>> {
        opened(&self.txn, &self.libraries, tables::LIBRARIES)
    }

    /// `album_ids`, opened once per snapshot.
    pub(crate) fn album_ids(&self) -> Result<&ReadOnlyTable<&'static str, u32>> {
        opened(&self.txn, &self.album_ids, tables::ALBUM_IDS)
    }

    /// `albums`, opened once per snapshot.
    pub(crate) fn albums(&self) -> Result<&ReadOnlyTable<u32, &'static [u8]>> {
        opened(&self.txn, &self.albums, tables::ALBUMS)
    }

    /// `person_ids`, opened once per snapshot.
    pub(crate) fn person_ids(&self) -> Result<&ReadOnlyTable<&'static str, u32>> {
        opened(&self.txn, &self.person_ids, tables::PERSON_IDS)
    }

    /// `asset_places`, opened once per snapshot.
    pub(crate) fn places(&self) -> Result<&ReadOnlyTable<&'static str, &'static places::Bytes>> {
        opened(&self.txn, &self.places, tables::ASSET_PLACES)
    }

    /// `assets`, opened once per snapshot.
    pub(crate) fn assets(&self) -> Result<&ReadOnlyTable<u64, &'static [u8]>> {
        opened(&self.txn, &self.assets, tables::ASSETS)
    }

    /// `people`, opened once per snapshot.
    pub(crate) fn people(&self) -> Result<&ReadOnlyTable<u32, &'static [u8]>> {
        opened(&self.txn, &self.people, tables::PEOPLE)
    }
}

#[derive(Debug, Default)]
struct Tagged {
    seq: u64,
    map: foldhash::HashMap<u32, Arc<CachedPerson>>,
}

/// What a read may use: the committed state its snapshot belongs to, if known.
#[derive(Debug, Clone, Copy)]
pub(crate) struct View<'c> {
    cache: &'c SharedCache,
    seq: u64,
}

impl SharedCache {
    /// Opens a read transaction with `begin`, returning the cache view valid for it (None when
    /// a commit may have happened while it was opened).
    pub(crate) fn read<T, E>(
        &self,
        begin: impl FnOnce() -> std::result::Result<T, E>,
    ) -> std::result::Result<(T, Option<View<'_>>), E> {
        let before = self.seq.load(Ordering::SeqCst);
        let txn = begin()?;
        let after = self.seq.load(Ordering::SeqCst);
        let view = (before == after && before.is_multiple_of(2)).then_some(View {
            cache: self,
            seq: before,
        });
        Ok((txn, view))
    }

    /// Runs `commit` with the sequence odd, leaving it even again afterwards; the kept
    /// snapshot (of the state before) is dropped.
    pub(crate) fn committing<T>(&self, commit: impl FnOnce() -> T) -> T {
        self.seq.fetch_add(1, Ordering::SeqCst);
        let out = commit();
        self.seq.fetch_add(1, Ordering::SeqCst);
        self.drop_snapshot();
        out
    }

    /// A snapshot of the latest committed state and its cache view: the kept one when no
    /// commit has happened since it was kept, else a new read transaction from `begin`, kept
    /// in turn when its committed state is known (see [`SharedCache::read`]).
    pub(crate) fn snapshot(
        &self,
        begin: impl FnOnce() -> Result<ReadTransaction>,
    ) -> Result<(Arc<Snapshot>, Option<View<'_>>)> {
        if let Some((snap, view)) = self.kept_snapshot() {
            return Ok((snap, Some(view)));
        }
        let (txn, view) = self.read(begin)?;
        let snap = Arc::new(Snapshot::new(txn, view.map(|v| v.seq)));
        if view.is_some() {
            self.keep_snapshot(&snap);
        }
        Ok((snap, view))
    }

    /// The kept snapshot, when it is of the latest committed state, with its cache view. A
    /// commit that begins right after this check is as one that begins after a read
    /// transaction was opened: the read sees the state before it.
    fn kept_snapshot(&self) -> Option<(Arc<Snapshot>, View<'_>)> {
        let seq = self.seq.load(Ordering::SeqCst);
        if !seq.is_multiple_of(2) {
            return None;
        }
        let kept = self.snapshot.lock().ok()?;
        let snap = kept.as_ref().filter(|s| s.seq == Some(seq))?;
        Some((Arc::clone(snap), View { cache: self, seq }))
    }

    /// Keeps `snap` for the next reads when it is of the latest committed state (a snapshot
    /// whose state a commit has replaced meanwhile is not kept).
    fn keep_snapshot(&self, snap: &Arc<Snapshot>) {
        if let Ok(mut kept) = self.snapshot.lock() {
            if snap.seq == Some(self.seq.load(Ordering::SeqCst)) {
                let old = kept.replace(Arc::clone(snap));
                drop(kept);
                drop(old);
            }
        }
    }

    /// Drops the kept snapshot (its read transaction ends once no read still uses it).
    pub(crate) fn drop_snapshot(&self) {
        let old = match self.snapshot.lock() {
            Ok(mut kept) => kept.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        drop(old);
    }
}

impl View<'_> {
    /// The cached person of this committed state.
    pub(crate) fn person(&self, key: u32) -> Option<Arc<CachedPerson>> {
        let tagged = self.cache.people.lock().ok()?;
        if tagged.seq != self.seq {
            return None;
        }
        tagged.map.get(&key).cloned()
    }

    /// Remembers a person read in this committed state. A newer state's cache is never
    /// replaced by an older one.
    pub(crate) fn remember(&self, key: u32, person: &Arc<CachedPerson>) {
        let Ok(mut tagged) = self.cache.people.lock() else {
            return;
        };
        if tagged.seq < self.seq {
            tagged.seq = self.seq;
            tagged.map.clear();
        }
        if tagged.seq == self.seq && tagged.map.len() < MAX_PEOPLE {
            tagged.map.insert(key, Arc::clone(person));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str) -> Arc<CachedPerson> {
        let person = Person {
            id: "person_x".into(),
            name: Some(name.into()),
            birth_date: None,
            is_hidden: false,
            is_favorite: false,
            asset_count: 0,
            thumbnail_face_id: None,
            created_at: chrono::DateTime::UNIX_EPOCH,
            updated_at: chrono::DateTime::UNIX_EPOCH,
            thumbnail_face_url: None,
        };
        Arc::new(CachedPerson {
            json: name.into(),
            person,
        })
    }

    #[test]
    fn a_commit_invalidates_and_a_racing_read_bypasses() {
        let c = SharedCache::default();
        let (_, v) = c.read(|| Ok::<_, ()>(())).unwrap();
        let v = v.unwrap();
        v.remember(7, &person("a"));
        assert_eq!(v.person(7).unwrap().person.name.as_deref(), Some("a"));
        // A read whose snapshot was opened while a commit was in flight gets no view.
        let (_, racing) = c.committing(|| c.read(|| Ok::<_, ()>(()))).unwrap();
        assert!(racing.is_none());
        // The old view still belongs to its (older) snapshot, so its entries stay valid for it;
        // a view of the new state does not see them.
        assert_eq!(v.person(7).unwrap().person.name.as_deref(), Some("a"));
        let (_, w) = c.read(|| Ok::<_, ()>(())).unwrap();
        let w = w.unwrap();
        assert!(w.person(7).is_none());
        w.remember(7, &person("b"));
        // The stale view never overwrites the newer state's entries, and no longer hits.
        v.remember(7, &person("a"));
        assert_eq!(w.person(7).unwrap().person.name.as_deref(), Some("b"));
        assert!(v.person(7).is_none());
    }

    /// Reads of an unchanged catalogue share one kept snapshot; a commit ends it, and the next
    /// read sees the commit.
    #[test]
    fn reads_share_the_kept_snapshot_until_a_commit() {
        use crate::{AddAssets, Catalog, NewAsset};
        let cat = Catalog::in_memory().unwrap();
        let a = cat
            .add_assets(vec![NewAsset::default()], AddAssets::default())
            .unwrap()
            .remove(0);
        let (first, view) = cat.begin_read_cached().unwrap();
        assert!(view.is_some());
        let (second, _) = cat.begin_read_cached().unwrap();
        assert!(
            Arc::ptr_eq(&first, &second),
            "an unchanged catalogue reuses its snapshot"
        );
        let ids = first.places().unwrap() as *const _;
        assert!(
            std::ptr::eq(ids, second.places().unwrap()),
            "tables open once"
        );
        drop((first, second));
        let before = cat.get_asset_json(&a.id).unwrap();
        cat.update_asset(
            &a.id,
            crate::AssetUpdate {
                description: Some(Some("seen".into())),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(
            cat.shared.snapshot.lock().unwrap().is_none(),
            "a commit drops it"
        );
        let after = cat.get_asset_json(&a.id).unwrap();
        assert_ne!(before, after);
        assert!(after.contains(r#""description":"seen""#), "{after}");
        let (third, _) = cat.begin_read_cached().unwrap();
        assert_eq!(
            third.seq,
            cat.shared.snapshot.lock().unwrap().as_ref().unwrap().seq
        );
    }

    /// What needs the file to itself (compacting, redb's check, closing) works right after
    /// reads that kept a snapshot.
    #[test]
    fn the_kept_snapshot_never_blocks_compact_check_or_close() {
        use crate::{AddAssets, Catalog, NewAsset};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kept.redb");
        let mut cat = Catalog::open(&path).unwrap();
        let a = cat
            .add_assets(vec![NewAsset::default(); 3], AddAssets::default())
            .unwrap();
        cat.delete_assets(&[a[0].id.as_str()]).unwrap();
        cat.get_asset_json(&a[1].id).unwrap();
        assert!(cat.shared.snapshot.lock().unwrap().is_some());
        cat.compact().unwrap();
        cat.get_asset(&a[1].id).unwrap();
        assert!(cat.check_storage().unwrap());
        cat.get_asset(&a[2].id).unwrap();
        cat.close().unwrap();
        let cat = Catalog::open(&path).unwrap();
        assert_eq!(cat.get_asset(&a[2].id).unwrap(), a[2]);
    }

    /// Through the real API: pages fill the cache, and every write that changes a person is
    /// seen by the next page (rename, counter change, merge).
    #[test]
    fn pages_see_every_person_change() {
        use crate::{AddAssets, Catalog, ListAssets, NewAsset, NewFace, NewPerson};
        let cat = Catalog::in_memory().unwrap();
        let ann = cat
            .create_person(NewPerson {
                name: Some("Ann".into()),
                ..Default::default()
            })
            .unwrap();
        let bob = cat
            .create_person(NewPerson {
                name: Some("Bob".into()),
                ..Default::default()
            })
            .unwrap();
        let with_face = |person: &str| NewAsset {
            local_datetime: Some("2024-05-01T10:00:00".parse().unwrap()),
            faces: Some(vec![NewFace {
                person_id: Some(person.to_owned()),
                ..Default::default()
            }]),
            ..Default::default()
        };
        cat.add_assets(vec![with_face(&ann.id)], AddAssets::default())
            .unwrap();
        let page = || cat.list_assets(&ListAssets::default()).unwrap().data;
        let first = page();
        assert_eq!(first[0].people[0].name.as_deref(), Some("Ann"));
        assert_eq!(first[0].people[0].asset_count, 1);
        assert_eq!(page(), first, "a cached read gives the same page");
        cat.update_person(
            &ann.id,
            NewPerson {
                name: Some("Anne".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(page()[0].people[0].name.as_deref(), Some("Anne"));
        cat.add_assets(vec![with_face(&ann.id)], AddAssets::default())
            .unwrap();
        assert!(page().iter().all(|a| a.people[0].asset_count == 2));
        cat.merge_people(&bob.id, &[&ann.id]).unwrap();
        let merged = page();
        assert!(merged
            .iter()
            .all(|a| a.people[0].id == bob.id && a.people[0].name.as_deref() == Some("Bob")));
        assert_eq!(cat.get_asset(&merged[0].id).unwrap(), merged[0]);
    }
}
