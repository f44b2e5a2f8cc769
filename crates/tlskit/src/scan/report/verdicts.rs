//! The verdicts stored in a report: the grade ([`crate::scan::grade`] computes it) and the
//! policy check ([`crate::scan::policy`] computes it). They live in the model so that the
//! report does not depend on the modules that judge it.

use serde::{Deserialize, Serialize};

/// The verdict.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Grade {
    /// "A+", "A", "A-", "B", "C", "D", "E", "F", "T" (untrusted) or "M" (name mismatch).
    pub grade: String,
    /// Why: the score line, then every rule that capped the grade (worst first), then why A+ was
    /// not awarded when the grade is A.
    pub reasons: Vec<String>,
    /// The weighted score, 0–100.
    pub score: u8,
    /// Protocol-support sub-score, 0–100.
    pub protocol_score: u8,
    /// Key-exchange sub-score, 0–100.
    pub key_exchange_score: u8,
    /// Cipher-strength sub-score, 0–100.
    pub cipher_score: u8,
    /// With T or M: the grade the configuration would get if the certificate were trusted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade_ignoring_trust: Option<String>,
    /// The rules that applied, machine-readable (ids are listed in docs/GRADING.md).
    pub rules: Vec<RuleHit>,
    /// What the grade could not take into account, in words.
    pub not_checked: Vec<String>,
}

/// One rule that applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleHit {
    /// Stable id, e.g. "protocol.sslv3".
    pub id: String,
    /// The best grade the rule allows: "A-" … "F", "T" or "M".
    pub cap: String,
    /// Why, in words.
    pub reason: String,
}

/// The verdict for one report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyResult {
    /// The policy's name.
    pub policy: String,
    /// No deviation other than advisory ones.
    pub compliant: bool,
    /// Every deviation, in rule order.
    pub deviations: Vec<Deviation>,
    /// Rules that could not be checked with what the scan found.
    pub not_checked: Vec<String>,
}

/// One way the target differs from the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deviation {
    /// The rule (one of [`crate::scan::policy::RULES`]).
    pub rule: String,
    /// What the policy wants.
    pub expected: String,
    /// What the server does.
    pub found: String,
    /// One sentence: what to change.
    pub message: String,
    /// Reported only: does not make the target non-compliant.
    pub advisory: bool,
}
