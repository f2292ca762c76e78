//! Identifiers (member numbers, device ids, social security numbers, passports): NFKC, upper
//! case, separators removed, so `m-00 12` and `M0012` meet.

use serde::{Deserialize, Serialize};

use crate::{MatchKeys, Normalized, text};

/// A normalized identifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Identifier(pub Box<str>);

impl MatchKeys for Identifier {
    fn norm(&self) -> String {
        self.0.to_string()
    }

    fn keys(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// Normalizes an identifier: full-width to ASCII, upper case, spaces, dashes, dots and
/// slashes removed, and an identifier of digits alone without the zeros that pad it: a
/// spreadsheet drops them (`00123` is saved as `123`) and some systems add them to a fixed
/// width (`000608894096`). Values with no letter or digit are invalid.
///
/// ```
/// use sameas_normalize::identifier::normalize_identifier;
/// assert_eq!(&*normalize_identifier(" m-00 12 ").value.unwrap().0, "M0012");
/// assert_eq!(&*normalize_identifier("000608894096").value.unwrap().0, "608894096");
/// assert_eq!(&*normalize_identifier("0000").value.unwrap().0, "0");
/// assert!(normalize_identifier("--").value.is_none());
/// ```
pub fn normalize_identifier(raw: &str) -> Normalized<Identifier> {
    let folded = text::nfkc(raw);
    let trimmed = folded.trim();
    if trimmed.is_empty() {
        return Normalized::missing();
    }
    let mut out = String::with_capacity(trimmed.len());
    for c in trimmed.chars() {
        if c.is_whitespace() || matches!(c, '-' | '_' | '.' | '/' | '\\' | '#') {
            continue;
        }
        out.extend(c.to_uppercase());
    }
    if !out.chars().any(char::is_alphanumeric) {
        return Normalized::invalid("identifier has no letter or digit");
    }
    // Upper-casing can leave a non-NFKC sequence; settle it so the result reads back unchanged.
    if let std::borrow::Cow::Owned(settled) = text::nfkc(&out) {
        out = settled;
    }
    if out.bytes().all(|b| b.is_ascii_digit()) && out.len() > 1 && out.starts_with('0') {
        let padding = out
            .bytes()
            .take_while(|&b| b == b'0')
            .count()
            .min(out.len() - 1);
        out.drain(..padding);
    }
    Normalized::ok(Identifier(out.into_boxed_str()))
}

/// The identifier field normalizer ([`normalize_identifier`]).
#[derive(Debug)]
pub(crate) struct IdentifierNormalizer;

impl crate::field::NormalizeField for IdentifierNormalizer {
    const KEYS: &'static [&'static str] = &[];

    fn compile(_: &crate::NormalizeOptions) -> Result<Self, crate::NormalizeError> {
        Ok(IdentifierNormalizer)
    }

    fn normalize_field(&self, raw: &str) -> Normalized<crate::record::FieldValue> {
        normalize_identifier(raw).map(crate::record::FieldValue::Identifier)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn separators_and_width_fold_away() {
        assert_eq!(
            normalize_identifier("ｄｅｖ-42").value.unwrap().0,
            "DEV42".into()
        );
        assert_eq!(
            normalize_identifier("5304218").value.unwrap().0,
            "5304218".into()
        );
        assert!(normalize_identifier(" ").has(crate::IssueKind::Missing));
    }

    proptest! {
        #[test]
        fn idempotent(raw in "\\PC*") {
            if let Some(id) = normalize_identifier(&raw).value {
                prop_assert_eq!(normalize_identifier(&id.norm()).value, Some(id));
            }
        }
    }
}
