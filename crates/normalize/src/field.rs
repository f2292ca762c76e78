//! Field normalizers: what a field kind compiles to.
//!
//! The schema names each field's [`FieldKind`] (the configuration, a serde enum); a
//! [`RecordNormalizer`](crate::record::RecordNormalizer) compiles one [`FieldNormalizer`]
//! per field, once, and normalizes every value of the field through it. Each kind's
//! normalizer lives in its kind's module and implements [`NormalizeField`]; the
//! `field_normalizers!` table below maps kinds to normalizers. Dispatch is static: one
//! `match` per value, nothing boxed.
//!
//! A new field kind is a module with a normalizer that implements [`NormalizeField`], its
//! [`FieldKind`] variant, its [`FieldValue`] variant when its value is a new type, and one
//! line in the table.

use sameas_core::{FieldKind, FieldPart};

use crate::address::AddressNormalizer;
use crate::date::{BirthDateNormalizer, DateNormalizer};
use crate::email::EmailNormalizer;
use crate::gender::GenderNormalizer;
use crate::identifier::IdentifierNormalizer;
use crate::name::NameNormalizer;
use crate::national_id::NationalIdNormalizer;
use crate::phone::PhoneNormalizer;
use crate::record::FieldValue;
use crate::text::TextNormalizer;
use crate::{NormalizeError, NormalizeOptions, Normalized};

/// What a compiled field normalizer does, whatever kind of field it reads.
pub(crate) trait NormalizeField: Sized {
    /// The derived keys a value writes after `<field>.norm`, in output order (the names
    /// its [`MatchKeys::keys`](crate::MatchKeys::keys) gives).
    const KEYS: &'static [&'static str];

    /// The normalizer for one field under `options` (their reference date already fixed).
    ///
    /// # Errors
    /// When `options` hold something the normalizer cannot use (an unknown phone region).
    fn compile(options: &NormalizeOptions) -> Result<Self, NormalizeError>;

    /// Reads one text value.
    fn normalize_field(&self, raw: &str) -> Normalized<FieldValue>;

    /// Reads a value assembled from several columns. By default the parts are joined by a
    /// space and read as one text value.
    fn normalize_field_parts(&self, parts: &[(FieldPart, String)]) -> Normalized<FieldValue> {
        let joined = parts
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        self.normalize_field(&joined)
    }
}

/// The enum of compiled normalizers and the kind-to-normalizer table, from one list.
macro_rules! field_normalizers {
    ($($kind:ident => $normalizer:ty),+ $(,)?) => {
        /// A field kind compiled: one per schema field.
        #[derive(Debug)]
        pub(crate) enum FieldNormalizer {
            $(
                #[doc = concat!("A field of kind `", stringify!($kind), "`.")]
                $kind($normalizer),
            )+
        }

        impl FieldNormalizer {
            /// The normalizer for a field of `kind`. A kind this table lacks reads as text.
            pub(crate) fn compile(
                kind: FieldKind,
                options: &NormalizeOptions,
            ) -> Result<Self, NormalizeError> {
                Ok(match kind {
                    $(FieldKind::$kind => FieldNormalizer::$kind(<$normalizer>::compile(options)?),)+
                    _ => FieldNormalizer::Text(TextNormalizer::compile(options)?),
                })
            }

            /// The derived key names a field of `kind` writes, in output order.
            pub(crate) fn key_names(kind: FieldKind) -> &'static [&'static str] {
                match kind {
                    $(FieldKind::$kind => <$normalizer>::KEYS,)+
                    _ => TextNormalizer::KEYS,
                }
            }

            /// Reads one text value (see [`NormalizeField::normalize_field`]).
            #[inline]
            pub(crate) fn normalize_field(&self, raw: &str) -> Normalized<FieldValue> {
                match self {
                    $(FieldNormalizer::$kind(n) => n.normalize_field(raw),)+
                }
            }

            /// Reads a value assembled from several columns (see
            /// [`NormalizeField::normalize_field_parts`]).
            #[inline]
            pub(crate) fn normalize_field_parts(
                &self,
                parts: &[(FieldPart, String)],
            ) -> Normalized<FieldValue> {
                match self {
                    $(FieldNormalizer::$kind(n) => n.normalize_field_parts(parts),)+
                }
            }
        }
    };
}

field_normalizers! {
    Name => NameNormalizer,
    Phone => PhoneNormalizer,
    Email => EmailNormalizer,
    Address => AddressNormalizer,
    BirthDate => BirthDateNormalizer,
    Date => DateNormalizer,
    Gender => GenderNormalizer,
    NationalId => NationalIdNormalizer,
    Identifier => IdentifierNormalizer,
    Text => TextNormalizer,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::AddressNormalizer;
    use crate::email::normalize_email;
    use crate::gender::normalize_gender;
    use crate::identifier::normalize_identifier;
    use crate::national_id::normalize_national_id;
    use crate::text;

    fn options() -> NormalizeOptions {
        NormalizeOptions {
            reference_date: Some(jiff::civil::date(2026, 11, 22)),
            ..NormalizeOptions::default()
        }
    }

    fn compile(kind: FieldKind) -> FieldNormalizer {
        FieldNormalizer::compile(kind, &options()).unwrap()
    }

    /// Values of every kind, clean and dirty, read through the compiled normalizer, give
    /// what each kind's own function gives.
    #[test]
    fn each_kind_reads_through_its_normalizer_as_its_own_function_does() {
        let options = options();
        let reference = options.reference_date();
        let names = NameNormalizer::new();
        let phones = PhoneNormalizer::new(&options.default_region).unwrap();
        let addresses = AddressNormalizer::new();
        let dates = DateNormalizer::new(&options);
        let values = [
            "張偉",
            "Mr Robert Smith",
            "138-0013-8000",
            "+1 (415) 555-0100",
            "Bob.Smith+x@Gmail.com",
            "广东省深圳市南山区科技园路1号",
            "12 Main St, Springfield 2000",
            "1990-01-02",
            "02/01/1890",
            "男",
            "F",
            "11010519491231002X",
            "M-00123",
            "  free   text ",
            "",
            "???",
        ];
        for raw in values {
            let expected: [(FieldKind, Normalized<FieldValue>); 10] = [
                (
                    FieldKind::Name,
                    names.normalize(raw).map(|n| FieldValue::Name(Box::new(n))),
                ),
                (
                    FieldKind::Phone,
                    phones
                        .normalize(raw)
                        .map(|p| FieldValue::Phone(Box::new(p))),
                ),
                (
                    FieldKind::Email,
                    normalize_email(raw).map(|e| FieldValue::Email(Box::new(e))),
                ),
                (
                    FieldKind::Address,
                    addresses
                        .normalize(raw)
                        .map(|a| FieldValue::Address(Box::new(a))),
                ),
                (
                    FieldKind::BirthDate,
                    dates.normalize_birth_date(raw).map(FieldValue::Date),
                ),
                (FieldKind::Date, dates.normalize(raw).map(FieldValue::Date)),
                (
                    FieldKind::Gender,
                    normalize_gender(raw).map(FieldValue::Gender),
                ),
                (
                    FieldKind::NationalId,
                    normalize_national_id(raw, reference)
                        .map(|id| FieldValue::NationalId(Box::new(id))),
                ),
                (
                    FieldKind::Identifier,
                    normalize_identifier(raw).map(FieldValue::Identifier),
                ),
                (
                    FieldKind::Text,
                    match text::collapse_whitespace(raw) {
                        t if t.is_empty() => Normalized::missing(),
                        t => Normalized::ok(FieldValue::Text(t.into())),
                    },
                ),
            ];
            for (kind, expected) in expected {
                assert_eq!(
                    compile(kind).normalize_field(raw),
                    expected,
                    "{kind:?} {raw}"
                );
            }
        }
    }

    #[test]
    fn parts_read_as_each_kind_reads_them() {
        let parts = |list: &[(FieldPart, &str)]| -> Vec<(FieldPart, String)> {
            list.iter().map(|(p, t)| (*p, t.to_string())).collect()
        };
        // A name from a given name and a family name.
        let name = parts(&[(FieldPart::Given, "伟"), (FieldPart::Family, "張")]);
        assert_eq!(
            compile(FieldKind::Name).normalize_field_parts(&name),
            NameNormalizer::new()
                .normalize_parts(Some("伟"), Some("張"))
                .map(|n| FieldValue::Name(Box::new(n)))
        );
        // An address from its columns.
        let address = parts(&[
            (FieldPart::Street, "12 Main St"),
            (FieldPart::Postcode, "2000"),
        ]);
        assert_eq!(
            compile(FieldKind::Address).normalize_field_parts(&address),
            AddressNormalizer::new()
                .normalize_parts(&[
                    (FieldPart::Street, "12 Main St"),
                    (FieldPart::Postcode, "2000")
                ])
                .map(|a| FieldValue::Address(Box::new(a)))
        );
        // Any other kind joins its parts with a space.
        let phone = parts(&[(FieldPart::Full, "138"), (FieldPart::Full, "0013 8000")]);
        assert_eq!(
            compile(FieldKind::Phone).normalize_field_parts(&phone),
            compile(FieldKind::Phone).normalize_field("138 0013 8000")
        );
    }

    #[test]
    fn key_names_per_kind() {
        let expected: [(FieldKind, &[&str]); 10] = [
            (
                FieldKind::Name,
                &["family", "given", "pinyin", "phonetic", "nickname"],
            ),
            (
                FieldKind::Phone,
                &["e164", "masked_prefix", "masked_suffix"],
            ),
            (FieldKind::Email, &["canonical", "local", "domain"]),
            (
                FieldKind::Address,
                &[
                    "province", "city", "district", "detail", "number", "street", "postcode",
                ],
            ),
            (FieldKind::BirthDate, &["year", "month", "day"]),
            (FieldKind::Date, &["year", "month", "day"]),
            (FieldKind::Gender, &[]),
            (FieldKind::NationalId, &["birth_date", "gender", "region"]),
            (FieldKind::Identifier, &[]),
            (FieldKind::Text, &[]),
        ];
        for (kind, keys) in expected {
            assert_eq!(FieldNormalizer::key_names(kind), keys, "{kind:?}");
        }
    }

    #[test]
    fn an_unknown_region_fails_to_compile_a_phone_field() {
        let options = NormalizeOptions {
            default_region: "XX".into(),
            ..options()
        };
        assert!(FieldNormalizer::compile(FieldKind::Phone, &options).is_err());
        assert!(FieldNormalizer::compile(FieldKind::Name, &options).is_ok());
    }
}
