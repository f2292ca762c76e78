//! String similarities (placeholder over strsim; replaced by allocation-free kernels).

/// Jaro–Winkler similarity.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    strsim::jaro_winkler(a, b)
}

/// Levenshtein distance in characters.
pub fn levenshtein(a: &str, b: &str) -> usize {
    strsim::levenshtein(a, b)
}

/// Optimal-string-alignment distance.
pub fn damerau_levenshtein(a: &str, b: &str) -> usize {
    strsim::osa_distance(a, b)
}

/// 1 − distance / longer length.
pub fn levenshtein_similarity(a: &str, b: &str) -> f64 {
    strsim::normalized_levenshtein(a, b)
}

/// 1 − OSA distance / longer length.
pub fn damerau_levenshtein_similarity(a: &str, b: &str) -> f64 {
    let max = a.chars().count().max(b.chars().count());
    if max == 0 {
        1.0
    } else {
        1.0 - damerau_levenshtein(a, b) as f64 / max as f64
    }
}

/// Jaccard over whitespace tokens.
pub fn jaccard_tokens(a: &str, b: &str) -> f64 {
    let a: std::collections::BTreeSet<&str> = a.split_whitespace().collect();
    let b: std::collections::BTreeSet<&str> = b.split_whitespace().collect();
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    a.intersection(&b).count() as f64 / a.union(&b).count() as f64
}

/// Same-length digit strings one substitution or one adjacent transposition apart.
pub fn one_edit_apart_digits(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() || a == b {
        return false;
    }
    let diffs: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    match diffs.as_slice() {
        [_] => true,
        [i, j] => *j == i + 1 && a[*i] == b[*j] && a[*j] == b[*i],
        _ => false,
    }
}
