//! Upgrades of older catalogue formats, run by [`crate::Catalog::open`] in one write
//! transaction: the file is either upgraded whole or left as it was.
//!
//! * **1 → 2**: adds the maintained entry counts of the list index (`list_counts`), computed
//!   by one pass over the index. Format 1's asset records stay as they are: they are read with
//!   no time source (`local_datetime_source` is None) and rewritten in format 2 by their next
//!   change.
//! * **2 → 3**: adds the Immich-side indexes (`immich_order`, `immich_blocks`, the random
//!   pool, `device_index`, `sha1_index`), built by one pass over the asset records.
//! * **3 → 4**: adds search and time buckets: the day counts of the list index, the search
//!   facets' entries with their interned values, and the text column (one pass over the index
//!   and one over the records).
//! * **4 → 5**: removes the facet groups of the majority values (favourite `false`, visibility
//!   `timeline`, type `IMAGE`; [`crate::facets::majority`]) from the list index, `list_counts`,
//!   `day_counts` and `postings`, in every library. Their interned values stay in
//!   `facet_values` (a value key is never reused).
//! * **5 → 6**: replaces `asset_ids` (public id to internal key) with `asset_places` (public
//!   id to the asset's place: key, library, time, offset, trash and listing;
//!   [`super::places`]), built by one pass over the asset records in key order.

use std::collections::BTreeMap;

use redb::{ReadableTable, ReadableTableMetadata};

use super::fast::AssetRef;
use super::places::{self, Place};
use super::{keys, meta, tables};
use crate::error::{Error, Result};

/// Upgrades a catalogue of format `from` to [`meta::FORMAT_VERSION`].
pub(crate) fn run(txn: &redb::WriteTransaction, from: u32) -> Result<()> {
    crate::catalog::create_tables(txn)?;
    if from <= 5 {
        build_places(txn)?;
    }
    if from == 1 {
        let mut counts = txn.open_table(tables::LIST_COUNTS)?;
        for (prefix, n) in count_list_index(&txn.open_table(tables::LIST_INDEX)?)? {
            counts.insert(prefix.as_slice(), n)?;
        }
    }
    if from <= 2 {
        crate::immich_index::rebuild(txn)?;
    }
    if from <= 3 {
        // Builds format 5's facets straight away (no majority groups).
        crate::index::rebuild_search(txn)?;
    } else if from == 4 {
        drop_majority_groups(txn)?;
    }
    meta::set_version(txn, meta::FORMAT_VERSION)
}

/// Formats 1 to 5's map of public asset ids to internal keys, replaced by
/// [`tables::ASSET_PLACES`] in format 6.
const ASSET_IDS_5: redb::TableDefinition<&str, u64> = redb::TableDefinition::new("asset_ids");

/// Format 5 → 6: the place of every asset, from its record (read in key order), written in id
/// order, in runs of at most [`PLACES_RUN`] (so memory stays bounded at any size); then the
/// old id map goes. Every record must have its id in the old map, pointing at it, and the map
/// must hold nothing else: a file where they disagree is `Corrupt` (run `verify` on a backup
/// with the older build to see where).
fn build_places(txn: &redb::WriteTransaction) -> Result<()> {
    let old = txn.open_table(ASSET_IDS_5)?;
    let assets = txn.open_table(tables::ASSETS)?;
    let mut table = txn.open_table(tables::ASSET_PLACES)?;
    let mut run: Vec<(String, places::Bytes)> = Vec::new();
    let mut records = 0u64;
    let mut flush = |run: &mut Vec<(String, places::Bytes)>| -> Result<()> {
        run.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for (id, place) in run.drain(..) {
            table.insert(id.as_str(), &place)?;
        }
        Ok(())
    };
    for row in assets.iter()? {
        let (k, v) = row?;
        let key = k.value();
        let rec = AssetRef::parse(v.value())?;
        if old.get(rec.id)?.map(|g| g.value()) != Some(key) {
            return Err(Error::Corrupt(format!(
                "asset {:?} (key {key}) is not in the id map under its key: not upgraded to \
                 format 6",
                rec.id
            )));
        }
        run.push((rec.id.to_owned(), Place::of_stored(key, &rec).encode()));
        records += 1;
        if run.len() == PLACES_RUN {
            flush(&mut run)?;
        }
    }
    flush(&mut run)?;
    if records != old.len()? {
        return Err(Error::Corrupt(format!(
            "the id map holds {} assets, the records {records}: not upgraded to format 6",
            old.len()?
        )));
    }
    drop((old, assets, table));
    txn.delete_table(ASSET_IDS_5)?;
    Ok(())
}

/// The most places [`build_places`] holds before writing them (about 100 bytes each).
const PLACES_RUN: usize = 1 << 20;

/// Format 4 → 5: removes every key of the majority values' facet groups (every part) from the
/// four tables keyed by `group | part`.
fn drop_majority_groups(txn: &redb::WriteTransaction) -> Result<()> {
    use crate::facets;
    let values = txn.open_table(tables::FACET_VALUES)?;
    let mut majority = Vec::new();
    for (field, value) in facets::MAJORITY {
        if let Some(v) = values.get(facets::value_key(field, value).as_slice())? {
            majority.push((field, v.value()));
        }
    }
    drop(values);
    let libraries: Vec<u32> = txn
        .open_table(tables::LIBRARIES)?
        .iter()?
        .map(|row| row.map(|(k, _)| k.value()))
        .collect::<std::result::Result<_, _>>()?;
    let mut list = txn.open_table(tables::LIST_INDEX)?;
    let mut counts = txn.open_table(tables::LIST_COUNTS)?;
    let mut days = txn.open_table(tables::DAY_COUNTS)?;
    let mut postings = txn.open_table(tables::POSTINGS)?;
    for &library in &libraries {
        for &(field, value) in &majority {
            // The group's keys: its prefix without the part byte, then a part (0..=2) and more.
            let mut lower = keys::prefix(facets::group(library, field, value), keys::Part::Live);
            lower.pop();
            let mut upper = lower.clone();
            upper.push(0xff);
            let range = lower.as_slice()..upper.as_slice();
            list.retain_in::<&[u8], _>(range.clone(), |_, _| false)?;
            counts.retain_in::<&[u8], _>(range.clone(), |_, _| false)?;
            days.retain_in::<&[u8], _>(range.clone(), |_, _| false)?;
            postings.retain_in::<&[u8], _>(range, |_, _| false)?;
        }
    }
    Ok(())
}

/// The number of list-index entries under each `group | part` prefix, counted by walking the
/// index (the upgrade's, and the tests', recount of what `list_counts` maintains).
pub(crate) fn count_list_index(
    index: &impl ReadableTable<&'static [u8], &'static [u8]>,
) -> Result<BTreeMap<Vec<u8>, u64>> {
    let mut out: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
    for row in index.iter()? {
        let (k, _) = row?;
        let k = k.value();
        let len = keys::prefix_len(k)
            .ok_or_else(|| Error::Corrupt("a list-index key of no known group".into()))?;
        match out.get_mut(&k[..len]) {
            Some(n) => *n += 1,
            None => {
                out.insert(k[..len].to_vec(), 1);
            }
        }
    }
    Ok(out)
}
