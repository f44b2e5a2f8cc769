//! Well-known Diffie-Hellman primes. A prime shared by many servers is worth precomputing for
//! (the Logjam paper's point: one 1024-bit precomputation breaks every server using that prime).
//! Sources: RFC 2409 and RFC 3526 (computed from their formula), RFC 5114, and the built-in
//! defaults of common servers as listed by nmap's ssl-dh-params and weakdh.org. Public values;
//! every entry was checked prime when the list was written.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// (label, bits, prime as upper-case hex). Labels are unique (the JSON names a prime by it).
pub const COMMON_PRIMES: &[(&str, u16, &str)] = &[
    ("RFC 2409 Oakley group 1 (768-bit MODP)", 768, "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD\
        EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A63A3620FFFFFFFFFFFFFFFF"),
    ("RFC 2409 Oakley group 2 (1024-bit MODP)", 1024, "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD\
        EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED\
        EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF"),
    ("RFC 3526 group 5 (1536-bit MODP)", 1536, "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD\
        EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED\
        EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F\
        83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA237327FFFFFFFFFFFFFFFF"),
    ("RFC 3526 group 14 (2048-bit MODP)", 2048, "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD\
        EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED\
        EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F\
        83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B\
        E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510\
        15728E5A8AACAA68FFFFFFFFFFFFFFFF"),
    ("RFC 5114 1024-bit MODP group with 160-bit subgroup", 1024, "B10B8F96A080E01DDE92DE5EAE5D54EC52C99FBCFB06A3C69A6A9DCA52D23B616073E28675A23D189838EF1E2EE652C0\
        13ECB4AEA906112324975C3CD49B83BFACCBDD7D90C4BD7098488E9C219A73724EFFD6FAE5644738FAA31A4FF55BCCC0\
        A151AF5F0DC8B4BD45BF37DF365C1A65E68CFDA76D4DA708DF1FB2BC2E4A4371"),
    ("RFC 5114 2048-bit MODP group with 224-bit subgroup", 2048, "AD107E1E9123A9D0D660FAA79559C51FA20D64E5683B9FD1B54B1597B61D0A75E6FA141DF95A56DBAF9A3C407BA1DF15\
        EB3D688A309C180E1DE6B85A1274A0A66D3F8152AD6AC2129037C9EDEFDA4DF8D91E8FEF55B7394B7AD5B7D0B6C12207\
        C9F98D11ED34DBF6C6BA0B2C8BBC27BE6A00E0A0B9C49708B3BF8A317091883681286130BC8985DB1602E714415D9330\
        278273C7DE31EFDC7310F7121FD5A07415987D9ADC0A486DCDF93ACC44328387315D75E198C641A480CD86A1B9E587E8\
        BE60E69CC928B2B9C52172E413042E9B23F10B0E16E79763C9B53DCF4BA80A29E3FB73C16B8E75B97EF363E2FFA31F71\
        CF9DE5384E71B81C0AC4DFFE0C10E64F"),
    ("RFC 5114 2048-bit MODP group with 256-bit subgroup", 2048, "87A8E61DB4B6663CFFBBD19C651959998CEEF608660DD0F25D2CEED4435E3B00E00DF8F1D61957D4FAF7DF4561B2AA30\
        16C3D91134096FAA3BF4296D830E9A7C209E0C6497517ABD5A8A9D306BCF67ED91F9E6725B4758C022E0B1EF4275BF7B\
        6C5BFC11D45F9088B941F54EB1E59BB8BC39A0BF12307F5C4FDB70C581B23F76B63ACAE1CAA6B7902D52526735488A0E\
        F13C6D9A51BFA4AB3AD8347796524D8EF6A167B5A41825D967E144E5140564251CCACB83E6B486F6B3CA3F7971506026\
        C0B857F689962856DED4010ABD0BE621C3A3960A54E710C375F26375D7014103A4B54330C198AF126116D2276E11715F\
        693877FAD7EF09CADB094AE91E1A1597"),
    ("mod_ssl 2.0.x built-in 512-bit", 512, "D4BCD52406F69B35994B88DE5DB89682C8157F62D8F33633EE5772F11F05AB22D6B5145B9F241E5ACC31FF090A4BC711\
        48976F76795094E71E7903529F5A824B"),
    ("mod_ssl 2.2.x built-in 512-bit", 512, "9FDB8B8A004544F0045F1737D0BA2E0B274CDF1A9F588218FB435316A16E374171FD19D8D8F37C39BF863FD60E3E3006\
        80A3030C6E4C3757D08F70E6AA871033"),
    ("mod_ssl 2.2.x built-in 1024-bit", 1024, "E6969D3D495BE32C7CF180C3BDD4798E91B7818251BB055E2A2064904A79A770FA15A259CBD523A6A6EF09C43048D5A2\
        2F971F3C20129B48000E6EDD061CBC053E371D794E5327DF611EBBBE1BAC9B5C6044CF023D76E05EEA9BAD991B13A63C\
        974E9EF1839EB5DB125136F7262E56A8871538DFD823C6505085E21F0DD5C86B"),
    ("mod_ssl 2.2.x built-in 1024-bit (2)", 1024, "D67DE440CBBBDC1936D693D34AFD0AD50C84D239A45F520BB88174CB98BCE951849F912E639C72FB13B4B4D7177E16D5\
        5AC179BA420B2A29FE324A467A635E81FF5901377BEDDCFD33168A461AAD3B72DAE8860078045B07A7DBCA7874087D15\
        10EA9FCC9DDD330507DD62DB88AEAA747DE0F4D6E2BD68B0E7393E0F24218EB3"),
    ("nginx built-in 1024-bit", 1024, "BBBC2DCAD84674907C43FCF580E9CFDBD958A3F568B42D4B08EED4EB0FB3504C6C030276E710800C5CCBBAA8922614C5\
        BEECA565A5FDF1D287A2BC049BE6778060E91A92A757E3048F68B076F7D36CC8F29BA5DF81DC2CA725ECE66270CC9A50\
        35D8CECEEF9EA0274A63AB1E58FAFD4988D0F65D146757DA071DF045CFE16B9B"),
    ("OpenSSL built-in 512-bit", 512, "DA583C16D9852289D0E4AF756F4CCA92DD4BE533B804FB0FED94EF9C8A4403ED574650D36999DB29D776276BA2D3D412\
        E218F4DD1E084CF6D8003E7C4774E833"),
    ("OpenSSL built-in 1024-bit", 1024, "97F64261CAB505DD2828E13F1D68B6D3DBD0F313047F40E856DA58CB13B8A1BF2B783A4C6D59D5F92AFC6CFF3D693F78\
        B23D4F3160A9502E3EFAF7AB5E1AD5A65E554313828DA83B9FF2D941DEE95689FADAEA0936ADDF1971FE635B20AF4703\
        64603C2DE059F54B650AD8FA0CF70121C74799D7587132BE9B999BB9B787E8AB"),
    ("OpenSSL built-in 2048-bit", 2048, "ED928935824555CB3BFBA2765A690461BF21F3AB53D2CD21DAFF78191152F10EC1E255BD686F680053B9226A2FE49A34\
        1F65CC59328ABDB1DB49EDDFA71266C3FD21047018F07FD6F758511972827B22A934181D2FCB21CF6D92AE43B6A829C7\
        27A3CB00C5F2E5FB0AA45985A2BDAD45F0B3ADF9E08135EED983B3CCAEEAEB66E6A95766B9F128A53F2280D70BA6F671\
        939B810EF85A90E6CCCA6F665F7AC0101A1EF0FC2DB6080C6228B0ECDB8928EE0CA83D6594691669533C536013B02BA7\
        D48287AD1C729E4135FCC27CE951DE6185FC199B76600F33F86BB3CA520E29C307E89016CCCC0019B6ADC3A4308B33A1\
        AFD88C8D9D01DBA4C4DD7F0BBD6F38C3"),
    ("OpenSSL built-in 2048-bit (2)", 2048, "AED037C3BDF33FA2EEDC4390B70A20897B770175E9B92EB20F8061CCD4B5A591723C7934FDA9F9F3274490F850647283\
        5BE059271C4F2C035A4EE756A36613F1382DBD474DE8A4A0322122E8C730A83C3E4800EEBD6F8548A5181711BA545231\
        C843FAC4175FFAF849C440DB446D8462C1C3451B49EFA829F5C48A4C7BAC7F647EE000151AA9ED81101B36AB5C39AAFF\
        EC54A3F8F97C1B7BF406DCB42DC092A5BAA06259EFEB3FAB12B426982E8F3EF4B3F7B4C3302A24C8AA4213D845035CE4\
        A8ADD31F816616F19E21A5C95080597F8980AD6B814E35855B79E6844491527D552B72B7C78D8D6B993A736F8486B305\
        88B8F1B87E89668A8BD3F13DDC517D4B"),
    ("HAProxy 1.5 built-in 2048-bit", 2048, "EC86F870A03316EC051A7359CD1F8BF829E4D2CF52DDC2248DB5389AFB5CA4E4B2DACE665074A6854D4B1D30B82BF310\
        E9A72D0571E781DF8B59523B5F430B68F1DB07BE086B1B23EE4DCC9E0E43A01EDF438CECBEBE90B45154B92F7B64764E\
        5DD42EAEC29EAE514359C7779C503C0EED73045FF14C762AD8F8CFFC3440D1B442618466423904F868B262D755ED1B74\
        7591E0C569C1315CDB7B442ECE84580D1E660CC8449EFD4008675DFBA7768F001187E993F97DC4BC745520D44A412F43\
        421AC1F297174927376B2F887E1CA0A1899227D9565A71C156377E3A9D05E7EE5D8F8217BCE9C2933082F9F4C9AE49DB\
        D054B4D9754DFA06B8D63841B71F77F3"),
    ("Postfix built-in 1024-bit", 1024, "B0FEB4CFD45507E7CC88590D1726C50CA54A92238178DA88AA4C1306BF5D2F9EBC96B851009D0C0D75ADFD3BB17E714F\
        3F91541444B830251CEBDF729C4CF1890D683F948EA4FB768918B29116900199668C53814E273D99E75A7AAFD5ECE27E\
        FAED0118C2782559065C39F6CD4954AFC1B1EA4AF953D0DF6DAFD493E7BAAE9B"),
    ("weakdh.org 1024-bit (non-safe prime)", 1024, "D6C094AD57F5374F68D58C7B096872D945CEE1F82664E0594421E1D5E3C8E98BC3F0A6AF8F92F19E3FEF9337B99B9C93\
        A055D55A96E425734005A68ED47040FDF00A55936EBA4B93F64CBA1A004E4513611C9B217438A703A2060C2038D0CFAA\
        FFBBA48FB9DAC4B2450DC58CB0320A0317E2A31B44A02787C657FB0C0CBEC11D"),
    ("weakdh.org 1024-bit", 1024, "C9BBF5F774A8297B0F97CDDA3A3468C7117B6BF799A13D9F1F5DAC487B2241FE95EFB13C2855DFD2F898B3F99188E24E\
        DF326DD68C76CC85537283512D46F1953129C693364D8C71202EABB3EBC85C1DF53907FBD0B7EB490AD0BC9928968680\
        0C46AB04BF7CDD9AD425E6FB25592EB6258A0655D75E93B2671746AE349E721B"),
];

/// The label of a well-known prime (big-endian bytes, leading zeros ignored); the scan names
/// primes through [`DhGroup`], this is what its tests check the table with.
#[cfg(test)]
pub fn common_prime(p: &[u8]) -> Option<&'static str> {
    known_index(p).map(|i| COMMON_PRIMES[i].0)
}

/// The index in [`COMMON_PRIMES`] of a well-known prime.
fn known_index(p: &[u8]) -> Option<usize> {
    let i = p.iter().position(|b| *b != 0).unwrap_or(p.len());
    let h = hex::encode_upper(&p[i..]);
    COMMON_PRIMES.iter().position(|(_, _, x)| *x == h)
}

/// The RFC 7919 code point of a prime that is one of its ffdhe groups. Every RFC 7919 prime
/// starts with 64 one-bits followed by the digits of e (`ADF85458A2BB4A9A`) and ends with 64
/// one-bits (RFC 7919 appendix A); with the size, that picks the group (section 6.1:
/// ffdhe2048 … ffdhe8192 are 0x0100 … 0x0104).
pub fn ffdhe_group(p: &[u8]) -> Option<u16> {
    const PREFIX: [u8; 16] = [
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xAD, 0xF8, 0x54, 0x58, 0xA2, 0xBB, 0x4A,
        0x9A,
    ];
    let start = p.iter().position(|b| *b != 0).unwrap_or(p.len());
    let p = &p[start..];
    if !p.starts_with(&PREFIX) || !p.ends_with(&[0xFF; 8]) {
        return None;
    }
    match p.len() * 8 {
        2048 => Some(0x0100),
        3072 => Some(0x0101),
        4096 => Some(0x0102),
        6144 => Some(0x0103),
        8192 => Some(0x0104),
        _ => None,
    }
}

/// What a DHE server's prime is, by value: the one lookup behind the report's `dh_group`, the
/// suites' key exchange and LOGJAM's naming of shared primes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DhGroup {
    /// An RFC 7919 group, by its code point (0x0100 ffdhe2048 …).
    Ffdhe(u16),
    /// A prime of [`COMMON_PRIMES`] (RFC 2409, RFC 3526, RFC 5114, server built-ins), by index.
    WellKnown(usize),
    /// Any other prime, by its size.
    Custom {
        /// Bits of the prime.
        bits: u32,
    },
}

impl DhGroup {
    /// The group of the prime `p` (big-endian, leading zeros ignored).
    pub fn of_prime(p: &[u8]) -> DhGroup {
        if let Some(id) = ffdhe_group(p) {
            return DhGroup::Ffdhe(id);
        }
        if let Some(i) = known_index(p) {
            return DhGroup::WellKnown(i);
        }
        let bits = tlskit_wire::handshake::bit_length(p);
        DhGroup::Custom {
            bits: u32::try_from(bits).unwrap_or(u32::MAX),
        }
    }

    /// Bits of the prime.
    pub fn bits(self) -> u32 {
        match self {
            DhGroup::Ffdhe(id) => tlskit_wire::registry::named_group(id)
                .map(|g| u32::from(g.bits))
                .unwrap_or(0),
            DhGroup::WellKnown(i) => COMMON_PRIMES.get(i).map(|e| u32::from(e.1)).unwrap_or(0),
            DhGroup::Custom { bits } => bits,
        }
    }

    /// "ffdhe", "well_known" or "custom" (the JSON `kind`).
    pub fn kind(self) -> &'static str {
        match self {
            DhGroup::Ffdhe(_) => "ffdhe",
            DhGroup::WellKnown(_) => "well_known",
            DhGroup::Custom { .. } => "custom",
        }
    }

    /// The label of a well-known prime, None for the others.
    pub fn well_known(self) -> Option<&'static str> {
        match self {
            DhGroup::WellKnown(i) => COMMON_PRIMES.get(i).map(|e| e.0),
            DhGroup::Ffdhe(_) | DhGroup::Custom { .. } => None,
        }
    }

    /// The group by its name as [`fmt::Display`] writes it (the JSON `name` read back).
    pub fn by_name(s: &str) -> Option<DhGroup> {
        if let Some(i) = COMMON_PRIMES.iter().position(|e| e.0 == s) {
            return Some(DhGroup::WellKnown(i));
        }
        if let Some(bits) = s
            .strip_prefix("custom ")
            .and_then(|r| r.strip_suffix("-bit"))
        {
            return bits.parse().ok().map(|bits| DhGroup::Custom { bits });
        }
        tlskit_wire::registry::named_group_by_name(s)
            .filter(|g| g.name == s && g.kind == tlskit_wire::registry::GroupKind::Ffdhe)
            .map(|g| DhGroup::Ffdhe(g.id))
    }
}

impl fmt::Display for DhGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DhGroup::Ffdhe(id) => f.write_str(&tlskit_wire::registry::group_name(*id)),
            DhGroup::WellKnown(i) => f.write_str(COMMON_PRIMES.get(*i).map(|e| e.0).unwrap_or("?")),
            DhGroup::Custom { bits } => write!(f, "custom {bits}-bit"),
        }
    }
}

/// The JSON form: `{"name": "ffdhe2048", "kind": "ffdhe", "bits": 2048}`.
#[derive(Serialize, Deserialize)]
struct DhGroupJson {
    name: String,
    kind: String,
    bits: u32,
}

impl Serialize for DhGroup {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        DhGroupJson {
            name: self.to_string(),
            kind: self.kind().to_string(),
            bits: self.bits(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for DhGroup {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<DhGroup, D::Error> {
        let j = DhGroupJson::deserialize(d)?;
        // A well-known prime's name read back from an older list is still its size.
        Ok(DhGroup::by_name(&j.name).unwrap_or(DhGroup::Custom { bits: j.bits }))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn entries_are_well_formed_and_found() {
        for (name, bits, h) in super::COMMON_PRIMES {
            let bytes = hex::decode(h).unwrap();
            assert_eq!(
                tlskit_wire::handshake::bit_length(&bytes),
                *bits as usize,
                "{name}"
            );
            let mut padded = vec![0u8];
            padded.extend(&bytes);
            assert_eq!(super::common_prime(&padded), Some(*name));
        }
        assert_eq!(super::common_prime(&[0xff, 0xfb]), None);
        let names: std::collections::BTreeSet<_> =
            super::COMMON_PRIMES.iter().map(|e| e.0).collect();
        assert_eq!(names.len(), super::COMMON_PRIMES.len(), "labels are unique");
    }

    #[test]
    fn groups_are_named_by_value_and_read_back() {
        use super::DhGroup;
        let group14 = hex::decode(super::COMMON_PRIMES[3].2).unwrap();
        let g = DhGroup::of_prime(&group14);
        assert_eq!(g.to_string(), "RFC 3526 group 14 (2048-bit MODP)");
        assert_eq!((g.kind(), g.bits()), ("well_known", 2048));
        // ffdhe2048's shape: the RFC 7919 prefix, 64 one-bits at the end.
        let mut p = vec![0xFF; 8];
        p.extend([0xAD, 0xF8, 0x54, 0x58, 0xA2, 0xBB, 0x4A, 0x9A, 0xAF, 0xDC]);
        p.resize(256, 0x5A);
        p[248..].fill(0xFF);
        assert_eq!(DhGroup::of_prime(&p), DhGroup::Ffdhe(0x0100));
        p[250] = 0;
        assert_eq!(DhGroup::of_prime(&p), DhGroup::Custom { bits: 2048 });
        for g in [
            DhGroup::Ffdhe(0x0101),
            DhGroup::WellKnown(5),
            DhGroup::Custom { bits: 1024 },
        ] {
            let json = serde_json::to_string(&g).unwrap();
            assert_eq!(serde_json::from_str::<DhGroup>(&json).unwrap(), g, "{json}");
        }
        assert_eq!(
            serde_json::to_string(&DhGroup::Custom { bits: 1024 }).unwrap(),
            r#"{"name":"custom 1024-bit","kind":"custom","bits":1024}"#
        );
    }
}
