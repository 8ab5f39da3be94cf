//! `Face` and `BoundingBox`: a detected face on an asset, optionally assigned to a person.
//! Faces are stored inside their asset's record, so a page reads them with the asset.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::serde_time::opt_instant;

/// A face's box in whole pixels of the displayed image.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoundingBox {
    /// Left edge.
    pub x: i32,
    /// Top edge.
    pub y: i32,
    /// Width (>= 0).
    pub w: i32,
    /// Height (>= 0).
    pub h: i32,
}

/// A face as returned: always complete.
#[derive(Debug, Clone, PartialEq)]
pub struct Face {
    /// `face_...` id.
    pub id: String,
    /// The asset the face is on.
    pub asset_id: String,
    /// The person the face is assigned to.
    pub person_id: Option<String>,
    /// Where the face is.
    pub bounding_box: BoundingBox,
    /// For videos, when the face appears.
    pub timestamp_ms: Option<i64>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last update.
    pub updated_at: DateTime<Utc>,
    /// Legacy face thumbnail URL; only on faces given one.
    pub thumbnail_url: Option<String>,
}

/// A face to add: to [`crate::Catalog::add_faces`] (with `asset_id`), or inside a new asset's
/// `faces` (where `asset_id`, if given, must be that asset's id).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NewFace {
    /// An explicit id; generated when None.
    pub id: Option<String>,
    /// The asset the face is on.
    pub asset_id: Option<String>,
    /// The person to assign, or None.
    pub person_id: Option<String>,
    /// Where the face is.
    pub bounding_box: BoundingBox,
    /// For videos, when the face appears.
    pub timestamp_ms: Option<i64>,
    /// Creation time; defaults to now.
    #[serde(with = "opt_instant")]
    pub created_at: Option<DateTime<Utc>>,
    /// Last update; defaults to `created_at`.
    #[serde(with = "opt_instant")]
    pub updated_at: Option<DateTime<Utc>>,
    /// Legacy face thumbnail URL.
    pub thumbnail_url: Option<String>,
    /// Accepted from API responses and ignored (faces have no variants of their own here).
    pub asset_urls: Option<serde::de::IgnoredAny>,
}
