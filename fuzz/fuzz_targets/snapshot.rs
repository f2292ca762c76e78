//! Resolver snapshots (what a Python pickle holds) from arbitrary text: reading and
//! explaining never panic, and a snapshot that reads writes a snapshot that reads back to the same content.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sameas::Resolver;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(resolver) = Resolver::from_snapshot(text) else { return };
    // A snapshot that reads is usable: every entity explains itself.
    for (entity, _) in resolver.entities() {
        let _ = resolver.explain_entity(entity.as_str());
    }
    let Ok(json) = resolver.snapshot() else { return };
    let again = Resolver::from_snapshot(&json).expect("a written snapshot reads back");
    // Compared as JSON values: the graph's maps are written in hash order.
    let value = |text: &str| serde_json::from_str::<serde_json::Value>(text).expect("valid JSON");
    assert_eq!(value(&again.snapshot().expect("it has a configuration")), value(&json));
});
