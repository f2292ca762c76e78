//! Addresses: same detail, similar detail, same district (or postcode), same city, different.

use sameas_normalize::address::{AddressScript, postcode_key};
use sameas_normalize::record::{FieldValue, NormalizedRecord};

use super::{CompileRecords, Level, best_across, count_terms, interned_keys};
use crate::dataset::Records;
use crate::intern::{Interner, Lists, NONE};
use crate::similarity::jaro_winkler_at_least;

/// Address levels.
pub(crate) const LEVELS: &[&str] = &[
    "null",
    "same_detail",
    "similar_detail",
    "same_district",
    "same_city",
    "different",
];

#[derive(Debug, Clone, Copy)]
pub(crate) struct AddressValue {
    han: bool,
    province: u32,
    city: u32,
    district: u32,
    detail: u32,
    street: u32,
    number: u32,
    postcode: u32,
}

/// Compares addresses part by part.
#[derive(Debug)]
pub(crate) struct AddressComparator {
    similar: f64,
    strings: Interner,
    values: Lists<AddressValue>,
}

/// Both present and different.
#[inline]
/// Whether two Chinese details name one flat, one written with its road and the other
/// without: the shorter ends the longer, and holds the estate's name and the flat's short
/// form (`碧桂园29-3-3204` in `新华街18号碧桂园29-3-3204`).
fn one_flat(x: &str, y: &str) -> bool {
    let (short, long) = if x.len() <= y.len() { (x, y) } else { (y, x) };
    let Some(flat_at) = short.find(|c: char| c.is_ascii_digit()) else {
        return false;
    };
    let flat = &short[flat_at..];
    long.ends_with(short)
        && short[..flat_at].chars().count() >= 2
        && flat.contains('-')
        && flat.bytes().all(|b| b.is_ascii_digit() || b == b'-')
}

fn conflict(p: u32, q: u32) -> bool {
    p != NONE && q != NONE && p != q
}

#[inline]
fn same(p: u32, q: u32) -> bool {
    p != NONE && p == q
}

impl AddressComparator {
    pub(crate) fn new(data: Records<'_>, fields: &[usize], similar: f64) -> Self {
        AddressComparator {
            similar,
            strings: Interner::new(),
            values: Lists::default(),
        }
        .compile(data, fields)
    }

    /// Whether two places (districts, cities) differ: both present and different, beyond a
    /// close spelling in Latin script (`mirraooka` for `mirrabooka`). Han place names are
    /// read from a gazetteer, so their spelling does not vary.
    fn places_differ(&self, latin: bool, p: u32, q: u32) -> bool {
        conflict(p, q)
            && !(latin
                && jaro_winkler_at_least(self.strings.get(p), self.strings.get(q), self.similar)
                    .is_some())
    }

    fn pair(&self, x: &AddressValue, y: &AddressValue) -> Level {
        // Postcodes are mistyped too often to veto a detail that agrees; so are the names of
        // places. A postcode and a province (a state) that both differ are two typos at
        // once, or two places: `154 badimara street` in a town of WA and in one of NSW.
        let latin = !x.han && !y.han;
        let place_conflict = self.places_differ(latin, x.district, y.district)
            || self.places_differ(latin, x.city, y.city)
            || (conflict(x.postcode, y.postcode)
                && self.places_differ(latin, x.province, y.province));
        if !place_conflict && x.detail != NONE && y.detail != NONE {
            if x.detail == y.detail {
                return Level::exact(x.detail);
            }
            // Same street and number (the building or room written differently, or left
            // out); for Latin script also a close spelling of the whole detail. A
            // Jaro–Winkler over Han details mostly measures shared digits.
            if same(x.street, y.street) && same(x.number, y.number) {
                return Level::at(2);
            }
            if x.han && y.han && one_flat(self.strings.get(x.detail), self.strings.get(y.detail)) {
                return Level::at(2);
            }
            if !x.han
                && !y.han
                && jaro_winkler_at_least(
                    self.strings.get(x.detail),
                    self.strings.get(y.detail),
                    self.similar,
                )
                .is_some()
            {
                return Level::at(2);
            }
        }
        if (same(x.district, y.district) || same(x.postcode, y.postcode))
            && !conflict(x.city, y.city)
        {
            return Level::at(3);
        }
        if same(x.city, y.city)
            || (x.city == NONE && y.city == NONE && same(x.province, y.province))
        {
            return Level::at(4);
        }
        Level::at(5)
    }
}

impl CompileRecords for AddressComparator {
    type Value = AddressValue;

    fn values(&mut self) -> &mut Lists<AddressValue> {
        &mut self.values
    }

    fn push(&mut self, record: &NormalizedRecord, fields: &[usize]) {
        let AddressComparator {
            strings, values, ..
        } = self;
        for &field in fields {
            let Some(FieldValue::Address(address)) = &record.field(field).value else {
                continue;
            };
            let mut intern = |s: &Option<Box<str>>| strings.intern(s.as_deref().unwrap_or(""));
            let value = AddressValue {
                han: address.script == AddressScript::Han,
                province: intern(&address.province),
                city: intern(&address.city),
                district: intern(&address.district),
                detail: intern(&address.detail),
                street: intern(&address.street),
                number: intern(&address.number),
                postcode: strings.intern(address.postcode.as_deref().map_or("", postcode_key)),
            };
            if [
                value.province,
                value.city,
                value.district,
                value.detail,
                value.postcode,
            ]
            .iter()
            .all(|&v| v == NONE)
            {
                continue;
            }
            values.push_value(value);
        }
        values.end_row();
    }
}

impl super::Compare for AddressComparator {
    fn level_names(&self) -> Vec<String> {
        super::level_names(LEVELS)
    }

    #[inline]
    fn level(&self, a: usize, b: usize) -> Level {
        best_across(self.values.row(a), self.values.row(b), |x, y| {
            self.pair(x, y)
        })
    }

    fn term_counts(&self) -> (Vec<u32>, u32) {
        count_terms(&self.values, self.strings.len(), |v| v.detail)
    }

    /// The text of every term id from `start`: the interned strings.
    fn term_keys_from(&self, start: usize) -> Vec<std::borrow::Cow<'_, str>> {
        interned_keys(&self.strings, start)
    }
}
