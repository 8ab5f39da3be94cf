//! Deterministic JSON helpers: instants as RFC 3339 UTC with `Z` and a fraction only when
//! non-zero. Floats are written by serde_json (ryu), which is the shortest round-trip form.

use std::cell::RefCell;

use chrono::{DateTime, Utc};
use serde::Serializer;

use crate::model::time::Formatted;
use crate::views::writer::Recent;

thread_local! {
    /// The last two instants formatted on this thread: an asset's times mostly repeat (its
    /// record's, its EXIF's, its file's), as in the JSON writer's own cache.
    static RECENT: RefCell<Recent<DateTime<Utc>, Formatted>> = const { RefCell::new(Recent::new()) };
}

/// Serializes an instant in the canonical form.
pub(crate) fn instant<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    let f = RECENT.with_borrow_mut(|recent| recent.get(*t, Formatted::instant));
    s.serialize_str(f.as_str())
}

/// Serializes an optional instant in the canonical form.
pub(crate) fn opt_instant<S: Serializer>(
    t: &Option<DateTime<Utc>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => instant(t, s),
        None => s.serialize_none(),
    }
}
