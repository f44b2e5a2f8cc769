//! The lab's certificates: the lab CA in DIR (made once, name-constrained, kept so that trusting
//! it once is enough), and every endpoint's certificate made fresh at each start in DIR/lab/
//! (so validity windows and revocation URLs are always current).

use super::catalog::Spec;
use super::revocation;
use crate::error::{Error, Result};
use crate::pki::ca::{
    self, Ca, CaOptions, IssueExtras, IssueRequest, Issued, Output, RevokedCert, Validity,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::collections::HashMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A certificate chain and its key, as an endpoint serves them.
#[derive(Clone)]
pub struct Served {
    pub chain: Vec<CertificateDer<'static>>,
    pub key_pem: String,
    /// Where it was written (chain + key, one PEM).
    pub file: PathBuf,
}

/// Everything the endpoints serve.
pub struct Material {
    pub ca_dir: PathBuf,
    pub ca_cert: PathBuf,
    pub by_name: HashMap<&'static str, Served>,
    /// The fallback certificate of no-sni-different-cert.
    pub fallback: Served,
    /// The revoked certificate (for the CRL and OCSP).
    pub revoked: Vec<RevokedCert>,
    /// Serials of the lab CA's good certificates (OCSP answers "good" for them).
    pub good_serials: Vec<Vec<u8>>,
    /// The lab CA, for the client-certificate endpoint's verifier.
    pub ca_der: CertificateDer<'static>,
    /// An RSA 2048 certificate for localhost (the legacy endpoints: DHE and export need RSA).
    pub rsa: Served,
    /// Certificates and keys handed to the legacy server as files.
    pub lab_dir: PathBuf,
}

fn serial_of(cert: &CertificateDer<'_>) -> Vec<u8> {
    x509_parser::parse_x509_certificate(cert.as_ref())
        .map(|(_, c)| c.tbs_certificate.raw_serial().to_vec())
        .unwrap_or_default()
}

fn write_served(
    path: &Path,
    issued: &Issued,
    extra_chain: &[&CertificateDer<'_>],
) -> Result<Served> {
    let mut chain = vec![issued.cert.clone()];
    chain.extend(extra_chain.iter().map(|c| (*c).clone().into_owned()));
    let mut text = String::new();
    for c in &chain {
        text.push_str(&ca::pem_encode("CERTIFICATE", c.as_ref()));
    }
    text.push_str(issued.key_pem());
    crate::fsutil::write_atomic(path, text.as_bytes(), crate::fsutil::KEY_MODE, true)?;
    // The certificate alone too, for `openssl x509`, `openssl ocsp -cert` and friends.
    crate::fsutil::write_atomic(
        &path.with_extension("crt"),
        issued.cert_pem().as_bytes(),
        crate::fsutil::PUBLIC_MODE,
        true,
    )?;
    Ok(Served {
        chain,
        key_pem: issued.key_pem().to_string(),
        file: path.to_path_buf(),
    })
}

fn window(not_before: Option<&str>, days: u32) -> Result<Validity> {
    Validity::from_flags(not_before, None, Some(days), ca::DEFAULT_LEAF_DAYS)
}

/// Make the material in `dir` (the CA is created once, with the lab's name constraints).
pub fn make(dir: &Path, listen: IpAddr, responder_url: &str) -> Result<Material> {
    crate::fsutil::ensure_dir(dir, 0o700)?;
    if !dir.join(ca::CA_CERT_FILE).exists() {
        ca::create_ca(dir, &CaOptions::lab("tlskit lab CA"))?;
    }
    let lab_ca = Ca::load(dir, None).map_err(|e| e.context("the lab CA"))?;
    let lab = dir.join("lab");
    crate::fsutil::ensure_dir(&lab, 0o700)?;

    let mut names: Vec<String> = vec!["localhost".into(), "127.0.0.1".into(), "::1".into()];
    if !listen.is_unspecified() && !listen.is_loopback() {
        names.push(listen.to_string());
    }
    let request = leaf_request;
    let normal = window(None, ca::DEFAULT_LEAF_DAYS)?;
    let mut by_name = HashMap::new();
    let mut good_serials = Vec::new();
    let lab_ca_cert = lab_ca.cert_der().clone();

    // good, hsts, client-cert-required: the same kind of certificate, each its own.
    for name in ["good", "hsts", "client-cert-required"] {
        let issued = lab_ca.issue(&request(&names, normal))?;
        good_serials.push(serial_of(&issued.cert));
        by_name.insert(
            name,
            write_served(&lab.join(format!("{name}.pem")), &issued, &[])?,
        );
    }
    let expired = lab_ca.issue(&request(&names, window(Some("-31d"), 30)?))?;
    by_name.insert(
        "expired",
        write_served(&lab.join("expired.pem"), &expired, &[])?,
    );
    let future = lab_ca.issue(&request(&names, window(Some("+30d"), 30)?))?;
    by_name.insert(
        "not-yet-valid",
        write_served(&lab.join("not-yet-valid.pem"), &future, &[])?,
    );
    let wrong = lab_ca.issue(&request(&["wrong.host.test".to_string()], normal))?;
    by_name.insert(
        "wrong-host",
        write_served(&lab.join("wrong-host.pem"), &wrong, &[])?,
    );
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let selfie = ca::self_signed_leaf(&name_refs, normal)?;
    by_name.insert(
        "self-signed",
        write_served(&lab.join("self-signed.pem"), &selfie, &[])?,
    );

    other_chains(&lab, &lab_ca, &names, normal, &mut by_name)?;

    // revoked: points at the lab's CRL and OCSP responder, and is revoked there.
    let revoked = lab_ca.issue_with(
        &request(&names, normal),
        &IssueExtras {
            crl_url: Some(format!("{responder_url}/crl")),
            ocsp_url: Some(format!("{responder_url}/ocsp")),
            public_key: None,
        },
    )?;
    let revoked_list = vec![RevokedCert {
        serial: serial_of(&revoked.cert),
        time: time::OffsetDateTime::now_utc() - time::Duration::hours(1),
    }];
    // The chain includes the CA: clients checking the stapled OCSP answer (curl --cert-status)
    // look for the issuer among the certificates the server sent.
    by_name.insert(
        "revoked",
        write_served(&lab.join("revoked.pem"), &revoked, &[&lab_ca_cert])?,
    );

    // no-sni-different-cert: the right certificate by SNI, a fallback without.
    let right = lab_ca.issue(&request(&names, normal))?;
    good_serials.push(serial_of(&right.cert));
    by_name.insert(
        "no-sni-different-cert",
        write_served(&lab.join("no-sni-different-cert.pem"), &right, &[])?,
    );
    let fb = lab_ca.issue(&request(&["fallback.lab.test".to_string()], normal))?;
    let fallback = write_served(&lab.join("no-sni-fallback.pem"), &fb, &[])?;

    // A client certificate for client-cert-required.
    let client = lab_ca.issue(&IssueRequest {
        names: vec!["lab student".into()],
        common_name: None,
        server: false,
        client: true,
        key_type: Some(ca::KeyType::EcdsaP256),
        validity: normal,
    })?;
    client.write(&Output::Combined(lab.join("client.pem")), true)?;

    // RSA 2048 for localhost: the legacy server's DHE and export suites need an RSA key.
    let rsa_issued = lab_ca.issue(&IssueRequest {
        key_type: Some(ca::KeyType::Rsa2048),
        ..request(&names, normal)
    })?;
    good_serials.push(serial_of(&rsa_issued.cert));
    let rsa = write_served(&lab.join("legacy-rsa.pem"), &rsa_issued, &[])?;

    write_crl(&lab, &lab_ca, &revoked_list)?;

    Ok(Material {
        ca_dir: dir.to_path_buf(),
        ca_cert: dir.join(ca::CA_CERT_FILE),
        by_name,
        fallback,
        revoked: revoked_list,
        good_serials,
        ca_der: lab_ca_cert,
        rsa,
        lab_dir: lab,
    })
}

/// A server certificate request for `names`: ECDSA P-256, as the lab's leaves are.
fn leaf_request(names: &[String], validity: Validity) -> IssueRequest {
    IssueRequest {
        names: names.to_vec(),
        common_name: None,
        server: true,
        client: false,
        key_type: Some(ca::KeyType::EcdsaP256),
        validity,
    }
}

/// The servers whose chain involves another CA: untrusted-root, incomplete-chain (and the
/// complete chain for comparison), sha1-signature.
fn other_chains(
    lab: &Path,
    lab_ca: &Ca,
    names: &[String],
    normal: Validity,
    by_name: &mut HashMap<&'static str, Served>,
) -> Result<()> {
    let request = leaf_request;
    // untrusted-root: a second CA nobody installs.
    let untrusted_dir = lab.join("untrusted-ca");
    ca::create_ca(
        &untrusted_dir,
        &CaOptions {
            force: true,
            ..CaOptions::lab("tlskit lab UNTRUSTED root")
        },
    )?;
    let untrusted = Ca::load(&untrusted_dir, None)?;
    let u = untrusted.issue(&request(names, normal))?;
    by_name.insert(
        "untrusted-root",
        write_served(&lab.join("untrusted-root.pem"), &u, &[untrusted.cert_der()])?,
    );

    // incomplete-chain: issued by an intermediate the server does not send.
    let inter_dir = lab.join("intermediate");
    lab_ca.issue_intermediate(
        &inter_dir,
        "tlskit lab intermediate CA",
        window(None, 3650)?,
    )?;
    let inter = Ca::load(&inter_dir, None)?;
    let ic = inter.issue(&request(names, normal))?;
    by_name.insert(
        "incomplete-chain",
        write_served(&lab.join("incomplete-chain.pem"), &ic, &[])?,
    );
    // The complete chain, for comparison.
    write_served(&lab.join("complete-chain.pem"), &ic, &[inter.cert_der()])?;

    // sha1-signature: an intermediate re-signs its leaf with SHA-1 (so any lab CA key type works).
    let sha1_dir = lab.join("sha1-intermediate");
    lab_ca.issue_intermediate(
        &sha1_dir,
        "tlskit lab SHA-1 intermediate",
        window(None, 3650)?,
    )?;
    let sha1_ca = Ca::load(&sha1_dir, None)?;
    let leaf = sha1_ca.issue(&request(names, normal))?;
    let resigned = sha1_ca.resign_sha1(&leaf.cert)?;
    let leaf = leaf.with_certificate(resigned)?;
    by_name.insert(
        "sha1-signature",
        write_served(
            &lab.join("sha1-signature.pem"),
            &leaf,
            &[sha1_ca.cert_der()],
        )?,
    );
    Ok(())
}

/// The CRL as files too (DER and PEM), for curl --crlfile and openssl crl.
fn write_crl(lab: &Path, lab_ca: &Ca, revoked_list: &[RevokedCert]) -> Result<()> {
    let crl = lab_ca.crl(revoked_list, 7)?;
    crate::fsutil::write_atomic(
        &lab.join("revoked.crl"),
        &crl,
        crate::fsutil::PUBLIC_MODE,
        true,
    )?;
    crate::fsutil::write_atomic(
        &lab.join("revoked.crl.pem"),
        ca::pem_encode("X509 CRL", &crl).as_bytes(),
        crate::fsutil::PUBLIC_MODE,
        true,
    )?;
    Ok(())
}

fn key_of(s: &Served) -> Result<PrivateKeyDer<'static>> {
    PrivateKeyDer::from_pem_slice(s.key_pem.as_bytes()).map_err(|e| {
        Error::other(format!(
            "the lab's key for {} does not load: {e}",
            s.file.display()
        ))
    })
}

fn certified(s: &Served, ocsp: Option<Vec<u8>>) -> Result<Arc<rustls::sign::CertifiedKey>> {
    let key = crate::provider()
        .key_provider
        .load_private_key(key_of(s)?)
        .map_err(|e| {
            Error::other(format!(
                "the lab's key for {} is unusable: {e}",
                s.file.display()
            ))
        })?;
    let mut ck = rustls::sign::CertifiedKey::new(s.chain.clone(), key);
    ck.ocsp = ocsp;
    Ok(Arc::new(ck))
}

/// Picks the certificate by SNI: the right one with any SNI, the fallback without.
#[derive(Debug)]
struct BySni {
    with_sni: Arc<rustls::sign::CertifiedKey>,
    without: Arc<rustls::sign::CertifiedKey>,
}

impl rustls::server::ResolvesServerCert for BySni {
    fn resolve(
        &self,
        hello: rustls::server::ClientHello<'_>,
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(match hello.server_name() {
            Some(_) => self.with_sni.clone(),
            None => self.without.clone(),
        })
    }
}

/// Always the same certificate (with its stapled OCSP answer, if any).
#[derive(Debug)]
struct Fixed(Arc<rustls::sign::CertifiedKey>);

impl rustls::server::ResolvesServerCert for Fixed {
    fn resolve(
        &self,
        _hello: rustls::server::ClientHello<'_>,
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(self.0.clone())
    }
}

/// The rustls configuration of a rustls endpoint.
pub fn server_config(
    spec: &Spec,
    m: &Material,
    revocation: &revocation::State,
) -> Result<Arc<rustls::ServerConfig>> {
    let served = m
        .by_name
        .get(spec.name)
        .ok_or_else(|| Error::other(format!("no certificate made for {}", spec.name)))?;
    let builder = rustls::ServerConfig::builder_with_provider(crate::provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::other(format!("TLS settings: {e}")))?;
    let builder = if spec.name == "client-cert-required" {
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(m.ca_der.clone())
            .map_err(|e| Error::other(format!("the lab CA as a trust anchor: {e}")))?;
        let v = rustls::server::WebPkiClientVerifier::builder_with_provider(
            Arc::new(roots),
            crate::provider(),
        )
        .build()
        .map_err(|e| Error::other(format!("client verifier: {e}")))?;
        builder.with_client_cert_verifier(v)
    } else {
        builder.with_no_client_auth()
    };
    let mut config = match spec.name {
        "no-sni-different-cert" => builder.with_cert_resolver(Arc::new(BySni {
            with_sni: certified(served, None)?,
            without: certified(&m.fallback, None)?,
        })),
        "revoked" => {
            let serial = m
                .revoked
                .first()
                .map(|r| r.serial.clone())
                .unwrap_or_default();
            let staple = revocation.ocsp_for(&serial)?;
            let ck = certified(served, Some(staple))?;
            builder.with_cert_resolver(Arc::new(Fixed(ck)))
        }
        _ => builder.with_cert_resolver(Arc::new(Fixed(certified(served, None)?))),
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
