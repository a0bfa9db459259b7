//! What is uncertain, declared as data (DESIGN.md §11), and the options of an analysis.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::survey::{DomainKind, Measure, SurveyResults};
use crate::{Error, IssueKind, Location};

/// The uncertain choices of an analysis: a versioned, strict JSON document.
///
/// ```json
/// {"format_version": 1, "sources": [
///   {"type": "weights", "nodes": {"type": "all"}, "distribution": {"type": "uniform", "spread": "0.25"}},
///   {"type": "noise", "points": "0.1"},
///   {"type": "aggregation", "level": 0},
///   {"type": "leave_one_out", "level": 2},
///   {"type": "survey", "leaves": {"8": {"u1": {"share": "0.83", "se": "0.012"}}}}
/// ]}
/// ```
///
/// # Examples
///
/// ```
/// use parindex::{Uncertainty, UncertaintySource, WeightDistribution};
/// let u = Uncertainty::new()
///     .source(UncertaintySource::weights(WeightDistribution::uniform("0.25".parse().unwrap())));
/// let json = u.to_json();
/// assert_eq!(Uncertainty::from_json(&json).unwrap(), u);
/// assert!(Uncertainty::from_json(r#"{"format_version": 1, "sources": [], "extra": 1}"#).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Uncertainty {
    /// The version of this format: 1.
    pub format_version: u64,
    /// The sources, each a group of inputs for the sensitivity attribution.
    pub sources: Vec<UncertaintySource>,
}

impl Default for Uncertainty {
    fn default() -> Self {
        Uncertainty::new()
    }
}

impl Uncertainty {
    /// No source yet (format version 1).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(parindex::Uncertainty::new().sources.is_empty());
    /// ```
    #[must_use]
    pub fn new() -> Uncertainty {
        Uncertainty { format_version: 1, sources: Vec::new() }
    }

    /// Adds a source.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Uncertainty, UncertaintySource};
    /// let u = Uncertainty::new().source(UncertaintySource::noise("0.25".parse().unwrap()));
    /// assert_eq!(u.sources.len(), 1);
    /// ```
    #[must_use]
    pub fn source(mut self, source: UncertaintySource) -> Uncertainty {
        self.sources.push(source);
        self
    }

    /// Reads the JSON form.
    ///
    /// # Errors
    ///
    /// `syntax` for JSON that does not match the format (unknown fields included, with the
    /// line and column), `unsupported_version` for another `format_version`.
    ///
    /// # Examples
    ///
    /// ```
    /// let u = parindex::Uncertainty::from_json(
    ///     r#"{"format_version": 1, "sources": [{"type": "leave_one_out", "level": 1}]}"#).unwrap();
    /// assert_eq!(u.sources.len(), 1);
    /// let e = parindex::Uncertainty::from_json(r#"{"format_version": 2, "sources": []}"#).unwrap_err();
    /// assert_eq!(e.issues()[0].code(), "unsupported_version");
    /// ```
    pub fn from_json(text: &str) -> crate::Result<Uncertainty> {
        use crate::{Error, IssueKind, Location};
        let u: Uncertainty = serde_json::from_str(text).map_err(|e| {
            Error::single(
                Location::default().row(e.line() as u64).column(e.column() as u64),
                IssueKind::Syntax { reason: e.to_string() },
            )
        })?;
        if u.format_version != 1 {
            return Err(Error::single(
                Location::default(),
                IssueKind::UnsupportedVersion { found: u.format_version, supported: 1 },
            ));
        }
        Ok(u)
    }

    /// The JSON form (pretty-printed).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(parindex::Uncertainty::new().to_json().contains("\"format_version\": 1"));
    /// ```
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// One uncertain choice. Levels count from the index: level 1 holds the domains (lĩnh vực),
/// level 2 the criteria, level 3 the sub-criteria; level 0 is the index itself.
///
/// Survey-fed leaves ([`UncertaintySource::Survey`]) are resampled per unit from the survey's
/// share and standard error (DESIGN.md §11).
///
/// # Examples
///
/// ```
/// use parindex::UncertaintySource;
/// let s: UncertaintySource = serde_json::from_str(r#"{"type": "aggregation", "level": 0}"#).unwrap();
/// assert_eq!(s, UncertaintySource::Aggregation { level: 0 });
/// assert!(serde_json::from_str::<UncertaintySource>(r#"{"type": "aggregation", "level": 0, "x": 1}"#).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum UncertaintySource {
    /// Node weights drawn around the methodology's weights, renormalised among siblings.
    Weights {
        /// Whose weights (every node by default).
        #[serde(default)]
        nodes: NodeSet,
        /// How they are drawn.
        distribution: WeightDistribution,
    },
    /// Appraisal noise: every applicable leaf's points move by a uniform amount in
    /// `[-points, +points]`, clamped to `[0, max]`, independently per unit and leaf.
    Noise {
        /// The half-width, in points.
        #[serde(with = "rust_decimal::serde::str")]
        points: Decimal,
        /// The leaves concerned (every leaf when empty).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        criteria: Vec<String>,
    },
    /// The nodes at `level` (0: the index) aggregate their children by the arithmetic or the
    /// geometric weighted mean, with equal probability.
    Aggregation {
        /// The level of the nodes formed.
        level: u32,
    },
    /// One node of `level`, drawn uniformly, is left out (its weight set to 0).
    LeaveOneOut {
        /// The level whose nodes are left out in turn.
        level: u32,
    },
    /// Survey-fed leaves: in each replication each listed unit's share on each listed leaf is
    /// drawn from a normal with the survey's standard error, clamped to `[0, 1]`, and the leaf
    /// scores `max × share` points (as [`SurveyResults::apply`] scores it). Built by hand or
    /// with [`UncertaintySource::survey`].
    Survey {
        /// Per plain-points leaf code, per unit id: the survey's estimate.
        leaves: BTreeMap<String, BTreeMap<String, SurveyShare>>,
    },
}

/// One unit's survey estimate on one leaf: a share in `[0, 1]` and its standard error.
///
/// # Examples
///
/// ```
/// let s: parindex::SurveyShare = serde_json::from_str(r#"{"share": "0.83", "se": "0.012"}"#).unwrap();
/// assert_eq!(s.share.to_string(), "0.83");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyShare {
    /// The estimated share, in `[0, 1]`.
    #[serde(with = "rust_decimal::serde::str")]
    pub share: Decimal,
    /// Its standard error (`≥ 0`).
    #[serde(with = "rust_decimal::serde::str")]
    pub se: Decimal,
}

impl UncertaintySource {
    /// Every node's weight drawn from `distribution`.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{NodeSet, UncertaintySource, WeightDistribution};
    /// let s = UncertaintySource::weights(WeightDistribution::dirichlet(50.into()));
    /// assert!(matches!(s, UncertaintySource::Weights { nodes: NodeSet::All, .. }));
    /// ```
    #[must_use]
    pub fn weights(distribution: WeightDistribution) -> UncertaintySource {
        UncertaintySource::Weights { nodes: NodeSet::All, distribution }
    }

    /// Noise of `± points` on every leaf.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = parindex::UncertaintySource::noise("0.5".parse().unwrap());
    /// assert_eq!(s.label(), "noise ±0.5");
    /// ```
    #[must_use]
    pub fn noise(points: Decimal) -> UncertaintySource {
        UncertaintySource::Noise { points, criteria: Vec::new() }
    }

    /// A survey source for the leaf `criterion` from a survey's results: each surveyed unit's
    /// share of the item, element index or overall index `measure` (as
    /// [`SurveyResults::apply`] would put it into the leaf) with its standard error. Units
    /// whose estimate has no standard error (a single answer, `index_intervals` off) are left
    /// out, and so keep their nominal value. Call it again and merge the `leaves` maps for
    /// several leaves.
    ///
    /// # Errors
    ///
    /// `invalid_sensitivity` when no unit's estimate has a standard error (results estimated
    /// for everyone only, or index intervals switched off: the source would change nothing);
    /// `unknown_item` for an item or element the survey does not have.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{survey_results, Answers, Batch, Item, ItemKind, Labels, Measure, Questionnaire,
    ///     SurveyOptions, SurveySettings, Tally, UncertaintySource};
    /// let q = Questionnaire::new("q", vec![], vec![Item::new("A1", ItemKind::likert())],
    ///     SurveySettings::default()).unwrap();
    /// let units = vec!["u".to_string(), "v".to_string()];
    /// let mut tally = Tally::new(&q);
    /// let index = [0, 0, 0, 0, 1, 1, 1, 1];
    /// tally.add(&q, &Batch::new(Labels { index: &index, names: &units },
    ///     Answers::Rows(&[5, 4, 2, 5, 1, 2, 5, 2]))).unwrap();
    /// let r = survey_results(&q, &tally, &SurveyOptions::new()).unwrap();
    /// let s = UncertaintySource::survey(&r, "8", &Measure::Item("A1".into())).unwrap();
    /// let UncertaintySource::Survey { leaves } = &s else { unreachable!() };
    /// let u = &leaves["8"]["u"];
    /// assert_eq!(u.share.to_string(), "0.75"); // 3 of 4 satisfied
    /// assert!(u.se > 0.into());
    /// assert_eq!(leaves["8"]["v"].share.to_string(), "0.25");
    /// assert_eq!(s.label(), "survey (8)");
    /// ```
    pub fn survey(
        results: &SurveyResults,
        criterion: &str,
        measure: &Measure,
    ) -> crate::Result<UncertaintySource> {
        let values = results.leaf_values(measure)?;
        let mut units = BTreeMap::new();
        let se_of = |d: &crate::survey::DomainEstimate| match measure {
            Measure::Item(column) => d.items.iter().find(|e| e.column == column).and_then(|e| e.se),
            Measure::Element(code) => d.elements.iter().find(|e| e.element == code).and_then(|e| e.se),
            Measure::Overall => d.overall_se,
        };
        for v in values {
            let se = results
                .domains
                .iter()
                .filter(|d| d.kind == DomainKind::Unit && d.id == v.unit)
                .find_map(se_of);
            let Some(se) = se.and_then(|se| format!("{se}").parse::<Decimal>().ok()) else { continue };
            units.insert(v.unit, SurveyShare { share: v.percent / Decimal::ONE_HUNDRED, se });
        }
        if units.is_empty() {
            // An empty leaf would silently change nothing in the analysis.
            return Err(Error::single(
                Location::default().criterion(criterion),
                IssueKind::InvalidSensitivity {
                    reason: format!(
                        "the survey results hold no unit's {} with a standard error (estimate by unit{})",
                        match measure {
                            Measure::Item(column) => format!("share of item {column}"),
                            Measure::Element(code) => format!("index of element {code}"),
                            Measure::Overall => "overall index".into(),
                        },
                        if matches!(measure, Measure::Item(_)) { "" } else { ", with index_intervals on" }
                    ),
                },
            ));
        }
        Ok(UncertaintySource::Survey { leaves: BTreeMap::from([(criterion.to_owned(), units)]) })
    }

    /// A short label: `weights uniform ±25% (all)`, `noise ±0.5`, `aggregation at level 0`,
    /// `leave one out at level 2`, `survey (8, 9.1)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{UncertaintySource, WeightDistribution};
    /// let s = UncertaintySource::weights(WeightDistribution::uniform("0.25".parse().unwrap()));
    /// assert_eq!(s.label(), "weights uniform ±25% (all)");
    /// assert_eq!(UncertaintySource::LeaveOneOut { level: 2 }.label(), "leave one out at level 2");
    /// ```
    #[must_use]
    pub fn label(&self) -> String {
        match self {
            UncertaintySource::Weights { nodes, distribution } => {
                let set = match nodes {
                    NodeSet::All => "all".to_owned(),
                    NodeSet::Level { level } => format!("level {level}"),
                    NodeSet::Nodes { codes } => codes.join(", "),
                };
                let dist = match distribution {
                    WeightDistribution::Uniform { spread } => {
                        format!("uniform ±{}%", (spread * Decimal::ONE_HUNDRED).normalize())
                    }
                    WeightDistribution::Dirichlet { concentration } => {
                        format!("dirichlet {}", concentration.normalize())
                    }
                };
                format!("weights {dist} ({set})")
            }
            UncertaintySource::Noise { points, criteria } if criteria.is_empty() => {
                format!("noise ±{}", points.normalize())
            }
            UncertaintySource::Noise { points, criteria } => {
                format!("noise ±{} ({})", points.normalize(), criteria.join(", "))
            }
            UncertaintySource::Aggregation { level } => format!("aggregation at level {level}"),
            UncertaintySource::LeaveOneOut { level } => format!("leave one out at level {level}"),
            UncertaintySource::Survey { leaves } => {
                format!("survey ({})", leaves.keys().cloned().collect::<Vec<_>>().join(", "))
            }
        }
    }
}

/// Which nodes a weight source perturbs.
///
/// # Examples
///
/// ```
/// use parindex::NodeSet;
/// let s: NodeSet = serde_json::from_str(r#"{"type": "nodes", "codes": ["1", "2.1"]}"#).unwrap();
/// assert_eq!(s, NodeSet::Nodes { codes: vec!["1".into(), "2.1".into()] });
/// assert_eq!(NodeSet::default(), NodeSet::All);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum NodeSet {
    /// Every node.
    #[default]
    All,
    /// The nodes of one level (1: domains).
    Level {
        /// The level.
        level: u32,
    },
    /// The nodes named.
    Nodes {
        /// Their codes.
        codes: Vec<String>,
    },
}

/// How weights are drawn.
///
/// # Examples
///
/// ```
/// use parindex::WeightDistribution;
/// assert_eq!(WeightDistribution::parse("uniform:0.25").unwrap(),
///            WeightDistribution::uniform("0.25".parse().unwrap()));
/// assert_eq!(WeightDistribution::parse("dirichlet:50").unwrap(),
///            WeightDistribution::dirichlet(50.into()));
/// assert!(WeightDistribution::parse("normal:1").is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum WeightDistribution {
    /// Each weight multiplied by an independent uniform factor in `[1 − spread, 1 + spread)`
    /// (`spread` in `[0, 1)`: 0.25 is ±25 %).
    Uniform {
        /// The relative half-width.
        #[serde(with = "rust_decimal::serde::str")]
        spread: Decimal,
    },
    /// Each group of siblings' normalised weights drawn from a Dirichlet distribution centred
    /// on the methodology's: `Dirichlet(concentration × nominal share)`; larger is tighter.
    Dirichlet {
        /// The concentration (`> 0`).
        #[serde(with = "rust_decimal::serde::str")]
        concentration: Decimal,
    },
}

impl WeightDistribution {
    /// Uniform factors `1 ± spread`.
    ///
    /// # Examples
    ///
    /// See [`WeightDistribution`].
    #[must_use]
    pub fn uniform(spread: Decimal) -> WeightDistribution {
        WeightDistribution::Uniform { spread }
    }

    /// Dirichlet shares of the given concentration.
    ///
    /// # Examples
    ///
    /// See [`WeightDistribution`].
    #[must_use]
    pub fn dirichlet(concentration: Decimal) -> WeightDistribution {
        WeightDistribution::Dirichlet { concentration }
    }

    /// Reads the command-line form `uniform:0.25` or `dirichlet:50`; `None` otherwise.
    /// The value is checked when the analysis runs.
    ///
    /// # Examples
    ///
    /// See [`WeightDistribution`].
    #[must_use]
    pub fn parse(text: &str) -> Option<WeightDistribution> {
        let (kind, value) = text.trim().split_once(':')?;
        let value: Decimal = value.trim().parse().ok()?;
        match kind.trim() {
            "uniform" => Some(WeightDistribution::uniform(value)),
            "dirichlet" => Some(WeightDistribution::dirichlet(value)),
            _ => None,
        }
    }
}

/// The options of a Monte Carlo analysis, as a value with chainable setters.
///
/// # Examples
///
/// ```
/// use parindex::SensitivityOptions;
/// let o = SensitivityOptions::new().runs(1000).seed(7).percentiles(5.into(), 95.into()).top(3);
/// assert_eq!((o.runs_value(), o.seed_value()), (1000, 7));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SensitivityOptions {
    pub(crate) runs: u32,
    pub(crate) seed: u64,
    pub(crate) percentiles: (Decimal, Decimal),
    pub(crate) top: u32,
    pub(crate) attribution: bool,
    pub(crate) reference: bool,
}

impl Default for SensitivityOptions {
    fn default() -> Self {
        SensitivityOptions::new()
    }
}

impl SensitivityOptions {
    /// 1,000 runs, seed 0, the 5–95 % interval, top 3, no attribution.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(parindex::SensitivityOptions::new().runs_value(), 1000);
    /// ```
    #[must_use]
    pub fn new() -> SensitivityOptions {
        SensitivityOptions {
            runs: 1000,
            seed: 0,
            percentiles: (Decimal::from(5), Decimal::from(95)),
            top: 3,
            attribution: false,
            reference: false,
        }
    }

    /// The number of replications (at least 1).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(parindex::SensitivityOptions::new().runs(50).runs_value(), 50);
    /// ```
    #[must_use]
    pub fn runs(mut self, runs: u32) -> Self {
        self.runs = runs;
        self
    }

    /// The seed: the same seed gives the same results everywhere.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(parindex::SensitivityOptions::new().seed(9).seed_value(), 9);
    /// ```
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The rank interval's percentiles, `0 < low < high ≤ 100` (default 5 and 95).
    ///
    /// # Examples
    ///
    /// ```
    /// let o = parindex::SensitivityOptions::new().percentiles("2.5".parse().unwrap(), "97.5".parse().unwrap());
    /// assert_eq!(o.percentiles_value().1.to_string(), "97.5");
    /// ```
    #[must_use]
    pub fn percentiles(mut self, low: Decimal, high: Decimal) -> Self {
        self.percentiles = (low, high);
        self
    }

    /// The `k` of "probability of being in the top k" (default 3).
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = parindex::SensitivityOptions::new().top(5);
    /// ```
    #[must_use]
    pub fn top(mut self, k: u32) -> Self {
        self.top = k;
        self
    }

    /// Also estimates each source's first-order and total-effect indices (Saltelli/Jansen):
    /// `runs × (sources + 1)` more evaluations.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = parindex::SensitivityOptions::new().attribution(true);
    /// ```
    #[must_use]
    pub fn attribution(mut self, on: bool) -> Self {
        self.attribution = on;
        self
    }

    /// Evaluates every replication with a plain loop and a full sort, in sequence: slow, the
    /// reference the fast engine must equal bit for bit.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = parindex::SensitivityOptions::new().reference(true);
    /// ```
    #[must_use]
    pub fn reference(mut self, on: bool) -> Self {
        self.reference = on;
        self
    }

    /// The number of runs.
    ///
    /// # Examples
    ///
    /// See [`SensitivityOptions`].
    #[must_use]
    pub fn runs_value(&self) -> u32 {
        self.runs
    }

    /// The seed.
    ///
    /// # Examples
    ///
    /// See [`SensitivityOptions`].
    #[must_use]
    pub fn seed_value(&self) -> u64 {
        self.seed
    }

    /// The percentiles of the interval.
    ///
    /// # Examples
    ///
    /// ```
    /// let o = parindex::SensitivityOptions::new();
    /// assert_eq!(o.percentiles_value(), (5.into(), 95.into()));
    /// ```
    #[must_use]
    pub fn percentiles_value(&self) -> (Decimal, Decimal) {
        self.percentiles
    }
}
