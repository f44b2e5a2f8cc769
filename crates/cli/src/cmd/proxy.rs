//! `tlskit proxy`: the lab man-in-the-middle (SEED TLS lab, task 3).

use super::common;
use crate::output;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use tlskit::net::Target;
use tlskit::pki::ca::Ca;
use tlskit::proxy::{self, LogSink, Proxy, ProxyOptions, UpstreamMode};
use tlskit::{Error, Result};

#[derive(clap::Args, Debug)]
#[command(
    about = "A lab man-in-the-middle: terminate TLS with forged certificates and log what passes",
    long_about = "A TLS man-in-the-middle for labs (SEED TLS lab, task 3). A victim reaches it through a DNS or\n\
hosts-file redirect, or uses it as an HTTPS proxy (HTTP CONNECT: curl --proxy, https_proxy,\n\
browsers). For each connection the proxy reads the ClientHello, opens its own *verified* TLS\n\
connection to the real server for the name the client asked for (SNI), then completes the\n\
client's handshake with a certificate forged on the fly for that name and signed by the lab CA\n\
given with --ca (cached per name). It relays both directions and logs every HTTP request and\n\
response it decrypts — method, path, headers, form fields and bodies, so a posted password is\n\
visible (--redact masks credentials); other protocols are logged as text or hex.\n\n\
The attack only works on a victim that trusts the lab CA: that is the lab's point — a\n\
compromised CA breaks TLS. If the real server's certificate does not verify, the proxy aborts the\n\
client's handshake (fail closed) unless --upstream-insecure is given.\n\n\
Only use it on systems and people you are allowed to test.",
    after_help = "Examples:\n  tlskit cert ca --out mitm-ca\n  tlskit proxy --ca mitm-ca --listen 0.0.0.0:443 --upstream-from-sni --log mitm.log\n  tlskit proxy --ca mitm-ca --listen 127.0.0.1:8080 --upstream 10.9.0.43:443 --upstream-ca real-ca.crt\n  curl --cacert mitm-ca/ca.crt --proxy http://127.0.0.1:8080 https://www.bank32.com/\n  tlskit proxy --ca mitm-ca --upstream-from-sni --upstream-port 8443 --resolve www.bank32.com:127.0.0.1 --redact"
)]
pub struct Args {
    /// The lab CA that signs forged certificates: a directory made by `tlskit cert ca` (ca.crt and
    /// ca.key), or a CA certificate file (its key in the file, beside it, or given with --ca-key).
    #[arg(long, value_name = "DIR")]
    ca: Option<PathBuf>,
    /// The CA's private key, when it is not in the --ca directory or file.
    #[arg(long, value_name = "FILE")]
    ca_key: Option<PathBuf>,
    /// Address to listen on (HOST:PORT, or a PORT alone for 127.0.0.1). Port 0 picks a free port.
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8080")]
    listen: String,
    /// Relay every connection to this server.
    #[arg(long, value_name = "HOST:PORT")]
    upstream: Option<String>,
    /// Relay each connection to the server the client named (SNI, or the CONNECT target).
    #[arg(long)]
    upstream_from_sni: bool,
    /// With --upstream-from-sni: the port of the real servers (default 443; a CONNECT request's
    /// own port wins).
    #[arg(long, value_name = "PORT")]
    upstream_port: Option<u16>,
    /// Resolve a name for upstream connections instead of asking DNS (repeatable): curl's
    /// HOST:PORT:ADDRESS (that port only), or NAME:ADDRESS, e.g. www.bank32.com:10.9.0.43.
    #[arg(long, value_name = "HOST[:PORT]:ADDRESS")]
    resolve: Vec<String>,
    /// Trust this CA for the real server's certificate (file or directory; repeatable) instead of
    /// the system store.
    #[arg(long, value_name = "FILE|DIR")]
    upstream_ca: Vec<PathBuf>,
    /// DANGEROUS: relay even when the real server's certificate does not verify.
    #[arg(long)]
    upstream_insecure: bool,
    /// Name to forge a certificate for when the client sends no SNI (default: the CONNECT host or
    /// the --upstream host).
    #[arg(long, value_name = "NAME")]
    default_name: Option<String>,
    /// Append the log to FILE (created with mode 0600: it holds passwords); stdout then gets one
    /// line per connection.
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// Mask credentials in the log: passwords, tokens, cookies, Authorization headers (non-HTTP
    /// data is then summarised by size only).
    #[arg(long)]
    redact: bool,
    /// Log as JSON lines.
    #[arg(long)]
    json: bool,
    /// Characters of each body shown in the text log.
    #[arg(long, value_name = "N", default_value_t = 2000)]
    max_body: usize,
    /// Seconds a client has to send its ClientHello (or CONNECT) and finish its handshake; also
    /// bounds the upstream handshake.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    handshake_timeout: f64,
    /// Seconds allowed for the TCP connect to the upstream.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    connect_timeout: f64,
    /// Seconds without traffic after which a connection is closed.
    #[arg(long, value_name = "SECS", default_value_t = 60.0)]
    idle_timeout: f64,
    /// Connections relayed at once; when all are taken, the oldest that has not spoken yet is closed
    /// to admit a newcomer (the policy of serve and observe too).
    #[arg(long, value_name = "N", default_value_t = tlskit::net::DEFAULT_MAX_CONNECTIONS)]
    max_connections: usize,
    /// Forged certificates kept in memory (least recently used names are dropped).
    #[arg(long, value_name = "N", default_value_t = 1024)]
    cache_size: usize,
}

pub fn run(args: Args) -> Result<i32> {
    let Some(ca_path) = args.ca.clone() else {
        return Err(Error::usage(
            "tlskit proxy needs the lab CA that signs forged certificates: --ca DIR (create one with `tlskit cert ca --out DIR`)",
        ));
    };
    let upstream = match (&args.upstream, args.upstream_from_sni) {
        (Some(_), true) => {
            return Err(Error::usage("give either --upstream HOST:PORT or --upstream-from-sni, not both"))
        }
        (None, false) => {
            return Err(Error::usage(
                "where should the proxy connect? give --upstream HOST:PORT (one real server) or --upstream-from-sni (the server each client names)",
            ))
        }
        (Some(u), false) => {
            if args.upstream_port.is_some() {
                return Err(Error::usage("--upstream-port only goes with --upstream-from-sni (put the port in --upstream HOST:PORT)"));
            }
            UpstreamMode::Fixed(Target::parse(u, None).map_err(|e| Error::usage(format!("--upstream: {}", e.message())))?)
        }
        (None, true) => UpstreamMode::FromSni { port: args.upstream_port.unwrap_or(443) },
    };
    let listen = tlskit::observe::listen_target(&args.listen)?;
    let mut resolve = Vec::new();
    for r in &args.resolve {
        resolve.push(proxy::parse_resolve(r)?);
    }
    let ca = Ca::load(&ca_path, args.ca_key.as_deref())?;
    let mut opts = ProxyOptions::new(upstream.clone());
    opts.resolve = resolve;
    opts.upstream_ca = args.upstream_ca.clone();
    opts.upstream_insecure = args.upstream_insecure;
    opts.default_name = args.default_name.clone();
    opts.redact = args.redact;
    opts.handshake_timeout = common::secs(args.handshake_timeout);
    opts.connect_timeout = common::secs(args.connect_timeout);
    opts.idle_timeout = common::secs(args.idle_timeout);
    opts.max_connections = args.max_connections.max(1);
    opts.cache_size = args.cache_size.max(1);
    opts.max_body_chars = args.max_body;
    let sink = LogSink::new(args.log.as_deref(), args.json, args.redact, args.max_body)?;
    let proxy = Arc::new(Proxy::new(ca, opts, sink)?);
    if args.upstream_insecure {
        output::warn("--upstream-insecure: the real server's certificate is NOT verified; the proxy relays to whoever answers");
    }
    if args.log.is_some() && !args.redact {
        output::warn(
            "the log file will hold the passwords and cookies that pass; delete it after the lab",
        );
    }
    let rt = common::runtime()?;
    rt.block_on(async move {
        let listener = tlskit::net::bind(&listen.host, listen.port).await?;
        let addr = listener.local_addr().map_err(|e| Error::network(e.to_string()))?;
        let up = match &upstream {
            UpstreamMode::Fixed(t) => format!("upstream {t}"),
            UpstreamMode::FromSni { port } => format!("upstream from SNI (port {port})"),
        };
        if args.json {
            let v = serde_json::json!({
                "event": "listening",
                "address": addr.to_string(),
                "ca": proxy.ca_subject(),
                "upstream": up,
                "upstream_trust": proxy.trust_description(),
                "log": args.log.as_ref().map(|p| p.display().to_string()),
            });
            crate::outln!("{v}");
        } else {
            crate::outln!(
                "tlskit proxy: listening on {addr} — forging certificates signed by {}; {up}, trusting {}{}; accepts redirected TLS and HTTP CONNECT",
                proxy.ca_subject(),
                proxy.trust_description(),
                args.log.as_ref().map(|p| format!("; logging to {}", p.display())).unwrap_or_default()
            );
        }
        let _ = std::io::stdout().flush();
        let summary = proxy.clone().run(listener, shutdown_signal()).await?;
        if args.json {
            let mut v = serde_json::to_value(&summary).unwrap_or_default();
            if let Some(m) = v.as_object_mut() {
                m.insert("event".into(), "stopped".into());
            }
            crate::outln!("{v}");
        } else {
            crate::outln!(
                "tlskit proxy: stopped after {} connection(s), {} refused, at most {} at once; {} certificate(s) forged",
                summary.connections, summary.refused, summary.peak_concurrent, summary.certificates_forged
            );
        }
        Ok(0)
    })
}

/// Ctrl-C or SIGTERM (shared with `tlskit observe`).
pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
