//! `parindex`: score, rank and convert performance indices, and count dossiers, from the
//! command line.
//!
//! Exit codes: 0 on success, 2 on bad input (every problem printed to stderr, one per line,
//! as `file:row:column: criterion CODE: message`).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use parindex::{dossier_stats, Date, Methodology, Results, Scores};
use parindex_io::{
    examples, read_dossiers, read_methodology, read_scores, score_text, write_comparison,
    write_dossier_stats, write_explanation, write_methodology_csv, write_results, write_summary,
    OutputFormat, WriteOptions,
};

#[derive(Parser)]
#[command(
    name = "parindex",
    version,
    about = "Exact scoring and ranking of public-administration performance indices (PAR INDEX, SIPAS, PCI, PAPI)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Score every unit, rank them and assign bands.
    Score {
        /// The methodology: a node table CSV or the JSON format.
        #[arg(long, required_unless_present = "example", requires = "scores")]
        methodology: Option<PathBuf>,
        /// The scores: wide CSV (one row per unit) or long CSV (unit, criterion, self_assessed, appraised…).
        #[arg(long, requires = "methodology")]
        scores: Option<PathBuf>,
        /// A bundled example instead of files: par-demo, par-demo-2022, par-2020.
        #[arg(long, conflicts_with_all = ["methodology", "scores"])]
        example: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Round every number to N places (csv and json print exact values otherwise).
        #[arg(long, value_name = "N")]
        round: Option<u32>,
        /// After a table or Markdown, add averages, extremes and band counts per group.
        #[arg(long)]
        summary: bool,
    },
    /// Check a methodology and print it as a node table CSV or JSON.
    Methodology {
        /// The methodology file, or a bundled name with --example.
        #[arg(required_unless_present = "example")]
        file: Option<PathBuf>,
        /// A bundled methodology: par-demo, par-2020, pci-2016, papi-2016.
        #[arg(long, conflicts_with = "file")]
        example: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = MethodologyFormat::Csv)]
        to: MethodologyFormat,
    },
    /// Compare this year with last year: changes in points and index, rank movements overall
    /// and within groups, band changes, and the nodes the two methodologies do not share.
    Compare {
        #[command(flatten)]
        input: Input,
        /// Last year's scores (scored on --previous-methodology, or this year's methodology).
        #[arg(long, conflicts_with = "previous_example", required_unless_present = "previous_example")]
        previous: Option<PathBuf>,
        /// Last year's methodology, when it differs.
        #[arg(long, requires = "previous")]
        previous_methodology: Option<PathBuf>,
        /// A bundled example as last year (e.g. par-demo-2022).
        #[arg(long)]
        previous_example: Option<String>,
        /// End the table with the published sentence per unit, naming this previous year
        /// ("… tăng 08 bậc so với năm 2022").
        #[arg(long, value_name = "YEAR")]
        sentences: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Round every number to N places (csv and json print exact values otherwise).
        #[arg(long, value_name = "N")]
        round: Option<u32>,
    },
    /// Explain one unit's score: every leaf's points, the appraisal cuts, the rules applied,
    /// where it lost the most, and the gaps to the unit above and to the next band.
    Explain {
        /// The unit's id.
        #[arg(long)]
        unit: String,
        #[command(flatten)]
        input: Input,
        /// How many of the largest losses to list.
        #[arg(long, default_value_t = 3)]
        top: usize,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Round every number to N places (csv and json print exact values otherwise).
        #[arg(long, value_name = "N")]
        round: Option<u32>,
    },
    /// Count each unit's dossiers (early, on time, late, open, overdue) and its on-time rate.
    ///
    /// The file has the columns unit,dossier_id,received,due,completed (a blank completed
    /// date: still open). Dates are YYYY-MM-DD or DD/MM/YYYY (day first).
    Dossiers {
        /// The dossier CSV.
        file: PathBuf,
        /// Count as things stood at the end of this day (YYYY-MM-DD or DD/MM/YYYY). Default: the
        /// latest received or completed date in the file (the day it was exported, at the
        /// earliest; due dates may lie in the future and do not count).
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Round the on-time rate to N places (csv and json print it exact otherwise; table and
        /// markdown round to 2).
        #[arg(long, value_name = "N")]
        round: Option<u32>,
    },
}

/// Where the methodology and scores come from: files, or a bundled example.
#[derive(clap::Args)]
struct Input {
    /// The methodology: a node table CSV or the JSON format.
    #[arg(long, required_unless_present = "example", requires = "scores")]
    methodology: Option<PathBuf>,
    /// The scores: wide or long CSV.
    #[arg(long, requires = "methodology")]
    scores: Option<PathBuf>,
    /// A bundled example instead of files: par-demo, par-demo-2022, par-2020.
    #[arg(long, conflicts_with_all = ["methodology", "scores"])]
    example: Option<String>,
}

impl Input {
    /// The methodology, its scores and the results, every problem reported at once.
    fn load(self) -> Result<(Scores, Results), Failure> {
        match (self.example, self.methodology, self.scores) {
            (Some(name), _, _) => {
                let (m, s) = examples::load(&name)?;
                let r = parindex::score(&m, &s)?;
                Ok((s, r))
            }
            (None, Some(m), Some(path)) => {
                let m = load_methodology(&m)?;
                let bytes = read(&path)?;
                let file = path.display().to_string();
                let results = score_text(&m, &bytes, &file)?;
                Ok((read_scores(&m, &bytes, &file)?, results))
            }
            _ => Err(Failure(vec!["give --methodology and --scores, or --example".into()])),
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Csv,
    Json,
    Markdown,
}

#[derive(Clone, Copy, ValueEnum)]
enum MethodologyFormat {
    Csv,
    Json,
}

/// A failure to report: every line goes to stderr, and the process exits with 2.
struct Failure(Vec<String>);

impl From<parindex::Error> for Failure {
    fn from(e: parindex::Error) -> Failure {
        Failure(e.issues().iter().map(ToString::to_string).collect())
    }
}

fn read(path: &PathBuf) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_owned(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
            _ => e.to_string(),
        };
        Failure(vec![format!("{}: cannot read: {why}", path.display())])
    })
}

fn load_methodology(path: &PathBuf) -> Result<Methodology, Failure> {
    let bytes = read(path)?;
    Ok(read_methodology(&bytes, &path.display().to_string())?)
}

fn run(cli: Cli) -> Result<String, Failure> {
    match cli.command {
        Command::Score { methodology, scores, example, format, round, summary } => {
            let results = match (example, methodology, scores) {
                (Some(name), _, _) => {
                    let (m, s) = examples::load(&name)?;
                    parindex::score(&m, &s)?
                }
                (None, Some(m), Some(s)) => {
                    let m = load_methodology(&m)?;
                    let bytes = read(&s)?;
                    score_text(&m, &bytes, &s.display().to_string())?
                }
                _ => return Err(Failure(vec!["give --methodology and --scores, or --example".into()])),
            };
            let format = output_format(format);
            let mut options = WriteOptions::new();
            if let Some(n) = round {
                options = options.round(n);
            }
            let mut out = write_results(&results, format, &options);
            if summary && matches!(format, OutputFormat::Table | OutputFormat::Markdown) {
                let places = round.unwrap_or(results.methodology().settings().rounding.places);
                out.push('\n');
                out.push_str(&write_summary(&parindex::summarize(&results), places));
            }
            Ok(out)
        }
        Command::Methodology { file, example, to } => {
            let m = match (example, file) {
                (Some(name), _) => examples::methodology(&name)?,
                (None, Some(path)) => load_methodology(&path)?,
                (None, None) => return Err(Failure(vec!["give a methodology file or --example".into()])),
            };
            Ok(match to {
                MethodologyFormat::Csv => write_methodology_csv(&m),
                MethodologyFormat::Json => m.to_json() + "\n",
            })
        }
        Command::Compare {
            input,
            previous,
            previous_methodology,
            previous_example,
            sentences,
            format,
            round,
        } => {
            let (_, now) = input.load()?;
            let before = match (previous_example, previous) {
                (Some(name), _) => {
                    let (m, s) = examples::load(&name)?;
                    parindex::score(&m, &s)?
                }
                (None, Some(path)) => {
                    let m = match previous_methodology {
                        Some(mp) => load_methodology(&mp)?,
                        None => now.methodology().clone(),
                    };
                    score_text(&m, &read(&path)?, &path.display().to_string())?
                }
                (None, None) => return Err(Failure(vec!["give --previous or --previous-example".into()])),
            };
            let cmp = parindex::compare(&now, &before);
            Ok(write_comparison(&cmp, output_format(format), round, sentences.as_deref()))
        }
        Command::Explain { unit, input, top, format, round } => {
            let (scores, results) = input.load()?;
            let Some(e) = parindex::explain(&results, &scores, &unit) else {
                let known: Vec<&str> = results.units().map(|u| u.id()).collect();
                return Err(Failure(vec![format!("unknown unit {unit:?} (units: {})", known.join(", "))]));
            };
            let places = results.methodology().settings().rounding.places;
            Ok(write_explanation(&e, output_format(format), places, round, top))
        }
        Command::Dossiers { file, as_of, format, round } => {
            let as_of = match as_of {
                Some(text) => Some(
                    Date::parse(&text)
                        .map_err(|e| Failure(e.issues().iter().map(|i| format!("--as-of: {i}")).collect()))?,
                ),
                None => None,
            };
            let bytes = read(&file)?;
            let dossiers = read_dossiers(&bytes, &file.display().to_string())?;
            // The core has no clock: without --as-of, count as of the last day something happened.
            let latest = dossiers.iter().flat_map(|d| [Some(d.received), d.completed]).flatten().max();
            let Some(as_of) = as_of.or(latest) else {
                return Err(Failure(vec![format!("{}: the file has a header but no rows", file.display())]));
            };
            let stats = dossier_stats(&dossiers, as_of)?;
            Ok(write_dossier_stats(&stats, output_format(format), round))
        }
    }
}

fn output_format(format: Format) -> OutputFormat {
    match format {
        Format::Table => OutputFormat::Table,
        Format::Csv => OutputFormat::Csv,
        Format::Json => OutputFormat::Json,
        Format::Markdown => OutputFormat::Markdown,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (e.g. `| head`) is not an error worth reporting.
            let _ = stdout.write_all(out.as_bytes());
            ExitCode::SUCCESS
        }
        Err(Failure(lines)) => {
            let mut stderr = std::io::stderr().lock();
            for line in lines {
                let _ = writeln!(stderr, "{line}");
            }
            ExitCode::from(2)
        }
    }
}
