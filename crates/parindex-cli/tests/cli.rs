//! The `parindex` binary end to end: bad input gives exit code 2, nothing on stdout and
//! every problem on stderr in the exact wording below (the messages are API); good input
//! gives exact output.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

const BIN: &str = env!("CARGO_BIN_EXE_parindex");

/// The methodology of every scores test: domains 1 (leaves 1.1 max 2.5, 1.2 max 1.5) and
/// 2 (leaf 2.1 max 6, thresholds `>=95:6 | >=80:3 | else:0`), bands A ≥ 90, B ≥ 80.
const METHODOLOGY: &str = "tiny.methodology.csv";
/// Four valid units, one with an NA and two tied.
const SCORES: &str = "tiny.scores.csv";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("fixtures").join(name)
}

fn fixture_text(name: &str) -> String {
    fs::read_to_string(fixture(name)).expect("fixture is readable UTF-8")
}

/// A fresh directory under the system temp dir, removed on drop. Commands run inside it, so
/// files written here are named relatively in messages (`scores.csv:3:4: …`).
struct Sandbox {
    dir: PathBuf,
}

impl Sandbox {
    fn new() -> Sandbox {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("parindex-cli-test-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("temp dir can be created");
        Sandbox { dir }
    }

    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> &Sandbox {
        fs::write(self.dir.join(name), bytes).expect("temp file can be written");
        self
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(BIN).args(args).current_dir(&self.dir).output().expect("parindex runs")
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("fixture path is UTF-8")
}

/// `parindex score` on the fixture methodology and a scores file `file` with these bytes.
fn score_bytes(file: &str, bytes: impl AsRef<[u8]>, extra: &[&str]) -> Output {
    let sandbox = Sandbox::new();
    sandbox.write(file, bytes);
    let m = fixture(METHODOLOGY);
    let mut args = vec!["score", "--methodology", path_str(&m), "--scores", file];
    args.extend_from_slice(extra);
    sandbox.run(&args)
}

fn score_text(scores: &str) -> Output {
    score_bytes("scores.csv", scores, &[])
}

/// `parindex score` on a methodology file `file` with these bytes and the fixture scores.
fn score_with_methodology(file: &str, bytes: impl AsRef<[u8]>) -> Output {
    let sandbox = Sandbox::new();
    sandbox.write(file, bytes);
    let s = fixture(SCORES);
    sandbox.run(&["score", "--methodology", file, "--scores", path_str(&s)])
}

fn run_in_fixtures(args: &[&str]) -> Output {
    Command::new(BIN).args(args).current_dir(fixture("")).output().expect("parindex runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

/// Exit code 2, nothing on stdout, exactly `stderr` on stderr.
#[track_caller]
fn assert_rejected(out: &Output, stderr: &str) {
    assert_eq!(String::from_utf8_lossy(&out.stderr), stderr);
    assert_eq!(out.status.code(), Some(2), "exit code");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "", "stdout must stay empty");
}

/// Exit code 0 and nothing on stderr; returns stdout.
#[track_caller]
fn assert_ok(out: &Output) -> String {
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "stderr");
    assert_eq!(out.status.code(), Some(0), "exit code");
    stdout(out)
}

// --- bad scores ---------------------------------------------------------------------------

#[test]
fn unknown_criterion_column() {
    let out = score_text("unit,1.1,1.2,2.1,3.1\na,1,1,90,1\n");
    assert_rejected(&out, "scores.csv:1:5: criterion 3.1: unknown criterion (not in methodology tiny)\n");
}

#[test]
fn inner_node_column() {
    let out = score_text("unit,1,1.1,1.2,2.1\na,4,1,1,90\n");
    assert_rejected(
        &out,
        "scores.csv:1:2: criterion 1: criterion has sub-criteria: give points on its leaves\n",
    );
}

#[test]
fn missing_leaf_column() {
    let out = score_text("unit,1.1,2.1\na,1,90\n");
    assert_rejected(&out, "scores.csv:1: criterion 1.2: missing column for leaf criterion\n");
}

#[test]
fn points_above_max() {
    let out = score_text("unit,name,1.1,1.2,2.1\na,A,1,1,90\nb,B,1,2,90\n");
    assert_rejected(&out, "scores.csv:3:4: criterion 1.2: 2 exceeds its maximum 1.5\n");
}

#[test]
fn negative_points() {
    let out = score_text("unit,1.1,1.2,2.1\na,-0.5,1,90\n");
    assert_rejected(&out, "scores.csv:2:2: criterion 1.1: -0.5 is negative\n");
    // A measured value for a thresholds leaf must not be negative either.
    let out = score_text("unit,1.1,1.2,2.1\na,1,1,-90\n");
    assert_rejected(&out, "scores.csv:2:4: criterion 2.1: -90 is negative\n");
}

#[test]
fn non_numeric_text() {
    let out = score_text("unit,1.1,1.2,2.1\na,abc,1,90\n");
    assert_rejected(&out, "scores.csv:2:2: criterion 1.1: \"abc\" is not a number\n");
}

#[test]
fn comma_decimal() {
    // Quoted, as a spreadsheet writes it: one field that is not a number.
    let out = score_text("unit,1.1,1.2,2.1\na,\"2,5\",1,90\n");
    assert_rejected(&out, "scores.csv:2:2: criterion 1.1: \"2,5\" is not a number\n");
    // Unquoted, the comma splits the field and the row is ragged.
    let out = score_text("unit,1.1,1.2,2.1\na,2,5,1,90\n");
    assert_rejected(&out, "scores.csv:2: row has 5 fields, the header has 4 (a decimal comma? write 2.5, and quote text that holds commas)\n");
}

#[test]
fn duplicate_unit_ids() {
    let out = score_text("unit,1.1,1.2,2.1\na,1,1,90\nb,1,1,90\na,2,1,90\n");
    assert_rejected(&out, "scores.csv:4: duplicate unit a (first on row 2)\n");
}

#[test]
fn empty_scores_file() {
    assert_rejected(&score_text(""), "scores.csv: the file is empty\n");
    assert_rejected(&score_text(" \n\n"), "scores.csv: the file is empty\n");
}

#[test]
fn header_only_scores_file() {
    let out = score_text("unit,1.1,1.2,2.1\n");
    assert_rejected(&out, "scores.csv: the file has a header but no rows\n");
}

#[test]
fn blank_cell_is_a_missing_value() {
    let out = score_text("unit,1.1,1.2,2.1\na,1,,90\n");
    assert_rejected(
        &out,
        "scores.csv:2:3: criterion 1.2: missing value (write NA if the criterion does not apply)\n",
    );
}

#[test]
fn ragged_row() {
    let out = score_text("unit,1.1,1.2,2.1\na,1,1,90\nb,1,1\n");
    assert_rejected(&out, "scores.csv:3: row has 3 fields, the header has 4\n");
}

#[test]
fn nothing_applicable() {
    let out = score_text("unit,1.1,1.2,2.1\na,1,1,90\nb,NA,na,N/A\n");
    assert_rejected(&out, "scores.csv:3: no criterion with a positive weight applies to this unit\n");
}

#[test]
fn utf16_scores_file() {
    let mut bytes = vec![0xFF, 0xFE];
    for u in "unit,1.1,1.2,2.1\r\na,1,1,90\r\n".encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let out = score_bytes("scores.csv", &bytes, &[]);
    assert_rejected(&out, "scores.csv: the file is UTF-16 text; save it as \"CSV UTF-8\"\n");
    // Without a byte-order mark, the NUL bytes give it away.
    let out = score_bytes("scores.csv", &bytes[2..], &[]);
    assert_rejected(&out, "scores.csv: the file is UTF-16 text; save it as \"CSV UTF-8\"\n");
}

#[test]
fn non_utf8_scores_file() {
    // "Hà Nội" as a Windows-1258 export: à is the single byte 0xE0.
    let mut bytes = b"unit,name,1.1,1.2,2.1\nhcm,HCM,1,1,90\nhn,H".to_vec();
    bytes.extend_from_slice(b"\xE0 N\xF4i,1,1,90\n");
    let out = score_bytes("scores.csv", &bytes, &[]);
    assert_rejected(&out, "scores.csv:3: the file is not UTF-8 text (byte 0xE0); save it as \"CSV UTF-8\"\n");
}

#[test]
fn several_problems_reported_at_once_in_file_order() {
    let text = "unit,1.1,1.2,2.1\n\
                a,abc,2,90\n\
                b,1,,-5\n\
                b,1,1,1\n\
                c,1,1\n\
                d,2.6,1,x\n";
    let out = score_text(text);
    assert_rejected(
        &out,
        "scores.csv:2:2: criterion 1.1: \"abc\" is not a number\n\
         scores.csv:2:3: criterion 1.2: 2 exceeds its maximum 1.5\n\
         scores.csv:3:3: criterion 1.2: missing value (write NA if the criterion does not apply)\n\
         scores.csv:3:4: criterion 2.1: -5 is negative\n\
         scores.csv:4: duplicate unit b (first on row 3)\n\
         scores.csv:5: row has 3 fields, the header has 4\n\
         scores.csv:6:2: criterion 1.1: 2.6 exceeds its maximum 2.5\n\
         scores.csv:6:4: criterion 2.1: \"x\" is not a number\n",
    );
}

#[test]
fn long_form_duplicate_unit_and_criterion() {
    let text = "unit,criterion,self_assessed,appraised\n\
                a,1.1,2,1.5\n\
                a,1.2,1,1\n\
                a,2.1,,90\n\
                a,1.2,1,0.5\n";
    let out = score_text(text);
    assert_rejected(&out, "scores.csv:5: criterion 1.2: duplicate score for unit a (first on row 3)\n");
}

#[test]
fn missing_scores_file() {
    let sandbox = Sandbox::new();
    let m = fixture(METHODOLOGY);
    let out = sandbox.run(&["score", "--methodology", path_str(&m), "--scores", "nope.csv"]);
    assert_rejected(&out, "nope.csv: cannot read: no such file\n");
}

// --- bad methodologies --------------------------------------------------------------------

#[test]
fn duplicate_node_codes() {
    let out = score_with_methodology(
        "methodology.csv",
        "code,parent,max\n1,,\n1.1,1,2.5\n1.2,1,1.5\n1.1,1,1\n2,,\n2.1,2,6\n",
    );
    assert_rejected(
        &out,
        "methodology.csv:5: criterion 1.1: duplicate criterion code (first defined on row 3)\n",
    );
}

#[test]
fn dangling_parent() {
    let out =
        score_with_methodology("methodology.csv", "code,parent,max\n1,,\n1.1,1,2.5\n1.2,1,1.5\n2.1,2,6\n");
    assert_rejected(&out, "methodology.csv:5: criterion 2.1: parent 2 does not exist\n");
}

#[test]
fn parent_cycle() {
    let out = score_with_methodology("methodology.csv", "code,parent,max\n1,,5\na,b,\nb,a,\nc,a,3\n");
    assert_rejected(&out, "methodology.csv:3: criterion a: parent cycle: a -> b -> a\n");
    let out = score_with_methodology("methodology.csv", "code,parent,max\n1,1,5\n");
    assert_rejected(&out, "methodology.csv:2: criterion 1: parent cycle: 1 -> 1\n");
}

#[test]
fn empty_methodology_file() {
    assert_rejected(&score_with_methodology("methodology.csv", ""), "methodology.csv: the file is empty\n");
}

#[test]
fn header_only_methodology_file() {
    let out = score_with_methodology("methodology.csv", "# id: x\ncode,parent,max\n");
    assert_rejected(&out, "methodology.csv: the file has a header but no rows\n");
    // Metadata and no header at all reads the same.
    let out = score_with_methodology("methodology.csv", "# id: x\n");
    assert_rejected(
        &out,
        "methodology.csv: the file has no header row (expected code,parent,max and optional columns)\n",
    );
}

#[test]
fn utf16_methodology_file() {
    let mut bytes = vec![0xFF, 0xFE];
    for u in fixture_text(METHODOLOGY).encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let out = score_with_methodology("methodology.csv", &bytes);
    assert_rejected(&out, "methodology.csv: the file is UTF-16 text; save it as \"CSV UTF-8\"\n");
}

#[test]
fn several_methodology_problems_at_once() {
    let out =
        score_with_methodology("methodology.csv", "code,parent,max\n1,,\n1.1,1,x\n1.2,1,-1\n1.2,1,1\n2,9,\n");
    assert_rejected(
        &out,
        "methodology.csv:3:3: criterion 1.1: \"x\" is not a number\n\
         methodology.csv:4: criterion 1.2: maximum -1 must be positive\n\
         methodology.csv:5: criterion 1.2: duplicate criterion code (first defined on row 4)\n\
         methodology.csv:6: criterion 2: parent 9 does not exist\n",
    );
}

// --- accepted input and exact output ------------------------------------------------------

const CSV_EXACT: &str = "\
unit,name,group,points,percent,rank,band,1,2
so-tu-phap,Sở Tư pháp,department,10,100,1,A,4,6
so-y-te,Sở Y tế,department,4.5,45,2,,1.5,3
so-xay-dung,Sở Xây dựng,department,4.5,45,2,,1.5,3
huyen-moc-chau,Huyện Mộc Châu,district,2.3529411764705882352941176471,23.529411764705882352941176471,4,,3.2,0
";

#[test]
fn csv_output_is_exact_and_sorted_by_rank() {
    let out =
        run_in_fixtures(&["score", "--methodology", METHODOLOGY, "--scores", SCORES, "--format", "csv"]);
    assert_eq!(assert_ok(&out), CSV_EXACT);
}

#[test]
fn csv_output_rounded() {
    let out = run_in_fixtures(&[
        "score",
        "--methodology",
        METHODOLOGY,
        "--scores",
        SCORES,
        "--format",
        "csv",
        "--round",
        "2",
    ]);
    assert_eq!(
        assert_ok(&out),
        "unit,name,group,points,percent,rank,band,1,2\n\
         so-tu-phap,Sở Tư pháp,department,10.00,100.00,1,A,4.00,6.00\n\
         so-y-te,Sở Y tế,department,4.50,45.00,2,,1.50,3.00\n\
         so-xay-dung,Sở Xây dựng,department,4.50,45.00,2,,1.50,3.00\n\
         huyen-moc-chau,Huyện Mộc Châu,district,2.35,23.53,4,,3.20,0.00\n"
    );
}

#[test]
fn json_output() {
    let out =
        run_in_fixtures(&["score", "--methodology", METHODOLOGY, "--scores", SCORES, "--format", "json"]);
    let json = assert_ok(&out);
    assert!(json.starts_with("{\n") && json.ends_with("}\n"), "{json}");
    assert!(json.contains("\"methodology\": \"tiny\""), "{json}");
    assert!(json.contains("\"unit\": \"huyen-moc-chau\""), "{json}");
    assert!(json.contains("\"published_percent\": \"23.53\""), "{json}");
    assert!(json.contains("\"percent\": \"23.529411764705882352941176471\""), "{json}");
    assert!(json.contains("\"rank\": 4"), "{json}");
    // The NA leaf of huyen-moc-chau has no points.
    assert!(
        json.contains("\"code\": \"1.2\",\n          \"percent\": null,\n          \"points\": null"),
        "{json}"
    );
    // Units come in rank order.
    let first = json.find("so-tu-phap").expect("so-tu-phap");
    let last = json.find("huyen-moc-chau").expect("huyen-moc-chau");
    assert!(first < last);
}

#[test]
fn byte_order_marks_are_accepted() {
    let plain = assert_ok(&run_in_fixtures(&["score", "--methodology", METHODOLOGY, "--scores", SCORES]));
    let sandbox = Sandbox::new();
    sandbox
        .write("m.csv", [b"\xEF\xBB\xBF".as_slice(), fixture_text(METHODOLOGY).as_bytes()].concat())
        .write("s.csv", [b"\xEF\xBB\xBF".as_slice(), fixture_text(SCORES).as_bytes()].concat());
    let with_bom = assert_ok(&sandbox.run(&["score", "--methodology", "m.csv", "--scores", "s.csv"]));
    assert_eq!(with_bom, plain);
    assert!(plain.contains("so-tu-phap"));
}

#[test]
fn nfd_unit_ids_and_names_come_out_nfc() {
    // "hà-nội" / "Hà Nội" decomposed: a + U+0300, o + U+0323 + U+0302.
    let nfd = "unit,name,1.1,1.2,2.1\nha\u{300}-no\u{323}\u{302}i,Ha\u{300} No\u{323}\u{302}i,1,1,90\n";
    let out = score_bytes("scores.csv", nfd, &["--format", "csv"]);
    assert_eq!(assert_ok(&out), "unit,name,group,points,percent,rank,band,1,2\nhà-nội,Hà Nội,,5,50,1,,2,3\n");
    assert!("hà-nội".chars().count() == 6, "the expectation itself is NFC");
}

#[test]
fn bundled_example_par_demo() {
    let out = Command::new(BIN).args(["score", "--example", "par-demo"]).output().expect("parindex runs");
    let table = assert_ok(&out);
    let mut lines = table.lines();
    assert!(lines.next().expect("header").starts_with("Rank  Unit"));
    assert!(lines.next().expect("rule").chars().all(|c| c == '-'));
    let first = lines.next().expect("first data row");
    assert!(first.contains("so-noi-vu"), "{table}");
    assert!(first.trim_start().starts_with("1 "), "{table}");
}

#[test]
fn unknown_example() {
    let out = Command::new(BIN).args(["score", "--example", "nope"]).output().expect("parindex runs");
    assert_rejected(&out, "unknown example \"nope\" (known: par-demo, par-demo-2022, par-2020)\n");
    let out = Command::new(BIN).args(["methodology", "--example", "nope"]).output().expect("parindex runs");
    assert_rejected(&out, "unknown example \"nope\" (known: par-demo, par-2020, pci-2016, papi-2016)\n");
}

#[test]
fn methodology_json_round_trips_through_csv() {
    let run = |args: &[&str], sandbox: &Sandbox| assert_ok(&sandbox.run(args));
    let sandbox = Sandbox::new();
    let json = run(&["methodology", "--example", "pci-2016", "--to", "json"], &sandbox);
    assert!(json.contains("\"id\": \"pci-2016\""), "{json}");
    sandbox.write("pci.json", &json);
    let via_json = run(&["methodology", "pci.json", "--to", "csv"], &sandbox);
    let direct = run(&["methodology", "--example", "pci-2016", "--to", "csv"], &sandbox);
    assert_eq!(via_json, direct);
    assert!(direct.starts_with("# id: pci-2016\n"), "{direct}");
    // And JSON back to JSON is a fixed point.
    assert_eq!(run(&["methodology", "pci.json", "--to", "json"], &sandbox), json);
}
