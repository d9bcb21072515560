/*
 * voucherkit.hpp: a header-only C++17 wrapper of voucherkit.h for C++ tills.
 *
 * RAII handles (voucherkit::SmartGift, voucherkit::Spaaza, voucherkit::Journal, the result
 * classes), std::string and std::optional, and one exception, voucherkit::Error, carrying
 * every attribute of a failure (docs/errors.md). The wrapper converts types and nothing more:
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

// The wrapper's parts, one concern each (all header-only, under voucherkit/ beside this file).
#include "voucherkit.h"
#include "voucherkit/error.hpp"
#include "voucherkit/options.hpp"
#include "voucherkit/journal.hpp"
#include "voucherkit/smartgift.hpp"
#include "voucherkit/spaaza.hpp"

#endif /* VOUCHERKIT_HPP */
