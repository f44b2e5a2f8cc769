//! Certificate chain analysis: everything a scanner reports about the chain a server sends.
//!
//! [`analyse`] takes the certificates as sent (leaf first), the host name the client asked for,
//! the stapled OCSP response and the time to judge by, and checks them against three sets of
//! trust anchors ([`TrustStores`]): the Mozilla roots built into tlskit (webpki-roots, what
//! Firefox trusts), the system store (`/etc/ssl/certs`, or `SSL_CERT_FILE` / `SSL_CERT_DIR`) and
//! the CAs given with `--ca`. Path building and trust use rustls-webpki, exactly as tlskit's own
//! client does; everything else (order, missing intermediates, weak signatures and keys,
//! validity, host name, must-staple, the OCSP staple, SCTs) is worked out here so that each
//! problem gets its own sentence and [`Finding`].
//!
//! rustls-webpki refuses SHA-1 signatures and RSA keys under 2048 bits. When a chain fails for
//! that reason it is checked a second time with those legacy algorithms allowed, so the report
//! can say "signed with SHA-1, rejected by modern clients" instead of a bare "untrusted".

use super::inspect::{self, CertInfo};
use super::rehash::der;
use crate::error::{Error, Result};
use rustls_pki_types::{
    alg_id, AlgorithmIdentifier, CertificateDer, InvalidSignature, SignatureVerificationAlgorithm,
    TrustAnchor, UnixTime,
};
use serde::Serialize;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::time::Duration;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use x509_parser::prelude::FromDer;
use x509_parser::x509::X509Name;

// ---------------------------------------------------------------------------------------------
// Trust stores.

/// One set of trust anchors.
#[derive(Debug, Clone)]
pub struct Store {
    /// `"mozilla"`, `"system"` or `"custom"` (the value of [`TrustResult::store`]).
    pub name: &'static str,
    /// Where the anchors came from, for people: `"Mozilla roots built into tlskit (146)"`.
    pub description: String,
    pub anchors: Vec<TrustAnchor<'static>>,
    /// Certificates in the store that could not be used (unparsable, not a CA), and errors reading it.
    pub problems: Vec<String>,
}

impl Store {
    fn from_certs(name: &'static str, description: String, certs: &[CertificateDer<'_>]) -> Store {
        let mut anchors = Vec::new();
        let mut problems = Vec::new();
        for (i, c) in certs.iter().enumerate() {
            match webpki::anchor_from_trusted_cert(c) {
                Ok(a) => anchors.push(a.to_owned()),
                Err(e) => problems.push(format!(
                    "certificate #{} cannot be a trust anchor ({e:?})",
                    i + 1
                )),
            }
        }
        Store {
            name,
            description,
            anchors,
            problems,
        }
    }

    /// The Mozilla root program's anchors, as compiled into tlskit (webpki-roots).
    pub fn mozilla() -> Store {
        let anchors = webpki_roots::TLS_SERVER_ROOTS.to_vec();
        Store {
            name: "mozilla",
            description: format!("Mozilla roots built into tlskit ({})", roots(anchors.len())),
            anchors,
            problems: Vec::new(),
        }
    }

    /// The operating system's store (rustls-native-certs: `SSL_CERT_FILE` / `SSL_CERT_DIR` when
    /// set, else the platform's CA bundle).
    pub fn system() -> Store {
        let found = rustls_native_certs::load_native_certs();
        let mut from_env = Vec::new();
        for var in ["SSL_CERT_FILE", "SSL_CERT_DIR"] {
            if let Some(v) = std::env::var_os(var) {
                from_env.push(format!("{var}={}", v.to_string_lossy()));
            }
        }
        let source = if from_env.is_empty() {
            "the system CA bundle".to_string()
        } else {
            from_env.join(" ")
        };
        let mut store = Store::from_certs("system", String::new(), &found.certs);
        store.description = format!("{source} ({})", roots(store.anchors.len()));
        store
            .problems
            .extend(found.errors.iter().map(|e| e.to_string()));
        store
    }

    /// Anchors from `--ca` files or directories; an error if one of them holds no usable anchor.
    pub fn custom(paths: &[PathBuf]) -> Result<Store> {
        let mut all = Vec::new();
        for path in paths {
            let certs = super::load::load_trust(path)?;
            let store = Store::from_certs("custom", String::new(), &certs);
            if store.anchors.is_empty() {
                return Err(Error::input(format!(
                    "{} holds no certificate usable as a trust anchor (--ca wants CA certificates in PEM or DER)",
                    path.display()
                )));
            }
            all.extend(certs);
        }
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        let mut store = Store::from_certs("custom", String::new(), &all);
        store.description = format!("--ca {} ({})", names.join(", "), roots(store.anchors.len()));
        Ok(store)
    }
}

fn roots(n: usize) -> String {
    if n == 1 {
        "1 root".to_string()
    } else {
        format!("{n} roots")
    }
}

/// The trust anchors a scan judges chains against. Load once per run and share (it is cheap to
/// clone behind an `Arc`).
#[derive(Debug, Clone)]
pub struct TrustStores {
    pub mozilla: Store,
    pub system: Store,
    /// Present when `--ca` was given.
    pub custom: Option<Store>,
}

impl TrustStores {
    /// Mozilla roots, the system store, and the CAs in `ca` (files or directories).
    pub fn load(ca: &[PathBuf]) -> Result<TrustStores> {
        Ok(TrustStores {
            mozilla: Store::mozilla(),
            system: Store::system(),
            custom: if ca.is_empty() {
                None
            } else {
                Some(Store::custom(ca)?)
            },
        })
    }

    /// Stores from certificates already in memory (the Mozilla set is always the built-in one);
    /// an empty `custom` means no custom store. Meant for tests and embedders.
    pub fn from_certs(system: &[CertificateDer<'_>], custom: &[CertificateDer<'_>]) -> TrustStores {
        TrustStores {
            mozilla: Store::mozilla(),
            system: Store::from_certs(
                "system",
                format!("given system roots ({})", roots(system.len())),
                system,
            ),
            custom: (!custom.is_empty()).then(|| {
                Store::from_certs(
                    "custom",
                    format!("given CAs ({})", roots(custom.len())),
                    custom,
                )
            }),
        }
    }

    /// The stores in report order: mozilla, system, custom.
    pub fn stores(&self) -> Vec<&Store> {
        let mut v = vec![&self.mozilla, &self.system];
        if let Some(c) = &self.custom {
            v.push(c);
        }
        v
    }
}

// ---------------------------------------------------------------------------------------------
// The report model.

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

/// How bad a finding is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl Severity {
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

/// One problem (or noteworthy fact), with a stable id such as `cert.expired`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Finding {
    pub severity: Severity,
    pub id: String,
    pub message: String,
}

/// The verdict of one trust store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct TrustResult {
    /// `"mozilla"`, `"system"` or `"custom"`.
    pub store: String,
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
    pub revocation_reason: Option<String>,
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
    /// One verdict per trust store.
    pub trust: Vec<TrustResult>,
    /// At least one store trusts the chain.
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

// ---------------------------------------------------------------------------------------------
// Parsed certificates.

/// The parts of a certificate the checks need, borrowed from its DER.
struct Parsed<'a> {
    /// Position as sent (0 = leaf).
    index: usize,
    der: &'a [u8],
    tbs: &'a [u8],
    /// Content of the signatureAlgorithm AlgorithmIdentifier.
    sig_alg: &'a [u8],
    signature: &'a [u8],
    /// Full DER of the issuer Name, and its content (what trust anchors store).
    issuer_der: &'a [u8],
    issuer: &'a [u8],
    subject: &'a [u8],
    /// Content of the SubjectPublicKeyInfo's AlgorithmIdentifier, and the key bits.
    spki_alg: &'a [u8],
    public_key: &'a [u8],
    serial: &'a [u8],
    info: CertInfo,
}

fn parse_cert(index: usize, der_bytes: &[u8], now: OffsetDateTime) -> Option<Parsed<'_>> {
    let info = CertInfo::from_der_at(der_bytes, now).ok()?;
    let (cert, _) = der::expect(der_bytes, der::SEQUENCE)?;
    let (tbs, rest) = der::expect(cert.content, der::SEQUENCE)?;
    let (sig_alg, rest) = der::expect(rest, der::SEQUENCE)?;
    let (sig, _) = der::expect(rest, 0x03)?;
    let fields = der::all(tbs.content)?;
    let base = usize::from(fields.first()?.tag == 0xa0);
    let serial = fields.get(base)?;
    let issuer = fields.get(base + 2)?;
    let subject = fields.get(base + 4)?;
    let spki = fields.get(base + 5)?;
    let (alg, rest) = der::expect(spki.content, der::SEQUENCE)?;
    let (bits, _) = der::expect(rest, 0x03)?;
    Some(Parsed {
        index,
        der: der_bytes,
        tbs: tbs.raw,
        sig_alg: sig_alg.content,
        signature: sig.content.get(1..)?,
        issuer_der: issuer.raw,
        issuer: issuer.content,
        subject: subject.content,
        spki_alg: alg.content,
        public_key: bits.content.get(1..)?,
        serial: strip_leading_zeros(serial.content),
        info,
    })
}

fn strip_leading_zeros(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|x| **x == 0).count();
    &b[n.min(b.len().saturating_sub(1))..]
}

/// A public key: the content of its AlgorithmIdentifier and the key bits.
struct Key<'a> {
    alg: &'a [u8],
    bits: &'a [u8],
}

impl<'a> Key<'a> {
    fn of(p: &Parsed<'a>) -> Key<'a> {
        Key {
            alg: p.spki_alg,
            bits: p.public_key,
        }
    }

    /// From a trust anchor's `subject_public_key_info` (the SPKI without its outer SEQUENCE).
    fn of_anchor(a: &'a TrustAnchor<'_>) -> Option<Key<'a>> {
        let (alg, rest) = der::expect(a.subject_public_key_info.as_ref(), der::SEQUENCE)?;
        let (bits, _) = der::expect(rest, 0x03)?;
        Some(Key {
            alg: alg.content,
            bits: bits.content.get(1..)?,
        })
    }
}

/// Check `signature` over `message` with `key`, trying modern then legacy algorithms.
/// `None` when no algorithm we have matches the key and signature algorithm (MD5, DSA, …).
fn verify_with(key: &Key<'_>, sig_alg: &[u8], message: &[u8], signature: &[u8]) -> Option<bool> {
    let mut known = false;
    for alg in strict_algs().iter().copied().chain(legacy_algs()) {
        if alg.public_key_alg_id().as_ref() != key.alg || alg.signature_alg_id().as_ref() != sig_alg
        {
            continue;
        }
        known = true;
        if alg.verify_signature(key.bits, message, signature).is_ok() {
            return Some(true);
        }
    }
    known.then_some(false)
}

/// `parent` issued `child`: names chain and the signature verifies (or, for algorithms we cannot
/// check, the key identifiers agree).
fn issued_by(child: &Parsed<'_>, parent: &Parsed<'_>) -> bool {
    if child.issuer != parent.subject {
        return false;
    }
    match verify_with(&Key::of(parent), child.sig_alg, child.tbs, child.signature) {
        Some(ok) => ok,
        None => match (&child.info.authority_key_id, &parent.info.subject_key_id) {
            (Some(a), Some(s)) => a == s,
            _ => true,
        },
    }
}

fn issued_by_anchor(child: &Parsed<'_>, anchor: &TrustAnchor<'_>) -> bool {
    if child.issuer != anchor.subject.as_ref() {
        return false;
    }
    match Key::of_anchor(anchor) {
        Some(key) => verify_with(&key, child.sig_alg, child.tbs, child.signature).unwrap_or(true),
        None => false,
    }
}

/// The certificate is itself an anchor (same subject and key), e.g. a root the server sends.
fn is_anchor(cert: &Parsed<'_>, anchor: &TrustAnchor<'_>) -> bool {
    cert.subject == anchor.subject.as_ref()
        && Key::of_anchor(anchor)
            .is_some_and(|k| k.alg == cert.spki_alg && k.bits == cert.public_key)
}

/// Format a Name given as its content (no SEQUENCE header), as trust anchors store it.
fn name_from_content(content: &[u8]) -> String {
    let mut seq = Vec::with_capacity(content.len() + 4);
    der::push_tlv(&mut seq, der::SEQUENCE, content);
    match X509Name::from_der(&seq) {
        Ok((_, n)) => inspect::format_name(&n),
        Err(_) => "(unreadable name)".to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Signature algorithms.

/// The algorithms rustls (aws-lc-rs provider) accepts in certificates.
fn strict_algs() -> &'static [&'static dyn SignatureVerificationAlgorithm] {
    static ALGS: std::sync::OnceLock<&'static [&'static dyn SignatureVerificationAlgorithm]> =
        std::sync::OnceLock::new();
    ALGS.get_or_init(|| {
        rustls::crypto::aws_lc_rs::default_provider()
            .signature_verification_algorithms
            .all
    })
}

/// A signature algorithm modern verifiers refuse, for the second, "would it verify otherwise"
/// pass: SHA-1 (RSA, ECDSA P-256) and RSA keys of 1024–2047 bits.
#[derive(Debug)]
struct LegacyAlg {
    public_key: AlgorithmIdentifier,
    signature: AlgorithmIdentifier,
    verify: &'static dyn aws_lc_rs::signature::VerificationAlgorithm,
}

impl SignatureVerificationAlgorithm for LegacyAlg {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> std::result::Result<(), InvalidSignature> {
        aws_lc_rs::signature::UnparsedPublicKey::new(self.verify, public_key)
            .verify(message, signature)
            .map_err(|_| InvalidSignature)
    }
    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        self.public_key
    }
    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.signature
    }
    fn fips(&self) -> bool {
        false
    }
}

static RSA_SHA1: aws_lc_rs::signature::RsaParameters =
    aws_lc_rs::signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY;
static RSA1024_SHA256: aws_lc_rs::signature::RsaParameters =
    aws_lc_rs::signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY;
static RSA1024_SHA512: aws_lc_rs::signature::RsaParameters =
    aws_lc_rs::signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY;
static ECDSA_P256_SHA1: aws_lc_rs::signature::EcdsaVerificationAlgorithm =
    aws_lc_rs::signature::ECDSA_P256_SHA1_ASN1;

// sha1WithRSAEncryption (1.2.840.113549.1.1.5) with NULL parameters and without.
const SHA1_RSA_ID: AlgorithmIdentifier = AlgorithmIdentifier::from_slice(&[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05, 0x05, 0x00,
]);
const SHA1_RSA_ABSENT_ID: AlgorithmIdentifier = AlgorithmIdentifier::from_slice(&[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05,
]);
// ecdsa-with-SHA1 (1.2.840.10045.4.1).
const SHA1_ECDSA_ID: AlgorithmIdentifier =
    AlgorithmIdentifier::from_slice(&[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01]);

static LEGACY: [LegacyAlg; 5] = [
    LegacyAlg {
        public_key: alg_id::RSA_ENCRYPTION,
        signature: SHA1_RSA_ID,
        verify: &RSA_SHA1,
    },
    LegacyAlg {
        public_key: alg_id::RSA_ENCRYPTION,
        signature: SHA1_RSA_ABSENT_ID,
        verify: &RSA_SHA1,
    },
    LegacyAlg {
        public_key: alg_id::RSA_ENCRYPTION,
        signature: alg_id::RSA_PKCS1_SHA256,
        verify: &RSA1024_SHA256,
    },
    LegacyAlg {
        public_key: alg_id::RSA_ENCRYPTION,
        signature: alg_id::RSA_PKCS1_SHA512,
        verify: &RSA1024_SHA512,
    },
    LegacyAlg {
        public_key: alg_id::ECDSA_P256,
        signature: SHA1_ECDSA_ID,
        verify: &ECDSA_P256_SHA1,
    },
];

fn legacy_algs() -> impl Iterator<Item = &'static dyn SignatureVerificationAlgorithm> {
    LEGACY
        .iter()
        .map(|a| a as &'static dyn SignatureVerificationAlgorithm)
}

/// Legacy algorithms first: rustls-webpki uses the first algorithm whose identifiers match, and
/// the legacy RSA entries share theirs with the modern ones (only the key size limit differs).
fn strict_and_legacy() -> Vec<&'static dyn SignatureVerificationAlgorithm> {
    legacy_algs().chain(strict_algs().iter().copied()).collect()
}

/// Signature algorithms that are broken for certificates (by OpenSSL's name or OID).
fn weak_signature_hash(alg: &str) -> Option<&'static str> {
    match alg {
        "md5WithRSAEncryption" | "1.2.840.113549.1.1.4" => Some("MD5"),
        "1.2.840.113549.1.1.2" | "1.2.840.113549.1.1.3" => Some("MD2/MD4"),
        "sha1WithRSAEncryption" | "ecdsa-with-SHA1" | "dsaWithSHA1" | "1.3.14.3.2.29" => {
            Some("SHA-1")
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// The analysis.

fn to_offset(t: UnixTime) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(t.as_secs() as i64).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn label(p: &Parsed<'_>) -> String {
    format!("#{} {}", p.index + 1, short_name(&p.info))
}

/// The subject, or a stand-in for an empty one.
fn short_name(info: &CertInfo) -> String {
    if info.subject.is_empty() {
        "(empty subject)".to_string()
    } else {
        info.subject.clone()
    }
}

fn plural(n: i64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn date(rfc3339: &str) -> &str {
    rfc3339.split('T').next().unwrap_or(rfc3339)
}

/// Analyse a chain. Never fails: whatever cannot be checked is reported in the findings.
pub fn analyse(input: &ChainInput<'_>, stores: &TrustStores) -> ChainAnalysis {
    let now = to_offset(input.now);
    let mut a = ChainAnalysis {
        certificates: Vec::new(),
        trust: Vec::new(),
        trusted: false,
        order_ok: true,
        order_problems: Vec::new(),
        missing_intermediate: false,
        missing_intermediate_detail: None,
        contains_root: false,
        self_signed_leaf: false,
        leaf_expired: false,
        leaf_not_yet_valid: false,
        leaf_days_left: 0,
        earliest_expiry: None,
        hostname: input.hostname.map(str::to_owned),
        hostname_match: None,
        weak_signatures: Vec::new(),
        weak_keys: Vec::new(),
        must_staple: false,
        ocsp_stapled: false,
        ocsp_status: None,
        ocsp: None,
        must_staple_violated: false,
        sct_count: 0,
        findings: Vec::new(),
    };
    let mut findings = Findings::default();

    if input.chain.is_empty() {
        findings.add(
            Severity::Critical,
            "cert.none",
            "the server sent no certificate".to_string(),
        );
        a.order_ok = false;
        a.findings = findings.into_sorted();
        return a;
    }

    let mut parsed: Vec<Parsed<'_>> = Vec::new();
    for (i, c) in input.chain.iter().enumerate() {
        match parse_cert(i, c.as_ref(), now) {
            Some(p) => parsed.push(p),
            None => findings.add(
                Severity::Critical,
                "cert.unparsable",
                format!("certificate #{} is not a valid X.509 certificate", i + 1),
            ),
        }
    }
    a.certificates = parsed.iter().map(|p| p.info.clone()).collect();
    let Some(leaf) = parsed.first().filter(|p| p.index == 0) else {
        a.order_ok = false;
        a.trust = stores
            .stores()
            .iter()
            .map(|s| TrustResult {
                store: s.name.to_string(),
                description: s.description.clone(),
                trusted: false,
                error: Some("the leaf certificate cannot be parsed".to_string()),
                path: Vec::new(),
                legacy_only: false,
            })
            .collect();
        a.findings = findings.into_sorted();
        return a;
    };

    // --- Structure: the issuing path through the sent certificates. ---
    let path = issuing_path(&parsed);
    structure(&parsed, &path, stores, &mut a, &mut findings);

    // --- Algorithms and keys. ---
    for &i in &path {
        let p = &parsed[i];
        // A root's self-signature is never checked by anyone; a self-signed leaf's is reported
        // as self-signed already, but a weak algorithm there is still worth a line.
        if p.info.self_signed && p.index != 0 {
            continue;
        }
        if let Some(hash) = weak_signature_hash(&p.info.signature_algorithm) {
            let msg = format!(
                "{} is signed with {} ({hash}), rejected by modern clients",
                short_name(&p.info),
                p.info.signature_algorithm
            );
            let sev = if hash == "SHA-1" {
                Severity::High
            } else {
                Severity::Critical
            };
            findings.add(sev, "cert.weak_signature", msg.clone());
            a.weak_signatures.push(msg);
        }
    }
    for &i in &path {
        let p = &parsed[i];
        if let Some(why) = weak_key(&p.info) {
            let msg = format!("{} has {why}", short_name(&p.info));
            findings.add(Severity::High, "cert.weak_key", msg.clone());
            a.weak_keys.push(msg);
        }
    }

    // --- Trust. ---
    for store in stores.stores() {
        a.trust.push(verify_store(store, input, &parsed, &a));
    }
    a.trusted = a.trust.iter().any(|t| t.trusted);
    trust_findings(&a, &mut findings);

    // --- The leaf. ---
    let li = &leaf.info;
    a.self_signed_leaf = li.self_signed;
    a.leaf_expired = li.expired;
    a.leaf_not_yet_valid = li.not_yet_valid;
    a.leaf_days_left = li.days_left;
    a.must_staple = li.must_staple;
    a.sct_count = li.sct_count as usize;
    validity(&parsed, &path, &mut a, &mut findings);

    if li.self_signed {
        findings.add(
            Severity::High,
            "cert.self_signed",
            format!(
                "the server's certificate ({}) is self-signed: no client trusts it unless it is installed as a trust anchor",
                short_name(li)
            ),
        );
    }
    if li.is_ca && parsed.len() > 1 {
        findings.add(
            Severity::Medium,
            "cert.leaf_is_ca",
            format!(
                "the first certificate ({}) is a CA certificate; the server's own certificate must come first",
                short_name(li)
            ),
        );
    }

    // --- Host name. ---
    if let Some(host) = input.hostname {
        let ok = inspect::matches_name(li, host);
        a.hostname_match = Some(ok);
        if !ok {
            findings.add(
                Severity::High,
                "cert.hostname_mismatch",
                mismatch_message(li, host),
            );
        }
    }

    // --- OCSP. ---
    ocsp(input, &parsed, &path, stores, now, &mut a, &mut findings);

    // --- Certificate Transparency. ---
    if a.sct_count == 0 && a.trust.iter().any(|t| t.store == "mozilla" && t.trusted) {
        findings.add(
            Severity::Low,
            "cert.no_embedded_sct",
            "the certificate has no embedded SCTs; Chrome and Safari require Certificate Transparency for publicly trusted certificates (SCTs may also come in a TLS extension or the OCSP staple)".to_string(),
        );
    }

    a.findings = findings.into_sorted();
    a
}

#[derive(Default)]
struct Findings(Vec<Finding>);

impl Findings {
    fn add(&mut self, severity: Severity, id: &str, message: String) {
        if !self.0.iter().any(|f| f.id == id && f.message == message) {
            self.0.push(Finding {
                severity,
                id: id.to_string(),
                message,
            });
        }
    }
    fn into_sorted(mut self) -> Vec<Finding> {
        self.0.sort_by_key(|f| f.severity);
        self.0
    }
}

/// Indexes (into `parsed`) of the leaf and each issuer found among the sent certificates, in
/// issuing order. Stops at a self-signed certificate or when no sent certificate is the issuer.
fn issuing_path(parsed: &[Parsed<'_>]) -> Vec<usize> {
    let mut path = vec![0usize];
    loop {
        let cur = &parsed[*path.last().expect("path starts with the leaf")];
        if cur.info.self_signed {
            break;
        }
        // Prefer the next certificate as sent, then any other.
        let next = *path.last().unwrap() + 1;
        let candidates = (next..parsed.len()).chain(0..next.min(parsed.len()));
        let found = candidates
            .filter(|j| !path.contains(j))
            .find(|&j| issued_by(cur, &parsed[j]));
        match found {
            Some(j) => path.push(j),
            None => break,
        }
    }
    path
}

fn structure(
    parsed: &[Parsed<'_>],
    path: &[usize],
    stores: &TrustStores,
    a: &mut ChainAnalysis,
    findings: &mut Findings,
) {
    // Order: the path must be the sent certificates in sequence.
    let in_order = path.iter().enumerate().all(|(k, &i)| i == k);
    if !in_order {
        let sent: Vec<String> = path.iter().map(|&i| label(&parsed[i])).collect();
        a.order_problems.push(format!(
            "the certificates are not sent in issuing order (each one followed by its issuer); the issuing order is {}",
            sent.join(" → ")
        ));
    }
    for (k, p) in parsed.iter().enumerate() {
        if path.contains(&k) {
            continue;
        }
        if let Some(first) = parsed[..k].iter().find(|q| q.der == p.der) {
            a.order_problems.push(format!(
                "certificate {} is a duplicate of #{}",
                label(p),
                first.index + 1
            ));
        } else {
            a.order_problems.push(format!(
                "certificate {} is not part of the leaf's chain (sent but not needed)",
                label(p)
            ));
        }
    }
    a.order_ok =
        a.order_problems.is_empty() && parsed.len() == parsed.last().map_or(0, |p| p.index + 1);
    for msg in &a.order_problems {
        findings.add(Severity::Low, "cert.chain_order", msg.clone());
    }

    // Root sent, or the chain reaches a trust anchor, or something is missing.
    let top = &parsed[*path.last().expect("non-empty path")];
    a.contains_root = path.len() > 1 && top.info.self_signed;
    if a.contains_root {
        findings.add(
            Severity::Info,
            "cert.root_sent",
            format!(
                "the server sends the root certificate {} too; clients already have it, so it only costs bytes",
                short_name(&top.info)
            ),
        );
    }
    if top.info.self_signed {
        return;
    }
    let anchors = stores.stores().into_iter().flat_map(|s| s.anchors.iter());
    let reaches_anchor = anchors.clone().any(|anchor| {
        path.iter()
            .any(|&i| issued_by_anchor(&parsed[i], anchor) || is_anchor(&parsed[i], anchor))
    });
    if reaches_anchor {
        return;
    }
    a.missing_intermediate = true;
    let issuer = name_from_content(top.issuer);
    let mut msg = if path.len() == 1 {
        format!(
            "the issuer of the server's certificate ({issuer}) is neither sent nor a trusted root: the server probably does not send its intermediate certificate"
        )
    } else {
        format!(
            "the chain stops at {}, whose issuer ({issuer}) is neither sent nor a trusted root: an intermediate certificate is probably missing",
            short_name(&top.info)
        )
    };
    match top.info.ca_issuer_urls.first() {
        Some(url) => msg.push_str(&format!(
            "; the issuer certificate is published at {url} (caIssuers), add it to the server's chain file"
        )),
        None => msg.push_str(&format!(
            "; if {issuer} is a private CA, pass its certificate with --ca"
        )),
    }
    a.missing_intermediate_detail = Some(msg.clone());
    findings.add(Severity::High, "cert.missing_intermediate", msg);
}

fn describe_webpki_error(e: &webpki::Error, store: &Store) -> String {
    use webpki::Error as E;
    match e {
        E::UnknownIssuer => match store.name {
            "mozilla" => "not issued by a CA in the Mozilla root store".to_string(),
            "system" => "not issued by a CA in the system trust store".to_string(),
            _ => "not issued by a CA given with --ca".to_string(),
        },
        E::CertExpired { .. } => "a certificate in the chain has expired".to_string(),
        E::CertNotValidYet { .. } => "a certificate in the chain is not valid yet".to_string(),
        E::InvalidCertValidity => "a certificate's validity period is malformed".to_string(),
        E::InvalidSignatureForPublicKey => {
            "a signature in the chain does not verify (a certificate was altered, or was not signed by the CA it names)".to_string()
        }
        E::CaUsedAsEndEntity => {
            "the first certificate is a CA certificate, not a server certificate".to_string()
        }
        E::EndEntityUsedAsCa => {
            "a certificate that is not a CA (basicConstraints CA:FALSE or absent) issued another one".to_string()
        }
        E::RequiredEkuNotFoundContext(_) => {
            "the server's certificate is not allowed for TLS servers (extendedKeyUsage lacks serverAuth)".to_string()
        }
        E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_)
        | E::SignatureAlgorithmMismatch => {
            "the chain uses a signature algorithm modern clients do not accept".to_string()
        }
        E::CertRevoked => "the certificate is revoked".to_string(),
        E::CertDistrusted => "the chain contains a CA that clients have distrusted".to_string(),
        E::PathLenConstraintViolated => {
            "the chain is longer than a CA's pathLenConstraint allows".to_string()
        }
        E::NameConstraintViolation => {
            "the server's names are outside a CA's name constraints".to_string()
        }
        E::MaximumPathDepthExceeded
        | E::MaximumPathBuildCallsExceeded
        | E::MaximumSignatureChecksExceeded => {
            "the chain is too long or too tangled to verify".to_string()
        }
        E::UnsupportedCertVersion => "a certificate is not X.509 version 3".to_string(),
        E::UnsupportedCriticalExtension => {
            "a certificate has a critical extension that clients do not understand".to_string()
        }
        E::BadDer | E::BadDerTime | E::TrailingData(_) => {
            "a certificate in the chain is malformed".to_string()
        }
        E::MalformedExtensions | E::ExtensionValueInvalid | E::EmptyEkuExtension => {
            "a certificate in the chain has malformed extensions".to_string()
        }
        other => format!("verification failed ({other:?})"),
    }
}

fn is_algorithm_error(e: &webpki::Error) -> bool {
    use webpki::Error as E;
    matches!(
        e,
        E::UnsupportedSignatureAlgorithmContext(_)
            | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_)
            | E::SignatureAlgorithmMismatch
            | E::InvalidSignatureForPublicKey
    )
}

fn is_time_error(e: &webpki::Error) -> bool {
    matches!(
        e,
        webpki::Error::CertExpired { .. } | webpki::Error::CertNotValidYet { .. }
    )
}

/// A time at which every sent certificate is valid, if there is one.
fn time_all_valid(parsed: &[Parsed<'_>]) -> Option<UnixTime> {
    let parse = |s: &str| OffsetDateTime::parse(s, &Rfc3339).ok();
    let lo = parsed
        .iter()
        .filter_map(|p| parse(&p.info.not_before))
        .max()?;
    let hi = parsed
        .iter()
        .filter_map(|p| parse(&p.info.not_after))
        .min()?;
    if lo >= hi {
        return None;
    }
    let mid: OffsetDateTime = lo + (hi - lo) / 2i32;
    u64::try_from(mid.unix_timestamp())
        .ok()
        .map(|s| UnixTime::since_unix_epoch(Duration::from_secs(s)))
}

fn verify_store(
    store: &Store,
    input: &ChainInput<'_>,
    parsed: &[Parsed<'_>],
    a: &ChainAnalysis,
) -> TrustResult {
    let mut result = TrustResult {
        store: store.name.to_string(),
        description: store.description.clone(),
        trusted: false,
        error: None,
        path: Vec::new(),
        legacy_only: false,
    };
    if store.anchors.is_empty() {
        result.error = Some(match store.name {
            "system" => "the system trust store is empty or unreadable (install ca-certificates, or set SSL_CERT_FILE / SSL_CERT_DIR)".to_string(),
            _ => format!("{} holds no trust anchors", store.description),
        });
        return result;
    }
    let leaf = &input.chain[0];
    let ee = match webpki::EndEntityCert::try_from(leaf) {
        Ok(ee) => ee,
        Err(e) => {
            result.error = Some(format!(
                "the server's certificate cannot be used: {}",
                describe_webpki_error(&e, store)
            ));
            return result;
        }
    };
    let intermediates = &input.chain[1..];
    let subjects_of = |path: &webpki::VerifiedPath<'_>| -> Vec<String> {
        let mut v = vec![subject_of_der(leaf.as_ref(), parsed)];
        for c in path.intermediate_certificates() {
            v.push(subject_of_der(c.der().as_ref(), parsed));
        }
        v.push(name_from_content(path.anchor().subject.as_ref()));
        v
    };
    let attempt = |algs: &[&dyn SignatureVerificationAlgorithm], time: UnixTime| {
        ee.verify_for_usage(
            algs,
            &store.anchors,
            intermediates,
            time,
            webpki::KeyUsage::server_auth(),
            None,
            None,
        )
        .map(|p| subjects_of(&p))
    };
    let strict = strict_algs();
    let err = match attempt(strict, input.now) {
        Ok(path) => {
            result.trusted = true;
            result.path = path;
            return result;
        }
        Err(e) => e,
    };
    let mut message = describe_webpki_error(&err, store);
    let legacy = strict_and_legacy();
    if is_algorithm_error(&err) {
        if let Ok(path) = attempt(&legacy, input.now) {
            let mut why: Vec<String> = a.weak_signatures.clone();
            why.extend(a.weak_keys.iter().cloned());
            message = if why.is_empty() {
                "the chain uses a legacy algorithm (SHA-1 signature or RSA key under 2048 bits) that modern clients reject".to_string()
            } else {
                format!("{}; modern clients reject it", why.join("; "))
            };
            message.push_str(&format!(
                " (with legacy algorithms accepted the chain leads to {})",
                path.last().map(String::as_str).unwrap_or("a trusted root")
            ));
            result.legacy_only = true;
            result.path = path;
        }
    } else if is_time_error(&err) {
        if let Some(mid) = time_all_valid(parsed) {
            let ok = attempt(strict, mid)
                .or_else(|_| {
                    attempt(&legacy, mid).inspect(|_| {
                        result.legacy_only = true;
                    })
                })
                .ok();
            if let Some(path) = ok {
                let which = expired_names(parsed);
                if !which.is_empty() {
                    message = which;
                }
                message.push_str(&format!(
                    "; apart from that the chain leads to {}",
                    path.last().map(String::as_str).unwrap_or("a trusted root")
                ));
                result.path = path;
            }
        }
    }
    result.error = Some(message);
    result
}

fn subject_of_der(der_bytes: &[u8], parsed: &[Parsed<'_>]) -> String {
    parsed
        .iter()
        .find(|p| p.der == der_bytes)
        .map(|p| short_name(&p.info))
        .or_else(|| CertInfo::from_der(der_bytes).ok().map(|i| short_name(&i)))
        .unwrap_or_else(|| "(unparsable certificate)".to_string())
}

fn expired_names(parsed: &[Parsed<'_>]) -> String {
    let mut parts = Vec::new();
    for p in parsed {
        if p.info.expired {
            parts.push(format!(
                "{} expired on {}",
                short_name(&p.info),
                date(&p.info.not_after)
            ));
        } else if p.info.not_yet_valid {
            parts.push(format!(
                "{} is not valid before {}",
                short_name(&p.info),
                date(&p.info.not_before)
            ));
        }
    }
    parts.join("; ")
}

fn trust_findings(a: &ChainAnalysis, findings: &mut Findings) {
    let trust = &a.trust;
    if a.trusted {
        // Trusted somewhere: mention the stores that disagree only when it matters.
        let mozilla = trust.iter().find(|t| t.store == "mozilla");
        if let Some(m) = mozilla.filter(|m| !m.trusted) {
            let by: Vec<&str> = trust
                .iter()
                .filter(|t| t.trusted)
                .map(|t| t.store.as_str())
                .collect();
            findings.add(
                Severity::Info,
                "cert.private_ca",
                format!(
                    "trusted by the {} store but not by browsers (Mozilla roots): {}",
                    by.join(" and "),
                    m.error.as_deref().unwrap_or("untrusted")
                ),
            );
        }
        return;
    }
    let legacy = trust.iter().any(|t| t.legacy_only);
    let errors: Vec<String> = trust
        .iter()
        .map(|t| format!("{}: {}", t.store, t.error.as_deref().unwrap_or("untrusted")))
        .collect();
    let (id, lead) = if legacy {
        (
            "cert.untrusted_legacy",
            "the chain is rejected by modern clients because of legacy algorithms",
        )
    } else {
        ("cert.untrusted", "no trust store accepts the chain")
    };
    findings.add(
        Severity::High,
        id,
        format!("{lead} ({})", errors.join("; ")),
    );
}

fn validity(parsed: &[Parsed<'_>], path: &[usize], a: &mut ChainAnalysis, findings: &mut Findings) {
    for (k, p) in parsed.iter().enumerate() {
        let i = &p.info;
        let (which, leaf) = if p.index == 0 {
            ("the server's certificate".to_string(), true)
        } else {
            (format!("chain certificate #{}", p.index + 1), false)
        };
        if i.expired {
            findings.add(
                Severity::Critical,
                if leaf {
                    "cert.expired"
                } else {
                    "cert.chain_expired"
                },
                format!(
                    "{which} ({}) expired on {} ({} ago)",
                    short_name(i),
                    date(&i.not_after),
                    plural(-i.days_left, "day")
                ),
            );
        } else if i.not_yet_valid {
            findings.add(
                Severity::Critical,
                if leaf {
                    "cert.not_yet_valid"
                } else {
                    "cert.chain_not_yet_valid"
                },
                format!(
                    "{which} ({}) is not valid before {}",
                    short_name(i),
                    date(&i.not_before)
                ),
            );
        } else if path.contains(&k) && i.days_left < 30 {
            let sev = if i.days_left < 7 {
                Severity::High
            } else {
                Severity::Medium
            };
            findings.add(
                sev,
                "cert.expiring_soon",
                format!(
                    "{which} ({}) expires on {} (in {})",
                    short_name(i),
                    date(&i.not_after),
                    plural(i.days_left, "day")
                ),
            );
        }
    }
    a.earliest_expiry = parsed
        .iter()
        .min_by(|x, y| x.info.not_after.cmp(&y.info.not_after))
        .map(|p| Expiry {
            index: p.index,
            subject: short_name(&p.info),
            not_after: p.info.not_after.clone(),
            days_left: p.info.days_left,
        });
}

fn mismatch_message(leaf: &CertInfo, host: &str) -> String {
    let bare = host
        .trim()
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(host.trim());
    let is_ip = bare.parse::<std::net::IpAddr>().is_ok();
    let names = leaf.san_list();
    let mut msg = if names.is_empty() {
        format!("the certificate is not valid for {bare}: it has no subject alternative names")
    } else {
        format!(
            "the certificate is not valid for {bare}: its subject alternative names are {}",
            names.join(", ")
        )
    };
    if is_ip && leaf.san_dns.iter().any(|d| d == bare) {
        msg.push_str(" (an IP address only matches an IP Address SAN, not a DNS one)");
    } else if leaf
        .common_name
        .as_deref()
        .is_some_and(|cn| cn.eq_ignore_ascii_case(bare))
    {
        msg.push_str(" (the name is only in the subject CN, which clients ignore)");
    } else if !is_ip
        && leaf.san_dns.iter().any(|d| {
            d.strip_prefix("*.")
                .is_some_and(|rest| bare.ends_with(&format!(".{rest}")) || bare == rest)
        })
    {
        msg.push_str(" (a wildcard stands for exactly one label)");
    }
    msg
}

/// RSA under 2048 bits, EC under 256 bits, DSA: the phrase, or `None` when the key is fine.
fn weak_key(info: &CertInfo) -> Option<String> {
    match info.key_type.as_str() {
        "RSA" | "RSA-PSS" if info.key_bits > 0 && info.key_bits < 2048 => Some(format!(
            "a {}-bit RSA key (at least 2048 bits needed)",
            info.key_bits
        )),
        "ECDSA" if info.key_bits > 0 && info.key_bits < 256 => Some(format!(
            "a {}-bit EC key ({}; at least 256 bits needed)",
            info.key_bits,
            info.key_curve.as_deref().unwrap_or("unknown curve")
        )),
        "DSA" => Some(format!(
            "a DSA key ({} bits; DSA is no longer accepted for TLS certificates)",
            info.key_bits
        )),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// OCSP.

fn ocsp(
    input: &ChainInput<'_>,
    parsed: &[Parsed<'_>],
    path: &[usize],
    stores: &TrustStores,
    now: OffsetDateTime,
    a: &mut ChainAnalysis,
    findings: &mut Findings,
) {
    let staple = input.ocsp_response.filter(|r| !r.is_empty());
    a.ocsp_stapled = staple.is_some();
    let leaf = &parsed[0];
    match staple {
        None => {
            if a.must_staple {
                a.must_staple_violated = true;
                findings.add(
                    Severity::High,
                    "cert.must_staple_violated",
                    "the certificate demands OCSP stapling (must-staple) but the server sent no OCSP response: Firefox refuses the connection".to_string(),
                );
            } else if !leaf.info.ocsp_urls.is_empty() {
                findings.add(
                    Severity::Info,
                    "ocsp.not_stapled",
                    format!(
                        "no OCSP response is stapled; clients that check revocation ask {} themselves",
                        leaf.info.ocsp_urls[0]
                    ),
                );
            }
        }
        Some(bytes) => {
            let issuer = find_issuer(parsed, path, stores);
            match parse_ocsp(bytes, leaf, issuer.as_ref()) {
                None => {
                    a.ocsp_status = Some("unparsable".to_string());
                    findings.add(
                        Severity::Medium,
                        "ocsp.unparsable",
                        "the stapled OCSP response cannot be parsed".to_string(),
                    );
                }
                Some(info) => {
                    ocsp_findings(&info, now, findings);
                    a.ocsp_status = Some(if info.response_status != "successful" {
                        "unsuccessful".to_string()
                    } else {
                        info.cert_status
                            .clone()
                            .unwrap_or_else(|| "unknown".to_string())
                    });
                    a.ocsp = Some(info);
                }
            }
            let good = a.ocsp_status.as_deref() == Some("good")
                && a.ocsp.as_ref().is_some_and(|o| {
                    o.matches_leaf && o.signature_valid != Some(false) && !stale(o, now)
                });
            if a.must_staple && !good {
                a.must_staple_violated = true;
                findings.add(
                    Severity::High,
                    "cert.must_staple_violated",
                    "the certificate demands OCSP stapling (must-staple) but the stapled response is not a valid, current 'good' answer for it: Firefox refuses the connection".to_string(),
                );
            }
        }
    }
}

/// The leaf's issuer: a sent certificate, or a trust anchor.
enum Issuer<'a, 'b> {
    Cert(&'a Parsed<'b>),
    Anchor(&'a TrustAnchor<'static>),
}

impl Issuer<'_, '_> {
    fn key(&self) -> Option<Key<'_>> {
        match self {
            Issuer::Cert(p) => Some(Key::of(p)),
            Issuer::Anchor(a) => Key::of_anchor(a),
        }
    }
    /// DER of the issuer's subject Name content.
    fn subject(&self) -> &[u8] {
        match self {
            Issuer::Cert(p) => p.subject,
            Issuer::Anchor(a) => a.subject.as_ref(),
        }
    }
}

fn find_issuer<'a, 'b>(
    parsed: &'a [Parsed<'b>],
    path: &[usize],
    stores: &'a TrustStores,
) -> Option<Issuer<'a, 'b>> {
    if let Some(&i) = path.get(1) {
        return Some(Issuer::Cert(&parsed[i]));
    }
    let leaf = &parsed[0];
    if leaf.info.self_signed {
        return Some(Issuer::Cert(leaf));
    }
    stores
        .stores()
        .into_iter()
        .flat_map(|s| s.anchors.iter())
        .find(|anchor| issued_by_anchor(leaf, anchor))
        .map(Issuer::Anchor)
}

fn stale(o: &OcspInfo, now: OffsetDateTime) -> bool {
    o.next_update
        .as_deref()
        .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
        .is_some_and(|t| t < now)
}

fn ocsp_findings(o: &OcspInfo, now: OffsetDateTime, findings: &mut Findings) {
    if o.response_status != "successful" {
        findings.add(
            Severity::Medium,
            "ocsp.unsuccessful",
            format!(
                "the stapled OCSP response is an error ({}), not a status",
                o.response_status
            ),
        );
        return;
    }
    if !o.matches_leaf {
        findings.add(
            Severity::High,
            "ocsp.wrong_certificate",
            "the stapled OCSP response is not about the server's certificate".to_string(),
        );
    }
    match o.cert_status.as_deref() {
        Some("revoked") => findings.add(
            Severity::Critical,
            "cert.revoked",
            format!(
                "the stapled OCSP response says the certificate is REVOKED{}{}",
                o.revocation_time
                    .as_deref()
                    .map(|t| format!(" since {t}"))
                    .unwrap_or_default(),
                o.revocation_reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            ),
        ),
        Some("unknown") => findings.add(
            Severity::Medium,
            "ocsp.unknown",
            "the stapled OCSP response says the responder does not know the certificate"
                .to_string(),
        ),
        _ => {}
    }
    if o.signature_valid == Some(false) {
        findings.add(
            Severity::High,
            "ocsp.bad_signature",
            "the stapled OCSP response is not signed by the certificate's issuer or a responder it authorised".to_string(),
        );
    }
    if stale(o, now) {
        findings.add(
            Severity::Medium,
            "ocsp.stale",
            format!(
                "the stapled OCSP response expired at {} (nextUpdate); clients ignore it",
                o.next_update.as_deref().unwrap_or("?")
            ),
        );
    }
    if o.this_update
        .as_deref()
        .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
        .is_some_and(|t| t > now + time::Duration::minutes(5))
    {
        findings.add(
            Severity::Medium,
            "ocsp.future",
            format!(
                "the stapled OCSP response's thisUpdate ({}) is in the future",
                o.this_update.as_deref().unwrap_or("?")
            ),
        );
    }
}

const OID_PKIX_OCSP_BASIC: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01];
const OID_SHA1: &[u8] = &[0x2b, 0x0e, 0x03, 0x02, 0x1a];
const OID_SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
const TAG_GENERALIZED_TIME: u8 = 0x18;

fn response_status_name(n: u8) -> String {
    match n {
        0 => "successful",
        1 => "malformedRequest",
        2 => "internalError",
        3 => "tryLater",
        5 => "sigRequired",
        6 => "unauthorized",
        _ => return format!("status {n}"),
    }
    .to_string()
}

fn crl_reason(n: u8) -> String {
    match n {
        0 => "unspecified",
        1 => "keyCompromise",
        2 => "cACompromise",
        3 => "affiliationChanged",
        4 => "superseded",
        5 => "cessationOfOperation",
        6 => "certificateHold",
        8 => "removeFromCRL",
        9 => "privilegeWithdrawn",
        10 => "aACompromise",
        _ => return format!("reason {n}"),
    }
    .to_string()
}

/// `YYYYMMDDHHMMSS[.fff]Z` to RFC 3339.
fn generalized_time(content: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(content).ok()?;
    let s = s.strip_suffix('Z')?;
    let main = s.split('.').next()?;
    if main.len() != 14 || !main.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(format!(
        "{}-{}-{}T{}:{}:{}Z",
        &main[0..4],
        &main[4..6],
        &main[6..8],
        &main[8..10],
        &main[10..12],
        &main[12..14]
    ))
}

/// Parse an `OCSPResponse` (RFC 6960) and judge it for `leaf`. `None` if it is not DER of that shape.
fn parse_ocsp(
    bytes: &[u8],
    leaf: &Parsed<'_>,
    issuer: Option<&Issuer<'_, '_>>,
) -> Option<OcspInfo> {
    let (resp, rest) = der::expect(bytes, der::SEQUENCE)?;
    if !rest.is_empty() {
        return None;
    }
    let fields = der::all(resp.content)?;
    let status = fields.first().filter(|t| t.tag == 0x0a)?;
    let mut info = OcspInfo {
        response_status: response_status_name(*status.content.first()?),
        cert_status: None,
        produced_at: None,
        this_update: None,
        next_update: None,
        revocation_time: None,
        revocation_reason: None,
        responses: 0,
        matches_leaf: false,
        signature_valid: None,
        signed_by: None,
    };
    if status.content != [0] {
        return Some(info);
    }
    // responseBytes [0] EXPLICIT SEQUENCE { responseType OID, response OCTET STRING }
    let rb = fields.get(1).filter(|t| t.tag == 0xa0)?;
    let (rb, _) = der::expect(rb.content, der::SEQUENCE)?;
    let (oid, rest) = der::expect(rb.content, 0x06)?;
    if oid.content != OID_PKIX_OCSP_BASIC {
        return None;
    }
    let (octets, _) = der::expect(rest, 0x04)?;
    // BasicOCSPResponse ::= SEQUENCE { tbsResponseData, signatureAlgorithm, signature, certs [0] }
    let (basic, _) = der::expect(octets.content, der::SEQUENCE)?;
    let parts = der::all(basic.content)?;
    let tbs = parts.first().filter(|t| t.tag == der::SEQUENCE)?;
    let sig_alg = parts.get(1).filter(|t| t.tag == der::SEQUENCE)?;
    let signature = parts.get(2).filter(|t| t.tag == 0x03)?.content.get(1..)?;
    let certs: Vec<&[u8]> = match parts.get(3).filter(|t| t.tag == 0xa0) {
        Some(c) => {
            let (seq, _) = der::expect(c.content, der::SEQUENCE)?;
            der::all(seq.content)?.iter().map(|t| t.raw).collect()
        }
        None => Vec::new(),
    };

    // ResponseData ::= SEQUENCE { version [0] OPTIONAL, responderID [1]|[2], producedAt,
    //                             responses SEQUENCE OF SingleResponse, extensions [1] OPTIONAL }
    let rd = der::all(tbs.content)?;
    let mut k = usize::from(rd.first()?.tag == 0xa0);
    let _responder = rd.get(k).filter(|t| t.tag == 0xa1 || t.tag == 0xa2)?;
    k += 1;
    let produced = rd.get(k).filter(|t| t.tag == TAG_GENERALIZED_TIME)?;
    info.produced_at = generalized_time(produced.content);
    k += 1;
    let responses = rd.get(k).filter(|t| t.tag == der::SEQUENCE)?;
    let singles = der::all(responses.content)?;
    info.responses = singles.len();

    let name_hashes = (
        Sha1::digest(leaf.issuer_der).to_vec(),
        Sha256::digest(leaf.issuer_der).to_vec(),
    );
    let mut first: Option<OcspInfo> = None;
    for single in &singles {
        let s = der::all(single.content)?;
        let cert_id = der::all(s.first().filter(|t| t.tag == der::SEQUENCE)?.content)?;
        let (hash_alg, _) = der::expect(cert_id.first()?.content, 0x06)?;
        let name_hash = cert_id.get(1).filter(|t| t.tag == 0x04)?.content;
        let serial = cert_id.get(3).filter(|t| t.tag == 0x02)?.content;
        let name_ok = match hash_alg.content {
            h if h == OID_SHA1 => name_hash == name_hashes.0.as_slice(),
            h if h == OID_SHA256 => name_hash == name_hashes.1.as_slice(),
            _ => true,
        };
        let matches = name_ok && strip_leading_zeros(serial) == leaf.serial;
        let mut one = info.clone();
        one.matches_leaf = matches;
        let status = s.get(1)?;
        match status.tag {
            0x80 => one.cert_status = Some("good".to_string()),
            0xa1 => {
                one.cert_status = Some("revoked".to_string());
                let ri = der::all(status.content)?;
                one.revocation_time = ri
                    .first()
                    .filter(|t| t.tag == TAG_GENERALIZED_TIME)
                    .and_then(|t| generalized_time(t.content));
                one.revocation_reason = ri
                    .get(1)
                    .filter(|t| t.tag == 0xa0)
                    .and_then(|t| der::expect(t.content, 0x0a))
                    .and_then(|(e, _)| e.content.first().copied())
                    .map(crl_reason);
            }
            0x82 => one.cert_status = Some("unknown".to_string()),
            _ => return None,
        }
        one.this_update = s
            .get(2)
            .filter(|t| t.tag == TAG_GENERALIZED_TIME)
            .and_then(|t| generalized_time(t.content));
        one.next_update = s
            .get(3)
            .filter(|t| t.tag == 0xa0)
            .and_then(|t| der::expect(t.content, TAG_GENERALIZED_TIME))
            .and_then(|(t, _)| generalized_time(t.content));
        if matches {
            first = Some(one);
            break;
        }
        if first.is_none() {
            first = Some(one);
        }
    }
    let mut info = first.unwrap_or(info);
    if !info.matches_leaf {
        // Say nothing about the leaf from a response about another certificate.
        info.cert_status = None;
    }

    // Signature: by the issuer itself, or by a responder certificate the issuer signed for
    // OCSP signing.
    if let Some(issuer) = issuer {
        if let Some(key) = issuer.key() {
            if verify_with(&key, sig_alg.content, tbs.raw, signature) == Some(true) {
                info.signature_valid = Some(true);
                info.signed_by = Some("issuer".to_string());
            } else {
                info.signature_valid = Some(false);
                for (n, c) in certs.iter().enumerate() {
                    let Some(rc) = parse_cert(usize::MAX - n, c, OffsetDateTime::now_utc()) else {
                        continue;
                    };
                    let authorised = rc.issuer == issuer.subject()
                        && verify_with(&key, rc.sig_alg, rc.tbs, rc.signature) == Some(true)
                        && rc.info.eku.iter().any(|e| e == "OCSPSigning");
                    if authorised
                        && verify_with(&Key::of(&rc), sig_alg.content, tbs.raw, signature)
                            == Some(true)
                    {
                        info.signature_valid = Some(true);
                        info.signed_by =
                            Some(format!("delegated responder {}", short_name(&rc.info)));
                        break;
                    }
                }
            }
        }
    }
    Some(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generalized_time_to_rfc3339() {
        assert_eq!(
            generalized_time(b"20250131120001Z").as_deref(),
            Some("2025-01-31T12:00:01Z")
        );
        assert_eq!(
            generalized_time(b"20250131120001.123Z").as_deref(),
            Some("2025-01-31T12:00:01Z")
        );
        assert_eq!(generalized_time(b"2025013112Z"), None);
    }

    #[test]
    fn severities_sort_worst_first() {
        let mut f = Findings::default();
        f.add(Severity::Info, "a", "x".into());
        f.add(Severity::Critical, "b", "y".into());
        f.add(Severity::Medium, "c", "z".into());
        f.add(Severity::Medium, "c", "z".into());
        let v = f.into_sorted();
        assert_eq!(v.len(), 3);
        assert_eq!(v[0].severity, Severity::Critical);
        assert_eq!(v[2].severity, Severity::Info);
        assert_eq!(serde_json::to_value(v[0].severity).unwrap(), "critical");
    }

    #[test]
    fn empty_chain_is_a_finding_not_a_panic() {
        let stores = TrustStores::from_certs(&[], &[]);
        let a = analyse(
            &ChainInput {
                chain: &[],
                hostname: Some("example.com"),
                ocsp_response: None,
                now: UnixTime::now(),
            },
            &stores,
        );
        assert!(!a.trusted);
        assert_eq!(a.findings[0].id, "cert.none");
    }

    #[test]
    fn garbage_ocsp_is_unparsable() {
        let key = rcgen::KeyPair::generate().unwrap();
        let params = rcgen::CertificateParams::new(vec!["a.test".to_string()]).unwrap();
        let cert = params.self_signed(&key).unwrap();
        let chain = vec![cert.der().clone()];
        let stores = TrustStores::from_certs(&[], &[]);
        let a = analyse(
            &ChainInput {
                chain: &chain,
                hostname: Some("a.test"),
                ocsp_response: Some(&[0x30, 0x03, 0x0a, 0x01]),
                now: UnixTime::now(),
            },
            &stores,
        );
        assert_eq!(a.ocsp_status.as_deref(), Some("unparsable"));
        assert!(a.ocsp_stapled);
        assert!(a.self_signed_leaf);
        assert_eq!(a.hostname_match, Some(true));
    }

    #[test]
    fn same_chain_compares_every_certificate() {
        let a = vec![
            CertificateDer::from(vec![1u8, 2]),
            CertificateDer::from(vec![3u8]),
        ];
        let b = vec![CertificateDer::from(vec![1u8, 2])];
        assert!(same_chain(&a, &a.clone()));
        assert!(!same_chain(&a, &b));
        assert!(same_leaf(&a, &b));
        assert!(!same_leaf(&a, &[]));
    }
}
