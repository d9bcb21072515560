//! Who is calling and with what: the session a request carries and its
//! parameters (form, multipart or query).

use super::errors::*;
use super::{Reply, fail};
use crate::emulator::data::{Chain, SpaazaData};
use crate::http::{Answer, RecordedRequest, decode_form};

/// Who is calling.
pub(super) enum Session {
    /// An admin of these chains.
    Admin(Vec<i64>),
    /// An end-user of a chain.
    User {
        chain: i64,
        user_id: i64,
    },
    Privileged(i64),
}

impl Session {
    pub(super) fn covers(&self, chain: i64) -> bool {
        match self {
            Session::Admin(chains) => chains.contains(&chain),
            Session::User { chain: c, .. } | Session::Privileged(c) => *c == chain,
        }
    }

    pub(super) fn user(&self) -> Option<i64> {
        match self {
            Session::User { user_id, .. } => Some(*user_id),
            _ => None,
        }
    }
}

pub(super) fn session(sp: &SpaazaData, req: &RecordedRequest) -> Reply<Session> {
    let host = req
        .header("x-spaaza-myprice-app-hostname")
        .map(str::trim)
        .filter(|h| !h.is_empty());
    let chain_of_host = |host: Option<&str>| -> Reply<&Chain> {
        let host = host.ok_or_else(|| fail(NO_MYPRICE_APP, None))?;
        sp.chains
            .iter()
            .find(|c| c.app_hostname.eq_ignore_ascii_case(host))
            .ok_or_else(|| fail(NO_MYPRICE_APP, None))
    };

    if let Some(token) = req
        .header("authorization")
        .and_then(|a| a.strip_prefix("Bearer "))
    {
        let chain = chain_of_host(host)?;
        return if chain.privileged_tokens.iter().any(|t| t == token.trim()) {
            Ok(Session::Privileged(chain.id))
        } else {
            Err(fail(NO_VALID_SESSION, None))
        };
    }

    let user_id = req
        .header("x-spaaza-session-user-id")
        .and_then(|u| u.trim().parse::<i64>().ok());
    let key = req.header("x-spaaza-session-key").map(str::trim);
    let (Some(user_id), Some(key)) = (user_id, key) else {
        return Err(fail(NO_VALID_SESSION, None));
    };
    let admin_of: Vec<i64> = sp
        .chains
        .iter()
        .filter(|c| {
            c.admins
                .iter()
                .any(|a| a.user_id == user_id && a.session_key == key)
        })
        .map(|c| c.id)
        .collect();
    if !admin_of.is_empty() {
        return Ok(Session::Admin(admin_of));
    }
    let user_of: Vec<&Chain> = sp
        .chains
        .iter()
        .filter(|c| {
            c.users
                .iter()
                .any(|u| u.user_id == user_id && u.session_key.as_deref() == Some(key))
        })
        .collect();
    if user_of.is_empty() {
        return Err(fail(NO_VALID_SESSION, None));
    }
    let chain = chain_of_host(host)?;
    if user_of.iter().any(|c| c.id == chain.id) {
        Ok(Session::User {
            chain: chain.id,
            user_id,
        })
    } else {
        Err(fail(NO_MYPRICE_APP, None))
    }
}

/// The request's parameters: body fields first, then the query string.
pub(super) struct Params(Vec<(String, String)>);

impl Params {
    pub(super) fn of(req: &RecordedRequest) -> Params {
        let content_type = req.header("content-type").unwrap_or("");
        let mut pairs = match multipart_boundary(content_type) {
            Some(boundary) => multipart(&req.body, &boundary),
            None => decode_form(&req.body),
        };
        pairs.extend(req.query());
        Params(pairs)
    }

    /// The first non-empty value of `name`.
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
    }

    pub(super) fn int(&self, name: &str) -> Reply<Option<i64>> {
        self.get(name)
            .map(|v| {
                v.parse::<i64>().map_err(|_| {
                    fail(
                        INVALID_PARAMETER,
                        Some(format!("{name} must be an integer, got {v:?}")),
                    )
                })
            })
            .transpose()
    }

    pub(super) fn required_int(&self, name: &str) -> Reply<i64> {
        self.int(name)?.ok_or_else(|| missing(name))
    }

    pub(super) fn flag(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
    }
}

pub(super) fn missing(name: &str) -> Answer {
    fail(MISSING_PARAMETER, Some(format!("{name} is mandatory")))
}

pub(super) fn multipart_boundary(content_type: &str) -> Option<String> {
    let (kind, rest) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    rest.split(';').find_map(|param| {
        let (k, v) = param.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

/// The text fields of a `multipart/form-data` body (enough for these calls).
pub(super) fn multipart(body: &[u8], boundary: &str) -> Vec<(String, String)> {
    let body = String::from_utf8_lossy(body);
    let delimiter = format!("--{boundary}");
    body.split(delimiter.as_str())
        .skip(1)
        .take_while(|part| !part.starts_with("--"))
        .filter_map(|part| {
            let part = part.strip_prefix("\r\n").unwrap_or(part);
            let (head, value) = part.split_once("\r\n\r\n")?;
            let name = head.lines().find_map(|line| {
                let (header, rest) = line.split_once(':')?;
                if !header.trim().eq_ignore_ascii_case("content-disposition") {
                    return None;
                }
                let start = rest.find("name=\"")? + 6;
                let len = rest[start..].find('"')?;
                Some(rest[start..start + len].to_string())
            })?;
            let value = value.strip_suffix("\r\n").unwrap_or(value);
            Some((name, value.to_string()))
        })
        .collect()
}
