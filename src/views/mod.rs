//! Views: the JSON shapes derived from the public types. [`gumnut`] is the canonical shape
//! (Gumnut's `AssetResponse`); Immich's `AssetResponseDto` comes with the Immich reads.

pub mod gumnut;
pub(crate) mod json;
pub(crate) mod writer;
