//! Builds the `openssl` program of OpenSSL 4 (the first release whose `s_server` speaks Encrypted
//! Client Hello: `-ech_key`, `-ech_dir`, and `openssl ech` to make a key and its ECHConfigList)
//! from the source vendored by the `openssl-src` crate, into OUT_DIR. Nothing is downloaded.
//!
//! Only the program is built (`make apps/openssl`, static, no docs, no tests), with the parts
//! the ECH tests do not use left out so that the build stays short on a 2-core CI machine.
//! OpenSSL 3 (crates/testsupport, via openssl-sys) is untouched: this crate links nothing of
//! OpenSSL 4 into Rust code, it only runs the program.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Parts of OpenSSL the tests do not need (Configure's `no-*` options). Kept: TLS 1.2/1.3, EC,
/// X25519, RSA, ML-KEM, HPKE and ECH; the apps `s_server`, `s_client`, `ech`, `req`, `x509`.
const LEFT_OUT: &[&str] = &[
    "no-shared",
    "no-docs",
    "no-tests",
    "no-module",
    "no-legacy",
    "no-dso",
    "no-async",
    "no-comp",
    "no-ct",
    "no-cms",
    "no-cmp",
    "no-ts",
    "no-srp",
    "no-srtp",
    "no-sctp",
    "no-dtls",
    "no-quic",
    "no-gost",
    "no-sm2",
    "no-sm3",
    "no-sm4",
    "no-idea",
    "no-seed",
    "no-camellia",
    "no-aria",
    "no-bf",
    "no-cast",
    "no-md4",
    "no-mdc2",
    "no-rc2",
    "no-rc4",
    "no-whirlpool",
    "no-rmd160",
    "no-siphash",
    "no-scrypt",
    "no-slh-dsa",
    "no-lms",
    "no-ec2m",
    "no-rfc3779",
    "no-ssl-trace",
    "no-tls1",
    "no-tls1_1",
    "no-argon2",
    "no-ocb",
    "no-siv",
    "no-krb5kdf",
    "no-sshkdf",
    "no-snmpkdf",
    "no-srtpkdf",
    "no-x942kdf",
    "no-pvkkdf",
    "no-kbkdf",
    "no-uplink",
    "no-autoload-config",
    "no-thread-pool",
    "no-demos",
];

fn run(cmd: &mut Command, what: &str) {
    let status = cmd.status().unwrap_or_else(|e| {
        panic!("{what}: could not start {cmd:?}: {e} (needs perl, make and a C compiler)")
    });
    assert!(status.success(), "{what} failed ({status}): {cmd:?}");
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    let bin = out.join("openssl");
    let src = openssl_src::source_dir();
    assert!(
        src.join("apps/ech.c").is_file(),
        "{}: no apps/ech.c: this openssl-src has no ECH-capable OpenSSL",
        src.display()
    );
    if !bin.is_file() {
        // `cargo clippy` and `cargo build` run this script with different OUT_DIRs: a copy kept
        // in the target directory (keyed by the OpenSSL version and the options) saves CI a
        // second build of several minutes.
        let cache = cache_path(&out);
        match cache.as_deref().filter(|c| c.is_file()) {
            Some(c) => {
                std::fs::copy(c, &bin).expect("copy the cached OpenSSL 4 program");
            }
            None => {
                build(&src, &out, &bin);
                if let Some(c) = cache {
                    let tmp = c.with_extension("tmp");
                    let stored = c
                        .parent()
                        .is_some_and(|d| std::fs::create_dir_all(d).is_ok())
                        && std::fs::copy(&bin, &tmp).is_ok()
                        && std::fs::rename(&tmp, &c).is_ok();
                    if !stored {
                        let _ = std::fs::remove_file(&tmp);
                    }
                }
            }
        }
    }
    println!("cargo:rustc-env=TLSKIT_OPENSSL4={}", bin.display());
}

/// `<target>/tlskit-openssl4-<version>-<options hash>/openssl`, found from OUT_DIR
/// (`<target>/<profile>/build/<package>-<hash>/out`).
fn cache_path(out: &Path) -> Option<PathBuf> {
    let target = out.ancestors().nth(4)?;
    // FNV-1a of the options: another set of options is another program.
    let hash = LEFT_OUT
        .join(" ")
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    Some(
        target
            .join(format!(
                "tlskit-openssl4-{}-{hash:016x}",
                openssl_src::version()
            ))
            .join("openssl"),
    )
}

fn build(src: &Path, out: &Path, bin: &Path) {
    let dir = out.join("build");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("remove an old build directory");
    }
    std::fs::create_dir_all(&dir).expect("create the build directory");
    let perl = std::env::var_os("PERL").unwrap_or_else(|| "perl".into());
    let mut configure = Command::new(&perl);
    configure
        .arg(src.join("Configure"))
        .args(LEFT_OUT)
        .arg(format!("--prefix={}", out.join("install").display()))
        .arg(format!("--openssldir={}", out.join("ssl").display()))
        .current_dir(&dir)
        // Cargo's compiler settings for Rust are none of OpenSSL's business.
        .env_remove("CFLAGS")
        .env_remove("CROSS_COMPILE");
    run(&mut configure, "OpenSSL 4 Configure");
    let make = |target: &str| {
        let mut m = Command::new("make");
        m.arg(target).current_dir(&dir);
        // Share cargo's job slots when it offers its jobserver; else its job count.
        match std::env::var_os("CARGO_MAKEFLAGS") {
            Some(f) => {
                m.env("MAKEFLAGS", f);
            }
            None => {
                let jobs = std::env::var("NUM_JOBS").unwrap_or_else(|_| "2".into());
                m.arg(format!("-j{jobs}"));
            }
        }
        m
    };
    // The generated headers first: `apps/openssl` alone does not wait for them.
    run(
        &mut make("build_generated"),
        "OpenSSL 4 make build_generated",
    );
    run(&mut make("apps/openssl"), "OpenSSL 4 make apps/openssl");
    std::fs::copy(dir.join("apps/openssl"), bin).expect("copy apps/openssl");
    // The objects are not needed any more (about 100 MB).
    let _ = std::fs::remove_dir_all(&dir);
}
