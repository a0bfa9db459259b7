//! Writers for the sensitivity analysis (DESIGN.md §11): the rank-interval table (with a text
//! chart), its CSV for a chart, the full JSON, leave-one-out ranks and weight sweeps.

use parindex::{LeftOut, Results, Sensitivity, WeightSweep};

use crate::results::OutputFormat;
use crate::table::{csv, Table};

fn pct(p: f64) -> String {
    format!("{:.1}", p * 100.0)
}

fn index(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_owned(), |v| format!("{v:.3}"))
}

/// A text bar of the interval on the scale `1..=n`: `─` from the low to the high rank, `●`
/// at the median, `│` at the nominal rank when it is elsewhere.
fn bar(n: u32, low: u32, median: u32, high: u32, nominal: u32, width: usize) -> String {
    let at = |r: u32| -> usize {
        if n <= 1 {
            0
        } else {
            ((r - 1) as usize * (width - 1) + (n as usize - 1) / 2) / (n as usize - 1)
        }
    };
    let mut cells = vec![' '; width];
    for c in cells.iter_mut().take(at(high) + 1).skip(at(low)) {
        *c = '─';
    }
    cells[at(nominal)] = '│';
    cells[at(median)] = '●';
    cells.into_iter().collect::<String>().trim_end().to_owned()
}

/// Writes a Monte Carlo analysis: per ranked unit (in nominal order) its index, nominal and
/// median rank, the percentile interval, the probability of the top k, the mean absolute
/// shift, band probabilities and, with attribution, each source's first-order and total
/// indices; then the mean absolute rank shift and its attribution. The table and Markdown
/// draw the interval as a text bar; CSV has one row per unit, the columns a rank-interval
/// chart needs; JSON is everything, histograms included.
///
/// # Examples
///
/// ```
/// use parindex::{sensitivity, SensitivityOptions, Uncertainty, UncertaintySource, WeightDistribution};
/// use parindex_io::{examples, write_sensitivity, OutputFormat};
/// let (m, s) = examples::load("par-demo").unwrap();
/// let r = parindex::score(&m, &s).unwrap();
/// let u = Uncertainty::new().source(UncertaintySource::weights(WeightDistribution::uniform("0.25".parse().unwrap())));
/// let out = sensitivity(&r, &u, &SensitivityOptions::new().runs(200).seed(1)).unwrap();
/// let csv = write_sensitivity(&out, OutputFormat::Csv);
/// assert!(csv.starts_with("unit,name,index,nominal_rank,median,low,high,mean_rank,mean_shift,p_top3"));
/// let table = write_sensitivity(&out, OutputFormat::Table);
/// assert!(table.contains("200 runs, seed 1"));
/// ```
#[must_use]
pub fn write_sensitivity(s: &Sensitivity, format: OutputFormat) -> String {
    let (lo, hi) = s.percentiles;
    let k = s.top;
    let bands = !s.bands.is_empty();
    let attributed = s.units.first().is_some_and(|u| !u.attribution.is_empty());
    match format {
        OutputFormat::Json => serde_json::to_string_pretty(s).unwrap_or_default() + "\n",
        OutputFormat::Csv => {
            let mut header: Vec<String> =
                ["unit", "name", "index", "nominal_rank", "median", "low", "high", "mean_rank", "mean_shift"]
                    .iter()
                    .map(|h| (*h).to_owned())
                    .collect();
            header.push(format!("p_top{k}"));
            if bands {
                header.extend(s.bands.iter().map(|b| format!("p_band_{b}")));
                header.push("p_no_band".into());
            }
            if attributed {
                for i in 1..=s.sources.len() {
                    header.push(format!("first_order_{i}"));
                    header.push(format!("total_{i}"));
                }
            }
            let runs = f64::from(s.runs.max(1));
            let rows = s.units.iter().map(|u| {
                let mut row = vec![
                    u.id.clone(),
                    u.name.clone().unwrap_or_default(),
                    u.index.to_string(),
                    u.nominal_rank.to_string(),
                    u.median.to_string(),
                    u.low.to_string(),
                    u.high.to_string(),
                    format!("{:.4}", u.mean_rank),
                    format!("{:.4}", u.mean_shift),
                    format!("{:.4}", u.top),
                ];
                row.extend(u.bands.iter().map(|&c| format!("{:.4}", f64::from(c) / runs)));
                for a in &u.attribution {
                    row.push(index(a.first_order));
                    row.push(index(a.total));
                }
                row
            });
            csv(&header, rows)
        }
        OutputFormat::Table | OutputFormat::Markdown => {
            let markdown = format == OutputFormat::Markdown;
            let n = s.units.len() as u32;
            let mut out = format!(
                "{} runs, seed {}; sources: {}\nmean absolute rank shift: {:.3}\n\n",
                s.runs,
                s.seed,
                if s.sources.is_empty() { "none".to_owned() } else { s.sources.join("; ") },
                s.mean_shift
            );
            let mut header: Vec<String> =
                ["rank", "unit", "index", "median", &format!("{lo}–{hi}%"), &format!("top {k} %"), "shift"]
                    .iter()
                    .map(|h| (*h).to_string())
                    .collect();
            if bands {
                header.push("bands %".into());
            }
            if attributed {
                header.push("main driver (total)".into());
            }
            header.push(format!("interval over 1..{n}"));
            let mut t = Table::new(&header).right(|i| matches!(i, 0 | 2 | 3 | 5 | 6));
            let runs = f64::from(s.runs.max(1));
            for u in &s.units {
                let mut row = vec![
                    u.nominal_rank.to_string(),
                    u.name.clone().unwrap_or_else(|| u.id.clone()),
                    u.index.to_string(),
                    u.median.to_string(),
                    format!("{}–{}", u.low, u.high),
                    pct(u.top),
                    format!("{:.2}", u.mean_shift),
                ];
                if bands {
                    let mut parts: Vec<String> = Vec::new();
                    for (label, &c) in s.bands.iter().map(String::as_str).chain(["-"]).zip(&u.bands) {
                        if c > 0 {
                            parts.push(format!("{label} {}", pct(f64::from(c) / runs)));
                        }
                    }
                    row.push(parts.join(" "));
                }
                if attributed {
                    let best = u
                        .attribution
                        .iter()
                        .filter_map(|a| Some((a, a.total?)))
                        .max_by(|a, b| a.1.total_cmp(&b.1));
                    row.push(best.map_or_else(|| "-".to_owned(), |(a, v)| format!("{} ({v:.2})", a.source)));
                }
                row.push(bar(n, u.low, u.median, u.high, u.nominal_rank, 40));
                t.row(row);
            }
            out.push_str(&t.render(markdown));
            if !s.shift_attribution.is_empty() {
                out.push_str("\nvariance of the mean rank shift, by source\n");
                let mut a = Table::new(&["source", "first order", "total effect"]).right(|i| i > 0);
                for x in &s.shift_attribution {
                    a.row(vec![x.source.clone(), index(x.first_order), index(x.total)]);
                }
                out.push_str(&a.render(markdown));
            }
            out
        }
    }
}

/// Writes leave-one-out ranks: one row per unit (in the scores' order), its rank with every
/// criterion, then without each criterion in turn; a last row gives each criterion's largest
/// shift. JSON is the list of [`LeftOut`].
///
/// # Examples
///
/// ```
/// use parindex_io::{examples, write_leave_one_out, OutputFormat};
/// let (m, s) = examples::load("par-demo").unwrap();
/// let r = parindex::score(&m, &s).unwrap();
/// let out = parindex::leave_one_out(&m, &s, 1).unwrap();
/// let csv = write_leave_one_out(&r, &out, OutputFormat::Csv);
/// assert!(csv.starts_with("unit,rank,without_1,"));
/// ```
#[must_use]
pub fn write_leave_one_out(results: &Results, out: &[LeftOut], format: OutputFormat) -> String {
    if format == OutputFormat::Json {
        return serde_json::to_string_pretty(out).unwrap_or_default() + "\n";
    }
    let show = |r: Option<u32>| r.map_or_else(String::new, |r| r.to_string());
    let units: Vec<_> = results.units().collect();
    let rows: Vec<Vec<String>> = units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let mut row = vec![u.id().to_owned(), show(u.rank())];
            row.extend(out.iter().map(|o| show(o.ranks[i])));
            row
        })
        .collect();
    let mut last = vec!["max_shift".to_owned(), String::new()];
    last.extend(out.iter().map(|o| o.max_shift.to_string()));
    if format == OutputFormat::Csv {
        let mut header = vec!["unit".to_owned(), "rank".to_owned()];
        header.extend(out.iter().map(|o| format!("without_{}", o.code)));
        return csv(&header, rows.into_iter().chain([last]));
    }
    let mut header = vec!["unit".to_owned(), "rank".to_owned()];
    header.extend(out.iter().map(|o| format!("without {}", o.code)));
    let mut t = Table::new(&header).right(|i| i > 0);
    for row in rows {
        t.row(row);
    }
    t.row(last);
    t.render(format == OutputFormat::Markdown)
}

/// Writes a weight sweep in words (table, Markdown), as one CSV row, or as JSON.
///
/// # Examples
///
/// ```
/// use parindex_io::{examples, write_weight_sweep, OutputFormat};
/// let (m, s) = examples::load("par-demo").unwrap();
/// let r = parindex::score(&m, &s).unwrap();
/// let w = parindex::weight_sweep(&r, "1", "so-noi-vu").unwrap();
/// assert!(write_weight_sweep(&w, OutputFormat::Table).contains("keeps rank"));
/// ```
#[must_use]
pub fn write_weight_sweep(w: &WeightSweep, format: OutputFormat) -> String {
    let high = w.high.map_or_else(String::new, |h| h.to_string());
    match format {
        OutputFormat::Json => serde_json::to_string_pretty(w).unwrap_or_default() + "\n",
        OutputFormat::Csv => csv(
            &["unit", "criterion", "rank", "weight", "low", "high", "low_included", "high_included", "exact"],
            [vec![
                w.unit.clone(),
                w.code.clone(),
                w.nominal_rank.to_string(),
                w.weight.normalize().to_string(),
                w.low.to_string(),
                high,
                w.low_included.to_string(),
                w.high_included.to_string(),
                w.exact.to_string(),
            ]],
        ),
        OutputFormat::Table | OutputFormat::Markdown => {
            let open = if w.low_included { "[" } else { "(" };
            let close = if w.high.is_some() && w.high_included { "]" } else { ")" };
            let hi = w.high.map_or_else(|| "∞".to_owned(), |h| h.to_string());
            let scaled = |m: rust_decimal::Decimal| (m * w.weight).round_dp(6).normalize().to_string();
            let hi_w = w.high.map_or_else(|| "∞".to_owned(), scaled);
            format!(
                "{} keeps rank {} while the weight of {} is multiplied by a factor in {open}{}, {hi}{close}, \
                 i.e. a weight in {open}{}, {hi_w}{close} (now {}){}\n",
                w.unit,
                w.nominal_rank,
                w.code,
                w.low,
                scaled(w.low),
                w.weight.normalize(),
                if w.exact { "" } else { " (a boundary approximated)" }
            )
        }
    }
}
