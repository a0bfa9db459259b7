//! The bundled examples: methodologies and scores under `data/`, compiled in.
//!
//! | name | what |
//! |---|---|
//! | `par-demo` | a PAR-shaped set on the real 2017 provincial domains (2948/QĐ-BNV) with illustrative criteria; 12 units (6 departments, 6 districts), 2023, long form with self-assessed and appraised points |
//! | `par-demo-2022` | the same set, 2022 (wide form) |
//! | `par-2020` | PAR INDEX 2020, the published top ten provinces with their four published components (maxima assumed) |
//!
//! The methodologies `pci-2016` and `papi-2016` are bundled without scores (the published
//! tables stay outside the repository). The survey `sipas-demo` (an illustrative SIPAS
//! questionnaire and 1,136 generated responses about the par-demo units, with weights,
//! strata and clusters) comes from [`survey`].
//!
//! # Examples
//!
//! ```
//! let (m, scores) = parindex_io::examples::load("par-2020").unwrap();
//! let results = parindex::score(&m, &scores).unwrap();
//! let top = &results.ranked()[0];
//! assert_eq!(top.id(), "quang-ninh");
//! assert_eq!(top.published_percent().to_string(), "91.05");
//! ```

use parindex::{Methodology, Scores};

use parindex::Error;

use crate::{read_methodology_csv, read_scores};

const PAR_DEMO: &str = include_str!("../../../data/methodologies/par-demo.methodology.csv");
const PAR_DEMO_2023: &str = include_str!("../../../data/examples/par-demo-2023.long.csv");
const PAR_DEMO_2022: &str = include_str!("../../../data/examples/par-demo-2022.scores.csv");
const PAR_2020: &str = include_str!("../../../data/methodologies/par-2020.methodology.csv");
const PAR_2020_SCORES: &str = include_str!("../../../data/examples/par-2020.scores.csv");
const PCI_2016: &str = include_str!("../../../data/methodologies/pci-2016.methodology.csv");
const PAPI_2016: &str = include_str!("../../../data/methodologies/papi-2016.methodology.csv");
const SIPAS_DEMO: &str = include_str!("../../../data/survey/sipas-demo.questionnaire.json");
const SIPAS_DEMO_RESPONSES: &str = include_str!("../../../data/survey/sipas-demo.responses.csv");

/// The names [`load`] accepts.
///
/// # Examples
///
/// ```
/// for name in parindex_io::examples::NAMES {
///     let (m, scores) = parindex_io::examples::load(name).unwrap();
///     assert!(parindex::score(&m, &scores).is_ok(), "{name}");
/// }
/// ```
pub const NAMES: [&str; 3] = ["par-demo", "par-demo-2022", "par-2020"];

/// The names [`methodology`] accepts.
///
/// # Examples
///
/// ```
/// use parindex_io::examples::{methodology, METHODOLOGIES};
/// let leaves: Vec<usize> =
///     METHODOLOGIES.iter().map(|name| methodology(name).unwrap().leaf_codes().count()).collect();
/// assert_eq!(leaves, [46, 4, 10, 22]);
/// ```
pub const METHODOLOGIES: [&str; 4] = ["par-demo", "par-2020", "pci-2016", "papi-2016"];

/// A bundled methodology by name.
///
/// # Errors
///
/// `unknown_name`, listing the bundled examples, when the name is unknown.
///
/// # Examples
///
/// ```
/// let pci = parindex_io::examples::methodology("pci-2016").unwrap();
/// assert_eq!(pci.leaf_codes().count(), 10);
/// let err = parindex_io::examples::methodology("pci-2015").unwrap_err();
/// assert_eq!(err.issues()[0].code(), "unknown_name");
/// ```
pub fn methodology(name: &str) -> Result<Methodology, Error> {
    let (text, file) = match name {
        "par-demo" | "par-demo-2022" | "par-demo-2023" => (PAR_DEMO, "par-demo.methodology.csv"),
        "par-2020" => (PAR_2020, "par-2020.methodology.csv"),
        "pci-2016" => (PCI_2016, "pci-2016.methodology.csv"),
        "papi-2016" => (PAPI_2016, "papi-2016.methodology.csv"),
        _ => return Err(unknown(name, &METHODOLOGIES)),
    };
    read_methodology_csv(text, file)
}

/// A bundled example: its methodology and its scores.
///
/// # Errors
///
/// `unknown_name`, listing the bundled examples, when the name is unknown.
///
/// # Examples
///
/// ```
/// let (m, scores) = parindex_io::examples::load("par-demo").unwrap();
/// assert_eq!(m.info().id, "par-demo");
/// assert_eq!(scores.units().len(), 12);
/// // pci-2016 is bundled as a methodology only, without scores.
/// let err = parindex_io::examples::load("pci-2016").unwrap_err();
/// assert_eq!(err.to_string(), "unknown example \"pci-2016\" (known: par-demo, par-demo-2022, par-2020)");
/// ```
pub fn load(name: &str) -> Result<(Methodology, Scores), Error> {
    let (text, file) = match name {
        "par-demo" | "par-demo-2023" => (PAR_DEMO_2023, "par-demo-2023.long.csv"),
        "par-demo-2022" => (PAR_DEMO_2022, "par-demo-2022.scores.csv"),
        "par-2020" => (PAR_2020_SCORES, "par-2020.scores.csv"),
        _ => return Err(unknown(name, &NAMES)),
    };
    let m = methodology(name)?;
    let scores = read_scores(&m, text.as_bytes(), file)?;
    Ok((m, scores))
}

/// A bundled survey: its questionnaire and the tally of its responses.
///
/// # Errors
///
/// `unknown_name` when the name is unknown.
///
/// # Examples
///
/// ```
/// let (q, tally) = parindex_io::examples::survey("sipas-demo").unwrap();
/// assert_eq!(q.elements().len(), 5);
/// assert_eq!(tally.respondents(), 1136);
/// ```
pub fn survey(name: &str) -> Result<(parindex::Questionnaire, parindex::Tally), Error> {
    if name != "sipas-demo" {
        return Err(unknown(name, &["sipas-demo"]));
    }
    let q = crate::read_questionnaire(SIPAS_DEMO.as_bytes(), "sipas-demo.questionnaire.json")?;
    let tally = crate::read_responses(
        SIPAS_DEMO_RESPONSES.as_bytes(),
        "sipas-demo.responses.csv",
        &q,
        &crate::ResponsesOptions::new(),
    )?;
    Ok((q, tally))
}

fn unknown(name: &str, known: &[&str]) -> Error {
    Error::single(
        parindex::Location::default(),
        parindex::IssueKind::UnknownName {
            what: "example".into(),
            name: name.into(),
            known: known.join(", "),
        },
    )
}
