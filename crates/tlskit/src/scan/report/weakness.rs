//! Known weaknesses and the verdict on each (the report's `vulnerabilities`).

use super::{Style, WeaknessId};
use serde::{Deserialize, Serialize};

/// What a weakness check concluded, with the detail that says why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// The server is vulnerable.
    Vulnerable(String),
    /// The server is not vulnerable.
    NotVulnerable(String),
    /// It could not be determined (the detail says what went wrong); never counted as "no".
    Undetermined(String),
    /// A ROBOT verdict with the oracle it found (the report's `oracle`).
    Oracle(RobotOracle, Box<Verdict>),
}

/// What kind of Bleichenbacher oracle a ROBOT probe found — sslyze's `RobotScanResultEnum` and
/// testssl.sh's `run_robot` draw the same line: when the answers to the three malformed blocks
/// (wrong first bytes, misplaced 00 separator, no separator) are all alike, only a block that is
/// correctly padded *with the separator in place* is told apart, and the attack needs far more
/// queries (weak); when they differ, the server tells a `00 02` prefix apart on its own
/// (strong, Bleichenbacher's original oracle).
///
/// Exhaustive: the ROBOT paper defines exactly these two kinds of oracle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RobotOracle {
    /// sslyze VULNERABLE_STRONG_ORACLE (testssl.sh: CRITICAL).
    Strong,
    /// sslyze VULNERABLE_WEAK_ORACLE (testssl.sh: MEDIUM, "the attack would take too long").
    Weak,
    /// sslyze NOT_VULNERABLE_NO_ORACLE: every block got the same answer.
    None,
    /// sslyze NOT_VULNERABLE_RSA_NOT_SUPPORTED: no RSA key-exchange suite is accepted.
    RsaNotSupported,
}

impl Verdict {
    /// true / false / None (undetermined), as the JSON writes it.
    pub fn vulnerable(&self) -> Option<bool> {
        match self {
            Verdict::Vulnerable(_) => Some(true),
            Verdict::NotVulnerable(_) => Some(false),
            Verdict::Undetermined(_) => None,
            Verdict::Oracle(_, v) => v.vulnerable(),
        }
    }

    /// The detail sentence.
    pub fn detail(&self) -> &str {
        match self {
            Verdict::Vulnerable(d) | Verdict::NotVulnerable(d) | Verdict::Undetermined(d) => d,
            Verdict::Oracle(_, v) => v.detail(),
        }
    }

    /// The ROBOT oracle it names, if any.
    pub fn oracle(&self) -> Option<RobotOracle> {
        match self {
            Verdict::Oracle(o, _) => Some(*o),
            _ => None,
        }
    }

    fn into_detail(self) -> String {
        match self {
            Verdict::Vulnerable(d) | Verdict::NotVulnerable(d) | Verdict::Undetermined(d) => d,
            Verdict::Oracle(_, v) => v.into_detail(),
        }
    }
}

/// One weakness and the verdict on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Vulnerability {
    /// Stable id: "heartbleed", "ccs_injection", "robot", "poodle", "sweet32", …
    pub id: WeaknessId,
    /// Its name, with the CVE identifiers when it has them: "Heartbleed (CVE-2014-0160)".
    pub name: String,
    /// true: vulnerable; false: not; null: could not be determined.
    pub vulnerable: Option<bool>,
    /// Why, in one sentence.
    pub detail: String,
    /// ROBOT only: "strong", "weak", "none" or "rsa_not_supported"; absent when not determined
    /// (and on every other weakness).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oracle: Option<RobotOracle>,
}

impl Vulnerability {
    /// An entry; the name carries the CVE identifiers, when the weakness has them.
    pub fn new(id: WeaknessId, name: &str, cves: &[&str], verdict: Verdict) -> Vulnerability {
        let name = if cves.is_empty() {
            name.to_string()
        } else {
            format!("{name} ({})", cves.join(", "))
        };
        Vulnerability {
            id,
            name,
            vulnerable: verdict.vulnerable(),
            oracle: verdict.oracle(),
            detail: verdict.into_detail(),
        }
    }
}

/// The grouped text (one line per weakness).
pub fn render_text(vulns: &[Vulnerability], st: Style) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    for x in vulns {
        let verdict = match x.vulnerable {
            Some(true) => st.bad("VULNERABLE"),
            Some(false) => st.good("not vulnerable"),
            None => st.warn("not determined"),
        };
        let _ = writeln!(s, "  {:<40} {verdict}  {}", x.name, st.dim(&x.detail));
    }
    s
}
