//! Signed Certificate Timestamps embedded in a certificate (RFC 6962 section 3.3, the
//! extension 1.3.6.1.4.1.11129.2.4.2, parsed by x509-parser), each with its log named when it
//! is one of a small table of well-known logs.

use serde::{Deserialize, Serialize};
use x509_parser::extensions::ParsedExtension;

/// One embedded SCT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sct {
    /// The log's id (SHA-256 of its public key), base64 as CT log lists write it.
    pub log_id: String,
    /// When the log promised to include the certificate, RFC 3339 UTC (milliseconds dropped).
    pub timestamp: String,
    /// The log's name when [`KNOWN_LOGS`] has it, else null.
    pub log_name: Option<String>,
}

/// Well-known CT logs by id (base64), as Google's CT log list (log_list.json and
/// all_logs_list.json, public data published by Google for Chrome's CT policy) names them; taken
/// 2026-12-03. Logs not here are listed with their id and a null name.
pub const KNOWN_LOGS: &[(&str, &str)] = &[
    (
        "aPaY+B9kgr46jO65KB1M/HFRXWeT1ETRCmesu09P+8Q=",
        "Google 'Aviator' log",
    ),
    (
        "KTxRllTIOWW6qlD8WAfUt2+/WHopctykwwz05UVH9Hg=",
        "Google 'Icarus' log",
    ),
    (
        "pLkJkLQYWBSHuxOizGdwCjw1mAT5G9+443fNDsgN3BA=",
        "Google 'Pilot' log",
    ),
    (
        "7ku9t3XOYLrhQmkfq+GeZqMPfl+wctiDAMR7iXqo/cs=",
        "Google 'Rocketeer' log",
    ),
    (
        "u9nfvB+KcbWTlCOXqpJ7RzhXlQqrUugakJZkNo4e0YU=",
        "Google 'Skydiver' log",
    ),
    (
        "pFASaQVaFVReYhGrN7wQP2KuVXakXksXFEU+GyIQaiU=",
        "Google 'Argon2018' log",
    ),
    (
        "Y/Lbzeg7zCzPC3KEJ1drM6SNYXePvXWmOLHHaFRL2I0=",
        "Google 'Argon2019' log",
    ),
    (
        "sh4FzIuizYogTodm+Su5iiUgZ2va+nDnsklTLe+LkF4=",
        "Google 'Argon2020' log",
    ),
    (
        "9lyUL9F3MCIUVBgIMJRWjuNNExkzv98MLyALzE7xZOM=",
        "Google 'Argon2021' log",
    ),
    (
        "KXm+8J45OSHwVnOfY6V35b5XfZxgCvj5TV0mXCVdx4Q=",
        "Google 'Argon2022' log",
    ),
    (
        "6D7Q2j71BjUy51covIlryQPTy9ERa+zraeF3fW0GvW4=",
        "Google 'Argon2023' log",
    ),
    (
        "1219ENGn9XfCx+lf1wC/+YLJM1pl4dCzAXMXwMjFaXc=",
        "Google 'Argon2026h2' log",
    ),
    (
        "1tWNqdAXU/NqSqDHV0kCr+vH3CzTjNn3ZMgMiRkenwI=",
        "Google 'Argon2027h1' log",
    ),
    (
        "fT7y+I//iFVoJMLAyp5SiXkrxQ54CX8uapdomX4i8Nc=",
        "Google 'Xenon2021' log",
    ),
    (
        "RqVV63X6kSAwtaKJafTzfREsQXS+/Um4havy/HD+bUc=",
        "Google 'Xenon2022' log",
    ),
    (
        "rfe++nz/EMiLnT2cHj4YarRnKV3PsQwkyoWGNOvcgoo=",
        "Google 'Xenon2023' log",
    ),
    (
        "RJRlLrDuzq/EQAfYqP4owNrmgr7YyzG1P9MzlrW2gag=",
        "Cloudflare 'Nimbus2021' Log",
    ),
    (
        "lCC8Ho7VjWyIcx+CiyIsDdHaTV5sT5Q9YdtOL1hNosI=",
        "Let's Encrypt 'Oak2021' log",
    ),
    (
        "36Veq2iCTx9sre64X04+WurNohKkal6OOxLAIERcKnM=",
        "Let's Encrypt 'Oak2022' log",
    ),
    (
        "tz77JN+cTbp18jnFulj0bF38Qs96nzXEnh0JgSXttJk=",
        "Let's Encrypt 'Oak2023' log",
    ),
    (
        "VYHUwhaQNgFK6gubVzxT8MDkOHhwJQgXL6OqHQcT0ww=",
        "Sectigo 'Sabre' CT log",
    ),
    (
        "b1N2rDHwMRnYmQCkURX/dxUcEdkCwQApBo2yCJo32RM=",
        "Sectigo 'Mammoth' CT log",
    ),
];

/// The name of a log by its base64 id.
pub fn log_name(id_b64: &str) -> Option<&'static str> {
    KNOWN_LOGS
        .iter()
        .find(|(i, _)| *i == id_b64)
        .map(|(_, n)| *n)
}

/// The SCTs embedded in a DER certificate (none when it has no such extension or is
/// unparsable: the chain analysis reports unparsable certificates itself).
pub fn embedded(der: &[u8]) -> Vec<Sct> {
    let Ok((_, cert)) = x509_parser::parse_x509_certificate(der) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for ext in cert.extensions() {
        if let ParsedExtension::SCT(list) = ext.parsed_extension() {
            for s in list {
                let log_id = crate::base64::encode(s.id.key_id);
                let secs = i64::try_from(s.timestamp / 1000).unwrap_or(i64::MAX);
                let timestamp = time::OffsetDateTime::from_unix_timestamp(secs)
                    .ok()
                    .and_then(|t| {
                        t.format(&time::format_description::well_known::Rfc3339)
                            .ok()
                    })
                    .unwrap_or_else(|| format!("{} ms after 1970", s.timestamp));
                out.push(Sct {
                    log_name: log_name(&log_id).map(str::to_string),
                    log_id,
                    timestamp,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A public Let's Encrypt certificate of 2019 (lists.for-our.info) with two embedded SCTs
    /// (the fixture x509-parser's tests use; public data).
    const LEAF: &str = include_str!("../../../tests/data/sct_leaf_2019.pem");

    fn der() -> Vec<u8> {
        let b64: String = LEAF.lines().filter(|l| !l.starts_with("-----")).collect();
        crate::base64::decode_lenient(&b64).unwrap()
    }

    #[test]
    fn scts_of_a_public_certificate_are_listed_with_their_logs() {
        let got = embedded(&der());
        assert_eq!(
            got,
            vec![
                Sct {
                    log_id: "KTxRllTIOWW6qlD8WAfUt2+/WHopctykwwz05UVH9Hg=".into(),
                    timestamp: "2019-07-12T12:12:30Z".into(),
                    log_name: Some("Google 'Icarus' log".into()),
                },
                Sct {
                    log_id: "b1N2rDHwMRnYmQCkURX/dxUcEdkCwQApBo2yCJo32RM=".into(),
                    timestamp: "2019-07-12T12:12:30Z".into(),
                    log_name: Some("Sectigo 'Mammoth' CT log".into()),
                },
            ]
        );
    }

    #[test]
    fn no_scts_and_garbage_give_none() {
        assert!(embedded(b"not a certificate").is_empty());
        let ids: std::collections::BTreeSet<_> = KNOWN_LOGS.iter().map(|(i, _)| *i).collect();
        assert_eq!(ids.len(), KNOWN_LOGS.len());
        for (id, _) in KNOWN_LOGS {
            assert_eq!(crate::base64::decode_lenient(id).unwrap().len(), 32, "{id}");
        }
    }
}
