//! The bad-input corpus in `tests/bad-input/`: one folder per case with the score sheet
//! `s.csv` (and, when the case is about the methodology, `m.csv`; otherwise the shared
//! `methodology.csv`), and `expected.txt`: the exact error lines, or `ok` for input that is
//! accepted. The same corpus is meant for the Python and JavaScript bindings.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use parindex_io::{read_methodology, score_text};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("bad-input")
}

/// What reading and scoring a case prints: `ok`, or every issue, one per line.
fn outcome(dir: &Path) -> String {
    let m_path =
        if dir.join("m.csv").exists() { dir.join("m.csv") } else { corpus().join("methodology.csv") };
    let m_bytes = std::fs::read(m_path).expect("methodology readable");
    let s_bytes = std::fs::read(dir.join("s.csv")).expect("scores readable");
    let result = read_methodology(&m_bytes, "m.csv").and_then(|m| score_text(&m, &s_bytes, "s.csv"));
    match result {
        Ok(_) => "ok\n".to_owned(),
        Err(e) => e.issues().iter().fold(String::new(), |mut out, i| {
            let _ = writeln!(out, "{i}");
            out
        }),
    }
}

#[test]
fn every_case_gives_exactly_its_expected_errors() {
    crate::corpus::check(&corpus(), 30, outcome);
}

#[test]
fn a_ten_thousand_deep_tree_scores_without_recursion() {
    let mut m = String::from("code,parent,max\nn0,,\n");
    for i in 1..10_000 {
        let max = if i == 9_999 { "5" } else { "" };
        let _ = writeln!(m, "n{i},n{},{max}", i - 1);
    }
    let m = read_methodology(m.as_bytes(), "deep.csv").expect("a deep tree is valid");
    let r = score_text(&m, b"unit,n9999\na,2.5\n", "s.csv").expect("scores");
    let u = r.unit("a").expect("unit");
    assert_eq!(u.published_percent().to_string(), "50.00");
    assert_eq!(u.node("n0").and_then(|n| n.points()).map(|p| p.to_decimal().to_string()), Some("2.5".into()));
}

#[test]
fn a_deep_cycle_is_found_without_recursion() {
    let mut m = String::from("code,parent,max\n");
    for i in 0..10_000 {
        let _ = writeln!(m, "n{i},n{},1", (i + 1) % 10_000);
    }
    let err = read_methodology(m.as_bytes(), "cycle.csv").map(|_| ()).expect_err("a cycle");
    assert_eq!(err.issues().len(), 1, "one cycle, reported once");
    assert_eq!(err.issues()[0].code(), "cycle");
}

#[test]
fn a_million_units_are_read_and_ranked() {
    let m = read_methodology(b"code,parent,max\n1,,10\n2,,10\n", "m.csv").expect("valid");
    let mut s = String::with_capacity(20_000_000);
    s.push_str("unit,1,2\n");
    for i in 0..1_000_000u32 {
        let _ = writeln!(s, "u{i},{}.{},{}", i % 10, i % 100 / 10, (i / 7) % 11 % 10);
    }
    let r = score_text(&m, s.as_bytes(), "big.csv").expect("scores");
    assert_eq!(r.len(), 1_000_000);
    let best = r.units().filter(|u| u.rank() == Some(1)).count();
    assert!(best >= 1);
}

/// The dossier corpus in `tests/bad-dossiers/`: one folder per case with `d.csv` and
/// `expected.txt` (the error lines, or `ok: N dossiers`).
#[test]
fn every_bad_dossier_case_gives_exactly_its_expected_errors() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("bad-dossiers");
    crate::corpus::check(&corpus, 10, |dir| {
        let bytes = std::fs::read(dir.join("d.csv")).expect("dossiers");
        match parindex_io::read_dossiers(&bytes, "d.csv") {
            Ok(list) => format!("ok: {} dossiers\n", list.len()),
            Err(e) => crate::corpus::lines(&e),
        }
    });
}

/// The published-results corpus in `tests/bad-results/`: one folder per case with `p.csv` or
/// `p.json` (last year's results, read for a comparison) and `expected.txt` (the error lines,
/// or `ok: N units, M ranked`).
#[test]
fn every_bad_results_case_gives_exactly_its_expected_errors() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("bad-results");
    crate::corpus::check(&corpus, 25, |dir| {
        let name = if dir.join("p.json").exists() { "p.json" } else { "p.csv" };
        let bytes = std::fs::read(dir.join(name)).expect("results");
        match parindex_io::read_published_results(&bytes, name) {
            Ok(r) => format!("ok: {} units, {} ranked\n", r.units().len(), r.ranked_len()),
            Err(e) => crate::corpus::lines(&e),
        }
    });
}

/// A workbook whose sheet declares a range that ends before it starts (`P1:F7`, found by
/// fuzzing): calamine subtracts its corners unchecked, which panicked in debug builds. Its
/// arithmetic wraps as in release (the workspace's profile), so every reader reads the sheet
/// and says what is wrong with its table, or reads it.
#[test]
fn a_workbook_with_a_reversed_sheet_range_is_read_not_a_panic() {
    let bytes = include_bytes!("../bad-xlsx/dimension-reversed.xlsx");
    let options = parindex_io::XlsxOptions::new();
    let m = read_methodology(b"code,parent,max\n1,,2\n", "m.csv").expect("methodology");
    assert_eq!(parindex_io::sheet_names(bytes, "w.xlsx").expect("names"), ["Phiếu"]);
    let codes = |e: Option<parindex::Error>| -> Vec<&'static str> {
        e.map(|e| e.issues().iter().map(parindex::Issue::code).collect()).unwrap_or_default()
    };
    let methodology = codes(parindex_io::read_methodology_xlsx(bytes, "w.xlsx", &options).err());
    let scores = codes(parindex_io::read_scores_xlsx(&m, bytes, "w.xlsx", &options).err());
    let published = codes(parindex_io::read_published_xlsx(bytes, "w.xlsx", &options).err());
    for found in [methodology, scores, published] {
        assert!(!found.is_empty(), "a survey sheet is none of these tables");
    }
    let _ = parindex_io::read_dossiers_xlsx(bytes, "w.xlsx", &options);
}
