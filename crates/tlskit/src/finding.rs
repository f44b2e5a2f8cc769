//! Findings: one problem (or noteworthy fact) with a stable id and a [`Severity`]. One type for
//! the whole library: the scanner's report and the certificate-chain analysis both use it.

use serde::{Deserialize, Serialize};

/// How bad a finding is. Ordered worst first (`Critical < … < Info`), so sorting a list of
/// findings by severity puts the worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Severity {
    /// Broken now: an attacker reads or changes traffic (SSLv2, Heartbleed …).
    Critical,
    /// Seriously weak (SSLv3, RC4, an untrusted chain …).
    High,
    /// Weak or deprecated (TLS 1.0, 64-bit block ciphers …).
    Medium,
    /// Worth fixing (some suites without forward secrecy …).
    Low,
    /// For information only.
    Info,
}

impl Severity {
    /// The lowercase name used in JSON and text: "critical" … "info".
    pub fn name(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One problem or noteworthy fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Finding {
    /// How bad it is.
    pub severity: Severity,
    /// Stable identifier, e.g. "protocol.sslv3" or "cert.expired".
    pub id: String,
    /// One sentence saying what was found.
    pub message: String,
}

impl Finding {
    /// A finding.
    pub fn new(severity: Severity, id: impl Into<String>, message: impl Into<String>) -> Finding {
        Finding {
            severity,
            id: id.into(),
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_sort_worst_first_and_serialise_lowercase() {
        let mut v = vec![
            Severity::Info,
            Severity::Critical,
            Severity::Low,
            Severity::High,
        ];
        v.sort();
        assert_eq!(
            v,
            [
                Severity::Critical,
                Severity::High,
                Severity::Low,
                Severity::Info
            ]
        );
        assert_eq!(
            serde_json::to_string(&Severity::Medium).unwrap(),
            "\"medium\""
        );
        let f: Finding =
            serde_json::from_str(r#"{"severity":"high","id":"x.y","message":"m"}"#).unwrap();
        assert_eq!(f, Finding::new(Severity::High, "x.y", "m"));
    }
}
