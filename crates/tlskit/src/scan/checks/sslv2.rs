//! SSLv2: one SSLv2-format CLIENT-HELLO offering every cipher kind; a SERVER-HELLO lists the
//! kinds the server supports.

use crate::scan::engine::probe::Response;
use crate::scan::report::{ProtocolResult, SuiteResult};
use crate::scan::Ctx;
use tlskit_wire::registry;
use tlskit_wire::sslv2::ClientHelloV2;

pub async fn run(ctx: &Ctx) -> (ProtocolResult, Option<Vec<u8>>) {
    let kinds: Vec<u32> = registry::ssl2_cipher_kinds().iter().map(|k| k.id).collect();
    let challenge = crate::scan::engine::hello::random32()[..16].to_vec();
    let hello = ClientHelloV2::new(kinds, challenge).to_record();
    let mut result = ProtocolResult {
        version: tlskit_wire::version::Version::Ssl2,
        offered: false,
        cipher_suites: Vec::new(),
        server_order: None,
        note: None,
        error: None,
    };
    let mut cert = None;
    match ctx.prober.probe_sslv2(&hello).await {
        Ok(Response::Sslv2(sh)) => {
            result.offered = true;
            for spec in &sh.cipher_specs {
                let (name, openssl, bits) = match registry::ssl2_cipher_kind(*spec) {
                    Some(k) => (k.name.to_string(), Some(k.openssl.to_string()), k.bits),
                    None => (format!("SSL2_UNKNOWN_0x{spec:06X}"), None, 0),
                };
                result.cipher_suites.push(SuiteResult {
                    id: crate::scan::report::SuiteId::Ssl2(*spec),
                    name,
                    openssl_name: openssl,
                    kx: "RSA".into(),
                    auth: "RSA".into(),
                    enc: format!("{bits}"),
                    mac: "MD5".into(),
                    bits,
                    forward_secrecy: false,
                    key_exchange: None,
                    dh_group: None,
                });
            }
            if !sh.certificate.is_empty() {
                cert = Some(sh.certificate.clone());
            }
            if sh.cipher_specs.is_empty() {
                result.note = Some("SSLv2 handshake accepted but no cipher offered (still exposes DROWN-style oracles)".into());
            }
        }
        Ok(Response::NotTls(s)) => result.error = Some(s),
        Ok(Response::Timeout) => result.note = Some("no answer to an SSLv2 hello".into()),
        Ok(_) => {}
        Err(e) => result.error = Some(e.to_string()),
    }
    (result, cert)
}
