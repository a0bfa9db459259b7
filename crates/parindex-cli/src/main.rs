//! `parindex`: score, rank and convert performance indices from the command line.
//!
//! Exit codes: 0 on success, 2 on bad input (every problem printed to stderr, one per line,
//! as `file:row:column: criterion CODE: message`).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use parindex::Methodology;
use parindex_io::{
    examples, read_methodology, score_text, write_methodology_csv, write_results, OutputFormat, WriteOptions,
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
        Command::Score { methodology, scores, example, format, round } => {
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
            let format = match format {
                Format::Table => OutputFormat::Table,
                Format::Csv => OutputFormat::Csv,
                Format::Json => OutputFormat::Json,
                Format::Markdown => OutputFormat::Markdown,
            };
            let mut options = WriteOptions::new();
            if let Some(n) = round {
                options = options.round(n);
            }
            Ok(write_results(&results, format, &options))
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
