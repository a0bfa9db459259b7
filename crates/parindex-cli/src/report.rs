//! `parindex report` (an HTML, Markdown or Excel report of a result set) and `parindex
//! template` (a fill-in workbook of a methodology).

use std::path::{Path, PathBuf};

use parindex::Unit;
use parindex_io::{
    examples, read_scores, write_report_html, write_report_markdown, write_results_xlsx, write_template_xlsx,
    Lang, ReportOptions, TemplateOptions,
};

use crate::{load_methodology, read, Failure, Input, LangArg, LastYear, LastYearArgs};

/// `parindex report`.
#[derive(clap::Args)]
pub(crate) struct ReportArgs {
    #[command(flatten)]
    input: Input,
    /// Last year: adds the change in rank and points and a year-over-year table.
    #[command(flatten)]
    last_year: LastYearArgs,
    /// The language of the labels.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    lang: LangArg,
    /// How many of each unit's largest losses to list.
    #[arg(long, default_value_t = 3)]
    top: usize,
    /// Workbooks: add a sheet per unit with its explanation, leaf by leaf.
    #[arg(long)]
    explanations: bool,
    /// The report file: .html (self-contained, printable), .md or .xlsx; `-` writes to
    /// standard output (give --format then).
    #[arg(long)]
    out: PathBuf,
    /// The report's format, when --out's extension does not say it.
    #[arg(long, value_enum)]
    format: Option<ReportFormat>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ReportFormat {
    Html,
    Md,
    Xlsx,
}

/// `parindex template`.
#[derive(clap::Args)]
pub(crate) struct TemplateArgs {
    /// The methodology: a node table (CSV or .xlsx) or the JSON format.
    #[arg(long, required_unless_present = "example")]
    methodology: Option<PathBuf>,
    /// A bundled methodology instead of a file: par-demo, par-2020, pci-2016, papi-2016.
    #[arg(long, conflicts_with = "methodology")]
    example: Option<String>,
    /// Scores to fill in (their units, and their values in the cells).
    #[arg(long, conflicts_with = "unit")]
    scores: Option<PathBuf>,
    /// A unit to make a block of rows for (repeatable; default one block with a blank id).
    #[arg(long, value_name = "ID")]
    unit: Vec<String>,
    /// The language of the title and labels.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    lang: LangArg,
    /// The workbook to write (.xlsx).
    #[arg(long)]
    out: PathBuf,
}

fn lang(l: LangArg) -> Lang {
    match l {
        LangArg::En => Lang::En,
        LangArg::Vi => Lang::Vi,
    }
}

fn extension(path: &Path) -> String {
    path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_lowercase()
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, bytes).map_err(|e| Failure(vec![format!("{}: cannot write: {e}", path.display())]))
}

/// Writes the report; prints what was written.
pub(crate) fn report(args: ReportArgs) -> Result<String, Failure> {
    let stdout = args.out.as_os_str() == "-";
    let format = match (args.format, extension(&args.out).as_str()) {
        (Some(f), _) => f,
        (None, "html" | "htm") => ReportFormat::Html,
        (None, "md" | "markdown") => ReportFormat::Md,
        (None, "xlsx") => ReportFormat::Xlsx,
        (None, _) if stdout => return Err(Failure(vec!["--out -: give --format html, md or xlsx".into()])),
        (None, _) => {
            return Err(Failure(vec![format!(
                "--out: {}: write a .html, .md or .xlsx file",
                args.out.display()
            )]))
        }
    };
    let (scores, results) = args.input.load()?;
    let previous = args.last_year.load(results.methodology())?;
    let mut options =
        ReportOptions::new().lang(lang(args.lang)).top(args.top).explanations(args.explanations);
    match &previous {
        Some(LastYear::Scored(p)) => options = options.previous(p),
        Some(LastYear::Published(p)) => options = options.previous_published(p),
        None => {}
    }
    let bytes = match format {
        ReportFormat::Xlsx => write_results_xlsx(&results, &scores, &options)?,
        ReportFormat::Md => write_report_markdown(&results, &scores, &options).into_bytes(),
        ReportFormat::Html => write_report_html(&results, &scores, &options).into_bytes(),
    };
    if stdout {
        use std::io::Write;
        std::io::stdout()
            .write_all(&bytes)
            .map_err(|e| Failure(vec![format!("cannot write to standard output: {e}")]))?;
        return Ok(String::new());
    }
    write(&args.out, &bytes)?;
    Ok(format!("wrote {} ({} units)\n", args.out.display(), results.len()))
}

/// Writes the fill-in template; prints what was written.
pub(crate) fn template(args: TemplateArgs) -> Result<String, Failure> {
    if extension(&args.out) != "xlsx" {
        return Err(Failure(vec![format!("--out: {}: write a .xlsx file", args.out.display())]));
    }
    let m = match (args.example, args.methodology) {
        (Some(name), _) => examples::methodology(&name)?,
        (None, Some(path)) => load_methodology(&path)?,
        (None, None) => return Err(Failure(vec!["give --methodology or --example".into()])),
    };
    let scores = match &args.scores {
        Some(path) => Some(read_scores(&m, &read(path)?, &path.display().to_string())?),
        None => None,
    };
    let mut options = TemplateOptions::new().lang(lang(args.lang));
    for id in &args.unit {
        options = options.unit(Unit::new(id.clone()));
    }
    let bytes = write_template_xlsx(&m, scores.as_ref(), &options)?;
    write(&args.out, &bytes)?;
    let leaves = m.leaf_codes().count();
    Ok(format!("wrote {} ({leaves} criteria)\n", args.out.display()))
}
