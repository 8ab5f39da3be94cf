//! # photocat
//!
//! An embedded, in-process catalogue engine for photo and video libraries: "SQLite for photo
//! libraries". Asset records (file facts, EXIF, faces, people, albums, libraries, trash and
//! archive state) live in one [redb](https://docs.rs/redb) file with secondary indexes, and
//! list queries with the cursor semantics of the hosted photo APIs (Gumnut's `list_assets`)
//! are answered natively: a page costs in proportion to the page, not to the library.
//!
//! ```
//! # fn main() -> photocat::Result<()> {
//! use photocat::{AddAssets, Catalog, ListAssets, NewAsset};
//!
//! let dir = tempfile::tempdir()?;
//! let cat = Catalog::open(dir.path().join("photos.redb"))?;
//! let added = cat.add_assets(
//!     vec![NewAsset {
//!         local_datetime: Some("2023-11-07T07:31:56+02:00".parse()?),
//!         original_file_name: Some("IMG_0001.jpg".into()),
//!         ..Default::default()
//!     }],
//!     AddAssets::default(),
//! )?;
//! let page = cat.list_assets(&ListAssets::default())?;
//! assert_eq!(page.data[0].id, added[0].id);
//! assert!(page.to_json().contains(r#""local_datetime":"2023-11-07T07:31:56+02:00""#));
//! # Ok(()) }
//! ```
//!
//! The modules follow the data. Public, for users:
//! - [`model`]: what users see (assets, faces, people, albums, libraries, EXIF, the time rules);
//! - [`query`]: the reads ([`ListAssets`], counts, Immich-style reads, search, time buckets);
//! - [`views`]: JSON (Gumnut and Immich shapes) and, with `arrow`, Arrow batches;
//! - [`import`]: [`Catalog::import_paths`] (folder walks, reading files on every core);
//! - [`media`]: what a photo or video file says (MIME type, size, EXIF, movie boxes);
//! - [`ids`]: the public id format (generate, validate);
//! - `parquet` (feature `parquet`): Hive-partitioned Parquet export.
//!
//! Crate-private, in the order data travels: `catalog` ([`Catalog`]: open, create, the
//! snapshot cache of `snapshot`, read stats) → `write` (validate on every core, then one
//! transaction: record + every index + counters; the options [`AddAssets`], [`NewAlbum`],
//! [`NewLibrary`], [`OnDuplicate`] and [`AddedAsset`] are re-exported here) → `index`,
//! `immich_index`, `facets` (the secondary indexes every write maintains) → `storage` (tables,
//! key encodings, records, format versions) → `records` (stored record → public model, shared by
//! reads and writes; the library rule) → [`query`] (index range → records) → [`views`]. `error`
//! holds [`Error`] and [`Result`]; the `python` feature adds the `python` module (the
//! bindings).

#![deny(missing_docs)]
// No unsafe code in the engine. Without the `python` feature that is `forbid`; with it, `deny`,
// because pyo3's macros (`#[pyclass]`, `#[pymethods]`, `#[pymodule]`) expand to `unsafe` FFI
// glue that a `forbid` could not be lifted for. The one `allow` is on `mod python` below, whose
// own code is safe Rust: only the macro expansions there use `unsafe`.
#![cfg_attr(not(feature = "python"), forbid(unsafe_code))]
#![deny(unsafe_code)]

mod backup;
pub(crate) mod catalog;
pub(crate) mod error;
pub(crate) mod facets;
pub mod ids;
pub(crate) mod immich_index;
pub mod import;
pub(crate) mod index;
pub mod media;
pub mod model;
pub(crate) mod par;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod query;
pub(crate) mod records;
mod snapshot;
pub(crate) mod storage;
pub mod verify;
pub mod views;
pub(crate) mod write;

#[cfg(feature = "python")]
#[allow(unsafe_code)]
mod python;

// The `mimalloc` feature (Cargo.toml says why): mimalloc allocates for the whole program. On in
// the Python module and the CLI; off by default, since a Rust program chooses its allocator.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The checks of the fuzz targets in `fuzz/` and of `tests/fuzz_regressions.rs` (feature
/// `fuzzing`). Not a public API: hidden from the docs, outside semver, and absent from every
/// default build.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
#[path = "fuzz.rs"]
pub mod __fuzz;

/// The README's Rust examples, compiled and run as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

pub use catalog::{Catalog, OpenOptions, ReadStats};
pub use error::{Error, Result};
pub use import::{ImportPaths, ImportReport};
pub use model::{
    Album, Asset, AssetType, AssetUpdate, AssetVariant, BoundingBox, DateTimeInput, Exif, Face,
    Library, NewAsset, NewFace, NewPerson, Person, TimeSource, Visibility,
};
#[cfg(feature = "arrow")]
pub use query::batches::{AssetBatches, DEFAULT_BATCH_SIZE};
pub use query::buckets::{BucketSize, TimeBucket, TimeBuckets};
pub use query::counts::{LibrarySummary, Summary};
pub use query::immich::{AllAssets, AllAssetsJson, ChecksumMatch, GetAllAssets};
pub use query::list::AssetIter;
pub use query::random::RandomAssets;
pub use query::search::{SearchAssets, SearchPage};
pub use query::{AssetPage, ListAssets, State};
pub use verify::VerifyReport;

/// The file format version this build writes (and upgrades older supported files to on open);
/// [`Summary::format_version`] is that of an open catalogue. docs/design.md describes each
/// version.
pub const FORMAT_VERSION: u32 = storage::FORMAT_VERSION;
pub use write::{AddAssets, AddSummary, AddedAsset, NewAlbum, NewLibrary, OnDuplicate};
