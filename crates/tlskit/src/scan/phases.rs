//! The phases of [`super::scan`], each a function: the versions (phase 1), what builds on them
//! (groups, signature algorithms, certificates: phase 2), then the session features and the
//! weakness checks (phase 3).

use super::checks::{self, certificates::Found, certificates::NoChain, suites::VersionScan};
use super::report::{ProtocolResult, ScanReport, SigAlgResult};
use super::{timed, Ctx};
use std::sync::Arc;
use tlskit_wire::registry;
use tlskit_wire::version::Version;

/// Phase 1: what each version accepts.
pub(crate) struct Versions {
    v2: ProtocolResult,
    v2_cert: Option<Vec<u8>>,
    v3: VersionScan,
    t10: VersionScan,
    t11: VersionScan,
    t12: VersionScan,
    t13: VersionScan,
}

impl Versions {
    /// Every version at once.
    pub(crate) async fn enumerate(ctx: &Ctx) -> Versions {
        use checks::suites::scan_version;
        let ((v2, v2_cert), v3, t10, t11, t12, t13) = tokio::join!(
            timed("SSLv2", checks::sslv2::run(ctx)),
            timed("SSLv3 suites", scan_version(ctx, Version::Ssl3)),
            timed("TLSv1.0 suites", scan_version(ctx, Version::Tls10)),
            timed("TLSv1.1 suites", scan_version(ctx, Version::Tls11)),
            timed("TLSv1.2 suites", scan_version(ctx, Version::Tls12)),
            timed("TLSv1.3 suites", scan_version(ctx, Version::Tls13)),
        );
        Versions {
            v2,
            v2_cert,
            v3,
            t10,
            t11,
            t12,
            t13,
        }
    }

    /// TLS ≤ 1.2 and SSLv3, newest first.
    fn legacy(&self) -> [&VersionScan; 4] {
        [&self.t12, &self.t11, &self.t10, &self.v3]
    }

    fn newest_legacy(&self) -> Option<Version> {
        self.legacy()
            .iter()
            .find(|v| v.result.offered)
            .map(|v| v.result.version)
    }

    /// Key types of the leaf certificates seen with TLS ≤ 1.2 ("RSA 2048" …).
    fn legacy_key_types(&self) -> Vec<String> {
        let mut found = Vec::new();
        for a in self.legacy().iter().flat_map(|vs| &vs.accepted) {
            if let Some(k) = a
                .flight
                .certificates
                .first()
                .and_then(|c| crate::pki::inspect::CertInfo::from_der(c).ok())
                .map(|i| i.key_description())
            {
                if !found.contains(&k) {
                    found.push(k);
                }
            }
        }
        found
    }

    /// TLS named groups of the curves of the ECDSA leaf certificates seen with TLS ≤ 1.2 (what a
    /// TLS ≤ 1.2 client must offer for the server to use them).
    fn legacy_cert_curves(&self) -> Vec<u16> {
        let mut found = Vec::new();
        for a in self.legacy().iter().flat_map(|vs| &vs.accepted) {
            let curve = a
                .flight
                .certificates
                .first()
                .and_then(|c| crate::pki::inspect::CertInfo::from_der(c).ok())
                .and_then(|i| match super::report::KeyType::of(&i) {
                    super::report::KeyType::Ecdsa(c) => c.tls_group(),
                    _ => None,
                });
            if let Some(g) = curve.filter(|g| !found.contains(g)) {
                found.push(g);
            }
        }
        found
    }

    /// Whether a DHE suite was accepted at `version`.
    fn accepts_dhe(&self, version: Version) -> bool {
        self.legacy()
            .iter()
            .filter(|vs| vs.result.version == version)
            .flat_map(|vs| &vs.accepted)
            .any(|a| registry::cipher_suite(a.suite).is_some_and(|s| s.kx == registry::Kx::Dhe))
    }

    /// Chains from the TLS ≤ 1.2 flights.
    fn legacy_chains(&self) -> Vec<Found> {
        let mut found = Vec::new();
        for vs in self.legacy() {
            for a in vs
                .accepted
                .iter()
                .filter(|a| !a.flight.certificates.is_empty())
            {
                let suite = registry::cipher_suite(a.suite)
                    .map(|s| s.openssl.unwrap_or(s.iana).to_string())
                    .unwrap_or_default();
                found.push(Found {
                    chain: a.flight.certificates.clone(),
                    how: format!("{} {suite}", vs.result.version),
                    ocsp: a.flight.ocsp_response.clone(),
                });
            }
        }
        found
    }
}

/// Phase 2: groups, signature algorithms and certificates, merged.
pub(crate) struct Details {
    /// The report's protocols (phase 1's results).
    pub(crate) protocols: Vec<ProtocolResult>,
    pub(crate) groups: Vec<super::report::GroupResult>,
    pub(crate) signature_algorithms: Vec<SigAlgResult>,
    /// Every chain seen with the scan's SNI (or none, when it sends none), and how.
    pub(crate) chains: Vec<Found>,
    /// What a client without SNI gets (`None` when the scan itself sends no SNI).
    pub(crate) without_sni: Option<Result<Found, NoChain>>,
    /// What could not be determined.
    pub(crate) errors: Vec<String>,
}

impl Details {
    /// Ask what builds on the versions found, all at once.
    pub(crate) async fn enumerate(ctx: &Ctx, v: Versions) -> Details {
        let tls13 = v.t13.result.offered;
        let newest_legacy = v.newest_legacy();
        let key_types = v.legacy_key_types();
        let cert_curves = v.legacy_cert_curves();
        let g13 = async {
            match tls13 {
                true => checks::groups::tls13(ctx).await,
                false => (Vec::new(), None),
            }
        };
        let g12 = async {
            match newest_legacy {
                Some(ver) if ver >= Version::Tls10 => {
                    let dhe = async {
                        match v.accepts_dhe(ver) {
                            true => checks::groups::ffdhe12(ctx, ver).await,
                            false => (Vec::new(), None),
                        }
                    };
                    let ((mut ec, ec_err), (ff, ff_err)) =
                        tokio::join!(checks::groups::tls12(ctx, ver, &cert_curves), dhe);
                    ec.extend(ff);
                    let err: Vec<String> = [ec_err, ff_err].into_iter().flatten().collect();
                    (ec, (!err.is_empty()).then(|| err.join("; ")))
                }
                _ => (Vec::new(), None),
            }
        };
        let accepted12: Vec<u16> = v.t12.accepted.iter().map(|a| a.suite).collect();
        let s12 = async {
            match v.t12.result.offered {
                true => checks::sigalgs::tls12(ctx, &accepted12).await,
                false => (Vec::new(), None),
            }
        };
        let c13 = async {
            match tls13 {
                true => checks::certificates::tls13(ctx, &key_types).await,
                false => (Vec::new(), Vec::new()),
            }
        };
        let nosni = checks::certificates::without_sni(ctx, newest_legacy, tls13);
        let ((g13, g13_err), (g12, g12_err), (s12, s12_err), (s13, found13), nosni) = tokio::join!(
            timed("groups TLSv1.3", g13),
            timed("groups TLSv1.2", g12),
            timed("sigalgs TLSv1.2", s12),
            timed("TLSv1.3 certificates", c13),
            timed("no-SNI certificate", nosni)
        );
        // Certificates: TLS ≤ 1.2 flights, TLS 1.3 handshakes, SSLv2 (the one without SNI apart).
        let mut chains = v.legacy_chains();
        chains.extend(found13);
        if let Some(c) = v.v2_cert {
            chains.push(Found {
                chain: vec![c],
                how: "SSLv2".into(),
                ocsp: None,
            });
        }
        let protocols = vec![
            v.v2,
            v.v3.result,
            v.t10.result,
            v.t11.result,
            v.t12.result,
            v.t13.result,
        ];
        let mut errors: Vec<String> = [g13_err, g12_err, s12_err].into_iter().flatten().collect();
        // What a version's enumeration could not determine is an error of the report too.
        for p in protocols.iter().filter(|p| p.offered) {
            if let Some(e) = &p.error {
                let name = p.version.name();
                errors.push(if e.starts_with(name) {
                    e.clone()
                } else {
                    format!("{name}: {e}")
                });
            }
        }
        Details {
            protocols,
            groups: checks::groups::merge(&g13, &g12, newest_legacy),
            signature_algorithms: merge_sigalgs(s13, s12),
            chains,
            without_sni: nosni,
            errors,
        }
    }
}

/// TLS 1.3's signature algorithms (from its certificate handshakes) with TLS 1.2's added (each
/// with the kind of certificate it was found with, on a server with several).
fn merge_sigalgs(
    tls13: Vec<SigAlgResult>,
    tls12: Vec<checks::sigalgs::Tls12Scheme>,
) -> Vec<SigAlgResult> {
    let mut all = tls13;
    for s in tls12 {
        match all.iter_mut().find(|a| a.id == s.id) {
            Some(a) => {
                a.versions.push(Version::Tls12);
                a.cert_type = s.cert_type;
            }
            None => all.push(SigAlgResult {
                id: s.id,
                name: registry::signature_scheme_name(s.id),
                versions: vec![Version::Tls12],
                cert_type: s.cert_type,
            }),
        }
    }
    all
}

/// Phase 3: the session features, with the checks that need only the enumeration alongside;
/// then the checks that need the session features. Fills the report's `session_features`,
/// `vulnerabilities` (registry order) and their findings.
pub(crate) async fn session_and_checks(
    ctx: &Arc<Ctx>,
    selection: &checks::registry::Selection,
    report: &mut ScanReport,
) {
    let registry = checks::registry::REGISTRY;
    let failures_before = ctx.prober.failures();
    let any_answer = report.protocols.iter().any(|p| p.offered);
    let early = selection.after(registry, checks::Phase::Enumeration);
    let late = selection.after(registry, checks::Phase::SessionFeatures);
    let run_features = selection.session_features(registry);
    let enumeration = Arc::new(checks::Facts::new(report.clone(), None));
    let features = async {
        match run_features {
            true => Some(timed("session features", checks::features::run(ctx, report)).await),
            false => None,
        }
    };
    let extensions = async {
        match selection.runs_section(checks::registry::Section::ServerExtensions) && any_answer {
            true => Some(
                timed(
                    "server extensions",
                    checks::server_extensions::run(ctx, report),
                )
                .await,
            ),
            false => None,
        }
    };
    let early_checks = async {
        match any_answer {
            true => checks::registry::run(ctx, &early, enumeration).await,
            // Nothing answered: there is nothing to judge.
            false => Vec::new(),
        }
    };
    let (features, extensions, mut outcomes) =
        tokio::join!(features, extensions, timed("weaknesses", early_checks));
    report.server_extensions = extensions;
    let session_facts = features.as_ref().map(|f| f.facts.clone());
    if let Some(found) = features {
        report.session_features = Some(found.features);
        report.findings.extend(found.findings);
    }
    if any_answer && !late.is_empty() {
        let facts = Arc::new(checks::Facts::new(report.clone(), session_facts));
        outcomes.extend(checks::registry::run(ctx, &late, facts).await);
    }
    // The report's order is the registry's.
    outcomes.sort_by_key(|o| registry.iter().position(|c| c.id() == o.vulnerability.id));
    for o in outcomes {
        report.vulnerabilities.push(o.vulnerability);
        report.findings.extend(o.finding);
    }
    // Probes that failed here left session features null and weaknesses not determined: say so
    // among the errors too, not only in the notes.
    let failed = ctx.prober.failures().saturating_sub(failures_before);
    if failed > 0 {
        report.errors.push(format!(
            "session features and weakness checks: {failed} connection{} failed (refused, reset or no answer in time); what they were to find is null or not determined (see the notes)",
            if failed == 1 { "" } else { "s" }
        ));
    }
}

/// The checks that read the HTTP layer's answer (BREACH), once it is in `report.http`: their
/// entries join `vulnerabilities` in registry order.
pub(crate) async fn http_checks(
    ctx: &Arc<Ctx>,
    selection: &checks::registry::Selection,
    report: &mut ScanReport,
) {
    let registry = checks::registry::REGISTRY;
    let these = selection.after(registry, checks::Phase::Http);
    if these.is_empty() {
        return;
    }
    let facts = Arc::new(checks::Facts::new(report.clone(), None));
    for o in checks::registry::run(ctx, &these, facts).await {
        report.vulnerabilities.push(o.vulnerability);
        report.findings.extend(o.finding);
    }
    report
        .vulnerabilities
        .sort_by_key(|v| registry.iter().position(|c| c.id() == v.id));
}
