//! `Person`: a named (or unnamed) cluster of faces, with a maintained live-asset count.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use super::serde_time::{opt_date, opt_instant};

/// A person as returned.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    /// `person_...` id.
    pub id: String,
    /// Name, if any.
    pub name: Option<String>,
    /// Birth date, if any.
    pub birth_date: Option<NaiveDate>,
    /// Hidden from the UI.
    pub is_hidden: bool,
    /// Marked as a favourite.
    pub is_favorite: bool,
    /// How many live (not trashed) assets have a face of this person. Maintained on write.
    pub asset_count: u64,
    /// The face used as the person's thumbnail.
    pub thumbnail_face_id: Option<String>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last update.
    pub updated_at: DateTime<Utc>,
    /// Legacy thumbnail URL; only on people given one.
    pub thumbnail_face_url: Option<String>,
}

/// A person to create, or the fields of one to update (None leaves a field as it is).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NewPerson {
    /// An explicit id; generated when None. Ignored by updates.
    pub id: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Birth date.
    #[serde(deserialize_with = "opt_date::deserialize")]
    pub birth_date: Option<NaiveDate>,
    /// Hidden from the UI.
    pub is_hidden: Option<bool>,
    /// Favourite.
    pub is_favorite: Option<bool>,
    /// Thumbnail face id.
    pub thumbnail_face_id: Option<String>,
    /// Creation time; defaults to now.
    #[serde(with = "opt_instant")]
    pub created_at: Option<DateTime<Utc>>,
    /// Last update; defaults to `created_at`.
    #[serde(with = "opt_instant")]
    pub updated_at: Option<DateTime<Utc>>,
    /// Legacy thumbnail URL.
    pub thumbnail_face_url: Option<String>,
    /// Accepted from API responses and ignored: the count is maintained by the catalogue.
    pub asset_count: Option<serde::de::IgnoredAny>,
    /// Accepted from API responses and ignored.
    pub asset_urls: Option<serde::de::IgnoredAny>,
}
