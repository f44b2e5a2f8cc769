//! `tlskit scan`: versions, cipher suites, groups, signature algorithms and certificates.

use super::common;
use crate::output;
use std::io::IsTerminal;
use std::sync::Arc;
use tlskit::net::starttls::Protocol;
use tlskit::net::Target;
use tlskit::scan::{self, report::Style, ScanOptions};
use tlskit::{Error, Result};

#[derive(clap::Args, Debug)]
#[command(
    about = "Scan a TLS endpoint: versions, cipher suites, groups, certificates",
    long_about = "Scan a TLS endpoint: which protocol versions (SSLv2 … TLSv1.3) and cipher suites it accepts,\n\
in which order it prefers them, its key-exchange groups and signature algorithms, and the\n\
certificate chain for each key type it presents.\n\n\
tlskit speaks the first flight of every version itself (rustls rightly refuses legacy TLS), so a\n\
scan can find SSLv3, RC4, export and NULL suites. Suites are found by elimination: offer all,\n\
drop the one chosen, repeat — one connection per accepted suite, several in parallel.\n\n\
Only scan servers you are allowed to test.",
    after_help = "Examples:\n  tlskit scan localhost:8443\n  tlskit scan 127.0.0.1 4433 --json > report.json\n  tlskit scan -t smtp mail.example.test:25\n  tlskit scan --servername www.bank32.com 10.9.0.43:443"
)]
pub struct Args {
    /// HOST:PORT, [IPv6]:PORT, or HOST PORT.
    #[arg(value_name = "TARGET", required = true)]
    targets: Vec<String>,

    /// Print the report as JSON (schema: docs/scan.schema.json).
    #[arg(long)]
    json: bool,
    /// Show full certificates and IANA names.
    #[arg(short = 'v', long)]
    verbose: bool,
    /// SNI to send (default: the host name; none for IP addresses).
    #[arg(long, value_name = "NAME")]
    servername: Option<String>,
    /// Send no SNI.
    #[arg(long, conflicts_with = "servername")]
    no_sni: bool,
    /// Upgrade a plaintext protocol first: smtp, lmtp, imap, pop3, ftp, nntp, xmpp, xmpp-server,
    /// ldap, postgres, mysql, sieve, irc. Chosen automatically for well-known plaintext ports.
    #[arg(short = 't', long = "starttls", value_name = "PROTO")]
    starttls: Option<String>,
    /// Name for EHLO / the XMPP domain (default: the host).
    #[arg(long, value_name = "NAME")]
    starttls_name: Option<String>,
    /// Speak TLS directly even on a well-known plaintext port.
    #[arg(long, conflicts_with = "starttls")]
    no_starttls: bool,
    /// Connections open at once to the server (be polite to production servers).
    #[arg(long, value_name = "N", default_value_t = 8)]
    max_connections: usize,
    /// Seconds allowed for each probe (connect + answer).
    #[arg(long, value_name = "SECS", default_value_t = 5.0)]
    timeout: f64,
    /// No progress indicator on stderr.
    #[arg(long)]
    no_progress: bool,
}

fn parse_targets(args: &[String]) -> Result<Vec<Target>> {
    if args.len() == 2 && tlskit::net::parse_port(&args[1]).is_ok() && Target::parse(&args[0], None).is_err() {
        return Ok(vec![Target::new(&args[0], tlskit::net::parse_port(&args[1])?)]);
    }
    args.iter().map(|a| Target::parse(a, None)).collect()
}

pub fn run(args: Args) -> Result<i32> {
    let targets = parse_targets(&args.targets)?;
    if targets.len() != 1 {
        return Err(Error::usage("scan one target at a time for now: HOST:PORT or HOST PORT"));
    }
    let target = targets.into_iter().next().expect("one target");
    if args.max_connections == 0 {
        return Err(Error::usage("--max-connections must be at least 1"));
    }
    let starttls = match (&args.starttls, args.no_starttls) {
        (Some(p), _) => Some((Protocol::parse(p)?, args.starttls_name.clone())),
        (None, false) => Protocol::for_port(target.port).map(|p| {
            output::warn(format!(
                "port {} is usually {}: using STARTTLS (-t {}); --no-starttls to speak TLS directly",
                target.port,
                p.name().to_uppercase(),
                p.name()
            ));
            (p, args.starttls_name.clone())
        }),
        (None, true) => None,
    };
    let opts = ScanOptions {
        target: target.clone(),
        servername: args.servername.clone(),
        no_sni: args.no_sni,
        starttls,
        max_connections: args.max_connections,
        timeout: common::secs(args.timeout),
        ca: Vec::new(),
    };
    let rt = common::runtime()?;
    let progress = (!args.no_progress && std::io::stderr().is_terminal()).then(|| {
        let pb = indicatif::ProgressBar::new_spinner();
        pb.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} {pos} connections, {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        pb.set_message(format!("scanning {target}:"));
        pb.enable_steady_tick(std::time::Duration::from_millis(100));
        pb
    });
    let tick: Option<Arc<dyn Fn() + Send + Sync>> = progress.clone().map(|pb| {
        let f: Arc<dyn Fn() + Send + Sync> = Arc::new(move || pb.inc(1));
        f
    });
    let result = rt.block_on(scan::scan(&opts, tick));
    if let Some(pb) = progress {
        pb.finish_and_clear();
    }
    let report = result?;
    if args.json {
        output::print_json(&report)?;
    } else {
        let style = Style { colour: output::colour_stdout() };
        print!("{}", report.render_text(style, args.verbose));
    }
    Ok(0)
}
