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
pub(crate) struct IndexTables<'t> {
    pub list: Table<'t, &'static [u8], &'static [u8]>,
    pub person_assets: Table<'t, (u32, u64), ()>,
    pub people: Table<'t, u32, &'static [u8]>,
}

impl<'t> IndexTables<'t> {
    pub(crate) fn open(txn: &'t redb::WriteTransaction) -> Result<Self> {
        Ok(IndexTables {
            list: txn.open_table(crate::storage::tables::LIST_INDEX)?,
            person_assets: txn.open_table(crate::storage::tables::PERSON_ASSETS)?,
            people: txn.open_table(crate::storage::tables::PEOPLE)?,
        })
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

        let mut delta: HashMap<u32, i64> = HashMap::new();
        for p in counted_people(old) {
            *delta.entry(p).or_default() -= 1;
        }
        for p in counted_people(new) {
            *delta.entry(p).or_default() += 1;
        }
        for (p, d) in delta {
            if d != 0 {
                self.bump_person(p, d)?;
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
