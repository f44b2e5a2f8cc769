//! The TLS record layer: record framing, an incremental [`Deframer`], a [`HandshakeReassembler`]
//! for handshake messages fragmented over records or coalesced into one, a [`MessageReader`]
//! combining both, and [`sniff`] to recognise peers that are not speaking TLS (HTTP, SMTP,
//! SSH, …) or that answer in the SSLv2 record format.

use std::collections::VecDeque;

use crate::alert::Alert;
use crate::codec::{put_u16, put_u8, Codec, DecodeError, Reader};
use crate::framing::{HandshakeType, RawHandshake};

/// The largest plaintext fragment a record may carry (2^14).
pub const MAX_FRAGMENT_LEN: usize = 1 << 14;

/// The largest record payload accepted from a peer: 2^14 + 2048 (the TLS 1.2 ciphertext limit,
/// which also covers TLS 1.3's 2^14 + 256).
pub const MAX_RECORD_PAYLOAD: usize = MAX_FRAGMENT_LEN + 2048;

/// Size of a TLS record header.
pub const RECORD_HEADER_LEN: usize = 5;

/// Default limit for one reassembled handshake message (256 KiB; certificate chains can be big).
pub const DEFAULT_MAX_HANDSHAKE_MESSAGE: usize = 256 * 1024;

/// A record's content type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContentType {
    /// change_cipher_spec (20).
    ChangeCipherSpec,
    /// alert (21).
    Alert,
    /// handshake (22).
    Handshake,
    /// application_data (23).
    ApplicationData,
    /// heartbeat (24, RFC 6520).
    Heartbeat,
    /// Any other value.
    Unknown(u8),
}

impl ContentType {
    /// The wire value.
    pub fn to_u8(self) -> u8 {
        match self {
            ContentType::ChangeCipherSpec => 20,
            ContentType::Alert => 21,
            ContentType::Handshake => 22,
            ContentType::ApplicationData => 23,
            ContentType::Heartbeat => 24,
            ContentType::Unknown(v) => v,
        }
    }

    /// The RFC name (`handshake`, `alert`, …).
    pub fn name(self) -> &'static str {
        match self {
            ContentType::ChangeCipherSpec => "change_cipher_spec",
            ContentType::Alert => "alert",
            ContentType::Handshake => "handshake",
            ContentType::ApplicationData => "application_data",
            ContentType::Heartbeat => "heartbeat",
            ContentType::Unknown(_) => "unknown",
        }
    }
}

impl From<u8> for ContentType {
    fn from(v: u8) -> Self {
        match v {
            20 => ContentType::ChangeCipherSpec,
            21 => ContentType::Alert,
            22 => ContentType::Handshake,
            23 => ContentType::ApplicationData,
            24 => ContentType::Heartbeat,
            v => ContentType::Unknown(v),
        }
    }
}

impl From<ContentType> for u8 {
    fn from(c: ContentType) -> u8 {
        c.to_u8()
    }
}

pub use crate::sniff::{sniff, NotTlsKind, Sniff};

/// A TLS record header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordHeader {
    /// The content type.
    pub content_type: ContentType,
    /// The record-layer version (e.g. 0x0301).
    pub version: u16,
    /// The payload length.
    pub length: u16,
}

impl RecordHeader {
    /// Parse and validate a header from the start of `buf`: `Ok(None)` if fewer than 5 bytes are
    /// present (and nothing so far rules TLS out), an error if the bytes are not a TLS record
    /// header or the length exceeds [`MAX_RECORD_PAYLOAD`].
    pub fn parse(buf: &[u8]) -> Result<Option<RecordHeader>, DecodeError> {
        match sniff(buf) {
            Sniff::NeedMore => return Ok(None),
            Sniff::Tls => {}
            Sniff::Sslv2 => return Err(DecodeError::Sslv2Record),
            Sniff::NotTls(kind) => return Err(DecodeError::NotTls(kind)),
        }
        let Some(h) = buf.get(..RECORD_HEADER_LEN) else {
            return Ok(None);
        };
        let length = u16::from_be_bytes([h[3], h[4]]);
        if length as usize > MAX_RECORD_PAYLOAD {
            return Err(DecodeError::TooLarge {
                what: "record",
                len: length as usize,
                max: MAX_RECORD_PAYLOAD,
            });
        }
        Ok(Some(RecordHeader {
            content_type: ContentType::from(h[0]),
            version: u16::from_be_bytes([h[1], h[2]]),
            length,
        }))
    }

    /// Append the 5-byte header.
    pub fn encode(&self, out: &mut Vec<u8>) {
        put_u8(out, self.content_type.to_u8());
        put_u16(out, self.version);
        put_u16(out, self.length);
    }
}

/// A TLS record (plaintext or opaque ciphertext).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The content type.
    pub content_type: ContentType,
    /// The record-layer version.
    pub version: u16,
    /// The payload (at most [`MAX_RECORD_PAYLOAD`] bytes when parsed).
    pub payload: Vec<u8>,
}

impl Record {
    /// A record with the given fields.
    pub fn new(content_type: ContentType, version: u16, payload: Vec<u8>) -> Self {
        Record {
            content_type,
            version,
            payload,
        }
    }

    /// Incrementally parse one record from the start of `buf`.
    ///
    /// * `Ok(None)`: the record is incomplete; read more bytes and call again.
    /// * `Ok(Some((record, consumed)))`: a complete record occupying `consumed` bytes.
    /// * `Err(_)`: not a TLS record (see [`sniff`]), or an oversized length — reported as soon
    ///   as the header is seen, without waiting for the payload.
    pub fn parse(buf: &[u8]) -> Result<Option<(Record, usize)>, DecodeError> {
        let Some(h) = RecordHeader::parse(buf)? else {
            return Ok(None);
        };
        let total = RECORD_HEADER_LEN + h.length as usize;
        let Some(payload) = buf.get(RECORD_HEADER_LEN..total) else {
            return Ok(None);
        };
        Ok(Some((
            Record::new(h.content_type, h.version, payload.to_vec()),
            total,
        )))
    }

    /// Wrap `payload` in as many records as needed, each with at most 2^14 bytes of payload.
    /// An empty payload yields one empty record.
    pub fn fragment(content_type: ContentType, version: u16, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(payload.len() + RECORD_HEADER_LEN);
        if payload.is_empty() {
            Record::new(content_type, version, Vec::new()).encode(&mut out);
        }
        for chunk in payload.chunks(MAX_FRAGMENT_LEN) {
            RecordHeader {
                content_type,
                version,
                length: chunk.len() as u16,
            }
            .encode(&mut out);
            out.extend_from_slice(chunk);
        }
        out
    }
}

impl Codec for Record {
    /// Encodes the header and payload. A payload over 65 535 bytes is a caller bug; its length
    /// field saturates (use [`Record::fragment`] for large payloads).
    fn encode(&self, out: &mut Vec<u8>) {
        let length = self.payload.len().min(u16::MAX as usize) as u16;
        RecordHeader {
            content_type: self.content_type,
            version: self.version,
            length,
        }
        .encode(out);
        out.extend_from_slice(&self.payload);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let buf = r.peek_rest();
        match Record::parse(buf)? {
            Some((rec, n)) => {
                r.take(n)?;
                Ok(rec)
            }
            None => {
                let need = match RecordHeader::parse(buf)? {
                    Some(h) => RECORD_HEADER_LEN + h.length as usize,
                    None => RECORD_HEADER_LEN,
                };
                Err(DecodeError::Truncated {
                    need,
                    have: buf.len(),
                })
            }
        }
    }
}

/// A byte queue that consumes from the front in O(1): consumed bytes are only dropped (in one
/// move) on the next append, so pulling many small records or messages out of one large push
/// stays linear.
#[derive(Debug, Default, Clone)]
struct ByteQueue {
    data: Vec<u8>,
    start: usize,
}

impl ByteQueue {
    fn push(&mut self, bytes: &[u8]) {
        if self.start > 0 {
            self.data.drain(..self.start);
            self.start = 0;
        }
        self.data.extend_from_slice(bytes);
    }

    fn pending(&self) -> &[u8] {
        self.data.get(self.start..).unwrap_or(&[])
    }

    fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.data.len());
    }

    fn len(&self) -> usize {
        self.data.len() - self.start
    }
}

/// Splits a byte stream into TLS records. Feed it with [`Deframer::push`], drain it with
/// [`Deframer::next_record`].
///
/// Memory is bounded: at most one record (header + [`MAX_RECORD_PAYLOAD`]) plus whatever the
/// caller pushed in one go is ever buffered, and a bad header is reported as soon as it is seen.
/// After an error the deframer stays failed and repeats it.
#[derive(Debug, Default)]
pub struct Deframer {
    buf: ByteQueue,
    failed: Option<DecodeError>,
}

impl Deframer {
    /// An empty deframer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Append bytes received from the peer.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.failed.is_none() {
            self.buf.push(bytes);
        }
    }

    /// The next complete record: `Ok(None)` if more bytes are needed.
    pub fn next_record(&mut self) -> Result<Option<Record>, DecodeError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        match Record::parse(self.buf.pending()) {
            Ok(Some((rec, n))) => {
                self.buf.consume(n);
                Ok(Some(rec))
            }
            Ok(None) => Ok(None),
            Err(e) => {
                self.failed = Some(e.clone());
                Err(e)
            }
        }
    }

    /// Bytes buffered but not yet returned as records (e.g. to hand to the SSLv2 parser after
    /// [`DecodeError::Sslv2Record`], or to quote a banner after [`DecodeError::NotTls`]).
    pub fn buffered(&self) -> &[u8] {
        self.buf.pending()
    }

    /// Classify what has been buffered so far (see [`sniff`]).
    pub fn sniff(&self) -> Sniff {
        sniff(self.buf.pending())
    }

    /// Whether no partial record is buffered.
    pub fn is_empty(&self) -> bool {
        self.buf.len() == 0
    }
}

/// Reassembles handshake messages from the payloads of handshake records: one message may span
/// several records, and one record may carry several messages.
///
/// A message header announcing more than the configured maximum is rejected as soon as its
/// 4-byte header has arrived. After an error the reassembler stays failed.
#[derive(Debug)]
pub struct HandshakeReassembler {
    buf: ByteQueue,
    max_message: usize,
    failed: Option<DecodeError>,
}

impl Default for HandshakeReassembler {
    fn default() -> Self {
        Self::new()
    }
}

impl HandshakeReassembler {
    /// A reassembler accepting messages up to [`DEFAULT_MAX_HANDSHAKE_MESSAGE`] bytes of body.
    pub fn new() -> Self {
        Self::with_max_message_size(DEFAULT_MAX_HANDSHAKE_MESSAGE)
    }

    /// A reassembler accepting message bodies up to `max` bytes.
    pub fn with_max_message_size(max: usize) -> Self {
        HandshakeReassembler {
            buf: ByteQueue::default(),
            max_message: max,
            failed: None,
        }
    }

    /// The configured maximum message body size.
    pub fn max_message_size(&self) -> usize {
        self.max_message
    }

    /// Add the payload of one handshake record. Fails immediately if a message header announces
    /// a body larger than the maximum.
    pub fn push(&mut self, payload: &[u8]) -> Result<(), DecodeError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        self.buf.push(payload);
        self.check_header()
    }

    fn check_header(&mut self) -> Result<(), DecodeError> {
        if let Some(&[_, a, b, c]) = self.buf.pending().get(..4) {
            let len = u32::from_be_bytes([0, a, b, c]) as usize;
            if len > self.max_message {
                let e = DecodeError::TooLarge {
                    what: "handshake message",
                    len,
                    max: self.max_message,
                };
                self.failed = Some(e.clone());
                return Err(e);
            }
        }
        Ok(())
    }

    /// The next complete handshake message, or `Ok(None)` if more records are needed.
    pub fn next_message(&mut self) -> Result<Option<RawHandshake>, DecodeError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        self.check_header()?;
        let Some(&[t, a, b, c]) = self.buf.pending().get(..4) else {
            return Ok(None);
        };
        let len = u32::from_be_bytes([0, a, b, c]) as usize;
        let Some(body) = self.buf.pending().get(4..4 + len) else {
            return Ok(None);
        };
        let msg = RawHandshake {
            typ: HandshakeType::from(t),
            body: body.to_vec(),
        };
        self.buf.consume(4 + len);
        // The next message's header may already be here: validate it now.
        self.check_header()?;
        Ok(Some(msg))
    }

    /// Whether no partial message is buffered (a record boundary is also a message boundary).
    pub fn is_empty(&self) -> bool {
        self.buf.len() == 0
    }

    /// Bytes of partial messages buffered.
    pub fn buffered_len(&self) -> usize {
        self.buf.len()
    }
}

/// One item read from a peer's byte stream by [`MessageReader`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A complete handshake message, with the version of the record that completed it.
    Handshake {
        /// Record-layer version of the record the message ended in.
        record_version: u16,
        /// The message.
        message: RawHandshake,
    },
    /// An alert (one event per 2-byte alert in the record).
    Alert(Alert),
    /// A change_cipher_spec record's payload (normally `[1]`).
    ChangeCipherSpec(Vec<u8>),
    /// An application_data record (in TLS 1.3, everything encrypted after the ServerHello).
    ApplicationData(Vec<u8>),
    /// A heartbeat record.
    Heartbeat(Vec<u8>),
    /// A record of an unknown content type.
    Other(Record),
}

/// A [`Deframer`] and a [`HandshakeReassembler`] together: push raw bytes from the peer, pull
/// handshake messages, alerts and other records in order.
#[derive(Debug, Default)]
pub struct MessageReader {
    deframer: Deframer,
    handshake: HandshakeReassembler,
    pending: VecDeque<Message>,
    last_handshake_version: u16,
}

impl MessageReader {
    /// A reader with the default handshake message limit.
    pub fn new() -> Self {
        Self::default()
    }

    /// A reader accepting handshake message bodies up to `max` bytes.
    pub fn with_max_message_size(max: usize) -> Self {
        MessageReader {
            handshake: HandshakeReassembler::with_max_message_size(max),
            ..Self::default()
        }
    }

    /// Append bytes received from the peer.
    pub fn push(&mut self, bytes: &[u8]) {
        self.deframer.push(bytes);
    }

    /// The next message, `Ok(None)` if more bytes are needed.
    pub fn next_message(&mut self) -> Result<Option<Message>, DecodeError> {
        loop {
            if let Some(m) = self.pending.pop_front() {
                return Ok(Some(m));
            }
            if let Some(m) = self.handshake.next_message()? {
                return Ok(Some(Message::Handshake {
                    record_version: self.last_handshake_version,
                    message: m,
                }));
            }
            let Some(rec) = self.deframer.next_record()? else {
                return Ok(None);
            };
            match rec.content_type {
                ContentType::Handshake => {
                    self.last_handshake_version = rec.version;
                    self.handshake.push(&rec.payload)?;
                }
                ContentType::Alert => {
                    let mut r = Reader::new(&rec.payload);
                    while !r.is_empty() {
                        self.pending.push_back(Message::Alert(Alert::read(&mut r)?));
                    }
                }
                ContentType::ChangeCipherSpec => self
                    .pending
                    .push_back(Message::ChangeCipherSpec(rec.payload)),
                ContentType::ApplicationData => self
                    .pending
                    .push_back(Message::ApplicationData(rec.payload)),
                ContentType::Heartbeat => self.pending.push_back(Message::Heartbeat(rec.payload)),
                ContentType::Unknown(_) => self.pending.push_back(Message::Other(rec)),
            }
        }
    }

    /// The underlying deframer (e.g. to inspect [`Deframer::buffered`] after an error).
    pub fn deframer(&self) -> &Deframer {
        &self.deframer
    }

    /// Whether no partial record or handshake message is buffered.
    pub fn is_idle(&self) -> bool {
        self.deframer.is_empty() && self.handshake.is_empty() && self.pending.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::{AlertDescription, AlertLevel};

    #[test]
    fn parses_complete_and_partial_records() {
        let bytes = [22, 3, 1, 0, 3, 14, 0, 0, 0xff];
        let (rec, n) = Record::parse(&bytes).unwrap().unwrap();
        assert_eq!(n, 8);
        assert_eq!(rec.content_type, ContentType::Handshake);
        assert_eq!(rec.version, 0x0301);
        assert_eq!(rec.payload, [14, 0, 0]);
        for cut in 0..8 {
            assert_eq!(Record::parse(&bytes[..cut]).unwrap(), None, "cut at {cut}");
        }
    }

    #[test]
    fn rejects_huge_length_from_header_alone() {
        let bytes = [23, 3, 3, 0xff, 0xff];
        assert!(matches!(
            Record::parse(&bytes),
            Err(DecodeError::TooLarge {
                what: "record",
                len: 0xffff,
                ..
            })
        ));
        // Exactly the limit is fine.
        let l = MAX_RECORD_PAYLOAD as u16;
        let bytes = [23, 3, 3, (l >> 8) as u8, l as u8];
        assert_eq!(Record::parse(&bytes).unwrap(), None);
    }

    #[test]
    fn recognises_non_tls_peers() {
        assert_eq!(
            Record::parse(b"HTTP/1.1 400 Bad Request\r\n"),
            Err(DecodeError::NotTls(NotTlsKind::Http))
        );
        assert_eq!(
            sniff(b"220 mail.example.com ESMTP\r\n"),
            Sniff::NotTls(NotTlsKind::SmtpOrFtp)
        );
        assert_eq!(
            sniff(b"SSH-2.0-OpenSSH_9.6\r\n"),
            Sniff::NotTls(NotTlsKind::Ssh)
        );
        assert_eq!(
            sniff(b"+OK POP3 ready\r\n"),
            Sniff::NotTls(NotTlsKind::Pop3)
        );
        assert_eq!(
            sniff(b"* OK IMAP4rev1\r\n"),
            Sniff::NotTls(NotTlsKind::Imap)
        );
        assert_eq!(sniff(b"hello\n"), Sniff::NotTls(NotTlsKind::Text));
        assert_eq!(sniff(&[1, 2, 3]), Sniff::NotTls(NotTlsKind::Unknown));
        assert_eq!(sniff(&[22]), Sniff::NeedMore);
        assert_eq!(sniff(&[]), Sniff::NeedMore);
        assert_eq!(sniff(&[22, 3]), Sniff::Tls);
        // SSLv2 SERVER-HELLO: 2-byte header with the high bit set.
        assert_eq!(sniff(&[0x80, 0x2e, 4, 0, 1]), Sniff::Sslv2);
        assert_eq!(
            Record::parse(&[0x80, 0x2e, 4]),
            Err(DecodeError::Sslv2Record)
        );
    }

    #[test]
    fn deframer_stays_failed() {
        let mut d = Deframer::new();
        d.push(b"HTTP/1.0 200 OK\r\n");
        assert!(d.next_record().is_err());
        d.push(&[22, 3, 1, 0, 0]);
        assert!(d.next_record().is_err());
        assert_eq!(d.buffered(), b"HTTP/1.0 200 OK\r\n");
    }

    #[test]
    fn reassembles_fragmented_and_coalesced_messages() {
        // Two messages (ServerHelloDone twice and a 5-byte body) in one buffer, split oddly.
        let stream = [14, 0, 0, 0, 11, 0, 0, 5, 1, 2, 3, 4, 5, 14, 0, 0, 0];
        let mut h = HandshakeReassembler::new();
        let mut got = Vec::new();
        for chunk in stream.chunks(3) {
            h.push(chunk).unwrap();
            while let Some(m) = h.next_message().unwrap() {
                got.push(m);
            }
        }
        assert!(h.is_empty());
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].typ, HandshakeType::ServerHelloDone);
        assert_eq!(got[1].typ, HandshakeType::Certificate);
        assert_eq!(got[1].body, [1, 2, 3, 4, 5]);
        assert_eq!(got[2].typ, HandshakeType::ServerHelloDone);
    }

    #[test]
    fn oversized_handshake_message_rejected_early() {
        let mut h = HandshakeReassembler::with_max_message_size(1000);
        assert!(matches!(
            h.push(&[11, 0xff, 0xff, 0xff]),
            Err(DecodeError::TooLarge {
                what: "handshake message",
                len: 0xffffff,
                max: 1000
            })
        ));
        assert!(h.push(&[]).is_err());
        let mut h = HandshakeReassembler::with_max_message_size(1000);
        h.push(&[11, 0, 3]).unwrap();
        assert!(h.push(&[0xe9]).is_err()); // 1001
    }

    #[test]
    fn message_reader_yields_in_order() {
        let mut bytes = Vec::new();
        // Handshake message split over two records.
        bytes.extend_from_slice(&[22, 3, 3, 0, 2, 14, 0]);
        bytes.extend_from_slice(&[22, 3, 3, 0, 2, 0, 0]);
        bytes.extend_from_slice(&[20, 3, 3, 0, 1, 1]);
        bytes.extend_from_slice(&[21, 3, 3, 0, 2, 2, 40]);
        let mut mr = MessageReader::new();
        for b in &bytes {
            mr.push(&[*b]);
        }
        let m = mr.next_message().unwrap().unwrap();
        assert!(
            matches!(m, Message::Handshake { record_version: 0x0303, ref message } if message.typ == HandshakeType::ServerHelloDone)
        );
        assert_eq!(
            mr.next_message().unwrap(),
            Some(Message::ChangeCipherSpec(vec![1]))
        );
        assert_eq!(
            mr.next_message().unwrap(),
            Some(Message::Alert(Alert {
                level: AlertLevel::Fatal,
                description: AlertDescription::HandshakeFailure
            }))
        );
        assert_eq!(mr.next_message().unwrap(), None);
        assert!(mr.is_idle());
    }

    #[test]
    fn many_small_records_in_one_push_stay_linear() {
        // 200 000 empty records and 1-byte handshake fragments in one 1.2 MB push: with a
        // front-draining buffer this would move ~10^11 bytes; it must finish instantly.
        let mut wire = Vec::new();
        for _ in 0..100_000 {
            wire.extend_from_slice(&[23, 3, 3, 0, 0]);
        }
        let msg = [14u8, 0, 0, 0];
        for _ in 0..25_000 {
            for b in msg {
                wire.extend_from_slice(&[22, 3, 3, 0, 1, b]);
            }
        }
        let mut mr = MessageReader::new();
        mr.push(&wire);
        let (mut app, mut done) = (0, 0);
        while let Some(m) = mr.next_message().unwrap() {
            match m {
                Message::ApplicationData(_) => app += 1,
                Message::Handshake { .. } => done += 1,
                other => panic!("{other:?}"),
            }
        }
        assert_eq!((app, done), (100_000, 25_000));
        assert!(mr.is_idle());
    }

    #[test]
    fn fragments_large_payloads() {
        let payload = vec![7u8; MAX_FRAGMENT_LEN * 2 + 10];
        let wire = Record::fragment(ContentType::Handshake, 0x0301, &payload);
        let mut d = Deframer::new();
        d.push(&wire);
        let mut lens = Vec::new();
        while let Some(r) = d.next_record().unwrap() {
            lens.push(r.payload.len());
        }
        assert_eq!(lens, [MAX_FRAGMENT_LEN, MAX_FRAGMENT_LEN, 10]);
        assert_eq!(
            Record::fragment(ContentType::Alert, 0x0303, &[]),
            [21, 3, 3, 0, 0]
        );
    }
}
