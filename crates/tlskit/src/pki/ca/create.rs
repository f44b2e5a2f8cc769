//! Creating a CA.

use super::*;

/// Choices for [`create_ca`].
#[derive(Debug, Clone)]
pub struct CaOptions {
    /// Subject common name.
    pub common_name: String,
    pub key_type: KeyType,
    pub validity: Validity,
    /// Replace an existing `ca.crt` / `ca.key`.
    pub force: bool,
    /// Permitted subtrees (RFC 5280 name constraints, marked critical); empty: unconstrained.
    pub name_constraints: Vec<NameConstraint>,
}

impl CaOptions {
    /// Defaults: [`DEFAULT_CA_NAME`], ECDSA P-256, [`DEFAULT_CA_DAYS`] from now.
    pub fn new() -> CaOptions {
        let now = OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .unwrap_or_else(|_| OffsetDateTime::now_utc());
        CaOptions {
            common_name: DEFAULT_CA_NAME.to_string(),
            key_type: KeyType::EcdsaP256,
            validity: Validity {
                not_before: now - BACKDATE,
                not_after: now - BACKDATE + Duration::days(i64::from(DEFAULT_CA_DAYS)),
            },
            force: false,
            name_constraints: Vec::new(),
        }
    }

    /// The defaults with [`LAB_NAME_CONSTRAINTS`]: a CA for `tlskit lab` and `tlskit demo`.
    pub fn lab(common_name: &str) -> CaOptions {
        CaOptions {
            common_name: common_name.to_string(),
            name_constraints: parse_name_constraints(LAB_NAME_CONSTRAINTS)
                .expect("the lab's name constraints parse"),
            ..CaOptions::new()
        }
    }
}

impl Default for CaOptions {
    fn default() -> Self {
        CaOptions::new()
    }
}

/// What [`create_ca`] made.
#[derive(Debug, Clone, Serialize)]
pub struct CreatedCa {
    pub directory: PathBuf,
    pub certificate: PathBuf,
    pub key: PathBuf,
    pub key_type: KeyType,
    pub files: Vec<WrittenFile>,
    pub info: CertInfo,
    /// What was changed beside the files, in words (an existing folder's mode tightened).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Mode bits that let other users change what is in a folder.
const SHARED_WRITE: u32 = 0o022;

/// An existing CA folder must not let other users add, swap or remove files beside the key (a
/// swapped ca.crt would be trusted by clients; a writable folder also lets them race the key
/// file). A shared folder (sticky bit, like /tmp) is refused: it is not ours to close.
fn refuse_shared_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::metadata(dir) else {
        return Ok(());
    };
    let mode = meta.permissions().mode();
    if mode & SHARED_WRITE != 0 && mode & 0o1000 != 0 {
        return Err(Error::input(format!(
            "{} is a shared folder (mode {:04o}: every user may create files in it); a CA needs a folder of its own: choose --out {}",
            dir.display(),
            mode & 0o7777,
            dir.join("ca").display()
        )));
    }
    Ok(())
}

/// Close an existing CA folder that other users may write to (mode 0700), and say so.
fn tighten_dir(dir: &Path) -> Result<Option<String>> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(dir).map_err(|e| file_error(dir, "inspect", &e))?;
    let mode = meta.permissions().mode() & 0o7777;
    if mode & SHARED_WRITE == 0 {
        return Ok(None);
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(|e| {
        Error::input(format!(
            "{} may be written by other users (mode {mode:04o}) and tlskit cannot change that ({}); choose a folder of your own with --out",
            dir.display(),
            crate::error::file_error(dir, "change the mode of", &e)
        ))
    })?;
    Ok(Some(format!(
        "{} was writable by other users (mode {mode:04o}); tlskit changed it to 0700 so that nobody else can replace ca.crt or add files beside ca.key",
        dir.display()
    )))
}

pub(super) fn check_common_name(cn: &str, flag: &str) -> Result<()> {
    if cn.trim().is_empty() {
        return Err(Error::usage(format!("{flag} must not be empty")));
    }
    if cn.chars().count() > 64 {
        return Err(Error::usage(format!(
            "{flag} {cn:?} is longer than 64 characters, the limit X.509 sets for a common name"
        )));
    }
    if cn.chars().any(|c| c.is_control()) {
        return Err(Error::usage(format!(
            "{flag} {cn:?} contains control characters"
        )));
    }
    Ok(())
}

/// Create a CA in `dir`: `ca.crt` (self-signed X.509 v3; basicConstraints CA:TRUE and keyUsage
/// keyCertSign+cRLSign, both critical; subject key identifier) and `ca.key` (PKCS#8, mode 0600).
/// `dir` is created with mode 0700 if missing. Existing CA files are only replaced with
/// `opts.force`. On any error nothing is left behind (a directory created here is removed).
pub fn create_ca(dir: &Path, opts: &CaOptions) -> Result<CreatedCa> {
    check_common_name(&opts.common_name, "--cn")?;
    if dir.exists() && !dir.is_dir() {
        return Err(Error::input(format!(
            "{} exists and is not a directory (--out names the CA directory, e.g. --out ca)",
            dir.display()
        )));
    }
    let cert_path = dir.join(CA_CERT_FILE);
    let key_path = dir.join(CA_KEY_FILE);
    if !opts.force {
        for p in [&cert_path, &key_path] {
            if p.symlink_metadata().is_ok() {
                return Err(Error::input(format!(
                    "{} already exists; refusing to overwrite the CA (certificates it issued would no longer verify). Pass --force to replace it, or choose another --out",
                    p.display()
                )));
            }
        }
    }
    refuse_shared_dir(dir)?;

    let key = opts.key_type.generate()?;
    let mut params = CertificateParams::default();
    params.not_before = opts.validity.not_before;
    params.not_after = opts.validity.not_after;
    params.serial_number = Some(random_serial()?);
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, opts.common_name.as_str());
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    if !opts.name_constraints.is_empty() {
        params.name_constraints = Some(rcgen::NameConstraints {
            permitted_subtrees: opts
                .name_constraints
                .iter()
                .map(NameConstraint::subtree)
                .collect(),
            excluded_subtrees: Vec::new(),
        });
    }
    let cert = params
        .self_signed(&key)
        .map_err(|e| Error::other(format!("cannot create the CA certificate: {e}")))?;
    let info = CertInfo::from_der(cert.der())?;

    let created_dir = !dir.exists();
    let mut notes = Vec::new();
    if created_dir {
        std::fs::create_dir_all(dir).map_err(|e| file_error(dir, "create directory", &e))?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| file_error(dir, "set permissions on", &e))?;
    } else if let Some(note) = tighten_dir(dir)? {
        notes.push(note);
    }
    let planned = vec![
        Planned {
            path: key_path.clone(),
            bytes: private_key_pem(&key).into_bytes(),
            mode: KEY_MODE,
            contents: "CA private key".into(),
        },
        Planned {
            path: cert_path.clone(),
            bytes: pem("CERTIFICATE", cert.der()).into_bytes(),
            mode: PUBLIC_MODE,
            contents: "CA certificate".into(),
        },
    ];
    let files = match write_all_or_nothing(planned, opts.force) {
        Ok(f) => f,
        Err(e) => {
            if created_dir {
                let _ = std::fs::remove_dir(dir);
            }
            return Err(e);
        }
    };
    Ok(CreatedCa {
        directory: dir.to_path_buf(),
        certificate: cert_path,
        key: key_path,
        key_type: opts.key_type,
        files,
        info,
        notes,
    })
}
