//! Secondary-index maintenance. Every write computes the entries an asset record implies
//! before and after the change and applies the difference in the same transaction: list-index
//! entries, person-to-asset links, album membership rows, people's live-asset counters, and
//! the entry count of every list-index range (`list_counts`: the totals `count_assets` and the
//! summary read).

use std::collections::{BTreeMap, HashMap};

use redb::{ReadableTable, Table};

use crate::error::{Error, Result};
use crate::immich_index::ImmichTables;
use crate::storage::codec::{self, AssetRecord, PersonRecord};
use crate::storage::keys::{self, EntryValue, Group, Part};

/// The list-index entries an asset in `albums` implies: one per (group, part). Hidden and
/// locked assets have none (they never appear in lists).
pub(crate) fn list_entries(
    key: u64,
    rec: &AssetRecord,
    albums: &[u32],
) -> BTreeMap<Vec<u8>, Vec<u8>> {
    let mut groups = Vec::with_capacity(1 + albums.len() + rec.faces.len());
    groups.push(Group::Library(rec.library));
    groups.extend(albums.iter().map(|&a| Group::Album(a)));
    groups.extend(rec.people().into_iter().map(|p| Group::Person {
        person: p,
        library: rec.library,
    }));
    group_entries(key, rec, groups)
}

/// The entries of `rec` in the given groups.
fn group_entries(
    key: u64,
    rec: &AssetRecord,
    groups: impl IntoIterator<Item = Group>,
) -> BTreeMap<Vec<u8>, Vec<u8>> {
    let mut out = BTreeMap::new();
    if !rec.visibility.is_listed() {
        return out;
    }
    let value = EntryValue {
        asset: key,
        offset: rec.offset,
        local: rec.local,
    };
    let parts: &[(Part, i64)] = match rec.trashed_at {
        None => &[(Part::Live, rec.local)],
        Some(t) => &[
            (Part::TrashedByLocal, rec.local),
            (Part::TrashedByTrashedAt, t),
        ],
    };
    for g in groups {
        for &(part, time) in parts {
            out.insert(
                keys::key(g, part, time, &rec.id),
                keys::encode_value(part, &value),
            );
        }
    }
    out
}

/// The people an asset counts for: its distinct people while it is live.
fn counted_people(rec: Option<&AssetRecord>) -> Vec<u32> {
    match rec {
        Some(r) if r.trashed_at.is_none() => r.people(),
        _ => Vec::new(),
    }
}

/// The open tables a record change touches.
///
/// Counter changes are accumulated and written once by [`IndexTables::finish`], so a bulk write
/// rewrites each person record once, not once per asset.
pub(crate) struct IndexTables<'t> {
    pub list: Table<'t, &'static [u8], &'static [u8]>,
    pub person_assets: Table<'t, (u32, u64), ()>,
    pub people: Table<'t, u32, &'static [u8]>,
    pub asset_albums: Table<'t, (u64, u32), ()>,
    pub counts: Table<'t, &'static [u8], u64>,
    /// The Immich-side indexes (format 3).
    /// (An `Option` only so that [`IndexTables::finish`] can take it.)
    immich: Option<ImmichTables<'t>>,
    pending: HashMap<u32, i64>,
    /// Entry-count changes per `group | part` prefix, written by [`IndexTables::finish`].
    pending_counts: HashMap<Vec<u8>, i64>,
}

impl<'t> IndexTables<'t> {
    pub(crate) fn open(txn: &'t redb::WriteTransaction) -> Result<Self> {
        Ok(IndexTables {
            list: txn.open_table(crate::storage::tables::LIST_INDEX)?,
            person_assets: txn.open_table(crate::storage::tables::PERSON_ASSETS)?,
            people: txn.open_table(crate::storage::tables::PEOPLE)?,
            asset_albums: txn.open_table(crate::storage::tables::ASSET_ALBUMS)?,
            counts: txn.open_table(crate::storage::tables::LIST_COUNTS)?,
            immich: Some(ImmichTables::open(txn)?),
            pending: HashMap::new(),
            pending_counts: HashMap::new(),
        })
    }

    /// Opens the tables, moves one asset's entries and counters, and finishes.
    pub(crate) fn update(
        txn: &'t redb::WriteTransaction,
        key: u64,
        old: Option<&AssetRecord>,
        new: Option<&AssetRecord>,
    ) -> Result<()> {
        let mut idx = IndexTables::open(txn)?;
        idx.apply(key, old, new)?;
        idx.finish()
    }

    /// Writes the accumulated counter changes. Every user of `apply` must call it.
    pub(crate) fn finish(mut self) -> Result<()> {
        if let Some(immich) = self.immich.take() {
            immich.finish()?;
        }
        let pending = std::mem::take(&mut self.pending);
        for (p, d) in pending {
            if d != 0 {
                self.bump_person(p, d)?;
            }
        }
        // In key order: neighbouring B-tree updates touch the same pages.
        let mut counts: Vec<(Vec<u8>, i64)> = std::mem::take(&mut self.pending_counts)
            .into_iter()
            .filter(|(_, d)| *d != 0)
            .collect();
        counts.sort_unstable();
        for (prefix, d) in counts {
            bump_count(&mut self.counts, &prefix, d)?;
        }
        Ok(())
    }

    /// Inserts a list-index entry and counts it when it is new (the count follows the table
    /// even if the caller's idea of what exists were wrong).
    fn insert_entry(&mut self, k: &[u8], v: &[u8]) -> Result<()> {
        let replaced = self.list.insert(k, v)?.is_some();
        if replaced {
            return Ok(());
        }
        self.count(k, 1)
    }

    /// Removes a list-index entry and uncounts it when it existed.
    fn remove_entry(&mut self, k: &[u8]) -> Result<()> {
        let existed = self.list.remove(k)?.is_some();
        if !existed {
            return Ok(());
        }
        self.count(k, -1)
    }

    fn count(&mut self, k: &[u8], delta: i64) -> Result<()> {
        let len = keys::prefix_len(k)
            .ok_or_else(|| Error::Corrupt("a list-index key of no known group".into()))?;
        match self.pending_counts.get_mut(&k[..len]) {
            Some(d) => *d += delta,
            None => {
                self.pending_counts.insert(k[..len].to_vec(), delta);
            }
        }
        Ok(())
    }

    /// Moves every index entry and counter of asset `key` from `old` to `new` (None for a
    /// record that does not exist before, or after, the change). The asset's albums are read
    /// from `asset_albums` (membership changes go through [`IndexTables::link_album`]); a
    /// deletion removes the membership rows too.
    pub(crate) fn apply(
        &mut self,
        key: u64,
        old: Option<&AssetRecord>,
        new: Option<&AssetRecord>,
    ) -> Result<()> {
        self.immich()?.apply(key, old, new)?;
        let albums = self.albums(key)?;
        let before = old
            .map(|r| list_entries(key, r, &albums))
            .unwrap_or_default();
        let after = new
            .map(|r| list_entries(key, r, &albums))
            .unwrap_or_default();
        if new.is_none() {
            for a in &albums {
                self.asset_albums.remove((key, *a))?;
            }
        }
        for k in before.keys() {
            if !after.contains_key(k) {
                self.remove_entry(k)?;
            }
        }
        for (k, v) in &after {
            match before.get(k) {
                Some(old) if old == v => {}
                Some(_) => {
                    self.list.insert(k.as_slice(), v.as_slice())?;
                }
                None => self.insert_entry(k, v)?,
            }
        }

        let old_people = old.map(AssetRecord::people).unwrap_or_default();
        let new_people = new.map(AssetRecord::people).unwrap_or_default();
        for p in &old_people {
            if !new_people.contains(p) {
                self.person_assets.remove((*p, key))?;
            }
        }
        for p in &new_people {
            if !old_people.contains(p) {
                self.person_assets.insert((*p, key), ())?;
            }
        }

        for p in counted_people(old) {
            *self.pending.entry(p).or_default() -= 1;
        }
        for p in counted_people(new) {
            *self.pending.entry(p).or_default() += 1;
        }
        Ok(())
    }

    /// The albums holding asset `key`, ascending.
    pub(crate) fn albums(&self, key: u64) -> Result<Vec<u32>> {
        self.asset_albums
            .range((key, 0)..=(key, u32::MAX))?
            .map(|r| r.map(|(k, _)| k.value().1).map_err(Into::into))
            .collect()
    }

    /// Adds asset `key` (whose record is `rec`) to `album`, or removes it. Only the membership
    /// row and the album's own index entries change; the record is not rewritten. Returns
    /// whether anything changed.
    pub(crate) fn link_album(
        &mut self,
        key: u64,
        rec: &AssetRecord,
        album: u32,
        add: bool,
    ) -> Result<bool> {
        let member = self.asset_albums.get((key, album))?.is_some();
        if member == add {
            return Ok(false);
        }
        let entries = group_entries(key, rec, [Group::Album(album)]);
        if add {
            self.asset_albums.insert((key, album), ())?;
            for (k, v) in &entries {
                self.insert_entry(k, v)?;
            }
        } else {
            self.asset_albums.remove((key, album))?;
            for k in entries.keys() {
                self.remove_entry(k)?;
            }
        }
        Ok(true)
    }

    /// Adds the entries and counters of new records, inserting list-index entries in key
    /// order (sequential B-tree inserts touch far fewer pages than scattered ones).
    pub(crate) fn insert_new(&mut self, records: &[(u64, AssetRecord)]) -> Result<()> {
        let mut entries: Vec<(Vec<u8>, Vec<u8>)> = records
            .iter()
            .flat_map(|(k, r)| list_entries(*k, r, &[]))
            .collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        // Sorted, the entries of one group and part are adjacent: count each run once.
        let mut run: Option<(&[u8], i64)> = None;
        for (k, v) in &entries {
            if self.list.insert(k.as_slice(), v.as_slice())?.is_some() {
                continue; // not new: already counted
            }
            let len = keys::prefix_len(k)
                .ok_or_else(|| Error::Corrupt("a list-index key of no known group".into()))?;
            match &mut run {
                Some((prefix, n)) if *prefix == &k[..len] => *n += 1,
                _ => {
                    if let Some((prefix, n)) = run.take() {
                        self.count(prefix, n)?;
                    }
                    run = Some((&k[..len], 1));
                }
            }
        }
        if let Some((prefix, n)) = run {
            self.count(prefix, n)?;
        }
        self.immich()?
            .insert_new(records.iter().map(|(k, r)| (*k, r)))?;
        let mut links: Vec<(u32, u64)> = records
            .iter()
            .flat_map(|(k, r)| r.people().into_iter().map(move |p| (p, *k)))
            .collect();
        links.sort_unstable();
        for l in links {
            self.person_assets.insert(l, ())?;
        }
        for (_, r) in records {
            for p in counted_people(Some(r)) {
                *self.pending.entry(p).or_default() += 1;
            }
        }
        Ok(())
    }

    fn immich(&mut self) -> Result<&mut ImmichTables<'t>> {
        self.immich
            .as_mut()
            .ok_or_else(|| Error::Corrupt("index tables used after finish".into()))
    }

    fn bump_person(&mut self, person: u32, delta: i64) -> Result<()> {
        let mut rec: PersonRecord = match self.people.get(person)? {
            Some(v) => codec::decode(v.value())?,
            None => {
                return Err(Error::Corrupt(format!(
                    "a face refers to person key {person}, which does not exist"
                )))
            }
        };
        rec.asset_count = rec.asset_count.checked_add_signed(delta).ok_or_else(|| {
            Error::Corrupt(format!("asset_count of person {} went negative", rec.id))
        })?;
        self.people
            .insert(person, codec::encode(&rec)?.as_slice())?;
        Ok(())
    }
}

/// Adds `delta` to the maintained entry count of one `group | part` prefix (no row for zero).
pub(crate) fn bump_count(
    counts: &mut Table<'_, &'static [u8], u64>,
    prefix: &[u8],
    delta: i64,
) -> Result<()> {
    let old = counts.get(prefix)?.map_or(0, |v| v.value());
    let new = old.checked_add_signed(delta).ok_or_else(|| {
        Error::Corrupt(format!(
            "the maintained count of list-index prefix {prefix:02x?} went negative"
        ))
    })?;
    if new == 0 {
        counts.remove(prefix)?;
    } else {
        counts.insert(prefix, new)?;
    }
    Ok(())
}
