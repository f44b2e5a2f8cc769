//! Flags and helpers shared by several subcommands.

use std::time::Duration;

/// The `-p/-C/--ciphersuites/--groups/--alpn/--keylog` group shared by `connect` and `serve`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct TlsFlags {
    /// Protocol version to allow: TLSv1_2 or TLSv1_3 (also TLSv1.2, tls1.3). Repeat or comma-separate
    /// to allow several; default: both. Older versions are refused (see `tlskit scan`).
    #[arg(short = 'p', long = "protocol", value_name = "VERSION")]
    pub protocol: Vec<String>,

    /// OpenSSL-style cipher string for TLSv1.2 suites, e.g. 'ECDH+AES128' or 'ECDHE-RSA-AES256-GCM-SHA384'
    /// (TLSv1.3 suite names may be mixed in). Suites rustls does not implement are left out, with a note.
    #[arg(short = 'C', long = "ciphers", value_name = "STRING")]
    pub ciphers: Option<String>,

    /// TLSv1.3 suites, colon-separated: TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256.
    #[arg(long, value_name = "LIST")]
    pub ciphersuites: Option<String>,

    /// Key-exchange groups in order of preference: x25519, secp256r1, secp384r1, X25519MLKEM768 …
    #[arg(long, value_name = "LIST")]
    pub groups: Option<String>,

    /// ALPN protocol to offer/accept, e.g. h2 or http/1.1 (repeat or comma-separate).
    #[arg(long, value_name = "PROTO", value_delimiter = ',')]
    pub alpn: Vec<String>,

    /// Append the session's TLS secrets to FILE in NSS key log format, so Wireshark/tshark can decrypt
    /// a capture. SSLKEYLOGFILE is honoured too. Anyone with this file can read the traffic.
    #[arg(long, value_name = "FILE")]
    pub keylog: Option<std::path::PathBuf>,
}

/// `--proxy`, `--noproxy` and `--resolve`: how connections are routed (connect, scan, cert show,
/// bench). One implementation behind them: `tlskit::net::Connector`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct NetFlags {
    /// Connect through a proxy: http://[USER:PASSWORD@]HOST:PORT (CONNECT), socks5://HOST:PORT
    /// (names resolved here) or socks5h://HOST:PORT (names resolved by the proxy). Without it,
    /// https_proxy/HTTPS_PROXY, then all_proxy/ALL_PROXY are used, like curl; --proxy '' uses none.
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
    /// Hosts to reach directly, without the proxy: a comma-separated list of names (covering their
    /// subdomains), addresses and CIDR blocks, or '*' for all. Replaces no_proxy/NO_PROXY.
    /// Loopback is proxied too unless listed (as in curl): e.g. localhost,127.0.0.0/8,::1.
    #[arg(long, value_name = "LIST")]
    pub noproxy: Option<String>,
    /// Use ADDRESS for HOST instead of asking DNS, as curl's --resolve does: HOST:PORT:ADDRESS
    /// (that port only; bracket IPv6 addresses) or HOST:ADDRESS (any port). Repeatable. SNI and
    /// the certificate check still use HOST.
    #[arg(long, value_name = "HOST:PORT:ADDRESS")]
    pub resolve: Vec<String>,
}

impl NetFlags {
    /// The route these flags (and the proxy variables of the environment) describe.
    pub fn route(&self) -> tlskit::Result<tlskit::net::Route> {
        let proxies = tlskit::net::proxy::ProxySettings::resolve(
            self.proxy.as_deref(),
            self.noproxy.as_deref(),
            &|k| std::env::var(k).ok(),
        )?;
        let overrides = self
            .resolve
            .iter()
            .map(|r| tlskit::net::target::ResolveOverride::parse(r))
            .collect::<tlskit::Result<Vec<_>>>()?;
        Ok(tlskit::net::Route { proxies, overrides })
    }
}

/// Say on stderr that a proxy from the environment is used for `target` (a flag needs no note: the
/// user typed it). The reports say it too.
pub fn note_env_proxy(route: &tlskit::net::Route, target: &tlskit::net::Target) {
    if let Some(p) = route.proxy_for(target) {
        if let tlskit::net::proxy::ProxySource::Env(var) = p.source {
            crate::output::note(format!(
                "connecting to {target} through the proxy {} from {var}; --noproxy '*' (or NO_PROXY) to connect directly",
                p.display()
            ));
        }
    }
}

/// Seconds from a flag value (accepts fractions: 0.5).
pub fn secs(v: f64) -> Duration {
    Duration::from_secs_f64(v.clamp(0.001, 86_400.0))
}

/// Interpret `\n`, `\r`, `\t`, `\\` and `\xNN` escapes in text the user typed.
pub fn unescape(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            match b[i + 1] {
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b't' => out.push(b'\t'),
                b'0' => out.push(0),
                b'\\' => out.push(b'\\'),
                b'x' if i + 3 < b.len() => {
                    if let Ok(v) = u8::from_str_radix(&s[i + 2..i + 4], 16) {
                        out.push(v);
                        i += 4;
                        continue;
                    }
                    out.extend_from_slice(b"\\x");
                }
                other => {
                    out.push(b'\\');
                    out.push(other);
                }
            }
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// A tokio runtime for a command.
pub fn runtime() -> tlskit::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // The scanner's checks are deep futures; debug builds need more than tokio's 2 MiB.
        .thread_stack_size(8 << 20)
        .build()
        .map_err(|e| tlskit::Error::other(format!("cannot start the async runtime: {e}")))
}

/// The STARTTLS protocol to use: the URL scheme's, `-t`, else the port's usual protocol (said on
/// stderr), unless `--no-starttls`.
pub fn choose_starttls(
    spec: &tlskit::net::target::TargetSpec,
    flag: Option<tlskit::net::starttls::Protocol>,
    no_starttls: bool,
) -> tlskit::Result<Option<tlskit::net::starttls::Protocol>> {
    use tlskit::net::target::{Start, StartReason};
    let start = spec.start(flag, no_starttls)?;
    if let Start::Starttls(p, StartReason::Port) = start {
        eprintln!(
            "tlskit: port {} is usually {}: using STARTTLS (-t {}); --no-starttls to speak TLS directly",
            spec.target.port,
            p.display_name(),
            p.name()
        );
    }
    Ok(start.protocol())
}

/// Parse `HOST PORT`, `HOST[:PORT]` or a URL given as positionals; `default_port` applies when
/// neither the target nor its scheme names one.
pub fn target_from(
    host: &str,
    port: Option<&str>,
    default_port: u16,
) -> tlskit::Result<tlskit::net::target::TargetSpec> {
    let mut args = vec![host.to_string()];
    if let Some(p) = port {
        args.push(p.to_string());
    }
    let mut v = tlskit::net::target::parse_args(&args, default_port)?;
    if v.len() != 1 {
        return Err(tlskit::Error::usage(format!(
            "'{host} {}': give one target, HOST PORT or HOST:PORT (or a URL)",
            port.unwrap_or("")
        )));
    }
    Ok(v.remove(0))
}

#[cfg(test)]
mod tests {
    #[test]
    fn unescapes() {
        assert_eq!(
            super::unescape(r"GET / HTTP/1.0\r\n\r\n"),
            b"GET / HTTP/1.0\r\n\r\n"
        );
        assert_eq!(super::unescape(r"a\x41\\"), b"aA\\");
    }
}
