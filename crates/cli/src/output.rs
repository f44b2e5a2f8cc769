//! Small helpers for what every command prints: errors, warnings, colour decisions.

use std::io::{IsTerminal, Write};

/// `crate::out!` for tlskit's stdout: see [`write_stdout`]. The std macros are disallowed in this
/// crate (crates/cli/clippy.toml) because they panic on a closed pipe.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::write_stdout(format_args!($($arg)*))
    };
}

/// `crate::outln!` for tlskit's stdout: see [`write_stdout`].
#[macro_export]
macro_rules! outln {
    () => {
        $crate::output::write_stdout(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::output::write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// Write to stdout. A closed stdout (`tlskit ciphers | head`: the reader has all it wanted) ends
/// the process quietly with status 0, as `head` expects of the command before it; any other
/// write error is one error line and status 1. (Rust leaves SIGPIPE ignored, which the network
/// code needs, so a closed pipe is an `io::ErrorKind::BrokenPipe` error here, never a signal.)
pub fn write_stdout(args: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args) {
        stdout_failed(&e);
    }
}

/// What to do when writing to stdout failed: see [`write_stdout`].
pub fn stdout_failed(e: &std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    eprintln!("tlskit: error: cannot write to stdout: {e}; check the file or pipe it goes to");
    std::process::exit(1);
}

/// Print a library error as one line on stderr.
pub fn error_line(e: &tlskit::Error) {
    // Errors quote peer and file bytes: escaped by the one helper, so they stay one line.
    eprintln!("tlskit: error: {}", tlskit::escape::text(&e.to_string()));
}

/// Print a warning as one line on stderr.
pub fn warn(msg: impl std::fmt::Display) {
    eprintln!(
        "tlskit: warning: {}",
        tlskit::escape::text(&msg.to_string())
    );
}

/// Print a note (something the user may not expect, not a problem) as one line on stderr.
pub fn note(msg: impl std::fmt::Display) {
    eprintln!("tlskit: note: {}", tlskit::escape::text(&msg.to_string()));
}

/// `--color WHEN`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    /// On a terminal, unless NO_COLOR is set to a non-empty value (https://no-color.org).
    Auto,
    Always,
    Never,
}

static COLOR: std::sync::OnceLock<ColorWhen> = std::sync::OnceLock::new();

/// Record the `--color` choice (once, before any command runs).
pub fn set_color(when: ColorWhen) {
    let _ = COLOR.set(when);
}

/// Whether to colour stdout: `--color always|never` decide; `auto` colours a terminal unless
/// NO_COLOR is set and not empty.
pub fn colour_stdout() -> bool {
    colour_for(
        COLOR.get().copied().unwrap_or(ColorWhen::Auto),
        std::env::var_os("NO_COLOR").as_deref(),
        std::io::stdout().is_terminal(),
    )
}

fn colour_for(when: ColorWhen, no_color: Option<&std::ffi::OsStr>, terminal: bool) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => terminal && no_color.is_none_or(|v| v.is_empty()),
    }
}

/// What `--version` prints: the TLS stack linked in (versions from Cargo.lock at build time) and
/// the trust stores used.
pub static LONG_VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "{}\n\
rustls {} with the aws-lc-rs {} crypto provider (AWS-LC via aws-lc-sys {})\n\
root store: Mozilla's, from webpki-roots {} ({} roots; scan and cert trust checks), and the system's\n\
(SSL_CERT_FILE / SSL_CERT_DIR honoured; connect's default)",
        env!("CARGO_PKG_VERSION"),
        env!("TLSKIT_RUSTLS_VERSION"),
        env!("TLSKIT_AWS_LC_RS_VERSION"),
        env!("TLSKIT_AWS_LC_SYS_VERSION"),
        env!("TLSKIT_WEBPKI_ROOTS_VERSION"),
        webpki_roots::TLS_SERVER_ROOTS.len(),
    )
});

/// Serialise a value as pretty JSON on stdout.
pub fn print_json<T: serde::Serialize>(value: &T) -> tlskit::Result<()> {
    let s = serde_json::to_string_pretty(value)
        .map_err(|e| tlskit::Error::other(format!("cannot serialise JSON: {e}")))?;
    crate::outln!("{s}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn colour_decision() {
        use ColorWhen::*;
        assert!(colour_for(Auto, None, true));
        assert!(!colour_for(Auto, None, false));
        assert!(!colour_for(Auto, Some(OsStr::new("1")), true));
        // NO_COLOR only counts when it is not empty.
        assert!(colour_for(Auto, Some(OsStr::new("")), true));
        assert!(colour_for(Always, Some(OsStr::new("1")), false));
        assert!(!colour_for(Never, None, true));
    }
}
