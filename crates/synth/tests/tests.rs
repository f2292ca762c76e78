//! Determinism, the truth contract, schema recognition and the documented rates.

use std::collections::{HashMap, HashSet};

use sameas_core::{Channel, FieldKind};
use sameas_normalize::infer::infer_schema;
use sameas_synth::{
    Corruption, DATA_HEADER, Difficulty, Generated, SynthConfig, SynthError, TRUTH_HEADER,
    generate, write_csv,
};

fn config(records: u64, seed: u64) -> SynthConfig {
    SynthConfig {
        records,
        seed,
        difficulty: Difficulty::default(),
    }
}

fn bytes(config: &SynthConfig) -> (Vec<u8>, Vec<u8>) {
    let (mut data, mut truth) = (Vec::new(), Vec::new());
    write_csv(config, &mut data, &mut truth).unwrap();
    (data, truth)
}

fn column(name: &str) -> usize {
    DATA_HEADER.iter().position(|h| *h == name).unwrap()
}

#[test]
fn same_seed_same_bytes_whatever_the_thread_count() {
    let config = config(30_000, 11);
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| bytes(&config));
    let two = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap()
        .install(|| bytes(&config));
    assert_eq!(one, two);
    assert_eq!(one, bytes(&config));
    let other = bytes(&SynthConfig {
        seed: 12,
        ..config.clone()
    });
    assert_ne!(one.0, other.0);
    assert_ne!(one.1, other.1);
}

#[test]
fn files_match_the_library_records_and_the_truth_covers_every_record() {
    let config = config(5_000, 3);
    let (data, truth) = bytes(&config);
    let generated = generate(&config).unwrap();

    let mut reader = csv::Reader::from_reader(data.as_slice());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        DATA_HEADER
    );
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    assert_eq!(rows.len(), 5_000);
    for (row, record) in rows.iter().zip(&generated.records) {
        assert_eq!(row, &record.values);
    }

    let mut reader = csv::Reader::from_reader(truth.as_slice());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        TRUTH_HEADER
    );
    let truth: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    assert_eq!(truth.len(), rows.len());
    let ids: HashSet<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids.len(), rows.len(), "record ids are unique");
    for ((t, row), record) in truth.iter().zip(&rows).zip(&generated.records) {
        assert_eq!(t[0], row[0]);
        assert_eq!(t[1], record.truth.person_id);
        assert_eq!(t[2], record.truth.household_id);
    }
    // Shuffled: records of one person are rarely neighbours.
    let adjacent = truth.windows(2).filter(|w| w[0][1] == w[1][1]).count();
    assert!(adjacent < 20, "{adjacent} adjacent duplicates");
    // Channels are ones the core reads back.
    for row in &rows {
        assert!(!matches!(
            Channel::from_label(&row[column("channel")]),
            Channel::Other(_) | Channel::Unknown
        ));
    }
}

#[test]
fn schema_inference_reads_every_column_and_no_truth_column_leaks() {
    let schema = infer_schema(&DATA_HEADER).unwrap().schema;
    assert_eq!(schema.id_column.unwrap().header, "record_id");
    assert_eq!(schema.channel_column.unwrap().header, "channel");
    assert_eq!(schema.updated_at_column.unwrap().header, "updated_at");
    let kinds: HashMap<&str, FieldKind> = schema
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.kind))
        .collect();
    let expected = [
        ("name", FieldKind::Name),
        ("phone", FieldKind::Phone),
        ("phone2", FieldKind::Phone),
        ("email", FieldKind::Email),
        ("address", FieldKind::Address),
        ("birth_date", FieldKind::BirthDate),
        ("gender", FieldKind::Gender),
        ("id_number", FieldKind::NationalId),
        ("member_no", FieldKind::Identifier),
        ("device_id", FieldKind::Identifier),
    ];
    assert_eq!(kinds.len(), expected.len());
    for (name, kind) in expected {
        assert_eq!(kinds.get(name), Some(&kind), "{name}");
    }
    for truth_column in &TRUTH_HEADER[1..] {
        assert!(!DATA_HEADER.contains(truth_column));
    }
    let generated = generate(&config(2_000, 5)).unwrap();
    for record in &generated.records {
        for value in &record.values {
            assert_ne!(value, &record.truth.person_id);
            assert_ne!(value, &record.truth.household_id);
        }
    }
}

fn share(hits: usize, of: usize) -> f64 {
    assert!(of > 0);
    hits as f64 / of as f64
}

fn assert_near(name: &str, actual: f64, expected: f64, tolerance: f64) {
    assert!(
        (actual - expected).abs() <= tolerance,
        "{name}: {actual:.4} vs documented {expected:.4}"
    );
}

fn corrupted(generated: &Generated, c: Corruption, present: usize) -> (usize, usize) {
    let records = generated
        .records
        .iter()
        .filter(|r| !r.values[present].is_empty());
    let total = records.clone().count();
    (
        records.filter(|r| r.truth.corruptions.contains(c)).count(),
        total,
    )
}

#[test]
fn rates_are_roughly_as_documented() {
    let d = Difficulty::default();
    let generated = generate(&config(20_000, 2)).unwrap();
    let records = &generated.records;

    // People: records per person and the Western share.
    let mut per_person: HashMap<&str, (usize, bool)> = HashMap::new();
    for r in records {
        per_person
            .entry(&r.truth.person_id)
            .or_insert((0, r.truth.western))
            .0 += 1;
    }
    let weights: f64 = d.records_per_person.iter().sum();
    let mean: f64 = d
        .records_per_person
        .iter()
        .enumerate()
        .map(|(i, w)| (i + 1) as f64 * w / weights)
        .sum();
    assert_near(
        "records per person",
        share(records.len(), per_person.len()),
        mean,
        0.1,
    );
    let singletons = per_person.values().filter(|(n, _)| *n == 1).count();
    assert_near(
        "singletons",
        share(singletons, per_person.len()),
        d.records_per_person[0] / weights,
        0.03,
    );
    let western = per_person.values().filter(|(_, w)| *w).count();
    assert_near(
        "western",
        share(western, per_person.len()),
        d.western_share,
        0.03,
    );

    // Channels.
    let channel_total: f64 = d.channels().iter().map(|p| p.weight).sum();
    for (label, profile) in [
        "pos",
        "app",
        "mini_program",
        "marketplace",
        "call_centre",
        "web",
    ]
    .iter()
    .zip(d.channels())
    {
        let n = records.iter().filter(|r| r.values[1] == *label).count();
        assert_near(
            label,
            share(n, records.len()),
            profile.weight / channel_total,
            0.015,
        );
    }

    // Marketplace phones: masked at the documented rate, visible in the text.
    let market: Vec<_> = records
        .iter()
        .filter(|r| r.values[1] == "marketplace" && !r.values[column("phone")].is_empty())
        .collect();
    let masked = market
        .iter()
        .filter(|r| r.values[column("phone")].contains("****"))
        .count();
    assert_near(
        "masked phones",
        share(masked, market.len()),
        d.marketplace.masked_phone,
        0.03,
    );

    // Phone formats (phones not masked): measured on the text of Chinese mobiles.
    let plain_phones: Vec<_> = records
        .iter()
        .filter(|r| {
            let phone = &r.values[column("phone")];
            !phone.is_empty()
                && !phone.contains('*')
                && r.truth.phone.as_deref().is_some_and(|p| p.len() == 11)
                && !r.truth.corruptions.contains(Corruption::Placeholder)
        })
        .collect();
    let formatted = plain_phones
        .iter()
        .filter(|r| r.values[column("phone")].len() != 11 || !r.values[column("phone")].is_ascii())
        .count();
    // Full-width digits also make the text differ from 11 ASCII digits.
    let expected = d.phone_format + (1.0 - d.phone_format) * d.phone_full_width;
    assert_near(
        "phone formats",
        share(formatted, plain_phones.len()),
        expected,
        0.03,
    );

    // E-mail case, measured on the text.
    let emails: Vec<_> = records
        .iter()
        .map(|r| &r.values[column("email")])
        .filter(|e| e.contains('@'))
        .collect();
    let cased = emails
        .iter()
        .filter(|e| e.chars().any(|c| c.is_ascii_uppercase()))
        .count();
    assert_near(
        "e-mail case",
        share(cased, emails.len()),
        d.email_case,
        0.03,
    );

    // Birth dates not in ISO form, measured on the text.
    let dates: Vec<_> = records
        .iter()
        .map(|r| &r.values[column("birth_date")])
        .filter(|v| v.len() >= 8 && v.chars().any(|c| c.is_ascii_digit()))
        .collect();
    let iso = dates
        .iter()
        .filter(|v| v.len() == 10 && v.as_bytes()[4] == b'-' && v.as_bytes()[7] == b'-')
        .count();
    assert_near(
        "date formats",
        1.0 - share(iso, dates.len()),
        d.date_format,
        0.03,
    );

    // Per-record rates from the corruption flags.
    let address = column("address");
    let (n, of) = corrupted(&generated, Corruption::AddressShortened, address);
    assert_near("address shortened", share(n, of), d.address_shortened, 0.03);
    let (n, of) = corrupted(&generated, Corruption::AddressDetailDropped, address);
    let chinese_addresses = records
        .iter()
        .filter(|r| !r.values[address].is_empty() && !r.truth.western)
        .count();
    assert_near(
        "detail dropped",
        share(n, chinese_addresses),
        d.address_detail_dropped,
        0.03,
    );
    assert!(of > chinese_addresses);
    let names: Vec<_> = records
        .iter()
        .filter(|r| r.truth.western && !r.values[column("name")].is_empty())
        .collect();
    let reformatted = names
        .iter()
        .filter(|r| r.truth.corruptions.contains(Corruption::NameReformatted))
        .count();
    let plain_share = names
        .iter()
        .filter(|r| {
            !r.truth.corruptions.contains(Corruption::NameHonorific)
                && !r.truth.corruptions.contains(Corruption::NameMasked)
                && !r.truth.corruptions.contains(Corruption::Placeholder)
        })
        .count();
    assert_near(
        "western name format",
        share(reformatted, plain_share),
        d.western_name_format,
        0.04,
    );
    // Call-centre homophones: most Chinese names have a character with a homophone.
    let call: Vec<_> = records
        .iter()
        .filter(|r| {
            r.values[1] == "call_centre"
                && !r.truth.western
                && !r.values[column("name")].is_empty()
                && !r.truth.corruptions.contains(Corruption::NameHonorific)
                && !r.truth.corruptions.contains(Corruption::Placeholder)
        })
        .collect();
    let homophones = call
        .iter()
        .filter(|r| r.truth.corruptions.contains(Corruption::NameHomophone))
        .count();
    let rate = share(homophones, call.len());
    assert!(
        rate > d.call_centre.homophone_name * 0.8 && rate <= d.call_centre.homophone_name + 0.05,
        "{rate}"
    );
    // Later records after a phone change exist; so do moves.
    for c in [
        Corruption::PhoneChanged,
        Corruption::AddressMoved,
        Corruption::NameTraditional,
    ] {
        assert!(
            records.iter().any(|r| r.truth.corruptions.contains(c)),
            "{c:?}"
        );
    }
}

fn id_check(first17: &[u8]) -> u8 {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    b"10X98765432"[(sum % 11) as usize]
}

#[test]
fn national_ids_are_valid_and_agree_with_the_person() {
    let generated = generate(&config(20_000, 4)).unwrap();
    let mut seen = 0;
    for record in &generated.records {
        let id = record.values[column("id_number")].as_bytes();
        if id.is_empty() {
            continue;
        }
        seen += 1;
        assert!(!record.truth.western);
        assert_eq!(id.len(), 18);
        assert!(id[..17].iter().all(u8::is_ascii_digit));
        assert_eq!(id[17], id_check(&id[..17]));
        assert_eq!(
            &id[6..14],
            record.truth.birth_date.replace('-', "").as_bytes()
        );
        assert_eq!((id[16] - b'0') % 2 == 1, record.truth.male);
    }
    // A minority, mostly from the till.
    assert!(seen > 500 && seen < 4_000, "{seen}");
}

#[test]
fn masked_phones_keep_the_true_prefix_and_suffix() {
    let generated = generate(&config(20_000, 6)).unwrap();
    let mut masked = 0;
    for record in &generated.records {
        let phone = &record.values[column("phone")];
        if !record.truth.corruptions.contains(Corruption::PhoneMasked) {
            continue;
        }
        masked += 1;
        let truth = record.truth.phone.as_deref().unwrap();
        assert_eq!(phone.len(), 11);
        assert_eq!(&phone[..3], &truth[..3]);
        assert_eq!(&phone[3..7], "****");
        assert_eq!(&phone[7..], &truth[truth.len() - 4..]);
    }
    assert!(masked > 1_000, "{masked}");
}

#[test]
fn config_round_trips_and_bad_rates_are_refused() {
    let config = config(10, 1);
    let json = serde_json::to_string(&config).unwrap();
    assert_eq!(serde_json::from_str::<SynthConfig>(&json).unwrap(), config);
    let bad = SynthConfig {
        difficulty: Difficulty {
            moved: 1.5,
            ..Difficulty::default()
        },
        ..config.clone()
    };
    assert!(matches!(
        generate(&bad),
        Err(SynthError::InvalidDifficulty { setting: "moved" })
    ));
    let empty = SynthConfig {
        records: 0,
        ..config
    };
    assert!(generate(&empty).unwrap().records.is_empty());
}
