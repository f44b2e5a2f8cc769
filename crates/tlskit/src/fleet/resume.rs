//! `--resume OUT.ndjson`: an append-only file of scan results, one complete JSON object a line,
//! that a rerun reads to skip the targets already done.
//!
//! Crash safety: each result is written with one `write(2)` of the whole line and its newline on
//! a file opened with `O_APPEND`, then flushed to the kernel. A process killed part-way through a
//! write can leave at most one unfinished line, at the very end and without its newline; the next
//! `open` cuts it off (that target counts as not done and is scanned again), so the file never
//! holds a line that is not a complete result. The data survives the process being killed (it is
//! in the kernel); only a machine crash before write-back can lose the last lines, and those
//! targets are then simply scanned again. An exclusive `flock(2)` keeps two runs from appending to
//! one file at once.

use crate::{Error, Result};
use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// A target found in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    /// The address scanned, when the line names one.
    pub ip: Option<String>,
    /// The line is an error (`{"target": …, "error": …}`): the target could not be scanned.
    pub failed: bool,
    /// The report carries a policy result that is not compliant.
    pub noncompliant: bool,
}

/// The parts of a result line this module reads; every other field is left alone.
#[derive(serde::Deserialize)]
struct Line {
    target: LineTarget,
    #[serde(default)]
    ip: Option<String>,
    #[serde(default)]
    error: Option<serde_json::Value>,
    #[serde(default)]
    policy: Option<LinePolicy>,
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum LineTarget {
    /// An error line names the target as the user wrote it (`host:port`).
    Label(String),
    /// A report's target object.
    Info {
        host: String,
        port: u16,
        #[serde(default)]
        ip: Option<String>,
    },
}

#[derive(serde::Deserialize)]
struct LinePolicy {
    compliant: bool,
}

/// The key a target is known by: `host:port` (`[v6]:port`) in lower case.
pub fn key(host: &str, port: u16) -> String {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.contains(':') {
        format!("[{}]:{port}", host.to_ascii_lowercase())
    } else {
        format!("{}:{port}", host.to_ascii_lowercase())
    }
}

/// An open results file: what it holds, and the handle new lines are appended with.
#[derive(Debug)]
pub struct ResumeFile {
    path: PathBuf,
    file: File,
    done: HashMap<String, Vec<Done>>,
    /// Complete result lines found when opening.
    pub lines: usize,
    /// Bytes of an unfinished last line cut off when opening (0 if none).
    pub dropped_bytes: u64,
}

impl ResumeFile {
    /// Open (or create) `path`, lock it, cut off an unfinished last line and read what is done.
    pub fn open(path: &Path) -> Result<ResumeFile> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(|e| crate::error::file_error(path, "open --resume file", &e))?;
        lock(&file, path)?;
        let mut rf = ResumeFile {
            path: path.to_path_buf(),
            file,
            done: HashMap::new(),
            lines: 0,
            dropped_bytes: 0,
        };
        rf.read()?;
        Ok(rf)
    }

    fn read(&mut self) -> Result<()> {
        let path = self.path.clone();
        let io = |e: std::io::Error| crate::error::file_error(&path, "read --resume file", &e);
        let mut handle = self.file.try_clone().map_err(io)?;
        handle.seek(SeekFrom::Start(0)).map_err(io)?;
        let mut bytes = Vec::new();
        handle.read_to_end(&mut bytes).map_err(io)?;
        let read = read_results(&bytes, &path.display().to_string())?;
        self.done = read.done;
        self.lines = read.lines;
        self.dropped_bytes = read.dropped_bytes;
        if read.dropped_bytes > 0 {
            self.file.set_len(read.complete_end).map_err(|e| {
                crate::error::file_error(&path, "cut the unfinished last line of", &e)
            })?;
        }
        Ok(())
    }

    /// Is `label` (`host:port`, as [`key`] makes it) done? With `ip`, only a line for that
    /// address counts (scans of every address of a name, `--all-ips`).
    pub fn lookup(&self, label: &str, ip: Option<&str>) -> Option<&Done> {
        let entries = self.done.get(&label.to_ascii_lowercase())?;
        match ip {
            None => entries.first(),
            Some(ip) => entries.iter().find(|d| d.ip.as_deref() == Some(ip)),
        }
    }

    /// Append one result: `line` must be one compact JSON object (no newline inside).
    pub fn append(&mut self, line: &str) -> Result<()> {
        debug_assert!(!line.contains('\n'));
        let mut whole = Vec::with_capacity(line.len() + 1);
        whole.extend_from_slice(line.as_bytes());
        whole.push(b'\n');
        self.file
            .write_all(&whole)
            .and_then(|_| self.file.flush())
            .map_err(|e| crate::error::file_error(&self.path, "append to --resume file", &e))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// What a results file holds, read by [`read_results`].
#[derive(Debug, Default)]
pub struct ResultsRead {
    /// The targets done, by [`key`].
    pub done: HashMap<String, Vec<Done>>,
    /// Complete result lines.
    pub lines: usize,
    /// Where the complete lines end (the file is cut there when a torn line follows).
    pub complete_end: u64,
    /// Bytes of an unfinished last line (no newline), 0 if none.
    pub dropped_bytes: u64,
}

/// Read the bytes of a results file: every complete line must be a scan result (a report or
/// an error entry); an unfinished last line is counted in `dropped_bytes`, not read. `origin`
/// names the file in errors. Pure, so the fuzz target `resume_file` drives it with any bytes.
pub fn read_results(bytes: &[u8], origin: &str) -> Result<ResultsRead> {
    let mut read = ResultsRead::default();
    let mut rest = bytes;
    let mut number = 0usize;
    while !rest.is_empty() {
        number += 1;
        let Some(end) = rest.iter().position(|b| *b == b'\n') else {
            // The last line of a run that was killed while writing it.
            read.dropped_bytes = rest.len() as u64;
            break;
        };
        let text = &rest[..end];
        rest = &rest[end + 1..];
        read.complete_end += end as u64 + 1;
        if text.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let line: Line = serde_json::from_slice(text).map_err(|e| {
            Error::input(format!(
                "line {number} of {origin} is not a tlskit scan result ({e}): --resume needs the file \
                 `tlskit scan --resume` or --json-lines wrote; remove that line and its target is scanned again"
            ))
        })?;
        add(&mut read.done, line);
        read.lines += 1;
    }
    Ok(read)
}

fn add(done: &mut HashMap<String, Vec<Done>>, line: Line) {
    let failed = line.error.is_some();
    let noncompliant = line.policy.is_some_and(|p| !p.compliant);
    let (k, ip) = match line.target {
        LineTarget::Label(label) => (label.to_ascii_lowercase(), line.ip),
        LineTarget::Info { host, port, ip } => (key(&host, port), ip.or(line.ip)),
    };
    done.entry(k).or_default().push(Done {
        ip: ip.filter(|i| !i.is_empty()),
        failed,
        noncompliant,
    });
}

fn lock(file: &File, path: &Path) -> Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a descriptor this function borrows; no memory is involved.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        return Ok(());
    }
    let e = std::io::Error::last_os_error();
    if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
        return Err(Error::usage(format!(
            "{} is in use by another `tlskit scan --resume`: two runs appending to one file would mix their results; \
             wait for it, or give each run its own file",
            path.display()
        )));
    }
    // Filesystems without locks (some network mounts): go on without one.
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = r#"{"tool":"tlskit","target":{"host":"Example.test","port":443,"ip":"127.0.0.1"},"policy":{"compliant":false}}"#;
    const FAILED: &str = r#"{"target":"down.test:8443","error":"connection refused"}"#;

    #[test]
    fn reads_reports_and_errors_and_cuts_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.ndjson");
        std::fs::write(
            &p,
            format!("{REPORT}\n{FAILED}\n{{\"tool\":\"tlskit\",\"target\":{{\"ho"),
        )
        .unwrap();
        let mut rf = ResumeFile::open(&p).unwrap();
        assert_eq!(rf.lines, 2);
        assert!(rf.dropped_bytes > 0);
        let d = rf.lookup("example.test:443", None).unwrap();
        assert!(!d.failed && d.noncompliant);
        assert_eq!(d.ip.as_deref(), Some("127.0.0.1"));
        assert!(rf.lookup("example.test:443", Some("127.0.0.2")).is_none());
        assert!(rf.lookup("DOWN.test:8443", None).unwrap().failed);
        assert!(rf.lookup("other.test:443", None).is_none());
        rf.append(FAILED).unwrap();
        drop(rf);
        let text = std::fs::read_to_string(&p).unwrap();
        assert_eq!(text, format!("{REPORT}\n{FAILED}\n{FAILED}\n"));
    }

    #[test]
    fn a_bad_complete_line_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.ndjson");
        std::fs::write(&p, format!("{REPORT}\nnot json\n")).unwrap();
        let e = ResumeFile::open(&p).unwrap_err();
        assert!(e.message().contains("line 2"), "{}", e.message());
    }

    #[test]
    fn a_second_writer_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.ndjson");
        let _first = ResumeFile::open(&p).unwrap();
        let e = ResumeFile::open(&p).unwrap_err();
        assert!(e.message().contains("in use"), "{}", e.message());
    }

    #[test]
    fn keys() {
        assert_eq!(key("Host.Test", 443), "host.test:443");
        assert_eq!(key("::1", 8443), "[::1]:8443");
        assert_eq!(key("[::1]", 8443), "[::1]:8443");
    }
}
