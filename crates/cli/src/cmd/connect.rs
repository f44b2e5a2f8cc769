//! `tlskit connect`: the safe TLS client (safe_tls.py's client, test_tls.py, SEED's handshake.py).

use super::common::{self, TlsFlags};
use crate::output;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;
use tlskit::net::starttls::{self, Protocol, Transcript};
use tlskit::net::Connector;
use tlskit::session::{client, config};
use tlskit::{Error, Result};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(clap::Args, Debug)]
#[command(
    about = "Connect to a TLS server, verify it, and report exactly what was negotiated",
    long_about = "Connect to a TLS server, verify its certificate and name, and report what was negotiated:\n\
TCP and TLS handshake times, protocol, cipher suite (IANA and OpenSSL names), key exchange group,\n\
forward secrecy, ALPN, the server's names and chain. Then receive until the server closes\n\
(like safe_tls.py's client), or send text, an HTTP request, or relay your terminal.\n\n\
Verification is always on: system roots by default (SSL_CERT_FILE / SSL_CERT_DIR honoured),\n\
or your CA with -a. Only TLSv1.2 and TLSv1.3 with forward-secret AEAD suites are spoken;\n\
use `tlskit scan` to find out what else a server accepts.\n\n\
STARTTLS: mail, news, chat, directory and database servers often speak plaintext first and upgrade\n\
to TLS on request. -t PROTO does that plaintext part (smtp, lmtp, imap, pop3, ftp, nntp, xmpp,\n\
xmpp-server, ldap, postgres, mysql, sieve, irc), prints it — the banner and capabilities are exactly\n\
what TLS does not protect — and then reports the TLS session as usual. On the well-known plaintext\n\
ports (25, 587, 110, 143, 21, 119, 389, 5222, 5269, 5432, 3306, 4190, 6667) this happens\n\
automatically; --no-starttls speaks TLS from the first byte instead (ports 465, 993, 995 … need nothing).",
    after_help = "Examples:\n  tlskit connect -a ca.crt localhost 1060            # safe_tls.py -a ca.crt localhost 1060\n  tlskit connect -a ca.crt -p TLSv1_2 localhost 1234  # test_tls.py -p TLSv1_2\n  tlskit connect -a ca.crt -C 'ECDH+AES128' localhost 1234\n  tlskit connect --pause -a ca/ www.bank32.com 443     # SEED handshake.py: pause between steps\n  tlskit connect -a ca.crt --http / -o page.html localhost 8443\n  tlskit connect --json -a ca.crt localhost:8443\n  tlskit connect -a ca.crt localhost 25               # SMTP: STARTTLS chosen by the port\n  tlskit connect -t imap -a ca.crt --interactive mail.example.org 143\n  tlskit connect -t xmpp --starttls-name example.org -a ca.crt chat.example.org 5222\n  tlskit connect --ech-config ech.pem -a ca.crt --servername inner.test localhost 8443  # hide the name"
)]
pub struct Args {
    /// Server host name or address, HOST:PORT, [IPv6]:PORT, or a URL: https://HOST[:PORT]/PATH
    /// (with a path: sends GET PATH, like --http), smtp://HOST (STARTTLS), imaps://HOST …
    #[arg(value_name = "HOST|URL")]
    host: String,
    /// Port (default: 443, the -t protocol's usual port, or the URL scheme's).
    #[arg(value_name = "PORT")]
    port: Option<String>,

    /// Trust this CA certificate file or directory of certificates (repeatable) instead of the system store.
    #[arg(short = 'a', long = "ca", value_name = "FILE|DIR")]
    ca: Vec<PathBuf>,
    /// Present this client certificate (PEM with the key, or use -k) for mutual TLS.
    #[arg(short = 'c', long = "client-cert", value_name = "PEM")]
    client_cert: Option<PathBuf>,
    /// The client certificate's private key, if not inside the -c file.
    #[arg(
        short = 'k',
        long = "key",
        value_name = "FILE",
        requires = "client_cert"
    )]
    key: Option<PathBuf>,
    /// Name to send as SNI and to check the certificate against (default: HOST).
    #[arg(long, value_name = "NAME")]
    servername: Option<String>,
    /// Do not send SNI (the certificate is still checked against the name).
    #[arg(long)]
    no_sni: bool,
    /// DANGEROUS: continue even if the certificate does not verify (the report says why it failed).
    #[arg(long)]
    insecure: bool,
    /// Verify the chain but not the host name (Python's check_hostname = False with
    /// CERT_REQUIRED, SEED task 1.c): the report gives both verdicts separately.
    #[arg(long, conflicts_with = "insecure")]
    no_verify_name: bool,
    /// Also check the server's certificate against this certificate revocation list (DER or
    /// PEM file; repeatable), as `curl --crlfile` does.
    #[arg(long, value_name = "FILE")]
    crl: Vec<PathBuf>,
    /// Offer Encrypted Client Hello (RFC 9849) with the ECHConfigList in FILE: the PEM that
    /// `openssl ech` writes, the base64 of a DNS HTTPS record's ech= value, or the raw list. The
    /// server name then travels encrypted and an observer sees only the configuration's public
    /// name. TLS 1.3 only; the connection fails if the server does not accept the offer.
    #[arg(long, value_name = "FILE", conflicts_with = "no_sni")]
    ech_config: Option<PathBuf>,

    #[command(flatten)]
    tls: TlsFlags,

    /// Print every certificate of the chain in full, and the subjects of the trusted CAs
    /// (Python's context.get_ca_certs()).
    #[arg(short = 'v', long)]
    verbose: bool,
    /// Print the certificates the server sent, as PEM (like openssl s_client -showcerts).
    #[arg(long)]
    showcerts: bool,
    /// Print each TLS record and handshake message as it passes, like openssl s_client -msg:
    /// type, length and the decoded fields; TLS 1.3's encrypted handshake messages are decrypted
    /// with the session's own keys and shown by name and size (application data never is).
    #[arg(long)]
    trace: bool,
    /// With --trace: draw the connection as a ladder diagram (SVG) to FILE: client and server
    /// columns, one arrow per TCP handshake segment and TLS record, the handshakes shaded.
    #[arg(long, value_name = "FILE", requires = "trace")]
    svg: Option<PathBuf>,
    /// Print the report (and what was received) as one JSON object.
    #[arg(long, conflicts_with_all = ["interactive", "pause"])]
    json: bool,
    /// Print only the data received, not the report.
    #[arg(short = 'q', long, conflicts_with = "json")]
    quiet: bool,
    /// Wait for Enter after the TCP connection and after the TLS handshake (like SEED's handshake.py),
    /// so you can watch each step in Wireshark.
    #[arg(long)]
    pause: bool,

    /// Send TEXT after the handshake (escapes \r \n \t \\ \xNN are understood), then receive.
    #[arg(long, value_name = "TEXT", conflicts_with_all = ["http", "interactive"])]
    send: Option<String>,
    /// Send an HTTP GET for PATH with a Host header; print status, headers and body.
    #[arg(long, value_name = "PATH", conflicts_with = "interactive")]
    http: Option<String>,
    /// With --http: write the body to FILE (for images and other binary bodies); `-o -` writes
    /// the body alone to stdout (the report and headers then go to stderr).
    #[arg(short = 'o', long, value_name = "FILE", requires = "http")]
    output: Option<PathBuf>,
    /// Relay your terminal: stdin goes to the server, the server's data to stdout.
    #[arg(short = 'i', long)]
    interactive: bool,

    /// Upgrade a plaintext session first: smtp, lmtp, imap, pop3, ftp, nntp, xmpp, xmpp-server, ldap,
    /// postgres, mysql, sieve or irc (default: chosen by well-known port, e.g. 25 → smtp).
    #[arg(short = 't', long = "starttls", value_name = "PROTO")]
    starttls: Option<String>,
    /// With STARTTLS: the name to announce — the EHLO/LHLO name (default: our address as [a.b.c.d])
    /// or the XMPP domain (default: --servername, else HOST).
    #[arg(long, value_name = "NAME")]
    starttls_name: Option<String>,
    /// Speak TLS from the first byte even on a port that usually starts in plaintext (25, 143 …).
    #[arg(long, conflicts_with = "starttls")]
    no_starttls: bool,

    /// Seconds allowed for the TCP connect, for each plaintext read, and for the TLS handshake.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    timeout: f64,
    /// After the handshake, stop receiving when the server has been silent this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    read_timeout: f64,

    #[command(flatten)]
    net: common::NetFlags,
}

pub fn run(mut args: Args) -> Result<i32> {
    let flag = args.starttls.as_deref().map(Protocol::parse).transpose()?;
    let spec = common::target_from(
        &args.host,
        args.port.as_deref(),
        tlskit::net::target::default_port(flag),
    )?;
    let target = spec.target.clone();
    let starttls = common::choose_starttls(&spec, flag, args.no_starttls)?;
    // A URL with a path asks for that page (unless another mode was chosen).
    if let (Some(path), Some(sc)) = (&spec.path, spec.scheme) {
        if args.http.is_none() && args.send.is_none() && !args.interactive {
            if sc.starttls.is_some() || sc.name != "https" {
                return Err(Error::usage(format!(
                    "a path ({path}) only means something in an https:// URL; leave it out"
                )));
            }
            args.http = Some(path.clone());
        }
    }
    let route = args.net.route()?;
    if starttls.is_none() && args.starttls_name.is_some() {
        return Err(Error::usage("--starttls-name needs STARTTLS: add -t PROTO"));
    }
    let opts = config::ClientOptions {
        ca: args.ca.clone(),
        client_cert: args.client_cert.clone(),
        client_key: args.key.clone(),
        insecure: args.insecure,
        no_verify_name: args.no_verify_name,
        crls: args.crl.clone(),
        no_sni: args.no_sni,
        protocols: args.tls.protocol.clone(),
        ciphers: args.tls.ciphers.clone(),
        ciphersuites: args.tls.ciphersuites.clone(),
        groups: args.tls.groups.clone(),
        alpn: if args.tls.alpn.is_empty() && args.http.is_some() {
            vec!["http/1.1".to_string()]
        } else {
            args.tls.alpn.clone()
        },
        keylog: args.tls.keylog.clone(),
        ech_config: args
            .ech_config
            .as_deref()
            .map(tlskit::session::ech::read_config_file)
            .transpose()?,
    };
    // Validate the request fully before touching the network.
    let setup = config::client_config(&opts)?;
    if args.insecure {
        output::warn("--insecure: the server's certificate is NOT verified; anyone in the path can impersonate it");
    }
    if args.no_verify_name {
        output::warn("--no-verify-name: the host name is NOT checked; any certificate from a trusted CA is accepted, whoever it was issued to");
    }
    if let Some(k) = &setup.keylog {
        output::warn(format!(
            "writing TLS secrets to {} — anyone with this file can decrypt the session",
            k.display()
        ));
    }
    common::note_env_proxy(&route, &target);
    let rt = common::runtime()?;
    rt.block_on(session(args, target, setup, starttls, route))
}

/// The plaintext part, as printed before the TLS report.
fn print_transcript(t: &Transcript) {
    let proto = t
        .protocol
        .map(|p| format!("{}, {}", p.display_name(), p.upgrade_name()))
        .unwrap_or_default();
    crate::outln!("Plaintext before TLS ({proto}) — not protected by TLS:");
    crate::out!("{}", t.render_text("  "));
    crate::outln!();
    let _ = std::io::stdout().flush();
}

/// The report as JSON, with the STARTTLS transcript when there was one.
fn report_json(
    report: &tlskit::session::report::ClientReport,
    transcript: Option<&Transcript>,
) -> Result<serde_json::Value> {
    let mut v = serde_json::to_value(report).map_err(|e| Error::other(e.to_string()))?;
    if let Some(t) = transcript {
        v["starttls"] = serde_json::to_value(t).map_err(|e| Error::other(e.to_string()))?;
    }
    Ok(v)
}

async fn wait_enter(prompt: &str) {
    eprint!("{prompt} Press Enter to continue... ");
    let _ = std::io::stderr().flush();
    let _ = tokio::task::spawn_blocking(|| {
        let mut s = String::new();
        let _ = std::io::stdin().read_line(&mut s);
    })
    .await;
}

/// What was received after the handshake.
#[derive(serde::Serialize, Default)]
struct Received {
    bytes: usize,
    /// The data as text (lossy UTF-8).
    text: String,
    /// How the stream ended: "close_notify", "eof_without_close_notify", "read_timeout", "reset".
    end: String,
}

#[derive(serde::Serialize)]
struct HttpResult {
    status: u16,
    reason: String,
    version: String,
    headers: Vec<(String, String)>,
    body_bytes: usize,
    body: Option<String>,
    saved_to: Option<String>,
}

async fn session(
    args: Args,
    target: tlskit::net::Target,
    setup: config::ClientSetup,
    starttls: Option<Protocol>,
    route: tlskit::net::Route,
) -> Result<i32> {
    let timeout = common::secs(args.timeout);
    let read_timeout = common::secs(args.read_timeout);
    let mut connector = Connector::new(target.clone(), timeout).with_route(&route);
    if let Some(p) = starttls {
        // An XMPP domain is usually also the name the certificate is checked against.
        let xmpp = matches!(p, Protocol::Xmpp | Protocol::XmppServer);
        let name = args
            .starttls_name
            .clone()
            .or_else(|| args.servername.clone().filter(|_| xmpp));
        connector = connector.with_starttls(p, name);
    }
    let show_plaintext = !args.json && !args.quiet;
    let body_to_stdout = args.output.as_deref() == Some(std::path::Path::new("-"));
    let mut setup = setup;
    let tracer = make_tracer(&args, body_to_stdout, &mut setup);
    // Everything the handshake needs is made before the TCP connection: the rustls connection,
    // its key shares and so the ClientHello. Once TCP is up the ClientHello leaves at once, and
    // the time reported is the TLS handshake alone (ClientHello → Finished), pause or not.
    let prepared = client::prepare(
        &target,
        &setup,
        args.servername.as_deref(),
        args.no_sni,
        tracer.as_ref().map(|t| t.tap()),
    )?;
    if let Some(t) = &tracer {
        t.start_clock();
    }
    let (tcp, transcript) = open_transport(&connector, args.pause, show_plaintext).await?;
    if let Some(t) = &transcript {
        if t.injected.is_some() {
            output::warn(format!(
                "the server sent {} bytes of plaintext after its go-ahead and before TLS; they were discarded (a sign of STARTTLS command injection, or a broken server)",
                t.injected_bytes
            ));
        }
    }
    let tcp_time = tcp.connect_time;
    let mut s = client::finish(
        prepared,
        tcp,
        &target,
        &setup,
        args.servername.as_deref(),
        timeout,
    )
    .await?;
    s.report.timing.tcp_connect_ms = tlskit::net::millis(tcp_time);
    if args.verbose {
        s.report.trust_anchors = Some(setup.trust_subjects.clone());
    }
    if setup.ciphers_tls12_only && s.report.negotiated.protocol == "TLSv1.3" {
        s.report.notes.push(
            "-C had no effect: it selects TLSv1.2 cipher suites, and TLSv1.3 was negotiated (TLS 1.3 suites are chosen with --ciphersuites); add -p TLSv1_2 to use the -C suites".to_string(),
        );
    }
    let report = s.report.clone();
    let svg_out = match (&tracer, &args.svg) {
        (Some(t), Some(path)) => Some((t.clone(), path.clone(), report.clone())),
        _ => None,
    };
    let _svg_guard = SvgOnDrop(svg_out);
    if !args.json && !args.quiet {
        let text = report.render_text(args.verbose);
        if body_to_stdout {
            eprint!("{text}");
        } else {
            crate::out!("{text}");
            let _ = std::io::stdout().flush();
        }
    }
    if args.showcerts && !args.json {
        print_chain(&s.peer_chain, body_to_stdout);
    }
    if args.pause {
        wait_enter("TLS handshake done.").await;
    }

    if args.interactive {
        return interactive(s.stream).await;
    }

    let mut stream = s.stream;
    if let Some(path) = &args.http {
        let io = Io {
            read_timeout,
            body_to_stdout,
        };
        return http_get(
            &args,
            path,
            &target,
            &mut stream,
            &report,
            transcript.as_ref(),
            io,
        )
        .await;
    }

    let io = Io {
        read_timeout,
        body_to_stdout,
    };
    send_and_receive(&args, &mut stream, &report, transcript.as_ref(), io).await?;
    let _ = tokio::time::timeout(Duration::from_secs(2), stream.shutdown()).await;
    Ok(0)
}

/// With `--trace`: a tracer that prints each step (to stderr when stdout carries JSON or the
/// body), hooked into the key log so it sees the secrets' labels.
fn make_tracer(
    args: &Args,
    body_to_stdout: bool,
    setup: &mut config::ClientSetup,
) -> Option<std::sync::Arc<tlskit::session::trace::Tracer>> {
    if !args.trace {
        return None;
    }
    let to_stderr = args.json || body_to_stdout;
    let sink: tlskit::session::trace::Sink = std::sync::Arc::new(move |line: String| {
        if to_stderr {
            eprintln!("{line}");
        } else {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }
    });
    let tracer = tlskit::session::trace::Tracer::new(sink);
    let mut cfg = (*setup.config).clone();
    cfg.key_log = std::sync::Arc::new(tlskit::session::trace::TraceKeyLog {
        tracer: tracer.clone(),
        inner: cfg.key_log.clone(),
    });
    setup.config = std::sync::Arc::new(cfg);
    Some(tracer)
}

/// TCP (through the proxy, if any) and the STARTTLS exchange; with `--pause`, a pause after each.
async fn open_transport(
    connector: &Connector,
    pause: bool,
    show_plaintext: bool,
) -> Result<(tlskit::net::Connected, Option<Transcript>)> {
    Ok(if pause {
        // The same steps as Connector::open, with a pause after each.
        let mut tcp = connector.connect_tcp(None).await?;
        eprintln!(
            "TCP connection to {} established in {} (SYN, SYN-ACK, ACK). No TLS yet.",
            tcp.peer,
            tlskit::net::fmt_duration(tcp.connect_time)
        );
        if let Some(p) = &tcp.proxy {
            eprintln!(
                "The proxy {} opened a tunnel to {} in {:.3} ms.",
                p.url, p.destination, p.tunnel_ms
            );
        }
        let transcript = match &connector.starttls {
            Some((p, opts)) => {
                wait_enter(&format!(
                    "Next: the plaintext {} exchange that asks for TLS.",
                    p.display_name()
                ))
                .await;
                let t = starttls::negotiate(&mut tcp.stream, *p, opts).await?;
                Some(t)
            }
            None => None,
        };
        if let Some(t) = &transcript {
            if show_plaintext {
                print_transcript(t);
            }
        }
        wait_enter("Next: the TLS handshake.").await;
        (tcp, transcript)
    } else {
        let (tcp, transcript) = connector.open(None).await?;
        if let Some(t) = &transcript {
            if show_plaintext {
                print_transcript(t);
            }
        }
        (tcp, transcript)
    })
}

/// `--showcerts`: the server's chain as PEM.
fn print_chain<C: AsRef<[u8]>>(chain: &[C], body_to_stdout: bool) {
    let mut pem = String::new();
    for (i, c) in chain.iter().enumerate() {
        let info = tlskit::pki::inspect::CertInfo::from_der(c.as_ref()).ok();
        pem.push_str(&format!(
            "--- certificate {i}: {}\n",
            info.map(|i| format!("s:{} i:{}", i.subject, i.issuer))
                .unwrap_or_default()
        ));
        pem.push_str(&tlskit::pki::ca::pem_encode("CERTIFICATE", c.as_ref()));
    }
    if body_to_stdout {
        eprint!("{pem}");
    } else {
        crate::out!("{pem}");
        let _ = std::io::stdout().flush();
    }
}

/// How the session's output goes: the read timeout, and whether stdout carries the body.
#[derive(Clone, Copy)]
struct Io {
    read_timeout: Duration,
    body_to_stdout: bool,
}

/// `--http PATH`: one GET, then the response (head and body) as text or JSON, or the body to a file.
async fn http_get<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    args: &Args,
    path: &str,
    target: &tlskit::net::Target,
    stream: &mut S,
    report: &tlskit::session::report::ClientReport,
    transcript: Option<&Transcript>,
    io: Io,
) -> Result<i32> {
    let Io {
        read_timeout,
        body_to_stdout,
    } = io;
    let host_header = match (&args.servername, target.port) {
        (Some(n), 443) => n.clone(),
        (Some(n), p) => format!("{n}:{p}"),
        (None, 443) => target_host_for_header(&target.host),
        (None, p) => format!("{}:{p}", target_host_for_header(&target.host)),
    };
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: tlskit/{}\r\nAccept: */*\r\nConnection: close\r\n\r\n",
        env!("CARGO_PKG_VERSION")
    );
    stream
        .write_all(req.as_bytes())
        .await
        .map_err(|e| Error::network(format!("sending the request: {e}")))?;
    let (data, end) = receive(stream, read_timeout, None).await?;
    let (head, body) = tlskit::http::parse_full_response(&data)?;
    let saved_to = match &args.output {
        Some(p) if body_to_stdout => {
            let _ = p;
            None
        }
        Some(p) => {
            tlskit::fsutil::write_atomic(p, &body, tlskit::fsutil::PUBLIC_MODE, true)?;
            Some(p.display().to_string())
        }
        None => None,
    };
    if body_to_stdout {
        if !args.quiet {
            eprintln!("--- HTTP response ---");
            eprintln!("{} {} {}", head.version, head.status, head.reason);
            for (k, v) in &head.headers {
                eprintln!("{k}: {v}");
            }
            eprintln!("({} body bytes written to stdout)", body.len());
        }
        let mut out = std::io::stdout();
        let _ = out.write_all(&body);
        let _ = out.flush();
        return Ok(0);
    }
    if args.json {
        let text = if saved_to.is_none() {
            Some(String::from_utf8_lossy(&body).into_owned())
        } else {
            None
        };
        let http = HttpResult {
            status: head.status,
            reason: head.reason.clone(),
            version: head.version.clone(),
            headers: head.headers.clone(),
            body_bytes: body.len(),
            body: text,
            saved_to,
        };
        let mut v = report_json(report, transcript)?;
        v["http"] = serde_json::to_value(&http).map_err(|e| Error::other(e.to_string()))?;
        v["stream_end"] = serde_json::Value::String(end);
        output::print_json(&v)?;
    } else {
        if !args.quiet {
            crate::outln!("--- HTTP response ---");
        }
        crate::outln!("{} {} {}", head.version, head.status, head.reason);
        for (k, v) in &head.headers {
            crate::outln!("{k}: {v}");
        }
        crate::outln!();
        let binary = body.contains(&0);
        match &saved_to {
            Some(p) => crate::outln!("({} body bytes written to {p})", body.len()),
            None if binary && std::io::stdout().is_terminal() => {
                output::warn(format!(
                    "the body ({} bytes) is binary and would mess up your terminal: not printed. Use -o FILE to save it, or -o - to write it to stdout anyway",
                    body.len()
                ));
            }
            None => {
                let mut out = std::io::stdout();
                let _ = out.write_all(&body);
                if !body.ends_with(b"\n") && !body.is_empty() {
                    let _ = out.write_all(b"\n");
                }
            }
        }
    }
    Ok(0)
}

/// `--send` (if given), then what the server sends until it closes, idles or the read times
/// out: echoed live as text, or as JSON at the end.
async fn send_and_receive<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    args: &Args,
    stream: &mut S,
    report: &tlskit::session::report::ClientReport,
    transcript: Option<&Transcript>,
    io: Io,
) -> Result<()> {
    let read_timeout = io.read_timeout;
    if let Some(text) = &args.send {
        let bytes = common::unescape(text);
        stream
            .write_all(&bytes)
            .await
            .map_err(|e| Error::network(format!("sending data: {e}")))?;
        stream
            .flush()
            .await
            .map_err(|e| Error::network(format!("sending data: {e}")))?;
    }
    let echo_live = !args.json;
    if echo_live && !args.quiet {
        crate::outln!("--- data from the server (until it closes the connection) ---");
        let _ = std::io::stdout().flush();
    }
    let (data, end) = receive(
        stream,
        read_timeout,
        if echo_live { Some(()) } else { None },
    )
    .await?;
    if args.json {
        let mut v = report_json(report, transcript)?;
        let rec = Received {
            bytes: data.len(),
            text: String::from_utf8_lossy(&data).into_owned(),
            end,
        };
        v["received"] = serde_json::to_value(&rec).map_err(|e| Error::other(e.to_string()))?;
        output::print_json(&v)?;
    } else {
        if !data.is_empty() && !data.ends_with(b"\n") {
            crate::outln!();
        }
        if !args.quiet {
            let how = match end.as_str() {
                "close_notify" => "the server closed the session (close_notify)".to_string(),
                "eof_without_close_notify" => {
                    "the server closed the TCP connection WITHOUT close_notify (a truncation could not be detected)".to_string()
                }
                "read_timeout" => format!(
                    "nothing more from the server for {}; closing (use --read-timeout, --send, --http or --interactive)",
                    tlskit::net::fmt_duration(read_timeout)
                ),
                other => other.to_string(),
            };
            crate::outln!("--- {} bytes received; {how} ---", data.len());
        }
    }
    Ok(())
}

/// Writes the ladder diagram of a traced connection when the session ends, whichever way it
/// ends (HTTP, receive, interactive).
struct SvgOnDrop(
    Option<(
        std::sync::Arc<tlskit::session::trace::Tracer>,
        PathBuf,
        tlskit::session::report::ClientReport,
    )>,
);

impl Drop for SvgOnDrop {
    fn drop(&mut self) {
        let Some((tracer, path, report)) = self.0.take() else {
            return;
        };
        let Some(analysis) = tracer.analysis() else {
            return;
        };
        let tcp_ms = report.timing.tcp_connect_ms;
        let tcp = tlskit::pcap::TcpTimes {
            syn_ms: Some(0.0),
            syn_ack_ms: Some(tcp_ms),
            ack_ms: Some(tcp_ms),
            handshake_ms: Some(tcp_ms),
            ..Default::default()
        };
        let svg = tlskit::pcap::svg::ladder(&tlskit::pcap::svg::Ladder {
            title: format!(
                "tlskit connect {} port {}",
                report.target.host, report.target.port
            ),
            client: report.target.local_address.clone(),
            server: report.target.address.clone(),
            tcp: &tcp,
            tls: &analysis,
            dns: None,
            caption: format!(
                "as the client saw it: TCP handshake {:.3} ms, TLS handshake {:.3} ms ({} {})",
                report.timing.tcp_connect_ms,
                report.timing.tls_handshake_ms,
                report.negotiated.protocol,
                report.negotiated.cipher_suite.name
            ),
        });
        match tlskit::fsutil::write_atomic(&path, svg.as_bytes(), tlskit::fsutil::PUBLIC_MODE, true)
        {
            Ok(()) => eprintln!("tlskit: wrote the ladder diagram to {}", path.display()),
            Err(e) => output::error_line(&e),
        }
    }
}

fn target_host_for_header(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

/// Read until EOF or `idle` of silence. With `live`, data is also written to stdout as it arrives.
async fn receive<S: tokio::io::AsyncRead + Unpin>(
    s: &mut S,
    idle: Duration,
    live: Option<()>,
) -> Result<(Vec<u8>, String)> {
    let mut data = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    let end = loop {
        match tokio::time::timeout(idle, s.read(&mut buf)).await {
            Err(_) => break "read_timeout".to_string(),
            Ok(Ok(0)) => break "close_notify".to_string(),
            Ok(Ok(n)) => {
                if live.is_some() {
                    let mut out = std::io::stdout();
                    let _ = out.write_all(&buf[..n]);
                    let _ = out.flush();
                }
                data.extend_from_slice(&buf[..n]);
                if data.len() > 256 << 20 {
                    return Err(Error::protocol("more than 256 MiB received; stopping"));
                }
            }
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                break "eof_without_close_notify".to_string()
            }
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                break "reset".to_string()
            }
            Ok(Err(e)) => {
                let ctx = tlskit::session::verify::ErrorContext::default();
                return Err(tlskit::session::verify::io_error(&e, &ctx, "session"));
            }
        }
    };
    Ok((data, end))
}

async fn interactive<S>(stream: S) -> Result<i32>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    eprintln!("--- interactive: type to send; Ctrl-D ends your side, the session ends when the server closes ---");
    let (mut rd, mut wr) = tokio::io::split(stream);
    let to_stdout = tokio::spawn(async move {
        let mut out = tokio::io::stdout();
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match rd.read(&mut buf).await {
                Ok(0) => return Ok(()),
                Ok(n) => {
                    if out.write_all(&buf[..n]).await.is_err() {
                        return Ok(());
                    }
                    let _ = out.flush().await;
                }
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    });
    let from_stdin = tokio::spawn(async move {
        let mut inp = tokio::io::stdin();
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match inp.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if wr.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                    let _ = wr.flush().await;
                }
            }
        }
        let _ = wr.shutdown().await;
    });
    let r = to_stdout.await;
    from_stdin.abort();
    match r {
        Ok(Ok(())) => Ok(0),
        Ok(Err(e)) => Err(Error::network(format!("session ended with an error: {e}"))),
        Err(_) => Ok(0),
    }
}
