//! Secrets that cannot leak through `Debug`, `Display` or logs.

use std::fmt;

/// An API key, session key or bearer token.
///
/// Its `Debug` and `Display` show only the last four characters (`…abcd`), and nothing at
/// all for short values, so a logged client or error never carries a usable secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The redacted form: `…` followed by the last four characters of long secrets.
    pub fn redacted(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        if chars.len() < 12 {
            return "…".to_owned();
        }
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("…{tail}")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Secret {
        Secret::new(s)
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Secret {
        Secret(s)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_only_the_tail_of_long_secrets() {
        let s = Secret::new("sk_live_0123456789abcd");
        assert_eq!(format!("{s:?}"), "…abcd");
        assert_eq!(s.to_string(), "…abcd");
        assert_eq!(Secret::new("short").redacted(), "…");
        assert_eq!(s.expose(), "sk_live_0123456789abcd");
    }
}
