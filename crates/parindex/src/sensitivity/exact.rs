//! Exact, non-random analyses (DESIGN.md §11): ranks with a criterion left out, and the
//! range of one node's weight over which a unit keeps its rank.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{Error, Issue, IssueKind, Location, Result};
use crate::exact::Exact;
use crate::methodology::Methodology;
use crate::score::{score, Results};
use crate::scores::Scores;

/// The ranks with one criterion left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct LeftOut {
    /// The criterion left out.
    pub code: String,
    /// Each unit's rank without it, in the scores' unit order (`None`: not ranked).
    pub ranks: Vec<Option<u32>>,
    /// The largest change of any unit's rank against the full methodology.
    pub max_shift: u32,
}

/// Scores every unit again with each node of `level` (1: domains) left out in turn, exactly:
/// the node's weight becomes 0, so its parent averages the others (a parent left with no
/// weight drops out of its own parent the same way).
///
/// # Errors
///
/// `invalid_sensitivity` for a level without nodes; `weights_all_zero` (at the criterion)
/// when leaving a node out leaves the index nothing; scoring errors as [`score`].
///
/// # Examples
///
/// ```
/// use parindex::{leave_one_out, Info, Methodology, Node, Scores, Settings, Unit, Value};
/// let m = Methodology::new(Info::new("m", "M"), Settings::default(), vec![
///     Node::new("1", "A").max(50.into()),
///     Node::new("2", "B").max(50.into()),
/// ]).unwrap();
/// let mut s = Scores::new(&m);
/// for (id, a, b) in [("x", 50, 10), ("y", 20, 45)] {
///     let u = s.add_unit(Unit::new(id)).unwrap();
///     s.set(u, "1", Value::Number(a.into())).unwrap();
///     s.set(u, "2", Value::Number(b.into())).unwrap();
/// }
/// let out = leave_one_out(&m, &s, 1).unwrap();
/// assert_eq!(out[0].code, "1");
/// assert_eq!(out[0].ranks, [Some(2), Some(1)]); // on B alone y leads
/// assert_eq!(out[1].ranks, [Some(1), Some(2)]); // on A alone x leads
/// assert_eq!(out[1].max_shift, 1);
/// ```
pub fn leave_one_out(methodology: &Methodology, scores: &Scores, level: u32) -> Result<Vec<LeftOut>> {
    let base = score(methodology, scores)?;
    let nominal: Vec<Option<u32>> = base.units().map(|u| u.rank()).collect();
    let t = methodology.tree();
    let n = t.max.len();
    let mut depth = vec![1u32; n];
    for &i in t.post_order.iter().rev() {
        if let Some(p) = t.parent[i] {
            depth[i] = depth[p] + 1;
        }
    }
    let targets: Vec<usize> = (0..n).filter(|&i| depth[i] == level).collect();
    if targets.is_empty() {
        return Err(Error::single(
            Location::default(),
            IssueKind::InvalidSensitivity { reason: format!("no node at level {level}") },
        ));
    }
    let mut out = Vec::with_capacity(targets.len());
    let mut issues = Vec::new();
    for &c in &targets {
        let mut nodes = methodology.nodes().to_vec();
        let mut weight = t.weight.clone();
        let mut node = Some(c);
        // Zero the node, and each parent left without weight.
        while let Some(x) = node {
            nodes[x].weight = Some(Decimal::ZERO);
            weight[x] = Decimal::ZERO;
            let siblings: &[usize] = match t.parent[x] {
                Some(p) => &t.children[p],
                None => &t.top,
            };
            if siblings.iter().any(|&s| !weight[s].is_zero()) {
                break;
            }
            node = t.parent[x];
            if node.is_none() {
                issues.push(Issue::new(
                    Location::default().criterion(methodology.nodes()[c].code.clone()),
                    IssueKind::WeightsAllZero {
                        reason: "leaving this criterion out leaves no weight to average".into(),
                    },
                ));
            }
        }
        if node.is_none() {
            continue;
        }
        let m2 = Methodology::new(methodology.info().clone(), methodology.settings().clone(), nodes)?;
        let r = score(&m2, scores)?;
        let ranks: Vec<Option<u32>> = r.units().map(|u| u.rank()).collect();
        let max_shift = ranks
            .iter()
            .zip(&nominal)
            .filter_map(|(a, b)| Some(a.as_ref()?.abs_diff(*b.as_ref()?)))
            .max()
            .unwrap_or(0);
        out.push(LeftOut { code: methodology.nodes()[c].code.clone(), ranks, max_shift });
    }
    match Error::from_issues(issues) {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// The range of one node's weight over which a unit keeps its rank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct WeightSweep {
    /// The node whose weight varies.
    pub code: String,
    /// The unit.
    pub unit: String,
    /// Its rank at the methodology's weights.
    pub nominal_rank: u32,
    /// The node's weight in the methodology (explicit, or its maximum).
    #[serde(with = "rust_decimal::serde::str")]
    pub weight: Decimal,
    /// The lowest multiplier of that weight (≥ 0) at which the rank holds, to 12 places.
    #[serde(with = "rust_decimal::serde::str")]
    pub low: Decimal,
    /// The highest multiplier, to 12 places; `None` when the rank holds however large.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub high: Option<Decimal>,
    /// Whether `low` itself keeps the rank (otherwise only values above it do).
    pub low_included: bool,
    /// Whether `high` itself keeps the rank.
    pub high_included: bool,
    /// True when every boundary is a rational number computed exactly (units sharing the
    /// node's share, the usual case); false when a boundary is the root of a quadratic,
    /// approximated in `f64`.
    pub exact: bool,
}

fn big(e: Exact) -> BigRational {
    BigRational::new(BigInt::from(e.numerator()), BigInt::from(e.denominator()))
}

fn big_dec(d: Decimal) -> BigRational {
    big(Exact::from_decimal(d))
}

fn to_decimal(x: &BigRational) -> Decimal {
    let scale = BigInt::from(10u64.pow(12));
    let num = x.numer() * &scale;
    let two = BigInt::from(2);
    let q: BigInt = (&num * &two + x.denom()) / (x.denom() * &two);
    Decimal::try_from_i128_with_scale(q.to_i128().unwrap_or(i128::MAX / 2), 12)
        .unwrap_or(Decimal::MAX)
        .normalize()
}

/// One ranked unit's value as a function of the multiplier `m` on the node's weight:
/// `T(m) = t + a (m − 1) / (m π + 1 − π)`.
struct Line {
    t: BigRational,
    a: BigRational,
    pi: BigRational,
    rank: u32,
}

impl Line {
    fn at(&self, m: &BigRational) -> BigRational {
        let one = BigRational::one();
        let d = m * &self.pi + &one - &self.pi;
        if d.is_zero() {
            // π = 1 and m = 0: the node was its parent's only weight; the limit is t − a/π·…;
            // the parent drops out, which the caller excludes (m > 0 there).
            return self.t.clone();
        }
        &self.t + &self.a * (m - &one) / d
    }
}

/// The range of the multiplier on `code`'s weight (every other weight fixed) over which
/// `unit` keeps its exact rank: the index is linear-fractional in one weight, so the points
/// where two units swap are roots of a polynomial of degree at most 2, found exactly (degree
/// 1, when both units share the node's share: the same pattern of applicable criteria).
/// Ranks here are competition ranks on the exact index, equal values ordered by the nominal
/// rank (as in [`crate::sensitivity`]); bonus and penalty shift the index, the floor at 0 is
/// not applied again.
///
/// # Errors
///
/// `unknown_criterion` for an unknown code, `unknown_unit` for a unit not in the results,
/// `invalid_sensitivity` for a unit not ranked; `too_precise` for a unit without an exact
/// 128-bit plan.
///
/// # Examples
///
/// ```
/// use parindex::{score, weight_sweep, Info, Methodology, Node, Scores, Settings, Unit, Value};
/// let m = Methodology::new(Info::new("m", "M"), Settings::default(), vec![
///     Node::new("1", "A").max(50.into()),
///     Node::new("2", "B").max(50.into()),
/// ]).unwrap();
/// let mut s = Scores::new(&m);
/// for (id, a, b) in [("x", 50, 10), ("y", 20, 45)] {
///     let u = s.add_unit(Unit::new(id)).unwrap();
///     s.set(u, "1", Value::Number(a.into())).unwrap();
///     s.set(u, "2", Value::Number(b.into())).unwrap();
/// }
/// let r = score(&m, &s).unwrap();
/// // y leads (65 vs 60). With A's weight multiplied by m: x = (100m + 20)/(m + 1) and
/// // y = (40m + 90)/(m + 1), equal at m = 7/6; at the tie y keeps its place (nominal order).
/// let w = weight_sweep(&r, "1", "y").unwrap();
/// assert_eq!(w.nominal_rank, 1);
/// assert_eq!(w.low.to_string(), "0");
/// assert_eq!(w.high.unwrap().to_string(), "1.166666666667");
/// assert!(w.exact && w.low_included && w.high_included);
/// ```
pub fn weight_sweep(results: &Results, code: &str, unit: &str) -> Result<WeightSweep> {
    let m = results.methodology();
    let t = m.tree();
    let Some(&c) = t.index.get(code) else {
        return Err(Error::single(
            Location::default().criterion(code),
            IssueKind::UnknownCriterion { methodology: m.info().id.clone() },
        ));
    };
    let all: Vec<_> = results.units().collect();
    let Some(me) = all.iter().position(|u| u.id() == unit) else {
        let known = all.iter().take(20).map(|u| u.id()).collect::<Vec<_>>().join(", ");
        return Err(Error::single(Location::default(), IssueKind::UnknownUnit { unit: unit.into(), known }));
    };
    let Some(my_rank) = all[me].rank() else {
        return Err(Error::single(
            Location::default().unit(unit),
            IssueKind::InvalidSensitivity { reason: "the unit is not ranked".into() },
        ));
    };
    let n_nodes = t.max.len();
    let mut parent_of = vec![n_nodes; n_nodes];
    let mut kids: Vec<Vec<usize>> = t.children.clone();
    kids.push(t.top.clone());
    for (p, list) in kids.iter().enumerate() {
        for &k in list {
            parent_of[k] = p;
        }
    }
    let p = parent_of[c];
    let root_max = big_dec(t.root_max);
    let mut lines: Vec<(usize, Line)> = Vec::new();
    let mut issues = Vec::new();
    for (i, u) in all.iter().enumerate() {
        let Some(rank) = u.rank() else { continue };
        // Each leaf's coefficient into the index percent, from the compiled plan.
        let mut s = vec![BigRational::zero(); n_nodes + 1];
        let mut any = false;
        for (l, &leaf) in t.leaves.iter().enumerate() {
            if let Some(g) = results.leaf_gain(i, l) {
                any = true;
                s[leaf] = big(g) * big_dec(t.max[leaf]) / &root_max;
            }
        }
        if !any {
            issues.push(Issue::new(
                Location::default().unit(u.id()),
                IssueKind::TooPrecise { reason: "the unit's exact plan exceeds 128 bits".into() },
            ));
            continue;
        }
        for &node in &t.post_order {
            if !t.children[node].is_empty() {
                s[node] = t.children[node].iter().map(|&k| s[k].clone()).sum();
            }
        }
        let nodes: Vec<_> = u.nodes().collect();
        let pct = |x: usize| nodes[x].percent().map(big).unwrap_or_else(BigRational::zero);
        let (sc, sp) = (
            s[c].clone(),
            if p == n_nodes { t.top.iter().map(|&k| s[k].clone()).sum() } else { s[p].clone() },
        );
        let value = big(u.percent());
        let (pi, a) = if sp.is_zero() || sc.is_zero() {
            (BigRational::zero(), BigRational::zero())
        } else {
            let pi = &sc / &sp;
            let parent_pct: BigRational = kids[p].iter().map(|&k| (&s[k] / &sp) * pct(k)).sum();
            let a = &sp * &pi * (pct(c) - parent_pct);
            (pi, a)
        };
        lines.push((i, Line { t: value, a, pi, rank }));
    }
    if let Some(e) = Error::from_issues(issues) {
        return Err(e);
    }
    let mine = lines.iter().position(|(i, _)| *i == me).unwrap_or(0);
    // Candidate boundaries: where the unit and another are equal.
    let mut exact = true;
    let mut points: Vec<BigRational> = Vec::new();
    let one = BigRational::one();
    let zero = BigRational::zero();
    let u = &lines[mine].1;
    for (j, (_, v)) in lines.iter().enumerate() {
        if j == mine {
            continue;
        }
        // (t_v − t_u) D_v D_u + a_v (m−1) D_u − a_u (m−1) D_v = 0 with D = mπ + 1 − π.
        let dt = &v.t - &u.t;
        let (pu, pv) = (&u.pi, &v.pi);
        let (qu, qv) = (&one - pu, &one - pv);
        // D_u = pu m + qu, D_v = pv m + qv; (m − 1) = m − 1.
        let c2 = &dt * pu * pv + &v.a * pu - &u.a * pv;
        let c1 = &dt * (pu * &qv + pv * &qu) + &v.a * (&qu - pu) - &u.a * (&qv - pv);
        let c0 = &dt * &qu * &qv - &v.a * &qu + &u.a * &qv;
        if c2.is_zero() {
            if !c1.is_zero() {
                points.push(-c0 / c1);
            }
        } else {
            let disc = &c1 * &c1 - BigRational::from_integer(4.into()) * &c2 * &c0;
            if disc.is_negative() {
                continue;
            }
            match sqrt_exact(&disc) {
                Some(r) => {
                    for sign in [-1, 1] {
                        let root = (-&c1 + BigRational::from_integer(sign.into()) * &r)
                            / (&c2 * BigRational::from_integer(2.into()));
                        points.push(root);
                    }
                }
                None => {
                    exact = false;
                    let f = |x: &BigRational| x.to_f64().unwrap_or(0.0);
                    let r = f(&disc).sqrt();
                    for sign in [-1.0, 1.0] {
                        let root = (-f(&c1) + sign * r) / (2.0 * f(&c2));
                        if let Some(x) = BigRational::from_float(root) {
                            points.push(x);
                        }
                    }
                }
            }
        }
    }
    points.retain(|x| !x.is_negative());
    points.sort();
    points.dedup();
    let rank_at = |m: &BigRational| -> u32 {
        let mu = lines[mine].1.at(m);
        let r0 = lines[mine].1.rank;
        1 + lines
            .iter()
            .enumerate()
            .filter(|(j, (_, v))| {
                if *j == mine {
                    return false;
                }
                let x = v.at(m);
                x > mu || (x == mu && v.rank < r0)
            })
            .count() as u32
    };
    let keeps = |m: &BigRational| rank_at(m) == my_rank;
    // Upward from 1: the first boundary where the rank changes, at it or just after it.
    let above: Vec<&BigRational> = points.iter().filter(|x| **x > one).collect();
    let mut high = None;
    let mut high_included = false;
    for (i, b) in above.iter().enumerate() {
        if !keeps(b) {
            high = Some((*b).clone());
            break;
        }
        let next =
            above.get(i + 1).map_or_else(|| *b + &one, |n| (*b + *n) / BigRational::from_integer(2.into()));
        if !keeps(&next) {
            high = Some((*b).clone());
            high_included = true;
            break;
        }
    }
    // Downward from 1 to 0.
    let below: Vec<&BigRational> = points.iter().rev().filter(|x| **x < one).collect();
    let mut bound = None;
    for (i, b) in below.iter().enumerate() {
        if !keeps(b) {
            bound = Some(((*b).clone(), false));
            break;
        }
        let inside = match below.get(i + 1) {
            Some(n) => (*b + *n) / BigRational::from_integer(2.into()),
            None => *b / BigRational::from_integer(2.into()),
        };
        if **b > zero && !keeps(&inside) {
            bound = Some(((*b).clone(), true));
            break;
        }
    }
    let (low, low_included) = bound.unwrap_or_else(|| (zero.clone(), keeps(&zero)));
    Ok(WeightSweep {
        code: code.into(),
        unit: unit.into(),
        nominal_rank: my_rank,
        weight: t.weight[c].normalize(),
        low: to_decimal(&low),
        high: high.as_ref().map(to_decimal),
        low_included,
        high_included,
        exact,
    })
}

/// The exact square root of a non-negative rational, when it is rational.
fn sqrt_exact(x: &BigRational) -> Option<BigRational> {
    let root = |n: &BigInt| {
        let r = n.sqrt();
        (&r * &r == *n).then_some(r)
    };
    Some(BigRational::new(root(x.numer())?, root(x.denom())?))
}
