//! From a file's bytes to its media facts: MIME type (sniffed from the bytes, never the name),
//! stored pixel size, orientation, camera EXIF, capture time with sub-seconds and offset, GPS,
//! and for movies rotation, duration and frame rate.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let bytes = std::fs::read("tests/data/photos/orientation/Landscape_5.jpg")?;
//! let info = photocat::media::probe(&bytes)?;
//! assert_eq!(info.mime_type, "image/jpeg");
//! assert_eq!((info.width, info.height), (Some(1200), Some(1800)));   // as stored
//! assert_eq!(info.orientation, Some(5));
//! assert_eq!(info.display_width(), Some(1800));                      // as displayed
//!
//! let err = photocat::media::probe(b"plain text, named photo.jpg").unwrap_err();
//! assert_eq!(err.to_string(), "not a photo or video (the bytes look like text)");
//! # Ok(()) }
//! ```
//!
//! Formats: JPEG, PNG, WebP, GIF, BMP, TIFF, DNG (and other TIFF-based RAW files, read as
//! TIFF), HEIC/HEIF/AVIF, and MP4/QuickTime/3GP movies. EXIF is read by the `exif` crate
//! (kamadak-exif) and pixel sizes of the simple formats by `imagesize`; the ISO-BMFF boxes
//! (HEIF item properties, movie headers and metadata), DNG SubIFDs and WebP's EXIF chunk are
//! read by this module. [`probe`] never panics and never reads outside the slice: a broken
//! EXIF block only leaves fields `None`, while bytes that are not a photo or video, or are cut
//! before the pixel size, are a [`ProbeError`].
//!
//! How values are read (they match exiftool's, see `tests/media_probe.rs`):
//! - `width`/`height` are the stored size: the JPEG frame header, PNG `IHDR`, the HEIF primary
//!   item's `ispe` (before `irot`), the DNG full-resolution SubIFD, a movie's video track
//!   header. [`MediaInfo::display_width`] swaps them for EXIF orientations 5 to 8 and for
//!   rotations of 90 or 270 degrees.
//! - `date_time_original` is EXIF DateTimeOriginal plus SubSecTimeOriginal, with `offset` from
//!   OffsetTimeOriginal (without DateTimeOriginal: the digitized time with its own sub-seconds
//!   and offset).
//! - Movies: QuickTime's creation time (`mvhd`) is a UTC instant. When the file records a
//!   local offset, in Apple's `com.apple.quicktime.creationdate` (`moov/meta` keys), else in
//!   the `©day` atom, `date_time_original` is that instant shifted by the offset and `offset`
//!   is set; otherwise it is the UTC value and `offset` is None (a `Z` suffix is not a local
//!   offset). Without a creation time in `mvhd`, the written `creationdate`/`©day` time is
//!   used as is. `duration` is `mvhd`'s; `fps` is the video track's sample count over the sum
//!   of its `stts` sample durations (exiftool's VideoFrameRate); `rotation` comes from the
//!   track matrix; GPS from `com.apple.quicktime.location.ISO6709`, else `©xyz`; make and
//!   model from Apple's keys, else `©mak`/`©mod`.
//! - `iso` is EXIF's ISO (PhotographicSensitivity) only; latitude, longitude and altitude are
//!   signed by their references.

mod bmff;
mod sniff;
mod tags;
mod tiff;
mod video;

use chrono::{FixedOffset, NaiveDateTime};

use crate::model::AssetType;
use sniff::{Format, Unknown};

/// What a photo or video file's bytes say about it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MediaInfo {
    /// MIME type sniffed from the bytes (exiftool's names): `image/jpeg`, `image/png`,
    /// `image/webp`, `image/gif`, `image/bmp`, `image/tiff`, `image/x-adobe-dng`,
    /// `image/x-canon-cr2`, `image/heic`, `image/heif`, `image/avif`, `image/heic-sequence`,
    /// `video/mp4`, `video/quicktime`, `video/x-m4v`, `video/3gpp`, `video/3gpp2`.
    pub mime_type: &'static str,
    /// Stored pixel width (before orientation or rotation).
    pub width: Option<u32>,
    /// Stored pixel height (before orientation or rotation).
    pub height: Option<u32>,
    /// EXIF orientation, 1 to 8 (None when absent or invalid; movies have none).
    pub orientation: Option<u16>,
    /// Container rotation in degrees clockwise (0, 90, 180, 270): a movie's video track
    /// matrix, or a HEIF primary item's `irot`. For HEIF it describes the same turn as the
    /// EXIF orientation, so the two are never applied together.
    pub rotation: Option<u16>,
    /// Camera maker.
    pub make: Option<String>,
    /// Camera model.
    pub model: Option<String>,
    /// Lens model (EXIF LensModel).
    pub lens_model: Option<String>,
    /// Aperture (f-number).
    pub f_number: Option<f64>,
    /// Focal length in millimetres.
    pub focal_length: Option<f64>,
    /// ISO speed (EXIF PhotographicSensitivity).
    pub iso: Option<u32>,
    /// Exposure time in seconds.
    pub exposure_time: Option<f64>,
    /// Exposure bias in EV.
    pub exposure_bias: Option<f64>,
    /// Capture time as a wall-clock time (EXIF DateTimeOriginal with its sub-seconds; for
    /// movies the local time per the module's rules).
    pub date_time_original: Option<NaiveDateTime>,
    /// The UTC offset of `date_time_original` when the file records it.
    pub offset: Option<FixedOffset>,
    /// Latitude in degrees, north positive.
    pub latitude: Option<f64>,
    /// Longitude in degrees, east positive.
    pub longitude: Option<f64>,
    /// Altitude in metres, negative below sea level.
    pub altitude: Option<f64>,
    /// Duration in seconds (movies).
    pub duration: Option<f64>,
    /// Frames per second of the video track (movies).
    pub fps: Option<f64>,
}

impl MediaInfo {
    /// True when width and height swap on display: EXIF orientation 5 to 8, or a rotation of
    /// 90 or 270 degrees.
    pub fn swaps_on_display(&self) -> bool {
        matches!(self.orientation, Some(5..=8)) || matches!(self.rotation, Some(90 | 270))
    }

    /// Width as displayed (the stored height for quarter turns).
    pub fn display_width(&self) -> Option<u32> {
        if self.swaps_on_display() {
            self.height
        } else {
            self.width
        }
    }

    /// Height as displayed (the stored width for quarter turns).
    pub fn display_height(&self) -> Option<u32> {
        if self.swaps_on_display() {
            self.width
        } else {
            self.height
        }
    }

    /// The asset type of the MIME type (`Image` or `Video`).
    pub fn asset_type(&self) -> AssetType {
        AssetType::from_mime(self.mime_type)
    }
}

/// Why a file's bytes gave no media facts. The messages are meant for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProbeError {
    /// The file has no bytes.
    #[error("empty file")]
    Empty,
    /// The bytes are not a photo or video format (the reason in brackets).
    #[error("not a photo or video ({0})")]
    NotMedia(String),
    /// A recognised format that photocat does not read.
    #[error("unsupported format: {0}")]
    Unsupported(&'static str),
    /// The file stops before the facts that every file of its format has (its pixel size).
    #[error("truncated {format}: {detail}")]
    Truncated {
        /// The format, e.g. `JPEG`.
        format: &'static str,
        /// What is missing.
        detail: String,
    },
    /// The file is complete but its structure gives no pixel size.
    #[error("unreadable {format}: {detail}")]
    Corrupt {
        /// The format, e.g. `HEIF`.
        format: &'static str,
        /// What is wrong.
        detail: String,
    },
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "JPEG",
            Format::Png => "PNG",
            Format::Gif => "GIF",
            Format::Bmp => "BMP",
            Format::WebP => "WebP",
            Format::Tiff => "TIFF",
            Format::Heif => "HEIF",
            Format::Movie => "MP4/QuickTime movie",
        }
    }
}

/// Reads the media facts of one file's bytes.
///
/// Errors: empty input, bytes that are not a recognised photo or video, and files cut (or
/// broken) before their pixel size. Missing or broken EXIF is not an error.
pub fn probe(bytes: &[u8]) -> Result<MediaInfo, ProbeError> {
    if bytes.is_empty() {
        return Err(ProbeError::Empty);
    }
    let sniffed = sniff::sniff(bytes).map_err(|why| match why {
        Unknown::Text => ProbeError::NotMedia("the bytes look like text".into()),
        Unknown::Audio(what) => ProbeError::NotMedia(what.into()),
        Unknown::Unsupported(what) => ProbeError::Unsupported(what),
        Unknown::Other(head) => {
            ProbeError::NotMedia(format!("unrecognised format; the file starts {head}"))
        }
    })?;
    let mut info = MediaInfo {
        mime_type: sniffed.mime,
        ..MediaInfo::default()
    };
    let format = sniffed.format;
    if format == Format::Movie {
        video::read(bytes, &mut info)?;
        return Ok(info);
    }
    let (width, height) = image_size(format, bytes, &mut info)?;
    info.width = Some(width);
    info.height = Some(height);
    if let Some(exif) = tags::read(format, bytes) {
        tags::apply(&exif, &mut info);
    }
    Ok(info)
}

/// The stored pixel size of an image (and a HEIF's `irot` into `info.rotation`).
fn image_size(
    format: Format,
    bytes: &[u8],
    info: &mut MediaInfo,
) -> Result<(u32, u32), ProbeError> {
    let name = format.name();
    match format {
        Format::Tiff => {
            let tiff = tiff::Tiff::new(bytes);
            tiff.and_then(|t| t.main_image_size())
                .ok_or_else(|| ProbeError::Truncated {
                    format: name,
                    detail: format!(
                        "no image width and height in the {} bytes of its image directories",
                        bytes.len()
                    ),
                })
        }
        Format::Heif => {
            let heif = bmff::heif_image(bytes);
            info.rotation = heif.rotation;
            heif.size.ok_or_else(|| {
                let cut = bmff::boxes(bytes).any(|b| b.truncated);
                if cut || bmff::find(bytes, b"meta").is_none() {
                    ProbeError::Truncated {
                        format: name,
                        detail: format!(
                            "no image properties (meta box) in its {} bytes",
                            bytes.len()
                        ),
                    }
                } else {
                    ProbeError::Corrupt {
                        format: name,
                        detail: "the primary image has no size (ispe) property".into(),
                    }
                }
            })
        }
        _ => match imagesize::blob_size(bytes) {
            Ok(size) => {
                let (w, h) = (u32::try_from(size.width), u32::try_from(size.height));
                match (w, h) {
                    (Ok(w), Ok(h)) if w > 0 && h > 0 => Ok((w, h)),
                    _ => Err(ProbeError::Corrupt {
                        format: name,
                        detail: format!("impossible pixel size {}x{}", size.width, size.height),
                    }),
                }
            }
            Err(imagesize::ImageError::IoError(_)) => Err(ProbeError::Truncated {
                format: name,
                detail: match format {
                    Format::Jpeg => format!(
                        "the file ends after {} bytes, before the frame header (SOF) that gives \
                         the pixel size",
                        bytes.len()
                    ),
                    _ => format!(
                        "the file ends after {} bytes, before its pixel size",
                        bytes.len()
                    ),
                },
            }),
            Err(e) => Err(ProbeError::Corrupt {
                format: name,
                detail: e.to_string(),
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_size_swaps_for_quarter_turns() {
        let mut info = MediaInfo {
            width: Some(4032),
            height: Some(3024),
            ..MediaInfo::default()
        };
        for (orientation, rotation, swapped) in [
            (None, None, false),
            (Some(1), None, false),
            (Some(3), None, false),
            (Some(5), None, true),
            (Some(8), None, true),
            (None, Some(90), true),
            (None, Some(180), false),
            (Some(6), Some(90), true),
        ] {
            info.orientation = orientation;
            info.rotation = rotation;
            let want = if swapped {
                (Some(3024), Some(4032))
            } else {
                (Some(4032), Some(3024))
            };
            assert_eq!((info.display_width(), info.display_height()), want);
        }
    }

    #[test]
    fn errors_read_as_sentences() {
        assert_eq!(probe(b"").unwrap_err().to_string(), "empty file");
        assert_eq!(
            probe(b"hello\n").unwrap_err().to_string(),
            "not a photo or video (the bytes look like text)"
        );
        assert_eq!(
            probe(&[0, 1, 2]).unwrap_err().to_string(),
            "not a photo or video (unrecognised format; the file starts 00 01 02)"
        );
        let err = probe(&[0xff, 0xd8, 0xff, 0xe0, 0, 16]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("truncated JPEG: the file ends after 6 bytes"),
            "{err}"
        );
        assert!(probe(b"II*\0\x08\0\0\0")
            .unwrap_err()
            .to_string()
            .starts_with("truncated TIFF"));
    }
}
