//! A small TLS client on the same vendored OpenSSL (security level 0, legacy provider), for tests
//! that must check what the weak server negotiates where Debian's `openssl s_client` cannot
//! (SSLv3, RC4, 512-bit DH …). It does not verify certificates: it only observes.

use foreign_types::{ForeignType, ForeignTypeRef};
use openssl::pkey::Id;
use openssl::ssl::{
    SslContext, SslMethod, SslOptions, SslSession, SslStream, SslVerifyMode, SslVersion, StatusType,
};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

extern "C" {
    fn SSL_get_current_compression(s: *const openssl_sys::SSL) -> *const libc::c_void;
    fn SSL_COMP_get_name(comp: *const libc::c_void) -> *const libc::c_char;
    fn SSL_renegotiate(s: *mut openssl_sys::SSL) -> libc::c_int;
    fn SSL_SESSION_has_ticket(s: *const openssl_sys::SSL_SESSION) -> libc::c_int;
}

const SSL_CTRL_GET_RI_SUPPORT: libc::c_int = 76;

/// What the client offers. `Default` offers everything the vendored OpenSSL has, SSLv3–TLS 1.3.
#[derive(Debug, Clone)]
pub struct Probe {
    pub min_version: SslVersion,
    pub max_version: SslVersion,
    /// OpenSSL cipher list for ≤ TLS 1.2 (":@SECLEVEL=0" is appended unless it names a level).
    pub cipher: String,
    /// TLS 1.3 suites.
    pub ciphersuites: Option<String>,
    pub groups: Option<String>,
    pub sigalgs: Option<String>,
    pub sni: Option<String>,
    pub alpn: Vec<String>,
    /// Ask for an OCSP staple (status_request).
    pub want_ocsp: bool,
    /// Refuse session tickets (resumption by session ID only).
    pub no_ticket: bool,
    /// After the greeting, start a renegotiation (TLS ≤ 1.2) and report whether it worked.
    pub renegotiate: bool,
    /// Seconds for connect/read/write.
    pub timeout: u64,
}

impl Default for Probe {
    fn default() -> Self {
        Probe {
            min_version: SslVersion::SSL3,
            max_version: SslVersion::TLS1_3,
            cipher: "ALL:COMPLEMENTOFALL".into(),
            ciphersuites: None,
            groups: None,
            sigalgs: None,
            sni: None,
            alpn: Vec::new(),
            want_ocsp: false,
            no_ticket: false,
            renegotiate: false,
            timeout: 20,
        }
    }
}

impl Probe {
    /// Offer exactly one version (e.g. "ssl3", "tls1.2").
    pub fn version(v: &str) -> Probe {
        let v = parse_version(v);
        Probe {
            min_version: v,
            max_version: v,
            ..Probe::default()
        }
    }
    pub fn cipher(mut self, c: &str) -> Probe {
        self.cipher = c.into();
        self
    }
}

fn parse_version(v: &str) -> SslVersion {
    match v {
        "ssl3" => SslVersion::SSL3,
        "tls1" => SslVersion::TLS1,
        "tls1.1" => SslVersion::TLS1_1,
        "tls1.2" => SslVersion::TLS1_2,
        "tls1.3" => SslVersion::TLS1_3,
        _ => panic!("unknown version {v:?}"),
    }
}

/// What one handshake negotiated.
#[derive(Clone)]
pub struct Outcome {
    /// "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3".
    pub version: String,
    /// OpenSSL suite name, e.g. "RC4-SHA".
    pub cipher: String,
    /// Ephemeral key of the server: ("DH", 512), ("X25519", 253), ("EC", 256) …
    pub server_temp_key: Option<(String, u32)>,
    /// The server's DH prime when the key exchange was finite-field DHE (big-endian bytes).
    pub dh_prime: Option<Vec<u8>>,
    pub alpn: Option<String>,
    pub ocsp: Option<Vec<u8>>,
    /// Whether the server answered RFC 5746 secure renegotiation.
    pub secure_renegotiation: bool,
    /// Subject CN and key type ("RSA", "EC", …) of the server's leaf certificate.
    pub peer_cn: Option<String>,
    pub peer_key_type: Option<String>,
    /// Name of the compression method in use ("zlib"), None without compression.
    pub compression: Option<String>,
    /// The first line the server sent ("tlskit-weak-server: PROTO SUITE").
    pub greeting: String,
    pub session_reused: bool,
    /// The session (after reading the greeting, so TLS 1.3 tickets have arrived).
    pub session: Option<SslSession>,
    pub ticket: bool,
    /// With `Probe::renegotiate`: Ok if the renegotiation completed and data still flowed.
    pub renegotiation: Option<Result<(), String>>,
}

impl std::fmt::Debug for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outcome")
            .field("version", &self.version)
            .field("cipher", &self.cipher)
            .field("server_temp_key", &self.server_temp_key)
            .field("alpn", &self.alpn)
            .field("ocsp", &self.ocsp.as_ref().map(|o| o.len()))
            .field("secure_renegotiation", &self.secure_renegotiation)
            .field("peer_cn", &self.peer_cn)
            .field("peer_key_type", &self.peer_key_type)
            .field("compression", &self.compression)
            .field("greeting", &self.greeting)
            .field("session_reused", &self.session_reused)
            .field("ticket", &self.ticket)
            .field("renegotiation", &self.renegotiation)
            .finish()
    }
}

/// A client context; reuse it for resumption (sessions belong to a context).
pub struct Client {
    ctx: SslContext,
    probe: Probe,
    ocsp: Arc<Mutex<Option<Vec<u8>>>>,
}

impl Client {
    pub fn new(probe: &Probe) -> Result<Client, String> {
        crate::load_providers()?;
        let e = |w: &str, e: openssl::error::ErrorStack| format!("{w}: {e}");
        let mut b = SslContext::builder(SslMethod::tls()).map_err(|x| e("SSL_CTX_new", x))?;
        crate::server::allow_everything(&mut b);
        b.clear_options(SslOptions::NO_SSL_MASK);
        b.set_verify(SslVerifyMode::NONE);
        b.set_min_proto_version(Some(probe.min_version))
            .map_err(|x| e("min version", x))?;
        b.set_max_proto_version(Some(probe.max_version))
            .map_err(|x| e("max version", x))?;
        let cipher = if probe.cipher.contains("@SECLEVEL") {
            probe.cipher.clone()
        } else {
            format!("{}:@SECLEVEL=0", probe.cipher)
        };
        b.set_cipher_list(&cipher)
            .map_err(|x| e(&format!("cipher {cipher:?}"), x))?;
        if let Some(cs) = &probe.ciphersuites {
            b.set_ciphersuites(cs).map_err(|x| e("ciphersuites", x))?;
        }
        if let Some(g) = &probe.groups {
            b.set_groups_list(g).map_err(|x| e("groups", x))?;
        }
        if let Some(s) = &probe.sigalgs {
            b.set_sigalgs_list(s).map_err(|x| e("sigalgs", x))?;
        }
        if probe.no_ticket {
            b.set_options(SslOptions::NO_TICKET);
        }
        if !probe.alpn.is_empty() {
            let mut wire = Vec::new();
            for p in &probe.alpn {
                wire.push(p.len() as u8);
                wire.extend_from_slice(p.as_bytes());
            }
            b.set_alpn_protos(&wire).map_err(|x| e("alpn", x))?;
        }
        let ocsp = Arc::new(Mutex::new(None));
        if probe.want_ocsp {
            let slot = ocsp.clone();
            b.set_status_callback(move |ssl| {
                *slot.lock().unwrap() = ssl.ocsp_status().map(|s| s.to_vec());
                Ok(true)
            })
            .map_err(|x| e("status callback", x))?;
        }
        // Cache client sessions so SSL_get1_session works for TLS 1.3 too.
        b.set_session_cache_mode(openssl::ssl::SslSessionCacheMode::CLIENT);
        Ok(Client {
            ctx: b.build(),
            probe: probe.clone(),
            ocsp,
        })
    }

    /// Connect to `addr`, handshake (resuming `session` if given), read the greeting line, and
    /// optionally renegotiate. Err carries the OpenSSL error (e.g. "no shared cipher").
    pub fn connect(&self, addr: &str, session: Option<&SslSession>) -> Result<Outcome, String> {
        let timeout = Duration::from_secs(self.probe.timeout.max(1));
        let sa: SocketAddr = addr.parse().map_err(|e| format!("{addr}: {e}"))?;
        let tcp = TcpStream::connect_timeout(&sa, timeout).map_err(|e| format!("{addr}: {e}"))?;
        tcp.set_read_timeout(Some(timeout)).ok();
        tcp.set_write_timeout(Some(timeout)).ok();
        let mut ssl = openssl::ssl::Ssl::new(&self.ctx).map_err(|e| e.to_string())?;
        if let Some(n) = &self.probe.sni {
            ssl.set_hostname(n).map_err(|e| e.to_string())?;
        }
        if self.probe.want_ocsp {
            ssl.set_status_type(StatusType::OCSP)
                .map_err(|e| e.to_string())?;
        }
        if let Some(s) = session {
            // SAFETY: sessions passed here come from this client's context.
            unsafe { ssl.set_session(s) }.map_err(|e| e.to_string())?;
        }
        *self.ocsp.lock().unwrap() = None;
        let mut tls = ssl
            .connect(tcp)
            .map_err(|e| format!("handshake failed: {e}"))?;
        let mut out = describe(&tls);
        out.ocsp = self.ocsp.lock().unwrap().clone();

        let mut greeting = Vec::new();
        let mut byte = [0u8; 1];
        while greeting.len() < 512 {
            match tls.read(&mut byte) {
                Ok(1) if byte[0] == b'\n' => break,
                Ok(1) => greeting.push(byte[0]),
                _ => break,
            }
        }
        out.greeting = String::from_utf8_lossy(&greeting).into_owned();
        out.session = tls.ssl().session().map(|s| s.to_owned());
        out.ticket = out
            .session
            .as_ref()
            // SAFETY: valid session pointer.
            .is_some_and(|s| unsafe { SSL_SESSION_has_ticket(s.as_ptr()) } == 1);
        if self.probe.renegotiate {
            out.renegotiation = Some(renegotiate(&mut tls));
        }
        let _ = tls.shutdown();
        Ok(out)
    }
}

fn renegotiate(tls: &mut SslStream<TcpStream>) -> Result<(), String> {
    // SAFETY: valid SSL pointer.
    if unsafe { SSL_renegotiate(tls.ssl().as_ptr()) } != 1 {
        return Err(format!(
            "SSL_renegotiate refused: {}",
            openssl::error::ErrorStack::get()
        ));
    }
    tls.do_handshake()
        .map_err(|e| format!("renegotiation handshake: {e}"))?;
    tls.write_all(b"after-renegotiation\n")
        .map_err(|e| format!("write after renegotiation: {e}"))?;
    let mut line = String::new();
    BufReader::new(&mut *tls)
        .read_line(&mut line)
        .map_err(|e| format!("read after renegotiation: {e}"))?;
    if line.trim_end() != "after-renegotiation" {
        return Err(format!("no echo after renegotiation (got {line:?})"));
    }
    Ok(())
}

fn describe(tls: &SslStream<TcpStream>) -> Outcome {
    let s = tls.ssl();
    let server_temp_key = s.peer_tmp_key().ok().map(|k| {
        let name = match k.id() {
            Id::DH => "DH".to_string(),
            Id::EC => "EC".to_string(),
            Id::X25519 => "X25519".to_string(),
            Id::X448 => "X448".to_string(),
            other => format!("{other:?}"),
        };
        (name, k.bits())
    });
    let dh_prime = s
        .peer_tmp_key()
        .ok()
        .and_then(|k| k.dh().ok())
        .map(|dh| dh.prime_p().to_vec());
    let (peer_cn, peer_key_type) = match s.peer_certificate() {
        Some(c) => {
            let cn = c
                .subject_name()
                .entries_by_nid(openssl::nid::Nid::COMMONNAME)
                .next()
                .and_then(|e| e.data().to_string().ok());
            let kt = c.public_key().ok().map(|k| match k.id() {
                Id::RSA => "RSA".to_string(),
                Id::EC => "EC".to_string(),
                Id::ED25519 => "ED25519".to_string(),
                other => format!("{other:?}"),
            });
            (cn, kt)
        }
        None => (None, None),
    };
    // SAFETY: valid SSL pointer; the ctrl only reads a flag.
    let ri = unsafe {
        openssl_sys::SSL_ctrl(s.as_ptr(), SSL_CTRL_GET_RI_SUPPORT, 0, std::ptr::null_mut())
    };
    // SAFETY: valid SSL pointer; returns NULL without compression.
    let comp = unsafe { SSL_get_current_compression(s.as_ptr()) };
    let compression = (!comp.is_null()).then(|| {
        // SAFETY: comp is a valid COMP_METHOD; the name is a static C string.
        let name = unsafe { SSL_COMP_get_name(comp) };
        if name.is_null() {
            "?".to_string()
        } else {
            // SAFETY: NUL-terminated static string.
            unsafe { std::ffi::CStr::from_ptr(name) }
                .to_string_lossy()
                .into_owned()
        }
    });
    Outcome {
        version: s.version_str().to_string(),
        cipher: s
            .current_cipher()
            .map(|c| c.name().to_string())
            .unwrap_or_default(),
        server_temp_key,
        dh_prime,
        alpn: s
            .selected_alpn_protocol()
            .map(|p| String::from_utf8_lossy(p).into_owned()),
        ocsp: None,
        secure_renegotiation: ri == 1,
        peer_cn,
        peer_key_type,
        compression,
        greeting: String::new(),
        session_reused: s.session_reused(),
        session: None,
        ticket: false,
        renegotiation: None,
    }
}

/// One handshake with a fresh client for `probe`.
pub fn probe(addr: &str, probe: &Probe) -> Result<Outcome, String> {
    Client::new(probe)?.connect(addr, None)
}
