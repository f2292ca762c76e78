//! Schema inference from column headers, in English and Chinese, and assembling a
//! [`Record`] from a row under a schema.

use sameas_core::{
    Channel, FieldKind, FieldPart, FieldSpec, Record, RecordId, Schema, SourceColumn, Value,
};

use crate::{NormalizeError, text};

/// A schema read from headers, with what the reader should be warned about.
#[derive(Debug, Clone, PartialEq)]
pub struct InferredSchema {
    /// The schema.
    pub schema: Schema,
    /// Warnings for the user, such as a missing id column. They name columns, never values.
    pub warnings: Vec<String>,
}

/// What one header means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    RecordId,
    Channel,
    UpdatedAt,
    /// A whole field in one column.
    Whole(FieldKind),
    /// One part of the split name field.
    NamePart(FieldPart),
    /// One part of the split address field.
    AddressPart(FieldPart),
    Unknown,
}

/// Folds a header for lookup: NFKC, lower case, Simplified, and spaces, dashes and dots as `_`.
fn header_key(header: &str) -> String {
    let folded = text::fold(header.trim_start_matches('\u{feff}'));
    let mut key = String::with_capacity(folded.len());
    for c in folded.chars() {
        let c = if matches!(c, ' ' | '-' | '.' | '/') {
            '_'
        } else {
            c
        };
        if !(c == '_' && key.ends_with('_')) {
            key.push(c);
        }
    }
    key.trim_matches('_').to_string()
}

fn role_of(key: &str) -> Role {
    use FieldKind::*;
    use FieldPart as P;
    match key {
        "record_id" | "id" | "rec_id" | "unique_id" | "客户编号" | "客户id" | "记录编号" => {
            Role::RecordId
        }
        "channel" | "source" | "source_channel" | "渠道" | "来源" | "来源渠道" => {
            Role::Channel
        }
        "updated_at" | "update_time" | "updated" | "last_updated" | "modified_at"
        | "last_modified" | "更新时间" | "修改时间" => Role::UpdatedAt,
        "name" | "full_name" | "fullname" | "customer_name" | "contact_name" | "姓名"
        | "客户姓名" | "名字" | "联系人" | "会员姓名" | "收货人" => {
            Role::Whole(Name)
        }
        "given_name" | "first_name" | "firstname" | "forename" | "givenname" | "名" => {
            Role::NamePart(P::Given)
        }
        "middle_name" | "middlename" => Role::NamePart(P::Middle),
        "surname" | "last_name" | "lastname" | "family_name" | "familyname" | "姓" => {
            Role::NamePart(P::Family)
        }
        "id_number" | "national_id" | "id_card" | "idcard" | "id_card_no" | "resident_id"
        | "身份证" | "身份证号" | "身份证号码" | "证件号" | "证件号码" => {
            Role::Whole(NationalId)
        }
        "address" | "addr" | "full_address" | "street_address" | "地址" | "住址" | "收货地址"
        | "联系地址" | "详细地址" => Role::Whole(Address),
        "street_number" | "house_number" | "street_no" | "门牌号" => {
            Role::AddressPart(P::StreetNumber)
        }
        "address_1" | "address1" | "address_line_1" | "street" | "街道" => {
            Role::AddressPart(P::Street)
        }
        "address_2" | "address2" | "address_line_2" => Role::AddressPart(P::Address2),
        "suburb" | "district" | "county" | "区" | "区县" => Role::AddressPart(P::Locality),
        "city" | "town" | "城市" | "市" => Role::AddressPart(P::City),
        "state" | "province" | "region" | "省" | "省份" => Role::AddressPart(P::Region),
        "postcode" | "zip" | "zipcode" | "zip_code" | "postal_code" | "post_code" | "邮编"
        | "邮政编码" => Role::AddressPart(P::Postcode),
        "country" | "国家" => Role::AddressPart(P::Country),
        "email" | "e_mail" | "mail" | "email_address" | "邮箱" | "电子邮箱" | "邮件" => {
            Role::Whole(Email)
        }
        "birth_date" | "dob" | "birthday" | "date_of_birth" | "birthdate" | "生日" | "出生日期"
        | "出生年月" => Role::Whole(BirthDate),
        "gender" | "sex" | "性别" => Role::Whole(Gender),
        _ => role_by_pattern(key),
    }
}

fn role_by_pattern(key: &str) -> Role {
    use FieldKind::*;
    const PHONE_WORDS: [&str; 10] = [
        "phone",
        "mobile",
        "tel",
        "telephone",
        "cell",
        "手机",
        "电话",
        "手机号",
        "联系电话",
        "座机",
    ];
    let stem = key.trim_end_matches(|c: char| c.is_ascii_digit() || c == '_');
    let stem = stem
        .strip_suffix("_number")
        .or_else(|| stem.strip_suffix("_no"))
        .or_else(|| stem.strip_suffix("号码"))
        .unwrap_or(stem);
    if PHONE_WORDS.contains(&stem)
        || stem.ends_with("_phone")
        || stem.ends_with("_mobile")
        || stem.ends_with("_tel")
        || stem.ends_with("手机")
        || stem.ends_with("电话")
    {
        return Role::Whole(Phone);
    }
    if stem.ends_with("email") || stem.ends_with("邮箱") {
        return Role::Whole(Email);
    }
    const IDENTIFIER_WORDS: [&str; 6] =
        ["ssn", "passport", "license", "licence", "member", "device"];
    if IDENTIFIER_WORDS.contains(&stem)
        || key.ends_with("_id")
        || key.ends_with("_no")
        || key.ends_with("_number")
        || key.ends_with("卡号")
        || key.ends_with("会员号")
        || key.ends_with("设备号")
        || key.ends_with("编号")
    {
        return Role::Whole(Identifier);
    }
    if key.ends_with("_date") || key == "date" || key.ends_with("日期") {
        return Role::Whole(Date);
    }
    Role::Unknown
}

fn looks_like_data(header: &str) -> bool {
    let h = header.trim();
    h.contains('@')
        || (h.len() >= 6 && h.chars().all(|c| c.is_ascii_digit() || "+-() ".contains(c)))
}

/// Infers a schema from a header row.
///
/// Split name columns become one `name` field with parts and split address columns one
/// `address` field; identifier-like headers (`*_id`, `*_no`, `ssn`, `会员卡号` …) become
/// identifiers; unrecognised columns are kept as [`FieldKind::Text`] and not compared.
///
/// # Errors
/// [`NormalizeError::NoHeader`] when every header is blank or the first row looks like data;
/// [`NormalizeError::DuplicateHeader`] when a header repeats.
///
/// ```
/// use sameas_core::FieldKind;
/// use sameas_normalize::infer::infer_schema;
///
/// let inferred = infer_schema(&["客户编号", "姓名", "手机号", "cluster"]).unwrap();
/// let schema = inferred.schema;
/// assert_eq!(schema.id_column.unwrap().header, "客户编号");
/// assert_eq!(schema.fields[0].kind, FieldKind::Name);
/// assert_eq!(schema.fields[1].kind, FieldKind::Phone);
/// assert!(!schema.fields[2].compare);
/// ```
pub fn infer_schema<S: AsRef<str>>(headers: &[S]) -> Result<InferredSchema, NormalizeError> {
    let keys: Vec<String> = headers.iter().map(|h| header_key(h.as_ref())).collect();
    if keys.iter().all(String::is_empty) {
        return Err(NormalizeError::NoHeader);
    }
    let roles: Vec<Role> = keys.iter().map(|k| role_of(k)).collect();
    if roles.iter().all(|r| *r == Role::Unknown)
        && headers.iter().any(|h| looks_like_data(h.as_ref()))
    {
        return Err(NormalizeError::NoHeader);
    }
    // After the data check, so a first row of data that repeats a value is called data; one
    // map, so 100,000 columns cost no more than reading them.
    let mut first_at: std::collections::HashMap<&str, usize> =
        std::collections::HashMap::with_capacity(keys.len());
    for (i, key) in keys.iter().enumerate() {
        if key.is_empty() {
            continue;
        }
        if let Some(&first) = first_at.get(key.as_str()) {
            return Err(NormalizeError::DuplicateHeader {
                column: i + 1,
                first: first + 1,
            });
        }
        first_at.insert(key, i);
    }

    let mut schema = Schema::default();
    let mut warnings = Vec::new();
    let mut name_parts = Vec::new();
    let mut address_parts = Vec::new();
    let mut name_at = None;
    let mut address_at = None;
    for (index, (header, role)) in headers.iter().zip(&roles).enumerate() {
        let header = header
            .as_ref()
            .trim()
            .trim_start_matches('\u{feff}')
            .to_string();
        let column = |part| SourceColumn::new(index, header.clone(), part);
        match *role {
            Role::RecordId if schema.id_column.is_none() => {
                schema.id_column = Some(column(FieldPart::Full))
            }
            Role::Channel if schema.channel_column.is_none() => {
                schema.channel_column = Some(column(FieldPart::Full))
            }
            Role::UpdatedAt if schema.updated_at_column.is_none() => {
                schema.updated_at_column = Some(column(FieldPart::Full))
            }
            Role::NamePart(part) => {
                name_at.get_or_insert(schema.fields.len());
                name_parts.push(column(part));
            }
            Role::AddressPart(part) => {
                address_at.get_or_insert(schema.fields.len());
                address_parts.push(column(part));
            }
            Role::Whole(kind) => {
                schema.push_field(header.clone(), kind, vec![column(FieldPart::Full)]);
            }
            // Repeated id / channel / updated-at columns, and unknown ones, pass through.
            _ => {
                let name = if header.is_empty() {
                    format!("column_{}", index + 1)
                } else {
                    header.clone()
                };
                schema.fields.push(FieldSpec {
                    name,
                    kind: FieldKind::Text,
                    columns: vec![column(FieldPart::Full)],
                    compare: false,
                });
            }
        }
    }
    // Insert the grouped fields where their first column stood, the later one first.
    let mut groups = [
        (name_at, "name", FieldKind::Name, name_parts),
        (address_at, "address", FieldKind::Address, address_parts),
    ];
    // On a tie the name goes first, so it is inserted last.
    groups.sort_by_key(|g| std::cmp::Reverse((g.0, g.1 == "address")));
    for (at, base, kind, columns) in groups {
        let Some(at) = at else { continue };
        let mut name = base.to_string();
        let mut n = 2;
        while schema.fields.iter().any(|f| f.name == name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        schema.fields.insert(
            at,
            FieldSpec {
                name,
                kind,
                columns,
                compare: true,
            },
        );
    }
    if schema.id_column.is_none() {
        warnings.push(
            "no record id column (record_id, id, rec_id, unique_id, 客户编号, 客户ID): \
             1-based data row numbers serve as ids"
                .to_string(),
        );
    }
    Ok(InferredSchema { schema, warnings })
}

/// Builds a [`Record`] from one data row under `schema`. `row_number` is the 1-based data row
/// number, used as the id when the schema has no id column (or the id cell is blank); an id
/// is kept exactly as written, spaces included. `file_channel` is the channel when the schema
/// has no channel column (or the cell is blank). Cells beyond the row's end read as missing.
pub fn record_from_row<S: AsRef<str>>(
    schema: &Schema,
    row: &[S],
    row_number: u64,
    file_channel: &Channel,
) -> Record {
    let cell = |c: &SourceColumn| row.get(c.index).map(|s| s.as_ref().trim()).unwrap_or("");
    let id = schema
        .id_column
        .as_ref()
        .and_then(|c| row.get(c.index))
        .map(AsRef::as_ref)
        .filter(|s| !s.trim().is_empty())
        .map(RecordId::from)
        .unwrap_or_else(|| RecordId::from(row_number.to_string()));
    let channel = schema
        .channel_column
        .as_ref()
        .map(cell)
        .filter(|s| !s.is_empty())
        .map(Channel::from_label)
        .unwrap_or_else(|| file_channel.clone());
    let updated_at = schema
        .updated_at_column
        .as_ref()
        .map(cell)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let fields = schema
        .fields
        .iter()
        .map(|field| match field.columns.as_slice() {
            [only] if only.part == FieldPart::Full => Value::text(cell(only)),
            columns => {
                let parts: Vec<(FieldPart, String)> = columns
                    .iter()
                    .map(|c| (c.part, cell(c)))
                    .filter(|(_, text)| !text.is_empty())
                    .map(|(part, text)| (part, text.to_string()))
                    .collect();
                if parts.is_empty() {
                    Value::Missing
                } else {
                    Value::Parts(parts)
                }
            }
        })
        .collect();
    Record {
        id,
        channel,
        updated_at,
        fields,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(schema: &Schema) -> Vec<(String, FieldKind, bool)> {
        schema
            .fields
            .iter()
            .map(|f| (f.name.clone(), f.kind, f.compare))
            .collect()
    }

    #[test]
    fn febrl_headers_need_no_config() {
        let headers = "rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, state, date_of_birth, soc_sec_id";
        let headers: Vec<&str> = headers.split(',').collect();
        let inferred = infer_schema(&headers).unwrap();
        let schema = &inferred.schema;
        assert_eq!(schema.id_column.as_ref().unwrap().header, "rec_id");
        assert!(inferred.warnings.is_empty());
        assert_eq!(
            kinds(schema),
            vec![
                ("name".to_string(), FieldKind::Name, true),
                ("address".to_string(), FieldKind::Address, true),
                ("date_of_birth".to_string(), FieldKind::BirthDate, true),
                ("soc_sec_id".to_string(), FieldKind::Identifier, true),
            ]
        );
        let parts: Vec<FieldPart> = schema.fields[1].columns.iter().map(|c| c.part).collect();
        assert_eq!(
            parts,
            vec![
                FieldPart::StreetNumber,
                FieldPart::Street,
                FieldPart::Address2,
                FieldPart::Locality,
                FieldPart::Postcode,
                FieldPart::Region
            ]
        );
    }

    #[test]
    fn splink_headers_keep_cluster_out_of_matching() {
        let inferred = infer_schema(&[
            "unique_id",
            "first_name",
            "surname",
            "dob",
            "city",
            "email",
            "cluster",
        ])
        .unwrap();
        assert_eq!(
            kinds(&inferred.schema),
            vec![
                ("name".to_string(), FieldKind::Name, true),
                ("dob".to_string(), FieldKind::BirthDate, true),
                ("address".to_string(), FieldKind::Address, true),
                ("email".to_string(), FieldKind::Email, true),
                ("cluster".to_string(), FieldKind::Text, false),
            ]
        );
    }

    #[test]
    fn chinese_and_english_headers() {
        let cases = [
            ("姓名", FieldKind::Name),
            ("客户姓名", FieldKind::Name),
            ("phone", FieldKind::Phone),
            ("Mobile", FieldKind::Phone),
            ("tel", FieldKind::Phone),
            ("手机", FieldKind::Phone),
            ("手机号", FieldKind::Phone),
            ("电话", FieldKind::Phone),
            ("phone2", FieldKind::Phone),
            ("home_phone", FieldKind::Phone),
            ("email", FieldKind::Email),
            ("邮箱", FieldKind::Email),
            ("address", FieldKind::Address),
            ("地址", FieldKind::Address),
            ("birth_date", FieldKind::BirthDate),
            ("DOB", FieldKind::BirthDate),
            ("birthday", FieldKind::BirthDate),
            ("生日", FieldKind::BirthDate),
            ("出生日期", FieldKind::BirthDate),
            ("gender", FieldKind::Gender),
            ("sex", FieldKind::Gender),
            ("性别", FieldKind::Gender),
            ("id_number", FieldKind::NationalId),
            ("身份证号", FieldKind::NationalId),
            ("證件號", FieldKind::NationalId),
            ("member_no", FieldKind::Identifier),
            ("会员卡号", FieldKind::Identifier),
            ("device_id", FieldKind::Identifier),
            ("设备号", FieldKind::Identifier),
            ("passport", FieldKind::Identifier),
            ("ssn", FieldKind::Identifier),
            ("order_date", FieldKind::Date),
            ("notes", FieldKind::Text),
        ];
        for (header, kind) in cases {
            let inferred = infer_schema(&["id", header]).unwrap();
            assert_eq!(inferred.schema.fields[0].kind, kind, "{header}");
            assert_eq!(inferred.schema.fields[0].name, header);
        }
        for header in ["channel", "source", "渠道"] {
            let inferred = infer_schema(&["id", header]).unwrap();
            assert_eq!(inferred.schema.channel_column.unwrap().header, header);
        }
        for header in ["updated_at", "更新时间"] {
            let inferred = infer_schema(&["id", header]).unwrap();
            assert_eq!(inferred.schema.updated_at_column.unwrap().header, header);
        }
        for header in [
            "record_id",
            "id",
            "rec_id",
            "unique_id",
            "客户编号",
            "客户ID",
        ] {
            let inferred = infer_schema(&[header, "name"]).unwrap();
            assert_eq!(inferred.schema.id_column.unwrap().header, header);
        }
    }

    #[test]
    fn missing_id_warns_and_row_numbers_serve() {
        let inferred = infer_schema(&["name", "phone"]).unwrap();
        assert_eq!(inferred.warnings.len(), 1);
        let record = record_from_row(&inferred.schema, &["张伟", "138"], 7, &Channel::App);
        assert_eq!(record.id.as_str(), "7");
        assert_eq!(record.channel, Channel::App);
        assert_eq!(record.fields[0], Value::Text("张伟".into()));
    }

    #[test]
    fn split_fields_assemble_parts_and_short_rows_read_missing() {
        let inferred = infer_schema(&["id", "first_name", "surname", "channel", "city"]).unwrap();
        let record = record_from_row(
            &inferred.schema,
            &["a1", "Ann", " Lee ", "门店"],
            1,
            &Channel::Unknown,
        );
        assert_eq!(record.id.as_str(), "a1");
        assert_eq!(record.channel, Channel::Pos);
        assert_eq!(
            record.fields[0],
            Value::Parts(vec![
                (FieldPart::Given, "Ann".into()),
                (FieldPart::Family, "Lee".into())
            ])
        );
        assert_eq!(record.fields[1], Value::Missing);
    }

    #[test]
    fn header_problems_are_errors() {
        assert!(matches!(
            infer_schema(&["", " "]),
            Err(NormalizeError::NoHeader)
        ));
        assert!(matches!(
            infer_schema(&["13800138000", "bob@example.com"]),
            Err(NormalizeError::NoHeader)
        ));
        assert!(matches!(
            infer_schema(&["id", "phone", "Phone"]),
            Err(NormalizeError::DuplicateHeader {
                column: 3,
                first: 2
            })
        ));
        // A first row of data that repeats a value is data, and no message quotes it.
        let err = infer_schema(&["1", "Ann", "13912345678", "x", "13912345678"]).unwrap_err();
        assert!(matches!(err, NormalizeError::NoHeader), "{err:?}");
        assert!(!err.to_string().contains("139"), "{err}");
    }

    #[test]
    fn ids_are_kept_exactly_as_written() {
        let inferred = infer_schema(&["id", "name"]).unwrap();
        let record = record_from_row(&inferred.schema, &[" D4 ", "Ann"], 1, &Channel::App);
        assert_eq!(record.id.as_str(), " D4 ");
        let blank = record_from_row(&inferred.schema, &["  ", "Ann"], 7, &Channel::App);
        assert_eq!(blank.id.as_str(), "7");
    }
}
