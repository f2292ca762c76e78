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
    fn clean_drops_punctuation() {
        assert_eq!(clean("科技园路 1号, (a座)"), "科技园路1号a座");
        assert_eq!(clean("12-14号 3#楼 -x"), "12-14号3号楼x");
    }
}
