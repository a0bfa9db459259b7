//! The methodology node table: a CSV a person can keep in a spreadsheet.

use parindex::{
    Band, Decimal, Direction, Error, Info, Issue, IssueKind, Level, Location, Methodology, Node,
    NotApplicable, RankOn, RoundingMode, Rule, Source, Step, Ties,
};

use crate::text::{
    csv_issue, csv_reader, data_rows, decode, full_row, known_columns, metadata_decimal, parse_decimal,
    split_metadata,
};

const COLUMNS: [&str; 9] = ["code", "parent", "name", "name_en", "max", "weight", "source", "rule", "note"];

/// Reads a methodology from a file's bytes: an `.xlsx` workbook (the first sheet holding a
/// node table, or the sheet a `book.xlsx!Sheet` name chooses; see
/// [`read_methodology_xlsx`](crate::read_methodology_xlsx)) when the name ends in `.xlsx` or
/// the bytes are a workbook's, JSON when the name ends in `.json` or the text starts with
/// `{`, the node table CSV otherwise.
///
/// # Errors
///
/// Every issue of [`decode`], [`Methodology::from_json`] or [`read_methodology_csv`],
/// located in `file`.
///
/// # Examples
///
/// ```
/// let m = parindex_io::read_methodology(b"code,parent,max\n1,,10\n", "tiny.csv").unwrap();
/// assert_eq!(m.info().id, "tiny"); // the id defaults to the file name
/// let from_json = parindex_io::read_methodology(m.to_json().as_bytes(), "tiny.json").unwrap();
/// assert_eq!(from_json, m);
/// ```
pub fn read_methodology(bytes: &[u8], file: &str) -> Result<Methodology, Error> {
    if let Some((book, options)) = crate::xlsx::workbook(bytes, file) {
        return crate::xlsx::read_methodology_xlsx(bytes, book, &options);
    }
    let text = decode(bytes, file)?;
    if file.ends_with(".json") || text.trim_start().starts_with('{') {
        Methodology::from_json(text).map_err(|e| e.in_file(file))
    } else {
        read_methodology_csv(text, file)
    }
}

/// Reads the node table CSV described in DESIGN.md: optional `# key: value` metadata lines
/// (`id`, `name`, `year`, `level`, `provenance`, `rounding`, `not_applicable`, `bands`,
/// `bonus`, `penalty`, `ties`, `tie_break`, `rank_on`), then a header with `code`, `parent`,
/// `max` and optionally `name`, `name_en`, `weight`, `source`, `rule`, `note`, then one row
/// per node. A setting's problem is reported at its metadata line.
///
/// # Errors
///
/// Every problem at once, located as `file:row:column`: missing or unknown columns, ragged
/// rows, numbers that do not read, malformed rules or settings, and every validation issue
/// of [`Methodology::new`] at the node's row.
///
/// # Examples
///
/// ```
/// use parindex_io::read_methodology_csv;
/// let text = "# id: demo\n# bands: A>=90; B>=80\ncode,parent,name,max\n1,,Domain,\n1.1,1,Leaf,6\n1.2,1,Leaf,4\n";
/// let m = read_methodology_csv(text, "demo.csv").unwrap();
/// assert_eq!(m.max_of("1").unwrap().to_string(), "10");
/// assert_eq!(m.settings().bands.len(), 2);
///
/// let ordinal = "# ties: ordinal\n# tie_break: 2; 1.1\ncode,parent,max\n1,,\n1.1,1,6\n2,,4\n";
/// let m = read_methodology_csv(ordinal, "o.csv").unwrap();
/// assert_eq!(m.settings().tie_break, ["2", "1.1"]);
/// let unknown = read_methodology_csv("# tie_break: 8\ncode,parent,max\n1,,10\n", "u.csv").unwrap_err();
/// assert_eq!(unknown.to_string(), "u.csv:1: invalid setting tie_break: criterion 8 does not exist");
///
/// let err = read_methodology_csv("code,parent,max\n1,,10\n2,1,x\n2,9,1\n", "bad.csv").unwrap_err();
/// assert_eq!(err.to_string(), "bad.csv:3:3: criterion 2: \"x\" is not a number\n\
///                              bad.csv:4: criterion 2: duplicate criterion code (first defined on row 3)\n\
///                              bad.csv:4: criterion 2: parent 9 does not exist");
/// ```
pub fn read_methodology_csv(text: &str, file: &str) -> Result<Methodology, Error> {
    let (meta, body, offset) = split_metadata(text);
    let mut rows = csv_reader(body).into_records();
    let header = match rows.next() {
        None => None,
        Some(Err(e)) => Some(Err(csv_issue(&e, file, offset))),
        Some(Ok(h)) => Some(Ok((offset + h.position().map_or(1, |p| p.line()), h))),
    };
    methodology_from_rows(meta, header, data_rows(rows, file, offset), file, text.trim().is_empty())
}

/// The node table from its parts, whatever the source (a CSV text or a worksheet): the
/// metadata `(row, key, value)`, the header row, the data rows (blank rows already left out)
/// and whether the source held nothing at all.
pub(crate) fn methodology_from_rows(
    meta: Vec<(u64, String, String)>,
    header: Option<Result<(u64, csv::StringRecord), Issue>>,
    rows: impl Iterator<Item = Result<(u64, csv::StringRecord), Issue>>,
    file: &str,
    blank: bool,
) -> Result<Methodology, Error> {
    let mut issues = Vec::new();
    let at = |row: u64| Location::default().file(file).row(row);
    let stem = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let stem = stem.split('.').next().unwrap_or(stem);
    let mut info = Info::new(stem, stem);
    let mut settings = parindex::Settings::default();
    for (line, key, value) in &meta {
        if let Err(kind) = apply_metadata(&mut info, &mut settings, key, value) {
            issues.push(Issue::new(at(*line), kind));
        }
    }

    let (header_row, header) = match header {
        None => {
            let kind = if blank {
                IssueKind::Empty
            } else {
                IssueKind::NoHeader { expected: "code,parent,max and optional columns".into() }
            };
            return Err(Error::single(Location::default().file(file), kind));
        }
        Some(Err(issue)) => {
            return Err(Error::from_issues(vec![issue]).unwrap_or_else(|| unreachable_err(file)))
        }
        Some(Ok(h)) => h,
    };
    let names: Vec<&str> = header.iter().collect();
    let col = known_columns(&names, &COLUMNS, &["code", "parent", "max"], &at(header_row), &mut issues);
    if !issues.is_empty() && col.len() < 3 {
        return Err(Error::from_issues(issues).unwrap_or_else(|| unreachable_err(file)));
    }

    let mut nodes = Vec::new();
    let mut locations = Vec::new();
    for item in rows {
        let Some((row, record)) = full_row(item, header.len(), file, &mut issues) else { continue };
        let field = |name: &str| col.get(name).map(|&i| record[i].trim()).filter(|s| !s.is_empty());
        let code = field("code").unwrap_or_default().to_owned();
        let here = |name: &str| {
            let mut l = at(row).criterion(code.clone());
            if let Some(&i) = col.get(name) {
                l = l.column(i as u64 + 1);
            }
            l
        };
        let mut node = Node::new(code.clone(), field("name").unwrap_or_default());
        node.parent = field("parent").map(str::to_owned);
        node.name_en = field("name_en").map(str::to_owned);
        node.note = field("note").map(str::to_owned);
        for (name, slot) in [("max", &mut node.max), ("weight", &mut node.weight)] {
            if let Some(t) = field(name) {
                match parse_decimal(t) {
                    Ok(d) => *slot = Some(d),
                    Err(kind) => issues.push(Issue::new(here(name), kind)),
                }
            }
        }
        if let Some(s) = field("source") {
            match Source::from_name(s) {
                Some(s) => node.source = s,
                None => issues.push(Issue::new(
                    here("source"),
                    IssueKind::InvalidSetting {
                        setting: "source".into(),
                        reason: format!("{s:?} is not appraised, survey or measured"),
                    },
                )),
            }
        }
        if let Some(r) = field("rule") {
            match parse_rule(r) {
                Ok(rule) => node.rule = rule,
                Err(reason) => issues.push(Issue::new(here("rule"), IssueKind::InvalidRule { reason })),
            }
        }
        nodes.push(node);
        locations.push(at(row));
    }
    if nodes.is_empty() && issues.is_empty() {
        return Err(Error::single(Location::default().file(file), IssueKind::NoRows));
    }
    match Methodology::located(info, settings, nodes, &locations) {
        Ok(m) if issues.is_empty() => Ok(m),
        Ok(_) => Err(Error::from_issues(issues).unwrap_or_else(|| unreachable_err(file))),
        Err(e) => {
            // Keep one issue per place: a value that did not read already explains its node.
            for mut issue in e.into_issues() {
                // A setting's issue belongs on the metadata line that set it.
                let key = match &issue.kind {
                    IssueKind::InvalidSetting { setting, .. } => Some(setting.as_str()),
                    IssueKind::InvalidBands { .. } => Some("bands"),
                    _ => None,
                };
                if let Some((line, ..)) = key
                    .and_then(|k| meta.iter().find(|(_, name, _)| name == k))
                    .filter(|_| issue.location.row.is_none())
                {
                    issue.location.row = Some(*line);
                }
                let dup = issues.iter().any(|i| {
                    i.location.row == issue.location.row
                        && i.location.row.is_some()
                        && issue.kind == IssueKind::MissingMax
                });
                if !dup {
                    issues.push(issue.with_file(file));
                }
            }
            issues.sort_by_key(|i| (i.location.row.unwrap_or(0), i.location.column.unwrap_or(0)));
            Err(Error::from_issues(issues).unwrap_or_else(|| unreachable_err(file)))
        }
    }
}

trait WithFile {
    fn with_file(self, file: &str) -> Self;
}

impl WithFile for Issue {
    fn with_file(mut self, file: &str) -> Issue {
        if self.location.file.is_none() {
            self.location.file = Some(file.to_owned());
        }
        self
    }
}

/// Only reached if an issue list that was just checked non-empty is empty.
fn unreachable_err(file: &str) -> Error {
    Error::single(Location::default().file(file), IssueKind::Empty)
}

fn apply_metadata(
    info: &mut Info,
    s: &mut parindex::Settings,
    key: &str,
    value: &str,
) -> Result<(), IssueKind> {
    let bad = |reason: String| IssueKind::InvalidSetting { setting: key.to_owned(), reason };
    let dec = |v: &str| metadata_decimal(v).ok_or_else(|| bad(format!("{v:?} is not a number")));
    match key {
        "id" => info.id = value.to_owned(),
        "name" => info.name = value.to_owned(),
        "year" => info.year = Some(value.parse().map_err(|_| bad(format!("{value:?} is not a year")))?),
        "level" => info.level = Some(Level::from(value.to_owned())),
        "provenance" => info.provenance = Some(value.to_owned()),
        "rounding" => {
            let mut parts = value.split_whitespace();
            let places = parts
                .next()
                .and_then(|p| p.parse().ok())
                .ok_or_else(|| bad(format!("{value:?}: write e.g. \"2 half_up\"")))?;
            let mode = match parts.next() {
                None => RoundingMode::HalfUp,
                Some(m) => RoundingMode::from_name(m).ok_or_else(|| bad(format!("unknown mode {m:?}")))?,
            };
            s.rounding = parindex::Rounding { places, mode };
        }
        "not_applicable" => {
            s.not_applicable = match value {
                "rebase" => NotApplicable::Rebase,
                "full" | "full_points" => NotApplicable::FullPoints,
                _ => return Err(bad(format!("{value:?} is not rebase or full_points"))),
            }
        }
        "bonus" => s.bonus = Some(dec(value)?),
        "penalty" => s.penalty = Some(dec(value)?),
        "ties" => {
            s.ties = Ties::from_name(value)
                .ok_or_else(|| bad(format!("{value:?} is not competition, dense or ordinal")))?;
        }
        "rank_on" => {
            s.rank_on = RankOn::from_name(value)
                .ok_or_else(|| bad(format!("{value:?} is not exact or published")))?;
        }
        "tie_break" => {
            s.tie_break =
                value.split(';').map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect();
        }
        "bands" => {
            s.bands = value
                .split(';')
                .filter(|b| !b.trim().is_empty())
                .map(|b| {
                    let (label, min) =
                        b.split_once(">=").ok_or_else(|| bad(format!("{b:?}: write e.g. \"A>=90\"")))?;
                    Ok(Band { label: label.trim().to_owned(), min: dec(min)? })
                })
                .collect::<Result<_, IssueKind>>()?;
        }
        _ => return Err(bad("unknown setting".to_owned())),
    }
    Ok(())
}

/// Parses the rule column: empty or `points`, `yes_no`, `proportional[:FULL]`,
/// `[thresholds:] >=100:2 | >=80:1 | else:0` (or with `<=`).
fn parse_rule(text: &str) -> Result<Rule, String> {
    let t = text.trim();
    match t {
        "" | "points" => return Ok(Rule::Points),
        "yes_no" => return Ok(Rule::YesNo),
        "proportional" => return Ok(Rule::Proportional { full: Decimal::ONE_HUNDRED }),
        _ => {}
    }
    if let Some(full) = t.strip_prefix("proportional:") {
        let full =
            parse_decimal(full).map_err(|_| format!("proportional full value {full:?} is not a number"))?;
        return Ok(Rule::Proportional { full });
    }
    let body = t.strip_prefix("thresholds:").unwrap_or(t);
    let mut direction = None;
    let mut steps = Vec::new();
    let mut otherwise = None;
    for part in body.split('|').map(str::trim) {
        let (cond, points) = part
            .rsplit_once(':')
            .ok_or_else(|| format!("{part:?}: write a step as \">=80:1\" or \"else:0\""))?;
        let points =
            parse_decimal(points).map_err(|_| format!("{part:?}: points {points:?} are not a number"))?;
        let cond = cond.trim();
        if cond == "else" {
            otherwise = Some(points);
            continue;
        }
        if otherwise.is_some() {
            return Err("else must be the last step".into());
        }
        let (dir, bound) = if let Some(b) = cond.strip_prefix(">=") {
            (Direction::AtLeast, b)
        } else if let Some(b) = cond.strip_prefix("<=") {
            (Direction::AtMost, b)
        } else {
            return Err(format!("{part:?}: a step starts with >= or <="));
        };
        if direction.is_some_and(|d| d != dir) {
            return Err("mixes >= and <= steps".into());
        }
        direction = Some(dir);
        let bound = parse_decimal(bound).map_err(|_| format!("{part:?}: bound {bound:?} is not a number"))?;
        steps.push(Step { bound, points });
    }
    let otherwise =
        otherwise.ok_or("a threshold rule ends with else:POINTS (what a value below every step earns)")?;
    Ok(Rule::Thresholds { direction: direction.unwrap_or_default(), steps, otherwise })
}

/// Writes a methodology as a node table CSV that [`read_methodology_csv`] reads back to
/// the same methodology.
///
/// # Examples
///
/// ```
/// use parindex_io::{read_methodology_csv, write_methodology_csv};
/// let m = read_methodology_csv("# id: x\ncode,parent,max,rule\n1,,2,>=95:2 | >=80:1 | else:0\n", "x.csv").unwrap();
/// let text = write_methodology_csv(&m);
/// assert_eq!(read_methodology_csv(&text, "y.csv").unwrap(), m);
/// ```
#[must_use]
pub fn write_methodology_csv(m: &Methodology) -> String {
    let info = m.info();
    let s = m.settings();
    let mut out = String::new();
    let mut meta = |k: &str, v: &str| {
        let line = format!("# {k}: {}", v.replace(['\n', '\r'], " "));
        // Quote the line as one CSV field when it holds a quote or a comma.
        if line.contains(['"', ',']) {
            out.push_str(&format!("\"{}\"\n", line.replace('"', "\"\"")));
        } else {
            out.push_str(&line);
            out.push('\n');
        }
    };
    meta("id", &info.id);
    meta("name", &info.name);
    if let Some(y) = info.year {
        meta("year", &y.to_string());
    }
    if let Some(l) = &info.level {
        meta("level", &l.to_string());
    }
    if let Some(p) = &info.provenance {
        meta("provenance", p);
    }
    meta("rounding", &format!("{} {}", s.rounding.places, s.rounding.mode.name()));
    meta(
        "not_applicable",
        match s.not_applicable {
            NotApplicable::Rebase => "rebase",
            NotApplicable::FullPoints => "full_points",
        },
    );
    if !s.bands.is_empty() {
        let bands: Vec<String> = s.bands.iter().map(|b| format!("{}>={}", b.label, b.min)).collect();
        meta("bands", &bands.join("; "));
    }
    if let Some(b) = s.bonus {
        meta("bonus", &b.to_string());
    }
    if let Some(p) = s.penalty {
        meta("penalty", &p.to_string());
    }
    meta("ties", s.ties.name());
    if !s.tie_break.is_empty() {
        meta("tie_break", &s.tie_break.join("; "));
    }
    meta("rank_on", s.rank_on.name());
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let opt = |d: Option<Decimal>| d.map(|d| d.to_string()).unwrap_or_default();
    // Writing to a Vec cannot fail.
    let _ = w.write_record(COLUMNS);
    for n in m.nodes() {
        let _ = w.write_record([
            n.code.clone(),
            n.parent.clone().unwrap_or_default(),
            n.name.clone(),
            n.name_en.clone().unwrap_or_default(),
            opt(n.max),
            opt(n.weight),
            n.source.name().to_owned(),
            n.rule.to_string(),
            n.note.clone().unwrap_or_default(),
        ]);
    }
    out.push_str(&String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default());
    out
}
