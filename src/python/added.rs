//! `AddSummary`, the result of `Catalog.add_assets_summary`: counts only, so a bulk load builds
//! no `Asset` object.

use pyo3::prelude::*;

use crate::write::AddSummary;

/// What `add_assets_summary` did: `created`, the records that created an asset, and
/// `skipped`, those skipped as duplicates (`on_duplicate="skip"`) of a stored asset or of an
/// earlier record of the same call.
#[pyclass(module = "photocat", name = "AddSummary", frozen, eq, hash)]
#[derive(PartialEq, Eq, Hash)]
pub(crate) struct PyAddSummary {
    pub(crate) inner: AddSummary,
}

#[pymethods]
impl PyAddSummary {
    /// The number of records that created an asset.
    #[getter]
    fn created(&self) -> u64 {
        self.inner.created
    }
    /// The number of records skipped as duplicates.
    #[getter]
    fn skipped(&self) -> u64 {
        self.inner.skipped
    }
    fn __repr__(&self) -> String {
        format!(
            "AddSummary(created={}, skipped={})",
            self.inner.created, self.inner.skipped
        )
    }
}
