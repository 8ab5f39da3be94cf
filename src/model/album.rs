//! `Album`: a named set of assets within one library.

use chrono::{DateTime, Utc};

/// An album as returned.
#[derive(Debug, Clone, PartialEq)]
pub struct Album {
    /// `album_...` id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// The library the album belongs to; only that library's assets can be added.
    pub library_id: String,
    /// The album's live (not trashed) listed assets: a maintained count, read, never counted.
    pub asset_count: u64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last update.
    pub updated_at: DateTime<Utc>,
}
