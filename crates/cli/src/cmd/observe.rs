//! `tlskit observe`: relay without decrypting, and show what an on-path observer sees.

use super::common;
use std::io::Write;
use std::sync::Arc;
use tlskit::net::Target;
use tlskit::observe::{self, Observation, ObserveOptions};
use tlskit::{Error, Result};

#[derive(clap::Args, Debug)]
#[command(
    about = "Relay without decrypting and show what an on-path observer sees",
    long_about = "Relay TCP connections from --listen to --upstream without decrypting anything, and report for\n\
each connection what anyone on the path sees of TLS — \"what TLS does not protect\":\n\n\
  * the ClientHello in clear: the server name (SNI), ALPN, offered versions and cipher suites,\n\
    groups, and the client's JA3 and JA4 fingerprints (JA4 sorts suites and extensions, so\n\
    Chrome's extension shuffling does not change it); with Encrypted Client Hello, the offer\n\
    and the public name in place of the real one (`tlskit connect --ech-config` makes one);\n\
  * the ServerHello in clear: the chosen version and cipher suite, JA3S and JA4S;\n\
  * then every record: direction, content type while it is visible, size, and the time since the\n\
    previous record — with the data size the record overhead gives away;\n\
  * the request/response exchanges inferred from the lock-step pattern, with their sizes.\n\n\
Addresses and ports, DNS lookups, sizes and timing are never hidden by TLS. Point a client at\n\
--listen (with --servername for the real name), e.g. `tlskit connect --servername NAME 127.0.0.1 PORT`.",
    after_help = "Examples:\n  tlskit observe --listen 127.0.0.1:9443 --upstream 127.0.0.1:8443\n  tlskit connect -a ca.crt --servername localhost --http / 127.0.0.1 9443\n  tlskit observe --listen 9443 --upstream www.example.test:443 --json --once"
)]
pub struct Args {
    /// Address to listen on: HOST:PORT, or a PORT alone for 127.0.0.1. Port 0 picks a free port.
    #[arg(long, value_name = "HOST:PORT")]
    listen: Option<String>,
    /// The server every connection is relayed to.
    #[arg(long, value_name = "HOST:PORT")]
    upstream: Option<String>,
    /// One JSON object per connection (JSON lines), after a "listening" line.
    #[arg(long)]
    json: bool,
    /// Exit after the first connection.
    #[arg(long)]
    once: bool,
    /// Records listed per connection (the rest are counted).
    #[arg(long, value_name = "N", default_value_t = 2_000)]
    max_records: usize,
    /// Seconds allowed for the TCP connect to the upstream.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    connect_timeout: f64,
    /// Seconds without traffic in either direction after which a connection is closed.
    #[arg(long, value_name = "SECS", default_value_t = 60.0)]
    idle_timeout: f64,
    /// Connections relayed at once; when all are taken, the oldest whose client has not spoken
    /// yet is closed to admit a newcomer (the policy of serve and proxy too).
    #[arg(long, value_name = "N", default_value_t = tlskit::net::DEFAULT_MAX_CONNECTIONS)]
    max_connections: usize,
}

pub fn run(args: Args) -> Result<i32> {
    let Some(listen) = args.listen.as_deref() else {
        return Err(Error::usage(
            "tlskit observe needs --listen HOST:PORT (where clients connect)",
        ));
    };
    let Some(upstream) = args.upstream.as_deref() else {
        return Err(Error::usage(
            "tlskit observe needs --upstream HOST:PORT (the server to relay to)",
        ));
    };
    let listen = observe::listen_target(listen)?;
    let upstream = Target::parse(upstream, None)
        .map_err(|e| Error::usage(format!("--upstream: {}", e.message())))?;
    let mut opts = ObserveOptions::new(upstream.clone());
    opts.once = args.once;
    opts.max_records = args.max_records.max(1);
    opts.connect_timeout = common::secs(args.connect_timeout);
    opts.idle_timeout = common::secs(args.idle_timeout);
    opts.max_connections = args.max_connections.max(1);
    let json = args.json;
    let rt = common::runtime()?;
    rt.block_on(async move {
        let listener = tlskit::net::bind(&listen.host, listen.port).await?;
        let addr = listener.local_addr().map_err(|e| Error::network(e.to_string()))?;
        if json {
            let v = serde_json::json!({"event": "listening", "address": addr.to_string(), "upstream": upstream.to_string()});
            crate::outln!("{v}");
        } else {
            crate::outln!("tlskit observe: listening on {addr}, relaying to {upstream} without decrypting");
        }
        let _ = std::io::stdout().flush();
        let report: Arc<dyn Fn(&Observation) + Send + Sync> = Arc::new(move |o: &Observation| {
            let mut out = std::io::stdout().lock();
            if json {
                let mut v = serde_json::to_value(o).unwrap_or_default();
                if let Some(m) = v.as_object_mut() {
                    m.insert("event".into(), "connection".into());
                }
                let _ = writeln!(out, "{v}");
            } else {
                let _ = writeln!(out, "{}", o.render_text());
            }
            let _ = out.flush();
        });
        let summary = observe::run(listener, opts, report, super::proxy::shutdown_signal()).await?;
        if !json {
            crate::outln!("tlskit observe: stopped after {} connection(s)", summary.connections);
        }
        Ok(0)
    })
}
