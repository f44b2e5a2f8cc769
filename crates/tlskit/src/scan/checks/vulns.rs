//! Known weaknesses. Three are probed on the wire ([`super::heartbleed`], [`super::ccs`],
//! [`super::robot`]); CRIME by offering compression; the rest follow from the configuration the
//! earlier phases found: POODLE (SSLv3 with CBC), SWEET32 (64-bit block ciphers), FREAK (RSA export
//! suites), LOGJAM (DHE export suites, DH groups of 1024 bits or less, well-known primes), DROWN
//! (SSLv2), BEAST (CBC suites in TLS 1.0 / SSLv3), RC4, NULL encryption, anonymous suites and
//! static RSA key exchange (no forward secrecy).

use super::common::{self, newest_legacy, offered, suites_where, LEGACY};
use crate::scan::report::{Finding, ScanReport, Severity, Verdict, Vulnerability, WeaknessId};
use crate::scan::Ctx;
use tlskit_wire::handshake::{KxHint, ServerKeyExchange};
use tlskit_wire::registry::{Auth, Enc, Kx};
use tlskit_wire::version::Version;

/// Severity of the finding for a confirmed weakness.
fn severity(id: WeaknessId) -> Severity {
    match id {
        WeaknessId::Heartbleed | WeaknessId::Drown => Severity::Critical,
        WeaknessId::CcsInjection
        | WeaknessId::Robot
        | WeaknessId::Poodle
        | WeaknessId::Freak
        | WeaknessId::Logjam
        | WeaknessId::Crime
        | WeaknessId::Rc4
        | WeaknessId::Null
        | WeaknessId::Anonymous => Severity::High,
        WeaknessId::Sweet32 => Severity::Medium,
        WeaknessId::Beast | WeaknessId::StaticRsa => Severity::Low,
    }
}

async fn logjam(ctx: &Ctx, report: &ScanReport) -> Verdict {
    let export = suites_where(report, |s| matches!(s.kx, Kx::DheExport | Kx::DhExport));
    if !export.is_empty() {
        return Verdict::Vulnerable(format!(
            "DHE export suites are accepted ({}): 512-bit groups, broken in minutes",
            common::names(&export)
        ));
    }
    let dhe = suites_where(report, |s| s.kx == Kx::Dhe);
    let Some((ver, _)) = dhe.first().copied() else {
        return Verdict::NotVulnerable("no DHE suite is accepted".into());
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
            return Verdict::Undetermined(format!(
                "could not fetch the DH parameters: {}",
                r.describe()
            ))
        }
    };
    let params = flight
        .server_key_exchange
        .as_ref()
        .and_then(|ske| ServerKeyExchange::parse(&ske.body, KxHint::Dhe, flight.version()).ok())
        .and_then(|s| s.dh_params().cloned());
    let Some(p) = params else {
        return Verdict::Undetermined("the DHE ServerKeyExchange could not be parsed".into());
    };
    let bits = p.prime_bits();
    let common_name = crate::scan::data::dhprimes::common_prime(&p.p);
    let shared = common_name
        .map(|n| format!(", a widely shared prime ({n})"))
        .unwrap_or_default();
    if bits <= 1024 {
        Verdict::Vulnerable(format!(
            "DHE uses a {bits}-bit group{shared}: within reach of precomputation (weakdh.org)"
        ))
    } else {
        Verdict::NotVulnerable(format!("DHE uses a {bits}-bit group{shared}"))
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
        Verdict::NotVulnerable(format!("only TLSv1.3 is offered; {what} needs TLS ≤ 1.2"))
    };

    let heartbleed = async {
        match &tls_ge_10 {
            Some((v, s)) => super::heartbleed::run(ctx, *v, s.clone()).await,
            None if legacy.is_some() => Verdict::NotVulnerable(
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
            None => Verdict::NotVulnerable("no RSA key-exchange suite is accepted".into()),
        }
    };
    let crime = async {
        match common::compression(ctx, report).await {
            Ok(true) => {
                Verdict::Vulnerable("the server compresses TLS records (DEFLATE)".to_string())
            }
            Ok(false) => Verdict::NotVulnerable("TLS compression is not used".to_string()),
            Err(e) if legacy.is_none() => Verdict::NotVulnerable(e),
            Err(e) => Verdict::Undetermined(e),
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
            Verdict::NotVulnerable(no.to_string())
        } else {
            Verdict::Vulnerable(format!("{yes}: {}", common::names(&found)))
        }
    };

    let sslv3_cbc: Vec<_> = list(&|s| s.is_cbc())
        .into_iter()
        .filter(|(v, _)| *v == Version::Ssl3)
        .collect();
    let poodle = if !offered(report, Version::Ssl3) {
        Verdict::NotVulnerable("SSLv3 is not offered".into())
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
        Verdict::Vulnerable( "SSLv2 is offered: its export ciphers and oracles decrypt TLS sessions that use the same RSA key".into())
    } else {
        Verdict::NotVulnerable(

            "SSLv2 is not offered here (DROWN also applies when another server with SSLv2 shares this RSA key, which a scan of one endpoint cannot see)"
                .into(),
        )
    };
    let beast_list: Vec<_> = list(&|s| s.is_cbc())
        .into_iter()
        .filter(|(v, _)| *v <= Version::Tls10)
        .collect();
    let beast = if beast_list.is_empty() {
        Verdict::NotVulnerable("no CBC suite is accepted with TLSv1.0 or SSLv3".into())
    } else {
        Verdict::Vulnerable(

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
            Verdict::Vulnerable("RC4 cipher kinds are offered with SSLv2".into())
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

    let v = Vulnerability::new;
    let vulns = vec![
        v(
            WeaknessId::Heartbleed,
            "Heartbleed",
            &["CVE-2014-0160"],
            heartbleed,
        ),
        v(
            WeaknessId::CcsInjection,
            "CCS injection",
            &["CVE-2014-0224"],
            ccs,
        ),
        v(
            WeaknessId::Robot,
            "ROBOT (Bleichenbacher oracle)",
            &[],
            robot,
        ),
        v(
            WeaknessId::Poodle,
            "POODLE (SSLv3)",
            &["CVE-2014-3566"],
            poodle,
        ),
        v(
            WeaknessId::Sweet32,
            "SWEET32",
            &["CVE-2016-2183", "CVE-2016-6329"],
            sweet32,
        ),
        v(WeaknessId::Freak, "FREAK", &["CVE-2015-0204"], freak),
        v(WeaknessId::Logjam, "LOGJAM", &["CVE-2015-4000"], logjam),
        v(WeaknessId::Drown, "DROWN", &["CVE-2016-0800"], drown),
        v(WeaknessId::Beast, "BEAST", &["CVE-2011-3389"], beast),
        v(
            WeaknessId::Crime,
            "CRIME (TLS compression)",
            &["CVE-2012-4929"],
            crime,
        ),
        v(
            WeaknessId::Rc4,
            "RC4",
            &["CVE-2013-2566", "CVE-2015-2808"],
            rc4,
        ),
        v(WeaknessId::Null, "NULL encryption", &[], null),
        v(WeaknessId::Anonymous, "Anonymous key exchange", &[], anon),
        v(
            WeaknessId::StaticRsa,
            "Static RSA key exchange",
            &[],
            static_rsa,
        ),
    ];
    let findings = vulns
        .iter()
        .filter(|x| x.vulnerable == Some(true))
        .map(|x| {
            Finding::new(
                severity(x.id),
                format!("vuln.{}", x.id),
                format!("{}: {}", x.name, x.detail),
            )
        })
        .collect();
    (vulns, findings)
}
