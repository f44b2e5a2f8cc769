//! Known weaknesses. Three are probed on the wire ([`super::heartbleed`], [`super::ccs`],
//! [`super::robot`]); CRIME by offering compression; the rest follow from the configuration the
//! earlier phases found: POODLE (SSLv3 with CBC), SWEET32 (64-bit block ciphers), FREAK (RSA export
//! suites), LOGJAM (DHE export suites, DH groups of 1024 bits or less, well-known primes), DROWN
//! (SSLv2), BEAST (CBC suites in TLS 1.0 / SSLv3), RC4, NULL encryption, anonymous suites and
//! static RSA key exchange (no forward secrecy).

use super::common::{self, newest_legacy, offered, suites_where, LEGACY};
use crate::scan::report::{Finding, ScanReport};
use crate::scan::Ctx;
use tlskit_wire::handshake::{KxHint, ServerKeyExchange};
use tlskit_wire::registry::{Auth, Enc, Kx};
use tlskit_wire::version::Version;

/// One weakness and the verdict on it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Vulnerability {
    /// Stable id: "heartbleed", "ccs_injection", "robot", "poodle", "sweet32", …
    pub id: String,
    pub name: String,
    /// true: vulnerable; false: not; null: could not be determined.
    pub vulnerable: Option<bool>,
    pub detail: String,
}

/// An entry; the name carries the CVE identifiers, when the weakness has them.
fn v(id: &str, name: &str, cve: &[&str], verdict: (Option<bool>, String)) -> Vulnerability {
    let name = if cve.is_empty() {
        name.to_string()
    } else {
        format!("{name} ({})", cve.join(", "))
    };
    Vulnerability {
        id: id.into(),
        name,
        vulnerable: verdict.0,
        detail: verdict.1,
    }
}

/// Severity of a confirmed weakness (for its finding).
fn severity(id: &str) -> &'static str {
    match id {
        "heartbleed" | "drown" => "critical",
        "ccs_injection" | "robot" | "poodle" | "freak" | "logjam" | "crime" | "rc4" | "null"
        | "anonymous" => "high",
        "sweet32" => "medium",
        _ => "low",
    }
}

async fn logjam(ctx: &Ctx, report: &ScanReport) -> (Option<bool>, String) {
    let export = suites_where(report, |s| matches!(s.kx, Kx::DheExport | Kx::DhExport));
    if !export.is_empty() {
        return (
            Some(true),
            format!(
                "DHE export suites are accepted ({}): 512-bit groups, broken in minutes",
                common::names(&export)
            ),
        );
    }
    let dhe = suites_where(report, |s| s.kx == Kx::Dhe);
    let Some((ver, _)) = dhe.first().copied() else {
        return (Some(false), "no DHE suite is accepted".into());
    };
    // Fetch the group: one hello offering only the DHE suites accepted at that version.
    let ids: Vec<u16> = dhe
        .iter()
        .filter(|(v, _)| *v == ver)
        .map(|(_, s)| s.id)
        .collect();
    let flight = match common::hello(ctx, &common::spec(ctx, ver, ids).build()).await {
        Ok(f) => f,
        Err(r) => {
            return (
                None,
                format!("could not fetch the DH parameters: {}", r.describe()),
            )
        }
    };
    let params = flight
        .server_key_exchange
        .as_ref()
        .and_then(|ske| ServerKeyExchange::parse(&ske.body, KxHint::Dhe, flight.version()).ok())
        .and_then(|s| s.dh_params().cloned());
    let Some(p) = params else {
        return (None, "the DHE ServerKeyExchange could not be parsed".into());
    };
    let bits = p.prime_bits();
    let common_name = super::dhprimes::common_prime(&p.p);
    let shared = common_name
        .map(|n| format!(", a widely shared prime ({n})"))
        .unwrap_or_default();
    if bits <= 1024 {
        (
            Some(true),
            format!(
                "DHE uses a {bits}-bit group{shared}: within reach of precomputation (weakdh.org)"
            ),
        )
    } else {
        (Some(false), format!("DHE uses a {bits}-bit group{shared}"))
    }
}

/// Run the weakness checks.
pub async fn run(ctx: &Ctx, report: &ScanReport) -> (Vec<Vulnerability>, Vec<Finding>) {
    let any_tls = report
        .offered_versions()
        .iter()
        .any(|v| *v != Version::Ssl2);
    if !any_tls && !offered(report, Version::Ssl2) {
        // Nothing answered: there is nothing to judge.
        return (Vec::new(), Vec::new());
    }
    let legacy = newest_legacy(report);
    let tls_ge_10 = legacy.clone().filter(|(v, _)| *v >= Version::Tls10);
    let no_legacy = |what: &str| {
        (
            Some(false),
            format!("only TLSv1.3 is offered; {what} needs TLS ≤ 1.2"),
        )
    };

    let heartbleed = async {
        match &tls_ge_10 {
            Some((v, s)) => super::heartbleed::run(ctx, *v, s.clone()).await,
            None if legacy.is_some() => (
                Some(false),
                "only SSLv3 is offered, which has no heartbeat extension".into(),
            ),
            None => no_legacy("Heartbleed"),
        }
    };
    let ccs = async {
        match &legacy {
            Some((v, s)) => super::ccs::run(ctx, *v, s.clone()).await,
            None => no_legacy("CCS injection"),
        }
    };
    let robot = async {
        // The newest version with RSA key exchange suites.
        let found = LEGACY.into_iter().find_map(|v| {
            let ids: Vec<u16> = common::accepted(report, v)
                .into_iter()
                .filter(|id| {
                    tlskit_wire::registry::cipher_suite(*id).is_some_and(|s| s.kx == Kx::Rsa)
                })
                .collect();
            (!ids.is_empty()).then_some((v, ids))
        });
        match found {
            Some((v, ids)) => super::robot::run(ctx, v, ids).await,
            None => (Some(false), "no RSA key-exchange suite is accepted".into()),
        }
    };
    let crime = async {
        match common::compression(ctx, report).await {
            Ok(true) => (
                Some(true),
                "the server compresses TLS records (DEFLATE)".to_string(),
            ),
            Ok(false) => (Some(false), "TLS compression is not used".to_string()),
            Err(e) if legacy.is_none() => (Some(false), e),
            Err(e) => (None, e),
        }
    };
    let (heartbleed, ccs, robot, crime, logjam) = tokio::join!(
        Box::pin(crate::scan::timed("vulns: Heartbleed", heartbleed)),
        Box::pin(crate::scan::timed("vulns: CCS injection", ccs)),
        Box::pin(crate::scan::timed("vulns: ROBOT", robot)),
        Box::pin(crate::scan::timed("vulns: compression", crime)),
        Box::pin(crate::scan::timed("vulns: LOGJAM", logjam(ctx, report)))
    );

    let list =
        |pred: &dyn Fn(&tlskit_wire::registry::CipherSuite) -> bool| suites_where(report, pred);
    let verdict_for = |found: Vec<(Version, &'static tlskit_wire::registry::CipherSuite)>,
                       yes: &str,
                       no: &str| {
        if found.is_empty() {
            (Some(false), no.to_string())
        } else {
            (Some(true), format!("{yes}: {}", common::names(&found)))
        }
    };

    let sslv3_cbc: Vec<_> = list(&|s| s.is_cbc())
        .into_iter()
        .filter(|(v, _)| *v == Version::Ssl3)
        .collect();
    let poodle = if !offered(report, Version::Ssl3) {
        (Some(false), "SSLv3 is not offered".into())
    } else {
        verdict_for(
            sslv3_cbc,
            "SSLv3 is offered with CBC suites",
            "SSLv3 is offered, but with no CBC suite",
        )
    };
    let sweet32 = verdict_for(
        list(&|s| s.block_bits() == Some(64)),
        "64-bit block ciphers are accepted",
        "no 64-bit block cipher is accepted",
    );
    let freak = verdict_for(
        list(&|s| s.kx == Kx::RsaExport),
        "RSA export suites are accepted",
        "no RSA export suite is accepted",
    );
    let drown = if offered(report, Version::Ssl2) {
        (Some(true), "SSLv2 is offered: its export ciphers and oracles decrypt TLS sessions that use the same RSA key".into())
    } else {
        (
            Some(false),
            "SSLv2 is not offered here (DROWN also applies when another server with SSLv2 shares this RSA key, which a scan of one endpoint cannot see)"
                .into(),
        )
    };
    let beast_list: Vec<_> = list(&|s| s.is_cbc())
        .into_iter()
        .filter(|(v, _)| *v <= Version::Tls10)
        .collect();
    let beast = if beast_list.is_empty() {
        (
            Some(false),
            "no CBC suite is accepted with TLSv1.0 or SSLv3".into(),
        )
    } else {
        (
            Some(true),
            format!(
                "CBC suites are accepted with TLSv1.0/SSLv3 ({}); current clients mitigate it by 1/n-1 record splitting",
                common::names(&beast_list)
            ),
        )
    };
    let rc4 = {
        let mut found = list(&|s| {
            matches!(
                s.enc,
                Enc::Rc4_40 | Enc::Rc4_56 | Enc::Rc4_64 | Enc::Rc4_128
            )
        });
        let sslv2_rc4 = report
            .protocol(Version::Ssl2)
            .filter(|p| p.offered)
            .map(|p| p.cipher_suites.iter().any(|s| s.name.contains("RC4")))
            .unwrap_or(false);
        if found.is_empty() && sslv2_rc4 {
            (Some(true), "RC4 cipher kinds are offered with SSLv2".into())
        } else {
            found.dedup_by_key(|(_, s)| s.id);
            verdict_for(
                found,
                "RC4 suites are accepted (RFC 7465 forbids them)",
                "no RC4 suite is accepted",
            )
        }
    };
    let null = verdict_for(
        list(&|s| s.enc == Enc::Null),
        "suites without encryption are accepted",
        "no NULL-encryption suite is accepted",
    );
    let anon = verdict_for(
        list(&|s| s.auth == Auth::Null),
        "anonymous suites are accepted: no server authentication, open to any man in the middle",
        "no anonymous suite is accepted",
    );
    let static_rsa = verdict_for(
        list(&|s| matches!(s.kx, Kx::Rsa | Kx::RsaExport | Kx::RsaPsk)),
        "static RSA key exchange is accepted (no forward secrecy: the server key decrypts recorded sessions)",
        "no static RSA key-exchange suite is accepted",
    );

    let vulns = vec![
        v("heartbleed", "Heartbleed", &["CVE-2014-0160"], heartbleed),
        v("ccs_injection", "CCS injection", &["CVE-2014-0224"], ccs),
        v("robot", "ROBOT (Bleichenbacher oracle)", &[], robot),
        v("poodle", "POODLE (SSLv3)", &["CVE-2014-3566"], poodle),
        v(
            "sweet32",
            "SWEET32",
            &["CVE-2016-2183", "CVE-2016-6329"],
            sweet32,
        ),
        v("freak", "FREAK", &["CVE-2015-0204"], freak),
        v("logjam", "LOGJAM", &["CVE-2015-4000"], logjam),
        v("drown", "DROWN", &["CVE-2016-0800"], drown),
        v("beast", "BEAST", &["CVE-2011-3389"], beast),
        v(
            "crime",
            "CRIME (TLS compression)",
            &["CVE-2012-4929"],
            crime,
        ),
        v("rc4", "RC4", &["CVE-2013-2566", "CVE-2015-2808"], rc4),
        v("null", "NULL encryption", &[], null),
        v("anonymous", "Anonymous key exchange", &[], anon),
        v("static_rsa", "Static RSA key exchange", &[], static_rsa),
    ];
    let findings = vulns
        .iter()
        .filter(|x| x.vulnerable == Some(true))
        .map(|x| {
            Finding::new(
                severity(&x.id),
                &format!("vuln.{}", x.id),
                format!("{}: {}", x.name, x.detail),
            )
        })
        .collect();
    (vulns, findings)
}

/// The grouped text for `tlskit scan` (one line per weakness).
pub fn render_text(vulns: &[Vulnerability], st: crate::scan::report::Style) -> String {
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
