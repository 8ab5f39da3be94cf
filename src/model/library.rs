//! `Library`: a collection of assets with one owner. Checksums are unique per library.

use chrono::{DateTime, Utc};

/// A library as returned.
#[derive(Debug, Clone, PartialEq)]
pub struct Library {
    /// `library_...` id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The owner (an Immich user id), if any.
    pub owner_id: Option<String>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last update.
    pub updated_at: DateTime<Utc>,
}
