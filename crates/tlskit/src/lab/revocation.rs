//! A revocation service for a lab CA over plain HTTP on loopback: its CRL (`GET /crl`, DER;
//! `/crl.pem`) and an OCSP responder (`POST /ocsp`, or `GET /ocsp/<base64 request>` as RFC 6960
//! appendix A allows). Responses are signed by the CA itself.
//!
//! `tlskit lab` runs one for its `revoked` endpoint; tests (and the scanner's revocation check)
//! start one for any CA directory with [`start_background`].

use super::ocsp::{self, CertStatus, IssuerKeys, RequestError};
use super::web::{self, Response};
use crate::error::{Error, Result};
use crate::pki::ca::{Ca, RevokedCert};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// How long signed answers stay valid.
const VALID_SECS: i64 = 7 * 86_400;
/// Deadline for one request.
const REQUEST_DEADLINE: Duration = Duration::from_secs(10);

/// What the responder knows.
pub struct State {
    ca: Ca,
    issuer: IssuerKeys,
    crl_der: Vec<u8>,
    statuses: HashMap<Vec<u8>, CertStatus>,
}

/// One line per request, for the lab's log.
pub type LogFn = Arc<dyn Fn(String) + Send + Sync>;

impl State {
    /// The CA in `ca_dir` (ca.crt + ca.key), the certificates it revoked, and the serials it
    /// knows to be good; any other serial is answered "unknown".
    pub fn new(ca_dir: &Path, revoked: &[RevokedCert], good: &[Vec<u8>]) -> Result<State> {
        let ca = Ca::load(ca_dir, None)?;
        let issuer = IssuerKeys::from_cert(ca.cert_der().as_ref())
            .ok_or_else(|| Error::input("the CA certificate does not parse"))?;
        let crl_der = ca.crl(revoked, 7)?;
        let mut statuses = HashMap::new();
        for g in good {
            statuses.insert(normalise_serial(g), CertStatus::Good);
        }
        for r in revoked {
            statuses.insert(
                normalise_serial(&r.serial),
                CertStatus::Revoked(r.time.unix_timestamp()),
            );
        }
        Ok(State {
            ca,
            issuer,
            crl_der,
            statuses,
        })
    }

    /// The CRL (DER).
    pub fn crl(&self) -> &[u8] {
        &self.crl_der
    }

    /// A signed OCSP response about `serial` (for stapling).
    pub fn ocsp_for(&self, serial: &[u8]) -> Result<Vec<u8>> {
        let req = ocsp::build_request(&self.issuer, serial);
        self.answer_ocsp(&req)
            .map_err(|e| Error::other(format!("cannot make an OCSP response: {e}")))
    }

    fn status(&self, serial: &[u8]) -> CertStatus {
        self.statuses
            .get(&normalise_serial(serial))
            .copied()
            .unwrap_or(CertStatus::Unknown)
    }

    /// Answer a DER OCSPRequest with a DER OCSPResponse (an error status for bad requests).
    pub fn answer_ocsp(&self, request: &[u8]) -> std::result::Result<Vec<u8>, String> {
        let ids = match ocsp::parse_request(request) {
            Ok(ids) => ids,
            Err(RequestError::Malformed(_)) | Err(RequestError::UnsupportedHash) => {
                return Ok(ocsp::error_response(1))
            }
        };
        if !ids.iter().any(|id| self.issuer.matches(id)) {
            return Ok(ocsp::error_response(6)); // unauthorized: not our CA
        }
        let answers: Vec<(Vec<u8>, CertStatus)> = ids
            .iter()
            .map(|id| {
                let status = if self.issuer.matches(id) {
                    self.status(&id.serial)
                } else {
                    CertStatus::Unknown
                };
                (id.raw.clone(), status)
            })
            .collect();
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        ocsp::build_response(
            &self.issuer,
            self.ca.cert_der().as_ref(),
            &answers,
            now,
            VALID_SECS,
            &self.ca.signature_algorithm_der(),
            |tbs| self.ca.sign(tbs).ok(),
        )
        .ok_or_else(|| "signing failed".to_string())
    }

    fn route(&self, req: &web::Request) -> (Response, String) {
        let path = req.target.split('?').next().unwrap_or("");
        match (req.method.as_str(), path) {
            ("GET", "/crl") | ("GET", "/crl.der") => (
                Response::new(200, "application/pkix-crl", self.crl_der.clone()),
                "CRL".into(),
            ),
            ("GET", "/crl.pem") => (
                Response::new(
                    200,
                    "application/x-pem-file",
                    crate::pki::ca::pem_encode("X509 CRL", &self.crl_der),
                ),
                "CRL (PEM)".into(),
            ),
            ("GET", "/ca.crt") => (
                Response::new(
                    200,
                    "application/x-x509-ca-cert",
                    self.ca.cert_der().as_ref().to_vec(),
                ),
                "CA certificate".into(),
            ),
            ("POST", p) if p == "/" || p.starts_with("/ocsp") => self.ocsp_http(&req.body),
            ("GET", p) if p.starts_with("/ocsp/") => {
                let encoded = crate::http::percent_decode(&p["/ocsp/".len()..], false);
                match crate::base64::decode_lenient(&encoded) {
                    Some(der) => self.ocsp_http(&der),
                    None => (
                        Response::new(200, "application/ocsp-response", ocsp::error_response(1)),
                        "OCSP: malformed (not base64)".into(),
                    ),
                }
            }
            _ => (
                Response::text(
                    404,
                    "tlskit lab revocation service: GET /crl, GET /crl.pem, POST /ocsp, GET /ocsp/<base64>\n",
                ),
                format!("404 {}", crate::http::html_escape(path)),
            ),
        }
    }

    fn ocsp_http(&self, der: &[u8]) -> (Response, String) {
        let what = match ocsp::parse_request(der) {
            Ok(ids) => ids
                .iter()
                .map(|id| {
                    let st = if self.issuer.matches(id) {
                        match self.status(&id.serial) {
                            CertStatus::Good => "good",
                            CertStatus::Revoked(_) => "revoked",
                            CertStatus::Unknown => "unknown",
                        }
                    } else {
                        "unauthorized (another CA)"
                    };
                    format!("serial {} {st}", hex::encode(&id.serial))
                })
                .collect::<Vec<_>>()
                .join(", "),
            Err(_) => "malformed request".into(),
        };
        match self.answer_ocsp(der) {
            Ok(body) => (
                Response::new(200, "application/ocsp-response", body),
                format!("OCSP: {what}"),
            ),
            Err(e) => (
                Response::new(200, "application/ocsp-response", ocsp::error_response(2)),
                format!("OCSP: internal error: {e}"),
            ),
        }
    }
}

/// Serial numbers compare without leading zero octets.
fn normalise_serial(s: &[u8]) -> Vec<u8> {
    let skip = s.iter().take_while(|b| **b == 0).count();
    s[skip.min(s.len().saturating_sub(1))..].to_vec()
}

/// Serve until `shutdown` resolves. Each connection: one request, one answer, close.
pub async fn serve(
    listener: TcpListener,
    state: Arc<State>,
    log: LogFn,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let limit = Arc::new(tokio::sync::Semaphore::new(256));
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            _ = &mut shutdown => return,
            a = listener.accept() => a,
        };
        let Ok((mut tcp, peer)) = accepted else {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let Ok(permit) = limit.clone().try_acquire_owned() else {
            continue; // over the limit: drop the connection
        };
        let state = state.clone();
        let log = log.clone();
        tokio::spawn(async move {
            match web::read_request(&mut tcp, REQUEST_DEADLINE).await {
                Ok(req) => {
                    let (resp, what) = state.route(&req);
                    web::write_response(&mut tcp, &resp, REQUEST_DEADLINE).await;
                    log(format!(
                        "{peer} {} {} → {what}",
                        req.method,
                        crate::http::html_escape(req.target.split('?').next().unwrap_or(""))
                    ));
                }
                Err(e) => log(format!("{peer} {e}")),
            }
            drop(permit);
        });
    }
}

/// A responder running on its own thread; stops when dropped.
pub struct BackgroundResponder {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BackgroundResponder {
    /// `http://ADDR/crl`.
    pub fn crl_url(&self) -> String {
        format!("http://{}/crl", self.addr)
    }
    /// `http://ADDR/ocsp`.
    pub fn ocsp_url(&self) -> String {
        format!("http://{}/ocsp", self.addr)
    }
}

impl Drop for BackgroundResponder {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Start a revocation service for the CA in `ca_dir` on `listen` (port 0 picks one) on a thread
/// of its own: `revoked` are answered revoked (and listed in the CRL), `good` good, anything
/// else unknown. For tests and tools that need a real CRL/OCSP endpoint on loopback.
pub fn start_background(
    ca_dir: &Path,
    listen: SocketAddr,
    revoked: &[RevokedCert],
    good: &[Vec<u8>],
) -> Result<BackgroundResponder> {
    let state = Arc::new(State::new(ca_dir, revoked, good)?);
    let std_listener = std::net::TcpListener::bind(listen)
        .map_err(|e| Error::network(format!("cannot listen on {listen}: {e}")))?;
    std_listener
        .set_nonblocking(true)
        .map_err(|e| Error::network(e.to_string()))?;
    let addr = std_listener
        .local_addr()
        .map_err(|e| Error::network(e.to_string()))?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("tlskit-revocation".into())
        .spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                let Ok(listener) = TcpListener::from_std(std_listener) else {
                    return;
                };
                serve(listener, state, Arc::new(|_| {}), async {
                    let _ = rx.await;
                })
                .await;
            });
        })
        .map_err(|e| Error::other(format!("cannot start a thread: {e}")))?;
    Ok(BackgroundResponder {
        addr,
        stop: Some(tx),
        thread: Some(thread),
    })
}
