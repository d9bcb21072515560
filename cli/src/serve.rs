//! `voucherkit sandbox`: serve the emulator until Ctrl-C, and say how to use it.

use std::path::Path;
use std::sync::mpsc;

use voucherkit_core::journal::{EntryFilter, Journal};
use voucherkit_sandbox::{DataSet, Sandbox, SandboxOptions};

use crate::output::{exit_code, print_error};

pub fn run(port: Option<u16>, data: Option<&Path>, journal: Option<&Path>) -> i32 {
    let data = match data.map(DataSet::load).transpose() {
        Ok(d) => d,
        Err(e) => {
            errln!("error: invalid_request — the data file could not be used: {e}\n  (field data)");
            return 11;
        }
    };
    // Opened before the server starts, so a bad path fails at once like a bad data file.
    let journal = match journal.map(Journal::open).transpose() {
        Ok(j) => j,
        Err(e) => {
            print_error(&e, false);
            return exit_code(&e);
        }
    };
    let sandbox = match Sandbox::start_with(SandboxOptions {
        port,
        data,
        ..SandboxOptions::default()
    }) {
        Ok(sb) => sb,
        Err(e) => {
            errln!("error: could not start the sandbox: {e}");
            return 24;
        }
    };
    if let Some(journal) = journal {
        let path = journal.path().to_owned();
        // The dashboard only reads it, through the core's API, on each refresh.
        sandbox.show_journal(path, move || {
            let entries = journal
                .entries(&EntryFilter {
                    limit: Some(JOURNAL_SHOWN),
                    ..EntryFilter::default()
                })
                .map_err(|e| e.to_string())?;
            entries
                .iter()
                .map(|e| serde_json::to_value(e).map_err(|e| e.to_string()))
                .collect()
        });
    }
    let (stop, stopped) = mpsc::channel();
    if let Err(e) = ctrlc::set_handler(move || {
        let _ = stop.send(());
    }) {
        errln!("warning: Ctrl-C handler not installed ({e}); stop the process to end the sandbox");
    }
    print_banner(&sandbox);
    let _ = stopped.recv();
    sandbox.stop();
    outln!("sandbox stopped");
    0
}

/// The newest entries the dashboard lists: enough for a till session, bounded for a
/// long-lived journal.
const JOURNAL_SHOWN: usize = 500;

fn print_banner(sb: &Sandbox) {
    let data = sb.data();
    outln!(
        "voucherkit sandbox — Smart Gift and Spaaza emulators on {}",
        sb.url()
    );
    outln!("\nSmart Gift   base URL {}", sb.smartgift_url());
    for company in &data.smartgift.companies {
        outln!(
            "  company {} {:?}: keys {}; sites {}",
            company.id,
            company.name,
            company.api_keys.join(", "),
            company.sites.join(", ")
        );
    }
    outln!("  vouchers:");
    for v in &data.smartgift.vouchers {
        let value = v
            .value
            .map(|d| format!("£{d}"))
            .unwrap_or_else(|| format!("{} experiences", v.experiences.len()));
        let until = v.valid_until.as_deref().unwrap_or("no end");
        outln!(
            "    {}  company {}  {:<34} {value}  (valid until {until})",
            v.voucher_no,
            v.company_id,
            v.name
        );
    }
    outln!("\nSpaaza       base URL {}", sb.spaaza_url());
    for chain in &data.spaaza.chains {
        for admin in &chain.admins {
            outln!(
                "  chain {} {:?}: admin session user id {} key {}; app hostname {}",
                chain.id,
                chain.name,
                admin.user_id,
                admin.session_key,
                chain.app_hostname
            );
        }
    }
    outln!("  vouchers:");
    for v in &data.spaaza.vouchers {
        outln!(
            "    id {:<7} chain {}  {:<9} {} {}{}  key {}",
            v.voucher_id,
            v.chain_id,
            format!("{:?}", v.status).to_lowercase(),
            v.voucher_type,
            v.currency_symbol,
            v.amount,
            v.voucher_key
        );
    }
    outln!("\nTry:");
    outln!(
        "  SMARTGIFT_API_KEY={} voucherkit smartgift --base-url {} check --voucher-no {} --site-id {}",
        sb.smartgift_key(),
        sb.smartgift_url(),
        data.smartgift
            .vouchers
            .first()
            .map(|v| v.voucher_no.as_str())
            .unwrap_or("…"),
        data.smartgift
            .companies
            .first()
            .and_then(|c| c.sites.first())
            .map(String::as_str)
            .unwrap_or("…")
    );
    outln!("\nDashboard: {} (open it in a browser)", sb.dashboard_url());
    outln!(
        "\nControl endpoint: {}/__sandbox/ (faults, clock, reset, requests, data, state, journal). Ctrl-C stops.",
        sb.url()
    );
}
