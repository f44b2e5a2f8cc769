//! Heartbleed (CVE-2014-0160), probed safely: offer the heartbeat extension, read the server's
//! flight up to ServerHelloDone, then send one heartbeat request whose payload_length (16 KiB)
//! exceeds the bytes actually sent. A correct server discards it (RFC 6520 §4); a vulnerable one
//! answers with a heartbeat response padded out with its own memory. Only the size of the answer
//! is looked at — the leaked bytes are discarded unread.

use super::common::{newest_legacy, no_legacy};
use super::{Check, CheckFuture, CheckId, Facts};
use crate::finding::Severity;
use crate::scan::engine::conn::{read_flight, Conn, End, Msg};
use crate::scan::engine::hello::HelloSpec;
use crate::scan::report::Verdict;
use crate::scan::Ctx;
use std::time::Duration;
use tlskit_wire::extensions::HEARTBEAT_PEER_ALLOWED_TO_SEND;
use tlskit_wire::record::ContentType;
use tlskit_wire::version::Version;
use tokio::time::Instant;

/// The check.
pub struct Heartbleed;

impl Check for Heartbleed {
    fn id(&self) -> CheckId {
        CheckId::Heartbleed
    }
    fn name(&self) -> &'static str {
        "Heartbleed"
    }
    fn cves(&self) -> &'static [&'static str] {
        &["CVE-2014-0160"]
    }
    fn severity(&self) -> Severity {
        Severity::Critical
    }
    fn run<'a>(&'a self, ctx: &'a Ctx, facts: &'a Facts) -> CheckFuture<'a> {
        Box::pin(async move {
            match newest_legacy(&facts.report) {
                Some((v, s)) if v >= Version::Tls10 => probe(ctx, v, s).await,
                Some(_) => Verdict::NotVulnerable(
                    "only SSLv3 is offered, which has no heartbeat extension".into(),
                ),
                None => no_legacy("Heartbleed"),
            }
        })
    }
}

/// Bytes of padding after the 3-byte header (RFC 6520 requires at least 16; old OpenSSL
/// silently drops shorter requests, so a probe without them would miss the bug).
const PADDING: usize = 16;
/// The payload_length claimed.
const CLAIMED: u16 = 0x4000;

/// Verdict and detail.
async fn probe(ctx: &Ctx, version: Version, suites: Vec<u16>) -> Verdict {
    let deadline = Instant::now() + ctx.prober.timeout();
    let spec = HelloSpec::new(version, suites, ctx.sni.clone());
    let record = spec
        .builder()
        .heartbeat(HEARTBEAT_PEER_ALLOWED_TO_SEND)
        .build_record();
    let mut conn = match Conn::open(ctx).await {
        Ok(c) => c,
        Err(e) => return Verdict::Undetermined(format!("could not connect: {e}")),
    };
    if let Err(e) = conn.send_raw(&record, deadline).await {
        return Verdict::Undetermined(format!("could not send the hello: {}", e.describe()));
    }
    let flight = match read_flight(&mut conn, deadline).await {
        Ok(f) => f,
        Err(e) => {
            return Verdict::Undetermined(format!("no usable {} handshake: {e}", version.name()))
        }
    };
    let Some(sh) = flight.server_hello else {
        return Verdict::Undetermined("no ServerHello".into());
    };
    if !sh.has_extension(tlskit_wire::extensions::ExtensionType::Heartbeat) {
        conn.close().await;
        return Verdict::NotVulnerable(
            "the server does not negotiate the heartbeat extension".into(),
        );
    }
    let mut payload = vec![1u8];
    payload.extend_from_slice(&CLAIMED.to_be_bytes());
    payload.extend_from_slice(&crate::scan::engine::hello::random32()[..PADDING]);
    let sent = payload.len();
    if let Err(e) = conn.send(ContentType::Heartbeat, &payload, deadline).await {
        return Verdict::NotVulnerable(format!(
            "the server closed the connection on the heartbeat request ({})",
            e.describe()
        ));
    }
    // A vulnerable server answers at once; a patched one stays silent, so do not wait long.
    let wait = deadline.min(Instant::now() + Duration::from_secs(3));
    let verdict = loop {
        match conn.next(wait).await {
            Ok(Msg::Heartbeat(p)) if p.len() > sent => {
                break Verdict::Vulnerable(

                    format!(
                        "a heartbeat request of {sent} bytes claiming {CLAIMED} got a {}-byte response: the server returns its memory (CVE-2014-0160)",
                        p.len()
                    ),
                )
            }
            Ok(Msg::Heartbeat(p)) => {
                break Verdict::NotVulnerable( format!("the server answered the malformed heartbeat with {} bytes, no more than were sent", p.len()))
            }
            Ok(Msg::Alert(a)) => break Verdict::NotVulnerable( format!("the malformed heartbeat was refused ({} alert)", a.description.name())),
            Ok(_) => {}
            Err(End::Timeout) => break Verdict::NotVulnerable( "the malformed heartbeat was ignored".into()),
            Err(End::Closed { .. }) => break Verdict::NotVulnerable( "the server closed the connection on the malformed heartbeat".into()),
            Err(End::Malformed(m)) => break Verdict::Undetermined( format!("unreadable answer to the heartbeat: {m}")),
        }
    };
    conn.close().await;
    verdict
}
