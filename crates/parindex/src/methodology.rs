//! The methodology: a versioned criteria tree ("bộ tiêu chí") with its index-level settings.

use std::collections::HashMap;
use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{collect, Error, Issue, IssueKind, Location, Result};
use crate::exact::RoundingMode;

/// The stored JSON format version this build reads and writes.
///
/// # Examples
///
/// ```
/// use parindex::{Methodology, FORMAT_VERSION};
/// let json = r#"{"format_version": 2, "id": "x", "name": "x", "nodes": []}"#;
/// let err = Methodology::from_json(json).unwrap_err();
/// assert_eq!(err.to_string(), format!("unsupported format_version 2 (this build reads {FORMAT_VERSION})"));
/// ```
pub const FORMAT_VERSION: u64 = 1;

/// The kind of unit a methodology scores.
///
/// # Examples
///
/// ```
/// use parindex::Level;
/// assert_eq!("district".parse::<Level>().unwrap(), Level::District);
/// assert_eq!("xã đặc thù".parse::<Level>().unwrap(), Level::Other("xã đặc thù".into()));
/// assert_eq!(Level::Commune.to_string(), "commune");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Level {
    /// Ministries and ministerial agencies (cấp bộ).
    Ministry,
    /// Provinces and centrally-run cities (cấp tỉnh).
    Province,
    /// Provincial departments (sở, ban, ngành).
    Department,
    /// Districts, towns and provincial cities (cấp huyện).
    District,
    /// Communes, wards and townships (cấp xã).
    Commune,
    /// Any other kind, as written.
    Other(String),
}

impl From<String> for Level {
    fn from(s: String) -> Level {
        match s.as_str() {
            "ministry" => Level::Ministry,
            "province" => Level::Province,
            "department" => Level::Department,
            "district" => Level::District,
            "commune" => Level::Commune,
            _ => Level::Other(s),
        }
    }
}

impl From<Level> for String {
    fn from(l: Level) -> String {
        l.to_string()
    }
}

impl std::str::FromStr for Level {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> std::result::Result<Level, Self::Err> {
        Ok(Level::from(s.to_owned()))
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Ministry => "ministry",
            Level::Province => "province",
            Level::Department => "department",
            Level::District => "district",
            Level::Commune => "commune",
            Level::Other(s) => s,
        })
    }
}

/// Where a criterion's points come from.
///
/// # Examples
///
/// ```
/// use parindex::{Node, Source};
/// let sipas = Node::new("8", "Chỉ số hài lòng (SIPAS)").max(10.into()).source(Source::Survey);
/// assert_eq!(sipas.source.name(), "survey");
/// assert_eq!(Source::default(), Source::Appraised);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Self-assessed by the unit, then appraised (điểm tự đánh giá / điểm thẩm định).
    #[default]
    Appraised,
    /// A sociological survey (điều tra xã hội học).
    Survey,
    /// A measured quantity such as an on-time rate.
    Measured,
}

impl Source {
    /// The snake_case name used in files.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(parindex::Source::Survey.name(), "survey");
    /// ```
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Source::Appraised => "appraised",
            Source::Survey => "survey",
            Source::Measured => "measured",
        }
    }

    /// Parses a name as written by [`Source::name`].
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(parindex::Source::from_name("measured"), Some(parindex::Source::Measured));
    /// ```
    #[must_use]
    pub fn from_name(name: &str) -> Option<Source> {
        [Source::Appraised, Source::Survey, Source::Measured].into_iter().find(|s| s.name() == name)
    }
}

/// Which side of a threshold earns its points.
///
/// # Examples
///
/// Lower is better: days of delay, "0 → 1, up to 5 → 0.5, else 0".
///
/// ```
/// use parindex::{Decimal, Direction, Rule, Step};
/// let d = |s: &str| s.parse::<Decimal>().unwrap();
/// let steps = vec![Step { bound: d("0"), points: d("1") }, Step { bound: d("5"), points: d("0.5") }];
/// let rule = Rule::Thresholds { direction: Direction::AtMost, steps, otherwise: d("0") };
/// assert_eq!(rule.points(d("3"), d("1")), Some(d("0.5")));
/// assert_eq!(rule.to_string(), "<=0:1 | <=5:0.5 | else:0");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Higher is better: a value at or above the bound earns the points.
    #[default]
    AtLeast,
    /// Lower is better: a value at or below the bound earns the points.
    AtMost,
}

/// One step of a threshold rule: values on the good side of `bound` earn `points`.
///
/// # Examples
///
/// ```
/// use parindex::{Decimal, Direction, Rule, Step};
/// let d = |s: &str| s.parse::<Decimal>().unwrap();
/// let step = Step { bound: d("95"), points: d("1.5") };
/// let rule = Rule::Thresholds { direction: Direction::AtLeast, steps: vec![step], otherwise: d("0") };
/// assert_eq!(rule.points(d("95"), d("2")), Some(d("1.5"))); // the bound is inclusive
/// assert_eq!(rule.points(d("94.9"), d("2")), Some(d("0")));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The bound (inclusive).
    #[serde(with = "rust_decimal::serde::str")]
    pub bound: Decimal,
    /// The points earned.
    #[serde(with = "rust_decimal::serde::str")]
    pub points: Decimal,
}

/// How a leaf criterion turns its input into points.
///
/// # Examples
///
/// A threshold rule on an on-time rate, "100% → 2, 95–<100% → 1.5, 80–<95% → 1, else 0":
///
/// ```
/// use parindex::{Direction, Rule, Step};
/// use rust_decimal::Decimal;
///
/// let d = |s: &str| s.parse::<Decimal>().unwrap();
/// let rule = Rule::Thresholds {
///     direction: Direction::AtLeast,
///     steps: vec![
///         Step { bound: d("100"), points: d("2") },
///         Step { bound: d("95"), points: d("1.5") },
///         Step { bound: d("80"), points: d("1") },
///     ],
///     otherwise: d("0"),
/// };
/// assert_eq!(rule.points(d("99.4"), d("2")), Some(d("1.5")));
/// assert_eq!(rule.to_string(), ">=100:2 | >=95:1.5 | >=80:1 | else:0");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// The points are entered directly (the usual case).
    #[default]
    Points,
    /// Yes earns the maximum, no earns 0; the input is 1 or 0.
    YesNo,
    /// Points = max × min(value, full) ÷ full, for a rate where `full` earns the maximum.
    Proportional {
        /// The value that earns full points (e.g. 100 for a rate in %).
        #[serde(with = "rust_decimal::serde::str")]
        full: Decimal,
    },
    /// A measured value mapped to points by ordered thresholds.
    Thresholds {
        /// Whether higher or lower values are better.
        #[serde(default)]
        direction: Direction,
        /// Steps from the best bound to the worst.
        steps: Vec<Step>,
        /// Points when no step is reached.
        #[serde(with = "rust_decimal::serde::str")]
        otherwise: Decimal,
    },
}

impl Rule {
    /// True when the input is points rather than a measured value.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::Rule;
    /// assert!(Rule::default().is_points());
    /// assert!(!Rule::YesNo.is_points());
    /// ```
    #[must_use]
    pub fn is_points(&self) -> bool {
        matches!(self, Rule::Points)
    }

    /// The points this rule gives a valid input `value` on a leaf of maximum `max`, exactly
    /// when the result is a finite decimal; `None` for an input outside the rule's domain
    /// (see [`crate::Scores`] for the checks). Proportional points that do not terminate are
    /// rounded to 28 places here; scoring itself keeps them exact.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::Rule;
    /// use rust_decimal::Decimal;
    /// let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// assert_eq!(Rule::YesNo.points(d("1"), d("0.5")), Some(d("0.5")));
    /// assert_eq!(Rule::Proportional { full: d("100") }.points(d("80"), d("2")), Some(d("1.6")));
    /// ```
    #[must_use]
    pub fn points(&self, value: Decimal, max: Decimal) -> Option<Decimal> {
        match self {
            Rule::Points => (value >= Decimal::ZERO && value <= max).then_some(value),
            Rule::YesNo => {
                if value == Decimal::ONE {
                    Some(max)
                } else if value.is_zero() {
                    Some(Decimal::ZERO)
                } else {
                    None
                }
            }
            Rule::Proportional { full } => {
                if value < Decimal::ZERO {
                    return None;
                }
                let v = value.min(*full);
                max.checked_mul(v)?.checked_div(*full)
            }
            Rule::Thresholds { direction, steps, otherwise } => {
                if value < Decimal::ZERO {
                    return None;
                }
                let reached = |bound: Decimal| match direction {
                    Direction::AtLeast => value >= bound,
                    Direction::AtMost => value <= bound,
                };
                Some(steps.iter().find(|s| reached(s.bound)).map_or(*otherwise, |s| s.points))
            }
        }
    }
}

impl fmt::Display for Rule {
    /// The node-table syntax: empty for points, `yes_no`, `proportional:100`,
    /// `>=100:2 | >=80:1 | else:0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Points => Ok(()),
            Rule::YesNo => f.write_str("yes_no"),
            Rule::Proportional { full } => write!(f, "proportional:{full}"),
            Rule::Thresholds { direction, steps, otherwise } => {
                let op = match direction {
                    Direction::AtLeast => ">=",
                    Direction::AtMost => "<=",
                };
                for s in steps {
                    write!(f, "{op}{}:{} | ", s.bound, s.points)?;
                }
                write!(f, "else:{otherwise}")
            }
        }
    }
}

/// A named band ("xếp loại"): published values at or above `min` (and below the next band's
/// `min`) get `label`.
///
/// # Examples
///
/// ```
/// use parindex::{Band, Decimal, Settings};
/// let d = |s: &str| s.parse::<Decimal>().unwrap();
/// let s = Settings::default().bands(vec![
///     Band { label: "Tốt".into(), min: d("90") },
///     Band { label: "Khá".into(), min: d("80") },
/// ]);
/// assert_eq!(s.band_of(d("90.00")), Some("Tốt"));
/// assert_eq!(s.band_of(d("89.99")), Some("Khá"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// The label, e.g. "A" or "Tốt".
    pub label: String,
    /// The inclusive lower bound on the published index (%).
    #[serde(with = "rust_decimal::serde::str")]
    pub min: Decimal,
}

/// What happens to a criterion that does not apply to a unit (`NA`).
///
/// # Examples
///
/// A commune earns 6 of 8 points and the 2-point criterion does not apply to it:
///
/// ```
/// use parindex::{score, Info, Methodology, Node, NotApplicable, Scores, Settings, Unit, Value};
/// let index = |policy| {
///     let nodes = vec![Node::new("1", "Thủ tục").max(8.into()), Node::new("2", "Biên giới").max(2.into())];
///     let settings = Settings::default().not_applicable(policy);
///     let m = Methodology::new(Info::new("xa", "Xã"), settings, nodes).unwrap();
///     let mut s = Scores::new(&m);
///     let u = s.add_unit(Unit::new("xa-tan-lap")).unwrap();
///     s.set(u, "1", Value::Number(6.into())).unwrap();
///     s.set(u, "2", Value::NotApplicable).unwrap();
///     score(&m, &s).unwrap().unit("xa-tan-lap").unwrap().published_percent().to_string()
/// };
/// assert_eq!(index(NotApplicable::Rebase), "75.00"); // 6 of 8
/// assert_eq!(index(NotApplicable::FullPoints), "80.00"); // 8 of 10
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotApplicable {
    /// It drops out of its parent's weights ("quy về thang điểm 100").
    #[default]
    Rebase,
    /// It earns its full points.
    FullPoints,
}

/// How equal totals are ranked.
///
/// Units are first compared on the ranked value and then on the methodology's tie-break key
/// ([`Settings::tie_break`]); units equal on all of it are tied, and the policy numbers them.
///
/// # Examples
///
/// ```
/// use parindex::{rank, Exact, RankOptions, Ties};
/// let index: Vec<Exact> = [92, 88, 88, 75].iter().map(|&x| Exact::new(x, 1).unwrap()).collect();
/// assert_eq!(rank(&index, RankOptions::new().ties(Ties::Competition)), [1, 2, 2, 4]);
/// assert_eq!(rank(&index, RankOptions::new().ties(Ties::Dense)), [1, 2, 2, 3]);
/// assert_eq!(rank(&index, RankOptions::new().ties(Ties::Ordinal)), [1, 2, 3, 4]);
/// assert_eq!(Ties::from_name("ordinal"), Some(Ties::Ordinal));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ties {
    /// Standard competition ranking, "1224".
    #[default]
    Competition,
    /// Dense ranking, "1223".
    Dense,
    /// Ordinal ranking, "1234": every unit has its own rank; units still tied after the
    /// tie-break key are numbered in input order.
    Ordinal,
}

impl Ties {
    /// The snake_case name used in files: `competition`, `dense`, `ordinal`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(parindex::Ties::Dense.name(), "dense");
    /// ```
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Ties::Competition => "competition",
            Ties::Dense => "dense",
            Ties::Ordinal => "ordinal",
        }
    }

    /// Parses a name as written by [`Ties::name`].
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::Ties;
    /// assert_eq!(Ties::from_name("competition"), Some(Ties::Competition));
    /// assert_eq!(Ties::from_name("1224"), None);
    /// ```
    #[must_use]
    pub fn from_name(name: &str) -> Option<Ties> {
        [Ties::Competition, Ties::Dense, Ties::Ordinal].into_iter().find(|t| t.name() == name)
    }
}

/// Which value ranks are computed on.
///
/// # Examples
///
/// Two departments whose indices, 90.004 and 89.996, both publish as 90.00:
///
/// ```
/// use parindex::{score, Info, Methodology, Node, RankOn, Scores, Settings, Unit, Value};
/// let ranks = |on| {
///     let nodes = vec![Node::new("1", "Tổng điểm").max(100.into())];
///     let m = Methodology::new(Info::new("m", "M"), Settings::default().rank_on(on), nodes).unwrap();
///     let mut s = Scores::new(&m);
///     for (id, v) in [("so-noi-vu", "90.004"), ("so-tu-phap", "89.996")] {
///         let u = s.add_unit(Unit::new(id)).unwrap();
///         s.set(u, "1", Value::Number(v.parse().unwrap())).unwrap();
///     }
///     score(&m, &s).unwrap().units().map(|u| u.rank()).collect::<Vec<_>>()
/// };
/// assert_eq!(ranks(RankOn::Exact), [Some(1), Some(2)]);
/// assert_eq!(ranks(RankOn::Published), [Some(1), Some(1)]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RankOn {
    /// The exact, unrounded index (as PCI does): equal published values may differ in rank.
    #[default]
    Exact,
    /// The published, rounded index: equal published values share a rank.
    Published,
}

impl RankOn {
    /// The snake_case name used in files: `exact`, `published`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(parindex::RankOn::Published.name(), "published");
    /// ```
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            RankOn::Exact => "exact",
            RankOn::Published => "published",
        }
    }

    /// Parses a name as written by [`RankOn::name`].
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::RankOn;
    /// assert_eq!(RankOn::from_name("exact"), Some(RankOn::Exact));
    /// assert_eq!(RankOn::from_name("rounded"), None);
    /// ```
    #[must_use]
    pub fn from_name(name: &str) -> Option<RankOn> {
        [RankOn::Exact, RankOn::Published].into_iter().find(|r| r.name() == name)
    }
}

/// Rounding of published values.
///
/// # Examples
///
/// ```
/// use parindex::{Rounding, RoundingMode};
/// assert_eq!(Rounding::default(), Rounding { places: 2, mode: RoundingMode::HalfUp });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rounding {
    /// Decimal places (0–10).
    pub places: u32,
    /// The mode.
    #[serde(default)]
    pub mode: RoundingMode,
}

impl Default for Rounding {
    fn default() -> Rounding {
        Rounding { places: 2, mode: RoundingMode::HalfUp }
    }
}

/// Index-level settings.
///
/// # Examples
///
/// ```
/// use parindex::{Band, Settings, Ties};
/// let s = Settings::default().ties(Ties::Dense).bands(vec![
///     Band { label: "A".into(), min: "90".parse().unwrap() },
///     Band { label: "B".into(), min: "80".parse().unwrap() },
/// ]);
/// assert_eq!(s.rounding.places, 2);
/// assert_eq!(s.band_of("85.00".parse().unwrap()), Some("B"));
/// assert_eq!(s.band_of("79.99".parse().unwrap()), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Rounding of published values (2 places, half up by default).
    pub rounding: Rounding,
    /// The not-applicable policy (rebase by default).
    pub not_applicable: NotApplicable,
    /// The cap on bonus points (điểm thưởng); `None` allows none.
    #[serde(with = "rust_decimal::serde::str_option", skip_serializing_if = "Option::is_none")]
    pub bonus: Option<Decimal>,
    /// The cap on penalty points (điểm trừ); `None` allows none.
    #[serde(with = "rust_decimal::serde::str_option", skip_serializing_if = "Option::is_none")]
    pub penalty: Option<Decimal>,
    /// Bands from the best down; empty for none.
    pub bands: Vec<Band>,
    /// The tie policy.
    pub ties: Ties,
    /// Ranking on exact or published values.
    pub rank_on: RankOn,
    /// The tie-break key: node codes whose points decide, higher first and in this order,
    /// between units with the same ranked value (see [`Settings::tie_break`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tie_break: Vec<String>,
}

impl Settings {
    /// Sets the rounding.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Rounding, RoundingMode, Settings};
    /// let s = Settings::default().rounding(1, RoundingMode::HalfEven);
    /// assert_eq!(s.rounding, Rounding { places: 1, mode: RoundingMode::HalfEven });
    /// ```
    #[must_use]
    pub fn rounding(mut self, places: u32, mode: RoundingMode) -> Self {
        self.rounding = Rounding { places, mode };
        self
    }
    /// Sets the not-applicable policy.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{NotApplicable, Settings};
    /// let s = Settings::default().not_applicable(NotApplicable::FullPoints);
    /// assert_eq!(s.not_applicable, NotApplicable::FullPoints);
    /// ```
    #[must_use]
    pub fn not_applicable(mut self, policy: NotApplicable) -> Self {
        self.not_applicable = policy;
        self
    }
    /// Sets the bonus cap.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Decimal, Settings};
    /// assert_eq!(Settings::default().bonus(Decimal::TWO).bonus, Some(Decimal::TWO));
    /// ```
    #[must_use]
    pub fn bonus(mut self, cap: Decimal) -> Self {
        self.bonus = Some(cap);
        self
    }
    /// Sets the penalty cap.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Decimal, Settings};
    /// assert_eq!(Settings::default().penalty(Decimal::TWO).penalty, Some(Decimal::TWO));
    /// ```
    #[must_use]
    pub fn penalty(mut self, cap: Decimal) -> Self {
        self.penalty = Some(cap);
        self
    }
    /// Sets the bands.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Band, Settings};
    /// let s = Settings::default().bands(vec![Band { label: "A".into(), min: 90.into() }]);
    /// assert_eq!(s.bands[0].label, "A");
    /// ```
    #[must_use]
    pub fn bands(mut self, bands: Vec<Band>) -> Self {
        self.bands = bands;
        self
    }
    /// Sets the tie policy.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Settings, Ties};
    /// assert_eq!(Settings::default().ties(Ties::Dense).ties, Ties::Dense);
    /// ```
    #[must_use]
    pub fn ties(mut self, ties: Ties) -> Self {
        self.ties = ties;
        self
    }
    /// Sets what ranks are computed on.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{RankOn, Settings};
    /// assert_eq!(Settings::default().rank_on(RankOn::Published).rank_on, RankOn::Published);
    /// ```
    #[must_use]
    pub fn rank_on(mut self, on: RankOn) -> Self {
        self.rank_on = on;
        self
    }
    /// Sets the tie-break key: units with the same ranked value are compared on the points of
    /// these nodes, in this order, higher first (a node that does not apply to a unit comes
    /// below any points). The points are exact, or rounded like the index under
    /// [`RankOn::Published`]. Units still equal are tied: they share a rank, or under
    /// [`Ties::Ordinal`] are numbered in input order. The codes must exist in the methodology.
    ///
    /// # Examples
    ///
    /// Two districts with 90 points each; the one with more points on domain 8 (the survey)
    /// goes first:
    ///
    /// ```
    /// use parindex::{score, Info, Methodology, Node, Scores, Settings, Ties, Unit, Value};
    /// let settings = Settings::default().ties(Ties::Ordinal).tie_break(["8"]);
    /// let m = Methodology::new(Info::new("m", "M"), settings, vec![
    ///     Node::new("1", "Chỉ đạo, điều hành").max(80.into()),
    ///     Node::new("8", "Khảo sát sự hài lòng").max(20.into()),
    /// ]).unwrap();
    /// let mut s = Scores::new(&m);
    /// for (id, one, eight) in [("mai-son", 75, 15), ("yen-chau", 72, 18)] {
    ///     let u = s.add_unit(Unit::new(id)).unwrap();
    ///     s.set(u, "1", Value::Number(one.into())).unwrap();
    ///     s.set(u, "8", Value::Number(eight.into())).unwrap();
    /// }
    /// let r = score(&m, &s).unwrap();
    /// assert_eq!(r.unit("yen-chau").unwrap().rank(), Some(1));
    /// assert_eq!(r.unit("mai-son").unwrap().rank(), Some(2));
    ///
    /// let unknown = Settings::default().tie_break(["9"]);
    /// let err = Methodology::new(Info::new("m", "M"), unknown, vec![Node::new("1", "x").max(1.into())]);
    /// assert_eq!(err.unwrap_err().to_string(), "invalid setting tie_break: criterion 9 does not exist");
    /// ```
    #[must_use]
    pub fn tie_break<I, S>(mut self, codes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.tie_break = codes.into_iter().map(Into::into).collect();
        self
    }

    /// The band of a published value: the first band whose `min` it reaches.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Band, Decimal, Settings};
    /// let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// let s = Settings::default().bands(vec![
    ///     Band { label: "A".into(), min: d("90") },
    ///     Band { label: "B".into(), min: d("80") },
    /// ]);
    /// assert_eq!(s.band_of(d("95.5")), Some("A"));
    /// assert_eq!(s.band_of(d("80.00")), Some("B"));
    /// assert_eq!(s.band_of(d("79.99")), None);
    /// ```
    #[must_use]
    pub fn band_of(&self, published: Decimal) -> Option<&str> {
        self.bands.iter().find(|b| published >= b.min).map(|b| b.label.as_str())
    }

    /// Every tie-break code must name a node, once.
    fn check_tie_break(&self, nodes: &[Node], issues: &mut Vec<Issue>) {
        for (i, code) in self.tie_break.iter().enumerate() {
            let reason = if !nodes.iter().any(|n| &n.code == code) {
                format!("criterion {code} does not exist")
            } else if self.tie_break[..i].contains(code) {
                format!("criterion {code} repeats")
            } else {
                continue;
            };
            let kind = IssueKind::InvalidSetting { setting: "tie_break".into(), reason };
            issues.push(Issue::new(Location::default(), kind));
        }
    }

    fn check(&self, issues: &mut Vec<Issue>) {
        let mut bad = |setting: &str, reason: String| {
            issues.push(Issue::new(
                Location::default(),
                IssueKind::InvalidSetting { setting: setting.into(), reason },
            ));
        };
        if self.rounding.places > 10 {
            bad("rounding", format!("{} places; at most 10 are supported", self.rounding.places));
        }
        for (name, cap) in [("bonus", self.bonus), ("penalty", self.penalty)] {
            if let Some(c) = cap.filter(|c| c.is_sign_negative() && !c.is_zero()) {
                bad(name, format!("cap {c} must not be negative"));
            }
        }
        for pair in self.bands.windows(2) {
            if pair[1].min >= pair[0].min {
                issues.push(Issue::new(
                    Location::default(),
                    IssueKind::InvalidBands {
                        reason: format!(
                            "{} (from {}) must start below {} (from {})",
                            pair[1].label, pair[1].min, pair[0].label, pair[0].min
                        ),
                    },
                ));
            }
        }
        for (i, b) in self.bands.iter().enumerate() {
            if b.label.trim().is_empty() {
                issues.push(Issue::new(
                    Location::default(),
                    IssueKind::InvalidBands { reason: "a band has an empty label".into() },
                ));
            } else if self.bands[..i].iter().any(|o| o.label == b.label) {
                issues.push(Issue::new(
                    Location::default(),
                    IssueKind::InvalidBands { reason: format!("label {} repeats", b.label) },
                ));
            }
        }
    }
}

/// One node of the criteria tree: a domain (lĩnh vực), criterion (tiêu chí) or sub-criterion
/// (tiêu chí thành phần).
///
/// # Examples
///
/// ```
/// use parindex::{Node, Rule};
/// use rust_decimal::Decimal;
///
/// let domain = Node::new("1", "Công tác chỉ đạo, điều hành CCHC");
/// let leaf = Node::new("1.1", "Kế hoạch CCHC năm")
///     .parent("1")
///     .max("1.5".parse::<Decimal>().unwrap())
///     .rule(Rule::YesNo);
/// assert_eq!(leaf.parent.as_deref(), Some("1"));
/// assert!(domain.max.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// The code, e.g. `3.2.1`.
    pub code: String,
    /// The parent's code; `None` for a top-level node (a domain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// The Vietnamese name.
    #[serde(default)]
    pub name: String,
    /// The English name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    /// The maximum points; required on leaves, by default the sum of the children's.
    #[serde(default, with = "rust_decimal::serde::str_option", skip_serializing_if = "Option::is_none")]
    pub max: Option<Decimal>,
    /// The weight among its siblings; by default its maximum.
    #[serde(default, with = "rust_decimal::serde::str_option", skip_serializing_if = "Option::is_none")]
    pub weight: Option<Decimal>,
    /// Where its points come from.
    #[serde(default)]
    pub source: Source,
    /// How a leaf turns its input into points.
    #[serde(default, skip_serializing_if = "Rule::is_points")]
    pub rule: Rule,
    /// A free note (provenance, what the evidence must show…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Node {
    /// A node with a code and a name; everything else by default.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::Node;
    /// let n = Node::new("3.4.1", "Tỷ lệ hồ sơ đúng hạn");
    /// assert_eq!(n.code, "3.4.1");
    /// assert!(n.parent.is_none() && n.max.is_none() && n.rule.is_points());
    /// ```
    #[must_use]
    pub fn new(code: impl Into<String>, name: impl Into<String>) -> Node {
        Node {
            code: code.into(),
            parent: None,
            name: name.into(),
            name_en: None,
            max: None,
            weight: None,
            source: Source::default(),
            rule: Rule::default(),
            note: None,
        }
    }
    /// Sets the parent.
    ///
    /// # Examples
    ///
    /// ```
    /// let n = parindex::Node::new("3.4.1", "Tỷ lệ hồ sơ đúng hạn").parent("3.4");
    /// assert_eq!(n.parent.as_deref(), Some("3.4"));
    /// ```
    #[must_use]
    pub fn parent(mut self, code: impl Into<String>) -> Node {
        self.parent = Some(code.into());
        self
    }
    /// Sets the English name.
    ///
    /// # Examples
    ///
    /// ```
    /// let n = parindex::Node::new("3.4.1", "Tỷ lệ hồ sơ đúng hạn").name_en("On-time dossiers");
    /// assert_eq!(n.name_en.as_deref(), Some("On-time dossiers"));
    /// ```
    #[must_use]
    pub fn name_en(mut self, name: impl Into<String>) -> Node {
        self.name_en = Some(name.into());
        self
    }
    /// Sets the maximum.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Decimal, Node};
    /// assert_eq!(Node::new("3.4.1", "Tỷ lệ hồ sơ đúng hạn").max(Decimal::TWO).max, Some(Decimal::TWO));
    /// ```
    #[must_use]
    pub fn max(mut self, max: Decimal) -> Node {
        self.max = Some(max);
        self
    }
    /// Sets the weight.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Decimal, Node};
    /// let n = Node::new("5", "Tính minh bạch").weight(20.into());
    /// assert_eq!(n.weight, Some(Decimal::from(20)));
    /// ```
    #[must_use]
    pub fn weight(mut self, weight: Decimal) -> Node {
        self.weight = Some(weight);
        self
    }
    /// Sets the source.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Node, Source};
    /// let n = Node::new("3.4.1", "Tỷ lệ hồ sơ đúng hạn").source(Source::Measured);
    /// assert_eq!(n.source, Source::Measured);
    /// ```
    #[must_use]
    pub fn source(mut self, source: Source) -> Node {
        self.source = source;
        self
    }
    /// Sets the rule.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Decimal, Node, Rule};
    /// let rate = Rule::Proportional { full: Decimal::ONE_HUNDRED };
    /// let n = Node::new("3.4.1", "Tỷ lệ hồ sơ đúng hạn").rule(rate);
    /// assert_eq!(n.rule.to_string(), "proportional:100");
    /// ```
    #[must_use]
    pub fn rule(mut self, rule: Rule) -> Node {
        self.rule = rule;
        self
    }
    /// Sets the note.
    ///
    /// # Examples
    ///
    /// ```
    /// let n = parindex::Node::new("1", "Chỉ đạo, điều hành").note("Lĩnh vực 1 theo 2948/QĐ-BNV");
    /// assert_eq!(n.note.as_deref(), Some("Lĩnh vực 1 theo 2948/QĐ-BNV"));
    /// ```
    #[must_use]
    pub fn note(mut self, note: impl Into<String>) -> Node {
        self.note = Some(note.into());
        self
    }
}

/// The identity of a methodology: what it is, for whom, and where it comes from.
///
/// # Examples
///
/// ```
/// use parindex::{Info, Level};
/// let info = Info::new("par-province-2023", "Chỉ số CCHC cấp tỉnh 2023").year(2023).level(Level::Province);
/// assert_eq!(info.year, Some(2023));
/// assert_eq!(info.level.unwrap().to_string(), "province");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Info {
    /// A short id, e.g. `par-province-2023`.
    pub id: String,
    /// The full name.
    pub name: String,
    /// The evaluation year.
    pub year: Option<i32>,
    /// The kind of unit scored.
    pub level: Option<Level>,
    /// Where it comes from (decision numbers; what is illustrative).
    pub provenance: Option<String>,
}

impl Info {
    /// An id and a name.
    ///
    /// # Examples
    ///
    /// ```
    /// let info = parindex::Info::new("par-demo", "Bộ chỉ số CCHC minh hoạ");
    /// assert_eq!(info.id, "par-demo");
    /// assert!(info.year.is_none() && info.level.is_none());
    /// ```
    #[must_use]
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Info {
        Info { id: id.into(), name: name.into(), ..Info::default() }
    }
    /// Sets the year.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(parindex::Info::new("par-demo", "Demo").year(2023).year, Some(2023));
    /// ```
    #[must_use]
    pub fn year(mut self, year: i32) -> Info {
        self.year = Some(year);
        self
    }
    /// Sets the level.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Info, Level};
    /// assert_eq!(Info::new("par-demo", "Demo").level(Level::Department).level, Some(Level::Department));
    /// ```
    #[must_use]
    pub fn level(mut self, level: Level) -> Info {
        self.level = Some(level);
        self
    }
    /// Sets the provenance note.
    ///
    /// # Examples
    ///
    /// ```
    /// let info = parindex::Info::new("par-2017", "PAR INDEX").provenance("2948/QĐ-BNV (2017)");
    /// assert_eq!(info.provenance.as_deref(), Some("2948/QĐ-BNV (2017)"));
    /// ```
    #[must_use]
    pub fn provenance(mut self, note: impl Into<String>) -> Info {
        self.provenance = Some(note.into());
        self
    }
}

/// The criteria tree after validation: indices, effective maxima and weights.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tree {
    pub(crate) index: HashMap<String, usize>,
    pub(crate) parent: Vec<Option<usize>>,
    pub(crate) children: Vec<Vec<usize>>,
    /// Top-level nodes, the children of the implicit root.
    pub(crate) top: Vec<usize>,
    /// Every node, children before their parents.
    pub(crate) post_order: Vec<usize>,
    /// Leaves in declaration order.
    pub(crate) leaves: Vec<usize>,
    /// Position of each node among the leaves.
    pub(crate) leaf_pos: Vec<Option<usize>>,
    pub(crate) max: Vec<Decimal>,
    pub(crate) weight: Vec<Decimal>,
    pub(crate) root_max: Decimal,
    /// The largest decimal scale of any number in the methodology.
    pub(crate) scale: u32,
}

/// A validated methodology: the criteria tree and its settings. Build it with
/// [`Methodology::new`], read it with [`Methodology::from_json`] or the node-table reader in
/// `parindex-io`.
///
/// # Examples
///
/// ```
/// use parindex::{Info, Methodology, Node, Settings};
/// use rust_decimal::Decimal;
/// let d = |s: &str| s.parse::<Decimal>().unwrap();
///
/// let m = Methodology::new(
///     Info::new("mini", "Mini index").year(2024),
///     Settings::default(),
///     vec![
///         Node::new("1", "Domain one"),
///         Node::new("1.1", "A").parent("1").max(d("6")),
///         Node::new("1.2", "B").parent("1").max(d("4")),
///         Node::new("2", "Domain two").max(d("10")),
///     ],
/// )
/// .unwrap();
/// assert_eq!(m.max_of("1"), Some(d("10")));
/// assert_eq!(m.max(), d("20"));
/// assert_eq!(m.leaf_codes().collect::<Vec<_>>(), ["1.1", "1.2", "2"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Methodology(std::sync::Arc<Inner>);

/// A methodology's contents, shared so that results can hold it cheaply.
#[derive(Debug, PartialEq, Eq)]
struct Inner {
    info: Info,
    settings: Settings,
    nodes: Vec<Node>,
    tree: Tree,
}

impl Methodology {
    /// Validates a tree as a whole and builds the methodology.
    ///
    /// # Errors
    ///
    /// Every problem at once, each located by its node code: duplicate or invalid codes,
    /// unknown parents, cycles, missing or non-positive maxima, negative weights, children
    /// whose weights add up to zero, malformed rules, unordered bands, invalid settings.
    ///
    /// ```
    /// use parindex::{Info, Methodology, Node, Settings};
    /// let err = Methodology::new(
    ///     Info::new("bad", "Bad"),
    ///     Settings::default(),
    ///     vec![Node::new("1", "x").parent("9"), Node::new("1", "y")],
    /// )
    /// .unwrap_err();
    /// let text = err.to_string();
    /// assert!(text.contains("criterion 1: parent 9 does not exist"));
    /// assert!(text.contains("criterion 1: duplicate criterion code (first defined as node 1)"));
    /// ```
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Info, Methodology, Node, Settings};
    /// let nodes = vec![
    ///     Node::new("3", "Cải cách thủ tục hành chính"),
    ///     Node::new("3.4.1", "Tỷ lệ hồ sơ đúng hạn").parent("3").max(2.into()),
    ///     Node::new("3.4.2", "Tỷ lệ hồ sơ trực tuyến").parent("3").max("1.5".parse().unwrap()),
    /// ];
    /// let m = Methodology::new(Info::new("par-demo", "PAR demo"), Settings::default(), nodes).unwrap();
    /// assert_eq!(m.max().to_string(), "3.5");
    /// ```
    pub fn new(info: Info, settings: Settings, nodes: Vec<Node>) -> Result<Methodology> {
        Methodology::located(info, settings, nodes, &[])
    }

    /// Like [`Methodology::new`], with a location for each node (its row in a file) that
    /// issues are reported at. `locations` may be shorter than `nodes`.
    ///
    /// # Errors
    ///
    /// As [`Methodology::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Info, Location, Methodology, Node, Settings};
    /// let rows = [Location::default().file("m.csv").row(2)];
    /// let err = Methodology::located(Info::new("x", "x"), Settings::default(), vec![Node::new("1", "a")], &rows)
    ///     .unwrap_err();
    /// assert_eq!(err.to_string(), "m.csv:2: criterion 1: a leaf criterion needs a maximum");
    /// ```
    pub fn located(
        info: Info,
        settings: Settings,
        nodes: Vec<Node>,
        locations: &[Location],
    ) -> Result<Methodology> {
        let mut issues = Vec::new();
        settings.check(&mut issues);
        settings.check_tie_break(&nodes, &mut issues);
        let tree = build_tree(&nodes, locations, &mut issues);
        match tree {
            Some(tree) => {
                collect(Methodology(std::sync::Arc::new(Inner { info, settings, nodes, tree })), issues)
            }
            None => Err(Error::from_issues(issues)
                .unwrap_or_else(|| Error::single(Location::default(), IssueKind::NoCriteria))),
        }
    }

    /// Reads the strict, versioned JSON format (see DESIGN.md).
    ///
    /// # Errors
    ///
    /// `syntax` for malformed JSON or unknown fields, `unsupported_version`, and every
    /// validation issue of [`Methodology::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::Methodology;
    /// let m = Methodology::from_json(r#"{
    ///   "format_version": 1, "id": "tiny", "name": "Tiny",
    ///   "nodes": [{"code": "1", "name": "Only", "max": "10"}]
    /// }"#).unwrap();
    /// assert_eq!(m.info().id, "tiny");
    /// assert_eq!(Methodology::from_json(&m.to_json()).unwrap(), m);
    /// ```
    pub fn from_json(text: &str) -> Result<Methodology> {
        let doc: Document = serde_json::from_str(text).map_err(|e| syntax(&e))?;
        if doc.format_version != FORMAT_VERSION {
            return Err(Error::single(
                Location::default(),
                IssueKind::UnsupportedVersion { found: doc.format_version, supported: FORMAT_VERSION },
            ));
        }
        let info =
            Info { id: doc.id, name: doc.name, year: doc.year, level: doc.level, provenance: doc.provenance };
        Methodology::new(info, doc.settings, doc.nodes)
    }

    /// Writes the JSON format, pretty-printed, decimals as strings.
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Decimal, Info, Methodology, Node, Settings};
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let m = Methodology::new(Info::new("par-demo", "PAR demo").year(2023), Settings::default(), vec![
    /// #     Node::new("3", "Cải cách thủ tục hành chính"),
    /// #     Node::new("3.4", "Kết quả giải quyết hồ sơ").parent("3").weight(d("3")),
    /// #     Node::new("3.4.1", "Tỷ lệ hồ sơ đúng hạn").parent("3.4").max(d("2")),
    /// #     Node::new("3.4.2", "Tỷ lệ hồ sơ trực tuyến").parent("3.4").max(d("1.5")),
    /// #     Node::new("4", "Cải cách tổ chức bộ máy").max(d("6.5")),
    /// # ]).unwrap();
    /// // 3 Cải cách TTHC > 3.4 (weight 3) > 3.4.1 (max 2), 3.4.2 (max 1.5); 4 Tổ chức bộ máy (max 6.5)
    /// let json = m.to_json();
    /// assert!(json.contains(r#""format_version": 1"#) && json.contains(r#""max": "1.5""#));
    /// assert_eq!(Methodology::from_json(&json).unwrap(), m);
    /// ```
    #[must_use]
    pub fn to_json(&self) -> String {
        let doc = Document {
            format_version: FORMAT_VERSION,
            id: self.0.info.id.clone(),
            name: self.0.info.name.clone(),
            year: self.0.info.year,
            level: self.0.info.level.clone(),
            provenance: self.0.info.provenance.clone(),
            settings: self.0.settings.clone(),
            nodes: self.0.nodes.clone(),
        };
        // Serialising plain data with string keys cannot fail.
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    }

    /// What it is.
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Decimal, Info, Methodology, Node, Settings};
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let m = Methodology::new(Info::new("par-demo", "PAR demo").year(2023), Settings::default(), vec![
    /// #     Node::new("3", "Cải cách thủ tục hành chính"),
    /// #     Node::new("3.4", "Kết quả giải quyết hồ sơ").parent("3").weight(d("3")),
    /// #     Node::new("3.4.1", "Tỷ lệ hồ sơ đúng hạn").parent("3.4").max(d("2")),
    /// #     Node::new("3.4.2", "Tỷ lệ hồ sơ trực tuyến").parent("3.4").max(d("1.5")),
    /// #     Node::new("4", "Cải cách tổ chức bộ máy").max(d("6.5")),
    /// # ]).unwrap();
    /// // 3 Cải cách TTHC > 3.4 (weight 3) > 3.4.1 (max 2), 3.4.2 (max 1.5); 4 Tổ chức bộ máy (max 6.5)
    /// assert_eq!(m.info().id, "par-demo");
    /// assert_eq!(m.info().year, Some(2023));
    /// ```
    #[must_use]
    pub fn info(&self) -> &Info {
        &self.0.info
    }

    /// Its settings.
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Decimal, Info, Methodology, Node, Settings};
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let m = Methodology::new(Info::new("par-demo", "PAR demo").year(2023), Settings::default(), vec![
    /// #     Node::new("3", "Cải cách thủ tục hành chính"),
    /// #     Node::new("3.4", "Kết quả giải quyết hồ sơ").parent("3").weight(d("3")),
    /// #     Node::new("3.4.1", "Tỷ lệ hồ sơ đúng hạn").parent("3.4").max(d("2")),
    /// #     Node::new("3.4.2", "Tỷ lệ hồ sơ trực tuyến").parent("3.4").max(d("1.5")),
    /// #     Node::new("4", "Cải cách tổ chức bộ máy").max(d("6.5")),
    /// # ]).unwrap();
    /// // 3 Cải cách TTHC > 3.4 (weight 3) > 3.4.1 (max 2), 3.4.2 (max 1.5); 4 Tổ chức bộ máy (max 6.5)
    /// assert_eq!(m.settings().rounding.places, 2);
    /// ```
    #[must_use]
    pub fn settings(&self) -> &Settings {
        &self.0.settings
    }

    /// The same methodology (id, name, nodes) with other settings, validated again: e.g. to
    /// rank one year's scores under another tie policy. Scores built for `self` score on it.
    ///
    /// # Errors
    ///
    /// The settings' issues, as for [`Methodology::new`] (an unknown tie-break code…).
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Info, Methodology, Node, Settings, Ties};
    /// let m = Methodology::new(Info::new("m", "M"), Settings::default(),
    ///     vec![Node::new("1", "Một").max(10.into())]).unwrap();
    /// let dense = m.with_settings(m.settings().clone().ties(Ties::Dense)).unwrap();
    /// assert_eq!((dense.settings().ties, dense.info().id.as_str()), (Ties::Dense, "m"));
    /// let bad = m.with_settings(Settings::default().tie_break(["2"])).unwrap_err();
    /// assert_eq!(bad.issues()[0].code(), "invalid_setting");
    /// ```
    pub fn with_settings(&self, settings: Settings) -> Result<Methodology> {
        Methodology::new(self.0.info.clone(), settings, self.0.nodes.clone())
    }

    /// The nodes as given.
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Decimal, Info, Methodology, Node, Settings};
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let m = Methodology::new(Info::new("par-demo", "PAR demo").year(2023), Settings::default(), vec![
    /// #     Node::new("3", "Cải cách thủ tục hành chính"),
    /// #     Node::new("3.4", "Kết quả giải quyết hồ sơ").parent("3").weight(d("3")),
    /// #     Node::new("3.4.1", "Tỷ lệ hồ sơ đúng hạn").parent("3.4").max(d("2")),
    /// #     Node::new("3.4.2", "Tỷ lệ hồ sơ trực tuyến").parent("3.4").max(d("1.5")),
    /// #     Node::new("4", "Cải cách tổ chức bộ máy").max(d("6.5")),
    /// # ]).unwrap();
    /// // 3 Cải cách TTHC > 3.4 (weight 3) > 3.4.1 (max 2), 3.4.2 (max 1.5); 4 Tổ chức bộ máy (max 6.5)
    /// assert_eq!(m.nodes().len(), 5);
    /// assert_eq!(m.nodes()[2].code, "3.4.1");
    /// ```
    #[must_use]
    pub fn nodes(&self) -> &[Node] {
        &self.0.nodes
    }

    /// A node by code.
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Decimal, Info, Methodology, Node, Settings};
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let m = Methodology::new(Info::new("par-demo", "PAR demo").year(2023), Settings::default(), vec![
    /// #     Node::new("3", "Cải cách thủ tục hành chính"),
    /// #     Node::new("3.4", "Kết quả giải quyết hồ sơ").parent("3").weight(d("3")),
    /// #     Node::new("3.4.1", "Tỷ lệ hồ sơ đúng hạn").parent("3.4").max(d("2")),
    /// #     Node::new("3.4.2", "Tỷ lệ hồ sơ trực tuyến").parent("3.4").max(d("1.5")),
    /// #     Node::new("4", "Cải cách tổ chức bộ máy").max(d("6.5")),
    /// # ]).unwrap();
    /// // 3 Cải cách TTHC > 3.4 (weight 3) > 3.4.1 (max 2), 3.4.2 (max 1.5); 4 Tổ chức bộ máy (max 6.5)
    /// assert_eq!(m.node("3.4.1").unwrap().name, "Tỷ lệ hồ sơ đúng hạn");
    /// assert!(m.node("9.9").is_none());
    /// ```
    #[must_use]
    pub fn node(&self, code: &str) -> Option<&Node> {
        self.0.tree.index.get(code).map(|&i| &self.0.nodes[i])
    }

    /// The codes of the leaves (the criteria that take input), in declaration order.
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Decimal, Info, Methodology, Node, Settings};
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let m = Methodology::new(Info::new("par-demo", "PAR demo").year(2023), Settings::default(), vec![
    /// #     Node::new("3", "Cải cách thủ tục hành chính"),
    /// #     Node::new("3.4", "Kết quả giải quyết hồ sơ").parent("3").weight(d("3")),
    /// #     Node::new("3.4.1", "Tỷ lệ hồ sơ đúng hạn").parent("3.4").max(d("2")),
    /// #     Node::new("3.4.2", "Tỷ lệ hồ sơ trực tuyến").parent("3.4").max(d("1.5")),
    /// #     Node::new("4", "Cải cách tổ chức bộ máy").max(d("6.5")),
    /// # ]).unwrap();
    /// // 3 Cải cách TTHC > 3.4 (weight 3) > 3.4.1 (max 2), 3.4.2 (max 1.5); 4 Tổ chức bộ máy (max 6.5)
    /// assert_eq!(m.leaf_codes().collect::<Vec<_>>(), ["3.4.1", "3.4.2", "4"]);
    /// ```
    pub fn leaf_codes(&self) -> impl Iterator<Item = &str> + '_ {
        self.0.tree.leaves.iter().map(|&i| self.0.nodes[i].code.as_str())
    }

    /// The top-level nodes (domains), in declaration order.
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Decimal, Info, Methodology, Node, Settings};
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let m = Methodology::new(Info::new("par-demo", "PAR demo").year(2023), Settings::default(), vec![
    /// #     Node::new("3", "Cải cách thủ tục hành chính"),
    /// #     Node::new("3.4", "Kết quả giải quyết hồ sơ").parent("3").weight(d("3")),
    /// #     Node::new("3.4.1", "Tỷ lệ hồ sơ đúng hạn").parent("3.4").max(d("2")),
    /// #     Node::new("3.4.2", "Tỷ lệ hồ sơ trực tuyến").parent("3.4").max(d("1.5")),
    /// #     Node::new("4", "Cải cách tổ chức bộ máy").max(d("6.5")),
    /// # ]).unwrap();
    /// // 3 Cải cách TTHC > 3.4 (weight 3) > 3.4.1 (max 2), 3.4.2 (max 1.5); 4 Tổ chức bộ máy (max 6.5)
    /// let domains: Vec<&str> = m.top_level().map(|n| n.code.as_str()).collect();
    /// assert_eq!(domains, ["3", "4"]);
    /// ```
    pub fn top_level(&self) -> impl Iterator<Item = &Node> + '_ {
        self.0.tree.top.iter().map(|&i| &self.0.nodes[i])
    }

    /// The children of a node, in declaration order.
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Decimal, Info, Methodology, Node, Settings};
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let m = Methodology::new(Info::new("par-demo", "PAR demo").year(2023), Settings::default(), vec![
    /// #     Node::new("3", "Cải cách thủ tục hành chính"),
    /// #     Node::new("3.4", "Kết quả giải quyết hồ sơ").parent("3").weight(d("3")),
    /// #     Node::new("3.4.1", "Tỷ lệ hồ sơ đúng hạn").parent("3.4").max(d("2")),
    /// #     Node::new("3.4.2", "Tỷ lệ hồ sơ trực tuyến").parent("3.4").max(d("1.5")),
    /// #     Node::new("4", "Cải cách tổ chức bộ máy").max(d("6.5")),
    /// # ]).unwrap();
    /// // 3 Cải cách TTHC > 3.4 (weight 3) > 3.4.1 (max 2), 3.4.2 (max 1.5); 4 Tổ chức bộ máy (max 6.5)
    /// let kids: Vec<&str> = m.children("3.4").map(|n| n.code.as_str()).collect();
    /// assert_eq!(kids, ["3.4.1", "3.4.2"]);
    /// assert_eq!(m.children("4").count(), 0);
    /// ```
    pub fn children(&self, code: &str) -> impl Iterator<Item = &Node> + '_ {
        let kids = self.0.tree.index.get(code).map(|&i| self.0.tree.children[i].as_slice()).unwrap_or(&[]);
        kids.iter().map(|&i| &self.0.nodes[i])
    }

    /// True when the code names a leaf.
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Decimal, Info, Methodology, Node, Settings};
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let m = Methodology::new(Info::new("par-demo", "PAR demo").year(2023), Settings::default(), vec![
    /// #     Node::new("3", "Cải cách thủ tục hành chính"),
    /// #     Node::new("3.4", "Kết quả giải quyết hồ sơ").parent("3").weight(d("3")),
    /// #     Node::new("3.4.1", "Tỷ lệ hồ sơ đúng hạn").parent("3.4").max(d("2")),
    /// #     Node::new("3.4.2", "Tỷ lệ hồ sơ trực tuyến").parent("3.4").max(d("1.5")),
    /// #     Node::new("4", "Cải cách tổ chức bộ máy").max(d("6.5")),
    /// # ]).unwrap();
    /// // 3 Cải cách TTHC > 3.4 (weight 3) > 3.4.1 (max 2), 3.4.2 (max 1.5); 4 Tổ chức bộ máy (max 6.5)
    /// assert!(m.is_leaf("3.4.1"));
    /// assert!(!m.is_leaf("3.4"));
    /// assert!(!m.is_leaf("9.9"));
    /// ```
    #[must_use]
    pub fn is_leaf(&self, code: &str) -> bool {
        self.0.tree.index.get(code).is_some_and(|&i| self.0.tree.children[i].is_empty())
    }

    /// The effective maximum of a node (given, or the sum of its children's).
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Decimal, Info, Methodology, Node, Settings};
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let m = Methodology::new(Info::new("par-demo", "PAR demo").year(2023), Settings::default(), vec![
    /// #     Node::new("3", "Cải cách thủ tục hành chính"),
    /// #     Node::new("3.4", "Kết quả giải quyết hồ sơ").parent("3").weight(d("3")),
    /// #     Node::new("3.4.1", "Tỷ lệ hồ sơ đúng hạn").parent("3.4").max(d("2")),
    /// #     Node::new("3.4.2", "Tỷ lệ hồ sơ trực tuyến").parent("3.4").max(d("1.5")),
    /// #     Node::new("4", "Cải cách tổ chức bộ máy").max(d("6.5")),
    /// # ]).unwrap();
    /// // 3 Cải cách TTHC > 3.4 (weight 3) > 3.4.1 (max 2), 3.4.2 (max 1.5); 4 Tổ chức bộ máy (max 6.5)
    /// assert_eq!(m.max_of("3.4.1"), Some(d("2")));
    /// assert_eq!(m.max_of("3"), Some(d("3.5")));
    /// assert_eq!(m.max_of("9.9"), None);
    /// ```
    #[must_use]
    pub fn max_of(&self, code: &str) -> Option<Decimal> {
        self.0.tree.index.get(code).map(|&i| self.0.tree.max[i])
    }

    /// The effective weight of a node (given, or its maximum).
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Decimal, Info, Methodology, Node, Settings};
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let m = Methodology::new(Info::new("par-demo", "PAR demo").year(2023), Settings::default(), vec![
    /// #     Node::new("3", "Cải cách thủ tục hành chính"),
    /// #     Node::new("3.4", "Kết quả giải quyết hồ sơ").parent("3").weight(d("3")),
    /// #     Node::new("3.4.1", "Tỷ lệ hồ sơ đúng hạn").parent("3.4").max(d("2")),
    /// #     Node::new("3.4.2", "Tỷ lệ hồ sơ trực tuyến").parent("3.4").max(d("1.5")),
    /// #     Node::new("4", "Cải cách tổ chức bộ máy").max(d("6.5")),
    /// # ]).unwrap();
    /// // 3 Cải cách TTHC > 3.4 (weight 3) > 3.4.1 (max 2), 3.4.2 (max 1.5); 4 Tổ chức bộ máy (max 6.5)
    /// assert_eq!(m.weight_of("3.4"), Some(d("3"))); // given
    /// assert_eq!(m.weight_of("3.4.1"), Some(d("2"))); // its maximum
    /// ```
    #[must_use]
    pub fn weight_of(&self, code: &str) -> Option<Decimal> {
        self.0.tree.index.get(code).map(|&i| self.0.tree.weight[i])
    }

    /// The index's maximum: the sum of the top-level maxima.
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Decimal, Info, Methodology, Node, Settings};
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let m = Methodology::new(Info::new("par-demo", "PAR demo").year(2023), Settings::default(), vec![
    /// #     Node::new("3", "Cải cách thủ tục hành chính"),
    /// #     Node::new("3.4", "Kết quả giải quyết hồ sơ").parent("3").weight(d("3")),
    /// #     Node::new("3.4.1", "Tỷ lệ hồ sơ đúng hạn").parent("3.4").max(d("2")),
    /// #     Node::new("3.4.2", "Tỷ lệ hồ sơ trực tuyến").parent("3.4").max(d("1.5")),
    /// #     Node::new("4", "Cải cách tổ chức bộ máy").max(d("6.5")),
    /// # ]).unwrap();
    /// // 3 Cải cách TTHC > 3.4 (weight 3) > 3.4.1 (max 2), 3.4.2 (max 1.5); 4 Tổ chức bộ máy (max 6.5)
    /// assert_eq!(m.max(), d("10"));
    /// ```
    #[must_use]
    pub fn max(&self) -> Decimal {
        self.0.tree.root_max
    }

    pub(crate) fn tree(&self) -> &Tree {
        &self.0.tree
    }
}

fn syntax(e: &serde_json::Error) -> Error {
    let loc = Location { row: Some(e.line() as u64), column: Some(e.column() as u64), ..Location::default() };
    Error::single(loc, IssueKind::Syntax { reason: e.to_string() })
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    format_version: u64,
    id: String,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    year: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    level: Option<Level>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    provenance: Option<String>,
    #[serde(default)]
    settings: Settings,
    nodes: Vec<Node>,
}

/// Validates the nodes and builds the tree; `None` when the structure is too broken to
/// compute maxima (issues say why).
fn build_tree(nodes: &[Node], locations: &[Location], issues: &mut Vec<Issue>) -> Option<Tree> {
    let at = |i: usize| -> Location {
        let mut l = locations.get(i).cloned().unwrap_or_default();
        l.criterion = Some(nodes[i].code.clone());
        l
    };
    if nodes.is_empty() {
        issues.push(Issue::new(Location::default(), IssueKind::NoCriteria));
        return None;
    }
    let start = issues.len();
    let mut index: HashMap<String, usize> = HashMap::with_capacity(nodes.len());
    for (i, n) in nodes.iter().enumerate() {
        if n.code.is_empty() || n.code.trim() != n.code {
            issues.push(Issue::new(at(i), IssueKind::InvalidCode { code: n.code.clone() }));
        }
        if let Some(&first) = index.get(&n.code) {
            let first = match locations.get(first).and_then(|l| l.row) {
                Some(row) => format!("on row {row}"),
                None => format!("as node {}", first + 1),
            };
            issues.push(Issue::new(at(i), IssueKind::DuplicateCode { first }));
        } else {
            index.insert(n.code.clone(), i);
        }
    }
    let mut parent = vec![None; nodes.len()];
    for (i, n) in nodes.iter().enumerate() {
        if let Some(p) = &n.parent {
            match index.get(p) {
                Some(&j) => parent[i] = Some(j),
                None => issues.push(Issue::new(at(i), IssueKind::UnknownParent { parent: p.clone() })),
            }
        }
    }
    // Checks of a node on its own, reported even when the structure is broken.
    let local_start = issues.len();
    for (i, n) in nodes.iter().enumerate() {
        if let Some(m) = n.max.filter(|m| *m <= Decimal::ZERO) {
            issues.push(Issue::new(at(i), IssueKind::NonPositiveMax { max: m }));
        }
        if let Some(w) = n.weight.filter(|w| *w < Decimal::ZERO) {
            issues.push(Issue::new(at(i), IssueKind::NegativeWeight { weight: w }));
        }
    }
    // Duplicates resolve to their first definition; later copies are left out of the tree.
    let in_tree: Vec<bool> = nodes.iter().enumerate().map(|(i, n)| index[&n.code] == i).collect();
    let local = issues.len() - local_start;
    find_cycles(&parent, &in_tree, nodes, &at, issues);
    if issues.len() - local > start {
        return None;
    }

    let mut children = vec![Vec::new(); nodes.len()];
    let mut top = Vec::new();
    for i in 0..nodes.len() {
        match parent[i] {
            Some(p) => children[p].push(i),
            None => top.push(i),
        }
    }
    let post_order = post_order(&top, &children);
    let leaves: Vec<usize> = (0..nodes.len()).filter(|&i| children[i].is_empty()).collect();
    let mut leaf_pos = vec![None; nodes.len()];
    for (k, &i) in leaves.iter().enumerate() {
        leaf_pos[i] = Some(k);
    }

    let mut max = vec![Decimal::ZERO; nodes.len()];
    let mut ok = true;
    for &i in &post_order {
        let n = &nodes[i];
        let leaf = children[i].is_empty();
        match n.max {
            Some(m) if m <= Decimal::ZERO => ok = false, // reported above
            Some(m) => max[i] = m,
            None if leaf => {
                issues.push(Issue::new(at(i), IssueKind::MissingMax));
                ok = false;
            }
            None => {
                let sum = children[i].iter().try_fold(Decimal::ZERO, |s, &c| s.checked_add(max[c]));
                match sum {
                    Some(s) => max[i] = s,
                    None => {
                        issues.push(Issue::new(at(i), too_precise("the sum of maxima overflows")));
                        ok = false;
                    }
                }
            }
        }
        if n.weight.is_some_and(|w| w < Decimal::ZERO) {
            ok = false; // reported above
        }
        if !leaf && !n.rule.is_points() {
            issues.push(Issue::new(at(i), IssueKind::RuleOnInnerNode));
        }
        if leaf {
            if let Some(reason) = rule_problem(&n.rule, max[i]) {
                issues.push(Issue::new(at(i), IssueKind::InvalidRule { reason }));
            }
        }
    }
    let weight: Vec<Decimal> = (0..nodes.len()).map(|i| nodes[i].weight.unwrap_or(max[i])).collect();
    if ok {
        for i in 0..nodes.len() {
            if !children[i].is_empty() && children[i].iter().all(|&c| weight[c].is_zero()) {
                issues.push(Issue::new(at(i), IssueKind::ZeroWeights));
            }
        }
        if top.iter().all(|&c| weight[c].is_zero()) {
            issues.push(Issue::new(Location::default(), IssueKind::ZeroWeights));
        }
    }
    let root_max = top.iter().try_fold(Decimal::ZERO, |s, &c| s.checked_add(max[c]));
    let Some(root_max) = root_max else {
        issues.push(Issue::new(Location::default(), too_precise("the sum of maxima overflows")));
        return None;
    };
    let scale = nodes
        .iter()
        .flat_map(|n| {
            let rule: Vec<Decimal> = match &n.rule {
                Rule::Points | Rule::YesNo => vec![],
                Rule::Proportional { full } => vec![*full],
                Rule::Thresholds { steps, otherwise, .. } => {
                    steps.iter().flat_map(|s| [s.bound, s.points]).chain([*otherwise]).collect()
                }
            };
            n.max.into_iter().chain(n.weight).chain(rule)
        })
        .chain(max.iter().copied())
        .map(|d| d.scale())
        .max()
        .unwrap_or(0);
    Some(Tree { index, parent, children, top, post_order, leaves, leaf_pos, max, weight, root_max, scale })
}

fn too_precise(reason: &str) -> IssueKind {
    IssueKind::TooPrecise { reason: reason.into() }
}

/// Reports each parent cycle once, at its first node in declaration order.
fn find_cycles(
    parent: &[Option<usize>],
    in_tree: &[bool],
    nodes: &[Node],
    at: &dyn Fn(usize) -> Location,
    issues: &mut Vec<Issue>,
) {
    // 0 = unseen, 1 = on the current walk, 2 = known to reach the top (or a reported cycle).
    let mut state = vec![0u8; parent.len()];
    for start in 0..parent.len() {
        if !in_tree[start] {
            continue;
        }
        let mut walk = Vec::new();
        let mut cur = Some(start);
        while let Some(i) = cur {
            match state[i] {
                2 => break,
                1 => {
                    let from = walk.iter().position(|&w| w == i).unwrap_or(0);
                    let cycle_nodes = &walk[from..];
                    let first = cycle_nodes.iter().copied().min().unwrap_or(i);
                    let k = cycle_nodes.iter().position(|&w| w == first).unwrap_or(0);
                    let mut cycle: Vec<String> = cycle_nodes[k..]
                        .iter()
                        .chain(&cycle_nodes[..k])
                        .map(|&w| nodes[w].code.clone())
                        .collect();
                    cycle.push(nodes[first].code.clone());
                    issues.push(Issue::new(at(first), IssueKind::Cycle { cycle }));
                    break;
                }
                _ => {
                    state[i] = 1;
                    walk.push(i);
                    cur = parent[i];
                }
            }
        }
        for w in walk {
            state[w] = 2;
        }
    }
}

/// Children before parents, without recursion (trees may be 10,000 deep).
fn post_order(top: &[usize], children: &[Vec<usize>]) -> Vec<usize> {
    let mut out = Vec::with_capacity(children.len());
    let mut stack: Vec<(usize, usize)> = top.iter().rev().map(|&t| (t, 0)).collect();
    while let Some((node, next)) = stack.pop() {
        if next < children[node].len() {
            stack.push((node, next + 1));
            stack.push((children[node][next], 0));
        } else {
            out.push(node);
        }
    }
    out
}

fn rule_problem(rule: &Rule, max: Decimal) -> Option<String> {
    let within = |p: Decimal| p >= Decimal::ZERO && p <= max;
    match rule {
        Rule::Points | Rule::YesNo => None,
        Rule::Proportional { full } => {
            (*full <= Decimal::ZERO).then(|| format!("proportional full value {full} must be positive"))
        }
        Rule::Thresholds { direction, steps, otherwise } => {
            if steps.is_empty() {
                return Some("a threshold rule needs at least one step before else".into());
            }
            if let Some(p) = steps.iter().map(|s| s.points).chain([*otherwise]).find(|p| !within(*p)) {
                return Some(format!("threshold points {p} are not within [0, {max}]"));
            }
            for pair in steps.windows(2) {
                let ordered = match direction {
                    Direction::AtLeast => pair[1].bound < pair[0].bound,
                    Direction::AtMost => pair[1].bound > pair[0].bound,
                };
                if !ordered {
                    let order = match direction {
                        Direction::AtLeast => "decreasing",
                        Direction::AtMost => "increasing",
                    };
                    return Some(format!(
                        "threshold bounds must be strictly {order}: {} then {}",
                        pair[0].bound, pair[1].bound
                    ));
                }
                if pair[1].points > pair[0].points {
                    return Some(format!(
                        "a worse threshold ({}) must not earn more points than a better one ({})",
                        pair[1].bound, pair[0].bound
                    ));
                }
            }
            if let Some(last) = steps.last().filter(|s| s.points < *otherwise) {
                return Some(format!(
                    "else ({otherwise}) must not earn more than the last threshold ({})",
                    last.points
                ));
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(settings: &str) -> String {
        format!(
            r#"{{"format_version": 1, "id": "m", "name": "M", "settings": {settings},
                "nodes": [{{"code": "3", "name": "Thủ tục", "max": "40"}}, {{"code": "8", "name": "Khảo sát", "max": "60"}}]}}"#
        )
    }

    #[test]
    fn ordinal_and_the_tie_break_key_in_json() {
        let m = Methodology::from_json(&json(r#"{"ties": "ordinal", "tie_break": ["8", "3"]}"#))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.settings().ties, Ties::Ordinal);
        assert_eq!(m.settings().tie_break, ["8", "3"]);
        let text = m.to_json();
        assert!(text.contains("\"ties\": \"ordinal\",\n    \"rank_on\": \"exact\",\n    \"tie_break\": [\n      \"8\",\n      \"3\"\n    ]"), "{text}");
        assert_eq!(Methodology::from_json(&text).ok(), Some(m));
        // No key: no field, so earlier files are written as before.
        let plain = Methodology::from_json(&json("{}")).unwrap_or_else(|e| panic!("{e}"));
        assert!(!plain.to_json().contains("tie_break"));
    }

    #[test]
    fn the_tie_break_key_is_checked() {
        let err = |settings: &str| {
            Methodology::from_json(&json(settings)).map(|_| ()).expect_err("rejected").to_string()
        };
        assert_eq!(
            err(r#"{"tie_break": ["8", "9", "8"]}"#),
            "invalid setting tie_break: criterion 9 does not exist\ninvalid setting tie_break: criterion 8 repeats"
        );
        assert!(err(r#"{"tie_break": "8"}"#).contains("invalid type: string \"8\", expected a sequence"));
        assert!(err(r#"{"ties": "random"}"#).contains("unknown variant `random`"));
    }
}
