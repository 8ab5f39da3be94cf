//! Deterministic JSON helpers: instants as RFC 3339 UTC with `Z` and a fraction only when
//! non-zero. Floats are written by serde_json (ryu), which is the shortest round-trip form.

use chrono::{DateTime, Utc};
use serde::Serializer;

use crate::model::time::Formatted;

/// Serializes an instant in the canonical form.
pub(crate) fn instant<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(Formatted::instant(*t).as_str())
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
