//! The ways one true value is written: formats and corruptions of names, phones, e-mails,
//! addresses and dates. Each function appends to `out`, so a record is built in one buffer.

use std::fmt::Write as _;

use crate::rng::Draw;
use crate::tables;

/// Appends `s` with its ASCII digits in full width (`１３８`).
pub(crate) fn push_full_width_digits(out: &mut String, s: &str) {
    for c in s.chars() {
        if c.is_ascii_digit() {
            out.push(char::from_u32(0xFF10 + (c as u32 - '0' as u32)).unwrap_or(c));
        } else {
            out.push(c);
        }
    }
}

/// Appends a masked phone: the first three and last four digits of the national number.
pub(crate) fn push_masked_phone(out: &mut String, digits: &str) {
    out.push_str(&digits[..3]);
    out.push_str("****");
    out.push_str(&digits[digits.len() - 4..]);
}

/// Swaps two adjacent digits after the first three (a keying slip).
pub(crate) fn swap_adjacent_digits(digits: &mut [u8], draw: &mut Draw) {
    if digits.len() > 5 {
        let at = 3 + draw.below(digits.len() - 4);
        digits.swap(at, at + 1);
    }
}

/// Formats of a Chinese mobile; 0 is the canonical 11 plain digits.
pub(crate) const CN_MOBILE_FORMATS: usize = 12;

/// Appends a Chinese mobile (11 digits) in format `format` (`0..CN_MOBILE_FORMATS`).
pub(crate) fn push_cn_mobile(out: &mut String, d: &str, format: usize) {
    let (a, b, c) = (&d[..3], &d[3..7], &d[7..]);
    let _ = match format {
        0 => write!(out, "{d}"),
        1 => write!(out, "{a} {b} {c}"),
        2 => write!(out, "{a}-{b}-{c}"),
        3 => write!(out, "+86 {a} {b} {c}"),
        4 => write!(out, "+86{d}"),
        5 => write!(out, "(0086){d}"),
        6 => write!(out, "0086 {d}"),
        7 => write!(out, "86-{d}"),
        8 => write!(out, "+86-{a}-{b}-{c}"),
        9 => write!(out, "(+86){a} {b} {c}"),
        10 => write!(out, "86 {a} {b} {c}"),
        _ => write!(out, "{}.{}.{}", a, b, c),
    };
}

/// Appends a spoken-style Chinese mobile as a call-centre agent types it.
pub(crate) fn push_cn_mobile_spoken(out: &mut String, d: &str, draw: &mut Draw) {
    let _ = match draw.below(4) {
        0 => write!(out, "{} {} {}", &d[..3], &d[3..7], &d[7..]),
        1 => write!(out, "{} {} {}", &d[..4], &d[4..7], &d[7..]),
        2 => write!(out, "{}-{}", &d[..3], &d[3..]),
        _ => write!(out, "{} {} {} {}", &d[..3], &d[3..5], &d[5..7], &d[7..]),
    };
}

/// Appends a Chinese landline: `area` without the trunk zero, `local` eight digits.
pub(crate) fn push_cn_landline(out: &mut String, area: &str, local: &str, format: usize) {
    let (l1, l2) = local.split_at(4);
    let _ = match format {
        0 => write!(out, "0{area}-{local}"),
        1 => write!(out, "0{area} {l1} {l2}"),
        2 => write!(out, "(0{area}){local}"),
        3 => write!(out, "+86 {area} {l1} {l2}"),
        4 => write!(out, "0{area}{local}"),
        // Local number only: the caller assumed the area.
        _ => write!(out, "{local}"),
    };
}

/// Appends a North American number (10 digits).
pub(crate) fn push_nanp(out: &mut String, d: &str, format: usize) {
    let (a, e, l) = (&d[..3], &d[3..6], &d[6..]);
    let _ = match format {
        0 => write!(out, "{a}-{e}-{l}"),
        1 => write!(out, "+1 ({a}) {e}-{l}"),
        2 => write!(out, "+1 {a} {e} {l}"),
        3 => write!(out, "({a}) {e}-{l}"),
        4 => write!(out, "{d}"),
        5 => write!(out, "+1{d}"),
        6 => write!(out, "1-{a}-{e}-{l}"),
        _ => write!(out, "{a}.{e}.{l}"),
    };
}

/// Appends an Australian mobile (national significant number, 9 digits starting with 4).
pub(crate) fn push_au_mobile(out: &mut String, d: &str, format: usize) {
    let (a, b, c) = (&d[..3], &d[3..6], &d[6..]);
    let _ = match format {
        0 => write!(out, "0{a} {b} {c}"),
        1 => write!(out, "+61 {a} {b} {c}"),
        2 => write!(out, "0{d}"),
        3 => write!(out, "+61{d}"),
        _ => write!(out, "0{} {} {}", &d[..1], &d[1..5], &d[5..]),
    };
}

/// Appends an e-mail, possibly with a plus-tag, a domain typo, Gmail dots moved and a
/// changed case. Returns which of those were applied, as `(case, dots, tag, typo)`.
pub(crate) struct EmailVariant {
    pub case: bool,
    pub gmail_dots: bool,
    pub plus_tag: bool,
    pub domain_typo: bool,
}

/// Appends `local@domain` written as `variant` says.
pub(crate) fn push_email(
    out: &mut String,
    local: &str,
    domain: &str,
    variant: &EmailVariant,
    draw: &mut Draw,
) {
    let start = out.len();
    if variant.gmail_dots && domain == "gmail.com" {
        if local.contains('.') {
            out.extend(local.chars().filter(|c| *c != '.'));
        } else {
            let at = 1 + draw.below(local.len().saturating_sub(1).max(1));
            out.push_str(&local[..at.min(local.len())]);
            out.push('.');
            out.push_str(&local[at.min(local.len())..]);
        }
    } else {
        out.push_str(local);
    }
    if variant.plus_tag {
        out.push('+');
        out.push_str(draw.pick(&["shop", "promo", "news", "taobao", "vip", "2024"]));
    }
    out.push('@');
    if variant.domain_typo {
        out.push_str(draw.pick(tables::domain_typos(domain)));
    } else {
        out.push_str(domain);
    }
    if variant.case {
        let written = out.split_off(start);
        if draw.chance(0.5) {
            out.push_str(&written.to_ascii_uppercase());
        } else {
            // Mixed case: each dot-, plus- or at-separated part capitalised.
            let mut capital = true;
            for c in written.chars() {
                out.push(if capital { c.to_ascii_uppercase() } else { c });
                capital = matches!(c, '.' | '+' | '@');
            }
        }
    }
}

/// Appends `s` with its first letter upper case.
pub(crate) fn push_capitalised(out: &mut String, s: &str) {
    let mut chars = s.chars();
    if let Some(first) = chars.next() {
        out.push(first.to_ascii_uppercase());
        out.push_str(chars.as_str());
    }
}

/// Appends a romanised given name: syllables joined (`Jianhua`) or, sometimes, hyphenated.
fn push_pinyin_given(out: &mut String, pinyin: &str, hyphen: bool, upper: bool) {
    for (i, syllable) in pinyin.split(' ').enumerate() {
        if i > 0 && hyphen {
            out.push('-');
        }
        if upper {
            out.push_str(&syllable.to_ascii_uppercase());
        } else if i == 0 || hyphen {
            push_capitalised(out, syllable);
        } else {
            out.push_str(syllable);
        }
    }
}

/// Appends a Chinese name in pinyin in one of six styles: `Zhang Wei`, `Wei Zhang`,
/// `ZHANG Wei`, `zhang wei`, `ZhangWei`, `ZHANG WEI`.
pub(crate) fn push_pinyin_name(out: &mut String, family: &str, given: &str, draw: &mut Draw) {
    let hyphen = given.contains(' ') && draw.chance(0.2);
    match draw.below(6) {
        0 => {
            push_capitalised(out, family);
            out.push(' ');
            push_pinyin_given(out, given, hyphen, false);
        }
        1 => {
            push_pinyin_given(out, given, hyphen, false);
            out.push(' ');
            push_capitalised(out, family);
        }
        2 => {
            out.push_str(&family.to_ascii_uppercase());
            out.push(' ');
            push_pinyin_given(out, given, hyphen, false);
        }
        3 => {
            out.push_str(family);
            out.push(' ');
            out.extend(given.chars().filter(|c| *c != ' '));
        }
        4 => {
            push_capitalised(out, family);
            push_pinyin_given(out, given, false, false);
        }
        _ => {
            out.push_str(&family.to_ascii_uppercase());
            out.push(' ');
            push_pinyin_given(out, given, hyphen, true);
        }
    }
}

/// Appends `hanzi` with one character that has homophones replaced by one of them.
/// Returns false (and appends `hanzi` unchanged) when no character has one.
pub(crate) fn push_homophone(out: &mut String, hanzi: &str, draw: &mut Draw) -> bool {
    let candidates = hanzi
        .chars()
        .filter(|c| !tables::homophones(*c).is_empty())
        .count();
    if candidates == 0 {
        out.push_str(hanzi);
        return false;
    }
    let mut target = draw.below(candidates);
    for c in hanzi.chars() {
        let alternatives = tables::homophones(c);
        if !alternatives.is_empty() {
            if target == 0 {
                out.push(draw.pick(alternatives));
                target = usize::MAX;
                continue;
            }
            target = target.wrapping_sub(1);
        }
        out.push(c);
    }
    true
}

/// Converts the text appended since `start` to Traditional script, in place; returns
/// whether any character changed.
pub(crate) fn to_traditional_since(out: &mut String, start: usize) -> bool {
    if out[start..].chars().any(|c| tables::traditional(c) != c) {
        let simplified = out.split_off(start);
        out.extend(simplified.chars().map(tables::traditional));
        return true;
    }
    false
}

/// Appends a Western name with one typo: two letters swapped, one dropped, one doubled or
/// one replaced by a keyboard neighbour. Names are ASCII.
pub(crate) fn push_typo(out: &mut String, name: &str, draw: &mut Draw) {
    let bytes = name.as_bytes();
    if bytes.len() < 3 {
        out.push_str(name);
        return;
    }
    // Keep the first letter: typos rarely hit it, and blocking on initials stays honest.
    let at = 1 + draw.below(bytes.len() - 2);
    let mut written: Vec<u8> = bytes.to_vec();
    match draw.below(4) {
        0 => written.swap(at, at + 1),
        1 => {
            written.remove(at);
        }
        2 => written.insert(at, bytes[at]),
        _ => written[at] = keyboard_neighbour(bytes[at]),
    }
    out.push_str(std::str::from_utf8(&written).unwrap_or(name));
}

fn keyboard_neighbour(b: u8) -> u8 {
    const ROWS: [&[u8]; 3] = [b"qwertyuiop", b"asdfghjkl", b"zxcvbnm"];
    let lower = b.to_ascii_lowercase();
    for row in ROWS {
        if let Some(i) = row.iter().position(|c| *c == lower) {
            let n = if i + 1 < row.len() {
                row[i + 1]
            } else {
                row[i - 1]
            };
            return if b.is_ascii_uppercase() {
                n.to_ascii_uppercase()
            } else {
                n
            };
        }
    }
    b
}

/// Date formats for birth dates; 0 is ISO `YYYY-MM-DD`.
pub(crate) const DATE_FORMATS: usize = 8;

/// Appends a date in format `format` (`0..DATE_FORMATS`).
pub(crate) fn push_date(out: &mut String, (y, m, d): (u16, u8, u8), format: usize) {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let _ = match format {
        0 => write!(out, "{y:04}-{m:02}-{d:02}"),
        1 => write!(out, "{y}/{m}/{d}"),
        2 => write!(out, "{y:04}{m:02}{d:02}"),
        3 => write!(out, "{y}年{m}月{d}日"),
        4 => write!(out, "{m:02}/{d:02}/{y:04}"),
        5 => write!(out, "{y:04}.{m:02}.{d:02}"),
        6 => write!(out, "{y:04}/{m:02}/{d:02}"),
        _ => write!(out, "{} {d} {y}", MONTHS[usize::from(m - 1)]),
    };
}

/// The ISO 7064 MOD 11-2 check character of the first 17 digits of a national id.
pub(crate) fn national_id_check(first17: &[u8]) -> u8 {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    b"10X98765432"[(sum % 11) as usize]
}

/// Builds an 18-character national id from region code, birth date and sequence
/// (`sequence` odd for men, even for women, as the standard requires).
pub(crate) fn national_id(region: &str, (y, m, d): (u16, u8, u8), sequence: u16) -> [u8; 18] {
    let mut id = [b'0'; 18];
    let mut head = String::with_capacity(17);
    let _ = write!(head, "{region}{y:04}{m:02}{d:02}{sequence:03}");
    id[..17].copy_from_slice(head.as_bytes());
    id[17] = national_id_check(&id[..17]);
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draw() -> Draw {
        Draw::new(42, 0, 0)
    }

    #[test]
    fn full_width_digits() {
        let mut out = String::new();
        push_full_width_digits(&mut out, "+86 138");
        assert_eq!(out, "+８６ １３８");
    }

    #[test]
    fn masked_phone_keeps_prefix_and_suffix() {
        let mut out = String::new();
        push_masked_phone(&mut out, "13800138000");
        assert_eq!(out, "138****8000");
    }

    #[test]
    fn mobile_formats_keep_the_digits() {
        let mut seen = std::collections::HashSet::new();
        for format in 0..CN_MOBILE_FORMATS {
            let mut out = String::new();
            push_cn_mobile(&mut out, "13800138000", format);
            let digits: String = out.chars().filter(char::is_ascii_digit).collect();
            assert!(digits.ends_with("13800138000"), "{out}");
            assert!(seen.insert(out));
        }
        let mut out = String::new();
        push_cn_mobile(&mut out, "13800138000", 3);
        assert_eq!(out, "+86 138 0013 8000");
        let mut d = draw();
        for _ in 0..20 {
            let mut out = String::new();
            push_cn_mobile_spoken(&mut out, "13800138000", &mut d);
            let digits: String = out.chars().filter(char::is_ascii_digit).collect();
            assert_eq!(digits, "13800138000");
        }
    }

    #[test]
    fn foreign_and_landline_formats_keep_the_digits() {
        for format in 0..8 {
            let mut out = String::new();
            push_nanp(&mut out, "7029191300", format);
            let digits: String = out.chars().filter(char::is_ascii_digit).collect();
            assert!(digits.ends_with("7029191300"), "{out}");
        }
        for format in 0..5 {
            let mut out = String::new();
            push_au_mobile(&mut out, "412345678", format);
            let digits: String = out.chars().filter(char::is_ascii_digit).collect();
            assert!(digits.ends_with("412345678"), "{out}");
            let mut out = String::new();
            push_cn_landline(&mut out, "755", "86123456", format);
            let digits: String = out.chars().filter(char::is_ascii_digit).collect();
            assert!(digits.ends_with("75586123456"), "{out}");
        }
    }

    #[test]
    fn digit_swap_changes_two_adjacent_digits() {
        let mut d = draw();
        let mut digits = *b"13800138000";
        // Retry until the swapped pair differs; equal pairs leave the number unchanged.
        while digits == *b"13800138000" {
            swap_adjacent_digits(&mut digits, &mut d);
        }
        let changed: Vec<usize> = (0..11)
            .filter(|i| digits[*i] != b"13800138000"[*i])
            .collect();
        assert_eq!(changed.len(), 2);
        assert_eq!(changed[1], changed[0] + 1);
        assert!(changed[0] >= 3);
    }

    #[test]
    fn email_variants() {
        let mut d = draw();
        let plain = EmailVariant {
            case: false,
            gmail_dots: false,
            plus_tag: false,
            domain_typo: false,
        };
        let mut out = String::new();
        push_email(&mut out, "zhang.wei", "gmail.com", &plain, &mut d);
        assert_eq!(out, "zhang.wei@gmail.com");

        let mut out = String::new();
        let dots = EmailVariant {
            gmail_dots: true,
            ..plain
        };
        push_email(&mut out, "zhang.wei", "gmail.com", &dots, &mut d);
        assert_eq!(out, "zhangwei@gmail.com");
        let mut out = String::new();
        push_email(&mut out, "zhangwei", "gmail.com", &dots, &mut d);
        assert_eq!(out.replace('.', ""), "zhangwei@gmailcom");
        assert_eq!(out.matches('.').count(), 2, "{out}");
        let mut out = String::new();
        push_email(&mut out, "zhangwei", "qq.com", &dots, &mut d);
        assert_eq!(out, "zhangwei@qq.com", "dots move only at Gmail");

        let mut out = String::new();
        let tag = EmailVariant {
            plus_tag: true,
            ..plain
        };
        push_email(&mut out, "li.na", "163.com", &tag, &mut d);
        assert!(
            out.starts_with("li.na+") && out.ends_with("@163.com"),
            "{out}"
        );

        let mut out = String::new();
        let typo = EmailVariant {
            domain_typo: true,
            ..plain
        };
        push_email(&mut out, "li.na", "qq.com", &typo, &mut d);
        assert!(
            out.starts_with("li.na@") && !out.ends_with("@qq.com"),
            "{out}"
        );

        let case = EmailVariant {
            case: true,
            ..plain
        };
        for _ in 0..10 {
            let mut out = String::new();
            push_email(&mut out, "li.na", "qq.com", &case, &mut d);
            assert_ne!(out, "li.na@qq.com");
            assert_eq!(out.to_ascii_lowercase(), "li.na@qq.com");
        }
    }

    #[test]
    fn pinyin_styles() {
        let mut d = draw();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            let mut out = String::new();
            push_pinyin_name(&mut out, "zhang", "jian hua", &mut d);
            let folded: String = out
                .to_ascii_lowercase()
                .chars()
                .filter(char::is_ascii_alphabetic)
                .collect();
            assert!(
                folded == "zhangjianhua" || folded == "jianhuazhang",
                "{out}"
            );
            seen.insert(out);
        }
        for expected in [
            "Zhang Jianhua",
            "Jianhua Zhang",
            "ZHANG Jianhua",
            "zhang jianhua",
        ] {
            assert!(seen.contains(expected), "{expected} in {seen:?}");
        }
    }

    #[test]
    fn homophone_replaces_one_character() {
        let mut d = draw();
        for _ in 0..20 {
            let mut out = String::new();
            assert!(push_homophone(&mut out, "张伟", &mut d));
            let differing = out
                .chars()
                .zip("张伟".chars())
                .filter(|(a, b)| a != b)
                .count();
            assert_eq!(differing, 1, "{out}");
        }
        let mut out = String::new();
        assert!(!push_homophone(&mut out, "丁", &mut d));
        assert_eq!(out, "丁");
    }

    #[test]
    fn traditional_script() {
        let mut out = String::from("x:张伟");
        assert!(to_traditional_since(&mut out, 2));
        assert_eq!(out, "x:張偉");
        let mut out = String::from("广东省深圳市南山区科技路1号");
        to_traditional_since(&mut out, 0);
        assert_eq!(out, "廣東省深圳市南山區科技路1號");
        let mut out = String::from("丁一");
        assert!(!to_traditional_since(&mut out, 0));
    }

    #[test]
    fn typos_change_one_letter_and_keep_the_first() {
        let mut d = draw();
        for _ in 0..50 {
            let mut out = String::new();
            push_typo(&mut out, "Johnson", &mut d);
            assert!(out.starts_with('J'));
            assert!((6..=8).contains(&out.len()), "{out}");
        }
    }

    #[test]
    fn date_formats() {
        let expected = [
            "1990-01-02",
            "1990/1/2",
            "19900102",
            "1990年1月2日",
            "01/02/1990",
            "1990.01.02",
            "1990/01/02",
            "Jan 2 1990",
        ];
        for (format, want) in expected.iter().enumerate() {
            let mut out = String::new();
            push_date(&mut out, (1990, 1, 2), format);
            assert_eq!(&out, want);
        }
    }

    #[test]
    fn national_ids_carry_a_valid_check_digit() {
        // Published example: 11010519491231002X.
        assert_eq!(national_id_check(b"11010519491231002"), b'X');
        let id = national_id("440305", (1990, 1, 2), 123);
        assert_eq!(&id[..17], b"44030519900102123");
        assert_eq!(id[17], national_id_check(&id[..17]));
    }
}
