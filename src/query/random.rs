//! [`Catalog::random_assets`]: Immich's `GET /assets/random`, as a uniform sample drawn from
//! the maintained random pool (see `storage::immich_keys`): its cost follows `count`,
//! not the library.

use rand::SeedableRng;
use redb::ReadableTable;

use crate::catalog::{Catalog, Tally};
use crate::error::{Error, Result};
use crate::model::Asset;
use crate::storage::immich_keys as ik;
use crate::storage::tables;

/// Parameters of [`Catalog::random_assets`].
///
/// ```
/// let q = photocat::RandomAssets::default();
/// assert_eq!((q.count, q.owner_id, q.seed), (1, None, None));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RandomAssets {
    /// The most assets to draw (1 or more; Immich's default is 1 and it has no maximum).
    pub count: usize,
    /// Only this owner's assets; None draws from every owner's and the ownerless ones.
    pub owner_id: Option<String>,
    /// Makes the draw reproducible: the same seed over the same catalogue state gives the
    /// same assets in the same order. None draws a fresh seed from the operating system.
    pub seed: Option<u64>,
}

impl Default for RandomAssets {
    fn default() -> Self {
        RandomAssets {
            count: 1,
            owner_id: None,
            seed: None,
        }
    }
}

impl Catalog {
    /// A uniform random sample without replacement of the assets eligible for Immich's
    /// `GET /assets/random`: not trashed, visibility timeline or archive (hidden and locked
    /// ones never appear), of `owner_id` (every owner when None). At most `count` assets;
    /// when fewer are eligible, all of them, in random order.
    ///
    /// Every write keeps the eligible assets of each owner at dense positions `0..n` (a
    /// removal moves the last one into the hole, in the write's transaction), so a draw picks
    /// `count` distinct positions uniformly (`rand::seq::index::sample` with Xoshiro256++)
    /// and reads one pool entry and one record per asset. A seed reproduces a sample of the
    /// same catalogue state; positions depend on the order of past writes, so two catalogues
    /// with the same assets may answer differently.
    ///
    /// ```
    /// # fn main() -> photocat::Result<()> {
    /// use photocat::{AddAssets, Catalog, NewAsset, RandomAssets};
    /// let cat = Catalog::in_memory()?;
    /// cat.add_assets(vec![NewAsset::default(); 10], AddAssets::default())?;
    /// let q = RandomAssets { count: 3, seed: Some(7), ..Default::default() };
    /// let a = cat.random_assets(&q)?;
    /// assert_eq!(a.len(), 3);
    /// assert_eq!(cat.random_assets(&q)?, a); // the same seed, the same sample
    /// assert!(cat.random_assets(&RandomAssets { count: 0, ..q }).is_err());
    /// # Ok(()) }
    /// ```
    pub fn random_assets(&self, q: &RandomAssets) -> Result<Vec<Asset>> {
        if q.count == 0 {
            return Err(Error::invalid(
                "count must be 1 or more (the most assets to draw), got 0",
            ));
        }
        let (txn, view) = self.begin_read_cached()?;
        let mut tally = Tally::default();
        let sizes = txn.open_table(tables::RANDOM_SIZES)?;
        // The pools drawn from, with the first position of each in the concatenation.
        let mut pools: Vec<(Vec<u8>, u64)> = Vec::new();
        let mut total: u64 = 0;
        match &q.owner_id {
            Some(o) => {
                let scope = ik::scope(Some(o));
                tally.seeks += 1;
                if let Some(n) = sizes.get(scope.as_slice())? {
                    pools.push((scope, 0));
                    total = n.value();
                }
            }
            None => {
                for row in sizes.iter()? {
                    let (k, n) = row?;
                    tally.index_entries += 1;
                    pools.push((k.value().to_vec(), total));
                    total = total
                        .checked_add(n.value())
                        .ok_or_else(|| Error::Corrupt("the random pool sizes overflow".into()))?;
                }
            }
        }
        let total = usize::try_from(total)
            .map_err(|_| Error::Corrupt("the random pool is larger than memory".into()))?;
        let amount = q.count.min(total);
        let seed = match q.seed {
            Some(s) => s,
            None => {
                let mut b = [0u8; 8];
                getrandom::fill(&mut b).map_err(|e| Error::Io {
                    path: None,
                    source: std::io::Error::other(format!("no random seed: {e}")),
                })?;
                u64::from_le_bytes(b)
            }
        };
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(seed);
        let picks = rand::seq::index::sample(&mut rng, total, amount);
        let pool = txn.open_table(tables::RANDOM_POOL)?;
        let mut keys = Vec::with_capacity(amount);
        for i in picks.iter() {
            let i = i as u64;
            let at = pools.partition_point(|(_, start)| *start <= i) - 1;
            let (scope, start) = &pools[at];
            tally.seeks += 1;
            let key = pool
                .get(ik::pool_key(scope, i - start).as_slice())?
                .map(|v| v.value())
                .ok_or_else(|| {
                    Error::Corrupt(format!("random pool position {} is empty", i - start))
                })?;
            keys.push(key);
        }
        let out = super::immich::assets_of_keys(&txn, view, &keys, &mut tally)?;
        self.stats.add(&tally);
        Ok(out)
    }
}
