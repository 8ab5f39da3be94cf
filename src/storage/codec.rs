//! Stored records and their encoding: bincode (standard config) inside a one-byte version
//! envelope. The stored record is not the view: JSON shapes are derived in [`crate::views`], so
//! adding a JSON field never needs a migration. Changing a record struct needs a new
//! `RECORD_VERSION` and a decoder for the old one.

use std::collections::BTreeMap;

use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::exif::ExifRef;
use crate::model::time::instant_from_micros;
use crate::model::{AssetVariant, BoundingBox, Exif, TimeSource, Visibility};

/// The envelope version of every record written by this build (format 2).
pub const RECORD_VERSION: u8 = 2;
/// The envelope version of format 1's records. Person, album and library records have the same
/// layout in both; format 1's asset record lacks the trailing `time_source`, which only
/// [`super::fast::asset_record`] (the one reader of asset records) knows how to default.
pub const RECORD_VERSION_1: u8 = 1;

fn config() -> bincode::config::Configuration {
    bincode::config::standard()
}

/// What [`encode`] reserves: an asset record with EXIF is 0.7 to 2 KB, and bincode writes
/// field by field, so a buffer grown from empty was reallocated (and copied) eight times per
/// record. People, albums and libraries hold the extra bytes only until their insert.
const ENCODE_CAPACITY: usize = 2048;

/// Encodes a record with its version byte.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(ENCODE_CAPACITY);
    encode_into(value, &mut out)?;
    Ok(out)
}

/// Appends the bytes [`encode`] returns to `out` (many records into one buffer: one
/// allocation, not a growing one per record).
pub fn encode_into<T: Serialize>(value: &T, out: &mut Vec<u8>) -> Result<()> {
    out.push(RECORD_VERSION);
    bincode::serde::encode_into_std_write(value, out, config())
        .map_err(|e| Error::Corrupt(format!("cannot encode record: {e}")))?;
    Ok(())
}

/// The most bytes a record decode may claim. bincode checks a length against it before it
/// allocates, so a damaged length is an error instead of a huge allocation or a
/// capacity-overflow panic (found by the tests of [`super::fast`]).
const DECODE_LIMIT: usize = 1 << 28;

/// Decodes a record written by [`encode`].
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    match bytes.split_first() {
        Some((&(RECORD_VERSION | RECORD_VERSION_1), body)) => {
            bincode::serde::decode_from_slice(body, config().with_limit::<DECODE_LIMIT>())
                .map(|(v, _)| v)
                .map_err(|e| Error::Corrupt(format!("cannot decode record: {e}")))
        }
        Some((v, _)) => Err(Error::Corrupt(format!("unknown record version {v}"))),
        None => Err(Error::Corrupt("empty record".into())),
    }
}

/// A stored EXIF or metadata object: storage's own copy of [`Exif`]'s fields, in stored order
/// (times as `i64` microseconds). A field added to the public `Exif` changes nothing here, so
/// the file format changes only when this struct does (with a new record version).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExifRecord {
    pub asset_id: Option<String>,
    pub created_at: Option<i64>,
    pub updated_at: Option<i64>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub orientation: Option<i32>,
    pub modified_datetime: Option<i64>,
    pub original_datetime: Option<i64>,
    pub digitized_datetime: Option<i64>,
    pub lens_model: Option<String>,
    pub f_number: Option<f64>,
    pub focal_length: Option<f64>,
    pub iso: Option<i64>,
    pub exposure_time: Option<f64>,
    pub exposure_bias: Option<f64>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub altitude: Option<f64>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub country: Option<String>,
    pub description: Option<String>,
    pub fps: Option<f64>,
    pub live_photo_cid: Option<String>,
    pub projection_type: Option<String>,
    pub profile_description: Option<String>,
    pub auto_stack_id: Option<String>,
    pub rating: Option<i64>,
    pub country_code: Option<String>,
    pub sublocation: Option<String>,
    pub place_name: Option<String>,
    pub timezone: Option<String>,
    pub display_label: Option<String>,
}

impl From<Exif> for ExifRecord {
    fn from(e: Exif) -> Self {
        ExifRecord {
            asset_id: e.asset_id,
            created_at: e.created_at.map(|t| t.timestamp_micros()),
            updated_at: e.updated_at.map(|t| t.timestamp_micros()),
            make: e.make,
            model: e.model,
            orientation: e.orientation,
            modified_datetime: e.modified_datetime.map(|t| t.timestamp_micros()),
            original_datetime: e.original_datetime.map(|t| t.timestamp_micros()),
            digitized_datetime: e.digitized_datetime.map(|t| t.timestamp_micros()),
            lens_model: e.lens_model,
            f_number: e.f_number,
            focal_length: e.focal_length,
            iso: e.iso,
            exposure_time: e.exposure_time,
            exposure_bias: e.exposure_bias,
            latitude: e.latitude,
            longitude: e.longitude,
            altitude: e.altitude,
            city: e.city,
            state: e.state,
            country: e.country,
            description: e.description,
            fps: e.fps,
            live_photo_cid: e.live_photo_cid,
            projection_type: e.projection_type,
            profile_description: e.profile_description,
            auto_stack_id: e.auto_stack_id,
            rating: e.rating,
            country_code: e.country_code,
            sublocation: e.sublocation,
            place_name: e.place_name,
            timezone: e.timezone,
            display_label: e.display_label,
        }
    }
}

impl From<ExifRecord> for Exif {
    fn from(e: ExifRecord) -> Self {
        Exif {
            asset_id: e.asset_id,
            created_at: e.created_at.map(instant_from_micros),
            updated_at: e.updated_at.map(instant_from_micros),
            make: e.make,
            model: e.model,
            orientation: e.orientation,
            modified_datetime: e.modified_datetime.map(instant_from_micros),
            original_datetime: e.original_datetime.map(instant_from_micros),
            digitized_datetime: e.digitized_datetime.map(instant_from_micros),
            lens_model: e.lens_model,
            f_number: e.f_number,
            focal_length: e.focal_length,
            iso: e.iso,
            exposure_time: e.exposure_time,
            exposure_bias: e.exposure_bias,
            latitude: e.latitude,
            longitude: e.longitude,
            altitude: e.altitude,
            city: e.city,
            state: e.state,
            country: e.country,
            description: e.description,
            fps: e.fps,
            live_photo_cid: e.live_photo_cid,
            projection_type: e.projection_type,
            profile_description: e.profile_description,
            auto_stack_id: e.auto_stack_id,
            rating: e.rating,
            country_code: e.country_code,
            sublocation: e.sublocation,
            place_name: e.place_name,
            timezone: e.timezone,
            display_label: e.display_label,
        }
    }
}

impl From<ExifRef<&str>> for ExifRecord {
    fn from(e: ExifRef<&str>) -> Self {
        ExifRecord {
            asset_id: e.asset_id.map(str::to_owned),
            created_at: e.created_at.map(|t| t.timestamp_micros()),
            updated_at: e.updated_at.map(|t| t.timestamp_micros()),
            make: e.make.map(str::to_owned),
            model: e.model.map(str::to_owned),
            orientation: e.orientation,
            modified_datetime: e.modified_datetime.map(|t| t.timestamp_micros()),
            original_datetime: e.original_datetime.map(|t| t.timestamp_micros()),
            digitized_datetime: e.digitized_datetime.map(|t| t.timestamp_micros()),
            lens_model: e.lens_model.map(str::to_owned),
            f_number: e.f_number,
            focal_length: e.focal_length,
            iso: e.iso,
            exposure_time: e.exposure_time,
            exposure_bias: e.exposure_bias,
            latitude: e.latitude,
            longitude: e.longitude,
            altitude: e.altitude,
            city: e.city.map(str::to_owned),
            state: e.state.map(str::to_owned),
            country: e.country.map(str::to_owned),
            description: e.description.map(str::to_owned),
            fps: e.fps,
            live_photo_cid: e.live_photo_cid.map(str::to_owned),
            projection_type: e.projection_type.map(str::to_owned),
            profile_description: e.profile_description.map(str::to_owned),
            auto_stack_id: e.auto_stack_id.map(str::to_owned),
            rating: e.rating,
            country_code: e.country_code.map(str::to_owned),
            sublocation: e.sublocation.map(str::to_owned),
            place_name: e.place_name.map(str::to_owned),
            timezone: e.timezone.map(str::to_owned),
            display_label: e.display_label.map(str::to_owned),
        }
    }
}

/// A stored face box (the fields of [`BoundingBox`], in stored order).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoxRecord {
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub h: i32,
}

impl From<BoundingBox> for BoxRecord {
    fn from(b: BoundingBox) -> Self {
        BoxRecord {
            x: b.x,
            y: b.y,
            w: b.w,
            h: b.h,
        }
    }
}

impl From<BoxRecord> for BoundingBox {
    fn from(b: BoxRecord) -> Self {
        BoundingBox {
            x: b.x,
            y: b.y,
            w: b.w,
            h: b.h,
        }
    }
}

/// A stored asset variant (the fields of [`AssetVariant`], in stored order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantRecord {
    pub mimetype: String,
    pub url: String,
    pub width: Option<i64>,
}

impl From<AssetVariant> for VariantRecord {
    fn from(v: AssetVariant) -> Self {
        VariantRecord {
            mimetype: v.mimetype,
            url: v.url,
            width: v.width,
        }
    }
}

impl From<VariantRecord> for AssetVariant {
    fn from(v: VariantRecord) -> Self {
        AssetVariant {
            mimetype: v.mimetype,
            url: v.url,
            width: v.width,
        }
    }
}

/// A face inside its asset's record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaceRecord {
    pub id: String,
    /// Internal key of the assigned person.
    pub person: Option<u32>,
    pub bounding_box: BoxRecord,
    pub timestamp_ms: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub thumbnail_url: Option<String>,
}

/// A stored asset. The declaration order of the fields (and of [`FaceRecord`]'s) is the wire
/// format, which [`super::fast`] reads field by field: change both together, with a new
/// `RECORD_VERSION` (its tests compare the two decoders). Times are microseconds (instants since the Unix epoch; `local` is the
/// wall-clock value read as UTC).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssetRecord {
    pub id: String,
    pub library: u32,
    pub device_asset_id: Option<String>,
    pub device_id: Option<String>,
    pub mime_type: Option<String>,
    pub original_file_name: Option<String>,
    pub file_created_at: Option<i64>,
    pub file_modified_at: Option<i64>,
    pub local: i64,
    pub offset: Option<i32>,
    /// True when `offset` was written on the `local_datetime` value itself (it then survives
    /// metadata changes); false when it came from `metadata.timezone` or is unknown.
    pub offset_from_value: bool,
    pub checksum: Option<[u8; 32]>,
    pub checksum_sha1: Option<[u8; 20]>,
    pub created_at: i64,
    pub updated_at: i64,
    pub exif: Option<ExifRecord>,
    pub metadata: Option<ExifRecord>,
    pub metrics: Option<BTreeMap<String, Option<f64>>>,
    pub asset_urls: Option<BTreeMap<String, VariantRecord>>,
    pub description: Option<String>,
    pub faces: Vec<FaceRecord>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub file_size_bytes: Option<u64>,
    pub trashed_at: Option<i64>,
    pub download_url: Option<String>,
    pub thumbnail_url: Option<String>,
    pub owner_id: Option<String>,
    pub is_favorite: bool,
    #[serde(with = "visibility_code")]
    pub visibility: Visibility,
    pub is_offline: bool,
    pub live_photo_video_id: Option<String>,
    pub duplicate_id: Option<String>,
    pub stack_id: Option<String>,
    pub tags: Vec<String>,
    pub thumbhash: Option<String>,
    pub duration: Option<String>,
    pub original_path: Option<String>,
    /// Where `local` came from (format 2; None in format 1 records).
    #[serde(with = "time_source_code")]
    pub time_source: Option<TimeSource>,
}

/// The capture instant in microseconds: `local` less its offset (read as UTC when the offset
/// is unknown). Saturating: no written record comes near the ends of `i64` (chrono's range is
/// narrower), but a damaged one may, and it must not panic (found by fuzzing,
/// `tests/data/fuzz/stored_record/crash-captured-time-overflow`); the value is then out of
/// chrono's range and reads as the epoch on every path alike.
pub(crate) fn captured(local: i64, offset: Option<i32>) -> i64 {
    local.saturating_sub(i64::from(offset.unwrap_or(0)) * 1_000_000)
}

/// A stored file time (microseconds), else the capture instant: the default of
/// `file_created_at` and `file_modified_at`. The public asset, the JSON written from stored
/// records, the Immich view and the Immich order index all use this one rule.
pub(crate) fn or_captured(file_time: Option<i64>, local: i64, offset: Option<i32>) -> i64 {
    file_time.unwrap_or_else(|| captured(local, offset))
}

impl AssetRecord {
    /// The effective `file_created_at` (microseconds; see [`or_captured`]).
    pub fn file_created_at_or_default(&self) -> i64 {
        or_captured(self.file_created_at, self.local, self.offset)
    }

    /// The effective `file_modified_at`, with the same default.
    pub fn file_modified_at_or_default(&self) -> i64 {
        or_captured(self.file_modified_at, self.local, self.offset)
    }

    /// The effective device id ([`crate::model::DEFAULT_DEVICE_ID`] when none was given).
    pub fn device_id_or_default(&self) -> &str {
        self.device_id
            .as_deref()
            .unwrap_or(crate::model::DEFAULT_DEVICE_ID)
    }

    /// The effective device asset id (the asset id when none was given).
    pub fn device_asset_id_or_default(&self) -> &str {
        self.device_asset_id.as_deref().unwrap_or(&self.id)
    }

    /// The distinct people of the faces, in order of first appearance.
    pub fn people(&self) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        for p in self.faces.iter().filter_map(|f| f.person) {
            if !out.contains(&p) {
                out.push(p);
            }
        }
        out
    }
}

/// `visibility` as its stored code (0 timeline, 1 archive, 2 hidden, 3 locked), written here
/// rather than by the public enum's derive, so reordering or extending the public enum never
/// changes the file format.
mod visibility_code {
    use serde::{de::Error as _, Deserialize, Deserializer, Serializer};

    use crate::model::Visibility;

    pub(crate) fn code(v: Visibility) -> u32 {
        match v {
            Visibility::Timeline => 0,
            Visibility::Archive => 1,
            Visibility::Hidden => 2,
            Visibility::Locked => 3,
        }
    }

    pub(crate) fn from_code(c: u32) -> Option<Visibility> {
        Some(match c {
            0 => Visibility::Timeline,
            1 => Visibility::Archive,
            2 => Visibility::Hidden,
            3 => Visibility::Locked,
            _ => return None,
        })
    }

    pub(crate) fn serialize<S: Serializer>(v: &Visibility, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(code(*v))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Visibility, D::Error> {
        let c = u32::deserialize(d)?;
        from_code(c).ok_or_else(|| D::Error::custom(format!("unknown visibility code {c}")))
    }
}

pub(crate) use visibility_code::from_code as visibility_from_code;

/// `time_source` as its stored code ([`TimeSource`]'s explicit discriminants), for the same
/// reason.
mod time_source_code {
    use serde::{de::Error as _, Deserialize, Deserializer, Serialize, Serializer};

    use crate::model::TimeSource;

    pub(crate) fn serialize<S: Serializer>(
        v: &Option<TimeSource>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        v.map(|t| u32::from(t as u8)).serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<TimeSource>, D::Error> {
        match Option::<u32>::deserialize(d)? {
            None => Ok(None),
            Some(c) => u8::try_from(c)
                .ok()
                .and_then(TimeSource::from_code)
                .map(Some)
                .ok_or_else(|| D::Error::custom(format!("unknown time source code {c}"))),
        }
    }
}

/// A stored person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonRecord {
    pub id: String,
    pub name: Option<String>,
    /// Days from 0001-01-01 (chrono's `num_days_from_ce`).
    pub birth_date: Option<i32>,
    pub is_hidden: bool,
    pub is_favorite: bool,
    pub asset_count: u64,
    pub thumbnail_face_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub thumbnail_face_url: Option<String>,
}

/// A stored album.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlbumRecord {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub library: u32,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A stored library.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LibraryRecord {
    pub id: String,
    pub name: String,
    pub owner_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_reject_garbage() {
        let p = PersonRecord {
            id: "person_a".into(),
            name: Some("Ann".into()),
            birth_date: Some(700_000),
            is_hidden: false,
            is_favorite: true,
            asset_count: 3,
            thumbnail_face_id: None,
            created_at: 1,
            updated_at: 2,
            thumbnail_face_url: None,
        };
        let bytes = encode(&p).unwrap();
        assert_eq!(decode::<PersonRecord>(&bytes).unwrap(), p);
        assert!(matches!(
            decode::<PersonRecord>(&[]),
            Err(Error::Corrupt(_))
        ));
        assert!(matches!(
            decode::<PersonRecord>(&[9, 1]),
            Err(Error::Corrupt(_))
        ));
        assert!(matches!(
            decode::<PersonRecord>(&[1, 255]),
            Err(Error::Corrupt(_))
        ));
        // A damaged string length (2^60) is an error, not a capacity-overflow panic.
        let mut huge = vec![1u8, 253];
        huge.extend_from_slice(&(1u64 << 60).to_le_bytes());
        assert!(matches!(
            decode::<PersonRecord>(&huge),
            Err(Error::Corrupt(_))
        ));
    }

    #[test]
    fn exif_datetimes_are_compact_in_storage() {
        let e = Exif {
            original_datetime: Some(chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap()),
            ..Exif::default()
        };
        let stored = ExifRecord::from(e.clone());
        let bytes = encode(&stored).unwrap();
        assert!(bytes.len() < 50, "{} bytes", bytes.len());
        assert_eq!(decode::<ExifRecord>(&bytes).unwrap(), stored);
        assert_eq!(Exif::from(stored), e);
        // The stored layout is the one the public type's serde form had (no migration): the
        // same bytes.
        assert_eq!(bytes, encode(&e).unwrap());
    }
}
