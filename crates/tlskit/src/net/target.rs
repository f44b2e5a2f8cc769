//! Targets as people write them: `host`, `host:port`, `[v6]:port`, and URLs such as
//! `https://host:8443/path` or `smtp://mail.example.org` (the scheme picks the port and whether
//! the session starts in plaintext with STARTTLS); lists of targets (a file or stdin, one a line);
//! and curl's `--resolve HOST:PORT:ADDRESS` overrides.
//!
//! One parser for every command (connect, scan, cert show, bench), so a target that works with
//! one works with all. Errors say what was wrong and how to write it instead.
//!
//! Written by hand rather than with a URL crate: only the authority (host and port) and the path
//! matter here, user names, percent-encoding and international names are refused with a sentence
//! (a general URL parser would accept and normalise them silently), and the same function also
//! takes the `host:port` and `host port` forms, which are not URLs at all.

use super::starttls::Protocol;
use super::{parse_port, Target};
use crate::error::{Error, Result};
use std::net::IpAddr;

/// A URL scheme tlskit understands: its default port and how the session starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scheme {
    /// The scheme as written in URLs (lower case).
    pub name: &'static str,
    /// The port used when the URL names none.
    pub default_port: u16,
    /// `Some(p)`: plaintext first, upgraded with STARTTLS for protocol `p`; `None`: TLS from the
    /// first byte.
    pub starttls: Option<Protocol>,
}

/// Every scheme tlskit accepts. Ports: IANA's service name registry (and RFC 8314 for the
/// implicit-TLS mail ports 465, 993, 995).
pub const SCHEMES: &[Scheme] = &[
    scheme("https", 443, None),
    scheme("tls", 443, None),
    scheme("smtp", 25, Some(Protocol::Smtp)),
    scheme("submission", 587, Some(Protocol::Smtp)),
    scheme("smtps", 465, None),
    scheme("lmtp", 24, Some(Protocol::Lmtp)),
    scheme("imap", 143, Some(Protocol::Imap)),
    scheme("imaps", 993, None),
    scheme("pop3", 110, Some(Protocol::Pop3)),
    scheme("pop3s", 995, None),
    scheme("ftp", 21, Some(Protocol::Ftp)),
    scheme("ftps", 990, None),
    scheme("ldap", 389, Some(Protocol::Ldap)),
    scheme("ldaps", 636, None),
    scheme("xmpp", 5222, Some(Protocol::Xmpp)),
    scheme("xmpp-client", 5222, Some(Protocol::Xmpp)),
    scheme("xmpp-server", 5269, Some(Protocol::XmppServer)),
    scheme("xmpps", 5223, None),
    scheme("postgres", 5432, Some(Protocol::Postgres)),
    scheme("postgresql", 5432, Some(Protocol::Postgres)),
    scheme("mysql", 3306, Some(Protocol::Mysql)),
    scheme("nntp", 119, Some(Protocol::Nntp)),
    scheme("nntps", 563, None),
    scheme("sieve", 4190, Some(Protocol::Sieve)),
    scheme("irc", 6667, Some(Protocol::Irc)),
    scheme("ircs", 6697, None),
];

const fn scheme(name: &'static str, default_port: u16, starttls: Option<Protocol>) -> Scheme {
    Scheme {
        name,
        default_port,
        starttls,
    }
}

impl Scheme {
    /// The scheme called `name` (case-insensitive).
    pub fn lookup(name: &str) -> Option<Scheme> {
        SCHEMES
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name))
            .copied()
    }
}

/// The plaintext port a STARTTLS protocol is usually served on: the default port of a target
/// given without one under `-t PROTO`.
pub fn starttls_default_port(p: Protocol) -> u16 {
    match p {
        Protocol::Smtp => 25,
        Protocol::Lmtp => 24,
        Protocol::Imap => 143,
        Protocol::Pop3 => 110,
        Protocol::Ftp => 21,
        Protocol::Nntp => 119,
        Protocol::Xmpp => 5222,
        Protocol::XmppServer => 5269,
        Protocol::Ldap => 389,
        Protocol::Postgres => 5432,
        Protocol::Mysql => 3306,
        Protocol::Sieve => 4190,
        Protocol::Irc => 6667,
    }
}

/// A target as the user wrote it, parsed: where to connect, and what the URL said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetSpec {
    /// Host and port (the default port applied when none was written).
    pub target: Target,
    /// Whether the port was written (false: it is the scheme's or the command's default).
    pub port_given: bool,
    /// The URL scheme, when the target was a URL.
    pub scheme: Option<Scheme>,
    /// The URL's path with its query (`/`, `/a/b?x=1`), when the URL had one; the fragment is
    /// dropped.
    pub path: Option<String>,
}

/// How a session starts, once the scheme, `-t` and `--no-starttls` have been weighed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// TLS from the first byte.
    Tls,
    /// Plaintext first, then STARTTLS.
    Starttls(Protocol, StartReason),
}

/// Why STARTTLS is used: it changes what is worth telling the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartReason {
    /// `-t PROTO`.
    Flag,
    /// The URL scheme (`smtp://`).
    Scheme,
    /// The port is a well-known plaintext port (25, 143 …): chosen automatically.
    Port,
}

impl Start {
    pub fn protocol(self) -> Option<Protocol> {
        match self {
            Start::Tls => None,
            Start::Starttls(p, _) => Some(p),
        }
    }
}

fn scheme_names() -> String {
    SCHEMES
        .iter()
        .map(|s| s.name)
        .collect::<Vec<_>>()
        .join(", ")
}

impl TargetSpec {
    /// Parse one target: `host`, `host:port`, `[v6]`, `[v6]:port`, a bare IPv6 address, or a URL
    /// `scheme://host[:port][/path]`. `default_port` applies to the forms without a port and
    /// without a scheme (a URL's scheme brings its own default).
    pub fn parse(s: &str, default_port: u16) -> Result<TargetSpec> {
        let s = s.trim();
        if s.is_empty() {
            return Err(Error::usage(
                "empty target: give HOST, HOST:PORT or a URL such as https://HOST/",
            ));
        }
        if let Some(c) = s.chars().find(|c| c.is_control()) {
            return Err(Error::usage(format!(
                "{:?}: a target cannot contain the control character {c:?}",
                s
            )));
        }
        if let Some((name, rest)) = s.split_once("://") {
            return Self::parse_url(s, name, rest);
        }
        if s.contains('/') {
            let (authority, path) = s.split_at(s.find('/').unwrap_or(s.len()));
            return Err(Error::usage(format!(
                "'{s}' has a path: write a URL, https://{authority}{path}, or leave the path out"
            )));
        }
        let (target, port_given) = parse_authority(s, s, default_port)?;
        Ok(TargetSpec {
            target,
            port_given,
            scheme: None,
            path: None,
        })
    }

    fn parse_url(s: &str, name: &str, rest: &str) -> Result<TargetSpec> {
        let scheme = match Scheme::lookup(name) {
            Some(sc) => sc,
            None if name.eq_ignore_ascii_case("http") => {
                return Err(Error::usage(format!(
                    "'{s}' is plain HTTP, which has no TLS: write https:// (port 443) instead"
                )))
            }
            None => {
                return Err(Error::usage(format!(
                    "'{s}': unknown URL scheme '{name}'; tlskit understands {} (or give HOST:PORT with -t PROTO)",
                    scheme_names()
                )))
            }
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        if authority.contains('@') {
            return Err(Error::usage(format!(
                "'{s}': user names and passwords in a target URL are not used by tlskit; leave out the part before '@'"
            )));
        }
        if authority.is_empty() {
            return Err(Error::usage(format!(
                "'{s}' has no host: write {}://HOST[:PORT]",
                scheme.name
            )));
        }
        let (target, port_given) = parse_authority(s, authority, scheme.default_port)?;
        let path = tail.split('#').next().unwrap_or("");
        let path = match path {
            "" => None,
            p if p.starts_with('?') => Some(format!("/{p}")),
            p => Some(p.to_string()),
        };
        Ok(TargetSpec {
            target,
            port_given,
            scheme: Some(scheme),
            path,
        })
    }

    /// How the session starts: the scheme's word, else `-t` (`flag`), else `--no-starttls`, else
    /// the port's usual protocol. A scheme and a flag that disagree are a usage error.
    pub fn start(&self, flag: Option<Protocol>, no_starttls: bool) -> Result<Start> {
        if let Some(sc) = self.scheme {
            match (sc.starttls, flag) {
                (Some(p), Some(f)) if p != f => {
                    return Err(Error::usage(format!(
                        "{}:// means {} but -t asks for {}: drop one of them",
                        sc.name,
                        p.display_name(),
                        f.display_name()
                    )))
                }
                (None, Some(f)) => {
                    return Err(Error::usage(format!(
                        "{}:// means TLS from the first byte but -t {} asks for STARTTLS: drop one of them (e.g. write {}:// for STARTTLS)",
                        sc.name,
                        f.name(),
                        f.name()
                    )))
                }
                (Some(p), _) if no_starttls => {
                    return Err(Error::usage(format!(
                        "{}:// means STARTTLS ({}) but --no-starttls asks for TLS from the first byte: drop one of them",
                        sc.name,
                        p.upgrade_name()
                    )))
                }
                (Some(p), _) => return Ok(Start::Starttls(p, StartReason::Scheme)),
                (None, None) => return Ok(Start::Tls),
            }
        }
        if let Some(f) = flag {
            return Ok(Start::Starttls(f, StartReason::Flag));
        }
        if no_starttls {
            return Ok(Start::Tls);
        }
        Ok(match Protocol::for_port(self.target.port) {
            Some(p) => Start::Starttls(p, StartReason::Port),
            None => Start::Tls,
        })
    }
}

/// The default port for targets written without one: the STARTTLS protocol's (`-t smtp` → 25),
/// else 443.
pub fn default_port(flag: Option<Protocol>) -> u16 {
    flag.map(starttls_default_port).unwrap_or(443)
}

/// `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address. `whole` is the target as
/// written, for messages.
fn parse_authority(whole: &str, a: &str, default_port: u16) -> Result<(Target, bool)> {
    let (host, port) = if let Some(rest) = a.strip_prefix('[') {
        let Some(end) = rest.find(']') else {
            return Err(Error::usage(format!(
                "'{whole}': missing ']' after the IPv6 address"
            )));
        };
        let host = &rest[..end];
        if host.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(Error::usage(format!(
                "'{whole}': '{host}' in brackets is not an IPv6 address"
            )));
        }
        match &rest[end + 1..] {
            "" => (host, None),
            p if p.starts_with(':') => (host, Some(&p[1..])),
            _ => {
                return Err(Error::usage(format!(
                    "'{whole}': expected ':PORT' after ']'"
                )))
            }
        }
    } else if a.matches(':').count() > 1 {
        if a.parse::<std::net::Ipv6Addr>().is_ok() {
            (a, None)
        } else {
            return Err(Error::usage(format!(
                "'{whole}' is not HOST:PORT (write IPv6 addresses in brackets: [ADDRESS]:PORT)"
            )));
        }
    } else {
        match a.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (a, None),
        }
    };
    if host.is_empty() {
        return Err(Error::usage(format!(
            "'{whole}' has no host before the ':'"
        )));
    }
    check_host(whole, host)?;
    let (port, given) = match port {
        Some("") => {
            return Err(Error::usage(format!(
                "'{whole}' ends in ':' without a port: write HOST:PORT, or leave the ':' out for port {default_port}"
            )))
        }
        Some(p) => (parse_port(p)?, true),
        None => (default_port, false),
    };
    if port == 0 {
        return Err(Error::usage(format!(
            "'{whole}': port 0 cannot be connected to"
        )));
    }
    Ok((Target::new(host, port), given))
}

/// A host is an IP address or an ASCII DNS name (letters, digits, '-', '_', '.').
fn check_host(whole: &str, host: &str) -> Result<()> {
    if host.parse::<IpAddr>().is_ok() {
        return Ok(());
    }
    if host.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(Error::usage(format!(
            "'{whole}' is not a host name or an IP address (a port alone? write HOST:{host} or HOST {host})"
        )));
    }
    if !host.is_ascii() {
        return Err(Error::usage(format!(
            "'{whole}': write international host names in their ASCII form (xn--…), as DNS has them"
        )));
    }
    if let Some(c) = host
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        let what = match c {
            '%' => "percent-encoding is not understood here".to_string(),
            ' ' => "a host name has no spaces".to_string(),
            c => format!("'{c}' cannot appear in a host name"),
        };
        return Err(Error::usage(format!("'{whole}': {what}")));
    }
    if host.len() > 253 || host.split('.').any(|l| l.len() > 63) {
        return Err(Error::usage(format!(
            "'{whole}': the host name is longer than DNS allows"
        )));
    }
    Ok(())
}

/// Targets given as command-line arguments: each one a target, or exactly `HOST PORT`.
pub fn parse_args(args: &[String], default_port: u16) -> Result<Vec<TargetSpec>> {
    if let [host, port] = args {
        let numeric = !port.is_empty() && port.chars().all(|c| c.is_ascii_digit());
        if let (true, Ok(spec)) = (numeric, TargetSpec::parse(host, default_port)) {
            if !spec.port_given && spec.scheme.is_none() {
                let port = parse_port(port)?;
                if port == 0 {
                    return Err(Error::usage(format!(
                        "'{host} 0': port 0 cannot be connected to"
                    )));
                }
                return Ok(vec![TargetSpec {
                    target: Target::new(spec.target.host, port),
                    port_given: true,
                    ..spec
                }]);
            }
        }
    }
    args.iter()
        .map(|a| TargetSpec::parse(a, default_port))
        .collect()
}

/// Targets from a list (a `--targets` file or stdin): one target a line (any form
/// [`TargetSpec::parse`] takes, or `HOST PORT`), `#` starts a comment, blank lines are skipped.
/// `origin` names the list in messages ("hosts.txt line 3: …").
pub fn parse_list(text: &str, origin: &str, default_port: u16) -> Result<Vec<TargetSpec>> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let at = |e: Error| Error::usage(format!("{origin} line {}: {}", i + 1, e.message()));
        let words: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        if words.len() > 2 {
            return Err(Error::usage(format!(
                "{origin} line {}: '{line}' is not one target (HOST[:PORT], HOST PORT or a URL, one a line)",
                i + 1
            )));
        }
        let mut specs = parse_args(&words, default_port).map_err(at)?;
        if specs.len() != 1 {
            return Err(Error::usage(format!(
                "{origin} line {}: '{line}' is not one target (HOST[:PORT], HOST PORT or a URL, one a line)",
                i + 1
            )));
        }
        out.append(&mut specs);
    }
    Ok(out)
}

/// A `--resolve` entry: connect to `addrs` instead of asking DNS for `host` (on `port` only, when
/// given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveOverride {
    /// Lower case, without a trailing dot.
    pub host: String,
    pub port: Option<u16>,
    pub addrs: Vec<IpAddr>,
}

impl ResolveOverride {
    /// `HOST:PORT:ADDRESS[,ADDRESS…]` (curl's form; bracket IPv6 addresses) or `HOST:ADDRESS`
    /// (any port).
    pub fn parse(s: &str) -> Result<ResolveOverride> {
        let usage = |why: &str| {
            Error::usage(format!(
                "--resolve {s}: {why}; write HOST:PORT:ADDRESS (as curl does) or NAME:ADDRESS, e.g. www.example.org:443:127.0.0.1"
            ))
        };
        let Some((host, rest)) = s.trim().split_once(':') else {
            return Err(usage("no address"));
        };
        let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
        if host.is_empty() {
            return Err(usage("the host is empty"));
        }
        // HOST:ADDRESS when the rest is addresses (also a bare IPv6 address), else HOST:PORT:ADDRESS.
        let (port, addrs) = match parse_addrs(rest) {
            Some(a) => (None, a),
            None => {
                let Some((port, addrs)) = rest.split_once(':') else {
                    return Err(usage(&format!("'{rest}' is not an IP address")));
                };
                let port =
                    parse_port(port).map_err(|_| usage(&format!("'{port}' is not a port")))?;
                let addrs = parse_addrs(addrs)
                    .ok_or_else(|| usage(&format!("'{addrs}' is not an IP address")))?;
                (Some(port), addrs)
            }
        };
        Ok(ResolveOverride { host, port, addrs })
    }

    /// The addresses to use for `target`, if an override in `list` covers it.
    pub fn lookup<'a>(list: &'a [ResolveOverride], target: &Target) -> Option<&'a [IpAddr]> {
        let host = target.host.trim_end_matches('.');
        list.iter()
            .find(|o| o.host.eq_ignore_ascii_case(host) && o.port.is_none_or(|p| p == target.port))
            .map(|o| o.addrs.as_slice())
    }
}

/// `ADDRESS[,ADDRESS…]`, IPv6 with or without brackets.
fn parse_addrs(s: &str) -> Option<Vec<IpAddr>> {
    let v: Option<Vec<IpAddr>> = s
        .split(',')
        .map(|a| {
            let a = a.trim();
            let a = a
                .strip_prefix('[')
                .and_then(|x| x.strip_suffix(']'))
                .unwrap_or(a);
            a.parse().ok()
        })
        .collect();
    v.filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> TargetSpec {
        TargetSpec::parse(s, 443).unwrap_or_else(|e| panic!("{s}: {e}"))
    }
    fn err(s: &str) -> String {
        TargetSpec::parse(s, 443).unwrap_err().to_string()
    }

    #[test]
    fn plain_forms() {
        assert_eq!(p("example.org").target, Target::new("example.org", 443));
        assert!(!p("example.org").port_given);
        assert_eq!(p("example.org:8443").target.port, 8443);
        assert!(p("example.org:8443").port_given);
        assert_eq!(p("[::1]:4433").target, Target::new("::1", 4433));
        assert_eq!(p("[::1]").target, Target::new("::1", 443));
        assert_eq!(p("::1").target, Target::new("::1", 443));
        assert_eq!(p("127.0.0.1").target, Target::new("127.0.0.1", 443));
        assert_eq!(
            TargetSpec::parse("mail.example", 25).unwrap().target.port,
            25
        );
    }

    #[test]
    fn urls() {
        let t = p("https://example.org/");
        assert_eq!(t.target, Target::new("example.org", 443));
        assert_eq!(t.path.as_deref(), Some("/"));
        assert!(!t.port_given);
        let t = p("HTTPS://example.org:8443/a/b?x=1#frag");
        assert_eq!(t.target.port, 8443);
        assert_eq!(t.path.as_deref(), Some("/a/b?x=1"));
        assert_eq!(p("https://example.org").path, None);
        assert_eq!(p("https://[::1]:8443/").target, Target::new("::1", 8443));
        let t = p("smtp://mail.example");
        assert_eq!(t.target.port, 25);
        assert_eq!(
            t.start(None, false).unwrap(),
            Start::Starttls(Protocol::Smtp, StartReason::Scheme)
        );
        assert_eq!(p("imaps://mail.example").target.port, 993);
        assert_eq!(
            p("imaps://mail.example").start(None, false).unwrap(),
            Start::Tls
        );
        // https on a plaintext port: the scheme says TLS from the first byte.
        assert_eq!(p("https://h:25").start(None, false).unwrap(), Start::Tls);
        assert_eq!(p("postgresql://db").target.port, 5432);
        assert_eq!(p("ldaps://dir").target.port, 636);
    }

    #[test]
    fn start_rules() {
        assert_eq!(
            p("h:25").start(None, false).unwrap(),
            Start::Starttls(Protocol::Smtp, StartReason::Port)
        );
        assert_eq!(p("h:25").start(None, true).unwrap(), Start::Tls);
        assert_eq!(
            p("h:8025").start(Some(Protocol::Smtp), false).unwrap(),
            Start::Starttls(Protocol::Smtp, StartReason::Flag)
        );
        assert!(p("smtp://h")
            .start(Some(Protocol::Imap), false)
            .unwrap_err()
            .to_string()
            .contains("drop one"));
        assert!(p("imaps://h").start(Some(Protocol::Imap), false).is_err());
        assert!(p("smtp://h").start(None, true).is_err());
        assert_eq!(
            p("smtp://h").start(Some(Protocol::Smtp), false).unwrap(),
            Start::Starttls(Protocol::Smtp, StartReason::Scheme)
        );
        assert_eq!(default_port(Some(Protocol::Imap)), 143);
        assert_eq!(default_port(None), 443);
    }

    #[test]
    fn errors_say_what_to_do() {
        assert!(err("http://example.org/").contains("https://"));
        assert!(err("gopher://x").contains("unknown URL scheme"));
        assert!(err("https://user:pw@host/").contains("before '@'"));
        assert!(err("https:///x").contains("no host"));
        assert!(err("example.org/path").contains("https://example.org/path"));
        assert!(err("host:").contains("without a port"));
        assert!(err("host:99999").contains("not a port"));
        assert!(parse_args(&["localhost".into(), "99999".into()], 443)
            .unwrap_err()
            .to_string()
            .contains("'99999' is not a port number"));
        assert!(err("host:0").contains("port 0"));
        assert!(err("[::1").contains("']'"));
        assert!(err("[foo]:1").contains("not an IPv6"));
        assert!(err("a:b:c").contains("brackets"));
        assert!(err("bücher.de").contains("xn--"));
        assert!(err("ho st").contains("spaces"));
        assert!(err("a%20b").contains("percent"));
        assert!(err("").contains("empty"));
        assert!(err("a\u{7}b").contains("control"));
        assert!(err(":443").contains("no host"));
        assert!(err("8443").contains("a port alone"));
        assert!(err("1.2.3").contains("not a host name"));
    }

    #[test]
    fn args_and_lists() {
        let v = parse_args(&["localhost".into(), "8443".into()], 443).unwrap();
        assert_eq!(v[0].target, Target::new("localhost", 8443));
        let v = parse_args(&["::1".into(), "4433".into()], 443).unwrap();
        assert_eq!(v[0].target, Target::new("::1", 4433));
        let v = parse_args(&["a:1".into(), "b".into()], 443).unwrap();
        assert_eq!(v[1].target, Target::new("b", 443));
        let v = parse_list(
            "# hosts\n\nexample.org\nexample.net:8443  # staging\n[::1]:4433\n127.0.0.1 993\nsmtp://mx.example\nhttps://w.example/#x\n",
            "hosts.txt",
            443,
        )
        .unwrap();
        let t: Vec<String> = v.iter().map(|s| s.target.to_string()).collect();
        assert_eq!(
            t,
            [
                "example.org:443",
                "example.net:8443",
                "[::1]:4433",
                "127.0.0.1:993",
                "mx.example:25",
                "w.example:443"
            ]
        );
        let e = parse_list("ok.example:443\nbad:port:here:x\n", "hosts.txt", 443).unwrap_err();
        assert!(e.to_string().contains("hosts.txt line 2"), "{e}");
        let e = parse_list("a b c\n", "f", 443).unwrap_err();
        assert!(e.to_string().contains("f line 1"), "{e}");
    }

    #[test]
    fn resolve_overrides() {
        let o = ResolveOverride::parse("www.Example.org:443:127.0.0.1").unwrap();
        assert_eq!(o.host, "www.example.org");
        assert_eq!(o.port, Some(443));
        assert_eq!(o.addrs, vec!["127.0.0.1".parse::<IpAddr>().unwrap()]);
        let o = ResolveOverride::parse("h:8443:[::1],127.0.0.2").unwrap();
        assert_eq!(o.addrs.len(), 2);
        let o = ResolveOverride::parse("h:127.0.0.1").unwrap();
        assert_eq!(o.port, None);
        let o = ResolveOverride::parse("h:::1").unwrap();
        assert_eq!(o.addrs, vec!["::1".parse::<IpAddr>().unwrap()]);
        let o = ResolveOverride::parse("h:[::1]").unwrap();
        assert_eq!(o.port, None);
        assert!(ResolveOverride::parse("h").is_err());
        assert!(ResolveOverride::parse("h:443:nope").is_err());
        assert!(ResolveOverride::parse(":1.2.3.4").is_err());
        let list = vec![
            ResolveOverride::parse("a.example:443:127.0.0.2").unwrap(),
            ResolveOverride::parse("b.example:127.0.0.3").unwrap(),
        ];
        assert!(ResolveOverride::lookup(&list, &Target::new("A.example.", 443)).is_some());
        assert!(ResolveOverride::lookup(&list, &Target::new("a.example", 8443)).is_none());
        assert!(ResolveOverride::lookup(&list, &Target::new("b.example", 1)).is_some());
    }
}
