//! The scan report: one typed model, serialised as JSON (schema: docs/scan.schema.json) and read
//! back by `tlskit report`, rendered as grouped text by [`text`].
//!
//! Meaning is carried by types, never by strings the program wrote itself: versions are
//! [`Version`], suite ids [`SuiteId`], weakness ids [`WeaknessId`], severities
//! [`Severity`]; the serde attributes keep the JSON exactly as it always was (a golden test in
//! crates/cli/tests/it/scan_golden.rs compares it byte for byte).

#![warn(missing_docs)]

mod client_auth;
pub mod dh;
pub mod dns;
pub mod ech;
pub mod extensions;
mod features;
pub mod http;
mod keys;
pub mod revocation;
pub mod saved;
mod simulation;
mod strength;
mod style;
pub mod text;
mod types;
mod verdicts;
mod weakness;

pub use crate::finding::{Finding, Severity};
pub(crate) use crate::scan::version_serde::{version_name, version_names};
pub use client_auth::{ClientAuth, ClientSigAlg};
pub use features::{Alpn, SessionFeatures, TicketLifetime};
pub use keys::{EcCurve, KeyExchange, KeyType};
pub use revocation::{Revocation, RevocationCheck, RevocationSource, RevocationStatus};
pub use saved::{parse_saved, SavedItem};
pub use simulation::SimulatedClient;
pub use strength::Strength;
pub use style::Style;
pub use types::SuiteId;
pub use types::WeaknessId;
pub use verdicts::{Deviation, Grade, GradeLetter, PolicyResult, RuleHit};
pub use weakness::{RobotOracle, Verdict, Vulnerability};

use crate::net::starttls::Transcript;
use crate::pki::inspect::CertInfo;
use serde::{Deserialize, Serialize};
use tlskit_wire::registry::{self, CipherSuite};
use tlskit_wire::version::Version;

/// Everything a scan found about one endpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ScanReport {
    /// "tlskit 0.1.0".
    pub tool: String,
    /// What was scanned.
    pub target: TargetInfo,
    /// RFC 3339 UTC time the scan started.
    pub started_at: String,
    /// How long the scan took, in milliseconds.
    pub scan_time_ms: u64,
    /// TCP connections opened.
    pub connections: u32,
    /// One entry per version, SSLv2 … TLSv1.3, in that order.
    pub protocols: Vec<ProtocolResult>,
    /// Key-exchange groups the server accepts.
    pub groups: Vec<GroupResult>,
    /// Signature algorithms the server signs with.
    pub signature_algorithms: Vec<SigAlgResult>,
    /// The certificate chains found, one per key type the server presents (with the SNI the
    /// scan sends: these are graded).
    pub certificates: Vec<CertificateChain>,
    /// What a client that sends no SNI gets, when the scan sends one (never graded: a finding
    /// says when it differs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_without_sni: Option<WithoutSni>,
    /// Whether the accepted suites have forward secrecy.
    pub forward_secrecy: ForwardSecrecy,
    /// The DH groups of the accepted DHE suites, named by value (absent when none is accepted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dh_parameters: Vec<dh::DhParameters>,
    /// The plaintext part of a STARTTLS session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starttls: Option<Transcript>,
    /// Renegotiation, fallback SCSV, compression, resumption, ALPN … (see checks::features).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_features: Option<SessionFeatures>,
    /// The TLS extensions the server sends, per offered version (see
    /// checks::server_extensions); absent when no version was offered or the section was left out
    /// (`--skip server_extensions`, or `--checks` without it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_extensions: Option<Vec<extensions::VersionExtensions>>,
    /// Client authentication: whether the server requests or requires a client certificate
    /// (see checks::client_auth); absent when that check did not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_auth: Option<ClientAuth>,
    /// What well-known clients would negotiate with the server, or why they fail (see
    /// checks::simulation); absent with `--no-simulation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_simulation: Option<Vec<SimulatedClient>>,
    /// One HTTP GET over TLS (see checks::http); absent with --no-http, over STARTTLS, and for
    /// targets that do not speak HTTP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<http::HttpReport>,
    /// The DNS look-ups of `--dns` (CAA records); absent without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns: Option<dns::DnsReport>,
    /// Encrypted Client Hello (see checks::ech); absent when that check did not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ech: Option<ech::EchReport>,
    /// Known weaknesses and the verdict on each.
    pub vulnerabilities: Vec<Vulnerability>,
    /// The grade and its reasons.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<Grade>,
    /// The verdict of `--policy`, when one was given (see docs/POLICY.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyResult>,
    /// Problems worth knowing, worst first.
    pub findings: Vec<Finding>,
    /// Probes that could not be completed, in words.
    pub errors: Vec<String>,
    /// JA3 and JA4 of tlskit's own ClientHellos in this scan (how an IDS or a server log sees the
    /// scanner).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_hellos: Option<ClientHellos>,
    /// The outbound proxy every probe went through (`--proxy`, HTTPS_PROXY …); then
    /// `target.ip` is the target's address only when tlskit resolved it (empty when the proxy did).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<crate::net::proxy::ProxyUse>,
}

/// The endpoint scanned.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TargetInfo {
    /// The host name or address as given.
    pub host: String,
    /// The TCP port.
    pub port: u16,
    /// The address scanned.
    pub ip: String,
    /// SNI sent (None for IP literals or --no-sni).
    pub servername: Option<String>,
    /// The STARTTLS protocol used ("smtp", "imap" …), if any.
    pub starttls: Option<String>,
}

impl TargetInfo {
    /// `host`:`port` at `ip`, without SNI or STARTTLS (set those fields when they apply).
    pub fn new(host: String, port: u16, ip: String) -> TargetInfo {
        TargetInfo {
            host,
            port,
            ip,
            servername: None,
            starttls: None,
        }
    }
}

/// What one protocol version accepts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProtocolResult {
    /// "SSLv2" "SSLv3" "TLSv1.0" "TLSv1.1" "TLSv1.2" "TLSv1.3".
    #[serde(with = "version_name")]
    pub version: Version,
    /// The server accepts this version.
    pub offered: bool,
    /// Accepted suites; in the server's order when it imposes one.
    pub cipher_suites: Vec<SuiteResult>,
    /// true: the server chooses by its own order; false: by the client's; null: cannot tell
    /// (not offered, or a single suite).
    pub server_order: Option<bool>,
    /// What the server did instead, when not offered (e.g. "answered with TLSv1.2").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Why this version could not be tested, when it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One accepted cipher suite.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SuiteResult {
    /// IANA code point (SSLv2 cipher kinds use their 3-byte code).
    pub id: SuiteId,
    /// IANA name.
    pub name: String,
    /// OpenSSL's name, when it has one.
    pub openssl_name: Option<String>,
    /// Key exchange: "ECDH", "DH", "RSA", "any" (TLS 1.3) …
    pub kx: String,
    /// Authentication: "RSA", "ECDSA", "None" (anonymous), "any" (TLS 1.3) …
    pub auth: String,
    /// Encryption as `openssl ciphers -v` writes it: "AESGCM(128)", "3DES(168)" …
    pub enc: String,
    /// MAC: "AEAD", "SHA1", "SHA256" …
    pub mac: String,
    /// Symmetric key bits.
    pub bits: u16,
    /// The key exchange is ephemeral (forward secret).
    pub forward_secrecy: bool,
    /// The key exchange actually seen: "x25519", "secp256r1", "DH 2048", "RSA 2048".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_exchange: Option<KeyExchange>,
    /// A DHE suite's group, named by the prime's value (ffdhe2048, RFC 3526 group 14, custom).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dh_group: Option<crate::scan::data::dhprimes::DhGroup>,
}

impl SuiteResult {
    /// The registry entry (None for SSLv2 kinds and code points the registry does not know).
    pub fn suite(&self) -> Option<&'static CipherSuite> {
        self.id.suite()
    }

    /// The entry for a registry suite, with the key exchange seen (if any).
    pub fn from_suite(s: &CipherSuite, key_exchange: Option<KeyExchange>) -> SuiteResult {
        SuiteResult {
            id: SuiteId::Tls(s.id),
            name: s.iana.to_string(),
            openssl_name: s.openssl.map(str::to_string),
            kx: s.kx.name().to_string(),
            auth: s.auth.name().to_string(),
            enc: s.openssl_enc(),
            mac: s.mac.name().to_string(),
            bits: s.bits,
            forward_secrecy: s.forward_secret(),
            key_exchange,
            dh_group: None,
        }
    }

    /// The entry for a TLS suite id (placeholders when the registry does not know it).
    pub fn from_id(id: u16, key_exchange: Option<KeyExchange>) -> SuiteResult {
        match registry::cipher_suite(id) {
            Some(s) => Self::from_suite(s, key_exchange),
            None => SuiteResult {
                id: SuiteId::Tls(id),
                name: registry::suite_name(id),
                openssl_name: None,
                kx: "?".into(),
                auth: "?".into(),
                enc: "?".into(),
                mac: "?".into(),
                bits: 0,
                forward_secrecy: false,
                key_exchange,
                dh_group: None,
            },
        }
    }
}

/// One key-exchange group the server accepts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GroupResult {
    /// IANA code point.
    pub id: u16,
    /// IANA name.
    pub name: String,
    /// "ec", "ecx", "ffdhe", "hybrid", "pqc".
    pub kind: String,
    /// Classical security or field size in bits, as registries report it.
    pub bits: u16,
    /// Versions it was accepted with.
    #[serde(with = "version_names")]
    pub versions: Vec<Version>,
}

/// One signature algorithm the server signs with.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SigAlgResult {
    /// IANA code point.
    pub id: u16,
    /// IANA name.
    pub name: String,
    /// Versions it was signed with.
    #[serde(with = "version_names")]
    pub versions: Vec<Version>,
    /// TLSv1.2 on a server with certificates of several kinds: the kind of certificate the
    /// server signed with it (found by offering only that kind's suites). Absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_type: Option<SigCertType>,
}

/// The kind of certificate a TLS 1.2 signature was made with (`cert_type` in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SigCertType {
    /// An rsaEncryption key (PKCS #1 v1.5 or RSA-PSS signatures).
    Rsa,
    /// An RSASSA-PSS key.
    RsaPss,
    /// An ECDSA key.
    Ecdsa,
    /// An Ed25519 key.
    Ed25519,
    /// An Ed448 key.
    Ed448,
    /// A DSA key.
    Dsa,
}

impl SigCertType {
    /// "RSA", "RSA-PSS", "ECDSA", "Ed25519", "Ed448", "DSA".
    pub fn name(self) -> &'static str {
        match self {
            SigCertType::Rsa => "RSA",
            SigCertType::RsaPss => "RSA-PSS",
            SigCertType::Ecdsa => "ECDSA",
            SigCertType::Ed25519 => "Ed25519",
            SigCertType::Ed448 => "Ed448",
            SigCertType::Dsa => "DSA",
        }
    }
}

/// One certificate chain the server presents.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CertificateChain {
    /// The leaf's key: "RSA 2048", "ECDSA P-256", "Ed25519".
    pub key_type: KeyType,
    /// How it was obtained: "TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256", "TLSv1.3 ecdsa_secp256r1_sha256".
    pub found_with: Vec<String>,
    /// Leaf first, as sent.
    pub certificates: Vec<CertInfo>,
    /// Chain analysis (trust, order, hostname …), when computed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub analysis: Option<crate::pki::chain::ChainAnalysis>,
}

/// The certificate a client that sends no SNI gets (asked only when the scan sends one). Old
/// clients and scripts that connect by address get it. Like SSL Labs, tlskit grades only the
/// chains served for the name and reports this one apart. In JSON the variant is the `outcome`
/// field: `same`, `different`, `refused`, `not_determined`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[non_exhaustive]
pub enum WithoutSni {
    /// The leaf of a chain served with SNI.
    Same {
        /// The chain as sent without SNI.
        chain: Box<CertificateChain>,
    },
    /// Another certificate: a finding says whether such a client accepts it.
    Different {
        /// The chain, analysed against the name scanned (what such a client checks).
        chain: Box<CertificateChain>,
    },
    /// The server refuses a client without SNI (an alert, a close).
    Refused {
        /// What it answered.
        answer: String,
    },
    /// The probe failed (reset, timeout, not TLS): not determined; also among the errors.
    NotDetermined {
        /// What went wrong.
        error: String,
    },
}

/// Forward secrecy over the accepted suites.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ForwardSecrecy {
    /// Every accepted suite (TLS ≥ 1.0) has forward secrecy.
    pub all: bool,
    /// Some accepted suite has it.
    pub some: bool,
    /// IANA names of accepted suites without it.
    pub suites_without: Vec<String>,
}

/// The fingerprints of the ClientHellos a scan sent, most frequent JA4 first.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ClientHellos {
    /// ClientHellos sent by the probes (SSLv2 hellos and the handshakes of the session-feature
    /// checks are not counted).
    pub sent: u32,
    /// One entry per distinct JA4 (the suite lists vary from probe to probe, so the b part does;
    /// the a and c parts are the scanner's signature).
    pub fingerprints: Vec<HelloFingerprint>,
}

/// One distinct ClientHello fingerprint.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HelloFingerprint {
    /// The JA4 fingerprint.
    pub ja4: String,
    /// JA3 (the MD5 of the JA3 string) of the hellos with this JA4; when they differ (the same
    /// extensions in another order), the smallest, so that the report does not depend on which
    /// of the scan's concurrent probes went first.
    pub ja3_hash: String,
    /// How many hellos had this JA4.
    pub hellos: u32,
}

impl ClientHellos {
    /// Count one more ClientHello.
    pub fn add(&mut self, ch: &tlskit_wire::client_hello::ClientHello) {
        self.sent += 1;
        let ja4 = ch.ja4().ja4;
        let ja3_hash = crate::observe::analyze::md5_hex(&ch.ja3_string());
        match self.fingerprints.iter_mut().find(|f| f.ja4 == ja4) {
            Some(f) => {
                f.hellos += 1;
                if ja3_hash < f.ja3_hash {
                    f.ja3_hash = ja3_hash;
                }
            }
            None => self.fingerprints.push(HelloFingerprint {
                ja4,
                ja3_hash,
                hellos: 1,
            }),
        }
    }

    /// Most frequent first; equal counts by JA4 (an order that does not depend on timing).
    pub fn sorted(mut self) -> Self {
        self.fingerprints
            .sort_by(|a, b| b.hellos.cmp(&a.hellos).then_with(|| a.ja4.cmp(&b.ja4)));
        self
    }
}

impl ScanReport {
    /// A report of `localhost:443` with the given parts, for unit tests of what reads reports
    /// (grade, policy). Forward secrecy is derived from the protocols as a scan derives it.
    #[cfg(test)]
    pub(crate) fn for_tests(
        protocols: Vec<ProtocolResult>,
        groups: Vec<GroupResult>,
        certificates: Vec<CertificateChain>,
    ) -> ScanReport {
        ScanReport {
            tool: "tlskit test".into(),
            target: TargetInfo {
                host: "localhost".into(),
                port: 443,
                ip: "127.0.0.1".into(),
                servername: Some("localhost".into()),
                starttls: None,
            },
            started_at: String::new(),
            scan_time_ms: 0,
            connections: 1,
            forward_secrecy: crate::scan::forward_secrecy(&protocols),
            dh_parameters: dh::collect(&protocols),
            protocols,
            groups,
            signature_algorithms: Vec::new(),
            certificates,
            certificate_without_sni: None,
            starttls: None,
            session_features: None,
            server_extensions: None,
            client_auth: None,
            client_simulation: None,
            http: None,
            dns: None,
            ech: None,
            vulnerabilities: Vec::new(),
            grade: None,
            policy: None,
            findings: Vec::new(),
            errors: Vec::new(),
            client_hellos: None,
            proxy: None,
        }
    }

    /// The result for a version, if present.
    pub fn protocol(&self, v: Version) -> Option<&ProtocolResult> {
        self.protocols.iter().find(|p| p.version == v)
    }

    /// Versions offered.
    pub fn offered_versions(&self) -> Vec<Version> {
        self.protocols
            .iter()
            .filter(|p| p.offered)
            .map(|p| p.version)
            .collect()
    }
}
