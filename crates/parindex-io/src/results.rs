//! Writing results: CSV, JSON, Markdown and an aligned terminal table.

use parindex::{Decimal, Exact, Results, UnitResult};
use serde_json::{json, Value as Json};

use crate::table::Table;

/// The output formats.
///
/// # Examples
///
/// ```
/// use parindex_io::{read_methodology, score_text, write_results, OutputFormat, WriteOptions};
/// let m = read_methodology(b"code,parent,max\n1,,3\n", "m.csv").unwrap();
/// let r = score_text(&m, "unit,name,1\nxa-tan-lap,Xã Tân Lập,1\n".as_bytes(), "s.csv").unwrap();
/// let md = write_results(&r, OutputFormat::Markdown, &WriteOptions::new());
/// let lines: Vec<&str> = md.lines().collect();
/// assert_eq!(lines[1], "| ---: | ---------- | ---------- | ----- | -----: | ------: | ---- | ---: |");
/// assert_eq!(lines[2], "|    1 | xa-tan-lap | Xã Tân Lập |       |   1.00 |   33.33 |      | 1.00 |");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// An aligned table for a terminal, rounded to the methodology's places.
    #[default]
    Table,
    /// One row per unit, sorted by rank.
    Csv,
    /// The full results, every node's points and percent.
    Json,
    /// A Markdown table, rounded to the methodology's places.
    Markdown,
}

impl OutputFormat {
    /// Parses `table`, `csv`, `json` or `markdown`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(parindex_io::OutputFormat::from_name("csv"), Some(parindex_io::OutputFormat::Csv));
    /// ```
    #[must_use]
    pub fn from_name(name: &str) -> Option<OutputFormat> {
        match name {
            "table" => Some(OutputFormat::Table),
            "csv" => Some(OutputFormat::Csv),
            "json" => Some(OutputFormat::Json),
            "markdown" | "md" => Some(OutputFormat::Markdown),
            _ => None,
        }
    }
}

/// Options for [`write_results`].
///
/// # Examples
///
/// ```
/// # use parindex_io::{read_methodology, score_text, write_results, OutputFormat, WriteOptions};
/// # let m = read_methodology(b"code,parent,max\n1,,3\n", "m.csv").unwrap();
/// # let r = score_text(&m, "unit,name,1\nxa-tan-lap,Xã Tân Lập,1\n".as_bytes(), "s.csv").unwrap();
/// // One criterion of maximum 3; Xã Tân Lập earns 1 point, an index of 33.33…%.
/// let table = write_results(&r, OutputFormat::Table, &WriteOptions::new().round(1));
/// assert_eq!(table.lines().nth(2), Some("   1  xa-tan-lap  Xã Tân Lập            1.0     33.3        1.0"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WriteOptions {
    round: Option<u32>,
}

impl WriteOptions {
    /// Unrounded CSV and JSON; tables rounded to the methodology's places.
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex_io::{read_methodology, score_text, write_results, OutputFormat, WriteOptions};
    /// # let m = read_methodology(b"code,parent,max\n1,,3\n", "m.csv").unwrap();
    /// # let r = score_text(&m, "unit,name,1\nxa-tan-lap,Xã Tân Lập,1\n".as_bytes(), "s.csv").unwrap();
    /// // One criterion of maximum 3; Xã Tân Lập earns 1 point, an index of 33.33…%.
    /// let csv = write_results(&r, OutputFormat::Csv, &WriteOptions::new());
    /// assert_eq!(csv.lines().nth(1), Some("xa-tan-lap,Xã Tân Lập,,1,33.333333333333333333333333333,1,,1"));
    /// ```
    #[must_use]
    pub fn new() -> WriteOptions {
        WriteOptions::default()
    }

    /// Rounds every number to `places` with the methodology's mode.
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex_io::{read_methodology, score_text, write_results, OutputFormat, WriteOptions};
    /// # let m = read_methodology(b"code,parent,max\n1,,3\n", "m.csv").unwrap();
    /// # let r = score_text(&m, "unit,name,1\nxa-tan-lap,Xã Tân Lập,1\n".as_bytes(), "s.csv").unwrap();
    /// // One criterion of maximum 3; Xã Tân Lập earns 1 point, an index of 33.33…%.
    /// let csv = write_results(&r, OutputFormat::Csv, &WriteOptions::new().round(2));
    /// assert_eq!(csv.lines().nth(1), Some("xa-tan-lap,Xã Tân Lập,,1.00,33.33,1,,1.00"));
    /// ```
    #[must_use]
    pub fn round(mut self, places: u32) -> WriteOptions {
        self.round = Some(places);
        self
    }
}

/// Writes results. CSV has the columns `unit,name,group,points,percent,rank,band` and one
/// column per top-level node (its points), one row per unit sorted by rank, the units not
/// ranked last with an empty rank (JSON: `null`); CSV and JSON print exact values in full
/// unless [`WriteOptions::round`] is set; the table and Markdown round to the methodology's
/// places. Not-applicable nodes print as `NA`.
///
/// # Examples
///
/// ```
/// use parindex_io::{examples, write_results, OutputFormat, WriteOptions};
/// let (m, s) = examples::load("par-2020").unwrap();
/// let r = parindex::score(&m, &s).unwrap();
/// let json = write_results(&r, OutputFormat::Json, &WriteOptions::new());
/// assert!(json.contains("\"published_percent\": \"91.05\""));
/// ```
#[must_use]
pub fn write_results(results: &Results, format: OutputFormat, options: &WriteOptions) -> String {
    match format {
        OutputFormat::Csv => csv(results, options),
        OutputFormat::Json => json(results, options),
        OutputFormat::Table => table(results, options, false),
        OutputFormat::Markdown => table(results, options, true),
    }
}

/// Prints an exact value unrounded, or rounded with the methodology's mode.
fn number(results: &Results, x: Exact, places: Option<u32>) -> String {
    match places {
        None => x.to_decimal().to_string(),
        Some(p) => x.round(p, results.methodology().settings().rounding.mode).to_string(),
    }
}

fn top_codes(results: &Results) -> Vec<String> {
    results.methodology().top_level().map(|n| n.code.clone()).collect()
}

fn row(results: &Results, u: &UnitResult<'_>, places: Option<u32>, top: &[String]) -> Vec<String> {
    let unit = u.unit();
    let mut cells = vec![
        unit.id.clone(),
        unit.name.clone().unwrap_or_default(),
        unit.group.clone().unwrap_or_default(),
        number(results, u.points(), places),
        number(results, u.percent(), places),
        u.rank().map(|r| r.to_string()).unwrap_or_default(),
        u.band().unwrap_or_default().to_owned(),
    ];
    for code in top {
        let points = u.node(code).and_then(|n| n.points());
        cells.push(points.map_or_else(|| "NA".to_owned(), |p| number(results, p, places)));
    }
    cells
}

fn csv(results: &Results, options: &WriteOptions) -> String {
    let top = top_codes(results);
    let mut header: Vec<String> =
        ["unit", "name", "group", "points", "percent", "rank", "band"].map(String::from).to_vec();
    header.extend(top.iter().cloned());
    crate::table::csv(&header, results.ranked().iter().map(|u| row(results, u, options.round, &top)))
}

fn json(results: &Results, options: &WriteOptions) -> String {
    let m = results.methodology();
    let places = options.round;
    let units: Vec<Json> = results
        .ranked()
        .iter()
        .map(|u| {
            let unit = u.unit();
            let (bonus, penalty) = u.adjustments();
            let nodes: Vec<Json> = u
                .nodes()
                .map(|n| {
                    json!({
                        "code": n.code(),
                        "points": n.points().map(|p| number(results, p, places)),
                        "percent": n.percent().map(|p| number(results, p, places)),
                    })
                })
                .collect();
            json!({
                "unit": unit.id,
                "name": unit.name,
                "group": unit.group,
                "points": number(results, u.points(), places),
                "percent": number(results, u.percent(), places),
                "published_percent": u.published_percent().to_string(),
                "rank": u.rank(),
                "band": u.band(),
                "bonus": dec(bonus),
                "penalty": dec(penalty),
                "nodes": nodes,
            })
        })
        .collect();
    let doc = json!({
        "format_version": 1,
        "methodology": m.info().id,
        "max": m.max().normalize().to_string(),
        "units": units,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

fn dec(d: Decimal) -> String {
    d.normalize().to_string()
}

fn table(results: &Results, options: &WriteOptions, markdown: bool) -> String {
    let places = Some(options.round.unwrap_or(results.methodology().settings().rounding.places));
    let top = top_codes(results);
    let mut header: Vec<String> =
        ["Rank", "Unit", "Name", "Group", "Points", "Index %", "Band"].map(String::from).to_vec();
    header.extend(top.iter().cloned());
    let rows: Vec<Vec<String>> = results
        .ranked()
        .iter()
        .map(|u| {
            let mut r = row(results, u, places, &top);
            let rank = r.remove(5);
            r.insert(0, rank);
            r
        })
        .collect();
    let mut table = Table::new(&header).right(|i| i == 0 || i == 4 || i == 5 || i >= 7);
    for r in rows {
        table.row(r);
    }
    table.render(markdown)
}
