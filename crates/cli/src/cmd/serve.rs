//! `tlskit serve`: the safe TLS server (safe_tls.py -s, SEED task 2's HTTPS server).

use super::common::{self, TlsFlags};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use tlskit::session::server::{self, Mode, ServeOptions};
use tlskit::session::{config, report};
use tlskit::{Error, Result};

#[derive(clap::Args, Debug)]
#[command(
    about = "Run a TLS server: a fixed message, echo, HTTP, or TLS offload to a backend",
    long_about = "Run a TLS server on HOST PORT with the certificate from -s (a combined PEM with the key,\n\
like the seeds' localhost.pem, or -s CERT -k KEY). It serves connections concurrently until\n\
Ctrl-C and logs one line per connection: peer, SNI, protocol, suite, bytes, duration, or why the\n\
handshake failed.\n\n\
HOST may be '' (every IPv4 interface, as in Python), 0.0.0.0, ::, 127.0.0.1 or a name. A single\n\
argument may be HOST:PORT, or just PORT to listen on 127.0.0.1 only. Port 0 picks a free port.\n\n\
Modes: send a message and close (default, like safe_tls.py), --echo, --http (a page that shows\n\
the session, or files from --root; browsers render it), or --forward HOST:PORT (TLS offload).\n\n\
Under load: every core serves connections; session resumption (TLS 1.3 tickets, TLS 1.2 tickets\n\
and session IDs) is on unless --no-resumption; at most --max-handshakes handshakes are in flight\n\
and --max-connections connections open; --handshake-timeout and --idle-timeout close clients\n\
that stall (also clients that stop reading). --http --root streams files of any size and reads\n\
uploads (POST) of any size without keeping them. Measure it with `tlskit bench`\n\
(docs/BENCHMARKS.md).",
    after_help = "Examples:\n  tlskit serve -s localhost.pem '' 1060                 # safe_tls.py -s localhost.pem '' 1060\n  tlskit serve -s localhost.pem --message-file book.txt '' 1060   # the book's 280 KB message\n  tlskit serve -s server.pem --http 0.0.0.0 443          # SEED 2.a: an HTTPS server\n  tlskit serve -s server.pem --http --root ./site 127.0.0.1 8443\n  tlskit serve -s server.pem -a ca.crt --require-client-cert --echo 127.0.0.1 8443\n  tlskit serve -s server.pem --forward 127.0.0.1:8080 0.0.0.0 8443\n  tlskit serve -s server.pem --http --root ./site -q 127.0.0.1 8443   # then: tlskit bench -a ca.crt localhost 8443"
)]
pub struct Args {
    /// Address to listen on ('' = all IPv4 interfaces), or HOST:PORT, or a PORT alone (127.0.0.1).
    #[arg(value_name = "HOST")]
    host: String,
    /// Port to listen on.
    #[arg(value_name = "PORT")]
    port: Option<String>,

    /// Certificate chain (PEM, leaf first), with its private key in the same file unless -k is given.
    #[arg(short = 's', long = "cert", value_name = "PEM")]
    cert: Option<PathBuf>,
    /// Private key file, when it is not inside the -s file.
    #[arg(short = 'k', long = "key", value_name = "FILE")]
    key: Option<PathBuf>,
    /// Accept client certificates issued by this CA (file or directory; repeatable): mutual TLS.
    #[arg(short = 'a', long = "client-ca", value_name = "FILE|DIR")]
    client_ca: Vec<PathBuf>,
    /// Refuse clients that do not present a certificate from the --client-ca.
    #[arg(long)]
    require_client_cert: bool,

    #[command(flatten)]
    tls: TlsFlags,

    /// Choose the cipher suite by the server's order (-C order) instead of the client's.
    #[arg(long)]
    server_preference: bool,
    /// Disable session resumption (no tickets, no session cache).
    #[arg(long)]
    no_resumption: bool,

    /// Send TEXT to each client and close (the default mode).
    #[arg(long, value_name = "TEXT", conflicts_with_all = ["echo", "http", "forward", "message_file"])]
    message: Option<String>,
    /// Send the contents of FILE to each client and close (for messages too long for an argument,
    /// like the book's 280 KB 'Beautiful is better than ugly' × 10000; `-` reads stdin once).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["echo", "http", "forward"])]
    message_file: Option<PathBuf>,
    /// Echo back whatever each client sends.
    #[arg(long, conflicts_with_all = ["http", "forward"])]
    echo: bool,
    /// Serve HTTP/1.1: a page describing the session, or files from --root.
    #[arg(long, conflicts_with = "forward")]
    http: bool,
    /// With --http: serve files from DIR (index.html for directories).
    #[arg(long, value_name = "DIR", requires = "http")]
    root: Option<PathBuf>,
    /// Relay each decrypted connection to a plaintext backend (TLS offload).
    #[arg(long, value_name = "HOST:PORT")]
    forward: Option<String>,

    /// Exit after the first connection (exit status 1 if it failed).
    #[arg(long)]
    once: bool,
    /// Seconds a client has to complete its handshake.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    handshake_timeout: f64,
    /// Seconds of silence after which a connection is closed.
    #[arg(long, value_name = "SECS", default_value_t = 60.0)]
    idle_timeout: f64,
    /// Connections served at once (more wait in the accept queue).
    #[arg(long, value_name = "N", default_value_t = server::DEFAULT_MAX_CONNECTIONS)]
    max_connections: usize,
    /// Handshakes in flight at once (default: 128 per core). Only clients that have sent a whole
    /// ClientHello take a slot, so idle or stalled clients cannot starve the others.
    #[arg(long, value_name = "N")]
    max_handshakes: Option<usize>,
    /// Log connections as JSON lines.
    #[arg(long)]
    json: bool,
    /// No line per connection (for load tests); the start and stop lines remain.
    #[arg(short = 'q', long)]
    quiet: bool,
}

fn listen_target(host: &str, port: Option<&str>) -> Result<(String, u16)> {
    match port {
        Some(p) => Ok((host.to_string(), tlskit::net::parse_port(p)?)),
        None => {
            if let Ok(p) = tlskit::net::parse_port(host) {
                return Ok(("127.0.0.1".to_string(), p));
            }
            let t = tlskit::net::Target::parse(host, None)?;
            Ok((t.host, t.port))
        }
    }
}

pub fn run(args: Args) -> Result<i32> {
    let (host, port) = listen_target(&args.host, args.port.as_deref())?;
    let Some(cert) = args.cert.clone() else {
        return Err(Error::usage(
            "tlskit serve needs a certificate: -s server.pem (make one with `tlskit cert ca --out ca` and `tlskit cert issue --ca ca --out server.pem localhost 127.0.0.1`)",
        ));
    };
    let mode = mode_of(&args)?;
    let opts = config::ServerOptions {
        cert,
        key: args.key.clone(),
        client_ca: args.client_ca.clone(),
        require_client_cert: args.require_client_cert,
        protocols: args.tls.protocol.clone(),
        ciphers: args.tls.ciphers.clone(),
        ciphersuites: args.tls.ciphersuites.clone(),
        groups: args.tls.groups.clone(),
        alpn: if args.tls.alpn.is_empty() && args.http {
            vec!["http/1.1".to_string()]
        } else {
            args.tls.alpn.clone()
        },
        keylog: args.tls.keylog.clone(),
        server_preference: args.server_preference,
        no_resumption: args.no_resumption,
    };
    // Bind first: a port in use must fail before anything is created (the key log file).
    let rt = common::runtime()?;
    let listener = rt.block_on(tlskit::net::bind(&host, port))?;
    let setup = config::server_config(&opts)?;
    for n in &setup.notes {
        crate::output::warn(n);
    }
    warn_about_dates(&setup);
    if let Some(k) = &setup.keylog {
        crate::output::warn(format!(
            "writing TLS secrets to {} — anyone with this file can decrypt the sessions",
            k.display()
        ));
    }
    let serve_opts = ServeOptions {
        mode: mode.clone(),
        once: args.once,
        handshake_timeout: common::secs(args.handshake_timeout),
        idle_timeout: common::secs(args.idle_timeout),
        max_connections: args.max_connections,
        max_handshakes: args
            .max_handshakes
            .unwrap_or_else(server::default_max_handshakes),
    };
    if args.max_connections == 0 || serve_opts.max_handshakes == 0 {
        return Err(Error::usage(
            "--max-connections and --max-handshakes must be at least 1",
        ));
    }
    // Thousands of connections need thousands of descriptors: take what the hard limit allows.
    tlskit::net::raise_open_files_limit();
    // A client that vanishes must not take the server down with SIGPIPE (see ignore_sigpipe);
    // from here on stdout is written with `say`, which tolerates a closed pipe.
    tlskit::net::ignore_sigpipe();
    rt.block_on(async move {
        let addr = listener.local_addr().map_err(|e| Error::network(e.to_string()))?;
        let leaf = setup.chain.first().and_then(|c| tlskit::pki::inspect::CertInfo::from_der(c.as_ref()).ok());
        let who = leaf
            .map(|l| format!("{} ({})", l.subject, report::san_names(&l).join(", ")))
            .unwrap_or_else(|| "?".into());
        let versions = if opts.protocols.is_empty() { "TLSv1.2, TLSv1.3".to_string() } else { opts.protocols.join(", ") };
        let mode_text = mode_text(&mode);
        if args.json {
            let v = serde_json::json!({"event": "listening", "address": addr.to_string(), "versions": versions, "certificate": who, "mode": mode_text});
            say(&v.to_string());
        } else {
            say(&format!("tlskit serve: listening on {addr} — {versions}; certificate {who}; mode: {mode_text}"));
        }
        let json = args.json;
        let quiet = args.quiet;
        let log: Arc<dyn Fn(&server::ConnectionLog) + Send + Sync> = Arc::new(move |l: &server::ConnectionLog| {
            if quiet {
                return;
            }
            if json {
                if let Ok(s) = serde_json::to_string(l) {
                    say(&s);
                }
            } else {
                say(&l.line());
            }
        });
        // The accept loop runs on a worker thread of the runtime, like the connections, so the
        // process uses as many threads as cores and no more.
        let serving = tokio::spawn(server::run(listener, Arc::new(setup), serve_opts, log, shutdown_signal()));
        let summary = serving
            .await
            .map_err(|e| Error::other(format!("the server loop stopped unexpectedly: {e}")))??;
        if args.once {
            return Ok(match summary.last {
                Some(l) if l.error.is_none() => 0,
                _ => 1,
            });
        }
        if !args.json {
            say(&format!(
                "tlskit serve: stopped after {} connection(s), {} failed",
                summary.connections, summary.failed
            ));
        }
        Ok(0)
    })
}

/// What the server does with a connection, from the mode flags.
fn mode_of(args: &Args) -> Result<Mode> {
    Ok(if args.echo {
        Mode::Echo
    } else if args.http {
        if let Some(r) = &args.root {
            if !r.is_dir() {
                return Err(Error::input(format!(
                    "--root {}: not a directory",
                    r.display()
                )));
            }
        }
        Mode::Http {
            root: args.root.clone(),
        }
    } else if let Some(f) = &args.forward {
        Mode::Forward(tlskit::net::Target::parse(f, None)?)
    } else if let Some(path) = &args.message_file {
        Mode::Message(read_message_file(path)?)
    } else {
        Mode::Message(
            args.message
                .clone()
                .unwrap_or_else(|| server::DEFAULT_MESSAGE.to_string()),
        )
    })
}

/// Warn when the certificate is expired or not yet valid: clients that verify will refuse it.
fn warn_about_dates(setup: &config::ServerSetup) {
    if let Some(leaf) = setup
        .chain
        .first()
        .and_then(|c| tlskit::pki::inspect::CertInfo::from_der(c.as_ref()).ok())
    {
        if leaf.expired {
            crate::output::warn(format!(
                "the certificate {} expired on {}: clients that verify will refuse it (\"certificate has expired\"); issue a new one with `tlskit cert issue`",
                leaf.subject, leaf.not_after
            ));
        } else if leaf.not_yet_valid {
            crate::output::warn(format!(
                "the certificate {} is not valid before {}: clients that verify will refuse it until then (check the clocks)",
                leaf.subject, leaf.not_before
            ));
        }
    }
}

/// The mode in the listening line.
fn mode_text(mode: &Mode) -> String {
    match mode {
        Mode::Message(_) => "message".to_string(),
        Mode::Echo => "echo".to_string(),
        Mode::Http { root: Some(r) } => format!("http, files from {}", r.display()),
        Mode::Http { root: None } => "http, session page".to_string(),
        Mode::Forward(t) => format!("forward to {t}"),
    }
}

/// The message for `--message-file`: the file's bytes as text (`-`: standard input), at most
/// 64 MiB. rustls sends it in records of 16 KiB.
fn read_message_file(path: &std::path::Path) -> Result<String> {
    const MAX: usize = 64 << 20;
    let bytes = if path == std::path::Path::new("-") {
        use std::io::Read;
        let mut v = Vec::new();
        std::io::stdin()
            .take(MAX as u64 + 1)
            .read_to_end(&mut v)
            .map_err(|e| Error::input(format!("cannot read the message from stdin: {e}")))?;
        v
    } else {
        tlskit::pki::load::read_file(path)?
    };
    if bytes.len() > MAX {
        return Err(Error::input(format!(
            "{}: the message is larger than 64 MiB",
            path.display()
        )));
    }
    String::from_utf8(bytes).map_err(|_| {
        Error::input(format!(
            "{} is not UTF-8 text (the message mode sends text)",
            path.display()
        ))
    })
}

/// One line on stdout, flushed; a closed stdout is ignored (the server goes on serving).
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
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
