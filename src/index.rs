//! Secondary-index maintenance. Every write computes the entries an asset record implies
//! before and after the change and applies the difference in the same transaction: list-index
//! entries, person-to-asset links, and people's live-asset counters.

use std::collections::{BTreeMap, HashMap};

use redb::{ReadableTable, Table};

use crate::error::{Error, Result};
use crate::storage::codec::{self, AssetRecord, PersonRecord};
use crate::storage::keys::{self, EntryValue, Group, Part};

/// The list-index entries an asset implies: one per (group, part). Hidden and locked assets
/// have none (they never appear in lists).
pub(crate) fn list_entries(key: u64, rec: &AssetRecord) -> BTreeMap<Vec<u8>, Vec<u8>> {
    let mut out = BTreeMap::new();
    if !rec.visibility.is_listed() {
        return out;
    }
    let mut groups = Vec::with_capacity(1 + rec.albums.len() + rec.faces.len());
    groups.push(Group::Library(rec.library));
    groups.extend(rec.albums.iter().map(|&a| Group::Album(a)));
    groups.extend(rec.people().into_iter().map(|p| Group::Person {
        person: p,
        library: rec.library,
    }));
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
    pending: HashMap<u32, i64>,
}

impl<'t> IndexTables<'t> {
    pub(crate) fn open(txn: &'t redb::WriteTransaction) -> Result<Self> {
        Ok(IndexTables {
            list: txn.open_table(crate::storage::tables::LIST_INDEX)?,
            person_assets: txn.open_table(crate::storage::tables::PERSON_ASSETS)?,
            people: txn.open_table(crate::storage::tables::PEOPLE)?,
            pending: HashMap::new(),
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
        let pending = std::mem::take(&mut self.pending);
        for (p, d) in pending {
            if d != 0 {
                self.bump_person(p, d)?;
            }
        }
        Ok(())
    }

    /// Moves every index entry and counter of asset `key` from `old` to `new` (None for a
    /// record that does not exist before, or after, the change).
    pub(crate) fn apply(
        &mut self,
        key: u64,
        old: Option<&AssetRecord>,
        new: Option<&AssetRecord>,
    ) -> Result<()> {
        let before = old.map(|r| list_entries(key, r)).unwrap_or_default();
        let after = new.map(|r| list_entries(key, r)).unwrap_or_default();
        for k in before.keys() {
            if !after.contains_key(k) {
                self.list.remove(k.as_slice())?;
            }
        }
        for (k, v) in &after {
            if before.get(k) != Some(v) {
                self.list.insert(k.as_slice(), v.as_slice())?;
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

    /// Adds the entries and counters of new records, inserting list-index entries in key
    /// order (sequential B-tree inserts touch far fewer pages than scattered ones).
    pub(crate) fn insert_new(&mut self, records: &[(u64, AssetRecord)]) -> Result<()> {
        let mut entries: Vec<(Vec<u8>, Vec<u8>)> = records
            .iter()
            .flat_map(|(k, r)| list_entries(*k, r))
            .collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for (k, v) in &entries {
            self.list.insert(k.as_slice(), v.as_slice())?;
        }
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
