//! Python values to and from the core's types: integers, money, durations and JSON.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PySequence, PyString, PyTuple, PyType,
};
use serde_json::{Map, Number, Value};
use voucherkit_core::smartgift::SiteId;
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

/// An optional parameter's value: absent and an explicit `None` are both "not given".
fn given<'a, 'py>(value: &'a Option<Bound<'py, PyAny>>) -> Option<&'a Bound<'py, PyAny>> {
    value.as_ref().filter(|v| !v.is_none())
}

/// An integer parameter (`chain_id=2`): an `int`, or an object that is one by
/// `__index__` (a numpy integer). Everything else is refused as `invalid_request` naming
/// the wire field, before anything is sent: above all `bool`, which Python makes an `int`
/// (`site_id=True` must not become site 1, nor `experiences=[True]` experience 1), but
/// also `float` (`12.0`), `Decimal` and `str`. Only the type is checked here; the core
/// checks the value (positive ids, powers of two, ...).
pub(crate) fn int(
    py: Python<'_>,
    value: &Bound<'_, PyAny>,
    field: &str,
    provider: impl Into<Option<Provider>> + Copy,
) -> PyResult<i64> {
    integer(py, value, field, field, "an integer", provider)
}

/// An optional integer parameter: `None` (or not given) is `None`, anything else [`int`].
pub(crate) fn opt_int(
    py: Python<'_>,
    value: &Option<Bound<'_, PyAny>>,
    field: &str,
    provider: impl Into<Option<Provider>> + Copy,
) -> PyResult<Option<i64>> {
    given(value)
        .map(|v| int(py, v, field, provider))
        .transpose()
}

/// A list (any sequence but `str`/`bytes`) of integers, each checked like [`int`]; the
/// error names the field and says which item was wrong (`experiences[0]`).
pub(crate) fn ints(
    py: Python<'_>,
    value: &Bound<'_, PyAny>,
    field: &str,
    provider: Provider,
) -> PyResult<Vec<i64>> {
    let text = value.is_instance_of::<PyString>() || value.is_instance_of::<PyBytes>();
    let seq = match value.cast::<PySequence>() {
        Ok(seq) if !text => seq,
        _ => {
            return Err(errors::invalid(
                py,
                provider,
                field,
                format!("{field} must be a list of integers, got {}", shown(value)?),
            ));
        }
    };
    let mut out = Vec::with_capacity(seq.len().unwrap_or(0));
    for (i, item) in seq.try_iter()?.enumerate() {
        out.push(integer(
            py,
            &item?,
            &format!("{field}[{i}]"),
            field,
            "an integer",
            provider,
        )?);
    }
    Ok(out)
}

/// An optional list of integers: `None` is `None`, anything else [`ints`].
pub(crate) fn opt_ints(
    py: Python<'_>,
    value: &Option<Bound<'_, PyAny>>,
    field: &str,
    provider: Provider,
) -> PyResult<Option<Vec<i64>>> {
    given(value)
        .map(|v| ints(py, v, field, provider))
        .transpose()
}

/// Smart Gift's `site_id`: a `str` as given, or an integer checked like [`int`] (so
/// `True` and `12.0` are refused); both are sent as a JSON string by the core.
pub(crate) fn site_id(
    py: Python<'_>,
    value: &Bound<'_, PyAny>,
    provider: Provider,
) -> PyResult<SiteId> {
    if value.is_instance_of::<PyString>() {
        return Ok(SiteId::Text(value.extract::<String>()?));
    }
    integer(
        py,
        value,
        "site_id",
        "site_id",
        "an integer or a str",
        provider,
    )
    .map(SiteId::Number)
}

/// The one place an integer is taken from Python: `shown` is what the message calls the
/// value (`experiences[1]`), `field` the wire field the error names.
fn integer(
    py: Python<'_>,
    value: &Bound<'_, PyAny>,
    shown_as: &str,
    field: &str,
    wanted: &str,
    provider: impl Into<Option<Provider>> + Copy,
) -> PyResult<i64> {
    let refuse = || -> PyResult<PyErr> {
        Ok(errors::invalid(
            py,
            provider,
            field,
            format!("{shown_as} must be {wanted}, got {}", shown(value)?),
        ))
    };
    // bool first: it is an int subclass, and has __index__.
    if value.is_instance_of::<PyBool>() {
        return Err(refuse()?);
    }
    let index = if value.is_instance_of::<PyInt>() {
        value.clone()
    } else if value.get_type().hasattr(intern!(py, "__index__"))? {
        // numpy.bool_ has __index__ too, and raises: refused like any other non-integer.
        match value.call_method0(intern!(py, "__index__")) {
            Ok(i) if i.is_instance_of::<PyInt>() && !i.is_instance_of::<PyBool>() => i,
            _ => return Err(refuse()?),
        }
    } else {
        return Err(refuse()?);
    };
    index.extract::<i64>().map_err(|_| {
        errors::invalid(
            py,
            provider,
            field,
            format!(
                "{shown_as} must be between {} and {}, got {index}",
                i64::MIN,
                i64::MAX
            ),
        )
    })
}

/// A refused value for a message: `True (a bool)`, `12.0 (a float)`, `'12' (a str)`;
/// a long repr is cut, so a message never carries a whole list.
pub(crate) fn shown(value: &Bound<'_, PyAny>) -> PyResult<String> {
    let type_name = value.get_type().name()?.extract::<String>()?;
    let mut text = value.repr()?.extract::<String>()?;
    if text.chars().count() > 40 {
        text = text.chars().take(37).collect::<String>() + "...";
    }
    let article = if type_name.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    };
    Ok(format!("{text} ({article} {type_name})"))
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
