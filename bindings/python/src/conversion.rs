//! Every conversion between Python and the core, in one place: inputs (paths, text, pandas
//! DataFrames) into bytes the `parindex-io` readers take, core errors and panics into Python
//! exceptions, and core values (exact fractions, explanations, comparisons, summaries) into
//! `decimal.Decimal`, dicts and DataFrames. Nothing here scores, ranks or rounds on its own.

use std::panic::{catch_unwind, AssertUnwindSafe};

use parindex::{
    Comparison, Decimal, Exact, GroupSummary, Issue, Location, Methodology, Objective, PlanOptions, Results,
    Summary, Value,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString, PyType};

static INPUT_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static PARINDEX_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// Runs one core call: its error becomes `parindex.InputError`, a panic `parindex.ParIndexError`
/// (never a `PanicException`).
pub(crate) fn core<T>(py: Python<'_>, call: impl FnOnce() -> parindex::Result<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(call)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(input_error(py, &error)),
        Err(panic) => Err(internal_error(py, panic.as_ref())),
    }
}

/// Runs one core call that cannot fail, turning a panic into `parindex.ParIndexError`.
pub(crate) fn infallible<T>(py: Python<'_>, call: impl FnOnce() -> T) -> PyResult<T> {
    core(py, || Ok(call()))
}

fn internal_error(py: Python<'_>, panic: &(dyn std::any::Any + Send)) -> PyErr {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    let message = format!("internal error, please report it: {what}");
    match PARINDEX_ERROR.import(py, "parindex._errors", "ParIndexError") {
        Ok(cls) => PyErr::from_type(cls.clone(), message),
        Err(e) => e,
    }
}

/// `parindex.InputError(str(error), [issue dicts])`.
fn input_error(py: Python<'_>, error: &parindex::Error) -> PyErr {
    let raise = || -> PyResult<PyErr> {
        let issues = PyList::empty(py);
        for issue in error.issues() {
            issues.append(issue_dict(py, issue)?)?;
        }
        let cls = INPUT_ERROR.import(py, "parindex._errors", "InputError")?;
        Ok(PyErr::from_value(cls.call1((error.to_string(), issues))?))
    };
    raise().unwrap_or_else(|e| e)
}

/// `{code, message, location, file, sheet, row, column, unit, criterion, item}`: `message` is
/// the full line as the command line prints it, `location` its `file:row:column` part
/// (`book.xlsx!Sheet!C14` in a workbook).
fn issue_dict<'py>(py: Python<'py>, issue: &Issue) -> PyResult<Bound<'py, PyDict>> {
    let at = &issue.location;
    let mut place = Location::default();
    if let Some(file) = &at.file {
        place = place.file(file.clone());
    }
    if let Some(sheet) = &at.sheet {
        place = place.sheet(sheet.clone());
    }
    if let Some(row) = at.row {
        place = place.row(row);
    }
    if let Some(column) = at.column {
        place = place.column(column);
    }
    let d = PyDict::new(py);
    d.set_item("code", issue.code())?;
    d.set_item("message", issue.to_string())?;
    d.set_item("location", place.to_string())?;
    d.set_item("file", at.file.as_deref())?;
    d.set_item("sheet", at.sheet.as_deref())?;
    d.set_item("row", at.row)?;
    d.set_item("column", at.column)?;
    d.set_item("unit", at.unit.as_deref())?;
    d.set_item("criterion", at.criterion.as_deref())?;
    d.set_item("item", at.item.as_deref())?;
    Ok(d)
}

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

/// The bytes of an input and the file name its errors are located in.
pub(crate) struct Source {
    pub(crate) bytes: Vec<u8>,
    pub(crate) file: String,
}

/// A path (`str` without a line break, or `os.PathLike`) is read; a `str` with a line break,
/// or `bytes`, is the text itself, located as `file` (default `default_file`).
pub(crate) fn path_or_text(
    obj: &Bound<'_, PyAny>,
    file: Option<String>,
    default_file: &str,
) -> PyResult<Source> {
    if let Ok(bytes) = obj.cast::<PyBytes>() {
        let file = file.unwrap_or_else(|| default_file.to_owned());
        return Ok(Source { bytes: bytes.as_bytes().to_vec(), file });
    }
    if let Ok(text) = obj.cast::<PyString>() {
        let text = text.to_cow()?;
        if text.contains('\n') {
            let file = file.unwrap_or_else(|| default_file.to_owned());
            return Ok(Source { bytes: text.as_bytes().to_vec(), file });
        }
    }
    path(obj, file)
}

/// Reads a file through Python (so a missing file is a `FileNotFoundError` naming it), located
/// as the path as given unless `file` says otherwise; `book.xlsx!Sheet` reads the workbook.
pub(crate) fn path(obj: &Bound<'_, PyAny>, file: Option<String>) -> PyResult<Source> {
    let py = obj.py();
    let os = py.import("os")?;
    let name: String = os.call_method1("fspath", (obj,))?.str()?.extract()?;
    // `book.xlsx!Sheet` reads `book.xlsx` (unless a file has that whole name); the readers
    // take the sheet from the name.
    let path_type = py.import("pathlib")?.getattr("Path")?;
    let mut target = path_type.call1((obj,))?;
    if let (book, Some(_)) = parindex_io::split_sheet(&name) {
        if !target.call_method0("exists")?.extract::<bool>()? {
            target = path_type.call1((book,))?;
        }
    }
    let read = target.call_method0("read_bytes")?;
    let bytes = read.cast::<PyBytes>()?.as_bytes().to_vec();
    Ok(Source { bytes, file: file.unwrap_or(name) })
}

/// True for a pandas DataFrame (anything with `columns` and `iloc`).
pub(crate) fn is_frame(obj: &Bound<'_, PyAny>) -> bool {
    obj.hasattr("columns").unwrap_or(false) && obj.hasattr("iloc").unwrap_or(false)
}

/// A DataFrame in the wide (or long) form as the CSV text of the same sheet: the header is
/// the column labels, a `unit` index becomes a column. Cells convert exactly:
/// a `float` through its shortest round-trip text (`2.5`, never `2.4999…`), printed without
/// an exponent; an `int` as it is; a `decimal.Decimal` in plain notation; a `bool` as
/// `yes`/`no`; a `str` as it is (the reader parses it); `None`, `NaN` and `pd.NA` as a blank
/// cell, which the reader reports as a missing value. Errors are located in `file` (default
/// `DataFrame`), rows counted as in `df.to_csv(index=False)`.
pub(crate) fn frame_csv(frame: &Bound<'_, PyAny>, file: Option<String>) -> PyResult<Source> {
    let py = frame.py();
    let mut frame = frame.clone();
    let index_name = frame.getattr("index")?.getattr("name")?;
    if !index_name.is_none() && index_name.str()?.to_cow()? == "unit" {
        frame = frame.call_method0("reset_index")?;
    }
    let labels: Vec<Bound<'_, PyAny>> = frame.getattr("columns")?.call_method0("tolist")?.extract()?;
    let header = labels.iter().map(|l| Ok(l.str()?.to_cow()?.into_owned())).collect::<PyResult<Vec<_>>>()?;
    let dtypes: Vec<String> =
        frame.getattr("dtypes")?.call_method1("astype", ("str",))?.call_method0("tolist")?.extract()?;
    let iloc = frame.getattr("iloc")?;
    // numpy columns: every column of one dtype in one call, as raw values (no Python object per
    // cell, no pandas call per column); anything else through the text of its cells.
    let mut columns: Vec<Option<Column>> = (0..labels.len()).map(|_| None).collect();
    for (dtype, make) in [("float64", Column::floats as fn(&[u8]) -> Column), ("int64", Column::ints)] {
        let at: Vec<usize> = dtypes.iter().enumerate().filter(|(_, d)| *d == dtype).map(|(j, _)| j).collect();
        if at.is_empty() {
            continue;
        }
        let values =
            iloc.get_item((py.Ellipsis(), PyList::new(py, &at)?))?.call_method1("to_numpy", (dtype,))?;
        // Column after column: the transpose, made contiguous.
        let raw = py.import("numpy")?.call_method1("ascontiguousarray", (values.getattr("T")?,))?;
        let raw = raw.call_method0("tobytes")?;
        let raw = raw.cast::<PyBytes>()?.as_bytes();
        let per_column = raw.len() / at.len();
        for (k, &j) in at.iter().enumerate() {
            columns[j] = Some(make(&raw[k * per_column..(k + 1) * per_column]));
        }
    }
    let columns = columns
        .into_iter()
        .enumerate()
        .map(|(j, column)| match column {
            Some(c) => Ok(c),
            None => {
                let values = iloc.get_item((py.Ellipsis(), j))?.call_method0("tolist")?;
                let values = values.cast::<PyList>()?;
                values.iter().map(|v| cell(&v)).collect::<PyResult<Vec<_>>>().map(Column::Text)
            }
        })
        .collect::<PyResult<Vec<Column>>>()?;
    let rows = columns.first().map_or(0, Column::len);
    // Written by hand rather than through csv::Writer: 35,000 numeric cells take a third of
    // the time (numbers never need quotes; text is quoted as RFC 4180 asks).
    let mut out = Vec::with_capacity(rows * columns.len() * 6);
    let record = |out: &mut Vec<u8>, fields: &mut dyn Iterator<Item = Field<'_>>| {
        let mut ints = itoa::Buffer::new();
        for (k, field) in fields.enumerate() {
            if k > 0 {
                out.push(b',');
            }
            match field {
                Field::Float(x) => parindex_io::push_float_text(out, x),
                Field::Int(n) => out.extend_from_slice(ints.format(n).as_bytes()),
                Field::Text(t) if columns.len() == 1 && t.is_empty() => out.extend_from_slice(b"\"\""),
                Field::Text(t) => write_text(out, t),
            }
        }
        out.push(b'\n');
    };
    record(&mut out, &mut header.iter().map(|h| Field::Text(h)));
    for i in 0..rows {
        record(&mut out, &mut columns.iter().map(|c| c.field(i)));
    }
    Ok(Source { bytes: out, file: file.unwrap_or_else(|| "DataFrame".to_owned()) })
}

/// One cell on its way to CSV.
enum Field<'a> {
    Float(f64),
    Int(i64),
    Text(&'a str),
}

/// A text cell, quoted when it holds a comma, a quote or a line break.
fn write_text(out: &mut Vec<u8>, text: &str) {
    if text.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        out.push(b'"');
        out.extend_from_slice(text.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(text.as_bytes());
    }
}

/// A DataFrame column on its way to CSV: numpy floats and integers as they are, anything else
/// as the text of its cells.
enum Column {
    Float(Vec<f64>),
    Int(Vec<i64>),
    Text(Vec<String>),
}

impl Column {
    /// A column of native-endian 8-byte floats.
    fn floats(raw: &[u8]) -> Column {
        Column::Float(
            raw.chunks_exact(8).map(|c| f64::from_ne_bytes(c.try_into().unwrap_or([0; 8]))).collect(),
        )
    }
    /// A column of native-endian 8-byte integers.
    fn ints(raw: &[u8]) -> Column {
        Column::Int(raw.chunks_exact(8).map(|c| i64::from_ne_bytes(c.try_into().unwrap_or([0; 8]))).collect())
    }
    fn field(&self, i: usize) -> Field<'_> {
        match self {
            Column::Float(v) => Field::Float(v[i]),
            Column::Int(v) => Field::Int(v[i]),
            Column::Text(v) => Field::Text(&v[i]),
        }
    }
    fn len(&self) -> usize {
        match self {
            Column::Float(v) => v.len(),
            Column::Int(v) => v.len(),
            Column::Text(v) => v.len(),
        }
    }
}

/// One DataFrame cell as the text of a CSV cell.
fn cell(v: &Bound<'_, PyAny>) -> PyResult<String> {
    if v.is_none() {
        return Ok(String::new());
    }
    if let Ok(s) = v.cast::<PyString>() {
        return Ok(s.to_cow()?.into_owned());
    }
    if v.is_instance_of::<PyBool>() {
        return Ok(if v.is_truthy()? { "yes" } else { "no" }.to_owned());
    }
    if let Ok(f) = v.cast::<PyFloat>() {
        let x = f.value();
        // Rust prints the shortest text that reads back as the same float, without exponent.
        return Ok(if x.is_nan() { String::new() } else { format!("{x}") });
    }
    if v.is_instance_of::<PyInt>() {
        return Ok(v.str()?.to_cow()?.into_owned());
    }
    let py = v.py();
    if v.is_instance(DECIMAL.import(py, "decimal", "Decimal")?)? {
        if v.call_method0("is_nan")?.is_truthy()? {
            return Ok(String::new());
        }
        return py.import("builtins")?.getattr("format")?.call1((v, "f"))?.extract();
    }
    // pd.NA, pd.NaT, numpy scalars left over in object columns.
    if py.import("pandas")?.call_method1("isna", (v,))?.is_truthy().unwrap_or(false) {
        return Ok(String::new());
    }
    Ok(v.str()?.to_cow()?.into_owned())
}

// ---------------------------------------------------------------------------------------------
// Outputs
// ---------------------------------------------------------------------------------------------

/// An exact value as a `decimal.Decimal` (the nearest decimal of up to 28 places, exact
/// whenever the fraction terminates within that, as the writers print it).
fn exact(x: Exact) -> Decimal {
    x.to_decimal()
}

/// Builds a DataFrame from columns; `decimals` name the columns of `decimal.Decimal` values,
/// made `float64` when `as_float`; `integers` become the nullable `Int64`.
fn frame<'py>(
    py: Python<'py>,
    columns: Vec<(String, Vec<Bound<'py, PyAny>>)>,
    decimals: &[String],
    integers: &[&str],
    as_float: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let pandas = py.import("pandas")?;
    let data = PyDict::new(py);
    let mut order = Vec::with_capacity(columns.len());
    for (name, values) in columns {
        data.set_item(&name, PyList::new(py, values)?)?;
        order.push(name);
    }
    let kwargs = PyDict::new(py);
    kwargs.set_item("columns", order)?;
    kwargs.set_item("dtype", "object")?;
    let df = pandas.getattr("DataFrame")?.call((data,), Some(&kwargs))?;
    let types = PyDict::new(py);
    for name in integers {
        types.set_item(*name, "Int64")?;
    }
    if as_float {
        for name in decimals {
            types.set_item(name, "float64")?;
        }
    }
    df.call_method1("astype", (types,))
}

/// `Results.to_pandas`: one row per unit sorted by rank (the units not ranked last), the
/// columns of the CSV writer: `unit, name, group, points, percent, rank, band`, then one column
/// per top-level node (its points; `None` where it does not apply).
pub(crate) fn results_frame<'py>(
    py: Python<'py>,
    results: &Results,
    as_float: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let top: Vec<String> = results.methodology().top_level().map(|n| n.code.clone()).collect();
    let mut names: Vec<String> =
        ["unit", "name", "group", "points", "percent", "rank", "band"].map(String::from).to_vec();
    names.extend(top.iter().cloned());
    let mut columns: Vec<Vec<Bound<'py, PyAny>>> = vec![Vec::with_capacity(results.len()); names.len()];
    for u in results.ranked() {
        let unit = u.unit();
        let mut row = vec![
            unit.id.as_str().into_pyobject(py)?.into_any(),
            unit.name.as_deref().into_pyobject(py)?,
            unit.group.as_deref().into_pyobject(py)?,
            exact(u.points()).into_pyobject(py)?,
            exact(u.percent()).into_pyobject(py)?,
            u.rank().into_pyobject(py)?,
            u.band().into_pyobject(py)?,
        ];
        for code in &top {
            row.push(u.node(code).and_then(|n| n.points()).map(exact).into_pyobject(py)?);
        }
        for (column, value) in columns.iter_mut().zip(row) {
            column.push(value);
        }
    }
    let mut decimals = vec!["points".to_owned(), "percent".to_owned()];
    decimals.extend(top);
    frame(py, names.into_iter().zip(columns).collect(), &decimals, &["rank"], as_float)
}

/// The keys whose text values are decimals in the JSON documents of `parindex-io` (plans,
/// what-ifs, explanations): they become `decimal.Decimal`, read from exactly the text the CLI
/// prints (so `format(d, "f")` gives it back).
const DECIMAL_KEYS: &[&str] = &[
    "points",
    "percent",
    "published_percent",
    "gap_to_above",
    "gap_percent",
    "max",
    "self_assessed",
    "input",
    "cut",
    "contribution",
    "lost",
    "granularity",
    "required_percent",
    "gain",
    "cost",
    "from",
    "to",
    "effect",
    "input_before",
    "input_after",
    "points_before",
    "points_after",
    "points_change",
    "percent_change",
];

/// A JSON document written by `parindex-io` (the bytes `parindex … --format json` prints) as
/// Python dicts and lists, the values under [`DECIMAL_KEYS`] as `decimal.Decimal`.
pub(crate) fn document<'py>(py: Python<'py>, json: &str) -> PyResult<Bound<'py, PyAny>> {
    let value: serde_json::Value = serde_json::from_str(json)
        .map_err(|e| PyTypeError::new_err(format!("internal error, please report it: {e}")))?;
    json_value(py, &value, false)
}

fn json_value<'py>(py: Python<'py>, value: &serde_json::Value, decimal: bool) -> PyResult<Bound<'py, PyAny>> {
    use serde_json::Value as J;
    Ok(match value {
        J::Null => py.None().into_bound(py),
        J::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        J::Number(n) => match n.as_i64() {
            Some(i) => i.into_pyobject(py)?.into_any(),
            None => n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any(),
        },
        J::String(s) if decimal => DECIMAL.import(py, "decimal", "Decimal")?.call1((s.as_str(),))?,
        J::String(s) => s.as_str().into_pyobject(py)?.into_any(),
        J::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_value(py, item, decimal)?)?;
            }
            list.into_any()
        }
        J::Object(map) => {
            let d = PyDict::new(py);
            for (k, v) in map {
                d.set_item(k, json_value(py, v, DECIMAL_KEYS.contains(&k.as_str()))?)?;
            }
            d.into_any()
        }
    })
}

/// A decimal argument: `str` (parsed as a score sheet's cell), `int`, `float` (through its
/// shortest round-trip text) or `decimal.Decimal`. `what` names it in a type error.
fn decimal_text(v: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    if v.is_none() || v.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(format!("{what} must be a str, int, float or Decimal")));
    }
    if v.cast::<PyString>().is_ok()
        || v.cast::<PyFloat>().is_ok()
        || v.is_instance_of::<PyInt>()
        || v.is_instance(DECIMAL.import(v.py(), "decimal", "Decimal")?)?
    {
        return cell(v);
    }
    Err(PyTypeError::new_err(format!("{what} must be a str, int, float or Decimal")))
}

/// The options of `Results.plan`, as the CLI's `--cap`, `--cost`, `--objective`,
/// `--granularity` and `--no-rule-based` give them; a decimal that does not parse is an
/// `InputError` at its criterion, every one reported at once.
pub(crate) fn plan_options(
    py: Python<'_>,
    cap: Option<&Bound<'_, PyMapping>>,
    cost: Option<&Bound<'_, PyMapping>>,
    objective: &str,
    granularity: Option<&Bound<'_, PyAny>>,
    rule_based: bool,
) -> PyResult<PlanOptions> {
    let objective = Objective::from_name(objective).ok_or_else(|| {
        pyo3::exceptions::PyValueError::new_err(format!(
            "unknown objective {objective:?}: fewest_points or least_cost"
        ))
    })?;
    let mut options = PlanOptions::new().objective(objective).rule_based(rule_based);
    let mut issues = Vec::new();
    for (what, map) in [("cap", cap), ("cost", cost)] {
        let Some(map) = map else { continue };
        for item in map.items()?.iter() {
            let (code, value): (String, Bound<'_, PyAny>) = item.extract()?;
            let text = decimal_text(&value, &format!("{what}[{code:?}]"))?;
            match parindex_io::parse_decimal(&text) {
                Ok(d) if what == "cap" => options = options.cap(code, d),
                Ok(d) => options = options.cost(code, d),
                Err(kind) => issues.push(Issue::new(Location::default().criterion(code), kind)),
            }
        }
    }
    if let Some(step) = granularity {
        match parindex_io::parse_decimal(&decimal_text(step, "granularity")?) {
            Ok(step) => options = options.granularity(step),
            Err(kind) => issues.push(Issue::new(Location::default(), kind)),
        }
    }
    match parindex::Error::from_issues(issues) {
        Some(e) => Err(input_error(py, &e)),
        None => Ok(options),
    }
}

/// The changes of `Results.what_if`: a mapping `{code: value}` or an iterable of `(code,
/// value)` pairs (a leaf named twice takes its last value). A value is a `str` as a score sheet
/// holds it (points, a measured value, yes/no, `"NA"`), an `int`, a `float` (its shortest
/// round-trip text), a `decimal.Decimal` or a `bool` (yes/no); each is read as
/// `parindex what-if --set CODE=VALUE` reads it, every problem reported at once.
pub(crate) fn changes(
    py: Python<'_>,
    methodology: &Methodology,
    changes: &Bound<'_, PyAny>,
) -> PyResult<Vec<(String, Value)>> {
    let pairs: Vec<Bound<'_, PyAny>> = match changes.cast::<PyMapping>() {
        Ok(map) => map.items()?.iter().collect(),
        Err(_) if changes.cast::<PyString>().is_ok() => {
            return Err(PyTypeError::new_err(
                "changes must be a mapping {code: value} or (code, value) pairs",
            ))
        }
        Err(_) => changes.try_iter()?.collect::<PyResult<_>>()?,
    };
    let mut out = Vec::with_capacity(pairs.len());
    let mut issues = Vec::new();
    for pair in pairs {
        let (code, value): (String, Bound<'_, PyAny>) = pair
            .extract()
            .map_err(|_| PyTypeError::new_err("each change must be a (code, value) pair with a str code"))?;
        let text = if value.is_instance_of::<PyBool>() {
            (if value.is_truthy()? { "yes" } else { "no" }).to_owned()
        } else {
            decimal_text(&value, &format!("the value of {code:?}")).map_err(|_| {
                PyTypeError::new_err(format!(
                    "the value of {code:?} must be a str, int, float, Decimal or bool (\"NA\": not applicable)"
                ))
            })?
        };
        match parindex_io::parse_change(methodology, &format!("{code}={text}")) {
            Ok(change) => out.push(change),
            Err(e) => issues.extend(e.into_issues()),
        }
    }
    match parindex::Error::from_issues(issues) {
        Some(e) => Err(input_error(py, &e)),
        None => Ok(out),
    }
}

/// `Results.compare`: one row per unit with the columns of the comparison CSV; the nodes that
/// could not be compared are in `df.attrs["differing_nodes"]`.
pub(crate) fn comparison_frame<'py>(
    py: Python<'py>,
    c: &Comparison,
    as_float: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let names = parindex_io::COMPARISON_COLUMNS;
    let mut columns: Vec<Vec<Bound<'py, PyAny>>> = vec![Vec::with_capacity(c.units.len()); names.len()];
    for u in &c.units {
        let now = u.current.as_ref();
        let before = u.previous.as_ref();
        let row = vec![
            u.unit.as_str().into_pyobject(py)?.into_any(),
            u.name.as_deref().into_pyobject(py)?,
            u.group.as_deref().into_pyobject(py)?,
            now.map(|s| exact(s.points)).into_pyobject(py)?,
            u.points.map(exact).into_pyobject(py)?,
            now.map(|s| exact(s.percent)).into_pyobject(py)?,
            u.percent.map(exact).into_pyobject(py)?,
            now.and_then(|s| s.rank).map(|r| r.0).into_pyobject(py)?,
            before.and_then(|s| s.rank).map(|r| r.0).into_pyobject(py)?,
            u.movement.to_string().into_pyobject(py)?.into_any(),
            now.and_then(|s| s.group_rank).map(|r| r.0).into_pyobject(py)?,
            u.group_movement.to_string().into_pyobject(py)?.into_any(),
            now.and_then(|s| s.band.as_deref()).into_pyobject(py)?,
            before.and_then(|s| s.band.as_deref()).into_pyobject(py)?,
        ];
        for (column, value) in columns.iter_mut().zip(row) {
            column.push(value);
        }
    }
    let decimals: Vec<String> =
        ["points", "points_change", "percent", "percent_change"].map(String::from).to_vec();
    let df = frame(
        py,
        names.iter().map(|n| (*n).to_owned()).zip(columns).collect(),
        &decimals,
        &["rank", "previous_rank", "group_rank"],
        as_float,
    )?;
    let differing = PyList::empty(py);
    for n in &c.differing_nodes {
        let d = PyDict::new(py);
        d.set_item("code", &n.code)?;
        d.set_item("reason", &n.reason)?;
        differing.append(d)?;
    }
    df.getattr("attrs")?.set_item("differing_nodes", differing)?;
    Ok(df)
}

/// `Results.summary`: `{"overall": {...}, "groups": [{...}, ...]}`, percents exact.
pub(crate) fn summary<'py>(py: Python<'py>, s: &Summary) -> PyResult<Bound<'py, PyDict>> {
    let group = |g: &GroupSummary| -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("group", g.group.as_deref())?;
        d.set_item("units", g.units)?;
        d.set_item("not_ranked", g.unranked)?;
        d.set_item("average", g.average.map(exact))?;
        d.set_item("above_average", g.above_average)?;
        d.set_item("min", g.min.map(exact))?;
        d.set_item("max", g.max.map(exact))?;
        let bands = PyDict::new(py);
        for (label, n) in &g.bands {
            bands.set_item(label, n)?;
        }
        d.set_item("bands", bands)?;
        let nodes = PyDict::new(py);
        for (code, average) in &g.nodes {
            nodes.set_item(code, average.map(exact))?;
        }
        d.set_item("nodes", nodes)?;
        Ok(d)
    };
    let d = PyDict::new(py);
    d.set_item("overall", group(&s.overall)?)?;
    let groups = PyList::empty(py);
    for g in &s.groups {
        groups.append(group(g)?)?;
    }
    d.set_item("groups", groups)?;
    Ok(d)
}

/// `Results._repr_html_`: the ranked table, rounded as published (the methodology's places
/// and mode), units not ranked last.
pub(crate) fn results_html(results: &Results) -> String {
    let m = results.methodology();
    let r = m.settings().rounding;
    let top: Vec<&str> = m.top_level().map(|n| n.code.as_str()).collect();
    let mut html = format!(
        "<table class=\"parindex\">\n<caption>{} — {} units</caption>\n<thead><tr>",
        escape(&m.info().id),
        results.len()
    );
    for h in ["Rank", "Unit", "Name", "Group", "Points", "Index %", "Band"].iter().chain(top.iter()) {
        html.push_str(&format!("<th>{}</th>", escape(h)));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    for u in results.ranked() {
        let unit = u.unit();
        let cells = [
            u.rank().map(|x| x.to_string()).unwrap_or_default(),
            unit.id.clone(),
            unit.name.clone().unwrap_or_default(),
            unit.group.clone().unwrap_or_default(),
            u.points().round(r.places, r.mode).to_string(),
            u.published_percent().to_string(),
            u.band().unwrap_or_default().to_owned(),
        ];
        html.push_str("<tr>");
        for c in cells {
            html.push_str(&format!("<td>{}</td>", escape(&c)));
        }
        for code in &top {
            let p = u.node(code).and_then(|n| n.points());
            let text = p.map_or_else(|| "NA".to_owned(), |p| p.round(r.places, r.mode).to_string());
            html.push_str(&format!("<td>{text}</td>"));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table>");
    html
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
