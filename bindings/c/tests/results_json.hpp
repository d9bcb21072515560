// Results and errors of the C API as the JSON every binding shows (the corpus's §7 names),
// read through the C accessors only. Shared by the conformance and journal scenario
// runners (test programs; not part of the library's headers).
#ifndef VOUCHERKIT_TESTS_RESULTS_JSON_HPP
#define VOUCHERKIT_TESTS_RESULTS_JSON_HPP

#include <nlohmann/json.hpp>

#include "voucherkit.h"

using json = nlohmann::ordered_json;

namespace {

json opt_str(const char *s) { return s ? json(s) : json(nullptr); }

json parsed(const char *raw) { return raw ? json::parse(raw) : json(nullptr); }

template <typename T, typename H>
json opt_num(bool (*get)(const H *, T *), const H *h) {
    T v{};
    return get(h, &v) ? json(v) : json(nullptr);
}

json error_json(vk_status status, const vk_error *err) {
    if (err == nullptr) return json{{"kind", vk_error_kind_str(status)}, {"message", "(no vk_error)"}};
    json field_errors = json::object();
    for (size_t i = 0, n = vk_error_field_error_count(err); i < n; i++) {
        json messages = json::array();
        for (size_t m = 0, k = vk_error_field_error_message_count(err, i); m < k; m++)
            messages.push_back(vk_error_field_error_message(err, i, m));
        field_errors[vk_error_field_error_name(err, i)] = messages;
    }
    return json{
        {"kind", vk_error_kind_str(vk_error_kind(err))},
        {"message", opt_str(vk_error_message(err))},
        {"field", opt_str(vk_error_field(err))},
        {"field_errors", field_errors},
        {"http_status", opt_num<uint16_t, vk_error>(vk_error_http_status, err)},
        {"provider", opt_str(vk_error_provider(err))},
        {"provider_code", opt_str(vk_error_provider_code(err))},
        {"retryable", vk_error_retryable(err)},
        {"retry_after", opt_num<uint64_t, vk_error>(vk_error_retry_after, err)},
    };
}

json smartgift_voucher_json(const vk_smartgift_voucher *v) {
    json experiences = json::array();
    for (size_t i = 0, n = vk_smartgift_voucher_experience_count(v); i < n; i++) {
        const vk_smartgift_experience *e = vk_smartgift_voucher_experience_at(v, i);
        experiences.push_back(json{
            {"bit_value", opt_num<uint64_t, vk_smartgift_experience>(vk_smartgift_experience_bit_value, e)},
            {"id", opt_num<int64_t, vk_smartgift_experience>(vk_smartgift_experience_id, e)},
            {"name", opt_str(vk_smartgift_experience_name(e))},
            {"raw", parsed(vk_smartgift_experience_raw_json(e))},
        });
    }
    return json{
        {"id", opt_num<int64_t, vk_smartgift_voucher>(vk_smartgift_voucher_id, v)},
        {"name", opt_str(vk_smartgift_voucher_name(v))},
        {"description", opt_str(vk_smartgift_voucher_description(v))},
        {"voucher_no", opt_str(vk_smartgift_voucher_voucher_no(v))},
        {"remaining_value", opt_str(vk_smartgift_voucher_remaining_value(v))},
        {"voucher_type", opt_str(vk_smartgift_voucher_voucher_type(v))},
        {"sold_out", opt_num<bool, vk_smartgift_voucher>(vk_smartgift_voucher_sold_out, v)},
        {"experiences", experiences},
        {"available_to_redeem", parsed(vk_smartgift_voucher_available_to_redeem_json(v))},
        {"raw", parsed(vk_smartgift_voucher_raw_json(v))},
    };
}

json warnings_json(size_t n, const vk_spaaza_warning *(*at)(const void *, size_t), const void *h) {
    json out = json::array();
    for (size_t i = 0; i < n; i++) {
        const vk_spaaza_warning *w = at(h, i);
        out.push_back(json{
            {"code", opt_num<int64_t, vk_spaaza_warning>(vk_spaaza_warning_code, w)},
            {"name", opt_str(vk_spaaza_warning_name(w))},
            {"description", opt_str(vk_spaaza_warning_description(w))},
            {"message", opt_str(vk_spaaza_warning_message(w))},
        });
    }
    return out;
}

json spaaza_voucher_json(const vk_spaaza_voucher *v) {
    using V = vk_spaaza_voucher;
    const vk_spaaza_voucher *regen = vk_spaaza_voucher_regenerated_voucher(v);
    const vk_spaaza_voucher *parent = vk_spaaza_voucher_parent_voucher(v);
    return json{
        {"voucher_key", opt_str(vk_spaaza_voucher_voucher_key(v))},
        {"voucher_id", opt_num<int64_t, V>(vk_spaaza_voucher_voucher_id, v)},
        {"voucher_status", opt_str(vk_spaaza_voucher_voucher_status(v))},
        {"voucher_type", opt_str(vk_spaaza_voucher_voucher_type(v))},
        {"voucher_locked", opt_num<bool, V>(vk_spaaza_voucher_voucher_locked, v)},
        {"voucher_locked_until", opt_str(vk_spaaza_voucher_voucher_locked_until(v))},
        {"voucher_locking_code", opt_str(vk_spaaza_voucher_voucher_locking_code(v))},
        {"voucher_retailer_basket_code_exclusive", opt_str(vk_spaaza_voucher_voucher_retailer_basket_code_exclusive(v))},
        {"voucher_amount_original", opt_str(vk_spaaza_voucher_voucher_amount_original(v))},
        {"voucher_amount_redeemed", opt_str(vk_spaaza_voucher_voucher_amount_redeemed(v))},
        {"voucher_amount", opt_str(vk_spaaza_voucher_voucher_amount(v))},
        {"voucher_currency_id", opt_num<int64_t, V>(vk_spaaza_voucher_voucher_currency_id, v)},
        {"voucher_currency_symbol", opt_str(vk_spaaza_voucher_voucher_currency_symbol(v))},
        {"voucher_expiry_datetime_utc", opt_str(vk_spaaza_voucher_voucher_expiry_datetime_utc(v))},
        {"voucher_redeemed_datetime", opt_str(vk_spaaza_voucher_voucher_redeemed_datetime(v))},
        {"user_id", opt_num<int64_t, V>(vk_spaaza_voucher_user_id, v)},
        {"voucher_third_party_id", opt_num<int64_t, V>(vk_spaaza_voucher_voucher_third_party_id, v)},
        {"campaign_id", opt_num<int64_t, V>(vk_spaaza_voucher_campaign_id, v)},
        {"voucher_expiry_seconds_remaining", opt_num<int64_t, V>(vk_spaaza_voucher_voucher_expiry_seconds_remaining, v)},
        {"user_entity_card", vk_spaaza_voucher_has_user_entity_card(v)
                                 ? json{{"card_type", opt_str(vk_spaaza_voucher_user_entity_card_type(v))},
                                        {"code", opt_str(vk_spaaza_voucher_user_entity_card_code(v))}}
                                 : json(nullptr)},
        {"campaign_title", opt_str(vk_spaaza_voucher_campaign_title(v))},
        {"campaign_type", opt_str(vk_spaaza_voucher_campaign_type(v))},
        {"regenerated_voucher", regen ? spaaza_voucher_json(regen) : json(nullptr)},
        {"parent_voucher", parent ? spaaza_voucher_json(parent) : json(nullptr)},
        {"warnings", warnings_json(vk_spaaza_voucher_warning_count(v),
                                   [](const void *h, size_t i) {
                                       return vk_spaaza_voucher_warning_at(static_cast<const V *>(h), i);
                                   },
                                   v)},
        {"raw", parsed(vk_spaaza_voucher_raw_json(v))},
    };
}

json voucher_list_json(const vk_spaaza_voucher_list *l) {
    json vouchers = json::array();
    for (size_t i = 0, n = vk_spaaza_voucher_list_count(l); i < n; i++)
        vouchers.push_back(spaaza_voucher_json(vk_spaaza_voucher_list_at(l, i)));
    return json{
        {"results_count_total",
         opt_num<int64_t, vk_spaaza_voucher_list>(vk_spaaza_voucher_list_results_count_total, l)},
        {"vouchers", vouchers},
        {"warnings", warnings_json(vk_spaaza_voucher_list_warning_count(l),
                                   [](const void *h, size_t i) {
                                       return vk_spaaza_voucher_list_warning_at(
                                           static_cast<const vk_spaaza_voucher_list *>(h), i);
                                   },
                                   l)},
        {"raw", parsed(vk_spaaza_voucher_list_raw_json(l))},
    };
}

// ---------------------------------------------------------------- executing a case

// The outcome of a call: a result (`ok`) or the error's JSON.
struct Outcome {
    bool ok = false;
    json value;
};

// Turns a status + out handle into an Outcome, freeing both handle and error.
template <typename H>
Outcome finish(vk_status st, H *out, vk_error *err, json (*to_json)(const H *), void (*free_h)(H *)) {
    Outcome o;
    if (st == VK_OK) {
        o.ok = true;
        o.value = to_json(out);
        if (err != nullptr) {  // outputs only on success, errors only on failure
            o.ok = false;
            o.value = json{{"kind", "err written on success"}};
        }
    } else {
        o.value = error_json(st, err);
        if (out != nullptr) o.value["kind"] = "out written on failure";
    }
    free_h(out);
    vk_error_free(err);
    return o;
}

json held_json(const vk_smartgift_held *h) {
    return json{{"message", opt_str(vk_smartgift_held_message(h))},
                {"hold_token", opt_str(vk_smartgift_held_hold_token(h))},
                {"raw", parsed(vk_smartgift_held_raw_json(h))}};
}
json redemption_json(const vk_smartgift_redemption *r) {
    json ids = json::array();
    for (size_t i = 0, n = vk_smartgift_redemption_count(r); i < n; i++) {
        uint64_t id = 0;
        if (vk_smartgift_redemption_at(r, i, &id)) ids.push_back(id);
    }
    return json{{"message", opt_str(vk_smartgift_redemption_message(r))},
                {"redemptions", ids},
                {"raw", parsed(vk_smartgift_redemption_raw_json(r))}};
}
json released_json(const vk_smartgift_released *r) {
    return json{{"message", opt_str(vk_smartgift_released_message(r))},
                {"raw", parsed(vk_smartgift_released_raw_json(r))}};
}
json reversed_json(const vk_smartgift_reversed *r) {
    return json{{"message", opt_str(vk_smartgift_reversed_message(r))},
                {"raw", parsed(vk_smartgift_reversed_raw_json(r))}};
}
}  // namespace

#endif
