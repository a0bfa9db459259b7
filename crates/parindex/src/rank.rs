//! Ranking units by their totals (DESIGN.md §4).

use crate::exact::Exact;
use crate::methodology::Ties;

/// How to rank.
///
/// # Examples
///
/// ```
/// use parindex::{rank, Exact, RankOptions, Ties};
/// let v: Vec<Exact> = [90, 85, 90, 70].iter().map(|&x| Exact::new(x, 1).unwrap()).collect();
/// assert_eq!(rank(&v, RankOptions::new()), [1, 3, 1, 4]);
/// assert_eq!(rank(&v, RankOptions::new().ties(Ties::Dense)), [1, 2, 1, 3]);
/// assert_eq!(rank(&v, RankOptions::new().ties(Ties::Ordinal)), [1, 3, 2, 4]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RankOptions {
    ties: Ties,
}

impl RankOptions {
    /// Competition ranking ("1224").
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{RankOptions, Ties};
    /// assert_eq!(RankOptions::new(), RankOptions::new().ties(Ties::Competition));
    /// ```
    #[must_use]
    pub fn new() -> RankOptions {
        RankOptions::default()
    }

    /// Sets the tie policy.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{rank, Exact, RankOptions, Ties};
    /// let v = [Exact::new(88, 1).unwrap(), Exact::new(88, 1).unwrap(), Exact::new(75, 1).unwrap()];
    /// assert_eq!(rank(&v, RankOptions::new().ties(Ties::Dense)), [1, 1, 2]);
    /// ```
    #[must_use]
    pub fn ties(mut self, ties: Ties) -> RankOptions {
        self.ties = ties;
        self
    }
}

/// Ranks values from the highest (rank 1) down. Equal values share a rank: the next rank
/// skips ("1224") under [`Ties::Competition`] and does not ("1223") under [`Ties::Dense`];
/// under [`Ties::Ordinal`] equal values take consecutive ranks in input order ("1234").
///
/// # Examples
///
/// Values that publish alike still rank apart when they differ (rank on rounded values with
/// [`crate::RankOn::Published`] in the methodology's settings):
///
/// ```
/// use parindex::{rank, Exact, RankOptions};
/// // 89.996 and 90.004 both publish as 90.00.
/// let v = [Exact::new(89_996, 1000).unwrap(), Exact::new(90_004, 1000).unwrap()];
/// assert_eq!(rank(&v, RankOptions::new()), [2, 1]);
/// assert!(rank(&[], RankOptions::new()).is_empty());
/// ```
#[must_use]
pub fn rank(values: &[Exact], options: RankOptions) -> Vec<u32> {
    rank_by(values, options)
}

/// Ranks keys of any ordered type from the highest (rank 1) down, under the tie policy of
/// `options`; [`rank`] is this on exact values. A tuple key ranks on its first element and
/// breaks ties on the next, as a tie-break key does: `(index, survey points)`.
///
/// # Examples
///
/// ```
/// use parindex::{rank_by, RankOptions, Ties};
/// // (index in hundredths, points of the tie-break node; None where it does not apply)
/// let keys = [(9000, Some(15)), (9000, Some(18)), (9000, None), (8500, Some(20))];
/// assert_eq!(rank_by(&keys, RankOptions::new()), [2, 1, 3, 4]);
/// let same = [(9000, Some(15)), (9000, Some(15))];
/// assert_eq!(rank_by(&same, RankOptions::new()), [1, 1]);
/// assert_eq!(rank_by(&same, RankOptions::new().ties(Ties::Ordinal)), [1, 2]);
/// assert_eq!(rank_by(&[7], RankOptions::new()), [1]);
/// ```
#[must_use]
pub fn rank_by<K: Ord>(keys: &[K], options: RankOptions) -> Vec<u32> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    // Stable: equal keys keep their input order, which numbers them under `Ordinal`.
    order.sort_by(|&a, &b| keys[b].cmp(&keys[a]));
    let mut ranks = vec![0u32; keys.len()];
    for (i, rank) in number(&order, |a, b| keys[a] == keys[b], options.ties) {
        ranks[i] = rank;
    }
    ranks
}

/// Numbers items already in rank order: `(item, rank)` under the tie policy, where `same`
/// says whether two items tie.
pub(crate) fn number<'a>(
    order: &'a [usize],
    same: impl Fn(usize, usize) -> bool + 'a,
    ties: Ties,
) -> impl Iterator<Item = (usize, u32)> + 'a {
    let mut current = 0u32;
    order.iter().enumerate().map(move |(pos, &i)| {
        let tied = pos > 0 && same(order[pos - 1], i);
        current = match ties {
            Ties::Ordinal => pos as u32 + 1,
            _ if tied => current,
            Ties::Competition => pos as u32 + 1,
            Ties::Dense => current + 1,
        };
        (i, current)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{score, Info, Methodology, Node, RankOn, Results, Scores, Settings, Unit, Value};
    use rust_decimal::Decimal;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_else(|_| panic!("not a decimal: {s}"))
    }

    /// 1 (max 40), 2 > 2.1, 2.2 (max 20 each), 3 (max 20); units as `(unit, [1, 2.1, 2.2, 3])`.
    fn scored(settings: Settings, units: &[(Unit, [&str; 4])]) -> Results {
        let m = Methodology::new(
            Info::new("m", "M"),
            settings,
            vec![
                Node::new("1", "Chỉ đạo, điều hành").max(d("40")),
                Node::new("2", "Thủ tục hành chính"),
                Node::new("2.1", "Công khai").parent("2").max(d("20")),
                Node::new("2.2", "Đúng hạn").parent("2").max(d("20")),
                Node::new("3", "Khảo sát").max(d("20")),
            ],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let mut s = Scores::new(&m);
        for (unit, values) in units {
            let u = s.add_unit(unit.clone()).unwrap_or_else(|e| panic!("{e}"));
            for (code, v) in ["1", "2.1", "2.2", "3"].iter().zip(values) {
                let v = if *v == "NA" { Value::NotApplicable } else { Value::Number(d(v)) };
                s.set(u, code, v).unwrap_or_else(|e| panic!("{e}"));
            }
        }
        score(&m, &s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn ranks(r: &Results) -> Vec<Option<u32>> {
        r.units().map(|u| u.rank()).collect()
    }

    /// Three units at 50 %: `a` is rebased (3 does not apply), `b` and `c` have 10 on node 3,
    /// `b` has 10 on node 2 and `c` none.
    fn fifty(settings: Settings) -> Results {
        scored(
            settings,
            &[
                (Unit::new("a"), ["30", "10", "0", "NA"]),
                (Unit::new("b"), ["30", "10", "0", "10"]),
                (Unit::new("c"), ["40", "0", "0", "10"]),
            ],
        )
    }

    #[test]
    fn the_tie_break_key_decides_in_order_and_not_applicable_comes_last() {
        let r = fifty(Settings::default());
        assert!(r.units().all(|u| u.published_percent() == d("50.00")));
        assert_eq!(ranks(&r), [Some(1); 3]);
        assert_eq!(ranks(&fifty(Settings::default().tie_break(["3"]))), [Some(3), Some(1), Some(1)]);
        assert_eq!(
            ranks(&fifty(Settings::default().ties(Ties::Dense).tie_break(["3"]))),
            [Some(2), Some(1), Some(1)]
        );
        let key = Settings::default().tie_break(["3", "2"]);
        assert_eq!(ranks(&fifty(key.clone())), [Some(3), Some(1), Some(2)]);
        assert_eq!(ranks(&fifty(key.ties(Ties::Ordinal))), [Some(3), Some(1), Some(2)]);
        // Without a key, ordinal numbers the tied units in input order.
        assert_eq!(ranks(&fifty(Settings::default().ties(Ties::Ordinal))), [Some(1), Some(2), Some(3)]);
    }

    #[test]
    fn under_rank_on_published_the_key_is_rounded_too() {
        // Equal totals 73.005; node 3 differs by 0.003, which rounds away at 2 places.
        let units = [
            (Unit::new("x"), ["34", "10", "10.004", "19.001"]),
            (Unit::new("y"), ["34", "10", "10.001", "19.004"]),
        ];
        let key = Settings::default().tie_break(["3"]);
        assert_eq!(ranks(&scored(key.clone(), &units)), [Some(2), Some(1)]);
        assert_eq!(ranks(&scored(key.rank_on(RankOn::Published), &units)), [Some(1), Some(1)]);
    }

    #[test]
    fn units_not_ranked_leave_no_gap_and_groups_of_none_or_one_rank() {
        let r = scored(
            Settings::default(),
            &[
                (Unit::new("bo-a").group("bộ"), ["40", "20", "20", "10"]),
                (Unit::new("ttcp").group("bộ").ranked(false), ["40", "20", "20", "20"]),
                (Unit::new("nhnn").group("cơ quan").ranked(false), ["40", "20", "20", "20"]),
                (Unit::new("bo-b").group("bộ"), ["40", "20", "20", "5"]),
                (Unit::new("tinh-a"), ["20", "20", "20", "5"]),
            ],
        );
        assert_eq!(ranks(&r), [Some(1), None, None, Some(2), Some(3)]);
        let groups: Vec<_> = r.units().map(|u| u.group_rank()).collect();
        // "cơ quan" has no ranked unit; the units without a group form a group of one.
        assert_eq!(groups, [Some((1, 2)), None, None, Some((2, 2)), Some((1, 1))]);
        assert_eq!(r.ranked_len(), 3);
        let order: Vec<&str> = r.ranked().iter().map(|u| u.id()).collect();
        assert_eq!(order, ["bo-a", "bo-b", "tinh-a", "ttcp", "nhnn"]);
        // Bands and scores are unaffected.
        assert_eq!(r.unit("ttcp").map(|u| u.published_percent()), Some(d("100.00")));
    }

    #[test]
    fn ranking_nothing_works() {
        let none = scored(Settings::default(), &[]);
        assert!(none.is_empty() && none.ranked().is_empty() && none.ranked_len() == 0);
        let unranked = scored(Settings::default(), &[(Unit::new("x").ranked(false), ["1", "1", "1", "1"])]);
        assert_eq!((ranks(&unranked), unranked.ranked_len()), (vec![None], 0));
        for ties in [Ties::Competition, Ties::Dense, Ties::Ordinal] {
            let one = scored(Settings::default().ties(ties), &[(Unit::new("x"), ["1", "1", "1", "NA"])]);
            assert_eq!(
                one.units().map(|u| (u.rank(), u.group_rank())).collect::<Vec<_>>(),
                [(Some(1), Some((1, 1)))]
            );
        }
    }

    #[test]
    fn every_policy_on_the_same_ties() {
        let v = [3, 5, 5, 1, 5, 3];
        let r = |t| rank_by(&v, RankOptions::new().ties(t));
        assert_eq!(r(Ties::Competition), [4, 1, 1, 6, 1, 4]);
        assert_eq!(r(Ties::Dense), [2, 1, 1, 3, 1, 2]);
        assert_eq!(r(Ties::Ordinal), [4, 1, 2, 6, 3, 5]);
    }

    #[test]
    fn empty_and_single() {
        for t in [Ties::Competition, Ties::Dense, Ties::Ordinal] {
            assert!(rank_by::<u8>(&[], RankOptions::new().ties(t)).is_empty());
            assert_eq!(rank_by(&[0], RankOptions::new().ties(t)), [1]);
        }
    }
}
