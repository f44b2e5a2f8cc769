//! The grouped text report (what `tlskit scan` prints, and `tlskit report` prints again from a
//! saved JSON report): one function per section, all reading the typed model.

use super::{ScanReport, SuiteResult};
use crate::finding::Severity;
use tlskit_wire::version::Version;

use super::Style;

fn version_verdict(v: Version, offered: bool, st: Style) -> String {
    match (v, offered) {
        (Version::Ssl2 | Version::Ssl3, true) => st.bad("offered (insecure)"),
        (Version::Tls10 | Version::Tls11, true) => st.warn("offered (deprecated, RFC 8996)"),
        (Version::Tls12 | Version::Tls13, true) => st.good("offered"),
        (_, false) => "not offered".to_string(),
    }
}

/// A suite's name, coloured by its [`Strength`]: red when weak, yellow when acceptable (CBC or
/// no forward secrecy), green when strong.
fn suite_rating(s: &SuiteResult, st: Style) -> String {
    let name = s.openssl_name.clone().unwrap_or_else(|| s.name.clone());
    match super::Strength::of(s) {
        super::Strength::Weak => st.bad(&name),
        super::Strength::Acceptable => st.warn(&name),
        super::Strength::Strong => st.good(&name),
    }
}

fn severity(sev: Severity, st: Style) -> String {
    match sev {
        Severity::Critical | Severity::High => st.bad(sev.name()),
        Severity::Medium => st.warn(sev.name()),
        Severity::Low | Severity::Info => sev.name().to_string(),
    }
}

fn versions(v: &[Version]) -> String {
    v.iter().map(|v| v.name()).collect::<Vec<_>>().join(", ")
}

/// A chain's trust verdict and certificates, under its heading line.
fn text_chain(s: &mut String, c: &super::CertificateChain, st: Style, verbose: bool) {
    use std::fmt::Write;
    if let Some(a) = &c.analysis {
        let trust = crate::pki::chain::trust_line(&a.trust);
        let trust = if a.trusted {
            st.good(&trust)
        } else {
            st.bad(&trust)
        };
        let name = match (&a.hostname, a.hostname_match) {
            (Some(h), Some(true)) => format!("; name '{h}' {}", st.good("matches")),
            (Some(h), Some(false)) => {
                format!("; name '{h}' {}", st.bad("does NOT match"))
            }
            _ => String::new(),
        };
        let _ = writeln!(s, "    {trust}{name}");
        if !a.scts.is_empty() {
            let logs: Vec<String> = a
                .scts
                .iter()
                .map(|t| t.log_name.clone().unwrap_or_else(|| t.log_id.clone()))
                .collect();
            let _ = writeln!(
                s,
                "    embedded SCTs: {} ({})",
                a.scts.len(),
                crate::escape::text(&logs.join(", "))
            );
        }
    }
    for (i, info) in c.certificates.iter().enumerate() {
        if verbose {
            for line in crate::pki::inspect::render_text(info, true).lines() {
                let _ = writeln!(s, "      {line}");
            }
        } else {
            let _ = writeln!(s, "    {i} {}", crate::session::report::chain_line(info));
        }
        if let Some(r) = &info.revocation {
            let _ = writeln!(s, "      {}", super::revocation::text_line(r, st));
        }
    }
}

impl ScanReport {
    /// The grouped text report: what `tlskit scan` prints before the grade and the policy.
    pub fn render_text(&self, st: Style, verbose: bool) -> String {
        let mut s = String::new();
        self.text_header(&mut s, st, verbose);
        if let Some(line) = self.client_auth.as_ref().and_then(|c| c.banner(st)) {
            s.push_str(&line);
        }
        self.text_protocols(&mut s, st, verbose);
        self.text_suites(&mut s, st, verbose);
        self.text_groups(&mut s, st, verbose);
        self.text_certificates(&mut s, st, verbose);
        if let Some(c) = &self.client_auth {
            use std::fmt::Write;
            let _ = writeln!(s, "\n{}", st.head("Client authentication"));
            s.push_str(&c.render_text(st));
        }
        if let Some(c) = &self.client_simulation {
            use std::fmt::Write;
            let _ = writeln!(s, "\n{}", st.head("Client simulation"));
            s.push_str(&super::simulation::render_text(c, st));
        }
        if let Some(h) = &self.http {
            use std::fmt::Write;
            let _ = writeln!(s, "\n{}", st.head("HTTP"));
            s.push_str(&h.render_text(st));
        }
        if let Some(d) = &self.dns {
            use std::fmt::Write;
            let _ = writeln!(s, "\n{}", st.head("DNS"));
            s.push_str(&d.render_text(st));
        }
        if let Some(e) = &self.ech {
            use std::fmt::Write;
            let _ = writeln!(s, "\n{}", st.head("Encrypted Client Hello"));
            s.push_str(&e.render_text(st));
        }
        self.text_forward_secrecy(&mut s, st, verbose);
        self.text_verdicts(&mut s, st, verbose);
        self.text_hellos(&mut s, st, verbose);
        s
    }

    /// The whole text of one target: the report, then the grade and the policy verdict.
    pub fn render_full_text(&self, st: Style, verbose: bool) -> String {
        let mut s = self.render_text(st, verbose);
        s.push_str(&grade_text(self, st));
        s.push_str(&policy_text(self, st));
        s
    }

    fn text_header(&self, s: &mut String, st: Style, _verbose: bool) {
        use std::fmt::Write;
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
    }

    fn text_protocols(&self, s: &mut String, st: Style, _verbose: bool) {
        use std::fmt::Write;
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
                p.version.name(),
                version_verdict(p.version, p.offered, st),
                st.dim(&extra),
                err
            );
        }
    }

    fn text_suites(&self, s: &mut String, st: Style, verbose: bool) {
        use std::fmt::Write;
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
                let id = c.id.hex();
                // A DHE suite's group by the prime's value; else the key exchange seen.
                let kx = match (c.dh_group, c.key_exchange) {
                    (Some(g), _) => g.to_string(),
                    (None, k) => k.map(|k| k.to_string()).unwrap_or_default(),
                };
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
    }

    fn text_groups(&self, s: &mut String, st: Style, _verbose: bool) {
        use std::fmt::Write;
        if !self.groups.is_empty() {
            let _ = writeln!(s, "\n{}", st.head("Key-exchange groups"));
            for g in &self.groups {
                let _ = writeln!(
                    s,
                    "  {:<22} {:<7} {:>5} bits  {}",
                    g.name,
                    g.kind,
                    g.bits,
                    versions(&g.versions)
                );
            }
        }
        if !self.dh_parameters.is_empty() {
            let _ = writeln!(s, "\n{}", st.head("DH parameters"));
            s.push_str(&super::dh::render_text(&self.dh_parameters));
        }
        if let Some(list) = self.server_extensions.as_ref().filter(|l| !l.is_empty()) {
            let _ = writeln!(s, "\n{}", st.head("Server extensions"));
            s.push_str(&super::extensions::render_text(list));
        }
        if !self.signature_algorithms.is_empty() {
            let _ = writeln!(s, "\n{}", st.head("Signature algorithms"));
            for a in &self.signature_algorithms {
                let kind = a
                    .cert_type
                    .map(|k| format!(" ({} certificate with TLSv1.2)", k.name()))
                    .unwrap_or_default();
                let _ = writeln!(s, "  {:<28} {}{kind}", a.name, versions(&a.versions));
            }
        }
    }

    fn text_certificates(&self, s: &mut String, st: Style, verbose: bool) {
        use std::fmt::Write;
        if !self.certificates.is_empty() {
            let _ = writeln!(s, "\n{}", st.head("Certificates"));
            for c in &self.certificates {
                let _ = writeln!(
                    s,
                    "  {} — found with {}",
                    c.key_type,
                    c.found_with.join("; ")
                );
                text_chain(s, c, st, verbose);
            }
        }
        let Some(w) = &self.certificate_without_sni else {
            return;
        };
        let _ = writeln!(s, "\n{}", st.head("Certificate without SNI (not graded)"));
        match w {
            super::WithoutSni::Same { chain } => {
                let _ = writeln!(s, "  {} — the same certificate as with SNI", chain.key_type);
            }
            super::WithoutSni::Different { chain } => {
                let _ = writeln!(
                    s,
                    "  {} — {} (found with {})",
                    chain.key_type,
                    st.warn("a different certificate"),
                    chain.found_with.join("; ")
                );
                text_chain(s, chain, st, verbose);
            }
            super::WithoutSni::Refused { answer } => {
                let _ = writeln!(
                    s,
                    "  {}: {}",
                    st.warn("refused"),
                    crate::escape::text(answer)
                );
            }
            super::WithoutSni::NotDetermined { error } => {
                let _ = writeln!(
                    s,
                    "  {}: {}",
                    st.bad("not determined"),
                    crate::escape::text(error)
                );
            }
        }
    }

    fn text_forward_secrecy(&self, s: &mut String, st: Style, _verbose: bool) {
        use std::fmt::Write;
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
    }

    fn text_verdicts(&self, s: &mut String, st: Style, verbose: bool) {
        use std::fmt::Write;
        if let Some(f) = &self.session_features {
            let _ = writeln!(s, "\n{}", st.head("Session features"));
            s.push_str(&f.render_text(st, verbose));
        }
        if !self.vulnerabilities.is_empty() {
            let _ = writeln!(s, "\n{}", st.head("Weaknesses"));
            s.push_str(&super::weakness::render_text(&self.vulnerabilities, st));
        }
        if !self.findings.is_empty() {
            let _ = writeln!(s, "\n{}", st.head("Findings"));
            for f in &self.findings {
                let sev = severity(f.severity, st);
                let _ = writeln!(s, "  [{sev}] {}", f.message);
            }
        }
        if !self.errors.is_empty() {
            let _ = writeln!(s, "\n{}", st.head("Probe errors"));
            for e in &self.errors {
                let _ = writeln!(s, "  {e}");
            }
        }
    }

    fn text_hellos(&self, s: &mut String, st: Style, verbose: bool) {
        use std::fmt::Write;
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
    }
}

/// The grade section (empty without a grade).
pub fn grade_text(r: &ScanReport, st: Style) -> String {
    use std::fmt::Write;
    let Some(g) = &r.grade else {
        return String::new();
    };
    let mut s = String::new();
    use super::GradeLetter as L;
    let name = g.grade.name();
    let letter = match g.grade {
        L::APlus | L::A | L::AMinus => st.good(name),
        L::B | L::C => st.warn(name),
        L::D | L::E | L::M | L::T | L::F => st.bad(name),
    };
    let ignoring = g
        .grade_ignoring_trust
        .as_ref()
        .map(|x| format!(" ({x} if the certificate problems were fixed)"))
        .unwrap_or_default();
    let _ = writeln!(s, "\n{} {letter}{ignoring}", st.head("Grade"));
    for reason in &g.reasons {
        let _ = writeln!(s, "  {reason}");
    }
    if !g.not_checked.is_empty() {
        let _ = writeln!(
            s,
            "  {}",
            st.dim(&format!("not checked: {}", g.not_checked.join("; ")))
        );
    }
    s
}

/// The policy section (empty without `--policy`).
pub fn policy_text(r: &ScanReport, st: Style) -> String {
    use std::fmt::Write;
    let Some(p) = &r.policy else {
        return String::new();
    };
    let mut s = String::new();
    let binding = p.deviations.iter().filter(|d| !d.advisory).count();
    let verdict = if p.compliant {
        st.good("compliant")
    } else {
        st.bad(&format!(
            "NOT COMPLIANT ({binding} deviation{})",
            if binding == 1 { "" } else { "s" }
        ))
    };
    let _ = writeln!(s, "\n{} {}: {verdict}", st.head("Policy"), p.policy);
    // Grouped by rule and expectation, so a long allow-list is printed once.
    let mut groups: Vec<(&str, &str, bool, Vec<String>)> = Vec::new();
    for d in &p.deviations {
        let line = if d.message.contains(&d.found) {
            d.message.clone()
        } else {
            format!("{} (found: {})", d.message, d.found)
        };
        match groups
            .iter_mut()
            .find(|g| g.0 == d.rule && g.1 == d.expected && g.2 == d.advisory)
        {
            Some(g) => g.3.push(line),
            None => groups.push((&d.rule, &d.expected, d.advisory, vec![line])),
        }
    }
    for (rule, expected, advisory, messages) in groups {
        let tag = if advisory {
            st.dim(" (advisory, does not fail the check)")
        } else {
            String::new()
        };
        let _ = writeln!(s, "  {rule}{tag} — expected {expected}");
        for m in messages {
            let _ = writeln!(s, "    {m}");
        }
    }
    if !p.not_checked.is_empty() {
        let _ = writeln!(
            s,
            "  {}",
            st.dim(&format!("not checked: {}", p.not_checked.join("; ")))
        );
    }
    s
}
