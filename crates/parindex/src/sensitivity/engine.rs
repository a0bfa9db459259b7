//! The Monte Carlo engine (DESIGN.md §11): a float model of the compiled scoring plan,
//! batched replications, ranks from a bucket sort, histograms of ranks per unit.

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::rng::Stream;
use super::spec::{NodeSet, SensitivityOptions, Uncertainty, UncertaintySource, WeightDistribution};
use super::RankHistogram;
use crate::error::{Error, Issue, IssueKind, Location, Result};
use crate::exact::Exact;
use crate::methodology::{RankOn, Ties};
use crate::score::Results;
use crate::RoundingMode;

/// An exact value as the nearest-but-deterministic `f64`: the reduced numerator over the
/// reduced denominator, each converted (round to nearest) and divided (IEEE, correctly
/// rounded). Equal exact values give equal floats.
pub(crate) fn to_f64(e: Exact) -> f64 {
    let e = e.reduced();
    e.numerator() as f64 / e.denominator() as f64
}

fn dec_f64(d: Decimal) -> f64 {
    to_f64(Exact::from_decimal(d))
}

/// Units sharing a compiled plan (the same pattern of applicable leaves and coefficients).
pub(crate) struct Group {
    /// Per node: its nominal share among its siblings (0 where it does not apply).
    pub(crate) pi: Vec<f64>,
    /// Per leaf: whether it applies.
    alive: Vec<bool>,
    /// Per leaf: the float model's nominal coefficient.
    c0: Vec<f64>,
    /// Member positions (in nominal order).
    members: Vec<usize>,
    /// Leaf percents, leaf-major, members padded to a multiple of [`UB`]: `x[l * stride + i]`.
    x: Vec<f64>,
    stride: usize,
    /// The general (tree-walk) model's nominal value per member.
    f0: Vec<f64>,
}

/// The float model of a scored methodology, for the ranked units in nominal order.
pub(crate) struct Model {
    pub(crate) n_nodes: usize,
    pub(crate) children: Vec<Vec<usize>>,
    /// Inner nodes in post-order, the root (index `n_nodes`) last.
    pub(crate) inner: Vec<usize>,
    pub(crate) leaves: Vec<usize>,
    /// Depth per node, the root (0) last.
    pub(crate) depth: Vec<u32>,
    pub(crate) parent: Vec<usize>,
    pub(crate) codes: Vec<String>,
    /// Methodology weights (explicit, or the maximum) per node.
    weight: Vec<f64>,
    leaf_max: Vec<f64>,
    /// Per leaf: whether its points are entered directly (no rule).
    plain: Vec<bool>,
    /// The units scored but not ranked.
    unranked: Vec<String>,
    pub(crate) groups: Vec<Group>,
    /// Ranked units.
    pub(crate) n: usize,
    group_of: Vec<usize>,
    /// Whether each unit has an input on each leaf (`pos * leaves + l`).
    has_input: Vec<bool>,
    /// Unrounded nominal index per position.
    nominal: Vec<f64>,
    /// The ranked value at nominal: the index, or the published index × 10^places.
    key_nominal: Vec<f64>,
    pub(crate) nominal_rank: Vec<u32>,
    nominal_band: Vec<u32>,
    pub(crate) ids: Vec<String>,
    pub(crate) names: Vec<Option<String>>,
    pub(crate) published: Vec<Decimal>,
    ties: Ties,
    /// `10^places` and the mode when ranking on published values.
    published_rank: Option<(f64, RoundingMode)>,
    /// Per band: the threshold on the unrounded index and whether it is strict.
    band_limits: Vec<(f64, bool)>,
    pub(crate) band_labels: Vec<String>,
}

impl Model {
    pub(crate) fn new(results: &Results) -> Result<Model> {
        let m = results.methodology();
        let t = m.tree();
        let n_nodes = t.max.len();
        let root = n_nodes;
        let mut children = t.children.clone();
        children.push(t.top.clone());
        let inner: Vec<usize> =
            t.post_order.iter().copied().filter(|&i| !t.children[i].is_empty()).chain([root]).collect();
        let mut depth = vec![0u32; n_nodes + 1];
        let mut parent = vec![root; n_nodes];
        for &node in inner.iter().rev() {
            for &c in &children[node] {
                depth[c] = depth[node] + 1;
                parent[c] = node;
            }
        }
        let leaves = t.leaves.clone();
        let n_leaves = leaves.len();
        let leaf_max: Vec<f64> = leaves.iter().map(|&i| dec_f64(t.max[i])).collect();
        let root_max = dec_f64(t.root_max);
        let settings = m.settings();

        // Ranked units in nominal order (rank, then input order), as `Results::ranked`.
        let all: Vec<_> = results.units().collect();
        let mut order: Vec<usize> = (0..all.len()).filter(|&i| all[i].rank().is_some()).collect();
        order.sort_by_key(|&i| (all[i].rank(), i));
        let n = order.len();
        let published_rank = (settings.rank_on == RankOn::Published)
            .then(|| (10f64.powi(settings.rounding.places as i32), settings.rounding.mode));

        let mut groups: Vec<Group> = Vec::new();
        let mut group_index: HashMap<Vec<Option<(i128, i128)>>, usize> = HashMap::new();
        let mut group_of = Vec::with_capacity(n);
        let mut has_input = Vec::with_capacity(n * n_leaves);
        let mut percents: Vec<Vec<f64>> = Vec::with_capacity(n);
        let mut issues = Vec::new();
        // The exact scorer compiles one plan per pattern of not-applicable leaves: the gains
        // (and so the group) are looked up once per pattern.
        let mut by_pattern: HashMap<Vec<bool>, Option<usize>> = HashMap::new();
        // Each unit's inputs and leaf percents, from the exact results (in parallel with the
        // `parallel` feature: the conversions are most of the set-up).
        let prepare = |&i: &usize| -> (Vec<bool>, Vec<f64>) {
            let inputs: Vec<bool> = (0..n_leaves).map(|l| results.input(i, l).is_some()).collect();
            let nodes: Vec<_> = all[i].nodes().collect();
            (inputs, leaves.iter().map(|&node| nodes[node].percent().map_or(0.0, to_f64)).collect())
        };
        #[cfg(feature = "parallel")]
        let prepared: Vec<(Vec<bool>, Vec<f64>)> = {
            use rayon::prelude::*;
            order.par_iter().map(prepare).collect()
        };
        #[cfg(not(feature = "parallel"))]
        let prepared: Vec<(Vec<bool>, Vec<f64>)> = order.iter().map(prepare).collect();
        for (pos, (&i, (inputs, unit_percents))) in order.iter().zip(prepared).enumerate() {
            let u = all[i];
            let group = match by_pattern.get(&inputs) {
                Some(&group) => group,
                None => {
                    let group = group_of_unit(results, i, &leaf_max, root_max, &mut groups, &mut group_index);
                    by_pattern.insert(inputs.clone(), group);
                    group
                }
            };
            let Some(g) = group else {
                issues.push(Issue::new(
                    Location::default().unit(u.id()),
                    IssueKind::TooPrecise {
                        reason: "the unit's exact plan exceeds 128 bits, so it has no float model".into(),
                    },
                ));
                continue;
            };
            groups[g].members.push(pos);
            group_of.push(g);
            has_input.extend_from_slice(&inputs);
            percents.push(unit_percents);
        }
        if let Some(e) = Error::from_issues(issues) {
            return Err(e);
        }
        let weight: Vec<f64> = t.weight.iter().map(|&w| dec_f64(w)).collect();
        let plain = leaves.iter().map(|&node| m.nodes()[node].rule.is_points()).collect();
        let unranked = all.iter().filter(|u| u.rank().is_none()).map(|u| u.id().to_owned()).collect();
        let mut model = Model {
            n_nodes,
            children,
            inner,
            leaves,
            depth,
            parent,
            codes: m.nodes().iter().map(|n| n.code.clone()).collect(),
            weight,
            plain,
            unranked,
            leaf_max,
            groups: Vec::new(),
            n,
            group_of,
            has_input,
            nominal: Vec::with_capacity(n),
            key_nominal: Vec::with_capacity(n),
            nominal_rank: Vec::with_capacity(n),
            nominal_band: Vec::with_capacity(n),
            ids: Vec::with_capacity(n),
            names: Vec::with_capacity(n),
            published: Vec::with_capacity(n),
            ties: settings.ties,
            published_rank,
            band_limits: band_limits(settings),
            band_labels: settings.bands.iter().map(|b| b.label.clone()).collect(),
        };
        for &i in &order {
            let u = all[i];
            let exact = u.percent();
            model.nominal.push(to_f64(exact));
            let published = u.published_percent();
            model.key_nominal.push(match published_rank {
                Some((scale, _)) => dec_f64(published) * scale,
                None => to_f64(exact),
            });
            model.nominal_rank.push(u.rank().unwrap_or(0));
            let band = u.band().and_then(|b| model.band_labels.iter().position(|l| l == b));
            model.nominal_band.push(band.unwrap_or(model.band_labels.len()) as u32);
            model.ids.push(u.id().to_owned());
            model.names.push(u.unit().name.clone());
            model.published.push(published);
        }
        // Shares from the plan's coefficients: S(node) = Σ of its leaves' coefficients,
        // share = S(node) ÷ S(parent).
        for mut g in groups {
            let mut s = vec![0.0f64; n_nodes + 1];
            for (l, &node) in model.leaves.iter().enumerate() {
                s[node] = g.c0[l];
            }
            for &node in &model.inner {
                s[node] = model.children[node].iter().map(|&c| s[c]).sum();
            }
            g.pi = (0..n_nodes)
                .map(|c| {
                    let p = s[model.parent[c]];
                    if p > 0.0 {
                        s[c] / p
                    } else {
                        0.0
                    }
                })
                .collect();
            let ones = vec![1.0; n_nodes];
            let mut scratch = Scratch::new(&model);
            model.coefficients(&g, &ones, &mut scratch.w, &mut scratch.coef);
            g.c0 = model.leaves.iter().map(|&node| scratch.coef[node]).collect();
            g.stride = g.members.len().div_ceil(UB) * UB;
            g.x = vec![0.0; g.stride * model.leaves.len()];
            for (i, &pos) in g.members.iter().enumerate() {
                for l in 0..model.leaves.len() {
                    g.x[l * g.stride + i] = percents[pos][l];
                }
            }
            let no_geo = vec![false; model.max_depth() + 1];
            g.f0 = (0..g.members.len())
                .map(|i| {
                    let xs: Vec<f64> = (0..model.leaves.len()).map(|l| g.x[l * g.stride + i]).collect();
                    model.general_value(&g, &ones, &no_geo, &xs, &scratch.w, &mut scratch.val)
                })
                .collect();
            model.groups.push(g);
        }
        Ok(model)
    }

    pub(crate) fn max_depth(&self) -> usize {
        self.depth.iter().copied().max().unwrap_or(0) as usize
    }

    /// Leaf coefficients of a group under weight factors `f`: `w` receives each node's
    /// weight mass (a node applies when it is positive), `coef` each node's coefficient.
    /// False when nothing applies at the root.
    pub(crate) fn coefficients(&self, g: &Group, f: &[f64], w: &mut [f64], coef: &mut [f64]) -> bool {
        for (l, &node) in self.leaves.iter().enumerate() {
            w[node] = if g.alive[l] { 1.0 } else { 0.0 };
        }
        for &node in &self.inner {
            let mut s = 0.0;
            for &c in &self.children[node] {
                if w[c] > 0.0 {
                    s += g.pi[c] * f[c];
                }
            }
            w[node] = s;
        }
        let root = self.n_nodes;
        coef[root] = 1.0;
        for &node in self.inner.iter().rev() {
            let (cn, s) = (coef[node], w[node]);
            for &c in &self.children[node] {
                coef[c] = if cn > 0.0 && s > 0.0 && w[c] > 0.0 { cn * (g.pi[c] * f[c] / s) } else { 0.0 };
            }
        }
        w[root] > 0.0
    }

    /// One unit's value by a walk of the tree (arithmetic or geometric means), given the
    /// weight masses `w` of [`Model::coefficients`].
    fn general_value(
        &self,
        g: &Group,
        f: &[f64],
        geo: &[bool],
        xs: &[f64],
        w: &[f64],
        val: &mut [f64],
    ) -> f64 {
        for (l, &node) in self.leaves.iter().enumerate() {
            val[node] = xs[l];
        }
        for &node in &self.inner {
            let s = w[node];
            if s <= 0.0 {
                val[node] = 0.0;
                continue;
            }
            let kids = &self.children[node];
            let live = |c: usize| w[c] > 0.0 && g.pi[c] * f[c] > 0.0;
            val[node] = if geo[self.depth[node] as usize] {
                if kids.iter().any(|&c| live(c) && val[c] <= 0.0) {
                    0.0
                } else {
                    let mut acc = 0.0;
                    for &c in kids {
                        if live(c) {
                            acc += (g.pi[c] * f[c] / s) * libm::log(val[c]);
                        }
                    }
                    libm::exp(acc)
                }
            } else {
                let mut acc = 0.0;
                for &c in kids {
                    if live(c) {
                        acc += (g.pi[c] * f[c] / s) * val[c];
                    }
                }
                acc
            };
        }
        val[self.n_nodes]
    }

    fn node_at(&self, code: &str) -> Option<usize> {
        self.codes.iter().position(|c| c == code)
    }
}

/// The group of unit `i` (by its exact gains), a new one if no unit had its gains; `None` when
/// its plan has no 128-bit form.
fn group_of_unit(
    results: &Results,
    i: usize,
    leaf_max: &[f64],
    root_max: f64,
    groups: &mut Vec<Group>,
    group_index: &mut HashMap<Vec<Option<(i128, i128)>>, usize>,
) -> Option<usize> {
    let gains: Vec<Option<Exact>> = (0..leaf_max.len()).map(|l| results.leaf_gain(i, l)).collect();
    if gains.iter().all(Option::is_none) {
        return None;
    }
    let key: Vec<Option<(i128, i128)>> =
        gains.iter().map(|g| g.map(|g| (g.reduced().numerator(), g.reduced().denominator()))).collect();
    Some(*group_index.entry(key).or_insert_with(|| {
        let c0: Vec<f64> = (0..leaf_max.len())
            .map(|l| gains[l].map_or(0.0, |g| to_f64(g) * leaf_max[l] / root_max))
            .collect();
        groups.push(Group {
            pi: Vec::new(),
            alive: gains.iter().map(Option::is_some).collect(),
            c0,
            members: Vec::new(),
            x: Vec::new(),
            stride: 0,
            f0: Vec::new(),
        });
        groups.len() - 1
    }))
}

/// Thresholds on the unrounded index for each band (DESIGN.md §10's table): with `q` the
/// published step and `m` the band's minimum rounded up to a multiple of `q`.
fn band_limits(settings: &crate::Settings) -> Vec<(f64, bool)> {
    let places = settings.rounding.places;
    let q = Decimal::new(1, places);
    let half = q / Decimal::TWO;
    settings
        .bands
        .iter()
        .map(|b| {
            let m = b.min.round_dp_with_strategy(places, rust_decimal::RoundingStrategy::ToPositiveInfinity);
            let even = (m / q).trunc() % Decimal::TWO == Decimal::ZERO;
            let (t, strict) = match settings.rounding.mode {
                RoundingMode::HalfUp => (m - half, false),
                RoundingMode::HalfDown => (m - half, true),
                RoundingMode::HalfEven => (m - half, !even),
                RoundingMode::Down => (m, false),
                RoundingMode::Up => (m - q, true),
            };
            (dec_f64(t), strict)
        })
        .collect()
}

/// Working buffers of one thread.
pub(crate) struct Scratch {
    pub(crate) w: Vec<f64>,
    pub(crate) coef: Vec<f64>,
    val: Vec<f64>,
    keys: Vec<u64>,
    sorted: Vec<u64>,
    tmp: Vec<u64>,
    xs: Vec<f64>,
    /// A batch's value changes, `delta[e * n + pos]`.
    delta: Vec<f64>,
    /// A batch's ranks, `ranks[e * n + pos]`.
    ranks: Vec<u32>,
    /// The A ranks of a batch by unit, `by_unit[pos * rows + row]`.
    by_unit: Vec<u32>,
    /// The coefficient changes of a group, `d[l * evals + e]`.
    d: Vec<f64>,
    /// A batch's evaluations.
    evals: Vec<Eval>,
}

impl Scratch {
    pub(crate) fn new(m: &Model) -> Scratch {
        Scratch {
            w: vec![0.0; m.n_nodes + 1],
            coef: vec![0.0; m.n_nodes + 1],
            val: vec![0.0; m.n_nodes + 1],
            keys: Vec::with_capacity(m.n),
            sorted: vec![0; m.n],
            tmp: Vec::new(),
            xs: vec![0.0; m.leaves.len()],
            delta: Vec::new(),
            ranks: Vec::new(),
            by_unit: Vec::new(),
            d: Vec::new(),
            evals: Vec::new(),
        }
    }
}

/// A source after validation, ready to draw.
#[derive(Debug, Clone)]
enum Prepared {
    Uniform {
        nodes: Vec<usize>,
        spread: f64,
    },
    Dirichlet {
        concentration: f64,
        groups: Vec<Vec<(usize, f64)>>,
    },
    Noise {
        half: f64,
        leaves: Vec<bool>,
    },
    /// Per leaf: each position's percent and standard error in percent points, if surveyed.
    Survey {
        entries: Vec<SurveyLeaf>,
    },
    Aggregation {
        level: u32,
    },
    Drop {
        nodes: Vec<usize>,
    },
}

/// A survey-fed leaf (its index among the leaves) and, per position, the surveyed percent and
/// its standard error in percent points.
type SurveyLeaf = (usize, Vec<Option<(f64, f64)>>);

/// What one source drew for one replication.
#[derive(Debug, Clone)]
enum Drawn {
    Factors(Vec<(usize, f64)>),
    Noise(u64),
    Geometric(bool),
    Drop(usize),
}

/// A complete set of draws: one evaluation of every unit.
struct Eval {
    f: Vec<f64>,
    geo: Vec<bool>,
    noise: Vec<(usize, u64)>,
}

/// The validated analysis.
pub(crate) struct Runner<'a> {
    pub(crate) model: &'a Model,
    sources: Vec<Prepared>,
    seed: u64,
    pub(crate) runs: u32,
    pub(crate) attribution: bool,
    reference: bool,
    shift_bits: u32,
}

impl<'a> Runner<'a> {
    pub(crate) fn new(model: &'a Model, u: &Uncertainty, o: &SensitivityOptions) -> Result<Runner<'a>> {
        let mut issues = Vec::new();
        let invalid =
            |reason: String| Issue::new(Location::default(), IssueKind::InvalidSensitivity { reason });
        if o.runs == 0 {
            issues.push(Issue::new(Location::default(), IssueKind::ZeroRuns));
        }
        let (lo, hi) = o.percentiles;
        if !(lo > Decimal::ZERO && lo < hi && hi <= Decimal::ONE_HUNDRED) {
            issues.push(invalid(format!(
                "invalid percentiles {lo} and {hi}: they must satisfy 0 < low < high ≤ 100"
            )));
        }
        if o.top == 0 {
            issues.push(invalid("the k of the top k must be at least 1".into()));
        }
        if u.format_version != 1 {
            issues.push(Issue::new(
                Location::default(),
                IssueKind::UnsupportedVersion { found: u.format_version, supported: 1 },
            ));
        }
        let max_depth = model.max_depth() as u32;
        let at_level = |level: u32, inner_only: bool| -> Vec<usize> {
            (0..=model.n_nodes)
                .filter(|&i| model.depth[i] == level && (!inner_only || !model.children[i].is_empty()))
                .filter(|&i| inner_only || i < model.n_nodes)
                .collect()
        };
        let mut perturbed: HashMap<usize, usize> = HashMap::new();
        let mut sources = Vec::new();
        for (s, source) in u.sources.iter().enumerate() {
            match source {
                UncertaintySource::Weights { nodes, distribution } => {
                    let set: Vec<usize> = match nodes {
                        NodeSet::All => (0..model.n_nodes).collect(),
                        NodeSet::Level { level } => {
                            let set = if *level == 0 { Vec::new() } else { at_level(*level, false) };
                            if set.is_empty() {
                                issues.push(invalid(format!(
                                    "source {}: no node at level {level} (levels 1 to {max_depth})",
                                    s + 1
                                )));
                            }
                            set
                        }
                        NodeSet::Nodes { codes } => codes
                            .iter()
                            .filter_map(|c| {
                                let at = model.node_at(c);
                                if at.is_none() {
                                    issues.push(unknown(model, c));
                                }
                                at
                            })
                            .collect(),
                    };
                    for &node in &set {
                        if let Some(first) = perturbed.insert(node, s) {
                            if first != s {
                                issues.push(Issue::new(
                                    Location::default().criterion(model.codes[node].clone()),
                                    IssueKind::InvalidSensitivity {
                                        reason: format!(
                                            "the weight is perturbed by two sources ({} and {})",
                                            first + 1,
                                            s + 1
                                        ),
                                    },
                                ));
                            }
                        }
                    }
                    match distribution {
                        WeightDistribution::Uniform { spread } => {
                            if let Some(issue) = check_spread(*spread, true) {
                                issues.push(issue);
                            }
                            sources.push(Prepared::Uniform { nodes: set, spread: dec_f64(*spread) });
                        }
                        WeightDistribution::Dirichlet { concentration } => {
                            if *concentration <= Decimal::ZERO {
                                issues.push(Issue::new(
                                    Location::default(),
                                    IssueKind::InvalidConcentration { value: *concentration },
                                ));
                            }
                            let mut by_parent: Vec<(usize, Vec<usize>)> = Vec::new();
                            let mut sorted = set.clone();
                            sorted.sort_unstable();
                            sorted.dedup();
                            for node in sorted {
                                let p = model.parent[node];
                                match by_parent.iter_mut().find(|(q, _)| *q == p) {
                                    Some((_, v)) => v.push(node),
                                    None => by_parent.push((p, vec![node])),
                                }
                            }
                            let groups = by_parent
                                .into_iter()
                                .map(|(_, kids)| {
                                    let total: f64 = kids.iter().map(|&c| model.weight[c]).sum();
                                    kids.iter()
                                        .map(|&c| {
                                            (c, if total > 0.0 { model.weight[c] / total } else { 0.0 })
                                        })
                                        .collect()
                                })
                                .collect();
                            sources
                                .push(Prepared::Dirichlet { concentration: dec_f64(*concentration), groups });
                        }
                    }
                }
                UncertaintySource::Noise { points, criteria } => {
                    if let Some(issue) = check_spread(*points, false) {
                        issues.push(issue);
                    }
                    let mut leaves = vec![criteria.is_empty(); model.leaves.len()];
                    for c in criteria {
                        match model.node_at(c).and_then(|node| model.leaves.iter().position(|&l| l == node)) {
                            Some(l) => leaves[l] = true,
                            None if model.node_at(c).is_some() => issues.push(Issue::new(
                                Location::default().criterion(c.clone()),
                                IssueKind::NotALeaf,
                            )),
                            None => issues.push(unknown(model, c)),
                        }
                    }
                    sources.push(Prepared::Noise { half: dec_f64(*points), leaves });
                }
                UncertaintySource::Survey { leaves } => {
                    sources.push(Prepared::Survey { entries: survey_entries(model, leaves, &mut issues) });
                }
                UncertaintySource::Aggregation { level } => {
                    if at_level(*level, true).is_empty() {
                        issues.push(invalid(format!(
                            "source {}: no node with children at level {level} (0 is the index)",
                            s + 1
                        )));
                    }
                    sources.push(Prepared::Aggregation { level: *level });
                }
                UncertaintySource::LeaveOneOut { level } => {
                    let nodes = if *level == 0 { Vec::new() } else { at_level(*level, false) };
                    if nodes.is_empty() {
                        issues.push(invalid(format!(
                            "source {}: no node at level {level} (levels 1 to {max_depth})",
                            s + 1
                        )));
                    }
                    let mut scratch = Scratch::new(model);
                    for &node in &nodes {
                        let mut f = vec![1.0; model.n_nodes];
                        f[node] = 0.0;
                        if model
                            .groups
                            .iter()
                            .any(|g| !model.coefficients(g, &f, &mut scratch.w, &mut scratch.coef))
                        {
                            issues.push(Issue::new(
                                Location::default().criterion(model.codes[node].clone()),
                                IssueKind::WeightsAllZero {
                                    reason: "leaving this criterion out leaves no weight to average".into(),
                                },
                            ));
                        }
                    }
                    sources.push(Prepared::Drop { nodes });
                }
            }
        }
        if let Some(e) = Error::from_issues(issues) {
            return Err(e);
        }
        let shift_bits = (64 - (model.n.max(2) as u64 - 1).leading_zeros()).max(1);
        Ok(Runner {
            model,
            sources,
            seed: o.seed,
            runs: o.runs,
            attribution: o.attribution,
            reference: o.reference,
            shift_bits,
        })
    }

    pub(crate) fn n_sources(&self) -> usize {
        self.sources.len()
    }

    #[cfg_attr(not(feature = "parallel"), allow(dead_code))]
    pub(crate) fn is_reference(&self) -> bool {
        self.reference
    }

    /// Evaluations per replication: A, then (with attribution) B and each `A_B^(i)`.
    pub(crate) fn per_row(&self) -> usize {
        if self.attribution {
            self.sources.len() + 2
        } else {
            1
        }
    }

    fn draw(&self, s: usize, row: u64, ab: u64) -> Drawn {
        let id = (row * self.sources.len() as u64 + s as u64) * 2 + ab;
        let mut rng = Stream::new(self.seed, id);
        match &self.sources[s] {
            Prepared::Uniform { nodes, spread } => Drawn::Factors(
                nodes.iter().map(|&c| (c, 1.0 + spread * (2.0 * rng.uniform() - 1.0))).collect(),
            ),
            Prepared::Dirichlet { concentration, groups } => {
                let mut out = Vec::new();
                for group in groups {
                    let g: Vec<f64> = group
                        .iter()
                        .map(|&(_, share)| if share > 0.0 { rng.gamma(concentration * share) } else { 0.0 })
                        .collect();
                    let total: f64 = g.iter().sum();
                    for (&(c, share), &x) in group.iter().zip(&g) {
                        let f = if total > 0.0 && share > 0.0 { (x / total) / share } else { 1.0 };
                        out.push((c, f));
                    }
                }
                Drawn::Factors(out)
            }
            Prepared::Noise { .. } | Prepared::Survey { .. } => Drawn::Noise(id),
            Prepared::Aggregation { .. } => Drawn::Geometric(rng.below(2) == 1),
            Prepared::Drop { nodes } => Drawn::Drop(nodes[rng.below(nodes.len() as u64) as usize]),
        }
    }

    /// Evaluation A of replication `row`, drawn into `e` without an intermediate list: the
    /// same values as [`Runner::compose`] of each source's [`Runner::draw`].
    fn draw_into(&self, row: u64, e: &mut Eval) {
        e.f.clear();
        e.f.resize(self.model.n_nodes, 1.0);
        e.geo.clear();
        e.geo.resize(self.model.max_depth() + 1, false);
        e.noise.clear();
        for s in 0..self.sources.len() {
            if let Prepared::Uniform { nodes, spread } = &self.sources[s] {
                let id = (row * self.sources.len() as u64 + s as u64) * 2;
                let mut rng = Stream::new(self.seed, id);
                for &c in nodes {
                    e.f[c] *= 1.0 + spread * (2.0 * rng.uniform() - 1.0);
                }
            } else {
                let d = self.draw(s, row, 0);
                self.apply(s, &d, e);
            }
        }
    }

    fn apply(&self, s: usize, d: &Drawn, e: &mut Eval) {
        match d {
            Drawn::Factors(list) => {
                for &(c, x) in list {
                    e.f[c] *= x;
                }
            }
            Drawn::Noise(id) => e.noise.push((s, *id)),
            Drawn::Geometric(on) => {
                if let Prepared::Aggregation { level } = self.sources[s] {
                    e.geo[level as usize] |= *on;
                }
            }
            Drawn::Drop(node) => e.f[*node] = 0.0,
        }
    }

    fn compose(&self, drawn: &[Drawn]) -> Eval {
        let mut e = Eval {
            f: vec![1.0; self.model.n_nodes],
            geo: vec![false; self.model.max_depth() + 1],
            noise: Vec::new(),
        };
        for (s, d) in drawn.iter().enumerate() {
            self.apply(s, d, &mut e);
        }
        e
    }

    /// Runs the replications `rows`, adding their ranks to `acc`.
    pub(crate) fn batch(&self, rows: std::ops::Range<u64>, acc: &mut Acc, sc: &mut Scratch) {
        let m = self.model;
        let n = m.n;
        let k = self.sources.len();
        let per_row = self.per_row();
        let mut evals = std::mem::take(&mut sc.evals);
        evals.truncate((rows.end - rows.start) as usize * per_row);
        for (j, row) in rows.clone().enumerate() {
            if !self.attribution {
                // One evaluation per replication: the draws go straight into its factors.
                if j == evals.len() {
                    evals.push(self.compose(&[]));
                }
                self.draw_into(row, &mut evals[j]);
                continue;
            }
            if j == 0 {
                evals.clear();
            }
            let a: Vec<Drawn> = (0..k).map(|s| self.draw(s, row, 0)).collect();
            evals.push(self.compose(&a));
            {
                let b: Vec<Drawn> = (0..k).map(|s| self.draw(s, row, 1)).collect();
                evals.push(self.compose(&b));
                for i in 0..k {
                    let mut mix = a.clone();
                    mix[i] = b[i].clone();
                    evals.push(self.compose(&mix));
                }
            }
        }
        let e_count = evals.len();
        // Every entry of the buffers below is written before it is read: no need to clear them.
        let mut delta = std::mem::take(&mut sc.delta);
        delta.resize(e_count * n, 0.0);
        let linear: Vec<usize> =
            (0..e_count).filter(|&e| evals[e].noise.is_empty() && !evals[e].geo.iter().any(|&g| g)).collect();
        let general: Vec<usize> =
            (0..e_count).filter(|&e| !evals[e].noise.is_empty() || evals[e].geo.iter().any(|&g| g)).collect();
        let n_leaves = m.leaves.len();
        if !linear.is_empty() {
            let el = linear.len();
            let mut d = std::mem::take(&mut sc.d);
            d.resize(n_leaves * el, 0.0);
            for g in &m.groups {
                for (j, &e) in linear.iter().enumerate() {
                    m.coefficients(g, &evals[e].f, &mut sc.w, &mut sc.coef);
                    for (l, &node) in m.leaves.iter().enumerate() {
                        d[l * el + j] = sc.coef[node] - g.c0[l];
                    }
                }
                if self.reference {
                    reference_kernel(g, n_leaves, &d, &linear, n, &mut delta);
                } else {
                    kernel(g, n_leaves, &d, &linear, n, &mut delta);
                }
            }
            sc.d = d;
        }
        for &e in &general {
            self.general(&evals[e], &mut delta[e * n..(e + 1) * n], sc);
        }
        // Ranks of every evaluation; bands and histograms of the A evaluations.
        // Histograms unit by unit, so that each unit's counts stay in cache for the batch: the
        // A ranks are laid out by unit (each unit's ranks contiguous). Each unit's histogram
        // covers the ranks it reached, grown to this batch's best and worst.
        let n_rows = (rows.end - rows.start) as usize;
        let mut by_unit = std::mem::take(&mut sc.by_unit);
        by_unit.resize(n * n_rows, 0);
        let mut ranks = std::mem::take(&mut sc.ranks);
        let by_row = per_row > 1 || !m.band_limits.is_empty();
        if by_row {
            ranks.resize(e_count * n, 0);
            for e in 0..e_count {
                let out = &mut ranks[e * n..(e + 1) * n];
                self.rank(&delta[e * n..(e + 1) * n], sc, |pos, rank| out[pos] = rank);
            }
        } else {
            // Only the A ranks, straight into their places by unit.
            for r in 0..n_rows {
                let out = &mut by_unit[r..];
                self.rank(&delta[r * n..(r + 1) * n], sc, |pos, rank| out[pos * n_rows] = rank);
            }
        }
        for p0 in (0..n).step_by(256).filter(|_| by_row) {
            let p1 = (p0 + 256).min(n);
            for r in 0..n_rows {
                let src = &ranks[r * per_row * n + p0..r * per_row * n + p1];
                for (i, &rank) in src.iter().enumerate() {
                    by_unit[(p0 + i) * n_rows + r] = rank;
                }
            }
        }
        for (pos, hist) in acc.hist.iter_mut().enumerate() {
            let mine = &by_unit[pos * n_rows..(pos + 1) * n_rows];
            let (lo, hi) = mine.iter().fold((u32::MAX, 0), |(lo, hi), &r| (lo.min(r), hi.max(r)));
            hist.cover(lo, hi);
        }
        // Four units at a time: a unit whose rank repeats adds to the same counter again and
        // again, and four such chains run side by side.
        let mut units = acc.hist.chunks_exact_mut(4);
        let mut at = 0;
        for four in units.by_ref() {
            let [h0, h1, h2, h3] = four else { continue };
            let (c0, c1, c2, c3) = (&mut h0.counts, &mut h1.counts, &mut h2.counts, &mut h3.counts);
            let (f0, f1, f2, f3) = (h0.first, h1.first, h2.first, h3.first);
            let mine = &by_unit[at * n_rows..(at + 4) * n_rows];
            let (r0, rest) = mine.split_at(n_rows);
            let (r1, rest) = rest.split_at(n_rows);
            let (r2, r3) = rest.split_at(n_rows);
            for r in 0..n_rows {
                c0[(r0[r] - f0) as usize] += 1;
                c1[(r1[r] - f1) as usize] += 1;
                c2[(r2[r] - f2) as usize] += 1;
                c3[(r3[r] - f3) as usize] += 1;
            }
            at += 4;
        }
        for hist in units.into_remainder() {
            let first = hist.first;
            for &rank in &by_unit[at * n_rows..(at + 1) * n_rows] {
                hist.counts[(rank - first) as usize] += 1;
            }
            at += 1;
        }
        sc.by_unit = by_unit;
        // Bands and attribution read the ranks by evaluation.
        for r in (0..n_rows).filter(|_| by_row) {
            let base = r * per_row;
            let ra = &ranks[base * n..(base + 1) * n];
            if !m.band_limits.is_empty() {
                let nb = m.band_labels.len() + 1;
                let da = &delta[base * n..(base + 1) * n];
                for pos in 0..n {
                    let band = if da[pos] == 0.0 {
                        m.nominal_band[pos] as usize
                    } else {
                        let v = nonneg(m.nominal[pos] + da[pos]);
                        m.band_limits
                            .iter()
                            .position(|&(t, strict)| if strict { v > t } else { v >= t })
                            .unwrap_or(nb - 1)
                    };
                    acc.bands[pos * nb + band] += 1;
                }
            }
            if let Some(sobol) = acc.sobol.as_mut() {
                let rb = &ranks[(base + 1) * n..(base + 2) * n];
                let shift = |r: &[u32]| -> i128 {
                    r.iter().zip(&m.nominal_rank).map(|(&a, &b)| (a as i128 - b as i128).abs()).sum()
                };
                let (sa, sb) = (shift(ra), shift(rb));
                sobol.shift[0] += sa;
                sobol.shift[1] += sa * sa;
                sobol.shift[2] += sb;
                sobol.shift[3] += sb * sb;
                for pos in 0..n {
                    let (a, b) = (ra[pos] as i64, rb[pos] as i64);
                    let s = &mut sobol.moments[pos * 4..pos * 4 + 4];
                    s[0] += a;
                    s[1] += a * a;
                    s[2] += b;
                    s[3] += b * b;
                }
                for i in 0..k {
                    let rab = &ranks[(base + 2 + i) * n..(base + 3 + i) * n];
                    let sab = shift(rab);
                    sobol.shift_first[i] += sb * (sab - sa);
                    sobol.shift_total[i] += (sa - sab) * (sa - sab);
                    for pos in 0..n {
                        let (a, b, ab) = (ra[pos] as i64, rb[pos] as i64, rab[pos] as i64);
                        sobol.first[pos * k + i] += b * (ab - a);
                        sobol.total[pos * k + i] += (a - ab) * (a - ab);
                    }
                }
            }
        }
        sc.delta = delta;
        sc.ranks = ranks;
        sc.evals = evals;
    }

    /// Values of one evaluation by the tree walk (noise, geometric means): the change from
    /// the same walk at nominal.
    #[inline(never)]
    fn general(&self, e: &Eval, out: &mut [f64], sc: &mut Scratch) {
        let m = self.model;
        let n_leaves = m.leaves.len();
        let mut streams: Vec<(usize, Stream)> =
            e.noise.iter().map(|&(s, id)| (s, Stream::new(self.seed, id))).collect();
        let mut ok = vec![true; m.groups.len()];
        let mut masses: Vec<Vec<f64>> = Vec::with_capacity(m.groups.len());
        for (gi, g) in m.groups.iter().enumerate() {
            ok[gi] = m.coefficients(g, &e.f, &mut sc.w, &mut sc.coef);
            masses.push(sc.w.clone());
        }
        let mut index_in_group = vec![0usize; m.groups.len()];
        for pos in 0..m.n {
            let gi = m.group_of[pos];
            let g = &m.groups[gi];
            let i = index_in_group[gi];
            index_in_group[gi] += 1;
            for l in 0..n_leaves {
                sc.xs[l] = g.x[l * g.stride + i];
            }
            for (s, rng) in streams.iter_mut() {
                match &self.sources[*s] {
                    Prepared::Noise { half, leaves } => {
                        for l in 0..n_leaves {
                            if leaves[l] && g.alive[l] && m.has_input[pos * n_leaves + l] {
                                let step = half * (2.0 * rng.uniform() - 1.0) * 100.0 / m.leaf_max[l];
                                sc.xs[l] = (sc.xs[l] + step).clamp(0.0, 100.0);
                            }
                        }
                    }
                    Prepared::Survey { entries } => {
                        for (l, by_pos) in entries {
                            if let Some((percent, se)) = by_pos[pos] {
                                if g.alive[*l] && m.has_input[pos * n_leaves + l] {
                                    sc.xs[*l] = (percent + se * rng.normal()).clamp(0.0, 100.0);
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
            out[pos] = if ok[gi] {
                let xs = std::mem::take(&mut sc.xs);
                let v = m.general_value(g, &e.f, &e.geo, &xs, &masses[gi], &mut sc.val);
                sc.xs = xs;
                v - g.f0[i]
            } else {
                0.0
            };
        }
    }

    /// Ranks of one evaluation from its changes `delta`: values compared after dropping
    /// their last `shift_bits` bits, equal values ordered by nominal position and sharing a
    /// rank when their nominal ranks are equal (competition or dense).
    #[inline(always)]
    fn rank(&self, delta: &[f64], sc: &mut Scratch, mut out: impl FnMut(usize, u32)) {
        let m = self.model;
        let n = m.n;
        if n == 0 {
            return;
        }
        let b = self.shift_bits;
        // Keys, and the range of their value bits for the buckets.
        sc.keys.resize(n, 0);
        let (mut lo, mut hi) = (u64::MAX, 0u64);
        let mut push = |pos: usize, v: f64| {
            let k = (!v.to_bits()) >> b;
            lo = lo.min(k);
            hi = hi.max(k);
            sc.keys[pos] = (k << b) | pos as u64;
        };
        match m.published_rank {
            None => {
                for (pos, (&d, (&nominal, &key))) in
                    delta.iter().zip(m.nominal.iter().zip(&m.key_nominal)).enumerate()
                {
                    push(pos, if d == 0.0 { key } else { nonneg(nominal + d) });
                }
            }
            Some((scale, mode)) => {
                for (pos, (&d, (&nominal, &key))) in
                    delta.iter().zip(m.nominal.iter().zip(&m.key_nominal)).enumerate()
                {
                    push(pos, if d == 0.0 { key } else { round(nonneg(nominal + d) * scale, mode) });
                }
            }
        }
        if self.reference {
            sc.sorted.clear();
            sc.sorted.extend_from_slice(&sc.keys);
            sc.sorted.sort_unstable();
        } else {
            radix_sort(&sc.keys, &mut sc.sorted, &mut sc.tmp, b, lo, hi);
        }
        let mask = (1u64 << b) - 1;
        // Each unit's place in the order is its rank unless two neighbours have equal values.
        let mut tied = false;
        let mut prev = u64::MAX;
        for (i, &key) in sc.sorted.iter().enumerate() {
            out((key & mask) as usize, i as u32 + 1);
            tied |= (key >> b) == prev;
            prev = key >> b;
        }
        if !tied || m.ties == Ties::Ordinal {
            return;
        }
        let (mut rank, mut dense) = (0u32, 0u32);
        let mut prev: Option<(u64, u32)> = None;
        for (i, &key) in sc.sorted.iter().enumerate() {
            let pos = (key & mask) as usize;
            let here = (key >> b, m.nominal_rank[pos]);
            if prev != Some(here) {
                rank = i as u32 + 1;
                dense += 1;
            }
            prev = Some(here);
            out(pos, if m.ties == Ties::Dense { dense } else { rank });
        }
    }
}

fn unknown(model: &Model, code: &str) -> Issue {
    let _ = model;
    Issue::new(
        Location::default().criterion(code),
        IssueKind::InvalidSensitivity { reason: "unknown criterion".into() },
    )
}

/// The survey source's leaves and units as positions, with the problems found: each leaf must
/// be a plain-points leaf, each unit a scored unit (units scored but not ranked are skipped),
/// each share in `[0, 1]` and each standard error `≥ 0`.
fn survey_entries(
    model: &Model,
    leaves: &std::collections::BTreeMap<String, std::collections::BTreeMap<String, super::SurveyShare>>,
    issues: &mut Vec<Issue>,
) -> Vec<SurveyLeaf> {
    let position: HashMap<&str, usize> =
        model.ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let mut entries = Vec::new();
    for (code, units) in leaves {
        let at = || Location::default().criterion(code.clone());
        let l = match model.node_at(code).map(|node| model.leaves.iter().position(|&x| x == node)) {
            Some(Some(l)) => l,
            Some(None) => {
                issues.push(Issue::new(at(), IssueKind::NotALeaf));
                continue;
            }
            None => {
                issues.push(unknown(model, code));
                continue;
            }
        };
        if !model.plain[l] {
            issues.push(Issue::new(
                at(),
                IssueKind::InvalidSensitivity {
                    reason: "a survey-fed leaf must take its points directly (no scoring rule)".into(),
                },
            ));
        }
        let mut by_pos = vec![None; model.n];
        for (id, v) in units {
            let here = || at().unit(id.clone());
            if v.share < Decimal::ZERO || v.share > Decimal::ONE {
                issues.push(Issue::new(
                    here(),
                    IssueKind::InvalidSensitivity {
                        reason: format!("the share {} must lie in [0, 1]", v.share),
                    },
                ));
            }
            if v.se < Decimal::ZERO {
                issues.push(Issue::new(
                    here(),
                    IssueKind::InvalidSpread {
                        value: v.se,
                        reason: "a standard error cannot be negative".into(),
                    },
                ));
            }
            match position.get(id.as_str()) {
                Some(&pos) => {
                    let percent = |d: Decimal| d.checked_mul(Decimal::ONE_HUNDRED).map_or(0.0, dec_f64);
                    by_pos[pos] = Some((percent(v.share), percent(v.se)));
                }
                None if model.unranked.contains(id) => {}
                None => {
                    let known: Vec<&str> = model.ids.iter().take(20).map(String::as_str).collect();
                    issues.push(Issue::new(
                        here(),
                        IssueKind::UnknownUnit { unit: id.clone(), known: known.join(", ") },
                    ));
                }
            }
        }
        entries.push((l, by_pos));
    }
    entries
}

fn check_spread(spread: Decimal, weights: bool) -> Option<Issue> {
    let reason = if spread < Decimal::ZERO {
        "a spread cannot be negative"
    } else if weights && spread >= Decimal::ONE {
        "a weight spread of 1 (100 %) or more can make a weight zero or negative"
    } else {
        return None;
    };
    Some(Issue::new(Location::default(), IssueKind::InvalidSpread { value: spread, reason: reason.into() }))
}

#[inline]
fn nonneg(v: f64) -> f64 {
    if v > 0.0 {
        v
    } else {
        0.0
    }
}

/// Rounds a non-negative scaled value to a whole number with the methodology's mode.
fn round(y: f64, mode: RoundingMode) -> f64 {
    match mode {
        RoundingMode::HalfUp => libm::floor(y + 0.5),
        RoundingMode::HalfDown => libm::ceil(y - 0.5),
        RoundingMode::HalfEven => libm::rint(y),
        RoundingMode::Down => libm::floor(y),
        RoundingMode::Up => libm::ceil(y),
    }
}

/// Sorts keys ascending. The value bits `key >> b` (monotone in the key; `lo` and `hi` are
/// their least and greatest) are cut to their top 16 bits above `lo`, the keys sorted on those
/// by two stable passes of 8 bits (least significant first), then an insertion sort puts the
/// keys of equal cut values in order: with 65,536 cells for at most a few thousand keys it
/// rarely moves one.
#[inline(never)]
fn radix_sort(keys: &[u64], sorted: &mut Vec<u64>, tmp: &mut Vec<u64>, b: u32, lo: u64, hi: u64) {
    let n = keys.len();
    let bits = 64 - (hi - lo).leading_zeros();
    let shift = bits.saturating_sub(16);
    let cut = |k: u64| (((k >> b) - lo) >> shift) as usize & 0xFFFF;
    let mut low = [0u32; 256];
    let mut high = [0u32; 256];
    // Neighbouring keys often share their high byte: two tables for the high counts, so that
    // consecutive increments rarely wait on each other.
    let mut high2 = [0u32; 256];
    let mut pairs = keys.chunks_exact(2);
    for pair in pairs.by_ref() {
        let (c0, c1) = (cut(pair[0]), cut(pair[1]));
        low[c0 & 0xFF] += 1;
        low[c1 & 0xFF] += 1;
        high[c0 >> 8] += 1;
        high2[c1 >> 8] += 1;
    }
    for &k in pairs.remainder() {
        let c = cut(k);
        low[c & 0xFF] += 1;
        high[c >> 8] += 1;
    }
    let (mut sl, mut sh) = (0, 0);
    for ((l, h), h2) in low.iter_mut().zip(high.iter_mut()).zip(high2) {
        (*l, sl) = (sl, sl + *l);
        (*h, sh) = (sh, sh + *h + h2);
    }
    // Every slot of `tmp` and `sorted` is written below: no need to clear them.
    tmp.resize(n, 0);
    for &k in keys {
        let slot = &mut low[cut(k) & 0xFF];
        tmp[*slot as usize] = k;
        *slot += 1;
    }
    sorted.resize(n, 0);
    for &k in tmp.iter() {
        let slot = &mut high[cut(k) >> 8];
        sorted[*slot as usize] = k;
        *slot += 1;
    }
    // The greatest key so far stays in a register: a key in order (nearly all) is one
    // comparison, with no load of what the previous step stored.
    let Some(&first) = sorted.first() else { return };
    let mut greatest = first;
    for i in 1..n {
        let k = sorted[i];
        if k >= greatest {
            greatest = k;
            continue;
        }
        let mut j = i;
        while j > 0 && sorted[j - 1] > k {
            sorted[j] = sorted[j - 1];
            j -= 1;
        }
        sorted[j] = k;
    }
}

/// `delta[e][member] = Σ_l d[l][e] · x[l][member]`, four evaluations by four units at a time,
/// the sum over leaves in order from 0.0 (the reference's order, so the bits are the same).
fn kernel(g: &Group, n_leaves: usize, d: &[f64], evals: &[usize], n: usize, delta: &mut [f64]) {
    /// The kernel compiled for the best instruction set the processor has (AVX2 on x86-64
    /// when present, through `pulp`'s runtime dispatch, never wider). Only the width of the vectors
    /// changes: each sum is still the same multiplications and additions in the same order
    /// (Rust never fuses them), so the bits are the same everywhere.
    struct Dispatch<'a> {
        g: &'a Group,
        n_leaves: usize,
        d: &'a [f64],
        evals: &'a [usize],
        n: usize,
        delta: &'a mut [f64],
    }
    impl pulp::WithSimd for Dispatch<'_> {
        type Output = ();
        #[inline(always)]
        fn with_simd<S: pulp::Simd>(self, simd: S) {
            kernel_body(simd, self.g, self.n_leaves, self.d, self.evals, self.n, self.delta);
        }
    }
    let op = Dispatch { g, n_leaves, d, evals, n, delta };
    // At most AVX2 (four lanes): two vectors of units must divide `UB`.
    #[cfg(target_arch = "x86_64")]
    if let Some(simd) = pulp::x86::V3::try_new() {
        return pulp::Simd::vectorize(simd, op);
    }
    pulp::Arch::new().dispatch(op);
}

/// Units per block of the kernel (the groups' strides are multiples of it).
const UB: usize = 8;

/// The kernel on the vectors of `simd` (4 lanes with AVX2, 2 with wasm SIMD, 1 without): each
/// lane computes `acc + d · x` as a multiplication then an addition, exactly as the scalar
/// reference. Blocks of two vectors of units by four evaluations (then by one for the rest) keep
/// their eight sums in registers.
#[inline(always)]
fn kernel_body<S: pulp::Simd>(
    simd: S,
    g: &Group,
    n_leaves: usize,
    d: &[f64],
    evals: &[usize],
    n: usize,
    delta: &mut [f64],
) {
    let el = evals.len();
    let stride = g.stride;
    // Units per block: two vectors (a divisor of `UB`, so of the stride).
    let w = 2 * S::F64_LANES;
    let zero = simd.splat_f64s(0.0);
    let mut buf = [0.0f64; 2 * UB];
    for i0 in (0..stride).step_by(w) {
        let rows = g.x.chunks_exact(stride).zip(d.chunks_exact(el)).take(n_leaves);
        let mut e0 = 0;
        while e0 + 4 <= el {
            let [mut a0, mut a1, mut b0, mut b1, mut c0, mut c1, mut d0, mut d1] = [zero; 8];
            for (xrow, drow) in rows.clone() {
                let (xv, _) = S::as_simd_f64s(&xrow[i0..i0 + w]);
                let (x0, x1) = (xv[0], xv[1]);
                let ds = &drow[e0..e0 + 4];
                let v = simd.splat_f64s(ds[0]);
                a0 = simd.add_f64s(a0, simd.mul_f64s(v, x0));
                a1 = simd.add_f64s(a1, simd.mul_f64s(v, x1));
                let v = simd.splat_f64s(ds[1]);
                b0 = simd.add_f64s(b0, simd.mul_f64s(v, x0));
                b1 = simd.add_f64s(b1, simd.mul_f64s(v, x1));
                let v = simd.splat_f64s(ds[2]);
                c0 = simd.add_f64s(c0, simd.mul_f64s(v, x0));
                c1 = simd.add_f64s(c1, simd.mul_f64s(v, x1));
                let v = simd.splat_f64s(ds[3]);
                d0 = simd.add_f64s(d0, simd.mul_f64s(v, x0));
                d1 = simd.add_f64s(d1, simd.mul_f64s(v, x1));
            }
            for (k, (v0, v1)) in [(a0, a1), (b0, b1), (c0, c1), (d0, d1)].into_iter().enumerate() {
                let (out, _) = S::as_mut_simd_f64s(&mut buf[..w]);
                (out[0], out[1]) = (v0, v1);
                scatter(g, i0, &buf[..w], evals[e0 + k] * n, delta);
            }
            e0 += 4;
        }
        while e0 < el {
            let (mut a0, mut a1) = (zero, zero);
            for (xrow, drow) in rows.clone() {
                let (xv, _) = S::as_simd_f64s(&xrow[i0..i0 + w]);
                let v = simd.splat_f64s(drow[e0]);
                a0 = simd.add_f64s(a0, simd.mul_f64s(v, xv[0]));
                a1 = simd.add_f64s(a1, simd.mul_f64s(v, xv[1]));
            }
            let (out, _) = S::as_mut_simd_f64s(&mut buf[..w]);
            (out[0], out[1]) = (a0, a1);
            scatter(g, i0, &buf[..w], evals[e0] * n, delta);
            e0 += 1;
        }
    }
}

/// Writes the sums of the group's members `i0..` into one evaluation's row of changes.
#[inline(always)]
fn scatter(g: &Group, i0: usize, sums: &[f64], row: usize, delta: &mut [f64]) {
    for (&pos, &value) in g.members.iter().skip(i0).zip(sums) {
        delta[row + pos] = value;
    }
}

/// The plain loop the kernel must equal.
#[inline(never)]
fn reference_kernel(g: &Group, n_leaves: usize, d: &[f64], evals: &[usize], n: usize, delta: &mut [f64]) {
    let el = evals.len();
    for (j, &e) in evals.iter().enumerate() {
        for (i, &pos) in g.members.iter().enumerate() {
            let mut acc = 0.0;
            for l in 0..n_leaves {
                acc += d[l * el + j] * g.x[l * g.stride + i];
            }
            delta[e * n + pos] = acc;
        }
    }
}

/// Sums over replications, all integers: adding them in any order gives the same bits.
pub(crate) struct Acc {
    /// Per unit: replications per rank, over the ranks reached.
    pub(crate) hist: Vec<RankHistogram>,
    /// `bands[pos * (bands + 1) + band]`, the last column for "no band".
    pub(crate) bands: Vec<u32>,
    pub(crate) sobol: Option<SobolSums>,
}

/// The Saltelli/Jansen sums per unit and source, and for the total rank shift.
pub(crate) struct SobolSums {
    /// Per unit: Σ rA, Σ rA², Σ rB, Σ rB².
    pub(crate) moments: Vec<i64>,
    /// Per unit and source: Σ rB (rAB − rA).
    pub(crate) first: Vec<i64>,
    /// Per unit and source: Σ (rA − rAB)².
    pub(crate) total: Vec<i64>,
    /// For the total shift: Σ sA, Σ sA², Σ sB, Σ sB².
    pub(crate) shift: [i128; 4],
    pub(crate) shift_first: Vec<i128>,
    pub(crate) shift_total: Vec<i128>,
}

impl Acc {
    pub(crate) fn new(r: &Runner<'_>) -> Acc {
        let m = r.model;
        let n = m.n;
        let k = r.n_sources();
        Acc {
            hist: vec![RankHistogram::new(n as u32); n],
            bands: if m.band_limits.is_empty() { Vec::new() } else { vec![0; n * (m.band_labels.len() + 1)] },
            sobol: r.attribution.then(|| SobolSums {
                moments: vec![0; n * 4],
                first: vec![0; n * k],
                total: vec![0; n * k],
                shift: [0; 4],
                shift_first: vec![0; k],
                shift_total: vec![0; k],
            }),
        }
    }

    #[cfg_attr(not(feature = "parallel"), allow(dead_code))]
    pub(crate) fn merge(mut self, other: Acc) -> Acc {
        fn add<T: Copy + std::ops::AddAssign>(a: &mut [T], b: &[T]) {
            for (x, &y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        for (a, b) in self.hist.iter_mut().zip(&other.hist) {
            a.add(b);
        }
        add(&mut self.bands, &other.bands);
        if let (Some(a), Some(b)) = (self.sobol.as_mut(), other.sobol.as_ref()) {
            add(&mut a.moments, &b.moments);
            add(&mut a.first, &b.first);
            add(&mut a.total, &b.total);
            add(&mut a.shift, &b.shift);
            add(&mut a.shift_first, &b.shift_first);
            add(&mut a.shift_total, &b.shift_total);
        }
        self
    }
}
