//! Revocation (issue 12, item 4): for every certificate of every served chain, ask its CA whether
//! it is revoked — the OCSP responder named in its Authority Information Access and the CRL named
//! in its CRL distribution points, fetched over plain HTTP (only `http://` URLs, as browsers do
//! for OCSP and CRLs), each fetch bounded by the scan's timeout and a size cap — and count the
//! OCSP response the server stapled. Answers are verified by pki (signature by the issuer or a
//! responder it authorised, this certificate's CertID, freshness): an answer that does not verify
//! is "unknown" with the reason, never "good". Nothing here fails the scan: a responder that is
//! down or unreachable leaves the certificate "unknown", with a note among the report's errors.
//!
//! The scan runs this alongside its session features and weakness checks (it needs only the
//! certificates), so it adds no time to a scan whose responders answer within that phase.

use super::certificates::Found;
use crate::net::{Connector, Route, Target};
use crate::pki::chain::{
    revocation_subjects, CheckAnswer, Revocation, RevocationCheck, RevocationSource,
    RevocationStatus, RevocationSubject, TrustStores,
};
use crate::scan::report::{CertificateChain, Finding, Severity};
use rustls::pki_types::{CertificateDer, UnixTime};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The largest OCSP response read.
const OCSP_CAP: usize = 1 << 20;
/// The largest CRL read (the CRLs of large public CAs run to a few MiB).
const CRL_CAP: usize = 16 << 20;
/// At most this many URLs of each kind are asked per certificate.
const URLS_PER_KIND: usize = 2;

/// What the check found, to be put into the report by [`Outcome::apply`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Outcome {
    /// Per chain (the report's `certificates` order), per certificate: its verdict.
    pub verdicts: Vec<Vec<Option<Revocation>>>,
    pub findings: Vec<Finding>,
    pub errors: Vec<String>,
}

impl Outcome {
    /// Put the verdicts on the report's certificates and add the findings and errors.
    pub fn apply(self, report: &mut crate::scan::report::ScanReport) {
        for (chain, verdicts) in report.certificates.iter_mut().zip(self.verdicts) {
            for (cert, v) in chain.certificates.iter_mut().zip(verdicts) {
                cert.revocation = v;
            }
        }
        report.findings.extend(self.findings);
        report.errors.extend(self.errors);
    }
}

/// Issue 12 item 6: a certificate (not self-signed) that names no OCSP responder and no CRL
/// distribution point cannot be checked for revocation by any client: one finding per chain,
/// naming those certificates. Read from the certificates alone (also with `--no-revocation`).
pub fn no_url_findings(chains: &[CertificateChain]) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for chain in chains {
        let bare: Vec<String> = chain
            .certificates
            .iter()
            .filter(|c| !c.self_signed && c.ocsp_urls.is_empty() && c.crl_urls.is_empty())
            .map(|c| crate::escape::short(&c.subject, 120))
            .collect();
        if bare.is_empty() {
            continue;
        }
        let f = Finding::new(
            Severity::Low,
            "revocation.no_urls",
            format!(
                "{} chain: {} name{} no OCSP responder and no CRL distribution point, so no client can check whether {} revoked",
                chain.key_type,
                bare.join(", "),
                if bare.len() == 1 { "s" } else { "" },
                if bare.len() == 1 { "it is" } else { "they are" }
            ),
        );
        if !out.iter().any(|x| x.message == f.message) {
            out.push(f);
        }
    }
    out
}

/// One HTTP request to make (OCSP POST or CRL GET), shared by every certificate that needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fetch {
    url: String,
    /// The OCSP request (POST); none for a CRL (GET).
    body: Option<Vec<u8>>,
}

/// What each certificate of a chain will be judged by.
enum Plan {
    /// Known without asking: the reason it is unknown.
    Unknown(String),
    /// The staple (leaf only), the OCSP and CRL fetches (indexes into the fetch list), and the
    /// URLs not fetched.
    Ask {
        subject: Box<RevocationSubject>,
        staple: Option<Vec<u8>>,
        fetches: Vec<(RevocationSource, usize)>,
        skipped: Vec<RevocationCheck>,
    },
}

/// Check every certificate of `chains` (found as `found`), fetching through `route` with
/// `timeout` per fetch.
pub async fn run(
    chains: &[CertificateChain],
    found: &[Found],
    stores: &TrustStores,
    route: &Route,
    timeout: Duration,
) -> Outcome {
    let mut fetches: Vec<Fetch> = Vec::new();
    let mut plans: Vec<Vec<(String, Plan)>> = Vec::new();
    for chain in chains {
        let Some(f) = raw_chain(chain, found) else {
            plans.push(Vec::new());
            continue;
        };
        let ders: Vec<CertificateDer<'static>> = f
            .chain
            .iter()
            .map(|d| CertificateDer::from(d.clone()))
            .collect();
        let subjects = revocation_subjects(&ders, stores);
        let mut chain_plans = Vec::new();
        for s in subjects {
            let staple = (s.index == 0).then(|| f.ocsp.clone()).flatten();
            chain_plans.push((s.fingerprint.clone(), plan(s, staple, &mut fetches)));
        }
        plans.push(chain_plans);
    }

    let answers = futures_util::future::join_all(
        fetches
            .iter()
            .map(|f| crate::scan::timed("revocation fetch", fetch(f, route, timeout))),
    )
    .await;

    let now = UnixTime::now();
    let mut out = Outcome::default();
    for (chain, chain_plans) in chains.iter().zip(plans) {
        let mut verdicts = Vec::new();
        for cert in &chain.certificates {
            let Some((_, p)) = chain_plans
                .iter()
                .find(|(fp, _)| *fp == cert.sha256_fingerprint)
            else {
                verdicts.push(None);
                continue;
            };
            let v = judge(p, &fetches, &answers, now);
            notes(chain, cert, &v, &mut out);
            verdicts.push(Some(v));
        }
        out.verdicts.push(verdicts);
    }
    out
}

/// The raw chain a summarised chain came from (the first whose leaf is its leaf).
fn raw_chain<'a>(chain: &CertificateChain, found: &'a [Found]) -> Option<&'a Found> {
    let fp = &chain.certificates.first()?.sha256_fingerprint;
    found.iter().find(|f| {
        f.chain
            .first()
            .and_then(|l| crate::pki::inspect::CertInfo::from_der(l).ok())
            .is_some_and(|i| i.sha256_fingerprint == *fp)
    })
}

/// Decide what to ask about one certificate, adding its fetches to `fetches` (deduplicated).
fn plan(s: RevocationSubject, staple: Option<Vec<u8>>, fetches: &mut Vec<Fetch>) -> Plan {
    if s.self_signed {
        return Plan::Unknown(
            "self-signed: no CA publishes its revocation (trust in it rests on the trust store)"
                .into(),
        );
    }
    if s.ocsp_urls.is_empty() && s.crl_urls.is_empty() && staple.is_none() {
        return Plan::Unknown(
            "the certificate names no OCSP responder and no CRL distribution point".into(),
        );
    }
    if s.issuer.is_none() {
        return Plan::Unknown(
            "its issuer is neither sent nor a trust anchor, so no answer about it can be verified"
                .into(),
        );
    }
    let mut add = |f: Fetch| match fetches.iter().position(|x| *x == f) {
        Some(i) => i,
        None => {
            fetches.push(f);
            fetches.len() - 1
        }
    };
    let mut planned = Vec::new();
    let mut skipped = Vec::new();
    let request = s.ocsp_request();
    let kinds = [
        (RevocationSource::Ocsp, &s.ocsp_urls),
        (RevocationSource::Crl, &s.crl_urls),
    ];
    for (source, urls) in kinds {
        for url in urls.iter().take(URLS_PER_KIND) {
            if !is_http(url) {
                skipped.push(RevocationCheck {
                    source,
                    url: Some(crate::escape::short(url, 200)),
                    answer: CheckAnswer::Unknown(
                        "not fetched: only http:// URLs are (as browsers do)".into(),
                    ),
                });
                continue;
            }
            let body = match source {
                RevocationSource::Ocsp => match &request {
                    Some(r) => Some(r.clone()),
                    None => continue,
                },
                _ => None,
            };
            let i = add(Fetch {
                url: url.clone(),
                body,
            });
            planned.push((source, i));
        }
    }
    Plan::Ask {
        subject: Box::new(s),
        staple,
        fetches: planned,
        skipped,
    }
}

fn is_http(url: &str) -> bool {
    url.get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
}

/// The verdict on one certificate from its plan and the fetched answers.
fn judge(
    p: &Plan,
    fetches: &[Fetch],
    answers: &[Result<Vec<u8>, String>],
    now: UnixTime,
) -> Revocation {
    let (subject, staple, planned, skipped) = match p {
        Plan::Unknown(why) => return Revocation::from_checks(Vec::new(), Some(why.clone())),
        Plan::Ask {
            subject,
            staple,
            fetches,
            skipped,
        } => (subject, staple, fetches, skipped),
    };
    let mut checks = Vec::new();
    if let Some(st) = staple {
        checks.push(subject.judge_ocsp(st, RevocationSource::Stapled, None, now));
    }
    for (source, i) in planned {
        let url = crate::escape::short(&fetches[*i].url, 200);
        let check = match &answers[*i] {
            Err(why) => RevocationCheck {
                source: *source,
                url: Some(url),
                answer: CheckAnswer::Unknown(why.clone()),
            },
            Ok(body) => match source {
                RevocationSource::Crl => subject.judge_crl(body, Some(&url), now),
                _ => subject.judge_ocsp(body, *source, Some(&url), now),
            },
        };
        checks.push(check);
    }
    checks.extend(skipped.iter().cloned());
    Revocation::from_checks(checks, None)
}

/// Findings and errors for one certificate's verdict.
fn notes(
    chain: &CertificateChain,
    cert: &crate::pki::inspect::CertInfo,
    v: &Revocation,
    out: &mut Outcome,
) {
    let subject = crate::escape::short(&cert.subject, 200);
    let leaf = chain
        .certificates
        .first()
        .is_some_and(|l| l.sha256_fingerprint == cert.sha256_fingerprint);
    let what = if leaf {
        format!("{} ({subject})", chain.key_type)
    } else {
        format!("{} chain: intermediate {subject}", chain.key_type)
    };
    match v.status {
        RevocationStatus::Revoked => {
            // A revoked staple already has its finding from the chain analysis.
            if v.source == Some(RevocationSource::Stapled) {
                return;
            }
            let finding = Finding::new(
                Severity::Critical,
                "cert.revoked",
                format!(
                    "{what}: the certificate is REVOKED according to its CA's {}{}{}",
                    v.source.map(|s| s.name()).unwrap_or("?"),
                    v.revoked
                        .as_ref()
                        .map(|r| format!(" ({})", r.reason_text()))
                        .unwrap_or_default(),
                    v.revoked
                        .as_ref()
                        .and_then(|r| r.at.as_deref())
                        .map(|t| format!(", since {t}"))
                        .unwrap_or_default()
                ),
            );
            if !out.findings.iter().any(|f| f.message == finding.message) {
                out.findings.push(finding);
            }
        }
        RevocationStatus::Unknown => {
            // Asked but no answer could be used: not determined, said among the errors.
            let asked = v
                .checked
                .iter()
                .any(|c| c.source != RevocationSource::Stapled && c.url.is_some());
            if asked {
                let e = format!(
                    "revocation of {what}: not determined ({})",
                    v.unknown_reason.as_deref().unwrap_or("no answer")
                );
                if !out.errors.contains(&e) {
                    out.errors.push(e);
                }
            }
        }
        RevocationStatus::Good => {}
    }
}

/// An `http://` URL split for the request.
#[derive(Debug, Clone, PartialEq, Eq)]
struct HttpUrl {
    host: String,
    port: u16,
    /// The Host header: the authority as written.
    authority: String,
    /// Path and query, starting with '/'.
    path: String,
}

impl HttpUrl {
    fn parse(url: &str) -> Result<HttpUrl, String> {
        let bad = || {
            format!(
                "not a usable http:// URL: {}",
                crate::escape::short(url, 120)
            )
        };
        let rest = url.get(7..).filter(|_| is_http(url)).ok_or_else(bad)?;
        let (authority, path) = match rest.find(['/', '?']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if authority.is_empty()
            || authority.contains('@')
            || !authority.is_ascii()
            || path.bytes().any(|b| b <= b' ' || b == 0x7f)
        {
            return Err(bad());
        }
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !p.contains(']') => (h, p.parse::<u16>().map_err(|_| bad())?),
            _ => (authority, 80),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() || port == 0 {
            return Err(bad());
        }
        let path = if path.starts_with('?') {
            format!("/{path}")
        } else {
            path.to_string()
        };
        Ok(HttpUrl {
            host: host.to_string(),
            port,
            authority: authority.to_string(),
            path,
        })
    }
}

/// Fetch one answer: the body of a 200 response, or why not (one sentence). The whole exchange
/// (connect, request, response) is bounded by `timeout`.
async fn fetch(f: &Fetch, route: &Route, timeout: Duration) -> Result<Vec<u8>, String> {
    let url = HttpUrl::parse(&f.url)?;
    let cap = if f.body.is_some() { OCSP_CAP } else { CRL_CAP };
    match tokio::time::timeout(
        timeout,
        exchange(&url, f.body.as_deref(), route, timeout, cap),
    )
    .await
    {
        Ok(r) => r,
        Err(_) => Err(format!(
            "no answer within {}",
            crate::net::fmt_duration(timeout)
        )),
    }
}

async fn exchange(
    url: &HttpUrl,
    body: Option<&[u8]>,
    route: &Route,
    timeout: Duration,
    cap: usize,
) -> Result<Vec<u8>, String> {
    let target = Target::new(url.host.clone(), url.port);
    let connector = Connector::new(target, timeout).with_route(route);
    let mut conn = connector
        .connect_tcp(None)
        .await
        .map_err(|e| e.message().to_string())?;
    let method = if body.is_some() { "POST" } else { "GET" };
    let mut req = format!(
        "{method} {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: tlskit/{}\r\nConnection: close\r\n",
        url.path,
        url.authority,
        env!("CARGO_PKG_VERSION")
    );
    match body {
        Some(b) => req.push_str(&format!(
            "Content-Type: application/ocsp-request\r\nAccept: application/ocsp-response\r\nContent-Length: {}\r\n\r\n",
            b.len()
        )),
        None => req.push_str("Accept: application/pkix-crl, */*\r\n\r\n"),
    }
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body.unwrap_or_default());
    conn.stream
        .write_all(&bytes)
        .await
        .map_err(|e| format!("the request could not be sent: {e}"))?;
    read_response(&mut conn.stream, method, cap).await
}

/// Read one HTTP response (the crate's one parser and chunked decoder): the body of a 200, at
/// most `cap` bytes of it.
async fn read_response<S: tokio::io::AsyncRead + Unpin>(
    s: &mut S,
    method: &str,
    cap: usize,
) -> Result<Vec<u8>, String> {
    use crate::http::{self, Framing};
    let too_big = || format!("the answer is larger than {} KiB (not read)", cap / 1024);
    let mut buf = Vec::new();
    // Bytes already searched for the blank line (each piece is searched once).
    let mut searched = 0;
    let mut chunk = vec![0u8; 16 * 1024];
    let end = loop {
        if let Some(end) = http::head_end_from(&buf, searched) {
            break end;
        }
        if buf.len() > http::MAX_HEAD {
            return Err("the HTTP response head is larger than 64 KiB".into());
        }
        let n = s
            .read(&mut chunk)
            .await
            .map_err(|e| format!("reading the answer failed: {e}"))?;
        if n == 0 {
            return Err(if buf.is_empty() {
                "the server closed the connection without answering".into()
            } else {
                "the server closed the connection in the middle of the HTTP head".into()
            });
        }
        searched = buf.len();
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = http::parse_response_head(&buf[..end]).map_err(|e| e.message().to_string())?;
    if head.status != 200 {
        let mut why = format!(
            "HTTP {} {}",
            head.status,
            crate::escape::short(&head.reason, 60)
        );
        if (300..400).contains(&head.status) {
            why.push_str(" (redirects are not followed)");
        }
        return Err(why);
    }
    let framing = http::response_framing(head.status, Some(method), &head.headers)
        .map_err(|e| e.message().to_string())?;
    let mut rest = buf.split_off(end);
    let mut out = Vec::new();
    match framing {
        Framing::None => {}
        Framing::Length(n) => {
            let n = usize::try_from(n)
                .ok()
                .filter(|n| *n <= cap)
                .ok_or_else(too_big)?;
            while rest.len() < n {
                let got = s
                    .read(&mut chunk)
                    .await
                    .map_err(|e| format!("reading the answer failed: {e}"))?;
                if got == 0 {
                    return Err(format!(
                        "the answer was cut short ({} of {n} bytes)",
                        rest.len()
                    ));
                }
                rest.extend_from_slice(&chunk[..got]);
            }
            rest.truncate(n);
            out = rest;
        }
        Framing::Chunked => {
            let mut dec = http::ChunkedDecoder::new();
            let mut data = rest;
            loop {
                let mut over = false;
                dec.push(&data, &mut |b| {
                    if out.len() + b.len() > cap {
                        over = true;
                    } else {
                        out.extend_from_slice(b);
                    }
                })
                .map_err(|e| e.message().to_string())?;
                if over {
                    return Err(too_big());
                }
                if dec.done() {
                    break;
                }
                let got = s
                    .read(&mut chunk)
                    .await
                    .map_err(|e| format!("reading the answer failed: {e}"))?;
                if got == 0 {
                    return Err("the chunked answer was cut short".into());
                }
                data = chunk[..got].to_vec();
            }
        }
        Framing::UntilClose => {
            out = rest;
            loop {
                if out.len() > cap {
                    return Err(too_big());
                }
                let got = s
                    .read(&mut chunk)
                    .await
                    .map_err(|e| format!("reading the answer failed: {e}"))?;
                if got == 0 {
                    break;
                }
                out.extend_from_slice(&chunk[..got]);
            }
        }
    }
    Ok(out)
}
