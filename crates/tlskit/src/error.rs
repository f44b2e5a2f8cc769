//! One error type for the library. Every variant carries a complete, one-line sentence that says
//! what went wrong and, where possible, what to do about it; the CLI prints it as is.

use std::fmt;

/// What kind of failure this is; decides the exit status and lets callers branch without parsing text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The request itself cannot be carried out (conflicting flags, a protocol we refuse to speak).
    Usage,
    /// A file or its content is wrong: unreadable, malformed PEM, a key that does not match.
    Input,
    /// Name resolution, connection refused, timeouts, resets.
    Network,
    /// The TLS handshake or the protocol on top of it failed.
    Tls,
    /// The peer's certificate did not verify.
    Certificate,
    /// A plaintext protocol (STARTTLS, HTTP) did not go as expected.
    Protocol,
    /// Anything else (internal errors).
    Other,
}

#[derive(Debug, Clone)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
        }
    }
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Usage, message)
    }
    pub fn input(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Input, message)
    }
    pub fn network(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Network, message)
    }
    pub fn tls(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Tls, message)
    }
    pub fn certificate(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Certificate, message)
    }
    pub fn protocol(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Protocol, message)
    }
    pub fn other(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Other, message)
    }
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
    pub fn message(&self) -> &str {
        &self.message
    }
    /// Prefix the message with where it happened: `"reading ca.crt: " + message`.
    pub fn context(mut self, what: impl fmt::Display) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }
    /// Process exit status for this error: 2 for usage errors, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self.kind {
            ErrorKind::Usage => 2,
            _ => 1,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Keep it to one line whatever the source produced.
        let one_line = self.message.replace(['\n', '\r'], " ");
        f.write_str(one_line.trim())
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Describe an I/O error on a file in words a user acts on.
pub fn file_error(path: &std::path::Path, action: &str, e: &std::io::Error) -> Error {
    use std::io::ErrorKind as K;
    let p = path.display();
    let why = match e.kind() {
        K::NotFound => "no such file or directory".to_string(),
        K::PermissionDenied => "permission denied".to_string(),
        K::AlreadyExists => "it already exists (remove it or choose another name)".to_string(),
        _ => {
            if e.raw_os_error() == Some(libc::EISDIR) {
                "it is a directory, not a file".to_string()
            } else {
                e.to_string()
            }
        }
    };
    Error::input(format!("cannot {action} {p}: {why}"))
}
