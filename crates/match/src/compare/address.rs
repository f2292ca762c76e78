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

/// The flat's numbers that end a Chinese detail in its short form (`28-3-702`, `27-1301`):
/// the building, the entrance where one is written, and a room of three digits or more.
fn flat_code(detail: &str) -> Option<(&str, Option<&str>, &str)> {
    let start = detail
        .trim_end_matches(|c: char| c.is_ascii_digit() || c == '-')
        .len();
    let mut parts = detail[start..].split('-');
    let building = parts.next()?;
    let second = parts.next()?;
    let third = parts.next();
    if parts.next().is_some() {
        return None;
    }
    let (entrance, room) = match third {
        Some(room) => (Some(second), room),
        None => (None, second),
    };
    let written = building.is_empty() || entrance.is_some_and(str::is_empty);
    (!written && room.len() >= 3).then_some((building, entrance, room))
}

/// Whether two Chinese details end in one flat: the same building and room, and the same
/// entrance where both write one. Its estate or its road may be written, or both
/// (`保利香槟国际27-1301` and `文化街10号保利香槟国际27-4-1301`; `世纪大道12号28-3-702` and
/// `龙湖春江郦城28-3-702`); the caller asks only of details in one district or city.
fn same_flat(x: &str, y: &str) -> bool {
    match (flat_code(x), flat_code(y)) {
        (Some((bx, ex, rx)), Some((by, ey, ry))) => {
            bx == by && rx == ry && (ex.is_none() || ey.is_none() || ex == ey)
        }
        _ => false,
    }
}

/// One address written over several fields (a street column beside province, city and
/// district columns) is one place: a detail without places takes those of the record's one
/// value that holds places and no detail, so that its comparison knows where it is.
fn fill_places(values: &mut [AddressValue]) {
    let mut places = values.iter().filter(|v| {
        v.detail == NONE && (v.province != NONE || v.city != NONE || v.district != NONE)
    });
    let (Some(&place), None) = (places.next(), places.next()) else {
        return;
    };
    for value in values.iter_mut().filter(|v| v.detail != NONE) {
        if value.province == NONE && value.city == NONE && value.district == NONE {
            value.province = place.province;
            value.city = place.city;
            value.district = place.district;
        }
    }
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
            if x.han && y.han {
                let (dx, dy) = (self.strings.get(x.detail), self.strings.get(y.detail));
                let one_place = same(x.district, y.district) || same(x.city, y.city);
                if one_flat(dx, dy) || (one_place && same_flat(dx, dy)) {
                    return Level::at(2);
                }
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
        let mut record_values: Vec<AddressValue> = Vec::with_capacity(fields.len());
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
            record_values.push(value);
        }
        fill_places(&mut record_values);
        for value in record_values {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_flat_by_its_road_or_its_estate() {
        assert_eq!(
            flat_code("龙湖春江郦城28-3-702"),
            Some(("28", Some("3"), "702"))
        );
        assert_eq!(flat_code("保利香槟国际27-1301"), Some(("27", None, "1301")));
        assert!(same_flat("世纪大道12号28-3-702", "龙湖春江郦城28-3-702"));
        // An entrance written on one side only.
        assert!(same_flat(
            "保利香槟国际27-1301",
            "文化街10号保利香槟国际27-4-1301"
        ));
        // Entrances, buildings or rooms that differ are other flats.
        assert!(!same_flat("碧桂园29-3-3204", "碧桂园29-2-3204"));
        assert!(!same_flat("碧桂园29-3-3204", "碧桂园28-3-3204"));
        assert!(!same_flat("碧桂园29-3-3204", "碧桂园29-3-3203"));
        // No flat: a house number, a short room, a number range.
        assert_eq!(flat_code("幸福路13号"), None);
        assert_eq!(flat_code("工人新村2-4-16"), None);
        assert_eq!(flat_code("人民路12-14"), None);
        assert_eq!(flat_code("a1-2-3-404"), None);
        assert_eq!(flat_code("-3-702"), None);
    }

    fn value(city: u32, district: u32, detail: u32) -> AddressValue {
        AddressValue {
            han: true,
            province: NONE,
            city,
            district,
            detail,
            street: NONE,
            number: NONE,
            postcode: NONE,
        }
    }

    #[test]
    fn a_street_column_takes_the_places_of_the_place_columns() {
        // A detail alone, and a value of places alone: the detail learns where it is.
        let mut values = [value(NONE, NONE, 7), value(1, 2, NONE)];
        fill_places(&mut values);
        assert_eq!((values[0].city, values[0].district), (1, 2));
        // A detail with places of its own keeps them.
        let mut values = [value(3, NONE, 7), value(1, 2, NONE)];
        fill_places(&mut values);
        assert_eq!((values[0].city, values[0].district), (3, NONE));
        // Two values of places: which one is the detail's is not known.
        let mut values = [value(NONE, NONE, 7), value(1, 2, NONE), value(4, 5, NONE)];
        fill_places(&mut values);
        assert_eq!((values[0].city, values[0].district), (NONE, NONE));
    }
}
