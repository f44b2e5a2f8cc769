//! Names: the NAMEs given to `cert issue`, name constraints, and the default CA directory.

use super::*;

/// One NAME given to `cert issue`, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectName {
    /// A DNS name or wildcard (`www.bank32.com`, `*.bank32.com`), lowercased, no trailing dot.
    Dns(String),
    /// An IPv4 or IPv6 address.
    Ip(IpAddr),
    /// An e-mail address (client certificates).
    Email(String),
    /// A plain name such as a user name (client certificates): only becomes the subject CN.
    Plain(String),
}

impl SubjectName {
    /// The text used for the common name.
    pub fn text(&self) -> String {
        match self {
            SubjectName::Dns(s) | SubjectName::Email(s) | SubjectName::Plain(s) => s.clone(),
            SubjectName::Ip(ip) => ip.to_string(),
        }
    }
}

pub(super) fn name_error(name: &str, why: &str) -> Error {
    Error::usage(format!("invalid name {name:?}: {why}"))
}

/// Check a DNS name (wildcards allowed as the whole left-most label) and normalise it.
pub fn validate_dns_name(name: &str) -> Result<String> {
    let err = |why: &str| name_error(name, why);
    if name.is_empty() {
        return Err(Error::usage("an empty name was given"));
    }
    if !name.is_ascii() {
        return Err(err(
            "it contains non-ASCII characters; write internationalised names in their xn-- (punycode) form",
        ));
    }
    if name.chars().any(|c| c.is_ascii_whitespace()) {
        return Err(err("host names cannot contain spaces"));
    }
    let lower = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    if lower.len() > 253 {
        return Err(err("it is longer than 253 characters"));
    }
    let labels: Vec<&str> = lower.split('.').collect();
    if labels.iter().any(|l| l.is_empty()) {
        return Err(err(
            "it has an empty label (two dots in a row, or a leading dot)",
        ));
    }
    for (i, label) in labels.iter().enumerate() {
        if label.contains('*') {
            if i != 0 || *label != "*" {
                return Err(err(
                    "a wildcard may only be the whole left-most label, as in *.example.com (no *.*.x, no w*.x)",
                ));
            }
            if labels.len() < 3 {
                return Err(err(
                    "a wildcard needs at least two labels after it (*.example.com, not *.com); clients reject the rest",
                ));
            }
            continue;
        }
        if label.len() > 63 {
            return Err(err(
                "a label (the text between dots) is longer than 63 characters",
            ));
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            return Err(err(&format!(
                "{c:?} is not allowed in host names (letters, digits and hyphens only)"
            )));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(err("a label cannot start or end with a hyphen"));
        }
    }
    if labels
        .last()
        .is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(err(
            "it looks like an IP address but is not a valid one (IPv4 is four numbers 0-255, e.g. 10.9.0.80)",
        ));
    }
    Ok(lower)
}

pub(super) fn validate_email(name: &str) -> Result<String> {
    let (local, domain) = name
        .rsplit_once('@')
        .ok_or_else(|| name_error(name, "not an e-mail address"))?;
    if local.is_empty()
        || !local.is_ascii()
        || local
            .chars()
            .any(|c| c.is_ascii_whitespace() || c.is_ascii_control() || c == '@')
    {
        return Err(name_error(
            name,
            "the part before @ is not a valid e-mail local part",
        ));
    }
    let domain = validate_dns_name(domain)
        .map_err(|e| name_error(name, &format!("the domain after @ is not valid ({e})")))?;
    if domain.starts_with('*') {
        return Err(name_error(name, "an e-mail domain cannot be a wildcard"));
    }
    Ok(format!("{local}@{domain}"))
}

/// Classify and check one NAME. Server certificates accept DNS names, wildcards and IP addresses;
/// client certificates also accept e-mail addresses and plain names (`alice`, `Alice Smith`),
/// which only become the subject CN.
pub fn parse_name(raw: &str, client: bool) -> Result<SubjectName> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(Error::usage("an empty name was given"));
    }
    let unbracketed = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    if let Ok(ip) = unbracketed.parse::<IpAddr>() {
        return Ok(SubjectName::Ip(ip));
    }
    if name.contains('@') {
        if !client {
            return Err(name_error(
                raw,
                "an e-mail address belongs in a client certificate (add --client)",
            ));
        }
        return validate_email(name).map(SubjectName::Email);
    }
    if client && !name.contains('.') {
        if name.chars().any(|c| c.is_control()) {
            return Err(name_error(raw, "it contains control characters"));
        }
        return Ok(SubjectName::Plain(name.to_string()));
    }
    validate_dns_name(name).map(SubjectName::Dns)
}

// ---------------------------------------------------------------------------------------------
// Name constraints and the default CA directory.

/// One permitted subtree of a CA's name constraints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum NameConstraint {
    /// `DNS:localhost` (the name and every name below it) or `DNS:.test` (only names below it).
    Dns(String),
    /// `IP:127.0.0.0/8`, `IP:::1/128`.
    Ip { address: IpAddr, prefix: u8 },
    /// `email:example.com` (addresses at that domain).
    Email(String),
}

impl NameConstraint {
    pub(super) fn subtree(&self) -> rcgen::GeneralSubtree {
        match self {
            NameConstraint::Dns(d) => rcgen::GeneralSubtree::DnsName(d.clone()),
            NameConstraint::Email(e) => rcgen::GeneralSubtree::Rfc822Name(e.clone()),
            NameConstraint::Ip { address, prefix } => rcgen::GeneralSubtree::IpAddress(
                rcgen::CidrSubnet::from_addr_prefix(*address, *prefix),
            ),
        }
    }

    /// `DNS:.test`, `IP:127.0.0.0/8` — the form `--name-constraints` takes.
    pub fn text(&self) -> String {
        match self {
            NameConstraint::Dns(d) => format!("DNS:{d}"),
            NameConstraint::Email(e) => format!("email:{e}"),
            NameConstraint::Ip { address, prefix } => format!("IP:{address}/{prefix}"),
        }
    }
}

/// Parse `DNS:.test,DNS:localhost,IP:127.0.0.0/8,IP:::1/128` (comma-separated; the kinds are
/// `DNS:`, `IP:` with a prefix length, and `email:`).
pub fn parse_name_constraints(s: &str) -> Result<Vec<NameConstraint>> {
    let mut out = Vec::new();
    for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let bad = |why: &str| {
            Error::usage(format!(
                "name constraint {item:?}: {why} (write DNS:.test, DNS:localhost, IP:127.0.0.0/8 or email:example.com, comma-separated)"
            ))
        };
        let (kind, value) = item
            .split_once(':')
            .ok_or_else(|| bad("no kind before ':'"))?;
        let c = match kind.to_ascii_lowercase().as_str() {
            "dns" => {
                let (dot, rest) = match value.strip_prefix('.') {
                    Some(r) => (".", r),
                    None => ("", value),
                };
                let name = validate_dns_name(rest).map_err(|e| bad(e.message()))?;
                if name.contains('*') {
                    return Err(bad("wildcards have no meaning in name constraints"));
                }
                NameConstraint::Dns(format!("{dot}{name}"))
            }
            "ip" => {
                let (addr, prefix) = value.rsplit_once('/').ok_or_else(|| {
                    bad("an IP constraint needs a prefix length, e.g. 127.0.0.0/8")
                })?;
                let address: IpAddr = addr.parse().map_err(|_| bad("not an IP address"))?;
                let prefix: u8 = prefix.parse().map_err(|_| bad("not a prefix length"))?;
                let max = if address.is_ipv4() { 32 } else { 128 };
                if prefix > max {
                    return Err(bad(&format!("the prefix length is at most {max}")));
                }
                NameConstraint::Ip { address, prefix }
            }
            "email" => NameConstraint::Email(value.to_ascii_lowercase()),
            _ => return Err(bad("unknown kind")),
        };
        if !out.contains(&c) {
            out.push(c);
        }
    }
    if out.is_empty() {
        return Err(Error::usage(
            "--name-constraints needs at least one name, e.g. DNS:.test,DNS:localhost,IP:127.0.0.0/8",
        ));
    }
    Ok(out)
}

/// The default CA directory: `$TLSKIT_CA`, else `$XDG_DATA_HOME/tlskit/ca`, else
/// `~/.local/share/tlskit/ca` (the XDG base directory default). `tlskit lab`, `cert issue`
/// and `cert trust` use it when no directory is given.
pub fn default_ca_dir() -> Result<PathBuf> {
    if let Some(d) = std::env::var_os(CA_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(d));
    }
    if let Some(d) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        let d = PathBuf::from(d);
        if d.is_absolute() {
            return Ok(d.join("tlskit").join("ca"));
        }
    }
    match std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        Some(h) => Ok(PathBuf::from(h).join(".local/share/tlskit/ca")),
        None => Err(Error::usage(format!(
            "no default CA directory: set ${CA_DIR_ENV} (or HOME), or give the directory"
        ))),
    }
}
