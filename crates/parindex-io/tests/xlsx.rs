//! `.xlsx` in and out: workbooks written here with rust_xlsxwriter cell by cell (titles,
//! offsets, merged cells, numbers as numbers and as text, dates), the fill-in template read
//! back to the same results as the CSV path, the result workbook read back with calamine, and
//! bad workbooks written by other libraries (tests/fixtures/make_bad_workbooks.py).

use calamine::{Data, Reader, Xlsx};
use parindex::Value;
use parindex_io::{
    examples, read_dossiers, read_methodology, read_methodology_xlsx, read_questionnaire, read_responses,
    read_responses_xlsx, read_scores, read_scores_xlsx, score_text, score_xlsx, write_results_xlsx,
    write_template_xlsx, ReportOptions, ResponsesOptions, TemplateOptions, XlsxOptions,
};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A cell: a number when it starts with `=` followed by digits (`=2.5`), else text.
fn put(ws: &mut Worksheet, row: u32, col: u16, cell: &str) {
    if let Some(n) = cell.strip_prefix('=').and_then(|t| t.parse::<f64>().ok()) {
        ws.write_number(row, col, n).expect("number");
    } else if !cell.is_empty() {
        ws.write_string(row, col, cell).expect("text");
    }
}

/// A workbook of one sheet `name`, the rows written from `(row, col)` (0-based).
fn workbook(name: &str, at: (u32, u16), rows: &[&[&str]]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(name).expect("name");
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            put(ws, at.0 + r as u32, at.1 + c as u16, cell);
        }
    }
    wb.save_to_buffer().expect("saved")
}

const METHODOLOGY_CSV: &str = "# id: tiny\n# bands: A>=90; B>=80\ncode,parent,name,max,rule\n\
    1,,Một,,\n1.1,1,Một một,2.5,\n1.2,1,Một hai,1.5,\n2,,Hai,,\n2.1,2,Hai một,6,>=95:6 | >=80:3 | else:0\n";

#[test]
fn a_node_table_under_a_title_block_with_merged_parents_reads_like_its_csv() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Bộ tiêu chí").expect("name");
    put(ws, 0, 0, "BỘ TIÊU CHÍ ĐÁNH GIÁ CẢI CÁCH HÀNH CHÍNH");
    put(ws, 1, 0, "# id: tiny");
    put(ws, 2, 0, "# bands: A>=90; B>=80");
    // The table starts at B5; the parent of 1.1 and 1.2 is one cell merged over two rows.
    for (c, h) in ["code", "parent", "name", "max", "rule"].iter().enumerate() {
        put(ws, 4, 1 + c as u16, h);
    }
    let rows: [[&str; 5]; 5] = [
        ["1", "", "Một", "", ""],
        ["1.1", "", "Một một", "=2.5", ""],
        ["1.2", "", "Một hai", "1.5", ""],
        ["2", "", "Hai", "", ""],
        ["2.1", "2", "Hai một", "=6", ">=95:6 | >=80:3 | else:0"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            put(ws, 5 + r as u32, 1 + c as u16, cell);
        }
    }
    ws.merge_range(6, 2, 7, 2, "1", &Format::new()).expect("merged");
    // Formatting merged below and right of everything: nothing to read.
    ws.merge_range(20, 0, 22, 0, "", &Format::new()).expect("merged");
    ws.merge_range(2, 9, 4, 9, "", &Format::new()).expect("merged");
    let bytes = wb.save_to_buffer().expect("saved");

    let from_xlsx = read_methodology(&bytes, "tiny.xlsx").unwrap_or_else(|e| panic!("{e}"));
    let from_csv = read_methodology(METHODOLOGY_CSV.as_bytes(), "tiny.csv").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(from_xlsx, from_csv);
    assert_eq!(from_xlsx.max_of("1").map(|d| d.to_string()), Some("4.0".to_owned()));
}

#[test]
fn numbers_read_exactly_as_the_shortest_decimal_of_their_double_and_text_as_written() {
    let m = read_methodology(METHODOLOGY_CSV.as_bytes(), "m.csv").unwrap_or_else(|e| panic!("{e}"));
    let bytes = workbook(
        "Scores",
        (0, 0),
        &[
            &["unit", "1.1", "1.2", "2.1"],
            &["a", "=2.5", "1.49999999999999999999", "=99.4"],
            &["b", "=0.30000000000000004", "=1.49999999999999999999", "NA"],
        ],
    );
    let s = read_scores(&m, &bytes, "s.xlsx").unwrap_or_else(|e| panic!("{e}"));
    let value = |u: usize, code: &str| match s.value(u, code) {
        Some(Value::Number(d)) => d.normalize().to_string(),
        other => format!("{other:?}"),
    };
    assert_eq!(value(0, "1.1"), "2.5");
    assert_eq!(value(0, "1.2"), "1.49999999999999999999"); // text: exactly as written
    assert_eq!(value(0, "2.1"), "99.4");
    assert_eq!(value(1, "1.1"), "0.30000000000000004"); // the double Excel stored, exactly
    assert_eq!(value(1, "1.2"), "1.5"); // the same digits stored as a number: the nearest double
    assert_eq!(s.value(1, "2.1"), Some(Value::NotApplicable));
}

#[test]
fn score_sheet_errors_are_located_as_workbook_cells() {
    let m = read_methodology(METHODOLOGY_CSV.as_bytes(), "m.csv").unwrap_or_else(|e| panic!("{e}"));
    // A title on row 1, the header on row 3 from column B.
    let bytes = workbook(
        "Điểm",
        (0, 1),
        &[
            &["Điểm tự chấm năm 2024"],
            &[],
            &["unit", "1.1", "1.2", "2.1"],
            &["a", "=2", "=2", "=90"],
            &["b", "x", "", "=70"],
        ],
    );
    let err = score_text(&m, &bytes, "s.xlsx").map(|_| ()).expect_err("rejected");
    assert_eq!(
        err.to_string(),
        "s.xlsx!Điểm!D4: criterion 1.2: 2 exceeds its maximum 1.5\n\
         s.xlsx!Điểm!C5: criterion 1.1: \"x\" is not a number\n\
         s.xlsx!Điểm!D5: criterion 1.2: missing value (write NA if the criterion does not apply)"
    );
    let issue = &err.issues()[0];
    assert_eq!(
        (issue.location.sheet.as_deref(), issue.location.row, issue.location.column),
        (Some("Điểm"), Some(4), Some(4))
    );
    // A wide sheet with an unknown criterion: the header cell.
    let bytes = workbook("S", (0, 0), &[&["unit", "1.1", "9"], &["a", "1", "1"]]);
    let err = read_scores(&m, &bytes, "s.xlsx").map(|_| ()).expect_err("rejected");
    assert!(err.to_string().starts_with("s.xlsx!S!C1: criterion 9: unknown criterion"), "{err}");
}

#[test]
fn sheets_are_chosen_by_name_or_index() {
    let m = read_methodology(METHODOLOGY_CSV.as_bytes(), "m.csv").unwrap_or_else(|e| panic!("{e}"));
    let mut wb = Workbook::new();
    let first = wb.add_worksheet();
    put(first, 0, 0, "Hướng dẫn: điền vào sheet Điểm");
    let second = wb.add_worksheet();
    second.set_name("Điểm").expect("name");
    for (r, row) in
        [["unit", "criterion", "appraised"], ["a", "1.1", "=2"], ["a", "1.2", "=1"], ["a", "2.1", "=96"]]
            .iter()
            .enumerate()
    {
        for (c, cell) in row.iter().enumerate() {
            put(second, r as u32, c as u16, cell);
        }
    }
    let bytes = wb.save_to_buffer().expect("saved");
    let by_name = score_xlsx(&m, &bytes, "s.xlsx", &XlsxOptions::new().sheet_name("Điểm"))
        .unwrap_or_else(|e| panic!("{e}"));
    let by_index = score_xlsx(&m, &bytes, "s.xlsx", &XlsxOptions::new().sheet_index(1))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(by_name.unit("a").map(|u| u.published_percent().to_string()), Some("90.00".to_owned()));
    assert_eq!(by_index.unit("a").map(|u| u.points()), by_name.unit("a").map(|u| u.points()));
    let err = read_scores_xlsx(&m, &bytes, "s.xlsx", &XlsxOptions::new().sheet_name("Scores"))
        .map(|_| ())
        .expect_err("no such sheet");
    assert_eq!(err.to_string(), "s.xlsx: no sheet \"Scores\" in the workbook (sheets: Sheet1, Điểm)");
    assert_eq!(err.issues()[0].code(), "unknown_sheet");
    // By default, the first sheet holding a score table: the instructions come first.
    let by_default = score_text(&m, &bytes, "s.xlsx").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(by_default.unit("a").map(|u| u.points()), by_name.unit("a").map(|u| u.points()));
    // Asked for the instructions sheet, or when no sheet holds a table: its header is missing.
    let err = read_scores_xlsx(&m, &bytes, "s.xlsx", &XlsxOptions::new().sheet_index(0))
        .map(|_| ())
        .expect_err("no table");
    assert_eq!(
        err.to_string(),
        "s.xlsx!Sheet1!1:1: missing column unit\n\
         s.xlsx!Sheet1!A1: criterion Hướng dẫn: điền vào sheet Điểm: unknown criterion (not in methodology tiny)"
    );
    // The `book.xlsx!Sheet` form of a name: by name, by tab number, or an unknown sheet.
    for name in ["s.xlsx!Điểm", "s.xlsx!2"] {
        let r = score_text(&m, &bytes, name).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.unit("a").map(|u| u.points()), by_name.unit("a").map(|u| u.points()), "{name}");
    }
    let err = read_scores(&m, &bytes, "s.xlsx!1").map(|_| ()).expect_err("the instructions");
    assert!(err.to_string().starts_with("s.xlsx!Sheet1!1:1: missing column unit\n"), "{err}");
    let err = read_scores(&m, &bytes, "s.xlsx!3").map(|_| ()).expect_err("no third sheet");
    assert_eq!(err.to_string(), "s.xlsx: no sheet \"3\" in the workbook (sheets: Sheet1, Điểm)");
    let only_text = workbook("Hướng dẫn", (0, 0), &[&["Điền vào sheet sau"]]);
    let err = read_scores(&m, &only_text, "s.xlsx").map(|_| ()).expect_err("no table");
    assert!(err.to_string().starts_with("s.xlsx!Hướng dẫn!1:1: missing column unit\n"), "{err}");
}

#[test]
fn bad_workbooks_give_located_errors_with_stable_codes() {
    let m = read_methodology(METHODOLOGY_CSV.as_bytes(), "m.csv").unwrap_or_else(|e| panic!("{e}"));
    let cases: [(&str, Vec<u8>, &str, &str); 5] = [
        (
            "encrypted.xlsx",
            fixture("encrypted.xlsx"),
            "encrypted_workbook",
            "encrypted.xlsx: the workbook is protected by a password; remove the password in Excel \
             (File > Info > Protect Workbook) and save it again",
        ),
        (
            "legacy.xlsx",
            fixture("legacy.xlsx"),
            "not_xlsx",
            "legacy.xlsx: this is an Excel 97-2003 workbook (.xls), not .xlsx; open it in Excel and save it as \
             \"Excel Workbook (.xlsx)\"",
        ),
        ("empty.xlsx", workbook("Trống", (0, 0), &[]), "empty_sheet", "empty.xlsx!Trống: the sheet is empty"),
        ("zero.xlsx", Vec::new(), "empty", "zero.xlsx: the file is empty"),
        (
            "text.xlsx",
            b"unit,1.1\n".to_vec(),
            "not_xlsx",
            "text.xlsx: this is a text file, not an .xlsx workbook (a CSV file should be named .csv)",
        ),
    ];
    for (file, bytes, code, message) in cases {
        let err = score_text(&m, &bytes, file).map(|_| ()).expect_err(file);
        assert_eq!(err.issues()[0].code(), code, "{file}");
        assert_eq!(err.to_string(), message, "{file}");
        let err = read_methodology(&bytes, file).map(|_| ()).expect_err(file);
        assert_eq!(err.issues()[0].code(), code, "{file}");
    }
    // openpyxl saves formulas without values; an error value is the cell's only issue.
    let simple =
        read_methodology(b"code,parent,max\n1,,10\n2,,10\n", "m.csv").unwrap_or_else(|e| panic!("{e}"));
    let err = score_text(&simple, &fixture("formula.xlsx"), "formula.xlsx").map(|_| ()).expect_err("formula");
    let codes: Vec<&str> = err.issues().iter().map(|i| i.code()).collect();
    assert_eq!(codes, ["cell_error", "formula_without_value"]);
    assert_eq!(
        err.to_string(),
        "formula.xlsx!Scores!C2: the cell holds the error #DIV/0!\n\
         formula.xlsx!Scores!B3: formula =B2*2 has no saved value; open the workbook in Excel (or LibreOffice), \
         let it calculate and save it"
    );
}

#[test]
fn the_template_filled_with_the_scores_reads_back_to_the_results_of_the_csv_path() {
    for name in examples::NAMES {
        let (m, s) = examples::load(name).unwrap_or_else(|e| panic!("{e}"));
        let direct = parindex::score(&m, &s).unwrap_or_else(|e| panic!("{e}"));
        let bytes =
            write_template_xlsx(&m, Some(&s), &TemplateOptions::new()).unwrap_or_else(|e| panic!("{e}"));
        let again = read_scores(&m, &bytes, "filled.xlsx").unwrap_or_else(|e| panic!("{name}: {e}"));
        let results = parindex::score(&m, &again).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(results.len(), direct.len());
        for (a, b) in results.units().zip(direct.units()) {
            assert_eq!((a.id(), a.points(), a.rank(), a.band()), (b.id(), b.points(), b.rank(), b.band()));
            for n in b.nodes() {
                assert_eq!(a.node(n.code()).and_then(|x| x.points()), n.points(), "{} {}", b.id(), n.code());
            }
            let u = s.unit_index(b.id()).unwrap_or_default();
            for code in m.leaf_codes() {
                assert_eq!(again.value(u, code), s.value(u, code), "{name} {} {code}", b.id());
                assert_eq!(again.self_assessed(u, code), s.self_assessed(u, code));
            }
        }
    }
}

#[test]
fn a_blank_template_has_a_row_per_leaf_and_reads_as_missing_values() {
    let (m, _) = examples::load("par-demo").unwrap_or_else(|e| panic!("{e}"));
    let options = TemplateOptions::new().unit(parindex::Unit::new("so-y-te").name("Sở Y tế"));
    let bytes = write_template_xlsx(&m, None, &options).unwrap_or_else(|e| panic!("{e}"));
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(&bytes)).expect("opens");
    let range = wb.worksheet_range("Scores").expect("sheet");
    let header: Vec<String> =
        (0..10).map(|c| range.get_value((3, c)).map(|d| d.to_string()).unwrap_or_default()).collect();
    assert_eq!(
        header,
        [
            "unit",
            "name",
            "group",
            "criterion",
            "criterion_name",
            "max",
            "self_assessed",
            "appraised",
            "value",
            "note"
        ]
    );
    let leaves: Vec<&str> = m.leaf_codes().collect();
    for (k, code) in leaves.iter().enumerate() {
        let row = 4 + k as u32;
        assert_eq!(range.get_value((row, 3)), Some(&Data::String((*code).to_owned())));
        let max = m.max_of(code).map(|d| d.to_string().parse::<f64>().unwrap_or(-1.0));
        assert_eq!(range.get_value((row, 5)), max.map(Data::Float).as_ref());
    }
    // The unit is written once, merged over its rows; every leaf is then missing.
    let err = score_text(&m, &bytes, "t.xlsx").map(|_| ()).expect_err("blank");
    assert_eq!(err.issues().len(), leaves.len());
    assert!(err.issues().iter().all(|i| i.code() == "missing_value"));
    // 1.1.1 is rule-based (its value in column I), 1.1.2 takes points (appraised, column H).
    assert!(
        err.to_string().starts_with(
            "t.xlsx!Scores!I5: criterion 1.1.1: missing value (write NA if the criterion does not apply)\n\
         t.xlsx!Scores!H6: criterion 1.1.2: missing value"
        ),
        "{err}"
    );
}

#[test]
fn the_result_workbook_holds_the_published_values() {
    let (m, s) = examples::load("par-demo").unwrap_or_else(|e| panic!("{e}"));
    let (pm, ps) = examples::load("par-demo-2022").unwrap_or_else(|e| panic!("{e}"));
    let now = parindex::score(&m, &s).unwrap_or_else(|e| panic!("{e}"));
    let before = parindex::score(&pm, &ps).unwrap_or_else(|e| panic!("{e}"));
    let options = ReportOptions::new().previous(&before).explanations(true);
    let bytes = write_results_xlsx(&now, &s, &options).unwrap_or_else(|e| panic!("{e}"));
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(&bytes)).expect("opens");
    let names = wb.sheet_names();
    assert_eq!(
        names[..5],
        ["Results", "Group - department", "Group - district", "Summary", "Compared with last year"]
    );
    assert_eq!(names.len(), 5 + now.len());
    let range = wb.worksheet_range("Results").expect("sheet");
    let text = |r: u32, c: u32| range.get_value((r, c)).map(|d| d.to_string()).unwrap_or_default();
    // Rank, unit, name, group, 8 domains, points, index, band, previous rank, movement, change.
    assert_eq!(text(3, 12), "Points");
    for (k, u) in now.ranked().iter().enumerate() {
        let row = 4 + k as u32;
        assert_eq!(text(row, 1), u.id());
        assert_eq!(range.get_value((row, 0)), u.rank().map(|r| Data::Float(f64::from(r))).as_ref());
        let published: f64 = u.published_percent().to_string().parse().unwrap_or_default();
        assert_eq!(range.get_value((row, 13)), Some(&Data::Float(published)));
        assert_eq!(text(row, 14), u.band().unwrap_or_default());
    }
    // tp-son-la: 2nd, 7th in 2022, up 5, +7.97 points.
    assert_eq!(text(5, 1), "tp-son-la");
    assert_eq!(range.get_value((5, 15)), Some(&Data::Float(7.0)));
    assert_eq!(text(5, 16), "up 5");
    assert_eq!(range.get_value((5, 17)), Some(&Data::Float(7.97)));
    // A result is not a node table: the reader says so at the header it took.
    let err = read_methodology_xlsx(&bytes, "r.xlsx", &XlsxOptions::new())
        .map(|_| ())
        .expect_err("not a node table");
    assert!(err.issues().iter().any(|i| i.code() == "missing_column"), "{err}");
}

#[test]
fn dossier_lists_read_date_cells_as_days() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for (c, h) in ["unit", "dossier_id", "received", "due", "completed"].iter().enumerate() {
        put(ws, 0, c as u16, h);
    }
    put(ws, 1, 0, "so-noi-vu");
    put(ws, 1, 1, "HS-1");
    for (c, (y, mo, d)) in [(2024, 1, 2), (2024, 1, 10), (2024, 1, 9)].iter().enumerate() {
        let day = ExcelDateTime::from_ymd(*y, *mo, *d).expect("date");
        ws.write_datetime_with_format(1, 2 + c as u16, &day, &date).expect("written");
    }
    put(ws, 2, 0, "so-noi-vu");
    put(ws, 2, 1, "HS-2");
    put(ws, 2, 2, "03/01/2024");
    put(ws, 2, 3, "2024-01-11");
    let bytes = wb.save_to_buffer().expect("saved");
    let dossiers = read_dossiers(&bytes, "d.xlsx").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(dossiers.len(), 2);
    assert_eq!(dossiers[0].received.to_string(), "2024-01-02");
    assert_eq!(dossiers[0].completed.map(|d| d.to_string()), Some("2024-01-09".to_owned()));
    assert_eq!(dossiers[1].received.to_string(), "2024-01-03");
    assert_eq!(dossiers[1].completed, None);
}

#[test]
fn damaged_workbooks_are_errors_not_panics() {
    let (m, s) = examples::load("par-demo").unwrap_or_else(|e| panic!("{e}"));
    let good = write_template_xlsx(&m, Some(&s), &TemplateOptions::new()).unwrap_or_else(|e| panic!("{e}"));
    // Deterministic damage: cut the file short, or overwrite a few bytes (a linear
    // congruential generator picks where and what).
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    let mut rejected = 0;
    for k in 0..150 {
        let mut bytes = good.clone();
        if k % 3 == 0 {
            bytes.truncate(next() % good.len());
        } else {
            for _ in 0..1 + next() % 4 {
                let at = next() % bytes.len();
                bytes[at] = next() as u8;
            }
        }
        let outcome = std::panic::catch_unwind(|| score_text(&m, &bytes, "damaged.xlsx").map(|_| ()));
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                rejected += 1;
                assert!(!e.issues().is_empty());
            }
            Err(_) => panic!("damage {k} panicked"),
        }
    }
    assert!(rejected > 50, "most damage is noticed: {rejected}");
}

#[test]
fn a_formula_without_value_outside_the_table_is_not_read() {
    // openpyxl: formulas without values in the title (A1), right of the table (E4) and in it
    // (B5); the table is A3:B5.
    let m = read_methodology(b"code,parent,max\n1,,10\n", "m.csv").unwrap_or_else(|e| panic!("{e}"));
    let err = read_scores(&m, &fixture("outside.xlsx"), "outside.xlsx").map(|_| ()).expect_err("B5");
    assert_eq!(
        err.to_string(),
        "outside.xlsx!Sheet!B5: formula =B4 has no saved value; open the workbook in Excel (or LibreOffice), \
         let it calculate and save it"
    );
}

#[test]
fn numbers_shown_as_percentages_read_as_the_percentage() {
    let m = read_methodology(METHODOLOGY_CSV.as_bytes(), "m.csv").unwrap_or_else(|e| panic!("{e}"));
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["unit", "1.1", "1.2", "2.1"].iter().enumerate() {
        put(ws, 0, c as u16, h);
    }
    // 2.1 is the share of dossiers on time, in percent: typed as 99.4% it is stored as 0.994.
    let percent = Format::new().set_num_format("0.0%");
    let whole = Format::new().set_num_format("0%");
    let quoted = Format::new().set_num_format("0.00\" %\"");
    for (r, (unit, rate, format)) in
        [("a", 0.994, &percent), ("b", 1.0, &whole), ("c", 0.8, &whole), ("d", 95.0, &quoted)]
            .iter()
            .enumerate()
    {
        let row = 1 + r as u32;
        put(ws, row, 0, unit);
        put(ws, row, 1, "=2");
        put(ws, row, 2, "=1");
        ws.write_number_with_format(row, 3, *rate, format).expect("written");
    }
    let bytes = wb.save_to_buffer().expect("saved");
    let s = read_scores(&m, &bytes, "s.xlsx").unwrap_or_else(|e| panic!("{e}"));
    let rate = |u: usize| match s.value(u, "2.1") {
        Some(Value::Number(d)) => d.normalize().to_string(),
        other => format!("{other:?}"),
    };
    // A `%` inside quotes is text, not a percentage format: 95 stays 95.
    assert_eq!([rate(0), rate(1), rate(2), rate(3)], ["99.4", "100", "80", "95"]);
    let r = parindex::score(&m, &s).unwrap_or_else(|e| panic!("{e}"));
    let points: Vec<String> = ["a", "b", "c", "d"]
        .iter()
        .map(|u| r.unit(u).map(|x| x.points().to_decimal().to_string()).unwrap_or_default())
        .collect();
    assert_eq!(points, ["9", "9", "6", "9"]); // 3 points on domain 1, then 6, 6, 3, 6 on 2.1
}

#[test]
fn a_template_keeps_every_digit_and_units_not_ranked() {
    let m = read_methodology(METHODOLOGY_CSV.as_bytes(), "m.csv").unwrap_or_else(|e| panic!("{e}"));
    let csv = "unit,name,ranked,1.1,1.2,2.1\na,A,,1.49999999999999999999,NA,99.4\nx,X,no,2.5,0.1,100\n";
    let s = read_scores(&m, csv.as_bytes(), "s.csv").unwrap_or_else(|e| panic!("{e}"));
    let bytes = write_template_xlsx(&m, Some(&s), &TemplateOptions::new()).unwrap_or_else(|e| panic!("{e}"));
    let again = read_scores(&m, &bytes, "t.xlsx").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.units(), s.units());
    assert!(!again.units()[1].ranked);
    for u in 0..2 {
        for code in m.leaf_codes() {
            assert_eq!(again.value(u, code), s.value(u, code), "{u} {code}");
        }
    }
    // 1.49999999999999999999 has no double: the template holds it as text.
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(&bytes)).expect("opens");
    let range = wb.worksheet_range("Scores").expect("sheet");
    assert_eq!(range.get_value((4, 7)), Some(&Data::String("1.49999999999999999999".into())));
    assert_eq!(range.get_value((6, 8)), Some(&Data::Float(99.4)));
    assert_eq!(range.get_value((3, 10)), Some(&Data::String("ranked".into())));
}

const QUESTIONNAIRE: &str = r#"{"format_version": 1, "id": "q", "elements": [{"code": "e1", "name": "Tiếp cận"}],
  "items": [{"code": "A1", "element": "e1", "kind": {"type": "satisfaction"}},
            {"code": "A2", "element": "e1", "kind": {"type": "yes_no"}}]}"#;

#[test]
fn survey_responses_read_from_a_sheet_like_their_csv_and_errors_name_the_cells() {
    let q = read_questionnaire(QUESTIONNAIRE.as_bytes(), "q.json").unwrap_or_else(|e| panic!("{e}"));
    let csv = "respondent,unit,weight,A1,A2\n1,sở-a,1.25,5,1\n2,sở-a,0.75,3,\n3,sở-b,2,,0\n";
    let from_csv = read_responses(csv.as_bytes(), "r.csv", &q, &ResponsesOptions::new())
        .unwrap_or_else(|e| panic!("{e}"));
    // A title block, the table from column B; ids, weights and answers as numbers, one answer
    // as text ("4.0" reads as 4 too, so use the same value as the CSV: "3").
    let rows: &[&[&str]] = &[
        &["Phiếu khảo sát SIPAS 2024"],
        &[],
        &["respondent", "unit", "weight", "A1", "A2"],
        &["=1", "sở-a", "=1.25", "=5", "=1"],
        &["=2", "sở-a", "=0.75", "3", ""],
        &[],
        &["=3", "sở-b", "=2", "", "=0"],
    ];
    let bytes = workbook("Phiếu", (0, 1), rows);
    let from_xlsx = read_responses_xlsx(&bytes, "r.xlsx", &q, &ResponsesOptions::new(), &XlsxOptions::new())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(from_xlsx, from_csv);
    // Problems are located in the sheet: its row (after the title and a blank row) and column.
    let bad: &[&[&str]] = &[
        &["Phiếu khảo sát"],
        &["respondent", "unit", "weight", "A1", "A2"],
        &["=1", "sở-a", "=1", "=7", "=1"],
        &[],
        &["=1", "sở-a", "-1", "=5", "có"],
    ];
    let err = read_responses_xlsx(
        &workbook("Phiếu", (0, 1), bad),
        "r.xlsx",
        &q,
        &ResponsesOptions::new(),
        &XlsxOptions::new().sheet("1"),
    )
    .map(|_| ())
    .expect_err("bad answers");
    assert_eq!(
        err.to_string(),
        "r.xlsx!Phiếu!E3: item A1: answer 7 is outside the scale (1–5)\n\
         r.xlsx!Phiếu!B5: respondent 1 appears twice (first earlier in the file)\n\
         r.xlsx!Phiếu!D5: design weight \"-1\" must be a finite number >= 0"
    );
}

#[test]
fn the_sipas_demo_responses_typed_into_excel_tally_like_the_csv() {
    // data/survey/sipas-demo.responses.xlsx: written by openpyxl (make_responses_xlsx.py), an
    // instructions sheet first, a title block, the table from column B, numbers as numbers.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/survey");
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let q = read_questionnaire(&read("sipas-demo.questionnaire.json"), "q.json")
        .unwrap_or_else(|e| panic!("{e}"));
    let csv = read("sipas-demo.responses.csv");
    let from_csv = read_responses(csv.as_slice(), "r.csv", &q, &ResponsesOptions::new())
        .unwrap_or_else(|e| panic!("{e}"));
    let book = read("sipas-demo.responses.xlsx");
    for name in ["r.xlsx", "r.xlsx!Phiếu", "r.xlsx!2"] {
        let tally = parindex_io::read_responses_file(&book, name, &q, &ResponsesOptions::new())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(tally, from_csv, "{name}");
    }
    let err = parindex_io::read_responses_file(&book, "r.xlsx!1", &q, &ResponsesOptions::new())
        .map(|_| ())
        .expect_err("the instructions sheet");
    // Its one cell is read as a header: an unknown column, and none of the required ones.
    let codes: Vec<&str> = err.issues().iter().map(|i| i.code()).collect();
    assert_eq!(codes[0], "unknown_column");
    assert!(codes[1..].iter().all(|&c| c == "missing_column") && codes.len() > 2, "{codes:?}");
}
