//! The cursor rule. `starting_after_id` names the last asset of the previous page; its sort
//! key in the list's order is what counts, whether or not it matches the filters. The next page
//! holds the entries strictly after that position. Internally a position is the index
//! position bytes `time | id` (see [`crate::storage::keys`]), so a cursor is the same in every
//! group and part, and `iter_assets` can carry a position rather than an id (a walk survives
//! the deletion of the asset it stopped at).

use crate::error::{Error, Result};
use crate::query::State;
use crate::storage::keys;

/// Where a page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Start {
    /// At the top of the order.
    Top,
    /// Strictly after this position.
    After(Vec<u8>),
}

/// The position in the order of `state` of the asset `id` with wall-clock `local` and
/// `trashed_at` (microseconds): all a cursor needs of its asset, read from its place
/// ([`crate::storage::places`]) without reading its record.
///
/// With `State::Trashed` the order is by `trashed_at`, which a live asset does not have: a
/// live cursor asset is `InvalidArgument` there.
pub(crate) fn position_of(
    id: &str,
    local: i64,
    trashed_at: Option<i64>,
    state: State,
) -> Result<Vec<u8>> {
    match state {
        State::Live | State::All => Ok(keys::position(local, id)),
        State::Trashed => match trashed_at {
            Some(t) => Ok(keys::position(t, id)),
            None => Err(Error::invalid(format!(
                "starting_after_id {id:?} is not trashed: with state=\"trashed\" the cursor must \
                 be a trashed asset (the order is by trashed_at)"
            ))),
        },
    }
}
