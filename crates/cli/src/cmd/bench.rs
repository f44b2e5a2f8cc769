//! `tlskit bench`: load a TLS server with concurrent connections (like `openssl s_time`, but
//! concurrent) and report handshakes per second, latency percentiles, bulk throughput and memory.

use super::common::{self, TlsFlags};
use tlskit::bench::{self, BenchOptions, Exchange, Workload};
use tlskit::session::config;
use tlskit::{Error, Result};

#[derive(clap::Args, Debug)]
#[command(
    about = "Load a TLS server: handshakes per second, resumption, bulk throughput, memory per connection",
    long_about = "Load a TLS server with concurrent connections, like `openssl s_time` but with many\n\
connections at once, and report what it sustained.\n\n\
Workloads (one per run):\n\
\x20 --new (default)  full handshakes per second: the client never offers a session.\n\
\x20 --resume         resumed handshakes per second (TLS 1.3 tickets; TLS 1.2 tickets or\n\
\x20                  session IDs). All connections share one session store; only handshakes\n\
\x20                  that rustls reports as resumed count towards the rate.\n\
\x20 --bulk BYTES     move BYTES over each connection: download (GET --path) and upload\n\
\x20                  (POST --upload-path), MB/s per direction (--direction).\n\
\x20 --idle N         open N connections, finish their handshakes and hold them for\n\
\x20                  --duration seconds; with --server-pid, the server's memory per connection.\n\n\
After each handshake the client sends `GET PATH HTTP/1.1` with `Connection: close` and reads\n\
the answer to its end, as `openssl s_time -www PATH` does. With --raw it speaks no HTTP: it reads\n\
what the server sends until it closes (handshakes, download), or sends BYTES and close_notify\n\
(upload).\n\n\
Latency runs from the start of the TCP connect to the end of the handshake, and to the first\n\
byte of the answer (p50/p90/p99/max). The CPU time of this process is always reported; give the\n\
server's pid (--server-pid, repeatable; its child processes count too) for the server's CPU time\n\
and memory. On a small machine the load generator and the server share the cores: compare\n\
servers by their rate and by their CPU milliseconds per handshake.\n\n\
The server's certificate is verified as `tlskit connect` does (-a CA, --servername).",
    after_help = "Examples:\n  tlskit serve -s server.pem --http --root ./site -q 127.0.0.1 8443 &\n  tlskit bench -a ca.crt localhost 8443                          # full handshakes, 10 s\n  tlskit bench -a ca.crt --resume --connections 32 localhost 8443\n  tlskit bench -a ca.crt -p TLSv1_2 -C ECDHE-ECDSA-AES128-GCM-SHA256 localhost 8443\n  tlskit bench -a ca.crt --bulk 1GiB --path /1g.bin localhost 8443\n  tlskit bench -a ca.crt --idle 1000 --server-pid $(pgrep -f 'tlskit serve') localhost 8443\n  tlskit bench -a ca.crt --json localhost 8443 | jq .handshakes.per_second"
)]
pub struct Args {
    /// Server to load: a name, an address, HOST:PORT, or a URL https://HOST[:PORT][/PATH] (the
    /// path is the default --path).
    #[arg(value_name = "HOST|URL")]
    host: String,
    /// Port (default 443).
    #[arg(value_name = "PORT")]
    port: Option<String>,

    /// Trust this CA (file or directory; repeatable) instead of the system's.
    #[arg(short = 'a', long = "ca", value_name = "FILE|DIR")]
    ca: Vec<std::path::PathBuf>,
    /// Name to send (SNI) and to verify the certificate against (default: HOST).
    #[arg(long, value_name = "NAME")]
    servername: Option<String>,

    #[command(flatten)]
    tls: TlsFlags,

    /// Measure full handshakes (the default).
    #[arg(long, conflicts_with_all = ["resume", "bulk", "idle"])]
    new: bool,
    /// Measure resumed handshakes.
    #[arg(long, conflicts_with_all = ["bulk", "idle"])]
    resume: bool,
    /// Measure throughput moving BYTES per connection (1GiB, 100M, 10MB, 65536).
    #[arg(long, value_name = "BYTES", conflicts_with = "idle")]
    bulk: Option<String>,
    /// With --bulk: down (the server sends), up (the client sends) or both.
    #[arg(long, value_name = "DIR", default_value = "both", value_parser = ["down", "up", "both"], requires = "bulk")]
    direction: String,
    /// Hold N idle established connections and measure the server's memory (with --server-pid).
    #[arg(long, value_name = "N")]
    idle: Option<usize>,

    /// Connections at once (default: 16; 1 with --bulk; 64 with --idle).
    #[arg(short = 'n', long, value_name = "N")]
    connections: Option<usize>,
    /// Seconds to run (default 10), or to hold the connections with --idle (default 2).
    #[arg(short = 't', long, value_name = "SECS")]
    duration: Option<f64>,
    /// Seconds allowed for each connect, handshake, and each read or write.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    timeout: f64,

    /// Path to GET after each handshake, and the file to download with --bulk.
    #[arg(long, value_name = "PATH", default_value = "/")]
    path: String,
    /// Path to POST the upload to with --bulk.
    #[arg(long, value_name = "PATH", default_value = "/upload")]
    upload_path: String,
    /// Speak no HTTP after the handshake (see above).
    #[arg(long)]
    raw: bool,

    /// Pid of the server process, for its CPU time and memory (repeatable; children included).
    #[arg(long, value_name = "PID")]
    server_pid: Vec<u32>,

    /// Print the report as JSON.
    #[arg(long)]
    json: bool,

    #[command(flatten)]
    net: common::NetFlags,
}

pub fn run(mut args: Args) -> Result<i32> {
    let spec = common::target_from(&args.host, args.port.as_deref(), 443)?;
    if let Some(sc) = spec.scheme.filter(|s| s.starttls.is_some()) {
        return Err(Error::usage(format!(
            "{}:// starts in plaintext (STARTTLS), which bench does not speak: load a port that speaks TLS from the first byte",
            sc.name
        )));
    }
    if let Some(p) = &spec.path {
        if args.path == "/" {
            args.path = p.clone();
        }
    }
    let target = spec.target;
    let route = args.net.route()?;
    common::note_env_proxy(&route, &target);
    let workload = if let Some(b) = &args.bulk {
        let bytes = bench::stats::parse_size(b)?;
        Workload::Bulk {
            bytes,
            down: args.direction != "up",
            up: args.direction != "down",
        }
    } else if let Some(n) = args.idle {
        if n == 0 {
            return Err(Error::usage("--idle needs at least 1 connection"));
        }
        Workload::Idle { count: n }
    } else if args.resume {
        Workload::Resume
    } else {
        Workload::Full
    };
    let connections = args.connections.unwrap_or(match workload {
        Workload::Bulk { .. } => 1,
        Workload::Idle { .. } => 64,
        _ => 16,
    });
    if connections == 0 {
        return Err(Error::usage("--connections must be at least 1"));
    }
    let duration = match args.duration {
        Some(d) if d.is_nan() || d <= 0.0 => {
            return Err(Error::usage("--duration must be more than 0 seconds"))
        }
        Some(d) => common::secs(d),
        None if matches!(workload, Workload::Idle { .. }) => common::secs(2.0),
        None => common::secs(10.0),
    };
    for p in [&args.path, &args.upload_path] {
        if !p.starts_with('/') || p.contains(char::is_whitespace) {
            return Err(Error::usage(format!(
                "'{p}' is not an HTTP path: it must start with / and hold no spaces"
            )));
        }
    }
    let host = args
        .servername
        .clone()
        .unwrap_or_else(|| target.host.clone());
    let exchange = if args.raw {
        Exchange::Raw
    } else {
        Exchange::Http {
            path: args.path.clone(),
            upload_path: args.upload_path.clone(),
            host,
        }
    };
    let client = config::ClientOptions {
        ca: args.ca.clone(),
        protocols: args.tls.protocol.clone(),
        ciphers: args.tls.ciphers.clone(),
        ciphersuites: args.tls.ciphersuites.clone(),
        groups: args.tls.groups.clone(),
        alpn: args.tls.alpn.clone(),
        keylog: args.tls.keylog.clone(),
        ..Default::default()
    };
    let setup = config::client_config(&client)?;
    for n in &setup.notes {
        crate::output::warn(n);
    }
    if let Some(k) = &setup.keylog {
        crate::output::warn(format!(
            "writing TLS secrets to {} — one line per connection, and anyone with this file can decrypt the sessions",
            k.display()
        ));
    }
    let opts = BenchOptions {
        target,
        servername: args.servername.clone(),
        workload,
        exchange,
        connections,
        duration,
        timeout: common::secs(args.timeout),
        server_pids: args.server_pid.clone(),
        route,
    };
    // Many connections at once need many descriptors; a server that closes first must not kill
    // the load generator with SIGPIPE (see ignore_sigpipe).
    tlskit::net::raise_open_files_limit();
    tlskit::net::ignore_sigpipe();
    let rt = common::runtime()?;
    let report = rt
        .block_on(async { tokio::spawn(async move { bench::run(&opts, &setup).await }).await })
        .map_err(|e| Error::other(format!("the benchmark stopped unexpectedly: {e}")))??;
    let text = if args.json {
        serde_json::to_string_pretty(&report).map_err(|e| Error::other(e.to_string()))? + "\n"
    } else {
        bench::render_text(&report)
    };
    // SIGPIPE is ignored now: a closed stdout (`| head`) is an error to swallow, not a panic.
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    Ok(0)
}
