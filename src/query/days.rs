//! Totals and deep offsets from the maintained day counts (`day_counts`).
//!
//! * A date-bounded total of one group is the sum of the day counts of the days that lie wholly
//!   inside the bounds' *certain band* (wall-clock values every asset inside matches, whatever
//!   its offset), plus a walk of the index entries of the few edge days around each bound (at
//!   most a day and 36 hours wide: an aware bound can decide an asset either way for wall clocks
//!   within 18 hours of it). Cost: one range read of day counts plus the edge entries.
//! * The `offset`-th entry of one group (a deep search page) is found by summing day counts from
//!   the newest day until the day that holds it, then stepping inside that day.

use redb::ReadOnlyTable;

use crate::catalog::Tally;
use crate::error::{Error, Result};
use crate::model::time::TimeBound;
use crate::query::plan::TimeFilter;
use crate::storage::keys::{self, Group, Part, DAY_MICROS};
use crate::storage::tables;

type IndexTable = ReadOnlyTable<&'static [u8], &'static [u8]>;
type DayTable = ReadOnlyTable<&'static [u8], u64>;

/// Wall-clock values above this match `after` whatever the asset's offset (None: no bound).
fn certain_after(b: Option<TimeBound>) -> Option<i64> {
    b.map(|b| b.highest_wall_before())
}

/// Wall-clock values below this match `before` whatever the asset's offset.
fn certain_before(b: Option<TimeBound>) -> Option<i64> {
    b.map(|b| b.lowest_wall_after())
}

fn day_start(day: i32) -> i64 {
    i64::from(day) * DAY_MICROS
}

/// Counts the entries of `prefix` (a part ordered by local time) with wall clock in
/// `[from, to)` that match `filter`, walking them.
fn walk_count(
    index: &IndexTable,
    prefix: &[u8],
    from: i64,
    to: i64,
    filter: &TimeFilter,
    tally: &mut Tally,
) -> Result<u64> {
    if from >= to {
        return Ok(0);
    }
    let mut lower = prefix.to_vec();
    lower.extend_from_slice(&keys::time_bytes(from));
    let mut upper = prefix.to_vec();
    upper.extend_from_slice(&keys::time_bytes(to));
    tally.seeks += 1;
    let mut n = 0;
    for row in index.range::<&[u8]>(lower.as_slice()..upper.as_slice())? {
        let (k, v) = row?;
        tally.index_entries += 1;
        let pos = &k.value()[prefix.len()..];
        if pos.len() <= 8 {
            return Err(Error::Corrupt("short list-index key".into()));
        }
        let value = keys::decode_value(v.value(), keys::position_time(pos))
            .ok_or_else(|| Error::Corrupt("short list-index value".into()))?;
        if filter.matches(value.local, value.offset) {
            n += 1;
        }
    }
    Ok(n)
}

/// The number of entries of one group and part (live, or trashed by local time) that match
/// `filter`: day counts for the whole days inside the certain band, walks for the rest.
pub(crate) fn count_bounded(
    index: &IndexTable,
    days: &DayTable,
    group: Group,
    part: Part,
    filter: &TimeFilter,
    tally: &mut Tally,
) -> Result<u64> {
    debug_assert!(part != Part::TrashedByTrashedAt);
    let prefix = keys::prefix(group, part);
    // Entries outside [lowest, highest] cannot match; inside (sure_lo, sure_hi) they all do.
    let lowest = filter
        .after
        .map_or(i64::MIN, |b| b.lowest_wall_after().saturating_add(1));
    let highest = filter.before.map_or(i64::MAX, |b| b.highest_wall_before());
    let sure_lo = certain_after(filter.after).unwrap_or(i64::MIN);
    let sure_hi = certain_before(filter.before).unwrap_or(i64::MAX);
    // Whole days strictly inside the certain band: [first_day, end_day).
    let first_day = keys::day_of(sure_lo).saturating_add(1);
    let end_day = keys::day_of(sure_hi);
    let (inner_from, inner_to) = if first_day < end_day {
        (day_start(first_day), day_start(end_day))
    } else {
        (i64::MAX, i64::MAX)
    };
    let mut n = 0;
    if inner_from < inner_to {
        let lower = keys::day_key(&prefix, first_day);
        let upper = keys::day_key(&prefix, end_day);
        tally.seeks += 1;
        for row in days.range::<&[u8]>(lower.as_slice()..upper.as_slice())? {
            let (_, v) = row?;
            tally.index_entries += 1;
            n += v.value();
        }
        n += walk_count(index, &prefix, lowest, inner_from, filter, tally)?;
        n += walk_count(
            index,
            &prefix,
            inner_to,
            highest.saturating_add(1),
            filter,
            tally,
        )?;
    } else {
        n += walk_count(
            index,
            &prefix,
            lowest,
            highest.saturating_add(1),
            filter,
            tally,
        )?;
    }
    Ok(n)
}

/// Where the `offset`-th entry (0-based, newest first) of one group's live part, less the
/// entries of the `minus` groups (each a subset of `group`, disjoint from one another), starts:
/// the position to read after (`None`: the top) and how many entries remain to step past from
/// there. Sums day counts from the newest day (one point read per `minus` group and day);
/// None when the group has at most `offset` such entries.
pub(crate) fn seek_offset(
    days: &DayTable,
    group: Group,
    minus: &[Group],
    offset: u64,
    tally: &mut Tally,
) -> Result<Option<(Option<Vec<u8>>, u64)>> {
    let prefix = keys::prefix(group, Part::Live);
    let minus: Vec<Vec<u8>> = minus.iter().map(|&g| keys::prefix(g, Part::Live)).collect();
    let mut upper = prefix.clone();
    upper.extend_from_slice(&[0xff; 4]);
    tally.seeks += 1;
    let mut newer = 0u64; // entries in days newer than the current one
    for row in days
        .range::<&[u8]>(prefix.as_slice()..=upper.as_slice())?
        .rev()
    {
        let (k, v) = row?;
        tally.index_entries += 1;
        let b: [u8; 4] = k
            .value()
            .get(prefix.len()..)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| Error::Corrupt("a malformed day-count key".into()))?;
        let day = keys::day_from_bytes(b);
        let mut n = v.value();
        for m in &minus {
            tally.index_entries += 1;
            if let Some(x) = days.get(keys::day_key(m, day).as_slice())? {
                n = n.checked_sub(x.value()).ok_or_else(|| {
                    Error::Corrupt("a day count is below the count of a part of it".into())
                })?;
            }
        }
        if newer + n > offset {
            // Every entry of this day and older has a position below the next day's start.
            let start =
                (newer > 0).then(|| keys::time_bytes(day_start(day.saturating_add(1))).to_vec());
            return Ok(Some((start, offset - newer)));
        }
        newer += n;
    }
    Ok(None)
}

/// Opens the day-count table of a snapshot.
pub(crate) fn open(txn: &redb::ReadTransaction) -> Result<DayTable> {
    Ok(txn.open_table(tables::DAY_COUNTS)?)
}
