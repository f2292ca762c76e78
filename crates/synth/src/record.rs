//! Rendering one person's records: which channel, which fields, and how each is written.

use serde::{Deserialize, Serialize};

use crate::corrupt::{self, EmailVariant};
use crate::difficulty::{ChannelProfile, Difficulty};
use crate::person::{Address, Household, Person, Phone, PhoneKind};
use crate::rng::Draw;
use crate::tables::{self, CITIES, WEST_CITIES};
use crate::{CHANNELS, DATA_FIELDS};

/// One way a record's value departs from the person's true, canonical value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Corruption {
    /// The name is honorific only (`张先生`, `Mr Smith`).
    NameHonorific,
    /// The name is masked (`张*`) or a nickname-like handle (`小张`, `阿伟`, `John S.`).
    NameMasked,
    /// A Chinese name is written in pinyin.
    NameRomanised,
    /// A Chinese name has one character replaced by a homophone.
    NameHomophone,
    /// A Chinese name is in Traditional script.
    NameTraditional,
    /// A Chinese name dropped one given-name character.
    NameDroppedCharacter,
    /// A Western given name is a nickname.
    NameNickname,
    /// A Western name carries a typo.
    NameTypo,
    /// A Western name is reordered or re-cased.
    NameReformatted,
    /// The phone is written in a non-canonical format.
    PhoneFormatted,
    /// The phone is written in full-width digits.
    PhoneFullWidth,
    /// The phone is masked.
    PhoneMasked,
    /// Two phone digits are swapped.
    PhoneTypo,
    /// The phone is the person's new number (a later record after a change).
    PhoneChanged,
    /// The phone is shared: the household landline or the head's mobile.
    PhoneShared,
    /// The e-mail is upper or mixed case.
    EmailCase,
    /// A Gmail address has its dots moved.
    EmailGmailDots,
    /// The e-mail carries a plus-tag.
    EmailPlusTag,
    /// The e-mail domain has a typo.
    EmailDomainTypo,
    /// The address is shortened or reordered.
    AddressShortened,
    /// The address is in Traditional script.
    AddressTraditional,
    /// The address writes its building detail differently.
    AddressDetailVariant,
    /// The address lost its building detail.
    AddressDetailDropped,
    /// A Western street type is abbreviated.
    StreetAbbreviated,
    /// The address is the person's new address (a later record after a move).
    AddressMoved,
    /// The birth date is not `YYYY-MM-DD`.
    DateFormatted,
    /// The gender is not written canonically.
    GenderFormatted,
    /// One present field holds a placeholder.
    Placeholder,
}

impl Corruption {
    /// Every corruption, in declaration order.
    pub const ALL: [Corruption; 28] = [
        Corruption::NameHonorific,
        Corruption::NameMasked,
        Corruption::NameRomanised,
        Corruption::NameHomophone,
        Corruption::NameTraditional,
        Corruption::NameDroppedCharacter,
        Corruption::NameNickname,
        Corruption::NameTypo,
        Corruption::NameReformatted,
        Corruption::PhoneFormatted,
        Corruption::PhoneFullWidth,
        Corruption::PhoneMasked,
        Corruption::PhoneTypo,
        Corruption::PhoneChanged,
        Corruption::PhoneShared,
        Corruption::EmailCase,
        Corruption::EmailGmailDots,
        Corruption::EmailPlusTag,
        Corruption::EmailDomainTypo,
        Corruption::AddressShortened,
        Corruption::AddressTraditional,
        Corruption::AddressDetailVariant,
        Corruption::AddressDetailDropped,
        Corruption::StreetAbbreviated,
        Corruption::AddressMoved,
        Corruption::DateFormatted,
        Corruption::GenderFormatted,
        Corruption::Placeholder,
    ];
}

/// The set of corruptions applied to one record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Corruptions(u32);

impl Corruptions {
    /// Whether `corruption` was applied.
    pub fn contains(self, corruption: Corruption) -> bool {
        self.0 & (1 << corruption as u32) != 0
    }

    /// The corruptions applied, in declaration order.
    pub fn iter(self) -> impl Iterator<Item = Corruption> {
        Corruption::ALL
            .into_iter()
            .filter(move |c| self.contains(*c))
    }

    fn insert(&mut self, corruption: Corruption) {
        self.0 |= 1 << corruption as u32;
    }

    fn set(&mut self, corruption: Corruption, applied: bool) {
        if applied {
            self.insert(corruption);
        }
    }
}

/// The true values behind one record, kept beside the rows for tests and the library API.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowMeta {
    pub household: u64,
    pub member: u8,
    pub corruptions: Corruptions,
    /// The true phone behind the `phone` field (national digits), if one was written.
    pub phone: Option<Phone>,
    pub birth: (u16, u8, u8),
    pub male: bool,
    pub western: bool,
}

/// Rows of one chunk: all field text in one buffer, the end offset of each field.
#[derive(Default)]
pub(crate) struct Rows {
    pub text: String,
    pub ends: Vec<u32>,
    pub meta: Vec<RowMeta>,
    scratch: String,
}

impl Rows {
    /// The `field`-th value of row `row`.
    pub(crate) fn field(&self, row: usize, field: usize) -> &str {
        let at = row * DATA_FIELDS + field;
        let start = if at == 0 {
            0
        } else {
            self.ends[at - 1] as usize
        };
        &self.text[start..self.ends[at] as usize]
    }

    pub(crate) fn len(&self) -> usize {
        self.meta.len()
    }

    fn end_field(&mut self) {
        self.ends.push(self.text.len() as u32);
    }
}

/// Field positions after `record_id`, as in [`crate::DATA_HEADER`].
const NAME: usize = 1;
const PHONE: usize = 2;
const EMAIL: usize = 4;
const ADDRESS: usize = 5;
const BIRTH: usize = 6;

/// Appends every record of every person in `household`.
/// How many records a person's records render as (at most 16).
pub(crate) fn records_of(person: &Person) -> usize {
    usize::from(person.records).min(RECORDS_PER_PERSON_MAX)
}

/// The most records one person renders.
const RECORDS_PER_PERSON_MAX: usize = 16;

pub(crate) fn render_household(
    seed: u64,
    index: u64,
    household: &Household,
    difficulty: &Difficulty,
    rows: &mut Rows,
) {
    let weights: Vec<f64> = difficulty.channels().iter().map(|p| p.weight).collect();
    for person in &household.members {
        let mut draw = Draw::new(seed, 3, index * 8 + u64::from(person.member));
        // Record dates, oldest first, over three years from 2023-01-01.
        let mut days = [0u16; RECORDS_PER_PERSON_MAX];
        let n = records_of(person);
        for day in days.iter_mut().take(n) {
            *day = draw.below(1096) as u16;
        }
        days[..n].sort_unstable();
        for (at, day) in days[..n].iter().enumerate() {
            let channel = draw.weighted(&weights);
            render_record(
                household, person, at as u8, channel, *day, difficulty, &mut draw, rows,
            );
            if let Some(meta) = rows.meta.last_mut() {
                meta.household = index;
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn render_record(
    household: &Household,
    person: &Person,
    at: u8,
    channel: usize,
    day: u16,
    d: &Difficulty,
    draw: &mut Draw,
    rows: &mut Rows,
) {
    let profile: &ChannelProfile = d.channels()[channel];
    let mut flags = Corruptions::default();
    let placeholder_field = draw
        .chance(d.placeholder)
        .then(|| draw.pick(&[NAME, PHONE, EMAIL, ADDRESS, BIRTH]));
    let placeholder = |rows: &mut Rows, field: usize, flags: &mut Corruptions, draw: &mut Draw| {
        if placeholder_field == Some(field) {
            rows.text
                .push_str(draw.pick(&["-", "无", "N/A", "null", "不详", "0"]));
            flags.insert(Corruption::Placeholder);
            true
        } else {
            false
        }
    };

    // channel
    rows.text.push_str(CHANNELS[channel].label());
    rows.end_field();

    // name
    if draw.chance(profile.name) && !placeholder(rows, NAME, &mut flags, draw) {
        if person.western {
            push_western_name(rows, person, profile, d, draw, &mut flags);
        } else {
            push_chinese_name(rows, person, profile, d, draw, &mut flags);
        }
    }
    rows.end_field();

    // phone: the current mobile, sometimes the household landline.
    let changed = person.new_mobile.is_some() && at >= person.change_at;
    let mobile = match person.new_mobile {
        Some(new) if changed => new,
        _ => person.mobile,
    };
    let mut true_phone = None;
    if draw.chance(profile.phone) && !placeholder(rows, PHONE, &mut flags, draw) {
        let phone = match household.landline {
            Some(landline) if (channel == 0 || channel == 4) && draw.chance(0.3) => {
                flags.insert(Corruption::PhoneShared);
                landline
            }
            _ => {
                flags.set(Corruption::PhoneChanged, changed);
                flags.set(
                    Corruption::PhoneShared,
                    household.shared_mobile && person.member > 0,
                );
                mobile
            }
        };
        true_phone = Some(phone);
        push_phone(rows, phone, channel, profile, d, draw, &mut flags);
    }
    rows.end_field();

    // phone2: the landline, or the previous mobile after a change.
    if draw.chance(profile.phone2) {
        let second = match (household.landline, person.new_mobile) {
            (Some(landline), _) if Some(landline) != true_phone => Some(landline),
            (_, Some(_)) if changed => Some(person.mobile),
            _ => None,
        };
        if let Some(phone) = second {
            let mut ignored = Corruptions::default();
            push_phone(rows, phone, channel, profile, d, draw, &mut ignored);
        }
    }
    rows.end_field();

    // email
    if let Some((local, domain)) = &person.email
        && draw.chance(profile.email)
        && !placeholder(rows, EMAIL, &mut flags, draw)
    {
        let variant = EmailVariant {
            case: draw.chance(d.email_case),
            gmail_dots: *domain == "gmail.com" && draw.chance(d.gmail_dots),
            plus_tag: draw.chance(d.plus_tag),
            domain_typo: draw.chance(d.domain_typo),
        };
        flags.set(Corruption::EmailCase, variant.case);
        flags.set(Corruption::EmailGmailDots, variant.gmail_dots);
        flags.set(Corruption::EmailPlusTag, variant.plus_tag);
        flags.set(Corruption::EmailDomainTypo, variant.domain_typo);
        corrupt::push_email(&mut rows.text, local, domain, &variant, draw);
    }
    rows.end_field();

    // address
    if draw.chance(profile.address) && !placeholder(rows, ADDRESS, &mut flags, draw) {
        let moved = person.new_address.is_some() && at >= person.move_at;
        let address = match person.new_address {
            Some(new) if moved => new,
            _ => person.address,
        };
        flags.set(Corruption::AddressMoved, moved);
        push_address(&mut rows.text, &address, d, draw, &mut flags);
    }
    rows.end_field();

    // birth_date
    if draw.chance(profile.birth_date) && !placeholder(rows, BIRTH, &mut flags, draw) {
        let format = if draw.chance(d.date_format) {
            flags.insert(Corruption::DateFormatted);
            if person.western {
                draw.pick(&[1, 4, 6, 7])
            } else {
                1 + draw.below(corrupt::DATE_FORMATS - 2)
            }
        } else {
            0
        };
        corrupt::push_date(&mut rows.text, person.birth, format);
    }
    rows.end_field();

    // gender
    if draw.chance(profile.gender) {
        const WORDS: [(&str, &str); 5] = [
            ("男", "女"),
            ("M", "F"),
            ("male", "female"),
            ("Male", "Female"),
            ("1", "2"),
        ];
        let canonical = usize::from(person.western);
        let form = if draw.chance(d.gender_format) {
            flags.insert(Corruption::GenderFormatted);
            let other = 1 + draw.below(WORDS.len() - 1);
            (canonical + other) % WORDS.len()
        } else {
            canonical
        };
        let (m, f) = WORDS[form];
        rows.text.push_str(if person.male { m } else { f });
    }
    rows.end_field();

    // id_number
    if let Some(id) = &person.national_id
        && draw.chance(profile.national_id)
    {
        rows.text
            .push_str(std::str::from_utf8(id).unwrap_or_default());
    }
    rows.end_field();

    // member_no
    if draw.chance(profile.member_no) {
        use std::fmt::Write as _;
        let _ = write!(rows.text, "M{:011}", person.member_no);
    }
    rows.end_field();

    // device_id
    if draw.chance(profile.device_id) {
        use std::fmt::Write as _;
        let _ = write!(rows.text, "{:012x}", person.device);
    }
    rows.end_field();

    // updated_at, in the channel system's own format.
    push_timestamp(&mut rows.text, day, channel, draw);
    rows.end_field();

    rows.meta.push(RowMeta {
        household: 0,
        member: person.member,
        corruptions: flags,
        phone: true_phone,
        birth: person.birth,
        male: person.male,
        western: person.western,
    });
}

fn push_chinese_name(
    rows: &mut Rows,
    person: &Person,
    profile: &ChannelProfile,
    d: &Difficulty,
    draw: &mut Draw,
    flags: &mut Corruptions,
) {
    let out = &mut rows.text;
    if draw.chance(profile.honorific_name) {
        flags.insert(Corruption::NameHonorific);
        out.push_str(person.family);
        out.push_str(if person.male {
            "先生"
        } else if draw.chance(0.7) {
            "女士"
        } else {
            "小姐"
        });
    } else if draw.chance(profile.masked_name) {
        flags.insert(Corruption::NameMasked);
        match draw.below(3) {
            0 => {
                out.push_str(person.family);
                out.extend(std::iter::repeat_n('*', person.given.chars().count()));
            }
            1 => {
                out.push('小');
                out.push_str(person.family);
            }
            _ => {
                out.push('阿');
                out.extend(person.given.chars().last());
            }
        }
    } else if draw.chance(profile.romanised_name) {
        flags.insert(Corruption::NameRomanised);
        corrupt::push_pinyin_name(out, person.family_pinyin, &person.given_pinyin, draw);
    } else {
        let scratch = &mut rows.scratch;
        scratch.clear();
        scratch.push_str(person.family);
        let given_chars = person.given.chars().count();
        if given_chars >= 2 && draw.chance(d.dropped_character) {
            flags.insert(Corruption::NameDroppedCharacter);
            let drop = draw.below(given_chars);
            scratch.extend(
                person
                    .given
                    .chars()
                    .enumerate()
                    .filter(|(i, _)| *i != drop)
                    .map(|(_, c)| c),
            );
        } else {
            scratch.push_str(&person.given);
        }
        let start = out.len();
        if draw.chance(profile.homophone_name) {
            let applied = corrupt::push_homophone(out, scratch, draw);
            flags.set(Corruption::NameHomophone, applied);
        } else {
            out.push_str(scratch);
        }
        if draw.chance(d.traditional_name) {
            let changed = corrupt::to_traditional_since(out, start);
            flags.set(Corruption::NameTraditional, changed);
        }
    }
}

fn push_western_name(
    rows: &mut Rows,
    person: &Person,
    profile: &ChannelProfile,
    d: &Difficulty,
    draw: &mut Draw,
    flags: &mut Corruptions,
) {
    let out = &mut rows.text;
    if draw.chance(profile.honorific_name) {
        flags.insert(Corruption::NameHonorific);
        let title = if person.male {
            draw.pick(&["Mr", "Mr."])
        } else {
            draw.pick(&["Mrs", "Ms", "Miss", "Ms."])
        };
        out.push_str(title);
        out.push(' ');
        out.push_str(person.family);
        return;
    }
    if draw.chance(profile.masked_name) {
        flags.insert(Corruption::NameMasked);
        if draw.chance(0.5) {
            out.push_str(&person.given);
            out.push(' ');
            out.push_str(&person.family[..1]);
            out.push('.');
        } else {
            out.push_str(&person.given[..1]);
            out.push_str("***");
        }
        return;
    }
    let nicknames = tables::nicknames(&person.given);
    let given: &str = if !nicknames.is_empty() && draw.chance(d.nickname) {
        flags.insert(Corruption::NameNickname);
        draw.pick(nicknames)
    } else {
        &person.given
    };
    // Build given and family (one may carry a typo) in the scratch buffer: given, then family.
    let scratch = &mut rows.scratch;
    scratch.clear();
    let typo = draw.chance(d.name_typo);
    let typo_in_family = draw.chance(0.5);
    if typo && !typo_in_family {
        corrupt::push_typo(scratch, given, draw);
    } else {
        scratch.push_str(given);
    }
    let split = scratch.len();
    if typo && typo_in_family {
        corrupt::push_typo(scratch, person.family, draw);
    } else {
        scratch.push_str(person.family);
    }
    flags.set(Corruption::NameTypo, typo);
    let (given, family) = scratch.split_at(split);
    if draw.chance(d.western_name_format) {
        flags.insert(Corruption::NameReformatted);
        match (draw.below(5), person.middle_initial) {
            (0, _) => {
                out.push_str(&family.to_ascii_uppercase());
                out.push_str(", ");
                out.push_str(given);
            }
            (1, _) => {
                out.push_str(family);
                out.push_str(", ");
                out.push_str(given);
            }
            (2, _) => {
                out.push_str(&given.to_ascii_uppercase());
                out.push(' ');
                out.push_str(&family.to_ascii_uppercase());
            }
            (3, Some(middle)) => {
                out.push_str(given);
                out.push(' ');
                out.push(middle);
                out.push_str(". ");
                out.push_str(family);
            }
            _ => {
                out.push_str(&given[..1]);
                out.push_str(". ");
                out.push_str(family);
            }
        }
    } else {
        out.push_str(given);
        out.push(' ');
        out.push_str(family);
    }
}

fn push_phone(
    rows: &mut Rows,
    phone: Phone,
    channel: usize,
    profile: &ChannelProfile,
    d: &Difficulty,
    draw: &mut Draw,
    flags: &mut Corruptions,
) {
    let out = &mut rows.text;
    if draw.chance(profile.masked_phone) {
        flags.insert(Corruption::PhoneMasked);
        corrupt::push_masked_phone(out, phone.digits());
        return;
    }
    let mut digits = [0u8; 12];
    let len = phone.digits().len();
    digits[..len].copy_from_slice(phone.digits().as_bytes());
    if draw.chance(d.phone_typo) {
        flags.insert(Corruption::PhoneTypo);
        corrupt::swap_adjacent_digits(&mut digits[..len], draw);
    }
    let d_str = std::str::from_utf8(&digits[..len]).unwrap_or_default();
    let formatted = draw.chance(d.phone_format);
    let full_width = draw.chance(d.phone_full_width);
    let scratch = &mut rows.scratch;
    scratch.clear();
    let target: &mut String = if full_width { scratch } else { out };
    match phone.kind {
        PhoneKind::CnMobile if formatted && channel == 4 => {
            corrupt::push_cn_mobile_spoken(target, d_str, draw)
        }
        PhoneKind::CnMobile => {
            let format = if formatted {
                1 + draw.below(corrupt::CN_MOBILE_FORMATS - 1)
            } else {
                0
            };
            corrupt::push_cn_mobile(target, d_str, format);
        }
        PhoneKind::CnLandline { area_len } => {
            let (area, local) = d_str.split_at(usize::from(area_len));
            let format = if formatted { 1 + draw.below(5) } else { 0 };
            corrupt::push_cn_landline(target, area, local, format);
        }
        PhoneKind::Nanp => {
            let format = if formatted { 1 + draw.below(7) } else { 0 };
            corrupt::push_nanp(target, d_str, format);
        }
        PhoneKind::Au => {
            let format = if formatted { 1 + draw.below(4) } else { 0 };
            corrupt::push_au_mobile(target, d_str, format);
        }
    }
    flags.set(Corruption::PhoneFormatted, formatted);
    if full_width {
        flags.insert(Corruption::PhoneFullWidth);
        corrupt::push_full_width_digits(out, scratch);
    }
}

fn push_address(
    out: &mut String,
    address: &Address,
    d: &Difficulty,
    draw: &mut Draw,
    flags: &mut Corruptions,
) {
    use std::fmt::Write as _;
    match *address {
        Address::Cn {
            city,
            district,
            street,
            number,
            estate,
            building,
            unit,
            room,
        } => {
            let city = &CITIES[usize::from(city)];
            let district = city.districts[usize::from(district)].0;
            let start = out.len();
            if draw.chance(d.address_shortened) {
                flags.insert(Corruption::AddressShortened);
                match draw.below(3) {
                    0 => out.push_str(city.city),
                    1 => {
                        out.push_str(city.province_short);
                        out.push_str(city.city.trim_end_matches('市'));
                    }
                    // District only: the city was obvious to whoever typed it.
                    _ => {}
                }
            } else {
                out.push_str(city.province);
                out.push_str(city.city);
            }
            out.push_str(district);
            out.push_str(tables::CN_STREETS[usize::from(street)]);
            let _ = write!(out, "{number}号");
            if draw.chance(d.address_detail_dropped) {
                flags.insert(Corruption::AddressDetailDropped);
            } else {
                if let Some(estate) = estate {
                    out.push_str(tables::CN_ESTATES[usize::from(estate)]);
                }
                let _ = if draw.chance(d.address_detail_variant) {
                    flags.insert(Corruption::AddressDetailVariant);
                    match draw.below(4) {
                        0 => write!(out, "{building}-{unit}-{room}"),
                        1 => write!(out, "{building}幢{unit}单元{room}"),
                        2 => write!(out, "{building}号楼{unit}单元{room}室"),
                        _ => write!(out, "{building}栋{room}室"),
                    }
                } else {
                    write!(out, "{building}栋{unit}单元{room}室")
                };
            }
            if draw.chance(d.address_traditional) {
                let changed = corrupt::to_traditional_since(out, start);
                flags.set(Corruption::AddressTraditional, changed);
            }
        }
        Address::West {
            city,
            number,
            street,
            street_type,
            postcode_suffix,
            unit,
        } => {
            let city = &WEST_CITIES[usize::from(city)];
            let (full, short) = tables::WEST_STREET_TYPES[usize::from(street_type)];
            let street_type = if draw.chance(d.street_abbreviated) {
                flags.insert(Corruption::StreetAbbreviated);
                short
            } else {
                full
            };
            let street = tables::WEST_STREETS[usize::from(street)];
            let digits = city.postcode_len - city.postcode_prefix.len();
            let postcode_prefix = city.postcode_prefix;
            let start = out.len();
            match (unit, city.australian) {
                (Some(unit), true) => write!(out, "{unit}/{number} {street} {street_type}"),
                (Some(unit), false) => write!(out, "{number} {street} {street_type} Apt {unit}"),
                (None, _) => write!(out, "{number} {street} {street_type}"),
            }
            .unwrap_or_default();
            let shortened = draw.chance(d.address_shortened);
            let _ = match (shortened, city.australian) {
                (false, false) => write!(
                    out,
                    ", {}, {} {postcode_prefix}{postcode_suffix:0digits$}",
                    city.city, city.state
                ),
                (false, true) => write!(
                    out,
                    ", {} {} {postcode_prefix}{postcode_suffix:0digits$}",
                    city.city, city.state
                ),
                (true, _) => {
                    flags.insert(Corruption::AddressShortened);
                    match draw.below(3) {
                        0 => write!(out, " {} {}", city.city, city.state),
                        1 => write!(
                            out,
                            ", {}, {} {postcode_prefix}{postcode_suffix:0digits$}",
                            city.city, city.state_name
                        ),
                        _ => {
                            let written = out.split_off(start);
                            out.push_str(&written.to_ascii_uppercase());
                            write!(
                                out,
                                " {} {} {postcode_prefix}{postcode_suffix:0digits$}",
                                city.city.to_ascii_uppercase(),
                                city.state
                            )
                        }
                    }
                }
            };
        }
    }
}

/// Appends `updated_at` for day `day` after 2023-01-01 in the channel's system format.
fn push_timestamp(out: &mut String, day: u16, channel: usize, draw: &mut Draw) {
    use std::fmt::Write as _;
    let (mut y, mut m, mut rest) = (2023u16, 1u8, u32::from(day));
    loop {
        let len = u32::from(crate::person::days_in_month(y, m));
        if rest < len {
            break;
        }
        rest -= len;
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
    let dd = rest + 1;
    let (hh, mm, ss) = (draw.range(8, 22), draw.below(60), draw.below(60));
    let _ = match channel {
        0 => write!(out, "{y}-{m:02}-{dd:02} {hh:02}:{mm:02}:{ss:02}"),
        1 => write!(out, "{y}-{m:02}-{dd:02}T{hh:02}:{mm:02}:{ss:02}"),
        2 => write!(out, "{y}-{m:02}-{dd:02} {hh:02}:{mm:02}"),
        3 => write!(out, "{y}-{m:02}-{dd:02}"),
        4 => write!(out, "{y}/{m:02}/{dd:02} {hh:02}:{mm:02}"),
        _ => write!(out, "{y}-{m:02}-{dd:02}T{hh:02}:{mm:02}:{ss:02}Z"),
    };
}
