//! Reads: the public parameter structs with their validation, and the query modules —
//! `plan` (which index range drives a list), `cursor` (the `starting_after_id` rule),
//! [`list`] (Gumnut's list calls), [`counts`] (totals, albums, people and the summary from
//! maintained counts), [`immich`] (Immich-style reads), [`search`] (search with exact totals),
//! `postings` (the posting bitmaps search intersects), [`buckets`] (time buckets) with `days`
//! (the maintained day counts they sum), [`random`] (random samples) and, with the `arrow`
//! feature, `batches` (Arrow record batches of whole catalogues). Stored records become
//! public types in the crate-level `records` module, which writes use too.

#[cfg(feature = "arrow")]
pub mod batches;
pub mod buckets;
pub mod counts;
pub(crate) mod cursor;
pub(crate) mod days;
pub mod immich;
pub(crate) mod immich_json;
pub(crate) mod json;
pub mod list;
pub(crate) mod plan;
pub(crate) mod postings;
pub mod random;
pub mod search;

use std::str::FromStr;

use crate::error::{Error, Result};
use crate::model::{Asset, DateTimeInput};

/// Which assets a list reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum State {
    /// Not trashed (the default). Ordered by `local_datetime` desc, `id` desc.
    #[default]
    Live,
    /// Trashed only. Ordered by `trashed_at` desc, `id` desc.
    Trashed,
    /// Both, ordered like `Live`.
    All,
}

impl FromStr for State {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "live" => Ok(State::Live),
            "trashed" => Ok(State::Trashed),
            "all" => Ok(State::All),
            _ => Err(Error::invalid(format!(
                "state must be \"live\", \"trashed\" or \"all\", got {:?}",
                crate::ids::truncate_for_message(s)
            ))),
        }
    }
}

/// The largest `limit` of a page.
pub const MAX_LIMIT: u32 = 200;
/// The default `limit` of a page.
pub const DEFAULT_LIMIT: u32 = 20;
/// The most ids an `ids` filter may hold.
pub const MAX_IDS: usize = 100;

/// Parameters of [`crate::Catalog::list_assets`] (Gumnut's `list_assets`). Filters combine
/// with AND.
///
/// ```
/// use photocat::ListAssets;
/// let q = ListAssets { limit: 50, ..Default::default() };
/// assert_eq!(q.state, photocat::State::Live);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListAssets {
    /// The library; None means the album's library when `album_id` is given, else the only
    /// library (several libraries make None an `InvalidArgument`).
    pub library_id: Option<String>,
    /// Only assets in this album.
    pub album_id: Option<String>,
    /// Only assets with a face of this person.
    pub person_id: Option<String>,
    /// Only these assets (at most 100; unknown ids match nothing).
    pub ids: Option<Vec<String>>,
    /// Exclusive lower bound on the capture time (see [`crate::model::time::TimeBound`]).
    pub local_datetime_after: Option<DateTimeInput>,
    /// Exclusive upper bound on the capture time.
    pub local_datetime_before: Option<DateTimeInput>,
    /// The id of the last asset of the previous page.
    pub starting_after_id: Option<String>,
    /// Live, trashed or all.
    pub state: State,
    /// Page size, 1 to 200 (default 20).
    pub limit: u32,
}

impl Default for ListAssets {
    fn default() -> Self {
        ListAssets {
            library_id: None,
            album_id: None,
            person_id: None,
            ids: None,
            local_datetime_after: None,
            local_datetime_before: None,
            starting_after_id: None,
            state: State::Live,
            limit: DEFAULT_LIMIT,
        }
    }
}

pub(crate) fn check_limit(name: &str, limit: u32) -> Result<()> {
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(Error::invalid(limit_message(name, limit)));
    }
    Ok(())
}

/// The words of a limit or page size out of range: the one message, also given by the Python
/// binding for integers no `u32` holds (negative ones, or 2**40).
pub(crate) fn limit_message(name: &str, value: impl std::fmt::Display) -> String {
    format!("{name} must be between 1 and {MAX_LIMIT}, got {value}")
}

impl ListAssets {
    /// Checks every parameter without touching storage.
    pub fn validate(&self) -> Result<()> {
        use crate::ids::{validate, IdKind};
        check_limit("limit", self.limit)?;
        if let Some(id) = &self.library_id {
            validate(IdKind::Library, id)?;
        }
        if let Some(id) = &self.album_id {
            validate(IdKind::Album, id)?;
        }
        if let Some(id) = &self.person_id {
            validate(IdKind::Person, id)?;
        }
        if let Some(id) = &self.starting_after_id {
            validate(IdKind::Asset, id)?;
        }
        if let Some(ids) = &self.ids {
            if ids.len() > MAX_IDS {
                return Err(Error::invalid(format!(
                    "ids may hold at most {MAX_IDS} ids, got {}",
                    ids.len()
                )));
            }
            for id in ids {
                validate(IdKind::Asset, id)?;
            }
        }
        for (name, d) in [
            ("local_datetime_after", self.local_datetime_after),
            ("local_datetime_before", self.local_datetime_before),
        ] {
            if let Some(d) = d {
                d.checked(name)?;
            }
        }
        Ok(())
    }
}

/// One page of a list: Gumnut's `{"data": [...], "has_more": ...}`.
#[derive(Debug, Clone, PartialEq)]
pub struct AssetPage {
    /// The assets of the page, complete.
    pub data: Vec<Asset>,
    /// True exactly when at least one more asset follows the last one.
    pub has_more: bool,
}

impl AssetPage {
    /// The page as Gumnut JSON bytes.
    pub fn to_json(&self) -> String {
        crate::views::gumnut::PageView {
            data: self.data.iter().collect(),
            has_more: self.has_more,
        }
        .to_json()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_messages() {
        let q = ListAssets {
            limit: 0,
            ..Default::default()
        };
        assert_eq!(
            q.validate().unwrap_err().to_string(),
            "limit must be between 1 and 200, got 0"
        );
        let q = ListAssets {
            ids: Some(vec!["a".into(); 101]),
            ..Default::default()
        };
        assert!(q
            .validate()
            .unwrap_err()
            .to_string()
            .contains("at most 100"));
        assert!("LIVE".parse::<State>().is_err());
    }
}
