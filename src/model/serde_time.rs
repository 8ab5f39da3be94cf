//! Serde adapters for time fields: strings in human-readable formats (JSON input), compact
//! integers in binary ones (the stored bincode records). One struct serves both.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{de::Error as _, Deserialize, Deserializer, Serialize, Serializer};

use super::time::{format_instant, instant_from_micros, parse_datetime};

/// `Option<DateTime<Utc>>` as an ISO 8601 string (naive input read as UTC) or i64 microseconds.
pub mod opt_instant {
    use super::*;

    /// Serialize.
    pub fn serialize<S: Serializer>(v: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            v.map(format_instant).serialize(s)
        } else {
            v.map(|t| t.timestamp_micros()).serialize(s)
        }
    }

    /// Deserialize.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        if d.is_human_readable() {
            match Option::<std::borrow::Cow<'de, str>>::deserialize(d)? {
                None => Ok(None),
                Some(s) => parse_datetime(&s)
                    .map(|t| Some(t.to_utc()))
                    .map_err(D::Error::custom),
            }
        } else {
            Ok(Option::<i64>::deserialize(d)?.map(instant_from_micros))
        }
    }
}

/// `Option<NaiveDate>` from `YYYY-MM-DD` (or i32 days since 0001-01-01 in binary formats).
pub mod opt_date {
    use super::*;

    /// Deserialize.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        if d.is_human_readable() {
            match Option::<std::borrow::Cow<'de, str>>::deserialize(d)? {
                None => Ok(None),
                Some(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                    .map(Some)
                    .map_err(|_| {
                        D::Error::custom(format!("invalid date {s:?}: expected YYYY-MM-DD"))
                    }),
            }
        } else {
            Option::<i32>::deserialize(d)?
                .map(|n| {
                    NaiveDate::from_num_days_from_ce_opt(n)
                        .ok_or_else(|| D::Error::custom("stored date out of range"))
                })
                .transpose()
        }
    }
}
