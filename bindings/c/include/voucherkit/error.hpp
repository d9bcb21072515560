/*
 * voucherkit/error.hpp: the error model (ErrorKind, Error) and the detail helpers every
 * part uses to call the C API.
 *
 * One part of voucherkit.hpp, the header-only C++17 wrapper of voucherkit.h: include
 * <voucherkit.hpp>, not this file.
 */
#ifndef VOUCHERKIT_ERROR_HPP
#define VOUCHERKIT_ERROR_HPP

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "../voucherkit.h"

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

}  // namespace voucherkit

#endif /* VOUCHERKIT_ERROR_HPP */
