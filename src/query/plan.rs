//! Query plans over the list index. A list is answered by streams of index entries read
//! backwards (newest first): one range per (group, part), merged for `state="all"` and
//! intersected by leapfrog seeks for album + person. A page is one seek per range plus the
//! steps to `limit + 1` matches; nothing is counted or skipped to reach a depth.

use std::ops::Bound;

use redb::ReadOnlyTable;

use crate::catalog::Tally;
use crate::error::{Error, Result};
use crate::model::time::TimeBound;
use crate::query::cursor::Start;
use crate::query::State;
use crate::storage::keys::{self, EntryValue, Group, Part};

type IndexTable = ReadOnlyTable<&'static [u8], &'static [u8]>;

/// The capture-time filter, decided per entry from the key's time and the value's offset.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TimeFilter {
    pub after: Option<TimeBound>,
    pub before: Option<TimeBound>,
}

impl TimeFilter {
    pub(crate) fn matches(&self, local: i64, offset: Option<i32>) -> bool {
        self.after.is_none_or(|b| b.is_before(local, offset))
            && self.before.is_none_or(|b| b.is_after(local, offset))
    }
}

/// One index entry: its position (`time | id`) and value.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub pos: Vec<u8>,
    pub value: EntryValue,
}

/// How many entries a stream steps through before it re-seeks instead.
const STEPS_BEFORE_SEEK: usize = 4;

/// A backwards walk over one (group, part) range.
pub(crate) struct PartStream<'t> {
    table: &'t IndexTable,
    prefix: Vec<u8>,
    /// Inclusive lower key: entries below it cannot match.
    lower: Vec<u8>,
    iter: redb::Range<'static, &'static [u8], &'static [u8]>,
    head: Option<Entry>,
    filter: TimeFilter,
    tally: Tally,
}

fn successor(prefix: &[u8]) -> Vec<u8> {
    // Prefixes end with the part byte (0..=2), so incrementing the last byte cannot overflow.
    let mut s = prefix.to_vec();
    if let Some(last) = s.last_mut() {
        *last += 1;
    }
    s
}

impl<'t> PartStream<'t> {
    fn new(
        table: &'t IndexTable,
        group: Group,
        part: Part,
        filter: TimeFilter,
        start: &Start,
    ) -> Result<Self> {
        let prefix = keys::prefix(group, part);
        let mut lower = prefix.clone();
        let mut upper = successor(&prefix);
        // In parts ordered by local time the bounds narrow the range; entries inside it are
        // still checked exactly (the aware band).
        if part != Part::TrashedByTrashedAt {
            if let Some(b) = filter.after {
                let low = b.lowest_wall_after().saturating_add(1);
                lower.extend_from_slice(&keys::time_bytes(low));
            }
            if let Some(b) = filter.before {
                let mut k = prefix.clone();
                k.extend_from_slice(&keys::time_bytes(b.highest_wall_before()));
                upper = upper.min(k);
            }
        }
        if let Start::After(pos) = start {
            let mut k = prefix.clone();
            k.extend_from_slice(pos);
            upper = upper.min(k);
        }
        let mut tally = Tally::default();
        let iter = open_range(table, &lower, Bound::Excluded(&upper), &mut tally)?;
        let mut s = PartStream {
            table,
            prefix,
            lower,
            iter,
            head: None,
            filter,
            tally,
        };
        s.fill()?;
        Ok(s)
    }

    /// Reads backwards to the next matching entry.
    fn fill(&mut self) -> Result<()> {
        // The position's buffer is reused from entry to entry: an intersection reads many
        // entries per page, and an allocation each was a tenth of its time.
        let mut buf = self.head.take().map(|h| h.pos).unwrap_or_default();
        for row in self.iter.by_ref().rev() {
            let (k, v) = row?;
            self.tally.index_entries += 1;
            let key = k.value();
            let pos = key
                .get(self.prefix.len()..)
                .filter(|p| p.len() > 8)
                .ok_or_else(|| Error::Corrupt("short list-index key".into()))?;
            let value = keys::decode_value(v.value(), keys::position_time(pos))
                .ok_or_else(|| Error::Corrupt("short list-index value".into()))?;
            if self.filter.matches(value.local, value.offset) {
                buf.clear();
                buf.extend_from_slice(pos);
                self.head = Some(Entry { pos: buf, value });
                break;
            }
        }
        Ok(())
    }

    /// Moves to the first entry at or after `target` in list order (position <= target).
    fn seek(&mut self, target: &[u8]) -> Result<()> {
        for _ in 0..STEPS_BEFORE_SEEK {
            match &self.head {
                Some(h) if h.pos.as_slice() > target => self.fill()?,
                _ => return Ok(()),
            }
        }
        if self
            .head
            .as_ref()
            .is_some_and(|h| h.pos.as_slice() > target)
        {
            let mut upper = self.prefix.clone();
            upper.extend_from_slice(target);
            self.iter = open_range(
                self.table,
                &self.lower,
                Bound::Included(&upper),
                &mut self.tally,
            )?;
            self.fill()?;
        }
        Ok(())
    }
}

fn open_range(
    table: &IndexTable,
    lower: &[u8],
    upper: Bound<&Vec<u8>>,
    tally: &mut Tally,
) -> Result<redb::Range<'static, &'static [u8], &'static [u8]>> {
    tally.seeks += 1;
    let upper: Bound<&[u8]> = match upper {
        Bound::Included(u) => Bound::Included(u.as_slice()),
        Bound::Excluded(u) => Bound::Excluded(u.as_slice()),
        Bound::Unbounded => Bound::Unbounded,
    };
    if let Bound::Included(u) | Bound::Excluded(u) = upper {
        if u < lower {
            // An empty range; redb rejects inverted bounds, so ask for one that holds nothing.
            return Ok(table.range::<&[u8]>((Bound::Included(lower), Bound::Excluded(lower)))?);
        }
    }
    Ok(table.range::<&[u8]>((Bound::Included(lower), upper))?)
}

/// A stream of matching entries in list order.
pub(crate) enum Stream<'t> {
    /// One range (boxed: a stream tree is built once per page, and boxing keeps the
    /// combinator variants small).
    Part(Box<PartStream<'t>>),
    /// Two disjoint streams merged (live and trashed, for `state="all"`).
    Merge(Box<Stream<'t>>, Box<Stream<'t>>),
    /// The entries of both streams (album and person).
    Intersect(Box<Stream<'t>>, Box<Stream<'t>>),
    /// The entries of the first stream that are not in the second (a search for a majority
    /// facet value: the library minus the field's other values).
    Except(Box<Stream<'t>>, Box<Stream<'t>>),
}

impl<'t> Stream<'t> {
    pub(crate) fn head(&self) -> Option<&Entry> {
        match self {
            Stream::Part(p) => p.head.as_ref(),
            Stream::Merge(a, b) => match (a.head(), b.head()) {
                (Some(x), Some(y)) => Some(if x.pos >= y.pos { x } else { y }),
                (x, y) => x.or(y),
            },
            Stream::Intersect(a, _) | Stream::Except(a, _) => a.head(),
        }
    }

    pub(crate) fn advance(&mut self) -> Result<()> {
        match self {
            Stream::Part(p) => p.fill(),
            Stream::Merge(a, b) => match (a.head(), b.head()) {
                (Some(x), Some(y)) if x.pos >= y.pos => a.advance(),
                (Some(_), None) => a.advance(),
                (_, Some(_)) => b.advance(),
                (None, None) => Ok(()),
            },
            Stream::Intersect(a, b) => {
                a.advance()?;
                b.advance()?;
                Stream::align(a, b)
            }
            Stream::Except(a, b) => {
                a.advance()?;
                Stream::skip_excluded(a, b)
            }
        }
    }

    fn seek(&mut self, target: &[u8]) -> Result<()> {
        match self {
            Stream::Part(p) => p.seek(target),
            Stream::Merge(a, b) => {
                a.seek(target)?;
                b.seek(target)
            }
            Stream::Intersect(a, b) => {
                a.seek(target)?;
                b.seek(target)?;
                Stream::align(a, b)
            }
            Stream::Except(a, b) => {
                a.seek(target)?;
                Stream::skip_excluded(a, b)
            }
        }
    }

    /// Anti-join: moves `a` past every entry that `b` also holds. `b` only ever seeks to
    /// `a`'s head, so both walk forwards once.
    fn skip_excluded(a: &mut Stream<'t>, b: &mut Stream<'t>) -> Result<()> {
        while let Some(x) = a.head() {
            b.seek(&x.pos)?;
            if b.head().is_some_and(|y| y.pos == x.pos) {
                a.advance()?;
            } else {
                return Ok(());
            }
        }
        Ok(())
    }

    /// Leapfrog: seek the stream that is ahead to the other's position until both heads agree.
    fn align(a: &mut Stream<'t>, b: &mut Stream<'t>) -> Result<()> {
        // The heads are compared and sought in place (a and b are distinct streams), not
        // copied.
        loop {
            match (a.head(), b.head()) {
                (Some(x), Some(y)) => match x.pos.cmp(&y.pos) {
                    std::cmp::Ordering::Equal => return Ok(()),
                    std::cmp::Ordering::Greater => a.seek(&y.pos)?,
                    std::cmp::Ordering::Less => b.seek(&x.pos)?,
                },
                _ => {
                    // One side is exhausted: so is the intersection.
                    a.exhaust();
                    return Ok(());
                }
            }
        }
    }

    fn exhaust(&mut self) {
        match self {
            Stream::Part(p) => p.head = None,
            Stream::Merge(a, b) | Stream::Intersect(a, b) => {
                a.exhaust();
                b.exhaust();
            }
            Stream::Except(a, _) => a.exhaust(),
        }
    }

    pub(crate) fn tally(&self, into: &mut Tally) {
        match self {
            Stream::Part(p) => {
                into.index_entries += p.tally.index_entries;
                into.seeks += p.tally.seeks;
            }
            Stream::Merge(a, b) | Stream::Intersect(a, b) | Stream::Except(a, b) => {
                a.tally(into);
                b.tally(into);
            }
        }
    }
}

fn group_stream<'t>(
    table: &'t IndexTable,
    group: Group,
    state: State,
    filter: TimeFilter,
    start: &Start,
) -> Result<Stream<'t>> {
    let part = |p| {
        Ok::<_, Error>(Stream::Part(Box::new(PartStream::new(
            table, group, p, filter, start,
        )?)))
    };
    Ok(match state {
        State::Live => part(Part::Live)?,
        State::Trashed => part(Part::TrashedByTrashedAt)?,
        State::All => Stream::Merge(
            Box::new(part(Part::Live)?),
            Box::new(part(Part::TrashedByLocal)?),
        ),
    })
}

/// The stream answering a list: the intersection of the given groups' streams (one or two
/// groups: the most selective index leads, the other is leapfrogged).
pub(crate) fn stream<'t>(
    table: &'t IndexTable,
    groups: &[Group],
    state: State,
    filter: TimeFilter,
    start: &Start,
) -> Result<Stream<'t>> {
    let mut streams = groups
        .iter()
        .map(|&g| group_stream(table, g, state, filter, start))
        .collect::<Result<Vec<_>>>()?;
    let mut s = streams
        .pop()
        .ok_or_else(|| Error::invalid("a list needs at least one index group"))?;
    while let Some(next) = streams.pop() {
        let (mut a, mut b) = (Box::new(next), Box::new(s));
        Stream::align(&mut a, &mut b)?;
        s = Stream::Intersect(a, b);
    }
    Ok(s)
}

/// [`stream`] less the entries of any of the `excluded` groups (their streams merged; the
/// groups of one field are disjoint, and an asset in two of them is skipped once).
pub(crate) fn stream_except<'t>(
    table: &'t IndexTable,
    groups: &[Group],
    excluded: &[Group],
    state: State,
    filter: TimeFilter,
    start: &Start,
) -> Result<Stream<'t>> {
    let mut s = stream(table, groups, state, filter, start)?;
    let mut out: Option<Stream<'t>> = None;
    for &g in excluded {
        let next = group_stream(table, g, state, filter, start)?;
        out = Some(match out {
            None => next,
            Some(o) => Stream::Merge(Box::new(o), Box::new(next)),
        });
    }
    if let Some(mut b) = out {
        Stream::skip_excluded(&mut s, &mut b)?;
        s = Stream::Except(Box::new(s), Box::new(b));
    }
    Ok(s)
}
