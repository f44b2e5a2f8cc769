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
}

impl Verdict {
    /// true / false / None (undetermined), as the JSON writes it.
    pub fn vulnerable(&self) -> Option<bool> {
        match self {
            Verdict::Vulnerable(_) => Some(true),
            Verdict::NotVulnerable(_) => Some(false),
            Verdict::Undetermined(_) => None,
        }
    }

    /// The detail sentence.
    pub fn detail(&self) -> &str {
        match self {
            Verdict::Vulnerable(d) | Verdict::NotVulnerable(d) | Verdict::Undetermined(d) => d,
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
            detail: match verdict {
                Verdict::Vulnerable(d) | Verdict::NotVulnerable(d) | Verdict::Undetermined(d) => d,
            },
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
