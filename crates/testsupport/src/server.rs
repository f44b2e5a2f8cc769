//! The weak TLS server behind `tlskit-weak-server`: an `openssl s_server` look-alike on a vendored
//! OpenSSL with SSLv3, weak suites and the legacy provider, serving connections concurrently (a
//! thread per connection) until killed.
//!
//! Output contract for tests: once listening it prints `ACCEPT 127.0.0.1:PORT` on stdout (flushed).
//! Each connection logs one line on stderr: `conn N: PROTO SUITE sni=… alpn=… from ADDR` after the
//! handshake, or `conn N: handshake failed: …`; `conn N: renegotiations=K` is logged at close when
//! a renegotiation happened.

use crate::fake::{self, FakeHello};
use foreign_types::{ForeignType, ForeignTypeRef};
use openssl::bn::BigNum;
use openssl::dh::Dh;
use openssl::ex_data::Index;
use openssl::pkey::Params;
use openssl::ssl::{
    self, AlpnError, NameType, SniError, Ssl, SslAlert, SslContext, SslContextBuilder, SslFiletype,
    SslMethod, SslOptions, SslSessionCacheMode, SslStream, SslVersion,
};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// `SSL_OP_ALLOW_CLIENT_RENEGOTIATION` (OpenSSL 3.0+: without it a server refuses renegotiations
/// started by the client). Not exported by openssl-sys.
const SSL_OP_ALLOW_CLIENT_RENEGOTIATION: u64 = 1 << 8;

/// `SSL_CB_HANDSHAKE_START` (info callback "where" bit).
const SSL_CB_HANDSHAKE_START: libc::c_int = 0x10;

extern "C" {
    // Deprecated in OpenSSL 3.0 but built (openssl-src does not configure no-deprecated); the
    // openssl crate does not bind it. Returns the named RFC 7919 group as DH parameters.
    fn DH_new_by_nid(nid: libc::c_int) -> *mut openssl_sys::DH;
    fn SSL_set_info_callback(
        ssl: *mut openssl_sys::SSL,
        cb: Option<unsafe extern "C" fn(*const openssl_sys::SSL, libc::c_int, libc::c_int)>,
    );
}

/// Per-connection count of handshakes started (the first one plus each renegotiation).
fn handshake_counter_index() -> Index<Ssl, Arc<AtomicU64>> {
    static IDX: OnceLock<Index<Ssl, Arc<AtomicU64>>> = OnceLock::new();
    *IDX.get_or_init(|| Ssl::new_ex_index().expect("SSL ex_data index"))
}

unsafe extern "C" fn count_handshakes(
    ssl: *const openssl_sys::SSL,
    where_: libc::c_int,
    _ret: libc::c_int,
) {
    if where_ & SSL_CB_HANDSHAKE_START != 0 && !ssl.is_null() {
        // SAFETY: OpenSSL passes the live SSL this callback was set on.
        let r = unsafe { ssl::SslRef::from_ptr(ssl as *mut _) };
        if let Some(c) = r.ex_data(handshake_counter_index()) {
            c.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Flags of `tlskit-weak-server`. Everything is permissive by default (every protocol version from
/// SSLv3 to TLS 1.3, security level 0); each flag narrows or adds one weakness.
#[derive(clap::Parser, Debug, Clone)]
#[command(
    name = "tlskit-weak-server",
    version,
    about = "A deliberately WEAK TLS server for testing scanners (test support, never shipped)",
    long_about = "A deliberately WEAK TLS server for testing TLS scanners: SSLv3, TLS 1.0/1.1, RC4, 3DES,\n\
NULL and anonymous suites, small or well-known DH primes, unsafe legacy renegotiation, client-\n\
initiated renegotiation. Built on a vendored OpenSSL 3 with SSLv3, weak suites and the legacy\n\
provider enabled, at security level 0. It listens on loopback only.\n\n\
Once listening it prints 'ACCEPT 127.0.0.1:PORT' on stdout. Each connection logs a line on stderr.\n\
Default reply: a greeting line 'tlskit-weak-server: PROTO SUITE', then an echo of whatever the\n\
client sends until it closes (so a client can renegotiate); --www answers one HTTP request;\n\
--close sends the greeting and closes.\n\n\
Not possible with OpenSSL 3: export suites, SSLv2, heartbeat, TLS compression (openssl-src builds\n\
with no-comp), and omitting renegotiation_info (RFC 5746) for a client that offers it. For scanner\n\
checks that decide from the ServerHello, --fake-hello answers those by hand (no full handshake).",
    after_help = "Examples:\n  tlskit-weak-server --cert s.crt --key s.key --min-version ssl3 --max-version ssl3 --cipher RC4-SHA\n  tlskit-weak-server --cert s.crt --key s.key --max-version tls1.2 --cipher DHE-RSA-AES128-SHA --dhparam-bits 512\n  tlskit-weak-server --cert s.crt --key s.key --cipher 'ADH-AES128-SHA:NULL-SHA' --max-version tls1.2\n  tlskit-weak-server --cert s.crt --fake-hello --fake-suites 0x0003,0x0008 --fake-compression --fake-no-renegotiation-info"
)]
pub struct Options {
    /// Address to listen on: 127.0.0.1:PORT or [::1]:PORT (port 0 picks a free one). Loopback only.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub accept: SocketAddr,

    /// Certificate chain file (PEM, leaf first).
    #[arg(long, value_name = "PEM")]
    pub cert: PathBuf,
    /// Private key of --cert (PEM); defaults to the --cert file (a combined PEM).
    #[arg(long, value_name = "PEM")]
    pub key: Option<PathBuf>,
    /// Extra chain certificates (PEM) sent after the leaf(s).
    #[arg(long, value_name = "PEM")]
    pub chain: Option<PathBuf>,
    /// A second certificate of another key type (e.g. ECDSA beside RSA): dual-certificate server.
    #[arg(long, value_name = "PEM", requires = "key2")]
    pub cert2: Option<PathBuf>,
    /// Private key of --cert2.
    #[arg(long, value_name = "PEM", requires = "cert2")]
    pub key2: Option<PathBuf>,

    /// Serve --sni-cert/--sni-key instead when the client's SNI equals this name.
    #[arg(long, value_name = "NAME", requires_all = ["sni_cert", "sni_key"])]
    pub sni_name: Option<String>,
    /// Certificate for --sni-name.
    #[arg(long, value_name = "PEM", requires = "sni_name")]
    pub sni_cert: Option<PathBuf>,
    /// Private key for --sni-name.
    #[arg(long, value_name = "PEM", requires = "sni_name")]
    pub sni_key: Option<PathBuf>,

    /// Lowest protocol version: ssl3, tls1, tls1.1, tls1.2, tls1.3 (default ssl3).
    #[arg(long, value_name = "VER", value_parser = parse_version, default_value = "ssl3")]
    pub min_version: SslVersion,
    /// Highest protocol version: ssl3, tls1, tls1.1, tls1.2, tls1.3 (default tls1.3).
    #[arg(long, value_name = "VER", value_parser = parse_version, default_value = "tls1.3")]
    pub max_version: SslVersion,

    /// OpenSSL cipher list for SSLv3–TLS 1.2 (":@SECLEVEL=0" is appended unless it names a level).
    #[arg(long, value_name = "STR", default_value = "ALL:COMPLEMENTOFALL")]
    pub cipher: String,
    /// TLS 1.3 suites (OpenSSL syntax, e.g. TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_8_SHA256).
    #[arg(long, value_name = "STR")]
    pub ciphersuites: Option<String>,
    /// Key exchange groups, e.g. "secp256r1:x25519:ffdhe2048".
    #[arg(long, value_name = "STR")]
    pub groups: Option<String>,
    /// Signature algorithms the server accepts/uses, e.g. "RSA+SHA1:ECDSA+SHA256".
    #[arg(long, value_name = "STR")]
    pub sigalgs: Option<String>,

    /// DHE with a freshly generated safe prime of N bits (512, 768, 1024, 2048; 2048 takes a while).
    #[arg(long, value_name = "N", conflicts_with_all = ["dhparam", "dh_group"])]
    pub dhparam_bits: Option<u32>,
    /// DHE with the parameters in FILE (PEM "DH PARAMETERS", e.g. from `openssl dhparam`).
    #[arg(long, value_name = "FILE", conflicts_with = "dh_group")]
    pub dhparam: Option<PathBuf>,
    /// DHE with a well-known (common) prime: oakley1 (RFC 2409 768-bit), oakley2 (RFC 2409
    /// 1024-bit), modp1536, modp2048, modp3072 (RFC 3526), ffdhe2048, ffdhe3072, ffdhe4096 (RFC 7919),
    /// rfc5114-1024 (RFC 5114 1024-bit with 160-bit subgroup).
    #[arg(long, value_name = "NAME")]
    pub dh_group: Option<String>,

    /// Choose the suite by the server's order (SSL_OP_CIPHER_SERVER_PREFERENCE).
    #[arg(long)]
    pub serverpref: bool,
    /// No session tickets (SSL_OP_NO_TICKET; no TLS 1.3 tickets either).
    #[arg(long)]
    pub no_tickets: bool,
    /// No server-side session cache (session-ID resumption off).
    #[arg(long)]
    pub no_session_cache: bool,
    /// Refuse every renegotiation (SSL_OP_NO_RENEGOTIATION).
    #[arg(long, conflicts_with_all = ["client_renegotiation", "legacy_renegotiation"])]
    pub no_renegotiation: bool,
    /// Accept renegotiations started by the client (SSL_OP_ALLOW_CLIENT_RENEGOTIATION; OpenSSL 3
    /// refuses them by default).
    #[arg(long)]
    pub client_renegotiation: bool,
    /// Renegotiate with clients that lack RFC 5746 (SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION);
    /// add --client-renegotiation for client-initiated ones. The server still answers
    /// renegotiation_info to a client that offers it (see --fake-no-renegotiation-info).
    #[arg(long)]
    pub legacy_renegotiation: bool,
    /// TLS compression: NOT AVAILABLE (the vendored OpenSSL is built with no-comp); exits with an
    /// error so a test asking for it fails loudly.
    #[arg(long)]
    pub compression: bool,
    /// Staple this DER OCSP response to every handshake whose client asks (status_request).
    #[arg(long, value_name = "DER")]
    pub status_file: Option<PathBuf>,
    /// ALPN protocols the server accepts, comma-separated, in preference order (e.g. h2,http/1.1).
    #[arg(long, value_name = "LIST")]
    pub alpn: Option<String>,

    /// Answer one HTTP request per connection with a small page describing the session.
    #[arg(long, conflicts_with = "close")]
    pub www: bool,
    /// Send the greeting line and close at once (default: greet, then echo until the client closes).
    #[arg(long)]
    pub close: bool,
    /// Per-connection idle timeout in seconds (reads and writes).
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,
    /// Wire-level mode for what OpenSSL 3 cannot serve: answer each ClientHello with a hand-built
    /// ServerHello + Certificate + ServerHelloDone (never a full handshake), choosing a suite from
    /// --fake-suites (e.g. export suites 0x0003,0x0008). Uses --cert/--chain, --min/--max-version
    /// (≤ tls1.2), --serverpref and --timeout; other TLS flags do not apply.
    #[arg(long, requires = "fake_suites")]
    pub fake_hello: bool,
    /// With --fake-hello: suites to accept, hex code points in preference order (0x0003,0x0008).
    #[arg(long, value_name = "LIST", requires = "fake_hello")]
    pub fake_suites: Option<String>,
    /// With --fake-hello: choose DEFLATE compression when the client offers it (CRIME).
    #[arg(long, requires = "fake_hello")]
    pub fake_compression: bool,
    /// With --fake-hello: never answer renegotiation_info (a server without RFC 5746).
    #[arg(long, requires = "fake_hello")]
    pub fake_no_renegotiation_info: bool,
    /// With --fake-hello: answer a client's heartbeat extension (RFC 6520, peer_allowed_to_send).
    #[arg(long, requires = "fake_hello")]
    pub fake_heartbeat: bool,

    /// Exit after this many seconds (a guard against orphaned servers in tests).
    #[arg(long, value_name = "SECS")]
    pub exit_after: Option<u64>,
    /// Exit when standard input reaches end of file (the test that started it went away).
    #[arg(long)]
    pub exit_on_stdin_eof: bool,
}

fn parse_version(s: &str) -> Result<SslVersion, String> {
    match s.to_ascii_lowercase().as_str() {
        "ssl3" | "sslv3" => Ok(SslVersion::SSL3),
        "tls1" | "tls1.0" | "tlsv1" => Ok(SslVersion::TLS1),
        "tls1.1" | "tlsv1.1" => Ok(SslVersion::TLS1_1),
        "tls1.2" | "tlsv1.2" => Ok(SslVersion::TLS1_2),
        "tls1.3" | "tlsv1.3" => Ok(SslVersion::TLS1_3),
        _ => Err(format!(
            "unknown protocol version {s:?}: use ssl3, tls1, tls1.1, tls1.2 or tls1.3"
        )),
    }
}

fn ossl(what: &str, e: openssl::error::ErrorStack) -> String {
    format!("{what}: {e}")
}

/// DH parameters for a well-known group name (see `--dh-group`).
pub fn named_dh_group(name: &str) -> Result<Dh<Params>, String> {
    let gen2 = |p: BigNum| -> Result<Dh<Params>, String> {
        let g = BigNum::from_u32(2).map_err(|e| ossl("bignum", e))?;
        Dh::from_pqg(p, None, g).map_err(|e| ossl("DH parameters", e))
    };
    let by_nid = |nid: libc::c_int| -> Result<Dh<Params>, String> {
        // SAFETY: DH_new_by_nid returns a new DH object owned by the caller, or NULL.
        let p = unsafe { DH_new_by_nid(nid) };
        if p.is_null() {
            return Err(format!("OpenSSL has no DH group {name}"));
        }
        // SAFETY: p is a valid, owned DH pointer.
        Ok(unsafe { Dh::from_ptr(p) })
    };
    let b = |r: Result<BigNum, openssl::error::ErrorStack>| r.map_err(|e| ossl("prime", e));
    match name.to_ascii_lowercase().as_str() {
        "oakley1" | "rfc2409-768" => gen2(b(BigNum::get_rfc2409_prime_768())?),
        "oakley2" | "rfc2409-1024" => gen2(b(BigNum::get_rfc2409_prime_1024())?),
        "modp1536" => gen2(b(BigNum::get_rfc3526_prime_1536())?),
        "modp2048" => gen2(b(BigNum::get_rfc3526_prime_2048())?),
        "modp3072" => gen2(b(BigNum::get_rfc3526_prime_3072())?),
        "ffdhe2048" => by_nid(1126),
        "ffdhe3072" => by_nid(1127),
        "ffdhe4096" => by_nid(1128),
        "rfc5114-1024" => Dh::get_1024_160().map_err(|e| ossl("DH parameters", e)),
        _ => Err(format!(
            "unknown DH group {name:?}: use oakley1, oakley2, modp1536, modp2048, modp3072, \
             ffdhe2048, ffdhe3072, ffdhe4096 or rfc5114-1024"
        )),
    }
}

fn dh_params(o: &Options) -> Result<Option<Dh<Params>>, String> {
    if let Some(bits) = o.dhparam_bits {
        if !(256..=4096).contains(&bits) {
            return Err(format!(
                "--dhparam-bits {bits}: choose 256..4096 (e.g. 512, 768, 1024, 2048)"
            ));
        }
        return Dh::generate_params(bits, 2)
            .map(Some)
            .map_err(|e| ossl("generating DH parameters", e));
    }
    if let Some(path) = &o.dhparam {
        let pem = std::fs::read(path)
            .map_err(|e| format!("cannot read --dhparam {}: {e}", path.display()))?;
        return Dh::params_from_pem(&pem)
            .map(Some)
            .map_err(|e| ossl(&format!("--dhparam {}", path.display()), e));
    }
    if let Some(name) = &o.dh_group {
        return named_dh_group(name).map(Some);
    }
    Ok(None)
}

/// Security level 0 plus a security callback that allows every operation: level 0 still refuses
/// DH groups under 1024 bits ("dh key too small"), and this server must offer them.
pub fn allow_everything(b: &mut SslContextBuilder) {
    b.set_security_level(0);
    // SAFETY: valid SSL_CTX; the callback is a plain function with the documented signature.
    unsafe { SSL_CTX_set_security_callback(b.as_ptr(), Some(allow_all)) };
}

extern "C" {
    fn SSL_CTX_set_security_callback(
        ctx: *mut openssl_sys::SSL_CTX,
        cb: Option<
            unsafe extern "C" fn(
                *const openssl_sys::SSL,
                *const openssl_sys::SSL_CTX,
                libc::c_int,
                libc::c_int,
                libc::c_int,
                *mut libc::c_void,
                *mut libc::c_void,
            ) -> libc::c_int,
        >,
    );
}

unsafe extern "C" fn allow_all(
    _s: *const openssl_sys::SSL,
    _ctx: *const openssl_sys::SSL_CTX,
    _op: libc::c_int,
    _bits: libc::c_int,
    _nid: libc::c_int,
    _other: *mut libc::c_void,
    _ex: *mut libc::c_void,
) -> libc::c_int {
    1
}

fn read_file(flag: &str, path: &PathBuf) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {flag} {}: {e}", path.display()))
}

fn use_cert_key(
    b: &mut SslContextBuilder,
    flag: &str,
    cert: &PathBuf,
    key: &PathBuf,
) -> Result<(), String> {
    read_file(flag, cert)?;
    read_file(flag, key)?;
    b.set_certificate_chain_file(cert)
        .map_err(|e| ossl(&format!("{flag} {}", cert.display()), e))?;
    b.set_private_key_file(key, SslFiletype::PEM)
        .map_err(|e| ossl(&format!("key for {flag} {}", key.display()), e))?;
    b.check_private_key().map_err(|e| {
        ossl(
            &format!("{} does not match {}", key.display(), cert.display()),
            e,
        )
    })
}

fn is_self_signed(cert: &PathBuf) -> Result<bool, String> {
    let pem = read_file("--cert", cert)?;
    let x =
        openssl::x509::X509::from_pem(&pem).map_err(|e| ossl(&format!("{}", cert.display()), e))?;
    let key = x.public_key().map_err(|e| ossl("certificate key", e))?;
    Ok(x.issuer_name_hash() == x.subject_name_hash() && x.verify(&key).unwrap_or(false))
}

/// Build the OpenSSL context for `o` with the given certificate/key pairs.
fn build_context(
    o: &Options,
    pairs: &[(&str, PathBuf, PathBuf)],
    sni: Option<(String, SslContext)>,
) -> Result<SslContext, String> {
    let mut b = SslContext::builder(SslMethod::tls()).map_err(|e| ossl("SSL_CTX_new", e))?;
    allow_everything(&mut b);
    b.clear_options(
        SslOptions::NO_SSL_MASK | SslOptions::NO_COMPRESSION | SslOptions::NO_RENEGOTIATION,
    );
    b.set_options(SslOptions::NO_COMPRESSION);
    b.set_min_proto_version(Some(o.min_version))
        .map_err(|e| ossl("--min-version", e))?;
    b.set_max_proto_version(Some(o.max_version))
        .map_err(|e| ossl("--max-version", e))?;

    let cipher = if o.cipher.contains("@SECLEVEL") {
        o.cipher.clone()
    } else {
        format!("{}:@SECLEVEL=0", o.cipher)
    };
    b.set_cipher_list(&cipher)
        .map_err(|e| ossl(&format!("--cipher {:?} (no suite matched?)", o.cipher), e))?;
    if let Some(cs) = &o.ciphersuites {
        b.set_ciphersuites(cs)
            .map_err(|e| ossl(&format!("--ciphersuites {cs:?}"), e))?;
    }
    if let Some(g) = &o.groups {
        b.set_groups_list(g)
            .map_err(|e| ossl(&format!("--groups {g:?}"), e))?;
    }
    if let Some(s) = &o.sigalgs {
        b.set_sigalgs_list(s)
            .map_err(|e| ossl(&format!("--sigalgs {s:?}"), e))?;
    }
    match dh_params(o)? {
        Some(dh) => b.set_tmp_dh(&dh).map_err(|e| ossl("DH parameters", e))?,
        None => {
            // Like s_server: pick DH parameters matching the certificate's strength.
            // SAFETY: b.as_ptr() is a valid SSL_CTX.
            unsafe { openssl_sys::SSL_CTX_set_dh_auto(b.as_ptr(), 1) };
        }
    }

    for (flag, cert, key) in pairs {
        use_cert_key(&mut b, flag, cert, key)?;
    }
    if let Some(chain) = &o.chain {
        let pem = read_file("--chain", chain)?;
        let certs = openssl::x509::X509::stack_from_pem(&pem)
            .map_err(|e| ossl(&format!("--chain {}", chain.display()), e))?;
        for c in certs {
            b.add_extra_chain_cert(c)
                .map_err(|e| ossl("adding chain certificate", e))?;
        }
    }

    let mut opts = SslOptions::empty();
    if o.serverpref {
        opts |= SslOptions::CIPHER_SERVER_PREFERENCE;
    }
    if o.no_tickets {
        opts |= SslOptions::NO_TICKET;
        b.set_num_tickets(0).map_err(|e| ossl("num_tickets", e))?;
    }
    if o.no_renegotiation {
        opts |= SslOptions::NO_RENEGOTIATION;
    }
    if o.legacy_renegotiation {
        opts |= SslOptions::ALLOW_UNSAFE_LEGACY_RENEGOTIATION;
    }
    if o.client_renegotiation {
        opts |= SslOptions::from_bits_retain(SSL_OP_ALLOW_CLIENT_RENEGOTIATION as _);
    }
    b.set_options(opts);
    if o.no_session_cache {
        b.set_session_cache_mode(SslSessionCacheMode::OFF);
    } else {
        b.set_session_cache_mode(SslSessionCacheMode::SERVER);
        b.set_session_id_context(b"tlskit-weak-server")
            .map_err(|e| ossl("session id context", e))?;
    }

    if let Some(path) = &o.status_file {
        let der = read_file("--status-file", path)?;
        openssl::ocsp::OcspResponse::from_der(&der).map_err(|e| {
            ossl(
                &format!(
                    "--status-file {} is not a DER OCSPResponse (OpenSSL parses it and \
                     drops what it cannot parse)",
                    path.display()
                ),
                e,
            )
        })?;
        for (flag, cert, _) in pairs {
            if is_self_signed(cert)? {
                return Err(format!(
                    "--status-file needs a CA-issued {flag}: OpenSSL 3.6 never staples OCSP for \
                     a self-signed leaf ({} is self-signed)",
                    cert.display()
                ));
            }
        }
        b.set_status_callback(move |ssl| {
            ssl.set_ocsp_status(&der)?;
            Ok(true)
        })
        .map_err(|e| ossl("OCSP status callback", e))?;
    }
    if let Some(list) = &o.alpn {
        let mut wire = Vec::new();
        for p in list.split(',').filter(|p| !p.is_empty()) {
            if p.len() > 255 {
                return Err(format!("--alpn: protocol name too long: {p:?}"));
            }
            wire.push(p.len() as u8);
            wire.extend_from_slice(p.as_bytes());
        }
        if wire.is_empty() {
            return Err("--alpn: give at least one protocol, e.g. h2,http/1.1".into());
        }
        b.set_alpn_select_callback(move |_ssl, client| {
            // Server preference: the first of our protocols that the client offers.
            let mut rest: &[u8] = &wire;
            while let Some((&n, tail)) = rest.split_first() {
                let (proto, next) = tail.split_at(n as usize);
                if let Some(p) = find_in(client, proto) {
                    return Ok(p);
                }
                rest = next;
            }
            Err(AlpnError::NOACK)
        });
    }
    if let Some((name, ctx2)) = sni {
        b.set_servername_callback(move |ssl, _alert: &mut SslAlert| {
            let matches = ssl
                .servername(NameType::HOST_NAME)
                .is_some_and(|n| n.eq_ignore_ascii_case(&name));
            if matches {
                ssl.set_ssl_context(&ctx2)
                    .map_err(|_| SniError::ALERT_FATAL)?;
            }
            Ok(())
        });
    }
    Ok(b.build())
}

/// The slice of `client` (ALPN wire list) equal to `proto`, so the callback can return a
/// reference that lives as long as the client's list.
fn find_in<'a>(client: &'a [u8], proto: &[u8]) -> Option<&'a [u8]> {
    let mut rest = client;
    while let Some((&n, tail)) = rest.split_first() {
        if tail.len() < n as usize {
            return None;
        }
        let (p, next) = tail.split_at(n as usize);
        if p == proto {
            return Some(p);
        }
        rest = next;
    }
    None
}

enum Mode {
    Tls(SslContext),
    Fake(Arc<FakeHello>),
}

/// A configured, bound server ready to run.
pub struct Server {
    listener: TcpListener,
    mode: Mode,
    opts: Arc<Options>,
}

fn fake_config(o: &Options) -> Result<FakeHello, String> {
    let wire = |v: SslVersion| -> Result<u16, String> {
        match v {
            SslVersion::SSL3 => Ok(0x0300),
            SslVersion::TLS1 => Ok(0x0301),
            SslVersion::TLS1_1 => Ok(0x0302),
            SslVersion::TLS1_2 | SslVersion::TLS1_3 => Ok(0x0303),
            _ => Err("unknown version".into()),
        }
    };
    let suites = fake::parse_suite_list(o.fake_suites.as_deref().unwrap_or(""))?;
    if suites.is_empty() {
        return Err("--fake-suites: give at least one code point, e.g. 0x0003".into());
    }
    let mut chain = Vec::new();
    for (flag, path) in
        std::iter::once(("--cert", &o.cert)).chain(o.chain.iter().map(|c| ("--chain", c)))
    {
        let pem = read_file(flag, path)?;
        for c in openssl::x509::X509::stack_from_pem(&pem)
            .map_err(|e| ossl(&format!("{flag} {}", path.display()), e))?
        {
            chain.push(c.to_der().map_err(|e| ossl("certificate DER", e))?);
        }
    }
    Ok(FakeHello {
        min_version: wire(o.min_version)?,
        max_version: wire(o.max_version)?,
        suites,
        server_preference: o.serverpref,
        compression: o.fake_compression,
        secure_renegotiation: !o.fake_no_renegotiation_info,
        heartbeat: o.fake_heartbeat,
        chain,
    })
}

impl Server {
    /// Check the options, load the providers, build the context and bind the listener.
    pub fn bind(o: Options) -> Result<Server, String> {
        if o.compression {
            return Err(
                "--compression is not available: the vendored OpenSSL is built with \
                        no-comp/no-zlib (openssl-src hardcodes it) and OpenSSL 3 has no other \
                        compression method; for a ServerHello that picks DEFLATE (CRIME checks) \
                        use --fake-hello --fake-suites … --fake-compression"
                    .into(),
            );
        }
        if !o.accept.ip().is_loopback() {
            return Err(format!(
                "--accept {}: this deliberately weak server listens on loopback only \
                 (127.0.0.1 or [::1])",
                o.accept
            ));
        }
        if o.fake_hello {
            let fake = fake_config(&o)?;
            let listener = TcpListener::bind(o.accept)
                .map_err(|e| format!("cannot listen on {}: {e}", o.accept))?;
            return Ok(Server {
                listener,
                mode: Mode::Fake(Arc::new(fake)),
                opts: Arc::new(o),
            });
        }
        crate::load_providers()?;
        let key = o.key.clone().unwrap_or_else(|| o.cert.clone());
        let mut pairs = vec![("--cert", o.cert.clone(), key)];
        if let (Some(c2), Some(k2)) = (&o.cert2, &o.key2) {
            pairs.push(("--cert2", c2.clone(), k2.clone()));
        }
        let sni = match (&o.sni_name, &o.sni_cert, &o.sni_key) {
            (Some(n), Some(c), Some(k)) => {
                let ctx2 = build_context(&o, &[("--sni-cert", c.clone(), k.clone())], None)?;
                Some((n.clone(), ctx2))
            }
            _ => None,
        };
        let ctx = build_context(&o, &pairs, sni)?;
        let listener = TcpListener::bind(o.accept)
            .map_err(|e| format!("cannot listen on {}: {e}", o.accept))?;
        Ok(Server {
            listener,
            mode: Mode::Tls(ctx),
            opts: Arc::new(o),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("bound socket")
    }

    /// Accept connections forever, one thread each.
    pub fn run(self) -> ! {
        let counter = AtomicU64::new(0);
        loop {
            let (stream, peer) = match self.listener.accept() {
                Ok(x) => x,
                Err(e) => {
                    eprintln!("accept failed: {e}");
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                }
            };
            let n = counter.fetch_add(1, Ordering::Relaxed) + 1;
            let opts = self.opts.clone();
            match &self.mode {
                Mode::Tls(ctx) => {
                    let ctx = ctx.clone();
                    std::thread::spawn(move || serve_one(n, stream, peer, &ctx, &opts));
                }
                Mode::Fake(fake) => {
                    let fake = fake.clone();
                    std::thread::spawn(move || {
                        let t = Some(Duration::from_secs(opts.timeout.max(1)));
                        let _ = stream.set_read_timeout(t);
                        let _ = stream.set_write_timeout(t);
                        let line = fake::serve(&fake, stream);
                        eprintln!("conn {n}: {line} from {peer}");
                    });
                }
            }
        }
    }
}

fn serve_one(n: u64, stream: TcpStream, peer: SocketAddr, ctx: &SslContext, o: &Options) {
    let t = Some(Duration::from_secs(o.timeout.max(1)));
    let _ = stream.set_read_timeout(t);
    let _ = stream.set_write_timeout(t);
    let handshakes = Arc::new(AtomicU64::new(0));
    let ssl = match Ssl::new(ctx) {
        Ok(mut s) => {
            s.set_ex_data(handshake_counter_index(), handshakes.clone());
            // SAFETY: valid SSL; the callback only reads ex_data set above.
            unsafe { SSL_set_info_callback(s.as_ptr(), Some(count_handshakes)) };
            s
        }
        Err(e) => {
            eprintln!("conn {n}: SSL_new failed: {e}");
            return;
        }
    };
    let mut tls = match ssl.accept(stream) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("conn {n}: handshake failed: {}", one_line(&e.to_string()));
            return;
        }
    };
    let s = tls.ssl();
    let proto = s.version_str();
    let suite = s.current_cipher().map(|c| c.name()).unwrap_or("?");
    let sni = s.servername(NameType::HOST_NAME).unwrap_or("-").to_string();
    let alpn = s
        .selected_alpn_protocol()
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .unwrap_or_else(|| "-".into());
    let reused = if s.session_reused() { " resumed" } else { "" };
    eprintln!("conn {n}: {proto} {suite} sni={sni} alpn={alpn}{reused} from {peer}");
    let greeting = format!("tlskit-weak-server: {proto} {suite}\n");

    if o.www {
        answer_http(&mut tls, proto, suite, &sni, &alpn);
    } else {
        if tls.write_all(greeting.as_bytes()).is_ok() && !o.close {
            echo(&mut tls);
        }
        let _ = tls.shutdown();
    }
    // TLS 1.3 signals handshake start for post-handshake messages too; count only ≤ TLS 1.2.
    let renegs = handshakes.load(Ordering::Relaxed).saturating_sub(1);
    if renegs > 0 && tls.ssl().version2() != Some(SslVersion::TLS1_3) {
        eprintln!("conn {n}: renegotiations={renegs}");
    }
}

fn echo(tls: &mut SslStream<TcpStream>) {
    let mut buf = [0u8; 4096];
    loop {
        match tls.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(k) => {
                if tls.write_all(&buf[..k]).is_err() {
                    return;
                }
            }
        }
    }
}

fn answer_http(tls: &mut SslStream<TcpStream>, proto: &str, suite: &str, sni: &str, alpn: &str) {
    // Read the request head (bounded), ignore its content.
    let mut reader = BufReader::new(tls);
    let mut total = 0usize;
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(k) => total += k,
        }
        if line == "\r\n" || line == "\n" || total > 16 * 1024 {
            break;
        }
    }
    let tls = reader.into_inner();
    let body = format!(
        "<html><head><title>tlskit-weak-server</title></head><body>\n\
         <h1>tlskit-weak-server</h1>\n<p>protocol: {proto}</p>\n<p>cipher: {suite}</p>\n\
         <p>sni: {}</p>\n<p>alpn: {}</p>\n</body></html>\n",
        html_escape(sni),
        html_escape(alpn)
    );
    let head = format!(
        "HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = tls.write_all(head.as_bytes());
    let _ = tls.write_all(body.as_bytes());
    let _ = tls.shutdown();
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Entry point of the binary: parse, bind, announce, serve. Returns an error message on failure.
pub fn main_with(o: Options) -> Result<(), String> {
    let exit_after = o.exit_after;
    let stdin_eof = o.exit_on_stdin_eof;
    let server = Server::bind(o)?;
    if let Some(secs) = exit_after {
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(secs));
            eprintln!("exiting after {secs}s (--exit-after)");
            std::process::exit(0);
        });
    }
    if stdin_eof {
        std::thread::spawn(|| {
            let mut sink = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut sink);
            std::process::exit(0);
        });
    }
    let addr = server.local_addr();
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "ACCEPT {addr}");
        let _ = out.flush();
    }
    eprintln!(
        "tlskit-weak-server: {} listening on {addr} (deliberately weak; test use only)",
        crate::openssl_version()
    );
    server.run()
}
