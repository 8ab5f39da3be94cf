//! Counting several filters at once from the posting bitmaps (`postings`): each group's live
//! assets, per block of 65,536 asset keys, as a Roaring bitmap. The number of assets in every
//! one of several groups is the sum over blocks of the bitmaps' intersection sizes: no index
//! entry is walked, so the cost follows the groups' sizes in bitmap words, not in entries.

use std::collections::HashMap;

use redb::ReadOnlyTable;
use roaring::RoaringBitmap;

use crate::catalog::Tally;
use crate::error::Result;
use crate::index::posting_decode;
use crate::storage::keys::{self, Group, Part};
use crate::storage::tables;

/// The live assets of one group, by block.
pub(crate) struct GroupSet {
    blocks: HashMap<u32, RoaringBitmap>,
    len: u64,
}

impl GroupSet {
    /// Reads the posting bitmaps of one group.
    pub(crate) fn load(
        table: &ReadOnlyTable<&'static [u8], &'static [u8]>,
        group: Group,
        tally: &mut Tally,
    ) -> Result<GroupSet> {
        let prefix = keys::prefix(group, Part::Live);
        let mut upper = prefix.clone();
        upper.extend_from_slice(&[0xff; 4]);
        tally.seeks += 1;
        let mut blocks = HashMap::new();
        let mut len = 0;
        for row in table.range::<&[u8]>(prefix.as_slice()..=upper.as_slice())? {
            let (k, v) = row?;
            tally.index_entries += 1;
            let Some(b) = k
                .value()
                .get(prefix.len()..)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
            else {
                return Err(crate::error::Error::Corrupt(
                    "a malformed posting key".into(),
                ));
            };
            let set = posting_decode(v.value())?;
            len += set.len();
            blocks.insert(u32::from_be_bytes(b), set);
        }
        Ok(GroupSet { blocks, len })
    }

    /// Whether asset `key` is in the group.
    pub(crate) fn contains(&self, key: u64) -> bool {
        self.blocks
            .get(&((key >> 16) as u32))
            .is_some_and(|s| s.contains(key as u32 & 0xffff))
    }
}

/// Opens the posting table of a snapshot.
pub(crate) fn open(
    txn: &redb::ReadTransaction,
) -> Result<ReadOnlyTable<&'static [u8], &'static [u8]>> {
    Ok(txn.open_table(tables::POSTINGS)?)
}

/// The number of assets in every one of `sets` and in none of `excluded`.
pub(crate) fn matches_len(sets: &[GroupSet], excluded: &[GroupSet]) -> u64 {
    if excluded.is_empty() {
        return intersection_len(sets);
    }
    let Some(smallest) = sets.iter().min_by_key(|s| s.len) else {
        return 0;
    };
    let mut n = 0;
    for (block, first) in &smallest.blocks {
        let mut acc = first.clone();
        for s in sets.iter().filter(|s| !std::ptr::eq(*s, smallest)) {
            match s.blocks.get(block) {
                Some(o) => acc &= o,
                None => acc.clear(),
            }
        }
        for x in excluded {
            if let Some(o) = x.blocks.get(block) {
                acc -= o;
            }
        }
        n += acc.len();
    }
    n
}

/// The number of assets in every one of `sets`.
pub(crate) fn intersection_len(sets: &[GroupSet]) -> u64 {
    let Some(smallest) = sets.iter().min_by_key(|s| s.len) else {
        return 0;
    };
    let mut n = 0;
    for (block, first) in &smallest.blocks {
        let others: Option<Vec<&RoaringBitmap>> = sets
            .iter()
            .filter(|s| !std::ptr::eq(*s, smallest))
            .map(|s| s.blocks.get(block))
            .collect();
        let Some(others) = others else { continue };
        n += match others.as_slice() {
            [] => first.len(),
            [one] => first.intersection_len(one),
            [one, rest @ ..] => {
                let mut acc = first & *one;
                for o in rest {
                    acc &= *o;
                }
                acc.len()
            }
        };
    }
    n
}
