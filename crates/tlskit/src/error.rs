//! One error type for the library. Every variant carries a complete, one-line sentence that says
//! what went wrong and, where possible, what to do about it; the CLI prints it as is.

use std::fmt;
use std::sync::Arc;

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

/// A library error: its kind, one complete sentence for the user, and the lower-level error it
/// came from (if any) as [`std::error::Error::source`].
#[derive(Debug, Clone)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    source: Option<Arc<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// An error of `kind` with a one-line sentence for the user.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            source: None,
        }
    }
    /// Keep the lower-level error this one was made from (shown by [`std::error::Error::source`];
    /// the message stays the one-line sentence for users).
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }
    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Usage, message)
    }
    /// A file or its content is wrong.
    pub fn input(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Input, message)
    }
    /// A network failure: resolution, connect, timeout, reset.
    pub fn network(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Network, message)
    }
    /// A TLS handshake or protocol failure.
    pub fn tls(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Tls, message)
    }
    /// The peer's certificate did not verify.
    pub fn certificate(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Certificate, message)
    }
    /// A plaintext protocol (STARTTLS, HTTP) went wrong.
    pub fn protocol(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Protocol, message)
    }
    /// Anything else.
    pub fn other(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Other, message)
    }
    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
    /// The one-line sentence for the user.
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

/// An I/O error met while talking to a peer: network for the connection-level kinds, other
/// otherwise. The original error stays reachable through `source()`.
impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        use std::io::ErrorKind as K;
        let kind = match e.kind() {
            K::ConnectionRefused
            | K::ConnectionReset
            | K::ConnectionAborted
            | K::BrokenPipe
            | K::TimedOut
            | K::UnexpectedEof
            | K::NotConnected
            | K::AddrInUse
            | K::AddrNotAvailable => ErrorKind::Network,
            _ => ErrorKind::Other,
        };
        let message = match e.kind() {
            K::UnexpectedEof => {
                "the peer closed the connection without a TLS close_notify".to_string()
            }
            K::BrokenPipe | K::ConnectionReset => format!("the peer closed the connection ({e})"),
            _ => format!("I/O error: {e}"),
        };
        Error::new(kind, message).with_source(e)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// The library's result type.
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
    Error::input(format!("cannot {action} {p}: {why}")).with_source(clone_io(e))
}

/// An owned copy of an I/O error (kind, OS code and text), to keep as a source.
fn clone_io(e: &std::io::Error) -> std::io::Error {
    match e.raw_os_error() {
        Some(code) => std::io::Error::from_raw_os_error(code),
        None => std::io::Error::new(e.kind(), e.to_string()),
    }
}
