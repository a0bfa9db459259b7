//! The statistics every published table reports: averages, extremes, counts per band.

use crate::exact::Exact;
use crate::score::Results;

/// Statistics of one group of units (or of all of them).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GroupSummary {
    /// The group (`None` for all units, or for units without a group).
    pub group: Option<String>,
    /// The number of units, ranked or not.
    pub units: usize,
    /// How many of them are not ranked ([`crate::Unit::ranked`]); they are left out of the
    /// average, the count above it, the extremes and the node means, not of the band counts.
    pub unranked: usize,
    /// The mean index (%) of the ranked units, exact (`None` for none).
    pub average: Option<Exact>,
    /// Ranked units whose index is above the mean.
    pub above_average: usize,
    /// The lowest index of a ranked unit.
    pub min: Option<Exact>,
    /// The highest index of a ranked unit.
    pub max: Option<Exact>,
    /// Units per band (every unit: one not ranked still has its band), in the methodology's
    /// band order, then those with no band (label `-`).
    pub bands: Vec<(String, usize)>,
    /// The mean percent of every node over the ranked units where it applies, in declaration
    /// order.
    pub nodes: Vec<(String, Option<Exact>)>,
}

/// Summary statistics of a result set: overall, then per group (in order of first
/// appearance).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Summary {
    /// All units.
    pub overall: GroupSummary,
    /// Each group.
    pub groups: Vec<GroupSummary>,
}

/// Averages, extremes, counts above average and per band, and per-node averages, overall and
/// per group. Means are exact fractions: round them with [`Exact::round`] to publish. Units
/// not ranked are counted (in `units`, `unranked` and the bands) but left out of the
/// statistics of the ranking — means, extremes, counts above average — as published tables
/// list them apart.
///
/// # Examples
///
/// ```
/// use parindex::{score, summarize, Band, Info, Methodology, Node, Scores, Settings, Unit, Value};
/// let settings = Settings::default().bands(vec![Band { label: "A".into(), min: 90.into() }]);
/// let m = Methodology::new(Info::new("m", "M"), settings, vec![Node::new("1", "Một").max(100.into())]).unwrap();
/// let mut s = Scores::new(&m);
/// for (id, group, p) in [("a", "sở", 95), ("b", "sở", 80), ("c", "huyện", 91)] {
///     let u = s.add_unit(Unit::new(id).group(group)).unwrap();
///     s.set(u, "1", Value::Number(p.into())).unwrap();
/// }
/// let sum = summarize(&score(&m, &s).unwrap());
/// assert_eq!(sum.overall.average.unwrap().round(2, Default::default()).to_string(), "88.67");
/// assert_eq!(sum.overall.above_average, 2);
/// assert_eq!(sum.overall.bands, [("A".to_string(), 2), ("-".to_string(), 1)]);
/// assert_eq!(sum.groups[0].group.as_deref(), Some("sở"));
/// assert_eq!(sum.groups[0].average.unwrap().to_decimal().to_string(), "87.5");
///
/// // A unit scored but not ranked counts in the bands only.
/// let u = s.add_unit(Unit::new("d").group("huyện").ranked(false)).unwrap();
/// s.set(u, "1", Value::Number(99.into())).unwrap();
/// let sum = summarize(&score(&m, &s).unwrap());
/// assert_eq!((sum.overall.units, sum.overall.unranked), (4, 1));
/// assert_eq!(sum.overall.average.unwrap().round(2, Default::default()).to_string(), "88.67");
/// assert_eq!(sum.overall.max.unwrap().to_decimal().to_string(), "95");
/// assert_eq!(sum.overall.bands, [("A".to_string(), 3), ("-".to_string(), 1)]);
/// ```
#[must_use]
pub fn summarize(results: &Results) -> Summary {
    let all: Vec<usize> = (0..results.len()).collect();
    let mut order: Vec<Option<String>> = Vec::new();
    for u in results.units() {
        let g = u.unit().group.clone();
        if !order.contains(&g) {
            order.push(g);
        }
    }
    let groups = order
        .into_iter()
        .map(|g| {
            let members: Vec<usize> =
                results.units().enumerate().filter(|(_, u)| u.unit().group == g).map(|(i, _)| i).collect();
            summarize_units(results, &members, g)
        })
        .collect();
    Summary { overall: summarize_units(results, &all, None), groups }
}

fn mean(values: &[Exact]) -> Option<Exact> {
    let sum = values.iter().try_fold(Exact::ZERO, |a, &v| a.checked_add(v))?;
    (!values.is_empty()).then(|| sum.mul_ratio(1, values.len() as i128))
}

fn summarize_units(results: &Results, members: &[usize], group: Option<String>) -> GroupSummary {
    let units: Vec<_> = results.units().collect();
    let ranked: Vec<usize> = members.iter().copied().filter(|&i| units[i].is_ranked()).collect();
    let percents: Vec<Exact> = ranked.iter().map(|&i| units[i].percent()).collect();
    let average = mean(&percents);
    let above_average = average.map_or(0, |a| percents.iter().filter(|&&p| p > a).count());
    let m = results.methodology();
    let mut bands: Vec<(String, usize)> = m.settings().bands.iter().map(|b| (b.label.clone(), 0)).collect();
    let mut unbanded = 0;
    for &i in members {
        match units[i].band() {
            Some(label) => {
                if let Some(slot) = bands.iter_mut().find(|(l, _)| l == label) {
                    slot.1 += 1;
                }
            }
            None => unbanded += 1,
        }
    }
    if unbanded > 0 {
        bands.push(("-".into(), unbanded));
    }
    let nodes = m
        .nodes()
        .iter()
        .map(|n| {
            let values: Vec<Exact> =
                ranked.iter().filter_map(|&i| units[i].node(&n.code).and_then(|s| s.percent())).collect();
            (n.code.clone(), mean(&values))
        })
        .collect();
    GroupSummary {
        group,
        units: members.len(),
        unranked: members.len() - ranked.len(),
        average,
        above_average,
        min: percents.iter().min().copied(),
        max: percents.iter().max().copied(),
        bands,
        nodes,
    }
}
