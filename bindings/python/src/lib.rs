//! `parindex._parindex`: the native module of the Python package `parindex`.
//!
//! No logic lives here: each function converts its arguments (see `conversion`), makes one call
//! into `parindex` or `parindex-io`, and converts the answer back. The documented Python API is
//! the hand-kept stub `python/parindex/_parindex.pyi`.

use std::sync::Arc;

use parindex_io::{OutputFormat, WriteOptions};
use pyo3::exceptions::PyKeyError;
use pyo3::prelude::*;
use pyo3::types::{IntoPyDict, PyBytes, PyDict, PyMapping, PyString, PyTuple};

mod conversion;
mod sensitivity;
mod survey;

use conversion::{core, infallible, Source};

/// The allocator of every Rust allocation in the extension (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A methodology (bộ tiêu chí): the criteria tree and its settings.
#[pyclass(frozen, eq, module = "parindex._parindex", name = "Methodology")]
#[derive(PartialEq)]
struct PyMethodology {
    inner: Arc<parindex::Methodology>,
}

impl PyMethodology {
    fn new(m: parindex::Methodology) -> PyMethodology {
        PyMethodology { inner: Arc::new(m) }
    }
}

#[pymethods]
impl PyMethodology {
    /// Reads the strict JSON form.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<PyMethodology> {
        core(py, || parindex::Methodology::from_json(text)).map(PyMethodology::new)
    }

    /// Reads a node table CSV from a path or from text.
    #[staticmethod]
    #[pyo3(signature = (source, file=None))]
    fn from_csv(py: Python<'_>, source: &Bound<'_, PyAny>, file: Option<String>) -> PyResult<PyMethodology> {
        let Source { bytes, file } = conversion::path_or_text(source, file, "methodology.csv")?;
        core(py, || {
            parindex_io::decode(&bytes, &file).and_then(|t| parindex_io::read_methodology_csv(t, &file))
        })
        .map(PyMethodology::new)
    }

    /// Reads a methodology file: JSON for `.json`, the node table CSV otherwise.
    #[staticmethod]
    fn read(py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<PyMethodology> {
        let Source { bytes, file } = conversion::path(path, None)?;
        core(py, || parindex_io::read_methodology(&bytes, &file)).map(PyMethodology::new)
    }

    /// The strict, versioned JSON form.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        infallible(py, || self.inner.to_json())
    }

    /// The node table CSV.
    fn to_csv(&self, py: Python<'_>) -> PyResult<String> {
        infallible(py, || parindex_io::write_methodology_csv(&self.inner))
    }

    /// The blank fill-in template (`parindex template`), written to `path` if given.
    #[pyo3(signature = (path=None, *, lang="en", units=None))]
    fn template_xlsx<'py>(
        &self,
        py: Python<'py>,
        path: Option<&Bound<'py, PyAny>>,
        lang: &str,
        units: Option<Vec<String>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        template(py, &self.inner, None, path, lang, units.unwrap_or_default())
    }

    #[getter]
    fn id(&self) -> &str {
        &self.inner.info().id
    }

    #[getter]
    fn name(&self) -> &str {
        &self.inner.info().name
    }

    #[getter]
    fn year(&self) -> Option<i32> {
        self.inner.info().year
    }

    #[getter]
    fn max(&self) -> parindex::Decimal {
        self.inner.max()
    }

    #[getter]
    fn leaf_codes(&self) -> Vec<String> {
        self.inner.leaf_codes().map(str::to_owned).collect()
    }

    #[getter]
    fn top_level(&self) -> Vec<String> {
        self.inner.top_level().map(|n| n.code.clone()).collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "<Methodology {}: {} criteria, {} leaves, max {}>",
            self.inner.info().id,
            self.inner.nodes().len(),
            self.inner.leaf_codes().count(),
            self.inner.max().normalize()
        )
    }

    /// Pickles through the JSON form.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let from_json = py.get_type::<PyMethodology>().getattr("from_json")?;
        Ok((from_json, PyTuple::new(py, [slf.get().inner.to_json()])?))
    }
}

/// The scores of every unit on every leaf, as read from a score sheet.
#[pyclass(frozen, module = "parindex._parindex", name = "Scores")]
struct PyScores {
    inner: Arc<parindex::Scores>,
}

#[pymethods]
impl PyScores {
    /// Reads a wide or long score sheet from a path or from text.
    #[staticmethod]
    #[pyo3(signature = (methodology, source, file=None))]
    fn from_csv(
        py: Python<'_>,
        methodology: &PyMethodology,
        source: &Bound<'_, PyAny>,
        file: Option<String>,
    ) -> PyResult<PyScores> {
        let Source { bytes, file } = conversion::path_or_text(source, file, "scores.csv")?;
        let scores = core(py, || parindex_io::read_scores(&methodology.inner, &bytes, &file))?;
        Ok(PyScores { inner: Arc::new(scores) })
    }

    /// Reads a pandas DataFrame in the wide (or long) form.
    #[staticmethod]
    #[pyo3(signature = (methodology, frame, file=None))]
    fn from_pandas(
        py: Python<'_>,
        methodology: &PyMethodology,
        frame: &Bound<'_, PyAny>,
        file: Option<String>,
    ) -> PyResult<PyScores> {
        let Source { bytes, file } = conversion::frame_csv(frame, file)?;
        let scores = core(py, || parindex_io::read_scores(&methodology.inner, &bytes, &file))?;
        Ok(PyScores { inner: Arc::new(scores) })
    }

    #[getter]
    fn units(&self) -> Vec<String> {
        self.inner.units().iter().map(|u| u.id.clone()).collect()
    }

    #[getter]
    fn methodology_id(&self) -> &str {
        self.inner.methodology_id()
    }

    fn __len__(&self) -> usize {
        self.inner.units().len()
    }

    fn __repr__(&self) -> String {
        format!("<Scores for {}: {} units>", self.inner.methodology_id(), self.inner.units().len())
    }
}

/// Scores, ranks and bands of every unit on every node.
#[pyclass(frozen, module = "parindex._parindex", name = "Results")]
struct PyResults {
    inner: parindex::Results,
    scores: Arc<parindex::Scores>,
}

#[pymethods]
impl PyResults {
    /// One row per unit, sorted by rank.
    #[pyo3(signature = (as_float=false))]
    fn to_pandas<'py>(&self, py: Python<'py>, as_float: bool) -> PyResult<Bound<'py, PyAny>> {
        conversion::results_frame(py, &self.inner, as_float)
    }

    /// The JSON the command line writes.
    #[pyo3(signature = (round=None))]
    fn to_json(&self, py: Python<'_>, round: Option<u32>) -> PyResult<String> {
        let options = round.map_or_else(WriteOptions::new, |p| WriteOptions::new().round(p));
        infallible(py, || parindex_io::write_results(&self.inner, OutputFormat::Json, &options))
    }

    /// The CSV the command line writes.
    #[pyo3(signature = (round=None))]
    fn to_csv(&self, py: Python<'_>, round: Option<u32>) -> PyResult<String> {
        let options = round.map_or_else(WriteOptions::new, |p| WriteOptions::new().round(p));
        infallible(py, || parindex_io::write_results(&self.inner, OutputFormat::Csv, &options))
    }

    /// The Markdown table the command line writes.
    #[pyo3(signature = (round=None))]
    fn to_markdown(&self, py: Python<'_>, round: Option<u32>) -> PyResult<String> {
        let options = round.map_or_else(WriteOptions::new, |p| WriteOptions::new().round(p));
        infallible(py, || parindex_io::write_results(&self.inner, OutputFormat::Markdown, &options))
    }

    /// Why a unit has the score it has: `parindex explain --format json` as a dict.
    #[pyo3(signature = (unit, *, top=3, round=None))]
    fn explain<'py>(
        &self,
        py: Python<'py>,
        unit: &str,
        top: usize,
        round: Option<u32>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let places = self.inner.methodology().settings().rounding.places;
        let json = infallible(py, || {
            parindex::explain(&self.inner, &self.scores, unit)
                .map(|e| parindex_io::write_explanation(&e, OutputFormat::Json, places, round, top))
        })?;
        match json {
            Some(json) => conversion::document(py, &json),
            None => Err(PyKeyError::new_err(format!("unknown unit {unit:?}"))),
        }
    }

    /// The least a unit must gain to reach a target: `parindex plan --format json` as a dict.
    #[pyo3(signature = (unit, target, *, cap=None, cost=None, objective="fewest_points", granularity=None, rule_based=true, round=None))]
    #[allow(clippy::too_many_arguments)]
    fn plan<'py>(
        &self,
        py: Python<'py>,
        unit: &str,
        target: &str,
        cap: Option<&Bound<'py, PyMapping>>,
        cost: Option<&Bound<'py, PyMapping>>,
        objective: &str,
        granularity: Option<&Bound<'py, PyAny>>,
        rule_based: bool,
        round: Option<u32>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let options = conversion::plan_options(py, cap, cost, objective, granularity, rule_based)?;
        let places = self.inner.methodology().settings().rounding.places;
        let json = core(py, || {
            let goal: parindex::Goal = target.parse()?;
            let p = parindex::plan(&self.inner, &self.scores, unit, &goal, &options)?;
            Ok(parindex_io::write_plan(&p, OutputFormat::Json, places, round))
        })?;
        conversion::document(py, &json)
    }

    /// A unit's standing with some of its leaves changed: `parindex what-if --format json`.
    #[pyo3(signature = (unit, changes, *, round=None))]
    fn what_if<'py>(
        &self,
        py: Python<'py>,
        unit: &str,
        changes: &Bound<'py, PyAny>,
        round: Option<u32>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let m = self.inner.methodology();
        let changes = conversion::changes(py, m, changes)?;
        let places = m.settings().rounding.places;
        let json = core(py, || {
            let after = parindex::what_if(m, &self.scores, unit, &changes)?;
            let w = parindex::WhatIf::between(&self.inner, &after, unit).ok_or_else(|| {
                parindex::Error::single(
                    parindex::Location::default(),
                    parindex::IssueKind::UnknownUnit { unit: unit.to_owned(), known: String::new() },
                )
            })?;
            Ok(parindex_io::write_what_if(&w, OutputFormat::Json, places, round))
        })?;
        conversion::document(py, &json)
    }

    /// Year-over-year comparison with last year's results (scored, or as published), matched
    /// by unit id.
    #[pyo3(signature = (previous, as_float=false))]
    fn compare<'py>(
        &self,
        py: Python<'py>,
        previous: Previous<'py>,
        as_float: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = infallible(py, || match &previous {
            Previous::Scored(p) => parindex::compare(&self.inner, &p.inner),
            Previous::Published(p) => parindex::compare_published(&self.inner, &p.inner),
        })?;
        conversion::comparison_frame(py, &c, as_float)
    }

    /// Averages, extremes and band counts, overall and per group.
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = infallible(py, || parindex::summarize(&self.inner))?;
        conversion::summary(py, &s)
    }

    /// A self-contained HTML report (`parindex report --out report.html`).
    #[pyo3(signature = (previous=None, *, lang="en", top=3))]
    fn to_html(
        &self,
        py: Python<'_>,
        previous: Option<Previous<'_>>,
        lang: &str,
        top: usize,
    ) -> PyResult<String> {
        let options = report_options(lang, previous.as_ref())?.top(top);
        infallible(py, || parindex_io::write_report_html(&self.inner, &self.scores, &options))
    }

    /// The Markdown report (`parindex report --out report.md`).
    #[pyo3(signature = (previous=None, *, lang="en", top=3))]
    fn to_markdown_report(
        &self,
        py: Python<'_>,
        previous: Option<Previous<'_>>,
        lang: &str,
        top: usize,
    ) -> PyResult<String> {
        let options = report_options(lang, previous.as_ref())?.top(top);
        infallible(py, || parindex_io::write_report_markdown(&self.inner, &self.scores, &options))
    }

    /// The fill-in template holding these scores, written to `path` if given.
    #[pyo3(signature = (path=None, *, lang="en"))]
    fn template_xlsx<'py>(
        &self,
        py: Python<'py>,
        path: Option<&Bound<'py, PyAny>>,
        lang: &str,
    ) -> PyResult<Bound<'py, PyBytes>> {
        template(py, self.inner.methodology(), Some(&self.scores), path, lang, Vec::new())
    }

    /// The result workbook (`parindex report --out report.xlsx`), written to `path` if given.
    #[pyo3(signature = (path=None, *, previous=None, lang="en", explanations=false))]
    fn to_xlsx<'py>(
        &self,
        py: Python<'py>,
        path: Option<&Bound<'py, PyAny>>,
        previous: Option<Previous<'_>>,
        lang: &str,
        explanations: bool,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let options = report_options(lang, previous.as_ref())?.explanations(explanations);
        let bytes = core(py, || parindex_io::write_results_xlsx(&self.inner, &self.scores, &options))?;
        write_bytes(py, &bytes, path)
    }

    #[getter]
    fn methodology(&self) -> PyMethodology {
        PyMethodology::new(self.inner.methodology().clone())
    }

    #[getter]
    fn units(&self) -> Vec<String> {
        self.inner.units().map(|u| u.id().to_owned()).collect()
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "<Results {}: {} units, {} ranked>",
            self.inner.methodology().info().id,
            self.inner.len(),
            self.inner.ranked_len()
        )
    }

    fn __str__(&self, py: Python<'_>) -> PyResult<String> {
        infallible(py, || parindex_io::write_results(&self.inner, OutputFormat::Table, &WriteOptions::new()))
    }

    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        infallible(py, || conversion::results_html(&self.inner))
    }
}

/// The bytes as a Python `bytes`, written to `path` first if given.
fn write_bytes<'py>(
    py: Python<'py>,
    bytes: &[u8],
    path: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let bytes = PyBytes::new(py, bytes);
    if let Some(path) = path {
        py.import("pathlib")?.getattr("Path")?.call1((path,))?.call_method1("write_bytes", (&bytes,))?;
    }
    Ok(bytes)
}

/// A fill-in template: blank blocks for `units`, or the units of `scores` with their values.
fn template<'py>(
    py: Python<'py>,
    m: &parindex::Methodology,
    scores: Option<&parindex::Scores>,
    path: Option<&Bound<'py, PyAny>>,
    lang: &str,
    units: Vec<String>,
) -> PyResult<Bound<'py, PyBytes>> {
    let mut options = parindex_io::TemplateOptions::new().lang(report_lang(lang)?);
    for id in units {
        options = options.unit(parindex::Unit::new(id));
    }
    let bytes = core(py, || parindex_io::write_template_xlsx(m, scores, &options))?;
    write_bytes(py, &bytes, path)
}

/// The sheet names of an `.xlsx` workbook (a path or its bytes), in tab order.
#[pyfunction]
fn sheet_names(py: Python<'_>, workbook: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    let Source { bytes, file } = conversion::path_or_text(workbook, None, "workbook.xlsx")?;
    core(py, || parindex_io::sheet_names(&bytes, parindex_io::split_sheet(&file).0))
}

/// The options every report shares: the language, and last year's results when given.
fn report_options<'a>(
    lang: &str,
    previous: Option<&'a Previous<'_>>,
) -> PyResult<parindex_io::ReportOptions<'a>> {
    let options = parindex_io::ReportOptions::new().lang(report_lang(lang)?);
    Ok(match previous {
        Some(Previous::Scored(p)) => options.previous(&p.inner),
        Some(Previous::Published(p)) => options.previous_published(&p.inner),
        None => options,
    })
}

/// Last year: its results, scored or as published.
#[derive(FromPyObject)]
enum Previous<'py> {
    Scored(PyRef<'py, PyResults>),
    Published(PyRef<'py, PyPublishedResults>),
}

/// A year's results as published, read back for a comparison.
#[pyclass(frozen, module = "parindex._parindex", name = "PublishedResults")]
struct PyPublishedResults {
    inner: parindex::PublishedResults,
}

#[pymethods]
impl PyPublishedResults {
    /// The unit ids, in file order.
    #[getter]
    fn units(&self) -> Vec<String> {
        self.inner.units().iter().map(|u| u.id.clone()).collect()
    }

    /// The number of ranked units.
    #[getter]
    fn ranked(&self) -> u32 {
        self.inner.ranked_len()
    }

    /// One unit as a dict: ``unit, name, group, points, percent, published_percent, rank,
    /// group_rank, band, nodes`` (decimals as :class:`decimal.Decimal`, ``None`` when not given).
    fn unit<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyDict>> {
        let Some(u) = self.inner.unit(id) else {
            return Err(PyKeyError::new_err(id.to_owned()));
        };
        let d = PyDict::new(py);
        d.set_item("unit", &u.id)?;
        d.set_item("name", &u.name)?;
        d.set_item("group", &u.group)?;
        d.set_item("points", u.points)?;
        d.set_item("percent", u.percent)?;
        d.set_item("published_percent", u.published_percent)?;
        d.set_item("rank", u.rank)?;
        d.set_item("group_rank", self.inner.group_rank(&u.id).map(|g| g.0))?;
        d.set_item("band", &u.band)?;
        let nodes = PyDict::new(py);
        for n in &u.nodes {
            nodes.set_item(&n.code, n.points)?;
        }
        d.set_item("nodes", nodes)?;
        Ok(d)
    }

    fn __len__(&self) -> usize {
        self.inner.units().len()
    }

    fn __repr__(&self) -> String {
        format!("<PublishedResults: {} units, {} ranked>", self.inner.units().len(), self.inner.ranked_len())
    }
}

/// Reads a year's results as published: the CSV or JSON `parindex score` writes, a decision's
/// annex typed as such a table, the workbook `parindex report` writes, or a DataFrame.
#[pyfunction]
#[pyo3(signature = (source, *, file=None))]
fn read_results(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    file: Option<String>,
) -> PyResult<PyPublishedResults> {
    let Source { bytes, file } = if source.hasattr("to_csv")? && !source.is_instance_of::<PyString>() {
        let text: String =
            source.call_method("to_csv", (), Some(&[("index", false)].into_py_dict(py)?))?.extract()?;
        Source { bytes: text.into_bytes(), file: file.unwrap_or_else(|| "DataFrame".to_owned()) }
    } else {
        conversion::path_or_text(source, file, "results.csv")?
    };
    core(py, || parindex_io::read_published_results(&bytes, &file)).map(|inner| PyPublishedResults { inner })
}

/// `en` or `vi`, the languages of the reports.
fn report_lang(lang: &str) -> PyResult<parindex_io::Lang> {
    parindex_io::Lang::from_name(lang).ok_or_else(|| {
        pyo3::exceptions::PyValueError::new_err(format!("lang must be \"en\" or \"vi\", not {lang:?}"))
    })
}

/// Scores, ranks and bands every unit.
#[pyfunction]
#[pyo3(signature = (methodology, scores, *, file=None))]
fn score(
    py: Python<'_>,
    methodology: &Bound<'_, PyAny>,
    scores: &Bound<'_, PyAny>,
    file: Option<String>,
) -> PyResult<PyResults> {
    let m = match methodology.cast::<PyMethodology>() {
        Ok(m) => m.get().inner.clone(),
        Err(_) => PyMethodology::read(py, methodology)?.inner,
    };
    let scores = match scores.cast::<PyScores>() {
        Ok(s) => s.get().inner.clone(),
        Err(_) => {
            let Source { bytes, file } = if conversion::is_frame(scores) {
                conversion::frame_csv(scores, file)?
            } else {
                conversion::path_or_text(scores, file, "scores.csv")?
            };
            // On error, report the problems of reading and of scoring at once, as the CLI does.
            let read = core(py, || {
                parindex_io::read_scores(&m, &bytes, &file)
                    .map_err(|e| parindex_io::score_text(&m, &bytes, &file).err().unwrap_or(e))
            })?;
            Arc::new(read)
        }
    };
    let results = core(py, || parindex::score(&m, &scores))?;
    Ok(PyResults { inner: results, scores })
}

/// A bundled example: its methodology and its scores.
#[pyfunction]
fn example_load(py: Python<'_>, name: &str) -> PyResult<(PyMethodology, PyScores)> {
    let (m, s) = core(py, || parindex_io::examples::load(name))?;
    Ok((PyMethodology::new(m), PyScores { inner: Arc::new(s) }))
}

/// A bundled methodology.
#[pyfunction]
fn example_methodology(py: Python<'_>, name: &str) -> PyResult<PyMethodology> {
    core(py, || parindex_io::examples::methodology(name)).map(PyMethodology::new)
}

#[pymodule]
fn _parindex(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyMethodology>()?;
    m.add_class::<PyScores>()?;
    m.add_class::<PyResults>()?;
    m.add_class::<PyPublishedResults>()?;
    m.add_function(wrap_pyfunction!(read_results, m)?)?;
    m.add_function(wrap_pyfunction!(score, m)?)?;
    m.add_function(wrap_pyfunction!(example_load, m)?)?;
    m.add_function(wrap_pyfunction!(example_methodology, m)?)?;
    m.add_function(wrap_pyfunction!(sheet_names, m)?)?;
    survey::register(m)?;
    sensitivity::register(m)?;
    m.add("EXAMPLES", parindex_io::examples::NAMES.to_vec())?;
    m.add("EXAMPLE_METHODOLOGIES", parindex_io::examples::METHODOLOGIES.to_vec())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
