//! The base URL a client sends to: checked once, when the client is built.

use ureq::http::Uri;

use crate::error::{Error, Result};
use crate::validate;

/// A parsed, checked base URL (`https://host[:port][/prefix]`, no trailing slash).
#[derive(Clone, Debug)]
pub(crate) struct BaseUrl {
    text: String,
    host: String,
    pub(crate) loopback: bool,
}

impl BaseUrl {
    pub fn parse(raw: &str, allow_insecure_http: bool) -> Result<BaseUrl> {
        let field = "base_url";
        validate::header_value(raw, field)?;
        // First, and without echoing the URL: every later message quotes it, and a
        // `user:password@` part must never reach an error message or a log.
        if raw.contains('@') {
            return Err(Error::invalid(
                field,
                "base_url must not carry credentials (user:password@host); give the key \
                 through the client's key settings",
            ));
        }
        let uri: Uri = raw
            .parse()
            .map_err(|_| Error::invalid(field, format!("base_url is not a valid URL: {raw:?}")))?;
        let scheme = uri.scheme_str().unwrap_or("");
        if scheme != "http" && scheme != "https" {
            return Err(Error::invalid(
                field,
                format!("base_url must start with https:// (or http:// for loopback), got {raw:?}"),
            ));
        }
        let host = uri.host().unwrap_or("");
        if host.is_empty() {
            return Err(Error::invalid(
                field,
                format!("base_url has no host: {raw:?}"),
            ));
        }
        if uri.query().is_some() || raw.contains('#') {
            return Err(Error::invalid(
                field,
                format!("base_url must not carry a query or fragment: {raw:?}"),
            ));
        }
        let loopback = is_loopback(host);
        if scheme == "http" && !loopback && !allow_insecure_http {
            return Err(Error::invalid(
                field,
                format!(
                    "base_url uses plain http:// to a non-loopback host ({host}); use https:// \
                     (or set allow_insecure_http to accept sending keys in clear text)"
                ),
            ));
        }
        Ok(BaseUrl {
            text: raw.trim_end_matches('/').to_owned(),
            host: uri
                .authority()
                .map(|a| a.as_str().to_owned())
                .unwrap_or_default(),
            loopback,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// `host[:port]` as sent in the `Host` header.
    pub fn authority(&self) -> &str {
        &self.host
    }
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .map(|ip| ip.is_loopback())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert!(BaseUrl::parse("https://api.smart-gift.co.uk", false).is_ok());
        assert!(BaseUrl::parse("http://127.0.0.1:8080", false).is_ok());
        assert!(BaseUrl::parse("http://localhost:1/", false).is_ok());
        assert!(BaseUrl::parse("http://[::1]:1", false).is_ok());
        assert_eq!(
            BaseUrl::parse("https://h.example/x/", false)
                .unwrap()
                .as_str(),
            "https://h.example/x"
        );
        for bad in [
            "http://example.com",
            "ftp://h",
            "h.example",
            "",
            "https://",
            "https://u:p@h",
        ] {
            let e = BaseUrl::parse(bad, false).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("base_url"), "{bad}");
        }
        assert!(BaseUrl::parse("http://example.com", true).is_ok());
    }

    #[test]
    fn credentials_are_refused_without_being_echoed() {
        for raw in [
            "ftp://u:SECRET@h.example",
            "https://u:SECRET@h.example/x",
            "u:SECRET@h.example",
            "https://u:SECRET@",
            "not a url u:SECRET@",
        ] {
            let e = BaseUrl::parse(raw, false).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("base_url"), "{raw}");
            assert!(!e.message.contains("SECRET"), "{raw}: {}", e.message);
            assert!(!format!("{e:?}").contains("SECRET"), "{raw}");
        }
    }
}
