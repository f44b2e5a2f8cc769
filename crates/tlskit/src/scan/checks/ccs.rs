//! CCS injection (CVE-2014-0224), probed safely: after the server's ServerHelloDone, send a
//! ChangeCipherSpec before any key exchange. A correct server refuses it at once
//! (unexpected_message). A vulnerable OpenSSL accepts it silently and switches to keys derived
//! from an empty master secret, so the next record we send (a second ChangeCipherSpec, in clear)
//! fails its integrity check: bad_record_mac or decryption_failed.

use super::common::{newest_legacy, no_legacy};
use super::{Check, CheckFuture, CheckId, Facts};
use crate::finding::Severity;
use crate::scan::engine::conn::{read_flight, Conn, End, Msg};
use crate::scan::engine::hello::HelloSpec;
use crate::scan::report::Verdict;
use crate::scan::Ctx;
use std::time::Duration;
use tlskit_wire::alert::AlertDescription;
use tlskit_wire::record::ContentType;
use tlskit_wire::version::Version;
use tokio::time::Instant;

/// The check.
pub struct CcsInjection;

impl Check for CcsInjection {
    fn id(&self) -> CheckId {
        CheckId::CcsInjection
    }
    fn name(&self) -> &'static str {
        "CCS injection"
    }
    fn cves(&self) -> &'static [&'static str] {
        &["CVE-2014-0224"]
    }
    fn severity(&self) -> Severity {
        Severity::High
    }
    fn run<'a>(&'a self, ctx: &'a Ctx, facts: &'a Facts) -> CheckFuture<'a> {
        Box::pin(async move {
            match newest_legacy(&facts.report) {
                Some((v, s)) => probe(ctx, v, s).await,
                None => no_legacy("CCS injection"),
            }
        })
    }
}

enum Answer {
    Alert(AlertDescription),
    Closed,
    Silent,
    Other(String),
}

async fn answer(conn: &mut Conn, wait: Instant) -> Answer {
    loop {
        match conn.next(wait).await {
            Ok(Msg::Alert(a)) => return Answer::Alert(a.description),
            Ok(Msg::Heartbeat(_)) => {}
            Ok(other) => return Answer::Other(format!("{other:?}")),
            Err(End::Timeout) => return Answer::Silent,
            Err(End::Closed { .. }) => return Answer::Closed,
            Err(End::Malformed(m)) => return Answer::Other(m),
        }
    }
}

async fn probe(ctx: &Ctx, version: Version, suites: Vec<u16>) -> Verdict {
    let deadline = Instant::now() + ctx.prober.timeout();
    let record = HelloSpec::new(version, suites, ctx.sni.clone()).build();
    let mut conn = match Conn::open(ctx).await {
        Ok(c) => c,
        Err(e) => return Verdict::Undetermined(format!("could not connect: {e}")),
    };
    if let Err(e) = conn.send_raw(&record, deadline).await {
        return Verdict::Undetermined(format!("could not send the hello: {}", e.describe()));
    }
    match read_flight(&mut conn, deadline).await {
        Ok(f) if f.resumed => {
            return Verdict::Undetermined("the server resumed a session we did not offer".into())
        }
        Ok(_) => {}
        Err(e) => {
            return Verdict::Undetermined(format!("no usable {} handshake: {e}", version.name()))
        }
    }
    let short = || deadline.min(Instant::now() + Duration::from_secs(2));
    if let Err(e) = conn
        .send(ContentType::ChangeCipherSpec, &[1], deadline)
        .await
    {
        return Verdict::NotVulnerable(format!(
            "the early ChangeCipherSpec was refused ({})",
            e.describe()
        ));
    }
    let verdict = match answer(&mut conn, short()).await {
        Answer::Alert(d) => Verdict::NotVulnerable(format!(
            "the early ChangeCipherSpec was refused ({} alert)",
            d.name()
        )),
        Answer::Closed => Verdict::NotVulnerable(
            "the server closed the connection on the early ChangeCipherSpec".into(),
        ),
        Answer::Other(m) => Verdict::Undetermined(format!(
            "unexpected answer to the early ChangeCipherSpec: {m}"
        )),
        Answer::Silent => {
            // Accepted silently (or ignored): a second record tells which.
            if let Err(e) = conn
                .send(ContentType::ChangeCipherSpec, &[1], deadline)
                .await
            {
                return Verdict::Undetermined(format!(
                    "the early ChangeCipherSpec got no answer, the next record {}",
                    e.describe()
                ));
            }
            match answer(&mut conn, short()).await {
                Answer::Alert(d @ (AlertDescription::BadRecordMac | AlertDescription::DecryptionFailed)) => Verdict::Vulnerable(

                    format!(
                        "the server accepted a ChangeCipherSpec before the key exchange and then failed to decrypt the next record ({} alert): CVE-2014-0224",
                        d.name()
                    ),
                ),
                Answer::Alert(d) => Verdict::NotVulnerable( format!("the early ChangeCipherSpec was refused on the second try ({} alert)", d.name())),
                Answer::Closed => Verdict::Undetermined( "the server ignored the early ChangeCipherSpec, then closed without an alert".into()),
                Answer::Silent => Verdict::Undetermined( "the server ignored the early ChangeCipherSpec entirely (no alert)".into()),
                Answer::Other(m) => Verdict::Undetermined( format!("unexpected answer: {m}")),
            }
        }
    };
    conn.close().await;
    verdict
}
