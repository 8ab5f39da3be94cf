//! `Asset`: the union of Gumnut's `AssetResponse` and Immich's asset state, with `AssetType`
//! and `Visibility`; `NewAsset` (what `add_assets` takes) and `AssetUpdate` (what
//! `update_asset` takes). Both inputs deserialize from the canonical JSON shape, so a record
//! taken from a Gumnut API response imports as is.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use super::exif::Exif;
use super::face::{Face, NewFace};
use super::person::{NewPerson, Person};
use super::serde_time::opt_instant;
use super::time::DateTimeInput;

/// Immich's visibility of an asset. `hidden` and `locked` assets (for example the video half of
/// a live photo) never appear in Gumnut-style lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// In the timeline (the default).
    #[default]
    Timeline,
    /// Archived: out of Immich's timeline, still listed by Gumnut-style calls.
    Archive,
    /// Hidden (e.g. a live photo's video).
    Hidden,
    /// In the locked folder.
    Locked,
}

impl Visibility {
    /// The lowercase name used in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Visibility::Timeline => "timeline",
            Visibility::Archive => "archive",
            Visibility::Hidden => "hidden",
            Visibility::Locked => "locked",
        }
    }

    /// True for visibilities that Gumnut-style lists show (timeline and archive).
    pub fn is_listed(self) -> bool {
        matches!(self, Visibility::Timeline | Visibility::Archive)
    }
}

/// The lowercase names of JSON (`"archive"`); anything else is `InvalidArgument`.
///
/// ```
/// use photocat::Visibility;
/// assert_eq!("archive".parse::<Visibility>().unwrap(), Visibility::Archive);
/// assert!("Archive".parse::<Visibility>().is_err());
/// ```
impl std::str::FromStr for Visibility {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        [
            Visibility::Timeline,
            Visibility::Archive,
            Visibility::Hidden,
            Visibility::Locked,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
        .ok_or_else(|| {
            crate::Error::invalid(format!(
                "visibility must be \"timeline\", \"archive\", \"hidden\" or \"locked\", got {:?}",
                crate::ids::truncate_for_message(s)
            ))
        })
    }
}

/// Where an asset's `local_datetime` came from. Stored in the record (format 2); assets written
/// by format 1 have none. It is not part of the Gumnut JSON (whose shape is fixed); it is on
/// [`Asset`], in Python and in data frames, so that a reader can tell a real capture time from
/// a file's modification time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum TimeSource {
    /// The caller gave `local_datetime` (`add_assets`, `update_asset`).
    Given = 0,
    /// The file's EXIF `DateTimeOriginal` (with its sub-seconds and offset when present).
    Exif = 1,
    /// A movie's QuickTime/MP4 creation time.
    Quicktime = 2,
    /// No capture time (`local_datetime` not given, or an imported file without one): the
    /// file's modification time, the earlier of its two file times (or the only one), in UTC.
    FileMtime = 3,
    /// No capture time: the file's creation time, earlier than its modification time (or the
    /// only one given), in UTC.
    FileCreatedAt = 4,
    /// No capture time and no file time: the time of the write, in UTC.
    WriteTime = 5,
}

impl TimeSource {
    /// Every source, in the order of their stored codes.
    pub const ALL: [TimeSource; 6] = [
        TimeSource::Given,
        TimeSource::Exif,
        TimeSource::Quicktime,
        TimeSource::FileMtime,
        TimeSource::FileCreatedAt,
        TimeSource::WriteTime,
    ];

    /// The snake_case name (`"exif"`, `"file_mtime"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            TimeSource::Given => "given",
            TimeSource::Exif => "exif",
            TimeSource::Quicktime => "quicktime",
            TimeSource::FileMtime => "file_mtime",
            TimeSource::FileCreatedAt => "file_created_at",
            TimeSource::WriteTime => "write_time",
        }
    }

    /// The source of a stored code (None for a code this build does not know).
    pub(crate) fn from_code(code: u8) -> Option<TimeSource> {
        TimeSource::ALL.get(usize::from(code)).copied()
    }

    /// True for a time read from the file's own metadata (EXIF or the movie container).
    pub fn is_capture_time(self) -> bool {
        matches!(self, TimeSource::Exif | TimeSource::Quicktime)
    }
}

impl std::fmt::Display for TimeSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for TimeSource {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        TimeSource::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                crate::Error::invalid(format!(
                    "local_datetime_source must be one of given, exif, quicktime, file_mtime, \
                     file_created_at, write_time; got {:?}",
                    crate::ids::truncate_for_message(s)
                ))
            })
    }
}

/// Immich's asset type, derived from the MIME type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum AssetType {
    /// `image/*`
    Image,
    /// `video/*`
    Video,
    /// `audio/*`
    Audio,
    /// Anything else.
    Other,
}

impl AssetType {
    /// The type of a MIME type (`image/jpeg` is `Image`).
    pub fn from_mime(mime: &str) -> AssetType {
        let top = mime.split('/').next().unwrap_or("").to_ascii_lowercase();
        match top.as_str() {
            "image" => AssetType::Image,
            "video" => AssetType::Video,
            "audio" => AssetType::Audio,
            _ => AssetType::Other,
        }
    }

    /// The uppercase name used in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            AssetType::Image => "IMAGE",
            AssetType::Video => "VIDEO",
            AssetType::Audio => "AUDIO",
            AssetType::Other => "OTHER",
        }
    }
}

/// The names of JSON (`"IMAGE"`), or the same in lowercase (`"image"`); anything else is
/// `InvalidArgument`.
///
/// ```
/// use photocat::AssetType;
/// assert_eq!("VIDEO".parse::<AssetType>().unwrap(), AssetType::Video);
/// assert_eq!("video".parse::<AssetType>().unwrap(), AssetType::Video);
/// assert!("Video".parse::<AssetType>().is_err());
/// ```
impl std::str::FromStr for AssetType {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        [
            AssetType::Image,
            AssetType::Video,
            AssetType::Audio,
            AssetType::Other,
        ]
        .into_iter()
        .find(|t| t.as_str() == s || t.as_str().to_ascii_lowercase() == s)
        .ok_or_else(|| {
            crate::Error::invalid(format!(
                "type must be \"IMAGE\", \"VIDEO\", \"AUDIO\" or \"OTHER\" (or the same in \
                 lowercase), got {:?}",
                crate::ids::truncate_for_message(s)
            ))
        })
    }
}

/// One named variant of an asset (`original`, `thumbnail`, ...): Gumnut's `AssetVariant`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetVariant {
    /// MIME type of the variant.
    pub mimetype: String,
    /// Where to fetch it.
    pub url: String,
    /// Target width in pixels.
    #[serde(default)]
    pub width: Option<i64>,
}

/// The default `device_id` of assets created without one.
pub const DEFAULT_DEVICE_ID: &str = "photocat";
/// The default `mime_type` of assets created without one.
pub const DEFAULT_MIME_TYPE: &str = "application/octet-stream";

/// An asset as returned by every read: complete, with faces and people.
///
/// The Gumnut JSON view is its `Serialize` impl ([`crate::views::gumnut`]); the Immich-only
/// fields below the `trashed_at` line are left out of that view.
#[derive(Debug, Clone, PartialEq)]
pub struct Asset {
    /// `asset_...` id, or the id the record was imported with.
    pub id: String,
    /// The device's own id of the asset (defaults to `id`).
    pub device_asset_id: String,
    /// The device id (defaults to `"photocat"`).
    pub device_id: String,
    /// MIME type (defaults to `application/octet-stream`).
    pub mime_type: String,
    /// File name at import (defaults to `""`).
    pub original_file_name: String,
    /// File creation time (defaults to `captured_at`, or `local_datetime` read as UTC).
    pub file_created_at: DateTime<Utc>,
    /// File modification time (same default as `file_created_at`).
    pub file_modified_at: DateTime<Utc>,
    /// Wall-clock capture time in the device's timezone, to the microsecond.
    pub local_datetime: NaiveDateTime,
    /// The offset of `local_datetime`, when known.
    pub local_offset: Option<FixedOffset>,
    /// Where `local_datetime` came from (None for assets written by format 1). Not in the
    /// Gumnut JSON.
    pub local_datetime_source: Option<TimeSource>,
    /// Base64 SHA-256 of the file (Gumnut's checksum); None when created without one.
    pub checksum: Option<String>,
    /// Base64 SHA-1 of the file (Immich's checksum).
    pub checksum_sha1: Option<String>,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// When the record was last changed.
    pub updated_at: DateTime<Utc>,
    /// EXIF facts.
    pub exif: Option<Exif>,
    /// Place and derived metadata.
    pub metadata: Option<Exif>,
    /// Named numeric metrics.
    pub metrics: Option<BTreeMap<String, Option<f64>>>,
    /// Named variants.
    pub asset_urls: Option<BTreeMap<String, AssetVariant>>,
    /// Generated description.
    pub description: Option<String>,
    /// Every face on the asset.
    pub faces: Vec<Face>,
    /// The distinct people of those faces, in order of first appearance.
    pub people: Vec<Person>,
    /// Displayed width (after EXIF orientation).
    pub width: Option<u32>,
    /// Displayed height (after EXIF orientation).
    pub height: Option<u32>,
    /// File size in bytes.
    pub file_size_bytes: Option<u64>,
    /// When the asset was trashed; None for live assets.
    pub trashed_at: Option<DateTime<Utc>>,
    /// Legacy download URL; only on records given one.
    pub download_url: Option<String>,
    /// Legacy thumbnail URL; only on records given one.
    pub thumbnail_url: Option<String>,
    /// The library holding the asset.
    pub library_id: String,
    /// The owner (Immich user id).
    pub owner_id: Option<String>,
    /// Favourite.
    pub is_favorite: bool,
    /// Immich visibility.
    pub visibility: Visibility,
    /// The file is offline.
    pub is_offline: bool,
    /// The video half of a live photo.
    pub live_photo_video_id: Option<String>,
    /// Duplicate group.
    pub duplicate_id: Option<String>,
    /// Stack.
    pub stack_id: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Base64 thumbhash.
    pub thumbhash: Option<String>,
    /// Duration (Immich's `H:MM:SS.ffffff` string).
    pub duration: Option<String>,
    /// Original path on disk.
    pub original_path: Option<String>,
}

impl Asset {
    /// `local_datetime - local_offset` as a UTC instant, when the offset is known. (Every
    /// stored wall-clock time lies within years 1 to 9999; an `Asset` built in Rust within an
    /// offset of the ends of chrono's range gives that end, as [`DateTimeInput::to_utc`].)
    pub fn captured_at(&self) -> Option<DateTime<Utc>> {
        self.local_offset.map(|o| {
            DateTimeInput {
                naive: self.local_datetime,
                offset: Some(o),
            }
            .to_utc()
        })
    }

    /// Immich's asset type, from the MIME type.
    pub fn asset_type(&self) -> AssetType {
        AssetType::from_mime(&self.mime_type)
    }

    /// True when the asset is in the trash.
    pub fn is_trashed(&self) -> bool {
        self.trashed_at.is_some()
    }

    /// True when `visibility` is `archive`.
    pub fn is_archived(&self) -> bool {
        self.visibility == Visibility::Archive
    }
}

/// A record for [`crate::Catalog::add_assets`]: any subset of the canonical shape.
///
/// Deserializes from the Gumnut JSON of an asset (unknown keys are rejected; `type`,
/// `people[].asset_count` and `asset_id`s inside nested objects are accepted and checked or
/// ignored). Without `local_datetime` the capture time is the earlier of `file_created_at` and
/// `file_modified_at` (whichever are given), else the time of the write, in UTC with offset
/// `+00:00` (or in `metadata.timezone` when given); `local_datetime_source` says which.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NewAsset {
    /// An explicit id (validated); generated when None.
    pub id: Option<String>,
    /// The device's own id of the asset.
    pub device_asset_id: Option<String>,
    /// The device id.
    pub device_id: Option<String>,
    /// MIME type.
    pub mime_type: Option<String>,
    /// File name.
    pub original_file_name: Option<String>,
    /// File creation time.
    #[serde(with = "opt_instant")]
    pub file_created_at: Option<DateTime<Utc>>,
    /// File modification time.
    #[serde(with = "opt_instant")]
    pub file_modified_at: Option<DateTime<Utc>>,
    /// Capture time: wall-clock, with the offset when the value carries one.
    pub local_datetime: Option<DateTimeInput>,
    /// Where `local_datetime` came from; with `local_datetime` it defaults to `given`
    /// (`import_paths` sets `exif` or `quicktime`). Without `local_datetime` it must be None:
    /// the source is then `file_mtime`, `file_created_at` or `write_time` (see [`NewAsset`]).
    pub local_datetime_source: Option<TimeSource>,
    /// Base64 SHA-256 (32 bytes).
    pub checksum: Option<String>,
    /// Base64 SHA-1 (20 bytes).
    pub checksum_sha1: Option<String>,
    /// Creation time; defaults to now.
    #[serde(with = "opt_instant")]
    pub created_at: Option<DateTime<Utc>>,
    /// Update time; defaults to `created_at`.
    #[serde(with = "opt_instant")]
    pub updated_at: Option<DateTime<Utc>>,
    /// EXIF facts.
    pub exif: Option<Exif>,
    /// Metadata; its `timezone` gives the capture offset when `local_datetime` has none.
    pub metadata: Option<Exif>,
    /// Metrics.
    pub metrics: Option<BTreeMap<String, Option<f64>>>,
    /// Variants.
    pub asset_urls: Option<BTreeMap<String, AssetVariant>>,
    /// Description.
    pub description: Option<String>,
    /// Faces on the asset.
    pub faces: Option<Vec<NewFace>>,
    /// People of those faces; ones that do not exist yet are created from these fields.
    pub people: Option<Vec<NewPerson>>,
    /// Displayed width.
    pub width: Option<u32>,
    /// Displayed height.
    pub height: Option<u32>,
    /// File size.
    pub file_size_bytes: Option<u64>,
    /// Creates the asset already trashed at this time.
    #[serde(with = "opt_instant")]
    pub trashed_at: Option<DateTime<Utc>>,
    /// Legacy download URL.
    pub download_url: Option<String>,
    /// Legacy thumbnail URL.
    pub thumbnail_url: Option<String>,
    /// Must be None or the library the call writes to.
    pub library_id: Option<String>,
    /// Owner; defaults to the library's owner.
    pub owner_id: Option<String>,
    /// Favourite.
    pub is_favorite: Option<bool>,
    /// Visibility (default timeline).
    pub visibility: Option<Visibility>,
    /// Offline.
    pub is_offline: Option<bool>,
    /// Live-photo video id.
    pub live_photo_video_id: Option<String>,
    /// Duplicate group.
    pub duplicate_id: Option<String>,
    /// Stack.
    pub stack_id: Option<String>,
    /// Tags.
    pub tags: Option<Vec<String>>,
    /// Thumbhash.
    pub thumbhash: Option<String>,
    /// Duration.
    pub duration: Option<String>,
    /// Original path.
    pub original_path: Option<String>,
    /// Accepted and checked against the type derived from `mime_type`.
    #[serde(rename = "type")]
    pub asset_type: Option<AssetType>,
}

fn double_option<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// The fields [`crate::Catalog::update_asset`] can change. `None` leaves a field as it is; for
/// nullable fields `Some(None)` clears it (in JSON: the key present with `null`).
///
/// Changing `local_datetime` or `metadata` re-derives the offset: the offset on the new value,
/// else `metadata.timezone` resolved at the new wall-clock time, else unknown.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AssetUpdate {
    /// New capture time.
    pub local_datetime: Option<DateTimeInput>,
    /// New description.
    #[serde(deserialize_with = "double_option")]
    pub description: Option<Option<String>>,
    /// New file name.
    pub original_file_name: Option<String>,
    /// New MIME type.
    pub mime_type: Option<String>,
    /// New device asset id.
    pub device_asset_id: Option<String>,
    /// New device id.
    pub device_id: Option<String>,
    /// New file creation time.
    #[serde(with = "opt_instant")]
    pub file_created_at: Option<DateTime<Utc>>,
    /// New file modification time.
    #[serde(with = "opt_instant")]
    pub file_modified_at: Option<DateTime<Utc>>,
    /// New EXIF.
    #[serde(deserialize_with = "double_option")]
    pub exif: Option<Option<Exif>>,
    /// New metadata.
    #[serde(deserialize_with = "double_option")]
    pub metadata: Option<Option<Exif>>,
    /// New metrics.
    #[serde(deserialize_with = "double_option")]
    pub metrics: Option<Option<BTreeMap<String, Option<f64>>>>,
    /// New displayed width.
    #[serde(deserialize_with = "double_option")]
    pub width: Option<Option<u32>>,
    /// New displayed height.
    #[serde(deserialize_with = "double_option")]
    pub height: Option<Option<u32>>,
    /// Favourite.
    pub is_favorite: Option<bool>,
    /// Visibility.
    pub visibility: Option<Visibility>,
    /// Offline.
    pub is_offline: Option<bool>,
    /// Tags.
    pub tags: Option<Vec<String>>,
    /// Live-photo video id.
    #[serde(deserialize_with = "double_option")]
    pub live_photo_video_id: Option<Option<String>>,
    /// Duplicate group.
    #[serde(deserialize_with = "double_option")]
    pub duplicate_id: Option<Option<String>>,
    /// Stack.
    #[serde(deserialize_with = "double_option")]
    pub stack_id: Option<Option<String>>,
}
