//! Issuing certificates with a loaded CA.

use super::*;

/// A CA loaded for issuing.
pub struct Ca {
    cert: CertificateDer<'static>,
    key: KeyPair,
    /// Where the certificate came from.
    pub cert_path: PathBuf,
    /// Where the key came from.
    pub key_path: PathBuf,
    pub info: CertInfo,
}

impl fmt::Debug for Ca {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ca")
            .field("cert_path", &self.cert_path)
            .field("key_path", &self.key_path)
            .field("subject", &self.info.subject)
            .finish_non_exhaustive()
    }
}

/// Whether `path` (part of the CA at `ca`) exists. A folder the user may not enter is an
/// error that says so, not "does not exist" (`Path::exists` cannot tell the two apart).
pub fn ca_file_exists(path: &Path, ca: &Path) -> Result<bool> {
    match path.try_exists() {
        Ok(found) => Ok(found),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            Err(Error::input(format!(
                "cannot read {}: permission denied (the CA {} belongs to another user or is closed to you: run as its owner, ask them to issue the certificate, or make a CA of your own with `tlskit cert ca --out DIR`)",
                path.display(),
                ca.display()
            ))
            .with_source(e))
        }
        Err(e) => Err(file_error(path, "read", &e)),
    }
}

impl Ca {
    /// Load a CA: `path` is a CA directory (holding `ca.crt` and `ca.key`), or a certificate file
    /// whose key is in `key` (or in the same file). Checks that the certificate is a CA and that
    /// the key belongs to it.
    pub fn load(path: &Path, key: Option<&Path>) -> Result<Ca> {
        let (cert_path, key_path) = if ca_file_exists(path, path)? && path.is_dir() {
            let c = path.join(CA_CERT_FILE);
            let k = key
                .map(Path::to_path_buf)
                .unwrap_or_else(|| path.join(CA_KEY_FILE));
            if !ca_file_exists(&c, path)? {
                return Err(Error::input(format!(
                    "{} has no {CA_CERT_FILE}: is it a CA directory made by `tlskit cert ca`? (for a CA certificate stored elsewhere, give the file with --ca and its key with --ca-key)",
                    path.display()
                )));
            }
            if !ca_file_exists(&k, path)? {
                return Err(Error::input(format!(
                    "the CA key {} does not exist (issuing needs the CA's private key; give it with --ca-key)",
                    k.display()
                )));
            }
            (c, k)
        } else if ca_file_exists(path, path)? {
            let key_path = match key {
                Some(k) => k.to_path_buf(),
                None => {
                    let text = crate::pki::load::read_file(path)?;
                    let sibling = path.with_extension("key");
                    if String::from_utf8_lossy(&text).contains("PRIVATE KEY-----") {
                        path.to_path_buf()
                    } else if sibling != path && sibling.is_file() {
                        sibling
                    } else {
                        return Err(Error::input(format!(
                            "{} holds no private key, and there is no {} beside it: give the CA's key with --ca-key FILE",
                            path.display(),
                            sibling.display()
                        )));
                    }
                }
            };
            (path.to_path_buf(), key_path)
        } else {
            return Err(Error::input(format!(
                "CA directory {} does not exist (create one with `tlskit cert ca --out {}`)",
                path.display(),
                path.display()
            )));
        };
        let loaded = crate::pki::load::load_cert_key(&cert_path, Some(&key_path))?;
        let cert = loaded.chain[0].clone();
        let info = CertInfo::from_der(cert.as_ref())?;
        if !info.is_ca {
            return Err(Error::input(format!(
                "{} is not a CA certificate (it lacks basicConstraints CA:TRUE), so certificates it signs would not verify; use the ca.crt made by `tlskit cert ca`",
                cert_path.display()
            )));
        }
        if !info.key_usage.is_empty() && !info.key_usage.iter().any(|u| u == "keyCertSign") {
            return Err(Error::input(format!(
                "{} may not sign certificates (its keyUsage lacks keyCertSign)",
                cert_path.display()
            )));
        }
        let signing = KeyPair::try_from(&loaded.key).map_err(|_| {
            Error::input(format!(
                "the CA key in {} cannot be used for signing (supported: ECDSA P-256/P-384/P-521, RSA, Ed25519)",
                key_path.display()
            ))
        })?;
        // The key must be the certificate's: compare the public keys.
        let (_, parsed) = x509_parser::parse_x509_certificate(cert.as_ref()).map_err(|_| {
            Error::input(format!(
                "{} is not a valid certificate",
                cert_path.display()
            ))
        })?;
        if parsed
            .tbs_certificate
            .subject_pki
            .subject_public_key
            .data
            .as_ref()
            != signing.der_bytes()
        {
            return Err(Error::input(format!(
                "the private key in {} does not belong to the certificate in {} (their public keys differ)",
                key_path.display(),
                cert_path.display()
            )));
        }
        Ok(Ca {
            cert,
            key: signing,
            cert_path,
            key_path,
            info,
        })
    }

    /// The CA certificate (DER).
    pub fn cert_der(&self) -> &CertificateDer<'static> {
        &self.cert
    }

    /// The CA certificate as PEM.
    pub fn cert_pem(&self) -> String {
        pem("CERTIFICATE", self.cert.as_ref())
    }

    /// The CA's key type, when it is one tlskit generates.
    pub fn key_type(&self) -> Option<KeyType> {
        KeyType::of_certificate(&self.info)
    }

    /// Sign `msg` with the CA's key (its own algorithm; see [`Ca::signature_algorithm_der`]).
    pub fn sign(&self, msg: &[u8]) -> Result<Vec<u8>> {
        use rcgen::SigningKey as _;
        self.key
            .sign(msg)
            .map_err(|e| Error::other(format!("cannot sign with the CA key: {e}")))
    }

    /// The DER AlgorithmIdentifier of the signatures [`Ca::sign`] makes.
    pub fn signature_algorithm_der(&self) -> Vec<u8> {
        let alg = self.key.algorithm();
        let hex: &[u8] = if alg == &rcgen::PKCS_ECDSA_P256_SHA256 {
            &[
                0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
            ]
        } else if alg == &rcgen::PKCS_ECDSA_P384_SHA384 {
            &[
                0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03,
            ]
        } else if alg == &rcgen::PKCS_ED25519 {
            &[0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70]
        } else {
            // sha256WithRSAEncryption, NULL parameters.
            &[
                0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05,
                0x00,
            ]
        };
        hex.to_vec()
    }

    /// Issue a subordinate CA (pathLenConstraint 0) into `dir` as `ca.crt` + `ca.key`, replacing
    /// what is there. Labs use it for incomplete chains and for the SHA-1 signer.
    pub fn issue_intermediate(
        &self,
        dir: &Path,
        common_name: &str,
        validity: Validity,
    ) -> Result<CreatedCa> {
        check_common_name(common_name, "the intermediate's name")?;
        crate::fsutil::ensure_dir(dir, 0o700)?;
        let key = KeyType::EcdsaP256.generate()?;
        let mut params = CertificateParams::default();
        params.not_before = validity.not_before;
        params.not_after = validity.not_after;
        params.serial_number = Some(random_serial()?);
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, common_name);
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.use_authority_key_identifier_extension = true;
        let issuer = Issuer::from_ca_cert_der(&self.cert, &self.key).map_err(|e| {
            Error::other(format!(
                "cannot issue from {}: {e}",
                self.cert_path.display()
            ))
        })?;
        let cert = params
            .signed_by(&key, &issuer)
            .map_err(|e| Error::other(format!("cannot sign the intermediate: {e}")))?;
        let info = CertInfo::from_der(cert.der())?;
        let cert_path = dir.join(CA_CERT_FILE);
        let key_path = dir.join(CA_KEY_FILE);
        let files = write_all_or_nothing(
            vec![
                Planned {
                    path: key_path.clone(),
                    bytes: private_key_pem(&key).into_bytes(),
                    mode: KEY_MODE,
                    contents: "intermediate CA private key".into(),
                },
                Planned {
                    path: cert_path.clone(),
                    bytes: pem("CERTIFICATE", cert.der()).into_bytes(),
                    mode: PUBLIC_MODE,
                    contents: "intermediate CA certificate".into(),
                },
            ],
            true,
        )?;
        Ok(CreatedCa {
            directory: dir.to_path_buf(),
            certificate: cert_path,
            key: key_path,
            key_type: KeyType::EcdsaP256,
            files,
            info,
            notes: Vec::new(),
        })
    }

    /// Re-sign a certificate this CA issued with ecdsa-with-SHA1: deliberately weak, for the
    /// lab's `sha1-signature` endpoint (clients must refuse it). Needs an ECDSA P-256 CA key;
    /// aws-lc-rs signs only with SHA-2, so the SHA-1 digest is signed with the `p256` crate.
    pub fn resign_sha1(&self, cert: &CertificateDer<'_>) -> Result<CertificateDer<'static>> {
        use crate::pki::der;
        use p256::ecdsa::signature::hazmat::PrehashSigner;
        use p256::pkcs8::DecodePrivateKey;
        use sha1::Digest;
        const ECDSA_SHA1: [u8; 11] = [
            0x30, 0x09, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01,
        ];
        let signer = p256::ecdsa::SigningKey::from_pkcs8_der(self.key.serialized_der())
            .map_err(|_| Error::usage("SHA-1 re-signing needs an ECDSA P-256 CA key"))?;
        let bad = || Error::other("cannot re-sign: the certificate does not parse");
        let (outer, _) = der::expect(cert.as_ref(), der::SEQUENCE).ok_or_else(bad)?;
        let parts = der::all(outer.content).ok_or_else(bad)?;
        let tbs = parts.first().ok_or_else(bad)?;
        let fields = der::all(tbs.content).ok_or_else(bad)?;
        let alg_at = if fields.first().is_some_and(|f| f.tag == 0xa0) {
            2
        } else {
            1
        };
        let mut tbs_body = Vec::new();
        for (i, f) in fields.iter().enumerate() {
            if i == alg_at {
                tbs_body.extend_from_slice(&ECDSA_SHA1);
            } else {
                tbs_body.extend_from_slice(f.raw);
            }
        }
        let mut new_tbs = Vec::new();
        der::push_tlv(&mut new_tbs, der::SEQUENCE, &tbs_body);
        let digest = sha1::Sha1::digest(&new_tbs);
        let sig: p256::ecdsa::Signature = signer
            .sign_prehash(&digest)
            .map_err(|e| Error::other(format!("SHA-1 signing failed: {e}")))?;
        let sig_der = sig.to_der();
        let mut bits = vec![0u8];
        bits.extend_from_slice(sig_der.as_bytes());
        let mut body = new_tbs;
        body.extend_from_slice(&ECDSA_SHA1);
        der::push_tlv(&mut body, 0x03, &bits);
        let mut out = Vec::new();
        der::push_tlv(&mut out, der::SEQUENCE, &body);
        Ok(CertificateDer::from(out))
    }

    /// A CRL (v2, signed by this CA) listing `revoked`, valid from now for `days`.
    pub fn crl(&self, revoked: &[RevokedCert], days: u32) -> Result<Vec<u8>> {
        let now = OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .unwrap_or_else(|_| OffsetDateTime::now_utc());
        let params = rcgen::CertificateRevocationListParams {
            this_update: now - BACKDATE,
            next_update: now + Duration::days(i64::from(days.max(1))),
            crl_number: SerialNumber::from_slice(&(now.unix_timestamp() as u64).to_be_bytes()),
            issuing_distribution_point: None,
            revoked_certs: revoked
                .iter()
                .map(|r| rcgen::RevokedCertParams {
                    serial_number: SerialNumber::from_slice(&r.serial),
                    revocation_time: r.time,
                    reason_code: Some(rcgen::RevocationReason::KeyCompromise),
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: rcgen::KeyIdMethod::Sha256,
        };
        let issuer = Issuer::from_ca_cert_der(&self.cert, &self.key).map_err(|e| {
            Error::other(format!(
                "cannot sign a CRL with {}: {e}",
                self.cert_path.display()
            ))
        })?;
        let crl = params
            .signed_by(&issuer)
            .map_err(|e| Error::other(format!("cannot sign the CRL: {e}")))?;
        Ok(crl.der().to_vec())
    }

    /// Issue a certificate.
    pub fn issue(&self, req: &IssueRequest) -> Result<Issued> {
        self.issue_with(req, &IssueExtras::default())
    }

    /// Issue a certificate with the extras labs need (revocation pointers, a foreign public key).
    pub fn issue_with(&self, req: &IssueRequest, extras: &IssueExtras) -> Result<Issued> {
        if !req.server && !req.client {
            return Err(Error::usage(
                "a certificate needs a purpose: server, client or both",
            ));
        }
        let (names, common_name) = request_names(req)?;
        let key_type = req
            .key_type
            .or_else(|| self.key_type())
            .unwrap_or(KeyType::EcdsaP256);
        let params = leaf_params(req, &names, &common_name, key_type, extras)?;
        let (cert, key_pem) = self.sign_leaf(&params, key_type, extras)?;
        let ca_not_after = self.check_issuer_name(cert.der())?;
        let info = CertInfo::from_der(cert.der())?;
        let warnings = self.issue_warnings(req, &info, ca_not_after);
        Ok(Issued {
            cert: cert.der().clone(),
            key_pem,
            ca_pem: self.cert_pem(),
            key_type,
            info,
            warnings,
        })
    }

    /// Sign `params` with this CA: for `extras.public_key`, or for a new key pair of `key_type`
    /// (returned as PEM).
    fn sign_leaf(
        &self,
        params: &CertificateParams,
        key_type: KeyType,
        extras: &IssueExtras,
    ) -> Result<(rcgen::Certificate, String)> {
        let issuer = Issuer::from_ca_cert_der(&self.cert, &self.key).map_err(|_| {
            Error::input(format!(
                "cannot issue from {}: its subject name has a form tlskit cannot copy exactly (multi-valued or unusual attributes); use a CA made by `tlskit cert ca`",
                self.cert_path.display()
            ))
        })?;
        match &extras.public_key {
            Some(spki) => {
                let public = rcgen::SubjectPublicKeyInfo::from_der(spki)
                    .map_err(|e| Error::input(format!("unusable public key: {e}")))?;
                let cert = params
                    .signed_by(&public, &issuer)
                    .map_err(|e| Error::other(format!("cannot sign the certificate: {e}")))?;
                Ok((cert, String::new()))
            }
            None => {
                let key = key_type.generate()?;
                let cert = params
                    .signed_by(&key, &issuer)
                    .map_err(|e| Error::other(format!("cannot sign the certificate: {e}")))?;
                Ok((cert, private_key_pem(&key)))
            }
        }
    }

    /// The issuer name must be byte-for-byte the CA's subject, or verifiers will not find the CA.
    /// Returns when the CA certificate expires.
    fn check_issuer_name(&self, leaf_der: &[u8]) -> Result<OffsetDateTime> {
        let (_, leaf) = x509_parser::parse_x509_certificate(leaf_der)
            .map_err(|_| Error::other("the new certificate does not parse"))?;
        let (_, ca) = x509_parser::parse_x509_certificate(self.cert.as_ref())
            .map_err(|_| Error::other("the CA certificate does not parse"))?;
        if leaf.tbs_certificate.issuer.as_raw() != ca.tbs_certificate.subject.as_raw() {
            return Err(Error::input(format!(
                "cannot issue from {}: its subject name has a form tlskit cannot copy exactly (e.g. repeated attributes); use a CA made by `tlskit cert ca`",
                self.cert_path.display()
            )));
        }
        Ok(ca.validity().not_after.to_datetime())
    }

    /// What the holder should know about a new certificate: a CA that is not valid, a
    /// certificate that outlives its CA, lifetimes clients reject or policies flag.
    fn issue_warnings(
        &self,
        req: &IssueRequest,
        info: &CertInfo,
        ca_not_after: OffsetDateTime,
    ) -> Vec<String> {
        let mut warnings = Vec::new();
        if self.info.expired {
            warnings.push(format!(
                "the CA certificate {} expired on {}; certificates it issues will not verify",
                self.cert_path.display(),
                self.info.not_after
            ));
        } else if self.info.not_yet_valid {
            warnings.push(format!(
                "the CA certificate {} is not valid before {}; certificates it issues will not verify until then",
                self.cert_path.display(),
                self.info.not_before
            ));
        } else if ca_not_after < req.validity.not_after {
            warnings.push(format!(
                "the certificate outlives its CA (the CA expires {}); after that it will not verify",
                self.info.not_after
            ));
        }
        if req.server && info.validity_days > i64::from(APPLE_MAX_LEAF_DAYS) {
            warnings.push(format!(
                "valid for {} days: Apple platforms reject TLS server certificates valid longer than {APPLE_MAX_LEAF_DAYS} days",
                info.validity_days
            ));
        } else if req.server && info.validity_days > i64::from(CABF_MAX_LEAF_DAYS) {
            warnings.push(format!(
                "valid for {} days: longer than the {CABF_MAX_LEAF_DAYS} days public CAs may issue (`tlskit scan --policy mozilla-intermediate` flags it); fine for a lab",
                info.validity_days
            ));
        }
        warnings
    }
}

/// The request's names, parsed and deduplicated, and the subject common name.
fn request_names(req: &IssueRequest) -> Result<(Vec<SubjectName>, String)> {
    let mut names: Vec<SubjectName> = Vec::new();
    for raw in &req.names {
        let n = parse_name(raw, req.client && !req.server)?;
        if !names.contains(&n) {
            names.push(n);
        }
    }
    if names
        .iter()
        .any(|n| matches!(n, SubjectName::Plain(_) | SubjectName::Email(_)))
        && req.server
    {
        return Err(Error::usage(
            "e-mail addresses and plain names only fit client certificates; drop --server",
        ));
    }
    let sans: Vec<&SubjectName> = names
        .iter()
        .filter(|n| !matches!(n, SubjectName::Plain(_)))
        .collect();
    if req.server && sans.is_empty() {
        return Err(Error::usage(
            "give at least one DNS name or IP address, e.g. `localhost 127.0.0.1 ::1`; clients check the names in the certificate's SAN",
        ));
    }
    let common_name = match &req.common_name {
        Some(cn) => {
            check_common_name(cn, "--cn")?;
            cn.clone()
        }
        None => match names.first() {
            Some(first) => {
                let text = first.text();
                if text.chars().count() > 64 {
                    return Err(Error::usage(format!(
                        "{text:?} is longer than 64 characters, too long for the common name; give a shorter one with --cn"
                    )));
                }
                text
            }
            None => {
                return Err(Error::usage(
                    "give a name for the client certificate (a user name like alice, or an e-mail address), or --cn",
                ))
            }
        },
    };
    Ok((names, common_name))
}

/// The leaf's fields and extensions: names, validity, key usages, revocation pointers.
fn leaf_params(
    req: &IssueRequest,
    names: &[SubjectName],
    common_name: &str,
    key_type: KeyType,
    extras: &IssueExtras,
) -> Result<CertificateParams> {
    let mut params = CertificateParams::default();
    params.not_before = req.validity.not_before;
    params.not_after = req.validity.not_after;
    params.serial_number = Some(random_serial()?);
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    params.distinguished_name = dn;
    for n in names {
        let san = match n {
            SubjectName::Dns(d) => SanType::DnsName(
                d.as_str()
                    .try_into()
                    .map_err(|_| name_error(d, "not a valid DNS name"))?,
            ),
            SubjectName::Ip(ip) => SanType::IpAddress(*ip),
            SubjectName::Email(e) => SanType::Rfc822Name(
                e.as_str()
                    .try_into()
                    .map_err(|_| name_error(e, "not a valid e-mail address"))?,
            ),
            SubjectName::Plain(_) => continue,
        };
        params.subject_alt_names.push(san);
    }
    // ExplicitNoCa writes basicConstraints CA:FALSE and the subject key identifier.
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    if key_type.is_rsa() {
        params.key_usages.push(KeyUsagePurpose::KeyEncipherment);
    }
    if req.server {
        params
            .extended_key_usages
            .push(ExtendedKeyUsagePurpose::ServerAuth);
    }
    if req.client {
        params
            .extended_key_usages
            .push(ExtendedKeyUsagePurpose::ClientAuth);
    }
    params.use_authority_key_identifier_extension = true;
    if let Some(url) = &extras.crl_url {
        params.crl_distribution_points = vec![rcgen::CrlDistributionPoint {
            uris: vec![url.clone()],
        }];
    }
    if let Some(url) = &extras.ocsp_url {
        params.custom_extensions.push(aia_ocsp_extension(url));
    }
    Ok(params)
}

/// What to issue.
#[derive(Debug, Clone)]
pub struct IssueRequest {
    /// DNS names, wildcards, IP addresses; for client certificates also e-mail addresses and
    /// plain names. See [`parse_name`].
    pub names: Vec<String>,
    /// Subject CN; defaults to the first name.
    pub common_name: Option<String>,
    /// Add extended key usage serverAuth.
    pub server: bool,
    /// Add extended key usage clientAuth.
    pub client: bool,
    /// Key type; defaults to the CA's (ECDSA P-256 when the CA's is unusual).
    pub key_type: Option<KeyType>,
    pub validity: Validity,
}

/// A revoked certificate, for [`Ca::crl`] and the lab's OCSP responder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokedCert {
    /// The serial number's bytes (big-endian, as in the certificate).
    pub serial: Vec<u8>,
    pub time: OffsetDateTime,
}

/// What labs add to a certificate beyond [`IssueRequest`].
#[derive(Debug, Clone, Default)]
pub struct IssueExtras {
    /// A CRL distribution point (`http://127.0.0.1:PORT/crl`).
    pub crl_url: Option<String>,
    /// An OCSP responder, in the authority information access extension.
    pub ocsp_url: Option<String>,
    /// Certify this public key (DER SubjectPublicKeyInfo) instead of generating a key pair; the
    /// [`Issued`] then has no private key.
    pub public_key: Option<Vec<u8>>,
}

/// authorityInfoAccess (1.3.6.1.5.5.7.1.1) with one id-ad-ocsp (1.3.6.1.5.5.7.48.1) URI.
pub(super) fn aia_ocsp_extension(url: &str) -> rcgen::CustomExtension {
    use crate::pki::der;
    const ID_AD_OCSP: [u8; 8] = [0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01];
    let mut access = Vec::new();
    der::push_tlv(&mut access, 0x06, &ID_AD_OCSP);
    der::push_tlv(&mut access, 0x86, url.as_bytes()); // [6] uniformResourceIdentifier
    let mut desc = Vec::new();
    der::push_tlv(&mut desc, der::SEQUENCE, &access);
    let mut content = Vec::new();
    der::push_tlv(&mut content, der::SEQUENCE, &desc);
    rcgen::CustomExtension::from_oid_content(&[1, 3, 6, 1, 5, 5, 7, 1, 1], content)
}

/// A freshly issued certificate and its key, not yet written anywhere.
pub struct Issued {
    pub cert: CertificateDer<'static>,
    key_pem: String,
    ca_pem: String,
    pub key_type: KeyType,
    pub info: CertInfo,
    /// Things the user should know (CA expired, validity too long for some clients, …).
    pub warnings: Vec<String>,
}

impl fmt::Debug for Issued {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Issued")
            .field("subject", &self.info.subject)
            .field("key_type", &self.key_type)
            .finish_non_exhaustive()
    }
}

/// A self-signed server certificate (not a CA) for `names`: what a server makes for itself when
/// nobody issued it one — the lab's `self-signed` endpoint.
pub fn self_signed_leaf(names: &[&str], validity: Validity) -> Result<Issued> {
    let mut params = CertificateParams::default();
    params.not_before = validity.not_before;
    params.not_after = validity.not_after;
    params.serial_number = Some(random_serial()?);
    let mut dn = DistinguishedName::new();
    dn.push(
        DnType::CommonName,
        names.first().copied().unwrap_or("localhost"),
    );
    params.distinguished_name = dn;
    for n in names {
        let san = match parse_name(n, false)? {
            SubjectName::Dns(d) => SanType::DnsName(
                d.as_str()
                    .try_into()
                    .map_err(|_| name_error(&d, "not a valid DNS name"))?,
            ),
            SubjectName::Ip(ip) => SanType::IpAddress(ip),
            _ => continue,
        };
        params.subject_alt_names.push(san);
    }
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyType::EcdsaP256.generate()?;
    let cert = params
        .self_signed(&key)
        .map_err(|e| Error::other(format!("cannot make a self-signed certificate: {e}")))?;
    let info = CertInfo::from_der(cert.der())?;
    Ok(Issued {
        cert: cert.der().clone(),
        key_pem: private_key_pem(&key),
        ca_pem: String::new(),
        key_type: KeyType::EcdsaP256,
        info,
        warnings: Vec::new(),
    })
}

impl Issued {
    /// The private key as PEM; empty when the certificate was made for a foreign public key.
    pub fn has_key(&self) -> bool {
        !self.key_pem.is_empty()
    }

    /// The same certificate and key with another certificate (e.g. re-signed), described anew.
    pub fn with_certificate(self, cert: CertificateDer<'static>) -> Result<Issued> {
        let info = CertInfo::from_der(cert.as_ref())?;
        Ok(Issued { cert, info, ..self })
    }
}

/// Where [`Issued::write`] puts things.
#[derive(Debug, Clone)]
pub enum Output {
    /// One PEM file: certificate, CA certificate, private key (mode 0600) — like the
    /// `localhost.pem` Python's ssl examples load with `load_cert_chain`.
    Combined(PathBuf),
    /// Certificate (mode 0644) and private key (mode 0600) in separate files.
    Separate { cert: PathBuf, key: PathBuf },
}

impl Issued {
    /// The certificate as PEM.
    pub fn cert_pem(&self) -> String {
        pem("CERTIFICATE", self.cert.as_ref())
    }

    /// The private key as PKCS#8 PEM.
    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }

    /// Certificate, CA certificate and key in one PEM text.
    pub fn combined_pem(&self) -> String {
        format!("{}{}{}", self.cert_pem(), self.ca_pem, self.key_pem)
    }

    /// Write the outputs, all or nothing. Existing files are only replaced with `overwrite`.
    pub fn write(&self, out: &Output, overwrite: bool) -> Result<Vec<WrittenFile>> {
        let planned = match out {
            Output::Combined(path) => vec![Planned {
                path: path.clone(),
                bytes: self.combined_pem().into_bytes(),
                mode: KEY_MODE,
                contents: "certificate, CA certificate, private key".into(),
            }],
            Output::Separate { cert, key } => vec![
                Planned {
                    path: key.clone(),
                    bytes: self.key_pem.clone().into_bytes(),
                    mode: KEY_MODE,
                    contents: "private key".into(),
                },
                Planned {
                    path: cert.clone(),
                    bytes: self.cert_pem().into_bytes(),
                    mode: PUBLIC_MODE,
                    contents: "certificate".into(),
                },
            ],
        };
        write_all_or_nothing(planned, overwrite)
    }
}

/// Check before any key is generated that the outputs can be written (directories exist, files
/// do not exist unless `overwrite`), so mistakes are reported at once.
pub fn check_output(out: &Output, overwrite: bool) -> Result<()> {
    let paths: Vec<PathBuf> = match out {
        Output::Combined(p) => vec![p.clone()],
        Output::Separate { cert, key } => vec![key.clone(), cert.clone()],
    };
    let planned: Vec<Planned> = paths
        .into_iter()
        .map(|path| Planned {
            path,
            bytes: Vec::new(),
            mode: 0,
            contents: String::new(),
        })
        .collect();
    check_targets(&planned, overwrite)
}
