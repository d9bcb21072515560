//! Python values to and from the core's types: money, durations and JSON.

use std::time::Duration;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType};
use serde_json::{Map, Number, Value};
use voucherkit_core::{Amount, Decimal, Provider};

use crate::errors;

static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn decimal_class(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    DECIMAL.import(py, "decimal", "Decimal")
}

/// A money parameter: `decimal.Decimal`, `int` or `str`. A float is refused, since most
/// amounts (0.1) have no exact float; the core then checks the amount itself.
pub(crate) fn amount(
    py: Python<'_>,
    value: &Bound<'_, PyAny>,
    field: &str,
    provider: Provider,
) -> PyResult<Amount> {
    if value.is_instance_of::<PyFloat>() {
        let shown = value.repr()?.extract::<String>()?;
        return Err(errors::invalid(
            py,
            provider,
            field,
            format!(
                "{field} must be a decimal.Decimal, int or str, not float: a float cannot hold \
                 most amounts exactly (0.1 is not 0.1); pass Decimal(\"{shown}\") or the string \
                 \"{shown}\""
            ),
        ));
    }
    if value.is_instance_of::<PyBool>() {
        return Err(errors::invalid(
            py,
            provider,
            field,
            format!("{field} must be a decimal.Decimal, int or str, not bool"),
        ));
    }
    if value.is_instance_of::<PyString>() {
        return Ok(Amount::Text(value.extract::<String>()?));
    }
    if value.is_instance_of::<PyInt>() {
        return Ok(Amount::Text(value.str()?.extract::<String>()?));
    }
    if value.is_instance(decimal_class(py)?)? {
        // Fixed-point notation, so Decimal("1E+1") is "10": the core takes plain digits.
        let text = value.call_method1(intern!(py, "__format__"), (intern!(py, "f"),))?;
        return Ok(Amount::Text(text.extract::<String>()?));
    }
    let type_name = value.get_type().name()?.extract::<String>()?;
    Err(errors::invalid(
        py,
        provider,
        field,
        format!("{field} must be a decimal.Decimal, int or str, not {type_name}"),
    ))
}

/// A provider amount as a `decimal.Decimal` with the provider's digits.
pub(crate) fn decimal<'py>(py: Python<'py>, d: &Decimal) -> PyResult<Bound<'py, PyAny>> {
    decimal_class(py)?.call1((d.to_string(),))
}

pub(crate) fn opt_decimal<'py>(
    py: Python<'py>,
    d: &Option<Decimal>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    d.as_ref().map(|d| decimal(py, d)).transpose()
}

/// Seconds as a float (`connect_timeout=5.0`) to a duration; negative, NaN and infinite
/// values are refused naming the parameter (zero is left to the core, which refuses it).
pub(crate) fn seconds(
    py: Python<'_>,
    value: f64,
    field: &str,
    provider: Provider,
) -> PyResult<Duration> {
    Duration::try_from_secs_f64(value).map_err(|_| {
        errors::invalid(
            py,
            provider,
            field,
            format!("{field} must be a number of seconds greater than zero, got {value}"),
        )
    })
}

/// A count that must not be negative (`max_retries`).
pub(crate) fn count(py: Python<'_>, value: i64, field: &str, provider: Provider) -> PyResult<u32> {
    u32::try_from(value).map_err(|_| {
        errors::invalid(
            py,
            provider,
            field,
            format!("{field} must be between 0 and {}, got {value}", u32::MAX),
        )
    })
}

/// JSON to Python the way `json.loads(text, parse_float=Decimal)` would: objects to
/// dicts, arrays to lists, integers to `int`, other numbers to `Decimal` with their
/// digits (a provider's `10.50` stays `Decimal("10.50")`).
pub(crate) fn json_to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                let text = n.as_str();
                let digits = text.strip_prefix('-').unwrap_or(text);
                if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                    py.get_type::<PyInt>().call1((text,))?
                } else {
                    decimal_class(py)?.call1((text,))?
                }
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, item) in map {
                dict.set_item(k, json_to_py(py, item)?)?;
            }
            dict.into_any()
        }
    })
}

pub(crate) fn opt_json_to_py<'py>(
    py: Python<'py>,
    v: &Option<Value>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    v.as_ref().map(|v| json_to_py(py, v)).transpose()
}

/// Python to JSON, for answers and fault rules given to the sandbox: `None`, `bool`,
/// `int`, `float`, `Decimal` (digits kept), `str`, lists, tuples and dicts with `str` keys.
pub(crate) fn py_to_json(value: &Bound<'_, PyAny>) -> PyResult<Value> {
    let py = value.py();
    if value.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = value.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if value.is_instance_of::<PyInt>() {
        let text = value.str()?.extract::<String>()?;
        return number(&text);
    }
    if let Ok(f) = value.cast::<PyFloat>() {
        return Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| PyValueError::new_err(format!("{} is not a JSON number", f.value())));
    }
    if value.is_instance(decimal_class(py)?)? {
        let text = value.str()?.extract::<String>()?;
        return number(&text);
    }
    if value.is_instance_of::<PyString>() {
        return Ok(Value::String(value.extract::<String>()?));
    }
    if let Ok(list) = value.cast::<PyList>() {
        return list
            .iter()
            .map(|x| py_to_json(&x))
            .collect::<PyResult<_>>()
            .map(Value::Array);
    }
    if let Ok(tuple) = value.cast::<PyTuple>() {
        return tuple
            .iter()
            .map(|x| py_to_json(&x))
            .collect::<PyResult<_>>()
            .map(Value::Array);
    }
    if let Ok(dict) = value.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in dict.iter() {
            let key = k.extract::<String>().map_err(|_| {
                PyTypeError::new_err(format!("JSON object keys must be str, got {k}"))
            })?;
            map.insert(key, py_to_json(&v)?);
        }
        return Ok(Value::Object(map));
    }
    let type_name = value.get_type().name()?.extract::<String>()?;
    Err(PyTypeError::new_err(format!(
        "{type_name} cannot be sent as JSON (use dict, list, str, int, Decimal, bool or None)"
    )))
}

fn number(text: &str) -> PyResult<Value> {
    serde_json::from_str::<Number>(text)
        .map(Value::Number)
        .map_err(|_| PyValueError::new_err(format!("{text} is not a JSON number")))
}
