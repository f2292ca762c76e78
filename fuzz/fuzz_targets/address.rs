//! Address parsing: never panics, and normalizing the normalized form changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sameas_normalize::MatchKeys;
use sameas_normalize::address::AddressNormalizer;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else { return };
    let normalizer = AddressNormalizer::new();
    let normalize = |s: &str| normalizer.normalize(s);
    if let Some(value) = normalize(raw).value {
        let again = normalize(&value.norm()).value.expect("a normalized value reads again");
        assert_eq!(again.norm(), value.norm());
    }
});
