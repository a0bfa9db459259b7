//! Score sheets: the wide form (one row per unit) and the long form (one row per unit and
//! criterion, with self-assessed and appraised points).

use std::collections::{HashMap, HashSet};

use parindex::{
    score, Decimal, Error, Issue, IssueKind, Location, Methodology, Results, Rule, Scores, Unit, Value,
};
use unicode_normalization::UnicodeNormalization;

use crate::text::{csv_issue, csv_reader, data_rows, decode, full_row, known_columns, parse_decimal};

/// Cells the reader already reported; scoring's "missing value" for them would repeat it.
#[derive(Default)]
pub(crate) struct Reported {
    cells: HashSet<(String, String)>,
    leaves: HashSet<String>,
    units: HashSet<String>,
}

impl Reported {
    fn covers(&self, issue: &Issue) -> bool {
        let unit = issue.location.unit.clone().unwrap_or_default();
        let code = issue.location.criterion.clone().unwrap_or_default();
        issue.kind == IssueKind::MissingValue
            && (self.leaves.contains(&code)
                || self.units.contains(&unit)
                || self.cells.contains(&(unit, code)))
    }
}

/// Reads a score sheet for a methodology: the long form when the header has a `criterion`
/// column, the wide form otherwise; an `.xlsx` workbook (the first sheet holding a score
/// table, or the sheet a `book.xlsx!Sheet` name chooses; see
/// [`read_scores_xlsx`](crate::read_scores_xlsx)) when the name ends in `.xlsx` or the bytes
/// are a workbook's.
///
/// # Errors
///
/// Every issue of [`read_scores_wide`] or [`read_scores_long`].
///
/// # Examples
///
/// ```
/// let m = parindex_io::read_methodology(b"code,parent,max\n1,,10\n", "m.csv").unwrap();
/// let wide = parindex_io::read_scores(&m, b"unit,1\nso-noi-vu,7.5\n", "s.csv").unwrap();
/// let long = parindex_io::read_scores(&m, b"unit,criterion,appraised\nso-noi-vu,1,7.5\n", "l.csv").unwrap();
/// assert_eq!(wide.units()[0].id, "so-noi-vu");
/// assert_eq!(wide.value(0, "1"), Some(parindex::Value::Number("7.5".parse().unwrap())));
/// assert_eq!(long.value(0, "1"), wide.value(0, "1"));
/// ```
pub fn read_scores(methodology: &Methodology, bytes: &[u8], file: &str) -> Result<Scores, Error> {
    if let Some((book, options)) = crate::xlsx::workbook(bytes, file) {
        return crate::xlsx::read_scores_xlsx(methodology, bytes, book, &options);
    }
    read(methodology, bytes, file).and_then(|(scores, issues, _)| match Error::from_issues(issues) {
        None => Ok(scores),
        Some(e) => Err(e),
    })
}

/// Reads a score sheet and scores it, reporting the problems of both steps at once, in file
/// order.
///
/// # Errors
///
/// Every issue of reading and of [`parindex::score`], located as `file:row:column`.
///
/// # Examples
///
/// ```
/// let m = parindex_io::read_methodology(b"code,parent,max\n1,,10\n2,,5\n", "m.csv").unwrap();
/// let err = parindex_io::score_text(&m, b"unit,1,2\na,x,6\nb,3,\n", "s.csv").unwrap_err();
/// assert_eq!(err.to_string(), "s.csv:2:2: criterion 1: \"x\" is not a number\n\
///     s.csv:2:3: criterion 2: 6 exceeds its maximum 5\n\
///     s.csv:3:3: criterion 2: missing value (write NA if the criterion does not apply)");
/// ```
pub fn score_text(methodology: &Methodology, bytes: &[u8], file: &str) -> Result<Results, Error> {
    if let Some((book, options)) = crate::xlsx::workbook(bytes, file) {
        return crate::xlsx::score_xlsx(methodology, bytes, book, &options);
    }
    score_read(methodology, read(methodology, bytes, file)?)
}

fn read(
    methodology: &Methodology,
    bytes: &[u8],
    file: &str,
) -> Result<(Scores, Vec<Issue>, Reported), Error> {
    let text = decode(bytes, file)?;
    if text.trim().is_empty() {
        return Err(Error::single(Location::default().file(file), IssueKind::Empty));
    }
    let first = text.lines().next().unwrap_or_default();
    let long = first.split(',').any(|h| h.trim().trim_matches('"') == "criterion");
    if long {
        read_long(methodology, text, file)
    } else {
        read_wide(methodology, text, file)
    }
}

/// Reads a score sheet from its header and data rows, whatever the source (a CSV text or a
/// worksheet): the long form when the header has a `criterion` column, the wide form
/// otherwise.
pub(crate) fn scores_from_rows(
    methodology: &Methodology,
    header: Header,
    rows: impl Iterator<Item = Result<(u64, csv::StringRecord), Issue>>,
    file: &str,
) -> Result<(Scores, Vec<Issue>, Reported), Error> {
    if header.columns.iter().any(|c| c == "criterion") {
        long_from_rows(methodology, header, rows, file)
    } else {
        wide_from_rows(methodology, header, rows, file)
    }
}

/// Scores what was read, reporting the problems of reading and scoring at once, in row order.
pub(crate) fn score_read(
    methodology: &Methodology,
    read: (Scores, Vec<Issue>, Reported),
) -> Result<Results, Error> {
    let (scores, mut issues, reported) = read;
    match score(methodology, &scores) {
        Ok(results) if issues.is_empty() => return Ok(results),
        Ok(_) => {}
        Err(e) => issues.extend(e.into_issues().into_iter().filter(|i| !reported.covers(i))),
    }
    issues.sort_by_key(|i| (i.location.row.unwrap_or(u64::MAX), i.location.column.unwrap_or(0)));
    Err(Error::from_issues(issues).unwrap_or_else(|| Error::single(Location::default(), IssueKind::Empty)))
}

/// Reads the wide form: a header `unit[,name][,group][,ranked],<leaf code>…[,bonus][,penalty]`
/// and one row per unit. Cells hold points (or the measured value of a rule-based leaf,
/// `yes`/`no` for a yes/no leaf), `NA` when the criterion does not apply; blank cells are
/// missing. The optional `ranked` column says whether the unit takes part in the ranking:
/// `yes` (the default, also when blank) or `no` (scored, banded, not ranked).
///
/// # Errors
///
/// Every problem at once, located as `file:row:column`.
///
/// # Examples
///
/// ```
/// let m = parindex_io::read_methodology(b"code,parent,max\n1,,10\n", "m.csv").unwrap();
/// let err = parindex_io::read_scores_wide(&m, "unit,1,9\na,1,2\na,3\n", "s.csv").unwrap_err();
/// assert_eq!(err.to_string(), "s.csv:1:3: criterion 9: unknown criterion (not in methodology m)\n\
///     s.csv:3: duplicate unit a (first on row 2)");
///
/// let s = parindex_io::read_scores_wide(&m, "unit,ranked,1\nbo-a,,7\nttcp,no,9\n", "s.csv").unwrap();
/// assert_eq!((s.units()[0].ranked, s.units()[1].ranked), (true, false));
/// let err = parindex_io::read_scores_wide(&m, "unit,ranked,1\nbo-a,maybe,7\n", "s.csv").unwrap_err();
/// assert_eq!(err.to_string(), "s.csv:2:2: \"maybe\" is not yes or no");
/// ```
pub fn read_scores_wide(methodology: &Methodology, text: &str, file: &str) -> Result<Scores, Error> {
    let (scores, issues, _) = read_wide(methodology, text, file)?;
    Error::from_issues(issues).map_or(Ok(scores), Err)
}

/// Reads the long form: a header with `unit`, `criterion` and any of `name`, `group`,
/// `ranked`, `self_assessed`, `appraised`, `value`, `note` (and `criterion_name`, `max`, which
/// are not read: they help the person filling the sheet); one row per unit and leaf.
/// `appraised` counts (blank: the self-assessed points stand); rule-based leaves read
/// `value`; the criteria `bonus` and `penalty` carry those points. `ranked` (`yes`, the
/// default, or `no`) may be given on any of the unit's rows; blank cells say nothing, and two
/// rows of one unit must not contradict each other.
///
/// # Errors
///
/// Every problem at once, located as `file:row:column`.
///
/// # Examples
///
/// ```
/// let m = parindex_io::read_methodology(b"code,parent,max\n1,,10\n2,,10\n", "m.csv").unwrap();
/// let s = parindex_io::read_scores_long(&m, "unit,criterion,self_assessed,appraised\na,1,9,8.5\n", "s.csv").unwrap();
/// assert_eq!(s.self_assessed(0, "1").unwrap().to_string(), "9");
/// assert_eq!(s.value(0, "1"), Some(parindex::Value::Number("8.5".parse().unwrap())));
///
/// let text = "unit,criterion,ranked,appraised\nttcp,1,,8\nttcp,2,no,9\n";
/// assert!(!parindex_io::read_scores_long(&m, text, "s.csv").unwrap().units()[0].ranked);
/// let text = "unit,criterion,ranked,appraised\nttcp,1,no,8\nttcp,2,yes,9\n";
/// let err = parindex_io::read_scores_long(&m, text, "s.csv").unwrap_err();
/// assert_eq!(err.to_string(), "s.csv:3:3: ranked \"yes\" contradicts \"no\" on row 2");
/// ```
pub fn read_scores_long(methodology: &Methodology, text: &str, file: &str) -> Result<Scores, Error> {
    let (scores, issues, _) = read_long(methodology, text, file)?;
    Error::from_issues(issues).map_or(Ok(scores), Err)
}

fn clean(s: &str) -> String {
    s.trim().nfc().collect()
}

/// Reads a `ranked` cell: yes (also blank) or no.
fn parse_ranked(text: &str) -> Result<bool, IssueKind> {
    match clean(text).to_lowercase().as_str() {
        "" | "yes" | "có" | "co" | "true" | "1" | "x" => Ok(true),
        "no" | "không" | "khong" | "false" | "0" => Ok(false),
        _ => Err(IssueKind::NotYesNo { text: text.to_owned() }),
    }
}

/// Reads one cell for a leaf: `NA`, yes/no on a yes/no leaf, or a decimal.
fn parse_cell(rule: &Rule, text: &str) -> Result<Value, IssueKind> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("na") || t.eq_ignore_ascii_case("n/a") {
        return Ok(Value::NotApplicable);
    }
    if matches!(rule, Rule::YesNo) {
        let lower = t.to_lowercase();
        return match lower.as_str() {
            "yes" | "có" | "co" | "true" | "1" | "x" => Ok(Value::Number(Decimal::ONE)),
            "no" | "không" | "khong" | "false" | "0" => Ok(Value::Number(Decimal::ZERO)),
            _ => Err(IssueKind::NotYesNo { text: text.to_owned() }),
        };
    }
    parse_decimal(t).map(Value::Number)
}

/// A header row: its cells (trimmed, NFC) and its row number.
pub(crate) struct Header {
    pub(crate) columns: Vec<String>,
    pub(crate) row: u64,
}

impl Header {
    /// A header from its cells as written.
    pub(crate) fn new<S: AsRef<str>>(cells: impl IntoIterator<Item = S>, row: u64) -> Header {
        Header { columns: cells.into_iter().map(|c| clean(c.as_ref())).collect(), row }
    }
}

fn header<'a>(text: &'a str, file: &str) -> Result<(Header, csv::StringRecordsIntoIter<&'a [u8]>), Error> {
    let mut records = csv_reader(text).into_records();
    match records.next() {
        None => Err(Error::single(Location::default().file(file), IssueKind::Empty)),
        Some(Err(e)) => Err(Error::from_issues(vec![csv_issue(&e, file, 0)]).unwrap_or_else(|| empty(file))),
        Some(Ok(h)) => {
            let row = h.position().map_or(1, |p| p.line());
            Ok((Header { columns: h.iter().map(clean).collect(), row }, records))
        }
    }
}

fn empty(file: &str) -> Error {
    Error::single(Location::default().file(file), IssueKind::Empty)
}

fn read_wide(
    methodology: &Methodology,
    text: &str,
    file: &str,
) -> Result<(Scores, Vec<Issue>, Reported), Error> {
    let (h, records) = header(text, file)?;
    wide_from_rows(methodology, h, data_rows(records, file, 0), file)
}

fn wide_from_rows(
    methodology: &Methodology,
    h: Header,
    records: impl Iterator<Item = Result<(u64, csv::StringRecord), Issue>>,
    file: &str,
) -> Result<(Scores, Vec<Issue>, Reported), Error> {
    let at = |row: u64| Location::default().file(file).row(row);
    let mut issues = Vec::new();
    let mut reported = Reported::default();
    let mut scores = Scores::new(methodology);
    scores.set_file(file);
    let rules: HashMap<&str, &Rule> =
        methodology.nodes().iter().map(|n| (n.code.as_str(), &n.rule)).collect();

    let mut unit_col = None;
    let mut name_col = None;
    let mut group_col = None;
    let mut ranked_col = None;
    let mut adjust_cols = Vec::new();
    let mut leaf_cols: Vec<(usize, String)> = Vec::new();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, name) in h.columns.iter().enumerate() {
        let here = at(h.row).column(i as u64 + 1);
        if seen.insert(name.as_str(), i).is_some() {
            issues.push(Issue::new(here, IssueKind::DuplicateColumn { column: name.clone() }));
            continue;
        }
        match name.as_str() {
            "unit" => unit_col = Some(i),
            "name" => name_col = Some(i),
            "group" => group_col = Some(i),
            "ranked" => ranked_col = Some(i),
            "bonus" | "penalty" => adjust_cols.push((i, name.clone())),
            code if methodology.is_leaf(code) => {
                scores.locate_column(code, i as u64 + 1);
                leaf_cols.push((i, code.to_owned()));
            }
            code if methodology.node(code).is_some() => {
                issues.push(Issue::new(here.criterion(code), IssueKind::NotALeaf));
            }
            code => issues.push(Issue::new(
                here.criterion(code),
                IssueKind::UnknownCriterion { methodology: methodology.info().id.clone() },
            )),
        }
    }
    let Some(unit_col) = unit_col else {
        issues.insert(0, Issue::new(at(h.row), IssueKind::MissingColumn { column: "unit".into() }));
        return Err(Error::from_issues(issues).unwrap_or_else(|| empty(file)));
    };
    for code in methodology.leaf_codes() {
        if !seen.contains_key(code) {
            issues.push(Issue::new(at(h.row).criterion(code), IssueKind::MissingCriterion));
            reported.leaves.insert(code.to_owned());
        }
    }

    let mut rows = 0;
    // Each leaf column's rule, looked up once.
    let leaf_rules: Vec<&Rule> = leaf_cols
        .iter()
        .map(|(_, code)| rules.get(code.as_str()).copied().unwrap_or(&Rule::Points))
        .collect();
    for item in records {
        let (row, record) = match item {
            Ok(x) => x,
            Err(issue) => {
                issues.push(issue);
                continue;
            }
        };
        rows += 1;
        let id = clean(record.get(unit_col).unwrap_or_default());
        if id.is_empty() {
            issues.push(Issue::new(at(row).column(unit_col as u64 + 1), IssueKind::MissingUnit));
            continue;
        }
        let mut unit = Unit::new(id.clone());
        unit.name = name_col.and_then(|c| record.get(c)).map(str::trim).filter(|s| !s.is_empty()).map(clean);
        unit.group =
            group_col.and_then(|c| record.get(c)).map(str::trim).filter(|s| !s.is_empty()).map(clean);
        if let Some((c, cell)) = ranked_col.and_then(|c| record.get(c).map(|cell| (c, cell))) {
            match parse_ranked(cell) {
                Ok(ranked) => unit.ranked = ranked,
                Err(kind) => issues.push(Issue::new(at(row).column(c as u64 + 1), kind)),
            }
        }
        let u = match scores.add_unit(unit) {
            Ok(u) => u,
            Err(e) => {
                issues.extend(e.into_issues().into_iter().map(|mut i| {
                    i.location = at(row);
                    i
                }));
                continue;
            }
        };
        scores.locate_unit(u, row);
        if record.len() != h.columns.len() {
            let kind = IssueKind::RaggedRow { expected: h.columns.len() as u64, found: record.len() as u64 };
            issues.push(Issue::new(at(row), kind));
            reported.units.insert(id);
            continue;
        }
        for ((c, code), &rule) in leaf_cols.iter().zip(&leaf_rules) {
            let cell = &record[*c];
            if cell.trim().is_empty() {
                continue; // missing: scoring reports it
            }
            let result = parse_cell(rule, cell).and_then(|v| scores.set(u, code, v).map_err(first_kind));
            if let Err(kind) = result {
                issues.push(Issue::new(at(row).column(*c as u64 + 1).criterion(code.clone()), kind));
                reported.cells.insert((id.clone(), code.clone()));
            }
        }
        for (c, what) in &adjust_cols {
            let cell = record[*c].trim();
            if cell.is_empty() {
                continue;
            }
            let set = |scores: &mut Scores, d: Decimal| {
                if what == "bonus" {
                    scores.set_bonus(u, d)
                } else {
                    scores.set_penalty(u, d)
                }
            };
            if let Err(kind) = parse_decimal(cell).and_then(|d| set(&mut scores, d).map_err(first_kind)) {
                issues.push(Issue::new(at(row).column(*c as u64 + 1), kind));
            }
        }
    }
    if rows == 0 && issues.is_empty() {
        issues.push(Issue::new(Location::default().file(file), IssueKind::NoRows));
    }
    Ok((scores, issues, reported))
}

fn first_kind(e: Error) -> IssueKind {
    e.into_issues().into_iter().next().map_or(IssueKind::Empty, |i| i.kind)
}

/// The long form's columns; `criterion_name` and `max` (as in the fill-in template) are for
/// the person filling the sheet and are not read.
const LONG_COLUMNS: [&str; 11] = [
    "unit",
    "name",
    "group",
    "ranked",
    "criterion",
    "criterion_name",
    "max",
    "self_assessed",
    "appraised",
    "value",
    "note",
];

fn read_long(
    methodology: &Methodology,
    text: &str,
    file: &str,
) -> Result<(Scores, Vec<Issue>, Reported), Error> {
    let (h, records) = header(text, file)?;
    long_from_rows(methodology, h, data_rows(records, file, 0), file)
}

fn long_from_rows(
    methodology: &Methodology,
    h: Header,
    records: impl Iterator<Item = Result<(u64, csv::StringRecord), Issue>>,
    file: &str,
) -> Result<(Scores, Vec<Issue>, Reported), Error> {
    let at = |row: u64| Location::default().file(file).row(row);
    let mut issues = Vec::new();
    let mut reported = Reported::default();
    let mut scores = Scores::new(methodology);
    scores.set_file(file);
    let col = known_columns(&h.columns, &LONG_COLUMNS, &["unit", "criterion"], &at(h.row), &mut issues);
    if !issues.is_empty() {
        return Err(Error::from_issues(issues).unwrap_or_else(|| empty(file)));
    }
    let mut first_row: HashMap<(usize, String), u64> = HashMap::new();
    // The first explicit `ranked` cell of each unit: (value, its text, row).
    let mut ranked_at: HashMap<usize, (bool, String, u64)> = HashMap::new();
    let mut rows = 0;
    for item in records {
        let Some((row, record)) = full_row(item, h.columns.len(), file, &mut issues) else { continue };
        rows += 1;
        let field = |name: &str| col.get(name).map(|&i| record[i].trim()).filter(|s| !s.is_empty());
        let column = |name: &str| col.get(name).map_or(0, |&i| i as u64 + 1);
        let Some(id) = field("unit").map(clean) else {
            issues.push(Issue::new(at(row).column(column("unit")), IssueKind::MissingUnit));
            continue;
        };
        let code = field("criterion").map(clean).unwrap_or_default();
        let u = match scores.unit_index(&id) {
            Some(u) => u,
            None => {
                let mut unit = Unit::new(id.clone());
                unit.name = field("name").map(clean);
                unit.group = field("group").map(clean);
                match scores.add_unit(unit) {
                    Ok(u) => u,
                    Err(e) => {
                        issues.extend(e.into_issues());
                        continue;
                    }
                }
            }
        };
        if let Some(text) = field("ranked") {
            let cell = at(row).column(column("ranked"));
            match (parse_ranked(text), ranked_at.get(&u)) {
                (Err(kind), _) => issues.push(Issue::new(cell, kind)),
                (Ok(ranked), None) => {
                    ranked_at.insert(u, (ranked, text.to_owned(), row));
                    let _ = scores.set_ranked(u, ranked); // `u` was just added or found
                }
                (Ok(ranked), Some((previous, first, first_row))) if ranked != *previous => {
                    let kind = IssueKind::ConflictingValue {
                        column: "ranked".into(),
                        value: text.to_owned(),
                        previous: first.clone(),
                        row: *first_row,
                    };
                    issues.push(Issue::new(cell, kind));
                }
                (Ok(_), Some(_)) => {}
            }
        }
        let here = at(row).criterion(code.clone());
        if let Some(&first) = first_row.get(&(u, code.clone())) {
            let kind = IssueKind::DuplicateScore { unit: id.clone(), first: format!("row {first}") };
            issues.push(Issue::new(here, kind));
            continue;
        }
        first_row.insert((u, code.clone()), row);
        if code == "bonus" || code == "penalty" {
            let c = if field("appraised").is_some() { "appraised" } else { "value" };
            if field(c).is_none() && field("self_assessed").is_none() {
                continue; // blank, as in the wide form: none
            }
            let parsed = parse_decimal(field(c).unwrap_or_default()).and_then(|d| {
                if code == "bonus" { scores.set_bonus(u, d) } else { scores.set_penalty(u, d) }
                    .map_err(first_kind)
            });
            if let Err(kind) = parsed {
                issues.push(Issue::new(here.column(column(c)), kind));
            }
            continue;
        }
        let Some(node) = methodology.node(&code) else {
            let kind = IssueKind::UnknownCriterion { methodology: methodology.info().id.clone() };
            issues.push(Issue::new(here.column(column("criterion")), kind));
            continue;
        };
        if !methodology.is_leaf(&code) {
            issues.push(Issue::new(here.column(column("criterion")), IssueKind::NotALeaf));
            continue;
        }
        // Rule-based leaves read the measured value; points leaves the appraised points, or
        // the self-assessed points when the appraisal left them as they were.
        let candidates: &[&str] = if node.rule.is_points() {
            &["appraised", "self_assessed", "value"]
        } else {
            &["value", "appraised"]
        };
        let source = candidates
            .iter()
            .copied()
            .find(|c| field(c).is_some())
            .or_else(|| candidates.iter().copied().find(|c| col.contains_key(c)))
            .unwrap_or("criterion");
        scores.locate_value(u, &code, row, column(source));
        if let Some(text) = field(source) {
            let result =
                parse_cell(&node.rule, text).and_then(|v| scores.set(u, &code, v).map_err(first_kind));
            if let Err(kind) = result {
                issues.push(Issue::new(here.clone().column(column(source)), kind));
                reported.cells.insert((id.clone(), code.clone()));
            }
        }
        if let Some(text) = field("self_assessed").filter(|_| node.rule.is_points()) {
            match parse_decimal(text) {
                Ok(d) => {
                    if let Err(e) = scores.set_self_assessed(u, &code, d) {
                        issues.push(Issue::new(here.clone().column(column("self_assessed")), first_kind(e)));
                    } else if d.is_sign_negative() || node.max.is_some_and(|m| d > m) {
                        let kind =
                            IssueKind::SelfAssessedOutOfRange { value: d, max: node.max.unwrap_or_default() };
                        issues.push(Issue::new(here.clone().column(column("self_assessed")), kind));
                    }
                }
                Err(_) if text.eq_ignore_ascii_case("na") => {}
                Err(kind) => issues.push(Issue::new(here.clone().column(column("self_assessed")), kind)),
            }
        }
        if let Some(note) = field("note") {
            let _ = scores.set_note(u, &code, note);
        }
    }
    if rows == 0 && issues.is_empty() {
        issues.push(Issue::new(Location::default().file(file), IssueKind::NoRows));
    }
    Ok((scores, issues, reported))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m() -> Methodology {
        crate::read_methodology(b"code,parent,max\n1,,10\n", "m.csv").unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn long_form_reads_a_points_leaf_from_value_alone() {
        let s = read_scores_long(&m(), "unit,criterion,value\na,1,5\n", "s.csv")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.value(0, "1"), Some(Value::Number(Decimal::from(5))));
    }

    #[test]
    fn a_blank_unit_cell_is_reported_where_it_is() {
        let err = read_scores_wide(&m(), "unit,1\n,5\n", "s.csv").map(|_| ()).expect_err("rejected");
        assert_eq!(err.to_string(), "s.csv:2:1: missing unit id");
        let err = read_scores_long(&m(), "unit,criterion,appraised\n,1,5\n", "s.csv")
            .map(|_| ())
            .expect_err("rejected");
        assert_eq!(err.to_string(), "s.csv:2:1: missing unit id");
    }

    #[test]
    fn a_long_row_without_any_value_points_at_the_appraised_column() {
        let err = score_text(&m(), b"unit,criterion,self_assessed,appraised\na,1,,\n", "s.csv")
            .map(|_| ())
            .expect_err("rejected");
        assert_eq!(
            err.to_string(),
            "s.csv:2:4: criterion 1: missing value (write NA if the criterion does not apply)"
        );
    }
}
