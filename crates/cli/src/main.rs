//! `tlskit`: a thin command-line front end over the `tlskit` library.

mod cmd;
mod output;

use clap::{Parser, Subcommand};

/// tlskit — TLS secure sockets: a safe client and server, a lab CA, and tools that show what TLS does.
#[derive(Parser, Debug)]
#[command(
    name = "tlskit",
    version,
    about,
    long_about = "tlskit — TLS secure sockets for people who learn, build and audit TLS.\n\n\
Start with `tlskit demo`: it creates a CA and a certificate, starts a server on 127.0.0.1,\n\
connects to it and shows what was negotiated, with the commands that do each step by hand.",
    after_help = "Examples:\n  tlskit demo\n  tlskit cert ca --out ca\n  tlskit cert issue --ca ca --out localhost.pem localhost 127.0.0.1\n  tlskit serve -s localhost.pem 127.0.0.1 8443\n  tlskit connect -a ca/ca.crt localhost 8443"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the whole story on loopback: CA, certificate, server, client, report.
    Demo(cmd::demo::Args),
    /// Connect to a TLS server, verify it, and report exactly what was negotiated.
    Connect(cmd::connect::Args),
    /// Run a TLS server: a fixed message, echo, HTTP, or TLS offload to a backend.
    Serve(cmd::serve::Args),
    /// A small certificate authority: create a CA, issue, inspect and rehash certificates.
    Cert(cmd::cert::Args),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(a) => cmd::demo::run(a),
        Command::Connect(a) => cmd::connect::run(a),
        Command::Serve(a) => cmd::serve::run(a),
        Command::Cert(a) => cmd::cert::run(a),
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            output::error_line(&e);
            std::process::exit(e.exit_code());
        }
    }
}
