//! `time_buckets` (API.md §6 and §11): how many assets per year, month, ISO week or day of
//! their wall-clock `local_datetime`, newest first, from the maintained day counts.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::{Datelike, Days, NaiveDate};
use redb::{ReadTransaction, ReadableTable};

use crate::catalog::{Catalog, Tally};
use crate::error::{Error, Result};
use crate::query::cursor::Start;
use crate::query::{plan, ListAssets, State};
use crate::snapshot::Snapshot;
use crate::storage::keys::{self, Group, Part};
use crate::storage::tables;

/// The size of a time bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum BucketSize {
    /// Calendar years (the bucket starts on 1 January).
    Year,
    /// Calendar months (the default; the bucket starts on the 1st).
    #[default]
    Month,
    /// ISO weeks (the bucket starts on a Monday; a week may straddle two years).
    Week,
    /// Days.
    Day,
}

impl BucketSize {
    /// The first day of the bucket holding `day`.
    pub fn start_of(self, day: NaiveDate) -> NaiveDate {
        match self {
            BucketSize::Year => day.with_ordinal(1).unwrap_or(day),
            BucketSize::Month => day.with_day(1).unwrap_or(day),
            BucketSize::Week => day
                .checked_sub_days(Days::new(u64::from(day.weekday().num_days_from_monday())))
                .unwrap_or(day),
            BucketSize::Day => day,
        }
    }

    /// The lowercase name (`"month"`).
    pub fn as_str(self) -> &'static str {
        match self {
            BucketSize::Year => "year",
            BucketSize::Month => "month",
            BucketSize::Week => "week",
            BucketSize::Day => "day",
        }
    }
}

impl FromStr for BucketSize {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "year" => Ok(BucketSize::Year),
            "month" => Ok(BucketSize::Month),
            "week" => Ok(BucketSize::Week),
            "day" => Ok(BucketSize::Day),
            _ => Err(Error::invalid(format!(
                "size must be \"year\", \"month\", \"week\" or \"day\", got {:?}",
                crate::ids::truncate_for_message(s)
            ))),
        }
    }
}

/// Parameters of [`Catalog::time_buckets`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimeBuckets {
    /// Year, month (default), ISO week or day.
    pub size: BucketSize,
    /// The library (resolved as for [`ListAssets::library_id`]).
    pub library_id: Option<String>,
    /// Only assets in this album.
    pub album_id: Option<String>,
    /// Only assets with a face of this person.
    pub person_id: Option<String>,
    /// Live (default), trashed or all. Trashed assets are bucketed by their `local_datetime`
    /// too.
    pub state: State,
}

/// One bucket: its first day and how many assets it holds (never 0: empty buckets are left
/// out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeBucket {
    /// The first day of the bucket (1 January, the 1st of a month, a Monday, or the day).
    pub start: NaiveDate,
    /// The number of assets in it.
    pub count: u64,
}

/// The date of a day number (days since 1970-01-01).
fn date_of(day: i32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|epoch| {
            if day >= 0 {
                epoch.checked_add_days(Days::new(day as u64))
            } else {
                epoch.checked_sub_days(Days::new(u64::from(day.unsigned_abs())))
            }
        })
        .ok_or_else(|| Error::Corrupt(format!("day {day} is outside the calendar")))
}

/// Adds the day counts of one `group | part` range to `out`, per bucket.
fn add_days(
    days: &impl ReadableTable<&'static [u8], u64>,
    prefix: &[u8],
    size: BucketSize,
    out: &mut BTreeMap<NaiveDate, u64>,
    tally: &mut Tally,
) -> Result<()> {
    let mut upper = prefix.to_vec();
    upper.extend_from_slice(&[0xff; 4]);
    tally.seeks += 1;
    // Days are stored as consecutive keys; a bucket gathers a run of them, so the bucket of the
    // previous day is reused until the day leaves it.
    let mut current: Option<(NaiveDate, NaiveDate)> = None; // (bucket start, next bucket start)
    for row in days.range::<&[u8]>(prefix..=upper.as_slice())? {
        let (k, v) = row?;
        tally.index_entries += 1;
        let k = k.value();
        let b: [u8; 4] = k
            .get(prefix.len()..)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| Error::Corrupt("a malformed day-count key".into()))?;
        let date = date_of(keys::day_from_bytes(b))?;
        let start = match current {
            Some((s, next)) if date >= s && date < next => s,
            _ => {
                let s = size.start_of(date);
                let next = match size {
                    BucketSize::Day => s.succ_opt(),
                    BucketSize::Week => s.checked_add_days(Days::new(7)),
                    BucketSize::Month => s.checked_add_months(chrono::Months::new(1)),
                    BucketSize::Year => s.checked_add_months(chrono::Months::new(12)),
                }
                .unwrap_or(NaiveDate::MAX);
                current = Some((s, next));
                s
            }
        };
        *out.entry(start).or_default() += v.value();
    }
    Ok(())
}

impl Catalog {
    /// Assets per year, month, ISO week or day of `local_datetime`, newest bucket first, each
    /// `(first day, count)`. A library, album or person alone is answered from the day counts
    /// the writes maintain (a few thousand rows for decades of photos), never by reading
    /// assets; an album and a person together walk their intersection.
    ///
    /// ```
    /// # fn main() -> photocat::Result<()> {
    /// use photocat::{AddAssets, BucketSize, Catalog, NewAsset, TimeBuckets};
    /// let cat = Catalog::in_memory()?;
    /// let records = ["2024-05-01T10:00:00", "2024-05-31T23:59:59", "2024-06-01T00:00:00"]
    ///     .map(|t| NewAsset { local_datetime: Some(t.parse().unwrap()), ..Default::default() });
    /// cat.add_assets(records.to_vec(), AddAssets::default())?;
    /// let months = cat.time_buckets(&TimeBuckets { size: BucketSize::Month, ..Default::default() })?;
    /// let got: Vec<(String, u64)> = months.iter().map(|b| (b.start.to_string(), b.count)).collect();
    /// assert_eq!(got, [("2024-06-01".to_string(), 1), ("2024-05-01".to_string(), 2)]);
    /// # Ok(()) }
    /// ```
    pub fn time_buckets(&self, q: &TimeBuckets) -> Result<Vec<TimeBucket>> {
        let list = ListAssets {
            library_id: q.library_id.clone(),
            album_id: q.album_id.clone(),
            person_id: q.person_id.clone(),
            state: q.state,
            ..ListAssets::default()
        };
        list.validate()?;
        let txn = Snapshot::of(self.begin_read()?);
        let mut tally = Tally::default();
        let result = buckets_in(&txn, &list, q.size, &mut tally);
        self.stats.add(&tally);
        result.map_err(|e| e.at(self.path()))
    }
}

fn buckets_in(
    txn: &Snapshot,
    list: &ListAssets,
    size: BucketSize,
    tally: &mut Tally,
) -> Result<Vec<TimeBucket>> {
    let Some(r) = Catalog::resolve(txn, list, Some(Start::Top), tally)? else {
        return Ok(Vec::new());
    };
    let mut out: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    if let [group] = r.groups[..] {
        let days = txn.open_table(tables::DAY_COUNTS)?;
        let parts: &[Part] = match list.state {
            State::Live => &[Part::Live],
            State::Trashed => &[Part::TrashedByLocal],
            State::All => &[Part::Live, Part::TrashedByLocal],
        };
        for &part in parts {
            add_days(&days, &keys::prefix(group, part), size, &mut out, tally)?;
        }
    } else {
        walk_buckets(txn, &r.groups, list.state, size, &mut out, tally)?;
    }
    Ok(out
        .into_iter()
        .rev()
        .map(|(start, count)| TimeBucket { start, count })
        .collect())
}

/// Buckets by walking the intersection of several groups (an album and a person).
pub(crate) fn walk_buckets(
    txn: &ReadTransaction,
    groups: &[Group],
    state: State,
    size: BucketSize,
    out: &mut BTreeMap<NaiveDate, u64>,
    tally: &mut Tally,
) -> Result<()> {
    let index = txn.open_table(tables::LIST_INDEX)?;
    let mut s = plan::stream(&index, groups, state, Default::default(), &Start::Top)?;
    let mut last: Option<(i32, NaiveDate)> = None;
    while let Some(e) = s.head() {
        let day = keys::day_of(e.value.local);
        let start = match last {
            Some((d, s)) if d == day => s,
            _ => {
                let s = size.start_of(date_of(day)?);
                last = Some((day, s));
                s
            }
        };
        *out.entry(start).or_default() += 1;
        s.advance()?;
    }
    s.tally(tally);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_starts() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // 2021-01-03 is a Sunday: its ISO week (2020-W53) starts on Monday 2020-12-28.
        assert_eq!(BucketSize::Week.start_of(d("2021-01-03")), d("2020-12-28"));
        assert_eq!(BucketSize::Week.start_of(d("2021-01-04")), d("2021-01-04"));
        assert_eq!(BucketSize::Month.start_of(d("2024-02-29")), d("2024-02-01"));
        assert_eq!(BucketSize::Year.start_of(d("1969-12-31")), d("1969-01-01"));
        assert_eq!(BucketSize::Day.start_of(d("1969-12-31")), d("1969-12-31"));
        assert_eq!(date_of(-1).unwrap(), d("1969-12-31"));
        assert_eq!(date_of(0).unwrap(), d("1970-01-01"));
        assert!("Month".parse::<BucketSize>().is_err());
    }
}
