//! EXIF facts through the `exif` crate (kamadak-exif): finding the EXIF block in each
//! container, and turning its fields into [`MediaInfo`] values the way exiftool reads them
//! (strings trimmed, GPS signed by its refs, sub-seconds and offsets applied).

use std::io::Cursor;

use ::exif::{Exif, Field, In, Reader, Tag, Value};
use chrono::{FixedOffset, NaiveDate, NaiveDateTime, Timelike};

use super::sniff::Format;
use super::MediaInfo;

/// Parses the EXIF block of `data` (of format `format`), when there is one. Broken EXIF
/// gives what could be read, or None; never an error.
pub(crate) fn read(format: Format, data: &[u8]) -> Option<Exif> {
    let mut reader = Reader::new();
    reader.continue_on_error(true);
    let result = match format {
        Format::Jpeg => reader.read_raw(jpeg_exif(data)?.to_vec()),
        Format::Png | Format::Heif => reader.read_from_container(&mut Cursor::new(data)),
        Format::Tiff => reader.read_raw(data.to_vec()),
        Format::WebP => reader.read_raw(webp_exif(data)?.to_vec()),
        Format::Gif | Format::Bmp | Format::Movie => return None,
    };
    result.or_else(|e| e.distill_partial_result(|_| {})).ok()
}

/// The TIFF bytes of a JPEG's EXIF APP1 segment (`Exif\0\0` then TIFF). Walks the marker
/// segments up to the start of scan, so a JPEG without EXIF costs a few reads, not a scan of
/// its compressed data.
pub(crate) fn jpeg_exif(data: &[u8]) -> Option<&[u8]> {
    let mut at = 2usize;
    loop {
        if *data.get(at)? != 0xff {
            return None;
        }
        // Fill bytes: any number of 0xff before the marker code.
        while *data.get(at + 1)? == 0xff {
            at += 1;
        }
        let marker = *data.get(at + 1)?;
        match marker {
            // Markers without a length.
            0x01 | 0xd0..=0xd8 => {
                at += 2;
                continue;
            }
            // Start of scan or end of image: no EXIF before it.
            0xda | 0xd9 => return None,
            _ => {}
        }
        let len = usize::from(u16::from_be_bytes([*data.get(at + 2)?, *data.get(at + 3)?]));
        let end = (at + 2).checked_add(len)?;
        let segment = data.get(at + 4..end.min(data.len()))?;
        if marker == 0xe1 && segment.starts_with(b"Exif\0") {
            return segment.get(6..);
        }
        if len < 2 {
            return None;
        }
        at = end;
    }
}

/// The TIFF bytes of a WebP file's `EXIF` chunk. Some writers put JPEG's `Exif\0\0` APP1
/// prefix before the TIFF header; it is skipped (exiftool warns and reads it too).
pub(crate) fn webp_exif(data: &[u8]) -> Option<&[u8]> {
    let mut at = 12usize;
    while let Some(header) = data.get(at..at.checked_add(8)?) {
        let size = u32::from_le_bytes(header[4..8].try_into().ok()?) as usize;
        let start = at + 8;
        let end = start.saturating_add(size).min(data.len());
        if &header[0..4] == b"EXIF" {
            let chunk = &data[start..end];
            return Some(chunk.strip_prefix(b"Exif\0\0").unwrap_or(chunk));
        }
        // Chunks are padded to an even size.
        at = start.checked_add(size)?.checked_add(size & 1)?;
    }
    None
}

fn field(exif: &Exif, tag: Tag) -> Option<&Field> {
    exif.get_field(tag, In::PRIMARY)
}

/// An ASCII field's first string, trimmed of spaces and NULs; None when empty.
fn text(exif: &Exif, tag: Tag) -> Option<String> {
    match &field(exif, tag)?.value {
        Value::Ascii(strings) => {
            let raw = strings.iter().find(|s| !s.is_empty())?;
            let s = String::from_utf8_lossy(raw);
            let s = s.trim_matches(|c: char| c == '\0' || c.is_whitespace());
            (!s.is_empty()).then(|| s.to_owned())
        }
        // Some writers store strings as UNDEFINED bytes.
        Value::Undefined(bytes, _) => {
            let s = String::from_utf8_lossy(bytes);
            let s = s.trim_matches(|c: char| c == '\0' || c.is_whitespace());
            (!s.is_empty()).then(|| s.to_owned())
        }
        _ => None,
    }
}

/// The `index`-th value of a numeric field as f64 (rationals divided out); None when not
/// finite (a zero denominator).
fn number_at(exif: &Exif, tag: Tag, index: usize) -> Option<f64> {
    let v = match &field(exif, tag)?.value {
        Value::Rational(v) => v.get(index).map(|r| r.to_f64()),
        Value::SRational(v) => v.get(index).map(|r| r.to_f64()),
        Value::Float(v) => v.get(index).map(|&f| f64::from(f)),
        Value::Double(v) => v.get(index).copied(),
        Value::SShort(v) => v.get(index).map(|&x| f64::from(x)),
        Value::SLong(v) => v.get(index).map(|&x| f64::from(x)),
        other => other.get_uint(index).map(f64::from),
    }?;
    v.is_finite().then_some(v)
}

fn number(exif: &Exif, tag: Tag) -> Option<f64> {
    number_at(exif, tag, 0)
}

fn uint(exif: &Exif, tag: Tag) -> Option<u32> {
    field(exif, tag)?.value.get_uint(0)
}

/// Degrees from a GPS (degrees, minutes, seconds) field, negated for `negative_ref`.
fn coordinate(exif: &Exif, tag: Tag, ref_tag: Tag, negative_ref: u8) -> Option<f64> {
    let d = number_at(exif, tag, 0)?;
    let m = number_at(exif, tag, 1).unwrap_or(0.0);
    let s = number_at(exif, tag, 2).unwrap_or(0.0);
    let value = d + m / 60.0 + s / 3600.0;
    let negative = text(exif, ref_tag)
        .and_then(|r| r.bytes().next())
        .is_some_and(|c| c.eq_ignore_ascii_case(&negative_ref));
    Some(if negative { -value } else { value })
}

/// Fills the EXIF fields of `info` from `exif`.
pub(crate) fn apply(exif: &Exif, info: &mut MediaInfo) {
    info.make = text(exif, Tag::Make);
    info.model = text(exif, Tag::Model);
    info.lens_model = text(exif, Tag::LensModel);
    info.orientation = uint(exif, Tag::Orientation)
        .filter(|o| (1..=8).contains(o))
        .map(|o| o as u16);
    info.f_number = number(exif, Tag::FNumber);
    info.focal_length = number(exif, Tag::FocalLength);
    // EXIF's ISO (PhotographicSensitivity, 0x8827) only, as exiftool's `ISO` tag.
    info.iso = uint(exif, Tag::PhotographicSensitivity).filter(|&v| v > 0);
    info.exposure_time = number(exif, Tag::ExposureTime);
    info.exposure_bias = number(exif, Tag::ExposureBiasValue);
    // DateTimeOriginal with its sub-seconds and offset; else the digitized time with its own.
    let (dt, subsec, offset) = match text(exif, Tag::DateTimeOriginal).and_then(|s| datetime(&s)) {
        Some(dt) => (Some(dt), Tag::SubSecTimeOriginal, Tag::OffsetTimeOriginal),
        None => (
            text(exif, Tag::DateTimeDigitized).and_then(|s| datetime(&s)),
            Tag::SubSecTimeDigitized,
            Tag::OffsetTimeDigitized,
        ),
    };
    if let Some(dt) = dt {
        let nanos = text(exif, subsec).and_then(|s| subsec_nanos(&s));
        info.date_time_original = Some(nanos.and_then(|n| dt.with_nanosecond(n)).unwrap_or(dt));
        info.offset = text(exif, offset).and_then(|s| parse_offset(&s));
    }
    info.latitude = coordinate(exif, Tag::GPSLatitude, Tag::GPSLatitudeRef, b'S');
    info.longitude = coordinate(exif, Tag::GPSLongitude, Tag::GPSLongitudeRef, b'W');
    info.altitude = number(exif, Tag::GPSAltitude).map(|a| {
        if uint(exif, Tag::GPSAltitudeRef) == Some(1) {
            -a
        } else {
            a
        }
    });
}

/// An EXIF datetime `YYYY:MM:DD HH:MM:SS` (any single-character separators, as some
/// writers use `-` or `T`). All-zero or blank dates ("    :  :  ") are None.
pub(crate) fn datetime(s: &str) -> Option<NaiveDateTime> {
    let b = s.trim().as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        let digits = b.get(from..from + len)?;
        digits.iter().all(u8::is_ascii_digit).then(|| {
            digits
                .iter()
                .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
        })
    };
    let year = i32::try_from(num(0, 4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, num(5, 2)?, num(8, 2)?)?;
    date.and_hms_opt(num(11, 2)?, num(14, 2)?, num(17, 2)?)
}

/// Sub-second digits ("77" is 0.77 s) as nanoseconds; up to nine digits are kept.
pub(crate) fn subsec_nanos(s: &str) -> Option<u32> {
    let digits: String = s
        .trim()
        .chars()
        .take_while(char::is_ascii_digit)
        .take(9)
        .collect();
    if digits.is_empty() {
        return None;
    }
    let value: u32 = digits.parse().ok()?;
    Some(value * 10u32.pow(9 - digits.len() as u32))
}

/// A UTC offset `+01:00`, `-0500`, `+01` or `Z`; None when blank or out of range.
pub(crate) fn parse_offset(s: &str) -> Option<FixedOffset> {
    let s = s.trim();
    if s == "Z" {
        return FixedOffset::east_opt(0);
    }
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (h, m) = match digits.len() {
        2 => (digits.parse::<i32>().ok()?, 0),
        4 => (
            digits[..2].parse::<i32>().ok()?,
            digits[2..].parse::<i32>().ok()?,
        ),
        _ => return None,
    };
    if h > 18 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exif_datetimes() {
        let dt = |s| datetime(s).map(|d| d.to_string());
        assert_eq!(
            dt("2012:09:29 16:11:25"),
            Some("2012-09-29 16:11:25".into())
        );
        assert_eq!(
            dt("2012-09-29T16:11:25"),
            Some("2012-09-29 16:11:25".into())
        );
        assert_eq!(
            dt(" 2012:09:29 16:11:25\0"),
            Some("2012-09-29 16:11:25".into())
        );
        assert_eq!(dt("0000:00:00 00:00:00"), None);
        assert_eq!(dt("    :  :     :  :  "), None);
        assert_eq!(dt("2012:13:29 16:11:25"), None);
        assert_eq!(dt("2012:09:29"), None);
        assert_eq!(dt(""), None);
    }

    #[test]
    fn sub_seconds() {
        assert_eq!(subsec_nanos("77"), Some(770_000_000));
        assert_eq!(subsec_nanos("054"), Some(54_000_000));
        assert_eq!(subsec_nanos("860627"), Some(860_627_000));
        assert_eq!(subsec_nanos("1234567891234"), Some(123_456_789));
        assert_eq!(subsec_nanos(" 5 "), Some(500_000_000));
        assert_eq!(subsec_nanos("  "), None);
        assert_eq!(subsec_nanos("x1"), None);
    }

    #[test]
    fn offsets() {
        let secs = |s| parse_offset(s).map(|o| o.local_minus_utc());
        assert_eq!(secs("+01:00"), Some(3600));
        assert_eq!(secs("-05:00"), Some(-18000));
        assert_eq!(secs("+0530"), Some(19800));
        assert_eq!(secs("-03"), Some(-10800));
        assert_eq!(secs("Z"), Some(0));
        assert_eq!(secs("   :  "), None);
        assert_eq!(secs("+25:00"), None);
        assert_eq!(secs("+01:60"), None);
        assert_eq!(secs("01:00"), None);
    }

    fn riff(chunks: &[(&[u8; 4], &[u8])]) -> Vec<u8> {
        let mut v = b"RIFF\0\0\0\0WEBP".to_vec();
        for (kind, body) in chunks {
            v.extend_from_slice(*kind);
            v.extend((body.len() as u32).to_le_bytes());
            v.extend_from_slice(body);
            if body.len() % 2 == 1 {
                v.push(0);
            }
        }
        v
    }

    #[test]
    fn jpeg_exif_segment_is_found_before_the_scan() {
        let mut jpeg = vec![0xff, 0xd8];
        jpeg.extend([0xff, 0xe0, 0, 6, b'J', b'F', b'I', b'F']); // APP0
        jpeg.extend([0xff, 0xff, 0xe1, 0, 12]); // a fill byte, then APP1
        jpeg.extend(b"Exif\0\0II*\0");
        jpeg.extend([0xff, 0xda, 0, 2, 0xff, 0xe1]); // SOS, then scan data
        assert_eq!(jpeg_exif(&jpeg), Some(&b"II*\0"[..]));
        // XMP in APP1 is not EXIF; nothing after the start of scan counts.
        let mut xmp = vec![0xff, 0xd8, 0xff, 0xe1, 0, 7];
        xmp.extend(b"http");
        xmp.extend([0xff, 0xda, 0, 2, 0xff, 0xe1, 0, 12]);
        xmp.extend(b"Exif\0\0II*\0");
        assert_eq!(jpeg_exif(&xmp), None);
        // Cut inside the segment: what there is.
        assert_eq!(jpeg_exif(&jpeg[..23]), Some(&b"II"[..]));
        assert_eq!(jpeg_exif(&[0xff, 0xd8, 0xff]), None);
        assert_eq!(jpeg_exif(&[0xff, 0xd8, 0xff, 0xe0, 0, 0, 0xff, 0xe1]), None);
    }

    #[test]
    fn webp_exif_chunk_with_and_without_app1_prefix() {
        let plain = riff(&[
            (b"VP8X", &[0; 10]),
            (b"ICCP", &[1, 2, 3]),
            (b"EXIF", b"II*\0"),
        ]);
        assert_eq!(webp_exif(&plain), Some(&b"II*\0"[..]));
        let prefixed = riff(&[(b"VP8X", &[0; 10]), (b"EXIF", b"Exif\0\0MM\0*")]);
        assert_eq!(webp_exif(&prefixed), Some(&b"MM\0*"[..]));
        assert_eq!(webp_exif(&riff(&[(b"VP8 ", &[0; 10])])), None);
        // A chunk claiming more than the file holds is cut, not trusted.
        let mut cut = riff(&[(b"EXIF", b"II*\0")]);
        cut[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(webp_exif(&cut), Some(&b"II*\0"[..]));
    }
}
