//! Any text as methodology JSON: an error or a methodology that round-trips, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(m) = parindex::Methodology::from_json(text) {
            assert_eq!(parindex::Methodology::from_json(&m.to_json()).expect("reads back"), m);
        }
    }
});
