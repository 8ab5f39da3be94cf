//! The Python module `photocat._photocat` (feature `python`), re-exported by the pure-Python
//! package `photocat` (`python/photocat/`). It only converts and delegates: every rule lives in
//! the engine. Layout: [`catalog`] (the `Catalog` class and the `iter_assets` iterator),
//! [`model`] (the record classes), [`import`] (`import_paths` and its report), [`added`] (`add_assets_summary`'s counts), [`verify`] (`VerifyReport`), [`frames`]
//! (`ArrowStream`, the Arrow C stream behind the data-science calls), [`convert`] (Python
//! values in), [`de`] (dicts read by serde), [`objects`] (dicts and lists out of the views, for `to_dict`), [`errors`] (the one
//! mapping of [`crate::Error`] onto `photocat.errors`, and the `run` helper that releases the
//! interpreter around every storage call).

mod added;
mod catalog;
mod convert;
mod de;
mod errors;
mod frames;
mod import;
mod model;
mod objects;
mod verify;

use pyo3::prelude::*;

/// The native half of `photocat`; import `photocat` instead.
#[pymodule(name = "_photocat")]
fn photocat_native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<catalog::PyCatalog>()?;
    m.add_class::<catalog::PyAssetIterator>()?;
    m.add_class::<model::PyAsset>()?;
    m.add_class::<model::PyAssetPage>()?;
    m.add_class::<model::PySearchPage>()?;
    m.add_class::<model::PyAllAssets>()?;
    m.add_class::<model::PyAllAssetsJson>()?;
    m.add_class::<model::PyFace>()?;
    m.add_class::<model::PyPerson>()?;
    m.add_class::<model::PyAlbum>()?;
    m.add_class::<model::PyLibrary>()?;
    m.add_class::<model::PySummary>()?;
    m.add_class::<model::PyLibrarySummary>()?;
    m.add_class::<model::PyChecksumMatch>()?;
    m.add_class::<import::PyImportReport>()?;
    m.add_class::<added::PyAddSummary>()?;
    m.add_class::<frames::PyArrowStream>()?;
    m.add_class::<verify::PyVerifyReport>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
