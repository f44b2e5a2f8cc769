//! Decoding certificate fields for display: serials, times, algorithms, extensions, keys.

use super::*;

pub(super) fn serial_hex(be: &[u8]) -> String {
    let s = hex::encode_upper(be);
    if s.is_empty() {
        "00".into()
    } else {
        s
    }
}

pub(super) fn colon_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

pub(super) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

pub(super) fn format_ip(bytes: &[u8]) -> String {
    match bytes.len() {
        4 => Ipv4Addr::from(<[u8; 4]>::try_from(bytes).unwrap_or_default()).to_string(),
        16 => Ipv6Addr::from(<[u8; 16]>::try_from(bytes).unwrap_or_default()).to_string(),
        _ => format!("invalid({})", hex::encode(bytes)),
    }
}

pub(super) fn general_name_text(name: &GeneralName<'_>) -> String {
    match name {
        GeneralName::OtherName(oid, _) => format!("otherName:{}", oid.to_id_string()),
        GeneralName::DirectoryName(n) => format!("dirName:{}", format_name(n)),
        GeneralName::RegisteredID(oid) => format!("registeredID:{}", oid.to_id_string()),
        GeneralName::X400Address(_) => "x400Address".into(),
        GeneralName::EDIPartyName(_) => "ediPartyName".into(),
        GeneralName::Invalid(tag, data) => format!("invalid[{}]:{}", tag.0, hex::encode(data)),
        GeneralName::DNSName(d) => format!("DNS:{d}"),
        GeneralName::IPAddress(b) => format!("IP:{}", format_ip(b)),
        GeneralName::RFC822Name(e) => format!("email:{e}"),
        GeneralName::URI(u) => format!("URI:{u}"),
    }
}

pub(super) fn extension_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.29.14" => "subjectKeyIdentifier",
        "2.5.29.15" => "keyUsage",
        "2.5.29.17" => "subjectAltName",
        "2.5.29.18" => "issuerAltName",
        "2.5.29.19" => "basicConstraints",
        "2.5.29.30" => "nameConstraints",
        "2.5.29.31" => "crlDistributionPoints",
        "2.5.29.32" => "certificatePolicies",
        "2.5.29.33" => "policyMappings",
        "2.5.29.35" => "authorityKeyIdentifier",
        "2.5.29.36" => "policyConstraints",
        "2.5.29.37" => "extendedKeyUsage",
        "2.5.29.54" => "inhibitAnyPolicy",
        "1.3.6.1.5.5.7.1.1" => "authorityInfoAccess",
        "1.3.6.1.5.5.7.1.11" => "subjectInfoAccess",
        "1.3.6.1.5.5.7.1.24" => "tlsFeature",
        "1.3.6.1.4.1.11129.2.4.2" => "ctPrecertificateSCTs",
        "1.3.6.1.4.1.11129.2.4.3" => "ctPrecertificatePoison",
        "2.16.840.1.113730.1.1" => "nsCertType",
        "2.16.840.1.113730.1.13" => "nsComment",
        _ => return None,
    })
}

pub(super) fn policy_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.23.140.1.2.1" => "domain validated",
        "2.23.140.1.2.2" => "organization validated",
        "2.23.140.1.2.3" => "individual validated",
        "2.23.140.1.1" => "extended validation",
        "2.5.29.32.0" => "any policy",
        _ => return None,
    })
}

pub(super) fn describe_key(cert: &X509Certificate<'_>, info: &mut CertInfo) {
    let spki = &cert.tbs_certificate.subject_pki;
    let alg = spki.algorithm.algorithm.to_id_string();
    let key = &spki.subject_public_key.data;
    let (ty, bits, curve): (&str, u32, Option<&str>) = match alg.as_str() {
        "1.2.840.113549.1.1.1" => ("RSA", rsa_bits(key), None),
        "1.2.840.113549.1.1.10" => ("RSA-PSS", rsa_bits(key), None),
        "1.2.840.10045.2.1" => {
            let curve_oid = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| o.to_id_string())
                .unwrap_or_default();
            let (name, bits) = match curve_oid.as_str() {
                "1.2.840.10045.3.1.7" => ("P-256", 256),
                "1.3.132.0.34" => ("P-384", 384),
                "1.3.132.0.35" => ("P-521", 521),
                "1.3.132.0.10" => ("secp256k1", 256),
                "1.2.840.10045.3.1.1" => ("P-192", 192),
                "1.3.132.0.33" => ("P-224", 224),
                _ => ("unknown curve", 0),
            };
            ("ECDSA", bits, Some(name))
        }
        "1.3.101.112" => ("Ed25519", 256, None),
        "1.3.101.113" => ("Ed448", 456, None),
        "1.3.101.110" => ("X25519", 256, None),
        "1.3.101.111" => ("X448", 448, None),
        "1.2.840.10040.4.1" => ("DSA", dsa_bits(spki.algorithm.parameters.as_ref()), None),
        "2.16.840.1.101.3.4.3.17" => ("ML-DSA-44", 0, None),
        "2.16.840.1.101.3.4.3.18" => ("ML-DSA-65", 0, None),
        "2.16.840.1.101.3.4.3.19" => ("ML-DSA-87", 0, None),
        _ => {
            info.key_type = alg.clone();
            return;
        }
    };
    info.key_type = ty.to_string();
    info.key_bits = bits;
    info.key_curve = curve.map(str::to_owned);
}

pub(super) fn integer_bits(content: &[u8]) -> u32 {
    let trimmed: &[u8] = match content.iter().position(|b| *b != 0) {
        Some(p) => &content[p..],
        None => return 0,
    };
    (trimmed.len() as u32 - 1) * 8 + (8 - trimmed[0].leading_zeros())
}

pub(super) fn rsa_bits(key: &[u8]) -> u32 {
    der::expect(key, der::SEQUENCE)
        .and_then(|(seq, _)| der::expect(seq.content, 0x02))
        .map(|(n, _)| integer_bits(n.content))
        .unwrap_or(0)
}

pub(super) fn dsa_bits(params: Option<&x509_parser::der_parser::asn1_rs::Any<'_>>) -> u32 {
    // Dss-Parms ::= SEQUENCE { p INTEGER, q INTEGER, g INTEGER }; parameters are the SEQUENCE body.
    params
        .and_then(|p| der::expect(p.data, 0x02))
        .map(|(p, _)| integer_bits(p.content))
        .unwrap_or(0)
}

pub(super) fn tls_feature_has_status_request(value: &[u8]) -> bool {
    let Some((seq, _)) = der::expect(value, der::SEQUENCE) else {
        return false;
    };
    der::all(seq.content)
        .unwrap_or_default()
        .iter()
        .any(|i| i.tag == 0x02 && i.content == [5])
}

/// Verify a certificate's signature with its own public key: `Some(true/false)`, or `None`
/// when the algorithm is not one we can check.
pub(super) fn verify_own_signature(cert_der: &[u8]) -> Option<bool> {
    let (cert, _) = der::expect(cert_der, der::SEQUENCE)?;
    let (tbs, rest) = der::expect(cert.content, der::SEQUENCE)?;
    let (sig_alg, rest) = der::expect(rest, der::SEQUENCE)?;
    let (sig, _) = der::expect(rest, 0x03)?;
    let signature = sig.content.get(1..)?;
    // tbsCertificate: [0] version?, serial, signature, issuer, validity, subject, spki, ...
    let fields = der::all(tbs.content)?;
    let spki = fields.get(if fields.first()?.tag == 0xa0 { 6 } else { 5 })?;
    let (spki_alg, rest) = der::expect(spki.content, der::SEQUENCE)?;
    let (key_bits, _) = der::expect(rest, 0x03)?;
    let public_key = key_bits.content.get(1..)?;
    let mut known = false;
    for alg in webpki::ALL_VERIFICATION_ALGS {
        if alg.public_key_alg_id().as_ref() != spki_alg.content
            || alg.signature_alg_id().as_ref() != sig_alg.content
        {
            continue;
        }
        known = true;
        if alg.verify_signature(public_key, tbs.raw, signature).is_ok() {
            return Some(true);
        }
    }
    if known {
        Some(false)
    } else {
        None
    }
}
