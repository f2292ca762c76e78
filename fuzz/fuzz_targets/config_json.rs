//! Configuration documents from arbitrary text: reading never panics, and a document that
//! reads writes back to the same document.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sameas::ResolverConfig;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(config) = ResolverConfig::from_json(text) else { return };
    let json = config.to_json();
    let again = ResolverConfig::from_json(&json).expect("a written config reads back");
    assert_eq!(again.to_json(), json);
});
