//! National id parsing: never panics, and normalizing the normalized form changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sameas_normalize::MatchKeys;
use sameas_normalize::national_id::normalize_national_id;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else { return };
    let normalize = |s: &str| normalize_national_id(s, "2026-11-22".parse().unwrap());
    if let Some(value) = normalize(raw).value {
        let again = normalize(&value.norm()).value.expect("a normalized value reads again");
        assert_eq!(again.norm(), value.norm());
    }
});
