//! Checks shared by both providers, run before anything is sent.

use crate::error::{Error, Result};

/// A required identifier or token: non-empty, not only spaces, no control characters.
/// Returned unchanged: voucher numbers are sent verbatim, never trimmed.
pub(crate) fn non_blank<'a>(value: &'a str, field: &str) -> Result<&'a str> {
    if value.is_empty() {
        return Err(Error::invalid(field, format!("{field} must not be empty")));
    }
    if value.trim().is_empty() {
        return Err(Error::invalid(
            field,
            format!("{field} must not be only whitespace"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            format!("{field} must not contain control characters"),
        ));
    }
    Ok(value)
}

/// An optional text parameter: absent is fine, present must pass [`non_blank`].
pub(crate) fn opt_non_blank<'a>(value: Option<&'a str>, field: &str) -> Result<Option<&'a str>> {
    value.map(|v| non_blank(v, field)).transpose()
}

/// A value that goes into an HTTP header: CR, LF or NUL would split or cut the header.
pub(crate) fn header_value<'a>(value: &'a str, field: &str) -> Result<&'a str> {
    if value.is_empty() {
        return Err(Error::invalid(field, format!("{field} must not be empty")));
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(Error::invalid(
            field,
            format!("{field} must not contain CR, LF, NUL or other control characters"),
        ));
    }
    Ok(value)
}

/// A provider id (chain, voucher, user): a positive integer.
pub(crate) fn positive_id(value: i64, field: &str) -> Result<i64> {
    if value <= 0 {
        return Err(Error::invalid(
            field,
            format!("{field} must be a positive integer, got {value}"),
        ));
    }
    Ok(value)
}

/// Exactly one of several alternatives must be given; `given` pairs names with presence.
/// Errors name the first alternative, so the field is stable whatever was passed.
pub(crate) fn exactly_one(given: &[(&str, bool)], what: &str) -> Result<usize> {
    let present: Vec<usize> = (0..given.len()).filter(|&i| given[i].1).collect();
    let names: Vec<&str> = given.iter().map(|(n, _)| *n).collect();
    let list = names.join(", ");
    match present.as_slice() {
        [one] => Ok(*one),
        [] => Err(Error::invalid(
            names[0],
            format!("{what}: give exactly one of {list}; none was given"),
        )),
        many => {
            let both: Vec<&str> = many.iter().map(|&i| names[i]).collect();
            Err(Error::invalid(
                names[0],
                format!(
                    "{what}: give exactly one of {list}; got {}",
                    both.join(" and ")
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_blank_rules() {
        assert!(non_blank("V1", "voucher_no").is_ok());
        assert_eq!(non_blank(" V1 ", "voucher_no").unwrap(), " V1 ");
        for bad in ["", "   ", "V\n1", "V\u{0}1"] {
            let e = non_blank(bad, "voucher_no").unwrap_err();
            assert_eq!(e.field.as_deref(), Some("voucher_no"));
        }
    }

    #[test]
    fn header_values_refuse_line_breaks() {
        assert!(header_value("sk_abc", "api_key").is_ok());
        assert!(header_value("sk\r\nX: y", "api_key").is_err());
        assert!(header_value("", "api_key").is_err());
    }

    #[test]
    fn exactly_one_names_the_first_alternative() {
        let alts = |a, b| [("voucher_key", a), ("voucher_id", b)];
        assert_eq!(exactly_one(&alts(false, true), "voucher").unwrap(), 1);
        let e = exactly_one(&alts(true, true), "voucher").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("voucher_key"));
        assert!(e.message.contains("voucher_key and voucher_id"));
        let e = exactly_one(&alts(false, false), "voucher").unwrap_err();
        assert!(e.message.contains("none was given"));
    }
}
