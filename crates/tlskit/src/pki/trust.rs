//! Trust a lab CA where clients look — like `mkcert -install`, but every step is an ordinary
//! command that is printed before it runs, so a student can read, repeat and undo it:
//!
//! * an NSS database (Chromium on Linux reads `~/.pki/nssdb`; Firefox each profile's `cert9.db`):
//!   `certutil -d sql:DIR -A -t C,, -n NICK -i ca.crt` (libnss3-tools);
//! * the system store (Debian/Ubuntu: OpenSSL, curl, Python, tlskit's default trust): copy to
//!   `/usr/local/share/ca-certificates/` and run `update-ca-certificates`.
//!
//! `undo` removes exactly what was added.

use super::inspect::CertInfo;
use crate::error::{Error, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where to install the CA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustStore {
    /// An NSS database directory (created when missing): Chromium's `~/.pki/nssdb`, or any.
    Nss(PathBuf),
    /// A Firefox profile directory (its `cert9.db` is an NSS database).
    FirefoxProfile(PathBuf),
    /// The operating system's store (Debian's ca-certificates; needs root).
    System,
}

/// Debian's directory for local CA certificates that `update-ca-certificates` picks up.
pub const SYSTEM_CA_DIR: &str = "/usr/local/share/ca-certificates";

impl TrustStore {
    /// Chromium's NSS database on Linux: `$HOME/.pki/nssdb`.
    pub fn chromium_default() -> Result<TrustStore> {
        let home = std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .ok_or_else(|| {
                Error::usage("HOME is not set: give the NSS database with --nss-db DIR")
            })?;
        Ok(TrustStore::Nss(PathBuf::from(home).join(".pki/nssdb")))
    }

    /// What users call it.
    pub fn describe(&self) -> String {
        match self {
            TrustStore::Nss(d) => format!("the NSS database {}", d.display()),
            TrustStore::FirefoxProfile(d) => format!("the Firefox profile {}", d.display()),
            TrustStore::System => "the system trust store (update-ca-certificates)".to_string(),
        }
    }
}

/// One command of a plan.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// What it does, in words.
    pub why: String,
    pub program: String,
    pub args: Vec<String>,
    /// Run only when this path does not exist (creating a database), or always.
    #[serde(skip)]
    pub unless_exists: Option<PathBuf>,
    /// A failure of this step is expected when the thing is already absent (undo).
    #[serde(skip)]
    pub may_fail: bool,
    /// Copy/remove a file instead of running a program (the program is `cp`/`rm` for display).
    #[serde(skip)]
    pub file_op: Option<FileOp>,
}

/// The file operations of the system-store plan, done in-process (no shell).
#[derive(Debug, Clone)]
pub enum FileOp {
    Copy { from: PathBuf, to: PathBuf },
    Remove(PathBuf),
}

impl Step {
    /// The step as a line a shell accepts.
    pub fn command_line(&self) -> String {
        std::iter::once(self.program.as_str())
            .chain(self.args.iter().map(String::as_str))
            .map(shell_word)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Quote a word for a POSIX shell when needed.
pub fn shell_word(w: &str) -> String {
    if !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@%+=,".contains(c))
    {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', r"'\''"))
    }
}

/// The nickname a CA gets in NSS, and its file name in the system store: stable for one CA
/// certificate, so `--undo` finds it again.
pub fn nickname(info: &CertInfo) -> String {
    let fp: String = info
        .sha256_fingerprint
        .chars()
        .filter(|c| c.is_ascii_hexdigit())
        .take(8)
        .collect::<String>()
        .to_ascii_lowercase();
    let cn = info.common_name.clone().unwrap_or_else(|| "CA".to_string());
    if cn.to_ascii_lowercase().starts_with("tlskit") {
        format!("{cn} {fp}")
    } else {
        format!("tlskit {cn} {fp}")
    }
}

/// The commands that install (or with `undo`, remove) `ca_cert` in `store`.
pub fn plan(ca_cert: &Path, info: &CertInfo, store: &TrustStore, undo: bool) -> Result<Vec<Step>> {
    let nick = nickname(info);
    let ca = ca_cert.display().to_string();
    let step = |why: &str, program: &str, args: Vec<String>| Step {
        why: why.to_string(),
        program: program.to_string(),
        args,
        unless_exists: None,
        may_fail: false,
        file_op: None,
    };
    match store {
        TrustStore::Nss(dir) | TrustStore::FirefoxProfile(dir) => {
            let db = format!("sql:{}", dir.display());
            if matches!(store, TrustStore::FirefoxProfile(_))
                && !dir.join("prefs.js").exists()
                && !dir.join("cert9.db").exists()
            {
                return Err(Error::input(format!(
                    "{} does not look like a Firefox profile (no prefs.js or cert9.db); profiles are in ~/.mozilla/firefox/*.default*",
                    dir.display()
                )));
            }
            if undo {
                let mut s = step(
                    "remove the CA from the database",
                    "certutil",
                    vec!["-D".into(), "-d".into(), db, "-n".into(), nick],
                );
                s.may_fail = false;
                return Ok(vec![s]);
            }
            let mut create = step(
                "create the database (no password)",
                "certutil",
                vec![
                    "-N".into(),
                    "-d".into(),
                    db.clone(),
                    "--empty-password".into(),
                ],
            );
            create.unless_exists = Some(dir.join("cert9.db"));
            Ok(vec![
                create,
                step(
                    "add the CA, trusted to identify web sites (C,,)",
                    "certutil",
                    vec![
                        "-A".into(),
                        "-d".into(),
                        db.clone(),
                        "-t".into(),
                        "C,,".into(),
                        "-n".into(),
                        nick.clone(),
                        "-i".into(),
                        ca,
                    ],
                ),
                step(
                    "list what the database trusts now",
                    "certutil",
                    vec!["-L".into(), "-d".into(), db],
                ),
            ])
        }
        TrustStore::System => {
            let file_name = format!(
                "{}.crt",
                nick.chars()
                    .map(|c| if c.is_ascii_alphanumeric() || c == '-' {
                        c
                    } else {
                        '-'
                    })
                    .collect::<String>()
            );
            let dest = Path::new(SYSTEM_CA_DIR).join(file_name);
            if undo {
                let mut rm = step(
                    "remove the CA file",
                    "rm",
                    vec!["-f".into(), dest.display().to_string()],
                );
                rm.file_op = Some(FileOp::Remove(dest));
                return Ok(vec![
                    rm,
                    step(
                        "rebuild /etc/ssl/certs without it",
                        "update-ca-certificates",
                        vec!["--fresh".into()],
                    ),
                ]);
            }
            let mut cp = step(
                "copy the CA where Debian looks for local CAs",
                "cp",
                vec![ca, dest.display().to_string()],
            );
            cp.file_op = Some(FileOp::Copy {
                from: ca_cert.to_path_buf(),
                to: dest,
            });
            Ok(vec![
                cp,
                step(
                    "rebuild /etc/ssl/certs/ca-certificates.crt",
                    "update-ca-certificates",
                    vec![],
                ),
            ])
        }
    }
}

/// What running a step did.
#[derive(Debug, Clone, Serialize)]
pub struct StepResult {
    pub command: String,
    pub skipped: bool,
    pub output: String,
}

/// Run the steps in order, calling `on_step` with each command line before it runs; stops at the
/// first failure with an error naming the command and its message.
pub fn run(steps: &[Step], mut on_step: impl FnMut(&Step)) -> Result<Vec<StepResult>> {
    let mut out = Vec::new();
    for s in steps {
        if s.unless_exists.as_ref().is_some_and(|p| p.exists()) {
            out.push(StepResult {
                command: s.command_line(),
                skipped: true,
                output: String::new(),
            });
            continue;
        }
        on_step(s);
        if let Some(op) = &s.file_op {
            let r = match op {
                FileOp::Copy { from, to } => {
                    if let Some(d) = to.parent() {
                        let _ = std::fs::create_dir_all(d);
                    }
                    std::fs::copy(from, to)
                        .map(|_| ())
                        .map_err(|e| (to.clone(), e))
                }
                FileOp::Remove(p) => match std::fs::remove_file(p) {
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                    r => r.map_err(|e| (p.clone(), e)),
                },
            };
            if let Err((p, e)) = r {
                return Err(crate::error::file_error(&p, "write", &e)
                    .context("installing in the system store needs root (try sudo)"));
            }
            out.push(StepResult {
                command: s.command_line(),
                skipped: false,
                output: String::new(),
            });
            continue;
        }
        if s.program == "certutil" {
            if let Some(dir) = s.args.iter().find_map(|a| a.strip_prefix("sql:")) {
                std::fs::create_dir_all(dir).map_err(|e| {
                    crate::error::file_error(Path::new(dir), "create directory", &e)
                })?;
            }
        }
        let result = Command::new(&s.program).args(&s.args).output();
        let o = match result {
            Ok(o) => o,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let pkg = if s.program == "certutil" {
                    "libnss3-tools"
                } else {
                    "ca-certificates"
                };
                return Err(Error::usage(format!(
                    "`{}` is not installed: install the Debian package {pkg} (apt-get install {pkg})",
                    s.program
                )));
            }
            Err(e) => return Err(Error::other(format!("cannot run {}: {e}", s.program))),
        };
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        if !o.status.success() && !s.may_fail {
            let first = text
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("")
                .trim();
            return Err(Error::other(format!(
                "`{}` failed ({}): {first}",
                s.command_line(),
                o.status
            )));
        }
        out.push(StepResult {
            command: s.command_line(),
            skipped: false,
            output: text,
        });
    }
    Ok(out)
}
