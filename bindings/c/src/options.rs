//! Transport settings shared by both clients, and the request-log and warning callbacks.

use std::ffi::{c_char, c_void};
use std::sync::Arc;

use voucherkit_core::{
    AppInfo, ClientOptions, ClientSettings, Error, RequestLog, TimeUnit, Warning,
};

use crate::ffi::{c_string, opt_string};

/// One HTTP attempt, as the logging callback sees it: method, path, status, duration;
/// never a body, a query string or a secret. Valid only during the callback.
#[repr(C)]
pub struct vk_request_log {
    /// `"smartgift"` or `"spaaza"`.
    pub provider: *const c_char,
    /// `"GET"`, `"POST"` or `"PUT"`.
    pub method: *const c_char,
    /// The path without its query string, e.g. `"/redeem"`.
    pub path: *const c_char,
    /// The answer's HTTP status; NULL when no answer came.
    pub status: *const u16,
    /// How long the attempt took, in microseconds.
    pub duration_us: u64,
    /// 1 for a call's first attempt, 2 for its first retry, …
    pub attempt: u32,
    /// What went wrong at the transport level; NULL when nothing did.
    pub failure: *const c_char,
    /// The answer's `X-RateLimit-Remaining`; NULL when it named none (or no answer came).
    /// Lets a till slow down before a 429.
    pub rate_limit_remaining: *const u64,
    /// The answer's `X-RateLimit-Limit`; NULL when it named none.
    pub rate_limit_limit: *const u64,
}

/// Called after every HTTP attempt with the `log_userdata` given in the options. It runs
/// on the thread that made the call (clients are shared by threads, so it may run on
/// several at once). It may itself call voucherkit, on this client or another: what it
/// does never changes the outcome of the call it logs.
pub type vk_log_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, log: *const vk_request_log)>;

/// Something the till should know about a call that succeeded, e.g. Spaaza answered a
/// redeem "ok" but the voucher is not `redeemed`. Valid only during the callback.
#[repr(C)]
pub struct vk_warning {
    /// `"smartgift"` or `"spaaza"`.
    pub provider: *const c_char,
    /// The operation's wire name, e.g. `"redeem-voucher"`.
    pub operation: *const c_char,
    /// What happened, in English, naming the voucher where there is one.
    pub message: *const c_char,
}

/// Called with the `warning_userdata` given in the options, on the thread that made the
/// call, before the call returns. Without one, warnings are dropped (the C library has
/// no log of its own).
pub type vk_warning_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, warning: *const vk_warning)>;

/// Transport settings, part of each provider's config. Fill with the defaults from
/// vk_smartgift_config_default() / vk_spaaza_config_default(), then change what you need.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct vk_client_options {
    /// Time allowed to open a connection (DNS, TCP, TLS), in ms. Default 5000.
    pub connect_timeout_ms: u64,
    /// One deadline for a whole call, retries and waits included, in ms. Default 30000.
    pub timeout_ms: u64,
    /// Extra attempts where a request provably did not reach the provider, or the provider
    /// asked for a retry (429, 503 with Retry-After). Default 2.
    pub max_retries: u32,
    /// A PEM file of extra CA certificates, trusted besides the built-in roots; NULL none.
    pub ca_bundle_path: *const c_char,
    /// An HTTP CONNECT proxy URL (`http://` or `https://`; SOCKS is refused with
    /// `VK_INVALID_REQUEST`, field `proxy`); NULL: `HTTPS_PROXY`/`ALL_PROXY`/`NO_PROXY`
    /// from the environment (never for loopback base URLs).
    pub proxy: *const c_char,
    /// Allow plain `http://` to hosts other than loopback. Default false.
    pub allow_insecure_http: bool,
    /// Pooled connections idle longer than this (ms) are not reused. Default 30000.
    pub max_idle_age_ms: u64,
    /// Called after every HTTP attempt; NULL for none.
    pub log_callback: vk_log_callback,
    /// Passed to `log_callback` as is.
    pub log_userdata: *mut c_void,
    /// Idle pooled connections kept per host for reuse, 0 to 1024 (more is
    /// `VK_INVALID_REQUEST`, field `max_idle_connections`). Default 32.
    pub max_idle_connections: u32,
    /// Called when a call succeeds with a caveat the till should know; NULL for none.
    pub warning_callback: vk_warning_callback,
    /// Passed to `warning_callback` as is.
    pub warning_userdata: *mut c_void,
    /// The till software, appended to the User-Agent; `name` NULL for none (the default).
    pub app_info: vk_app_info,
}

/// The till software a client works for (core option `app_info`), appended to the
/// User-Agent as `name/version (url)`. A blank name, a space, `/` or a control character
/// in the name or version, or more than 200 bytes in all is `VK_INVALID_REQUEST`, field
/// `app_info`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct vk_app_info {
    /// The till's product name, e.g. `"MyTill"`; NULL: no app info (the rest is ignored).
    pub name: *const c_char,
    /// Its version, e.g. `"4.2"`; NULL for none.
    pub version: *const c_char,
    /// A URL about it; NULL for none.
    pub url: *const c_char,
}

impl vk_client_options {
    pub(crate) fn defaults() -> vk_client_options {
        let d = ClientOptions::default();
        vk_client_options {
            connect_timeout_ms: d.connect_timeout.as_millis() as u64,
            timeout_ms: d.timeout.as_millis() as u64,
            max_retries: d.max_retries,
            ca_bundle_path: std::ptr::null(),
            proxy: std::ptr::null(),
            allow_insecure_http: d.allow_insecure_http,
            max_idle_age_ms: d.max_idle_age.as_millis() as u64,
            log_callback: None,
            log_userdata: std::ptr::null_mut(),
            max_idle_connections: u32::try_from(d.max_idle_connections).unwrap_or(u32::MAX),
            warning_callback: None,
            warning_userdata: std::ptr::null_mut(),
            app_info: vk_app_info {
                name: std::ptr::null(),
                version: std::ptr::null(),
                url: std::ptr::null(),
            },
        }
    }

    /// The core's options, through the core's one checked conversion
    /// (`ClientSettings::build`): ranges and messages live there and errors name the core
    /// option (`timeout`, `max_idle_age`, `ca_bundle`, …). Only the callbacks are added here.
    pub(crate) unsafe fn to_core(self) -> Result<ClientOptions, Error> {
        // SAFETY (all three): the caller promises NULL or NUL-terminated strings.
        let ca_bundle = unsafe { opt_string(self.ca_bundle_path, "ca_bundle") }?;
        let proxy = unsafe { opt_string(self.proxy, "proxy") }?;
        let app_info = unsafe { self.app_info.to_core() }?;
        // The C fields are unsigned: every value is representable (u64 milliseconds as
        // f64 may round, but anything that large is over the core's one-hour limit).
        let settings = ClientSettings {
            connect_timeout: Some(self.connect_timeout_ms as f64),
            timeout: Some(self.timeout_ms as f64),
            max_retries: Some(i64::from(self.max_retries)),
            max_idle_age: Some(self.max_idle_age_ms as f64),
            max_idle_connections: Some(i64::from(self.max_idle_connections)),
            ca_bundle,
            proxy,
            allow_insecure_http: Some(self.allow_insecure_http),
            app_info,
            ..ClientSettings::new(TimeUnit::Milliseconds, "c", "")
        };
        let mut options = settings.build()?;
        options.logger = self.log_callback.map(|cb| logger(cb, self.log_userdata));
        options.warning_logger = self
            .warning_callback
            .map(|cb| warning_logger(cb, self.warning_userdata));
        Ok(options)
    }
}

impl vk_app_info {
    unsafe fn to_core(self) -> Result<Option<AppInfo>, Error> {
        // SAFETY: the caller promises NULL or NUL-terminated strings.
        let Some(name) = (unsafe { opt_string(self.name, "app_info") })? else {
            return Ok(None);
        };
        Ok(Some(AppInfo {
            name,
            // SAFETY: as above.
            version: unsafe { opt_string(self.version, "app_info") }?,
            url: unsafe { opt_string(self.url, "app_info") }?,
        }))
    }
}

/// The caller's userdata pointer. The C side owns what it points to and promises (by
/// sharing a client between threads) that the callback may use it from any thread.
struct UserData(*mut c_void);

impl UserData {
    fn get(&self) -> *mut c_void {
        self.0
    }
}
// SAFETY: see above; the library never dereferences it, only passes it back.
unsafe impl Send for UserData {}
// SAFETY: as above.
unsafe impl Sync for UserData {}

fn logger(
    cb: unsafe extern "C" fn(*mut c_void, *const vk_request_log),
    userdata: *mut c_void,
) -> voucherkit_core::RequestLogger {
    let userdata = UserData(userdata);
    Arc::new(move |log: &RequestLog| {
        let provider = c_string(log.provider.as_str());
        let method = c_string(log.method);
        let path = c_string(&log.path);
        let failure = log.failure.as_deref().map(c_string);
        let status = log.status;
        let (remaining, limit) = (log.rate_limit_remaining, log.rate_limit_limit);
        let entry = vk_request_log {
            provider: provider.as_ptr(),
            method: method.as_ptr(),
            path: path.as_ptr(),
            status: status
                .as_ref()
                .map_or(std::ptr::null(), |s| s as *const u16),
            duration_us: log.duration.as_micros().min(u64::MAX as u128) as u64,
            attempt: log.attempt,
            failure: failure.as_ref().map_or(std::ptr::null(), |f| f.as_ptr()),
            rate_limit_remaining: remaining
                .as_ref()
                .map_or(std::ptr::null(), |n| n as *const u64),
            rate_limit_limit: limit.as_ref().map_or(std::ptr::null(), |n| n as *const u64),
        };
        // SAFETY: a C function pointer given by the caller; every pointer in `entry`
        // lives until it returns.
        unsafe { cb(userdata.get(), &entry) };
    })
}

fn warning_logger(
    cb: unsafe extern "C" fn(*mut c_void, *const vk_warning),
    userdata: *mut c_void,
) -> voucherkit_core::WarningLogger {
    let userdata = UserData(userdata);
    Arc::new(move |w: &Warning| {
        let provider = c_string(w.provider.as_str());
        let operation = c_string(w.operation);
        let message = c_string(&w.message);
        let entry = vk_warning {
            provider: provider.as_ptr(),
            operation: operation.as_ptr(),
            message: message.as_ptr(),
        };
        // SAFETY: a C function pointer given by the caller; every pointer in `entry`
        // lives until it returns.
        unsafe { cb(userdata.get(), &entry) };
    })
}
