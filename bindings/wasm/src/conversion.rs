//! Every conversion between JavaScript values and parindex's types, in one place: arguments
//! in (text or bytes, option objects), results out (rows, parsed JSON documents), and
//! [`parindex::Error`] out as a real JavaScript `Error` carrying `code`, `path` and `errors`.
//!
//! Nothing here may panic: a Rust panic in WebAssembly aborts the whole module. Setting a
//! property on an object this module has just created cannot fail, so those results are
//! ignored rather than unwrapped.

use js_sys::{Array, Object, Reflect, Uint8Array};
use parindex::{
    Decimal, Exact, Issue, IssueKind, Location, Methodology, Objective, PlanOptions, Results, Value,
};
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

/// The options of `plan`: the CLI's `--cap`, `--cost`, `--objective`, `--granularity`,
/// `--no-rule-based` and `--round`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct PlanOpts {
    /// The most points a leaf may gain, by code (0 leaves it alone).
    cap: Option<serde_json::Map<String, serde_json::Value>>,
    /// A leaf's cost per point gained, by code (default 1).
    cost: Option<serde_json::Map<String, serde_json::Value>>,
    /// `fewest_points` (the default) or `least_cost`.
    objective: Option<String>,
    /// Gains on points leaves in whole steps of this.
    granularity: Option<serde_json::Value>,
    /// False leaves yes/no and threshold leaves out of the plan.
    rule_based: Option<bool>,
    /// Round every number to this many places (half up) in the document.
    pub(crate) round: Option<u32>,
}

impl PlanOpts {
    /// The core's options; a decimal that does not parse is an error at its criterion (or at
    /// `granularity`), as the CLI reports it.
    pub(crate) fn plan_options(&self) -> JsResult<PlanOptions> {
        let mut options = PlanOptions::new().rule_based(self.rule_based.unwrap_or(true));
        if let Some(name) = &self.objective {
            let objective = Objective::from_name(name).ok_or_else(|| {
                invalid_argument(&format!("unknown objective {name:?}: fewest_points or least_cost"))
            })?;
            options = options.objective(objective);
        }
        let mut issues = Vec::new();
        for (what, map) in [("cap", &self.cap), ("cost", &self.cost)] {
            for (code, value) in map.iter().flatten() {
                match decimal(value, what)
                    .map_err(|kind| Issue::new(Location::default().criterion(code), kind))
                {
                    Ok(d) if what == "cap" => options = options.cap(code.clone(), d),
                    Ok(d) => options = options.cost(code.clone(), d),
                    Err(issue) => issues.push(issue),
                }
            }
        }
        if let Some(value) = &self.granularity {
            match decimal(value, "granularity") {
                Ok(step) => options = options.granularity(step),
                Err(kind) => issues.push(Issue::new(Location::default(), kind)),
            }
        }
        match parindex::Error::from_issues(issues) {
            Some(e) => Err(error(e)),
            None => Ok(options),
        }
    }
}

/// A decimal option given as text or as a JavaScript number (its shortest round-trip text).
fn decimal(value: &serde_json::Value, what: &str) -> Result<Decimal, IssueKind> {
    let text = match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        other => format!("{what} {other}"),
    };
    parindex_io::parse_decimal(&text)
}

/// The changes of `whatIf`: an object `{code: value}` or an array of `[code, value]` pairs
/// (a leaf named twice takes its last value). A value is text as a score sheet holds it
/// (points, a measured value, yes/no, `NA`), a number (its shortest round-trip text), a
/// boolean (yes/no) or `null` (not applicable, as `null` is in `toRows`). Each is read as
/// `parindex what-if --set CODE=VALUE` reads it; every problem is reported at once.
pub(crate) fn changes(methodology: &Methodology, value: &JsValue) -> JsResult<Vec<(String, Value)>> {
    let pairs: Vec<JsValue> = if Array::is_array(value) {
        Array::from(value).iter().collect()
    } else if value.is_object() {
        Object::entries(value.unchecked_ref()).iter().collect()
    } else {
        return Err(invalid_argument("changes must be an object {code: value} or an array of [code, value]"));
    };
    let mut out = Vec::with_capacity(pairs.len());
    let mut issues = Vec::new();
    for pair in pairs {
        let bad = || invalid_argument("each change must be a [code, value] pair with a text code");
        if !Array::is_array(&pair) {
            return Err(bad());
        }
        let pair = Array::from(&pair);
        let code = pair.get(0).as_string().filter(|_| pair.length() == 2).ok_or_else(bad)?;
        let v = pair.get(1);
        let text = if let Some(s) = v.as_string() {
            s
        } else if let Some(x) = v.as_f64() {
            format!("{x}")
        } else if let Some(b) = v.as_bool() {
            (if b { "yes" } else { "no" }).to_owned()
        } else if v.is_null() {
            "NA".to_owned()
        } else {
            return Err(invalid_argument(&format!(
                "the value of {code:?} must be text, a number, a boolean or null"
            )));
        };
        match parindex_io::parse_change(methodology, &format!("{code}={text}")) {
            Ok(change) => out.push(change),
            Err(e) => issues.extend(e.into_issues()),
        }
    }
    match parindex::Error::from_issues(issues) {
        Some(e) => Err(error(e)),
        None => Ok(out),
    }
}

/// An optional options object: `undefined` and `null` give the defaults, and so does a key
/// whose value is `undefined` or `null`; unknown keys and wrongly typed values are a
/// `TypeError` with code `invalid_argument`.
pub(crate) fn options<T: Default + for<'de> Deserialize<'de>>(value: &JsValue) -> JsResult<T> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    if Array::is_array(value) {
        return Err(invalid_argument("options must be an object"));
    }
    // Through a JSON map, so that unknown keys are refused (serde-wasm-bindgen reads only the
    // fields a struct names) and a mistyped option is reported by name.
    let mut map: serde_json::Map<String, serde_json::Value> =
        serde_wasm_bindgen::from_value(value.clone())
            .map_err(|_| invalid_argument("options must be an object"))?;
    // `{round: undefined}` (or `null`) says nothing, as an absent key does.
    map.retain(|_, v| !v.is_null());
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

/// The nodes of a methodology: `{code, parent, name, nameEn, max, leaf, rule}` in declaration
/// order, `max` the effective maximum (a leaf's own, by default the sum of the children's).
pub(crate) fn nodes(methodology: &Methodology) -> Array {
    methodology
        .nodes()
        .iter()
        .map(|n| {
            let item: JsValue = Object::new().into();
            set(&item, "code", n.code.as_str());
            set(&item, "parent", opt_str(n.parent.as_deref()));
            set(&item, "name", n.name.as_str());
            set(&item, "nameEn", opt_str(n.name_en.as_deref()));
            let max = methodology.max_of(&n.code).unwrap_or_default();
            set(&item, "max", max.normalize().to_string());
            set(&item, "leaf", methodology.is_leaf(&n.code));
            set(&item, "rule", n.rule.to_string());
            item
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

/// A location's parts: `{file, sheet, row, column, unit, criterion, item}`, `null` where unknown.
fn location(at: &Location) -> JsValue {
    let location: JsValue = Object::new().into();
    set(&location, "file", opt_str(at.file.as_deref()));
    set(&location, "sheet", opt_str(at.sheet.as_deref()));
    set(&location, "row", at.row.map_or(JsValue::NULL, |r| JsValue::from(r as f64)));
    set(&location, "column", at.column.map_or(JsValue::NULL, |c| JsValue::from(c as f64)));
    set(&location, "unit", opt_str(at.unit.as_deref()));
    set(&location, "criterion", opt_str(at.criterion.as_deref()));
    set(&location, "item", opt_str(at.item.as_deref()));
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
