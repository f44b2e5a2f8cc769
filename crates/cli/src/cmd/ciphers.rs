//! `tlskit ciphers`: the cipher suites an OpenSSL-style cipher string selects, in OpenSSL's
//! layouts (`openssl ciphers`, `-v`, `-V`, `-stdname`, `-s`) and in tlskit's own table and JSON,
//! which add IANA names and whether `tlskit connect` / `tlskit serve` can speak each suite.

use crate::output;
use serde::Serialize;
use tlskit::session::suites::why_not_spoken;
use tlskit::{Error, Result};
use tlskit_wire::cipherstring::{self, DEFAULT_TLS13_CIPHERSUITES};
use tlskit_wire::registry::{self, CipherSuite, Enc, Kx};

/// The security level Debian and Ubuntu build OpenSSL with (upstream's default is 1).
const DEFAULT_SECLEVEL: u8 = 2;

#[derive(clap::Args, Debug)]
#[command(
    about = "List the cipher suites an OpenSSL-style cipher string selects",
    long_about = "List the cipher suites an OpenSSL-style cipher string selects, like `openssl ciphers`,\n\
with IANA names and whether tlskit can speak each one.\n\n\
A cipher string is a list of words separated by ':' (also ',', ';' or space), applied left to\n\
right; the syntax is below. Unknown words are ignored, as OpenSSL does (tlskit warns about them);\n\
tlskit also accepts IANA suite names (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256), which OpenSSL\n\
ignores. TLS 1.3 suites are not chosen by the cipher string: OpenSSL always lists its default\n\
TLS 1.3 suites first; choose others with --ciphersuites.\n\n\
Output: a colon-separated list like `openssl ciphers`; -v and -V give the same lines as\n\
`openssl ciphers -v` / `-V` (byte for byte, on OpenSSL 3.0); --table adds IANA names, forward\n\
secrecy and whether `tlskit connect` speaks the suite (and why not); --json gives the same as data.\n\n\
The suites are those of OpenSSL 3.0 as Debian builds it (no RC4, 3DES, DES, IDEA, SEED, export,\n\
static-DH or GOST suites). --legacy adds every suite tlskit knows, as older OpenSSL versions had\n\
them: useful to read old configurations and to see what `tlskit scan` probes for.",
    after_help = concat!(
        "Cipher string syntax:\n",
        "  WORD       add the suites WORD matches: a suite name (ECDHE-RSA-AES128-GCM-SHA256) or a group\n",
        "             (ALL, HIGH, MEDIUM, aNULL, eNULL, kRSA, ECDH, ECDHE, DHE, AES, AES128, AESGCM,\n",
        "             CHACHA20, SHA1, SHA256, TLSv1.2, PSK, COMPLEMENTOFDEFAULT, ...)\n",
        "  A+B        only suites matching both A and B (ECDH+AES128: ECDH key exchange AND AES-128)\n",
        "  !WORD      remove for good: later words cannot add them back (!aNULL: no unauthenticated suites)\n",
        "  -WORD      remove for now: a later word may add them again\n",
        "  +WORD      move the matching suites to the end of the list (lower preference)\n",
        "  @STRENGTH  sort by key length, strongest first\n",
        "  @SECLEVEL=n  set the security level (0-5; applied with -s)\n",
        "  DEFAULT    (first word only) OpenSSL's default, ALL:!COMPLEMENTOFDEFAULT:!eNULL\n",
        "\n",
        "Examples:\n",
        "  tlskit ciphers -v 'ECDH+AES128'             # the lecture's example: ECDH key exchange, AES-128\n",
        "  tlskit ciphers -v 'ECDH+AES256'\n",
        "  tlskit ciphers --table 'HIGH:!aNULL:!MD5'   # which of them can tlskit speak?\n",
        "  tlskit ciphers -V 'ALL:!aNULL:@STRENGTH'\n",
        "  tlskit ciphers -s -v                        # what OpenSSL really offers at its security level\n",
        "  tlskit ciphers --ciphersuites TLS_AES_128_GCM_SHA256 -v 'ECDHE+AESGCM'\n",
        "  tlskit ciphers --legacy -v 'RC4:3DES'       # suites OpenSSL 3.0 no longer has\n",
        "  tlskit ciphers --json 'ECDHE+CHACHA20'"
    )
)]
pub struct Args {
    /// The cipher string (OpenSSL syntax). Default: DEFAULT.
    #[arg(value_name = "STRING")]
    string: Option<String>,

    /// One line per suite with version, key exchange, authentication, encryption and MAC (`openssl ciphers -v`).
    #[arg(short = 'v', conflicts_with_all = ["hex", "table", "json"])]
    verbose: bool,
    /// Like -v, with each suite's two-byte code point first (`openssl ciphers -V`).
    #[arg(short = 'V', conflicts_with_all = ["table", "json"])]
    hex: bool,
    /// Add the IANA (RFC) name before OpenSSL's (`openssl ciphers -stdname`); implies -v.
    #[arg(long, conflicts_with_all = ["table", "json"])]
    stdname: bool,
    /// tlskit's table: code point, IANA and OpenSSL names, parameters, forward secrecy, and
    /// whether `tlskit connect` can speak the suite (and why not).
    #[arg(short = 't', long, conflicts_with = "json")]
    table: bool,
    /// Print the suites as a JSON array.
    #[arg(long)]
    json: bool,

    /// Only suites allowed at the security level (`openssl ciphers -s`): the string's @SECLEVEL,
    /// else --seclevel, else 2 (Debian's default). PSK and SRP suites are left out, as OpenSSL does.
    #[arg(short = 's', long)]
    supported: bool,
    /// Security level (0-5) for -s when the string sets none; implies -s.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=5))]
    seclevel: Option<u8>,
    /// The TLS 1.3 suites, colon-separated IANA names (`openssl ciphers -ciphersuites`);
    /// '' lists none. Default: TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256.
    #[arg(long, alias = "tls13", value_name = "LIST")]
    ciphersuites: Option<String>,
    /// Choose from every suite tlskit knows (RC4, 3DES, DES, IDEA, SEED, export, static DH/ECDH,
    /// Kerberos, GOST, …), not only those OpenSSL 3.0 still has.
    #[arg(long)]
    legacy: bool,
}

/// One suite as `--json` prints it.
#[derive(Debug, Serialize)]
struct SuiteJson {
    id: u16,
    hex: String,
    name: &'static str,
    openssl_name: Option<&'static str>,
    version: &'static str,
    kx: String,
    auth: &'static str,
    enc: String,
    mac: &'static str,
    bits: u16,
    forward_secrecy: bool,
    aead: bool,
    tls13: bool,
    tlskit_speaks: bool,
    why_not: Option<&'static str>,
}

/// Whether OpenSSL 3.0, as Debian builds it, has this suite: the named suites minus RC4, RC2,
/// single DES, 3DES, IDEA, SEED, export, static DH/ECDH, Kerberos, GOST and anonymous ARIA
/// (checked against `openssl ciphers ALL:COMPLEMENTOFALL` in the tests).
pub fn in_openssl3(s: &CipherSuite) -> bool {
    if s.scsv || s.openssl.is_none() || s.export {
        return false;
    }
    if s.tls13 {
        return (0x1301..=0x1305).contains(&s.id);
    }
    if matches!(
        s.kx,
        Kx::Dh | Kx::DhExport | Kx::Ecdh | Kx::Krb5 | Kx::Gost | Kx::Gost18
    ) {
        return false;
    }
    if s.is_rc4()
        || matches!(
            s.enc,
            Enc::TripleDes
                | Enc::Des
                | Enc::Des40
                | Enc::Idea
                | Enc::Seed
                | Enc::Rc2_40
                | Enc::Rc2_56
                | Enc::Rc2_128
        )
    {
        return false;
    }
    if s.anonymous() && matches!(s.enc, Enc::Aria128Gcm | Enc::Aria256Gcm) {
        return false;
    }
    true
}

/// `openssl ciphers -v`'s line for a suite (SSL_CIPHER_description, without the newline).
pub fn description(s: &CipherSuite) -> String {
    format!(
        "{:<30} {:<7} Kx={:<8} Au={:<5} Enc={:<22} Mac={:<4}{}",
        s.name(),
        s.openssl_version(),
        s.openssl_kx(),
        s.openssl_auth(),
        s.openssl_enc(),
        s.openssl_mac(),
        if s.export { " export" } else { "" }
    )
}

fn hex_pair(id: u16) -> String {
    format!("0x{:02X},0x{:02X}", id >> 8, id & 0xff)
}

fn speaks(id: u16, spoken: &[u16]) -> bool {
    spoken.contains(&id)
}

fn why_not(s: &CipherSuite, spoken: &[u16]) -> Option<&'static str> {
    if speaks(s.id, spoken) {
        None
    } else if s.tls13 {
        Some("rustls implements only the AES-GCM and ChaCha20-Poly1305 TLS 1.3 suites")
    } else {
        Some(why_not_spoken(s))
    }
}

/// The TLS 1.3 suites: `--ciphersuites`, or OpenSSL's default list; names it does not know are
/// warned about and ignored, as OpenSSL does.
fn select_tls13(args: &Args) -> Result<Vec<&'static CipherSuite>> {
    let tls13_text = args
        .ciphersuites
        .clone()
        .unwrap_or_else(|| DEFAULT_TLS13_CIPHERSUITES.to_string());
    let mut tls13 = cipherstring::select_tls13(&tls13_text).map_err(|e| {
        Error::input(format!(
            "{e} (known TLS 1.3 suites: TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256, TLS_AES_128_GCM_SHA256, TLS_AES_128_CCM_SHA256, TLS_AES_128_CCM_8_SHA256)"
        ))
    })?;
    for name in tls13_text
        .split([':', ','])
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        match registry::cipher_suite_by_name(name) {
            Some(s) if s.tls13 && !args.legacy && !in_openssl3(s) => output::warn(format!(
                "'{name}' is not a TLS 1.3 suite OpenSSL 3.0 has and is ignored (add --legacy to list it)"
            )),
            Some(s) if s.tls13 => {}
            _ => output::warn(format!(
                "'{name}' in --ciphersuites is not a TLS 1.3 suite name and is ignored, as OpenSSL does"
            )),
        }
    }
    tls13.retain(|s| args.legacy || in_openssl3(s));
    if !tls13_text.trim().is_empty() && tls13.is_empty() {
        return Err(Error::input(format!(
            "--ciphersuites '{tls13_text}' selects no TLS 1.3 suites (OpenSSL: Error setting TLSv1.3 ciphersuites)"
        )));
    }
    Ok(tls13)
}

pub fn run(args: Args) -> Result<i32> {
    let string = args.string.clone().unwrap_or_else(|| "DEFAULT".to_string());
    let universe = |s: &&'static CipherSuite| args.legacy || in_openssl3(s);

    // TLS ≤ 1.2: the cipher string.
    let selection = cipherstring::parse(&string)
        .map_err(|e| Error::input(format!("{e} (OpenSSL: invalid command)")))?;
    for word in &selection.unknown {
        let hint = match registry::cipher_suite_by_name(word) {
            Some(s) if s.tls13 => " (TLS 1.3 suites are chosen with --ciphersuites)",
            _ => "",
        };
        output::warn(format!(
            "'{word}' in the cipher string matches no suite or alias and is ignored, as OpenSSL does{hint}"
        ));
    }
    let all_selected = selection.suites.clone();
    let mut suites: Vec<&'static CipherSuite> =
        selection.suites.into_iter().filter(universe).collect();
    if suites.is_empty() {
        let mut msg = format!(
            "the cipher string '{string}' selects no cipher suites (OpenSSL: no cipher match)"
        );
        if !args.legacy && !all_selected.is_empty() {
            msg.push_str(&format!(
                "; it matches {} suite{} OpenSSL 3.0 no longer has: add --legacy to list them",
                all_selected.len(),
                if all_selected.len() == 1 { "" } else { "s" }
            ));
        }
        return Err(Error::input(msg));
    }
    // TLS 1.3: --ciphersuites, or OpenSSL's default list.
    let mut tls13 = select_tls13(&args)?;

    // -s: what would actually be offered at the security level.
    if args.supported || args.seclevel.is_some() {
        let level = selection
            .security_level
            .or(args.seclevel)
            .unwrap_or(DEFAULT_SECLEVEL);
        let keep = |s: &&'static CipherSuite| {
            cipherstring::security_level_permits(s, level) && !s.is_psk() && s.kx != Kx::Srp
        };
        suites.retain(keep);
        tls13.retain(keep);
        if suites.is_empty() && tls13.is_empty() {
            return Err(Error::input(format!(
                "the cipher string '{string}' selects no cipher suites allowed at security level {level}"
            )));
        }
    }

    let mut list: Vec<&'static CipherSuite> = tls13;
    list.extend(suites);
    let spoken: Vec<u16> = tlskit::provider()
        .cipher_suites
        .iter()
        .map(|s| u16::from(s.suite()))
        .collect();

    let mut out = String::new();
    if args.json {
        let rows: Vec<SuiteJson> = list
            .iter()
            .map(|s| SuiteJson {
                id: s.id,
                hex: format!("0x{:04X}", s.id),
                name: s.iana,
                openssl_name: s.openssl,
                version: s.openssl_version(),
                kx: s.openssl_kx(),
                auth: s.openssl_auth(),
                enc: s.openssl_enc(),
                mac: s.openssl_mac(),
                bits: s.bits,
                forward_secrecy: s.forward_secret(),
                aead: s.is_aead(),
                tls13: s.tls13,
                tlskit_speaks: speaks(s.id, &spoken),
                why_not: why_not(s, &spoken),
            })
            .collect();
        output::print_json(&rows)?;
        return Ok(0);
    } else if args.table {
        out = table(&list, &spoken);
    } else if args.verbose || args.hex || args.stdname {
        for s in &list {
            if args.hex {
                out.push_str(&format!("          {} - ", hex_pair(s.id)));
            }
            if args.stdname {
                out.push_str(&format!("{:<45} - ", s.iana));
            }
            out.push_str(&description(s));
            out.push('\n');
        }
    } else {
        let names: Vec<&str> = list.iter().map(|s| s.name()).collect();
        out.push_str(&names.join(":"));
        out.push('\n');
    }
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(out.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Ok(()) => Ok(0),
        // `tlskit ciphers | head` closes the pipe early: not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
        Err(e) => Err(Error::other(format!("cannot write the list: {e}"))),
    }
}

fn table(list: &[&'static CipherSuite], spoken: &[u16]) -> String {
    let headers = [
        "CODE",
        "IANA NAME",
        "OPENSSL NAME",
        "VERSION",
        "KX",
        "AU",
        "ENC",
        "MAC",
        "FS",
        "TLSKIT",
    ];
    let rows: Vec<[String; 10]> = list
        .iter()
        .map(|s| {
            let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
            [
                hex_pair(s.id),
                s.iana.to_string(),
                s.openssl.unwrap_or("-").to_string(),
                s.openssl_version().to_string(),
                s.openssl_kx(),
                s.openssl_auth().to_string(),
                s.openssl_enc(),
                s.openssl_mac().to_string(),
                yes_no(s.forward_secret()),
                match why_not(s, spoken) {
                    None => "yes".to_string(),
                    Some(why) => format!("no: {why}"),
                },
            ]
        })
        .collect();
    let mut widths = headers.map(str::len);
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r.iter()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        let last = cells.len() - 1;
        let mut l = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i == last {
                l.push_str(c);
            } else {
                l.push_str(&format!("{c:<w$}  ", w = widths[i]));
            }
        }
        l.trim_end().to_string() + "\n"
    };
    let mut out = line(&headers.map(String::from));
    for r in &rows {
        out.push_str(&line(r));
    }
    let n13 = list.iter().filter(|s| s.tls13).count();
    let n_spoken = list.iter().filter(|s| speaks(s.id, spoken)).count();
    let n_fs = list.iter().filter(|s| s.forward_secret()).count();
    out.push_str(&format!(
        "\n{} suite{} ({} TLS 1.3, {} TLS 1.2 and older); {} with forward secrecy (FS); tlskit connect/serve can speak {}.\n",
        list.len(),
        if list.len() == 1 { "" } else { "s" },
        n13,
        list.len() - n13,
        n_fs,
        n_spoken
    ));
    out
}
