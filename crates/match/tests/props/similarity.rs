//! Properties of the similarity kernels, and agreement with `strsim` on random ASCII, Han and
//! mixed strings. Small alphabets force the overlaps and transpositions that exercise the kernels.

use proptest::prelude::*;
use sameas_match::similarity::{
    damerau_levenshtein, damerau_levenshtein_similarity, jaccard_bigrams, jaccard_tokens, jaro,
    jaro_winkler, jaro_winkler_at_least, levenshtein, levenshtein_similarity, levenshtein_within,
    one_edit_apart_digits, within_one_edit,
};

/// Short strings over small alphabets: ASCII, Han names, both mixed, and (rarely) inputs longer
/// than the stack buffers or with more tokens than they hold.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-d]{0,12}",
        2 => "[a-z ]{0,20}",
        3 => "[张章王汪李黎伟玮]{0,4}",
        2 => "[ab张章é ]{0,10}",
        1 => "[ab张]{60,70}",
        1 => "[ab]{60,140}",
        1 => "([ab]{1,2} ){20,30}",
    ]
}

type Similarity = fn(&str, &str) -> f64;

const SIMILARITIES: [(&str, Similarity); 6] = [
    ("jaro", jaro),
    ("jaro_winkler", jaro_winkler),
    ("levenshtein_similarity", levenshtein_similarity),
    (
        "damerau_levenshtein_similarity",
        damerau_levenshtein_similarity,
    ),
    ("jaccard_tokens", jaccard_tokens),
    ("jaccard_bigrams", jaccard_bigrams),
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn similarities_are_bounded_symmetric_and_one_on_identity(a in text(), b in text()) {
        for (name, similarity) in SIMILARITIES {
            let forward = similarity(&a, &b);
            let backward = similarity(&b, &a);
            prop_assert!((0.0..=1.0).contains(&forward), "{name} out of range: {forward}");
            prop_assert!((forward - backward).abs() < 1e-12, "{name} not symmetric");
            prop_assert_eq!(similarity(&a, &a), 1.0, "{} not 1 on identical input", name);
        }
    }

    #[test]
    fn jaro_family_equals_strsim(a in text(), b in text()) {
        prop_assert!((jaro(&a, &b) - strsim::jaro(&a, &b)).abs() < 1e-12);
        prop_assert!((jaro_winkler(&a, &b) - strsim::jaro_winkler(&a, &b)).abs() < 1e-12);
    }

    #[test]
    fn edit_distances_equal_strsim(a in text(), b in text()) {
        prop_assert_eq!(levenshtein(&a, &b), strsim::levenshtein(&a, &b));
        prop_assert_eq!(damerau_levenshtein(&a, &b), strsim::osa_distance(&a, &b));
        prop_assert!(
            (levenshtein_similarity(&a, &b) - strsim::normalized_levenshtein(&a, &b)).abs() < 1e-12
        );
    }

    #[test]
    fn jaro_winkler_cutoff_never_loses_a_pair(a in text(), b in text(), cutoff in 0.0f64..=1.0) {
        let score = jaro_winkler(&a, &b);
        match jaro_winkler_at_least(&a, &b, cutoff) {
            Some(found) => {
                prop_assert_eq!(found, score);
                prop_assert!(found >= cutoff);
            }
            None => prop_assert!(score < cutoff, "score {} reaches cutoff {}", score, cutoff),
        }
    }

    #[test]
    fn bounded_levenshtein_agrees_with_the_full_one(a in text(), b in text(), max in 0usize..8) {
        let distance = levenshtein(&a, &b);
        prop_assert_eq!(levenshtein_within(&a, &b, max), (distance <= max).then_some(distance));
    }

    #[test]
    fn digits_one_edit_apart_is_one_osa_edit(a in "[0-3]{0,8}", b in "[0-3]{0,8}") {
        let expected = a.len() == b.len() && damerau_levenshtein(&a, &b) == 1;
        prop_assert_eq!(one_edit_apart_digits(&a, &b), expected);
        prop_assert_eq!(one_edit_apart_digits(&b, &a), expected);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn within_one_edit_is_osa_at_most_one(a in text(), b in text()) {
        prop_assert_eq!(within_one_edit(&a, &b), strsim::osa_distance(&a, &b) <= 1);
        prop_assert_eq!(within_one_edit(&a, &b), within_one_edit(&b, &a));
    }
}
