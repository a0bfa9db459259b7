//! Surveys from Python: questionnaires, tallies (from CSV, DataFrames or NumPy arrays) and
//! their results; and dossier statistics. Conversions only; the core computes.

use std::sync::Arc;

use parindex::{Answers, Batch, DomainKind, Labels, SurveyOptions};
use pyo3::prelude::*;
use pyo3::types::{IntoPyDict, PyBytes};

use crate::conversion::{self, core, infallible, Source};
use crate::{PyMethodology, PyScores};

/// A survey questionnaire: elements, items and their answer scales.
#[pyclass(frozen, eq, module = "parindex._parindex", name = "Questionnaire")]
#[derive(PartialEq)]
pub(crate) struct PyQuestionnaire {
    pub(crate) inner: parindex::Questionnaire,
}

#[pymethods]
impl PyQuestionnaire {
    /// Reads the JSON form; errors are located in `file` when given.
    #[staticmethod]
    #[pyo3(signature = (text, file=None))]
    fn from_json(py: Python<'_>, text: &str, file: Option<String>) -> PyResult<PyQuestionnaire> {
        core(py, || match &file {
            Some(file) => parindex_io::read_questionnaire(text.as_bytes(), file),
            None => parindex::Questionnaire::from_json(text),
        })
        .map(|inner| PyQuestionnaire { inner })
    }

    /// Reads a questionnaire file (JSON).
    #[staticmethod]
    fn read(py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<PyQuestionnaire> {
        let Source { bytes, file } = conversion::path(path, None)?;
        core(py, || parindex_io::read_questionnaire(&bytes, &file)).map(|inner| PyQuestionnaire { inner })
    }

    /// The JSON form.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        infallible(py, || self.inner.to_json())
    }

    #[getter]
    fn id(&self) -> &str {
        self.inner.id()
    }

    /// The answer columns of array input, in order.
    #[getter]
    fn columns(&self) -> Vec<String> {
        self.inner.columns().into_iter().map(str::to_owned).collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "Questionnaire(id={:?}, elements={}, items={}, columns={})",
            self.inner.id(),
            self.inner.elements().len(),
            self.inner.items().len(),
            self.inner.columns().len()
        )
    }
}

/// The mergeable aggregation state of survey responses.
#[pyclass(module = "parindex._parindex", name = "Tally")]
pub(crate) struct PyTally {
    questionnaire: parindex::Questionnaire,
    inner: parindex::Tally,
}

/// Labels as integer codes (a NumPy array or bytes of little-endian `u32`s) and the names the
/// codes point at.
type Coded<'py> = (Bound<'py, PyAny>, Vec<String>);

/// A value type of the arrays `add_coded` reads, with its NumPy `typestr`.
trait Element: bytemuck::Pod {
    const TYPESTR: &'static str;
    fn from_le(bytes: &[u8]) -> Self;
}

impl Element for u8 {
    const TYPESTR: &'static str = "|u1";
    fn from_le(bytes: &[u8]) -> u8 {
        bytes[0]
    }
}

impl Element for u32 {
    const TYPESTR: &'static str = "<u4";
    fn from_le(bytes: &[u8]) -> u32 {
        u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
    }
}

impl Element for f64 {
    const TYPESTR: &'static str = "<f8";
    fn from_le(bytes: &[u8]) -> f64 {
        f64::from_le_bytes(std::array::from_fn(|i| bytes[i]))
    }
}

/// The values of `bytes` or of a C-contiguous NumPy array of type `T`: the memory itself, not
/// a copy, when it is aligned (on a little-endian machine), else a copy.
///
/// The array's memory is found through its `__array_interface__`, which needs no buffer
/// protocol (the stable ABI of Python 3.9 lacks one). Only objects of type `numpy.ndarray`
/// itself are read, not subclasses, which could override the interface: the address it gives
/// is then NumPy's own.
#[allow(unsafe_code)]
fn values<'a, T: Element>(object: &'a Bound<'_, PyAny>, what: &str) -> PyResult<std::borrow::Cow<'a, [T]>> {
    let bytes: &'a [u8] = match object.cast::<PyBytes>() {
        Ok(bytes) => bytes.as_bytes(),
        Err(_) => {
            let wrong = || {
                pyo3::exceptions::PyTypeError::new_err(format!(
                    "{what} must be bytes or a C-contiguous NumPy array of type {}",
                    T::TYPESTR
                ))
            };
            let ndarray = object.py().import("numpy")?.getattr("ndarray")?;
            if !object.get_type().is(&ndarray) {
                return Err(wrong());
            }
            let interface = object.getattr("__array_interface__")?;
            let typestr: String = interface.get_item("typestr")?.extract()?;
            let contiguous = interface.get_item("strides").map_or(true, |s| s.is_none());
            if typestr != T::TYPESTR || !contiguous {
                return Err(wrong());
            }
            let (address, _read_only): (usize, bool) =
                interface.get_item("data")?.extract().map_err(|_| wrong())?;
            let shape: Vec<usize> = interface.get_item("shape")?.extract()?;
            let len = shape
                .iter()
                .try_fold(std::mem::size_of::<T>(), |n, &d| n.checked_mul(d))
                .ok_or_else(wrong)?;
            if len == 0 {
                &[]
            } else {
                // SAFETY: the array interface promises `len` readable bytes at `address` (a
                // C-contiguous array of that shape and type). The caller holds `object`, and
                // with it the memory (NumPy neither frees nor resizes an array's data while a
                // reference to the array exists), for as long as the slice lives; the GIL is
                // held throughout the call, so no Python code writes to it meanwhile.
                unsafe { std::slice::from_raw_parts(address as *const u8, len) }
            }
        }
    };
    Ok(match bytemuck::try_cast_slice(bytes) {
        Ok(values) if cfg!(target_endian = "little") => std::borrow::Cow::Borrowed(values),
        _ => bytes.chunks_exact(std::mem::size_of::<T>()).map(T::from_le).collect(),
    })
}

/// Label codes, read in place or copied, and their names.
type Read<'a> = (std::borrow::Cow<'a, [u32]>, &'a [String]);

/// Coded labels as codes and names.
fn labels<'a>(coded: &'a Option<Coded<'_>>, what: &str) -> PyResult<Option<Read<'a>>> {
    coded.as_ref().map(|(codes, names)| Ok((values(codes, what)?, names.as_slice()))).transpose()
}

#[pymethods]
impl PyTally {
    #[new]
    fn new(questionnaire: &PyQuestionnaire) -> PyTally {
        PyTally {
            questionnaire: questionnaire.inner.clone(),
            inner: parindex::Tally::new(&questionnaire.inner),
        }
    }

    /// Adds responses from a CSV or .xlsx path (`book.xlsx!Sheet` picks a sheet), CSV text or a
    /// DataFrame (through its CSV form).
    #[pyo3(signature = (responses, file=None))]
    fn add_csv(
        &mut self,
        py: Python<'_>,
        responses: &Bound<'_, PyAny>,
        file: Option<String>,
    ) -> PyResult<()> {
        let Source { bytes, file } = if conversion::is_frame(responses) {
            conversion::frame_csv(responses, file.or_else(|| Some("DataFrame".into())))?
        } else {
            conversion::path_or_text(responses, file, "responses.csv")?
        };
        let q = &self.questionnaire;
        let part = core(py, || {
            parindex_io::read_responses_file(&bytes, &file, q, &parindex_io::ResponsesOptions::new())
        })?;
        let inner = &mut self.inner;
        core(py, || inner.merge(&part))
    }

    /// Adds respondents from arrays (the wrapper `parindex.add_arrays` prepares them): unit
    /// codes (`u32`) and names, row-major `u8` answers, optional `f64` weights, and optional
    /// coded groups, strata and clusters; each a NumPy array, read in place, or bytes.
    #[pyo3(signature = (units, answers, weights=None, groups=None, strata=None, clusters=None))]
    #[allow(clippy::too_many_arguments)]
    fn add_coded(
        &mut self,
        py: Python<'_>,
        units: Coded<'_>,
        answers: &Bound<'_, PyAny>,
        weights: Option<Bound<'_, PyAny>>,
        groups: Option<Coded<'_>>,
        strata: Option<Coded<'_>>,
        clusters: Option<Coded<'_>>,
    ) -> PyResult<()> {
        let unit_index = values::<u32>(&units.0, "unit codes")?;
        let weights = weights.as_ref().map(|w| values::<f64>(w, "weights")).transpose()?;
        let groups = labels(&groups, "group codes")?;
        let strata = labels(&strata, "stratum codes")?;
        let clusters = labels(&clusters, "cluster codes")?;
        let answers = values::<u8>(answers, "answers")?;
        let q = &self.questionnaire;
        let inner = &mut self.inner;
        core(py, || {
            let mut batch =
                Batch::new(Labels { index: &unit_index, names: &units.1 }, Answers::Rows(&answers));
            if let Some(w) = &weights {
                batch = batch.weights(w);
            }
            if let Some((i, n)) = &groups {
                batch = batch.groups(Labels { index: i, names: n });
            }
            if let Some((i, n)) = &strata {
                batch = batch.strata(Labels { index: i, names: n });
            }
            if let Some((i, n)) = &clusters {
                batch = batch.clusters(Labels { index: i, names: n });
            }
            inner.add(q, &batch)
        })
    }

    /// Adds another tally of the same questionnaire.
    fn merge(&mut self, py: Python<'_>, other: &PyTally) -> PyResult<()> {
        let inner = &mut self.inner;
        core(py, || inner.merge(&other.inner))
    }

    /// The tally as JSON (to merge elsewhere).
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        infallible(py, || self.inner.to_json())
    }

    /// Reads a tally written by `to_json`.
    #[staticmethod]
    fn from_json(py: Python<'_>, questionnaire: &PyQuestionnaire, text: &str) -> PyResult<PyTally> {
        let inner = core(py, || parindex::Tally::from_json(text))?;
        Ok(PyTally { questionnaire: questionnaire.inner.clone(), inner })
    }

    #[getter]
    fn respondents(&self) -> u64 {
        self.inner.respondents()
    }

    /// The estimates: per unit / group / everyone (`by`), with unit populations for the
    /// sample-size rule.
    #[pyo3(signature = (by=None, populations=None))]
    fn results(
        &self,
        py: Python<'_>,
        by: Option<Vec<String>>,
        populations: Option<std::collections::HashMap<String, u64>>,
    ) -> PyResult<PySurveyResults> {
        let mut options = SurveyOptions::new();
        if let Some(by) = by {
            options = options.by(&core(py, || DomainKind::parse_list(&by))?);
        }
        for (unit, n) in populations.unwrap_or_default() {
            options = options.population(unit, n);
        }
        let inner = core(py, || parindex::survey_results(&self.questionnaire, &self.inner, &options))?;
        Ok(PySurveyResults { inner: Arc::new(inner) })
    }

    fn __repr__(&self) -> String {
        format!(
            "Tally(questionnaire={:?}, respondents={})",
            self.questionnaire.id(),
            self.inner.respondents()
        )
    }
}

/// Survey estimates.
#[pyclass(frozen, module = "parindex._parindex", name = "SurveyResults")]
pub(crate) struct PySurveyResults {
    inner: Arc<parindex::SurveyResults>,
}

#[pymethods]
impl PySurveyResults {
    /// The results as JSON (rounded to `round` places, or at full precision).
    #[pyo3(signature = (round=None))]
    fn to_json(&self, py: Python<'_>, round: Option<u32>) -> PyResult<String> {
        infallible(py, || parindex_io::write_survey(&self.inner, parindex_io::OutputFormat::Json, round))
    }

    /// The results as CSV: one row per domain and item, element and overall index.
    #[pyo3(signature = (round=None))]
    fn to_csv(&self, py: Python<'_>, round: Option<u32>) -> PyResult<String> {
        infallible(py, || parindex_io::write_survey(&self.inner, parindex_io::OutputFormat::Csv, round))
    }

    /// The results as a DataFrame (one row per domain and item, element and overall index;
    /// floats), read from the CSV form.
    #[pyo3(signature = (round=None))]
    fn to_pandas<'py>(&self, py: Python<'py>, round: Option<u32>) -> PyResult<Bound<'py, PyAny>> {
        let csv = self.to_csv(py, round)?;
        let io = py.import("io")?.getattr("StringIO")?.call1((csv,))?;
        let kwargs = pyo3::types::PyDict::new(py);
        kwargs.set_item("keep_default_na", false)?;
        kwargs.set_item("na_values", vec![""])?;
        kwargs.set_item("dtype", [("id", "str"), ("code", "str"), ("element", "str")].into_py_dict(py)?)?;
        py.import("pandas")?.getattr("read_csv")?.call((io,), Some(&kwargs))
    }

    /// The results as a plain table.
    #[pyo3(signature = (round=None))]
    fn to_table(&self, py: Python<'_>, round: Option<u32>) -> PyResult<String> {
        infallible(py, || parindex_io::write_survey(&self.inner, parindex_io::OutputFormat::Table, round))
    }

    /// Puts a survey measure (`overall`, `element:CODE`, `item:CODE`) into a methodology leaf
    /// of a copy of `scores`, with the survey note on each unit's leaf.
    fn apply(
        &self,
        py: Python<'_>,
        scores: &PyScores,
        methodology: &PyMethodology,
        criterion: &str,
        measure: &str,
    ) -> PyResult<PyScores> {
        let mut copy = (*scores.inner).clone();
        core(py, || {
            let measure: parindex::Measure = measure.parse()?;
            self.inner.apply(&mut copy, &methodology.inner, criterion, &measure)
        })?;
        Ok(PyScores { inner: Arc::new(copy) })
    }

    /// The uncertainty document (a dict, for `parindex.sensitivity`) with one survey source:
    /// per leaf code of `leaves`, each unit's share of the item measure (`item:CODE`) and its
    /// standard error.
    fn uncertainty<'py>(
        &self,
        py: Python<'py>,
        leaves: std::collections::BTreeMap<String, String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let u = core(py, || survey_uncertainty(&self.inner, leaves))?;
        py.import("json")?.call_method1("loads", (u.to_json(),))
    }

    fn __repr__(&self) -> String {
        format!(
            "SurveyResults(questionnaire={:?}, domains={})",
            self.inner.questionnaire,
            self.inner.domains.len()
        )
    }
}

/// The uncertainty document with one survey source over `leaves` (code → measure text), all
/// problems reported, each at its leaf.
fn survey_uncertainty(
    results: &parindex::SurveyResults,
    leaves: impl IntoIterator<Item = (String, String)>,
) -> parindex::Result<parindex::Uncertainty> {
    use parindex::UncertaintySource;
    let mut merged = std::collections::BTreeMap::new();
    let mut issues = Vec::new();
    for (code, measure) in leaves {
        match measure.parse().and_then(|m| UncertaintySource::survey(results, &code, &m)) {
            Ok(UncertaintySource::Survey { leaves }) => merged.extend(leaves),
            Ok(_) => {}
            Err(e) => issues.extend(e.issues().iter().map(|i| {
                let mut location = i.location.clone();
                location.criterion.get_or_insert_with(|| code.clone());
                parindex::Issue::new(location, i.kind.clone())
            })),
        }
    }
    match parindex::Error::from_issues(issues) {
        Some(e) => Err(e),
        None => Ok(parindex::Uncertainty::new().source(UncertaintySource::Survey { leaves: merged })),
    }
}

/// The bundled survey: its questionnaire and tally.
#[pyfunction]
pub(crate) fn example_survey(py: Python<'_>, name: &str) -> PyResult<(PyQuestionnaire, PyTally)> {
    let (q, t) = core(py, || parindex_io::examples::survey(name))?;
    Ok((PyQuestionnaire { inner: q.clone() }, PyTally { questionnaire: q, inner: t }))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyQuestionnaire>()?;
    m.add_class::<PyTally>()?;
    m.add_class::<PySurveyResults>()?;
    m.add_function(wrap_pyfunction!(example_survey, m)?)?;
    m.add_function(wrap_pyfunction!(dossier_stats, m)?)?;
    Ok(())
}

/// Dossier statistics (on-time rates) from a dossier list: a CSV path, CSV text or a
/// DataFrame; counted as of `as_of` (`YYYY-MM-DD` or `DD/MM/YYYY`), by default the last day
/// something happened in the list. The JSON document of `parindex dossiers --format json`.
#[pyfunction]
#[pyo3(name = "dossier_stats_json", signature = (dossiers, as_of=None, file=None))]
pub(crate) fn dossier_stats(
    py: Python<'_>,
    dossiers: &Bound<'_, PyAny>,
    as_of: Option<String>,
    file: Option<String>,
) -> PyResult<String> {
    let Source { bytes, file } = if conversion::is_frame(dossiers) {
        conversion::frame_csv(dossiers, file.or_else(|| Some("DataFrame".into())))?
    } else {
        conversion::path_or_text(dossiers, file, "dossiers.csv")?
    };
    core(py, || {
        let list = parindex_io::read_dossiers(&bytes, &file)?;
        let as_of = match &as_of {
            Some(text) => parindex::Date::parse(text)?,
            None => match parindex::last_activity(&list) {
                Some(day) => day,
                None => {
                    return Ok(parindex_io::write_dossier_stats(&[], parindex_io::OutputFormat::Json, None))
                }
            },
        };
        let stats = parindex::dossier_stats(&list, as_of)?;
        Ok(parindex_io::write_dossier_stats(&stats, parindex_io::OutputFormat::Json, None))
    })
}
