use serde::{Deserialize, Serialize};

use crate::FieldPart;

/// A raw field value as read from the input, before normalization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Value {
    /// Empty, or absent from this channel.
    Missing,
    /// One text value.
    Text(String),
    /// A field assembled from several columns (a given name and a surname; street, suburb and
    /// postcode). Missing parts are left out.
    Parts(Vec<(FieldPart, String)>),
}

impl Value {
    /// A text value; blank text becomes [`Value::Missing`].
    pub fn text(text: impl Into<String>) -> Value {
        let text = text.into();
        if text.trim().is_empty() {
            Value::Missing
        } else {
            Value::Text(text)
        }
    }

    /// Whether the value is missing.
    pub fn is_missing(&self) -> bool {
        matches!(self, Value::Missing)
    }

    /// The text of a [`Value::Text`], or the part of a [`Value::Parts`] playing `part`.
    pub fn part(&self, part: FieldPart) -> Option<&str> {
        match self {
            Value::Text(text) if part == FieldPart::Full => Some(text),
            Value::Parts(parts) => parts
                .iter()
                .find(|(p, _)| *p == part)
                .map(|(_, text)| text.as_str()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_text_is_missing() {
        assert!(Value::text("  ").is_missing());
        assert_eq!(Value::text("x").part(FieldPart::Full), Some("x"));
        let parts = Value::Parts(vec![(FieldPart::Given, "Ann".into())]);
        assert_eq!(parts.part(FieldPart::Given), Some("Ann"));
        assert_eq!(parts.part(FieldPart::Family), None);
    }
}
