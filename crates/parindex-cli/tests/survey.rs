//! `parindex survey` end to end: the golden documents of the bundled sipas-demo survey,
//! tallies saved by parts and merged, survey values for methodology leaves, and exit code 2
//! with every problem located on bad input.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_parindex");

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("..")
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).current_dir(root()).output().expect("parindex runs")
}

fn stdout(out: &Output) -> String {
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).expect("UTF-8")
}

fn golden(name: &str) -> String {
    fs::read_to_string(root().join("data/expected").join(name)).expect("golden file")
}

const Q: &str = "data/survey/sipas-demo.questionnaire.json";
const R: &str = "data/survey/sipas-demo.responses.csv";

#[test]
fn bundled_survey_matches_its_golden_documents() {
    assert_eq!(
        stdout(&run(&["survey", "--example", "sipas-demo", "--format", "json"])),
        golden("sipas-demo.survey.json")
    );
    let csv = stdout(&run(&["survey", "--example", "sipas-demo", "--format", "csv", "--round", "6"]));
    assert_eq!(csv, golden("sipas-demo.survey.round6.csv"));
    // The files give what the bundled example gives.
    let files =
        stdout(&run(&["survey", "--questionnaire", Q, "--responses", R, "--format", "csv", "--round", "6"]));
    assert_eq!(files, csv);
}

#[test]
fn tallies_saved_by_parts_merge_into_the_whole() {
    let dir = std::env::temp_dir().join(format!("parindex-survey-test-{}", std::process::id()));
    fs::create_dir_all(&dir).expect("temp dir");
    let text = fs::read_to_string(root().join(R)).expect("responses");
    let (header, body) = text.split_once('\n').expect("header");
    let rows: Vec<&str> = body.lines().collect();
    let mut tallies = Vec::new();
    for (i, chunk) in rows.chunks(400).enumerate() {
        let part = dir.join(format!("part{i}.csv"));
        fs::write(&part, format!("{header}\n{}\n", chunk.join("\n"))).expect("part");
        let tally = dir.join(format!("part{i}.tally.json"));
        let out = run(&[
            "survey",
            "--questionnaire",
            Q,
            "--responses",
            part.to_str().expect("path"),
            "--save-tally",
            tally.to_str().expect("path"),
        ]);
        stdout(&out);
        tallies.push(tally.to_string_lossy().into_owned());
    }
    let mut args = vec!["survey", "--questionnaire", Q, "--format", "csv", "--round", "6", "--tally"];
    args.extend(tallies.iter().map(String::as_str));
    let merged = stdout(&run(&args));
    let _ = fs::remove_dir_all(&dir);
    // Three-decimal weights: sums may differ in the last bits, so compare at 6 places.
    assert_eq!(merged, golden("sipas-demo.survey.round6.csv"));
}

#[test]
fn survey_values_feed_methodology_leaves() {
    let out = stdout(&run(&[
        "survey",
        "--example",
        "sipas-demo",
        "--leaf",
        "8.1.1=element:procedures",
        "--leaf",
        "8.1.2=element:civil_servants",
        "--leaf",
        "8.1.3=element:results",
        "--methodology",
        "data/methodologies/par-demo.methodology.csv",
    ]));
    assert_eq!(out, golden("sipas-demo.leaves.csv"));
    // 8.1.1 has a maximum of 2.5 points: points = 2.5 × the procedures index.
    let line = out.lines().find(|l| l.starts_with("so-y-te,8.1.1,")).expect("so-y-te row");
    assert!(line.contains("element procedures"), "{line}");
    let json = stdout(&run(&["survey", "--example", "sipas-demo", "--format", "json"]));
    let pos = json.find("\"id\": \"so-y-te\"").expect("so-y-te domain");
    let index_at =
        json[pos..].find("\"element\": \"procedures\",\n          \"items\": 2").expect("element") + pos;
    let index: f64 = json[index_at..]
        .lines()
        .find_map(|l| l.trim().strip_prefix("\"index\": "))
        .and_then(|v| v.trim_end_matches(',').parse().ok())
        .expect("index");
    let points: f64 = line.split(',').nth(2).and_then(|v| v.parse().ok()).expect("points");
    assert!((points - 2.5 * index).abs() < 1e-12, "{points} vs 2.5 × {index}");
}

#[test]
fn bad_responses_exit_2_with_every_problem_located() {
    let dir = std::env::temp_dir().join(format!("parindex-survey-bad-{}", std::process::id()));
    fs::create_dir_all(&dir).expect("temp dir");
    let bad = "respondent,unit,group,weight,stratum,cluster,A1,A2,P1,P2,C1,C2,Y1,R1,R2,F1,E1\n\
               1,so-y-te,citizen,-1,a,b,6,4,4,4,4,4,0,1,4,4,1;2;3;4\n\
               1,so-y-te,business,1,a,b,4,4,4,4,4,4,0,1,4,4,1\n\
               2,,citizen,x,a,b,4,4,4,4,4,4,0,9,4,four,\n";
    fs::write(dir.join("bad.csv"), bad).expect("file");
    let units = dir.join("units.csv");
    fs::write(&units, "unit,population\nso-y-te,1200\n").expect("units");
    let out = Command::new(BIN)
        .args(["survey", "--questionnaire", root().join(Q).to_str().expect("path"), "--responses", "bad.csv"])
        .args(["--units", units.to_str().expect("path")])
        .current_dir(&dir)
        .output()
        .expect("runs");
    let _ = fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing half-written");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "bad.csv:2:4: design weight \"-1\" must be a finite number >= 0\n\
         bad.csv:2:7: item A1: answer 6 is outside the scale (1–5)\n\
         bad.csv:2:17: item E1: 4 priorities chosen, at most 3 allowed\n\
         bad.csv:3:1: respondent 1 appears twice (first earlier in the file)\n\
         bad.csv:3:17: item E1: the form of group business does not ask this item; leave it blank\n\
         bad.csv:4:2: unit is blank\n\
         bad.csv:4:4: design weight \"x\" must be a finite number >= 0\n\
         bad.csv:4:14: item R1: answer 9 is outside the scale (1, 2, 3, 4)\n\
         bad.csv:4:16: item F1: \"four\" is not a number\n"
    );
}

#[test]
fn populations_set_the_required_sample() {
    let dir = std::env::temp_dir().join(format!("parindex-survey-units-{}", std::process::id()));
    fs::create_dir_all(&dir).expect("temp dir");
    let units = dir.join("units.csv");
    let ids = [
        "so-noi-vu",
        "so-tu-phap",
        "so-tai-chinh",
        "so-y-te",
        "so-xay-dung",
        "so-gd-dt",
        "tp-son-la",
        "moc-chau",
        "yen-chau",
        "mai-son",
        "song-ma",
    ];
    let mut text = String::from("unit,name,population\n");
    for id in ids {
        text.push_str(&format!("{id},,150\n"));
    }
    fs::write(&units, &text).expect("units");
    let u = units.to_str().expect("path");
    // van-ho is missing from the units file: an unknown unit.
    let out = run(&["survey", "--questionnaire", Q, "--responses", R, "--units", u]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.lines().all(|l| l.contains("unknown unit \"van-ho\"")), "{err}");
    fs::write(&units, format!("{text}van-ho,,100000\n")).expect("units");
    let json = stdout(&run(&[
        "survey",
        "--questionnaire",
        Q,
        "--responses",
        R,
        "--units",
        u,
        "--format",
        "json",
        "--by",
        "unit",
    ]));
    let _ = fs::remove_dir_all(&dir);
    // N = 150, e = 5 %: n = 150 / (1 + 150 · 0.0025) = 109.09 → 110; N = 100,000 → 399.
    assert_eq!(json.matches("\"required\": 110").count(), 11);
    assert_eq!(json.matches("\"required\": 399").count(), 1);
}

#[test]
fn survey_results_write_an_uncertainty_source_for_sensitivity() {
    let args = [
        "survey",
        "--example",
        "sipas-demo",
        "--uncertainty-leaf",
        "8.1.1=item:A1",
        "--uncertainty-leaf",
        "8.1.2=item:C1",
    ];
    let doc = stdout(&run(&args));
    assert_eq!(doc, golden("sipas-demo.uncertainty.json"));
    // Each share and standard error is the survey's estimate of the item for that unit.
    let csv = stdout(&run(&["survey", "--example", "sipas-demo", "--by", "unit", "--format", "csv"]));
    let row: Vec<&str> =
        csv.lines().find(|l| l.starts_with("unit,so-y-te,item,C1,")).expect("C1 row").split(',').collect();
    let leaf = &doc[doc.find("\"8.1.2\"").expect("leaf 8.1.2")..];
    let unit = &leaf[leaf.find("\"so-y-te\"").expect("so-y-te")..];
    let field = |name: &str| -> f64 {
        let at = unit.find(&format!("\"{name}\": \"")).expect(name) + name.len() + 5;
        unit[at..at + unit[at..].find('"').expect("end")].parse().expect("number")
    };
    assert!((field("share") - row[7].parse::<f64>().expect("share")).abs() < 1e-12, "{row:?}");
    assert!((field("se") - row[11].parse::<f64>().expect("se")).abs() < 1e-15, "{row:?}");
    let first = &doc[..doc.find("\"8.1.2\"").expect("leaf 8.1.2")];
    assert_eq!(first.matches("\"share\"").count(), 12, "every unit of sipas-demo on 8.1.1");
    // Fed to `parindex sensitivity`, it gives the golden analysis (the Python and Node tests
    // compare their own runs with the same file).
    let out = stdout(&run(&[
        "sensitivity",
        "--example",
        "par-demo",
        "--weights",
        "uniform:0.1",
        "--uncertainty",
        "data/expected/sipas-demo.uncertainty.json",
        "--runs",
        "300",
        "--seed",
        "7",
        "--attribution",
        "--format",
        "json",
    ]));
    assert_eq!(out, golden("par-demo.sensitivity.survey.json"));
    assert!(out.contains("\"survey (8.1.1, 8.1.2)\""));
}

#[test]
fn an_uncertainty_leaf_without_a_standard_error_exits_2_with_every_problem() {
    let out = run(&[
        "survey",
        "--example",
        "sipas-demo",
        "--uncertainty-leaf",
        "8.1.1=element:zz",
        "--uncertainty-leaf",
        "8.1.2=item:ZZ",
        "--uncertainty-leaf",
        "8.1.3",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 3, "{err}");
    assert!(err.contains("--uncertainty-leaf 8.1.3: write CODE="), "{err}");
    assert!(
        err.contains("--uncertainty-leaf 8.1.1=element:zz: ")
            && err.contains("zz is not in the questionnaire"),
        "{err}"
    );
    assert!(
        err.contains("--uncertainty-leaf 8.1.2=item:ZZ: ") && err.contains("ZZ is not in the questionnaire"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn an_uncertainty_leaf_takes_an_element_or_the_overall_index_with_its_standard_error() {
    let out = stdout(&run(&[
        "survey",
        "--example",
        "sipas-demo",
        "--uncertainty-leaf",
        "8.1.1=element:access",
        "--uncertainty-leaf",
        "8.1.2=overall",
    ]));
    let csv = stdout(&run(&["survey", "--example", "sipas-demo", "--format", "csv"]));
    // The standard errors of the results (column se), as their shortest decimal text.
    let se = |level: &str, code: &str| -> String {
        let row = csv.lines().find(|l| l.starts_with(&format!("unit,so-y-te,{level},{code},"))).expect("row");
        row.split(',').nth(11).expect("se").to_string()
    };
    let entry = |leaf: &str| -> String {
        let at = out.find(&format!("\"{leaf}\": {{")).expect("leaf");
        let from = at + out[at..].find("\"so-y-te\"").expect("unit");
        let se = from + out[from..].find("\"se\": \"").expect("se") + 7;
        out[se..se + out[se..].find('"').expect("end")].to_string()
    };
    assert!(!se("element", "access").is_empty());
    assert_eq!(entry("8.1.1"), se("element", "access"));
    assert_eq!(entry("8.1.2"), se("overall", ""));
    assert_eq!(out.matches("\"share\"").count(), 24, "12 units × 2 leaves");
}

#[test]
fn an_uncertainty_leaf_needs_unit_estimates() {
    // Estimated for everyone only: no unit's share to draw, which would change nothing.
    let out =
        run(&["survey", "--example", "sipas-demo", "--by", "all", "--uncertainty-leaf", "8.1.1=item:A1"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "--uncertainty-leaf 8.1.1=item:A1: criterion 8.1.1: the survey results \
         hold no unit's share of item A1 with a standard error (estimate by unit)\n"
    );
    assert!(out.stdout.is_empty());
}
