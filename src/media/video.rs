//! MP4 and QuickTime movies: the facts of the `moov` box.
//!
//! - Size and rotation: the first video track's `tkhd` (width and height, 16.16 fixed point,
//!   before the matrix; the matrix gives the rotation), else its `stsd` sample entry.
//! - Duration: `mvhd` duration / timescale. Frame rate: the video track's sample count over
//!   the sum of its sample durations (`stts`, in the `mdhd` timescale), as exiftool's
//!   VideoFrameRate; without sample durations, over the `mdhd` duration.
//! - Capture time: `mvhd` creation time is a UTC instant (seconds since 1904). When the file
//!   records a local offset, Apple's `com.apple.quicktime.creationdate` (in `moov/meta`'s
//!   `keys`/`ilst`), else the `©day` atom (in `udta`, or `udta/meta/ilst`), the local time is
//!   that instant shifted by the offset and the offset is kept. Otherwise the local time is the
//!   UTC value with no offset. A trailing `Z` is not a local offset. Without a creation time in
//!   `mvhd`, the wall-clock time of `creationdate`/`©day` is used as written.
//! - Place: `com.apple.quicktime.location.ISO6709`, else `©xyz` (ISO 6709 strings).
//! - Camera: `com.apple.quicktime.make`/`model`, else `©mak`/`©mod`.

use chrono::{Duration, FixedOffset, NaiveDate, NaiveDateTime};

use super::bmff::{self, be_i32, be_u16, be_u32, be_u64, full_box, meta_children};
use super::tags::{datetime, parse_offset, subsec_nanos};
use super::{MediaInfo, ProbeError};

/// Reads the movie facts of `data` into `info`.
pub(crate) fn read(data: &[u8], info: &mut MediaInfo) -> Result<(), ProbeError> {
    let mut moov = None;
    let mut cut = false;
    for b in bmff::boxes(data) {
        cut |= b.truncated;
        if &b.kind == b"moov" {
            moov = Some(b.body);
            break;
        }
    }
    let Some(moov) = moov else {
        return Err(if cut || bmff::boxes(data).count() <= 1 {
            ProbeError::Truncated {
                format: "MP4/QuickTime movie",
                detail: format!("no movie header (moov box) in its {} bytes", data.len()),
            }
        } else {
            ProbeError::Corrupt {
                format: "MP4/QuickTime movie",
                detail: "no movie header (moov box)".into(),
            }
        });
    };

    let header = bmff::find(moov, b"mvhd").and_then(|b| movie_header(b.body));
    let track = bmff::boxes(moov)
        .filter(|b| &b.kind == b"trak")
        .filter_map(|b| track(b.body))
        .find(|t| t.handler == *b"vide" && t.size.is_some());
    let Some(track) = track else {
        return Err(ProbeError::NotMedia(
            "a movie container without a video track".into(),
        ));
    };
    info.width = track.size.map(|s| s.0);
    info.height = track.size.map(|s| s.1);
    info.rotation = Some(track.rotation);
    info.fps = track.fps();
    info.duration = header.as_ref().and_then(|h| h.duration);

    let meta = Metadata::read(moov);
    info.make = meta.make;
    info.model = meta.model;
    if let Some((lat, lon, alt)) = meta.location.as_deref().and_then(iso6709) {
        info.latitude = Some(lat);
        info.longitude = Some(lon);
        info.altitude = alt;
    }
    let written = meta.creation_date.as_deref().and_then(written_time);
    let day = meta.day.as_deref().and_then(written_time);
    let offset = written.and_then(|w| w.1).or_else(|| day.and_then(|d| d.1));
    let created = header.and_then(|h| h.created);
    match (created, offset) {
        (Some(utc), Some(offset)) => {
            info.date_time_original =
                utc.checked_add_signed(Duration::seconds(i64::from(offset.local_minus_utc())));
            info.offset = Some(offset);
        }
        (Some(utc), None) => info.date_time_original = Some(utc),
        (None, _) => {
            if let Some((local, offset)) = written.or(day) {
                info.date_time_original = Some(local);
                info.offset = offset;
            }
        }
    }
    Ok(())
}

struct MovieHeader {
    created: Option<NaiveDateTime>,
    duration: Option<f64>,
}

/// `mvhd`: creation time (UTC, seconds since 1904-01-01; 0 is unset) and duration.
fn movie_header(body: &[u8]) -> Option<MovieHeader> {
    let (version, _, rest) = full_box(body)?;
    let (created, timescale, duration) = if version == 1 {
        (be_u64(rest, 0)?, be_u32(rest, 16)?, be_u64(rest, 20)?)
    } else {
        (
            u64::from(be_u32(rest, 0)?),
            be_u32(rest, 8)?,
            u64::from(be_u32(rest, 12)?),
        )
    };
    Some(MovieHeader {
        created: quicktime_time(created),
        duration: seconds(duration, timescale),
    })
}

/// A QuickTime timestamp (seconds since 1904-01-01 00:00 UTC); 0 means unset.
fn quicktime_time(secs: u64) -> Option<NaiveDateTime> {
    if secs == 0 {
        return None;
    }
    let epoch = NaiveDate::from_ymd_opt(1904, 1, 1)?.and_hms_opt(0, 0, 0)?;
    // `try_seconds`: a 64-bit (version 1) time can exceed what a `Duration` holds, and
    // `Duration::seconds` panicked there (found by fuzzing `probe`).
    epoch.checked_add_signed(Duration::try_seconds(i64::try_from(secs).ok()?)?)
}

/// `duration / timescale` seconds; None for a zero timescale, or an unknown (0 or all-ones)
/// duration.
fn seconds(duration: u64, timescale: u32) -> Option<f64> {
    (timescale > 0 && duration > 0 && duration != u64::from(u32::MAX) && duration != u64::MAX)
        .then(|| duration as f64 / f64::from(timescale))
}

struct Track {
    handler: [u8; 4],
    size: Option<(u32, u32)>,
    rotation: u16,
    /// `mdhd` timescale and duration.
    timescale: u32,
    media_duration: u64,
    /// `stts`: the number of samples and the sum of their durations.
    samples: Option<(u64, u64)>,
}

impl Track {
    fn fps(&self) -> Option<f64> {
        let (count, total) = self.samples?;
        let duration = if total > 0 {
            total
        } else {
            self.media_duration
        };
        let seconds = seconds(duration, self.timescale)?;
        (count > 0).then(|| count as f64 / seconds)
    }
}

fn track(trak: &[u8]) -> Option<Track> {
    let tkhd = bmff::find(trak, b"tkhd")?.body;
    let (version, _, rest) = full_box(tkhd)?;
    // Creation, modification, track id, reserved, duration; then 8 reserved bytes, layer,
    // alternate group, volume and 2 reserved bytes: 16 bytes before the matrix.
    let matrix_at = if version == 1 { 32 } else { 20 } + 16;
    let a = be_i32(rest, matrix_at).unwrap_or(0x0001_0000);
    let b = be_i32(rest, matrix_at + 4).unwrap_or(0);
    let fixed = |at: usize| be_u32(rest, at).map(|v| v >> 16);
    let tkhd_size = match (fixed(matrix_at + 36), fixed(matrix_at + 40)) {
        (Some(w), Some(h)) if w > 0 && h > 0 => Some((w, h)),
        _ => None,
    };
    let mdia = bmff::find(trak, b"mdia")?.body;
    let handler = bmff::find(mdia, b"hdlr")
        .and_then(|h| full_box(h.body))
        .and_then(|(_, _, rest)| rest.get(4..8)?.try_into().ok())
        .unwrap_or(*b"\0\0\0\0");
    let (timescale, media_duration) = bmff::find(mdia, b"mdhd")
        .and_then(|m| {
            let (version, _, rest) = full_box(m.body)?;
            if version == 1 {
                Some((be_u32(rest, 16)?, be_u64(rest, 20)?))
            } else {
                Some((be_u32(rest, 8)?, u64::from(be_u32(rest, 12)?)))
            }
        })
        .unwrap_or((0, 0));
    let stbl = bmff::path(mdia, &[b"minf", b"stbl"]);
    let samples = stbl
        .and_then(|s| bmff::find(s, b"stts"))
        .and_then(|s| sample_count(s.body));
    let size = tkhd_size.or_else(|| stbl.and_then(visual_entry_size));
    Some(Track {
        handler,
        size,
        rotation: rotation(a, b),
        timescale,
        media_duration,
        samples,
    })
}

/// The clockwise rotation of a track matrix whose first row is (a, b), to the nearest quarter
/// turn (exiftool's Rotation).
fn rotation(a: i32, b: i32) -> u16 {
    if a == 0 && b == 0 {
        return 0;
    }
    let degrees = f64::from(b).atan2(f64::from(a)).to_degrees();
    let quarter = (degrees / 90.0).round() as i32;
    (quarter.rem_euclid(4) * 90) as u16
}

/// The number of samples in a `stts` (time-to-sample) box and the sum of their durations.
fn sample_count(stts: &[u8]) -> Option<(u64, u64)> {
    let (_, _, rest) = full_box(stts)?;
    let entries = be_u32(rest, 0)?;
    let (mut count, mut duration) = (0u64, 0u64);
    for i in 0..entries as usize {
        let (Some(n), Some(delta)) = (be_u32(rest, 4 + 8 * i), be_u32(rest, 8 + 8 * i)) else {
            break;
        };
        count += u64::from(n);
        duration = duration.saturating_add(u64::from(n) * u64::from(delta));
    }
    Some((count, duration))
}

/// Width and height of the first visual sample entry of a `stbl`'s `stsd`.
fn visual_entry_size(stbl: &[u8]) -> Option<(u32, u32)> {
    let stsd = bmff::find(stbl, b"stsd")?.body;
    let (_, _, rest) = full_box(stsd)?;
    let entry = bmff::boxes(rest.get(4..)?).next()?.body;
    // 6 reserved, data reference index, 16 bytes of pre-defined/reserved, then the size.
    let (w, h) = (be_u16(entry, 24)?, be_u16(entry, 26)?);
    (w > 0 && h > 0).then_some((u32::from(w), u32::from(h)))
}

#[derive(Default)]
struct Metadata {
    make: Option<String>,
    model: Option<String>,
    location: Option<String>,
    creation_date: Option<String>,
    day: Option<String>,
}

impl Metadata {
    fn read(moov: &[u8]) -> Metadata {
        let mut m = Metadata::default();
        // QuickTime metadata: moov/meta with keys and ilst.
        if let Some(meta) = bmff::find(moov, b"meta") {
            for (key, value) in keyed_items(meta_children(meta.body)) {
                let slot = match key.as_str() {
                    "com.apple.quicktime.make" => &mut m.make,
                    "com.apple.quicktime.model" => &mut m.model,
                    "com.apple.quicktime.location.ISO6709" => &mut m.location,
                    "com.apple.quicktime.creationdate" => &mut m.creation_date,
                    _ => continue,
                };
                slot.get_or_insert(value);
            }
        }
        // User data: moov/udta atoms, and iTunes-style items in moov/udta/meta/ilst.
        if let Some(udta) = bmff::find(moov, b"udta") {
            let mut items: Vec<([u8; 4], String)> = bmff::boxes(udta.body)
                .filter_map(|b| Some((b.kind, user_data_text(b.body)?)))
                .collect();
            if let Some(ilst) = bmff::find(udta.body, b"meta")
                .and_then(|meta| bmff::find(meta_children(meta.body), b"ilst"))
            {
                items.extend(
                    bmff::boxes(ilst.body).filter_map(|b| Some((b.kind, data_text(b.body)?))),
                );
            }
            for (kind, value) in items {
                let slot = match &kind {
                    b"\xa9mak" => &mut m.make,
                    b"\xa9mod" => &mut m.model,
                    b"\xa9xyz" => &mut m.location,
                    b"\xa9day" => &mut m.day,
                    _ => continue,
                };
                slot.get_or_insert(value);
            }
        }
        m
    }
}

/// The (key, text value) pairs of a QuickTime `meta` box's `keys` and `ilst`.
fn keyed_items(meta: &[u8]) -> Vec<(String, String)> {
    let Some(keys) = bmff::find(meta, b"keys").and_then(|k| full_box(k.body)) else {
        return Vec::new();
    };
    let rest = keys.2;
    let count = be_u32(rest, 0).unwrap_or(0) as usize;
    let mut names = Vec::new();
    let mut at = 4usize;
    for _ in 0..count {
        let Some(size) = be_u32(rest, at).map(|s| s as usize) else {
            break;
        };
        let Some(name) = size
            .checked_sub(8)
            .and_then(|n| rest.get(at + 8..(at + 8).checked_add(n)?))
        else {
            break;
        };
        names.push(String::from_utf8_lossy(name).into_owned());
        at += size;
    }
    let Some(ilst) = bmff::find(meta, b"ilst") else {
        return Vec::new();
    };
    bmff::boxes(ilst.body)
        .filter_map(|item| {
            let index = u32::from_be_bytes(item.kind) as usize;
            let name = names.get(index.checked_sub(1)?)?;
            Some((name.clone(), data_text(item.body)?))
        })
        .collect()
}

/// The text of the first `data` box among `children` (well-known types 1: UTF-8, 2: UTF-16).
fn data_text(children: &[u8]) -> Option<String> {
    let data = bmff::find(children, b"data")?.body;
    let kind = be_u32(data, 0)? & 0x00ff_ffff;
    let payload = data.get(8..)?;
    let text = match kind {
        2 => {
            let units: Vec<u16> = payload
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        0 | 1 => String::from_utf8_lossy(payload).into_owned(),
        _ => return None,
    };
    clean(&text)
}

/// A QuickTime user-data text atom: (u16 length, u16 language, text), or a `data` box.
fn user_data_text(body: &[u8]) -> Option<String> {
    if body.get(4..8) == Some(b"data") {
        return data_text(body);
    }
    let len = usize::from(be_u16(body, 0)?);
    let text = body.get(4..4 + len).or_else(|| body.get(4..))?;
    clean(&String::from_utf8_lossy(text))
}

fn clean(s: &str) -> Option<String> {
    let s = s.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    (!s.is_empty()).then(|| s.to_owned())
}

/// A written date `2021-04-10T11:43:59+0100` (fraction and offset optional): its wall-clock
/// time and the local offset it states (`Z` states none).
fn written_time(s: &str) -> Option<(NaiveDateTime, Option<FixedOffset>)> {
    let s = s.trim();
    let mut local = datetime(s.get(..19)?)?;
    let mut rest = s.get(19..)?;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if let Some(nanos) = subsec_nanos(&fraction[..digits]) {
            local = chrono::Timelike::with_nanosecond(&local, nanos).unwrap_or(local);
        }
        rest = &fraction[digits..];
    }
    let rest = rest.trim();
    let offset = if rest.is_empty() || rest == "Z" {
        None
    } else {
        parse_offset(rest)
    };
    Some((local, offset))
}

/// Latitude, longitude and optional altitude of an ISO 6709 string such as
/// `+52.2097-000.8955+103.640/` (degrees, or DDMM.M / DDMMSS.S forms).
pub(crate) fn iso6709(s: &str) -> Option<(f64, f64, Option<f64>)> {
    let s = s.trim().trim_end_matches('/');
    let s = s.split("CRS").next().unwrap_or(s);
    let mut parts = Vec::new();
    let bytes = s.as_bytes();
    let mut start = None;
    for (i, &c) in bytes.iter().enumerate() {
        if c == b'+' || c == b'-' {
            if let Some(from) = start {
                parts.push(&s[from..i]);
            }
            start = Some(i);
        } else if start.is_none() {
            return None;
        }
    }
    parts.push(&s[start?..]);
    let lat = angle(parts.first()?, 2)?;
    let lon = angle(parts.get(1)?, 3)?;
    let alt = parts.get(2).and_then(|a| a.parse::<f64>().ok());
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some((lat, lon, alt))
}

/// A signed ISO 6709 angle whose degrees take `degree_digits` digits.
fn angle(s: &str, degree_digits: usize) -> Option<f64> {
    let (sign, body) = match s.as_bytes().first()? {
        b'+' => (1.0, &s[1..]),
        b'-' => (-1.0, &s[1..]),
        _ => return None,
    };
    if body.is_empty() || !body.bytes().all(|c| c.is_ascii_digit() || c == b'.') {
        return None;
    }
    let int_digits = body.find('.').unwrap_or(body.len());
    let value: f64 = body.parse().ok()?;
    let degrees = if int_digits == degree_digits {
        value
    } else if int_digits == degree_digits + 2 {
        let d = (value / 100.0).trunc();
        d + (value - d * 100.0) / 60.0
    } else if int_digits == degree_digits + 4 {
        let d = (value / 10_000.0).trunc();
        let m = ((value - d * 10_000.0) / 100.0).trunc();
        d + m / 60.0 + (value - d * 10_000.0 - m * 100.0) / 3600.0
    } else {
        return None;
    };
    Some(sign * degrees)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::bmff::tests::{bx, full};

    #[test]
    fn creation_times_beyond_a_duration_are_unset() {
        // Found by fuzzing (tests/data/fuzz/probe/crash-mvhd-v1-creation-time-overflow.mov):
        // a version 1 `mvhd` holds 64-bit seconds, more than a `Duration` can, and
        // `Duration::seconds` panicked.
        assert_eq!(quicktime_time(0x0400_0004_0000_0000), None);
        assert_eq!(quicktime_time(u64::MAX), None);
        assert!(quicktime_time(3_000_000_000).is_some());
    }

    #[test]
    fn iso6709_forms() {
        assert_eq!(
            iso6709("+52.2097-000.8955+103.640/"),
            Some((52.2097, -0.8955, Some(103.64)))
        );
        assert_eq!(
            iso6709("+51.4169-000.0806/"),
            Some((51.4169, -0.0806, None))
        );
        let (lat, lon, _) = iso6709("+4030.5-07400.25/").unwrap();
        assert!((lat - 40.508_333).abs() < 1e-6 && (lon + 74.004_166).abs() < 1e-5);
        let (lat, lon, _) = iso6709("-403030+0740030/").unwrap();
        assert!((lat + 40.508_333).abs() < 1e-6 && (lon - 74.008_333).abs() < 1e-6);
        assert_eq!(
            iso6709("+35.5+139.7+10CRSWGS_84/"),
            Some((35.5, 139.7, Some(10.0)))
        );
        assert_eq!(iso6709(""), None);
        assert_eq!(iso6709("52.2-0.8"), None);
        assert_eq!(iso6709("+95.0+010.0/"), None);
        assert_eq!(iso6709("+5x.0+010.0/"), None);
    }

    #[test]
    fn written_times() {
        let (t, o) = written_time("2021-04-10T11:43:59+0100").unwrap();
        assert_eq!(t.to_string(), "2021-04-10 11:43:59");
        assert_eq!(o.map(|o| o.local_minus_utc()), Some(3600));
        let (t, o) = written_time("2019-11-18T15:45:32.250-05:00").unwrap();
        assert_eq!(t.to_string(), "2019-11-18 15:45:32.250");
        assert_eq!(o.map(|o| o.local_minus_utc()), Some(-18000));
        assert_eq!(written_time("2017-02-22T08:20:28Z").unwrap().1, None);
        assert_eq!(written_time("2017-02-22T08:20:28").unwrap().1, None);
        assert_eq!(written_time("2017"), None);
    }

    #[test]
    fn matrix_rotation() {
        let one = 0x0001_0000;
        assert_eq!(rotation(one, 0), 0);
        assert_eq!(rotation(0, one), 90);
        assert_eq!(rotation(-one, 0), 180);
        assert_eq!(rotation(0, -one), 270);
        assert_eq!(rotation(0, 0), 0);
    }

    fn u32s(values: &[u32]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_be_bytes()).collect()
    }

    /// A movie: mvhd (v0), one video track, Apple keys with a creation date and location.
    fn movie(rotation_b: i32, creationdate: Option<&str>) -> Vec<u8> {
        // 2021-04-10 10:44:00 UTC in seconds since 1904.
        let created = 3_700_896_240u32;
        let mut mvhd = u32s(&[created, created, 600, 740]);
        mvhd.extend([0u8; 80]);
        let mut tkhd = u32s(&[created, created, 1, 0, 740, 0, 0, 0, 0]);
        let a = if rotation_b == 0 { 0x0001_0000 } else { 0 };
        tkhd.extend(u32s(&[
            a as u32,
            rotation_b as u32,
            0,
            (-rotation_b) as u32,
            a as u32,
            0,
        ]));
        tkhd.extend(u32s(&[0, 0, 0x4000_0000]));
        tkhd.extend(u32s(&[1440 << 16, 1080 << 16]));
        let mdhd = full(b"mdhd", 0, 0, &u32s(&[created, created, 600, 1240, 0]));
        let hdlr = full(
            b"hdlr",
            0,
            0,
            &[b"mhlr".as_slice(), b"vide", &[0; 12]].concat(),
        );
        let stts = full(b"stts", 0, 0, &u32s(&[2, 20, 56, 2, 60]));
        let stbl = bx(b"stbl", &stts);
        let minf = bx(b"minf", &stbl);
        let mdia = bx(b"mdia", &[mdhd, hdlr, minf].concat());
        let trak = bx(b"trak", &[full(b"tkhd", 0, 7, &tkhd), mdia].concat());
        let mut moov = full(b"mvhd", 0, 0, &mvhd);
        moov.extend(trak);
        let mut keys_body = u32s(&[2]);
        let mut ilst = Vec::new();
        let mut pairs = vec![(
            "com.apple.quicktime.location.ISO6709",
            "+52.2097-000.8955+103.640/",
        )];
        if let Some(c) = creationdate {
            pairs.push(("com.apple.quicktime.creationdate", c));
        }
        for (i, (k, v)) in pairs.iter().enumerate() {
            keys_body.extend(((k.len() + 8) as u32).to_be_bytes());
            keys_body.extend(b"mdta");
            keys_body.extend(k.as_bytes());
            let data = bx(b"data", &[u32s(&[1, 0]), v.as_bytes().to_vec()].concat());
            ilst.extend(bx(&((i + 1) as u32).to_be_bytes(), &data));
        }
        keys_body[0..4].copy_from_slice(&(pairs.len() as u32).to_be_bytes());
        let hdlr = full(b"hdlr", 0, 0, &[&[0u8; 4][..], b"mdta", &[0; 12]].concat());
        let meta = bx(
            b"meta",
            &[hdlr, full(b"keys", 0, 0, &keys_body), bx(b"ilst", &ilst)].concat(),
        );
        moov.extend(meta);
        let mut udta = Vec::new();
        udta.extend(bx(
            b"\xa9mak",
            &[&[0, 5, 0x15, 0xc7][..], b"Apple"].concat(),
        ));
        moov.extend(bx(b"udta", &udta));
        let mut file = bx(b"ftyp", b"qt  \0\0\0\0qt  ");
        file.extend(bx(b"wide", &[]));
        file.extend(bx(b"mdat", &[0; 64]));
        file.extend(bx(b"moov", &moov));
        file
    }

    #[test]
    fn apple_movie_facts() {
        let mut info = MediaInfo::default();
        read(&movie(0, Some("2021-04-10T11:43:59+0100")), &mut info).unwrap();
        assert_eq!(
            (info.width, info.height, info.rotation),
            (Some(1440), Some(1080), Some(0))
        );
        assert_eq!(info.duration, Some(740.0 / 600.0));
        assert_eq!(info.fps, Some(22.0 / (1240.0 / 600.0)));
        // exiftool's VideoFrameRate over stts durations, not mdhd's.
        let stts = full(b"stts", 0, 0, &u32s(&[2, 1, 2998, 2, 2998]));
        assert_eq!(sample_count(&stts[8..]), Some((3, 8994)));
        assert_eq!(info.make.as_deref(), Some("Apple"));
        assert_eq!(info.latitude, Some(52.2097));
        assert_eq!(info.altitude, Some(103.64));
        // CreateDate 10:44:00Z shifted by the creationdate's +01:00.
        assert_eq!(
            info.date_time_original.unwrap().to_string(),
            "2021-04-10 11:44:00"
        );
        assert_eq!(info.offset.map(|o| o.local_minus_utc()), Some(3600));
    }

    #[test]
    fn movie_without_offset_is_utc_and_rotation_is_read() {
        let mut info = MediaInfo::default();
        read(&movie(0x0001_0000, None), &mut info).unwrap();
        assert_eq!(
            info.date_time_original.unwrap().to_string(),
            "2021-04-10 10:44:00"
        );
        assert_eq!(info.offset, None);
        assert_eq!(info.rotation, Some(90));
        assert_eq!(info.display_width(), Some(1080));
    }

    #[test]
    fn movie_without_moov_or_video_track() {
        let mut info = MediaInfo::default();
        let mut file = bx(b"ftyp", b"isom\0\0\0\0");
        file.extend_from_slice(&1000u32.to_be_bytes());
        file.extend_from_slice(b"mdat");
        assert!(matches!(
            read(&file, &mut info),
            Err(ProbeError::Truncated { .. })
        ));
        let mut file = bx(b"ftyp", b"isom\0\0\0\0");
        file.extend(bx(b"moov", &full(b"mvhd", 0, 0, &[0; 96])));
        assert!(matches!(
            read(&file, &mut info),
            Err(ProbeError::NotMedia(_))
        ));
    }
}
