//! Chinese addresses: postcode extraction, punctuation clean-up, province / city / district
//! by `cpca`, and the road name and 号 number from what remains.

use std::borrow::Cow;

use super::{Address, AddressScript};
use crate::text::is_cjk;

/// Reads a folded (NFKC, lower-case, Simplified) Chinese address.
pub(super) fn parse(folded: &str) -> Address {
    let (rest, postcode) = take_postcode(folded);
    let clean = clean(&rest);
    // The common shapes are read by our own tables; cpca reads the rest.
    if let Some(p) = super::places::read(&clean) {
        return han_address(
            Some(p.province.to_string()),
            Some(p.city.to_string()),
            p.district.map(str::to_string),
            p.detail,
            postcode,
        );
    }
    let parsed = cpca::AddressParser::global().parse(&clean);
    if parsed.province.is_none()
        && parsed.city.is_none()
        && parsed.district.is_none()
        && !crate::text::has_han(&parsed.detail)
    {
        // Only the postcode marker was Chinese: read the rest as a Western line, so that the
        // norm (which no longer has Han) reads back the same way.
        let mut address = super::latin::parse(&rest);
        if address.postcode.is_none() {
            address.postcode = postcode.map(Into::into);
        }
        return address;
    }
    han_address(
        parsed.province,
        parsed.city,
        parsed.district,
        &parsed.detail,
        postcode,
    )
}

fn han_address(
    province: Option<String>,
    city: Option<String>,
    district: Option<String>,
    detail: &str,
    postcode: Option<String>,
) -> Address {
    let detail = canonical_detail(detail);
    let detail = detail.as_str();
    let (street, number) = road_and_number(detail);
    Address {
        script: AddressScript::Han,
        province: province.map(Into::into),
        city: city.map(Into::into),
        district: district.map(Into::into),
        detail: (!detail.is_empty()).then(|| detail.into()),
        number: number.map(Into::into),
        street: street.map(Into::into),
        postcode: postcode.map(Into::into),
    }
}

/// Finds a 6-digit postcode: after `邮编` / `邮政编码`, at the very start, or a 6-digit run not
/// followed by a Han unit (so `518057号` stays a house number). Returns the text without it.
fn take_postcode(s: &str) -> (Cow<'_, str>, Option<String>) {
    for std::ops::Range { start, end: i } in crate::text::digit_runs(s) {
        if i - start != 6 {
            continue;
        }
        let before = s[..start].trim_end_matches([' ', ':']);
        let marker = ["邮政编码", "邮编"]
            .iter()
            .find(|m| before.ends_with(*m))
            .map(|m| m.len());
        let next_is_han = s[i..].chars().next().is_some_and(crate::text::is_han);
        if marker.is_some() || before.is_empty() || !next_is_han {
            let cut = marker.map_or(start, |len| before.len() - len);
            let mut rest = String::with_capacity(s.len());
            rest.push_str(&s[..cut]);
            rest.push(' ');
            rest.push_str(&s[i..]);
            return (Cow::Owned(rest), Some(s[start..i].to_string()));
        }
    }
    (Cow::Borrowed(s), None)
}

/// Drops white space and punctuation; keeps `-` between letters or digits (`12-14号`) and
/// reads `#` after a digit as 号 (`3#楼` is 3号楼). Digits that only punctuation separated
/// stay apart with a `-` (`662.662号` is 662-662号), so they never join into a postcode.
fn clean(s: &str) -> Cow<'_, str> {
    // The usual address has nothing to drop, and its characters are NFKC in any order.
    if s.chars().all(|c| c.is_ascii_alphanumeric() || is_cjk(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    let mut prev: Option<char> = None;
    let mut dropped = false;
    while let Some(c) = chars.next() {
        let keep = if c.is_ascii_alphanumeric() || is_cjk(c) || c.is_alphanumeric() {
            Some(c)
        } else if c == '-' {
            let next = chars.peek().copied();
            (prev.is_some_and(|p| p.is_ascii_alphanumeric())
                && next.is_some_and(|n| n.is_ascii_alphanumeric()))
            .then_some('-')
        } else if c == '#' {
            prev.is_some_and(|p| p.is_ascii_digit()).then_some('号')
        } else {
            None
        };
        match keep {
            Some(k) => {
                if dropped && k.is_ascii_digit() && prev.is_some_and(|p| p.is_ascii_digit()) {
                    out.push('-');
                }
                out.push(k);
                prev = Some(k);
                dropped = false;
            }
            None => dropped = true,
        }
    }
    if out.chars().all(|c| c.is_ascii() || is_cjk(c)) {
        return Cow::Owned(out);
    }
    // Dropping punctuation between combining marks can leave them out of canonical order.
    match crate::text::nfkc(&out) {
        Cow::Borrowed(_) => Cow::Owned(out),
        Cow::Owned(settled) => Cow::Owned(settled),
    }
}

/// Words that follow a number in a Chinese address: the house number (号), a building (栋,
/// 幢, 号楼, 座, 楼), an entrance (单元), a floor (层), a room (室), a lane (弄).
const NUMBER_UNITS: &[&str] = &[
    "号楼", "单元", "号", "栋", "幢", "座", "楼", "层", "室", "弄",
];

/// Markers of a building, each read as `building-…`.
const BUILDINGS: &[&str] = &["号楼", "栋", "幢", "座"];

/// The detail of a Chinese address written one way however it was typed, so that one flat
/// reads the same: Chinese numerals before a number's unit as digits (`二十二号` is `22号`),
/// a road's number without its 号 given one (`中山路26锦绣华庭` is `中山路26号锦绣华庭`),
/// and building, entrance and room as the usual short form `building-entrance-room`
/// (`29栋3单元3204室`, `29幢3单元3204` and `29号楼3单元3204` are `29-3-3204`; `2号楼604`
/// is `2-604`; `4单元27栋1603` is `27-4-1603`).
fn canonical_detail(detail: &str) -> String {
    let with_digits = numerals_as_digits(detail);
    let mut out = String::with_capacity(with_digits.len());
    let mut rest = with_digits.as_str();
    let mut after_road = false;
    while let Some(c) = rest.chars().next() {
        if c.is_ascii_digit() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            let number = &rest[..digits];
            let tail = &rest[digits..];
            if let Some((short, used)) = flat(number, tail) {
                out.push_str(&short);
                rest = &tail[used..];
            } else if after_road
                && tail.chars().next().is_some_and(crate::text::is_han)
                && !NUMBER_UNITS.iter().any(|u| tail.starts_with(u))
            {
                // `中山路26锦绣华庭`: the road's number, written without its 号.
                out.push_str(number);
                out.push('号');
                rest = tail;
            } else {
                out.push_str(number);
                rest = tail;
            }
            after_road = false;
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
        after_road =
            ["路", "街", "道", "巷"].iter().any(|s| out.ends_with(s)) && !out.ends_with("街道");
    }
    // A room's 室 at the end says nothing the short form does not.
    if out.ends_with('室')
        && out[..out.len() - '室'.len_utf8()].ends_with(|c: char| c.is_ascii_digit())
    {
        out.truncate(out.len() - '室'.len_utf8());
    }
    out
}

/// A flat's numbers starting with `number`, the text after it `tail`: the short form and how
/// many bytes of `tail` it used, or `None` when `number` starts no building or entrance.
fn flat(number: &str, tail: &str) -> Option<(String, usize)> {
    let digits_at = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    let room = |s: &str| -> (usize, usize) {
        // A room's digits and its optional 室: (digits, bytes used).
        let n = digits_at(s);
        let used = n + if n > 0 && s[n..].starts_with('室') {
            '室'.len_utf8()
        } else {
            0
        };
        (n, used)
    };
    if let Some(b) = BUILDINGS.iter().find(|b| tail.starts_with(**b)) {
        let after = &tail[b.len()..];
        let entrance = digits_at(after);
        if entrance > 0 && after[entrance..].starts_with("单元") {
            let rest = &after[entrance + "单元".len()..];
            let (r, used) = room(rest);
            if r > 0 {
                let short = format!("{number}-{}-{}", &after[..entrance], &rest[..r]);
                return Some((short, b.len() + entrance + "单元".len() + used));
            }
            return Some((
                format!("{number}-{}", &after[..entrance]),
                b.len() + entrance + "单元".len(),
            ));
        }
        let (r, used) = room(after);
        if r > 0 {
            return Some((format!("{number}-{}", &after[..r]), b.len() + used));
        }
        return None;
    }
    if let Some(after) = tail.strip_prefix("单元") {
        // `4单元27栋1603`: the entrance written before the building.
        let building = digits_at(after);
        let marker = BUILDINGS
            .iter()
            .find(|b| after[building..].starts_with(**b))?;
        let rest = &after[building + marker.len()..];
        let (r, used) = room(rest);
        if building > 0 && r > 0 {
            let short = format!("{}-{number}-{}", &after[..building], &rest[..r]);
            return Some((short, "单元".len() + building + marker.len() + used));
        }
    }
    None
}

/// Chinese numerals written before a number's unit (`二十二号`, `三栋`, `五〇一室`) as digits.
fn numerals_as_digits(detail: &str) -> String {
    const NUMERALS: &str = "零〇一二两三四五六七八九十百千";
    if !detail.chars().any(|c| NUMERALS.contains(c)) {
        return detail.to_string();
    }
    let mut out = String::with_capacity(detail.len());
    let mut rest = detail;
    while let Some(c) = rest.chars().next() {
        if NUMERALS.contains(c) {
            let run: usize = rest
                .chars()
                .take_while(|c| NUMERALS.contains(*c))
                .map(char::len_utf8)
                .sum();
            let tail = &rest[run..];
            if NUMBER_UNITS.iter().any(|u| tail.starts_with(u))
                && let Some(value) = numeral_value(&rest[..run])
            {
                out.push_str(&value.to_string());
            } else {
                out.push_str(&rest[..run]);
            }
            rest = tail;
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The value of a Chinese numeral: positional (`二十二` 22, `一百零五` 105) or digit by digit
/// (`五〇一` 501); `None` for a run that is neither.
fn numeral_value(numeral: &str) -> Option<u32> {
    let digit = |c: char| match c {
        '零' | '〇' => Some(0),
        '两' => Some(2),
        c => "一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .map(|p| p as u32 + 1),
    };
    if !numeral.contains(['十', '百', '千']) {
        // Digit by digit.
        let mut value = 0u32;
        for c in numeral.chars() {
            value = value.checked_mul(10)?.checked_add(digit(c)?)?;
        }
        return Some(value);
    }
    let mut total = 0u32;
    let mut pending: Option<u32> = None;
    for c in numeral.chars() {
        let scale = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            c => {
                pending = Some(digit(c)?);
                continue;
            }
        };
        total += pending.take().unwrap_or(1) * scale;
    }
    Some(total + pending.unwrap_or(0))
}

/// The road name and the house number of `科技园路1号`-shaped detail, when both are there.
fn road_and_number(detail: &str) -> (Option<String>, Option<String>) {
    let Some(hao) = detail.find('号') else {
        return (None, None);
    };
    let head = &detail[..hao];
    let number_start = head.len()
        - head
            .bytes()
            .rev()
            .take_while(|b| b.is_ascii_digit() || *b == b'-')
            .count();
    let number = head[number_start..].trim_matches('-');
    if number.is_empty() {
        return (None, None);
    }
    let mut road = &head[..number_start];
    // The subdistrict or town before the road is not part of its name.
    for prefix in ["街道", "镇", "乡"] {
        if let Some(pos) = rfind(road, prefix) {
            let after = &road[pos + prefix.len()..];
            if after.chars().count() >= 2 {
                road = after;
            }
        }
    }
    let is_road = ["路", "街", "道", "巷", "弄", "胡同", "里"]
        .iter()
        .any(|suffix| road.ends_with(suffix))
        && !road.ends_with("街道")
        && road.chars().count() >= 2;
    (is_road.then(|| road.to_string()), Some(number.to_string()))
}

/// `hay.rfind(needle)` without building a substring searcher for a needle this short (a
/// UTF-8 match of a whole character sequence always starts on a character boundary).
fn rfind(hay: &str, needle: &str) -> Option<usize> {
    hay.as_bytes()
        .windows(needle.len())
        .rposition(|w| w == needle.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postcode_positions() {
        assert_eq!(
            take_postcode("518057广东省深圳市").1.as_deref(),
            Some("518057")
        );
        assert_eq!(
            take_postcode("广东省深圳市科技园路1号 518057").1.as_deref(),
            Some("518057")
        );
        let (rest, code) = take_postcode("广东省深圳市 邮编:518057 科技园");
        assert_eq!(
            (&*clean(&rest), code.as_deref()),
            ("广东省深圳市科技园", Some("518057"))
        );
        assert_eq!(take_postcode("科技园路518057号").1, None);
        assert_eq!(clean("662.662号"), "662-662号");
        assert_eq!(clean("662-662号"), "662-662号");
        assert_eq!(take_postcode("科技园路1号5180570").1, None);
    }

    #[test]
    fn road_and_number_split() {
        assert_eq!(
            road_and_number("科技园路1号"),
            (Some("科技园路".into()), Some("1".into()))
        );
        assert_eq!(
            road_and_number("粤海街道科技园路12-14号a座"),
            (Some("科技园路".into()), Some("12-14".into()))
        );
        assert_eq!(road_and_number("科技园"), (None, None));
        assert_eq!(road_and_number("腾讯大厦3号"), (None, Some("3".into())));
    }

    #[test]
    fn a_flat_reads_one_way_however_typed() {
        let short = "新华街22号锦绣华庭21-104";
        for typed in [
            "新华街二十二号锦绣华庭21幢104室",
            "新华街22号锦绣华庭21栋104",
            "新华街22锦绣华庭21号楼104室",
            short,
        ] {
            assert_eq!(canonical_detail(typed), short, "{typed}");
        }
        let flat = "碧桂园29-3-3204";
        for typed in [
            "碧桂园29栋3单元3204室",
            "碧桂园29幢3单元3204",
            "碧桂园3单元29栋3204室",
            flat,
        ] {
            assert_eq!(canonical_detail(typed), flat, "{typed}");
        }
        assert_eq!(
            canonical_detail("长江路10号阳光花园2号楼604"),
            "长江路10号阳光花园2-604"
        );
        assert_eq!(canonical_detail("八十八号"), "88号");
        assert_eq!(canonical_detail("一百零五号五〇一室"), "105号501");
        // Numerals in names stay, and so does a number with nothing after it.
        assert_eq!(canonical_detail("三里屯路5号"), "三里屯路5号");
        assert_eq!(canonical_detail("科技园路1号a座"), "科技园路1号a座");
        assert_eq!(canonical_detail("人民路"), "人民路");
        assert_eq!(canonical_detail("街道12"), "街道12");
    }

    #[test]
    fn clean_drops_punctuation() {
        assert_eq!(clean("科技园路 1号, (a座)"), "科技园路1号a座");
        assert_eq!(clean("12-14号 3#楼 -x"), "12-14号3号楼x");
    }
}
