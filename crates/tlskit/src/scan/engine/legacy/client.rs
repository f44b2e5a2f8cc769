//! The sans-IO TLS ≤ 1.2 client: feed it the server's bytes, take the bytes to send, read what
//! happened from its events. No sockets and no clocks here — [`super::conn`] drives it over TCP
//! with a deadline.
//!
//! It completes full and abbreviated handshakes (session ID and RFC 5077 ticket), verifies the
//! server's Finished, renegotiates on request (RFC 5746 secure, or legacy without any indication),
//! negotiates extended master secret, encrypt-then-MAC and heartbeat, and carries application
//! data and heartbeat records. It does **not** authenticate the server (no certificate or
//! ServerKeyExchange signature check): a scan only looks, and "established" means the server
//! derived the same keys, which the Finished proves.

use super::kx;
use super::prf::Kdf;
use super::record::{key_block_len, split_key_block, RecordCipher};
use super::suite::{KeyExchange, SuiteParams};
use super::types::{Config, Error, Event, Negotiated, RenegotiationIndication, Session};
use std::collections::VecDeque;
use tlskit_wire::alert::{Alert, AlertDescription};
use tlskit_wire::client_hello::ClientHelloBuilder;
use tlskit_wire::codec::{Codec, Reader};
use tlskit_wire::extensions::{ExtensionType, HEARTBEAT_PEER_ALLOWED_TO_SEND};
use tlskit_wire::handshake::{
    frame, Certificate, CertificateRequest, HandshakeType, KxHint, NewSessionTicket, RawHandshake,
    ServerHello, ServerKeyExchange,
};
use tlskit_wire::record::{ContentType, Deframer, HandshakeReassembler, Record};
use tlskit_wire::version::Version;

/// The renegotiation-indication signalling suite (RFC 5746 §3.3).
const SCSV_RENEGOTIATION: u16 = 0x00ff;
/// Most bytes in one outgoing record (2^14).
const MAX_FRAGMENT: usize = 1 << 14;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    ServerHello,
    /// Certificate / CertificateStatus / ServerKeyExchange / CertificateRequest / ServerHelloDone.
    ServerFlight,
    /// After our Finished (full) or after the ServerHello (abbreviated): NewSessionTicket, CCS.
    ServerCcs,
    ServerFinished,
    Established,
    Failed,
}

/// The handshake under way.
struct Handshake {
    client_random: [u8; 32],
    server_random: [u8; 32],
    offered_session_id: Vec<u8>,
    transcript: Vec<u8>,
    version: Version,
    suite: Option<SuiteParams>,
    resumed: bool,
    ems: bool,
    etm: bool,
    secure_renegotiation: bool,
    heartbeat: Option<u8>,
    ticket_promised: bool,
    session_id: Vec<u8>,
    certificates: Vec<Vec<u8>>,
    ske: Option<Vec<u8>>,
    /// The CertificateRequest's body, when the server sent one.
    certificate_request: Option<Vec<u8>>,
    /// The server's first flight ended (ServerHelloDone arrived).
    flight_done: bool,
    master: Vec<u8>,
    pending_read: Option<RecordCipher>,
    group: Option<u16>,
    dh_bits: Option<usize>,
    new_ticket: Vec<u8>,
    new_ticket_hint: Option<u32>,
    client_verify: Vec<u8>,
}

/// The client.
pub struct Client {
    config: Config,
    state: State,
    hs: Handshake,
    read: RecordCipher,
    write: RecordCipher,
    /// The record version on what we send (0x0301 for the first ClientHello, then the
    /// negotiated version).
    record_version: u16,
    deframer: Deframer,
    reassembler: HandshakeReassembler,
    out: Vec<u8>,
    events: VecDeque<Event>,
    /// RFC 5746 verify_data of the last finished handshake (client, server).
    verify_data: Option<(Vec<u8>, Vec<u8>)>,
    negotiated: Option<Negotiated>,
    renegotiating: bool,
    /// Our write keys, switched to when we send ChangeCipherSpec.
    pending_write: Option<RecordCipher>,
}

fn random32() -> [u8; 32] {
    let mut r = [0u8; 32];
    let _ = aws_lc_rs::rand::fill(&mut r);
    r
}

impl Client {
    /// A client whose ClientHello is ready in [`Client::take_output`].
    pub fn new(config: Config) -> Client {
        let record_version = if config.version == Version::Ssl3 {
            0x0300
        } else {
            0x0301
        };
        let mut c = Client {
            state: State::ServerHello,
            hs: Handshake::new(),
            read: RecordCipher::null(record_version),
            write: RecordCipher::null(record_version),
            record_version,
            deframer: Deframer::new(),
            reassembler: HandshakeReassembler::new(),
            out: Vec::new(),
            events: VecDeque::new(),
            verify_data: None,
            negotiated: None,
            renegotiating: false,
            pending_write: None,
            config,
        };
        c.send_client_hello();
        c
    }

    /// Bytes to send to the server (empties the buffer).
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.out)
    }

    /// The next thing that happened, oldest first (`None`: feed more bytes).
    pub fn next_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// What the last finished handshake negotiated.
    pub fn negotiated(&self) -> Option<&Negotiated> {
        self.negotiated.as_ref()
    }

    /// A handshake is finished and none is under way.
    pub fn is_established(&self) -> bool {
        self.state == State::Established
    }

    /// A renegotiation we asked for got its ServerHello (the server went into the new
    /// handshake).
    pub fn renegotiation_answered(&self) -> bool {
        self.renegotiating && self.hs.suite.is_some()
    }

    /// The body of the CertificateRequest of the handshake under way (or the last one), when
    /// the server sent one.
    pub fn certificate_request(&self) -> Option<&[u8]> {
        self.hs.certificate_request.as_deref()
    }

    /// The server's first flight of the handshake under way (or the last one) ended with its
    /// ServerHelloDone: what it holds (a CertificateRequest or none) is known.
    pub fn server_flight_done(&self) -> bool {
        self.hs.flight_done
    }

    /// The server's version and suite once its ServerHello arrived.
    pub fn server_choice(&self) -> Option<(Version, u16)> {
        self.hs.suite.map(|s| (self.hs.version, s.id))
    }

    fn send_record(&mut self, typ: ContentType, data: &[u8]) {
        let chunks: Vec<&[u8]> = if data.is_empty() {
            vec![data]
        } else {
            data.chunks(MAX_FRAGMENT).collect()
        };
        for chunk in chunks {
            let payload = self.write.seal(typ.to_u8(), chunk);
            Record::new(typ, self.record_version, payload).encode(&mut self.out);
        }
    }

    fn send_handshake(&mut self, msg: Vec<u8>) {
        self.hs.transcript.extend_from_slice(&msg);
        self.send_record(ContentType::Handshake, &msg);
    }

    fn build_hello(&mut self) -> Vec<u8> {
        let cfg = &self.config;
        let ssl3 = cfg.version == Version::Ssl3;
        let mut suites = cfg.suites.clone();
        let indication = match (cfg.renegotiation, ssl3, self.renegotiating) {
            (RenegotiationIndication::None, ..) => RenegotiationIndication::None,
            // The SCSV is only for an initial handshake (RFC 5746 §3.4).
            (_, _, false) if ssl3 => RenegotiationIndication::Scsv,
            (RenegotiationIndication::Scsv, _, false) => RenegotiationIndication::Scsv,
            _ if ssl3 => RenegotiationIndication::None,
            _ => RenegotiationIndication::Extension,
        };
        if indication == RenegotiationIndication::Scsv {
            suites.push(SCSV_RENEGOTIATION);
        }
        let mut b =
            ClientHelloBuilder::for_version(cfg.version, &suites, cfg.server_name.as_deref())
                .with_random(self.hs.client_random)
                .record_version(self.record_version);
        if !ssl3 {
            let ec: Vec<u16> = cfg.groups.clone();
            b = b.supported_groups(&ec);
            b = match indication {
                RenegotiationIndication::Extension => {
                    let ours = self
                        .verify_data
                        .as_ref()
                        .map(|(c, _)| c.clone())
                        .unwrap_or_default();
                    b.renegotiation_info(&ours)
                }
                _ => b.remove_extension(ExtensionType::RenegotiationInfo),
            };
            if !cfg.extended_master_secret {
                b = b.remove_extension(ExtensionType::ExtendedMasterSecret);
            }
            if cfg.encrypt_then_mac {
                b = b.encrypt_then_mac();
            }
            if cfg.heartbeat {
                b = b.heartbeat(HEARTBEAT_PEER_ALLOWED_TO_SEND);
            }
        }
        let resume = cfg.resume.clone().filter(|_| !self.renegotiating);
        let mut session_id = Vec::new();
        if let Some(s) = &resume {
            session_id = s.session_id.clone();
            if !s.ticket.is_empty() && !ssl3 {
                // RFC 5077 §3.4: a session ID sent with the ticket comes back when it is accepted.
                if session_id.is_empty() {
                    session_id = random32().to_vec();
                }
                b = b.session_ticket(&s.ticket);
            } else if !cfg.session_ticket {
                b = b.remove_extension(ExtensionType::SessionTicket);
            }
        } else if !cfg.session_ticket && !ssl3 {
            b = b.remove_extension(ExtensionType::SessionTicket);
        }
        self.hs.offered_session_id = session_id.clone();
        b = b.session_id(session_id);
        b.build()
    }

    fn send_client_hello(&mut self) {
        self.hs.client_random = random32();
        let hello = self.build_hello();
        self.send_handshake(hello);
    }

    /// Start a client-initiated renegotiation (a new ClientHello under the current keys). The
    /// handshake then runs as the first did; [`Event::Established`] tells it finished.
    pub fn renegotiate(&mut self) -> Result<(), Error> {
        if self.state != State::Established {
            return Err(Error::Protocol(
                "renegotiation asked before a handshake finished".into(),
            ));
        }
        self.renegotiating = true;
        self.hs = Handshake::new();
        self.state = State::ServerHello;
        self.send_client_hello();
        Ok(())
    }

    /// Queue application data.
    pub fn send_application_data(&mut self, data: &[u8]) {
        self.send_record(ContentType::ApplicationData, data);
    }

    /// Queue a heartbeat request (RFC 6520) whose payload_length field claims `claimed_len`
    /// bytes while `payload` is sent (claiming more is the Heartbleed probe).
    pub fn send_heartbeat(&mut self, payload: &[u8], claimed_len: u16) {
        let mut m = vec![1u8];
        m.extend_from_slice(&claimed_len.to_be_bytes());
        m.extend_from_slice(payload);
        if claimed_len as usize <= payload.len() {
            m.extend(std::iter::repeat_n(0u8, 16));
        }
        self.send_record(ContentType::Heartbeat, &m);
    }

    /// Queue an alert.
    pub fn send_alert(&mut self, alert: Alert) {
        self.send_record(ContentType::Alert, &alert.to_bytes());
    }

    /// Queue close_notify.
    pub fn close_notify(&mut self) {
        self.send_alert(Alert::warning(AlertDescription::CloseNotify));
    }

    /// Process bytes from the server. An error ends the connection (after it, only
    /// [`Client::take_output`] is meaningful: it may hold an alert to send).
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), Error> {
        if self.state == State::Failed {
            return Err(Error::Protocol("the connection already failed".into()));
        }
        self.deframer.push(bytes);
        let r = self.process();
        if let Err(e) = &r {
            self.state = State::Failed;
            let desc = match e {
                Error::BadRecord => Some(AlertDescription::BadRecordMac),
                Error::BadFinished => Some(AlertDescription::DecryptError),
                Error::Protocol(_) => Some(AlertDescription::UnexpectedMessage),
                Error::Unsupported(_) => Some(AlertDescription::HandshakeFailure),
                Error::Alert(_) => None,
            };
            if let Some(d) = desc {
                self.send_alert(Alert::fatal(d));
            }
        }
        r
    }

    fn process(&mut self) -> Result<(), Error> {
        while let Some(rec) = self
            .deframer
            .next_record()
            .map_err(|e| Error::Protocol(format!("record layer: {e}")))?
        {
            let typ = rec.content_type;
            let plain = self
                .read
                .open(typ.to_u8(), &rec.payload)
                .map_err(|_| Error::BadRecord)?;
            match typ {
                ContentType::Handshake => {
                    self.reassembler
                        .push(&plain)
                        .map_err(|e| Error::Protocol(format!("handshake framing: {e}")))?;
                    while let Some(m) = self
                        .reassembler
                        .next_message()
                        .map_err(|e| Error::Protocol(format!("handshake framing: {e}")))?
                    {
                        self.on_handshake(m)?;
                    }
                }
                ContentType::ChangeCipherSpec => self.on_ccs(&plain)?,
                ContentType::Alert => {
                    let mut r = Reader::new(&plain);
                    while !r.is_empty() {
                        let a = Alert::read(&mut r)
                            .map_err(|e| Error::Protocol(format!("alert: {e}")))?;
                        if a.is_fatal() {
                            return Err(Error::Alert(a.description));
                        }
                        if a.description == AlertDescription::CloseNotify {
                            if self.state != State::Established {
                                return Err(Error::Alert(a.description));
                            }
                            self.events.push_back(Event::Closed);
                        } else {
                            self.events.push_back(Event::Warning(a.description));
                        }
                    }
                }
                ContentType::ApplicationData => {
                    if self.read.is_null() {
                        return Err(Error::Protocol("application data before encryption".into()));
                    }
                    self.events.push_back(Event::ApplicationData(plain));
                }
                ContentType::Heartbeat => {
                    // type(1) payload_length(2) payload padding: hand over everything after the
                    // length, so a Heartbleed leak is visible in full.
                    if plain.first() == Some(&2) && plain.len() >= 3 {
                        self.events
                            .push_back(Event::HeartbeatResponse(plain[3..].to_vec()));
                    }
                }
                ContentType::Unknown(t) => {
                    return Err(Error::Protocol(format!("record of unknown type {t}")))
                }
            }
        }
        Ok(())
    }

    fn unexpected(&self, what: &str) -> Error {
        Error::Protocol(format!("unexpected {what} in state {:?}", self.state))
    }

    fn on_handshake(&mut self, m: RawHandshake) -> Result<(), Error> {
        let raw = frame(m.typ, &m.body);
        match (self.state, m.typ) {
            (State::Established, HandshakeType::HelloRequest) => {
                self.events.push_back(Event::HelloRequest);
                Ok(())
            }
            // A HelloRequest racing our own renegotiation is ignored (RFC 5246 §7.4.1.1).
            (_, HandshakeType::HelloRequest) => Ok(()),
            (State::ServerHello, HandshakeType::ServerHello) => {
                self.hs.transcript.extend_from_slice(&raw);
                self.on_server_hello(&m.body)
            }
            (State::ServerFlight, HandshakeType::Certificate) => {
                self.hs.transcript.extend_from_slice(&raw);
                let c = Certificate::parse_tls12(&m.body)
                    .map_err(|e| Error::Protocol(format!("Certificate: {e}")))?;
                self.hs.certificates = c.certs().map(|c| c.to_vec()).collect();
                Ok(())
            }
            (State::ServerFlight, HandshakeType::CertificateStatus) => {
                self.hs.transcript.extend_from_slice(&raw);
                Ok(())
            }
            (State::ServerFlight, HandshakeType::ServerKeyExchange) => {
                self.hs.transcript.extend_from_slice(&raw);
                self.hs.ske = Some(m.body);
                Ok(())
            }
            (State::ServerFlight, HandshakeType::CertificateRequest) => {
                self.hs.transcript.extend_from_slice(&raw);
                self.hs.certificate_request = Some(m.body);
                Ok(())
            }
            (State::ServerFlight, HandshakeType::ServerHelloDone) => {
                self.hs.transcript.extend_from_slice(&raw);
                self.hs.flight_done = true;
                self.client_flight()
            }
            (State::ServerCcs, HandshakeType::NewSessionTicket) => {
                self.hs.transcript.extend_from_slice(&raw);
                let t = NewSessionTicket::read_exact(&m.body, "NewSessionTicket")
                    .map_err(|e| Error::Protocol(format!("NewSessionTicket: {e}")))?;
                self.hs.new_ticket = t.ticket.clone();
                self.hs.new_ticket_hint = Some(t.lifetime_hint);
                self.events.push_back(Event::Ticket(t.ticket));
                Ok(())
            }
            (State::ServerFinished, HandshakeType::Finished) => {
                self.on_server_finished(&m.body, raw)
            }
            (_, t) => Err(self.unexpected(t.name())),
        }
    }

    fn on_server_hello(&mut self, body: &[u8]) -> Result<(), Error> {
        let sh =
            ServerHello::parse(body).map_err(|e| Error::Protocol(format!("ServerHello: {e}")))?;
        let version = Version::from_wire(sh.legacy_version)
            .filter(|v| *v >= Version::Ssl3 && *v <= self.config.version)
            .ok_or_else(|| {
                Error::Unsupported(format!(
                    "the server chose version 0x{:04x}, which was not offered",
                    sh.legacy_version
                ))
            })?;
        if self.renegotiating {
            if let Some(n) = &self.negotiated {
                if n.version != version {
                    return Err(Error::Protocol(
                        "the version changed in a renegotiation".into(),
                    ));
                }
            }
        }
        if !self.config.suites.contains(&sh.cipher_suite) {
            return Err(Error::Protocol(format!(
                "the server chose suite 0x{:04x}, which was not offered",
                sh.cipher_suite
            )));
        }
        let suite = SuiteParams::of(sh.cipher_suite).map_err(Error::Unsupported)?;
        if suite.min_version > version && version < Version::Tls12 {
            return Err(Error::Protocol(format!(
                "the server chose a {} suite for {}",
                suite.min_version.name(),
                version.name()
            )));
        }
        if sh.compression != 0 {
            return Err(Error::Protocol(
                "the server chose compression, which was not offered".into(),
            ));
        }
        self.record_version = version.wire();
        self.hs.version = version;
        self.hs.suite = Some(suite);
        self.hs.server_random = sh.random;
        self.hs.session_id = sh.session_id.clone();
        self.hs.ems = sh.extended_master_secret() && self.config.extended_master_secret;
        self.hs.etm = sh.encrypt_then_mac() && self.config.encrypt_then_mac && suite.is_cbc();
        self.hs.heartbeat = sh.heartbeat_mode().ok().flatten();
        self.hs.ticket_promised = sh.session_ticket();
        let ri = sh
            .renegotiation_info()
            .map_err(|e| Error::Protocol(format!("renegotiation_info: {e}")))?;
        // RFC 5746 §3.5: in a renegotiation the server must echo both verify_data.
        match (&ri, &self.verify_data, self.renegotiating) {
            (Some(v), Some((c, s)), true) => {
                let mut expect = c.clone();
                expect.extend_from_slice(s);
                if *v != expect {
                    return Err(Error::Protocol(
                        "renegotiation_info does not carry the previous Finished".into(),
                    ));
                }
            }
            (Some(v), _, false) if !v.is_empty() => {
                return Err(Error::Protocol("non-empty renegotiation_info".into()))
            }
            _ => {}
        }
        self.hs.secure_renegotiation = ri.is_some();
        let resuming = self.config.resume.as_ref().filter(|_| !self.renegotiating);
        let resumed = resuming
            .filter(|s| {
                !self.hs.offered_session_id.is_empty()
                    && sh.session_id == self.hs.offered_session_id
                    && s.suite == sh.cipher_suite
                    && s.version == version
            })
            .cloned();
        if let Some(s) = resumed {
            self.hs.resumed = true;
            self.hs.master = s.master_secret.clone();
            self.hs.ems = s.extended_master_secret;
            self.hs.session_id = s.session_id.clone();
            self.hs.new_ticket = s.ticket.clone();
            self.hs.new_ticket_hint = s.ticket_lifetime_hint;
            let (cw, sr) = self.keys()?;
            self.hs.pending_read = Some(sr);
            self.pending_write = Some(cw);
            self.state = State::ServerCcs;
        } else {
            self.state = State::ServerFlight;
        }
        Ok(())
    }

    /// (client write, server read) protections from the master secret.
    fn keys(&self) -> Result<(RecordCipher, RecordCipher), Error> {
        let suite = self
            .hs
            .suite
            .ok_or_else(|| Error::Protocol("no suite".into()))?;
        let kdf = Kdf::new(self.hs.version, suite.prf_sha384);
        let kb = kdf.key_block(
            &self.hs.master,
            &self.hs.client_random,
            &self.hs.server_random,
            key_block_len(&suite, self.hs.version),
        );
        let (c, s) = split_key_block(&suite, self.hs.version, &kb);
        let bad = || Error::Unsupported("record keys could not be set up".into());
        Ok((
            RecordCipher::new(&suite, self.hs.version, c, self.hs.etm).ok_or_else(bad)?,
            RecordCipher::new(&suite, self.hs.version, s, self.hs.etm).ok_or_else(bad)?,
        ))
    }

    fn client_flight(&mut self) -> Result<(), Error> {
        let suite = self
            .hs
            .suite
            .ok_or_else(|| Error::Protocol("no suite".into()))?;
        let version = self.hs.version;
        let ssl3 = version == Version::Ssl3;
        let share = match suite.kx {
            KeyExchange::Rsa => {
                let cert = self.hs.certificates.first().ok_or_else(|| {
                    Error::Protocol("no certificate for an RSA key exchange".into())
                })?;
                kx::rsa(cert, self.config.version.wire(), ssl3).map_err(Error::Unsupported)?
            }
            KeyExchange::Ecdhe | KeyExchange::Dhe => {
                let ske = self.hs.ske.as_ref().ok_or_else(|| {
                    Error::Protocol("no ServerKeyExchange for an ephemeral key exchange".into())
                })?;
                let hint = if suite.kx == KeyExchange::Ecdhe {
                    KxHint::Ecdhe
                } else {
                    KxHint::Dhe
                };
                match ServerKeyExchange::parse(ske, hint, version.wire()) {
                    Ok(ServerKeyExchange::Ecdhe { params, .. }) => {
                        self.hs.group = params.named_group;
                        kx::ecdhe(&params).map_err(Error::Unsupported)?
                    }
                    Ok(ServerKeyExchange::Dhe { params, .. }) => {
                        self.hs.dh_bits = Some(params.prime_bits());
                        kx::dhe(&params).map_err(Error::Unsupported)?
                    }
                    Ok(_) => return Err(Error::Protocol("unexpected ServerKeyExchange".into())),
                    Err(e) => return Err(Error::Protocol(format!("ServerKeyExchange: {e}"))),
                }
            }
        };
        let signer = match self.hs.certificate_request.clone() {
            Some(_) if ssl3 => {
                self.send_alert(Alert::warning(AlertDescription::NoCertificate));
                None
            }
            Some(body) => self.send_client_certificate(&body)?,
            None => None,
        };
        self.send_handshake(frame(
            HandshakeType::ClientKeyExchange,
            &share.client_key_exchange,
        ));
        let kdf = Kdf::new(version, suite.prf_sha384);
        let ems = (self.hs.ems && !ssl3).then_some(self.hs.transcript.as_slice());
        self.hs.master = kdf.master_secret(
            &share.premaster,
            &self.hs.client_random,
            &self.hs.server_random,
            ems,
        );
        self.hs.ems = ems.is_some();
        if let Some(signer) = signer {
            // TLS 1.2 CertificateVerify: the scheme, then the signature over every handshake
            // message so far (RFC 5246 §7.4.8); the signer hashes as its scheme says.
            let sig = signer
                .sign(&self.hs.transcript)
                .map_err(|e| Error::Unsupported(format!("signing the CertificateVerify: {e}")))?;
            let mut body = u16::from(signer.scheme()).to_be_bytes().to_vec();
            body.extend_from_slice(&(sig.len() as u16).to_be_bytes());
            body.extend_from_slice(&sig);
            self.send_handshake(frame(HandshakeType::CertificateVerify, &body));
        }
        let (cw, sr) = self.keys()?;
        self.hs.pending_read = Some(sr);
        self.pending_write = Some(cw);
        self.send_ccs_finished();
        self.state = State::ServerCcs;
        Ok(())
    }

    /// Answer a CertificateRequest (TLS 1.0 to 1.2): `config.client_cert`'s chain and the signer
    /// for its CertificateVerify when the version is TLS 1.2 and the key can sign with a scheme
    /// the server listed; an empty Certificate otherwise.
    fn send_client_certificate(
        &mut self,
        request: &[u8],
    ) -> Result<Option<Box<dyn rustls::sign::Signer>>, Error> {
        let version = self.hs.version;
        let chosen = match (&self.config.client_cert, version) {
            (Some(ck), Version::Tls12) => {
                let cr = CertificateRequest::parse(request, version.wire())
                    .map_err(|e| Error::Protocol(format!("CertificateRequest: {e}")))?;
                let offered: Vec<rustls::SignatureScheme> = cr
                    .signature_algorithms
                    .unwrap_or_default()
                    .into_iter()
                    .map(rustls::SignatureScheme::from)
                    .collect();
                ck.key.choose_scheme(&offered).map(|s| (ck.cert.clone(), s))
            }
            _ => None,
        };
        let (chain, signer) = match chosen {
            Some((chain, s)) => (chain.iter().map(|c| c.to_vec()).collect(), Some(s)),
            None => (Vec::new(), None),
        };
        let mut body = Vec::new();
        Certificate::tls12(chain).encode(&mut body);
        self.send_handshake(frame(HandshakeType::Certificate, &body));
        Ok(signer)
    }

    fn send_ccs_finished(&mut self) {
        let suite = self.hs.suite.expect("suite chosen");
        let kdf = Kdf::new(self.hs.version, suite.prf_sha384);
        self.send_record(ContentType::ChangeCipherSpec, &[1]);
        if let Some(w) = self.pending_write.take() {
            self.write = w;
        }
        let verify = kdf.finished(&self.hs.master, true, &self.hs.transcript);
        self.hs.client_verify = verify.clone();
        self.send_handshake(frame(HandshakeType::Finished, &verify));
    }

    fn on_ccs(&mut self, payload: &[u8]) -> Result<(), Error> {
        if self.state != State::ServerCcs || payload != [1] {
            return Err(self.unexpected("ChangeCipherSpec"));
        }
        if self.hs.resumed && self.hs.ticket_promised && self.hs.new_ticket.is_empty() {
            // A server that promised a new ticket sends it before its CCS; nothing to do.
        }
        let r = self
            .hs
            .pending_read
            .take()
            .ok_or_else(|| self.unexpected("ChangeCipherSpec"))?;
        self.read = r;
        self.state = State::ServerFinished;
        Ok(())
    }

    fn on_server_finished(&mut self, body: &[u8], raw: Vec<u8>) -> Result<(), Error> {
        let suite = self.hs.suite.expect("suite chosen");
        let kdf = Kdf::new(self.hs.version, suite.prf_sha384);
        let expect = kdf.finished(&self.hs.master, false, &self.hs.transcript);
        if body != expect {
            return Err(Error::BadFinished);
        }
        self.hs.transcript.extend_from_slice(&raw);
        if self.hs.resumed {
            self.send_ccs_finished();
        }
        self.verify_data = Some((self.hs.client_verify.clone(), body.to_vec()));
        let session = Session {
            version: self.hs.version,
            suite: suite.id,
            session_id: self.hs.session_id.clone(),
            ticket: self.hs.new_ticket.clone(),
            ticket_lifetime_hint: self.hs.new_ticket_hint,
            master_secret: self.hs.master.clone(),
            extended_master_secret: self.hs.ems,
        };
        let n = Negotiated {
            version: self.hs.version,
            suite: suite.id,
            resumed: self.hs.resumed,
            secure_renegotiation: self.hs.secure_renegotiation,
            extended_master_secret: self.hs.ems,
            encrypt_then_mac: self.hs.etm,
            heartbeat: self.hs.heartbeat,
            ticket_promised: self.hs.ticket_promised,
            group: self.hs.group,
            dh_bits: self.hs.dh_bits,
            renegotiation: self.renegotiating,
            session,
        };
        self.negotiated = Some(n.clone());
        self.renegotiating = false;
        self.state = State::Established;
        self.events.push_back(Event::Established(n));
        Ok(())
    }
}

impl Handshake {
    fn new() -> Handshake {
        Handshake {
            client_random: [0; 32],
            server_random: [0; 32],
            offered_session_id: Vec::new(),
            transcript: Vec::new(),
            version: Version::Tls12,
            suite: None,
            resumed: false,
            ems: false,
            etm: false,
            secure_renegotiation: false,
            heartbeat: None,
            ticket_promised: false,
            session_id: Vec::new(),
            certificates: Vec::new(),
            ske: None,
            certificate_request: None,
            flight_done: false,
            master: Vec::new(),
            pending_read: None,
            group: None,
            dh_bits: None,
            new_ticket: Vec::new(),
            new_ticket_hint: None,
            client_verify: Vec::new(),
        }
    }
}
