//! Score input: units and the value of every leaf criterion, kept as exact fixed-point
//! integers at one decimal scale so that scoring runs on integer arithmetic.

use std::collections::HashMap;
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::error::{Error, Issue, IssueKind, Location, Result};
use crate::exact::pow10;
use crate::methodology::Methodology;

/// A scored unit (đơn vị): a ministry, province, department, district or commune.
///
/// # Examples
///
/// ```
/// use parindex::Unit;
/// let u = Unit::new("tp-son-la").name("Thành phố Sơn La").group("district");
/// assert_eq!(u.group.as_deref(), Some("district"));
/// assert!(u.ranked);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Unit {
    /// The unit id, unique within a score set.
    pub id: String,
    /// The display name.
    pub name: Option<String>,
    /// The group it is ranked within (e.g. departments, districts).
    pub group: Option<String>,
    /// Whether it takes part in the ranking (true by default). A unit that does not is
    /// scored and banded like any other but has no rank, takes no place in anyone else's,
    /// and is left out of averages (DESIGN.md §4, §9).
    pub ranked: bool,
}

impl Unit {
    /// A unit with an id.
    ///
    /// # Examples
    ///
    /// ```
    /// let u = parindex::Unit::new("so-noi-vu");
    /// assert_eq!(u.id, "so-noi-vu");
    /// assert!(u.name.is_none() && u.group.is_none());
    /// ```
    #[must_use]
    pub fn new(id: impl Into<String>) -> Unit {
        Unit { id: id.into(), name: None, group: None, ranked: true }
    }
    /// Sets the name.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(parindex::Unit::new("so-noi-vu").name("Sở Nội vụ").name.as_deref(), Some("Sở Nội vụ"));
    /// ```
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Unit {
        self.name = Some(name.into());
        self
    }
    /// Sets the group.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(parindex::Unit::new("so-noi-vu").group("department").group.as_deref(), Some("department"));
    /// ```
    #[must_use]
    pub fn group(mut self, group: impl Into<String>) -> Unit {
        self.group = Some(group.into());
        self
    }
    /// Sets whether the unit is ranked: `false` scores it (points, index, band) without a
    /// rank, as two ministry-level agencies are scored but not ranked nationally.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{score, Info, Methodology, Node, Scores, Settings, Unit, Value};
    /// let m = Methodology::new(Info::new("m", "M"), Settings::default(),
    ///     vec![Node::new("1", "Một").max(100.into())]).unwrap();
    /// let mut s = Scores::new(&m);
    /// for (unit, points) in [(Unit::new("bo-a"), 88), (Unit::new("ttcp").ranked(false), 95), (Unit::new("bo-b"), 90)] {
    ///     let u = s.add_unit(unit).unwrap();
    ///     s.set(u, "1", Value::Number(points.into())).unwrap();
    /// }
    /// let r = score(&m, &s).unwrap();
    /// assert_eq!(r.unit("ttcp").unwrap().rank(), None);
    /// assert_eq!(r.unit("ttcp").unwrap().published_percent().to_string(), "95.00");
    /// assert_eq!(r.unit("bo-b").unwrap().rank(), Some(1)); // the unranked 95 takes no place
    /// ```
    #[must_use]
    pub fn ranked(mut self, ranked: bool) -> Unit {
        self.ranked = ranked;
        self
    }
}

/// The input of one leaf criterion for one unit.
///
/// # Examples
///
/// ```
/// use parindex::{Decimal, Value};
/// let cell = |t: &str| match t {
///     "NA" => Value::NotApplicable,
///     _ => Value::Number(t.parse::<Decimal>().unwrap()),
/// };
/// assert_eq!(cell("NA"), Value::NotApplicable);
/// assert_eq!(cell("2.50"), Value::Number("2.5".parse().unwrap()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Value {
    /// Points, or the measured value for a rule-based leaf (1/0 for yes/no).
    Number(Decimal),
    /// The criterion does not apply to this unit (`NA`).
    NotApplicable,
}

const NA: i128 = i128::MIN;
const MISSING: i128 = i128::MIN + 1;
/// The largest decimal scale a score set may need.
pub(crate) const MAX_SCALE: u32 = 20;
/// Values must stay below this magnitude at the working scale.
const MAX_RAW: i128 = 1 << 100;

/// Per-cell origins (row, column) that issues are reported at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Origins {
    file: Option<String>,
    unit_rows: HashMap<usize, u64>,
    columns: HashMap<usize, u64>,
    cells: HashMap<(usize, usize), (u64, u64)>,
}

/// The scores of a set of units on one methodology's leaves.
///
/// Values are stored as integers at a common decimal scale (the largest scale seen), so
/// `2.5` and `2.50` are the same value and no arithmetic ever goes through `f64`.
/// Blank cells stay missing and are reported when scoring; `NA` cells do not apply.
///
/// # Examples
///
/// ```
/// use parindex::{Info, Methodology, Node, Scores, Settings, Unit, Value};
/// use rust_decimal::Decimal;
/// let d = |s: &str| s.parse::<Decimal>().unwrap();
/// let m = Methodology::new(Info::new("m", "M"), Settings::default(), vec![
///     Node::new("1", "One").max(d("4")),
///     Node::new("2", "Two").max(d("6")),
/// ]).unwrap();
///
/// let mut scores = Scores::new(&m);
/// let u = scores.add_unit(Unit::new("a")).unwrap();
/// scores.set(u, "1", Value::Number(d("2.5"))).unwrap();
/// scores.set(u, "2", Value::NotApplicable).unwrap();
/// assert_eq!(scores.value(u, "1"), Some(Value::Number(d("2.5"))));
/// assert_eq!(scores.set(u, "9", Value::NotApplicable).unwrap_err().to_string(),
///            "unit a: criterion 9: unknown criterion (not in methodology m)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scores {
    methodology: String,
    leaves: Arc<Vec<String>>,
    leaf_index: Arc<HashMap<String, usize, Fnv>>,
    inner: Arc<std::collections::HashSet<String>>,
    units: Arc<Vec<Unit>>,
    unit_index: HashMap<String, usize>,
    raw: Arc<Vec<i128>>,
    scale: u32,
    bonus: Vec<i128>,
    penalty: Vec<i128>,
    self_assessed: HashMap<(usize, usize), Decimal>,
    notes: HashMap<(usize, usize), String>,
    origins: Origins,
}

impl Scores {
    /// An empty score set for a methodology's leaves.
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Decimal, Info, Methodology, Node, Scores, Settings, Unit, Value};
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let settings = Settings::default().bonus(d("2")).penalty(d("2"));
    /// # let m = Methodology::new(Info::new("par-demo", "PAR demo"), settings, vec![
    /// #     Node::new("1", "Công tác chỉ đạo, điều hành CCHC"),
    /// #     Node::new("1.1", "Kế hoạch CCHC năm").parent("1").max(d("2")),
    /// #     Node::new("1.2", "Báo cáo CCHC đúng hạn").parent("1").max(d("1.5")),
    /// # ]).unwrap();
    /// // 1 Chỉ đạo, điều hành > 1.1 (max 2), 1.2 (max 1.5); bonus and penalty capped at 2
    /// let s = Scores::new(&m);
    /// assert!(s.units().is_empty());
    /// assert_eq!(s.methodology_id(), "par-demo");
    /// ```
    #[must_use]
    pub fn new(methodology: &Methodology) -> Scores {
        let leaves: Vec<String> = methodology.leaf_codes().map(str::to_owned).collect();
        let leaf_index = leaves.iter().enumerate().map(|(i, c)| (c.clone(), i)).collect();
        let inner = methodology
            .nodes()
            .iter()
            .filter(|n| !methodology.is_leaf(&n.code))
            .map(|n| n.code.clone())
            .collect();
        Scores {
            methodology: methodology.info().id.clone(),
            leaves: Arc::new(leaves),
            leaf_index: Arc::new(leaf_index),
            inner: Arc::new(inner),
            units: Arc::new(Vec::new()),
            unit_index: HashMap::new(),
            raw: Arc::new(Vec::new()),
            scale: methodology.tree().scale,
            bonus: Vec::new(),
            penalty: Vec::new(),
            self_assessed: HashMap::new(),
            notes: HashMap::new(),
            origins: Origins::default(),
        }
    }

    /// Adds a unit with every value missing; returns its index.
    ///
    /// # Errors
    ///
    /// `duplicate_unit` when the id is taken.
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Info, Methodology, Node, Scores, Settings, Unit};
    /// # let m = Methodology::new(Info::new("m", "M"), Settings::default(),
    /// #     vec![Node::new("1", "One").max(10.into())]).unwrap();
    /// let mut s = Scores::new(&m);
    /// assert_eq!(s.add_unit(Unit::new("a")).unwrap(), 0);
    /// assert_eq!(s.add_unit(Unit::new("a")).unwrap_err().issues()[0].code(), "duplicate_unit");
    /// ```
    pub fn add_unit(&mut self, unit: Unit) -> Result<usize> {
        if let Some(&first) = self.unit_index.get(&unit.id) {
            let first = match self.origins.unit_rows.get(&first) {
                Some(row) => format!("row {row}"),
                None => format!("unit {}", first + 1),
            };
            let kind = IssueKind::DuplicateUnit { unit: unit.id.clone(), first };
            return Err(Error::single(Location::default(), kind));
        }
        let u = self.units.len();
        self.unit_index.insert(unit.id.clone(), u);
        Arc::make_mut(&mut self.units).push(unit);
        let n = self.leaves.len();
        Arc::make_mut(&mut self.raw).extend(std::iter::repeat_n(MISSING, n));
        self.bonus.push(0);
        self.penalty.push(0);
        Ok(u)
    }

    /// Sets the value of a leaf for a unit.
    ///
    /// # Errors
    ///
    /// `unknown_criterion`, `not_a_leaf` (points go on leaves), `too_precise` for a value with
    /// more than 20 decimal places or beyond about 10^30, and `no_such_unit` when `unit` is
    /// not an index [`Scores::add_unit`] returned.
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Decimal, Info, Methodology, Node, Scores, Settings, Unit, Value};
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let settings = Settings::default().bonus(d("2")).penalty(d("2"));
    /// # let m = Methodology::new(Info::new("par-demo", "PAR demo"), settings, vec![
    /// #     Node::new("1", "Công tác chỉ đạo, điều hành CCHC"),
    /// #     Node::new("1.1", "Kế hoạch CCHC năm").parent("1").max(d("2")),
    /// #     Node::new("1.2", "Báo cáo CCHC đúng hạn").parent("1").max(d("1.5")),
    /// # ]).unwrap();
    /// // 1 Chỉ đạo, điều hành > 1.1 (max 2), 1.2 (max 1.5); bonus and penalty capped at 2
    /// let mut s = Scores::new(&m);
    /// let u = s.add_unit(Unit::new("so-noi-vu")).unwrap();
    /// s.set(u, "1.1", Value::Number(d("1.75"))).unwrap();
    /// s.set(u, "1.2", Value::NotApplicable).unwrap();
    /// assert_eq!(s.value(u, "1.1"), Some(Value::Number(d("1.75"))));
    /// assert_eq!(s.set(u, "1", Value::Number(d("3"))).unwrap_err().issues()[0].code(), "not_a_leaf");
    /// ```
    pub fn set(&mut self, unit: usize, criterion: &str, value: Value) -> Result<()> {
        let leaf = self.leaf(unit, criterion)?;
        let raw = match value {
            Value::NotApplicable => NA,
            Value::Number(d) => self.raw_of(d).map_err(|k| self.error(unit, Some(leaf), k))?,
        };
        let n = self.leaves.len();
        Arc::make_mut(&mut self.raw)[unit * n + leaf] = raw;
        Ok(())
    }

    /// Sets the unit's bonus points (điểm thưởng), checked against the cap when scoring.
    ///
    /// # Errors
    ///
    /// `too_precise` as for [`Scores::set`]; `no_such_unit` for an unknown unit index.
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Decimal, Info, Methodology, Node, Scores, Settings, Unit, Value};
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let settings = Settings::default().bonus(d("2")).penalty(d("2"));
    /// # let m = Methodology::new(Info::new("par-demo", "PAR demo"), settings, vec![
    /// #     Node::new("1", "Công tác chỉ đạo, điều hành CCHC"),
    /// #     Node::new("1.1", "Kế hoạch CCHC năm").parent("1").max(d("2")),
    /// #     Node::new("1.2", "Báo cáo CCHC đúng hạn").parent("1").max(d("1.5")),
    /// # ]).unwrap();
    /// // 1 Chỉ đạo, điều hành > 1.1 (max 2), 1.2 (max 1.5); bonus and penalty capped at 2
    /// let mut s = Scores::new(&m);
    /// let u = s.add_unit(Unit::new("so-noi-vu")).unwrap();
    /// s.set_bonus(u, d("1.5")).unwrap();
    /// assert_eq!(s.bonus(u), d("1.5"));
    /// let err = s.set_bonus(u, d("0.000000000000000000001")).unwrap_err(); // 21 places
    /// assert_eq!(err.issues()[0].code(), "too_precise");
    /// ```
    pub fn set_bonus(&mut self, unit: usize, points: Decimal) -> Result<()> {
        self.check_unit(unit)?;
        let raw = self.raw_of(points).map_err(|k| self.error(unit, None, k))?;
        self.bonus[unit] = raw;
        Ok(())
    }

    /// Sets the unit's penalty points (điểm trừ), checked against the cap when scoring.
    ///
    /// # Errors
    ///
    /// `too_precise` as for [`Scores::set`]; `no_such_unit` for an unknown unit index.
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Decimal, Info, Methodology, Node, Scores, Settings, Unit, Value};
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let settings = Settings::default().bonus(d("2")).penalty(d("2"));
    /// # let m = Methodology::new(Info::new("par-demo", "PAR demo"), settings, vec![
    /// #     Node::new("1", "Công tác chỉ đạo, điều hành CCHC"),
    /// #     Node::new("1.1", "Kế hoạch CCHC năm").parent("1").max(d("2")),
    /// #     Node::new("1.2", "Báo cáo CCHC đúng hạn").parent("1").max(d("1.5")),
    /// # ]).unwrap();
    /// // 1 Chỉ đạo, điều hành > 1.1 (max 2), 1.2 (max 1.5); bonus and penalty capped at 2
    /// let mut s = Scores::new(&m);
    /// let u = s.add_unit(Unit::new("ubnd-huyen-a")).unwrap();
    /// s.set(u, "1.1", Value::Number(d("2"))).unwrap();
    /// s.set(u, "1.2", Value::Number(d("1.5"))).unwrap();
    /// s.set_penalty(u, d("0.5")).unwrap();
    /// let r = parindex::score(&m, &s).unwrap();
    /// assert_eq!(r.unit("ubnd-huyen-a").unwrap().points().to_decimal(), d("3"));
    /// ```
    pub fn set_penalty(&mut self, unit: usize, points: Decimal) -> Result<()> {
        self.check_unit(unit)?;
        let raw = self.raw_of(points).map_err(|k| self.error(unit, None, k))?;
        self.penalty[unit] = raw;
        Ok(())
    }

    /// Sets whether a unit added earlier takes part in the ranking (see [`Unit::ranked`]).
    ///
    /// # Errors
    ///
    /// `no_such_unit` when `unit` is not an index [`Scores::add_unit`] returned.
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Info, Methodology, Node, Scores, Settings, Unit};
    /// # let m = Methodology::new(Info::new("m", "M"), Settings::default(),
    /// #     vec![Node::new("1", "One").max(10.into())]).unwrap();
    /// let mut s = Scores::new(&m);
    /// let u = s.add_unit(Unit::new("ttcp")).unwrap();
    /// s.set_ranked(u, false).unwrap();
    /// assert!(!s.units()[u].ranked);
    /// assert_eq!(s.set_ranked(7, false).unwrap_err().to_string(), "no unit with index 7");
    /// ```
    pub fn set_ranked(&mut self, unit: usize, ranked: bool) -> Result<()> {
        self.check_unit(unit)?;
        Arc::make_mut(&mut self.units)[unit].ranked = ranked;
        Ok(())
    }

    /// Records the unit's self-assessed points for a leaf (kept for explanation; the
    /// appraised value set with [`Scores::set`] is the one that counts).
    ///
    /// # Errors
    ///
    /// `unknown_criterion` or `not_a_leaf`, and `no_such_unit` when `unit` is not an index
    /// [`Scores::add_unit`] returned.
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Decimal, Info, Methodology, Node, Scores, Settings, Unit, Value};
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let settings = Settings::default().bonus(d("2")).penalty(d("2"));
    /// # let m = Methodology::new(Info::new("par-demo", "PAR demo"), settings, vec![
    /// #     Node::new("1", "Công tác chỉ đạo, điều hành CCHC"),
    /// #     Node::new("1.1", "Kế hoạch CCHC năm").parent("1").max(d("2")),
    /// #     Node::new("1.2", "Báo cáo CCHC đúng hạn").parent("1").max(d("1.5")),
    /// # ]).unwrap();
    /// // 1 Chỉ đạo, điều hành > 1.1 (max 2), 1.2 (max 1.5); bonus and penalty capped at 2
    /// let mut s = Scores::new(&m);
    /// let u = s.add_unit(Unit::new("so-noi-vu")).unwrap();
    /// s.set_self_assessed(u, "1.1", d("2")).unwrap();
    /// s.set(u, "1.1", Value::Number(d("1.5"))).unwrap(); // appraised
    /// assert_eq!(s.self_assessed(u, "1.1"), Some(d("2")));
    /// assert_eq!(s.value(u, "1.1"), Some(Value::Number(d("1.5"))));
    /// ```
    pub fn set_self_assessed(&mut self, unit: usize, criterion: &str, points: Decimal) -> Result<()> {
        let leaf = self.leaf(unit, criterion)?;
        self.self_assessed.insert((unit, leaf), points);
        Ok(())
    }

    /// Records a note for a unit's leaf (e.g. the appraisal council's reason for a cut).
    ///
    /// # Errors
    ///
    /// `unknown_criterion` or `not_a_leaf`, and `no_such_unit` when `unit` is not an index
    /// [`Scores::add_unit`] returned.
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Decimal, Info, Methodology, Node, Scores, Settings, Unit, Value};
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let settings = Settings::default().bonus(d("2")).penalty(d("2"));
    /// # let m = Methodology::new(Info::new("par-demo", "PAR demo"), settings, vec![
    /// #     Node::new("1", "Công tác chỉ đạo, điều hành CCHC"),
    /// #     Node::new("1.1", "Kế hoạch CCHC năm").parent("1").max(d("2")),
    /// #     Node::new("1.2", "Báo cáo CCHC đúng hạn").parent("1").max(d("1.5")),
    /// # ]).unwrap();
    /// // 1 Chỉ đạo, điều hành > 1.1 (max 2), 1.2 (max 1.5); bonus and penalty capped at 2
    /// let mut s = Scores::new(&m);
    /// let u = s.add_unit(Unit::new("so-noi-vu")).unwrap();
    /// s.set_note(u, "1.1", "Kế hoạch ban hành chậm 10 ngày").unwrap();
    /// assert_eq!(s.note(u, "1.1"), Some("Kế hoạch ban hành chậm 10 ngày"));
    /// assert_eq!(s.set_note(u, "9.9", "?").unwrap_err().issues()[0].code(), "unknown_criterion");
    /// ```
    pub fn set_note(&mut self, unit: usize, criterion: &str, note: impl Into<String>) -> Result<()> {
        let leaf = self.leaf(unit, criterion)?;
        self.notes.insert((unit, leaf), note.into());
        Ok(())
    }

    /// Names the file the scores come from; issues are reported in it.
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Decimal, Info, Methodology, Node, Scores, Settings, Unit, Value};
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let settings = Settings::default().bonus(d("2")).penalty(d("2"));
    /// # let m = Methodology::new(Info::new("par-demo", "PAR demo"), settings, vec![
    /// #     Node::new("1", "Công tác chỉ đạo, điều hành CCHC"),
    /// #     Node::new("1.1", "Kế hoạch CCHC năm").parent("1").max(d("2")),
    /// #     Node::new("1.2", "Báo cáo CCHC đúng hạn").parent("1").max(d("1.5")),
    /// # ]).unwrap();
    /// // 1 Chỉ đạo, điều hành > 1.1 (max 2), 1.2 (max 1.5); bonus and penalty capped at 2
    /// let mut s = Scores::new(&m);
    /// s.set_file("scores.csv");
    /// let u = s.add_unit(Unit::new("so-noi-vu")).unwrap();
    /// let err = s.set(u, "9.9", Value::NotApplicable).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "scores.csv: unit so-noi-vu: criterion 9.9: unknown criterion (not in methodology par-demo)"
    /// );
    /// ```
    pub fn set_file(&mut self, file: impl Into<String>) {
        self.origins.file = Some(file.into());
    }

    /// Records the row a unit's data sits on (wide files).
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Decimal, Info, Methodology, Node, Scores, Settings, Unit, Value};
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let settings = Settings::default().bonus(d("2")).penalty(d("2"));
    /// # let m = Methodology::new(Info::new("par-demo", "PAR demo"), settings, vec![
    /// #     Node::new("1", "Công tác chỉ đạo, điều hành CCHC"),
    /// #     Node::new("1.1", "Kế hoạch CCHC năm").parent("1").max(d("2")),
    /// #     Node::new("1.2", "Báo cáo CCHC đúng hạn").parent("1").max(d("1.5")),
    /// # ]).unwrap();
    /// // 1 Chỉ đạo, điều hành > 1.1 (max 2), 1.2 (max 1.5); bonus and penalty capped at 2
    /// let mut s = Scores::new(&m);
    /// s.set_file("scores.csv");
    /// let u = s.add_unit(Unit::new("so-noi-vu")).unwrap();
    /// s.locate_unit(u, 7);
    /// let err = s.set(u, "9.9", Value::NotApplicable).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "scores.csv:7: criterion 9.9: unknown criterion (not in methodology par-demo)"
    /// );
    /// ```
    pub fn locate_unit(&mut self, unit: usize, row: u64) {
        self.origins.unit_rows.insert(unit, row);
    }

    /// Records the column a leaf's values sit in (wide files).
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Decimal, Info, Methodology, Node, Scores, Settings, Unit, Value};
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let settings = Settings::default().bonus(d("2")).penalty(d("2"));
    /// # let m = Methodology::new(Info::new("par-demo", "PAR demo"), settings, vec![
    /// #     Node::new("1", "Công tác chỉ đạo, điều hành CCHC"),
    /// #     Node::new("1.1", "Kế hoạch CCHC năm").parent("1").max(d("2")),
    /// #     Node::new("1.2", "Báo cáo CCHC đúng hạn").parent("1").max(d("1.5")),
    /// # ]).unwrap();
    /// // 1 Chỉ đạo, điều hành > 1.1 (max 2), 1.2 (max 1.5); bonus and penalty capped at 2
    /// let mut s = Scores::new(&m);
    /// s.set_file("scores.csv");
    /// let u = s.add_unit(Unit::new("so-noi-vu")).unwrap();
    /// s.locate_unit(u, 7);
    /// s.locate_column("1.2", 5);
    /// s.set(u, "1.1", Value::Number(d("2"))).unwrap(); // 1.2 left blank
    /// let err = parindex::score(&m, &s).unwrap_err();
    /// assert!(err.to_string().starts_with("scores.csv:7:5: criterion 1.2: missing value"));
    /// ```
    pub fn locate_column(&mut self, criterion: &str, column: u64) {
        if let Some(&leaf) = self.leaf_index.get(criterion) {
            self.origins.columns.insert(leaf, column);
        }
    }

    /// Records the row and column of one value (long files).
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Decimal, Info, Methodology, Node, Scores, Settings, Unit, Value};
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let settings = Settings::default().bonus(d("2")).penalty(d("2"));
    /// # let m = Methodology::new(Info::new("par-demo", "PAR demo"), settings, vec![
    /// #     Node::new("1", "Công tác chỉ đạo, điều hành CCHC"),
    /// #     Node::new("1.1", "Kế hoạch CCHC năm").parent("1").max(d("2")),
    /// #     Node::new("1.2", "Báo cáo CCHC đúng hạn").parent("1").max(d("1.5")),
    /// # ]).unwrap();
    /// // 1 Chỉ đạo, điều hành > 1.1 (max 2), 1.2 (max 1.5); bonus and penalty capped at 2
    /// let mut s = Scores::new(&m);
    /// s.set_file("scores.long.csv");
    /// let u = s.add_unit(Unit::new("so-noi-vu")).unwrap();
    /// s.locate_value(u, "1.2", 12, 6);
    /// s.set(u, "1.1", Value::Number(d("2"))).unwrap(); // 1.2 left blank
    /// let err = parindex::score(&m, &s).unwrap_err();
    /// assert!(err.to_string().starts_with("scores.long.csv:12:6: criterion 1.2: missing value"));
    /// ```
    pub fn locate_value(&mut self, unit: usize, criterion: &str, row: u64, column: u64) {
        if let Some(&leaf) = self.leaf_index.get(criterion) {
            self.origins.cells.insert((unit, leaf), (row, column));
        }
    }

    /// The units, in input order.
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Decimal, Info, Methodology, Node, Scores, Settings, Unit, Value};
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let settings = Settings::default().bonus(d("2")).penalty(d("2"));
    /// # let m = Methodology::new(Info::new("par-demo", "PAR demo"), settings, vec![
    /// #     Node::new("1", "Công tác chỉ đạo, điều hành CCHC"),
    /// #     Node::new("1.1", "Kế hoạch CCHC năm").parent("1").max(d("2")),
    /// #     Node::new("1.2", "Báo cáo CCHC đúng hạn").parent("1").max(d("1.5")),
    /// # ]).unwrap();
    /// // 1 Chỉ đạo, điều hành > 1.1 (max 2), 1.2 (max 1.5); bonus and penalty capped at 2
    /// let mut s = Scores::new(&m);
    /// s.add_unit(Unit::new("so-noi-vu").name("Sở Nội vụ")).unwrap();
    /// s.add_unit(Unit::new("so-tu-phap").name("Sở Tư pháp")).unwrap();
    /// let ids: Vec<&str> = s.units().iter().map(|u| u.id.as_str()).collect();
    /// assert_eq!(ids, ["so-noi-vu", "so-tu-phap"]);
    /// ```
    #[must_use]
    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    /// A unit's index by id.
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Decimal, Info, Methodology, Node, Scores, Settings, Unit, Value};
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let settings = Settings::default().bonus(d("2")).penalty(d("2"));
    /// # let m = Methodology::new(Info::new("par-demo", "PAR demo"), settings, vec![
    /// #     Node::new("1", "Công tác chỉ đạo, điều hành CCHC"),
    /// #     Node::new("1.1", "Kế hoạch CCHC năm").parent("1").max(d("2")),
    /// #     Node::new("1.2", "Báo cáo CCHC đúng hạn").parent("1").max(d("1.5")),
    /// # ]).unwrap();
    /// // 1 Chỉ đạo, điều hành > 1.1 (max 2), 1.2 (max 1.5); bonus and penalty capped at 2
    /// let mut s = Scores::new(&m);
    /// s.add_unit(Unit::new("so-noi-vu")).unwrap();
    /// s.add_unit(Unit::new("so-tu-phap")).unwrap();
    /// assert_eq!(s.unit_index("so-tu-phap"), Some(1));
    /// assert_eq!(s.unit_index("so-y-te"), None);
    /// ```
    #[must_use]
    pub fn unit_index(&self, id: &str) -> Option<usize> {
        self.unit_index.get(id).copied()
    }

    /// The value of a leaf for a unit; `None` when missing or unknown.
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Decimal, Info, Methodology, Node, Scores, Settings, Unit, Value};
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let settings = Settings::default().bonus(d("2")).penalty(d("2"));
    /// # let m = Methodology::new(Info::new("par-demo", "PAR demo"), settings, vec![
    /// #     Node::new("1", "Công tác chỉ đạo, điều hành CCHC"),
    /// #     Node::new("1.1", "Kế hoạch CCHC năm").parent("1").max(d("2")),
    /// #     Node::new("1.2", "Báo cáo CCHC đúng hạn").parent("1").max(d("1.5")),
    /// # ]).unwrap();
    /// // 1 Chỉ đạo, điều hành > 1.1 (max 2), 1.2 (max 1.5); bonus and penalty capped at 2
    /// let mut s = Scores::new(&m);
    /// let u = s.add_unit(Unit::new("so-noi-vu")).unwrap();
    /// s.set(u, "1.1", Value::Number(d("1.50"))).unwrap();
    /// assert_eq!(s.value(u, "1.1"), Some(Value::Number(d("1.5"))));
    /// assert_eq!(s.value(u, "1.2"), None); // missing
    /// assert_eq!(s.value(u, "9.9"), None); // unknown
    /// ```
    #[must_use]
    pub fn value(&self, unit: usize, criterion: &str) -> Option<Value> {
        let &leaf = self.leaf_index.get(criterion)?;
        match *self.raw.get(unit * self.leaves.len() + leaf)? {
            MISSING => None,
            NA => Some(Value::NotApplicable),
            r => Some(Value::Number(self.to_decimal(r))),
        }
    }

    /// A unit's self-assessed points for a leaf, when recorded.
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Decimal, Info, Methodology, Node, Scores, Settings, Unit, Value};
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let settings = Settings::default().bonus(d("2")).penalty(d("2"));
    /// # let m = Methodology::new(Info::new("par-demo", "PAR demo"), settings, vec![
    /// #     Node::new("1", "Công tác chỉ đạo, điều hành CCHC"),
    /// #     Node::new("1.1", "Kế hoạch CCHC năm").parent("1").max(d("2")),
    /// #     Node::new("1.2", "Báo cáo CCHC đúng hạn").parent("1").max(d("1.5")),
    /// # ]).unwrap();
    /// // 1 Chỉ đạo, điều hành > 1.1 (max 2), 1.2 (max 1.5); bonus and penalty capped at 2
    /// let mut s = Scores::new(&m);
    /// let u = s.add_unit(Unit::new("so-noi-vu")).unwrap();
    /// assert_eq!(s.self_assessed(u, "1.2"), None);
    /// s.set_self_assessed(u, "1.2", d("1.5")).unwrap();
    /// assert_eq!(s.self_assessed(u, "1.2"), Some(d("1.5")));
    /// ```
    #[must_use]
    pub fn self_assessed(&self, unit: usize, criterion: &str) -> Option<Decimal> {
        let &leaf = self.leaf_index.get(criterion)?;
        self.self_assessed.get(&(unit, leaf)).copied()
    }

    /// A unit's note for a leaf, when recorded.
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Decimal, Info, Methodology, Node, Scores, Settings, Unit, Value};
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let settings = Settings::default().bonus(d("2")).penalty(d("2"));
    /// # let m = Methodology::new(Info::new("par-demo", "PAR demo"), settings, vec![
    /// #     Node::new("1", "Công tác chỉ đạo, điều hành CCHC"),
    /// #     Node::new("1.1", "Kế hoạch CCHC năm").parent("1").max(d("2")),
    /// #     Node::new("1.2", "Báo cáo CCHC đúng hạn").parent("1").max(d("1.5")),
    /// # ]).unwrap();
    /// // 1 Chỉ đạo, điều hành > 1.1 (max 2), 1.2 (max 1.5); bonus and penalty capped at 2
    /// let mut s = Scores::new(&m);
    /// let u = s.add_unit(Unit::new("so-noi-vu")).unwrap();
    /// assert_eq!(s.note(u, "1.2"), None);
    /// s.set_note(u, "1.2", "Thiếu báo cáo quý III").unwrap();
    /// assert_eq!(s.note(u, "1.2"), Some("Thiếu báo cáo quý III"));
    /// ```
    #[must_use]
    pub fn note(&self, unit: usize, criterion: &str) -> Option<&str> {
        let &leaf = self.leaf_index.get(criterion)?;
        self.notes.get(&(unit, leaf)).map(String::as_str)
    }

    /// A unit's bonus points.
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Decimal, Info, Methodology, Node, Scores, Settings, Unit, Value};
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let settings = Settings::default().bonus(d("2")).penalty(d("2"));
    /// # let m = Methodology::new(Info::new("par-demo", "PAR demo"), settings, vec![
    /// #     Node::new("1", "Công tác chỉ đạo, điều hành CCHC"),
    /// #     Node::new("1.1", "Kế hoạch CCHC năm").parent("1").max(d("2")),
    /// #     Node::new("1.2", "Báo cáo CCHC đúng hạn").parent("1").max(d("1.5")),
    /// # ]).unwrap();
    /// // 1 Chỉ đạo, điều hành > 1.1 (max 2), 1.2 (max 1.5); bonus and penalty capped at 2
    /// let mut s = Scores::new(&m);
    /// let u = s.add_unit(Unit::new("so-noi-vu")).unwrap();
    /// assert_eq!(s.bonus(u), Decimal::ZERO);
    /// s.set_bonus(u, d("0.75")).unwrap();
    /// assert_eq!(s.bonus(u), d("0.75"));
    /// ```
    #[must_use]
    pub fn bonus(&self, unit: usize) -> Decimal {
        self.bonus.get(unit).map_or(Decimal::ZERO, |&r| self.to_decimal(r))
    }

    /// A unit's penalty points.
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Decimal, Info, Methodology, Node, Scores, Settings, Unit, Value};
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let settings = Settings::default().bonus(d("2")).penalty(d("2"));
    /// # let m = Methodology::new(Info::new("par-demo", "PAR demo"), settings, vec![
    /// #     Node::new("1", "Công tác chỉ đạo, điều hành CCHC"),
    /// #     Node::new("1.1", "Kế hoạch CCHC năm").parent("1").max(d("2")),
    /// #     Node::new("1.2", "Báo cáo CCHC đúng hạn").parent("1").max(d("1.5")),
    /// # ]).unwrap();
    /// // 1 Chỉ đạo, điều hành > 1.1 (max 2), 1.2 (max 1.5); bonus and penalty capped at 2
    /// let mut s = Scores::new(&m);
    /// let u = s.add_unit(Unit::new("so-noi-vu")).unwrap();
    /// assert_eq!(s.penalty(u), Decimal::ZERO);
    /// s.set_penalty(u, d("1")).unwrap();
    /// assert_eq!(s.penalty(u), d("1"));
    /// ```
    #[must_use]
    pub fn penalty(&self, unit: usize) -> Decimal {
        self.penalty.get(unit).map_or(Decimal::ZERO, |&r| self.to_decimal(r))
    }

    /// The id of the methodology these scores were built for.
    ///
    /// # Examples
    ///
    /// ```
    /// # use parindex::{Decimal, Info, Methodology, Node, Scores, Settings, Unit, Value};
    /// # let d = |s: &str| s.parse::<Decimal>().unwrap();
    /// # let settings = Settings::default().bonus(d("2")).penalty(d("2"));
    /// # let m = Methodology::new(Info::new("par-demo", "PAR demo"), settings, vec![
    /// #     Node::new("1", "Công tác chỉ đạo, điều hành CCHC"),
    /// #     Node::new("1.1", "Kế hoạch CCHC năm").parent("1").max(d("2")),
    /// #     Node::new("1.2", "Báo cáo CCHC đúng hạn").parent("1").max(d("1.5")),
    /// # ]).unwrap();
    /// // 1 Chỉ đạo, điều hành > 1.1 (max 2), 1.2 (max 1.5); bonus and penalty capped at 2
    /// assert_eq!(Scores::new(&m).methodology_id(), "par-demo");
    /// ```
    #[must_use]
    pub fn methodology_id(&self) -> &str {
        &self.methodology
    }

    pub(crate) fn leaves(&self) -> &[String] {
        &self.leaves
    }
    pub(crate) fn units_arc(&self) -> Arc<Vec<Unit>> {
        Arc::clone(&self.units)
    }
    pub(crate) fn raw_arc(&self) -> Arc<Vec<i128>> {
        Arc::clone(&self.raw)
    }
    pub(crate) fn scale(&self) -> u32 {
        self.scale
    }
    /// A unit's row of raw values.
    pub(crate) fn row(&self, unit: usize) -> &[i128] {
        let n = self.leaves.len();
        &self.raw[unit * n..(unit + 1) * n]
    }
    pub(crate) fn raw_bonus(&self, unit: usize) -> i128 {
        self.bonus[unit]
    }
    pub(crate) fn raw_penalty(&self, unit: usize) -> i128 {
        self.penalty[unit]
    }
    pub(crate) fn is_na(raw: i128) -> bool {
        raw == NA
    }
    pub(crate) fn is_missing(raw: i128) -> bool {
        raw == MISSING
    }

    /// A decimal at the working scale, rescaling every stored value when it needs more places.
    fn raw_of(&mut self, d: Decimal) -> std::result::Result<i128, IssueKind> {
        let s = d.scale();
        if s > self.scale {
            let d_norm = d.normalize();
            if d_norm.scale() > self.scale {
                self.rescale(d_norm.scale())?;
            }
        }
        let d = if d.scale() > self.scale { d.normalize() } else { d };
        let k = pow10(self.scale - d.scale()).ok_or_else(|| too_precise(d))?;
        // In 64 bits when it fits (the usual case): a checked 128-bit multiply is a library
        // call in WebAssembly.
        let small = i64::try_from(d.mantissa()).ok().zip(i64::try_from(k).ok());
        let product = match small {
            Some((m, k)) if m.unsigned_abs() <= i64::MAX.unsigned_abs() / k.unsigned_abs() => {
                Some(i128::from(m * k))
            }
            _ => d.mantissa().checked_mul(k),
        };
        let raw = product.filter(|r| r.abs() < MAX_RAW).ok_or_else(|| too_precise(d))?;
        Ok(raw)
    }

    pub(crate) fn rescale(&mut self, scale: u32) -> std::result::Result<(), IssueKind> {
        if scale > MAX_SCALE {
            return Err(IssueKind::TooPrecise { reason: format!("more than {MAX_SCALE} decimal places") });
        }
        let k = pow10(scale - self.scale).unwrap_or(1);
        let up = |r: i128| -> Option<i128> {
            if r == NA || r == MISSING {
                Some(r)
            } else {
                r.checked_mul(k).filter(|v| v.abs() < MAX_RAW)
            }
        };
        let over = || IssueKind::TooPrecise { reason: format!("values at {scale} decimal places overflow") };
        let raw: Option<Vec<i128>> = self.raw.iter().map(|&r| up(r)).collect();
        let bonus: Option<Vec<i128>> = self.bonus.iter().map(|&r| up(r)).collect();
        let penalty: Option<Vec<i128>> = self.penalty.iter().map(|&r| up(r)).collect();
        match (raw, bonus, penalty) {
            (Some(raw), Some(bonus), Some(penalty)) => {
                (self.raw, self.bonus, self.penalty, self.scale) = (Arc::new(raw), bonus, penalty, scale);
                Ok(())
            }
            _ => Err(over()),
        }
    }

    pub(crate) fn to_decimal(&self, raw: i128) -> Decimal {
        Decimal::try_from_i128_with_scale(raw, self.scale).unwrap_or(Decimal::MAX).normalize()
    }

    /// An error unless `unit` is an index [`Scores::add_unit`] returned.
    fn check_unit(&self, unit: usize) -> Result<()> {
        if unit < self.units.len() {
            return Ok(());
        }
        Err(Error::single(Location::default(), IssueKind::NoSuchUnit { index: unit as u64 }))
    }

    fn leaf(&self, unit: usize, criterion: &str) -> Result<usize> {
        self.check_unit(unit).map_err(|e| {
            let mut issues = e.into_issues();
            issues.iter_mut().for_each(|i| i.location.criterion = Some(criterion.to_owned()));
            Error::from_issues(issues).unwrap_or_else(|| Error::single(Location::default(), IssueKind::Empty))
        })?;
        match self.leaf_index.get(criterion) {
            Some(&leaf) => Ok(leaf),
            None if self.inner.contains(criterion) => {
                Err(Error::single(self.location_of(unit, None).criterion(criterion), IssueKind::NotALeaf))
            }
            None => Err(Error::single(
                self.location_of(unit, None).criterion(criterion),
                IssueKind::UnknownCriterion { methodology: self.methodology.clone() },
            )),
        }
    }

    fn error(&self, unit: usize, leaf: Option<usize>, kind: IssueKind) -> Error {
        Error::single(self.location_of(unit, leaf), kind)
    }

    /// Where a unit's value for a leaf (or the unit itself) came from.
    pub(crate) fn location_of(&self, unit: usize, leaf: Option<usize>) -> Location {
        let mut l = Location { file: self.origins.file.clone(), ..Location::default() };
        l.unit = self.units.get(unit).map(|u| u.id.clone());
        if let Some(leaf) = leaf {
            l.criterion = Some(self.leaves[leaf].clone());
            if let Some(&(row, column)) = self.origins.cells.get(&(unit, leaf)) {
                l.row = Some(row);
                l.column = Some(column);
                return l;
            }
        }
        l.row = self.origins.unit_rows.get(&unit).copied();
        if l.row.is_some() {
            l.column = leaf.and_then(|leaf| self.origins.columns.get(&leaf).copied());
        }
        l
    }

    /// Issue helper used by scoring.
    pub(crate) fn issue(&self, unit: usize, leaf: Option<usize>, kind: IssueKind) -> Issue {
        Issue::new(self.location_of(unit, leaf), kind)
    }
}

fn too_precise(d: Decimal) -> IssueKind {
    IssueKind::TooPrecise { reason: format!("{d} cannot be held exactly") }
}

/// FNV-1a for the leaf codes looked up once per cell read (short keys from the methodology
/// itself; a slow worst case could only slow a read, never change it).
#[derive(Debug, Clone, Copy, Default)]
struct Fnv;

struct FnvHasher(u64);

impl std::hash::BuildHasher for Fnv {
    type Hasher = FnvHasher;
    fn build_hasher(&self) -> FnvHasher {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for FnvHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}
