//! The [`Codec`] trait every wire type implements, the bounds-checked [`Reader`] it reads from,
//! the typed [`DecodeError`], and helpers to write integers and length-prefixed vectors.
//!
//! Reading never panics and never allocates more than the bytes actually present: every length
//! read from the wire is checked against what is available before anything is sliced or copied.

use std::fmt;

use crate::sniff::NotTlsKind;

/// Why some bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The input ended early: `need` bytes were required where only `have` remained.
    Truncated {
        /// Bytes the next item needed.
        need: usize,
        /// Bytes that were left.
        have: usize,
    },
    /// A structure was fully read but `count` bytes were left over inside it.
    TrailingBytes {
        /// What was being decoded.
        what: &'static str,
        /// How many bytes were left over.
        count: usize,
    },
    /// A field held a value that is not allowed there.
    InvalidValue(&'static str),
    /// A length exceeded what this decoder accepts.
    TooLarge {
        /// What was too large.
        what: &'static str,
        /// The length announced on the wire.
        len: usize,
        /// The largest length accepted.
        max: usize,
    },
    /// The peer is not speaking TLS at all (e.g. it sent an HTTP response or an SMTP banner).
    NotTls(NotTlsKind),
    /// The peer sent an SSLv2-format record (a 2- or 3-byte header with SSLv2 framing), not a TLS
    /// record. Parse it with [`crate::sslv2`].
    Sslv2Record,
    /// The message was of another type than the one expected.
    UnexpectedMessage {
        /// What the caller expected.
        expected: &'static str,
        /// The type code that was found.
        got: u8,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Truncated { need, have } => write!(
                f,
                "the message is truncated: {need} more byte(s) were needed but only {have} remained"
            ),
            DecodeError::TrailingBytes { what, count } => {
                write!(f, "{count} unexpected trailing byte(s) after the {what}")
            }
            DecodeError::InvalidValue(what) => write!(f, "invalid value: {what}"),
            DecodeError::TooLarge { what, len, max } => write!(
                f,
                "the {what} is too large: {len} bytes announced, at most {max} accepted"
            ),
            DecodeError::NotTls(kind) => {
                write!(f, "the peer is not speaking TLS: {}", kind.description())
            }
            DecodeError::Sslv2Record => {
                write!(
                    f,
                    "the peer answered with an SSLv2-format record, not a TLS record"
                )
            }
            DecodeError::UnexpectedMessage { expected, got } => {
                write!(
                    f,
                    "expected a {expected} message but got message type {got}"
                )
            }
        }
    }
}

impl std::error::Error for DecodeError {}

/// A value with a wire encoding.
///
/// `read` consumes exactly the value's bytes from the reader and leaves the rest; use
/// [`Codec::read_exact`] to decode a buffer that must hold exactly one value.
pub trait Codec: Sized {
    /// Append this value's wire encoding to `out`.
    fn encode(&self, out: &mut Vec<u8>);

    /// Read one value from `r`.
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError>;

    /// This value's wire encoding as a new vector.
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// Decode `bytes`, which must hold exactly one value and nothing after it.
    fn read_exact(bytes: &[u8], what: &'static str) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let v = Self::read(&mut r)?;
        r.expect_empty(what)?;
        Ok(v)
    }
}

/// A bounds-checked cursor over a byte slice.
///
/// Every method either returns the requested data and advances, or returns
/// [`DecodeError::Truncated`] and leaves the position unchanged.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader over all of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// Whether everything has been read.
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// Bytes read so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The unread bytes, without consuming them.
    pub fn peek_rest(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or(&[])
    }

    /// Consume and return all unread bytes.
    pub fn rest(&mut self) -> &'a [u8] {
        let rest = self.peek_rest();
        self.pos = self.buf.len();
        rest
    }

    /// Consume exactly `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let have = self.remaining();
        if n > have {
            return Err(DecodeError::Truncated { need: n, have });
        }
        let start = self.pos;
        let end = start + n;
        let out = self
            .buf
            .get(start..end)
            .ok_or(DecodeError::Truncated { need: n, have })?;
        self.pos = end;
        Ok(out)
    }

    /// Consume exactly `N` bytes into an array.
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let s = self.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(s);
        Ok(out)
    }

    /// Look at the next byte without consuming it.
    pub fn peek_u8(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    /// Read a byte.
    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.array::<1>()?[0])
    }

    /// Read a big-endian 16-bit integer.
    pub fn u16(&mut self) -> Result<u16, DecodeError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    /// Read a big-endian 24-bit integer.
    pub fn u24(&mut self) -> Result<u32, DecodeError> {
        let [a, b, c] = self.array()?;
        Ok(u32::from_be_bytes([0, a, b, c]))
    }

    /// Read a big-endian 32-bit integer.
    pub fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    /// Read a length of the given prefix width, then that many bytes. On error nothing is consumed.
    pub fn bytes_prefixed(&mut self, prefix: LengthPrefix) -> Result<&'a [u8], DecodeError> {
        let save = self.pos;
        let len = match prefix {
            LengthPrefix::U8 => self.u8()? as usize,
            LengthPrefix::U16 => self.u16()? as usize,
            LengthPrefix::U24 => self.u24()? as usize,
        };
        match self.take(len) {
            Ok(s) => Ok(s),
            Err(e) => {
                self.pos = save;
                Err(e)
            }
        }
    }

    /// Read a `u8`-length-prefixed byte string (`opaque x<0..2^8-1>`).
    pub fn bytes_u8(&mut self) -> Result<&'a [u8], DecodeError> {
        self.bytes_prefixed(LengthPrefix::U8)
    }

    /// Read a `u16`-length-prefixed byte string (`opaque x<0..2^16-1>`).
    pub fn bytes_u16(&mut self) -> Result<&'a [u8], DecodeError> {
        self.bytes_prefixed(LengthPrefix::U16)
    }

    /// Read a `u24`-length-prefixed byte string (`opaque x<0..2^24-1>`).
    pub fn bytes_u24(&mut self) -> Result<&'a [u8], DecodeError> {
        self.bytes_prefixed(LengthPrefix::U24)
    }

    /// A sub-reader over a `u8`-length-prefixed vector.
    pub fn sub_u8(&mut self) -> Result<Reader<'a>, DecodeError> {
        self.bytes_u8().map(Reader::new)
    }

    /// A sub-reader over a `u16`-length-prefixed vector.
    pub fn sub_u16(&mut self) -> Result<Reader<'a>, DecodeError> {
        self.bytes_u16().map(Reader::new)
    }

    /// A sub-reader over a `u24`-length-prefixed vector.
    pub fn sub_u24(&mut self) -> Result<Reader<'a>, DecodeError> {
        self.bytes_u24().map(Reader::new)
    }

    /// Fail with [`DecodeError::TrailingBytes`] unless everything has been read.
    pub fn expect_empty(&self, what: &'static str) -> Result<(), DecodeError> {
        match self.remaining() {
            0 => Ok(()),
            count => Err(DecodeError::TrailingBytes { what, count }),
        }
    }

    /// Read values until this reader is exhausted. Each value must consume at least one byte,
    /// so the resulting vector is never longer than the input.
    pub fn read_all<T: Codec>(&mut self) -> Result<Vec<T>, DecodeError> {
        let mut out = Vec::new();
        while !self.is_empty() {
            let before = self.pos;
            out.push(T::read(self)?);
            if self.pos == before {
                return Err(DecodeError::InvalidValue("a list element of zero length"));
            }
        }
        Ok(out)
    }

    /// Read a `u8`-length-prefixed list of `u8` values.
    pub fn list_u8_of_u8(&mut self) -> Result<Vec<u8>, DecodeError> {
        Ok(self.bytes_u8()?.to_vec())
    }

    /// Read a `u16`-length-prefixed list of `u16` values (odd lengths are an error).
    pub fn list_u16_of_u16(&mut self) -> Result<Vec<u16>, DecodeError> {
        let b = self.bytes_u16()?;
        u16_list(b)
    }

    /// Read a `u8`-length-prefixed list of `u16` values (odd lengths are an error).
    pub fn list_u8_of_u16(&mut self) -> Result<Vec<u16>, DecodeError> {
        let b = self.bytes_u8()?;
        u16_list(b)
    }
}

/// Split a byte string into big-endian `u16`s; odd lengths are an error.
pub fn u16_list(b: &[u8]) -> Result<Vec<u16>, DecodeError> {
    if b.len() % 2 != 0 {
        return Err(DecodeError::InvalidValue(
            "a list of 16-bit values with an odd byte length",
        ));
    }
    Ok(b.chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect())
}

/// The width of a length prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LengthPrefix {
    /// One byte (max 255).
    U8,
    /// Two bytes (max 65 535).
    U16,
    /// Three bytes (max 16 777 215).
    U24,
}

impl LengthPrefix {
    /// The largest length this prefix can express.
    pub fn max(self) -> usize {
        match self {
            LengthPrefix::U8 => 0xff,
            LengthPrefix::U16 => 0xffff,
            LengthPrefix::U24 => 0xff_ffff,
        }
    }

    fn width(self) -> usize {
        match self {
            LengthPrefix::U8 => 1,
            LengthPrefix::U16 => 2,
            LengthPrefix::U24 => 3,
        }
    }
}

/// Append a byte.
pub fn put_u8(out: &mut Vec<u8>, v: u8) {
    out.push(v);
}

/// Append a big-endian 16-bit integer.
pub fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// Append the low 24 bits of `v`, big-endian.
pub fn put_u24(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_be_bytes()[1..]);
}

/// Append a big-endian 32-bit integer.
pub fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// Append a length prefix, then whatever `body` writes, then patch the prefix with the body's
/// length.
///
/// Encoding is driven by the caller, not the peer: a body longer than the prefix can express is a
/// caller bug. It does not panic; the prefix saturates at its maximum (so the output is
/// malformed, which a scanner may even want on purpose).
pub fn put_prefixed(out: &mut Vec<u8>, prefix: LengthPrefix, body: impl FnOnce(&mut Vec<u8>)) {
    let at = out.len();
    out.extend(std::iter::repeat_n(0u8, prefix.width()));
    body(out);
    let len = (out.len() - at - prefix.width()).min(prefix.max());
    let be = (len as u32).to_be_bytes();
    let w = prefix.width();
    out[at..at + w].copy_from_slice(&be[4 - w..]);
}

/// Append `bytes` with a `u8` length prefix.
pub fn put_bytes_u8(out: &mut Vec<u8>, bytes: &[u8]) {
    put_prefixed(out, LengthPrefix::U8, |o| o.extend_from_slice(bytes));
}

/// Append `bytes` with a `u16` length prefix.
pub fn put_bytes_u16(out: &mut Vec<u8>, bytes: &[u8]) {
    put_prefixed(out, LengthPrefix::U16, |o| o.extend_from_slice(bytes));
}

/// Append `bytes` with a `u24` length prefix.
pub fn put_bytes_u24(out: &mut Vec<u8>, bytes: &[u8]) {
    put_prefixed(out, LengthPrefix::U24, |o| o.extend_from_slice(bytes));
}

/// Append a `u16`-length-prefixed list of `u16` values.
pub fn put_list_u16_of_u16(out: &mut Vec<u8>, items: &[u16]) {
    put_prefixed(out, LengthPrefix::U16, |o| {
        items.iter().for_each(|&v| put_u16(o, v))
    });
}

/// Append a `u8`-length-prefixed list of `u16` values.
pub fn put_list_u8_of_u16(out: &mut Vec<u8>, items: &[u16]) {
    put_prefixed(out, LengthPrefix::U8, |o| {
        items.iter().for_each(|&v| put_u16(o, v))
    });
}

/// Append a length-prefixed list of encodable items.
pub fn put_list<T: Codec>(out: &mut Vec<u8>, prefix: LengthPrefix, items: &[T]) {
    put_prefixed(out, prefix, |o| items.iter().for_each(|i| i.encode(o)));
}

/// Read a length-prefixed list of decodable items; the list must exactly fill its length.
pub fn read_list<T: Codec>(
    r: &mut Reader<'_>,
    prefix: LengthPrefix,
) -> Result<Vec<T>, DecodeError> {
    let mut sub = Reader::new(r.bytes_prefixed(prefix)?);
    sub.read_all()
}

impl Codec for u8 {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u8(out, *self);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.u8()
    }
}

impl Codec for u16 {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u16(out, *self);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.u16()
    }
}

/// Lower-case hex of `bytes` (for Display impls and tests).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 0xf) as usize] as char);
    }
    s
}

/// Decode hex (whitespace ignored). For tests and seed data; `None` on odd length or non-hex.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if digits.len() % 2 != 0 {
        return None;
    }
    let val = |c: u8| -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    };
    digits
        .chunks_exact(2)
        .map(|p| Some(val(p[0])? << 4 | val(p[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_integers() {
        let mut r = Reader::new(&[1, 0x02, 0x03, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(r.u8().unwrap(), 1);
        assert_eq!(r.u16().unwrap(), 0x0203);
        assert_eq!(r.u24().unwrap(), 0x040506);
        assert_eq!(r.u32().unwrap(), 0x0708090a);
        assert!(r.is_empty());
        assert_eq!(r.u8(), Err(DecodeError::Truncated { need: 1, have: 0 }));
    }

    #[test]
    fn truncation_leaves_position() {
        let mut r = Reader::new(&[0, 5, 1, 2]);
        assert_eq!(
            r.bytes_u16(),
            Err(DecodeError::Truncated { need: 5, have: 2 })
        );
        assert_eq!(r.position(), 0);
        assert_eq!(r.u16().unwrap(), 5);
    }

    #[test]
    fn huge_length_is_not_allocated() {
        let mut r = Reader::new(&[0xff, 0xff, 0xff, 1]);
        assert!(matches!(
            r.bytes_u24(),
            Err(DecodeError::Truncated {
                need: 0xffffff,
                have: 1
            })
        ));
    }

    #[test]
    fn prefixed_round_trip() {
        let mut out = Vec::new();
        put_bytes_u8(&mut out, b"ab");
        put_bytes_u16(&mut out, b"cde");
        put_bytes_u24(&mut out, b"");
        put_list_u16_of_u16(&mut out, &[1, 0xabcd]);
        assert_eq!(
            out,
            [2, b'a', b'b', 0, 3, b'c', b'd', b'e', 0, 0, 0, 0, 4, 0, 1, 0xab, 0xcd]
        );
        let mut r = Reader::new(&out);
        assert_eq!(r.bytes_u8().unwrap(), b"ab");
        assert_eq!(r.bytes_u16().unwrap(), b"cde");
        assert_eq!(r.bytes_u24().unwrap(), b"");
        assert_eq!(r.list_u16_of_u16().unwrap(), vec![1, 0xabcd]);
        r.expect_empty("test").unwrap();
    }

    #[test]
    fn odd_u16_list_is_invalid() {
        let mut r = Reader::new(&[0, 3, 0, 1, 2]);
        assert!(matches!(
            r.list_u16_of_u16(),
            Err(DecodeError::InvalidValue(_))
        ));
    }

    #[test]
    fn oversized_body_saturates() {
        let mut out = Vec::new();
        put_bytes_u8(&mut out, &[0u8; 300]);
        assert_eq!(out[0], 0xff);
        assert_eq!(out.len(), 301);
    }

    #[test]
    fn hex_helpers() {
        assert_eq!(hex(&[0, 0xab, 0x10]), "00ab10");
        assert_eq!(unhex("00 ab\n10"), Some(vec![0, 0xab, 0x10]));
        assert_eq!(unhex("0"), None);
        assert_eq!(unhex("zz"), None);
    }

    #[test]
    fn errors_read_as_sentences() {
        let e = DecodeError::TooLarge {
            what: "record",
            len: 70000,
            max: 18432,
        };
        assert_eq!(
            e.to_string(),
            "the record is too large: 70000 bytes announced, at most 18432 accepted"
        );
        let e = DecodeError::Truncated { need: 4, have: 1 };
        assert!(e.to_string().contains("truncated"));
    }
}
