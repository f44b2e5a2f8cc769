//! The verdicts stored in a report: the grade ([`crate::scan::grade`] computes it) and the
//! policy check ([`crate::scan::policy`] computes it). They live in the model so that the
//! report does not depend on the modules that judge it.

use serde::{Deserialize, Serialize};

/// A grade letter, and what a grade rule caps at.
///
/// Ordered from best to worst, `A+ < A < A- < B < C < D < E < M < T < F`, so the `max` of two
/// is the worse one: M (name mismatch) and T (not trusted) rank between E and F, T below M, as
/// the grade's caps rank them (an F stays F whatever the certificate). serde writes the letters
/// as they always were ("A+", "A-", "T" …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum GradeLetter {
    /// A+: an A with an exemplary configuration.
    #[serde(rename = "A+")]
    APlus,
    /// A.
    A,
    /// A-: an A with warnings.
    #[serde(rename = "A-")]
    AMinus,
    /// B.
    B,
    /// C.
    C,
    /// D.
    D,
    /// E.
    E,
    /// M: the certificate does not cover the name.
    M,
    /// T: the certificate is not trusted (untrusted chain, expired, weak signature, revoked …).
    T,
    /// F.
    F,
}

impl GradeLetter {
    /// Every letter, best first.
    pub const ALL: [GradeLetter; 10] = [
        GradeLetter::APlus,
        GradeLetter::A,
        GradeLetter::AMinus,
        GradeLetter::B,
        GradeLetter::C,
        GradeLetter::D,
        GradeLetter::E,
        GradeLetter::M,
        GradeLetter::T,
        GradeLetter::F,
    ];

    /// "A+", "A", "A-", "B" … "F", "M", "T".
    pub fn name(self) -> &'static str {
        match self {
            GradeLetter::APlus => "A+",
            GradeLetter::A => "A",
            GradeLetter::AMinus => "A-",
            GradeLetter::B => "B",
            GradeLetter::C => "C",
            GradeLetter::D => "D",
            GradeLetter::E => "E",
            GradeLetter::M => "M",
            GradeLetter::T => "T",
            GradeLetter::F => "F",
        }
    }

    /// The letter a name writes ("A+" … "F", "M", "T"), `None` for anything else.
    pub fn from_name(name: &str) -> Option<GradeLetter> {
        GradeLetter::ALL.into_iter().find(|l| l.name() == name)
    }

    /// M or T: a verdict on the certificate rather than on the configuration.
    pub fn is_trust_verdict(self) -> bool {
        match self {
            GradeLetter::M | GradeLetter::T => true,
            GradeLetter::APlus
            | GradeLetter::A
            | GradeLetter::AMinus
            | GradeLetter::B
            | GradeLetter::C
            | GradeLetter::D
            | GradeLetter::E
            | GradeLetter::F => false,
        }
    }
}

impl std::fmt::Display for GradeLetter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The verdict.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Grade {
    /// A+ … F, T (untrusted) or M (name mismatch).
    pub grade: GradeLetter,
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
    pub grade_ignoring_trust: Option<GradeLetter>,
    /// The rules that applied, machine-readable (ids are listed in docs/GRADING.md).
    pub rules: Vec<RuleHit>,
    /// What the grade could not take into account, in words.
    pub not_checked: Vec<String>,
}

/// One rule that applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RuleHit {
    /// Stable id, e.g. "protocol.sslv3".
    pub id: String,
    /// The best grade the rule allows: A- … F, T or M.
    pub cap: GradeLetter,
    /// Why, in words.
    pub reason: String,
}

/// The verdict for one report.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
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
#[non_exhaustive]
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
