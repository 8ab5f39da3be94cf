//! `Exif`: the camera and place facts of an asset. One struct holds the union of Gumnut's
//! `ExifResponse` and `MetadataResponse` fields; the views emit each object's own subset.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::serde_time::opt_instant;

/// EXIF and place metadata. Every field is optional (`null` where unknown).
///
/// Used for both `exif` and `metadata` of an asset: `profile_description` belongs to `exif`
/// only; `country_code`, `sublocation`, `place_name`, `timezone` and `display_label` belong to
/// `metadata` only. Datetimes are instants; a naive input value is read as UTC.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Exif {
    /// Accepted on input (API responses carry it) and ignored: the view writes the asset's id.
    pub asset_id: Option<String>,
    /// When this object was created; defaults to the asset's `created_at`.
    #[serde(with = "opt_instant")]
    pub created_at: Option<DateTime<Utc>>,
    /// When this object was updated; defaults to the asset's `updated_at`.
    #[serde(with = "opt_instant")]
    pub updated_at: Option<DateTime<Utc>>,
    /// Camera maker.
    pub make: Option<String>,
    /// Camera model.
    pub model: Option<String>,
    /// EXIF orientation (1 to 8).
    pub orientation: Option<i32>,
    /// EXIF `ModifyDate`.
    #[serde(with = "opt_instant")]
    pub modified_datetime: Option<DateTime<Utc>>,
    /// EXIF `DateTimeOriginal`.
    #[serde(with = "opt_instant")]
    pub original_datetime: Option<DateTime<Utc>>,
    /// EXIF `CreateDate` (digitized).
    #[serde(with = "opt_instant")]
    pub digitized_datetime: Option<DateTime<Utc>>,
    /// Lens model.
    pub lens_model: Option<String>,
    /// Aperture.
    pub f_number: Option<f64>,
    /// Focal length in millimetres.
    pub focal_length: Option<f64>,
    /// ISO speed.
    pub iso: Option<i64>,
    /// Exposure time in seconds.
    pub exposure_time: Option<f64>,
    /// Exposure bias in EV.
    pub exposure_bias: Option<f64>,
    /// GPS latitude in degrees, north positive.
    pub latitude: Option<f64>,
    /// GPS longitude in degrees, east positive.
    pub longitude: Option<f64>,
    /// GPS altitude in metres.
    pub altitude: Option<f64>,
    /// City.
    pub city: Option<String>,
    /// State or region.
    pub state: Option<String>,
    /// Country.
    pub country: Option<String>,
    /// Camera-embedded description.
    pub description: Option<String>,
    /// Frames per second (videos).
    pub fps: Option<f64>,
    /// Live-photo content identifier.
    pub live_photo_cid: Option<String>,
    /// Projection type (e.g. equirectangular).
    pub projection_type: Option<String>,
    /// ICC profile description (`exif` only).
    pub profile_description: Option<String>,
    /// Auto-stack id.
    pub auto_stack_id: Option<String>,
    /// Rating.
    pub rating: Option<i64>,
    /// ISO country code (`metadata` only).
    pub country_code: Option<String>,
    /// Sub-location (`metadata` only).
    pub sublocation: Option<String>,
    /// Place name (`metadata` only).
    pub place_name: Option<String>,
    /// Timezone: `+02:00`, `UTC` or an IANA name (`metadata` only).
    pub timezone: Option<String>,
    /// Display label (`metadata` only).
    pub display_label: Option<String>,
}

impl Exif {
    pub(crate) fn floats(&self) -> [(&'static str, Option<f64>); 8] {
        [
            ("f_number", self.f_number),
            ("focal_length", self.focal_length),
            ("exposure_time", self.exposure_time),
            ("exposure_bias", self.exposure_bias),
            ("latitude", self.latitude),
            ("longitude", self.longitude),
            ("altitude", self.altitude),
            ("fps", self.fps),
        ]
    }

    pub(crate) fn metadata_only_fields(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        for (name, set) in [
            ("country_code", self.country_code.is_some()),
            ("sublocation", self.sublocation.is_some()),
            ("place_name", self.place_name.is_some()),
            ("timezone", self.timezone.is_some()),
            ("display_label", self.display_label.is_some()),
        ] {
            if set {
                v.push(name);
            }
        }
        v
    }
}
