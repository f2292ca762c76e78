//! Truth and prediction files from arbitrary bytes: reading never panics, and a truth
//! evaluated against itself as entities scores 1.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sameas_eval::{Predicted, Truth, evaluate};

fuzz_target!(|data: &[u8]| {
    let Ok(truth) = Truth::read_csv(data, "truth.csv") else { return };
    let _ = Predicted::read_csv(&truth, data, "pred.csv", 0.5);
    if truth.is_empty() {
        return;
    }
    let labels: Vec<u32> = (0..truth.len() as u32).map(|i| truth.cluster_of(i)).collect();
    let predicted = Predicted::from_labels(&truth, &labels).expect("one label per record");
    let scores = evaluate(&truth, &predicted, 3).expect("evaluates");
    assert_eq!(scores.pairwise.f1, 1.0);
    assert_eq!(scores.bcubed.f1, 1.0);
});
