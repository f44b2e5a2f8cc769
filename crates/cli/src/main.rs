//! `tlskit`: a thin command-line front end over the `tlskit` library.

mod cmd;
mod output;

use clap::{CommandFactory, Parser, Subcommand};

/// tlskit — TLS secure sockets: a safe client and server, a lab CA, and tools that show what TLS does.
#[derive(Parser, Debug)]
#[command(
    name = "tlskit",
    version,
    long_version = output::LONG_VERSION.as_str(),
    about,
    long_about = "tlskit — TLS secure sockets for people who learn, build and audit TLS.\n\n\
Start with `tlskit demo`: it creates a CA and a certificate, starts a server on 127.0.0.1,\n\
connects to it and shows what was negotiated, with the commands that do each step by hand.",
    after_help = "Examples:\n  tlskit demo\n  tlskit cert ca --out ca\n  tlskit cert issue --ca ca --out localhost.pem localhost 127.0.0.1\n  tlskit serve -s localhost.pem 127.0.0.1 8443\n  tlskit connect -a ca/ca.crt localhost 8443"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,

    /// Colour the output: auto (on a terminal, unless NO_COLOR is set and not empty), always, never.
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = output::ColorWhen::Auto)]
    color: output::ColorWhen,
}

#[derive(Subcommand, Debug)]
enum Command {
    Demo(cmd::demo::Args),
    Connect(cmd::connect::Args),
    Serve(cmd::serve::Args),
    Bench(cmd::bench::Args),
    Cert(cmd::cert::Args),
    Scan(cmd::scan::Args),
    Report(cmd::report::Args),
    Ciphers(cmd::ciphers::Args),
    Proxy(cmd::proxy::Args),
    Observe(cmd::observe::Args),
    Pcap(cmd::pcap::Args),
    Completions(cmd::completions::Args),
    Man(cmd::man::Args),
    Lab(cmd::lab::Args),
}

/// With `RUST_LOG` set (e.g. `RUST_LOG=tlskit=debug`), the library's `tracing` diagnostics go to
/// stderr, one line each, without colour; without it nothing is installed and they cost nothing.
fn install_log_subscriber() {
    let Some(filter) = std::env::var("RUST_LOG")
        .ok()
        .filter(|v| !v.trim().is_empty())
    else {
        return;
    };
    let filter = match tracing_subscriber::EnvFilter::try_new(&filter) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("tlskit: RUST_LOG={filter:?} is not a valid filter ({e}); try RUST_LOG=tlskit=debug");
            std::process::exit(2);
        }
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(true)
        .try_init();
}

fn main() {
    let cli = Cli::parse();
    install_log_subscriber();
    output::set_color(cli.color);
    let result = match cli.command {
        Command::Demo(a) => cmd::demo::run(a),
        Command::Connect(a) => cmd::connect::run(a),
        Command::Serve(a) => cmd::serve::run(a),
        Command::Bench(a) => cmd::bench::run(a),
        Command::Cert(a) => cmd::cert::run(a),
        Command::Scan(a) => cmd::scan::run(a),
        Command::Report(a) => cmd::report::run(a),
        Command::Ciphers(a) => cmd::ciphers::run(a),
        Command::Proxy(a) => cmd::proxy::run(a),
        Command::Observe(a) => cmd::observe::run(a),
        Command::Pcap(a) => cmd::pcap::run(a),
        Command::Completions(a) => cmd::completions::run(a, Cli::command()),
        Command::Man(a) => cmd::man::run(a, Cli::command()),
        Command::Lab(a) => cmd::lab::run(a),
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            output::error_line(&e);
            std::process::exit(e.exit_code());
        }
    }
}
