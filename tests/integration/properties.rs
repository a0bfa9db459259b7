//! Property tests: random methodologies and score sets, checked against invariants and a slow
//! exact reference of the aggregation rule (DESIGN.md §2).

use std::collections::HashMap;
use std::ops::{Add, Div, Mul};

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive, Zero};
use parindex::{
    score, Band, Direction, Exact, Info, Level, Methodology, Node, NotApplicable, RankOn, Results,
    RoundingMode, Rule, Scores, Settings, Source, Step, Ties, Unit, Value,
};
use parindex_io::{read_methodology_csv, write_methodology_csv, write_results, OutputFormat, WriteOptions};
use proptest::collection::vec;
use proptest::prelude::*;
use rust_decimal::Decimal;

// --- exact fractions for the reference ------------------------------------------------------

/// An exact fraction of any size (the reference needs more than 128 bits on deep rebased trees).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Frac(BigRational);

impl Frac {
    fn zero() -> Frac {
        Frac(BigRational::zero())
    }

    fn int(n: i128) -> Frac {
        Frac(BigRational::from_integer(BigInt::from(n)))
    }

    fn dec(d: Decimal) -> Frac {
        Frac(BigRational::new(BigInt::from(d.mantissa()), BigInt::from(10i128.pow(d.scale()))))
    }

    fn is_zero(&self) -> bool {
        self.0.is_zero()
    }
}

/// The engine's value equals the reference exactly; where the reference's exact value does
/// not fit 128 bits, the engine carries it to 20 places (DESIGN.md §3), so it must agree
/// within 1e-15.
fn same(engine: Exact, want: &Frac) -> bool {
    let e = BigRational::new(BigInt::from(engine.numerator()), BigInt::from(engine.denominator()));
    if e == want.0 {
        return true;
    }
    let fits = want.0.numer().to_i128().is_some() && want.0.denom().to_i128().is_some();
    let tolerance = BigRational::new(BigInt::from(1), BigInt::from(10i128.pow(15)));
    !fits && (e - &want.0).abs() <= tolerance
}

impl Add for Frac {
    type Output = Frac;
    fn add(self, o: Frac) -> Frac {
        Frac(self.0 + o.0)
    }
}

impl Mul for Frac {
    type Output = Frac;
    fn mul(self, o: Frac) -> Frac {
        Frac(self.0 * o.0)
    }
}

impl Div for Frac {
    type Output = Frac;
    fn div(self, o: Frac) -> Frac {
        assert!(!o.is_zero(), "division by zero");
        Frac(self.0 / o.0)
    }
}

// --- generated methodologies -----------------------------------------------------------------

/// Vietnamese text with commas, quotes, semicolons and the odd newline.
fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ,;:\"'()%/.\nàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĐƯƠ-]{0,24}"
        .prop_map(|s| s.trim().to_owned())
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    prop::option::of(text()).prop_map(|t| t.filter(|s| !s.is_empty()))
}

/// Text for `# key: value` metadata lines: one line.
fn meta_text() -> impl Strategy<Value = String> {
    text().prop_map(|s| s.replace('\n', " ").trim().to_owned())
}

#[derive(Debug, Clone)]
struct Texts {
    name: String,
    name_en: Option<String>,
    note: Option<String>,
    source: u8,
}

fn texts() -> impl Strategy<Value = Texts> {
    (text(), opt_text(), opt_text(), 0u8..3).prop_map(|(name, name_en, note, source)| Texts {
        name,
        name_en,
        note,
        source,
    })
}

#[derive(Debug, Clone)]
enum RuleShape {
    Points,
    YesNo,
    /// The full value, an integer.
    Proportional(u32),
    /// Bounds in tenths, points in percent of the maximum, sorted when the rule is built.
    Thresholds {
        at_least: bool,
        bounds: Vec<u32>,
        pcts: Vec<u32>,
        otherwise: u32,
    },
}

fn rule_shape() -> impl Strategy<Value = RuleShape> {
    prop_oneof![
        12 => Just(RuleShape::Points),
        1 => Just(RuleShape::YesNo),
        1 => (1u32..=200).prop_map(RuleShape::Proportional),
        2 => (any::<bool>(), vec(0u32..=1000, 1..=4), vec(0u32..=100, 4), 0u32..=100).prop_map(
            |(at_least, bounds, pcts, otherwise)| RuleShape::Thresholds { at_least, bounds, pcts, otherwise }
        ),
    ]
}

/// A node of a generated tree; maxima and weights in hundredths.
#[derive(Debug, Clone)]
enum Shape {
    Leaf { max: u32, weight: Option<u32>, rule: RuleShape, texts: Texts },
    Inner { max: Option<u32>, weight: Option<u32>, kids: Vec<Shape>, texts: Texts },
}

fn weight() -> impl Strategy<Value = Option<u32>> {
    prop_oneof![6 => Just(None), 2 => (1u32..=2000).prop_map(Some), 1 => Just(Some(0))]
}

fn shape() -> impl Strategy<Value = Shape> {
    let leaf = (1u32..=2000, weight(), rule_shape(), texts())
        .prop_map(|(max, weight, rule, texts)| Shape::Leaf { max, weight, rule, texts });
    // Three levels of recursion under a domain: trees up to depth 4.
    leaf.prop_recursive(3, 24, 4, |inner| {
        (prop::option::weighted(0.2, 1u32..=2000), weight(), vec(inner, 1..=4), texts())
            .prop_map(|(max, weight, kids, texts)| Shape::Inner { max, weight, kids, texts })
    })
}

fn leaf_count(shapes: &[Shape]) -> usize {
    shapes
        .iter()
        .map(|s| match s {
            Shape::Leaf { .. } => 1,
            Shape::Inner { kids, .. } => leaf_count(kids),
        })
        .sum()
}

/// A decimal of `hundredths / 100`, sometimes written with its trailing zeros.
fn cents(hundredths: u32, keep_scale: bool) -> Decimal {
    let d = Decimal::new(i64::from(hundredths), 2);
    if keep_scale {
        d
    } else {
        d.normalize()
    }
}

fn build_rule(shape: &RuleShape, max: u32) -> Rule {
    match shape {
        RuleShape::Points => Rule::Points,
        RuleShape::YesNo => Rule::YesNo,
        RuleShape::Proportional(full) => Rule::Proportional { full: Decimal::from(*full) },
        RuleShape::Thresholds { at_least, bounds, pcts, otherwise } => {
            let mut bounds = bounds.clone();
            bounds.sort_unstable();
            bounds.dedup();
            if *at_least {
                bounds.reverse();
            }
            let mut pcts = pcts[..bounds.len()].to_vec();
            pcts.sort_unstable_by(|a, b| b.cmp(a));
            let points = |pct: u32| cents(max * pct / 100, false);
            let last = pcts.last().copied().unwrap_or(100);
            Rule::Thresholds {
                direction: if *at_least { Direction::AtLeast } else { Direction::AtMost },
                steps: bounds
                    .iter()
                    .zip(&pcts)
                    .map(|(&b, &p)| Step { bound: Decimal::new(i64::from(b), 1), points: points(p) })
                    .collect(),
                otherwise: points((*otherwise).min(last)),
            }
        }
    }
}

fn push_nodes(shapes: &[Shape], parent: Option<&str>, nodes: &mut Vec<Node>) {
    // Siblings may not all weigh zero.
    let all_zero = shapes.iter().all(|s| match s {
        Shape::Leaf { weight, .. } | Shape::Inner { weight, .. } => *weight == Some(0),
    });
    for (i, s) in shapes.iter().enumerate() {
        let code = match parent {
            Some(p) => format!("{p}.{}", i + 1),
            None => (i + 1).to_string(),
        };
        let (texts, weight) = match s {
            Shape::Leaf { texts, weight, .. } | Shape::Inner { texts, weight, .. } => (texts, *weight),
        };
        let weight = if all_zero && i == 0 { None } else { weight };
        let mut node = Node::new(code.clone(), texts.name.clone());
        node.parent = parent.map(str::to_owned);
        node.name_en = texts.name_en.clone();
        node.note = texts.note.clone();
        node.source = [Source::Appraised, Source::Survey, Source::Measured][usize::from(texts.source)];
        node.weight = weight.map(|w| cents(w, w % 3 == 0));
        match s {
            Shape::Leaf { max, rule, .. } => {
                node.max = Some(cents(*max, max % 2 == 0));
                node.rule = build_rule(rule, *max);
                nodes.push(node);
            }
            Shape::Inner { max, kids, .. } => {
                node.max = max.map(|m| cents(m, true));
                nodes.push(node);
                push_nodes(kids, Some(&code), nodes);
            }
        }
    }
}

fn info() -> impl Strategy<Value = Info> {
    let level = prop::sample::select(vec![
        "ministry",
        "province",
        "department",
        "district",
        "commune",
        "xã đặc thù",
        "department and district",
    ]);
    (
        "[a-z][a-z0-9-]{0,12}",
        meta_text(),
        prop::option::of(1990i32..2100),
        prop::option::of(level),
        prop::option::of(meta_text()).prop_map(|p| p.filter(|s| !s.is_empty())),
    )
        .prop_map(|(id, name, year, level, provenance)| Info {
            id,
            name,
            year,
            level: level.map(|l| Level::from(l.to_owned())),
            provenance,
        })
}

fn settings() -> impl Strategy<Value = Settings> {
    let mode = prop::sample::select(vec![
        RoundingMode::HalfUp,
        RoundingMode::HalfEven,
        RoundingMode::HalfDown,
        RoundingMode::Down,
        RoundingMode::Up,
    ]);
    let bands = prop::sample::subsequence(vec![95u32, 90, 85, 80, 70, 50, 0], 0..=4);
    let labels = vec!["Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"];
    (
        0u32..=4,
        mode,
        prop::bool::weighted(0.25),
        prop::option::of(0u32..=500),
        prop::option::of(0u32..=500),
        bands,
        prop::sample::select(vec![Ties::Competition, Ties::Dense, Ties::Ordinal]),
        any::<bool>(),
    )
        .prop_map(move |(places, mode, full, bonus, penalty, bands, ties, published)| {
            let mut s = Settings::default()
                .rounding(places, mode)
                .ties(ties)
                .rank_on(if published { RankOn::Published } else { RankOn::Exact })
                .bands(
                    bands
                        .iter()
                        .zip(&labels)
                        .map(|(&min, &label)| Band { label: label.into(), min: Decimal::from(min) })
                        .collect(),
                );
            if full {
                s = s.not_applicable(NotApplicable::FullPoints);
            }
            s.bonus = bonus.map(|b| cents(b, false));
            s.penalty = penalty.map(|p| cents(p, true));
            s
        })
}

fn methodology() -> impl Strategy<Value = Methodology> {
    let domains = vec(shape(), 1..=4).prop_filter("1 to 30 leaves", |d| leaf_count(d) <= 30);
    let tie_break = vec(any::<usize>(), 0..=2);
    (info(), settings(), domains, any::<bool>(), tie_break).prop_map(
        |(info, settings, domains, reversed, picks)| {
            let mut nodes = Vec::new();
            push_nodes(&domains, None, &mut nodes);
            if reversed {
                nodes.reverse(); // children before parents: declaration order must not matter
            }
            // A tie-break key of up to two distinct nodes, leaves or not.
            let mut codes: Vec<String> = Vec::new();
            for p in picks {
                let code = &nodes[p % nodes.len()].code;
                if !codes.contains(code) {
                    codes.push(code.clone());
                }
            }
            Methodology::new(info, settings.tie_break(codes), nodes)
                .expect("a generated methodology is valid")
        },
    )
}

// --- generated score sets --------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    Na,
    Num(Decimal),
}

#[derive(Debug, Clone)]
struct UnitData {
    id: String,
    name: String,
    /// One cell per leaf, in `leaf_codes` order.
    cells: Vec<Cell>,
}

#[derive(Debug, Clone)]
struct Case {
    m: Methodology,
    units: Vec<UnitData>,
}

/// A valid input for a leaf from a random number.
fn value_for(rule: &Rule, max: Decimal, raw: u32) -> Decimal {
    let keep = raw.is_multiple_of(3);
    match rule {
        Rule::Points => {
            let max_c = u32::try_from((max * Decimal::ONE_HUNDRED).trunc().mantissa()).unwrap_or(0);
            match raw % 8 {
                0 => max,
                1 => Decimal::ZERO,
                _ => cents(raw % (max_c + 1), keep),
            }
        }
        Rule::YesNo => Decimal::from(raw % 2),
        Rule::Proportional { full } => {
            let full_c = u32::try_from(full.trunc().mantissa()).unwrap_or(1) * 100;
            cents(raw % (2 * full_c + 1), keep)
        }
        Rule::Thresholds { steps, .. } => {
            if raw.is_multiple_of(4) && !steps.is_empty() {
                steps[(raw as usize / 4) % steps.len()].bound // exactly on a bound
            } else {
                cents(raw % 12_001, keep)
            }
        }
    }
}

type RawUnit = (u8, Vec<(u8, u32)>);

fn case() -> impl Strategy<Value = Case> {
    (methodology(), vec((0u8..10, vec((0u8..100, any::<u32>()), 30)), 1..=20)).prop_map(|(m, raw)| {
        let units = build_units(&m, &raw);
        Case { m, units }
    })
}

fn build_units(m: &Methodology, raw: &[RawUnit]) -> Vec<UnitData> {
    let leaves: Vec<&Node> = m.leaf_codes().map(|c| m.node(c).expect("leaf")).collect();
    let mut units: Vec<UnitData> = Vec::new();
    for (i, (copy, cells)) in raw.iter().enumerate() {
        let values: Vec<Decimal> = leaves
            .iter()
            .zip(cells)
            .map(|(n, &(_, r))| value_for(&n.rule, m.max_of(&n.code).expect("max"), r))
            .collect();
        let mut cells: Vec<Cell> = values
            .iter()
            .zip(cells)
            .map(|(&v, &(na, _))| if na < 12 { Cell::Na } else { Cell::Num(v) })
            .collect();
        if *copy < 2 && i > 0 {
            cells = units[usize::from(*copy) * 7 % i].cells.clone(); // ties
        }
        if cells.iter().all(|c| *c == Cell::Na) {
            cells[0] = Cell::Num(values[0]);
        }
        // Zero weights can leave nothing applicable although some leaf applies (see below).
        if reference(m, &cells).root.is_none() {
            cells = values.iter().map(|&v| Cell::Num(v)).collect();
        }
        units.push(UnitData { id: format!("u{i:02}"), name: format!("Đơn vị {i}, \"thử\""), cells });
    }
    units
}

/// The score set of the units in `unit_order`, each value set in `cell_order` (pairs of unit
/// position and leaf index).
fn scores_of(case: &Case, unit_order: &[usize], cell_order: &[(usize, usize)]) -> Scores {
    let leaves: Vec<&str> = case.m.leaf_codes().collect();
    let mut s = Scores::new(&case.m);
    for &u in unit_order {
        let d = &case.units[u];
        s.add_unit(Unit::new(d.id.clone()).name(d.name.clone())).expect("unique ids");
    }
    for &(pos, k) in cell_order {
        let d = &case.units[unit_order[pos]];
        let v = match d.cells[k] {
            Cell::Na => Value::NotApplicable,
            Cell::Num(x) => Value::Number(x),
        };
        s.set(pos, leaves[k], v).expect("a leaf of the methodology");
    }
    s
}

fn in_order(case: &Case) -> Scores {
    let n_leaves = case.m.leaf_codes().count();
    let units: Vec<usize> = (0..case.units.len()).collect();
    let cells: Vec<(usize, usize)> =
        (0..case.units.len()).flat_map(|u| (0..n_leaves).map(move |k| (u, k))).collect();
    scores_of(case, &units, &cells)
}

/// Scores a case; valid random input always scores (deep rebasing takes the big-rational path).
/// The case's units that `unit` keeps (as the unit it returns), with all their values.
fn scores_where(case: &Case, unit: impl Fn(usize) -> Option<Unit>) -> Scores {
    let leaves: Vec<&str> = case.m.leaf_codes().collect();
    let mut s = Scores::new(&case.m);
    for (i, d) in case.units.iter().enumerate() {
        let Some(unit) = unit(i) else { continue };
        let u = s.add_unit(unit).expect("unique ids");
        for (k, cell) in d.cells.iter().enumerate() {
            let v = match *cell {
                Cell::Na => Value::NotApplicable,
                Cell::Num(x) => Value::Number(x),
            };
            s.set(u, leaves[k], v).expect("a leaf of the methodology");
        }
    }
    s
}

fn score_case(case: &Case) -> Results {
    score(&case.m, &in_order(case)).unwrap_or_else(|e| panic!("valid scores must score: {e}"))
}

/// A permutation from a seed (xorshift Fisher–Yates).
fn shuffle<T>(items: &mut [T], mut seed: u64) {
    seed |= 1;
    for i in (1..items.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        items.swap(i, (seed % (i as u64 + 1)) as usize);
    }
}

// --- the reference ---------------------------------------------------------------------------

/// Percent of every node (by code; `None` when it does not apply) and of the root.
struct Reference {
    pct: HashMap<String, Option<Frac>>,
    root: Option<Frac>,
}

fn hundred() -> Frac {
    Frac::int(100)
}

fn rule_points(rule: &Rule, v: Decimal, max: Decimal) -> Frac {
    match rule {
        Rule::Points => Frac::dec(v),
        Rule::YesNo => {
            if v == Decimal::ONE {
                Frac::dec(max)
            } else {
                Frac::zero()
            }
        }
        Rule::Proportional { full } => Frac::dec(max) * Frac::dec(v.min(*full)) / Frac::dec(*full),
        Rule::Thresholds { direction, steps, otherwise } => {
            let reached = |b: Decimal| match direction {
                Direction::AtLeast => v >= b,
                Direction::AtMost => v <= b,
            };
            Frac::dec(steps.iter().find(|s| reached(s.bound)).map_or(*otherwise, |s| s.points))
        }
    }
}

/// `pct(node) = Σ w·pct ÷ Σ w` over applicable children, `w` explicit or the applicable
/// maximum; returns the percent and the node's applicable maximum.
fn aggregate(
    m: &Methodology,
    max: Frac,
    kids: &[&Node],
    cells: &HashMap<&str, Cell>,
    out: &mut HashMap<String, Option<Frac>>,
) -> Option<(Frac, Frac)> {
    let (mut w_sum, mut acc, mut amax_sum, mut max_sum) =
        (Frac::zero(), Frac::zero(), Frac::zero(), Frac::zero());
    for kid in kids {
        max_sum = max_sum + Frac::dec(m.max_of(&kid.code).expect("max"));
        if let Some((pct, amax)) = eval(m, kid, cells, out) {
            let w = kid.weight.map_or_else(|| amax.clone(), Frac::dec);
            w_sum = w_sum + w.clone();
            acc = acc + w * pct;
            amax_sum = amax_sum + amax;
        }
    }
    // Nothing applies, or only children of weight zero: the node does not apply.
    (!w_sum.is_zero()).then(|| (acc / w_sum, max * amax_sum / max_sum))
}

fn eval(
    m: &Methodology,
    node: &Node,
    cells: &HashMap<&str, Cell>,
    out: &mut HashMap<String, Option<Frac>>,
) -> Option<(Frac, Frac)> {
    let max_d = m.max_of(&node.code).expect("max");
    let max = Frac::dec(max_d);
    let result = if m.is_leaf(&node.code) {
        match cells[node.code.as_str()] {
            Cell::Na if m.settings().not_applicable == NotApplicable::FullPoints => Some((hundred(), max)),
            Cell::Na => None,
            Cell::Num(v) => Some((rule_points(&node.rule, v, max_d) / max.clone() * hundred(), max)),
        }
    } else {
        let kids: Vec<&Node> = m.children(&node.code).collect();
        aggregate(m, max, &kids, cells, out)
    };
    out.insert(node.code.clone(), result.clone().map(|r| r.0));
    result
}

fn reference(m: &Methodology, cells: &[Cell]) -> Reference {
    let by_code: HashMap<&str, Cell> = m.leaf_codes().zip(cells.iter().copied()).collect();
    let mut pct = HashMap::new();
    let top: Vec<&Node> = m.top_level().collect();
    let root = aggregate(m, Frac::dec(m.max()), &top, &by_code, &mut pct).map(|r| r.0);
    Reference { pct, root }
}

fn ancestors<'a>(m: &'a Methodology, code: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut cur = m.node(code).and_then(|n| n.parent.as_deref());
    while let Some(p) = cur {
        out.push(p);
        cur = m.node(p).and_then(|n| n.parent.as_deref());
    }
    out
}

fn config() -> ProptestConfig {
    ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config())]

    /// 1. Every applicable node's percent and every unit's index lie in [0, 100].
    #[test]
    fn percents_lie_between_0_and_100(case in case()) {
        let r = score_case(&case);
        let (zero, hundred) = (Exact::ZERO, Exact::new(100, 1).expect("100"));
        for u in r.units() {
            prop_assert!(u.percent() >= zero && u.percent() <= hundred, "{} {:?}", u.id(), u.percent());
            for n in u.nodes() {
                if let Some(p) = n.percent() {
                    prop_assert!(p >= zero && p <= hundred, "{} {}: {:?}", u.id(), n.code(), p);
                }
            }
        }
    }

    /// 2. Raising one points leaf of one unit never lowers an ancestor's percent or the total.
    #[test]
    fn raising_a_leaf_never_lowers_its_ancestors(case in case(), pick in any::<(usize, usize, u32)>()) {
        let (u_pick, leaf_pick, raw) = pick;
        let u = u_pick % case.units.len();
        let codes: Vec<&str> = case.m.leaf_codes().collect();
        let target = (0..codes.len()).map(|i| (leaf_pick + i) % codes.len()).find(|&k| {
            let node = case.m.node(codes[k]).expect("leaf");
            matches!(case.units[u].cells[k], Cell::Num(v) if node.rule.is_points() && Some(v) < node.max)
        });
        let Some(k) = target else { return Ok(()) };
        let Cell::Num(v) = case.units[u].cells[k] else { return Ok(()) };
        let max = case.m.max_of(codes[k]).expect("max");
        let room = ((max - v) * Decimal::ONE_HUNDRED).trunc().mantissa() as u32; // > 0, in hundredths
        let raised = v + cents(1 + raw % room, raw % 2 == 0);
        prop_assert!(raised > v && raised <= max);

        let before = score_case(&case);
        let mut higher = case.clone();
        higher.units[u].cells[k] = Cell::Num(raised);
        let after = score_case(&higher);
        let (b, a) = (before.units().nth(u).expect("unit"), after.units().nth(u).expect("unit"));
        prop_assert!(a.points() >= b.points(), "total fell: {:?} -> {:?}", b.points(), a.points());
        prop_assert!(a.percent() >= b.percent());
        prop_assert!(a.node(codes[k]).and_then(|n| n.percent()) > b.node(codes[k]).and_then(|n| n.percent()));
        for code in ancestors(&case.m, codes[k]) {
            let pb = b.node(code).and_then(|n| n.percent());
            let pa = a.node(code).and_then(|n| n.percent());
            prop_assert_eq!(pa.is_some(), pb.is_some(), "applicability of {} changed", code);
            prop_assert!(pa >= pb, "{}: {:?} -> {:?}", code, pb, pa);
        }
    }

    /// 3. The order of the units and of setting the values changes no unit's result.
    #[test]
    fn order_of_input_does_not_matter(case in case(), seeds in any::<(u64, u64)>()) {
        let n_leaves = case.m.leaf_codes().count();
        let mut units: Vec<usize> = (0..case.units.len()).collect();
        shuffle(&mut units, seeds.0);
        let mut cells: Vec<(usize, usize)> =
            (0..units.len()).flat_map(|u| (0..n_leaves).map(move |k| (u, k))).collect();
        shuffle(&mut cells, seeds.1);
        let shuffled = score(&case.m, &scores_of(&case, &units, &cells)).expect("valid scores score");
        let plain = score_case(&case);
        prop_assert_eq!(shuffled.len(), plain.len());
        for p in plain.units() {
            let s = shuffled.unit(p.id()).expect("same ids");
            prop_assert_eq!(s.points(), p.points(), "{}", p.id());
            prop_assert_eq!(s.percent(), p.percent(), "{}", p.id());
            prop_assert_eq!(s.published_percent(), p.published_percent(), "{}", p.id());
            // Ordinal ranks number the units still tied in input order; see property 4.
            if case.m.settings().ties != Ties::Ordinal {
                prop_assert_eq!(s.rank(), p.rank(), "{}", p.id());
            }
            prop_assert_eq!(s.band(), p.band(), "{}", p.id());
            for (a, b) in s.nodes().zip(p.nodes()) {
                prop_assert_eq!(a.points(), b.points(), "{} {}", p.id(), a.code());
            }
        }
    }

    /// 4. Ranks follow the key (the ranked value, then the tie-break nodes' points): a higher
    /// key is never worse; equal keys share a rank, competition skips, dense does not, ordinal
    /// numbers them in input order.
    #[test]
    fn ranks_are_consistent_with_totals(case in case()) {
        let r = score_case(&case);
        let settings = case.m.settings();
        let (places, mode) = (settings.rounding.places, settings.rounding.mode);
        let published = settings.rank_on == RankOn::Published;
        // What ranks are computed on, as exact values.
        let key = |u: &parindex::UnitResult<'_>| {
            let main = if published { Exact::from_decimal(u.published_percent()) } else { u.points() };
            let ties: Vec<Option<Exact>> = settings
                .tie_break
                .iter()
                .map(|code| {
                    let p = u.node(code).and_then(|n| n.points());
                    p.map(|p| if published { Exact::from_decimal(p.round(places, mode)) } else { p })
                })
                .collect();
            (main, ties)
        };
        let all: Vec<_> = r.units().collect();
        let rank = |u: &parindex::UnitResult<'_>| u.rank().expect("every unit is ranked") as usize;
        for (i, a) in all.iter().enumerate() {
            for (j, b) in all.iter().enumerate() {
                // On published values a higher exact total may round equal, and then an
                // ordinal tie or a tie-break key may put it behind.
                let exact_order_holds =
                    !published || (settings.tie_break.is_empty() && settings.ties != Ties::Ordinal);
                if a.points() > b.points() && exact_order_holds {
                    prop_assert!(rank(a) <= rank(b), "{} beats {} but ranks worse", a.id(), b.id());
                }
                if key(a) > key(b) {
                    prop_assert!(rank(a) < rank(b));
                }
                if key(a) == key(b) {
                    match settings.ties {
                        Ties::Ordinal => prop_assert_eq!(rank(a) < rank(b), i < j, "{} {}", a.id(), b.id()),
                        _ => prop_assert_eq!(rank(a), rank(b), "{} and {} tie", a.id(), b.id()),
                    }
                }
            }
            let mut above: Vec<_> = all.iter().map(&key).filter(|k| *k > key(a)).collect();
            let expected = match settings.ties {
                Ties::Competition => above.len() + 1,
                Ties::Dense => {
                    above.sort();
                    above.dedup();
                    above.len() + 1
                }
                _ => above.len() + all[..i].iter().filter(|b| key(b) == key(a)).count() + 1,
            };
            prop_assert_eq!(rank(a), expected, "{}", a.id());
        }
    }

    /// 7. A unit not ranked keeps its score and band, takes no place in anyone's rank, overall
    /// or in its group: the others rank as if it were absent.
    #[test]
    fn units_not_ranked_take_no_place(case in case(), mask in any::<u32>()) {
        let group = |i: usize| ["sở", "huyện", "xã"][i % 3];
        let ranked = |i: usize| (mask >> (i % 32)) & 1 == 0;
        let id = |i: usize| case.units[i].id.clone();
        let all = score(&case.m, &scores_where(&case, |i| Some(Unit::new(id(i)).group(group(i)).ranked(ranked(i)))))
            .expect("valid scores score");
        let plain = score_case(&case);
        for (i, (u, p)) in all.units().zip(plain.units()).enumerate() {
            prop_assert_eq!((u.points(), u.published_percent(), u.band()), (p.points(), p.published_percent(), p.band()));
            prop_assert_eq!(u.rank().is_some(), ranked(i), "{}", u.id());
            prop_assert_eq!(u.group_rank().is_some(), ranked(i), "{}", u.id());
        }
        let only = score(&case.m, &scores_where(&case, |i| ranked(i).then(|| Unit::new(id(i)))))
            .expect("valid scores score");
        prop_assert_eq!(only.len(), all.ranked_len());
        for u in only.units() {
            prop_assert_eq!(all.unit(u.id()).expect("same ids").rank(), u.rank(), "{}", u.id());
        }
        for g in ["sở", "huyện", "xã"] {
            let alone = score(&case.m, &scores_where(&case, |i| (ranked(i) && group(i) == g).then(|| Unit::new(id(i)))))
                .expect("valid scores score");
            for u in alone.units() {
                let want = u.rank().map(|r| (r, alone.len() as u32));
                prop_assert_eq!(all.unit(u.id()).expect("same ids").group_rank(), want, "{}", u.id());
            }
        }
    }

    /// 5. The engine equals the slow reference, exactly.
    #[test]
    fn engine_equals_the_reference(case in case()) {
        let r = score_case(&case);
        let hundred = hundred();
        let root_max = Frac::dec(case.m.max());
        for (d, u) in case.units.iter().zip(r.units()) {
            prop_assert_eq!(u.id(), d.id.as_str());
            let want = reference(&case.m, &d.cells);
            let root = want.root.clone().expect("something applies");
            prop_assert!(same(u.percent(), &root), "{} index {:?} vs {:?}", d.id, u.percent(), root);
            let total = root * root_max.clone() / hundred.clone();
            prop_assert!(same(u.points(), &total), "{} total", d.id);
            for n in u.nodes() {
                let pct = want.pct[n.code()].clone();
                prop_assert_eq!(n.percent().is_some(), pct.is_some(), "{} {} applies", d.id, n.code());
                if let (Some(got), Some(p)) = (n.percent(), pct) {
                    prop_assert!(same(got, &p), "{} {} percent", d.id, n.code());
                    let max = Frac::dec(case.m.max_of(n.code()).expect("max"));
                    let points = p * max / hundred.clone();
                    prop_assert!(same(n.points().expect("applies"), &points), "{} {} points", d.id, n.code());
                }
            }
        }
    }

    /// 7. An explanation accounts for the whole score: its leaves' contributions add up to the
    /// unit's points before bonus and penalty, and no leaf contributes more than it could.
    #[test]
    fn explanations_add_up_to_the_total(case in case()) {
        let scores = in_order(&case);
        let r = score_case(&case);
        for u in r.units() {
            let e = parindex::explain(&r, &scores, u.id()).expect("every unit explains");
            // Summed as big rationals (the denominators of random trees outgrow 128 bits).
            let big = |x: Exact| {
                num_rational::BigRational::new(x.numerator().into(), x.denominator().into())
            };
            let applicable: Vec<Option<Exact>> =
                e.leaves.iter().filter(|l| l.points.is_some()).map(|l| l.contribution).collect();
            if applicable.iter().all(Option::is_none) {
                // A unit on the big-rational path has no linear form, so no contributions
                // (documented on `LeafExplanation::contribution`).
                continue;
            }
            prop_assert!(applicable.iter().all(Option::is_some), "{}: some contributions missing", u.id());
            let sum: num_rational::BigRational = applicable.into_iter().flatten().map(big).sum();
            let root = big(u.points()); // the random cases have no bonus or penalty
            let gap = (sum.clone() - root.clone()).abs();
            // Exact, or within the 20 places the big-rational path carries.
            let tolerance = num_rational::BigRational::new(1.into(), num_bigint::BigInt::from(10u64).pow(18));
            prop_assert!(gap <= tolerance, "{}: leaves add to {} but the points are {}", u.id(), sum, root);
        }
    }

    /// 8. Results written as JSON or CSV read back (as last year's published results) with every
    /// unit's values, rank and band as written, and compare with this year exactly as the
    /// results themselves do.
    #[test]
    fn results_round_trip_through_their_files(case in case()) {
        let r = score_case(&case);
        let text = |x: Exact| x.to_decimal();
        for format in [OutputFormat::Json, OutputFormat::Csv] {
            let file = write_results(&r, format, &WriteOptions::new());
            let name = if format == OutputFormat::Json { "r.json" } else { "r.csv" };
            let back = parindex_io::read_published_results(file.as_bytes(), name).expect("reads back");
            prop_assert_eq!(back.units().len(), r.len());
            prop_assert_eq!(back.ranked_len() as usize, r.ranked_len());
            for u in r.units() {
                let b = back.unit(u.id()).expect("every unit");
                prop_assert_eq!(b.points, Some(text(u.points())));
                prop_assert_eq!(b.percent, Some(text(u.percent())));
                prop_assert_eq!(b.rank, u.rank());
                prop_assert_eq!(b.band.as_deref(), u.band());
                prop_assert_eq!(back.group_rank(u.id()), u.group_rank(), "{}", u.id());
                for n in &b.nodes {
                    let node = u.node(&n.code).expect("a node of the methodology");
                    prop_assert_eq!(n.points, node.points().map(text), "{} {}", u.id(), &n.code);
                }
            }
            let cmp = parindex::compare_published(&r, &back);
            prop_assert!(cmp.units.iter().all(|c| c.movement == parindex::Movement::Same), "{}", name);
        }
    }

    /// 6. JSON and the node table CSV both read back to an equal methodology.
    #[test]
    fn methodology_round_trips(m in methodology()) {
        let json = m.to_json();
        prop_assert_eq!(&Methodology::from_json(&json).expect("JSON reads back"), &m, "{}", json);
        let csv = write_methodology_csv(&m);
        prop_assert_eq!(&read_methodology_csv(&csv, "other-name.csv").expect("CSV reads back"), &m, "{}", csv);
    }
}

/// A `# name:`/`# provenance:` value with quotes or a trailing comma survives the node table.
#[test]
fn metadata_keeps_quotes_and_trailing_commas() {
    let info = Info::new("x", "Chỉ số \"PAR\"").provenance("QĐ 2948/QĐ-BNV, 2017,");
    let nodes = vec![Node::new("1", "Một").max(Decimal::from(5))];
    let m = Methodology::new(info, Settings::default(), nodes).expect("valid");
    let back = read_methodology_csv(&write_methodology_csv(&m), "x.csv").expect("reads");
    assert_eq!(back.info(), m.info());
}
