//! The record types users see: assets, faces, people, albums, libraries, EXIF, and the time
//! rules they follow. Storage layouts live in the crate-private `storage` module
//! (docs/design.md); JSON shapes in [`crate::views`].

pub mod album;
pub mod asset;
pub mod exif;
pub mod face;
pub mod library;
pub mod person;
pub(crate) mod serde_time;
pub mod time;

pub use album::Album;
pub use asset::{
    Asset, AssetType, AssetUpdate, AssetVariant, NewAsset, TimeSource, Visibility,
    DEFAULT_DEVICE_ID, DEFAULT_MIME_TYPE,
};
pub use exif::Exif;
pub use face::{BoundingBox, Face, NewFace};
pub use library::Library;
pub use person::{NewPerson, Person};
pub use time::DateTimeInput;
