//! Signature algorithms: the strict set rustls accepts, and the legacy ones for the second pass.

use super::*;

/// The algorithms rustls (aws-lc-rs provider) accepts in certificates.
pub(super) fn strict_algs() -> &'static [&'static dyn SignatureVerificationAlgorithm] {
    static ALGS: std::sync::OnceLock<&'static [&'static dyn SignatureVerificationAlgorithm]> =
        std::sync::OnceLock::new();
    ALGS.get_or_init(|| {
        rustls::crypto::aws_lc_rs::default_provider()
            .signature_verification_algorithms
            .all
    })
}

/// A signature algorithm modern verifiers refuse, for the second, "would it verify otherwise"
/// pass: SHA-1 (RSA, ECDSA P-256) and RSA keys of 1024–2047 bits.
#[derive(Debug)]
pub(super) struct LegacyAlg {
    pub(super) public_key: AlgorithmIdentifier,
    pub(super) signature: AlgorithmIdentifier,
    pub(super) verify: &'static dyn aws_lc_rs::signature::VerificationAlgorithm,
}

impl SignatureVerificationAlgorithm for LegacyAlg {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> std::result::Result<(), InvalidSignature> {
        aws_lc_rs::signature::UnparsedPublicKey::new(self.verify, public_key)
            .verify(message, signature)
            .map_err(|_| InvalidSignature)
    }
    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        self.public_key
    }
    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.signature
    }
    fn fips(&self) -> bool {
        false
    }
}

pub(super) static RSA_SHA1: aws_lc_rs::signature::RsaParameters =
    aws_lc_rs::signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY;
pub(super) static RSA1024_SHA256: aws_lc_rs::signature::RsaParameters =
    aws_lc_rs::signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY;
pub(super) static RSA1024_SHA512: aws_lc_rs::signature::RsaParameters =
    aws_lc_rs::signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY;
pub(super) static ECDSA_P256_SHA1: aws_lc_rs::signature::EcdsaVerificationAlgorithm =
    aws_lc_rs::signature::ECDSA_P256_SHA1_ASN1;

// sha1WithRSAEncryption (1.2.840.113549.1.1.5) with NULL parameters and without.
pub(super) const SHA1_RSA_ID: AlgorithmIdentifier = AlgorithmIdentifier::from_slice(&[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05, 0x05, 0x00,
]);
pub(super) const SHA1_RSA_ABSENT_ID: AlgorithmIdentifier = AlgorithmIdentifier::from_slice(&[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05,
]);
// ecdsa-with-SHA1 (1.2.840.10045.4.1).
pub(super) const SHA1_ECDSA_ID: AlgorithmIdentifier =
    AlgorithmIdentifier::from_slice(&[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01]);

pub(super) static LEGACY: [LegacyAlg; 5] = [
    LegacyAlg {
        public_key: alg_id::RSA_ENCRYPTION,
        signature: SHA1_RSA_ID,
        verify: &RSA_SHA1,
    },
    LegacyAlg {
        public_key: alg_id::RSA_ENCRYPTION,
        signature: SHA1_RSA_ABSENT_ID,
        verify: &RSA_SHA1,
    },
    LegacyAlg {
        public_key: alg_id::RSA_ENCRYPTION,
        signature: alg_id::RSA_PKCS1_SHA256,
        verify: &RSA1024_SHA256,
    },
    LegacyAlg {
        public_key: alg_id::RSA_ENCRYPTION,
        signature: alg_id::RSA_PKCS1_SHA512,
        verify: &RSA1024_SHA512,
    },
    LegacyAlg {
        public_key: alg_id::ECDSA_P256,
        signature: SHA1_ECDSA_ID,
        verify: &ECDSA_P256_SHA1,
    },
];

pub(super) fn legacy_algs() -> impl Iterator<Item = &'static dyn SignatureVerificationAlgorithm> {
    LEGACY
        .iter()
        .map(|a| a as &'static dyn SignatureVerificationAlgorithm)
}

/// Legacy algorithms first: rustls-webpki uses the first algorithm whose identifiers match, and
/// the legacy RSA entries share theirs with the modern ones (only the key size limit differs).
pub(super) fn strict_and_legacy() -> Vec<&'static dyn SignatureVerificationAlgorithm> {
    legacy_algs().chain(strict_algs().iter().copied()).collect()
}
