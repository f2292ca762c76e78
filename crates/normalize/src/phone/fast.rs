//! Table-driven verdicts for two shapes of number the `phonenumber` library is slow on (about
//! 5 µs each): North American numbers (`+1 702 919 1300`, or bare under a +1 default region)
//! and 10-digit numbers under CN that start with 2–9 (a landline without its trunk `0`, or a
//! North American number written without `+1`). The tables mirror the library's metadata
//! (libphonenumber 9.0) and are checked against the library by the tests below; what they
//! cannot settle goes to the library.

use super::PhoneVerdict;

/// How the metadata judges `NPA [2-9]XX XXXX` for each NANP area code 200–999: `V` valid
/// whatever the exchange and line, `.` invalid, `?` depends on the exchange (Caribbean
/// ranges, `274`, `472`, `523`, `524`, `983`).
const NANP_AREA_CODES: &[u8] = concat!(
    // 200–249
    ".VVVVVVVVVV.VVVVVVVVV..VVVVVVV.V..VVV..VV.?...?.VV",
    // 250–299
    "VVVVV.VV..V.VV?..V?VV.V.?.V..V.V.V?....V..........",
    // 300–349
    ".VVVVVVVVVV.VVVVVVVVVV.VVVVV.VVVV.V.VV.V?V.V.?VV..",
    // 350–399
    "VVVVV.....VV.VVV.VVV..........V.V..VV.............",
    // 400–449
    ".VVVVVVVVVV.VVVVVVVV...VVV..V.VVV.VV.VV.V?VV.V.VV.",
    // 450–499
    "V.......V....VV...VVV.??VV..VVV...V...............",
    // 500–549
    "VVVVVVVVVVV.VVVVVVVVVVV??VVVVVVVVVV....VVV..V...V.",
    // 550–599
    ".V.....V.V.VVVV.VV..VVVVVV.V.VVVV.VVVVV...........",
    // 600–649
    "VVVVVVVVVVV.VVVVVVVVV.VV..V.VVVV.V..V..VVV...VVV.?",
    // 650–699
    "VV....VVVVVVV.?..V.V??V.....V.VVVV?.V..V..........",
    // 700–749
    ".VVVVVVVVV..VVVVVVVVV?..VVVVV.VVV.V..VV.V.VV...VV.",
    // 750–799
    "...VV..V?.V.VV.V.?.VVVVVVV..VVVVV.?VVV............",
    // 800–849
    "VVVVVVVVVVV.VVVVVVVVVV...VV.VVVVVV.V..VVV..VVV.VVV",
    // 850–899
    "V...VVVVVVV.VVVVVV??V.VV..?VVV........V...........",
    // 900–949
    "VVVVVVVVVVV.VVVVVVVVV....V..VVVV..V.VVVVVVVV.V.VVV",
    // 950–999
    ".VV.V.V..V..........VVVV.V..VVV..?VVV..V..........",
)
.as_bytes();

/// How the CN metadata judges a 10-digit national number by its first three digits 200–999:
/// `V` valid whatever follows (a 3-digit area code and 7 digits, a 2-digit one and 8),
/// `.` invalid, `?` depends on later digits (the library accepts a number when a pattern
/// matches a prefix of it of a possible length, so `8078123…` is valid), or `86…`, which the
/// library may read as a country code.
const CN_TEN_DIGITS: &[u8] = concat!(
    // 200–249
    "VVVVVVVVVV.VVVVVVV?VVVVVVVVVVVVVVVVVVVVVVVVVVVVVVV",
    // 250–299
    "VVVVVVVVVV..........VVVVVVVVVVVVVVVVVVVVVVVVVVVVVV",
    // 300–349
    "..........V?VVVVVVVV...............V.............V",
    // 350–399
    "VVVVVVVVVV..........V?VVVVV?V?...........VVVVVV.V.",
    // 400–449
    "V.........V?VVVVVVVV.V.....V.V.??VVVVVVV..........",
    // 450–499
    ".?VVVVVVVV....V..VVVVVVVVVVVVV..VV................",
    // 500–549
    "..........??????????...?...?..V??VVVVVVV...V..V...",
    // 550–599
    "V?VVVVVVVV.VVVV.V...V?V?????V?V..........?VVV?VVVV",
    // 600–649
    "...............................VVVVV..............",
    // 650–699
    "..........V.VV....V......................VV.......",
    // 700–749
    ".V........VVVVVVVVVV..V.V...V.V?..VVVVVV...VVVV...",
    // 750–799
    "VVVVV?V?VV?.VV..V.V?VVVVVVVVVV..........V?VVVVVVVV",
    // 800–849
    "V......?....VV..VVV......VVV..VVVVVVVVVV..........",
    // 850–899
    ".VVVVVVVVV??????????V?VVVVVVVV...V..VVV..VVVVVVV?.",
    // 900–949
    ".VVV..V.VV.VVVVVVV.V..........VVVVVVVVVV.V.V......",
    // 950–999
    "VVVVVV..............VVVVVVVVVV..........VVVVVVVVVV",
)
.as_bytes();

/// How the CN metadata judges a Chinese landline written with its trunk `0` and an 11-digit
/// national number (a 3-digit area code and 8 digits, `0755-6026 3912`), by the national
/// number's first three digits 200–999: `V` valid whatever follows, `.` invalid, `?` depends
/// on later digits. The library's full reading (a parse, then its E.164 read back) of 200
/// numbers per prefix; the tests check it against the library.
const CN_TRUNK_ELEVEN_DIGITS: &[u8] = concat!(
    // 200–249
    "VVVVVVVVVV.VVVVVVV?VVVVVVVVVVVVVVVVVVVVVVVVVVVVVVV",
    // 250–299
    "VVVVVVVVVV..........VVVVVVVVVVVVVVVVVVVVVVVVVVVVVV",
    // 300–349
    "..........VVVVVVVVVV...............V.............V",
    // 350–399
    "VVVVVVVVVV..........VVVVVVVVVV...........VVVVVV.V.",
    // 400–449
    "V.........VVVVVVVVVV.V.....V.V.VVVVVVVVV..........",
    // 450–499
    ".VVVVVVVVV....V..VVVVVVVVVVVVV..VV................",
    // 500–549
    "..........VVVVVVVVVV...V...V..VVVVVVVVVV...V..V...",
    // 550–599
    "VVVVVVVVVV.VVVV.V...VVVVVVVVVVV..........VVVVVVVVV",
    // 600–649
    "...............................VVVVV..............",
    // 650–699
    "..........V.VV....V......................VV.......",
    // 700–749
    ".V........VVVVVVVVVV..V.V...V.VV..VVVVVV...VVVV...",
    // 750–799
    "VVVVVVVVVVV.VV..V.VVVVVVVVVVVV..........VVVVVVVVVV",
    // 800–849
    ".......?....VV..VVV......VVV..VVVVVVVVVV..........",
    // 850–899
    ".VVVVVVVVV..........VVVVVVVVVV...V..VVV..VVVVVVVV.",
    // 900–949
    ".VVV..V.VV.VVVVVVV.V..........VVVVVVVVVV.V.V......",
    // 950–999
    "VVVVVV..............VVVVVVVVVV..........VVVVVVVVVV",
)
.as_bytes();

const _: () = assert!(
    NANP_AREA_CODES.len() == 800
        && CN_TEN_DIGITS.len() == 800
        && CN_TRUNK_ELEVEN_DIGITS.len() == 800
);

/// The library's verdict on `body` (ASCII digits, after a `+` when `plus`) under a default
/// region with calling code `default_code`, when a table settles it; `None` otherwise.
pub(super) fn verdict(plus: bool, body: &[u8], default_code: u16) -> Option<PhoneVerdict> {
    match (plus, default_code, body.len()) {
        // Only the default regions the tests check: the library applies the default
        // region's international prefix even after a `+`.
        (true, 1 | 86, 11) if body[0] == b'1' => nanp(&body[1..], default_code == 86),
        (false, 1, 10) => nanp(body, false),
        (false, 1, 11) if body[0] == b'1' => nanp(&body[1..], false),
        (false, 86, 10) => {
            let valid = lookup(CN_TEN_DIGITS, body)?;
            Some(phone_verdict("+86", body, 86, valid))
        }
        (false, 86, 11) if body[0] == b'0' => cn_trunk_landline(&body[1..], CN_TEN_DIGITS),
        (false, 86, 12) if body[0] == b'0' => cn_trunk_landline(&body[1..], CN_TRUNK_ELEVEN_DIGITS),
        _ => None,
    }
}

/// A Chinese landline written with its trunk `0`: `national` (10 or 11 digits) after it,
/// judged by `table`. Only a valid verdict is taken; the library reads any other (it may
/// not read the E.164 of an unassigned number back as itself). The library's verdict on `0`
/// and ten digits is its verdict on the ten digits alone (`CN_TEN_DIGITS`), except after
/// `86`, which that table leaves to the library.
fn cn_trunk_landline(national: &[u8], table: &[u8]) -> Option<PhoneVerdict> {
    lookup(table, national)?.then(|| phone_verdict("+86", national, 86, true))
}

/// `national`: 10 digits after the +1.
fn nanp(national: &[u8], cn_default: bool) -> Option<PhoneVerdict> {
    if !(b'2'..=b'9').contains(&national[3]) {
        return None;
    }
    // Under CN the library reads `+1 2XX X00…` and `+1 79X X00…` as CN's international
    // prefix `1(?:[12]\d|79)\d\d00`.
    if cn_default
        && (national[0] == b'2' || national.starts_with(b"79"))
        && national[4..6] == *b"00"
    {
        return None;
    }
    let valid = lookup(NANP_AREA_CODES, national)?;
    Some(phone_verdict("+1", national, 1, valid))
}

/// The table's word on the first three digits of `digits`, when they are 200–999.
fn lookup(table: &[u8], digits: &[u8]) -> Option<bool> {
    if !(b'2'..=b'9').contains(&digits[0]) {
        return None;
    }
    let at = usize::from(digits[0] - b'2') * 100
        + usize::from(digits[1] - b'0') * 10
        + usize::from(digits[2] - b'0');
    match table[at] {
        b'V' => Some(true),
        b'.' => Some(false),
        _ => None,
    }
}

fn phone_verdict(code: &str, national: &[u8], country_code: u16, valid: bool) -> PhoneVerdict {
    let mut e164 = String::with_capacity(code.len() + national.len());
    e164.push_str(code);
    e164.push_str(super::ascii(national));
    PhoneVerdict {
        e164,
        country_code,
        valid,
        // Ten national digits with the exchange 2-9: the shape of the country's numbers.
        possible: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phone::{LibPhoneParser, PhoneNormalizer, PhoneParser};
    use std::sync::LazyLock;

    /// The normalizer under CN, whose library reading (a parse, then its E.164 read back)
    /// the trunk-landline table mirrors.
    static CN_NORMALIZER: LazyLock<PhoneNormalizer> =
        LazyLock::new(|| PhoneNormalizer::new("CN").unwrap());

    /// The default regions the fast path serves: CN and every +1 region.
    const REGIONS: [&str; 26] = [
        "CN", "US", "CA", "AG", "AI", "AS", "BB", "BM", "BS", "DM", "DO", "GD", "GU", "JM", "KN",
        "KY", "LC", "MP", "MS", "PR", "SX", "TC", "TT", "VC", "VG", "VI",
    ];

    /// A small deterministic generator for line numbers.
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) % n
        }
    }

    /// Asserts that the fast path, where it answers for `digits` (after a `+` when `plus`)
    /// under `region`, says exactly what the library says; returns whether it answered.
    fn agrees(plus: bool, digits: &str, region: &str) -> bool {
        let code = LibPhoneParser.region_country_code(region).unwrap();
        let Some(fast) = verdict(plus, digits.as_bytes(), code) else {
            return false;
        };
        let candidate = if plus {
            format!("+{digits}")
        } else {
            digits.to_string()
        };
        let library = LibPhoneParser.parse(&candidate, region);
        assert_eq!(Some(fast), library, "{candidate} under {region}");
        true
    }

    /// Every NANP spelling the fast path takes, for `npa exchange line`, under `region`.
    fn nanp_agrees(region: &str, npa: u64, exchange: u64, line: u64) {
        let national = format!("{npa}{exchange:03}{line:04}");
        let settled = NANP_AREA_CODES[npa as usize - 200] != b'?';
        let answered = agrees(true, &format!("1{national}"), region);
        // The fast path falls back for CN's `1(?:[12]\d|79)\d\d00` quirk only.
        let quirk = region == "CN"
            && (national.starts_with('2') || national.starts_with("79"))
            && &national[4..6] == "00";
        assert_eq!(
            answered,
            settled && exchange >= 200 && !quirk,
            "+1{national}"
        );
        if region != "CN" {
            assert_eq!(agrees(false, &national, region), settled && exchange >= 200);
            assert_eq!(
                agrees(false, &format!("1{national}"), region),
                settled && exchange >= 200
            );
        }
    }

    /// Every area code, under CN and US, with exchanges of every leading digit (and
    /// `X00`, which CN's quirk touches) and pseudo-random lines.
    #[test]
    fn nanp_table_mirrors_library_metadata() {
        let mut rng = Lcg(7);
        for npa in 200..1000 {
            for region in ["CN", "US"] {
                for lead in 1..10 {
                    let exchange = lead * 100 + rng.below(100);
                    nanp_agrees(region, npa, exchange, rng.below(10_000));
                }
                nanp_agrees(region, npa, 100 * (2 + rng.below(8)), rng.below(10_000));
            }
        }
    }

    /// Every 3-digit prefix 200–999 under CN, with every fourth digit and pseudo-random rest.
    #[test]
    fn cn_ten_digit_table_mirrors_library_metadata() {
        let mut rng = Lcg(11);
        for prefix in 200..1000 {
            for fourth in 0..10 {
                let digits = format!("{prefix}{fourth}{:06}", rng.below(1_000_000));
                let settled = CN_TEN_DIGITS[prefix as usize - 200] != b'?';
                assert_eq!(agrees(false, &digits, "CN"), settled, "{digits}");
            }
        }
    }

    /// Asserts that the fast path, where it answers for a landline written with its trunk
    /// `0` (`0` and `national`), says what the normalizer's library reading says; returns whether
    /// it answered.
    fn trunk_agrees(national: &str) -> bool {
        let candidate = format!("0{national}");
        let Some(fast) = verdict(false, candidate.as_bytes(), 86) else {
            return false;
        };
        let library = CN_NORMALIZER.read_back(&candidate);
        assert_eq!(Some(fast), library, "{candidate}");
        true
    }

    /// Every 3-digit prefix 200–999 after a trunk `0`, with every following digit and a
    /// pseudo-random rest; a prefix the table calls valid is always answered. (Numbers led by
    /// `01`, Beijing's `010` among them, go to the library: its verdict there depends on
    /// later digits.)
    #[test]
    fn cn_trunk_landlines_read_as_the_library_reads_them() {
        let mut rng = Lcg(19);
        for prefix in 200..1000 {
            for next in 0..10 {
                for (table, rest) in [
                    (CN_TEN_DIGITS, 1_000_000),
                    (CN_TRUNK_ELEVEN_DIGITS, 10_000_000),
                ] {
                    let width = if rest == 1_000_000 { 6 } else { 7 };
                    let national = format!("{prefix}{next}{:0width$}", rng.below(rest));
                    let answered = trunk_agrees(&national);
                    assert_eq!(
                        answered,
                        table[prefix as usize - 200] == b'V',
                        "0{national}"
                    );
                }
            }
        }
    }

    /// The exhaustive version of the tests above, for a release build (a few minutes):
    /// `cargo test --release -p sameas-normalize -- --ignored fast_tables`.
    #[test]
    #[ignore = "slow; run in release"]
    fn fast_tables_mirror_library_metadata_exhaustively() {
        let mut rng = Lcg(13);
        for npa in 200..1000 {
            for exchange in 100..1000 {
                for region in ["CN", "US"] {
                    for _ in 0..2 {
                        nanp_agrees(region, npa, exchange, rng.below(10_000));
                    }
                }
            }
            for region in &REGIONS[2..] {
                for _ in 0..40 {
                    let exchange = 100 + rng.below(900);
                    nanp_agrees(region, npa, exchange, rng.below(10_000));
                }
            }
        }
        for prefix in 200..1000 {
            for next in 0..1000 {
                for _ in 0..3 {
                    let digits = format!("{prefix}{next:03}{:04}", rng.below(10_000));
                    let settled = CN_TEN_DIGITS[prefix as usize - 200] != b'?';
                    assert_eq!(agrees(false, &digits, "CN"), settled, "{digits}");
                }
                trunk_agrees(&format!("{prefix}{next:03}{:04}", rng.below(10_000)));
                trunk_agrees(&format!("{prefix}{next:03}{:05}", rng.below(100_000)));
            }
        }
    }
}
