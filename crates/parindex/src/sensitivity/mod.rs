//! How robust is a ranking? Uncertainty and sensitivity analysis of ranks (DESIGN.md §11).
//!
//! [`sensitivity`] replicates the scoring of every unit under uncertain choices declared as
//! data ([`Uncertainty`]: weights, appraisal noise, the aggregation rule, leaving a criterion
//! out), with a seeded portable generator, and reports each unit's nominal rank, median rank,
//! percentile interval, the probability of each rank, of the top k and of each band, the mean
//! absolute rank shift, and (on request) each source's first-order and total-effect
//! sensitivity indices. [`leave_one_out`] and [`weight_sweep`] are exact, not random.
//!
//! Replications work in `f64` on the plan the exact scorer compiled (DESIGN.md §11 says where
//! and why); with no perturbation every replication reproduces the exact ranks.

mod engine;
mod exact;
mod rng;
mod spec;

pub use exact::{leave_one_out, weight_sweep, LeftOut, WeightSweep};
pub use spec::{
    NodeSet, SensitivityOptions, SurveyShare, Uncertainty, UncertaintySource, WeightDistribution,
};

use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::Result;
use crate::score::Results;
use engine::{Acc, Model, Runner, Scratch};

/// A progress callback: `(replications done, replications in all)`. It is called after each
/// batch of replications, from the worker threads under the `parallel` feature (hence
/// `Send + Sync` there).
#[cfg(feature = "parallel")]
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Send + Sync);
/// A progress callback: `(replications done, replications in all)`, called after each batch
/// of replications.
#[cfg(not(feature = "parallel"))]
pub type Progress<'a> = &'a dyn Fn(u64, u64);

/// The outcome of a Monte Carlo analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Sensitivity {
    /// The number of replications.
    pub runs: u32,
    /// The seed.
    pub seed: u64,
    /// The percentiles of the interval.
    #[serde(with = "decimal_pair")]
    pub percentiles: (Decimal, Decimal),
    /// The `k` of the top-k probability.
    pub top: u32,
    /// Each source's label, in declaration order.
    pub sources: Vec<String>,
    /// The methodology's bands, best first (the band probabilities follow this order, then
    /// "no band").
    pub bands: Vec<String>,
    /// The ranked units, in nominal rank order.
    pub units: Vec<UnitSensitivity>,
    /// The mean over replications of the mean absolute rank shift `|rank − nominal rank|`.
    pub mean_shift: f64,
    /// Each source's indices on the mean absolute rank shift (empty without attribution).
    pub shift_attribution: Vec<Attribution>,
}

/// One unit's rank distribution.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct UnitSensitivity {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// Its published index.
    #[serde(with = "rust_decimal::serde::str")]
    pub index: Decimal,
    /// The exact rank.
    pub nominal_rank: u32,
    /// The median rank (the 50th percentile, nearest rank).
    pub median: u32,
    /// The lower percentile's rank (the better end of the interval).
    pub low: u32,
    /// The upper percentile's rank.
    pub high: u32,
    /// The mean rank.
    pub mean_rank: f64,
    /// The mean of `|rank − nominal rank|`.
    pub mean_shift: f64,
    /// The probability of a rank of at most `top`.
    pub top: f64,
    /// Replications per rank: `histogram[r - 1]` for rank `r` (stored over the ranks the
    /// unit reached, serialized as the full list of `n` counts).
    pub histogram: RankHistogram,
    /// Replications per band (in [`Sensitivity::bands`] order, then "no band"); empty when
    /// the methodology has no bands.
    pub bands: Vec<u32>,
    /// Each source's indices on this unit's rank (empty without attribution).
    pub attribution: Vec<Attribution>,
}

/// A source's variance-based indices: first-order (Saltelli 2010) and total effect (Jansen
/// 1999); `None` when the output does not vary.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Attribution {
    /// The source's label.
    pub source: String,
    /// The first-order index.
    pub first_order: Option<f64>,
    /// The total-effect index.
    pub total: Option<f64>,
}

/// Replications per rank of one unit, stored over the ranks it reached only (from its best
/// to its worst rank), so that `n` units take memory in the sum of their rank ranges, not
/// `n × n` (DESIGN.md §11). Reads like the full list: `histogram[r - 1]` is the count of rank
/// `r` (0 outside the range), [`RankHistogram::iter`] gives all `n` counts, and it
/// serializes as that list.
///
/// # Examples
///
/// ```
/// use parindex::{score, sensitivity, Info, Methodology, Node, Scores, SensitivityOptions, Settings,
///                Uncertainty, UncertaintySource, Unit, Value};
/// let m = Methodology::new(Info::new("m", "M"), Settings::default(), vec![
///     Node::new("1", "A").max(10.into()), Node::new("2", "B").max(10.into())]).unwrap();
/// let mut s = Scores::new(&m);
/// for (id, a) in [("x", 9), ("y", 8), ("z", 1)] {
///     let u = s.add_unit(Unit::new(id)).unwrap();
///     s.set(u, "1", Value::Number(a.into())).unwrap();
///     s.set(u, "2", Value::Number(5.into())).unwrap();
/// }
/// let r = score(&m, &s).unwrap();
/// let noise = Uncertainty::new().source(UncertaintySource::noise(1.into()));
/// let out = sensitivity(&r, &noise, &SensitivityOptions::new().runs(400).seed(2)).unwrap();
/// let x = &out.units[0].histogram;
/// // x and y swap now and then; z (15 points behind) is never reached.
/// assert_eq!(x.len(), 3);
/// assert_eq!(x[0] + x[1], 400);
/// assert!(x[1] > 0 && x.count(2) == x[1] && x.count(3) == 0);
/// assert_eq!(x.reached().map(|(rank, _)| rank).collect::<Vec<_>>(), vec![1, 2]);
/// assert_eq!(x.to_vec(), vec![x[0], x[1], 0]);
/// assert_eq!(serde_json::to_string(x).unwrap(), format!("[{},{},0]", x[0], x[1]));
/// assert!(!x.is_empty() && x.iter().count() == 3);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RankHistogram {
    /// The first rank stored (1-based; the unit's best rank once counted).
    pub(crate) first: u32,
    /// Counts of ranks `first, first + 1, …`.
    pub(crate) counts: Vec<u32>,
    /// The number of ranks (ranked units).
    pub(crate) len: u32,
}

static ZERO: u32 = 0;

impl RankHistogram {
    pub(crate) fn new(len: u32) -> RankHistogram {
        RankHistogram { first: 1, counts: Vec::new(), len }
    }

    /// Keeps the counts over the ranks reached only (no zero at either end).
    pub(crate) fn trim(&mut self) {
        let start = self.counts.iter().position(|&c| c > 0).unwrap_or(self.counts.len());
        let end = self.counts.iter().rposition(|&c| c > 0).map_or(start, |i| i + 1);
        self.counts.truncate(end);
        self.counts.drain(..start);
        self.first += start as u32;
    }

    /// Extends the stored range to cover ranks `lo..=hi`.
    #[inline]
    pub(crate) fn cover(&mut self, lo: u32, hi: u32) {
        if self.counts.is_empty() {
            self.first = lo;
            self.counts.resize((hi - lo + 1) as usize, 0);
            return;
        }
        if lo < self.first {
            let mut grown = vec![0u32; (self.first - lo) as usize];
            grown.extend_from_slice(&self.counts);
            self.counts = grown;
            self.first = lo;
        }
        let last = self.first + self.counts.len() as u32 - 1;
        if hi > last {
            self.counts.resize((hi - self.first + 1) as usize, 0);
        }
    }

    /// Adds another histogram of the same units.
    pub(crate) fn add(&mut self, other: &RankHistogram) {
        if other.counts.is_empty() {
            return;
        }
        let last = other.first + other.counts.len() as u32 - 1;
        self.cover(other.first, last);
        let at = (other.first - self.first) as usize;
        for (x, &y) in self.counts[at..].iter_mut().zip(&other.counts) {
            *x += y;
        }
    }

    /// The number of ranks, `n` (as the full list's length).
    ///
    /// # Examples
    ///
    /// See [`RankHistogram`] (every method is used there).
    #[must_use]
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether there are no ranks (no ranked unit).
    ///
    /// # Examples
    ///
    /// See [`RankHistogram`].
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The count of rank `r` (1-based); 0 for a rank never reached.
    ///
    /// # Examples
    ///
    /// See [`RankHistogram`].
    #[must_use]
    pub fn count(&self, rank: u32) -> u32 {
        match rank.checked_sub(self.first) {
            Some(i) => self.counts.get(i as usize).copied().unwrap_or(0),
            None => 0,
        }
    }

    /// The ranks reached, best first, each with its count (the stored range; counts may be 0
    /// inside it).
    ///
    /// # Examples
    ///
    /// See [`RankHistogram`].
    pub fn reached(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.counts.iter().enumerate().map(|(i, &c)| (self.first + i as u32, c))
    }

    /// All `n` counts, rank 1 first (zeros outside the stored range).
    ///
    /// # Examples
    ///
    /// See [`RankHistogram`].
    pub fn iter(&self) -> impl Iterator<Item = &u32> + '_ {
        (0..self.len as usize).map(move |i| &self[i])
    }

    /// All `n` counts as a vector, rank 1 first.
    ///
    /// # Examples
    ///
    /// See [`RankHistogram`].
    #[must_use]
    pub fn to_vec(&self) -> Vec<u32> {
        self.iter().copied().collect()
    }
}

impl std::ops::Index<usize> for RankHistogram {
    type Output = u32;

    /// The count of rank `i + 1`, as in the full list.
    ///
    /// # Panics
    ///
    /// When `i` is not below [`RankHistogram::len`], like a slice.
    fn index(&self, i: usize) -> &u32 {
        assert!(i < self.len as usize, "rank {} out of 1..={}", i + 1, self.len);
        match i.checked_sub(self.first as usize - 1) {
            Some(j) => self.counts.get(j).unwrap_or(&ZERO),
            None => &ZERO,
        }
    }
}

impl Serialize for RankHistogram {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

mod decimal_pair {
    use rust_decimal::Decimal;
    use serde::Serializer;

    pub(super) fn serialize<S: Serializer>(v: &(Decimal, Decimal), s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        let mut t = s.serialize_tuple(2)?;
        t.serialize_element(&v.0.to_string())?;
        t.serialize_element(&v.1.to_string())?;
        t.end()
    }
}

impl UnitSensitivity {
    /// The probability of rank `r` (1-based); 0 outside `1..=n`.
    ///
    /// # Examples
    ///
    /// See [`sensitivity`].
    #[must_use]
    pub fn probability(&self, rank: u32) -> f64 {
        let runs: u64 = self.histogram.counts.iter().map(|&c| u64::from(c)).sum();
        if runs == 0 {
            return 0.0;
        }
        f64::from(self.histogram.count(rank)) / runs as f64
    }
}

/// Runs a Monte Carlo uncertainty analysis of the ranks in `results`.
///
/// Every replication `j` draws each source from its own ChaCha8 stream, numbered by `j` and
/// the source, and scores every ranked unit; ranks are counted per unit. The same seed gives
/// the same bits on every platform and thread count.
///
/// # Errors
///
/// All at once: `zero_runs`; `invalid_spread` (negative, or a weight spread of 1 or more);
/// `invalid_concentration` (≤ 0); `weights_all_zero` (leaving a criterion out would leave
/// nothing to average, at that criterion); `invalid_sensitivity` (unknown criterion or
/// level, a weight perturbed twice, percentiles outside `0 < low < high ≤ 100`, top 0);
/// `not_a_leaf` (noise on an inner node); `unsupported_version`; `too_precise` for a unit
/// whose exact plan has no 128-bit form.
///
/// # Examples
///
/// ```
/// use parindex::{score, sensitivity, Info, Methodology, Node, Scores, SensitivityOptions, Settings,
///                Uncertainty, UncertaintySource, Unit, Value, WeightDistribution};
/// let m = Methodology::new(Info::new("m", "M"), Settings::default(), vec![
///     Node::new("1", "A").max(50.into()),
///     Node::new("2", "B").max(50.into()),
/// ]).unwrap();
/// let mut s = Scores::new(&m);
/// for (id, a, b) in [("x", 50, 10), ("y", 20, 45), ("z", 10, 10)] {
///     let u = s.add_unit(Unit::new(id)).unwrap();
///     s.set(u, "1", Value::Number(a.into())).unwrap();
///     s.set(u, "2", Value::Number(b.into())).unwrap();
/// }
/// let r = score(&m, &s).unwrap();
/// // No perturbation: every interval is the exact rank.
/// let zero = Uncertainty::new().source(UncertaintySource::weights(WeightDistribution::uniform(0.into())));
/// let out = sensitivity(&r, &zero, &SensitivityOptions::new().runs(100)).unwrap();
/// assert!(out.units.iter().all(|u| u.low == u.nominal_rank && u.high == u.nominal_rank));
/// // ±50 % on both weights: x (60) and y (65) swap places now and then; z stays last.
/// let wide = Uncertainty::new().source(UncertaintySource::weights(WeightDistribution::uniform("0.5".parse().unwrap())));
/// let out = sensitivity(&r, &wide, &SensitivityOptions::new().runs(2000).seed(1)).unwrap();
/// let y = &out.units[0];
/// assert_eq!((y.id.as_str(), y.nominal_rank), ("y", 1));
/// assert!(y.probability(2) > 0.1 && y.probability(2) < 0.5);
/// assert_eq!(out.units[2].probability(3), 1.0);
/// ```
pub fn sensitivity(
    results: &Results,
    uncertainty: &Uncertainty,
    options: &SensitivityOptions,
) -> Result<Sensitivity> {
    sensitivity_with_progress(results, uncertainty, options, &|_, _| {})
}

/// [`sensitivity`], calling `progress(done, total)` after each batch of replications.
///
/// # Errors
///
/// As [`sensitivity`].
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use parindex::{score, sensitivity_with_progress, Info, Methodology, Node, Scores,
///                SensitivityOptions, Settings, Uncertainty, UncertaintySource, Unit, Value};
/// let m = Methodology::new(Info::new("m", "M"), Settings::default(), vec![
///     Node::new("1", "A").max(10.into()), Node::new("2", "B").max(10.into())]).unwrap();
/// let mut s = Scores::new(&m);
/// for (id, a) in [("x", 7), ("y", 5)] {
///     let u = s.add_unit(Unit::new(id)).unwrap();
///     s.set(u, "1", Value::Number(a.into())).unwrap();
///     s.set(u, "2", Value::Number(6.into())).unwrap();
/// }
/// let r = score(&m, &s).unwrap();
/// let last = AtomicU64::new(0);
/// let u = Uncertainty::new().source(UncertaintySource::noise(1.into()));
/// sensitivity_with_progress(&r, &u, &SensitivityOptions::new().runs(500), &|done, total| {
///     assert_eq!(total, 500);
///     last.fetch_max(done, Ordering::Relaxed);
/// }).unwrap();
/// assert_eq!(last.load(Ordering::Relaxed), 500);
/// ```
pub fn sensitivity_with_progress(
    results: &Results,
    uncertainty: &Uncertainty,
    options: &SensitivityOptions,
    progress: Progress<'_>,
) -> Result<Sensitivity> {
    let model = Model::new(results)?;
    let runner = Runner::new(&model, uncertainty, options)?;
    let acc = run(&runner, progress);
    Ok(summarize(&runner, uncertainty, options, acc))
}

/// Replications per batch: about 64 evaluations, 512 for more than 2,048 units (their rank
/// histograms do not fit a cache: a larger batch touches each unit's counts once for more
/// replications).
fn rows_per_batch(r: &Runner<'_>) -> u64 {
    let evals = if r.model.n > 2048 { 512 } else { 64 };
    (evals / r.per_row()).max(1) as u64
}

fn run(r: &Runner<'_>, progress: Progress<'_>) -> Acc {
    let runs = u64::from(r.runs);
    let per = rows_per_batch(r);
    let batches = runs.div_ceil(per);
    let range = move |b: u64| b * per..((b + 1) * per).min(runs);
    #[cfg(feature = "parallel")]
    if !r.is_reference() && rayon::current_num_threads() > 1 {
        use std::sync::atomic::{AtomicU64, Ordering};
        // One worker per thread of the pool, each with its own sums and buffers, takes the next
        // batch until none is left; the sums are integers, so merging them in any order gives
        // the same bits.
        let (next, done) = (AtomicU64::new(0), AtomicU64::new(0));
        // Progress is reported in order, ending at `runs`: a worker whose count was overtaken
        // while it waited says nothing (reported out of order, 448 could follow 500).
        let reported = std::sync::Mutex::new(0u64);
        let accs = rayon::broadcast(|_| {
            let mut acc = Acc::new(r);
            let mut sc = Scratch::new(r.model);
            loop {
                let b = next.fetch_add(1, Ordering::Relaxed);
                if b >= batches {
                    return acc;
                }
                let rows = range(b);
                let k = rows.end - rows.start;
                r.batch(rows, &mut acc, &mut sc);
                let now = done.fetch_add(k, Ordering::Relaxed) + k;
                let mut last = reported.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if now > *last {
                    *last = now;
                    progress(now, runs);
                }
            }
        });
        return accs.into_iter().reduce(Acc::merge).unwrap_or_else(|| Acc::new(r));
    }
    let mut acc = Acc::new(r);
    let mut sc = Scratch::new(r.model);
    for b in 0..batches {
        let rows = range(b);
        let end = rows.end;
        r.batch(rows, &mut acc, &mut sc);
        progress(end, runs);
    }
    acc
}

/// The rank at which the cumulative count first reaches `⌈p · runs / 100⌉` (at least 1).
fn percentile(hist: &RankHistogram, runs: u64, p: Decimal) -> u32 {
    let need = (p * Decimal::from(runs) / Decimal::ONE_HUNDRED).ceil();
    let need = u64::try_from(need).unwrap_or(runs).clamp(1, runs.max(1));
    let mut cum = 0u64;
    for (rank, c) in hist.reached() {
        cum += u64::from(c);
        if cum >= need {
            return rank;
        }
    }
    hist.len
}

/// `(first, total)` from the Saltelli/Jansen sums, with `n` the number of rows.
fn indices(
    sa: f64,
    sa2: f64,
    sb: f64,
    sb2: f64,
    first: f64,
    total: f64,
    n: f64,
) -> (Option<f64>, Option<f64>) {
    let n2 = 2.0 * n;
    let mean = (sa + sb) / n2;
    let var = (sa2 + sb2) / n2 - mean * mean;
    if var <= 0.0 {
        return (None, None);
    }
    (Some(first / n / var), Some(total / n2 / var))
}

fn summarize(r: &Runner<'_>, u: &Uncertainty, o: &SensitivityOptions, acc: Acc) -> Sensitivity {
    let m = r.model;
    let n = m.n;
    let runs = u64::from(r.runs);
    let labels: Vec<String> = u.sources.iter().map(UncertaintySource::label).collect();
    let nb = m.band_labels.len() + 1;
    let Acc { hist, bands, sobol } = acc;
    // One unit's summary and its total absolute shift (units in parallel with the `parallel`
    // feature: each reads only its own histogram).
    let unit = |(pos, mut hist): (usize, RankHistogram)| -> (UnitSensitivity, u64) {
        hist.trim();
        let r0 = i64::from(m.nominal_rank[pos]);
        let (mut sum, mut shift, mut top) = (0u64, 0u64, 0u64);
        for (rank, c) in hist.reached() {
            sum += u64::from(rank) * u64::from(c);
            shift += (i64::from(rank) - r0).unsigned_abs() * u64::from(c);
            if rank <= o.top {
                top += u64::from(c);
            }
        }
        let attribution = match &sobol {
            Some(s) => {
                let k = labels.len();
                let mo = &s.moments[pos * 4..pos * 4 + 4];
                (0..k)
                    .map(|i| {
                        let (first, total) = indices(
                            mo[0] as f64,
                            mo[1] as f64,
                            mo[2] as f64,
                            mo[3] as f64,
                            s.first[pos * k + i] as f64,
                            s.total[pos * k + i] as f64,
                            runs as f64,
                        );
                        Attribution { source: labels[i].clone(), first_order: first, total }
                    })
                    .collect()
            }
            None => Vec::new(),
        };
        let unit = UnitSensitivity {
            id: m.ids[pos].clone(),
            name: m.names[pos].clone(),
            index: m.published[pos],
            nominal_rank: m.nominal_rank[pos],
            median: percentile(&hist, runs, Decimal::from(50)),
            low: percentile(&hist, runs, o.percentiles.0),
            high: percentile(&hist, runs, o.percentiles.1),
            mean_rank: sum as f64 / runs as f64,
            mean_shift: shift as f64 / runs as f64,
            top: top as f64 / runs as f64,
            histogram: hist,
            bands: if bands.is_empty() { Vec::new() } else { bands[pos * nb..(pos + 1) * nb].to_vec() },
            attribution,
        };
        (unit, shift)
    };
    #[cfg(feature = "parallel")]
    let summaries: Vec<(UnitSensitivity, u64)> = {
        use rayon::prelude::*;
        hist.into_par_iter().enumerate().map(unit).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let summaries: Vec<(UnitSensitivity, u64)> = hist.into_iter().enumerate().map(unit).collect();
    let total_shift: u64 = summaries.iter().map(|(_, shift)| shift).sum();
    let units: Vec<UnitSensitivity> = summaries.into_iter().map(|(unit, _)| unit).collect();
    let shift_attribution = match &sobol {
        Some(s) if n > 0 => {
            // Y = the total shift ÷ n; the indices are ratios, so the sums of the total shift serve.
            (0..labels.len())
                .map(|i| {
                    let (first, total) = indices(
                        s.shift[0] as f64,
                        s.shift[1] as f64,
                        s.shift[2] as f64,
                        s.shift[3] as f64,
                        s.shift_first[i] as f64,
                        s.shift_total[i] as f64,
                        runs as f64,
                    );
                    Attribution { source: labels[i].clone(), first_order: first, total }
                })
                .collect()
        }
        _ => Vec::new(),
    };
    Sensitivity {
        runs: r.runs,
        seed: o.seed,
        percentiles: o.percentiles,
        top: o.top,
        sources: labels,
        bands: m.band_labels.clone(),
        units,
        mean_shift: if n == 0 { 0.0 } else { total_shift as f64 / runs as f64 / n as f64 },
        shift_attribution,
    }
}

#[cfg(test)]
mod tests;
