//! `tlskit-weak-server`: a deliberately weak TLS server for tlskit's tests (never shipped).
//! See `tlskit_testsupport::server::Options` (or `--help`) for the flags.

use clap::Parser;

fn main() {
    let opts = tlskit_testsupport::server::Options::parse();
    if let Err(msg) = tlskit_testsupport::server::main_with(opts) {
        eprintln!("tlskit-weak-server: error: {msg}");
        std::process::exit(1);
    }
}
