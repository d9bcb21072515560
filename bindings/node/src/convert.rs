//! JavaScript values in, JSON text out: the only conversions the binding does.
//!
//! Options objects are read property by property, and a value of the wrong JavaScript
//! type is an `invalid_request` naming the wire field (`voucher_no`; docs/errors.md,
//! "Fields"), so the same error reaches a Node till whatever went wrong. Everything else —
//! empty strings, amounts, identifiers — is decided by the core.
//!
//! Results go back as JSON text that `index.js` parses (V8's `JSON.parse` builds the
//! object faster than property-by-property N-API calls): a string starting with `{` is
//! a result, one starting with `E` is the core's `Error::to_json()` after the `E`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use napi::JsDate;
use napi::bindgen_prelude::{Array, JsValue, Object, Unknown, ValueType};
use serde::Serialize;
use serde_json::{Map, Value};
use voucherkit_core::{Amount, AppInfo, ClientOptions, ClientSettings, Error, Provider, TimeUnit};

/// A core result, or the error a call ends with.
pub type Vk<T> = std::result::Result<T, Error>;

/// Prefix of the message of an error thrown by a native constructor: `index.js` turns
/// such an error into a `VoucherError`.
pub const THROWN_MARK: &str = "voucherkit:E";

/// A constructor's failure, thrown as a marked plain Error that `index.js` turns into a
/// `VoucherError`.
pub fn thrown(e: &Error) -> napi::Error {
    napi::Error::from_reason(format!("{THROWN_MARK}{}", e.to_json()))
}

/// The JSON text of an error, as `index.js` expects it.
pub fn error_text(e: &Error) -> String {
    format!("E{}", e.to_json())
}

/// Runs `f`, turning a panic into an `internal` error so no Rust panic reaches Node.
pub fn guarded<T>(provider: Option<Provider>, f: impl FnOnce() -> Vk<T>) -> Vk<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            let mut e =
                Error::internal(format!("voucherkit bug (a Rust panic was caught): {what}"));
            e.provider = provider;
            Err(e)
        }
    }
}

/// A result as the JSON text of a plain object with camelCase keys (`raw` kept as sent).
pub fn result_text<T: Serialize>(r: Vk<T>) -> String {
    match r.and_then(|v| {
        serde_json::to_value(v).map_err(|e| Error::internal(format!("result to JSON: {e}")))
    }) {
        Ok(v) => camel_keys(v).to_string(),
        Err(e) => error_text(&e),
    }
}

/// Keys whose values are the provider's JSON and keep their names.
const VERBATIM: &[&str] = &["raw", "available_to_redeem"];

fn camel_keys(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    if VERBATIM.contains(&k.as_str()) {
                        (camel(&k), v)
                    } else {
                        (camel(&k), camel_keys(v))
                    }
                })
                .collect::<Map<String, Value>>(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(camel_keys).collect()),
        other => other,
    }
}

/// `voucher_amount_redeemed` → `voucherAmountRedeemed`.
pub fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

pub fn type_name(ty: ValueType) -> &'static str {
    match ty {
        ValueType::Undefined => "undefined",
        ValueType::Null => "null",
        ValueType::Boolean => "a boolean",
        ValueType::Number => "a number",
        ValueType::String => "a string",
        ValueType::Symbol => "a symbol",
        ValueType::Object => "an object",
        ValueType::Function => "a function",
        ValueType::External => "an external",
        ValueType::BigInt => "a bigint",
        _ => "an unknown value",
    }
}

/// The largest integer a JavaScript number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// A number as the shortest decimal text that reads back as the same number, without
/// an exponent (`0.1` → `"0.1"`, `1e-7` → `"0.0000001"`): what the caller meant, which the
/// core then checks like any decimal string (`0.30000000000000004` has too many places).
pub fn number_text(n: f64) -> String {
    format!("{n}")
}

/// One options object of one call, read by its camelCase names.
pub struct Opts<'env> {
    obj: Option<Object<'env>>,
    /// (JavaScript name, wire name) of every option the call takes.
    known: &'static [(&'static str, &'static str)],
    /// The client's provider, named on every refusal; none for the journal's own calls.
    provider: Option<Provider>,
}

/// `e` as refused on behalf of `provider` (when there is one).
fn on_behalf(mut e: Error, provider: Option<Provider>) -> Error {
    e.provider = provider.or(e.provider);
    e
}

impl<'env> Opts<'env> {
    /// Reads `value` (an object, or `undefined` for none), refusing names the call does
    /// not take: a misspelt option must never be silently ignored.
    pub fn new(
        value: Unknown<'env>,
        what: &str,
        known: &'static [(&'static str, &'static str)],
        provider: impl Into<Option<Provider>>,
    ) -> Vk<Opts<'env>> {
        let provider = provider.into();
        let refuse = |msg: String| Err(on_behalf(Error::invalid("options", msg), provider));
        let ty = value.get_type().map_err(napi_err)?;
        let obj = match ty {
            ValueType::Undefined | ValueType::Null => None,
            ValueType::Object if !value.is_array().map_err(napi_err)? => {
                Some(unsafe { value.cast::<Object>() }.map_err(napi_err)?)
            }
            other => {
                return refuse(format!(
                    "{what} takes an options object, got {}",
                    type_name(other)
                ));
            }
        };
        if let Some(obj) = &obj {
            for key in Object::keys(obj).map_err(napi_err)? {
                if known.iter().any(|(js, _)| *js == key) {
                    continue;
                }
                let hint = known
                    .iter()
                    .find(|(js, wire)| *wire == key || js.eq_ignore_ascii_case(&key))
                    .map(|(js, _)| format!(" (did you mean {js}?)"))
                    .unwrap_or_default();
                let names: Vec<&str> = known.iter().map(|(js, _)| *js).collect();
                return Err(on_behalf(
                    Error::invalid(
                        &key,
                        format!(
                            "{what} has no option {key:?}{hint}; it takes {}",
                            names.join(", ")
                        ),
                    ),
                    provider,
                ));
            }
        }
        Ok(Opts {
            obj,
            known,
            provider,
        })
    }

    fn wire(&self, js: &str) -> &'static str {
        self.known
            .iter()
            .find(|(name, _)| *name == js)
            .map(|(_, wire)| *wire)
            .unwrap_or("options")
    }

    fn refuse(&self, js: &str, message: String) -> Error {
        on_behalf(Error::invalid(self.wire(js), message), self.provider)
    }

    /// The value, or `None` for a missing, `undefined` or `null` option.
    fn get(&self, js: &str) -> Vk<Option<(Unknown<'env>, ValueType)>> {
        let Some(obj) = &self.obj else {
            return Ok(None);
        };
        let Some(v) = obj.get::<Unknown>(js).map_err(napi_err)? else {
            return Ok(None);
        };
        match v.get_type().map_err(napi_err)? {
            ValueType::Undefined | ValueType::Null => Ok(None),
            ty => Ok(Some((v, ty))),
        }
    }

    pub fn str(&self, js: &str) -> Vk<Option<String>> {
        match self.get(js)? {
            None => Ok(None),
            Some((v, ValueType::String)) => {
                Ok(Some(unsafe { v.cast::<String>() }.map_err(napi_err)?))
            }
            Some((_, ty)) => Err(self.refuse(
                js,
                format!("{} must be a string, got {}", self.wire(js), type_name(ty)),
            )),
        }
    }

    /// A required string: a missing one is `""`, which the core refuses by name.
    pub fn string(&self, js: &str) -> Vk<String> {
        Ok(self.str(js)?.unwrap_or_default())
    }

    fn integer(&self, js: &str, v: Unknown, ty: ValueType) -> Vk<i64> {
        if ty != ValueType::Number {
            return Err(self.refuse(
                js,
                format!(
                    "{} must be an integer, got {}",
                    self.wire(js),
                    type_name(ty)
                ),
            ));
        }
        let n = unsafe { v.cast::<f64>() }.map_err(napi_err)?;
        if n.fract() != 0.0 || !n.is_finite() || n.abs() > MAX_SAFE {
            return Err(self.refuse(
                js,
                format!(
                    "{} must be an integer, got {}",
                    self.wire(js),
                    number_text(n)
                ),
            ));
        }
        Ok(n as i64)
    }

    pub fn int(&self, js: &str) -> Vk<Option<i64>> {
        match self.get(js)? {
            None => Ok(None),
            Some((v, ty)) => self.integer(js, v, ty).map(Some),
        }
    }

    pub fn bool(&self, js: &str) -> Vk<Option<bool>> {
        match self.get(js)? {
            None => Ok(None),
            Some((v, ValueType::Boolean)) => {
                Ok(Some(unsafe { v.cast::<bool>() }.map_err(napi_err)?))
            }
            Some((_, ty)) => Err(self.refuse(
                js,
                format!("{} must be a boolean, got {}", self.wire(js), type_name(ty)),
            )),
        }
    }

    /// Money: a decimal string as given, or a number as its shortest decimal text.
    pub fn money(&self, js: &str) -> Vk<Option<Amount>> {
        match self.get(js)? {
            None => Ok(None),
            Some((v, ValueType::String)) => Ok(Some(Amount::Text(
                unsafe { v.cast::<String>() }.map_err(napi_err)?,
            ))),
            Some((v, ValueType::Number)) => Ok(Some(Amount::Text(number_text(
                unsafe { v.cast::<f64>() }.map_err(napi_err)?,
            )))),
            Some((_, ty)) => Err(self.refuse(
                js,
                format!(
                    "{} must be a decimal string like \"10.00\" or a number, got {}",
                    self.wire(js),
                    type_name(ty)
                ),
            )),
        }
    }

    /// Smart Gift's site: an integer or a string; missing is `""` (refused by the core).
    pub fn site_id(&self, js: &str) -> Vk<voucherkit_core::smartgift::SiteId> {
        use voucherkit_core::smartgift::SiteId;
        match self.get(js)? {
            None => Ok(SiteId::Text(String::new())),
            Some((v, ValueType::String)) => Ok(SiteId::Text(
                unsafe { v.cast::<String>() }.map_err(napi_err)?,
            )),
            Some((v, ValueType::Number)) => {
                self.integer(js, v, ValueType::Number).map(SiteId::Number)
            }
            Some((_, ty)) => Err(self.refuse(
                js,
                format!(
                    "{} must be an integer or a string, got {}",
                    self.wire(js),
                    type_name(ty)
                ),
            )),
        }
    }

    fn array(&self, js: &str) -> Vk<Option<Array<'env>>> {
        match self.get(js)? {
            None => Ok(None),
            Some((v, ValueType::Object)) if v.is_array().map_err(napi_err)? => {
                Ok(Some(unsafe { v.cast::<Array>() }.map_err(napi_err)?))
            }
            Some((_, ty)) => Err(self.refuse(
                js,
                format!("{} must be an array, got {}", self.wire(js), type_name(ty)),
            )),
        }
    }

    fn elements(&self, js: &str) -> Vk<Option<Vec<(Unknown<'env>, ValueType)>>> {
        let Some(array) = self.array(js)? else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(array.len() as usize);
        for i in 0..array.len() {
            let v = array
                .get::<Unknown>(i)
                .map_err(napi_err)?
                .ok_or_else(|| self.refuse(js, format!("{} has a hole at {i}", self.wire(js))))?;
            let ty = v.get_type().map_err(napi_err)?;
            out.push((v, ty));
        }
        Ok(Some(out))
    }

    pub fn ints(&self, js: &str) -> Vk<Option<Vec<i64>>> {
        self.elements(js)?
            .map(|items| {
                items
                    .into_iter()
                    .map(|(v, ty)| self.integer(js, v, ty))
                    .collect()
            })
            .transpose()
    }

    pub fn strings(&self, js: &str) -> Vk<Vec<String>> {
        let Some(items) = self.elements(js)? else {
            return Ok(Vec::new());
        };
        items
            .into_iter()
            .map(|(v, ty)| match ty {
                ValueType::String => unsafe { v.cast::<String>() }.map_err(napi_err),
                other => Err(self.refuse(
                    js,
                    format!(
                        "{} must hold strings, got {}",
                        self.wire(js),
                        type_name(other)
                    ),
                )),
            })
            .collect()
    }

    /// An array of options objects, each read with `known`.
    pub fn objects(
        &self,
        js: &str,
        known: &'static [(&'static str, &'static str)],
    ) -> Vk<Vec<Opts<'env>>> {
        let Some(items) = self.elements(js)? else {
            return Ok(Vec::new());
        };
        let wire = self.wire(js);
        items
            .into_iter()
            .map(|(v, ty)| match ty {
                ValueType::Object => Opts::new(v, wire, known, self.provider).map_err(|mut e| {
                    e.field = Some(wire.to_owned());
                    e
                }),
                other => Err(self.refuse(
                    js,
                    format!("{wire} must hold objects, got {}", type_name(other)),
                )),
            })
            .collect()
    }

    /// A `Date` as a time (an invalid Date is refused by the option's wire name).
    pub fn date(&self, js: &str) -> Vk<Option<SystemTime>> {
        let what = match self.get(js)? {
            None => return Ok(None),
            Some((v, ValueType::Object)) if v.is_date().map_err(napi_err)? => {
                let ms = unsafe { v.cast::<JsDate>() }
                    .map_err(napi_err)?
                    .value_of()
                    .map_err(napi_err)?;
                // A valid Date lies within ±8.64e15 ms of the epoch, which SystemTime holds.
                let offset = Duration::from_millis(ms.abs() as u64);
                let t = if !ms.is_finite() {
                    None
                } else if ms >= 0.0 {
                    UNIX_EPOCH.checked_add(offset)
                } else {
                    UNIX_EPOCH.checked_sub(offset)
                };
                match t {
                    Some(t) => return Ok(Some(t)),
                    None => "an invalid Date",
                }
            }
            Some((_, ty)) => type_name(ty),
        };
        Err(self.refuse(js, format!("{} must be a Date, got {what}", self.wire(js))))
    }

    /// A number as given (durations in milliseconds): `ClientSettings::build` decides
    /// what it may be, naming the option.
    pub fn number(&self, js: &str) -> Vk<Option<f64>> {
        match self.get(js)? {
            None => Ok(None),
            Some((v, ValueType::Number)) => Ok(Some(unsafe { v.cast::<f64>() }.map_err(napi_err)?)),
            Some((_, ty)) => Err(self.refuse(
                js,
                format!("{} must be a number, got {}", self.wire(js), type_name(ty)),
            )),
        }
    }

    /// A nested options object, read with `known` (`undefined`/`null` = none).
    pub fn object(
        &self,
        js: &str,
        known: &'static [(&'static str, &'static str)],
    ) -> Vk<Option<Opts<'env>>> {
        let wire = self.wire(js);
        match self.get(js)? {
            None => Ok(None),
            Some((v, ValueType::Object)) if !v.is_array().map_err(napi_err)? => {
                // A misspelt key inside is refused under the option's name, not the key's.
                Opts::new(v, wire, known, self.provider)
                    .map(Some)
                    .map_err(|mut e| {
                        e.field = Some(wire.to_owned());
                        e
                    })
            }
            Some((_, ty)) => Err(self.refuse(
                js,
                format!("{wire} must be an object, got {}", type_name(ty)),
            )),
        }
    }

    /// The transport options every client takes, built by the core's `ClientSettings`
    /// (every conversion, range and message lives there, naming the core option); the
    /// binding only reads JavaScript values. Loggers are attached by the caller.
    pub fn client_options(&self, language_version: String) -> Vk<ClientOptions> {
        let app_info = match self.object("appInfo", APP_INFO)? {
            None => None,
            Some(a) => Some(AppInfo {
                name: a.string("name")?,
                version: a.str("version")?,
                url: a.str("url")?,
            }),
        };
        let settings = ClientSettings {
            connect_timeout: self.number("connectTimeoutMs")?,
            timeout: self.number("timeoutMs")?,
            max_retries: self.int("maxRetries")?,
            max_idle_age: self.number("maxIdleAgeMs")?,
            max_idle_connections: self.int("maxIdleConnections")?,
            ca_bundle: self.str("caBundle")?,
            proxy: self.str("proxy")?,
            allow_insecure_http: self.bool("allowInsecureHttp")?,
            app_info,
            ..ClientSettings::new(TimeUnit::Milliseconds, "node", &language_version)
        };
        settings.build().map_err(|e| on_behalf(e, self.provider))
    }
}

/// Options every client constructor takes, besides its own: (JavaScript name, the name
/// errors give). The transport options carry the core's option names (`voucherkit_core::
/// OPTIONS`), so a bad `timeoutMs` is refused as `timeout` in every language.
pub const CLIENT_OPTIONS: [(&str, &str); 13] = [
    ("baseUrl", "base_url"),
    ("connectTimeoutMs", "connect_timeout"),
    ("timeoutMs", "timeout"),
    ("maxRetries", "max_retries"),
    ("caBundle", "ca_bundle"),
    ("proxy", "proxy"),
    ("allowInsecureHttp", "allow_insecure_http"),
    ("maxIdleAgeMs", "max_idle_age"),
    ("maxIdleConnections", "max_idle_connections"),
    ("appInfo", "app_info"),
    ("onRequest", "on_request"),
    ("onWarning", "on_warning"),
    ("journal", "journal"),
];

/// The keys of the `appInfo` object; every refusal names `app_info`.
const APP_INFO: &[(&str, &str)] = &[
    ("name", "app_info"),
    ("version", "app_info"),
    ("url", "app_info"),
];

/// An N-API failure while reading arguments (never expected): an `internal` error.
pub fn napi_err(e: napi::Error) -> Error {
    Error::internal(format!("reading a JavaScript value failed: {e}"))
}
