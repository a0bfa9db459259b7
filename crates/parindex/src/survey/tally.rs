//! The streaming, mergeable aggregation state of survey responses.

use std::collections::HashMap;

use rustc_hash::FxHashMap;

use serde::{Deserialize, Serialize};

use super::batch::{Answers, Batch, Labels};
use super::kernel::{chunks, CellOf, Cross, Part};
use super::moments::{Moments, Plan};
use super::questionnaire::{is_true, yes, Features, InvalidAnswers, ItemKind, Questionnaire, NO_ANSWER};
use crate::error::{Error, Issue, IssueKind, Location, Result};

/// Which design features the responses carry; every batch of one tally must agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Design {
    /// Design weights were given.
    pub weighted: bool,
    /// Strata were given.
    pub stratified: bool,
    /// Clusters (PSUs) were given.
    pub clustered: bool,
}

impl Design {
    /// True for a simple random sample: no weights, strata or clusters.
    #[must_use]
    pub fn is_simple(&self) -> bool {
        !(self.weighted || self.stratified || self.clustered)
    }
}

/// No cluster: each respondent is its own primary sampling unit.
pub(crate) const NO_CLUSTER: u32 = u32::MAX;

/// The respondents of one unit, group, stratum and cluster.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct Cell {
    pub unit: u32,
    pub group: u32,
    pub stratum: u32,
    pub cluster: u32,
    pub respondents: u64,
    pub weight: f64,
}

type Key = (u32, u32, u32, u32);

/// Where a cell's sums come from: (the tally's cell, a chunk, the chunk's local cell).
type Source = (u32, u32, u32);

/// The aggregation state of survey responses: per unit, respondent group, stratum and
/// cluster, and per answer column, the numbers of valid, positive and invalid answers and the
/// weighted sums (moments) the estimates need. Its size depends on units × items (× clusters when given),
/// never on the number of respondents; respondents stream through it.
///
/// Tallies **merge**: tallying parts of the data separately and merging gives the tally of
/// the whole — exactly for every count; for the weight sums up to floating-point
/// reassociation (exactly when the weights are integers or other values whose sums are exact
/// in `f64`, such as multiples of 1/1024 below 2⁴⁰). A tally serialises to JSON
/// ([`Tally::to_json`]) so parts computed in other processes can be merged.
///
/// # Examples
///
/// ```
/// use parindex::{survey_results, Answers, Batch, Item, ItemKind, Labels, Questionnaire, SurveySettings, Tally};
/// let q = Questionnaire::new("q", vec![], vec![Item::new("A1", ItemKind::likert())],
///     SurveySettings::default()).unwrap();
/// let units = vec!["u".to_string()];
/// let mut whole = Tally::new(&q);
/// whole.add(&q, &Batch::new(Labels { index: &[0, 0, 0], names: &units }, Answers::Rows(&[5, 4, 2]))).unwrap();
/// let mut a = Tally::new(&q);
/// a.add(&q, &Batch::new(Labels { index: &[0], names: &units }, Answers::Rows(&[5]))).unwrap();
/// let mut b = Tally::new(&q);
/// b.add(&q, &Batch::new(Labels { index: &[0, 0], names: &units }, Answers::Rows(&[4, 2]))).unwrap();
/// a.merge(&Tally::from_json(&b.to_json()).unwrap()).unwrap();
/// assert_eq!(a, whole);
/// assert_eq!(whole.respondents(), 3);
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tally {
    format_version: u64,
    questionnaire: String,
    columns: Vec<String>,
    slots: usize,
    design: Option<Design>,
    units: Vec<String>,
    groups: Vec<String>,
    strata: Vec<String>,
    clusters: Vec<String>,
    cells: Vec<Cell>,
    /// Per cell, per column.
    moments: Vec<Moments>,
    /// The features the cross sums of the indices are kept over (`none` with index_intervals off).
    features: Features,
    /// Their number.
    feature_count: usize,
    /// Without clusters, per cell: the upper triangle of Σ w² f fᵀ, row after row.
    gram: Vec<f64>,
    /// Whether the moments hold Σw²·x and Σw²·x² (`mean_se` on; zero when not).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    mean_se: bool,
    #[serde(skip)]
    index: FxHashMap<Key, u32>,
}

impl PartialEq for Tally {
    fn eq(&self, other: &Self) -> bool {
        // The same content, whatever the order cells were first seen in.
        if (&self.questionnaire, &self.columns, self.design)
            != (&other.questionnaire, &other.columns, other.design)
            || self.cells.len() != other.cells.len()
            || self.gram_width() != other.gram_width()
            || (self.gram_width() > 0 && self.features != other.features)
            || self.mean_se != other.mean_se
        {
            return false;
        }
        let names = |t: &Tally, c: &Cell| {
            (
                t.units[c.unit as usize].clone(),
                t.groups[c.group as usize].clone(),
                t.strata[c.stratum as usize].clone(),
                (c.cluster != NO_CLUSTER).then(|| t.clusters[c.cluster as usize].clone()),
            )
        };
        let theirs: HashMap<_, usize> =
            other.cells.iter().enumerate().map(|(i, c)| (names(other, c), i)).collect();
        self.cells.iter().enumerate().all(|(i, c)| {
            theirs.get(&names(self, c)).is_some_and(|&j| {
                let d = &other.cells[j];
                (c.respondents, c.weight) == (d.respondents, d.weight)
                    && self.moments(i) == other.moments(j)
                    && self.gram(i) == other.gram(j)
            })
        })
    }
}

/// Version 2 added the cross sums of the index items (`features`, `feature_count`, `gram`);
/// version 3 keeps each column's moments instead of sums per answer code. Earlier versions no
/// longer read: their sums per code would need the questionnaire to become moments.
const TALLY_FORMAT_VERSION: u64 = 3;

fn intern(names: &mut Vec<String>, lookup: &mut HashMap<String, u32>, name: &str) -> u32 {
    if let Some(&i) = lookup.get(name) {
        return i;
    }
    let i = names.len() as u32;
    names.push(name.to_string());
    lookup.insert(name.to_string(), i);
    i
}

impl Tally {
    /// An empty tally for a questionnaire.
    #[must_use]
    pub fn new(questionnaire: &Questionnaire) -> Tally {
        let layout = questionnaire.layout();
        let features = questionnaire.features();
        Tally {
            format_version: TALLY_FORMAT_VERSION,
            questionnaire: questionnaire.id().to_string(),
            columns: layout.columns.iter().map(|c| c.name.clone()).collect(),
            slots: layout.slots,
            design: None,
            units: Vec::new(),
            groups: Vec::new(),
            strata: Vec::new(),
            clusters: Vec::new(),
            cells: Vec::new(),
            moments: Vec::new(),
            features,
            feature_count: questionnaire.feature_map(features).count,
            gram: Vec::new(),
            mean_se: questionnaire.settings().mean_se,
            index: FxHashMap::default(),
        }
    }

    /// The number of respondents tallied.
    #[must_use]
    pub fn respondents(&self) -> u64 {
        self.cells.iter().map(|c| c.respondents).sum()
    }

    /// The design features of the responses (none before the first batch).
    #[must_use]
    pub fn design(&self) -> Option<Design> {
        self.design
    }

    /// The units seen, in order of first appearance.
    #[must_use]
    pub fn units(&self) -> &[String] {
        &self.units
    }

    /// True when the tally was made for this questionnaire (its index settings may differ:
    /// the estimates then use the cross sums only where they fit).
    pub(crate) fn fits(&self, q: &Questionnaire) -> bool {
        self.questionnaire == q.id() && self.slots == q.layout().slots && self.columns.iter().eq(q.columns())
    }

    /// The entries of one cell's cross sums: the upper triangle of features × features when
    /// they are kept (features given, no clusters), else 0.
    pub(crate) fn gram_width(&self) -> usize {
        let f = self.feature_count;
        if self.features == Features::None || self.design.is_none_or(|d| d.clustered) {
            0
        } else {
            f * (f + 1) / 2
        }
    }

    /// Whether the moments hold the sums the mean scores' standard errors need.
    pub(crate) fn mean_se(&self) -> bool {
        self.mean_se
    }

    /// The features the cross sums are kept over, and their number.
    pub(crate) fn features(&self) -> (Features, usize) {
        (self.features, self.feature_count)
    }

    /// One cell's cross sums (empty when none are kept).
    pub(crate) fn gram(&self, cell: usize) -> &[f64] {
        let w = self.gram_width();
        &self.gram[cell * w..(cell + 1) * w]
    }

    pub(crate) fn cells(&self) -> &[Cell] {
        &self.cells
    }
    /// One cell's moments, per column.
    pub(crate) fn moments(&self, cell: usize) -> &[Moments] {
        let columns = self.columns.len();
        &self.moments[cell * columns..(cell + 1) * columns]
    }
    /// The cells sorted by their names, and the rank of each stratum and cluster name.
    pub(crate) fn canonical_order(&self) -> (Vec<usize>, Vec<usize>, Vec<usize>) {
        let ranks = |names: &[String]| {
            let mut by_name: Vec<usize> = (0..names.len()).collect();
            by_name.sort_by_key(|&i| &names[i]);
            let mut rank = vec![0; names.len()];
            for (r, i) in by_name.into_iter().enumerate() {
                rank[i] = r;
            }
            rank
        };
        let (units, groups, strata, clusters) =
            (ranks(&self.units), ranks(&self.groups), ranks(&self.strata), ranks(&self.clusters));
        let mut order: Vec<usize> = (0..self.cells.len()).collect();
        order.sort_by_key(|&i| {
            let c = &self.cells[i];
            let cluster = if c.cluster == NO_CLUSTER { 0 } else { clusters[c.cluster as usize] + 1 };
            (units[c.unit as usize], groups[c.group as usize], strata[c.stratum as usize], cluster)
        });
        (order, strata, clusters)
    }

    pub(crate) fn groups(&self) -> &[String] {
        &self.groups
    }
    pub(crate) fn strata_count(&self) -> usize {
        self.strata.len()
    }

    /// Serialises the tally (JSON; weight sums are written so they read back bit for bit).
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a tally written by [`Tally::to_json`].
    pub fn from_json(text: &str) -> Result<Tally> {
        let mut t: Tally = serde_json::from_str(text).map_err(|e| {
            let at = Location::default().row(e.line() as u64).column(e.column() as u64);
            Error::single(at, IssueKind::Syntax { reason: e.to_string() })
        })?;
        let mismatch = |reason: &str| {
            Error::single(Location::default(), IssueKind::SurveyMismatch { reason: reason.into() })
        };
        if t.format_version != TALLY_FORMAT_VERSION {
            return Err(Error::single(
                Location::default(),
                IssueKind::UnsupportedVersion { found: t.format_version, supported: TALLY_FORMAT_VERSION },
            ));
        }
        if t.features == Features::None {
            t.feature_count = 0;
        }
        // The constant and two features per answer column at most.
        if t.feature_count > 2 * t.columns.len() + 1 {
            return Err(mismatch("the tally's cross sums do not match its columns"));
        }
        if t.moments.len() != t.cells.len() * t.columns.len()
            || t.gram.len() != t.cells.len() * t.gram_width()
        {
            return Err(mismatch("the tally's sums do not match its cells"));
        }
        for c in &t.cells {
            let bad = c.unit as usize >= t.units.len()
                || c.group as usize >= t.groups.len()
                || c.stratum as usize >= t.strata.len()
                || (c.cluster != NO_CLUSTER && c.cluster as usize >= t.clusters.len());
            if bad {
                return Err(mismatch("a cell points outside the tally's names"));
            }
        }
        t.reindex();
        Ok(t)
    }

    fn reindex(&mut self) {
        self.index = self
            .cells
            .iter()
            .enumerate()
            .map(|(i, c)| ((c.unit, c.group, c.stratum, c.cluster), i as u32))
            .collect();
    }

    fn cell(&mut self, key: Key) -> usize {
        if let Some(&i) = self.index.get(&key) {
            return i as usize;
        }
        let i = self.cells.len();
        self.cells.push(Cell {
            unit: key.0,
            group: key.1,
            stratum: key.2,
            cluster: key.3,
            respondents: 0,
            weight: 0.0,
        });
        self.moments.resize(self.moments.len() + self.columns.len(), Moments::default());
        self.gram.resize(self.gram.len() + self.gram_width(), 0.0);
        self.index.insert(key, i as u32);
        i
    }

    fn check_design(&mut self, design: Design) -> Result<()> {
        match self.design {
            Some(d) if d != design => Err(Error::single(
                Location::default(),
                IssueKind::SurveyMismatch {
                    reason: format!("one part has {}, another {}", describe(d), describe(design)),
                },
            )),
            _ => {
                self.design = Some(design);
                Ok(())
            }
        }
    }

    /// Adds a batch of respondents. Every problem in the batch is reported at once (answers
    /// outside their scale unless the questionnaire counts them, too many priorities, answers
    /// off the respondent's form, bad weights, indices out of range), and then the tally is
    /// left as it was.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Answers, Batch, Item, ItemKind, Labels, Questionnaire, SurveySettings, Tally};
    /// let q = Questionnaire::new("q", vec![], vec![Item::new("A1", ItemKind::likert())],
    ///     SurveySettings::default()).unwrap();
    /// let units = vec!["u".to_string()];
    /// let mut tally = Tally::new(&q);
    /// let err = tally.add(&q, &Batch::new(Labels { index: &[0, 0], names: &units }, Answers::Rows(&[9, 4]))).unwrap_err();
    /// assert_eq!(err.to_string(), "row 1, column 1: item A1: answer 9 is outside the scale (1–5)");
    /// assert_eq!(tally.respondents(), 0);
    /// ```
    pub fn add(&mut self, questionnaire: &Questionnaire, batch: &Batch) -> Result<()> {
        let layout = questionnaire.layout();
        if !self.fits(questionnaire) || questionnaire.feature_map(self.features).count != self.feature_count {
            let reason = if self.questionnaire == questionnaire.id() {
                format!(
                    "the tally was made for other columns or index settings of questionnaire {}",
                    self.questionnaire
                )
            } else {
                format!("the tally is for questionnaire {}, not {}", self.questionnaire, questionnaire.id())
            };
            return Err(Error::single(Location::default(), IssueKind::SurveyMismatch { reason }));
        }
        let n = batch.len();
        let columns = layout.columns.len();
        let by_unit = batch.groups.is_none() && batch.strata.is_none() && batch.clusters.is_none();
        // By unit, the chunks check the unit labels as they read them, in parallel.
        self.check_shape(batch, columns, !by_unit)?;
        let strict = questionnaire.settings().invalid_answers == InvalidAnswers::Error;
        // Every problem of the rows, with the answers outside their scale, in file order.
        let rows_failed = || {
            let mut issues =
                self.check_rows(questionnaire, batch, true).err().map(Error::into_issues).unwrap_or_default();
            if strict {
                issues.extend(self.locate_invalid(questionnaire, batch));
            }
            issues.sort_by_key(|i| (i.location.row, i.location.column));
            Error::from_issues(issues).unwrap_or_else(unreachable_mismatch)
        };
        // The weights are checked by the chunks as they read them, in parallel.
        if self.check_rows(questionnaire, batch, false).is_err() {
            return Err(rows_failed());
        }
        let design = Design {
            weighted: batch.weights.is_some(),
            stratified: batch.strata.is_some(),
            clustered: batch.clusters.is_some(),
        };
        if let Some(d) = self.design.filter(|d| *d != design) {
            return Err(Error::single(
                Location::default(),
                IssueKind::SurveyMismatch {
                    reason: format!("one part has {}, another {}", describe(d), describe(design)),
                },
            ));
        }
        // Stage the new names and cells; nothing changes until every check has passed.
        let mut staged = Staged::new(self);
        let units = staged.map(Names::Units, Some(batch.units));
        let groups = staged.map(Names::Groups, batch.groups);
        let strata = staged.map(Names::Strata, batch.strata);
        let clusters = batch.clusters.map(|c| staged.map(Names::Clusters, Some(c)));
        let cell_of = if by_unit {
            CellOf::Unit(&units)
        } else {
            let mut last: Option<(Key, u32)> = None;
            CellOf::Row(
                (0..n)
                    .map(|r| {
                        let u = batch.units.index[r] as usize;
                        let key = (
                            units[u],
                            batch.groups.map_or(groups[0], |g| groups[g.index[r] as usize]),
                            batch.strata.map_or(strata[0], |s| strata[s.index[r] as usize]),
                            match (&clusters, batch.clusters) {
                                (Some(map), Some(c)) => map[c.index[r] as usize],
                                _ => NO_CLUSTER,
                            },
                        );
                        let cell = match last {
                            Some((k, cell)) if k == key => cell,
                            _ => staged.cell(&self.index, key),
                        };
                        last = Some((key, cell));
                        cell
                    })
                    .collect(),
            )
        };
        let key_count =
            if by_unit { staged.count(Names::Units) } else { self.cells.len() + staged.cells.len() };
        let chunks = chunks(n);
        let plan = Plan::new(layout, self.mean_se);
        let cross = (!design.clustered && self.features != Features::None)
            .then(|| Cross::new(questionnaire, &questionnaire.feature_map(self.features)));
        let tally_chunk = |range: &std::ops::Range<usize>| {
            Part::tally(&plan, cross.as_ref(), batch, range.clone(), &cell_of, key_count)
        };
        #[cfg(feature = "parallel")]
        let parts: Vec<Part> = {
            use rayon::prelude::*;
            chunks.par_iter().map(tally_chunk).collect()
        };
        #[cfg(not(feature = "parallel"))]
        let parts: Vec<Part> = chunks.iter().map(tally_chunk).collect();
        if parts.iter().any(|p| !p.labels_valid) {
            self.check_shape(batch, columns, true)?;
        }
        if parts.iter().any(|p| !p.weights_valid) {
            return Err(rows_failed());
        }
        // Codes outside a scale are counted: locate them only if there are any.
        if strict && parts.iter().any(|p| p.invalid) {
            let issues = self.locate_invalid(questionnaire, batch);
            return Err(Error::from_issues(issues).unwrap_or_else(unreachable_mismatch));
        }
        // By unit, a unit's cell is made where its first respondent is (the chunks' first
        // keys, in chunk order, are the batch's in row order).
        let mut cell_of_unit = Vec::new();
        if by_unit {
            cell_of_unit = vec![u32::MAX; key_count];
            for &u in parts.iter().flat_map(|p| &p.keys) {
                if cell_of_unit[u as usize] == u32::MAX {
                    cell_of_unit[u as usize] =
                        staged.cell(&self.index, (u, groups[0], strata[0], NO_CLUSTER));
                }
            }
        }
        let cell_of_key = |k: u32| if by_unit { cell_of_unit[k as usize] } else { k };
        // Commit: names, cells, then the parts' sums.
        let new = staged.done();
        self.design = Some(design);
        self.commit(new);
        self.absorb(&plan, &parts, cell_of_key);
        Ok(())
    }

    /// Adds the chunks' sums into the tally's cells: into each cell the chunks in order (the
    /// same sums whatever the number of threads), the cells in parallel. The moments of the
    /// cells the batch made (those past the moments so far) are made here, from their first
    /// chunk's on (0 + x is x for the sums, which are never −0: the same bits as adding into
    /// zeros, without writing the zeros first).
    fn absorb(&mut self, plan: &Plan, parts: &[Part], cell_of_key: impl Fn(u32) -> u32) {
        let (width, columns) = (self.gram_width(), self.columns.len());
        let mut from: Vec<Source> = parts
            .iter()
            .enumerate()
            .flat_map(|(p, part)| {
                let cell_of_key = &cell_of_key;
                part.keys.iter().enumerate().map(move |(l, &k)| (cell_of_key(k), p as u32, l as u32))
            })
            .collect();
        from.sort_unstable();
        let first_new = self.moments.len() / columns.max(1);
        let new_cells = self.cells.len() - first_new;
        let sum = |from: &[Source], c: usize| -> Moments {
            let mut sources = from.iter().map(|&(_, p, l)| parts[p as usize].moments(plan, l as usize, c));
            let mut m = sources.next().unwrap_or_default();
            for o in sources {
                m.add(&o);
            }
            m
        };
        // Each touched cell's sums, borrowed apart (the new cells without moments yet).
        let mut jobs = Vec::new();
        let mut starts = Vec::new();
        let mut rest = &from[..];
        let old_moments =
            rows(&mut self.moments, columns).chain(std::iter::repeat_with(<&mut [Moments]>::default));
        let cells = self.cells.iter_mut().zip(old_moments);
        for (g, ((cell, moments), gram)) in cells.zip(rows(&mut self.gram, width)).enumerate() {
            let k = rest.iter().take_while(|f| f.0 as usize == g).count();
            if g >= first_new {
                starts.push(from.len() - rest.len());
            }
            if k > 0 {
                jobs.push((cell, moments, gram, &rest[..k]));
                rest = &rest[k..];
            }
            if rest.is_empty() && g + 1 >= first_new {
                break;
            }
        }
        starts.resize(new_cells + 1, from.len());
        let one = |(cell, moments, gram, from): (&mut Cell, &mut [Moments], &mut [f64], &[Source])| {
            for &(_, p, l) in from {
                let (part, l) = (&parts[p as usize], l as usize);
                cell.respondents += part.respondents[l];
                cell.weight += part.weight[l];
                for (c, m) in moments.iter_mut().enumerate() {
                    m.add(&part.moments(plan, l, c));
                }
                for (a, b) in gram.iter_mut().zip(&part.gram[l * width..(l + 1) * width]) {
                    *a += b;
                }
            }
        };
        // The new cells' moments, cell by cell and column by column.
        let new = new_cells * columns;
        let made = |i: usize| sum(&from[starts[i / columns]..starts[i / columns + 1]], i % columns);
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            jobs.into_par_iter().with_min_len(64).for_each(one);
            self.moments.par_extend((0..new).into_par_iter().with_min_len(256).map(made));
        }
        #[cfg(not(feature = "parallel"))]
        {
            jobs.into_iter().for_each(one);
            self.moments.extend((0..new).map(made));
        }
    }

    /// The batch's sizes, and its labels' indices (the units' only when `units`).
    fn check_shape(&self, batch: &Batch, columns: usize, units: bool) -> Result<()> {
        let n = batch.len();
        let mismatch =
            |reason: String| Err(Error::single(Location::default(), IssueKind::SurveyMismatch { reason }));
        let answers_fit = match &batch.answers {
            Answers::Rows(data) => data.len() == n * columns,
            Answers::Columns(cols) => cols.len() == columns && cols.iter().all(|c| c.len() == n),
        };
        if !answers_fit {
            return mismatch(format!("the answers must be {n} respondents × {columns} columns"));
        }
        let labels = [Some(batch.units), batch.groups, batch.strata, batch.clusters];
        for (k, (what, l)) in ["unit", "group", "stratum", "cluster"].iter().zip(labels).enumerate() {
            if let Some(l) = l {
                if l.index.len() != n {
                    return mismatch(format!("{} {what} indices for {n} respondents", l.index.len()));
                }
                // The largest index first (a pass the compiler vectorises), then the first bad one.
                if (k > 0 || units)
                    && l.index.iter().copied().max().is_some_and(|i| i as usize >= l.names.len())
                {
                    let bad =
                        l.index.iter().find(|&&i| i as usize >= l.names.len()).copied().unwrap_or_default();
                    return mismatch(format!("{what} index {bad} but only {} names", l.names.len()));
                }
            }
        }
        if batch.weights.is_some_and(|w| w.len() != n) {
            return mismatch(format!("the weights must have {n} entries"));
        }
        if batch.rows.is_some_and(|rows| rows.len() != n) {
            return mismatch(format!("the row numbers must have {n} entries"));
        }
        Ok(())
    }

    /// Every problem of the weights (when `weights`), the forms and the priority items, before
    /// anything is added.
    fn check_rows(&self, questionnaire: &Questionnaire, batch: &Batch, weights: bool) -> Result<()> {
        let layout = questionnaire.layout();
        let columns = layout.columns.len();
        let mut issues = Vec::new();
        if let Some(all) = batch.weights.filter(|_| weights) {
            for (r, w) in all.iter().enumerate() {
                if !valid_weight(*w) {
                    issues.push(Issue::new(batch.at(r), IssueKind::InvalidWeight { weight: w.to_string() }));
                }
            }
        }
        let forms = questionnaire.forms();
        if let (false, Some(g)) = (forms.is_empty(), batch.groups) {
            let form_of: Vec<Option<usize>> =
                g.names.iter().map(|name| forms.iter().position(|f| &f.group == name)).collect();
            for r in 0..batch.len() {
                let name = &g.names[g.index[r] as usize];
                let Some(f) = form_of[g.index[r] as usize] else {
                    let known = forms.iter().map(|f| f.group.as_str()).collect::<Vec<_>>().join(", ");
                    issues.push(Issue::new(
                        batch.at(r),
                        IssueKind::UnknownGroup { group: name.clone(), known },
                    ));
                    continue;
                };
                let mut last_item = None;
                for &c in &layout.off_form[f] {
                    let item = layout.columns[c].item;
                    if batch.answer(r, c, columns) != NO_ANSWER && last_item != Some(item) {
                        last_item = Some(item);
                        issues.push(Issue::new(
                            batch.at(r).column(batch.column(c)).item(&questionnaire.items()[item].code),
                            IssueKind::NotOnForm { group: name.clone() },
                        ));
                    }
                }
            }
        }
        // Priority items: at most k options chosen.
        let mut c = 0;
        while c < columns {
            let item = &questionnaire.items()[layout.columns[c].item];
            let width =
                layout.columns[c..].iter().take_while(|col| col.item == layout.columns[c].item).count();
            if let ItemKind::Priority { choose_at_most, .. } = item.kind {
                for r in 0..batch.len() {
                    let chosen = (c..c + width).filter(|&k| batch.answer(r, k, columns) == 1).count();
                    if chosen > usize::from(choose_at_most) {
                        issues.push(Issue::new(
                            batch.at(r).column(batch.column(c)).item(&item.code),
                            IssueKind::TooManyChoices { chosen, allowed: choose_at_most },
                        ));
                    }
                }
            }
            c += width;
        }
        Error::from_issues(issues).map_or(Ok(()), Err)
    }

    /// Every answer outside its scale, located (the slow path, taken only when there are some).
    fn locate_invalid(&self, questionnaire: &Questionnaire, batch: &Batch) -> Vec<Issue> {
        let layout = questionnaire.layout();
        let columns = layout.columns.len();
        let mut issues = Vec::new();
        for r in 0..batch.len() {
            for (c, column) in layout.columns.iter().enumerate() {
                let code = batch.answer(r, c, columns);
                if usize::from(layout.lut[c][usize::from(code)]) == column.offset + column.slots.len() {
                    let item = &questionnaire.items()[column.item];
                    issues.push(Issue::new(
                        batch.at(r).column(batch.column(c)).item(&column.name),
                        IssueKind::OutOfScale { answer: code.to_string(), scale: column_scale(&item.kind) },
                    ));
                }
            }
        }
        issues
    }

    /// Adds another tally of the same questionnaire (from another chunk, process or machine).
    pub fn merge(&mut self, other: &Tally) -> Result<()> {
        if other.questionnaire != self.questionnaire
            || other.columns != self.columns
            || other.slots != self.slots
        {
            return Err(Error::single(
                Location::default(),
                IssueKind::SurveyMismatch {
                    reason: format!(
                        "a tally of questionnaire {} cannot merge into one of {}",
                        other.questionnaire, self.questionnaire
                    ),
                },
            ));
        }
        if let Some(d) = other.design {
            self.check_design(d)?;
        }
        if self.cells.is_empty() {
            // An empty tally takes the other's cross sums (none, with index_intervals off).
            (self.features, self.feature_count) = (other.features, other.feature_count);
            self.mean_se = other.mean_se;
        }
        if !other.cells.is_empty() && self.mean_se != other.mean_se {
            let what = |t: &Tally| {
                if t.mean_se {
                    "the sums of the means' standard errors"
                } else {
                    "no sums of the means' standard errors (mean_se off)"
                }
            };
            return Err(Error::single(
                Location::default(),
                IssueKind::SurveyMismatch {
                    reason: format!("one tally keeps {}, the other {}", what(self), what(other)),
                },
            ));
        }
        // With clusters no cross sums are kept, whatever the settings asked for.
        let keeps = |t: &Tally| {
            if t.design.is_some_and(|d| d.clustered) || t.features == Features::None {
                (Features::None, 0)
            } else {
                (t.features, t.feature_count)
            }
        };
        if !other.cells.is_empty() && keeps(self) != keeps(other) {
            let what = |t: &Tally| match keeps(t).0 {
                Features::None => "no cross sums of the index items (index_intervals off)",
                Features::Items => "the cross sums of the index items",
                Features::Elements => "the cross sums of the index elements",
            };
            return Err(Error::single(
                Location::default(),
                IssueKind::SurveyMismatch {
                    reason: format!("one tally keeps {}, the other {}", what(self), what(other)),
                },
            ));
        }
        let width = self.gram_width();
        let map = |mine: &mut Vec<String>, theirs: &[String]| -> Vec<u32> {
            let mut lookup: HashMap<String, u32> =
                mine.iter().enumerate().map(|(i, s)| (s.clone(), i as u32)).collect();
            theirs.iter().map(|s| intern(mine, &mut lookup, s)).collect()
        };
        let units = map(&mut self.units, &other.units);
        let groups = map(&mut self.groups, &other.groups);
        let strata = map(&mut self.strata, &other.strata);
        let clusters = map(&mut self.clusters, &other.clusters);
        for (j, c) in other.cells.iter().enumerate() {
            let cluster = if c.cluster == NO_CLUSTER { NO_CLUSTER } else { clusters[c.cluster as usize] };
            let i = self.cell((
                units[c.unit as usize],
                groups[c.group as usize],
                strata[c.stratum as usize],
                cluster,
            ));
            self.cells[i].respondents += c.respondents;
            self.cells[i].weight += c.weight;
            let columns = self.columns.len();
            for (a, b) in self.moments[i * columns..(i + 1) * columns].iter_mut().zip(other.moments(j)) {
                a.add(b);
            }
            if width > 0 {
                for (a, b) in self.gram[i * width..(i + 1) * width].iter_mut().zip(other.gram(j)) {
                    *a += b;
                }
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy)]
enum Names {
    Units,
    Groups,
    Strata,
    Clusters,
}

/// New names and cells of a batch, held apart until the batch has passed its checks.
struct Staged<'a> {
    /// Per kind: the tally's names and the new ones, looked up; the new ones in order.
    lookup: [FxHashMap<&'a str, u32>; 4],
    new: [Vec<&'a str>; 4],
    /// Names already in the tally, per kind.
    known: [usize; 4],
    cells: Vec<Key>,
    first_new_cell: usize,
    new_cells: FxHashMap<Key, u32>,
}

/// The new names and cells of a batch that passed its checks.
struct New {
    names: [Vec<String>; 4],
    cells: Vec<Key>,
}

impl<'a> Staged<'a> {
    fn new(t: &'a Tally) -> Staged<'a> {
        let lists = [&t.units, &t.groups, &t.strata, &t.clusters];
        let lookup =
            lists.map(|names| names.iter().enumerate().map(|(i, s)| (s.as_str(), i as u32)).collect());
        Staged {
            lookup,
            new: Default::default(),
            known: lists.map(Vec::len),
            cells: Vec::new(),
            first_new_cell: t.cells.len(),
            new_cells: FxHashMap::default(),
        }
    }

    /// The tally's index of every local name (a missing list stands for the one name "").
    fn map(&mut self, kind: Names, labels: Option<Labels<'a>>) -> Vec<u32> {
        let k = kind as usize;
        let mut one = |name: &'a str| -> u32 {
            if let Some(&i) = self.lookup[k].get(name) {
                return i;
            }
            let i = (self.known[k] + self.new[k].len()) as u32;
            self.new[k].push(name);
            self.lookup[k].insert(name, i);
            i
        };
        match labels {
            Some(l) => l.names.iter().map(|s| one(s)).collect(),
            None => vec![one("")],
        }
    }

    /// The names of a kind, the tally's and the new ones.
    fn count(&self, kind: Names) -> usize {
        self.known[kind as usize] + self.new[kind as usize].len()
    }

    fn cell(&mut self, index: &FxHashMap<Key, u32>, key: Key) -> u32 {
        if let Some(&i) = index.get(&key).or_else(|| self.new_cells.get(&key)) {
            return i;
        }
        let i = (self.first_new_cell + self.cells.len()) as u32;
        self.cells.push(key);
        self.new_cells.insert(key, i);
        i
    }

    fn done(self) -> New {
        New { names: self.new.map(|names| names.into_iter().map(String::from).collect()), cells: self.cells }
    }
}

impl Tally {
    /// Takes a batch's new names and cells.
    fn commit(&mut self, new: New) {
        let [units, groups, strata, clusters] = new.names;
        self.units.extend(units);
        self.groups.extend(groups);
        self.strata.extend(strata);
        self.clusters.extend(clusters);
        let first = self.cells.len();
        for (i, (unit, group, stratum, cluster)) in new.cells.into_iter().enumerate() {
            self.cells.push(Cell { unit, group, stratum, cluster, respondents: 0, weight: 0.0 });
            self.index.insert((unit, group, stratum, cluster), (first + i) as u32);
        }
        // The new cells' moments are made by `absorb`, in parallel.
        self.gram.resize(self.cells.len() * self.gram_width(), 0.0);
    }
}

/// `v` as rows of `width`, or endless empty rows when `width` is 0.
fn rows<T>(v: &mut [T], width: usize) -> impl Iterator<Item = &mut [T]> {
    let (whole, empty) = if width > 0 {
        (Some(v.chunks_exact_mut(width)), None)
    } else {
        (None, Some(std::iter::repeat_with(<&mut [T]>::default)))
    };
    whole.into_iter().flatten().chain(empty.into_iter().flatten())
}

/// A weight is finite and not negative (NaN fails both comparisons).
pub(super) fn valid_weight(w: f64) -> bool {
    (0.0..=f64::MAX).contains(&w)
}

/// The error for a list of issues that cannot be empty where it is made.
fn unreachable_mismatch() -> Error {
    Error::single(Location::default(), IssueKind::SurveyMismatch { reason: "invalid answers".into() })
}

fn describe(d: Design) -> String {
    let mut parts = Vec::new();
    if d.weighted {
        parts.push("weights");
    }
    if d.stratified {
        parts.push("strata");
    }
    if d.clustered {
        parts.push("clusters");
    }
    if parts.is_empty() {
        "a simple random sample".into()
    } else {
        parts.join(" and ")
    }
}

/// The accepted codes of one answer column, for messages.
fn column_scale(kind: &ItemKind) -> String {
    match kind {
        ItemKind::Priority { .. } => "1 chosen, 0 not chosen".into(),
        other => scale_text(other),
    }
}

/// The accepted codes of an item, for messages.
pub(crate) fn scale_text(kind: &ItemKind) -> String {
    match kind {
        ItemKind::Satisfaction { min, max, .. } | ItemKind::Perception { min, max, .. } => {
            format!("{min}–{max}")
        }
        ItemKind::Options { options } | ItemKind::Priority { options, .. } => {
            options.iter().map(|o| o.code.to_string()).collect::<Vec<_>>().join(", ")
        }
        ItemKind::YesNo { .. } => "1 yes, 0 no".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::kernel::{chunks, BLOCK, CHUNK};
    use crate::survey::moments::tests::{bits, row_by_row};
    use crate::{Item, SurveySettings};

    /// Items of every kind, codes outside the scales counted, option codes with a gap.
    fn questionnaire() -> Questionnaire {
        Questionnaire::from_json(
            r#"{"format_version": 1, "id": "kinds", "items": [
              {"code": "A1", "kind": {"type": "satisfaction"}},
              {"code": "P1", "kind": {"type": "perception", "min": 0, "max": 10, "positive_from": 6}},
              {"code": "O1", "kind": {"type": "options", "options": [
                {"code": 1, "weight": "100"}, {"code": 2, "weight": "60"}, {"code": 3, "weight": "20"},
                {"code": 7, "weight": "0"}]}},
              {"code": "Y1", "kind": {"type": "yes_no"}},
              {"code": "R1", "kind": {"type": "priority", "choose_at_most": 2, "options": [
                {"code": 1}, {"code": 2}, {"code": 3}]}}],
              "settings": {"invalid_answers": "count"}}"#,
        )
        .expect("valid questionnaire")
    }

    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, below: u64) -> u64 {
            self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % below
        }
    }

    type Names = (String, String, String, Option<String>);
    /// Respondents, Σw and the columns' moments, as bits.
    type Content = HashMap<Names, (u64, u64, Vec<[u64; 12]>)>;

    /// The tally's content by cell names: respondents, Σw and the columns' moments, as bits.
    fn content(t: &Tally) -> Content {
        t.cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let names = (
                    t.units[c.unit as usize].clone(),
                    t.groups[c.group as usize].clone(),
                    t.strata[c.stratum as usize].clone(),
                    (c.cluster != NO_CLUSTER).then(|| t.clusters[c.cluster as usize].clone()),
                );
                (names, (c.respondents, c.weight.to_bits(), t.moments(i).iter().map(bits).collect()))
            })
            .collect()
    }

    #[test]
    fn two_labels_of_one_unit_are_one_cell_summed_in_row_order() {
        // Labels 0 and 2 both name unit "a": the tally must be the one of a single label,
        // bit for bit (thirds, so the order of the additions shows in the sums).
        let q = Questionnaire::from_json(
            r#"{"format_version": 1, "id": "q", "items": [{"code": "A1", "kind": {"type": "satisfaction"}}]}"#,
        )
        .expect("valid");
        let mut rng = Lcg(11);
        let n = 3_000;
        let twice: Vec<u32> = (0..n).map(|_| rng.next(3) as u32).collect();
        let once: Vec<u32> = twice.iter().map(|&l| if l == 2 { 0 } else { l }).collect();
        let answers: Vec<u8> = (0..n).map(|_| 1 + rng.next(5) as u8).collect();
        let weights: Vec<f64> = (0..n).map(|_| (1 + rng.next(1_000)) as f64 / 3.0).collect();
        let tally = |index: &[u32], names: &[String]| {
            let mut t = Tally::new(&q);
            let batch = Batch::new(Labels { index, names }, Answers::Rows(&answers)).weights(&weights);
            t.add(&q, &batch).expect("valid");
            t
        };
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let (a, b) = (tally(&twice, &names(&["a", "b", "a"])), tally(&once, &names(&["a", "b"])));
        assert_eq!(a.units(), ["a", "b"]);
        assert_eq!(a, b);
    }

    #[test]
    fn bad_weights_and_labels_are_all_reported_and_nothing_is_added() {
        let q = Questionnaire::new(
            "q",
            vec![],
            vec![Item::new("A1", ItemKind::likert())],
            SurveySettings::default(),
        )
        .expect("valid");
        let units = vec!["u".to_string(), "v".to_string()];
        let weights = [1.0, -0.5, f64::NAN, f64::INFINITY, 0.0, f64::MAX];
        let answers = [5, 4, 3, 2, 1, 5];
        let mut tally = Tally::new(&q);
        let batch = Batch::new(Labels { index: &[0, 1, 0, 1, 0, 1], names: &units }, Answers::Rows(&answers))
            .weights(&weights);
        let err = tally.add(&q, &batch).expect_err("bad weights");
        let rows: Vec<_> = err.issues().iter().map(|i| (i.location.row, i.code())).collect();
        assert_eq!(
            rows,
            [(Some(2), "invalid_weight"), (Some(3), "invalid_weight"), (Some(4), "invalid_weight")]
        );
        assert_eq!(tally.respondents(), 0);
        // A unit index past the names, wherever it is.
        let batch = Batch::new(Labels { index: &[0, 1, 2, 0, 7, 1], names: &units }, Answers::Rows(&answers));
        let err = tally.add(&q, &batch).expect_err("bad index");
        assert!(err.to_string().contains("unit index 2 but only 2 names"), "{err}");
        assert!(tally.units().is_empty() && tally.cells.is_empty() && tally.respondents() == 0);
        // The largest index first, then repeated (a run: its cell looked up once).
        let (max, index) = (u32::MAX, [u32::MAX, u32::MAX, 0, 0, 1, 1]);
        let batch = Batch::new(Labels { index: &index, names: &units }, Answers::Rows(&answers));
        let err = tally.add(&q, &batch).expect_err("bad index");
        assert!(err.to_string().contains(&format!("unit index {max} but only 2 names")), "{err}");
        assert!(tally.units().is_empty() && tally.cells.is_empty() && tally.respondents() == 0);
        // Labels and no names at all.
        let batch = Batch::new(Labels { index: &[0, 0, 0, 0, 0, 0], names: &[] }, Answers::Rows(&answers));
        let err = tally.add(&q, &batch).expect_err("bad index");
        assert!(err.to_string().contains("unit index 0 but only 0 names"), "{err}");
        assert!(tally.units().is_empty() && tally.cells.is_empty() && tally.respondents() == 0);
        // Zero and the largest finite weight are valid.
        tally
            .add(
                &q,
                &Batch::new(Labels { index: &[0, 1], names: &units }, Answers::Rows(&[5, 4]))
                    .weights(&[0.0, f64::MAX]),
            )
            .expect("valid");
        assert_eq!(tally.respondents(), 2);
    }

    #[test]
    fn blocked_kernel_adds_every_sum_in_row_order() {
        // More rows than two blocks, every kind of column, blanks, codes outside the scales,
        // weights whose sums are not exact: the kernel's sums must be those of a plain
        // row-by-row pass, bit for bit, from rows and from columns; with the rows in random
        // order (read through row numbers grouped by cell) and in runs of one cell (added
        // run by run), the batch's last rows read through the kernel's padded copy, with
        // groups, strata and clusters and without, weighted and not.
        let q = questionnaire();
        let layout = q.layout();
        let columns = layout.columns.len();
        let n = 2 * BLOCK + 1_234;
        let mut rng = Lcg(11);
        let names = |prefix: &str, k: usize| (0..k).map(|i| format!("{prefix}{i}")).collect::<Vec<_>>();
        let (unit_names, group_names, stratum_names, cluster_names) =
            (names("u", 37), names("g", 2), names("s", 3), names("k", 9));
        let sizes = [unit_names.len(), group_names.len(), stratum_names.len(), cluster_names.len()];
        for runs in [false, true] {
            // Labels per row, or per run of 1 to 60 rows.
            let mut labels: [Vec<u32>; 4] = Default::default();
            while labels[0].len() < n {
                let len = if runs { (1 + rng.next(60) as usize).min(n - labels[0].len()) } else { 1 };
                for (l, &k) in labels.iter_mut().zip(&sizes) {
                    l.extend(std::iter::repeat_n(rng.next(k as u64) as u32, len));
                }
            }
            let [units, groups, strata, clusters] = &labels;
            let weights: Vec<f64> = (0..n).map(|_| rng.next(1000) as f64 / 7.0 + 0.1).collect();
            let mut answers = vec![NO_ANSWER; n * columns];
            for row in answers.chunks_exact_mut(columns) {
                let chosen = 4 + rng.next(3) as usize;
                for (c, x) in row.iter_mut().enumerate() {
                    let roll = rng.next(100);
                    *x = match roll {
                        0..=4 => NO_ANSWER,
                        5..=7 => [9, 200, 11, 254][rng.next(4) as usize], // outside most scales
                        _ if c >= 4 => u8::from(c == chosen),             // priority: at most one chosen
                        _ => rng.next(12) as u8,
                    };
                }
            }
            let by_column: Vec<Vec<u8>> =
                (0..columns).map(|c| answers.chunks_exact(columns).map(|row| row[c]).collect()).collect();
            for (design, weighted) in [(true, true), (false, true), (false, false)] {
                let tally = |b: Batch<'_>| -> Tally {
                    let mut b = if weighted { b.weights(&weights) } else { b };
                    if design {
                        b = b
                            .groups(Labels { index: groups, names: &group_names })
                            .strata(Labels { index: strata, names: &stratum_names })
                            .clusters(Labels { index: clusters, names: &cluster_names });
                    }
                    let mut t = Tally::new(&q);
                    t.add(&q, &b).expect("valid");
                    t
                };
                let unit_labels = Labels { index: units, names: &unit_names };
                let from_rows = tally(Batch::new(unit_labels, Answers::Rows(&answers)));
                let from_columns = tally(Batch::new(
                    unit_labels,
                    Answers::Columns(by_column.iter().map(Vec::as_slice).collect()),
                ));
                // The reference: one row after the other.
                let mut expected: HashMap<Names, (u64, f64, Vec<Moments>)> = HashMap::new();
                for r in 0..n {
                    let name = |names: &[String], labels: &[u32]| {
                        if design {
                            names[labels[r] as usize].clone()
                        } else {
                            String::new()
                        }
                    };
                    let key = (
                        unit_names[units[r] as usize].clone(),
                        name(&group_names, groups),
                        name(&stratum_names, strata),
                        design.then(|| cluster_names[clusters[r] as usize].clone()),
                    );
                    let cell =
                        expected.entry(key).or_insert_with(|| (0, 0.0, vec![Moments::default(); columns]));
                    let w = if weighted { weights[r] } else { 1.0 };
                    cell.0 += 1;
                    cell.1 += w;
                    row_by_row(layout, true, &answers[r * columns..(r + 1) * columns], w, &mut cell.2);
                }
                let invalid: u64 = expected.values().flat_map(|(_, _, m)| m).map(|m| m.invalid).sum();
                let expected: Content = expected
                    .into_iter()
                    .map(|(k, (r, w, m))| (k, (r, w.to_bits(), m.iter().map(bits).collect())))
                    .collect();
                assert!(invalid > 1_000, "the data must hold codes outside the scales");
                let case = format!("runs: {runs}, design: {design}, weighted: {weighted}");
                assert_eq!(content(&from_rows), expected, "{case}");
                assert_eq!(content(&from_columns), expected, "{case}");
            }
        }
    }

    #[test]
    fn cross_sums_are_those_of_a_row_by_row_pass() {
        // Per-item and per-element features, blanks, codes outside the scale, an options item
        // in the index, strata without clusters, more rows than a chunk (two parts, added in
        // order), from rows and from columns.
        for settings in [
            r#"{"invalid_answers": "count"}"#,
            r#"{"invalid_answers": "count", "element_index": "pooled", "overall_index": "pooled"}"#,
        ] {
            let q = Questionnaire::from_json(&format!(
                r#"{{"format_version": 1, "id": "x", "elements": [{{"code": "e1"}}, {{"code": "e2"}}], "items": [
                  {{"code": "A1", "element": "e1", "kind": {{"type": "satisfaction"}}}},
                  {{"code": "N1", "kind": {{"type": "satisfaction"}}}},
                  {{"code": "B1", "element": "e2", "kind": {{"type": "satisfaction"}}}},
                  {{"code": "O1", "element": "e1", "in_index": true, "kind": {{"type": "options", "options": [
                    {{"code": 1, "weight": "100"}}, {{"code": 2, "weight": "60"}}, {{"code": 3, "weight": "20"}}]}}}}],
                  "settings": {settings}}}"#
            ))
            .expect("valid questionnaire");
            let kind = q.features();
            let map = q.feature_map(kind);
            assert_eq!(
                (kind == Features::Items, map.count),
                if settings.contains("pooled") { (false, 5) } else { (true, 7) }
            );
            let n = CHUNK + 777;
            let parts = chunks(n);
            assert_eq!(parts.len(), 2);
            let mut rng = Lcg(5);
            let units: Vec<String> = (0..13).map(|u| format!("u{u}")).collect();
            let strata: Vec<String> = vec!["s0".into(), "s1".into()];
            let ui: Vec<u32> = (0..n).map(|_| rng.next(13) as u32).collect();
            let si: Vec<u32> = (0..n).map(|_| rng.next(2) as u32).collect();
            let weights: Vec<f64> = (0..n).map(|_| rng.next(1000) as f64 / 7.0).collect();
            let answers: Vec<u8> =
                (0..n * 4).map(|_| [NO_ANSWER, 1, 2, 3, 4, 5, 9][rng.next(7) as usize]).collect();
            let by_column: Vec<Vec<u8>> =
                (0..4).map(|c| answers.chunks_exact(4).map(|row| row[c]).collect()).collect();
            let tally = |answers: Answers| {
                let mut t = Tally::new(&q);
                let b = Batch::new(Labels { index: &ui, names: &units }, answers)
                    .weights(&weights)
                    .strata(Labels { index: &si, names: &strata });
                t.add(&q, &b).expect("valid");
                t
            };
            let from_rows = tally(Answers::Rows(&answers));
            let from_columns = tally(Answers::Columns(by_column.iter().map(Vec::as_slice).collect()));
            // The reference: per row, f = (1, blanks, shortfalls in percent points) combined per
            // group, then w² f_u f_v added to (u ≤ v) in row order, skipping zeros.
            let layout = q.layout();
            let width = map.count * (map.count + 1) / 2;
            // Per cell, per chunk (each chunk's sums are added to the tally's in chunk order).
            let mut expected: HashMap<(u32, u32), Vec<Vec<f64>>> = HashMap::new();
            for r in 0..n {
                let mut f = vec![0.0f64; map.count];
                f[0] = 1.0;
                for (c, column) in layout.columns.iter().enumerate() {
                    let Some(g) = map.group_of[c] else { continue };
                    let code = answers[r * 4 + c];
                    let slot = column.slots.iter().find(|s| s.code == code);
                    match slot {
                        None => f[1 + 2 * g as usize] += 1.0,
                        // O1's options weigh 100, 60, 20 %: shortfalls 0, 40, 80 points.
                        Some(s) if c == 3 => {
                            f[2 + 2 * g as usize] += [0.0, 0.0, 40.0, 80.0][usize::from(s.code)]
                        }
                        Some(s) => f[2 + 2 * g as usize] += 100.0 * (1.0 - s.share),
                    }
                }
                let chunks = expected.entry((ui[r], si[r])).or_insert_with(|| vec![vec![0.0; width]; 2]);
                let g = &mut chunks[usize::from(r >= parts[1].start)];
                let w2 = weights[r] * weights[r];
                let mut at = 0;
                for u in 0..map.count {
                    for v in u..map.count {
                        if f[u] != 0.0 && f[v] != 0.0 {
                            g[at] += w2 * f[u] * f[v];
                        }
                        at += 1;
                    }
                }
            }
            for t in [&from_rows, &from_columns] {
                assert_eq!(t.cells().len(), expected.len());
                for (i, c) in t.cells().iter().enumerate() {
                    let parts = &expected[&(c.unit, c.stratum)];
                    let want: Vec<u64> =
                        (0..width).map(|k| (0.0 + parts[0][k] + parts[1][k]).to_bits()).collect();
                    let got: Vec<u64> = t.gram(i).iter().map(|x| x.to_bits()).collect();
                    assert_eq!(got, want, "{settings}");
                }
            }
        }
    }
}
