/*
 * voucherkit.hpp: a header-only C++17 wrapper of voucherkit.h for C++ tills.
 *
 * RAII handles (voucherkit::SmartGift, voucherkit::Spaaza, voucherkit::Journal, the result
 * classes), std::string and std::optional, and one exception, voucherkit::Error, carrying
 * every attribute of a failure (DESIGN.md §4). The wrapper converts types and nothing more:
 * validation, the wire, the journal and the error mapping are the library's.
 *
 *   voucherkit::SmartGiftConfig cfg;
 *   cfg.api_key = std::getenv("SMARTGIFT_API_KEY");
 *   voucherkit::SmartGift sg(cfg);
 *   try {
 *       auto r = sg.redeem("1234567890", "12", "10.00");
 *       std::cout << r.message() << "\n";
 *   } catch (const voucherkit::Error &e) {
 *       if (e.kind() == voucherkit::ErrorKind::OutcomeUnknown) { check the voucher first }
 *   }
 *
 * Strings passed in must not contain NUL bytes (C strings cannot carry them): such a string
 * is refused with ErrorKind::InvalidRequest naming the parameter, before anything is sent.
 */
#ifndef VOUCHERKIT_HPP
#define VOUCHERKIT_HPP

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "voucherkit.h"

namespace voucherkit {

/** What went wrong: the same kinds, names and numbers as vk_status. */
enum class ErrorKind : std::uint32_t {
    InvalidRequest = VK_INVALID_REQUEST,
    Authentication = VK_AUTHENTICATION,
    PermissionDenied = VK_PERMISSION_DENIED,
    VoucherNotFound = VK_VOUCHER_NOT_FOUND,
    VoucherNotOwned = VK_VOUCHER_NOT_OWNED,
    VoucherExpired = VK_VOUCHER_EXPIRED,
    VoucherAlreadyRedeemed = VK_VOUCHER_ALREADY_REDEEMED,
    VoucherNotHeld = VK_VOUCHER_NOT_HELD,
    VoucherLocked = VK_VOUCHER_LOCKED,
    InvalidSite = VK_INVALID_SITE,
    InvalidAmount = VK_INVALID_AMOUNT,
    RateLimited = VK_RATE_LIMITED,
    ProviderError = VK_PROVIDER_ERROR,
    Network = VK_NETWORK,
    OutcomeUnknown = VK_OUTCOME_UNKNOWN,
    InvalidResponse = VK_INVALID_RESPONSE,
    Internal = VK_INTERNAL,
    Journal = VK_JOURNAL,
};

/** The kind's name, identical in every language ("voucher_not_found"). */
inline std::string kind_name(ErrorKind kind) {
    return vk_error_kind_str(static_cast<vk_status>(kind));
}

/** The library's version, "MAJOR.MINOR.PATCH". */
inline std::string version() { return vk_version(); }

/** Field name -> messages, as the provider sent them (document order kept). */
using FieldErrors = std::vector<std::pair<std::string, std::vector<std::string>>>;

/** A voucherkit failure, with everything a till needs to decide what to do next. */
class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, std::string message, std::optional<std::string> field = std::nullopt,
          std::optional<std::string> provider = std::nullopt)
        : std::runtime_error(kind_name(kind) + ": " + message), kind_(kind), message_(std::move(message)),
          field_(std::move(field)), provider_(std::move(provider)) {}

    /** Copies every attribute out of a vk_error (which the caller still owns). */
    static Error from(vk_status status, const vk_error *err) {
        if (err == nullptr) return Error(static_cast<ErrorKind>(status), vk_error_kind_str(status));
        Error e(static_cast<ErrorKind>(vk_error_kind(err)), str(vk_error_message(err)), opt(vk_error_field(err)));
        for (std::size_t i = 0, n = vk_error_field_error_count(err); i < n; i++) {
            std::vector<std::string> messages;
            for (std::size_t j = 0, m = vk_error_field_error_message_count(err, i); j < m; j++)
                messages.push_back(str(vk_error_field_error_message(err, i, j)));
            e.field_errors_.emplace_back(str(vk_error_field_error_name(err, i)), std::move(messages));
        }
        std::uint16_t status_code = 0;
        if (vk_error_http_status(err, &status_code)) e.http_status_ = status_code;
        e.provider_ = opt(vk_error_provider(err));
        e.provider_code_ = opt(vk_error_provider_code(err));
        e.retryable_ = vk_error_retryable(err);
        std::uint64_t after = 0;
        if (vk_error_retry_after(err, &after)) e.retry_after_ = after;
        e.journal_id_ = opt(vk_error_journal_id(err));
        return e;
    }

    /** What went wrong. */
    ErrorKind kind() const noexcept { return kind_; }
    /** The kind's name ("outcome_unknown"). */
    std::string kind_str() const { return kind_name(kind_); }
    /** The provider's first message, or voucherkit's own. */
    const std::string &message() const noexcept { return message_; }
    /** The first offending field by its wire name. */
    const std::optional<std::string> &field() const noexcept { return field_; }
    /** Field -> messages, exactly as the provider sent them. */
    const FieldErrors &field_errors() const noexcept { return field_errors_; }
    /** The HTTP status, if an answer came. */
    std::optional<std::uint16_t> http_status() const noexcept { return http_status_; }
    /** "smartgift" or "spaaza". */
    const std::optional<std::string> &provider() const noexcept { return provider_; }
    /** Spaaza's error name (or numeric code). */
    const std::optional<std::string> &provider_code() const noexcept { return provider_code_; }
    /** True only where trying the same call again is safe. */
    bool retryable() const noexcept { return retryable_; }
    /** Seconds the provider asked to wait. */
    std::optional<std::uint64_t> retry_after() const noexcept { return retry_after_; }
    /** The journal entry of the failing call (a journaled client's redeem, reverse or
     *  redeem_voucher, above all on OutcomeUnknown: reconcile() settles it). */
    const std::optional<std::string> &journal_id() const noexcept { return journal_id_; }

private:
    static std::string str(const char *s) { return s ? s : ""; }
    static std::optional<std::string> opt(const char *s) {
        return s ? std::optional<std::string>(s) : std::nullopt;
    }

    ErrorKind kind_;
    std::string message_;
    std::optional<std::string> field_;
    FieldErrors field_errors_;
    std::optional<std::uint16_t> http_status_;
    std::optional<std::string> provider_;
    std::optional<std::string> provider_code_;
    bool retryable_ = false;
    std::optional<std::uint64_t> retry_after_;
    std::optional<std::string> journal_id_;
};

namespace detail {

/** Throws the Error for a failed call and frees the vk_error. Takes `&err`, not `err`: the
 * call that fills it is another argument, and argument order is unspecified. */
inline void check(vk_status status, vk_error **err) {
    if (status == VK_OK) return;
    Error e = Error::from(status, *err);
    vk_error_free(*err);
    *err = nullptr;
    throw e;
}

inline std::optional<std::string> opt(const char *s) {
    return s ? std::optional<std::string>(s) : std::nullopt;
}

inline std::string str(const char *s) { return s ? s : ""; }

/** A std::string as a C string. A NUL inside is refused as the core refuses bad input
 * (invalid_request naming the field, nothing sent): C would silently cut the text there. */
inline const char *c(const std::string &s, const char *field, const char *provider = nullptr) {
    if (s.find('\0') != std::string::npos)
        throw Error(ErrorKind::InvalidRequest, std::string(field) + " must not contain a NUL byte", field,
                    provider ? std::optional<std::string>(provider) : std::nullopt);
    return s.c_str();
}

inline const char *c(const std::optional<std::string> &s, const char *field, const char *provider = nullptr) {
    return s ? c(*s, field, provider) : nullptr;
}

inline const std::int64_t *p(const std::optional<std::int64_t> &v) { return v ? &*v : nullptr; }

/** C strings of a list, checked; the list must outlive the result. */
inline std::vector<const char *> c_list(const std::vector<std::string> &items, const char *field,
                                       const char *provider = nullptr) {
    std::vector<const char *> out;
    out.reserve(items.size());
    for (const auto &s : items) out.push_back(c(s, field, provider));
    return out;
}

template <typename T>
using Handle = std::shared_ptr<T>;

template <typename T, void (*Free)(T *)>
Handle<T> own(T *raw) {
    return Handle<T>(raw, [](T *h) { Free(h); });
}

}  // namespace detail

/** One HTTP attempt, as the logger sees it (never a body, a query or a secret). */
struct RequestLog {
    std::string provider;
    std::string method;
    std::string path;
    std::optional<std::uint16_t> status;
    std::chrono::microseconds duration{0};
    std::uint32_t attempt = 1;
    std::optional<std::string> failure;
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
    out.ca_bundle_path = c(o.ca_bundle_path, "ca_bundle_path", provider);
    out.proxy = c(o.proxy, "proxy", provider);
    out.allow_insecure_http = o.allow_insecure_http;
    out.max_idle_age_ms = static_cast<std::uint64_t>(o.max_idle_age.count());
    out.max_idle_connections = o.max_idle_connections;
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

/* ------------------------------------------------------------------ journal */

/** One journaled call and where it stands: a copy, valid after the journal is gone. */
struct JournalEntry {
    /** A UUID v7; what journal_id() on results and errors gives. */
    std::string id;
    /** The till's own reference given with the call. */
    std::optional<std::string> reference;
    /** "smartgift" or "spaaza". */
    std::string provider;
    /** "redeem", "reverse" or "redeem_voucher". */
    std::string operation;
    /** "pending", "applied", "not_applied" or "unknown". */
    std::string state;
    /** What was asked, as JSON (never a secret). */
    std::string request_json;
    /** The snapshot read before the write, as JSON. */
    std::optional<std::string> before_json;
    /** The success result, as JSON. */
    std::optional<std::string> result_json;
    /** {"kind", "message", "field", "http_status"} of the failure, as JSON. */
    std::optional<std::string> error_json;
    /** Whether applied / not_applied is proven rather than inferred. */
    bool certain = false;
    /** Why it is still unknown, or how reconcile decided. */
    std::optional<std::string> note;
    std::chrono::system_clock::time_point created_at;
    std::optional<std::chrono::system_clock::time_point> resolved_at;
    std::uint32_t reconcile_attempts = 0;
    /** The whole entry as JSON (times as RFC 3339 UTC). */
    std::string json;
};

/** Which entries Journal::entries() returns; every field given narrows the result. */
struct JournalFilter {
    /** "pending", "applied", "not_applied" or "unknown" (another name: InvalidRequest, field "state"). */
    std::optional<std::string> state;
    std::optional<std::string> reference;
    /** "smartgift" or "spaaza". */
    std::optional<std::string> provider;
    /** Created at or after this time. */
    std::optional<std::chrono::system_clock::time_point> since;
    /** At most this many, the newest. */
    std::optional<std::size_t> limit;
};

namespace detail {

inline std::chrono::system_clock::time_point from_ms(std::uint64_t ms) {
    return std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
        std::chrono::milliseconds(static_cast<std::int64_t>(ms))));
}

inline JournalEntry entry(const vk_journal_entry *e) {
    JournalEntry out;
    out.id = str(vk_journal_entry_id(e));
    out.reference = opt(vk_journal_entry_reference(e));
    out.provider = str(vk_journal_entry_provider(e));
    out.operation = str(vk_journal_entry_operation(e));
    out.state = str(vk_journal_entry_state(e));
    out.request_json = str(vk_journal_entry_request_json(e));
    out.before_json = opt(vk_journal_entry_before_json(e));
    out.result_json = opt(vk_journal_entry_result_json(e));
    out.error_json = opt(vk_journal_entry_error_json(e));
    out.certain = vk_journal_entry_certain(e);
    out.note = opt(vk_journal_entry_note(e));
    out.created_at = from_ms(vk_journal_entry_created_at_ms(e));
    std::uint64_t resolved = 0;
    if (vk_journal_entry_resolved_at_ms(e, &resolved)) out.resolved_at = from_ms(resolved);
    out.reconcile_attempts = vk_journal_entry_reconcile_attempts(e);
    out.json = str(vk_journal_entry_to_json(e));
    return out;
}

/** Copies a list's entries out and frees the list (also when copying throws). */
inline std::vector<JournalEntry> take_entries(vk_journal_entry_list *raw) {
    Handle<vk_journal_entry_list> list = own<vk_journal_entry_list, vk_journal_entry_list_free>(raw);
    std::vector<JournalEntry> out;
    for (std::size_t i = 0, n = vk_journal_entry_list_count(list.get()); i < n; i++)
        out.push_back(entry(vk_journal_entry_list_at(list.get(), i)));
    return out;
}

}  // namespace detail

/** A journal file (":memory:" for one in memory). Give it to SmartGiftConfig::journal /
 *  SpaazaConfig::journal: the client then reads the voucher first, records every redeem,
 *  reverse and redeem_voucher on disk before it is sent, and reconcile() settles the ones
 *  whose answer was lost. Copies share one handle; a client keeps its own reference, so
 *  the Journal may go out of scope before the client does. Opening a directory or a file
 *  that is not a journal throws InvalidRequest with field "journal". */
class Journal {
public:
    explicit Journal(const std::string &path) {
        vk_journal *raw = nullptr;
        vk_error *err = nullptr;
        detail::check(vk_journal_open(detail::c(path, "path"), &raw, &err), &err);
        h_ = detail::own<vk_journal, vk_journal_free>(raw);
    }

    /** Where it lives (":memory:" for an in-memory journal). */
    std::string path() const { return detail::str(vk_journal_path(h_.get())); }

    /** The entries matching `filter`, newest first. */
    std::vector<JournalEntry> entries(const JournalFilter &filter = {}) const {
        vk_journal_filter f{};
        f.state = detail::c(filter.state, "state");
        f.reference = detail::c(filter.reference, "reference");
        f.provider = detail::c(filter.provider, "provider");
        std::uint64_t since = 0;
        if (filter.since) {
            // Nothing is older than the epoch, so an earlier `since` selects what 0 does.
            auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(filter.since->time_since_epoch()).count();
            since = ms > 0 ? static_cast<std::uint64_t>(ms) : 0;
            f.since_ms = &since;
        }
        std::size_t limit = filter.limit.value_or(0);
        if (filter.limit) f.limit = &limit;
        vk_journal_entry_list *out = nullptr;
        vk_error *err = nullptr;
        detail::check(vk_journal_entries(h_.get(), &f, &out, &err), &err);
        return detail::take_entries(out);
    }

    /** One entry by id; std::nullopt when there is none. */
    std::optional<JournalEntry> entry(const std::string &id) const {
        vk_journal_entry *out = nullptr;
        vk_error *err = nullptr;
        detail::check(vk_journal_entry_get(h_.get(), detail::c(id, "id"), &out, &err), &err);
        if (out == nullptr) return std::nullopt;
        detail::Handle<vk_journal_entry> owned = detail::own<vk_journal_entry, vk_journal_entry_free>(out);
        return detail::entry(owned.get());
    }

    const vk_journal *handle() const noexcept { return h_.get(); }

private:
    detail::Handle<vk_journal> h_;
};

/* ------------------------------------------------------------------ Smart Gift */

/** How to reach Smart Gift. */
struct SmartGiftConfig {
    std::string api_key;
    /** Production when absent. */
    std::optional<std::string> base_url;
    ClientOptions options;
    /** Records redeems and reverses (see Journal); none when absent. */
    std::optional<Journal> journal;
};

/** A check meta condition ({"key", "operator", "value": [...]}). */
struct MetaCondition {
    std::string key;
    std::string op = "in";
    std::vector<std::string> values;
};

/** One experience of a checked voucher. */
struct Experience {
    std::optional<std::uint64_t> bit_value;
    std::optional<std::int64_t> id;
    std::optional<std::string> name;
    std::string raw_json;
};

/** The answer to check. */
class SmartGiftVoucher {
public:
    explicit SmartGiftVoucher(vk_smartgift_voucher *raw)
        : h_(detail::own<vk_smartgift_voucher, vk_smartgift_voucher_free>(raw)) {}
    std::optional<std::int64_t> id() const {
        std::int64_t v = 0;
        return vk_smartgift_voucher_id(h_.get(), &v) ? std::optional<std::int64_t>(v) : std::nullopt;
    }
    std::optional<std::string> name() const { return detail::opt(vk_smartgift_voucher_name(h_.get())); }
    std::optional<std::string> description() const {
        return detail::opt(vk_smartgift_voucher_description(h_.get()));
    }
    std::optional<std::string> voucher_no() const { return detail::opt(vk_smartgift_voucher_voucher_no(h_.get())); }
    /** Money (or the sum of unused bit values) as a decimal string with the provider's digits. */
    std::optional<std::string> remaining_value() const {
        return detail::opt(vk_smartgift_voucher_remaining_value(h_.get()));
    }
    std::optional<std::string> voucher_type() const { return detail::opt(vk_smartgift_voucher_voucher_type(h_.get())); }
    std::optional<bool> sold_out() const {
        bool v = false;
        return vk_smartgift_voucher_sold_out(h_.get(), &v) ? std::optional<bool>(v) : std::nullopt;
    }
    std::vector<Experience> experiences() const {
        std::vector<Experience> out;
        for (std::size_t i = 0, n = vk_smartgift_voucher_experience_count(h_.get()); i < n; i++) {
            const vk_smartgift_experience *e = vk_smartgift_voucher_experience_at(h_.get(), i);
            Experience x;
            std::uint64_t bit = 0;
            if (vk_smartgift_experience_bit_value(e, &bit)) x.bit_value = bit;
            std::int64_t id = 0;
            if (vk_smartgift_experience_id(e, &id)) x.id = id;
            x.name = detail::opt(vk_smartgift_experience_name(e));
            x.raw_json = detail::str(vk_smartgift_experience_raw_json(e));
            out.push_back(std::move(x));
        }
        return out;
    }
    std::optional<std::string> available_to_redeem_json() const {
        return detail::opt(vk_smartgift_voucher_available_to_redeem_json(h_.get()));
    }
    /** The answer's data object as JSON. */
    std::string raw_json() const { return detail::str(vk_smartgift_voucher_raw_json(h_.get())); }
    const vk_smartgift_voucher *handle() const noexcept { return h_.get(); }

private:
    detail::Handle<vk_smartgift_voucher> h_;
};

/** The answer to hold. */
class SmartGiftHeld {
public:
    explicit SmartGiftHeld(vk_smartgift_held *raw) : h_(detail::own<vk_smartgift_held, vk_smartgift_held_free>(raw)) {}
    std::string message() const { return detail::str(vk_smartgift_held_message(h_.get())); }
    std::string hold_token() const { return detail::str(vk_smartgift_held_hold_token(h_.get())); }
    /** When the answer arrived (ms since the Unix epoch); the hold lasts about five minutes. */
    std::uint64_t received_at_ms() const { return vk_smartgift_held_received_at_ms(h_.get()); }
    std::string raw_json() const { return detail::str(vk_smartgift_held_raw_json(h_.get())); }
    const vk_smartgift_held *handle() const noexcept { return h_.get(); }

private:
    detail::Handle<vk_smartgift_held> h_;
};

/** The answer to redeem. */
class SmartGiftRedemption {
public:
    explicit SmartGiftRedemption(vk_smartgift_redemption *raw)
        : h_(detail::own<vk_smartgift_redemption, vk_smartgift_redemption_free>(raw)) {}
    std::string message() const { return detail::str(vk_smartgift_redemption_message(h_.get())); }
    /** Keep these: reverse needs them. */
    std::vector<std::uint64_t> redemptions() const {
        std::vector<std::uint64_t> out;
        for (std::size_t i = 0, n = vk_smartgift_redemption_count(h_.get()); i < n; i++) {
            std::uint64_t id = 0;
            if (vk_smartgift_redemption_at(h_.get(), i, &id)) out.push_back(id);
        }
        return out;
    }
    std::string raw_json() const { return detail::str(vk_smartgift_redemption_raw_json(h_.get())); }
    /** The journal entry that recorded it (journaled clients only). */
    std::optional<std::string> journal_id() const { return detail::opt(vk_smartgift_redemption_journal_id(h_.get())); }
    const vk_smartgift_redemption *handle() const noexcept { return h_.get(); }

private:
    detail::Handle<vk_smartgift_redemption> h_;
};

/** The answer to release. */
class SmartGiftReleased {
public:
    explicit SmartGiftReleased(vk_smartgift_released *raw)
        : h_(detail::own<vk_smartgift_released, vk_smartgift_released_free>(raw)) {}
    std::string message() const { return detail::str(vk_smartgift_released_message(h_.get())); }
    std::string raw_json() const { return detail::str(vk_smartgift_released_raw_json(h_.get())); }

private:
    detail::Handle<vk_smartgift_released> h_;
};

/** The answer to reverse. */
class SmartGiftReversed {
public:
    explicit SmartGiftReversed(vk_smartgift_reversed *raw)
        : h_(detail::own<vk_smartgift_reversed, vk_smartgift_reversed_free>(raw)) {}
    std::string message() const { return detail::str(vk_smartgift_reversed_message(h_.get())); }
    std::string raw_json() const { return detail::str(vk_smartgift_reversed_raw_json(h_.get())); }
    /** The journal entry that recorded it (journaled clients only). */
    std::optional<std::string> journal_id() const { return detail::opt(vk_smartgift_reversed_journal_id(h_.get())); }

private:
    detail::Handle<vk_smartgift_reversed> h_;
};

/** A Smart Gift client. Thread-safe: share one between threads. Movable, not copyable. */
class SmartGift {
private:
    static const char *c(const std::string &s, const char *field) { return detail::c(s, field, "smartgift"); }
    static const char *c(const std::optional<std::string> &s, const char *field) {
        return detail::c(s, field, "smartgift");
    }

public:
    explicit SmartGift(const SmartGiftConfig &config) {
        vk_smartgift_config cfg = vk_smartgift_config_default();
        cfg.api_key = c(config.api_key, "api_key");
        cfg.base_url = c(config.base_url, "base_url");
        cfg.journal = config.journal ? config.journal->handle() : nullptr;
        detail::fill(cfg.options, config.options, callbacks_, "smartgift");
        vk_smartgift *raw = nullptr;
        vk_error *err = nullptr;
        detail::check(vk_smartgift_new(&cfg, &raw, &err), &err);
        h_.reset(raw);
    }

    /** What a voucher is worth at a site (a read: safe to retry). */
    SmartGiftVoucher check(const std::string &voucher_no, const std::string &site_id,
                           const std::vector<std::string> &classifications = {},
                           const std::vector<MetaCondition> &meta_conditions = {}) const {
        auto classes = detail::c_list(classifications, "classifications", "smartgift");
        std::vector<std::vector<const char *>> values;
        std::vector<vk_meta_condition> conds;
        values.reserve(meta_conditions.size());
        for (const auto &m : meta_conditions) {
            values.push_back(detail::c_list(m.values, "meta_conditions", "smartgift"));
            conds.push_back(vk_meta_condition{c(m.key, "meta_conditions"), c(m.op, "meta_conditions"),
                                              values.back().data(), values.back().size()});
        }
        vk_smartgift_voucher *out = nullptr;
        vk_error *err = nullptr;
        detail::check(vk_smartgift_check(h_.get(), c(voucher_no, "voucher_no"), c(site_id, "site_id"),
                                         classes.empty() ? nullptr : classes.data(), classes.size(),
                                         conds.empty() ? nullptr : conds.data(), conds.size(), &out, &err),
                      &err);
        return SmartGiftVoucher(out);
    }
    SmartGiftVoucher check(const std::string &voucher_no, std::int64_t site_id) const {
        return check(voucher_no, std::to_string(site_id));
    }

    /** Reserves the whole voucher for about five minutes. */
    SmartGiftHeld hold(const std::string &voucher_no) const {
        vk_smartgift_held *out = nullptr;
        vk_error *err = nullptr;
        detail::check(vk_smartgift_hold(h_.get(), c(voucher_no, "voucher_no"), &out, &err), &err);
        return SmartGiftHeld(out);
    }

    /** Redeems money (`value`, a decimal string such as "10.00"). On OutcomeUnknown, check first
     *  (with a journal: reconcile()). `reference` is the till's sale or basket id, stored on the
     *  journal entry and never sent. */
    SmartGiftRedemption redeem(const std::string &voucher_no, const std::string &site_id, const std::string &value,
                               const std::optional<std::string> &hold_token = std::nullopt,
                               const std::optional<std::string> &reference = std::nullopt) const {
        return redeem_raw(voucher_no, site_id, &value, nullptr, hold_token, reference);
    }

    /** Redeems experiences by their bit values (from check). */
    SmartGiftRedemption redeem_experiences(const std::string &voucher_no, const std::string &site_id,
                                           const std::vector<std::int64_t> &experiences,
                                           const std::optional<std::string> &hold_token = std::nullopt,
                                           const std::optional<std::string> &reference = std::nullopt) const {
        return redeem_raw(voucher_no, site_id, nullptr, &experiences, hold_token, reference);
    }

    /** Gives up a hold before it expires. */
    SmartGiftReleased release(const std::string &voucher_no, const std::string &hold_token) const {
        vk_smartgift_released *out = nullptr;
        vk_error *err = nullptr;
        detail::check(vk_smartgift_release(h_.get(), c(voucher_no, "voucher_no"),
                                           c(hold_token, "hold_token"), &out, &err),
                      &err);
        return SmartGiftReleased(out);
    }

    /** Undoes redemptions (ids from redeem); journaled like redeem. */
    SmartGiftReversed reverse(const std::string &voucher_no, const std::string &site_id,
                              const std::vector<std::int64_t> &redemptions,
                              const std::optional<std::string> &reference = std::nullopt) const {
        vk_smartgift_reversed *out = nullptr;
        vk_error *err = nullptr;
        static const std::int64_t none = 0;
        detail::check(vk_smartgift_reverse_ref(h_.get(), c(voucher_no, "voucher_no"), c(site_id, "site_id"),
                                               redemptions.empty() ? &none : redemptions.data(), redemptions.size(),
                                               c(reference, "reference"), &out, &err),
                      &err);
        return SmartGiftReversed(out);
    }

    /** Settles this account's journal entries whose outcome is unknown (and pending ones whose
     *  process died) by reading each voucher again; returns the entries it examined, in their
     *  state afterwards. Throws InvalidRequest (field "journal") without a journal. */
    std::vector<JournalEntry> reconcile() const {
        vk_journal_entry_list *out = nullptr;
        vk_error *err = nullptr;
        detail::check(vk_smartgift_reconcile(h_.get(), &out, &err), &err);
        return detail::take_entries(out);
    }

    std::string base_url() const { return detail::str(vk_smartgift_base_url(h_.get())); }
    std::string user_agent() const { return detail::str(vk_smartgift_user_agent(h_.get())); }
    const vk_smartgift *handle() const noexcept { return h_.get(); }

private:
    SmartGiftRedemption redeem_raw(const std::string &voucher_no, const std::string &site_id, const std::string *value,
                                   const std::vector<std::int64_t> *experiences,
                                   const std::optional<std::string> &hold_token,
                                   const std::optional<std::string> &reference) const {
        static const std::int64_t none = 0;
        const std::int64_t *bits = nullptr;
        std::size_t bits_len = 0;
        if (experiences) {
            bits = experiences->empty() ? &none : experiences->data(); /* empty list, not absent */
            bits_len = experiences->size();
        }
        vk_smartgift_redemption *out = nullptr;
        vk_error *err = nullptr;
        detail::check(vk_smartgift_redeem_ref(h_.get(), c(voucher_no, "voucher_no"), c(site_id, "site_id"),
                                              value ? c(*value, "value") : nullptr, bits, bits_len,
                                              c(hold_token, "hold_token"), c(reference, "reference"), &out, &err),
                      &err);
        return SmartGiftRedemption(out);
    }

    struct Free {
        void operator()(vk_smartgift *h) const { vk_smartgift_free(h); }
    };
    std::unique_ptr<detail::Callbacks> callbacks_;
    std::unique_ptr<vk_smartgift, Free> h_;
};

/* ------------------------------------------------------------------ Spaaza */

/** How a Spaaza client authenticates. */
enum class SpaazaAuth : std::uint32_t {
    Admin = VK_SPAAZA_AUTH_ADMIN,
    User = VK_SPAAZA_AUTH_USER,
    Privileged = VK_SPAAZA_AUTH_PRIVILEGED,
};

/** How to reach Spaaza and who the client is. */
struct SpaazaConfig {
    SpaazaAuth auth = SpaazaAuth::Admin;
    std::int64_t session_user_id = 0;
    std::optional<std::string> session_key;
    /** "1.6.3" when absent. */
    std::optional<std::string> api_version;
    std::optional<std::string> app_hostname;
    std::optional<std::string> bearer_token;
    std::optional<std::string> base_url;
    ClientOptions options;
    /** Records redeem_voucher calls (see Journal), which then need voucher_id; none when absent. */
    std::optional<Journal> journal;
};

/** A warning riding on an ok answer. */
struct SpaazaWarning {
    std::optional<std::int64_t> code;
    std::optional<std::string> name;
    std::optional<std::string> description;
    std::optional<std::string> message;
};

namespace detail {
inline SpaazaWarning warning(const vk_spaaza_warning *w) {
    SpaazaWarning out;
    std::int64_t code = 0;
    if (vk_spaaza_warning_code(w, &code)) out.code = code;
    out.name = opt(vk_spaaza_warning_name(w));
    out.description = opt(vk_spaaza_warning_description(w));
    out.message = opt(vk_spaaza_warning_message(w));
    return out;
}
}  // namespace detail

/** A Spaaza voucher. Regenerated vouchers and list items share their parent's handle. */
class SpaazaVoucher {
public:
    explicit SpaazaVoucher(vk_spaaza_voucher *raw)
        : owner_(detail::own<vk_spaaza_voucher, vk_spaaza_voucher_free>(raw)), v_(raw) {}
    SpaazaVoucher(std::shared_ptr<const void> owner, const vk_spaaza_voucher *v) : owner_(std::move(owner)), v_(v) {}

    std::optional<std::string> voucher_key() const { return detail::opt(vk_spaaza_voucher_voucher_key(v_)); }
    std::optional<std::int64_t> voucher_id() const { return i64(vk_spaaza_voucher_voucher_id); }
    std::optional<std::string> voucher_status() const { return detail::opt(vk_spaaza_voucher_voucher_status(v_)); }
    std::optional<std::string> voucher_type() const { return detail::opt(vk_spaaza_voucher_voucher_type(v_)); }
    std::optional<bool> voucher_locked() const {
        bool b = false;
        return vk_spaaza_voucher_voucher_locked(v_, &b) ? std::optional<bool>(b) : std::nullopt;
    }
    std::optional<std::string> voucher_locked_until() const {
        return detail::opt(vk_spaaza_voucher_voucher_locked_until(v_));
    }
    std::optional<std::string> voucher_locking_code() const {
        return detail::opt(vk_spaaza_voucher_voucher_locking_code(v_));
    }
    std::optional<std::string> voucher_retailer_basket_code_exclusive() const {
        return detail::opt(vk_spaaza_voucher_voucher_retailer_basket_code_exclusive(v_));
    }
    /** Money as decimal strings with the provider's digits. */
    std::optional<std::string> voucher_amount_original() const {
        return detail::opt(vk_spaaza_voucher_voucher_amount_original(v_));
    }
    std::optional<std::string> voucher_amount_redeemed() const {
        return detail::opt(vk_spaaza_voucher_voucher_amount_redeemed(v_));
    }
    std::optional<std::string> voucher_amount() const { return detail::opt(vk_spaaza_voucher_voucher_amount(v_)); }
    std::optional<std::int64_t> voucher_currency_id() const { return i64(vk_spaaza_voucher_voucher_currency_id); }
    std::optional<std::string> voucher_currency_symbol() const {
        return detail::opt(vk_spaaza_voucher_voucher_currency_symbol(v_));
    }
    std::optional<std::string> voucher_expiry_datetime_utc() const {
        return detail::opt(vk_spaaza_voucher_voucher_expiry_datetime_utc(v_));
    }
    std::optional<std::string> voucher_redeemed_datetime() const {
        return detail::opt(vk_spaaza_voucher_voucher_redeemed_datetime(v_));
    }
    std::optional<std::int64_t> user_id() const { return i64(vk_spaaza_voucher_user_id); }
    std::optional<std::int64_t> voucher_third_party_id() const { return i64(vk_spaaza_voucher_voucher_third_party_id); }
    std::optional<std::int64_t> campaign_id() const { return i64(vk_spaaza_voucher_campaign_id); }
    /** After a partial redeem: the voucher holding the remainder. */
    std::optional<SpaazaVoucher> regenerated_voucher() const {
        const vk_spaaza_voucher *r = vk_spaaza_voucher_regenerated_voucher(v_);
        return r ? std::optional<SpaazaVoucher>(SpaazaVoucher(owner_, r)) : std::nullopt;
    }
    std::vector<SpaazaWarning> warnings() const {
        std::vector<SpaazaWarning> out;
        for (std::size_t i = 0, n = vk_spaaza_voucher_warning_count(v_); i < n; i++)
            out.push_back(detail::warning(vk_spaaza_voucher_warning_at(v_, i)));
        return out;
    }
    /** The voucher object as sent, as JSON. */
    std::string raw_json() const { return detail::str(vk_spaaza_voucher_raw_json(v_)); }
    /** The journal entry that recorded this redeem_voucher (journaled clients only). */
    std::optional<std::string> journal_id() const { return detail::opt(vk_spaaza_voucher_journal_id(v_)); }
    const vk_spaaza_voucher *handle() const noexcept { return v_; }

private:
    std::optional<std::int64_t> i64(bool (*get)(const vk_spaaza_voucher *, std::int64_t *)) const {
        std::int64_t v = 0;
        return get(v_, &v) ? std::optional<std::int64_t>(v) : std::nullopt;
    }
    std::shared_ptr<const void> owner_;
    const vk_spaaza_voucher *v_;
};

/** The answer to get_vouchers. */
class VoucherList {
public:
    explicit VoucherList(vk_spaaza_voucher_list *raw)
        : h_(detail::own<vk_spaaza_voucher_list, vk_spaaza_voucher_list_free>(raw)) {}
    std::optional<std::int64_t> results_count_total() const {
        std::int64_t v = 0;
        return vk_spaaza_voucher_list_results_count_total(h_.get(), &v) ? std::optional<std::int64_t>(v) : std::nullopt;
    }
    std::vector<SpaazaVoucher> vouchers() const {
        std::vector<SpaazaVoucher> out;
        for (std::size_t i = 0, n = vk_spaaza_voucher_list_count(h_.get()); i < n; i++)
            out.emplace_back(h_, vk_spaaza_voucher_list_at(h_.get(), i));
        return out;
    }
    std::vector<SpaazaWarning> warnings() const {
        std::vector<SpaazaWarning> out;
        for (std::size_t i = 0, n = vk_spaaza_voucher_list_warning_count(h_.get()); i < n; i++)
            out.push_back(detail::warning(vk_spaaza_voucher_list_warning_at(h_.get(), i)));
        return out;
    }
    std::string raw_json() const { return detail::str(vk_spaaza_voucher_list_raw_json(h_.get())); }

private:
    detail::Handle<vk_spaaza_voucher_list> h_;
};

/** redeem_voucher's input: exactly one of voucher_key / voucher_id (a journaled client needs
 *  voucher_id). No amount: all of it. */
struct RedeemVoucherRequest {
    std::int64_t chain_id = 0;
    std::optional<std::string> voucher_key;
    std::optional<std::int64_t> voucher_id;
    std::optional<std::int64_t> user_id;
    std::optional<std::string> amount;
    /** The till's sale or basket id, stored on the journal entry; never sent. */
    std::optional<std::string> reference;
};

/** claim_voucher / unclaim_voucher input. */
struct ClaimRequest {
    std::optional<std::int64_t> chain_id;
    std::optional<std::string> voucher_key;
    std::optional<std::int64_t> voucher_id;
    std::optional<std::int64_t> third_party_id;
    std::optional<std::int64_t> user_id;
    std::optional<std::string> member_number;
    std::optional<std::string> username;
    std::optional<std::string> authentication_point_identifier;
    std::optional<std::string> auxiliary_identifier;
};

/** lock_voucher input (voucher_lock_period: 300 s when absent). */
struct LockVoucherRequest {
    std::optional<std::string> voucher_key;
    std::optional<std::int64_t> voucher_id;
    std::string retailer_basket_code;
    std::optional<std::int64_t> voucher_lock_period;
    std::optional<std::string> voucher_locking_code;
};

/** get_vouchers input. */
struct GetVouchersRequest {
    std::int64_t chain_id = 0;
    std::optional<std::int64_t> voucher_id;
    std::optional<std::int64_t> user_id;
    std::optional<std::string> username;
    std::optional<std::string> member_number;
    std::optional<std::string> authentication_point_identifier;
    std::optional<std::int64_t> campaign_id;
    bool show_all_statuses = false;
    bool show_redeemed = false;
    bool show_expired = false;
    bool exclude_regenerated = false;
    std::optional<std::int64_t> number_results;
    std::optional<std::int64_t> results_offset;
    std::optional<std::string> min_created_datetime;
    std::optional<std::string> max_created_datetime;
    std::optional<std::string> min_expiry_datetime;
    std::optional<std::string> max_expiry_datetime;
    std::optional<std::string> min_redeemed_datetime;
    std::optional<std::string> max_redeemed_datetime;
};

/** A Spaaza client. Thread-safe: share one between threads. Movable, not copyable. */
class Spaaza {
private:
    static const char *c(const std::string &s, const char *field) { return detail::c(s, field, "spaaza"); }
    static const char *c(const std::optional<std::string> &s, const char *field) {
        return detail::c(s, field, "spaaza");
    }

public:
    explicit Spaaza(const SpaazaConfig &config) {
        vk_spaaza_config cfg = vk_spaaza_config_default();
        cfg.auth = static_cast<vk_spaaza_auth>(config.auth);
        cfg.session_user_id = config.session_user_id;
        cfg.session_key = c(config.session_key, "session_key");
        if (config.api_version) cfg.api_version = c(*config.api_version, "api_version");
        cfg.app_hostname = c(config.app_hostname, "app_hostname");
        cfg.bearer_token = c(config.bearer_token, "bearer_token");
        cfg.base_url = c(config.base_url, "base_url");
        cfg.journal = config.journal ? config.journal->handle() : nullptr;
        detail::fill(cfg.options, config.options, callbacks_, "spaaza");
        vk_spaaza *raw = nullptr;
        vk_error *err = nullptr;
        detail::check(vk_spaaza_new(&cfg, &raw, &err), &err);
        h_.reset(raw);
    }

    /** Redeems a voucher, wholly or partly. On OutcomeUnknown, read the voucher first (with a
     *  journal: reconcile()). */
    SpaazaVoucher redeem_voucher(const RedeemVoucherRequest &r) const {
        return voucher([&](vk_spaaza_voucher **out, vk_error **err) {
            return vk_spaaza_redeem_voucher_ref(h_.get(), r.chain_id, c(r.voucher_key, "voucher_key"),
                                                detail::p(r.voucher_id), detail::p(r.user_id),
                                                c(r.amount, "amount"), c(r.reference, "reference"), out, err);
        });
    }

    /** As SmartGift::reconcile(), for this Spaaza account. */
    std::vector<JournalEntry> reconcile() const {
        vk_journal_entry_list *out = nullptr;
        vk_error *err = nullptr;
        detail::check(vk_spaaza_reconcile(h_.get(), &out, &err), &err);
        return detail::take_entries(out);
    }

    /** Unlocks a locked voucher (by key, id, or both: then only the key is sent). */
    SpaazaVoucher unlock_voucher(const std::optional<std::string> &voucher_key,
                                 const std::optional<std::int64_t> &voucher_id = std::nullopt) const {
        return voucher([&](vk_spaaza_voucher **out, vk_error **err) {
            return vk_spaaza_unlock_voucher(h_.get(), c(voucher_key, "voucher_key"), detail::p(voucher_id), out,
                                            err);
        });
    }

    SpaazaVoucher unclaim_voucher(const ClaimRequest &r) const {
        vk_spaaza_claim_request q = claim(r);
        return voucher([&](vk_spaaza_voucher **out, vk_error **err) {
            return vk_spaaza_unclaim_voucher(h_.get(), &q, out, err);
        });
    }

    SpaazaVoucher claim_voucher(const ClaimRequest &r) const {
        vk_spaaza_claim_request q = claim(r);
        return voucher([&](vk_spaaza_voucher **out, vk_error **err) {
            return vk_spaaza_claim_voucher(h_.get(), &q, out, err);
        });
    }

    SpaazaVoucher lock_voucher(const LockVoucherRequest &r) const {
        return voucher([&](vk_spaaza_voucher **out, vk_error **err) {
            return vk_spaaza_lock_voucher(h_.get(), c(r.voucher_key, "voucher_key"), detail::p(r.voucher_id),
                                          c(r.retailer_basket_code, "retailer_basket_code"),
                                          detail::p(r.voucher_lock_period),
                                          c(r.voucher_locking_code, "voucher_locking_code"), out, err);
        });
    }

    /** Reads vouchers of a chain (a read: safe to retry). */
    VoucherList get_vouchers(const GetVouchersRequest &r) const {
        vk_spaaza_get_vouchers_request q{};
        q.chain_id = r.chain_id;
        q.voucher_id = detail::p(r.voucher_id);
        q.user_id = detail::p(r.user_id);
        q.username = c(r.username, "username");
        q.member_number = c(r.member_number, "member_number");
        q.authentication_point_identifier =
            c(r.authentication_point_identifier, "authentication_point_identifier");
        q.campaign_id = detail::p(r.campaign_id);
        q.show_all_statuses = r.show_all_statuses;
        q.show_redeemed = r.show_redeemed;
        q.show_expired = r.show_expired;
        q.exclude_regenerated = r.exclude_regenerated;
        q.number_results = detail::p(r.number_results);
        q.results_offset = detail::p(r.results_offset);
        q.min_created_datetime = c(r.min_created_datetime, "min_created_datetime");
        q.max_created_datetime = c(r.max_created_datetime, "max_created_datetime");
        q.min_expiry_datetime = c(r.min_expiry_datetime, "min_expiry_datetime");
        q.max_expiry_datetime = c(r.max_expiry_datetime, "max_expiry_datetime");
        q.min_redeemed_datetime = c(r.min_redeemed_datetime, "min_redeemed_datetime");
        q.max_redeemed_datetime = c(r.max_redeemed_datetime, "max_redeemed_datetime");
        vk_spaaza_voucher_list *out = nullptr;
        vk_error *err = nullptr;
        detail::check(vk_spaaza_get_vouchers(h_.get(), &q, &out, &err), &err);
        return VoucherList(out);
    }

    std::string base_url() const { return detail::str(vk_spaaza_base_url(h_.get())); }
    std::string user_agent() const { return detail::str(vk_spaaza_user_agent(h_.get())); }
    const vk_spaaza *handle() const noexcept { return h_.get(); }

private:
    template <typename F>
    static SpaazaVoucher voucher(F call) {
        vk_spaaza_voucher *out = nullptr;
        vk_error *err = nullptr;
        detail::check(call(&out, &err), &err);
        return SpaazaVoucher(out);
    }

    static vk_spaaza_claim_request claim(const ClaimRequest &r) {
        vk_spaaza_claim_request q{};
        q.chain_id = detail::p(r.chain_id);
        q.voucher_key = c(r.voucher_key, "voucher_key");
        q.voucher_id = detail::p(r.voucher_id);
        q.third_party_id = detail::p(r.third_party_id);
        q.user_id = detail::p(r.user_id);
        q.member_number = c(r.member_number, "member_number");
        q.username = c(r.username, "username");
        q.authentication_point_identifier =
            c(r.authentication_point_identifier, "authentication_point_identifier");
        q.auxiliary_identifier = c(r.auxiliary_identifier, "auxiliary_identifier");
        return q;
    }

    struct Free {
        void operator()(vk_spaaza *h) const { vk_spaaza_free(h); }
    };
    std::unique_ptr<detail::Callbacks> callbacks_;
    std::unique_ptr<vk_spaaza, Free> h_;
};

/* ------------------------------------------------------------------ sandbox */

namespace testing {

namespace detail_text {
inline std::string take(vk_text *t) {
    std::string s = ::voucherkit::detail::str(vk_text_str(t));
    vk_text_free(t);
    return s;
}
}  // namespace detail_text

/** The stateful sandbox on 127.0.0.1 (demo data set unless `data_json` is given). */
class Sandbox {
public:
    Sandbox() : Sandbox(std::nullopt) {}
    explicit Sandbox(const std::optional<std::string> &data_json) {
        vk_sandbox *raw = nullptr;
        vk_error *err = nullptr;
        ::voucherkit::detail::check(vk_sandbox_start(::voucherkit::detail::c(data_json, "data_json"), &raw, &err), &err);
        h_.reset(raw);
    }
    std::string url() const { return vk_sandbox_url(h_.get()); }
    std::string smartgift_url() const { return vk_sandbox_smartgift_url(h_.get()); }
    std::string spaaza_url() const { return vk_sandbox_spaaza_url(h_.get()); }
    std::string smartgift_key() const { return vk_sandbox_smartgift_key(h_.get()); }
    std::int64_t spaaza_session_user_id() const { return vk_sandbox_spaaza_session_user_id(h_.get()); }
    std::string spaaza_session_key() const { return vk_sandbox_spaaza_session_key(h_.get()); }
    void advance_clock(std::chrono::seconds by) const {
        vk_sandbox_advance_clock(h_.get(), static_cast<std::uint64_t>(by.count()));
    }
    void inject(const std::string &rule_json) const {
        vk_error *err = nullptr;
        ::voucherkit::detail::check(
            vk_sandbox_inject_json(h_.get(), ::voucherkit::detail::c(rule_json, "rule_json"), &err), &err);
    }
    void clear_faults() const { vk_sandbox_clear_faults(h_.get()); }
    void reset() const { vk_sandbox_reset(h_.get()); }
    std::string requests_json() const {
        vk_text *t = nullptr;
        vk_error *err = nullptr;
        ::voucherkit::detail::check(vk_sandbox_requests_json(h_.get(), &t, &err), &err);
        return detail_text::take(t);
    }
    std::string state_json() const {
        vk_text *t = nullptr;
        vk_error *err = nullptr;
        ::voucherkit::detail::check(vk_sandbox_state_json(h_.get(), &t, &err), &err);
        return detail_text::take(t);
    }

private:
    struct Free {
        void operator()(vk_sandbox *h) const { vk_sandbox_free(h); }
    };
    std::unique_ptr<vk_sandbox, Free> h_;
};

/** A scripted server on 127.0.0.1: serves queued answers in order, records requests. */
class ScriptedServer {
public:
    /** `base_dir`: where body_file answers are read from (the current directory when absent). */
    explicit ScriptedServer(const std::optional<std::string> &base_dir = std::nullopt) {
        vk_scripted_server *raw = nullptr;
        vk_error *err = nullptr;
        ::voucherkit::detail::check(
            vk_scripted_server_start(::voucherkit::detail::c(base_dir, "base_dir"), &raw, &err), &err);
        h_.reset(raw);
    }
    std::string url() const { return vk_scripted_server_url(h_.get()); }
    /** One answer object or an array of them, in the corpus format. */
    void push_json(const std::string &answer_json) const {
        vk_error *err = nullptr;
        ::voucherkit::detail::check(
            vk_scripted_server_push_json(h_.get(), ::voucherkit::detail::c(answer_json, "answer_json"), &err), &err);
    }
    std::string requests_json() const {
        vk_text *t = nullptr;
        vk_error *err = nullptr;
        ::voucherkit::detail::check(vk_scripted_server_requests_json(h_.get(), &t, &err), &err);
        return detail_text::take(t);
    }
    std::size_t pending() const { return vk_scripted_server_pending(h_.get()); }
    void reset() const { vk_scripted_server_reset(h_.get()); }

private:
    struct Free {
        void operator()(vk_scripted_server *h) const { vk_scripted_server_free(h); }
    };
    std::unique_ptr<vk_scripted_server, Free> h_;
};

}  // namespace testing
}  // namespace voucherkit

#endif /* VOUCHERKIT_HPP */
