//! Revocation of the certificates of a served chain, from what their CAs publish: who issued each
//! certificate (the next one sent, or a trust anchor), the OCSP request for it, the responder's
//! answer read and verified for it (by the one OCSP reader, [`super::ocsp`]) and its CRL read and
//! verified with the issuer's key. No I/O here: the scanner fetches the answers
//! (scan/checks/revocation.rs) and hands the bytes in; every reader takes hostile bytes.
//!
//! CRLs are parsed by x509-parser (a well-kept crate for that format); their signature is checked
//! here with the same verifier as the chain's own signatures. Delta CRLs, indirect CRLs and
//! issuing-distribution-point scopes are not interpreted: a certificate not on the CRL its own
//! distribution point names is "not listed".

use super::*;
pub use crate::pki::revocation::{
    CheckAnswer, CrlReason, Revocation, RevocationCheck, RevocationSource, RevocationStatus,
    Revoked,
};

/// The issuer of a certificate as revocation checking needs it: its Name and its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerKey {
    /// The subject Name's content (no SEQUENCE header), as trust anchors store it.
    subject: Vec<u8>,
    /// The SubjectPublicKeyInfo's content (no SEQUENCE header), as trust anchors store it.
    spki: Vec<u8>,
}

impl IssuerKey {
    fn anchor(&self) -> TrustAnchor<'_> {
        TrustAnchor {
            subject: self.subject.as_slice().into(),
            subject_public_key_info: self.spki.as_slice().into(),
            name_constraints: None,
        }
    }

    /// The full DER of the subject Name.
    fn name_der(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.subject.len() + 4);
        der::push_tlv(&mut out, der::SEQUENCE, &self.subject);
        out
    }

    /// The subject public key's bits (what a CertID's issuerKeyHash hashes).
    fn key_bits(&self) -> Option<Vec<u8>> {
        let (_, rest) = der::expect(&self.spki, der::SEQUENCE)?;
        let (bits, _) = der::expect(rest, 0x03)?;
        Some(bits.content.get(1..)?.to_vec())
    }
}

/// One certificate of a chain, with what checking its revocation needs.
#[derive(Debug, Clone)]
pub struct RevocationSubject {
    /// Position in the chain as sent (0 = leaf).
    pub index: usize,
    /// Its SHA-256 fingerprint as [`CertInfo::sha256_fingerprint`] writes it.
    pub fingerprint: String,
    /// The certificate (DER).
    pub cert: Vec<u8>,
    /// Its serial number as DER INTEGER content.
    pub serial: Vec<u8>,
    pub ocsp_urls: Vec<String>,
    pub crl_urls: Vec<String>,
    /// Self-signed: nothing can revoke it (trust in it rests on the trust store).
    pub self_signed: bool,
    /// Its issuer, when known (sent after it, or a trust anchor).
    pub issuer: Option<IssuerKey>,
}

/// The certificates of `chain` (as sent, leaf first) with their issuers: the first other
/// certificate sent that issued it, else a trust anchor of `stores` that did. Unparsable
/// certificates are left out.
pub fn revocation_subjects(
    chain: &[CertificateDer<'_>],
    stores: &TrustStores,
) -> Vec<RevocationSubject> {
    let now = OffsetDateTime::now_utc();
    let parsed: Vec<Parsed<'_>> = chain
        .iter()
        .enumerate()
        .filter_map(|(i, c)| parse_cert(i, c.as_ref(), now))
        .collect();
    let mut out = Vec::new();
    for p in &parsed {
        let issuer = if p.info.self_signed {
            None
        } else {
            parsed
                .iter()
                .filter(|q| q.index != p.index)
                .find(|q| issued_by(p, q))
                .map(|q| IssuerKey {
                    subject: q.subject.to_vec(),
                    spki: spki_content(q.der),
                })
                .or_else(|| {
                    stores
                        .stores()
                        .into_iter()
                        .flat_map(|s| s.anchors.iter())
                        .find(|a| issued_by_anchor(p, a))
                        .map(|a| IssuerKey {
                            subject: a.subject.as_ref().to_vec(),
                            spki: a.subject_public_key_info.as_ref().to_vec(),
                        })
                })
        };
        let mut serial = p.serial.to_vec();
        if serial.first().is_some_and(|b| b & 0x80 != 0) {
            serial.insert(0, 0);
        }
        out.push(RevocationSubject {
            index: p.index,
            fingerprint: p.info.sha256_fingerprint.clone(),
            cert: p.der.to_vec(),
            serial,
            ocsp_urls: p.info.ocsp_urls.clone(),
            crl_urls: p.info.crl_urls.clone(),
            self_signed: p.info.self_signed,
            issuer,
        });
    }
    out
}

/// The SubjectPublicKeyInfo content of a DER certificate (empty if it does not parse).
fn spki_content(cert: &[u8]) -> Vec<u8> {
    x509_parser::certificate::X509Certificate::from_der(cert)
        .ok()
        .and_then(|(_, c)| {
            let raw = c.tbs_certificate.subject_pki.raw;
            der::expect(raw, der::SEQUENCE).map(|(t, _)| t.content.to_vec())
        })
        .unwrap_or_default()
}

impl RevocationSubject {
    /// The DER OCSPRequest for this certificate (SHA-1 CertID, as browsers and `openssl ocsp`
    /// send it); `None` when the issuer is not known.
    pub fn ocsp_request(&self) -> Option<Vec<u8>> {
        let issuer = self.issuer.as_ref()?;
        let public_key = issuer.key_bits()?;
        let keys = crate::lab::ocsp::IssuerKeys {
            name_der: issuer.name_der(),
            key_sha1: crate::lab::ocsp::HashAlg::Sha1.digest(&public_key),
            public_key,
        };
        Some(crate::lab::ocsp::build_request(&keys, &self.serial))
    }

    /// What an OCSP response (DER `OCSPResponse`, from a responder or a staple) says about this
    /// certificate, verified: it must parse, be successful, name this certificate (issuer name
    /// hash and serial), be signed by the issuer or a responder it authorised, and be current.
    pub fn judge_ocsp(
        &self,
        response: &[u8],
        source: RevocationSource,
        url: Option<&str>,
        now: UnixTime,
    ) -> RevocationCheck {
        let now = to_offset(now);
        let check = |answer| RevocationCheck {
            source,
            url: url.map(str::to_string),
            answer,
        };
        let unknown = |why: &str| check(CheckAnswer::Unknown(why.to_string()));
        let Some(issuer) = &self.issuer else {
            return unknown("the issuer is not known, so the answer cannot be verified");
        };
        let Some(cert) = parse_cert(self.index, &self.cert, now) else {
            return unknown("the certificate does not parse");
        };
        let anchor = issuer.anchor();
        let Some(info) = parse_ocsp(response, &cert, Some(&Issuer::Anchor(&anchor))) else {
            return unknown("the OCSP response does not parse");
        };
        if info.response_status != "successful" {
            return unknown(&format!(
                "the responder answered with an error ({})",
                info.response_status
            ));
        }
        if !info.matches_leaf {
            return unknown("the OCSP response is not about this certificate (issuer name hash and serial number do not match)");
        }
        match info.signature_valid {
            Some(true) => {}
            Some(false) => {
                return unknown("the OCSP response's signature does not verify with the issuer's key or a responder it authorised")
            }
            None => return unknown("the OCSP response's signature could not be checked"),
        }
        if stale(&info, now) {
            return unknown(&format!(
                "the OCSP response expired at {} (nextUpdate)",
                info.next_update.as_deref().unwrap_or("?")
            ));
        }
        match info.cert_status.as_deref() {
            Some("good") => check(CheckAnswer::Good),
            Some("revoked") => check(CheckAnswer::Revoked(Revoked {
                reason: info.revocation_reason,
                at: info.revocation_time.clone(),
            })),
            _ => unknown("the responder does not know the certificate (status unknown)"),
        }
    }

    /// What a CRL (DER) says about this certificate, verified: it must be issued and signed by
    /// the certificate's issuer and be current.
    pub fn judge_crl(&self, crl: &[u8], url: Option<&str>, now: UnixTime) -> RevocationCheck {
        let answer = match self.read_crl(crl, to_offset(now)) {
            Ok(None) => CheckAnswer::Good,
            Ok(Some(revoked)) => CheckAnswer::Revoked(revoked),
            Err(why) => CheckAnswer::Unknown(why),
        };
        RevocationCheck {
            source: RevocationSource::Crl,
            url: url.map(str::to_string),
            answer,
        }
    }

    /// `Ok(None)`: not listed; `Ok(Some(revoked))`: listed; `Err`: why the CRL cannot be used.
    fn read_crl(
        &self,
        crl: &[u8],
        now: OffsetDateTime,
    ) -> std::result::Result<Option<Revoked>, String> {
        use x509_parser::revocation_list::CertificateRevocationList;
        let Some(issuer) = &self.issuer else {
            return Err("the issuer is not known, so the CRL cannot be verified".into());
        };
        let parsed = match CertificateRevocationList::from_der(crl) {
            Ok(([], c)) => c,
            _ => return Err("the CRL does not parse (not a DER CertificateList)".into()),
        };
        if parsed.issuer().as_raw() != issuer.name_der().as_slice() {
            return Err(format!(
                "the CRL is issued by {}, not by the certificate's issuer",
                crate::escape::short(&parsed.issuer().to_string(), 120)
            ));
        }
        // CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue }
        let verified = der::expect(crl, der::SEQUENCE).and_then(|(list, _)| {
            let (tbs, rest) = der::expect(list.content, der::SEQUENCE)?;
            let (alg, rest) = der::expect(rest, der::SEQUENCE)?;
            let (sig, _) = der::expect(rest, 0x03)?;
            let anchor = issuer.anchor();
            let key = Key::of_anchor(&anchor)?;
            verify_with(&key, alg.content, tbs.raw, sig.content.get(1..)?)
        });
        match verified {
            Some(true) => {}
            Some(false) => {
                return Err("the CRL's signature does not verify with the issuer's key".into())
            }
            None => return Err(
                "the CRL's signature could not be checked (an algorithm tlskit does not verify)"
                    .into(),
            ),
        }
        if let Some(next) = parsed.next_update() {
            let next = next.to_datetime();
            if next < now {
                let when = next.format(&Rfc3339).unwrap_or_default();
                return Err(format!("the CRL expired at {when} (nextUpdate)"));
            }
        }
        let serial = strip_leading_zeros(&self.serial);
        for r in parsed.iter_revoked_certificates() {
            if strip_leading_zeros(r.raw_serial()) == serial {
                let reason = r.reason_code().map(|(_, c)| CrlReason::from_code(c.0));
                let at = r.revocation_date.to_datetime().format(&Rfc3339).ok();
                return Ok(Some(Revoked { reason, at }));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(answer: CheckAnswer, source: RevocationSource) -> RevocationCheck {
        RevocationCheck {
            source,
            url: Some("http://127.0.0.1:1/x".into()),
            answer,
        }
    }

    #[test]
    fn revoked_beats_good_beats_unknown() {
        let r = Revocation::from_checks(
            vec![
                check(CheckAnswer::Good, RevocationSource::Ocsp),
                check(
                    CheckAnswer::Revoked(Revoked {
                        reason: Some(CrlReason::KeyCompromise),
                        at: Some("2026-01-01T00:00:00Z".into()),
                    }),
                    RevocationSource::Crl,
                ),
            ],
            None,
        );
        assert_eq!(r.status, RevocationStatus::Revoked);
        assert_eq!(r.source, Some(RevocationSource::Crl));
        let revoked = r.revoked.clone().unwrap();
        assert_eq!(revoked.reason, Some(CrlReason::KeyCompromise));
        assert_eq!(revoked.at.as_deref(), Some("2026-01-01T00:00:00Z"));
        // The JSON is written as it always was, and reads back to the same value.
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["reason"], "keyCompromise");
        assert_eq!(json["revoked_at"], "2026-01-01T00:00:00Z");
        assert_eq!(
            json["checked"][1]["reason"],
            "keyCompromise since 2026-01-01T00:00:00Z"
        );
        assert!(json["checked"][0].get("reason").is_none(), "{json}");
        assert_eq!(serde_json::from_value::<Revocation>(json).unwrap(), r);
        let r = Revocation::from_checks(
            vec![
                check(
                    CheckAnswer::Unknown("refused".into()),
                    RevocationSource::Ocsp,
                ),
                check(CheckAnswer::Good, RevocationSource::Crl),
            ],
            None,
        );
        assert_eq!(
            (r.status, r.source),
            (RevocationStatus::Good, Some(RevocationSource::Crl))
        );
        let r = Revocation::from_checks(
            vec![check(
                CheckAnswer::Unknown("refused".into()),
                RevocationSource::Ocsp,
            )],
            None,
        );
        assert_eq!(r.status, RevocationStatus::Unknown);
        assert_eq!(r.source, None);
        assert_eq!(
            r.unknown_reason.as_deref(),
            Some("OCSP http://127.0.0.1:1/x: refused")
        );
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["reason"], "OCSP http://127.0.0.1:1/x: refused");
        assert!(json.get("revoked_at").is_none(), "{json}");
        assert_eq!(serde_json::from_value::<Revocation>(json).unwrap(), r);
        let r = Revocation::from_checks(Vec::new(), None);
        assert_eq!(r.status, RevocationStatus::Unknown);
    }

    #[test]
    fn garbage_answers_are_unknown_never_good() {
        let leaf = include_bytes!("../../../../../fuzz/fixtures/pki_ocsp/leaf.der");
        let ca = include_bytes!("../../../../../fuzz/fixtures/pki_ocsp/ca.der");
        let chain = [
            CertificateDer::from(&leaf[..]),
            CertificateDer::from(&ca[..]),
        ];
        let stores = TrustStores::load(&[]).unwrap();
        let subjects = revocation_subjects(&chain, &stores);
        let leaf = &subjects[0];
        assert!(leaf.issuer.is_some());
        assert!(leaf.ocsp_request().is_some());
        let now = UnixTime::now();
        for junk in [
            &b""[..],
            b"\x30\x03\x0a\x01\x00",
            b"garbage",
            &[0x30, 0x82, 0xff],
        ] {
            let o = leaf.judge_ocsp(junk, RevocationSource::Ocsp, None, now);
            assert_eq!(o.status(), RevocationStatus::Unknown, "{o:?}");
            let c = leaf.judge_crl(junk, None, now);
            assert_eq!(c.status(), RevocationStatus::Unknown, "{c:?}");
        }
        // A real CRL (`openssl ca -gencrl`) of another CA: not this certificate's.
        let other =
            include_bytes!("../../../../../fuzz/seeds/pki_crl/openssl_crl_other_issuer.der");
        let c = leaf.judge_crl(other, None, now);
        assert_eq!(c.status(), RevocationStatus::Unknown);
        let why = c.why_unknown().unwrap();
        assert!(why.contains("not by the certificate's issuer"), "{why}");
        // A real OCSP answer about this leaf, revoked, signed by its issuer.
        let resp = include_bytes!("../../../../../fuzz/seeds/pki_ocsp/openssl_resp_revoked.der");
        let when = UnixTime::since_unix_epoch(std::time::Duration::from_secs(
            time::OffsetDateTime::now_utc().unix_timestamp().max(0) as u64,
        ));
        let o = leaf.judge_ocsp(resp, RevocationSource::Stapled, None, when);
        assert!(
            o.status() == RevocationStatus::Revoked
                || o.why_unknown().is_some_and(|r| r.contains("expired")),
            "{o:?}"
        );
    }
}
