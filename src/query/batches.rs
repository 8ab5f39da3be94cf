//! Whole results as Arrow record batches (feature `arrow`): [`Catalog::arrow_batches`].
//!
//! A reader owns one read transaction, so every batch comes from the same snapshot, and keeps
//! only the list position of the last row it produced: each step of `batch_size` rows walks the
//! list index from there (the cursor rule of pages) and splits the entries among the cores;
//! each core reads its records, builds its assets and appends them to its own Arrow builders,
//! making one batch. Memory is bounded by one step (`batch_size` rows) whatever the result's
//! size; no JSON and no `Vec<Asset>` of the whole result is ever made. The read statistics
//! ([`Catalog::read_stats`]) count only the opening of a reader, not its batches.

use std::collections::{HashMap, VecDeque};

use arrow_array::{RecordBatch, RecordBatchReader};
use arrow_schema::{ArrowError, SchemaRef};
use rayon::prelude::*;
use redb::{ReadTransaction, ReadableTable};

use crate::catalog::{Catalog, Tally};
use crate::error::{Error, Result};
use crate::model::Asset;
use crate::query::cursor::Start;
use crate::query::list::{Hit, Keep, Resolved};
use crate::query::ListAssets;
use crate::records::{self, PeopleCache};
use crate::snapshot::Snapshot;
use crate::storage::codec::AlbumRecord;
use crate::storage::places;
use crate::storage::tables;
use crate::views::arrow::{schema, BatchBuilder, Row};

/// The default number of rows of a batch (`batch_size` of the Python calls).
pub const DEFAULT_BATCH_SIZE: usize = 65_536;

/// The fewest rows a core builds into a batch of its own (smaller steps are not split).
const MIN_CHUNK: usize = 4096;

/// The batches of [`Catalog::arrow_batches`]: an Arrow [`RecordBatchReader`] over one
/// snapshot. Each item is a batch of at most `batch_size` rows, in list order; the schema is
/// [`crate::views::arrow::schema`]. A step of `batch_size` entries is built on every core,
/// one batch per core (chunks of at least 4,096 rows; smaller steps are one batch), so batches
/// may be smaller than `batch_size`.
pub struct AssetBatches {
    txn: Snapshot,
    query: ListAssets,
    /// None when the query matches nothing (no library), or once every row is out.
    resolved: Option<Resolved>,
    batch_size: usize,
    library_id: String,
    albums: HashMap<u32, String>,
    /// Batches built and not yet returned (one step of the index builds several).
    pending: VecDeque<RecordBatch>,
}

impl Catalog {
    /// Every asset matching the filters of `query` (all of [`ListAssets`] but `limit`; a
    /// `starting_after_id` starts after that asset, as a page would) as Arrow record batches
    /// of at most `batch_size` rows, in list order, all from one snapshot. `batch_size` must
    /// be at least 1 ([`DEFAULT_BATCH_SIZE`] is a good size).
    ///
    /// ```
    /// # fn main() -> photocat::Result<()> {
    /// use photocat::{AddAssets, Catalog, ListAssets, NewAsset};
    /// let cat = Catalog::in_memory()?;
    /// let records = (1..=5)
    ///     .map(|d| NewAsset {
    ///         local_datetime: Some(format!("2024-05-0{d}T10:00:00").parse().unwrap()),
    ///         ..Default::default()
    ///     })
    ///     .collect();
    /// cat.add_assets(records, AddAssets::default())?;
    /// let batches = cat.arrow_batches(&ListAssets::default(), 2)?;
    /// let sizes: Vec<usize> = batches.map(|b| b.unwrap().num_rows()).collect();
    /// assert_eq!(sizes, [2, 2, 1]);
    /// # Ok(()) }
    /// ```
    pub fn arrow_batches(&self, query: &ListAssets, batch_size: usize) -> Result<AssetBatches> {
        if batch_size == 0 {
            return Err(Error::invalid("batch_size must be at least 1, got 0"));
        }
        let query = ListAssets {
            limit: crate::query::DEFAULT_LIMIT,
            ..query.clone()
        };
        query.validate()?;
        let txn = Snapshot::of(self.begin_read()?);
        let mut tally = Tally::default();
        let resolved =
            Catalog::resolve(&txn, &query, None, &mut tally).map_err(|e| e.at(self.path()))?;
        self.stats.add(&tally);
        let library_id = resolved
            .as_ref()
            .map(|r| r.lib.id.clone())
            .unwrap_or_default();
        Ok(AssetBatches {
            txn,
            query,
            resolved,
            batch_size,
            library_id,
            albums: HashMap::new(),
            pending: VecDeque::new(),
        })
    }

    /// The given assets as one batch of the Arrow schema, their `album_ids` read from the
    /// catalogue's current state (an asset deleted since has none): how the frames of an
    /// `AssetPage` are built.
    pub fn assets_batch(&self, assets: &[Asset]) -> Result<RecordBatch> {
        let txn = self.begin_read()?;
        let ids = txn.open_table(tables::ASSET_PLACES)?;
        let links = txn.open_table(tables::ASSET_ALBUMS)?;
        let albums = txn.open_table(tables::ALBUMS)?;
        let (known, mut names, mut tally) = (HashMap::new(), HashMap::new(), Tally::default());
        let mut album_ids = Vec::with_capacity(assets.len());
        for a in assets {
            album_ids.push(match places::key(&ids, &a.id)? {
                Some(key) => album_ids_of(&links, &albums, key, &known, &mut names, &mut tally)?,
                None => Vec::new(),
            });
        }
        self.stats.add(&tally);
        let rows: Vec<Row<'_>> = assets
            .iter()
            .zip(&album_ids)
            .map(|(asset, album_ids)| Row { asset, album_ids })
            .collect();
        Ok(crate::views::arrow::batch_of(&rows)?)
    }
}

type Bytes = &'static [u8];

/// Ids of the albums holding asset `key`, sorted. Album ids are looked up in `known`, then in
/// `names`, then read (and remembered in `names`).
fn album_ids_of(
    links: &impl ReadableTable<(u64, u32), ()>,
    albums: &impl ReadableTable<u32, Bytes>,
    key: u64,
    known: &HashMap<u32, String>,
    names: &mut HashMap<u32, String>,
    tally: &mut Tally,
) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for row in links.range((key, 0)..=(key, u32::MAX))? {
        let album = row?.0.value().1;
        if let Some(id) = known.get(&album).or_else(|| names.get(&album)) {
            out.push(id.clone());
            continue;
        }
        let rec: AlbumRecord = records::load_u32(albums, album, "album", tally)?;
        out.push(rec.id.clone());
        names.insert(album, rec.id);
    }
    out.sort_unstable();
    Ok(out)
}

impl AssetBatches {
    /// Steps the index for the next `batch_size` entries and builds them, in chunks on every
    /// core: each chunk reads its records, builds its assets and appends them to its own Arrow
    /// builders, so the batches of one step come out in list order, together at most
    /// `batch_size` rows.
    fn fill(&mut self) -> Result<()> {
        let Some(r) = self.resolved.as_mut() else {
            return Ok(());
        };
        let mut tally = Tally::default();
        let (hits, has_more) = Catalog::hits(
            &self.txn,
            &self.query,
            r,
            self.batch_size,
            Keep::Records,
            &mut tally,
        )?;
        match (hits.last(), has_more) {
            (Some(last), true) => r.start = Start::After(last.0.clone()),
            _ => self.resolved = None,
        }
        if hits.is_empty() {
            return Ok(());
        }
        let threads = rayon::current_num_threads().max(1);
        let chunk = hits.len().div_ceil(threads).max(MIN_CHUNK);
        let txn = &self.txn;
        let library_id = self.library_id.as_str();
        let known = &self.albums;
        let parts = hits
            .into_par_iter()
            .chunks(chunk)
            .map(|hits| chunk_batch(txn, library_id, known, hits))
            .collect::<Result<Vec<_>>>()?;
        for (batch, names) in parts {
            self.albums.extend(names);
            self.pending.push_back(batch);
        }
        Ok(())
    }
}

/// The batch of some entries, in order, and the album names read that `known` lacked (for the
/// reader to remember).
fn chunk_batch(
    txn: &ReadTransaction,
    library_id: &str,
    known: &HashMap<u32, String>,
    hits: Vec<Hit>,
) -> Result<(RecordBatch, HashMap<u32, String>)> {
    let mut tally = Tally::default();
    let records = txn.open_table(tables::ASSETS)?;
    let people = txn.open_table(tables::PEOPLE)?;
    let links = txn.open_table(tables::ASSET_ALBUMS)?;
    let albums = txn.open_table(tables::ALBUMS)?;
    let mut cache = PeopleCache::default();
    let mut names: HashMap<u32, String> = HashMap::new();
    let mut builder = BatchBuilder::new(hits.len());
    for (_, key, rec) in hits {
        let rec = match rec {
            Some(r) => *r,
            None => records::load_asset(&records, key, &mut tally)?,
        };
        let album_ids = album_ids_of(&links, &albums, key, known, &mut names, &mut tally)?;
        let asset = records::asset_public(rec, library_id, &people, &mut cache, &mut tally)?;
        builder.append(&Row {
            asset: &asset,
            album_ids: &album_ids,
        })?;
    }
    Ok((builder.finish()?, names))
}

impl Iterator for AssetBatches {
    type Item = std::result::Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.pending.is_empty() {
            if let Err(e) = self.fill() {
                self.resolved = None;
                return Some(Err(ArrowError::ExternalError(Box::new(e))));
            }
        }
        self.pending.pop_front().map(Ok)
    }
}

impl RecordBatchReader for AssetBatches {
    fn schema(&self) -> SchemaRef {
        schema()
    }
}
