//! `--fake-hello`: a wire-level responder for what OpenSSL 3 can no longer serve. It reads a
//! ClientHello and answers ServerHello + Certificate + ServerHelloDone built by hand, choosing
//! from code points the caller lists — export suites (e.g. 0x0003 EXP-RC4-MD5), TLS compression
//! (DEFLATE, for CRIME checks), no RFC 5746 renegotiation_info, a heartbeat extension. It never
//! completes a handshake: it is for scanners that decide from the ServerHello. After its flight it
//! waits for the client to close (bounded by --timeout).

use std::io::{Read, Write};
use std::net::TcpStream;

/// What the fake server answers with.
#[derive(Debug, Clone)]
pub struct FakeHello {
    /// Lowest and highest version it will answer (wire values, 0x0300..=0x0303).
    pub min_version: u16,
    pub max_version: u16,
    /// Suites it accepts, in its preference order.
    pub suites: Vec<u16>,
    /// Choose by the server's order (else the client's).
    pub server_preference: bool,
    /// Choose DEFLATE (method 1) when the client offers it.
    pub compression: bool,
    /// Answer renegotiation_info (RFC 5746) when the client signals it (ext or SCSV).
    pub secure_renegotiation: bool,
    /// Answer a heartbeat extension (peer_allowed_to_send) when the client sends one.
    pub heartbeat: bool,
    /// DER certificates sent in the Certificate message (leaf first).
    pub chain: Vec<Vec<u8>>,
}

/// The parts of a ClientHello the fake server looks at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedClientHello {
    pub legacy_version: u16,
    pub suites: Vec<u16>,
    pub compression: Vec<u8>,
    /// (type, data) in order.
    pub extensions: Vec<(u16, Vec<u8>)>,
}

impl ParsedClientHello {
    fn has_ext(&self, t: u16) -> bool {
        self.extensions.iter().any(|(x, _)| *x == t)
    }
    /// Versions the client offers: supported_versions when present, else ≤ legacy_version.
    fn offers(&self, v: u16) -> bool {
        if let Some((_, d)) = self.extensions.iter().find(|(t, _)| *t == 43) {
            if let Some((&n, rest)) = d.split_first() {
                return rest
                    .chunks_exact(2)
                    .take(n as usize / 2)
                    .any(|c| u16::from_be_bytes([c[0], c[1]]) == v);
            }
        }
        v <= self.legacy_version
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.0.len() < n {
            return Err("truncated ClientHello".into());
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, String> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
}

/// Parse a ClientHello handshake body (after the 4-byte handshake header).
pub fn parse_client_hello(body: &[u8]) -> Result<ParsedClientHello, String> {
    let mut r = Reader(body);
    let legacy_version = r.u16()?;
    r.take(32)?;
    let sid = r.u8()? as usize;
    r.take(sid)?;
    let n = r.u16()? as usize;
    if n % 2 != 0 {
        return Err("odd cipher_suites length".into());
    }
    let suites = r
        .take(n)?
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    let n = r.u8()? as usize;
    let compression = r.take(n)?.to_vec();
    let mut extensions = Vec::new();
    if !r.0.is_empty() {
        let n = r.u16()? as usize;
        let mut e = Reader(r.take(n)?);
        while !e.0.is_empty() {
            let t = e.u16()?;
            let l = e.u16()? as usize;
            extensions.push((t, e.take(l)?.to_vec()));
        }
    }
    Ok(ParsedClientHello {
        legacy_version,
        suites,
        compression,
        extensions,
    })
}

/// Read one ClientHello (possibly spread over several records) from `s`.
fn read_client_hello(s: &mut TcpStream) -> Result<ParsedClientHello, String> {
    let mut hs = Vec::new();
    loop {
        let mut h = [0u8; 5];
        s.read_exact(&mut h)
            .map_err(|e| format!("reading record: {e}"))?;
        if h[0] & 0x80 != 0 {
            return Err("SSLv2-format ClientHello (not supported by --fake-hello)".into());
        }
        if h[0] != 22 {
            return Err(format!(
                "expected a handshake record, got content type {}",
                h[0]
            ));
        }
        let len = u16::from_be_bytes([h[3], h[4]]) as usize;
        if len == 0 || len > 16384 + 2048 {
            return Err(format!("bad record length {len}"));
        }
        let mut body = vec![0u8; len];
        s.read_exact(&mut body)
            .map_err(|e| format!("reading record: {e}"))?;
        hs.extend_from_slice(&body);
        if hs.len() >= 4 {
            if hs[0] != 1 {
                return Err(format!(
                    "expected ClientHello, got handshake type {}",
                    hs[0]
                ));
            }
            let need = u32::from_be_bytes([0, hs[1], hs[2], hs[3]]) as usize;
            if need > 1 << 17 {
                return Err("ClientHello too large".into());
            }
            if hs.len() >= 4 + need {
                return parse_client_hello(&hs[4..4 + need]);
            }
        }
    }
}

fn handshake(typ: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![typ];
    v.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    v.extend_from_slice(body);
    v
}

fn records(content_type: u8, version: u16, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in data.chunks(16384) {
        out.push(content_type);
        out.extend_from_slice(&version.to_be_bytes());
        out.extend_from_slice(&(chunk.len() as u16).to_be_bytes());
        out.extend_from_slice(chunk);
    }
    out
}

/// What the server decided for one ClientHello: Ok(flight, summary) or Err(alert, reason).
pub fn respond(cfg: &FakeHello, ch: &ParsedClientHello) -> Result<(Vec<u8>, String), (u8, String)> {
    let version = (cfg.min_version..=cfg.max_version.min(0x0303))
        .rev()
        .find(|v| ch.offers(*v))
        .ok_or((70u8, "no common protocol version".to_string()))?;
    let suite = if cfg.server_preference {
        cfg.suites.iter().find(|s| ch.suites.contains(s)).copied()
    } else {
        ch.suites.iter().find(|s| cfg.suites.contains(s)).copied()
    }
    .ok_or((40u8, "no shared cipher suite".to_string()))?;
    let comp = if cfg.compression && ch.compression.contains(&1) {
        1u8
    } else {
        0
    };
    let wants_ri = ch.has_ext(0xff01) || ch.suites.contains(&0x00ff);
    let ri = cfg.secure_renegotiation && wants_ri;
    let hb = cfg.heartbeat && ch.has_ext(15);

    let mut exts = Vec::new();
    if ri {
        exts.extend_from_slice(&[0xff, 0x01, 0x00, 0x01, 0x00]);
    }
    if hb {
        exts.extend_from_slice(&[0x00, 0x0f, 0x00, 0x01, 0x01]);
    }
    let mut sh = Vec::new();
    sh.extend_from_slice(&version.to_be_bytes());
    let mut random = [0u8; 64];
    openssl::rand::rand_bytes(&mut random).map_err(|e| (80u8, e.to_string()))?;
    sh.extend_from_slice(&random[..32]);
    sh.push(32);
    sh.extend_from_slice(&random[32..]);
    sh.extend_from_slice(&suite.to_be_bytes());
    sh.push(comp);
    if !exts.is_empty() {
        sh.extend_from_slice(&(exts.len() as u16).to_be_bytes());
        sh.extend_from_slice(&exts);
    }
    let mut certs = Vec::new();
    for c in &cfg.chain {
        certs.extend_from_slice(&(c.len() as u32).to_be_bytes()[1..]);
        certs.extend_from_slice(c);
    }
    let mut cert_body = (certs.len() as u32).to_be_bytes()[1..].to_vec();
    cert_body.extend_from_slice(&certs);

    let mut flight = handshake(2, &sh);
    flight.extend(handshake(11, &cert_body));
    flight.extend(handshake(14, &[]));
    let summary = format!(
        "fake hello version=0x{version:04x} suite=0x{suite:04x} compression={comp} \
         renegotiation_info={} heartbeat={}",
        if ri { "yes" } else { "no" },
        if hb { "yes" } else { "no" }
    );
    Ok((records(22, version, &flight), summary))
}

/// Serve one connection in fake-hello mode; returns the log line.
pub fn serve(cfg: &FakeHello, mut s: TcpStream) -> String {
    let ch = match read_client_hello(&mut s) {
        Ok(ch) => ch,
        Err(e) => return format!("fake hello: {e}"),
    };
    match respond(cfg, &ch) {
        Ok((flight, summary)) => {
            if let Err(e) = s.write_all(&flight) {
                return format!("fake hello: write failed: {e}");
            }
            // Wait (bounded by the socket timeout) for the client to give up or close.
            let mut sink = [0u8; 4096];
            while matches!(s.read(&mut sink), Ok(n) if n > 0) {}
            summary
        }
        Err((alert, why)) => {
            let v = ch.legacy_version.clamp(0x0300, 0x0303);
            let _ = s.write_all(&records(21, v, &[2, alert]));
            format!("fake hello: sent alert {alert}: {why}")
        }
    }
}

/// Parse "0x0003,0x0008,0xC011" (hex, with or without 0x) into code points.
pub fn parse_suite_list(s: &str) -> Result<Vec<u16>, String> {
    s.split(',')
        .filter(|x| !x.trim().is_empty())
        .map(|x| {
            let t = x.trim();
            let h = t
                .strip_prefix("0x")
                .or_else(|| t.strip_prefix("0X"))
                .unwrap_or(t);
            u16::from_str_radix(h, 16)
                .map_err(|_| format!("--fake-suites: {t:?} is not a hex code point like 0x0003"))
        })
        .collect()
}
