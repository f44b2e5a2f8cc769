//! A minimal TLS 1.2 client on the sans-IO codec, for the checks that need a finished handshake
//! and things rustls will not do: client-initiated renegotiation (secure, and insecure without
//! RFC 5746) and resumption by session ID or by ticket, each asked separately.
//!
//! It speaks only what those checks need: TLS 1.2 with ECDHE (x25519, P-256, P-384) or static RSA
//! key exchange and AES-GCM, ChaCha20-Poly1305 or AES-CBC with HMAC-SHA1/SHA256/SHA384 (the suites
//! in [`SUITES`]); not TLS 1.0/1.1, DHE, 3DES, Camellia or the other legacy ciphers. It does **not**
//! verify the server's certificate or its ServerKeyExchange signature — a scan only looks, it sends
//! no data over these connections — but it does check the server's Finished, so "established"
//! means the server really derived the same keys.

use super::conn::{read_flight, Conn, Flight12, Msg, Protection};
use super::rsa::RsaPublicKey;
use crate::scan::Ctx;
use aws_lc_rs::{aead, agreement, digest, hmac};
use tlskit_wire::alert::AlertDescription;
use tlskit_wire::client_hello::ClientHelloBuilder;
use tlskit_wire::extensions::ExtensionType;
use tlskit_wire::handshake::{frame, HandshakeType, KxHint, ServerKeyExchange};
use tlskit_wire::record::ContentType;
use tlskit_wire::version::Version;
use tokio::time::Instant;

/// Suites the minimal client can complete, in its order of preference.
pub const SUITES: [u16; 20] = [
    0xc02f, 0xc02b, 0xc030, 0xc02c, 0xcca8, 0xcca9, 0x009c, 0x009d, // AEAD
    0xc013, 0xc009, 0xc014, 0xc00a, 0xc027, 0xc023, 0xc028, 0xc024, // ECDHE with AES-CBC
    0x002f, 0x0035, 0x003c, 0x003d, // RSA with AES-CBC
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kx {
    Ecdhe,
    Rsa,
}

#[derive(Clone, Copy)]
enum Bulk {
    /// AEAD and its fixed IV length (4: GCM with explicit nonce; 12: ChaCha20-Poly1305).
    Aead(&'static aead::Algorithm, usize),
    /// AES-CBC with this HMAC (MAC-then-encrypt).
    Cbc(&'static aws_lc_rs::cipher::Algorithm, hmac::Algorithm),
}

struct SuiteParams {
    kx: Kx,
    bulk: Bulk,
    key_len: usize,
    sha384: bool,
}

fn params(id: u16) -> Option<SuiteParams> {
    use aws_lc_rs::cipher::{AES_128, AES_256};
    let gcm128 = Bulk::Aead(&aead::AES_128_GCM, 4);
    let gcm256 = Bulk::Aead(&aead::AES_256_GCM, 4);
    let (kx, bulk, key_len, sha384) = match id {
        0xc02b | 0xc02f => (Kx::Ecdhe, gcm128, 16, false),
        0xc02c | 0xc030 => (Kx::Ecdhe, gcm256, 32, true),
        0xcca8 | 0xcca9 => (
            Kx::Ecdhe,
            Bulk::Aead(&aead::CHACHA20_POLY1305, 12),
            32,
            false,
        ),
        0x009c => (Kx::Rsa, gcm128, 16, false),
        0x009d => (Kx::Rsa, gcm256, 32, true),
        0xc013 | 0xc009 => (
            Kx::Ecdhe,
            Bulk::Cbc(&AES_128, hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY),
            16,
            false,
        ),
        0xc014 | 0xc00a => (
            Kx::Ecdhe,
            Bulk::Cbc(&AES_256, hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY),
            32,
            false,
        ),
        0xc027 | 0xc023 => (Kx::Ecdhe, Bulk::Cbc(&AES_128, hmac::HMAC_SHA256), 16, false),
        0xc028 | 0xc024 => (Kx::Ecdhe, Bulk::Cbc(&AES_256, hmac::HMAC_SHA384), 32, true),
        0x002f => (
            Kx::Rsa,
            Bulk::Cbc(&AES_128, hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY),
            16,
            false,
        ),
        0x0035 => (
            Kx::Rsa,
            Bulk::Cbc(&AES_256, hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY),
            32,
            false,
        ),
        0x003c => (Kx::Rsa, Bulk::Cbc(&AES_128, hmac::HMAC_SHA256), 16, false),
        0x003d => (Kx::Rsa, Bulk::Cbc(&AES_256, hmac::HMAC_SHA256), 32, false),
        _ => return None,
    };
    Some(SuiteParams {
        kx,
        bulk,
        key_len,
        sha384,
    })
}

impl SuiteParams {
    /// Split the key block into (client, server) protections.
    fn protections(
        &self,
        master: &[u8],
        server_random: &[u8],
        client_random: &[u8],
    ) -> Option<(Protection, Protection)> {
        let mut seed = server_random.to_vec();
        seed.extend_from_slice(client_random);
        match self.bulk {
            Bulk::Aead(alg, iv_len) => {
                let kb = prf(
                    self.sha384,
                    master,
                    b"key expansion",
                    &seed,
                    2 * self.key_len + 2 * iv_len,
                );
                let (ck, rest) = kb.split_at(self.key_len);
                let (sk, rest) = rest.split_at(self.key_len);
                let (civ, siv) = rest.split_at(iv_len);
                Some((
                    Protection::aead(alg, ck, civ)?,
                    Protection::aead(alg, sk, siv)?,
                ))
            }
            Bulk::Cbc(alg, mac) => {
                let mac_len = mac.digest_algorithm().output_len();
                let kb = prf(
                    self.sha384,
                    master,
                    b"key expansion",
                    &seed,
                    2 * mac_len + 2 * self.key_len,
                );
                let (cm, rest) = kb.split_at(mac_len);
                let (sm, rest) = rest.split_at(mac_len);
                let (ck, sk) = rest.split_at(self.key_len);
                Some((
                    Protection::cbc(alg, ck, mac, cm)?,
                    Protection::cbc(alg, sk, mac, sm)?,
                ))
            }
        }
    }
}

/// The TLS 1.2 PRF (P_SHA256 or P_SHA384).
pub fn prf(sha384: bool, secret: &[u8], label: &[u8], seed: &[u8], len: usize) -> Vec<u8> {
    let alg = if sha384 {
        hmac::HMAC_SHA384
    } else {
        hmac::HMAC_SHA256
    };
    let key = hmac::Key::new(alg, secret);
    let mut label_seed = label.to_vec();
    label_seed.extend_from_slice(seed);
    let mut a = hmac::sign(&key, &label_seed).as_ref().to_vec();
    let mut out = Vec::with_capacity(len + 48);
    while out.len() < len {
        let mut c = hmac::Context::with_key(&key);
        c.update(&a);
        c.update(&label_seed);
        out.extend_from_slice(c.sign().as_ref());
        a = hmac::sign(&key, &a).as_ref().to_vec();
    }
    out.truncate(len);
    out
}

fn hash(sha384: bool, parts: &[Vec<u8>]) -> Vec<u8> {
    let mut c = digest::Context::new(if sha384 {
        &digest::SHA384
    } else {
        &digest::SHA256
    });
    for p in parts {
        c.update(p);
    }
    c.finish().as_ref().to_vec()
}

/// What to offer.
#[derive(Debug, Clone)]
pub struct Hello12 {
    pub suites: Vec<u16>,
    pub sni: Option<String>,
    /// Offer RFC 5746 renegotiation_info (false: neither the extension nor the SCSV).
    pub renegotiation_info: bool,
    /// None: no session_ticket extension; Some(empty): ask for a ticket; Some(t): resume with t.
    pub ticket: Option<Vec<u8>>,
    /// A session id to resume (empty: none).
    pub session_id: Vec<u8>,
}

impl Hello12 {
    pub fn new(suites: Vec<u16>, sni: Option<String>) -> Self {
        Hello12 {
            suites,
            sni,
            renegotiation_info: true,
            ticket: None,
            session_id: Vec::new(),
        }
    }

    fn builder(&self, renegotiated_connection: Option<&[u8]>) -> ClientHelloBuilder {
        let mut b =
            ClientHelloBuilder::for_version(Version::Tls12, &self.suites, self.sni.as_deref())
                .with_random(crate::scan::engine::hello::random32())
                .supported_groups(&[0x001d, 0x0017, 0x0018])
                .session_id(self.session_id.clone());
        match renegotiated_connection {
            Some(v) if self.renegotiation_info => b = b.renegotiation_info(v),
            _ if self.renegotiation_info => b = b.renegotiation_info(&[]),
            _ => b = b.remove_extension(ExtensionType::RenegotiationInfo),
        }
        b = match &self.ticket {
            None => b.remove_extension(ExtensionType::SessionTicket),
            Some(t) => b.session_ticket(t),
        };
        b
    }
}

/// How a handshake attempt ended.
pub enum Outcome {
    /// A full handshake, finished on both sides.
    Established(Box<Established>),
    /// The server resumed the offered session (abbreviated handshake).
    Resumed,
    /// A full handshake started where a resumption was asked (returned without finishing it).
    NotResumed,
    /// Refused or failed, in words.
    Failed(String),
}

/// An established TLS 1.2 connection (for renegotiation) and the session it created.
pub struct Established {
    conn: Conn,
    hello: Hello12,
    client_verify: Vec<u8>,
    pub server_verify: Vec<u8>,
    pub session_id: Vec<u8>,
    pub ticket: Option<Vec<u8>>,
    /// The server answered renegotiation_info.
    pub secure_renegotiation: bool,
    pub suite: u16,
    /// How long the server took to answer the ClientHello: the yardstick for how long to wait
    /// for an answer that may never come.
    pub round_trip: std::time::Duration,
    /// What was already sent behind our Finished.
    sent_after: After,
}

/// How a renegotiation request was answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Renegotiation {
    Accepted,
    Refused(String),
}

/// Run a handshake offering `hello`. With a session id or ticket in `hello`, stop after the
/// server's first flight and say whether it resumed.
pub async fn handshake(ctx: &Ctx, hello: &Hello12, deadline: Instant) -> Outcome {
    handshake_then(ctx, hello, deadline, After::Nothing).await
}

/// What to send right behind our Finished, without waiting for the server's. A server that
/// reads one connection at a time (`openssl s_server -www` sleeps a second whenever a read would
/// block) is then never left waiting on an idle connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    Nothing,
    /// close_notify: the session is only wanted for its id or ticket.
    CloseNotify,
    /// A renegotiation ClientHello (see [`Established::renegotiate`]).
    Renegotiate,
}

/// [`handshake`], then send `after` immediately behind the Finished.
pub async fn handshake_then(
    ctx: &Ctx,
    hello: &Hello12,
    deadline: Instant,
    after: After,
) -> Outcome {
    // Boxed: the handshake's state is large, and futures are moved around by value.
    Box::pin(handshake_inner(ctx, hello, deadline, after)).await
}

async fn handshake_inner(ctx: &Ctx, hello: &Hello12, deadline: Instant, after: After) -> Outcome {
    let resuming =
        !hello.session_id.is_empty() || hello.ticket.as_ref().is_some_and(|t| !t.is_empty());
    let mut conn = match Conn::open(ctx).await {
        Ok(c) => c,
        Err(e) => return Outcome::Failed(e),
    };
    let b = hello.builder(None);
    let ch = b.build();
    let client_random = b.hello().random;
    if let Err(e) = conn.send_raw(&b.build_record(), deadline).await {
        return Outcome::Failed(e.describe());
    }
    let sent_hello = Instant::now();
    let flight = match read_flight(&mut conn, deadline).await {
        Ok(f) => f,
        Err(e) => return Outcome::Failed(e),
    };
    let round_trip = sent_hello.elapsed();
    let Some(sh) = flight.server_hello.clone() else {
        return Outcome::Failed("no ServerHello".into());
    };
    if resuming {
        let resumed =
            flight.resumed || (!hello.session_id.is_empty() && sh.session_id == hello.session_id);
        conn.close().await;
        return if resumed {
            Outcome::Resumed
        } else {
            Outcome::NotResumed
        };
    }
    if sh.legacy_version != 0x0303 {
        return Outcome::Failed(format!(
            "the server chose version 0x{:04x}, not TLSv1.2",
            sh.legacy_version
        ));
    }
    let Some(p) = params(sh.cipher_suite).filter(|_| hello.suites.contains(&sh.cipher_suite))
    else {
        return Outcome::Failed(format!(
            "the server chose suite 0x{:04x}, which was not offered",
            sh.cipher_suite
        ));
    };
    let mut transcript: Vec<Vec<u8>> = vec![ch];
    transcript.append(&mut conn.log);

    let (pms, cke_body) = match key_exchange(p.kx, &flight) {
        Ok(x) => x,
        Err(e) => return Outcome::Failed(e),
    };

    let mut client_flight = Vec::new();
    if flight.certificate_request {
        // An empty Certificate: no client certificate.
        let m = frame(HandshakeType::Certificate, &[0, 0, 0]);
        client_flight.extend_from_slice(&m);
        transcript.push(m);
    }
    let cke = frame(HandshakeType::ClientKeyExchange, &cke_body);
    client_flight.extend_from_slice(&cke);
    transcript.push(cke);

    let master = master_secret(&p, &pms, &sh, &client_random, &transcript);
    let Some((cw, sr)) = p.protections(&master, &sh.random, &client_random) else {
        return Outcome::Failed("key setup failed".into());
    };

    let client_verify = prf(
        p.sha384,
        &master,
        b"client finished",
        &hash(p.sha384, &transcript),
        12,
    );
    let fin = frame(HandshakeType::Finished, &client_verify);
    transcript.push(fin.clone());
    for (typ, data) in [
        (ContentType::Handshake, client_flight),
        (ContentType::ChangeCipherSpec, vec![1]),
    ] {
        if let Err(e) = conn.send(typ, &data, deadline).await {
            return Outcome::Failed(e.describe());
        }
    }
    conn.set_write(cw);
    if let Err(e) = conn.send(ContentType::Handshake, &fin, deadline).await {
        return Outcome::Failed(e.describe());
    }
    if let Err(e) = send_after(&mut conn, after, hello, &client_verify, deadline).await {
        return Outcome::Failed(e);
    }

    let (ticket, server_verify) =
        match server_finished(&mut conn, &p, &master, &mut transcript, sr, deadline).await {
            Ok(x) => x,
            Err(e) => return Outcome::Failed(e),
        };
    conn.log.clear();
    let secure_renegotiation = sh.renegotiation_info().ok().flatten().is_some();
    Outcome::Established(Box::new(Established {
        conn,
        hello: hello.clone(),
        client_verify,
        server_verify,
        session_id: sh.session_id.clone(),
        ticket,
        secure_renegotiation,
        suite: sh.cipher_suite,
        round_trip,
        sent_after: after,
    }))
}

/// The master secret (RFC 7627's extended one when the server agreed to it).
fn master_secret(
    p: &SuiteParams,
    pms: &[u8],
    sh: &tlskit_wire::handshake::ServerHello,
    client_random: &[u8],
    transcript: &[Vec<u8>],
) -> Vec<u8> {
    if sh.extended_master_secret() {
        prf(
            p.sha384,
            pms,
            b"extended master secret",
            &hash(p.sha384, transcript),
            48,
        )
    } else {
        let mut seed = client_random.to_vec();
        seed.extend_from_slice(&sh.random);
        prf(p.sha384, pms, b"master secret", &seed, 48)
    }
}

/// Send `after` right behind our Finished.
async fn send_after(
    conn: &mut Conn,
    after: After,
    hello: &Hello12,
    client_verify: &[u8],
    deadline: Instant,
) -> Result<(), String> {
    let sent = match after {
        After::Nothing => Ok(()),
        After::CloseNotify => conn.send(ContentType::Alert, &[1, 0], deadline).await,
        After::Renegotiate => {
            let again = hello.builder(Some(client_verify)).build();
            conn.send(ContentType::Handshake, &again, deadline).await
        }
    };
    sent.map_err(|e| e.describe())
}

/// Read the server's NewSessionTicket, ChangeCipherSpec and Finished (verified): the ticket, if
/// any, and the server's verify_data.
async fn server_finished(
    conn: &mut Conn,
    p: &SuiteParams,
    master: &[u8],
    transcript: &mut Vec<Vec<u8>>,
    read: Protection,
    deadline: Instant,
) -> Result<(Option<Vec<u8>>, Vec<u8>), String> {
    let mut ticket = None;
    let mut ccs = false;
    let mut pending_read = Some(read);
    loop {
        match conn.next(deadline).await {
            Ok(Msg::Handshake(h)) if h.typ == HandshakeType::NewSessionTicket && !ccs => {
                if h.body.len() >= 6 {
                    ticket = Some(h.body[6..].to_vec());
                }
                transcript.push(frame(h.typ, &h.body));
            }
            Ok(Msg::ChangeCipherSpec) if !ccs => {
                ccs = true;
                if let Some(r) = pending_read.take() {
                    conn.set_read(r);
                }
            }
            Ok(Msg::Handshake(h)) if h.typ == HandshakeType::Finished && ccs => {
                let expected = prf(
                    p.sha384,
                    master,
                    b"server finished",
                    &hash(p.sha384, transcript),
                    12,
                );
                if h.body != expected {
                    return Err("the server's Finished does not verify".into());
                }
                return Ok((ticket, h.body));
            }
            Ok(Msg::Alert(a)) if a.is_fatal() => {
                return Err(format!("{} alert after our Finished", a.description.name()))
            }
            Ok(Msg::Alert(_)) => {}
            Ok(other) => return Err(format!("unexpected {other:?} before the server's Finished")),
            Err(e) => return Err(e.describe()),
        }
    }
}

/// The premaster secret and the ClientKeyExchange body for the server's first flight.
fn key_exchange(kx: Kx, flight: &Flight12) -> Result<(Vec<u8>, Vec<u8>), String> {
    match kx {
        Kx::Ecdhe => {
            let Some(ske) = &flight.server_key_exchange else {
                return Err("no ServerKeyExchange for an ECDHE suite".into());
            };
            let (group, point) = match ServerKeyExchange::parse(&ske.body, KxHint::Ecdhe, 0x0303) {
                Ok(ServerKeyExchange::Ecdhe { params, .. }) => (params.named_group, params.public),
                _ => return Err("unparsable ECDHE ServerKeyExchange".into()),
            };
            let alg = match group {
                Some(0x001d) => &agreement::X25519,
                Some(0x0017) => &agreement::ECDH_P256,
                Some(0x0018) => &agreement::ECDH_P384,
                g => {
                    return Err(format!(
                        "the server chose group {g:?}, which was not offered"
                    ))
                }
            };
            let rng = aws_lc_rs::rand::SystemRandom::new();
            let Ok(key) = agreement::EphemeralPrivateKey::generate(alg, &rng) else {
                return Err("key generation failed".into());
            };
            let Ok(public) = key.compute_public_key() else {
                return Err("key generation failed".into());
            };
            let public = public.as_ref().to_vec();
            let Ok(shared) = agreement::agree_ephemeral(
                key,
                agreement::UnparsedPublicKey::new(alg, &point),
                (),
                |s| Ok(s.to_vec()),
            ) else {
                return Err("the server's ECDHE share is invalid".into());
            };
            let mut body = vec![public.len() as u8];
            body.extend(public);
            Ok((shared, body))
        }
        Kx::Rsa => {
            let Some(key) = flight
                .certificates
                .first()
                .and_then(|c| RsaPublicKey::from_certificate(c))
            else {
                return Err("no RSA certificate for an RSA suite".into());
            };
            let mut pms = vec![3u8, 3];
            pms.extend_from_slice(&crate::scan::engine::hello::random32()[..23]);
            pms.extend_from_slice(&crate::scan::engine::hello::random32()[..23]);
            let Some(enc) = key.pkcs1_encrypt(&pms) else {
                return Err("RSA key too small".into());
            };
            let mut body = (enc.len() as u16).to_be_bytes().to_vec();
            body.extend(enc);
            Ok((pms, body))
        }
    }
}

impl Established {
    /// Ask for a renegotiation: a new ClientHello inside the protected connection (with
    /// renegotiation_info carrying our verify_data when the first hello offered RFC 5746).
    /// Accepted means the server answered with a ServerHello.
    pub async fn renegotiate(self, deadline: Instant) -> Renegotiation {
        Box::pin(self.renegotiate_inner(deadline)).await
    }

    async fn renegotiate_inner(mut self, deadline: Instant) -> Renegotiation {
        // A server that ignores the request stays silent: do not wait the whole timeout for it.
        // One that accepts answers within about one round trip plus a signature; allow plenty
        // of that (the first flight's time, which included a signature) and at least 100 ms.
        let patience = (self.round_trip * 8 + std::time::Duration::from_millis(100))
            .min(std::time::Duration::from_secs(3));
        let deadline = deadline.min(Instant::now() + patience);
        let b = self.hello.builder(Some(&self.client_verify));
        let sent = if self.sent_after == After::Renegotiate {
            Ok(())
        } else {
            self.conn
                .send(ContentType::Handshake, &b.build(), deadline)
                .await
        };
        let result = match sent {
            Err(e) => Renegotiation::Refused(e.describe()),
            Ok(()) => loop {
                match self.conn.next(deadline).await {
                    Ok(Msg::Handshake(h)) if h.typ == HandshakeType::ServerHello => {
                        break Renegotiation::Accepted
                    }
                    Ok(Msg::Handshake(h)) => {
                        break Renegotiation::Refused(format!("answered with {}", h.typ.name()))
                    }
                    Ok(Msg::Alert(a)) if a.description == AlertDescription::NoRenegotiation => {
                        break Renegotiation::Refused("no_renegotiation alert".into())
                    }
                    Ok(Msg::Alert(a)) if a.is_fatal() => {
                        break Renegotiation::Refused(format!("{} alert", a.description.name()))
                    }
                    Ok(_) => {}
                    Err(e) => break Renegotiation::Refused(e.describe()),
                }
            },
        };
        self.conn.close().await;
        result
    }

    /// Send close_notify and close: a session ended without it may be dropped from the server's
    /// cache.
    pub async fn close(mut self) {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_millis(500);
        if self.sent_after != After::CloseNotify {
            let _ = self.conn.send(ContentType::Alert, &[1, 0], deadline).await;
        }
        self.conn.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prf_matches_the_published_sha256_vector() {
        // The widely used TLS 1.2 PRF test vector (P_SHA256), first 16 bytes.
        let secret = hex::decode("9bbe436ba940f017b17652849a71db35").unwrap();
        let seed = hex::decode("a0ba9f936cda311827a6f796ffd5198c").unwrap();
        let out = prf(false, &secret, b"test label", &seed, 100);
        assert_eq!(hex::encode(&out[..16]), "e3f229ba727be17b8d122620557cd453");
    }
}
