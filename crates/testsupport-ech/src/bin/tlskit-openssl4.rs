//! `tlskit-openssl4 ARGS…` runs the OpenSSL 4 `openssl` program this crate built with ARGS (so
//! another package's tests, which can only build and run binaries, reach it:
//! `tlskit-openssl4 s_server -ech_key …`).

use std::os::unix::process::CommandExt;

fn main() {
    let bin = tlskit_testsupport_ech::openssl4();
    let err = std::process::Command::new(bin)
        .args(std::env::args_os().skip(1))
        .exec();
    eprintln!("tlskit-openssl4: cannot run {}: {err}", bin.display());
    std::process::exit(127);
}
