//! `tlskit lab`: every bad endpoint a TLS class needs, on loopback — expired, wrong host,
//! self-signed, untrusted root, incomplete chain, revoked (with a real CRL and OCSP responder),
//! SHA-1, client certificate required, HSTS, SNI-dependent certificates, and (in a build with
//! `--features legacy-lab`) the legacy protocols and ciphers rustls refuses to serve.
//!
//! * [`catalog`] — the endpoints, what each shows and what a correct client does.
//! * [`material`] — the lab CA and every certificate, made fresh at each start.
//! * [`revocation`] — the CRL + OCSP service ([`revocation::start_background`] for tests).
//! * [`ocsp`] — OCSP requests and responses.
//! * [`web`] — one bounded HTTP request and response.
//! * `legacy` — the OpenSSL endpoints (feature `legacy-lab`).

pub mod catalog;
#[cfg(feature = "legacy-lab")]
mod legacy;
pub mod material;
pub mod ocsp;
mod pages;
pub mod revocation;
pub mod web;

use crate::error::{Error, Result};
use crate::fsutil;
use catalog::{Server, Spec, ENDPOINTS, RESPONDER_OFFSET};
use material::Material;
use serde::Serialize;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// Default first port.
pub const DEFAULT_PORT_BASE: u16 = 9443;

/// Where and how to run the lab.
#[derive(Debug, Clone)]
pub struct LabOptions {
    /// The lab directory: ca.crt + ca.key (kept), endpoints.json, lab/ (made fresh).
    pub dir: PathBuf,
    pub listen: IpAddr,
    pub port_base: u16,
}

/// One endpoint as `endpoints.json` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct EndpointInfo {
    pub name: String,
    pub url: String,
    pub port: u16,
    /// What a correct client does.
    pub expect: String,
    pub demonstrates: String,
    /// What Chromium says.
    pub browser: String,
    /// The tlskit command that shows why.
    pub command: String,
    /// Served by this build.
    pub available: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unavailable: Option<String>,
}

/// The lab, ready to run: material made and every port bound.
pub struct Lab {
    pub options: LabOptions,
    pub endpoints: Vec<EndpointInfo>,
    /// The revocation service's base URL (`http://127.0.0.1:PORT`).
    pub responder_url: String,
    pub material: Arc<Material>,
    listeners: Vec<(&'static Spec, TcpListener)>,
    responder: (TcpListener, Arc<revocation::State>),
    #[cfg(feature = "legacy-lab")]
    legacy: Vec<legacy::Prepared>,
}

/// One line of the lab's log: which endpoint, what happened.
pub type LogFn = Arc<dyn Fn(&str, String) + Send + Sync>;

fn url_host(listen: IpAddr, by_ip: bool) -> String {
    let ip = if listen.is_unspecified() {
        IpAddr::from([127, 0, 0, 1])
    } else {
        listen
    };
    match (by_ip || !ip.is_loopback(), ip) {
        (false, _) => "localhost".to_string(),
        (true, IpAddr::V6(v6)) => format!("[{v6}]"),
        (true, IpAddr::V4(v4)) => v4.to_string(),
    }
}

/// The command that shows what is wrong with an endpoint.
fn command(spec: &Spec, ca: &str, dir: &Path, port: u16) -> String {
    let lab = dir.join("lab");
    let q = |p: &Path| crate::pki::trust::shell_word(&p.display().to_string());
    match spec.name {
        "good" => format!("tlskit connect -a {ca} localhost {port}"),
        "revoked" => format!(
            "tlskit connect -a {ca} --crl {} localhost {port}",
            q(&lab.join("revoked.crl"))
        ),
        "client-cert-required" => format!(
            "tlskit connect -a {ca} -c {} localhost {port}",
            q(&lab.join("client.pem"))
        ),
        "hsts" => format!("tlskit connect -a {ca} --http / localhost {port}"),
        "no-sni-different-cert" => format!("tlskit connect -a {ca} 127.0.0.1 {port}"),
        _ if spec.server == Server::Legacy => format!("tlskit scan -a {ca} localhost:{port}"),
        _ => format!("tlskit connect -a {ca} localhost {port}"),
    }
}

fn bind_error(addr: SocketAddr, e: &std::io::Error, base: u16) -> Error {
    Error::network(format!(
        "cannot listen on {addr}: {e}; the lab takes ports {base} to {} — choose others with --port-base N",
        u32::from(base) + u32::from(catalog::PORTS_USED) - 1
    ))
}

/// Make the material (reusing DIR's CA) and bind every port; nothing is served yet.
pub async fn setup(options: LabOptions) -> Result<Lab> {
    if u32::from(options.port_base) + u32::from(catalog::PORTS_USED) > 65_536
        || options.port_base == 0
    {
        return Err(Error::usage(format!(
            "--port-base {}: the lab needs {} ports from there (1 to {})",
            options.port_base,
            catalog::PORTS_USED,
            65_536 - u32::from(catalog::PORTS_USED)
        )));
    }
    let responder_addr = SocketAddr::new(options.listen, options.port_base + RESPONDER_OFFSET);
    let responder_host = url_host(options.listen, true);
    let responder_url = format!(
        "http://{responder_host}:{}",
        options.port_base + RESPONDER_OFFSET
    );
    // Bind first: a busy port must not cost a round of key generation.
    let mut listeners = Vec::new();
    for spec in ENDPOINTS.iter().filter(|s| s.server == Server::Rustls) {
        let addr = SocketAddr::new(options.listen, options.port_base + spec.offset);
        let l = crate::net::bind(&options.listen.to_string(), addr.port())
            .await
            .map_err(|e| {
                Error::network(format!(
                    "{e} — the lab takes ports {} to {}; choose others with --port-base N",
                    options.port_base,
                    u32::from(options.port_base) + u32::from(catalog::PORTS_USED) - 1
                ))
            })?;
        listeners.push((spec, l));
    }
    let responder_listener = TcpListener::bind(responder_addr)
        .await
        .map_err(|e| bind_error(responder_addr, &e, options.port_base))?;

    let material = Arc::new(material::make(
        &options.dir,
        options.listen,
        &responder_url,
    )?);
    let state = Arc::new(revocation::State::new(
        &options.dir,
        &material.revoked,
        &material.good_serials,
    )?);

    #[cfg(feature = "legacy-lab")]
    let legacy = legacy::prepare(&options, &material)?;

    let ca = crate::pki::trust::shell_word(&options.dir.join("ca.crt").display().to_string());
    let endpoints = ENDPOINTS
        .iter()
        .map(|spec| {
            let port = options.port_base + spec.offset;
            let available = spec.server == Server::Rustls || catalog::LEGACY_BUILD;
            EndpointInfo {
                name: spec.name.to_string(),
                url: format!("https://{}:{port}/", url_host(options.listen, spec.by_ip)),
                port,
                expect: spec.expect.to_string(),
                demonstrates: spec.demonstrates.to_string(),
                browser: spec.browser.to_string(),
                command: command(spec, &ca, &options.dir, port),
                available,
                unavailable: (!available).then(|| catalog::LEGACY_HINT.to_string()),
            }
        })
        .collect();
    Ok(Lab {
        options,
        endpoints,
        responder_url,
        material,
        listeners,
        responder: (responder_listener, state),
        #[cfg(feature = "legacy-lab")]
        legacy,
    })
}

impl Lab {
    /// Write DIR/endpoints.json.
    pub fn write_endpoints_json(&self) -> Result<PathBuf> {
        let path = self.options.dir.join("endpoints.json");
        let mut text = serde_json::to_string_pretty(&self.endpoints)
            .map_err(|e| Error::other(format!("cannot serialise the endpoints: {e}")))?;
        text.push('\n');
        fsutil::write_atomic(&path, text.as_bytes(), fsutil::PUBLIC_MODE, true)?;
        Ok(path)
    }

    /// Serve every endpoint until `shutdown` resolves.
    pub async fn run(
        self,
        log: LogFn,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<()> {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let index = Arc::new(pages::index(
            &self.endpoints,
            &self.options,
            &self.responder_url,
        ));
        let mut tasks = tokio::task::JoinSet::new();
        for (spec, listener) in self.listeners {
            let config = material::server_config(spec, &self.material, &self.responder.1)?;
            let page = pages::endpoint_page(spec, &self.endpoints);
            let index = index.clone();
            let log = log.clone();
            let mut stop = stop_rx.clone();
            tasks.spawn(async move {
                serve_endpoint(spec, listener, config, index, page, log, async move {
                    let _ = stop.changed().await;
                })
                .await;
            });
        }
        {
            let (listener, state) = self.responder;
            let log = log.clone();
            let mut stop = stop_rx.clone();
            tasks.spawn(async move {
                let l2 = log.clone();
                revocation::serve(
                    listener,
                    state,
                    Arc::new(move |line| l2("revocation", line)),
                    async move {
                        let _ = stop.changed().await;
                    },
                )
                .await;
            });
        }
        #[cfg(feature = "legacy-lab")]
        legacy::start(self.legacy, log.clone())?;
        shutdown.await;
        let _ = stop_tx.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(3), async {
            while tasks.join_next().await.is_some() {}
        })
        .await;
        Ok(())
    }
}

/// Deadline for a client's handshake and request.
const CLIENT_DEADLINE: Duration = Duration::from_secs(10);

async fn serve_endpoint(
    spec: &'static Spec,
    listener: TcpListener,
    config: Arc<rustls::ServerConfig>,
    index: Arc<String>,
    page: String,
    log: LogFn,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    let limit = Arc::new(tokio::sync::Semaphore::new(256));
    let page = Arc::new(page);
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            _ = &mut shutdown => return,
            a = listener.accept() => a,
        };
        let Ok((tcp, peer)) = accepted else {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let Ok(permit) = limit.clone().try_acquire_owned() else {
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let (index, page, log) = (index.clone(), page.clone(), log.clone());
        tokio::spawn(async move {
            let accept = acceptor.accept(tcp).into_fallible();
            let line = match tokio::time::timeout(CLIENT_DEADLINE, accept).await {
                Err(_) => "no handshake within 10 s".to_string(),
                Ok(Err((e, tcp))) => {
                    // Close gently: rustls has sent its alert (certificate_required …); a TLS 1.3
                    // client may already have sent its request, and closing with that unread
                    // would make the kernel answer with a reset that can destroy the alert
                    // before the client reads it.
                    linger_close(tcp).await;
                    let ctx = crate::session::verify::ErrorContext {
                        peer: peer.to_string(),
                        server_side: true,
                        ..Default::default()
                    };
                    format!(
                        "handshake failed: {}",
                        crate::session::verify::io_error(&e, &ctx, "TLS handshake")
                    )
                }
                Ok(Ok(mut tls)) => {
                    let (_, conn) = tls.get_ref();
                    let n = crate::session::report::Negotiated::from_state(conn);
                    let sni = conn
                        .server_name()
                        .map(|s| format!("SNI {s}"))
                        .unwrap_or_else(|| "no SNI".to_string());
                    let client_cert = conn
                        .peer_certificates()
                        .and_then(|c| c.first())
                        .and_then(|c| crate::session::config::subject_of(c.as_ref()))
                        .map(|s| format!(", client certificate {s}"))
                        .unwrap_or_default();
                    let hello =
                        format!("{} {}, {sni}{client_cert}", n.protocol, n.cipher_suite.name);
                    match web::read_request(&mut tls, CLIENT_DEADLINE).await {
                        Ok(req) => {
                            let path = req.target.split('?').next().unwrap_or("/").to_string();
                            let resp = respond(spec, &path, &index, &page);
                            web::write_response(&mut tls, &resp, CLIENT_DEADLINE).await;
                            format!(
                                "{hello}: {} {} → {}",
                                req.method,
                                crate::http::html_escape(&path),
                                resp.status
                            )
                        }
                        Err(e) => format!("{hello}: {e}"),
                    }
                }
            };
            log(spec.name, format!("{peer} {line}"));
            drop(permit);
        });
    }
}

/// Half-close, then read (and discard) what the client still sends for a moment, then close.
async fn linger_close(mut tcp: tokio::net::TcpStream) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let _ = tcp.shutdown().await;
    let mut buf = [0u8; 4096];
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while let Ok(n) = tcp.read(&mut buf).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
}

fn respond(spec: &Spec, path: &str, index: &str, page: &str) -> web::Response {
    let resp = match (spec.name, path) {
        ("good", "/") | (_, "/index.html") => web::Response::html(index.to_string()),
        (_, "/") => web::Response::html(page.to_string()),
        (_, "/endpoints.json") => {
            web::Response::text(404, "see the lab directory's endpoints.json\n")
        }
        _ => web::Response::text(404, "not found; try /\n"),
    };
    if spec.name == "hsts" {
        resp.with_header("Strict-Transport-Security", "max-age=300")
    } else {
        resp
    }
}

/// The default lab directory: the default CA directory ([`crate::pki::ca::default_ca_dir`]).
pub fn default_dir() -> Result<PathBuf> {
    crate::pki::ca::default_ca_dir()
}
