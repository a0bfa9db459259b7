//! Sensitivity analysis from Python (DESIGN.md §11): conversions only; the core computes.
//! Results come back as the JSON document `parindex sensitivity --format json` prints, read
//! by Python's own `json.loads` (correctly rounded, so the floats are the core's bits).

use parindex::{SensitivityOptions, Uncertainty, UncertaintySource, WeightDistribution};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::conversion::core;
use crate::PyResults;

/// A JSON document as Python objects, through `json.loads`.
fn loads<'py>(py: Python<'py>, json: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (json,))
}

/// The uncertainty from JSON text or a dict, plus the shorthand arguments.
fn uncertainty(
    py: Python<'_>,
    spec: Option<&Bound<'_, PyAny>>,
    weights: Option<&str>,
    noise: Option<&str>,
) -> PyResult<Uncertainty> {
    let mut u = match spec {
        None => Uncertainty::new(),
        Some(obj) => {
            let text: String = match obj.extract::<String>() {
                Ok(text) => text,
                Err(_) => py.import("json")?.call_method1("dumps", (obj,))?.extract()?,
            };
            core(py, || Uncertainty::from_json(&text))?
        }
    };
    if let Some(w) = weights {
        let d = WeightDistribution::parse(w).ok_or_else(|| {
            PyValueError::new_err(format!(
                "weights: invalid value {w:?}: expected uniform:SPREAD (e.g. uniform:0.25) or dirichlet:CONCENTRATION"
            ))
        })?;
        u = u.source(UncertaintySource::weights(d));
    }
    if let Some(n) = noise {
        let points = parindex_io::parse_decimal(n.trim())
            .map_err(|_| PyValueError::new_err(format!("noise: invalid value {n:?}: expected points")))?;
        u = u.source(UncertaintySource::noise(points));
    }
    Ok(u)
}

/// Monte Carlo rank intervals; see the stub for the arguments.
#[pyfunction]
#[pyo3(signature = (results, uncertainty=None, *, runs=1000, seed=0, weights=None, noise=None,
                    percentiles=(5.into(), 95.into()), top=3, attribution=false, progress=None))]
#[allow(clippy::too_many_arguments)]
fn sensitivity<'py>(
    py: Python<'py>,
    results: &PyResults,
    uncertainty: Option<&Bound<'py, PyAny>>,
    runs: u32,
    seed: u64,
    weights: Option<&str>,
    noise: Option<&str>,
    percentiles: (parindex::Decimal, parindex::Decimal),
    top: u32,
    attribution: bool,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let u = self::uncertainty(py, uncertainty, weights, noise)?;
    let options = SensitivityOptions::new()
        .runs(runs)
        .seed(seed)
        .percentiles(percentiles.0, percentiles.1)
        .top(top)
        .attribution(attribution);
    let report = move |done: u64, total: u64| {
        if let Some(cb) = &progress {
            Python::attach(|py| {
                // A failing progress callback does not stop the analysis.
                let _ = cb.call1(py, (done, total));
            });
        }
    };
    let results = &results.inner;
    let out = py.detach(|| parindex::sensitivity_with_progress(results, &u, &options, &report));
    let out = core(py, || out)?;
    loads(py, &parindex_io::write_sensitivity(&out, parindex_io::OutputFormat::Json))
}

/// The exact ranks with each node of `level` left out in turn.
#[pyfunction]
fn leave_one_out<'py>(py: Python<'py>, results: &PyResults, level: u32) -> PyResult<Bound<'py, PyAny>> {
    let out = core(py, || parindex::leave_one_out(results.inner.methodology(), &results.scores, level))?;
    loads(py, &parindex_io::write_leave_one_out(&results.inner, &out, parindex_io::OutputFormat::Json))
}

/// The exact range of one node's weight over which a unit keeps its rank.
#[pyfunction]
fn weight_sweep<'py>(
    py: Python<'py>,
    results: &PyResults,
    code: &str,
    unit: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let w = core(py, || parindex::weight_sweep(&results.inner, code, unit))?;
    loads(py, &parindex_io::write_weight_sweep(&w, parindex_io::OutputFormat::Json))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sensitivity, m)?)?;
    m.add_function(wrap_pyfunction!(leave_one_out, m)?)?;
    m.add_function(wrap_pyfunction!(weight_sweep, m)?)?;
    Ok(())
}
