//! Estimates from a tally: shares, means, standard errors and intervals per domain.

use std::collections::HashMap;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use super::kernel::group;
use super::moments::Moments;
use super::questionnaire::{
    ElementIndex, FeatureMap, Features, ItemKind, OverallIndex, Questionnaire, SHORTFALL_SCALE,
};
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
    pub column: SmolStr,
    /// The item code.
    pub item: SmolStr,
    /// The element, if the item has one.
    pub element: Option<SmolStr>,
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
    /// The standard error of the mean (none with the `mean_se` setting off).
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
    pub element: SmolStr,
    /// Its index items with at least one answer.
    pub items: u32,
    /// Valid answers over those items.
    pub n: u64,
    /// The index, a share in [0, 1] (mean of item shares, or pooled).
    pub index: Option<f64>,
    /// The standard error of the index (design-based, Taylor linearisation over its items,
    /// covariances included); none with `index_intervals` off or a stratum with one PSU.
    pub se: Option<f64>,
    /// The interval's lower bound (logit interval from `se`).
    pub ci_low: Option<f64>,
    /// The interval's upper bound.
    pub ci_high: Option<f64>,
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
    /// The standard error of the overall index (as an element's).
    pub overall_se: Option<f64>,
    /// The overall index's interval: lower bound (logit interval from `overall_se`).
    pub overall_ci_low: Option<f64>,
    /// Upper bound.
    pub overall_ci_high: Option<f64>,
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
///
/// Element and overall indices have standard errors and logit intervals too, with the
/// covariances of their items (DESIGN.md §12):
///
/// ```
/// use parindex::{survey_results, Answers, Batch, Element, Item, ItemKind, Labels, Questionnaire, SurveyOptions,
///     SurveySettings, Tally};
/// let access = Element { code: "access".into(), name: String::new(), name_en: None };
/// let items = vec![Item::new("A1", ItemKind::likert()).element("access"),
///                  Item::new("A2", ItemKind::likert()).element("access")];
/// let q = Questionnaire::new("q", vec![access], items, SurveySettings::default()).unwrap();
/// let units = vec!["u".to_string()];
/// let mut tally = Tally::new(&q);
/// let answers = [5, 4, 2, 2, 4, 5, 5, 255, 1, 3];
/// tally.add(&q, &Batch::new(Labels { index: &[0; 5], names: &units }, Answers::Rows(&answers))).unwrap();
/// let r = survey_results(&q, &tally, &SurveyOptions::new()).unwrap();
/// let e = &r.domains[0].elements[0];
/// assert_eq!(e.index, Some((3.0 / 5.0 + 2.0 / 4.0) / 2.0));
/// let (lo, hi) = (e.ci_low.unwrap(), e.ci_high.unwrap());
/// assert!(e.se.unwrap() > 0.0 && lo < e.index.unwrap() && e.index.unwrap() < hi);
/// // One element: the overall index is that element's.
/// assert_eq!((r.domains[0].overall, r.domains[0].overall_se), (e.index, e.se));
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
    // Every domain asked for, in order: its kind, id, cells (a range of `cells`, in the order
    // of their names) and the sample size the rule asks of it.
    let mut cells: Vec<usize> = Vec::new();
    let mut jobs: Vec<(DomainKind, &str, std::ops::Range<usize>, Option<u64>)> = Vec::new();
    for kind in options.domains() {
        let from = cells.len();
        match kind {
            DomainKind::Unit => {
                // Sorted by id, so the order does not depend on which part saw a unit first.
                let mut units: Vec<(usize, &String)> = tally.units().iter().enumerate().collect();
                units.sort_by_key(|(_, id)| *id);
                // The cells grouped by unit, each unit's still in the order of their names.
                let unit_of: Vec<u32> = estimator.order.iter().map(|&c| tally.cells()[c].unit).collect();
                let (mut start, mut next) = (Vec::new(), Vec::new());
                group(&unit_of, units.len(), &mut start, &mut next);
                cells.resize(from + unit_of.len(), 0);
                for (&c, &u) in estimator.order.iter().zip(&unit_of) {
                    cells[from + next[u as usize]] = c;
                    next[u as usize] += 1;
                }
                for (u, id) in units {
                    let required = required_sample(options.populations.get(id).copied(), estimator.margin);
                    jobs.push((*kind, id, from + start[u]..from + start[u + 1], Some(required)));
                }
            }
            DomainKind::Group => {
                let mut groups: Vec<(usize, &String)> = tally.groups().iter().enumerate().collect();
                groups.sort_by_key(|(_, id)| *id);
                for (g, id) in groups.into_iter().filter(|(_, id)| !id.is_empty()) {
                    let first = cells.len();
                    cells.extend(estimator.order.iter().filter(|&&c| tally.cells()[c].group as usize == g));
                    jobs.push((*kind, id, first..cells.len(), None));
                }
            }
            DomainKind::All => {
                cells.extend_from_slice(&estimator.order);
                jobs.push((*kind, "all", from..cells.len(), None));
            }
        }
    }
    // Each domain on its own (in parallel with the `parallel` feature), collected in order.
    let one = |scratch: &mut Scratch, j: usize| {
        let (kind, id, range, required) = &jobs[j];
        estimator.domain(scratch, *kind, id, &cells[range.clone()], *required)
    };
    #[cfg(feature = "parallel")]
    let domains = {
        use rayon::prelude::*;
        // The largest domains (all, groups) first, so one does not run alone at the end.
        let mut by_size: Vec<usize> = (0..jobs.len()).collect();
        by_size.sort_by_key(|&j| std::cmp::Reverse(jobs[j].2.len()));
        let mut done: Vec<(usize, DomainEstimate)> = by_size
            .par_iter()
            .with_min_len(16)
            .map_init(Scratch::default, |scratch, &j| (j, one(scratch, j)))
            .collect();
        done.sort_unstable_by_key(|(j, _)| *j);
        done.into_iter().map(|(_, d)| d).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let domains = {
        let mut scratch = Scratch::default();
        (0..jobs.len()).map(|j| one(&mut scratch, j)).collect()
    };
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
    /// The cells in the order of their names: sums run in this order, so equal tallies give
    /// bit-identical results however their parts were merged.
    order: Vec<usize>,
    /// The strata in the order of their names.
    strata_by_name: Vec<usize>,
    /// With clusters: each cell's primary sampling unit, the PSUs numbered in the order of
    /// their (stratum, cluster) names, and each PSU's stratum.
    psu_of_cell: Vec<u32>,
    psu_stratum: Vec<u32>,
    /// Per answer column: whether it counts in the indices.
    in_index: Vec<bool>,
    /// Per element: its answer columns that count in the indices.
    element_columns: Vec<Vec<usize>>,
    /// The features of the tally's cross sums (when it keeps them and they fit).
    features: Option<(Features, FeatureMap)>,
    /// Whether the indices get standard errors at all.
    index_intervals: bool,
    /// Whether the mean scores get standard errors (the settings ask for them and the tally
    /// holds their sums).
    mean_se: bool,
    /// Per answer column, what its estimates need, made once.
    columns: Vec<Column>,
    /// The element codes.
    element_codes: Vec<SmolStr>,
}

/// What the estimates need of an answer column: its name, item and element, copied into
/// every domain's estimates (short names are stored inline, so a copy allocates nothing), its
/// points (a share of 1 is `scale` points), whether it has a mean score and whether its
/// answers' shares are 0 or 1 only.
struct Column {
    name: SmolStr,
    item: SmolStr,
    element: Option<SmolStr>,
    scale: f64,
    mean: bool,
    binary: bool,
}

/// Σ over the PSUs of one stratum: T_y², T_y·T_1, T_1², T_y, T_1.
type Sums = [f64; 5];

/// Working space of the variances, reused from column to column and domain to domain.
#[derive(Default)]
struct Scratch {
    /// Per stratum, for the share and for the score (with clusters: of one column).
    strata: Vec<[Sums; 2]>,
    /// The domain's moments per column, and without clusters its [`Sums`] per stratum and
    /// column (`stratum * columns + column`).
    moments: Vec<Moments>,
    by_stratum: Vec<[Sums; 2]>,
    /// Per column of the domain, the ratios of its share and mean and their variances.
    ratios: Vec<Option<[f64; 2]>>,
    variances: Vec<Option<[f64; 2]>>,
    /// Per PSU: T_y of the share, T_y of the score, T_1; and whether it was touched.
    psu: Vec<[f64; 3]>,
    seen: Vec<bool>,
    touched: Vec<u32>,
    /// Per stratum (without clusters) or PSU (with clusters), Σ w·y and Σ w of every answer
    /// column; per stratum the cross sums of the index features.
    totals: Vec<f64>,
    gram: Vec<f64>,
    /// The PSUs with totals, in order, and their stratum.
    psus: Vec<u32>,
}

impl<'a> Estimator<'a> {
    fn new(q: &'a Questionnaire, tally: &'a Tally, design: Design) -> Estimator<'a> {
        let mut psus = vec![0u64; tally.strata_count()];
        let (order, stratum_rank, cluster_rank) = tally.canonical_order();
        let mut psu_of_cell = Vec::new();
        let mut psu_stratum = Vec::new();
        if design.clustered {
            // PSUs numbered in the order of their names (the order their sums are taken in).
            let cluster = |c: u32| if c == NO_CLUSTER { 0 } else { cluster_rank[c as usize] + 1 };
            let mut keys: Vec<(usize, usize, u32)> = tally
                .cells()
                .iter()
                .map(|c| (stratum_rank[c.stratum as usize], cluster(c.cluster), c.stratum))
                .collect();
            keys.sort_unstable();
            keys.dedup();
            for &(_, _, stratum) in &keys {
                psus[stratum as usize] += 1;
                psu_stratum.push(stratum);
            }
            psu_of_cell = tally
                .cells()
                .iter()
                .map(|c| {
                    let key = (stratum_rank[c.stratum as usize], cluster(c.cluster), c.stratum);
                    keys.binary_search(&key).unwrap_or_default() as u32
                })
                .collect();
        } else {
            for c in tally.cells() {
                psus[c.stratum as usize] += c.respondents;
            }
        }
        let mut strata_by_name: Vec<usize> = (0..psus.len()).collect();
        strata_by_name.sort_by_key(|&s| stratum_rank[s]);
        let layout = q.layout();
        let in_index: Vec<bool> =
            layout.columns.iter().map(|c| q.items()[c.item].counts_in_index()).collect();
        let element_columns = q
            .elements()
            .iter()
            .map(|el| {
                (0..layout.columns.len())
                    .filter(|&i| {
                        in_index[i]
                            && q.items()[layout.columns[i].item].element.as_deref() == Some(el.code.as_str())
                    })
                    .collect()
            })
            .collect();
        let confidence = q.settings().confidence.to_f64().unwrap_or(0.95);
        let (kind, count) = tally.features();
        let features = (kind != Features::None && !design.clustered)
            .then(|| (kind, q.feature_map(kind)))
            .filter(|(_, map)| map.count == count);
        Estimator {
            q,
            tally,
            design,
            psus,
            z: layout.z,
            margin: layout.margin,
            confidence,
            order,
            strata_by_name,
            psu_of_cell,
            psu_stratum,
            in_index,
            element_columns,
            features,
            index_intervals: q.settings().index_intervals,
            mean_se: q.settings().mean_se && tally.mean_se(),
            columns: layout
                .columns
                .iter()
                .map(|c| {
                    let item = &q.items()[c.item];
                    Column {
                        name: c.name.as_str().into(),
                        item: item.code.as_str().into(),
                        element: item.element.as_deref().map(Into::into),
                        scale: c.scale,
                        mean: matches!(
                            item.kind,
                            ItemKind::Satisfaction { .. }
                                | ItemKind::Perception { .. }
                                | ItemKind::Options { .. }
                        ),
                        binary: c.slots.iter().all(|s| s.share == 0.0 || s.share == 1.0),
                    }
                })
                .collect(),
            element_codes: q.elements().iter().map(|el| el.code.as_str().into()).collect(),
        }
    }

    fn domain(
        &self,
        scratch: &mut Scratch,
        kind: DomainKind,
        id: &str,
        cells: &[usize],
        required: Option<u64>,
    ) -> DomainEstimate {
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
        let (moments, by_stratum) = self.domain_sums(scratch, cells);
        let (mut ratio, mut variances) =
            (std::mem::take(&mut scratch.ratios), std::mem::take(&mut scratch.variances));
        ratio.clear();
        ratio.extend(moments.iter().zip(&self.columns).map(|(m, column)| ratios(m, column)));
        variances.clear();
        if self.design.clustered {
            for (ci, (m, r)) in moments.iter().zip(&ratio).enumerate() {
                variances.push(r.and_then(|r| self.cluster_variances(scratch, cells, ci, r, m.w)));
            }
        } else {
            self.stratum_variances(&moments, &by_stratum, &ratio, &mut variances);
        }
        let mut items: Vec<ItemEstimate> = (self.columns.iter().zip(&moments))
            .zip(ratio.iter().zip(&variances))
            .map(|((column, m), (&r, &v))| self.item(column, m, r, v))
            .collect();
        let lonely = items.iter().any(|e| e.share.is_some() && e.se.is_none());
        (scratch.ratios, scratch.variances) = (ratio, variances);
        self.logit_intervals(&mut items);
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
        (scratch.moments, scratch.by_stratum) = (moments, by_stratum);
        let (elements, overall) = self.indices(&items);
        let (elements, overall) = self.index_intervals(scratch, cells, &items, elements, overall);
        DomainEstimate {
            kind,
            id: id.to_string(),
            respondents,
            weight,
            required,
            items,
            elements,
            overall: overall[0],
            overall_se: overall[1],
            overall_ci_low: overall[2],
            overall_ci_high: overall[3],
            warnings,
        }
    }

    /// The estimate of an answer column in a domain, from its moments, its share and mean
    /// ratios ([`ratios`]) and their variances.
    #[inline]
    fn item(&self, column: &Column, m: &Moments, r: Option<[f64; 2]>, v: Option<[f64; 2]>) -> ItemEstimate {
        let &Moments { n, positive, invalid, w, wy, wy2, .. } = m;
        // Shares are kept in the column's points (options: percent).
        let scale = column.scale;
        let (wy, wy2) = (wy / scale, wy2 / (scale * scale));
        let (mut share, mut se, mut mean, mut mean_se) = (None, None, None, None);
        let (mut ci_low, mut ci_high, mut interval, mut deff, mut n_eff) =
            (None, None, Interval::None, None, None);
        if let Some([p, mean_ratio]) = r {
            share = Some(p);
            if column.mean {
                mean = Some(mean_ratio);
            }
            if let Some([v_share, v_mean]) = v {
                se = Some(v_share.sqrt());
                if column.mean && self.mean_se {
                    mean_se = Some(v_mean.sqrt());
                }
            }
            // Logit intervals are added by `logit_intervals`, for all the domain's items at once.
            if self.design.is_simple() && column.binary {
                interval = Interval::Wilson;
                let (lo, hi) = wilson(positive as f64, n as f64, self.z);
                (ci_low, ci_high) = (Some(lo), Some(hi));
            }
            // Design effect against a simple random sample of the same n (svyvar's s²):
            // Σ w (y − p)², from the sums of w·y² and w·y.
            let ss = (wy2 - p * wy) - p * (wy - p * w);
            if let (Some(se), true) = (se, n > 1) {
                let nf = n as f64;
                let srs = nf / (nf - 1.0) * ss / w / nf;
                if srs > 0.0 {
                    let d = se * se / srs;
                    (deff, n_eff) = (Some(d), Some(nf / d));
                }
            }
        }
        ItemEstimate {
            column: column.name.clone(),
            item: column.item.clone(),
            element: column.element.clone(),
            n,
            positive,
            invalid,
            weight: w,
            share,
            se,
            ci_low,
            ci_high,
            interval,
            mean,
            mean_se,
            deff,
            n_eff,
        }
    }

    /// The logit interval of every item without a Wilson interval that has a share and a
    /// standard error: in a pass of their own, so that the items' exponentials, independent of
    /// one another, overlap in the processor (after the other estimates of each item they
    /// would wait on its chain of divisions).
    fn logit_intervals(&self, items: &mut [ItemEstimate]) {
        for e in items {
            if let (Interval::None, Some(p), Some(se)) = (e.interval, e.share, e.se) {
                if let Some((lo, hi)) = logit_interval(p, se, self.z) {
                    (e.ci_low, e.ci_high, e.interval) = (Some(lo), Some(hi), Interval::Logit);
                }
            }
        }
    }

    /// The domain's moments per column and, without clusters, its [`Sums`] per stratum and
    /// column, in one pass over the cells (a cell's columns are adjacent); every sum takes the
    /// cells in their order. The vectors are the scratch's, handed back after the items.
    fn domain_sums(&self, scratch: &mut Scratch, cells: &[usize]) -> (Vec<Moments>, Vec<[Sums; 2]>) {
        let layout = self.q.layout();
        let columns = layout.columns.len();
        let (mut moments, mut by_stratum) =
            (std::mem::take(&mut scratch.moments), std::mem::take(&mut scratch.by_stratum));
        moments.clear();
        moments.resize(columns, Moments::default());
        by_stratum.clear();
        let all = self.tally.cells();
        if self.design.clustered {
            for &c in cells {
                for (t, m) in moments.iter_mut().zip(self.tally.moments(c)) {
                    t.add(m);
                }
            }
            return (moments, by_stratum);
        }
        by_stratum.resize(self.psus.len() * columns, [[0.0; 5]; 2]);
        for &c in cells {
            let h = all[c].stratum as usize;
            let sums = &mut by_stratum[h * columns..(h + 1) * columns];
            for (((t, m), [share, score]), column) in
                moments.iter_mut().zip(self.tally.moments(c)).zip(sums).zip(&layout.columns)
            {
                t.add(m);
                // Shares are kept in the column's points (options: percent).
                let scale = column.scale;
                let share_sums = if scale == 1.0 {
                    [m.w2y2, m.w2y, m.w2, m.wy, m.w]
                } else {
                    [m.w2y2 / (scale * scale), m.w2y / scale, m.w2, m.wy / scale, m.w]
                };
                for (s, x) in share.iter_mut().zip(share_sums) {
                    *s += x;
                }
                for (s, x) in score.iter_mut().zip([m.w2x2, m.w2x, m.w2, m.wx, m.w]) {
                    *s += x;
                }
            }
        }
        (moments, by_stratum)
    }

    /// Without clusters: the linearised variances of the ratios Σ w·y / Σ w for the share
    /// (y the answer's share) and the mean (y its score) of every answer column in a domain,
    /// in one pass over the strata, the columns side by side (`None` for a column without
    /// answers, or when a stratum with its answers has a single PSU).
    fn stratum_variances(
        &self,
        moments: &[Moments],
        by_stratum: &[[Sums; 2]],
        ratio: &[Option<[f64; 2]>],
        v: &mut Vec<Option<[f64; 2]>>,
    ) {
        let columns = self.columns.len();
        v.extend(ratio.iter().map(|r| r.map(|_| [0.0; 2])));
        for &stratum in &self.strata_by_name {
            let nh = self.psus[stratum] as f64;
            let sums = &by_stratum[stratum * columns..(stratum + 1) * columns];
            for ((v, r), both) in v.iter_mut().zip(ratio).zip(sums) {
                let (Some(acc), Some(p)) = (v.as_mut(), r) else { continue };
                if both[0][4] == 0.0 && both[0][2] == 0.0 {
                    continue;
                }
                if nh < 2.0 {
                    *v = None;
                    continue;
                }
                for ((a, s), &p) in acc.iter_mut().zip(both).zip(p) {
                    *a += stratum_term(nh, s, p);
                }
            }
        }
        for (v, m) in v.iter_mut().zip(moments) {
            *v = v.map(|v| v.map(|v| (v / (m.w * m.w)).max(0.0)));
        }
    }

    /// With clusters: the linearised variances of the ratios `p` (share and mean) of answer
    /// column `column` in a domain, from the PSU totals of its cells (`None` when a stratum
    /// with domain answers has a single PSU).
    fn cluster_variances(
        &self,
        scratch: &mut Scratch,
        cells: &[usize],
        column: usize,
        p: [f64; 2],
        w: f64,
    ) -> Option<[f64; 2]> {
        let scale = self.q.layout().columns[column].scale;
        let strata = &mut scratch.strata;
        strata.clear();
        strata.resize(self.psus.len(), [[0.0; 5]; 2]);
        let Scratch { psu, seen, touched, .. } = scratch;
        psu.resize(self.psu_stratum.len(), [0.0; 3]);
        seen.resize(self.psu_stratum.len(), false);
        for &c in cells {
            let m = &self.tally.moments(c)[column];
            let j = self.psu_of_cell[c];
            if !seen[j as usize] {
                seen[j as usize] = true;
                touched.push(j);
            }
            let t = &mut psu[j as usize];
            t[0] += m.wy / scale;
            t[1] += m.wx;
            t[2] += m.w;
        }
        // In the order of the PSUs' names.
        touched.sort_unstable();
        for &j in touched.iter() {
            let [share, score, t1] = std::mem::take(&mut psu[j as usize]);
            seen[j as usize] = false;
            let s = &mut strata[self.psu_stratum[j as usize] as usize];
            for (s, ty) in s.iter_mut().zip([share, score]) {
                s[0] += ty * ty;
                s[1] += ty * t1;
                s[2] += t1 * t1;
                s[3] += ty;
                s[4] += t1;
            }
        }
        touched.clear();
        let mut v = [0.0; 2];
        for &stratum in &self.strata_by_name {
            let both = &strata[stratum];
            if both[0][4] == 0.0 && both[0][2] == 0.0 {
                continue;
            }
            let nh = self.psus[stratum] as f64;
            if nh < 2.0 {
                return None;
            }
            for ((v, s), p) in v.iter_mut().zip(both).zip(p) {
                *v += stratum_term(nh, s, p);
            }
        }
        Some(v.map(|v| (v / (w * w)).max(0.0)))
    }

    fn indices(&self, items: &[ItemEstimate]) -> (Vec<ElementEstimate>, Option<f64>) {
        let settings = self.q.settings();
        let combine = |chosen: &mut dyn Iterator<Item = usize>, pooled: bool| -> (u32, u64, Option<f64>) {
            // Sums from -0.0, as `Iterator::sum` takes them (-0.0 + x is x for every x).
            let (mut k, mut n, mut w, mut sum) = (0u32, 0u64, -0.0f64, -0.0f64);
            for e in chosen.map(|i| &items[i]) {
                let Some(share) = e.share else { continue };
                k += 1;
                n += e.n;
                w += e.weight;
                sum += if pooled { share * e.weight } else { share };
            }
            let value = if k == 0 {
                None
            } else if pooled {
                Some(sum / w)
            } else {
                Some(sum / f64::from(k))
            };
            (k, n, value)
        };
        let elements: Vec<ElementEstimate> = self
            .element_columns
            .iter()
            .zip(&self.element_codes)
            .map(|(chosen, code)| {
                let (k, n, index) =
                    combine(&mut chosen.iter().copied(), settings.element_index == ElementIndex::Pooled);
                ElementEstimate {
                    element: code.clone(),
                    items: k,
                    n,
                    index,
                    se: None,
                    ci_low: None,
                    ci_high: None,
                }
            })
            .collect();
        let overall = match settings.overall_index {
            OverallIndex::MeanOfElements => {
                // Summed from -0.0, as `Iterator::sum` takes them.
                let (k, sum) =
                    elements.iter().filter_map(|e| e.index).fold((0u32, -0.0f64), |(k, s), v| (k + 1, s + v));
                (k > 0).then(|| sum / f64::from(k))
            }
            OverallIndex::MeanOfItems | OverallIndex::Pooled => {
                let mut chosen = (0..items.len()).filter(|&i| self.in_index[i]);
                combine(&mut chosen, settings.overall_index == OverallIndex::Pooled).2
            }
        };
        (elements, overall)
    }
}

/// An index's linearised variable z = Σ_c α_c·y_c + γ_c·n_c over its answer columns c, with
/// y the share contribution and n the answered indicator (DESIGN.md §12).
type Coefficients = Vec<(usize, f64, f64)>;

impl Estimator<'_> {
    /// The coefficients of a mean of item shares (pooled: false) or a pooled share over the
    /// chosen columns with a share, as [`Estimator::indices`] combines them.
    fn coefficients(items: &[ItemEstimate], chosen: &[usize], pooled: bool, value: f64) -> Coefficients {
        let with_share: Vec<(usize, f64, f64)> =
            chosen.iter().filter_map(|&c| items[c].share.map(|p| (c, p, items[c].weight))).collect();
        if pooled {
            let w = with_share.iter().fold(-0.0f64, |w, &(_, _, n)| w + n);
            with_share.into_iter().map(|(c, _, _)| (c, 1.0 / w, -value / w)).collect()
        } else {
            let k = with_share.len() as f64;
            with_share
                .into_iter()
                .map(|(c, p, n)| {
                    let a = 1.0 / (k * n);
                    (c, a, -p * a)
                })
                .collect()
        }
    }

    /// Standard errors and intervals of the element and overall indices.
    fn index_intervals(
        &self,
        scratch: &mut Scratch,
        cells: &[usize],
        items: &[ItemEstimate],
        mut elements: Vec<ElementEstimate>,
        overall: Option<f64>,
    ) -> (Vec<ElementEstimate>, [Option<f64>; 4]) {
        let mut out = [overall, None, None, None];
        if !self.index_intervals {
            return (elements, out);
        }
        let settings = self.q.settings();
        let pooled = settings.element_index == ElementIndex::Pooled;
        let mut per_element: Vec<Option<Coefficients>> = Vec::new();
        for (e, chosen) in elements.iter().zip(&self.element_columns) {
            per_element.push(e.index.map(|v| Self::coefficients(items, chosen, pooled, v)));
        }
        let overall_coefficients = overall.map(|v| match settings.overall_index {
            OverallIndex::MeanOfElements => {
                let m = per_element.iter().flatten().count() as f64;
                per_element.iter().flatten().flatten().map(|&(c, a, g)| (c, a / m, g / m)).collect()
            }
            OverallIndex::MeanOfItems | OverallIndex::Pooled => {
                let chosen: Vec<usize> = (0..items.len()).filter(|&c| self.in_index[c]).collect();
                Self::coefficients(items, &chosen, settings.overall_index == OverallIndex::Pooled, v)
            }
        });
        if per_element.iter().all(Option::is_none) && overall_coefficients.is_none() {
            return (elements, out);
        }
        let Some(totals) = self.index_totals(scratch, cells) else { return (elements, out) };
        let one = |value: Option<f64>, coefficients: &Option<Coefficients>| -> [Option<f64>; 3] {
            let (Some(p), Some(coefficients)) = (value, coefficients) else { return [None; 3] };
            // A stratum with a single PSU leaves the index, as its items, without a variance.
            if coefficients.iter().any(|&(c, _, _)| items[c].se.is_none()) {
                return [None; 3];
            }
            let Some(v) = self.index_variance(scratch, &totals, coefficients) else { return [None; 3] };
            let se = v.sqrt();
            let (lo, hi) = match logit_interval(p, se, self.z) {
                Some((lo, hi)) => (Some(lo), Some(hi)),
                None => (None, None),
            };
            [Some(se), lo, hi]
        };
        for (e, c) in elements.iter_mut().zip(&per_element) {
            [e.se, e.ci_low, e.ci_high] = one(e.index, c);
        }
        let [se, lo, hi] = one(overall, &overall_coefficients);
        out[1..].copy_from_slice(&[se, lo, hi]);
        (elements, out)
    }

    /// The domain's sums the index variances need, in `scratch`: with clusters, per PSU
    /// touched (in the order of their names) Σ w·y and Σ w of every index column; without,
    /// the same per stratum and the cross sums of the features per stratum. `None` when the
    /// tally keeps no cross sums (or none that fit the questionnaire).
    fn index_totals(&self, scratch: &mut Scratch, cells: &[usize]) -> Option<IndexTotals> {
        let layout = self.q.layout();
        let columns = layout.columns.len();
        let all = self.tally.cells();
        let add = |totals: &mut [f64], moments: &[Moments]| {
            for ((c, m), column) in moments.iter().enumerate().zip(&layout.columns) {
                if self.in_index[c] {
                    totals[2 * c] += m.wy / column.scale;
                    totals[2 * c + 1] += m.w;
                }
            }
        };
        scratch.totals.clear();
        scratch.psus.clear();
        if self.design.clustered {
            scratch.psus.extend(cells.iter().map(|&c| self.psu_of_cell[c]));
            scratch.psus.sort_unstable();
            scratch.psus.dedup();
            scratch.totals.resize(scratch.psus.len() * 2 * columns, 0.0);
            for &c in cells {
                let j = scratch.psus.binary_search(&self.psu_of_cell[c]).unwrap_or_default();
                add(&mut scratch.totals[j * 2 * columns..(j + 1) * 2 * columns], self.tally.moments(c));
            }
            Some(IndexTotals { width: 0 })
        } else {
            let (_, map) = self.features.as_ref()?;
            let width = self.tally.gram_width();
            if width != map.count * (map.count + 1) / 2 {
                return None;
            }
            let strata = self.psus.len();
            scratch.totals.resize(strata * 2 * columns, 0.0);
            scratch.gram.clear();
            scratch.gram.resize(strata * width, 0.0);
            for &c in cells {
                let h = all[c].stratum as usize;
                add(&mut scratch.totals[h * 2 * columns..(h + 1) * 2 * columns], self.tally.moments(c));
                for (g, x) in scratch.gram[h * width..(h + 1) * width].iter_mut().zip(self.tally.gram(c)) {
                    *g += x;
                }
                scratch.psus.push(h as u32);
            }
            scratch.psus.sort_unstable();
            scratch.psus.dedup();
            Some(IndexTotals { width })
        }
    }

    /// V = Σ_h n_h / (n_h − 1) · (Σ_j Z_hj² − (Σ_j Z_hj)² / n_h) for the linearised variable of
    /// `coefficients`, from the sums of [`Estimator::index_totals`].
    fn index_variance(
        &self,
        scratch: &Scratch,
        totals: &IndexTotals,
        coefficients: &Coefficients,
    ) -> Option<f64> {
        let columns = self.q.layout().columns.len();
        let z =
            |t: &[f64]| coefficients.iter().fold(0.0, |z, &(c, a, g)| z + a * t[2 * c] + g * t[2 * c + 1]);
        let mut per_stratum = vec![[0.0f64; 2]; self.psus.len()];
        if self.design.clustered {
            for (j, &psu) in scratch.psus.iter().enumerate() {
                let zj = z(&scratch.totals[j * 2 * columns..(j + 1) * 2 * columns]);
                let s = &mut per_stratum[self.psu_stratum[psu as usize] as usize];
                s[0] += zj * zj;
                s[1] += zj;
            }
        } else {
            let (kind, map) = self.features.as_ref()?;
            let beta = feature_coefficients(*kind, map, coefficients, columns)?;
            for &h in &scratch.psus {
                let h = h as usize;
                let gram = &scratch.gram[h * totals.width..(h + 1) * totals.width];
                per_stratum[h] =
                    [quadratic(&beta, gram), z(&scratch.totals[h * 2 * columns..(h + 1) * 2 * columns])];
            }
        }
        let mut v = 0.0;
        let mut seen = vec![false; self.psus.len()];
        if self.design.clustered {
            for &psu in &scratch.psus {
                seen[self.psu_stratum[psu as usize] as usize] = true;
            }
        } else {
            for &h in &scratch.psus {
                seen[h as usize] = true;
            }
        }
        for &h in &self.strata_by_name {
            let nh = self.psus[h] as f64;
            if !seen[h] || nh < 2.0 {
                continue;
            }
            let [squares, total] = per_stratum[h];
            v += nh / (nh - 1.0) * (squares - total * total / nh);
        }
        Some(v.max(0.0))
    }
}

/// The shape of the sums in [`Scratch`] for the index variances.
struct IndexTotals {
    /// The cross sums' entries per stratum (0 with clusters).
    width: usize,
}

/// The share and mean ratios of a column in a domain (Σ w·y / Σ w, y in shares of 1, and
/// Σ w·x / Σ w), when it has answers of positive weight.
fn ratios(m: &Moments, column: &Column) -> Option<[f64; 2]> {
    (m.n > 0 && m.w > 0.0).then(|| [m.wy / column.scale / m.w, m.wx / m.w])
}

/// One stratum's term of a ratio's linearised variance (before the division by W²):
/// n_h / (n_h − 1) · (S_yy − 2p S_y1 + p² S_11 − (S_y − p S_1)² / n_h).
fn stratum_term(nh: f64, s: &Sums, p: f64) -> f64 {
    let squares = s[0] - 2.0 * p * s[1] + p * p * s[2];
    let total = s[3] - p * s[4];
    nh / (nh - 1.0) * (squares - total * total / nh)
}

/// The coefficients of the tally's features (the constant, then per group its blank count
/// and its shortfall) for a linearised variable given per answer column: with n = 1 − blank
/// and y = n − shortfall / 100 per column, α·y + γ·n = (α + γ) − (α + γ)·blank − α/100·shortfall. Per
/// element features need the same (α, γ) on every column of an element (pooled indices);
/// `None` otherwise.
fn feature_coefficients(
    kind: Features,
    map: &FeatureMap,
    coefficients: &Coefficients,
    columns: usize,
) -> Option<Vec<f64>> {
    let mut of_column = vec![None; columns];
    for &(c, a, g) in coefficients {
        map.group_of[c]?;
        of_column[c] = Some((a, g));
    }
    let mut beta = vec![0.0; map.count];
    for (g, cs) in map.columns.iter().enumerate() {
        let mut group: Option<(f64, f64)> = None;
        for &c in cs {
            match (group, of_column[c]) {
                (None, x) => group = x,
                (Some(x), Some(y)) if x != y => return None,
                _ => {}
            }
        }
        debug_assert!(kind == Features::Elements || cs.len() == 1);
        let (a, gamma) = group.unwrap_or((0.0, 0.0));
        beta[0] += cs.len() as f64 * (a + gamma);
        beta[1 + 2 * g] = -(a + gamma);
        beta[2 + 2 * g] = -a / SHORTFALL_SCALE;
    }
    Some(beta)
}

/// βᵀ G β for G given as its packed upper triangle, row after row.
fn quadratic(beta: &[f64], gram: &[f64]) -> f64 {
    let f = beta.len();
    // An element's coefficients are zero outside its own features: visit the nonzero ones.
    let nonzero: Vec<usize> = (0..f).filter(|&u| beta[u] != 0.0).collect();
    let mut q = 0.0;
    for (a, &u) in nonzero.iter().enumerate() {
        // Row u of the packed triangle starts at Σ_{t < u} (f − t).
        let row = u * f - u * (u.saturating_sub(1)) / 2;
        let off: f64 = nonzero[a + 1..].iter().map(|&v| gram[row + v - u] * beta[v]).sum();
        q += beta[u] * (beta[u] * gram[row] + 2.0 * off);
    }
    q
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
        let ci = |lo: Option<f64>, hi: Option<f64>| match (lo, hi) {
            (Some(lo), Some(hi)) => {
                format!(" ({:.0}% CI {:.2}–{:.2}%)", self.confidence * 100.0, lo * 100.0, hi * 100.0)
            }
            _ => String::new(),
        };
        for d in self.domains.iter().filter(|d| d.kind == DomainKind::Unit) {
            let (percent, note) = match measure {
                Measure::Item(code) => {
                    let Some(e) = d.items.iter().find(|e| e.column == code) else {
                        return Err(unknown(code));
                    };
                    let Some(share) = e.share else { continue };
                    let binary = e.interval == Interval::Wilson;
                    let percent = if binary {
                        (Decimal::from(e.positive * 100) / Decimal::from(e.n)).round_dp(20)
                    } else {
                        shortest(share * 100.0)
                    };
                    let note = format!(
                        "survey {}, item {}: {}% of {} answers{}",
                        self.questionnaire,
                        e.column,
                        percent.round_dp(2).normalize(),
                        e.n,
                        ci(e.ci_low, e.ci_high)
                    );
                    (percent, note)
                }
                Measure::Element(code) => {
                    let Some(e) = d.elements.iter().find(|e| e.element == code) else {
                        return Err(unknown(code));
                    };
                    let Some(index) = e.index else { continue };
                    let percent = shortest(index * 100.0);
                    let note = format!(
                        "survey {}, element {}: {}% over {} items, {} answers, {} respondents{}",
                        self.questionnaire,
                        e.element,
                        percent.round_dp(2).normalize(),
                        e.items,
                        e.n,
                        d.respondents,
                        ci(e.ci_low, e.ci_high)
                    );
                    (percent, note)
                }
                Measure::Overall => {
                    let Some(index) = d.overall else { continue };
                    let percent = shortest(index * 100.0);
                    let note = format!(
                        "survey {}, overall index: {}% from {} respondents{}",
                        self.questionnaire,
                        percent.round_dp(2).normalize(),
                        d.respondents,
                        ci(d.overall_ci_low, d.overall_ci_high)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::{Answers, Batch, Element, Item, ItemKind, Labels, SurveySettings};

    const B: u8 = crate::survey::NO_ANSWER;

    /// Elements e1 = {A1, A2} and e2 = {B1}, five-point satisfaction items.
    fn questionnaire(settings: SurveySettings) -> Questionnaire {
        let element = |c: &str| Element { code: c.into(), name: String::new(), name_en: None };
        Questionnaire::new(
            "hand",
            vec![element("e1"), element("e2")],
            vec![
                Item::new("A1", ItemKind::likert()).element("e1"),
                Item::new("A2", ItemKind::likert()).element("e1"),
                Item::new("B1", ItemKind::likert()).element("e2"),
            ],
            settings,
        )
        .expect("valid")
    }

    /// Four respondents (weights 1, 2, 1, 3; A2 of r2 and B1 of r3 blank), optionally in two
    /// clusters {r1, r2}, {r3, r4} of one stratum.
    fn results(settings: SurveySettings, clustered: bool) -> DomainEstimate {
        let q = questionnaire(settings);
        let units = vec!["u".to_string()];
        let (strata, clusters) = (vec!["s".to_string()], vec!["k1".to_string(), "k2".to_string()]);
        let answers = [5, 4, 5, 2, B, 1, 4, 1, B, 3, 5, 4];
        let mut batch = Batch::new(Labels { index: &[0; 4], names: &units }, Answers::Rows(&answers))
            .weights(&[1.0, 2.0, 1.0, 3.0]);
        if clustered {
            batch = batch
                .strata(Labels { index: &[0; 4], names: &strata })
                .clusters(Labels { index: &[0, 0, 1, 1], names: &clusters });
        }
        let mut t = Tally::new(&q);
        t.add(&q, &batch).expect("valid");
        let r = survey_results(&q, &t, &SurveyOptions::new().by(&[DomainKind::All])).expect("results");
        r.domains.into_iter().next().expect("one domain")
    }

    fn close(a: Option<f64>, b: f64) {
        let a = a.expect("a value");
        assert!((a - b).abs() <= 1e-15 * b.abs().max(1e-3), "{a} vs {b}");
    }

    /// Per respondent, its weight times z_r, hand-derived.
    fn variance_srs(wz: [f64; 4]) -> f64 {
        // One stratum, each respondent a PSU: n / (n − 1) · (Σ (w z)² − (Σ w z)² / n).
        let (s2, s): (f64, f64) = (wz.iter().map(|x| x * x).sum(), wz.iter().sum());
        4.0 / 3.0 * (s2 - s * s / 4.0)
    }

    // A1: y = 1, 0, 1, 0 over w = 1, 2, 1, 3: N = 7, p = 2/7.
    // A2: y = 1, –, 0, 1 over w = 1, 1, 3:     N = 5, p = 4/5.
    // B1: y = 1, 0, –, 1 over w = 1, 2, 3:     N = 6, p = 4/6.
    const W: [f64; 4] = [1.0, 2.0, 1.0, 3.0];

    fn z_mean_e1() -> [f64; 4] {
        // c = 1 / (k N): 1/14 for A1, 1/10 for A2.
        let (p1, p2) = (2.0 / 7.0, 4.0 / 5.0);
        [
            (1.0 - p1) / 14.0 + (1.0 - p2) / 10.0,
            (0.0 - p1) / 14.0,
            (1.0 - p1) / 14.0 + (0.0 - p2) / 10.0,
            (0.0 - p1) / 14.0 + (1.0 - p2) / 10.0,
        ]
    }

    fn z_b1() -> [f64; 4] {
        let p = 4.0 / 6.0;
        [(1.0 - p) / 6.0, (0.0 - p) / 6.0, 0.0, (1.0 - p) / 6.0]
    }

    #[test]
    fn mean_of_items_and_mean_of_elements_by_hand() {
        let d = results(SurveySettings::default(), false);
        let e1 = &d.elements[0];
        close(e1.index, (2.0 / 7.0 + 4.0 / 5.0) / 2.0);
        let wz = |z: [f64; 4]| [0, 1, 2, 3].map(|r| W[r] * z[r]);
        let v1 = variance_srs(wz(z_mean_e1()));
        close(e1.se, v1.sqrt());
        // The element of one item has its item's standard error.
        close(d.elements[1].se, d.items[2].se.expect("item se"));
        close(d.elements[1].se, variance_srs(wz(z_b1())).sqrt());
        // Overall: the mean of the two elements, z = (z_e1 + z_e2) / 2.
        let (a, b) = (z_mean_e1(), z_b1());
        let z = [0, 1, 2, 3].map(|r| (a[r] + b[r]) / 2.0);
        close(d.overall_se, variance_srs(wz(z)).sqrt());
        // Ignoring the covariance of the elements would give another number.
        let naive = (v1 + variance_srs(wz(z_b1()))).sqrt() / 2.0;
        assert!((d.overall_se.expect("se") - naive).abs() > 1e-4);
        // The interval is the logit interval of the index.
        let (lo, hi) = logit_interval(e1.index.expect("index"), e1.se.expect("se"), 1.959_963_984_540_054)
            .expect("inside (0, 1)");
        close(e1.ci_low, lo);
        close(e1.ci_high, hi);
        assert!(e1.ci_low < e1.index && e1.index < e1.ci_high);
    }

    #[test]
    fn pooled_and_mean_of_items_overall_by_hand() {
        let settings = SurveySettings {
            element_index: ElementIndex::Pooled,
            overall_index: OverallIndex::Pooled,
            ..SurveySettings::default()
        };
        let d = results(settings, false);
        // e1 pooled: (2 + 4) / (7 + 5) = 1/2; z = (y1 + y2 − (n1 + n2) / 2) / 12.
        close(d.elements[0].index, 0.5);
        let wz = [1.0 * (2.0 - 1.0) / 12.0, 2.0 * (0.0 - 0.5) / 12.0, 0.0, 0.0];
        close(d.elements[0].se, variance_srs(wz).sqrt());
        close(d.elements[0].se, (1.0f64 / 54.0).sqrt());
        // Overall pooled: (2 + 4 + 4) / (7 + 5 + 6) = 5/9; z = (Σ y − 5/9 Σ n) / 18.
        let t = 5.0 / 9.0;
        let z =
            [(3.0 - 3.0 * t) / 18.0, (0.0 - 2.0 * t) / 18.0, (1.0 - 2.0 * t) / 18.0, (2.0 - 3.0 * t) / 18.0];
        close(d.overall, t);
        close(d.overall_se, variance_srs([0, 1, 2, 3].map(|r| W[r] * z[r])).sqrt());
        // Overall as the mean of all three items: c = 1 / (3 N).
        let settings =
            SurveySettings { overall_index: OverallIndex::MeanOfItems, ..SurveySettings::default() };
        let d = results(settings, false);
        let (p1, p2, p3) = (2.0 / 7.0, 4.0 / 5.0, 4.0 / 6.0);
        let z = [
            (1.0 - p1) / 21.0 + (1.0 - p2) / 15.0 + (1.0 - p3) / 18.0,
            (0.0 - p1) / 21.0 + (0.0 - p3) / 18.0,
            (1.0 - p1) / 21.0 + (0.0 - p2) / 15.0,
            (0.0 - p1) / 21.0 + (1.0 - p2) / 15.0 + (1.0 - p3) / 18.0,
        ];
        close(d.overall, (p1 + p2 + p3) / 3.0);
        close(d.overall_se, variance_srs([0, 1, 2, 3].map(|r| W[r] * z[r])).sqrt());
    }

    #[test]
    fn clusters_take_the_psu_totals_of_z() {
        let d = results(SurveySettings::default(), true);
        // Two PSUs in one stratum: V = 2 · (Z1² + Z2² − (Z1 + Z2)² / 2).
        let z = z_mean_e1();
        let (z1, z2) = (W[0] * z[0] + W[1] * z[1], W[2] * z[2] + W[3] * z[3]);
        let v = 2.0 * (z1 * z1 + z2 * z2 - (z1 + z2) * (z1 + z2) / 2.0);
        close(d.elements[0].se, v.sqrt());
        let (a, b) = (z_mean_e1(), z_b1());
        let z = [0, 1, 2, 3].map(|r| W[r] * (a[r] + b[r]) / 2.0);
        let (z1, z2) = (z[0] + z[1], z[2] + z[3]);
        close(d.overall_se, (2.0 * (z1 * z1 + z2 * z2 - (z1 + z2) * (z1 + z2) / 2.0)).sqrt());
    }

    #[test]
    fn index_intervals_can_be_switched_off() {
        for clustered in [false, true] {
            let d =
                results(SurveySettings { index_intervals: false, ..SurveySettings::default() }, clustered);
            assert!(d.elements[0].index.is_some() && d.overall.is_some());
            assert_eq!(
                (d.elements[0].se, d.elements[0].ci_low, d.overall_se, d.overall_ci_high),
                (None, None, None, None)
            );
            assert!(d.items[0].se.is_some());
        }
    }
}
