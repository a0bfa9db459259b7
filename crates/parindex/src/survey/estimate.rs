//! Estimates from a tally: shares, means, standard errors and intervals per domain.

use std::collections::HashMap;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::questionnaire::{ElementIndex, ItemKind, OverallIndex, Questionnaire};
use super::stats::{logit_interval, wilson};
use super::tally::{Design, Tally, NO_CLUSTER};
use crate::error::{Error, IssueKind, Location, Result};
use crate::{Methodology, Scores, Value};

/// A set of respondents results are given for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DomainKind {
    /// The respondents rating one unit.
    Unit,
    /// The respondents of one group (form), across units.
    Group,
    /// Everyone.
    All,
}

impl DomainKind {
    /// The name used in files: `unit`, `group`, `all`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            DomainKind::Unit => "unit",
            DomainKind::Group => "group",
            DomainKind::All => "all",
        }
    }

    /// Reads names as written by [`DomainKind::name`].
    ///
    /// # Errors
    ///
    /// `invalid_setting` naming the first unknown name.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::DomainKind;
    /// assert_eq!(DomainKind::parse_list(&["unit", "all"]).unwrap(), [DomainKind::Unit, DomainKind::All]);
    /// assert_eq!(DomainKind::parse_list(&["province"]).unwrap_err().issues()[0].code(), "invalid_setting");
    /// ```
    pub fn parse_list<S: AsRef<str>>(names: &[S]) -> Result<Vec<DomainKind>> {
        names
            .iter()
            .map(|n| {
                [DomainKind::Unit, DomainKind::Group, DomainKind::All]
                    .into_iter()
                    .find(|k| k.name() == n.as_ref())
                    .ok_or_else(|| {
                        Error::single(
                            Location::default(),
                            IssueKind::InvalidSetting {
                                setting: "by".into(),
                                reason: format!("{:?} is not unit, group or all", n.as_ref()),
                            },
                        )
                    })
            })
            .collect()
    }
}

/// How the interval of a share was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    /// Wilson's score interval (a simple random sample and a yes/no indicator).
    Wilson,
    /// Built on the logit scale from the design-based (linearised) standard error.
    Logit,
    /// Not available: no answers, a share of 0 or 1 under a design, or a stratum with a
    /// single primary sampling unit.
    None,
}

/// What to compute.
///
/// # Examples
///
/// ```
/// use parindex::{DomainKind, SurveyOptions};
/// let o = SurveyOptions::new().by(&[DomainKind::Unit]).population("ha-tinh", 1_300_000);
/// assert_eq!(o.domains(), [DomainKind::Unit]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyOptions {
    by: Vec<DomainKind>,
    populations: HashMap<String, u64>,
}

impl Default for SurveyOptions {
    fn default() -> Self {
        SurveyOptions::new()
    }
}

impl SurveyOptions {
    /// Results per unit, then overall.
    #[must_use]
    pub fn new() -> SurveyOptions {
        SurveyOptions { by: vec![DomainKind::Unit, DomainKind::All], populations: HashMap::new() }
    }
    /// Which domains, in this order.
    #[must_use]
    pub fn by(mut self, kinds: &[DomainKind]) -> SurveyOptions {
        self.by = kinds.to_vec();
        self
    }
    /// A unit's population `N`, for the sample-size rule n = N / (1 + N·e²); without it the
    /// rule's limit for a large population, 1 / e², applies.
    #[must_use]
    pub fn population(mut self, unit: impl Into<String>, size: u64) -> SurveyOptions {
        self.populations.insert(unit.into(), size);
        self
    }
    /// The domains asked for.
    #[must_use]
    pub fn domains(&self) -> &[DomainKind] {
        &self.by
    }
}

/// The estimate of one answer column (an item, or one option of a priority item) in one domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemEstimate {
    /// The column: the item code, or `CODE.OPTION` for a priority option.
    pub column: String,
    /// The item code.
    pub item: String,
    /// The element, if the item has one.
    pub element: Option<String>,
    /// Valid answers.
    pub n: u64,
    /// Valid answers counted as satisfied / positive / chosen (unweighted).
    pub positive: u64,
    /// Answers outside the scale, left out (when the questionnaire counts them).
    pub invalid: u64,
    /// Σ of the design weights of the valid answers.
    pub weight: f64,
    /// The (weighted) share satisfied, positive or chosen, in [0, 1].
    pub share: Option<f64>,
    /// The standard error of the share (design-based, Taylor linearisation).
    pub se: Option<f64>,
    /// The interval's lower bound.
    pub ci_low: Option<f64>,
    /// The interval's upper bound.
    pub ci_high: Option<f64>,
    /// How the interval was computed.
    pub interval: Interval,
    /// The (weighted) mean score of scale items; the mean option weight (%) of option items.
    pub mean: Option<f64>,
    /// The standard error of the mean.
    pub mean_se: Option<f64>,
    /// The design effect of the share: its variance over that of a simple random sample of
    /// the same size.
    pub deff: Option<f64>,
    /// The effective sample size, n / deff.
    pub n_eff: Option<f64>,
}

/// The index of one element in one domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ElementEstimate {
    /// The element code.
    pub element: String,
    /// Its index items with at least one answer.
    pub items: u32,
    /// Valid answers over those items.
    pub n: u64,
    /// The index, a share in [0, 1] (mean of item shares, or pooled).
    pub index: Option<f64>,
}

/// Something a reader of the results should know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyWarning {
    /// A stable code: `small_sample`, `single_psu`, `zero_weight`.
    pub code: String,
    /// What it means here.
    pub message: String,
}

/// All estimates for one domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainEstimate {
    /// Which kind of domain.
    pub kind: DomainKind,
    /// The unit or group id (`all` for everyone).
    pub id: String,
    /// Respondents.
    pub respondents: u64,
    /// Σ of their design weights.
    pub weight: f64,
    /// The sample size the rule n = N / (1 + N·e²) asks for (units only).
    pub required: Option<u64>,
    /// Per answer column, in questionnaire order.
    pub items: Vec<ItemEstimate>,
    /// Per element, in questionnaire order.
    pub elements: Vec<ElementEstimate>,
    /// The overall index, a share in [0, 1].
    pub overall: Option<f64>,
    /// Warnings.
    pub warnings: Vec<SurveyWarning>,
}

/// The results of a survey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyResults {
    /// The questionnaire id.
    pub questionnaire: String,
    /// The design the responses carried.
    pub design: Design,
    /// The confidence level of the intervals.
    pub confidence: f64,
    /// One entry per domain.
    pub domains: Vec<DomainEstimate>,
}

/// Which survey number feeds a methodology leaf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Measure {
    /// An answer column's share (an item code, or `CODE.OPTION`).
    Item(String),
    /// An element's index.
    Element(String),
    /// The overall index.
    Overall,
}

impl std::str::FromStr for Measure {
    type Err = Error;
    /// `overall`, `element:CODE` or `item:CODE`.
    fn from_str(s: &str) -> Result<Measure> {
        match s.split_once(':') {
            None if s == "overall" => Ok(Measure::Overall),
            Some(("element", code)) if !code.is_empty() => Ok(Measure::Element(code.into())),
            Some(("item", code)) if !code.is_empty() => Ok(Measure::Item(code.into())),
            _ => Err(Error::single(
                Location::default(),
                IssueKind::InvalidSetting {
                    setting: "measure".into(),
                    reason: format!("{s:?}: write overall, element:CODE or item:CODE"),
                },
            )),
        }
    }
}

/// A unit's value of a survey measure, as the percent a methodology leaf takes, with a note
/// that says where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeafValue {
    /// The unit.
    pub unit: String,
    /// The share in percent (0–100).
    pub percent: Decimal,
    /// E.g. `survey sipas-demo, item A1: 87.5% of 8 answers (95% CI 52.9–97.8%)`.
    pub note: String,
}

/// The estimates of a tally: per unit, group or everyone (as `options` asks), per answer column
/// the number of valid answers, the (weighted) share satisfied with its standard error,
/// interval and design effect, the mean score; per element its index; the overall index; and
/// warnings (a sample below the required size, a stratum with one cluster).
///
/// Shares are ratio estimates Σ w·y / Σ w over valid answers; their variance is the
/// with-replacement Taylor linearisation of `svymean` in R's survey package
/// (see DESIGN.md §12), computed from the tally's sums in floating point.
///
/// # Examples
///
/// ```
/// use parindex::{survey_results, Answers, Batch, Item, ItemKind, Labels, Questionnaire, SurveyOptions, SurveySettings, Tally};
/// let q = Questionnaire::new("q", vec![], vec![Item::new("A1", ItemKind::likert())],
///     SurveySettings::default()).unwrap();
/// let units = vec!["u".to_string()];
/// let mut tally = Tally::new(&q);
/// tally.add(&q, &Batch::new(Labels { index: &[0; 4], names: &units }, Answers::Rows(&[5, 4, 2, 255]))).unwrap();
/// let r = survey_results(&q, &tally, &SurveyOptions::new()).unwrap();
/// let a1 = &r.domains[0].items[0];
/// assert_eq!((a1.n, a1.positive, a1.share), (3, 2, Some(2.0 / 3.0)));
/// assert_eq!(a1.mean, Some(11.0 / 3.0));
/// ```
pub fn survey_results(
    questionnaire: &Questionnaire,
    tally: &Tally,
    options: &SurveyOptions,
) -> Result<SurveyResults> {
    if !tally.fits(questionnaire) {
        return Err(Error::single(
            Location::default(),
            IssueKind::SurveyMismatch {
                reason: format!("the tally is not one of questionnaire {}", questionnaire.id()),
            },
        ));
    }
    let design = tally.design().unwrap_or_default();
    let estimator = Estimator::new(questionnaire, tally, design);
    let mut domains = Vec::new();
    for kind in options.domains() {
        match kind {
            DomainKind::Unit => {
                // Sorted by id, so the order does not depend on which part saw a unit first.
                let mut units: Vec<(usize, &String)> = tally.units().iter().enumerate().collect();
                units.sort_by_key(|(_, id)| *id);
                let mut cells_of: Vec<Vec<usize>> = vec![Vec::new(); tally.units().len()];
                for &c in &estimator.order {
                    cells_of[tally.cells()[c].unit as usize].push(c);
                }
                for (u, id) in units {
                    let cells = &cells_of[u];
                    let required = required_sample(options.populations.get(id).copied(), estimator.margin);
                    domains.push(estimator.domain(*kind, id, cells, Some(required)));
                }
            }
            DomainKind::Group => {
                let mut groups: Vec<(usize, &String)> = tally.groups().iter().enumerate().collect();
                groups.sort_by_key(|(_, id)| *id);
                for (g, id) in groups {
                    if id.is_empty() {
                        continue;
                    }
                    let cells: Vec<usize> = estimator
                        .order
                        .iter()
                        .copied()
                        .filter(|&c| tally.cells()[c].group as usize == g)
                        .collect();
                    domains.push(estimator.domain(*kind, id, &cells, None));
                }
            }
            DomainKind::All => {
                domains.push(estimator.domain(*kind, "all", &estimator.order, None));
            }
        }
    }
    Ok(SurveyResults {
        questionnaire: questionnaire.id().to_string(),
        design,
        confidence: estimator.confidence,
        domains,
    })
}

/// n = ⌈N / (1 + N·e²)⌉, or ⌈1 / e²⌉ when N is unknown.
fn required_sample(population: Option<u64>, margin: f64) -> u64 {
    let e2 = margin * margin;
    let n = match population {
        Some(n) => n as f64 / (1.0 + n as f64 * e2),
        None => 1.0 / e2,
    };
    // Guard the ceiling against 399.99999999999994 for e = 0.05.
    (n - 1e-9).ceil() as u64
}

struct Estimator<'a> {
    q: &'a Questionnaire,
    tally: &'a Tally,
    design: Design,
    /// Primary sampling units per stratum in the whole design.
    psus: Vec<u64>,
    z: f64,
    margin: f64,
    confidence: f64,
    /// The cells in the order of their names, and each stratum's and cluster's place in the
    /// order of names: sums run in this order, so equal tallies give bit-identical results
    /// however their parts were merged.
    order: Vec<usize>,
    stratum_rank: Vec<usize>,
    cluster_rank: Vec<usize>,
}

/// Σ over the PSUs of one stratum: T_y², T_y·T_1, T_1², T_y, T_1.
type Sums = [f64; 5];

impl<'a> Estimator<'a> {
    fn new(q: &'a Questionnaire, tally: &'a Tally, design: Design) -> Estimator<'a> {
        let mut psus = vec![0u64; tally.strata_count()];
        if design.clustered {
            let mut seen = std::collections::HashSet::new();
            for c in tally.cells() {
                if seen.insert((c.stratum, c.cluster)) {
                    psus[c.stratum as usize] += 1;
                }
            }
        } else {
            for c in tally.cells() {
                psus[c.stratum as usize] += c.respondents;
            }
        }
        let layout = q.layout();
        let confidence = q.settings().confidence.to_f64().unwrap_or(0.95);
        let (order, stratum_rank, cluster_rank) = tally.canonical_order();
        Estimator {
            q,
            tally,
            design,
            psus,
            z: layout.z,
            margin: layout.margin,
            confidence,
            order,
            stratum_rank,
            cluster_rank,
        }
    }

    fn domain(&self, kind: DomainKind, id: &str, cells: &[usize], required: Option<u64>) -> DomainEstimate {
        let layout = self.q.layout();
        let all = self.tally.cells();
        let respondents = cells.iter().map(|&c| all[c].respondents).sum();
        let weight = cells.iter().map(|&c| all[c].weight).sum();
        let mut warnings = Vec::new();
        if let Some(required) = required.filter(|&n| respondents < n) {
            warnings.push(SurveyWarning {
                code: "small_sample".into(),
                message: format!("{respondents} respondents; the sample-size rule asks for {required}"),
            });
        }
        let mut lonely = false;
        let items: Vec<ItemEstimate> = layout
            .columns
            .iter()
            .map(|column| {
                let item = &self.q.items()[column.item];
                let range = column.offset..column.offset + column.slots.len();
                let (mut n, mut positive, mut w, mut wy, mut wm) = (0u64, 0u64, 0.0, 0.0, 0.0);
                let mut invalid = 0u64;
                for &c in cells {
                    let acc = &self.tally.acc(c);
                    for (slot, a) in column.slots.iter().zip(&acc[range.clone()]) {
                        n += a.n;
                        if slot.share == 1.0 {
                            positive += a.n;
                        }
                        w += a.w;
                        wy += slot.share * a.w;
                        wm += slot.score * a.w;
                    }
                    invalid += acc[range.end].n;
                }
                let mut e = ItemEstimate {
                    column: column.name.clone(),
                    item: item.code.clone(),
                    element: item.element.clone(),
                    n,
                    positive,
                    invalid,
                    weight: w,
                    share: None,
                    se: None,
                    ci_low: None,
                    ci_high: None,
                    interval: Interval::None,
                    mean: None,
                    mean_se: None,
                    deff: None,
                    n_eff: None,
                };
                if n == 0 || w <= 0.0 {
                    return e;
                }
                let p = wy / w;
                let mean = wm / w;
                e.share = Some(p);
                e.mean = match item.kind {
                    ItemKind::Satisfaction { .. }
                    | ItemKind::Perception { .. }
                    | ItemKind::Options { .. } => Some(mean),
                    _ => None,
                };
                let se = self.variance(cells, column, |s| s.share, p, w).map(f64::sqrt);
                if e.mean.is_some() {
                    e.mean_se = self.variance(cells, column, |s| s.score, mean, w).map(f64::sqrt);
                }
                lonely |= se.is_none();
                e.se = se;
                let binary = column.slots.iter().all(|s| s.share == 0.0 || s.share == 1.0);
                let ci = if self.design.is_simple() && binary {
                    e.interval = Interval::Wilson;
                    Some(wilson(positive as f64, n as f64, self.z))
                } else {
                    se.and_then(|se| logit_interval(p, se, self.z)).inspect(|_| e.interval = Interval::Logit)
                };
                if let Some((lo, hi)) = ci {
                    e.ci_low = Some(lo);
                    e.ci_high = Some(hi);
                }
                // Design effect against a simple random sample of the same n (svyvar's s²).
                let ss: f64 = cells
                    .iter()
                    .map(|&c| {
                        let acc = self.tally.acc(c);
                        column
                            .slots
                            .iter()
                            .zip(&acc[range.clone()])
                            .map(|(s, a)| a.w * (s.share - p) * (s.share - p))
                            .sum::<f64>()
                    })
                    .sum();
                if let (Some(se), true) = (se, n > 1) {
                    let nf = n as f64;
                    let srs = nf / (nf - 1.0) * ss / w / nf;
                    if srs > 0.0 {
                        let deff = se * se / srs;
                        e.deff = Some(deff);
                        e.n_eff = Some(nf / deff);
                    }
                }
                e
            })
            .collect();
        if lonely && items.iter().any(|e| e.n > 0) {
            warnings.push(SurveyWarning {
                code: "single_psu".into(),
                message: "a stratum holds a single primary sampling unit: its variance cannot be estimated, so intervals are not given".into(),
            });
        }
        if respondents > 0 && weight <= 0.0 {
            warnings.push(SurveyWarning {
                code: "zero_weight".into(),
                message: "every design weight is zero".into(),
            });
        }
        let (elements, overall) = self.indices(&items);
        DomainEstimate {
            kind,
            id: id.to_string(),
            respondents,
            weight,
            required,
            items,
            elements,
            overall,
            warnings,
        }
    }

    /// The linearised variance of the ratio Σ w·y / Σ w in a domain (`None` when a stratum
    /// with domain answers has a single PSU).
    fn variance(
        &self,
        cells: &[usize],
        column: &super::questionnaire::Column,
        y: impl Fn(&super::questionnaire::Slot) -> f64,
        p: f64,
        w: f64,
    ) -> Option<f64> {
        let range = column.offset..column.offset + column.slots.len();
        let mut strata: Vec<Sums> = vec![[0.0; 5]; self.psus.len()];
        let all = self.tally.cells();
        if self.design.clustered {
            let mut psu: HashMap<(u32, u32), (f64, f64)> = HashMap::new();
            for &c in cells {
                let acc = self.tally.acc(c);
                let t = psu.entry((all[c].stratum, all[c].cluster)).or_default();
                for (s, a) in column.slots.iter().zip(&acc[range.clone()]) {
                    t.0 += y(s) * a.w;
                    t.1 += a.w;
                }
            }
            let mut keys: Vec<_> = psu.into_iter().collect();
            keys.sort_by_key(|((s, c), _)| (self.stratum_rank[*s as usize], self.cluster_rank[*c as usize]));
            for ((stratum, cluster), (ty, t1)) in keys {
                debug_assert!(cluster != NO_CLUSTER);
                let s = &mut strata[stratum as usize];
                s[0] += ty * ty;
                s[1] += ty * t1;
                s[2] += t1 * t1;
                s[3] += ty;
                s[4] += t1;
            }
        } else {
            for &c in cells {
                let acc = self.tally.acc(c);
                let s = &mut strata[all[c].stratum as usize];
                for (slot, a) in column.slots.iter().zip(&acc[range.clone()]) {
                    let v = y(slot);
                    s[0] += v * v * a.w2;
                    s[1] += v * a.w2;
                    s[2] += a.w2;
                    s[3] += v * a.w;
                    s[4] += a.w;
                }
            }
        }
        let mut keys: Vec<usize> = (0..strata.len()).collect();
        keys.sort_by_key(|&k| self.stratum_rank[k]);
        let mut v = 0.0;
        for stratum in keys {
            let s = strata[stratum];
            if s[4] == 0.0 && s[2] == 0.0 {
                continue;
            }
            let nh = self.psus[stratum] as f64;
            if nh < 2.0 {
                return None;
            }
            let squares = s[0] - 2.0 * p * s[1] + p * p * s[2];
            let total = s[3] - p * s[4];
            v += nh / (nh - 1.0) * (squares - total * total / nh);
        }
        Some((v / (w * w)).max(0.0))
    }

    fn indices(&self, items: &[ItemEstimate]) -> (Vec<ElementEstimate>, Option<f64>) {
        let settings = self.q.settings();
        let layout = self.q.layout();
        let in_index: Vec<bool> =
            layout.columns.iter().map(|c| self.q.items()[c.item].counts_in_index()).collect();
        let combine = |chosen: &[usize], pooled: bool| -> (u32, u64, Option<f64>) {
            let answered: Vec<&ItemEstimate> =
                chosen.iter().map(|&i| &items[i]).filter(|e| e.share.is_some()).collect();
            let n = answered.iter().map(|e| e.n).sum();
            let value = if answered.is_empty() {
                None
            } else if pooled {
                let w: f64 = answered.iter().map(|e| e.weight).sum();
                Some(answered.iter().map(|e| e.share.unwrap_or(0.0) * e.weight).sum::<f64>() / w)
            } else {
                Some(answered.iter().map(|e| e.share.unwrap_or(0.0)).sum::<f64>() / answered.len() as f64)
            };
            (answered.len() as u32, n, value)
        };
        let elements: Vec<ElementEstimate> = self
            .q
            .elements()
            .iter()
            .map(|el| {
                let chosen: Vec<usize> = (0..items.len())
                    .filter(|&i| in_index[i] && items[i].element.as_deref() == Some(el.code.as_str()))
                    .collect();
                let (k, n, index) = combine(&chosen, settings.element_index == ElementIndex::Pooled);
                ElementEstimate { element: el.code.clone(), items: k, n, index }
            })
            .collect();
        let overall = match settings.overall_index {
            OverallIndex::MeanOfElements => {
                let values: Vec<f64> = elements.iter().filter_map(|e| e.index).collect();
                (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
            }
            OverallIndex::MeanOfItems | OverallIndex::Pooled => {
                let chosen: Vec<usize> = (0..items.len()).filter(|&i| in_index[i]).collect();
                combine(&chosen, settings.overall_index == OverallIndex::Pooled).2
            }
        };
        (elements, overall)
    }
}

impl SurveyResults {
    /// The values of a measure for every unit, as percents for a methodology leaf (a leaf
    /// with the rule `proportional:100` turns it into max × share points; a threshold rule
    /// works too), each with a note citing the survey numbers.
    ///
    /// The percent is exact for one yes/no item of a simple random sample (100 × positive / n,
    /// rounded half to even at 20 decimal places, the finest a score takes); otherwise it is
    /// the floating-point estimate read through its shortest decimal text.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{survey_results, Answers, Batch, Item, ItemKind, Labels, Measure, Questionnaire, SurveyOptions, SurveySettings, Tally};
    /// let q = Questionnaire::new("q", vec![], vec![Item::new("A1", ItemKind::likert())],
    ///     SurveySettings::default()).unwrap();
    /// let units = vec!["u".to_string()];
    /// let mut tally = Tally::new(&q);
    /// tally.add(&q, &Batch::new(Labels { index: &[0; 4], names: &units }, Answers::Rows(&[5, 4, 2, 5]))).unwrap();
    /// let r = survey_results(&q, &tally, &SurveyOptions::new()).unwrap();
    /// let v = r.leaf_values(&"item:A1".parse::<Measure>().unwrap()).unwrap();
    /// assert_eq!(v[0].percent.to_string(), "75");
    /// assert_eq!(v[0].note, "survey q, item A1: 75% of 4 answers (95% CI 30.06–95.44%)");
    /// ```
    pub fn leaf_values(&self, measure: &Measure) -> Result<Vec<LeafValue>> {
        let mut out = Vec::new();
        for d in self.domains.iter().filter(|d| d.kind == DomainKind::Unit) {
            let (percent, note) = match measure {
                Measure::Item(code) => {
                    let Some(e) = d.items.iter().find(|e| &e.column == code) else {
                        return Err(unknown(code));
                    };
                    let Some(share) = e.share else { continue };
                    let binary = e.interval == Interval::Wilson;
                    let percent = if binary {
                        (Decimal::from(e.positive * 100) / Decimal::from(e.n)).round_dp(20)
                    } else {
                        shortest(share * 100.0)
                    };
                    let ci = match (e.ci_low, e.ci_high) {
                        (Some(lo), Some(hi)) => format!(
                            " ({:.0}% CI {:.2}–{:.2}%)",
                            self.confidence * 100.0,
                            lo * 100.0,
                            hi * 100.0
                        ),
                        _ => String::new(),
                    };
                    let note = format!(
                        "survey {}, item {}: {}% of {} answers{ci}",
                        self.questionnaire,
                        e.column,
                        percent.round_dp(2).normalize(),
                        e.n
                    );
                    (percent, note)
                }
                Measure::Element(code) => {
                    let Some(e) = d.elements.iter().find(|e| &e.element == code) else {
                        return Err(unknown(code));
                    };
                    let Some(index) = e.index else { continue };
                    let percent = shortest(index * 100.0);
                    let note = format!(
                        "survey {}, element {}: {}% over {} items, {} answers, {} respondents",
                        self.questionnaire,
                        e.element,
                        percent.round_dp(2).normalize(),
                        e.items,
                        e.n,
                        d.respondents
                    );
                    (percent, note)
                }
                Measure::Overall => {
                    let Some(index) = d.overall else { continue };
                    let percent = shortest(index * 100.0);
                    let note = format!(
                        "survey {}, overall index: {}% from {} respondents",
                        self.questionnaire,
                        percent.round_dp(2).normalize(),
                        d.respondents
                    );
                    (percent, note)
                }
            };
            out.push(LeafValue { unit: d.id.clone(), percent: percent.normalize(), note });
        }
        Ok(out)
    }

    /// Puts a measure into the scores of a methodology leaf, for every unit of the scores
    /// the survey covers, with the survey note on the leaf (explanations cite it). A leaf with
    /// a rule (`proportional:100`, thresholds…) takes the percent; a plain-points leaf takes
    /// max × percent / 100 points, rounded half to even at 20 places when it does not
    /// terminate.
    ///
    /// # Errors
    ///
    /// `unknown_criterion` / `not_a_leaf` for the criterion, `unknown_item` for the
    /// measure, `unknown_unit` for a surveyed unit the scores do not have.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{survey_results, Answers, Batch, Item, ItemKind, Labels, Measure, Methodology, Questionnaire,
    ///     Scores, SurveyOptions, SurveySettings, Tally, Unit, Value};
    /// let m = Methodology::from_json(r#"{"format_version": 1, "id": "m", "name": "M", "nodes": [
    ///   {"code": "8", "name": "Khảo sát", "max": "10", "source": "survey"}]}"#).unwrap();
    /// let q = Questionnaire::new("q", vec![], vec![Item::new("A1", ItemKind::likert())],
    ///     SurveySettings::default()).unwrap();
    /// let units = vec!["u".to_string()];
    /// let mut tally = Tally::new(&q);
    /// tally.add(&q, &Batch::new(Labels { index: &[0; 4], names: &units }, Answers::Rows(&[5, 4, 2, 5]))).unwrap();
    /// let r = survey_results(&q, &tally, &SurveyOptions::new()).unwrap();
    /// let mut scores = Scores::new(&m);
    /// scores.add_unit(Unit::new("u")).unwrap();
    /// r.apply(&mut scores, &m, "8", &Measure::Item("A1".into())).unwrap();
    /// assert_eq!(scores.value(0, "8"), Some(Value::Number("7.5".parse().unwrap())));
    /// assert!(scores.note(0, "8").unwrap().starts_with("survey q, item A1: 75% of 4 answers"));
    /// ```
    pub fn apply(
        &self,
        scores: &mut Scores,
        methodology: &Methodology,
        criterion: &str,
        measure: &Measure,
    ) -> Result<()> {
        let at = || Location::default().criterion(criterion);
        let Some(node) = methodology.node(criterion) else {
            let methodology = methodology.info().id.clone();
            return Err(Error::single(at(), IssueKind::UnknownCriterion { methodology }));
        };
        if !methodology.is_leaf(criterion) {
            return Err(Error::single(at(), IssueKind::NotALeaf));
        }
        let max = methodology.max_of(criterion).unwrap_or_default();
        let plain = node.rule.is_points();
        let mut issues = Vec::new();
        for v in self.leaf_values(measure)? {
            let Some(unit) = scores.unit_index(&v.unit) else {
                let known: Vec<&str> = scores.units().iter().take(20).map(|u| u.id.as_str()).collect();
                issues.push(crate::Issue::new(
                    at().unit(v.unit.clone()),
                    IssueKind::UnknownUnit { unit: v.unit.clone(), known: known.join(", ") },
                ));
                continue;
            };
            let value = if plain {
                let points = max * v.percent / Decimal::ONE_HUNDRED;
                if points.scale() > 20 {
                    points.round_dp(20)
                } else {
                    points
                }
            } else {
                v.percent
            };
            let set = scores.set(unit, criterion, Value::Number(value.normalize()));
            if let Err(e) = set.and_then(|()| scores.set_note(unit, criterion, v.note)) {
                issues.extend(e.into_issues());
            }
        }
        Error::from_issues(issues).map_or(Ok(()), Err)
    }
}

fn unknown(code: &str) -> Error {
    Error::single(Location::default().item(code), IssueKind::UnknownItem { item: code.to_string() })
}

/// An f64 read through its shortest round-trip decimal text.
fn shortest(x: f64) -> Decimal {
    let text = format!("{x}");
    text.parse::<Decimal>().or_else(|_| Decimal::from_scientific(&text)).unwrap_or_default()
}
