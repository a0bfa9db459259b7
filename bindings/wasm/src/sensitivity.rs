//! Sensitivity analysis from JavaScript (DESIGN.md §11): conversions only; the core computes,
//! in sequence (no threads in WebAssembly), with the same bits as Rust and Python.

use std::cell::RefCell;

use parindex::{SensitivityOptions, Uncertainty, UncertaintySource, WeightDistribution};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use crate::conversion::{self, error, invalid_argument, parse_json, JsResult};
use crate::Results;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Options of `Results.sensitivity` (DESIGN.md §11). */
export interface SensitivityOptions {
  /** The uncertainty document (`{format_version: 1, sources: [...]}`), as an object or JSON text. */
  uncertainty?: object | string;
  /** Shorthand for a weight source: `uniform:0.25` or `dirichlet:50`. */
  weights?: string;
  /** Shorthand for appraisal noise of ± this many points. */
  noise?: number | string;
  /** Replications (default 1000). */
  runs?: number;
  /** The seed (default 0): the same seed gives the same numbers in Rust, Python and JavaScript. */
  seed?: number;
  /** The interval's percentiles (default [5, 95]). */
  percentiles?: [number, number];
  /** The k of the probability of the top k (default 3). */
  top?: number;
  /** Estimate each source's first-order and total-effect indices. */
  attribution?: boolean;
  /** Called after each batch of replications. */
  progress?: (done: number, total: number) => void;
}

/** A source's variance-based indices (`null` when the output never varies). */
export interface Attribution { source: string; first_order: number | null; total: number | null; }

/** One ranked unit's rank distribution. */
export interface UnitSensitivity {
  id: string;
  name: string | null;
  /** The published index. */
  index: string;
  nominal_rank: number;
  median: number;
  low: number;
  high: number;
  mean_rank: number;
  mean_shift: number;
  /** The probability of a rank of at most `top`. */
  top: number;
  /** Replications per rank (`histogram[r - 1]`). */
  histogram: number[];
  /** Replications per band, then "no band". */
  bands: number[];
  attribution: Attribution[];
}

/** The JSON document of `parindex sensitivity --format json`. */
export interface SensitivityResult {
  runs: number;
  seed: number;
  percentiles: [string, string];
  top: number;
  sources: string[];
  bands: string[];
  units: UnitSensitivity[];
  mean_shift: number;
  shift_attribution: Attribution[];
}

/** The exact ranks with one criterion left out (in the scores' unit order). */
export interface LeftOut { code: string; ranks: (number | null)[]; max_shift: number; }

/** The range of a node's weight multiplier over which a unit keeps its rank. */
export interface WeightSweep {
  code: string; unit: string; nominal_rank: number; weight: string;
  low: string; high: string | null; low_included: boolean; high_included: boolean; exact: boolean;
}

export interface Results {
  /**
   * Monte Carlo rank intervals under uncertain weights, noise, aggregation or left-out
   * criteria. Throws `zero_runs`, `invalid_spread`, `invalid_concentration`,
   * `weights_all_zero`, `invalid_sensitivity`.
   */
  sensitivity(options?: SensitivityOptions): SensitivityResult;
  /** The exact ranks with each node of `level` (1: domains) left out in turn. */
  leaveOneOut(level: number): LeftOut[];
  /** The exact weight range of node `code` over which `unit` keeps its rank. */
  weightSweep(code: string, unit: string): WeightSweep;
}
"#;

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Opts {
    uncertainty: Option<serde_json::Value>,
    weights: Option<String>,
    noise: Option<serde_json::Value>,
    runs: Option<u32>,
    seed: Option<u64>,
    percentiles: Option<(f64, f64)>,
    top: Option<u32>,
    attribution: Option<bool>,
}

thread_local! {
    /// The progress callback of the running analysis (WebAssembly has one thread; the core's
    /// callback reaches it here, so it captures nothing that cannot cross threads).
    static PROGRESS: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

fn decimal(x: f64, what: &str) -> JsResult<parindex::Decimal> {
    x.to_string().parse().map_err(|_| invalid_argument(&format!("invalid {what}: {x}")))
}

#[wasm_bindgen]
impl Results {
    /// Monte Carlo rank intervals (see the TypeScript definitions).
    #[wasm_bindgen(skip_typescript)]
    pub fn sensitivity(&self, options: JsValue) -> JsResult<JsValue> {
        // The callback is taken out of a copy of the options (a function is not data).
        let (progress, options) = if options.is_object() && !js_sys::Array::is_array(&options) {
            let copy = js_sys::Object::assign(&js_sys::Object::new(), options.unchecked_ref());
            let f = js_sys::Reflect::get(&copy, &JsValue::from_str("progress"))?;
            js_sys::Reflect::delete_property(&copy, &JsValue::from_str("progress"))?;
            let f = match f.dyn_into::<js_sys::Function>() {
                Ok(f) => Some(f),
                Err(v) if v.is_undefined() || v.is_null() => None,
                Err(_) => return Err(invalid_argument("invalid options: progress must be a function")),
            };
            (f, JsValue::from(copy))
        } else {
            (None, options)
        };
        let opts: Opts = conversion::options(&options)?;
        let mut u = match &opts.uncertainty {
            None => Uncertainty::new(),
            Some(serde_json::Value::String(text)) => Uncertainty::from_json(text).map_err(error)?,
            Some(v) => Uncertainty::from_json(&v.to_string()).map_err(error)?,
        };
        if let Some(w) = &opts.weights {
            let d = WeightDistribution::parse(w).ok_or_else(|| {
                invalid_argument(&format!(
                    "invalid options: weights {w:?}: expected uniform:SPREAD or dirichlet:CONCENTRATION"
                ))
            })?;
            u = u.source(UncertaintySource::weights(d));
        }
        if let Some(n) = &opts.noise {
            let text = match n {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let points = parindex_io::parse_decimal(text.trim())
                .map_err(|_| invalid_argument(&format!("invalid options: noise {text:?}")))?;
            u = u.source(UncertaintySource::noise(points));
        }
        let mut o = SensitivityOptions::new();
        if let Some(runs) = opts.runs {
            o = o.runs(runs);
        }
        if let Some(seed) = opts.seed {
            o = o.seed(seed);
        }
        if let Some((lo, hi)) = opts.percentiles {
            o = o.percentiles(decimal(lo, "percentile")?, decimal(hi, "percentile")?);
        }
        if let Some(top) = opts.top {
            o = o.top(top);
        }
        o = o.attribution(opts.attribution.unwrap_or(false));
        PROGRESS.with(|p| *p.borrow_mut() = progress);
        let report = |done: u64, total: u64| {
            PROGRESS.with(|p| {
                if let Some(f) = p.borrow().as_ref() {
                    let _ = f.call2(
                        &JsValue::NULL,
                        &JsValue::from_f64(done as f64),
                        &JsValue::from_f64(total as f64),
                    );
                }
            });
        };
        let out = parindex::sensitivity_with_progress(&self.inner, &u, &o, &report);
        PROGRESS.with(|p| *p.borrow_mut() = None);
        let out = out.map_err(error)?;
        parse_json(&parindex_io::write_sensitivity(&out, parindex_io::OutputFormat::Json))
    }

    /// The exact ranks with each node of `level` left out in turn.
    #[wasm_bindgen(js_name = leaveOneOut, skip_typescript)]
    pub fn leave_one_out(&self, level: u32) -> JsResult<JsValue> {
        let out = parindex::leave_one_out(self.inner.methodology(), &self.scores, level).map_err(error)?;
        parse_json(&parindex_io::write_leave_one_out(&self.inner, &out, parindex_io::OutputFormat::Json))
    }

    /// The exact weight range of a node over which a unit keeps its rank.
    #[wasm_bindgen(js_name = weightSweep, skip_typescript)]
    pub fn weight_sweep(&self, code: &str, unit: &str) -> JsResult<JsValue> {
        let w = parindex::weight_sweep(&self.inner, code, unit).map_err(error)?;
        parse_json(&parindex_io::write_weight_sweep(&w, parindex_io::OutputFormat::Json))
    }
}
