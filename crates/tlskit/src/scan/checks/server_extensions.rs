//! The TLS extensions the server sends (the report's `server_extensions`), per offered version.
//!
//! A server answers only extensions the client offered, so each version gets one ClientHello
//! that offers the common ones (server_name, renegotiation_info, supported_groups,
//! ec_point_formats, session_ticket, extended_master_secret, encrypt_then_mac, status_request,
//! signed_certificate_timestamp, ALPN h2/http/1.1, max_fragment_length, heartbeat), as testssl.sh's
//! `--server-defaults` does. TLS ≤ 1.2: the ServerHello's extensions. TLS 1.3: the ServerHello's
//! (supported_versions, key_share) and then the EncryptedExtensions', read from a rustls
//! handshake whose handshake records are decrypted with its own secrets
//! ([`crate::session::trace::Tracer::recording`]).

use super::common;
use crate::scan::engine::tls13::Look;
use crate::scan::report::extensions::{ServerExtension, VersionExtensions};
use crate::scan::report::ScanReport;
use crate::scan::Ctx;
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection};
use std::sync::Arc;
use tlskit_wire::codec::Reader;
use tlskit_wire::extensions::Extension;
use tlskit_wire::handshake::HandshakeType;
use tlskit_wire::version::Version;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;

/// The ALPN protocols offered (a server answers ALPN only when it knows one of them).
const ALPN: [&str; 2] = ["h2", "http/1.1"];

/// The extensions of every offered version, newest first; SSLv2 has none.
pub async fn run(ctx: &Ctx, report: &ScanReport) -> Vec<VersionExtensions> {
    // ALPN only where HTTP may be spoken (not inside STARTTLS).
    let alpn = report.target.starttls.is_none();
    let mut out = Vec::new();
    for p in report.protocols.iter().rev().filter(|p| p.offered) {
        let v = p.version;
        if v == Version::Ssl2 {
            continue;
        }
        let suites: Vec<u16> = p
            .cipher_suites
            .iter()
            .filter_map(|s| match s.id {
                crate::scan::report::SuiteId::Tls(id) => Some(id),
                crate::scan::report::SuiteId::Ssl2(_) => None,
            })
            .collect();
        if suites.is_empty() {
            continue;
        }
        out.push(match v {
            Version::Tls13 => tls13(ctx, suites, alpn).await,
            _ => legacy(ctx, v, suites, alpn).await,
        });
    }
    out
}

/// The ServerHello's extensions at a TLS ≤ 1.2 version. The accepted suites are offered as a
/// modern client orders them (ECDHE, then DHE, then the rest; AEAD before CBC), so a server
/// that follows the client's order answers as it answers such clients.
async fn legacy(ctx: &Ctx, v: Version, mut suites: Vec<u16>, alpn: bool) -> VersionExtensions {
    suites.sort_by_key(|id| {
        let s = tlskit_wire::registry::cipher_suite(*id);
        let kx = match s.map(|s| s.kx) {
            Some(tlskit_wire::registry::Kx::Ecdhe) => 0,
            Some(tlskit_wire::registry::Kx::Dhe) => 1,
            _ => 2,
        };
        (kx, u8::from(!s.is_some_and(|s| s.is_aead())))
    });
    let mut spec = common::spec(ctx, v, suites);
    if alpn {
        spec.alpn = ALPN.iter().map(|s| s.to_string()).collect();
    }
    let mut b = spec.builder();
    if v != Version::Ssl3 {
        b = b
            .encrypt_then_mac()
            .signed_certificate_timestamp()
            .max_fragment_length(4)
            .heartbeat(1);
    }
    let (extensions, error) = match common::hello(ctx, &b.build_record()).await {
        Ok(f) if common::at_version(&f, v) => (ids(&f.server_hello.extensions), None),
        Ok(f) => (
            Vec::new(),
            Some(format!(
                "the server answered with version 0x{:04x}",
                f.version()
            )),
        ),
        Err(r) => (Vec::new(), Some(r.describe())),
    };
    VersionExtensions {
        version: v,
        extensions,
        error,
    }
}

fn ids(list: &[Extension]) -> Vec<ServerExtension> {
    list.iter().map(|e| ServerExtension(e.typ)).collect()
}

/// TLS 1.3: ServerHello's extensions, then EncryptedExtensions'.
async fn tls13(ctx: &Ctx, suites: Vec<u16>, alpn: bool) -> VersionExtensions {
    let mut r = VersionExtensions {
        version: Version::Tls13,
        extensions: Vec::new(),
        error: None,
    };
    match handshake13(ctx, alpn).await {
        Ok(messages) => {
            let hello = messages
                .iter()
                .find(|(c2s, t, _)| !c2s && *t == HandshakeType::ServerHello);
            if let Some(sh) =
                hello.and_then(|(_, _, b)| tlskit_wire::handshake::ServerHello::parse(b).ok())
            {
                r.extensions = ids(&sh.extensions);
            }
            let ee = messages
                .iter()
                .find(|(c2s, t, _)| !c2s && *t == HandshakeType::EncryptedExtensions);
            match ee.map(|(_, _, b)| encrypted_extensions(b)) {
                Some(Ok(list)) => r.extensions.extend(list),
                Some(Err(e)) => r.error = Some(format!("EncryptedExtensions: {e}")),
                None => {
                    r.error = Some("the EncryptedExtensions could not be read".into());
                }
            }
        }
        Err(e) => {
            // The ServerHello alone, from the scanner's own hello.
            let spec = common::spec(ctx, Version::Tls13, suites);
            if let Ok(f) = common::hello(ctx, &spec.build()).await {
                r.extensions = ids(&f.server_hello.extensions);
            }
            r.error = Some(format!("the EncryptedExtensions could not be read: {e}"));
        }
    }
    r
}

/// The extension types of an EncryptedExtensions body.
fn encrypted_extensions(body: &[u8]) -> Result<Vec<ServerExtension>, String> {
    let mut rd = Reader::new(body);
    let list = tlskit_wire::extensions::read_extensions(&mut rd).map_err(|e| e.to_string())?;
    Ok(ids(&list))
}

fn server_name(ctx: &Ctx) -> Option<ServerName<'static>> {
    match &ctx.sni {
        Some(n) => ServerName::try_from(n.clone()).ok(),
        None => Some(ServerName::IpAddress(ctx.prober.addr().ip().into())),
    }
}

/// One rustls TLS 1.3 handshake (certificates not verified: a scan only looks), traced: the
/// handshake messages seen, decrypted ones included. Ends once the server's flight is in.
async fn handshake13(ctx: &Ctx, alpn: bool) -> Result<Vec<(bool, HandshakeType, Vec<u8>)>, String> {
    let tracer = crate::session::trace::Tracer::recording(Arc::new(|_| {}));
    let mut c = ClientConfig::builder_with_provider(crate::scan::engine::ffdhe::provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(Look::new())
        .with_no_client_auth();
    c.enable_sni = ctx.sni.is_some();
    if alpn {
        c.alpn_protocols = ALPN.iter().map(|p| p.as_bytes().to_vec()).collect();
    }
    c.key_log = Arc::new(crate::session::trace::TraceKeyLog {
        tracer: tracer.clone(),
        inner: Arc::new(rustls::NoKeyLog),
    });
    let name = server_name(ctx).ok_or("no usable server name")?;
    let deadline = Instant::now() + ctx.prober.timeout();
    let _slot = ctx.prober.slot().await;
    let mut stream = match tokio::time::timeout_at(deadline, ctx.prober.open()).await {
        Err(_) => return Err("connecting timed out".into()),
        Ok(Err(e)) => return Err(e.to_string()),
        Ok(Ok(c)) => c.stream,
    };
    let mut conn = ClientConnection::new(Arc::new(c), name).map_err(|e| e.to_string())?;
    let tap = tracer.tap();
    let have_ee = |t: &crate::session::trace::Tracer| {
        t.messages()
            .iter()
            .any(|(c2s, m, _)| !c2s && *m == HandshakeType::EncryptedExtensions)
    };
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        while conn.wants_write() {
            let mut out = Vec::new();
            conn.write_tls(&mut out).map_err(|e| e.to_string())?;
            tap(true, &out);
            match tokio::time::timeout_at(deadline, stream.write_all(&out)).await {
                Err(_) => return Err("no progress within the timeout".into()),
                Ok(Err(e)) => return Err(e.to_string()),
                Ok(Ok(())) => {}
            }
        }
        if have_ee(&tracer) || !conn.is_handshaking() {
            break;
        }
        let n = match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return Err("no answer within the timeout".into()),
            Ok(Err(e)) => return Err(e.to_string()),
            Ok(Ok(0)) => return Err("the server closed the connection during the handshake".into()),
            Ok(Ok(n)) => n,
        };
        tap(false, &buf[..n]);
        let mut rd = &buf[..n];
        while !rd.is_empty() {
            conn.read_tls(&mut rd).map_err(|e| e.to_string())?;
            if let Err(e) = conn.process_new_packets() {
                // The flight may be in even when rustls refuses what follows it.
                if have_ee(&tracer) {
                    break;
                }
                return Err(e.to_string());
            }
        }
    }
    let _ = tokio::time::timeout(std::time::Duration::from_millis(300), stream.shutdown()).await;
    Ok(tracer.messages())
}
