//! `parindex`: score, rank and convert performance indices, and count dossiers, from the
//! command line.
//!
//! Exit codes: 0 on success, 2 on bad input (every problem printed to stderr, one per line,
//! as `file:row:column: criterion CODE: message`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod report;
mod sensitivity;
mod survey;

use clap::{Parser, Subcommand, ValueEnum};
use parindex::{dossier_stats, Date, Methodology, RankOn, Results, Scores, Ties};
use parindex_io::{
    examples, read_dossiers, read_methodology, read_scores, score_text, write_comparison,
    write_dossier_scores, write_dossier_stats, write_explanation, write_methodology_csv, write_results,
    write_summary, OutputFormat, WriteOptions,
};
use parindex_io::{parse_change, parse_decimal, read_published_results, write_plan, write_what_if};
use parindex_io::{write_ranking, Lang, RankingOptions};

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
        /// The methodology: a node table (CSV, or .xlsx; `book.xlsx!Sheet` picks a sheet) or JSON.
        #[arg(long, required_unless_present = "example", requires = "scores")]
        methodology: Option<PathBuf>,
        /// The scores: wide (one row per unit) or long (unit, criterion, self_assessed, appraised…),
        /// CSV or .xlsx (`book.xlsx!Sheet` picks a sheet by name or tab number).
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
        #[command(flatten)]
        last_year: LastYearArgs,
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
    /// Print the ranked table of a published decision's annex: rank, unit, name, group,
    /// points, index (%) and band, as one table or one per group; units scored but not ranked
    /// follow apart.
    Rank {
        #[command(flatten)]
        input: Input,
        /// One section per group, ranked within the group.
        #[arg(long)]
        by_group: bool,
        /// The language of the headings (table and markdown).
        #[arg(long, value_enum, default_value_t = LangArg::En)]
        lang: LangArg,
        /// The tie policy, instead of the methodology's: competition (1224), dense (1223),
        /// ordinal (1234: the methodology's tie-break key, then input order).
        #[arg(long, value_enum)]
        ties: Option<TiesArg>,
        /// Rank on the exact index or on the published (rounded) one, instead of the
        /// methodology's setting.
        #[arg(long, value_enum)]
        rank_on: Option<RankOnArg>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Round points and index to N places (csv and json print exact values otherwise).
        #[arg(long, value_name = "N")]
        round: Option<u32>,
    },
    /// Plan how a unit reaches a target (giải pháp nâng cao chỉ số): the fewest points to gain,
    /// criterion by criterion, to reach a rank, a band or an index; the plan is checked by
    /// scoring it.
    ///
    /// Points criteria rise in whole steps (--granularity); a yes/no criterion answered no may
    /// turn yes; a threshold criterion may move to the bound of a better step. Proportional
    /// criteria, criteria that do not apply, bonus and penalty stay as they are, and so do the
    /// other units.
    Plan {
        /// The unit's id.
        #[arg(long)]
        unit: String,
        /// The target: rank:N (rank N or better), band:LABEL (that band or better, on the
        /// published index) or percent:P (an exact index of at least P).
        #[arg(long, value_name = "TARGET")]
        target: String,
        #[command(flatten)]
        input: Input,
        /// The most points a criterion may gain, CODE=POINTS (0 leaves it alone); repeatable.
        #[arg(long, value_name = "CODE=POINTS")]
        cap: Vec<String>,
        /// A criterion's cost per point gained, CODE=COST (default 1); repeatable.
        #[arg(long, value_name = "CODE=COST")]
        cost: Vec<String>,
        /// What to minimise.
        #[arg(long, value_enum, default_value_t = ObjectiveArg::FewestPoints)]
        objective: ObjectiveArg,
        /// Gains on points criteria in whole steps of this (default: the last decimal place of
        /// the scores, e.g. 0.01).
        #[arg(long, value_name = "STEP")]
        granularity: Option<String>,
        /// Leave yes/no and threshold criteria out of the plan.
        #[arg(long)]
        no_rule_based: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Round every number to N places (csv and json print exact values otherwise).
        #[arg(long, value_name = "N")]
        round: Option<u32>,
    },
    /// What if a unit's scores were different: its points, index, rank and band before and
    /// after, the other units as they are.
    WhatIf {
        /// The unit's id.
        #[arg(long)]
        unit: String,
        /// A changed value, CODE=VALUE: points, a measured value, yes/no or NA; repeatable.
        #[arg(long = "set", value_name = "CODE=VALUE", required = true)]
        set: Vec<String>,
        #[command(flatten)]
        input: Input,
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
        /// The dossier list: CSV or .xlsx (`book.xlsx!Sheet` picks a sheet).
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
        /// Print the on-time rates as long-form score rows for this leaf (e.g. 3.4.1), ready to
        /// append to a long score sheet.
        #[arg(long, value_name = "CODE")]
        as_leaf: Option<String>,
    },
    /// Write a report of the results: a self-contained HTML page (ranked table, band counts,
    /// charts, year over year, where each unit lost the most), Markdown, or an Excel workbook
    /// like a decision's annex; chosen by the --out extension.
    Report(report::ReportArgs),
    /// Estimate satisfaction (SIPAS) from survey responses: per unit, group and everyone,
    /// each item's valid answers, share satisfied with its design-based interval, mean score
    /// and design effect; element indices and the overall index; or, with --leaf, the survey
    /// values of methodology leaves as long-form score rows.
    Survey(survey::SurveyArgs),
    /// How robust the ranks are: Monte Carlo replications under uncertain weights, appraisal
    /// noise, aggregation or left-out criteria (seeded), each unit's median rank and interval,
    /// rank and band probabilities, and which source drives the variance; or the exact ranks
    /// with each criterion left out (--leave-one-out) and the weight range that keeps a rank (--sweep).
    Sensitivity(sensitivity::SensitivityArgs),
    /// Write a fill-in Excel template of a methodology: one row per criterion with its
    /// maximum, columns for self-assessed and appraised points, read back by --scores.
    Template(report::TemplateArgs),
}

/// Where the methodology and scores come from: files, or a bundled example.
#[derive(clap::Args)]
struct Input {
    /// The methodology: a node table (CSV, or .xlsx; `book.xlsx!Sheet` picks a sheet) or JSON.
    #[arg(long, required_unless_present = "example", requires = "scores")]
    methodology: Option<PathBuf>,
    /// The scores: wide or long, CSV or .xlsx (`book.xlsx!Sheet` picks a sheet).
    #[arg(long, requires = "methodology")]
    scores: Option<PathBuf>,
    /// A bundled example instead of files: par-demo, par-demo-2022, par-2020.
    #[arg(long, conflicts_with_all = ["methodology", "scores"])]
    example: Option<String>,
}

impl Input {
    /// Like [`Input::load`], scoring on the methodology `adjust` makes of the one given
    /// (e.g. with other ranking settings).
    fn load_with(
        self,
        adjust: impl FnOnce(&Methodology) -> Result<Methodology, Failure>,
    ) -> Result<Results, Failure> {
        match (self.example, self.methodology, self.scores) {
            (Some(name), _, _) => {
                let (m, s) = examples::load(&name)?;
                Ok(parindex::score(&adjust(&m)?, &s)?)
            }
            (None, Some(m), Some(path)) => {
                let m = adjust(&load_methodology(&m)?)?;
                let bytes = read(&path)?;
                Ok(score_text(&m, &bytes, &path.display().to_string())?)
            }
            _ => Err(Failure(vec!["give --methodology and --scores, or --example".into()])),
        }
    }

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

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    En,
    Vi,
}

#[derive(Clone, Copy, ValueEnum)]
enum TiesArg {
    Competition,
    Dense,
    Ordinal,
}

#[derive(Clone, Copy, ValueEnum)]
enum RankOnArg {
    Exact,
    Published,
}

/// A failure to report: every line goes to stderr, and the process exits with 2.
struct Failure(Vec<String>);

impl From<parindex::Error> for Failure {
    fn from(e: parindex::Error) -> Failure {
        Failure(e.issues().iter().map(ToString::to_string).collect())
    }
}

/// The file behind an argument: `book.xlsx!Sheet` is the workbook `book.xlsx` (the readers
/// take the sheet from the name), unless a file has that whole name.
fn file_of(path: &Path) -> PathBuf {
    let name = path.display().to_string();
    match parindex_io::split_sheet(&name) {
        (book, Some(_)) if !path.exists() => PathBuf::from(book),
        _ => path.to_path_buf(),
    }
}

/// Last year, for `compare` and `report`: its scores (on its own methodology or this year's),
/// a bundled example, or its results as published.
#[derive(clap::Args)]
pub(crate) struct LastYearArgs {
    /// Last year's scores (scored on --previous-methodology, or this year's methodology).
    #[arg(long, group = "last_year")]
    previous: Option<PathBuf>,
    /// Last year's methodology, when it differs.
    #[arg(long, requires = "previous")]
    previous_methodology: Option<PathBuf>,
    /// A bundled example as last year (e.g. par-demo-2022).
    #[arg(long, group = "last_year")]
    previous_example: Option<String>,
    /// Last year's results as published, when its scores are not at hand: the CSV or JSON
    /// `parindex score` wrote, a decision's annex typed as such a table (unit, points or
    /// percent, rank, band, node columns), or the workbook `parindex report` wrote
    /// (`book.xlsx[!Sheet]`).
    #[arg(long, group = "last_year")]
    previous_results: Option<PathBuf>,
}

/// Last year, scored or as published.
pub(crate) enum LastYear {
    Scored(Box<parindex::Results>),
    Published(parindex::PublishedResults),
}

impl LastYearArgs {
    /// Last year, if one was given; `methodology` is this year's.
    pub(crate) fn load(self, methodology: &Methodology) -> Result<Option<LastYear>, Failure> {
        Ok(Some(match (self.previous_example, self.previous, self.previous_results) {
            (Some(name), _, _) => {
                let (m, s) = examples::load(&name)?;
                LastYear::Scored(Box::new(parindex::score(&m, &s)?))
            }
            (None, Some(path), _) => {
                let m = match self.previous_methodology {
                    Some(mp) => load_methodology(&mp)?,
                    None => methodology.clone(),
                };
                LastYear::Scored(Box::new(score_text(&m, &read(&path)?, &path.display().to_string())?))
            }
            (None, None, Some(path)) => {
                LastYear::Published(read_published_results(&read(&path)?, &path.display().to_string())?)
            }
            (None, None, None) => return Ok(None),
        }))
    }
}

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    let path = file_of(path);
    std::fs::read(&path).map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_owned(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
            _ => e.to_string(),
        };
        Failure(vec![format!("{}: cannot read: {why}", path.display())])
    })
}

fn load_methodology(path: &Path) -> Result<Methodology, Failure> {
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
        Command::Compare { input, last_year, sentences, format, round } => {
            let (_, now) = input.load()?;
            let Some(before) = last_year.load(now.methodology())? else {
                return Err(Failure(
                    vec!["give --previous, --previous-results or --previous-example".into()],
                ));
            };
            let cmp = match &before {
                LastYear::Scored(b) => parindex::compare(&now, b),
                LastYear::Published(b) => parindex::compare_published(&now, b),
            };
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
        Command::Rank { input, by_group, lang, ties, rank_on, format, round } => {
            let results = input.load_with(|m| {
                let mut settings = m.settings().clone();
                if let Some(t) = ties {
                    settings.ties = match t {
                        TiesArg::Competition => Ties::Competition,
                        TiesArg::Dense => Ties::Dense,
                        TiesArg::Ordinal => Ties::Ordinal,
                    };
                }
                if let Some(on) = rank_on {
                    settings.rank_on = match on {
                        RankOnArg::Exact => RankOn::Exact,
                        RankOnArg::Published => RankOn::Published,
                    };
                }
                Ok(m.with_settings(settings)?)
            })?;
            let mut options = RankingOptions::new().by_group(by_group).lang(match lang {
                LangArg::En => Lang::En,
                LangArg::Vi => Lang::Vi,
            });
            if let Some(n) = round {
                options = options.round(n);
            }
            Ok(write_ranking(&results, output_format(format), &options))
        }
        Command::Plan {
            unit,
            target,
            input,
            cap,
            cost,
            objective,
            granularity,
            no_rule_based,
            format,
            round,
        } => {
            let goal: parindex::Goal = target.parse().map_err(argument_failure)?;
            let mut options =
                parindex::PlanOptions::new().rule_based(!no_rule_based).objective(match objective {
                    ObjectiveArg::FewestPoints => parindex::Objective::FewestPoints,
                    ObjectiveArg::LeastCost => parindex::Objective::LeastCost,
                });
            let mut given = Vec::new();
            for text in &cap {
                let (code, points) = code_decimal("--cap", text)?;
                given.push(("--cap", code.clone()));
                options = options.cap(code, points);
            }
            for text in &cost {
                let (code, per_point) = code_decimal("--cost", text)?;
                given.push(("--cost", code.clone()));
                options = options.cost(code, per_point);
            }
            if let Some(text) = granularity {
                let step = parse_decimal(&text).map_err(|k| Failure(vec![format!("--granularity: {k}")]))?;
                options = options.granularity(step);
            }
            let (scores, results) = input.load()?;
            // Caps and costs name leaves: say which option names one that is not.
            let m = results.methodology();
            let mut bad = Vec::new();
            for (option, code) in &given {
                let kind = match m.max_of(code) {
                    _ if m.is_leaf(code) => continue,
                    Some(_) => parindex::IssueKind::NotALeaf,
                    None => parindex::IssueKind::UnknownCriterion { methodology: m.info().id.clone() },
                };
                let issue = parindex::Issue::new(parindex::Location::default().criterion(code), kind);
                bad.push(format!("{option}: {issue}"));
            }
            if !bad.is_empty() {
                return Err(Failure(bad));
            }
            let p = parindex::plan(&results, &scores, &unit, &goal, &options).map_err(argument_failure)?;
            let places = results.methodology().settings().rounding.places;
            Ok(write_plan(&p, output_format(format), places, round))
        }
        Command::WhatIf { unit, set, input, format, round } => {
            let (scores, results) = input.load()?;
            let m = results.methodology().clone();
            let mut changes = Vec::new();
            let mut bad = Vec::new();
            for text in &set {
                match parse_change(&m, text) {
                    Ok(change) => changes.push(change),
                    Err(e) => bad.extend(e.issues().iter().map(|i| format!("--set: {i}"))),
                }
            }
            if !bad.is_empty() {
                return Err(Failure(bad));
            }
            let after = parindex::what_if(&m, &scores, &unit, &changes).map_err(argument_failure)?;
            let Some(w) = parindex::WhatIf::between(&results, &after, &unit) else {
                return Err(Failure(vec![format!("--unit: unknown unit {unit:?}")]));
            };
            let places = m.settings().rounding.places;
            Ok(write_what_if(&w, output_format(format), places, round))
        }
        Command::Dossiers { file, as_of, format, round, as_leaf } => {
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
            let latest = parindex::last_activity(&dossiers);
            let Some(as_of) = as_of.or(latest) else {
                return Err(Failure(vec![format!("{}: the file has a header but no rows", file.display())]));
            };
            let stats = dossier_stats(&dossiers, as_of)?;
            Ok(match as_leaf {
                Some(code) => write_dossier_scores(&stats, &code, round),
                None => write_dossier_stats(&stats, output_format(format), round),
            })
        }
        Command::Report(args) => report::report(args),
        Command::Survey(args) => survey::run(args),
        Command::Sensitivity(args) => sensitivity::run(args),
        Command::Template(args) => report::template(args),
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum ObjectiveArg {
    /// The fewest points gained, summed over the criteria.
    FewestPoints,
    /// The least cost: points gained times each criterion's --cost.
    LeastCost,
}

/// A failure whose target or unit issues name the argument they come from.
fn argument_failure(e: parindex::Error) -> Failure {
    Failure(
        e.issues()
            .iter()
            .map(|i| match i.code() {
                "invalid_goal" => format!("--target: {i}"),
                "unknown_unit" => format!("--unit: {i}"),
                _ => i.to_string(),
            })
            .collect(),
    )
}

/// `CODE=NUMBER` of a repeatable option.
fn code_decimal(option: &str, text: &str) -> Result<(String, parindex::Decimal), Failure> {
    let Some((code, value)) = text.split_once('=') else {
        return Err(Failure(vec![format!("{option}: {text:?} is not CODE=NUMBER")]));
    };
    let value = parse_decimal(value)
        .map_err(|k| Failure(vec![format!("{option}: criterion {}: {k}", code.trim())]))?;
    Ok((code.trim().to_owned(), value))
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
