//! Gumnut's `AssetResponse` shape (as declared by `gumnut-sdk==0.80.0`), field for field and in
//! a fixed order. This is the canonical JSON of an [`Asset`]: its `Serialize` impl.
//!
//! * Every key of the shape is always present (`null` where unknown); the legacy
//!   `download_url` / `thumbnail_url` (and `faces[].thumbnail_url`,
//!   `people[].thumbnail_face_url`) appear only on records given them.
//! * `checksum` is `null` for an asset created without one (Gumnut's client declares it
//!   required; such records are not valid Gumnut responses).
//! * `exif` and `metadata` carry `asset_id`, `created_at` and `updated_at` (defaulting to the
//!   asset's), then their fields; `metadata` has no `profile_description`.
//! * `local_datetime` is the wall-clock value with its offset when known, naive otherwise.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Serialize, Serializer};

use super::json;
use crate::model::time::format_local;
use crate::model::{Asset, AssetVariant, BoundingBox, Exif, Face, Person};

#[derive(Serialize)]
struct AssetView<'a> {
    id: &'a str,
    device_asset_id: &'a str,
    device_id: &'a str,
    mime_type: &'a str,
    original_file_name: &'a str,
    #[serde(serialize_with = "json::instant")]
    file_created_at: DateTime<Utc>,
    #[serde(serialize_with = "json::instant")]
    file_modified_at: DateTime<Utc>,
    local_datetime: String,
    checksum: Option<&'a str>,
    checksum_sha1: Option<&'a str>,
    #[serde(serialize_with = "json::instant")]
    created_at: DateTime<Utc>,
    #[serde(serialize_with = "json::instant")]
    updated_at: DateTime<Utc>,
    exif: Option<ExifView<'a>>,
    metadata: Option<MetadataView<'a>>,
    metrics: Option<&'a BTreeMap<String, Option<f64>>>,
    asset_urls: Option<&'a BTreeMap<String, AssetVariant>>,
    description: Option<&'a str>,
    faces: Vec<FaceView<'a>>,
    people: Vec<PersonView<'a>>,
    width: Option<u32>,
    height: Option<u32>,
    file_size_bytes: Option<u64>,
    #[serde(serialize_with = "json::opt_instant")]
    trashed_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    download_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    thumbnail_url: Option<&'a str>,
}

/// The fields `exif` and `metadata` share, in the contract's order.
#[derive(Serialize)]
struct CommonExif<'a> {
    make: Option<&'a str>,
    model: Option<&'a str>,
    orientation: Option<i32>,
    #[serde(serialize_with = "json::opt_instant")]
    modified_datetime: Option<DateTime<Utc>>,
    #[serde(serialize_with = "json::opt_instant")]
    original_datetime: Option<DateTime<Utc>>,
    #[serde(serialize_with = "json::opt_instant")]
    digitized_datetime: Option<DateTime<Utc>>,
    lens_model: Option<&'a str>,
    f_number: Option<f64>,
    focal_length: Option<f64>,
    iso: Option<i64>,
    exposure_time: Option<f64>,
    exposure_bias: Option<f64>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    altitude: Option<f64>,
    city: Option<&'a str>,
    state: Option<&'a str>,
    country: Option<&'a str>,
    description: Option<&'a str>,
    fps: Option<f64>,
    live_photo_cid: Option<&'a str>,
    projection_type: Option<&'a str>,
}

#[derive(Serialize)]
struct ExifView<'a> {
    asset_id: &'a str,
    #[serde(serialize_with = "json::instant")]
    created_at: DateTime<Utc>,
    #[serde(serialize_with = "json::instant")]
    updated_at: DateTime<Utc>,
    #[serde(flatten)]
    common: CommonExif<'a>,
    profile_description: Option<&'a str>,
    auto_stack_id: Option<&'a str>,
    rating: Option<i64>,
}

#[derive(Serialize)]
struct MetadataView<'a> {
    asset_id: &'a str,
    #[serde(serialize_with = "json::instant")]
    created_at: DateTime<Utc>,
    #[serde(serialize_with = "json::instant")]
    updated_at: DateTime<Utc>,
    #[serde(flatten)]
    common: CommonExif<'a>,
    auto_stack_id: Option<&'a str>,
    rating: Option<i64>,
    country_code: Option<&'a str>,
    sublocation: Option<&'a str>,
    place_name: Option<&'a str>,
    timezone: Option<&'a str>,
    display_label: Option<&'a str>,
}

#[derive(Serialize)]
struct FaceView<'a> {
    id: &'a str,
    asset_id: &'a str,
    person_id: Option<&'a str>,
    bounding_box: &'a BoundingBox,
    timestamp_ms: Option<i64>,
    #[serde(serialize_with = "json::instant")]
    created_at: DateTime<Utc>,
    #[serde(serialize_with = "json::instant")]
    updated_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    thumbnail_url: Option<&'a str>,
}

#[derive(Serialize)]
struct PersonView<'a> {
    id: &'a str,
    name: Option<&'a str>,
    #[serde(serialize_with = "date")]
    birth_date: Option<NaiveDate>,
    is_hidden: bool,
    is_favorite: bool,
    asset_count: u64,
    thumbnail_face_id: Option<&'a str>,
    #[serde(serialize_with = "json::instant")]
    created_at: DateTime<Utc>,
    #[serde(serialize_with = "json::instant")]
    updated_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    thumbnail_face_url: Option<&'a str>,
}

fn date<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.collect_str(&d.format("%Y-%m-%d")),
        None => s.serialize_none(),
    }
}

fn common(e: &Exif) -> CommonExif<'_> {
    CommonExif {
        make: e.make.as_deref(),
        model: e.model.as_deref(),
        orientation: e.orientation,
        modified_datetime: e.modified_datetime,
        original_datetime: e.original_datetime,
        digitized_datetime: e.digitized_datetime,
        lens_model: e.lens_model.as_deref(),
        f_number: e.f_number,
        focal_length: e.focal_length,
        iso: e.iso,
        exposure_time: e.exposure_time,
        exposure_bias: e.exposure_bias,
        latitude: e.latitude,
        longitude: e.longitude,
        altitude: e.altitude,
        city: e.city.as_deref(),
        state: e.state.as_deref(),
        country: e.country.as_deref(),
        description: e.description.as_deref(),
        fps: e.fps,
        live_photo_cid: e.live_photo_cid.as_deref(),
        projection_type: e.projection_type.as_deref(),
    }
}

fn face_view(f: &Face) -> FaceView<'_> {
    FaceView {
        id: &f.id,
        asset_id: &f.asset_id,
        person_id: f.person_id.as_deref(),
        bounding_box: &f.bounding_box,
        timestamp_ms: f.timestamp_ms,
        created_at: f.created_at,
        updated_at: f.updated_at,
        thumbnail_url: f.thumbnail_url.as_deref(),
    }
}

fn person_view(p: &Person) -> PersonView<'_> {
    PersonView {
        id: &p.id,
        name: p.name.as_deref(),
        birth_date: p.birth_date,
        is_hidden: p.is_hidden,
        is_favorite: p.is_favorite,
        asset_count: p.asset_count,
        thumbnail_face_id: p.thumbnail_face_id.as_deref(),
        created_at: p.created_at,
        updated_at: p.updated_at,
        thumbnail_face_url: p.thumbnail_face_url.as_deref(),
    }
}

fn view(a: &Asset) -> AssetView<'_> {
    AssetView {
        id: &a.id,
        device_asset_id: &a.device_asset_id,
        device_id: &a.device_id,
        mime_type: &a.mime_type,
        original_file_name: &a.original_file_name,
        file_created_at: a.file_created_at,
        file_modified_at: a.file_modified_at,
        local_datetime: format_local(
            a.local_datetime,
            a.local_offset.map(|o| o.local_minus_utc()),
        ),
        checksum: a.checksum.as_deref(),
        checksum_sha1: a.checksum_sha1.as_deref(),
        created_at: a.created_at,
        updated_at: a.updated_at,
        exif: a.exif.as_ref().map(|e| ExifView {
            asset_id: &a.id,
            created_at: e.created_at.unwrap_or(a.created_at),
            updated_at: e.updated_at.unwrap_or(a.updated_at),
            common: common(e),
            profile_description: e.profile_description.as_deref(),
            auto_stack_id: e.auto_stack_id.as_deref(),
            rating: e.rating,
        }),
        metadata: a.metadata.as_ref().map(|m| MetadataView {
            asset_id: &a.id,
            created_at: m.created_at.unwrap_or(a.created_at),
            updated_at: m.updated_at.unwrap_or(a.updated_at),
            common: common(m),
            auto_stack_id: m.auto_stack_id.as_deref(),
            rating: m.rating,
            country_code: m.country_code.as_deref(),
            sublocation: m.sublocation.as_deref(),
            place_name: m.place_name.as_deref(),
            timezone: m.timezone.as_deref(),
            display_label: m.display_label.as_deref(),
        }),
        metrics: a.metrics.as_ref(),
        asset_urls: a.asset_urls.as_ref(),
        description: a.description.as_deref(),
        faces: a.faces.iter().map(face_view).collect(),
        people: a.people.iter().map(person_view).collect(),
        width: a.width,
        height: a.height,
        file_size_bytes: a.file_size_bytes,
        trashed_at: a.trashed_at,
        download_url: a.download_url.as_deref(),
        thumbnail_url: a.thumbnail_url.as_deref(),
    }
}

impl Serialize for Asset {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        view(self).serialize(s)
    }
}

impl Asset {
    /// The Gumnut JSON of the asset (byte-deterministic).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("serializing an asset cannot fail")
    }

    /// The Gumnut JSON as a `serde_json::Value`.
    pub fn to_json_value(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("serializing an asset cannot fail")
    }
}
