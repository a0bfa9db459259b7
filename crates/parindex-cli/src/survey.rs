//! `parindex survey`: satisfaction survey estimates (SIPAS), and survey values for
//! methodology leaves.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use parindex::{
    survey_results, DomainKind, Measure, Questionnaire, Scores, SurveyOptions, Tally, Uncertainty,
    UncertaintySource,
};
use parindex_io::{
    examples, is_workbook, read_questionnaire, read_responses, read_responses_file, split_sheet,
    write_survey, ResponsesOptions,
};

use crate::{file_of, output_format, read, Failure, Format};

/// `parindex survey`.
#[derive(clap::Args)]
pub(crate) struct SurveyArgs {
    /// The questionnaire (JSON).
    #[arg(long, required_unless_present = "example")]
    questionnaire: Option<PathBuf>,
    /// Responses (respondent, unit, optional group/weight/stratum/cluster, one column per
    /// item): CSV, streamed (files of any size), or .xlsx (`book.xlsx!Sheet` picks a sheet);
    /// several files are tallied and merged.
    #[arg(long, num_args = 1..)]
    responses: Vec<PathBuf>,
    /// Tallies saved by --save-tally (from other parts of the data) to merge in.
    #[arg(long, num_args = 1..)]
    tally: Vec<PathBuf>,
    /// The bundled survey sipas-demo instead of files.
    #[arg(long, conflicts_with_all = ["questionnaire", "responses", "tally"])]
    example: Option<String>,
    /// Units CSV (unit, and optionally name and population): any other unit in the responses
    /// is an error; populations set the sample size each unit needs.
    #[arg(long)]
    units: Option<PathBuf>,
    /// Which domains, in order.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [By::Unit, By::All])]
    by: Vec<By>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Round every estimate to N places (csv and json print full precision otherwise).
    #[arg(long, value_name = "N")]
    round: Option<u32>,
    /// Save the merged tally (JSON) to merge later with other parts.
    #[arg(long, value_name = "FILE")]
    save_tally: Option<PathBuf>,
    /// Print long-form score rows (unit,criterion,value,note) putting a survey measure into
    /// a methodology leaf: CODE=overall, CODE=element:ELEMENT or CODE=item:ITEM. Repeatable.
    /// With --methodology, a plain-points leaf gets max × share points; otherwise the value
    /// is the percent (for a leaf rule such as proportional:100).
    #[arg(long, value_name = "CODE=MEASURE")]
    leaf: Vec<String>,
    /// The methodology the --leaf codes belong to.
    #[arg(long, requires = "leaf")]
    methodology: Option<PathBuf>,
    /// Print, instead of estimates, the uncertainty document (JSON) for `parindex sensitivity
    /// --uncertainty`: one survey source in which the leaf CODE takes each unit's share of
    /// the item with its standard error (CODE=item:ITEM). Repeatable.
    #[arg(long, value_name = "CODE=item:ITEM", conflicts_with_all = ["leaf", "format", "round"])]
    uncertainty_leaf: Vec<String>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum By {
    Unit,
    Group,
    All,
}

pub(crate) fn run(args: SurveyArgs) -> Result<String, Failure> {
    let (q, tally, populations) = load(&args)?;
    if let Some(path) = &args.save_tally {
        std::fs::write(path, tally.to_json())
            .map_err(|e| Failure(vec![format!("{}: cannot write: {e}", path.display())]))?;
    }
    let by: Vec<DomainKind> = args
        .by
        .iter()
        .map(|b| match b {
            By::Unit => DomainKind::Unit,
            By::Group => DomainKind::Group,
            By::All => DomainKind::All,
        })
        .collect();
    let mut options = SurveyOptions::new().by(&by);
    for (unit, n) in populations {
        options = options.population(unit, n);
    }
    let results = survey_results(&q, &tally, &options)?;
    if !args.uncertainty_leaf.is_empty() {
        return uncertainty(&results, &args.uncertainty_leaf);
    }
    if args.leaf.is_empty() {
        return Ok(write_survey(&results, output_format(args.format), args.round));
    }
    let leaves = leaf_specs(&args.leaf, "--leaf")?;
    let mut out = String::from("unit,criterion,value,note\n");
    match &args.methodology {
        Some(path) => {
            let m = crate::load_methodology(path)?;
            let mut scores = Scores::new(&m);
            for id in tally.units() {
                scores.add_unit(parindex::Unit::new(id.clone()))?;
            }
            for (code, measure) in &leaves {
                results.apply(&mut scores, &m, code, measure)?;
                for (i, unit) in scores.units().iter().enumerate() {
                    if let Some(parindex::Value::Number(v)) = scores.value(i, code) {
                        out.push_str(&row(
                            &unit.id,
                            code,
                            &v.to_string(),
                            scores.note(i, code).unwrap_or(""),
                        ));
                    }
                }
            }
        }
        None => {
            for (code, measure) in &leaves {
                for v in results.leaf_values(measure)? {
                    out.push_str(&row(&v.unit, code, &v.percent.to_string(), &v.note));
                }
            }
        }
    }
    Ok(out)
}

/// `CODE=MEASURE` arguments of `flag`, each checked, all problems reported.
fn leaf_specs(specs: &[String], flag: &str) -> Result<Vec<(String, Measure)>, Failure> {
    let mut leaves = Vec::new();
    let mut problems = Vec::new();
    for spec in specs {
        let Some((code, measure)) = spec.split_once('=') else {
            problems.push(format!("{flag} {spec}: write CODE=overall, CODE=element:E or CODE=item:I"));
            continue;
        };
        match measure.parse::<Measure>() {
            Ok(measure) => leaves.push((code.trim().to_string(), measure)),
            Err(e) => problems.push(format!("{flag} {spec}: {}", e.issues()[0])),
        }
    }
    if problems.is_empty() {
        Ok(leaves)
    } else {
        Err(Failure(problems))
    }
}

/// The uncertainty document with one survey source over the leaves of `--uncertainty-leaf`.
fn uncertainty(results: &parindex::SurveyResults, specs: &[String]) -> Result<String, Failure> {
    let mut leaves = std::collections::BTreeMap::new();
    let mut problems = Vec::new();
    for spec in specs {
        let (code, measure) = match leaf_specs(std::slice::from_ref(spec), "--uncertainty-leaf") {
            Ok(mut one) => one.remove(0),
            Err(Failure(lines)) => {
                problems.extend(lines);
                continue;
            }
        };
        match UncertaintySource::survey(results, &code, &measure) {
            Ok(UncertaintySource::Survey { leaves: one }) => leaves.extend(one),
            Ok(_) => {}
            Err(e) => problems.extend(e.issues().iter().map(|i| format!("--uncertainty-leaf {spec}: {i}"))),
        }
    }
    if !problems.is_empty() {
        return Err(Failure(problems));
    }
    let u = Uncertainty::new().source(UncertaintySource::Survey { leaves });
    Ok(u.to_json() + "\n")
}

/// One CSV row, quoting the note.
fn row(unit: &str, code: &str, value: &str, note: &str) -> String {
    format!("{unit},{code},{value},\"{}\"\n", note.replace('"', "\"\""))
}

type Loaded = (Questionnaire, Tally, Vec<(String, u64)>);

fn load(args: &SurveyArgs) -> Result<Loaded, Failure> {
    let (units, populations) = match &args.units {
        Some(path) => read_units(path)?,
        None => (None, Vec::new()),
    };
    if let Some(name) = &args.example {
        let (q, tally) = examples::survey(name)?;
        return Ok((q, tally, populations));
    }
    let Some(qpath) = &args.questionnaire else {
        return Err(Failure(vec!["give --questionnaire and --responses (or --tally), or --example".into()]));
    };
    let q = read_questionnaire(&read(qpath)?, &qpath.display().to_string())?;
    if args.responses.is_empty() && args.tally.is_empty() {
        return Err(Failure(vec!["give --responses FILE (or --tally FILE)".into()]));
    }
    let mut options = ResponsesOptions::new();
    if let Some(units) = &units {
        options = options.units(units);
    }
    let mut tally = Tally::new(&q);
    let mut problems = Vec::new();
    for path in &args.responses {
        let name = path.display().to_string();
        let file = std::fs::File::open(file_of(path))
            .map_err(|e| Failure(vec![format!("{}: cannot read: {e}", file_of(path).display())]))?;
        let mut file = std::io::BufReader::new(file);
        let head = file.fill_buf().map_err(|e| Failure(vec![format!("{name}: cannot read: {e}")]))?;
        let read = if is_workbook(head, split_sheet(&name).0) {
            read_responses_file(&read(path)?, &name, &q, &options)
        } else {
            read_responses(file, &name, &q, &options)
        };
        match read {
            Ok(part) => tally.merge(&part)?,
            Err(e) => problems.extend(e.issues().iter().map(ToString::to_string)),
        }
    }
    for path in &args.tally {
        let text = String::from_utf8_lossy(&read(path)?).into_owned();
        match Tally::from_json(&text) {
            Ok(part) => tally.merge(&part).map_err(|e| Failure(vec![format!("{}: {e}", path.display())]))?,
            Err(e) => problems.extend(e.issues().iter().map(|i| format!("{}: {i}", path.display()))),
        }
    }
    if !problems.is_empty() {
        return Err(Failure(problems));
    }
    Ok((q, tally, populations))
}

type Units = (Option<Vec<String>>, Vec<(String, u64)>);

/// `unit[,name][,population]`.
fn read_units(path: &Path) -> Result<Units, Failure> {
    let bytes = read(path)?;
    let file = path.display().to_string();
    let text = parindex_io::decode(&bytes, &file)?;
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| Failure(vec![format!("{file}: {e}")]))?.clone();
    let col = |name: &str| header.iter().position(|h| h.trim() == name);
    let Some(unit_col) = col("unit") else {
        return Err(Failure(vec![format!("{file}:1: missing column unit")]));
    };
    let population_col = col("population");
    let (mut units, mut populations, mut problems) = (Vec::new(), Vec::new(), Vec::new());
    for record in reader.records() {
        let record = record.map_err(|e| Failure(vec![format!("{file}: {e}")]))?;
        let line = record.position().map_or(0, |p| p.line());
        let unit: String = record.get(unit_col).unwrap_or("").trim().to_string();
        if unit.is_empty() {
            continue;
        }
        if let Some(c) = population_col {
            match record.get(c).map(str::trim) {
                None | Some("") => {}
                Some(text) => match text.parse::<u64>() {
                    Ok(n) => populations.push((unit.clone(), n)),
                    Err(_) => problems
                        .push(format!("{file}:{line}:{}: population {text:?} is not a whole number", c + 1)),
                },
            }
        }
        units.push(unit);
    }
    if !problems.is_empty() {
        return Err(Failure(problems));
    }
    Ok((Some(units), populations))
}
