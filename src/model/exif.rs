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

/// A borrowed [`Exif`]: the same fields, strings borrowed (`&str` from an owned `Exif` or read
/// in place from a stored record, or a stored record's unchecked bytes,
/// `crate::storage::fast::Unchecked`). The JSON views write from it, so both sources share
/// one writer.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct ExifRef<S> {
    pub asset_id: Option<S>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub make: Option<S>,
    pub model: Option<S>,
    pub orientation: Option<i32>,
    pub modified_datetime: Option<DateTime<Utc>>,
    pub original_datetime: Option<DateTime<Utc>>,
    pub digitized_datetime: Option<DateTime<Utc>>,
    pub lens_model: Option<S>,
    pub f_number: Option<f64>,
    pub focal_length: Option<f64>,
    pub iso: Option<i64>,
    pub exposure_time: Option<f64>,
    pub exposure_bias: Option<f64>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub altitude: Option<f64>,
    pub city: Option<S>,
    pub state: Option<S>,
    pub country: Option<S>,
    pub description: Option<S>,
    pub fps: Option<f64>,
    pub live_photo_cid: Option<S>,
    pub projection_type: Option<S>,
    pub profile_description: Option<S>,
    pub auto_stack_id: Option<S>,
    pub rating: Option<i64>,
    pub country_code: Option<S>,
    pub sublocation: Option<S>,
    pub place_name: Option<S>,
    pub timezone: Option<S>,
    pub display_label: Option<S>,
}

impl Exif {
    /// The borrowed form.
    pub(crate) fn borrowed(&self) -> ExifRef<&str> {
        ExifRef {
            asset_id: self.asset_id.as_deref(),
            created_at: self.created_at,
            updated_at: self.updated_at,
            make: self.make.as_deref(),
            model: self.model.as_deref(),
            orientation: self.orientation,
            modified_datetime: self.modified_datetime,
            original_datetime: self.original_datetime,
            digitized_datetime: self.digitized_datetime,
            lens_model: self.lens_model.as_deref(),
            f_number: self.f_number,
            focal_length: self.focal_length,
            iso: self.iso,
            exposure_time: self.exposure_time,
            exposure_bias: self.exposure_bias,
            latitude: self.latitude,
            longitude: self.longitude,
            altitude: self.altitude,
            city: self.city.as_deref(),
            state: self.state.as_deref(),
            country: self.country.as_deref(),
            description: self.description.as_deref(),
            fps: self.fps,
            live_photo_cid: self.live_photo_cid.as_deref(),
            projection_type: self.projection_type.as_deref(),
            profile_description: self.profile_description.as_deref(),
            auto_stack_id: self.auto_stack_id.as_deref(),
            rating: self.rating,
            country_code: self.country_code.as_deref(),
            sublocation: self.sublocation.as_deref(),
            place_name: self.place_name.as_deref(),
            timezone: self.timezone.as_deref(),
            display_label: self.display_label.as_deref(),
        }
    }
}
