//! Spaaza under a journal: the snapshot before `redeem_voucher`, and the rule that
//! settles an entry whose answer was lost (docs/journal.md).
//!
//! Spaaza redeems a voucher once (a partial amount regenerates a new voucher for the
//! rest), so its status says it all: `redeemed` now and not before means the redeem
//! happened; the status it had before means it did not. Spaaza documents no read by key,
//! so a journaled redeem needs `voucher_id`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::models::*;
use super::{PROVIDER, Spaaza, refuse};
use crate::error::{Error, ErrorKind, Result};
use crate::journal::reconcile::{OpenEntry, Verdict};
use crate::journal::{EntryState, Journal, NewEntry};
use crate::money;
use crate::transport::Outgoing;

impl Spaaza {
    pub(super) fn journaled_redeem(
        &self,
        journal: &Journal,
        req: &RedeemVoucherRequest,
        out: &Outgoing,
    ) -> Result<SpaazaVoucher> {
        let voucher_id = req.voucher_id.ok_or_else(|| {
            refuse(
                "voucher_id",
                "a journaled redeem_voucher needs voucher_id: Spaaza documents no way to read \
                 a voucher by its key, so a lost answer could not be settled; nothing was sent",
            )
        })?;
        let before = self.snapshot(req.chain_id, voucher_id)?;
        let mut request = json!({"chain_id": req.chain_id, "voucher_id": voucher_id});
        if let Some(user) = req.user_id {
            request["user_id"] = json!(user);
        }
        if let Some(amount) = &req.amount {
            let exact =
                money::validate_amount(amount, "amount").map_err(|e| e.with_provider(PROVIDER))?;
            request["amount"] = json!(exact.to_string());
        }
        let entry = NewEntry {
            reference: req.reference.clone(),
            provider: PROVIDER,
            operation: "redeem_voucher",
            base_url: self.base_url().to_owned(),
            voucher: voucher_id.to_string(),
            request,
            before,
            timeout: self.http.options().timeout,
        };
        journal.write(
            entry,
            self.http.options(),
            || self.write(out),
            |v, id| SpaazaVoucher {
                journal_id: Some(id),
                ..v
            },
        )
    }

    /// The voucher as get-vouchers shows it; an error (or a voucher it does not list)
    /// stops the redeem before anything is sent.
    fn snapshot(&self, chain_id: i64, voucher_id: i64) -> Result<Value> {
        let v = self.read_voucher(chain_id, voucher_id)?.ok_or_else(|| {
            Error::new(
                ErrorKind::VoucherNotFound,
                format!(
                    "get-vouchers does not list voucher {voucher_id} in chain {chain_id}; \
                     nothing was sent"
                ),
            )
            .with_provider(PROVIDER)
            .with_field("voucher_id")
        })?;
        Ok(json!({
            "voucher_status": v.voucher_status,
            "voucher_amount": v.voucher_amount.map(|d| d.to_string()),
            "voucher_amount_redeemed": v.voucher_amount_redeemed.map(|d| d.to_string()),
            "voucher_redeemed_datetime": v.voucher_redeemed_datetime,
        }))
    }

    fn read_voucher(&self, chain_id: i64, voucher_id: i64) -> Result<Option<SpaazaVoucher>> {
        let list = self.get_vouchers(&GetVouchersRequest {
            chain_id,
            voucher_id: Some(voucher_id),
            show_all_statuses: true,
            ..Default::default()
        })?;
        Ok(list
            .vouchers
            .into_iter()
            .find(|v| v.voucher_id == Some(voucher_id)))
    }

    /// The reconcile rule for one open entry.
    pub(super) fn examine(&self, open: &OpenEntry) -> Verdict {
        let entry = &open.entry;
        let int = |key: &str| entry.request.get(key).and_then(Value::as_i64);
        let (Some(chain_id), Some(voucher_id)) = (int("chain_id"), int("voucher_id")) else {
            return Verdict::unknown("the entry does not name its chain and voucher");
        };
        let before = entry.before.clone().unwrap_or(Value::Null);
        let was = before.get("voucher_status").and_then(Value::as_str);
        let v = match self.read_voucher(chain_id, voucher_id) {
            Ok(Some(v)) => v,
            Ok(None) => {
                return Verdict::unknown(format!(
                    "get-vouchers no longer lists voucher {voucher_id}"
                ));
            }
            Err(e) => return Verdict::unknown(format!("the read to settle it failed: {e}")),
        };
        let now = v.voucher_status.as_deref();
        if now == Some("redeemed") && was != Some("redeemed") {
            let expected = entry
                .request
                .get("amount")
                .or_else(|| before.get("voucher_amount"))
                .and_then(Value::as_str)
                .and_then(|s| s.parse::<Decimal>().ok());
            let amount_matches = expected.is_some() && v.voucher_amount_redeemed == expected;
            let deadline = entry.created_at + open.timeout;
            let in_window = v
                .voucher_redeemed_datetime
                .as_deref()
                .and_then(parse_datetime)
                // Spaaza's times have whole seconds: the creation time is rounded down.
                .is_some_and(|at| at >= whole_seconds(entry.created_at) && at <= deadline);
            let note = format!(
                "voucher {voucher_id} is redeemed ({} redeemed at {})",
                v.voucher_amount_redeemed
                    .map_or_else(|| "?".to_owned(), |d| d.to_string()),
                v.voucher_redeemed_datetime.as_deref().unwrap_or("?")
            );
            let mut verdict =
                Verdict::settled(EntryState::Applied, amount_matches && in_window, note);
            verdict.result = serde_json::to_value(&v).ok();
            verdict
        } else if now.is_some() && now == was {
            Verdict::settled(
                EntryState::NotApplied,
                false,
                format!("voucher {voucher_id} is still {}", now.unwrap_or("?")),
            )
        } else {
            Verdict::unknown(format!(
                "voucher {voucher_id} went from {} to {}: not this redeem's doing alone; check it \
                 by hand",
                was.unwrap_or("?"),
                now.unwrap_or("?")
            ))
        }
    }
}

fn whole_seconds(t: SystemTime) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()))
}

/// Spaaza's `2021-03-17T08:54:10+00:00` (ISO 8601 with an offset, or `Z`).
fn parse_datetime(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    let (local, offset_secs) = match text.len().checked_sub(6).map(|i| text.split_at(i)) {
        Some((local, offset)) if offset.starts_with(['+', '-']) && offset.as_bytes()[3] == b':' => {
            let hours: i64 = offset[1..3].parse().ok()?;
            let minutes: i64 = offset[4..6].parse().ok()?;
            let sign = if offset.starts_with('-') { -1 } else { 1 };
            (local, sign * (hours * 3600 + minutes * 60))
        }
        _ => (text.trim_end_matches('Z'), 0),
    };
    let utc_as_local = humantime::parse_rfc3339_weak(local).ok()?;
    let secs = utc_as_local.duration_since(UNIX_EPOCH).ok()?.as_secs() as i64 - offset_secs;
    let nanos = utc_as_local.duration_since(UNIX_EPOCH).ok()?.subsec_nanos();
    Some(UNIX_EPOCH + Duration::new(u64::try_from(secs).ok()?, nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaaza_datetimes_with_offsets() {
        let at = |s| parse_datetime(s).map(|t| t.duration_since(UNIX_EPOCH).unwrap().as_secs());
        assert_eq!(at("2021-03-17T08:54:10+00:00"), Some(1_615_971_250));
        assert_eq!(at("2021-03-17T09:54:10+01:00"), Some(1_615_971_250));
        assert_eq!(at("2021-03-17T07:54:10-01:00"), Some(1_615_971_250));
        assert_eq!(at("2021-03-17T08:54:10Z"), Some(1_615_971_250));
        assert_eq!(at("2021-03-17 08:54:10"), Some(1_615_971_250));
        assert_eq!(at("yesterday"), None);
        assert_eq!(at(""), None);
    }
}
