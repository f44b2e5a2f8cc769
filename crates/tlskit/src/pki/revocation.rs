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

/// Why a CA revoked a certificate: the CRLReason of RFC 5280 section 5.3.1 (CRL entries and
/// OCSP `revokedInfo`). serde writes the ASN.1 names as tlskit always has (`keyCompromise` …;
/// a code RFC 5280 does not define as `reason N`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", from = "String")]
pub enum CrlReason {
    /// unspecified (0).
    Unspecified,
    /// keyCompromise (1).
    KeyCompromise,
    /// cACompromise (2).
    CaCompromise,
    /// affiliationChanged (3).
    AffiliationChanged,
    /// superseded (4).
    Superseded,
    /// cessationOfOperation (5).
    CessationOfOperation,
    /// certificateHold (6).
    CertificateHold,
    /// removeFromCRL (8).
    RemoveFromCrl,
    /// privilegeWithdrawn (9).
    PrivilegeWithdrawn,
    /// aACompromise (10).
    AaCompromise,
    /// A code RFC 5280 does not define (7 is unused; 11 and above are not assigned).
    Other(u8),
}

impl CrlReason {
    /// The reason a CRLReason code stands for.
    pub fn from_code(code: u8) -> CrlReason {
        match code {
            0 => CrlReason::Unspecified,
            1 => CrlReason::KeyCompromise,
            2 => CrlReason::CaCompromise,
            3 => CrlReason::AffiliationChanged,
            4 => CrlReason::Superseded,
            5 => CrlReason::CessationOfOperation,
            6 => CrlReason::CertificateHold,
            8 => CrlReason::RemoveFromCrl,
            9 => CrlReason::PrivilegeWithdrawn,
            10 => CrlReason::AaCompromise,
            other => CrlReason::Other(other),
        }
    }

    /// The code (RFC 5280 5.3.1).
    pub fn code(self) -> u8 {
        match self {
            CrlReason::Unspecified => 0,
            CrlReason::KeyCompromise => 1,
            CrlReason::CaCompromise => 2,
            CrlReason::AffiliationChanged => 3,
            CrlReason::Superseded => 4,
            CrlReason::CessationOfOperation => 5,
            CrlReason::CertificateHold => 6,
            CrlReason::RemoveFromCrl => 8,
            CrlReason::PrivilegeWithdrawn => 9,
            CrlReason::AaCompromise => 10,
            CrlReason::Other(c) => c,
        }
    }

    /// The ASN.1 name (`keyCompromise`), or `reason N` for an undefined code.
    pub fn name(self) -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed(match self {
            CrlReason::Unspecified => "unspecified",
            CrlReason::KeyCompromise => "keyCompromise",
            CrlReason::CaCompromise => "cACompromise",
            CrlReason::AffiliationChanged => "affiliationChanged",
            CrlReason::Superseded => "superseded",
            CrlReason::CessationOfOperation => "cessationOfOperation",
            CrlReason::CertificateHold => "certificateHold",
            CrlReason::RemoveFromCrl => "removeFromCRL",
            CrlReason::PrivilegeWithdrawn => "privilegeWithdrawn",
            CrlReason::AaCompromise => "aACompromise",
            CrlReason::Other(c) => return std::borrow::Cow::Owned(format!("reason {c}")),
        })
    }

    /// The reason a name written by [`Self::name`] stands for (a saved report read back);
    /// `None` for anything else.
    pub fn from_name(name: &str) -> Option<CrlReason> {
        if let Some(code) = name.strip_prefix("reason ") {
            return code.parse().ok().map(CrlReason::from_code);
        }
        (0..=10u8)
            .map(CrlReason::from_code)
            .find(|r| !matches!(r, CrlReason::Other(_)) && r.name() == name)
    }
}

impl std::fmt::Display for CrlReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

impl From<CrlReason> for String {
    fn from(r: CrlReason) -> String {
        r.name().into_owned()
    }
}

impl From<String> for CrlReason {
    /// A name that is not a CRLReason (a hand-edited report) reads as unspecified.
    fn from(name: String) -> CrlReason {
        CrlReason::from_name(&name).unwrap_or(CrlReason::Unspecified)
    }
}

/// What a source said about a revoked certificate: why and since when, as the CA wrote them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Revoked {
    /// The CRLReason, when the CA gave one.
    pub reason: Option<CrlReason>,
    /// The revocation time (RFC 3339), when it could be read.
    pub at: Option<String>,
}

impl Revoked {
    /// The reason's name, or "no reason given".
    pub fn reason_text(&self) -> std::borrow::Cow<'static, str> {
        self.reason
            .map(CrlReason::name)
            .unwrap_or(std::borrow::Cow::Borrowed(NO_REASON))
    }
}

/// What the report writes for a revocation without a CRLReason.
const NO_REASON: &str = "no reason given";

/// The answer of one source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckAnswer {
    /// A verified, current answer: not revoked.
    Good,
    /// A verified answer: revoked.
    Revoked(Revoked),
    /// No answer that could be used, and why.
    Unknown(String),
}

/// One source asked and what it said. JSON: `{source, url, status, reason}`, where a revoked
/// answer's `reason` reads "REASON since TIME" and an unknown one's says why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "CheckJson", from = "CheckJson")]
pub struct RevocationCheck {
    /// Who was asked.
    pub source: RevocationSource,
    /// The URL fetched (none for a staple).
    pub url: Option<String>,
    /// What it said.
    pub answer: CheckAnswer,
}

impl RevocationCheck {
    /// Good, revoked or unknown.
    pub fn status(&self) -> RevocationStatus {
        match self.answer {
            CheckAnswer::Good => RevocationStatus::Good,
            CheckAnswer::Revoked(_) => RevocationStatus::Revoked,
            CheckAnswer::Unknown(_) => RevocationStatus::Unknown,
        }
    }

    /// Unknown: why.
    pub fn why_unknown(&self) -> Option<&str> {
        match &self.answer {
            CheckAnswer::Unknown(why) => Some(why),
            CheckAnswer::Good | CheckAnswer::Revoked(_) => None,
        }
    }
}

/// The JSON shape of a [`RevocationCheck`], as it has always been written.
#[derive(Serialize, Deserialize)]
struct CheckJson {
    source: RevocationSource,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    status: RevocationStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

impl From<RevocationCheck> for CheckJson {
    fn from(c: RevocationCheck) -> CheckJson {
        let status = c.status();
        let reason = match c.answer {
            CheckAnswer::Good => None,
            CheckAnswer::Revoked(r) => Some(match &r.at {
                Some(t) => format!("{} since {t}", r.reason_text()),
                None => r.reason_text().into_owned(),
            }),
            CheckAnswer::Unknown(why) => Some(why),
        };
        CheckJson {
            source: c.source,
            url: c.url,
            status,
            reason,
        }
    }
}

impl From<CheckJson> for RevocationCheck {
    /// Reading a saved report: a revoked answer's "REASON since TIME" is the one place the
    /// text is taken apart, because that is how the file writes it.
    fn from(j: CheckJson) -> RevocationCheck {
        let answer = match j.status {
            RevocationStatus::Good => CheckAnswer::Good,
            RevocationStatus::Revoked => {
                let text = j.reason.unwrap_or_default();
                let (reason, at) = match text.split_once(" since ") {
                    Some((r, t)) => (r, Some(t.to_string())),
                    None => (text.as_str(), None),
                };
                CheckAnswer::Revoked(Revoked {
                    reason: CrlReason::from_name(reason),
                    at,
                })
            }
            RevocationStatus::Unknown => CheckAnswer::Unknown(j.reason.unwrap_or_default()),
        };
        RevocationCheck {
            source: j.source,
            url: j.url,
            answer,
        }
    }
}

/// The revocation verdict on one certificate of a served chain (`certificates[].certificates[]
/// .revocation` in the scan report). JSON: `{status, source, reason, revoked_at, checked}`,
/// where `reason` is the CRLReason name (or "no reason given") when revoked, and why when
/// unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "RevocationJson", from = "RevocationJson")]
pub struct Revocation {
    /// Revoked when a verified source says so; good when a verified source says so and none
    /// says revoked; unknown otherwise.
    pub status: RevocationStatus,
    /// The source of the verdict (none when unknown).
    pub source: Option<RevocationSource>,
    /// Revoked: the reason and time the source gave.
    pub revoked: Option<Revoked>,
    /// Unknown: why it could not be told.
    pub unknown_reason: Option<String>,
    /// Every source asked, in order (staple, OCSP, CRL).
    pub checked: Vec<RevocationCheck>,
}

/// The JSON shape of a [`Revocation`], as it has always been written.
#[derive(Serialize, Deserialize)]
struct RevocationJson {
    status: RevocationStatus,
    #[serde(default)]
    source: Option<RevocationSource>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    revoked_at: Option<String>,
    #[serde(default)]
    checked: Vec<RevocationCheck>,
}

impl From<Revocation> for RevocationJson {
    fn from(r: Revocation) -> RevocationJson {
        let (reason, revoked_at) = match (&r.revoked, r.unknown_reason) {
            (Some(v), _) => (Some(v.reason_text().into_owned()), v.at.clone()),
            (None, why) => (why, None),
        };
        RevocationJson {
            status: r.status,
            source: r.source,
            reason,
            revoked_at,
            checked: r.checked,
        }
    }
}

impl From<RevocationJson> for Revocation {
    fn from(j: RevocationJson) -> Revocation {
        let (revoked, unknown_reason) = match j.status {
            RevocationStatus::Revoked => (
                Some(Revoked {
                    reason: j.reason.as_deref().and_then(CrlReason::from_name),
                    at: j.revoked_at,
                }),
                None,
            ),
            RevocationStatus::Good | RevocationStatus::Unknown => (None, j.reason),
        };
        Revocation {
            status: j.status,
            source: j.source,
            revoked,
            unknown_reason,
            checked: j.checked,
        }
    }
}

impl Revocation {
    /// The verdict over every source asked: revoked beats good beats unknown; `unknown_reason`
    /// says why when no source answered (joined with what each source said).
    pub fn from_checks(checks: Vec<RevocationCheck>, unknown_reason: Option<String>) -> Revocation {
        let revoked = checks.iter().find_map(|c| match &c.answer {
            CheckAnswer::Revoked(r) => Some((c.source, r.clone())),
            CheckAnswer::Good | CheckAnswer::Unknown(_) => None,
        });
        if let Some((source, r)) = revoked {
            return Revocation {
                status: RevocationStatus::Revoked,
                source: Some(source),
                revoked: Some(r),
                unknown_reason: None,
                checked: checks,
            };
        }
        if let Some(c) = checks.iter().find(|c| c.answer == CheckAnswer::Good) {
            return Revocation {
                status: RevocationStatus::Good,
                source: Some(c.source),
                revoked: None,
                unknown_reason: None,
                checked: checks,
            };
        }
        let mut why: Vec<String> = unknown_reason.into_iter().collect();
        why.extend(checks.iter().map(|c| {
            let what = match &c.url {
                Some(u) => format!("{} {}", c.source.name(), crate::escape::short(u, 120)),
                None => c.source.name().to_string(),
            };
            format!("{what}: {}", c.why_unknown().unwrap_or("no answer"))
        }));
        Revocation {
            status: RevocationStatus::Unknown,
            source: None,
            revoked: None,
            unknown_reason: Some(if why.is_empty() {
                "no source of revocation information was asked".to_string()
            } else {
                why.join("; ")
            }),
            checked: checks,
        }
    }
}
