//! Public behaviour of the vocabulary types.

use sameas_core::{Channel, FieldKind, FieldPart, Record, RecordId, Schema, SourceColumn, Value};

#[test]
fn records_round_trip_through_json() {
    let record = Record {
        id: RecordId::from("C0001"),
        channel: Channel::Marketplace,
        updated_at: Some("2025-07-02".into()),
        fields: vec![
            Value::text("张先生"),
            Value::Missing,
            Value::Parts(vec![
                (FieldPart::Given, "Ann".into()),
                (FieldPart::Family, "Lee".into()),
            ]),
        ],
    };
    let json = serde_json::to_string(&record).unwrap();
    assert_eq!(serde_json::from_str::<Record>(&json).unwrap(), record);
    assert!(
        json.contains(r#""id":"C0001""#),
        "record ids serialise as plain strings: {json}"
    );
}

#[test]
fn chinese_channel_labels_read() {
    let cases = [
        ("门店", Channel::Pos),
        ("小程序", Channel::MiniProgram),
        ("天猫", Channel::Marketplace),
        ("客服", Channel::CallCentre),
        ("官网", Channel::Web),
        ("Mini-Program", Channel::MiniProgram),
    ];
    for (label, channel) in cases {
        assert_eq!(Channel::from_label(label), channel, "{label}");
    }
}

#[test]
fn schema_lookups() {
    let mut schema = Schema::default();
    schema.push_field(
        "phone",
        FieldKind::Phone,
        vec![SourceColumn::new(0, "phone", FieldPart::Full)],
    );
    schema.push_field(
        "phone2",
        FieldKind::Phone,
        vec![SourceColumn::new(1, "phone2", FieldPart::Full)],
    );
    assert_eq!(schema.fields_of_kind(FieldKind::Phone).count(), 2);
    assert_eq!(schema.field_index("phone2"), Some(1));
    assert_eq!(FieldKind::NationalId.to_string(), "national_id");
}
