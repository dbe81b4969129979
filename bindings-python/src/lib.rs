//! The Python module `rempart._native`: a thin layer over `rempart::ffi`. Values cross as
//! JSON text (the same report the CLI writes); errors cross as one exception carrying the
//! error's JSON, turned into the `rempart` exception classes by the Python package. The GIL
//! is released while the engine works, and a panic becomes an exception, never an abort.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use rempart::ffi::{self, ErrorInfo};

create_exception!(
    _native,
    NativeError,
    PyException,
    "An engine error; its argument is the error as JSON."
);

fn raise(e: &ErrorInfo) -> PyErr {
    NativeError::new_err(serde_json::to_string(e).unwrap_or_default())
}

/// Runs `f` without the GIL; a panic inside becomes an `internal` error.
fn guarded<T: Send>(py: Python<'_>, f: impl FnOnce() -> Result<T, ErrorInfo> + Send) -> PyResult<T> {
    py.detach(|| catch_unwind(AssertUnwindSafe(f)))
        .unwrap_or_else(|_| {
            Err(ErrorInfo {
                code: "internal".into(),
                message: "internal error in the Rempart engine; please report it with the input".into(),
                source_locations: Vec::new(),
            })
        })
        .map_err(|e| raise(&e))
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, ErrorInfo> {
    serde_json::to_string(value).map_err(|e| ErrorInfo {
        code: "internal".into(),
        message: format!("cannot write the result: {e}"),
        source_locations: Vec::new(),
    })
}

/// A compiled engine with its project (configuration file, exceptions, baseline,
/// threshold); shared freely between threads.
#[pyclass(frozen, module = "rempart._native")]
struct Engine {
    inner: ffi::Session,
}

#[pymethods]
impl Engine {
    #[new]
    fn new(py: Python<'_>, options_json: String, policy_paths: Vec<PathBuf>) -> PyResult<Self> {
        let names = rempart::engine::OptionNames::SnakeCase;
        let inner = guarded(py, || ffi::Session::new(&options_json, &policy_paths, names))?;
        Ok(Engine { inner })
    }

    /// Scans texts, given as (filename, text) pairs, as one set; returns the JSON report and
    /// the exit code `rempart scan` would give.
    fn scan_texts(&self, py: Python<'_>, inputs: Vec<(String, String)>) -> PyResult<(String, i32)> {
        let inputs: Vec<ffi::Input> = inputs
            .into_iter()
            .map(|(filename, text)| ffi::Input { filename, text })
            .collect();
        guarded(py, || {
            let judged = self.inner.scan(&inputs);
            Ok((json(&judged.report)?, judged.exit_code()))
        })
    }

    /// Scans files and directories; returns the JSON report as UTF-8 bytes (no decoding of a
    /// large report into a Python string: `json.loads` reads bytes) and the exit code.
    /// `jobs` files are scanned at once (None: the available cores); the report is the same.
    #[pyo3(signature = (paths, jobs=None))]
    fn scan_paths<'py>(
        &self,
        py: Python<'py>,
        paths: Vec<String>,
        jobs: Option<usize>,
    ) -> PyResult<(Bound<'py, PyBytes>, i32)> {
        let judged = guarded(py, || self.inner.scan_paths_json(&paths, jobs.unwrap_or(0)))?;
        Ok((PyBytes::new(py, judged.report.as_bytes()), judged.outcome.exit_code()))
    }

    /// Evaluates objects given as JSON (an object or an array); returns the JSON report and
    /// the exit code.
    fn evaluate_json(&self, py: Python<'_>, objects: String) -> PyResult<(String, i32)> {
        guarded(py, || {
            let judged = self.inner.evaluate_json(&objects)?;
            Ok((json(&judged.report)?, judged.exit_code()))
        })
    }

    /// The selected policies' metadata, as JSON.
    fn policies_json(&self, py: Python<'_>) -> PyResult<String> {
        guarded(py, || json(&ffi::policies(self.inner.engine())))
    }

    /// Panics on purpose: the tests prove a panic becomes a Python exception.
    #[allow(clippy::panic)]
    fn panic_for_tests(&self, py: Python<'_>) -> PyResult<()> {
        guarded(py, || -> Result<(), ErrorInfo> {
            panic!("deliberate panic for the tests")
        })
    }

    /// Detects threats in audit logs (files, directories, `.gz`); the JSON detection report.
    fn detect_paths(&self, py: Python<'_>, paths: Vec<String>, input: String) -> PyResult<String> {
        guarded(py, || json(&ffi::detect_paths(self.inner.engine(), &paths, &input)?))
    }

    /// Detects threats in one text of audit events; the JSON detection report.
    fn detect_text(&self, py: Python<'_>, filename: String, text: String, input: String) -> PyResult<String> {
        guarded(py, || {
            json(&ffi::detect(self.inner.engine(), &filename, &text, &input)?)
        })
    }

    /// A stream of audit events fed in pieces.
    fn detect_stream(&self, py: Python<'_>, name: String, input: String, aggregate: bool) -> PyResult<DetectStream> {
        let inner = guarded(py, || {
            ffi::DetectStream::new(self.inner.engine(), &name, &input, aggregate)
        })?;
        Ok(DetectStream { inner })
    }

    /// One policy's metadata, as JSON.
    fn explain_json(&self, py: Python<'_>, id: String) -> PyResult<String> {
        guarded(py, || json(&ffi::explain(self.inner.engine(), &id)?))
    }

    /// An RBAC question (`can-i`, `who-can` or `list`) over texts and paths; `query_json` is
    /// an `ffi::AuthQuery`; returns the JSON answer.
    fn auth(
        &self,
        py: Python<'_>,
        kind: String,
        query_json: String,
        texts: Vec<(String, String)>,
        paths: Vec<String>,
    ) -> PyResult<String> {
        guarded(py, || {
            let query: ffi::AuthQuery = serde_json::from_str(&query_json).map_err(|e| ErrorInfo {
                code: "options".into(),
                message: format!("the question is not valid: {e}"),
                source_locations: Vec::new(),
            })?;
            let mut inputs: Vec<ffi::Input> = texts
                .into_iter()
                .map(|(filename, text)| ffi::Input { filename, text })
                .collect();
            inputs.extend(ffi::read_paths(self.inner.engine(), &paths)?);
            match kind.as_str() {
                "can-i" => json(&ffi::can_i(self.inner.engine(), &inputs, &query)?),
                "who-can" => json(&ffi::who_can(self.inner.engine(), &inputs, &query)?),
                _ => json(&ffi::effective_rules(self.inner.engine(), &inputs, &query)),
            }
        })
    }

    /// Answers an `AdmissionReview` request (JSON) with its response (JSON).
    #[pyo3(signature = (review, namespace_labels=None))]
    fn review_json(&self, py: Python<'_>, review: String, namespace_labels: Option<String>) -> PyResult<String> {
        guarded(py, || {
            ffi::review_json(self.inner.engine(), &review, namespace_labels.as_deref())
        })
    }
}

/// Audit events fed in pieces; each call returns the alerts and errors it completed, as a
/// JSON list of `{"type": "alert"|"error", ...}`.
#[pyclass(module = "rempart._native")]
struct DetectStream {
    inner: ffi::DetectStream,
}

#[pymethods]
impl DetectStream {
    fn feed(&mut self, py: Python<'_>, data: &[u8]) -> PyResult<String> {
        let inner = &mut self.inner;
        guarded(py, || json(&inner.feed(data)))
    }

    fn finish(&mut self, py: Python<'_>) -> PyResult<String> {
        let inner = &mut self.inner;
        guarded(py, || json(&inner.finish()))
    }

    fn summary_json(&self, py: Python<'_>) -> PyResult<String> {
        guarded(py, || json(&self.inner.summary()))
    }
}

/// Runs the `rempart` command line (the same code as the Rust binary); returns the exit code.
#[pyfunction]
fn cli(py: Python<'_>, argv: Vec<String>) -> PyResult<i32> {
    guarded(py, || Ok(rempart_cli::run(&argv)))
}

#[pyfunction]
fn version() -> &'static str {
    rempart::VERSION
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Engine>()?;
    m.add_class::<DetectStream>()?;
    m.add_function(wrap_pyfunction!(cli, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    m.add("NativeError", m.py().get_type::<NativeError>())?;
    Ok(())
}
