//! `openssl-src` is a build-dependency of this crate only so that its features (ssl3, weak-crypto,
//! legacy) unify with the `openssl-src` that openssl-sys's build script uses to compile the
//! vendored OpenSSL; without it those features would be silently dropped. Using it here keeps that
//! link explicit.

fn main() {
    println!(
        "cargo:rustc-env=TLSKIT_OPENSSL_SRC_VERSION={}",
        openssl_src::version()
    );
    println!("cargo:rerun-if-changed=build.rs");
}
