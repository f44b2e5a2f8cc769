//! Ticketbleed (CVE-2016-9244): F5 BIG-IP's TLS stack, resuming a session from a ticket, echoed
//! the client's session ID as 32 bytes whatever its length — the bytes past the client's were
//! uninitialised memory.
//!
//! Only servers that issue session tickets are asked. A full handshake with the scanner's TLS ≤
//! 1.2 client gets a ticket; then a ClientHello offering that ticket with a one-byte session ID
//! (for the session's version and suite, with extended master secret when the session had it).
//! A server that resumes must echo exactly that byte (RFC 5077 §3.4); a longer echo starting with
//! it is the leak. (testssl.sh's `run_ticketbleed` sends a 6-byte ID three times and also wants
//! the extra bytes to differ between attempts; the echo's length alone already breaks RFC 5077.)

use super::common::{newest_legacy, no_legacy};
use super::features::{connect, legacy_target};
use super::{Check, CheckFuture, CheckId, Facts, Phase};
use crate::finding::Severity;
use crate::scan::engine::conn::{read_flight, Conn};
use crate::scan::engine::hello::HelloSpec;
use crate::scan::engine::legacy::{self, Negotiated};
use crate::scan::report::{ScanReport, Verdict};
use crate::scan::Ctx;
use tokio::time::Instant;

/// The check.
pub struct Ticketbleed;

/// The one-byte session ID offered with the ticket.
const SESSION_ID: u8 = 0x5a;

impl Check for Ticketbleed {
    fn id(&self) -> CheckId {
        CheckId::Ticketbleed
    }
    fn name(&self) -> &'static str {
        "Ticketbleed"
    }
    fn cves(&self) -> &'static [&'static str] {
        &["CVE-2016-9244"]
    }
    fn severity(&self) -> Severity {
        // Memory disclosure, like Heartbleed but 31 bytes at a time.
        Severity::High
    }
    fn needs(&self) -> Phase {
        // Whether tickets are issued comes from the session features.
        Phase::SessionFeatures
    }
    fn run<'a>(&'a self, ctx: &'a Ctx, facts: &'a Facts) -> CheckFuture<'a> {
        Box::pin(async move {
            if let Some(v) = before_asking(&facts.report) {
                return v;
            }
            let Some((version, suites)) = legacy_target(&facts.report) else {
                return Verdict::Undetermined(
                    "not determined: the server accepts no suite tlskit's TLS ≤ 1.2 client speaks, so no ticket could be obtained".into(),
                );
            };
            let first = match ticket(ctx, version, suites).await {
                Ok(n) => n,
                Err(e) => {
                    return Verdict::Undetermined(format!(
                        "not determined: a handshake asking for a ticket failed: {e}"
                    ))
                }
            };
            if first.session.ticket.is_empty() {
                return Verdict::NotVulnerable(
                    "not vulnerable: no session tickets (none was issued)".into(),
                );
            }
            match echo(ctx, &first).await {
                Ok((sid, resumed)) => judge(&sid, resumed, &facts.report),
                Err(e) => Verdict::Undetermined(format!(
                    "not determined: the hello offering the ticket got no ServerHello: {e}"
                )),
            }
        })
    }
}

/// The verdict that needs no connection: no TLS ≤ 1.2, or no tickets.
fn before_asking(report: &ScanReport) -> Option<Verdict> {
    if newest_legacy(report).is_none() {
        return Some(no_legacy("Ticketbleed"));
    }
    // Not told by the session features (None): the check asks for a ticket itself.
    match report
        .session_features
        .as_ref()
        .and_then(|f| f.session_tickets)
    {
        Some(false) => Some(Verdict::NotVulnerable(
            "not vulnerable: no session tickets".into(),
        )),
        _ => None,
    }
}

/// A full handshake asking for a ticket.
async fn ticket(
    ctx: &Ctx,
    version: tlskit_wire::version::Version,
    suites: Vec<u16>,
) -> Result<Negotiated, String> {
    let io = connect(ctx).await?;
    let mut config = legacy::Config::new(version, suites);
    config.server_name = ctx.sni.clone();
    config.client_cert = ctx.client_cert.clone();
    let mut c = legacy::Connection::new(io, config, Instant::now() + ctx.prober.timeout());
    let n = c.handshake().await.map_err(|e| e.to_string());
    c.close().await;
    n
}

/// Offer the ticket with a one-byte session ID: the ServerHello's session ID, and whether the
/// server resumed (an abbreviated handshake).
async fn echo(ctx: &Ctx, first: &Negotiated) -> Result<(Vec<u8>, bool), String> {
    let mut spec = HelloSpec::new(first.version, vec![first.suite], ctx.sni.clone());
    spec.status_request = false;
    let mut b = spec
        .builder()
        .session_id(vec![SESSION_ID])
        .session_ticket(&first.session.ticket);
    if first.session.extended_master_secret {
        b = b.extended_master_secret();
    }
    let deadline = Instant::now() + ctx.prober.timeout();
    let mut conn = Conn::open(ctx).await?;
    conn.send_raw(&b.build_record(), deadline)
        .await
        .map_err(|e| e.describe())?;
    let flight = read_flight(&mut conn, deadline).await;
    conn.close().await;
    let flight = flight?;
    let sh = flight.server_hello.ok_or("no ServerHello")?;
    Ok((sh.session_id, flight.resumed))
}

/// The verdict from the echoed session ID.
fn judge(sid: &[u8], resumed: bool, report: &ScanReport) -> Verdict {
    let leaked = sid.len() > 1 && sid[0] == SESSION_ID;
    if resumed && leaked {
        return Verdict::Vulnerable(format!(
            "resuming a ticket offered with a 1-byte session ID, the server echoed {} bytes: {} bytes of its memory ({})",
            sid.len(),
            sid.len() - 1,
            hex(&sid[1..])
        ));
    }
    if resumed {
        return Verdict::NotVulnerable(format!(
            "the server resumed the ticket and echoed the 1-byte session ID {}",
            if sid == [SESSION_ID] {
                "as sent"
            } else {
                "without adding to it"
            }
        ));
    }
    let ticket_resumption = report
        .session_features
        .as_ref()
        .and_then(|f| f.ticket_resumption);
    if ticket_resumption == Some(false) {
        return Verdict::NotVulnerable(
            "the server issues tickets but does not resume sessions from them, where the leak would be".into(),
        );
    }
    Verdict::Undetermined(
        "not determined: the server did not resume the ticket it had issued, so its echo of the session ID could not be seen".into(),
    )
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::checks::common::report_with;
    use crate::scan::report::SessionFeatures;
    use tlskit_wire::version::Version;

    fn report(tickets: Option<bool>, resumption: Option<bool>) -> ScanReport {
        let mut r = report_with(&[(Version::Tls12, &[0xc02f])]);
        r.session_features = Some(SessionFeatures {
            session_tickets: tickets,
            ticket_resumption: resumption,
            ..Default::default()
        });
        r
    }

    #[test]
    fn a_longer_echo_on_resumption_is_the_leak() {
        let mut sid = vec![SESSION_ID];
        sid.extend([0xab; 31]);
        let v = judge(&sid, true, &report(Some(true), Some(true)));
        assert_eq!(v.vulnerable(), Some(true));
        assert!(
            v.detail()
                .contains("echoed 32 bytes: 31 bytes of its memory (abab"),
            "{}",
            v.detail()
        );
        let v = judge(&[SESSION_ID], true, &report(Some(true), Some(true)));
        assert_eq!(
            v,
            Verdict::NotVulnerable(
                "the server resumed the ticket and echoed the 1-byte session ID as sent".into()
            )
        );
    }

    #[test]
    fn without_resumption_it_is_not_told_unless_tickets_never_resume() {
        // A full handshake's fresh 32-byte ID that happens to start with our byte is no leak.
        let mut sid = vec![SESSION_ID];
        sid.extend([1; 31]);
        assert_eq!(
            judge(&sid, false, &report(Some(true), None)).vulnerable(),
            None
        );
        assert_eq!(
            judge(&sid, false, &report(Some(true), Some(false))).vulnerable(),
            Some(false)
        );
    }

    #[test]
    fn no_tickets_or_no_tls12_is_not_vulnerable_without_asking() {
        let v = before_asking(&report(Some(false), None)).unwrap();
        assert_eq!(
            v,
            Verdict::NotVulnerable("not vulnerable: no session tickets".into())
        );
        assert!(before_asking(&report(Some(true), None)).is_none());
        assert!(before_asking(&report(None, None)).is_none());
        let tls13 = report_with(&[(Version::Tls13, &[0x1301])]);
        assert_eq!(before_asking(&tls13).unwrap().vulnerable(), Some(false));
    }
}
