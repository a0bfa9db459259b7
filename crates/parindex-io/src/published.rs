//! Reading a year's results back: the CSV or JSON `parindex score` writes, a decision's annex
//! typed as a table, or a results workbook — for comparing this year with last year when only
//! last year's results are at hand.

use std::collections::{HashMap, HashSet};

use parindex::{Decimal, Error, Issue, IssueKind, Location, PublishedNode, PublishedResults, PublishedUnit};
use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

use crate::rank_out::Lang;
use crate::report_html::Labels;
use crate::text::{csv_issue, csv_reader, data_rows, decode, full_row, parse_decimal};

/// The columns with a meaning; every other column is a node (its points).
const KNOWN: [&str; 8] = ["unit", "name", "group", "points", "percent", "published_percent", "rank", "band"];

/// Columns written next to results that are not last year's values: read and left out.
const IGNORED: [&str; 7] =
    ["bonus", "penalty", "previous_rank", "movement", "points_change", "index_change", "previous_band"];

/// What a column holds.
#[derive(Clone, PartialEq, Eq)]
enum Column {
    Known(&'static str),
    Ignored,
    Node(String),
    Blank,
}

/// A header cell's meaning: a column name (`unit`, `percent`, …; `index` is `percent`), or its
/// label in a workbook `parindex report` wrote, in English or Vietnamese (`Index %`, `Chỉ số
/// (%)`, …), where a domain's column is `CODE. Name`; any other text names a node.
fn column_of(name: &str) -> Column {
    let lower = name.to_lowercase();
    if lower.is_empty() {
        return Column::Blank;
    }
    let labels = [Lang::En, Lang::Vi].map(|lang| Labels { lang });
    let label = |key: &str| labels.iter().any(|l| l.t(key).to_lowercase() == lower);
    if let Some(&k) = KNOWN.iter().find(|k| **k == lower || label(k)) {
        return Column::Known(k);
    }
    if lower == "index" || label("index") {
        return Column::Known("percent");
    }
    if IGNORED.iter().any(|k| *k == lower || label(k)) {
        return Column::Ignored;
    }
    match name.split_once(". ") {
        Some((code, _)) if !code.is_empty() && !code.contains(char::is_whitespace) => {
            Column::Node(code.to_owned())
        }
        _ => Column::Node(name.to_owned()),
    }
}

/// A header row of published results: it has a unit column.
pub(crate) fn is_published_header(cells: &[String]) -> bool {
    cells.iter().any(|c| column_of(c) == Column::Known("unit"))
}

fn clean(s: &str) -> String {
    s.trim().nfc().collect()
}

/// Reads a year's published results (see [`PublishedResults`]): the CSV or JSON that
/// `parindex score --format csv|json` writes, the same table typed from a decision's annex, or
/// such a table in a workbook (`book.xlsx`, `book.xlsx!Sheet`; the header is the first row
/// holding `unit`).
///
/// A table has a header with `unit` and `points` or `percent` (also called `index`), and may
/// have `name`, `group`, `rank` (blank: not ranked), `band` and `published_percent`; `bonus`,
/// `penalty` and the columns of a comparison (`previous_rank`, `movement`, …) are left out;
/// every other column is a node's points (`NA`: did not apply; blank: not given). The labels
/// of the workbook `parindex report` writes are read as these names, in English or
/// Vietnamese (`Xếp hạng`, `Đơn vị`, `Chỉ số (%)`, …; a domain's `1. Name` is node `1`).
/// Numbers are exact decimals with a dot. A JSON document is read as `parindex score` writes
/// it, with every node's points and percent. Unit ids are trimmed and normalised to NFC; a
/// UTF-8 byte-order mark is accepted.
///
/// # Errors
///
/// Every problem at once, located as `file:row:column`: `empty`, `no_rows`, `encoding`,
/// `syntax`, `missing_column` (`unit`, or both `points` and `percent`), `duplicate_column`,
/// `unknown_column` (a blank header cell), `ragged_row`, `missing_unit` (a blank id),
/// `duplicate_unit`, `not_a_number` (a value, or a rank that is not a whole number),
/// `negative`, `blank` (neither points nor index), `invalid_rank` (0, or above the
/// number of ranked units), `unsupported_version`.
///
/// # Examples
///
/// ```
/// use parindex_io::read_published_results;
/// let csv = "unit,name,points,rank,band,1,2\n\
///            quang-ninh,Quảng Ninh,91.04,1,A,9.5,NA\n\
///            hai-phong,Hải Phòng,90.51,2,A,9,8\n";
/// let r = read_published_results(csv.as_bytes(), "2023.csv").unwrap();
/// let hp = r.unit("hai-phong").unwrap();
/// assert_eq!((hp.rank, hp.points.unwrap().to_string()), (Some(2), "90.51".to_string()));
/// assert_eq!(r.units()[0].nodes[1].points, None);
///
/// let bad = "unit,points,rank\na,91,1\na,9O,x\n";
/// assert_eq!(
///     read_published_results(bad.as_bytes(), "2023.csv").unwrap_err().to_string(),
///     "2023.csv:3:1: duplicate unit a (first on row 2)\n\
///      2023.csv:3:2: \"9O\" is not a number\n\
///      2023.csv:3:3: \"x\" is not a number"
/// );
/// ```
pub fn read_published_results(bytes: &[u8], file: &str) -> Result<PublishedResults, Error> {
    if let Some((book, options)) = crate::xlsx::workbook(bytes, file) {
        return crate::xlsx::read_published_xlsx(bytes, book, &options);
    }
    let text = decode(bytes, file)?;
    if text.trim().is_empty() {
        return Err(empty(file));
    }
    if text.trim_start().starts_with('{') {
        return from_json(text, file);
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
    published_from_rows(header.iter(), header_row, data_rows(records, file, 0), file)
}

fn empty(file: &str) -> Error {
    Error::single(Location::default().file(file), IssueKind::Empty)
}

/// Published results from a header row (cells, row number) and data rows, whatever the source
/// (a CSV text or a worksheet).
pub(crate) fn published_from_rows<S: AsRef<str>>(
    header: impl IntoIterator<Item = S>,
    header_row: u64,
    records: impl Iterator<Item = Result<(u64, csv::StringRecord), Issue>>,
    file: &str,
) -> Result<PublishedResults, Error> {
    let at = |row: u64| Location::default().file(file).row(row);
    let names: Vec<String> = header.into_iter().map(|h| clean(h.as_ref())).collect();
    let mut issues = Vec::new();
    let mut col: HashMap<&'static str, usize> = HashMap::new();
    let mut seen: HashSet<String> = HashSet::new();
    let kinds: Vec<Column> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let kind = column_of(name);
            let here = at(header_row).column(i as u64 + 1);
            let repeated = match &kind {
                Column::Known(k) => col.insert(k, i).is_some(),
                Column::Node(code) => !seen.insert(code.clone()),
                Column::Ignored => false,
                Column::Blank => {
                    issues.push(Issue::new(here.clone(), IssueKind::UnknownColumn { column: String::new() }));
                    false
                }
            };
            if repeated {
                issues.push(Issue::new(here, IssueKind::DuplicateColumn { column: name.clone() }));
            }
            kind
        })
        .collect();
    for (needed, what) in [(&["unit"][..], "unit"), (&["points", "percent"][..], "points or percent")] {
        if !needed.iter().any(|c| col.contains_key(c)) {
            issues.push(Issue::new(at(header_row), IssueKind::MissingColumn { column: what.into() }));
        }
    }
    if !issues.is_empty() {
        return Err(Error::from_issues(issues).unwrap_or_else(|| empty(file)));
    }

    let mut units = Vec::new();
    let mut rows_of = Vec::new();
    let mut first_row: HashMap<String, u64> = HashMap::new();
    let mut rows = 0;
    for item in records {
        let Some((row, record)) = full_row(item, names.len(), file, &mut issues) else { continue };
        rows += 1;
        let id = clean(&record[col["unit"]]);
        let here = |c: usize| {
            let loc = at(row).column(c as u64 + 1);
            if id.is_empty() {
                loc
            } else {
                loc.unit(id.clone())
            }
        };
        let mut unit = PublishedUnit::new(id.clone());
        if id.is_empty() {
            issues.push(Issue::new(here(col["unit"]), IssueKind::MissingUnit));
        } else if let Some(first) = first_row.get(&id) {
            let kind = IssueKind::DuplicateUnit { unit: id.clone(), first: format!("row {first}") };
            issues.push(Issue::new(here(col["unit"]), kind));
        } else {
            first_row.insert(id.clone(), row);
        }
        let number = |c: usize, issues: &mut Vec<Issue>| -> Option<Decimal> {
            let text = record[c].trim();
            if text.is_empty() {
                return None;
            }
            match parse_decimal(text) {
                Ok(d) if d.is_sign_negative() && !d.is_zero() => {
                    issues.push(Issue::new(here(c), IssueKind::Negative { value: d }));
                    None
                }
                Ok(d) => Some(d),
                Err(kind) => {
                    issues.push(Issue::new(here(c), kind));
                    None
                }
            }
        };
        for (c, kind) in kinds.iter().enumerate() {
            let text = clean(&record[c]);
            match kind {
                Column::Known("name") if !text.is_empty() => unit.name = Some(text),
                Column::Known("group") if !text.is_empty() => unit.group = Some(text),
                Column::Known("band") if !text.is_empty() => unit.band = Some(text),
                Column::Known("points") => unit.points = number(c, &mut issues),
                Column::Known("percent") => unit.percent = number(c, &mut issues),
                Column::Known("published_percent") => unit.published_percent = number(c, &mut issues),
                Column::Known("rank") if !text.is_empty() => match text.parse::<u32>() {
                    Ok(r) => unit.rank = Some(r), // 0 and ranks past the last: below
                    Err(_) => issues.push(Issue::new(here(c), IssueKind::NotANumber { text })),
                },
                Column::Node(code) if text.eq_ignore_ascii_case("na") => {
                    unit.nodes.push(PublishedNode::new(code.clone(), None));
                }
                Column::Node(code) if !text.is_empty() => {
                    if let Some(d) = number(c, &mut issues) {
                        unit.nodes.push(PublishedNode::new(code.clone(), Some(d)));
                    }
                }
                _ => {}
            }
        }
        let given = |c: Option<&usize>| c.is_some_and(|&c| !record[c].trim().is_empty());
        if !id.is_empty() && !given(col.get("points")) && !given(col.get("percent")) {
            let c = col.get("points").or(col.get("percent")).copied().unwrap_or(0);
            issues.push(Issue::new(here(c), IssueKind::Blank { what: "points or percent".into() }));
        }
        units.push(unit);
        rows_of.push(row);
    }
    if rows == 0 && issues.is_empty() {
        issues.push(Issue::new(Location::default().file(file), IssueKind::NoRows));
    }
    // Ranks are checked against the number of ranked units once every row could be read.
    let unreadable =
        issues.iter().any(|i| matches!(i.kind, IssueKind::RaggedRow { .. } | IssueKind::Syntax { .. }));
    let ranked = units.iter().filter(|u| u.rank.is_some()).count() as u64;
    for (u, &row) in units.iter().zip(&rows_of).filter(|_| !unreadable) {
        if let Some(rank) = u.rank.filter(|&r| r == 0 || u64::from(r) > ranked) {
            let loc = at(row).column(col.get("rank").map_or(0, |&c| c as u64 + 1)).unit(u.id.clone());
            issues.push(Issue::new(loc, IssueKind::InvalidRank { rank: rank.into(), ranked }));
        }
    }
    issues.sort_by_key(|i| (i.location.row, i.location.column));
    if let Some(e) = Error::from_issues(issues) {
        return Err(e);
    }
    PublishedResults::new(None, units).map_err(|e| e.in_file(file))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    format_version: u64,
    #[serde(default)]
    methodology: Option<String>,
    #[serde(default)]
    max: Option<String>,
    units: Vec<JsonUnit>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonUnit {
    unit: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    points: Option<String>,
    #[serde(default)]
    percent: Option<String>,
    #[serde(default)]
    published_percent: Option<String>,
    #[serde(default)]
    rank: Option<u32>,
    #[serde(default)]
    band: Option<String>,
    // Read so that the JSON of `parindex score` is accepted as it is; not last year's values.
    #[serde(default, rename = "bonus")]
    _bonus: Option<String>,
    #[serde(default, rename = "penalty")]
    _penalty: Option<String>,
    #[serde(default)]
    nodes: Vec<JsonNode>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonNode {
    code: String,
    #[serde(default)]
    points: Option<String>,
    #[serde(default)]
    percent: Option<String>,
}

/// The JSON `parindex score --format json` writes.
fn from_json(text: &str, file: &str) -> Result<PublishedResults, Error> {
    let doc: Document = serde_json::from_str(text).map_err(|e| {
        let at = Location::default().file(file).row(e.line() as u64).column(e.column() as u64);
        Error::single(at, IssueKind::Syntax { reason: e.to_string() })
    })?;
    if doc.format_version != 1 {
        let kind = IssueKind::UnsupportedVersion { found: doc.format_version, supported: 1 };
        return Err(Error::single(Location::default().file(file), kind));
    }
    let mut issues = Vec::new();
    let mut number = |text: Option<String>, at: Location| -> Option<Decimal> {
        parse_decimal(&text?).map_err(|kind| issues.push(Issue::new(at, kind))).ok()
    };
    let max = number(doc.max, Location::default().file(file));
    let mut units = Vec::with_capacity(doc.units.len());
    for u in doc.units {
        let id = clean(&u.unit);
        let at = Location::default().file(file).unit(id.clone());
        let mut unit = PublishedUnit::new(id);
        unit.name = u.name;
        unit.group = u.group;
        unit.band = u.band;
        unit.rank = u.rank;
        unit.points = number(u.points, at.clone());
        unit.percent = number(u.percent, at.clone());
        unit.published_percent = number(u.published_percent, at.clone());
        for n in u.nodes {
            let at = at.clone().criterion(n.code.clone());
            let mut node = PublishedNode::new(n.code, number(n.points, at.clone()));
            node.percent = number(n.percent, at);
            unit.nodes.push(node);
        }
        units.push(unit);
    }
    let unreadable: HashSet<String> = issues.iter().filter_map(|i| i.location.unit.clone()).collect();
    match PublishedResults::new(doc.methodology, units) {
        Ok(results) if issues.is_empty() => Ok(match max {
            Some(m) => results.max(m),
            None => results,
        }),
        Ok(_) => Err(Error::from_issues(issues).unwrap_or_else(|| empty(file))),
        Err(e) => {
            // A value that could not be read is not also missing.
            let checked = e.in_file(file).into_issues().into_iter().filter(|i| {
                !(matches!(i.kind, IssueKind::Blank { .. })
                    && i.location.unit.as_ref().is_some_and(|u| unreadable.contains(u)))
            });
            issues.extend(checked);
            Err(Error::from_issues(issues).unwrap_or_else(|| empty(file)))
        }
    }
}
