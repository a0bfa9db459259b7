//! Improvement planning (giải pháp nâng cao chỉ số, DESIGN.md §10): what a unit's index would
//! be with other scores ([`what_if`]), and the fewest points — or the least cost — it must gain,
//! criterion by criterion, to reach a rank, a band or an index ([`plan`]).
//!
//! A plan is searched with exact arithmetic on the linear effect of each leaf on the unit's
//! total (the flattened coefficients of DESIGN.md §9), then checked by scoring it with
//! [`what_if`]: the standing a plan reports is the engine's, never an estimate.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};
use rust_decimal::{Decimal, RoundingStrategy};
use unicode_normalization::UnicodeNormalization;

use crate::compare::{Movement, Standing};
use crate::error::{Error, Issue, IssueKind, Location, Result};
use crate::exact::{Exact, RoundingMode};
use crate::methodology::{Methodology, RankOn, Rule};
use crate::rank::{rank_by, RankOptions};
use crate::score::{score, Results, UnitResult};
use crate::scores::{Scores, Value};

type Q = BigRational;

/// Granules per points leaf, by position in the greedy order.
type Fills = Vec<(usize, BigInt)>;

/// A unit's ranking key in the search: (value, just above it), then the tie-break key.
type RankKey = ((Exact, bool), Vec<Option<Exact>>);

/// The most combinations of yes/no and threshold criteria a plan compares (after discarding
/// the dominated ones) before giving up with `too_precise`.
const FRONTIER_LIMIT: usize = 1 << 16;

// --- what-if ----------------------------------------------------------------------------------

/// Scores the units again with some of one unit's leaf values replaced: "what would Sở Y tế's
/// index and rank be with 98.5 % of dossiers on time?". The changes apply to a copy of
/// `scores` (the original is untouched); every other unit keeps its values, so ranks are
/// against the others as they stand. A leaf named twice takes its last value.
///
/// # Errors
///
/// `unknown_unit`; `unknown_criterion` or `not_a_leaf` for a code that is not a leaf; and every
/// problem scoring finds (a changed value above its maximum, not yes/no…), the changed cells
/// located at the unit and criterion rather than at the file cell they replace.
///
/// # Examples
///
/// ```
/// use parindex::{score, what_if, Info, Methodology, Node, Scores, Settings, Unit, Value, WhatIf};
/// use rust_decimal::Decimal;
/// let d = |s: &str| s.parse::<Decimal>().unwrap();
/// let m = Methodology::new(Info::new("m", "M"), Settings::default(), vec![
///     Node::new("1", "Công khai TTHC").max(d("40")),
///     Node::new("2", "Hồ sơ đúng hạn").max(d("60")),
/// ]).unwrap();
/// let mut s = Scores::new(&m);
/// for (id, a, b) in [("so-y-te", "30", "45"), ("so-tu-phap", "35", "45")] {
///     let u = s.add_unit(Unit::new(id)).unwrap();
///     s.set(u, "1", Value::Number(d(a))).unwrap();
///     s.set(u, "2", Value::Number(d(b))).unwrap();
/// }
/// let before = score(&m, &s).unwrap();
/// let after = what_if(&m, &s, "so-y-te", &[("2".into(), Value::Number(d("52")))]).unwrap();
/// assert_eq!(after.unit("so-y-te").unwrap().points().to_decimal(), d("82"));
/// assert_eq!(s.value(0, "2"), Some(Value::Number(d("45")))); // the scores are untouched
///
/// let w = WhatIf::between(&before, &after, "so-y-te").unwrap();
/// assert_eq!((w.before.rank, w.after.rank), (Some((2, 2)), Some((1, 2))));
/// assert_eq!(w.movement.to_string(), "up 1");
/// assert_eq!(w.leaves[0].code, "2");
///
/// let err = what_if(&m, &s, "so-y-te", &[("2".into(), Value::Number(d("61")))]).unwrap_err();
/// assert_eq!(err.to_string(), "unit so-y-te: criterion 2: 61 exceeds its maximum 60");
/// ```
pub fn what_if(
    methodology: &Methodology,
    scores: &Scores,
    unit_id: &str,
    changes: &[(String, Value)],
) -> Result<Results> {
    let unit = scores
        .unit_index(unit_id)
        .ok_or_else(|| unknown_unit(unit_id, scores.units().iter().map(|u| u.id.as_str())))?;
    let at = |code: &str| Location::default().unit(unit_id).criterion(code);
    let mut changed = scores.clone();
    let mut issues = Vec::new();
    for (code, value) in changes {
        if let Err(e) = changed.set(unit, code, *value) {
            issues.extend(e.into_issues().into_iter().map(|i| Issue::new(at(code), i.kind)));
        }
    }
    if let Some(e) = Error::from_issues(issues) {
        return Err(e);
    }
    score(methodology, &changed).map_err(|e| {
        let issues = e
            .into_issues()
            .into_iter()
            .map(|mut i| {
                let here = i.location.unit.as_deref() == Some(unit_id);
                if let Some(code) =
                    i.location.criterion.clone().filter(|c| here && changes.iter().any(|(x, _)| x == c))
                {
                    i.location = at(&code);
                }
                i
            })
            .collect();
        Error::from_issues(issues).unwrap_or_else(|| Error::single(Location::default(), IssueKind::Empty))
    })
}

/// One leaf whose input differs between two scorings of a unit.
///
/// # Examples
///
/// ```
/// # use parindex::{score, what_if, Info, Methodology, Node, Scores, Settings, Unit, Value};
/// # use rust_decimal::Decimal;
/// # let d = |s: &str| s.parse::<Decimal>().unwrap();
/// # let m = Methodology::new(Info::new("m", "M"), Settings::default(), vec![
/// #     Node::new("1", "Công khai TTHC").max(d("40")),
/// #     Node::new("2", "Hồ sơ đúng hạn").max(d("60")),
/// # ]).unwrap();
/// # let mut s = Scores::new(&m);
/// # for (id, a, b) in [("so-y-te", "30", "45"), ("so-tu-phap", "35", "45")] {
/// #     let u = s.add_unit(Unit::new(id)).unwrap();
/// #     s.set(u, "1", Value::Number(d(a))).unwrap();
/// #     s.set(u, "2", Value::Number(d(b))).unwrap();
/// # }
/// // Sở Y tế 30 + 45, Sở Tư pháp 35 + 45 of 40 + 60 points.
/// let before = score(&m, &s).unwrap();
/// let after = what_if(&m, &s, "so-y-te", &[("2".into(), Value::NotApplicable)]).unwrap();
/// let w = parindex::WhatIf::between(&before, &after, "so-y-te").unwrap();
/// let leaf = &w.leaves[0];
/// assert_eq!((leaf.input_before, leaf.input_after), (Some(d("45")), None));
/// assert_eq!(leaf.points_after, None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LeafChange {
    /// The leaf's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its maximum.
    pub max: Decimal,
    /// The input before (points, or the measured value; 1/0 for yes/no); `None`: not applicable.
    pub input_before: Option<Decimal>,
    /// The input after.
    pub input_after: Option<Decimal>,
    /// The points earned before; `None`: not applicable.
    pub points_before: Option<Exact>,
    /// The points earned after.
    pub points_after: Option<Exact>,
}

/// A unit's standing before and after a [`what_if`], next to each other.
///
/// # Examples
///
/// ```
/// # use parindex::{score, what_if, Info, Methodology, Node, Scores, Settings, Unit, Value};
/// # use rust_decimal::Decimal;
/// # let d = |s: &str| s.parse::<Decimal>().unwrap();
/// # let m = Methodology::new(Info::new("m", "M"), Settings::default(), vec![
/// #     Node::new("1", "Công khai TTHC").max(d("40")),
/// #     Node::new("2", "Hồ sơ đúng hạn").max(d("60")),
/// # ]).unwrap();
/// # let mut s = Scores::new(&m);
/// # for (id, a, b) in [("so-y-te", "30", "45"), ("so-tu-phap", "35", "45")] {
/// #     let u = s.add_unit(Unit::new(id)).unwrap();
/// #     s.set(u, "1", Value::Number(d(a))).unwrap();
/// #     s.set(u, "2", Value::Number(d(b))).unwrap();
/// # }
/// // Sở Y tế 30 + 45, Sở Tư pháp 35 + 45 of 40 + 60 points.
/// let before = score(&m, &s).unwrap();
/// let after = what_if(&m, &s, "so-y-te", &[("1".into(), Value::Number(d("35")))]).unwrap();
/// let w = parindex::WhatIf::between(&before, &after, "so-y-te").unwrap();
/// assert_eq!((w.before.published, w.after.published), (d("75.00"), d("80.00")));
/// assert_eq!(w.movement, parindex::Movement::Up(1)); // tied with Sở Tư pháp for first
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WhatIf {
    /// The unit's id.
    pub unit: String,
    /// Its name.
    pub name: Option<String>,
    /// Its group.
    pub group: Option<String>,
    /// The leaves whose input changed, in declaration order.
    pub leaves: Vec<LeafChange>,
    /// Points, index, ranks and band before.
    pub before: Standing,
    /// Points, index, ranks and band after.
    pub after: Standing,
    /// How its overall rank moved (`same`, `up 2`…; `not ranked` for a unit not ranked).
    pub movement: Movement,
}

impl WhatIf {
    /// Compares a unit's results in two scorings of the same units — usually the results
    /// before and those [`what_if`] returns. `None` when either has no such unit.
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{score, what_if, Info, Methodology, Node, Scores, Settings, Unit, Value};
    /// # use rust_decimal::Decimal;
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let m = Methodology::new(Info::new("m", "M"), Settings::default(), vec![
    /// #     Node::new("1", "Công khai TTHC").max(d("40")),
    /// #     Node::new("2", "Hồ sơ đúng hạn").max(d("60")),
    /// # ]).unwrap();
    /// # let mut s = Scores::new(&m);
    /// # for (id, a, b) in [("so-y-te", "30", "45"), ("so-tu-phap", "35", "45")] {
    /// #     let u = s.add_unit(Unit::new(id)).unwrap();
    /// #     s.set(u, "1", Value::Number(d(a))).unwrap();
    /// #     s.set(u, "2", Value::Number(d(b))).unwrap();
    /// # }
    /// // Sở Y tế 30 + 45, Sở Tư pháp 35 + 45 of 40 + 60 points.
    /// let before = score(&m, &s).unwrap();
    /// let after = what_if(&m, &s, "so-tu-phap", &[("2".into(), Value::Number(d("60")))]).unwrap();
    /// let w = parindex::WhatIf::between(&before, &after, "so-y-te").unwrap();
    /// assert!(w.leaves.is_empty()); // Sở Y tế is unchanged, but falls behind by more
    /// assert_eq!(w.after.points, w.before.points);
    /// assert!(parindex::WhatIf::between(&before, &after, "so-x").is_none());
    /// ```
    #[must_use]
    pub fn between(before: &Results, after: &Results, unit: &str) -> Option<WhatIf> {
        let (b, a) = (before.unit(unit)?, after.unit(unit)?);
        let bi = before.units().position(|x| x.id() == unit)?;
        let ai = after.units().position(|x| x.id() == unit)?;
        let (m, mb) = (after.methodology(), before.methodology());
        let (t, tb) = (m.tree(), mb.tree());
        let mut leaves = Vec::new();
        for (k, &node) in t.leaves.iter().enumerate() {
            let n = &m.nodes()[node];
            let kb = tb.index.get(&n.code).and_then(|&x| tb.leaf_pos[x]);
            let input_before = kb.and_then(|kb| before.input(bi, kb));
            let input_after = after.input(ai, k);
            if kb.is_some() && input_before == input_after {
                continue;
            }
            leaves.push(LeafChange {
                code: n.code.clone(),
                name: n.name.clone(),
                max: t.max[node],
                input_before,
                input_after,
                points_before: b.node(&n.code).and_then(|x| x.points()),
                points_after: a.node(&n.code).and_then(|x| x.points()),
            });
        }
        let (sb, sa) = (standing(&b), standing(&a));
        let movement = movement(sb.rank, sa.rank);
        Some(WhatIf {
            unit: unit.to_owned(),
            name: a.unit().name.clone(),
            group: a.unit().group.clone(),
            leaves,
            before: sb,
            after: sa,
            movement,
        })
    }
}

fn standing(u: &UnitResult<'_>) -> Standing {
    let r = u.methodology().settings().rounding;
    Standing {
        points: u.points(),
        percent: u.percent(),
        published: u.published_percent(),
        published_points: u.points().round(r.places, r.mode),
        rank: u.rank().map(|k| (k, u.ranked_len())),
        group_rank: u.group_rank(),
        band: u.band().map(str::to_owned),
    }
}

fn movement(before: Option<(u32, u32)>, after: Option<(u32, u32)>) -> Movement {
    match (after.map(|r| r.0), before.map(|r| r.0)) {
        (None, _) => Movement::Unranked,
        (Some(n), Some(b)) if n < b => Movement::Up(b - n),
        (Some(n), Some(b)) if n > b => Movement::Down(n - b),
        (Some(_), Some(_)) => Movement::Same,
        (Some(_), None) => Movement::New,
    }
}

fn unknown_unit<'a>(id: &str, units: impl Iterator<Item = &'a str>) -> Error {
    let ids: Vec<&str> = units.collect();
    let mut known = ids.iter().take(20).copied().collect::<Vec<_>>().join(", ");
    if ids.len() > 20 {
        known.push_str(&format!(", … ({} in all)", ids.len()));
    }
    Error::single(Location::default(), IssueKind::UnknownUnit { unit: id.to_owned(), known })
}

// --- goals and options ------------------------------------------------------------------------

/// What a plan must reach. Written `rank:5`, `band:A` or `percent:90` (see the [`FromStr`]
/// implementation); bonus and penalty points stay as they are.
///
/// * `Rank(r)`: the unit's rank, under the methodology's tie policy, `rank_on` and tie-break
///   key, is at most `r` against the other ranked units as they stand. Under competition
///   ranking, tying the unit now at rank `r` is enough.
/// * `Band(label)`: the **published** (rounded) index reaches the band's minimum — that band or
///   a better one.
/// * `Percent(p)`: the exact index is at least `p`.
///
/// # Examples
///
/// ```
/// use parindex::{Decimal, Goal};
/// assert_eq!("rank:5".parse::<Goal>().unwrap(), Goal::Rank(5));
/// assert_eq!("band:A".parse::<Goal>().unwrap(), Goal::Band("A".into()));
/// assert_eq!("percent:92.5".parse::<Goal>().unwrap(), Goal::Percent("92.5".parse::<Decimal>().unwrap()));
/// assert_eq!(Goal::Rank(5).to_string(), "rank:5");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Goal {
    /// A rank of at most this (1 = first).
    Rank(u32),
    /// This band or a better one, on the published index.
    Band(String),
    /// An exact index (%) of at least this.
    Percent(Decimal),
}

impl Goal {
    /// In words, for messages: `rank 5`, `band A`, `an index of 90 %`.
    fn describe(&self) -> String {
        match self {
            Goal::Rank(r) => format!("rank {r}"),
            Goal::Band(b) => format!("band {b}"),
            Goal::Percent(p) => format!("an index of {} %", p.normalize()),
        }
    }
}

impl FromStr for Goal {
    type Err = Error;

    /// Reads `rank:N` (N ≥ 1), `band:LABEL` (normalised to Unicode NFC) or `percent:P`
    /// (a decimal ≥ 0, optionally ending in `%`); the kind is case-insensitive.
    ///
    /// # Errors
    ///
    /// `invalid_goal`, with the text and what is wrong.
    ///
    /// ```
    /// use parindex::Goal;
    /// let err = "rank:0".parse::<Goal>().unwrap_err();
    /// assert_eq!(err.to_string(), "invalid target \"rank:0\": a rank is a whole number from 1");
    /// assert_eq!("percent:9,5".parse::<Goal>().unwrap_err().issues()[0].code(), "invalid_goal");
    /// assert_eq!("top:3".parse::<Goal>().unwrap_err().to_string(),
    ///            "invalid target \"top:3\": write rank:N, band:LABEL or percent:P");
    /// ```
    fn from_str(text: &str) -> Result<Goal> {
        let bad = |reason: &str| {
            Error::single(
                Location::default(),
                IssueKind::InvalidGoal { text: text.to_owned(), reason: reason.to_owned() },
            )
        };
        let Some((kind, value)) = text.trim().split_once(':') else {
            return Err(bad("write rank:N, band:LABEL or percent:P"));
        };
        let value = value.trim();
        match kind.trim().to_lowercase().as_str() {
            "rank" => match value.parse::<u32>() {
                Ok(r) if r >= 1 && value.bytes().all(|b| b.is_ascii_digit()) => Ok(Goal::Rank(r)),
                _ => Err(bad("a rank is a whole number from 1")),
            },
            "band" if value.is_empty() => Err(bad("name a band, e.g. band:A")),
            "band" => Ok(Goal::Band(value.nfc().collect())),
            "percent" => {
                let v = value.strip_suffix('%').unwrap_or(value).trim();
                let digits = v.bytes().filter(u8::is_ascii_digit).count();
                let dots = v.bytes().filter(|&b| b == b'.').count();
                let plain = digits > 0 && dots <= 1 && digits + dots == v.len();
                match Decimal::from_str_exact(v) {
                    Ok(p) if plain => Ok(Goal::Percent(p)),
                    _ => Err(bad("a percent is a number from 0, e.g. percent:90")),
                }
            }
            _ => Err(bad("write rank:N, band:LABEL or percent:P")),
        }
    }
}

impl fmt::Display for Goal {
    /// `rank:5`, `band:A`, `percent:90`: the form [`FromStr`] reads.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Goal::Rank(r) => write!(f, "rank:{r}"),
            Goal::Band(b) => write!(f, "band:{b}"),
            Goal::Percent(p) => write!(f, "percent:{}", p.normalize()),
        }
    }
}

/// What a plan minimises.
///
/// # Examples
///
/// ```
/// use parindex::Objective;
/// assert_eq!(Objective::default(), Objective::FewestPoints);
/// assert_eq!(Objective::from_name("least_cost"), Some(Objective::LeastCost));
/// assert_eq!(Objective::LeastCost.name(), "least_cost");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Objective {
    /// The fewest points gained on the leaves, summed over the criteria changed.
    #[default]
    FewestPoints,
    /// The least total cost: each leaf's points gained times its cost per point.
    LeastCost,
}

impl Objective {
    /// The snake_case name: `fewest_points`, `least_cost`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(parindex::Objective::FewestPoints.name(), "fewest_points");
    /// ```
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Objective::FewestPoints => "fewest_points",
            Objective::LeastCost => "least_cost",
        }
    }

    /// Parses a name as written by [`Objective::name`] (dashes are accepted for underscores).
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::Objective;
    /// assert_eq!(Objective::from_name("fewest-points"), Some(Objective::FewestPoints));
    /// assert_eq!(Objective::from_name("cheapest"), None);
    /// ```
    #[must_use]
    pub fn from_name(name: &str) -> Option<Objective> {
        let name = name.replace('-', "_");
        [Objective::FewestPoints, Objective::LeastCost].into_iter().find(|o| o.name() == name)
    }
}

/// How to plan: per-leaf caps and costs, the objective, the granularity of a gain, and whether
/// yes/no and threshold criteria may be planned.
///
/// # Examples
///
/// ```
/// use parindex::{Decimal, Objective, PlanOptions};
/// let d = |s: &str| s.parse::<Decimal>().unwrap();
/// let options = PlanOptions::new()
///     .cap("8.2", d("0.5"))          // the survey cannot rise more than half a point
///     .cap("2.1", Decimal::ZERO)     // leave 2.1 alone
///     .cost("6.1", d("3"))           // a point on 6.1 costs three times as much
///     .objective(Objective::LeastCost)
///     .granularity(d("0.25"));       // gains in quarter points
/// assert_eq!(options, options.clone());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOptions {
    caps: BTreeMap<String, Decimal>,
    costs: BTreeMap<String, Decimal>,
    objective: Objective,
    granularity: Option<Decimal>,
    rule_based: bool,
}

impl Default for PlanOptions {
    fn default() -> PlanOptions {
        PlanOptions {
            caps: BTreeMap::new(),
            costs: BTreeMap::new(),
            objective: Objective::default(),
            granularity: None,
            rule_based: true,
        }
    }
}

impl PlanOptions {
    /// The defaults: every leaf may rise to its maximum, every point costs 1, fewest points,
    /// gains in steps of the scores' decimal scale (0.01 for points of two decimals), yes/no
    /// and threshold criteria included.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(parindex::PlanOptions::new(), parindex::PlanOptions::default());
    /// ```
    #[must_use]
    pub fn new() -> PlanOptions {
        PlanOptions::default()
    }

    /// Caps the points a leaf may gain (0 leaves it out); by default it may rise to its
    /// maximum. A yes/no or threshold step whose jump exceeds the cap is not taken.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Decimal, PlanOptions};
    /// let o = PlanOptions::new().cap("3.4.2", Decimal::ONE);
    /// assert_ne!(o, PlanOptions::new());
    /// ```
    #[must_use]
    pub fn cap(mut self, code: impl Into<String>, max_gain: Decimal) -> PlanOptions {
        self.caps.insert(code.into(), max_gain);
        self
    }

    /// Sets a leaf's cost per point gained (default 1).
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Decimal, PlanOptions};
    /// let o = PlanOptions::new().cost("6.1", Decimal::TWO);
    /// assert_ne!(o, PlanOptions::new());
    /// ```
    #[must_use]
    pub fn cost(mut self, code: impl Into<String>, per_point: Decimal) -> PlanOptions {
        self.costs.insert(code.into(), per_point);
        self
    }

    /// Sets the objective ([`Objective::FewestPoints`] by default).
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Objective, PlanOptions};
    /// assert_ne!(PlanOptions::new().objective(Objective::LeastCost), PlanOptions::new());
    /// ```
    #[must_use]
    pub fn objective(mut self, objective: Objective) -> PlanOptions {
        self.objective = objective;
        self
    }

    /// Sets the granularity of a gain on a points leaf: every gain is a whole multiple of it
    /// (default: one unit of the scores' last decimal place). A leaf's room (its cap, or
    /// maximum minus its points) is used in whole steps only, so choose a granularity that
    /// divides it.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Decimal, PlanOptions};
    /// let quarter = PlanOptions::new().granularity("0.25".parse::<Decimal>().unwrap());
    /// assert_ne!(quarter, PlanOptions::new());
    /// ```
    #[must_use]
    pub fn granularity(mut self, step: Decimal) -> PlanOptions {
        self.granularity = Some(step);
        self
    }

    /// Whether yes/no and threshold criteria may be planned (true by default): a "no" turned
    /// "yes", a measured value raised to the bound of a better step.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::PlanOptions;
    /// assert_ne!(PlanOptions::new().rule_based(false), PlanOptions::new());
    /// ```
    #[must_use]
    pub fn rule_based(mut self, allowed: bool) -> PlanOptions {
        self.rule_based = allowed;
        self
    }
}

// --- plans ------------------------------------------------------------------------------------

/// One leaf of a plan.
///
/// # Examples
///
/// ```
/// # use parindex::{plan, score, Info, Methodology, Node, PlanOptions, Scores, Settings, Unit, Value};
/// # use rust_decimal::Decimal;
/// # let d = |s: &str| s.parse::<Decimal>().unwrap();
/// # let m = Methodology::new(Info::new("m", "M"), Settings::default(), vec![
/// #     Node::new("1", "Công khai TTHC").max(d("40")),
/// #     Node::new("2", "Hồ sơ đúng hạn").max(d("60")),
/// # ]).unwrap();
/// # let mut s = Scores::new(&m);
/// # for (id, a, b) in [("so-y-te", "36", "50.5"), ("so-tu-phap", "38", "54")] {
/// #     let u = s.add_unit(Unit::new(id)).unwrap();
/// #     s.set(u, "1", Value::Number(d(a))).unwrap();
/// #     s.set(u, "2", Value::Number(d(b))).unwrap();
/// # }
/// # let r = score(&m, &s).unwrap();
/// // Sở Y tế 36 + 50.5, Sở Tư pháp 38 + 54 of 40 + 60 points.
/// let p = plan(&r, &s, "so-y-te", &"percent:88".parse().unwrap(), &PlanOptions::new()).unwrap();
/// let step = &p.steps[0];
/// assert_eq!((step.code.as_str(), step.from, step.to, step.gain), ("2", d("50.5"), d("52"), d("1.5")));
/// assert_eq!((step.cost, step.effect.to_decimal()), (d("1.5"), d("1.5")));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PlanStep {
    /// The leaf's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its input now: points, or the measured value of a threshold leaf (1/0 for yes/no).
    pub from: Decimal,
    /// The input the plan needs.
    pub to: Decimal,
    /// The points gained on the leaf.
    pub gain: Decimal,
    /// What the gain costs: `gain × cost per point`.
    pub cost: Decimal,
    /// The unit's total points gained through it (a rebased unit gains more than the leaf).
    pub effect: Exact,
}

/// The least a unit must gain to reach a [`Goal`], criterion by criterion, checked by scoring.
///
/// # Examples
///
/// ```
/// # use parindex::{plan, score, Info, Methodology, Node, PlanOptions, Scores, Settings, Unit, Value};
/// # use rust_decimal::Decimal;
/// # let d = |s: &str| s.parse::<Decimal>().unwrap();
/// # let m = Methodology::new(Info::new("m", "M"), Settings::default(), vec![
/// #     Node::new("1", "Công khai TTHC").max(d("40")),
/// #     Node::new("2", "Hồ sơ đúng hạn").max(d("60")),
/// # ]).unwrap();
/// # let mut s = Scores::new(&m);
/// # for (id, a, b) in [("so-y-te", "36", "50.5"), ("so-tu-phap", "38", "54")] {
/// #     let u = s.add_unit(Unit::new(id)).unwrap();
/// #     s.set(u, "1", Value::Number(d(a))).unwrap();
/// #     s.set(u, "2", Value::Number(d(b))).unwrap();
/// # }
/// # let r = score(&m, &s).unwrap();
/// // Sở Y tế 36 + 50.5, Sở Tư pháp 38 + 54 of 40 + 60 points.
/// let p = plan(&r, &s, "so-tu-phap", &"rank:1".parse().unwrap(), &PlanOptions::new()).unwrap();
/// assert!(p.already_met && p.steps.is_empty()); // already first: an empty plan
/// let p = plan(&r, &s, "so-y-te", &"percent:90".parse().unwrap(), &PlanOptions::new()).unwrap();
/// assert_eq!((p.gain, p.after.percent.to_decimal(), p.after.rank), (d("3.5"), d("90"), Some((2, 2))));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Plan {
    /// The unit's id.
    pub unit: String,
    /// Its name.
    pub name: Option<String>,
    /// Its group.
    pub group: Option<String>,
    /// The goal.
    pub goal: Goal,
    /// What was minimised.
    pub objective: Objective,
    /// The granularity of a gain on a points leaf.
    pub granularity: Decimal,
    /// The exact index (%) the goal requires — at least this, or above it when `strict`.
    pub required_percent: Exact,
    /// True when the index must be strictly above `required_percent` (a band or rank reached
    /// only above a value, e.g. under `half_down` rounding).
    pub strict: bool,
    /// True when the goal holds already: the plan is empty (not an error).
    pub already_met: bool,
    /// The leaves to raise, in declaration order; empty when the goal is already met.
    pub steps: Vec<PlanStep>,
    /// The points gained on the leaves, summed.
    pub gain: Decimal,
    /// The plan's cost, summed.
    pub cost: Decimal,
    /// The unit now.
    pub before: Standing,
    /// The unit with the plan, as scored by [`what_if`].
    pub after: Standing,
}

/// Plans how a unit reaches a goal with the fewest points gained (or the least cost), raising
/// its leaves from their current values, and checks the plan by scoring it with [`what_if`].
/// `scores` must be those `results` were scored from.
///
/// What a plan may change (DESIGN.md §10): leaves taking points rise in whole steps of the
/// granularity, up to their maximum or cap; a yes/no leaf answered "no" may turn "yes"; a
/// threshold leaf may move to the bound of any better step. Proportional leaves and leaves
/// that do not apply are left as they are, and so are bonus and penalty points. Other units
/// keep their current totals.
///
/// With [`Objective::FewestPoints`] the plan has the fewest points among all plans of that
/// kind; with [`Objective::LeastCost`] its cost is within one granule of the last leaf raised
/// of the least (exactly the least when the points leaves share one cost). A goal that holds
/// already gives an empty plan with `already_met`.
///
/// # Errors
///
/// `unknown_unit`; `invalid_goal` for a band the methodology does not have, a rank of 0, a
/// negative percent, or a rank goal for a unit not ranked; `invalid_setting` for a
/// granularity that is not positive, a negative cap, a cost that is not positive;
/// `unknown_criterion` / `not_a_leaf` for caps and costs on codes that are not leaves;
/// `goal_unreachable` when even every plannable leaf at its cap misses, with the best the unit
/// can reach; `too_precise` for a unit whose exact weights exceed 128 bits (no linear form:
/// use [`what_if`]) or for more than 65,536 useful combinations of yes/no and threshold steps.
///
/// # Examples
///
/// ```
/// use parindex::{plan, score, Band, Goal, Info, Methodology, Node, PlanOptions, Scores, Settings, Unit, Value};
/// use rust_decimal::Decimal;
/// let d = |s: &str| s.parse::<Decimal>().unwrap();
/// let settings = Settings::default().bands(vec![
///     Band { label: "A".into(), min: d("90") },
///     Band { label: "B".into(), min: d("80") },
/// ]);
/// let m = Methodology::new(Info::new("m", "M"), settings, vec![
///     Node::new("1", "Công khai TTHC").max(d("40")),
///     Node::new("2", "Hồ sơ đúng hạn").max(d("60")),
/// ]).unwrap();
/// let mut s = Scores::new(&m);
/// for (id, a, b) in [("so-y-te", "36", "50.5"), ("so-tu-phap", "38", "54")] {
///     let u = s.add_unit(Unit::new(id)).unwrap();
///     s.set(u, "1", Value::Number(d(a))).unwrap();
///     s.set(u, "2", Value::Number(d(b))).unwrap();
/// }
/// let r = score(&m, &s).unwrap();
///
/// // Band A needs a published 90.00: an exact index of at least 89.995 (half up).
/// let p = plan(&r, &s, "so-y-te", &"band:A".parse().unwrap(), &PlanOptions::new()).unwrap();
/// assert_eq!(p.required_percent.to_decimal(), d("89.995"));
/// assert_eq!(p.gain, d("3.5")); // 86.5 → 90 points: 3.5 on the leaf with the most room
/// assert_eq!((p.steps[0].code.as_str(), p.steps[0].from, p.steps[0].to), ("2", d("50.5"), d("54")));
/// assert_eq!(p.after.band.as_deref(), Some("A"));
///
/// // Rank 1: tie Sở Tư pháp's 92 points (competition ranking shares the rank).
/// let p = plan(&r, &s, "so-y-te", &Goal::Rank(1), &PlanOptions::new()).unwrap();
/// assert_eq!((p.gain, p.after.rank), (d("5.5"), Some((1, 2))));
///
/// // Without bonus points no unit passes 100 %.
/// let err = plan(&r, &s, "so-y-te", &"percent:101".parse().unwrap(), &PlanOptions::new()).unwrap_err();
/// assert_eq!(err.issues()[0].code(), "goal_unreachable");
/// assert_eq!(err.to_string(), "unit so-y-te: an index of 101 % cannot be reached: at best an index \
///     of 100.00 %, with every criterion that can be planned at its cap");
/// ```
pub fn plan(
    results: &Results,
    scores: &Scores,
    unit_id: &str,
    goal: &Goal,
    options: &PlanOptions,
) -> Result<Plan> {
    let m = results.methodology();
    let Some(i) = results.units().position(|u| u.id() == unit_id) else {
        return Err(unknown_unit(unit_id, results.units().map(|u| u.id())));
    };
    let u = results.units().nth(i).ok_or_else(|| unknown_unit(unit_id, std::iter::empty()))?;
    check_goal(goal, &u)?;
    let granularity = check_options(options, m, scores)?;
    let t = m.tree();
    let before = standing(&u);
    let need = requirement(results, i, goal);
    let hundred = Q::from_integer(BigInt::from(100));
    let max = q_dec(m.max());
    let required_percent = exact_of(&(&need.total * &hundred / &max));
    let blank = |already_met: bool, steps: Vec<PlanStep>, after: Standing| Plan {
        unit: unit_id.to_owned(),
        name: u.unit().name.clone(),
        group: u.unit().group.clone(),
        goal: goal.clone(),
        objective: options.objective,
        granularity,
        required_percent,
        strict: need.strict,
        already_met,
        gain: steps.iter().map(|s| s.gain).sum(),
        cost: steps.iter().map(|s| s.cost).sum(),
        steps,
        before: before.clone(),
        after,
    };
    if goal_met(&u, goal) {
        return Ok(blank(true, Vec::new(), before.clone()));
    }
    let gains: Vec<Option<Exact>> = (0..t.leaves.len()).map(|k| results.leaf_gain(i, k)).collect();
    if gains.iter().all(Option::is_none) {
        let reason =
            "this unit's exact weights exceed 128 bits, so its total has no linear form to plan on; \
                      try changes with what-if"
                .to_owned();
        return Err(Error::single(Location::default().unit(unit_id), IssueKind::TooPrecise { reason }));
    }
    let items = Items::new(results, i, &gains, options, granularity);
    let at_unit = |kind| Error::single(Location::default().unit(unit_id), kind);

    // Reachable at all? Score every item at its top: the engine decides.
    let best_changes = items.best_changes(granularity);
    let best_results;
    let best = if best_changes.is_empty() {
        u
    } else {
        best_results = what_if(m, scores, unit_id, &best_changes)?;
        best_results.units().nth(i).ok_or_else(|| unknown_unit(unit_id, std::iter::empty()))?
    };
    if !goal_met(&best, goal) {
        return Err(at_unit(IssueKind::GoalUnreachable {
            goal: goal.describe(),
            best: describe_best(&best, goal),
        }));
    }

    // The least-weight plan: an exact Pareto frontier over the discrete items, each completed
    // greedily with points leaves (see DESIGN.md §10 for why this is optimal).
    let base = base_total(results, i, &u);
    let deficit = &need.total - &base;
    let frontier = items.frontier().map_err(|reason| at_unit(IssueKind::TooPrecise { reason }))?;
    let continuous = Completion::new(&items.continuous);
    let mut chosen: Option<(Q, Q, usize, Fills)> = None;
    for (f, point) in frontier.iter().enumerate() {
        let Some((w, v, fills)) = continuous.complete(&(&deficit - &point.value), need.strict) else {
            continue;
        };
        let (w, v) = (w + &point.weight, v + &point.value);
        let better = match &chosen {
            None => true,
            Some((bw, bv, _, _)) => w < *bw || (w == *bw && v > *bv),
        };
        if better {
            chosen = Some((w, v, f, fills));
        }
    }
    let not_verified = || at_unit(IssueKind::PlanNotVerified { goal: goal.describe() });
    let Some((_, _, f, fills)) = chosen else { return Err(not_verified()) };
    let steps = items.steps(&frontier[f].picks, &fills, granularity).ok_or_else(|| {
        at_unit(IssueKind::TooPrecise { reason: "a planned value does not fit a decimal".into() })
    })?;

    // Check the plan by scoring it.
    let changes: Vec<(String, Value)> = steps.iter().map(|s| (s.code.clone(), Value::Number(s.to))).collect();
    let after_results = what_if(m, scores, unit_id, &changes)?;
    let after = after_results.units().nth(i).ok_or_else(not_verified)?;
    if !goal_met(&after, goal) {
        return Err(not_verified());
    }
    Ok(blank(false, steps, standing(&after)))
}

/// The goal must name something the methodology and unit have.
fn check_goal(goal: &Goal, u: &UnitResult<'_>) -> Result<()> {
    let settings = u.methodology().settings();
    let reason = match goal {
        Goal::Rank(0) => "a rank is a whole number from 1".to_owned(),
        Goal::Rank(_) if !u.is_ranked() => format!("unit {} is not ranked", u.id()),
        Goal::Band(_) if settings.bands.is_empty() => "the methodology has no bands".to_owned(),
        Goal::Band(label) if !settings.bands.iter().any(|b| &b.label == label) => {
            let known: Vec<&str> = settings.bands.iter().map(|b| b.label.as_str()).collect();
            format!("the methodology has no band {label} (bands: {})", known.join(", "))
        }
        Goal::Percent(p) if p.is_sign_negative() && !p.is_zero() => "a percent is a number from 0".to_owned(),
        _ => return Ok(()),
    };
    Err(Error::single(Location::default(), IssueKind::InvalidGoal { text: goal.to_string(), reason }))
}

/// Validates the options against the methodology; returns the granularity.
fn check_options(options: &PlanOptions, m: &Methodology, scores: &Scores) -> Result<Decimal> {
    let mut issues = Vec::new();
    let granularity = options.granularity.unwrap_or_else(|| Decimal::new(1, scores.scale()));
    if granularity <= Decimal::ZERO {
        issues.push(Issue::new(
            Location::default(),
            IssueKind::InvalidSetting {
                setting: "granularity".into(),
                reason: format!("{} must be positive", granularity.normalize()),
            },
        ));
    }
    let code_issue = |code: &str| {
        let at = Location::default().criterion(code);
        if m.is_leaf(code) {
            None
        } else if m.max_of(code).is_some() {
            Some(Issue::new(at, IssueKind::NotALeaf))
        } else {
            Some(Issue::new(at, IssueKind::UnknownCriterion { methodology: m.info().id.clone() }))
        }
    };
    for (what, map, zero_ok) in [("cap", &options.caps, true), ("cost", &options.costs, false)] {
        for (code, &v) in map {
            if let Some(issue) = code_issue(code) {
                issues.push(issue);
            } else if v < Decimal::ZERO || (v.is_zero() && !zero_ok) {
                let must = if zero_ok { "must not be negative" } else { "must be positive" };
                issues.push(Issue::new(
                    Location::default().criterion(code),
                    IssueKind::InvalidSetting {
                        setting: what.into(),
                        reason: format!("{} {must}", v.normalize()),
                    },
                ));
            }
        }
    }
    match Error::from_issues(issues) {
        Some(e) => Err(e),
        None => Ok(granularity),
    }
}

/// Whether the engine's results meet the goal.
fn goal_met(u: &UnitResult<'_>, goal: &Goal) -> bool {
    match goal {
        Goal::Rank(r) => u.rank().is_some_and(|k| k <= *r),
        Goal::Band(label) => {
            let bands = &u.methodology().settings().bands;
            bands.iter().find(|b| &b.label == label).is_some_and(|b| u.published_percent() >= b.min)
        }
        Goal::Percent(p) => u.percent() >= Exact::from_decimal(*p),
    }
}

/// The best a unit reaches, in words, for `goal_unreachable`.
fn describe_best(best: &UnitResult<'_>, goal: &Goal) -> String {
    let places = best.methodology().settings().rounding.places;
    match goal {
        Goal::Percent(_) => format!("an index of {} %", best.percent().round(places, RoundingMode::Down)),
        Goal::Band(_) => match best.band() {
            Some(b) => format!("{} % (band {b})", best.published_percent()),
            None => format!("{} % (no band)", best.published_percent()),
        },
        Goal::Rank(_) => {
            let points = standing(best).published_points;
            match best.rank() {
                Some(k) => format!("rank {k} ({points} points)"),
                None => format!("no rank ({points} points)"),
            }
        }
    }
}

/// What the unit's total (points after bonus and penalty, not floored at 0) must reach.
struct Need {
    total: Q,
    /// Strictly above `total`, rather than at least.
    strict: bool,
}

/// The total a goal requires (DESIGN.md §10).
fn requirement(results: &Results, i: usize, goal: &Goal) -> Need {
    let m = results.methodology();
    let settings = m.settings();
    let (places, mode) = (settings.rounding.places, settings.rounding.mode);
    let to_total = |index: Q| index * q_dec(m.max()) / Q::from_integer(BigInt::from(100));
    let published = |grid: Decimal| {
        let (index, strict) = published_threshold(grid, places, mode);
        Need { total: to_total(index), strict }
    };
    match goal {
        Goal::Percent(p) => Need { total: to_total(q_dec(*p)), strict: false },
        Goal::Band(label) => {
            let min = settings.bands.iter().find(|b| &b.label == label).map_or(Decimal::ZERO, |b| b.min);
            published(min.round_dp_with_strategy(places, RoundingStrategy::ToPositiveInfinity))
        }
        Goal::Rank(r) => match rank_threshold(results, i, *r) {
            None => Need { total: Q::zero(), strict: false },
            Some((w, bump)) if settings.rank_on == RankOn::Published => {
                let w = w.to_decimal();
                published(if bump { w + Decimal::new(1, places) } else { w })
            }
            Some((w, bump)) => Need { total: q_exact(w), strict: bump },
        },
    }
}

/// The least exact index whose published value (rounded to `places` with `mode`) reaches the
/// grid value `m`, and whether it must be exceeded rather than reached.
fn published_threshold(m: Decimal, places: u32, mode: RoundingMode) -> (Q, bool) {
    let ten = BigInt::from(10).pow(places);
    let q = Q::new(BigInt::one(), ten.clone());
    let half = &q / Q::from_integer(BigInt::from(2));
    let m = q_dec(m);
    match mode {
        RoundingMode::HalfUp => (&m - half, false),
        RoundingMode::HalfDown => (&m - half, true),
        RoundingMode::HalfEven => {
            let k = (&m * Q::from_integer(ten)).to_integer();
            let odd = (&k % BigInt::from(2)) != BigInt::zero();
            (&m - half, odd)
        }
        RoundingMode::Down => (m, false),
        RoundingMode::Up => (&m - q, true),
    }
}

/// The least ranked value (on the methodology's `rank_on`) that gives the unit a rank of at
/// most `r`: `(w, false)` for "at least w", `(w, true)` for "above w". Found with the
/// engine's own ranking on the other ranked units as they stand, the unit keeping its current
/// tie-break key (which a plan can only raise). `None` when there are no other ranked units.
fn rank_threshold(results: &Results, i: usize, r: u32) -> Option<(Exact, bool)> {
    let settings = results.methodology().settings();
    let (places, mode) = (settings.rounding.places, settings.rounding.mode);
    let published = settings.rank_on == RankOn::Published;
    let units: Vec<UnitResult<'_>> = results.units().filter(|u| u.is_ranked()).collect();
    let me =
        units.iter().position(|u| u.id() == results.units().nth(i).map(|x| x.id()).unwrap_or_default())?;
    let at = |x: Exact| if published { Exact::from_decimal(x.round(places, mode)) } else { x };
    let key = |u: &UnitResult<'_>| -> (Exact, Vec<Option<Exact>>) {
        let main = if published { Exact::from_decimal(u.published_percent()) } else { u.points() };
        let tie = settings.tie_break.iter().map(|c| u.node(c).and_then(|n| n.points()).map(at)).collect();
        (main, tie)
    };
    let keys: Vec<RankKey> = units
        .iter()
        .map(|u| {
            let (main, tie) = key(u);
            ((main, false), tie)
        })
        .collect();
    let mut values: Vec<Exact> =
        units.iter().enumerate().filter(|&(j, _)| j != me).map(|(_, u)| key(u).0).collect();
    values.sort();
    values.dedup();
    if values.is_empty() {
        return None;
    }
    let options = RankOptions::new().ties(settings.ties);
    let rank_at = |c: (Exact, bool)| -> u32 {
        let mut k = keys.clone();
        k[me].0 = c;
        rank_by(&k, options)[me]
    };
    // Candidates from low to high: at w₁, above w₁, at w₂, …; the rank never rises along them.
    let candidate = |n: usize| (values[n / 2], n % 2 == 1);
    let (mut lo, mut hi) = (0usize, 2 * values.len() - 1);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if rank_at(candidate(mid)) <= r {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Some(candidate(lo))
}

/// The unit's total before flooring at 0: the leaves' contributions plus bonus minus penalty.
fn base_total(results: &Results, i: usize, u: &UnitResult<'_>) -> Q {
    let mut base: Q = results
        .methodology()
        .tree()
        .leaves
        .iter()
        .filter_map(|&node| results.contribution(i, node))
        .map(|(c, _)| q_exact(c))
        .sum();
    let (bonus, penalty) = u.adjustments();
    base += q_dec(bonus) - q_dec(penalty);
    base
}

/// A points leaf: gains of `n` granules, `0 ≤ n ≤ most`.
struct Continuous {
    leaf: usize,
    code: String,
    name: String,
    from: Decimal,
    gain: Exact,
    cost: Decimal,
    most: BigInt,
    /// Total points per granule.
    value: Q,
    /// Objective weight per granule.
    weight: Q,
}

/// A yes/no or threshold leaf: one of its choices, or none.
struct Discrete {
    leaf: usize,
    code: String,
    name: String,
    from: Decimal,
    gain: Exact,
    cost: Decimal,
    choices: Vec<Choice>,
}

struct Choice {
    to: Decimal,
    jump: Decimal,
    value: Q,
    weight: Q,
}

/// A combination of discrete choices: `(item, choice)` pairs.
#[derive(Clone)]
struct Point {
    weight: Q,
    value: Q,
    picks: Vec<(usize, usize)>,
}

struct Items {
    continuous: Vec<Continuous>,
    discrete: Vec<Discrete>,
}

impl Items {
    fn new(
        results: &Results,
        i: usize,
        gains: &[Option<Exact>],
        options: &PlanOptions,
        granularity: Decimal,
    ) -> Items {
        let m = results.methodology();
        let t = m.tree();
        let u = q_dec(granularity);
        let mut continuous = Vec::new();
        let mut discrete = Vec::new();
        for (k, &node) in t.leaves.iter().enumerate() {
            let n = &m.nodes()[node];
            let Some(gain) = gains[k].filter(|g| *g > Exact::ZERO) else { continue };
            let Some(from) = results.input(i, k) else { continue };
            let max = t.max[node];
            let cap = options.caps.get(&n.code).copied();
            let cost = options.costs.get(&n.code).copied().unwrap_or(Decimal::ONE);
            let per_point = match options.objective {
                Objective::FewestPoints => Q::one(),
                Objective::LeastCost => q_dec(cost),
            };
            let g = q_exact(gain);
            let fits = |jump: Decimal| cap.is_none_or(|c| jump <= c);
            let choice = |to: Decimal, jump: Decimal| Choice {
                to,
                jump,
                value: &g * q_dec(jump),
                weight: &per_point * q_dec(jump),
            };
            let mut choices = Vec::new();
            match &n.rule {
                Rule::Points => {
                    let room = cap.map_or(max - from, |c| c.min(max - from));
                    let most = (q_dec(room) / &u).floor().to_integer();
                    if most.is_positive() {
                        continuous.push(Continuous {
                            leaf: k,
                            code: n.code.clone(),
                            name: n.name.clone(),
                            from,
                            gain,
                            cost,
                            most,
                            value: &g * &u,
                            weight: &per_point * &u,
                        });
                    }
                    continue;
                }
                Rule::YesNo if options.rule_based && from.is_zero() && fits(max) => {
                    choices.push(choice(Decimal::ONE, max));
                }
                Rule::Thresholds { steps, .. } if options.rule_based => {
                    let now = n.rule.points(from, max).unwrap_or(Decimal::ZERO);
                    // Worst bound first: each level of points is reached at its easiest bound.
                    let mut seen: Vec<Decimal> = Vec::new();
                    for s in steps.iter().rev() {
                        let jump = s.points - now;
                        if jump > Decimal::ZERO
                            && !seen.contains(&s.points)
                            && s.bound >= Decimal::ZERO
                            && fits(jump)
                        {
                            seen.push(s.points);
                            choices.push(choice(s.bound.normalize(), jump));
                        }
                    }
                }
                _ => {}
            }
            if !choices.is_empty() {
                discrete.push(Discrete {
                    leaf: k,
                    code: n.code.clone(),
                    name: n.name.clone(),
                    from,
                    gain,
                    cost,
                    choices,
                });
            }
        }
        // Best total points per unit of weight first; then the most room; then declaration order.
        continuous.sort_by(|a, b| {
            (&b.value / &b.weight)
                .cmp(&(&a.value / &a.weight))
                .then_with(|| b.most.cmp(&a.most))
                .then(a.leaf.cmp(&b.leaf))
        });
        Items { continuous, discrete }
    }

    /// Every item at its top: the changes that give the best total.
    fn best_changes(&self, granularity: Decimal) -> Vec<(String, Value)> {
        let mut out: Vec<(usize, String, Decimal)> = Vec::new();
        for c in &self.continuous {
            if let Some(to) = raise(c.from, &c.most, granularity) {
                out.push((c.leaf, c.code.clone(), to));
            }
        }
        for d in &self.discrete {
            if let Some(top) = d.choices.iter().max_by(|a, b| a.value.cmp(&b.value)) {
                out.push((d.leaf, d.code.clone(), top.to));
            }
        }
        out.sort_by_key(|x| x.0);
        out.into_iter().map(|(_, code, to)| (code, Value::Number(to))).collect()
    }

    /// The Pareto frontier of the discrete items' combinations: by weight ascending, each with
    /// more value than every lighter one.
    fn frontier(&self) -> std::result::Result<Vec<Point>, String> {
        let mut frontier = vec![Point { weight: Q::zero(), value: Q::zero(), picks: Vec::new() }];
        for (d, item) in self.discrete.iter().enumerate() {
            let mut next = frontier.clone();
            for p in &frontier {
                for (c, choice) in item.choices.iter().enumerate() {
                    let mut picks = p.picks.clone();
                    picks.push((d, c));
                    next.push(Point {
                        weight: &p.weight + &choice.weight,
                        value: &p.value + &choice.value,
                        picks,
                    });
                }
            }
            // Stable: of equal combinations, the one changing fewer criteria stays.
            next.sort_by(|a, b| a.weight.cmp(&b.weight).then_with(|| b.value.cmp(&a.value)));
            frontier = Vec::with_capacity(next.len());
            for p in next {
                if frontier.last().is_none_or(|k: &Point| p.value > k.value) {
                    frontier.push(p);
                }
            }
            if frontier.len() > FRONTIER_LIMIT {
                return Err(format!(
                    "more than {FRONTIER_LIMIT} combinations of yes/no and threshold criteria to compare; \
                     cap some at 0, or leave rule-based criteria out"
                ));
            }
        }
        Ok(frontier)
    }

    /// The plan's steps from discrete picks and continuous fills, in declaration order.
    fn steps(
        &self,
        picks: &[(usize, usize)],
        fills: &[(usize, BigInt)],
        granularity: Decimal,
    ) -> Option<Vec<PlanStep>> {
        let mut steps: Vec<(usize, PlanStep)> = Vec::new();
        for &(d, c) in picks {
            let (item, choice) = (&self.discrete[d], &self.discrete[d].choices[c]);
            steps.push((
                item.leaf,
                PlanStep {
                    code: item.code.clone(),
                    name: item.name.clone(),
                    from: item.from,
                    to: choice.to,
                    gain: choice.jump.normalize(),
                    cost: item.cost.checked_mul(choice.jump)?.normalize(),
                    effect: effect(item.gain, choice.jump),
                },
            ));
        }
        for (j, n) in fills {
            let item = &self.continuous[*j];
            let gain = granules(n, granularity)?;
            steps.push((
                item.leaf,
                PlanStep {
                    code: item.code.clone(),
                    name: item.name.clone(),
                    from: item.from,
                    to: item.from.checked_add(gain)?.normalize(),
                    gain: gain.normalize(),
                    cost: item.cost.checked_mul(gain)?.normalize(),
                    effect: effect(item.gain, gain),
                },
            ));
        }
        steps.sort_by_key(|s| s.0);
        Some(steps.into_iter().map(|s| s.1).collect())
    }
}

/// The continuous items in greedy order, with prefix sums of value and weight.
struct Completion<'a> {
    items: &'a [Continuous],
    /// Value and weight of items `0..j`, each taken whole.
    value: Vec<Q>,
    weight: Vec<Q>,
}

impl<'a> Completion<'a> {
    fn new(items: &'a [Continuous]) -> Completion<'a> {
        let (mut value, mut weight) = (vec![Q::zero()], vec![Q::zero()]);
        for c in items {
            let most = Q::from_integer(c.most.clone());
            value.push(value[value.len() - 1].clone() + &c.value * &most);
            weight.push(weight[weight.len() - 1].clone() + &c.weight * &most);
        }
        Completion { items, value, weight }
    }

    /// The least-weight greedy fill that adds at least `x` (more than `x` when `strict`):
    /// whole items in order, then just enough granules of the next. `None` when all of them
    /// together fall short.
    fn complete(&self, x: &Q, strict: bool) -> Option<(Q, Q, Fills)> {
        let meets = |v: &Q| if strict { v > x } else { v >= x };
        if meets(&Q::zero()) {
            return Some((Q::zero(), Q::zero(), Vec::new()));
        }
        let n = self.items.len();
        if !meets(&self.value[n]) {
            return None;
        }
        // The first j whose whole prefix 0..=j meets x.
        let (mut lo, mut hi) = (0usize, n - 1);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if meets(&self.value[mid + 1]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        let j = lo;
        let item = &self.items[j];
        let rest = (x - &self.value[j]) / &item.value;
        let count = if strict { rest.floor().to_integer() + BigInt::one() } else { rest.ceil().to_integer() };
        let count_q = Q::from_integer(count.clone());
        let weight = &self.weight[j] + &item.weight * &count_q;
        let value = &self.value[j] + &item.value * &count_q;
        let mut fills: Fills = (0..j).map(|t| (t, self.items[t].most.clone())).collect();
        fills.push((j, count));
        Some((weight, value, fills))
    }
}

/// `n` granules, as a decimal.
fn granules(n: &BigInt, granularity: Decimal) -> Option<Decimal> {
    let n = Decimal::try_from_i128_with_scale(n.to_i128()?, 0).ok()?;
    n.checked_mul(granularity)
}

/// `from` raised by `n` granules.
fn raise(from: Decimal, n: &BigInt, granularity: Decimal) -> Option<Decimal> {
    Some(from.checked_add(granules(n, granularity)?)?.normalize())
}

/// The unit's total points gained by `points` on a leaf of linear gain `gain`.
fn effect(gain: Exact, points: Decimal) -> Exact {
    let unit = 10i128.checked_pow(points.scale()).unwrap_or(1);
    gain.mul_ratio(points.mantissa(), unit)
}

fn q_dec(d: Decimal) -> Q {
    Q::new(BigInt::from(d.mantissa()), BigInt::from(10).pow(d.scale()))
}

fn q_exact(e: Exact) -> Q {
    Q::new(BigInt::from(e.numerator()), BigInt::from(e.denominator()))
}

/// A big fraction as an [`Exact`]: exact when it fits 128 bits, else to 20 places, half up.
fn exact_of(x: &Q) -> Exact {
    if let (Some(n), Some(d)) = (x.numer().to_i128(), x.denom().to_i128()) {
        if let Some(e) = Exact::new(n, d) {
            return e;
        }
    }
    let scale = BigInt::from(10).pow(20);
    let q = (x * Q::from_integer(scale.clone())).round().to_integer();
    q.to_i128().and_then(|n| Exact::new(n, scale.to_i128()?)).unwrap_or(Exact::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{score, Band, Direction, Info, Node, Settings, Step, Ties, Unit};

    fn d(s: &str) -> Decimal {
        s.parse().expect("a decimal")
    }

    fn exact(s: &str) -> Exact {
        Exact::from_decimal(d(s))
    }

    #[test]
    fn public_types_are_send_and_sync() {
        fn is_send_sync<T: Send + Sync>() {}
        is_send_sync::<Plan>();
        is_send_sync::<PlanOptions>();
        is_send_sync::<WhatIf>();
        is_send_sync::<Goal>();
    }

    #[test]
    fn published_thresholds_per_mode() {
        let t = |mode| published_threshold(d("80.00"), 2, mode);
        assert_eq!(t(RoundingMode::HalfUp), (q_dec(d("79.995")), false));
        assert_eq!(t(RoundingMode::HalfDown), (q_dec(d("79.995")), true));
        assert_eq!(t(RoundingMode::HalfEven), (q_dec(d("79.995")), false)); // 8000 is even
        assert_eq!(published_threshold(d("80.01"), 2, RoundingMode::HalfEven), (q_dec(d("80.005")), true));
        assert_eq!(t(RoundingMode::Down), (q_dec(d("80")), false));
        assert_eq!(t(RoundingMode::Up), (q_dec(d("79.99")), true));
        // The thresholds are tight: just below rounds under, at (or just above) rounds to 80.00.
        for mode in [
            RoundingMode::HalfUp,
            RoundingMode::HalfDown,
            RoundingMode::HalfEven,
            RoundingMode::Down,
            RoundingMode::Up,
        ] {
            let (l, strict) = t(mode);
            let tiny = Q::new(BigInt::one(), BigInt::from(10).pow(9));
            let below = exact_of(&(&l - &tiny)).round(2, mode);
            let at = exact_of(&l).round(2, mode);
            let above = exact_of(&(&l + &tiny)).round(2, mode);
            assert!(below < d("80"), "{mode:?}");
            assert_eq!(at >= d("80"), !strict, "{mode:?}");
            assert!(above >= d("80"), "{mode:?}");
        }
    }

    #[test]
    fn goals_parse_and_print() {
        for (text, goal) in [
            ("rank:5", Goal::Rank(5)),
            (" Rank : 12 ", Goal::Rank(12)),
            ("band:Tốt", Goal::Band("Tốt".into())),
            ("band:To\u{302}\u{301}t", Goal::Band("Tốt".into())),
            ("percent:90", Goal::Percent(d("90"))),
            ("percent:92.50%", Goal::Percent(d("92.50"))),
        ] {
            assert_eq!(text.parse::<Goal>().ok(), Some(goal), "{text}");
        }
        for bad in [
            "rank:0",
            "rank:-1",
            "rank:+3",
            "rank:2.5",
            "band:",
            "percent:-1",
            "percent:1e3",
            "percent:",
            "5",
            "",
        ] {
            let err = bad.parse::<Goal>().err().map(|e| e.issues()[0].code());
            assert_eq!(err, Some("invalid_goal"), "{bad}");
        }
        for g in [Goal::Rank(3), Goal::Band("B".into()), Goal::Percent(d("87.5"))] {
            assert_eq!(g.to_string().parse::<Goal>().ok(), Some(g));
        }
    }

    /// 1 (leaf 1.1 max 4, 1.2 max 6 yes/no… see below), bands A ≥ 90, B ≥ 80.
    fn methodology(settings: Settings) -> Methodology {
        let steps = vec![Step { bound: d("100"), points: d("20") }, Step { bound: d("90"), points: d("10") }];
        let nodes = vec![
            Node::new("1", "Points").max(d("50")),
            Node::new("2", "Yes or no").max(d("10")).rule(Rule::YesNo),
            Node::new("3", "On time").max(d("20")).rule(Rule::Thresholds {
                direction: Direction::AtLeast,
                steps,
                otherwise: d("0"),
            }),
            Node::new("4", "Rate").max(d("20")).rule(Rule::Proportional { full: d("100") }),
        ];
        let settings = settings
            .bands(vec![Band { label: "A".into(), min: d("90") }, Band { label: "B".into(), min: d("80") }]);
        Methodology::new(Info::new("m", "M"), settings, nodes).expect("ok")
    }

    fn scores(m: &Methodology, rows: &[(&str, &str, &str, &str, &str)]) -> Scores {
        let mut s = Scores::new(m);
        for &(id, a, b, c, e) in rows {
            let u = s.add_unit(Unit::new(id)).expect("a new unit");
            for (code, v) in [("1", a), ("2", b), ("3", c), ("4", e)] {
                s.set(u, code, Value::Number(d(v))).expect("a valid value");
            }
        }
        s
    }

    fn plan_for(m: &Methodology, s: &Scores, goal: &str, options: &PlanOptions) -> Result<Plan> {
        let r = score(m, s)?;
        plan(&r, s, "x", &goal.parse()?, options)
    }

    #[test]
    fn discrete_jumps_beat_many_points_when_they_are_lighter() {
        // x: 40 + 0 + 10 (95 %) + 10 (50 %) = 60 points. Percent 70 needs 10 more points:
        // yes/no gives 10 in one jump, as does 3 → 100 %; points leaf 1 has exactly 10 of room.
        let m = methodology(Settings::default());
        let s = scores(&m, &[("x", "40", "0", "95", "50")]);
        let p = plan_for(&m, &s, "percent:70", &PlanOptions::new()).expect("ok");
        assert_eq!(p.gain, d("10"));
        assert_eq!(p.after.percent, exact("70"));
        // Only 9 points of room on leaf 1 with a cap: the yes/no jump (10) is the lightest.
        let capped = PlanOptions::new().cap("1", d("9"));
        let p = plan_for(&m, &s, "percent:70", &capped).expect("ok");
        assert_eq!(p.steps.len(), 1);
        assert_eq!((p.steps[0].code.as_str(), p.steps[0].to), ("2", d("1")));
        // Percent 69.5 needs 9.5: 9 on leaf 1 leaves 0.5, so one jump of 10 is lighter than 9 + 10.
        let p = plan_for(&m, &s, "percent:69.5", &capped).expect("ok");
        assert_eq!(p.gain, d("10"));
        // A threshold leaf moves to the bound of the better step.
        let only_3 = PlanOptions::new().cap("1", d("0")).cap("2", d("0"));
        let p = plan_for(&m, &s, "percent:65", &only_3).expect("ok");
        assert_eq!(
            (p.steps[0].code.as_str(), p.steps[0].from, p.steps[0].to, p.steps[0].gain),
            ("3", d("95"), d("100"), d("10"))
        );
    }

    #[test]
    fn rule_based_leaves_can_be_left_out() {
        let m = methodology(Settings::default());
        let s = scores(&m, &[("x", "40", "0", "95", "50")]);
        let p = plan_for(&m, &s, "percent:70", &PlanOptions::new().cap("1", d("9")).rule_based(false));
        let e = p.err().map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some(
                "unit x: an index of 70 % cannot be reached: at best an index of 69.00 %, with every criterion \
                 that can be planned at its cap"
            )
        );
    }

    #[test]
    fn least_cost_prefers_cheap_points() {
        let m = methodology(Settings::default());
        let s = scores(&m, &[("x", "40", "0", "95", "50")]);
        let o = PlanOptions::new().objective(Objective::LeastCost).cost("1", d("5")).cost("3", d("0.5"));
        let p = plan_for(&m, &s, "percent:70", &o).expect("ok");
        assert_eq!((p.steps.len(), p.steps[0].code.as_str(), p.cost), (1, "3", d("5")));
    }

    #[test]
    fn already_met_is_an_empty_plan() {
        let m = methodology(Settings::default());
        let s = scores(&m, &[("x", "50", "1", "100", "100")]);
        let p = plan_for(&m, &s, "band:A", &PlanOptions::new()).expect("ok");
        assert!(p.already_met && p.steps.is_empty());
        assert_eq!(p.before, p.after);
    }

    #[test]
    fn rank_goals_follow_the_tie_policy() {
        // Others at 80, 80, 70 points; x at 60.5 (gains in steps of 0.1).
        let rows = [
            ("a", "50", "1", "100", "0"),
            ("b", "50", "1", "100", "0"),
            ("c", "40", "1", "100", "0"),
            ("x", "40.5", "0", "90", "50"),
        ];
        for (ties, goal, needed) in [
            (Ties::Competition, "rank:2", "80"), // tie a and b at 80: rank 1
            (Ties::Competition, "rank:3", "70"), // tie c
            (Ties::Dense, "rank:2", "70"),       // 80, 80 are one rank: tie c at 70 → rank 2
            (Ties::Ordinal, "rank:3", "70.5"), // c is first in input order: pass it; 9.5 of room on 1 is not enough, a 10-point jump is
        ] {
            let m = methodology(Settings::default().ties(ties));
            let s = scores(&m, &rows);
            let p = plan_for(&m, &s, goal, &PlanOptions::new()).expect("ok");
            assert_eq!(p.after.points, exact(needed), "{ties:?} {goal}");
            assert!(p.after.rank.is_some_and(|r| r.0 <= p.goal.to_string()[5..].parse().unwrap_or(0)));
        }
    }

    #[test]
    fn bad_goals_and_options_are_located() {
        let m = methodology(Settings::default());
        let s = scores(&m, &[("x", "40", "0", "95", "50")]);
        let r = score(&m, &s).expect("ok");
        let text = |e: Result<Plan>| e.err().map(|e| e.to_string()).unwrap_or_default();
        let o = PlanOptions::new();
        assert_eq!(text(plan(&r, &s, "y", &Goal::Rank(1), &o)), "unknown unit \"y\" (units: x)");
        assert_eq!(
            text(plan(&r, &s, "x", &Goal::Band("Z".into()), &o)),
            "invalid target \"band:Z\": the methodology has no band Z (bands: A, B)"
        );
        assert_eq!(
            text(plan(&r, &s, "x", &Goal::Rank(0), &o)),
            "invalid target \"rank:0\": a rank is a whole number from 1"
        );
        let bad = PlanOptions::new().granularity(d("0")).cap("9", d("1")).cost("1", d("0")).cap("2", d("-1"));
        assert_eq!(
            text(plan(&r, &s, "x", &Goal::Rank(1), &bad)),
            "invalid setting granularity: 0 must be positive\n\
             criterion 2: invalid setting cap: -1 must not be negative\n\
             criterion 9: unknown criterion (not in methodology m)\n\
             criterion 1: invalid setting cost: 0 must be positive"
        );
    }
}
