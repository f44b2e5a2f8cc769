//! The revocation verdict on a certificate, as the scan report carries it
//! (`certificates[].certificates[].revocation`): the model alone, apart from the readers that
//! reach it ([`crate::pki::chain`]'s revocation module) so that a certificate's description
//! ([`crate::pki::inspect::CertInfo`]) can hold it without depending on chain analysis.

use serde::{Deserialize, Serialize};

/// What is known about a certificate's revocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevocationStatus {
    /// A verified, current answer says it is not revoked.
    Good,
    /// A verified answer says it is revoked.
    Revoked,
    /// No verified answer (no URL, unreachable, unverifiable …): never read as good.
    Unknown,
}

impl RevocationStatus {
    /// `good`, `revoked`, `unknown`.
    pub fn name(self) -> &'static str {
        match self {
            RevocationStatus::Good => "good",
            RevocationStatus::Revoked => "revoked",
            RevocationStatus::Unknown => "unknown",
        }
    }
}

/// Where a revocation answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevocationSource {
    /// The OCSP responder named in the certificate (Authority Information Access).
    Ocsp,
    /// The CRL named in the certificate (CRL distribution points).
    Crl,
    /// The OCSP response the server stapled to the handshake.
    Stapled,
}

impl RevocationSource {
    /// "OCSP", "CRL", "stapled OCSP" (for sentences).
    pub fn name(self) -> &'static str {
        match self {
            RevocationSource::Ocsp => "OCSP",
            RevocationSource::Crl => "CRL",
            RevocationSource::Stapled => "stapled OCSP",
        }
    }
}

/// One source asked and what it said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationCheck {
    pub source: RevocationSource,
    /// The URL fetched (none for a staple).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub status: RevocationStatus,
    /// Revoked: the reason given (CRL reason code) or "no reason given"; unknown: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The revocation verdict on one certificate of a served chain (`certificates[].certificates[]
/// .revocation` in the scan report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    /// Revoked when a verified source says so; good when a verified source says so and none
    /// says revoked; unknown otherwise.
    pub status: RevocationStatus,
    /// The source of the verdict (none when unknown).
    #[serde(default)]
    pub source: Option<RevocationSource>,
    /// Revoked: the revocation reason; unknown: why it could not be told; good: none.
    #[serde(default)]
    pub reason: Option<String>,
    /// When it was revoked (RFC 3339), when revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
    /// Every source asked, in order (staple, OCSP, CRL).
    #[serde(default)]
    pub checked: Vec<RevocationCheck>,
}

impl Revocation {
    /// The verdict over every source asked: revoked beats good beats unknown; `unknown_reason`
    /// says why when no source answered (joined with what each source said).
    pub fn from_checks(checks: Vec<RevocationCheck>, unknown_reason: Option<String>) -> Revocation {
        let pick = |s: RevocationStatus| checks.iter().find(|c| c.status == s).cloned();
        if let Some(c) = pick(RevocationStatus::Revoked) {
            let (reason, revoked_at) = split_revoked(c.reason.as_deref());
            return Revocation {
                status: RevocationStatus::Revoked,
                source: Some(c.source),
                reason,
                revoked_at,
                checked: checks,
            };
        }
        if let Some(c) = pick(RevocationStatus::Good) {
            return Revocation {
                status: RevocationStatus::Good,
                source: Some(c.source),
                reason: None,
                revoked_at: None,
                checked: checks,
            };
        }
        let mut why: Vec<String> = unknown_reason.into_iter().collect();
        why.extend(checks.iter().map(|c| {
            let what = match &c.url {
                Some(u) => format!("{} {}", c.source.name(), crate::escape::short(u, 120)),
                None => c.source.name().to_string(),
            };
            format!("{what}: {}", c.reason.as_deref().unwrap_or("no answer"))
        }));
        Revocation {
            status: RevocationStatus::Unknown,
            source: None,
            reason: Some(if why.is_empty() {
                "no source of revocation information was asked".to_string()
            } else {
                why.join("; ")
            }),
            revoked_at: None,
            checked: checks,
        }
    }
}

/// A revoked check's reason is "REASON since TIME" (see [`revoked_reason`]): split back.
fn split_revoked(reason: Option<&str>) -> (Option<String>, Option<String>) {
    match reason.and_then(|r| r.split_once(" since ")) {
        Some((r, t)) => (Some(r.to_string()), Some(t.to_string())),
        None => (reason.map(str::to_string), None),
    }
}

/// The reason text of a revoked check: the reason (or "no reason given") and the time.
pub(crate) fn revoked_reason(reason: Option<&str>, time: Option<&str>) -> String {
    let r = reason.unwrap_or("no reason given");
    match time {
        Some(t) => format!("{r} since {t}"),
        None => r.to_string(),
    }
}
