//! The analysis: structure, trust, validity, host name, keys and algorithms.

use super::*;
use crate::pki::sigalg::WeakHash;

pub(super) fn to_offset(t: UnixTime) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(t.as_secs() as i64).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

pub(super) fn label(p: &Parsed<'_>) -> String {
    format!("#{} {}", p.index + 1, short_name(&p.info))
}

/// The subject, or a stand-in for an empty one.
pub(super) fn short_name(info: &CertInfo) -> String {
    if info.subject.is_empty() {
        "(empty subject)".to_string()
    } else {
        info.subject.clone()
    }
}

pub(super) fn plural(n: i64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

pub(super) fn date(rfc3339: &str) -> &str {
    rfc3339.split('T').next().unwrap_or(rfc3339)
}

/// A time to judge a chain by ([`ChainInput::now`]), from RFC 3339 (`2024-12-01T00:00:00Z`).
pub fn parse_time(s: &str) -> Result<UnixTime> {
    let t = OffsetDateTime::parse(s, &Rfc3339).map_err(|_| {
        Error::usage(format!(
            "{} is not an RFC 3339 time; give one such as 2024-12-01T00:00:00Z",
            crate::escape::quoted(s)
        ))
    })?;
    u64::try_from(t.unix_timestamp())
        .map(|secs| UnixTime::since_unix_epoch(Duration::from_secs(secs)))
        .map_err(|_| Error::usage(format!("{} is before 1970", crate::escape::quoted(s))))
}

/// Analyse a chain a server sent. Never fails: whatever cannot be checked is reported in the
/// findings.
pub fn analyse(input: &ChainInput<'_>, stores: &TrustStores) -> ChainAnalysis {
    analyse_for(input, stores, Purpose::ServerAuth)
}

/// Analyse a chain for `purpose`: trust is judged for that extended key usage (a client
/// certificate's chain with [`Purpose::ClientAuth`]).
pub fn analyse_for(
    input: &ChainInput<'_>,
    stores: &TrustStores,
    purpose: Purpose,
) -> ChainAnalysis {
    let now = to_offset(input.now);
    let mut a = empty_analysis(input);
    let mut findings = Findings::default();

    if input.chain.is_empty() {
        findings.add(
            Severity::Critical,
            "cert.none",
            "the server sent no certificate".to_string(),
        );
        a.order_ok = false;
        a.findings = findings.into_sorted();
        return a;
    }

    let mut parsed: Vec<Parsed<'_>> = Vec::new();
    for (i, c) in input.chain.iter().enumerate() {
        match parse_cert(i, c.as_ref(), now) {
            Some(p) => parsed.push(p),
            None => findings.add(
                Severity::Critical,
                "cert.unparsable",
                format!("certificate #{} is not a valid X.509 certificate", i + 1),
            ),
        }
    }
    a.certificates = parsed.iter().map(|p| p.info.clone()).collect();
    let Some(leaf) = parsed.first().filter(|p| p.index == 0) else {
        a.order_ok = false;
        a.trust = stores
            .stores()
            .iter()
            .map(|s| TrustResult {
                store: s.id,
                description: s.description.clone(),
                trusted: false,
                error: Some("the leaf certificate cannot be parsed".to_string()),
                path: Vec::new(),
                legacy_only: false,
            })
            .collect();
        a.findings = findings.into_sorted();
        return a;
    };

    // --- Structure: the issuing path through the sent certificates. ---
    let path = issuing_path(&parsed);
    structure(&parsed, &path, stores, &mut a, &mut findings);

    // --- Algorithms and keys. ---
    algorithms(&parsed, &path, &mut a, &mut findings);

    // --- Trust. ---
    for store in stores.stores() {
        a.trust
            .push(verify_store(store, input, &parsed, &a, purpose));
    }
    a.trusted = a.trust.iter().any(|t| t.trusted && t.store.decides_trust());
    trust_findings(&a, &mut findings);

    // --- The leaf. ---
    let li = &leaf.info;
    a.self_signed_leaf = li.self_signed;
    a.leaf_expired = li.expired;
    a.leaf_not_yet_valid = li.not_yet_valid;
    a.leaf_days_left = li.days_left;
    a.must_staple = li.must_staple;
    a.sct_count = li.sct_count as usize;
    a.scts = input
        .chain
        .first()
        .map(|c| super::sct::embedded(c.as_ref()))
        .unwrap_or_default();
    validity(&parsed, &path, &mut a, &mut findings);

    leaf_findings(li, parsed.len(), input.hostname, &mut a, &mut findings);

    // --- OCSP. ---
    ocsp(input, &parsed, &path, stores, now, &mut a, &mut findings);

    // --- Certificate Transparency. ---
    if a.sct_count == 0
        && a.trust
            .iter()
            .any(|t| t.store == StoreId::Mozilla && t.trusted)
    {
        findings.add(
            Severity::Low,
            "cert.no_embedded_sct",
            "the certificate has no embedded SCTs; Chrome and Safari require Certificate Transparency for publicly trusted certificates (SCTs may also come in a TLS extension or the OCSP staple)".to_string(),
        );
    }

    a.findings = findings.into_sorted();
    a
}

/// An analysis with nothing found yet.
fn empty_analysis(input: &ChainInput<'_>) -> ChainAnalysis {
    ChainAnalysis {
        certificates: Vec::new(),
        trust: Vec::new(),
        trusted: false,
        order_ok: true,
        order_problems: Vec::new(),
        missing_intermediate: false,
        missing_intermediate_detail: None,
        contains_root: false,
        self_signed_leaf: false,
        leaf_expired: false,
        leaf_not_yet_valid: false,
        leaf_days_left: 0,
        earliest_expiry: None,
        hostname: input.hostname.map(str::to_owned),
        hostname_match: None,
        weak_signatures: Vec::new(),
        weak_keys: Vec::new(),
        must_staple: false,
        ocsp_stapled: false,
        ocsp_status: None,
        ocsp: None,
        must_staple_violated: false,
        sct_count: 0,
        scts: Vec::new(),
        findings: Vec::new(),
    }
}

/// Weak signature algorithms and weak keys on the issuing path.
fn algorithms(
    parsed: &[Parsed<'_>],
    path: &[usize],
    a: &mut ChainAnalysis,
    findings: &mut Findings,
) {
    for &i in path {
        let p = &parsed[i];
        // A root's self-signature is never checked by anyone; a self-signed leaf's is reported
        // as self-signed already, but a weak algorithm there is still worth a line.
        if p.info.self_signed && p.index != 0 {
            continue;
        }
        if let Some(hash) = p.info.signature_algorithm.weak_hash() {
            let msg = format!(
                "{} is signed with {} ({}), rejected by modern clients",
                short_name(&p.info),
                p.info.signature_algorithm,
                hash.name()
            );
            let sev = match hash {
                WeakHash::Sha1 => Severity::High,
                WeakHash::Md5 | WeakHash::Md2Md4 => Severity::Critical,
            };
            findings.add(sev, "cert.weak_signature", msg.clone());
            a.weak_signatures.push(msg);
        }
    }
    for &i in path {
        let p = &parsed[i];
        if let Some(why) = weak_key(&p.info) {
            let msg = format!("{} has {why}", short_name(&p.info));
            findings.add(Severity::High, "cert.weak_key", msg.clone());
            a.weak_keys.push(msg);
        }
    }
}

/// The leaf's own problems: self-signed, a CA in the leaf's place, a name it does not cover.
fn leaf_findings(
    li: &CertInfo,
    sent: usize,
    hostname: Option<&str>,
    a: &mut ChainAnalysis,
    findings: &mut Findings,
) {
    if li.self_signed {
        findings.add(
            Severity::High,
            "cert.self_signed",
            format!(
                "the server's certificate ({}) is self-signed: no client trusts it unless it is installed as a trust anchor",
                short_name(li)
            ),
        );
    }
    if li.is_ca && sent > 1 {
        findings.add(
            Severity::Medium,
            "cert.leaf_is_ca",
            format!(
                "the first certificate ({}) is a CA certificate; the server's own certificate must come first",
                short_name(li)
            ),
        );
    }

    // --- Host name. ---
    if let Some(host) = hostname {
        let ok = inspect::matches_name(li, host);
        a.hostname_match = Some(ok);
        if !ok {
            findings.add(
                Severity::High,
                "cert.hostname_mismatch",
                mismatch_message(li, host),
            );
        }
    }
}

#[derive(Default)]
pub(super) struct Findings(Vec<Finding>);

impl Findings {
    pub(super) fn add(&mut self, severity: Severity, id: &str, message: String) {
        if !self.0.iter().any(|f| f.id == id && f.message == message) {
            self.0.push(Finding {
                severity,
                id: id.to_string(),
                message,
            });
        }
    }
    pub(super) fn into_sorted(mut self) -> Vec<Finding> {
        self.0.sort_by_key(|f| f.severity);
        self.0
    }
}

/// Indexes (into `parsed`) of the leaf and each issuer found among the sent certificates, in
/// issuing order. Stops at a self-signed certificate or when no sent certificate is the issuer.
pub(super) fn issuing_path(parsed: &[Parsed<'_>]) -> Vec<usize> {
    let mut path = vec![0usize];
    loop {
        let cur = &parsed[*path.last().expect("path starts with the leaf")];
        if cur.info.self_signed {
            break;
        }
        // Prefer the next certificate as sent, then any other.
        let next = *path.last().unwrap() + 1;
        let candidates = (next..parsed.len()).chain(0..next.min(parsed.len()));
        let found = candidates
            .filter(|j| !path.contains(j))
            .find(|&j| issued_by(cur, &parsed[j]));
        match found {
            Some(j) => path.push(j),
            None => break,
        }
    }
    path
}

pub(super) fn structure(
    parsed: &[Parsed<'_>],
    path: &[usize],
    stores: &TrustStores,
    a: &mut ChainAnalysis,
    findings: &mut Findings,
) {
    // Order: the path must be the sent certificates in sequence.
    let in_order = path.iter().enumerate().all(|(k, &i)| i == k);
    if !in_order {
        let sent: Vec<String> = path.iter().map(|&i| label(&parsed[i])).collect();
        a.order_problems.push(format!(
            "the certificates are not sent in issuing order (each one followed by its issuer); the issuing order is {}",
            sent.join(" → ")
        ));
    }
    for (k, p) in parsed.iter().enumerate() {
        if path.contains(&k) {
            continue;
        }
        if let Some(first) = parsed[..k].iter().find(|q| q.der == p.der) {
            a.order_problems.push(format!(
                "certificate {} is a duplicate of #{}",
                label(p),
                first.index + 1
            ));
        } else {
            a.order_problems.push(format!(
                "certificate {} is not part of the leaf's chain (sent but not needed)",
                label(p)
            ));
        }
    }
    a.order_ok =
        a.order_problems.is_empty() && parsed.len() == parsed.last().map_or(0, |p| p.index + 1);
    for msg in &a.order_problems {
        findings.add(Severity::Low, "cert.chain_order", msg.clone());
    }

    // Root sent, or the chain reaches a trust anchor, or something is missing.
    let top = &parsed[*path.last().expect("non-empty path")];
    a.contains_root = path.len() > 1 && top.info.self_signed;
    if a.contains_root {
        findings.add(
            Severity::Info,
            "cert.root_sent",
            format!(
                "the server sends the root certificate {} too; clients already have it, so it only costs bytes",
                short_name(&top.info)
            ),
        );
    }
    if top.info.self_signed {
        return;
    }
    // The stores that decide trust: a root only Apple or Java holds still leaves a gap here.
    let anchors = stores.deciding().into_iter().flat_map(|s| s.anchors.iter());
    let reaches_anchor = anchors.clone().any(|anchor| {
        path.iter()
            .any(|&i| issued_by_anchor(&parsed[i], anchor) || is_anchor(&parsed[i], anchor))
    });
    if reaches_anchor {
        return;
    }
    a.missing_intermediate = true;
    let issuer = name_from_content(top.issuer);
    let mut msg = if path.len() == 1 {
        format!(
            "the issuer of the server's certificate ({issuer}) is neither sent nor a trusted root: the server probably does not send its intermediate certificate"
        )
    } else {
        format!(
            "the chain stops at {}, whose issuer ({issuer}) is neither sent nor a trusted root: an intermediate certificate is probably missing",
            short_name(&top.info)
        )
    };
    match top.info.ca_issuer_urls.first() {
        Some(url) => msg.push_str(&format!(
            "; the issuer certificate is published at {url} (caIssuers), add it to the server's chain file"
        )),
        None => msg.push_str(&format!(
            "; if {issuer} is a private CA, pass its certificate with --ca"
        )),
    }
    a.missing_intermediate_detail = Some(msg.clone());
    findings.add(Severity::High, "cert.missing_intermediate", msg);
}

/// The one sentence for each rustls-webpki verification error.
pub(super) fn describe_webpki_error(e: &webpki::Error, store: &Store, purpose: Purpose) -> String {
    use webpki::Error as E;
    match e {
        E::UnknownIssuer => match store.id {
            StoreId::System => "not issued by a CA in the system trust store".to_string(),
            StoreId::Custom => "not issued by a CA given with --ca".to_string(),
            built_in => format!("not issued by a CA in the {} root store", built_in.label()),
        },
        E::CertExpired { .. } => "a certificate in the chain has expired".to_string(),
        E::CertNotValidYet { .. } => "a certificate in the chain is not valid yet".to_string(),
        E::InvalidCertValidity => "a certificate's validity period is malformed".to_string(),
        E::InvalidSignatureForPublicKey => {
            "a signature in the chain does not verify (a certificate was altered, or was not signed by the CA it names)".to_string()
        }
        E::CaUsedAsEndEntity => {
            "the first certificate is a CA certificate, not a server certificate".to_string()
        }
        E::EndEntityUsedAsCa => {
            "a certificate that is not a CA (basicConstraints CA:FALSE or absent) issued another one".to_string()
        }
        E::RequiredEkuNotFoundContext(_) => match purpose {
            Purpose::ServerAuth => "the server's certificate is not allowed for TLS servers (extendedKeyUsage lacks serverAuth)".to_string(),
            Purpose::ClientAuth => "the certificate is not allowed for TLS clients (extendedKeyUsage lacks clientAuth)".to_string(),
        },
        E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_)
        | E::SignatureAlgorithmMismatch => {
            "the chain uses a signature algorithm modern clients do not accept".to_string()
        }
        E::CertRevoked => "the certificate is revoked".to_string(),
        E::CertDistrusted => "the chain contains a CA that clients have distrusted".to_string(),
        E::PathLenConstraintViolated => {
            "the chain is longer than a CA's pathLenConstraint allows".to_string()
        }
        E::NameConstraintViolation => {
            "the server's names are outside a CA's name constraints".to_string()
        }
        E::MaximumPathDepthExceeded
        | E::MaximumPathBuildCallsExceeded
        | E::MaximumSignatureChecksExceeded => {
            "the chain is too long or too tangled to verify".to_string()
        }
        E::UnsupportedCertVersion => "a certificate is not X.509 version 3".to_string(),
        E::UnsupportedCriticalExtension => {
            "a certificate has a critical extension that clients do not understand".to_string()
        }
        E::BadDer | E::BadDerTime | E::TrailingData(_) => {
            "a certificate in the chain is malformed".to_string()
        }
        E::MalformedExtensions | E::ExtensionValueInvalid | E::EmptyEkuExtension => {
            "a certificate in the chain has malformed extensions".to_string()
        }
        other => format!(
            "verification failed: {}",
            crate::pki::error_words(other)
        ),
    }
}

pub(super) fn is_algorithm_error(e: &webpki::Error) -> bool {
    use webpki::Error as E;
    matches!(
        e,
        E::UnsupportedSignatureAlgorithmContext(_)
            | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_)
            | E::SignatureAlgorithmMismatch
            | E::InvalidSignatureForPublicKey
    )
}

pub(super) fn is_time_error(e: &webpki::Error) -> bool {
    matches!(
        e,
        webpki::Error::CertExpired { .. } | webpki::Error::CertNotValidYet { .. }
    )
}

/// A time at which every sent certificate is valid, if there is one.
pub(super) fn time_all_valid(parsed: &[Parsed<'_>]) -> Option<UnixTime> {
    let parse = |s: &str| OffsetDateTime::parse(s, &Rfc3339).ok();
    let lo = parsed
        .iter()
        .filter_map(|p| parse(&p.info.not_before))
        .max()?;
    let hi = parsed
        .iter()
        .filter_map(|p| parse(&p.info.not_after))
        .min()?;
    if lo >= hi {
        return None;
    }
    let mid: OffsetDateTime = lo + (hi - lo) / 2i32;
    u64::try_from(mid.unix_timestamp())
        .ok()
        .map(|s| UnixTime::since_unix_epoch(Duration::from_secs(s)))
}

pub(super) fn verify_store(
    store: &Store,
    input: &ChainInput<'_>,
    parsed: &[Parsed<'_>],
    a: &ChainAnalysis,
    purpose: Purpose,
) -> TrustResult {
    let mut result = TrustResult {
        store: store.id,
        description: store.description.clone(),
        trusted: false,
        error: None,
        path: Vec::new(),
        legacy_only: false,
    };
    if store.anchors.is_empty() {
        result.error = Some(match store.id {
            StoreId::System => "the system trust store is empty or unreadable (install ca-certificates, or set SSL_CERT_FILE / SSL_CERT_DIR)".to_string(),
            _ => format!("{} holds no trust anchors", store.description),
        });
        return result;
    }
    let leaf = &input.chain[0];
    let ee = match webpki::EndEntityCert::try_from(leaf) {
        Ok(ee) => ee,
        Err(e) => {
            result.error = Some(format!(
                "the server's certificate cannot be used: {}",
                describe_webpki_error(&e, store, purpose)
            ));
            return result;
        }
    };
    let intermediates = &input.chain[1..];
    let subjects_of = |path: &webpki::VerifiedPath<'_>| -> Vec<String> {
        let mut v = vec![subject_of_der(leaf.as_ref(), parsed)];
        for c in path.intermediate_certificates() {
            v.push(subject_of_der(c.der().as_ref(), parsed));
        }
        v.push(name_from_content(path.anchor().subject.as_ref()));
        v
    };
    let attempt = |algs: &[&dyn SignatureVerificationAlgorithm], time: UnixTime| {
        ee.verify_for_usage(
            algs,
            &store.anchors,
            intermediates,
            time,
            match purpose {
                Purpose::ServerAuth => webpki::KeyUsage::server_auth(),
                Purpose::ClientAuth => webpki::KeyUsage::client_auth(),
            },
            None,
            None,
        )
        .map(|p| subjects_of(&p))
    };
    let strict = strict_algs();
    let err = match attempt(strict, input.now) {
        Ok(path) => {
            result.trusted = true;
            result.path = path;
            return result;
        }
        Err(e) => e,
    };
    let mut message = describe_webpki_error(&err, store, purpose);
    let legacy = strict_and_legacy();
    if is_algorithm_error(&err) {
        if let Ok(path) = attempt(&legacy, input.now) {
            let mut why: Vec<String> = a.weak_signatures.clone();
            why.extend(a.weak_keys.iter().cloned());
            message = if why.is_empty() {
                "the chain uses a legacy algorithm (SHA-1 signature or RSA key under 2048 bits) that modern clients reject".to_string()
            } else {
                format!("{}; modern clients reject it", why.join("; "))
            };
            message.push_str(&format!(
                " (with legacy algorithms accepted the chain leads to {})",
                path.last().map(String::as_str).unwrap_or("a trusted root")
            ));
            result.legacy_only = true;
            result.path = path;
        }
    } else if is_time_error(&err) {
        if let Some(mid) = time_all_valid(parsed) {
            let ok = attempt(strict, mid)
                .or_else(|_| {
                    attempt(&legacy, mid).inspect(|_| {
                        result.legacy_only = true;
                    })
                })
                .ok();
            if let Some(path) = ok {
                let which = expired_names(parsed);
                if !which.is_empty() {
                    message = which;
                }
                message.push_str(&format!(
                    "; apart from that the chain leads to {}",
                    path.last().map(String::as_str).unwrap_or("a trusted root")
                ));
                result.path = path;
            }
        }
    }
    result.error = Some(message);
    result
}

pub(super) fn subject_of_der(der_bytes: &[u8], parsed: &[Parsed<'_>]) -> String {
    parsed
        .iter()
        .find(|p| p.der == der_bytes)
        .map(|p| short_name(&p.info))
        .or_else(|| CertInfo::from_der(der_bytes).ok().map(|i| short_name(&i)))
        .unwrap_or_else(|| "(unparsable certificate)".to_string())
}

pub(super) fn expired_names(parsed: &[Parsed<'_>]) -> String {
    let mut parts = Vec::new();
    for p in parsed {
        if p.info.expired {
            parts.push(format!(
                "{} expired on {}",
                short_name(&p.info),
                date(&p.info.not_after)
            ));
        } else if p.info.not_yet_valid {
            parts.push(format!(
                "{} is not valid before {}",
                short_name(&p.info),
                date(&p.info.not_before)
            ));
        }
    }
    parts.join("; ")
}

pub(super) fn trust_findings(a: &ChainAnalysis, findings: &mut Findings) {
    let trust = &a.trust;
    if a.trusted {
        // Trusted somewhere: mention the stores that disagree only when it matters.
        let mozilla = trust.iter().find(|t| t.store == StoreId::Mozilla);
        if let Some(m) = mozilla.filter(|m| !m.trusted) {
            let by: Vec<&str> = trust
                .iter()
                .filter(|t| t.trusted && t.store.decides_trust())
                .map(|t| t.store.as_str())
                .collect();
            findings.add(
                Severity::Info,
                "cert.private_ca",
                format!(
                    "trusted by the {} store but not by browsers (Mozilla roots): {}",
                    by.join(" and "),
                    m.error.as_deref().unwrap_or("untrusted")
                ),
            );
        }
        return;
    }
    // The stores that decide trust speak for the chain; the others have their own verdicts.
    let deciding = || trust.iter().filter(|t| t.store.decides_trust());
    let legacy = deciding().any(|t| t.legacy_only);
    let errors: Vec<String> = deciding()
        .map(|t| format!("{}: {}", t.store, t.error.as_deref().unwrap_or("untrusted")))
        .collect();
    let (id, lead) = if legacy {
        (
            "cert.untrusted_legacy",
            "the chain is rejected by modern clients because of legacy algorithms",
        )
    } else {
        ("cert.untrusted", "no trust store accepts the chain")
    };
    findings.add(
        Severity::High,
        id,
        format!("{lead} ({})", errors.join("; ")),
    );
}

pub(super) fn validity(
    parsed: &[Parsed<'_>],
    path: &[usize],
    a: &mut ChainAnalysis,
    findings: &mut Findings,
) {
    for (k, p) in parsed.iter().enumerate() {
        let i = &p.info;
        let (which, leaf) = if p.index == 0 {
            ("the server's certificate".to_string(), true)
        } else {
            (format!("chain certificate #{}", p.index + 1), false)
        };
        if i.expired {
            findings.add(
                Severity::Critical,
                if leaf {
                    "cert.expired"
                } else {
                    "cert.chain_expired"
                },
                format!(
                    "{which} ({}) expired on {} ({} ago)",
                    short_name(i),
                    date(&i.not_after),
                    plural(-i.days_left, "day")
                ),
            );
        } else if i.not_yet_valid {
            findings.add(
                Severity::Critical,
                if leaf {
                    "cert.not_yet_valid"
                } else {
                    "cert.chain_not_yet_valid"
                },
                format!(
                    "{which} ({}) is not valid before {}",
                    short_name(i),
                    date(&i.not_before)
                ),
            );
        } else if path.contains(&k) && i.days_left < 30 {
            let sev = if i.days_left < 7 {
                Severity::High
            } else {
                Severity::Medium
            };
            findings.add(
                sev,
                "cert.expiring_soon",
                format!(
                    "{which} ({}) expires on {} (in {})",
                    short_name(i),
                    date(&i.not_after),
                    plural(i.days_left, "day")
                ),
            );
        }
    }
    a.earliest_expiry = parsed
        .iter()
        .min_by(|x, y| x.info.not_after.cmp(&y.info.not_after))
        .map(|p| Expiry {
            index: p.index,
            subject: short_name(&p.info),
            not_after: p.info.not_after.clone(),
            days_left: p.info.days_left,
        });
}

pub(super) fn mismatch_message(leaf: &CertInfo, host: &str) -> String {
    let bare = host
        .trim()
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(host.trim());
    let is_ip = bare.parse::<std::net::IpAddr>().is_ok();
    let names = leaf.san_list();
    let mut msg = if names.is_empty() {
        format!("the certificate is not valid for {bare}: it has no subject alternative names")
    } else {
        format!(
            "the certificate is not valid for {bare}: its subject alternative names are {}",
            names.join(", ")
        )
    };
    if is_ip && leaf.san_dns.iter().any(|d| d == bare) {
        msg.push_str(" (an IP address only matches an IP Address SAN, not a DNS one)");
    } else if leaf
        .common_name
        .as_deref()
        .is_some_and(|cn| cn.eq_ignore_ascii_case(bare))
    {
        msg.push_str(" (the name is only in the subject CN, which clients ignore)");
    } else if !is_ip
        && leaf.san_dns.iter().any(|d| {
            d.strip_prefix("*.")
                .is_some_and(|rest| bare.ends_with(&format!(".{rest}")) || bare == rest)
        })
    {
        msg.push_str(" (a wildcard stands for exactly one label)");
    }
    msg
}

/// RSA under 2048 bits, EC under 256 bits, DSA: the phrase, or `None` when the key is fine.
pub(super) fn weak_key(info: &CertInfo) -> Option<String> {
    match info.key_type.as_str() {
        "RSA" | "RSA-PSS" if info.key_bits > 0 && info.key_bits < 2048 => Some(format!(
            "a {}-bit RSA key (at least 2048 bits needed)",
            info.key_bits
        )),
        "ECDSA" if info.key_bits > 0 && info.key_bits < 256 => Some(format!(
            "a {}-bit EC key ({}; at least 256 bits needed)",
            info.key_bits,
            info.key_curve.as_deref().unwrap_or("unknown curve")
        )),
        "DSA" => Some(format!(
            "a DSA key ({} bits; DSA is no longer accepted for TLS certificates)",
            info.key_bits
        )),
        _ => None,
    }
}
