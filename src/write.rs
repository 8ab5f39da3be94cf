//! Every write: libraries, assets (add, update, trash, restore, delete), albums, people and
//! faces. Each call validates all of its input first (pure checks on every core), then runs
//! one redb write transaction that changes records, every index entry and every counter, or
//! nothing: an error inside the transaction drops it uncommitted.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use base64::Engine;
use rayon::prelude::*;
use redb::{ReadableTable, WriteTransaction};

use crate::catalog::{Catalog, Tally};
use crate::error::{Error, Result};
use crate::ids::{self, IdKind};
use crate::index::IndexTables;
use crate::model::time::{self, naive_from_micros, naive_micros};
use crate::model::{
    Album, Asset, AssetType, AssetUpdate, Exif, Face, Library, NewAsset, NewFace, NewPerson,
    Person, TimeSource,
};
use crate::query::build::{self, lookup_u32, lookup_u64, PeopleCache};
use crate::storage::codec::{
    self, AlbumRecord, AssetRecord, FaceRecord, LibraryRecord, PersonRecord,
};
use crate::storage::keys::{self, ChecksumKind};
use crate::storage::tables::{self, counter};

/// What `add_assets` does with a record whose checksum already exists in the library.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OnDuplicate {
    /// Fail the whole call with [`Error::Duplicate`] naming the existing asset.
    #[default]
    Error,
    /// Return the existing asset in the new one's place and write nothing for it.
    Skip,
}

impl FromStr for OnDuplicate {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "error" => Ok(OnDuplicate::Error),
            "skip" => Ok(OnDuplicate::Skip),
            _ => Err(Error::invalid(format!(
                "on_duplicate must be \"error\" or \"skip\", got {:?}",
                ids::truncate_for_message(s)
            ))),
        }
    }
}

/// Options of [`Catalog::add_assets`].
#[derive(Debug, Clone, Default)]
pub struct AddAssets {
    /// The library to add to; None means the only library (a library named "Default" is created
    /// when there is none; several libraries make None an `InvalidArgument`).
    pub library_id: Option<String>,
    /// What to do with a checksum that already exists.
    pub on_duplicate: OnDuplicate,
}

/// A library to create.
#[derive(Debug, Clone, Default)]
pub struct NewLibrary {
    /// Name.
    pub name: String,
    /// Explicit id; generated when None.
    pub id: Option<String>,
    /// Owner (an Immich user id).
    pub owner_id: Option<String>,
}

/// An album to create.
#[derive(Debug, Clone, Default)]
pub struct NewAlbum {
    /// Name.
    pub name: String,
    /// The album's library; None means the only library (as for `add_assets`).
    pub library_id: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Explicit id; generated when None.
    pub id: Option<String>,
}

pub(crate) fn now_micros() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

/// An update time strictly after `previous`, so `updated_at` always moves.
fn bumped(previous: i64, now: i64) -> i64 {
    now.max(previous + 1)
}

/// Takes the next internal key of a record kind from the counters table.
fn allocate(counters: &mut redb::Table<'_, &'static str, u64>, name: &str) -> Result<u64> {
    let next = counters.get(name)?.map_or(1, |v| v.value());
    counters.insert(name, next + 1)?;
    Ok(next)
}

/// A u32 key (libraries, albums, people) from [`allocate`].
fn allocate_u32(counters: &mut redb::Table<'_, &'static str, u64>, name: &str) -> Result<u32> {
    u32::try_from(allocate(counters, name)?)
        .map_err(|_| Error::invalid(format!("too many {name} records (at most 2^32)")))
}

fn next_key_u32(txn: &WriteTransaction, name: &str) -> Result<u32> {
    allocate_u32(&mut txn.open_table(tables::COUNTERS)?, name)
}

fn decode_digest<const N: usize>(field: &str, s: &str) -> Result<[u8; N]> {
    let bad = || {
        Error::invalid(format!(
            "{field} {:?} is not the base64 of a {N}-byte digest",
            ids::truncate_for_message(s)
        ))
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|_| bad())?;
    bytes.try_into().map_err(|_| bad())
}

fn check_floats(field: &str, e: &Exif) -> Result<()> {
    for (name, v) in e.floats() {
        if v.is_some_and(|x| !x.is_finite()) {
            return Err(Error::invalid(format!(
                "{field}.{name} must be a finite number"
            )));
        }
    }
    Ok(())
}

/// Validates and normalises an `exif` object.
fn clean_exif(e: Option<Exif>) -> Result<Option<Exif>> {
    let Some(mut e) = e else { return Ok(None) };
    check_floats("exif", &e)?;
    let extra = e.metadata_only_fields();
    if !extra.is_empty() {
        return Err(Error::invalid(format!(
            "exif does not have the field(s) {}: they belong to metadata",
            extra.join(", ")
        )));
    }
    e.asset_id = None;
    Ok(Some(e))
}

/// Validates and normalises a `metadata` object.
fn clean_metadata(m: Option<Exif>) -> Result<Option<Exif>> {
    let Some(mut m) = m else { return Ok(None) };
    check_floats("metadata", &m)?;
    if m.profile_description.is_some() {
        return Err(Error::invalid(
            "metadata does not have the field profile_description: it belongs to exif",
        ));
    }
    m.asset_id = None;
    Ok(Some(m))
}

fn check_metrics(m: &Option<std::collections::BTreeMap<String, Option<f64>>>) -> Result<()> {
    if let Some(m) = m {
        for (k, v) in m {
            if v.is_some_and(|x| !x.is_finite()) {
                return Err(Error::invalid(format!(
                    "metrics.{k} must be a finite number or null"
                )));
            }
        }
    }
    Ok(())
}

/// The offset of a capture time: the one on the value, else `metadata.timezone` resolved at
/// the wall-clock time, else unknown.
fn capture_offset(
    value_offset: Option<i32>,
    metadata: Option<&Exif>,
    local: i64,
) -> Result<Option<i32>> {
    if value_offset.is_some() {
        return Ok(value_offset);
    }
    match metadata.and_then(|m| m.timezone.as_deref()) {
        Some(tz) => time::resolve_timezone(tz, naive_from_micros(local)).map(Some),
        None => Ok(None),
    }
}

/// A record after the pure checks, before the checks that need the database.
struct Prepared {
    rec: AssetRecord,
    /// The public person id of each face, in face order.
    face_people: Vec<Option<String>>,
    people: Vec<NewPerson>,
    explicit_id: bool,
    library_id: Option<String>,
}

fn prepare(n: NewAsset, now: i64) -> Result<Prepared> {
    let explicit_id = n.id.is_some();
    let id = ids::given_or_new(IdKind::Asset, n.id.as_deref())?;
    let created_at = n.created_at.map_or(now, |t| t.timestamp_micros());
    let updated_at = n.updated_at.map_or(created_at, |t| t.timestamp_micros());
    let metadata = clean_metadata(n.metadata)?;
    let exif = clean_exif(n.exif)?;
    check_metrics(&n.metrics)?;

    let (local, offset, offset_from_value, time_source) = match n.local_datetime {
        Some(input) => {
            let input = input.checked("local_datetime")?;
            let local = naive_micros(input.naive);
            let off = input.offset.map(|o| o.local_minus_utc());
            (
                local,
                capture_offset(off, metadata.as_ref(), local)?,
                off.is_some(),
                n.local_datetime_source.unwrap_or(TimeSource::Given),
            )
        }
        None => {
            if let Some(source) = n.local_datetime_source {
                return Err(Error::invalid(format!(
                    "local_datetime_source {source:?} was given without local_datetime (without \
                     one the capture time is file_created_at or the time of the write)",
                    source = source.as_str()
                )));
            }
            // No capture time: the file's creation time, else the time of the write, in UTC
            // (or in metadata.timezone when given).
            let (instant, source) = match n.file_created_at {
                Some(t) => (t.timestamp_micros(), TimeSource::FileCreatedAt),
                None => (created_at, TimeSource::WriteTime),
            };
            let tz = capture_offset(None, metadata.as_ref(), instant)?;
            let off = tz.unwrap_or(0);
            let local = instant + i64::from(off) * 1_000_000;
            time::check_naive(naive_from_micros(local), "local_datetime")?;
            (local, Some(off), tz.is_none(), source)
        }
    };
    if let Some(d) = &n.duration {
        time::check_duration(d)?;
    }
    let checksum = n
        .checksum
        .as_deref()
        .map(|s| decode_digest::<32>("checksum", s))
        .transpose()?;
    let checksum_sha1 = n
        .checksum_sha1
        .as_deref()
        .map(|s| decode_digest::<20>("checksum_sha1", s))
        .transpose()?;
    if let Some(t) = n.asset_type {
        let derived = AssetType::from_mime(
            n.mime_type
                .as_deref()
                .unwrap_or(crate::model::DEFAULT_MIME_TYPE),
        );
        if t != derived {
            return Err(Error::invalid(format!(
                "type {} does not match mime_type {:?} (type is derived from mime_type: {})",
                t.as_str(),
                n.mime_type.as_deref().unwrap_or(""),
                derived.as_str()
            )));
        }
    }

    let mut faces = Vec::new();
    let mut face_people = Vec::new();
    for f in n.faces.unwrap_or_default() {
        if let Some(a) = &f.asset_id {
            if *a != id {
                return Err(Error::invalid(format!(
                    "faces[].asset_id {a:?} differs from the asset's id {id:?}"
                )));
            }
        }
        let (face, person) = prepare_face(f, created_at)?;
        faces.push(face);
        face_people.push(person);
    }
    let people = n.people.unwrap_or_default();
    for p in &people {
        match &p.id {
            Some(pid) => ids::validate(IdKind::Person, pid)?,
            None => {
                return Err(Error::invalid(
                    "people[] entries of a new asset need an id (the faces refer to it)",
                ))
            }
        }
    }
    let rec = AssetRecord {
        id,
        library: 0,
        device_asset_id: n.device_asset_id,
        device_id: n.device_id,
        mime_type: n.mime_type,
        original_file_name: n.original_file_name,
        file_created_at: n.file_created_at.map(|t| t.timestamp_micros()),
        file_modified_at: n.file_modified_at.map(|t| t.timestamp_micros()),
        local,
        offset,
        offset_from_value,
        checksum,
        checksum_sha1,
        created_at,
        updated_at,
        exif,
        metadata,
        metrics: n.metrics,
        asset_urls: n.asset_urls,
        description: n.description,
        faces,
        width: n.width,
        height: n.height,
        file_size_bytes: n.file_size_bytes,
        trashed_at: n.trashed_at.map(|t| t.timestamp_micros()),
        download_url: n.download_url,
        thumbnail_url: n.thumbnail_url,
        owner_id: n.owner_id,
        is_favorite: n.is_favorite.unwrap_or(false),
        visibility: n.visibility.unwrap_or_default(),
        is_offline: n.is_offline.unwrap_or(false),
        live_photo_video_id: n.live_photo_video_id,
        duplicate_id: n.duplicate_id,
        stack_id: n.stack_id,
        tags: n.tags.unwrap_or_default(),
        thumbhash: n.thumbhash,
        duration: n.duration,
        original_path: n.original_path,
        time_source: Some(time_source),
    };
    Ok(Prepared {
        rec,
        face_people,
        people,
        explicit_id,
        library_id: n.library_id,
    })
}

fn prepare_face(f: NewFace, default_created: i64) -> Result<(FaceRecord, Option<String>)> {
    let id = ids::given_or_new(IdKind::Face, f.id.as_deref())?;
    if f.bounding_box.w < 0 || f.bounding_box.h < 0 {
        return Err(Error::invalid(format!(
            "face bounding_box w and h must be >= 0, got w={} h={}",
            f.bounding_box.w, f.bounding_box.h
        )));
    }
    if let Some(p) = &f.person_id {
        ids::validate(IdKind::Person, p)?;
    }
    let created_at = f
        .created_at
        .map_or(default_created, |t| t.timestamp_micros());
    Ok((
        FaceRecord {
            id,
            person: None,
            bounding_box: f.bounding_box,
            timestamp_ms: f.timestamp_ms,
            created_at,
            updated_at: f.updated_at.map_or(created_at, |t| t.timestamp_micros()),
            thumbnail_url: f.thumbnail_url,
        },
        f.person_id,
    ))
}

/// Resolves the library a write goes to: the named one, or the only one, creating "Default"
/// when `create_default` and there is none.
fn write_library(
    txn: &WriteTransaction,
    library_id: Option<&str>,
    create_default: bool,
    now: i64,
) -> Result<(u32, LibraryRecord)> {
    let ids_t = txn.open_table(tables::LIBRARY_IDS)?;
    let libs = txn.open_table(tables::LIBRARIES)?;
    let found = build::resolve_library(&ids_t, &libs, library_id, &mut Tally::default())?;
    drop((ids_t, libs));
    match found {
        Some(lib) => Ok(lib),
        None if create_default => create_library_in(
            txn,
            NewLibrary {
                name: "Default".into(),
                ..NewLibrary::default()
            },
            now,
        ),
        None => Err(Error::invalid("the catalogue has no library yet")),
    }
}

fn create_library_in(
    txn: &WriteTransaction,
    lib: NewLibrary,
    now: i64,
) -> Result<(u32, LibraryRecord)> {
    let id = ids::given_or_new(IdKind::Library, lib.id.as_deref())?;
    let mut ids_t = txn.open_table(tables::LIBRARY_IDS)?;
    if ids_t.get(id.as_str())?.is_some() {
        return Err(Error::Duplicate {
            message: format!("library {id:?} already exists"),
            existing_id: id,
        });
    }
    let key = next_key_u32(txn, counter::LIBRARY)?;
    let rec = LibraryRecord {
        id: id.clone(),
        name: lib.name,
        owner_id: lib.owner_id,
        created_at: now,
        updated_at: now,
    };
    ids_t.insert(id.as_str(), key)?;
    txn.open_table(tables::LIBRARIES)?
        .insert(key, codec::encode(&rec)?.as_slice())?;
    Ok((key, rec))
}

/// The library public ids by key, for building results.
fn library_names(txn: &WriteTransaction) -> Result<HashMap<u32, String>> {
    let libs = txn.open_table(tables::LIBRARIES)?;
    let mut out = HashMap::new();
    for row in libs.iter()? {
        let (k, v) = row?;
        let rec: LibraryRecord = codec::decode(v.value())?;
        out.insert(k.value(), rec.id);
    }
    Ok(out)
}

/// Builds public assets for records of one write transaction (consumed).
fn build_assets(
    txn: &WriteTransaction,
    recs: impl IntoIterator<Item = AssetRecord>,
) -> Result<Vec<Asset>> {
    let libs = library_names(txn)?;
    let people = txn.open_table(tables::PEOPLE)?;
    let mut cache = PeopleCache::default();
    let mut tally = Tally::default();
    recs.into_iter()
        .map(|r| {
            let lib = libs.get(&r.library).cloned().unwrap_or_default();
            build::asset_public(r, &lib, &people, &mut cache, &mut tally)
        })
        .collect()
}

/// The public asset of one record of a write transaction.
fn build_asset(txn: &WriteTransaction, rec: AssetRecord) -> Result<Asset> {
    build_assets(txn, [rec])?
        .pop()
        .ok_or_else(|| Error::Corrupt("no asset built".into()))
}

/// Runs one write transaction: commits when `f` succeeds, aborts (writing nothing) when it
/// fails. Storage and I/O errors name the catalogue file.
fn run_write<T>(cat: &Catalog, f: impl FnOnce(&WriteTransaction) -> Result<T>) -> Result<T> {
    run_write_in(cat, f).map_err(|e| e.at(cat.path()))
}

fn run_write_in<T>(cat: &Catalog, f: impl FnOnce(&WriteTransaction) -> Result<T>) -> Result<T> {
    let txn = cat.db.begin_write()?;
    match f(&txn) {
        Ok(v) => {
            cat.shared.committing(|| txn.commit())?;
            Ok(v)
        }
        Err(e) => {
            // Dropping the transaction without commit discards everything it wrote.
            let _ = txn.abort();
            Err(e)
        }
    }
}

/// Where one input record ended up.
enum Outcome {
    New(usize),
    Existing(u64),
}

fn duplicate_checksum(i: usize, field: &str, existing: &str) -> Error {
    Error::Duplicate {
        message: format!(
            "records[{i}]: {field} already belongs to asset {existing:?} in this library \
             (pass on_duplicate=\"skip\" to return the existing asset instead)"
        ),
        existing_id: existing.to_owned(),
    }
}

fn load_by_id(txn: &WriteTransaction, id: &str) -> Result<(u64, AssetRecord)> {
    let ids_t = txn.open_table(tables::ASSET_IDS)?;
    let key = lookup_u64(&ids_t, id)?.ok_or_else(|| Error::not_found("asset", id))?;
    let assets = txn.open_table(tables::ASSETS)?;
    let rec = build::load_asset(&assets, key, &mut Tally::default())?;
    Ok((key, rec))
}

fn store(txn: &WriteTransaction, key: u64, rec: &AssetRecord) -> Result<()> {
    txn.open_table(tables::ASSETS)?
        .insert(key, codec::encode(rec)?.as_slice())?;
    Ok(())
}

/// Validates a list of ids for a bulk write: each must be a well-formed id; repeats are
/// allowed and act once.
fn distinct_ids<S: AsRef<str>>(ids_in: &[S], kind: IdKind) -> Result<Vec<&str>> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(ids_in.len());
    for id in ids_in {
        let id = id.as_ref();
        ids::validate(kind, id)?;
        if seen.insert(id) {
            out.push(id);
        }
    }
    Ok(out)
}

impl Catalog {
    /// Creates a library.
    pub fn create_library(&self, lib: NewLibrary) -> Result<Library> {
        if let Some(id) = &lib.id {
            ids::validate(IdKind::Library, id)?;
        }
        let now = now_micros();
        run_write(self, |txn| {
            let (_, rec) = create_library_in(txn, lib, now)?;
            Ok(build::library_public(&rec))
        })
    }

    /// Adds any number of assets in one transaction; see [`NewAsset`] for the record shape.
    ///
    /// Every record is validated (on every core) before anything is written; a record that
    /// fails makes the whole call fail with nothing written. Checksums are unique per
    /// (owner, library): see [`OnDuplicate`].
    pub fn add_assets(&self, records: Vec<NewAsset>, opts: AddAssets) -> Result<Vec<Asset>> {
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
                rec.metadata = m;
            }
            if let Some(e) = exif {
                rec.exif = e;
            }
            // The offset: on the new value, else the old value's own offset (kept across
            // metadata changes), else metadata.timezone, else unknown.
            let value_offset = match local {
                Some(d) => {
                    rec.local = naive_micros(d.naive);
                    rec.time_source = Some(TimeSource::Given);
                    rec.offset_from_value = d.offset.is_some();
                    d.offset.map(|o| o.local_minus_utc())
                }
                None => rec.offset.filter(|_| rec.offset_from_value),
            };
            if local.is_some() || u.metadata.is_some() {
                rec.offset = capture_offset(value_offset, rec.metadata.as_ref(), rec.local)?;
            }
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

    /// Creates an album in a library.
    pub fn create_album(&self, album: NewAlbum) -> Result<Album> {
        let id = ids::given_or_new(IdKind::Album, album.id.as_deref())?;
        let now = now_micros();
        run_write(self, |txn| {
            let (lib_key, lib) = write_library(txn, album.library_id.as_deref(), true, now)?;
            let mut ids_t = txn.open_table(tables::ALBUM_IDS)?;
            if ids_t.get(id.as_str())?.is_some() {
                return Err(Error::Duplicate {
                    message: format!("album {id:?} already exists"),
                    existing_id: id.clone(),
                });
            }
            let key = next_key_u32(txn, counter::ALBUM)?;
            let rec = AlbumRecord {
                id: id.clone(),
                name: album.name,
                description: album.description,
                library: lib_key,
                created_at: now,
                updated_at: now,
            };
            ids_t.insert(id.as_str(), key)?;
            txn.open_table(tables::ALBUMS)?
                .insert(key, codec::encode(&rec)?.as_slice())?;
            Ok(build::album_public(&rec, &lib.id, 0))
        })
    }

    /// Adds assets to an album (assets already in it are left as they are). The assets must be
    /// in the album's library.
    pub fn add_to_album<S: AsRef<str>>(&self, album_id: &str, asset_ids: &[S]) -> Result<()> {
        self.album_links(album_id, asset_ids, true)
    }

    /// Removes assets from an album (assets not in it are left as they are).
    pub fn remove_from_album<S: AsRef<str>>(&self, album_id: &str, asset_ids: &[S]) -> Result<()> {
        self.album_links(album_id, asset_ids, false)
    }

    fn album_links<S: AsRef<str>>(&self, album_id: &str, asset_ids: &[S], add: bool) -> Result<()> {
        ids::validate(IdKind::Album, album_id)?;
        let list = distinct_ids(asset_ids, IdKind::Asset)?;
        run_write(self, |txn| {
            let album_key = lookup_u32(&txn.open_table(tables::ALBUM_IDS)?, album_id)?
                .ok_or_else(|| Error::not_found("album", album_id))?;
            let album: AlbumRecord = build::load_u32(
                &txn.open_table(tables::ALBUMS)?,
                album_key,
                "album",
                &mut Tally::default(),
            )?;
            let mut idx = IndexTables::open(txn)?;
            for id in list {
                let (key, rec) = load_by_id(txn, id)?;
                if add && rec.library != album.library {
                    return Err(Error::invalid(format!(
                        "asset {id:?} is in another library than album {album_id:?}; \
                         an album holds assets of its own library only"
                    )));
                }
                idx.link_album(key, &crate::index::Placement::of(&rec), album_key, add)?;
            }
            idx.finish()
        })
    }

    /// Creates a person.
    pub fn create_person(&self, person: NewPerson) -> Result<Person> {
        if let Some(id) = &person.id {
            ids::validate(IdKind::Person, id)?;
        }
        let now = now_micros();
        run_write(self, |txn| {
            let (_, rec) = RefTables::open(txn)?.create_person(person, now)?;
            Ok(build::person_public(&rec))
        })
    }

    /// Changes the given fields of a person (fields left None stay as they are) and bumps
    /// `updated_at`.
    pub fn update_person(&self, person_id: &str, update: NewPerson) -> Result<Person> {
        ids::validate(IdKind::Person, person_id)?;
        let now = now_micros();
        run_write(self, |txn| {
            let key = lookup_u32(&txn.open_table(tables::PERSON_IDS)?, person_id)?
                .ok_or_else(|| Error::not_found("person", person_id))?;
            let mut people = txn.open_table(tables::PEOPLE)?;
            let mut rec: PersonRecord =
                build::load_u32(&people, key, "person", &mut Tally::default())?;
            if let Some(v) = update.name {
                rec.name = Some(v);
            }
            if let Some(v) = update.birth_date {
                rec.birth_date = Some(chrono::Datelike::num_days_from_ce(&v));
            }
            if let Some(v) = update.is_hidden {
                rec.is_hidden = v;
            }
            if let Some(v) = update.is_favorite {
                rec.is_favorite = v;
            }
            if let Some(v) = update.thumbnail_face_id {
                rec.thumbnail_face_id = Some(v);
            }
            if let Some(v) = update.thumbnail_face_url {
                rec.thumbnail_face_url = Some(v);
            }
            rec.updated_at = bumped(rec.updated_at, now);
            people.insert(key, codec::encode(&rec)?.as_slice())?;
            Ok(build::person_public(&rec))
        })
    }

    /// Moves every face of the `from_ids` people to `into_id`, then deletes those people.
    pub fn merge_people<S: AsRef<str>>(&self, into_id: &str, from_ids: &[S]) -> Result<Person> {
        ids::validate(IdKind::Person, into_id)?;
        let from = distinct_ids(from_ids, IdKind::Person)?;
        if from.contains(&into_id) {
            return Err(Error::invalid(format!(
                "cannot merge person {into_id:?} into itself"
            )));
        }
        let now = now_micros();
        run_write(self, |txn| {
            let person_ids = txn.open_table(tables::PERSON_IDS)?;
            let into = lookup_u32(&person_ids, into_id)?
                .ok_or_else(|| Error::not_found("person", into_id))?;
            let mut from_keys = Vec::new();
            for id in &from {
                from_keys.push(
                    lookup_u32(&person_ids, id)?.ok_or_else(|| Error::not_found("person", *id))?,
                );
            }
            drop(person_ids);
            for &p in &from_keys {
                let assets: Vec<u64> = txn
                    .open_table(tables::PERSON_ASSETS)?
                    .range((p, 0)..=(p, u64::MAX))?
                    .map(|r| r.map(|(k, _)| k.value().1))
                    .collect::<std::result::Result<_, _>>()?;
                for key in assets {
                    let old = build::load_asset(
                        &txn.open_table(tables::ASSETS)?,
                        key,
                        &mut Tally::default(),
                    )?;
                    let mut rec = old.clone();
                    for f in &mut rec.faces {
                        if f.person == Some(p) {
                            f.person = Some(into);
                            f.updated_at = bumped(f.updated_at, now);
                        }
                    }
                    rec.updated_at = bumped(rec.updated_at, now);
                    IndexTables::update(txn, key, Some(&old), Some(&rec))?;
                    store(txn, key, &rec)?;
                }
            }
            let mut people = txn.open_table(tables::PEOPLE)?;
            let mut ids_t = txn.open_table(tables::PERSON_IDS)?;
            for (&p, id) in from_keys.iter().zip(&from) {
                people.remove(p)?;
                ids_t.remove(*id)?;
            }
            let mut rec: PersonRecord =
                build::load_u32(&people, into, "person", &mut Tally::default())?;
            rec.updated_at = bumped(rec.updated_at, now);
            people.insert(into, codec::encode(&rec)?.as_slice())?;
            Ok(build::person_public(&rec))
        })
    }

    /// Adds faces to existing assets (each record names its `asset_id`) in one transaction.
    pub fn add_faces(&self, records: Vec<NewFace>) -> Result<Vec<Face>> {
        let now = now_micros();
        let prepared: Vec<(String, FaceRecord, Option<String>)> = records
            .into_iter()
            .enumerate()
            .map(|(i, f)| {
                let asset_id = f
                    .asset_id
                    .clone()
                    .ok_or_else(|| Error::invalid(format!("faces[{i}]: asset_id is required")))?;
                ids::validate(IdKind::Asset, &asset_id).map_err(|e| at_face(i, e))?;
                let (face, person) = prepare_face(f, now).map_err(|e| at_face(i, e))?;
                Ok((asset_id, face, person))
            })
            .collect::<Result<_>>()?;
        run_write(self, |txn| {
            let mut out_ids = Vec::with_capacity(prepared.len());
            let mut touched: HashMap<u64, (AssetRecord, AssetRecord)> = HashMap::new();
            for (i, (asset_id, mut face, person)) in prepared.into_iter().enumerate() {
                let key = lookup_u64(&txn.open_table(tables::ASSET_IDS)?, &asset_id)?
                    .ok_or_else(|| Error::not_found("asset", asset_id.clone()))?;
                let mut refs = RefTables::open(txn)?;
                face.person = refs.resolve_person(person.as_deref())?;
                refs.claim_face_id(&face.id, key)
                    .map_err(|e| at_face(i, e))?;
                drop(refs);
                let (_, new) = match touched.entry(key) {
                    std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
                    std::collections::hash_map::Entry::Vacant(v) => {
                        let rec = build::load_asset(
                            &txn.open_table(tables::ASSETS)?,
                            key,
                            &mut Tally::default(),
                        )?;
                        v.insert((rec.clone(), rec))
                    }
                };
                new.faces.push(face);
                out_ids.push((key, new.faces.len() - 1));
            }
            let mut idx = IndexTables::open(txn)?;
            for (key, (old, new)) in &mut touched {
                new.updated_at = bumped(new.updated_at, now);
                idx.apply(*key, Some(old), Some(new))?;
            }
            idx.finish()?;
            for (key, (_, new)) in &touched {
                store(txn, *key, new)?;
            }
            let built: HashMap<u64, Asset> = touched
                .into_iter()
                .map(|(k, (_, new))| Ok((k, build_asset(txn, new)?)))
                .collect::<Result<_>>()?;
            Ok(out_ids
                .into_iter()
                .map(|(k, i)| built[&k].faces[i].clone())
                .collect())
        })
    }

    /// Assigns a face to a person, or unassigns it with None.
    pub fn assign_face(&self, face_id: &str, person_id: Option<&str>) -> Result<Face> {
        ids::validate(IdKind::Face, face_id)?;
        if let Some(p) = person_id {
            ids::validate(IdKind::Person, p)?;
        }
        let now = now_micros();
        run_write(self, |txn| {
            let key = lookup_u64(&txn.open_table(tables::FACE_IDS)?, face_id)?
                .ok_or_else(|| Error::not_found("face", face_id))?;
            let person = RefTables::open(txn)?.resolve_person(person_id)?;
            let old =
                build::load_asset(&txn.open_table(tables::ASSETS)?, key, &mut Tally::default())?;
            let mut rec = old.clone();
            let pos = rec
                .faces
                .iter()
                .position(|f| f.id == face_id)
                .ok_or_else(|| Error::Corrupt(format!("face {face_id} is not on its asset")))?;
            if rec.faces[pos].person != person {
                rec.faces[pos].person = person;
                rec.faces[pos].updated_at = bumped(rec.faces[pos].updated_at, now);
                rec.updated_at = bumped(rec.updated_at, now);
                IndexTables::update(txn, key, Some(&old), Some(&rec))?;
                store(txn, key, &rec)?;
            }
            let mut faces = build_asset(txn, rec)?.faces;
            Ok(faces.swap_remove(pos))
        })
    }
}

fn at_record(i: usize, e: Error) -> Error {
    match e {
        Error::InvalidArgument(m) => Error::InvalidArgument(format!("records[{i}]: {m}")),
        other => other,
    }
}

fn at_face(i: usize, e: Error) -> Error {
    match e {
        Error::InvalidArgument(m) => Error::InvalidArgument(format!("faces[{i}]: {m}")),
        other => other,
    }
}

/// The id tables a write consults per record, opened once per transaction.
struct RefTables<'t> {
    person_ids: redb::Table<'t, &'static str, u32>,
    people: redb::Table<'t, u32, &'static [u8]>,
    face_ids: redb::Table<'t, &'static str, u64>,
    counters: redb::Table<'t, &'static str, u64>,
}

impl<'t> RefTables<'t> {
    fn open(txn: &'t WriteTransaction) -> Result<Self> {
        Ok(RefTables {
            person_ids: txn.open_table(tables::PERSON_IDS)?,
            people: txn.open_table(tables::PEOPLE)?,
            face_ids: txn.open_table(tables::FACE_IDS)?,
            counters: txn.open_table(tables::COUNTERS)?,
        })
    }

    fn resolve_person(&self, person_id: Option<&str>) -> Result<Option<u32>> {
        match person_id {
            None => Ok(None),
            Some(p) => lookup_u32(&self.person_ids, p)?
                .map(Some)
                .ok_or_else(|| Error::not_found("person", p)),
        }
    }

    fn claim_face_id(&mut self, face_id: &str, asset: u64) -> Result<()> {
        if self.face_ids.get(face_id)?.is_some() {
            return Err(Error::Duplicate {
                message: format!("face {face_id:?} already exists"),
                existing_id: face_id.to_owned(),
            });
        }
        self.face_ids.insert(face_id, asset)?;
        Ok(())
    }

    fn create_person(&mut self, p: NewPerson, now: i64) -> Result<(u32, PersonRecord)> {
        let id = ids::given_or_new(IdKind::Person, p.id.as_deref())?;
        if self.person_ids.get(id.as_str())?.is_some() {
            return Err(Error::Duplicate {
                message: format!("person {id:?} already exists"),
                existing_id: id,
            });
        }
        let next = self.counters.get(counter::PERSON)?.map_or(1, |v| v.value());
        self.counters.insert(counter::PERSON, next + 1)?;
        let key =
            u32::try_from(next).map_err(|_| Error::invalid("too many people (at most 2^32)"))?;
        let created_at = p.created_at.map_or(now, |t| t.timestamp_micros());
        let rec = PersonRecord {
            id: id.clone(),
            name: p.name,
            birth_date: p.birth_date.map(|d| chrono::Datelike::num_days_from_ce(&d)),
            is_hidden: p.is_hidden.unwrap_or(false),
            is_favorite: p.is_favorite.unwrap_or(false),
            asset_count: 0,
            thumbnail_face_id: p.thumbnail_face_id,
            created_at,
            updated_at: p.updated_at.map_or(created_at, |t| t.timestamp_micros()),
            thumbnail_face_url: p.thumbnail_face_url,
        };
        self.person_ids.insert(id.as_str(), key)?;
        self.people.insert(key, codec::encode(&rec)?.as_slice())?;
        Ok((key, rec))
    }
}

/// The uniqueness keys of an asset's checksums, each with its field name.
fn checksum_keys(rec: &AssetRecord) -> Vec<(Vec<u8>, &'static str)> {
    let owner = rec.owner_id.as_deref();
    let mut out = Vec::with_capacity(2);
    if let Some(c) = &rec.checksum {
        out.push((
            keys::checksum_key(rec.library, ChecksumKind::Sha256, c, owner),
            "checksum",
        ));
    }
    if let Some(c) = &rec.checksum_sha1 {
        out.push((
            keys::checksum_key(rec.library, ChecksumKind::Sha1, c, owner),
            "checksum_sha1",
        ));
    }
    out
}

fn add_in(
    txn: &WriteTransaction,
    prepared: Vec<Prepared>,
    opts: &AddAssets,
    now: i64,
) -> Result<Vec<Asset>> {
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
            let mut existing: Option<Outcome> = None;
            for (k, field) in checksum_keys(&rec) {
                let found = if let Some(key) = sums.get(k.as_slice())?.map(|v| v.value()) {
                    Some(Outcome::Existing(key))
                } else {
                    batch_sums.get(&k).map(|&j| Outcome::New(j))
                };
                if let Some(o) = found {
                    if opts.on_duplicate == OnDuplicate::Error {
                        let existing_id = match &o {
                            Outcome::Existing(key) => {
                                build::load_asset(
                                    &txn.open_table(tables::ASSETS)?,
                                    *key,
                                    &mut Tally::default(),
                                )?
                                .id
                            }
                            Outcome::New(j) => fresh[*j].1.id.clone(),
                        };
                        return Err(duplicate_checksum(i, field, &existing_id));
                    }
                    existing = Some(o);
                    break;
                }
            }
            if let Some(o) = existing {
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
            outcomes.push(Outcome::New(fresh.len()));
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
        if let Outcome::New(j) = o {
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
        let asset = match o {
            Outcome::New(j) => {
                uses[j] -= 1;
                if uses[j] == 0 {
                    built[j].take()
                } else {
                    built[j].clone()
                }
            }
            Outcome::Existing(k) => {
                if let std::collections::hash_map::Entry::Vacant(v) = existing.entry(k) {
                    let rec = build::load_asset(
                        &txn.open_table(tables::ASSETS)?,
                        k,
                        &mut Tally::default(),
                    )?;
                    v.insert(build_asset(txn, rec)?);
                }
                existing.get(&k).cloned()
            }
        };
        out.push(asset.ok_or_else(|| Error::Corrupt("a result asset was not built".into()))?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_duplicate_parses() {
        assert_eq!("skip".parse::<OnDuplicate>().unwrap(), OnDuplicate::Skip);
        let e = "ignore".parse::<OnDuplicate>().unwrap_err().to_string();
        assert!(e.contains("\"error\" or \"skip\""), "{e}");
    }

    #[test]
    fn bumped_always_moves_forward() {
        assert_eq!(bumped(10, 5), 11);
        assert_eq!(bumped(10, 50), 50);
    }

    #[test]
    fn digests_are_checked() {
        assert!(decode_digest::<32>("checksum", "abc").is_err());
        let ok = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        assert_eq!(decode_digest::<32>("checksum", &ok).unwrap(), [7u8; 32]);
        assert!(decode_digest::<20>("checksum_sha1", &ok).is_err());
    }
}
