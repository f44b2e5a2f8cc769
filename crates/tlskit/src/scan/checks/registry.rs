//! The list of weakness checks, which of them a scan runs, and the runner that turns their
//! verdicts into the report's `vulnerabilities` and findings.

use super::{Check, CheckId, Facts, Phase};
use crate::error::{Error, Result};
use crate::scan::report::{Finding, ScanReport, Verdict, Vulnerability};
use crate::scan::Ctx;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::task::JoinSet;

/// Every check, in the order of the report.
pub static REGISTRY: &[&dyn Check] = &[
    &super::heartbleed::Heartbleed,
    &super::ccs::CcsInjection,
    &super::ticketbleed::Ticketbleed,
    &super::robot::Robot,
    &super::poodle::Poodle,
    &super::sweet32::Sweet32,
    &super::freak::Freak,
    &super::logjam::Logjam,
    &super::drown::Drown,
    &super::beast::Beast,
    &super::lucky13::Lucky13,
    &super::crime::Crime,
    &super::rc4::Rc4,
    &super::null::Null,
    &super::anonymous::Anonymous,
    &super::static_rsa::StaticRsa,
    &super::breach::Breach,
];

/// The report's sections that come from a check but are no weakness verdict: each is listed by
/// `--list-checks` and chosen or left out like a weakness check (`--checks`, `--skip`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Section {
    /// `client_auth`: whether the server asks for a client certificate.
    ClientAuth,
    /// `client_simulation`: what well-known clients negotiate.
    ClientSimulation,
    /// `http`: one HTTP GET (HSTS, headers, cookies, compression).
    Http,
    /// `certificates[].certificates[].revocation`: OCSP and CRL answers.
    Revocation,
    /// `ech`: Encrypted Client Hello (retry configs, a real ECH handshake).
    Ech,
    /// `server_extensions`: the TLS extensions the server sends, per version.
    ServerExtensions,
    /// `dns`: the name's CAA records — asked only with `--dns` (nothing leaves for DNS otherwise).
    Dns,
}

impl Section {
    /// Every section, in the report's order.
    pub const ALL: [Section; 7] = [
        Section::ClientAuth,
        Section::ClientSimulation,
        Section::Http,
        Section::Revocation,
        Section::Ech,
        Section::ServerExtensions,
        Section::Dns,
    ];

    /// The id `--checks` and `--skip` take (the report's field).
    pub fn as_str(self) -> &'static str {
        match self {
            Section::ClientAuth => "client_auth",
            Section::ClientSimulation => "client_simulation",
            Section::Http => "http",
            Section::Revocation => "revocation",
            Section::Ech => "ech",
            Section::ServerExtensions => "server_extensions",
            Section::Dns => "dns",
        }
    }

    /// Its name in `--list-checks`.
    pub fn name(self) -> &'static str {
        match self {
            Section::ClientAuth => "Client authentication (mutual TLS)",
            Section::ClientSimulation => "Client simulation",
            Section::Http => "HTTP layer (HSTS, headers, cookies)",
            Section::Revocation => "Revocation (OCSP, CRL)",
            Section::Ech => "Encrypted Client Hello (ECH)",
            Section::ServerExtensions => "Server TLS extensions per version",
            Section::Dns => "DNS CAA records (only with --dns)",
        }
    }
}

/// One id of `--checks` / `--skip`: a weakness check or a report section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chosen {
    Check(CheckId),
    Section(Section),
}

/// Which checks a scan runs: all of them (the default), only some (`--checks`), or all but
/// some (`--skip`) — weakness checks and report sections alike.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Selection {
    only: Option<Vec<Chosen>>,
    skip: Vec<Chosen>,
}

impl Selection {
    /// Every check.
    pub fn all() -> Selection {
        Selection::default()
    }

    /// From the comma-separated lists of `--checks` and `--skip`. An id no check in `registry`
    /// and no [`Section`] has is a usage error naming the valid ones.
    pub fn parse(
        only: Option<&str>,
        skip: Option<&str>,
        registry: &[&'static dyn Check],
    ) -> Result<Selection> {
        let ids = |flag: &str, list: &str| -> Result<Vec<Chosen>> {
            let mut out = Vec::new();
            for word in list.split(',').map(str::trim).filter(|w| !w.is_empty()) {
                let check = registry.iter().find(|c| c.id().as_str() == word);
                let section = Section::ALL.into_iter().find(|s| s.as_str() == word);
                match (check, section) {
                    (Some(c), _) => out.push(Chosen::Check(c.id())),
                    (None, Some(s)) => out.push(Chosen::Section(s)),
                    (None, None) => {
                        let valid: Vec<&str> = registry
                            .iter()
                            .map(|c| c.id().as_str())
                            .chain(Section::ALL.iter().map(|s| s.as_str()))
                            .collect();
                        return Err(Error::usage(format!(
                            "{flag}: unknown check '{}' (valid: {}; tlskit scan --list-checks)",
                            crate::escape::short(word, 40),
                            valid.join(", ")
                        )));
                    }
                }
            }
            Ok(out)
        };
        Ok(Selection {
            only: only.map(|l| ids("--checks", l)).transpose()?,
            skip: skip
                .map(|l| ids("--skip", l))
                .transpose()?
                .unwrap_or_default(),
        })
    }

    fn chosen(&self, c: Chosen) -> bool {
        self.only.as_ref().is_none_or(|o| o.contains(&c)) && !self.skip.contains(&c)
    }

    /// Whether the check `id` runs.
    pub fn runs(&self, id: CheckId) -> bool {
        self.chosen(Chosen::Check(id))
    }

    /// Whether the report section `s` is filled.
    pub fn runs_section(&self, s: Section) -> bool {
        self.chosen(Chosen::Section(s))
    }

    /// Whether the HTTP layer runs: when its section is chosen, or a chosen check reads it
    /// (BREACH, [`Phase::Http`]) — unless it was left out (`--skip http`, `--no-http`).
    pub fn runs_http(&self, registry: &[&'static dyn Check]) -> bool {
        let needed = registry
            .iter()
            .any(|c| self.runs(c.id()) && c.needs() == Phase::Http);
        !self.skip.contains(&Chosen::Section(Section::Http))
            && (self.runs_section(Section::Http) || needed)
    }

    /// Leave the section `s` out (`--no-http`, `--no-simulation`, `--no-revocation`).
    pub fn skip_section(&mut self, s: Section) {
        self.skip.push(Chosen::Section(s));
    }

    /// Whether the session-features phase runs: always, unless `--checks` named only checks
    /// that do not need it.
    pub fn session_features(&self, registry: &[&'static dyn Check]) -> bool {
        self.only.is_none()
            || registry
                .iter()
                .any(|c| self.runs(c.id()) && c.needs() == Phase::SessionFeatures)
    }

    /// The selected checks of `registry` that need at most `phase`'s facts, in registry order.
    pub fn after(&self, registry: &[&'static dyn Check], phase: Phase) -> Vec<&'static dyn Check> {
        registry
            .iter()
            .copied()
            .filter(|c| self.runs(c.id()) && c.needs() == phase)
            .collect()
    }
}

/// What a line of `--list-checks` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Kind {
    /// A weakness check: an entry of the report's `vulnerabilities`.
    Weakness,
    /// A section of the report of its own ([`Section`]).
    Section,
}

/// One line of `--list-checks`.
#[derive(Debug, Clone, serde::Serialize)]
#[non_exhaustive]
pub struct CheckInfo {
    /// The id `--checks` and `--skip` take.
    pub id: &'static str,
    /// A weakness check or a report section.
    pub kind: Kind,
    /// Its name.
    pub name: &'static str,
    /// CVE identifiers (may be empty).
    pub cves: &'static [&'static str],
}

/// What `--list-checks` shows: the weakness checks in registry order, then the sections.
pub fn list(registry: &[&'static dyn Check]) -> Vec<CheckInfo> {
    registry
        .iter()
        .map(|c| CheckInfo {
            id: c.id().as_str(),
            kind: Kind::Weakness,
            name: c.name(),
            cves: c.cves(),
        })
        .chain(Section::ALL.into_iter().map(|s| CheckInfo {
            id: s.as_str(),
            kind: Kind::Section,
            name: s.name(),
            cves: &[],
        }))
        .collect()
}

/// The verdict of one check that ran, as the report writes it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Outcome {
    /// The report entry.
    pub vulnerability: Vulnerability,
    /// The finding when the server is vulnerable.
    pub finding: Option<Finding>,
}

impl Outcome {
    fn new(check: &dyn Check, verdict: Verdict, report: &ScanReport) -> Outcome {
        let verdict = qualify(check, verdict, report);
        let vulnerability = Vulnerability::new(check.id(), check.name(), check.cves(), verdict);
        let finding = (vulnerability.vulnerable == Some(true)).then(|| {
            Finding::new(
                check.severity(),
                format!("vuln.{}", check.id()),
                format!("{}: {}", vulnerability.name, vulnerability.detail),
            )
        });
        Outcome {
            vulnerability,
            finding,
        }
    }
}

/// A "not vulnerable" that rests on the list of accepted suites is only as good as that list:
/// where a version's enumeration could not determine every suite, it becomes "not determined".
fn qualify(check: &dyn Check, verdict: Verdict, report: &ScanReport) -> Verdict {
    if let Verdict::Oracle(oracle, inner) = verdict {
        // A "not determined" names no oracle.
        return match qualify(check, *inner, report) {
            q @ Verdict::Undetermined(_) => q,
            q => Verdict::Oracle(oracle, Box::new(q)),
        };
    }
    let Verdict::NotVulnerable(detail) = verdict else {
        return verdict;
    };
    let incomplete: Vec<&str> = report
        .protocols
        .iter()
        .filter(|p| p.offered && p.error.is_some())
        .map(|p| p.version.name())
        .collect();
    if !check.rests_on_suites() || incomplete.is_empty() {
        return Verdict::NotVulnerable(detail);
    }
    Verdict::Undetermined(format!(
        "not determined: the cipher suites of {} could not all be tested (see errors); from those found: {detail}",
        incomplete.join(", ")
    ))
}

/// Run `checks` at once, each as its own task, and return their outcomes in the order given.
/// A check whose task fails (a panic) is "not determined", never "not vulnerable".
pub async fn run(ctx: &Arc<Ctx>, checks: &[&'static dyn Check], facts: Arc<Facts>) -> Vec<Outcome> {
    let mut set = JoinSet::new();
    let mut index = HashMap::new();
    for (i, check) in checks.iter().copied().enumerate() {
        let (ctx, facts) = (ctx.clone(), facts.clone());
        let handle = set.spawn(async move {
            let label = format!("check: {}", check.name());
            crate::scan::timed(&label, check.run(&ctx, &facts)).await
        });
        index.insert(handle.id(), i);
    }
    let mut verdicts: Vec<Option<Verdict>> = vec![None; checks.len()];
    while let Some(done) = set.join_next_with_id().await {
        let (id, verdict) = match done {
            Ok((id, v)) => (id, v),
            Err(e) => (
                e.id(),
                Verdict::Undetermined(format!("the check stopped before deciding: {e}")),
            ),
        };
        if let Some(i) = index.get(&id) {
            verdicts[*i] = Some(verdict);
        }
    }
    checks
        .iter()
        .zip(verdicts)
        .map(|(c, v)| {
            let v = v.unwrap_or_else(|| Verdict::Undetermined("the check did not finish".into()));
            Outcome::new(*c, v, &facts.report)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::checks::{ready, CheckFuture, Facts, SessionFacts};
    use tlskit_wire::version::Version;

    /// A check nobody ships, written as a new check file would be: it needs the session
    /// features and reads the report. (Its id is one of the model's: the report's ids are a
    /// closed enum the grade rates exhaustively, so a test cannot invent one.)
    struct Throwaway;

    impl Check for Throwaway {
        fn id(&self) -> CheckId {
            CheckId::Null
        }
        fn name(&self) -> &'static str {
            "Throwaway"
        }
        fn cves(&self) -> &'static [&'static str] {
            &["CVE-0000-0001"]
        }
        fn severity(&self) -> crate::finding::Severity {
            crate::finding::Severity::Info
        }
        fn needs(&self) -> Phase {
            Phase::SessionFeatures
        }
        fn run<'a>(&'a self, _ctx: &'a Ctx, facts: &'a Facts) -> CheckFuture<'a> {
            ready(
                match (&facts.session, facts.report.protocol(Version::Tls12)) {
                    (Some(_), Some(p)) if p.offered => {
                        Verdict::Vulnerable("saw the features and TLSv1.2".into())
                    }
                    _ => Verdict::NotVulnerable("saw nothing".into()),
                },
            )
        }
    }

    /// The registry with the throwaway check added: one line.
    static WITH_THROWAWAY: &[&dyn Check] =
        &[&crate::scan::checks::heartbleed::Heartbleed, &Throwaway];

    /// A context whose prober points at a closed loopback port (the checks here never connect).
    fn offline_ctx() -> Arc<Ctx> {
        let target = crate::net::Target::new("127.0.0.1", 1);
        let connector = crate::net::Connector::new(target, std::time::Duration::from_secs(1));
        let addr = "127.0.0.1:1".parse().unwrap();
        Arc::new(Ctx {
            prober: crate::scan::engine::probe::Prober::new(
                connector,
                addr,
                1,
                std::time::Duration::from_secs(1),
            ),
            sni: None,
            default_key_shares: Vec::new(),
            parallel_chunks: 1,
            client_cert: None,
        })
    }

    #[test]
    fn sections_are_chosen_and_left_out_like_checks() {
        let all = Selection::all();
        assert!(Section::ALL.iter().all(|s| all.runs_section(*s)));
        let only = Selection::parse(Some("heartbleed,http"), None, REGISTRY).unwrap();
        assert!(only.runs_section(Section::Http));
        assert!(!only.runs_section(Section::ClientSimulation));
        assert!(only.runs(CheckId::Heartbleed) && !only.runs(CheckId::Poodle));
        let mut skip = Selection::parse(None, Some("client_simulation"), REGISTRY).unwrap();
        assert!(!skip.runs_section(Section::ClientSimulation));
        assert!(skip.runs_section(Section::ClientAuth));
        skip.skip_section(Section::Revocation);
        assert!(!skip.runs_section(Section::Revocation));
        // BREACH reads the HTTP layer: choosing it runs the layer, unless that is left out.
        let breach = Selection::parse(Some("breach"), None, REGISTRY).unwrap();
        assert!(!breach.runs_section(Section::Http) && breach.runs_http(REGISTRY));
        let off = Selection::parse(Some("breach"), Some("http"), REGISTRY).unwrap();
        assert!(!off.runs_http(REGISTRY));
        assert!(!Selection::parse(Some("crime"), None, REGISTRY)
            .unwrap()
            .runs_http(REGISTRY));
        let e = Selection::parse(Some("nope"), None, REGISTRY).unwrap_err();
        assert!(e.message().contains("client_simulation"), "{}", e.message());
        let listed = list(REGISTRY);
        assert_eq!(listed.len(), REGISTRY.len() + Section::ALL.len());
        assert_eq!(listed.last().unwrap().id, "dns");
        assert_eq!(listed.last().unwrap().kind, Kind::Section);
    }

    #[tokio::test]
    async fn a_throwaway_check_added_through_the_registry_alone() {
        // Listed, selectable, and placed after the session features.
        let listed = list(WITH_THROWAWAY);
        assert_eq!(listed[1].name, "Throwaway");
        assert_eq!(listed[1].cves, &["CVE-0000-0001"]);
        let only = Selection::parse(Some("null"), None, WITH_THROWAWAY).unwrap();
        assert!(only.session_features(WITH_THROWAWAY));
        assert!(only.after(WITH_THROWAWAY, Phase::Enumeration).is_empty());
        let late = only.after(WITH_THROWAWAY, Phase::SessionFeatures);
        assert_eq!(late.len(), 1);
        // Run by the runner with the facts of the earlier phases.
        let report = crate::scan::checks::common::report_with(&[(Version::Tls12, &[0xc02f])]);
        let facts = Arc::new(Facts::new(report, Some(SessionFacts::default())));
        let out = run(&offline_ctx(), &late, facts).await;
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].vulnerability.name, "Throwaway (CVE-0000-0001)");
        assert_eq!(out[0].vulnerability.vulnerable, Some(true));
        let f = out[0].finding.as_ref().unwrap();
        assert_eq!(f.id, "vuln.null");
        assert_eq!(
            f.message,
            "Throwaway (CVE-0000-0001): saw the features and TLSv1.2"
        );
        // Skipped, it is absent.
        let skip = Selection::parse(None, Some("null"), WITH_THROWAWAY).unwrap();
        assert!(skip
            .after(WITH_THROWAWAY, Phase::SessionFeatures)
            .is_empty());
        let empty = ScanReport::for_tests(Vec::new(), Vec::new(), Vec::new());
        let out = run(&offline_ctx(), &late, Arc::new(Facts::new(empty, None))).await;
        assert_eq!(out[0].vulnerability.vulnerable, Some(false));
    }

    #[test]
    fn suite_based_no_is_not_determined_when_a_version_is_incomplete() {
        let mut r = crate::scan::checks::common::report_with(&[(Version::Tls12, &[0xc02f])]);
        r.protocols[0].error = Some("TLSv1.2: 3 suites could not be tested".into());
        let no = || Verdict::NotVulnerable("no 64-bit block cipher is accepted".into());
        let q = qualify(&crate::scan::checks::sweet32::Sweet32, no(), &r);
        assert_eq!(q, Verdict::Undetermined("not determined: the cipher suites of TLSv1.2 could not all be tested (see errors); from those found: no 64-bit block cipher is accepted".into()));
        // A verdict that does not rest on the suites stands.
        let q = qualify(&crate::scan::checks::heartbleed::Heartbleed, no(), &r);
        assert_eq!(q, no());
        // A "yes" stands: what was found was found.
        let yes = Verdict::Vulnerable("x".into());
        let q = qualify(&crate::scan::checks::sweet32::Sweet32, yes.clone(), &r);
        assert_eq!(q, yes);
    }

    #[tokio::test]
    async fn a_check_that_panics_is_not_determined() {
        struct Broken;
        impl Check for Broken {
            fn id(&self) -> CheckId {
                CheckId::Robot
            }
            fn name(&self) -> &'static str {
                "Broken"
            }
            fn severity(&self) -> crate::finding::Severity {
                crate::finding::Severity::High
            }
            fn run<'a>(&'a self, _ctx: &'a Ctx, _facts: &'a Facts) -> CheckFuture<'a> {
                Box::pin(async { panic!("broken check") })
            }
        }
        static BROKEN: Broken = Broken;
        let empty = ScanReport::for_tests(Vec::new(), Vec::new(), Vec::new());
        let out = run(
            &offline_ctx(),
            &[&BROKEN],
            Arc::new(Facts::new(empty, None)),
        )
        .await;
        assert_eq!(out[0].vulnerability.vulnerable, None);
        assert!(out[0].finding.is_none());
    }

    #[test]
    fn ids_are_unique_and_parse_back() {
        let mut seen = Vec::new();
        for c in REGISTRY {
            assert!(!seen.contains(&c.id()), "{} twice", c.id());
            seen.push(c.id());
            assert_eq!(CheckId::parse(c.id().as_str()), Some(c.id()));
        }
    }

    #[test]
    fn selection_parses_and_names_the_valid_ids() {
        let s = Selection::parse(Some("heartbleed, poodle"), Some("poodle"), REGISTRY).unwrap();
        assert!(s.runs(CheckId::Heartbleed));
        assert!(!s.runs(CheckId::Poodle));
        assert!(!s.runs(CheckId::Robot));
        assert!(!s.session_features(REGISTRY));
        // Checks that need only the enumeration: --checks alone skips the session features.
        assert!(!Selection::parse(Some("crime"), None, REGISTRY)
            .unwrap()
            .session_features(REGISTRY));
        assert!(Selection::all().session_features(REGISTRY));
        let e = Selection::parse(None, Some("heartbleed,winshock"), REGISTRY).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let m = e.message().to_string();
        assert!(m.contains("--skip: unknown check 'winshock'"), "{m}");
        assert!(
            m.contains("heartbleed, ccs_injection, ticketbleed, robot"),
            "{m}"
        );
    }
}
