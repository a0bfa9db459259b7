//! Ranking units by their totals.

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
/// skips ("1224") under [`Ties::Competition`] and does not ("1223") under [`Ties::Dense`].
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
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[b].cmp(&values[a]));
    let mut ranks = vec![0u32; values.len()];
    let mut current = 0u32;
    for (pos, &i) in order.iter().enumerate() {
        let tied = pos > 0 && values[order[pos - 1]] == values[i];
        if !tied {
            current = match options.ties {
                Ties::Competition => pos as u32 + 1,
                Ties::Dense => current + 1,
            };
        }
        ranks[i] = current;
    }
    ranks
}
