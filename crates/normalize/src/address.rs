//! Postal addresses, Chinese and Western.
//!
//! Chinese (`Han`): text is folded (NFKC, Traditional to Simplified), a 6-digit postcode is
//! taken out wherever it is, spaces and punctuation are dropped, and the `cpca` crate reads
//! province / city / district with their abbreviations (`广东深圳南山` is 广东省深圳市南山区;
//! municipalities have province = city). The rest is the detail; a road name and 号 number are
//! read from it when it has the `科技园路1号` shape.
//!
//! Western (`Latin`): see the reading rules in `address/latin.rs`. The detail is the number,
//! the street (type, unit and direction words in short form) and any second line (unit,
//! building, estate), in that order: `6 tullaroop st willaroo`.
//!
//! `norm()` is one line that reads back to the same value: `广东省深圳市南山区科技园路1号 518057`,
//! `123 main st, las vegas NV 89132`, `6 tullaroop st willaroo, st james WA 4011`.

mod han;
mod latin;
mod places;

use sameas_core::FieldPart;
use serde::{Deserialize, Serialize};

use crate::{MatchKeys, Normalized, text};

/// The script an address is written in, which decides how it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AddressScript {
    /// Chinese characters: province / city / district / detail.
    Han,
    /// Latin letters: number / street / city / region / postcode.
    Latin,
}

/// A normalized address. Text fields are folded (lower case, Simplified Chinese) except the
/// Latin region code, which is upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Address {
    /// How it was read.
    pub script: AddressScript,
    /// Province (`广东省`) or Western state / region code (`NV`, `WA`).
    pub province: Option<Box<str>>,
    /// City (`深圳市`, `las vegas`).
    pub city: Option<Box<str>>,
    /// District (`南山区`) or Western suburb / locality (`st james`).
    pub district: Option<Box<str>>,
    /// What is below the district: `科技园路1号`, or number, street and second line.
    pub detail: Option<Box<str>>,
    /// House number (`123`, `12a`, `12-14`; the 号 number for Chinese addresses).
    pub number: Option<Box<str>>,
    /// Street or road name, Western types in short form (`main st`, `科技园路`).
    pub street: Option<Box<str>>,
    /// Postcode.
    pub postcode: Option<Box<str>>,
}

impl MatchKeys for Address {
    fn norm(&self) -> String {
        let mut out = String::new();
        match self.script {
            AddressScript::Han => {
                // Municipalities have province = city: written once, as people write them.
                let city = self.city.as_ref().filter(|_| self.city != self.province);
                let parts = [
                    self.province.as_ref(),
                    city,
                    self.district.as_ref(),
                    self.detail.as_ref(),
                ];
                // Sized once: norms are built for every record several times a run.
                let postcode = self.postcode.as_ref().map_or(0, |p| p.len() + 1);
                out.reserve(parts.iter().flatten().map(|p| p.len()).sum::<usize>() + postcode);
                for part in parts.into_iter().flatten() {
                    out.push_str(part);
                }
                if let Some(p) = &self.postcode {
                    if !out.is_empty() {
                        out.push(' ');
                    }
                    out.push_str(p);
                }
            }
            AddressScript::Latin => {
                let mut pieces: Vec<String> = Vec::new();
                pieces.extend(self.detail.as_deref().map(str::to_string));
                // Region and postcode follow the last place named: `st james WA 4011`.
                let (middle, place) = match (&self.district, &self.city) {
                    (Some(district), Some(_)) => (Some(district), &self.city),
                    (district, None) => (None, district),
                    (None, city) => (None, city),
                };
                pieces.extend(middle.map(|m| m.to_string()));
                let last: Vec<&str> = [place, &self.province, &self.postcode]
                    .into_iter()
                    .flatten()
                    .map(AsRef::as_ref)
                    .collect();
                if !last.is_empty() {
                    pieces.push(last.join(" "));
                }
                // A semicolon marks a street line that a second reading would otherwise take
                // for a place (no number, no street type, nothing but region or postcode after).
                let street_typed = self.street.as_deref().is_some_and(latin::ends_with_type);
                let untyped_line = self.detail.is_some()
                    && self.number.is_none()
                    && !street_typed
                    && self.district.is_none()
                    && self.city.is_none()
                    && pieces.len() > 1;
                out = pieces.join(if untyped_line { "; " } else { ", " });
                // A trailing comma marks what a second reading could not tell otherwise: a
                // lone locality that is a suburb outside Australia, or a second address line
                // with nothing after it.
                let lone_suburb = self.district.is_some()
                    && self.city.is_none()
                    && !latin::is_australian(self.province.as_deref(), self.postcode.as_deref());
                let bare_line2 = self.district.is_none()
                    && last.is_empty()
                    && self
                        .detail
                        .as_deref()
                        .is_some_and(|d| latin::leaves_rest(d, self.number.is_some()));
                if lone_suburb || bare_line2 {
                    out.push(',');
                }
                // A trailing semicolon: what ends the line is no region or country, though a
                // second reading would take it for one (`3, sa;`, `4 x, wy 2333;`).
                let end_piece = place.as_ref().or(self.detail.as_ref());
                if self.province.is_none() && end_piece.is_some_and(|p| latin::ends_like_region(p))
                {
                    out.push(';');
                }
                // A leading comma: no street line, only a place (`, perth`).
                let bare_place =
                    self.detail.is_none() && (self.district.is_some() || self.city.is_some());
                if bare_place {
                    out.insert_str(0, ", ");
                }
            }
        }
        out
    }

    fn keys(&self) -> Vec<(&'static str, String)> {
        let get = |v: &Option<Box<str>>| v.as_deref().unwrap_or("").to_string();
        vec![
            ("province", get(&self.province)),
            ("city", get(&self.city)),
            ("district", get(&self.district)),
            ("detail", get(&self.detail)),
            ("number", get(&self.number)),
            ("street", get(&self.street)),
            ("postcode", get(&self.postcode)),
        ]
    }
}

/// Reads addresses; build it once and reuse it (the Chinese place tables load on first use).
#[derive(Debug, Clone, Default)]
pub struct AddressNormalizer {
    _private: (),
}

impl AddressNormalizer {
    /// A normalizer.
    ///
    /// ```
    /// let addresses = sameas_normalize::address::AddressNormalizer::new();
    /// assert!(addresses.normalize("北京市朝阳区").value.is_some());
    /// ```
    pub fn new() -> Self {
        AddressNormalizer { _private: () }
    }

    /// Reads a one-line address.
    ///
    /// ```
    /// use sameas_normalize::address::AddressNormalizer;
    /// use sameas_normalize::{IssueKind, MatchKeys};
    ///
    /// let addresses = AddressNormalizer::new();
    /// let cn = addresses.normalize("廣東深圳南山區科技園路1號").value.unwrap();
    /// assert_eq!(cn.province.as_deref(), Some("广东省"));
    /// assert_eq!(cn.district.as_deref(), Some("南山区"));
    /// assert_eq!(cn.norm(), "广东省深圳市南山区科技园路1号");
    ///
    /// let us = addresses.normalize("123 Main Street, Las Vegas NV 89132").value.unwrap();
    /// assert_eq!(us.street.as_deref(), Some("main st"));
    /// assert_eq!(us.norm(), "123 main st, las vegas NV 89132");
    ///
    /// assert!(addresses.normalize("").has(IssueKind::Missing));
    /// assert!(addresses.normalize("--,.").has(IssueKind::Invalid));
    /// ```
    pub fn normalize(&self, raw: &str) -> Normalized<Address> {
        let folded = fold_address(raw);
        if folded.is_empty() {
            return Normalized::missing();
        }
        // (CJK first: the Unicode table behind `is_alphanumeric` is slow for them.)
        if !folded
            .chars()
            .any(|c| c.is_ascii_alphanumeric() || crate::text::is_cjk(c) || c.is_alphanumeric())
        {
            return Normalized::invalid("no address content");
        }
        let address = if text::has_han(&folded) {
            han::parse(&folded)
        } else {
            latin::parse(&folded)
        };
        if address == EMPTY_LATIN {
            return Normalized::invalid("no address content");
        }
        Normalized::ok(address)
    }

    /// Reads an address split over columns (street number, street, second line, locality,
    /// city, region, postcode), as in FEBRL data. Chinese parts are joined in Chinese order
    /// and read as one line; Western parts are read each for what it is: the locality is the
    /// district (suburb), the detail is number + street + second line. In Australia a city
    /// given without a locality is the suburb too. A `Full` part is read as a one-line address
    /// with the other parts appended.
    ///
    /// ```
    /// use sameas_core::FieldPart;
    /// use sameas_normalize::address::AddressNormalizer;
    /// use sameas_normalize::MatchKeys;
    ///
    /// let parts = [
    ///     (FieldPart::StreetNumber, "6"),
    ///     (FieldPart::Street, "tullaroop street"),
    ///     (FieldPart::Address2, "willaroo"),
    ///     (FieldPart::Locality, "st james"),
    ///     (FieldPart::Postcode, "4011"),
    ///     (FieldPart::Region, "wa"),
    /// ];
    /// let a = AddressNormalizer::new().normalize_parts(&parts).value.unwrap();
    /// assert_eq!(a.detail.as_deref(), Some("6 tullaroop st willaroo"));
    /// assert_eq!(a.district.as_deref(), Some("st james"));
    /// assert_eq!(a.norm(), "6 tullaroop st willaroo, st james WA 4011");
    /// ```
    pub fn normalize_parts(&self, parts: &[(FieldPart, &str)]) -> Normalized<Address> {
        let get = |wanted: FieldPart| -> String {
            let mut out = String::new();
            for (part, value) in parts {
                if *part == wanted {
                    let folded = fold_address(value);
                    if !folded.is_empty() {
                        if !out.is_empty() {
                            out.push(' ');
                        }
                        out.push_str(&folded);
                    }
                }
            }
            out
        };
        let [
            full,
            number,
            street,
            line2,
            locality,
            city,
            region,
            postcode,
        ] = [
            FieldPart::Full,
            FieldPart::StreetNumber,
            FieldPart::Street,
            FieldPart::Address2,
            FieldPart::Locality,
            FieldPart::City,
            FieldPart::Region,
            FieldPart::Postcode,
        ]
        .map(get);
        let all = [
            &full, &number, &street, &line2, &locality, &city, &region, &postcode,
        ];
        if all.iter().all(|p| p.is_empty()) {
            return Normalized::missing();
        }
        if !all.iter().any(|p| p.chars().any(char::is_alphanumeric)) {
            return Normalized::invalid("no address content");
        }
        if all.iter().any(|p| text::has_han(p)) {
            let mut line = String::new();
            for p in [&full, &region, &city, &locality, &street, &number, &line2] {
                line.push_str(p);
            }
            line.push(' ');
            line.push_str(&postcode);
            return self.normalize(&line);
        }
        if !full.is_empty() {
            let mut line = full.clone();
            for p in [&locality, &city] {
                if !p.is_empty() {
                    line.push_str(", ");
                    line.push_str(p);
                }
            }
            for p in [&region, &postcode] {
                line.push(' ');
                line.push_str(p);
            }
            return self.normalize(&line);
        }
        Normalized::ok(latin_from_parts(
            &number, &street, &line2, &locality, &city, &region, &postcode,
        ))
    }
}

/// [`text::fold`], with `ß` written `ss` (`straße` and `strasse` are one street).
fn fold_address(raw: &str) -> std::borrow::Cow<'_, str> {
    let folded = text::fold(raw);
    if folded.contains('ß') {
        std::borrow::Cow::Owned(folded.replace('ß', "ss"))
    } else {
        folded
    }
}

const EMPTY_LATIN: Address = Address {
    script: AddressScript::Latin,
    province: None,
    city: None,
    district: None,
    detail: None,
    number: None,
    street: None,
    postcode: None,
};

fn latin_from_parts(
    number: &str,
    street: &str,
    line2: &str,
    locality: &str,
    city: &str,
    region: &str,
    postcode: &str,
) -> Address {
    let words = |s: &str| -> Vec<String> {
        latin::tokenize(s)
            .iter()
            .map(|t| latin::abbreviate(&t.text).to_string())
            .collect()
    };
    let place = |s: &str| -> Option<String> {
        let w: Vec<String> = latin::tokenize(s)
            .iter()
            .map(|t| t.text.to_string())
            .collect();
        (!w.is_empty()).then(|| w.join(" "))
    };
    let mut number: Vec<String> = latin::tokenize(number)
        .iter()
        .map(|t| t.text.to_string())
        .collect();
    let mut raw_street = latin::tokenize(street);
    // `12 main st` typed into the street column.
    if number.is_empty()
        && raw_street
            .first()
            .is_some_and(|t| t.text.starts_with(|c: char| c.is_ascii_digit()))
    {
        number.push(raw_street.remove(0).text.to_string());
    }
    // A one-word street is a name, as the one-line reading has it (`court` stays).
    let street: Vec<String> = if raw_street.len() == 1 {
        vec![raw_street[0].text.to_string()]
    } else {
        raw_street
            .iter()
            .map(|t| latin::abbreviate(&t.text).to_string())
            .collect()
    };
    let number = (!number.is_empty()).then(|| number.join(""));
    let street = (!street.is_empty()).then(|| street.join(" "));
    let detail: Vec<String> = number
        .iter()
        .chain(street.iter())
        .cloned()
        .chain(words(line2))
        .collect();
    let region = place(region)
        .map(|r| latin::region_code(&r).map_or_else(|| r.to_ascii_uppercase(), str::to_string));
    let postcode: String = postcode.chars().filter(|c| !c.is_whitespace()).collect();
    let postcode = (!postcode.is_empty()).then_some(postcode);
    let (mut district, mut city) = (place(locality), place(city));
    // In Australia the one place named is the suburb, as a one-line address reads it.
    if district.is_none() && latin::is_australian(region.as_deref(), postcode.as_deref()) {
        district = city.take();
    }
    Address {
        script: AddressScript::Latin,
        province: region.map(Into::into),
        city: city.map(Into::into),
        district: district.map(Into::into),
        detail: (!detail.is_empty()).then(|| detail.join(" ").into()),
        number: number.map(Into::into),
        street: street.map(Into::into),
        postcode: postcode.map(Into::into),
    }
}

impl crate::field::NormalizeField for AddressNormalizer {
    const KEYS: &'static [&'static str] = &[
        "province", "city", "district", "detail", "number", "street", "postcode",
    ];

    fn compile(_: &crate::NormalizeOptions) -> Result<Self, crate::NormalizeError> {
        Ok(AddressNormalizer::new())
    }

    fn normalize_field(&self, raw: &str) -> Normalized<crate::record::FieldValue> {
        self.normalize(raw)
            .map(|a| crate::record::FieldValue::Address(Box::new(a)))
    }

    /// An address from its columns, each part read as what it is.
    fn normalize_field_parts(
        &self,
        parts: &[(FieldPart, String)],
    ) -> Normalized<crate::record::FieldValue> {
        let parts: Vec<(FieldPart, &str)> = parts.iter().map(|(p, t)| (*p, t.as_str())).collect();
        self.normalize_parts(&parts)
            .map(|a| crate::record::FieldValue::Address(Box::new(a)))
    }
}

/// A postcode as matching reads it: a postcode of digits without its leading zeros, so a
/// spreadsheet's `2119` meets the `02119` it was saved from (Excel drops them from US zips,
/// and from Australian ones like `0800`); a US ZIP+4 (`78253-1186`, or its nine digits run
/// together) as its ZIP, which is how most records give it; any other postcode as it is.
/// The value written out is the one read.
///
/// ```
/// use sameas_normalize::address::postcode_key;
/// assert_eq!(postcode_key("02119"), postcode_key("2119"));
/// assert_eq!(postcode_key("00000"), "0");
/// assert_eq!(postcode_key("78253-1186"), "78253");
/// assert_eq!(postcode_key("021191234"), postcode_key("02119"));
/// assert_eq!(postcode_key("sw1a 1aa"), "sw1a 1aa");
/// ```
pub fn postcode_key(postcode: &str) -> &str {
    let b = postcode.as_bytes();
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    let zip_plus_four = (b.len() == 10 && b[5] == b'-' && digits(&b[..5]) && digits(&b[6..]))
        || (b.len() == 9 && digits(b));
    let postcode = if zip_plus_four {
        &postcode[..5]
    } else {
        postcode
    };
    if postcode.len() > 1 && postcode.bytes().all(|b| b.is_ascii_digit()) {
        let trimmed = postcode.trim_start_matches('0');
        if trimmed.is_empty() { "0" } else { trimmed }
    } else {
        postcode
    }
}

/// How a value reads as an address, for telling address columns by their values (see
/// [`crate::infer::infer_schema_from_table`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AddressShape {
    /// Chinese characters with two or more of the words an address is built of (省 市 区 县
    /// 路 街 号 …).
    Han,
    /// Latin words with a street type after the first word (`starling st`, `Pine Blvd`);
    /// `numbered` when a house number leads (`123 Main Street`).
    Street { numbered: bool },
    /// A second address line: a unit word (`Apt`, `Unit`, `Suite`) or `#` and what it
    /// numbers (`APT #311`, `# 18`, `ste. 450`).
    Unit,
    /// Neither.
    None,
}

/// Chinese address words: a province, city, district, county, road, street, number,
/// town, village, lane, building, unit or room.
const HAN_ADDRESS_WORDS: &[char] = &[
    '省', '市', '区', '县', '路', '街', '道', '号', '镇', '村', '巷', '弄', '栋', '室', '楼',
];

/// The level of a Chinese place named alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HanPlace {
    /// A province, municipality or autonomous region (`广东省`, `广东`, `上海市`).
    Province,
    /// A city (`深圳市`, `杭州市`, `苏州`).
    City,
    /// A district or county (`龙岗区`, `昌平县`, `街道`, `镇`).
    District,
}

/// What `value` names when it is one Chinese place and nothing more.
pub(crate) fn han_place(value: &str) -> Option<HanPlace> {
    let value = value.trim();
    let chars = value.chars().count();
    if !(2..=8).contains(&chars) || !value.chars().all(text::is_han) {
        return None;
    }
    if places::is_province(value) {
        return Some(HanPlace::Province);
    }
    if value.ends_with(['市', '州', '盟']) {
        return Some(HanPlace::City);
    }
    if value.ends_with(['区', '县', '旗', '镇', '乡']) || value.ends_with("街道") {
        return Some(HanPlace::District);
    }
    None
}

/// How `value` reads as an address.
pub(crate) fn address_shape(value: &str) -> AddressShape {
    let value = value.trim();
    if text::has_han(value) {
        let words = value
            .chars()
            .filter(|c| HAN_ADDRESS_WORDS.contains(c))
            .count();
        return if words >= 2 && value.chars().count() >= 6 {
            AddressShape::Han
        } else {
            AddressShape::None
        };
    }
    let words: Vec<String> = value
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_end_matches('.').to_ascii_lowercase())
        .collect();
    if value.starts_with('#')
        || (words.len() <= 3 && words.first().is_some_and(|w| latin::is_unit_word(w)))
    {
        return AddressShape::Unit;
    }
    if words.len() < 2 || words.len() > 10 {
        return AddressShape::None;
    }
    if words[1..].iter().any(|w| latin::is_street_word(w)) {
        AddressShape::Street {
            numbered: words[0].starts_with(|c: char| c.is_ascii_digit()),
        }
    } else {
        AddressShape::None
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::IssueKind;

    fn read(raw: &str) -> Address {
        AddressNormalizer::new()
            .normalize(raw)
            .value
            .unwrap_or_else(|| panic!("no value for {raw}"))
    }

    #[test]
    fn british_postcodes_in_a_whole_address_read_as_in_split_columns() {
        let whole = read("Flat 2, 10 High Street, Oxford OX1 4AA");
        assert_eq!(whole.postcode.as_deref(), Some("ox14aa"));
        assert_eq!(whole.city.as_deref(), Some("oxford"));
        let split = AddressNormalizer::new()
            .normalize_parts(&[
                (FieldPart::Street, "10 High St"),
                (FieldPart::City, "Oxford"),
                (FieldPart::Postcode, "OX1 4AA"),
            ])
            .value
            .unwrap();
        assert_eq!(split.postcode, whole.postcode);
        assert_eq!(split.city, whole.city);
        // The country before or after the postcode.
        assert_eq!(
            read("18 Danver Place, Loughborough, Leicestershire, LE11 1UU, United Kingdom"),
            read("18 Danver Place, Loughborough, Leicestershire, United Kingdom, LE11 1UU")
        );
    }

    fn pcd(a: &Address) -> [Option<&str>; 3] {
        [
            a.province.as_deref(),
            a.city.as_deref(),
            a.district.as_deref(),
        ]
    }

    #[test]
    fn chinese_abbreviations_and_traditional_read_the_same() {
        let full = read("广东省深圳市南山区科技园路1号");
        assert_eq!(pcd(&full), [Some("广东省"), Some("深圳市"), Some("南山区")]);
        assert_eq!(full.detail.as_deref(), Some("科技园路1号"));
        assert_eq!(full.street.as_deref(), Some("科技园路"));
        assert_eq!(full.number.as_deref(), Some("1"));
        for raw in [
            "广东深圳南山区科技园路1号",
            "廣東省深圳市南山區科技園路1號",
            "广东省 深圳市 南山区 科技园路 １号",
            "广东省深圳市南山区科技园路１号",
        ] {
            assert_eq!(read(raw), full, "{raw}");
        }
        assert_eq!(full.norm(), "广东省深圳市南山区科技园路1号");
    }

    #[test]
    fn chinese_short_forms_municipalities_and_postcodes() {
        let short = read("深圳南山科技园");
        assert_eq!(
            pcd(&short),
            [Some("广东省"), Some("深圳市"), Some("南山区")]
        );
        assert_eq!(short.detail.as_deref(), Some("科技园"));

        let beijing = read("北京市朝阳区望京街10号");
        assert_eq!(
            pcd(&beijing),
            [Some("北京市"), Some("北京市"), Some("朝阳区")]
        );
        assert_eq!(beijing.norm(), "北京市朝阳区望京街10号");
        for city in ["上海市", "天津市", "重庆市"] {
            let a = read(&format!("{city}某区某路1号"));
            assert_eq!(a.province.as_deref(), Some(city));
            assert_eq!(a.city.as_deref(), Some(city));
        }

        let with_code = read("518057 广东省深圳市南山区科技园路1号");
        assert_eq!(with_code.postcode.as_deref(), Some("518057"));
        assert_eq!(with_code.detail.as_deref(), Some("科技园路1号"));
        assert_eq!(with_code.norm(), "广东省深圳市南山区科技园路1号 518057");
        let code_after = read("广东省深圳市南山区科技园路1号（邮编：518057）");
        assert_eq!(code_after, with_code);
        let code_end = read("广东省深圳市南山区科技园路１号 ５１８０５７");
        assert_eq!(code_end, with_code);
    }

    #[test]
    fn us_one_line() {
        let a = read("123 Main Street, Las Vegas NV 89132");
        assert_eq!(a.script, AddressScript::Latin);
        assert_eq!(a.number.as_deref(), Some("123"));
        assert_eq!(a.street.as_deref(), Some("main st"));
        assert_eq!(a.city.as_deref(), Some("las vegas"));
        assert_eq!(a.province.as_deref(), Some("NV"));
        assert_eq!(a.postcode.as_deref(), Some("89132"));
        assert_eq!(a.detail.as_deref(), Some("123 main st"));
        assert_eq!(a.district, None);
        for raw in [
            "123 MAIN ST., LAS VEGAS, NEVADA 89132",
            "123 main st las vegas nv 89132",
            "123 Main St, Las Vegas, NV 89132, USA",
        ] {
            assert_eq!(read(raw), a, "{raw}");
        }
    }

    #[test]
    fn a_country_written_as_its_own_part_and_sharp_s() {
        // A country's name as a part by itself says nothing the rest does not.
        let with = read("Fieldstrasse 10, FL-2198 Triesen, Liechtenstein");
        assert_eq!(with, read("Fieldstrasse 10, FL-2198 Triesen"));
        assert_eq!(with.city.as_deref(), Some("fl-2198 triesen"));
        // Inside a part it is a place name (Lebanon, PA is left alone by the list anyway).
        assert_eq!(
            read("1 Main St, Paris France").city.as_deref(),
            Some("paris france")
        );
        // `ß` and `ss` are one letter pair.
        assert_eq!(read("Hardenbergstraße 87"), read("Hardenbergstrasse 87"));
        for raw in [
            "Fieldstrasse 10, FL-2198 Triesen, Liechtenstein",
            "Hardenbergstraße 87, 10623 Berlin, Germany",
        ] {
            assert_stable(raw).unwrap();
        }
    }

    #[test]
    fn western_abbreviations_units_and_numbers() {
        let a = read("12a North Boulevard Apartment 4, Springfield, Illinois 62704-1234");
        assert_eq!(a.number.as_deref(), Some("12a"));
        assert_eq!(a.street.as_deref(), Some("n blvd"));
        assert_eq!(a.detail.as_deref(), Some("12a n blvd apt 4"));
        assert_eq!(a.city.as_deref(), Some("springfield"));
        assert_eq!(a.province.as_deref(), Some("IL"));
        assert_eq!(a.postcode.as_deref(), Some("62704-1234"));

        let b = read("Suite 200, 12-14 Parkway Drive NW, Austin TX 78701");
        assert_eq!(b.number.as_deref(), Some("12-14"));
        assert_eq!(b.street.as_deref(), Some("pkwy dr nw"));
        assert_eq!(b.detail.as_deref(), Some("12-14 pkwy dr nw ste 200"));

        let c = read("#5 77 Oak Avenue, Boston MA 02110");
        assert_eq!(c.detail.as_deref(), Some("77 oak ave unit 5"));

        for (long, short) in [
            ("road", "rd"),
            ("lane", "ln"),
            ("court", "ct"),
            ("place", "pl"),
            ("crescent", "cres"),
            ("circuit", "cct"),
            ("terrace", "tce"),
            ("highway", "hwy"),
            ("parade", "pde"),
            ("close", "cl"),
            ("square", "sq"),
            ("avenue", "ave"),
            ("drive", "dr"),
        ] {
            let a = read(&format!("5 Long {long}, Perth WA 6000"));
            assert_eq!(
                a.street.as_deref(),
                Some(format!("long {short}").as_str()),
                "{long}"
            );
            assert_eq!(read(&a.norm()), a);
        }
        // A bare code ending a street line is a street type, not a state.
        let d = read("123 Main Ct");
        assert_eq!(d.street.as_deref(), Some("main ct"));
        assert_eq!(d.province, None);
    }

    #[test]
    fn australian_locality_is_the_suburb() {
        let a = read("6 Tullaroop Street, St James WA 4011");
        assert_eq!(a.district.as_deref(), Some("st james"));
        assert_eq!(a.city, None);
        assert_eq!(a.province.as_deref(), Some("WA"));
        assert_eq!(a.street.as_deref(), Some("tullaroop st"));
        let b = read("123 St Kilda Road Melbourne Victoria 3004");
        assert_eq!(b.street.as_deref(), Some("st kilda rd"));
        assert_eq!(b.district.as_deref(), Some("melbourne"));
        assert_eq!(b.province.as_deref(), Some("VIC"));
    }

    #[test]
    fn febrl_parts() {
        let parts = [
            (FieldPart::StreetNumber, "6"),
            (FieldPart::Street, "tullaroop street"),
            (FieldPart::Address2, "willaroo"),
            (FieldPart::Locality, "st james"),
            (FieldPart::Postcode, "4011"),
            (FieldPart::Region, "wa"),
        ];
        let out = AddressNormalizer::new().normalize_parts(&parts);
        assert!(out.issues.is_empty());
        let a = out.value.unwrap();
        assert_eq!(a.number.as_deref(), Some("6"));
        assert_eq!(a.street.as_deref(), Some("tullaroop st"));
        assert_eq!(a.district.as_deref(), Some("st james"));
        assert_eq!(a.postcode.as_deref(), Some("4011"));
        assert_eq!(a.province.as_deref(), Some("WA"));
        assert_eq!(a.detail.as_deref(), Some("6 tullaroop st willaroo"));
        assert_eq!(read(&a.norm()), a);

        // Region written out, number inside the street column, no second line.
        let b = AddressNormalizer::new()
            .normalize_parts(&[
                (FieldPart::Street, "6 Tullaroop St."),
                (FieldPart::Locality, "St James"),
                (FieldPart::Region, "Western Australia"),
            ])
            .value
            .unwrap();
        assert_eq!(b.number.as_deref(), Some("6"));
        assert_eq!(b.province.as_deref(), Some("WA"));
        assert_eq!(b.district.as_deref(), Some("st james"));
        assert_eq!(read(&b.norm()), b);

        // Chinese columns are read as one line.
        let cn = AddressNormalizer::new()
            .normalize_parts(&[
                (FieldPart::Region, "广东"),
                (FieldPart::City, "深圳"),
                (FieldPart::Locality, "南山区"),
                (FieldPart::Street, "科技园路1号"),
            ])
            .value
            .unwrap();
        assert_eq!(cn, read("广东省深圳市南山区科技园路1号"));

        let none = AddressNormalizer::new().normalize_parts(&[(FieldPart::Street, " ")]);
        assert!(none.has(IssueKind::Missing));
        let junk = AddressNormalizer::new().normalize_parts(&[(FieldPart::Street, "--")]);
        assert!(junk.has(IssueKind::Invalid));
    }

    #[test]
    fn missing_and_garbage() {
        let n = AddressNormalizer::new();
        for raw in ["", "   ", "\t\n"] {
            assert!(n.normalize(raw).has(IssueKind::Missing), "{raw:?}");
        }
        for raw in ["--", ",.;", "（）", "#"] {
            let out = n.normalize(raw);
            assert!(
                out.value.is_none() && out.has(IssueKind::Invalid),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn keys_have_fixed_names() {
        let names: Vec<&str> = read("123 Main St").keys().iter().map(|(k, _)| *k).collect();
        assert_eq!(
            names,
            [
                "province", "city", "district", "detail", "number", "street", "postcode"
            ]
        );
        let cn: Vec<&str> = read("深圳南山").keys().iter().map(|(k, _)| *k).collect();
        assert_eq!(names, cn);
    }

    /// Not a correctness test: prints what a parse costs. Run with
    /// `cargo test -p sameas-normalize --lib address::tests::cost -- --ignored --nocapture`
    /// (numbers are only meaningful with optimisations on).
    #[test]
    #[ignore]
    fn cost() {
        let n = AddressNormalizer::new();
        let inputs = [
            "广东省深圳市南山区科技园路1号",
            "深圳南山科技园",
            "北京市朝阳区望京街10号",
            "123 Main Street, Las Vegas NV 89132",
        ];
        let _ = n.normalize(inputs[0]);
        for raw in inputs {
            let rounds = 20_000;
            let start = std::time::Instant::now();
            for _ in 0..rounds {
                std::hint::black_box(n.normalize(std::hint::black_box(raw)));
            }
            let whole = start.elapsed().as_nanos() / rounds;
            let start = std::time::Instant::now();
            for _ in 0..rounds {
                std::hint::black_box(
                    cpca::AddressParser::global().parse(std::hint::black_box(raw)),
                );
            }
            let cpca_only = start.elapsed().as_nanos() / rounds;
            let start = std::time::Instant::now();
            for _ in 0..rounds {
                std::hint::black_box(text::fold(std::hint::black_box(raw)));
            }
            let fold_only = start.elapsed().as_nanos() / rounds;
            println!("{raw}: normalize {whole} ns, cpca parse {cpca_only} ns, fold {fold_only} ns");
        }
    }

    fn assert_stable(raw: &str) -> Result<(), TestCaseError> {
        let n = AddressNormalizer::new();
        if let Some(a) = n.normalize(raw).value {
            let norm = a.norm();
            let again = n.normalize(&norm).value;
            prop_assert!(again.is_some(), "norm {norm:?} unreadable");
            let again = again.unwrap();
            prop_assert_eq!(again.norm(), norm);
            prop_assert_eq!(pcd(&again), pcd(&a));
        }
        Ok(())
    }

    #[test]
    fn fuzz_findings_read_back() {
        for raw in [
            "##\n\u{19}0",
            "## 0",
            "0 #",
            "#\u{13},\n\n1#1",
            "\0\u{7f}%#!#z",
            // A code after a unit designator is its value, not the region.
            "#ky\nsJ\n",
            "#.as a",
            "##88588\tf",
            "#2122#,2",
            // Unit markers left last by the region, postcode or country, or by other markers.
            "#ca",
            "#777#777",
            "#Au,:\0",
            "# # ,,1x",
            ",m # #,m",
            // Places, and lines with nothing after them, that end like a region or country.
            ",floor",
            "#,aL;\u{1b}0,",
            "k,3,sa,3",
            "\n2wy33y;2\nwy;2333wy;2333#",
            // Leading units, however many, and a number after them.
            "#A\n#AA",
            "#2,bldg+",
            "#$j$,j,1",
            "\0,k(\u{751}*#,,*#kk5,5,44k,0,",
            "#\u{10}T#,#\0.t#,#\0\0,'\n\0,3,'\n#'\n3",
            // A one-word street with more of the line after it; a unit value that is a type.
            "'\nbvd,2",
            "9#\u{bc}0,  #pky\0",
            // A number after the street is line 2; words after the units with no place after.
            "A\nroad 8",
            "\u{3ea} #n n#;",
            "@\0';# \nst 6,9jeU",
            " s A #A#:  s\u{15}c\u{15}\u{1d}\u{15} \0,\u{15}\u{15} ",
        ] {
            assert_stable(raw).unwrap();
        }
    }

    proptest! {
        #[test]
        fn idempotent_any(raw in "\\PC*") {
            assert_stable(&raw)?;
        }

        #[test]
        fn no_panic_any(raw in ".*") {
            let _ = AddressNormalizer::new().normalize(&raw);
            let _ = AddressNormalizer::new().normalize_parts(&[(FieldPart::Street, raw.as_str()), (FieldPart::Region, raw.as_str())]);
        }

        #[test]
        fn idempotent_chinese(
            province in prop::sample::select(vec!["", "广东", "广东省", "北京市", "上海", "浙江省", "江苏省"]),
            city in prop::sample::select(vec!["", "深圳", "深圳市", "杭州市", "南京", "苏州市"]),
            district in prop::sample::select(vec!["", "南山区", "南山", "朝阳区", "西湖区", "鼓楼区", "福田"]),
            road in prop::sample::select(vec!["", "科技园路", "人民路", "中山大道", "望京街"]),
            number in 0u32..300,
            extra in prop::sample::select(vec!["", "号", "号3栋501", "号 A座", "號"]),
            code in prop::sample::select(vec!["", " 518057", "邮编518000 "]),
        ) {
            assert_stable(&format!("{code}{province}{city}{district}{road}{number}{extra}"))?;
        }

        #[test]
        fn idempotent_western(
            unit in prop::sample::select(vec!["", "Apt 4 ", "Unit 2, ", "#5 "]),
            number in prop::sample::select(vec!["", "1 ", "123 ", "12a ", "12-14 "]),
            name in prop::sample::select(vec!["Main", "Tullaroop", "St Kilda", "North", "Court"]),
            kind in prop::sample::select(vec!["", " Street", " St.", " Road", " Avenue", " Ct", " Crescent"]),
            place in prop::sample::select(vec!["", ", Las Vegas", " Las Vegas", ", St James", ", Springfield, Orange County"]),
            region in prop::sample::select(vec!["", " NV", " wa", ", Victoria", " New York"]),
            code in prop::sample::select(vec!["", " 89132", " 4011", " 62704-1234"]),
        ) {
            assert_stable(&format!("{unit}{number}{name}{kind}{place}{region}{code}"))?;
        }

        #[test]
        fn idempotent_parts(
            number in prop::sample::select(vec!["", "6", "12a"]),
            street in prop::sample::select(vec!["", "tullaroop street", "the boulevarde", "main st"]),
            line2 in prop::sample::select(vec!["", "willaroo", "apartment 4"]),
            locality in prop::sample::select(vec!["", "st james", "springfield"]),
            city in prop::sample::select(vec!["", "perth"]),
            region in prop::sample::select(vec!["", "wa", "nsw", "Nevada"]),
            postcode in prop::sample::select(vec!["", "4011", "89132"]),
        ) {
            let parts = [
                (FieldPart::StreetNumber, number),
                (FieldPart::Street, street),
                (FieldPart::Address2, line2),
                (FieldPart::Locality, locality),
                (FieldPart::City, city),
                (FieldPart::Region, region),
                (FieldPart::Postcode, postcode),
            ];
            if let Some(a) = AddressNormalizer::new().normalize_parts(&parts).value {
                let again = AddressNormalizer::new().normalize(&a.norm()).value.unwrap();
                prop_assert_eq!(again.norm(), a.norm());
                prop_assert_eq!(pcd(&again), pcd(&a));
            }
        }
    }
}
