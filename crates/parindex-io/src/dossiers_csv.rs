//! Dossier lists (hồ sơ thủ tục hành chính) and their per-unit statistics: on-time rates,
//! late, open and overdue dossiers.

use std::collections::HashMap;

use parindex::{Date, Dossier, DossierStats, Error, Issue, IssueKind, Location, RoundingMode};
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use crate::table::Table;
use crate::text::{csv_issue, csv_reader, data_rows, decode, full_row, known_columns};
use crate::OutputFormat;

/// The columns of a dossier list, all required, in any order.
const COLUMNS: [&str; 5] = ["unit", "dossier_id", "received", "due", "completed"];

fn clean(s: &str) -> String {
    s.trim().nfc().collect()
}

/// Reads a dossier list: a header with the columns `unit,dossier_id,received,due,completed`
/// (all five, in any order, no others) and one row per dossier. Dates are `YYYY-MM-DD` or
/// `DD/MM/YYYY` (day first, see [`Date::parse`]); a blank `completed` means the dossier is
/// still open; the other cells are required. Unit ids and dossier ids are trimmed and
/// normalised to NFC; blank lines are skipped; a UTF-8 byte-order mark is accepted.
///
/// Besides each cell, every row is checked as [`Dossier::check`] does (neither due nor
/// completed before it was received), and a dossier id may appear only once per unit.
///
/// # Errors
///
/// Every problem at once, in file order, located as `file:row:column`: `empty`, `no_rows`,
/// `encoding`, `syntax`, `unknown_column`, `duplicate_column`, `missing_column`,
/// `ragged_row`, `blank`, `not_a_date`, `due_before_received`, `completed_before_received`,
/// `duplicate_dossier`.
///
/// # Examples
///
/// ```
/// use parindex_io::read_dossiers;
/// let csv = "unit,dossier_id,received,due,completed\n\
///            so-noi-vu,HS-1,2024-01-02,2024-01-10,09/01/2024\n\
///            so-noi-vu,HS-2,2024-01-03,2024-01-11,\n";
/// let dossiers = read_dossiers(csv.as_bytes(), "d.csv").unwrap();
/// assert_eq!(dossiers.len(), 2);
/// assert_eq!(dossiers[0].completed.unwrap().to_string(), "2024-01-09");
/// assert_eq!(dossiers[1].completed, None);
///
/// let bad = "unit,dossier_id,received,due,completed\n\
///            so-noi-vu,HS-1,31/02/2024,2024-03-10,\n\
///            so-noi-vu,HS-2,2024-03-04,2024-03-11,2024-03-01\n\
///            so-noi-vu,HS-2,2024-03-04,2024-03-11,\n";
/// assert_eq!(
///     read_dossiers(bad.as_bytes(), "d.csv").unwrap_err().to_string(),
///     "d.csv:2:3: \"31/02/2024\" is not a date\n\
///      d.csv:3:5: dossier HS-2 was completed 2024-03-01, before it was received 2024-03-04\n\
///      d.csv:4:2: duplicate dossier HS-2 (first on row 3)"
/// );
/// ```
pub fn read_dossiers(bytes: &[u8], file: &str) -> Result<Vec<Dossier>, Error> {
    if let Some((book, options)) = crate::xlsx::workbook(bytes, file) {
        return crate::xlsx::read_dossiers_xlsx(bytes, book, &options);
    }
    let text = decode(bytes, file)?;
    if text.trim().is_empty() {
        return Err(Error::single(Location::default().file(file), IssueKind::Empty));
    }
    let mut records = csv_reader(text).into_records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            return Err(Error::from_issues(vec![csv_issue(&e, file, 0)]).unwrap_or_else(|| empty(file)))
        }
        None => return Err(empty(file)),
    };
    let header_row = header.position().map_or(1, |p| p.line());
    dossiers_from_rows(header.iter(), header_row, data_rows(records, file, 0), file)
}

/// The dossier list from its header row (cells, row number) and data rows, whatever the
/// source (a CSV text or a worksheet).
pub(crate) fn dossiers_from_rows<S: AsRef<str>>(
    header: impl IntoIterator<Item = S>,
    header_row: u64,
    records: impl Iterator<Item = Result<(u64, csv::StringRecord), Issue>>,
    file: &str,
) -> Result<Vec<Dossier>, Error> {
    let at = |row: u64| Location::default().file(file).row(row);
    let names: Vec<String> = header.into_iter().map(|h| clean(h.as_ref())).collect();
    let mut issues = Vec::new();
    let col = known_columns(&names, &COLUMNS, &COLUMNS, &at(header_row), &mut issues);
    if !issues.is_empty() {
        return Err(Error::from_issues(issues).unwrap_or_else(|| empty(file)));
    }
    // All five columns are present.
    let column = |name: &str| col.get(name).map_or(0, |&i| i as u64 + 1);

    let mut dossiers = Vec::new();
    let mut first_row: HashMap<(String, String), u64> = HashMap::new();
    let mut rows = 0;
    for item in records {
        let Some((row, record)) = full_row(item, names.len(), file, &mut issues) else { continue };
        rows += 1;
        let cell = |name: &str| col.get(name).map_or("", |&i| &record[i]);
        let mut row_issues = Vec::new();
        let unit = clean(cell("unit"));
        let id = clean(cell("dossier_id"));
        let here = |name: &str| {
            let loc = at(row).column(column(name));
            if unit.is_empty() {
                loc
            } else {
                loc.unit(unit.clone())
            }
        };
        for (name, value) in [("unit", &unit), ("dossier_id", &id)] {
            if value.is_empty() {
                row_issues.push(Issue::new(here(name), IssueKind::Blank { what: name.into() }));
            }
        }
        let mut date = |name: &str, required: bool| -> Option<Date> {
            let text = cell(name);
            if text.trim().is_empty() {
                if required {
                    row_issues.push(Issue::new(here(name), IssueKind::Blank { what: name.into() }));
                }
                return None;
            }
            match Date::parse(text) {
                Ok(d) => Some(d),
                Err(e) => {
                    row_issues.extend(e.into_issues().into_iter().map(|i| Issue::new(here(name), i.kind)));
                    None
                }
            }
        };
        let received = date("received", true);
        let due = date("due", true);
        let completed_text = !cell("completed").trim().is_empty();
        let completed = date("completed", false);
        if !unit.is_empty() && !id.is_empty() {
            match first_row.get(&(unit.clone(), id.clone())) {
                Some(first) => {
                    let kind =
                        IssueKind::DuplicateDossier { dossier: id.clone(), first: format!("on row {first}") };
                    row_issues.push(Issue::new(here("dossier_id"), kind));
                }
                None => {
                    first_row.insert((unit.clone(), id.clone()), row);
                }
            }
        }
        if let (Some(received), Some(due)) = (received, due) {
            if completed_text == completed.is_some() {
                let mut dossier = Dossier::new(unit.clone(), id.clone(), received, due);
                dossier.completed = completed;
                if let Err(e) = dossier.check() {
                    for issue in e.into_issues() {
                        let name = match issue.kind {
                            IssueKind::DueBeforeReceived { .. } => "due",
                            IssueKind::CompletedBeforeReceived { .. } => "completed",
                            _ => continue, // blank unit or id: reported above
                        };
                        row_issues.push(Issue::new(here(name), issue.kind));
                    }
                }
                if row_issues.is_empty() {
                    dossiers.push(dossier);
                }
            }
        }
        row_issues.sort_by_key(|i| i.location.column);
        issues.extend(row_issues);
    }
    if rows == 0 && issues.is_empty() {
        issues.push(Issue::new(Location::default().file(file), IssueKind::NoRows));
    }
    Error::from_issues(issues).map_or(Ok(dossiers), Err)
}

fn empty(file: &str) -> Error {
    Error::single(Location::default().file(file), IssueKind::Empty)
}

/// Places of the on-time rate in the table and Markdown formats unless told otherwise.
const TABLE_PLACES: u32 = 2;

/// Writes dossier statistics, one row per unit in the order given, with the columns `unit,
/// received, early, on_time, late, open, overdue, on_time_rate`. The on-time rate is in
/// percent ([`DossierStats::on_time_rate`]); CSV and JSON print it exact unless `round` is
/// given, the table and Markdown round it to `round` places (2 by default); rounding is half
/// up. A unit that has completed nothing has no rate: `NA` (JSON `null`). JSON, the table and
/// Markdown also give the date the dossiers are counted as of (from the first unit).
///
/// # Examples
///
/// ```
/// use parindex::{dossier_stats, Date};
/// use parindex_io::{read_dossiers, write_dossier_stats, OutputFormat};
///
/// let csv = "unit,dossier_id,received,due,completed\n\
///            van-ho,1,2024-03-01,2024-03-05,2024-03-04\n\
///            van-ho,2,2024-03-01,2024-03-05,2024-03-05\n\
///            van-ho,3,2024-03-01,2024-03-05,2024-03-06\n\
///            van-ho,4,2024-03-04,2024-03-08,\n\
///            moc-chau,1,2024-03-04,2024-03-08,\n";
/// let dossiers = read_dossiers(csv.as_bytes(), "d.csv").unwrap();
/// let stats = dossier_stats(&dossiers, "2024-03-11".parse::<Date>().unwrap()).unwrap();
/// assert_eq!(
///     write_dossier_stats(&stats, OutputFormat::Csv, None),
///     "unit,received,early,on_time,late,open,overdue,on_time_rate\n\
///      van-ho,4,1,1,1,1,1,66.666666666666666666666666667\n\
///      moc-chau,1,0,0,0,1,1,NA\n"
/// );
/// assert_eq!(
///     write_dossier_stats(&stats, OutputFormat::Table, None),
///     "Unit      Received  Early  On time  Late  Open  Overdue  On time %\n\
///      ------------------------------------------------------------------\n\
///      van-ho           4      1        1     1     1        1      66.67\n\
///      moc-chau         1      0        0     0     1        1         NA\n\
///      \n\
///      as of 2024-03-11\n"
/// );
/// ```
#[must_use]
pub fn write_dossier_stats(stats: &[DossierStats], format: OutputFormat, round: Option<u32>) -> String {
    match format {
        OutputFormat::Csv => csv(stats, round),
        OutputFormat::Json => json(stats, round),
        OutputFormat::Table => table(stats, round.unwrap_or(TABLE_PLACES), false),
        OutputFormat::Markdown => table(stats, round.unwrap_or(TABLE_PLACES), true),
    }
}

fn rate(s: &DossierStats, places: Option<u32>) -> Option<String> {
    let r = s.on_time_rate()?;
    Some(match places {
        None => r.to_decimal().to_string(),
        Some(p) => r.round(p, RoundingMode::HalfUp).to_string(),
    })
}

fn row(s: &DossierStats, places: Option<u32>) -> Vec<String> {
    let counts = [s.received, s.completed_early, s.completed_on_time, s.completed_late, s.open, s.overdue];
    let mut cells = vec![s.unit.clone()];
    cells.extend(counts.iter().map(u64::to_string));
    cells.push(rate(s, places).unwrap_or_else(|| "NA".to_owned()));
    cells
}

fn csv(stats: &[DossierStats], places: Option<u32>) -> String {
    let header = ["unit", "received", "early", "on_time", "late", "open", "overdue", "on_time_rate"];
    crate::table::csv(&header, stats.iter().map(|s| row(s, places)))
}

/// The JSON document, fields in this order.
#[derive(Serialize)]
struct JsonStats<'a> {
    format_version: u32,
    as_of: Option<String>,
    units: Vec<JsonUnit<'a>>,
}

#[derive(Serialize)]
struct JsonUnit<'a> {
    unit: &'a str,
    received: u64,
    early: u64,
    on_time: u64,
    late: u64,
    open: u64,
    overdue: u64,
    on_time_rate: Option<String>,
}

fn json(stats: &[DossierStats], places: Option<u32>) -> String {
    let doc = JsonStats {
        format_version: 1,
        as_of: stats.first().map(|s| s.as_of.to_string()),
        units: stats
            .iter()
            .map(|s| JsonUnit {
                unit: &s.unit,
                received: s.received,
                early: s.completed_early,
                on_time: s.completed_on_time,
                late: s.completed_late,
                open: s.open,
                overdue: s.overdue,
                on_time_rate: rate(s, places),
            })
            .collect(),
    };
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

fn table(stats: &[DossierStats], places: u32, markdown: bool) -> String {
    let header: Vec<String> =
        ["Unit", "Received", "Early", "On time", "Late", "Open", "Overdue", "On time %"]
            .map(String::from)
            .to_vec();
    let mut table = Table::new(&header).right(|i| i > 0);
    for s in stats {
        table.row(row(s, Some(places)));
    }
    let mut out = table.render(markdown);
    if let Some(first) = stats.first() {
        out.push_str(&format!("\nas of {}\n", first.as_of));
    }
    out
}

/// Writes each unit's on-time rate as rows of the long score form
/// (`unit,criterion,value,note`) for the leaf `criterion` — the measured value a threshold
/// rule such as `>=100:2 | >=95:1.5 | >=80:1 | else:0` turns into points. The note says where
/// the number comes from. A unit that completed nothing gets a blank value, which scoring
/// reports as missing: a rate of 0 or 100 would be invented. Rates are exact unless `round`.
///
/// # Examples
///
/// ```
/// use parindex::{dossier_stats, Date};
/// use parindex_io::{read_dossiers, write_dossier_scores};
/// let csv = "unit,dossier_id,received,due,completed\n\
///            van-ho,1,2024-03-01,2024-03-05,2024-03-04\n\
///            van-ho,2,2024-03-01,2024-03-05,2024-03-06\n";
/// let stats = dossier_stats(&read_dossiers(csv.as_bytes(), "d.csv").unwrap(), "2024-03-29".parse::<Date>().unwrap()).unwrap();
/// assert_eq!(
///     write_dossier_scores(&stats, "3.4.1", None),
///     "unit,criterion,value,note\n\
///      van-ho,3.4.1,50,on-time rate of 2 completed dossiers as of 2024-03-29 (1 early; 0 on time; 1 late)\n"
/// );
/// ```
#[must_use]
pub fn write_dossier_scores(stats: &[DossierStats], criterion: &str, round: Option<u32>) -> String {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let _ = w.write_record(["unit", "criterion", "value", "note"]);
    for s in stats {
        let value = s.on_time_rate().map_or_else(String::new, |r| match round {
            Some(p) => r.round(p, parindex::RoundingMode::HalfUp).to_string(),
            None => r.to_decimal().to_string(),
        });
        let note = format!(
            "on-time rate of {} completed dossiers as of {} ({} early; {} on time; {} late)",
            s.completed(),
            s.as_of,
            s.completed_early,
            s.completed_on_time,
            s.completed_late
        );
        let _ = w.write_record([s.unit.as_str(), criterion, value.as_str(), note.as_str()]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "unit,dossier_id,received,due,completed\n";

    fn err(text: &str) -> String {
        match read_dossiers(text.as_bytes(), "d.csv") {
            Ok(d) => panic!("expected an error, got {d:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn columns_in_any_order_bom_and_blank_lines() {
        let text = "\u{FEFF}completed,due,received,dossier_id,unit\n\n2024-01-09,2024-01-10,02/01/2024,HS-1,so-noi-vu\r\n,,,,\n";
        let d = read_dossiers(text.as_bytes(), "d.csv").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].unit, "so-noi-vu");
        assert_eq!(d[0].received.to_string(), "2024-01-02");
    }

    #[test]
    fn header_problems() {
        assert_eq!(
            err("unit,dossier_id,received,due,completed,note,due\n"),
            "d.csv:1:6: unknown column note\nd.csv:1:7: duplicate column due"
        );
        assert_eq!(
            err("unit,dossier_id,received\n"),
            "d.csv:1: missing column due\nd.csv:1: missing column completed"
        );
        assert_eq!(err(" \n"), "d.csv: the file is empty");
        assert_eq!(err(HEADER), "d.csv: the file has a header but no rows");
    }

    #[test]
    fn cell_problems_in_file_order() {
        let text = format!(
            "{HEADER}\
             ,HS-1,2024-01-02,2024-01-10,\n\
             a, ,2024-01-02,,2024-13-01\n\
             a,HS-2,2024-01-02\n\
             a,HS-3,2024-01-05,2024-01-04,2024-01-03\n"
        );
        assert_eq!(
            err(&text),
            "d.csv:2:1: unit is blank\n\
             d.csv:3:2: dossier_id is blank\n\
             d.csv:3:4: due is blank\n\
             d.csv:3:5: \"2024-13-01\" is not a date\n\
             d.csv:4: row has 3 fields, the header has 5\n\
             d.csv:5:4: dossier HS-3 is due 2024-01-04, before it was received 2024-01-05\n\
             d.csv:5:5: dossier HS-3 was completed 2024-01-03, before it was received 2024-01-05"
        );
    }

    #[test]
    fn same_id_in_two_units_is_fine_and_nfc_matches() {
        let nfd = "Sở Nội vụ".nfd().collect::<String>();
        let text = format!(
            "{HEADER}Sở Nội vụ,1,2024-01-02,2024-01-10,\nvan-ho,1,2024-01-02,2024-01-10,\n{nfd},1,2024-01-02,2024-01-10,\n"
        );
        assert_eq!(err(&text), "d.csv:4:2: duplicate dossier 1 (first on row 2)");
    }

    #[test]
    fn issues_carry_the_unit() {
        let e = read_dossiers(format!("{HEADER}van-ho,1,x,2024-01-10,\n").as_bytes(), "d.csv")
            .expect_err("bad date");
        assert_eq!(e.issues()[0].location, Location::default().file("d.csv").row(2).column(3).unit("van-ho"));
        assert_eq!(e.issues()[0].code(), "not_a_date");
    }

    #[test]
    fn markdown_and_json() {
        let text = format!("{HEADER}van-ho,1,2024-03-01,2024-03-05,2024-03-04\nvan-ho,2,2024-03-01,2024-03-05,2024-03-07\nvan-ho,3,2024-03-01,2024-03-05,2024-03-07\n");
        let d = read_dossiers(text.as_bytes(), "d.csv").unwrap_or_else(|e| panic!("{e}"));
        let as_of = Date::new(2024, 3, 31).unwrap_or_else(|| panic!("valid date"));
        let stats = parindex::dossier_stats(&d, as_of).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            write_dossier_stats(&stats, OutputFormat::Markdown, Some(1)),
            "| Unit   | Received | Early | On time | Late | Open | Overdue | On time % |\n\
             | ------ | -------: | ----: | ------: | ---: | ---: | ------: | --------: |\n\
             | van-ho |        3 |     1 |       0 |    2 |    0 |       0 |      33.3 |\n\
             \n\
             as of 2024-03-31\n"
        );
        assert_eq!(
            write_dossier_stats(&stats, OutputFormat::Json, None),
            r#"{
  "format_version": 1,
  "as_of": "2024-03-31",
  "units": [
    {
      "unit": "van-ho",
      "received": 3,
      "early": 1,
      "on_time": 0,
      "late": 2,
      "open": 0,
      "overdue": 0,
      "on_time_rate": "33.333333333333333333333333333"
    }
  ]
}
"#
        );
        assert_eq!(
            write_dossier_stats(&[], OutputFormat::Json, None),
            "{\n  \"format_version\": 1,\n  \"as_of\": null,\n  \"units\": []\n}\n"
        );
    }
}
