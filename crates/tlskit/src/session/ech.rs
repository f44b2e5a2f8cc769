//! Encrypted Client Hello (RFC 9849) for the rustls client, shared by `connect --ech-config`
//! and the scan's `ech` check: reading an ECHConfigList from a file, which configuration of a
//! list rustls will use, and the client configuration that offers it.

use crate::error::{Error, Result};
use rustls::client::{EchConfig, EchMode};
use rustls::pki_types::EchConfigListBytes;
use tlskit_wire::ech::{EchConfig as WireConfig, EchConfigContents, EchConfigList, HpkeSuite};

/// The HPKE suites tlskit's ECH client offers (rustls with aws-lc-rs).
pub fn hpke_suites() -> &'static [&'static dyn rustls::crypto::hpke::Hpke] {
    rustls::crypto::aws_lc_rs::hpke::ALL_SUPPORTED_SUITES
}

/// Whether rustls' client can use this HPKE combination.
fn usable_suite(kem: u16, s: &HpkeSuite) -> bool {
    hpke_suites().iter().any(|h| {
        let hs = h.suite();
        u16::from(hs.kem) == kem
            && u16::from(hs.sym.kdf_id) == s.kdf
            && u16::from(hs.sym.aead_id) == s.aead
    })
}

/// The configuration of `list` an ECH client picks (the first of version 0xfe0d with no
/// mandatory extension and an HPKE suite rustls supports, as rustls picks it), if any.
pub fn chosen(list: &EchConfigList) -> Option<&EchConfigContents> {
    list.0.iter().find_map(|c| match c {
        WireConfig::V0xfe0d(c)
            if !c.extensions.iter().any(|e| e.mandatory())
                && c.cipher_suites.iter().any(|s| usable_suite(c.kem_id, s)) =>
        {
            Some(c)
        }
        _ => None,
    })
}

/// Read an `--ech-config FILE`: the PEM `openssl ech` writes (an `ECHCONFIG` block; a private
/// key beside it is ignored), one line of base64 (a DNS HTTPS record's `ech=` value), or the raw
/// ECHConfigList. A file that holds none of these is a usage error naming it.
pub fn read_config_file(path: &std::path::Path) -> Result<Vec<u8>> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::usage(format!("--ech-config: cannot read {}: {e}", path.display())))?;
    parse_config_file(&bytes).map_err(|why| {
        Error::usage(format!(
            "--ech-config: {} holds no ECHConfigList ({why}); give the PEM of `openssl ech`, the base64 of a DNS HTTPS record's ech= value, or the raw list",
            path.display()
        ))
    })
}

/// The ECHConfigList in a file's bytes (see [`read_config_file`]), checked to decode.
pub fn parse_config_file(bytes: &[u8]) -> std::result::Result<Vec<u8>, String> {
    let candidate = if EchConfigList::parse(bytes).is_ok() {
        bytes.to_vec()
    } else {
        let text = std::str::from_utf8(bytes).map_err(|_| "neither text nor a valid list")?;
        let body: String = match text.find("-----BEGIN ECHCONFIG-----") {
            Some(start) => {
                let rest = &text[start + "-----BEGIN ECHCONFIG-----".len()..];
                let end = rest
                    .find("-----END ECHCONFIG-----")
                    .ok_or("an ECHCONFIG block without its END line")?;
                rest[..end].split_whitespace().collect()
            }
            None if text.contains("-----BEGIN") => {
                return Err("a PEM file without an ECHCONFIG block".into())
            }
            None => text.split_whitespace().collect(),
        };
        crate::base64::decode_lenient(&body).ok_or("neither a valid list nor base64 text")?
    };
    EchConfigList::parse(&candidate).map_err(|e| e.to_string())?;
    Ok(candidate)
}

/// What a client offering ECH with a list will show and hide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EchOffer {
    /// The name the outer (clear) ClientHello carries as its SNI: the configuration's
    /// public_name (as sent; text output escapes it).
    pub public_name: String,
    /// The id of the configuration used (the server finds its key by it).
    pub config_id: u8,
}

/// The rustls ECH mode for an ECHConfigList, and what the offer will look like. An error (a
/// usage error naming `--ech-config`) when no configuration of the list is one rustls can use.
pub fn client_mode(list: &[u8]) -> Result<(EchMode, EchOffer)> {
    let parsed = EchConfigList::parse(list)
        .map_err(|e| Error::usage(format!("--ech-config: not an ECHConfigList: {e}")))?;
    let c = chosen(&parsed).ok_or_else(|| {
        Error::usage(
            "--ech-config: no configuration in the list is one tlskit can use (version 0xfe0d, no mandatory extension, an HPKE suite of X25519/P-256/P-384/P-521 with AES-GCM or ChaCha20-Poly1305)",
        )
    })?;
    let offer = EchOffer {
        public_name: String::from_utf8_lossy(&c.public_name).into_owned(),
        config_id: c.config_id,
    };
    let config =
        EchConfig::new(EchConfigListBytes::from(list.to_vec()), hpke_suites()).map_err(|e| {
            Error::usage(format!(
                "--ech-config: the configuration cannot be used: {e}"
            ))
        })?;
    Ok((EchMode::Enable(config), offer))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEM: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VuBCIEIHBdrsjX96ERx3oNQnZC2QjnWT8Qt8IaLm3c4nZdUNtm\n-----END PRIVATE KEY-----\n-----BEGIN ECHCONFIG-----\nAD7+DQA6rQAgACB3RU9Jsg6cs7ZVXqqGU/DXIT/sOhisCw2sk8vonYulMAAEAAEA\nAQALZXhhbXBsZS5jb20AAA==\n-----END ECHCONFIG-----\n";

    #[test]
    fn config_files_in_each_form() {
        let from_pem = parse_config_file(PEM.as_bytes()).unwrap();
        assert_eq!(from_pem.len(), 0x3e + 2);
        let line = "AD7+DQA6rQAgACB3RU9Jsg6cs7ZVXqqGU/DXIT/sOhisCw2sk8vonYulMAAEAAEAAQALZXhhbXBsZS5jb20AAA==\n";
        assert_eq!(parse_config_file(line.as_bytes()).unwrap(), from_pem);
        assert_eq!(parse_config_file(&from_pem).unwrap(), from_pem);
        assert!(parse_config_file(
            b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
        )
        .is_err());
        assert!(parse_config_file(b"not base64 !").is_err());
        assert!(parse_config_file(&[0xff, 0xfe, 0]).is_err());
    }

    #[test]
    fn the_offer_names_the_public_name_and_config_id() {
        let list = parse_config_file(PEM.as_bytes()).unwrap();
        let (_, offer) = client_mode(&list).unwrap();
        assert_eq!(offer.public_name, "example.com");
        assert_eq!(offer.config_id, 0xad);
        assert!(client_mode(&list[..10]).is_err());
    }
}
