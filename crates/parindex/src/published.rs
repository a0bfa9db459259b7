//! Results as they were published: last year's decision annex, or a results file written by
//! `parindex score`, read back for a year-over-year comparison when last year's scores are not
//! at hand.

use std::collections::HashMap;

use rust_decimal::Decimal;

use crate::error::{Error, Issue, IssueKind, Location, Result};

/// One node's published value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PublishedNode {
    /// The node's code.
    pub code: String,
    /// Its points; `None` when it did not apply (`NA`).
    pub points: Option<Decimal>,
    /// Its index (%), when the file gives it.
    pub percent: Option<Decimal>,
}

impl PublishedNode {
    /// A node's points (`None`: not applicable).
    ///
    /// # Examples
    ///
    /// ```
    /// let n = parindex::PublishedNode::new("1", Some("9.5".parse().unwrap()));
    /// assert_eq!((n.code.as_str(), n.percent), ("1", None));
    /// ```
    #[must_use]
    pub fn new(code: impl Into<String>, points: Option<Decimal>) -> PublishedNode {
        PublishedNode { code: code.into(), points, percent: None }
    }

    /// With its index (%).
    ///
    /// # Examples
    ///
    /// ```
    /// let n = parindex::PublishedNode::new("1", Some("9.5".parse().unwrap())).percent("95".parse().unwrap());
    /// assert_eq!(n.percent.unwrap().to_string(), "95");
    /// ```
    #[must_use]
    pub fn percent(mut self, percent: Decimal) -> PublishedNode {
        self.percent = Some(percent);
        self
    }
}

/// One unit's published result.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PublishedUnit {
    /// The unit's id.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// Its group.
    pub group: Option<String>,
    /// Total points (when the file gives them).
    pub points: Option<Decimal>,
    /// The index (%), as exact as the file gives it.
    pub percent: Option<Decimal>,
    /// The index as published (rounded), when the file gives it apart.
    pub published_percent: Option<Decimal>,
    /// The published rank; `None`: not ranked.
    pub rank: Option<u32>,
    /// Its band.
    pub band: Option<String>,
    /// Node values, in file order.
    pub nodes: Vec<PublishedNode>,
}

impl PublishedUnit {
    /// A unit with no values yet: give it points or an index, and a rank.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::PublishedUnit;
    /// let u = PublishedUnit::new("quang-ninh").name("Quảng Ninh").percent("91.04".parse().unwrap()).rank(1);
    /// assert_eq!((u.rank, u.points), (Some(1), None));
    /// ```
    #[must_use]
    pub fn new(id: impl Into<String>) -> PublishedUnit {
        PublishedUnit {
            id: id.into(),
            name: None,
            group: None,
            points: None,
            percent: None,
            published_percent: None,
            rank: None,
            band: None,
            nodes: Vec::new(),
        }
    }

    /// With a name.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> PublishedUnit {
        self.name = Some(name.into());
        self
    }

    /// With a group.
    #[must_use]
    pub fn group(mut self, group: impl Into<String>) -> PublishedUnit {
        self.group = Some(group.into());
        self
    }

    /// With total points.
    #[must_use]
    pub fn points(mut self, points: Decimal) -> PublishedUnit {
        self.points = Some(points);
        self
    }

    /// With an index (%).
    #[must_use]
    pub fn percent(mut self, percent: Decimal) -> PublishedUnit {
        self.percent = Some(percent);
        self
    }

    /// With a rank (ranked units only).
    #[must_use]
    pub fn rank(mut self, rank: u32) -> PublishedUnit {
        self.rank = Some(rank);
        self
    }

    /// With a band.
    #[must_use]
    pub fn band(mut self, band: impl Into<String>) -> PublishedUnit {
        self.band = Some(band.into());
        self
    }

    /// With a node's value.
    #[must_use]
    pub fn node(mut self, node: PublishedNode) -> PublishedUnit {
        self.nodes.push(node);
        self
    }
}

/// A year's results as published: per unit its points and index, its rank, band and node
/// values. This is what a comparison needs of last year when only last year's results are at
/// hand — a decision's annex, or the CSV or JSON `parindex score` wrote — rather than its
/// scores; [`compare_published`](crate::compare_published) takes it.
///
/// Ranks are taken as published, never recomputed (a published rank is a fact, ties and all);
/// the rank within a group is derived from them: one more than the number of ranked units of
/// the same group ranked strictly better — or, when the ranks are dense (ties followed by the
/// next rank: 1, 1, 2), one more than the number of distinct better ranks in the group.
///
/// # Errors
///
/// [`PublishedResults::new`] reports every problem at once: `duplicate_unit` (ids compared as
/// given; readers normalise them to NFC first), `blank` (a unit with neither points nor an
/// index), `negative`, and `invalid_rank` for a rank of 0 or above the number of ranked
/// units.
///
/// # Examples
///
/// ```
/// use parindex::{PublishedResults, PublishedUnit};
/// let d = |s: &str| s.parse().unwrap();
/// let r = PublishedResults::new(None, vec![
///     PublishedUnit::new("a").group("huyện").percent(d("90.1")).rank(1),
///     PublishedUnit::new("b").group("sở").percent(d("88")).rank(2),
///     PublishedUnit::new("c").group("huyện").percent(d("85")).rank(3),
/// ]).unwrap();
/// assert_eq!(r.group_rank("c"), Some((2, 2)));
/// assert_eq!(r.ranked_len(), 3);
///
/// let bad = PublishedResults::new(None, vec![
///     PublishedUnit::new("a").rank(4),
///     PublishedUnit::new("a").percent(d("-1")),
/// ]).unwrap_err();
/// assert_eq!(bad.to_string(), "unit a: points or percent is blank\n\
///     unit a: rank 4 is not between 1 and 1, the number of ranked units\n\
///     unit a: duplicate unit a (first on entry 1)\n\
///     unit a: -1 is negative");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedResults {
    methodology: Option<String>,
    max: Option<Decimal>,
    units: Vec<PublishedUnit>,
    index: HashMap<String, usize>,
    group_ranks: Vec<Option<(u32, u32)>>,
    ranked: u32,
}

impl PublishedResults {
    /// Checks and indexes a year's published results; `methodology` is the id of the
    /// methodology they were scored on, when known.
    ///
    /// # Errors
    ///
    /// See [`PublishedResults`].
    pub fn new(methodology: Option<String>, units: Vec<PublishedUnit>) -> Result<PublishedResults> {
        let ranked = units.iter().filter(|u| u.rank.is_some()).count() as u32;
        let mut issues = Vec::new();
        let mut index = HashMap::with_capacity(units.len());
        for (i, u) in units.iter().enumerate() {
            let at = Location::default().unit(u.id.clone());
            if u.points.is_none() && u.percent.is_none() {
                issues.push(Issue::new(at.clone(), IssueKind::Blank { what: "points or percent".into() }));
            }
            if let Some(rank) = u.rank.filter(|&r| r == 0 || r > ranked) {
                let kind = IssueKind::InvalidRank { rank: rank.into(), ranked: ranked.into() };
                issues.push(Issue::new(at.clone(), kind));
            }
            if let Some(&first) = index.get(&u.id) {
                let kind =
                    IssueKind::DuplicateUnit { unit: u.id.clone(), first: format!("entry {}", first + 1) };
                issues.push(Issue::new(at.clone(), kind));
            } else {
                index.insert(u.id.clone(), i);
            }
            for v in
                [u.points, u.percent].into_iter().flatten().filter(|v| v.is_sign_negative() && !v.is_zero())
            {
                issues.push(Issue::new(at.clone(), IssueKind::Negative { value: v }));
            }
            for n in &u.nodes {
                if let Some(v) = n.points.filter(|v| v.is_sign_negative() && !v.is_zero()) {
                    issues.push(Issue::new(
                        at.clone().criterion(n.code.clone()),
                        IssueKind::Negative { value: v },
                    ));
                }
            }
        }
        if let Some(e) = Error::from_issues(issues) {
            return Err(e);
        }
        // Dense ranks (ties, then the next rank: 1, 1, 2) give dense ranks within a group;
        // otherwise (1, 1, 3) a group rank counts the units ranked strictly better.
        let mut all: Vec<u32> = units.iter().filter_map(|u| u.rank).collect();
        all.sort_unstable();
        let tied = all.windows(2).any(|w| w[0] == w[1]);
        all.dedup();
        let dense = tied && all.iter().zip(1..).all(|(&r, i)| r == i);
        let mut by_group: HashMap<Option<&str>, Vec<u32>> = HashMap::new();
        for u in &units {
            if let Some(r) = u.rank {
                by_group.entry(u.group.as_deref()).or_default().push(r);
            }
        }
        for ranks in by_group.values_mut() {
            ranks.sort_unstable();
        }
        let group_ranks = units
            .iter()
            .map(|u| {
                let ranks = by_group.get(&u.group.as_deref())?;
                let r = u.rank?;
                let better = &ranks[..ranks.partition_point(|&x| x < r)];
                let place = if dense {
                    better.windows(2).filter(|w| w[0] != w[1]).count() + usize::from(!better.is_empty())
                } else {
                    better.len()
                };
                Some((place as u32 + 1, ranks.len() as u32))
            })
            .collect();
        Ok(PublishedResults { methodology, max: None, units, index, group_ranks, ranked })
    }

    /// With the methodology's maximum (100 for most indices), from which points and index are
    /// derived from one another when a unit has only one of them.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{PublishedResults, PublishedUnit};
    /// let r = PublishedResults::new(None, vec![PublishedUnit::new("a").points("45".parse().unwrap()).rank(1)])
    ///     .unwrap()
    ///     .max("50".parse().unwrap());
    /// assert_eq!(r.max_points().unwrap().to_string(), "50");
    /// ```
    #[must_use]
    pub fn max(mut self, max: Decimal) -> PublishedResults {
        self.max = Some(max);
        self
    }

    /// The methodology's maximum, when the file gives it.
    #[must_use]
    pub fn max_points(&self) -> Option<Decimal> {
        self.max
    }

    /// The id of the methodology the results were scored on, when known.
    #[must_use]
    pub fn methodology(&self) -> Option<&str> {
        self.methodology.as_deref()
    }

    /// The units in file order.
    #[must_use]
    pub fn units(&self) -> &[PublishedUnit] {
        &self.units
    }

    /// A unit by id.
    #[must_use]
    pub fn unit(&self, id: &str) -> Option<&PublishedUnit> {
        self.index.get(id).map(|&i| &self.units[i])
    }

    /// The number of ranked units: the `n` of "3rd of n".
    #[must_use]
    pub fn ranked_len(&self) -> u32 {
        self.ranked
    }

    /// A unit's rank within its group and the number of ranked units in the group.
    #[must_use]
    pub fn group_rank(&self, id: &str) -> Option<(u32, u32)> {
        self.index.get(id).and_then(|&i| self.group_ranks[i])
    }

    /// The units by rank (ties in file order), then those not ranked, in file order.
    pub(crate) fn ranked(&self) -> Vec<&PublishedUnit> {
        let mut order: Vec<&PublishedUnit> = self.units.iter().collect();
        order.sort_by_key(|u| u.rank.unwrap_or(u32::MAX));
        order
    }
}
