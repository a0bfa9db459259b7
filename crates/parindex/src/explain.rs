//! Explaining a unit's score: where its points come from and where it lost them.

use rust_decimal::Decimal;

use crate::exact::Exact;
use crate::methodology::{Direction, Rule};
use crate::score::Results;
use crate::scores::Scores;

/// One leaf of a unit's explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LeafExplanation {
    /// The leaf's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its maximum.
    pub max: Decimal,
    /// The unit's self-assessed points (điểm tự đánh giá), when recorded.
    pub self_assessed: Option<Decimal>,
    /// The input that counts: appraised points, or the measured value of a rule-based leaf;
    /// `None` when the leaf does not apply.
    pub input: Option<Decimal>,
    /// The points earned; `None` when the leaf does not apply.
    pub points: Option<Exact>,
    /// Self-assessed minus appraised points: the cut made in appraisal.
    pub cut: Option<Decimal>,
    /// The unit's total points contributed by this leaf.
    pub contribution: Option<Exact>,
    /// Total points the unit would gain with this leaf at its maximum.
    pub lost: Option<Exact>,
    /// How the rule turned the input into points, e.g. `99.4 ≥ 95 → 1.5 of 2`.
    pub rule: String,
    /// The note recorded with the score (e.g. the council's reason for a cut).
    pub note: Option<String>,
}

/// Why a unit has the score it has.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Explanation {
    /// The unit's id.
    pub unit: String,
    /// Its name.
    pub name: Option<String>,
    /// Its group.
    pub group: Option<String>,
    /// Total points.
    pub points: Exact,
    /// The index (%).
    pub percent: Exact,
    /// The published index.
    pub published: Decimal,
    /// Overall rank and the number of ranked units; `None` for a unit not ranked.
    pub rank: Option<(u32, u32)>,
    /// Rank within its group and the number of ranked units in it; `None` when not ranked.
    pub group_rank: Option<(u32, u32)>,
    /// Its band.
    pub band: Option<String>,
    /// Points behind the ranked unit just above: the least total above its own among the
    /// ranked units (`None` for the first, and for a unit not ranked).
    pub gap_to_above: Option<Exact>,
    /// The next band up and the index points (%) missing to reach it.
    pub gap_to_next_band: Option<(String, Decimal)>,
    /// Every leaf, in declaration order.
    pub leaves: Vec<LeafExplanation>,
}

impl Explanation {
    /// The `n` leaves where the unit lost the most total points, largest first (ties in
    /// declaration order); leaves at their maximum are left out.
    #[must_use]
    pub fn top_losses(&self, n: usize) -> Vec<&LeafExplanation> {
        let mut lossy: Vec<&LeafExplanation> =
            self.leaves.iter().filter(|l| l.lost.is_some_and(|x| x > Exact::ZERO)).collect();
        lossy.sort_by_key(|l| std::cmp::Reverse(l.lost));
        lossy.truncate(n);
        lossy
    }
}

/// Explains one unit's score: for every leaf its maximum, self-assessed and appraised input,
/// the cut made in appraisal, the points earned and the rule that produced them, what it adds
/// to the total and what it would add at its maximum; the unit's rank, the gap to the unit
/// just above and to the next band. `scores` must be the score set `results` came from (for
/// self-assessed points and notes). `None` for an unknown unit.
///
/// # Examples
///
/// ```
/// use parindex::{explain, score, Info, Methodology, Node, Scores, Settings, Unit, Value, Band};
/// use rust_decimal::Decimal;
/// let d = |s: &str| s.parse::<Decimal>().unwrap();
/// let settings = Settings::default().bands(vec![Band { label: "A".into(), min: d("90") }]);
/// let m = Methodology::new(Info::new("m", "M"), settings, vec![
///     Node::new("1", "Cải cách TTHC"),
///     Node::new("1.1", "Công khai TTHC").parent("1").max(d("40")),
///     Node::new("1.2", "Hồ sơ đúng hạn").parent("1").max(d("60")),
/// ]).unwrap();
/// let mut s = Scores::new(&m);
/// for (id, a, b) in [("a", "40", "55"), ("b", "38", "50")] {
///     let u = s.add_unit(Unit::new(id)).unwrap();
///     s.set(u, "1.1", Value::Number(d(a))).unwrap();
///     s.set(u, "1.2", Value::Number(d(b))).unwrap();
/// }
/// s.set_self_assessed(1, "1.2", d("56")).unwrap();
/// let r = score(&m, &s).unwrap();
/// let e = explain(&r, &s, "b").unwrap();
/// assert_eq!(e.rank, Some((2, 2)));
/// assert_eq!(e.gap_to_above.unwrap().to_decimal(), d("7"));
/// assert_eq!(e.gap_to_next_band, Some(("A".to_string(), d("2.00"))));
/// let worst = e.top_losses(1)[0];
/// assert_eq!((worst.code.as_str(), worst.lost.unwrap().to_decimal()), ("1.2", d("10")));
/// assert_eq!(worst.cut, Some(d("6")));
/// ```
#[must_use]
pub fn explain(results: &Results, scores: &Scores, unit: &str) -> Option<Explanation> {
    let u = results.unit(unit)?;
    let i = results.units().position(|x| x.id() == unit)?;
    let m = results.methodology();
    let t = m.tree();
    let settings = m.settings();
    let mut leaves = Vec::with_capacity(t.leaves.len());
    for (k, &node) in t.leaves.iter().enumerate() {
        let n = &m.nodes()[node];
        let score = u.node(&n.code);
        let points = score.and_then(|s| s.points());
        let input = results.input(i, k);
        let self_assessed = scores.self_assessed(i, &n.code);
        let cut = match (&n.rule, self_assessed, input) {
            (Rule::Points, Some(sa), Some(ap)) => Some(sa - ap),
            _ => None,
        };
        let (contribution, lost) =
            results.contribution(i, node).map_or((None, None), |(c, l)| (Some(c), Some(l)));
        leaves.push(LeafExplanation {
            code: n.code.clone(),
            name: n.name.clone(),
            max: t.max[node],
            self_assessed,
            input,
            points,
            cut,
            contribution,
            lost,
            rule: describe(&n.rule, input, points, t.max[node]),
            note: scores.note(i, &n.code).map(str::to_owned),
        });
    }
    let totals = results.totals();
    let mine = u.points();
    let ranked_totals = results.units().zip(totals).filter(|(x, _)| x.is_ranked()).map(|(_, &t)| t);
    let gap_to_above = ranked_totals
        .filter(|&x| x > mine)
        .min()
        .filter(|_| u.is_ranked())
        .and_then(|above| above.checked_sub(mine));
    let published = u.published_percent();
    let gap_to_next_band = settings
        .bands
        .iter()
        .rev()
        .find(|b| b.min > published)
        .map(|b| (b.label.clone(), (b.min - published).round_dp(settings.rounding.places)));
    Some(Explanation {
        unit: unit.to_owned(),
        name: u.unit().name.clone(),
        group: u.unit().group.clone(),
        points: mine,
        percent: u.percent(),
        published,
        rank: u.rank().map(|r| (r, results.ranked_len() as u32)),
        group_rank: u.group_rank(),
        band: u.band().map(str::to_owned),
        gap_to_above,
        gap_to_next_band,
        leaves,
    })
}

/// The rule applied to an input, in words a reader can check: `99.4 ≥ 95 → 1.5 of 2`.
fn describe(rule: &Rule, input: Option<Decimal>, points: Option<Exact>, max: Decimal) -> String {
    let (Some(v), Some(p)) = (input, points) else { return "not applicable".into() };
    let p = p.to_decimal();
    match rule {
        Rule::Points => format!("{p} of {max}"),
        Rule::YesNo => format!("{} → {p} of {max}", if v.is_zero() { "no" } else { "yes" }),
        Rule::Proportional { full } => format!("{v} of {full} → {p} of {max}"),
        Rule::Thresholds { direction, steps, .. } => {
            let (op, miss) = match direction {
                Direction::AtLeast => ("≥", "<"),
                Direction::AtMost => ("≤", ">"),
            };
            let reached = steps.iter().find(|s| match direction {
                Direction::AtLeast => v >= s.bound,
                Direction::AtMost => v <= s.bound,
            });
            match (reached, steps.last()) {
                (Some(s), _) => format!("{v} {op} {} → {p} of {max}", s.bound),
                (None, Some(last)) => format!("{v} {miss} {} → {p} of {max}", last.bound),
                (None, None) => format!("{v} → {p} of {max}"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{explain, score, Info, Methodology, Node, Scores, Settings, Unit, Value};

    #[test]
    fn a_unit_not_ranked_has_no_rank_and_is_nobody_s_unit_above() {
        let m = Methodology::new(
            Info::new("m", "M"),
            Settings::default(),
            vec![Node::new("1", "Một").max(100.into())],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let mut s = Scores::new(&m);
        for (unit, p) in [(Unit::new("a"), 80), (Unit::new("x").ranked(false), 85), (Unit::new("b"), 90)] {
            let u = s.add_unit(unit).unwrap_or_else(|e| panic!("{e}"));
            s.set(u, "1", Value::Number(p.into())).unwrap_or_else(|e| panic!("{e}"));
        }
        let r = score(&m, &s).unwrap_or_else(|e| panic!("{e}"));
        let a = explain(&r, &s, "a").unwrap_or_else(|| panic!("known unit"));
        assert_eq!(a.rank, Some((2, 2)));
        // 10 points behind b, not 5 behind x, which takes no place.
        assert_eq!(a.gap_to_above.map(|g| g.to_decimal()), Some(10.into()));
        let x = explain(&r, &s, "x").unwrap_or_else(|| panic!("known unit"));
        assert_eq!((x.rank, x.group_rank, x.gap_to_above), (None, None, None));
    }
}
