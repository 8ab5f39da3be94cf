//! `Catalog.verify` and its `VerifyReport`: the engine's report, converted.

use std::collections::BTreeMap;

use pyo3::prelude::*;

use crate::verify::VerifyReport;

/// What `verify()` found: `ok`, `problems` (each in words, with the ids concerned; at most
/// 1,000 are described), `problem_count` (all of them) and `counts` (what was checked).
#[pyclass(module = "photocat", name = "VerifyReport", frozen)]
pub(crate) struct PyVerifyReport {
    pub(crate) inner: VerifyReport,
}

#[pymethods]
impl PyVerifyReport {
    /// True when nothing is wrong.
    #[getter]
    fn ok(&self) -> bool {
        self.inner.is_ok()
    }
    /// Each problem in words (at most 1,000).
    #[getter]
    fn problems(&self) -> Vec<String> {
        self.inner.problems.clone()
    }
    /// The number of problems found (more than `len(problems)` when some were not described).
    #[getter]
    fn problem_count(&self) -> u64 {
        self.inner.problem_count
    }
    /// What was checked: the number of records, links and entries of each kind.
    #[getter]
    fn counts(&self) -> BTreeMap<&'static str, u64> {
        self.inner.counts.clone()
    }
    fn __bool__(&self) -> bool {
        self.inner.is_ok()
    }
    fn __str__(&self) -> String {
        self.inner.to_string()
    }
    fn __repr__(&self) -> String {
        format!(
            "VerifyReport(ok={}, problem_count={})",
            if self.inner.is_ok() { "True" } else { "False" },
            self.inner.problem_count
        )
    }
}
