//! A fast reading of the common Chinese address shape, `province city district detail` (full
//! names, province and city short forms, municipalities), that gives what `cpca` gives.
//!
//! `cpca` walks tries with a SipHash map per character and copies the remaining text at each
//! step, which costs more than the rest of a Chinese address together. These tables are built
//! once from `cpca`'s own data and follow its parse step by step, but only along the branches
//! whose outcome is plain; at every other branch (ambiguous short names, road-like tails,
//! cities outside the province named, district short forms) [`read`] answers `None` and the
//! caller asks `cpca`. A test compares the two on every province / city / district of the data.

use std::sync::LazyLock;

use foldhash::{HashMap, HashMapExt};

/// Province / city / district as `cpca` reads them, and the detail after them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Places<'a> {
    pub(super) province: &'static str,
    pub(super) city: &'static str,
    pub(super) district: Option<&'a str>,
    pub(super) detail: &'a str,
}

/// Reads `s` (cleaned: no white space or punctuation) as `cpca` would, or `None` where the
/// answer takes more than these tables know.
pub(super) fn read(s: &str) -> Option<Places<'_>> {
    let t = &*TABLES;
    let s = s.trim();
    let (plen, &province) = t.provinces.longest(s)?;
    if s[..plen] != *province {
        // A short province name stands unless a road follows it (`广东路`) or a full city
        // name is longer (`吉林市`); the road case has more rules, left to cpca.
        let tail = &s[plen..];
        if is_road_suffix(tail) {
            return None;
        }
        if let Some((clen, city)) = t.cities.longest(s) {
            let city = (*city)?;
            if s[..clen] == *city.name && clen > plen {
                return None;
            }
        }
    }
    let rest = &s[plen..];
    if MUNICIPALITIES.contains(&province) {
        // The city is the province, named again or not; the district comes next.
        let rest = rest.strip_prefix(province).unwrap_or(rest);
        let (district, rest) = full_district(t, rest)?;
        return Some(Places {
            province,
            city: province,
            district,
            detail: rest.trim(),
        });
    }
    let (clen, city) = t.cities.longest(rest)?;
    let city = (*city)?;
    let tail = &rest[clen..];
    if (rest[..clen] != *city.name && is_road_suffix(tail))
        || t.districts.longest(rest).is_some()
        || city.province != Some(province)
    {
        return None;
    }
    let (district, rest) = full_district(t, tail)?;
    Some(Places {
        province,
        city: city.name,
        district,
        detail: rest.trim(),
    })
}

/// The full district name `s` starts with, or none when no district name or short form
/// does; `None` for a short form (cpca weighs its candidates).
fn full_district<'a>(t: &Tables, s: &'a str) -> Option<(Option<&'a str>, &'a str)> {
    match t.districts.longest(s) {
        None => Some((None, s)),
        Some((len, true)) => Some((Some(&s[..len]), &s[len..])),
        Some((_, false)) => None,
    }
}

/// cpca's test for a road name right after a place name (`北京东路`).
fn is_road_suffix(tail: &str) -> bool {
    let tail = tail
        .strip_prefix(['东', '西', '南', '北', '中'])
        .unwrap_or(tail);
    ["路", "街", "巷", "大道", "大街", "胡同", "风情街"]
        .iter()
        .any(|suffix| tail.starts_with(suffix))
}

const MUNICIPALITIES: [&str; 4] = ["北京市", "上海市", "天津市", "重庆市"];

/// Whether `s` is a province (or municipality, autonomous region …) by its full or short
/// name.
pub(super) fn is_province(s: &str) -> bool {
    PROVINCE_ALIASES
        .iter()
        .any(|&(short, full)| s == short || s == full)
}

/// cpca's province short names (its `province_aliases`, which it does not export).
const PROVINCE_ALIASES: [(&str, &str); 34] = [
    ("广东", "广东省"),
    ("江苏", "江苏省"),
    ("浙江", "浙江省"),
    ("山东", "山东省"),
    ("河南", "河南省"),
    ("河北", "河北省"),
    ("四川", "四川省"),
    ("湖北", "湖北省"),
    ("湖南", "湖南省"),
    ("福建", "福建省"),
    ("安徽", "安徽省"),
    ("江西", "江西省"),
    ("陕西", "陕西省"),
    ("山西", "山西省"),
    ("辽宁", "辽宁省"),
    ("吉林", "吉林省"),
    ("黑龙江", "黑龙江省"),
    ("云南", "云南省"),
    ("贵州", "贵州省"),
    ("甘肃", "甘肃省"),
    ("海南", "海南省"),
    ("青海", "青海省"),
    ("台湾", "台湾省"),
    ("广西", "广西壮族自治区"),
    ("内蒙古", "内蒙古自治区"),
    ("西藏", "西藏自治区"),
    ("新疆", "新疆维吾尔自治区"),
    ("宁夏", "宁夏回族自治区"),
    ("北京", "北京市"),
    ("上海", "上海市"),
    ("天津", "天津市"),
    ("重庆", "重庆市"),
    ("香港", "香港特别行政区"),
    ("澳门", "澳门特别行政区"),
];

/// cpca's reviewed city short names (its `pca_aliases.csv`, not exported).
const CITY_ALIASES: [(&str, &str); 7] = [
    ("黔南", "黔南布依族苗族自治州"),
    ("黔南州", "黔南布依族苗族自治州"),
    ("西双版纳", "西双版纳傣族自治州"),
    ("西双版纳州", "西双版纳傣族自治州"),
    ("阿拉善", "阿拉善盟"),
    ("呼市", "呼和浩特市"),
    ("红河州", "红河哈尼族彝族自治州"),
];

/// cpca's reviewed district short names; they are never full names, so only their keys
/// matter here (they stop the fast path).
const DISTRICT_ALIASES: [&str; 3] = ["兰坪县", "元江县", "前郭县"];

/// A character trie with one hash map for all edges (node and char, packed, to node).
struct Trie<V> {
    edges: HashMap<u64, u32>,
    values: Vec<Option<V>>,
}

impl<V> Trie<V> {
    fn new() -> Self {
        Trie {
            edges: HashMap::new(),
            values: vec![None],
        }
    }

    /// The value slot of `key`, created empty when new.
    fn slot(&mut self, key: &str) -> &mut Option<V> {
        let mut node = 0;
        for c in key.chars() {
            let next = self.values.len() as u32;
            node = *self.edges.entry(edge(node, c)).or_insert(next);
            if node == next {
                self.values.push(None);
            }
        }
        &mut self.values[node as usize]
    }

    /// The longest key that `text` starts with: its length in bytes and its value. Like
    /// cpca's trie, an empty key never matches.
    fn longest(&self, text: &str) -> Option<(usize, &V)> {
        let mut node = 0;
        let mut best = None;
        for (i, c) in text.char_indices() {
            let Some(&next) = self.edges.get(&edge(node, c)) else {
                break;
            };
            node = next;
            if let Some(v) = &self.values[node as usize] {
                best = Some((i + c.len_utf8(), v));
            }
        }
        best
    }
}

fn edge(node: u32, c: char) -> u64 {
    u64::from(node) << 32 | u64::from(c)
}

#[derive(Clone, Copy)]
struct City {
    name: &'static str,
    /// Its province; `None` where two provinces have a city of this name (or of this name
    /// without 市), as cpca's answer then depends on the order of its data.
    province: Option<&'static str>,
}

struct Tables {
    /// Full names and short forms to the full name.
    provinces: Trie<&'static str>,
    /// Full names, names without 市 and reviewed short forms to the city; `None` where
    /// cpca's answer depends on its hash order (two cities share the key).
    cities: Trie<Option<City>>,
    /// Full names and short forms (without 区, 县, 市, 旗, 镇 or 街道); true for full names.
    districts: Trie<bool>,
}

static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    let parser = cpca::AddressParser::global();
    let mut provinces = Trie::new();
    let mut cities = Trie::new();
    let mut districts = Trie::new();
    let mut city_province = HashMap::new();
    let mut full_districts = Vec::new();
    fn merge<K: std::hash::Hash + Eq>(
        map: &mut HashMap<K, Option<&'static str>>,
        key: K,
        value: &'static str,
    ) {
        map.entry(key)
            .and_modify(|v| {
                if *v != Some(value) {
                    *v = None;
                }
            })
            .or_insert(Some(value));
    }
    let mut city_names: HashMap<&'static str, Option<&'static str>> = HashMap::new();
    for province in parser.provinces() {
        let province = province.as_str();
        *provinces.slot(province) = Some(province);
        for city in parser.cities_of_province(province) {
            let city = city.as_str();
            merge(&mut city_names, city, city);
            merge(&mut city_province, city, province);
            if city.ends_with('市') {
                let short = city.trim_end_matches('市');
                merge(&mut city_names, short, city);
                merge(&mut city_province, short, province);
            }
            for district in parser.districts_of_city(city) {
                full_districts.push(district.as_str());
            }
        }
    }
    for (short, full) in PROVINCE_ALIASES {
        if let Some(&full) = parser.provinces().iter().find(|p| p.as_str() == full) {
            *provinces.slot(short) = Some(full.as_str());
        }
    }
    let city = |name: &'static str| City {
        name,
        province: city_province.get(name).copied().flatten(),
    };
    for (key, value) in city_names {
        if !key.is_empty() {
            *cities.slot(key) = Some(value.map(city));
        }
    }
    // cpca inserts its reviewed short forms last, so they win.
    for (short, full) in CITY_ALIASES {
        *cities.slot(short) = Some(Some(city(full)));
    }
    for &district in &full_districts {
        *districts.slot(district) = Some(true);
    }
    for &district in &full_districts {
        for suffix in ["区", "县", "市", "旗", "镇", "街道"] {
            if let Some(short) = district.strip_suffix(suffix)
                && short.chars().count() >= 2
            {
                districts.slot(short).get_or_insert(false);
            }
        }
    }
    for alias in DISTRICT_ALIASES {
        districts.slot(alias).get_or_insert(false);
    }
    Tables {
        provinces,
        cities,
        districts,
    }
});

#[cfg(test)]
mod tests {
    use super::*;

    fn cpca_places(s: &str) -> (Option<String>, Option<String>, Option<String>, String) {
        let p = cpca::AddressParser::global().parse(s);
        (p.province, p.city, p.district, p.detail)
    }

    fn agree(s: &str) -> bool {
        let Some(fast) = read(s) else {
            return false;
        };
        let fast = (
            Some(fast.province.to_string()),
            Some(fast.city.to_string()),
            fast.district.map(str::to_string),
            fast.detail.to_string(),
        );
        assert_eq!(fast, cpca_places(s), "{s}");
        true
    }

    #[test]
    fn aliases_are_cpcas() {
        let parser = cpca::AddressParser::global();
        for (short, full) in PROVINCE_ALIASES {
            assert_eq!(
                parser.parse(short).province.as_deref(),
                Some(full),
                "{short}"
            );
        }
        for (short, full) in CITY_ALIASES {
            assert_eq!(parser.parse(short).city.as_deref(), Some(full), "{short}");
        }
    }

    #[test]
    fn common_shapes_take_the_fast_path() {
        for s in [
            "广东省深圳市南山区科技园路12号",
            "广东深圳南山区科技园路12号",
            "广东省广州市天河区天河路1号",
            "北京市朝阳区建国路1号",
            "上海市浦东新区世纪大道1号",
            "浙江省杭州市西湖区文三路1号",
            "四川省成都市武侯区人民南路1号",
            "江苏省南京市鼓楼区人民南路1号",
            "北京市北京市朝阳区",
            "广东省深圳市",
        ] {
            assert!(agree(s), "{s} not read");
        }
    }

    /// Every province / city / district of cpca's data, full and short, with details that
    /// exercise cpca's road and boundary rules: wherever the fast path answers, cpca agrees.
    #[test]
    fn agrees_with_cpca_on_all_places() {
        let parser = cpca::AddressParser::global();
        let details = [
            "人民路1号",
            "",
            "科技园",
            "路1号",
            "东路2号",
            "大厦3栋",
            "镇",
        ];
        let mut provinces: Vec<&String> = parser.provinces();
        provinces.sort();
        let (mut answered, mut total) = (0, 0);
        for (k, province) in provinces.iter().enumerate() {
            let other = provinces[(k + 1) % provinces.len()];
            let mut province_forms = vec![province.to_string(), String::new()];
            province_forms.extend(
                PROVINCE_ALIASES
                    .iter()
                    .filter(|(_, full)| full == province)
                    .map(|(short, _)| short.to_string()),
            );
            let mut cities = parser.cities_of_province(province);
            cities.sort();
            // A city of another province, to reach cpca's parent checks.
            cities.extend(parser.cities_of_province(other).into_iter().take(1));
            for city in cities {
                let mut city_forms = vec![city.to_string(), String::new()];
                if let Some(short) = city.strip_suffix('市') {
                    city_forms.push(short.to_string());
                }
                let mut districts = parser.districts_of_city(city);
                districts.sort();
                let mut district_forms = vec![String::new()];
                for d in districts {
                    district_forms.push(d.to_string());
                    if let Some(short) = d.strip_suffix(['区', '县']) {
                        district_forms.push(short.to_string());
                    }
                }
                for p in &province_forms {
                    for c in &city_forms {
                        for d in &district_forms {
                            for detail in details {
                                let s = format!("{p}{c}{d}{detail}");
                                total += 1;
                                answered += usize::from(agree(&s));
                            }
                        }
                    }
                }
            }
        }
        // Municipalities named twice or followed by any district.
        for m in MUNICIPALITIES {
            for d in ["朝阳区", "南山区", "浦东新区", "朝阳", ""] {
                for s in [format!("{m}{m}{d}人民路1号"), format!("{m}{d}")] {
                    total += 1;
                    answered += usize::from(agree(&s));
                }
            }
        }
        assert!(
            answered * 5 > total,
            "fast path answered {answered} of {total}"
        );
    }
}
