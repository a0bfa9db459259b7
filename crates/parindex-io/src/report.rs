//! Writing explanations: a readable table, Markdown, CSV (one row per leaf) or JSON.

use parindex::{Decimal, Exact, Explanation, RoundingMode};
use serde_json::json;

use crate::table::Table;
use crate::OutputFormat;

/// Writes a unit's explanation. Values are rounded to `places` (half up) in the table and
/// Markdown, printed in full in CSV and JSON unless `round` is given. `top` is how many
/// of the largest losses to list first.
///
/// # Examples
///
/// ```
/// use parindex_io::{examples, write_explanation, OutputFormat};
/// let (m, s) = examples::load("par-demo").unwrap();
/// let r = parindex::score(&m, &s).unwrap();
/// let e = parindex::explain(&r, &s, "so-y-te").unwrap();
/// let text = write_explanation(&e, OutputFormat::Table, 2, None, 3);
/// assert!(text.starts_with("so-y-te  Sở Y tế  (department)\n"));
/// assert!(text.contains("rank 11/12"));
/// ```
#[must_use]
pub fn write_explanation(
    e: &Explanation,
    format: OutputFormat,
    places: u32,
    round: Option<u32>,
    top: usize,
) -> String {
    let full = |x: Exact| match round {
        Some(p) => x.round(p, RoundingMode::HalfUp).to_string(),
        None => x.to_decimal().to_string(),
    };
    let short = |x: Exact| x.round(round.unwrap_or(places), RoundingMode::HalfUp).to_string();
    let opt = |x: Option<Decimal>| x.map(|d| d.normalize().to_string()).unwrap_or_default();
    match format {
        OutputFormat::Json => {
            let leaves: Vec<_> = e
                .leaves
                .iter()
                .map(|l| {
                    json!({
                        "code": l.code, "name": l.name, "max": l.max.normalize().to_string(),
                        "self_assessed": l.self_assessed.map(|d| d.normalize().to_string()),
                        "input": l.input.map(|d| d.normalize().to_string()),
                        "points": l.points.map(full), "cut": l.cut.map(|d| d.normalize().to_string()),
                        "contribution": l.contribution.map(full), "lost": l.lost.map(full),
                        "rule": l.rule, "note": l.note,
                    })
                })
                .collect();
            let doc = json!({
                "unit": e.unit, "name": e.name, "group": e.group,
                "points": full(e.points), "percent": full(e.percent), "published_percent": e.published.to_string(),
                "rank": e.rank.map(|r| r.0), "of": e.rank.map(|r| r.1),
                "group_rank": e.group_rank.map(|r| r.0), "group_size": e.group_rank.map(|r| r.1),
                "band": e.band, "gap_to_above": e.gap_to_above.map(full),
                "next_band": e.gap_to_next_band.as_ref().map(|(b, g)| json!({"band": b, "gap_percent": g.to_string()})),
                "top_losses": e.top_losses(top).iter().map(|l| l.code.clone()).collect::<Vec<_>>(),
                "leaves": leaves,
            });
            serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
        }
        OutputFormat::Csv => {
            let mut w =
                csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
            let _ = w.write_record([
                "code",
                "name",
                "max",
                "self_assessed",
                "input",
                "cut",
                "points",
                "contribution",
                "lost",
                "rule",
                "note",
            ]);
            for l in &e.leaves {
                let _ = w.write_record([
                    l.code.clone(),
                    l.name.clone(),
                    l.max.normalize().to_string(),
                    opt(l.self_assessed),
                    opt(l.input),
                    opt(l.cut),
                    l.points.map(full).unwrap_or_else(|| "NA".into()),
                    l.contribution.map(full).unwrap_or_default(),
                    l.lost.map(full).unwrap_or_default(),
                    l.rule.clone(),
                    l.note.clone().unwrap_or_default(),
                ]);
            }
            String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
        }
        OutputFormat::Table | OutputFormat::Markdown => {
            let md = format == OutputFormat::Markdown;
            let mut out = String::new();
            let title = format!(
                "{}{}{}",
                e.unit,
                e.name.as_ref().map(|n| format!("  {n}")).unwrap_or_default(),
                e.group.as_ref().map(|g| format!("  ({g})")).unwrap_or_default()
            );
            out.push_str(&if md { format!("### {title}\n\n") } else { format!("{title}\n") });
            let standing = match (e.rank, e.group_rank) {
                (Some((r, n)), Some((g, m))) => format!("rank {r}/{n} · {g}/{m} in its group"),
                _ => "not ranked".to_owned(),
            };
            out.push_str(&format!(
                "points {} · index {} % · {standing} · band {}\n",
                short(e.points),
                e.published,
                e.band.as_deref().unwrap_or("-")
            ));
            if let Some(g) = e.gap_to_above {
                out.push_str(&format!("{} points behind the unit ranked above\n", short(g)));
            }
            if let Some((band, gap)) = &e.gap_to_next_band {
                out.push_str(&format!("{gap} index points below band {band}\n"));
            }
            let losses = e.top_losses(top);
            if !losses.is_empty() {
                out.push_str(if md {
                    "\nWhere it lost the most points:\n\n"
                } else {
                    "\nwhere it lost the most points:\n"
                });
                for (k, l) in losses.iter().enumerate() {
                    let lost = l.lost.map(short).unwrap_or_default();
                    let note = l.note.as_ref().map(|n| format!(" — {n}")).unwrap_or_default();
                    out.push_str(&format!("{}. {} {}: -{lost} ({}){note}\n", k + 1, l.code, l.name, l.rule));
                }
            }
            out.push('\n');
            let header = ["Code", "Max", "Self", "Input", "Cut", "Points", "Lost", "Rule"];
            let rows: Vec<Vec<String>> = e
                .leaves
                .iter()
                .map(|l| {
                    vec![
                        l.code.clone(),
                        l.max.normalize().to_string(),
                        opt(l.self_assessed),
                        l.input.map_or_else(|| "NA".into(), |d| d.normalize().to_string()),
                        opt(l.cut),
                        l.points.map_or_else(|| "NA".into(), short),
                        l.lost.map(short).unwrap_or_default(),
                        l.rule.clone(),
                    ]
                })
                .collect();
            let mut table = Table::new(&header).right(|i| (1..=6).contains(&i));
            for r in rows {
                table.row(r);
            }
            out.push_str(&table.render(md));
            out
        }
    }
}

/// The columns of a comparison table, in order (CSV, JSON keys, data frames).
///
/// # Examples
///
/// ```
/// assert_eq!(parindex_io::COMPARISON_COLUMNS[9], "movement");
/// ```
pub const COMPARISON_COLUMNS: [&str; 14] = [
    "unit",
    "name",
    "group",
    "points",
    "points_change",
    "percent",
    "percent_change",
    "rank",
    "previous_rank",
    "movement",
    "group_rank",
    "group_movement",
    "band",
    "previous_band",
];

/// Writes a year-over-year comparison: one row per unit (this year's rank order, then the
/// units no longer ranked) with points, index, their changes, ranks before and now, the
/// movement overall and within the group, and bands; the nodes that could not be compared
/// follow the table (JSON: `differing_nodes`). With `sentences`, the table and Markdown end with
/// the sentence of a published decision for each unit, e.g. "… xếp thứ 3/12 (tăng 08 bậc so
/// với năm 2022)", naming `previous_year`.
///
/// # Examples
///
/// ```
/// use parindex_io::{examples, write_comparison, OutputFormat};
/// let (m, now) = examples::load("par-demo").unwrap();
/// let (_, before) = examples::load("par-demo-2022").unwrap();
/// let cmp = parindex::compare(&parindex::score(&m, &now).unwrap(), &parindex::score(&m, &before).unwrap());
/// let csv = write_comparison(&cmp, OutputFormat::Csv, None, None);
/// assert!(csv.lines().any(|l| l.starts_with("tp-son-la,Thành phố Sơn La,district,94.32,")));
/// ```
#[must_use]
pub fn write_comparison(
    c: &parindex::Comparison,
    format: OutputFormat,
    round: Option<u32>,
    sentences: Option<&str>,
) -> String {
    let num = |x: Option<Exact>| match (x, round) {
        (None, _) => String::new(),
        (Some(x), Some(p)) => x.round(p, RoundingMode::HalfUp).to_string(),
        (Some(x), None) if matches!(format, OutputFormat::Table | OutputFormat::Markdown) => {
            x.round(2, RoundingMode::HalfUp).to_string()
        }
        (Some(x), None) => x.to_decimal().to_string(),
    };
    let rank =
        |s: Option<&parindex::Standing>| s.and_then(|s| s.rank).map(|r| r.0.to_string()).unwrap_or_default();
    let header = COMPARISON_COLUMNS;
    let rows: Vec<Vec<String>> = c
        .units
        .iter()
        .map(|u| {
            vec![
                u.unit.clone(),
                u.name.clone().unwrap_or_default(),
                u.group.clone().unwrap_or_default(),
                num(u.current.as_ref().map(|s| s.points)),
                num(u.points),
                num(u.current.as_ref().map(|s| s.percent)),
                num(u.percent),
                rank(u.current.as_ref()),
                rank(u.previous.as_ref()),
                u.movement.to_string(),
                u.current
                    .as_ref()
                    .and_then(|s| s.group_rank)
                    .map(|(r, n)| format!("{r}/{n}"))
                    .unwrap_or_default(),
                u.group_movement.to_string(),
                u.current.as_ref().and_then(|s| s.band.clone()).unwrap_or_default(),
                u.previous.as_ref().and_then(|s| s.band.clone()).unwrap_or_default(),
            ]
        })
        .collect();
    match format {
        OutputFormat::Json => {
            let units: Vec<_> = rows
                .iter()
                .map(|r| {
                    serde_json::Value::Object(
                        header.iter().map(|h| h.to_string()).zip(r.iter().map(|v| json!(v))).collect(),
                    )
                })
                .collect();
            let differing: Vec<_> =
                c.differing_nodes.iter().map(|d| json!({"code": d.code, "reason": d.reason})).collect();
            serde_json::to_string_pretty(&json!({"units": units, "differing_nodes": differing}))
                .unwrap_or_default()
                + "\n"
        }
        OutputFormat::Csv => crate::table::csv(&header, rows),
        OutputFormat::Table | OutputFormat::Markdown => {
            let md = format == OutputFormat::Markdown;
            let mut table = Table::new(&header).right(|i| (3..=8).contains(&i));
            for r in rows {
                table.row(r);
            }
            let mut out = table.render(md);
            if !c.differing_nodes.is_empty() {
                out.push_str("\nnot compared (the methodologies differ):\n");
                for d in &c.differing_nodes {
                    out.push_str(&format!("- {}: {}\n", d.code, d.reason));
                }
            }
            if let Some(year) = sentences {
                out.push('\n');
                for u in &c.units {
                    let group = u.group.as_deref().unwrap_or_default();
                    out.push_str(&format!("{}{}\n", if md { "- " } else { "" }, u.sentence_vi(group, year)));
                }
            }
            out
        }
    }
}

/// Writes summary statistics as a small table: per group and overall, the number of units,
/// the average index, how many are above it, the lowest and highest index and the count per
/// band, rounded to `places` (half up). When some units are scored but not ranked, a
/// `not_ranked` column counts them (the averages and extremes are of the ranked units).
///
/// # Examples
///
/// ```
/// let (m, s) = parindex_io::examples::load("par-demo").unwrap();
/// let summary = parindex::summarize(&parindex::score(&m, &s).unwrap());
/// let text = parindex_io::write_summary(&summary, 2);
/// assert!(text.lines().any(|l| l.starts_with("all") && l.contains("87.30")));
/// ```
#[must_use]
pub fn write_summary(summary: &parindex::Summary, places: u32) -> String {
    let r =
        |x: Option<Exact>| x.map(|x| x.round(places, RoundingMode::HalfUp).to_string()).unwrap_or_default();
    // A `not_ranked` column only when some unit is scored but not ranked.
    let unranked = summary.overall.unranked > 0;
    let mut header = vec!["group", "units", "average", "above_average", "min", "max", "bands"];
    if unranked {
        header.insert(2, "not_ranked");
    }
    let row = |g: &parindex::GroupSummary, name: &str| {
        let mut cells = vec![
            name.to_owned(),
            g.units.to_string(),
            r(g.average),
            g.above_average.to_string(),
            r(g.min),
            r(g.max),
            g.bands.iter().map(|(b, n)| format!("{b}: {n}")).collect::<Vec<_>>().join(", "),
        ];
        if unranked {
            cells.insert(2, g.unranked.to_string());
        }
        cells
    };
    let mut rows: Vec<Vec<String>> =
        summary.groups.iter().map(|g| row(g, g.group.as_deref().unwrap_or("(no group)"))).collect();
    rows.push(row(&summary.overall, "all"));
    let numeric = header.len() - 1; // every column but the group and the bands
    let mut table = Table::new(&header).right(|i| i > 0 && i < numeric);
    for row in rows {
        table.row(row);
    }
    table.render(false)
}
