//! Batch resolution: the sample file, config round trips, order independence, bad rows.

use std::path::PathBuf;

use sameas::{Control, Error, InputTable, Resolver};

use crate::{generated, partition, reordered, shuffled, table};

fn sample() -> InputTable {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/data/customers.csv");
    InputTable::read_path(&path, None).expect("the sample reads")
}

#[test]
fn the_sample_resolves_into_the_people_behind_it() {
    let input = sample();
    let mut resolver = Resolver::new();
    let resolution = resolver
        .resolve(&input, None, &Control::none())
        .expect("resolves");
    assert_eq!(resolution.entities.len(), 30, "one row per input record");
    let entity = |id: &str| resolver.entity_of(id).expect("held");
    // 张伟 / 張偉 / Zhang Wei / 章伟, all in Shenzhen, and 张先生 at the same address with the
    // masked phone 138****8000.
    for id in ["C0002", "C0003", "C0004", "C0005"] {
        assert_eq!(entity("C0001"), entity(id), "{id} is the Shenzhen 张伟");
    }
    // Another 张伟, in Beijing.
    assert_ne!(entity("C0001"), entity("C0006"));
    assert_eq!(entity("C0007"), entity("C0008"));
    assert_eq!(entity("C0010"), entity("C0011"));
    assert_eq!(entity("C0013"), entity("C0014"));
    assert_eq!(entity("C0018"), entity("C0019"));
    assert_eq!(entity("C0018"), entity("C0020"));
    assert_eq!(entity("C0023"), entity("C0024"));
    // Households share a phone and an address but stay apart.
    assert_ne!(entity("C0010"), entity("C0012"), "李娜 and 李强");
    assert_ne!(entity("C0018"), entity("C0021"), "Robert and Mary Smith");
    assert!(
        entity("C0022") != entity("C0018") || entity("C0022") != entity("C0021"),
        "Mrs Smith, on the shared phone, never chains Robert and Mary"
    );
    // The golden record of the Shenzhen 张伟 takes the full name and the full phone.
    let shenzhen = entity("C0001");
    let golden = resolution
        .golden
        .iter()
        .find(|g| g.entity == shenzhen.as_str())
        .expect("a golden record per entity");
    let field = |name: &str| {
        golden
            .fields
            .iter()
            .find(|f| &*f.field == name)
            .and_then(|f| f.value.clone())
    };
    assert_eq!(field("name").as_deref(), Some("张伟"));
    assert_eq!(field("phone").as_deref(), Some("+8613800138000"));
    assert_eq!(field("birth_date").as_deref(), Some("1990-01-02"));
    assert_eq!(resolution.golden.len() as u64, resolution.report.entities);
    assert!(
        resolution
            .conflicts
            .iter()
            .any(|c| c.entity == shenzhen.as_str() && &*c.field == "name"),
        "the names disagree, so the conflict log lists them"
    );
}

#[test]
fn a_saved_config_gives_identical_results() {
    let (input, _) = generated(1500, 11);
    let mut first = Resolver::new();
    let a = first.resolve(&input, None, &Control::none()).unwrap();
    let json = first.to_json().unwrap();
    let mut second = Resolver::from_json(&json).unwrap();
    let b = second.resolve(&input, None, &Control::none()).unwrap();
    assert_eq!(a.entities, b.entities);
    assert_eq!(a.golden, b.golden);
    assert_eq!(a.conflicts, b.conflicts);
    assert_eq!(
        second.to_json().unwrap(),
        json,
        "nothing retrained or changed"
    );
}

#[test]
fn a_config_from_another_version_is_refused() {
    let (input, _) = generated(200, 3);
    let mut resolver = Resolver::new();
    resolver.resolve(&input, None, &Control::none()).unwrap();
    let json = resolver
        .to_json()
        .unwrap()
        .replacen("\"version\": 1", "\"version\": 99", 1);
    let err = sameas::ResolverConfig::from_json(&json).unwrap_err();
    assert!(err.to_string().contains("version 99"), "{err}");
}

#[test]
fn results_do_not_depend_on_row_order() {
    let (input, _) = generated(1200, 5);
    let n = input.table.rows.len();
    let mut resolver = Resolver::new();
    resolver.resolve(&input, None, &Control::none()).unwrap();
    let json = resolver.to_json().unwrap();
    let forward = resolver.entities();
    let order: Vec<usize> = (0..n).rev().collect();
    let mut again = Resolver::from_json(&json).unwrap();
    again
        .resolve(&reordered(&input, &order), None, &Control::none())
        .unwrap();
    assert_eq!(partition(&forward), partition(&again.entities()));
    assert_eq!(
        forward,
        again.entities(),
        "entity ids follow record ids, not rows"
    );
}

/// Trains and resolves; returns the configuration (model and chosen rules) and entities.
fn trained_run(input: &InputTable) -> (String, Vec<(sameas::EntityId, Vec<sameas::RecordId>)>) {
    let mut resolver = Resolver::new();
    resolver.resolve(input, None, &Control::none()).unwrap();
    (resolver.to_json().unwrap(), resolver.entities())
}

#[test]
fn training_does_not_depend_on_row_order_either() {
    // Inference, generic values, the u sample, EM's strides, the blocking rules chosen and
    // the clusters all follow record ids, never row positions.
    let (input, _) = generated(20_000, 11);
    let n = input.table.rows.len();
    let (json, entities) = trained_run(&input);
    let (json_shuffled, entities_shuffled) = trained_run(&reordered(&input, &shuffled(n, 7)));
    assert!(json == json_shuffled, "the trained configuration differs");
    assert_eq!(entities, entities_shuffled);
}

#[test]
fn one_two_or_five_threads_give_the_same_answer() {
    // Training (u sample, EM), blocking, scoring, clustering and golden records all reduce
    // in a fixed order, whatever the thread count.
    let (input, _) = generated(3_000, 13);
    let run_on = |threads| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut resolver = Resolver::new();
            let resolution = resolver.resolve(&input, None, &Control::none()).unwrap();
            let golden = serde_json::to_string(&resolution.golden).unwrap();
            (resolver.to_json().unwrap(), resolver.entities(), golden)
        })
    };
    let one = run_on(1);
    for threads in [2, 5] {
        let other = run_on(threads);
        assert!(
            one.0 == other.0,
            "the trained configuration differs on {threads} threads"
        );
        assert_eq!(one.1, other.1, "entities differ on {threads} threads");
        assert!(
            one.2 == other.2,
            "golden records differ on {threads} threads"
        );
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 4, ..Default::default() })]

    /// Any permutation of the rows gives the same configuration and the same entities.
    #[test]
    fn any_row_order_gives_the_same_answer(seed in 0u64..1000, shuffle in proptest::prelude::any::<u64>()) {
        let (input, _) = generated(300, seed);
        let n = input.table.rows.len();
        let (json, entities) = trained_run(&input);
        let (json_shuffled, entities_shuffled) = trained_run(&reordered(&input, &shuffled(n, shuffle)));
        proptest::prop_assert!(json == json_shuffled);
        proptest::prop_assert_eq!(entities, entities_shuffled);
    }
}

#[test]
fn a_previous_run_keeps_entity_ids() {
    let (input, _) = generated(800, 3);
    let mut resolver = Resolver::new();
    let first = resolver.resolve(&input, None, &Control::none()).unwrap();
    let previous = sameas::PreviousEntities::from_rows(
        first.entities.iter().map(|(r, e)| (r.clone(), e.clone())),
    );
    let json = resolver.to_json().unwrap();
    let mut again = Resolver::from_json(&json).unwrap();
    let second = again
        .resolve(&input, Some(&previous), &Control::none())
        .unwrap();
    assert_eq!(first.entities, second.entities);
}

#[test]
fn bad_rows_are_kept_as_flagged_singletons() {
    let mut input = table(
        &["id", "name", "phone"],
        vec![
            vec!["1".into(), "张伟".into(), "13800138000".into()],
            vec!["2".into(), "张伟".into(), "13800138000".into()],
            vec!["3".into(), "张伟".into()],
        ],
    );
    input.table.rows[2].problem = Some(sameas::table::RowProblem::Ragged {
        cells: 2,
        expected: 3,
    });
    let mut resolver = Resolver::new();
    let resolution = resolver.resolve(&input, None, &Control::none()).unwrap();
    assert_eq!(resolution.entities.len(), 3);
    assert_eq!(resolution.report.bad_rows.len(), 1);
    assert_eq!(resolution.report.bad_rows[0].row, 3);
    let three = resolver.entity_of("3").unwrap();
    assert_eq!(
        resolution
            .entities
            .iter()
            .filter(|(_, e)| *e == three)
            .count(),
        1,
        "a bad row is its own entity"
    );
}

#[test]
fn repeated_ids_name_the_row() {
    let input = table(
        &["id", "name"],
        vec![vec!["1".into(), "a".into()], vec!["1".into(), "b".into()]],
    );
    let err = Resolver::new()
        .resolve(&input, None, &Control::none())
        .unwrap_err();
    assert!(matches!(err, Error::Input(_)));
    assert!(err.to_string().contains("row 2"), "{err}");
}

#[test]
fn no_record_and_one_record_resolve_with_the_default_model() {
    let row = |id: &str| vec![id.to_string(), "张伟".into(), "13800138000".into()];
    for rows in [vec![], vec![row("C1")]] {
        let n = rows.len();
        let input = table(&["id", "name", "phone"], rows);
        let mut resolver = Resolver::new();
        let resolution = resolver.resolve(&input, None, &Control::none()).unwrap();
        assert_eq!(resolution.entities.len(), n);
        assert_eq!(resolution.golden.len(), n);
        assert_eq!(resolution.report.entities, n as u64);
        let model = resolver.config().unwrap().matching.model.as_ref().unwrap();
        assert_eq!(model.method, sameas_match::TrainingMethod::Default);
        let warnings = resolution.report.warnings.join("\n");
        assert!(warnings.contains("untrained default"), "{warnings}");
        assert_eq!(warnings.contains("no data rows"), n == 0, "{warnings}");
        // The default model still links what is added later.
        let more = table(&["id", "name", "phone"], vec![row("C2"), row("C3")]);
        resolver.add(&more, &Control::none()).unwrap();
        assert_eq!(resolver.entity_of("C2"), resolver.entity_of("C3"));
    }
}

#[test]
fn one_good_record_and_one_broken_row_are_two_entities() {
    let mut input = table(
        &["id", "name", "phone"],
        vec![
            vec!["1".into(), "张伟".into(), "13800138000".into()],
            vec!["2".into(), "x".into()],
        ],
    );
    input.table.rows[1].problem = Some(sameas::table::RowProblem::Ragged {
        cells: 2,
        expected: 3,
    });
    let resolution = Resolver::new()
        .resolve(&input, None, &Control::none())
        .unwrap();
    assert_eq!(resolution.report.entities, 2);
    assert_eq!(resolution.report.bad_rows.len(), 1);
}

#[test]
fn rows_without_an_id_never_take_another_rows_id() {
    // Row 2 has no id; its row number, 2, is row 1's id.
    let input = table(
        &["id", "name"],
        vec![
            vec!["2".into(), "Ann".into()],
            vec![" ".into(), "Bob".into()],
            vec![" D4 ".into(), "Cy".into()],
            vec!["row-2".into(), "Di".into()],
        ],
    );
    let resolution = Resolver::new()
        .resolve(&input, None, &Control::none())
        .unwrap();
    let ids: Vec<&str> = resolution
        .entities
        .iter()
        .map(|(r, _)| r.as_str())
        .collect();
    assert_eq!(
        ids,
        ["2", "row-2-2", " D4 ", "row-2"],
        "given ids are kept exactly"
    );
    assert!(
        resolution
            .report
            .warnings
            .iter()
            .any(|w| w.contains("row-N")),
        "{:?}",
        resolution.report.warnings
    );
}

#[test]
fn cancelling_stops_and_leaves_the_resolver_unchanged() {
    let (input, _) = generated(300, 1);
    let flag = std::sync::atomic::AtomicBool::new(true);
    let mut resolver = Resolver::new();
    let err = resolver
        .resolve(&input, None, &Control::none().with_cancel(&flag))
        .unwrap_err();
    assert!(matches!(err, Error::Cancelled));
    assert!(resolver.is_empty());
}

#[test]
fn progress_reaches_every_stage() {
    let (input, _) = generated(300, 2);
    let seen = std::sync::Mutex::new(Vec::new());
    let callback = |p: sameas::Progress| seen.lock().unwrap().push(p);
    Resolver::new()
        .resolve(&input, None, &Control::none().with_progress(&callback))
        .unwrap();
    let seen = seen.into_inner().unwrap();
    for stage in [
        sameas::Stage::Normalize,
        sameas::Stage::Train,
        sameas::Stage::Block,
        sameas::Stage::Score,
        sameas::Stage::Cluster,
        sameas::Stage::Golden,
    ] {
        assert!(
            seen.iter().any(|p| p.stage == stage && p.done == p.total),
            "{stage:?} finished"
        );
    }
}

#[test]
fn explain_entity_lists_the_joins_that_built_it() {
    let input = sample();
    let mut resolver = Resolver::new();
    resolver.resolve(&input, None, &Control::none()).unwrap();
    let entity = resolver.entity_of("C0001").unwrap();
    let why = resolver.explain_entity(entity.as_str()).unwrap();
    let size = resolver
        .entities()
        .into_iter()
        .find(|(e, _)| *e == entity)
        .map(|(_, r)| r.len())
        .unwrap();
    assert!(size >= 4);
    assert_eq!(why.records.len(), size);
    assert!(
        why.joins.len() >= size - 1,
        "n records need n - 1 joins at least"
    );
    assert!(
        why.joins
            .iter()
            .all(|j| j.outcome == sameas::JoinDecision::Joined)
    );
    let pair = resolver.explain_pair("C0001", "C0002").unwrap();
    assert!(pair.is_match);
}

/// Forty people with two records each (same name, same phone), and eight unrelated people
/// who all gave the shop's own e-mail address.
fn shop_email_table() -> sameas::InputTable {
    let families = [
        "Smith", "Jones", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Thomas", "Roberts",
        "Walker",
    ];
    let givens = [
        "Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Noah", "Mia", "Jack", "Ivy",
    ];
    let mut rows = Vec::new();
    for person in 0..40 {
        let name = format!(
            "{} {}",
            givens[person % 10],
            families[(person * 3 + person / 10) % 10]
        );
        for copy in 0..2 {
            rows.push(vec![
                format!("R{person:03}{copy}"),
                name.clone(),
                format!("1380013{person:04}"),
                format!("person{person}@mail.example.com"),
            ]);
        }
    }
    let office = [
        ("Liam", "Khan"),
        ("Grace", "Patel"),
        ("Oscar", "Wright"),
        ("Lily", "Green"),
        ("Arthur", "Hall"),
        ("Freya", "Wood"),
        ("Leo", "Clarke"),
        ("Rosie", "Baker"),
    ];
    for (i, (given, family)) in office.iter().enumerate() {
        rows.push(vec![
            format!("S{i:03}"),
            format!("{given} {family}"),
            format!("1390014{i:04}"),
            "info@shop.example.com".to_string(),
        ]);
    }
    crate::table(&["id", "name", "phone", "email"], rows)
}

#[test]
fn a_value_many_unrelated_people_share_is_found_masked_and_joins_no_one() {
    let input = shop_email_table();
    let mut resolver = Resolver::new();
    let resolution = resolver.resolve(&input, None, &Control::none()).unwrap();
    let config = resolver.config().unwrap();
    assert!(
        config
            .generic_values
            .iter()
            .any(|g| g.field == "email" && g.value == "info@shop.example.com"),
        "{:?}",
        config.generic_values
    );
    // The eight stay eight customers; the forty people are found.
    let entity = |id: &str| resolver.entity_of(id).unwrap();
    let office: std::collections::BTreeSet<_> =
        (0..8).map(|i| entity(&format!("S{i:03}"))).collect();
    assert_eq!(office.len(), 8);
    assert_eq!(entity("R0000"), entity("R0001"));
    // Reported masked: the report names the field and the count, never the value.
    let report = serde_json::to_string(&resolution.report).unwrap();
    assert!(!report.contains("info@shop.example.com"));
    let listed = resolution
        .report
        .generic_values
        .iter()
        .find(|g| g.field == "email")
        .unwrap();
    assert_eq!(listed.records, 8);
    // An entity's explanation says which of its values was set aside.
    let explained = resolver.explain_entity(entity("S000").as_str()).unwrap();
    assert!(
        explained
            .generic
            .iter()
            .any(|note| note.contains("S000") && note.contains("email")),
        "{:?}",
        explained.generic
    );
}

/// Rows of `people` people, two records apiece (`R{person:03}{copy}`): the name cells
/// `name_of` gives each person, then a phone of their own (`phone_prefix` and the person).
fn two_records_apiece(
    people: usize,
    phone_prefix: &str,
    name_of: impl Fn(usize) -> Vec<String>,
) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for person in 0..people {
        for copy in 0..2 {
            let mut row = vec![format!("R{person:03}{copy}")];
            row.extend(name_of(person));
            row.push(format!("{phone_prefix}{person:04}"));
            rows.push(row);
        }
    }
    rows
}

/// The name values a fit found generic, sorted.
fn generic_names(resolver: &Resolver) -> Vec<String> {
    generic_values_of(resolver, "name", |g| g.value.clone())
}

/// The generic values a fit found in `field`, each as `show` writes it, sorted.
fn generic_values_of(
    resolver: &Resolver,
    field: &str,
    show: fn(&sameas::GenericValue) -> String,
) -> Vec<String> {
    let mut values: Vec<String> = resolver
        .config()
        .unwrap()
        .generic_values
        .iter()
        .filter(|g| g.field == field)
        .map(show)
        .collect();
    values.sort_unstable();
    values
}

#[test]
fn a_nickname_many_people_chose_is_no_name_but_a_common_real_name_stays() {
    // Thirty people with a real name each (王芳 for six of them), two records apiece; eight
    // others who all go by the nickname 阳光, one record each, with their own phones.
    let givens = ["芳", "伟", "娜", "磊", "静"];
    let mut rows = two_records_apiece(30, "1380013", |person| {
        vec![if person < 6 {
            "王芳".to_string()
        } else {
            format!("{}{}", ["王", "李", "张"][person % 3], givens[person % 5])
        }]
    });
    for i in 0..8 {
        rows.push(vec![
            format!("N{i:03}"),
            "阳光".to_string(),
            format!("1390014{i:04}"),
        ]);
    }
    let input = crate::table(&["id", "name", "phone"], rows);
    let mut resolver = Resolver::new();
    let resolution = resolver.resolve(&input, None, &Control::none()).unwrap();
    assert_eq!(generic_names(&resolver), ["阳光"]);
    let listed = resolution
        .report
        .generic_values
        .iter()
        .find(|g| g.field == "name")
        .unwrap();
    assert_eq!(listed.records, 8);
    assert!(
        listed.reason.contains("8 different phones"),
        "{}",
        listed.reason
    );
    let entity = |id: &str| resolver.entity_of(id).unwrap();
    let nicknamed: std::collections::BTreeSet<_> =
        (0..8).map(|i| entity(&format!("N{i:03}"))).collect();
    assert_eq!(nicknamed.len(), 8);
    assert_eq!(entity("R0000"), entity("R0001"));
}

#[test]
fn a_till_placeholder_is_no_name_but_a_common_real_name_stays() {
    // Forty people with real names, two records apiece (Mary Smith for six of them, Smith
    // for more, Mary with other family names too); eight walk-in sales typed `Cash
    // Customer` and six `Walk-in Customer`, each with the buyer's own phone. `Customer` is
    // a family name of two placeholders, so only the given names (`Cash`, `Walk-in`, held
    // by no one else) tell them from real names.
    let givens = ["Mary", "John", "Linda", "James", "Susan"];
    let families = ["Smith", "Jones", "Brown", "Garcia"];
    let mut rows = two_records_apiece(40, "212555", |person| {
        let (given, family) = if person < 6 {
            ("Mary", "Smith")
        } else {
            (givens[person % 5], families[person % 4])
        };
        vec![given.to_string(), family.to_string()]
    });
    for i in 0..14 {
        let given = if i < 8 { "Cash" } else { "Walk-in" };
        rows.push(vec![
            format!("P{i:03}"),
            given.to_string(),
            "Customer".to_string(),
            format!("646555{i:04}"),
        ]);
    }
    let input = crate::table(&["id", "first_name", "last_name", "phone"], rows);
    let mut resolver = Resolver::new();
    let resolution = resolver.resolve(&input, None, &Control::none()).unwrap();
    let names = generic_names(&resolver);
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.iter().all(|n| n.contains("customer")), "{names:?}");
    let listed = resolution
        .report
        .generic_values
        .iter()
        .find(|g| g.field == "name" && g.records == 8)
        .unwrap();
    assert!(
        listed.reason.contains("8 different phones") && listed.reason.contains("given name"),
        "{}",
        listed.reason
    );
    let entity = |id: &str| resolver.entity_of(id).unwrap();
    assert_eq!(entity("R0000"), entity("R0001"));
}

/// Rows of eighty people with real names, two records apiece with phones of their own but
/// four whose second record the clerk gave the store's main number; eleven `Cash
/// Customer` sales, six of them on the store's main number (`store_main`) or on phones of
/// their own, five on phones of their own; eight `Walk-in Customer` sales, three on one
/// branch number, five on phones of their own.
fn till_rows(store_main: bool) -> Vec<Vec<String>> {
    let givens = ["Mary", "John", "Linda", "James", "Susan"];
    let families = ["Smith", "Jones", "Brown", "Garcia"];
    let named_on_store = [
        ("Agatha", "Whitlock"),
        ("Bernard", "Ocampo"),
        ("Cornelius", "Vasquez"),
        ("Delphine", "Kowalski"),
    ];
    let mut rows = two_records_apiece(80, "212555", |person| match named_on_store.get(person) {
        Some((given, family)) => vec![given.to_string(), family.to_string()],
        None => vec![
            givens[person % 5].to_string(),
            families[person % 4].to_string(),
        ],
    });
    for person in 0..named_on_store.len() {
        rows[2 * person + 1][3] = "2125550100".into();
    }
    for i in 0..19 {
        let own = format!("646555{i:04}");
        let (given, phone) = match i {
            0..6 if store_main => ("Cash", "2125550100".to_string()),
            0..11 => ("Cash", own),
            11..14 => ("Walk-in", "7185550123".to_string()),
            _ => ("Walk-in", own),
        };
        rows.push(vec![
            format!("P{i:03}"),
            given.to_string(),
            "Customer".to_string(),
            phone,
        ]);
    }
    rows
}

#[test]
fn a_phone_placeholder_records_share_is_the_tills_where_placeholders_carry_shared_phones() {
    // Most placeholder records hold the store's main number, which people of many names
    // share: a placeholder here says the clerk typed the record. The branch number three
    // walk-ins share is then the till's too, though no named record holds it.
    let input = crate::table(&["id", "first_name", "last_name", "phone"], till_rows(true));
    let mut resolver = Resolver::new();
    let resolution = resolver.resolve(&input, None, &Control::none()).unwrap();
    let phones = generic_values_of(&resolver, "phone", |g| g.value.clone());
    assert_eq!(phones, ["+12125550100", "+17185550123"], "{phones:?}");
    let listed = resolution
        .report
        .generic_values
        .iter()
        .find(|g| g.field == "phone" && g.records == 3)
        .unwrap();
    assert!(
        listed.reason.contains("the till's phone"),
        "{}",
        listed.reason
    );
    let entity = |id: &str| resolver.entity_of(id).unwrap();
    let walk_ins: std::collections::BTreeSet<_> =
        (11..14).map(|i| entity(&format!("P{i:03}"))).collect();
    assert_eq!(walk_ins.len(), 3);
    assert_eq!(entity("R0100"), entity("R0101"));

    // Where the placeholder records hold their own phones, as a mini-program's default
    // name comes with the member's number, a phone two of them share is a person's.
    let input = crate::table(
        &["id", "first_name", "last_name", "phone"],
        till_rows(false),
    );
    let mut resolver = Resolver::new();
    resolver.resolve(&input, None, &Control::none()).unwrap();
    let phones = generic_values_of(&resolver, "phone", |g| g.value.clone());
    assert!(!phones.contains(&"+17185550123".to_string()), "{phones:?}");
}

#[test]
fn a_file_of_family_names_alone_has_no_placeholder_names() {
    // A till that asks only for a family name: Smith is eight people's, each with a phone
    // of their own, and no record gives a given name. That is a common name, not a
    // placeholder: it stays a name.
    let families = ["Smith", "Jones", "Brown", "Garcia", "Miller"];
    let rows = two_records_apiece(40, "212555", |person| {
        vec![
            if person < 8 {
                "Smith"
            } else {
                families[person % 5]
            }
            .to_string(),
        ]
    });
    let input = crate::table(&["id", "last_name", "phone"], rows);
    let mut resolver = Resolver::new();
    resolver.resolve(&input, None, &Control::none()).unwrap();
    let names = generic_names(&resolver);
    assert!(names.is_empty(), "{names:?}");
}

/// Rows of 84 people at addresses (and phones) of their own, or two to an address and a
/// phone (`households`): each person's records give one given name, but the fourth of a
/// person's records (in a register without households) a name the tables cannot reconcile
/// with it. A person's third record gives no birth date, the first two a member number.
fn register_rows(households: bool) -> Vec<Vec<String>> {
    let families = [
        "Ashford",
        "Blakely",
        "Carver",
        "Dunmore",
        "Ellison",
        "Fairbanks",
    ];
    let givens = [
        "Agnes", "Walter", "Harriet", "Edmund", "Matilda", "Cedric", "Olive",
    ];
    let mut rows = Vec::new();
    for person in 0..84usize {
        let home = if households { person / 2 } else { person };
        let family = families[home % families.len()];
        let given = givens[(person + home) % givens.len()];
        for copy in 0..4 {
            let written = if !households && copy == 3 {
                "Nessie"
            } else {
                given
            };
            let born = if copy == 2 {
                String::new()
            } else {
                format!(
                    "19{:02}-0{}-1{}",
                    20 + person % 70,
                    1 + person % 9,
                    person % 10
                )
            };
            let member = if copy < 2 {
                format!("M{}", 7_310_000 + person * 37)
            } else {
                String::new()
            };
            rows.push(vec![
                format!("R{person:03}{copy}"),
                written.to_string(),
                family.to_string(),
                format!("{} Mill Lane, Harwich", 10 + home),
                born,
                // A household's one landline.
                format!("312-64{}-{:04}", home % 10, 1000 + home),
                member,
            ]);
        }
    }
    rows
}

#[test]
fn whether_the_data_holds_households_is_read_and_the_guard_follows() {
    use sameas_merge::cluster::HouseholdGuard;
    let headers = [
        "id",
        "first_name",
        "last_name",
        "address",
        "dob",
        "phone",
        "member_no",
    ];
    for (households, guard) in [
        (true, HouseholdGuard::NoPersonalDisagreement),
        (false, HouseholdGuard::NoEvidenceAgainst),
    ] {
        let input = crate::table(&headers, register_rows(households));
        let mut resolver = Resolver::new();
        let resolution = resolver.resolve(&input, None, &Control::none()).unwrap();
        let reading = resolution.report.households.clone().unwrap();
        assert_eq!(reading.guard, guard, "households {households}: {reading:?}");
        assert_eq!(
            resolver.config().unwrap().clustering.household_guard,
            guard,
            "the configuration keeps what was read"
        );
        // Every person is one customer: the two of a household apart, the variant given
        // name of a register one person's.
        assert_eq!(resolver.entities().len(), 84, "households {households}");
        if !households {
            let entity = |id: &str| resolver.entity_of(id).unwrap();
            assert_eq!(entity("R0000"), entity("R0003"));
        }
    }
}

/// A report that cannot be written: stands for a run that fails while writing.
struct FailingReport;

impl serde::Serialize for FailingReport {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom("the disk is full"))
    }
}

#[test]
fn a_run_that_fails_while_writing_leaves_the_previous_result_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (input, _) = generated(300, 5);
    let mut resolver = Resolver::new();
    let first = resolver.resolve(&input, None, &Control::none()).unwrap();
    let config = resolver.config().unwrap().clone();
    sameas::write_resolution(dir.path(), &first, &config, &first.report).unwrap();
    let before: Vec<(String, Vec<u8>)> = sameas::OUTPUT_FILES
        .iter()
        .map(|f| (f.to_string(), std::fs::read(dir.path().join(f)).unwrap()))
        .collect();

    // Another run over other records fails at its last file.
    let (other, _) = generated(500, 6);
    let second = Resolver::new()
        .resolve(&other, None, &Control::none())
        .unwrap();
    let err = sameas::write_resolution(dir.path(), &second, &config, &FailingReport).unwrap_err();
    assert!(err.to_string().contains("report.json"), "{err}");
    for (name, bytes) in &before {
        assert_eq!(
            &std::fs::read(dir.path().join(name)).unwrap(),
            bytes,
            "{name}"
        );
    }
    // Nothing of the failed run is left behind.
    let entries: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(entries.len(), sameas::OUTPUT_FILES.len());

    // A run that succeeds replaces every file.
    sameas::write_resolution(dir.path(), &second, &config, &second.report).unwrap();
    let entities = std::fs::read_to_string(dir.path().join("entities.csv")).unwrap();
    assert_eq!(entities.lines().count(), 501);
}

#[test]
fn golden_records_written_as_built_equal_those_written_at_the_end() {
    let (input, _) = generated(600, 8);
    let held = Resolver::new()
        .resolve_once(input.clone(), None, &Control::none())
        .unwrap();
    let mut resolver = Resolver::new();
    let at_end = tempfile::tempdir().unwrap();
    let config = {
        let mut fitted = Resolver::new();
        fitted.resolve(&input, None, &Control::none()).unwrap();
        fitted.config().unwrap().clone()
    };
    sameas::write_resolution(at_end.path(), &held, &config, &held.report).unwrap();

    let root = tempfile::tempdir().unwrap();
    let streamed_dir = root.path().join("out");
    let mut streamed = None;
    sameas::write_dir_atomically(&streamed_dir, |staging| {
        let mut golden = sameas::GoldenFiles::create(staging)?;
        let resolution = resolver.resolve_once_into(input, None, &Control::none(), &mut golden)?;
        let config = resolver.config().unwrap();
        sameas::write_resolution_files(staging, &resolution, config, &resolution.report)?;
        streamed = Some(resolution);
        Ok(())
    })
    .unwrap();
    let streamed = streamed.unwrap();
    assert!(streamed.golden.is_empty() && streamed.conflicts.is_empty());
    assert_eq!(streamed.report.conflicts, held.conflicts.len() as u64);
    assert!(held.conflicts.len() > 10, "the sample has conflicts");
    // Every file but the configuration and the report (its timings).
    for file in &sameas::OUTPUT_FILES[..5] {
        assert_eq!(
            std::fs::read(streamed_dir.join(file)).unwrap(),
            std::fs::read(at_end.path().join(file)).unwrap(),
            "{file}"
        );
    }
    // Its golden records are in that directory only: written anywhere else, the result
    // would lack them, and is refused.
    let elsewhere = tempfile::tempdir().unwrap();
    let err = sameas::write_resolution(
        elsewhere.path().join("x").as_path(),
        &streamed,
        &config,
        &streamed.report,
    )
    .unwrap_err();
    assert!(err.to_string().contains("as they were built"), "{err}");
}

/// Surnames that no spelling rule takes for one another.
const SURNAMES: [&str; 24] = [
    "Adams",
    "Baker",
    "Clarke",
    "Dunn",
    "Evans",
    "Fisher",
    "Grant",
    "Hughes",
    "Irving",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Morgan",
    "Nolan",
    "Okafor",
    "Patel",
    "Quinn",
    "Romero",
    "Sato",
    "Turner",
    "Underwood",
    "Vargas",
    "Walsh",
    "Young",
];

/// The birth-date values a fit found generic, as `part:value`, sorted.
fn generic_dates(resolver: &Resolver) -> Vec<String> {
    generic_values_of(resolver, "birth_date", |g| {
        format!("{}:{}", g.part, g.value)
    })
}

/// One row: id, a name from the surname list, a birth date and a phone of its own.
fn dated_row(id: &str, person: usize, birth_date: &str) -> Vec<String> {
    vec![
        id.to_string(),
        format!(
            "{} {}",
            ["Anna", "Ben", "Carl", "Dora", "Emil"][person % 5],
            SURNAMES[(person + person / SURNAMES.len()) % SURNAMES.len()]
        ),
        birth_date.to_string(),
        format!("+1 206 555 {:04}", person),
    ]
}

#[test]
fn a_default_birth_date_and_a_year_typed_for_unknown_are_no_dates_but_a_cohort_stays() {
    let mut rows = Vec::new();
    // Sixty people, two records apiece, born on days spread over 1960–1999.
    for person in 0..60 {
        let date = format!(
            "{}-{:02}-{:02}",
            1960 + person % 40,
            person % 12 + 1,
            person % 28 + 1
        );
        for copy in 0..2 {
            rows.push(dated_row(&format!("R{person:03}{copy}"), person, &date));
        }
    }
    // A cohort: thirty people born in 1985, each on a day of their own.
    for person in 60..90 {
        let date = format!("1985-{:02}-{:02}", person % 12 + 1, (person * 7) % 28 + 1);
        rows.push(dated_row(&format!("C{person:03}"), person, &date));
    }
    // Twelve customers whose birth date was left at the form's default, beside two born
    // that year; twelve whose year was typed as 1900 for unknown, the day kept.
    for person in 90..102 {
        rows.push(dated_row(&format!("D{person:03}"), person, "2000-01-01"));
    }
    rows.push(dated_row("D200", 200, "2000-03-04"));
    rows.push(dated_row("D201", 201, "2000-07-19"));
    for person in 102..114 {
        let date = format!("1900-{:02}-{:02}", person % 12 + 1, person % 28 + 1);
        rows.push(dated_row(&format!("Y{person:03}"), person, &date));
    }
    let input = crate::table(&["id", "name", "birth_date", "phone"], rows);
    let mut resolver = Resolver::new();
    let resolution = resolver.resolve(&input, None, &Control::none()).unwrap();
    assert_eq!(
        generic_dates(&resolver),
        ["value:2000-01-01", "year:1900"],
        "{:?}",
        resolution.report.generic_values
    );
    // Twelve default dates of twelve people: none joins another on it.
    let defaulted: std::collections::BTreeSet<_> = (90..102)
        .map(|p| resolver.entity_of(&format!("D{p:03}")).unwrap())
        .collect();
    assert_eq!(defaulted.len(), 12);
    assert_eq!(
        resolver.entity_of("R0000").unwrap(),
        resolver.entity_of("R0001").unwrap()
    );
}

#[test]
fn a_file_that_writes_a_year_alone_as_its_first_of_january_keeps_its_dates() {
    // Historical people born over forty years, thirty a year, half of each year's records
    // on the first of January (the year alone): over ten times the other days' one record
    // each, in every year; all over 120 years old.
    let mut rows = Vec::new();
    for person in 0..1200 {
        let year = 1800 + person % 40;
        let date = if (person / 40) % 2 == 0 {
            format!("{year}-01-01")
        } else {
            format!("{year}-{:02}-{:02}", person % 12 + 1, person % 27 + 2)
        };
        rows.push(dated_row(&format!("H{person:04}"), person, &date));
    }
    let input = crate::table(&["id", "name", "birth_date", "phone"], rows);
    let mut resolver = Resolver::new();
    resolver.resolve(&input, None, &Control::none()).unwrap();
    assert!(generic_dates(&resolver).is_empty());
}
