/*
 * voucherkit/journal.hpp: the redemption journal: Journal, JournalEntry, JournalFilter.
 *
 * One part of voucherkit.hpp, the header-only C++17 wrapper of voucherkit.h: include
 * <voucherkit.hpp>, not this file.
 */
#ifndef VOUCHERKIT_JOURNAL_HPP
#define VOUCHERKIT_JOURNAL_HPP

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "error.hpp"

namespace voucherkit {

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

}  // namespace voucherkit

#endif /* VOUCHERKIT_JOURNAL_HPP */
