//! Improvement plans and what-if comparisons: reading `CODE=VALUE` changes, writing a
//! readable table, Markdown, CSV or JSON (DESIGN.md §10).

use parindex::{
    Decimal, Error, Exact, IssueKind, Location, Methodology, Plan, RoundingMode, Rule, Standing, Value,
    WhatIf,
};
use serde_json::{json, Value as Json};
use unicode_normalization::UnicodeNormalization;

use crate::table::Table;
use crate::{parse_decimal, OutputFormat};

/// Reads one change of a what-if, `CODE=VALUE`: the value is `NA` (or `N/A`), yes/no on a
/// yes/no leaf (`yes`, `có`, `true`, `x`, `1` / `no`, `không`, `false`, `0`), otherwise a
/// decimal (points, or the measured value of a rule-based leaf). The code is trimmed and
/// normalised to Unicode NFC; whether it is a leaf is checked when scoring.
///
/// # Errors
///
/// `syntax` without `=`; `not_a_number` or `not_yes_no` for the value, at the criterion.
///
/// # Examples
///
/// ```
/// use parindex::{Decimal, Value};
/// use parindex_io::{examples, parse_change};
/// let m = examples::methodology("par-demo").unwrap();
/// let (code, v) = parse_change(&m, "3.4.1=98.5").unwrap();
/// assert_eq!((code.as_str(), v), ("3.4.1", Value::Number("98.5".parse::<Decimal>().unwrap())));
/// assert_eq!(parse_change(&m, "1.1.1=có").unwrap().1, Value::Number(Decimal::ONE));
/// assert_eq!(parse_change(&m, "3.2.1 = NA").unwrap().1, Value::NotApplicable);
/// assert_eq!(parse_change(&m, "1.2=1,5").unwrap_err().to_string(), "criterion 1.2: \"1,5\" is not a number");
/// assert_eq!(parse_change(&m, "1.2").unwrap_err().to_string(), "\"1.2\" is not CODE=VALUE");
/// ```
pub fn parse_change(methodology: &Methodology, text: &str) -> Result<(String, Value), Error> {
    let Some((code, value)) = text.split_once('=') else {
        let reason = format!("{text:?} is not CODE=VALUE");
        return Err(Error::single(Location::default(), IssueKind::Syntax { reason }));
    };
    let code: String = code.trim().nfc().collect();
    let t = value.trim();
    let at = || Location::default().criterion(code.as_str());
    if t.eq_ignore_ascii_case("na") || t.eq_ignore_ascii_case("n/a") {
        return Ok((code, Value::NotApplicable));
    }
    let yes_no = methodology.nodes().iter().any(|n| n.code == code && n.rule == Rule::YesNo);
    if yes_no {
        return match t.to_lowercase().as_str() {
            "yes" | "có" | "co" | "true" | "1" | "x" => Ok((code, Value::Number(Decimal::ONE))),
            "no" | "không" | "khong" | "false" | "0" => Ok((code, Value::Number(Decimal::ZERO))),
            _ => Err(Error::single(at(), IssueKind::NotYesNo { text: value.trim().to_owned() })),
        };
    }
    match parse_decimal(t) {
        Ok(d) => Ok((code, Value::Number(d))),
        Err(kind) => Err(Error::single(at(), kind)),
    }
}

/// Writes a plan: the unit, the target and the index it requires, the leaves to raise (from,
/// to, points gained, cost, and the unit's total points gained through each), and the unit's
/// points, index, ranks and band now and with the plan, as scored. The table and Markdown
/// round to `places` (half up); CSV (one row per step) and JSON print exact values unless
/// `round` is given.
///
/// # Examples
///
/// ```
/// use parindex_io::{examples, write_plan, OutputFormat};
/// let (m, s) = examples::load("par-demo").unwrap();
/// let r = parindex::score(&m, &s).unwrap();
/// let goal = "band:B".parse().unwrap();
/// let p = parindex::plan(&r, &s, "so-y-te", &goal, &parindex::PlanOptions::new()).unwrap();
/// let csv = write_plan(&p, OutputFormat::Csv, 2, None);
/// assert!(csv.starts_with("code,name,from,to,gain,cost,effect\n"));
/// let table = write_plan(&p, OutputFormat::Table, 2, None);
/// assert!(table.contains("target band:B: an index of at least 79.995 %"));
/// ```
#[must_use]
pub fn write_plan(plan: &Plan, format: OutputFormat, places: u32, round: Option<u32>) -> String {
    let full = |x: Exact| match round {
        Some(p) => x.round(p, RoundingMode::HalfUp).to_string(),
        None => x.to_decimal().to_string(),
    };
    let short = |x: Exact| x.round(round.unwrap_or(places), RoundingMode::HalfUp).to_string();
    let dec = |d: Decimal| d.normalize().to_string();
    match format {
        OutputFormat::Json => {
            let steps: Vec<Json> = plan
                .steps
                .iter()
                .map(|s| {
                    json!({
                        "code": s.code, "name": s.name, "from": dec(s.from), "to": dec(s.to),
                        "gain": dec(s.gain), "cost": dec(s.cost), "effect": full(s.effect),
                    })
                })
                .collect();
            let doc = json!({
                "unit": plan.unit, "name": plan.name, "group": plan.group,
                "target": plan.goal.to_string(), "objective": plan.objective.name(),
                "granularity": dec(plan.granularity),
                "required_percent": full(plan.required_percent), "strict": plan.strict,
                "already_met": plan.already_met,
                "gain": dec(plan.gain), "cost": dec(plan.cost), "steps": steps,
                "before": standing_json(&plan.before, &full), "after": standing_json(&plan.after, &full),
            });
            serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
        }
        OutputFormat::Csv => {
            let mut w =
                csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
            let _ = w.write_record(["code", "name", "from", "to", "gain", "cost", "effect"]);
            for s in &plan.steps {
                let _ = w.write_record([
                    s.code.clone(),
                    s.name.clone(),
                    dec(s.from),
                    dec(s.to),
                    dec(s.gain),
                    dec(s.cost),
                    full(s.effect),
                ]);
            }
            String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
        }
        OutputFormat::Table | OutputFormat::Markdown => {
            let md = format == OutputFormat::Markdown;
            let mut out = title(&plan.unit, plan.name.as_deref(), plan.group.as_deref(), md);
            let bound = if plan.strict { "above" } else { "at least" };
            out.push_str(&format!(
                "target {}: an index of {bound} {} %\n",
                plan.goal,
                required(plan.required_percent, places)
            ));
            if plan.already_met {
                out.push_str("already met: nothing to change\n");
            } else {
                let objective = match plan.objective {
                    parindex::Objective::LeastCost => format!("least cost ({})", dec(plan.cost)),
                    _ => "fewest points".to_owned(),
                };
                let n = plan.steps.len();
                out.push_str(&format!(
                    "plan: {objective}, in steps of {}: {} points on {n} {}\n",
                    dec(plan.granularity),
                    dec(plan.gain),
                    if n == 1 { "criterion" } else { "criteria" }
                ));
                out.push('\n');
                let rows: Vec<Vec<String>> = plan
                    .steps
                    .iter()
                    .map(|s| {
                        vec![
                            s.code.clone(),
                            s.name.clone(),
                            dec(s.from),
                            dec(s.to),
                            dec(s.gain),
                            dec(s.cost),
                            short(s.effect),
                        ]
                    })
                    .collect();
                out.push_str(&table(&["Code", "Name", "From", "To", "Gain", "Cost", "Effect"], &rows, md));
            }
            out.push('\n');
            let rows =
                vec![standing_row("now", &plan.before, &short), standing_row("after", &plan.after, &short)];
            out.push_str(&table(&["", "Points", "Index %", "Rank", "Group", "Band"], &rows, md));
            out
        }
    }
}

/// Writes a what-if: the changed leaves (input and points before and after) and the unit's
/// points, index, ranks and band before and after, with the change. The table and Markdown
/// round to `places` (half up); CSV (`what,before,after`) and JSON print exact values unless
/// `round` is given.
///
/// # Examples
///
/// ```
/// use parindex::{Decimal, Value, WhatIf};
/// use parindex_io::{examples, write_what_if, OutputFormat};
/// let (m, s) = examples::load("par-demo").unwrap();
/// let before = parindex::score(&m, &s).unwrap();
/// let change = ("3.4.1".to_string(), Value::Number("98.5".parse::<Decimal>().unwrap()));
/// let after = parindex::what_if(&m, &s, "so-y-te", &[change]).unwrap();
/// let w = WhatIf::between(&before, &after, "so-y-te").unwrap();
/// let csv = write_what_if(&w, OutputFormat::Csv, 2, Some(2));
/// assert!(csv.contains("\ninput 3.4.1,91.3,98.5\npoints 3.4.1,1.00,1.50\n"));
/// ```
#[must_use]
pub fn write_what_if(w: &WhatIf, format: OutputFormat, places: u32, round: Option<u32>) -> String {
    let full = |x: Exact| match round {
        Some(p) => x.round(p, RoundingMode::HalfUp).to_string(),
        None => x.to_decimal().to_string(),
    };
    let short = |x: Exact| x.round(round.unwrap_or(places), RoundingMode::HalfUp).to_string();
    let input = |d: Option<Decimal>| d.map_or_else(|| "NA".to_owned(), |d| d.normalize().to_string());
    let diff = |a: Exact, b: Exact| a.checked_sub(b);
    match format {
        OutputFormat::Json => {
            let leaves: Vec<Json> = w
                .leaves
                .iter()
                .map(|l| {
                    json!({
                        "code": l.code, "name": l.name, "max": l.max.normalize().to_string(),
                        "input_before": l.input_before.map(|d| d.normalize().to_string()),
                        "input_after": l.input_after.map(|d| d.normalize().to_string()),
                        "points_before": l.points_before.map(full), "points_after": l.points_after.map(full),
                    })
                })
                .collect();
            let doc = json!({
                "unit": w.unit, "name": w.name, "group": w.group, "changes": leaves,
                "before": standing_json(&w.before, &full), "after": standing_json(&w.after, &full),
                "points_change": diff(w.after.points, w.before.points).map(full),
                "percent_change": diff(w.after.percent, w.before.percent).map(full),
                "movement": w.movement.to_string(),
            });
            serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
        }
        OutputFormat::Csv => {
            let mut w_ =
                csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
            let _ = w_.write_record(["what", "before", "after"]);
            let (b, a) = (&w.before, &w.after);
            let rank = |r: Option<(u32, u32)>| r.map(|r| format!("{}/{}", r.0, r.1)).unwrap_or_default();
            let rows = [
                ("points", full(b.points), full(a.points)),
                ("percent", full(b.percent), full(a.percent)),
                ("published_percent", b.published.to_string(), a.published.to_string()),
                ("rank", rank(b.rank), rank(a.rank)),
                ("group_rank", rank(b.group_rank), rank(a.group_rank)),
                ("band", b.band.clone().unwrap_or_default(), a.band.clone().unwrap_or_default()),
            ];
            for (what, x, y) in rows {
                let _ = w_.write_record([what.to_owned(), x, y]);
            }
            let points = |p: Option<Exact>| p.map_or_else(|| "NA".to_owned(), full);
            for l in &w.leaves {
                let _ = w_.write_record([
                    format!("input {}", l.code),
                    input(l.input_before),
                    input(l.input_after),
                ]);
                let _ = w_.write_record([
                    format!("points {}", l.code),
                    points(l.points_before),
                    points(l.points_after),
                ]);
            }
            String::from_utf8(w_.into_inner().unwrap_or_default()).unwrap_or_default()
        }
        OutputFormat::Table | OutputFormat::Markdown => {
            let md = format == OutputFormat::Markdown;
            let mut out = title(&w.unit, w.name.as_deref(), w.group.as_deref(), md);
            out.push('\n');
            let points = |p: Option<Exact>| p.map_or_else(|| "NA".to_owned(), short);
            let rows: Vec<Vec<String>> = w
                .leaves
                .iter()
                .map(|l| {
                    vec![
                        l.code.clone(),
                        l.name.clone(),
                        format!("{} → {}", input(l.input_before), input(l.input_after)),
                        format!("{} → {}", points(l.points_before), points(l.points_after)),
                    ]
                })
                .collect();
            if rows.is_empty() {
                out.push_str("no value changes\n");
            } else {
                out.push_str(&table(&["Code", "Name", "Input", "Points"], &rows, md));
            }
            out.push('\n');
            let signed = |x: Option<Exact>| match x {
                Some(x) if x > Exact::ZERO => format!("+{}", short(x)),
                Some(x) => short(x),
                None => String::new(),
            };
            let rows = vec![
                standing_row("before", &w.before, &short),
                standing_row("after", &w.after, &short),
                vec![
                    "change".to_owned(),
                    signed(diff(w.after.points, w.before.points)),
                    signed(diff(w.after.percent, w.before.percent)),
                    w.movement.to_string(),
                    String::new(),
                    String::new(),
                ],
            ];
            out.push_str(&table(&["", "Points", "Index %", "Rank", "Group", "Band"], &rows, md));
            out
        }
    }
}

/// `so-y-te  Sở Y tế  (department)`, a Markdown heading in Markdown.
fn title(unit: &str, name: Option<&str>, group: Option<&str>, md: bool) -> String {
    let t = format!(
        "{unit}{}{}",
        name.map(|n| format!("  {n}")).unwrap_or_default(),
        group.map(|g| format!("  ({g})")).unwrap_or_default()
    );
    if md {
        format!("### {t}\n\n")
    } else {
        format!("{t}\n")
    }
}

/// The required index as a short decimal: exact when it has at most `places + 3` decimals,
/// else truncated there with an ellipsis.
fn required(x: Exact, places: u32) -> String {
    let shown = x.round(places + 3, RoundingMode::Down);
    if Exact::from_decimal(shown) == x {
        shown.normalize().to_string()
    } else {
        format!("{}…", shown.normalize())
    }
}

/// One row of the standing table: points and index as published (or rounded with `--round`),
/// rank, rank in the group, band.
fn standing_row(label: &str, s: &Standing, short: &dyn Fn(Exact) -> String) -> Vec<String> {
    let rank = |r: Option<(u32, u32)>| r.map_or_else(|| "-".to_owned(), |r| format!("{}/{}", r.0, r.1));
    vec![
        label.to_owned(),
        short(s.points),
        short(s.percent),
        rank(s.rank),
        rank(s.group_rank),
        s.band.clone().unwrap_or_else(|| "-".to_owned()),
    ]
}

fn standing_json(s: &Standing, full: &dyn Fn(Exact) -> String) -> Json {
    json!({
        "points": full(s.points), "percent": full(s.percent), "published_percent": s.published.to_string(),
        "rank": s.rank.map(|r| r.0), "of": s.rank.map(|r| r.1),
        "group_rank": s.group_rank.map(|r| r.0), "group_size": s.group_rank.map(|r| r.1),
        "band": s.band,
    })
}

/// An aligned table, or a Markdown table.
fn table(header: &[&str], rows: &[Vec<String>], md: bool) -> String {
    let mut table = Table::new(header);
    for r in rows {
        table.row(r.clone());
    }
    table.render(md)
}
