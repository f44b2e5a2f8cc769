//! The stapled OCSP response: parsed, checked against the leaf and its issuer, judged.

use super::*;

pub(super) fn ocsp(
    input: &ChainInput<'_>,
    parsed: &[Parsed<'_>],
    path: &[usize],
    stores: &TrustStores,
    now: OffsetDateTime,
    a: &mut ChainAnalysis,
    findings: &mut Findings,
) {
    let staple = input.ocsp_response.filter(|r| !r.is_empty());
    a.ocsp_stapled = staple.is_some();
    let leaf = &parsed[0];
    match staple {
        None => {
            if a.must_staple {
                a.must_staple_violated = true;
                findings.add(
                    Severity::High,
                    "cert.must_staple_violated",
                    "the certificate demands OCSP stapling (must-staple) but the server sent no OCSP response: Firefox refuses the connection".to_string(),
                );
            } else if !leaf.info.ocsp_urls.is_empty() {
                findings.add(
                    Severity::Info,
                    "ocsp.not_stapled",
                    format!(
                        "no OCSP response is stapled; clients that check revocation ask {} themselves",
                        leaf.info.ocsp_urls[0]
                    ),
                );
            }
        }
        Some(bytes) => {
            let issuer = find_issuer(parsed, path, stores);
            match parse_ocsp(bytes, leaf, issuer.as_ref()) {
                None => {
                    a.ocsp_status = Some("unparsable".to_string());
                    findings.add(
                        Severity::Medium,
                        "ocsp.unparsable",
                        "the stapled OCSP response cannot be parsed".to_string(),
                    );
                }
                Some(info) => {
                    ocsp_findings(&info, now, findings);
                    a.ocsp_status = Some(if info.response_status != "successful" {
                        "unsuccessful".to_string()
                    } else {
                        info.cert_status
                            .clone()
                            .unwrap_or_else(|| "unknown".to_string())
                    });
                    a.ocsp = Some(info);
                }
            }
            let good = a.ocsp_status.as_deref() == Some("good")
                && a.ocsp.as_ref().is_some_and(|o| {
                    o.matches_leaf && o.signature_valid != Some(false) && !stale(o, now)
                });
            if a.must_staple && !good {
                a.must_staple_violated = true;
                findings.add(
                    Severity::High,
                    "cert.must_staple_violated",
                    "the certificate demands OCSP stapling (must-staple) but the stapled response is not a valid, current 'good' answer for it: Firefox refuses the connection".to_string(),
                );
            }
        }
    }
}

/// The leaf's issuer: a sent certificate, or a trust anchor.
pub(super) enum Issuer<'a, 'b> {
    Cert(&'a Parsed<'b>),
    Anchor(&'a TrustAnchor<'b>),
}

impl Issuer<'_, '_> {
    fn key(&self) -> Option<Key<'_>> {
        match self {
            Issuer::Cert(p) => Some(Key::of(p)),
            Issuer::Anchor(a) => Key::of_anchor(a),
        }
    }
    /// DER of the issuer's subject Name content.
    fn subject(&self) -> &[u8] {
        match self {
            Issuer::Cert(p) => p.subject,
            Issuer::Anchor(a) => a.subject.as_ref(),
        }
    }
}

pub(super) fn find_issuer<'a, 'b>(
    parsed: &'a [Parsed<'b>],
    path: &[usize],
    stores: &'a TrustStores,
) -> Option<Issuer<'a, 'b>> {
    if let Some(&i) = path.get(1) {
        return Some(Issuer::Cert(&parsed[i]));
    }
    let leaf = &parsed[0];
    if leaf.info.self_signed {
        return Some(Issuer::Cert(leaf));
    }
    stores
        .stores()
        .into_iter()
        .flat_map(|s| s.anchors.iter())
        .find(|anchor| issued_by_anchor(leaf, anchor))
        .map(Issuer::Anchor)
}

pub(super) fn stale(o: &OcspInfo, now: OffsetDateTime) -> bool {
    o.next_update
        .as_deref()
        .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
        .is_some_and(|t| t < now)
}

pub(super) fn ocsp_findings(o: &OcspInfo, now: OffsetDateTime, findings: &mut Findings) {
    if o.response_status != "successful" {
        findings.add(
            Severity::Medium,
            "ocsp.unsuccessful",
            format!(
                "the stapled OCSP response is an error ({}), not a status",
                o.response_status
            ),
        );
        return;
    }
    if !o.matches_leaf {
        findings.add(
            Severity::High,
            "ocsp.wrong_certificate",
            "the stapled OCSP response is not about the server's certificate".to_string(),
        );
    }
    match o.cert_status.as_deref() {
        Some("revoked") => findings.add(
            Severity::Critical,
            "cert.revoked",
            format!(
                "the stapled OCSP response says the certificate is REVOKED{}{}",
                o.revocation_time
                    .as_deref()
                    .map(|t| format!(" since {t}"))
                    .unwrap_or_default(),
                o.revocation_reason
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            ),
        ),
        Some("unknown") => findings.add(
            Severity::Medium,
            "ocsp.unknown",
            "the stapled OCSP response says the responder does not know the certificate"
                .to_string(),
        ),
        _ => {}
    }
    if o.signature_valid == Some(false) {
        findings.add(
            Severity::High,
            "ocsp.bad_signature",
            "the stapled OCSP response is not signed by the certificate's issuer or a responder it authorised".to_string(),
        );
    }
    if stale(o, now) {
        findings.add(
            Severity::Medium,
            "ocsp.stale",
            format!(
                "the stapled OCSP response expired at {} (nextUpdate); clients ignore it",
                o.next_update.as_deref().unwrap_or("?")
            ),
        );
    }
    if o.this_update
        .as_deref()
        .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
        .is_some_and(|t| t > now + time::Duration::minutes(5))
    {
        findings.add(
            Severity::Medium,
            "ocsp.future",
            format!(
                "the stapled OCSP response's thisUpdate ({}) is in the future",
                o.this_update.as_deref().unwrap_or("?")
            ),
        );
    }
}

pub(super) const OID_PKIX_OCSP_BASIC: &[u8] =
    &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01];
pub(super) const OID_SHA1: &[u8] = &[0x2b, 0x0e, 0x03, 0x02, 0x1a];
pub(super) const OID_SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
pub(super) const TAG_GENERALIZED_TIME: u8 = 0x18;

pub(super) fn response_status_name(n: u8) -> String {
    match n {
        0 => "successful",
        1 => "malformedRequest",
        2 => "internalError",
        3 => "tryLater",
        5 => "sigRequired",
        6 => "unauthorized",
        _ => return format!("status {n}"),
    }
    .to_string()
}

/// `YYYYMMDDHHMMSS[.fff]Z` to RFC 3339.
pub(super) fn generalized_time(content: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(content).ok()?;
    let s = s.strip_suffix('Z')?;
    let main = s.split('.').next()?;
    if main.len() != 14 || !main.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(format!(
        "{}-{}-{}T{}:{}:{}Z",
        &main[0..4],
        &main[4..6],
        &main[6..8],
        &main[8..10],
        &main[10..12],
        &main[12..14]
    ))
}

/// Parse an `OCSPResponse` (RFC 6960) and judge it for `leaf`. `None` if it is not DER of that shape.
pub(super) fn parse_ocsp(
    bytes: &[u8],
    leaf: &Parsed<'_>,
    issuer: Option<&Issuer<'_, '_>>,
) -> Option<OcspInfo> {
    let (resp, rest) = der::expect(bytes, der::SEQUENCE)?;
    if !rest.is_empty() {
        return None;
    }
    let fields = der::all(resp.content)?;
    let status = fields.first().filter(|t| t.tag == 0x0a)?;
    let info = OcspInfo {
        response_status: response_status_name(*status.content.first()?),
        cert_status: None,
        produced_at: None,
        this_update: None,
        next_update: None,
        revocation_time: None,
        revocation_reason: None,
        responses: 0,
        matches_leaf: false,
        signature_valid: None,
        signed_by: None,
    };
    if status.content != [0] {
        return Some(info);
    }
    // responseBytes [0] EXPLICIT SEQUENCE { responseType OID, response OCTET STRING }
    let rb = fields.get(1).filter(|t| t.tag == 0xa0)?;
    let (rb, _) = der::expect(rb.content, der::SEQUENCE)?;
    let (oid, rest) = der::expect(rb.content, 0x06)?;
    if oid.content != OID_PKIX_OCSP_BASIC {
        return None;
    }
    let (octets, _) = der::expect(rest, 0x04)?;
    let basic = BasicResponse::parse(octets.content)?;
    let mut info = basic.judge(info, leaf)?;
    if let Some(issuer) = issuer {
        basic.check_signature(issuer, &mut info);
    }
    Some(info)
}

/// The parts of a `BasicOCSPResponse` tlskit looks at.
struct BasicResponse<'a> {
    /// The whole `tbsResponseData` (what is signed).
    tbs: &'a [u8],
    /// Content of the signatureAlgorithm AlgorithmIdentifier.
    sig_alg: &'a [u8],
    /// The signature bits (the BIT STRING without its unused-bits byte).
    signature: &'a [u8],
    /// Certificates sent along (a delegated responder's), DER.
    certs: Vec<&'a [u8]>,
    produced_at: Option<String>,
    /// The `SingleResponse`s, each a SEQUENCE.
    singles: Vec<der::Tlv<'a>>,
}

impl<'a> BasicResponse<'a> {
    /// BasicOCSPResponse ::= SEQUENCE { tbsResponseData, signatureAlgorithm, signature, certs [0] }
    fn parse(bytes: &'a [u8]) -> Option<Self> {
        let (basic, _) = der::expect(bytes, der::SEQUENCE)?;
        let parts = der::all(basic.content)?;
        let tbs = parts.first().filter(|t| t.tag == der::SEQUENCE)?;
        let sig_alg = parts.get(1).filter(|t| t.tag == der::SEQUENCE)?;
        let signature = parts.get(2).filter(|t| t.tag == 0x03)?.content.get(1..)?;
        let certs: Vec<&[u8]> = match parts.get(3).filter(|t| t.tag == 0xa0) {
            Some(c) => {
                let (seq, _) = der::expect(c.content, der::SEQUENCE)?;
                der::all(seq.content)?.iter().map(|t| t.raw).collect()
            }
            None => Vec::new(),
        };
        // ResponseData ::= SEQUENCE { version [0] OPTIONAL, responderID [1]|[2], producedAt,
        //                             responses SEQUENCE OF SingleResponse, extensions [1] OPTIONAL }
        let rd = der::all(tbs.content)?;
        let mut k = usize::from(rd.first()?.tag == 0xa0);
        let _responder = rd.get(k).filter(|t| t.tag == 0xa1 || t.tag == 0xa2)?;
        k += 1;
        let produced = rd.get(k).filter(|t| t.tag == TAG_GENERALIZED_TIME)?;
        k += 1;
        let responses = rd.get(k).filter(|t| t.tag == der::SEQUENCE)?;
        Some(BasicResponse {
            tbs: tbs.raw,
            sig_alg: sig_alg.content,
            signature,
            certs,
            produced_at: generalized_time(produced.content),
            singles: der::all(responses.content)?,
        })
    }

    /// The status the response gives `leaf`: from the SingleResponse naming it, else (marked
    /// as not matching, with no status) from the first one.
    fn judge(&self, mut info: OcspInfo, leaf: &Parsed<'_>) -> Option<OcspInfo> {
        info.produced_at = self.produced_at.clone();
        info.responses = self.singles.len();
        let name_hashes = (
            Sha1::digest(leaf.issuer_der).to_vec(),
            Sha256::digest(leaf.issuer_der).to_vec(),
        );
        let mut first: Option<OcspInfo> = None;
        for single in &self.singles {
            let one = single_response(single.content, &info, leaf.serial, &name_hashes)?;
            if one.matches_leaf {
                first = Some(one);
                break;
            }
            if first.is_none() {
                first = Some(one);
            }
        }
        let mut info = first.unwrap_or(info);
        if !info.matches_leaf {
            // Say nothing about the leaf from a response about another certificate.
            info.cert_status = None;
        }
        Some(info)
    }

    /// Signature: by the issuer itself, or by a responder certificate the issuer signed for
    /// OCSP signing.
    fn check_signature(&self, issuer: &Issuer<'_, '_>, info: &mut OcspInfo) {
        let Some(key) = issuer.key() else {
            return;
        };
        if verify_with(&key, self.sig_alg, self.tbs, self.signature) == Some(true) {
            info.signature_valid = Some(true);
            info.signed_by = Some("issuer".to_string());
            return;
        }
        info.signature_valid = Some(false);
        for (n, c) in self.certs.iter().enumerate() {
            let Some(rc) = parse_cert(usize::MAX - n, c, OffsetDateTime::now_utc()) else {
                continue;
            };
            let authorised = rc.issuer == issuer.subject()
                && verify_with(&key, rc.sig_alg, rc.tbs, rc.signature) == Some(true)
                && rc.info.eku.iter().any(|e| e == "OCSPSigning");
            if authorised
                && verify_with(&Key::of(&rc), self.sig_alg, self.tbs, self.signature) == Some(true)
            {
                info.signature_valid = Some(true);
                info.signed_by = Some(format!("delegated responder {}", short_name(&rc.info)));
                break;
            }
        }
    }
}

/// One `SingleResponse` (the content of its SEQUENCE): `base` with this response's status and
/// times, and whether its CertID names the certificate with `serial` whose issuer name hashes
/// to `name_hashes` (SHA-1, SHA-256). `None` if it is malformed.
fn single_response(
    content: &[u8],
    base: &OcspInfo,
    serial: &[u8],
    name_hashes: &(Vec<u8>, Vec<u8>),
) -> Option<OcspInfo> {
    let s = der::all(content)?;
    let cert_id = der::all(s.first().filter(|t| t.tag == der::SEQUENCE)?.content)?;
    let (hash_alg, _) = der::expect(cert_id.first()?.content, 0x06)?;
    let name_hash = cert_id.get(1).filter(|t| t.tag == 0x04)?.content;
    let id_serial = cert_id.get(3).filter(|t| t.tag == 0x02)?.content;
    let name_ok = match hash_alg.content {
        h if h == OID_SHA1 => name_hash == name_hashes.0.as_slice(),
        h if h == OID_SHA256 => name_hash == name_hashes.1.as_slice(),
        _ => true,
    };
    let mut one = base.clone();
    one.matches_leaf = name_ok && strip_leading_zeros(id_serial) == serial;
    let status = s.get(1)?;
    match status.tag {
        0x80 => one.cert_status = Some("good".to_string()),
        0xa1 => {
            one.cert_status = Some("revoked".to_string());
            let ri = der::all(status.content)?;
            one.revocation_time = ri
                .first()
                .filter(|t| t.tag == TAG_GENERALIZED_TIME)
                .and_then(|t| generalized_time(t.content));
            one.revocation_reason = ri
                .get(1)
                .filter(|t| t.tag == 0xa0)
                .and_then(|t| der::expect(t.content, 0x0a))
                .and_then(|(e, _)| e.content.first().copied())
                .map(crate::pki::revocation::CrlReason::from_code);
        }
        0x82 => one.cert_status = Some("unknown".to_string()),
        _ => return None,
    }
    one.this_update = s
        .get(2)
        .filter(|t| t.tag == TAG_GENERALIZED_TIME)
        .and_then(|t| generalized_time(t.content));
    one.next_update = s
        .get(3)
        .filter(|t| t.tag == 0xa0)
        .and_then(|t| der::expect(t.content, TAG_GENERALIZED_TIME))
        .and_then(|(t, _)| generalized_time(t.content));
    Some(one)
}
