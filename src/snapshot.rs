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

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::model::Person;

/// A cached person: the public value, and its JSON as it appears in an asset's `people`
/// (rendered once per committed state; a page written as JSON copies it).
#[derive(Debug, PartialEq)]
pub(crate) struct CachedPerson {
    pub person: Person,
    pub json: Box<str>,
}

/// Entries kept at most; past it new people are read but not cached.
const MAX_PEOPLE: usize = 100_000;

/// The write sequence and the shared people cache of one [`crate::Catalog`].
#[derive(Debug, Default)]
pub(crate) struct SharedCache {
    seq: AtomicU64,
    people: Mutex<Tagged>,
}

#[derive(Debug, Default)]
struct Tagged {
    seq: u64,
    map: HashMap<u32, Arc<CachedPerson>>,
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

    /// Runs `commit` with the sequence odd, leaving it even again afterwards.
    pub(crate) fn committing<T>(&self, commit: impl FnOnce() -> T) -> T {
        self.seq.fetch_add(1, Ordering::SeqCst);
        let out = commit();
        self.seq.fetch_add(1, Ordering::SeqCst);
        out
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
