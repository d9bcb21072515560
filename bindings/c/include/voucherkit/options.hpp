/*
 * voucherkit/options.hpp: transport options and the logger/warning callbacks a client owns.
 *
 * One part of voucherkit.hpp, the header-only C++17 wrapper of voucherkit.h: include
 * <voucherkit.hpp>, not this file.
 */
#ifndef VOUCHERKIT_OPTIONS_HPP
#define VOUCHERKIT_OPTIONS_HPP

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "error.hpp"

namespace voucherkit {

/** One HTTP attempt, as the logger sees it (never a body, a query or a secret). */
struct RequestLog {
    std::string provider;
    std::string method;
    std::string path;
    std::optional<std::uint16_t> status;
    std::chrono::microseconds duration{0};
    std::uint32_t attempt = 1;
    std::optional<std::string> failure;
    /** The answer's X-RateLimit-Remaining / X-RateLimit-Limit, when it named them. */
    std::optional<std::uint64_t> rate_limit_remaining;
    std::optional<std::uint64_t> rate_limit_limit;
};

/** The till software (core option `app_info`), appended to the User-Agent as
 *  `name/version (url)`; the library checks it (field "app_info"). */
struct AppInfo {
    std::string name;
    std::optional<std::string> version;
    std::optional<std::string> url;
};

/** Something the till should know about a call that succeeded (Spaaza answered a redeem
 *  "ok" but the voucher is not redeemed). */
struct Warning {
    std::string provider;
    /** The operation's wire name, e.g. "redeem-voucher". */
    std::string operation;
    std::string message;
};

/** Transport settings; the defaults are the library's. */
struct ClientOptions {
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds timeout{30000};
    std::uint32_t max_retries = 2;
    std::optional<std::string> ca_bundle_path;
    std::optional<std::string> proxy;
    bool allow_insecure_http = false;
    std::chrono::milliseconds max_idle_age{30000};
    /** Idle pooled connections kept per host, 0 to 1024. */
    std::uint32_t max_idle_connections = 32;
    /** The till software; none by default. */
    std::optional<AppInfo> app_info;
    /** Called after every HTTP attempt, on the calling thread. It may call voucherkit itself;
     *  an exception it throws is swallowed (it must not unwind into the library). */
    std::function<void(const RequestLog &)> logger;
    /** Called, on the calling thread, when a call succeeds with a caveat; exceptions are
     *  swallowed as for `logger`. */
    std::function<void(const Warning &)> warning_logger;
};

namespace detail {

/** The options' callbacks, owned by the client (the C library holds pointers to them). */
struct Callbacks {
    std::function<void(const RequestLog &)> logger;
    std::function<void(const Warning &)> warning_logger;
};

extern "C" inline void log_trampoline(void *userdata, const vk_request_log *log) {
    try {
        RequestLog entry;
        entry.provider = str(log->provider);
        entry.method = str(log->method);
        entry.path = str(log->path);
        if (log->status) entry.status = *log->status;
        entry.duration = std::chrono::microseconds(log->duration_us);
        entry.attempt = log->attempt;
        entry.failure = opt(log->failure);
        if (log->rate_limit_remaining) entry.rate_limit_remaining = *log->rate_limit_remaining;
        if (log->rate_limit_limit) entry.rate_limit_limit = *log->rate_limit_limit;
        static_cast<Callbacks *>(userdata)->logger(entry);
    } catch (...) {
        /* an exception must not unwind into the library */
    }
}

extern "C" inline void warning_trampoline(void *userdata, const vk_warning *warning) {
    try {
        Warning entry{str(warning->provider), str(warning->operation), str(warning->message)};
        static_cast<Callbacks *>(userdata)->warning_logger(entry);
    } catch (...) {
        /* as above */
    }
}

/** Fills `out` from `o`; the callbacks (if any) are moved to `keep`, which must outlive the
 *  client. */
inline void fill(vk_client_options &out, const ClientOptions &o, std::unique_ptr<Callbacks> &keep,
                 const char *provider) {
    out.connect_timeout_ms = static_cast<std::uint64_t>(o.connect_timeout.count());
    out.timeout_ms = static_cast<std::uint64_t>(o.timeout.count());
    out.max_retries = o.max_retries;
    out.ca_bundle_path = c(o.ca_bundle_path, "ca_bundle", provider);
    out.proxy = c(o.proxy, "proxy", provider);
    out.allow_insecure_http = o.allow_insecure_http;
    out.max_idle_age_ms = static_cast<std::uint64_t>(o.max_idle_age.count());
    out.max_idle_connections = o.max_idle_connections;
    if (o.app_info) {
        out.app_info.name = c(o.app_info->name, "app_info", provider);
        out.app_info.version = c(o.app_info->version, "app_info", provider);
        out.app_info.url = c(o.app_info->url, "app_info", provider);
    }
    if (o.logger || o.warning_logger) keep = std::make_unique<Callbacks>(Callbacks{o.logger, o.warning_logger});
    if (o.logger) {
        out.log_callback = log_trampoline;
        out.log_userdata = keep.get();
    }
    if (o.warning_logger) {
        out.warning_callback = warning_trampoline;
        out.warning_userdata = keep.get();
    }
}

}  // namespace detail

}  // namespace voucherkit

#endif /* VOUCHERKIT_OPTIONS_HPP */
