//! Client simulation (what SSL Labs calls "Handshake Simulation" and `testssl -c` does): for each
//! profile in scan::data::clients, send the ClientHello that client sends and read what the
//! server answers; then judge the answer as that client would (a version, suite or group it did
//! not offer, a DH prime or RSA key it refuses).
//!
//! A HelloRetryRequest is followed like the client would: a second hello with a key share for
//! the requested group. It goes on a new connection (the probe reads one flight per
//! connection); a TLS 1.3 server keeps no state across a HelloRetryRequest apart from its
//! cookie, which the second hello sends back.

use crate::pki::inspect::CertInfo;
use crate::scan::data::clients::{profiles, Profile};
use crate::scan::engine::hello::random32;
use crate::scan::engine::keyshare;
use crate::scan::engine::probe::{Flight, Response};
use crate::scan::report::{KeyExchange, ScanReport, SimulatedClient};
use crate::scan::Ctx;
use tlskit_wire::client_hello::{ClientHelloBuilder, Padding};
use tlskit_wire::extensions::{ExtensionType, KeyShareEntry};
use tlskit_wire::key_exchange::{KxHint, ServerKeyExchange};
use tlskit_wire::registry::{self, Kx};
use tlskit_wire::version::Version;

/// What the simulation found: one entry per profile, and the errors for the report.
#[non_exhaustive]
pub struct Found {
    /// The report's `client_simulation`.
    pub clients: Vec<SimulatedClient>,
    /// What could not be determined.
    pub errors: Vec<String>,
}

/// Simulate every profile (all at once; the prober bounds the connections).
pub async fn run(ctx: &Ctx, report: &ScanReport) -> Found {
    let all = match profiles() {
        Ok(p) => p,
        Err(e) => {
            return Found {
                clients: Vec::new(),
                errors: vec![format!("client simulation: {e}")],
            }
        }
    };
    let clients =
        futures_util::future::join_all(all.iter().map(|p| simulate(ctx, report, p))).await;
    let undetermined: Vec<&str> = clients
        .iter()
        .filter(|c| c.undetermined())
        .map(|c| c.client.as_str())
        .collect();
    let errors = match undetermined.len() {
        0 => Vec::new(),
        n => vec![format!(
            "client simulation: {n} client{} could not be simulated (no usable answer): {}",
            if n == 1 { "" } else { "s" },
            undetermined.join(", ")
        )],
    };
    Found { clients, errors }
}

/// One client: its hello, a second one after a HelloRetryRequest, and the verdict.
async fn simulate(ctx: &Ctx, report: &ScanReport, p: &Profile) -> SimulatedClient {
    let shares: Vec<KeyShareEntry> = p
        .key_shares
        .iter()
        .filter_map(|g| keyshare::share(*g))
        .collect();
    let first = match send(ctx, p, &shares, None).await {
        Ok(f) => f,
        Err(why) => return SimulatedClient::failed(&p.name, why),
    };
    if !first.server_hello.is_hello_retry_request() {
        let sent: Vec<u16> = shares.iter().map(|k| k.group).collect();
        return judge(p, &first, report, &sent);
    }
    // HelloRetryRequest: the group asked for must be one the client offered and did not
    // already send a share for (RFC 8446 section 4.1.4).
    let Some(group) = first.server_hello.selected_group() else {
        return SimulatedClient::failed(&p.name, "a HelloRetryRequest without a group");
    };
    let name = registry::group_name(group);
    if !p.groups.contains(&group) || p.key_shares.contains(&group) {
        return SimulatedClient::failed(
            &p.name,
            format!("the server's HelloRetryRequest asks for {name}, which the client did not offer (or already sent)"),
        );
    }
    let Some(share) = keyshare::share(group) else {
        return SimulatedClient::failed(
            &p.name,
            format!("not determined: the server asks for {name}, for which tlskit cannot make a key share"),
        );
    };
    let cookie = first
        .server_hello
        .extension(ExtensionType::Cookie)
        .and_then(|e| tlskit_wire::extensions::parse_cookie(&e.data).ok());
    match send(ctx, p, &[share], cookie.as_deref()).await {
        Ok(f) if f.server_hello.is_hello_retry_request() => {
            SimulatedClient::failed(&p.name, "a second HelloRetryRequest")
        }
        Ok(f) if f.server_hello.selected_group() != Some(group) => SimulatedClient::failed(
            &p.name,
            format!("after its HelloRetryRequest for {name} the server chose another group"),
        ),
        Ok(f) => judge(p, &f, report, &[group]),
        Err(why) => SimulatedClient::failed(&p.name, why),
    }
}

/// Send the profile's hello and read the first flight; an alert or a failure in words.
async fn send(
    ctx: &Ctx,
    p: &Profile,
    shares: &[KeyShareEntry],
    cookie: Option<&[u8]>,
) -> Result<Flight, String> {
    let record = hello(p, ctx.sni.as_deref(), shares, cookie);
    match ctx.prober.probe(&record).await {
        Ok(Response::Hello(f)) => Ok(*f),
        Ok(Response::Alert(a)) => Err(format!(
            "the server refused: {} alert",
            a.description.name()
        )),
        Ok(r @ Response::Closed { reset: false }) => {
            Err(format!("the server refused: {}", r.describe()))
        }
        Ok(r) => Err(format!("not determined: {}", r.describe())),
        Err(e) => Err(format!("not determined: {}", e.message())),
    }
}

/// The profile's ClientHello as record bytes: its suites, its extensions in its order.
pub fn hello(
    p: &Profile,
    sni: Option<&str>,
    shares: &[KeyShareEntry],
    cookie: Option<&[u8]>,
) -> Vec<u8> {
    let legacy = p
        .max_version()
        .unwrap_or(Version::Tls12)
        .min(Version::Tls12);
    let mut b = ClientHelloBuilder::new()
        .legacy_version(legacy.wire())
        .record_version(Version::Tls10.wire().min(legacy.wire()))
        .with_random(random32())
        .cipher_suites(p.suites.clone())
        .compression_methods(p.compression.clone());
    if p.session_id {
        b = b.session_id(random32().to_vec());
    }
    let sni = sni.filter(|h| p.sni && h.parse::<std::net::IpAddr>().is_err());
    for &t in &p.extensions {
        b = match ExtensionType::from(t) {
            ExtensionType::ServerName => match sni {
                Some(h) => b.server_name(h),
                None => b,
            },
            ExtensionType::SupportedGroups => b.supported_groups(&p.groups),
            ExtensionType::EcPointFormats => b.ec_point_formats(&p.point_formats),
            ExtensionType::SignatureAlgorithms => b.signature_algorithms(&p.sigalgs),
            ExtensionType::Alpn => b.alpn(&p.alpn),
            ExtensionType::SessionTicket => b.session_ticket(&[]),
            ExtensionType::SupportedVersions => {
                let v: Vec<u16> = p.versions.iter().map(|v| v.wire()).collect();
                b.supported_versions(&v)
            }
            ExtensionType::KeyShare => b.key_shares(shares),
            // Written at build time (RFC 7685; clients pad a 256–511-byte hello to 512).
            ExtensionType::Padding => b.padding(Padding::F5Workaround),
            // No session to resume, no early data; the cookie comes from a HelloRetryRequest.
            ExtensionType::PreSharedKey | ExtensionType::EarlyData | ExtensionType::Cookie => b,
            _ => b.raw_extension(t, p.ext_data(t)),
        };
    }
    if let Some(c) = cookie {
        b = b.cookie(c);
    }
    b.build_record()
}

/// The verdict on the server's answer, as the client would reach it; `shares` are the groups
/// of the TLS 1.3 key shares the hello carried.
fn judge(p: &Profile, f: &Flight, report: &ScanReport, shares: &[u16]) -> SimulatedClient {
    let fail = |why: String| SimulatedClient::failed(&p.name, why);
    let wire = f.version();
    let Some(version) = Version::from_wire(wire) else {
        return fail(format!(
            "the server chose version 0x{wire:04x}, which the client does not know"
        ));
    };
    if !p.versions.contains(&version) {
        return fail(format!(
            "the server chose {version}, which the client does not offer"
        ));
    }
    if !p.accepts_version(version) {
        return fail(format!(
            "the server chose {version}, below the client's minimum"
        ));
    }
    let suite = f.server_hello.cipher_suite;
    let suite_name = registry::suite_name(suite);
    if !p.suites.contains(&suite) {
        return fail(format!(
            "the server chose {suite_name}, which the client does not offer"
        ));
    }
    if let Some(a) = &f.alert {
        return fail(format!(
            "the server sent a {} alert after its ServerHello",
            a.description.name()
        ));
    }
    let kx = if version == Version::Tls13 {
        match f.server_hello.selected_group() {
            Some(g) if shares.contains(&g) => KeyExchange::Group(g),
            Some(g) => {
                return fail(format!(
                    "the server chose {}, for which the client sent no key share",
                    registry::group_name(g)
                ))
            }
            None => return fail("the server's ServerHello has no key share".into()),
        }
    } else {
        match legacy_kx(f, suite) {
            Ok(k) => k,
            Err(why) => return fail(why),
        }
    };
    if let Err(why) = acceptable(p, &kx, f, report) {
        return fail(why);
    }
    let (group, key_bits) = match kx {
        KeyExchange::Group(g) => (
            Some(registry::group_name(g)),
            (0x0100..=0x01ff)
                .contains(&g)
                .then(|| ffdhe_bits(g))
                .flatten(),
        ),
        KeyExchange::Dh { bits } | KeyExchange::Rsa { bits } | KeyExchange::Static { bits } => {
            (None, Some(bits))
        }
        KeyExchange::RsaExport { bits } => (None, Some(bits)),
        _ => (None, None),
    };
    SimulatedClient {
        client: p.name.clone(),
        protocol: Some(version),
        cipher_suite: Some(suite_name),
        group,
        key_bits,
        error: None,
    }
}

/// Bits of an RFC 7919 group.
fn ffdhe_bits(g: u16) -> Option<u32> {
    Some(match g {
        0x0100 => 2048,
        0x0101 => 3072,
        0x0102 => 4096,
        0x0103 => 6144,
        0x0104 => 8192,
        _ => return None,
    })
}

/// The key exchange of a TLS ≤ 1.2 flight: the ServerKeyExchange's curve or prime, or the
/// certificate's key for RSA key transport.
fn legacy_kx(f: &Flight, suite: u16) -> Result<KeyExchange, String> {
    let Some(s) = registry::cipher_suite(suite) else {
        return Err(format!(
            "not determined: suite 0x{suite:04x} is not in tlskit's registry"
        ));
    };
    let hint = match s.kx {
        Kx::Ecdhe => KxHint::Ecdhe,
        Kx::Dhe | Kx::DheExport => KxHint::Dhe,
        // RSA_EXPORT with a certificate key of at most 512 bits needs no ServerKeyExchange.
        Kx::RsaExport if f.server_key_exchange.is_some() => KxHint::RsaExport,
        Kx::Rsa | Kx::RsaExport => {
            let bits = f
                .certificates
                .first()
                .and_then(|c| CertInfo::from_der(c).ok())
                .map(|i| i.key_bits)
                .ok_or("not determined: no certificate in the server's flight")?;
            return Ok(KeyExchange::Rsa { bits });
        }
        _ => KxHint::Unknown,
    };
    let ske = f
        .server_key_exchange
        .as_ref()
        .ok_or("the server sent no ServerKeyExchange for an ephemeral suite")?;
    match ServerKeyExchange::parse(&ske.body, hint, f.version()) {
        Ok(ServerKeyExchange::Ecdhe { params, .. }) => params
            .named_group
            .map(KeyExchange::Group)
            .ok_or_else(|| "the server sent explicit curve parameters".to_string()),
        Ok(ServerKeyExchange::Dhe { params, .. }) => Ok(KeyExchange::from_dh_prime(&params.p)),
        Ok(ServerKeyExchange::RsaExport { params, .. }) => Ok(KeyExchange::RsaExport {
            bits: params.modulus_bits() as u32,
        }),
        Ok(other) => other
            .named_group()
            .map(KeyExchange::Group)
            .ok_or_else(|| "not determined: an unexpected ServerKeyExchange".to_string()),
        Err(e) => Err(format!("the server's ServerKeyExchange is malformed: {e}")),
    }
}

/// Whether the client accepts the key exchange and the certificate's key.
fn acceptable(
    p: &Profile,
    kx: &KeyExchange,
    f: &Flight,
    report: &ScanReport,
) -> Result<(), String> {
    match *kx {
        KeyExchange::Group(g) if (0x0100..=0x01ff).contains(&g) => {
            dh_bits(p, ffdhe_bits(g).unwrap_or(0))?
        }
        // A TLS ≤ 1.2 client that sent supported_groups accepts only those curves.
        KeyExchange::Group(g) if !p.groups.is_empty() && !p.groups.contains(&g) => {
            return Err(format!(
                "the server chose {}, which the client does not offer",
                registry::group_name(g)
            ));
        }
        KeyExchange::Dh { bits } => dh_bits(p, bits)?,
        _ => {}
    }
    // The certificate: seen in a TLS ≤ 1.2 flight; with TLS 1.3 it is encrypted, so the leaf
    // the scan found for the same key type stands in (the first chain when it cannot tell).
    let leaf: Option<CertInfo> = match f.certificates.first() {
        Some(der) => CertInfo::from_der(der).ok(),
        None => report
            .certificates
            .first()
            .and_then(|c| c.certificates.first())
            .cloned(),
    };
    let Some(leaf) = leaf else {
        return Ok(());
    };
    let bits = leaf.key_bits;
    let kind = leaf.key_type.as_str();
    if kind.starts_with("RSA") {
        if let Some(min) = p.min_rsa_bits.filter(|m| bits < *m) {
            return Err(format!(
                "the certificate's RSA key has {bits} bits; the client needs at least {min}"
            ));
        }
        if let Some(max) = p.max_rsa_bits.filter(|m| bits > *m) {
            return Err(format!(
                "the certificate's RSA key has {bits} bits; the client accepts at most {max}"
            ));
        }
    } else if kind == "ECDSA" {
        if let Some(min) = p.min_ecdsa_bits.filter(|m| bits < *m) {
            return Err(format!(
                "the certificate's ECDSA key has {bits} bits; the client needs at least {min}"
            ));
        }
    }
    if p.requires_sha2 && leaf.signature_algorithm.weak_hash().is_some() {
        return Err(format!(
            "the certificate is signed with {}; the client requires SHA-2",
            leaf.signature_algorithm
        ));
    }
    Ok(())
}

fn dh_bits(p: &Profile, bits: u32) -> Result<(), String> {
    if let Some(min) = p.min_dh_bits.filter(|m| bits < *m) {
        return Err(format!(
            "the server's DH prime has {bits} bits; the client needs at least {min}"
        ));
    }
    if let Some(max) = p.max_dh_bits.filter(|m| bits > *m) {
        return Err(format!(
            "the server's DH prime has {bits} bits; the client accepts at most {max}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tlskit_wire::client_hello::ClientHello;

    /// The hello built from each profile says what the profile says (the scan's SNI in place of
    /// the captured one).
    #[test]
    fn hellos_follow_their_profiles() {
        for p in profiles().unwrap() {
            let shares: Vec<KeyShareEntry> = p
                .key_shares
                .iter()
                .filter_map(|g| keyshare::share(*g))
                .collect();
            let rec = hello(p, Some("example.test"), &shares, None);
            let ch = ClientHello::parse_message(&rec[5..]).unwrap();
            assert_eq!(ch.cipher_suites, p.suites, "{}", p.name);
            let types: Vec<u16> = ch.extensions.iter().map(|e| e.typ).collect();
            let want: Vec<u16> = p
                .extensions
                .iter()
                .copied()
                .filter(|t| ![21, 41, 42, 44].contains(t))
                .collect();
            let got: Vec<u16> = types.iter().copied().filter(|t| *t != 21).collect();
            assert_eq!(got, want, "{}: extension order", p.name);
            assert_eq!(
                ch.server_name().unwrap().as_deref(),
                p.sni.then_some("example.test"),
                "{}",
                p.name
            );
        }
    }
}
