//! The scan report: one model, serialised as JSON (schema: docs/scan.schema.json) and rendered as
//! grouped text.

use crate::net::starttls::Transcript;
use crate::pki::inspect::CertInfo;
use serde::Serialize;
use tlskit_wire::registry::{self, CipherSuite};
use tlskit_wire::version::Version;

/// Everything a scan found about one endpoint.
#[derive(Debug, Clone, Serialize)]
pub struct ScanReport {
    /// "tlskit 0.1.0".
    pub tool: String,
    pub target: TargetInfo,
    /// RFC 3339 UTC time the scan started.
    pub started_at: String,
    pub scan_time_ms: u64,
    /// TCP connections opened.
    pub connections: u32,
    /// One entry per version, SSLv2 … TLSv1.3, in that order.
    pub protocols: Vec<ProtocolResult>,
    /// Key-exchange groups the server accepts.
    pub groups: Vec<GroupResult>,
    /// Signature algorithms the server signs with.
    pub signature_algorithms: Vec<SigAlgResult>,
    /// The certificate chains found, one per key type the server presents.
    pub certificates: Vec<CertificateChain>,
    pub forward_secrecy: ForwardSecrecy,
    /// The plaintext part of a STARTTLS session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starttls: Option<Transcript>,
    /// Renegotiation, fallback SCSV, compression, resumption, ALPN … (see checks::features).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_features: Option<crate::scan::checks::features::SessionFeatures>,
    /// Known weaknesses and the verdict on each.
    pub vulnerabilities: Vec<crate::scan::checks::vulns::Vulnerability>,
    /// The grade and its reasons.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<crate::scan::grade::Grade>,
    /// The verdict of `--policy`, when one was given (see docs/POLICY.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<crate::scan::policy::PolicyResult>,
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

#[derive(Debug, Clone, Serialize)]
pub struct TargetInfo {
    pub host: String,
    pub port: u16,
    /// The address scanned.
    pub ip: String,
    /// SNI sent (None for IP literals or --no-sni).
    pub servername: Option<String>,
    pub starttls: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProtocolResult {
    /// "SSLv2" "SSLv3" "TLSv1.0" "TLSv1.1" "TLSv1.2" "TLSv1.3".
    pub version: String,
    pub offered: bool,
    /// Accepted suites; in the server's order when it imposes one.
    pub cipher_suites: Vec<SuiteResult>,
    /// true: the server chooses by its own order; false: by the client's; null: cannot tell
    /// (not offered, or a single suite).
    pub server_order: Option<bool>,
    /// What the server did instead, when not offered (e.g. "answered with TLSv1.2").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SuiteResult {
    /// IANA code point (SSLv2 cipher kinds use their 3-byte code).
    pub id: u32,
    /// IANA name.
    pub name: String,
    pub openssl_name: Option<String>,
    /// Key exchange: "ECDH", "DH", "RSA", "any" (TLS 1.3) …
    pub kx: String,
    pub auth: String,
    pub enc: String,
    pub mac: String,
    /// Symmetric key bits.
    pub bits: u16,
    pub forward_secrecy: bool,
    /// The key exchange actually seen: "x25519", "secp256r1", "DH 2048", "RSA 2048".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_exchange: Option<String>,
}

impl SuiteResult {
    pub fn from_suite(s: &CipherSuite, key_exchange: Option<String>) -> SuiteResult {
        SuiteResult {
            id: s.id as u32,
            name: s.iana.to_string(),
            openssl_name: s.openssl.map(str::to_string),
            kx: s.kx.name().to_string(),
            auth: s.auth.name().to_string(),
            enc: s.openssl_enc(),
            mac: s.mac.name().to_string(),
            bits: s.bits,
            forward_secrecy: s.forward_secret(),
            key_exchange,
        }
    }

    pub fn from_id(id: u16, key_exchange: Option<String>) -> SuiteResult {
        match registry::cipher_suite(id) {
            Some(s) => Self::from_suite(s, key_exchange),
            None => SuiteResult {
                id: id as u32,
                name: registry::suite_name(id),
                openssl_name: None,
                kx: "?".into(),
                auth: "?".into(),
                enc: "?".into(),
                mac: "?".into(),
                bits: 0,
                forward_secrecy: false,
                key_exchange,
            },
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupResult {
    pub id: u16,
    pub name: String,
    /// "ec", "ecx", "ffdhe", "hybrid", "pqc".
    pub kind: String,
    /// Classical security or field size in bits, as registries report it.
    pub bits: u16,
    /// Versions it was accepted with.
    pub versions: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SigAlgResult {
    pub id: u16,
    pub name: String,
    pub versions: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CertificateChain {
    /// "RSA 2048", "ECDSA P-256", "Ed25519".
    pub key_type: String,
    /// How it was obtained: "TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256", "TLSv1.3 ecdsa_secp256r1_sha256".
    pub found_with: Vec<String>,
    /// Leaf first, as sent.
    pub certificates: Vec<CertInfo>,
    /// Chain analysis (trust, order, hostname …), when computed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub analysis: Option<crate::pki::chain::ChainAnalysis>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ForwardSecrecy {
    /// Every accepted suite (TLS ≥ 1.0) has forward secrecy.
    pub all: bool,
    /// Some accepted suite has it.
    pub some: bool,
    /// IANA names of accepted suites without it.
    pub suites_without: Vec<String>,
}

/// The fingerprints of the ClientHellos a scan sent, most frequent JA4 first.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ClientHellos {
    /// ClientHellos sent by the probes (SSLv2 hellos and the handshakes of the session-feature
    /// checks are not counted).
    pub sent: u32,
    /// One entry per distinct JA4 (the suite lists vary from probe to probe, so the b part does;
    /// the a and c parts are the scanner's signature).
    pub fingerprints: Vec<HelloFingerprint>,
}

/// One distinct ClientHello fingerprint.
#[derive(Debug, Clone, Serialize)]
pub struct HelloFingerprint {
    pub ja4: String,
    /// JA3 (the MD5 of the JA3 string) of the first hello with this JA4.
    pub ja3_hash: String,
    /// How many hellos had this JA4.
    pub hellos: u32,
}

impl ClientHellos {
    /// Count one more ClientHello.
    pub fn add(&mut self, ch: &tlskit_wire::client_hello::ClientHello) {
        self.sent += 1;
        let ja4 = ch.ja4().ja4;
        match self.fingerprints.iter_mut().find(|f| f.ja4 == ja4) {
            Some(f) => f.hellos += 1,
            None => self.fingerprints.push(HelloFingerprint {
                ja4,
                ja3_hash: crate::observe::analyze::md5_hex(&ch.ja3_string()),
                hellos: 1,
            }),
        }
    }

    /// Most frequent first (stable for equal counts).
    pub fn sorted(mut self) -> Self {
        self.fingerprints
            .sort_by_key(|f| std::cmp::Reverse(f.hellos));
        self
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// "critical", "high", "medium", "low", "info".
    pub severity: String,
    /// Stable identifier, e.g. "protocol.sslv3".
    pub id: String,
    pub message: String,
}

impl Finding {
    pub fn new(severity: &str, id: &str, message: impl Into<String>) -> Finding {
        Finding {
            severity: severity.into(),
            id: id.into(),
            message: message.into(),
        }
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
            protocols,
            groups,
            signature_algorithms: Vec::new(),
            certificates,
            starttls: None,
            session_features: None,
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
        self.protocols.iter().find(|p| p.version == v.name())
    }

    /// Versions offered.
    pub fn offered_versions(&self) -> Vec<Version> {
        self.protocols
            .iter()
            .filter(|p| p.offered)
            .filter_map(|p| Version::ALL.into_iter().find(|v| v.name() == p.version))
            .collect()
    }
}

/// ANSI styles, or nothing.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub colour: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    pub fn good(&self, s: &str) -> String {
        self.paint("32", s)
    }
    pub fn warn(&self, s: &str) -> String {
        self.paint("33", s)
    }
    pub fn bad(&self, s: &str) -> String {
        self.paint("31;1", s)
    }
    pub fn head(&self, s: &str) -> String {
        self.paint("1", s)
    }
    pub fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
}

fn version_verdict(v: &str, offered: bool, st: Style) -> String {
    match (v, offered) {
        ("SSLv2" | "SSLv3", true) => st.bad("offered (insecure)"),
        ("TLSv1.0" | "TLSv1.1", true) => st.warn("offered (deprecated, RFC 8996)"),
        (_, true) => st.good("offered"),
        (_, false) => "not offered".to_string(),
    }
}

fn suite_rating(s: &SuiteResult, st: Style) -> String {
    let weak =
        s.bits < 112 || s.enc.contains("RC4") || s.enc.starts_with("None") || s.auth == "None";
    let cbc_or_static = !s.forward_secrecy
        || (!s.enc.contains("GCM") && !s.enc.contains("CHACHA") && !s.enc.contains("CCM"));
    let name = s.openssl_name.clone().unwrap_or_else(|| s.name.clone());
    if weak {
        st.bad(&name)
    } else if cbc_or_static {
        st.warn(&name)
    } else {
        st.good(&name)
    }
}

impl ScanReport {
    /// The grouped text report.
    pub fn render_text(&self, st: Style, verbose: bool) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let t = &self.target;
        let ip = match (&self.proxy, t.ip.is_empty()) {
            (Some(_), true) => "address resolved by the proxy".to_string(),
            _ => t.ip.clone(),
        };
        let _ = writeln!(
            s,
            "{} {}:{} ({}){}{} — {:.2} s, {} connections",
            st.head("tlskit scan"),
            t.host,
            t.port,
            ip,
            t.servername
                .as_ref()
                .map(|n| format!(", SNI {n}"))
                .unwrap_or_default(),
            t.starttls
                .as_ref()
                .map(|p| format!(", STARTTLS {p}"))
                .unwrap_or_default(),
            self.scan_time_ms as f64 / 1000.0,
            self.connections
        );
        if let Some(p) = &self.proxy {
            let _ = writeln!(s, "  through the proxy {}", p.describe());
        }
        if let Some(tr) = &self.starttls {
            let _ = writeln!(
                s,
                "\n{}",
                st.head("Plaintext before STARTTLS (not protected by TLS)")
            );
            for (d, line) in &tr.lines {
                let arrow = match d {
                    crate::net::starttls::Direction::Client => "C:",
                    crate::net::starttls::Direction::Server => "S:",
                };
                let _ = writeln!(s, "  {arrow} {line}");
            }
        }
        let _ = writeln!(s, "\n{}", st.head("Protocols"));
        for p in &self.protocols {
            let extra = p
                .note
                .as_ref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            let err = p
                .error
                .as_ref()
                .map(|e| format!(" [error: {e}]"))
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "  {:<8} {}{}{}",
                p.version,
                version_verdict(&p.version, p.offered, st),
                st.dim(&extra),
                err
            );
        }
        let _ = writeln!(s, "\n{}", st.head("Cipher suites"));
        for p in self.protocols.iter().rev().filter(|p| p.offered) {
            let order = match p.server_order {
                Some(true) => "server order",
                Some(false) => "client order (the server follows the client's preference)",
                None => "order not determinable",
            };
            let _ = writeln!(
                s,
                "  {} — {} suite{}, {}",
                p.version,
                p.cipher_suites.len(),
                if p.cipher_suites.len() == 1 { "" } else { "s" },
                order
            );
            for c in &p.cipher_suites {
                let id = if c.id > 0xffff {
                    format!("0x{:06X}", c.id)
                } else {
                    format!("0x{:04X}", c.id)
                };
                let kx = c.key_exchange.clone().unwrap_or_default();
                let _ = writeln!(
                    s,
                    "    {id}  {:<46} {:>4} bits  {:<14} {}",
                    suite_rating(c, st),
                    c.bits,
                    kx,
                    if verbose {
                        c.name.clone()
                    } else {
                        String::new()
                    }
                );
            }
        }
        if !self.groups.is_empty() {
            let _ = writeln!(s, "\n{}", st.head("Key-exchange groups"));
            for g in &self.groups {
                let _ = writeln!(
                    s,
                    "  {:<22} {:<7} {:>5} bits  {}",
                    g.name,
                    g.kind,
                    g.bits,
                    g.versions.join(", ")
                );
            }
        }
        if !self.signature_algorithms.is_empty() {
            let _ = writeln!(s, "\n{}", st.head("Signature algorithms"));
            for a in &self.signature_algorithms {
                let _ = writeln!(s, "  {:<28} {}", a.name, a.versions.join(", "));
            }
        }
        if !self.certificates.is_empty() {
            let _ = writeln!(s, "\n{}", st.head("Certificates"));
            for c in &self.certificates {
                let _ = writeln!(
                    s,
                    "  {} — found with {}",
                    c.key_type,
                    c.found_with.join("; ")
                );
                if let Some(a) = &c.analysis {
                    let trust: Vec<String> = a
                        .trust
                        .iter()
                        .map(|t| {
                            format!(
                                "{} {}",
                                t.store,
                                if t.trusted {
                                    st.good("trusted")
                                } else {
                                    st.bad("untrusted")
                                }
                            )
                        })
                        .collect();
                    let name = match (&a.hostname, a.hostname_match) {
                        (Some(h), Some(true)) => format!("; name '{h}' {}", st.good("matches")),
                        (Some(h), Some(false)) => {
                            format!("; name '{h}' {}", st.bad("does NOT match"))
                        }
                        _ => String::new(),
                    };
                    let _ = writeln!(s, "    trust: {}{name}", trust.join(", "));
                }
                for (i, info) in c.certificates.iter().enumerate() {
                    if verbose {
                        for line in crate::pki::inspect::render_text(info, true).lines() {
                            let _ = writeln!(s, "      {line}");
                        }
                    } else {
                        let _ = writeln!(s, "    {i} {}", crate::session::report::chain_line(info));
                    }
                }
            }
        }
        let fs = &self.forward_secrecy;
        let _ = writeln!(s, "\n{}", st.head("Forward secrecy"));
        if fs.all {
            let _ = writeln!(
                s,
                "  {}",
                st.good("every accepted suite has forward secrecy")
            );
        } else if fs.some {
            let _ = writeln!(
                s,
                "  {} without it: {}",
                st.warn("some suites"),
                fs.suites_without.join(", ")
            );
        } else {
            let _ = writeln!(s, "  {}", st.bad("no accepted suite has forward secrecy"));
        }
        if let Some(f) = &self.session_features {
            let _ = writeln!(s, "\n{}", st.head("Session features"));
            s.push_str(&f.render_text(st, verbose));
        }
        if !self.vulnerabilities.is_empty() {
            let _ = writeln!(s, "\n{}", st.head("Weaknesses"));
            s.push_str(&crate::scan::checks::vulns::render_text(
                &self.vulnerabilities,
                st,
            ));
        }
        if !self.findings.is_empty() {
            let _ = writeln!(s, "\n{}", st.head("Findings"));
            for f in &self.findings {
                let sev = match f.severity.as_str() {
                    "critical" | "high" => st.bad(&f.severity),
                    "medium" => st.warn(&f.severity),
                    _ => f.severity.clone(),
                };
                let _ = writeln!(s, "  [{sev}] {}", f.message);
            }
        }
        if !self.errors.is_empty() {
            let _ = writeln!(s, "\n{}", st.head("Probe errors"));
            for e in &self.errors {
                let _ = writeln!(s, "  {e}");
            }
        }
        if let (true, Some(h)) = (verbose, &self.client_hellos) {
            let _ = writeln!(
                s,
                "\n{} {} sent, {} distinct JA4 (how logs and IDSs see this scan)",
                st.head("tlskit's ClientHellos"),
                h.sent,
                h.fingerprints.len()
            );
            for f in h.fingerprints.iter().take(12) {
                let _ = writeln!(s, "  {:>4}×  JA4 {}  JA3 {}", f.hellos, f.ja4, f.ja3_hash);
            }
            if h.fingerprints.len() > 12 {
                let _ = writeln!(s, "  … {} more in --json", h.fingerprints.len() - 12);
            }
        }
        s
    }
}
