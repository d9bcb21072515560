/*
 * voucherkit/smartgift.hpp: the Smart Gift client, its config and its results.
 *
 * One part of voucherkit.hpp, the header-only C++17 wrapper of voucherkit.h: include
 * <voucherkit.hpp>, not this file.
 */
#ifndef VOUCHERKIT_SMARTGIFT_HPP
#define VOUCHERKIT_SMARTGIFT_HPP

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "error.hpp"
#include "options.hpp"
#include "journal.hpp"

namespace voucherkit {

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
    /** When the hold lapses (ms since the Unix epoch): received_at_ms() + five minutes. */
    std::uint64_t expires_at_ms() const { return vk_smartgift_held_expires_at_ms(h_.get()); }
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

    /** redeem() with a numeric site id (the C API takes its text). */
    SmartGiftRedemption redeem(const std::string &voucher_no, std::int64_t site_id, const std::string &value,
                               const std::optional<std::string> &hold_token = std::nullopt,
                               const std::optional<std::string> &reference = std::nullopt) const {
        return redeem(voucher_no, std::to_string(site_id), value, hold_token, reference);
    }

    /** Redeems experiences by their bit values (from check). */
    SmartGiftRedemption redeem_experiences(const std::string &voucher_no, const std::string &site_id,
                                           const std::vector<std::int64_t> &experiences,
                                           const std::optional<std::string> &hold_token = std::nullopt,
                                           const std::optional<std::string> &reference = std::nullopt) const {
        return redeem_raw(voucher_no, site_id, nullptr, &experiences, hold_token, reference);
    }

    /** redeem_experiences() with a numeric site id. */
    SmartGiftRedemption redeem_experiences(const std::string &voucher_no, std::int64_t site_id,
                                           const std::vector<std::int64_t> &experiences,
                                           const std::optional<std::string> &hold_token = std::nullopt,
                                           const std::optional<std::string> &reference = std::nullopt) const {
        return redeem_experiences(voucher_no, std::to_string(site_id), experiences, hold_token, reference);
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

    /** reverse() with a numeric site id. */
    SmartGiftReversed reverse(const std::string &voucher_no, std::int64_t site_id,
                              const std::vector<std::int64_t> &redemptions,
                              const std::optional<std::string> &reference = std::nullopt) const {
        return reverse(voucher_no, std::to_string(site_id), redemptions, reference);
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

}  // namespace voucherkit

#endif /* VOUCHERKIT_SMARTGIFT_HPP */
