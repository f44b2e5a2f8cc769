//! The report model: what [`analyse`] returns.

use super::*;

/// What to analyse.
#[derive(Debug, Clone)]
pub struct ChainInput<'a> {
    /// The certificates as the server sent them, leaf first.
    pub chain: &'a [CertificateDer<'static>],
    /// The name the client connected to: a DNS name or an IP literal (`[::1]` accepted).
    pub hostname: Option<&'a str>,
    /// The stapled OCSP response (DER `OCSPResponse`), if the server sent one.
    pub ocsp_response: Option<&'a [u8]>,
    /// The time to judge validity by.
    pub now: UnixTime,
}

/// The library's one severity and finding (shared with the scanner's report).
pub use crate::finding::{Finding, Severity};

impl<'a> ChainInput<'a> {
    /// A chain to judge at the current time.
    pub fn new(
        chain: &'a [CertificateDer<'static>],
        hostname: Option<&'a str>,
        ocsp_response: Option<&'a [u8]>,
    ) -> ChainInput<'a> {
        ChainInput {
            chain,
            hostname,
            ocsp_response,
            now: UnixTime::now(),
        }
    }
}

/// What the chain is to authenticate: a TLS server (what a scan checks) or a TLS client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Purpose {
    /// extendedKeyUsage serverAuth.
    ServerAuth,
    /// extendedKeyUsage clientAuth.
    ClientAuth,
}

/// A trust store tlskit judges chains against; serialises to its lower-case name (`"mozilla"`…),
/// the value of `certificates[].analysis.trust[].store` in the scan JSON.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum StoreId {
    /// Mozilla's root program, built in (webpki-roots): what Firefox trusts.
    Mozilla,
    /// Apple's roots (macOS, iOS), built in.
    Apple,
    /// Android's system store (AOSP), built in.
    Android,
    /// The roots Windows Update distributes, built in.
    Microsoft,
    /// The `cacerts` of a current JDK, built in.
    Java,
    /// This machine's store (`SSL_CERT_FILE` / `SSL_CERT_DIR`, else the system CA bundle).
    System,
    /// The CAs given with `--ca`.
    Custom,
}

impl StoreId {
    /// Every store, in report order.
    pub const ALL: [StoreId; 7] = [
        StoreId::Mozilla,
        StoreId::Apple,
        StoreId::Android,
        StoreId::Microsoft,
        StoreId::Java,
        StoreId::System,
        StoreId::Custom,
    ];

    /// The name in the JSON: `"mozilla"`, `"apple"`, …
    pub fn as_str(self) -> &'static str {
        match self {
            StoreId::Mozilla => "mozilla",
            StoreId::Apple => "apple",
            StoreId::Android => "android",
            StoreId::Microsoft => "microsoft",
            StoreId::Java => "java",
            StoreId::System => "system",
            StoreId::Custom => "custom",
        }
    }

    /// The name for people: `"Mozilla"`, `"Android"`, `"--ca"`…
    pub fn label(self) -> &'static str {
        match self {
            StoreId::Mozilla => "Mozilla",
            StoreId::Apple => "Apple",
            StoreId::Android => "Android",
            StoreId::Microsoft => "Microsoft",
            StoreId::Java => "Java",
            StoreId::System => "system",
            StoreId::Custom => "--ca",
        }
    }

    /// Whether this store's verdict decides [`ChainAnalysis::trusted`] (and so the grade):
    /// Mozilla, the system store and `--ca`, as before the other root programs were added; the
    /// Apple, Android, Microsoft and Java verdicts are information.
    pub fn decides_trust(self) -> bool {
        matches!(self, StoreId::Mozilla | StoreId::System | StoreId::Custom)
    }

    /// A root program whose roots are compiled into tlskit.
    pub fn built_in(self) -> bool {
        !matches!(self, StoreId::System | StoreId::Custom)
    }
}

impl std::fmt::Display for StoreId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The verdict of one trust store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct TrustResult {
    /// Which store.
    pub store: StoreId,
    /// Where the store's anchors came from.
    pub description: String,
    pub trusted: bool,
    /// Why not, as a sentence.
    pub error: Option<String>,
    /// Subjects of the verified path, leaf first, ending with the trust anchor. Also filled when
    /// the chain only fails because of its validity dates or legacy algorithms (see `error`).
    pub path: Vec<String>,
    /// The chain would verify if SHA-1 signatures and RSA keys under 2048 bits were accepted.
    pub legacy_only: bool,
}

/// The per-store verdicts in one line, for people: `Trusted by: Mozilla, Apple, Microsoft, Java;
/// not by: Android (its roots did not issue the chain)`. Stores that fail for the same reason
/// share it; reasons are escaped (they can quote certificate names the peer chose).
pub fn trust_line(trust: &[TrustResult]) -> String {
    let by: Vec<&str> = trust
        .iter()
        .filter(|t| t.trusted)
        .map(|t| t.store.label())
        .collect();
    // (reason, stores) in order of first appearance.
    let mut not: Vec<(String, Vec<&str>)> = Vec::new();
    for t in trust.iter().filter(|t| !t.trusted) {
        let reason = match t.error.as_deref() {
            Some(e) if e.starts_with("not issued by a CA") => {
                "its roots did not issue the chain".to_string()
            }
            Some(e) => crate::escape::short(e, 160),
            None => "untrusted".to_string(),
        };
        match not.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, stores)) => stores.push(t.store.label()),
            None => not.push((reason, vec![t.store.label()])),
        }
    }
    let mut line = format!(
        "Trusted by: {}",
        if by.is_empty() {
            "none".to_string()
        } else {
            by.join(", ")
        }
    );
    if !not.is_empty() {
        let parts: Vec<String> = not
            .iter()
            .map(|(reason, stores)| format!("{} ({reason})", stores.join(", ")))
            .collect();
        line.push_str(&format!("; not by: {}", parts.join(", ")));
    }
    line
}

/// The certificate that expires first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Expiry {
    /// Position in the chain as sent, 0 = leaf.
    pub index: usize,
    pub subject: String,
    pub not_after: String,
    pub days_left: i64,
}

/// A parsed stapled OCSP response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct OcspInfo {
    /// `successful`, `malformedRequest`, `internalError`, `tryLater`, `sigRequired`, `unauthorized`.
    pub response_status: String,
    /// `good`, `revoked` or `unknown` for the leaf; `None` when the response says nothing about it.
    pub cert_status: Option<String>,
    pub produced_at: Option<String>,
    pub this_update: Option<String>,
    pub next_update: Option<String>,
    pub revocation_time: Option<String>,
    pub revocation_reason: Option<crate::pki::revocation::CrlReason>,
    /// Number of SingleResponses in the response.
    pub responses: usize,
    /// A SingleResponse names the leaf (serial number and issuer name hash).
    pub matches_leaf: bool,
    /// The response is signed by the leaf's issuer or by a responder the issuer authorised:
    /// `None` when the issuer is not known (neither sent nor a trust anchor).
    pub signature_valid: Option<bool>,
    /// `issuer` or `delegated responder CN=…`.
    pub signed_by: Option<String>,
}

/// Everything [`analyse`] found out. Serialises to the JSON the scanner prints.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ChainAnalysis {
    /// The certificates as sent, leaf first (unparsable ones are left out and reported in
    /// `findings`).
    pub certificates: Vec<CertInfo>,
    /// One verdict per trust store, in [`StoreId::ALL`] order.
    pub trust: Vec<TrustResult>,
    /// A store that decides trust ([`StoreId::decides_trust`]: Mozilla, system, `--ca`) trusts
    /// the chain.
    pub trusted: bool,
    /// Each certificate is issued by the next one and nothing else is sent.
    pub order_ok: bool,
    pub order_problems: Vec<String>,
    /// The chain stops at a certificate whose issuer is neither sent nor a trust anchor.
    pub missing_intermediate: bool,
    /// The explanation when `missing_intermediate` (names the caIssuers URL if the certificate has one).
    pub missing_intermediate_detail: Option<String>,
    /// The server sends the self-signed root of its chain (harmless, but wasted bytes).
    pub contains_root: bool,
    pub self_signed_leaf: bool,
    pub leaf_expired: bool,
    pub leaf_not_yet_valid: bool,
    pub leaf_days_left: i64,
    pub earliest_expiry: Option<Expiry>,
    /// The name checked (as given).
    pub hostname: Option<String>,
    /// Whether the leaf's SANs cover `hostname` (`None` when no name was given).
    pub hostname_match: Option<bool>,
    /// `"CN=… is signed with sha1WithRSAEncryption"`, one per weak signature in the path (a
    /// root's self-signature is ignored: nobody checks it).
    pub weak_signatures: Vec<String>,
    /// RSA under 2048 bits, EC under 256 bits, DSA.
    pub weak_keys: Vec<String>,
    /// The leaf demands OCSP stapling (TLS feature extension, status_request).
    pub must_staple: bool,
    pub ocsp_stapled: bool,
    /// `good`, `revoked`, `unknown`, `unsuccessful` (the responder answered with an error status)
    /// or `unparsable`; `None` without a staple.
    pub ocsp_status: Option<String>,
    pub ocsp: Option<OcspInfo>,
    /// Must-staple, but no usable `good` staple was sent: Firefox refuses the connection.
    pub must_staple_violated: bool,
    /// Signed Certificate Timestamps embedded in the leaf.
    pub sct_count: usize,
    /// Those SCTs, each with its log id and time (and the log's name when well known).
    #[serde(default)]
    pub scts: Vec<super::sct::Sct>,
    /// Every problem, worst first.
    pub findings: Vec<Finding>,
}

/// Whether two chains are the same certificates in the same order (to compare the chain sent
/// without SNI with the one sent for the name).
pub fn same_chain(a: &[CertificateDer<'_>], b: &[CertificateDer<'_>]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.as_ref() == y.as_ref())
}

/// Whether two chains start with the same leaf certificate.
pub fn same_leaf(a: &[CertificateDer<'_>], b: &[CertificateDer<'_>]) -> bool {
    match (a.first(), b.first()) {
        (Some(x), Some(y)) => x.as_ref() == y.as_ref(),
        _ => false,
    }
}
