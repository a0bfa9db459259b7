//! `parindex dossiers` end to end: exact output on the bundled illustrative dossier list
//! (`data/examples/dossiers-demo.csv`), and exit code 2 with every problem on stderr, in the
//! exact wording below, on bad input.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

const BIN: &str = env!("CARGO_BIN_EXE_parindex");

const HEADER: &str = "unit,dossier_id,received,due,completed\n";

/// The workspace root, where `data/` lives.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("..")
}

/// `parindex dossiers data/examples/dossiers-demo.csv ARGS…`, run from the workspace root.
fn demo(args: &[&str]) -> Output {
    let mut all = vec!["dossiers", "data/examples/dossiers-demo.csv"];
    all.extend_from_slice(args);
    Command::new(BIN).args(all).current_dir(root()).output().expect("parindex runs")
}

/// `parindex dossiers FILE ARGS…` on a file `file` with these bytes, in a fresh directory
/// (so the file is named relatively in messages), removed afterwards.
fn dossiers_bytes(file: &str, bytes: impl AsRef<[u8]>, args: &[&str]) -> Output {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("parindex-dossiers-test-{}-{n}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("temp dir can be created");
    fs::write(dir.join(file), bytes).expect("temp file can be written");
    let mut all = vec!["dossiers", file];
    all.extend_from_slice(args);
    let out = Command::new(BIN).args(all).current_dir(&dir).output().expect("parindex runs");
    let _ = fs::remove_dir_all(&dir);
    out
}

fn dossiers_text(text: &str) -> Output {
    dossiers_bytes("dossiers.csv", text, &[])
}

/// Exit code 0 and nothing on stderr; returns stdout.
#[track_caller]
fn assert_ok(out: &Output) -> String {
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "stderr");
    assert_eq!(out.status.code(), Some(0), "exit code");
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

/// Exit code 2, nothing on stdout, exactly `stderr` on stderr.
#[track_caller]
fn assert_rejected(out: &Output, stderr: &str) {
    assert_eq!(String::from_utf8_lossy(&out.stderr), stderr);
    assert_eq!(out.status.code(), Some(2), "exit code");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "", "stdout must stay empty");
}

// --- the demo file -----------------------------------------------------------------------

#[test]
fn demo_table_as_of_the_last_activity() {
    // The last received or completed date in the file is 2024-03-29 (SNV-2024-0010 received).
    assert_eq!(
        assert_ok(&demo(&[])),
        "\
Unit       Received  Early  On time  Late  Open  Overdue  On time %
-------------------------------------------------------------------
so-noi-vu        10      7        2     0     1        0     100.00
tp-son-la        12      6        3     1     2        1      90.00
van-ho            8      3        2     1     2        1      83.33

as of 2024-03-29
"
    );
}

#[test]
fn demo_csv_is_exact() {
    assert_eq!(
        assert_ok(&demo(&["--format", "csv"])),
        "\
unit,received,early,on_time,late,open,overdue,on_time_rate
so-noi-vu,10,7,2,0,1,0,100
tp-son-la,12,6,3,1,2,1,90
van-ho,8,3,2,1,2,1,83.33333333333333333333333333
"
    );
}

#[test]
fn demo_json() {
    assert_eq!(
        assert_ok(&demo(&["--format", "json", "--round", "2"])),
        r#"{
  "format_version": 1,
  "as_of": "2024-03-29",
  "units": [
    {
      "unit": "so-noi-vu",
      "received": 10,
      "early": 7,
      "on_time": 2,
      "late": 0,
      "open": 1,
      "overdue": 0,
      "on_time_rate": "100.00"
    },
    {
      "unit": "tp-son-la",
      "received": 12,
      "early": 6,
      "on_time": 3,
      "late": 1,
      "open": 2,
      "overdue": 1,
      "on_time_rate": "90.00"
    },
    {
      "unit": "van-ho",
      "received": 8,
      "early": 3,
      "on_time": 2,
      "late": 1,
      "open": 2,
      "overdue": 1,
      "on_time_rate": "83.33"
    }
  ]
}
"#
    );
}

#[test]
fn demo_markdown_rounded() {
    assert_eq!(
        assert_ok(&demo(&["--format", "markdown", "--round", "1"])),
        "\
| Unit      | Received | Early | On time | Late | Open | Overdue | On time % |
| --------- | -------: | ----: | ------: | ---: | ---: | ------: | --------: |
| so-noi-vu |       10 |     7 |       2 |    0 |    1 |       0 |     100.0 |
| tp-son-la |       12 |     6 |       3 |    1 |    2 |       1 |      90.0 |
| van-ho    |        8 |     3 |       2 |    1 |    2 |       1 |      83.3 |

as of 2024-03-29
"
    );
}

#[test]
fn demo_as_of_an_earlier_day_is_a_snapshot() {
    // On 15 March: dossiers received later are not counted; TPSL-2024-0009 (completed on the
    // 16th) and SNV-2024-0008 (the 20th) were still open.
    let expected = "\
unit,received,early,on_time,late,open,overdue,on_time_rate
so-noi-vu,8,5,2,0,1,0,100.00
tp-son-la,11,5,2,1,3,0,87.50
van-ho,7,3,2,1,1,0,83.33
";
    assert_eq!(assert_ok(&demo(&["--as-of", "2024-03-15", "--format", "csv", "--round", "2"])), expected);
    assert_eq!(assert_ok(&demo(&["--as-of", "15/03/2024", "--format", "csv", "--round", "2"])), expected);
}

#[test]
fn demo_as_of_a_later_day_makes_open_dossiers_overdue() {
    let out = assert_ok(&demo(&["--as-of", "2024-04-30", "--format", "csv"]));
    assert_eq!(
        out,
        "\
unit,received,early,on_time,late,open,overdue,on_time_rate
so-noi-vu,10,7,2,0,1,1,100
tp-son-la,12,6,3,1,2,2,90
van-ho,8,3,2,1,2,2,83.33333333333333333333333333
"
    );
}

// --- small files ---------------------------------------------------------------------------

#[test]
fn boundaries_on_the_due_date() {
    // Received 1 March, due 5 March; counted as of 5 March.
    let text = format!(
        "{HEADER}\
         u,early,2024-03-01,2024-03-05,2024-03-04\n\
         u,on-time,2024-03-01,2024-03-05,05/03/2024\n\
         u,same-day,2024-03-01,2024-03-01,2024-03-01\n\
         u,open-due-today,2024-03-01,2024-03-05,\n\
         u,open-overdue,2024-03-01,2024-03-04,\n"
    );
    assert_eq!(
        assert_ok(&dossiers_bytes("d.csv", text, &["--as-of", "2024-03-05", "--format", "csv"])),
        "unit,received,early,on_time,late,open,overdue,on_time_rate\nu,5,1,2,0,2,1,100\n"
    );
}

#[test]
fn nothing_completed_has_no_rate() {
    let text = format!("{HEADER}u,1,2024-03-01,2024-03-05,\n");
    assert_eq!(
        assert_ok(&dossiers_bytes("d.csv", text, &["--format", "csv"])),
        "unit,received,early,on_time,late,open,overdue,on_time_rate\nu,1,0,0,0,1,0,NA\n"
    );
}

#[test]
fn excel_csv_utf8_with_bom_and_crlf() {
    let text =
        format!("\u{FEFF}{}Sở Nội vụ,1,2024-03-01,2024-03-05,2024-03-06\r\n", HEADER.replace('\n', "\r\n"));
    assert_eq!(
        assert_ok(&dossiers_bytes("d.csv", text, &["--format", "csv"])),
        "unit,received,early,on_time,late,open,overdue,on_time_rate\nSở Nội vụ,1,0,0,1,0,0,0\n"
    );
}

// --- bad input -----------------------------------------------------------------------------

#[test]
fn impossible_date() {
    let out = dossiers_text(&format!("{HEADER}so-noi-vu,HS-1,31/02/2024,2024-03-10,\n"));
    assert_rejected(&out, "dossiers.csv:2:3: \"31/02/2024\" is not a date\n");
}

#[test]
fn every_problem_at_once_in_file_order() {
    let text = format!(
        "{HEADER}\
         so-noi-vu,HS-1,2024-03-04,2024-03-11,2024-03-01\n\
         so-noi-vu,HS-2,2024-03-04,2024-03-01,\n\
         so-noi-vu,HS-1,2024-03-05,2024-03-12,\n\
         van-ho,HS-1,2024-03-05,2024-03-12,\n\
         ,HS-3,,2024-03-12,2024/03/12\n\
         van-ho,HS-4,12/31/2024,2024-03-12\n\
         van-ho,,2024-03-05,2024-03-12,\n"
    );
    assert_rejected(
        &dossiers_text(&text),
        "\
dossiers.csv:2:5: dossier HS-1 was completed 2024-03-01, before it was received 2024-03-04
dossiers.csv:3:4: dossier HS-2 is due 2024-03-01, before it was received 2024-03-04
dossiers.csv:4:2: duplicate dossier HS-1 (first on row 2)
dossiers.csv:6:1: unit is blank
dossiers.csv:6:3: received is blank
dossiers.csv:6:5: \"2024/03/12\" is not a date
dossiers.csv:7: row has 4 fields, the header has 5
dossiers.csv:8:2: dossier_id is blank
",
    );
}

#[test]
fn unknown_duplicate_and_missing_columns() {
    assert_rejected(
        &dossiers_text("unit,dossier_id,received,due,completed,note,unit\n"),
        "dossiers.csv:1:6: unknown column note\ndossiers.csv:1:7: duplicate column unit\n",
    );
    assert_rejected(
        &dossiers_text("unit,id,received,due\n"),
        "dossiers.csv:1:2: unknown column id\n\
         dossiers.csv:1: missing column dossier_id\n\
         dossiers.csv:1: missing column completed\n",
    );
}

#[test]
fn empty_and_header_only_files() {
    assert_rejected(&dossiers_text(""), "dossiers.csv: the file is empty\n");
    assert_rejected(&dossiers_text(HEADER), "dossiers.csv: the file has a header but no rows\n");
}

#[test]
fn utf16_file() {
    let bytes: Vec<u8> =
        [0xFF, 0xFE].into_iter().chain(HEADER.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    assert_rejected(
        &dossiers_bytes("dossiers.csv", bytes, &[]),
        "dossiers.csv: the file is UTF-16 text; save it as \"CSV UTF-8\"\n",
    );
}

#[test]
fn bad_as_of() {
    let text = format!("{HEADER}u,1,2024-03-01,2024-03-05,\n");
    assert_rejected(
        &dossiers_bytes("d.csv", text, &["--as-of", "2024-02-30"]),
        "--as-of: \"2024-02-30\" is not a date\n",
    );
}

#[test]
fn missing_file() {
    let out =
        Command::new(BIN).args(["dossiers", "no-such-file.csv"]).current_dir(root()).output().expect("runs");
    assert_rejected(&out, "no-such-file.csv: cannot read: no such file\n");
}

#[test]
fn unknown_format_is_a_usage_error() {
    let out = demo(&["--format", "xlsx"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid value 'xlsx' for '--format <FORMAT>'"));
}

#[test]
fn on_time_rates_as_score_rows_for_a_threshold_leaf() {
    let out = assert_ok(&demo(&["--as-leaf", "3.4.1", "--round", "2"]));
    assert_eq!(
        out,
        "unit,criterion,value,note\n\
         so-noi-vu,3.4.1,100.00,on-time rate of 9 completed dossiers as of 2024-03-29 (7 early; 2 on time; 0 late)\n\
         tp-son-la,3.4.1,90.00,on-time rate of 10 completed dossiers as of 2024-03-29 (6 early; 3 on time; 1 late)\n\
         van-ho,3.4.1,83.33,on-time rate of 6 completed dossiers as of 2024-03-29 (3 early; 2 on time; 1 late)\n"
    );
}
