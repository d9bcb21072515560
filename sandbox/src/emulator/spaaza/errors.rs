//! Spaaza error names with their codes and HTTP statuses.

/// One kind of Spaaza error answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpaazaError {
    pub http_status: u16,
    pub code: i64,
    pub name: &'static str,
    pub description: &'static str,
}

const fn e(
    http_status: u16,
    code: i64,
    name: &'static str,
    description: &'static str,
) -> SpaazaError {
    SpaazaError {
        http_status,
        code,
        name,
        description,
    }
}

// Documented by Spaaza (code, name and status).
pub const NO_VALID_SESSION: SpaazaError =
    e(401, 6, "no_valid_session", "No valid session was found");
pub const NO_MYPRICE_APP: SpaazaError = e(
    400,
    269,
    "no_myprice_app",
    "No MyPrice app was found for this hostname",
);
pub const PERMISSION_DENIED: SpaazaError = e(
    500,
    68,
    "permission_denied_or_non_existent",
    "Permission denied or the entity does not exist",
);
pub const VOUCHER_NOT_FOUND: SpaazaError = e(
    400,
    183,
    "voucher_not_found",
    "The voucher could not be found",
);

// The names voucherkit maps; the codes are the emulator's own.
pub const VOUCHER_EXPIRED: SpaazaError = e(400, 184, "voucher_expired", "The voucher has expired");
pub const VOUCHER_ALREADY_REDEEMED: SpaazaError = e(
    400,
    185,
    "voucher_already_redeemed",
    "The voucher has already been redeemed",
);
pub const VOUCHER_LOCKED: SpaazaError = e(
    400,
    186,
    "voucher_locked",
    "The voucher is locked to another basket",
);
pub const INVALID_AMOUNT: SpaazaError = e(
    400,
    187,
    "invalid_amount",
    "The amount is not valid for this voucher",
);

// The emulator's own, for states Spaaza's pages leave undescribed.
pub const VOUCHER_NOT_CLAIMED: SpaazaError = e(
    400,
    188,
    "voucher_not_claimed",
    "The voucher is not claimed",
);
pub const VOUCHER_ALREADY_CLAIMED: SpaazaError = e(
    400,
    189,
    "voucher_already_claimed",
    "The voucher has already been claimed",
);
pub const VOUCHER_NOT_LOCKABLE: SpaazaError = e(
    400,
    190,
    "voucher_type_not_lockable",
    "Only basket vouchers can be locked",
);
pub const MISSING_PARAMETER: SpaazaError = e(
    400,
    15,
    "missing_parameter",
    "A mandatory parameter is missing",
);
pub const INVALID_PARAMETER: SpaazaError = e(
    400,
    16,
    "invalid_parameter",
    "A parameter has an invalid value",
);
pub const METHOD_NOT_ALLOWED: SpaazaError = e(
    405,
    17,
    "method_not_allowed",
    "This call does not take this HTTP method",
);
