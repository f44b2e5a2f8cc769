//! Encrypted Client Hello handshakes (RFC 9849), made with rustls' client over the scan's
//! connections: an offer with a configuration of our own making (the server cannot decrypt it,
//! and an ECH server answers with its `retry_configs`), or a real offer with a configuration the
//! user gave (accepted or not).
//!
//! Certificates are not verified (a scan only looks): after a rejected offer rustls would check
//! the certificate against the public name, which says nothing the chain analysis does not.

use crate::scan::engine::tls13::Look;
use crate::scan::Ctx;
use crate::session::client::Tap;
use crate::session::trace::{TraceKeyLog, Tracer};
use rustls::client::{EchConfig, EchMode, EchStatus};
use rustls::pki_types::{DnsName, EchConfigListBytes, ServerName};
use rustls::{ClientConfig, ClientConnection, Error as TlsError, PeerIncompatible};
use std::sync::Arc;
use std::time::Duration;
use tlskit_wire::codec::Codec;
use tlskit_wire::ech::{EchConfig as WireConfig, EchConfigContents, EchConfigList, HpkeSuite};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// How an ECH handshake ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EchEnd {
    /// The server decrypted the inner ClientHello and finished the handshake with it.
    Accepted,
    /// The server finished the handshake with the outer ClientHello: it could not (or would
    /// not) decrypt the offer. `retry` is what it sent as `retry_configs`: none (`Ok(empty)`),
    /// the configurations, or why they could not be read.
    Rejected {
        /// The retry configurations.
        retry: Result<Vec<WireConfig>, String>,
    },
    /// The handshake itself failed; the words say how.
    Failed(String),
}

use crate::session::ech::hpke_suites;

/// An ECHConfigList of one configuration nobody holds the key of: a fresh X25519 public key,
/// a random config id, HKDF-SHA256 with AES-128-GCM, and `public_name` as the outer SNI. A
/// server cannot decrypt an offer made with it; one that supports ECH says so with its
/// retry_configs.
pub fn probe_config(public_name: &str) -> Result<Vec<u8>, String> {
    let provider = crate::provider();
    let x25519 = rustls::crypto::aws_lc_rs::kx_group::X25519
        .start()
        .map_err(|e| format!("no X25519 key for the ECH probe: {e}"))?;
    let mut id = [0u8; 1];
    provider
        .secure_random
        .fill(&mut id)
        .map_err(|e| format!("no random config id: {e:?}"))?;
    let config = WireConfig::V0xfe0d(EchConfigContents {
        config_id: id[0],
        kem_id: 0x0020,
        public_key: x25519.pub_key().to_vec(),
        cipher_suites: vec![HpkeSuite {
            kdf: 0x0001,
            aead: 0x0001,
        }],
        maximum_name_length: 0,
        public_name: public_name.as_bytes().to_vec(),
        extensions: Vec::new(),
    });
    Ok(EchConfigList(vec![config]).to_bytes())
}

/// A name rustls takes as a DNS name, or why not.
pub fn dns_name(name: &str) -> Result<ServerName<'static>, String> {
    DnsName::try_from(name.to_string())
        .map(ServerName::DnsName)
        .map_err(|_| format!("'{}' is no DNS name", crate::escape::short(name, 60)))
}

/// One TLS 1.3 handshake offering ECH with `list` (an ECHConfigList), the inner ClientHello
/// naming `inner`. Every step is bounded by the scan's timeout.
pub async fn handshake(ctx: &Ctx, list: &[u8], inner: &str) -> EchEnd {
    let config = match EchConfig::new(EchConfigListBytes::from(list.to_vec()), hpke_suites()) {
        Ok(c) => c,
        Err(e) => return EchEnd::Failed(format!("the ECH configuration cannot be used: {e}")),
    };
    let name = match dns_name(inner) {
        Ok(n) => n,
        Err(e) => return EchEnd::Failed(e),
    };
    let mut cfg = match ClientConfig::builder_with_provider(crate::scan::engine::ffdhe::provider())
        .with_ech(EchMode::Enable(config))
    {
        Ok(b) => b
            .dangerous()
            .with_custom_certificate_verifier(Look::new())
            .with_client_cert_resolver(crate::scan::engine::client_cert::Recorder::new(
                ctx.client_cert.clone(),
            )),
        Err(e) => return EchEnd::Failed(format!("no ECH client configuration: {e}")),
    };
    // The handshake is traced: the tracer decrypts the EncryptedExtensions with the handshake
    // secrets rustls logs, and the retry_configs are read from there by the wire codec (rustls
    // hands them over only as its internal type).
    let tracer = Tracer::recording(Arc::new(|_| {}));
    cfg.key_log = Arc::new(TraceKeyLog {
        tracer: tracer.clone(),
        inner: Arc::new(rustls::NoKeyLog),
    });
    Box::pin(drive(ctx, Arc::new(cfg), name, &tracer)).await
}

/// The retry_configs of the server's EncryptedExtensions among traced messages: none
/// (`Ok(empty)`), the configurations, or why they could not be read.
fn retry_configs(
    messages: &[(bool, tlskit_wire::handshake::HandshakeType, Vec<u8>)],
) -> Result<Vec<WireConfig>, String> {
    use tlskit_wire::handshake::{EncryptedExtensions, HandshakeType};
    let (_, _, body) = messages
        .iter()
        .find(|(c2s, t, _)| !c2s && *t == HandshakeType::EncryptedExtensions)
        .ok_or("the EncryptedExtensions could not be decrypted")?;
    let ee = EncryptedExtensions::read_exact(body, "EncryptedExtensions")
        .map_err(|e| format!("the EncryptedExtensions cannot be read: {e}"))?;
    match ee.extensions.iter().find(|e| e.typ == ECH_EXTENSION) {
        None => Ok(Vec::new()),
        Some(e) => EchConfigList::parse(&e.data)
            .map(|l| l.0)
            .map_err(|e| format!("the retry configurations cannot be read: {e}")),
    }
}

/// encrypted_client_hello (RFC 9849 section 11.1).
const ECH_EXTENSION: u16 = 0xfe0d;

async fn drive(
    ctx: &Ctx,
    cfg: Arc<ClientConfig>,
    name: ServerName<'static>,
    tracer: &Arc<Tracer>,
) -> EchEnd {
    let tap = tracer.tap();
    let deadline = Instant::now() + ctx.prober.timeout();
    let _slot = ctx.prober.slot().await;
    let mut stream = match tokio::time::timeout_at(deadline, ctx.prober.open()).await {
        Err(_) => return EchEnd::Failed("connecting timed out".into()),
        Ok(Err(e)) => return EchEnd::Failed(e.to_string()),
        Ok(Ok(c)) => c.stream,
    };
    let mut conn = match ClientConnection::new(cfg, name) {
        Ok(c) => c,
        Err(e) => return EchEnd::Failed(e.to_string()),
    };
    let end = loop {
        if let Err(e) = flush(&mut conn, &mut stream, deadline, &tap).await {
            break EchEnd::Failed(e);
        }
        if !conn.is_handshaking() {
            break match conn.ech_status() {
                EchStatus::Accepted => EchEnd::Accepted,
                other => {
                    EchEnd::Failed(format!("the handshake finished with ECH status {other:?}"))
                }
            };
        }
        match pump(&mut conn, &mut stream, deadline, &tap).await {
            Ok(true) => {}
            Ok(false) => {
                break EchEnd::Failed(
                    "the server closed the connection during the handshake".into(),
                )
            }
            Err(Step::Io(e)) => break EchEnd::Failed(e),
            Err(Step::Tls(TlsError::PeerIncompatible(
                PeerIncompatible::ServerRejectedEncryptedClientHello(_),
            ))) => {
                let retry = retry_configs(&tracer.messages());
                // rustls sent its ech_required alert; let it go out.
                let _ = flush(&mut conn, &mut stream, deadline, &tap).await;
                break EchEnd::Rejected { retry };
            }
            Err(Step::Tls(e)) => break EchEnd::Failed(e.to_string()),
        }
    };
    if end == EchEnd::Accepted {
        conn.send_close_notify();
        let _ = flush(&mut conn, &mut stream, deadline, &tap).await;
    }
    let _ = tokio::time::timeout(Duration::from_millis(500), stream.shutdown()).await;
    end
}

async fn flush(
    conn: &mut ClientConnection,
    stream: &mut TcpStream,
    deadline: Instant,
    tap: &Tap,
) -> Result<(), String> {
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
    Ok(())
}

/// Why a read did not go on: the connection, or rustls' verdict on what came.
enum Step {
    Io(String),
    Tls(TlsError),
}

/// Read once and feed rustls. Ok(false): the server closed.
async fn pump(
    conn: &mut ClientConnection,
    stream: &mut TcpStream,
    deadline: Instant,
    tap: &Tap,
) -> Result<bool, Step> {
    let mut buf = vec![0u8; 16 * 1024];
    let n = match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
        Err(_) => return Err(Step::Io("no answer within the timeout".into())),
        Ok(Err(e)) => return Err(Step::Io(e.to_string())),
        Ok(Ok(n)) => n,
    };
    if n == 0 {
        return Ok(false);
    }
    tap(false, &buf[..n]);
    let mut rd = &buf[..n];
    while !rd.is_empty() {
        conn.read_tls(&mut rd)
            .map_err(|e| Step::Io(e.to_string()))?;
        conn.process_new_packets().map_err(Step::Tls)?;
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::ech::chosen;

    #[test]
    fn the_probe_configuration_is_one_rustls_accepts() {
        let bytes = probe_config("example.com").unwrap();
        let list = EchConfigList::parse(&bytes).unwrap();
        let c = chosen(&list).expect("usable");
        assert_eq!(c.public_name, b"example.com");
        assert_eq!(c.public_key.len(), 32);
        assert!(EchConfig::new(EchConfigListBytes::from(bytes), hpke_suites()).is_ok());
        assert!(dns_name("127.0.0.1").is_err() || dns_name("a b").is_err());
    }
}
