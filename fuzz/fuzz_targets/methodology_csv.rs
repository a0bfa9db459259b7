//! Any bytes as a methodology node table: an error or a methodology that writes and reads
//! back to itself, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = parindex_io::read_methodology(data, "m.csv") {
        let again = parindex_io::read_methodology_csv(&parindex_io::write_methodology_csv(&m), "m.csv")
            .expect("a written node table reads back");
        assert_eq!(again, m);
        let json = parindex::Methodology::from_json(&m.to_json()).expect("its JSON reads back");
        assert_eq!(json, m);
    }
});
