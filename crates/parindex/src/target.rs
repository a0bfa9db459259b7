//! Targets and operational measures: how far a measured value is from its target, and the
//! dossier statistics behind an on-time rate ("99.4% before and on time, 36 late dossiers").
//!
//! Everything here is pure: dates are civil dates given by the caller (there is no clock), and
//! rates are exact fractions ([`Exact`]).

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::collect;
use crate::{Direction, Error, Exact, Issue, IssueKind, Location, Result};

/// A target for an operational measure: "on-time rate at least 95 %", "at most 5 late
/// dossiers", "share of units inspected at least 30 %".
///
/// # Examples
///
/// ```
/// use parindex::{Direction, Target};
/// let d = |s: &str| s.parse::<parindex::Decimal>().unwrap();
///
/// let t = Target::new("late dossiers", d("5")).direction(Direction::AtMost).unit_of_measure("dossiers");
/// assert_eq!(t.unit_of_measure.as_deref(), Some("dossiers"));
/// assert!(t.assess(d("3")).met);
/// assert_eq!(t.assess(d("8")).gap, d("3"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// What is measured (e.g. `3.4.1` or "tỷ lệ hồ sơ đúng hạn").
    pub indicator: String,
    /// The target value.
    #[serde(with = "rust_decimal::serde::str")]
    pub value: Decimal,
    /// Whether the measure must reach the value (`at_least`, the default) or stay at or below
    /// it (`at_most`).
    #[serde(default)]
    pub direction: Direction,
    /// The unit the value is expressed in (`%`, `dossiers`…), for display only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_of_measure: Option<String>,
}

/// How a measured value compares with its [`Target`], as [`Target::assess`] gives it.
///
/// # Examples
///
/// ```
/// use parindex::Target;
/// let d = |s: &str| s.parse::<parindex::Decimal>().unwrap();
///
/// let a = Target::new("on-time rate", d("95")).assess(d("90.25"));
/// assert!(!a.met);
/// assert_eq!(a.gap, d("4.75"));
/// assert_eq!(a.achievement.unwrap().to_decimal(), d("95"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Assessment {
    /// The target is reached: `actual ≥ target` (at least) or `actual ≤ target` (at most).
    pub met: bool,
    /// How far the actual value is from the target on the wrong side; 0 when met.
    pub gap: Decimal,
    /// The achievement in percent, exact: `actual ÷ target × 100` for an at-least target,
    /// `target ÷ actual × 100` for an at-most one, so that 100 is "exactly on target" and more
    /// is better in both directions. Zero denominators: `0 ÷ 0` (actual and target both 0) is
    /// 100; a positive value over 0 (any positive actual against a target of at least 0, or an
    /// actual of 0 against a positive at-most target) is `None`: the target is beaten without
    /// bound (and `met` is true). Also `None` when the actual value or the target is negative,
    /// where the ratio has no meaning, and beyond about 10^18 % (absurd inputs), which an
    /// [`Exact`] cannot hold.
    pub achievement: Option<Exact>,
}

impl Target {
    /// An at-least target for `indicator` without a unit of measure.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Direction, Target};
    /// let t = Target::new("3.4.1", "95".parse().unwrap());
    /// assert_eq!(t.direction, Direction::AtLeast);
    /// assert_eq!(t.unit_of_measure, None);
    /// ```
    #[must_use]
    pub fn new(indicator: impl Into<String>, value: Decimal) -> Target {
        Target { indicator: indicator.into(), value, direction: Direction::AtLeast, unit_of_measure: None }
    }

    /// Sets the direction.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Direction, Target};
    /// let t = Target::new("late dossiers", "0".parse().unwrap()).direction(Direction::AtMost);
    /// assert_eq!(t.direction, Direction::AtMost);
    /// ```
    #[must_use]
    pub fn direction(mut self, direction: Direction) -> Target {
        self.direction = direction;
        self
    }

    /// Sets the unit of measure.
    ///
    /// # Examples
    ///
    /// ```
    /// let t = parindex::Target::new("3.4.1", "95".parse().unwrap()).unit_of_measure("%");
    /// assert_eq!(t.unit_of_measure.as_deref(), Some("%"));
    /// ```
    #[must_use]
    pub fn unit_of_measure(mut self, unit: impl Into<String>) -> Target {
        self.unit_of_measure = Some(unit.into());
        self
    }

    /// Compares a measured value with the target (see [`Assessment`] for the definitions,
    /// including the zero cases). The gap saturates at [`Decimal`]'s range.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Direction, Exact, Target};
    /// let d = |s: &str| s.parse::<parindex::Decimal>().unwrap();
    ///
    /// // "Share of units inspected at least 30 %": 36 % is 120 % of the target.
    /// let inspected = Target::new("inspected", d("30")).assess(d("36"));
    /// assert!(inspected.met);
    /// assert_eq!(inspected.gap, d("0"));
    /// assert_eq!(inspected.achievement, Exact::new(120, 1));
    ///
    /// // "No late dossiers": 0 late meets it exactly, 36 late is 0 % achieved.
    /// let none_late = Target::new("late", d("0")).direction(Direction::AtMost);
    /// assert_eq!(none_late.assess(d("0")).achievement, Exact::new(100, 1));
    /// let late = none_late.assess(d("36"));
    /// assert!(!late.met);
    /// assert_eq!(late.gap, d("36"));
    /// assert_eq!(late.achievement, Some(Exact::ZERO));
    /// ```
    #[must_use]
    pub fn assess(&self, actual: Decimal) -> Assessment {
        let (met, gap, achievement) = match self.direction {
            Direction::AtLeast => {
                (actual >= self.value, self.value.saturating_sub(actual), percent_of(actual, self.value))
            }
            Direction::AtMost => {
                (actual <= self.value, actual.saturating_sub(self.value), percent_of(self.value, actual))
            }
        };
        Assessment { met, gap: if met { Decimal::ZERO } else { gap }, achievement }
    }
}

/// `num ÷ den × 100`, exactly; see [`Assessment::achievement`] for the zero and negative cases.
fn percent_of(num: Decimal, den: Decimal) -> Option<Exact> {
    if num < Decimal::ZERO || den < Decimal::ZERO {
        return None;
    }
    if den.is_zero() {
        return num.is_zero().then_some(Exact::from_decimal(Decimal::ONE_HUNDRED));
    }
    // (N ÷ 10^a) ÷ (D ÷ 10^b) × 100 = N · 10^b · 100 ÷ (D · 10^a), in lowest terms.
    let ten = BigInt::from(10);
    let n = BigInt::from(num.mantissa()) * ten.pow(den.scale() + 2);
    let d = BigInt::from(den.mantissa()) * ten.pow(num.scale());
    let ratio = BigRational::new(n, d);
    if let (Some(n), Some(d)) = (ratio.numer().to_i128(), ratio.denom().to_i128()) {
        return Exact::new(n, d);
    }
    // Beyond 128 bits (only with absurdly precise inputs): 20 places, half up, as in DESIGN §3.
    let scale = ten.pow(20);
    let q: BigInt = (ratio.numer() * &scale * 2 + ratio.denom()) / (ratio.denom() * 2);
    Exact::new(q.to_i128()?, scale.to_i128()?)
}

/// A civil (calendar) date in the proleptic Gregorian calendar, years 1 to 9999, without a
/// time or a time zone: the dates written on a dossier's receipt (giấy tiếp nhận hồ sơ và hẹn
/// trả kết quả).
///
/// Dates order chronologically and print as `YYYY-MM-DD`.
///
/// # Examples
///
/// ```
/// use parindex::Date;
/// let received: Date = "2024-02-28".parse().unwrap();
/// let due: Date = "01/03/2024".parse().unwrap(); // day first, as Vietnamese forms write it
/// assert!(received < due);
/// assert_eq!(due.days_since(received), 2); // 2024 is a leap year
/// assert_eq!(due.to_string(), "2024-03-01");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    // Field order makes the derived ordering chronological.
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// The date, or `None` when it does not exist (month outside 1–12, day beyond the end of
    /// the month, 29 February of a common year, year outside 1–9999).
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::Date;
    /// assert!(Date::new(2024, 2, 29).is_some());
    /// assert!(Date::new(2023, 2, 29).is_none());
    /// assert!(Date::new(2024, 13, 1).is_none());
    /// ```
    #[must_use]
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let valid = (1..=9999).contains(&year) && (1..=12).contains(&month) && day >= 1;
        (valid && day <= days_in_month(year, month)).then_some(Date { year, month, day })
    }

    /// Reads a date written `YYYY-MM-DD` (ISO 8601: four-digit year, two-digit month and day)
    /// or `DD/MM/YYYY`, day first, as Vietnamese forms and spreadsheets write it (`31/12/2024`;
    /// the day and month may drop a leading zero: `5/1/2024` is 5 January). Surrounding spaces
    /// are ignored; nothing else is accepted — no times, no two-digit years, and never
    /// month-first dates (`12/31/2024` is not a date).
    ///
    /// # Errors
    ///
    /// `not_a_date`, with the text found, for anything else and for dates that do not exist.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::Date;
    /// assert_eq!(Date::parse("2024-01-05").unwrap(), Date::new(2024, 1, 5).unwrap());
    /// assert_eq!(Date::parse(" 5/1/2024 ").unwrap(), Date::new(2024, 1, 5).unwrap());
    /// let err = Date::parse("31/02/2024").unwrap_err();
    /// assert_eq!(err.to_string(), "\"31/02/2024\" is not a date");
    /// assert_eq!(err.issues()[0].code(), "not_a_date");
    /// for bad in ["2024-1-5", "24-01-05", "2024/01/05", "12/31/2024", "05-01-2024", "2024-01-05T00:00", ""] {
    ///     assert!(Date::parse(bad).is_err(), "{bad}");
    /// }
    /// ```
    pub fn parse(text: &str) -> Result<Date> {
        parse_date(text.trim())
            .ok_or_else(|| Error::single(Location::default(), IssueKind::NotADate { text: text.to_owned() }))
    }

    /// The year.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(parindex::Date::new(2024, 3, 1).unwrap().year(), 2024);
    /// ```
    #[must_use]
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month, 1–12.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(parindex::Date::new(2024, 3, 1).unwrap().month(), 3);
    /// ```
    #[must_use]
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1–31.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(parindex::Date::new(2024, 3, 1).unwrap().day(), 1);
    /// ```
    #[must_use]
    pub fn day(self) -> u8 {
        self.day
    }

    /// The number of days from `earlier` to `self`: positive when `self` is later, 0 on the
    /// same day, negative when `self` is earlier.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::Date;
    /// let d = |s: &str| s.parse::<Date>().unwrap();
    /// assert_eq!(d("2024-03-01").days_since(d("2023-03-01")), 366);
    /// assert_eq!(d("2023-12-31").days_since(d("2024-01-01")), -1);
    /// ```
    #[must_use]
    pub fn days_since(self, earlier: Date) -> i64 {
        self.days_from_epoch() - earlier.days_from_epoch()
    }

    /// Days since 1970-01-01 (H. Hinnant's `days_from_civil`, for years ≥ 1).
    fn days_from_epoch(self) -> i64 {
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y / 400; // y ≥ 0
        let yoe = y - era * 400; // [0, 399]
        let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1; // [0, 365], counted from 1 March
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
        era * 146_097 + doe - 719_468
    }
}

fn is_leap(year: u16) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `YYYY-MM-DD` or `D[D]/M[M]/YYYY`, already trimmed.
fn parse_date(t: &str) -> Option<Date> {
    let number = |s: &str, lengths: std::ops::RangeInclusive<usize>| -> Option<u16> {
        (lengths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
    };
    let (year, month, day) = if let [y, m, d] = t.split('-').collect::<Vec<_>>()[..] {
        (number(y, 4..=4)?, number(m, 2..=2)?, number(d, 2..=2)?)
    } else if let [d, m, y] = t.split('/').collect::<Vec<_>>()[..] {
        (number(y, 4..=4)?, number(m, 1..=2)?, number(d, 1..=2)?)
    } else {
        return None;
    };
    Date::new(year, u8::try_from(month).ok()?, u8::try_from(day).ok()?)
}

impl FromStr for Date {
    type Err = Error;

    /// As [`Date::parse`].
    fn from_str(s: &str) -> Result<Date> {
        Date::parse(s)
    }
}

impl fmt::Display for Date {
    /// `YYYY-MM-DD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Date({self})")
    }
}

/// One administrative-procedure dossier (hồ sơ thủ tục hành chính): the unit that handles it,
/// its id, when it was received, when the result is due (ngày hẹn trả), and when it was
/// completed — `None` while it is still being processed.
///
/// # Examples
///
/// ```
/// use parindex::{Date, Dossier};
/// let d = |s: &str| s.parse::<Date>().unwrap();
/// let dossier = Dossier::new("so-noi-vu", "000.00.01.H53-240105-0001", d("2024-01-05"), d("2024-01-19"))
///     .completed(d("2024-01-17"));
/// assert_eq!(dossier.completed, Some(d("2024-01-17")));
/// assert!(dossier.check().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Dossier {
    /// The unit (đơn vị) that handles it.
    pub unit: String,
    /// The dossier id (mã hồ sơ), unique within its unit.
    pub id: String,
    /// The date it was received.
    pub received: Date,
    /// The date the result is due.
    pub due: Date,
    /// The date it was completed (result returned), `None` while open.
    pub completed: Option<Date>,
}

impl Dossier {
    /// An open dossier.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Date, Dossier};
    /// let d = |s: &str| s.parse::<Date>().unwrap();
    /// let open = Dossier::new("van-ho", "HS-1", d("2024-03-04"), d("2024-03-08"));
    /// assert_eq!(open.completed, None);
    /// ```
    #[must_use]
    pub fn new(unit: impl Into<String>, id: impl Into<String>, received: Date, due: Date) -> Dossier {
        Dossier { unit: unit.into(), id: id.into(), received, due, completed: None }
    }

    /// Sets the completion date.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Date, Dossier};
    /// let d = |s: &str| s.parse::<Date>().unwrap();
    /// let done = Dossier::new("van-ho", "HS-1", d("2024-03-04"), d("2024-03-08")).completed(d("2024-03-08"));
    /// assert_eq!(done.completed, Some(d("2024-03-08")));
    /// ```
    #[must_use]
    pub fn completed(mut self, date: Date) -> Dossier {
        self.completed = Some(date);
        self
    }

    /// Checks the dossier on its own: the unit and id are not blank, and it is neither due
    /// nor completed before it was received (the same day is fine).
    ///
    /// # Errors
    ///
    /// Every problem, located at the unit: `blank` (unit or dossier id),
    /// `due_before_received`, `completed_before_received`.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Date, Dossier};
    /// let d = |s: &str| s.parse::<Date>().unwrap();
    /// let bad = Dossier::new("van-ho", "HS-7", d("2024-03-04"), d("2024-03-01")).completed(d("2024-03-02"));
    /// assert_eq!(
    ///     bad.check().unwrap_err().to_string(),
    ///     "unit van-ho: dossier HS-7 is due 2024-03-01, before it was received 2024-03-04\n\
    ///      unit van-ho: dossier HS-7 was completed 2024-03-02, before it was received 2024-03-04"
    /// );
    /// ```
    pub fn check(&self) -> Result<()> {
        collect((), self.problems())
    }

    fn problems(&self) -> Vec<Issue> {
        let mut at = Location::default();
        let mut issues = Vec::new();
        if self.unit.trim().is_empty() {
            issues.push(Issue::new(at.clone(), IssueKind::Blank { what: "unit".into() }));
        } else {
            at = at.unit(self.unit.clone());
        }
        if self.id.trim().is_empty() {
            issues.push(Issue::new(at.clone(), IssueKind::Blank { what: "dossier id".into() }));
        }
        let dossier = self.id.clone();
        if self.due < self.received {
            let kind = IssueKind::DueBeforeReceived {
                dossier: dossier.clone(),
                due: self.due,
                received: self.received,
            };
            issues.push(Issue::new(at.clone(), kind));
        }
        if let Some(completed) = self.completed.filter(|c| *c < self.received) {
            let kind = IssueKind::CompletedBeforeReceived { dossier, completed, received: self.received };
            issues.push(Issue::new(at, kind));
        }
        issues
    }
}

/// The dossier statistics of one unit as of a date, as [`dossier_stats`] counts them.
///
/// Every dossier received on or before `as_of` is counted once in `received` and in exactly
/// one of `completed_early`, `completed_on_time`, `completed_late` and `open`; `overdue` counts
/// the open ones past their due date.
///
/// # Examples
///
/// ```
/// use parindex::{dossier_stats, Date, Dossier, Exact};
/// let d = |s: &str| s.parse::<Date>().unwrap();
/// let dossiers = [
///     Dossier::new("van-ho", "1", d("2024-03-01"), d("2024-03-05")).completed(d("2024-03-04")),
///     Dossier::new("van-ho", "2", d("2024-03-01"), d("2024-03-05")).completed(d("2024-03-06")),
///     Dossier::new("van-ho", "3", d("2024-03-01"), d("2024-03-05")).completed(d("2024-03-05")),
/// ];
/// let stats = &dossier_stats(&dossiers, d("2024-03-29")).unwrap()[0];
/// assert_eq!(stats.completed(), 3);
/// assert_eq!(stats.on_time_rate(), Exact::new(200, 3)); // 66.67 %
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct DossierStats {
    /// The unit.
    pub unit: String,
    /// The date the dossiers are counted as of.
    pub as_of: Date,
    /// Dossiers received on or before `as_of`.
    pub received: u64,
    /// Completed on or before `as_of`, before their due date (trước hạn).
    pub completed_early: u64,
    /// Completed on or before `as_of`, on their due date (đúng hạn).
    pub completed_on_time: u64,
    /// Completed on or before `as_of`, after their due date (quá hạn).
    pub completed_late: u64,
    /// Not completed on `as_of` (đang giải quyết).
    pub open: u64,
    /// Open and past the due date: `as_of` is after the due date (open on the due date
    /// itself is not yet overdue).
    pub overdue: u64,
}

impl DossierStats {
    fn new(unit: &str, as_of: Date) -> DossierStats {
        DossierStats {
            unit: unit.to_owned(),
            as_of,
            received: 0,
            completed_early: 0,
            completed_on_time: 0,
            completed_late: 0,
            open: 0,
            overdue: 0,
        }
    }

    /// The dossiers completed by `as_of`: early + on time + late.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{dossier_stats, Date, Dossier};
    /// let d = |s: &str| s.parse::<Date>().unwrap();
    /// let open = [Dossier::new("van-ho", "1", d("2024-03-01"), d("2024-03-05"))];
    /// assert_eq!(dossier_stats(&open, d("2024-03-29")).unwrap()[0].completed(), 0);
    /// ```
    #[must_use]
    pub fn completed(&self) -> u64 {
        self.completed_early + self.completed_on_time + self.completed_late
    }

    /// The share of completed dossiers that were completed before or on their due date, **in
    /// percent** (the form a threshold rule such as `>=100:2 | >=95:1.5 | else:0` reads):
    /// `(early + on time) ÷ completed × 100`, exact. `None` when nothing is completed, so
    /// there is no rate (not 0 and not 100). Open dossiers do not count, overdue or not.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{dossier_stats, Date, Dossier, Exact, RoundingMode};
    /// let d = |s: &str| s.parse::<Date>().unwrap();
    /// // 6 before or on time, 1 late: 85.714…%, published as 85.71.
    /// let mut dossiers: Vec<Dossier> = (0..6)
    ///     .map(|i| Dossier::new("so-noi-vu", format!("HS-{i}"), d("2024-01-02"), d("2024-01-10")).completed(d("2024-01-09")))
    ///     .collect();
    /// dossiers.push(Dossier::new("so-noi-vu", "HS-6", d("2024-01-02"), d("2024-01-10")).completed(d("2024-01-12")));
    /// let stats = &dossier_stats(&dossiers, d("2024-01-31")).unwrap()[0];
    /// let rate = stats.on_time_rate().unwrap();
    /// assert_eq!(rate, Exact::new(600, 7).unwrap());
    /// assert_eq!(rate.round(2, RoundingMode::HalfUp).to_string(), "85.71");
    /// ```
    #[must_use]
    pub fn on_time_rate(&self) -> Option<Exact> {
        let completed = self.completed();
        let in_time = self.completed_early + self.completed_on_time;
        Exact::new(i128::from(in_time) * 100, i128::from(completed)).map(Exact::reduced)
    }
}

/// The last day something happened in a dossier list (a dossier received or completed): the
/// day counts are taken as of when no date is given (due dates may lie in the future and do
/// not count). `None` for an empty list.
///
/// # Examples
///
/// ```
/// use parindex::{last_activity, Date, Dossier};
/// let d = |s: &str| s.parse::<Date>().unwrap();
/// let list = [Dossier::new("u", "1", d("2024-03-01"), d("2024-04-30")).completed(d("2024-03-09"))];
/// assert_eq!(last_activity(&list), Some(d("2024-03-09")));
/// assert_eq!(last_activity(&[]), None);
/// ```
#[must_use]
pub fn last_activity(dossiers: &[Dossier]) -> Option<Date> {
    dossiers.iter().flat_map(|d| [Some(d.received), d.completed]).flatten().max()
}

/// Counts dossiers per unit, in the order units first appear, as things stood at the end of
/// the day `as_of` (the caller's reporting date — the core has no clock):
///
/// * a dossier received after `as_of` is not counted (its unit is still listed);
/// * one completed on or before `as_of` is **early** when completed before its due date,
///   **on time** when completed on the due date itself, **late** when completed after it;
/// * one not completed by `as_of` (no completion date, or a later one) is **open**, and also
///   **overdue** when `as_of` is after its due date.
///
/// # Errors
///
/// Every problem at once, located at the unit: those of [`Dossier::check`], and
/// `duplicate_dossier` when an id repeats within a unit (the same id in two units is fine).
///
/// # Examples
///
/// ```
/// use parindex::{dossier_stats, Date, Dossier};
/// let d = |s: &str| s.parse::<Date>().unwrap();
/// let dossiers = [
///     Dossier::new("tp-son-la", "1", d("2024-03-01"), d("2024-03-05")).completed(d("2024-03-05")),
///     Dossier::new("tp-son-la", "2", d("2024-03-01"), d("2024-03-05")),
///     Dossier::new("van-ho", "1", d("2024-03-04"), d("2024-03-08")),
/// ];
/// let stats = dossier_stats(&dossiers, d("2024-03-06")).unwrap();
/// assert_eq!((stats[0].unit.as_str(), stats[0].completed_on_time, stats[0].open, stats[0].overdue), ("tp-son-la", 1, 1, 1));
/// assert_eq!((stats[1].unit.as_str(), stats[1].open, stats[1].overdue), ("van-ho", 1, 0));
///
/// let twice = [dossiers[0].clone(), dossiers[0].clone()];
/// assert_eq!(
///     dossier_stats(&twice, d("2024-03-06")).unwrap_err().to_string(),
///     "unit tp-son-la: duplicate dossier 1 (first at position 1)"
/// );
/// ```
pub fn dossier_stats(dossiers: &[Dossier], as_of: Date) -> Result<Vec<DossierStats>> {
    let mut issues = Vec::new();
    let mut stats: Vec<DossierStats> = Vec::new();
    let mut units: HashMap<&str, usize> = HashMap::new();
    let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, dossier) in dossiers.iter().enumerate() {
        let problems = dossier.problems();
        let valid = problems.is_empty();
        issues.extend(problems);
        let key = (dossier.unit.as_str(), dossier.id.as_str());
        if let Some(first) = seen.get(&key) {
            let kind = IssueKind::DuplicateDossier {
                dossier: dossier.id.clone(),
                first: format!("at position {}", first + 1),
            };
            issues.push(Issue::new(Location::default().unit(dossier.unit.clone()), kind));
            continue;
        }
        seen.insert(key, i);
        let u = *units.entry(dossier.unit.as_str()).or_insert_with(|| {
            stats.push(DossierStats::new(&dossier.unit, as_of));
            stats.len() - 1
        });
        if !valid || dossier.received > as_of {
            continue;
        }
        let s = &mut stats[u];
        s.received += 1;
        match dossier.completed.filter(|c| *c <= as_of).map(|c| c.cmp(&dossier.due)) {
            Some(Ordering::Less) => s.completed_early += 1,
            Some(Ordering::Equal) => s.completed_on_time += 1,
            Some(Ordering::Greater) => s.completed_late += 1,
            None => {
                s.open += 1;
                if as_of > dossier.due {
                    s.overdue += 1;
                }
            }
        }
    }
    collect(stats, issues)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    /// Received 2024-03-01, due 2024-03-05.
    fn dossier(id: &str) -> Dossier {
        Dossier::new("so-noi-vu", id, d("2024-03-01"), d("2024-03-05"))
    }

    fn one(dossier: Dossier, as_of: &str) -> DossierStats {
        let mut stats = dossier_stats(&[dossier], d(as_of)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(stats.len(), 1);
        stats.remove(0)
    }

    /// (received, early, on time, late, open, overdue)
    fn counts(s: &DossierStats) -> (u64, u64, u64, u64, u64, u64) {
        (s.received, s.completed_early, s.completed_on_time, s.completed_late, s.open, s.overdue)
    }

    #[test]
    fn completed_before_the_due_date_is_early() {
        let s = one(dossier("1").completed(d("2024-03-04")), "2024-03-31");
        assert_eq!(counts(&s), (1, 1, 0, 0, 0, 0));
        assert_eq!(s.on_time_rate(), Exact::new(100, 1));
    }

    #[test]
    fn completed_on_the_due_date_is_on_time() {
        let s = one(dossier("1").completed(d("2024-03-05")), "2024-03-31");
        assert_eq!(counts(&s), (1, 0, 1, 0, 0, 0));
        assert_eq!(s.on_time_rate(), Exact::new(100, 1));
    }

    #[test]
    fn completed_the_day_after_the_due_date_is_late() {
        let s = one(dossier("1").completed(d("2024-03-06")), "2024-03-31");
        assert_eq!(counts(&s), (1, 0, 0, 1, 0, 0));
        assert_eq!(s.on_time_rate(), Some(Exact::ZERO));
    }

    #[test]
    fn completed_the_day_it_was_received_is_fine() {
        let s = one(dossier("1").completed(d("2024-03-01")), "2024-03-01");
        assert_eq!(counts(&s), (1, 1, 0, 0, 0, 0));
        let same_day = Dossier::new("u", "1", d("2024-03-01"), d("2024-03-01")).completed(d("2024-03-01"));
        assert_eq!(counts(&one(same_day, "2024-03-01")), (1, 0, 1, 0, 0, 0));
    }

    #[test]
    fn missing_completion_date_is_open_and_has_no_rate() {
        let s = one(dossier("1"), "2024-03-02");
        assert_eq!(counts(&s), (1, 0, 0, 0, 1, 0));
        assert_eq!(s.completed(), 0);
        assert_eq!(s.on_time_rate(), None);
    }

    #[test]
    fn open_on_the_due_date_is_not_yet_overdue() {
        assert_eq!(counts(&one(dossier("1"), "2024-03-05")), (1, 0, 0, 0, 1, 0));
    }

    #[test]
    fn open_after_the_due_date_is_overdue() {
        assert_eq!(counts(&one(dossier("1"), "2024-03-06")), (1, 0, 0, 0, 1, 1));
        assert_eq!(counts(&one(dossier("1"), "2025-01-01")), (1, 0, 0, 0, 1, 1));
    }

    #[test]
    fn as_of_is_a_snapshot() {
        // Completed after as_of: still open then (and overdue once past due).
        let late = dossier("1").completed(d("2024-03-10"));
        assert_eq!(counts(&one(late.clone(), "2024-03-05")), (1, 0, 0, 0, 1, 0));
        assert_eq!(counts(&one(late.clone(), "2024-03-09")), (1, 0, 0, 0, 1, 1));
        assert_eq!(counts(&one(late, "2024-03-10")), (1, 0, 0, 1, 0, 0));
        // Received after as_of: not counted, but the unit is listed.
        let s = one(dossier("1"), "2024-02-29");
        assert_eq!(counts(&s), (0, 0, 0, 0, 0, 0));
        assert_eq!(s.unit, "so-noi-vu");
    }

    #[test]
    fn units_in_first_appearance_order_and_rates_exact() {
        let dossiers = [
            Dossier::new("van-ho", "1", d("2024-03-01"), d("2024-03-05")).completed(d("2024-03-02")),
            Dossier::new("tp-son-la", "1", d("2024-03-01"), d("2024-03-05")).completed(d("2024-03-05")),
            Dossier::new("van-ho", "2", d("2024-03-01"), d("2024-03-05")).completed(d("2024-03-07")),
            Dossier::new("van-ho", "3", d("2024-03-01"), d("2024-03-05")).completed(d("2024-03-05")),
            Dossier::new("van-ho", "4", d("2024-03-01"), d("2024-03-05")),
        ];
        let stats = dossier_stats(&dossiers, d("2024-03-31")).unwrap_or_else(|e| panic!("{e}"));
        let units: Vec<&str> = stats.iter().map(|s| s.unit.as_str()).collect();
        assert_eq!(units, ["van-ho", "tp-son-la"]);
        assert_eq!(counts(&stats[0]), (4, 1, 1, 1, 1, 1));
        assert_eq!(stats[0].on_time_rate(), Exact::new(200, 3));
        assert_eq!(
            stats[0].on_time_rate().map(|r| r.to_decimal().to_string()).as_deref(),
            Some("66.666666666666666666666666667")
        );
        assert_eq!(stats[1].as_of, d("2024-03-31"));
    }

    #[test]
    fn completed_before_received_is_a_located_error() {
        let bad = dossier("HS-9").completed(d("2024-02-28"));
        let err = dossier_stats(&[dossier("HS-1"), bad], d("2024-03-31")).expect_err("invalid");
        assert_eq!(err.issues().len(), 1);
        assert_eq!(err.issues()[0].code(), "completed_before_received");
        assert_eq!(err.issues()[0].location, Location::default().unit("so-noi-vu"));
        assert_eq!(
            err.to_string(),
            "unit so-noi-vu: dossier HS-9 was completed 2024-02-28, before it was received 2024-03-01"
        );
    }

    #[test]
    fn due_before_received_is_a_located_error() {
        let bad = Dossier::new("van-ho", "HS-2", d("2024-03-01"), d("2024-02-29"));
        let err = dossier_stats(&[bad], d("2024-03-31")).expect_err("invalid");
        assert_eq!(err.issues()[0].code(), "due_before_received");
        assert_eq!(
            err.to_string(),
            "unit van-ho: dossier HS-2 is due 2024-02-29, before it was received 2024-03-01"
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let dossiers = [
            dossier("HS-1"),
            Dossier::new("", "HS-2", d("2024-03-01"), d("2024-03-05")),
            Dossier::new("van-ho", " ", d("2024-03-01"), d("2024-03-05")),
            dossier("HS-1").completed(d("2024-02-01")),
            Dossier::new("van-ho", "HS-1", d("2024-03-01"), d("2024-03-05")), // other unit: fine
        ];
        let err = dossier_stats(&dossiers, d("2024-03-31")).expect_err("invalid");
        let codes: Vec<&str> = err.issues().iter().map(Issue::code).collect();
        assert_eq!(codes, ["blank", "blank", "completed_before_received", "duplicate_dossier"]);
        assert_eq!(
            err.to_string(),
            "unit is blank\n\
             unit van-ho: dossier id is blank\n\
             unit so-noi-vu: dossier HS-1 was completed 2024-02-01, before it was received 2024-03-01\n\
             unit so-noi-vu: duplicate dossier HS-1 (first at position 1)"
        );
    }

    #[test]
    fn empty_input_gives_no_units() {
        assert_eq!(dossier_stats(&[], d("2024-03-31")).map(|s| s.len()).ok(), Some(0));
    }

    #[test]
    fn dates_parse_strictly() {
        assert_eq!(d("2024-02-29"), Date { year: 2024, month: 2, day: 29 });
        assert_eq!(d("29/02/2024"), d("2024-02-29"));
        assert_eq!(d("1/3/2024"), d("2024-03-01"));
        assert_eq!(d("0001-01-01").to_string(), "0001-01-01");
        assert_eq!(d("9999-12-31").to_string(), "9999-12-31");
        for bad in [
            "2023-02-29",
            "1900-02-29",
            "2024-04-31",
            "2024-00-10",
            "2024-13-01",
            "0000-01-01",
            "31/02/2024",
            "2024-1-05",
            "+2024-01-05",
            "2024-01-+5",
            "2024-01-05 ",
            "2024-01-05x",
            "05/01/24",
            "005/01/2024",
            "5/1/2024/1",
            "5.1.2024",
            "20240105",
            "",
            "2024--01",
            "١٢/٠١/٢٠٢٤",
        ] {
            if bad == "2024-01-05 " {
                continue; // surrounding spaces are trimmed
            }
            let err = Date::parse(bad).expect_err(bad);
            assert_eq!(err.issues()[0].kind, IssueKind::NotADate { text: bad.to_owned() });
        }
        assert_eq!(d("2000-02-29").day(), 29);
        assert_eq!(d(" 2024-01-05 "), d("2024-01-05"));
    }

    #[test]
    fn days_from_civil_matches_known_values() {
        assert_eq!(d("1970-01-01").days_from_epoch(), 0);
        assert_eq!(d("2000-03-01").days_from_epoch(), 11_017);
        assert_eq!(d("0001-01-01").days_from_epoch(), -719_162);
        assert_eq!(d("9999-12-31").days_from_epoch(), 2_932_896);
        // Consecutive days differ by one, across month, year and leap boundaries.
        let mut prev = d("1999-12-25");
        for text in
            ["1999-12-31", "2000-01-01", "2000-02-28", "2000-02-29", "2000-03-01", "2100-02-28", "2100-03-01"]
        {
            let next = d(text);
            assert!(next > prev);
            prev = next;
        }
        assert_eq!(d("2100-03-01").days_since(d("2100-02-28")), 1);
        assert_eq!(d("2000-03-01").days_since(d("2000-02-28")), 2);
    }

    #[test]
    fn target_at_least() {
        let t = Target::new("3.4.1", dec("95")).unit_of_measure("%");
        let a = t.assess(dec("99.4"));
        assert!(a.met);
        assert_eq!(a.gap, Decimal::ZERO);
        assert_eq!(a.achievement.map(Exact::to_decimal), Some(dec("104.63157894736842105263157895")));
        let exactly = t.assess(dec("95.00"));
        assert!(exactly.met);
        assert_eq!(exactly.achievement, Exact::new(100, 1));
        let short = t.assess(dec("80"));
        assert!(!short.met);
        assert_eq!(short.gap, dec("15"));
        assert_eq!(short.achievement, Exact::new(1600, 19));
    }

    #[test]
    fn target_at_most() {
        let t = Target::new("late", dec("4")).direction(Direction::AtMost);
        let a = t.assess(dec("5"));
        assert!(!a.met);
        assert_eq!(a.gap, dec("1"));
        assert_eq!(a.achievement, Exact::new(80, 1));
        let better = t.assess(dec("2"));
        assert!(better.met);
        assert_eq!(better.gap, Decimal::ZERO);
        assert_eq!(better.achievement, Exact::new(200, 1));
    }

    #[test]
    fn target_zero_cases() {
        let at_least_zero = Target::new("x", dec("0"));
        assert_eq!(at_least_zero.assess(dec("0")).achievement, Exact::new(100, 1));
        let unbounded = at_least_zero.assess(dec("3"));
        assert!(unbounded.met);
        assert_eq!(unbounded.achievement, None);
        let at_least = Target::new("x", dec("30"));
        assert_eq!(at_least.assess(dec("0")).achievement, Some(Exact::ZERO));
        let at_most = Target::new("x", dec("5")).direction(Direction::AtMost);
        let none = at_most.assess(dec("0"));
        assert!(none.met);
        assert_eq!(none.achievement, None);
        let at_most_zero = Target::new("x", dec("0")).direction(Direction::AtMost);
        assert_eq!(at_most_zero.assess(dec("0")).achievement, Exact::new(100, 1));
        assert_eq!(at_most_zero.assess(dec("0.5")).achievement, Some(Exact::ZERO));
        // Negative values: met is still decided, the ratio is not.
        let neg = at_least.assess(dec("-1"));
        assert!(!neg.met);
        assert_eq!(neg.gap, dec("31"));
        assert_eq!(neg.achievement, None);
    }

    #[test]
    fn target_extremes_do_not_panic() {
        let t = Target::new("x", Decimal::MAX);
        let a = t.assess(Decimal::MIN);
        assert!(!a.met);
        assert_eq!(a.gap, Decimal::MAX);
        // 7.9e58 % does not fit an Exact.
        let tiny = Target::new("x", dec("0.0000000000000000000000000001"));
        assert_eq!(tiny.assess(Decimal::MAX).achievement, None);
        // A small ratio of two very precise values: the reduced fraction needs more than 128
        // bits, so it is carried to 20 places.
        let precise = Target::new("x", dec("79228162514264.33759354395033"));
        let a = precise.assess(dec("0.1234567890123456789012345679"));
        assert_eq!(a.achievement.map(Exact::denominator), Some(100_000_000_000_000_000_000));
        assert_eq!(
            a.achievement.map(|x| x.to_decimal().to_string()).as_deref(),
            Some("0.00000000000015582437")
        );
    }

    #[test]
    fn target_json_is_strict() {
        let t: Target = serde_json::from_str(r#"{"indicator": "3.4.1", "value": "95"}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t, Target::new("3.4.1", dec("95")));
        let at_most = Target::new("late", dec("0")).direction(Direction::AtMost).unit_of_measure("dossiers");
        let json = serde_json::to_string(&at_most).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"indicator":"late","value":"0","direction":"at_most","unit_of_measure":"dossiers"}"#
        );
        assert!(serde_json::from_str::<Target>(r#"{"indicator": "x", "value": "1", "goal": 2}"#).is_err());
    }

    #[test]
    fn public_types_are_send_and_sync() {
        fn is_send_sync<T: Send + Sync>() {}
        is_send_sync::<Target>();
        is_send_sync::<Assessment>();
        is_send_sync::<Date>();
        is_send_sync::<Dossier>();
        is_send_sync::<DossierStats>();
    }
}
