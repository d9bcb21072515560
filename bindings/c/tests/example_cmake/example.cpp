// The install test's C++ consumer: the header-only wrapper from an installed voucherkit.
#include <iostream>
#include <voucherkit.hpp>
#include <voucherkit/testing.hpp> // the sandbox: test code only

int main() {
    voucherkit::testing::Sandbox sb;
    voucherkit::SmartGiftConfig cfg;
    cfg.api_key = sb.smartgift_key();
    cfg.base_url = sb.smartgift_url();
    voucherkit::SmartGift sg(cfg);
    try {
        sg.redeem("1000000005", "12", "1.00");
    } catch (const voucherkit::Error &e) {
        if (e.kind() == voucherkit::ErrorKind::VoucherAlreadyRedeemed) {
            std::cout << "example_cpp: ok\n";
            return 0;
        }
        std::cerr << e.what() << "\n";
    }
    return 1;
}
