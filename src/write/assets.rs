//! Asset writes: add (with its duplicate outcome), update, trash, restore, delete.

use std::collections::HashMap;

use rayon::prelude::*;
use redb::{ReadableTable, WriteTransaction};

use super::dedup::{
    checksum_keys, duplicate_checksum, find_duplicate, AddSummary, AddedAsset, Outcome,
};
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
use crate::records;
use crate::storage::ascending::insert_ascending;
use crate::storage::codec::{self, AssetRecord};
use crate::storage::places::{self, Place};
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
        let prepared = prepare_all(records, now)?;
        run_write(self, |txn| {
            add_in(txn, prepared, &opts, now)?.into_assets(txn)
        })
    }

    /// [`add_assets`](Catalog::add_assets) for bulk loads: the same write (one transaction, the
    /// same rules for libraries, ids, duplicates and errors, the same stored bytes), returning
    /// only how many records created an asset and how many were skipped as duplicates (with
    /// [`OnDuplicate::Skip`]), so no public [`Asset`] is built. Use it when the caller drops
    /// the results; records given explicit ids can be read back by them.
    ///
    /// ```
    /// # fn main() -> photocat::Result<()> {
    /// use photocat::{AddAssets, AddSummary, Catalog, NewAsset, OnDuplicate};
    /// let cat = Catalog::in_memory()?;
    /// let record = |sum: &str| NewAsset { checksum: Some(sum.into()), ..Default::default() };
    /// let (a, b) = ("ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=", "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=");
    /// let skip = AddAssets { on_duplicate: OnDuplicate::Skip, ..Default::default() };
    /// // The second record repeats the first one's checksum.
    /// let added = cat.add_assets_summary(vec![record(a), record(a)], skip.clone())?;
    /// assert_eq!(added, AddSummary { created: 1, skipped: 1 });
    /// // Against the stored asset.
    /// let again = cat.add_assets_summary(vec![record(a), record(b)], skip)?;
    /// assert_eq!(again, AddSummary { created: 1, skipped: 1 });
    /// assert_eq!(cat.summary()?.libraries[0].live, 2);
    /// # Ok(()) }
    /// ```
    pub fn add_assets_summary(
        &self,
        records: Vec<NewAsset>,
        opts: AddAssets,
    ) -> Result<AddSummary> {
        let now = now_micros();
        let prepared = prepare_all(records, now)?;
        run_write(self, |txn| Ok(add_in(txn, prepared, &opts, now)?.summary()))
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
            let keys = keys_in_order(txn, &list)?;
            // One set of index tables for the whole batch: counters and text-column blocks are
            // written once, not once per asset.
            let mut assets = txn.open_table(tables::ASSETS)?;
            let mut idx = IndexTables::open(txn)?;
            for (key, _) in keys {
                let old = records::load_asset(&assets, key, &mut Tally::default())?;
                let mut rec = old.clone();
                change(&mut rec)?;
                if rec != old {
                    idx.apply(key, Some(&old), Some(&rec))?;
                    assets.insert(key, codec::encode(&rec)?.as_slice())?;
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
            let keys = keys_in_order(txn, &list)?;
            let mut assets = txn.open_table(tables::ASSETS)?;
            let mut faces = txn.open_table(tables::FACE_IDS)?;
            let mut sums = txn.open_table(tables::CHECKSUMS)?;
            let mut idx = IndexTables::open(txn)?;
            for (key, _) in keys {
                let rec = records::load_asset(&assets, key, &mut Tally::default())?;
                // Removes the asset's place with its index entries.
                idx.apply(key, Some(&rec), None)?;
                assets.remove(key)?;
                for f in &rec.faces {
                    faces.remove(f.id.as_str())?;
                }
                for (k, _) in checksum_keys(&rec) {
                    sums.remove(k.as_slice())?;
                }
            }
            idx.finish()
        })
    }
}

/// The keys of the assets `ids` (each id once), in key order, so that a batch reads and
/// rewrites records front to back. An unknown id is `NotFound` (the first one in `ids`).
fn keys_in_order<'a>(txn: &WriteTransaction, ids: &[&'a str]) -> Result<Vec<(u64, &'a str)>> {
    let table = txn.open_table(tables::ASSET_PLACES)?;
    let mut keys = Vec::with_capacity(ids.len());
    for &id in ids {
        let key = places::key(&table, id)?.ok_or_else(|| Error::not_found("asset", id))?;
        keys.push((key, id));
    }
    keys.sort_unstable();
    Ok(keys)
}

/// What [`add_in`] decided and wrote: each record's outcome, in record order, and the new
/// records with their keys.
struct Added {
    outcomes: Vec<Outcome>,
    fresh: Vec<(u64, AssetRecord)>,
}

/// The records of one call, every one validated: [`prepare_all`] returns the first error
/// instead. They stay in the vector rayon wrote them into, as the `Result`s it made: a
/// `Prepared` is ~2 KB, and collecting them into a `Vec<Prepared>` copied every one once more
/// (rayon collects a fallible iterator in chunks, then appends them), 10% of a bulk add's
/// instructions on the calling thread.
pub(super) struct PreparedAll(Vec<Result<Prepared>>);

impl PreparedAll {
    fn len(&self) -> usize {
        self.0.len()
    }

    fn iter(&self) -> impl Iterator<Item = &Prepared> {
        self.0.iter().flatten()
    }

    fn into_records(self) -> impl Iterator<Item = Prepared> {
        self.0.into_iter().flatten()
    }
}

/// Validates records on every core (nothing is written when one fails; the error is that of
/// the first failing record).
fn prepare_all(records: Vec<NewAsset>, now: i64) -> Result<PreparedAll> {
    let parallel = crate::par::parallel_records(records.len());
    let mut out = Vec::with_capacity(records.len());
    records
        .into_par_iter()
        .with_min_len(crate::par::min_len(parallel))
        .enumerate()
        .map(|(i, r)| prepare(r, now).map_err(|e| at_record(i, e)))
        .collect_into_vec(&mut out);
    match out.iter().position(Result::is_err) {
        Some(i) => Err(out
            .swap_remove(i)
            .err()
            .unwrap_or_else(|| Error::invalid(format!("records[{i}]: failed validation")))),
        None => Ok(PreparedAll(out)),
    }
}

/// The write of `add_assets` and its variants: decides each record's outcome (duplicates,
/// library, owner, ids, people and faces) record by record, then writes every table of the new
/// records. The outcome of a record is the same whatever the caller builds from it.
fn add_in(
    txn: &WriteTransaction,
    prepared: PreparedAll,
    opts: &AddAssets,
    now: i64,
) -> Result<Added> {
    let (lib_key, lib) = write_library(txn, opts.library_id.as_deref(), true, now)?;
    let mut outcomes = Vec::with_capacity(prepared.len());
    let mut fresh: Vec<(u64, AssetRecord)> = Vec::with_capacity(prepared.len());
    // The records' own ids, checksums and face ids: sized for the call (growing them rehashed
    // every key several times) and hashed with foldhash, the people caches' hasher (std's
    // SipHash was 6% of a bulk add's instructions; checksums are digests, ids the caller's own
    // records, and foldhash's seed is random per process).
    let mut batch_ids =
        foldhash::HashSet::<String>::with_capacity_and_hasher(prepared.len(), Default::default());
    let mut batch_sums = foldhash::HashMap::<Vec<u8>, usize>::with_capacity_and_hasher(
        prepared.len(),
        Default::default(),
    );
    let faces: usize = prepared.iter().map(|p| p.rec.faces.len()).sum();
    let mut batch_faces =
        foldhash::HashSet::<String>::with_capacity_and_hasher(faces, Default::default());
    let mut new_faces: Vec<(String, u64)> = Vec::with_capacity(faces);
    let mut refs = RefTables::open(txn)?;
    // Asset keys are allocated in one block: the counter is read once and written once.
    let mut next_asset = refs.counters.get(counter::ASSET)?.map_or(1, |v| v.value());
    let mut asset_places = txn.open_table(tables::ASSET_PLACES)?;
    let mut sums = txn.open_table(tables::CHECKSUMS)?;
    for (i, p) in prepared.into_records().enumerate() {
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
            && (asset_places.get(rec.id.as_str())?.is_some() || batch_ids.contains(&rec.id))
        {
            return Err(Error::Duplicate {
                message: format!("records[{i}]: asset {:?} already exists", rec.id),
                existing_id: rec.id.clone(),
            });
        }
        // Checksums: against the catalogue, then against earlier records of this batch.
        let sum_keys = checksum_keys(&rec);
        if let Some((o, field)) = find_duplicate(&sums, &batch_sums, &sum_keys)? {
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
            refs.ensure_person(np, now)?;
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
        for (k, _) in sum_keys {
            batch_sums.insert(k, fresh.len());
        }
        batch_ids.insert(rec.id.clone());
        outcomes.push(Outcome::Created(fresh.len()));
        fresh.push((key, rec));
    }
    refs.counters.insert(counter::ASSET, next_asset)?;
    refs.flush_people()?;
    // The index writes open the people table: the other reference tables are closed first.
    let RefTables {
        person_ids,
        people,
        mut face_ids,
        counters,
        ..
    } = refs;
    drop((person_ids, people, counters));
    let mut new_sums: Vec<(Vec<u8>, u64)> = batch_sums
        .into_iter()
        .map(|(k, j)| (k, fresh[j].0))
        .collect();

    // Every table is written by one thread in key order (random keys, such as checksums and
    // generated ids, would otherwise touch a different B-tree leaf on every insert); the
    // tables are written concurrently (redb writes separate tables of one transaction from
    // several threads), and each step's own work runs on every core. A small add runs the
    // same steps one after the other on this thread (`crate::par`).
    let parallel = crate::par::parallel_records(fresh.len());
    let mut done: [Result<()>; 5] = std::array::from_fn(|_| Ok(()));
    let [r_ids, r_sums, r_faces, r_records, r_index] = &mut done;
    let fresh_ref = &fresh;
    let tasks: Vec<crate::par::Task<'_>> = vec![
        Box::new(|| {
            let mut placed: Vec<(&str, places::Bytes)> = fresh_ref
                .par_iter()
                .with_min_len(crate::par::min_len(parallel))
                .map(|(key, rec)| (rec.id.as_str(), Place::of(*key, rec).encode()))
                .collect();
            placed.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
            *r_ids = insert_ascending(&mut asset_places, placed.len(), |j| {
                (placed[j].0, &placed[j].1)
            })
            .map(drop)
            .map_err(Into::into);
        }),
        Box::new(|| {
            new_sums.par_sort_unstable();
            *r_sums = insert_ascending(&mut sums, new_sums.len(), |j| {
                (new_sums[j].0.as_slice(), new_sums[j].1)
            })
            .map(drop)
            .map_err(Into::into);
        }),
        Box::new(|| {
            new_faces.par_sort_unstable();
            *r_faces = insert_ascending(&mut face_ids, new_faces.len(), |j| {
                (new_faces[j].0.as_str(), new_faces[j].1)
            })
            .map(drop)
            .map_err(Into::into);
        }),
        Box::new(|| *r_records = write_records(txn, fresh_ref, parallel)),
        Box::new(|| {
            *r_index = IndexTables::open(txn).and_then(|mut idx| {
                idx.insert_new(fresh_ref)?;
                idx.finish()
            });
        }),
    ];
    crate::par::run(tasks, parallel);
    Error::first_of(done)?;
    Ok(Added { outcomes, fresh })
}

/// Writes new records in key order, encoded on every core when `parallel`.
fn write_records(
    txn: &WriteTransaction,
    fresh: &[(u64, AssetRecord)],
    parallel: bool,
) -> Result<()> {
    // Each chunk's records are encoded into one buffer, with where each one ends.
    const CHUNK: usize = 256;
    let chunks: Vec<(Vec<u8>, Vec<usize>)> = fresh
        .par_chunks(CHUNK)
        .with_min_len(crate::par::min_len(parallel))
        .map(|recs| {
            let mut buf = Vec::with_capacity(recs.len() * 1024);
            let mut ends = Vec::with_capacity(recs.len());
            for (_, r) in recs {
                codec::encode_into(r, &mut buf)?;
                ends.push(buf.len());
            }
            Ok((buf, ends))
        })
        .collect::<Result<_>>()?;
    let record = |j: usize| {
        let (buf, ends) = &chunks[j / CHUNK];
        let i = j % CHUNK;
        let start = if i == 0 { 0 } else { ends[i - 1] };
        &buf[start..ends[i]]
    };
    insert_ascending(&mut txn.open_table(tables::ASSETS)?, fresh.len(), |j| {
        (fresh[j].0, record(j))
    })?;
    Ok(())
}

impl Added {
    /// The counts of the outcomes.
    fn summary(&self) -> AddSummary {
        let created = self.fresh.len() as u64;
        AddSummary {
            created,
            skipped: self.outcomes.len() as u64 - created,
        }
    }

    /// The public asset of each record: new records are moved into their public form (each
    /// built once; a duplicate of an earlier record of this batch gets a copy), stored ones
    /// are read.
    fn into_assets(self, txn: &WriteTransaction) -> Result<Vec<AddedAsset>> {
        let Added { outcomes, fresh } = self;
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
            let asset =
                asset.ok_or_else(|| Error::Corrupt("a result asset was not built".into()))?;
            out.push(AddedAsset { asset, created });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use chrono::{Duration, FixedOffset, NaiveDate, TimeZone, Utc};
    use redb::ReadableTable;

    use super::*;
    use crate::model::{DateTimeInput, Exif, NewFace, NewPerson, Visibility};
    use crate::storage::codec::PersonRecord;
    use crate::write::NewLibrary;

    use crate::storage::tables::dump::{self, Rows};

    /// Every table but the metadata, by name, as bytes.
    fn dump(cat: &Catalog) -> Vec<(String, Rows)> {
        dump::all(&cat.begin_read().unwrap(), false)
    }

    fn assert_same_tables(a: &Catalog, b: &Catalog) {
        let (a, b) = (dump(a), dump(b));
        for ((name, ra), (_, rb)) in a.iter().zip(&b) {
            assert!(
                ra == rb,
                "table {name} differs ({} and {} rows)",
                ra.len(),
                rb.len()
            );
        }
    }

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    /// A varied record: every index sees ties, several values and their absence (faces of
    /// the five people, trash, every visibility, facets, text, checksums, devices). Records
    /// with the same `sum` share their checksums. Nothing depends on the time of the write.
    fn record(i: usize, sum: usize) -> NewAsset {
        const MAKES: [Option<&str>; 4] = [None, Some("Canon"), Some("canon"), Some("SONY")];
        const CITIES: [Option<&str>; 3] = [None, Some("Paris"), Some("Kyōto")];
        const NAMES: [Option<&str>; 4] = [None, Some("IMG_1.JPG"), Some("Été.heic"), Some("")];
        const VISIBILITY: [Visibility; 6] = [
            Visibility::Timeline,
            Visibility::Archive,
            Visibility::Hidden,
            Visibility::Timeline,
            Visibility::Locked,
            Visibility::Timeline,
        ];
        let day = NaiveDate::from_ymd_opt(2023, 11, 7).unwrap() + Duration::days((i % 5) as i64);
        let instant = |s: i64| Utc.timestamp_opt(1_700_000_000 + s, 0).unwrap();
        let mut sha256 = [0u8; 32];
        sha256[..8].copy_from_slice(&(sum as u64).to_be_bytes());
        NewAsset {
            id: Some(format!("asset_{i:05}")),
            created_at: Some(instant(i as i64)),
            local_datetime: (!i.is_multiple_of(7)).then(|| DateTimeInput {
                naive: day.and_hms_opt((i % 3) as u32 * 8, 0, 0).unwrap(),
                offset: i
                    .is_multiple_of(3)
                    .then(|| FixedOffset::east_opt(3600).unwrap()),
            }),
            file_created_at: i.is_multiple_of(4).then(|| instant(-(i as i64) * 1000)),
            exif: (!i.is_multiple_of(5)).then(|| Exif {
                make: MAKES[i % 4].map(Into::into),
                city: CITIES[i % 3].map(Into::into),
                ..Exif::default()
            }),
            original_file_name: NAMES[i % 4].map(Into::into),
            description: i.is_multiple_of(6).then(|| format!("Beach {}", i % 10)),
            is_favorite: Some(i.is_multiple_of(9)),
            visibility: Some(VISIBILITY[i % 6]),
            trashed_at: i
                .is_multiple_of(11)
                .then(|| instant(5_000 + (i % 3) as i64)),
            checksum: Some(b64(&sha256)),
            checksum_sha1: i.is_multiple_of(2).then(|| b64(&sha256[..20])),
            device_id: (!i.is_multiple_of(3)).then(|| format!("dev{}", i % 3)),
            device_asset_id: Some(format!("d{}", i % 50)),
            faces: (!i.is_multiple_of(4)).then(|| {
                (0..i % 3)
                    .map(|f| NewFace {
                        id: Some(format!("face_{i}_{f}")),
                        person_id: Some(format!("person_{}", (i + f) % 5)),
                        ..NewFace::default()
                    })
                    .collect()
            }),
            ..NewAsset::default()
        }
    }

    /// A catalogue file with two libraries (one owned) and five people.
    fn base(dir: &std::path::Path) -> Catalog {
        let cat = Catalog::open(dir.join("a.redb")).unwrap();
        for (id, owner) in [("library_a", Some("owner_a")), ("library_b", None)] {
            cat.create_library(NewLibrary {
                name: id.into(),
                id: Some(id.into()),
                owner_id: owner.map(Into::into),
            })
            .unwrap();
        }
        for p in 0..5 {
            let at = Utc.timestamp_opt(1_600_000_000, 0).unwrap();
            cat.create_person(NewPerson {
                id: Some(format!("person_{p}")),
                created_at: Some(at),
                updated_at: Some(at),
                ..NewPerson::default()
            })
            .unwrap();
        }
        cat
    }

    fn into(library: &str, skip: bool) -> AddAssets {
        AddAssets {
            library_id: Some(library.into()),
            on_duplicate: if skip {
                OnDuplicate::Skip
            } else {
                OnDuplicate::Error
            },
        }
    }

    /// The batches: records of both libraries, then one repeating checksums of stored assets
    /// and of its own earlier records (skipped).
    fn batches() -> Vec<(AddAssets, Vec<NewAsset>)> {
        let n = 300;
        vec![
            (
                into("library_a", false),
                (0..n).map(|i| record(i, i)).collect(),
            ),
            (
                into("library_b", false),
                (n..2 * n).map(|i| record(i, i)).collect(),
            ),
            (
                into("library_a", true),
                (2 * n..3 * n)
                    .map(|i| match i % 10 {
                        0 => record(i, i - 2 * n), // a stored asset's checksum
                        1 => record(i, i - 1),     // the previous record's
                        _ => record(i, i),
                    })
                    .collect(),
            ),
        ]
    }

    /// Two catalogues holding the same [`base`]: `a.redb` and a backup of it, `b.redb`.
    fn base_twice(dir: &std::path::Path) -> (Catalog, Catalog) {
        let a = base(dir);
        let copy = dir.join("b.redb");
        a.backup(&copy).unwrap();
        (a, Catalog::open(&copy).unwrap())
    }

    /// A bulk add runs its steps on rayon's pool, a small one on the calling thread
    /// (`crate::par`): the same records added in calls of 7 (always on the calling thread)
    /// leave the same bytes in every table as calls of 300 (on the pool).
    #[test]
    fn small_calls_write_what_a_bulk_call_writes() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = base_twice(dir.path());
        for (opts, records) in batches() {
            assert!(crate::par::parallel_records(records.len()));
            a.add_assets_summary(records.clone(), opts.clone()).unwrap();
            for chunk in records.chunks(7) {
                assert!(!crate::par::parallel_records(chunk.len()));
                b.add_assets_summary(chunk.to_vec(), opts.clone()).unwrap();
            }
            assert_same_tables(&a, &b);
        }
    }

    /// The summary path and the `Asset` path leave the same bytes in every table, and count
    /// what the outcomes say.
    #[test]
    fn the_summary_path_writes_what_the_asset_path_writes() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = base_twice(dir.path());
        assert_same_tables(&a, &b);
        for (opts, records) in batches() {
            let outcomes = a
                .add_assets_with_outcome(records.clone(), opts.clone())
                .unwrap();
            let summary = b.add_assets_summary(records, opts).unwrap();
            let created = outcomes.iter().filter(|o| o.created).count() as u64;
            assert_eq!(
                summary,
                AddSummary {
                    created,
                    skipped: outcomes.len() as u64 - created
                }
            );
            assert_same_tables(&a, &b);
        }
        assert_eq!(
            b.summary().unwrap().libraries[0].live + b.summary().unwrap().libraries[0].trashed,
            a.summary().unwrap().libraries[0].live + a.summary().unwrap().libraries[0].trashed
        );
        for cat in [&a, &b] {
            let report = cat.verify().unwrap();
            assert!(report.is_ok(), "{report}");
        }
    }

    /// The bulk path (entries computed on every core, tables written concurrently) writes the
    /// same bytes as adding the records one by one through `IndexTables::apply`.
    #[test]
    fn bulk_indexes_equal_record_by_record_ones() {
        let dir = tempfile::tempdir().unwrap();
        let a = base(dir.path());
        for (opts, records) in batches() {
            a.add_assets_summary(records, opts).unwrap();
        }
        let copy = dir.path().join("b.redb");
        a.backup(&copy).unwrap();
        let b = Catalog::open(&copy).unwrap();
        let txn = b.begin_write().unwrap().0;
        {
            for def in [
                tables::LIST_INDEX,
                tables::IMMICH_ORDER,
                tables::SHA1_INDEX,
                tables::TEXT_COLUMN,
                tables::POSTINGS,
            ] {
                txn.delete_table(def).unwrap();
            }
            for def in [
                tables::LIST_COUNTS,
                tables::IMMICH_BLOCKS,
                tables::RANDOM_POOL,
                tables::RANDOM_SIZES,
                tables::DAY_COUNTS,
            ] {
                txn.delete_table(def).unwrap();
            }
            txn.delete_table(tables::PERSON_ASSETS).unwrap();
            txn.delete_table(tables::RANDOM_SLOTS).unwrap();
            txn.delete_table(tables::DEVICE_INDEX).unwrap();
            txn.delete_table(tables::FACET_VALUES).unwrap();
            let mut people = txn.open_table(tables::PEOPLE).unwrap();
            let all: Vec<(u32, PersonRecord)> = people
                .iter()
                .unwrap()
                .map(|r| {
                    let (k, v) = r.unwrap();
                    (k.value(), codec::decode(v.value()).unwrap())
                })
                .collect();
            for (k, mut p) in all {
                p.asset_count = 0;
                people
                    .insert(k, codec::encode(&p).unwrap().as_slice())
                    .unwrap();
            }
        }
        {
            let assets = txn.open_table(tables::ASSETS).unwrap();
            let mut idx = IndexTables::open(&txn).unwrap();
            for row in assets.iter().unwrap() {
                let (k, v) = row.unwrap();
                let rec = crate::storage::fast::asset_record(v.value()).unwrap();
                idx.apply(k.value(), None, Some(&rec)).unwrap();
            }
            idx.finish().unwrap();
        }
        txn.commit().unwrap();
        assert_same_tables(&a, &b);
    }

    /// Both paths fail the same way on the same input, and write nothing.
    #[test]
    fn both_paths_fail_alike() {
        let dir = tempfile::tempdir().unwrap();
        let a = base(dir.path());
        a.add_assets_summary(vec![record(0, 0)], into("library_a", false))
            .unwrap();
        let mut bad_face = record(3, 3);
        bad_face.faces = Some(vec![NewFace {
            person_id: Some("nobody".into()),
            ..NewFace::default()
        }]);
        let mut other_library = record(4, 4);
        other_library.library_id = Some("library_b".into());
        let failing: Vec<(Vec<NewAsset>, AddAssets)> = vec![
            // A stored asset's checksum, and an earlier record's.
            (vec![record(1, 0)], into("library_a", false)),
            (vec![record(1, 1), record(2, 1)], into("library_a", false)),
            // An existing id, twice in one call.
            (vec![record(0, 5)], into("library_a", true)),
            (vec![record(6, 6), record(6, 7)], into("library_a", true)),
            // A face of an unknown person, a record of another library, an invalid record.
            (vec![record(1, 1), bad_face], into("library_a", true)),
            (vec![other_library], into("library_a", true)),
            (
                vec![NewAsset {
                    checksum: Some("not base64".into()),
                    ..NewAsset::default()
                }],
                into("library_a", true),
            ),
            // An unknown library.
            (vec![record(1, 1)], into("library_z", true)),
        ];
        let before = dump(&a);
        for (records, opts) in failing {
            let e1 = a
                .add_assets_with_outcome(records.clone(), opts.clone())
                .unwrap_err();
            let e2 = a.add_assets_summary(records, opts).unwrap_err();
            assert_eq!(format!("{e1:?}"), format!("{e2:?}"));
            assert!(dump(&a) == before, "a failed call wrote something: {e1}");
        }
    }
}
