//! What kind of file the bytes are, from their signatures alone (never the file name), and
//! its MIME type as exiftool names it.

use super::bmff;
use super::tiff::Tiff;

/// The container families `probe` knows how to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Jpeg,
    Png,
    Gif,
    Bmp,
    WebP,
    /// TIFF, DNG and TIFF-based RAW files.
    Tiff,
    /// HEIF, HEIC and AVIF (ISO-BMFF with an image brand).
    Heif,
    /// MP4, QuickTime and 3GP (ISO-BMFF movies).
    Movie,
}

/// A recognised file: its format family and MIME type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sniffed {
    pub(crate) format: Format,
    pub(crate) mime: &'static str,
}

/// Why the bytes were not recognised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unknown {
    /// Mostly printable text.
    Text,
    /// An ISO-BMFF file whose brand names audio only.
    Audio(&'static str),
    /// A known format that `probe` does not read (its name).
    Unsupported(&'static str),
    /// Nothing recognised; the first bytes in hex.
    Other(String),
}

fn sniffed(format: Format, mime: &'static str) -> Result<Sniffed, Unknown> {
    Ok(Sniffed { format, mime })
}

/// Recognises the format of `data` (which is not empty).
pub(crate) fn sniff(data: &[u8]) -> Result<Sniffed, Unknown> {
    if data.starts_with(&[0xff, 0xd8, 0xff]) {
        return sniffed(Format::Jpeg, "image/jpeg");
    }
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        return sniffed(Format::Png, "image/png");
    }
    if data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a") {
        return sniffed(Format::Gif, "image/gif");
    }
    if data.len() >= 12 && data.starts_with(b"RIFF") && &data[8..12] == b"WEBP" {
        return sniffed(Format::WebP, "image/webp");
    }
    if data.starts_with(b"BM") && data.len() >= 26 && bmp_header_plausible(data) {
        return sniffed(Format::Bmp, "image/bmp");
    }
    if let Some(tiff) = Tiff::new(data) {
        if data.get(8..10) == Some(b"CR") {
            return sniffed(Format::Tiff, "image/x-canon-cr2");
        }
        let mime = if tiff.is_dng() {
            "image/x-adobe-dng"
        } else {
            "image/tiff"
        };
        return sniffed(Format::Tiff, mime);
    }
    if let Some(found) = sniff_bmff(data) {
        return found;
    }
    if looks_like_text(data) {
        return Err(Unknown::Text);
    }
    let head: Vec<String> = data.iter().take(8).map(|b| format!("{b:02x}")).collect();
    Err(Unknown::Other(head.join(" ")))
}

fn bmp_header_plausible(data: &[u8]) -> bool {
    // The DIB header size is one of the known ones.
    let dib = u32::from_le_bytes([data[14], data[15], data[16], data[17]]);
    matches!(dib, 12 | 40 | 52 | 56 | 64 | 108 | 124)
}

/// ISO-BMFF: by the `ftyp` brands; a QuickTime file without `ftyp` starts with a movie atom.
fn sniff_bmff(data: &[u8]) -> Option<Result<Sniffed, Unknown>> {
    let first = bmff::boxes(data).next()?;
    if &first.kind != b"ftyp" {
        return matches!(
            &first.kind,
            b"moov" | b"mdat" | b"wide" | b"free" | b"skip" | b"pnot"
        )
        .then(|| sniffed(Format::Movie, "video/quicktime"));
    }
    let body = first.body;
    let major: [u8; 4] = body.get(0..4)?.try_into().ok()?;
    let compatible: Vec<&[u8]> = body.get(8..).unwrap_or(&[]).chunks_exact(4).collect();
    let has = |brand: &[u8; 4]| compatible.iter().any(|c| c == brand);
    Some(match &major {
        b"heic" | b"heix" | b"heim" | b"heis" => sniffed(Format::Heif, "image/heic"),
        b"hevc" | b"hevx" => sniffed(Format::Heif, "image/heic-sequence"),
        b"avif" | b"avis" => sniffed(Format::Heif, "image/avif"),
        b"mif1" | b"msf1" | b"miaf" | b"mif2" => {
            if has(b"heic") || has(b"heix") {
                sniffed(Format::Heif, "image/heic")
            } else if has(b"avif") {
                sniffed(Format::Heif, "image/avif")
            } else {
                sniffed(Format::Heif, "image/heif")
            }
        }
        b"crx " => Err(Unknown::Unsupported("Canon CR3 raw")),
        b"qt  " => sniffed(Format::Movie, "video/quicktime"),
        b"M4A " | b"M4B " | b"M4P " => Err(Unknown::Audio("an MPEG-4 audio file")),
        b"M4V " | b"M4VH" | b"M4VP" => sniffed(Format::Movie, "video/x-m4v"),
        [b'3', b'g', b'2', _] => sniffed(Format::Movie, "video/3gpp2"),
        [b'3', b'g', _, _] => sniffed(Format::Movie, "video/3gpp"),
        _ => sniffed(Format::Movie, "video/mp4"),
    })
}

/// True when the first bytes are (nearly) all printable UTF-8 text.
pub(crate) fn looks_like_text(data: &[u8]) -> bool {
    let head = &data[..data.len().min(512)];
    let text = match std::str::from_utf8(head) {
        Ok(s) => s,
        // A multi-byte character may be cut at the end of the window.
        Err(e) if e.valid_up_to() + 4 >= head.len() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or("")
        }
        Err(_) => return false,
    };
    !text.is_empty()
        && text
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::bmff::tests::bx;

    fn mime(data: &[u8]) -> Result<&'static str, Unknown> {
        sniff(data).map(|s| s.mime)
    }

    #[test]
    fn image_signatures() {
        assert_eq!(mime(b"\xff\xd8\xff\xe1rest"), Ok("image/jpeg"));
        assert_eq!(mime(b"\x89PNG\r\n\x1a\nrest"), Ok("image/png"));
        assert_eq!(mime(b"GIF89a...."), Ok("image/gif"));
        assert_eq!(mime(b"RIFF\0\0\0\0WEBPVP8 "), Ok("image/webp"));
        assert_eq!(mime(b"II*\0\x08\0\0\0"), Ok("image/tiff"));
        assert_eq!(mime(b"II*\0\x10\0\0\0CR\x02\0"), Ok("image/x-canon-cr2"));
        let mut bmp = b"BM".to_vec();
        bmp.extend([0u8; 12]);
        bmp.extend(40u32.to_le_bytes());
        bmp.extend([0u8; 8]);
        assert_eq!(mime(&bmp), Ok("image/bmp"));
    }

    fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
        let mut body = major.to_vec();
        body.extend([0, 0, 0, 0]);
        for c in compatible {
            body.extend_from_slice(*c);
        }
        bx(b"ftyp", &body)
    }

    #[test]
    fn iso_bmff_brands() {
        assert_eq!(mime(&ftyp(b"heic", &[b"mif1", b"heic"])), Ok("image/heic"));
        assert_eq!(mime(&ftyp(b"mif1", &[b"mif1", b"heic"])), Ok("image/heic"));
        assert_eq!(mime(&ftyp(b"mif1", &[b"mif1", b"avif"])), Ok("image/avif"));
        assert_eq!(mime(&ftyp(b"mif1", &[b"mif1"])), Ok("image/heif"));
        assert_eq!(mime(&ftyp(b"avif", &[b"avif", b"mif1"])), Ok("image/avif"));
        assert_eq!(mime(&ftyp(b"qt  ", &[b"qt  "])), Ok("video/quicktime"));
        assert_eq!(mime(&ftyp(b"mp42", &[b"isom", b"mp42"])), Ok("video/mp4"));
        assert_eq!(mime(&ftyp(b"isom", &[])), Ok("video/mp4"));
        assert_eq!(mime(&ftyp(b"3gp5", &[])), Ok("video/3gpp"));
        assert_eq!(mime(&ftyp(b"M4V ", &[])), Ok("video/x-m4v"));
        assert!(matches!(sniff(&ftyp(b"M4A ", &[])), Err(Unknown::Audio(_))));
        assert!(matches!(
            sniff(&ftyp(b"crx ", &[])),
            Err(Unknown::Unsupported(_))
        ));
        assert_eq!(mime(&bx(b"moov", &[])), Ok("video/quicktime"));
        assert_eq!(mime(&bx(b"wide", &[])), Ok("video/quicktime"));
    }

    #[test]
    fn text_and_unknown() {
        assert_eq!(sniff(b"This is not a photo.\n"), Err(Unknown::Text));
        assert_eq!(sniff("résumé, naïve\r\n".as_bytes()), Err(Unknown::Text));
        assert_eq!(
            sniff(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
            Err(Unknown::Other("00 01 02 03 04 05 06 07".into()))
        );
        // Text cut inside a multi-byte character is still text.
        let mut s = "é".repeat(300).into_bytes();
        s.truncate(511);
        assert!(looks_like_text(&s));
        assert!(!looks_like_text(b"\0\0\0"));
    }
}
