//! `Catalog`: the Python face of [`crate::Catalog`]. Each method converts its arguments, runs
//! the engine call with the interpreter released ([`run`]), and wraps the result.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, Mutex, RwLock};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use serde::de::DeserializeOwned;

use super::convert::{
    from_json, id_list, opt_bool, opt_datetime_input, opt_non_negative_int, str_list,
};
use super::errors::{invalid, photocat_error, run};
use super::frames::PyArrowStream;
use super::model::{
    PyAlbum, PyAllAssets, PyAllAssetsJson, PyAsset, PyAssetPage, PyChecksumMatch, PyFace,
    PyLibrary, PyPerson, PySearchPage, PySummary,
};
use crate::catalog::Catalog;
use crate::model::{Asset, AssetUpdate, NewAsset, NewFace, NewPerson};
use crate::parquet::{ExportParquet, PartitionBy};
use crate::query::batches::DEFAULT_BATCH_SIZE;
use crate::query::list::{Pages, DEFAULT_PAGE_SIZE};
use crate::query::{ListAssets, State};
use crate::write::{AddAssets, NewAlbum, NewLibrary, OnDuplicate};
use crate::{
    AssetType, BucketSize, GetAllAssets, RandomAssets, SearchAssets, TimeBuckets, Visibility,
};

/// A page size or limit from a Python int; out-of-range values get the engine's message.
fn page_size(name: &str, value: i64) -> PyResult<u32> {
    u32::try_from(value).map_err(|_| invalid(crate::query::limit_message(name, value)))
}

/// A page number (1-indexed) from a Python int; 0 gets the engine's message, values no `u32`
/// holds one in the same words.
fn page_number(value: i64) -> PyResult<u32> {
    u32::try_from(value).map_err(|_| {
        invalid(if value < 0 {
            format!("page is 1-indexed: it must be at least 1, got {value}")
        } else {
            format!("page must be at most {}, got {value}", u32::MAX)
        })
    })
}

/// An optional string argument parsed by the engine's `FromStr` (its message on failure).
fn parse_opt<T: FromStr<Err = crate::Error>>(value: Option<&str>) -> PyResult<Option<T>> {
    Ok(value.map(T::from_str).transpose()?)
}

/// A keyword-argument dict as one of the engine's JSON input types.
fn fields<T: DeserializeOwned>(kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<T> {
    match kwargs {
        Some(d) => super::de::from_object(d.as_any(), ""),
        None => from_json(serde_json::Value::Object(serde_json::Map::new()), ""),
    }
}

/// The filters shared by `list_assets` and `iter_assets`.
#[allow(clippy::too_many_arguments)]
fn list_query(
    library_id: Option<String>,
    album_id: Option<String>,
    person_id: Option<String>,
    ids: Option<&Bound<'_, PyAny>>,
    local_datetime_after: Option<&Bound<'_, PyAny>>,
    local_datetime_before: Option<&Bound<'_, PyAny>>,
    starting_after_id: Option<String>,
    state: &str,
    limit: i64,
) -> PyResult<ListAssets> {
    Ok(ListAssets {
        library_id,
        album_id,
        person_id,
        ids: match ids {
            Some(o) if !o.is_none() => Some(id_list(o, "ids")?),
            _ => None,
        },
        local_datetime_after: opt_datetime_input(local_datetime_after, "local_datetime_after")?,
        local_datetime_before: opt_datetime_input(local_datetime_before, "local_datetime_before")?,
        starting_after_id,
        state: State::from_str(state)?,
        limit: page_size("limit", limit)?,
    })
}

// The signatures of the whole-result calls spell the default batch size out (so `help()` and
// stubtest see a number); it is the engine's. The same for `iter_assets`'s page size.
const _: () = assert!(DEFAULT_BATCH_SIZE == 65_536);
const _: () = assert!(DEFAULT_PAGE_SIZE == 200);

/// The filters and batch size of the whole-result calls (`arrow_stream`, `to_arrow`, ...):
/// those of `list_assets` without `limit`, and `batch_size` (at least 1).
#[allow(clippy::too_many_arguments)]
fn stream_query(
    library_id: Option<String>,
    album_id: Option<String>,
    person_id: Option<String>,
    ids: Option<&Bound<'_, PyAny>>,
    local_datetime_after: Option<&Bound<'_, PyAny>>,
    local_datetime_before: Option<&Bound<'_, PyAny>>,
    starting_after_id: Option<String>,
    state: &str,
    batch_size: i64,
) -> PyResult<(ListAssets, usize)> {
    let query = list_query(
        library_id,
        album_id,
        person_id,
        ids,
        local_datetime_after,
        local_datetime_before,
        starting_after_id,
        state,
        i64::from(crate::query::DEFAULT_LIMIT),
    )?;
    let batch_size = usize::try_from(batch_size)
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| invalid(format!("batch_size must be at least 1, got {batch_size}")))?;
    Ok((query, batch_size))
}

/// Calls `photocat._frames.<name>(stream)`, the Python half of the frame calls (it imports
/// pyarrow, polars or pandas, and names the one that is missing).
fn frames_call<'py>(
    py: Python<'py>,
    name: &str,
    stream: PyArrowStream,
) -> PyResult<Bound<'py, PyAny>> {
    py.import("photocat._frames")?
        .getattr(name)?
        .call1((Py::new(py, stream)?,))
}

/// A photocat catalogue: one redb file (or memory) holding assets, albums, people and faces.
///
/// Reads run concurrently with one writer, each read call sees one consistent snapshot, and
/// every call releases the interpreter while it touches storage, so other Python threads run
/// meanwhile. Use it as a context manager, or call `close()`.
///
/// >>> import photocat
/// >>> with photocat.Catalog.in_memory() as cat:
/// ...     assets = cat.add_assets([{"local_datetime": "2023-11-07T07:31:56+02:00",
/// ...                               "original_file_name": "IMG_0001.jpg"}])
/// ...     page = cat.list_assets(limit=50)
/// >>> [a.original_file_name for a in page.data]
/// ['IMG_0001.jpg']
#[pyclass(module = "photocat", name = "Catalog", frozen)]
pub(crate) struct PyCatalog {
    slot: RwLock<Slot>,
    path: Option<PathBuf>,
    upgraded_from: Option<u32>,
}

/// Where the engine's catalogue of a Python `Catalog` is. The lock around it is only ever held
/// for a moment (never across an engine call), so taking it while attached cannot deadlock.
enum Slot {
    /// Open: each call clones the `Arc` for its duration.
    Open(Arc<Catalog>),
    /// `compact()` owns the catalogue while it runs (interpreter released); `close_after` is
    /// set by a `close()` that came meanwhile.
    Compacting {
        close_after: bool,
    },
    Closed,
}

impl PyCatalog {
    fn slot(&self) -> std::sync::RwLockWriteGuard<'_, Slot> {
        self.slot.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The open catalogue, or `PhotocatError` when it was closed or is being compacted.
    pub(crate) fn cat(&self, py: Python<'_>) -> PyResult<Arc<Catalog>> {
        match &*self.slot.read().unwrap_or_else(|e| e.into_inner()) {
            Slot::Open(cat) => Ok(Arc::clone(cat)),
            Slot::Compacting { close_after: false } => Err(photocat_error(
                py,
                "the catalogue is being compacted (compact() is running in another thread); \
                 try again when it returns",
            )),
            Slot::Compacting { close_after: true } | Slot::Closed => {
                Err(photocat_error(py, "the catalogue is closed"))
            }
        }
    }

    fn wrap(cat: Catalog) -> PyCatalog {
        PyCatalog {
            path: cat.path().map(|p| p.to_path_buf()),
            upgraded_from: cat.upgraded_from(),
            slot: RwLock::new(Slot::Open(Arc::new(cat))),
        }
    }
}

fn assets(list: Vec<Asset>) -> Vec<PyAsset> {
    list.into_iter().map(PyAsset::one).collect()
}

#[pymethods]
impl PyCatalog {
    /// Opens the catalogue at `path` (a `str` or `os.PathLike`), creating the file when it does
    /// not exist. A file that is not a photocat catalogue raises `NotACatalogError`, one of
    /// another format version `UnsupportedVersionError`; the file is left untouched.
    ///
    /// `cache_size` is the most memory, in bytes, the storage engine's page cache may hold
    /// (None: 1 GiB, redb's default). A cache as large as the file's tables makes writes to a
    /// catalogue of millions of assets faster; it changes nothing in the file. A negative
    /// size raises `InvalidArgument`.
    ///
    /// >>> import photocat, tempfile, pathlib
    /// >>> with tempfile.TemporaryDirectory() as d:
    /// ...     with photocat.Catalog.open(pathlib.Path(d) / "photos.redb") as cat:
    /// ...         print(cat.path.endswith("photos.redb"))
    /// True
    #[staticmethod]
    #[pyo3(signature = (path, *, cache_size=None))]
    fn open(py: Python<'_>, path: PathBuf, cache_size: Option<i128>) -> PyResult<PyCatalog> {
        let cache_size = cache_size
            .map(|n| {
                usize::try_from(n).map_err(|_| {
                    invalid(format!(
                        "cache_size must be a number of bytes from 0 to {}, got {n}",
                        usize::MAX
                    ))
                })
            })
            .transpose()?;
        let options = crate::OpenOptions { cache_size };
        let cat = run(py, || Catalog::open_with(&path, &options))?;
        Ok(PyCatalog::wrap(cat))
    }

    /// A catalogue that lives in memory only; nothing touches disk.
    ///
    /// >>> import photocat
    /// >>> photocat.Catalog.in_memory().list_libraries()
    /// []
    #[staticmethod]
    fn in_memory(py: Python<'_>) -> PyResult<PyCatalog> {
        let cat = run(py, Catalog::in_memory)?;
        Ok(PyCatalog::wrap(cat))
    }

    /// The file of the catalogue as a `str`, or None in memory.
    #[getter]
    fn path(&self) -> Option<String> {
        self.path.as_ref().map(|p| p.to_string_lossy().into_owned())
    }

    /// The format version the file had when `open` upgraded it to the current one (the file
    /// can then no longer be opened by older photocat versions); None when it was current.
    ///
    /// >>> photocat.Catalog.in_memory().upgraded_from is None
    /// True
    #[getter]
    fn upgraded_from(&self) -> Option<u32> {
        self.upgraded_from
    }

    /// True once `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        matches!(
            &*self.slot.read().unwrap_or_else(|e| e.into_inner()),
            Slot::Closed | Slot::Compacting { close_after: true }
        )
    }

    /// Closes the catalogue (idempotent). Later calls raise `PhotocatError`; a call still
    /// running in another thread (`compact()` included) finishes first, and the file is
    /// released after it.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> cat.close(); cat.closed
    /// True
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let mut slot = self.slot();
        match std::mem::replace(&mut *slot, Slot::Closed) {
            Slot::Open(cat) => {
                drop(slot);
                match Arc::try_unwrap(cat) {
                    Ok(cat) => run(py, || cat.close()),
                    // Another thread is inside a call: the catalogue closes when that call ends.
                    Err(shared) => {
                        py.detach(move || drop(shared));
                        Ok(())
                    }
                }
            }
            // compact() closes it when it is done.
            Slot::Compacting { .. } => {
                *slot = Slot::Compacting { close_after: true };
                Ok(())
            }
            Slot::Closed => Ok(()),
        }
    }

    /// Compacts the file: rewrites the live pages to its front and gives the free space back
    /// to the file system (space that copy-on-write updates leave behind, e.g. after a bulk
    /// import followed by many edits). Returns True when anything was freed.
    ///
    /// It needs the catalogue to itself: while it runs (with the interpreter released), calls
    /// from other threads raise `PhotocatError`, and it raises `PhotocatError` itself, changing
    /// nothing, when a call is running in another thread. Iterators of `iter_assets` are not
    /// calls: they hold no snapshot between pages and go on where they were afterwards.
    ///
    /// >>> import photocat, tempfile, pathlib
    /// >>> with tempfile.TemporaryDirectory() as d:
    /// ...     with photocat.Catalog.open(pathlib.Path(d) / "photos.redb") as cat:
    /// ...         added = cat.add_assets([{"local_datetime": f"2024-01-01T00:00:{s:02d}"} for s in range(60)])
    /// ...         cat.delete_assets([a.id for a in added])
    /// ...         freed = cat.compact()
    /// ...         print(freed, len(cat.list_assets()))
    /// True 0
    fn compact(&self, py: Python<'_>) -> PyResult<bool> {
        let mut cat = {
            let mut slot = self.slot();
            match std::mem::replace(&mut *slot, Slot::Closed) {
                Slot::Open(shared) => match Arc::try_unwrap(shared) {
                    Ok(cat) => {
                        *slot = Slot::Compacting { close_after: false };
                        cat
                    }
                    Err(shared) => {
                        *slot = Slot::Open(shared);
                        return Err(photocat_error(
                            py,
                            "compact() needs the catalogue to itself, and a call is running in \
                             another thread; try again when it has returned",
                        ));
                    }
                },
                Slot::Compacting { close_after } => {
                    *slot = Slot::Compacting { close_after };
                    let message = if close_after {
                        "the catalogue is closed"
                    } else {
                        "compact() is already running in another thread"
                    };
                    return Err(photocat_error(py, message));
                }
                Slot::Closed => return Err(photocat_error(py, "the catalogue is closed")),
            }
        };
        // A panic of the storage engine is caught by `run`; the catalogue is still ours.
        let freed = run(py, || cat.compact());
        let mut slot = self.slot();
        if matches!(&*slot, Slot::Compacting { close_after: true }) {
            *slot = Slot::Closed;
            drop(slot);
            let closed = run(py, move || cat.close());
            return freed.and_then(|f| closed.map(|()| f));
        }
        *slot = Slot::Open(Arc::new(cat));
        freed
    }

    /// Writes a consistent copy of the catalogue to a new file at `path` (a `str` or
    /// `os.PathLike`) while other threads go on reading and writing (the interpreter is
    /// released meanwhile). The copy holds exactly one committed state, every write committed
    /// before the call and none after; it opens with `Catalog.open` like the original.
    ///
    /// The copy is written under a hidden temporary name in `path`'s folder and moved into
    /// place when complete, so a failed or killed backup leaves nothing at `path`. An existing
    /// file is never replaced: it raises `StorageError` (its `filename` is `path`); `path`
    /// naming this catalogue's own file raises `InvalidArgument`.
    ///
    /// >>> import photocat, tempfile, pathlib
    /// >>> with tempfile.TemporaryDirectory() as d:
    /// ...     with photocat.Catalog.open(pathlib.Path(d) / "photos.redb") as cat:
    /// ...         _ = cat.add_assets([{"original_file_name": "IMG_0001.jpg"}])
    /// ...         cat.backup(pathlib.Path(d) / "backup.redb")
    /// ...     with photocat.Catalog.open(pathlib.Path(d) / "backup.redb") as copy:
    /// ...         print([a.original_file_name for a in copy.list_assets().data])
    /// ['IMG_0001.jpg']
    fn backup(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let cat = self.cat(py)?;
        run(py, move || cat.backup(&path))
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, PyTuple>) -> PyResult<bool> {
        self.close(py)?;
        Ok(false)
    }

    fn __repr__(&self) -> String {
        let closed = if self.closed() { ", closed" } else { "" };
        match &self.path {
            Some(p) => format!("Catalog.open({:?}{closed})", p.to_string_lossy()),
            None => format!("Catalog.in_memory({})", closed.trim_start_matches(", ")),
        }
    }

    /// Creates a library. Checksums are unique per library; with one library,
    /// `library_id=None` everywhere means that one.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> cat.create_library("Family", id="library_family").name
    /// 'Family'
    #[pyo3(signature = (name, id=None, owner_id=None))]
    fn create_library(
        &self,
        py: Python<'_>,
        name: String,
        id: Option<String>,
        owner_id: Option<String>,
    ) -> PyResult<PyLibrary> {
        let cat = self.cat(py)?;
        let lib = run(py, || cat.create_library(NewLibrary { name, id, owner_id }))?;
        Ok(PyLibrary { inner: lib })
    }

    /// Every library, by id.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> _ = cat.create_library("A", id="library_a")
    /// >>> [lib.id for lib in cat.list_libraries()]
    /// ['library_a']
    fn list_libraries(&self, py: Python<'_>) -> PyResult<Vec<PyLibrary>> {
        let cat = self.cat(py)?;
        let libs = run(py, || cat.list_libraries())?;
        Ok(libs.into_iter().map(|l| PyLibrary { inner: l }).collect())
    }

    /// Every album, or those of one library, oldest first (by creation time, then id), each
    /// with its maintained `asset_count` (live assets). Unlike lists, `library_id=None` means
    /// every library; an unknown `library_id` raises `NotFoundError`.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> [a] = cat.add_assets([{"local_datetime": "2024-05-01T10:00:00"}])
    /// >>> trip, _ = cat.create_album("Trip"), cat.create_album("Empty")
    /// >>> cat.add_to_album(trip.id, [a.id])
    /// >>> [(album.name, album.asset_count) for album in cat.list_albums()]
    /// [('Trip', 1), ('Empty', 0)]
    #[pyo3(signature = (library_id=None))]
    fn list_albums(&self, py: Python<'_>, library_id: Option<String>) -> PyResult<Vec<PyAlbum>> {
        let cat = self.cat(py)?;
        let albums = run(py, || cat.list_albums(library_id.as_deref()))?;
        Ok(albums.into_iter().map(|a| PyAlbum { inner: a }).collect())
    }

    /// Every person, most assets first (ties by id), with the maintained `asset_count` (live
    /// assets with a face of the person).
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> [a] = cat.add_assets([{"local_datetime": "2024-05-01T10:00:00"}])
    /// >>> ann, bob = cat.create_person("Ann"), cat.create_person("Bob")
    /// >>> _ = cat.add_faces([{"asset_id": a.id, "person_id": bob.id,
    /// ...                     "bounding_box": {"x": 0, "y": 0, "w": 9, "h": 9}}])
    /// >>> [(p.name, p.asset_count) for p in cat.list_people()]
    /// [('Bob', 1), ('Ann', 0)]
    fn list_people(&self, py: Python<'_>) -> PyResult<Vec<PyPerson>> {
        let cat = self.cat(py)?;
        let people = run(py, || cat.list_people())?;
        Ok(people.into_iter().map(|p| PyPerson { inner: p }).collect())
    }

    /// The exact number of assets `list_assets` would return with these filters over all its
    /// pages. A library, an album or a person alone (in any `state`) is answered from
    /// maintained counts whatever the library's size; time bounds, or album and person
    /// together, walk index entries but read no asset; `ids` reads those (at most 100).
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> added = cat.add_assets([{"local_datetime": f"2024-05-0{d}T10:00:00"} for d in range(1, 6)])
    /// >>> cat.trash_assets([added[0].id])
    /// >>> cat.count_assets(), cat.count_assets(state="trashed"), cat.count_assets(state="all")
    /// (4, 1, 5)
    /// >>> cat.count_assets(local_datetime_after="2024-05-03T12:00:00")
    /// 2
    #[pyo3(signature = (library_id=None, album_id=None, person_id=None, ids=None,
        local_datetime_after=None, local_datetime_before=None, state="live"))]
    #[allow(clippy::too_many_arguments)]
    fn count_assets(
        &self,
        py: Python<'_>,
        library_id: Option<String>,
        album_id: Option<String>,
        person_id: Option<String>,
        ids: Option<&Bound<'_, PyAny>>,
        local_datetime_after: Option<&Bound<'_, PyAny>>,
        local_datetime_before: Option<&Bound<'_, PyAny>>,
        state: &str,
    ) -> PyResult<u64> {
        let cat = self.cat(py)?;
        let query = list_query(
            library_id,
            album_id,
            person_id,
            ids,
            local_datetime_after,
            local_datetime_before,
            None,
            state,
            i64::from(crate::query::DEFAULT_LIMIT),
        )?;
        run(py, || cat.count_assets(&query))
    }

    /// Checks the catalogue against its records: every index entry (none missing, none extra,
    /// each at its position), every maintained counter, id map, checksum entry, link and face
    /// id. Returns a `VerifyReport`; a catalogue written only by photocat is always `ok`. It
    /// reads one snapshot, with the interpreter released, while other threads go on reading and
    /// writing, and never writes to the catalogue (its scratch rebuild goes to a temporary
    /// file).
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> _ = cat.add_assets([{"local_datetime": "2024-05-01T10:00:00"}])
    /// >>> report = cat.verify()
    /// >>> report.ok, report.problems, report.counts["assets"]
    /// (True, [], 1)
    fn verify(&self, py: Python<'_>) -> PyResult<super::verify::PyVerifyReport> {
        let cat = self.cat(py)?;
        let inner = run(py, || cat.verify())?;
        Ok(super::verify::PyVerifyReport { inner })
    }

    /// The catalogue at a glance: format version, file size, each library's live and trashed
    /// assets and albums, and the numbers of albums and people (all from maintained counts).
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> _ = cat.add_assets([{"local_datetime": "2024-05-01T10:00:00"}])
    /// >>> s = cat.summary()
    /// >>> s.libraries[0].library.name, s.libraries[0].live, s.albums, s.file_size_bytes
    /// ('Default', 1, 0, None)
    fn summary(&self, py: Python<'_>) -> PyResult<PySummary> {
        let cat = self.cat(py)?;
        let summary = run(py, || cat.summary())?;
        Ok(PySummary { inner: summary })
    }

    /// Adds records (dicts in the canonical Gumnut shape, any subset, or `Asset` objects) in
    /// one transaction and returns the new assets in order. Datetime values may be `datetime`
    /// objects (`pandas.Timestamp` included), `numpy.datetime64`, or ISO 8601 strings; a naive
    /// value is wall-clock time for `local_datetime` and UTC for the instant fields
    /// (`created_at`, `trashed_at`, ...); nanoseconds are truncated to microseconds; `NaT` is a
    /// missing value, like None. `duration` takes a `timedelta` (pandas', numpy's too) or
    /// Immich's text `H:MM:SS.ffffff`. `library_id=None` uses the only library (creating
    /// "Default" when there is none). `on_duplicate="error"` raises `DuplicateError` for a
    /// checksum that already exists; `"skip"` returns the existing asset in its place.
    ///
    /// >>> import photocat, datetime
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> [a] = cat.add_assets([{"local_datetime": datetime.datetime(2024, 5, 1, 10, 0),
    /// ...                        "exif": {"make": "Canon", "iso": 200}}])
    /// >>> a.exif["make"], a.local_offset is None
    /// ('Canon', True)
    #[pyo3(signature = (records, library_id=None, on_duplicate="error"))]
    fn add_assets(
        &self,
        py: Python<'_>,
        records: &Bound<'_, PyAny>,
        library_id: Option<String>,
        on_duplicate: &str,
    ) -> PyResult<Vec<PyAsset>> {
        let cat = self.cat(py)?;
        let new: Vec<NewAsset> = super::convert::records(records, "records")?;
        let on_duplicate = OnDuplicate::from_str(on_duplicate)?;
        let opts = AddAssets {
            library_id,
            on_duplicate,
        };
        Ok(assets(run(py, || cat.add_assets(new, opts))?))
    }

    /// `add_assets` for bulk loads: the same write (one transaction; the same records, rules,
    /// errors and stored bytes) that returns only counts, an `AddSummary` of the records that
    /// created an asset and of those skipped as duplicates (`on_duplicate="skip"`), so no
    /// `Asset` object is built. Use it when the results would be dropped; records given an
    /// `id` can be read back by it.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> rec = {"checksum": "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="}
    /// >>> cat.add_assets_summary([rec, rec, {"id": "beach"}], on_duplicate="skip")
    /// AddSummary(created=2, skipped=1)
    /// >>> cat.get_asset("beach").id
    /// 'beach'
    #[pyo3(signature = (records, library_id=None, on_duplicate="error"))]
    fn add_assets_summary(
        &self,
        py: Python<'_>,
        records: &Bound<'_, PyAny>,
        library_id: Option<String>,
        on_duplicate: &str,
    ) -> PyResult<super::added::PyAddSummary> {
        let cat = self.cat(py)?;
        let new: Vec<NewAsset> = super::convert::records(records, "records")?;
        let on_duplicate = OnDuplicate::from_str(on_duplicate)?;
        let opts = AddAssets {
            library_id,
            on_duplicate,
        };
        let inner = run(py, || cat.add_assets_summary(new, opts))?;
        Ok(super::added::PyAddSummary { inner })
    }

    /// Changes the given fields of an asset (keyword arguments in the canonical shape; `None`
    /// clears a nullable field), bumps `updated_at`, and returns the asset. Datetimes are
    /// taken as by `add_assets` (`pandas.Timestamp`, `numpy.datetime64` included).
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> [a] = cat.add_assets([{"local_datetime": "2024-05-01T10:00:00"}])
    /// >>> cat.update_asset(a.id, description="Beach", is_favorite=True).description
    /// 'Beach'
    #[pyo3(signature = (asset_id, **fields))]
    fn update_asset(
        &self,
        py: Python<'_>,
        asset_id: String,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyAsset> {
        let cat = self.cat(py)?;
        let update: AssetUpdate = self::fields(fields)?;
        let asset = run(py, || cat.update_asset(&asset_id, update))?;
        Ok(PyAsset::one(asset))
    }

    /// Moves assets to the trash (`trashed_at` set). Unknown ids raise `NotFoundError` and
    /// change nothing.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> [a] = cat.add_assets([{"local_datetime": "2024-05-01T10:00:00"}])
    /// >>> cat.trash_assets([a.id]); cat.get_asset(a.id).is_trashed
    /// True
    fn trash_assets(&self, py: Python<'_>, ids: &Bound<'_, PyAny>) -> PyResult<()> {
        let cat = self.cat(py)?;
        let ids = id_list(ids, "ids")?;
        run(py, || cat.trash_assets(&ids))
    }

    /// Takes assets out of the trash (`trashed_at` cleared).
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> [a] = cat.add_assets([{"local_datetime": "2024-05-01T10:00:00"}])
    /// >>> cat.trash_assets([a.id]); cat.restore_assets([a.id]); cat.get_asset(a.id).is_trashed
    /// False
    fn restore_assets(&self, py: Python<'_>, ids: &Bound<'_, PyAny>) -> PyResult<()> {
        let cat = self.cat(py)?;
        let ids = id_list(ids, "ids")?;
        run(py, || cat.restore_assets(&ids))
    }

    /// Deletes assets permanently, with their faces, album links and index entries.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> [a] = cat.add_assets([{"local_datetime": "2024-05-01T10:00:00"}])
    /// >>> cat.delete_assets([a.id]); len(cat.list_assets(state="all"))
    /// 0
    fn delete_assets(&self, py: Python<'_>, ids: &Bound<'_, PyAny>) -> PyResult<()> {
        let cat = self.cat(py)?;
        let ids = id_list(ids, "ids")?;
        run(py, || cat.delete_assets(&ids))
    }

    /// Creates an album in a library (`library_id=None`: the only library), with its first
    /// assets (`asset_ids`, as `add_to_album` adds them) in the same transaction.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> cat.create_album("Trip", description="Summer").description
    /// 'Summer'
    /// >>> [a] = cat.add_assets([{"local_datetime": "2024-05-01T10:00:00"}])
    /// >>> cat.create_album("Best", asset_ids=[a.id]).asset_count
    /// 1
    #[pyo3(signature = (name, library_id=None, description=None, id=None, asset_ids=None))]
    fn create_album(
        &self,
        py: Python<'_>,
        name: String,
        library_id: Option<String>,
        description: Option<String>,
        id: Option<String>,
        asset_ids: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyAlbum> {
        let cat = self.cat(py)?;
        let asset_ids = match asset_ids {
            Some(ids) if !ids.is_none() => id_list(ids, "asset_ids")?,
            _ => Vec::new(),
        };
        let album = run(py, || {
            cat.create_album(NewAlbum {
                name,
                library_id,
                description,
                id,
                asset_ids,
            })
        })?;
        Ok(PyAlbum { inner: album })
    }

    /// One album by id.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> album = cat.create_album("Trip")
    /// >>> cat.get_album(album.id) == album
    /// True
    fn get_album(&self, py: Python<'_>, album_id: String) -> PyResult<PyAlbum> {
        let cat = self.cat(py)?;
        let album = run(py, || cat.get_album(&album_id))?;
        Ok(PyAlbum { inner: album })
    }

    /// Adds assets to an album (assets of the album's library; ones already in it stay).
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> [a] = cat.add_assets([{"local_datetime": "2024-05-01T10:00:00"}])
    /// >>> album = cat.create_album("Trip")
    /// >>> cat.add_to_album(album.id, [a.id]); [x.id for x in cat.list_album_assets(album.id)] == [a.id]
    /// True
    fn add_to_album(
        &self,
        py: Python<'_>,
        album_id: String,
        asset_ids: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let cat = self.cat(py)?;
        let ids = id_list(asset_ids, "asset_ids")?;
        run(py, || cat.add_to_album(&album_id, &ids))
    }

    /// Adds assets to many albums in one transaction: ``links`` maps each album id to its
    /// asset ids (as ``add_to_album`` for each, all or nothing). Each ``add_to_album`` call
    /// is a durable commit; linking thousands of albums this way pays for one.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> a, b = cat.add_assets([{"local_datetime": "2024-05-01T10:00:00"}] * 2)
    /// >>> trip, best = cat.create_album("Trip"), cat.create_album("Best")
    /// >>> cat.add_to_albums({trip.id: [a.id, b.id], best.id: [b.id]})
    /// >>> cat.get_album(trip.id).asset_count, cat.get_album(best.id).asset_count
    /// (2, 1)
    fn add_to_albums(&self, py: Python<'_>, links: &Bound<'_, PyAny>) -> PyResult<()> {
        let cat = self.cat(py)?;
        let dict = links.cast::<pyo3::types::PyDict>().map_err(|_| {
            pyo3::exceptions::PyTypeError::new_err(format!(
                "links must be a dict of album id to asset ids, got {}",
                links
                    .get_type()
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            ))
        })?;
        let mut owned: Vec<(String, Vec<String>)> = Vec::with_capacity(dict.len());
        for (k, v) in dict.iter() {
            let album: String = k.extract().map_err(|_| {
                pyo3::exceptions::PyTypeError::new_err("links: every album id must be a str")
            })?;
            owned.push((album, id_list(&v, "links[...]")?));
        }
        let refs: Vec<(&str, &[String])> = owned
            .iter()
            .map(|(a, ids)| (a.as_str(), ids.as_slice()))
            .collect();
        run(py, || cat.add_to_albums(&refs))
    }

    /// Removes assets from an album.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> [a] = cat.add_assets([{"local_datetime": "2024-05-01T10:00:00"}])
    /// >>> album = cat.create_album("Trip")
    /// >>> cat.add_to_album(album.id, [a.id]); cat.remove_from_album(album.id, [a.id])
    /// >>> cat.list_album_assets(album.id)
    /// []
    fn remove_from_album(
        &self,
        py: Python<'_>,
        album_id: String,
        asset_ids: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let cat = self.cat(py)?;
        let ids = id_list(asset_ids, "asset_ids")?;
        run(py, || cat.remove_from_album(&album_id, &ids))
    }

    /// Creates a person. `birth_date` is a `date` or `"YYYY-MM-DD"`.
    ///
    /// >>> import photocat, datetime
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> cat.create_person("Ada", birth_date=datetime.date(1815, 12, 10)).birth_date
    /// datetime.date(1815, 12, 10)
    #[pyo3(signature = (name=None, birth_date=None, is_hidden=false, is_favorite=false, id=None))]
    fn create_person(
        &self,
        py: Python<'_>,
        name: Option<String>,
        birth_date: Option<&Bound<'_, PyAny>>,
        is_hidden: bool,
        is_favorite: bool,
        id: Option<String>,
    ) -> PyResult<PyPerson> {
        let cat = self.cat(py)?;
        let birth_date = match birth_date {
            Some(b) => super::de::to_value(b, "birth_date")?,
            None => serde_json::Value::Null,
        };
        let person: NewPerson = from_json(
            serde_json::json!({
                "name": name,
                "birth_date": birth_date,
                "is_hidden": is_hidden,
                "is_favorite": is_favorite,
                "id": id,
            }),
            "",
        )?;
        let person = run(py, || cat.create_person(person))?;
        Ok(PyPerson { inner: person })
    }

    /// One person by id, with the maintained `asset_count`.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> p = cat.create_person("Ada")
    /// >>> cat.get_person(p.id).asset_count
    /// 0
    fn get_person(&self, py: Python<'_>, person_id: String) -> PyResult<PyPerson> {
        let cat = self.cat(py)?;
        let person = run(py, || cat.get_person(&person_id))?;
        Ok(PyPerson { inner: person })
    }

    /// Changes the given fields of a person (`name`, `birth_date`, `is_hidden`,
    /// `is_favorite`, `thumbnail_face_id`, ...) and returns it.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> p = cat.create_person("Ada")
    /// >>> cat.update_person(p.id, name="Ada Lovelace", is_favorite=True).name
    /// 'Ada Lovelace'
    #[pyo3(signature = (person_id, **fields))]
    fn update_person(
        &self,
        py: Python<'_>,
        person_id: String,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyPerson> {
        let cat = self.cat(py)?;
        let update: NewPerson = self::fields(fields)?;
        let person = run(py, || cat.update_person(&person_id, update))?;
        Ok(PyPerson { inner: person })
    }

    /// Moves every face of the `from_ids` people to `into_id`, deletes them, and returns the
    /// merged person.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> a, b = cat.create_person("Ada"), cat.create_person("A. Lovelace")
    /// >>> cat.merge_people(a.id, [b.id]).id == a.id
    /// True
    fn merge_people(
        &self,
        py: Python<'_>,
        into_id: String,
        from_ids: &Bound<'_, PyAny>,
    ) -> PyResult<PyPerson> {
        let cat = self.cat(py)?;
        let ids = id_list(from_ids, "from_ids")?;
        let person = run(py, || cat.merge_people(&into_id, &ids))?;
        Ok(PyPerson { inner: person })
    }

    /// Adds faces (`{"asset_id", "person_id": str | None, "bounding_box": {"x", "y", "w",
    /// "h"}, "timestamp_ms": int | None}`) in one transaction.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> [a] = cat.add_assets([{"local_datetime": "2024-05-01T10:00:00"}])
    /// >>> p = cat.create_person("Ada")
    /// >>> [f] = cat.add_faces([{"asset_id": a.id, "person_id": p.id,
    /// ...                       "bounding_box": {"x": 1, "y": 2, "w": 30, "h": 40}}])
    /// >>> f.bounding_box, cat.get_person(p.id).asset_count
    /// ({'x': 1, 'y': 2, 'w': 30, 'h': 40}, 1)
    fn add_faces(&self, py: Python<'_>, records: &Bound<'_, PyAny>) -> PyResult<Vec<PyFace>> {
        let cat = self.cat(py)?;
        let new: Vec<NewFace> = super::convert::records(records, "records")?;
        let faces = run(py, || cat.add_faces(new))?;
        Ok(faces.into_iter().map(|f| PyFace { inner: f }).collect())
    }

    /// Assigns a face to a person, or unassigns it with None.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> [a] = cat.add_assets([{"local_datetime": "2024-05-01T10:00:00"}])
    /// >>> [f] = cat.add_faces([{"asset_id": a.id, "bounding_box": {"x": 0, "y": 0, "w": 1, "h": 1}}])
    /// >>> p = cat.create_person("Ada")
    /// >>> cat.assign_face(f.id, p.id).person_id == p.id
    /// True
    fn assign_face(
        &self,
        py: Python<'_>,
        face_id: String,
        person_id: Option<String>,
    ) -> PyResult<PyFace> {
        let cat = self.cat(py)?;
        let face = run(py, || cat.assign_face(&face_id, person_id.as_deref()))?;
        Ok(PyFace { inner: face })
    }

    /// One page of assets in Gumnut's `list_assets` order: `local_datetime` descending, then
    /// `id` descending (`state="trashed"`: by `trashed_at`). Pass the last id of a page as
    /// `starting_after_id` for the next one. Bounds are exclusive `datetime`s (a
    /// `pandas.Timestamp` is one), `numpy.datetime64`s (naive) or ISO 8601 strings: naive
    /// bounds compare with `local_datetime`, aware ones in UTC with `captured_at` (wall clock
    /// for assets without an offset); `NaT` means no bound. `limit` is 1 to 200.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> _ = cat.add_assets([{"local_datetime": f"2024-05-0{d}T10:00:00"} for d in range(1, 6)])
    /// >>> page = cat.list_assets(limit=2)
    /// >>> [a.local_datetime.day for a in page.data], page.has_more
    /// ([5, 4], True)
    /// >>> nxt = cat.list_assets(limit=2, starting_after_id=page.data[-1].id)
    /// >>> [a.local_datetime.day for a in nxt.data]
    /// [3, 2]
    #[pyo3(signature = (library_id=None, album_id=None, person_id=None, ids=None,
        local_datetime_after=None, local_datetime_before=None, starting_after_id=None,
        state="live", limit=20))]
    #[allow(clippy::too_many_arguments)]
    fn list_assets(
        slf: &Bound<'_, Self>,
        library_id: Option<String>,
        album_id: Option<String>,
        person_id: Option<String>,
        ids: Option<&Bound<'_, PyAny>>,
        local_datetime_after: Option<&Bound<'_, PyAny>>,
        local_datetime_before: Option<&Bound<'_, PyAny>>,
        starting_after_id: Option<String>,
        state: &str,
        limit: i64,
    ) -> PyResult<PyAssetPage> {
        let py = slf.py();
        let cat = slf.get().cat(py)?;
        let query = list_query(
            library_id,
            album_id,
            person_id,
            ids,
            local_datetime_after,
            local_datetime_before,
            starting_after_id,
            state,
            limit,
        )?;
        let page = run(py, || cat.list_assets(&query))?;
        PyAssetPage::new(py, page, slf.clone().unbind())
    }

    /// The same page as ``list_assets(...).to_json()``, byte for byte, written by the engine
    /// straight from the stored records (no ``Asset`` objects): the call for a server that
    /// sends the page on as JSON. Same parameters as ``list_assets``.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> _ = cat.add_assets([{"local_datetime": f"2024-05-0{d}T10:00:00"} for d in range(1, 4)])
    /// >>> cat.list_assets_json(limit=2) == cat.list_assets(limit=2).to_json()
    /// True
    #[pyo3(signature = (library_id=None, album_id=None, person_id=None, ids=None,
        local_datetime_after=None, local_datetime_before=None, starting_after_id=None,
        state="live", limit=20))]
    #[allow(clippy::too_many_arguments)]
    fn list_assets_json(
        &self,
        py: Python<'_>,
        library_id: Option<String>,
        album_id: Option<String>,
        person_id: Option<String>,
        ids: Option<&Bound<'_, PyAny>>,
        local_datetime_after: Option<&Bound<'_, PyAny>>,
        local_datetime_before: Option<&Bound<'_, PyAny>>,
        starting_after_id: Option<String>,
        state: &str,
        limit: i64,
    ) -> PyResult<String> {
        let cat = self.cat(py)?;
        let query = list_query(
            library_id,
            album_id,
            person_id,
            ids,
            local_datetime_after,
            local_datetime_before,
            starting_after_id,
            state,
            limit,
        )?;
        run(py, || cat.list_assets_json(&query))
    }

    /// Every matching asset, lazily: fetches `page_size` (1 to 200) assets at a time and
    /// follows the cursor for you. Each page is one snapshot; the walk continues from the
    /// position of the last asset returned, so writes between pages never make it repeat or
    /// skip an asset that was not itself changed.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> _ = cat.add_assets([{"local_datetime": f"2024-05-0{d}T10:00:00"} for d in range(1, 6)])
    /// >>> [a.local_datetime.day for a in cat.iter_assets(page_size=2)]
    /// [5, 4, 3, 2, 1]
    #[pyo3(signature = (library_id=None, album_id=None, person_id=None, ids=None,
        local_datetime_after=None, local_datetime_before=None, starting_after_id=None,
        state="live", page_size=200))]
    #[allow(clippy::too_many_arguments)]
    fn iter_assets(
        slf: &Bound<'_, Self>,
        library_id: Option<String>,
        album_id: Option<String>,
        person_id: Option<String>,
        ids: Option<&Bound<'_, PyAny>>,
        local_datetime_after: Option<&Bound<'_, PyAny>>,
        local_datetime_before: Option<&Bound<'_, PyAny>>,
        starting_after_id: Option<String>,
        state: &str,
        page_size: i64,
    ) -> PyResult<PyAssetIterator> {
        let py = slf.py();
        // A closed catalogue raises here rather than at the first step.
        slf.get().cat(py)?;
        let query = list_query(
            library_id,
            album_id,
            person_id,
            ids,
            local_datetime_after,
            local_datetime_before,
            starting_after_id,
            state,
            i64::from(crate::query::DEFAULT_LIMIT),
        )?;
        let page_size = self::page_size("page_size", page_size)?;
        let pages = run(py, || Pages::new(query, page_size))?;
        Ok(PyAssetIterator {
            catalog: slf.clone().unbind(),
            walk: Mutex::new(Walk {
                pages,
                buffer: VecDeque::new(),
            }),
        })
    }

    /// One page of a search (API.md section 6) with the exact number of matches: live
    /// (not trashed) assets in list order (`local_datetime` descending, then `id`
    /// descending), page by page. Every filter is optional and they combine with AND:
    ///
    /// * `person_ids`, `album_ids`: assets with every one of these people / in every one of
    ///   these albums (ALL-of, at most 200 ids each; an unknown id raises `NotFoundError`);
    /// * `captured_after`, `captured_before`: exclusive bounds taken as `list_assets` takes
    ///   `local_datetime_after`/`before` (`datetime`, `pandas.Timestamp`, `numpy.datetime64`,
    ///   `date` or ISO 8601 text; naive compares the wall clock, aware the instant);
    /// * `make`, `model`, `lens_model`, `city`, `state`, `country`: exact, case-sensitive
    ///   values (from `exif`, else `metadata`); `mime_type` exact; `type` one of `"IMAGE"`,
    ///   `"VIDEO"`, `"AUDIO"`, `"OTHER"` (or lowercase); a value no asset has matches nothing;
    /// * `is_favorite`: True or False; `visibility`: `"timeline"` or `"archive"` (None: both;
    ///   hidden and locked assets are never listed, so asking for them is `InvalidArgument`);
    /// * `original_file_name`, `description`: case-insensitive substrings (`""`: no filter).
    ///
    /// `page` is 1-indexed (a page past the end is empty, with `has_more` False) and `limit`
    /// 1 to 200. `library_id=None` means the first album's library when `album_ids` is
    /// given, else the only library. `total` counts every match, not the page.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> _ = cat.add_assets([{"local_datetime": f"2024-05-0{d}T10:00:00",
    /// ...                      "original_file_name": f"IMG_{d}.JPG",
    /// ...                      "exif": {"make": "Canon" if d < 4 else "SONY"}} for d in range(1, 6)])
    /// >>> res = cat.search_assets(make="Canon", limit=2)
    /// >>> [a.original_file_name for a in res.data], res.has_more, res.total
    /// (['IMG_3.JPG', 'IMG_2.JPG'], True, 3)
    /// >>> [a.original_file_name for a in cat.search_assets(make="Canon", limit=2, page=2)]
    /// ['IMG_1.JPG']
    /// >>> cat.search_assets(original_file_name="img_5", captured_after="2024-05-04T00:00:00").total
    /// 1
    #[pyo3(signature = (*, person_ids=None, album_ids=None, captured_after=None,
        captured_before=None, make=None, model=None, lens_model=None, city=None, state=None,
        country=None, mime_type=None, r#type=None, is_favorite=None, visibility=None,
        original_file_name=None, description=None, page=1, limit=20, library_id=None))]
    #[allow(clippy::too_many_arguments)]
    fn search_assets(
        slf: &Bound<'_, Self>,
        person_ids: Option<&Bound<'_, PyAny>>,
        album_ids: Option<&Bound<'_, PyAny>>,
        captured_after: Option<&Bound<'_, PyAny>>,
        captured_before: Option<&Bound<'_, PyAny>>,
        make: Option<String>,
        model: Option<String>,
        lens_model: Option<String>,
        city: Option<String>,
        state: Option<String>,
        country: Option<String>,
        mime_type: Option<String>,
        r#type: Option<&str>,
        is_favorite: Option<&Bound<'_, PyAny>>,
        visibility: Option<&str>,
        original_file_name: Option<String>,
        description: Option<String>,
        page: i64,
        limit: i64,
        library_id: Option<String>,
    ) -> PyResult<PySearchPage> {
        let py = slf.py();
        let cat = slf.get().cat(py)?;
        let ids = |o: Option<&Bound<'_, PyAny>>, name: &str| match o {
            Some(o) if !o.is_none() => id_list(o, name).map(Some),
            _ => Ok(None),
        };
        let query = SearchAssets {
            library_id,
            person_ids: ids(person_ids, "person_ids")?,
            album_ids: ids(album_ids, "album_ids")?,
            captured_after: opt_datetime_input(captured_after, "captured_after")?,
            captured_before: opt_datetime_input(captured_before, "captured_before")?,
            make,
            model,
            lens_model,
            city,
            state,
            country,
            mime_type,
            asset_type: parse_opt::<AssetType>(r#type)?,
            is_favorite: opt_bool(is_favorite, "is_favorite")?,
            visibility: parse_opt::<Visibility>(visibility)?,
            original_file_name,
            description,
            page: page_number(page)?,
            limit: page_size("limit", limit)?,
        };
        let res = run(py, || cat.search_assets(&query))?;
        PySearchPage::new(py, res, slf.clone().unbind())
    }

    /// How many assets there are per year, month, ISO week or day of their wall-clock
    /// `local_datetime`, newest bucket first: a list of `(first day of the bucket, count)`
    /// with `datetime.date`s (1 January, the 1st of the month, a Monday, or the day) and no
    /// empty buckets. `size` is `"year"`, `"month"` (the default), `"week"` or `"day"`;
    /// `album_id` and `person_id` restrict to one album's / person's assets; `state` is
    /// `"live"` (default), `"trashed"` or `"all"` (trashed assets are bucketed by their
    /// `local_datetime` too). Hidden and locked assets are never counted, as they are never
    /// listed. A library, album or person alone is answered from maintained day counts,
    /// without reading assets.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> _ = cat.add_assets([{"local_datetime": t} for t in
    /// ...     ("2024-05-01T10:00:00", "2024-05-31T23:59:59+02:00", "2024-06-02T08:00:00")])
    /// >>> cat.time_buckets()
    /// [(datetime.date(2024, 6, 1), 1), (datetime.date(2024, 5, 1), 2)]
    /// >>> cat.time_buckets("week")   # ISO weeks start on Monday
    /// [(datetime.date(2024, 5, 27), 2), (datetime.date(2024, 4, 29), 1)]
    #[pyo3(signature = (size="month", *, album_id=None, person_id=None, state="live",
        library_id=None))]
    fn time_buckets(
        &self,
        py: Python<'_>,
        size: &str,
        album_id: Option<String>,
        person_id: Option<String>,
        state: &str,
        library_id: Option<String>,
    ) -> PyResult<Vec<(chrono::NaiveDate, u64)>> {
        let cat = self.cat(py)?;
        let query = TimeBuckets {
            size: BucketSize::from_str(size)?,
            library_id,
            album_id,
            person_id,
            state: State::from_str(state)?,
        };
        let buckets = run(py, || cat.time_buckets(&query))?;
        Ok(buckets.into_iter().map(|b| (b.start, b.count)).collect())
    }

    /// Every matching asset as an Arrow stream (`ArrowStream`), for any consumer of the Arrow
    /// PyCapsule interface: `polars.DataFrame(stream)`, `pyarrow.table(stream)`,
    /// `duckdb.sql("select ... from stream")`. It needs none of them installed. The filters
    /// are those of `list_assets` (without `limit`): the whole result, one row an asset, in
    /// list order. Rows are built in Rust in batches of at most `batch_size` rows, so memory
    /// stays bounded by a batch whatever the library's size; each read of the stream is a
    /// fresh snapshot, so it can be read more than once. The filters and `batch_size` are
    /// checked here (`InvalidArgument`, `NotFoundError`, `TypeError`), not at the first read.
    ///
    /// The columns are one fixed schema (`Catalog.to_arrow` lists them).
    ///
    /// >>> import photocat, pyarrow
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> _ = cat.add_assets([{"local_datetime": f"2024-05-0{d}T10:00:00"} for d in range(1, 6)])
    /// >>> reader = pyarrow.RecordBatchReader.from_stream(cat.arrow_stream(batch_size=2))
    /// >>> [b.num_rows for b in reader]
    /// [2, 2, 1]
    #[pyo3(signature = (*, library_id=None, album_id=None, person_id=None, ids=None,
        local_datetime_after=None, local_datetime_before=None, starting_after_id=None,
        state="live", batch_size=65536))]
    #[allow(clippy::too_many_arguments)]
    fn arrow_stream(
        slf: &Bound<'_, Self>,
        library_id: Option<String>,
        album_id: Option<String>,
        person_id: Option<String>,
        ids: Option<&Bound<'_, PyAny>>,
        local_datetime_after: Option<&Bound<'_, PyAny>>,
        local_datetime_before: Option<&Bound<'_, PyAny>>,
        starting_after_id: Option<String>,
        state: &str,
        batch_size: i64,
    ) -> PyResult<PyArrowStream> {
        let (query, batch_size) = stream_query(
            library_id,
            album_id,
            person_id,
            ids,
            local_datetime_after,
            local_datetime_before,
            starting_after_id,
            state,
            batch_size,
        )?;
        let py = slf.py();
        let cat = slf.get().cat(py)?;
        // Every check of the engine now (a reader is opened and dropped), not at the first read.
        run(py, || cat.arrow_batches(&query, batch_size).map(drop))?;
        Ok(PyArrowStream::query(
            slf.clone().unbind(),
            query,
            batch_size,
        ))
    }

    /// Every matching asset as a `pyarrow.Table` (needs pyarrow: `pip install
    /// 'photocat[pyarrow]'`), read from `arrow_stream` with the same arguments. One row an
    /// asset, in list order; the schema is fixed, the same for every call and for Parquet:
    /// `id`, `library_id`, ... (every scalar field of the Gumnut view), `local_datetime` as
    /// `timestamp[us]` (the wall clock) with `local_offset_minutes` (int16, null when
    /// unknown), `captured_at` and every instant as `timestamp[us, tz=UTC]`, `tags`,
    /// `album_ids` and `person_ids` as `list<string>`, `face_count`, then the `exif_*` and
    /// `metadata_*` fields flattened. Strings with few distinct values (MIME type, camera
    /// make and model, places, ids of libraries and devices) are dictionary-encoded.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> _ = cat.add_assets([{"local_datetime": "2024-05-01T10:00:00+02:00", "exif": {"make": "Canon"}}])
    /// >>> t = cat.to_arrow()
    /// >>> t.num_rows, t.column("exif_make").to_pylist(), t.column("local_offset_minutes").to_pylist()
    /// (1, ['Canon'], [120])
    /// >>> str(t.schema.field("captured_at").type), str(t.schema.field("local_datetime").type)
    /// ('timestamp[us, tz=UTC]', 'timestamp[us]')
    #[pyo3(signature = (*, library_id=None, album_id=None, person_id=None, ids=None,
        local_datetime_after=None, local_datetime_before=None, starting_after_id=None,
        state="live", batch_size=65536))]
    #[allow(clippy::too_many_arguments)]
    fn to_arrow<'py>(
        slf: &Bound<'py, Self>,
        library_id: Option<String>,
        album_id: Option<String>,
        person_id: Option<String>,
        ids: Option<&Bound<'_, PyAny>>,
        local_datetime_after: Option<&Bound<'_, PyAny>>,
        local_datetime_before: Option<&Bound<'_, PyAny>>,
        starting_after_id: Option<String>,
        state: &str,
        batch_size: i64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let stream = Self::arrow_stream(
            slf,
            library_id,
            album_id,
            person_id,
            ids,
            local_datetime_after,
            local_datetime_before,
            starting_after_id,
            state,
            batch_size,
        )?;
        frames_call(slf.py(), "to_arrow", stream)
    }

    /// Every matching asset as a `polars.DataFrame` (needs polars: `pip install
    /// 'photocat[polars]'`), read from `arrow_stream` with the same arguments: the columns of
    /// `to_arrow`, dictionary strings as `Categorical`, instants as `Datetime("us", "UTC")`.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> _ = cat.add_assets([{"local_datetime": "2024-05-01T10:00:00", "exif": {"make": "Canon"}}])
    /// >>> df = cat.to_polars()
    /// >>> df.height, df["exif_make"].to_list(), str(df.schema["local_datetime"])
    /// (1, ['Canon'], "Datetime(time_unit='us', time_zone=None)")
    #[pyo3(signature = (*, library_id=None, album_id=None, person_id=None, ids=None,
        local_datetime_after=None, local_datetime_before=None, starting_after_id=None,
        state="live", batch_size=65536))]
    #[allow(clippy::too_many_arguments)]
    fn to_polars<'py>(
        slf: &Bound<'py, Self>,
        library_id: Option<String>,
        album_id: Option<String>,
        person_id: Option<String>,
        ids: Option<&Bound<'_, PyAny>>,
        local_datetime_after: Option<&Bound<'_, PyAny>>,
        local_datetime_before: Option<&Bound<'_, PyAny>>,
        starting_after_id: Option<String>,
        state: &str,
        batch_size: i64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let stream = Self::arrow_stream(
            slf,
            library_id,
            album_id,
            person_id,
            ids,
            local_datetime_after,
            local_datetime_before,
            starting_after_id,
            state,
            batch_size,
        )?;
        frames_call(slf.py(), "to_polars", stream)
    }

    /// Every matching asset as a `pandas.DataFrame` (needs pandas and pyarrow: `pip install
    /// 'photocat[pandas]'`), read from `arrow_stream` with the same arguments and converted by
    /// pyarrow. The columns of `to_arrow`, with these dtypes: instants `datetime64[us, UTC]`,
    /// `local_datetime` naive `datetime64[us]`, integers nullable (`Int16`, `Int32`,
    /// `Int64`; missing values `<NA>`), floats `float64` (NaN), booleans `bool`,
    /// dictionary strings `category`, other strings pandas' string dtype, lists (`tags`,
    /// `album_ids`, `person_ids`) numpy arrays of str. The dtypes do not depend on the data,
    /// so frames of different calls concatenate cleanly.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> _ = cat.add_assets([{"local_datetime": "2024-05-01T10:00:00", "width": 640}])
    /// >>> df = cat.to_pandas()
    /// >>> len(df), str(df["local_datetime"].dtype), str(df["width"].dtype), str(df["captured_at"].dtype)
    /// (1, 'datetime64[us]', 'Int32', 'datetime64[us, UTC]')
    #[pyo3(signature = (*, library_id=None, album_id=None, person_id=None, ids=None,
        local_datetime_after=None, local_datetime_before=None, starting_after_id=None,
        state="live", batch_size=65536))]
    #[allow(clippy::too_many_arguments)]
    fn to_pandas<'py>(
        slf: &Bound<'py, Self>,
        library_id: Option<String>,
        album_id: Option<String>,
        person_id: Option<String>,
        ids: Option<&Bound<'_, PyAny>>,
        local_datetime_after: Option<&Bound<'_, PyAny>>,
        local_datetime_before: Option<&Bound<'_, PyAny>>,
        starting_after_id: Option<String>,
        state: &str,
        batch_size: i64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let stream = Self::arrow_stream(
            slf,
            library_id,
            album_id,
            person_id,
            ids,
            local_datetime_after,
            local_datetime_before,
            starting_after_id,
            state,
            batch_size,
        )?;
        frames_call(slf.py(), "to_pandas", stream)
    }

    /// Writes every matching asset into hive-partitioned, zstd-compressed Parquet files under
    /// `directory` (a `str` or `os.PathLike`; created when missing, and it must otherwise be
    /// empty, else `InvalidArgument`), and returns their paths in the order written.
    /// `partition_by="month"` writes `year=2023/month=11/part-0.parquet` (month not
    /// zero-padded, as Spark writes it), `"year"` writes `year=2023/part-0.parquet`, and None
    /// (or `"none"`) writes `part-0.parquet` directly in `directory`; the partition is that of
    /// `local_datetime`. The files have the schema of `to_arrow` and are read back by
    /// pyarrow, polars, DuckDB, Spark and Dask. The interpreter is released while writing.
    /// A partitioned export of no rows writes no file; an unpartitioned one writes one empty
    /// file.
    ///
    /// >>> import photocat, tempfile, pathlib
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> _ = cat.add_assets([{"local_datetime": t} for t in
    /// ...                     ("2023-11-02T10:00:00", "2023-11-30T10:00:00", "2024-01-05T10:00:00")])
    /// >>> with tempfile.TemporaryDirectory() as d:
    /// ...     files = cat.export_parquet(d, partition_by="month")
    /// ...     print([pathlib.Path(f).relative_to(d).as_posix() for f in files])
    /// ['year=2024/month=1/part-0.parquet', 'year=2023/month=11/part-0.parquet']
    #[pyo3(signature = (directory, partition_by=Some("month".to_owned()), *, library_id=None,
        album_id=None, person_id=None, ids=None, local_datetime_after=None,
        local_datetime_before=None, starting_after_id=None, state="live",
        batch_size=65536),
        text_signature = "($self, directory, partition_by='month', *, library_id=None, \
            album_id=None, person_id=None, ids=None, local_datetime_after=None, \
            local_datetime_before=None, starting_after_id=None, state='live', batch_size=65536)")]
    #[allow(clippy::too_many_arguments)]
    fn export_parquet(
        &self,
        py: Python<'_>,
        directory: PathBuf,
        partition_by: Option<String>,
        library_id: Option<String>,
        album_id: Option<String>,
        person_id: Option<String>,
        ids: Option<&Bound<'_, PyAny>>,
        local_datetime_after: Option<&Bound<'_, PyAny>>,
        local_datetime_before: Option<&Bound<'_, PyAny>>,
        starting_after_id: Option<String>,
        state: &str,
        batch_size: i64,
    ) -> PyResult<Vec<String>> {
        let (query, batch_size) = stream_query(
            library_id,
            album_id,
            person_id,
            ids,
            local_datetime_after,
            local_datetime_before,
            starting_after_id,
            state,
            batch_size,
        )?;
        let partition_by = match partition_by {
            Some(p) => PartitionBy::from_str(&p)?,
            None => PartitionBy::None,
        };
        let cat = self.cat(py)?;
        let opts = ExportParquet {
            query,
            partition_by,
            batch_size,
        };
        let files = run(py, || cat.export_parquet(&directory, &opts, |_| {}))?;
        Ok(files
            .into_iter()
            .map(|f| f.to_string_lossy().into_owned())
            .collect())
    }

    /// Every live asset of an album, in list order.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> cat.list_album_assets(cat.create_album("Empty").id)
    /// []
    fn list_album_assets(&self, py: Python<'_>, album_id: String) -> PyResult<Vec<PyAsset>> {
        let cat = self.cat(py)?;
        Ok(assets(run(py, || cat.list_album_assets(&album_id))?))
    }

    /// Imports photo and video files: each path is a file or a folder (walked recursively
    /// unless `recursive=False`). Files are read on every core; records are written in
    /// batches, each one transaction. A file that cannot be read is a row in
    /// `report.failed`, never an error of the call. `on_duplicate="skip"` (the default) lists
    /// files already in the library in `report.duplicates`; `"error"` lists them in
    /// `report.failed`.
    ///
    /// `progress(done, total)` is called on this thread as files complete (`done` counts
    /// failed files too). It stops the import by returning False (then `report.cancelled` is
    /// True), by raising an exception, or by Ctrl-C. In every case the files already read stay
    /// committed: they are written in complete batches, never half, and files not yet read are
    /// not read. An exception (or `KeyboardInterrupt` for Ctrl-C) is re-raised once that
    /// last batch is committed, so there is no report: `list_assets` shows what landed, and
    /// importing the same paths again (`on_duplicate="skip"`) finishes the job, the files
    /// already imported coming back as duplicates.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> report = cat.import_paths(["tests/data/photos"])   # run from the repository
    /// >>> len(report.created) > 0, report.cancelled
    /// (True, False)
    /// >>> again = cat.import_paths("tests/data/photos")     # already there: duplicates
    /// >>> again.created, len(again.duplicates) == len(report.created) + len(report.duplicates)
    /// ([], True)
    #[pyo3(signature = (paths, library_id=None, recursive=true, on_duplicate="skip", progress=None))]
    fn import_paths(
        &self,
        py: Python<'_>,
        paths: &Bound<'_, PyAny>,
        library_id: Option<String>,
        recursive: bool,
        on_duplicate: &str,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<super::import::PyImportReport> {
        super::import::import_paths(
            self.cat(py)?,
            py,
            paths,
            library_id,
            recursive,
            on_duplicate,
            progress,
        )
    }

    /// Benchmark hook (not part of the API): runs the Rust `list_assets` `repeat` times with
    /// the interpreter released and returns the fastest call in seconds, so
    /// `scripts/py_overhead.py` can subtract the engine's own time from a Python call's.
    #[pyo3(signature = (repeat, limit=20, starting_after_id=None))]
    fn _time_list_assets(
        &self,
        py: Python<'_>,
        repeat: u32,
        limit: i64,
        starting_after_id: Option<String>,
    ) -> PyResult<f64> {
        let cat = self.cat(py)?;
        let query = ListAssets {
            starting_after_id,
            limit: page_size("limit", limit)?,
            ..ListAssets::default()
        };
        run(py, move || {
            let mut best = f64::INFINITY;
            for _ in 0..repeat.max(1) {
                let t = std::time::Instant::now();
                let page = cat.list_assets(&query)?;
                best = best.min(t.elapsed().as_secs_f64());
                drop(page);
            }
            Ok(best)
        })
    }

    /// Immich's bulk upload check: for each SHA-1 checksum (28 characters of base64, or 40 hex
    /// digits in any case), the asset that already holds those bytes. One `ChecksumMatch` per
    /// input, in input order, with the checksum echoed as given. `owner_id` restricts the
    /// match to that owner's assets in every library; None matches any owner's. Trashed
    /// assets match and are flagged `is_trashed`; hidden, locked and archived ones match too.
    /// When several assets hold the bytes, a live one is preferred, then the one added first.
    /// A checksum that is not a SHA-1 either way raises `InvalidArgument` naming its
    /// index. Each look-up uses the checksum index; no asset is scanned.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> [a] = cat.add_assets([{"checksum_sha1": "qvTGHdzF6KLavt4PO0gs2a6pQ00="}])
    /// >>> cat.trash_assets([a.id])
    /// >>> [m] = cat.check_checksums(["aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"])
    /// >>> m.asset_id == a.id, m.is_trashed
    /// (True, True)
    #[pyo3(signature = (checksums, owner_id=None))]
    fn check_checksums(
        &self,
        py: Python<'_>,
        checksums: &Bound<'_, PyAny>,
        owner_id: Option<String>,
    ) -> PyResult<Vec<PyChecksumMatch>> {
        let cat = self.cat(py)?;
        let checksums = str_list(checksums, "checksums", "checksum")?;
        let found = run(py, || cat.check_checksums(&checksums, owner_id.as_deref()))?;
        Ok(found
            .into_iter()
            .map(|inner| PyChecksumMatch { inner })
            .collect())
    }

    /// Immich's legacy `GET /asset`: every asset of `owner_id` (every owner's when None), in
    /// all libraries, hidden and locked ones left out, trashed ones included (flagged
    /// `isTrashed` in `to_immich_dict()`). `is_favorite` and `is_archived` (True, False or
    /// None for either) filter; `updated_after` and `updated_before` are inclusive bounds on
    /// `updated_at` (`datetime`s, `pandas.Timestamp`s, `numpy.datetime64`s or ISO 8601
    /// strings; a naive value is UTC). Order: `file_created_at` descending, ties by `id`
    /// descending, so offset paging is stable; then `skip` assets are passed over and at most
    /// `take` returned (None: all of them).
    ///
    /// The result carries `body`, the assets as the compact Immich JSON array, and `etag`,
    /// the strong ETag Immich's server sends for it. Pass a client's `If-None-Match` header as
    /// `if_none_match` (one ETag, a comma-separated list, `W/` prefixes, or `*`): when it
    /// matches, `not_modified` is True and `assets` is empty, the 304 case.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> _ = cat.add_assets([{"file_created_at": f"2024-05-0{d}T10:00:00Z", "is_favorite": d % 2 == 1}
    /// ...                     for d in range(1, 6)])
    /// >>> res = cat.get_all_assets(is_favorite=True, take=2)
    /// >>> [a.file_created_at.day for a in res.assets], res.not_modified
    /// ([5, 3], False)
    /// >>> cat.get_all_assets(is_favorite=True, take=2, if_none_match=res.etag).not_modified
    /// True
    // `skip` and `count` are objects (their conversion names them in messages), so their
    // defaults are applied here and shown by the explicit signatures.
    #[pyo3(signature = (owner_id=None, is_archived=None, is_favorite=None, skip=None, take=None,
        updated_after=None, updated_before=None, if_none_match=None),
        text_signature = "($self, owner_id=None, is_archived=None, is_favorite=None, skip=0, \
            take=None, updated_after=None, updated_before=None, if_none_match=None)")]
    #[allow(clippy::too_many_arguments)]
    fn get_all_assets(
        &self,
        py: Python<'_>,
        owner_id: Option<String>,
        is_archived: Option<&Bound<'_, PyAny>>,
        is_favorite: Option<&Bound<'_, PyAny>>,
        skip: Option<&Bound<'_, PyAny>>,
        take: Option<&Bound<'_, PyAny>>,
        updated_after: Option<&Bound<'_, PyAny>>,
        updated_before: Option<&Bound<'_, PyAny>>,
        if_none_match: Option<String>,
    ) -> PyResult<PyAllAssets> {
        let cat = self.cat(py)?;
        let query = get_all_query(
            owner_id,
            is_archived,
            is_favorite,
            skip,
            take,
            updated_after,
            updated_before,
            if_none_match,
        )?;
        let all = run(py, || cat.get_all_assets(&query))?;
        PyAllAssets::new(py, all)
    }

    /// ``get_all_assets(...)`` without the ``Asset`` objects: an ``AllAssetsJson`` whose
    /// ``body`` (bytes) is ``get_all_assets(...).body`` byte for byte, written by the engine
    /// straight from the stored records, with the same ``etag`` and ``not_modified``. The call
    /// for a server that sends the page on as ``GET /asset``'s response. Same parameters as
    /// ``get_all_assets``.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> _ = cat.add_assets([{"file_created_at": f"2024-05-0{d}T10:00:00Z"} for d in (1, 2, 3)])
    /// >>> res = cat.get_all_assets_json(skip=1)
    /// >>> res.body == cat.get_all_assets(skip=1).body, res.not_modified
    /// (True, False)
    /// >>> cat.get_all_assets_json(skip=1, if_none_match=res.etag).body
    /// b''
    #[pyo3(signature = (owner_id=None, is_archived=None, is_favorite=None, skip=None, take=None,
        updated_after=None, updated_before=None, if_none_match=None),
        text_signature = "($self, owner_id=None, is_archived=None, is_favorite=None, skip=0, \
            take=None, updated_after=None, updated_before=None, if_none_match=None)")]
    #[allow(clippy::too_many_arguments)]
    fn get_all_assets_json(
        &self,
        py: Python<'_>,
        owner_id: Option<String>,
        is_archived: Option<&Bound<'_, PyAny>>,
        is_favorite: Option<&Bound<'_, PyAny>>,
        skip: Option<&Bound<'_, PyAny>>,
        take: Option<&Bound<'_, PyAny>>,
        updated_after: Option<&Bound<'_, PyAny>>,
        updated_before: Option<&Bound<'_, PyAny>>,
        if_none_match: Option<String>,
    ) -> PyResult<PyAllAssetsJson> {
        let cat = self.cat(py)?;
        let query = get_all_query(
            owner_id,
            is_archived,
            is_favorite,
            skip,
            take,
            updated_after,
            updated_before,
            if_none_match,
        )?;
        let json = run(py, || cat.get_all_assets_json(&query))?;
        Ok(PyAllAssetsJson::new(py, json))
    }

    /// ``get_asset(asset_id).to_immich_json()``, byte for byte, written straight from the
    /// stored record.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> [a] = cat.add_assets([{"local_datetime": "2024-05-01T10:00:00"}])
    /// >>> cat.get_asset_immich_json(a.id) == a.to_immich_json()
    /// True
    fn get_asset_immich_json(&self, py: Python<'_>, asset_id: String) -> PyResult<String> {
        let cat = self.cat(py)?;
        run(py, || cat.get_asset_immich_json(&asset_id))
    }

    /// Immich's `GET /assets/random`: a uniform sample, without replacement, of at most
    /// `count` (1 or more) eligible assets: not trashed, visibility timeline or archive, of
    /// `owner_id` (any owner's when None). Fewer eligible assets means all of them. The
    /// cost grows with `count`, not with the library. A `seed` (an int, 0 to 2**64 - 1)
    /// makes the sample reproducible on an unchanged catalogue; without one each call draws
    /// afresh.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> added = cat.add_assets([{"local_datetime": f"2024-05-0{d}T10:00:00"} for d in range(1, 6)])
    /// >>> picked = cat.random_assets(count=2, seed=7)
    /// >>> len(picked), [a.id for a in picked] == [a.id for a in cat.random_assets(count=2, seed=7)]
    /// (2, True)
    /// >>> len(cat.random_assets(count=100))
    /// 5
    #[pyo3(signature = (count=None, owner_id=None, seed=None),
        text_signature = "($self, count=1, owner_id=None, seed=None)")]
    fn random_assets(
        &self,
        py: Python<'_>,
        count: Option<&Bound<'_, PyAny>>,
        owner_id: Option<String>,
        seed: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<PyAsset>> {
        let cat = self.cat(py)?;
        let defaults = RandomAssets::default();
        let count = match opt_non_negative_int(count, "count")? {
            Some(n) => usize::try_from(n)
                .map_err(|_| super::errors::invalid(format!("count is too large, got {n}")))?,
            None => defaults.count,
        };
        let query = RandomAssets {
            count,
            owner_id,
            seed: opt_non_negative_int(seed, "seed")?,
        };
        Ok(assets(run(py, || cat.random_assets(&query))?))
    }

    /// Immich's `GET /assets/device/{device_id}`: the distinct `device_asset_id`s of the
    /// assets uploaded from `device_id`, in ascending order, of `owner_id` (any owner's when
    /// None). Trashed and hidden assets are left out (a device re-uploads what is missing).
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> a, b, c = cat.add_assets([{"device_id": "phone", "device_asset_id": n} for n in ("b", "a", "c")])
    /// >>> cat.trash_assets([c.id])
    /// >>> cat.device_asset_ids("phone"), cat.device_asset_ids("tablet")
    /// (['a', 'b'], [])
    #[pyo3(signature = (device_id, owner_id=None))]
    fn device_asset_ids(
        &self,
        py: Python<'_>,
        device_id: String,
        owner_id: Option<String>,
    ) -> PyResult<Vec<String>> {
        let cat = self.cat(py)?;
        run(py, || cat.device_asset_ids(&device_id, owner_id.as_deref()))
    }

    /// Immich's `POST /assets/exist`: which of `device_asset_ids` (any iterable of strings)
    /// `device_id` has already uploaded, for `owner_id` (any owner's when None). Trashed and
    /// hidden assets count (so a client does not upload them again); the answer holds each id
    /// that exists once, in input order.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> [a] = cat.add_assets([{"device_id": "phone", "device_asset_id": "IMG_1"}])
    /// >>> cat.trash_assets([a.id])
    /// >>> cat.existing_device_asset_ids("phone", ["IMG_2", "IMG_1", "IMG_1"])
    /// ['IMG_1']
    #[pyo3(signature = (device_id, device_asset_ids, owner_id=None))]
    fn existing_device_asset_ids(
        &self,
        py: Python<'_>,
        device_id: String,
        device_asset_ids: &Bound<'_, PyAny>,
        owner_id: Option<String>,
    ) -> PyResult<Vec<String>> {
        let cat = self.cat(py)?;
        let ids = str_list(device_asset_ids, "device_asset_ids", "device asset id")?;
        run(py, || {
            cat.existing_device_asset_ids(&device_id, &ids, owner_id.as_deref())
        })
    }

    /// One asset by id, complete with faces and people.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> [a] = cat.add_assets([{"local_datetime": "2024-05-01T10:00:00"}])
    /// >>> cat.get_asset(a.id) == a
    /// True
    fn get_asset(&self, py: Python<'_>, asset_id: String) -> PyResult<PyAsset> {
        let cat = self.cat(py)?;
        let asset = run(py, || cat.get_asset(&asset_id))?;
        Ok(PyAsset::one(asset))
    }

    /// ``get_asset(asset_id).to_json()``, byte for byte, written straight from the stored
    /// record.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> [a] = cat.add_assets([{"local_datetime": "2024-05-01T10:00:00"}])
    /// >>> cat.get_asset_json(a.id) == a.to_json()
    /// True
    fn get_asset_json(&self, py: Python<'_>, asset_id: String) -> PyResult<String> {
        let cat = self.cat(py)?;
        run(py, || cat.get_asset_json(&asset_id))
    }
}

/// Where a walk of `iter_assets` stands: the engine's walk, and the assets of its last page
/// not yielded yet.
struct Walk {
    pages: Pages,
    buffer: VecDeque<Asset>,
}

/// The iterator of `Catalog.iter_assets`: yields `Asset`s, fetching a page at a time with the
/// interpreter released.
#[pyclass(module = "photocat", name = "AssetIterator", frozen)]
pub(crate) struct PyAssetIterator {
    catalog: Py<PyCatalog>,
    walk: Mutex<Walk>,
}

#[pymethods]
impl PyAssetIterator {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<PyAsset>> {
        // A second thread advancing the same iterator gets an error instead of waiting (it
        // would wait while attached, and the first needs to re-attach to finish).
        let mut walk = self.walk.try_lock().map_err(|_| {
            PyRuntimeError::new_err("the iterator is already running in another thread")
        })?;
        if walk.buffer.is_empty() && !walk.pages.is_done() {
            let cat = self.catalog.get().cat(py)?;
            let pages = &mut walk.pages;
            let data = run(py, move || pages.next_page(&cat))?;
            walk.buffer.extend(data);
        }
        Ok(walk.buffer.pop_front().map(PyAsset::one))
    }

    fn __repr__(&self) -> String {
        "AssetIterator(...)".to_owned()
    }
}

/// The query of `get_all_assets` and `get_all_assets_json` from their Python arguments.
#[allow(clippy::too_many_arguments)]
fn get_all_query(
    owner_id: Option<String>,
    is_archived: Option<&Bound<'_, PyAny>>,
    is_favorite: Option<&Bound<'_, PyAny>>,
    skip: Option<&Bound<'_, PyAny>>,
    take: Option<&Bound<'_, PyAny>>,
    updated_after: Option<&Bound<'_, PyAny>>,
    updated_before: Option<&Bound<'_, PyAny>>,
    if_none_match: Option<String>,
) -> PyResult<GetAllAssets> {
    Ok(GetAllAssets {
        owner_id,
        is_archived: opt_bool(is_archived, "is_archived")?,
        is_favorite: opt_bool(is_favorite, "is_favorite")?,
        skip: opt_non_negative_int(skip, "skip")?.unwrap_or(0),
        take: opt_non_negative_int(take, "take")?,
        updated_after: opt_datetime_input(updated_after, "updated_after")?,
        updated_before: opt_datetime_input(updated_before, "updated_before")?,
        if_none_match,
    })
}
