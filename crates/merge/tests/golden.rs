//! Tests of `golden`: golden records, lineage and the conflict log, built from records
//! normalized the way the pipeline normalizes them.

use proptest::prelude::*;
use sameas_core::{Channel, RecordId};
use sameas_merge::MergeError;
use sameas_merge::golden::{
    Conflict, DecidedBy, FieldSurvivorship, GoldenField, GoldenInput, GoldenRecord, Survivorship,
    SurvivorshipConfig, SurvivorshipRule, ValueQuality,
};
use sameas_normalize::NormalizeOptions;
use sameas_normalize::infer::{infer_schema, record_from_row};
use sameas_normalize::record::{NormalizedRecord, RecordNormalizer};

/// The columns of `examples/data/customers.csv`.
const HEADERS: [&str; 12] = [
    "record_id",
    "channel",
    "name",
    "phone",
    "email",
    "address",
    "birth_date",
    "gender",
    "id_number",
    "member_no",
    "device_id",
    "updated_at",
];

type Row = [&'static str; 12];

/// Rows of one Zhang Wei: a till record with a valid national id, an app record in
/// Traditional characters, and a marketplace record with an honorific-only name and a masked
/// phone.
const ZHANG_POS: Row = [
    "C0001",
    "pos",
    "张伟",
    "138-0013-8000",
    "",
    "广东省深圳市南山区科技园路1号",
    "1990-01-02",
    "男",
    "440305199001021235",
    "M100001",
    "",
    "2025-03-01 10:12:00",
];
const ZHANG_APP: Row = [
    "C0002",
    "app",
    "張偉",
    "+86 138 0013 8000",
    "zhangwei@qq.com",
    "廣東省深圳市南山區科技園路1號",
    "1990/01/02",
    "M",
    "",
    "M100001",
    "dev-7f3a91",
    "2025-06-11T08:30:00",
];
const ZHANG_MARKETPLACE: Row = [
    "C0003",
    "marketplace",
    "张先生",
    "138****8000",
    "",
    "广东深圳南山区科技园路1号",
    "",
    "",
    "",
    "",
    "",
    "2025-07-02",
];

struct Fixture {
    survivorship: Survivorship,
    ids: Vec<RecordId>,
    channels: Vec<Channel>,
    records: Vec<NormalizedRecord>,
}

impl Fixture {
    fn new(rows: &[Row]) -> Self {
        Self::with_config(rows, &SurvivorshipConfig::default())
    }

    fn with_config(rows: &[Row], config: &SurvivorshipConfig) -> Self {
        let schema = infer_schema(&HEADERS).unwrap().schema;
        // A fixed reference date keeps age checks from drifting with the calendar.
        let options: NormalizeOptions =
            serde_json::from_str(r#"{"reference_date":"2026-01-01"}"#).unwrap();
        let normalizer = RecordNormalizer::new(schema, options).unwrap();
        let raw: Vec<_> = rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                record_from_row(normalizer.schema(), row, i as u64 + 1, &Channel::Unknown)
            })
            .collect();
        Fixture {
            survivorship: config.compile(normalizer.schema()).unwrap(),
            ids: raw.iter().map(|r| r.id.clone()).collect(),
            channels: raw.iter().map(|r| r.channel.clone()).collect(),
            records: raw.iter().map(|r| normalizer.normalize(r)).collect(),
        }
    }

    /// The golden record of all rows as one entity.
    fn golden(&self) -> (GoldenRecord, Vec<Conflict>) {
        let members: Vec<u32> = (0..self.ids.len() as u32).collect();
        self.golden_of(&members)
    }

    fn golden_of(&self, members: &[u32]) -> (GoldenRecord, Vec<Conflict>) {
        let input = GoldenInput {
            ids: &self.ids,
            channels: &self.channels,
            records: &self.records,
        };
        self.survivorship.golden(&input, "E1", members)
    }
}

fn field<'a>(golden: &'a GoldenRecord, name: &str) -> &'a GoldenField {
    golden
        .fields
        .iter()
        .find(|f| &*f.field == name)
        .unwrap_or_else(|| panic!("no field {name}"))
}

fn conflict<'a>(conflicts: &'a [Conflict], name: &str) -> &'a Conflict {
    conflicts
        .iter()
        .find(|c| &*c.field == name)
        .unwrap_or_else(|| panic!("no conflict on {name}"))
}

fn has_conflict(conflicts: &[Conflict], name: &str) -> bool {
    conflicts.iter().any(|c| &*c.field == name)
}

fn ids(records: &[RecordId]) -> Vec<&str> {
    records.iter().map(RecordId::as_str).collect()
}

fn row_with(base: Row, changes: &[(usize, &'static str)]) -> Row {
    let mut row = base;
    for &(at, value) in changes {
        row[at] = value;
    }
    row
}

const ID: usize = 0;
const CHANNEL: usize = 1;
const NAME: usize = 2;
const PHONE: usize = 3;
const EMAIL: usize = 4;
const BIRTH_DATE: usize = 6;
const GENDER: usize = 7;
const NATIONAL_ID: usize = 8;
const UPDATED_AT: usize = 11;

#[test]
fn zhang_wei_keeps_the_full_name_and_the_full_phone() {
    let fixture = Fixture::new(&[ZHANG_POS, ZHANG_APP, ZHANG_MARKETPLACE]);
    let (golden, conflicts) = fixture.golden();
    assert_eq!(golden.entity, "E1");
    assert_eq!(ids(&golden.records), ["C0001", "C0002", "C0003"]);
    assert_eq!(
        golden.channels,
        [Channel::App, Channel::Marketplace, Channel::Pos]
    );

    let name = field(&golden, "name");
    assert_eq!(name.value.as_deref(), Some("张伟"));
    assert_eq!(name.rule, Some(DecidedBy::MostComplete));
    assert!(name.values.is_empty(), "names are single-valued");
    let name_conflict = conflict(&conflicts, "name");
    assert_eq!(name_conflict.winner.as_deref(), Some("张伟"));
    assert_eq!(name_conflict.rule, DecidedBy::MostComplete);
    let values: Vec<&str> = name_conflict
        .candidates
        .iter()
        .map(|c| c.value.as_str())
        .collect();
    // An honorific-only name keeps its family name only.
    assert_eq!(values, ["张伟", "张"]);
    assert_eq!(
        ids(&name_conflict.candidates[0].records),
        ["C0001", "C0002"]
    );

    let phone = field(&golden, "phone");
    assert_eq!(phone.value.as_deref(), Some("+8613800138000"));
    assert_eq!(phone.values, ["+8613800138000"]);
    let phone_conflict = conflict(&conflicts, "phone");
    assert_eq!(phone_conflict.rule, DecidedBy::ValidOnly);
    let masked = &phone_conflict.candidates[1];
    assert_eq!(masked.value, "138****8000");
    assert_eq!(masked.quality, ValueQuality::Masked);
    assert_eq!(ids(&masked.records), ["C0003"]);
}

#[test]
fn a_masked_phone_loses_even_when_the_chain_prefers_it() {
    // The marketplace record is the most recent, and the chain looks only at recency.
    let config = SurvivorshipConfig {
        fields: vec![FieldSurvivorship {
            field: "phone".into(),
            rules: vec![SurvivorshipRule::MostRecent],
        }],
        ..SurvivorshipConfig::default()
    };
    let fixture = Fixture::with_config(&[ZHANG_POS, ZHANG_MARKETPLACE], &config);
    let (golden, conflicts) = fixture.golden();
    assert_eq!(
        field(&golden, "phone").value.as_deref(),
        Some("+8613800138000")
    );
    assert_eq!(conflict(&conflicts, "phone").rule, DecidedBy::ValidOnly);
    // A masked value alone is still the best there is.
    let (golden, conflicts) = fixture.golden_of(&[1]);
    let phone = field(&golden, "phone");
    assert_eq!(phone.value.as_deref(), Some("138****8000"));
    assert!(phone.values.is_empty(), "masked values are not listed");
    assert!(!has_conflict(&conflicts, "phone"));
}

#[test]
fn name_source_is_the_most_recent_record_holding_it() {
    let fixture = Fixture::new(&[ZHANG_POS, ZHANG_APP, ZHANG_MARKETPLACE]);
    let (golden, _) = fixture.golden();
    // 张伟 and 張偉 are one value; the app record is the more recent of the two.
    assert_eq!(
        field(&golden, "name").source.as_ref().map(RecordId::as_str),
        Some("C0002")
    );
    // The full phone is held by the same two records: the newer one is the source again.
    assert_eq!(
        field(&golden, "phone")
            .source
            .as_ref()
            .map(RecordId::as_str),
        Some("C0002")
    );
}

#[test]
fn birth_date_from_a_valid_national_id_beats_typed_dates() {
    // Two records type 1990-02-01; the till record's id says 1990-01-02 and it types that
    // wrong date too, so the typed date is the most frequent value.
    let pos = row_with(ZHANG_POS, &[(BIRTH_DATE, "1990-02-01")]);
    let app = row_with(ZHANG_APP, &[(BIRTH_DATE, "1990-02-01")]);
    let fixture = Fixture::new(&[pos, app, ZHANG_MARKETPLACE]);
    let (golden, conflicts) = fixture.golden();
    let birth_date = field(&golden, "birth_date");
    assert_eq!(birth_date.value.as_deref(), Some("1990-01-02"));
    assert_eq!(birth_date.rule, Some(DecidedBy::FromNationalId));
    assert_eq!(
        birth_date.source.as_ref().map(RecordId::as_str),
        Some("C0001"),
        "a derived value comes from the record holding the id"
    );
    let logged = conflict(&conflicts, "birth_date");
    assert_eq!(logged.rule, DecidedBy::FromNationalId);
    assert_eq!(logged.winner.as_deref(), Some("1990-01-02"));
    assert_eq!(logged.candidates.len(), 2);
    let derived = &logged.candidates[0];
    assert!(derived.derived);
    assert_eq!(derived.value, "1990-01-02");
    assert_eq!(ids(&derived.records), ["C0001"]);
    let typed = &logged.candidates[1];
    assert!(!typed.derived);
    assert_eq!(typed.value, "1990-02-01");
    assert_eq!(ids(&typed.records), ["C0001", "C0002"]);
    // The till record's typed date disagrees with its own id; the app's is clean.
    assert_eq!(typed.quality, ValueQuality::Valid);
}

#[test]
fn without_from_national_id_the_typed_dates_decide() {
    let config = SurvivorshipConfig {
        fields: vec![FieldSurvivorship {
            field: "birth_date".into(),
            rules: vec![SurvivorshipRule::ValidOnly, SurvivorshipRule::MostFrequent],
        }],
        ..SurvivorshipConfig::default()
    };
    let pos = row_with(ZHANG_POS, &[(BIRTH_DATE, "1990-02-01")]);
    let app = row_with(ZHANG_APP, &[(BIRTH_DATE, "1990-02-01")]);
    let fixture = Fixture::with_config(&[pos, app], &config);
    let (golden, conflicts) = fixture.golden();
    assert_eq!(
        field(&golden, "birth_date").value.as_deref(),
        Some("1990-02-01")
    );
    assert!(
        !has_conflict(&conflicts, "birth_date"),
        "no derived candidate without the rule"
    );
}

#[test]
fn a_typed_date_matching_the_id_is_one_candidate() {
    let fixture = Fixture::new(&[ZHANG_POS, ZHANG_APP]);
    let (golden, conflicts) = fixture.golden();
    let birth_date = field(&golden, "birth_date");
    assert_eq!(birth_date.value.as_deref(), Some("1990-01-02"));
    assert_eq!(birth_date.rule, Some(DecidedBy::OnlyValue));
    assert!(!has_conflict(&conflicts, "birth_date"));
    assert!(!has_conflict(&conflicts, "gender"));
    // Typed in both records and derived from the till's id: the till record ranks first.
    assert_eq!(
        birth_date.source.as_ref().map(RecordId::as_str),
        Some("C0001")
    );
}

#[test]
fn gender_from_the_national_id_beats_a_typed_gender() {
    // 440305199001021235: the 17th digit is odd, male.
    let app = row_with(ZHANG_APP, &[(GENDER, "F")]);
    let marketplace = row_with(ZHANG_MARKETPLACE, &[(GENDER, "女")]);
    let fixture = Fixture::new(&[ZHANG_POS, app, marketplace]);
    let (golden, conflicts) = fixture.golden();
    let gender = field(&golden, "gender");
    assert_eq!(gender.value.as_deref(), Some("M"));
    assert_eq!(gender.rule, Some(DecidedBy::FromNationalId));
    let logged = conflict(&conflicts, "gender");
    assert_eq!(logged.candidates[0].value, "M");
    assert!(logged.candidates[0].derived);
    assert_eq!(ids(&logged.candidates[1].records), ["C0002", "C0003"]);
}

#[test]
fn most_recent_wins_where_configured() {
    let old_a = row_with(
        ZHANG_POS,
        &[(EMAIL, "old@qq.com"), (UPDATED_AT, "2024-01-01")],
    );
    let old_b = row_with(
        ZHANG_APP,
        &[(EMAIL, "old@qq.com"), (UPDATED_AT, "2024-02-01")],
    );
    let new = row_with(
        ZHANG_MARKETPLACE,
        &[(EMAIL, "new@qq.com"), (UPDATED_AT, "2025-09-01")],
    );
    let rows = [old_a, old_b, new];

    // The default chain counts records first.
    let (golden, conflicts) = Fixture::new(&rows).golden();
    let email = field(&golden, "email");
    assert_eq!(email.value.as_deref(), Some("old@qq.com"));
    assert_eq!(email.rule, Some(DecidedBy::MostFrequent));
    assert_eq!(email.values, ["old@qq.com", "new@qq.com"]);
    assert_eq!(conflict(&conflicts, "email").rule, DecidedBy::MostFrequent);

    let config = SurvivorshipConfig {
        fields: vec![FieldSurvivorship {
            field: "email".into(),
            rules: vec![
                SurvivorshipRule::ValidOnly,
                SurvivorshipRule::MostRecent,
                SurvivorshipRule::MostFrequent,
            ],
        }],
        ..SurvivorshipConfig::default()
    };
    let (golden, conflicts) = Fixture::with_config(&rows, &config).golden();
    let email = field(&golden, "email");
    assert_eq!(email.value.as_deref(), Some("new@qq.com"));
    assert_eq!(email.rule, Some(DecidedBy::MostRecent));
    assert_eq!(email.source.as_ref().map(RecordId::as_str), Some("C0003"));
    assert_eq!(email.values, ["new@qq.com", "old@qq.com"]);
    assert_eq!(conflict(&conflicts, "email").rule, DecidedBy::MostRecent);
}

#[test]
fn channel_priority_ranks_pos_above_marketplace() {
    let config = SurvivorshipConfig {
        fields: vec![FieldSurvivorship {
            field: "email".into(),
            rules: vec![SurvivorshipRule::ChannelPriority],
        }],
        ..SurvivorshipConfig::default()
    };
    // The marketplace record has the smaller id, so a tie would go its way.
    let marketplace = row_with(
        ZHANG_MARKETPLACE,
        &[
            (ID, "A1"),
            (EMAIL, "market@qq.com"),
            (UPDATED_AT, "2025-01-01"),
        ],
    );
    let pos = row_with(
        ZHANG_POS,
        &[
            (ID, "B1"),
            (EMAIL, "till@qq.com"),
            (UPDATED_AT, "2025-01-01"),
        ],
    );
    let rows = [marketplace, pos];
    let (golden, conflicts) = Fixture::with_config(&rows, &config).golden();
    let email = field(&golden, "email");
    assert_eq!(email.value.as_deref(), Some("till@qq.com"));
    assert_eq!(email.rule, Some(DecidedBy::ChannelPriority));
    assert_eq!(email.source.as_ref().map(RecordId::as_str), Some("B1"));
    assert_eq!(
        conflict(&conflicts, "email").rule,
        DecidedBy::ChannelPriority
    );

    // Trusting the marketplace first turns it round.
    let reversed = SurvivorshipConfig {
        channel_priority: vec![Channel::Marketplace, Channel::Pos],
        ..config.clone()
    };
    let (golden, _) = Fixture::with_config(&rows, &reversed).golden();
    assert_eq!(
        field(&golden, "email").value.as_deref(),
        Some("market@qq.com")
    );

    // Unlisted channels rank below listed ones, and equal ranks fall to the smallest id.
    let only_marketplace = SurvivorshipConfig {
        channel_priority: vec![Channel::Marketplace],
        ..config
    };
    let (golden, _) = Fixture::with_config(&rows, &only_marketplace).golden();
    assert_eq!(
        field(&golden, "email").value.as_deref(),
        Some("market@qq.com")
    );
}

#[test]
fn equal_values_fall_to_the_tie_break() {
    let config = SurvivorshipConfig {
        fields: vec![FieldSurvivorship {
            field: "email".into(),
            rules: vec![SurvivorshipRule::MostFrequent],
        }],
        ..SurvivorshipConfig::default()
    };
    let a = row_with(ZHANG_APP, &[(ID, "Z9"), (EMAIL, "a@qq.com")]);
    let b = row_with(ZHANG_APP, &[(ID, "Z1"), (EMAIL, "b@qq.com")]);
    let (golden, conflicts) = Fixture::with_config(&[a, b], &config).golden();
    let email = field(&golden, "email");
    assert_eq!(
        email.value.as_deref(),
        Some("b@qq.com"),
        "smallest record id"
    );
    assert_eq!(email.rule, Some(DecidedBy::TieBreak));
    assert_eq!(conflict(&conflicts, "email").rule, DecidedBy::TieBreak);
}

#[test]
fn multi_valued_phones_keep_every_distinct_valid_number() {
    let second = row_with(
        ZHANG_APP,
        &[(PHONE, "139 1234 5678"), (UPDATED_AT, "2025-09-01")],
    );
    let third = row_with(
        ZHANG_POS,
        &[(ID, "C0004"), (CHANNEL, "web"), (UPDATED_AT, "2024-01-01")],
    );
    let fixture = Fixture::new(&[ZHANG_POS, second, ZHANG_MARKETPLACE, third]);
    let (golden, conflicts) = fixture.golden();
    let phone = field(&golden, "phone");
    // 138… is held by two records, 139… by one; the masked one is not listed.
    assert_eq!(phone.value.as_deref(), Some("+8613800138000"));
    assert_eq!(phone.rule, Some(DecidedBy::MostFrequent));
    assert_eq!(phone.values, ["+8613800138000", "+8613912345678"]);
    let logged = conflict(&conflicts, "phone");
    let values: Vec<&str> = logged.candidates.iter().map(|c| c.value.as_str()).collect();
    assert_eq!(values, ["+8613800138000", "+8613912345678", "138****8000"]);

    let headers = fixture.survivorship.headers();
    let row = fixture.survivorship.row(&golden);
    assert_eq!(row.len(), headers.len());
    let cell = |name: &str| &row[headers.iter().position(|h| h == name).unwrap()];
    assert_eq!(cell("phone.all"), "+8613800138000|+8613912345678");
    assert_eq!(cell("phone"), "+8613800138000");
    // Both 138 records are equally valid; the web one is older, so the pos one is the source.
    assert_eq!(cell("phone.source"), "C0001");
    assert_eq!(cell("record_count"), "4");
    assert_eq!(cell("channels"), "app|marketplace|pos|web");
}

#[test]
fn a_single_record_yields_no_conflicts() {
    let fixture = Fixture::new(&[ZHANG_POS, ZHANG_APP]);
    for member in 0..2u32 {
        let (golden, conflicts) = fixture.golden_of(&[member]);
        assert!(conflicts.is_empty());
        assert_eq!(golden.records.len(), 1);
        for f in &golden.fields {
            match &f.value {
                Some(_) => {
                    assert_eq!(f.rule, Some(DecidedBy::OnlyValue), "{}", f.field);
                    assert_eq!(f.source.as_ref(), Some(&golden.records[0]), "{}", f.field);
                }
                None => assert_eq!((f.rule, f.source.as_ref()), (None, None), "{}", f.field),
            }
        }
    }
    // Two records that agree everywhere after normalization conflict nowhere either.
    let twin = row_with(
        ZHANG_POS,
        &[(ID, "C0009"), (NAME, "張偉"), (PHONE, "13800138000")],
    );
    let (_, conflicts) = Fixture::new(&[ZHANG_POS, twin]).golden();
    let fields: Vec<&str> = conflicts.iter().map(|c| &*c.field).collect();
    assert!(fields.is_empty(), "{fields:?}");
}

#[test]
fn golden_csv_layout() {
    let fixture = Fixture::new(&[ZHANG_POS]);
    let headers = fixture.survivorship.headers();
    assert_eq!(
        headers,
        [
            "entity_id",
            "record_count",
            "channels",
            "name",
            "name.source",
            "phone",
            "phone.source",
            "phone.all",
            "email",
            "email.source",
            "email.all",
            "address",
            "address.source",
            "address.all",
            "birth_date",
            "birth_date.source",
            "gender",
            "gender.source",
            "id_number",
            "id_number.source",
            "member_no",
            "member_no.source",
            "device_id",
            "device_id.source",
        ]
    );
    let (golden, _) = fixture.golden();
    let row = fixture.survivorship.row(&golden);
    assert_eq!(row.len(), headers.len());
    assert_eq!(
        &row[..8],
        [
            "E1",
            "1",
            "pos",
            "张伟",
            "C0001",
            "+8613800138000",
            "C0001",
            "+8613800138000"
        ]
    );
    // No e-mail: empty value, source and list.
    assert_eq!(&row[8..11], ["", "", ""]);
}

#[test]
fn config_round_trips_through_json() {
    let config = SurvivorshipConfig {
        channel_priority: vec![Channel::App, Channel::Other("kiosk".into()), Channel::Pos],
        fields: vec![
            FieldSurvivorship {
                field: "email".into(),
                rules: vec![SurvivorshipRule::MostRecent, SurvivorshipRule::Longest],
            },
            FieldSurvivorship {
                field: "birth_date".into(),
                rules: vec![
                    SurvivorshipRule::FromNationalId,
                    SurvivorshipRule::ValidOnly,
                ],
            },
        ],
    };
    let json = serde_json::to_string(&config).unwrap();
    assert!(json.contains(r#"{"type":"most_recent"}"#), "{json}");
    assert_eq!(
        serde_json::from_str::<SurvivorshipConfig>(&json).unwrap(),
        config
    );
    // Missing sections take their defaults.
    assert_eq!(
        serde_json::from_str::<SurvivorshipConfig>("{}").unwrap(),
        SurvivorshipConfig::default()
    );
    let default = serde_json::to_string(&SurvivorshipConfig::default()).unwrap();
    assert_eq!(
        serde_json::from_str::<SurvivorshipConfig>(&default).unwrap(),
        SurvivorshipConfig::default()
    );
}

#[test]
fn compile_rejects_bad_configs() {
    let schema = infer_schema(&HEADERS).unwrap().schema;
    let with = |field: &str, rules: Vec<SurvivorshipRule>| SurvivorshipConfig {
        fields: vec![FieldSurvivorship {
            field: field.into(),
            rules,
        }],
        ..SurvivorshipConfig::default()
    };
    assert!(matches!(
        with("nickname", vec![SurvivorshipRule::MostRecent]).compile(&schema),
        Err(MergeError::UnknownField { .. })
    ));
    assert!(matches!(
        with("email", vec![]).compile(&schema),
        Err(MergeError::Config(_))
    ));
    assert!(matches!(
        with("email", vec![SurvivorshipRule::FromNationalId]).compile(&schema),
        Err(MergeError::Config(_))
    ));
    assert!(matches!(
        with(
            "email",
            vec![SurvivorshipRule::Longest, SurvivorshipRule::Longest]
        )
        .compile(&schema),
        Err(MergeError::Config(_))
    ));
    let twice = SurvivorshipConfig {
        fields: vec![
            FieldSurvivorship {
                field: "email".into(),
                rules: vec![SurvivorshipRule::Longest],
            },
            FieldSurvivorship {
                field: "email".into(),
                rules: vec![SurvivorshipRule::MostRecent],
            },
        ],
        ..SurvivorshipConfig::default()
    };
    assert!(matches!(twice.compile(&schema), Err(MergeError::Config(_))));
    let channels = SurvivorshipConfig {
        channel_priority: vec![Channel::Pos, Channel::Pos],
        ..SurvivorshipConfig::default()
    };
    assert!(matches!(
        channels.compile(&schema),
        Err(MergeError::Config(_))
    ));
    // Gender takes from_national_id; unlisted fields keep their kind's default chain.
    let ok = with(
        "gender",
        vec![
            SurvivorshipRule::FromNationalId,
            SurvivorshipRule::MostRecent,
        ],
    )
    .compile(&schema)
    .unwrap();
    assert_eq!(
        ok.rules("gender"),
        Some(
            &[
                SurvivorshipRule::FromNationalId,
                SurvivorshipRule::MostRecent
            ][..]
        )
    );
    assert_eq!(
        ok.rules("phone").unwrap(),
        SurvivorshipConfig::default_rules(sameas_core::FieldKind::Phone)
    );
}

#[test]
fn a_record_typing_its_own_ids_date_holds_it_once() {
    let config = SurvivorshipConfig {
        fields: vec![FieldSurvivorship {
            field: "birth_date".into(),
            rules: vec![
                SurvivorshipRule::MostFrequent,
                SurvivorshipRule::FromNationalId,
            ],
        }],
        ..SurvivorshipConfig::default()
    };
    // The till record types the date its id encodes: one record, one vote. Two others type
    // another date, so counting the till twice would tie and hand it to the id.
    let app = row_with(ZHANG_APP, &[(BIRTH_DATE, "1991-05-05")]);
    let web = row_with(
        ZHANG_APP,
        &[(ID, "C0009"), (CHANNEL, "web"), (BIRTH_DATE, "1991-05-05")],
    );
    let (golden, conflicts) = Fixture::with_config(&[ZHANG_POS, app, web], &config).golden();
    let birth_date = field(&golden, "birth_date");
    assert_eq!(birth_date.value.as_deref(), Some("1991-05-05"));
    assert_eq!(birth_date.rule, Some(DecidedBy::MostFrequent));
    let from_id = &conflict(&conflicts, "birth_date").candidates[1];
    assert_eq!(from_id.value, "1990-01-02");
    assert!(from_id.derived);
    assert_eq!(ids(&from_id.records), ["C0001"]);
}

#[test]
fn the_most_complete_address_wins_over_a_newer_partial_one() {
    let full = row_with(
        ZHANG_POS,
        &[
            (5, "123 Main Street, Las Vegas NV 89132"),
            (UPDATED_AT, "2024-01-01"),
        ],
    );
    let partial = row_with(
        ZHANG_APP,
        &[(5, "123 Main Street"), (UPDATED_AT, "2025-01-01")],
    );
    let (golden, conflicts) = Fixture::new(&[full, partial]).golden();
    let address = field(&golden, "address");
    assert_eq!(address.source.as_ref().map(RecordId::as_str), Some("C0001"));
    assert_eq!(address.rule, Some(DecidedBy::MostComplete));
    assert_eq!(address.values.len(), 2);
    assert_eq!(address.values[0], *address.value.as_ref().unwrap());
    assert_eq!(conflict(&conflicts, "address").candidates.len(), 2);
}

/// Rows that disagree on most fields, for the order-independence property.
fn varied_rows() -> Vec<Row> {
    vec![
        ZHANG_POS,
        ZHANG_APP,
        ZHANG_MARKETPLACE,
        row_with(
            ZHANG_APP,
            &[
                (ID, "C0004"),
                (CHANNEL, "mini_program"),
                (NAME, "Zhang Wei"),
                (PHONE, "139 1234 5678"),
                (EMAIL, "ZhangWei@QQ.com"),
                (BIRTH_DATE, "1990-02-01"),
                (NATIONAL_ID, ""),
                (UPDATED_AT, "2025-06-11"),
            ],
        ),
        row_with(
            ZHANG_POS,
            &[
                (ID, "C0005"),
                (CHANNEL, "call_centre"),
                (NAME, "章伟"),
                (EMAIL, "zw@163.com"),
                (GENDER, "F"),
                (UPDATED_AT, "2025-06-11"),
            ],
        ),
        // Same id as another record: ties on id fall to the record's position.
        row_with(ZHANG_MARKETPLACE, &[(ID, "C0001"), (UPDATED_AT, "")]),
    ]
}

proptest! {
    #[test]
    fn golden_does_not_depend_on_member_order(
        members in Just((0..6u32).collect::<Vec<_>>()).prop_shuffle(),
        take in 1usize..=6,
    ) {
        let fixture = Fixture::new(&varied_rows());
        let chosen = &members[..take];
        let mut sorted = chosen.to_vec();
        sorted.sort_unstable();
        let expected = fixture.golden_of(&sorted);
        prop_assert_eq!(&fixture.golden_of(chosen), &expected);
        // A repeated member counts once.
        let mut repeated = chosen.to_vec();
        repeated.push(chosen[0]);
        prop_assert_eq!(&fixture.golden_of(&repeated), &expected);
    }
}
