//! Masking per field kind (`138****8000`, `张*`, `b***@gmail.com`) and keyed pseudonyms
//! (HMAC-SHA256), so reports and logs can show or join values without the raw data.
//!
//! Masking is for display: it never panics and, for inputs of two or more characters that
//! are not already masked, never returns the input unchanged. Pseudonyms are for joins: the
//! same key, kind and value always give the same pseudonym, and nothing else does.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sameas_core::FieldKind;
use sha2::Sha256;

use crate::text::{collapse_whitespace, is_han, nfkc, to_simplified};

/// At most this many `*` stand for hidden characters, so a long value does not give away
/// its length or blow up a report.
const MAX_STARS: usize = 8;

/// Compound Han surnames kept whole when masking (`欧阳**`).
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "诸葛", "上官", "司徒", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
    "夏侯", "令狐", "端木", "独孤", "南宫", "西门", "万俟", "闻人", "轩辕", "呼延", "申屠",
];

fn push_stars(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n('*', n.min(MAX_STARS)));
}

/// One `*` per character (at least one, at most [`MAX_STARS`]); empty stays empty.
fn stars_for(s: &str) -> String {
    let mut out = String::new();
    if !s.is_empty() {
        push_stars(&mut out, s.chars().count().max(1));
    }
    out
}

#[inline]
fn is_mask_char(c: char) -> bool {
    matches!(c, '*' | '×' | '•' | '●' | '∗')
}

/// Masks a phone number for display: the first 3 and last 4 national digits of a number of
/// ten or more digits, `*` for the rest; a shorter one is hidden whole. A `+86` / `0086` /
/// `+1` prefix is dropped.
///
/// ```
/// use sameas_normalize::privacy::mask_phone;
/// assert_eq!(mask_phone("13800138000"), "138****8000");
/// assert_eq!(mask_phone("+86 138-0013-8000"), "138****8000");
/// assert_eq!(mask_phone("12345"), "*****");
/// ```
pub fn mask_phone(raw: &str) -> String {
    let text = nfkc(raw);
    let text = text.trim();
    // Digits and existing mask characters, in order; capped since nothing longer is a phone.
    let mut seq = [0u8; 32];
    let mut len = 0;
    for c in text.chars() {
        if len == seq.len() {
            break;
        }
        if c.is_ascii_digit() {
            seq[len] = c as u8;
            len += 1;
        } else if is_mask_char(c) {
            seq[len] = b'*';
            len += 1;
        }
    }
    if len == 0 {
        return stars_for(text);
    }
    let mut seq = &seq[..len];
    if text.starts_with('+') {
        if seq.starts_with(b"86") {
            seq = &seq[2..];
        } else if seq.starts_with(b"1") {
            seq = &seq[1..];
        }
    } else if (seq.len() == 13 && seq.starts_with(b"861"))
        || (seq.len() == 15 && seq.starts_with(b"00861"))
    {
        seq = &seq[seq.len() - 11..];
    }
    let mut out = String::with_capacity(11);
    if seq.len() >= 10 {
        out.extend(seq[..3].iter().map(|&b| b as char));
        push_stars(&mut out, seq.len() - 7);
        out.extend(seq[seq.len() - 4..].iter().map(|&b| b as char));
    } else {
        push_stars(&mut out, seq.len());
    }
    out
}

/// Masks a person's name: a Han name keeps its surname (`张*`, `欧阳**`); a Latin name keeps
/// the first name's initial and the surname's first letter (`R. S****`).
///
/// ```
/// use sameas_normalize::privacy::mask_name;
/// assert_eq!(mask_name("张伟"), "张*");
/// assert_eq!(mask_name("张三丰"), "张**");
/// assert_eq!(mask_name("欧阳娜娜"), "欧阳**");
/// assert_eq!(mask_name("Robert Smith"), "R. S****");
/// assert_eq!(mask_name("Smith"), "S****");
/// ```
pub fn mask_name(raw: &str) -> String {
    let text = nfkc(raw);
    let text = collapse_whitespace(&text);
    if text.chars().any(is_han) {
        return mask_han_name(&text);
    }
    // "SMITH, Robert" is family first: mask it as "Robert SMITH".
    let text = match text.split_once(',') {
        Some((family, given)) if !given.trim().is_empty() => {
            std::borrow::Cow::Owned(format!("{} {}", given.trim(), family.trim()))
        }
        _ => text,
    };
    let mut tokens = text
        .split(' ')
        .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|t| !t.is_empty());
    let Some(first) = tokens.next() else {
        return stars_for(&text);
    };
    let mut out = String::with_capacity(text.len().min(16));
    let last = match tokens.next_back() {
        Some(last) => {
            out.extend(first.chars().next());
            out.push_str(". ");
            last
        }
        None => first,
    };
    let mut chars = last.chars();
    let n = chars.clone().count();
    if n >= 2 {
        out.extend(chars.next());
        push_stars(&mut out, n - 1);
    } else {
        out.push('*');
    }
    out
}

fn mask_han_name(text: &str) -> String {
    let name = text.trim();
    let chars = || {
        name.chars()
            .filter(|&c| !c.is_whitespace() && !matches!(c, '·' | '•' | '.' | '-'))
    };
    let n = chars().count();
    let head: String = chars().take(2).collect();
    let keep = if n >= 3 && COMPOUND_SURNAMES.contains(&to_simplified(&head).as_ref()) {
        2
    } else if n >= 2 {
        1
    } else {
        0
    };
    let mut out: String = chars().take(keep).collect();
    push_stars(&mut out, n - keep);
    out
}

/// Masks an e-mail address: the first character of the local part, then `***`, then the
/// domain. Anything without a usable `@` is hidden whole.
///
/// ```
/// use sameas_normalize::privacy::mask_email;
/// assert_eq!(mask_email("bob@gmail.com"), "b***@gmail.com");
/// assert_eq!(mask_email("bob"), "***");
/// ```
pub fn mask_email(raw: &str) -> String {
    let text = nfkc(raw);
    let text = text.trim();
    match text.rsplit_once('@') {
        Some((local, domain)) if !local.is_empty() && !domain.is_empty() => {
            let mut out = String::with_capacity(4 + 1 + domain.len());
            out.extend(local.chars().next());
            out.push_str("***@");
            out.push_str(domain);
            out
        }
        _ => stars_for(text),
    }
}

/// Masks a national id: the first 6 and last 4 characters kept, `*` between; an id of ten
/// or fewer characters is hidden whole.
///
/// ```
/// use sameas_normalize::privacy::mask_national_id;
/// assert_eq!(mask_national_id("110101199003078515"), "110101********8515");
/// ```
pub fn mask_national_id(raw: &str) -> String {
    let text = nfkc(raw);
    let text = text.trim();
    let n = text.chars().count();
    if n <= 10 {
        return stars_for(text);
    }
    let mut out: String = text.chars().take(6).collect();
    // Eight stars cover an 18-character id exactly; never fewer than hide the middle.
    out.extend(std::iter::repeat_n('*', (n - 10).min(12)));
    out.extend(text.chars().skip(n - 4));
    out
}

/// Masks `raw` as a value of `kind`: phones, names, e-mails and national ids as their own
/// functions; identifiers keep their last 4 characters; addresses keep their first 6
/// characters (at most half) then `***`; dates keep the year (`1990-**-**`); anything else
/// becomes one `*` per character, at most 8.
///
/// ```
/// use sameas_core::FieldKind;
/// use sameas_normalize::privacy::mask;
/// assert_eq!(mask(FieldKind::Phone, "13800138000"), "138****8000");
/// assert_eq!(mask(FieldKind::Identifier, "VIP00123456"), "*******3456");
/// assert_eq!(mask(FieldKind::Address, "广东省深圳市南山区科技园"), "广东省深圳市***");
/// assert_eq!(mask(FieldKind::BirthDate, "1990年3月7日"), "1990-**-**");
/// assert_eq!(mask(FieldKind::Text, "secret"), "******");
/// ```
pub fn mask(kind: FieldKind, raw: &str) -> String {
    match kind {
        FieldKind::Phone => mask_phone(raw),
        FieldKind::Name => mask_name(raw),
        FieldKind::Email => mask_email(raw),
        FieldKind::NationalId => mask_national_id(raw),
        FieldKind::Identifier => mask_identifier(raw),
        FieldKind::Address => mask_address(raw),
        FieldKind::BirthDate | FieldKind::Date => mask_date(raw),
        _ => stars_for(nfkc(raw).trim()),
    }
}

fn mask_identifier(raw: &str) -> String {
    let text = nfkc(raw);
    let text = text.trim();
    let n = text.chars().count();
    if n < 6 {
        return stars_for(text);
    }
    let mut out = String::with_capacity(MAX_STARS + 16);
    push_stars(&mut out, n - 4);
    out.extend(text.chars().skip(n - 4));
    out
}

fn mask_address(raw: &str) -> String {
    let text = nfkc(raw);
    let text = collapse_whitespace(&text);
    let n = text.chars().count();
    if n < 2 {
        return stars_for(&text);
    }
    let mut out: String = text.chars().take((n / 2).min(6)).collect();
    out.truncate(out.trim_end().len());
    out.push_str("***");
    out
}

fn mask_date(raw: &str) -> String {
    let text = nfkc(raw);
    let text = text.trim();
    let bytes = text.as_bytes();
    // The first run of exactly four digits is the year in every date form we read.
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if i - start == 4 {
                let mut out = String::with_capacity(10);
                out.push_str(&text[start..i]);
                out.push_str("-**-**");
                return out;
            }
        } else {
            i += 1;
        }
    }
    stars_for(text)
}

/// Keyed pseudonyms: HMAC-SHA256 under a caller-supplied secret key, as lower-case hex.
///
/// Equal values give equal pseudonyms under one key, so pseudonymised data can still be
/// joined; without the key they cannot be reversed or recomputed. The key never appears in
/// `Debug` output.
#[derive(Clone)]
pub struct Pseudonymizer {
    keyed: Hmac<Sha256>,
}

impl fmt::Debug for Pseudonymizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pseudonymizer").finish_non_exhaustive()
    }
}

impl Pseudonymizer {
    /// A pseudonymizer under `key`, or `None` for an empty key (which would make pseudonyms
    /// recomputable by anyone). Use at least 32 random bytes.
    ///
    /// ```
    /// use sameas_normalize::privacy::Pseudonymizer;
    /// assert!(Pseudonymizer::new(b"").is_none());
    /// assert!(Pseudonymizer::new(b"a secret key of 32 or more bytes").is_some());
    /// ```
    pub fn new(key: &[u8]) -> Option<Self> {
        if key.is_empty() {
            return None;
        }
        // HMAC takes keys of any length, so this cannot fail.
        let keyed = <Hmac<Sha256> as KeyInit>::new_from_slice(key).ok()?;
        Some(Pseudonymizer { keyed })
    }

    /// The pseudonym of `value` in `domain`: lower-case hex of
    /// HMAC-SHA256(key, domain ‖ 0x00 ‖ value). The domain (`"phone"`, `"email"`) keeps
    /// equal strings of different kinds apart. Pseudonymise normalized values (`norm()`), so
    /// that spellings of one value share a pseudonym.
    ///
    /// ```
    /// use sameas_normalize::privacy::Pseudonymizer;
    /// let p = Pseudonymizer::new(b"a secret key of 32 or more bytes").unwrap();
    /// let a = p.pseudonym("phone", "+8613800138000");
    /// assert_eq!(a.len(), 64);
    /// assert_eq!(a, p.pseudonym("phone", "+8613800138000"));
    /// assert_ne!(a, p.pseudonym("identifier", "+8613800138000"));
    /// ```
    pub fn pseudonym(&self, domain: &str, value: &str) -> String {
        self.mac_hex(&[domain.as_bytes(), &[0], value.as_bytes()])
    }

    /// The MAC whose hex is [`pseudonym`](Self::pseudonym), as bytes: for storing it in
    /// binary (a store keeps its first 16 bytes).
    ///
    /// ```
    /// use sameas_normalize::privacy::Pseudonymizer;
    /// let p = Pseudonymizer::new(b"a secret key of 32 or more bytes").unwrap();
    /// let hex: String = p.mac("phone", "+86138").iter().map(|b| format!("{b:02x}")).collect();
    /// assert_eq!(hex, p.pseudonym("phone", "+86138"));
    /// ```
    pub fn mac(&self, domain: &str, value: &str) -> [u8; 32] {
        self.mac_bytes(&[domain.as_bytes(), &[0], value.as_bytes()])
    }

    fn mac_bytes(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = self.keyed.clone();
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    fn mac_hex(&self, parts: &[&[u8]]) -> String {
        let bytes = self.mac_bytes(parts);
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = String::with_capacity(bytes.len() * 2);
        for b in bytes.iter() {
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 0x0f)] as char);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn phones() {
        assert_eq!(mask_phone("13800138000"), "138****8000");
        assert_eq!(mask_phone("+86 138-0013-8000"), "138****8000");
        assert_eq!(mask_phone("0086 138 0013 8000"), "138****8000");
        assert_eq!(mask_phone("8613800138000"), "138****8000");
        assert_eq!(mask_phone("１３８００１３８０００"), "138****8000");
        assert_eq!(mask_phone("+1 702 919 1300"), "702***1300");
        assert_eq!(mask_phone("010-62345678"), "010****5678");
        assert_eq!(mask_phone("138****8000"), "138****8000");
        assert_eq!(mask_phone("12345"), "*****");
        assert_eq!(mask_phone("ab"), "**");
        assert_eq!(mask_phone(""), "");
    }

    #[test]
    fn names() {
        assert_eq!(mask_name("张伟"), "张*");
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("欧阳娜娜"), "欧阳**");
        assert_eq!(mask_name("歐陽娜娜"), "歐陽**");
        assert_eq!(mask_name("司马光"), "司马*");
        assert_eq!(mask_name("欧阳"), "欧*");
        assert_eq!(mask_name("张"), "*");
        assert_eq!(mask_name("Robert Smith"), "R. S****");
        assert_eq!(mask_name("SMITH, Robert"), "R. S****");
        assert_eq!(mask_name("Robert J. Smith"), "R. S****");
        assert_eq!(mask_name("Smith"), "S****");
        assert_eq!(mask_name("ＳＭＩＴＨ"), "S****");
        assert_eq!(mask_name("Bo X"), "B. *");
        assert_eq!(mask_name("--"), "**");
    }

    #[test]
    fn emails_and_ids() {
        assert_eq!(mask_email("bob@gmail.com"), "b***@gmail.com");
        assert_eq!(mask_email("b@qq.com"), "b***@qq.com");
        assert_eq!(mask_email("@qq.com"), "*******");
        assert_eq!(mask_national_id("110101199003078515"), "110101********8515");
        assert_eq!(mask_national_id("11010119900307851X"), "110101********851X");
        assert_eq!(mask_national_id("1234567890"), "********");
    }

    #[test]
    fn by_kind() {
        assert_eq!(mask(FieldKind::Name, "张伟"), "张*");
        assert_eq!(mask(FieldKind::Email, "bob@gmail.com"), "b***@gmail.com");
        assert_eq!(
            mask(FieldKind::NationalId, "110101199003078515"),
            "110101********8515"
        );
        assert_eq!(mask(FieldKind::Identifier, "A1234567"), "****4567");
        assert_eq!(mask(FieldKind::Identifier, "12345"), "*****");
        assert_eq!(mask(FieldKind::Address, "1 Main Street"), "1 Main***");
        assert_eq!(mask(FieldKind::Address, "北京"), "北***");
        assert_eq!(mask(FieldKind::BirthDate, "1990-03-07"), "1990-**-**");
        assert_eq!(mask(FieldKind::Date, "03/07/1990"), "1990-**-**");
        assert_eq!(mask(FieldKind::BirthDate, "19900307"), "********");
        assert_eq!(mask(FieldKind::Gender, "男"), "*");
        assert_eq!(mask(FieldKind::Text, "a long free text value"), "********");
    }

    /// RFC 4231, test cases 1 and 2 (HMAC-SHA-256).
    #[test]
    fn hmac_matches_rfc_4231() {
        let p = Pseudonymizer::new(&[0x0b; 20]).unwrap();
        assert_eq!(
            p.mac_hex(&[b"Hi There"]),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        let p = Pseudonymizer::new(b"Jefe").unwrap();
        assert_eq!(
            p.mac_hex(&[b"what do ya want ", b"for nothing?"]),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            p.pseudonym("phone", "x"),
            p.mac_hex(&[b"phone\0x"]),
            "the domain and value are joined by one zero byte"
        );
    }

    #[test]
    fn pseudonyms_separate_kinds_and_keys() {
        let a = Pseudonymizer::new(b"key one").unwrap();
        let b = Pseudonymizer::new(b"key two").unwrap();
        assert_ne!(a.pseudonym("phone", "1"), b.pseudonym("phone", "1"));
        assert_ne!(a.pseudonym("phone", "1"), a.pseudonym("email", "1"));
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        assert_ne!(a.pseudonym("ab", "c"), a.pseudonym("a", "bc"));
        assert!(!format!("{a:?}").contains("key"));
        assert!(Pseudonymizer::new(&[]).is_none());
    }

    proptest! {
        #[test]
        fn never_panics(raw in ".*") {
            for kind in FieldKind::ALL {
                let _ = mask(kind, &raw);
            }
        }

        #[test]
        fn never_returns_the_raw_value(raw in "[^*×•●∗]{2,40}") {
            for kind in FieldKind::ALL {
                prop_assert_ne!(mask(kind, &raw), raw.clone(), "{:?}", kind);
            }
        }

        #[test]
        fn never_returns_printable_raw(raw in "\\PC{2,30}") {
            // Mask characters in the input would make a masked copy look raw: swap them out.
            let raw: String = raw.chars().map(|c| if is_mask_char(c) { 'x' } else { c }).collect();
            for kind in FieldKind::ALL {
                prop_assert_ne!(mask(kind, &raw), raw.clone(), "{:?}", kind);
            }
        }

        #[test]
        fn phones_keep_at_most_seven_digits(raw in "[+]?[0-9 -]{2,24}") {
            let out = mask_phone(&raw);
            prop_assert!(out.bytes().filter(u8::is_ascii_digit).count() <= 7);
        }
    }
}
