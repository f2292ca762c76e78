//! RFM scores: each of recency, frequency and monetary value binned into 1…`bins` by its
//! quantile among the customers; equal values always get equal scores.

/// Scores `values` into `1..=bins` by quantile; `higher_is_better` false scores small values
/// high (recency as time since the last purchase). A value's quantile is the middle of its
/// tied ranks, so ties share a score and the result does not depend on the input order.
pub fn quantile_scores(values: &[f64], bins: u8, higher_is_better: bool) -> Vec<u8> {
    let n = values.len();
    let bins = bins.max(1);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| values[i].total_cmp(&values[j]));
    let mut scores = vec![1u8; n];
    let mut start = 0;
    while start < n {
        let mut end = start + 1;
        while end < n && values[order[end]] == values[order[start]] {
            end += 1;
        }
        let middle = (start + end) as f64 / 2.0 / n as f64;
        let bin = ((middle * f64::from(bins)).floor() as u8).min(bins - 1);
        let score = if higher_is_better {
            bin + 1
        } else {
            bins - bin
        };
        for &i in &order[start..end] {
            scores[i] = score;
        }
        start = end;
    }
    scores
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quintiles_and_ties() {
        let values: Vec<f64> = (0..10).map(f64::from).collect();
        assert_eq!(
            quantile_scores(&values, 5, true),
            [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
        );
        assert_eq!(
            quantile_scores(&values, 5, false),
            [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
        );
        let tied = [3.0, 1.0, 3.0, 3.0];
        let scores = quantile_scores(&tied, 5, true);
        assert_eq!(scores[0], scores[2]);
        assert!(scores[1] < scores[0]);
        assert!(quantile_scores(&[], 5, true).is_empty());
    }
}
