//! The ServerKeyExchange message (TLS ≤ 1.2): ECDHE, finite-field DHE and RSA_EXPORT parameters
//! and their signature. Its format depends on the negotiated suite ([`KxHint`]).

use crate::codec::{put_bytes_u16, put_bytes_u8, put_u16, put_u8, DecodeError, Reader};
use crate::version::Version;

/// The kind of key exchange a ServerKeyExchange carries; the message format depends on it and
/// cannot be told from the bytes alone. Derive it from the negotiated cipher suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KxHint {
    /// ECDHE(_RSA/_ECDSA) and anonymous ECDH: ECParameters + point, then a signature unless anonymous.
    Ecdhe,
    /// DHE(_RSA/_DSS) and anonymous DH: p, g, Ys, then a signature unless anonymous.
    Dhe,
    /// RSA_EXPORT (and RSA with an over-long key): a temporary RSA key (modulus, exponent), signed.
    RsaExport,
    /// PSK: a psk_identity_hint only.
    Psk,
    /// DHE_PSK: identity hint + DH params, no signature.
    DhePsk,
    /// ECDHE_PSK: identity hint + EC params, no signature.
    EcdhePsk,
    /// Not known: try ECDHE, then DHE, then RSA_EXPORT, accepting the first that parses exactly.
    Unknown,
}

/// ECDHE server parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcdheParams {
    /// ECCurveType: 3 = named_curve, 1 = explicit_prime, 2 = explicit_char2 (deprecated).
    pub curve_type: u8,
    /// The named group (for named_curve).
    pub named_group: Option<u16>,
    /// For explicit curves: the raw curve parameters.
    pub explicit_curve: Vec<u8>,
    /// The server's public point / key.
    pub public: Vec<u8>,
}

/// Finite-field DHE server parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DheParams {
    /// The prime p (big-endian, as sent).
    pub p: Vec<u8>,
    /// The generator g.
    pub g: Vec<u8>,
    /// The server's public value Ys.
    pub ys: Vec<u8>,
}

/// Temporary RSA key of an RSA_EXPORT ServerKeyExchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsaParams {
    /// The modulus (big-endian).
    pub modulus: Vec<u8>,
    /// The public exponent.
    pub exponent: Vec<u8>,
}

/// The bit length of a big-endian unsigned integer (leading zero bytes and bits ignored).
pub fn bit_length(be: &[u8]) -> usize {
    match be.iter().position(|&b| b != 0) {
        Some(i) => (be.len() - i - 1) * 8 + (8 - be[i].leading_zeros() as usize),
        None => 0,
    }
}

impl DheParams {
    /// The bit length of p.
    pub fn prime_bits(&self) -> usize {
        bit_length(&self.p)
    }

    /// p with leading zero bytes removed.
    pub fn prime(&self) -> &[u8] {
        strip_zeros(&self.p)
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let p = nonempty(r.bytes_u16()?, "an empty DH prime")?;
        let g = nonempty(r.bytes_u16()?, "an empty DH generator")?;
        let ys = nonempty(r.bytes_u16()?, "an empty DH public value")?;
        Ok(DheParams {
            p: p.to_vec(),
            g: g.to_vec(),
            ys: ys.to_vec(),
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        put_bytes_u16(out, &self.p);
        put_bytes_u16(out, &self.g);
        put_bytes_u16(out, &self.ys);
    }
}

impl RsaParams {
    /// The bit length of the modulus.
    pub fn modulus_bits(&self) -> usize {
        bit_length(&self.modulus)
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let modulus = nonempty(r.bytes_u16()?, "an empty RSA modulus")?;
        let exponent = nonempty(r.bytes_u16()?, "an empty RSA exponent")?;
        Ok(RsaParams {
            modulus: modulus.to_vec(),
            exponent: exponent.to_vec(),
        })
    }
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let i = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    &b[i..]
}

fn nonempty<'a>(b: &'a [u8], what: &'static str) -> Result<&'a [u8], DecodeError> {
    if b.is_empty() {
        Err(DecodeError::InvalidValue(what))
    } else {
        Ok(b)
    }
}

impl EcdheParams {
    /// curve_type named_curve.
    pub const NAMED_CURVE: u8 = 3;
    /// curve_type explicit_prime.
    pub const EXPLICIT_PRIME: u8 = 1;
    /// curve_type explicit_char2.
    pub const EXPLICIT_CHAR2: u8 = 2;

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let curve_type = r.u8()?;
        let start = r.position();
        let mut named_group = None;
        let whole = r.clone();
        match curve_type {
            Self::NAMED_CURVE => named_group = Some(r.u16()?),
            Self::EXPLICIT_PRIME => {
                r.bytes_u8()?; // prime_p
                r.bytes_u8()?; // curve.a
                r.bytes_u8()?; // curve.b
                r.bytes_u8()?; // base point
                r.bytes_u8()?; // order
                r.bytes_u8()?; // cofactor
            }
            Self::EXPLICIT_CHAR2 => {
                r.u16()?; // m
                match r.u8()? {
                    1 => {
                        r.bytes_u8()?; // k (trinomial)
                    }
                    2 => {
                        r.bytes_u8()?; // k1
                        r.bytes_u8()?; // k2
                        r.bytes_u8()?; // k3
                    }
                    _ => return Err(DecodeError::InvalidValue("an unknown ECBasisType")),
                }
                r.bytes_u8()?; // curve.a
                r.bytes_u8()?; // curve.b
                r.bytes_u8()?; // base point
                r.bytes_u8()?; // order
                r.bytes_u8()?; // cofactor
            }
            _ => return Err(DecodeError::InvalidValue("an unknown ECCurveType")),
        }
        let explicit_curve = if named_group.is_none() {
            let mut w = whole;
            w.take(r.position() - start)?.to_vec()
        } else {
            Vec::new()
        };
        let public = nonempty(r.bytes_u8()?, "an empty ECDH public value")?.to_vec();
        Ok(EcdheParams {
            curve_type,
            named_group,
            explicit_curve,
            public,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        put_u8(out, self.curve_type);
        match self.named_group {
            Some(g) => put_u16(out, g),
            None => out.extend_from_slice(&self.explicit_curve),
        }
        put_bytes_u8(out, &self.public);
    }
}

/// The signature at the end of a ServerKeyExchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkeSignature {
    /// TLS 1.2: the SignatureScheme / (hash, signature) pair. `None` before TLS 1.2 (MD5+SHA1
    /// for RSA, SHA-1 for DSA/ECDSA).
    pub scheme: Option<u16>,
    /// The signature bytes.
    pub signature: Vec<u8>,
}

impl SkeSignature {
    fn read(r: &mut Reader<'_>, tls12: bool) -> Result<Self, DecodeError> {
        let scheme = if tls12 { Some(r.u16()?) } else { None };
        let signature = r.bytes_u16()?.to_vec();
        Ok(SkeSignature { scheme, signature })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        if let Some(s) = self.scheme {
            put_u16(out, s);
        }
        put_bytes_u16(out, &self.signature);
    }
}

/// A parsed ServerKeyExchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerKeyExchange {
    /// ECDHE parameters; `signature` is `None` for anonymous ECDH.
    Ecdhe {
        /// The parameters.
        params: EcdheParams,
        /// The signature.
        signature: Option<SkeSignature>,
    },
    /// DHE parameters; `signature` is `None` for anonymous DH.
    Dhe {
        /// The parameters.
        params: DheParams,
        /// The signature.
        signature: Option<SkeSignature>,
    },
    /// An RSA_EXPORT temporary key.
    RsaExport {
        /// The temporary key.
        params: RsaParams,
        /// The signature.
        signature: Option<SkeSignature>,
    },
    /// PSK identity hint.
    Psk {
        /// The hint.
        identity_hint: Vec<u8>,
    },
    /// DHE_PSK: hint + DH parameters.
    DhePsk {
        /// The hint.
        identity_hint: Vec<u8>,
        /// The parameters.
        params: DheParams,
    },
    /// ECDHE_PSK: hint + EC parameters.
    EcdhePsk {
        /// The hint.
        identity_hint: Vec<u8>,
        /// The parameters.
        params: EcdheParams,
    },
}

impl ServerKeyExchange {
    /// Parse a ServerKeyExchange body. `version` is the negotiated version (from 0x0303 on, the
    /// signature is preceded by a 2-byte SignatureScheme). Trailing bytes are an error; an
    /// absent signature (anonymous suites) is accepted.
    pub fn parse(body: &[u8], kx: KxHint, version: u16) -> Result<Self, DecodeError> {
        let tls12 = version >= Version::Tls12.wire();
        match kx {
            KxHint::Unknown => {
                let mut first_err = None;
                for k in [KxHint::Ecdhe, KxHint::Dhe, KxHint::RsaExport] {
                    match Self::parse(body, k, version) {
                        Ok(v) => return Ok(v),
                        Err(e) => {
                            first_err.get_or_insert(e);
                        }
                    }
                }
                Err(first_err.unwrap_or(DecodeError::InvalidValue("ServerKeyExchange")))
            }
            KxHint::Ecdhe => {
                let mut r = Reader::new(body);
                let params = EcdheParams::read(&mut r)?;
                let signature = read_signature(&mut r, tls12)?;
                Ok(ServerKeyExchange::Ecdhe { params, signature })
            }
            KxHint::Dhe => {
                let mut r = Reader::new(body);
                let params = DheParams::read(&mut r)?;
                let signature = read_signature(&mut r, tls12)?;
                Ok(ServerKeyExchange::Dhe { params, signature })
            }
            KxHint::RsaExport => {
                let mut r = Reader::new(body);
                let params = RsaParams::read(&mut r)?;
                let signature = read_signature(&mut r, tls12)?;
                Ok(ServerKeyExchange::RsaExport { params, signature })
            }
            KxHint::Psk => {
                let mut r = Reader::new(body);
                let identity_hint = r.bytes_u16()?.to_vec();
                r.expect_empty("ServerKeyExchange")?;
                Ok(ServerKeyExchange::Psk { identity_hint })
            }
            KxHint::DhePsk => {
                let mut r = Reader::new(body);
                let identity_hint = r.bytes_u16()?.to_vec();
                let params = DheParams::read(&mut r)?;
                r.expect_empty("ServerKeyExchange")?;
                Ok(ServerKeyExchange::DhePsk {
                    identity_hint,
                    params,
                })
            }
            KxHint::EcdhePsk => {
                let mut r = Reader::new(body);
                let identity_hint = r.bytes_u16()?.to_vec();
                let params = EcdheParams::read(&mut r)?;
                r.expect_empty("ServerKeyExchange")?;
                Ok(ServerKeyExchange::EcdhePsk {
                    identity_hint,
                    params,
                })
            }
        }
    }

    /// The named group for ECDHE / ECDHE_PSK with a named curve.
    pub fn named_group(&self) -> Option<u16> {
        match self {
            ServerKeyExchange::Ecdhe { params, .. }
            | ServerKeyExchange::EcdhePsk { params, .. } => params.named_group,
            _ => None,
        }
    }

    /// The DH parameters for DHE / DHE_PSK.
    pub fn dh_params(&self) -> Option<&DheParams> {
        match self {
            ServerKeyExchange::Dhe { params, .. } | ServerKeyExchange::DhePsk { params, .. } => {
                Some(params)
            }
            _ => None,
        }
    }

    /// The signature, if any.
    pub fn signature(&self) -> Option<&SkeSignature> {
        match self {
            ServerKeyExchange::Ecdhe { signature, .. }
            | ServerKeyExchange::Dhe { signature, .. }
            | ServerKeyExchange::RsaExport { signature, .. } => signature.as_ref(),
            _ => None,
        }
    }

    /// Encode the body (for tests and servers in test harnesses).
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            ServerKeyExchange::Ecdhe { params, signature } => {
                params.encode(out);
                if let Some(s) = signature {
                    s.encode(out);
                }
            }
            ServerKeyExchange::Dhe { params, signature } => {
                params.encode(out);
                if let Some(s) = signature {
                    s.encode(out);
                }
            }
            ServerKeyExchange::RsaExport { params, signature } => {
                put_bytes_u16(out, &params.modulus);
                put_bytes_u16(out, &params.exponent);
                if let Some(s) = signature {
                    s.encode(out);
                }
            }
            ServerKeyExchange::Psk { identity_hint } => put_bytes_u16(out, identity_hint),
            ServerKeyExchange::DhePsk {
                identity_hint,
                params,
            } => {
                put_bytes_u16(out, identity_hint);
                params.encode(out);
            }
            ServerKeyExchange::EcdhePsk {
                identity_hint,
                params,
            } => {
                put_bytes_u16(out, identity_hint);
                params.encode(out);
            }
        }
    }
}

fn read_signature(r: &mut Reader<'_>, tls12: bool) -> Result<Option<SkeSignature>, DecodeError> {
    if r.is_empty() {
        return Ok(None);
    }
    let s = SkeSignature::read(r, tls12)?;
    r.expect_empty("ServerKeyExchange")?;
    Ok(Some(s))
}
