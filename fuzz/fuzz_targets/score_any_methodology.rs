//! Bytes split into a node table and a score sheet: whatever reads is scored, and every
//! applicable node's percent lies in [0, 100] (only a bonus may lift the index above 100).
#![no_main]

use libfuzzer_sys::fuzz_target;
use parindex::Exact;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == 0xFF).unwrap_or(data.len());
    let (m, s) = data.split_at(split);
    let Ok(m) = parindex_io::read_methodology(m, "m.csv") else { return };
    let s = s.get(1..).unwrap_or_default();
    let Ok(results) = parindex_io::score_text(&m, s, "s.csv") else { return };
    let hundred = Exact::new(100, 1).expect("positive");
    for u in results.units() {
        for n in u.nodes() {
            if let Some(p) = n.percent() {
                assert!(p >= Exact::ZERO && p <= hundred, "{} {}: {}", u.id(), n.code(), p);
            }
        }
    }
});
