//! From captured frames to TCP segments: link layers (Ethernet with VLAN tags, Linux cooked v1/v2,
//! BSD/OpenBSD loopback, raw IP), IPv4 and IPv6 (with extension headers), TCP.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

pub const FIN: u8 = 0x01;
pub const SYN: u8 = 0x02;
pub const RST: u8 = 0x04;
pub const ACK: u8 = 0x10;

/// A TCP segment lifted out of a frame.
#[derive(Debug, Clone)]
pub struct TcpSegment {
    pub src: SocketAddr,
    pub dst: SocketAddr,
    pub seq: u32,
    pub ack: u32,
    pub flags: u8,
    pub payload: Vec<u8>,
    /// The capture kept fewer bytes than the segment carried (snap length).
    pub cut: bool,
}

impl TcpSegment {
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
}

/// What a frame held.
#[derive(Debug)]
pub enum Decoded {
    Tcp(TcpSegment),
    /// An IP fragment other than the first (not reassembled).
    Fragment,
    /// Not TCP over IP (ARP, UDP, ICMP…), or too short to tell.
    Other,
}

/// Decode one frame of the given link type.
pub fn decode(link_type: u32, frame: &[u8]) -> Decoded {
    let Some(ip) = network_layer(link_type, frame) else {
        return Decoded::Other;
    };
    match ip.first().map(|b| b >> 4) {
        Some(4) => ipv4(ip),
        Some(6) => ipv6(ip),
        _ => Decoded::Other,
    }
}

/// A UDP datagram lifted out of a frame (unfragmented IPv4/IPv6 only).
#[derive(Debug, Clone)]
pub struct UdpDatagram {
    pub src: SocketAddr,
    pub dst: SocketAddr,
    pub payload: Vec<u8>,
}

/// Decode one frame as UDP (for DNS); `None` for anything else.
pub fn decode_udp(link_type: u32, frame: &[u8]) -> Option<UdpDatagram> {
    let ip = network_layer(link_type, frame)?;
    let (src, dst, udp) = match ip.first()? >> 4 {
        4 => {
            let ihl = usize::from(ip.first()? & 0x0f) * 4;
            let total = usize::from(u16::from_be_bytes([*ip.get(2)?, *ip.get(3)?]));
            let frag = u16::from_be_bytes([*ip.get(6)?, *ip.get(7)?]);
            if ihl < 20 || ip.len() < ihl || *ip.get(9)? != 17 || frag & 0x3fff != 0 {
                return None; // a header cut short, not UDP, or a fragment
            }
            let end = if total >= ihl {
                total.min(ip.len())
            } else {
                ip.len()
            };
            let src = IpAddr::V4(Ipv4Addr::new(ip[12], ip[13], ip[14], ip[15]));
            let dst = IpAddr::V4(Ipv4Addr::new(ip[16], ip[17], ip[18], ip[19]));
            (src, dst, ip.get(ihl..end)?)
        }
        6 => {
            if ip.len() < 40 || ip[6] != 17 {
                return None; // extension headers before UDP are not followed
            }
            let len = usize::from(u16::from_be_bytes([ip[4], ip[5]]));
            let src = IpAddr::V6(Ipv6Addr::from(<[u8; 16]>::try_from(&ip[8..24]).ok()?));
            let dst = IpAddr::V6(Ipv6Addr::from(<[u8; 16]>::try_from(&ip[24..40]).ok()?));
            (src, dst, ip.get(40..(40 + len).min(ip.len()))?)
        }
        _ => return None,
    };
    if udp.len() < 8 {
        return None;
    }
    let sport = u16::from_be_bytes([udp[0], udp[1]]);
    let dport = u16::from_be_bytes([udp[2], udp[3]]);
    let ulen = usize::from(u16::from_be_bytes([udp[4], udp[5]]));
    let end = if ulen >= 8 {
        ulen.min(udp.len())
    } else {
        udp.len()
    };
    Some(UdpDatagram {
        src: SocketAddr::new(src, sport),
        dst: SocketAddr::new(dst, dport),
        payload: udp[8..end].to_vec(),
    })
}

/// The IP packet inside a frame.
fn network_layer(link_type: u32, f: &[u8]) -> Option<&[u8]> {
    match link_type {
        // Ethernet (also what tcpdump writes for Linux's `lo`).
        1 => {
            let mut off = 12;
            let mut ethertype = u16::from_be_bytes([*f.get(12)?, *f.get(13)?]);
            while ethertype == 0x8100 || ethertype == 0x88a8 {
                off += 4;
                ethertype = u16::from_be_bytes([*f.get(off)?, *f.get(off + 1)?]);
            }
            match ethertype {
                0x0800 | 0x86dd => f.get(off + 2..),
                _ => None,
            }
        }
        // BSD loopback: a 4-byte address family in the capturing host's byte order.
        0 => {
            let fam = f.get(..4)?;
            let le = u32::from_le_bytes([fam[0], fam[1], fam[2], fam[3]]);
            let be = u32::from_be_bytes([fam[0], fam[1], fam[2], fam[3]]);
            let ok = |v: u32| matches!(v, 2 | 24 | 28 | 30);
            if ok(le) || ok(be) {
                f.get(4..)
            } else {
                None
            }
        }
        108 => f.get(4..),
        12 | 14 | 101 | 228 | 229 => Some(f),
        // Linux cooked capture v1: protocol at offset 14 of a 16-byte header.
        113 => {
            let proto = u16::from_be_bytes([*f.get(14)?, *f.get(15)?]);
            matches!(proto, 0x0800 | 0x86dd)
                .then(|| f.get(16..))
                .flatten()
        }
        // Linux cooked capture v2: protocol first, 20-byte header.
        276 => {
            let proto = u16::from_be_bytes([*f.first()?, *f.get(1)?]);
            matches!(proto, 0x0800 | 0x86dd)
                .then(|| f.get(20..))
                .flatten()
        }
        _ => None,
    }
}

fn ipv4(p: &[u8]) -> Decoded {
    if p.len() < 20 {
        return Decoded::Other;
    }
    let ihl = usize::from(p[0] & 0x0f) * 4;
    let total = usize::from(u16::from_be_bytes([p[2], p[3]]));
    if ihl < 20 || p.len() < ihl {
        return Decoded::Other;
    }
    let frag = u16::from_be_bytes([p[6], p[7]]);
    let more_fragments = frag & 0x2000 != 0;
    let offset = frag & 0x1fff;
    if offset != 0 {
        return Decoded::Fragment;
    }
    if p[9] != 6 {
        return Decoded::Other;
    }
    let src = IpAddr::V4(Ipv4Addr::new(p[12], p[13], p[14], p[15]));
    let dst = IpAddr::V4(Ipv4Addr::new(p[16], p[17], p[18], p[19]));
    // total == 0 happens with TCP segmentation offload; then trust the captured length.
    let end = if total >= ihl {
        total.min(p.len())
    } else {
        p.len()
    };
    let declared_cut = total > p.len();
    match tcp(src, dst, &p[ihl..end], declared_cut) {
        Decoded::Tcp(mut s) if more_fragments => {
            s.cut = true;
            Decoded::Tcp(s)
        }
        d => d,
    }
}

fn ipv6(p: &[u8]) -> Decoded {
    if p.len() < 40 {
        return Decoded::Other;
    }
    let payload_len = usize::from(u16::from_be_bytes([p[4], p[5]]));
    let mut next = p[6];
    let src = IpAddr::V6(Ipv6Addr::from(
        <[u8; 16]>::try_from(&p[8..24]).expect("16 bytes"),
    ));
    let dst = IpAddr::V6(Ipv6Addr::from(
        <[u8; 16]>::try_from(&p[24..40]).expect("16 bytes"),
    ));
    let end = if payload_len == 0 {
        p.len()
    } else {
        (40 + payload_len).min(p.len())
    };
    let declared_cut = payload_len != 0 && 40 + payload_len > p.len();
    let mut off = 40;
    loop {
        match next {
            6 => return tcp(src, dst, &p[off.min(end)..end], declared_cut),
            // Hop-by-hop, routing, destination options: skip.
            0 | 43 | 60 => {
                let (Some(&n), Some(&len)) = (p.get(off), p.get(off + 1)) else {
                    return Decoded::Other;
                };
                next = n;
                off += (usize::from(len) + 1) * 8;
            }
            44 => {
                let Some(h) = p.get(off..off + 8) else {
                    return Decoded::Other;
                };
                let frag_off = u16::from_be_bytes([h[2], h[3]]) >> 3;
                if frag_off != 0 {
                    return Decoded::Fragment;
                }
                next = h[0];
                off += 8;
            }
            _ => return Decoded::Other,
        }
        if off > end {
            return Decoded::Other;
        }
    }
}

fn tcp(src: IpAddr, dst: IpAddr, t: &[u8], cut: bool) -> Decoded {
    if t.len() < 20 {
        return Decoded::Other;
    }
    let sport = u16::from_be_bytes([t[0], t[1]]);
    let dport = u16::from_be_bytes([t[2], t[3]]);
    let seq = u32::from_be_bytes([t[4], t[5], t[6], t[7]]);
    let ack = u32::from_be_bytes([t[8], t[9], t[10], t[11]]);
    let data_off = usize::from(t[12] >> 4) * 4;
    let flags = t[13];
    if data_off < 20 || data_off > t.len() {
        return Decoded::Other;
    }
    Decoded::Tcp(TcpSegment {
        src: SocketAddr::new(src, sport),
        dst: SocketAddr::new(dst, dport),
        seq,
        ack,
        flags,
        payload: t[data_off..].to_vec(),
        cut,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_header_longer_than_the_frame_is_refused() {
        // Found by fuzz/fuzz_targets/pcap_dns.rs: an IPv4 header claiming 48 bytes in an
        // 18-byte raw frame indexed past its end.
        let frame = [
            0x4c, 0x28, 0x18, 0x11, 5, 0, 0, 0, 0x11, 0x11, 0x11, 0x11, 0x11, 0x2f, 0x11, 0x11,
            0x11, 7,
        ];
        for link in [1u32, 0, 101, 113, 276] {
            assert!(decode_udp(link, &frame).is_none());
        }
    }

    fn eth_ipv4_tcp(payload: &[u8], flags: u8) -> Vec<u8> {
        let mut f = vec![0u8; 12];
        f.extend_from_slice(&[0x08, 0x00]);
        let total = (20 + 20 + payload.len()) as u16;
        f.extend_from_slice(&[
            0x45,
            0,
            (total >> 8) as u8,
            total as u8,
            0,
            0,
            0x40,
            0,
            64,
            6,
            0,
            0,
            127,
            0,
            0,
            1,
            127,
            0,
            0,
            2,
        ]);
        f.extend_from_slice(&[
            0x30, 0x39, 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, flags, 0xff, 0xff, 0, 0, 0, 0,
        ]);
        f.extend_from_slice(payload);
        f.extend_from_slice(&[0, 0, 0, 0]); // Ethernet padding must be ignored
        f
    }

    #[test]
    fn decodes_ethernet_ipv4_tcp_and_drops_padding() {
        let Decoded::Tcp(s) = decode(1, &eth_ipv4_tcp(b"hello", ACK)) else {
            panic!("not TCP")
        };
        assert_eq!(s.src.to_string(), "127.0.0.1:12345");
        assert_eq!(s.dst.port(), 443);
        assert_eq!(s.payload, b"hello");
        assert_eq!(s.seq, 1);
        assert!(s.has(ACK) && !s.has(SYN));
    }

    #[test]
    fn short_frames_are_not_tcp() {
        assert!(matches!(decode(1, &[0u8; 10]), Decoded::Other));
        assert!(matches!(decode(276, &[0u8; 3]), Decoded::Other));
        let mut f = eth_ipv4_tcp(b"", SYN);
        f.truncate(30);
        assert!(matches!(decode(1, &f), Decoded::Other));
    }
}
