//! A minimal DER reader and writer: enough to walk names, algorithm identifiers, certificates
//! and OCSP messages, and to build the few structures tlskit encodes itself.
//!
//! x509-parser parses certificates for display; this exists because the chain checks and the
//! OpenSSL name hash need the exact encoded bytes of parts of a structure (the tbsCertificate as
//! signed, a Name's content as trust anchors store it), and the lab's OCSP responder writes DER.
//! It accepts only low tag numbers and definite lengths, as DER requires.

use crate::error::{Error, Result};

/// One TLV: the identifier octet, the content, and the whole encoding.
#[derive(Debug, Clone, Copy)]
pub struct Tlv<'a> {
    pub tag: u8,
    pub content: &'a [u8],
    pub raw: &'a [u8],
}

pub const SEQUENCE: u8 = 0x30;
pub const SET: u8 = 0x31;

/// Read one TLV from the front of `input`; returns it and the rest.
/// Only low tag numbers (< 31) and definite lengths are accepted, as DER requires.
pub fn read(input: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let tag = *input.first()?;
    if tag & 0x1f == 0x1f {
        return None;
    }
    let first = *input.get(1)? as usize;
    let (len, header) = if first < 0x80 {
        (first, 2)
    } else {
        let n = first & 0x7f;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | *input.get(2 + i)? as usize;
        }
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    if end > input.len() {
        return None;
    }
    Some((
        Tlv {
            tag,
            content: &input[header..end],
            raw: &input[..end],
        },
        &input[end..],
    ))
}

/// Read a TLV and insist on its tag.
pub fn expect(input: &[u8], tag: u8) -> Option<(Tlv<'_>, &[u8])> {
    let (tlv, rest) = read(input)?;
    (tlv.tag == tag).then_some((tlv, rest))
}

/// All TLVs in `input`, which must be consumed exactly.
pub fn all(mut input: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        let (tlv, rest) = read(input)?;
        out.push(tlv);
        input = rest;
    }
    Some(out)
}

/// Encode a DER length.
pub fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// Encode a TLV.
pub fn push_tlv(out: &mut Vec<u8>, tag: u8, content: &[u8]) {
    out.push(tag);
    push_len(out, content.len());
    out.extend_from_slice(content);
}

// Universal string tags that OpenSSL canonicalises (ASN1_MASK_CANON).
pub(crate) const UTF8_STRING: u8 = 0x0c;
pub(crate) const PRINTABLE_STRING: u8 = 0x13;
pub(crate) const T61_STRING: u8 = 0x14;
pub(crate) const IA5_STRING: u8 = 0x16;
pub(crate) const VISIBLE_STRING: u8 = 0x1a;
pub(crate) const UNIVERSAL_STRING: u8 = 0x1c;
pub(crate) const BMP_STRING: u8 = 0x1e;

/// Convert a directory string value to UTF-8 the way `ASN1_STRING_to_UTF8` does.
pub(crate) fn string_to_utf8(tag: u8, content: &[u8]) -> Result<String> {
    match tag {
        UTF8_STRING => std::str::from_utf8(content)
            .map(str::to_owned)
            .map_err(|_| Error::input("a name attribute is not valid UTF-8")),
        // One byte per character; bytes above 0x7f are taken as Latin-1, as OpenSSL does.
        PRINTABLE_STRING | T61_STRING | IA5_STRING | VISIBLE_STRING => {
            Ok(content.iter().map(|&b| b as char).collect())
        }
        BMP_STRING => {
            if content.len() % 2 != 0 {
                return Err(Error::input("a BMPString name attribute has an odd length"));
            }
            let units: Vec<u16> = content
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units)
                .map_err(|_| Error::input("a BMPString name attribute is not valid UTF-16"))
        }
        UNIVERSAL_STRING => {
            if content.len() % 4 != 0 {
                return Err(Error::input(
                    "a UniversalString name attribute has a bad length",
                ));
            }
            content
                .chunks(4)
                .map(|c| {
                    char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])).ok_or_else(|| {
                        Error::input("a UniversalString name attribute holds an invalid character")
                    })
                })
                .collect()
        }
        _ => Err(Error::input("the distinguished name is not valid DER")),
    }
}

/// The text of a directory string (UTF8String, PrintableString, IA5String, T61String,
/// VisibleString, BMPString, UniversalString), or `None` for other types or bad encodings.
pub(crate) fn directory_string_text(tag: u8, content: &[u8]) -> Option<String> {
    string_to_utf8(tag, content).ok()
}
