//! The runner every bad-input corpus shares: one folder per case, its `expected.txt` the exact
//! outcome. `PARINDEX_BLESS=1` writes the outcomes instead (review the diff before committing).

use std::path::{Path, PathBuf};

/// Checks every case folder under `corpus` (at least `min` of them) against `outcome`.
pub fn check(corpus: &Path, min: usize, outcome: impl Fn(&Path) -> String) {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(corpus)
        .expect("corpus folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= min, "{} has {} cases", corpus.display(), dirs.len());
    let bless = std::env::var_os("PARINDEX_BLESS").is_some();
    let mut failures = Vec::new();
    for dir in &dirs {
        let got = outcome(dir);
        if bless {
            std::fs::write(dir.join("expected.txt"), &got).expect("expected.txt writable");
            continue;
        }
        let expected = std::fs::read_to_string(dir.join("expected.txt")).expect("expected.txt");
        if got != expected {
            failures.push(format!("{}:\n  expected: {expected:?}\n  got:      {got:?}", dir.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every issue of an error, one per line.
pub fn lines(e: &parindex::Error) -> String {
    e.issues().iter().map(|i| format!("{i}\n")).collect()
}
