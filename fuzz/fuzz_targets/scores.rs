//! Any bytes as a score sheet (wide or long) for the bundled PAR example methodology, read and
//! scored: errors or results, never a panic; every error is located in the file.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn methodology() -> &'static parindex::Methodology {
    static M: OnceLock<parindex::Methodology> = OnceLock::new();
    M.get_or_init(|| parindex_io::examples::methodology("par-demo").expect("bundled"))
}

fuzz_target!(|data: &[u8]| {
    match parindex_io::score_text(methodology(), data, "s.csv") {
        Ok(results) => {
            for u in results.units() {
                let p = u.percent();
                assert!(p >= parindex::Exact::ZERO);
                let _ = u.published_percent();
            }
            let _ = parindex_io::write_results(&results, parindex_io::OutputFormat::Json, &Default::default());
        }
        Err(e) => {
            assert!(!e.issues().is_empty());
            for issue in e.issues() {
                assert!(issue.to_string().starts_with("s.csv"), "unlocated: {issue}");
            }
        }
    }
});
