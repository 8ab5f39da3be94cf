//! Views: the JSON shapes derived from the public types. [`gumnut`] is the canonical shape
//! (Gumnut's `AssetResponse`); [`immich`] is Immich's `AssetResponseDto`. Both are `Serialize`
//! impls over borrowed view structs, written by one compact JSON writer. [`arrow`] (feature
//! `arrow`) is the columnar view: one Arrow schema for streams, tables and Parquet.

#[cfg(feature = "arrow")]
pub mod arrow;
pub mod gumnut;
pub mod immich;
pub(crate) mod json;
pub(crate) mod writer;
