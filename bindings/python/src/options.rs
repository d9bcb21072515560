//! A client constructor's transport keywords to the core's `ClientOptions`.
//!
//! Only Python types are checked here (a bool is no number of seconds, a float no
//! count); every conversion, range and message is `voucherkit_core::ClientSettings`'s,
//! so a bad value names the core option exactly as in every other language.

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyMapping, PyString};
use voucherkit_core::{AppInfo, ClientOptions, ClientSettings, Provider, TimeUnit};

use crate::{convert, errors, logging};

/// The transport keywords every client takes, each `None` when not given (the core's
/// default applies).
#[derive(Default)]
pub(crate) struct TransportArgs<'py> {
    pub connect_timeout: Option<Bound<'py, PyAny>>,
    pub timeout: Option<Bound<'py, PyAny>>,
    pub max_retries: Option<Bound<'py, PyAny>>,
    pub max_idle_connections: Option<Bound<'py, PyAny>>,
    pub max_idle_age: Option<Bound<'py, PyAny>>,
    pub ca_bundle: Option<PathBuf>,
    pub proxy: Option<String>,
    pub allow_insecure_http: bool,
    pub app_info: Option<Bound<'py, PyAny>>,
}

/// The checked options, with the binding's loggers attached.
pub(crate) fn client_options(
    py: Python<'_>,
    provider: Provider,
    args: TransportArgs<'_>,
) -> PyResult<ClientOptions> {
    let version = py.version_info();
    let language_version = format!("{}.{}.{}", version.major, version.minor, version.patch);
    let ca_bundle = args
        .ca_bundle
        .map(|p| {
            p.into_os_string().into_string().map_err(|p| {
                errors::invalid(
                    py,
                    provider,
                    "ca_bundle",
                    format!("ca_bundle must be a UTF-8 path, got {p:?}"),
                )
            })
        })
        .transpose()?;
    let settings = ClientSettings {
        connect_timeout: seconds(py, &args.connect_timeout, "connect_timeout", provider)?,
        timeout: seconds(py, &args.timeout, "timeout", provider)?,
        max_retries: convert::opt_int(py, &args.max_retries, "max_retries", provider)?,
        max_idle_age: seconds(py, &args.max_idle_age, "max_idle_age", provider)?,
        max_idle_connections: convert::opt_int(
            py,
            &args.max_idle_connections,
            "max_idle_connections",
            provider,
        )?,
        ca_bundle,
        proxy: args.proxy,
        allow_insecure_http: Some(args.allow_insecure_http),
        app_info: app_info(py, &args.app_info, provider)?,
        ..ClientSettings::new(TimeUnit::Seconds, "python", &language_version)
    };
    let mut options = settings
        .build()
        .map_err(|e| errors::to_py(py, &e.with_provider(provider)))?;
    options.logger = Some(logging::request_logger(py)?);
    options.warning_logger = Some(logging::warning_logger(py)?);
    Ok(options)
}

/// Seconds as an int or a float; a bool (`timeout=True`) and every other type are
/// refused naming the option. An int too large for a float (10**400) becomes infinity,
/// which the core refuses as out of range.
fn seconds(
    py: Python<'_>,
    value: &Option<Bound<'_, PyAny>>,
    field: &str,
    provider: Provider,
) -> PyResult<Option<f64>> {
    let Some(value) = value.as_ref().filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let number = !value.is_instance_of::<PyBool>()
        && (value.is_instance_of::<PyFloat>() || value.is_instance_of::<PyInt>());
    if !number {
        return Err(errors::invalid(
            py,
            provider,
            field,
            format!(
                "{field} must be a number of seconds (int or float), got {}",
                convert::shown(value)?
            ),
        ));
    }
    Ok(Some(value.extract::<f64>().unwrap_or(f64::INFINITY)))
}

/// `app_info={"name": ..., "version": ..., "url": ...}` (version and url optional): the
/// till software, appended to the User-Agent. The core checks the texts.
fn app_info(
    py: Python<'_>,
    value: &Option<Bound<'_, PyAny>>,
    provider: Provider,
) -> PyResult<Option<AppInfo>> {
    let Some(value) = value.as_ref().filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let bad = |why: String| errors::invalid(py, provider, "app_info", why);
    let map = value.cast::<PyMapping>().map_err(|_| {
        bad(format!(
            "app_info must be a dict {{\"name\", \"version\", \"url\"}}, got {}",
            convert::shown(value).unwrap_or_default()
        ))
    })?;
    for key in map.keys()?.iter() {
        let known = key
            .extract::<String>()
            .is_ok_and(|k| matches!(k.as_str(), "name" | "version" | "url"));
        if !known {
            return Err(bad(format!(
                "app_info takes the keys \"name\", \"version\" and \"url\", got {}",
                key.repr()?
            )));
        }
    }
    let text = |key: &str| -> PyResult<Option<String>> {
        let Ok(item) = map.get_item(key) else {
            return Ok(None);
        };
        if item.is_none() {
            return Ok(None);
        }
        if !item.is_instance_of::<PyString>() {
            return Err(bad(format!(
                "app_info {key} must be a str, got {}",
                convert::shown(&item)?
            )));
        }
        Ok(Some(item.extract::<String>()?))
    };
    Ok(Some(AppInfo {
        name: text("name")?.unwrap_or_default(),
        version: text("version")?,
        url: text("url")?,
    }))
}
