//! A probe connection the check drives itself: send records (plaintext, or protected once keys are
//! set), read messages one at a time, every read bounded by a deadline and every buffer
//! by a limit. Used by the Heartbleed, CCS-injection and ROBOT probes.

use crate::scan::Ctx;
use aws_lc_rs::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::cipher;
use aws_lc_rs::hmac;
use aws_lc_rs::iv::FixedLength;
use std::collections::VecDeque;
use tlskit_wire::alert::Alert;
use tlskit_wire::codec::{Codec, Reader};
use tlskit_wire::handshake::RawHandshake;
use tlskit_wire::record::{ContentType, HandshakeReassembler, Record, RECORD_HEADER_LEN};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// Most bytes read on one connection.
const MAX_BYTES: usize = 2 << 20;
/// Most messages read on one connection.
const MAX_MESSAGES: usize = 256;

/// One thing the server sent.
#[derive(Debug, Clone)]
pub enum Msg {
    Handshake(RawHandshake),
    Alert(Alert),
    ChangeCipherSpec,
    ApplicationData(Vec<u8>),
    /// A heartbeat record's payload (and the record's length as sent).
    Heartbeat(Vec<u8>),
    Other(u8),
}

/// Why no message came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    Closed { reset: bool },
    Timeout,
    Malformed(String),
}

impl End {
    pub fn describe(&self) -> String {
        match self {
            End::Closed { reset: true } => "connection reset".into(),
            End::Closed { reset: false } => "connection closed".into(),
            End::Timeout => "no answer within the timeout".into(),
            End::Malformed(s) => format!("malformed answer: {s}"),
        }
    }
}

/// Record protection for TLS 1.2: AEAD (AES-GCM with an explicit nonce, ChaCha20-Poly1305
/// without) or AES-CBC with HMAC (MAC-then-encrypt, explicit IV per record).
pub enum Protection {
    Aead {
        key: LessSafeKey,
        iv: Vec<u8>,
        explicit_nonce: bool,
        seq: u64,
    },
    Cbc {
        alg: &'static cipher::Algorithm,
        key: Vec<u8>,
        mac: Box<hmac::Key>,
        mac_len: usize,
        seq: u64,
    },
}

fn header(seq: u64, typ: u8, version: u16, len: usize) -> [u8; 13] {
    let mut a = [0u8; 13];
    a[..8].copy_from_slice(&seq.to_be_bytes());
    a[8] = typ;
    a[9..11].copy_from_slice(&version.to_be_bytes());
    a[11..].copy_from_slice(&(len as u16).to_be_bytes());
    a
}

impl Protection {
    pub fn aead(alg: &'static aead::Algorithm, key: &[u8], iv: &[u8]) -> Option<Protection> {
        let key = LessSafeKey::new(UnboundKey::new(alg, key).ok()?);
        let explicit_nonce = iv.len() == 4;
        Some(Protection::Aead {
            key,
            iv: iv.to_vec(),
            explicit_nonce,
            seq: 0,
        })
    }

    pub fn cbc(
        alg: &'static cipher::Algorithm,
        key: &[u8],
        mac: hmac::Algorithm,
        mac_key: &[u8],
    ) -> Option<Protection> {
        cipher::UnboundCipherKey::new(alg, key).ok()?;
        let mac_len = mac.digest_algorithm().output_len();
        Some(Protection::Cbc {
            alg,
            key: key.to_vec(),
            mac: Box::new(hmac::Key::new(mac, mac_key)),
            mac_len,
            seq: 0,
        })
    }

    fn aead_nonce(iv: &[u8], explicit: bool, seq: u64) -> [u8; 12] {
        let mut n = [0u8; 12];
        if explicit {
            n[..4].copy_from_slice(iv);
            n[4..].copy_from_slice(&seq.to_be_bytes());
        } else {
            n.copy_from_slice(iv);
            for (i, b) in seq.to_be_bytes().iter().enumerate() {
                n[4 + i] ^= b;
            }
        }
        n
    }

    fn seal(&mut self, typ: u8, version: u16, plain: &[u8]) -> Vec<u8> {
        match self {
            Protection::Aead {
                key,
                iv,
                explicit_nonce,
                seq,
            } => {
                let nonce = Self::aead_nonce(iv, *explicit_nonce, *seq);
                let aad = header(*seq, typ, version, plain.len());
                let mut body = plain.to_vec();
                let _ = key.seal_in_place_append_tag(
                    Nonce::assume_unique_for_key(nonce),
                    Aad::from(aad),
                    &mut body,
                );
                *seq += 1;
                if *explicit_nonce {
                    let mut out = nonce[4..].to_vec();
                    out.extend(body);
                    out
                } else {
                    body
                }
            }
            Protection::Cbc {
                alg, key, mac, seq, ..
            } => {
                let mut c = hmac::Context::with_key(mac);
                c.update(&header(*seq, typ, version, plain.len()));
                c.update(plain);
                let mut data = plain.to_vec();
                data.extend_from_slice(c.sign().as_ref());
                let pad = 15 - data.len() % 16;
                data.extend(std::iter::repeat_n(pad as u8, pad + 1));
                let mut iv = [0u8; 16];
                let _ = aws_lc_rs::rand::fill(&mut iv);
                if let Ok(k) =
                    cipher::UnboundCipherKey::new(alg, key).and_then(cipher::EncryptingKey::cbc)
                {
                    let _ = k.less_safe_encrypt(
                        &mut data,
                        cipher::EncryptionContext::Iv128(FixedLength::from(iv)),
                    );
                }
                *seq += 1;
                let mut out = iv.to_vec();
                out.extend(data);
                out
            }
        }
    }

    fn open(&mut self, typ: u8, version: u16, payload: &[u8]) -> Option<Vec<u8>> {
        match self {
            Protection::Aead {
                key,
                iv,
                explicit_nonce,
                seq,
            } => {
                let (nonce, mut body) = if *explicit_nonce {
                    if payload.len() < 8 + 16 {
                        return None;
                    }
                    let mut n = [0u8; 12];
                    n[..4].copy_from_slice(iv);
                    n[4..].copy_from_slice(&payload[..8]);
                    (n, payload[8..].to_vec())
                } else {
                    if payload.len() < 16 {
                        return None;
                    }
                    (Self::aead_nonce(iv, false, *seq), payload.to_vec())
                };
                let aad = header(*seq, typ, version, body.len() - 16);
                let plain = key
                    .open_in_place(
                        Nonce::assume_unique_for_key(nonce),
                        Aad::from(aad),
                        &mut body,
                    )
                    .ok()?
                    .to_vec();
                *seq += 1;
                Some(plain)
            }
            Protection::Cbc {
                alg,
                key,
                mac,
                mac_len,
                seq,
            } => {
                if payload.len() < 32 || payload.len() % 16 != 0 {
                    return None;
                }
                let mut iv = [0u8; 16];
                iv.copy_from_slice(&payload[..16]);
                let mut data = payload[16..].to_vec();
                let k = cipher::UnboundCipherKey::new(alg, key)
                    .and_then(cipher::DecryptingKey::cbc)
                    .ok()?;
                let plain = k
                    .decrypt(
                        &mut data,
                        cipher::DecryptionContext::Iv128(FixedLength::from(iv)),
                    )
                    .ok()?
                    .to_vec();
                let pad = *plain.last()? as usize;
                if plain.len() < pad + 1 + *mac_len
                    || !plain[plain.len() - pad - 1..]
                        .iter()
                        .all(|b| *b as usize == pad)
                {
                    return None;
                }
                let body_len = plain.len() - pad - 1 - *mac_len;
                let (body, tag) = plain[..plain.len() - pad - 1].split_at(body_len);
                let mut c = hmac::Context::with_key(mac);
                c.update(&header(*seq, typ, version, body_len));
                c.update(body);
                if c.sign().as_ref() != tag {
                    return None;
                }
                *seq += 1;
                Some(body.to_vec())
            }
        }
    }
}

/// A connection opened through the scan's prober (TCP, STARTTLS), holding a connection slot.
pub struct Conn {
    stream: TcpStream,
    _slot: tokio::sync::OwnedSemaphorePermit,
    buf: Vec<u8>,
    handshake: HandshakeReassembler,
    pending: VecDeque<Msg>,
    read: Option<Protection>,
    write: Option<Protection>,
    /// Record-layer version for records we send.
    pub version: u16,
    /// Bytes read so far.
    pub bytes_read: usize,
    messages: usize,
    /// Handshake messages exactly as received (for transcripts), in order.
    pub log: Vec<Vec<u8>>,
    /// Read buffer (on the heap: futures holding it stay small).
    tmp: Vec<u8>,
}

impl Conn {
    /// Open a connection (bounded by the probe timeout).
    pub async fn open(ctx: &Ctx) -> Result<Conn, String> {
        let slot = ctx.prober.slot().await;
        let c = match tokio::time::timeout(ctx.prober.timeout(), ctx.prober.open()).await {
            Err(_) => return Err("connecting timed out".into()),
            Ok(Err(e)) => return Err(e.to_string()),
            Ok(Ok(c)) => c,
        };
        Ok(Conn {
            stream: c.stream,
            _slot: slot,
            buf: Vec::new(),
            handshake: HandshakeReassembler::with_max_message_size(256 * 1024),
            pending: VecDeque::new(),
            read: None,
            write: None,
            version: 0x0303,
            bytes_read: 0,
            messages: 0,
            log: Vec::new(),
            tmp: vec![0u8; 16 * 1024],
        })
    }

    /// Protect records we send from now on.
    pub fn set_write(&mut self, p: Protection) {
        self.write = Some(p);
    }

    /// Records we read from now on are protected.
    pub fn set_read(&mut self, p: Protection) {
        self.read = Some(p);
    }

    /// Send bytes as they are (a prepared record).
    pub async fn send_raw(&mut self, bytes: &[u8], deadline: Instant) -> Result<(), End> {
        match tokio::time::timeout_at(deadline, self.stream.write_all(bytes)).await {
            Err(_) => Err(End::Timeout),
            Ok(Err(e)) => Err(End::Closed {
                reset: matches!(
                    e.kind(),
                    std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
                ),
            }),
            Ok(Ok(())) => Ok(()),
        }
    }

    /// Send `payload` as records of `typ` (protected when write keys are set).
    pub async fn send(
        &mut self,
        typ: ContentType,
        payload: &[u8],
        deadline: Instant,
    ) -> Result<(), End> {
        let mut out = Vec::new();
        let chunks: Vec<&[u8]> = if payload.is_empty() {
            vec![&[][..]]
        } else {
            payload.chunks(1 << 14).collect()
        };
        for chunk in chunks {
            let body = match self.write.as_mut() {
                Some(p) => p.seal(typ.to_u8(), self.version, chunk),
                None => chunk.to_vec(),
            };
            out.push(typ.to_u8());
            out.extend_from_slice(&self.version.to_be_bytes());
            out.extend_from_slice(&(body.len() as u16).to_be_bytes());
            out.extend(body);
        }
        self.send_raw(&out, deadline).await
    }

    /// The next message, waiting until `deadline`.
    pub async fn next(&mut self, deadline: Instant) -> Result<Msg, End> {
        loop {
            if let Some(m) = self.pending.pop_front() {
                return Ok(m);
            }
            match self.handshake.next_message() {
                Ok(Some(m)) => {
                    self.messages += 1;
                    if self.messages > MAX_MESSAGES {
                        return Err(End::Malformed(
                            "the server sent an endless stream of handshake messages".into(),
                        ));
                    }
                    self.log.push(tlskit_wire::handshake::frame(m.typ, &m.body));
                    return Ok(Msg::Handshake(m));
                }
                Ok(None) => {}
                Err(e) => return Err(End::Malformed(e.to_string())),
            }
            match Record::parse(&self.buf) {
                Err(e) => return Err(End::Malformed(e.to_string())),
                Ok(Some((rec, used))) => {
                    self.buf.drain(..used);
                    self.take_record(rec)?;
                    continue;
                }
                Ok(None) => {}
            }
            if self.bytes_read > MAX_BYTES {
                return Err(End::Malformed(format!(
                    "the server sent more than {} KiB",
                    MAX_BYTES / 1024
                )));
            }
            let n = match tokio::time::timeout_at(deadline, self.stream.read(&mut self.tmp)).await {
                Err(_) => return Err(End::Timeout),
                Ok(Err(e)) => {
                    return Err(End::Closed {
                        reset: matches!(
                            e.kind(),
                            std::io::ErrorKind::ConnectionReset
                                | std::io::ErrorKind::ConnectionAborted
                        ),
                    })
                }
                Ok(Ok(0)) => {
                    if self.buf.len() >= RECORD_HEADER_LEN {
                        return Err(End::Malformed(
                            "the server closed in the middle of a record".into(),
                        ));
                    }
                    return Err(End::Closed { reset: false });
                }
                Ok(Ok(n)) => n,
            };
            self.bytes_read += n;
            self.buf.extend_from_slice(&self.tmp[..n]);
        }
    }

    fn take_record(&mut self, rec: Record) -> Result<(), End> {
        let typ = rec.content_type.to_u8();
        // A plaintext alert may still arrive after keys change (some stacks send them in clear).
        let payload = match self.read.as_mut() {
            Some(p) => match p.open(typ, rec.version, &rec.payload) {
                Some(x) => x,
                None if rec.content_type == ContentType::Alert && rec.payload.len() == 2 => {
                    rec.payload.clone()
                }
                None => {
                    return Err(End::Malformed(format!(
                        "a protected {} record did not decrypt",
                        rec.content_type.name()
                    )))
                }
            },
            None => rec.payload,
        };
        match rec.content_type {
            ContentType::Handshake => self
                .handshake
                .push(&payload)
                .map_err(|e| End::Malformed(e.to_string()))?,
            ContentType::Alert => {
                let mut r = Reader::new(&payload);
                while !r.is_empty() {
                    match Alert::read(&mut r) {
                        Ok(a) => self.pending.push_back(Msg::Alert(a)),
                        Err(e) => return Err(End::Malformed(format!("bad alert: {e}"))),
                    }
                }
            }
            ContentType::ChangeCipherSpec => self.pending.push_back(Msg::ChangeCipherSpec),
            ContentType::ApplicationData => self.pending.push_back(Msg::ApplicationData(payload)),
            ContentType::Heartbeat => self.pending.push_back(Msg::Heartbeat(payload)),
            ContentType::Unknown(t) => self.pending.push_back(Msg::Other(t)),
        }
        Ok(())
    }

    /// Close politely (FIN).
    pub async fn close(mut self) {
        let _ = tokio::time::timeout(
            std::time::Duration::from_millis(500),
            self.stream.shutdown(),
        )
        .await;
    }
}

/// What a server sent up to ServerHelloDone, read on a [`Conn`].
#[derive(Debug, Clone, Default)]
pub struct Flight12 {
    pub server_hello: Option<tlskit_wire::handshake::ServerHello>,
    pub certificates: Vec<Vec<u8>>,
    pub server_key_exchange: Option<RawHandshake>,
    pub certificate_request: bool,
    /// A NewSessionTicket or ChangeCipherSpec came right after the ServerHello: an abbreviated
    /// (resumed) handshake.
    pub resumed: bool,
    pub new_session_ticket: Option<Vec<u8>>,
}

/// Read the server's first flight up to ServerHelloDone (or, for a resumed session, up to the
/// server's ChangeCipherSpec). Errors name what came instead.
pub async fn read_flight(conn: &mut Conn, deadline: Instant) -> Result<Flight12, String> {
    use tlskit_wire::handshake::{Certificate, HandshakeType, ServerHello};
    let mut f = Flight12::default();
    loop {
        let m = match conn.next(deadline).await {
            Ok(m) => m,
            Err(e) => return Err(e.describe()),
        };
        match m {
            Msg::Handshake(h) => match (h.typ, f.server_hello.is_some()) {
                (HandshakeType::ServerHello, false) => {
                    let sh =
                        ServerHello::parse(&h.body).map_err(|e| format!("bad ServerHello: {e}"))?;
                    if sh.selected_version() >= 0x0304 || sh.is_hello_retry_request() {
                        return Err("the server answered with TLSv1.3".into());
                    }
                    conn.version = sh.legacy_version;
                    f.server_hello = Some(sh);
                }
                (_, false) => return Err(format!("expected a ServerHello, got {}", h.typ.name())),
                (HandshakeType::Certificate, true) => {
                    if let Ok(c) = Certificate::parse_tls12(&h.body) {
                        f.certificates = c.certs().map(|c| c.to_vec()).collect();
                    }
                }
                (HandshakeType::ServerKeyExchange, true) => f.server_key_exchange = Some(h),
                (HandshakeType::CertificateRequest, true) => f.certificate_request = true,
                (HandshakeType::NewSessionTicket, true) => {
                    // lifetime(4) + ticket<0..2^16-1>
                    if h.body.len() >= 6 {
                        f.new_session_ticket = Some(h.body[6..].to_vec());
                    }
                    if f.certificates.is_empty() {
                        f.resumed = true;
                    }
                }
                (HandshakeType::ServerHelloDone, true) => return Ok(f),
                _ => {}
            },
            Msg::ChangeCipherSpec if f.server_hello.is_some() => {
                f.resumed = true;
                return Ok(f);
            }
            Msg::Alert(a) if a.is_fatal() => return Err(format!("{} alert", a.description.name())),
            Msg::Alert(_) => {}
            other => return Err(format!("unexpected {other:?} before ServerHelloDone")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Protection;
    use aws_lc_rs::{aead, cipher, hmac};

    #[test]
    fn records_round_trip_and_tampering_is_caught() {
        let make = || {
            [
                Protection::aead(&aead::AES_128_GCM, &[7; 16], &[1; 4]).unwrap(),
                Protection::aead(&aead::CHACHA20_POLY1305, &[7; 32], &[1; 12]).unwrap(),
                Protection::cbc(&cipher::AES_256, &[7; 32], hmac::HMAC_SHA256, &[9; 32]).unwrap(),
            ]
        };
        for (mut w, mut r) in make().into_iter().zip(make()) {
            for msg in [&b""[..], b"hello", &[0x55; 1000]] {
                let sealed = w.seal(22, 0x0303, msg);
                assert_eq!(r.open(22, 0x0303, &sealed).as_deref(), Some(msg));
            }
            let mut sealed = w.seal(23, 0x0303, b"data");
            let last = sealed.len() - 1;
            sealed[last] ^= 1;
            assert_eq!(r.open(23, 0x0303, &sealed), None);
        }
    }
}
