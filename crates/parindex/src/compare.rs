//! Year-over-year comparison of two result sets, matched by unit id.

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;

use crate::exact::Exact;
use crate::methodology::Node;
use crate::published::{PublishedResults, PublishedUnit};
use crate::score::{Results, UnitResult};

/// How a unit's rank moved between two years.
///
/// A unit present this year but not ranked ([`crate::Unit::ranked`]) is [`Movement::Unranked`],
/// whatever it was last year; a ranked unit that was absent or not ranked last year is
/// [`Movement::New`]; a unit absent this year is [`Movement::Gone`].
///
/// # Examples
///
/// ```
/// use parindex::Movement;
/// assert_eq!(Movement::Up(8).to_string(), "up 8");
/// assert_eq!(Movement::Gone.to_string(), "no longer ranked");
/// assert_eq!(Movement::Unranked.to_string(), "not ranked");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Movement {
    /// Up by this many places.
    Up(u32),
    /// Down by this many places.
    Down(u32),
    /// The same rank.
    Same,
    /// Ranked this year; absent, or present but not ranked, last year.
    New,
    /// Absent this year.
    Gone,
    /// Present this year but not ranked: scored only.
    Unranked,
}

impl Movement {
    /// A unit present this year: its rank now (`None`: not ranked) and last year's (`None`:
    /// absent or not ranked).
    fn between(now: Option<u32>, before: Option<u32>) -> Movement {
        match (now, before) {
            (None, _) => Movement::Unranked,
            (Some(n), Some(b)) if n < b => Movement::Up(b - n),
            (Some(n), Some(b)) if n > b => Movement::Down(n - b),
            (Some(_), Some(_)) => Movement::Same,
            (Some(_), None) => Movement::New,
        }
    }

    /// In words: `up 8`, `down 2`, `same`, `new`, `no longer ranked`, `not ranked`.
    fn describe(self) -> String {
        match self {
            Movement::Up(n) => format!("up {n}"),
            Movement::Down(n) => format!("down {n}"),
            Movement::Same => "same".into(),
            Movement::New => "new".into(),
            Movement::Gone => "no longer ranked".into(),
            Movement::Unranked => "not ranked".into(),
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
    /// Overall rank and the number of ranked units; `None` when not ranked.
    pub rank: Option<(u32, u32)>,
    /// Rank within its group and the number of ranked units in it; `None` when not ranked.
    pub group_rank: Option<(u32, u32)>,
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
            rank: u.rank().map(|r| (r, u.ranked_len())),
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
    /// group after the rank (empty for none); the rank is the rank within the group. A unit
    /// scored but not ranked: "… đạt 95.10 điểm (không xếp hạng)".
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
        let Some((rank, of)) = now.group_rank else {
            return format!("{name} đạt {} điểm (không xếp hạng)", now.published_points);
        };
        let label = if group_label.is_empty() { String::new() } else { format!(" {group_label}") };
        let change = match self.group_movement {
            Movement::Up(n) => format!("tăng {n:02} bậc so với năm {previous_year}"),
            Movement::Down(n) => format!("giảm {n:02} bậc so với năm {previous_year}"),
            Movement::Same => format!("giữ nguyên thứ hạng so với năm {previous_year}"),
            _ => format!("lần đầu xếp hạng, năm {previous_year} chưa có"),
        };
        format!("{name} đạt {} điểm, xếp thứ {rank}/{of}{label} ({change})", now.published_points)
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
    /// This year's units in rank order (those not ranked after them), then the units present
    /// only last year.
    pub units: Vec<UnitChange>,
    /// Nodes that cannot be compared, with why.
    pub differing_nodes: Vec<NodeDifference>,
}

/// Compares this year's results with last year's, unit by unit (matched by id): changes in
/// points and index, rank movements overall and within the group, band changes, and per-node
/// changes for the nodes both methodologies share with the same maximum (the others are
/// listed in [`Comparison::differing_nodes`]). A unit present in only one year is not an
/// error: it is `New` or `Gone`. A unit scored but not ranked this year is `Unranked`, and
/// comes after the ranked units; one not ranked last year but ranked now is `New`.
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
    let mp = previous.methodology();
    let past = previous
        .ranked()
        .into_iter()
        .map(|b| Past {
            id: b.id(),
            name: b.unit().name.as_deref(),
            group: b.unit().group.as_deref(),
            standing: Standing::of(&b),
            nodes: PastNodes::Scored(b),
        })
        .collect();
    let codes = mp.nodes().iter().map(|n| (n.code.as_str(), mp.max_of(&n.code))).collect();
    compare_years(current, past, codes, |_| true)
}

/// Compares this year's results with last year's results as published (a decision's annex,
/// or a results file `parindex score` wrote, read back): the same comparison as [`compare`],
/// with last year's ranks, bands and values taken as the file gives them.
///
/// - A unit with only points or only an index takes the other from the file's maximum
///   ([`PublishedResults::max`]), else this year's; the published index is the file's
///   `published_percent`, else its index rounded as this year's methodology rounds.
/// - Nodes are compared by code where the file has them (the CSV `parindex score` writes holds
///   the top-level nodes; its JSON every node). The maxima of last year's nodes are not in such
///   files, so a node is taken as comparable when both years have its code; a node of this year
///   is listed as `only this year` when the file has a node of the same parent but not it, and
///   every node of the file this year does not have as `only last year`.
///
/// # Examples
///
/// ```
/// use parindex::{compare_published, score, Info, Methodology, Movement, Node, PublishedResults, PublishedUnit, Scores, Settings, Unit, Value};
/// let m = Methodology::new(Info::new("m", "M"), Settings::default(),
///     vec![Node::new("1", "Một").max(100.into())]).unwrap();
/// let mut s = Scores::new(&m);
/// for (id, p) in [("a", 85), ("c", 91)] {
///     let u = s.add_unit(Unit::new(id).name(id.to_uppercase()).group("huyện")).unwrap();
///     s.set(u, "1", Value::Number(p.into())).unwrap();
/// }
/// let now = score(&m, &s).unwrap();
/// let d = |s: &str| s.parse().unwrap();
/// let before = PublishedResults::new(None, vec![
///     PublishedUnit::new("a").group("huyện").percent(d("95.10")).rank(1),
///     PublishedUnit::new("b").group("huyện").percent(d("90.00")).rank(2),
///     PublishedUnit::new("c").group("huyện").percent(d("80.25")).rank(3),
/// ]).unwrap();
/// let cmp = compare_published(&now, &before);
/// let c = &cmp.units[0];
/// assert_eq!((c.unit.as_str(), c.movement), ("c", Movement::Up(2)));
/// assert_eq!(c.points.unwrap().to_decimal().to_string(), "10.75");
/// assert_eq!(c.sentence_vi("huyện", "2023"), "C đạt 91.00 điểm, xếp thứ 1/2 huyện (tăng 02 bậc so với năm 2023)");
/// assert_eq!(cmp.units[2].movement, Movement::Gone);
/// ```
#[must_use]
pub fn compare_published(current: &Results, previous: &PublishedResults) -> Comparison {
    let mc = current.methodology();
    let r = mc.settings().rounding;
    let max = previous.max_points().unwrap_or_else(|| mc.max());
    let past = previous
        .ranked()
        .into_iter()
        .map(|b| {
            let hundred = Decimal::ONE_HUNDRED;
            let points =
                b.points.or_else(|| b.percent.and_then(|p| p.checked_mul(max)?.checked_div(hundred)));
            let percent =
                b.percent.or_else(|| b.points.and_then(|p| p.checked_mul(hundred)?.checked_div(max)));
            let (points, percent) = (points.unwrap_or_default(), percent.unwrap_or_default());
            let standing = Standing {
                points: Exact::from_decimal(points),
                percent: Exact::from_decimal(percent),
                published: b
                    .published_percent
                    .unwrap_or_else(|| Exact::from_decimal(percent).round(r.places, r.mode)),
                published_points: Exact::from_decimal(points).round(r.places, r.mode),
                rank: b.rank.map(|n| (n, previous.ranked_len())),
                group_rank: previous.group_rank(&b.id),
                band: b.band.clone(),
            };
            Past {
                id: &b.id,
                name: b.name.as_deref(),
                group: b.group.as_deref(),
                standing,
                nodes: PastNodes::Published(b),
            }
        })
        .collect();
    let mut codes: Vec<(&str, Option<Decimal>)> = Vec::new();
    let mut in_file: HashSet<&str> = HashSet::new();
    for n in previous.units().iter().flat_map(|u| &u.nodes) {
        if in_file.insert(&n.code) {
            codes.push((&n.code, None));
        }
    }
    let covered: HashSet<Option<&str>> = mc
        .nodes()
        .iter()
        .filter(|n| in_file.contains(n.code.as_str()))
        .map(|n| n.parent.as_deref())
        .collect();
    compare_years(current, past, codes, |n| covered.contains(&n.parent.as_deref()))
}

/// A unit of last year, from its scores or as published.
struct Past<'a> {
    id: &'a str,
    name: Option<&'a str>,
    group: Option<&'a str>,
    standing: Standing,
    nodes: PastNodes<'a>,
}

enum PastNodes<'a> {
    Scored(UnitResult<'a>),
    Published(&'a PublishedUnit),
}

impl PastNodes<'_> {
    /// A node's points and percent.
    fn get(&self, code: &str) -> (Option<Exact>, Option<Exact>) {
        match self {
            PastNodes::Scored(u) => u.node(code).map_or((None, None), |n| (n.points(), n.percent())),
            PastNodes::Published(u) => u.nodes.iter().find(|n| n.code == code).map_or((None, None), |n| {
                (n.points.map(Exact::from_decimal), n.percent.map(Exact::from_decimal))
            }),
        }
    }
}

/// The comparison of this year with last year's units (by rank, then those not ranked), given
/// last year's node codes with their maxima (`None`: maximum unknown, taken as comparable).
/// A node of this year absent from `codes` is `only this year` when `reported` says so.
fn compare_years(
    current: &Results,
    past: Vec<Past<'_>>,
    codes: Vec<(&str, Option<Decimal>)>,
    reported: impl Fn(&Node) -> bool,
) -> Comparison {
    let mc = current.methodology();
    let past_codes: HashMap<&str, Option<Decimal>> = codes.iter().copied().collect();
    let mut differing_nodes = Vec::new();
    let mut comparable = Vec::new();
    for n in mc.nodes() {
        match past_codes.get(n.code.as_str()) {
            None if !reported(n) => {}
            None => {
                differing_nodes.push(NodeDifference { code: n.code.clone(), reason: "only this year".into() })
            }
            Some(&before) => {
                let now = mc.max_of(&n.code).unwrap_or_default();
                match before {
                    Some(before) if before != now => differing_nodes.push(NodeDifference {
                        code: n.code.clone(),
                        reason: format!("maximum {} → {}", before.normalize(), now.normalize()),
                    }),
                    _ => comparable.push(n.code.clone()),
                }
            }
        }
    }
    for &(code, _) in codes.iter().filter(|(c, _)| mc.node(c).is_none()) {
        differing_nodes.push(NodeDifference { code: code.to_owned(), reason: "only last year".into() });
    }
    let by_id: HashMap<&str, usize> = past.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    let diff = |a: Option<Exact>, b: Option<Exact>| a.zip(b).and_then(|(a, b)| a.checked_sub(b));
    let mut units = Vec::new();
    for u in current.ranked() {
        let before = by_id.get(u.id()).map(|&i| &past[i]);
        let nodes = match before {
            Some(b) => comparable
                .iter()
                .map(|code| {
                    let (x, y) = (u.node(code), b.nodes.get(code));
                    NodeChange {
                        code: code.clone(),
                        points: diff(x.and_then(|n| n.points()), y.0),
                        percent: diff(x.and_then(|n| n.percent()), y.1),
                    }
                })
                .collect(),
            None => Vec::new(),
        };
        let standing = before.map(|b| &b.standing);
        units.push(UnitChange {
            unit: u.id().to_owned(),
            name: u.unit().name.clone().or_else(|| before.and_then(|b| b.name.map(str::to_owned))),
            group: u.unit().group.clone().or_else(|| before.and_then(|b| b.group.map(str::to_owned))),
            current: Some(Standing::of(&u)),
            previous: standing.cloned(),
            points: diff(Some(u.points()), standing.map(|s| s.points)),
            percent: diff(Some(u.percent()), standing.map(|s| s.percent)),
            movement: Movement::between(u.rank(), standing.and_then(|s| s.rank).map(|r| r.0)),
            group_movement: Movement::between(
                u.group_rank().map(|g| g.0),
                standing.and_then(|s| s.group_rank).map(|g| g.0),
            ),
            nodes,
        });
    }
    for b in past.into_iter().filter(|b| current.unit(b.id).is_none()) {
        units.push(UnitChange {
            unit: b.id.to_owned(),
            name: b.name.map(str::to_owned),
            group: b.group.map(str::to_owned),
            current: None,
            previous: Some(b.standing),
            points: None,
            percent: None,
            movement: Movement::Gone,
            group_movement: Movement::Gone,
            nodes: Vec::new(),
        });
    }
    Comparison { units, differing_nodes }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{score, Info, Methodology, Node, Scores, Settings, Unit, Value};

    fn year(rows: &[(&str, bool, i64)]) -> Results {
        let m = Methodology::new(
            Info::new("m", "M"),
            Settings::default(),
            vec![Node::new("1", "Một").max(100.into())],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let mut s = Scores::new(&m);
        for &(id, ranked, p) in rows {
            let u = s
                .add_unit(Unit::new(id).name(id.to_uppercase()).group("bộ").ranked(ranked))
                .unwrap_or_else(|e| panic!("{e}"));
            s.set(u, "1", Value::Number(p.into())).unwrap_or_else(|e| panic!("{e}"));
        }
        score(&m, &s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn units_not_ranked_move_as_unranked_or_new() {
        let before = year(&[("a", true, 90), ("b", false, 95), ("c", true, 80), ("d", true, 70)]);
        let now = year(&[("a", true, 85), ("b", true, 88), ("c", false, 99), ("e", false, 60)]);
        let cmp = compare(&now, &before);
        let moves: Vec<(&str, Movement, Movement)> =
            cmp.units.iter().map(|u| (u.unit.as_str(), u.movement, u.group_movement)).collect();
        assert_eq!(
            moves,
            [
                ("b", Movement::New, Movement::New),
                ("a", Movement::Down(1), Movement::Down(1)),
                ("c", Movement::Unranked, Movement::Unranked),
                ("e", Movement::Unranked, Movement::Unranked),
                ("d", Movement::Gone, Movement::Gone),
            ]
        );
        let c = &cmp.units[2];
        assert_eq!(c.current.as_ref().map(|s| (s.rank, s.group_rank)), Some((None, None)));
        assert_eq!(c.previous.as_ref().map(|s| (s.rank, s.group_rank)), Some((Some((2, 3)), Some((2, 3)))));
        assert_eq!(c.sentence_vi("bộ", "2022"), "C đạt 99.00 điểm (không xếp hạng)");
        // "b" ranks 1st of 2 ranked units now.
        assert_eq!(
            cmp.units[0].sentence_vi("bộ", "2022"),
            "B đạt 88.00 điểm, xếp thứ 1/2 bộ (lần đầu xếp hạng, năm 2022 chưa có)"
        );
    }
}
