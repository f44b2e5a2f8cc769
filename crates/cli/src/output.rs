//! Small helpers for what every command prints: errors, warnings, colour decisions.

use std::io::IsTerminal;

/// Print a library error as one line on stderr.
pub fn error_line(e: &tlskit::Error) {
    eprintln!("tlskit: error: {e}");
}

/// Print a warning as one line on stderr.
pub fn warn(msg: impl std::fmt::Display) {
    eprintln!("tlskit: warning: {msg}");
}

/// Print a note (something the user may not expect, not a problem) as one line on stderr.
pub fn note(msg: impl std::fmt::Display) {
    eprintln!("tlskit: note: {msg}");
}

/// Whether to colour stdout: only on a terminal, and never when NO_COLOR is set.
#[allow(dead_code)]
pub fn colour_stdout() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
}

/// Serialise a value as pretty JSON on stdout.
pub fn print_json<T: serde::Serialize>(value: &T) -> tlskit::Result<()> {
    let s = serde_json::to_string_pretty(value)
        .map_err(|e| tlskit::Error::other(format!("cannot serialise JSON: {e}")))?;
    println!("{s}");
    Ok(())
}
