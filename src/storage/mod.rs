//! The storage layer: table definitions, key encodings, record codec and the format record.

pub(crate) mod ascending;
pub(crate) mod codec;
pub(crate) mod fast;
pub mod immich_keys;
pub mod keys;
pub(crate) mod meta;
pub(crate) mod places;
pub(crate) mod queue;
pub mod tables;
pub(crate) mod upgrade;

pub use meta::{FORMAT_VERSION, OLDEST_SUPPORTED};
