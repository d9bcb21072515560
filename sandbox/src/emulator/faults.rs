//! Fault rules: make one provider path misbehave on demand.
//!
//! A till has to survive a provider that is slow, cuts an answer short, or
//! acts and then loses the answer. A [`FaultRule`] makes the emulator do
//! exactly that on one path, for a number of requests or until cleared.
//!
//! Two questions decide what a rule does:
//!
//! - **Is the request carried out?** `process: false` (the default): no —
//!   the provider never saw it, the state does not change. `process: true`:
//!   yes — balances change, holds are taken — and only then is the answer
//!   replaced. That is the case `outcome_unknown` exists for: the redeem
//!   happened, the till cannot know, it must reconcile.
//! - **What is sent back?** An answer with a status (or a body) is sent as
//!   it is, like a scripted answer. An answer with **no status and no body**
//!   means "the emulator's real answer": with `process: true` the real
//!   answer is sent with the rule's fault acted out on it (and the rule's
//!   headers added) — `delay` gives a slow real answer, `truncate` the real
//!   body cut in half, `stall` real processing then silence, `reset` a reset
//!   in the middle of the real headers. With `process: false` there is no
//!   real answer, so the fault is acted out on an empty `200`; that suits
//!   `stall`, `reset` and `close` (a request that never got through).
//!
//! ```json
//! {"path": "/smartgift/redeem", "process": true, "times": 1,
//!  "answer": {"fault": {"kind": "stall"}}}
//! ```
//!
//! The first rule whose `path` equals the request's path (query string
//! left out) applies; a rule with `times` is dropped once used up.

use std::path::Path;

use serde_json::Value;

use crate::http::{Answer, Fault};

/// One fault injection, see the module documentation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultRule {
    /// The exact request path, without a query string, e.g. `/smartgift/redeem`.
    pub path: String,
    /// What to send back. Status `0` with an empty body = the emulator's
    /// real answer (with this answer's fault and headers applied).
    pub answer: Answer,
    /// How many requests it applies to; `None` = until cleared.
    pub times: Option<u32>,
    /// Carry the request out first (state changes), then answer with `answer`.
    pub process: bool,
}

const RULE_KEYS: [&str; 4] = ["path", "answer", "times", "process"];
const BODY_KEYS: [&str; 3] = ["body", "body_text", "body_file"];

impl FaultRule {
    /// A rule that answers every request on `path` with `answer`, unprocessed.
    pub fn new(path: impl Into<String>, answer: Answer) -> FaultRule {
        FaultRule {
            path: path.into(),
            answer,
            times: None,
            process: false,
        }
    }

    /// A rule that sends the emulator's real answer with `fault` acted out
    /// on it (unprocessed until [`FaultRule::processed`] is called):
    /// `FaultRule::fault("/smartgift/redeem", Fault::Stall).processed()` is a
    /// redeem that happens and whose answer never comes.
    pub fn fault(path: impl Into<String>, fault: Fault) -> FaultRule {
        FaultRule::new(path, Answer::new(0).with_fault(fault))
    }

    /// Applies to the next `n` requests only.
    pub fn times(mut self, n: u32) -> FaultRule {
        self.times = Some(n);
        self
    }

    /// Carries the request out before answering.
    pub fn processed(mut self) -> FaultRule {
        self.process = true;
        self
    }

    /// Reads `{"path", "answer", "times"?, "process"?}`; `answer` is in the
    /// scripted format ([`Answer::from_json`], `body_file` relative to
    /// `base_dir`). An answer without `status` and without a body stands for
    /// the real answer (status `0`). Unknown keys are errors.
    pub fn from_json(v: &Value, base_dir: &Path) -> Result<FaultRule, String> {
        let obj = v
            .as_object()
            .ok_or_else(|| format!("a fault rule must be a JSON object, got {v}"))?;
        if let Some(key) = obj.keys().find(|k| !RULE_KEYS.contains(&k.as_str())) {
            return Err(format!(
                "unknown key {key:?} (a fault rule takes {})",
                RULE_KEYS.join(", ")
            ));
        }
        let path = obj
            .get("path")
            .and_then(Value::as_str)
            .filter(|p| p.starts_with('/') && !p.contains('?'))
            .ok_or_else(|| "\"path\" must be a path like \"/smartgift/redeem\"".to_string())?;
        let answer_json = obj
            .get("answer")
            .ok_or_else(|| "a fault rule needs an \"answer\"".to_string())?;
        let mut answer = Answer::from_json(answer_json, base_dir)?;
        let real = answer_json.as_object().is_some_and(|a| {
            !a.contains_key("status") && !BODY_KEYS.iter().any(|k| a.contains_key(*k))
        });
        if real {
            answer.status = 0;
        }
        let times = match obj.get("times") {
            None | Some(Value::Null) => None,
            Some(t) => Some(
                t.as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("\"times\" must be a positive integer, got {t}"))?,
            ),
        };
        let process = match obj.get("process") {
            None => false,
            Some(p) => p
                .as_bool()
                .ok_or_else(|| format!("\"process\" must be true or false, got {p}"))?,
        };
        Ok(FaultRule {
            path: path.to_string(),
            answer,
            times,
            process,
        })
    }

    /// Whether the answer stands for the emulator's real one.
    pub fn uses_real_answer(&self) -> bool {
        self.answer.status == 0 && self.answer.body.is_empty()
    }

    /// The answer to send, given the real one (`None` when not processed).
    pub(crate) fn answer_for(&self, real: Option<Answer>) -> Answer {
        if !self.uses_real_answer() {
            return self.answer.clone();
        }
        let mut answer = real.unwrap_or_else(|| Answer::new(200));
        answer.headers.extend(self.answer.headers.iter().cloned());
        answer.fault = self.answer.fault;
        answer
    }
}

/// Takes the rule for `path`, counting one use; `None` if no rule applies.
pub(crate) fn take(rules: &mut Vec<FaultRule>, path: &str) -> Option<FaultRule> {
    let i = rules.iter().position(|r| r.path == path)?;
    let rule = rules[i].clone();
    match &mut rules[i].times {
        Some(1) => {
            rules.remove(i);
        }
        Some(n) => *n -= 1,
        None => {}
    }
    Some(rule)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::*;

    #[test]
    fn reads_rules_and_spots_the_real_answer() {
        let here = Path::new(".");
        let rule = FaultRule::from_json(
            &json!({"path": "/smartgift/redeem", "process": true,
                    "answer": {"fault": {"kind": "delay", "ms": 5}}}),
            here,
        )
        .unwrap();
        assert!(rule.uses_real_answer() && rule.process && rule.times.is_none());
        let real = Answer::json(200, &json!({"ok": 1}));
        let sent = rule.answer_for(Some(real.clone()));
        assert_eq!(sent.body, real.body);
        assert_eq!(sent.fault, Some(Fault::Delay(Duration::from_millis(5))));

        let scripted = FaultRule::from_json(
            &json!({"path": "/x", "times": 2, "answer": {"status": 502, "body_text": "bad"}}),
            here,
        )
        .unwrap();
        assert!(!scripted.uses_real_answer());
        assert_eq!(scripted.answer_for(None).status, 502);

        for bad in [
            json!({"path": "x", "answer": {}}),
            json!({"path": "/x"}),
            json!({"path": "/x", "answer": {}, "times": 0}),
            json!({"path": "/x", "answer": {}, "proces": true}),
        ] {
            assert!(FaultRule::from_json(&bad, here).is_err(), "{bad}");
        }
    }

    #[test]
    fn times_counts_down() {
        let mut rules = vec![FaultRule::new("/a", Answer::new(500)).times(2)];
        assert!(take(&mut rules, "/b").is_none());
        assert!(take(&mut rules, "/a").is_some());
        assert!(take(&mut rules, "/a").is_some());
        assert!(take(&mut rules, "/a").is_none());
    }
}
