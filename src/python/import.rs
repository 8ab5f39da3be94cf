//! `Catalog.import_paths` and its `ImportReport`. The import runs with the interpreter
//! released; the progress callback re-attaches to call the Python callable and to check for
//! signals, so Ctrl-C cancels the import cleanly: the engine commits what it has read (every
//! batch complete) and returns, then `KeyboardInterrupt` is raised.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use pyo3::prelude::*;

use super::convert::type_name;
use super::errors::run;
use super::model::PyAsset;
use crate::catalog::Catalog;
use crate::import::{ImportPaths, ImportReport};
use crate::write::OnDuplicate;

/// What `import_paths` did: `created` (the new assets, in walk order), `duplicates` (`(path,
/// existing_asset_id)` for files already in the library), `failed` (`(path, reason)` for files
/// that could not be read or are not a photo or video), `skipped` (files a folder walk left out
/// by name), `cancelled` (the progress callable returned False) and `stopped` (why the import
/// stopped early when a batch could not be committed, e.g. a full disk; None otherwise).
#[pyclass(module = "photocat", name = "ImportReport", frozen)]
pub(crate) struct PyImportReport {
    created: Vec<Py<PyAsset>>,
    duplicates: Vec<(String, String)>,
    failed: Vec<(String, String)>,
    skipped: Vec<String>,
    cancelled: bool,
    stopped: Option<String>,
}

fn path_str(p: PathBuf) -> String {
    p.to_string_lossy().into_owned()
}

impl PyImportReport {
    fn new(py: Python<'_>, r: ImportReport) -> PyResult<Self> {
        Ok(PyImportReport {
            created: PyAsset::all(py, r.created)?,
            duplicates: r
                .duplicates
                .into_iter()
                .map(|(p, id)| (path_str(p), id))
                .collect(),
            failed: r
                .failed
                .into_iter()
                .map(|(p, why)| (path_str(p), why))
                .collect(),
            skipped: r.skipped.into_iter().map(path_str).collect(),
            cancelled: r.cancelled,
            stopped: r.stopped,
        })
    }
}

#[pymethods]
impl PyImportReport {
    /// The assets created, in walk order.
    #[getter]
    fn created(&self, py: Python<'_>) -> Vec<Py<PyAsset>> {
        self.created.iter().map(|a| a.clone_ref(py)).collect()
    }
    /// `(path, existing_asset_id)` for each file whose checksum was already in the library.
    #[getter]
    fn duplicates(&self) -> Vec<(String, String)> {
        self.duplicates.clone()
    }
    /// `(path, reason)` for each file that could not be imported.
    #[getter]
    fn failed(&self) -> Vec<(String, String)> {
        self.failed.clone()
    }
    /// Files a folder walk did not read because of their name (other extensions, sidecars).
    #[getter]
    fn skipped(&self) -> Vec<String> {
        self.skipped.clone()
    }
    /// True when the progress callable stopped the import early.
    #[getter]
    fn cancelled(&self) -> bool {
        self.cancelled
    }
    /// Why the import stopped early when a batch could not be committed (a storage error such
    /// as a full disk), else None. The batches committed before it stay; every file not
    /// imported because of it is in `failed` with the reason. Import again once the cause is
    /// fixed: the files already in stay duplicates.
    #[getter]
    fn stopped(&self) -> Option<String> {
        self.stopped.clone()
    }
    fn __repr__(&self) -> String {
        let stopped = match &self.stopped {
            Some(why) => format!(", stopped={why:?}"),
            None => String::new(),
        };
        format!(
            "ImportReport(created={}, duplicates={}, failed={}, skipped={}, cancelled={}{stopped})",
            self.created.len(),
            self.duplicates.len(),
            self.failed.len(),
            self.skipped.len(),
            if self.cancelled { "True" } else { "False" }
        )
    }
}

/// The paths argument: one path (str or os.PathLike) or an iterable of them.
fn paths_arg(obj: &Bound<'_, PyAny>) -> PyResult<Vec<PathBuf>> {
    if let Ok(p) = obj.extract::<PathBuf>() {
        return Ok(vec![p]);
    }
    let iter = obj.try_iter().map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err(format!(
            "paths must be a path (str or os.PathLike) or a list of them, got {}",
            type_name(obj)
        ))
    })?;
    iter.map(|p| p?.extract::<PathBuf>()).collect()
}

/// `Catalog.import_paths` into `cat` (the method in `catalog.rs` delegates here with its open
/// catalogue).
pub(crate) fn import_paths(
    cat: Arc<Catalog>,
    py: Python<'_>,
    paths: &Bound<'_, PyAny>,
    library_id: Option<String>,
    recursive: bool,
    on_duplicate: &str,
    progress: Option<Py<PyAny>>,
) -> PyResult<PyImportReport> {
    let paths = paths_arg(paths)?;
    let on_duplicate = OnDuplicate::from_str(on_duplicate)?;
    if let Some(p) = &progress {
        if !p.bind(py).is_callable() {
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "progress must be a callable (done, total) or None, got {}",
                type_name(p.bind(py))
            )));
        }
    }
    // The first Python error raised in the callback (the callable's own, or
    // KeyboardInterrupt from a signal); it stops the import and is raised after it.
    let mut raised: Option<PyErr> = None;
    let report = {
        let raised = &mut raised;
        let mut callback = move |done: usize, total: usize| -> bool {
            Python::attach(|py| {
                let outcome = py.check_signals().and_then(|()| match &progress {
                    Some(f) => f
                        .call1(py, (done, total))
                        .map(|r| !r.bind(py).is(&*pyo3::types::PyBool::new(py, false))),
                    None => Ok(true),
                });
                match outcome {
                    Ok(go_on) => go_on,
                    Err(e) => {
                        raised.get_or_insert(e);
                        false
                    }
                }
            })
        };
        run(py, || {
            cat.import_paths(
                &paths,
                ImportPaths {
                    library_id,
                    recursive,
                    on_duplicate,
                    progress: Some(&mut callback),
                    ..ImportPaths::default()
                },
            )
        })
    };
    if let Some(e) = raised {
        return Err(e);
    }
    PyImportReport::new(py, report?)
}
