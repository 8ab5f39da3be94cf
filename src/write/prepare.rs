//! The pure half of a write: checks that need no database, turning inputs into records (run on
//! every core before the transaction starts). The offset rule of capture times lives here.

use base64::Engine;

use crate::error::{Error, Result};
use crate::ids::{self, IdKind};
use crate::model::time::{self, naive_from_micros, naive_micros};
use crate::model::{AssetType, DateTimeInput, Exif, NewAsset, NewFace, NewPerson, TimeSource};
use crate::storage::codec::{AssetRecord, FaceRecord};

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
pub(super) fn clean_exif(e: Option<Exif>) -> Result<Option<Exif>> {
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
pub(super) fn clean_metadata(m: Option<Exif>) -> Result<Option<Exif>> {
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

pub(super) fn check_metrics(
    m: &Option<std::collections::BTreeMap<String, Option<f64>>>,
) -> Result<()> {
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
pub(super) fn capture_offset(
    value_offset: Option<i32>,
    timezone: Option<&str>,
    local: i64,
) -> Result<Option<i32>> {
    if value_offset.is_some() {
        return Ok(value_offset);
    }
    match timezone {
        Some(tz) => time::resolve_timezone(tz, naive_from_micros(local)).map(Some),
        None => Ok(None),
    }
}

/// The capture time of a record without `local_datetime`, as an instant (µs) with where it came
/// from: the one rule for every record, whether given to `add_assets` or made by `import_paths`
/// from a file with no capture time (those records leave `local_datetime` unset and come here).
///
/// The rule (Immich's, for files without a capture time): the earlier of the file's creation
/// and modification times, whichever are given (a tie counts as the modification time), else
/// the time of the write. Copying a file resets its creation time but keeps its modification
/// time, and editing it moves the modification time but not the creation time, so the earlier
/// of the two is the likelier capture time either way. The caller turns the instant into a
/// wall-clock time in `metadata.timezone` when given, else in UTC (offset `+00:00`): a file
/// time carries no zone, and the machine that reads a file need not be where it was taken.
pub(crate) fn fallback_capture_time(
    file_created_at: Option<i64>,
    file_modified_at: Option<i64>,
    write_time: i64,
) -> (i64, TimeSource) {
    match (file_created_at, file_modified_at) {
        (Some(c), Some(m)) if c < m => (c, TimeSource::FileCreatedAt),
        (_, Some(m)) => (m, TimeSource::FileMtime),
        (Some(c), None) => (c, TimeSource::FileCreatedAt),
        (None, None) => (write_time, TimeSource::WriteTime),
    }
}

/// Applies an update's capture time to a record whose `metadata` the update has already
/// replaced (`metadata_changed`): the offset rule of [`capture_offset`] for updates. The offset
/// is the one on the new value, else the old value's own offset (kept across metadata
/// changes), else `metadata.timezone` resolved at the wall-clock time, else unknown; it is
/// resolved again only when the value or the metadata changes.
pub(super) fn update_capture_time(
    rec: &mut AssetRecord,
    local: Option<DateTimeInput>,
    metadata_changed: bool,
) -> Result<()> {
    let value_offset = match local {
        Some(d) => {
            rec.local = naive_micros(d.naive);
            rec.time_source = Some(TimeSource::Given);
            rec.offset_from_value = d.offset.is_some();
            d.offset.map(|o| o.local_minus_utc())
        }
        None => rec.offset.filter(|_| rec.offset_from_value),
    };
    if local.is_some() || metadata_changed {
        rec.offset = capture_offset(
            value_offset,
            rec.metadata.as_ref().and_then(|m| m.timezone.as_deref()),
            rec.local,
        )?;
    }
    Ok(())
}

/// A record after the pure checks, before the checks that need the database.
pub(super) struct Prepared {
    pub(super) rec: AssetRecord,
    /// The public person id of each face, in face order.
    pub(super) face_people: Vec<Option<String>>,
    pub(super) people: Vec<NewPerson>,
    pub(super) explicit_id: bool,
    pub(super) library_id: Option<String>,
}

/// Validates a record as `add_assets` does, without writing it (for the fuzz checks).
#[cfg(feature = "fuzzing")]
pub(crate) fn check(n: NewAsset) -> Result<()> {
    prepare(n, super::now_micros()).map(|_| ())
}

pub(super) fn prepare(n: NewAsset, now: i64) -> Result<Prepared> {
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
                capture_offset(
                    off,
                    metadata.as_ref().and_then(|m| m.timezone.as_deref()),
                    local,
                )?,
                off.is_some(),
                n.local_datetime_source.unwrap_or(TimeSource::Given),
            )
        }
        None => {
            if let Some(source) = n.local_datetime_source {
                return Err(Error::invalid(format!(
                    "local_datetime_source {source:?} was given without local_datetime (without \
                     one the capture time is the earlier of file_created_at and \
                     file_modified_at, else the time of the write)",
                    source = source.as_str()
                )));
            }
            let (instant, source) = fallback_capture_time(
                n.file_created_at.map(|t| t.timestamp_micros()),
                n.file_modified_at.map(|t| t.timestamp_micros()),
                created_at,
            );
            let tz = capture_offset(
                None,
                metadata.as_ref().and_then(|m| m.timezone.as_deref()),
                instant,
            )?;
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
        exif: exif.map(Into::into),
        metadata: metadata.map(Into::into),
        metrics: n.metrics,
        asset_urls: n
            .asset_urls
            .map(|m| m.into_iter().map(|(k, v)| (k, v.into())).collect()),
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

pub(super) fn prepare_face(
    f: NewFace,
    default_created: i64,
) -> Result<(FaceRecord, Option<String>)> {
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
            bounding_box: f.bounding_box.into(),
            timestamp_ms: f.timestamp_ms,
            created_at,
            updated_at: f.updated_at.map_or(created_at, |t| t.timestamp_micros()),
            thumbnail_url: f.thumbnail_url,
        },
        f.person_id,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fallback_capture_time_takes_the_earlier_file_time() {
        use TimeSource::*;
        assert_eq!(
            fallback_capture_time(Some(5), Some(9), 100),
            (5, FileCreatedAt)
        );
        assert_eq!(fallback_capture_time(Some(9), Some(5), 100), (5, FileMtime));
        assert_eq!(fallback_capture_time(Some(7), Some(7), 100), (7, FileMtime));
        assert_eq!(
            fallback_capture_time(Some(9), None, 100),
            (9, FileCreatedAt)
        );
        assert_eq!(fallback_capture_time(None, Some(9), 100), (9, FileMtime));
        assert_eq!(fallback_capture_time(None, None, 100), (100, WriteTime));
    }

    #[test]
    fn digests_are_checked() {
        assert!(decode_digest::<32>("checksum", "abc").is_err());
        let ok = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        assert_eq!(decode_digest::<32>("checksum", &ok).unwrap(), [7u8; 32]);
        assert!(decode_digest::<20>("checksum_sha1", &ok).is_err());
    }
}
