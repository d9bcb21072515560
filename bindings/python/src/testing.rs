//! `voucherkit.testing`: the sandbox's stateful emulator and scripted server, for users'
//! own tests. Both run on their own Rust threads, so a blocking
//! client call from Python against them cannot deadlock.

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString, PyTuple, PyType};
use serde_json::{Map, Value};
use voucherkit_sandbox::{
    Answer, DataSet, FaultRule, RecordedRequest, Sandbox, SandboxOptions, ScriptedServer,
};

use crate::convert::{json_to_py, py_to_json};
use crate::guard;

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PySandbox>()?;
    Ok(())
}

fn records(requests: Vec<RecordedRequest>) -> Vec<PyRecordedRequest> {
    requests.into_iter().map(PyRecordedRequest).collect()
}

/// The stateful emulator of both providers on 127.0.0.1 (docs/design.md, "The sandbox"): balances
/// go down, holds and locks block other tills and expire with the sandbox's own clock,
/// and every documented error arises from the state with the provider's exact body.
#[pyclass(name = "Sandbox", module = "voucherkit.testing", frozen)]
pub struct PySandbox {
    inner: Sandbox,
    base_dir: PathBuf,
}

fn seconds_since_epoch(t: SystemTime) -> f64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    }
}

fn data_set(value: &Bound<'_, PyAny>) -> PyResult<DataSet> {
    let invalid = |e: String| PyValueError::new_err(format!("invalid sandbox data: {e}"));
    if value.is_instance_of::<PyDict>() {
        let text = serde_json::to_string(&py_to_json(value)?)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        return DataSet::from_json(&text).map_err(invalid);
    }
    // A path (str or os.PathLike) to a data file (format: sandbox/DATA.md).
    let path: PathBuf = value.extract()?;
    DataSet::load(&path).map_err(invalid)
}

fn start_time(value: &Bound<'_, PyAny>) -> PyResult<SystemTime> {
    // A datetime (aware, or naive local time, as datetime.timestamp() reads it) or
    // seconds since the epoch.
    let secs: f64 = if value.hasattr("timestamp")? && !value.is_instance_of::<PyString>() {
        value.call_method0("timestamp")?.extract()?
    } else {
        value.extract()?
    };
    let offset = Duration::try_from_secs_f64(secs.abs())
        .map_err(|_| PyValueError::new_err(format!("start_time {secs} is not a usable time")))?;
    let t = if secs >= 0.0 {
        UNIX_EPOCH.checked_add(offset)
    } else {
        UNIX_EPOCH.checked_sub(offset)
    };
    t.ok_or_else(|| PyValueError::new_err(format!("start_time {secs} is out of range")))
}

#[pymethods]
impl PySandbox {
    /// Starts the emulator: the demo data (or `data`: a dict in the data-set format, or the
    /// path of a JSON file), on a free port (or `port`), with the real time (or
    /// `start_time`: a datetime or seconds since the epoch; the clock then runs on).
    #[new]
    #[pyo3(signature = (*, port=0, data=None, start_time=None))]
    fn new(
        py: Python<'_>,
        port: u16,
        data: Option<Bound<'_, PyAny>>,
        start_time: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PySandbox> {
        guard(py, || {
            let options = SandboxOptions {
                port: Some(port),
                data: data.as_ref().map(data_set).transpose()?,
                start_time: start_time.as_ref().map(self::start_time).transpose()?,
            };
            let inner = Sandbox::start_with(options).map_err(|e| {
                if e.kind() == std::io::ErrorKind::InvalidInput {
                    PyValueError::new_err(format!("invalid sandbox data: {e}"))
                } else {
                    PyOSError::new_err(format!("cannot start the sandbox: {e}"))
                }
            })?;
            let base_dir = std::env::current_dir()?;
            Ok(PySandbox { inner, base_dir })
        })
    }

    /// Same as `Sandbox(...)`; stop it with `stop()`.
    #[classmethod]
    #[pyo3(signature = (*, port=0, data=None, start_time=None))]
    fn start(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        port: u16,
        data: Option<Bound<'_, PyAny>>,
        start_time: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PySandbox> {
        PySandbox::new(py, port, data, start_time)
    }

    /// The base URL, `http://127.0.0.1:<port>` (control paths under `/__sandbox/`).
    #[getter]
    fn url(&self) -> String {
        self.inner.url()
    }

    #[getter]
    fn port(&self) -> u16 {
        self.inner.port()
    }

    /// A Smart Gift client's `base_url`.
    #[getter]
    fn smartgift_url(&self) -> String {
        self.inner.smartgift_url()
    }

    /// A Spaaza client's `base_url`.
    #[getter]
    fn spaaza_url(&self) -> String {
        self.inner.spaaza_url()
    }

    /// The API key of the first Smart Gift company of the data.
    #[getter]
    fn smartgift_key(&self) -> String {
        self.inner.smartgift_key()
    }

    /// The user id of the first admin of the first Spaaza chain.
    #[getter]
    fn spaaza_session_user_id(&self) -> i64 {
        self.inner.spaaza_session_user_id()
    }

    /// The session key of the first admin of the first Spaaza chain.
    #[getter]
    fn spaaza_session_key(&self) -> String {
        self.inner.spaaza_session_key()
    }

    /// The data set it started with, as a dict (money as str, as in the file format).
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let v = serde_json::to_value(self.inner.data())
                .map_err(|e| PyValueError::new_err(e.to_string()))?;
            json_to_py(py, &v)
        })
    }

    /// The live state (balances, holds, redemptions, voucher statuses) as a dict.
    fn state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let v = serde_json::to_value(self.inner.state())
                .map_err(|e| PyValueError::new_err(e.to_string()))?;
            json_to_py(py, &v)
        })
    }

    /// The emulated time, in seconds since the epoch.
    #[getter]
    fn now(&self) -> f64 {
        seconds_since_epoch(self.inner.now())
    }

    /// Moves the emulated clock forward: holds, locks and vouchers expire.
    fn advance_clock(&self, py: Python<'_>, seconds: f64) -> PyResult<()> {
        guard(py, || {
            let by = Duration::try_from_secs_f64(seconds).map_err(|_| {
                PyValueError::new_err(format!(
                    "seconds must be a non-negative number, got {seconds}"
                ))
            })?;
            self.inner.advance_clock(by);
            Ok(())
        })
    }

    /// Makes requests to `path` (e.g. `"/smartgift/redeem"`) misbehave.
    ///
    /// `answer` is a scripted answer (`{"status", "headers", "body", "fault", ...}`);
    /// `fault` is a shortcut for `answer={"fault": fault}` (a dict such as
    /// `{"kind": "delay", "ms": 300}`, or a kind name such as `"stall"`), acted out on the
    /// emulator's real answer. `process=True` carries the request out first (the voucher is
    /// redeemed, then the answer is lost); `times` limits the rule to the next n requests.
    #[pyo3(signature = (path, answer=None, *, fault=None, times=None, process=false))]
    fn inject_fault(
        &self,
        py: Python<'_>,
        path: String,
        answer: Option<Bound<'_, PyAny>>,
        fault: Option<Bound<'_, PyAny>>,
        times: Option<u32>,
        process: bool,
    ) -> PyResult<()> {
        guard(py, || {
            let answer = match (answer, fault) {
                (Some(a), None) => py_to_json(&a)?,
                (None, Some(f)) => {
                    let fault = if f.is_instance_of::<PyString>() {
                        let mut m = Map::new();
                        m.insert("kind".into(), py_to_json(&f)?);
                        Value::Object(m)
                    } else {
                        py_to_json(&f)?
                    };
                    let mut m = Map::new();
                    m.insert("fault".into(), fault);
                    Value::Object(m)
                }
                (Some(_), Some(_)) => {
                    return Err(PyValueError::new_err("give answer or fault, not both"));
                }
                (None, None) => return Err(PyValueError::new_err("give answer or fault")),
            };
            let mut rule = Map::new();
            rule.insert("path".into(), Value::String(path));
            rule.insert("answer".into(), answer);
            if let Some(n) = times {
                rule.insert("times".into(), Value::from(n));
            }
            rule.insert("process".into(), Value::Bool(process));
            let rule = FaultRule::from_json(&Value::Object(rule), &self.base_dir)
                .map_err(PyValueError::new_err)?;
            self.inner.inject(rule);
            Ok(())
        })
    }

    /// Removes every fault rule.
    fn clear_faults(&self, py: Python<'_>) -> PyResult<()> {
        guard(py, || {
            self.inner.clear_faults();
            Ok(())
        })
    }

    /// Every provider request received so far, in arrival order, faulted ones included.
    fn requests(&self, py: Python<'_>) -> PyResult<Vec<PyRecordedRequest>> {
        guard(py, || Ok(records(self.inner.requests())))
    }

    /// Back to the initial data and clock, with no fault rules and an empty log.
    fn reset(&self, py: Python<'_>) -> PyResult<()> {
        guard(py, || {
            self.inner.reset();
            Ok(())
        })
    }

    /// Stops the server and closes every connection.
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        guard(py, || {
            py.detach(|| self.inner.stop());
            Ok(())
        })
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, PyTuple>) -> PyResult<bool> {
        self.stop(py)?;
        Ok(false)
    }

    fn __repr__(&self) -> String {
        format!("Sandbox(url='{}')", self.inner.url())
    }
}

/// An HTTP server on 127.0.0.1 that serves the answers you queue, in order, and records
/// every request. Answers use the conformance corpus' shape (`{"status", "headers",
/// "body" | "body_text" | "body_file", "content_type", "fault"}`); a request with no
/// answer left gets `599 {"sandbox_error": "no scripted answer left"}`.
#[pyclass(name = "ScriptedServer", module = "voucherkit.testing", frozen)]
pub struct PyScriptedServer {
    inner: ScriptedServer,
    base_dir: PathBuf,
}

impl PyScriptedServer {
    fn answer(&self, value: &Bound<'_, PyAny>) -> PyResult<Answer> {
        Answer::from_json(&py_to_json(value)?, &self.base_dir).map_err(PyValueError::new_err)
    }
}

#[pymethods]
impl PyScriptedServer {
    /// Starts the server; `body_file` paths are read relative to `base_dir` (default: the
    /// current directory).
    #[new]
    #[pyo3(signature = (*, base_dir=None))]
    fn new(py: Python<'_>, base_dir: Option<PathBuf>) -> PyResult<PyScriptedServer> {
        guard(py, || {
            let base_dir = match base_dir {
                Some(dir) => dir,
                None => std::env::current_dir()?,
            };
            let inner = ScriptedServer::start_with_base_dir(base_dir.clone()).map_err(|e| {
                PyOSError::new_err(format!("cannot start the scripted server: {e}"))
            })?;
            Ok(PyScriptedServer { inner, base_dir })
        })
    }

    /// Same as `ScriptedServer(base_dir=...)`.
    #[classmethod]
    #[pyo3(signature = (*, base_dir=None))]
    fn start(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        base_dir: Option<PathBuf>,
    ) -> PyResult<PyScriptedServer> {
        PyScriptedServer::new(py, base_dir)
    }

    /// The base URL, `http://127.0.0.1:<port>`.
    #[getter]
    fn url(&self) -> String {
        self.inner.url()
    }

    #[getter]
    fn port(&self) -> u16 {
        self.inner.port()
    }

    /// Queues one answer for the next request.
    fn push(&self, py: Python<'_>, answer: &Bound<'_, PyAny>) -> PyResult<()> {
        guard(py, || {
            self.inner.push(self.answer(answer)?);
            Ok(())
        })
    }

    /// Queues several answers, in order; one bad answer queues none of them.
    fn push_all(&self, py: Python<'_>, answers: Vec<Bound<'_, PyAny>>) -> PyResult<()> {
        guard(py, || {
            let parsed = answers
                .iter()
                .map(|a| self.answer(a))
                .collect::<PyResult<Vec<_>>>()?;
            self.inner.push_all(parsed);
            Ok(())
        })
    }

    /// How many queued answers have not been served yet.
    #[getter]
    fn pending(&self) -> usize {
        self.inner.pending()
    }

    /// Every request received so far, in arrival order (recorded as soon as it is read,
    /// so stalled and faulted ones are there too).
    fn requests(&self, py: Python<'_>) -> PyResult<Vec<PyRecordedRequest>> {
        guard(py, || Ok(records(self.inner.requests())))
    }

    /// Forgets the queued answers and the recorded requests.
    fn reset(&self, py: Python<'_>) -> PyResult<()> {
        guard(py, || {
            self.inner.reset();
            Ok(())
        })
    }

    /// Stops the server and closes every connection.
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        guard(py, || {
            py.detach(|| self.inner.stop());
            Ok(())
        })
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, PyTuple>) -> PyResult<bool> {
        self.stop(py)?;
        Ok(false)
    }

    fn __repr__(&self) -> String {
        format!("ScriptedServer(url='{}')", self.inner.url())
    }
}

/// One request as it reached the sandbox.
#[pyclass(name = "RecordedRequest", module = "voucherkit.testing", frozen, eq)]
#[derive(PartialEq)]
pub struct PyRecordedRequest(pub(crate) RecordedRequest);

#[pymethods]
impl PyRecordedRequest {
    /// 1 for the server's first connection, then 2, …: equal ids shared a connection.
    #[getter]
    fn connection_id(&self) -> u64 {
        self.0.connection_id
    }
    #[getter]
    fn method(&self) -> &str {
        &self.0.method
    }
    /// The request target, query string included.
    #[getter]
    fn path(&self) -> &str {
        &self.0.path
    }
    /// The path without its query string.
    #[getter]
    fn path_only(&self) -> &str {
        self.0.path_only()
    }
    /// `(name, value)` pairs as received, names with their case kept.
    #[getter]
    fn headers(&self) -> Vec<(String, String)> {
        self.0.headers.clone()
    }
    #[getter]
    fn body<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.body)
    }
    /// The body decoded as UTF-8 (invalid bytes replaced).
    #[getter]
    fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.0.body).into_owned()
    }
    /// The first header called `name` (any case), or None.
    fn header(&self, name: &str) -> Option<&str> {
        self.0.header(name)
    }
    /// The body parsed as JSON (numbers that are not integers as `Decimal`), or None.
    fn json<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        guard(py, || {
            self.0.body_json().map(|v| json_to_py(py, &v)).transpose()
        })
    }
    /// The body decoded as `application/x-www-form-urlencoded` pairs, in order.
    fn form(&self) -> Vec<(String, String)> {
        self.0.form()
    }
    /// The query string decoded into pairs, in order.
    fn query(&self) -> Vec<(String, String)> {
        self.0.query()
    }
    fn __repr__(&self) -> String {
        format!(
            "RecordedRequest(method='{}', path='{}', body={} bytes)",
            self.0.method,
            self.0.path,
            self.0.body.len()
        )
    }
}
