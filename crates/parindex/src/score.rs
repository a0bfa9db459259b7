//! Scoring: the one aggregation rule of DESIGN.md §2, computed exactly.
//!
//! A methodology and the pattern of not-applicable leaves compile into a [`Plan`]: for every
//! node an integer denominator `Q` and, for each child, an integer coefficient `k`, so that
//! `points(node) = Σ k · P(child) / Q(node)` where `P` are integer numerators. Evaluating a
//! unit is then a pass of integer multiply-adds; nothing is rounded.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use rust_decimal::Decimal;

use crate::error::{collect, Error, Issue, IssueKind, Location, Result};
use crate::exact::{gcd, pow10, Exact};
use crate::methodology::{Methodology, NotApplicable, RankOn, Rule};
use crate::rank::number;
use crate::scores::{Scores, Unit};

/// Magnitudes every numerator and denominator must stay below; leaves room for one more
/// multiplication by 100 and a power of ten when percentages are formed.
const LIMIT: i128 = 1 << 120;

/// How a leaf's raw value (at scale `S`) becomes its numerator over `Q = 10^S` (or
/// `full · 10^S` for proportional leaves).
#[derive(Debug, Clone)]
enum LeafKind {
    Points,
    YesNo { max: i128, one: i128 },
    Proportional { max: i128, full: i128 },
    Thresholds { at_least: bool, steps: Vec<(i128, i128)>, otherwise: i128 },
}

/// The compiled form of a methodology for one pattern of applicable leaves.
#[derive(Debug, Clone)]
struct Plan {
    /// Denominator per node, the root last; 0 for a node that does not apply.
    den: Vec<i128>,
    /// Per node in post-order, then the root: (node, [(child, k)]).
    steps: Vec<(usize, Vec<(usize, i128)>)>,
    /// The root's numerator as `Σ K · P(leaf)`, per leaf position (0 when it does not apply).
    root: Vec<i128>,
    /// True when every `K` is 1 and every leaf takes points: the root is a plain sum.
    plain_sum: bool,
    /// `K` per node: the root's numerator moves by `K` when the node's numerator moves by 1.
    k: Vec<i128>,
}

/// What scoring needs from the methodology at the working scale.
#[derive(Debug, Clone)]
struct Compiler {
    m: Methodology,
    unit: i128,
    kinds: Vec<LeafKind>,
    /// `10^ms`, where `ms` is the methodology's own decimal scale.
    ms_unit: i128,
    /// max per node at the methodology's scale, the root last.
    max: Vec<i128>,
    /// max per node at the working scale.
    max_s: Vec<i128>,
    /// `100 ÷ max` per node in lowest terms, the root last: percent = points × this.
    per_point: Vec<Exact>,
    /// Explicit weights at the methodology's scale.
    weight: Vec<Option<i128>>,
    full_points: bool,
}

impl Compiler {
    fn new(m: &Methodology, scale: u32) -> std::result::Result<Compiler, IssueKind> {
        let t = m.tree();
        let ms = t.scale.min(scale);
        let unit = pow10(scale).ok_or_else(|| precise("scale"))?;
        let at = |d: Decimal, scale: u32| -> std::result::Result<i128, IssueKind> {
            let k = pow10(scale - d.scale().min(scale)).ok_or_else(|| precise("scale"))?;
            d.mantissa()
                .checked_mul(k)
                .filter(|v| v.abs() < LIMIT)
                .ok_or_else(|| precise("a maximum or weight"))
        };
        let mut max = t.max.iter().map(|&d| at(d, ms)).collect::<std::result::Result<Vec<_>, _>>()?;
        max.push(at(t.root_max, ms)?);
        let max_s = t.max.iter().map(|&d| at(d, scale)).collect::<std::result::Result<Vec<_>, _>>()?;
        let weight = m
            .nodes()
            .iter()
            .map(|n| n.weight.map(|w| at(w, ms)).transpose())
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let mut kinds = Vec::with_capacity(t.leaves.len());
        for &i in &t.leaves {
            kinds.push(match &m.nodes()[i].rule {
                Rule::Points => LeafKind::Points,
                Rule::YesNo => LeafKind::YesNo { max: max_s[i], one: unit },
                Rule::Proportional { full } => {
                    LeafKind::Proportional { max: max[i], full: at(*full, scale)? }
                }
                Rule::Thresholds { direction, steps, otherwise } => LeafKind::Thresholds {
                    at_least: *direction == crate::Direction::AtLeast,
                    steps: steps
                        .iter()
                        .map(|s| Ok((at(s.bound, scale)?, at(s.points, scale)?)))
                        .collect::<std::result::Result<_, IssueKind>>()?,
                    otherwise: at(*otherwise, scale)?,
                },
            });
        }
        let full_points = m.settings().not_applicable == NotApplicable::FullPoints;
        let ms_unit = pow10(ms).ok_or_else(|| precise("scale"))?;
        let per_point =
            max.iter().map(|&x| Exact::new(100 * ms_unit, x).map_or(Exact::ZERO, Exact::reduced)).collect();
        Ok(Compiler { m: m.clone(), unit, ms_unit, kinds, max, max_s, per_point, weight, full_points })
    }

    /// The denominator of a leaf's numerator.
    fn leaf_den(&self, leaf: usize) -> i128 {
        match &self.kinds[leaf] {
            LeafKind::Proportional { full, .. } => full.saturating_mul(self.ms_unit),
            _ => self.unit,
        }
    }

    /// A plan for the leaves marked not applicable in `na` (by leaf position).
    fn compile(&self, na: &[bool]) -> std::result::Result<Plan, IssueKind> {
        let t = self.m.tree();
        let n = t.max.len();
        let root = n;
        let mut den = vec![0i128; n + 1];
        for (k, &i) in t.leaves.iter().enumerate() {
            if !na[k] || self.full_points {
                den[i] = self.leaf_den(k);
            }
        }
        // The applicable maximum of each node as a fraction: a leaf's max when it applies,
        // an inner node's max scaled by the share of its children's maxima that apply.
        let mut amax: Vec<(i128, i128)> = vec![(0, 1); n + 1];
        for &i in &t.leaves {
            if den[i] != 0 {
                amax[i] = (self.max[i], 1);
            }
        }
        let mut steps = Vec::with_capacity(n + 1 - t.leaves.len());
        let inner = t.post_order.iter().copied().filter(|&i| !t.children[i].is_empty());
        for node in inner.chain([root]) {
            let kids: &[usize] = if node == root { &t.top } else { &t.children[node] };
            let live: Vec<usize> = kids.iter().copied().filter(|&c| den[c] != 0).collect();
            // Weights over a common denominator: explicit, or the applicable maximum.
            let weights: Vec<(i128, i128)> =
                live.iter().map(|&c| self.weight[c].map_or(amax[c], |w| (w, 1))).collect();
            let common = weights.iter().try_fold(1i128, |l, &(_, d)| lcm(l, d))?;
            let w: Vec<i128> = weights
                .iter()
                .map(|&(num, d)| mul(num, common / d))
                .collect::<std::result::Result<_, _>>()?;
            let w_sum =
                w.iter().try_fold(0i128, |s, &x| s.checked_add(x)).ok_or_else(|| precise("weights"))?;
            if w_sum == 0 {
                continue; // nothing applies below: the node does not apply
            }
            // k_c / Q = max_n · w_c / (max_c · W · Q_c), brought to a common denominator.
            let mut fracs = Vec::with_capacity(live.len());
            let mut q: i128 = 1;
            for (&c, &wc) in live.iter().zip(&w) {
                let (a, b) = ratio(&[self.max[node], wc], &[self.max[c], w_sum, den[c]])?;
                q = lcm(q, b)?;
                fracs.push((c, a, b));
            }
            let coefs = fracs
                .into_iter()
                .map(|(c, a, b)| Ok((c, mul(a, q / b)?)))
                .collect::<std::result::Result<Vec<_>, IssueKind>>()?;
            // Points never exceed the maximum, so P ≤ max·Q bounds every partial sum.
            mul(self.max[node], q)?;
            den[node] = q;
            steps.push((node, coefs));
            amax[node] = self.applicable_max(node, kids, &amax)?;
        }
        // Flatten: K(root) = 1, K(child) = K(parent) · k, walking from the root down.
        let mut k_of = vec![0i128; n + 1];
        k_of[root] = 1;
        for (node, coefs) in steps.iter().rev() {
            for &(c, k) in coefs {
                k_of[c] = mul(k_of[*node], k)?;
            }
        }
        let root_coefs: Vec<i128> = t.leaves.iter().map(|&i| k_of[i]).collect();
        let plain_sum =
            root_coefs.iter().all(|&k| k == 1) && self.kinds.iter().all(|k| matches!(k, LeafKind::Points));
        Ok(Plan { den, steps, root: root_coefs, plain_sum, k: k_of })
    }

    /// `max(node) × Σ amax(children) ÷ Σ max(children)`, reduced; the node's own max when
    /// everything beneath applies.
    fn applicable_max(
        &self,
        node: usize,
        kids: &[usize],
        amax: &[(i128, i128)],
    ) -> std::result::Result<(i128, i128), IssueKind> {
        if kids.iter().all(|&c| amax[c] == (self.max[c], 1)) {
            return Ok((self.max[node], 1));
        }
        let common = kids.iter().try_fold(1i128, |l, &c| lcm(l, amax[c].1))?;
        let mut num = 0i128;
        let mut full = 0i128;
        for &c in kids {
            num = num.checked_add(mul(amax[c].0, common / amax[c].1)?).ok_or_else(|| precise("maxima"))?;
            full = full.checked_add(self.max[c]).ok_or_else(|| precise("maxima"))?;
        }
        let (num, den) = (mul(self.max[node], num)?, mul(full, common)?);
        let g = gcd(num.unsigned_abs(), den.unsigned_abs()).max(1) as i128;
        Ok((num / g, den / g))
    }

    /// A leaf's numerator from its raw value (already validated).
    fn leaf_points(&self, leaf: usize, raw: i128) -> i128 {
        match &self.kinds[leaf] {
            LeafKind::Points => raw,
            LeafKind::YesNo { max, one } => {
                if raw == *one {
                    *max
                } else {
                    0
                }
            }
            LeafKind::Proportional { max, full } => max * raw.min(*full),
            LeafKind::Thresholds { at_least, steps, otherwise } => steps
                .iter()
                .find(|(bound, _)| if *at_least { raw >= *bound } else { raw <= *bound })
                .map_or(*otherwise, |&(_, p)| p),
        }
    }

    /// A not-applicable leaf's numerator under the full-points policy.
    fn full_leaf(&self, leaf: usize, node: usize) -> i128 {
        match &self.kinds[leaf] {
            LeafKind::Proportional { full, .. } => self.max[node] * full,
            _ => self.max_s[node],
        }
    }

    /// Checks one raw value against its leaf's rule.
    fn check(&self, leaf: usize, node: usize, raw: i128, scores: &Scores) -> Option<IssueKind> {
        let dec = |r: i128| scores.to_decimal(r);
        if raw < 0 {
            return Some(IssueKind::Negative { value: dec(raw) });
        }
        match &self.kinds[leaf] {
            LeafKind::Points if raw > self.max_s[node] => {
                Some(IssueKind::AboveMax { value: dec(raw), max: self.m.tree().max[node] })
            }
            LeafKind::YesNo { one, .. } if raw != 0 && raw != *one => {
                Some(IssueKind::NotYesNo { text: dec(raw).to_string() })
            }
            _ => None,
        }
    }
}

fn precise(what: &str) -> IssueKind {
    IssueKind::TooPrecise { reason: format!("{what} exceed 128-bit exact arithmetic") }
}

fn mul(a: i128, b: i128) -> std::result::Result<i128, IssueKind> {
    a.checked_mul(b).filter(|v| v.abs() < LIMIT).ok_or_else(|| precise("products of maxima and weights"))
}

/// `Π num ÷ Π den` in lowest terms, reducing before every multiplication.
fn ratio(num: &[i128], den: &[i128]) -> std::result::Result<(i128, i128), IssueKind> {
    let (mut n, mut d) = (1i128, 1i128);
    for &x in num {
        let g = gcd(x.unsigned_abs(), d.unsigned_abs()).max(1) as i128;
        n = mul(n, x / g)?;
        d /= g;
    }
    for &y in den {
        let g = gcd(n.unsigned_abs(), y.unsigned_abs()).max(1) as i128;
        d = mul(d, y / g)?;
        n /= g;
    }
    Ok((n, d))
}

fn lcm(a: i128, b: i128) -> std::result::Result<i128, IssueKind> {
    let g = gcd(a.unsigned_abs(), b.unsigned_abs()).max(1) as i128;
    mul(a / g, b)
}

/// Marks a unit whose exact values do not fit the 128-bit plan (see [`big`]).
const BIG: u32 = u32::MAX;

/// Scores every unit on every node of the methodology, ranks them and assigns bands.
///
/// Totals, indices, ranks and bands are computed at once; the table of every node's points
/// is computed the first time a node is asked for.
///
/// # Errors
///
/// Every problem in the scores at once, each located (file, row and column when the scores
/// came from a file; otherwise unit and criterion): missing values, negative values, points
/// above their maximum, non yes/no input on a yes/no leaf, bonus or penalty above its cap,
/// a unit where nothing applies, scores built for another methodology.
///
/// # Examples
///
/// ```
/// use parindex::{score, Info, Methodology, Node, Scores, Settings, Unit, Value};
/// use rust_decimal::Decimal;
/// let d = |s: &str| s.parse::<Decimal>().unwrap();
/// let m = Methodology::new(Info::new("m", "M"), Settings::default(), vec![
///     Node::new("1", "One"),
///     Node::new("1.1", "A").parent("1").max(d("3")),
///     Node::new("1.2", "B").parent("1").max(d("2")),
///     Node::new("2", "Two").max(d("5")),
/// ]).unwrap();
/// let mut s = Scores::new(&m);
/// for (id, a, b, two) in [("x", "3", "1.5", "4"), ("y", "2", "NA", "5")] {
///     let u = s.add_unit(Unit::new(id)).unwrap();
///     s.set(u, "1.1", Value::Number(d(a))).unwrap();
///     s.set(u, "1.2", if b == "NA" { Value::NotApplicable } else { Value::Number(d(b)) }).unwrap();
///     s.set(u, "2", Value::Number(d(two))).unwrap();
/// }
/// let r = score(&m, &s).unwrap();
/// let x = r.unit("x").unwrap();
/// assert_eq!(x.points().to_decimal(), d("8.5"));
/// assert_eq!(x.percent().to_decimal(), d("85"));
/// // y: 1.2 does not apply, so domain 1 is 2 of 3 = 66.67 % and the index is 7 of the
/// // 8 applicable points ("quy về thang điểm 100")
/// let y = r.unit("y").unwrap();
/// assert_eq!(y.node("1").unwrap().percent().unwrap().round(2, Default::default()), d("66.67"));
/// assert_eq!(y.published_percent(), d("87.50"));
/// assert_eq!((x.rank(), y.rank()), (Some(2), Some(1)));
/// ```
pub fn score(methodology: &Methodology, scores: &Scores) -> Result<Results> {
    if scores.methodology_id() != methodology.info().id
        || scores.leaves().iter().map(String::as_str).ne(methodology.leaf_codes())
    {
        return Err(Error::single(
            Location::default(),
            IssueKind::WrongMethodology {
                expected: methodology.info().id.clone(),
                found: scores.methodology_id().into(),
            },
        ));
    }
    let global = |k| Error::single(Location::default(), k);
    // Scores read for an equal methodology written with fewer decimal places (weights of
    // 45.27 against 45.2700) work at the finer scale: never round a maximum or weight.
    let finer;
    let scores = if scores.scale() < methodology.tree().scale {
        let mut s = scores.clone();
        s.rescale(methodology.tree().scale).map_err(global)?;
        finer = s;
        &finer
    } else {
        scores
    };
    let compiler = Compiler::new(methodology, scores.scale()).map_err(global)?;
    let t = methodology.tree();
    let n_nodes = t.max.len();
    let units = scores.units().len();
    let settings = methodology.settings();
    let mut issues: Vec<Issue> = Vec::new();

    // Plan 0 is for units where everything applies; BIG when even it outgrows 128 bits.
    let all_apply = vec![false; t.leaves.len()];
    let mut plans: Vec<Plan> = Vec::new();
    let first = match compiler.compile(&all_apply) {
        Ok(plan) => {
            plans.push(plan);
            0
        }
        Err(_) => BIG,
    };
    let mut plan_index: HashMap<Vec<bool>, u32> = HashMap::from([(all_apply, first)]);
    let leaf_max: Vec<i128> = t.leaves.iter().map(|&i| compiler.max_s[i]).collect();
    // When the maxima add up to less than 2⁶³, a sum of in-range values fits 64 bits: add them
    // so (a 128-bit add is several instructions in WebAssembly).
    let narrow =
        leaf_max.iter().try_fold(0i128, |a, &m| a.checked_add(m)).is_some_and(|t| t < i128::from(i64::MAX));
    let mut plan_of_unit = vec![0u32; units];
    let mut root_num = vec![0i128; units];
    let mut big_values: HashMap<usize, Vec<Option<(Exact, Exact)>>> = HashMap::new();

    for u in 0..units {
        let row = scores.row(u);
        // The common case in one pass: every leaf takes points and applies, the root is a sum.
        if plans.first().is_some_and(|p| p.plain_sum) && first == 0 {
            let mut clean = true;
            let sum = if narrow {
                let mut sum = 0u64;
                for (&raw, &max) in row.iter().zip(&leaf_max) {
                    clean &= raw as u128 <= max as u128; // 0 ≤ raw ≤ max: a negative raw is huge as u128
                    sum = sum.wrapping_add(raw as u64); // only used when every value is in range
                }
                i128::from(sum)
            } else {
                let mut sum = 0i128;
                for (&raw, &max) in row.iter().zip(&leaf_max) {
                    clean &= raw as u128 <= max as u128;
                    sum = sum.wrapping_add(raw);
                }
                sum
            };
            if clean {
                root_num[u] = sum;
                check_adjustments(scores, u, settings, &mut issues);
                continue;
            }
        }
        let mut any_na = false;
        for (k, &raw) in row.iter().enumerate() {
            if Scores::is_na(raw) {
                any_na = true;
            } else if Scores::is_missing(raw) {
                issues.push(scores.issue(u, Some(k), IssueKind::MissingValue));
            } else if let Some(kind) = compiler.check(k, t.leaves[k], raw, scores) {
                issues.push(scores.issue(u, Some(k), kind));
            }
        }
        check_adjustments(scores, u, settings, &mut issues);
        let p = if !any_na || compiler.full_points {
            first
        } else {
            let na: Vec<bool> = row.iter().map(|&r| Scores::is_na(r)).collect();
            match plan_index.get(&na) {
                Some(&p) => p,
                None => {
                    let p = match compiler.compile(&na) {
                        Ok(plan) => {
                            plans.push(plan);
                            plans.len() as u32 - 1
                        }
                        Err(_) => BIG,
                    };
                    plan_index.insert(na, p);
                    p
                }
            }
        };
        plan_of_unit[u] = p;
        if p == BIG {
            let values = big::evaluate(&compiler, row);
            if values[n_nodes].is_none() {
                issues.push(scores.issue(u, None, IssueKind::NothingApplicable));
            }
            big_values.insert(u, values);
        } else if plans[p as usize].den[n_nodes] == 0 {
            issues.push(scores.issue(u, None, IssueKind::NothingApplicable));
        } else if issues.is_empty() {
            root_num[u] = compiler.root_points(&plans[p as usize], row);
        }
    }
    if let Some(e) = Error::from_issues(issues) {
        return Err(e);
    }

    let mut totals = Vec::with_capacity(units);
    let mut issues = Vec::new();
    for u in 0..units {
        let p = plan_of_unit[u];
        let root = if p == BIG {
            big_values[&u][n_nodes].map_or(Exact::ZERO, |v| v.0)
        } else {
            Exact::new(root_num[u], plans[p as usize].den[n_nodes]).unwrap_or(Exact::ZERO)
        };
        let adjust = scores.raw_bonus(u) - scores.raw_penalty(u);
        let total = if adjust == 0 {
            Some(root)
        } else {
            // A root with a large denominator (e.g. survey values of 20 places) plus the
            // adjustment may outgrow 128 bits: then add as big rationals (DESIGN §3).
            Exact::new(adjust, compiler.unit)
                .map(|a| root.checked_add(a).unwrap_or_else(|| big::add(root, a)))
                .map(|t| t.max(Exact::ZERO))
        };
        match total {
            Some(total) => totals.push(total),
            None => issues.push(scores.issue(u, None, precise("the adjusted total"))),
        }
    }
    if let Some(e) = Error::from_issues(issues) {
        return Err(e);
    }

    let per_point = compiler.per_point[n_nodes];
    let percent: Vec<Exact> = (0..units)
        .map(|u| {
            match (!big_values.is_empty()).then(|| big_values.get(&u).and_then(|v| v[n_nodes])).flatten() {
                Some((_, percent)) if scores.raw_bonus(u) == scores.raw_penalty(u) => percent,
                _ => to_percent(totals[u], per_point),
            }
        })
        .collect();
    let rounding = settings.rounding;
    let published: Vec<Decimal> = percent.iter().map(|p| p.round(rounding.places, rounding.mode)).collect();
    let mut results = Results {
        units: scores.units_arc(),
        raw: scores.raw_arc(),
        table: OnceLock::new(),
        compiler,
        plans,
        plan_of_unit,
        big: big_values,
        totals,
        percent,
        published,
        ranks: Vec::new(),
        group_ranks: Vec::new(),
        bonus: (0..units).map(|u| (scores.raw_bonus(u), scores.raw_penalty(u))).collect(),
    };
    (results.ranks, results.group_ranks) = ranks(&results);
    collect(results, Vec::new())
}

/// A rank within a group and the number of ranked units in it; `None` when not ranked.
type GroupRank = Option<(u32, u32)>;

/// Ranks overall and within groups (DESIGN.md §4, §9): the units taking part, on the exact or
/// published index, then on the tie-break nodes' points; units not ranked get `None`.
fn ranks(r: &Results) -> (Vec<Option<u32>>, Vec<GroupRank>) {
    let settings = r.methodology().settings();
    let rounding = settings.rounding;
    let published = settings.rank_on == RankOn::Published;
    let at =
        |x: Exact| if published { Exact::from_decimal(x.round(rounding.places, rounding.mode)) } else { x };
    let rounded: Vec<Exact>;
    let main: &[Exact] = if published {
        rounded = r.published.iter().map(|&d| Exact::from_decimal(d)).collect();
        &rounded
    } else {
        &r.totals
    };
    let tree = r.methodology().tree();
    let tie_nodes: Vec<usize> =
        settings.tie_break.iter().filter_map(|c| tree.index.get(c).copied()).collect();
    // The tie-break key: each node's points, `None` (below any points) where it does not apply.
    let tie_keys: Vec<Vec<Option<Exact>>> = if tie_nodes.is_empty() {
        Vec::new()
    } else {
        (0..r.len())
            .map(|i| {
                let u = UnitResult { results: r, i };
                tie_nodes.iter().map(|&n| u.node_at(n).points().map(at)).collect()
            })
            .collect()
    };
    let no_ties: Vec<Option<Exact>> = Vec::new();
    let key = |u: usize| (main[u], tie_keys.get(u).unwrap_or(&no_ties));
    // One sort, best first; equal keys keep input order (numbered so under ordinal).
    let mut order: Vec<usize> = (0..r.len()).filter(|&u| r.units[u].ranked).collect();
    let den = order.first().map(|&u| main[u].denominator());
    if tie_keys.is_empty() && order.iter().all(|&u| Some(main[u].denominator()) == den) {
        // One denominator (the usual case): sort the numerators themselves, in place.
        let mut keyed: Vec<(i128, usize)> = order.iter().map(|&u| (main[u].numerator(), u)).collect();
        keyed.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        order = keyed.into_iter().map(|(_, u)| u).collect();
    } else if tie_keys.is_empty() {
        order.sort_unstable_by(|&a, &b| main[b].cmp(&main[a]).then(a.cmp(&b)));
    } else {
        order.sort_unstable_by(|&a, &b| key(b).cmp(&key(a)).then(a.cmp(&b)));
    }
    let same = |a: usize, b: usize| key(a) == key(b);
    let mut overall = vec![None; r.len()];
    for (u, k) in number(&order, same, settings.ties) {
        overall[u] = Some(k);
    }
    // Within each group (units without a group form one of their own) the overall order
    // restricted to the group is the group's order: no second sort.
    let mut group_ranks = vec![None; r.len()];
    let first_group = order.first().map(|&u| r.units[u].group.as_deref());
    if order.iter().all(|&u| Some(r.units[u].group.as_deref()) == first_group) {
        // One group (the usual case): its ranks are the overall ranks.
        let size = order.len() as u32;
        for &u in &order {
            group_ranks[u] = overall[u].map(|k| (k, size));
        }
        return (overall, group_ranks);
    }
    let mut members: HashMap<Option<&str>, Vec<usize>> = HashMap::new();
    for &u in &order {
        members.entry(r.units[u].group.as_deref()).or_default().push(u);
    }
    for list in members.values() {
        for (u, k) in number(list, same, settings.ties) {
            group_ranks[u] = Some((k, list.len() as u32));
        }
    }
    (overall, group_ranks)
}

/// Bonus and penalty must lie within `[0, cap]`.
#[inline]
fn check_adjustments(scores: &Scores, u: usize, settings: &crate::Settings, issues: &mut Vec<Issue>) {
    if scores.raw_bonus(u) == 0 && scores.raw_penalty(u) == 0 {
        return; // the usual case, checked without building the pairs below
    }
    for (what, raw, cap) in
        [("bonus", scores.raw_bonus(u), settings.bonus), ("penalty", scores.raw_penalty(u), settings.penalty)]
    {
        if raw == 0 {
            continue;
        }
        let cap = cap.unwrap_or(Decimal::ZERO);
        let value = scores.to_decimal(raw);
        if raw < 0 {
            issues.push(scores.issue(u, None, IssueKind::Negative { value }));
        } else if value > cap {
            issues.push(scores.issue(
                u,
                None,
                IssueKind::AdjustmentAboveCap { what: what.into(), value, cap },
            ));
        }
    }
}

impl Compiler {
    /// A leaf's numerator, or the full-points numerator of a not-applicable leaf (0 when
    /// not-applicable leaves drop out).
    fn leaf_numerator(&self, k: usize, raw: i128) -> i128 {
        let node = self.m.tree().leaves[k];
        if !Scores::is_na(raw) {
            self.leaf_points(k, raw)
        } else if self.full_points {
            self.full_leaf(k, node)
        } else {
            0
        }
    }

    /// The root's numerator straight from the leaves (not-applicable leaves included).
    fn root_points(&self, plan: &Plan, row: &[i128]) -> i128 {
        row.iter()
            .zip(&plan.root)
            .enumerate()
            .map(|(k, (&raw, &c))| if c == 0 { 0 } else { c * self.leaf_numerator(k, raw) })
            .sum()
    }

    /// Every node's numerator for one unit, the root last.
    fn table_row(&self, plan: &Plan, row: &[i128], out: &mut [i128]) {
        let t = self.m.tree();
        for (k, &raw) in row.iter().enumerate() {
            out[t.leaves[k]] = self.leaf_numerator(k, raw);
        }
        for (node, coefs) in &plan.steps {
            out[*node] = coefs.iter().map(|&(c, k)| k * out[c]).sum();
        }
    }
}

/// `points × 100 ÷ max`, exactly.
#[inline]
fn to_percent(points: Exact, per_point: Exact) -> Exact {
    const SMALL: u128 = 1 << 60;
    let (p, q) = (points.numerator(), points.denominator());
    let (n, m) = (per_point.numerator(), per_point.denominator());
    // Products of values below 2^60 cannot overflow: skip the checked 128-bit multiply.
    if p.unsigned_abs() < SMALL
        && q.unsigned_abs() < SMALL
        && n.unsigned_abs() < SMALL
        && m.unsigned_abs() < SMALL
    {
        return if m == 1 { Exact::new(p * n, q) } else { Exact::new(p * n, q * m) }.unwrap_or(Exact::ZERO);
    }
    match (p.checked_mul(n), q.checked_mul(m)) {
        (Some(num), Some(den)) if num.abs() < LIMIT && den < LIMIT => {
            Exact::new(num, den).unwrap_or(Exact::ZERO)
        }
        _ => points.mul_ratio(n, m),
    }
}

/// The scores of every unit on every node, with ranks and bands.
///
/// Values are [`Exact`] fractions; turn them into decimals with [`Exact::to_decimal`]
/// (unrounded) or [`Exact::round`] (as published). [`UnitResult::published_percent`] is the
/// index rounded with the methodology's rounding.
#[derive(Debug, Clone)]
pub struct Results {
    units: Arc<Vec<Unit>>,
    raw: Arc<Vec<i128>>,
    /// Every node's numerator per unit (root last), computed on first use.
    table: OnceLock<Vec<i128>>,
    compiler: Compiler,
    plans: Vec<Plan>,
    plan_of_unit: Vec<u32>,
    /// Points and percent of units whose exact denominators outgrow 128 bits.
    big: HashMap<usize, Vec<Option<(Exact, Exact)>>>,
    totals: Vec<Exact>,
    percent: Vec<Exact>,
    published: Vec<Decimal>,
    /// Overall rank; `None` for a unit not ranked.
    ranks: Vec<Option<u32>>,
    /// Rank within the unit's group, and the number of ranked units in the group.
    group_ranks: Vec<Option<(u32, u32)>>,
    /// Raw bonus and penalty per unit at the scores' scale.
    bonus: Vec<(i128, i128)>,
}

impl Results {
    /// The methodology scored.
    #[must_use]
    pub fn methodology(&self) -> &Methodology {
        &self.compiler.m
    }

    /// The number of units.
    #[must_use]
    pub fn len(&self) -> usize {
        self.units.len()
    }

    /// True when no unit was scored.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// The units in input order.
    pub fn units(&self) -> impl ExactSizeIterator<Item = UnitResult<'_>> + '_ {
        (0..self.units.len()).map(move |i| UnitResult { results: self, i })
    }

    /// The units by rank (ties in input order), then the units not ranked, in input order.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{score, Info, Methodology, Node, Scores, Settings, Unit, Value};
    /// let m = Methodology::new(Info::new("m", "M"), Settings::default(),
    ///     vec![Node::new("1", "Một").max(100.into())]).unwrap();
    /// let mut s = Scores::new(&m);
    /// for (unit, points) in [(Unit::new("a"), 80), (Unit::new("x").ranked(false), 99), (Unit::new("b"), 90)] {
    ///     let u = s.add_unit(unit).unwrap();
    ///     s.set(u, "1", Value::Number(points.into())).unwrap();
    /// }
    /// let r = score(&m, &s).unwrap();
    /// let order: Vec<(&str, Option<u32>)> = r.ranked().iter().map(|u| (u.id(), u.rank())).collect();
    /// assert_eq!(order, [("b", Some(1)), ("a", Some(2)), ("x", None)]);
    /// assert_eq!((r.len(), r.ranked_len()), (3, 2));
    /// ```
    #[must_use]
    pub fn ranked(&self) -> Vec<UnitResult<'_>> {
        let mut order: Vec<usize> = (0..self.units.len()).collect();
        order.sort_by_key(|&i| self.ranks[i].unwrap_or(u32::MAX));
        order.into_iter().map(|i| UnitResult { results: self, i }).collect()
    }

    /// The number of units taking part in the ranking: the `n` of "3rd of n".
    ///
    /// # Examples
    ///
    /// See [`Results::ranked`].
    #[must_use]
    pub fn ranked_len(&self) -> usize {
        self.units.iter().filter(|u| u.ranked).count()
    }

    /// A unit by id.
    #[must_use]
    pub fn unit(&self, id: &str) -> Option<UnitResult<'_>> {
        self.units.iter().position(|u| u.id == id).map(|i| UnitResult { results: self, i })
    }

    /// What a node adds to the unit's total points, and what it would add more at its
    /// maximum: `(contribution, lost)`, exactly; `None` where the node does not apply (or on
    /// the big-rational path, where no linear form exists).
    pub(crate) fn contribution(&self, unit: usize, node: usize) -> Option<(Exact, Exact)> {
        let p = self.plan_of_unit[unit];
        if p == BIG {
            return None;
        }
        let plan = &self.plans[p as usize];
        let root = self.width() - 1;
        let (q, k, q_root) = (plan.den[node], plan.k[node], plan.den[root]);
        if q == 0 {
            return None;
        }
        if k == 0 {
            // Weighed zero on its way to the root: it adds nothing and costs nothing.
            return Some((Exact::ZERO, Exact::ZERO));
        }
        let num = self.table()[unit * self.width() + node];
        let points = Exact::new(num, q)?;
        let max = Exact::new(self.compiler.max[node], self.compiler.ms_unit)?;
        let lost = max.checked_sub(points)?;
        // Moving the node's points by x moves the root's by x · K · Q / Q(root).
        Some((points.mul_ratio(k * q, q_root), lost.mul_ratio(k * q, q_root)))
    }

    /// Total points the unit gains per point earned on the leaf at `leaf` (its position among
    /// the leaves): `K · Q(leaf) / Q(root)`. `None` where the leaf does not apply, or on the
    /// big-rational path (no linear form).
    pub(crate) fn leaf_gain(&self, unit: usize, leaf: usize) -> Option<Exact> {
        let p = self.plan_of_unit[unit];
        if p == BIG {
            return None;
        }
        let plan = &self.plans[p as usize];
        let node = self.compiler.m.tree().leaves[leaf];
        let (k, q, q_root) = (plan.k[node], plan.den[node], plan.den[self.width() - 1]);
        if k == 0 || q == 0 {
            return None;
        }
        Exact::new(1, 1).map(|one| one.mul_ratio(k * q, q_root))
    }

    /// The unit's raw input for a leaf position, as a decimal (`None` when not applicable).
    pub(crate) fn input(&self, unit: usize, leaf: usize) -> Option<Decimal> {
        let leaves = self.compiler.m.tree().leaves.len();
        let raw = self.raw[unit * leaves + leaf];
        (!Scores::is_na(raw)).then(|| {
            let scale = self.compiler.unit.ilog10();
            Decimal::try_from_i128_with_scale(raw, scale).unwrap_or_default().normalize()
        })
    }

    /// The units' exact totals, indexed like [`Results::units`].
    pub(crate) fn totals(&self) -> &[Exact] {
        &self.totals
    }

    fn width(&self) -> usize {
        self.compiler.max.len()
    }

    /// Every node's numerator for every unit, computed once.
    fn table(&self) -> &[i128] {
        self.table.get_or_init(|| {
            let width = self.width();
            let leaves = self.compiler.m.tree().leaves.len();
            let mut table = vec![0i128; self.units.len() * width];
            for (u, out) in table.chunks_mut(width).enumerate() {
                let p = self.plan_of_unit[u];
                if p != BIG {
                    let row = &self.raw[u * leaves..(u + 1) * leaves];
                    self.compiler.table_row(&self.plans[p as usize], row, out);
                }
            }
            table
        })
    }
}

/// One unit's results.
#[derive(Debug, Clone, Copy)]
pub struct UnitResult<'a> {
    results: &'a Results,
    i: usize,
}

impl<'a> UnitResult<'a> {
    /// The unit.
    #[must_use]
    pub fn unit(&self) -> &'a Unit {
        &self.results.units[self.i]
    }

    /// Its id.
    #[must_use]
    pub fn id(&self) -> &'a str {
        &self.unit().id
    }

    /// The methodology it was scored on.
    #[must_use]
    pub fn methodology(&self) -> &'a Methodology {
        self.results.methodology()
    }

    /// The number of units ranked (with it, when it is).
    pub(crate) fn ranked_len(&self) -> u32 {
        self.results.ranked_len() as u32
    }

    /// Total points: the root's points plus bonus minus penalty (never below 0).
    #[must_use]
    pub fn points(&self) -> Exact {
        self.results.totals[self.i]
    }

    /// The index: total points ÷ the methodology's maximum × 100.
    #[must_use]
    pub fn percent(&self) -> Exact {
        self.results.percent[self.i]
    }

    /// The index as published: rounded once with the methodology's places and mode.
    #[must_use]
    pub fn published_percent(&self) -> Decimal {
        self.results.published[self.i]
    }

    /// Its rank (1 = best) under the methodology's tie policy and tie-break key; `None` for a
    /// unit not ranked ([`Unit::ranked`]).
    ///
    /// # Examples
    ///
    /// See [`Unit::ranked`] and [`crate::Settings::tie_break`].
    #[must_use]
    pub fn rank(&self) -> Option<u32> {
        self.results.ranks[self.i]
    }

    /// True when the unit takes part in the ranking.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{score, Info, Methodology, Node, Scores, Settings, Unit, Value};
    /// let m = Methodology::new(Info::new("m", "M"), Settings::default(),
    ///     vec![Node::new("1", "Một").max(100.into())]).unwrap();
    /// let mut s = Scores::new(&m);
    /// let u = s.add_unit(Unit::new("ttcp").ranked(false)).unwrap();
    /// s.set(u, "1", Value::Number(91.into())).unwrap();
    /// assert!(!score(&m, &s).unwrap().unit("ttcp").unwrap().is_ranked());
    /// ```
    #[must_use]
    pub fn is_ranked(&self) -> bool {
        self.unit().ranked
    }

    /// Its rank within its group (departments, districts…) and the number of ranked units in
    /// the group: `(3, 12)` is "3rd of 12"; `None` for a unit not ranked. Units without a
    /// group are ranked among themselves.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{score, Info, Methodology, Node, Scores, Settings, Unit, Value};
    /// let m = Methodology::new(Info::new("m", "M"), Settings::default(),
    ///     vec![Node::new("1", "Một").max(100.into())]).unwrap();
    /// let mut s = Scores::new(&m);
    /// for (id, group, points) in [("so-noi-vu", "department", 95), ("tp-son-la", "district", 90),
    ///                             ("moc-chau", "district", 92)] {
    ///     let u = s.add_unit(Unit::new(id).group(group)).unwrap();
    ///     s.set(u, "1", Value::Number(points.into())).unwrap();
    /// }
    /// let r = score(&m, &s).unwrap();
    /// let tp = r.unit("tp-son-la").unwrap();
    /// assert_eq!((tp.rank(), tp.group_rank()), (Some(3), Some((2, 2))));
    /// ```
    #[must_use]
    pub fn group_rank(&self) -> Option<(u32, u32)> {
        self.results.group_ranks[self.i]
    }

    /// Its band, from the published index.
    #[must_use]
    pub fn band(&self) -> Option<&'a str> {
        self.results.methodology().settings().band_of(self.results.published[self.i])
    }

    /// Bonus and penalty points applied.
    #[must_use]
    pub fn adjustments(&self) -> (Decimal, Decimal) {
        let (b, p) = self.results.bonus[self.i];
        let scale = self.results.compiler.unit.ilog10();
        let d = |r: i128| Decimal::try_from_i128_with_scale(r, scale).unwrap_or_default().normalize();
        (d(b), d(p))
    }

    /// One node's score; `None` for an unknown code.
    #[must_use]
    pub fn node(&self, code: &str) -> Option<NodeScore<'a>> {
        let &node = self.results.methodology().tree().index.get(code)?;
        Some(self.node_at(node))
    }

    /// Every node's score, in declaration order.
    pub fn nodes(&self) -> impl Iterator<Item = NodeScore<'a>> + 'a {
        let me = *self;
        let r = self.results;
        let n = r.width() - 1;
        let p = r.plan_of_unit[self.i];
        // Look the unit's row and denominators up once, not once per node.
        let fast = (p != BIG).then(|| {
            let w = r.width();
            (&r.table()[self.i * w..self.i * w + n], &r.plans[p as usize].den[..n])
        });
        (0..n).map(move |node| match fast {
            Some((row, den)) => {
                NodeScore { results: r, node, points: Exact::new(row[node], den[node]), percent: None }
            }
            None => me.node_at(node),
        })
    }

    fn node_at(&self, node: usize) -> NodeScore<'a> {
        let r = self.results;
        let p = r.plan_of_unit[self.i];
        if p == BIG {
            let value = r.big.get(&self.i).and_then(|v| v[node]);
            return NodeScore { results: r, node, points: value.map(|v| v.0), percent: value.map(|v| v.1) };
        }
        let den = r.plans[p as usize].den[node];
        let points = Exact::new(r.table()[self.i * r.width() + node], den);
        NodeScore { results: r, node, points, percent: None }
    }
}

/// One node's score for one unit.
#[derive(Debug, Clone, Copy)]
pub struct NodeScore<'a> {
    results: &'a Results,
    node: usize,
    points: Option<Exact>,
    /// Set where the percent cannot be derived exactly from the points (big path).
    percent: Option<Exact>,
}

impl<'a> NodeScore<'a> {
    /// The node's code.
    #[must_use]
    pub fn code(&self) -> &'a str {
        &self.results.methodology().nodes()[self.node].code
    }

    /// Its maximum.
    #[must_use]
    pub fn max(&self) -> Decimal {
        self.results.methodology().tree().max[self.node]
    }

    /// Its points; `None` when it does not apply to the unit.
    #[must_use]
    #[inline]
    pub fn points(&self) -> Option<Exact> {
        self.points
    }

    /// Its percent of its maximum; `None` when it does not apply.
    #[must_use]
    #[inline]
    pub fn percent(&self) -> Option<Exact> {
        self.percent
            .or_else(|| self.points.map(|p| to_percent(p, self.results.compiler.per_point[self.node])))
    }

    /// True when it does not apply to the unit.
    #[must_use]
    pub fn is_not_applicable(&self) -> bool {
        self.points.is_none()
    }
}

/// The rare path: a unit whose pattern of not-applicable leaves gives exact denominators
/// beyond 128 bits (deep trees rebased at many levels) is evaluated with big rationals, and
/// each value is then carried to 20 decimal places (exactly, when it fits 128 bits).
mod big {
    use num_bigint::BigInt;
    use num_rational::BigRational;
    use num_traits::{ToPrimitive, Zero};

    use super::{Compiler, Exact, Scores};

    fn r(n: i128, d: i128) -> BigRational {
        BigRational::new(BigInt::from(n), BigInt::from(d))
    }

    /// Every node's points and percent (the root last); `None` where nothing applies.
    pub(super) fn evaluate(c: &Compiler, row: &[i128]) -> Vec<Option<(Exact, Exact)>> {
        let t = c.m.tree();
        let n = t.max.len();
        let max = |i: usize| r(c.max[i], c.ms_unit);
        let mut points: Vec<Option<BigRational>> = vec![None; n + 1];
        let mut amax: Vec<BigRational> = vec![BigRational::zero(); n + 1];
        for (k, &raw) in row.iter().enumerate() {
            let i = t.leaves[k];
            if !Scores::is_na(raw) || c.full_points {
                points[i] = Some(r(c.leaf_numerator(k, raw), c.leaf_den(k)));
                amax[i] = max(i);
            }
        }
        let inner = t.post_order.iter().copied().filter(|&i| !t.children[i].is_empty());
        for node in inner.chain([n]) {
            let kids: &[usize] = if node == n { &t.top } else { &t.children[node] };
            let live: Vec<usize> = kids.iter().copied().filter(|&k| points[k].is_some()).collect();
            let weight = |k: usize| c.weight[k].map_or_else(|| amax[k].clone(), |w| r(w, c.ms_unit));
            let w_sum: BigRational = live.iter().map(|&k| weight(k)).sum();
            if w_sum.is_zero() {
                continue;
            }
            let sum: BigRational = live
                .iter()
                .map(|&k| weight(k) / max(k) * points[k].clone().unwrap_or_else(BigRational::zero))
                .sum();
            points[node] = Some(max(node) * sum / w_sum);
            let full: BigRational = kids.iter().map(|&k| max(k)).sum();
            let applicable: BigRational = kids.iter().map(|&k| amax[k].clone()).sum();
            amax[node] = if applicable == full { max(node) } else { max(node) * applicable / full };
        }
        let hundred = BigRational::from_integer(BigInt::from(100));
        points
            .into_iter()
            .enumerate()
            .map(|(i, p)| p.map(|p| (to_exact(&p), to_exact(&(&p * &hundred / max(i))))))
            .collect()
    }

    /// a + b, carried to 20 places when the exact sum does not fit 128 bits.
    pub(super) fn add(a: Exact, b: Exact) -> Exact {
        to_exact(&(r(a.numerator(), a.denominator()) + r(b.numerator(), b.denominator())))
    }

    fn to_exact(x: &BigRational) -> Exact {
        if let (Some(n), Some(d)) = (x.numer().to_i128(), x.denom().to_i128()) {
            if let Some(e) = Exact::new(n, d) {
                return e;
            }
        }
        let scale = BigInt::from(10u64.pow(10)) * BigInt::from(10u64.pow(10));
        let q: BigInt = (x.numer() * &scale * 2 + x.denom()) / (x.denom() * 2);
        Exact::new(q.to_i128().unwrap_or(0), 100_000_000_000_000_000_000).unwrap_or(Exact::ZERO)
    }
}
