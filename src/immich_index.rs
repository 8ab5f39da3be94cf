//! Maintenance of the Immich-side indexes (format 3; layouts in
//! [`crate::storage::immich_keys`]): `GET /asset`'s order with its block counts, the random
//! pool, the device index and the SHA-1 index. [`crate::index::IndexTables`] calls this for
//! every record change, in the write's own transaction.

use std::collections::HashMap;

use rayon::prelude::*;
use redb::{ReadableTable, Table};

use crate::error::{Error, Result};
use crate::model::Visibility;
use crate::storage::ascending::insert_ascending;
use crate::storage::codec::AssetRecord;
use crate::storage::immich_keys as ik;
use crate::storage::queue::{Change, Queue, QUEUE_BYTES};
use crate::storage::tables;

/// What one asset record puts in the Immich indexes.
#[derive(Debug, PartialEq)]
struct Entries {
    /// Order-index key and value, with the (scope, flags) run and time for the block counts.
    order: Option<OrderEntry>,
    device: (Vec<u8>, u8),
    sha1: Option<(Vec<u8>, Vec<u8>)>,
    /// The scope of the random pool the asset is in (None: not eligible).
    pool: Option<Vec<u8>>,
}

#[derive(Debug, Default, PartialEq)]
struct OrderEntry {
    key: Vec<u8>,
    value: [u8; 16],
    scope: Vec<u8>,
    flags: u8,
    time: i64,
}

fn entries(key: u64, rec: &AssetRecord) -> Entries {
    let scope = ik::scope(rec.owner_id.as_deref());
    let trashed = rec.trashed_at.is_some();
    let listed = rec.visibility.is_listed();
    let order = listed.then(|| {
        let flags = ik::flags(rec.is_favorite, rec.visibility == Visibility::Archive);
        let time = rec.file_created_at_or_default();
        OrderEntry {
            key: ik::order_key(&scope, flags, time, &rec.id),
            value: ik::order_value(key, rec.updated_at),
            scope: scope.clone(),
            flags,
            time,
        }
    });
    let mut bits = 0;
    if trashed {
        bits |= ik::DEVICE_TRASHED;
    }
    if rec.visibility == Visibility::Hidden {
        bits |= ik::DEVICE_HIDDEN;
    }
    let device = (
        ik::device_key(
            rec.device_id_or_default(),
            rec.device_asset_id_or_default(),
            &scope,
            key,
        ),
        bits,
    );
    let sha1 = rec.checksum_sha1.as_ref().map(|d| {
        let mut v = Vec::with_capacity(1 + rec.id.len());
        v.push(u8::from(trashed));
        v.extend_from_slice(rec.id.as_bytes());
        (ik::sha1_key(d, &scope, key), v)
    });
    let pool = (listed && !trashed).then_some(scope);
    Entries {
        order,
        device,
        sha1,
        pool,
    }
}

/// The open Immich tables of a write, with the block-count and pool-size changes it has made
/// so far (written by [`ImmichTables::finish`]).
pub(crate) struct ImmichTables<'t> {
    order: Table<'t, &'static [u8], &'static [u8]>,
    blocks: Table<'t, &'static [u8], u64>,
    pool: Table<'t, &'static [u8], u64>,
    sizes: Table<'t, &'static [u8], u64>,
    slots: Table<'t, u64, u64>,
    device: Table<'t, &'static [u8], u8>,
    sha1: Table<'t, &'static [u8], &'static [u8]>,
    pending_blocks: HashMap<Vec<u8>, i64>,
    /// The least and greatest `updated_at` of the order entries this write inserted.
    updated: Option<(i64, i64)>,
    /// Current pool size per scope, once read or changed.
    pool_sizes: HashMap<Vec<u8>, u64>,
    /// Order-entry changes of [`ImmichTables::apply`], in call order, written in key order by
    /// [`ImmichTables::flush_order`]; with each one's block (scope, flags, time).
    pending_order: Queue,
    order_blocks: Vec<(Vec<u8>, u8, i64)>,
}

impl<'t> ImmichTables<'t> {
    pub(crate) fn open(txn: &'t redb::WriteTransaction) -> Result<Self> {
        Ok(ImmichTables {
            order: txn.open_table(tables::IMMICH_ORDER)?,
            blocks: txn.open_table(tables::IMMICH_BLOCKS)?,
            pool: txn.open_table(tables::RANDOM_POOL)?,
            sizes: txn.open_table(tables::RANDOM_SIZES)?,
            slots: txn.open_table(tables::RANDOM_SLOTS)?,
            device: txn.open_table(tables::DEVICE_INDEX)?,
            sha1: txn.open_table(tables::SHA1_INDEX)?,
            pending_blocks: HashMap::new(),
            updated: None,
            pool_sizes: HashMap::new(),
            pending_order: Queue::default(),
            order_blocks: Vec::new(),
        })
    }

    /// Moves asset `key`'s Immich entries from `old` to `new` (None: no record).
    pub(crate) fn apply(
        &mut self,
        key: u64,
        old: Option<&AssetRecord>,
        new: Option<&AssetRecord>,
    ) -> Result<()> {
        let before = old.map(|r| entries(key, r));
        let after = new.map(|r| entries(key, r));
        let (mut b_order, mut b_device, mut b_sha1, mut b_pool) = (None, None, None, None);
        if let Some(e) = before {
            (b_order, b_device, b_sha1, b_pool) = (e.order, Some(e.device), e.sha1, e.pool);
        }
        let (mut a_order, mut a_device, mut a_sha1, mut a_pool) = (None, None, None, None);
        if let Some(e) = after {
            (a_order, a_device, a_sha1, a_pool) = (e.order, Some(e.device), e.sha1, e.pool);
        }

        // Order entries (queued; their block counts follow each one's outcome).
        match (b_order, a_order) {
            (Some(b), Some(a)) if b.key == a.key => {
                if b.value != a.value {
                    self.queue_order(Change::Set, a)?;
                    self.note_updated(new.map_or(0, |r| r.updated_at));
                }
            }
            (b_order, a_order) => {
                if let Some(b) = b_order {
                    self.queue_order(Change::Remove, b)?;
                }
                if let Some(a) = a_order {
                    self.queue_order(Change::Insert, a)?;
                    self.note_updated(new.map_or(0, |r| r.updated_at));
                }
            }
        }

        if b_device != a_device {
            if let Some((k, _)) = &b_device {
                self.device.remove(k.as_slice())?;
            }
            if let Some((k, v)) = &a_device {
                self.device.insert(k.as_slice(), *v)?;
            }
        }
        if b_sha1 != a_sha1 {
            if let Some((k, _)) = &b_sha1 {
                self.sha1.remove(k.as_slice())?;
            }
            if let Some((k, v)) = &a_sha1 {
                self.sha1.insert(k.as_slice(), v.as_slice())?;
            }
        }
        if b_pool != a_pool {
            if let Some(scope) = b_pool.take() {
                self.pool_remove(&scope, key)?;
            }
            if let Some(scope) = a_pool.take() {
                self.pool_add(scope, key)?;
            }
        }
        Ok(())
    }

    /// Adds the entries of new records (keys not yet in any Immich index). The entries are
    /// computed and sorted on every core; the order, device and SHA-1 indexes and the random
    /// pool are then written concurrently, each table by one thread in key order (the pool in
    /// record order: positions are handed out in that order). A few records
    /// ([`crate::par::parallel_records`]) take the same steps on this thread.
    pub(crate) fn insert_new(&mut self, records: &[(u64, AssetRecord)]) -> Result<()> {
        // The order entries below are written directly, after the queued ones.
        self.flush_order()?;
        let parallel = crate::par::parallel_records(records.len());
        let all: Vec<Entries> = records
            .par_iter()
            .with_min_len(crate::par::min_len(parallel))
            .map(|(k, r)| entries(*k, r))
            .collect();
        let mut orders = Vec::new();
        let mut devices = Vec::with_capacity(records.len());
        let mut sha1s = Vec::new();
        let mut pooled = Vec::new();
        for ((key, rec), e) in records.iter().zip(all) {
            if let Some(o) = e.order {
                orders.push(o);
                self.note_updated(rec.updated_at);
            }
            devices.push(e.device);
            if let Some(s) = e.sha1 {
                sha1s.push(s);
            }
            if let Some(scope) = e.pool {
                pooled.push((scope, *key));
            }
        }
        crate::par::join(
            parallel,
            || crate::storage::keys::sort_by_key_bytes(&mut orders, |o| &o.key),
            || {
                crate::par::join(
                    parallel,
                    || devices.par_sort_unstable(),
                    || sha1s.par_sort_unstable(),
                )
            },
        );
        let ImmichTables {
            order,
            pool,
            sizes,
            slots,
            device,
            sha1,
            pending_blocks,
            pool_sizes,
            ..
        } = self;
        let mut done: [Result<()>; 4] = std::array::from_fn(|_| Ok(()));
        let [r_order, r_device, r_sha1, r_pool] = &mut done;
        crate::par::run(
            vec![
                Box::new(|| *r_order = insert_orders(order, &orders, pending_blocks)),
                Box::new(|| {
                    *r_device = insert_ascending(device, devices.len(), |j| {
                        (devices[j].0.as_slice(), devices[j].1)
                    })
                    .map(drop)
                    .map_err(Into::into);
                }),
                Box::new(|| {
                    *r_sha1 = insert_ascending(sha1, sha1s.len(), |j| {
                        (sha1s[j].0.as_slice(), sha1s[j].1.as_slice())
                    })
                    .map(drop)
                    .map_err(Into::into);
                }),
                Box::new(|| {
                    let mut p = Pool {
                        pool,
                        slots,
                        sizes,
                        pool_sizes,
                    };
                    *r_pool = p.add_all(pooled);
                }),
            ],
            parallel,
        );
        Error::first_of(done)
    }

    /// Writes the block counts and pool sizes changed by this write.
    pub(crate) fn finish(mut self) -> Result<()> {
        self.flush_order()?;
        let mut blocks: Vec<(Vec<u8>, i64)> = std::mem::take(&mut self.pending_blocks)
            .into_iter()
            .filter(|(_, d)| *d != 0)
            .collect();
        blocks.sort_unstable();
        crate::index::bump_counts(&mut self.blocks, &blocks)?;
        if let Some((lo, hi)) = self.updated {
            let (old_lo, old_hi) = stored_updated_bounds(&self.blocks)?;
            if old_lo.is_none_or(|o| lo < o) {
                self.blocks.insert(ik::UPDATED_MIN, lo as u64)?;
            }
            if old_hi.is_none_or(|o| hi > o) {
                self.blocks.insert(ik::UPDATED_MAX, hi as u64)?;
            }
        }
        for (scope, size) in std::mem::take(&mut self.pool_sizes) {
            if size == 0 {
                self.sizes.remove(scope.as_slice())?;
            } else {
                self.sizes.insert(scope.as_slice(), size)?;
            }
        }
        Ok(())
    }

    /// Queues a change of an order entry, and writes the queue once it holds [`QUEUE_BYTES`].
    fn queue_order(&mut self, change: Change, e: OrderEntry) -> Result<()> {
        self.pending_order.push(change, &e.key, &e.value);
        self.order_blocks.push((e.scope, e.flags, e.time));
        if self.pending_order.bytes() >= QUEUE_BYTES {
            self.flush_order()?;
        }
        Ok(())
    }

    /// Writes the queued order entries in key order (see [`crate::storage::queue`]), then
    /// counts in their blocks the entries each insert added and each removal took away.
    fn flush_order(&mut self) -> Result<()> {
        let queue = std::mem::take(&mut self.pending_order);
        let blocks = std::mem::take(&mut self.order_blocks);
        if queue.is_empty() {
            return Ok(());
        }
        let out = queue.write(&mut self.order)?;
        for (j, (scope, flags, time)) in blocks.iter().enumerate() {
            match queue.get(j).0 {
                Change::Insert if out.added(j) => self.count_blocks(scope, *flags, *time, 1),
                Change::Remove if out.removed(j).is_some() => {
                    self.count_blocks(scope, *flags, *time, -1)
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn note_updated(&mut self, t: i64) {
        self.updated = Some(match self.updated {
            None => (t, t),
            Some((lo, hi)) => (lo.min(t), hi.max(t)),
        });
    }

    fn count_blocks(&mut self, scope: &[u8], flags: u8, time: i64, delta: i64) {
        for level in 1..=3 {
            let k = ik::block_key(level, scope, flags, ik::bucket(level, time));
            *self.pending_blocks.entry(k).or_default() += delta;
        }
    }

    fn pool(&mut self) -> Pool<'_, 't> {
        Pool {
            pool: &mut self.pool,
            slots: &mut self.slots,
            sizes: &self.sizes,
            pool_sizes: &mut self.pool_sizes,
        }
    }

    fn pool_add(&mut self, scope: Vec<u8>, key: u64) -> Result<()> {
        self.pool().add(scope, key)
    }

    fn pool_remove(&mut self, scope: &[u8], key: u64) -> Result<()> {
        self.pool().remove(scope, key)
    }
}

/// Inserts order entries sorted by key and counts the new ones in their blocks (sorted, the
/// entries of one bucket are adjacent: each run is counted once per level).
fn insert_orders(
    order: &mut Table<'_, &'static [u8], &'static [u8]>,
    orders: &[OrderEntry],
    pending_blocks: &mut HashMap<Vec<u8>, i64>,
) -> Result<()> {
    let mut existed = insert_ascending(order, orders.len(), |j| {
        (orders[j].key.as_slice(), orders[j].value.as_slice())
    })?
    .into_iter()
    .peekable();
    let mut runs: [Option<(Vec<u8>, i64)>; 3] = [None, None, None];
    for (j, o) in orders.iter().enumerate() {
        if existed.next_if_eq(&j).is_some() {
            continue;
        }
        for (i, run) in runs.iter_mut().enumerate() {
            let level = i as u8 + 1;
            let bk = ik::block_key(level, &o.scope, o.flags, ik::bucket(level, o.time));
            match run {
                Some((k, n)) if *k == bk => *n += 1,
                _ => {
                    if let Some((k, n)) = run.take() {
                        *pending_blocks.entry(k).or_default() += n;
                    }
                    *run = Some((bk, 1));
                }
            }
        }
    }
    for (k, n) in runs.into_iter().flatten() {
        *pending_blocks.entry(k).or_default() += n;
    }
    Ok(())
}

/// The random pool's tables of a write, with the pool sizes read or changed so far.
struct Pool<'a, 't> {
    pool: &'a mut Table<'t, &'static [u8], u64>,
    slots: &'a mut Table<'t, u64, u64>,
    sizes: &'a Table<'t, &'static [u8], u64>,
    pool_sizes: &'a mut HashMap<Vec<u8>, u64>,
}

impl Pool<'_, '_> {
    fn size(&mut self, scope: &[u8]) -> Result<u64> {
        if let Some(&n) = self.pool_sizes.get(scope) {
            return Ok(n);
        }
        let n = self.sizes.get(scope)?.map_or(0, |v| v.value());
        self.pool_sizes.insert(scope.to_vec(), n);
        Ok(n)
    }

    fn add(&mut self, scope: Vec<u8>, key: u64) -> Result<()> {
        let n = self.size(&scope)?;
        self.pool.insert(ik::pool_key(&scope, n).as_slice(), key)?;
        if self.slots.insert(key, n)?.is_some() {
            return Err(Error::Corrupt(format!(
                "asset key {key} was already in the random pool"
            )));
        }
        self.pool_sizes.insert(scope, n + 1);
        Ok(())
    }

    /// Adds new assets (each to the end of its scope's pool), written in key order.
    fn add_all(&mut self, pooled: Vec<(Vec<u8>, u64)>) -> Result<()> {
        let mut rows: Vec<(Vec<u8>, u64)> = Vec::with_capacity(pooled.len());
        let mut slots: Vec<(u64, u64)> = Vec::with_capacity(pooled.len());
        for (scope, key) in pooled {
            let n = self.size(&scope)?;
            rows.push((ik::pool_key(&scope, n), key));
            slots.push((key, n));
            self.pool_sizes.insert(scope, n + 1);
        }
        rows.sort_unstable();
        slots.sort_unstable();
        insert_ascending(self.pool, rows.len(), |j| (rows[j].0.as_slice(), rows[j].1))?;
        if let Some(&j) = insert_ascending(self.slots, slots.len(), |j| slots[j])?.first() {
            return Err(Error::Corrupt(format!(
                "asset key {} was already in the random pool",
                slots[j].0
            )));
        }
        Ok(())
    }

    /// Swap-remove: the last asset of the scope's pool takes the removed one's position.
    fn remove(&mut self, scope: &[u8], key: u64) -> Result<()> {
        let pos =
            self.slots.remove(key)?.map(|v| v.value()).ok_or_else(|| {
                Error::Corrupt(format!("asset key {key} is not in the random pool"))
            })?;
        let n = self.size(scope)?;
        let last = n.checked_sub(1).filter(|&l| pos <= l).ok_or_else(|| {
            Error::Corrupt(format!(
                "random pool position {pos} is outside the pool's {n} entries"
            ))
        })?;
        let moved = self
            .pool
            .remove(ik::pool_key(scope, last).as_slice())?
            .map(|v| v.value())
            .ok_or_else(|| Error::Corrupt(format!("random pool position {last} is empty")))?;
        if pos != last {
            self.pool
                .insert(ik::pool_key(scope, pos).as_slice(), moved)?;
            self.slots.insert(moved, pos)?;
        } else if moved != key {
            return Err(Error::Corrupt(format!(
                "random pool position {pos} holds asset key {moved}, not {key}"
            )));
        }
        self.pool_sizes.insert(scope.to_vec(), last);
        Ok(())
    }
}

/// The stored least and greatest `updated_at` of any order entry so far (None: no entry yet).
pub(crate) fn stored_updated_bounds(
    blocks: &impl ReadableTable<&'static [u8], u64>,
) -> Result<(Option<i64>, Option<i64>)> {
    let get = |k: &[u8]| -> Result<Option<i64>> { Ok(blocks.get(k)?.map(|v| v.value() as i64)) };
    Ok((get(ik::UPDATED_MIN)?, get(ik::UPDATED_MAX)?))
}

/// Builds every Immich index from the asset records (the upgrade from format 2), in batches
/// so that memory stays bounded.
pub(crate) fn rebuild(txn: &redb::WriteTransaction) -> Result<()> {
    const BATCH: usize = 20_000;
    let assets = txn.open_table(tables::ASSETS)?;
    let mut idx = ImmichTables::open(txn)?;
    let mut batch: Vec<(u64, AssetRecord)> = Vec::with_capacity(BATCH);
    for row in assets.iter()? {
        let (k, v) = row?;
        batch.push((k.value(), crate::storage::fast::asset_record(v.value())?));
        if batch.len() == BATCH {
            idx.insert_new(&batch)?;
            batch.clear();
        }
    }
    idx.insert_new(&batch)?;
    idx.finish()
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use chrono::{TimeZone, Utc};
    use proptest::prelude::*;

    use super::*;
    use crate::model::{AssetUpdate, NewAsset};
    use crate::write::{AddAssets, NewLibrary};
    use crate::Catalog;

    type Bytes = Vec<u8>;

    /// Everything the Immich tables hold, with the random pool as a set per scope (positions
    /// depend on the order of past writes) after checking that slots, pool and sizes agree.
    #[derive(Debug, PartialEq)]
    struct Snapshot {
        order: BTreeMap<Bytes, Bytes>,
        blocks: BTreeMap<Bytes, u64>,
        device: BTreeMap<Bytes, u8>,
        sha1: BTreeMap<Bytes, Bytes>,
        pool: BTreeMap<Bytes, BTreeSet<u64>>,
    }

    macro_rules! collect {
        ($txn:expr, $def:expr, |$k:ident, $v:ident| $map:expr) => {{
            let t = $txn.open_table($def).unwrap();
            let mut out = BTreeMap::new();
            for row in t.iter().unwrap() {
                let (k, v) = row.unwrap();
                let ($k, $v) = (k.value(), v.value());
                let (a, b) = $map;
                out.insert(a, b);
            }
            out
        }};
    }

    fn check(txn: &redb::ReadTransaction) -> Snapshot {
        let order = collect!(txn, tables::IMMICH_ORDER, |k, v| (k.to_vec(), v.to_vec()));
        let blocks = collect!(txn, tables::IMMICH_BLOCKS, |k, v| (k.to_vec(), v));
        let device = collect!(txn, tables::DEVICE_INDEX, |k, v| (k.to_vec(), v));
        let sha1 = collect!(txn, tables::SHA1_INDEX, |k, v| (k.to_vec(), v.to_vec()));
        let pool_rows = collect!(txn, tables::RANDOM_POOL, |k, v| (k.to_vec(), v));
        let sizes = collect!(txn, tables::RANDOM_SIZES, |k, v| (k.to_vec(), v));
        let slots = collect!(txn, tables::RANDOM_SLOTS, |k, v| (k, v));
        let mut pool: BTreeMap<Bytes, BTreeSet<u64>> = BTreeMap::new();
        for (k, asset) in &pool_rows {
            let len = ik::scope_len(k).unwrap();
            let pos = u64::from_be_bytes(k[len..].try_into().unwrap());
            assert!(
                pos < sizes[&k[..len]],
                "position {pos} beyond the pool size"
            );
            assert_eq!(slots.get(asset), Some(&pos), "slot of asset {asset}");
            assert!(pool.entry(k[..len].to_vec()).or_default().insert(*asset));
        }
        assert_eq!(slots.len(), pool_rows.len());
        for (scope, n) in &sizes {
            assert_eq!(pool.get(scope).map_or(0, |p| p.len() as u64), *n);
        }
        Snapshot {
            order,
            blocks,
            device,
            sha1,
            pool,
        }
    }

    /// The maintained tables equal a rebuild from the records.
    fn assert_consistent(cat: &Catalog) {
        let mut maintained = check(&cat.begin_read().unwrap());
        let txn = cat.begin_write().unwrap().0;
        for name in [
            "immich_order",
            "immich_blocks",
            "random_pool",
            "random_sizes",
            "device_index",
            "sha1_index",
        ] {
            txn.delete_table(redb::TableDefinition::<&[u8], &[u8]>::new(name))
                .unwrap();
        }
        txn.delete_table(tables::RANDOM_SLOTS).unwrap();
        rebuild(&txn).unwrap();
        txn.commit().unwrap();
        let mut rebuilt = check(&cat.begin_read().unwrap());
        // The updated_at bounds only widen: the maintained ones enclose the rebuilt (tight)
        // ones; the rest is equal.
        let bounds = |s: &mut Snapshot| {
            let lo = s.blocks.remove(ik::UPDATED_MIN).map(|v| v as i64);
            let hi = s.blocks.remove(ik::UPDATED_MAX).map(|v| v as i64);
            (lo, hi)
        };
        let (m_lo, m_hi) = bounds(&mut maintained);
        let (r_lo, r_hi) = bounds(&mut rebuilt);
        if let (Some(r_lo), Some(r_hi)) = (r_lo, r_hi) {
            assert!(m_lo.unwrap() <= r_lo && m_hi.unwrap() >= r_hi);
        }
        assert_eq!(maintained, rebuilt);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Add(u8, Vec<(u8, u8, bool, u8, u8)>),
        Trash(u8),
        Restore(u8),
        Delete(u8),
        Favorite(u8, bool),
        Visibility(u8, u8),
        Time(u8, u8),
        Device(u8, u8),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (
                0u8..3,
                proptest::collection::vec((0u8..6, 0u8..4, any::<bool>(), 0u8..4, 0u8..5), 1..6)
            )
                .prop_map(|(l, v)| Op::Add(l, v)),
            any::<u8>().prop_map(Op::Trash),
            any::<u8>().prop_map(Op::Restore),
            any::<u8>().prop_map(Op::Delete),
            (any::<u8>(), any::<bool>()).prop_map(|(a, f)| Op::Favorite(a, f)),
            (any::<u8>(), 0u8..4).prop_map(|(a, v)| Op::Visibility(a, v)),
            (any::<u8>(), 0u8..6).prop_map(|(a, t)| Op::Time(a, t)),
            (any::<u8>(), 0u8..4).prop_map(|(a, d)| Op::Device(a, d)),
        ]
    }

    fn visibility(v: u8) -> Visibility {
        [
            Visibility::Timeline,
            Visibility::Archive,
            Visibility::Hidden,
            Visibility::Locked,
        ][usize::from(v % 4)]
    }

    fn time(t: u8) -> chrono::DateTime<Utc> {
        // Ties, and times far apart (different buckets at every level).
        Utc.timestamp_opt(
            1_500_000_000 + i64::from(t % 3) * 40_000_000 * i64::from(t / 3 + 1),
            0,
        )
        .unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
        #[test]
        fn maintained_indexes_equal_a_rebuild(ops in proptest::collection::vec(op(), 1..25)) {
            let cat = Catalog::in_memory().unwrap();
            for (i, owner) in [Some("user_a"), Some("user_b"), None].into_iter().enumerate() {
                cat.create_library(NewLibrary {
                    name: format!("l{i}"),
                    id: Some(format!("library_{i}")),
                    owner_id: owner.map(Into::into),
                }).unwrap();
            }
            let mut ids: Vec<String> = Vec::new();
            let mut n = 0u32;
            for op in ops {
                let pick = |a: u8| (!ids.is_empty()).then(|| ids[usize::from(a) % ids.len()].clone());
                match op {
                    Op::Add(lib, recs) => {
                        let recs = recs.into_iter().map(|(t, d, fav, vis, sum)| {
                            n += 1;
                            NewAsset {
                                file_created_at: Some(time(t)),
                                device_id: (d > 0).then(|| format!("dev{d}")),
                                device_asset_id: (d > 1).then(|| format!("d{}", n % 3)),
                                is_favorite: Some(fav),
                                visibility: Some(visibility(vis)),
                                checksum_sha1: (sum > 0).then(|| {
                                    use base64::Engine;
                                    base64::engine::general_purpose::STANDARD.encode([sum; 20])
                                }),
                                ..Default::default()
                            }
                        }).collect();
                        let opts = AddAssets {
                            library_id: Some(format!("library_{lib}")),
                            ..AddAssets::default()
                        };
                        // A duplicate SHA-1 in one library is refused; that is fine here.
                        if let Ok(added) = cat.add_assets(recs, opts) {
                            ids.extend(added.into_iter().map(|a| a.id));
                        }
                    }
                    Op::Trash(a) => if let Some(id) = pick(a) { cat.trash_assets(&[id]).unwrap() },
                    Op::Restore(a) => if let Some(id) = pick(a) { cat.restore_assets(&[id]).unwrap() },
                    Op::Delete(a) => if let Some(id) = pick(a) {
                        cat.delete_assets(&[&id]).unwrap();
                        ids.retain(|i| *i != id);
                    },
                    Op::Favorite(a, f) => if let Some(id) = pick(a) {
                        cat.update_asset(&id, AssetUpdate { is_favorite: Some(f), ..Default::default() }).unwrap();
                    },
                    Op::Visibility(a, v) => if let Some(id) = pick(a) {
                        cat.update_asset(&id, AssetUpdate { visibility: Some(visibility(v)), ..Default::default() }).unwrap();
                    },
                    Op::Time(a, t) => if let Some(id) = pick(a) {
                        cat.update_asset(&id, AssetUpdate { file_created_at: Some(time(t)), ..Default::default() }).unwrap();
                    },
                    Op::Device(a, d) => if let Some(id) = pick(a) {
                        cat.update_asset(&id, AssetUpdate { device_asset_id: Some(format!("d{d}")), ..Default::default() }).unwrap();
                    },
                }
            }
            let report = cat.verify().unwrap();
            assert!(report.is_ok(), "{report}");
            assert_consistent(&cat);
        }
    }
}
