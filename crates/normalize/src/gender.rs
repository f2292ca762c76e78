//! Gender: `M`, `F`, `男`, `女`, `male`, `female`, `1`, `2` and their common variants.

use serde::{Deserialize, Serialize};

use crate::{MatchKeys, Normalized, text};

/// A gender as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    /// Male.
    Male,
    /// Female.
    Female,
}

impl Gender {
    /// `M` or `F`.
    pub fn code(self) -> &'static str {
        match self {
            Gender::Male => "M",
            Gender::Female => "F",
        }
    }
}

impl MatchKeys for Gender {
    fn norm(&self) -> String {
        self.code().to_string()
    }

    fn keys(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// Reads a gender value.
///
/// ```
/// use sameas_normalize::gender::{normalize_gender, Gender};
/// assert_eq!(normalize_gender("女").value, Some(Gender::Female));
/// assert_eq!(normalize_gender(" Male ").value, Some(Gender::Male));
/// assert!(normalize_gender("x").value.is_none());
/// ```
pub fn normalize_gender(raw: &str) -> Normalized<Gender> {
    let folded = text::fold(raw);
    let value = match folded.as_ref() {
        "" => return Normalized::missing(),
        "m" | "male" | "man" | "1" | "男" | "男性" | "先生" | "mr" => Gender::Male,
        "f" | "female" | "woman" | "2" | "女" | "女性" | "女士" | "ms" | "mrs" | "miss" => {
            Gender::Female
        }
        _ => return Normalized::invalid("not a gender"),
    };
    Normalized::ok(value)
}

/// The gender field normalizer ([`normalize_gender`]).
#[derive(Debug)]
pub(crate) struct GenderNormalizer;

impl crate::field::NormalizeField for GenderNormalizer {
    const KEYS: &'static [&'static str] = &[];

    fn compile(_: &crate::NormalizeOptions) -> Result<Self, crate::NormalizeError> {
        Ok(GenderNormalizer)
    }

    fn normalize_field(&self, raw: &str) -> Normalized<crate::record::FieldValue> {
        normalize_gender(raw).map(crate::record::FieldValue::Gender)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_form_reads() {
        for raw in ["M", "male", "男", "1", "Ｍ"] {
            assert_eq!(normalize_gender(raw).value, Some(Gender::Male), "{raw}");
        }
        for raw in ["F", "female", "女", "2", "FEMALE"] {
            assert_eq!(normalize_gender(raw).value, Some(Gender::Female), "{raw}");
        }
        assert!(normalize_gender("").has(crate::IssueKind::Missing));
        assert!(normalize_gender("3").has(crate::IssueKind::Invalid));
    }
}
