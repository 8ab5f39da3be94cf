//! The record classes: `Asset`, `AssetPage`, `SearchPage`, `AllAssets`, `AllAssetsJson`, `Face`, `Person`,
//! `Album`, `Library`, `ChecksumMatch`. Each wraps
//! the engine's value (frozen: immutable, shareable between threads; the `Asset`s of one page or
//! call share one list of the engine's values, see [`SharedAsset`]), converts attributes on
//! access, and writes its JSON with the engine's views (`to_json` gives the same bytes as the
//! Rust view). `to_dict` and the nested attributes (`exif`, ...) are built from the same views
//! by [`super::objects`], without JSON text: equal to the JSON parsed, keys in the same order.

use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString};

use super::catalog::PyCatalog;
use super::errors::{invalid, run};
use super::frames::PyArrowStream;
use super::objects::{field_object, to_object};
use crate::model::time::parse_duration;
use crate::model::{Album, Asset, Face, Library, Person};
use crate::query::counts::{LibrarySummary, Summary};
use crate::query::immich::ChecksumMatch;
use crate::query::search::SearchPage;
use crate::query::AssetPage;
use crate::views::gumnut::{to_json_string, PageView, SearchPageView};
use crate::views::immich::ImmichAsset;
use crate::{AllAssets, AllAssetsJson};

/// Python's repr of a string (`'text'`).
fn repr(py: Python<'_>, s: &str) -> String {
    PyString::new(py, s)
        .repr()
        .map(|r| r.to_string())
        .unwrap_or_else(|_| format!("{s:?}"))
}

fn json_of<T: serde::Serialize + ?Sized>(v: &T) -> String {
    to_json_string(v, 512)
}

/// One asset, complete with faces and people. See the Gumnut `AssetResponse` for the fields.
///
/// `local_datetime` is naive (the wall clock of the device); `local_offset` its offset when
/// known, as a `datetime.timezone`; `captured_at` and every other instant are aware UTC
/// datetimes.
///
/// >>> import photocat
/// >>> cat = photocat.Catalog.in_memory()
/// >>> [a] = cat.add_assets([{"local_datetime": "2023-11-07T07:31:56+02:00"}])
/// >>> a.local_datetime, a.local_offset
/// (datetime.datetime(2023, 11, 7, 7, 31, 56), datetime.timezone(datetime.timedelta(seconds=7200)))
/// >>> a.captured_at.isoformat()
/// '2023-11-07T05:31:56+00:00'
#[pyclass(module = "photocat", name = "Asset", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct PyAsset {
    pub(crate) inner: SharedAsset,
}

/// An asset of a list of them held by the binding: the list is shared by its `Asset` objects
/// (one allocation per page, kept until its last object goes), not copied into each object. An
/// `Asset` is ~2 KB: held inline, CPython would allocate and zero that much for every asset
/// of a page, and the engine's value would be copied in.
pub(crate) struct SharedAsset {
    list: Arc<Vec<Asset>>,
    i: usize,
}

impl std::ops::Deref for SharedAsset {
    type Target = Asset;
    fn deref(&self) -> &Asset {
        &self.list[self.i]
    }
}

impl PartialEq for SharedAsset {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

/// The most assets one shared list holds: a page's largest limit
/// ([`crate::query::MAX_LIMIT`]), so a page is never split.
const SHARED_MAX: usize = crate::query::MAX_LIMIT as usize;

/// Appends the objects of `list`'s assets to `out`, all sharing `list`.
fn share(py: Python<'_>, list: Vec<Asset>, out: &mut Vec<Py<PyAsset>>) -> PyResult<()> {
    let list = Arc::new(list);
    for i in 0..list.len() {
        let inner = SharedAsset {
            list: Arc::clone(&list),
            i,
        };
        out.push(Py::new(py, PyAsset { inner })?);
    }
    Ok(())
}

impl PyAsset {
    /// The object of one asset.
    pub(crate) fn one(asset: Asset) -> PyAsset {
        PyAsset {
            inner: SharedAsset {
                list: Arc::new(vec![asset]),
                i: 0,
            },
        }
    }

    /// The objects of a list of assets, sharing it: a list of at most [`SHARED_MAX`] (every
    /// page) is shared whole; a longer one (`get_all_assets` without `take`, an import's report)
    /// is moved into lists of that size first, so that one object kept after the others are
    /// gone keeps at most [`SHARED_MAX`] assets alive, never a whole library's.
    pub(crate) fn all(py: Python<'_>, assets: Vec<Asset>) -> PyResult<Vec<Py<PyAsset>>> {
        let mut out = Vec::with_capacity(assets.len());
        if assets.len() <= SHARED_MAX {
            share(py, assets, &mut out)?;
        } else {
            let mut rest = assets.into_iter();
            loop {
                let chunk: Vec<Asset> = rest.by_ref().take(SHARED_MAX).collect();
                if chunk.is_empty() {
                    break;
                }
                share(py, chunk, &mut out)?;
            }
        }
        Ok(out)
    }

    /// One key of the canonical dict, built alone from the view's field (so nested objects
    /// keep the JSON's key order).
    fn sub_dict<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        field_object(py, &*self.inner, key)
    }
}

#[pymethods]
impl PyAsset {
    /// The `asset_...` id (or the id the record was imported with).
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    /// The device's own id of the asset (defaults to `id`).
    #[getter]
    fn device_asset_id(&self) -> &str {
        &self.inner.device_asset_id
    }
    /// The device id (defaults to `"photocat"`).
    #[getter]
    fn device_id(&self) -> &str {
        &self.inner.device_id
    }
    /// MIME type (defaults to `application/octet-stream`).
    #[getter]
    fn mime_type(&self) -> &str {
        &self.inner.mime_type
    }
    /// File name at import (defaults to `""`).
    #[getter]
    fn original_file_name(&self) -> &str {
        &self.inner.original_file_name
    }
    /// File creation time (aware, UTC).
    #[getter]
    fn file_created_at(&self) -> DateTime<Utc> {
        self.inner.file_created_at
    }
    /// File modification time (aware, UTC).
    #[getter]
    fn file_modified_at(&self) -> DateTime<Utc> {
        self.inner.file_modified_at
    }
    /// Wall-clock capture time in the device's timezone (naive).
    #[getter]
    fn local_datetime(&self) -> NaiveDateTime {
        self.inner.local_datetime
    }
    /// Where `local_datetime` came from: `"given"` (the caller gave it), `"exif"` (the file's
    /// EXIF capture time), `"quicktime"` (a movie's creation time), `"file_mtime"` (the file's
    /// modification time: the file has no capture time), `"file_created_at"` or `"write_time"`
    /// (a record given neither); None for assets written by format 1. Not in `to_dict()` (the
    /// Gumnut shape is fixed); a column of `to_pandas()`.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> a, b = cat.add_assets([{"local_datetime": "2024-05-01T10:00:00"},
    /// ...                        {"file_created_at": "2024-05-01T10:00:00Z"}])
    /// >>> a.local_datetime_source, b.local_datetime_source
    /// ('given', 'file_created_at')
    #[getter]
    fn local_datetime_source(&self) -> Option<&'static str> {
        self.inner.local_datetime_source.map(|t| t.as_str())
    }
    /// The offset of `local_datetime` as a `datetime.timezone`, or None when unknown.
    #[getter]
    fn local_offset(&self) -> Option<FixedOffset> {
        self.inner.local_offset
    }
    /// `local_datetime - local_offset` (aware, UTC), or None when the offset is unknown.
    #[getter]
    fn captured_at(&self) -> Option<DateTime<Utc>> {
        self.inner.captured_at()
    }
    /// Base64 SHA-256 of the file, or None for records created without one.
    #[getter]
    fn checksum(&self) -> Option<&str> {
        self.inner.checksum.as_deref()
    }
    /// Base64 SHA-1 of the file (Immich's checksum).
    #[getter]
    fn checksum_sha1(&self) -> Option<&str> {
        self.inner.checksum_sha1.as_deref()
    }
    /// When the record was created (aware, UTC).
    #[getter]
    fn created_at(&self) -> DateTime<Utc> {
        self.inner.created_at
    }
    /// When the record last changed (aware, UTC).
    #[getter]
    fn updated_at(&self) -> DateTime<Utc> {
        self.inner.updated_at
    }
    /// The `exif` object as in `to_dict()`, or None.
    #[getter]
    fn exif<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.sub_dict(py, "exif")
    }
    /// The `metadata` object as in `to_dict()`, or None.
    #[getter]
    fn metadata<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.sub_dict(py, "metadata")
    }
    /// Named numeric metrics, or None.
    #[getter]
    fn metrics<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.sub_dict(py, "metrics")
    }
    /// Named variants (`{"original": {"mimetype", "url", "width"}}`), or None.
    #[getter]
    fn asset_urls<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.sub_dict(py, "asset_urls")
    }
    /// Generated description, or None.
    #[getter]
    fn description(&self) -> Option<&str> {
        self.inner.description.as_deref()
    }
    /// Every face on the asset.
    #[getter]
    fn faces(&self) -> Vec<PyFace> {
        self.inner
            .faces
            .iter()
            .map(|f| PyFace { inner: f.clone() })
            .collect()
    }
    /// The distinct people of those faces, in order of first appearance.
    #[getter]
    fn people(&self) -> Vec<PyPerson> {
        self.inner
            .people
            .iter()
            .map(|p| PyPerson { inner: p.clone() })
            .collect()
    }
    /// Displayed width in pixels (after the EXIF orientation), or None.
    #[getter]
    fn width(&self) -> Option<u32> {
        self.inner.width
    }
    /// Displayed height in pixels (after the EXIF orientation), or None.
    #[getter]
    fn height(&self) -> Option<u32> {
        self.inner.height
    }
    /// File size in bytes, or None.
    #[getter]
    fn file_size_bytes(&self) -> Option<u64> {
        self.inner.file_size_bytes
    }
    /// When the asset was trashed (aware, UTC); None for live assets.
    #[getter]
    fn trashed_at(&self) -> Option<DateTime<Utc>> {
        self.inner.trashed_at
    }
    /// Legacy download URL; only on records given one.
    #[getter]
    fn download_url(&self) -> Option<&str> {
        self.inner.download_url.as_deref()
    }
    /// Legacy thumbnail URL; only on records given one.
    #[getter]
    fn thumbnail_url(&self) -> Option<&str> {
        self.inner.thumbnail_url.as_deref()
    }
    /// The library holding the asset.
    #[getter]
    fn library_id(&self) -> &str {
        &self.inner.library_id
    }
    /// The owner (an Immich user id), or None.
    #[getter]
    fn owner_id(&self) -> Option<&str> {
        self.inner.owner_id.as_deref()
    }
    /// Marked as a favourite.
    #[getter]
    fn is_favorite(&self) -> bool {
        self.inner.is_favorite
    }
    /// Immich visibility: `"timeline"`, `"archive"`, `"hidden"` or `"locked"`.
    #[getter]
    fn visibility(&self) -> &'static str {
        self.inner.visibility.as_str()
    }
    /// True when `visibility` is `"archive"`.
    #[getter]
    fn is_archived(&self) -> bool {
        self.inner.is_archived()
    }
    /// True when the asset is in the trash.
    #[getter]
    fn is_trashed(&self) -> bool {
        self.inner.is_trashed()
    }
    /// The file is offline.
    #[getter]
    fn is_offline(&self) -> bool {
        self.inner.is_offline
    }
    /// The asset type from the MIME type: `"IMAGE"`, `"VIDEO"`, `"AUDIO"` or `"OTHER"`.
    #[getter]
    fn r#type(&self) -> &'static str {
        self.inner.asset_type().as_str()
    }
    /// The video half of a live photo, or None.
    #[getter]
    fn live_photo_video_id(&self) -> Option<&str> {
        self.inner.live_photo_video_id.as_deref()
    }
    /// Duplicate group, or None.
    #[getter]
    fn duplicate_id(&self) -> Option<&str> {
        self.inner.duplicate_id.as_deref()
    }
    /// Stack, or None.
    #[getter]
    fn stack_id(&self) -> Option<&str> {
        self.inner.stack_id.as_deref()
    }
    /// Tags.
    #[getter]
    fn tags(&self) -> Vec<String> {
        self.inner.tags.clone()
    }
    /// Base64 thumbhash, or None.
    #[getter]
    fn thumbhash(&self) -> Option<&str> {
        self.inner.thumbhash.as_deref()
    }
    /// The length of a video as a `datetime.timedelta`, or None. It is stored as Immich's
    /// text `H:MM:SS.ffffff` (the Immich view writes that text); `add_assets` takes a
    /// `timedelta` (or `pandas.Timedelta`, `numpy.timedelta64`) or that text. A stored text of
    /// another form (a record given free text) raises `InvalidArgument` naming it.
    ///
    /// >>> import photocat, datetime
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> a, b = cat.add_assets([{"mime_type": "video/mp4", "duration": "0:01:02.5"},
    /// ...                        {"mime_type": "video/mp4", "duration": datetime.timedelta(hours=1)}])
    /// >>> a.duration
    /// datetime.timedelta(seconds=62, microseconds=500000)
    /// >>> b.duration.total_seconds()
    /// 3600.0
    #[getter]
    fn duration(&self) -> PyResult<Option<chrono::TimeDelta>> {
        let Some(text) = self.inner.duration.as_deref() else {
            return Ok(None);
        };
        parse_duration(text).map(Some).ok_or_else(|| {
            invalid(format!(
                "asset {:?}: its duration {:?} is not Immich's H:MM:SS.ffffff form",
                self.inner.id, text
            ))
        })
    }
    /// Original path on disk, or None.
    #[getter]
    fn original_path(&self) -> Option<&str> {
        self.inner.original_path.as_deref()
    }

    /// The canonical JSON (Gumnut's `AssetResponse`), byte for byte the Rust view's.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> [a] = cat.add_assets([{"local_datetime": "2024-01-02T03:04:05", "id": "asset_a"}])
    /// >>> a.to_json().startswith('{"id":"asset_a","device_asset_id":"asset_a","device_id"')
    /// True
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The canonical JSON as a dict (instants as RFC 3339 strings, keys in the JSON's order);
    /// it imports back unchanged with `add_assets`.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> [a] = cat.add_assets([{"local_datetime": "2024-01-02T03:04:05+01:00"}])
    /// >>> a.to_dict()["local_datetime"]
    /// '2024-01-02T03:04:05+01:00'
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_object(py, &*self.inner)
    }

    /// The Immich JSON (`AssetResponseDto` of `immich-python-sdk==1.134.0`, keys in the order
    /// Immich's server writes them), byte for byte the Rust `Asset::to_immich_json`.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> [a] = cat.add_assets([{"id": "asset_a", "local_datetime": "2024-01-02T03:04:05+01:00"}])
    /// >>> a.to_immich_json()[:52]
    /// '{"id":"asset_a","deviceAssetId":"asset_a","ownerId":'
    fn to_immich_json(&self) -> String {
        self.inner.to_immich_json()
    }

    /// The Immich JSON as a dict (datetimes as Immich's `YYYY-MM-DDTHH:MM:SS.sssZ` strings,
    /// keys in the JSON's order), ready for `AssetResponseDto.from_dict`.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> [a] = cat.add_assets([{"local_datetime": "2024-01-02T03:04:05+01:00",
    /// ...                        "checksum_sha1": "2jmj7l5rSw0yVb/vlWAYkK/YBwk="}])
    /// >>> d = a.to_immich_dict()
    /// >>> d["localDateTime"], d["fileCreatedAt"], d["exifInfo"]["timeZone"]
    /// ('2024-01-02T03:04:05.000Z', '2024-01-02T02:04:05.000Z', 'UTC+1')
    /// >>> d["checksum"], d["isTrashed"], d["people"], d["unassignedFaces"]
    /// ('2jmj7l5rSw0yVb/vlWAYkK/YBwk=', False, [], [])
    fn to_immich_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_object(py, &ImmichAsset::new(&self.inner))
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let local = crate::model::time::format_local(
            self.inner.local_datetime,
            self.inner.local_offset.map(|o| o.local_minus_utc()),
        );
        format!(
            "Asset(id={}, local_datetime={}, original_file_name={})",
            repr(py, &self.inner.id),
            repr(py, &local),
            repr(py, &self.inner.original_file_name)
        )
    }
}

/// The assets of a page as a pandas DataFrame: one Arrow batch built in Rust (with the
/// assets' album ids read from `catalog`), converted by `photocat._frames.page_to_pandas`.
fn page_to_pandas<'py>(
    py: Python<'py>,
    catalog: &Py<PyCatalog>,
    data: &[Py<PyAsset>],
) -> PyResult<Bound<'py, PyAny>> {
    let cat = catalog.get().cat(py)?;
    let assets: Vec<Asset> = data.iter().map(|a| Asset::clone(&a.get().inner)).collect();
    let batch = run(py, || cat.assets_batch(&assets))?;
    py.import("photocat._frames")?
        .getattr("page_to_pandas")?
        .call1((Py::new(py, PyArrowStream::batch(batch))?,))
}

/// One page of `list_assets`: `data` (the assets) and `has_more` (true exactly when at least
/// one more asset follows the last one). Iterating a page iterates its assets.
///
/// >>> import photocat
/// >>> cat = photocat.Catalog.in_memory()
/// >>> _ = cat.add_assets([{"local_datetime": f"2024-01-0{d}T12:00:00"} for d in (1, 2, 3)])
/// >>> page = cat.list_assets(limit=2)
/// >>> len(page), page.has_more
/// (2, True)
#[pyclass(module = "photocat", name = "AssetPage", frozen)]
pub(crate) struct PyAssetPage {
    data: Vec<Py<PyAsset>>,
    has_more: bool,
    /// The catalogue the page came from: `to_pandas` reads the assets' album ids there.
    catalog: Py<PyCatalog>,
}

impl PyAssetPage {
    pub(crate) fn new(py: Python<'_>, page: AssetPage, catalog: Py<PyCatalog>) -> PyResult<Self> {
        let data = PyAsset::all(py, page.data)?;
        Ok(PyAssetPage {
            data,
            has_more: page.has_more,
            catalog,
        })
    }

    /// The page in the Gumnut view's shape.
    fn view(&self) -> PageView<Vec<&Asset>> {
        PageView {
            data: self.data.iter().map(|a| &*a.get().inner).collect(),
            has_more: self.has_more,
        }
    }
}

#[pymethods]
impl PyAssetPage {
    /// The assets of the page (a new list on each access).
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.data.iter().map(|a| a.clone_ref(py)))
    }
    /// True exactly when at least one more asset follows the last one.
    #[getter]
    fn has_more(&self) -> bool {
        self.has_more
    }
    /// The page as Gumnut JSON, byte for byte the Rust `AssetPage::to_json`.
    ///
    /// >>> import photocat
    /// >>> photocat.Catalog.in_memory().list_assets().to_json()
    /// '{"data":[],"has_more":false}'
    fn to_json(&self) -> String {
        self.view().to_json()
    }
    /// `{"data": [asset dicts], "has_more": bool}`.
    ///
    /// >>> import photocat
    /// >>> photocat.Catalog.in_memory().list_assets().to_dict()
    /// {'data': [], 'has_more': False}
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_object(py, &self.view())
    }
    /// The page as a pandas DataFrame (needs pandas and pyarrow: `pip install
    /// 'photocat[pandas]'`): one row per asset, in page order, with exactly the columns and
    /// dtypes of `Catalog.to_pandas()` (the same Arrow schema, built in Rust). `album_ids`
    /// are read from the catalogue when this is called, so the catalogue must still be open.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> _ = cat.add_assets([{"local_datetime": "2024-01-01T12:00:00", "exif": {"make": "Canon"}}])
    /// >>> df = cat.list_assets().to_pandas()
    /// >>> df.loc[0, "exif_make"], str(df["local_datetime"].dtype)
    /// ('Canon', 'datetime64[us]')
    fn to_pandas<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let page = slf.get();
        page_to_pandas(slf.py(), &page.catalog, &page.data)
    }
    fn __len__(&self) -> usize {
        self.data.len()
    }
    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.data(py)?.try_iter()?.into_any())
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.cast::<PyAssetPage>() {
            Ok(o) => {
                let o = o.get();
                o.has_more == self.has_more
                    && o.data.len() == self.data.len()
                    && o.data
                        .iter()
                        .zip(&self.data)
                        .all(|(a, b)| a.get().inner == b.get().inner)
            }
            Err(_) => false,
        }
    }
    fn __repr__(&self) -> String {
        format!(
            "AssetPage(len={}, has_more={})",
            self.data.len(),
            if self.has_more { "True" } else { "False" }
        )
    }
}

/// One page of `Catalog.search_assets`: `data` (the assets of the page, in list order),
/// `page` (its number, 1-indexed, as asked), `has_more` (true exactly when a later page holds
/// at least one asset) and `total` (the number of matches over all pages, not the page size).
/// Iterating a page iterates its assets.
///
/// >>> import photocat
/// >>> cat = photocat.Catalog.in_memory()
/// >>> _ = cat.add_assets([{"local_datetime": f"2024-01-0{d}T12:00:00", "is_favorite": d != 2}
/// ...                     for d in (1, 2, 3, 4)])
/// >>> res = cat.search_assets(is_favorite=True, limit=2)
/// >>> len(res), res.page, res.has_more, res.total
/// (2, 1, True, 3)
/// >>> res
/// SearchPage(len=2, page=1, has_more=True, total=3)
#[pyclass(module = "photocat", name = "SearchPage", frozen)]
pub(crate) struct PySearchPage {
    data: Vec<Py<PyAsset>>,
    page: u32,
    has_more: bool,
    total: u64,
    /// The catalogue the page came from: `to_pandas` reads the assets' album ids there.
    catalog: Py<PyCatalog>,
}

impl PySearchPage {
    pub(crate) fn new(py: Python<'_>, page: SearchPage, catalog: Py<PyCatalog>) -> PyResult<Self> {
        let data = PyAsset::all(py, page.data)?;
        Ok(PySearchPage {
            data,
            page: page.page,
            has_more: page.has_more,
            total: page.total,
            catalog,
        })
    }

    /// The page in the search view's shape.
    fn view(&self) -> SearchPageView<Vec<&Asset>> {
        SearchPageView {
            data: self.data.iter().map(|a| &*a.get().inner).collect(),
            page: self.page,
            has_more: self.has_more,
            total: self.total,
        }
    }
}

#[pymethods]
impl PySearchPage {
    /// The assets of the page (a new list on each access).
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.data.iter().map(|a| a.clone_ref(py)))
    }
    /// The page number, 1-indexed, as asked (a page past the end is empty).
    #[getter]
    fn page(&self) -> u32 {
        self.page
    }
    /// True exactly when a later page holds at least one asset.
    #[getter]
    fn has_more(&self) -> bool {
        self.has_more
    }
    /// The number of assets that match, over all pages.
    #[getter]
    fn total(&self) -> u64 {
        self.total
    }
    /// The page as JSON, byte for byte the Rust `SearchPage::to_json`: the Gumnut assets in
    /// `data`, then `page`, `has_more` and `total`.
    ///
    /// >>> import photocat
    /// >>> photocat.Catalog.in_memory().search_assets().to_json()
    /// '{"data":[],"page":1,"has_more":false,"total":0}'
    fn to_json(&self) -> String {
        self.view().to_json()
    }
    /// `{"data": [asset dicts], "page": int, "has_more": bool, "total": int}`.
    ///
    /// >>> import photocat
    /// >>> photocat.Catalog.in_memory().search_assets(page=3).to_dict()
    /// {'data': [], 'page': 3, 'has_more': False, 'total': 0}
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_object(py, &self.view())
    }
    /// The page as a pandas DataFrame (needs pandas and pyarrow: `pip install
    /// 'photocat[pandas]'`): one row per asset, in page order, with exactly the columns and
    /// dtypes of `Catalog.to_pandas()` (the same Arrow schema, built in Rust). `album_ids`
    /// are read from the catalogue when this is called, so the catalogue must still be open.
    ///
    /// >>> import photocat
    /// >>> cat = photocat.Catalog.in_memory()
    /// >>> _ = cat.add_assets([{"local_datetime": "2024-01-01T12:00:00", "exif": {"make": "Canon"}},
    /// ...                     {"local_datetime": "2024-01-02T12:00:00", "exif": {"make": "SONY"}}])
    /// >>> df = cat.search_assets(make="Canon").to_pandas()
    /// >>> len(df), df.loc[0, "exif_make"], str(df["local_datetime"].dtype)
    /// (1, 'Canon', 'datetime64[us]')
    fn to_pandas<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let page = slf.get();
        page_to_pandas(slf.py(), &page.catalog, &page.data)
    }
    fn __len__(&self) -> usize {
        self.data.len()
    }
    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.data(py)?.try_iter()?.into_any())
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.cast::<PySearchPage>() {
            Ok(o) => {
                let o = o.get();
                (o.page, o.has_more, o.total) == (self.page, self.has_more, self.total)
                    && o.data.len() == self.data.len()
                    && o.data
                        .iter()
                        .zip(&self.data)
                        .all(|(a, b)| a.get().inner == b.get().inner)
            }
            Err(_) => false,
        }
    }
    fn __repr__(&self) -> String {
        format!(
            "SearchPage(len={}, page={}, has_more={}, total={})",
            self.data.len(),
            self.page,
            if self.has_more { "True" } else { "False" },
            self.total
        )
    }
}

/// The answer of `Catalog.get_all_assets` (Immich's legacy `GET /asset`): `assets` (the page,
/// in `file_created_at` order, newest first), `body` (those assets as the compact Immich JSON
/// array, the bytes to send as the 200 response), `etag` (the strong ETag Immich's server
/// would send for that body) and `not_modified` (True when the `if_none_match` given matched
/// `etag`: then `assets` is empty and `body` is `b""`, the 304 case). Iterating it iterates
/// its assets.
///
/// >>> import photocat
/// >>> cat = photocat.Catalog.in_memory()
/// >>> res = cat.get_all_assets()
/// >>> res.body, res.etag, res.not_modified
/// (b'[]', '"2-l9Fw4VUO7kr8CvBlt4zaMCqXZ0w"', False)
/// >>> cat.get_all_assets(if_none_match=res.etag)
/// AllAssets(len=0, etag='"2-l9Fw4VUO7kr8CvBlt4zaMCqXZ0w"', not_modified=True)
#[pyclass(module = "photocat", name = "AllAssets", frozen)]
pub(crate) struct PyAllAssets {
    assets: Vec<Py<PyAsset>>,
    body: Py<PyBytes>,
    etag: String,
    not_modified: bool,
}

impl PyAllAssets {
    pub(crate) fn new(py: Python<'_>, all: AllAssets) -> PyResult<Self> {
        let assets = PyAsset::all(py, all.assets)?;
        Ok(PyAllAssets {
            assets,
            body: PyBytes::new(py, &all.body).unbind(),
            etag: all.etag,
            not_modified: all.not_modified,
        })
    }
}

#[pymethods]
impl PyAllAssets {
    /// The assets (a new list on each access); empty when `not_modified`.
    #[getter]
    fn assets<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.assets.iter().map(|a| a.clone_ref(py)))
    }
    /// The assets as the compact Immich JSON array (`[` the `to_immich_json()` of each,
    /// comma-separated `]`): the response body the ETag is computed over. `b""` when
    /// `not_modified`.
    #[getter]
    fn body(&self, py: Python<'_>) -> Py<PyBytes> {
        self.body.clone_ref(py)
    }
    /// The strong ETag of the body, quotes included: `"<hex byte length>-<the first 27
    /// characters of base64(sha1(body))>"`, as Express writes it. Set when `not_modified`
    /// too (it is the ETag that matched).
    #[getter]
    fn etag(&self) -> &str {
        &self.etag
    }
    /// True when `if_none_match` matched `etag` (answer 304 with no body).
    #[getter]
    fn not_modified(&self) -> bool {
        self.not_modified
    }
    fn __len__(&self) -> usize {
        self.assets.len()
    }
    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.assets(py)?.try_iter()?.into_any())
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "AllAssets(len={}, etag={}, not_modified={})",
            self.assets.len(),
            repr(py, &self.etag),
            if self.not_modified { "True" } else { "False" }
        )
    }
}

/// The answer of `Catalog.get_all_assets_json`: `AllAssets` without the assets. `body` is the
/// compact Immich JSON array (the bytes of `get_all_assets(...).body`, written by the engine
/// straight from the stored records), `etag` its strong ETag and `not_modified` True when
/// `if_none_match` matched it (then `body` is `b""`).
///
/// >>> import photocat
/// >>> res = photocat.Catalog.in_memory().get_all_assets_json()
/// >>> res.body, res.etag, res.not_modified
/// (b'[]', '"2-l9Fw4VUO7kr8CvBlt4zaMCqXZ0w"', False)
#[pyclass(module = "photocat", name = "AllAssetsJson", frozen)]
pub(crate) struct PyAllAssetsJson {
    body: Py<PyBytes>,
    etag: String,
    not_modified: bool,
}

impl PyAllAssetsJson {
    pub(crate) fn new(py: Python<'_>, all: AllAssetsJson) -> Self {
        PyAllAssetsJson {
            body: PyBytes::new(py, &all.body).unbind(),
            etag: all.etag,
            not_modified: all.not_modified,
        }
    }
}

#[pymethods]
impl PyAllAssetsJson {
    /// The assets as the compact Immich JSON array; `b""` when `not_modified`.
    #[getter]
    fn body(&self, py: Python<'_>) -> Py<PyBytes> {
        self.body.clone_ref(py)
    }
    /// The strong ETag of the body, quotes included (as `AllAssets.etag`).
    #[getter]
    fn etag(&self) -> &str {
        &self.etag
    }
    /// True when `if_none_match` matched `etag` (answer 304 with no body).
    #[getter]
    fn not_modified(&self) -> bool {
        self.not_modified
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "AllAssetsJson(bytes={}, etag={}, not_modified={})",
            self.body.bind(py).as_bytes().len(),
            repr(py, &self.etag),
            if self.not_modified { "True" } else { "False" }
        )
    }
}

/// A face on an asset, optionally assigned to a person. `bounding_box` is
/// `{"x", "y", "w", "h"}` in whole pixels of the displayed image.
#[pyclass(module = "photocat", name = "Face", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct PyFace {
    pub(crate) inner: Face,
}

#[pymethods]
impl PyFace {
    /// The `face_...` id.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    /// The asset the face is on.
    #[getter]
    fn asset_id(&self) -> &str {
        &self.inner.asset_id
    }
    /// The person the face is assigned to, or None.
    #[getter]
    fn person_id(&self) -> Option<&str> {
        self.inner.person_id.as_deref()
    }
    /// `{"x": .., "y": .., "w": .., "h": ..}` in whole pixels.
    #[getter]
    fn bounding_box<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_object(py, &self.inner.bounding_box)
    }
    /// For videos, when the face appears (milliseconds), or None.
    #[getter]
    fn timestamp_ms(&self) -> Option<i64> {
        self.inner.timestamp_ms
    }
    /// Creation time (aware, UTC).
    #[getter]
    fn created_at(&self) -> DateTime<Utc> {
        self.inner.created_at
    }
    /// Last update (aware, UTC).
    #[getter]
    fn updated_at(&self) -> DateTime<Utc> {
        self.inner.updated_at
    }
    /// Legacy face thumbnail URL; only on faces given one.
    #[getter]
    fn thumbnail_url(&self) -> Option<&str> {
        self.inner.thumbnail_url.as_deref()
    }
    /// The face as in an asset's `faces` JSON.
    fn to_json(&self) -> String {
        json_of(&self.inner)
    }
    /// The face as in an asset's `faces` (a dict).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_object(py, &self.inner)
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Face(id={}, asset_id={}, person_id={})",
            repr(py, &self.inner.id),
            repr(py, &self.inner.asset_id),
            self.inner
                .person_id
                .as_deref()
                .map_or_else(|| "None".to_owned(), |p| repr(py, p))
        )
    }
}

/// A person: a named (or unnamed) cluster of faces, with a maintained `asset_count` (live
/// assets with a face of the person).
#[pyclass(module = "photocat", name = "Person", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct PyPerson {
    pub(crate) inner: Person,
}

#[pymethods]
impl PyPerson {
    /// The `person_...` id.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    /// Name, or None.
    #[getter]
    fn name(&self) -> Option<&str> {
        self.inner.name.as_deref()
    }
    /// Birth date, or None.
    #[getter]
    fn birth_date(&self) -> Option<NaiveDate> {
        self.inner.birth_date
    }
    /// Hidden from the UI.
    #[getter]
    fn is_hidden(&self) -> bool {
        self.inner.is_hidden
    }
    /// Marked as a favourite.
    #[getter]
    fn is_favorite(&self) -> bool {
        self.inner.is_favorite
    }
    /// How many live (not trashed) assets have a face of this person.
    #[getter]
    fn asset_count(&self) -> u64 {
        self.inner.asset_count
    }
    /// The face used as the person's thumbnail, or None.
    #[getter]
    fn thumbnail_face_id(&self) -> Option<&str> {
        self.inner.thumbnail_face_id.as_deref()
    }
    /// Creation time (aware, UTC).
    #[getter]
    fn created_at(&self) -> DateTime<Utc> {
        self.inner.created_at
    }
    /// Last update (aware, UTC).
    #[getter]
    fn updated_at(&self) -> DateTime<Utc> {
        self.inner.updated_at
    }
    /// Legacy thumbnail URL; only on people given one.
    #[getter]
    fn thumbnail_face_url(&self) -> Option<&str> {
        self.inner.thumbnail_face_url.as_deref()
    }
    /// The person as in an asset's `people` JSON.
    fn to_json(&self) -> String {
        json_of(&self.inner)
    }
    /// The person as in an asset's `people` (a dict).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_object(py, &self.inner)
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Person(id={}, name={}, asset_count={})",
            repr(py, &self.inner.id),
            self.inner
                .name
                .as_deref()
                .map_or_else(|| "None".to_owned(), |n| repr(py, n)),
            self.inner.asset_count
        )
    }
}

/// An album: a named set of assets within one library, with the maintained `asset_count`.
#[pyclass(module = "photocat", name = "Album", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct PyAlbum {
    pub(crate) inner: Album,
}

#[pymethods]
impl PyAlbum {
    /// The `album_...` id.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    /// Name.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }
    /// Description, or None.
    #[getter]
    fn description(&self) -> Option<&str> {
        self.inner.description.as_deref()
    }
    /// The library the album belongs to.
    #[getter]
    fn library_id(&self) -> &str {
        &self.inner.library_id
    }
    /// How many live (not trashed) assets the album lists: a maintained count.
    #[getter]
    fn asset_count(&self) -> u64 {
        self.inner.asset_count
    }
    /// Creation time (aware, UTC).
    #[getter]
    fn created_at(&self) -> DateTime<Utc> {
        self.inner.created_at
    }
    /// Last update (aware, UTC).
    #[getter]
    fn updated_at(&self) -> DateTime<Utc> {
        self.inner.updated_at
    }
    /// `{"id", "name", "description", "library_id", "created_at", "updated_at"}` as JSON.
    fn to_json(&self) -> String {
        json_of(&self.inner)
    }
    /// The same as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_object(py, &self.inner)
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Album(id={}, name={}, asset_count={})",
            repr(py, &self.inner.id),
            repr(py, &self.inner.name),
            self.inner.asset_count
        )
    }
}

/// A library: a collection of assets with one owner. Checksums are unique per library.
#[pyclass(module = "photocat", name = "Library", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct PyLibrary {
    pub(crate) inner: Library,
}

#[pymethods]
impl PyLibrary {
    /// The `library_...` id.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    /// Name.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }
    /// The owner (an Immich user id), or None.
    #[getter]
    fn owner_id(&self) -> Option<&str> {
        self.inner.owner_id.as_deref()
    }
    /// Creation time (aware, UTC).
    #[getter]
    fn created_at(&self) -> DateTime<Utc> {
        self.inner.created_at
    }
    /// Last update (aware, UTC).
    #[getter]
    fn updated_at(&self) -> DateTime<Utc> {
        self.inner.updated_at
    }
    /// `{"id", "name", "owner_id", "created_at", "updated_at"}` as JSON.
    fn to_json(&self) -> String {
        json_of(&self.inner)
    }
    /// The same as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_object(py, &self.inner)
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Library(id={}, name={})",
            repr(py, &self.inner.id),
            repr(py, &self.inner.name)
        )
    }
}

/// The answer of `Catalog.check_checksums` for one checksum: the `checksum` as it was given,
/// the `asset_id` that holds those bytes (None when no asset does), and `is_trashed` (True
/// when that asset is in the trash).
///
/// >>> import photocat
/// >>> photocat.Catalog.in_memory().check_checksums(["2jmj7l5rSw0yVb/vlWAYkK/YBwk="])
/// [ChecksumMatch(checksum='2jmj7l5rSw0yVb/vlWAYkK/YBwk=', asset_id=None, is_trashed=False)]
#[pyclass(module = "photocat", name = "ChecksumMatch", frozen, eq, hash)]
#[derive(PartialEq, Hash)]
pub(crate) struct PyChecksumMatch {
    pub(crate) inner: ChecksumMatch,
}

#[pymethods]
impl PyChecksumMatch {
    /// The checksum exactly as it was given (base64 or hex).
    #[getter]
    fn checksum(&self) -> &str {
        &self.inner.checksum
    }
    /// The asset that holds these bytes, or None.
    #[getter]
    fn asset_id(&self) -> Option<&str> {
        self.inner.asset_id.as_deref()
    }
    /// True when that asset is in the trash.
    #[getter]
    fn is_trashed(&self) -> bool {
        self.inner.is_trashed
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "ChecksumMatch(checksum={}, asset_id={}, is_trashed={})",
            repr(py, &self.inner.checksum),
            self.inner
                .asset_id
                .as_deref()
                .map_or_else(|| "None".to_owned(), |a| repr(py, a)),
            if self.inner.is_trashed {
                "True"
            } else {
                "False"
            }
        )
    }
}

/// A catalogue at a glance (`Catalog.summary()`): the file's `format_version` and
/// `file_size_bytes` (None in memory), each library's counts (`libraries`), and the numbers of
/// `albums` and `people`. Every figure is read from maintained counts; nothing is walked.
///
/// >>> import photocat
/// >>> cat = photocat.Catalog.in_memory()
/// >>> _ = cat.create_library("Family", id="library_family")
/// >>> _ = cat.add_assets([{"local_datetime": "2024-05-01T10:00:00"}] * 2)
/// >>> cat.summary()  # doctest: +NORMALIZE_WHITESPACE
/// Summary(format_version=6, file_size_bytes=None, albums=0, people=0, libraries=[
///     LibrarySummary(library=Library(id='library_family', name='Family'), live=2, trashed=0, albums=0),
/// ])
#[pyclass(module = "photocat", name = "Summary", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct PySummary {
    pub(crate) inner: Summary,
}

#[pymethods]
impl PySummary {
    /// The format version of the file.
    #[getter]
    fn format_version(&self) -> u32 {
        self.inner.format_version
    }
    /// The file's size in bytes, or None for an in-memory catalogue.
    #[getter]
    fn file_size_bytes(&self) -> Option<u64> {
        self.inner.file_size_bytes
    }
    /// Every library with its counts, by id.
    #[getter]
    fn libraries(&self) -> Vec<PyLibrarySummary> {
        self.inner
            .libraries
            .iter()
            .map(|l| PyLibrarySummary { inner: l.clone() })
            .collect()
    }
    /// Albums in all libraries.
    #[getter]
    fn albums(&self) -> u64 {
        self.inner.albums
    }
    /// People.
    #[getter]
    fn people(&self) -> u64 {
        self.inner.people
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let s = &self.inner;
        let size = s
            .file_size_bytes
            .map_or_else(|| "None".to_owned(), |n| n.to_string());
        let mut out = format!(
            "Summary(format_version={}, file_size_bytes={size}, albums={}, people={}, libraries=[",
            s.format_version, s.albums, s.people
        );
        for lib in &s.libraries {
            out.push_str("\n    ");
            out.push_str(&library_summary_repr(py, lib));
            out.push(',');
        }
        if !s.libraries.is_empty() {
            out.push('\n');
        }
        out.push_str("])");
        out
    }
}

fn library_summary_repr(py: Python<'_>, l: &LibrarySummary) -> String {
    format!(
        "LibrarySummary(library=Library(id={}, name={}), live={}, trashed={}, albums={})",
        repr(py, &l.library.id),
        repr(py, &l.library.name),
        l.live,
        l.trashed,
        l.albums
    )
}

/// One library's counts in a `Summary`: the `library`, its `live` and `trashed` assets (those
/// that lists show: timeline and archive) and its `albums`.
#[pyclass(module = "photocat", name = "LibrarySummary", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct PyLibrarySummary {
    pub(crate) inner: LibrarySummary,
}

#[pymethods]
impl PyLibrarySummary {
    /// The library.
    #[getter]
    fn library(&self) -> PyLibrary {
        PyLibrary {
            inner: self.inner.library.clone(),
        }
    }
    /// Live (not trashed) assets that lists show (timeline and archive).
    #[getter]
    fn live(&self) -> u64 {
        self.inner.live
    }
    /// Trashed assets that lists show.
    #[getter]
    fn trashed(&self) -> u64 {
        self.inner.trashed
    }
    /// Albums of the library.
    #[getter]
    fn albums(&self) -> u64 {
        self.inner.albums
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        library_summary_repr(py, &self.inner)
    }
}
