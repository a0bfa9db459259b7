//! Any bytes as a dossier list: errors or statistics that add up, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(dossiers) = parindex_io::read_dossiers(data, "d.csv") else { return };
    let Some(as_of) = dossiers.iter().map(|d| d.received).max() else { return };
    if let Ok(stats) = parindex::dossier_stats(&dossiers, as_of) {
        for s in stats {
            assert_eq!(s.completed_early + s.completed_on_time + s.completed_late + s.open, s.received);
        }
    }
});
