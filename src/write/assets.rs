//! Asset writes: add (with its duplicate outcome), update, trash, restore, delete.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;
use redb::{ReadableTable, WriteTransaction};

use super::dedup::{checksum_keys, duplicate_checksum, find_duplicate, AddedAsset, Outcome};
use super::libraries::write_library;
use super::people::RefTables;
use super::prepare::{
    check_metrics, clean_exif, clean_metadata, prepare, update_capture_time, Prepared,
};
use super::{
    at_record, build_asset, build_assets, bumped, distinct_ids, load_by_id, now_micros, run_write,
    store, AddAssets, OnDuplicate,
};
use crate::catalog::{Catalog, Tally};
use crate::error::{Error, Result};
use crate::ids::{self, IdKind};
use crate::index::IndexTables;
use crate::model::{Asset, AssetUpdate, NewAsset};
use crate::records::{self, lookup_u32};
use crate::storage::codec::{self, AssetRecord};
use crate::storage::tables::{self, counter};

impl Catalog {
    /// Adds any number of assets in one transaction; see [`NewAsset`] for the record shape.
    ///
    /// Every record is validated (on every core) before anything is written; a record that
    /// fails makes the whole call fail with nothing written. Checksums are unique per
    /// (owner, library): see [`OnDuplicate`]. The result has one asset per record, in record
    /// order; [`add_assets_with_outcome`](Catalog::add_assets_with_outcome) also says which
    /// records were skipped as duplicates.
    pub fn add_assets(&self, records: Vec<NewAsset>, opts: AddAssets) -> Result<Vec<Asset>> {
        Ok(self
            .add_assets_with_outcome(records, opts)?
            .into_iter()
            .map(|a| a.asset)
            .collect())
    }

    /// [`add_assets`](Catalog::add_assets), with each record's outcome: whether it created its
    /// asset or (with [`OnDuplicate::Skip`]) was skipped as a duplicate of a stored asset or
    /// of an earlier record of the same call.
    ///
    /// ```
    /// # fn main() -> photocat::Result<()> {
    /// use photocat::{AddAssets, Catalog, NewAsset, OnDuplicate};
    /// let cat = Catalog::in_memory()?;
    /// let record = NewAsset {
    ///     checksum: Some("ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=".into()),
    ///     ..Default::default()
    /// };
    /// let skip = AddAssets { on_duplicate: OnDuplicate::Skip, ..Default::default() };
    /// let added = cat.add_assets_with_outcome(vec![record.clone(), record.clone()], skip.clone())?;
    /// assert!(added[0].created && !added[1].created);
    /// assert_eq!(added[0].asset.id, added[1].asset.id);
    /// // Against a stored asset.
    /// let again = cat.add_assets_with_outcome(vec![record], skip)?;
    /// assert!(!again[0].created);
    /// assert_eq!(again[0].asset.id, added[0].asset.id);
    /// # Ok(()) }
    /// ```
    pub fn add_assets_with_outcome(
        &self,
        records: Vec<NewAsset>,
        opts: AddAssets,
    ) -> Result<Vec<AddedAsset>> {
        let now = now_micros();
        let prepared: Vec<Prepared> = records
            .into_par_iter()
            .enumerate()
            .map(|(i, r)| prepare(r, now).map_err(|e| at_record(i, e)))
            .collect::<Result<_>>()?;
        run_write(self, |txn| add_in(txn, prepared, &opts, now))
    }

    /// Changes the given fields of an asset, bumps `updated_at`, and moves every index entry
    /// the change affects.
    pub fn update_asset(&self, asset_id: &str, update: AssetUpdate) -> Result<Asset> {
        ids::validate(IdKind::Asset, asset_id)?;
        let metadata = match update.metadata.clone() {
            Some(m) => Some(clean_metadata(m)?),
            None => None,
        };
        let exif = match update.exif.clone() {
            Some(e) => Some(clean_exif(e)?),
            None => None,
        };
        if let Some(m) = &update.metrics {
            check_metrics(m)?;
        }
        let local = update
            .local_datetime
            .map(|d| d.checked("local_datetime"))
            .transpose()?;
        let now = now_micros();
        run_write(self, |txn| {
            let (key, old) = load_by_id(txn, asset_id)?;
            let mut rec = old.clone();
            let u = update;
            if let Some(m) = metadata {
                rec.metadata = m.map(Into::into);
            }
            if let Some(e) = exif {
                rec.exif = e.map(Into::into);
            }
            update_capture_time(&mut rec, local, u.metadata.is_some())?;
            if let Some(v) = u.description {
                rec.description = v;
            }
            if let Some(v) = u.original_file_name {
                rec.original_file_name = Some(v);
            }
            if let Some(v) = u.mime_type {
                rec.mime_type = Some(v);
            }
            if let Some(v) = u.device_asset_id {
                rec.device_asset_id = Some(v);
            }
            if let Some(v) = u.device_id {
                rec.device_id = Some(v);
            }
            if let Some(v) = u.file_created_at {
                rec.file_created_at = Some(v.timestamp_micros());
            }
            if let Some(v) = u.file_modified_at {
                rec.file_modified_at = Some(v.timestamp_micros());
            }
            if let Some(v) = u.metrics {
                rec.metrics = v;
            }
            if let Some(v) = u.width {
                rec.width = v;
            }
            if let Some(v) = u.height {
                rec.height = v;
            }
            if let Some(v) = u.is_favorite {
                rec.is_favorite = v;
            }
            if let Some(v) = u.visibility {
                rec.visibility = v;
            }
            if let Some(v) = u.is_offline {
                rec.is_offline = v;
            }
            if let Some(v) = u.tags {
                rec.tags = v;
            }
            if let Some(v) = u.live_photo_video_id {
                rec.live_photo_video_id = v;
            }
            if let Some(v) = u.duplicate_id {
                rec.duplicate_id = v;
            }
            if let Some(v) = u.stack_id {
                rec.stack_id = v;
            }
            rec.updated_at = bumped(old.updated_at, now);
            IndexTables::update(txn, key, Some(&old), Some(&rec))?;
            store(txn, key, &rec)?;
            build_asset(txn, rec)
        })
    }

    /// Moves assets to the trash (`trashed_at` set to now). Already trashed assets keep their
    /// `trashed_at`. Unknown ids are `NotFound` and nothing changes.
    pub fn trash_assets<S: AsRef<str>>(&self, asset_ids: &[S]) -> Result<()> {
        let now = now_micros();
        self.change_assets(asset_ids, |rec| {
            if rec.trashed_at.is_none() {
                rec.trashed_at = Some(now);
                rec.updated_at = bumped(rec.updated_at, now);
            }
            Ok(())
        })
    }

    /// Takes assets out of the trash. Live assets are left as they are.
    pub fn restore_assets<S: AsRef<str>>(&self, asset_ids: &[S]) -> Result<()> {
        let now = now_micros();
        self.change_assets(asset_ids, |rec| {
            if rec.trashed_at.is_some() {
                rec.trashed_at = None;
                rec.updated_at = bumped(rec.updated_at, now);
            }
            Ok(())
        })
    }

    fn change_assets<S: AsRef<str>>(
        &self,
        asset_ids: &[S],
        mut change: impl FnMut(&mut AssetRecord) -> Result<()>,
    ) -> Result<()> {
        let list = distinct_ids(asset_ids, IdKind::Asset)?;
        run_write(self, |txn| {
            // One set of index tables for the whole batch: counters and text-column blocks are
            // written once, not once per asset.
            let mut idx = IndexTables::open(txn)?;
            for id in list {
                let (key, old) = load_by_id(txn, id)?;
                let mut rec = old.clone();
                change(&mut rec)?;
                if rec != old {
                    idx.apply(key, Some(&old), Some(&rec))?;
                    store(txn, key, &rec)?;
                }
            }
            idx.finish()
        })
    }

    /// Deletes assets permanently: their faces, album links, checksums and index entries go
    /// too. Unknown ids are `NotFound` and nothing changes.
    pub fn delete_assets<S: AsRef<str>>(&self, asset_ids: &[S]) -> Result<()> {
        let list = distinct_ids(asset_ids, IdKind::Asset)?;
        run_write(self, |txn| {
            let mut idx = IndexTables::open(txn)?;
            for id in list {
                let (key, rec) = load_by_id(txn, id)?;
                idx.apply(key, Some(&rec), None)?;
                txn.open_table(tables::ASSETS)?.remove(key)?;
                txn.open_table(tables::ASSET_IDS)?.remove(id)?;
                let mut faces = txn.open_table(tables::FACE_IDS)?;
                for f in &rec.faces {
                    faces.remove(f.id.as_str())?;
                }
                let mut sums = txn.open_table(tables::CHECKSUMS)?;
                for (k, _) in checksum_keys(&rec) {
                    sums.remove(k.as_slice())?;
                }
            }
            idx.finish()
        })
    }
}

fn add_in(
    txn: &WriteTransaction,
    prepared: Vec<Prepared>,
    opts: &AddAssets,
    now: i64,
) -> Result<Vec<AddedAsset>> {
    let (lib_key, lib) = write_library(txn, opts.library_id.as_deref(), true, now)?;
    let mut outcomes = Vec::with_capacity(prepared.len());
    let mut fresh: Vec<(u64, AssetRecord)> = Vec::new();
    let mut batch_ids: HashSet<String> = HashSet::new();
    let mut batch_sums: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut batch_faces: HashSet<String> = HashSet::new();
    let mut new_ids: Vec<(String, u64)> = Vec::with_capacity(prepared.len());
    let mut new_faces: Vec<(String, u64)> = Vec::new();
    let mut refs = RefTables::open(txn)?;
    // Asset keys are allocated in one block: the counter is read once and written once.
    let mut next_asset = refs.counters.get(counter::ASSET)?.map_or(1, |v| v.value());
    {
        let mut asset_ids = txn.open_table(tables::ASSET_IDS)?;
        let mut sums = txn.open_table(tables::CHECKSUMS)?;
        for (i, p) in prepared.into_iter().enumerate() {
            let Prepared {
                mut rec,
                face_people,
                people,
                explicit_id,
                library_id,
            } = p;
            if let Some(l) = &library_id {
                if *l != lib.id {
                    return Err(Error::invalid(format!(
                        "records[{i}]: library_id {l:?} differs from the library written to ({:?})",
                        lib.id
                    )));
                }
            }
            match (&lib.owner_id, &rec.owner_id) {
                (Some(lo), Some(ro)) if lo != ro => {
                    return Err(Error::invalid(format!(
                        "records[{i}]: owner_id {ro:?} differs from the library's owner {lo:?}"
                    )))
                }
                (Some(lo), None) => rec.owner_id = Some(lo.clone()),
                _ => {}
            }
            rec.library = lib_key;
            if explicit_id
                && (asset_ids.get(rec.id.as_str())?.is_some() || batch_ids.contains(&rec.id))
            {
                return Err(Error::Duplicate {
                    message: format!("records[{i}]: asset {:?} already exists", rec.id),
                    existing_id: rec.id.clone(),
                });
            }
            // Checksums: against the catalogue, then against earlier records of this batch.
            if let Some((o, field)) = find_duplicate(&sums, &batch_sums, &rec)? {
                if opts.on_duplicate == OnDuplicate::Error {
                    let existing_id = match &o {
                        Outcome::Existing(key) => {
                            records::load_asset(
                                &txn.open_table(tables::ASSETS)?,
                                *key,
                                &mut Tally::default(),
                            )?
                            .id
                        }
                        Outcome::SameAsEarlier(j) | Outcome::Created(j) => fresh[*j].1.id.clone(),
                    };
                    return Err(duplicate_checksum(i, field, &existing_id));
                }
                outcomes.push(o);
                continue;
            }
            for np in people {
                let pid = np.id.clone().unwrap_or_default();
                if lookup_u32(&refs.person_ids, &pid)?.is_none() {
                    refs.create_person(np, now)?;
                }
            }
            for (face, person) in rec.faces.iter_mut().zip(face_people) {
                face.person = refs.resolve_person(person.as_deref())?;
                if !batch_faces.insert(face.id.clone()) {
                    return Err(Error::Duplicate {
                        message: format!("records[{i}]: face {:?} appears twice", face.id),
                        existing_id: face.id.clone(),
                    });
                }
            }
            let key = next_asset;
            next_asset += 1;
            // Only look-ups here; the inserts follow in key order after the loop.
            for face in &rec.faces {
                if refs.face_ids.get(face.id.as_str())?.is_some() {
                    return Err(Error::Duplicate {
                        message: format!("records[{i}]: face {:?} already exists", face.id),
                        existing_id: face.id.clone(),
                    });
                }
                new_faces.push((face.id.clone(), key));
            }
            for (k, _) in checksum_keys(&rec) {
                batch_sums.insert(k, fresh.len());
            }
            new_ids.push((rec.id.clone(), key));
            batch_ids.insert(rec.id.clone());
            outcomes.push(Outcome::Created(fresh.len()));
            fresh.push((key, rec));
        }
        // Sorted inserts: random keys (checksums, generated ids) would otherwise touch a
        // different B-tree leaf on every insert.
        new_ids.sort_unstable();
        for (id, key) in &new_ids {
            asset_ids.insert(id.as_str(), *key)?;
        }
        let mut new_sums: Vec<(&Vec<u8>, u64)> =
            batch_sums.iter().map(|(k, &j)| (k, fresh[j].0)).collect();
        new_sums.sort_unstable();
        for (k, key) in new_sums {
            sums.insert(k.as_slice(), key)?;
        }
        new_faces.sort_unstable();
        for (id, key) in &new_faces {
            refs.face_ids.insert(id.as_str(), *key)?;
        }
    }
    refs.counters.insert(counter::ASSET, next_asset)?;
    drop(refs);
    // Encode on every core, then write in key order.
    let encoded: Vec<Vec<u8>> = fresh
        .par_iter()
        .map(|(_, r)| codec::encode(r))
        .collect::<Result<_>>()?;
    {
        let mut assets = txn.open_table(tables::ASSETS)?;
        for ((key, _), bytes) in fresh.iter().zip(&encoded) {
            assets.insert(*key, bytes.as_slice())?;
        }
    }
    let mut idx = IndexTables::open(txn)?;
    idx.insert_new(&fresh)?;
    idx.finish()?;
    // Results: new records are moved into their public form (each built once; a duplicate of
    // an earlier record of this batch gets a copy), existing ones are read.
    let mut uses = vec![0usize; fresh.len()];
    for o in &outcomes {
        if let Outcome::Created(j) | Outcome::SameAsEarlier(j) = o {
            uses[*j] += 1;
        }
    }
    let mut built: Vec<Option<Asset>> = build_assets(txn, fresh.into_iter().map(|(_, r)| r))?
        .into_iter()
        .map(Some)
        .collect();
    let mut existing: HashMap<u64, Asset> = HashMap::new();
    let mut out = Vec::with_capacity(outcomes.len());
    for o in outcomes {
        let created = o.created();
        let asset = match o {
            Outcome::Created(j) | Outcome::SameAsEarlier(j) => {
                uses[j] -= 1;
                if uses[j] == 0 {
                    built[j].take()
                } else {
                    built[j].clone()
                }
            }
            Outcome::Existing(k) => {
                if let std::collections::hash_map::Entry::Vacant(v) = existing.entry(k) {
                    let rec = records::load_asset(
                        &txn.open_table(tables::ASSETS)?,
                        k,
                        &mut Tally::default(),
                    )?;
                    v.insert(build_asset(txn, rec)?);
                }
                existing.get(&k).cloned()
            }
        };
        let asset = asset.ok_or_else(|| Error::Corrupt("a result asset was not built".into()))?;
        out.push(AddedAsset { asset, created });
    }
    Ok(out)
}
