//! Year-over-year comparison of two result sets, matched by unit id.

use rust_decimal::Decimal;

use crate::exact::Exact;
use crate::score::{Results, UnitResult};

/// How a unit's rank moved between two years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Movement {
    /// Up by this many places.
    Up(u32),
    /// Down by this many places.
    Down(u32),
    /// The same rank.
    Same,
    /// Ranked this year, absent last year.
    New,
    /// Ranked last year, absent this year.
    Gone,
}

impl Movement {
    fn between(now: Option<u32>, before: Option<u32>) -> Movement {
        match (now, before) {
            (Some(n), Some(b)) if n < b => Movement::Up(b - n),
            (Some(n), Some(b)) if n > b => Movement::Down(n - b),
            (Some(_), Some(_)) => Movement::Same,
            (Some(_), None) => Movement::New,
            _ => Movement::Gone,
        }
    }

    /// In words: `up 8`, `down 2`, `same`, `new`, `no longer ranked`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(parindex::Movement::Up(8).to_string(), "up 8");
    /// assert_eq!(parindex::Movement::Gone.to_string(), "no longer ranked");
    /// ```
    fn describe(self) -> String {
        match self {
            Movement::Up(n) => format!("up {n}"),
            Movement::Down(n) => format!("down {n}"),
            Movement::Same => "same".into(),
            Movement::New => "new".into(),
            Movement::Gone => "no longer ranked".into(),
        }
    }
}

impl std::fmt::Display for Movement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

/// A unit's standing in one year.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Standing {
    /// Total points.
    pub points: Exact,
    /// The index (%).
    pub percent: Exact,
    /// The published (rounded) index.
    pub published: Decimal,
    /// The published (rounded) total points.
    pub published_points: Decimal,
    /// Overall rank and number of units.
    pub rank: (u32, u32),
    /// Rank within its group and the group's size.
    pub group_rank: (u32, u32),
    /// Its band.
    pub band: Option<String>,
}

impl Standing {
    fn of(u: &UnitResult<'_>) -> Standing {
        let r = u.methodology().settings().rounding;
        Standing {
            points: u.points(),
            percent: u.percent(),
            published: u.published_percent(),
            published_points: u.points().round(r.places, r.mode),
            rank: (u.rank(), u.results_len()),
            group_rank: u.group_rank(),
            band: u.band().map(str::to_owned),
        }
    }
}

/// The change of one node between the two years.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NodeChange {
    /// The node's code.
    pub code: String,
    /// Change in points (`None` when it does not apply in either year).
    pub points: Option<Exact>,
    /// Change in percent.
    pub percent: Option<Exact>,
}

/// One unit across the two years.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnitChange {
    /// The unit's id.
    pub unit: String,
    /// Its name (this year's, else last year's).
    pub name: Option<String>,
    /// Its group (this year's, else last year's).
    pub group: Option<String>,
    /// This year's standing.
    pub current: Option<Standing>,
    /// Last year's standing.
    pub previous: Option<Standing>,
    /// Change in total points.
    pub points: Option<Exact>,
    /// Change in the index (percentage points).
    pub percent: Option<Exact>,
    /// Movement of the overall rank.
    pub movement: Movement,
    /// Movement of the rank within the group.
    pub group_movement: Movement,
    /// Per-node changes, for the nodes both methodologies share with the same maximum.
    pub nodes: Vec<NodeChange>,
}

impl UnitChange {
    /// The sentence of a published decision, in Vietnamese: "Thành phố Sơn La đạt 90.39 điểm,
    /// xếp thứ 3/12 huyện, thành phố (tăng 08 bậc so với năm 2019)". `group_label` names the
    /// group after the rank (empty for none); the rank is the rank within the group.
    ///
    /// # Examples
    ///
    /// See [`compare`].
    #[must_use]
    pub fn sentence_vi(&self, group_label: &str, previous_year: &str) -> String {
        let name = self.name.as_deref().unwrap_or(&self.unit);
        let Some(now) = &self.current else {
            return format!("{name} không còn được xếp hạng so với năm {previous_year}");
        };
        let label = if group_label.is_empty() { String::new() } else { format!(" {group_label}") };
        let change = match self.group_movement {
            Movement::Up(n) => format!("tăng {n:02} bậc so với năm {previous_year}"),
            Movement::Down(n) => format!("giảm {n:02} bậc so với năm {previous_year}"),
            Movement::Same => format!("giữ nguyên thứ hạng so với năm {previous_year}"),
            Movement::New | Movement::Gone => format!("lần đầu xếp hạng, năm {previous_year} chưa có"),
        };
        format!(
            "{name} đạt {} điểm, xếp thứ {}/{}{label} ({change})",
            now.published_points, now.group_rank.0, now.group_rank.1
        )
    }
}

/// How a node differs between the two methodologies.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NodeDifference {
    /// The node's code.
    pub code: String,
    /// `only this year`, `only last year`, or `maximum 2 → 2.5`.
    pub reason: String,
}

/// Two years compared.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Comparison {
    /// This year's units in rank order, then the units present only last year.
    pub units: Vec<UnitChange>,
    /// Nodes that cannot be compared, with why.
    pub differing_nodes: Vec<NodeDifference>,
}

/// Compares this year's results with last year's, unit by unit (matched by id): changes in
/// points and index, rank movements overall and within the group, band changes, and per-node
/// changes for the nodes both methodologies share with the same maximum (the others are
/// listed in [`Comparison::differing_nodes`]). A unit present in only one year is not an
/// error: it is `New` or `Gone`.
///
/// # Examples
///
/// ```
/// use parindex::{compare, score, Info, Methodology, Movement, Node, Scores, Settings, Unit, Value};
/// let m = Methodology::new(Info::new("m", "M"), Settings::default(),
///     vec![Node::new("1", "Một").max(100.into())]).unwrap();
/// let year = |rows: &[(&str, i64)]| {
///     let mut s = Scores::new(&m);
///     for &(id, p) in rows {
///         let u = s.add_unit(Unit::new(id).name(id.to_uppercase()).group("huyện")).unwrap();
///         s.set(u, "1", Value::Number(p.into())).unwrap();
///     }
///     score(&m, &s).unwrap()
/// };
/// let before = year(&[("a", 95), ("b", 90), ("c", 80)]);
/// let now = year(&[("a", 85), ("c", 91), ("d", 70)]);
/// let cmp = compare(&now, &before);
/// let c = cmp.units.iter().find(|u| u.unit == "c").unwrap();
/// assert_eq!(c.movement, Movement::Up(2));
/// assert_eq!(c.points.unwrap().to_decimal().to_string(), "11");
/// assert_eq!(c.sentence_vi("huyện", "2019"), "C đạt 91.00 điểm, xếp thứ 1/3 huyện (tăng 02 bậc so với năm 2019)");
/// let gone: Vec<&str> = cmp.units.iter().filter(|u| u.movement == Movement::Gone).map(|u| u.unit.as_str()).collect();
/// assert_eq!(gone, ["b"]);
/// ```
#[must_use]
pub fn compare(current: &Results, previous: &Results) -> Comparison {
    let (mc, mp) = (current.methodology(), previous.methodology());
    let mut differing_nodes = Vec::new();
    let mut comparable = Vec::new();
    for n in mc.nodes() {
        match mp.max_of(&n.code) {
            None => {
                differing_nodes.push(NodeDifference { code: n.code.clone(), reason: "only this year".into() })
            }
            Some(before) => {
                let now = mc.max_of(&n.code).unwrap_or_default();
                if before == now {
                    comparable.push(n.code.clone());
                } else {
                    differing_nodes.push(NodeDifference {
                        code: n.code.clone(),
                        reason: format!("maximum {} → {}", before.normalize(), now.normalize()),
                    });
                }
            }
        }
    }
    for n in mp.nodes().iter().filter(|n| mc.node(&n.code).is_none()) {
        differing_nodes.push(NodeDifference { code: n.code.clone(), reason: "only last year".into() });
    }
    let diff = |a: Option<Exact>, b: Option<Exact>| a.zip(b).and_then(|(a, b)| a.checked_sub(b));
    let mut units = Vec::new();
    for u in current.ranked() {
        let before = previous.unit(u.id());
        let nodes = match before {
            Some(b) => comparable
                .iter()
                .map(|code| {
                    let (x, y) = (u.node(code), b.node(code));
                    NodeChange {
                        code: code.clone(),
                        points: diff(x.and_then(|n| n.points()), y.and_then(|n| n.points())),
                        percent: diff(x.and_then(|n| n.percent()), y.and_then(|n| n.percent())),
                    }
                })
                .collect(),
            None => Vec::new(),
        };
        units.push(UnitChange {
            unit: u.id().to_owned(),
            name: u.unit().name.clone().or_else(|| before.and_then(|b| b.unit().name.clone())),
            group: u.unit().group.clone().or_else(|| before.and_then(|b| b.unit().group.clone())),
            current: Some(Standing::of(&u)),
            previous: before.as_ref().map(Standing::of),
            points: diff(Some(u.points()), before.map(|b| b.points())),
            percent: diff(Some(u.percent()), before.map(|b| b.percent())),
            movement: Movement::between(Some(u.rank()), before.map(|b| b.rank())),
            group_movement: Movement::between(Some(u.group_rank().0), before.map(|b| b.group_rank().0)),
            nodes,
        });
    }
    for b in previous.ranked().into_iter().filter(|b| current.unit(b.id()).is_none()) {
        units.push(UnitChange {
            unit: b.id().to_owned(),
            name: b.unit().name.clone(),
            group: b.unit().group.clone(),
            current: None,
            previous: Some(Standing::of(&b)),
            points: None,
            percent: None,
            movement: Movement::Gone,
            group_movement: Movement::Gone,
            nodes: Vec::new(),
        });
    }
    Comparison { units, differing_nodes }
}
