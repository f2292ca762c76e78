//! Date parsing: never panics, and normalizing the normalized form changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sameas_normalize::MatchKeys;
use sameas_normalize::NormalizeOptions;
use sameas_normalize::date::DateNormalizer;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else { return };
    let options = NormalizeOptions { reference_date: Some("2026-11-22".parse().unwrap()), ..NormalizeOptions::default() };
    let normalizer = DateNormalizer::new(&options);
    let normalize = |s: &str| normalizer.normalize_birth_date(s);
    if let Some(value) = normalize(raw).value {
        let again = normalize(&value.norm()).value.expect("a normalized value reads again");
        assert_eq!(again.norm(), value.norm());
    }
});
