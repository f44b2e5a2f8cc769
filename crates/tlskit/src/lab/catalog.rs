//! The lab's endpoints: what each demonstrates, what a correct client does, what a browser says,
//! and the tlskit command that shows why. One table, read by the runner, the index page, the
//! endpoints file and the README.

/// How an endpoint is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Server {
    /// rustls, in every build.
    Rustls,
    /// The legacy OpenSSL server: only in a build with `--features legacy-lab`.
    Legacy,
}

/// One endpoint of the lab.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub name: &'static str,
    /// Port = --port-base + offset (stable, so the README's numbers hold).
    pub offset: u16,
    pub server: Server,
    /// What it demonstrates.
    pub demonstrates: &'static str,
    /// What a correct client does.
    pub expect: &'static str,
    /// What Chromium shows (checked by the tests).
    pub browser: &'static str,
    /// Connect by IP address (so that no SNI is sent), not by the name localhost.
    pub by_ip: bool,
}

/// Offset of the plain-HTTP revocation service (CRL and OCSP) from --port-base.
pub const RESPONDER_OFFSET: u16 = 20;
/// Ports the lab takes from --port-base: the endpoints and the revocation service.
pub const PORTS_USED: u16 = RESPONDER_OFFSET + 1;

const fn spec(
    name: &'static str,
    offset: u16,
    server: Server,
    demonstrates: &'static str,
    expect: &'static str,
    browser: &'static str,
) -> Spec {
    Spec {
        name,
        offset,
        server,
        demonstrates,
        expect,
        browser,
        by_ip: false,
    }
}

/// Every endpoint, in port order.
pub const ENDPOINTS: &[Spec] = &[
    spec("good", 0, Server::Rustls,
        "a correct HTTPS server: a certificate for localhost from the lab CA, TLS 1.2/1.3, forward-secret AEAD suites; this index",
        "accept",
        "loads the page (once the lab CA is trusted: tlskit cert trust)"),
    spec("expired", 1, Server::Rustls,
        "a certificate whose validity ended yesterday",
        "reject: certificate expired",
        "net::ERR_CERT_DATE_INVALID"),
    spec("not-yet-valid", 2, Server::Rustls,
        "a certificate valid only from next month (a server, or a client, with a wrong clock)",
        "reject: certificate not yet valid",
        "net::ERR_CERT_DATE_INVALID"),
    spec("wrong-host", 3, Server::Rustls,
        "a valid certificate for another name (wrong.host.test), not for localhost",
        "reject: name mismatch",
        "net::ERR_CERT_COMMON_NAME_INVALID"),
    spec("self-signed", 4, Server::Rustls,
        "a certificate the server signed itself: nobody vouches for it",
        "reject: self-signed certificate (unknown issuer)",
        "net::ERR_CERT_AUTHORITY_INVALID"),
    spec("untrusted-root", 5, Server::Rustls,
        "a chain up to a root CA the client does not trust (made by the lab, never installed)",
        "reject: unknown issuer (untrusted root)",
        "net::ERR_CERT_AUTHORITY_INVALID"),
    spec("incomplete-chain", 6, Server::Rustls,
        "a certificate from an intermediate CA, but the server does not send the intermediate",
        "reject: unknown issuer (the server omits the intermediate certificate)",
        "net::ERR_CERT_AUTHORITY_INVALID"),
    spec("revoked", 7, Server::Rustls,
        "a certificate the CA has revoked: its CRL and OCSP responder (plain HTTP on loopback) say so, and the server staples the OCSP answer",
        "reject: certificate revoked (only clients that check revocation notice: CRL, OCSP, or the stapled answer)",
        "net::ERR_CERT_REVOKED (Chromium believes the stapled OCSP answer; it fetches no CRL or OCSP itself)"),
    spec("sha1-signature", 8, Server::Rustls,
        "a certificate signed with SHA-1 (ecdsa-with-SHA1), a hash with practical collisions (SHAttered)",
        "reject: SHA-1 signature",
        "net::ERR_CERT_INVALID (Chromium's verifier no longer knows SHA-1 signatures at all)"),
    spec("rsa-1024", 9, Server::Legacy,
        "a certificate with a 1024-bit RSA key (breakable with enough computing power)",
        "reject: RSA key too small (1024 bits)",
        "loads the page: Chromium only refuses keys under 1024 bits from a locally installed CA"),
    spec("client-cert-required", 10, Server::Rustls,
        "mutual TLS: the server requires a client certificate from the lab CA (lab/client.pem has one)",
        "reject unless the client presents a certificate from the lab CA",
        "net::ERR_BAD_SSL_CLIENT_AUTH_CERT (or net::ERR_SOCKET_NOT_CONNECTED: in TLS 1.3 the server refuses after the client's Finished, and Chromium may see the connection close before it reads the alert)"),
    spec("hsts", 11, Server::Rustls,
        "HTTP Strict Transport Security: the page says 'only ever reach me over HTTPS' (max-age 300 s)",
        "accept; a browser then refuses plain HTTP and certificate errors for this host",
        "loads the page"),
    Spec {
        by_ip: true,
        ..spec("no-sni-different-cert", 12, Server::Rustls,
            "a server that picks its certificate by SNI: by name (localhost) you get the right one; by IP address (no SNI is sent) a fallback for fallback.lab.test",
            "reject without SNI: name mismatch (with SNI localhost: accept)",
            "net::ERR_CERT_COMMON_NAME_INVALID")
    },
    spec("tls1.0", 13, Server::Legacy,
        "a server that speaks only TLS 1.0 (deprecated by RFC 8996)",
        "reject: protocol version TLS 1.0",
        "net::ERR_SSL_VERSION_OR_CIPHER_MISMATCH"),
    spec("tls1.1", 14, Server::Legacy,
        "a server that speaks only TLS 1.1 (deprecated by RFC 8996)",
        "reject: protocol version TLS 1.1",
        "net::ERR_SSL_VERSION_OR_CIPHER_MISMATCH"),
    spec("rc4", 15, Server::Legacy,
        "a server that offers only RC4 suites (prohibited by RFC 7465)",
        "reject: no shared cipher (RC4)",
        "net::ERR_SSL_VERSION_OR_CIPHER_MISMATCH"),
    spec("3des", 16, Server::Legacy,
        "a server that offers only 3DES suites (64-bit blocks: Sweet32)",
        "reject: no shared cipher (3DES)",
        "net::ERR_SSL_VERSION_OR_CIPHER_MISMATCH"),
    spec("dh-1024", 17, Server::Legacy,
        "finite-field DHE with a common 1024-bit prime (RFC 2409 group 2: Logjam)",
        "reject: DH group too small (1024 bits)",
        "net::ERR_SSL_VERSION_OR_CIPHER_MISMATCH"),
    spec("null", 18, Server::Legacy,
        "NULL cipher suites: authenticated but not encrypted at all",
        "reject: no shared cipher (NULL: no encryption)",
        "net::ERR_SSL_VERSION_OR_CIPHER_MISMATCH"),
    spec("export", 19, Server::Legacy,
        "export-grade suites (40-bit RC4, 40-bit DES: FREAK); a hand-made ServerHello, since OpenSSL 3 lost them",
        "reject: no shared cipher (export-grade)",
        "net::ERR_SSL_VERSION_OR_CIPHER_MISMATCH"),
];

/// The endpoint called `name`.
pub fn find(name: &str) -> Option<&'static Spec> {
    ENDPOINTS.iter().find(|s| s.name == name)
}

/// Whether this build serves the legacy endpoints.
pub const LEGACY_BUILD: bool = cfg!(feature = "legacy-lab");

/// What to tell users of a build without the legacy server.
pub const LEGACY_HINT: &str = "not served by this build: it needs a tlskit built with the legacy OpenSSL server (cargo build --release --features legacy-lab); rustls, and so the default binary, refuses to serve it";
