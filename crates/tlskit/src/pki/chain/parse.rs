//! Parsed certificates: the parts the checks need, borrowed from the DER, and who issued whom.

use super::*;

/// The parts of a certificate the checks need, borrowed from its DER.
pub(super) struct Parsed<'a> {
    /// Position as sent (0 = leaf).
    pub(super) index: usize,
    pub(super) der: &'a [u8],
    pub(super) tbs: &'a [u8],
    /// Content of the signatureAlgorithm AlgorithmIdentifier.
    pub(super) sig_alg: &'a [u8],
    pub(super) signature: &'a [u8],
    /// Full DER of the issuer Name, and its content (what trust anchors store).
    pub(super) issuer_der: &'a [u8],
    pub(super) issuer: &'a [u8],
    pub(super) subject: &'a [u8],
    /// Content of the SubjectPublicKeyInfo's AlgorithmIdentifier, and the key bits.
    pub(super) spki_alg: &'a [u8],
    pub(super) public_key: &'a [u8],
    pub(super) serial: &'a [u8],
    pub(super) info: CertInfo,
}

pub(super) fn parse_cert(
    index: usize,
    der_bytes: &[u8],
    now: OffsetDateTime,
) -> Option<Parsed<'_>> {
    let info = CertInfo::from_der_at(der_bytes, now).ok()?;
    let (cert, _) = der::expect(der_bytes, der::SEQUENCE)?;
    let (tbs, rest) = der::expect(cert.content, der::SEQUENCE)?;
    let (sig_alg, rest) = der::expect(rest, der::SEQUENCE)?;
    let (sig, _) = der::expect(rest, 0x03)?;
    let fields = der::all(tbs.content)?;
    let base = usize::from(fields.first()?.tag == 0xa0);
    let serial = fields.get(base)?;
    let issuer = fields.get(base + 2)?;
    let subject = fields.get(base + 4)?;
    let spki = fields.get(base + 5)?;
    let (alg, rest) = der::expect(spki.content, der::SEQUENCE)?;
    let (bits, _) = der::expect(rest, 0x03)?;
    Some(Parsed {
        index,
        der: der_bytes,
        tbs: tbs.raw,
        sig_alg: sig_alg.content,
        signature: sig.content.get(1..)?,
        issuer_der: issuer.raw,
        issuer: issuer.content,
        subject: subject.content,
        spki_alg: alg.content,
        public_key: bits.content.get(1..)?,
        serial: strip_leading_zeros(serial.content),
        info,
    })
}

pub(super) fn strip_leading_zeros(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|x| **x == 0).count();
    &b[n.min(b.len().saturating_sub(1))..]
}

/// A public key: the content of its AlgorithmIdentifier and the key bits.
pub(super) struct Key<'a> {
    pub(super) alg: &'a [u8],
    pub(super) bits: &'a [u8],
}

impl<'a> Key<'a> {
    pub(super) fn of(p: &Parsed<'a>) -> Key<'a> {
        Key {
            alg: p.spki_alg,
            bits: p.public_key,
        }
    }

    /// From a trust anchor's `subject_public_key_info` (the SPKI without its outer SEQUENCE).
    pub(super) fn of_anchor(a: &'a TrustAnchor<'_>) -> Option<Key<'a>> {
        let (alg, rest) = der::expect(a.subject_public_key_info.as_ref(), der::SEQUENCE)?;
        let (bits, _) = der::expect(rest, 0x03)?;
        Some(Key {
            alg: alg.content,
            bits: bits.content.get(1..)?,
        })
    }
}

/// Check `signature` over `message` with `key`, trying modern then legacy algorithms.
/// `None` when no algorithm we have matches the key and signature algorithm (MD5, DSA, …).
pub(super) fn verify_with(
    key: &Key<'_>,
    sig_alg: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Option<bool> {
    let mut known = false;
    for alg in strict_algs().iter().copied().chain(legacy_algs()) {
        if alg.public_key_alg_id().as_ref() != key.alg || alg.signature_alg_id().as_ref() != sig_alg
        {
            continue;
        }
        known = true;
        if alg.verify_signature(key.bits, message, signature).is_ok() {
            return Some(true);
        }
    }
    known.then_some(false)
}

/// `parent` issued `child`: names chain and the signature verifies (or, for algorithms we cannot
/// check, the key identifiers agree).
pub(super) fn issued_by(child: &Parsed<'_>, parent: &Parsed<'_>) -> bool {
    if child.issuer != parent.subject {
        return false;
    }
    match verify_with(&Key::of(parent), child.sig_alg, child.tbs, child.signature) {
        Some(ok) => ok,
        None => match (&child.info.authority_key_id, &parent.info.subject_key_id) {
            (Some(a), Some(s)) => a == s,
            _ => true,
        },
    }
}

pub(super) fn issued_by_anchor(child: &Parsed<'_>, anchor: &TrustAnchor<'_>) -> bool {
    if child.issuer != anchor.subject.as_ref() {
        return false;
    }
    match Key::of_anchor(anchor) {
        Some(key) => verify_with(&key, child.sig_alg, child.tbs, child.signature).unwrap_or(true),
        None => false,
    }
}

/// The certificate is itself an anchor (same subject and key), e.g. a root the server sends.
pub(super) fn is_anchor(cert: &Parsed<'_>, anchor: &TrustAnchor<'_>) -> bool {
    cert.subject == anchor.subject.as_ref()
        && Key::of_anchor(anchor)
            .is_some_and(|k| k.alg == cert.spki_alg && k.bits == cert.public_key)
}

/// Format a Name given as its content (no SEQUENCE header), as trust anchors store it.
pub(super) fn name_from_content(content: &[u8]) -> String {
    let mut seq = Vec::with_capacity(content.len() + 4);
    der::push_tlv(&mut seq, der::SEQUENCE, content);
    match X509Name::from_der(&seq) {
        Ok((_, n)) => inspect::format_name(&n),
        Err(_) => "(unreadable name)".to_string(),
    }
}
