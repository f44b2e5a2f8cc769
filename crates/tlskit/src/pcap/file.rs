//! Reading capture files: classic pcap (tcpdump; microsecond and nanosecond, either byte order)
//! and pcapng (Wireshark, tshark, dumpcap; several sections and interfaces). Packets are read one
//! at a time, so a large capture is never held in memory.

use crate::error::{file_error, Error, Result};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Which container the file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Pcap,
    Pcapng,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Pcap => "pcap",
            Format::Pcapng => "pcapng",
        }
    }
}

/// One captured packet.
#[derive(Debug, Clone)]
pub struct Packet {
    /// 1-based packet number, as Wireshark counts.
    pub number: u64,
    /// Capture time since the Unix epoch.
    pub ts: Duration,
    /// LINKTYPE_* of the interface it was captured on.
    pub link_type: u32,
    /// The captured bytes (possibly fewer than the packet had: see `orig_len`).
    pub data: Vec<u8>,
    pub orig_len: u32,
}

/// The largest packet or block we accept; bigger lengths mean a damaged file.
const MAX_PACKET: usize = 256 * 1024;
const MAX_BLOCK: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone, Copy)]
enum Endian {
    Little,
    Big,
}

impl Endian {
    fn u16(self, b: &[u8]) -> u16 {
        let a = [b[0], b[1]];
        match self {
            Endian::Little => u16::from_le_bytes(a),
            Endian::Big => u16::from_be_bytes(a),
        }
    }
    fn u32(self, b: &[u8]) -> u32 {
        let a = [b[0], b[1], b[2], b[3]];
        match self {
            Endian::Little => u32::from_le_bytes(a),
            Endian::Big => u32::from_be_bytes(a),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Interface {
    link_type: u32,
    /// Timestamp units per second.
    units_per_sec: u64,
}

enum Kind {
    Pcap {
        endian: Endian,
        nanos: bool,
        link_type: u32,
        snaplen: u32,
    },
    Pcapng {
        endian: Endian,
        interfaces: Vec<Interface>,
    },
}

/// A capture file opened for reading.
pub struct CaptureReader {
    path: PathBuf,
    reader: std::io::BufReader<Box<dyn Read + Send>>,
    kind: Kind,
    offset: u64,
    count: u64,
    /// Mention `--partial` in truncation errors.
    pub partial_hint: bool,
}

/// Read exactly `buf.len()` bytes; `Ok(false)` on a clean EOF before the first byte.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<Result<(), usize>> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => return Ok(Err(got)),
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Ok(()))
}

impl CaptureReader {
    /// Open a capture and read its file header. Errors name the file and what is wrong with it.
    pub fn open(path: &Path) -> Result<CaptureReader> {
        if path.is_dir() {
            return Err(Error::input(format!(
                "{} is a directory, not a capture file",
                path.display()
            )));
        }
        let file = std::fs::File::open(path).map_err(|e| file_error(path, "open", &e))?;
        CaptureReader::from_reader(path, Box::new(file))
    }

    /// Read a capture already in memory; `name` is only used in messages. The fuzz target
    /// feeds captures this way (the same reader as [`CaptureReader::open`], without a file).
    pub fn from_bytes(name: &Path, bytes: Vec<u8>) -> Result<CaptureReader> {
        CaptureReader::from_reader(name, Box::new(std::io::Cursor::new(bytes)))
    }

    fn from_reader(path: &Path, source: Box<dyn Read + Send>) -> Result<CaptureReader> {
        let mut reader = std::io::BufReader::with_capacity(64 * 1024, source);
        let mut magic = [0u8; 4];
        match read_full(&mut reader, &mut magic).map_err(|e| file_error(path, "read", &e))? {
            Ok(()) => {}
            Err(0) => {
                return Err(Error::input(format!(
                    "{} is empty: no capture in it",
                    path.display()
                )))
            }
            Err(_) => return Err(not_a_capture(path)),
        }
        let mut me = CaptureReader {
            path: path.to_path_buf(),
            reader,
            kind: Kind::Pcap {
                endian: Endian::Little,
                nanos: false,
                link_type: 0,
                snaplen: 0,
            },
            offset: 4,
            count: 0,
            partial_hint: true,
        };
        let le = u32::from_le_bytes(magic);
        let pcap = match le {
            0xa1b2_c3d4 => Some((Endian::Little, false)),
            0xa1b2_3c4d => Some((Endian::Little, true)),
            0xd4c3_b2a1 => Some((Endian::Big, false)),
            0x4d3c_b2a1 => Some((Endian::Big, true)),
            _ => None,
        };
        if let Some((endian, nanos)) = pcap {
            let mut h = [0u8; 20];
            me.read_exact_or(&mut h, "the pcap file header")?;
            let major = endian.u16(&h[0..2]);
            if major != 2 {
                return Err(Error::input(format!(
                    "{} is pcap version {major}, which tlskit does not read (only version 2.4 exists in practice)",
                    path.display()
                )));
            }
            let snaplen = endian.u32(&h[12..16]);
            let link_type = endian.u32(&h[16..20]) & 0x0fff_ffff;
            me.kind = Kind::Pcap {
                endian,
                nanos,
                link_type,
                snaplen,
            };
            return Ok(me);
        }
        if magic == [0x0a, 0x0d, 0x0d, 0x0a] {
            let endian = me.read_shb_rest()?;
            me.kind = Kind::Pcapng {
                endian,
                interfaces: Vec::new(),
            };
            return Ok(me);
        }
        Err(not_a_capture(path))
    }

    pub fn format(&self) -> Format {
        match self.kind {
            Kind::Pcap { .. } => Format::Pcap,
            Kind::Pcapng { .. } => Format::Pcapng,
        }
    }

    fn read_exact_or(&mut self, buf: &mut [u8], what: &str) -> Result<()> {
        match read_full(&mut self.reader, buf).map_err(|e| file_error(&self.path, "read", &e))? {
            Ok(()) => {
                self.offset += buf.len() as u64;
                Ok(())
            }
            Err(got) => Err(self.truncated(what, got)),
        }
    }

    fn truncated(&self, what: &str, got: usize) -> Error {
        Error::input(format!(
            "{} is truncated: it ends in the middle of {what} (byte {}) after {} complete packet{}; the capture was cut short, or is still being written: stop the capture (Ctrl-C on tcpdump, then wait for its 'packets captured' line) and read the file again{}",
            self.path.display(),
            self.offset + got as u64,
            self.count,
            if self.count == 1 { "" } else { "s" },
            if self.partial_hint { " — --partial reads the complete packets" } else { "" }
        ))
    }

    fn malformed(&self, why: impl std::fmt::Display) -> Error {
        Error::input(format!(
            "{} is damaged at byte {} (after {} packets): {why}{}",
            self.path.display(),
            self.offset,
            self.count,
            if self.partial_hint {
                " — --partial reads the packets before it"
            } else {
                ""
            }
        ))
    }

    /// The rest of a Section Header Block whose type was just read; returns its byte order.
    fn read_shb_rest(&mut self) -> Result<Endian> {
        let mut h = [0u8; 8];
        self.read_exact_or(&mut h, "a pcapng section header")?;
        let endian = match u32::from_le_bytes([h[4], h[5], h[6], h[7]]) {
            0x1a2b_3c4d => Endian::Little,
            0x4d3c_2b1a => Endian::Big,
            _ => {
                return Err(
                    self.malformed("the pcapng section header has no valid byte-order magic")
                )
            }
        };
        let total = endian.u32(&h[0..4]) as usize;
        if total < 28 || total % 4 != 0 || total > MAX_BLOCK {
            return Err(self.malformed(format!(
                "a pcapng section header claims an impossible length ({total})"
            )));
        }
        // Skip the version, section length, options and trailing length.
        let mut rest = vec![0u8; total - 12];
        self.read_exact_or(&mut rest, "a pcapng section header")?;
        Ok(endian)
    }

    /// The next packet, `Ok(None)` at the end of the file.
    pub fn next_packet(&mut self) -> Result<Option<Packet>> {
        match self.kind {
            Kind::Pcap {
                endian,
                nanos,
                link_type,
                snaplen,
            } => self.next_pcap(endian, nanos, link_type, snaplen),
            Kind::Pcapng { .. } => self.next_pcapng(),
        }
    }

    fn next_pcap(
        &mut self,
        endian: Endian,
        nanos: bool,
        link_type: u32,
        snaplen: u32,
    ) -> Result<Option<Packet>> {
        let mut h = [0u8; 16];
        match read_full(&mut self.reader, &mut h).map_err(|e| file_error(&self.path, "read", &e))? {
            Ok(()) => self.offset += 16,
            Err(0) => return Ok(None),
            Err(got) => return Err(self.truncated("a packet header", got)),
        }
        let sec = endian.u32(&h[0..4]) as u64;
        let frac = endian.u32(&h[4..8]) as u64;
        let incl = endian.u32(&h[8..12]) as usize;
        let orig = endian.u32(&h[12..16]);
        // The file's snaplen may say anything up to 4 GiB: never trust it past MAX_BLOCK.
        let limit = MAX_PACKET.max((snaplen as usize).min(MAX_BLOCK));
        if incl > limit {
            return Err(self.malformed(format!(
                "a packet claims {incl} captured bytes (more than any real packet)"
            )));
        }
        let ts = if nanos {
            Duration::from_secs(sec) + Duration::from_nanos(frac.min(999_999_999))
        } else {
            Duration::from_secs(sec) + Duration::from_micros(frac.min(999_999))
        };
        let mut data = vec![0u8; incl];
        self.read_exact_or(&mut data, "a packet")?;
        self.count += 1;
        Ok(Some(Packet {
            number: self.count,
            ts,
            link_type,
            data,
            orig_len: orig,
        }))
    }

    fn next_pcapng(&mut self) -> Result<Option<Packet>> {
        loop {
            let mut h = [0u8; 8];
            match read_full(&mut self.reader, &mut h)
                .map_err(|e| file_error(&self.path, "read", &e))?
            {
                Ok(()) => {}
                Err(0) => return Ok(None),
                Err(got) => return Err(self.truncated("a pcapng block header", got)),
            }
            let block_start = self.offset;
            self.offset += 8;
            if h[0..4] == [0x0a, 0x0d, 0x0d, 0x0a] {
                self.start_section(&h)?;
                continue;
            }
            let Kind::Pcapng { endian, .. } = self.kind else {
                unreachable!("pcapng reader")
            };
            let typ = endian.u32(&h[0..4]);
            let total = endian.u32(&h[4..8]) as usize;
            if total < 12 || total % 4 != 0 || total > MAX_BLOCK {
                self.offset = block_start;
                return Err(self.malformed(format!(
                    "a pcapng block (type {typ}) claims an impossible length ({total})"
                )));
            }
            let mut body = vec![0u8; total - 8];
            self.read_exact_or(&mut body, "a pcapng block")?;
            let body_len = total - 12;
            let trailer = endian.u32(&body[body_len..]) as usize;
            if trailer != total {
                self.offset = block_start;
                return Err(self.malformed("a pcapng block's two length fields disagree"));
            }
            let body = &body[..body_len];
            match typ {
                1 => self.add_interface(endian, body)?,
                6 => {
                    if body.len() < 20 {
                        return Err(self.malformed("an enhanced packet block is too short"));
                    }
                    let iface = endian.u32(&body[0..4]) as usize;
                    let ts_raw = (u64::from(endian.u32(&body[4..8])) << 32)
                        | u64::from(endian.u32(&body[8..12]));
                    let cap = endian.u32(&body[12..16]) as usize;
                    let orig = endian.u32(&body[16..20]);
                    if 20 + cap > body.len() {
                        return Err(self.malformed(
                            "an enhanced packet block's captured length runs past the block",
                        ));
                    }
                    let ifc = self.interface(iface)?;
                    self.count += 1;
                    return Ok(Some(Packet {
                        number: self.count,
                        ts: ts_from_units(ts_raw, ifc.units_per_sec),
                        link_type: ifc.link_type,
                        data: body[20..20 + cap].to_vec(),
                        orig_len: orig,
                    }));
                }
                3 => {
                    if body.len() < 4 {
                        return Err(self.malformed("a simple packet block is too short"));
                    }
                    let orig = endian.u32(&body[0..4]);
                    let cap = (orig as usize).min(body.len() - 4);
                    let ifc = self.interface(0)?;
                    self.count += 1;
                    return Ok(Some(Packet {
                        number: self.count,
                        ts: Duration::ZERO,
                        link_type: ifc.link_type,
                        data: body[4..4 + cap].to_vec(),
                        orig_len: orig,
                    }));
                }
                2 => {
                    if body.len() < 20 {
                        return Err(self.malformed("a packet block is too short"));
                    }
                    let iface = endian.u16(&body[0..2]) as usize;
                    let ts_raw = (u64::from(endian.u32(&body[4..8])) << 32)
                        | u64::from(endian.u32(&body[8..12]));
                    let cap = endian.u32(&body[12..16]) as usize;
                    let orig = endian.u32(&body[16..20]);
                    if 20 + cap > body.len() {
                        return Err(
                            self.malformed("a packet block's captured length runs past the block")
                        );
                    }
                    let ifc = self.interface(iface)?;
                    self.count += 1;
                    return Ok(Some(Packet {
                        number: self.count,
                        ts: ts_from_units(ts_raw, ifc.units_per_sec),
                        link_type: ifc.link_type,
                        data: body[20..20 + cap].to_vec(),
                        orig_len: orig,
                    }));
                }
                _ => {} // name resolution, statistics, journal, custom blocks: not needed
            }
        }
    }

    /// A section header block (its first 8 bytes in `h`): a new section with its own byte order
    /// and interfaces.
    fn start_section(&mut self, h: &[u8; 8]) -> Result<()> {
        let total_bytes = [h[4], h[5], h[6], h[7]];
        let mut rest = [0u8; 4];
        self.read_exact_or(&mut rest, "a pcapng section header")?;
        let endian = match u32::from_le_bytes(rest) {
            0x1a2b_3c4d => Endian::Little,
            0x4d3c_2b1a => Endian::Big,
            _ => {
                return Err(self.malformed("a pcapng section header has no valid byte-order magic"))
            }
        };
        let total = endian.u32(&total_bytes) as usize;
        if total < 28 || total % 4 != 0 || total > MAX_BLOCK {
            return Err(self.malformed(format!(
                "a pcapng section header claims an impossible length ({total})"
            )));
        }
        let mut skip = vec![0u8; total - 12];
        self.read_exact_or(&mut skip, "a pcapng section header")?;
        self.kind = Kind::Pcapng {
            endian,
            interfaces: Vec::new(),
        };
        Ok(())
    }

    fn interface(&self, i: usize) -> Result<Interface> {
        match &self.kind {
            Kind::Pcapng { interfaces, .. } => interfaces.get(i).copied().ok_or_else(|| {
                self.malformed(format!(
                    "a packet refers to interface {i}, which was never described"
                ))
            }),
            Kind::Pcap { .. } => unreachable!("pcapng only"),
        }
    }

    fn add_interface(&mut self, endian: Endian, body: &[u8]) -> Result<()> {
        if body.len() < 8 {
            return Err(self.malformed("an interface description block is too short"));
        }
        let link_type = u32::from(endian.u16(&body[0..2]));
        let mut units_per_sec = 1_000_000u64;
        // Options: code u16, length u16, value padded to 4.
        let mut o = &body[8..];
        while o.len() >= 4 {
            let code = endian.u16(&o[0..2]);
            let len = endian.u16(&o[2..4]) as usize;
            if code == 0 {
                break;
            }
            let padded = (len + 3) & !3;
            if 4 + padded > o.len() {
                break;
            }
            if code == 9 && len >= 1 {
                let v = o[4];
                units_per_sec = if v & 0x80 == 0 {
                    10u64.checked_pow(u32::from(v)).unwrap_or(1_000_000)
                } else {
                    1u64.checked_shl(u32::from(v & 0x7f)).unwrap_or(1_000_000)
                };
            }
            o = &o[4 + padded..];
        }
        if let Kind::Pcapng { interfaces, .. } = &mut self.kind {
            interfaces.push(Interface {
                link_type,
                units_per_sec: units_per_sec.max(1),
            });
        }
        Ok(())
    }
}

fn ts_from_units(raw: u64, per_sec: u64) -> Duration {
    let secs = raw / per_sec;
    let rem = raw % per_sec;
    let nanos = (u128::from(rem) * 1_000_000_000u128 / u128::from(per_sec)) as u64;
    Duration::from_secs(secs) + Duration::from_nanos(nanos)
}

fn not_a_capture(path: &Path) -> Error {
    Error::input(format!(
        "{} is not a pcap or pcapng capture (its first bytes are neither magic number); capture with `tcpdump -w FILE` or `tshark -w FILE`",
        path.display()
    ))
}

/// The name of a link type, for reports.
pub fn link_type_name(lt: u32) -> String {
    match lt {
        0 => "null (BSD loopback)".into(),
        1 => "ethernet".into(),
        12 | 14 | 101 => "raw IP".into(),
        108 => "OpenBSD loopback".into(),
        113 => "Linux cooked (SLL)".into(),
        228 => "raw IPv4".into(),
        229 => "raw IPv6".into(),
        276 => "Linux cooked v2 (SLL2)".into(),
        other => format!("link type {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A capture in memory reads as the same capture in a file does: header, packet, errors.
    #[test]
    fn bytes_and_files_read_alike() {
        let mut pcap = Vec::new();
        pcap.extend(0xa1b2_c3d4u32.to_le_bytes());
        pcap.extend(2u16.to_le_bytes());
        pcap.extend(4u16.to_le_bytes());
        pcap.extend([0u8; 8]);
        pcap.extend(65535u32.to_le_bytes());
        pcap.extend(1u32.to_le_bytes()); // ethernet
        pcap.extend(1_700_000_000u32.to_le_bytes());
        pcap.extend(5u32.to_le_bytes());
        pcap.extend(3u32.to_le_bytes());
        pcap.extend(3u32.to_le_bytes());
        pcap.extend([1u8, 2, 3]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("one.pcap");
        std::fs::write(&path, &pcap).unwrap();
        let mut from_file = CaptureReader::open(&path).unwrap();
        let mut from_bytes = CaptureReader::from_bytes(&path, pcap.clone()).unwrap();
        assert_eq!(from_bytes.format(), Format::Pcap);
        let a = from_file.next_packet().unwrap().unwrap();
        let b = from_bytes.next_packet().unwrap().unwrap();
        assert_eq!((a.link_type, a.data.clone()), (b.link_type, b.data.clone()));
        assert_eq!(b.data, [1, 2, 3]);
        assert!(from_bytes.next_packet().unwrap().is_none());
        let empty = CaptureReader::from_bytes(Path::new("x.pcap"), Vec::new());
        assert!(empty.err().unwrap().to_string().contains("x.pcap is empty"));
        let truncated = CaptureReader::from_bytes(Path::new("t.pcap"), pcap[..10].to_vec());
        assert!(truncated.is_err());
    }
}
