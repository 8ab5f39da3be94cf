//! `ArrowStream`: whole results as an Arrow C stream (the Arrow PyCapsule interface), the one
//! path behind `Catalog.to_arrow`, `to_polars`, `to_pandas` and `AssetPage.to_pandas`.
//!
//! An `ArrowStream` holds no data: only what to read (the filters and the batch size, or one
//! finished batch for a page). Each call of `__arrow_c_stream__` opens a fresh
//! [`crate::Catalog::arrow_batches`] reader over a new snapshot and hands it out as an
//! [`FFI_ArrowArrayStream`] in a `PyCapsule`, because a C stream can be consumed only once and
//! consumers such as DuckDB ask for the stream more than once. The consumer moves the struct
//! out of the capsule and nulls its `release`; dropping a moved-out struct (release null) when
//! the capsule dies does nothing, and dropping one never consumed frees the reader. So this
//! file has no `unsafe`: pyo3's [`PyCapsule::new_with_value`] boxes the struct and the capsule
//! pointer is the struct's address, which is what the interface asks for.
//!
//! The filters, the schema and the order are the engine's ([`crate::views::arrow`],
//! [`crate::query::batches`]); nothing here decides what a row holds.
//!
//! Threads: the C stream's `get_next` runs on whatever thread the consumer calls it from,
//! holding the interpreter or not as the consumer chose (pyarrow's `read_all`, behind
//! `to_arrow` and `to_pandas`, releases it). Each batch is built in Rust, on every core,
//! without touching Python; where photocat itself waits (opening the reader,
//! `export_parquet`, the batch of a page) it releases the interpreter.
//!
//! A reader holds a read transaction of its snapshot until it is done or dropped. The
//! stream object itself holds only the Python `Catalog`, so `close()` is not held up by it;
//! a read still under way when the catalogue closes ends with the storage error "Database
//! has been closed", and `compact()` raises `StorageError` while such a read is open.
//!
//! The `pyo3-arrow` crate is not used: its reader can be exported once only, and it pulls in
//! numpy and ndarray for what this needs, a reader boxed into an `FFI_ArrowArrayStream`.

use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{RecordBatch, RecordBatchIterator, RecordBatchReader};
use arrow_schema::ffi::FFI_ArrowSchema;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

use super::catalog::PyCatalog;
use super::errors::run;
use crate::error::Error;
use crate::query::ListAssets;
use crate::views::arrow::schema;

/// What a stream reads.
enum Source {
    /// Every asset matching `query`, read afresh on each export.
    Query {
        catalog: Py<PyCatalog>,
        query: ListAssets,
        batch_size: usize,
    },
    /// One finished batch (the rows of an `AssetPage`).
    Batch(RecordBatch),
}

/// Assets as an Arrow stream: any consumer of the Arrow PyCapsule interface reads it, with
/// nothing else installed (`polars.DataFrame(stream)`, `pyarrow.table(stream)`,
/// `duckdb.sql("select count(*) from stream")`). Each `__arrow_c_stream__` call reads a
/// fresh snapshot, so a stream can be read any number of times; rows come in list order, in
/// batches of at most `batch_size` rows, with the schema of `schema` (see `Catalog.to_arrow`).
///
/// >>> import photocat
/// >>> cat = photocat.Catalog.in_memory()
/// >>> _ = cat.add_assets([{"local_datetime": "2024-05-01T10:00:00"}])
/// >>> stream = cat.arrow_stream(batch_size=1000)
/// >>> stream
/// ArrowStream(batch_size=1000)
/// >>> type(stream.__arrow_c_stream__()).__name__, type(stream.__arrow_c_schema__()).__name__
/// ('PyCapsule', 'PyCapsule')
#[pyclass(module = "photocat", name = "ArrowStream", frozen)]
pub(crate) struct PyArrowStream {
    source: Source,
}

impl PyArrowStream {
    /// A stream of the assets matching `query`.
    pub(crate) fn query(catalog: Py<PyCatalog>, query: ListAssets, batch_size: usize) -> Self {
        PyArrowStream {
            source: Source::Query {
                catalog,
                query,
                batch_size,
            },
        }
    }

    /// A stream of one finished batch.
    pub(crate) fn batch(batch: RecordBatch) -> Self {
        PyArrowStream {
            source: Source::Batch(batch),
        }
    }

    /// A new reader: a fresh snapshot for a query, the batch again for a batch.
    fn reader(&self, py: Python<'_>) -> PyResult<Box<dyn RecordBatchReader + Send>> {
        Ok(match &self.source {
            Source::Query {
                catalog,
                query,
                batch_size,
            } => {
                let cat = catalog.get().cat(py)?;
                let size = *batch_size;
                Box::new(run(py, || cat.arrow_batches(query, size))?)
            }
            Source::Batch(b) => Box::new(RecordBatchIterator::new([Ok(b.clone())], schema())),
        })
    }
}

#[pymethods]
impl PyArrowStream {
    /// A new Arrow C stream of the rows (a `PyCapsule` named `"arrow_array_stream"`), read
    /// from a fresh snapshot on each call. `requested_schema` is accepted and ignored: the
    /// schema is always photocat's (the interface allows that).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let stream = FFI_ArrowArrayStream::new(self.reader(py)?);
        PyCapsule::new_with_value(py, stream, c"arrow_array_stream")
    }

    /// The schema of the rows as an Arrow C schema (a `PyCapsule` named `"arrow_schema"`).
    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        let ffi = FFI_ArrowSchema::try_from(schema().as_ref())
            .map_err(|e| PyErr::from(Error::Arrow(e.to_string())))?;
        PyCapsule::new_with_value(py, ffi, c"arrow_schema")
    }

    fn __repr__(&self) -> String {
        match &self.source {
            Source::Query { batch_size, .. } => format!("ArrowStream(batch_size={batch_size})"),
            Source::Batch(b) => format!("ArrowStream(rows={})", b.num_rows()),
        }
    }
}
