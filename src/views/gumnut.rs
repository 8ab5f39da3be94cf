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

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Serialize, Serializer};

use super::json;
use crate::model::exif::ExifRef;
use crate::model::time::Formatted;
use crate::model::{Album, Asset, BoundingBox, Face, Library, Person};

/// The borrowed input of the asset shape. Built from an owned [`Asset`] here, and from a
/// stored record read in place by `crate::query::json` (a page as JSON never builds an
/// `Asset`): one shape, two sources. `F`, `P`, `M` and `U` are the faces, people, metrics and
/// asset URLs, each a sequence or map that serializes itself ([`Each`], [`EachMap`]).
#[derive(Serialize)]
pub(crate) struct AssetView<'a, F, P, M, U> {
    pub id: &'a str,
    pub device_asset_id: &'a str,
    pub device_id: &'a str,
    pub mime_type: &'a str,
    pub original_file_name: &'a str,
    #[serde(serialize_with = "json::instant")]
    pub file_created_at: DateTime<Utc>,
    #[serde(serialize_with = "json::instant")]
    pub file_modified_at: DateTime<Utc>,
    pub local_datetime: Local,
    pub checksum: Option<Checksum<'a>>,
    pub checksum_sha1: Option<Checksum<'a>>,
    #[serde(serialize_with = "json::instant")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "json::instant")]
    pub updated_at: DateTime<Utc>,
    pub exif: Option<ExifView<'a>>,
    pub metadata: Option<ExifView<'a>>,
    pub metrics: Option<M>,
    pub asset_urls: Option<U>,
    pub description: Option<&'a str>,
    pub faces: F,
    pub people: P,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub file_size_bytes: Option<u64>,
    #[serde(serialize_with = "json::opt_instant")]
    pub trashed_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub download_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail_url: Option<&'a str>,
}

/// A sequence serialized from an iterator (cloned, so the view can be written more than once).
pub(crate) struct Each<I>(pub I);

impl<I> Serialize for Each<I>
where
    I: Iterator + Clone,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.clone())
    }
}

/// A map serialized from an iterator of (key, value) pairs, in the iterator's order.
pub(crate) struct EachMap<I>(pub I);

impl<I, K, V> Serialize for EachMap<I>
where
    I: Iterator<Item = (K, V)> + Clone,
    K: Serialize,
    V: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.clone())
    }
}

/// A checksum: base64 text already made (an owned `Asset`), or the stored bytes, encoded on
/// the stack as they are written.
#[derive(Clone, Copy)]
pub(crate) enum Checksum<'a> {
    Text(&'a str),
    Bytes(&'a [u8]),
}

impl Serialize for Checksum<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Checksum::Text(t) => s.serialize_str(t),
            Checksum::Bytes(b) => {
                use base64::Engine;
                let mut buf = [0u8; 64];
                let n = base64::engine::general_purpose::STANDARD
                    .encode_slice(b, &mut buf)
                    .map_err(serde::ser::Error::custom)?;
                let text = std::str::from_utf8(&buf[..n]).map_err(serde::ser::Error::custom)?;
                s.serialize_str(text)
            }
        }
    }
}

/// One entry of `asset_urls`: Gumnut's `AssetVariant`.
#[derive(Serialize)]
pub(crate) struct VariantView<'a> {
    pub mimetype: &'a str,
    pub url: &'a str,
    pub width: Option<i64>,
}

/// `exif` (with `profile_description`) or `metadata` (with the place fields), in the
/// contract's field order. Written field by field: no intermediate map.
pub(crate) struct ExifView<'a> {
    e: ExifRef<'a>,
    asset_id: &'a str,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    metadata: bool,
}

impl<'a> ExifView<'a> {
    /// `exif` (`metadata` false) or `metadata` of the asset `asset_id`, whose own times are
    /// the defaults of the object's.
    pub(crate) fn new(
        e: ExifRef<'a>,
        asset_id: &'a str,
        asset_created_at: DateTime<Utc>,
        asset_updated_at: DateTime<Utc>,
        metadata: bool,
    ) -> Self {
        ExifView {
            created_at: e.created_at.unwrap_or(asset_created_at),
            updated_at: e.updated_at.unwrap_or(asset_updated_at),
            e,
            asset_id,
            metadata,
        }
    }
}

struct Instant(Option<DateTime<Utc>>);

impl Serialize for Instant {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        json::opt_instant(&self.0, s)
    }
}

impl Serialize for ExifView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let e = &self.e;
        let mut m = s.serialize_struct(
            if self.metadata {
                "MetadataResponse"
            } else {
                "ExifResponse"
            },
            32,
        )?;
        m.serialize_field("asset_id", self.asset_id)?;
        m.serialize_field("created_at", &Instant(Some(self.created_at)))?;
        m.serialize_field("updated_at", &Instant(Some(self.updated_at)))?;
        m.serialize_field("make", &e.make)?;
        m.serialize_field("model", &e.model)?;
        m.serialize_field("orientation", &e.orientation)?;
        m.serialize_field("modified_datetime", &Instant(e.modified_datetime))?;
        m.serialize_field("original_datetime", &Instant(e.original_datetime))?;
        m.serialize_field("digitized_datetime", &Instant(e.digitized_datetime))?;
        m.serialize_field("lens_model", &e.lens_model)?;
        m.serialize_field("f_number", &e.f_number)?;
        m.serialize_field("focal_length", &e.focal_length)?;
        m.serialize_field("iso", &e.iso)?;
        m.serialize_field("exposure_time", &e.exposure_time)?;
        m.serialize_field("exposure_bias", &e.exposure_bias)?;
        m.serialize_field("latitude", &e.latitude)?;
        m.serialize_field("longitude", &e.longitude)?;
        m.serialize_field("altitude", &e.altitude)?;
        m.serialize_field("city", &e.city)?;
        m.serialize_field("state", &e.state)?;
        m.serialize_field("country", &e.country)?;
        m.serialize_field("description", &e.description)?;
        m.serialize_field("fps", &e.fps)?;
        m.serialize_field("live_photo_cid", &e.live_photo_cid)?;
        m.serialize_field("projection_type", &e.projection_type)?;
        if !self.metadata {
            m.serialize_field("profile_description", &e.profile_description)?;
        }
        m.serialize_field("auto_stack_id", &e.auto_stack_id)?;
        m.serialize_field("rating", &e.rating)?;
        if self.metadata {
            m.serialize_field("country_code", &e.country_code)?;
            m.serialize_field("sublocation", &e.sublocation)?;
            m.serialize_field("place_name", &e.place_name)?;
            m.serialize_field("timezone", &e.timezone)?;
            m.serialize_field("display_label", &e.display_label)?;
        }
        m.end()
    }
}

/// `local_datetime`, formatted.
pub(crate) struct Local(pub Formatted);

impl Serialize for Local {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.as_str())
    }
}

/// A face as it appears in an asset's `faces`.
#[derive(Serialize)]
pub(crate) struct FaceView<'a> {
    pub id: &'a str,
    pub asset_id: &'a str,
    pub person_id: Option<&'a str>,
    pub bounding_box: BoundingBox,
    pub timestamp_ms: Option<i64>,
    #[serde(serialize_with = "json::instant")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "json::instant")]
    pub updated_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail_url: Option<&'a str>,
}

/// A person as it appears in an asset's `people`.
#[derive(Serialize)]
pub(crate) struct PersonView<'a> {
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

fn face_view(f: &Face) -> FaceView<'_> {
    FaceView {
        id: &f.id,
        asset_id: &f.asset_id,
        person_id: f.person_id.as_deref(),
        bounding_box: f.bounding_box,
        timestamp_ms: f.timestamp_ms,
        created_at: f.created_at,
        updated_at: f.updated_at,
        thumbnail_url: f.thumbnail_url.as_deref(),
    }
}

pub(crate) fn person_view(p: &Person) -> PersonView<'_> {
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

/// The view of an owned asset.
fn view(
    a: &Asset,
) -> AssetView<'_, impl Serialize + '_, impl Serialize + '_, impl Serialize + '_, impl Serialize + '_>
{
    AssetView {
        id: &a.id,
        device_asset_id: &a.device_asset_id,
        device_id: &a.device_id,
        mime_type: &a.mime_type,
        original_file_name: &a.original_file_name,
        file_created_at: a.file_created_at,
        file_modified_at: a.file_modified_at,
        local_datetime: Local(Formatted::local(
            a.local_datetime,
            a.local_offset.map(|o| o.local_minus_utc()),
        )),
        checksum: a.checksum.as_deref().map(Checksum::Text),
        checksum_sha1: a.checksum_sha1.as_deref().map(Checksum::Text),
        created_at: a.created_at,
        updated_at: a.updated_at,
        exif: a
            .exif
            .as_ref()
            .map(|e| ExifView::new(e.borrowed(), &a.id, a.created_at, a.updated_at, false)),
        metadata: a
            .metadata
            .as_ref()
            .map(|m| ExifView::new(m.borrowed(), &a.id, a.created_at, a.updated_at, true)),
        metrics: a.metrics.as_ref().map(|m| EachMap(m.iter())),
        asset_urls: a.asset_urls.as_ref().map(|m| {
            EachMap(m.iter().map(|(k, v)| {
                let view = VariantView {
                    mimetype: &v.mimetype,
                    url: &v.url,
                    width: v.width,
                };
                (k.as_str(), view)
            }))
        }),
        description: a.description.as_deref(),
        faces: Each(a.faces.iter().map(face_view)),
        people: Each(a.people.iter().map(person_view)),
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

/// A face as it appears in an asset's `faces`.
impl Serialize for Face {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        face_view(self).serialize(s)
    }
}

/// A person as it appears in an asset's `people`.
impl Serialize for Person {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        person_view(self).serialize(s)
    }
}

#[derive(Serialize)]
struct AlbumView<'a> {
    id: &'a str,
    name: &'a str,
    description: Option<&'a str>,
    library_id: &'a str,
    #[serde(serialize_with = "json::instant")]
    created_at: DateTime<Utc>,
    #[serde(serialize_with = "json::instant")]
    updated_at: DateTime<Utc>,
}

/// An album: `id, name, description, library_id, created_at, updated_at`.
impl Serialize for Album {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        AlbumView {
            id: &self.id,
            name: &self.name,
            description: self.description.as_deref(),
            library_id: &self.library_id,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
        .serialize(s)
    }
}

#[derive(Serialize)]
struct LibraryView<'a> {
    id: &'a str,
    name: &'a str,
    owner_id: Option<&'a str>,
    #[serde(serialize_with = "json::instant")]
    created_at: DateTime<Utc>,
    #[serde(serialize_with = "json::instant")]
    updated_at: DateTime<Utc>,
}

/// A library: `id, name, owner_id, created_at, updated_at`.
impl Serialize for Library {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        LibraryView {
            id: &self.id,
            name: &self.name,
            owner_id: self.owner_id.as_deref(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
        .serialize(s)
    }
}

impl Asset {
    /// The Gumnut JSON of the asset (byte-deterministic).
    pub fn to_json(&self) -> String {
        to_json_string(self, 2048)
    }

    /// The Gumnut JSON as a `serde_json::Value`.
    pub fn to_json_value(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("serializing an asset cannot fail")
    }
}

/// Gumnut's page of assets, `{"data": [...], "has_more": ...}`: the one definition of the
/// shape, behind [`crate::AssetPage`]'s `Serialize` and `to_json` and the Python `AssetPage`.
#[derive(Serialize)]
pub(crate) struct PageView<D> {
    pub data: D,
    pub has_more: bool,
}

/// A search page, `{"data": [...], "page": ..., "has_more": ..., "total": ...}`: the one
/// definition of the shape, behind [`crate::SearchPage`]'s `Serialize` and `to_json` and the
/// Python `SearchPage`.
#[derive(Serialize)]
pub(crate) struct SearchPageView<'a> {
    pub data: Vec<&'a Asset>,
    pub page: u32,
    pub has_more: bool,
    pub total: u64,
}

impl PageView<Vec<&Asset>> {
    pub(crate) fn to_json(&self) -> String {
        to_json_string(self, 64 + 2048 * self.data.len())
    }
}

impl SearchPageView<'_> {
    pub(crate) fn to_json(&self) -> String {
        to_json_string(self, 96 + 2048 * self.data.len())
    }
}

impl Serialize for crate::AssetPage {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        PageView {
            data: self.data.iter().collect::<Vec<_>>(),
            has_more: self.has_more,
        }
        .serialize(s)
    }
}

impl Serialize for crate::SearchPage {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        SearchPageView {
            data: self.data.iter().collect(),
            page: self.page,
            has_more: self.has_more,
            total: self.total,
        }
        .serialize(s)
    }
}

/// Serializes into a buffer sized for the expected output, so the writer never regrows it
/// (with [`super::writer`], byte-identical to `serde_json::to_string`).
pub(crate) fn to_json_string<T: Serialize + ?Sized>(value: &T, capacity: usize) -> String {
    let buf = super::writer::to_vec(value, capacity)
        .expect("the views have string keys and infallible Serialize impls");
    // The writer copies `str`s and writes ASCII around them: always valid UTF-8.
    String::from_utf8(buf).unwrap_or_default()
}
