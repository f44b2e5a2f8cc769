//! Base64 (RFC 4648) for every place that writes or reads it: PEM bodies, Basic credentials,
//! OCSP requests in a GET path, CT log ids. One implementation: the `base64` crate.

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;

/// Standard alphabet with padding, as PEM and HTTP Basic write it.
pub fn encode(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// Peer-written base64 read leniently: whitespace around it ignored, padding optional, the
/// standard or the URL-safe alphabet (OCSP GET paths use either), unused trailing bits ignored.
/// `None` if it is not base64 at all.
pub fn decode_lenient(text: &str) -> Option<Vec<u8>> {
    const CONFIG: GeneralPurposeConfig = GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true);
    const STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, CONFIG);
    const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, CONFIG);
    let text = text.trim();
    STANDARD
        .decode(text)
        .or_else(|_| URL_SAFE.decode(text))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // RFC 4648 section 10.
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), coded);
            assert_eq!(decode_lenient(coded).unwrap(), plain.as_bytes());
            assert_eq!(
                decode_lenient(coded.trim_end_matches('=')).unwrap(),
                plain.as_bytes()
            );
        }
    }

    #[test]
    fn lenient_reading() {
        assert_eq!(
            decode_lenient(" YWxpY2U6c2VjcmV0 \r\n").unwrap(),
            b"alice:secret"
        );
        // 0xfb 0xff as standard and URL-safe.
        assert_eq!(decode_lenient("+/8=").unwrap(), [0xfb, 0xff]);
        assert_eq!(decode_lenient("-_8").unwrap(), [0xfb, 0xff]);
        // Trailing bits that a strict decoder refuses.
        assert_eq!(decode_lenient("Zh").unwrap(), b"f");
        assert!(decode_lenient("Zm9v!").is_none());
        assert!(decode_lenient("Z").is_none());
    }
}
