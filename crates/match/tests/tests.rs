//! Integration tests for sameas-match: blocking against a brute-force reference, symmetric
//! comparisons, deterministic training whatever the thread count, config round trips, link
//! mode, frozen term frequencies and the incremental key index.

#[path = "props/key_index.rs"]
mod key_index;
#[path = "props/similarity.rs"]
mod similarity;
#[path = "props/term_frequencies.rs"]
mod term_frequencies;

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use sameas_core::Channel;
use sameas_match::{
    BlockIndex, Dataset, LinkMode, MatchConfig, Matcher, run, train, train_keeping_index,
};
use sameas_normalize::NormalizeOptions;
use sameas_normalize::infer::{infer_schema, record_from_row};
use sameas_normalize::record::RecordNormalizer;

const HEADERS: [&str; 7] = [
    "id",
    "name",
    "phone",
    "email",
    "birth_date",
    "address",
    "gender",
];
const NAMES: [&str; 10] = [
    "张伟",
    "張偉",
    "章伟",
    "Zhang Wei",
    "张先生",
    "王芳",
    "李娜",
    "Bob Smith",
    "Robert Smith",
    "",
];
const PHONES: [&str; 6] = [
    "138-0013-8000",
    "+86 138 0013 8000",
    "138****8000",
    "139 0000 1111",
    "13800138001",
    "",
];
const EMAILS: [&str; 6] = [
    "zw@sina.com",
    "ZW@sina.com",
    "zw@sina.cn",
    "bob@gmail.com",
    "",
    "zw@qq.com",
];
const DATES: [&str; 5] = ["1990-01-02", "1990/2/1", "1990-01-03", "1985-05-06", ""];
const ADDRESSES: [&str; 4] = [
    "广东省深圳市南山区科技园路1号",
    "广东深圳南山区科技园路1号",
    "北京市朝阳区建国路8号",
    "",
];
const GENDERS: [&str; 3] = ["男", "女", ""];

type Row = [usize; 6];

/// A dataset from a header and rows of cells, its schema inferred, normalized with the
/// default options; every record from source 0 unless `sources` says otherwise.
fn table<R: AsRef<[S]>, S: AsRef<str>>(
    headers: &[&str],
    rows: &[R],
    sources: Option<&[u8]>,
) -> Dataset {
    let schema = infer_schema(headers).unwrap().schema;
    let normalizer = RecordNormalizer::new(schema.clone(), NormalizeOptions::default()).unwrap();
    let mut ids = Vec::new();
    let mut records = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let record = record_from_row(&schema, row.as_ref(), i as u64 + 1, &Channel::App);
        ids.push(record.id.clone());
        records.push(normalizer.normalize(&record));
    }
    let sources = sources.map_or_else(|| vec![0; rows.len()], <[u8]>::to_vec);
    Dataset::with_sources(schema, ids, sources, records).unwrap()
}

/// A dataset of rows drawn from the value pools above, ids `r0`, `r1` ….
fn dataset(rows: &[Row], sources: Option<&[u8]>) -> Dataset {
    let cells: Vec<[String; 7]> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            [
                format!("r{i}"),
                NAMES[r[0]].to_string(),
                PHONES[r[1]].to_string(),
                EMAILS[r[2]].to_string(),
                DATES[r[3]].to_string(),
                ADDRESSES[r[4]].to_string(),
                GENDERS[r[5]].to_string(),
            ]
        })
        .collect();
    table(&HEADERS, &cells, sources)
}

/// `records` generated records (the synth generator's default difficulty) from `seed`,
/// normalized with a fixed reference date.
fn generated(records: u64, seed: u64) -> Dataset {
    let config = sameas_synth::SynthConfig {
        records,
        seed,
        ..sameas_synth::SynthConfig::default()
    };
    let mut csv = Vec::new();
    sameas_synth::write_csv(&config, &mut csv, std::io::sink()).unwrap();
    let table = sameas_normalize::table::read_csv(&csv, None).unwrap();
    let schema = infer_schema(&table.headers).unwrap().schema;
    let options = NormalizeOptions {
        reference_date: Some(jiff::civil::date(2026, 1, 1)),
        ..NormalizeOptions::default()
    };
    let normalizer = RecordNormalizer::new(schema, options).unwrap();
    Dataset::from_table(&table, &normalizer, &Channel::Unknown)
        .unwrap()
        .0
}

/// The level comparison `name` gives the records `a` and `b`.
fn level_of(matcher: &Matcher, a: usize, b: usize, name: &str) -> String {
    matcher
        .explain(a, b)
        .comparisons
        .into_iter()
        .find(|c| c.comparison == name)
        .unwrap()
        .level
}

fn row_strategy() -> impl Strategy<Value = Row> {
    (
        0..NAMES.len(),
        0..PHONES.len(),
        0..EMAILS.len(),
        0..DATES.len(),
        0..ADDRESSES.len(),
        0..GENDERS.len(),
    )
        .prop_map(|(a, b, c, d, e, f)| [a, b, c, d, e, f])
}

fn trained(data: &Dataset, mode: LinkMode) -> MatchConfig {
    let mut config = MatchConfig::infer(&data.schema, mode);
    config.training.u_sample_pairs = 500;
    config.model = Some(train(&config, data).unwrap());
    config
}

/// The match section as the facade's configuration document writes it.
fn to_json(config: &MatchConfig) -> String {
    serde_json::to_string_pretty(config).unwrap()
}

/// The match section read back and checked, as the facade's configuration reader does.
fn from_json(json: &str) -> Result<MatchConfig, String> {
    let config: MatchConfig = serde_json::from_str(json).map_err(|e| e.to_string())?;
    config.validate().map_err(|e| e.to_string())?;
    Ok(config)
}

mod blocking {
    use super::*;

    /// Every pair sharing an uncapped key under some rule, with the first such rule.
    fn reference(data: &Dataset, config: &MatchConfig) -> BTreeMap<(u32, u32), u16> {
        let rules = &config.blocking.rules;
        let index =
            BlockIndex::build(data, rules, config.blocking.max_block_size, config.mode).unwrap();
        let mut expected = BTreeMap::new();
        for a in 0..data.len() {
            for b in a + 1..data.len() {
                if !config.mode.allows(data.sources[a], data.sources[b]) {
                    continue;
                }
                for r in 0..rules.len() {
                    if index.shares_uncapped_key(r, a, b) {
                        expected.insert((a as u32, b as u32), r as u16);
                        break;
                    }
                }
            }
        }
        expected
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn pairs_are_produced_once_by_the_first_rule(
            rows in proptest::collection::vec(row_strategy(), 2..40),
            cap in 2usize..8,
        ) {
            let data = dataset(&rows, None);
            let mut config = MatchConfig::infer(&data.schema, LinkMode::Dedupe);
            config.blocking.max_block_size = cap;
            let index = BlockIndex::build(&data, &config.blocking.rules, cap, LinkMode::Dedupe).unwrap();
            let candidates = index.candidate_pairs(&data);
            let mut produced = BTreeMap::new();
            for (pair, rule) in candidates.pairs.iter().zip(&candidates.rules) {
                prop_assert!(pair.0 < pair.1);
                prop_assert!(produced.insert(*pair, *rule).is_none(), "pair produced twice");
            }
            prop_assert_eq!(produced, reference(&data, &config));
            let total: u64 = candidates.stats.iter().map(|s| s.pairs).sum();
            prop_assert_eq!(total as usize, candidates.pairs.len());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// A rule's sample holds only its own pairs, each once, at most as many as asked,
        /// and all of them with an exact count when every block's pairs fit; the rules'
        /// pairs together count as the candidates do.
        #[test]
        fn a_rule_sample_is_drawn_from_its_own_pairs(
            rows in proptest::collection::vec(row_strategy(), 2..40),
            wanted in 1usize..30,
            link in any::<bool>(),
        ) {
            let mode = if link { LinkMode::Both } else { LinkMode::Dedupe };
            let sources: Vec<u8> = (0..rows.len()).map(|i| (i % 2) as u8).collect();
            let data = dataset(&rows, Some(&sources));
            let config = MatchConfig::infer(&data.schema, mode);
            let index = BlockIndex::build(&data, &config.blocking.rules, 6, mode).unwrap();
            for rule in 0..index.rule_count() {
                let all = index.training_pairs(&data, rule);
                let drawn = index.training_sample(&data, rule, wanted);
                prop_assert!(drawn.sample.len() <= wanted);
                let mut seen = BTreeSet::new();
                for pair in &drawn.sample {
                    prop_assert!(all.contains(pair), "a pair the rule does not hold");
                    prop_assert!(seen.insert(*pair), "a pair drawn twice");
                }
                let whole = index.training_sample(&data, rule, rows.len() * rows.len());
                prop_assert_eq!(whole.pairs, all.len() as u64);
                prop_assert_eq!(&whole.sample, &all);
            }
            let candidates = index.candidate_pairs(&data);
            prop_assert_eq!(index.candidate_pair_count(&data), candidates.pairs.len() as u64);
        }
    }

    #[test]
    fn a_capped_block_leaves_its_pairs_to_later_rules() {
        // Eight records share a phone (capped at 4); two of them also share an e-mail.
        let mut rows = vec![[5, 0, 4, 4, 3, 2]; 8];
        rows[0][2] = 0;
        rows[1][2] = 0;
        let data = dataset(&rows, None);
        let config = MatchConfig::infer(&data.schema, LinkMode::Dedupe);
        let index = BlockIndex::build(&data, &config.blocking.rules, 4, LinkMode::Dedupe).unwrap();
        let candidates = index.candidate_pairs(&data);
        let phone = candidates.stats.iter().find(|s| s.rule == "phone").unwrap();
        assert_eq!(phone.capped_blocks, 1);
        assert_eq!(phone.largest_capped_block, 8);
        assert_eq!(phone.pairs, 0);
        assert!(candidates.pairs.contains(&(0, 1)));
    }

    #[test]
    fn a_rare_family_name_alone_pairs_records_and_a_common_one_does_not() {
        // Two records share a rare family name and nothing else (given names a nickname
        // apart); a dozen others share a common one.
        let mut rows: Vec<Vec<String>> = vec![
            vec!["1".into(), "Art Glenravel".into()],
            vec!["2".into(), "Arthur Glenravel".into()],
        ];
        let given = [
            "Ann", "Bea", "Cal", "Dee", "Eve", "Fay", "Gus", "Hal", "Ike", "Joy", "Kai", "Lou",
        ];
        for (i, given) in given.iter().enumerate() {
            rows.push(vec![(i + 3).to_string(), format!("{given} Smith")]);
        }
        let rows: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let data = table(&["id", "name"], &rows, None);
        let config = MatchConfig::infer(&data.schema, LinkMode::Dedupe);
        let index =
            BlockIndex::build(&data, &config.blocking.rules, 500, LinkMode::Dedupe).unwrap();
        let candidates = index.candidate_pairs(&data);
        assert_eq!(candidates.pairs, [(0, 1)]);
        let family = candidates
            .stats
            .iter()
            .find(|s| s.rule == "family")
            .unwrap();
        assert_eq!(family.pairs, 1);
        assert_eq!(family.capped_blocks, 1);
        assert_eq!(family.largest_capped_block, 12);
    }

    #[test]
    fn a_birth_date_or_an_address_alone_pairs_records_that_share_nothing_else() {
        // Rows 0 and 1 share only a birth date, rows 2 and 3 only an address; no name,
        // phone or e-mail.
        let rows = [
            [9, 5, 4, 3, 3, 2],
            [9, 5, 4, 3, 3, 2],
            [9, 5, 4, 4, 2, 2],
            [9, 5, 4, 4, 2, 2],
        ];
        let data = dataset(&rows, None);
        let config = MatchConfig::infer(&data.schema, LinkMode::Dedupe);
        let index = BlockIndex::build(&data, &config.blocking.rules, 50, LinkMode::Dedupe).unwrap();
        let candidates = index.candidate_pairs(&data);
        assert_eq!(candidates.pairs, [(0, 1), (2, 3)]);
        let rule_of = |pair| {
            let k = candidates.pairs.iter().position(|p| *p == pair).unwrap();
            config.blocking.rules[usize::from(candidates.rules[k])]
                .name
                .as_str()
        };
        assert_eq!(rule_of((0, 1)), "birth_date");
        assert_eq!(rule_of((2, 3)), "address_detail");
        // Both under the broad cap, so a large file's common values leave them out.
        for name in ["birth_date", "address_detail"] {
            let rule = config
                .blocking
                .rules
                .iter()
                .find(|r| r.name == name)
                .unwrap();
            assert_eq!(rule.max_block_size, Some(50), "{name}");
        }
    }

    #[test]
    fn link_mode_pairs_cross_sources_only() {
        let rows = vec![[0, 0, 0, 0, 0, 0]; 6];
        let sources = [0, 0, 0, 1, 1, 1];
        let data = dataset(&rows, Some(&sources));
        let config = trained(&data, LinkMode::Link);
        let output = run(&config, &data).unwrap();
        assert_eq!(output.scored.len(), 9);
        for &(a, b) in &output.scored.pairs {
            assert_ne!(sources[a as usize], sources[b as usize]);
        }
    }
}

mod comparisons {
    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        #[test]
        fn every_comparison_is_symmetric(rows in proptest::collection::vec(row_strategy(), 3..25)) {
            let data = dataset(&rows, None);
            let config = trained(&data, LinkMode::Dedupe);
            let matcher = Matcher::new(&config, &data).unwrap();
            for a in 0..data.len() {
                for b in 0..data.len() {
                    let (x, y) = (matcher.explain(a, b), matcher.explain(b, a));
                    for (p, q) in x.comparisons.iter().zip(&y.comparisons) {
                        prop_assert_eq!(&p.level, &q.level, "comparison {}", p.comparison);
                        prop_assert_eq!(p.term_frequency_adjustment, q.term_frequency_adjustment);
                    }
                    prop_assert!((x.match_weight - y.match_weight).abs() < 1e-9);
                    prop_assert!((0.0..=1.0).contains(&x.match_probability));
                }
            }
        }
    }

    fn levels(a: &str, b: &str) -> BTreeMap<String, String> {
        // Two records that differ only in the name column.
        let (name_a, gender_a) = a.split_once('|').unwrap_or((a, ""));
        let (name_b, gender_b) = b.split_once('|').unwrap_or((b, ""));
        let rows = [
            ["1", name_a, gender_a],
            ["2", name_b, gender_b],
            ["3", "李娜", ""],
            ["4", "Mary Jones", ""],
        ];
        let data = table(&["id", "name", "gender"], &rows, None);
        let config = trained(&data, LinkMode::Dedupe);
        let matcher = Matcher::new(&config, &data).unwrap();
        matcher
            .explain(0, 1)
            .comparisons
            .into_iter()
            .map(|c| (c.comparison, c.level))
            .collect()
    }

    #[test]
    fn name_levels() {
        let cases = [
            ("张伟", "张伟", "exact", "exact"),
            ("张伟", "張偉", "exact", "exact"),
            ("张伟", "章伟", "same_pinyin", "exact"),
            ("张伟", "Zhang Wei", "same_pinyin", "same_pinyin"),
            ("张伟", "Wei Zhang", "same_pinyin", "same_pinyin"),
            ("张伟明", "张明", "exact", "close"),
            ("张伟", "张芳", "exact", "different"),
            ("张伟|男", "张先生", "exact", "family_only"),
            // The gender comparison holds the conflict (see the test below).
            ("张伟|女", "张先生", "exact", "family_only"),
            ("Robert Smith", "Bob Smith", "exact", "nickname"),
            ("Robert Smith", "Smith Robert", "swapped", "swapped"),
            // Written in the other order with a short form or a misspelt given name.
            ("Susan Dean", "Dean Sue", "swapped", "swapped"),
            ("Brian Jones", "Jones Bryan", "swapped", "swapped"),
            ("A Morstead", "Morstead Amy", "swapped", "initial"),
            // A name whose own parts read alike says nothing of its order.
            ("William Wyllie", "Willy William", "different", "nickname"),
            ("Jonathan Smith", "J Smith", "exact", "initial"),
            ("Jonathon Smith", "Jonathan Smith", "exact", "close"),
            ("Catherine Smith", "Katherine Smith", "exact", "nickname"),
            ("Mary Smithe", "Mary Smith", "close", "exact"),
            ("Mary Smyth", "Mary Smith", "similar", "exact"),
            // Given names compared name by name where the whole strings differ.
            ("Jamez W Smith", "James Grandson Smith", "exact", "close"),
            ("Jody John Cooper", "Joseph J Cooper", "exact", "initial"),
            ("Mary Ann Lee", "Maria A Lee", "exact", "similar"),
            ("James J Velez", "Janice Velez", "exact", "different"),
            (
                "Perry W Hernandez",
                "William Hernandez",
                "exact",
                "different",
            ),
            ("Paul Q Ward", "Kevin Quade Ward", "exact", "initial"),
            // A first name and its initial beside one middle initial; a lone middle
            // initial moved up (the first name left out).
            ("C R Trejo", "Criselda R Trejo", "exact", "initial"),
            ("C R Trejo", "Criselda Trejo", "exact", "initial"),
            ("A Schopp", "Kate A Schopp", "exact", "initial"),
            ("C R Trejo", "Carl K Trejo", "exact", "different"),
            // Generational suffixes: a Sr and a Jr are two people; a Jr is also written II.
            (
                "David Dobbins Jr",
                "David Dobbins Senior",
                "exact",
                "different",
            ),
            ("David Dobbins Jr", "David Dobbins II", "exact", "exact"),
            ("David Dobbins III", "David Dobbins", "exact", "exact"),
            // Latin spellings of one Arabic name.
            ("Mohamed Antoun", "Mhd Antoun", "exact", "nickname"),
            // Another script is read in Latin letters against a Latin name: an agreement
            // counts, a difference says nothing (the reading is lossy); within the script
            // it compares as usual.
            (
                "Александр Васильев",
                "Alexander Vasiliev",
                "close",
                "similar",
            ),
            ("Ирина Петрова", "Irina Petrova", "exact", "exact"),
            ("Ирина Петрова", "Olga Smirnova", "null", "null"),
            ("فيصل صديقي", "Faisal Siddiqui", "null", "null"),
            ("Александр Васильев", "Александр Васильев", "exact", "exact"),
            ("张伟", "Иван Петров", "null", "null"),
            // A family name kept as a middle name, or the first of two family names.
            ("Susan Meyer", "Susan Meyer Thomas", "similar", "nickname"),
            ("Susan Thomas", "Susan Meyer Thomas", "exact", "nickname"),
            ("Susan Meyer", "Meyer Thomas", "different", "different"),
        ];
        for (a, b, family, given) in cases {
            let levels = levels(a, b);
            assert_eq!(levels["family_name"], family, "{a} / {b}: family");
            assert_eq!(levels["given_name"], given, "{a} / {b}: given");
        }
    }

    #[test]
    fn a_double_family_name_and_one_of_its_parts_are_similar() {
        assert_eq!(
            levels("Jose Lara-Arias", "Pepe Arias")["family_name"],
            "similar"
        );
        assert_eq!(
            levels("Maria Garcia-Lopez", "Maria Garcia")["family_name"],
            "similar"
        );
        assert_eq!(
            levels("Jose Lara-Arias", "Jose Okafor")["family_name"],
            "different"
        );
    }

    #[test]
    fn a_latin_name_that_reads_as_no_chinese_name_is_not_compared_with_a_han_one() {
        // An English name kept beside a Chinese one says nothing about it.
        let english = levels("周静", "Anna");
        assert_eq!(english["family_name"], "null");
        assert_eq!(english["given_name"], "null");
        // A romanised Chinese name is its reading, agreeing or not.
        assert_eq!(levels("周静", "Zhou Jing")["given_name"], "same_pinyin");
        assert_eq!(levels("周静", "Zhou Ming")["given_name"], "different");
    }

    #[test]
    fn an_honorific_states_a_gender_where_the_gender_field_is_empty() {
        assert_eq!(levels("张先生", "张女士")["gender"], "different");
        assert_eq!(levels("张先生", "张伟|男")["gender"], "exact");
        assert_eq!(levels("Ms Smith", "Mary Smith|F")["gender"], "exact");
        // The gender field wins over an honorific.
        assert_eq!(levels("Mr Smith|F", "Mary Smith|F")["gender"], "exact");
        assert_eq!(levels("张伟", "张芳")["gender"], "null");
    }

    #[test]
    fn an_honorifics_gender_conflict_is_counted_once() {
        // With a gender comparison, that comparison holds the conflict and the given name
        // says only that one side has none.
        let with_gender = levels("张丽|女", "张先生");
        assert_eq!(with_gender["gender"], "different");
        assert_eq!(with_gender["given_name"], "family_only");
        // Without one, the given name holds it: a female national id against 先生.
        let rows = [
            ["1", "张丽", "11010519491231002X"],
            ["2", "张先生", ""],
            ["3", "张伟", ""],
            ["4", "Mary Jones", ""],
        ];
        let data = table(&["id", "name", "id_card"], &rows, None);
        let config = trained(&data, LinkMode::Dedupe);
        assert!(config.comparisons.iter().all(|c| c.name != "gender"));
        let matcher = Matcher::new(&config, &data).unwrap();
        assert_eq!(level_of(&matcher, 0, 1, "given_name"), "different");
        assert_eq!(level_of(&matcher, 2, 1, "given_name"), "family_only");
    }

    #[test]
    fn a_mistyped_suburb_does_not_hide_the_same_street_address() {
        let rows = [
            ["1", "Ann Lee", "107 Kriewaldt Circuit, Mirrabooka WA 6061"],
            ["2", "Ann Lee", "107 Kriewaldt Circuit, Mirraooka WA 6061"],
            ["3", "Ann Lee", "107 Kriewaldt Circuit, Toowoomba QLD 4350"],
            ["4", "Bo Chan", "9 Bath Place, Casino NSW 2470"],
        ];
        let data = table(&["id", "name", "address"], &rows, None);
        let config = trained(&data, LinkMode::Dedupe);
        let matcher = Matcher::new(&config, &data).unwrap();
        assert_eq!(level_of(&matcher, 0, 1, "address"), "same_detail");
        // Another town altogether is a different address, however alike the street.
        assert_ne!(level_of(&matcher, 0, 2, "address"), "same_detail");
        assert_ne!(level_of(&matcher, 0, 2, "address"), "similar_detail");
    }

    #[test]
    fn one_flat_typed_two_ways_is_one_address() {
        let rows = [
            ["1", "陈秀英", "杭州市西湖区碧桂园29栋3单元3204室"],
            ["2", "陈秀英", "杭州市西湖区新华街18号，碧桂园29-3-3204"],
            ["3", "陈秀英", "杭州市西湖区新华街十八号碧桂园29幢3单元3204"],
            ["4", "陈秀英", "杭州市西湖区新华街18号碧桂园29-3-3205"],
            ["5", "王芳", "北京市海淀区长江路10号阳光花园2号楼604"],
        ];
        let data = table(&["id", "name", "address"], &rows, None);
        let config = trained(&data, LinkMode::Dedupe);
        let matcher = Matcher::new(&config, &data).unwrap();
        // The same flat with and without its road; written out, or as numbers and dashes.
        assert_eq!(level_of(&matcher, 0, 1, "address"), "similar_detail");
        assert_eq!(level_of(&matcher, 1, 2, "address"), "same_detail");
        // Another room of the estate is not the same flat.
        assert_ne!(level_of(&matcher, 0, 3, "address"), "similar_detail");
        assert_ne!(level_of(&matcher, 0, 3, "address"), "same_detail");
    }

    #[test]
    fn a_postcode_and_a_state_that_both_differ_are_another_place() {
        // Columns as FEBRL has them: the second record's suburb is empty, so only its
        // postcode and state tell the towns apart.
        let header = [
            "id",
            "name",
            "street_number",
            "address_1",
            "suburb",
            "postcode",
            "state",
        ];
        let rows = [
            [
                "1",
                "Sophie Godfrey",
                "154",
                "badimara street",
                "mclaren vale",
                "3717",
                "wa",
            ],
            [
                "2",
                "Sophie Shepherd",
                "154",
                "badimara street",
                "",
                "3214",
                "nsw",
            ],
            [
                "3",
                "Sophie Godfrey",
                "154",
                "badimara street",
                "",
                "3771",
                "wa",
            ],
            ["4", "Bo Chan", "9", "bath place", "casino", "2470", "nsw"],
        ];
        let data = table(&header, &rows, None);
        let config = trained(&data, LinkMode::Dedupe);
        let matcher = Matcher::new(&config, &data).unwrap();
        assert_ne!(level_of(&matcher, 0, 1, "address"), "same_detail");
        assert_ne!(level_of(&matcher, 0, 1, "address"), "similar_detail");
        // A mistyped postcode alone does not move the address.
        assert_eq!(level_of(&matcher, 0, 2, "address"), "same_detail");
    }

    #[test]
    fn a_postcode_that_lost_its_leading_zero_is_the_same_postcode() {
        let rows = [
            ["1", "Ann Lee", "02119"],
            ["2", "Ann Lee", "2119"],
            ["3", "Ann Lee", "2120"],
            ["4", "Bo Chan", "10001"],
        ];
        let data = table(&["id", "name", "zip"], &rows, None);
        let config = trained(&data, LinkMode::Dedupe);
        let matcher = Matcher::new(&config, &data).unwrap();
        assert_eq!(level_of(&matcher, 0, 1, "address"), "same_district");
        assert_eq!(level_of(&matcher, 0, 2, "address"), "different");
    }

    #[test]
    fn look_alike_emails_are_fuzzy_and_typos_close() {
        let rows = [
            ["1", "Min Wang", "wang.min1956@qq.com"],
            ["2", "Min Wang", "wang.min1956+vip@qq.com"],
            ["3", "Min Wang", "wang.mni1956@qq.com"],
            ["4", "Min Wang", "wang.min1990@qq.com"],
            ["5", "Bo Chan", "bochan@163.com"],
            ["6", "Min Wang", "wang.min1956+vip@163.com"],
        ];
        let data = table(&["id", "name", "email"], &rows, None);
        let config = trained(&data, LinkMode::Dedupe);
        let matcher = Matcher::new(&config, &data).unwrap();
        // The same address with a tag, or one transposition away: close.
        assert_eq!(level_of(&matcher, 0, 1, "email"), "close");
        assert_eq!(level_of(&matcher, 0, 2, "email"), "close");
        // Alike as addresses built from one name are, but more than one typo apart: fuzzy.
        assert_eq!(level_of(&matcher, 0, 3, "email"), "fuzzy");
        assert_eq!(level_of(&matcher, 0, 4, "email"), "different");
        // A tag is cut only at the same domain.
        assert_ne!(level_of(&matcher, 0, 5, "email"), "close");
    }

    #[test]
    fn phone_email_date_address_levels() {
        let rows = [
            [0, 0, 0, 0, 0, 2],
            [1, 1, 1, 1, 1, 2],
            [4, 2, 2, 2, 3, 2],
            [5, 4, 3, 3, 2, 2],
        ];
        let data = dataset(&rows, None);
        let config = trained(&data, LinkMode::Dedupe);
        let matcher = Matcher::new(&config, &data).unwrap();
        let level = |a, b, c: &str| level_of(&matcher, a, b, c);
        assert_eq!(level(0, 1, "phone"), "exact");
        assert_eq!(level(0, 2, "phone"), "masked_compatible");
        assert_eq!(level(0, 3, "phone"), "one_digit_off");
        assert_eq!(level(0, 1, "email"), "exact");
        assert_eq!(level(0, 2, "email"), "domain_typo");
        assert_eq!(level(0, 1, "birth_date"), "day_month_swapped");
        assert_eq!(level(0, 2, "birth_date"), "one_digit_off");
        assert_eq!(level(0, 1, "address"), "same_detail");
        assert_eq!(level(0, 3, "address"), "different");
        assert_eq!(level(0, 2, "address"), "null");
    }
}

mod training {
    use super::*;

    fn rows() -> Vec<Row> {
        (0..120)
            .map(|i| [i % 10, (i / 3) % 6, (i / 2) % 5, (i / 7) % 5, i % 4, i % 3])
            .collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_model_on_one_or_two_threads() {
        let data = dataset(&rows(), None);
        let run_with = |threads| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| trained(&data, LinkMode::Dedupe))
        };
        let one = run_with(1);
        let two = run_with(2);
        assert_eq!(to_json(&one), to_json(&two));
        assert_eq!(one, two);
    }

    #[test]
    fn the_index_kept_from_training_lists_the_same_candidates() {
        let data = generated(2_000, 3);
        let mut config = MatchConfig::infer(&data.schema, LinkMode::Dedupe);
        config.training.u_sample_pairs = 5_000;
        let model = train(&config, &data).unwrap();
        let trained = train_keeping_index(&config, &data).unwrap();
        let (kept_model, index) = (trained.model, trained.index);
        assert_eq!(kept_model, model);
        let fresh = BlockIndex::build(
            &data,
            &config.blocking.rules,
            config.blocking.max_block_size,
            config.mode,
        )
        .unwrap()
        .candidate_pairs(&data);
        let kept = index
            .expect("EM blocks with the blocking rules by default")
            .candidate_pairs(&data);
        assert!(!kept.pairs.is_empty());
        assert_eq!(kept.pairs, fresh.pairs);
        assert_eq!(kept.rules, fresh.rules);

        // EM on rules of its own: nothing to hand over.
        config.training.em_rules = config.blocking.rules[..1].to_vec();
        assert!(train_keeping_index(&config, &data).unwrap().index.is_none());
    }

    #[test]
    fn comparators_kept_from_training_score_as_freshly_compiled_ones() {
        let data = generated(1_500, 4);
        let mut config = MatchConfig::infer(&data.schema, LinkMode::Dedupe);
        config.training.u_sample_pairs = 5_000;
        let trained = train_keeping_index(&config, &data).unwrap();
        config.model = Some(trained.model);
        let pairs = trained.index.unwrap().candidate_pairs(&data).pairs;
        let fresh = Matcher::new(&config, &data).unwrap().score(&pairs);
        let kept = Matcher::with_compiled(&config, &data, trained.comparisons)
            .unwrap()
            .score(&pairs);
        assert!(!pairs.is_empty());
        assert_eq!(kept.levels, fresh.levels);
        assert_eq!(kept.weights, fresh.weights);
        // Comparators compiled from other comparisons are not taken.
        let email = config
            .comparisons
            .iter()
            .position(|c| matches!(c.method, sameas_match::ComparisonMethod::Email { .. }))
            .expect("generated records have e-mails");
        let other = train_keeping_index(&config, &data).unwrap().comparisons;
        let mut stricter = config.clone();
        let sameas_match::ComparisonMethod::Email { fuzzy } =
            &mut stricter.comparisons[email].method
        else {
            unreachable!()
        };
        *fuzzy = 0.99;
        let rebuilt = Matcher::with_compiled(&stricter, &data, other).unwrap();
        assert_eq!(
            rebuilt.score(&pairs).levels,
            Matcher::new(&stricter, &data).unwrap().score(&pairs).levels
        );
    }

    #[test]
    fn config_round_trips_bit_identically() {
        let data = dataset(&rows(), None);
        let config = trained(&data, LinkMode::Dedupe);
        let json = to_json(&config);
        let back = from_json(&json).unwrap();
        assert_eq!(back, config);
        assert_eq!(to_json(&back), json);
        let before = run(&config, &data).unwrap().scored;
        let after = run(&back, &data).unwrap().scored;
        assert_eq!(before.weights, after.weights);
    }

    #[test]
    fn term_frequencies_favour_rare_names() {
        // Many records named 张伟 and two named 欧阳娜娜; a shared rare name outweighs a shared
        // common one.
        let mut rows: Vec<[String; 3]> = (0..40)
            .map(|i| [i.to_string(), "张伟".into(), String::new()])
            .collect();
        rows.push(["40".into(), "欧阳娜娜".into(), String::new()]);
        rows.push(["41".into(), "欧阳娜娜".into(), String::new()]);
        let data = table(&["id", "name", "city"], &rows, None);
        let config = trained(&data, LinkMode::Dedupe);
        let matcher = Matcher::new(&config, &data).unwrap();
        let common = matcher.explain(0, 1);
        let rare = matcher.explain(40, 41);
        assert!(rare.match_weight > common.match_weight + 3.0);
        let adjustment = |e: &sameas_match::PairExplanation| {
            e.comparisons
                .iter()
                .map(|c| c.term_frequency_adjustment)
                .sum::<f64>()
        };
        assert!(adjustment(&rare) > 0.0 && adjustment(&common) < 0.0);
    }

    /// The term-frequency adjustment of the given-name comparison of records `a` and `b`.
    fn given_name_adjustment(matcher: &Matcher, a: usize, b: usize) -> f64 {
        matcher
            .explain(a, b)
            .comparisons
            .iter()
            .find(|c| c.comparison == "given_name")
            .map(|c| c.term_frequency_adjustment)
            .unwrap()
    }

    #[test]
    fn a_family_name_held_with_one_given_name_keeps_the_given_names_own_weight() {
        // `Marion Bidder` twice and no other Bidder: nothing says how given names vary among
        // the Bidders, so `marion` weighs as the rare given name it is. Among the Smiths, who
        // hold several given names, `marion` is weighed by its share of them.
        let given = [
            "John", "Mary", "James", "Anne", "Peter", "Susan", "David", "Jane",
        ];
        let mut rows: Vec<[String; 2]> = vec![
            ["0".into(), "Marion Bidder".into()],
            ["1".into(), "Marion Bidder".into()],
            ["2".into(), "Marion Smith".into()],
            ["3".into(), "Marion Smith".into()],
        ];
        for i in 0..6 {
            rows.push([(4 + i).to_string(), "John Smith".into()]);
        }
        for i in 0..60 {
            let name = format!("{} Family{}", given[i % given.len()], i / 2);
            rows.push([(10 + i).to_string(), name]);
        }
        let data = table(&["id", "name"], &rows, None);
        let config = trained(&data, LinkMode::Dedupe);
        let matcher = Matcher::new(&config, &data).unwrap();
        let given_adjustment = |a, b| given_name_adjustment(&matcher, a, b);
        // Held by 4 of 70 records: rarer than the given names' agreement rate, so positive.
        let bidders = given_adjustment(0, 1);
        assert!(bidders > 0.0, "{bidders}");
        // A quarter of the Smiths: far commoner among them than in the file.
        let smiths = given_adjustment(2, 3);
        assert!(smiths < bidders, "{smiths} against {bidders}");
    }

    #[test]
    fn a_family_name_few_records_hold_with_other_given_names_keeps_the_given_names_own_weight() {
        // Four records of Joshua Garson and two of Bradley Garson: two records of another
        // given name are as many as one person's nickname and typo make, so they say nothing
        // of how given names vary among the Garsons, and `joshua` weighs as it does for two
        // Joshuas of different family names. Among the Smiths (two Joshuas, six records of
        // other given names) it is weighed by its share of them.
        let given = [
            "John", "Mary", "James", "Anne", "Peter", "Susan", "David", "Jane",
        ];
        let mut names: Vec<String> = Vec::new();
        names.extend(["Joshua Garson"; 4].map(String::from));
        names.extend(
            [
                "Bradley Garson",
                "Bradley Garson",
                "Joshua Smith",
                "Joshua Smith",
            ]
            .map(String::from),
        );
        names.extend((0..6).map(|i| format!("{} Smith", given[i % 3])));
        names.push("Joshua Hale".into());
        names.extend((0..60).map(|i| format!("{} Family{}", given[i % given.len()], i / 2)));
        let rows: Vec<[String; 2]> = names
            .into_iter()
            .enumerate()
            .map(|(i, name)| [i.to_string(), name])
            .collect();
        let data = table(&["id", "name"], &rows, None);
        let config = trained(&data, LinkMode::Dedupe);
        let matcher = Matcher::new(&config, &data).unwrap();
        let given_adjustment = |a, b| given_name_adjustment(&matcher, a, b);
        let hale = rows.iter().position(|r| r[1] == "Joshua Hale").unwrap();
        let own = given_adjustment(0, hale);
        assert_eq!(given_adjustment(0, 1), own);
        let smiths = given_adjustment(6, 7);
        assert!(smiths < own - 1.0, "{smiths} against {own}");
    }
}

mod explain {
    use super::*;

    #[test]
    fn explanation_adds_up_to_the_scored_weight() {
        let rows: Vec<Row> = (0..60)
            .map(|i| [i % 10, i % 6, i % 5, i % 5, i % 4, i % 3])
            .collect();
        let data = dataset(&rows, None);
        let config = trained(&data, LinkMode::Dedupe);
        let output = run(&config, &data).unwrap();
        let matcher = Matcher::new(&config, &data).unwrap();
        let mut seen = BTreeSet::new();
        for (i, &(a, b)) in output.scored.pairs.iter().enumerate().take(50) {
            let e = matcher.explain(a as usize, b as usize);
            let parts = e.prior_weight
                + e.comparisons
                    .iter()
                    .map(|c| c.weight + c.term_frequency_adjustment)
                    .sum::<f64>();
            assert!((parts - e.match_weight).abs() < 1e-9);
            assert!((e.match_weight - output.scored.weights[i]).abs() < 1e-9);
            assert_eq!(e.match_probability, output.scored.probabilities[i]);
            seen.insert(e.is_match);
        }
        assert!(!seen.is_empty());
    }
}

mod configured {
    use super::*;
    use sameas_match::{ComparisonConfig, ComparisonMethod, StringMetric};

    fn data(headers: &[&str], rows: &[Vec<&str>]) -> Dataset {
        table(headers, rows, None)
    }

    fn level(config: &MatchConfig, data: &Dataset, a: usize, b: usize, name: &str) -> String {
        level_of(&Matcher::new(config, data).unwrap(), a, b, name)
    }

    #[test]
    fn several_phone_columns_agree_at_the_best_level() {
        let data = data(
            &["id", "name", "phone", "phone2"],
            &[
                vec!["1", "张伟", "139 0000 1111", ""],
                vec!["2", "张伟", "137 1234 5678", "+86 139 0000 1111"],
                vec!["3", "王芳", "", "137-1234-5679"],
            ],
        );
        let config = trained(&data, LinkMode::Dedupe);
        let phone = &config
            .comparisons
            .iter()
            .find(|c| c.name == "phone")
            .unwrap()
            .fields;
        assert_eq!(phone, &["phone", "phone2"]);
        assert_eq!(level(&config, &data, 0, 1, "phone"), "exact");
        assert_eq!(level(&config, &data, 1, 2, "phone"), "one_digit_off");
        assert_eq!(level(&config, &data, 0, 2, "phone"), "different");
    }

    #[test]
    fn configured_string_and_number_comparisons_have_their_bands() {
        let data = data(
            &["id", "name", "note", "amount"],
            &[
                vec!["1", "张伟", "blue velvet sofa", "100"],
                vec!["2", "张伟", "blue velvet sofas", "104"],
                vec!["3", "王芳", "red chair", "300"],
                vec!["4", "李娜", "sofa velvet blue", "100"],
                vec!["5", "李娜", "BLUE  Velvet Sofa", "100"],
            ],
        );
        let mut config = MatchConfig::infer(&data.schema, LinkMode::Dedupe);
        for metric in [
            StringMetric::JaroWinkler,
            StringMetric::Levenshtein,
            StringMetric::Damerau,
            StringMetric::Jaccard,
        ] {
            config.comparisons.push(ComparisonConfig {
                name: format!("note_{metric:?}"),
                fields: vec!["note".into()],
                method: ComparisonMethod::String {
                    metric,
                    thresholds: vec![0.9, 0.6],
                    words: None,
                },
                term_frequency: false,
            });
        }
        // Words in common, after the metric's levels: `blue velvet sofa` and `sofa velvet
        // blue` share all three, `red chair` none.
        config.comparisons.push(ComparisonConfig {
            name: "note_words".into(),
            fields: vec!["note".into()],
            method: ComparisonMethod::String {
                metric: StringMetric::JaroWinkler,
                thresholds: vec![0.95],
                words: Some(0.5),
            },
            term_frequency: false,
        });
        config.comparisons.push(ComparisonConfig {
            name: "amount".into(),
            fields: vec!["amount".into()],
            method: ComparisonMethod::Number {
                thresholds: vec![1.0, 10.0],
                relative: false,
            },
            term_frequency: false,
        });
        config.training.u_sample_pairs = 100;
        config.model = Some(train(&config, &data).unwrap());
        assert_eq!(
            level(&config, &data, 0, 1, "note_JaroWinkler"),
            "jaro_winkler>=0.9"
        );
        assert_eq!(
            level(&config, &data, 0, 1, "note_Levenshtein"),
            "levenshtein>=0.9"
        );
        assert_eq!(level(&config, &data, 0, 2, "note_Damerau"), "different");
        assert_eq!(level(&config, &data, 0, 3, "note_Jaccard"), "jaccard>=0.9");
        assert_eq!(level(&config, &data, 0, 3, "note_words"), "words>=0.5");
        assert_eq!(level(&config, &data, 0, 2, "note_words"), "different");
        assert_eq!(
            level(&config, &data, 0, 1, "note_words"),
            "jaro_winkler>=0.95"
        );
        // Compared folded: case and spacing as written do not matter.
        assert_eq!(level(&config, &data, 0, 4, "note_JaroWinkler"), "exact");
        assert_eq!(level(&config, &data, 0, 3, "amount"), "exact");
        assert_eq!(level(&config, &data, 0, 1, "amount"), "absolute<=10");
        assert_eq!(level(&config, &data, 0, 2, "amount"), "different");
        // A round trip keeps the configured comparisons and their model.
        assert_eq!(from_json(&to_json(&config)).unwrap(), config);
    }

    #[test]
    fn a_comparison_over_the_wrong_kind_is_refused() {
        let data = data(
            &["id", "name", "phone"],
            &[
                vec!["1", "张伟", "13800138000"],
                vec!["2", "王芳", "13900139000"],
            ],
        );
        let mut config = MatchConfig::infer(&data.schema, LinkMode::Dedupe);
        assert_eq!(config.comparisons[0].name, "family_name");
        config.comparisons[0].fields = vec!["phone".into()];
        let err = train(&config, &data).unwrap_err();
        assert!(
            err.to_string().contains("`phone` is a phone field"),
            "{err}"
        );
    }

    #[test]
    fn both_mode_pairs_within_and_across_sources() {
        let rows = vec![[0, 0, 0, 0, 0, 0]; 6];
        let data = dataset(&rows, Some(&[0, 0, 0, 1, 1, 1]));
        let config = trained(&data, LinkMode::Both);
        assert_eq!(run(&config, &data).unwrap().scored.len(), 15);
        let config = trained(&data, LinkMode::Dedupe);
        assert_eq!(run(&config, &data).unwrap().scored.len(), 6);
    }
}

mod order {
    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// With every comparable pair in the u sample (small data), the model and the scored
        /// pairs do not depend on the order of the input rows.
        #[test]
        fn results_do_not_depend_on_input_order(
            rows in proptest::collection::vec(row_strategy(), 4..30),
            seed in any::<u64>(),
        ) {
            let mut shuffled: Vec<(usize, Row)> = rows.iter().copied().enumerate().collect();
            // A seeded permutation.
            let mut state = seed | 1;
            for i in (1..shuffled.len()).rev() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                shuffled.swap(i, (state % (i as u64 + 1)) as usize);
            }
            let scored = |rows: &[Row], ids: &[usize]| {
                let mut data = dataset(rows, None);
                data.ids = ids.iter().map(|i| sameas_core::RecordId::from(format!("r{i}").as_str())).collect();
                let config = trained(&data, LinkMode::Dedupe);
                let output = run(&config, &data).unwrap();
                let mut pairs: Vec<(String, String, u64)> = output
                    .scored
                    .pairs
                    .iter()
                    .zip(&output.scored.weights)
                    .map(|(&(a, b), w)| {
                        let (x, y) = (data.ids[a as usize].to_string(), data.ids[b as usize].to_string());
                        let (x, y) = if x < y { (x, y) } else { (y, x) };
                        (x, y, w.to_bits())
                    })
                    .collect();
                pairs.sort();
                (config.model.unwrap(), pairs)
            };
            let original: Vec<usize> = (0..rows.len()).collect();
            let (model_a, pairs_a) = scored(&rows, &original);
            let permuted_rows: Vec<Row> = shuffled.iter().map(|(_, r)| *r).collect();
            let permuted_ids: Vec<usize> = shuffled.iter().map(|(i, _)| *i).collect();
            let (model_b, pairs_b) = scored(&permuted_rows, &permuted_ids);
            prop_assert_eq!(model_a, model_b);
            prop_assert_eq!(pairs_a, pairs_b);
        }
    }
}

mod validation {
    use super::*;

    fn rows() -> Vec<Row> {
        (0..40)
            .map(|i| [i % 10, i % 6, i % 5, i % 5, i % 4, i % 3])
            .collect()
    }

    #[test]
    fn out_of_range_training_settings_are_refused() {
        let data = dataset(&rows(), None);
        let base = MatchConfig::infer(&data.schema, LinkMode::Dedupe);
        let mut config = base.clone();
        config.training.u_sample_pairs = 0;
        assert!(train(&config, &data).is_err());
        let mut config = base.clone();
        config.training.em_tolerance = f64::NAN;
        assert!(train(&config, &data).is_err());
        let mut config = base.clone();
        config.training.max_pairs_per_rule = u64::MAX;
        assert!(train(&config, &data).is_err());
        let mut config = base;
        config.training.max_pairs = 0;
        assert!(train(&config, &data).is_err());
    }

    #[test]
    fn a_model_must_fit_its_comparisons() {
        let data = dataset(&rows(), None);
        let config = trained(&data, LinkMode::Dedupe);
        // An infinite m does not load.
        let json = to_json(&config);
        let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
        value["model"]["comparisons"][0]["levels"][1]["m"] = serde_json::json!(1e300);
        value["model"]["comparisons"][0]["levels"][1]["u"] = serde_json::json!(2.0);
        assert!(from_json(&value.to_string()).is_err());
        // Levels renamed under a comparison (another method, same count) are refused.
        let mut renamed = config.clone();
        let model = renamed.model.as_mut().unwrap();
        model.comparisons[3].levels[2].name = "something_else".into();
        let err = Matcher::new(&renamed, &data).unwrap_err();
        assert!(err.to_string().contains("train again"), "{err}");
    }

    #[test]
    fn labelled_pairs_skip_self_pairs_and_pairs_the_mode_forbids() {
        let rows = rows();
        let sources: Vec<u8> = (0..rows.len()).map(|i| (i % 2) as u8).collect();
        let data = dataset(&rows, Some(&sources));
        let mut config = MatchConfig::infer(&data.schema, LinkMode::Link);
        config.training.u_sample_pairs = 300;
        // Only self pairs and same-source pairs: nothing usable in link mode.
        let labels = sameas_match::Labels::Pairs(vec![(0, 0, true), (0, 2, true)]);
        assert!(sameas_match::train_supervised(&config, &data, &labels).is_err());
        let labels = sameas_match::Labels::Pairs(vec![(0, 1, true), (0, 2, true)]);
        assert!(sameas_match::train_supervised(&config, &data, &labels).is_ok());
    }
}

#[test]
fn an_exact_level_the_random_sample_misses_takes_its_u_from_its_blocking_rule() {
    // Among 20,000 generated records, 2·10^8 pairs: a sample of 2,000,000 random pairs sees
    // strangers sharing a phone, a sample of 20,000 almost never does and would leave u at
    // its floor (half a sampled pair). The phone rule's pairs, less the share its EM reads
    // as matches, give u instead, near what the large sample sees.
    let data = generated(20_000, 7);
    let exact_u = |sample: u64, name: &str| {
        let mut config = MatchConfig::infer(&data.schema, LinkMode::Dedupe);
        config.training.u_sample_pairs = sample;
        let model = train(&config, &data).unwrap();
        let comparison = model.comparisons.iter().find(|c| c.name == name).unwrap();
        comparison.levels[1].u
    };
    for name in ["phone", "email"] {
        let seen = exact_u(2_000_000, name);
        let read = exact_u(20_000, name);
        let floor = 0.5 / 20_000.0;
        eprintln!("{name}: seen {seen:e} read {read:e} floor {floor:e}");
        assert!(
            read < floor / 2.0,
            "{name}: {read} not below the floor {floor}"
        );
        assert!(
            (seen / 4.0..seen * 4.0).contains(&read),
            "{name}: u {read} from the rule, {seen} from a sample that sees it"
        );
    }
}
