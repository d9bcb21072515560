//! What serde cannot check in a data set: references between its parts, unique keys
//! and numbers, valid dates and bit values.

use std::collections::HashSet;

use super::*;

impl SmartGiftData {
    pub(super) fn validate(&self) -> Result<(), String> {
        let mut ids = HashSet::new();
        let mut keys = HashSet::new();
        for c in &self.companies {
            if !ids.insert(c.id) {
                return Err(format!("smartgift: company id {} is used twice", c.id));
            }
            for key in &c.api_keys {
                if key.trim().is_empty() || !keys.insert(key.as_str()) {
                    return Err(format!(
                        "smartgift: company {} has an empty or repeated api key",
                        c.id
                    ));
                }
            }
        }
        let mut numbers = HashSet::new();
        for v in &self.vouchers {
            let at = format!("smartgift voucher {:?}", v.voucher_no);
            if v.voucher_no.is_empty() || !numbers.insert(v.voucher_no.as_str()) {
                return Err(format!("{at}: voucher_no is empty or used twice"));
            }
            let company = self
                .companies
                .iter()
                .find(|c| c.id == v.company_id)
                .ok_or_else(|| format!("{at}: no company {}", v.company_id))?;
            for date in [&v.valid_from, &v.valid_until].into_iter().flatten() {
                clock::parse(date).map_err(|e| format!("{at}: {e}"))?;
            }
            match v.voucher_type {
                GiftVoucherType::Monetary => {
                    let value = v
                        .value
                        .ok_or_else(|| format!("{at}: a monetary voucher needs a value"))?;
                    if value.is_sign_negative() && !value.is_zero() {
                        return Err(format!("{at}: value must not be negative"));
                    }
                    if !v.experiences.is_empty() {
                        return Err(format!("{at}: a monetary voucher has no experiences"));
                    }
                }
                GiftVoucherType::Experience => {
                    if v.experiences.is_empty() {
                        return Err(format!("{at}: an experience voucher needs experiences"));
                    }
                    let mut bits = 0u64;
                    for e in &v.experiences {
                        if !e.bit_value.is_power_of_two() || bits & e.bit_value != 0 {
                            return Err(format!(
                                "{at}: bit_value {} is not a power of two distinct within the voucher",
                                e.bit_value
                            ));
                        }
                        bits |= e.bit_value;
                        if let Some(site) = e.sites.iter().find(|s| !company.sites.contains(s)) {
                            return Err(format!(
                                "{at}: experience {} names site {site:?}, not a site of company {}",
                                e.id, company.id
                            ));
                        }
                    }
                }
            }
        }
        for h in &self.holds {
            if !numbers.contains(h.voucher_no.as_str()) {
                return Err(format!("smartgift hold: no voucher {:?}", h.voucher_no));
            }
            clock::parse(&h.expires_at).map_err(|e| format!("smartgift hold: {e}"))?;
        }
        let mut redemption_ids = HashSet::new();
        for r in &self.redemptions {
            if !redemption_ids.insert(r.id) || !numbers.contains(r.voucher_no.as_str()) {
                return Err(format!(
                    "smartgift redemption {}: id used twice or unknown voucher",
                    r.id
                ));
            }
        }
        Ok(())
    }
}

impl SpaazaData {
    pub(super) fn validate(&self) -> Result<(), String> {
        let mut ids = HashSet::new();
        for c in &self.chains {
            if !ids.insert(c.id) {
                return Err(format!("spaaza: chain id {} is used twice", c.id));
            }
        }
        let mut voucher_ids = HashSet::new();
        let mut keys = HashSet::new();
        for v in &self.vouchers {
            let at = format!("spaaza voucher {}", v.voucher_id);
            if !voucher_ids.insert(v.voucher_id) {
                return Err(format!("{at}: voucher_id used twice"));
            }
            if v.voucher_key.is_empty() || !keys.insert(v.voucher_key.as_str()) {
                return Err(format!("{at}: voucher_key is empty or used twice"));
            }
            if !ids.contains(&v.chain_id) {
                return Err(format!("{at}: no chain {}", v.chain_id));
            }
            if v.amount.is_sign_negative() && !v.amount.is_zero() {
                return Err(format!("{at}: amount must not be negative"));
            }
            let dates = [
                &Some(v.expiry.clone()),
                &v.created,
                &v.redeemed_at,
                &v.locked_until,
            ];
            for date in dates.into_iter().flatten() {
                clock::parse(date).map_err(|e| format!("{at}: {e}"))?;
            }
        }
        Ok(())
    }
}
