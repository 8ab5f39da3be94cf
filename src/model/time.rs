//! Time rules: parsing of user datetimes, the naive `local_datetime` with its optional offset,
//! resolution of `metadata.timezone` (fixed offsets, `UTC`, IANA names), `captured_at`, the
//! JSON forms, and the comparison rule for aware and naive bounds.
//!
//! * Wall-clock times are stored naive, to the microsecond (finer digits are truncated).
//! * Offsets are whole seconds east of UTC within ±18:00 (the ISO 8601 / `java.time` limit).
//! * An IANA name is resolved at the wall-clock time: in a DST overlap the earlier instant
//!   (the offset in force before the transition) is taken, and a wall-clock time that falls
//!   in a DST gap takes the offset in force just before the gap. Both match Python's
//!   `zoneinfo` with `fold=0`.
//! * Years are limited to 0001..=9999 so every value has an RFC 3339 form.

use std::fmt;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, TimeZone,
    Timelike, Utc,
};

use crate::error::{Error, Result};

/// The widest offset accepted, in seconds (18 hours).
pub const MAX_OFFSET_SECS: i32 = 18 * 3600;

/// A datetime as a caller gave it: a wall-clock value and, when the input carried one, its
/// offset. Parsed from ISO 8601 / RFC 3339 strings (`2023-11-07T07:31:56`,
/// `2023-11-07 07:31:56.25+02:00`, `...Z`, `+0200`, `+02`, or a bare date) or built from chrono
/// values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTimeInput {
    /// The wall-clock value.
    pub naive: NaiveDateTime,
    /// The offset written on the value, if any.
    pub offset: Option<FixedOffset>,
}

impl DateTimeInput {
    /// The value as a UTC instant; a naive value is read as UTC. A value within a day of the
    /// ends of chrono's range (only a `DateTimeInput` built in Rust can hold one) whose offset
    /// would carry it past the end gives that end, instead of overflowing.
    pub fn to_utc(&self) -> DateTime<Utc> {
        let secs = self.offset.map_or(0, |o| o.local_minus_utc());
        match self
            .naive
            .checked_sub_signed(Duration::seconds(i64::from(secs)))
        {
            Some(t) => t.and_utc(),
            None if secs < 0 => DateTime::<Utc>::MAX_UTC,
            None => DateTime::<Utc>::MIN_UTC,
        }
    }

    /// Validates the range and truncates to microseconds.
    pub(crate) fn checked(self, field: &str) -> Result<Self> {
        Ok(DateTimeInput {
            naive: check_naive(self.naive, field)?,
            offset: match self.offset {
                Some(o) => Some(check_offset(o.local_minus_utc(), field)?),
                None => None,
            },
        })
    }
}

impl FromStr for DateTimeInput {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        parse_datetime(s)
    }
}

impl From<NaiveDateTime> for DateTimeInput {
    fn from(naive: NaiveDateTime) -> Self {
        DateTimeInput {
            naive,
            offset: None,
        }
    }
}

impl<Tz: TimeZone> From<DateTime<Tz>> for DateTimeInput {
    fn from(dt: DateTime<Tz>) -> Self {
        let fixed = dt.fixed_offset();
        DateTimeInput {
            naive: fixed.naive_local(),
            offset: Some(*fixed.offset()),
        }
    }
}

impl fmt::Display for DateTimeInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_local(
            self.naive,
            self.offset.map(|o| o.local_minus_utc()),
        ))
    }
}

impl<'de> serde::Deserialize<'de> for DateTimeInput {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        parse_datetime(&s).map_err(serde::de::Error::custom)
    }
}

impl serde::Serialize for DateTimeInput {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

fn bad_datetime(s: &str) -> Error {
    Error::invalid(format!(
        "invalid datetime {:?}: expected ISO 8601 such as 2023-11-07T07:31:56, \
         2023-11-07T07:31:56.5Z or 2023-11-07T07:31:56+02:00",
        crate::ids::truncate_for_message(s)
    ))
}

/// Parses the ISO 8601 / RFC 3339 forms users send.
pub fn parse_datetime(input: &str) -> Result<DateTimeInput> {
    let s = input.trim();
    if !s.is_ascii() || s.len() < 10 {
        return Err(bad_datetime(input));
    }
    let (body, offset) = split_offset(s).ok_or_else(|| bad_datetime(input))?;
    let naive = parse_naive(body).ok_or_else(|| bad_datetime(input))?;
    let offset = match offset {
        Some(secs) => Some(check_offset(secs, "datetime")?),
        None => None,
    };
    Ok(DateTimeInput {
        naive: check_naive(naive, "datetime")?,
        offset,
    })
}

/// Splits `s` into its datetime body and an offset in seconds (None when naive).
/// Returns None when the offset part is malformed.
fn split_offset(s: &str) -> Option<(&str, Option<i32>)> {
    if let Some(body) = s.strip_suffix(['Z', 'z']) {
        return Some((body, Some(0)));
    }
    // An offset sign can only appear after the time part starts (index 10 is the separator).
    let tail_start = 11.min(s.len());
    match s[tail_start..].rfind(['+', '-']) {
        Some(i) => {
            let i = tail_start + i;
            Some((&s[..i], Some(parse_offset_str(&s[i..])?)))
        }
        None => Some((s, None)),
    }
}

fn parse_naive(body: &str) -> Option<NaiveDateTime> {
    canonical_naive(body).or_else(|| parse_naive_formats(body))
}

/// The common form `YYYY-MM-DDTHH:MM:SS[.f]` (or with a space for `T`), read at fixed places
/// without chrono's format parser (which parses its format string again on every call). Any
/// other text, and any value this path would not build itself (second 60, a day the month
/// does not have), is None and goes to [`parse_naive_formats`]: so whatever this returns is
/// what the formats read too (a property test compares them).
fn canonical_naive(body: &str) -> Option<NaiveDateTime> {
    let b = body.as_bytes();
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b'T' || b[10] == b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |at: usize, len: usize| -> Option<u32> {
        b[at..at + len].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(num(0, 4)?).ok()?;
    let (month, day) = (num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    // `%.f`: a dot and at least one digit; the first nine are the nanoseconds, more are read
    // and dropped.
    let nanos = match &b[19..] {
        [] => 0,
        [b'.', digits @ ..] if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) => {
            let mut n = 0u32;
            for (i, d) in digits.iter().take(9).enumerate() {
                n += u32::from(d - b'0') * 10u32.pow(8 - i as u32);
            }
            n
        }
        _ => return None,
    };
    if second > 59 {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, day)?.and_hms_nano_opt(hour, minute, second, nanos)
}

/// The forms users send, through chrono's parser.
fn parse_naive_formats(body: &str) -> Option<NaiveDateTime> {
    const FORMATS: [&str; 4] = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ];
    for f in FORMATS {
        if let Ok(dt) = NaiveDateTime::parse_from_str(body, f) {
            return Some(dt);
        }
    }
    NaiveDate::parse_from_str(body, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
}

/// Parses `+HH:MM`, `+HHMM`, `+HH` (or with `-`) into seconds east of UTC.
fn parse_offset_str(s: &str) -> Option<i32> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (h, m) = match (digits.len(), rest.len()) {
        (2, 2) => (digits.parse::<i32>().ok()?, 0),
        (4, 4) | (4, 5) => (digits[..2].parse().ok()?, digits[2..].parse().ok()?),
        _ => return None,
    };
    if rest.len() == 5 && rest.as_bytes()[2] != b':' {
        return None;
    }
    if m >= 60 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60))
}

/// Checks an offset against ±18:00.
pub(crate) fn check_offset(secs: i32, field: &str) -> Result<FixedOffset> {
    if secs.abs() > MAX_OFFSET_SECS {
        return Err(Error::invalid(format!(
            "{field} offset {} is out of range: offsets must lie within -18:00..+18:00",
            format_offset(secs)
        )));
    }
    FixedOffset::east_opt(secs).ok_or_else(|| Error::invalid(format!("{field}: bad offset")))
}

/// Checks the year range and truncates to microseconds.
pub(crate) fn check_naive(naive: NaiveDateTime, field: &str) -> Result<NaiveDateTime> {
    if !(1..=9999).contains(&naive.year()) {
        return Err(Error::invalid(format!(
            "{field} {naive} is out of range: years must lie within 0001..=9999"
        )));
    }
    // chrono reads `23:59:60` as a leap second (a nanosecond field of 10^9 or more), which
    // microseconds since the epoch cannot hold: it was stored as the next second (the next
    // day at midnight, year 10000 after 9999-12-31) and written back as `23:59:59` (found by
    // fuzzing). Python's datetime has no leap seconds either.
    if naive.nanosecond() >= 1_000_000_000 {
        return Err(Error::invalid(format!(
            "{field} {naive}: leap seconds (second 60) are not supported"
        )));
    }
    let micros = naive.nanosecond() / 1000 * 1000;
    Ok(naive.with_nanosecond(micros).unwrap_or(naive))
}

/// Resolves a `metadata.timezone` value at the wall-clock time `at`: `UTC`/`Z`/`GMT`, a fixed
/// offset (`+02:00`), or an IANA name (`Europe/Paris`). Unknown names are `InvalidArgument`.
pub fn resolve_timezone(tz: &str, at: NaiveDateTime) -> Result<i32> {
    let t = tz.trim();
    if matches!(t, "UTC" | "utc" | "Z" | "GMT" | "Etc/UTC" | "Etc/GMT") {
        return Ok(0);
    }
    if t.starts_with(['+', '-']) {
        let secs = parse_offset_str(t).ok_or_else(|| {
            Error::invalid(format!(
                "invalid timezone offset {t:?}: expected +HH:MM, +HHMM or +HH"
            ))
        })?;
        return check_offset(secs, "metadata.timezone").map(|o| o.local_minus_utc());
    }
    let zone = chrono_tz::Tz::from_str(t).map_err(|_| {
        Error::invalid(format!(
            "unknown timezone {:?}: expected an IANA name such as Europe/Paris, UTC, or an offset such as +02:00",
            crate::ids::truncate_for_message(t)
        ))
    })?;
    let offset = |dt: &DateTime<chrono_tz::Tz>| dt.fixed_offset().offset().local_minus_utc();
    let secs = match zone.from_local_datetime(&at) {
        LocalResult::Single(dt) => offset(&dt),
        LocalResult::Ambiguous(earlier, _) => offset(&earlier),
        LocalResult::None => {
            // In a gap: the offset in force just before it. Gaps are at most a day long.
            let mut probe = at;
            let mut found = None;
            for _ in 0..48 {
                // At the start of chrono's range there is no earlier hour (found by fuzzing:
                // `NaiveDateTime::MIN` falls in no zone's day, and stepping back overflowed).
                let Some(earlier) = probe.checked_sub_signed(Duration::hours(1)) else {
                    break;
                };
                probe = earlier;
                if let Some(dt) = zone.from_local_datetime(&probe).latest() {
                    found = Some(offset(&dt));
                    break;
                }
            }
            found.ok_or_else(|| Error::invalid(format!("cannot resolve {t} at {at}")))?
        }
    };
    check_offset(secs, "metadata.timezone").map(|o| o.local_minus_utc())
}

/// Microseconds since 1970-01-01T00:00:00 of a wall-clock value (read as if UTC).
pub fn naive_micros(naive: NaiveDateTime) -> i64 {
    naive.and_utc().timestamp_micros()
}

/// The wall-clock value of [`naive_micros`].
pub fn naive_from_micros(micros: i64) -> NaiveDateTime {
    DateTime::from_timestamp_micros(micros)
        .unwrap_or_default()
        .naive_utc()
}

/// The UTC instant of microseconds since the epoch.
pub fn instant_from_micros(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

/// `+HH:MM` for an offset in seconds (seconds, if any, are appended as `:SS`).
pub fn format_offset(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    let (h, m, s) = (a / 3600, a / 60 % 60, a % 60);
    if s == 0 {
        format!("{sign}{h:02}:{m:02}")
    } else {
        format!("{sign}{h:02}:{m:02}:{s:02}")
    }
}

/// "00" to "99": the two digits of each number below 100, for [`Formatted`].
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// The two digits of `v % 100`, from [`PAIRS`] (no division per digit).
fn pair(v: u32) -> [u8; 2] {
    let i = (v % 100) as usize * 2;
    [PAIRS[i], PAIRS[i + 1]]
}

/// How many of the six digits of `micros` (1..=999_999) are trailing zeros.
fn trailing_decimal_zeros(micros: u32) -> usize {
    let mut n = 0;
    let mut v = micros;
    while n < 5 && v.is_multiple_of(10) {
        v /= 10;
        n += 1;
    }
    n
}

/// A datetime formatted into a stack buffer: no allocation on the JSON hot path.
#[derive(Clone, Copy)]
pub struct Formatted {
    buf: [u8; 40],
    len: usize,
}

impl Formatted {
    /// The text.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits and punctuation are ever written.
        std::str::from_utf8(self.as_bytes()).unwrap_or("")
    }

    /// The text's bytes (ASCII), for writers that copy bytes: no UTF-8 check.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    fn push(&mut self, b: u8) {
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = b;
            self.len += 1;
        }
    }

    /// Appends `bytes` (at most a few; a `Formatted` never nears its 40 bytes).
    fn extend(&mut self, bytes: &[u8]) {
        if let Some(dst) = self.buf.get_mut(self.len..self.len + bytes.len()) {
            dst.copy_from_slice(bytes);
            self.len += bytes.len();
        }
    }

    fn digits(&mut self, v: u32, width: u32) {
        // Writes `width` digits of `v` from the right (the rare 5- and 6-digit years).
        let start = self.len;
        let end = (start + width as usize).min(self.buf.len());
        let mut v = v;
        for i in (start..end).rev() {
            self.buf[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
        self.len = end;
    }

    /// The two digits of `v % 100`.
    fn two(&mut self, v: u32) {
        self.extend(&pair(v));
    }

    /// `YYYY-MM-DDTHH:MM:SS[.ffffff]` with trailing zeros of the fraction dropped.
    fn naive(naive: NaiveDateTime) -> Self {
        let mut f = Formatted {
            buf: [0; 40],
            len: 0,
        };
        let year = naive.year();
        if year > 9999 {
            f.digits(year as u32, 5);
        } else {
            let y = year.max(0) as u32;
            f.two(y / 100);
            f.two(y);
        }
        f.month_to_second(naive);
        let micros = naive.nanosecond() / 1000 % 1_000_000;
        if micros != 0 {
            // Six digits, then the trailing zeros dropped (at least one digit is not zero).
            f.push(b'.');
            f.two(micros / 10_000);
            f.two(micros / 100);
            f.two(micros);
            f.len -= trailing_decimal_zeros(micros);
        }
        f
    }

    /// `-MM-DDTHH:MM:SS`: the part after the year, shared by every datetime form.
    fn month_to_second(&mut self, naive: NaiveDateTime) {
        let (date, time) = (naive.date(), naive.time());
        // One copy of the 15 bytes, not ten small appends.
        let [m0, m1] = pair(date.month());
        let [d0, d1] = pair(date.day());
        let [h0, h1] = pair(time.hour());
        let [n0, n1] = pair(time.minute());
        let [s0, s1] = pair(time.second());
        self.extend(&[
            b'-', m0, m1, b'-', d0, d1, b'T', h0, h1, b':', n0, n1, b':', s0, s1,
        ]);
    }

    fn offset(&mut self, secs: i32) {
        self.push(if secs < 0 { b'-' } else { b'+' });
        let a = secs.unsigned_abs();
        self.two(a / 3600);
        self.push(b':');
        self.two(a / 60 % 60);
        if !a.is_multiple_of(60) {
            self.push(b':');
            self.two(a % 60);
        }
    }

    /// The JSON form of a wall-clock value with its offset when known.
    pub fn local(naive: NaiveDateTime, offset_secs: Option<i32>) -> Self {
        let mut f = Formatted::naive(naive);
        if let Some(secs) = offset_secs {
            f.offset(secs);
        }
        f
    }

    /// The JSON form of an instant (UTC, `Z`).
    pub fn instant(t: DateTime<Utc>) -> Self {
        let mut f = Formatted::naive(t.naive_utc());
        f.push(b'Z');
        f
    }

    /// A date and time as JavaScript's `Date.prototype.toISOString` writes it, which is how
    /// Immich's server writes every datetime: `YYYY-MM-DDTHH:MM:SS.sssZ`, always three
    /// fractional digits (finer digits are dropped, as a JavaScript `Date` holds whole
    /// milliseconds) and always `Z`. Years outside 0000..=9999 take a sign and six digits
    /// (`+010000-01-01T00:00:00.000Z`), as in JavaScript.
    pub fn js_iso(naive: NaiveDateTime) -> Self {
        let mut f = Formatted {
            buf: [0; 40],
            len: 0,
        };
        let year = naive.year();
        if (0..=9999).contains(&year) {
            f.two(year as u32 / 100);
            f.two(year as u32);
        } else {
            f.push(if year < 0 { b'-' } else { b'+' });
            f.digits(year.unsigned_abs(), 6);
        }
        f.month_to_second(naive);
        f.push(b'.');
        // A leap second (nanosecond >= 10^9) keeps its milliseconds below 1000.
        let millis = naive.nanosecond() / 1_000_000 % 1000;
        f.push(b'0' + (millis / 100) as u8);
        f.two(millis);
        f.push(b'Z');
        f
    }
}

/// The JSON form of a wall-clock value: naive, or followed by its offset when known;
/// fractional seconds (up to 6 digits, trailing zeros dropped) only when non-zero.
pub fn format_local(naive: NaiveDateTime, offset_secs: Option<i32>) -> String {
    Formatted::local(naive, offset_secs).as_str().to_owned()
}

/// The JSON form of an instant: RFC 3339 in UTC with `Z`, fraction only when non-zero.
pub fn format_instant(t: DateTime<Utc>) -> String {
    Formatted::instant(t).as_str().to_owned()
}

/// A `local_datetime_after` / `local_datetime_before` bound, decided per asset.
///
/// A naive bound compares with `local_datetime`. An aware bound compares in UTC with
/// `captured_at` for assets whose offset is known, and the bound's own wall-clock value with
/// `local_datetime` for assets without an offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeBound {
    /// The bound's wall-clock value, in microseconds (see [`naive_micros`]).
    wall: i64,
    /// For an aware bound: the bound as a UTC instant, in microseconds.
    utc: Option<i64>,
}

impl TimeBound {
    /// A bound from user input.
    pub fn new(input: DateTimeInput) -> Self {
        let wall = naive_micros(input.naive);
        let utc = input
            .offset
            .map(|o| wall - i64::from(o.local_minus_utc()) * 1_000_000);
        TimeBound { wall, utc }
    }

    /// The value an asset is compared with under this bound: its `captured_at` when both the
    /// bound and the asset are aware, otherwise its wall-clock value. The returned pair is
    /// (asset side, bound side).
    fn sides(&self, local_micros: i64, offset_secs: Option<i32>) -> (i64, i64) {
        match (self.utc, offset_secs) {
            // Saturating, as `storage::codec::captured`: a damaged index value must not panic.
            (Some(utc), Some(off)) => {
                (local_micros.saturating_sub(i64::from(off) * 1_000_000), utc)
            }
            _ => (local_micros, self.wall),
        }
    }

    /// True when the asset is strictly after this bound.
    pub fn is_before(&self, local_micros: i64, offset_secs: Option<i32>) -> bool {
        let (a, b) = self.sides(local_micros, offset_secs);
        a > b
    }

    /// True when the asset is strictly before this bound.
    pub fn is_after(&self, local_micros: i64, offset_secs: Option<i32>) -> bool {
        let (a, b) = self.sides(local_micros, offset_secs);
        a < b
    }

    /// The smallest wall-clock value (µs) an asset can have and still lie strictly after
    /// this bound, whatever its offset: wall-clock values at or below it are decided "not after"
    /// by the index alone.
    pub fn lowest_wall_after(&self) -> i64 {
        match self.utc {
            None => self.wall,
            Some(utc) => self.wall.min(utc - i64::from(MAX_OFFSET_SECS) * 1_000_000),
        }
    }

    /// The largest wall-clock value (µs) an asset can have and still lie strictly before
    /// this bound, whatever its offset.
    pub fn highest_wall_before(&self) -> i64 {
        match self.utc {
            None => self.wall,
            Some(utc) => self.wall.max(utc + i64::from(MAX_OFFSET_SECS) * 1_000_000),
        }
    }
}

/// Immich's duration text, the form `Asset::duration` is stored in: `H:MM:SS.ffffff`
/// (hours unpadded, six fraction digits). Negative durations are `InvalidArgument`.
pub fn format_duration(d: chrono::TimeDelta) -> Result<String> {
    let micros = d
        .num_microseconds()
        .filter(|m| *m >= 0)
        .ok_or_else(|| Error::invalid(format!("a duration must be zero or positive, got {d}")))?;
    let (s, us) = (micros / 1_000_000, micros % 1_000_000);
    Ok(format!(
        "{}:{:02}:{:02}.{us:06}",
        s / 3600,
        s / 60 % 60,
        s % 60
    ))
}

/// Parses Immich's duration text: `H:MM:SS` with an optional fraction of any length (Immich
/// writes six digits, some clients fewer); digits finer than microseconds are truncated. None
/// when the text is not of that form. Every stored duration parses (writes check it).
pub fn parse_duration(text: &str) -> Option<chrono::TimeDelta> {
    let mut parts = text.split(':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (s, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |t: &str, max: usize| {
        (!t.is_empty() && t.len() <= max && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse::<i64>().ok())
            .flatten()
    };
    let (h, m, s) = (digits(h, 9)?, digits(m, 2)?, digits(s, 2)?);
    if m >= 60 || s >= 60 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut us = 0i64;
    for i in 0..6 {
        us = us * 10 + frac.as_bytes().get(i).map_or(0, |b| i64::from(b - b'0'));
    }
    chrono::TimeDelta::try_seconds(h * 3600 + m * 60 + s)?
        .checked_add(&chrono::TimeDelta::microseconds(us))
}

/// Checks a duration text given to a write.
pub(crate) fn check_duration(text: &str) -> Result<()> {
    match parse_duration(text) {
        Some(_) => Ok(()),
        None => Err(Error::invalid(format!(
            "duration must be Immich's H:MM:SS[.ffffff] (minutes and seconds below 60), got {:?}",
            crate::ids::truncate_for_message(text)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(s: &str) -> NaiveDateTime {
        parse_datetime(s).unwrap().naive
    }

    #[test]
    fn parses_the_forms_users_send() {
        let d = parse_datetime("2023-11-07T07:31:56+02:00").unwrap();
        assert_eq!(d.naive, naive("2023-11-07T07:31:56"));
        assert_eq!(d.offset.unwrap().local_minus_utc(), 7200);
        assert_eq!(
            parse_datetime("2023-11-07 07:31:56.5Z").unwrap().offset,
            FixedOffset::east_opt(0)
        );
        assert_eq!(
            parse_datetime("2023-11-07T07:31:56-0530")
                .unwrap()
                .offset
                .unwrap()
                .local_minus_utc(),
            -(5 * 3600 + 1800)
        );
        assert_eq!(
            parse_datetime("2023-11-07T07:31:56+02").unwrap().offset,
            FixedOffset::east_opt(7200)
        );
        assert_eq!(
            parse_datetime("2023-11-07").unwrap().naive,
            naive("2023-11-07T00:00:00")
        );
        assert_eq!(parse_datetime("2023-11-07T07:31").unwrap().offset, None);
    }

    #[test]
    fn leap_seconds_are_refused() {
        // Found by fuzzing (tests/data/fuzz/datetime/crash-leap-second-at-year-end).
        for s in ["9999-12-31T23:59:60.999999-18:00", "2016-12-31T23:59:60Z"] {
            let err = parse_datetime(s).unwrap_err().to_string();
            assert!(err.contains("leap seconds"), "{err}");
        }
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_milli_opt(23, 59, 59, 1500)
            .unwrap();
        assert!(DateTimeInput::from(leap).checked("local_datetime").is_err());
    }

    #[test]
    fn timezones_at_the_ends_of_chronos_range_are_errors_or_offsets() {
        // Found by fuzzing: a zone at `NaiveDateTime::MIN` has no local time, and the search
        // for the offset before the "gap" stepped out of range (a panic).
        for t in [NaiveDateTime::MIN, NaiveDateTime::MAX] {
            for tz in ["Europe/Paris", "America/New_York", "Australia/Lord_Howe"] {
                if let Ok(secs) = resolve_timezone(tz, t) {
                    assert!(secs.abs() <= MAX_OFFSET_SECS);
                }
            }
        }
    }

    #[test]
    fn rejects_garbage_with_a_clear_message() {
        for bad in [
            "",
            "yesterday",
            "2023-13-01T00:00:00",
            "2023-11-07T07:31:56+25:00",
            "2023-11-07T07:31:56+2:00",
            "2023-11-07T07:31:56+02:60",
            "10000-01-01T00:00:00",
            "0000-01-01T00:00:00",
            "2023-11-07T07:31:56ü",
        ] {
            let e = parse_datetime(bad).unwrap_err().to_string();
            assert!(
                e.contains("expected ISO 8601") || e.contains("out of range"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn truncates_to_microseconds() {
        let d = parse_datetime("2023-11-07T07:31:56.123456789").unwrap();
        assert_eq!(d.naive.nanosecond(), 123_456_000);
    }

    #[test]
    fn formats() {
        let n = naive("2023-11-07T07:31:56");
        assert_eq!(format_local(n, None), "2023-11-07T07:31:56");
        assert_eq!(format_local(n, Some(7200)), "2023-11-07T07:31:56+02:00");
        assert_eq!(format_local(n, Some(-34200)), "2023-11-07T07:31:56-09:30");
        let f = naive("2023-11-07T07:31:56.250");
        assert_eq!(format_local(f, Some(0)), "2023-11-07T07:31:56.25+00:00");
        assert_eq!(format_instant(f.and_utc()), "2023-11-07T07:31:56.25Z");
        assert_eq!(format_instant(n.and_utc()), "2023-11-07T07:31:56Z");
        // captured_at of 9999-12-31T23:00-05:00 lies in year 10000.
        let late = naive("9999-12-31T23:00:00.000001") + Duration::hours(5);
        assert_eq!(
            format_instant(late.and_utc()),
            "10000-01-01T04:00:00.000001Z"
        );
        assert_eq!(
            format_local(naive("0001-01-01T00:00:00"), Some(-3723)),
            "0001-01-01T00:00:00-01:02:03"
        );
    }

    #[test]
    fn js_iso_is_javascripts_to_iso_string() {
        let js = |s: &str| Formatted::js_iso(naive(s)).as_str().to_owned();
        assert_eq!(js("2023-11-07T07:31:56"), "2023-11-07T07:31:56.000Z");
        assert_eq!(js("2023-11-07T07:31:56.25"), "2023-11-07T07:31:56.250Z");
        // Sub-millisecond digits are dropped, not rounded (a JavaScript Date holds whole ms).
        assert_eq!(js("2023-11-07T07:31:56.999999"), "2023-11-07T07:31:56.999Z");
        assert_eq!(js("0001-01-01T00:00:00.001"), "0001-01-01T00:00:00.001Z");
        assert_eq!(js("9999-12-31T23:59:59.999"), "9999-12-31T23:59:59.999Z");
        let late = naive("9999-12-31T23:00:00") + Duration::hours(5);
        assert_eq!(js_of(late), "+010000-01-01T04:00:00.000Z");
        let early = naive("0001-01-01T00:00:00") - Duration::days(367);
        assert_eq!(js_of(early), "-000001-12-31T00:00:00.000Z");
        let zero = naive("0001-01-01T00:00:00") - Duration::hours(1);
        assert_eq!(js_of(zero), "0000-12-31T23:00:00.000Z");
    }

    fn js_of(n: NaiveDateTime) -> String {
        Formatted::js_iso(n).as_str().to_owned()
    }

    /// What the formatter must write, spelled out with `format!`: the oracle of the property
    /// test below.
    fn oracle(n: NaiveDateTime, offset: Option<i32>, js: bool) -> String {
        let year = n.year();
        let year = if js && !(0..=9999).contains(&year) {
            format!(
                "{}{:06}",
                if year < 0 { '-' } else { '+' },
                year.unsigned_abs()
            )
        } else if !js && year > 9999 {
            format!("{:05}", year % 100_000)
        } else {
            format!("{:04}", year.max(0))
        };
        let mut s = format!(
            "{year}-{:02}-{:02}T{:02}:{:02}:{:02}",
            n.month(),
            n.day(),
            n.hour(),
            n.minute(),
            n.second()
        );
        if js {
            s += &format!(".{:03}Z", n.nanosecond() / 1_000_000 % 1000);
            return s;
        }
        let micros = n.nanosecond() / 1000 % 1_000_000;
        if micros != 0 {
            s += format!(".{micros:06}").trim_end_matches('0');
        }
        if let Some(secs) = offset {
            s += &format_offset(secs);
        }
        s
    }

    proptest::proptest! {
        #[test]
        fn formatted_matches_the_oracle(
            micros in proptest::prop_oneof![
                -8_210_298_412_800_000_000i64..=253_402_300_799_999_999,
                proptest::num::i64::ANY,
                proptest::strategy::Strategy::prop_map(-1_000i64..1_000, |d| d * 86_400_000_000),
                // Round fractions: one digit, then zeros (the trailing zeros dropped).
                proptest::strategy::Strategy::prop_map(
                    (-10_000_000_000i64..300_000_000_000, 0i64..10, 0u32..6),
                    |(secs, digit, zeros)| secs * 1_000_000 + digit * 10i64.pow(zeros),
                ),
            ],
            offset in proptest::option::of(-86_399i32..=86_399),
        ) {
            let n = naive_from_micros(micros);
            let (local, instant, js) = (
                Formatted::local(n, offset),
                Formatted::instant(n.and_utc()),
                Formatted::js_iso(n),
            );
            proptest::prop_assert_eq!(local.as_str(), oracle(n, offset, false));
            proptest::prop_assert_eq!(instant.as_str(), oracle(n, None, false) + "Z");
            proptest::prop_assert_eq!(js.as_str(), oracle(n, None, true));
        }
    }

    #[test]
    fn iana_resolution_including_gaps_and_overlaps() {
        let paris = |s| resolve_timezone("Europe/Paris", naive(s)).unwrap();
        assert_eq!(paris("2023-07-01T12:00:00"), 7200);
        assert_eq!(paris("2023-01-01T12:00:00"), 3600);
        // 2023-03-26 02:30 does not exist in Paris: the offset before the gap (+01:00).
        assert_eq!(paris("2023-03-26T02:30:00"), 3600);
        // 2023-10-29 02:30 happens twice: the earlier one (+02:00).
        assert_eq!(paris("2023-10-29T02:30:00"), 7200);
        assert_eq!(
            resolve_timezone("+05:30", naive("2023-01-01T00:00:00")).unwrap(),
            19800
        );
        assert_eq!(
            resolve_timezone("UTC", naive("2023-01-01T00:00:00")).unwrap(),
            0
        );
        // Samoa skipped the whole of 2011-12-30: the offset before the gap (-10:00).
        assert_eq!(
            resolve_timezone("Pacific/Apia", naive("2011-12-30T12:00:00")).unwrap(),
            -10 * 3600
        );
        let e = resolve_timezone("Mars/Olympus", naive("2023-01-01T00:00:00")).unwrap_err();
        assert!(e.to_string().contains("unknown timezone"));
    }

    #[test]
    fn bounds_follow_the_offset_rules() {
        let at = |s| naive_micros(naive(s));
        // Aware bound 12:00+02:00 = 10:00Z.
        let b = TimeBound::new(parse_datetime("2023-11-07T12:00:00+02:00").unwrap());
        // Asset 11:00 at +00:00 is 11:00Z, after 10:00Z.
        assert!(b.is_before(at("2023-11-07T11:00:00"), Some(0)));
        // Asset 11:00 at +02:00 is 09:00Z, before.
        assert!(b.is_after(at("2023-11-07T11:00:00"), Some(7200)));
        // Asset 11:00 with no offset compares wall-clock with 12:00: before.
        assert!(b.is_after(at("2023-11-07T11:00:00"), None));
        // Naive bound ignores offsets.
        let n = TimeBound::new(parse_datetime("2023-11-07T12:00:00").unwrap());
        assert!(n.is_after(at("2023-11-07T11:00:00"), Some(-36000)));
        assert!(b.lowest_wall_after() <= at("2023-11-06T16:00:00"));
        assert!(b.highest_wall_before() >= at("2023-11-08T04:00:00"));
    }

    #[test]
    fn durations_round_trip_in_immich_form() {
        let d = chrono::TimeDelta::microseconds(3_725_250_000);
        assert_eq!(format_duration(d).unwrap(), "1:02:05.250000");
        assert_eq!(parse_duration("1:02:05.250000"), Some(d));
        assert_eq!(parse_duration("1:02:05.25"), Some(d));
        assert_eq!(
            parse_duration("0:00:01.1234569"),
            Some(chrono::TimeDelta::microseconds(1_123_456))
        );
        assert_eq!(
            parse_duration("0:00:07"),
            Some(chrono::TimeDelta::seconds(7))
        );
        for bad in [
            "", "7", "0:60:00", "0:00:60", "0:0:1.x", "1:2:3:4", "-1:00:00", "a:00:00",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad}");
            assert!(check_duration(bad).is_err());
        }
        assert!(format_duration(chrono::TimeDelta::seconds(-1)).is_err());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// Whatever the fixed-place reader returns, chrono's formats read the same; and on
        /// well-formed text it returns what they return.
        #[test]
        fn the_fixed_place_reader_agrees_with_the_formats(
            y in 0u32..10_000, mo in 0u32..14, d in 0u32..33, h in 0u32..26, mi in 0u32..62,
            sec in 0u32..62, sep in proptest::sample::select(vec!['T', ' ']),
            frac in proptest::option::of("[0-9]{0,12}"), junk in "[0-9:.+ZT-]{0,3}",
        ) {
            let mut text = format!("{y:04}-{mo:02}-{d:02}{sep}{h:02}:{mi:02}:{sec:02}");
            if let Some(f) = &frac {
                text.push('.');
                text.push_str(f);
            }
            let formats = parse_naive_formats(&text);
            let fast = canonical_naive(&text);
            if fast.is_some() {
                proptest::prop_assert_eq!(fast, formats, "{}", text);
            }
            if sec < 60 && frac.as_ref().is_none_or(|f| !f.is_empty()) {
                proptest::prop_assert_eq!(fast, formats, "{}", text);
            }
            // Damaged or longer text: never read differently from the formats.
            text.push_str(&junk);
            if let Some(v) = canonical_naive(&text) {
                proptest::prop_assert_eq!(Some(v), parse_naive_formats(&text), "{}", text);
            }
        }
    }
}
