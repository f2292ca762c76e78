//! One value at a time: each normalizer and masker of `sameas-normalize`.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use sameas_core::FieldKind;
use sameas_normalize::address::AddressNormalizer;
use sameas_normalize::date::DateNormalizer;
use sameas_normalize::name::NameNormalizer;
use sameas_normalize::phone::PhoneNormalizer;
use sameas_normalize::{DateOrder, MatchKeys, NormalizeOptions, Normalized, privacy, text};

use crate::errors;

/// `{"value": <normalized text or None>, "keys": {<key>: <value>}, "issues": [{"kind",
/// "reason"}]}`.
fn result<'py, T: MatchKeys>(
    py: Python<'py>,
    normalized: Normalized<T>,
) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    let keys = PyDict::new(py);
    match &normalized.value {
        Some(value) => {
            out.set_item("value", value.norm())?;
            for (key, text) in value.keys() {
                keys.set_item(key, (!text.is_empty()).then_some(text))?;
            }
        }
        None => out.set_item("value", py.None())?,
    }
    out.set_item("keys", keys)?;
    let issues = PyList::empty(py);
    for issue in &normalized.issues {
        let item = PyDict::new(py);
        item.set_item("kind", issue.kind.as_str())?;
        item.set_item("reason", issue.reason)?;
        issues.append(item)?;
    }
    out.set_item("issues", issues)?;
    Ok(out)
}

fn options(day_first: bool) -> NormalizeOptions {
    NormalizeOptions {
        date_order: if day_first {
            DateOrder::DayFirst
        } else {
            DateOrder::MonthFirst
        },
        ..NormalizeOptions::default()
    }
}

/// Normalizes a phone number: E.164 when it can be read, masked digits kept
/// (``138****8000``); ``region`` is the default region of numbers without a country code.
#[pyfunction]
#[pyo3(signature = (value, region = "CN"))]
pub fn normalize_phone<'py>(
    py: Python<'py>,
    value: &str,
    region: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let phones =
        PhoneNormalizer::new(region).map_err(|e| errors::to_py(py, sameas::Error::Normalize(e)))?;
    result(py, phones.normalize(value))
}

/// Normalizes an e-mail address: lower case, provider rules (Gmail dots, plus tags),
/// common domain typos repaired.
#[pyfunction]
pub fn normalize_email<'py>(py: Python<'py>, value: &str) -> PyResult<Bound<'py, PyDict>> {
    result(py, sameas_normalize::email::normalize_email(value))
}

/// Normalizes a person's name: Chinese (Traditional to Simplified, pinyin, family and
/// given name, honorifics) or Western (sorted tokens, phonetic code, nickname root).
#[pyfunction]
pub fn normalize_name<'py>(py: Python<'py>, value: &str) -> PyResult<Bound<'py, PyDict>> {
    result(py, NameNormalizer::new().normalize(value))
}

/// Normalizes a date to ``YYYY-MM-DD``; ``01/02/1990`` is 2 January unless ``day_first``.
#[pyfunction]
#[pyo3(signature = (value, day_first = false))]
pub fn normalize_date<'py>(
    py: Python<'py>,
    value: &str,
    day_first: bool,
) -> PyResult<Bound<'py, PyDict>> {
    result(
        py,
        DateNormalizer::new(&options(day_first)).normalize(value),
    )
}

/// Normalizes a birth date: as ``normalize_date``, and flags dates in the future or
/// implausibly old.
#[pyfunction]
#[pyo3(signature = (value, day_first = false))]
pub fn normalize_birth_date<'py>(
    py: Python<'py>,
    value: &str,
    day_first: bool,
) -> PyResult<Bound<'py, PyDict>> {
    result(
        py,
        DateNormalizer::new(&options(day_first)).normalize_birth_date(value),
    )
}

/// Validates a Chinese resident identity card number (check character, birth date) and
/// reads its birth date, gender and region.
#[pyfunction]
pub fn normalize_national_id<'py>(py: Python<'py>, value: &str) -> PyResult<Bound<'py, PyDict>> {
    let today = NormalizeOptions::default().reference_date();
    result(
        py,
        sameas_normalize::national_id::normalize_national_id(value, today),
    )
}

/// Normalizes an address: province, city, district and detail for Chinese addresses;
/// number, street, city, region and postcode for Western ones.
#[pyfunction]
pub fn normalize_address<'py>(py: Python<'py>, value: &str) -> PyResult<Bound<'py, PyDict>> {
    result(py, AddressNormalizer::new().normalize(value))
}

/// Normalizes a gender (``男`` / ``M`` / ``female`` …) to ``M`` or ``F``.
#[pyfunction]
pub fn normalize_gender<'py>(py: Python<'py>, value: &str) -> PyResult<Bound<'py, PyDict>> {
    result(py, sameas_normalize::gender::normalize_gender(value))
}

/// Normalizes an identifier (member number, device id): upper case, separators removed.
#[pyfunction]
pub fn normalize_identifier<'py>(py: Python<'py>, value: &str) -> PyResult<Bound<'py, PyDict>> {
    result(
        py,
        sameas_normalize::identifier::normalize_identifier(value),
    )
}

/// Pass-through text as sameas keeps it: white space collapsed; ``None`` when blank.
#[pyfunction]
pub fn normalize_text(value: &str) -> Option<String> {
    let collapsed = text::collapse_whitespace(value);
    (!collapsed.is_empty()).then(|| collapsed.into_owned())
}

/// Traditional Chinese characters converted to Simplified; other text unchanged.
#[pyfunction]
pub fn to_simplified(value: &str) -> String {
    text::to_simplified(value).into_owned()
}

/// Masks a phone for display: ``138****8000``.
#[pyfunction]
pub fn mask_phone(value: &str) -> String {
    privacy::mask_phone(value)
}

/// Masks a name for display: ``张*``, ``R. S****``.
#[pyfunction]
pub fn mask_name(value: &str) -> String {
    privacy::mask_name(value)
}

/// Masks an e-mail address for display: ``b***@gmail.com``.
#[pyfunction]
pub fn mask_email(value: &str) -> String {
    privacy::mask_email(value)
}

/// Masks a national id for display, keeping the first six and last four characters.
#[pyfunction]
pub fn mask_national_id(value: &str) -> String {
    privacy::mask_national_id(value)
}

/// Masks a value of field kind ``kind`` (``name``, ``phone``, ``email``, ``address``,
/// ``birth_date``, ``date``, ``gender``, ``national_id``, ``identifier``, ``text``).
#[pyfunction]
pub fn mask(kind: &str, value: &str) -> PyResult<String> {
    let kind = FieldKind::from_name(kind)
        .ok_or_else(|| PyValueError::new_err(format!("unknown field kind `{kind}`")))?;
    Ok(privacy::mask(kind, value))
}
