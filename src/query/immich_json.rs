//! Immich JSON written straight from the stored records, as [`super::json`] writes Gumnut's:
//! each record is read in place ([`AssetRef`]), its people come from the per-snapshot people
//! cache and its library's public id from one look-up per library, and
//! [`crate::views::immich::AssetDto`] (the one definition of Immich's `AssetResponseDto`
//! shape, also behind [`crate::views::immich::ImmichAsset`]) writes it with the direct writer
//! that `to_immich_json` uses (checked against its derived `Serialize`): no owned `Asset`. The
//! bytes equal `ImmichAsset::new(&asset).to_json()` of the same asset (tested on every asset
//! of a generated catalogue in `tests/generator.rs`, on the model check's Immich reads and on
//! the golden records).

use std::collections::HashMap;

use chrono::FixedOffset;
use serde::Serialize;

use super::json::fill_people;
use crate::catalog::Tally;
use crate::error::{Error, Result};
use crate::model::time::{instant_from_micros, naive_from_micros};
use crate::model::{Asset, DEFAULT_MIME_TYPE};
use crate::records::{self, PeopleCache};
use crate::snapshot::{Snapshot, View};
use crate::storage::codec::LibraryRecord;
use crate::storage::fast::{AssetRef, FaceRef};
use crate::storage::tables;
#[cfg(feature = "fuzzing")]
use crate::views::gumnut::direct_json;
use crate::views::gumnut::{Checksum, Each, WriteJson};
use crate::views::immich::{asset_dto, face_dto, person_dto, Facts, JSON_CAPACITY};
use crate::views::writer::Direct;

/// The Immich view of a stored asset in library `library_id`, whose faces, read once, are
/// `faces`. `people` holds every person its faces name ([`fill_people`]); a face whose person
/// is missing from it is unassigned.
fn stored_view<'a, 'b: 'a>(
    r: &'a AssetRef<'b>,
    faces: &'a [FaceRef<&'b str>],
    library_id: &'a str,
    people: &'a PeopleCache<'_>,
) -> impl Serialize + WriteJson + 'a {
    let id: &'a str = r.id;
    let f = Facts {
        id,
        device_asset_id: r.device_asset_id_or_default(),
        owner_id: r.owner_id,
        device_id: r.device_id_or_default(),
        library_id,
        mime_type: r.mime_type.unwrap_or(DEFAULT_MIME_TYPE),
        original_path: r.original_path,
        original_file_name: r.original_file_name.unwrap_or_default(),
        thumbhash: r.thumbhash,
        file_created_at: instant_from_micros(r.file_created_at_or_default()),
        file_modified_at: instant_from_micros(r.file_modified_at_or_default()),
        local_datetime: naive_from_micros(r.local),
        // An offset out of chrono's range is unknown, as in the owned `Asset`.
        local_offset: r.offset.and_then(FixedOffset::east_opt),
        time_source: r.time_source,
        created_at: instant_from_micros(r.created_at),
        updated_at: instant_from_micros(r.updated_at),
        is_favorite: r.is_favorite,
        visibility: r.visibility,
        trashed: r.trashed_at.is_some(),
        duration: r.duration,
        exif: r.exif,
        metadata: r.metadata,
        width: r.width,
        height: r.height,
        file_size_bytes: r.file_size_bytes,
        live_photo_video_id: r.live_photo_video_id,
        checksum_sha1: r.checksum_sha1.map(|c| Checksum::Bytes(c)),
        stack_id: r.stack_id,
        is_offline: r.is_offline,
        duplicate_id: r.duplicate_id,
    };
    let size = f.face_image_size();
    let named = move |k: Option<u32>| k.and_then(|k| people.peek(k));
    // The people of the faces, each once, in order of first appearance.
    let first = faces.iter().enumerate().filter_map(move |(i, g)| {
        let k = g.person?;
        let seen = faces[..i].iter().any(|h| h.person == Some(k));
        (!seen).then_some(k)
    });
    asset_dto(
        f,
        r.tags.iter(),
        Each(first.filter_map(move |k| {
            let p = people.peek(k)?;
            let own = faces
                .iter()
                .filter(move |g| g.person == Some(k))
                .map(move |g| face_dto(g.id, g.bounding_box, size));
            Some(person_dto(&p.person, Each(own)))
        })),
        Each(
            faces
                .iter()
                .filter(move |g| named(g.person).is_none())
                .map(move |g| face_dto(g.id, g.bounding_box, size)),
        ),
        None,
    )
}

/// The Immich JSON of a stored asset in library `library_id` whose people are in `people`
/// (filled by [`fill_people`]): what `get_asset_immich_json` writes (for the fuzz checks).
#[cfg(feature = "fuzzing")]
pub(crate) fn record_json(r: &AssetRef<'_>, library_id: &str, people: &PeopleCache<'_>) -> String {
    let faces: Vec<FaceRef<&str>> = r.faces.iter().collect();
    let view = stored_view(r, &faces, library_id, people);
    direct_json(&view, JSON_CAPACITY)
}

/// One chunk of an Immich read, from one snapshot: the Immich JSON of the assets of `keys`, in
/// order, comma-separated without the array's brackets (a piece for
/// [`crate::views::immich::join_array`]), and, when `with_assets`, the public assets too
/// (built from the same record reads). Each record is read once.
pub(crate) fn read_chunk(
    txn: &Snapshot,
    view: Option<View<'_>>,
    keys: &[u64],
    with_assets: bool,
    tally: &mut Tally,
) -> Result<(Vec<Asset>, Vec<u8>)> {
    let table = txn.assets()?;
    let libraries = txn.open_table(tables::LIBRARIES)?;
    let mut guards = Vec::with_capacity(keys.len());
    for &key in keys {
        guards.push(records::stored_asset(table, key, tally)?);
    }
    let mut refs = Vec::with_capacity(guards.len());
    for g in &guards {
        refs.push(AssetRef::parse(g.value())?);
    }
    let mut cache = PeopleCache::shared(view);
    fill_people(txn.people()?, &refs, &mut cache, tally)?;
    let mut library_ids: HashMap<u32, String> = HashMap::new();
    for r in &refs {
        if let std::collections::hash_map::Entry::Vacant(e) = library_ids.entry(r.library) {
            let lib: LibraryRecord = records::load_u32(&libraries, r.library, "library", tally)?;
            e.insert(lib.id);
        }
    }
    let library = |r: &AssetRef<'_>| {
        library_ids
            .get(&r.library)
            .map(String::as_str)
            .ok_or_else(|| Error::Corrupt(format!("library key {} not read", r.library)))
    };
    let mut o = Direct::with_capacity((JSON_CAPACITY + 1) * refs.len());
    let mut faces = Vec::new();
    for (i, r) in refs.iter().enumerate() {
        if i > 0 {
            o.raw(b",");
        }
        faces.clear();
        faces.extend(r.faces.iter());
        stored_view(r, &faces, library(r)?, &cache).write_json(&mut o);
    }
    let json = o.out;
    let mut assets = Vec::new();
    if with_assets {
        let people = txn.people()?;
        assets.reserve_exact(refs.len());
        for r in &refs {
            let lib = library(r)?;
            assets.push(records::asset_public(
                r.to_record(),
                lib,
                people,
                &mut cache,
                tally,
            )?);
        }
    }
    Ok((assets, json))
}
