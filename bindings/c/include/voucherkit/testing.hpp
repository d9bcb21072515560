/*
 * voucherkit/testing.hpp: voucherkit::testing, the sandbox and the scripted server for a
 * till's own tests.
 *
 * Include it from test code only (after or instead of <voucherkit.hpp>): production code
 * includes <voucherkit.hpp> alone, which does not declare the sandbox.
 */
#ifndef VOUCHERKIT_TESTING_HPP
#define VOUCHERKIT_TESTING_HPP

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "../voucherkit.hpp"
#include "testing.h"

namespace voucherkit {

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

#endif /* VOUCHERKIT_TESTING_HPP */
