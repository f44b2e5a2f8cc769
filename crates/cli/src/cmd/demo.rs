//! `tlskit demo`: the embedded default job — a CA, a certificate, a server and a client on loopback.

use super::common;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tlskit::pki::ca::{self, CaOptions, IssueRequest, Output, Validity};
use tlskit::session::server::{self, Mode, ServeOptions};
use tlskit::session::{client, config};
use tlskit::{Error, Result};
use tokio::io::AsyncReadExt;

#[derive(clap::Args, Debug)]
#[command(
    about = "Run the whole story on loopback: CA, certificate, server, client, report",
    long_about = "Run the whole story on loopback, with nothing from the internet:\n\
1. create a lab CA, 2. issue a certificate for localhost, 127.0.0.1 and ::1,\n\
3. start a TLS server on 127.0.0.1 that sends one message, 4. connect with a client that\n\
trusts only the lab CA, and print what was negotiated and what arrived.\n\
Each step prints the tlskit command that does it by hand."
)]
pub struct Args {
    /// Keep the CA and certificate in DIR (created if missing) instead of a temporary folder.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// With --dir: replace a CA and certificate left there by an earlier run.
    #[arg(long, requires = "dir")]
    force: bool,
    /// Print the client's report (and the message) as JSON.
    #[arg(long)]
    json: bool,
    /// Print every certificate of the chain in full.
    #[arg(short = 'v', long)]
    verbose: bool,
}

fn shell_path(p: &Path) -> String {
    let s = p.display().to_string();
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c))
    {
        s
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Step 1 as told: the CA's files and what it may vouch for.
fn say_step1(created: &ca::CreatedCa, say: &dyn Fn(String)) {
    say("1. A certificate authority for the lab".to_string());
    say(format!(
        "   wrote {} and {} ({}, mode 0600 key)",
        created.certificate.display(),
        created.key.display(),
        created.key_type.description()
    ));
    say(format!(
        "   it may only vouch for {} — never for a real site",
        ca::LAB_NAME_CONSTRAINTS.replace(',', ", ")
    ));
    say(
        "   by hand: tlskit cert ca --out ca --cn 'tlskit demo CA' --name-constraints lab\n"
            .to_string(),
    );
}

/// Step 2: a server certificate for localhost and loopback, signed by the demo CA.
fn issue_server_cert(ca_dir: &Path, pem: &Path, force: bool, say: &dyn Fn(String)) -> Result<()> {
    let authority = ca::Ca::load(ca_dir, None)?;
    let names: Vec<String> = ["localhost", "127.0.0.1", "::1"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let req = IssueRequest {
        names: names.clone(),
        common_name: None,
        server: true,
        client: false,
        key_type: None,
        validity: Validity::from_flags(None, None, None, ca::DEFAULT_LEAF_DAYS)?,
    };
    let issued = authority.issue(&req)?;
    issued.write(&Output::Combined(pem.to_path_buf()), force)?;
    say("2. A server certificate for localhost, 127.0.0.1 and ::1, signed by that CA".to_string());
    say(format!(
        "   wrote {} (certificate, CA certificate, private key — like the seeds' localhost.pem)",
        pem.display()
    ));
    say(
        "   by hand: tlskit cert issue --ca ca --out localhost.pem localhost 127.0.0.1 ::1\n"
            .to_string(),
    );
    Ok(())
}

/// What TLS did not hide, and what to try next.
fn print_epilogue(data_len: usize, keep: bool, pem: &Path, ca_dir: &Path) {
    crate::outln!();
    crate::outln!("What TLS did not hide here: both addresses and ports, the server name 'localhost' (SNI travels");
    crate::outln!("in clear in the ClientHello), and the size of the message ({} bytes of data in one record).", data_len);
    crate::outln!();
    crate::outln!("Try next:");
    if keep {
        crate::outln!("  tlskit cert show {}", shell_path(pem));
    } else {
        crate::outln!("  tlskit demo --dir lab    # the same, keeping the CA and certificate in ./lab (this run's folder is removed)");
    }
    let ca_shown = if keep {
        shell_path(&ca_dir.join("ca.crt"))
    } else {
        "lab/ca/ca.crt".to_string()
    };
    let pem_shown = if keep {
        shell_path(pem)
    } else {
        "lab/localhost.pem".to_string()
    };
    crate::outln!("  tlskit serve -s {pem_shown} 127.0.0.1 8443 &");
    crate::outln!("  tlskit connect -v -p TLSv1_2 -C 'ECDH+AES128' -a {ca_shown} localhost 8443");
    crate::outln!("  tlskit serve --help    tlskit connect --help    tlskit cert --help");
}

pub fn run(args: Args) -> Result<i32> {
    let tmp;
    let dir: PathBuf = match &args.dir {
        Some(d) => {
            tlskit::fsutil::ensure_dir(d, 0o700)?;
            d.clone()
        }
        None => {
            tmp = tempfile::Builder::new()
                .prefix("tlskit-demo-")
                .tempdir()
                .map_err(|e| Error::other(format!("cannot create a temporary folder: {e}")))?;
            tmp.path().to_path_buf()
        }
    };
    let text = !args.json;
    let say = |s: String| {
        if text {
            crate::outln!("{s}");
        }
    };
    say(format!(
        "tlskit demo — a CA, a certificate, a server and a client on loopback, in {}",
        dir.display()
    ));
    say("(the \"by hand\" commands do the same steps, run from inside that folder)\n".to_string());

    // 1. The CA.
    let ca_dir = dir.join("ca");
    // A name-constrained CA: it can vouch for localhost and loopback only, never a real site.
    let ca_opts = CaOptions {
        force: args.force,
        ..CaOptions::lab("tlskit demo CA")
    };
    let pem = dir.join("localhost.pem");
    if !args.force && (ca_dir.join(ca::CA_CERT_FILE).exists() || pem.exists()) {
        return Err(Error::input(format!(
            "{} already holds a demo CA or certificate from an earlier run; pass --force to replace them, or choose another --dir",
            dir.display()
        )));
    }
    let created = ca::create_ca(&ca_dir, &ca_opts)?;
    say_step1(&created, &say);

    // 2. The server certificate.
    issue_server_cert(&ca_dir, &pem, args.force, &say)?;

    // 3. The server.
    let server_setup = config::server_config(&config::ServerOptions {
        cert: pem.clone(),
        ..Default::default()
    })?;
    let client_setup = config::client_config(&config::ClientOptions {
        ca: vec![created.certificate.clone()],
        ..Default::default()
    })?;
    let rt = common::runtime()?;
    let ca_cert = created.certificate.clone();
    let keep = args.dir.is_some();
    rt.block_on(async move {
        let listener = tlskit::net::bind("127.0.0.1", 0).await?;
        let addr = listener.local_addr().map_err(|e| Error::network(e.to_string()))?;
        say(format!("3. A TLS server on {addr} that sends one message and closes"));
        say(format!("   by hand: tlskit serve -s localhost.pem 127.0.0.1 {}\n", addr.port()));
        let log_lines = Arc::new(Mutex::new(Vec::<String>::new()));
        let sink = log_lines.clone();
        let log: Arc<dyn Fn(&server::ConnectionLog) + Send + Sync> = Arc::new(move |l: &server::ConnectionLog| {
            if let Ok(mut v) = sink.lock() {
                v.push(l.line());
            }
        });
        let opts = ServeOptions {
            mode: Mode::Message(server::DEFAULT_MESSAGE.to_string()),
            once: true,
            ..ServeOptions::default()
        };
        let server_task = tokio::spawn(server::run(listener, Arc::new(server_setup), opts, log, std::future::pending()));

        // 4. The client.
        say("4. A client that trusts only the lab CA".to_string());
        say(format!("   by hand: tlskit connect -a ca/ca.crt localhost {}\n", addr.port()));
        let target = tlskit::net::Target::new("localhost", addr.port());
        let timeout = Duration::from_secs(10);
        let mut session = client::connect(&target, &client_setup, None, false, timeout).await?;
        let mut data = Vec::new();
        tokio::time::timeout(timeout, session.stream.read_to_end(&mut data))
            .await
            .map_err(|_| Error::network("the demo server sent nothing within 10 s"))?
            .map_err(|e| Error::network(format!("reading the message: {e}")))?;
        let _ = server_task.await;
        let message = String::from_utf8_lossy(&data).into_owned();
        if args.json {
            let mut v = serde_json::to_value(&session.report).map_err(|e| Error::other(e.to_string()))?;
            v["received"] = serde_json::json!({"bytes": data.len(), "text": message});
            v["files"] = serde_json::json!({"ca": ca_cert.display().to_string(), "server_pem": pem.display().to_string()});
            crate::output::print_json(&v)?;
            return Ok(0);
        }
        crate::out!("{}", session.report.render_text(args.verbose));
        crate::outln!("--- data from the server ---");
        crate::outln!("{message}");
        crate::outln!("--- {} bytes; the server closed the session with close_notify ---\n", data.len());
        if let Ok(v) = log_lines.lock() {
            for l in v.iter() {
                crate::outln!("Server log: {l}");
            }
        }
        print_epilogue(data.len(), keep, &pem, &ca_dir);
        let _ = std::io::stdout().flush();
        Ok(0)
    })
}
