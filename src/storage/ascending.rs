//! Inserting many entries given in key order: through redb's `CursorMut` where they fall
//! into one gap of the table, through `Table::insert` where they interleave with its entries.
//!
//! `Table::insert` descends the tree once per entry and changes one leaf; when that leaf was
//! committed before this transaction, redb rebuilds it entry by entry (copy on write).
//! `CursorMut::insert_before` buffers a run of ascending entries at one gap and splices the
//! run into the tree at once, packing it into full leaves: far cheaper per entry for a long
//! run (a load into an empty table, the entries of a new album or library, records appended
//! after the last key), and dearer for a run of one, since moving the gap splices the run and
//! rebuilds its leaf. So each run's length is measured before it is written: the gap's next
//! entry is peeked and the keys below it counted (they are sorted, so a binary search). A run
//! of at least [`MIN_RUN`] entries goes through the cursor; shorter runs go through `insert`,
//! and each short run doubles the number of entries (up to [`MAX_SKIP`]) inserted before the
//! next measure, so that a batch that interleaves with the table throughout pays for a
//! logarithmic number of measures, not one per entry.
//!
//! The outcome is exactly that of calling `Table::insert` for each entry in order: an entry
//! whose key is already present (in the table, or earlier in the same call) replaces the value
//! and is reported.

use std::cmp::Ordering;
use std::ops::Bound;

use redb::{CursorError, Key, Table, Value};

/// The shortest run written through the cursor.
const MIN_RUN: usize = 8;

/// The most entries inserted one by one between two measures of a run.
const MAX_SKIP: usize = 1024;

/// Inserts items `0..len` (`item(j)` gives the `j`th key and value), sorted by key
/// (ascending, as the table orders its keys; equal keys allowed), and returns the positions
/// of those whose key was already present, as `Table::insert` returning `Some` would have
/// said. The items are read through `item`, so a caller need not collect them.
pub(crate) fn insert_ascending<'a, K: Key + 'static, V: Value + 'static>(
    table: &mut Table<'_, K, V>,
    len: usize,
    item: impl Fn(usize) -> (K::SelfType<'a>, V::SelfType<'a>),
) -> Result<Vec<usize>, redb::Error> {
    let mut existed = Vec::new();
    apply_ascending(table, len, &item, |t, j| {
        let (k, v) = item(j);
        if t.insert(k, v)?.is_some() {
            existed.push(j);
        }
        Ok::<_, redb::Error>(())
    })?;
    Ok(existed)
}

/// Writes items `0..len` (`item(j)` gives the `j`th key and value), sorted by key (ascending,
/// as the table orders its keys; equal keys allowed): each item whose key is absent from the
/// table may be inserted with its value through a run; every other item (and any item, when
/// runs are short) is handed to `one` with its position, which must write it as a one-by-one
/// write would. `one` is called in order, after the items before it are in the table.
pub(crate) fn apply_ascending<'a, K, V, E>(
    table: &mut Table<'_, K, V>,
    len: usize,
    item: impl Fn(usize) -> (K::SelfType<'a>, V::SelfType<'a>),
    mut one: impl FnMut(&mut Table<'_, K, V>, usize) -> Result<(), E>,
) -> Result<(), E>
where
    K: Key + 'static,
    V: Value + 'static,
    E: From<redb::Error>,
{
    let storage = |e: redb::StorageError| E::from(e.into());
    let below = |j: usize, next: &[u8]| {
        K::compare(K::as_bytes(&item(j).0).as_ref(), next) == Ordering::Less
    };
    let mut i = 0;
    // Items still to hand to `one` before the next measure, and how many the next short run
    // adds to them.
    let (mut skip, mut backoff) = (0usize, 1usize);
    while i < len {
        if skip > 0 {
            let end = len.min(i + skip);
            for j in i..end {
                one(table, j)?;
            }
            (i, skip) = (end, 0);
            continue;
        }
        let mut cursor = table
            .lower_bound_mut(Bound::Included(item(i).0))
            .map_err(storage)?;
        let end = match cursor.peek_next().map_err(storage)? {
            None => len,
            Some((next, _)) => {
                // The first item not below the stored key (the items are sorted).
                let next = K::as_bytes(&next.value()).as_ref().to_vec();
                let (mut lo, mut hi) = (i, len);
                while lo < hi {
                    let mid = lo + (hi - lo) / 2;
                    if below(mid, &next) {
                        lo = mid + 1;
                    } else {
                        hi = mid;
                    }
                }
                lo
            }
        };
        if end - i < MIN_RUN {
            cursor.close().map_err(storage)?;
            // `end == i` when the key is present: handed to `one`.
            skip = (end - i).max(backoff);
            backoff = (backoff * 2).min(MAX_SKIP);
            continue;
        }
        backoff = 1;
        let mut j = i;
        while j < end {
            let (k, v) = item(j);
            match cursor.insert_before(k, v) {
                Ok(()) => j += 1,
                // Equal to the item before it: handed to `one` after the run.
                Err(CursorError::UnorderedKey) => break,
                Err(e) => return Err(E::from(e.into())),
            }
        }
        cursor.close().map_err(storage)?;
        i = j;
        if j < end {
            skip = 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
    use std::collections::BTreeMap;

    const T: TableDefinition<u64, u64> = TableDefinition::new("t");
    const B: TableDefinition<&[u8], &[u8]> = TableDefinition::new("b");

    fn db() -> Database {
        Database::builder()
            .create_with_backend(redb::backends::InMemoryBackend::new())
            .unwrap()
    }

    /// Inserts `batches` one transaction each, and checks the table and every reported
    /// position against a map given the same inserts one by one.
    fn check(existing: &[u64], batches: &[Vec<(u64, u64)>]) {
        let db = db();
        let mut model = BTreeMap::new();
        let w = db.begin_write().unwrap();
        {
            let mut t = w.open_table(T).unwrap();
            for &k in existing {
                t.insert(k, 0).unwrap();
                model.insert(k, 0);
            }
        }
        w.commit().unwrap();
        for batch in batches {
            let mut items = batch.clone();
            items.sort_by_key(|&(k, _)| k);
            let expected: Vec<usize> = items
                .iter()
                .enumerate()
                .filter_map(|(j, &(k, v))| model.insert(k, v).map(|_| j))
                .collect();
            let w = db.begin_write().unwrap();
            {
                let mut t = w.open_table(T).unwrap();
                assert_eq!(
                    insert_ascending(&mut t, items.len(), |j| items[j]).unwrap(),
                    expected
                );
            }
            w.commit().unwrap();
            let r = db.begin_read().unwrap();
            let t = r.open_table(T).unwrap();
            let got: Vec<(u64, u64)> = t
                .iter()
                .unwrap()
                .map(|e| {
                    let (k, v) = e.unwrap();
                    (k.value(), v.value())
                })
                .collect();
            let want: Vec<(u64, u64)> = model.iter().map(|(&k, &v)| (k, v)).collect();
            assert_eq!(got, want);
        }
    }

    #[test]
    fn runs_into_an_empty_table_and_after_its_last_key() {
        check(&[], &[(0..5_000).map(|k| (k * 2, k)).collect()]);
        check(
            &(0..3_000).collect::<Vec<_>>(),
            &[(3_000..9_000).map(|k| (k, k)).collect()],
        );
    }

    #[test]
    fn interleaved_runs_short_and_long() {
        let existing: Vec<u64> = (0..4_000).map(|k| k * 100).collect();
        // One new key between each pair of old ones, then runs of 50 in some gaps.
        let mut batch: Vec<(u64, u64)> = (0..4_000).map(|k| (k * 100 + 1, 1)).collect();
        batch.extend((0..50).flat_map(|g| (2..52).map(move |d| (g * 700 + d, 2))));
        check(&existing, &[batch]);
    }

    #[test]
    fn present_keys_and_repeats_in_a_batch_are_reported_and_replaced() {
        let existing: Vec<u64> = (0..1_000).map(|k| k * 3).collect();
        let mut batch: Vec<(u64, u64)> = (0..3_000).map(|k| (k, 7)).collect();
        batch.extend((100..200).map(|k| (k, 8)));
        check(&existing, &[batch]);
    }

    #[test]
    fn byte_keys_follow_byte_order() {
        let db = db();
        let w = db.begin_write().unwrap();
        {
            let mut t = w.open_table(B).unwrap();
            t.insert(&b"m"[..], &b"old"[..]).unwrap();
            let keys: Vec<Vec<u8>> = (0u16..600).map(|k| k.to_be_bytes().to_vec()).collect();
            let mut items: Vec<(&[u8], &[u8])> =
                keys.iter().map(|k| (k.as_slice(), &b"v"[..])).collect();
            items.push((&b"m"[..], &b"new"[..]));
            items.sort();
            let at = items.iter().position(|(k, _)| *k == b"m").unwrap();
            assert_eq!(
                insert_ascending(&mut t, items.len(), |j| items[j]).unwrap(),
                vec![at]
            );
            assert_eq!(t.len().unwrap(), 601);
            assert_eq!(t.get(&b"m"[..]).unwrap().unwrap().value(), b"new");
        }
        w.commit().unwrap();
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn any_batches_end_as_one_by_one_inserts(
            existing in proptest::collection::vec(0u64..20_000, 0..3_000),
            batches in proptest::collection::vec(
                proptest::collection::vec((0u64..20_000, any::<u64>()), 0..3_000),
                1..4,
            ),
        ) {
            check(&existing, &batches);
        }
    }
}
