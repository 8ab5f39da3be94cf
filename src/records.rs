//! From stored records to the public types, used by reads (`query`) and writes (`write`)
//! alike: the one place that applies the view defaults (`device_id`, `mime_type`, file times)
//! and resolves internal keys to public ids, with the record loads and id look-ups both sides
//! need and the library rule ([`resolve_library`]).

use std::sync::Arc;

use chrono::{FixedOffset, NaiveDate};
use redb::{ReadTransaction, ReadableTable};

use crate::catalog::Tally;
use crate::error::{Error, Result};
use crate::model::time::{instant_from_micros, naive_from_micros};
use crate::model::{Album, Asset, Face, Library, Person, DEFAULT_MIME_TYPE};
use crate::snapshot::{CachedPerson, View};
use crate::storage::codec::{self, AlbumRecord, AssetRecord, LibraryRecord, PersonRecord};
use crate::storage::tables;

type Bytes = &'static [u8];

/// Reads asset `key`'s stored bytes (counted as one record read): what [`load_asset`] decodes,
/// and what the JSON paths read in place.
pub(crate) fn stored_asset<'t>(
    t: &'t impl ReadableTable<u64, Bytes>,
    key: u64,
    tally: &mut Tally,
) -> Result<redb::AccessGuard<'t, Bytes>> {
    tally.records += 1;
    t.get(key)?
        .ok_or_else(|| Error::Corrupt(format!("asset key {key} is indexed but missing")))
}

/// Loads an asset record by internal key.
pub(crate) fn load_asset(
    t: &impl ReadableTable<u64, Bytes>,
    key: u64,
    tally: &mut Tally,
) -> Result<AssetRecord> {
    crate::storage::fast::asset_record(stored_asset(t, key, tally)?.value())
}

/// Loads a record keyed by a u32 internal key (people, albums, libraries).
pub(crate) fn load_u32<T: serde::de::DeserializeOwned>(
    t: &impl ReadableTable<u32, Bytes>,
    key: u32,
    what: &str,
    tally: &mut Tally,
) -> Result<T> {
    tally.records += 1;
    let v = t
        .get(key)?
        .ok_or_else(|| Error::Corrupt(format!("{what} key {key} is referenced but missing")))?;
    codec::decode(v.value())
}

/// The internal asset key of a public id, if it exists.
pub(crate) fn lookup_u64(
    t: &impl ReadableTable<&'static str, u64>,
    id: &str,
) -> Result<Option<u64>> {
    Ok(t.get(id)?.map(|v| v.value()))
}

/// The internal key of a public library, album or person id, if it exists.
pub(crate) fn lookup_u32(
    t: &impl ReadableTable<&'static str, u32>,
    id: &str,
) -> Result<Option<u32>> {
    Ok(t.get(id)?.map(|v| v.value()))
}

/// The library named by `library_id`, or else the only library: the one place of that rule
/// (reads, writes and `import_paths`' early check all come here).
/// None when the catalogue has no library; several libraries make None `InvalidArgument`.
pub(crate) fn resolve_library(
    ids: &impl ReadableTable<&'static str, u32>,
    libs: &impl ReadableTable<u32, Bytes>,
    library_id: Option<&str>,
    tally: &mut Tally,
) -> Result<Option<(u32, LibraryRecord)>> {
    if let Some(id) = library_id {
        let key = lookup_u32(ids, id)?.ok_or_else(|| Error::not_found("library", id))?;
        return Ok(Some((key, load_u32(libs, key, "library", tally)?)));
    }
    match libs.len()? {
        0 => Ok(None),
        1 => {
            let (k, v) = libs
                .first()?
                .ok_or_else(|| Error::Corrupt("library table changed".into()))?;
            tally.records += 1;
            Ok(Some((k.value(), codec::decode(v.value())?)))
        }
        n => {
            let mut names = Vec::with_capacity(n as usize);
            for row in libs.iter()? {
                let (_, v) = row?;
                let lib: LibraryRecord = codec::decode(v.value())?;
                names.push(format!("{:?} ({:?})", lib.id, lib.name));
            }
            names.sort();
            const SHOWN: usize = 10;
            if names.len() > SHOWN {
                let more = names.len() - SHOWN;
                names.truncate(SHOWN);
                names.push(format!("and {more} more (see list_libraries)"));
            }
            Err(Error::invalid(format!(
                "library_id is required: the catalogue has {n} libraries: {}",
                names.join(", ")
            )))
        }
    }
}

/// [`resolve_library`] in a read transaction: the library a read (or an import's early check)
/// names, or the only one. None when the catalogue has no library.
pub(crate) fn read_library(
    txn: &ReadTransaction,
    library_id: Option<&str>,
    tally: &mut Tally,
) -> Result<Option<(u32, LibraryRecord)>> {
    resolve_library(
        &txn.open_table(tables::LIBRARY_IDS)?,
        &txn.open_table(tables::LIBRARIES)?,
        library_id,
        tally,
    )
}

pub(crate) fn person_public(p: &PersonRecord) -> Person {
    Person {
        id: p.id.clone(),
        name: p.name.clone(),
        birth_date: p.birth_date.and_then(NaiveDate::from_num_days_from_ce_opt),
        is_hidden: p.is_hidden,
        is_favorite: p.is_favorite,
        asset_count: p.asset_count,
        thumbnail_face_id: p.thumbnail_face_id.clone(),
        created_at: instant_from_micros(p.created_at),
        updated_at: instant_from_micros(p.updated_at),
        thumbnail_face_url: p.thumbnail_face_url.clone(),
    }
}

/// The public album; `asset_count` is the maintained count of its live entries.
pub(crate) fn album_public(a: &AlbumRecord, library_id: &str, asset_count: u64) -> Album {
    Album {
        id: a.id.clone(),
        name: a.name.clone(),
        description: a.description.clone(),
        library_id: library_id.to_owned(),
        asset_count,
        created_at: instant_from_micros(a.created_at),
        updated_at: instant_from_micros(a.updated_at),
    }
}

pub(crate) fn library_public(l: &LibraryRecord) -> Library {
    Library {
        id: l.id.clone(),
        name: l.name.clone(),
        owner_id: l.owner_id.clone(),
        created_at: instant_from_micros(l.created_at),
        updated_at: instant_from_micros(l.updated_at),
    }
}

/// People by key, read once per call, and through the catalogue's shared cache when the
/// call's snapshot is a known committed state (see [`crate::snapshot`]).
#[derive(Default)]
pub(crate) struct PeopleCache<'c> {
    map: foldhash::HashMap<u32, Arc<CachedPerson>>,
    shared: Option<View<'c>>,
}

impl<'c> PeopleCache<'c> {
    /// A cache that also uses the shared one of `view`'s committed state.
    pub(crate) fn shared(view: Option<View<'c>>) -> Self {
        PeopleCache {
            map: foldhash::HashMap::default(),
            shared: view,
        }
    }

    /// A person already loaded by [`Self::get`].
    pub(crate) fn peek(&self, key: u32) -> Option<&CachedPerson> {
        self.map.get(&key).map(|p| &**p)
    }

    pub(crate) fn get(
        &mut self,
        t: &impl ReadableTable<u32, Bytes>,
        key: u32,
        tally: &mut Tally,
    ) -> Result<&Arc<CachedPerson>> {
        match self.map.entry(key) {
            std::collections::hash_map::Entry::Occupied(e) => Ok(e.into_mut()),
            std::collections::hash_map::Entry::Vacant(v) => {
                if let Some(p) = self.shared.as_ref().and_then(|s| s.person(key)) {
                    return Ok(v.insert(p));
                }
                let rec: PersonRecord = load_u32(t, key, "person", tally)?;
                let person = person_public(&rec);
                let json = crate::views::gumnut::person_json(&person).into_boxed_str();
                let p = Arc::new(CachedPerson { person, json });
                if let Some(s) = &self.shared {
                    s.remember(key, &p);
                }
                Ok(v.insert(p))
            }
        }
    }
}

/// The public face of a stored face on asset `asset_id`, assigned to the person `person_id`
/// (the public id of the record's person key).
pub(crate) fn face_public(
    f: codec::FaceRecord,
    asset_id: String,
    person_id: Option<String>,
) -> Face {
    Face {
        id: f.id,
        asset_id,
        person_id,
        bounding_box: f.bounding_box.into(),
        timestamp_ms: f.timestamp_ms,
        created_at: instant_from_micros(f.created_at),
        updated_at: instant_from_micros(f.updated_at),
        thumbnail_url: f.thumbnail_url,
    }
}

/// Builds the public asset of a record (consumed: its strings move, they are not copied).
pub(crate) fn asset_public(
    rec: AssetRecord,
    library_id: &str,
    people_table: &impl ReadableTable<u32, Bytes>,
    cache: &mut PeopleCache<'_>,
    tally: &mut Tally,
) -> Result<Asset> {
    let local_offset = rec.offset.and_then(FixedOffset::east_opt);
    let file_created_at = instant_from_micros(rec.file_created_at_or_default());
    let file_modified_at = instant_from_micros(rec.file_modified_at_or_default());
    let device_id = rec.device_id_or_default().to_owned();
    let device_asset_id = rec.device_asset_id_or_default().to_owned();
    let b64 = |b: &[u8]| {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(b)
    };
    let people_keys = rec.people();
    let mut faces = Vec::with_capacity(rec.faces.len());
    for f in rec.faces {
        let person_id = match f.person {
            Some(p) => Some(cache.get(people_table, p, tally)?.person.id.clone()),
            None => None,
        };
        faces.push(face_public(f, rec.id.clone(), person_id));
    }
    let mut people = Vec::new();
    for p in people_keys {
        people.push(cache.get(people_table, p, tally)?.person.clone());
    }
    Ok(Asset {
        device_asset_id,
        device_id,
        mime_type: rec
            .mime_type
            .unwrap_or_else(|| DEFAULT_MIME_TYPE.to_owned()),
        original_file_name: rec.original_file_name.unwrap_or_default(),
        file_created_at,
        file_modified_at,
        local_datetime: naive_from_micros(rec.local),
        local_offset,
        local_datetime_source: rec.time_source,
        checksum: rec.checksum.map(|c| b64(&c)),
        checksum_sha1: rec.checksum_sha1.map(|c| b64(&c)),
        created_at: instant_from_micros(rec.created_at),
        updated_at: instant_from_micros(rec.updated_at),
        exif: rec.exif.map(Into::into),
        metadata: rec.metadata.map(Into::into),
        metrics: rec.metrics,
        asset_urls: rec
            .asset_urls
            .map(|m| m.into_iter().map(|(k, v)| (k, v.into())).collect()),
        description: rec.description,
        faces,
        people,
        width: rec.width,
        height: rec.height,
        file_size_bytes: rec.file_size_bytes,
        trashed_at: rec.trashed_at.map(instant_from_micros),
        download_url: rec.download_url,
        thumbnail_url: rec.thumbnail_url,
        library_id: library_id.to_owned(),
        owner_id: rec.owner_id,
        is_favorite: rec.is_favorite,
        visibility: rec.visibility,
        is_offline: rec.is_offline,
        live_photo_video_id: rec.live_photo_video_id,
        duplicate_id: rec.duplicate_id,
        stack_id: rec.stack_id,
        tags: rec.tags,
        thumbhash: rec.thumbhash,
        duration: rec.duration,
        original_path: rec.original_path,
        id: rec.id,
    })
}
