//! Immich's `AssetResponseDto` shape, as `immich-python-sdk==1.134.0` declares it and as
//! Immich's server (v1.134.0, `mapAsset`) writes it: camelCase keys in the server's order, over
//! borrowed view structs serialized by the views' own writer (like [`super::gumnut`]).
//!
//! * Every datetime is written as JavaScript's `toISOString` writes it:
//!   `YYYY-MM-DDTHH:MM:SS.sssZ`. `localDateTime` is the wall-clock capture time labelled UTC,
//!   which is how Immich stores and sends it.
//! * `checksum` is the base64 SHA-1 (`checksum_sha1`); `isArchived` is
//!   `visibility == "archive"`, `isTrashed` is `trashed_at` set.
//! * `exifInfo` is always an object (Immich creates an EXIF row for every asset). Its
//!   `exifImageWidth` / `exifImageHeight` are the stored (unrotated) pixel size: the asset's
//!   displayed `width` / `height`, swapped back for EXIF orientations 5 to 8.
//! * `people[]` are the people of the asset's faces in order of first appearance, each with its
//!   `faces`; faces without a person are in `unassignedFaces`.
//! * Numbers with an integral value are written as integers (`2`, not `2.0`), as JavaScript's
//!   `JSON.stringify` writes them.
//!
//! Where the record lacks what the DTO requires (a tag's id, a face's image size, a stack's
//! primary asset...), the view writes what Immich's server writes for such an asset; each such
//! decision is listed in `docs/design.md`, section "Immich view".
//!
//! ```
//! # use photocat::{AddAssets, Catalog, NewAsset};
//! let cat = Catalog::in_memory()?;
//! let rec: NewAsset = serde_json::from_str(r#"{"id": "asset_a", "local_datetime": "2023-11-07T07:31:56+02:00"}"#)?;
//! let asset = cat.add_assets(vec![rec], AddAssets::default())?.remove(0);
//! let json = asset.to_immich_json();
//! assert!(json.starts_with(r#"{"id":"asset_a","deviceAssetId":"asset_a","ownerId":"#));
//! assert!(json.contains(r#""localDateTime":"2023-11-07T07:31:56.000Z""#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;

use base64::Engine;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use serde::{Serialize, Serializer};
use sha1::{Digest, Sha1};

use super::gumnut::{direct_json, Checksum, Each, WriteJson};
use super::writer::Direct;
use crate::model::exif::ExifRef;
use crate::model::time::{format_offset, Formatted};
use crate::model::{
    Asset, AssetType, BoundingBox, DateTimeInput, Exif, Face, Person, TimeSource, Visibility,
};

/// Immich's `duration` of an asset that has none (an image): the server's literal default.
pub const NO_DURATION: &str = "0:00:00.00000";

/// Immich's `sourceType` of a face whose origin is not recorded: the server's column default.
pub const FACE_SOURCE_TYPE: &str = "machine-learning";

/// What the Immich view needs to write an asset's `stack` object beyond its `stack_id`: the
/// stack's primary asset and how many assets it holds (the primary included).
///
/// The asset record keeps only `stack_id`; a read that knows the whole stack passes this to
/// [`ImmichAsset::with_stack`]. Without it a stacked asset's `stack` key is left out, as
/// Immich's server leaves it out of responses that do not load stacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StackSummary<'a> {
    /// The stack's primary (cover) asset.
    pub primary_asset_id: &'a str,
    /// The number of assets in the stack, the primary included.
    pub asset_count: u64,
}

/// An asset in Immich's `AssetResponseDto` shape, borrowing the asset. Its `Serialize` impl is
/// the Immich view; [`Asset::to_immich_json`] is the usual way to use it.
#[derive(Debug, Clone, Copy)]
pub struct ImmichAsset<'a> {
    asset: &'a Asset,
    stack: Option<StackSummary<'a>>,
}

impl<'a> ImmichAsset<'a> {
    /// The Immich view of `asset`.
    pub fn new(asset: &'a Asset) -> Self {
        ImmichAsset { asset, stack: None }
    }

    /// The view with the asset's stack described by `stack` (used only when the asset has a
    /// `stack_id`): `stack` is then `{id, primaryAssetId, assetCount}`.
    pub fn with_stack(mut self, stack: StackSummary<'a>) -> Self {
        self.stack = Some(stack);
        self
    }

    /// The compact JSON (byte-deterministic).
    pub fn to_json(&self) -> String {
        direct_json(self, JSON_CAPACITY)
    }

    /// The JSON as a `serde_json::Value`.
    pub fn to_json_value(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("serializing an asset cannot fail")
    }
}

/// The expected size of one asset's Immich JSON, so the writer rarely regrows its buffer.
pub(crate) const JSON_CAPACITY: usize = 2048;

impl Asset {
    /// The asset as Immich's `AssetResponseDto` JSON (compact, byte-deterministic), as
    /// `immich-python-sdk==1.134.0` declares it and Immich's server writes it.
    pub fn to_immich_json(&self) -> String {
        ImmichAsset::new(self).to_json()
    }

    /// The Immich JSON as a `serde_json::Value`.
    pub fn to_immich_json_value(&self) -> serde_json::Value {
        ImmichAsset::new(self).to_json_value()
    }
}

fn push_items(out: &mut Vec<u8>, assets: &[Asset]) {
    let mut o = Direct::from_vec(std::mem::take(out));
    for (i, a) in assets.iter().enumerate() {
        if i > 0 {
            o.raw(b",");
        }
        ImmichAsset::new(a).write_json(&mut o);
    }
    *out = o.out;
}

/// The JSON array of non-empty pieces (the comma-separated Immich views of consecutive assets),
/// in order: the bytes of [`to_immich_json_array`] over all their assets.
pub(crate) fn join_array(pieces: &[Vec<u8>]) -> Vec<u8> {
    let len = 2 + pieces.iter().map(|p| p.len() + 1).sum::<usize>();
    let mut out = Vec::with_capacity(len);
    out.push(b'[');
    for (i, p) in pieces.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(p);
    }
    out.push(b']');
    out
}

/// A JSON array of the assets' Immich views, compact: the body Immich's server sends for
/// `GET /asset` (and `GET /assets/random`).
pub fn to_immich_json_array(assets: &[Asset]) -> String {
    // Pre-size for up to a few thousand assets; a whole library's body grows as it is written.
    let mut out = Vec::with_capacity(2 + (JSON_CAPACITY + 1) * assets.len().min(4096));
    out.push(b'[');
    push_items(&mut out, assets);
    out.push(b']');
    // The writer copies `str`s and writes ASCII around them: always valid UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

// ----------------------------------------------------------------------------------------------
// The view structs, in the key order of Immich's `mapAsset` (server v1.134.0). They are
// generic over their sequences (`tags`, `people`, `unassignedFaces`, a person's `faces`), so one
// derived `Serialize` writes an owned `Asset` ([`ImmichAsset`]) and a stored record read in
// place (`crate::query::immich_json`) alike: one shape, two sources.

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AssetDto<'a, T, P, U> {
    id: &'a str,
    device_asset_id: &'a str,
    owner_id: &'a str,
    device_id: &'a str,
    library_id: &'a str,
    #[serde(rename = "type")]
    asset_type: &'static str,
    original_path: &'a str,
    original_file_name: &'a str,
    original_mime_type: &'a str,
    thumbhash: Option<&'a str>,
    file_created_at: JsDate,
    file_modified_at: JsDate,
    local_date_time: JsDate,
    updated_at: JsDate,
    is_favorite: bool,
    is_archived: bool,
    is_trashed: bool,
    visibility: &'static str,
    duration: &'a str,
    exif_info: ExifDto<'a>,
    live_photo_video_id: Option<&'a str>,
    tags: T,
    people: P,
    unassigned_faces: U,
    checksum: Checksum<'a>,
    #[serde(skip_serializing_if = "StackField::is_unknown")]
    stack: StackField<'a>,
    is_offline: bool,
    has_metadata: bool,
    duplicate_id: Option<&'a str>,
    resized: bool,
}

/// `exifInfo`, in the key order of Immich's `mapExif`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExifDto<'a> {
    make: Option<&'a str>,
    model: Option<&'a str>,
    exif_image_width: Option<u32>,
    exif_image_height: Option<u32>,
    file_size_in_byte: Option<u64>,
    orientation: Option<String>,
    date_time_original: JsDate,
    modify_date: JsDate,
    time_zone: Option<Cow<'a, str>>,
    lens_model: Option<&'a str>,
    f_number: JsNumber,
    focal_length: JsNumber,
    iso: Option<i64>,
    exposure_time: Option<String>,
    latitude: JsNumber,
    longitude: JsNumber,
    city: Option<&'a str>,
    state: Option<&'a str>,
    country: Option<&'a str>,
    description: &'a str,
    projection_type: Option<&'a str>,
    rating: Option<i64>,
}

/// A tag, in the key order of Immich's `mapTag` (no `color`: the record keeps none).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TagDto<'a> {
    id: String,
    parent_id: Option<String>,
    name: &'a str,
    value: &'a str,
    created_at: JsDate,
    updated_at: JsDate,
}

/// A person with the asset's faces of that person, in the key order of Immich's `mapPerson`
/// followed by `faces` (no `color`: the record keeps none).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PersonDto<'a, F> {
    id: &'a str,
    name: &'a str,
    #[serde(serialize_with = "date")]
    birth_date: Option<NaiveDate>,
    thumbnail_path: &'static str,
    is_hidden: bool,
    is_favorite: bool,
    updated_at: JsDate,
    faces: F,
}

/// A face, in the key order of Immich's `mapFacesWithoutPerson`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FaceDto<'a> {
    id: &'a str,
    image_height: u32,
    image_width: u32,
    bounding_box_x1: i64,
    bounding_box_x2: i64,
    bounding_box_y1: i64,
    bounding_box_y2: i64,
    source_type: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StackDto<'a> {
    id: &'a str,
    primary_asset_id: &'a str,
    asset_count: u64,
}

/// `stack`: `null` for an asset in no stack, the object when the stack is known, left out
/// when the asset has a stack the caller did not describe.
enum StackField<'a> {
    None,
    Known(StackDto<'a>),
    Unknown,
}

impl StackField<'_> {
    fn is_unknown(&self) -> bool {
        matches!(self, StackField::Unknown)
    }
}

impl Serialize for StackField<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            StackField::Known(dto) => dto.serialize(s),
            StackField::None | StackField::Unknown => s.serialize_none(),
        }
    }
}

/// A datetime written as JavaScript's `toISOString` (see [`Formatted::js_iso`]).
struct JsDate(NaiveDateTime);

impl JsDate {
    fn instant(t: DateTime<Utc>) -> Self {
        JsDate(t.naive_utc())
    }
}

impl Serialize for JsDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(Formatted::js_iso(self.0).as_str())
    }
}

/// A float written as JavaScript writes numbers where the two differ for EXIF values: an
/// integral value as an integer (`2`, not serde_json's `2.0`; `-0.0` as `0`). Others keep the
/// writer's shortest round-trip form (the same digits as JavaScript's).
struct JsNumber(Option<f64>);

/// Integral floats below this magnitude are exact integers (2^53).
const MAX_EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

impl Serialize for JsNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            None => s.serialize_none(),
            Some(v) if v.fract() == 0.0 && v.abs() < MAX_EXACT_INTEGER => s.serialize_i64(v as i64),
            Some(v) => s.serialize_f64(v),
        }
    }
}

fn date<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.collect_str(&d.format("%Y-%m-%d")),
        None => s.serialize_none(),
    }
}

// ----------------------------------------------------------------------------------------------
// The direct writer of the view structs (see `super::gumnut::WriteJson`): the bytes of their
// `Serialize` impls, keys and punctuation as constants. `to_immich_json`, the arrays and the
// JSON from stored records take it; `serde_json` of the same views takes `Serialize`, and the
// tests compare the two on every asset of a generated catalogue and of the model check.

impl WriteJson for JsDate {
    #[inline]
    fn write_json(&self, o: &mut Direct) {
        o.plain(Formatted::js_iso(self.0).as_bytes());
    }
}

impl WriteJson for JsNumber {
    #[inline]
    fn write_json(&self, o: &mut Direct) {
        match self.0 {
            None => o.raw(b"null"),
            Some(v) if v.fract() == 0.0 && v.abs() < MAX_EXACT_INTEGER => o.int(v as i64),
            Some(v) => o.f64(v),
        }
    }
}

impl WriteJson for ExifDto<'_> {
    fn write_json(&self, o: &mut Direct) {
        o.raw(b"{\"make\":");
        o.opt_str(self.make);
        o.raw(b",\"model\":");
        o.opt_str(self.model);
        o.raw(b",\"exifImageWidth\":");
        o.opt_int(self.exif_image_width);
        o.raw(b",\"exifImageHeight\":");
        o.opt_int(self.exif_image_height);
        o.raw(b",\"fileSizeInByte\":");
        o.opt_int(self.file_size_in_byte);
        o.raw(b",\"orientation\":");
        o.opt_str(self.orientation.as_deref());
        o.raw(b",\"dateTimeOriginal\":");
        self.date_time_original.write_json(o);
        o.raw(b",\"modifyDate\":");
        self.modify_date.write_json(o);
        o.raw(b",\"timeZone\":");
        o.opt_str(self.time_zone.as_deref());
        o.raw(b",\"lensModel\":");
        o.opt_str(self.lens_model);
        o.raw(b",\"fNumber\":");
        self.f_number.write_json(o);
        o.raw(b",\"focalLength\":");
        self.focal_length.write_json(o);
        o.raw(b",\"iso\":");
        o.opt_int(self.iso);
        o.raw(b",\"exposureTime\":");
        o.opt_str(self.exposure_time.as_deref());
        o.raw(b",\"latitude\":");
        self.latitude.write_json(o);
        o.raw(b",\"longitude\":");
        self.longitude.write_json(o);
        o.raw(b",\"city\":");
        o.opt_str(self.city);
        o.raw(b",\"state\":");
        o.opt_str(self.state);
        o.raw(b",\"country\":");
        o.opt_str(self.country);
        o.raw(b",\"description\":");
        o.str(self.description);
        o.raw(b",\"projectionType\":");
        o.opt_str(self.projection_type);
        o.raw(b",\"rating\":");
        o.opt_int(self.rating);
        o.raw(b"}");
    }
}

impl WriteJson for TagDto<'_> {
    fn write_json(&self, o: &mut Direct) {
        o.raw(b"{\"id\":");
        o.str(&self.id);
        o.raw(b",\"parentId\":");
        o.opt_str(self.parent_id.as_deref());
        o.raw(b",\"name\":");
        o.str(self.name);
        o.raw(b",\"value\":");
        o.str(self.value);
        o.raw(b",\"createdAt\":");
        self.created_at.write_json(o);
        o.raw(b",\"updatedAt\":");
        self.updated_at.write_json(o);
        o.raw(b"}");
    }
}

impl<F: WriteJson> WriteJson for PersonDto<'_, F> {
    fn write_json(&self, o: &mut Direct) {
        o.raw(b"{\"id\":");
        o.str(self.id);
        o.raw(b",\"name\":");
        o.str(self.name);
        o.raw(b",\"birthDate\":");
        match self.birth_date {
            Some(d) => o.str(d.format("%Y-%m-%d").to_string()),
            None => o.raw(b"null"),
        }
        o.raw(b",\"thumbnailPath\":");
        o.str(self.thumbnail_path);
        o.raw(b",\"isHidden\":");
        o.bool(self.is_hidden);
        o.raw(b",\"isFavorite\":");
        o.bool(self.is_favorite);
        o.raw(b",\"updatedAt\":");
        self.updated_at.write_json(o);
        o.raw(b",\"faces\":");
        self.faces.write_json(o);
        o.raw(b"}");
    }
}

impl WriteJson for FaceDto<'_> {
    fn write_json(&self, o: &mut Direct) {
        o.raw(b"{\"id\":");
        o.str(self.id);
        o.raw(b",\"imageHeight\":");
        o.int(self.image_height);
        o.raw(b",\"imageWidth\":");
        o.int(self.image_width);
        o.raw(b",\"boundingBoxX1\":");
        o.int(self.bounding_box_x1);
        o.raw(b",\"boundingBoxX2\":");
        o.int(self.bounding_box_x2);
        o.raw(b",\"boundingBoxY1\":");
        o.int(self.bounding_box_y1);
        o.raw(b",\"boundingBoxY2\":");
        o.int(self.bounding_box_y2);
        o.raw(b",\"sourceType\":");
        o.str(self.source_type);
        o.raw(b"}");
    }
}

impl<T: WriteJson, P: WriteJson, U: WriteJson> WriteJson for AssetDto<'_, T, P, U> {
    fn write_json(&self, o: &mut Direct) {
        o.raw(b"{\"id\":");
        o.str(self.id);
        o.raw(b",\"deviceAssetId\":");
        o.str(self.device_asset_id);
        o.raw(b",\"ownerId\":");
        o.str(self.owner_id);
        o.raw(b",\"deviceId\":");
        o.str(self.device_id);
        o.raw(b",\"libraryId\":");
        o.str(self.library_id);
        o.raw(b",\"type\":");
        o.str(self.asset_type);
        o.raw(b",\"originalPath\":");
        o.str(self.original_path);
        o.raw(b",\"originalFileName\":");
        o.str(self.original_file_name);
        o.raw(b",\"originalMimeType\":");
        o.str(self.original_mime_type);
        o.raw(b",\"thumbhash\":");
        o.opt_str(self.thumbhash);
        o.raw(b",\"fileCreatedAt\":");
        self.file_created_at.write_json(o);
        o.raw(b",\"fileModifiedAt\":");
        self.file_modified_at.write_json(o);
        o.raw(b",\"localDateTime\":");
        self.local_date_time.write_json(o);
        o.raw(b",\"updatedAt\":");
        self.updated_at.write_json(o);
        o.raw(b",\"isFavorite\":");
        o.bool(self.is_favorite);
        o.raw(b",\"isArchived\":");
        o.bool(self.is_archived);
        o.raw(b",\"isTrashed\":");
        o.bool(self.is_trashed);
        o.raw(b",\"visibility\":");
        o.str(self.visibility);
        o.raw(b",\"duration\":");
        o.str(self.duration);
        o.raw(b",\"exifInfo\":");
        self.exif_info.write_json(o);
        o.raw(b",\"livePhotoVideoId\":");
        o.opt_str(self.live_photo_video_id);
        o.raw(b",\"tags\":");
        self.tags.write_json(o);
        o.raw(b",\"people\":");
        self.people.write_json(o);
        o.raw(b",\"unassignedFaces\":");
        self.unassigned_faces.write_json(o);
        o.raw(b",\"checksum\":");
        self.checksum.write_json(o);
        match &self.stack {
            StackField::None => o.raw(b",\"stack\":null"),
            StackField::Known(st) => {
                o.raw(b",\"stack\":{\"id\":");
                o.str(st.id);
                o.raw(b",\"primaryAssetId\":");
                o.str(st.primary_asset_id);
                o.raw(b",\"assetCount\":");
                o.int(st.asset_count);
                o.raw(b"}");
            }
            StackField::Unknown => {}
        }
        o.raw(b",\"isOffline\":");
        o.bool(self.is_offline);
        o.raw(b",\"hasMetadata\":");
        o.bool(self.has_metadata);
        o.raw(b",\"duplicateId\":");
        o.opt_str(self.duplicate_id);
        o.raw(b",\"resized\":");
        o.bool(self.resized);
        o.raw(b"}");
    }
}

// ----------------------------------------------------------------------------------------------
// From the record to the view.

/// What the view reads of an asset besides its faces, people and tags, borrowed from an owned
/// [`Asset`] ([`facts`]) or from a stored record read in place (`crate::query::immich_json`),
/// with the defaults of the public asset already applied (`device_id`, `mime_type`, the file
/// times, the library's public id).
pub(crate) struct Facts<'a> {
    pub id: &'a str,
    pub device_asset_id: &'a str,
    pub owner_id: Option<&'a str>,
    pub device_id: &'a str,
    pub library_id: &'a str,
    pub mime_type: &'a str,
    pub original_path: Option<&'a str>,
    pub original_file_name: &'a str,
    pub thumbhash: Option<&'a str>,
    pub file_created_at: DateTime<Utc>,
    pub file_modified_at: DateTime<Utc>,
    pub local_datetime: NaiveDateTime,
    pub local_offset: Option<FixedOffset>,
    pub time_source: Option<TimeSource>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub is_favorite: bool,
    pub visibility: Visibility,
    pub trashed: bool,
    pub duration: Option<&'a str>,
    pub exif: Option<ExifRef<&'a str>>,
    pub metadata: Option<ExifRef<&'a str>>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub file_size_bytes: Option<u64>,
    pub live_photo_video_id: Option<&'a str>,
    pub checksum_sha1: Option<Checksum<'a>>,
    pub stack_id: Option<&'a str>,
    pub is_offline: bool,
    pub duplicate_id: Option<&'a str>,
}

impl Facts<'_> {
    /// The size of the image the face boxes are in (`imageWidth` x `imageHeight`): the
    /// asset's displayed size, 0 where unknown (the DTO requires integers).
    pub(crate) fn face_image_size(&self) -> (u32, u32) {
        (self.width.unwrap_or(0), self.height.unwrap_or(0))
    }

    /// The capture instant, when the offset is known.
    fn captured_at(&self) -> Option<DateTime<Utc>> {
        self.local_offset.map(|o| {
            DateTimeInput {
                naive: self.local_datetime,
                offset: Some(o),
            }
            .to_utc()
        })
    }
}

impl Serialize for ImmichAsset<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        owned_dto(self.asset, self.stack).serialize(s)
    }
}

impl WriteJson for ImmichAsset<'_> {
    fn write_json(&self, o: &mut Direct) {
        owned_dto(self.asset, self.stack).write_json(o);
    }
}

/// The view of an owned asset.
fn owned_dto<'a>(
    a: &'a Asset,
    stack: Option<StackSummary<'a>>,
) -> AssetDto<
    'a,
    impl Serialize + WriteJson + 'a,
    impl Serialize + WriteJson + 'a,
    impl Serialize + WriteJson + 'a,
> {
    let f = facts(a);
    let size = f.face_image_size();
    asset_dto(
        f,
        a.tags.iter().map(String::as_str),
        Each(owned_people(a).map(move |p| {
            let faces = a
                .faces
                .iter()
                .filter(move |g| g.person_id.as_deref() == Some(p.id.as_str()));
            person_dto(p, Each(faces.map(move |g| owned_face(g, size))))
        })),
        Each(
            a.faces
                .iter()
                .filter(move |g| owned_person(a, g).is_none())
                .map(move |g| owned_face(g, size)),
        ),
        stack,
    )
}

/// The facts of an owned asset.
fn facts(a: &Asset) -> Facts<'_> {
    Facts {
        id: &a.id,
        device_asset_id: &a.device_asset_id,
        owner_id: a.owner_id.as_deref(),
        device_id: &a.device_id,
        library_id: &a.library_id,
        mime_type: &a.mime_type,
        original_path: a.original_path.as_deref(),
        original_file_name: &a.original_file_name,
        thumbhash: a.thumbhash.as_deref(),
        file_created_at: a.file_created_at,
        file_modified_at: a.file_modified_at,
        local_datetime: a.local_datetime,
        local_offset: a.local_offset,
        time_source: a.local_datetime_source,
        created_at: a.created_at,
        updated_at: a.updated_at,
        is_favorite: a.is_favorite,
        visibility: a.visibility,
        trashed: a.trashed_at.is_some(),
        duration: a.duration.as_deref(),
        exif: a.exif.as_ref().map(Exif::borrowed),
        metadata: a.metadata.as_ref().map(Exif::borrowed),
        width: a.width,
        height: a.height,
        file_size_bytes: a.file_size_bytes,
        live_photo_video_id: a.live_photo_video_id.as_deref(),
        checksum_sha1: a.checksum_sha1.as_deref().map(Checksum::Text),
        stack_id: a.stack_id.as_deref(),
        is_offline: a.is_offline,
        duplicate_id: a.duplicate_id.as_deref(),
    }
}

/// The person of an owned asset's face: the first of the asset's `people` with its
/// `person_id`. A face whose person is not among the asset's people counts as unassigned, as
/// in Immich (whose faces without a loaded person are unassigned).
fn owned_person<'a>(a: &'a Asset, f: &Face) -> Option<&'a Person> {
    let pid = f.person_id.as_deref()?;
    a.people.iter().find(|p| p.id == pid)
}

/// The people of an owned asset's faces, each once, in order of first appearance.
fn owned_people(a: &Asset) -> impl Iterator<Item = &Person> + Clone {
    a.faces.iter().enumerate().filter_map(move |(i, f)| {
        let p = owned_person(a, f)?;
        let seen = a.faces[..i]
            .iter()
            .any(|g| g.person_id.as_deref() == Some(p.id.as_str()));
        (!seen).then_some(p)
    })
}

fn owned_face(f: &Face, size: (u32, u32)) -> FaceDto<'_> {
    face_dto(&f.id, f.bounding_box, size)
}

/// The view of an asset from its facts, its tag values (Immich's hierarchical values) and its
/// `people` (each with its faces, in order of first appearance) and `unassignedFaces`
/// sequences, built from [`person_dto`] and [`face_dto`]. `stack` describes the asset's stack
/// when the caller knows it.
pub(crate) fn asset_dto<'a, P, U>(
    f: Facts<'a>,
    tags: impl Iterator<Item = &'a str> + Clone + 'a,
    people: P,
    unassigned_faces: U,
    stack: Option<StackSummary<'a>>,
) -> AssetDto<'a, impl Serialize + WriteJson + 'a, P, U> {
    let owner = f.owner_id.unwrap_or("");
    let (created_at, updated_at) = (f.created_at, f.updated_at);
    AssetDto {
        id: f.id,
        device_asset_id: f.device_asset_id,
        owner_id: owner,
        device_id: f.device_id,
        library_id: f.library_id,
        asset_type: AssetType::from_mime(f.mime_type).as_str(),
        original_path: f.original_path.unwrap_or(""),
        original_file_name: f.original_file_name,
        original_mime_type: f.mime_type,
        thumbhash: f.thumbhash,
        file_created_at: JsDate::instant(f.file_created_at),
        file_modified_at: JsDate::instant(f.file_modified_at),
        local_date_time: JsDate(f.local_datetime),
        updated_at: JsDate::instant(f.updated_at),
        is_favorite: f.is_favorite,
        is_archived: f.visibility == Visibility::Archive,
        is_trashed: f.trashed,
        visibility: f.visibility.as_str(),
        duration: f.duration.unwrap_or(NO_DURATION),
        exif_info: exif_view(&f),
        live_photo_video_id: f.live_photo_video_id,
        tags: Each(tags.map(move |t| tag_view(owner, created_at, updated_at, t))),
        people,
        unassigned_faces,
        checksum: f.checksum_sha1.unwrap_or(Checksum::Text("")),
        stack: match (f.stack_id, stack) {
            (None, _) => StackField::None,
            (Some(id), Some(st)) => StackField::Known(StackDto {
                id,
                primary_asset_id: st.primary_asset_id,
                asset_count: st.asset_count,
            }),
            (Some(_), None) => StackField::Unknown,
        },
        is_offline: f.is_offline,
        has_metadata: true,
        duplicate_id: f.duplicate_id,
        resized: true,
    }
}

/// A face: its box in pixels of the displayed image, whose size is `imageWidth` x
/// `imageHeight` ([`Facts::face_image_size`]).
pub(crate) fn face_dto(id: &str, b: BoundingBox, (width, height): (u32, u32)) -> FaceDto<'_> {
    FaceDto {
        id,
        image_height: height,
        image_width: width,
        bounding_box_x1: i64::from(b.x),
        bounding_box_x2: i64::from(b.x) + i64::from(b.w),
        bounding_box_y1: i64::from(b.y),
        bounding_box_y2: i64::from(b.y) + i64::from(b.h),
        source_type: FACE_SOURCE_TYPE,
    }
}

/// A person with `faces`, the asset's faces of that person.
pub(crate) fn person_dto<F>(p: &Person, faces: F) -> PersonDto<'_, F> {
    PersonDto {
        id: &p.id,
        name: p.name.as_deref().unwrap_or(""),
        birth_date: p.birth_date,
        thumbnail_path: "",
        is_hidden: p.is_hidden,
        is_favorite: p.is_favorite,
        updated_at: JsDate::instant(p.updated_at),
        faces,
    }
}

/// A tag from its value (Immich's hierarchical `value`, `/`-separated): `name` is the last
/// segment, `id` is derived from the owner and the value (see [`tag_id`]), `parentId` is the id
/// of the value without its last segment (null at the top). The record keeps no tag rows, so
/// the times are the asset's.
fn tag_view<'a>(
    owner: &str,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    value: &'a str,
) -> TagDto<'a> {
    let (parent, name) = match value.rsplit_once('/') {
        Some((parent, name)) => (Some(tag_id(owner, parent)), name),
        None => (None, value),
    };
    TagDto {
        id: tag_id(owner, value),
        parent_id: parent,
        name,
        value,
        created_at: JsDate::instant(created_at),
        updated_at: JsDate::instant(updated_at),
    }
}

/// The id of an owner's tag `value`: `tag_` and the URL-safe base64 of the first 16 bytes of
/// SHA-1(owner, NUL, value), shaped like a generated id. The same value of the same owner has
/// the same id on every asset; Immich's tags are unique per (user, value) likewise.
pub fn tag_id(owner: &str, value: &str) -> String {
    let mut h = Sha1::new();
    h.update(owner.as_bytes());
    h.update([0u8]);
    h.update(value.as_bytes());
    let digest = h.finalize();
    let mut id = String::with_capacity(4 + 22);
    id.push_str("tag_");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode_string(&digest[..16], &mut id);
    id
}

fn exif_view<'a>(a: &Facts<'a>) -> ExifDto<'a> {
    let e = a.exif.as_ref();
    let m = a.metadata.as_ref();
    // Each fact from `exif`, else from `metadata` (Gumnut keeps place facts there): the rule
    // search facets follow too.
    use crate::facets::fact_copy as pick;
    let orientation = pick(e, m, |x| x.orientation);
    let (width, height) = stored_size(a.width, a.height, orientation);
    let original = pick(e, m, |x| x.original_datetime)
        .map(|t| t.naive_utc())
        // Immich's dateTimeOriginal is the capture instant; a capture time without an offset is
        // read as UTC, Immich's rule for dates without a zone.
        .unwrap_or_else(|| a.captured_at().map_or(a.local_datetime, |t| t.naive_utc()));
    ExifDto {
        make: pick(e, m, |x| x.make),
        model: pick(e, m, |x| x.model),
        exif_image_width: width,
        exif_image_height: height,
        // Immich writes a size of 0 as null (`fileSizeInByte ? ... : null`).
        file_size_in_byte: a.file_size_bytes.filter(|&n| n != 0),
        orientation: orientation.map(|o| o.to_string()),
        date_time_original: JsDate(original),
        // Immich's modifyDate is the file's modification time.
        modify_date: JsDate::instant(a.file_modified_at),
        time_zone: time_zone(a),
        lens_model: pick(e, m, |x| x.lens_model),
        f_number: JsNumber(pick(e, m, |x| x.f_number)),
        focal_length: JsNumber(pick(e, m, |x| x.focal_length)),
        iso: pick(e, m, |x| x.iso),
        exposure_time: pick(e, m, |x| x.exposure_time).map(exposure_time),
        latitude: JsNumber(pick(e, m, |x| x.latitude)),
        longitude: JsNumber(pick(e, m, |x| x.longitude)),
        city: pick(e, m, |x| x.city),
        state: pick(e, m, |x| x.state),
        country: pick(e, m, |x| x.country),
        // Immich writes an empty description when the file has none.
        description: pick(e, m, |x| x.description).unwrap_or(""),
        projection_type: pick(e, m, |x| x.projection_type),
        rating: pick(e, m, |x| x.rating),
    }
}

/// The stored (unrotated) size from the displayed one: orientations 5 to 8 swap the two.
pub(crate) fn stored_size(
    width: Option<u32>,
    height: Option<u32>,
    orientation: Option<i32>,
) -> (Option<u32>, Option<u32>) {
    if matches!(orientation, Some(5..=8)) {
        (height, width)
    } else {
        (width, height)
    }
}

/// An exposure time in seconds as exiftool prints it (Immich stores exiftool's text): `1/N`
/// below a quarter second (N = 1/t rounded), else the seconds to one decimal without a
/// trailing `.0` (`0.3`, `2`).
pub(crate) fn exposure_time(seconds: f64) -> String {
    if seconds > 0.0 && seconds < 0.25001 {
        format!("1/{}", (0.5 + 1.0 / seconds).floor() as u64)
    } else {
        let s = format!("{seconds:.1}");
        match s.strip_suffix(".0") {
            Some(whole) => whole.to_owned(),
            None => s,
        }
    }
}

/// Immich's `timeZone` (exiftool's zone name): the IANA name of `metadata.timezone` when it
/// gives one; else, when the capture offset is known, the offset as `UTC+2`, `UTC-9:30`, or
/// `UTC+0` for zero (Immich's name for an explicit `+00:00`); else null. The `+00:00` that a
/// record given no capture time receives by default (sources `file_created_at` and
/// `write_time`, without `metadata.timezone`) is not a known zone: null.
fn time_zone<'a>(a: &Facts<'a>) -> Option<Cow<'a, str>> {
    let given = a.metadata.and_then(|m| m.timezone);
    if let Some(tz) = given {
        let t = tz.trim();
        let is_offset = t.starts_with(['+', '-'])
            || matches!(t, "UTC" | "utc" | "Z" | "GMT" | "Etc/UTC" | "Etc/GMT");
        if !is_offset {
            return Some(Cow::Borrowed(t));
        }
    }
    let defaulted = matches!(
        a.time_source,
        Some(TimeSource::FileCreatedAt | TimeSource::FileMtime | TimeSource::WriteTime)
    );
    if defaulted && given.is_none() {
        return None;
    }
    a.local_offset
        .map(|o| Cow::Owned(zone_name(o.local_minus_utc())))
}

/// exiftool's name of a fixed offset: `UTC+2`, `UTC-09:30`; zero is `UTC+0`.
fn zone_name(secs: i32) -> String {
    if secs == 0 {
        return "UTC+0".to_owned();
    }
    if secs % 3600 == 0 {
        return format!("UTC{:+}", secs / 3600);
    }
    format!("UTC{}", format_offset(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposure_times_as_exiftool_prints_them() {
        assert_eq!(exposure_time(1.0 / 160.0), "1/160");
        assert_eq!(exposure_time(0.008333333333333333), "1/120");
        assert_eq!(exposure_time(1.0 / 887.0), "1/887");
        assert_eq!(exposure_time(0.25), "1/4");
        assert_eq!(exposure_time(0.3), "0.3");
        assert_eq!(exposure_time(1.3), "1.3");
        assert_eq!(exposure_time(2.0), "2");
        assert_eq!(exposure_time(30.0), "30");
        assert_eq!(exposure_time(0.0), "0");
    }

    #[test]
    fn zone_names_as_exiftool_writes_them() {
        assert_eq!(zone_name(0), "UTC+0");
        assert_eq!(zone_name(7200), "UTC+2");
        assert_eq!(zone_name(-4 * 3600), "UTC-4");
        assert_eq!(zone_name(5 * 3600 + 1800), "UTC+05:30");
        assert_eq!(zone_name(-(9 * 3600 + 1800)), "UTC-09:30");
    }

    #[test]
    fn stored_size_swaps_back_for_orientations_5_to_8() {
        for o in 1..=8 {
            let (w, h) = stored_size(Some(3024), Some(4032), Some(o));
            if o >= 5 {
                assert_eq!((w, h), (Some(4032), Some(3024)), "orientation {o}");
            } else {
                assert_eq!((w, h), (Some(3024), Some(4032)), "orientation {o}");
            }
        }
        assert_eq!(stored_size(Some(1), None, None), (Some(1), None));
    }

    #[test]
    fn tag_ids_are_stable_per_owner_and_value() {
        let a = tag_id("user_1", "Places/Paris");
        assert_eq!(a, tag_id("user_1", "Places/Paris"));
        assert_ne!(a, tag_id("user_2", "Places/Paris"));
        assert_ne!(a, tag_id("user_1", "Places"));
        assert!(a.starts_with("tag_") && a.len() == 26, "{a}");
        crate::ids::validate(crate::ids::IdKind::Tag, &a).unwrap();
    }

    #[test]
    fn js_numbers() {
        let w = |v: Option<f64>| serde_json::to_string(&JsNumber(v)).unwrap();
        assert_eq!(w(Some(2.0)), "2");
        assert_eq!(w(Some(-0.0)), "0");
        assert_eq!(w(Some(1.8)), "1.8");
        assert_eq!(w(Some(-96.071625)), "-96.071625");
        assert_eq!(w(None), "null");
        // Beyond 2^53 and below 1e-6 the writer's exponent form is JavaScript's too.
        assert_eq!(w(Some(1e300)), "1e+300");
        assert_eq!(w(Some(1.5e-7)), "1.5e-7");
        assert_eq!(w(Some(0.000123)), "0.000123");
    }
}
