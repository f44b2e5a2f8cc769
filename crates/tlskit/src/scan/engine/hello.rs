//! ClientHellos for probing: one builder call per question the scanner asks.

use tlskit_wire::client_hello::ClientHelloBuilder;
use tlskit_wire::extensions::KeyShareEntry;
use tlskit_wire::registry::{self, GroupKind};
use tlskit_wire::version::Version;

/// Cipher suites a ClientHello for `version` may offer: every registry suite valid at that version
/// (TLS 1.3 suites only for TLS 1.3, and none of them below).
pub fn candidate_suites(version: Version) -> Vec<u16> {
    registry::cipher_suites()
        .iter()
        .filter(|s| !s.scsv)
        .filter(|s| {
            if version == Version::Tls13 {
                s.tls13
            } else {
                !s.tls13 && s.min_version <= version
            }
        })
        .map(|s| s.id)
        .collect()
}

/// Every elliptic-curve group (for TLS ≤ 1.2 supported_groups), then the finite-field ones.
pub fn all_tls12_groups() -> Vec<u16> {
    let mut v: Vec<u16> = registry::named_groups()
        .iter()
        .filter(|g| matches!(g.kind, GroupKind::Ec | GroupKind::Ecx) && g.id < 0xff00)
        .map(|g| g.id)
        .collect();
    v.extend(
        registry::named_groups()
            .iter()
            .filter(|g| g.kind == GroupKind::Ffdhe)
            .map(|g| g.id),
    );
    v
}

/// Groups worth asking a TLS 1.3 server about.
pub fn all_tls13_groups() -> Vec<u16> {
    registry::named_groups()
        .iter()
        .filter(|g| {
            g.id < 0xff00
                && (matches!(
                    g.kind,
                    GroupKind::Ffdhe | GroupKind::Hybrid | GroupKind::Pqc
                ) || matches!(
                    g.id,
                    0x001d | 0x001e | 0x0017 | 0x0018 | 0x0019 | 0x001f | 0x0020 | 0x0021 | 0x0029
                ))
        })
        .map(|g| g.id)
        .collect()
}

/// Every signature scheme in the registry (for probing acceptance).
pub fn all_signature_schemes() -> Vec<u16> {
    registry::signature_schemes().iter().map(|s| s.id).collect()
}

/// What to put in a probe.
#[derive(Debug, Clone)]
pub struct HelloSpec {
    pub version: Version,
    pub suites: Vec<u16>,
    /// SNI (skipped for IP literals and when None).
    pub sni: Option<String>,
    /// supported_groups override.
    pub groups: Option<Vec<u16>>,
    /// signature_algorithms override (TLS 1.2/1.3).
    pub sigalgs: Option<Vec<u16>>,
    /// TLS 1.3 key shares (empty: the server answers with a HelloRetryRequest naming its group).
    pub key_shares: Vec<KeyShareEntry>,
    /// Extra suites appended (e.g. TLS_FALLBACK_SCSV).
    pub extra_suites: Vec<u16>,
    /// Offer these compression methods instead of just null.
    pub compression: Option<Vec<u8>>,
    /// ALPN protocols.
    pub alpn: Vec<String>,
    /// Request an OCSP staple.
    pub status_request: bool,
    /// Random bytes for the client random.
    pub random: [u8; 32],
}

impl HelloSpec {
    pub fn new(version: Version, suites: Vec<u16>, sni: Option<String>) -> Self {
        HelloSpec {
            version,
            suites,
            sni,
            groups: None,
            sigalgs: None,
            key_shares: Vec::new(),
            extra_suites: Vec::new(),
            compression: None,
            alpn: Vec::new(),
            status_request: true,
            random: random32(),
        }
    }

    /// The ClientHello as record bytes.
    pub fn build(&self) -> Vec<u8> {
        self.builder().build_record()
    }

    /// The builder behind [`HelloSpec::build`], for checks that add or drop extensions (heartbeat,
    /// encrypt_then_mac, a session id …) before building.
    pub fn builder(&self) -> ClientHelloBuilder {
        let mut suites = self.suites.clone();
        suites.extend(&self.extra_suites);
        let mut b = ClientHelloBuilder::for_version(self.version, &suites, self.sni.as_deref())
            .with_random(self.random);
        if self.version >= Version::Tls10 {
            let groups = self.groups.clone().unwrap_or_else(|| {
                if self.version == Version::Tls13 {
                    let mut g = all_tls13_groups();
                    // Put the common ones first so a server without preference picks one of them.
                    g.sort_by_key(|id| match id {
                        0x001d => 0,
                        0x0017 => 1,
                        0x0018 => 2,
                        _ => 3,
                    });
                    g
                } else {
                    all_tls12_groups()
                }
            });
            b = b.supported_groups(&groups);
            if self.status_request {
                b = b.status_request();
            }
            if !self.alpn.is_empty() {
                b = b.alpn(
                    &self
                        .alpn
                        .iter()
                        .map(|s| s.as_bytes().to_vec())
                        .collect::<Vec<_>>(),
                );
            }
        }
        if self.version >= Version::Tls12 {
            if let Some(s) = &self.sigalgs {
                b = b.signature_algorithms(s);
            } else {
                b = b.signature_algorithms(&all_signature_schemes());
            }
        }
        if self.version == Version::Tls13 {
            b = b.key_shares(&self.key_shares);
        }
        if let Some(c) = &self.compression {
            b = b.compression_methods(c.clone());
        }
        b.padding(tlskit_wire::client_hello::Padding::F5Workaround)
    }
}

/// 32 random bytes (client randoms need not be secret, but should not repeat).
pub fn random32() -> [u8; 32] {
    let mut r = [0u8; 32];
    let _ = aws_lc_rs::rand::fill(&mut r);
    r
}
