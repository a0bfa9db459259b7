//! `parindex report` and `parindex template`, end to end: the HTML report opened in headless
//! Chromium (values read from its DOM, a PNG screenshot saved), Markdown and Excel reports,
//! and the fill-in template scored like the CSV it was filled from.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_parindex");

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A directory for this test's files under cargo's temporary directory (kept for inspection).
fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-tests").join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("output directory");
    dir
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).current_dir(root()).output().expect("parindex runs")
}

#[track_caller]
fn assert_ok(out: &Output) -> String {
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "stderr");
    assert_eq!(out.status.code(), Some(0), "exit code");
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// The cells of the `<tr data-unit="UNIT">` row of a page.
fn row_cells(html: &str, unit: &str) -> Vec<String> {
    let start = html.find(&format!("<tr data-unit=\"{unit}\">")).unwrap_or_else(|| panic!("row {unit}"));
    let row = &html[start..start + html[start..].find("</tr>").expect("row ends")];
    row.split("<td")
        .skip(1)
        .map(|cell| {
            let text = &cell[cell.find('>').expect("cell opens") + 1..];
            text[..text.find("</td>").expect("cell ends")].to_owned()
        })
        .collect()
}

fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

#[test]
fn the_html_report_opens_in_headless_chromium_with_the_published_values() {
    let dir = out_dir("html");
    let html = dir.join("report.html");
    let text = assert_ok(&run(&[
        "report",
        "--example",
        "par-demo",
        "--previous-example",
        "par-demo-2022",
        "--lang",
        "vi",
        "--out",
        path(&html),
    ]));
    assert_eq!(text, format!("wrote {} (12 units)\n", html.display()));
    let page = fs::read_to_string(&html).expect("report written");
    assert!(!page.contains("<script") && !page.contains("http://") && !page.contains("https://"));

    let Some(browser) = chromium() else {
        assert!(std::env::var_os("CI").is_none(), "Chromium is required in CI (apt-get install chromium)");
        eprintln!("skipped: no Chromium at /usr/bin/chromium (apt-get install -y chromium)");
        return;
    };
    let flags =
        ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"];
    let url = format!("file://{}", html.display());
    let dump =
        Command::new(&browser).args(flags).arg("--dump-dom").arg(&url).output().expect("chromium runs");
    assert!(dump.status.success(), "{}", String::from_utf8_lossy(&dump.stderr));
    let dom = String::from_utf8(dump.stdout).expect("DOM is UTF-8");
    // The DOM as the browser built it: Thành phố Sơn La, 2nd, 94.32 %, band A, up 5 from 7th.
    let cells = row_cells(&dom, "tp-son-la");
    assert_eq!(cells[..4], ["2", "tp-son-la", "Thành phố Sơn La", "district"]);
    assert_eq!(cells[4..12], ["10.00", "8.75", "13.50", "9.75", "14.50", "6.75", "14.97", "14.60"]);
    assert_eq!(cells[12..], ["94.32", "94.32", "A", "7", "tăng 5", "+7.97"]);
    let cells = row_cells(&dom, "van-ho");
    assert_eq!(cells[12..], ["70.98", "70.98", "C", "8", "giảm 4", "-12.61"]);
    assert_eq!(dom.matches("<tr data-unit=").count(), 12);
    assert_eq!(dom.matches("<svg").count(), 13, "a chart of totals and one per unit");

    let png = dir.join("report.png");
    let shot = Command::new(&browser)
        .args(flags)
        .arg(format!("--screenshot={}", png.display()))
        .arg("--window-size=1400,2400")
        .arg(&url)
        .output()
        .expect("chromium runs");
    assert!(shot.status.success(), "{}", String::from_utf8_lossy(&shot.stderr));
    let bytes = fs::read(&png).expect("screenshot saved");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert!(bytes.len() > 50_000, "a page, not a blank: {} bytes", bytes.len());
    eprintln!("screenshot: {}", png.display());

    // Printed to PDF: A4 landscape (841.92 x 594.96 points) from the page's print CSS.
    let pdf = dir.join("report.pdf");
    let print = Command::new(&browser)
        .args(flags)
        .arg("--no-pdf-header-footer")
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(&url)
        .output()
        .expect("chromium runs");
    assert!(print.status.success(), "{}", String::from_utf8_lossy(&print.stderr));
    let bytes = fs::read(&pdf).expect("PDF saved");
    assert!(bytes.starts_with(b"%PDF-"));
    let text = String::from_utf8_lossy(&bytes);
    let pages = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
    assert!(pages >= 4, "the table, the charts and a section per unit: {pages} pages");
    assert!(text.contains("/MediaBox [0 0 841.9"), "A4 landscape");
}

#[test]
fn markdown_and_excel_reports() {
    let dir = out_dir("md-xlsx");
    let md = dir.join("report.md");
    assert_ok(&run(&["report", "--example", "par-demo", "--out", path(&md)]));
    let text = fs::read_to_string(&md).expect("written");
    assert!(text.starts_with("# Results — "));
    assert!(text.contains("\n## Bands and averages\n"));
    assert!(text.contains("| All        |    12 |   87.30 |"), "{text}");
    assert!(!text.contains("Compared with last year"), "no previous year given");

    let xlsx = dir.join("report.xlsx");
    let methodology = "data/methodologies/par-demo.methodology.csv";
    assert_ok(&run(&[
        "report",
        "--methodology",
        methodology,
        "--scores",
        "data/examples/par-demo-2023.scores.csv",
        "--previous",
        "data/examples/par-demo-2022.scores.csv",
        "--explanations",
        "--out",
        path(&xlsx),
    ]));
    let bytes = fs::read(&xlsx).expect("written");
    let sheets = parindex_io::sheet_names(&bytes, "report.xlsx").expect("a workbook");
    assert_eq!(sheets.len(), 5 + 12);
    assert_eq!(sheets[0], "Results");

    let out = run(&["report", "--example", "par-demo", "--out", "report.pdf"]);
    assert_eq!(String::from_utf8_lossy(&out.stderr), "--out: report.pdf: write a .html, .md or .xlsx file\n");
    assert_eq!(out.status.code(), Some(2));
    // `--out -` writes to standard output, in the format --format names.
    let out = run(&["report", "--example", "par-demo", "--out", "-"]);
    assert_eq!(String::from_utf8_lossy(&out.stderr), "--out -: give --format html, md or xlsx\n");
    assert_eq!(out.status.code(), Some(2));
    let md = assert_ok(&run(&["report", "--example", "par-demo", "--format", "md", "--out", "-"]));
    assert!(md.starts_with("# Results — "), "{md}");
    let xlsx = run(&["report", "--example", "par-demo", "--format", "xlsx", "--out", "-"]);
    assert_eq!((xlsx.status.code(), &xlsx.stdout[..4]), (Some(0), &b"PK\x03\x04"[..]));
}

#[test]
fn a_template_filled_from_the_scores_scores_like_the_csv() {
    let dir = out_dir("template");
    let methodology = "data/methodologies/par-demo.methodology.csv";
    let csv = "data/examples/par-demo-2023.long.csv";
    let filled = dir.join("filled.xlsx");
    let text = assert_ok(&run(&[
        "template",
        "--methodology",
        methodology,
        "--scores",
        csv,
        "--lang",
        "vi",
        "--out",
        path(&filled),
    ]));
    assert_eq!(text, format!("wrote {} (46 criteria)\n", filled.display()));
    let from_csv =
        assert_ok(&run(&["score", "--methodology", methodology, "--scores", csv, "--format", "csv"]));
    let from_xlsx = assert_ok(&run(&[
        "score",
        "--methodology",
        methodology,
        "--scores",
        path(&filled),
        "--format",
        "csv",
    ]));
    assert_eq!(from_xlsx, from_csv);
    // `book.xlsx!Sheet` chooses a sheet, by tab number or name.
    let first_tab = format!("{}!1", filled.display());
    let by_tab =
        assert_ok(&run(&["score", "--methodology", methodology, "--scores", &first_tab, "--format", "csv"]));
    assert_eq!(by_tab, from_csv);
    let nope = format!("{}!Nope", filled.display());
    let out = run(&["score", "--methodology", methodology, "--scores", &nope]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with(&format!("{}: no sheet \"Nope\" in the workbook (sheets: ", filled.display())),
        "{stderr}"
    );

    // A blank template: every criterion is missing, each at its cell.
    let blank = dir.join("blank.xlsx");
    assert_ok(&run(&["template", "--example", "par-demo", "--unit", "so-y-te", "--out", path(&blank)]));
    let out = run(&["score", "--methodology", methodology, "--scores", path(&blank)]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 46);
    let first = format!("{}!Scores!I5: criterion 1.1.1: missing value", blank.display());
    assert!(stderr.starts_with(&first), "{stderr}");
}

/// Last year as published: the results `parindex score` wrote (CSV, JSON) or the workbook
/// `parindex report` wrote, read back with `--previous-results`, give the comparison that last
/// year's scores give (the workbook's values are the published ones, rounded).
#[test]
fn compare_and_report_take_last_year_as_published() {
    let dir = out_dir("previous-results");
    let expected = assert_ok(&run(&[
        "compare",
        "--example",
        "par-demo",
        "--previous-example",
        "par-demo-2022",
        "--round",
        "2",
    ]));
    for format in ["csv", "json"] {
        let file = dir.join(format!("2022.{format}"));
        let text = assert_ok(&run(&["score", "--example", "par-demo-2022", "--format", format]));
        fs::write(&file, text).expect("written");
        let got = assert_ok(&run(&[
            "compare",
            "--example",
            "par-demo",
            "--previous-results",
            path(&file),
            "--round",
            "2",
        ]));
        assert_eq!(got, expected, "{format}");
    }
    let book = dir.join("2022.xlsx");
    assert_ok(&run(&["report", "--example", "par-demo-2022", "--lang", "vi", "--out", path(&book)]));
    let sheet = format!("{}!Kết quả", path(&book));
    let got = assert_ok(&run(&[
        "compare",
        "--example",
        "par-demo",
        "--previous-results",
        &sheet,
        "--format",
        "csv",
        "--round",
        "2",
    ]));
    let so_tu_phap = got.lines().find(|l| l.starts_with("so-tu-phap,")).expect("so-tu-phap");
    // 92.42 now; 94.12 as published in 2022 (94.1253… exactly: -1.71 from the scores).
    assert!(so_tu_phap.contains(",-1.70,"), "{so_tu_phap}");
    let md = assert_ok(&run(&[
        "report",
        "--example",
        "par-demo",
        "--previous-results",
        path(&book),
        "--out",
        "-",
        "--format",
        "md",
    ]));
    let scored = assert_ok(&run(&[
        "report",
        "--example",
        "par-demo",
        "--previous-example",
        "par-demo-2022",
        "--out",
        "-",
        "--format",
        "md",
    ]));
    let ranks = |md: &str| md.lines().filter(|l| l.contains(" up ") || l.contains(" down ")).count();
    assert_eq!(ranks(&md), ranks(&scored));

    let bad = dir.join("bad.csv");
    fs::write(&bad, "unit,points,rank\nso-y-te,80,2\nso-y-te,x,\n").expect("written");
    let out = run(&["compare", "--example", "par-demo", "--previous-results", path(&bad)]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "{0}:2:3: rank 2 is not between 1 and 1, the number of ranked units\n\
             {0}:3:1: duplicate unit so-y-te (first on row 2)\n\
             {0}:3:2: \"x\" is not a number\n",
            bad.display()
        )
    );
    let both = run(&[
        "compare",
        "--example",
        "par-demo",
        "--previous-results",
        path(&bad),
        "--previous-example",
        "x",
    ]);
    assert_eq!(both.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&both.stderr).contains("cannot be used with"));
}
