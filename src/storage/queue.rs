//! Changes of a byte-keyed table queued in call order and written in key order.
//!
//! A batch that changes many assets (a trash, faces for many assets) changes each asset's
//! entries in index tables whose keys do not follow the assets: written as they come, every
//! change descends to a different B-tree leaf. Queued, they are written sorted by key (the
//! changes of one key in the order queued), so consecutive changes land in the same leaf, and
//! a run of inserts that falls into one gap of the table goes in through the cursor
//! ([`super::ascending`]). [`Queue::write`] reports each change's outcome (whether an insert
//! added an entry, the value a removal took away), so that a caller that counts entries can
//! count them in the order queued: the table and the counts end as if each change had been
//! written when it was queued.

use redb::Table;

use super::ascending::insert_ascending;
use super::keys;
use crate::error::Result;

/// The bytes of queued changes at which a writer writes its queue: a call of any size holds
/// bounded memory (a change of one asset queues ~60 list-index changes of ~45 bytes, so a call
/// changing 10^5 assets writes about every 12,000). Unit tests write every few dozen changes,
/// so that their batches are written in several parts, and each part must leave the tables as
/// the whole would.
pub(crate) const QUEUE_BYTES: usize = if cfg!(test) { 1 << 10 } else { 32 << 20 };

/// What a queued change does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Change {
    /// Insert; the outcome says whether the entry is new.
    Insert,
    /// Replace the value of an entry expected to exist; no outcome.
    Set,
    /// Remove; the outcome is the value removed, if the entry existed.
    Remove,
}

/// One queued change: its key and value are `bytes[start..start + key_len + value_len]`.
struct Queued {
    change: Change,
    start: usize,
    key_len: u16,
    value_len: u16,
}

/// Changes in the order queued, their keys and values in one buffer.
#[derive(Default)]
pub(crate) struct Queue {
    bytes: Vec<u8>,
    queued: Vec<Queued>,
}

/// What each change of a written [`Queue`] did, by position in the queue.
pub(crate) struct Outcomes {
    added: Vec<bool>,
    removed: Vec<Option<Vec<u8>>>,
}

impl Outcomes {
    /// Whether insert `j` added a new entry (false for every other change).
    pub(crate) fn added(&self, j: usize) -> bool {
        self.added[j]
    }

    /// The value removal `j` took away, if the entry existed (None for every other change).
    pub(crate) fn removed(&self, j: usize) -> Option<&[u8]> {
        self.removed[j].as_deref()
    }
}

impl Queue {
    /// Queues a change; the value of a removal is not used.
    pub(crate) fn push(&mut self, change: Change, k: &[u8], v: &[u8]) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(k);
        self.bytes.extend_from_slice(v);
        // The keys queued are index keys (a prefix, a time and an id of at most `MAX_ID_LEN`
        // bytes) and their values a few dozen bytes: far below 64 KiB.
        self.queued.push(Queued {
            change,
            start,
            key_len: k.len() as u16,
            value_len: v.len() as u16,
        });
    }

    pub(crate) fn len(&self) -> usize {
        self.queued.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.queued.is_empty()
    }

    /// The bytes of the keys and values queued.
    pub(crate) fn bytes(&self) -> usize {
        self.bytes.len()
    }

    /// Change `j`: what it does, its key and its value.
    pub(crate) fn get(&self, j: usize) -> (Change, &[u8], &[u8]) {
        let q = &self.queued[j];
        let key_end = q.start + usize::from(q.key_len);
        (
            q.change,
            &self.bytes[q.start..key_end],
            &self.bytes[key_end..key_end + usize::from(q.value_len)],
        )
    }

    fn key(&self, j: u32) -> &[u8] {
        self.get(j as usize).1
    }

    /// The positions of the changes by key, and in the order queued for one key.
    pub(crate) fn sorted(&self) -> Vec<u32> {
        // Fewer than 2^32 changes: writers write their queue at `QUEUE_BYTES`.
        let mut order: Vec<u32> = (0..self.queued.len() as u32).collect();
        keys::sort_by_key_bytes_in(&mut order, self, |q, &j| q.key(j));
        order
    }

    /// Writes the changes to `table` in key order (those of one key in the order queued) and
    /// returns what each did. Consecutive inserts go through [`insert_ascending`].
    pub(crate) fn write(
        &self,
        table: &mut Table<'_, &'static [u8], &'static [u8]>,
    ) -> Result<Outcomes> {
        let order = self.sorted();
        let mut out = Outcomes {
            added: vec![false; self.len()],
            removed: vec![None; self.len()],
        };
        let mut i = 0;
        while i < order.len() {
            let (change, k, v) = self.get(order[i] as usize);
            match change {
                Change::Insert => {
                    let end = i + order[i..]
                        .iter()
                        .take_while(|&&j| self.queued[j as usize].change == Change::Insert)
                        .count();
                    let run = &order[i..end];
                    let existed = insert_ascending(table, run.len(), |j| {
                        let (_, k, v) = self.get(run[j] as usize);
                        (k, v)
                    })?;
                    for &j in run {
                        out.added[j as usize] = true;
                    }
                    for j in existed {
                        out.added[run[j] as usize] = false;
                    }
                    i = end;
                    continue;
                }
                Change::Set => {
                    table.insert(k, v)?;
                }
                Change::Remove => {
                    out.removed[order[i] as usize] = table.remove(k)?.map(|g| g.value().to_vec());
                }
            }
            i += 1;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use redb::{ReadableTable, TableDefinition};

    use super::*;

    const T: TableDefinition<&[u8], &[u8]> = TableDefinition::new("t");

    #[test]
    fn changes_sort_by_key_then_by_queue_order() {
        let mut q = Queue::default();
        // Keys sharing a 16-byte prefix, repeated keys, and a key that is a prefix of another.
        let keys: [&[u8]; 7] = [
            b"group-prefix-16b|b",
            b"group-prefix-16b|a",
            b"group-prefix-16b|b",
            b"a",
            b"group-prefix-16b|a",
            b"group-prefix-16b|",
            b"group-prefix-16b|b",
        ];
        for (i, k) in keys.iter().enumerate() {
            q.push(Change::Insert, k, &[i as u8]);
        }
        assert_eq!(q.sorted(), [3, 5, 1, 4, 0, 2, 6]);
        assert_eq!(q.get(4), (Change::Insert, keys[4], &[4u8][..]));
    }

    fn change() -> impl Strategy<Value = (u8, u8, u8)> {
        // (what, key, value): a small key space, so that keys repeat and runs form.
        (0u8..3, 0u8..40, any::<u8>())
    }

    proptest! {
        /// Written through the queue, a table and each change's outcome are those of writing
        /// the changes one by one in the order queued.
        #[test]
        fn a_written_queue_equals_changes_one_by_one(
            stored in proptest::collection::btree_set(0u8..40, 0..30),
            changes in proptest::collection::vec(change(), 0..80),
        ) {
            let db = redb::Database::builder()
                .create_with_backend(redb::backends::InMemoryBackend::new())
                .unwrap();
            let txn = db.begin_write().unwrap();
            let mut model: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
            {
                let mut t = txn.open_table(T).unwrap();
                for k in &stored {
                    let key = [b'k', *k];
                    t.insert(&key[..], &[0u8][..]).unwrap();
                    model.insert(key.to_vec(), vec![0]);
                }
                let mut q = Queue::default();
                for &(what, k, v) in &changes {
                    let change = [Change::Insert, Change::Set, Change::Remove][usize::from(what)];
                    q.push(change, &[b'k', k], &[v]);
                }
                let out = q.write(&mut t).unwrap();
                for (j, &(what, k, v)) in changes.iter().enumerate() {
                    let key = vec![b'k', k];
                    match what {
                        0 => prop_assert_eq!(out.added(j), model.insert(key, vec![v]).is_none()),
                        1 => {
                            model.insert(key, vec![v]);
                            prop_assert!(!out.added(j) && out.removed(j).is_none());
                        }
                        _ => prop_assert_eq!(out.removed(j).map(<[u8]>::to_vec), model.remove(&key)),
                    }
                }
                let table: Vec<(Vec<u8>, Vec<u8>)> = t
                    .iter()
                    .unwrap()
                    .map(|r| r.map(|(k, v)| (k.value().to_vec(), v.value().to_vec())).unwrap())
                    .collect();
                prop_assert_eq!(table, model.into_iter().collect::<Vec<_>>());
            }
        }
    }
}
