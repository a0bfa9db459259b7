//! `parindex rank`: the ranked table of a published decision's annex, end to end. Exact
//! outputs on a tiny fixture with ties under every policy and a unit scored but not ranked.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

const BIN: &str = env!("CARGO_BIN_EXE_parindex");

/// Domains 1 (1.1 max 2.5, 1.2 max 1.5) and 2 (2.1 max 6, `>=95:6 | >=80:3 | else:0`), bands
/// A ≥ 90, B ≥ 80; competition ties, exact values.
const METHODOLOGY: &str = "tiny.methodology.csv";
/// The same tree with `# ties: ordinal` and `# tie_break: 2; 1.1`.
const ORDINAL: &str = "rank.methodology.csv";
/// Eight units: so-y-te, so-xay-dung and huyen-moc-chau tie at 6 points (60 %); huyen-mai-son
/// (9.5) and huyen-yen-chau (9.4999) both publish 95.00; so-noi-vu is not ranked (10 points).
/// By hand, 2.1 gives 3 points to all three tied units; on 1.1 they have 2, 1.5 and 2.
const SCORES: &str = "rank.scores.csv";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("fixtures")
}

/// `parindex ARGS` run in the fixtures folder.
fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).current_dir(fixtures()).output().expect("parindex runs")
}

/// `parindex rank` on the tiny fixture, with extra arguments.
fn rank(methodology: &str, extra: &[&str]) -> String {
    let mut args = vec!["rank", "--methodology", methodology, "--scores", SCORES];
    args.extend_from_slice(extra);
    assert_ok(&run(&args))
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

/// A fresh directory, removed on drop; commands run inside it so files are named relatively.
struct Sandbox {
    dir: PathBuf,
}

impl Sandbox {
    fn new() -> Sandbox {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("parindex-rank-test-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("temp dir can be created");
        Sandbox { dir }
    }

    fn write(&self, name: &str, text: &str) -> &Sandbox {
        fs::write(self.dir.join(name), text).expect("temp file can be written");
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

/// The fixture's CSV ranking in the default (overall) order, with this rank column.
fn csv_with_ranks(ranks: [&str; 7]) -> String {
    let rows = [
        "so-tu-phap,Sở Tư pháp,department,10,100,A",
        "huyen-mai-son,Huyện Mai Sơn,district,9.5,95,A",
        "huyen-yen-chau,Huyện Yên Châu,district,9.4999,94.999,A",
        "so-y-te,Sở Y tế,department,6,60,",
        "so-xay-dung,Sở Xây dựng,department,6,60,",
        "huyen-moc-chau,Huyện Mộc Châu,district,6,60,",
        "huyen-van-ho,Huyện Vân Hồ,district,1.5,15,",
    ];
    let mut out = String::from("rank,unit,name,group,points,percent,band\n");
    for (r, row) in ranks.iter().zip(rows) {
        out.push_str(&format!("{r},{row}\n"));
    }
    out.push_str(",so-noi-vu,Sở Nội vụ,department,10,100,A\n");
    out
}

/// The default: one table, competition ties ("1224"), the unit not ranked apart.
const TABLE: &str = "\
Rank  Unit            Name            Group       Points  Index %  Band
-----------------------------------------------------------------------
   1  so-tu-phap      Sở Tư pháp      department   10.00   100.00  A
   2  huyen-mai-son   Huyện Mai Sơn   district      9.50    95.00  A
   3  huyen-yen-chau  Huyện Yên Châu  district      9.50    95.00  A
   4  so-y-te         Sở Y tế         department    6.00    60.00
   4  so-xay-dung     Sở Xây dựng     department    6.00    60.00
   4  huyen-moc-chau  Huyện Mộc Châu  district      6.00    60.00
   7  huyen-van-ho    Huyện Vân Hồ    district      1.50    15.00

Not ranked
Rank  Unit            Name            Group       Points  Index %  Band
-----------------------------------------------------------------------
      so-noi-vu       Sở Nội vụ       department   10.00   100.00  A
";

/// `--by-group --lang vi --format markdown`: ranks within each group.
const BY_GROUP_VI_MARKDOWN: &str = "\
### Nhóm: department

| Xếp hạng | Đơn vị         | Tên đơn vị     | Nhóm       |  Điểm | Chỉ số (%) | Xếp loại |
| -------: | -------------- | -------------- | ---------- | ----: | ---------: | -------- |
|        1 | so-tu-phap     | Sở Tư pháp     | department | 10.00 |     100.00 | A        |
|        2 | so-y-te        | Sở Y tế        | department |  6.00 |      60.00 |          |
|        2 | so-xay-dung    | Sở Xây dựng    | department |  6.00 |      60.00 |          |

### Nhóm: district

| Xếp hạng | Đơn vị         | Tên đơn vị     | Nhóm       |  Điểm | Chỉ số (%) | Xếp loại |
| -------: | -------------- | -------------- | ---------- | ----: | ---------: | -------- |
|        1 | huyen-mai-son  | Huyện Mai Sơn  | district   |  9.50 |      95.00 | A        |
|        2 | huyen-yen-chau | Huyện Yên Châu | district   |  9.50 |      95.00 | A        |
|        3 | huyen-moc-chau | Huyện Mộc Châu | district   |  6.00 |      60.00 |          |
|        4 | huyen-van-ho   | Huyện Vân Hồ   | district   |  1.50 |      15.00 |          |

### Không xếp hạng

| Xếp hạng | Đơn vị         | Tên đơn vị     | Nhóm       |  Điểm | Chỉ số (%) | Xếp loại |
| -------: | -------------- | -------------- | ---------- | ----: | ---------: | -------- |
|          | so-noi-vu      | Sở Nội vụ      | department | 10.00 |     100.00 | A        |
";

/// `--by-group --format csv`: exact values, the sections one after the other.
const BY_GROUP_CSV: &str = "\
rank,unit,name,group,points,percent,band
1,so-tu-phap,Sở Tư pháp,department,10,100,A
2,so-y-te,Sở Y tế,department,6,60,
2,so-xay-dung,Sở Xây dựng,department,6,60,
1,huyen-mai-son,Huyện Mai Sơn,district,9.5,95,A
2,huyen-yen-chau,Huyện Yên Châu,district,9.4999,94.999,A
3,huyen-moc-chau,Huyện Mộc Châu,district,6,60,
4,huyen-van-ho,Huyện Vân Hồ,district,1.5,15,
,so-noi-vu,Sở Nội vụ,department,10,100,A
";

/// `--by-group --format json --round 2`.
const BY_GROUP_JSON: &str = "\
{
  \"by_group\": true,
  \"format_version\": 1,
  \"methodology\": \"tiny\",
  \"rank_on\": \"exact\",
  \"ties\": \"competition\",
  \"units\": [
    {
      \"band\": \"A\",
      \"group\": \"department\",
      \"group_rank\": 1,
      \"group_size\": 3,
      \"name\": \"Sở Tư pháp\",
      \"percent\": \"100.00\",
      \"points\": \"10.00\",
      \"published_percent\": \"100.00\",
      \"rank\": 1,
      \"unit\": \"so-tu-phap\"
    },
    {
      \"band\": null,
      \"group\": \"department\",
      \"group_rank\": 2,
      \"group_size\": 3,
      \"name\": \"Sở Y tế\",
      \"percent\": \"60.00\",
      \"points\": \"6.00\",
      \"published_percent\": \"60.00\",
      \"rank\": 4,
      \"unit\": \"so-y-te\"
    },
    {
      \"band\": null,
      \"group\": \"department\",
      \"group_rank\": 2,
      \"group_size\": 3,
      \"name\": \"Sở Xây dựng\",
      \"percent\": \"60.00\",
      \"points\": \"6.00\",
      \"published_percent\": \"60.00\",
      \"rank\": 4,
      \"unit\": \"so-xay-dung\"
    },
    {
      \"band\": \"A\",
      \"group\": \"district\",
      \"group_rank\": 1,
      \"group_size\": 4,
      \"name\": \"Huyện Mai Sơn\",
      \"percent\": \"95.00\",
      \"points\": \"9.50\",
      \"published_percent\": \"95.00\",
      \"rank\": 2,
      \"unit\": \"huyen-mai-son\"
    },
    {
      \"band\": \"A\",
      \"group\": \"district\",
      \"group_rank\": 2,
      \"group_size\": 4,
      \"name\": \"Huyện Yên Châu\",
      \"percent\": \"95.00\",
      \"points\": \"9.50\",
      \"published_percent\": \"95.00\",
      \"rank\": 3,
      \"unit\": \"huyen-yen-chau\"
    },
    {
      \"band\": null,
      \"group\": \"district\",
      \"group_rank\": 3,
      \"group_size\": 4,
      \"name\": \"Huyện Mộc Châu\",
      \"percent\": \"60.00\",
      \"points\": \"6.00\",
      \"published_percent\": \"60.00\",
      \"rank\": 4,
      \"unit\": \"huyen-moc-chau\"
    },
    {
      \"band\": null,
      \"group\": \"district\",
      \"group_rank\": 4,
      \"group_size\": 4,
      \"name\": \"Huyện Vân Hồ\",
      \"percent\": \"15.00\",
      \"points\": \"1.50\",
      \"published_percent\": \"15.00\",
      \"rank\": 7,
      \"unit\": \"huyen-van-ho\"
    },
    {
      \"band\": \"A\",
      \"group\": \"department\",
      \"group_rank\": null,
      \"group_size\": null,
      \"name\": \"Sở Nội vụ\",
      \"percent\": \"100.00\",
      \"points\": \"10.00\",
      \"published_percent\": \"100.00\",
      \"rank\": null,
      \"unit\": \"so-noi-vu\"
    }
  ]
}
";

/// `parindex rank --example par-demo --by-group --lang vi`.
const PAR_DEMO_BY_GROUP_VI: &str = "\
Nhóm: department
Xếp hạng  Đơn vị        Tên đơn vị              Nhóm         Điểm  Chỉ số (%)  Xếp loại
---------------------------------------------------------------------------------------
       1  so-noi-vu     Sở Nội vụ               department  95.77       95.77  A
       2  so-tu-phap    Sở Tư pháp              department  92.42       92.42  A
       3  so-tai-chinh  Sở Tài chính            department  90.02       90.02  A
       4  so-gd-dt      Sở Giáo dục và Đào tạo  department  87.20       87.20  B
       5  so-xay-dung   Sở Xây dựng             department  86.90       86.90  B
       6  so-y-te       Sở Y tế                 department  77.34       77.34  C

Nhóm: district
Xếp hạng  Đơn vị        Tên đơn vị              Nhóm         Điểm  Chỉ số (%)  Xếp loại
---------------------------------------------------------------------------------------
       1  tp-son-la     Thành phố Sơn La        district    94.32       94.32  A
       2  moc-chau      Huyện Mộc Châu          district    92.47       92.47  A
       3  yen-chau      Huyện Yên Châu          district    89.57       89.57  B
       3  mai-son       Huyện Mai Sơn           district    89.57       89.57  B
       5  song-ma       Huyện Sông Mã           district    81.02       81.02  B
       6  van-ho        Huyện Vân Hồ            district    70.98       70.98  C
";

#[test]
fn one_table_with_the_unit_not_ranked_apart() {
    assert_eq!(rank(METHODOLOGY, &[]), TABLE);
}

#[test]
fn each_tie_policy_on_the_same_ties() {
    let csv = |ties: &str| rank(METHODOLOGY, &["--ties", ties, "--format", "csv"]);
    assert_eq!(csv("competition"), csv_with_ranks(["1", "2", "3", "4", "4", "4", "7"]));
    assert_eq!(csv("dense"), csv_with_ranks(["1", "2", "3", "4", "4", "4", "5"]));
    // No tie-break key in this methodology: the tied units in input order.
    assert_eq!(csv("ordinal"), csv_with_ranks(["1", "2", "3", "4", "5", "6", "7"]));
    // The methodology's own setting is competition.
    assert_eq!(rank(METHODOLOGY, &["--format", "csv"]), csv("competition"));
}

#[test]
fn rank_on_published_shares_equal_published_values() {
    // 95 and 94.999 both publish as 95.00.
    let exact = rank(METHODOLOGY, &["--rank-on", "exact", "--format", "csv"]);
    assert_eq!(exact, csv_with_ranks(["1", "2", "3", "4", "4", "4", "7"]));
    let published = rank(METHODOLOGY, &["--rank-on", "published", "--format", "csv"]);
    assert_eq!(published, csv_with_ranks(["1", "2", "2", "4", "4", "4", "7"]));
    let dense = rank(METHODOLOGY, &["--rank-on", "published", "--ties", "dense", "--format", "csv"]);
    assert_eq!(dense, csv_with_ranks(["1", "2", "2", "3", "3", "3", "4"]));
}

#[test]
fn ordinal_with_the_methodologys_tie_break_key() {
    // Tied on 60 %, then on domain 2 (3 points each), then on 1.1: so-y-te 2, huyen-moc-chau
    // 2, so-xay-dung 1.5; so-y-te before huyen-moc-chau by input order.
    let expected = "\
rank,unit,name,group,points,percent,band
1,so-tu-phap,Sở Tư pháp,department,10,100,A
2,huyen-mai-son,Huyện Mai Sơn,district,9.5,95,A
3,huyen-yen-chau,Huyện Yên Châu,district,9.4999,94.999,A
4,so-y-te,Sở Y tế,department,6,60,
5,huyen-moc-chau,Huyện Mộc Châu,district,6,60,
6,so-xay-dung,Sở Xây dựng,department,6,60,
7,huyen-van-ho,Huyện Vân Hồ,district,1.5,15,
,so-noi-vu,Sở Nội vụ,department,10,100,A
";
    assert_eq!(rank(ORDINAL, &["--format", "csv"]), expected);
    // --ties overrides the policy and keeps the key: the two still tied share 4th place.
    let competition = rank(ORDINAL, &["--ties", "competition", "--format", "csv"]);
    assert_eq!(competition, expected.replace("5,huyen-moc-chau", "4,huyen-moc-chau"));
}

#[test]
fn by_group_in_vietnamese_markdown() {
    let md = rank(METHODOLOGY, &["--by-group", "--lang", "vi", "--format", "markdown"]);
    assert_eq!(md, BY_GROUP_VI_MARKDOWN);
}

#[test]
fn by_group_csv_and_json() {
    assert_eq!(rank(METHODOLOGY, &["--by-group", "--format", "csv"]), BY_GROUP_CSV);
    assert_eq!(rank(METHODOLOGY, &["--by-group", "--format", "json", "--round", "2"]), BY_GROUP_JSON);
}

#[test]
fn bundled_par_demo_by_group_in_vietnamese() {
    assert_eq!(
        assert_ok(&run(&["rank", "--example", "par-demo", "--by-group", "--lang", "vi"])),
        PAR_DEMO_BY_GROUP_VI
    );
}

#[test]
fn nobody_ranked() {
    let sandbox = Sandbox::new();
    sandbox.write("s.csv", "unit,ranked,1.1,1.2,2.1\na,no,1,1,90\nb,không,2,1,90\n");
    let m = fixtures().join(METHODOLOGY);
    let m = m.to_str().expect("UTF-8 path");
    let expected = "\
Not ranked
Rank  Unit  Name  Group  Points  Index %  Band
----------------------------------------------
      a                    5.00    50.00
      b                    6.00    60.00
";
    let by_group = sandbox.run(&["rank", "--methodology", m, "--scores", "s.csv", "--by-group"]);
    assert_eq!(assert_ok(&by_group), expected);
    // One table: the ranking is empty.
    let one = sandbox.run(&["rank", "--methodology", m, "--scores", "s.csv"]);
    let empty = "\
Rank  Unit  Name  Group  Points  Index %  Band
----------------------------------------------

";
    assert_eq!(assert_ok(&one), format!("{empty}{expected}"));
}

#[test]
fn an_unknown_tie_break_code_is_located_at_its_metadata_line() {
    let sandbox = Sandbox::new();
    sandbox
        .write("m.csv", "# id: m\n# tie_break: 2; 9; 2\ncode,parent,max\n1,,10\n2,,5\n")
        .write("s.csv", "unit,1,2\na,5,5\n");
    let out = sandbox.run(&["rank", "--methodology", "m.csv", "--scores", "s.csv"]);
    assert_rejected(
        &out,
        "m.csv:2: invalid setting tie_break: criterion 9 does not exist\n\
         m.csv:2: invalid setting tie_break: criterion 2 repeats\n",
    );
}

#[test]
fn a_bad_ranked_cell_is_located() {
    let sandbox = Sandbox::new();
    let m = fixtures().join(METHODOLOGY);
    let m = m.to_str().expect("UTF-8 path");
    sandbox.write("wide.csv", "unit,1.1,ranked,1.2,2.1\na,1,maybe,1,90\n");
    let out = sandbox.run(&["rank", "--methodology", m, "--scores", "wide.csv"]);
    assert_rejected(&out, "wide.csv:2:3: \"maybe\" is not yes or no\n");
    sandbox.write("long.csv", "unit,criterion,ranked,appraised\na,1.1,no,1\na,1.2,yes,1\na,2.1,,90\n");
    let out = sandbox.run(&["rank", "--methodology", m, "--scores", "long.csv"]);
    assert_rejected(&out, "long.csv:3:3: ranked \"yes\" contradicts \"no\" on row 2\n");
}

#[test]
fn the_long_form_reads_ranked_from_any_row_of_the_unit() {
    let sandbox = Sandbox::new();
    let m = fixtures().join(METHODOLOGY);
    let m = m.to_str().expect("UTF-8 path");
    sandbox.write(
        "long.csv",
        "unit,criterion,ranked,appraised\na,1.1,,1\na,1.2,,1\na,2.1,no,90\nb,1.1,,2\nb,1.2,có,1\nb,2.1,,90\n",
    );
    let out = sandbox.run(&["rank", "--methodology", m, "--scores", "long.csv", "--format", "csv"]);
    assert_eq!(assert_ok(&out), "rank,unit,name,group,points,percent,band\n1,b,,,6,60,\n,a,,,5,50,\n");
}

#[test]
fn score_and_compare_print_an_empty_rank_for_a_unit_not_ranked() {
    let score =
        assert_ok(&run(&["score", "--methodology", METHODOLOGY, "--scores", SCORES, "--format", "csv"]));
    assert_eq!(score.lines().last(), Some("so-noi-vu,Sở Nội vụ,department,10,100,,A,4,6"));
    let compare = assert_ok(&run(&[
        "compare",
        "--methodology",
        METHODOLOGY,
        "--scores",
        SCORES,
        "--previous",
        "tiny.scores.csv",
        "--format",
        "csv",
    ]));
    let noi_vu = compare.lines().find(|l| l.starts_with("so-noi-vu,")).expect("compared");
    assert_eq!(noi_vu, "so-noi-vu,Sở Nội vụ,department,10,,100,,,,not ranked,,not ranked,A,");
    let y_te = compare.lines().find(|l| l.starts_with("so-y-te,")).expect("compared");
    assert_eq!(y_te, "so-y-te,Sở Y tế,department,6,1.5,60,15,4,2,down 2,2/3,same,,");
}

#[test]
fn explain_and_summary_of_a_unit_not_ranked() {
    let explain = assert_ok(&run(&[
        "explain",
        "--methodology",
        METHODOLOGY,
        "--scores",
        SCORES,
        "--unit",
        "so-noi-vu",
    ]));
    assert_eq!(explain.lines().nth(1), Some("points 10.00 · index 100.00 % · not ranked · band A"));
    // Averages and extremes are of the ranked units; the bands count every unit.
    let score = assert_ok(&run(&["score", "--methodology", METHODOLOGY, "--scores", SCORES, "--summary"]));
    let summary: Vec<&str> = score.lines().rev().take(4).collect(); // the last rows, then the rule
    assert_eq!(
        summary,
        [
            "all             8           1    69.29              3  15.00  100.00  A: 4, B: 0, -: 4",
            "district        4           0    66.25              2  15.00   95.00  A: 2, B: 0, -: 2",
            "department      4           1    73.33              1  60.00  100.00  A: 2, B: 0, -: 2",
            "--------------------------------------------------------------------------------------",
        ]
    );
}
