//! Households and the people in them: the true values every record is drawn from.

use std::fmt::Write as _;

use crate::Difficulty;
use crate::corrupt;
use crate::rng::{Draw, mix64};
use crate::tables::{self, CITIES, WEST_CITIES};

/// What kind of number a phone is; decides its formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PhoneKind {
    /// A Chinese mobile, 11 digits.
    CnMobile,
    /// A Chinese landline: the area code (without trunk zero) is the first `area_len` digits.
    CnLandline { area_len: u8 },
    /// A North American number, 10 digits.
    Nanp,
    /// An Australian number, 9 digits (mobile `4…` or landline area digit first).
    Au,
}

/// A phone's national significant number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Phone {
    pub kind: PhoneKind,
    digits: [u8; 12],
    len: u8,
}

impl Phone {
    fn new(kind: PhoneKind, digits: &str) -> Phone {
        let mut buf = [0u8; 12];
        buf[..digits.len()].copy_from_slice(digits.as_bytes());
        Phone {
            kind,
            digits: buf,
            len: digits.len() as u8,
        }
    }

    /// The national significant number as ASCII digits.
    pub(crate) fn digits(&self) -> &str {
        std::str::from_utf8(&self.digits[..usize::from(self.len)]).unwrap_or_default()
    }
}

fn push_random_digits(out: &mut String, n: usize, draw: &mut Draw) {
    for _ in 0..n {
        out.push(char::from(b'0' + draw.below(10) as u8));
    }
}

fn cn_mobile(draw: &mut Draw) -> Phone {
    let mut s = String::with_capacity(11);
    s.push_str(draw.pick(tables::CN_MOBILE_PREFIXES));
    push_random_digits(&mut s, 8, draw);
    Phone::new(PhoneKind::CnMobile, &s)
}

fn cn_landline(city: usize, draw: &mut Draw) -> Phone {
    let area = CITIES[city].area_code;
    let mut s = String::with_capacity(12);
    s.push_str(area);
    s.push(char::from(b'2' + draw.below(7) as u8));
    push_random_digits(&mut s, 7, draw);
    Phone::new(
        PhoneKind::CnLandline {
            area_len: area.len() as u8,
        },
        &s,
    )
}

/// A Western phone for a city: a mobile, or with `landline` the city's fixed line.
fn west_phone(city: usize, landline: bool, draw: &mut Draw) -> Phone {
    let city = &WEST_CITIES[city];
    let mut s = String::with_capacity(10);
    if city.australian {
        s.push(if landline {
            city.area_codes[0].chars().next().unwrap_or('2')
        } else {
            '4'
        });
        s.push(char::from(b'1' + draw.below(9) as u8));
        push_random_digits(&mut s, 7, draw);
        return Phone::new(PhoneKind::Au, &s);
    }
    s.push_str(draw.pick(city.area_codes));
    // Exchange: 2-9 first, never N11 or 555.
    loop {
        let exchange = draw.range(200, 999);
        if exchange % 100 != 11 && exchange != 555 {
            let _ = write!(s, "{exchange}");
            break;
        }
    }
    push_random_digits(&mut s, 4, draw);
    Phone::new(PhoneKind::Nanp, &s)
}

/// A postal address, as indices into the embedded tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Address {
    /// A mainland Chinese address.
    Cn {
        city: u8,
        district: u8,
        street: u8,
        number: u16,
        estate: Option<u8>,
        building: u8,
        unit: u8,
        room: u16,
    },
    /// A United States or Australian address.
    West {
        city: u8,
        number: u16,
        street: u8,
        street_type: u8,
        postcode_suffix: u16,
        unit: Option<u8>,
    },
}

fn cn_address(city: usize, draw: &mut Draw) -> Address {
    Address::Cn {
        city: city as u8,
        district: draw.below(CITIES[city].districts.len()) as u8,
        street: draw.below(tables::CN_STREETS.len()) as u8,
        number: if draw.chance(0.7) {
            draw.range(1, 200) as u16
        } else {
            draw.range(201, 1200) as u16
        },
        estate: draw
            .chance(0.7)
            .then(|| draw.below(tables::CN_ESTATES.len()) as u8),
        building: draw.range(1, 30) as u8,
        unit: draw.range(1, 6) as u8,
        room: (draw.range(1, 33) * 100 + draw.range(1, 6)) as u16,
    }
}

fn west_address(city: usize, draw: &mut Draw) -> Address {
    let digits = WEST_CITIES[city].postcode_len - WEST_CITIES[city].postcode_prefix.len();
    Address::West {
        city: city as u8,
        number: draw.range(1, 9999) as u16,
        street: draw.below(tables::WEST_STREETS.len()) as u8,
        street_type: draw.below(tables::WEST_STREET_TYPES.len()) as u8,
        postcode_suffix: draw.below(10usize.pow(digits as u32)) as u16,
        unit: draw.chance(0.15).then(|| draw.range(1, 40) as u8),
    }
}

impl Address {
    /// Another address: with `same_city` a new street and building in the same city.
    fn moved(&self, same_city: bool, draw: &mut Draw) -> Address {
        match *self {
            Address::Cn { city, .. } => {
                let city = if same_city {
                    usize::from(city)
                } else {
                    draw.weighted(tables::CITY_WEIGHTS)
                };
                cn_address(city, draw)
            }
            Address::West { city, .. } => {
                let city = if same_city {
                    usize::from(city)
                } else {
                    draw.below(WEST_CITIES.len())
                };
                west_address(city, draw)
            }
        }
    }
}

/// One person and every true value their records are drawn from.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    /// Position in the household (0 is the head).
    pub member: u8,
    pub western: bool,
    pub male: bool,
    pub birth: (u16, u8, u8),
    /// Family name in hanzi (Chinese) or Latin letters (Western).
    pub family: &'static str,
    /// Family name in pinyin (Chinese only).
    pub family_pinyin: &'static str,
    /// Given name in hanzi (Chinese) or Latin letters (Western).
    pub given: String,
    /// Given name in pinyin syllables separated by spaces (Chinese only).
    pub given_pinyin: String,
    /// Middle initial (Western only).
    pub middle_initial: Option<char>,
    pub mobile: Phone,
    /// The number used from record `change_at` on.
    pub new_mobile: Option<Phone>,
    pub email: Option<(String, &'static str)>,
    pub address: Address,
    /// The address used from record `move_at` on.
    pub new_address: Option<Address>,
    pub national_id: Option<[u8; 18]>,
    pub member_no: u64,
    pub device: u64,
    pub records: u8,
    pub change_at: u8,
    pub move_at: u8,
}

/// A household: people sharing an address, perhaps a landline, a mobile or a device.
#[derive(Debug, Clone)]
pub(crate) struct Household {
    pub landline: Option<Phone>,
    /// Whether members other than the head give the head's mobile.
    pub shared_mobile: bool,
    pub members: Vec<Person>,
}

/// Days in a month.
pub(crate) fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn birth_in(year: u16, draw: &mut Draw) -> (u16, u8, u8) {
    let month = draw.range(1, 12) as u8;
    let day = draw.range(1, u32::from(days_in_month(year, month))) as u8;
    (year, month, day)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Head,
    Spouse,
    Child,
    Parent,
}

/// An invertible scramble of a 64-bit counter into `bits` bits: distinct inputs below
/// `2^bits` give distinct outputs, so member numbers and device ids never collide by chance.
fn scramble(x: u64, key: u64, bits: u32) -> u64 {
    let mask = (1u64 << bits) - 1;
    let mut v = x & mask;
    for round in 0..3u64 {
        v = v.wrapping_mul(0x9e37_79b9_7f4a_7c15 | 1) & mask;
        v ^= (mix64(key ^ round) & mask) ^ (v >> (bits / 2));
    }
    v
}

/// Generates household `index` of a run seeded `seed`.
pub(crate) fn household(seed: u64, index: u64, difficulty: &Difficulty) -> Household {
    let mut draw = Draw::new(seed, 1, index);
    let western = draw.chance(difficulty.western_share);
    let size = draw.weighted(&difficulty.household_size) + 1;
    let (city, address) = if western {
        let city = draw.below(WEST_CITIES.len());
        (city, west_address(city, &mut draw))
    } else {
        let city = draw.weighted(tables::CITY_WEIGHTS);
        (city, cn_address(city, &mut draw))
    };
    let mut roles = vec![Role::Head];
    match size {
        1 => {}
        2 => roles.push(if draw.chance(0.8) {
            Role::Spouse
        } else {
            Role::Parent
        }),
        _ => {
            roles.push(Role::Spouse);
            roles.extend(std::iter::repeat_n(Role::Child, size - 2));
            if draw.chance(0.3) {
                roles[size - 1] = Role::Parent;
            }
        }
    }
    let children = roles.iter().filter(|r| **r == Role::Child).count();
    let has_parent = roles.contains(&Role::Parent);
    let head_year = match (children > 0, has_parent) {
        (true, _) => draw.range(1950, 1982),
        (false, true) => draw.range(1965, 1995),
        (false, false) => draw.range(1950, 2002),
    } as u16;
    let head_male = draw.chance(0.5);
    let head_family = family_name(western, &mut draw);
    // Chinese wives keep their own surname; Western spouses usually share one.
    let spouse_family = if western && draw.chance(0.8) {
        head_family
    } else {
        family_name(western, &mut draw)
    };
    let father_family = if head_male || western {
        head_family
    } else {
        spouse_family
    };
    let twins = children >= 2 && draw.chance(difficulty.twins);
    let landline = (size >= 2 && draw.chance(difficulty.shared_landline)).then(|| {
        if western {
            west_phone(city, true, &mut draw)
        } else {
            cn_landline(city, &mut draw)
        }
    });
    let shared_mobile = size >= 2 && draw.chance(difficulty.shared_mobile);
    let shared_device = (size >= 2 && draw.chance(difficulty.shared_device))
        .then(|| scramble(index, seed ^ 0xdead, 48) | (1 << 47));

    let mut members: Vec<Person> = Vec::with_capacity(size);
    let mut twin_birth = None;
    let mut twin_names: Option<[usize; 3]> = None;
    for (member, role) in roles.iter().enumerate() {
        let mut draw = Draw::new(seed, 2, index * 8 + member as u64);
        let male = match role {
            Role::Head => head_male,
            Role::Spouse => !head_male,
            _ => draw.chance(0.5),
        };
        let family = match role {
            Role::Head => head_family,
            Role::Spouse => spouse_family,
            Role::Child => father_family,
            Role::Parent if male || western => head_family,
            Role::Parent => family_name(western, &mut draw),
        };
        let birth = match role {
            Role::Head => birth_in(head_year, &mut draw),
            Role::Spouse => {
                let year = i32::from(head_year) + draw.range(0, 8) as i32 - 4;
                birth_in(year.clamp(1930, 2005) as u16, &mut draw)
            }
            Role::Child => {
                let year = (head_year + draw.range(22, 38) as u16).min(2007);
                match twin_birth {
                    Some(birth) if twins && member == 3 => birth,
                    _ => {
                        let birth = birth_in(year, &mut draw);
                        if twins && member == 2 {
                            twin_birth = Some(birth);
                        }
                        birth
                    }
                }
            }
            Role::Parent => birth_in((head_year - draw.range(22, 35) as u16).max(1930), &mut draw),
        };
        let is_twin = twins && *role == Role::Child && (member == 2 || member == 3);
        let (given, given_pinyin) = if is_twin && !western {
            let names = *twin_names.get_or_insert_with(|| {
                let first = draw.below(tables::CN_TWIN_FIRST.len());
                let a = draw.below(tables::CN_TWIN_SECOND.len());
                let b = (a + 1 + draw.below(tables::CN_TWIN_SECOND.len() - 1))
                    % tables::CN_TWIN_SECOND.len();
                [first, a, b]
            });
            let first = tables::CN_TWIN_FIRST[names[0]];
            let second = tables::CN_TWIN_SECOND[names[if member == 2 { 1 } else { 2 }]];
            (
                format!("{}{}", first.0, second.0),
                format!("{} {}", first.1, second.1),
            )
        } else if is_twin && member == 3 {
            // A Western twin: a different name with the first twin's initial, when one exists.
            let sibling = members[2].given.clone();
            let initial = sibling.chars().next();
            let mut name = given_name(true, male, &mut draw).0;
            for _ in 0..20 {
                if name.chars().next() == initial && name != sibling {
                    break;
                }
                name = given_name(true, male, &mut draw).0;
            }
            (name, String::new())
        } else {
            given_name(western, male, &mut draw)
        };
        let middle_initial =
            (western && draw.chance(0.3)).then(|| char::from(b'A' + draw.below(26) as u8));
        let mobile = if shared_mobile && member > 0 {
            members[0].mobile
        } else if western {
            west_phone(city, false, &mut draw)
        } else {
            cn_mobile(&mut draw)
        };
        let records = (draw.weighted(&difficulty.records_per_person) + 1) as u8;
        let changes = records >= 2;
        let new_mobile = (changes && draw.chance(difficulty.phone_changed)).then(|| {
            if western {
                west_phone(city, false, &mut draw)
            } else {
                cn_mobile(&mut draw)
            }
        });
        let change_at = if changes {
            draw.range(1, u32::from(records) - 1) as u8
        } else {
            0
        };
        let new_address = (changes && draw.chance(difficulty.moved))
            .then(|| address.moved(draw.chance(0.8), &mut draw));
        let move_at = if changes {
            draw.range(1, u32::from(records) - 1) as u8
        } else {
            0
        };
        let owner = if western {
            difficulty.email_owner_western
        } else {
            difficulty.email_owner_chinese
        };
        let email = draw.chance(owner).then(|| {
            email_address(
                western,
                family,
                tables_pinyin(western, family),
                &given,
                &given_pinyin,
                birth.0,
                &mut draw,
            )
        });
        let national_id = (!western).then(|| {
            let region = if draw.chance(0.85) {
                match address {
                    Address::Cn { city, district, .. } => {
                        CITIES[usize::from(city)].districts[usize::from(district)].1
                    }
                    Address::West { .. } => "110105",
                }
            } else {
                let city = &CITIES[draw.below(CITIES.len())];
                draw.pick(city.districts).1
            };
            let sequence = draw.below(500) as u16 * 2 + u16::from(male);
            corrupt::national_id(region, birth, sequence)
        });
        let ordinal = index * 8 + member as u64;
        members.push(Person {
            member: member as u8,
            western,
            male,
            birth,
            family,
            family_pinyin: tables_pinyin(western, family),
            given,
            given_pinyin,
            middle_initial,
            mobile,
            new_mobile,
            email,
            address,
            new_address,
            national_id,
            member_no: scramble(ordinal, seed, 36),
            device: shared_device.unwrap_or_else(|| scramble(ordinal, seed ^ 0xdead, 47)),
            records,
            change_at,
            move_at,
        });
    }
    Household {
        landline,
        shared_mobile,
        members,
    }
}

fn family_name(western: bool, draw: &mut Draw) -> &'static str {
    if western {
        draw.weighted_pick(tables::WEST_SURNAMES, tables::WEST_SURNAMES_TOTAL)
    } else {
        draw.weighted_pick(tables::CN_SURNAMES, tables::CN_SURNAMES_TOTAL)
            .0
    }
}

/// The pinyin of a Chinese surname from the table (empty for Western names).
fn tables_pinyin(western: bool, family: &str) -> &'static str {
    if western {
        return "";
    }
    tables::CN_SURNAMES
        .iter()
        .find(|(_, (hanzi, _))| *hanzi == family)
        .map(|(_, (_, pinyin))| *pinyin)
        .unwrap_or("")
}

fn given_name(western: bool, male: bool, draw: &mut Draw) -> (String, String) {
    match (western, male) {
        (true, true) => (
            draw.weighted_pick(tables::WEST_GIVEN_MALE, tables::WEST_GIVEN_MALE_TOTAL)
                .to_string(),
            String::new(),
        ),
        (true, false) => (
            draw.weighted_pick(tables::WEST_GIVEN_FEMALE, tables::WEST_GIVEN_FEMALE_TOTAL)
                .to_string(),
            String::new(),
        ),
        (false, true) => {
            let (h, p) = draw.weighted_pick(tables::CN_GIVEN_MALE, tables::CN_GIVEN_MALE_TOTAL);
            (h.to_string(), p.to_string())
        }
        (false, false) => {
            let (h, p) = draw.weighted_pick(tables::CN_GIVEN_FEMALE, tables::CN_GIVEN_FEMALE_TOTAL);
            (h.to_string(), p.to_string())
        }
    }
}

/// Makes every e-mail address one person's. A mailbox has one owner, but names build the
/// same address (`liz@163.com` for Li Zhen and Li Zhuo): where an address is already taken,
/// the later person's gets digits, as a provider makes people add them. Households are
/// visited in index order (`per_chunk` households to each inner list), so the result does
/// not depend on threads.
pub(crate) fn unique_emails(seed: u64, households: &mut [Vec<Household>], per_chunk: u64) {
    let mut taken: std::collections::HashSet<(String, &'static str)> =
        std::collections::HashSet::new();
    for (chunk, list) in households.iter_mut().enumerate() {
        for (offset, household) in list.iter_mut().enumerate() {
            let index = chunk as u64 * per_chunk + offset as u64;
            for person in &mut household.members {
                let Some((local, domain)) = &mut person.email else {
                    continue;
                };
                if taken.insert((local.clone(), domain)) {
                    continue;
                }
                let mut draw = Draw::new(seed, 6, index * 8 + u64::from(person.member));
                let base = local.clone();
                let mut digits = 2;
                loop {
                    let mut candidate = base.clone();
                    push_random_digits(&mut candidate, digits, &mut draw);
                    if taken.insert((candidate.clone(), domain)) {
                        *local = candidate;
                        break;
                    }
                    digits = (digits + 1).min(9);
                }
            }
        }
    }
}

/// An e-mail address built the way people build them: from the name, initials, a birth
/// year or some digits, or (at QQ) the numeric account.
fn email_address(
    western: bool,
    family: &str,
    family_pinyin: &str,
    given: &str,
    given_pinyin: &str,
    birth_year: u16,
    draw: &mut Draw,
) -> (String, &'static str) {
    let domain = if western {
        draw.weighted_pick(tables::WEST_EMAIL_DOMAINS, tables::WEST_EMAIL_DOMAINS_TOTAL)
    } else {
        draw.weighted_pick(tables::CN_EMAIL_DOMAINS, tables::CN_EMAIL_DOMAINS_TOTAL)
    };
    let mut local = String::with_capacity(24);
    if domain == "qq.com" && draw.chance(0.6) {
        local.push(char::from(b'1' + draw.below(9) as u8));
        push_random_digits(&mut local, draw.range(4, 9) as usize, draw);
        return (local, domain);
    }
    let (family, given): (String, String) = if western {
        (
            family.to_ascii_lowercase().replace('\'', ""),
            given.to_ascii_lowercase(),
        )
    } else {
        (family_pinyin.to_string(), given_pinyin.replace(' ', ""))
    };
    match draw.below(6) {
        0 => {
            let _ = write!(local, "{given}.{family}");
        }
        1 => {
            let _ = write!(local, "{family}{given}");
        }
        2 => {
            let _ = write!(local, "{family}.{given}");
        }
        3 => {
            let _ = write!(local, "{}{family}", &given[..1]);
        }
        4 => {
            let _ = write!(local, "{given}{family}");
        }
        _ => {
            let _ = write!(local, "{family}{}", &given[..1]);
        }
    }
    // Common names are taken: most people add a year or a few digits.
    match draw.below(3) {
        0 => {}
        1 => {
            let _ = write!(local, "{birth_year}");
        }
        _ => push_random_digits(&mut local, draw.range(2, 4) as usize, draw),
    }
    (local, domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_email_address_has_one_owner() {
        let difficulty = Difficulty::default();
        let build = || -> Vec<Vec<Household>> {
            (0..20)
                .map(|chunk| {
                    (chunk * 400..(chunk + 1) * 400)
                        .map(|index| household(3, index, &difficulty))
                        .collect()
                })
                .collect()
        };
        let addresses = |households: &[Vec<Household>]| -> Vec<(String, &'static str)> {
            households
                .iter()
                .flatten()
                .flat_map(|h| &h.members)
                .filter_map(|p| p.email.clone())
                .collect()
        };
        let before = addresses(&build());
        let distinct: std::collections::HashSet<_> = before.iter().collect();
        assert!(
            distinct.len() < before.len(),
            "8,000 households build some address twice"
        );
        let mut households = build();
        unique_emails(3, &mut households, 400);
        let after = addresses(&households);
        let distinct: std::collections::HashSet<_> = after.iter().collect();
        assert_eq!(distinct.len(), after.len());
        // The first owner keeps the address; a later one keeps its base and adds digits.
        for (old, new) in before.iter().zip(&after) {
            assert!(
                new.0.starts_with(&old.0) && new.1 == old.1,
                "{old:?} {new:?}"
            );
        }
    }

    #[test]
    fn households_are_deterministic_and_consistent() {
        let difficulty = Difficulty::default();
        for index in 0..500 {
            let a = household(9, index, &difficulty);
            let b = household(9, index, &difficulty);
            assert_eq!(format!("{a:?}"), format!("{b:?}"));
            for person in &a.members {
                assert_eq!(
                    person.address, a.members[0].address,
                    "one address per household"
                );
                assert!((1..=8).contains(&person.records));
                let (y, m, d) = person.birth;
                assert!((1930..=2007).contains(&y) && d <= days_in_month(y, m));
                if let Some(id) = person.national_id {
                    let birth = format!("{y:04}{m:02}{d:02}");
                    assert_eq!(&id[6..14], birth.as_bytes());
                    assert_eq!((id[16] - b'0') % 2 == 1, person.male);
                    assert_eq!(id[17], corrupt::national_id_check(&id[..17]));
                }
                if a.shared_mobile {
                    assert_eq!(person.mobile, a.members[0].mobile);
                }
            }
        }
    }

    #[test]
    fn scramble_is_injective() {
        let mut seen = std::collections::HashSet::new();
        for x in 0..100_000u64 {
            assert!(seen.insert(scramble(x, 5, 36)));
        }
    }

    #[test]
    fn twins_share_birth_date_and_family_name() {
        let difficulty = Difficulty {
            twins: 1.0,
            household_size: vec![0.0, 0.0, 0.0, 0.0, 1.0],
            ..Difficulty::default()
        };
        for index in 0..50 {
            let h = household(3, index, &difficulty);
            let (a, b) = (&h.members[2], &h.members[3]);
            assert_eq!(a.birth, b.birth);
            assert_eq!(a.family, b.family);
            assert_ne!(a.given, b.given);
            if !a.western {
                assert_eq!(a.given.chars().next(), b.given.chars().next());
            }
        }
    }
}
