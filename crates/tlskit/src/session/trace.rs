//! `connect --trace`: each record and handshake message as it passes, like `openssl s_client
//! -msg` — direction, record type and length, the handshake messages with their decoded
//! plaintext fields. TLS 1.3 encrypts the handshake after the ServerHello: those records are
//! decrypted here with the session's own handshake secrets (rustls hands them to a key-log
//! hook), so EncryptedExtensions, Certificate, CertificateVerify and Finished appear by name and
//! size. After the handshake the records are opened with the traffic secrets only to find the
//! post-handshake messages (NewSessionTicket, KeyUpdate); application data shows only its size.

use crate::observe::analyze::{Analysis, Analyzer, Direction};
use aws_lc_rs::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::hkdf;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tlskit_wire::client_hello::ClientHello;
use tlskit_wire::handshake::{HandshakeType, ServerHello};
use tlskit_wire::record::{ContentType, Deframer, HandshakeReassembler};
use tlskit_wire::registry;

/// Where trace lines go.
pub type Sink = Arc<dyn Fn(String) + Send + Sync>;

struct Keys {
    key: LessSafeKey,
    iv: [u8; 12],
    seq: u64,
}

#[derive(Default)]
struct Dir {
    deframer: Deframer,
    plain_hs: HandshakeReassembler,
    enc_hs: HandshakeReassembler,
    keys: Option<Keys>,
    /// TLS 1.3: the application traffic keys, when they came before this side's Finished.
    app_keys: Option<Keys>,
    /// The application traffic keys are in use (or were given up on): no more to wait for.
    app_settled: bool,
    /// Encrypted records seen before their key was known.
    pending: Vec<(u8, Vec<u8>)>,
    /// This side's Finished was seen: the rest is application data.
    hs_done: bool,
    /// TLS 1.2: this side sent ChangeCipherSpec, so its handshake records are encrypted.
    ccs: bool,
    done: bool,
}

struct State {
    dirs: [Dir; 2],
    suite: Option<u16>,
    tls13: bool,
    client_random: Vec<u8>,
    analyzer: Option<Analyzer>,
    /// With [`Tracer::recording`]: every handshake message seen (client to server?, type, body).
    kept: Option<Vec<(bool, HandshakeType, Vec<u8>)>>,
}

/// The tracer of one connection.
pub struct Tracer {
    sink: Sink,
    start: Mutex<Instant>,
    state: Mutex<State>,
}

/// Peer text shown in the trace: the one escaping helper ([`crate::escape`]).
pub fn visible(s: &str) -> String {
    crate::escape::text(s)
}

fn arrow(client_to_server: bool) -> &'static str {
    if client_to_server {
        ">>>"
    } else {
        "<<<"
    }
}

fn hs_name(t: HandshakeType) -> String {
    format!("{t:?}")
}

impl Tracer {
    pub fn new(sink: Sink) -> Arc<Tracer> {
        Arc::new(Tracer {
            sink,
            start: Mutex::new(Instant::now()),
            state: Mutex::new(State {
                dirs: [Dir::default(), Dir::default()],
                suite: None,
                tls13: false,
                client_random: Vec::new(),
                analyzer: Some(Analyzer::new(100_000)),
                kept: None,
            }),
        })
    }

    /// A tracer that also keeps every handshake message, decrypted TLS 1.3 ones included (the
    /// scan reads the server's EncryptedExtensions this way); see [`Tracer::messages`].
    pub fn recording(sink: Sink) -> Arc<Tracer> {
        let t = Tracer::new(sink);
        if let Ok(mut st) = t.state.lock() {
            st.kept = Some(Vec::new());
            st.analyzer = None;
        }
        t
    }

    /// The handshake messages kept so far (client to server?, type, body), in order.
    pub fn messages(&self) -> Vec<(bool, HandshakeType, Vec<u8>)> {
        self.state
            .lock()
            .ok()
            .and_then(|st| st.kept.clone())
            .unwrap_or_default()
    }

    /// The tap to give [`super::client::prepare`].
    pub fn tap(self: &Arc<Self>) -> super::client::Tap {
        let me = self.clone();
        Arc::new(move |c2s: bool, bytes: &[u8]| me.bytes(c2s, bytes))
    }

    /// Start the clock (call just before the TCP connect: time 0 is the SYN).
    pub fn start_clock(&self) {
        if let Ok(mut s) = self.start.lock() {
            *s = Instant::now();
        }
    }

    /// What an observer's analysis of the same bytes says (for `--svg`).
    pub fn analysis(&self) -> Option<Analysis> {
        self.state
            .lock()
            .ok()?
            .analyzer
            .take()
            .map(Analyzer::finish)
    }

    fn say(&self, line: String) {
        (self.sink)(line);
    }

    fn bytes(&self, c2s: bool, bytes: &[u8]) {
        let Ok(mut st) = self.state.lock() else {
            return;
        };
        let dir = if c2s {
            Direction::ClientToServer
        } else {
            Direction::ServerToClient
        };
        if let Some(a) = st.analyzer.as_mut() {
            let t = self.start.lock().map(|s| s.elapsed()).unwrap_or_default();
            a.feed(dir, t, bytes);
        }
        let i = usize::from(!c2s);
        if st.dirs[i].done {
            return;
        }
        st.dirs[i].deframer.push(bytes);
        loop {
            let rec = match st.dirs[i].deframer.next_record() {
                Ok(Some(r)) => r,
                Ok(None) => break,
                Err(e) => {
                    st.dirs[i].done = true;
                    self.say(format!(
                        "{} not TLS any more ({e}); tracing stops",
                        arrow(c2s)
                    ));
                    break;
                }
            };
            self.record(&mut st, c2s, rec.content_type, rec.version, &rec.payload);
        }
    }

    fn record(&self, st: &mut State, c2s: bool, ct: ContentType, version: u16, payload: &[u8]) {
        let i = usize::from(!c2s);
        let head = format!(
            "{} {} {} [length {:04x}]",
            arrow(c2s),
            registry_version(version),
            ct.name(),
            payload.len()
        );
        match ct {
            ContentType::Handshake if st.dirs[i].ccs && !st.tls13 => {
                self.say(format!("{head}, encrypted handshake (Finished)"));
            }
            ContentType::ChangeCipherSpec => {
                st.dirs[i].ccs = true;
                self.say(head);
            }
            ContentType::Handshake => {
                self.say(head);
                if st.dirs[i].plain_hs.push(payload).is_ok() {
                    while let Ok(Some(m)) = st.dirs[i].plain_hs.next_message() {
                        self.message(st, c2s, m.typ, &m.body, false);
                    }
                }
            }
            ContentType::Alert if payload.len() == 2 => {
                self.say(format!("{head}, {}", alert_text(payload)));
            }
            // TLS 1.3 records are opened while keys are (or will be) known.
            ContentType::ApplicationData
                if st.tls13
                    && (!st.dirs[i].hs_done
                        || !st.dirs[i].app_settled
                        || st.dirs[i].keys.is_some()) =>
            {
                st.dirs[i].pending.push((ct.to_u8(), payload.to_vec()));
                self.drain(st, c2s);
            }
            ContentType::ApplicationData => {
                self.say(format!("{head}, encrypted application data"));
            }
            _ => self.say(head),
        }
    }

    /// A handshake message; `encrypted`: it came out of a decrypted TLS 1.3 record.
    fn message(&self, st: &mut State, c2s: bool, t: HandshakeType, body: &[u8], encrypted: bool) {
        if let Some(k) = st.kept.as_mut() {
            k.push((c2s, t, body.to_vec()));
        }
        let how = if encrypted {
            "    (decrypted) "
        } else {
            "    "
        };
        let mut line = format!("{how}{} [length {:04x}]", hs_name(t), body.len());
        match t {
            HandshakeType::ClientHello => {
                if let Ok(ch) = ClientHello::parse(body) {
                    st.client_random = ch.random.to_vec();
                    let sni = ch
                        .server_name()
                        .ok()
                        .flatten()
                        .unwrap_or_else(|| "-".into());
                    let versions: Vec<String> = ch
                        .offered_versions()
                        .into_iter()
                        .filter(|v| !registry::is_grease(*v))
                        .map(registry_version)
                        .collect();
                    let groups: Vec<String> = ch
                        .supported_groups()
                        .ok()
                        .flatten()
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|g| !registry::is_grease(*g))
                        .map(registry::group_name)
                        .collect();
                    let alpn: Vec<String> = ch
                        .alpn()
                        .ok()
                        .flatten()
                        .unwrap_or_default()
                        .iter()
                        .map(|p| String::from_utf8_lossy(p).into_owned())
                        .collect();
                    line.push_str(&format!(
                        "\n        SNI {}; versions {}; {} cipher suites; groups {}; ALPN {}",
                        visible(&sni),
                        versions.join(" "),
                        ch.cipher_suites.len(),
                        groups.join(" "),
                        if alpn.is_empty() {
                            "-".into()
                        } else {
                            visible(&alpn.join(","))
                        }
                    ));
                }
            }
            HandshakeType::ServerHello => {
                if let Ok(sh) = ServerHello::parse(body) {
                    let v = sh.selected_version();
                    // A HelloRetryRequest is TLS 1.3 too: what follows it (the second
                    // ClientHello after a compatibility change_cipher_spec) is not TLS 1.2.
                    st.tls13 = v == 0x0304;
                    st.suite = Some(sh.cipher_suite);
                    line.push_str(&format!(
                        "\n        version {}; cipher suite {}; group {}{}",
                        registry_version(v),
                        registry::suite_name(sh.cipher_suite),
                        sh.selected_group()
                            .map(registry::group_name)
                            .unwrap_or_else(|| "-".into()),
                        if sh.is_hello_retry_request() {
                            " (HelloRetryRequest)"
                        } else {
                            ""
                        }
                    ));
                }
            }
            HandshakeType::Certificate => {
                line.push_str(&format!(
                    "\n        {}",
                    certificate_summary(body, st.tls13)
                ));
            }
            HandshakeType::NewSessionTicket if st.tls13 => {
                use tlskit_wire::codec::Codec;
                if let Ok(t) = tlskit_wire::handshake::NewSessionTicketTls13::read_exact(
                    body,
                    "NewSessionTicket",
                ) {
                    line.push_str(&format!(
                        "\n        lifetime {} s, ticket {} bytes",
                        t.lifetime,
                        t.ticket.len()
                    ));
                }
            }
            _ => {}
        }
        self.say(line);
    }

    /// Record a secret the key log hook received.
    pub fn secret(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        let Ok(mut st) = self.state.lock() else {
            return;
        };
        if !st.client_random.is_empty() && st.client_random != client_random {
            return;
        }
        let (c2s, app) = match label {
            "CLIENT_HANDSHAKE_TRAFFIC_SECRET" => (true, false),
            "SERVER_HANDSHAKE_TRAFFIC_SECRET" => (false, false),
            "CLIENT_TRAFFIC_SECRET_0" => (true, true),
            "SERVER_TRAFFIC_SECRET_0" => (false, true),
            _ => return,
        };
        let Some(suite) = st.suite.and_then(registry::cipher_suite) else {
            return;
        };
        let (alg, hash, key_len): (&'static aead::Algorithm, hkdf::Algorithm, usize) =
            match suite.iana {
                "TLS_AES_128_GCM_SHA256" => (&aead::AES_128_GCM, hkdf::HKDF_SHA256, 16),
                "TLS_AES_256_GCM_SHA384" => (&aead::AES_256_GCM, hkdf::HKDF_SHA384, 32),
                "TLS_CHACHA20_POLY1305_SHA256" => (&aead::CHACHA20_POLY1305, hkdf::HKDF_SHA256, 32),
                _ => return,
            };
        let prk = hkdf::Prk::new_less_safe(hash, secret);
        let (Some(key), Some(iv)) = (
            expand_label(&prk, b"key", key_len),
            expand_label(&prk, b"iv", 12),
        ) else {
            return;
        };
        let Ok(unbound) = UnboundKey::new(alg, &key) else {
            return;
        };
        let mut ivb = [0u8; 12];
        ivb.copy_from_slice(&iv);
        let i = usize::from(!c2s);
        let keys = Keys {
            key: LessSafeKey::new(unbound),
            iv: ivb,
            seq: 0,
        };
        match (app, st.dirs[i].hs_done) {
            (false, _) => st.dirs[i].keys = Some(keys),
            // This side's Finished is in: its next records are under these keys.
            (true, true) if !st.dirs[i].app_settled => {
                st.dirs[i].keys = Some(keys);
                st.dirs[i].app_settled = true;
            }
            (true, true) => return,
            (true, false) => st.dirs[i].app_keys = Some(keys),
        }
        self.drain(&mut st, c2s);
    }

    /// Decrypt what can be decrypted of the pending records of one direction.
    fn drain(&self, st: &mut State, c2s: bool) {
        let i = usize::from(!c2s);
        if st.dirs[i].keys.is_none() {
            return;
        }
        let mut pending = std::mem::take(&mut st.dirs[i].pending).into_iter();
        while let Some((ct, payload)) = pending.next() {
            let head = format!(
                "{} TLSv1.2 application_data [length {:04x}]",
                arrow(c2s),
                payload.len()
            );
            let Some(keys) = st.dirs[i].keys.as_mut() else {
                if st.dirs[i].hs_done && !st.dirs[i].app_settled {
                    // The application traffic keys are not known yet: wait for them.
                    st.dirs[i].pending.push((ct, payload));
                    st.dirs[i].pending.extend(pending);
                    return;
                }
                self.say(format!("{head}, encrypted application data"));
                continue;
            };
            let mut nonce = keys.iv;
            for (n, b) in nonce[4..].iter_mut().zip(keys.seq.to_be_bytes()) {
                *n ^= b;
            }
            let aad = [
                ct,
                0x03,
                0x03,
                (payload.len() >> 8) as u8,
                payload.len() as u8,
            ];
            let mut buf = payload.clone();
            let opened = keys
                .key
                .open_in_place(
                    Nonce::assume_unique_for_key(nonce),
                    Aad::from(aad),
                    &mut buf,
                )
                .map(|p| p.to_vec());
            match opened {
                Ok(plain) => {
                    keys.seq += 1;
                    let end = plain.iter().rposition(|b| *b != 0).unwrap_or(0);
                    let inner = plain.get(end).copied().unwrap_or(0);
                    let content = &plain[..end];
                    if inner == ContentType::Handshake.to_u8() {
                        self.say(format!(
                            "{head}, encrypted handshake ({} bytes inside)",
                            content.len()
                        ));
                        if st.dirs[i].enc_hs.push(content).is_ok() {
                            while let Ok(Some(m)) = st.dirs[i].enc_hs.next_message() {
                                let fin = m.typ == HandshakeType::Finished;
                                self.message(st, c2s, m.typ, &m.body, true);
                                if fin && !st.dirs[i].hs_done {
                                    // The application traffic keys follow (when known).
                                    st.dirs[i].keys = st.dirs[i].app_keys.take();
                                    st.dirs[i].app_settled = st.dirs[i].keys.is_some();
                                    st.dirs[i].hs_done = true;
                                }
                            }
                        }
                    } else if st.dirs[i].hs_done && inner == ContentType::ApplicationData.to_u8() {
                        self.say(format!("{head}, encrypted application data"));
                    } else if inner == ContentType::Alert.to_u8() && content.len() == 2 {
                        self.say(format!("{head}, encrypted {}", alert_text(content)));
                    } else {
                        self.say(format!(
                            "{head}, encrypted {} ({} bytes inside)",
                            inner_name(inner),
                            content.len()
                        ));
                    }
                }
                Err(_) if st.dirs[i].hs_done => {
                    // A KeyUpdate (or keys that do not fit): only sizes from here on.
                    st.dirs[i].keys = None;
                    st.dirs[i].app_settled = true;
                    self.say(format!("{head}, encrypted application data"));
                }
                Err(_) => {
                    st.dirs[i].keys = None;
                    st.dirs[i].hs_done = true;
                    st.dirs[i].app_settled = true;
                    self.say(format!(
                        "{head}, encrypted (could not be decrypted with the handshake keys)"
                    ));
                }
            }
        }
    }
}

/// `alert warning close_notify (0)` from an alert's two bytes (level, description).
fn alert_text(b: &[u8]) -> String {
    match <tlskit_wire::alert::Alert as tlskit_wire::codec::Codec>::read_exact(b, "alert") {
        Ok(a) => format!("alert {a}"),
        Err(_) => format!("alert {b:02x?}"),
    }
}

fn inner_name(t: u8) -> &'static str {
    match t {
        21 => "alert",
        23 => "application data",
        _ => "record",
    }
}

/// HKDF-Expand-Label (RFC 8446 §7.1) with an empty context.
fn expand_label(prk: &hkdf::Prk, label: &[u8], len: usize) -> Option<Vec<u8>> {
    struct Len(usize);
    impl hkdf::KeyType for Len {
        fn len(&self) -> usize {
            self.0
        }
    }
    let mut info = Vec::new();
    info.extend_from_slice(&(len as u16).to_be_bytes());
    info.push((6 + label.len()) as u8);
    info.extend_from_slice(b"tls13 ");
    info.extend_from_slice(label);
    info.push(0);
    let parts = [info.as_slice()];
    let okm = prk.expand(&parts, Len(len)).ok()?;
    let mut out = vec![0u8; len];
    okm.fill(&mut out).ok()?;
    Some(out)
}

fn registry_version(v: u16) -> String {
    tlskit_wire::version::Version::from_wire(v)
        .map(|v| v.name().to_string())
        .unwrap_or_else(|| format!("0x{v:04x}"))
}

/// `2 certificates: CN=localhost (612 bytes), CN=tlskit lab CA (420 bytes)`.
fn certificate_summary(body: &[u8], tls13: bool) -> String {
    let mut at = if tls13 {
        1 + usize::from(*body.first().unwrap_or(&0))
    } else {
        0
    };
    at += 3;
    let mut parts = Vec::new();
    while at + 3 <= body.len() && parts.len() < 16 {
        let len = (usize::from(body[at]) << 16)
            | (usize::from(body[at + 1]) << 8)
            | usize::from(body[at + 2]);
        at += 3;
        let Some(der) = body.get(at..at + len) else {
            break;
        };
        let subject = super::config::subject_of(der).unwrap_or_else(|| "(unparsable)".into());
        parts.push(format!("{} ({len} bytes)", visible(&subject)));
        at += len;
        if tls13 {
            let ext = body
                .get(at..at + 2)
                .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
                .unwrap_or(0);
            at += 2 + ext;
        }
    }
    format!("{} certificate(s): {}", parts.len(), parts.join(", "))
}

/// A key log that hands the TLS 1.3 handshake secrets to a tracer, and passes every line on to
/// the key log file when one was asked for.
pub struct TraceKeyLog {
    pub tracer: Arc<Tracer>,
    pub inner: Arc<dyn rustls::KeyLog>,
}

impl std::fmt::Debug for TraceKeyLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TraceKeyLog")
    }
}

impl rustls::KeyLog for TraceKeyLog {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        self.inner.log(label, client_random, secret);
        self.tracer.secret(label, client_random, secret);
    }

    fn will_log(&self, _label: &str) -> bool {
        true
    }
}
