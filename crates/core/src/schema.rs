use std::fmt;

use serde::{Deserialize, Serialize};

/// What a field holds; decides its normalizer, match keys, comparisons and masking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FieldKind {
    /// A person's name, whole or split into parts.
    Name,
    /// A phone number.
    Phone,
    /// An e-mail address.
    Email,
    /// A postal address, whole or split into parts.
    Address,
    /// A date of birth.
    BirthDate,
    /// Any other date.
    Date,
    /// Gender or sex.
    Gender,
    /// A Chinese resident identity card number (居民身份证号码).
    NationalId,
    /// Any other identifier: member number, device id, social security number, passport.
    Identifier,
    /// Free text: kept and passed through, compared only when configured.
    Text,
}

impl FieldKind {
    /// Every kind, in declaration order.
    pub const ALL: [FieldKind; 10] = [
        FieldKind::Name,
        FieldKind::Phone,
        FieldKind::Email,
        FieldKind::Address,
        FieldKind::BirthDate,
        FieldKind::Date,
        FieldKind::Gender,
        FieldKind::NationalId,
        FieldKind::Identifier,
        FieldKind::Text,
    ];

    /// The kind named `name` as written in configs and reports (`birth_date`, …).
    pub fn from_name(name: &str) -> Option<FieldKind> {
        FieldKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The kind's name as written in configs and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::Name => "name",
            FieldKind::Phone => "phone",
            FieldKind::Email => "email",
            FieldKind::Address => "address",
            FieldKind::BirthDate => "birth_date",
            FieldKind::Date => "date",
            FieldKind::Gender => "gender",
            FieldKind::NationalId => "national_id",
            FieldKind::Identifier => "identifier",
            FieldKind::Text => "text",
        }
    }
}

impl fmt::Display for FieldKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The role a source column plays inside its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FieldPart {
    /// The whole value in one column.
    Full,
    /// Given (first) name.
    Given,
    /// Middle name.
    Middle,
    /// Family name (surname).
    Family,
    /// House or street number.
    StreetNumber,
    /// Street line.
    Street,
    /// Second address line (building, estate).
    Address2,
    /// Suburb, district or 区.
    Locality,
    /// City.
    City,
    /// State, region or province.
    Region,
    /// Postcode.
    Postcode,
    /// Country.
    Country,
}

/// One input column feeding a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceColumn {
    /// 0-based column position in the input header.
    pub index: usize,
    /// The header as written (trimmed).
    pub header: String,
    /// The role the column plays in its field.
    pub part: FieldPart,
}

impl SourceColumn {
    /// A source column.
    pub fn new(index: usize, header: impl Into<String>, part: FieldPart) -> Self {
        SourceColumn {
            index,
            header: header.into(),
            part,
        }
    }
}

/// A logical field: one or more input columns read as one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSpec {
    /// The field's name; output columns are `<name>.norm`, `<name>.<key>`.
    pub name: String,
    /// What it holds.
    pub kind: FieldKind,
    /// The columns it is read from.
    pub columns: Vec<SourceColumn>,
    /// Whether matching compares it. Unrecognised columns are not compared unless configured.
    pub compare: bool,
}

/// What each input column means.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    /// The record id column; `None` means the 1-based data row number serves.
    pub id_column: Option<SourceColumn>,
    /// The channel column; `None` means the channel comes from the file.
    pub channel_column: Option<SourceColumn>,
    /// The last-updated column, if any.
    pub updated_at_column: Option<SourceColumn>,
    /// The fields, in the order records carry their values.
    pub fields: Vec<FieldSpec>,
}

impl Schema {
    /// Appends a compared field and returns its position.
    pub fn push_field(
        &mut self,
        name: impl Into<String>,
        kind: FieldKind,
        columns: Vec<SourceColumn>,
    ) -> usize {
        let compare = kind != FieldKind::Text;
        self.fields.push(FieldSpec {
            name: name.into(),
            kind,
            columns,
            compare,
        });
        self.fields.len() - 1
    }

    /// The position of the field called `name`.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// Positions of the fields of one kind, in schema order.
    pub fn fields_of_kind(&self, kind: FieldKind) -> impl Iterator<Item = usize> + '_ {
        self.fields
            .iter()
            .enumerate()
            .filter(move |(_, f)| f.kind == kind)
            .map(|(i, _)| i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_fields_are_not_compared_by_default() {
        let mut schema = Schema::default();
        schema.push_field(
            "note",
            FieldKind::Text,
            vec![SourceColumn::new(0, "note", FieldPart::Full)],
        );
        schema.push_field(
            "tel",
            FieldKind::Phone,
            vec![SourceColumn::new(1, "tel", FieldPart::Full)],
        );
        assert!(!schema.fields[0].compare);
        assert!(schema.fields[1].compare);
        assert_eq!(
            schema.fields_of_kind(FieldKind::Phone).collect::<Vec<_>>(),
            vec![1]
        );
        assert_eq!(schema.field_index("tel"), Some(1));
    }

    #[test]
    fn schema_round_trips_through_json() {
        let mut schema = Schema {
            id_column: Some(SourceColumn::new(0, "id", FieldPart::Full)),
            ..Schema::default()
        };
        schema.push_field(
            "name",
            FieldKind::Name,
            vec![
                SourceColumn::new(1, "given_name", FieldPart::Given),
                SourceColumn::new(2, "surname", FieldPart::Family),
            ],
        );
        let json = serde_json::to_string(&schema).unwrap();
        assert_eq!(serde_json::from_str::<Schema>(&json).unwrap(), schema);
    }

    #[test]
    fn every_kind_is_listed_once_in_order_and_read_back_by_name() {
        for (i, kind) in FieldKind::ALL.into_iter().enumerate() {
            // A new variant does not compile here until it has a place in `ALL`.
            let position = match kind {
                FieldKind::Name => 0,
                FieldKind::Phone => 1,
                FieldKind::Email => 2,
                FieldKind::Address => 3,
                FieldKind::BirthDate => 4,
                FieldKind::Date => 5,
                FieldKind::Gender => 6,
                FieldKind::NationalId => 7,
                FieldKind::Identifier => 8,
                FieldKind::Text => 9,
            };
            assert_eq!(position, i);
            assert_eq!(FieldKind::from_name(kind.as_str()), Some(kind));
        }
        assert_eq!(FieldKind::from_name("nickname"), None);
    }
}
