//! OCSP (RFC 6960) for the lab's responder: read a request's CertIDs, build a signed basic
//! response (good / revoked / unknown per certificate).
//!
//! Hand-written on the crate's small DER reader: the responder needs four fields of the request
//! and writes one fixed-shape response, where a general OCSP crate (x509-ocsp) would bring in a
//! second ASN.1 stack (der, spki, x509-cert) for those few structures. The request parser reads
//! bytes from the network: it is fuzzed (fuzz/fuzz_targets/ocsp_request.rs) and never panics.

use crate::pki::der;
use sha1::Digest as _;

/// A hash algorithm a CertID may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashAlg {
    Sha1,
    Sha256,
}

const OID_SHA1: [u8; 5] = [0x2b, 0x0e, 0x03, 0x02, 0x1a];
const OID_SHA256: [u8; 9] = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
/// id-pkix-ocsp-basic.
const OID_OCSP_BASIC: [u8; 9] = [0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01];

impl HashAlg {
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            HashAlg::Sha1 => sha1::Sha1::digest(data).to_vec(),
            HashAlg::Sha256 => sha2::Sha256::digest(data).to_vec(),
        }
    }
}

/// One certificate a request asks about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertId {
    pub hash: HashAlg,
    pub issuer_name_hash: Vec<u8>,
    pub issuer_key_hash: Vec<u8>,
    /// The serial number's content octets (as in the certificate).
    pub serial: Vec<u8>,
    /// The CertID exactly as received, echoed in the response.
    pub raw: Vec<u8>,
}

/// Why a request could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestError {
    /// Not an OCSPRequest (malformedRequest).
    Malformed(&'static str),
    /// A hash algorithm other than SHA-1 or SHA-256.
    UnsupportedHash,
}

fn malformed<T>(why: &'static str) -> Result<T, RequestError> {
    Err(RequestError::Malformed(why))
}

/// Read an OCSPRequest (DER) and return the CertIDs it asks about (at most 16).
pub fn parse_request(bytes: &[u8]) -> Result<Vec<CertId>, RequestError> {
    let Some((req, rest)) = der::expect(bytes, der::SEQUENCE) else {
        return malformed("not a DER SEQUENCE");
    };
    if !rest.is_empty() {
        return malformed("bytes after the request");
    }
    let Some((tbs, _sig)) = der::expect(req.content, der::SEQUENCE) else {
        return malformed("no tbsRequest");
    };
    let Some(fields) = der::all(tbs.content) else {
        return malformed("tbsRequest does not parse");
    };
    // version [0], requestorName [1] precede requestList; requestExtensions [2] follows.
    let Some(list) = fields.iter().find(|f| f.tag == der::SEQUENCE) else {
        return malformed("no requestList");
    };
    let Some(requests) = der::all(list.content) else {
        return malformed("requestList does not parse");
    };
    if requests.is_empty() {
        return malformed("empty requestList");
    }
    if requests.len() > 16 {
        return malformed("more than 16 certificates asked about");
    }
    let mut out = Vec::new();
    for r in requests {
        if r.tag != der::SEQUENCE {
            return malformed("a Request is not a SEQUENCE");
        }
        let Some((cert_id, _exts)) = der::expect(r.content, der::SEQUENCE) else {
            return malformed("no CertID");
        };
        let Some(parts) = der::all(cert_id.content) else {
            return malformed("CertID does not parse");
        };
        let [alg, name_hash, key_hash, serial] = parts.as_slice() else {
            return malformed("CertID has the wrong number of fields");
        };
        if alg.tag != der::SEQUENCE
            || name_hash.tag != 0x04
            || key_hash.tag != 0x04
            || serial.tag != 0x02
        {
            return malformed("CertID fields have the wrong types");
        }
        let Some((oid, _params)) = der::expect(alg.content, 0x06) else {
            return malformed("no hash algorithm OID");
        };
        let hash = if oid.content == OID_SHA1 {
            HashAlg::Sha1
        } else if oid.content == OID_SHA256 {
            HashAlg::Sha256
        } else {
            return Err(RequestError::UnsupportedHash);
        };
        if serial.content.is_empty() || serial.content.len() > 32 {
            return malformed("serial number of an impossible length");
        }
        out.push(CertId {
            hash,
            issuer_name_hash: name_hash.content.to_vec(),
            issuer_key_hash: key_hash.content.to_vec(),
            serial: serial.content.to_vec(),
            raw: cert_id.raw.to_vec(),
        });
    }
    Ok(out)
}

/// Build a DER OCSPRequest for `serial` issued by the CA (SHA-1 CertID, no nonce): what
/// `openssl ocsp` sends, for tests and the lab's stapled response.
pub fn build_request(issuer: &IssuerKeys, serial: &[u8]) -> Vec<u8> {
    let cert_id = cert_id(issuer, HashAlg::Sha1, serial);
    let mut request = Vec::new();
    der::push_tlv(&mut request, der::SEQUENCE, &cert_id);
    let mut list = Vec::new();
    der::push_tlv(&mut list, der::SEQUENCE, &request);
    let mut tbs = Vec::new();
    der::push_tlv(&mut tbs, der::SEQUENCE, &list);
    let mut out = Vec::new();
    der::push_tlv(&mut out, der::SEQUENCE, &tbs);
    out
}

/// What a CertID needs to know about the issuer: its subject Name (DER) and public key bits.
#[derive(Debug, Clone)]
pub struct IssuerKeys {
    pub name_der: Vec<u8>,
    pub public_key: Vec<u8>,
    /// SHA-1 of the public key (the responder's byKey ID).
    pub key_sha1: Vec<u8>,
}

impl IssuerKeys {
    /// From the issuer's DER certificate.
    pub fn from_cert(cert: &[u8]) -> Option<IssuerKeys> {
        let (_, c) = x509_parser::parse_x509_certificate(cert).ok()?;
        let name_der = c.tbs_certificate.subject.as_raw().to_vec();
        let public_key = c
            .tbs_certificate
            .subject_pki
            .subject_public_key
            .data
            .to_vec();
        let key_sha1 = HashAlg::Sha1.digest(&public_key);
        Some(IssuerKeys {
            name_der,
            public_key,
            key_sha1,
        })
    }

    /// Whether a request's CertID names this issuer.
    pub fn matches(&self, id: &CertId) -> bool {
        id.issuer_name_hash == id.hash.digest(&self.name_der)
            && id.issuer_key_hash == id.hash.digest(&self.public_key)
    }
}

fn cert_id(issuer: &IssuerKeys, hash: HashAlg, serial: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    let mut alg = Vec::new();
    match hash {
        HashAlg::Sha1 => der::push_tlv(&mut alg, 0x06, &OID_SHA1),
        HashAlg::Sha256 => der::push_tlv(&mut alg, 0x06, &OID_SHA256),
    }
    alg.extend_from_slice(&[0x05, 0x00]);
    der::push_tlv(&mut body, der::SEQUENCE, &alg);
    der::push_tlv(&mut body, 0x04, &hash.digest(&issuer.name_der));
    der::push_tlv(&mut body, 0x04, &hash.digest(&issuer.public_key));
    der::push_tlv(&mut body, 0x02, serial);
    let mut out = Vec::new();
    der::push_tlv(&mut out, der::SEQUENCE, &body);
    out
}

/// The status the responder gives a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertStatus {
    Good,
    /// Revoked at this Unix time (reason keyCompromise).
    Revoked(i64),
    Unknown,
}

fn generalized_time(unix: i64) -> Vec<u8> {
    let t =
        time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let text = format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}Z",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    let mut out = Vec::new();
    der::push_tlv(&mut out, 0x18, text.as_bytes());
    out
}

/// An OCSPResponse with only a status (no responseBytes): malformedRequest (1),
/// internalError (2), unauthorized (6).
pub fn error_response(status: u8) -> Vec<u8> {
    vec![0x30, 0x03, 0x0a, 0x01, status]
}

/// A successful OCSPResponse (basic) for `answers`, signed by the CA with `sign`
/// (`sig_alg` is the DER AlgorithmIdentifier of those signatures). The responder is the CA
/// itself, identified by key hash, and its certificate `signer_cert` travels in the response
/// so that clients find the signer; thisUpdate is now, nextUpdate in `valid_secs`.
pub fn build_response(
    issuer: &IssuerKeys,
    signer_cert: &[u8],
    answers: &[(Vec<u8>, CertStatus)],
    now: i64,
    valid_secs: i64,
    sig_alg: &[u8],
    sign: impl Fn(&[u8]) -> Option<Vec<u8>>,
) -> Option<Vec<u8>> {
    let mut responses = Vec::new();
    for (raw_cert_id, status) in answers {
        let mut single = raw_cert_id.clone();
        match status {
            CertStatus::Good => single.extend_from_slice(&[0x80, 0x00]),
            CertStatus::Unknown => single.extend_from_slice(&[0x82, 0x00]),
            CertStatus::Revoked(at) => {
                let mut info = generalized_time(*at);
                // revocationReason [0] EXPLICIT CRLReason keyCompromise (1)
                info.extend_from_slice(&[0xa0, 0x03, 0x0a, 0x01, 0x01]);
                der::push_tlv(&mut single, 0xa1, &info);
            }
        }
        single.extend_from_slice(&generalized_time(now - 60));
        der::push_tlv(&mut single, 0xa0, &generalized_time(now + valid_secs));
        der::push_tlv(&mut responses, der::SEQUENCE, &single);
    }
    let mut data = Vec::new();
    let mut by_key = Vec::new();
    der::push_tlv(&mut by_key, 0x04, &issuer.key_sha1);
    der::push_tlv(&mut data, 0xa2, &by_key); // responderID byKey [2]
    data.extend_from_slice(&generalized_time(now));
    der::push_tlv(&mut data, der::SEQUENCE, &responses);
    let mut tbs = Vec::new();
    der::push_tlv(&mut tbs, der::SEQUENCE, &data);
    let signature = sign(&tbs)?;
    let mut basic = tbs;
    basic.extend_from_slice(sig_alg);
    let mut bits = vec![0u8];
    bits.extend_from_slice(&signature);
    der::push_tlv(&mut basic, 0x03, &bits);
    if !signer_cert.is_empty() {
        let mut certs = Vec::new();
        der::push_tlv(&mut certs, der::SEQUENCE, signer_cert);
        der::push_tlv(&mut basic, 0xa0, &certs);
    }
    let mut basic_der = Vec::new();
    der::push_tlv(&mut basic_der, der::SEQUENCE, &basic);
    let mut response_bytes = Vec::new();
    der::push_tlv(&mut response_bytes, 0x06, &OID_OCSP_BASIC);
    der::push_tlv(&mut response_bytes, 0x04, &basic_der);
    let mut rb = Vec::new();
    der::push_tlv(&mut rb, der::SEQUENCE, &response_bytes);
    let mut body = vec![0x0a, 0x01, 0x00]; // successful
    der::push_tlv(&mut body, 0xa0, &rb);
    let mut out = Vec::new();
    der::push_tlv(&mut out, der::SEQUENCE, &body);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issuer() -> IssuerKeys {
        IssuerKeys {
            name_der: vec![0x30, 0x00],
            public_key: vec![4, 1, 2, 3],
            key_sha1: HashAlg::Sha1.digest(&[4, 1, 2, 3]),
        }
    }

    #[test]
    fn a_built_request_parses_back_and_matches_its_issuer() {
        let req = build_request(&issuer(), &[0x42, 0x01]);
        let ids = parse_request(&req).unwrap();
        assert_eq!(ids.len(), 1);
        assert_eq!(ids[0].serial, vec![0x42, 0x01]);
        assert!(issuer().matches(&ids[0]));
    }

    #[test]
    fn junk_is_malformed_not_a_panic() {
        for junk in [
            &b""[..],
            b"\x30",
            b"\x30\x00",
            b"\x30\x02\x30\x00",
            b"\xff\xff\xff",
        ] {
            assert!(parse_request(junk).is_err(), "{junk:?}");
        }
        let mut req = build_request(&issuer(), &[1]);
        req.truncate(req.len() - 1);
        assert!(parse_request(&req).is_err());
    }

    #[test]
    fn responses_are_der() {
        let req = build_request(&issuer(), &[7]);
        let ids = parse_request(&req).unwrap();
        let r = build_response(
            &issuer(),
            &[],
            &[(ids[0].raw.clone(), CertStatus::Revoked(1_700_000_000))],
            1_700_000_100,
            3600,
            &[0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70],
            |_| Some(vec![1, 2, 3]),
        )
        .unwrap();
        let (outer, rest) = der::expect(&r, der::SEQUENCE).unwrap();
        assert!(rest.is_empty());
        assert!(der::all(outer.content).is_some());
        assert_eq!(error_response(1), [0x30, 0x03, 0x0a, 0x01, 0x01]);
    }
}
