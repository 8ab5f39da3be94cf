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
use super::writer::Direct;
use crate::model::exif::ExifRef;
use crate::model::time::Formatted;
use crate::model::{Album, Asset, BoundingBox, Exif, Face, Library, Person};

/// The borrowed input of the asset shape. Built from an owned [`Asset`] here, and from a
/// stored record read in place by `crate::query::json` (a page as JSON never builds an
/// `Asset`): one shape, two sources. `S` is the strings' type: `&str`, or a stored record's
/// bytes whose UTF-8 the output's one check covers (`crate::storage::fast::Unchecked`). `F`,
/// `P`, `M` and `U` are the faces, people, metrics and asset URLs, each a sequence or map that
/// serializes itself ([`Each`], [`EachMap`]).
#[derive(Serialize)]
pub(crate) struct AssetView<'a, S, F, P, M, U> {
    pub id: S,
    pub device_asset_id: S,
    pub device_id: S,
    pub mime_type: S,
    pub original_file_name: S,
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
    pub exif: Option<ExifView<'a, S>>,
    pub metadata: Option<ExifView<'a, S>>,
    pub metrics: Option<M>,
    pub asset_urls: Option<U>,
    pub description: Option<S>,
    pub faces: F,
    pub people: P,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub file_size_bytes: Option<u64>,
    #[serde(serialize_with = "json::opt_instant")]
    pub trashed_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub download_url: Option<S>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail_url: Option<S>,
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
pub(crate) struct VariantView<S> {
    pub mimetype: S,
    pub url: S,
    pub width: Option<i64>,
}

/// `exif` (with `profile_description`) or `metadata` (with the place fields), in the
/// contract's field order. Written field by field: no intermediate map.
pub(crate) struct ExifView<'a, S> {
    e: ExifFields<'a, S>,
    asset_id: S,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    metadata: bool,
}

/// Where an EXIF object's fields are: a stored record's read, borrowed (a view holds the
/// reference, not a copy of its ~600 bytes: a page copied them twice per object), or an owned
/// [`Exif`], borrowed as it is written.
#[derive(Clone, Copy)]
pub(crate) enum ExifFields<'a, S> {
    Read(&'a ExifRef<S>),
    Owned(&'a Exif),
}

impl<'a, S> ExifView<'a, S> {
    /// `exif` (`metadata` false) or `metadata` of the asset `asset_id`, whose own times are
    /// the defaults of the object's.
    pub(crate) fn new(
        e: ExifFields<'a, S>,
        asset_id: S,
        asset_created_at: DateTime<Utc>,
        asset_updated_at: DateTime<Utc>,
        metadata: bool,
    ) -> Self {
        let (created_at, updated_at) = match e {
            ExifFields::Read(r) => (r.created_at, r.updated_at),
            ExifFields::Owned(x) => (x.created_at, x.updated_at),
        };
        ExifView {
            created_at: created_at.unwrap_or(asset_created_at),
            updated_at: updated_at.unwrap_or(asset_updated_at),
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

impl<T: Serialize> Serialize for ExifView<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.e {
            ExifFields::Read(e) => self.serialize_fields(e, s),
            ExifFields::Owned(x) => self.serialize_fields(&x.borrowed(), s),
        }
    }
}

impl<T: Serialize> ExifView<'_, T> {
    fn serialize_fields<F: Serialize, S: Serializer>(
        &self,
        e: &ExifRef<F>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut m = s.serialize_struct(
            if self.metadata {
                "MetadataResponse"
            } else {
                "ExifResponse"
            },
            32,
        )?;
        m.serialize_field("asset_id", &self.asset_id)?;
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
pub(crate) struct FaceView<'a, S> {
    pub id: S,
    pub asset_id: S,
    pub person_id: Option<&'a str>,
    pub bounding_box: BoundingBox,
    pub timestamp_ms: Option<i64>,
    #[serde(serialize_with = "json::instant")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "json::instant")]
    pub updated_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail_url: Option<S>,
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

fn face_view(f: &Face) -> FaceView<'_, &str> {
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

/// A view written straight into the output, with the bytes its `Serialize` impl gives (the
/// keys and punctuation as constants, the values by [`Direct`]'s primitives, which are the
/// serializer's own). `to_json` of assets and pages and the JSON written from stored records
/// take this path; `serde_json::to_string` of the same values takes the `Serialize` one, and
/// the tests compare the two on every page of the model check and of a generated catalogue.
/// The derived and hand-written `Serialize` impls remain the definition of each shape; a key
/// changed in one and not the other fails those tests.
pub(crate) trait WriteJson {
    fn write_json(&self, o: &mut Direct);
}

impl<T: WriteJson + ?Sized> WriteJson for &T {
    #[inline]
    fn write_json(&self, o: &mut Direct) {
        (**self).write_json(o);
    }
}

impl WriteJson for Option<f64> {
    #[inline]
    fn write_json(&self, o: &mut Direct) {
        o.opt_f64(*self);
    }
}

impl<I> WriteJson for Each<I>
where
    I: Iterator + Clone,
    I::Item: WriteJson,
{
    fn write_json(&self, o: &mut Direct) {
        o.raw(b"[");
        for (i, item) in self.0.clone().enumerate() {
            if i > 0 {
                o.raw(b",");
            }
            item.write_json(o);
        }
        o.raw(b"]");
    }
}

impl<I, K, V> WriteJson for EachMap<I>
where
    I: Iterator<Item = (K, V)> + Clone,
    K: AsRef<[u8]>,
    V: WriteJson,
{
    fn write_json(&self, o: &mut Direct) {
        o.raw(b"{");
        for (i, (k, v)) in self.0.clone().enumerate() {
            if i > 0 {
                o.raw(b",");
            }
            o.str(k);
            o.raw(b":");
            v.write_json(o);
        }
        o.raw(b"}");
    }
}

impl WriteJson for Checksum<'_> {
    fn write_json(&self, o: &mut Direct) {
        match self {
            Checksum::Text(t) => o.str(t),
            Checksum::Bytes(b) => {
                use base64::Engine;
                let mut buf = [0u8; 64];
                match base64::engine::general_purpose::STANDARD.encode_slice(b, &mut buf) {
                    Ok(n) => o.plain(&buf[..n]),
                    // Stored checksums are 20 or 32 bytes; longer input is not a checksum.
                    Err(_) => o.raw(b"null"),
                }
            }
        }
    }
}

impl<S: AsRef<[u8]> + Copy> WriteJson for VariantView<S> {
    fn write_json(&self, o: &mut Direct) {
        o.raw(b"{\"mimetype\":");
        o.str(self.mimetype);
        o.raw(b",\"url\":");
        o.str(self.url);
        o.raw(b",\"width\":");
        o.opt_int(self.width);
        o.raw(b"}");
    }
}

impl<S: AsRef<[u8]> + Copy> WriteJson for ExifView<'_, S> {
    fn write_json(&self, o: &mut Direct) {
        match self.e {
            ExifFields::Read(e) => self.write_fields(e, o),
            ExifFields::Owned(x) => self.write_fields(&x.borrowed(), o),
        }
    }
}

impl<S: AsRef<[u8]> + Copy> ExifView<'_, S> {
    fn write_fields<F: AsRef<[u8]> + Copy>(&self, e: &ExifRef<F>, o: &mut Direct) {
        o.raw(b"{\"asset_id\":");
        o.str(self.asset_id);
        o.raw(b",\"created_at\":");
        o.instant(self.created_at);
        o.raw(b",\"updated_at\":");
        o.instant(self.updated_at);
        o.raw(b",\"make\":");
        o.opt_str(e.make);
        o.raw(b",\"model\":");
        o.opt_str(e.model);
        o.raw(b",\"orientation\":");
        o.opt_int(e.orientation);
        o.raw(b",\"modified_datetime\":");
        o.opt_instant(e.modified_datetime);
        o.raw(b",\"original_datetime\":");
        o.opt_instant(e.original_datetime);
        o.raw(b",\"digitized_datetime\":");
        o.opt_instant(e.digitized_datetime);
        o.raw(b",\"lens_model\":");
        o.opt_str(e.lens_model);
        o.raw(b",\"f_number\":");
        o.opt_f64(e.f_number);
        o.raw(b",\"focal_length\":");
        o.opt_f64(e.focal_length);
        o.raw(b",\"iso\":");
        o.opt_int(e.iso);
        o.raw(b",\"exposure_time\":");
        o.opt_f64(e.exposure_time);
        o.raw(b",\"exposure_bias\":");
        o.opt_f64(e.exposure_bias);
        o.raw(b",\"latitude\":");
        o.opt_f64(e.latitude);
        o.raw(b",\"longitude\":");
        o.opt_f64(e.longitude);
        o.raw(b",\"altitude\":");
        o.opt_f64(e.altitude);
        o.raw(b",\"city\":");
        o.opt_str(e.city);
        o.raw(b",\"state\":");
        o.opt_str(e.state);
        o.raw(b",\"country\":");
        o.opt_str(e.country);
        o.raw(b",\"description\":");
        o.opt_str(e.description);
        o.raw(b",\"fps\":");
        o.opt_f64(e.fps);
        o.raw(b",\"live_photo_cid\":");
        o.opt_str(e.live_photo_cid);
        o.raw(b",\"projection_type\":");
        o.opt_str(e.projection_type);
        if !self.metadata {
            o.raw(b",\"profile_description\":");
            o.opt_str(e.profile_description);
        }
        o.raw(b",\"auto_stack_id\":");
        o.opt_str(e.auto_stack_id);
        o.raw(b",\"rating\":");
        o.opt_int(e.rating);
        if self.metadata {
            o.raw(b",\"country_code\":");
            o.opt_str(e.country_code);
            o.raw(b",\"sublocation\":");
            o.opt_str(e.sublocation);
            o.raw(b",\"place_name\":");
            o.opt_str(e.place_name);
            o.raw(b",\"timezone\":");
            o.opt_str(e.timezone);
            o.raw(b",\"display_label\":");
            o.opt_str(e.display_label);
        }
        o.raw(b"}");
    }
}

impl<S: AsRef<[u8]> + Copy> WriteJson for FaceView<'_, S> {
    fn write_json(&self, o: &mut Direct) {
        let b = self.bounding_box;
        o.raw(b"{\"id\":");
        o.str(self.id);
        o.raw(b",\"asset_id\":");
        o.str(self.asset_id);
        o.raw(b",\"person_id\":");
        o.opt_str(self.person_id);
        o.raw(b",\"bounding_box\":{\"x\":");
        o.int(b.x);
        o.raw(b",\"y\":");
        o.int(b.y);
        o.raw(b",\"w\":");
        o.int(b.w);
        o.raw(b",\"h\":");
        o.int(b.h);
        o.raw(b"},\"timestamp_ms\":");
        o.opt_int(self.timestamp_ms);
        o.raw(b",\"created_at\":");
        o.instant(self.created_at);
        o.raw(b",\"updated_at\":");
        o.instant(self.updated_at);
        if let Some(u) = self.thumbnail_url {
            o.raw(b",\"thumbnail_url\":");
            o.str(u);
        }
        o.raw(b"}");
    }
}

impl WriteJson for PersonView<'_> {
    fn write_json(&self, o: &mut Direct) {
        o.raw(b"{\"id\":");
        o.str(self.id);
        o.raw(b",\"name\":");
        o.opt_str(self.name);
        o.raw(b",\"birth_date\":");
        match self.birth_date {
            Some(d) => o.str(d.format("%Y-%m-%d").to_string()),
            None => o.raw(b"null"),
        }
        o.raw(b",\"is_hidden\":");
        o.bool(self.is_hidden);
        o.raw(b",\"is_favorite\":");
        o.bool(self.is_favorite);
        o.raw(b",\"asset_count\":");
        o.int(self.asset_count);
        o.raw(b",\"thumbnail_face_id\":");
        o.opt_str(self.thumbnail_face_id);
        o.raw(b",\"created_at\":");
        o.instant(self.created_at);
        o.raw(b",\"updated_at\":");
        o.instant(self.updated_at);
        if let Some(u) = self.thumbnail_face_url {
            o.raw(b",\"thumbnail_face_url\":");
            o.str(u);
        }
        o.raw(b"}");
    }
}

impl<S: AsRef<[u8]> + Copy, F: WriteJson, P: WriteJson, M: WriteJson, U: WriteJson> WriteJson
    for AssetView<'_, S, F, P, M, U>
{
    fn write_json(&self, o: &mut Direct) {
        o.raw(b"{\"id\":");
        o.str(self.id);
        o.raw(b",\"device_asset_id\":");
        o.str(self.device_asset_id);
        o.raw(b",\"device_id\":");
        o.str(self.device_id);
        o.raw(b",\"mime_type\":");
        o.str(self.mime_type);
        o.raw(b",\"original_file_name\":");
        o.str(self.original_file_name);
        o.raw(b",\"file_created_at\":");
        o.instant(self.file_created_at);
        o.raw(b",\"file_modified_at\":");
        o.instant(self.file_modified_at);
        o.raw(b",\"local_datetime\":");
        o.plain(self.local_datetime.0.as_bytes());
        o.raw(b",\"checksum\":");
        match &self.checksum {
            Some(c) => c.write_json(o),
            None => o.raw(b"null"),
        }
        o.raw(b",\"checksum_sha1\":");
        match &self.checksum_sha1 {
            Some(c) => c.write_json(o),
            None => o.raw(b"null"),
        }
        o.raw(b",\"created_at\":");
        o.instant(self.created_at);
        o.raw(b",\"updated_at\":");
        o.instant(self.updated_at);
        o.raw(b",\"exif\":");
        match &self.exif {
            Some(e) => e.write_json(o),
            None => o.raw(b"null"),
        }
        o.raw(b",\"metadata\":");
        match &self.metadata {
            Some(e) => e.write_json(o),
            None => o.raw(b"null"),
        }
        o.raw(b",\"metrics\":");
        match &self.metrics {
            Some(m) => m.write_json(o),
            None => o.raw(b"null"),
        }
        o.raw(b",\"asset_urls\":");
        match &self.asset_urls {
            Some(u) => u.write_json(o),
            None => o.raw(b"null"),
        }
        o.raw(b",\"description\":");
        o.opt_str(self.description);
        o.raw(b",\"faces\":");
        self.faces.write_json(o);
        o.raw(b",\"people\":");
        self.people.write_json(o);
        o.raw(b",\"width\":");
        o.opt_int(self.width);
        o.raw(b",\"height\":");
        o.opt_int(self.height);
        o.raw(b",\"file_size_bytes\":");
        o.opt_int(self.file_size_bytes);
        o.raw(b",\"trashed_at\":");
        o.opt_instant(self.trashed_at);
        if let Some(u) = self.download_url {
            o.raw(b",\"download_url\":");
            o.str(u);
        }
        if let Some(u) = self.thumbnail_url {
            o.raw(b",\"thumbnail_url\":");
            o.str(u);
        }
        o.raw(b"}");
    }
}

impl WriteJson for Asset {
    fn write_json(&self, o: &mut Direct) {
        view(self).write_json(o);
    }
}

impl<D: WriteJson> WriteJson for PageView<D> {
    fn write_json(&self, o: &mut Direct) {
        o.raw(b"{\"data\":");
        self.data.write_json(o);
        o.raw(b",\"has_more\":");
        o.bool(self.has_more);
        o.raw(b"}");
    }
}

impl<D: WriteJson> WriteJson for SearchPageView<D> {
    fn write_json(&self, o: &mut Direct) {
        o.raw(b"{\"data\":");
        self.data.write_json(o);
        o.raw(b",\"page\":");
        o.int(self.page);
        o.raw(b",\"has_more\":");
        o.bool(self.has_more);
        o.raw(b",\"total\":");
        o.int(self.total);
        o.raw(b"}");
    }
}

impl<T: WriteJson> WriteJson for [T] {
    fn write_json(&self, o: &mut Direct) {
        o.raw(b"[");
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                o.raw(b",");
            }
            item.write_json(o);
        }
        o.raw(b"]");
    }
}

impl<T: WriteJson> WriteJson for Vec<T> {
    fn write_json(&self, o: &mut Direct) {
        self.as_slice().write_json(o);
    }
}

/// A person's JSON as it appears in an asset's `people` (what the people cache keeps).
pub(crate) fn person_json(p: &Person) -> String {
    direct_json(&person_view(p), 320)
}

/// JSON already written (a cached person), copied as it is.
pub(crate) struct RawJson<'a>(pub &'a str);

impl WriteJson for RawJson<'_> {
    #[inline]
    fn write_json(&self, o: &mut Direct) {
        o.raw(self.0.as_bytes());
    }
}

/// The output buffer reserved per asset: above the ~1.8 to 2.3 KB of a complete asset with
/// faces, people and EXIF, so a page's buffer is not grown (and copied) while it is written.
pub(crate) const JSON_PER_ASSET: usize = 2560;

/// The JSON of a view, written directly into a buffer of `capacity` bytes.
pub(crate) fn direct_json<T: WriteJson + ?Sized>(value: &T, capacity: usize) -> String {
    let mut o = Direct::with_capacity(capacity);
    value.write_json(&mut o);
    o.into_string()
}

/// The view of an owned asset.
fn view(
    a: &Asset,
) -> AssetView<
    '_,
    &str,
    impl Serialize + WriteJson + '_,
    impl Serialize + WriteJson + '_,
    impl Serialize + WriteJson + '_,
    impl Serialize + WriteJson + '_,
> {
    // `exif` (metadata false) or `metadata`, defaulting to the asset's id and times.
    let exif = |e, metadata| {
        ExifView::new(
            ExifFields::Owned(e),
            a.id.as_str(),
            a.created_at,
            a.updated_at,
            metadata,
        )
    };
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
        exif: a.exif.as_ref().map(|e| exif(e, false)),
        metadata: a.metadata.as_ref().map(|m| exif(m, true)),
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
        direct_json(self, JSON_PER_ASSET)
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
pub(crate) struct SearchPageView<D> {
    pub data: D,
    pub page: u32,
    pub has_more: bool,
    pub total: u64,
}

impl PageView<Vec<&Asset>> {
    pub(crate) fn to_json(&self) -> String {
        direct_json(self, 64 + JSON_PER_ASSET * self.data.len())
    }
}

impl SearchPageView<Vec<&Asset>> {
    pub(crate) fn to_json(&self) -> String {
        direct_json(self, 96 + JSON_PER_ASSET * self.data.len())
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
            data: self.data.iter().collect::<Vec<_>>(),
            page: self.page,
            has_more: self.has_more,
            total: self.total,
        }
        .serialize(s)
    }
}

/// Serializes into a buffer sized for the expected output, so the writer never regrows it
/// (with [`super::writer`], byte-identical to `serde_json::to_string`). Only the Python
/// binding serializes through serde this way (its nested attributes' JSON).
#[cfg(feature = "python")]
pub(crate) fn to_json_string<T: Serialize + ?Sized>(value: &T, capacity: usize) -> String {
    let buf = super::writer::to_vec(value, capacity)
        .expect("the views have string keys and infallible Serialize impls");
    // The writer copies `str`s and writes ASCII around them: always valid UTF-8.
    String::from_utf8(buf).unwrap_or_default()
}
