//! TLS: rustls with the webpki roots, plus an optional CA bundle for tills behind an
//! inspecting proxy.

use ureq::tls::{Certificate, RootCerts, TlsConfig};

use super::ClientOptions;
use crate::error::{Error, Result};

pub(crate) fn tls_config(options: &ClientOptions) -> Result<TlsConfig> {
    let Some(path) = &options.ca_bundle else {
        return Ok(TlsConfig::builder().root_certs(RootCerts::WebPki).build());
    };
    let pem = std::fs::read(path).map_err(|e| {
        Error::invalid(
            "ca_bundle",
            format!("ca_bundle {} could not be read: {e}", path.display()),
        )
    })?;
    let mut extra = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(ureq::tls::PemItem::Certificate(cert)) => extra.push(cert),
            Ok(_) => {}
            Err(e) => {
                return Err(Error::invalid(
                    "ca_bundle",
                    format!("ca_bundle {} is not valid PEM: {e}", path.display()),
                ));
            }
        }
    }
    if extra.is_empty() {
        return Err(Error::invalid(
            "ca_bundle",
            format!("ca_bundle {} holds no certificate", path.display()),
        ));
    }
    // Extra CAs are added to the webpki roots, never instead of them.
    let mut roots: Vec<Certificate<'static>> = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|der| Certificate::from_der(der.as_ref()).to_owned())
        .collect();
    roots.extend(extra);
    Ok(TlsConfig::builder()
        .root_certs(RootCerts::new_with_certs(&roots))
        .build())
}
