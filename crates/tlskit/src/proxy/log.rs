//! The proxy's log: one sink for text or JSON lines, to stdout or a 0600 file, with redaction;
//! what it records about each connection.

use super::httplog::{self, HttpMessage, Side};
use crate::error::{file_error, Result};
use crate::net;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// Where log events go: text or JSON lines, to stdout or to a file (mode 0600: it holds
/// passwords). With a file, stdout still gets one line per connection.
pub struct LogSink {
    main: Mutex<Box<dyn Write + Send>>,
    to_file: Option<PathBuf>,
    json: bool,
    redact: bool,
    max_body_chars: usize,
}

impl LogSink {
    /// Log to `file` (appending), or to stdout when `None`.
    pub fn new(
        file: Option<&Path>,
        json: bool,
        redact: bool,
        max_body_chars: usize,
    ) -> Result<LogSink> {
        let main: Box<dyn Write + Send> = match file {
            Some(p) => {
                use std::os::unix::fs::OpenOptionsExt;
                let f = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .mode(crate::fsutil::KEY_MODE)
                    .open(p)
                    .map_err(|e| file_error(p, "open the log file", &e))?;
                Box::new(std::io::LineWriter::new(f))
            }
            None => Box::new(std::io::stdout()),
        };
        Ok(LogSink {
            main: Mutex::new(main),
            to_file: file.map(Path::to_path_buf),
            json,
            redact,
            max_body_chars,
        })
    }

    /// The file the log goes to, if any.
    pub fn file(&self) -> Option<&Path> {
        self.to_file.as_deref()
    }

    fn write_main(&self, text: &str) {
        if let Ok(mut w) = self.main.lock() {
            let _ = w.write_all(text.as_bytes());
            let _ = w.flush();
        }
    }

    /// Lines that also go to stdout when the log is a file.
    fn write_summary(&self, text: &str) {
        self.write_main(text);
        if self.to_file.is_some() {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        }
    }

    fn json_line(&self, event: &str, id: u64, value: impl Serialize) -> String {
        let mut v = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
        if !v.is_object() {
            v = serde_json::json!({ "value": v });
        }
        if let Some(m) = v.as_object_mut() {
            m.insert("event".into(), event.into());
            m.insert("id".into(), id.into());
        }
        format!("{v}\n")
    }

    pub(super) fn opened(&self, info: &ConnInfo) {
        if self.json {
            self.write_summary(&self.json_line("connection", info.id, info));
        } else {
            self.write_summary(&text_line(&info.line()));
        }
    }

    /// Log a message. With redaction, the secrets it carries join `secrets` (per connection),
    /// and every secret seen so far is scrubbed from it.
    pub(super) fn message(
        &self,
        id: u64,
        dir: Side,
        msg: &HttpMessage,
        secrets: &Mutex<Vec<String>>,
    ) {
        let mut msg = msg.clone();
        if self.redact {
            let mut known = secrets.lock().unwrap_or_else(|p| p.into_inner());
            for s in msg.secrets() {
                if !known.contains(&s) && known.len() < 1024 {
                    known.push(s);
                }
            }
            msg.redact();
            msg.scrub(&known);
        }
        if self.json {
            let (event, d) = match dir {
                Side::Request => ("request", "client_to_server"),
                Side::Response => ("response", "server_to_client"),
            };
            let mut line = self.json_line(event, id, &msg);
            if let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&line) {
                if let Some(m) = v.as_object_mut() {
                    m.insert("direction".into(), d.into());
                }
                line = format!("{v}\n");
            }
            self.write_main(&line);
        } else {
            let arrow = arrow(dir);
            let mut text = String::new();
            for l in msg.render_lines(self.max_body_chars) {
                text.push_str(&text_line(&format!("[#{id}] {arrow} {l}")));
            }
            self.write_main(&text);
        }
    }

    pub(super) fn raw(&self, id: u64, dir: Side, bytes: usize, preview: &[u8]) {
        if self.json {
            let v = serde_json::json!({
                "direction": direction_name(dir),
                "bytes": bytes,
                "preview": if self.redact || preview.is_empty() { serde_json::Value::Null } else { httplog::raw_preview(preview).into() },
            });
            self.write_main(&self.json_line("data", id, v));
        } else if self.redact {
            self.write_main(&format!(
                "[#{id}] {} {bytes} bytes (not HTTP; content not shown with --redact)\n",
                arrow(dir)
            ));
        } else if preview.is_empty() {
            self.write_main(&format!(
                "[#{id}] {} {bytes} bytes (not HTTP)\n",
                arrow(dir)
            ));
        } else {
            let more = if bytes > preview.len() {
                format!(" … ({} more)", bytes - preview.len())
            } else {
                String::new()
            };
            self.write_main(&text_line(&format!(
                "[#{id}] {} {bytes} bytes: {}{more}",
                arrow(dir),
                httplog::raw_preview(preview)
            )));
        }
    }

    pub(super) fn note(&self, id: u64, text: &str) {
        if self.json {
            self.write_main(&self.json_line("note", id, serde_json::json!({ "note": text })));
        } else {
            self.write_main(&text_line(&format!("[#{id}] note: {text}")));
        }
    }

    pub(super) fn refused(&self, id: u64, client: &str, reason: &str) {
        if self.json {
            self.write_summary(&self.json_line(
                "refused",
                id,
                serde_json::json!({ "client": client, "reason": reason }),
            ));
        } else {
            self.write_summary(&text_line(&format!("[#{id}] {client}: refused: {reason}")));
        }
    }

    pub(super) fn closed(&self, id: u64, c: &Closed) {
        if self.json {
            self.write_summary(&self.json_line("closed", id, c));
        } else {
            let creds = if c.credentials.is_empty() {
                String::new()
            } else {
                format!("; credentials seen: {}", c.credentials.join(", "))
            };
            let err = c
                .error
                .as_ref()
                .map(|e| format!("; {e}"))
                .unwrap_or_default();
            self.write_summary(&text_line(&format!(
                "[#{id}] closed after {}: {} bytes client->server, {} bytes server->client, {} request(s), {} response(s){creds}{err}",
                net::fmt_duration(Duration::from_secs_f64(c.duration_ms / 1000.0)),
                c.bytes_client_to_server,
                c.bytes_server_to_client,
                c.requests,
                c.responses
            )));
        }
    }
}

/// One line of the text log: peer bytes in it escaped by the one escaping helper, so nothing a
/// client or server sends can draw on the terminal or start a log line of its own.
fn text_line(line: &str) -> String {
    let mut s = crate::escape::text(line);
    s.push('\n');
    s
}

fn arrow(dir: Side) -> &'static str {
    match dir {
        Side::Request => ">>",
        Side::Response => "<<",
    }
}

fn direction_name(dir: Side) -> &'static str {
    match dir {
        Side::Request => "client_to_server",
        Side::Response => "server_to_client",
    }
}

/// What the log says about a connection once both handshakes are done.
#[derive(Debug, Clone, Serialize)]
pub struct ConnInfo {
    pub id: u64,
    pub client: String,
    /// `transparent` (the client was redirected and spoke TLS at once), `connect` (HTTP CONNECT),
    /// or `connect-plaintext` (a CONNECT tunnel carrying something other than TLS).
    pub mode: &'static str,
    pub connect_target: Option<String>,
    pub sni: Option<String>,
    pub alpn_offered: Vec<String>,
    /// The name the forged certificate is for.
    pub forged_for: Option<String>,
    /// The certificate was forged for this connection (false: from the cache).
    pub forged_new: bool,
    pub forged_sha256: Option<String>,
    pub client_protocol: Option<String>,
    pub client_cipher_suite: Option<String>,
    pub upstream: String,
    pub upstream_address: Option<String>,
    pub upstream_protocol: Option<String>,
    pub upstream_cipher_suite: Option<String>,
    pub upstream_certificate_verified: Option<bool>,
    pub upstream_verify_error: Option<String>,
}

impl ConnInfo {
    fn line(&self) -> String {
        let via = match (&self.connect_target, self.mode) {
            (Some(t), _) => format!(" (CONNECT {t})"),
            (None, _) => " (redirected)".to_string(),
        };
        let mut s = format!("[#{}] {}{via}", self.id, self.client);
        if let Some(sni) = &self.sni {
            s.push_str(&format!(" SNI {sni}"));
        } else if self.mode != "connect-plaintext" {
            s.push_str(" (no SNI)");
        }
        if let (Some(p), Some(c)) = (&self.client_protocol, &self.client_cipher_suite) {
            s.push_str(&format!(
                ": client {p} {c} with a certificate forged for {} ({})",
                self.forged_for.as_deref().unwrap_or("?"),
                if self.forged_new { "new" } else { "cached" }
            ));
        } else if self.mode == "connect-plaintext" {
            s.push_str(": plaintext tunnel (not TLS)");
        }
        s.push_str(&format!(
            "; upstream {}{}",
            self.upstream,
            self.upstream_address
                .as_ref()
                .map(|a| format!(" [{a}]"))
                .unwrap_or_default()
        ));
        if let (Some(p), Some(c)) = (&self.upstream_protocol, &self.upstream_cipher_suite) {
            s.push_str(&format!(" {p} {c}"));
        }
        match (
            self.upstream_certificate_verified,
            &self.upstream_verify_error,
        ) {
            (Some(true), _) => s.push_str(", certificate verified"),
            (Some(false), Some(e)) => s.push_str(&format!(
                ", CERTIFICATE NOT VERIFIED (--upstream-insecure): {e}"
            )),
            _ => {}
        }
        s
    }
}

/// The end of a connection.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Closed {
    pub duration_ms: f64,
    pub bytes_client_to_server: u64,
    pub bytes_server_to_client: u64,
    pub requests: u64,
    pub responses: u64,
    /// Where credentials were seen (names only, never values).
    pub credentials: Vec<String>,
    pub error: Option<String>,
}
