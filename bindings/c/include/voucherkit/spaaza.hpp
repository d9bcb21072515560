/*
 * voucherkit/spaaza.hpp: the Spaaza client, its config, requests and results.
 *
 * One part of voucherkit.hpp, the header-only C++17 wrapper of voucherkit.h: include
 * <voucherkit.hpp>, not this file.
 */
#ifndef VOUCHERKIT_SPAAZA_HPP
#define VOUCHERKIT_SPAAZA_HPP

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "error.hpp"
#include "options.hpp"
#include "journal.hpp"

namespace voucherkit {

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
/** An end-user's card as a voucher names it (`type` on the wire). */
struct EntityCard {
    std::optional<std::string> card_type;
    std::optional<std::string> code;
};

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
    std::optional<std::string> campaign_title() const { return detail::opt(vk_spaaza_voucher_campaign_title(v_)); }
    std::optional<std::string> campaign_type() const { return detail::opt(vk_spaaza_voucher_campaign_type(v_)); }
    /** Seconds until the voucher expires, as Spaaza counted them when it answered. */
    std::optional<std::int64_t> voucher_expiry_seconds_remaining() const {
        return i64(vk_spaaza_voucher_voucher_expiry_seconds_remaining);
    }
    /** The end-user card the voucher names, if any. */
    std::optional<EntityCard> user_entity_card() const {
        if (!vk_spaaza_voucher_has_user_entity_card(v_)) return std::nullopt;
        return EntityCard{detail::opt(vk_spaaza_voucher_user_entity_card_type(v_)),
                          detail::opt(vk_spaaza_voucher_user_entity_card_code(v_))};
    }
    /** A re-issued voucher: the voucher it was re-issued from. */
    std::optional<SpaazaVoucher> parent_voucher() const {
        const vk_spaaza_voucher *p = vk_spaaza_voucher_parent_voucher(v_);
        return p ? std::optional<SpaazaVoucher>(SpaazaVoucher(owner_, p)) : std::nullopt;
    }
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
        vk_spaaza_get_vouchers_request q = request(r);
        vk_spaaza_voucher_list *out = nullptr;
        vk_error *err = nullptr;
        detail::check(vk_spaaza_get_vouchers(h_.get(), &q, &out, &err), &err);
        return VoucherList(out);
    }

    /** Every voucher `r` selects, page after page (number_results a page, 50 by default; one
     *  read a page, made only when needed), each given to `fn` as it arrives; `fn` returns
     *  false to stop. At most `max` vouchers. A failed page throws its Error, after the
     *  vouchers before it were given; an exception from `fn` stops the walk and is rethrown. */
    void for_each_voucher(const GetVouchersRequest &r, const std::function<bool(SpaazaVoucher)> &fn,
                          std::optional<std::size_t> max = std::nullopt) const {
        vk_spaaza_get_vouchers_request q = request(r);
        struct Walk {
            const std::function<bool(SpaazaVoucher)> &fn;
            std::exception_ptr thrown;
        } walk{fn, nullptr};
        auto each = [](void *userdata, vk_spaaza_voucher *v) -> bool {
            auto *w = static_cast<Walk *>(userdata);
            try {
                return w->fn(SpaazaVoucher(v));
            } catch (...) {
                w->thrown = std::current_exception();
                return false;
            }
        };
        vk_error *err = nullptr;
        vk_status st = vk_spaaza_each_voucher(h_.get(), &q, max ? &*max : nullptr, each, &walk, &err);
        if (walk.thrown) {
            vk_error_free(err);
            std::rethrow_exception(walk.thrown);
        }
        detail::check(st, &err);
    }

    /** Every voucher `r` selects (at most `max`), all pages read; see for_each_voucher(). */
    std::vector<SpaazaVoucher> all_vouchers(const GetVouchersRequest &r,
                                            std::optional<std::size_t> max = std::nullopt) const {
        std::vector<SpaazaVoucher> out;
        for_each_voucher(r, [&](SpaazaVoucher v) {
            out.push_back(std::move(v));
            return true;
        }, max);
        return out;
    }

    std::string base_url() const { return detail::str(vk_spaaza_base_url(h_.get())); }
    std::string user_agent() const { return detail::str(vk_spaaza_user_agent(h_.get())); }
    const vk_spaaza *handle() const noexcept { return h_.get(); }

private:
    /** The C request; its strings point into `r`, which must outlive it. */
    static vk_spaaza_get_vouchers_request request(const GetVouchersRequest &r) {
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
        return q;
    }

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

}  // namespace voucherkit

#endif /* VOUCHERKIT_SPAAZA_HPP */
