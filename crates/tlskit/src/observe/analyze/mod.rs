//! What an on-path observer learns from one TLS connection without any key: the hellos in clear,
//! then a timeline of records (direction, content type while it is visible, size, timing), the end
//! of the handshake and its round trips, and the request/response exchanges the pattern reveals.
//!
//! [`Analyzer`] is fed the bytes of each direction as they pass (by the `observe` relay) or as
//! they are reassembled from a capture (by `pcap`), with the time each chunk was seen.

use md5::{Digest, Md5};
use serde::Serialize;
use std::fmt::Write as _;
use tlskit_wire::alert::Alert;
use tlskit_wire::client_hello::ClientHello;
use tlskit_wire::codec::Codec;
use tlskit_wire::ech::EchClientHello;
use tlskit_wire::handshake::{HandshakeType, KxHint, ServerHello, ServerKeyExchange};
use tlskit_wire::record::{ContentType, Deframer, HandshakeReassembler, Sniff};
use tlskit_wire::registry::{self, Enc};
use tlskit_wire::version::Version;

mod render;

pub use render::{fmt_ms, record_type_text, record_what_text};

/// Which way bytes travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    ClientToServer,
    ServerToClient,
}

impl Direction {
    fn idx(self) -> usize {
        match self {
            Direction::ClientToServer => 0,
            Direction::ServerToClient => 1,
        }
    }
    /// `C->S` or `S->C`.
    pub fn arrow(self) -> &'static str {
        match self {
            Direction::ClientToServer => "C->S",
            Direction::ServerToClient => "S->C",
        }
    }
}

/// The ClientHello as anyone on the path reads it.
#[derive(Debug, Clone, Serialize)]
pub struct ClientHelloInfo {
    pub t_ms: f64,
    /// The server name the client asked for (SNI), in clear.
    pub sni: Option<String>,
    pub alpn: Vec<String>,
    pub legacy_version: String,
    /// Versions offered (supported_versions, else legacy_version), GREASE left out.
    pub offered_versions: Vec<String>,
    /// Cipher suites offered, IANA names, GREASE left out.
    pub cipher_suites: Vec<String>,
    pub supported_groups: Vec<String>,
    /// Extension code points in the order sent (GREASE left out).
    pub extensions: Vec<u16>,
    /// The JA3 string and its MD5 (the usual JA3 fingerprint).
    pub ja3: String,
    pub ja3_hash: String,
    /// FoxIO's JA4 (sorted suites and extensions: stable under Chrome's extension shuffling),
    /// its raw form, and the original-order variant (`ja4_o`).
    pub ja4: String,
    pub ja4_r: String,
    pub ja4_o: String,
    /// The client random (hex): what key log files are indexed by.
    pub random: String,
    pub session_id_len: usize,
    /// A second ClientHello followed a HelloRetryRequest.
    pub retried: bool,
    /// An Encrypted Client Hello offer (RFC 9849), if one was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ech: Option<EchSeen>,
}

/// What the path sees of an Encrypted Client Hello offer. A real offer and GREASE ECH (random
/// bytes of the same shape, RFC 9849 §6.2) look alike: with a real one the SNI is only the
/// configuration's public name and the name asked for is inside the payload; with GREASE the
/// SNI is the real name. Whether the server accepted is hidden too.
#[derive(Debug, Clone, Serialize)]
pub struct EchSeen {
    /// The configuration the offer names.
    pub config_id: u8,
    /// The HPKE KDF and AEAD (RFC 9180 names).
    pub kdf: String,
    pub aead: String,
    /// Bytes of the encrypted inner ClientHello.
    pub payload_bytes: usize,
}

/// The ServerHello as anyone on the path reads it.
#[derive(Debug, Clone, Serialize)]
pub struct ServerHelloInfo {
    pub t_ms: f64,
    pub version: String,
    pub cipher_suite: String,
    pub cipher_suite_openssl: Option<String>,
    pub group: Option<String>,
    pub alpn: Option<String>,
    /// The server first asked for another key share (HelloRetryRequest).
    pub hello_retry_request: bool,
    /// Resumption is visible: TLS 1.3 pre_shared_key accepted, or TLS 1.2 session id echoed.
    pub resumed: bool,
    pub ja3s: String,
    pub ja3s_hash: String,
    /// FoxIO's JA4S and its raw form.
    pub ja4s: String,
    pub ja4s_r: String,
}

/// Which part of the connection a record belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Handshake,
    Application,
}

/// One record (or, for traffic that is not TLS, one chunk of bytes).
#[derive(Debug, Clone, Serialize)]
pub struct RecordEvent {
    /// Time since the start of the connection.
    pub t_ms: f64,
    /// Time since the previous record in either direction.
    pub delta_ms: f64,
    pub direction: Direction,
    /// `handshake`, `application_data`, `alert`, `change_cipher_spec` — the outer type, which
    /// TLS 1.3 sets to `application_data` for everything encrypted; `raw` for non-TLS bytes.
    pub content_type: String,
    pub encrypted: bool,
    /// Record payload length (ciphertext length once encrypted).
    pub length: usize,
    /// Bytes on the wire: header + payload.
    pub wire_length: usize,
    pub phase: Phase,
    /// What the observer can tell it is: `ClientHello`, `encrypted handshake`, `application data`…
    pub what: String,
    /// Payload length minus the cipher's fixed overhead, when the suite makes it exact.
    pub plaintext_estimate: Option<usize>,
}

/// Consecutive application records in one direction.
#[derive(Debug, Clone, Serialize)]
pub struct Burst {
    pub t_ms: f64,
    pub end_ms: f64,
    pub records: usize,
    /// Sum of record payload lengths.
    pub bytes: usize,
    pub plaintext_estimate: Option<usize>,
}

/// A request and the response that followed it, inferred from the lock-step pattern.
#[derive(Debug, Clone, Serialize)]
pub struct Exchange {
    /// `None` when the server spoke without a request (a greeting, or TLS 1.3 session tickets).
    pub request: Option<Burst>,
    pub response: Option<Burst>,
    /// From the end of the request to the start of the response.
    pub wait_ms: Option<f64>,
}

/// Bytes seen per direction.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Totals {
    pub client_to_server: u64,
    pub server_to_client: u64,
}

/// Everything the observer concluded about one connection.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// Whether the bytes were TLS.
    pub tls: bool,
    /// What the bytes were instead, when they were not TLS.
    pub not_tls: Option<String>,
    pub client_hello: Option<ClientHelloInfo>,
    pub server_hello: Option<ServerHelloInfo>,
    /// The negotiated version as the ServerHello says.
    pub version: Option<String>,
    pub handshake_start_ms: Option<f64>,
    /// When the handshake was over as seen on the wire: TLS 1.3 — the client's first encrypted
    /// record (its Finished); TLS 1.2 — the later of the two Finished messages (the record after
    /// each side's ChangeCipherSpec).
    pub handshake_end_ms: Option<f64>,
    pub handshake_ms: Option<f64>,
    /// Index in `records` of the record that completed the handshake.
    pub handshake_end_record: Option<usize>,
    /// Client flights answered by a server flight before the handshake ended.
    pub round_trips: Option<u32>,
    pub records: Vec<RecordEvent>,
    /// Records not listed because the per-connection limit was reached.
    pub records_omitted: usize,
    pub exchanges: Vec<Exchange>,
    pub bytes: Totals,
    /// Alerts that were visible in clear.
    pub alerts: Vec<String>,
    /// Parsing problems (the stream stopped being readable as TLS).
    pub problems: Vec<String>,
}

#[derive(Default)]
struct DirState {
    deframer: Deframer,
    handshake: HandshakeReassembler,
    /// A ChangeCipherSpec was seen in this direction (TLS 1.2: what follows is encrypted).
    ccs: bool,
    /// TLS 1.2: the first record after CCS (Finished) has been seen.
    finished_ms: Option<f64>,
    failed: bool,
    records: usize,
}

/// Feeds on both directions of one connection; [`Analyzer::finish`] gives the [`Analysis`].
pub struct Analyzer {
    dirs: [DirState; 2],
    max_records: usize,
    records: Vec<RecordEvent>,
    omitted: usize,
    last_t: Option<f64>,
    client_hello: Option<ClientHelloInfo>,
    server_hello: Option<ServerHelloInfo>,
    ch_session_id: Vec<u8>,
    /// Negotiated version (wire value) once a real ServerHello was read.
    version: Option<u16>,
    suite: Option<u16>,
    handshake_end: Option<f64>,
    end_record: Option<usize>,
    not_tls: Option<String>,
    /// For non-TLS traffic: chunks recorded raw.
    raw: bool,
    sniffed: [bool; 2],
    totals: Totals,
    alerts: Vec<String>,
    problems: Vec<String>,
    /// Flight bookkeeping for round trips: directions of handshake-phase records in order.
    flights: Vec<Direction>,
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new(100_000)
    }
}

fn ms(d: std::time::Duration) -> f64 {
    crate::net::millis(d)
}

fn version_name(v: u16) -> String {
    if registry::is_grease(v) {
        return format!("GREASE_0x{v:04X}");
    }
    Version::from_wire(v)
        .map(|v| v.name().to_string())
        .unwrap_or_else(|| format!("0x{v:04X}"))
}

/// MD5 as lowercase hex (JA3 fingerprints).
pub fn md5_hex(s: &str) -> String {
    let digest = Md5::digest(s.as_bytes());
    let mut out = String::with_capacity(32);
    for b in digest {
        let _ = write!(out, "{b:02x}");
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

impl Analyzer {
    /// An analyzer that lists at most `max_records` records (the rest are only counted).
    pub fn new(max_records: usize) -> Self {
        Analyzer {
            dirs: [DirState::default(), DirState::default()],
            max_records,
            records: Vec::new(),
            omitted: 0,
            last_t: None,
            client_hello: None,
            server_hello: None,
            ch_session_id: Vec::new(),
            version: None,
            suite: None,
            handshake_end: None,
            end_record: None,
            not_tls: None,
            raw: false,
            sniffed: [false, false],
            totals: Totals::default(),
            alerts: Vec::new(),
            problems: Vec::new(),
            flights: Vec::new(),
        }
    }

    /// The SNI as soon as the ClientHello has been read.
    pub fn sni(&self) -> Option<&str> {
        self.client_hello.as_ref().and_then(|c| c.sni.as_deref())
    }

    /// The ClientHello's random (to match key log files).
    pub fn client_random(&self) -> Option<&str> {
        self.client_hello.as_ref().map(|c| c.random.as_str())
    }

    /// Bytes seen in direction `dir` at time `t` (since the connection's start).
    pub fn feed(&mut self, dir: Direction, t: std::time::Duration, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let t = ms(t);
        match dir {
            Direction::ClientToServer => self.totals.client_to_server += bytes.len() as u64,
            Direction::ServerToClient => self.totals.server_to_client += bytes.len() as u64,
        }
        let i = dir.idx();
        if self.raw || self.dirs[i].failed {
            self.push_raw(dir, t, bytes.len());
            return;
        }
        self.dirs[i].deframer.push(bytes);
        if !self.sniffed[i] {
            match self.dirs[i].deframer.sniff() {
                Sniff::NeedMore => return,
                Sniff::Tls => self.sniffed[i] = true,
                Sniff::Sslv2 => {
                    self.sniffed[i] = true;
                    self.fail_dir(dir, "an SSLv2-format record (a very old client or server); not analysed further");
                    self.push_raw(dir, t, bytes.len());
                    return;
                }
                Sniff::NotTls(kind) => {
                    if self.records.is_empty() && self.client_hello.is_none() {
                        // Plaintext from the start: everything is visible to the observer.
                        self.raw = true;
                        self.not_tls = Some(kind.description().to_string());
                        let buffered = self.dirs[i].deframer.buffered().len();
                        self.push_raw(dir, t, buffered);
                    } else {
                        self.fail_dir(
                            dir,
                            &format!("the stream stopped being TLS: {}", kind.description()),
                        );
                        self.push_raw(dir, t, bytes.len());
                    }
                    return;
                }
            }
        }
        loop {
            let rec = match self.dirs[i].deframer.next_record() {
                Ok(Some(r)) => r,
                Ok(None) => break,
                Err(e) => {
                    self.fail_dir(dir, &format!("unreadable record: {e}"));
                    break;
                }
            };
            self.on_record(dir, t, rec.content_type, &rec.payload);
        }
    }

    fn fail_dir(&mut self, dir: Direction, why: &str) {
        self.dirs[dir.idx()].failed = true;
        self.problems.push(format!("{}: {why}", dir.arrow()));
    }

    fn push_event(&mut self, ev: RecordEvent) {
        if self.records.len() >= self.max_records {
            self.omitted += 1;
            return;
        }
        self.records.push(ev);
    }

    fn delta(&mut self, t: f64) -> f64 {
        let d = self.last_t.map(|l| (t - l).max(0.0)).unwrap_or(0.0);
        self.last_t = Some(t);
        (d * 1000.0).round() / 1000.0
    }

    fn push_raw(&mut self, dir: Direction, t: f64, len: usize) {
        if len == 0 {
            return;
        }
        let delta = self.delta(t);
        let what = if self.raw {
            "plaintext (fully visible)"
        } else {
            "unparsed bytes"
        };
        self.push_event(RecordEvent {
            t_ms: t,
            delta_ms: delta,
            direction: dir,
            content_type: "raw".into(),
            encrypted: false,
            length: len,
            wire_length: len,
            phase: Phase::Application,
            what: what.into(),
            plaintext_estimate: Some(len),
        });
    }

    fn is_tls13(&self) -> bool {
        self.version == Some(0x0304)
    }

    /// Fixed bytes the record protection adds for the negotiated suite, when that is exact.
    fn overhead(&self) -> Option<usize> {
        let suite = registry::cipher_suite(self.suite?)?;
        let tag = match suite.enc {
            Enc::Aes128Ccm8 | Enc::Aes256Ccm8 => 8,
            _ => 16,
        };
        if self.is_tls13() {
            return Some(tag + 1);
        }
        match suite.enc {
            Enc::Chacha20Poly1305 => Some(16),
            Enc::Aes128Gcm
            | Enc::Aes256Gcm
            | Enc::Aes128Ccm
            | Enc::Aes256Ccm
            | Enc::Aes128Ccm8
            | Enc::Aes256Ccm8
            | Enc::Aria128Gcm
            | Enc::Aria256Gcm
            | Enc::Camellia128Gcm
            | Enc::Camellia256Gcm => Some(8 + tag),
            _ => None,
        }
    }

    fn on_record(&mut self, dir: Direction, t: f64, ct: ContentType, payload: &[u8]) {
        let i = dir.idx();
        self.dirs[i].records += 1;
        let tls13 = self.is_tls13();
        let encrypted = match ct {
            ContentType::ApplicationData => true,
            ContentType::ChangeCipherSpec => false,
            _ => self.dirs[i].ccs && !tls13,
        };
        let in_handshake = self.handshake_end.is_none();
        let mut estimate = None;
        let what: String = match ct {
            ContentType::Handshake if !encrypted => self.on_handshake_payload(dir, t, payload),
            ContentType::ChangeCipherSpec => {
                self.dirs[i].ccs = true;
                if tls13 {
                    "ChangeCipherSpec (TLS 1.3 middlebox compatibility; no meaning)".into()
                } else {
                    "ChangeCipherSpec: from here on this side encrypts".into()
                }
            }
            ContentType::Alert if !encrypted => match Alert::read_exact(payload, "alert") {
                Ok(a) => {
                    self.alerts.push(format!("{} {a}", dir.arrow()));
                    format!("alert: {a}")
                }
                Err(_) => "alert (malformed)".into(),
            },
            _ => {
                estimate = self.overhead().and_then(|o| payload.len().checked_sub(o));
                if encrypted && in_handshake {
                    match ct {
                        ContentType::Alert => "encrypted alert".into(),
                        _ if tls13 && dir == Direction::ServerToClient => {
                            "encrypted handshake (EncryptedExtensions, Certificate, CertificateVerify, Finished)".into()
                        }
                        _ if tls13 => "encrypted handshake (the client's Finished)".into(),
                        _ => "encrypted handshake (Finished)".into(),
                    }
                } else if ct == ContentType::Alert {
                    "encrypted alert".into()
                } else if ct == ContentType::ApplicationData {
                    "application data".into()
                } else {
                    format!("{} record", ct.name())
                }
            }
        };
        // Handshake completion, as far as the wire shows it.
        let was_open = self.handshake_end.is_none();
        if self.handshake_end.is_none()
            && self.server_hello.is_some()
            && ct != ContentType::ChangeCipherSpec
        {
            if tls13 {
                if dir == Direction::ClientToServer && ct == ContentType::ApplicationData {
                    self.handshake_end = Some(t);
                }
            } else if self.version.is_some()
                && self.dirs[i].ccs
                && self.dirs[i].finished_ms.is_none()
            {
                self.dirs[i].finished_ms = Some(t);
                if let (Some(a), Some(b)) = (self.dirs[0].finished_ms, self.dirs[1].finished_ms) {
                    self.handshake_end = Some(a.max(b));
                }
            }
        }
        if was_open && self.handshake_end.is_some() && self.records.len() < self.max_records {
            self.end_record = Some(self.records.len());
        }
        let phase = if in_handshake {
            Phase::Handshake
        } else {
            Phase::Application
        };
        if in_handshake && self.client_hello.is_some() {
            self.flights.push(dir);
        }
        let delta = self.delta(t);
        self.push_event(RecordEvent {
            t_ms: t,
            delta_ms: delta,
            direction: dir,
            content_type: ct.name().to_string(),
            encrypted,
            length: payload.len(),
            wire_length: payload.len() + 5,
            phase,
            what,
            plaintext_estimate: estimate,
        });
    }

    /// Plaintext handshake bytes: reassemble messages, read the hellos. Returns the description.
    fn on_handshake_payload(&mut self, dir: Direction, t: f64, payload: &[u8]) -> String {
        let i = dir.idx();
        if let Err(e) = self.dirs[i].handshake.push(payload) {
            self.problems
                .push(format!("{}: handshake message: {e}", dir.arrow()));
            return "handshake (unreadable)".into();
        }
        let mut names = Vec::new();
        loop {
            let msg = match self.dirs[i].handshake.next_message() {
                Ok(Some(m)) => m,
                Ok(None) => break,
                Err(e) => {
                    self.problems
                        .push(format!("{}: handshake message: {e}", dir.arrow()));
                    break;
                }
            };
            names.push(message_name(msg.typ));
            match (dir, msg.typ) {
                (Direction::ClientToServer, HandshakeType::ClientHello) => {
                    self.on_client_hello(t, &msg.body)
                }
                (Direction::ServerToClient, HandshakeType::ServerHello) => {
                    self.on_server_hello(t, &msg.body)
                }
                (Direction::ServerToClient, HandshakeType::ServerKeyExchange) => {
                    self.on_server_key_exchange(&msg.body)
                }
                _ => {}
            }
        }
        if names.is_empty() {
            "handshake fragment".into()
        } else {
            names.join(", ")
        }
    }

    fn on_client_hello(&mut self, t: f64, body: &[u8]) {
        let ch = match ClientHello::parse(body) {
            Ok(c) => c,
            Err(e) => {
                self.problems
                    .push(format!("C->S: malformed ClientHello: {e}"));
                return;
            }
        };
        if let Some(prev) = &mut self.client_hello {
            prev.retried = true;
            return;
        }
        let ech = match ch.ech() {
            Ok(Some(EchClientHello::Outer {
                suite,
                config_id,
                payload,
                ..
            })) => Some(EchSeen {
                config_id,
                kdf: tlskit_wire::ech::kdf_name(suite.kdf),
                aead: tlskit_wire::ech::aead_name(suite.aead),
                payload_bytes: payload.len(),
            }),
            Ok(Some(EchClientHello::Inner)) => {
                self.problems.push(
                    "C->S: the ClientHello in clear carries the inner ECH marker (a client error: it belongs only inside an offer)".into(),
                );
                None
            }
            Ok(None) => None,
            Err(e) => {
                self.problems
                    .push(format!("C->S: malformed encrypted_client_hello: {e}"));
                None
            }
        };
        let ja3 = ch.ja3_string();
        let ja4 = ch.ja4();
        let info = ClientHelloInfo {
            t_ms: t,
            sni: ch.server_name().ok().flatten(),
            alpn: ch
                .alpn()
                .ok()
                .flatten()
                .unwrap_or_default()
                .iter()
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect(),
            legacy_version: version_name(ch.legacy_version),
            offered_versions: ch
                .offered_versions()
                .into_iter()
                .filter(|v| !registry::is_grease(*v))
                .map(version_name)
                .collect(),
            cipher_suites: ch
                .cipher_suites
                .iter()
                .filter(|s| !registry::is_grease(**s))
                .map(|s| registry::suite_name(*s))
                .collect(),
            supported_groups: ch
                .supported_groups()
                .ok()
                .flatten()
                .unwrap_or_default()
                .into_iter()
                .filter(|g| !registry::is_grease(*g))
                .map(registry::group_name)
                .collect(),
            extensions: ch
                .extensions
                .iter()
                .map(|e| e.typ)
                .filter(|t| !registry::is_grease(*t))
                .collect(),
            ja3_hash: md5_hex(&ja3),
            ja3,
            ja4: ja4.ja4,
            ja4_r: ja4.raw,
            ja4_o: ja4.original,
            random: hex(&ch.random),
            session_id_len: ch.session_id.len(),
            retried: false,
            ech,
        };
        self.ch_session_id = ch.session_id.clone();
        self.client_hello = Some(info);
    }

    fn on_server_hello(&mut self, t: f64, body: &[u8]) {
        let sh = match ServerHello::parse(body) {
            Ok(s) => s,
            Err(e) => {
                self.problems
                    .push(format!("S->C: malformed ServerHello: {e}"));
                return;
            }
        };
        let hrr = sh.is_hello_retry_request();
        let version = sh.selected_version();
        let suite = registry::cipher_suite(sh.cipher_suite);
        let exts: Vec<String> = sh.extensions.iter().map(|e| e.typ.to_string()).collect();
        let ja3s = format!(
            "{},{},{}",
            sh.legacy_version,
            sh.cipher_suite,
            exts.join("-")
        );
        let ja4s = sh.ja4s();
        let resumed = if version == 0x0304 {
            sh.has_extension(41u16) // pre_shared_key
        } else {
            !sh.session_id.is_empty() && sh.session_id == self.ch_session_id
        };
        let info = ServerHelloInfo {
            t_ms: t,
            version: version_name(version),
            cipher_suite: registry::suite_name(sh.cipher_suite),
            cipher_suite_openssl: suite.and_then(|s| s.openssl).map(str::to_string),
            group: sh.selected_group().map(registry::group_name),
            alpn: sh
                .alpn()
                .ok()
                .flatten()
                .map(|p| String::from_utf8_lossy(&p).into_owned()),
            hello_retry_request: hrr
                || self
                    .server_hello
                    .as_ref()
                    .is_some_and(|s| s.hello_retry_request),
            resumed,
            ja3s_hash: md5_hex(&ja3s),
            ja3s,
            ja4s: ja4s.ja4s,
            ja4s_r: ja4s.raw,
        };
        if !hrr {
            self.version = Some(version);
            self.suite = Some(sh.cipher_suite);
        }
        self.server_hello = Some(info);
    }

    /// TLS 1.2: the key-exchange group is in the ServerKeyExchange, not the ServerHello.
    fn on_server_key_exchange(&mut self, body: &[u8]) {
        let version = self.version.unwrap_or(0x0303);
        let Ok(ske) = ServerKeyExchange::parse(body, KxHint::Unknown, version) else {
            return;
        };
        let group = match (ske.named_group(), ske.dh_params()) {
            (Some(g), _) => Some(registry::group_name(g)),
            (None, Some(dh)) => Some(format!("DH {} bits", dh.prime_bits())),
            _ => None,
        };
        if let Some(sh) = &mut self.server_hello {
            if sh.group.is_none() {
                sh.group = group;
            }
        }
    }

    /// Conclude: handshake timing and round trips, exchanges.
    pub fn finish(mut self) -> Analysis {
        // A last tiny encrypted record in a direction is the close_notify alert (TLS 1.3 hides its type).
        for dir in [Direction::ClientToServer, Direction::ServerToClient] {
            if let Some(r) = self.records.iter_mut().rev().find(|r| r.direction == dir) {
                if r.phase == Phase::Application
                    && r.encrypted
                    && r.content_type == "application_data"
                    && r.plaintext_estimate == Some(2)
                {
                    r.what = "encrypted alert (2 bytes: almost certainly close_notify)".into();
                }
            }
        }
        let start = self.client_hello.as_ref().map(|c| c.t_ms);
        let handshake_ms = match (start, self.handshake_end) {
            (Some(s), Some(e)) => Some(((e - s) * 1000.0).round() / 1000.0),
            _ => None,
        };
        let round_trips = self.handshake_end.map(|_| {
            // Group handshake-phase records into flights; count client flights answered by the server.
            let mut flights: Vec<Direction> = Vec::new();
            for d in &self.flights {
                if flights.last() != Some(d) {
                    flights.push(*d);
                }
            }
            flights
                .windows(2)
                .filter(|w| w[0] == Direction::ClientToServer && w[1] == Direction::ServerToClient)
                .count() as u32
        });
        let exchanges = exchanges(&self.records);
        Analysis {
            tls: !self.raw && self.sniffed.iter().any(|s| *s),
            not_tls: self.not_tls,
            client_hello: self.client_hello,
            server_hello: self.server_hello,
            version: self.version.map(version_name),
            handshake_start_ms: start,
            handshake_end_ms: self.handshake_end,
            handshake_ms,
            handshake_end_record: self.end_record,
            round_trips,
            records: self.records,
            records_omitted: self.omitted,
            exchanges,
            bytes: self.totals,
            alerts: self.alerts,
            problems: self.problems,
        }
    }
}

fn message_name(t: HandshakeType) -> String {
    match t {
        HandshakeType::ClientHello => "ClientHello".into(),
        HandshakeType::ServerHello => "ServerHello".into(),
        HandshakeType::Certificate => "Certificate".into(),
        HandshakeType::ServerKeyExchange => "ServerKeyExchange".into(),
        HandshakeType::CertificateRequest => "CertificateRequest".into(),
        HandshakeType::ServerHelloDone => "ServerHelloDone".into(),
        HandshakeType::ClientKeyExchange => "ClientKeyExchange".into(),
        HandshakeType::CertificateVerify => "CertificateVerify".into(),
        HandshakeType::CertificateStatus => "CertificateStatus".into(),
        HandshakeType::NewSessionTicket => "NewSessionTicket".into(),
        HandshakeType::Finished => "Finished".into(),
        other => other.name().to_string(),
    }
}

/// Group application records into request/response exchanges: a client burst, then the server
/// burst that answers it. Alerts (visible or inferred) are left out.
fn exchanges(records: &[RecordEvent]) -> Vec<Exchange> {
    let mut bursts: Vec<(Direction, Burst)> = Vec::new();
    for r in records {
        if r.phase != Phase::Application
            || r.content_type == "alert"
            || r.what.starts_with("encrypted alert")
        {
            continue;
        }
        match bursts.last_mut() {
            Some((d, b)) if *d == r.direction => {
                b.records += 1;
                b.bytes += r.length;
                b.end_ms = r.t_ms;
                b.plaintext_estimate = match (b.plaintext_estimate, r.plaintext_estimate) {
                    (Some(a), Some(x)) => Some(a + x),
                    _ => None,
                };
            }
            _ => bursts.push((
                r.direction,
                Burst {
                    t_ms: r.t_ms,
                    end_ms: r.t_ms,
                    records: 1,
                    bytes: r.length,
                    plaintext_estimate: r.plaintext_estimate,
                },
            )),
        }
    }
    let mut out = Vec::new();
    let mut it = bursts.into_iter().peekable();
    while let Some((dir, b)) = it.next() {
        match dir {
            Direction::ServerToClient => out.push(Exchange {
                request: None,
                response: Some(b),
                wait_ms: None,
            }),
            Direction::ClientToServer => {
                let response = match it.peek() {
                    Some((Direction::ServerToClient, _)) => it.next().map(|(_, r)| r),
                    _ => None,
                };
                let wait_ms = response
                    .as_ref()
                    .map(|r| (((r.t_ms - b.end_ms).max(0.0)) * 1000.0).round() / 1000.0);
                out.push(Exchange {
                    request: Some(b),
                    response,
                    wait_ms,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
