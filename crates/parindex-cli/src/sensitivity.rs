//! `parindex sensitivity`: how robust the ranks are (DESIGN.md §11) — Monte Carlo rank
//! intervals with optional attribution, or the exact leave-one-out ranks and weight sweep.

use std::path::PathBuf;

use parindex::{
    leave_one_out, sensitivity_with_progress, weight_sweep, Decimal, IssueKind, SensitivityOptions,
    Uncertainty, UncertaintySource, WeightDistribution,
};
use parindex_io::{parse_decimal, write_leave_one_out, write_sensitivity, write_weight_sweep};

use crate::{output_format, read, Failure, Format, Input};

/// `parindex sensitivity`.
#[derive(clap::Args)]
pub(crate) struct SensitivityArgs {
    #[command(flatten)]
    input: Input,
    /// The number of Monte Carlo replications.
    #[arg(long, default_value_t = 1000)]
    runs: u32,
    /// The seed: the same seed gives the same output on every machine and thread count.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Perturb every node's weight: uniform:SPREAD (0.25 is ±25 %) or dirichlet:CONCENTRATION.
    #[arg(long, value_name = "uniform:S|dirichlet:C", allow_hyphen_values = true)]
    weights: Option<String>,
    /// Appraisal noise: every leaf's points move by up to ± POINTS, clamped to [0, max].
    #[arg(long, value_name = "POINTS", allow_hyphen_values = true)]
    noise: Option<String>,
    /// The nodes of LEVEL (0: the index) aggregate by the arithmetic or geometric mean, at random.
    #[arg(long, value_name = "LEVEL")]
    aggregation: Option<u32>,
    /// One node of LEVEL (1: domains) left out at random in each replication.
    #[arg(long, value_name = "LEVEL")]
    drop_level: Option<u32>,
    /// The uncertainty as a JSON file (format_version 1); adds to the flags above.
    #[arg(long, value_name = "FILE")]
    uncertainty: Option<PathBuf>,
    /// The rank interval's percentiles, LOW,HIGH.
    #[arg(long, value_name = "LOW,HIGH", default_value = "5,95", allow_hyphen_values = true)]
    percentiles: String,
    /// The k of the probability of being in the top k.
    #[arg(long, default_value_t = 3)]
    top: u32,
    /// Also attribute the variance of each rank to each source (first-order and total effect).
    #[arg(long)]
    attribution: bool,
    /// Print progress to stderr.
    #[arg(long)]
    progress: bool,
    /// Instead of the Monte Carlo: the exact ranks with each node of LEVEL left out in turn.
    #[arg(long, value_name = "LEVEL", conflicts_with_all = ["weights", "noise", "aggregation", "drop_level", "uncertainty", "sweep"])]
    leave_one_out: Option<u32>,
    /// Instead of the Monte Carlo: the exact range of this node's weight over which --unit
    /// keeps its rank.
    #[arg(long, value_name = "CODE", requires = "unit", conflicts_with_all = ["weights", "noise", "aggregation", "drop_level", "uncertainty"])]
    sweep: Option<String>,
    /// The unit of --sweep.
    #[arg(long, requires = "sweep")]
    unit: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Prefixes each issue with the argument it comes from (`flags[i]` declared source `i + 1`).
fn located(e: parindex::Error, noise: Option<Decimal>, flags: &[String]) -> Failure {
    Failure(
        e.issues()
            .iter()
            .map(|i| {
                let flag = match &i.kind {
                    IssueKind::ZeroRuns => Some("--runs"),
                    IssueKind::InvalidSpread { value, .. } if Some(*value) == noise => Some("--noise"),
                    // Survey sources come only from the uncertainty file.
                    IssueKind::InvalidSpread { reason, .. } if reason.contains("standard error") => {
                        Some("--uncertainty")
                    }
                    IssueKind::InvalidSpread { .. } | IssueKind::InvalidConcentration { .. } => {
                        Some("--weights")
                    }
                    IssueKind::InvalidSensitivity { reason } if reason.contains("percentiles") => {
                        Some("--percentiles")
                    }
                    IssueKind::InvalidSensitivity { reason } if reason.contains("top k") => Some("--top"),
                    _ => None,
                };
                if let Some(flag) = flag {
                    return format!("{flag}: {i}");
                }
                // "source N: …" names the flag or file that declared source N.
                let text = i.to_string();
                let numbered = text.strip_prefix("source ").and_then(|rest| rest.split_once(": "));
                match numbered
                    .and_then(|(n, rest)| Some((flags.get(n.parse::<usize>().ok()?.checked_sub(1)?)?, rest)))
                {
                    Some((flag, rest)) => format!("{flag}: {rest}"),
                    None => text,
                }
            })
            .collect(),
    )
}

pub(crate) fn run(args: SensitivityArgs) -> Result<String, Failure> {
    let format = output_format(args.format);
    let mut problems = Vec::new();
    let percentiles = match args
        .percentiles
        .split_once(',')
        .map(|(a, b)| (parse_decimal(a.trim()), parse_decimal(b.trim())))
    {
        Some((Ok(a), Ok(b))) => Some((a, b)),
        _ => {
            problems.push(format!(
                "--percentiles: invalid value {:?}: expected LOW,HIGH such as 5,95",
                args.percentiles
            ));
            None
        }
    };
    let mut u = Uncertainty::new();
    let mut flags: Vec<String> = Vec::new();
    if let Some(w) = &args.weights {
        match WeightDistribution::parse(w) {
            Some(d) => {
                u = u.source(UncertaintySource::weights(d));
                flags.push("--weights".into());
            }
            None => problems.push(format!(
                "--weights: invalid value {w:?}: expected uniform:SPREAD (e.g. uniform:0.25) or dirichlet:CONCENTRATION (e.g. dirichlet:50)"
            )),
        }
    }
    let mut noise = None;
    if let Some(p) = &args.noise {
        match parse_decimal(p.trim()) {
            Ok(points) => {
                noise = Some(points);
                u = u.source(UncertaintySource::noise(points));
                flags.push("--noise".into());
            }
            Err(_) => problems.push(format!("--noise: invalid value {p:?}: expected points, e.g. 0.25")),
        }
    }
    if let Some(level) = args.aggregation {
        u = u.source(UncertaintySource::Aggregation { level });
        flags.push("--aggregation".into());
    }
    if let Some(level) = args.drop_level {
        u = u.source(UncertaintySource::LeaveOneOut { level });
        flags.push("--drop-level".into());
    }
    let file = args.uncertainty.as_ref().map(|p| p.display().to_string());
    if let (Some(path), Some(name)) = (&args.uncertainty, &file) {
        let bytes = read(path)?;
        let text = String::from_utf8_lossy(&bytes);
        match Uncertainty::from_json(&text) {
            Ok(from_file) => {
                for k in 1..=from_file.sources.len() {
                    flags.push(format!("{name}: source {k}"));
                }
                u.sources.extend(from_file.sources);
            }
            Err(e) => problems.extend(e.in_file(name).issues().iter().map(ToString::to_string)),
        }
    }
    if !problems.is_empty() {
        return Err(Failure(problems));
    }
    if let Some(level) = args.leave_one_out {
        let (scores, results) = args.input.load()?;
        let out = leave_one_out(results.methodology(), &scores, level)?;
        return Ok(write_leave_one_out(&results, &out, format));
    }
    if let (Some(code), Some(unit)) = (&args.sweep, &args.unit) {
        let (_, results) = args.input.load()?;
        let w = weight_sweep(&results, code, unit).map_err(located_sweep)?;
        return Ok(write_weight_sweep(&w, format));
    }
    if u.sources.is_empty() {
        return Err(Failure(vec![
            "nothing is uncertain: give --weights, --noise, --aggregation, --drop-level or --uncertainty (or --leave-one-out, --sweep)"
                .into(),
        ]));
    }
    let (_, results) = args.input.load()?;
    let (lo, hi) = percentiles.unwrap_or((5.into(), 95.into()));
    let options = SensitivityOptions::new()
        .runs(args.runs)
        .seed(args.seed)
        .percentiles(lo, hi)
        .top(args.top)
        .attribution(args.attribution);
    let show = args.progress;
    let step = u64::from(args.runs / 20).max(1);
    let report = move |done: u64, total: u64| {
        if show && (done % step < 64 || done == total) {
            eprint!("\r{done}/{total} runs");
            if done == total {
                eprintln!();
            }
        }
    };
    let out =
        sensitivity_with_progress(&results, &u, &options, &report).map_err(|e| located(e, noise, &flags))?;
    Ok(write_sensitivity(&out, format))
}

fn located_sweep(e: parindex::Error) -> Failure {
    Failure(e.issues().iter().map(|i| format!("--sweep: {i}")).collect())
}
