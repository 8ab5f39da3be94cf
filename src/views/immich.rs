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
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Serialize, Serializer};
use sha1::{Digest, Sha1};

use super::gumnut::to_json_string;
use crate::model::time::{format_offset, Formatted};
use crate::model::{Asset, Face, Person, TimeSource, Visibility};

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
        to_json_string(self, JSON_CAPACITY)
    }

    /// The JSON as a `serde_json::Value`.
    pub fn to_json_value(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("serializing an asset cannot fail")
    }
}

/// The expected size of one asset's Immich JSON, so the writer rarely regrows its buffer.
const JSON_CAPACITY: usize = 2048;

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

/// The Immich views of `assets`, comma-separated, without the array's brackets: one piece of
/// a body that [`join_array`] assembles (pieces are written in parallel).
pub(crate) fn immich_json_items(assets: &[Asset]) -> Vec<u8> {
    let mut out = Vec::with_capacity((JSON_CAPACITY + 1) * assets.len().min(4096));
    push_items(&mut out, assets);
    out
}

fn push_items(out: &mut Vec<u8>, assets: &[Asset]) {
    for (i, a) in assets.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        super::writer::append(out, &ImmichAsset::new(a))
            .expect("the views have string keys and infallible Serialize impls");
    }
}

/// The JSON array of non-empty pieces from [`immich_json_items`], in order: the bytes of
/// [`to_immich_json_array`] over all their assets.
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
// The view structs, in the key order of Immich's `mapAsset` (server v1.134.0).

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AssetDto<'a> {
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
    tags: Vec<TagDto<'a>>,
    people: Vec<PersonDto<'a>>,
    unassigned_faces: Vec<FaceDto<'a>>,
    checksum: &'a str,
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
struct PersonDto<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(serialize_with = "date")]
    birth_date: Option<NaiveDate>,
    thumbnail_path: &'static str,
    is_hidden: bool,
    is_favorite: bool,
    updated_at: JsDate,
    faces: Vec<FaceDto<'a>>,
}

/// A face, in the key order of Immich's `mapFacesWithoutPerson`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FaceDto<'a> {
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
// From the record to the view.

impl Serialize for ImmichAsset<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        view(self.asset, self.stack).serialize(s)
    }
}

fn view<'a>(a: &'a Asset, stack: Option<StackSummary<'a>>) -> AssetDto<'a> {
    let (people, unassigned_faces) = people_and_unassigned(a);
    let owner = a.owner_id.as_deref().unwrap_or("");
    AssetDto {
        id: &a.id,
        device_asset_id: &a.device_asset_id,
        owner_id: owner,
        device_id: &a.device_id,
        library_id: &a.library_id,
        asset_type: a.asset_type().as_str(),
        original_path: a.original_path.as_deref().unwrap_or(""),
        original_file_name: &a.original_file_name,
        original_mime_type: &a.mime_type,
        thumbhash: a.thumbhash.as_deref(),
        file_created_at: JsDate::instant(a.file_created_at),
        file_modified_at: JsDate::instant(a.file_modified_at),
        local_date_time: JsDate(a.local_datetime),
        updated_at: JsDate::instant(a.updated_at),
        is_favorite: a.is_favorite,
        is_archived: a.visibility == Visibility::Archive,
        is_trashed: a.trashed_at.is_some(),
        visibility: a.visibility.as_str(),
        duration: a.duration.as_deref().unwrap_or(NO_DURATION),
        exif_info: exif_view(a),
        live_photo_video_id: a.live_photo_video_id.as_deref(),
        tags: a.tags.iter().map(|t| tag_view(a, owner, t)).collect(),
        people,
        unassigned_faces,
        checksum: a.checksum_sha1.as_deref().unwrap_or(""),
        stack: match (a.stack_id.as_deref(), stack) {
            (None, _) => StackField::None,
            (Some(id), Some(st)) => StackField::Known(StackDto {
                id,
                primary_asset_id: st.primary_asset_id,
                asset_count: st.asset_count,
            }),
            (Some(_), None) => StackField::Unknown,
        },
        is_offline: a.is_offline,
        has_metadata: true,
        duplicate_id: a.duplicate_id.as_deref(),
        resized: true,
    }
}

/// `people` (each with its faces, in order of first appearance) and `unassignedFaces`. A face
/// whose person is not among the asset's people counts as unassigned, as in Immich (whose
/// faces without a loaded person are unassigned).
fn people_and_unassigned(a: &Asset) -> (Vec<PersonDto<'_>>, Vec<FaceDto<'_>>) {
    let size = (a.width.unwrap_or(0), a.height.unwrap_or(0));
    let mut people: Vec<PersonDto<'_>> = Vec::with_capacity(a.people.len());
    let mut unassigned = Vec::new();
    for f in &a.faces {
        let face = face_view(f, size);
        let person = f
            .person_id
            .as_deref()
            .and_then(|pid| a.people.iter().find(|p| p.id == pid));
        match person {
            None => unassigned.push(face),
            Some(p) => match people.iter_mut().find(|v| v.id == p.id) {
                Some(v) => v.faces.push(face),
                None => people.push(person_view(p, face)),
            },
        }
    }
    (people, unassigned)
}

/// A face: its box in pixels of the displayed image, whose size is `imageWidth` x
/// `imageHeight` (0 when the asset's size is unknown, as the DTO requires integers).
fn face_view(f: &Face, (width, height): (u32, u32)) -> FaceDto<'_> {
    let b = f.bounding_box;
    FaceDto {
        id: &f.id,
        image_height: height,
        image_width: width,
        bounding_box_x1: i64::from(b.x),
        bounding_box_x2: i64::from(b.x) + i64::from(b.w),
        bounding_box_y1: i64::from(b.y),
        bounding_box_y2: i64::from(b.y) + i64::from(b.h),
        source_type: FACE_SOURCE_TYPE,
    }
}

fn person_view<'a>(p: &'a Person, first: FaceDto<'a>) -> PersonDto<'a> {
    PersonDto {
        id: &p.id,
        name: p.name.as_deref().unwrap_or(""),
        birth_date: p.birth_date,
        thumbnail_path: "",
        is_hidden: p.is_hidden,
        is_favorite: p.is_favorite,
        updated_at: JsDate::instant(p.updated_at),
        faces: vec![first],
    }
}

/// A tag from its value (Immich's hierarchical `value`, `/`-separated): `name` is the last
/// segment, `id` is derived from the owner and the value (see [`tag_id`]), `parentId` is the id
/// of the value without its last segment (null at the top). The record keeps no tag rows, so
/// the times are the asset's.
fn tag_view<'a>(a: &'a Asset, owner: &str, value: &'a str) -> TagDto<'a> {
    let (parent, name) = match value.rsplit_once('/') {
        Some((parent, name)) => (Some(tag_id(owner, parent)), name),
        None => (None, value),
    };
    TagDto {
        id: tag_id(owner, value),
        parent_id: parent,
        name,
        value,
        created_at: JsDate::instant(a.created_at),
        updated_at: JsDate::instant(a.updated_at),
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

fn exif_view(a: &Asset) -> ExifDto<'_> {
    let e = a.exif.as_ref();
    let m = a.metadata.as_ref();
    // Each fact from `exif`, else from `metadata` (Gumnut keeps place facts there): the rule
    // search facets follow too.
    use crate::facets::{fact as pick, fact_copy as pick_copy};
    let orientation = pick_copy(e, m, |x| x.orientation);
    let (width, height) = stored_size(a.width, a.height, orientation);
    let original = pick_copy(e, m, |x| x.original_datetime)
        .map(|t| t.naive_utc())
        // Immich's dateTimeOriginal is the capture instant; a capture time without an offset is
        // read as UTC, Immich's rule for dates without a zone.
        .unwrap_or_else(|| a.captured_at().map_or(a.local_datetime, |t| t.naive_utc()));
    ExifDto {
        make: pick(e, m, |x| x.make.as_deref()),
        model: pick(e, m, |x| x.model.as_deref()),
        exif_image_width: width,
        exif_image_height: height,
        // Immich writes a size of 0 as null (`fileSizeInByte ? ... : null`).
        file_size_in_byte: a.file_size_bytes.filter(|&n| n != 0),
        orientation: orientation.map(|o| o.to_string()),
        date_time_original: JsDate(original),
        // Immich's modifyDate is the file's modification time.
        modify_date: JsDate::instant(a.file_modified_at),
        time_zone: time_zone(a),
        lens_model: pick(e, m, |x| x.lens_model.as_deref()),
        f_number: JsNumber(pick_copy(e, m, |x| x.f_number)),
        focal_length: JsNumber(pick_copy(e, m, |x| x.focal_length)),
        iso: pick_copy(e, m, |x| x.iso),
        exposure_time: pick_copy(e, m, |x| x.exposure_time).map(exposure_time),
        latitude: JsNumber(pick_copy(e, m, |x| x.latitude)),
        longitude: JsNumber(pick_copy(e, m, |x| x.longitude)),
        city: pick(e, m, |x| x.city.as_deref()),
        state: pick(e, m, |x| x.state.as_deref()),
        country: pick(e, m, |x| x.country.as_deref()),
        // Immich writes an empty description when the file has none.
        description: pick(e, m, |x| x.description.as_deref()).unwrap_or(""),
        projection_type: pick(e, m, |x| x.projection_type.as_deref()),
        rating: pick_copy(e, m, |x| x.rating),
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
fn time_zone(a: &Asset) -> Option<Cow<'_, str>> {
    let given = a.metadata.as_ref().and_then(|m| m.timezone.as_deref());
    if let Some(tz) = given {
        let t = tz.trim();
        let is_offset = t.starts_with(['+', '-'])
            || matches!(t, "UTC" | "utc" | "Z" | "GMT" | "Etc/UTC" | "Etc/GMT");
        if !is_offset {
            return Some(Cow::Borrowed(t));
        }
    }
    let defaulted = matches!(
        a.local_datetime_source,
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
