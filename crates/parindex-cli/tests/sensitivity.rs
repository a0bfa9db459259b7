//! `parindex sensitivity` end to end on the bundled par-demo example: the rank-interval
//! output, determinism, the exact leave-one-out and sweep modes, and exit code 2 with every
//! problem named by its argument on bad input (DESIGN.md §11).

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_parindex");

fn run(args: &[&str]) -> Output {
    let mut all = vec!["sensitivity", "--example", "par-demo"];
    all.extend_from_slice(args);
    Command::new(BIN).args(&all).output().expect("parindex runs")
}

#[track_caller]
fn ok(out: &Output) -> String {
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "stderr");
    assert_eq!(out.status.code(), Some(0), "exit code");
    String::from_utf8(out.stdout.clone()).expect("UTF-8")
}

#[track_caller]
fn fails(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(2), "exit code");
    assert!(out.stdout.is_empty());
    String::from_utf8(out.stderr.clone()).expect("UTF-8")
}

#[test]
fn zero_perturbation_reproduces_the_exact_ranks_in_csv() {
    let csv = ok(&run(&["--runs", "300", "--weights", "uniform:0", "--noise", "0", "--format", "csv"]));
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("unit,name,index,nominal_rank,median,low,high,mean_rank,mean_shift,p_top3,p_band_A,p_band_B,p_band_C,p_band_D,p_no_band")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 12);
    for r in &rows {
        assert_eq!((r[4], r[5], r[6]), (r[3], r[3], r[3]), "{r:?}");
        assert_eq!(r[8], "0.0000");
    }
    // The tie at 6th place (89.57) stays a tie.
    let ranks: Vec<&str> = rows.iter().map(|r| r[3]).collect();
    assert_eq!(ranks, ["1", "2", "3", "4", "5", "6", "6", "8", "9", "10", "11", "12"]);
    assert_eq!(rows[5][0], "yen-chau");
}

#[test]
fn same_seed_same_output_and_a_real_interval() {
    let args =
        ["--runs", "3000", "--seed", "7", "--weights", "uniform:0.25", "--noise", "0.1", "--format", "json"];
    let a = ok(&run(&args));
    assert_eq!(a, ok(&run(&args)));
    let other = ok(&run(&[
        "--runs",
        "3000",
        "--seed",
        "8",
        "--weights",
        "uniform:0.25",
        "--noise",
        "0.1",
        "--format",
        "json",
    ]));
    assert_ne!(a, other);
    let table = ok(&run(&["--runs", "3000", "--seed", "7", "--weights", "uniform:0.25", "--noise", "0.1"]));
    assert!(
        table.starts_with("3000 runs, seed 7; sources: weights uniform ±25% (all); noise ±0.1\n"),
        "{table}"
    );
    // Mộc Châu (92.47) and Sở Tư pháp (92.42) trade 3rd and 4th place.
    let moc = table.lines().find(|l| l.contains("Huyện Mộc Châu")).expect("row");
    assert!(moc.contains("3–4"), "{moc}");
}

#[test]
fn exact_leave_one_out_and_sweep() {
    let csv = ok(&run(&["--leave-one-out", "1", "--format", "csv"]));
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("unit,rank,without_1,without_2,without_3,without_4,without_5,without_6,without_7,without_8")
    );
    assert_eq!(lines.next(), Some("so-noi-vu,1,1,1,1,1,1,1,1,1"));
    assert_eq!(lines.next(), Some("so-tu-phap,4,3,4,3,3,4,4,4,3"));
    assert_eq!(csv.lines().last(), Some("max_shift,,1,0,1,2,2,1,1,1"));
    let sweep = ok(&run(&["--sweep", "1", "--unit", "so-tu-phap", "--format", "csv"]));
    let row: Vec<&str> = sweep.lines().nth(1).expect("row").split(',').collect();
    assert_eq!(&row[..4], ["so-tu-phap", "1", "4", "10"]);
    // Leaving domain 1 out (a factor of 0) lifts Sở Tư pháp to 3rd: the range starts above 0.
    let low: f64 = row[4].parse().expect("low");
    assert!(low > 0.0 && low < 1.0, "{row:?}");
}

#[test]
fn bad_input_names_the_argument() {
    let err =
        fails(&run(&["--runs", "0", "--weights", "uniform:1.5", "--noise", "-1", "--percentiles", "50,5"]));
    assert_eq!(
        err,
        "--runs: the number of runs must be at least 1\n\
         --percentiles: invalid percentiles 50 and 5: they must satisfy 0 < low < high ≤ 100\n\
         --weights: invalid spread 1.5: a weight spread of 1 (100 %) or more can make a weight zero or negative\n\
         --noise: invalid spread -1: a spread cannot be negative\n"
    );
    let err = fails(&run(&["--weights", "dirichlet:0", "--drop-level", "7"]));
    assert_eq!(
        err,
        "--weights: invalid concentration 0: a Dirichlet concentration must be positive\n\
         --drop-level: no node at level 7 (levels 1 to 3)\n"
    );
    let err = fails(&run(&["--weights", "normal:1"]));
    assert!(err.starts_with("--weights: invalid value \"normal:1\""), "{err}");
    let err = fails(&run(&[]));
    assert!(err.starts_with("nothing is uncertain"), "{err}");
    let err = fails(&run(&["--sweep", "9", "--unit", "so-tu-phap"]));
    assert_eq!(err, "--sweep: criterion 9: unknown criterion (not in methodology par-demo)\n");
}

/// The golden vector the Python and JavaScript tests also check (same seed, same numbers).
#[test]
fn golden_vector() {
    let json = ok(&run(&[
        "--runs",
        "500",
        "--seed",
        "11",
        "--weights",
        "uniform:0.25",
        "--noise",
        "0.1",
        "--attribution",
        "--format",
        "json",
    ]));
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/expected/par-demo.sensitivity.json");
    assert_eq!(json, std::fs::read_to_string(path).expect("golden file"));
}
