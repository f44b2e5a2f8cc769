//! DNS look-ups the scanner needs beyond addresses: the CAA records of a name (RFC 8659) and
//! its HTTPS records (RFC 9460, type 65, whose `ech` SvcParam carries an ECHConfigList).
//!
//! Messages are encoded and decoded by hickory-proto (a well-kept implementation of the DNS
//! wire format); the exchange itself is one UDP query with EDNS(0), retried over TCP when the
//! answer is truncated, to one server: `--dns-server ADDR:PORT`, else the first `nameserver`
//! of /etc/resolv.conf. Every exchange has a deadline. Nothing here runs unless asked
//! (`scan --dns`): tests point it at a dnsmasq on loopback.

use hickory_proto::op::{Edns, Message, MessageType, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};
use hickory_proto::serialize::binary::BinEncodable;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

/// Why a look-up gave no answer: one line saying what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsError(pub String);

impl fmt::Display for DnsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DnsError {}

fn err(s: impl Into<String>) -> DnsError {
    DnsError(s.into())
}

/// Where queries go, and how long each may take.
#[derive(Debug, Clone)]
pub struct Resolver {
    server: SocketAddr,
    timeout: Duration,
}

/// One CAA record (RFC 8659 section 4.1).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CaaRecord {
    /// The flags octet (128: issuer critical).
    pub flags: u8,
    /// The property tag: issue, issuewild, iodef, issuemail … (peer bytes: escape when shown).
    pub tag: String,
    /// The value as the record carries it (peer bytes, lossily UTF-8; escape when shown).
    pub value: String,
}

/// The relevant CAA record set of a name: the first non-empty one climbing from the name
/// towards its parents (RFC 8659 section 3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaaLookup {
    /// The name the records were found at (the scanned name or a parent); None: none anywhere.
    pub found_at: Option<String>,
    /// The records (empty: no CAA record, so any CA may issue).
    pub records: Vec<CaaRecord>,
}

/// One SvcParam of an HTTPS record: its key and its value's wire bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SvcParam {
    /// The SvcParamKey (0 mandatory, 1 alpn, 2 no-default-alpn, 3 port, 4 ipv4hint, 5 ech,
    /// 6 ipv6hint, …).
    pub key: u16,
    /// The value as it was on the wire (without its length prefix).
    pub value: Vec<u8>,
}

/// One HTTPS record (RFC 9460).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpsRecord {
    /// SvcPriority (0: alias mode).
    pub priority: u16,
    /// TargetName ("." : the owner name).
    pub target: String,
    /// The SvcParams in record order.
    pub params: Vec<SvcParam>,
}

impl HttpsRecord {
    /// The SvcParamKey of `ech` (RFC 9460 section 14.3.2, draft-ietf-tls-svcb-ech).
    pub const ECH: u16 = 5;

    /// The `ech` SvcParam's ECHConfigList, when the record has one.
    pub fn ech_config_list(&self) -> Option<&[u8]> {
        self.params
            .iter()
            .find(|p| p.key == Self::ECH)
            .map(|p| p.value.as_slice())
    }
}

impl Resolver {
    /// Queries to `server`, or to the system's first resolver (/etc/resolv.conf) when None.
    pub fn new(server: Option<SocketAddr>, timeout: Duration) -> Result<Resolver, DnsError> {
        let server = match server {
            Some(s) => s,
            None => system_server()?,
        };
        Ok(Resolver { server, timeout })
    }

    /// The server queried.
    pub fn server(&self) -> SocketAddr {
        self.server
    }

    /// The relevant CAA records of `name`: climbing from the name through its parents up to and
    /// including the top-level domain, but not the root (RFC 8659 section 3: "up to but not
    /// including the DNS root"). No public-suffix list is needed: the RFC asks every label.
    pub async fn caa(&self, name: &str) -> Result<CaaLookup, DnsError> {
        let mut current =
            Name::from_ascii(name).map_err(|e| err(format!("{name:?} is no DNS name: {e}")))?;
        current.set_fqdn(true);
        loop {
            let records = caa_of(&self.query(&current, RecordType::CAA).await?);
            if !records.is_empty() {
                return Ok(CaaLookup {
                    found_at: Some(current.to_ascii().trim_end_matches('.').to_string()),
                    records,
                });
            }
            if current.num_labels() <= 1 {
                return Ok(CaaLookup {
                    found_at: None,
                    records: Vec::new(),
                });
            }
            current = current.base_name();
        }
    }

    /// The HTTPS records (type 65) of `name`, with their SvcParams' raw values.
    pub async fn https_records(&self, name: &str) -> Result<Vec<HttpsRecord>, DnsError> {
        let mut n =
            Name::from_ascii(name).map_err(|e| err(format!("{name:?} is no DNS name: {e}")))?;
        n.set_fqdn(true);
        https_of(&self.query(&n, RecordType::HTTPS).await?)
    }

    /// The answer section's record data for one question (NXDOMAIN and NODATA: empty).
    async fn query(&self, name: &Name, typ: RecordType) -> Result<Vec<RData>, DnsError> {
        let mut m = Message::query();
        m.add_query(Query::query(name.clone(), typ));
        m.metadata.recursion_desired = true;
        let mut edns = Edns::new();
        edns.set_max_payload(4096);
        m.set_edns(edns);
        let id = m.metadata.id;
        let wire = m
            .to_vec()
            .map_err(|e| err(format!("encoding the DNS query: {e}")))?;
        let what = format!("{} {typ}", name.to_ascii());
        let mut reply = tokio::time::timeout(self.timeout, self.udp(&wire))
            .await
            .map_err(|_| {
                err(format!(
                    "no DNS answer from {} within the timeout ({what})",
                    self.server
                ))
            })??;
        let mut answer = parse(&reply, id, &what)?;
        if answer.metadata.truncation {
            reply = tokio::time::timeout(self.timeout, self.tcp(&wire))
                .await
                .map_err(|_| {
                    err(format!(
                        "no DNS answer over TCP from {} within the timeout ({what})",
                        self.server
                    ))
                })??;
            answer = parse(&reply, id, &what)?;
        }
        match answer.metadata.response_code {
            ResponseCode::NoError | ResponseCode::NXDomain => {}
            rc => {
                return Err(err(format!(
                    "the DNS server {} answered {rc} ({what})",
                    self.server
                )))
            }
        }
        Ok(answer
            .answers
            .into_iter()
            .filter(|r| r.record_type() == typ)
            .map(|r| r.data)
            .collect())
    }

    async fn udp(&self, wire: &[u8]) -> Result<Vec<u8>, DnsError> {
        let local: SocketAddr = match self.server.ip() {
            IpAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
            IpAddr::V6(_) => (std::net::Ipv6Addr::UNSPECIFIED, 0).into(),
        };
        let sock = UdpSocket::bind(local)
            .await
            .map_err(|e| err(format!("a UDP socket for DNS: {e}")))?;
        sock.connect(self.server)
            .await
            .map_err(|e| err(format!("DNS server {}: {e}", self.server)))?;
        sock.send(wire)
            .await
            .map_err(|e| err(format!("DNS server {}: {e}", self.server)))?;
        let mut buf = vec![0u8; 65_535];
        let n = sock
            .recv(&mut buf)
            .await
            .map_err(|e| err(format!("DNS server {}: {e}", self.server)))?;
        buf.truncate(n);
        Ok(buf)
    }

    async fn tcp(&self, wire: &[u8]) -> Result<Vec<u8>, DnsError> {
        let io = |e: std::io::Error| err(format!("DNS server {} over TCP: {e}", self.server));
        let mut s = TcpStream::connect(self.server).await.map_err(io)?;
        let len = u16::try_from(wire.len()).map_err(|_| err("DNS query too long"))?;
        let mut out = len.to_be_bytes().to_vec();
        out.extend_from_slice(wire);
        s.write_all(&out).await.map_err(io)?;
        let n = s.read_u16().await.map_err(io)?;
        let mut buf = vec![0u8; usize::from(n)];
        s.read_exact(&mut buf).await.map_err(io)?;
        Ok(buf)
    }
}

/// The CAA records among an answer's record data.
fn caa_of(answer: &[RData]) -> Vec<CaaRecord> {
    answer
        .iter()
        .filter_map(|d| match d {
            RData::CAA(c) => Some(CaaRecord {
                flags: c.flags(),
                tag: c.tag.clone(),
                value: String::from_utf8_lossy(&c.value).into_owned(),
            }),
            _ => None,
        })
        .collect()
}

/// The HTTPS records among an answer's record data, SvcParams as their wire bytes.
fn https_of(answer: &[RData]) -> Result<Vec<HttpsRecord>, DnsError> {
    let mut out = Vec::new();
    for d in answer {
        let RData::HTTPS(h) = d else { continue };
        let mut params = Vec::new();
        for (key, value) in &h.0.svc_params {
            // The encoder writes the 2-byte length first: the value follows it.
            let bytes = value
                .to_bytes()
                .map_err(|e| err(format!("an HTTPS record's SvcParam: {e}")))?;
            params.push(SvcParam {
                key: u16::from(*key),
                value: bytes.get(2..).unwrap_or_default().to_vec(),
            });
        }
        out.push(HttpsRecord {
            priority: h.0.svc_priority,
            target: h.0.target_name.to_ascii(),
            params,
        });
    }
    Ok(out)
}

/// What tlskit reads from a DNS reply, whatever its question: its CAA and HTTPS records
/// (the fuzz target `dns_reply` feeds it hostile bytes).
pub fn read_reply(reply: &[u8]) -> Result<(Vec<CaaRecord>, Vec<HttpsRecord>), DnsError> {
    let m =
        Message::from_vec(reply).map_err(|e| err(format!("the DNS answer is malformed: {e}")))?;
    let data: Vec<RData> = m.answers.into_iter().map(|r| r.data).collect();
    Ok((caa_of(&data), https_of(&data)?))
}

/// A reply to query `id`, or why it is not one.
fn parse(reply: &[u8], id: u16, what: &str) -> Result<Message, DnsError> {
    let m = Message::from_vec(reply)
        .map_err(|e| err(format!("the DNS answer ({what}) is malformed: {e}")))?;
    if m.metadata.id != id || m.metadata.message_type != MessageType::Response {
        return Err(err(format!(
            "the DNS answer ({what}) is not the reply to the query"
        )));
    }
    Ok(m)
}

/// The first `nameserver` of /etc/resolv.conf (port 53).
fn system_server() -> Result<SocketAddr, DnsError> {
    let conf = std::fs::read_to_string("/etc/resolv.conf").map_err(|e| {
        err(format!(
            "/etc/resolv.conf: {e} (give --dns-server ADDR:PORT)"
        ))
    })?;
    resolv_conf_server(&conf)
        .ok_or_else(|| err("/etc/resolv.conf names no nameserver (give --dns-server ADDR:PORT)"))
}

fn resolv_conf_server(conf: &str) -> Option<SocketAddr> {
    conf.lines()
        .filter_map(|l| l.trim().strip_prefix("nameserver"))
        .filter_map(|rest| rest.trim().split('%').next()?.parse::<IpAddr>().ok())
        .map(|ip| SocketAddr::new(ip, 53))
        .next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::rr::rdata::svcb::{EchConfigList, SvcParamKey, SvcParamValue, SVCB};
    use hickory_proto::rr::rdata::{CAA, HTTPS};
    use hickory_proto::rr::Record;

    #[test]
    fn resolv_conf_first_nameserver() {
        let conf = "# comment\nsearch example.test\nnameserver 127.0.0.53\nnameserver ::1\n";
        assert_eq!(
            resolv_conf_server(conf),
            Some("127.0.0.53:53".parse().unwrap())
        );
        assert_eq!(
            resolv_conf_server("nameserver fe80::1%eth0\n"),
            Some("[fe80::1]:53".parse().unwrap())
        );
        assert_eq!(resolv_conf_server("search x\n"), None);
    }

    /// A DNS server on loopback that answers every query with `answer(question)`.
    async fn server(answer: fn(&Message) -> Message) -> SocketAddr {
        let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = sock.local_addr().unwrap();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            while let Ok((n, from)) = sock.recv_from(&mut buf).await {
                let q = Message::from_vec(&buf[..n]).unwrap();
                let mut r = answer(&q);
                r.metadata.id = q.metadata.id;
                r.metadata.message_type = MessageType::Response;
                r.queries = q.queries.clone();
                let _ = sock.send_to(&r.to_vec().unwrap(), from).await;
            }
        });
        addr
    }

    #[tokio::test]
    async fn caa_climbs_to_the_first_name_with_records() {
        // Only example.test has CAA records; www.a.example.test climbs to it.
        let addr = server(|q| {
            let mut r = Message::query();
            let name = q.queries[0].name().clone();
            if name.to_ascii() == "example.test." {
                let caa = CAA::new_issue(
                    true,
                    Some(Name::from_ascii("ca.example.net").unwrap()),
                    Vec::new(),
                );
                r.add_answer(Record::from_rdata(name, 300, RData::CAA(caa)));
            }
            r
        })
        .await;
        let res = Resolver::new(Some(addr), Duration::from_secs(2)).unwrap();
        let got = res.caa("www.a.example.test").await.unwrap();
        assert_eq!(got.found_at.as_deref(), Some("example.test"));
        assert_eq!(
            got.records,
            vec![CaaRecord {
                flags: 128,
                tag: "issue".into(),
                value: "ca.example.net".into()
            }]
        );
    }

    #[tokio::test]
    async fn no_caa_anywhere_and_https_ech_bytes() {
        let addr = server(|q| {
            let mut r = Message::query();
            let name = q.queries[0].name().clone();
            if q.queries[0].query_type() == RecordType::HTTPS {
                let svcb = SVCB::new(
                    1,
                    Name::root(),
                    vec![(
                        SvcParamKey::EchConfigList,
                        SvcParamValue::EchConfigList(EchConfigList(vec![0, 3, 1, 2, 3])),
                    )],
                );
                r.add_answer(Record::from_rdata(name, 300, RData::HTTPS(HTTPS(svcb))));
            }
            r
        })
        .await;
        let res = Resolver::new(Some(addr), Duration::from_secs(2)).unwrap();
        let got = res.caa("www.example.test").await.unwrap();
        assert_eq!(
            got,
            CaaLookup {
                found_at: None,
                records: Vec::new()
            }
        );
        let https = res.https_records("example.test").await.unwrap();
        assert_eq!(https.len(), 1);
        assert_eq!(https[0].priority, 1);
        assert_eq!(https[0].ech_config_list(), Some(&[0u8, 3, 1, 2, 3][..]));
    }

    #[test]
    fn replies_of_the_fuzz_seeds_are_read() {
        let (caa, _) =
            read_reply(include_bytes!("../../../../fuzz/seeds/dns_reply/caa_issue")).unwrap();
        assert_eq!(caa[0].tag, "issue");
        assert_eq!(caa[0].value, "ca.example.net");
        let (_, https) =
            read_reply(include_bytes!("../../../../fuzz/seeds/dns_reply/https_ech")).unwrap();
        assert_eq!(https[0].ech_config_list(), Some(&[0u8, 3, 1, 2, 3][..]));
        assert!(read_reply(b"\x12\x34").is_err());
    }

    #[tokio::test]
    async fn a_silent_server_is_an_error_in_words() {
        let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let res =
            Resolver::new(Some(sock.local_addr().unwrap()), Duration::from_millis(200)).unwrap();
        let e = res.caa("example.test").await.unwrap_err();
        assert!(e.0.contains("no DNS answer"), "{e}");
    }
}
