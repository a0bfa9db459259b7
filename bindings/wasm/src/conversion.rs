//! Every conversion between JavaScript values and parindex's types, in one place: arguments
//! in (text or bytes, option objects), results out (rows, parsed JSON documents), and
//! [`parindex::Error`] out as a real JavaScript `Error` carrying `code`, `path` and `errors`.
//!
//! Nothing here may panic: a Rust panic in WebAssembly aborts the whole module. Setting a
//! property on an object this module has just created cannot fail, so those results are
//! ignored rather than unwrapped.

use js_sys::{Array, Object, Reflect, Uint8Array};
use parindex::{Exact, Issue, IssueKind, Location, Results};
use parindex_io::WriteOptions;
use serde::Deserialize;
use wasm_bindgen::{JsCast, JsValue};

/// What every fallible export returns: a thrown JavaScript value on failure.
pub(crate) type JsResult<T> = Result<T, JsValue>;

// --- in ---

/// The bytes of a `string | Uint8Array` argument (a `Uint8Array` keeps a file's own bytes, so
/// a UTF-16 or Windows-1258 file is refused with the reader's message instead of garbled).
pub(crate) fn bytes(value: &JsValue, what: &str) -> JsResult<Vec<u8>> {
    if let Some(text) = value.as_string() {
        return Ok(text.into_bytes());
    }
    if let Some(array) = value.dyn_ref::<Uint8Array>() {
        return Ok(array.to_vec());
    }
    Err(invalid_argument(&format!("{what} must be a string or a Uint8Array")))
}

/// The options of `toRows`, `toCsv`, `toJson` and `compare`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WriteOpts {
    /// Round every number to this many places with the methodology's mode.
    round: Option<u32>,
}

impl WriteOpts {
    /// The writer's options.
    pub(crate) fn write_options(&self) -> WriteOptions {
        match self.round {
            Some(places) => WriteOptions::new().round(places),
            None => WriteOptions::new(),
        }
    }

    /// The places to round to, if any.
    pub(crate) fn round(&self) -> Option<u32> {
        self.round
    }
}

/// The options of `explain`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExplainOpts {
    /// Round every number to this many places (half up).
    pub(crate) round: Option<u32>,
    /// How many of the largest losses to list (the CLI's `--top`, default 3).
    #[serde(default = "default_top")]
    pub(crate) top: usize,
}

impl Default for ExplainOpts {
    fn default() -> ExplainOpts {
        ExplainOpts { round: None, top: default_top() }
    }
}

fn default_top() -> usize {
    3
}

/// An optional options object: `undefined` and `null` give the defaults; unknown keys and
/// wrongly typed values are a `TypeError` with code `invalid_argument`.
pub(crate) fn options<T: Default + for<'de> Deserialize<'de>>(value: &JsValue) -> JsResult<T> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    if Array::is_array(value) {
        return Err(invalid_argument("options must be an object"));
    }
    // Through a JSON map, so that unknown keys are refused (serde-wasm-bindgen reads only the
    // fields a struct names) and a mistyped option is reported by name.
    let map: serde_json::Map<String, serde_json::Value> = serde_wasm_bindgen::from_value(value.clone())
        .map_err(|_| invalid_argument("options must be an object"))?;
    serde_json::from_value(serde_json::Value::Object(map))
        .map_err(|e| invalid_argument(&format!("invalid options: {e}")))
}

// --- out ---

/// A string array.
pub(crate) fn strings<'a>(items: impl IntoIterator<Item = &'a str>) -> Array {
    items.into_iter().map(JsValue::from_str).collect()
}

/// A JSON document written by `parindex-io`, as plain JavaScript objects and arrays.
pub(crate) fn parse_json(text: &str) -> JsResult<JsValue> {
    js_sys::JSON::parse(text)
}

/// Sets a property of an object this module created (which cannot fail).
fn set(target: &JsValue, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(target, &JsValue::from_str(key), &value.into());
}

fn opt_str(value: Option<&str>) -> JsValue {
    value.map_or(JsValue::NULL, JsValue::from_str)
}

/// An exact value printed as the CLI prints it: in full, or rounded with the methodology's mode.
fn number(results: &Results, x: Exact, round: Option<u32>) -> String {
    match round {
        None => x.to_decimal().to_string(),
        Some(places) => x.round(places, results.methodology().settings().rounding.mode).to_string(),
    }
}

/// The rows of the results CSV as plain objects, in the same order and with the same text:
/// `unit`, `name`, `group`, `points`, `percent`, `rank`, `band`, then one key per top-level
/// node (its points). Absent names, groups, bands and ranks, and nodes that do not apply,
/// are `null` (the CSV's empty cells and `NA`); ranks are numbers, decimals strings.
pub(crate) fn rows(results: &Results, opts: &WriteOpts) -> Array {
    let top: Vec<&str> = results.methodology().top_level().map(|n| n.code.as_str()).collect();
    results
        .ranked()
        .iter()
        .map(|u| {
            let unit = u.unit();
            let row: JsValue = Object::new().into();
            set(&row, "unit", unit.id.as_str());
            set(&row, "name", opt_str(unit.name.as_deref()));
            set(&row, "group", opt_str(unit.group.as_deref()));
            set(&row, "points", number(results, u.points(), opts.round));
            set(&row, "percent", number(results, u.percent(), opts.round));
            set(&row, "rank", u.rank().map_or(JsValue::NULL, JsValue::from));
            set(&row, "band", opt_str(u.band()));
            for code in &top {
                let points = u.node(code).and_then(|n| n.points());
                let text = points.map(|p| number(results, p, opts.round));
                set(&row, code, opt_str(text.as_deref()));
            }
            row
        })
        .collect()
}

/// The units of a score set: `{unit, name, group, ranked}` in input order.
pub(crate) fn units(scores: &parindex::Scores) -> Array {
    scores
        .units()
        .iter()
        .map(|u| {
            let item: JsValue = Object::new().into();
            set(&item, "unit", u.id.as_str());
            set(&item, "name", opt_str(u.name.as_deref()));
            set(&item, "group", opt_str(u.group.as_deref()));
            set(&item, "ranked", u.ranked);
            item
        })
        .collect()
}

// --- errors ---

/// The error for a unit id the results do not have (the CLI's wording).
pub(crate) fn unknown_unit(results: &Results, unit: &str) -> parindex::Error {
    let known: Vec<&str> = results.units().take(20).map(|u| u.id()).collect();
    parindex::Error::single(
        Location::default(),
        IssueKind::UnknownUnit { unit: unit.to_owned(), known: known.join(", ") },
    )
}

/// A parindex error as a JavaScript `Error` named `ParIndexError`: `message` is every issue,
/// one per line, as the CLI prints them; `code` and `path` are the first issue's; `errors`
/// lists every issue as `{code, path, message, location}`.
pub(crate) fn error(e: parindex::Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    err.set_name("ParIndexError");
    let errors: Array = e.issues().iter().map(issue).collect();
    if let Some(first) = e.issues().first() {
        set(&err, "code", first.code());
        set(&err, "path", first.location.to_string());
    }
    set(&err, "errors", errors);
    err.into()
}

/// One issue: its code, its location as text (`scores.csv:3:4: criterion 1.2`), the whole
/// located message, and the location's parts (`null` where unknown).
fn issue(issue: &Issue) -> JsValue {
    let item: JsValue = Object::new().into();
    set(&item, "code", issue.code());
    set(&item, "path", issue.location.to_string());
    set(&item, "message", issue.to_string());
    set(&item, "location", location(&issue.location));
    item
}

/// A location's parts: `{file, row, column, unit, criterion}`, `null` where unknown.
fn location(at: &Location) -> JsValue {
    let location: JsValue = Object::new().into();
    set(&location, "file", opt_str(at.file.as_deref()));
    set(&location, "row", at.row.map_or(JsValue::NULL, |r| JsValue::from(r as f64)));
    set(&location, "column", at.column.map_or(JsValue::NULL, |c| JsValue::from(c as f64)));
    set(&location, "unit", opt_str(at.unit.as_deref()));
    set(&location, "criterion", opt_str(at.criterion.as_deref()));
    location
}

/// A `TypeError` with code `invalid_argument`, for arguments of the wrong JavaScript type.
pub(crate) fn invalid_argument(message: &str) -> JsValue {
    let err = js_sys::TypeError::new(message);
    set(&err, "code", "invalid_argument");
    set(&err, "path", "");
    let item: JsValue = Object::new().into();
    set(&item, "code", "invalid_argument");
    set(&item, "path", "");
    set(&item, "message", message);
    set(&item, "location", location(&Location::default()));
    set(&err, "errors", Array::of1(&item));
    err.into()
}
