//! The one mapping from [`crate::Error`] to the Python exception classes of
//! `photocat.errors`, and the `run` helper every storage call goes through.
//!
//! The classes are defined in Python (`python/photocat/errors.py`) because the contract's
//! multiple inheritance (`NotFoundError` is also a `KeyError`, `StorageError` an `OSError`)
//! cannot be declared from Rust. The mapping, exhaustive over the enum:
//!
//! | `photocat::Error`     | Python class                                   | extra attributes |
//! |-----------------------|------------------------------------------------|------------------|
//! | `NotFound`            | `NotFoundError` (`KeyError`)                   | `kind`, `id` |
//! | `InvalidArgument`     | `InvalidArgument` (`ValueError`)               | |
//! | `Duplicate`           | `DuplicateError` (`ValueError`)                | `existing_id` |
//! | `NotACatalog`         | `NotACatalogError` (`StorageError`, `OSError`) | `path`, `filename` |
//! | `UnsupportedVersion`  | `UnsupportedVersionError` (`StorageError`)     | `found`, `supported` |
//! | `Corrupt`             | `CorruptError` (`StorageError`)                | |
//! | `AlreadyOpen`         | `AlreadyOpenError` (`StorageError`)            | `filename` |
//! | `Storage`             | `StorageError` (`OSError`)                     | `errno`, `strerror` for I/O errors |
//! | `Io`                  | `StorageError` (`OSError`)                     | `errno`, `strerror`, `filename` |

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;
use pyo3::IntoPyObjectExt;

use crate::error::Error;

/// A class of `photocat.errors`, imported once.
fn class<'py>(py: Python<'py>, name: &'static str) -> PyResult<Bound<'py, PyType>> {
    static MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    let module = MODULE.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import("photocat.errors")?.unbind())
    })?;
    Ok(module.bind(py).getattr(name)?.cast_into::<PyType>()?)
}

/// An instance of the class `name` with the message and extra attributes.
fn build(
    py: Python<'_>,
    name: &'static str,
    message: String,
    attrs: Vec<(&'static str, Py<PyAny>)>,
) -> PyResult<PyErr> {
    let exc = class(py, name)?.call1((message,))?;
    for (k, v) in attrs {
        exc.setattr(k, v)?;
    }
    Ok(PyErr::from_value(exc))
}

/// The operating system's error number of an I/O error (its errno, as Python's `OSError`
/// has it); None for errors that are not the operating system's.
fn io_errno(e: &std::io::Error) -> Option<i32> {
    e.raw_os_error()
}

fn storage_errno(e: &redb::Error) -> Option<i32> {
    match e {
        redb::Error::Io(io) => io_errno(io),
        _ => None,
    }
}

/// The Python exception of an error (exhaustive: a new variant does not compile until it is
/// mapped here).
pub(crate) fn to_pyerr(py: Python<'_>, e: Error) -> PyErr {
    let message = e.to_string();
    let (name, attrs): (&'static str, Vec<(&'static str, Py<PyAny>)>) = match &e {
        Error::NotFound { kind, id } => (
            "NotFoundError",
            vec![("kind", pyobj(py, kind)), ("id", pyobj(py, id))],
        ),
        Error::InvalidArgument(_) => ("InvalidArgument", vec![]),
        Error::Duplicate { existing_id, .. } => (
            "DuplicateError",
            vec![("existing_id", pyobj(py, existing_id))],
        ),
        Error::NotACatalog { path, .. } => ("NotACatalogError", {
            let mut attrs = vec![("path", path_str(py, path))];
            attrs.extend(os_attrs(py, None, Some(path)));
            attrs
        }),
        Error::UnsupportedVersion { found, supported } => (
            "UnsupportedVersionError",
            vec![
                ("found", pyobj(py, found)),
                ("supported", pyobj(py, supported)),
            ],
        ),
        Error::Corrupt(_) => ("CorruptError", vec![]),
        Error::AlreadyOpen { path } => ("AlreadyOpenError", os_attrs(py, None, Some(path))),
        Error::Storage(inner) => ("StorageError", os_attrs(py, storage_errno(inner), None)),
        Error::Io { path, source } => (
            "StorageError",
            os_attrs(py, io_errno(source), path.as_deref()),
        ),
        Error::Arrow(_) => ("PhotocatError", vec![]),
    };
    build(py, name, message, attrs).unwrap_or_else(|import_error| import_error)
}

/// A Python object of a plain value (strings, integers, paths: conversions that cannot fail).
fn pyobj<'py, T: IntoPyObject<'py>>(py: Python<'py>, v: T) -> Py<PyAny> {
    v.into_bound_py_any(py)
        .map(Bound::unbind)
        .unwrap_or_else(|_| py.None())
}

/// A path as the `str` Python's own `OSError.filename` holds.
fn path_str(py: Python<'_>, path: &std::path::Path) -> Py<PyAny> {
    pyobj(py, path.to_string_lossy().into_owned())
}

/// `OSError`'s attributes: `errno` and `strerror` (Python's `os.strerror`, the text Python's
/// own `OSError`s carry) for an operating-system error, `filename` when the file is known.
/// Unset ones stay None, as on an `OSError` built from a message.
fn os_attrs(
    py: Python<'_>,
    errno: Option<i32>,
    filename: Option<&std::path::Path>,
) -> Vec<(&'static str, Py<PyAny>)> {
    let mut attrs = Vec::new();
    if let Some(n) = errno {
        attrs.push(("errno", pyobj(py, n)));
        let strerror = py
            .import("os")
            .and_then(|os| os.call_method1("strerror", (n,)))
            .map(Bound::unbind)
            .unwrap_or_else(|_| py.None());
        attrs.push(("strerror", strerror));
    }
    if let Some(path) = filename {
        attrs.push(("filename", path_str(py, path)));
    }
    attrs
}

impl From<Error> for PyErr {
    fn from(e: Error) -> PyErr {
        Python::attach(|py| to_pyerr(py, e))
    }
}

/// `PhotocatError(message)`: for states that are not errors of the engine (a closed catalogue).
pub(crate) fn photocat_error(py: Python<'_>, message: impl Into<String>) -> PyErr {
    build(py, "PhotocatError", message.into(), vec![]).unwrap_or_else(|e| e)
}

/// `InvalidArgument(message)` raised by a conversion (a value Python accepted but the engine's
/// types cannot hold).
pub(crate) fn invalid(message: impl Into<String>) -> PyErr {
    Error::InvalidArgument(message.into()).into()
}

/// Runs `f` with the interpreter released (other Python threads run meanwhile) and maps its
/// error (a panic, which only a damaged file can cause, becomes `CorruptError`). Every call that touches storage or files goes through here.
pub(crate) fn run<T, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> crate::Result<T> + Send,
{
    match py.detach(move || std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))) {
        Ok(result) => result.map_err(|e| to_pyerr(py, e)),
        // The engine does not panic on any input; redb can on a damaged file. Report it as
        // what it is rather than as pyo3's `PanicException` (a `BaseException`).
        Err(panic) => Err(to_pyerr(
            py,
            Error::Corrupt(format!(
                "the catalogue could not be read, the file may be damaged (the storage engine panicked: {})",
                panic_message(&panic)
            )),
        )),
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_owned()
    }
}
