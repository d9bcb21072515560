//! Smart Gift under a journal: the snapshot before `redeem` and `reverse`, and the rule
//! that settles an entry whose answer was lost (docs/journal.md).
//!
//! The rule compares `remaining_value` before and after. A redeem of `d` leaves
//! `before − d`; a lost one leaves `before`; anything else means another till touched the
//! voucher meanwhile, and the entry stays `unknown` with a note. The comparison is proof
//! (`certain`) only when the redeem was made under a hold this journal recorded and that
//! hold still stands: then no other till could have redeemed in between.

use std::collections::BTreeSet;
use std::time::SystemTime;

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::models::*;
use super::wire::{self, RedeemValue};
use super::{PROVIDER, SmartGift};
use crate::error::{Error, ErrorKind, Result};
use crate::journal::reconcile::Verdict;
use crate::journal::{EntryState, Journal, NewEntry};
use crate::transport::Outgoing;

impl SmartGift {
    pub(super) fn journaled_redeem(
        &self,
        journal: &Journal,
        req: &RedeemRequest,
        out: &Outgoing,
    ) -> Result<Redemption> {
        let site_id = wire::site_id(&req.site_id)?;
        let (value, experiences) = match wire::redeem_value(req)? {
            RedeemValue::Money(d) => (d, None),
            RedeemValue::Experiences(sum) => (Decimal::from(sum), req.experiences.clone()),
        };
        let before = self.snapshot(&req.voucher_no, &site_id)?;
        let mut request = json!({
            "voucher_no": req.voucher_no,
            "site_id": site_id,
            "value": value.to_string(),
        });
        if let Some(bits) = experiences {
            request["experiences"] = json!(bits);
        }
        if let Some(token) = &req.hold_token {
            request["hold_token"] = json!(token);
        }
        let entry = self.entry(
            "redeem",
            req.reference.clone(),
            &req.voucher_no,
            request,
            before,
        );
        journal.write(
            entry,
            self.http.options(),
            || wire::redeem_answer(&self.http.send(out)?),
            |r, id| Redemption {
                journal_id: Some(id),
                ..r
            },
        )
    }

    pub(super) fn journaled_reverse(
        &self,
        journal: &Journal,
        req: &ReverseRequest,
        out: &Outgoing,
    ) -> Result<Reversed> {
        let site_id = wire::site_id(&req.site_id)?;
        let before = self.snapshot(&req.voucher_no, &site_id)?;
        let request = json!({
            "voucher_no": req.voucher_no,
            "site_id": site_id,
            "redemptions": req.redemptions,
        });
        let entry = self.entry(
            "reverse",
            req.reference.clone(),
            &req.voucher_no,
            request,
            before,
        );
        journal.write(
            entry,
            self.http.options(),
            || wire::reverse_answer(&self.http.send(out)?),
            |r, id| Reversed {
                journal_id: Some(id),
                ..r
            },
        )
    }

    /// `check` before the write. If it fails, the write is not sent: its error is the
    /// call's. A voucher with nothing left answers `voucher_already_redeemed` here, which
    /// is exactly what the redeem would have said.
    fn snapshot(&self, voucher_no: &str, site_id: &str) -> Result<Value> {
        let v = self.check(&CheckRequest::new(voucher_no, site_id))?;
        let remaining = v.remaining_value.ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidResponse,
                "the check before a journaled call answered without remaining_value, so the \
                 call could not be reconciled later; nothing was sent",
            )
            .with_provider(PROVIDER)
        })?;
        Ok(json!({
            "remaining_value": remaining.to_string(),
            "voucher_type": v.voucher_type,
        }))
    }

    fn entry(
        &self,
        operation: &'static str,
        reference: Option<String>,
        voucher_no: &str,
        request: Value,
        before: Value,
    ) -> NewEntry {
        NewEntry {
            reference,
            provider: PROVIDER,
            operation,
            base_url: self.base_url().to_owned(),
            voucher: voucher_no.to_owned(),
            request,
            before,
            timeout: self.http.options().timeout,
        }
    }

    /// The reconcile rule for one open entry.
    pub(super) fn examine(
        &self,
        journal: &Journal,
        open: &crate::journal::reconcile::OpenEntry,
    ) -> Verdict {
        let entry = &open.entry;
        let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
        let (Some(voucher_no), Some(site_id)) = (
            text(&entry.request, "voucher_no"),
            text(&entry.request, "site_id"),
        ) else {
            return Verdict::unknown("the entry does not name its voucher and site");
        };
        let Some(before) = entry
            .before
            .as_ref()
            .and_then(|b| text(b, "remaining_value"))
            .and_then(|s| s.parse::<Decimal>().ok())
        else {
            return Verdict::unknown("the entry has no snapshot of remaining_value");
        };
        // What the call would add to remaining_value: −value for a redeem, +Σ reversed.
        let change = match entry.operation.as_str() {
            "redeem" => match text(&entry.request, "value").and_then(|s| s.parse::<Decimal>().ok())
            {
                Some(d) => -d,
                None => return Verdict::unknown("the entry does not record its value"),
            },
            "reverse" => {
                match reversed_value(journal, self.base_url(), &voucher_no, &entry.request) {
                    Ok(d) => d,
                    Err(note) => return Verdict::unknown(note),
                }
            }
            other => return Verdict::unknown(format!("unknown operation {other}")),
        };
        let now = match self.check(&CheckRequest::new(voucher_no.as_str(), site_id.as_str())) {
            Ok(v) => match v.remaining_value {
                Some(r) => r,
                None => return Verdict::unknown("check answered without remaining_value"),
            },
            // A redeem of the whole balance reads this way afterwards.
            Err(e) if e.kind == ErrorKind::VoucherAlreadyRedeemed => Decimal::ZERO,
            Err(e) => return Verdict::unknown(format!("the check to settle it failed: {e}")),
        };
        let certain = text(&entry.request, "hold_token").is_some_and(|token| {
            matches!(
                journal.store().and_then(|s| s.standing_hold(self.base_url(), &voucher_no, &token)),
                Ok(Some(at)) if SystemTime::now() < at + HOLD_DURATION
            )
        });
        if now == before + change {
            Verdict::settled(
                EntryState::Applied,
                certain,
                format!("remaining_value went from {before} to {now}"),
            )
        } else if now == before {
            Verdict::settled(
                EntryState::NotApplied,
                certain,
                format!("remaining_value is still {before}"),
            )
        } else {
            Verdict::unknown(format!(
                "remaining_value went from {before} to {now}, neither {} (done) nor {before} \
                 (not done): another till used the voucher meanwhile; check it by hand",
                before + change
            ))
        }
    }
}

/// The value a reverse gives back: the journaled, applied redeems whose ids it lists
/// (every id must belong to one of them, or the amount is unknown).
fn reversed_value(
    journal: &Journal,
    base_url: &str,
    voucher_no: &str,
    request: &Value,
) -> std::result::Result<Decimal, String> {
    let ids: BTreeSet<u64> = request
        .get("redemptions")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default();
    let redeems = journal
        .store()
        .and_then(|s| s.applied(base_url, voucher_no, "redeem"))
        .map_err(|e| e.message)?;
    let mut covered = BTreeSet::new();
    let mut total = Decimal::ZERO;
    for r in redeems {
        let own: BTreeSet<u64> = r
            .result
            .as_ref()
            .and_then(|v| v.get("redemptions"))
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_u64).collect())
            .unwrap_or_default();
        if own.is_empty() || !own.is_subset(&ids) {
            continue;
        }
        let Some(value) = r
            .request
            .get("value")
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<Decimal>().ok())
        else {
            continue;
        };
        total += value;
        covered.extend(own);
    }
    if covered != ids {
        let missing: Vec<String> = ids.difference(&covered).map(u64::to_string).collect();
        return Err(format!(
            "the journal does not know the redeem of redemption id(s) {}, so the amount this \
             reverse gives back is unknown",
            missing.join(", ")
        ));
    }
    Ok(total)
}
