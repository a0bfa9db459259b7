//! Property tests of improvement plans (DESIGN.md §10) on random small methodologies: points
//! leaves whose maxima are whole multiples of a granule (0.25 or 0.5), 1–6 leaves under up to
//! three domains (explicit weights or not), 2–6 units with some criteria not applicable, every
//! tie policy, both `rank_on` settings and every rounding mode. Each plan is checked by
//! scoring it with `what_if`, and its optimality by brute force over every gain vector in
//! whole granules.

use parindex::{
    plan, score, what_if, Band, Decimal, Direction, Goal, Info, Methodology, Node, Objective, PlanOptions,
    RankOn, Results, RoundingMode, Rule, Scores, Settings, Step, Ties, Unit, Value,
};
use proptest::collection::vec;
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Case {
    /// The granule: 0.25 or 0.5.
    granule: Decimal,
    /// Per leaf: its domain (0–2) and its maximum in granules (1–4).
    leaves: Vec<(usize, u32)>,
    /// Explicit domain weights.
    weights: Vec<Option<u32>>,
    /// Per unit, per leaf: the value in granules (`None`: not applicable).
    units: Vec<Vec<Option<u32>>>,
    ties: Ties,
    rank_on: RankOn,
    mode: RoundingMode,
    places: u32,
    /// Band minima, from the best down.
    bands: Vec<u32>,
    /// The unit planned.
    unit: usize,
    /// The kind of goal (rank, band, percent) and a number picking it; see [`Case::goal`].
    goal: (u8, u32),
    /// Cost per point of each leaf (1–3), for least-cost plans.
    costs: Vec<u32>,
    /// Each leaf's rule: 0 points, 1 yes/no, 2 thresholds `>=100:max | >=90:half | else:0`
    /// on a measured value among 70, 85, 90, 95, 100.
    rules: Vec<u8>,
}

/// The measured values of threshold leaves.
const MEASURES: [u32; 5] = [70, 85, 90, 95, 100];

fn case() -> impl Strategy<Value = Case> {
    (1usize..=6, 2usize..=6, any::<bool>()).prop_flat_map(|(n_leaves, n_units, half)| {
        (
            vec((0usize..3, 1u32..=4), n_leaves),
            vec(prop::option::of(1u32..=3), 3),
            vec(vec((0u32..=4, 0u8..8), n_leaves), n_units),
            (0u8..3, any::<bool>(), 0u8..5, 0u32..=2),
            prop::sample::subsequence(vec![95u32, 90, 85, 80, 70, 50, 30, 0], 0..=3),
            (0..n_units, 0u8..3, any::<u32>()),
            vec(1u32..=3, n_leaves),
            vec(0u8..3, n_leaves),
        )
            .prop_map(
                move |(
                    leaves,
                    weights,
                    cells,
                    (ties, published, mode, places),
                    bands,
                    pick,
                    costs,
                    rules,
                )| {
                    let (unit, kind, number) = pick;
                    let units = cells
                        .iter()
                        .map(|row| {
                            row.iter()
                                .zip(&leaves)
                                .map(|(&(v, na), &(_, max))| (na != 0).then_some(v % (max + 1)))
                                .collect()
                        })
                        .collect();
                    Case {
                        granule: if half { Decimal::new(5, 1) } else { Decimal::new(25, 2) },
                        leaves,
                        weights,
                        units,
                        ties: [Ties::Competition, Ties::Dense, Ties::Ordinal][ties as usize],
                        rank_on: if published { RankOn::Published } else { RankOn::Exact },
                        mode: [
                            RoundingMode::HalfUp,
                            RoundingMode::HalfEven,
                            RoundingMode::HalfDown,
                            RoundingMode::Down,
                            RoundingMode::Up,
                        ][mode as usize],
                        places,
                        bands,
                        unit,
                        goal: (kind, number),
                        costs,
                        rules,
                    }
                },
            )
    })
}

impl Case {
    fn methodology(&self) -> Methodology {
        let labels = ["A", "B", "C"];
        let bands = self
            .bands
            .iter()
            .zip(labels)
            .map(|(&min, label)| Band { label: label.into(), min: Decimal::from(min) })
            .collect();
        let settings = Settings::default()
            .ties(self.ties)
            .rank_on(self.rank_on)
            .rounding(self.places, self.mode)
            .bands(bands);
        let mut nodes = Vec::new();
        for d in 0..3 {
            if self.leaves.iter().any(|&(domain, _)| domain == d) {
                let mut node = Node::new(format!("{}", d + 1), format!("Domain {}", d + 1));
                if let Some(w) = self.weights[d] {
                    node = node.weight(Decimal::from(w));
                }
                nodes.push(node);
            }
        }
        for (k, &(d, max)) in self.leaves.iter().enumerate() {
            let code = format!("{}.{}", d + 1, k + 1);
            let rule = match self.rules[k] {
                1 => Rule::YesNo,
                2 => Rule::Thresholds {
                    direction: Direction::AtLeast,
                    steps: vec![
                        Step { bound: Decimal::from(100), points: self.granules(max) },
                        Step { bound: Decimal::from(90), points: self.granules(max / 2) },
                    ],
                    otherwise: Decimal::ZERO,
                },
                _ => Rule::Points,
            };
            nodes.push(
                Node::new(code, "Leaf").parent(format!("{}", d + 1)).max(self.granules(max)).rule(rule),
            );
        }
        Methodology::new(Info::new("random", "Random"), settings, nodes).expect("a valid methodology")
    }

    fn granules(&self, n: u32) -> Decimal {
        Decimal::from(n) * self.granule
    }

    fn codes(&self) -> Vec<String> {
        self.leaves.iter().enumerate().map(|(k, &(d, _))| format!("{}.{}", d + 1, k + 1)).collect()
    }

    fn scores(&self, m: &Methodology) -> Scores {
        let mut s = Scores::new(m);
        let codes = self.codes();
        for (i, row) in self.units.iter().enumerate() {
            let u = s.add_unit(Unit::new(format!("u{i}"))).expect("a new unit");
            for ((code, cell), rule) in codes.iter().zip(row).zip(&self.rules) {
                let v = match (cell, rule) {
                    (None, _) => Value::NotApplicable,
                    (Some(g), 1) => Value::Number(Decimal::from(g % 2)),
                    (Some(g), 2) => Value::Number(Decimal::from(MEASURES[*g as usize % 5])),
                    (Some(g), _) => Value::Number(self.granules(*g)),
                };
                s.set(u, code, v).expect("a valid value");
            }
        }
        s
    }

    /// The goal, picked relative to where the unit stands so that most need a plan: a rank
    /// from 1 to its own, a band of the methodology, an index from its own (rounded down to
    /// a whole number) to 40 points more (some beyond reach).
    fn goal(&self, r: &Results) -> Goal {
        let u = r.unit(&self.id()).expect("the unit");
        let (kind, n) = self.goal;
        match kind {
            0 => Goal::Rank(1 + n % u.rank().unwrap_or(1)),
            1 if !self.bands.is_empty() => {
                Goal::Band(["A", "B", "C"][n as usize % self.bands.len()].to_owned())
            }
            _ => Goal::Percent(u.published_percent().trunc() + Decimal::new(i64::from(n % 400), 1)),
        }
    }

    /// Points leaves only (the first properties).
    fn points_only(mut self) -> Case {
        self.rules.iter_mut().for_each(|r| *r = 0);
        self
    }

    /// At most 4 leaves, so that every combination can be scored.
    fn small(mut self) -> Case {
        self.leaves.truncate(4);
        self.costs.truncate(4);
        self.rules.truncate(4);
        self.units.iter_mut().for_each(|row| row.truncate(4));
        self
    }

    /// Every way to raise the planned unit's applicable leaves, one list per leaf of
    /// (code, value, points gained): whole granules on points leaves, no → yes, a measured
    /// value to the bound of a better threshold step.
    fn choices(&self) -> Vec<Vec<(String, Value, Decimal)>> {
        let mut out = Vec::new();
        for (((code, cell), &(_, max)), rule) in
            self.codes().into_iter().zip(&self.units[self.unit]).zip(&self.leaves).zip(&self.rules)
        {
            let Some(v) = *cell else { continue };
            let mut list = Vec::new();
            match rule {
                1 => {
                    list.push((code.clone(), Value::Number(Decimal::from(v % 2)), Decimal::ZERO));
                    if v % 2 == 0 {
                        list.push((code, Value::Number(Decimal::ONE), self.granules(max)));
                    }
                }
                2 => {
                    let points = |x: u32| match x {
                        100.. => self.granules(max),
                        90.. => self.granules(max / 2),
                        _ => Decimal::ZERO,
                    };
                    let now = MEASURES[v as usize % 5];
                    list.push((code.clone(), Value::Number(Decimal::from(now)), Decimal::ZERO));
                    for bound in [90, 100] {
                        if bound > now && points(bound) > points(now) {
                            let gain = points(bound) - points(now);
                            list.push((code.clone(), Value::Number(Decimal::from(bound)), gain));
                        }
                    }
                }
                _ => {
                    for n in 0..=max - v {
                        list.push((code.clone(), Value::Number(self.granules(v + n)), self.granules(n)));
                    }
                }
            }
            out.push(list);
        }
        out
    }

    fn id(&self) -> String {
        format!("u{}", self.unit)
    }

    /// The planned unit's applicable leaves: (code, value, room), in granules.
    fn room(&self) -> Vec<(String, u32, u32)> {
        self.codes()
            .into_iter()
            .zip(&self.units[self.unit])
            .zip(&self.leaves)
            .filter_map(|((code, cell), &(_, max))| cell.map(|v| (code, v, max - v)))
            .collect()
    }

    /// The planned unit raised by `gains` granules per applicable leaf, scored.
    fn raised(&self, m: &Methodology, s: &Scores, gains: &[u32]) -> Results {
        let changes: Vec<(String, Value)> = self
            .room()
            .into_iter()
            .zip(gains)
            .map(|((code, v, _), &g)| (code, Value::Number(self.granules(v + g))))
            .collect();
        what_if(m, s, &self.id(), &changes).expect("a valid what-if")
    }
}

/// The goal's definition, on the engine's results.
fn met(r: &Results, unit: &str, goal: &Goal) -> bool {
    let u = r.unit(unit).expect("the unit");
    match goal {
        Goal::Rank(k) => u.rank().is_some_and(|x| x <= *k),
        Goal::Band(label) => {
            let band = r.methodology().settings().bands.iter().find(|b| &b.label == label).expect("a band");
            u.published_percent() >= band.min
        }
        Goal::Percent(p) => u.percent() >= parindex::Exact::from_decimal(*p),
        _ => false,
    }
}

/// Calls `visit` with every vector of `rooms.len()` gains, `0 ≤ gains[k] ≤ rooms[k]`, summing
/// to `total`; stops at the first `true`.
fn vectors_summing_to(rooms: &[u32], total: u32, visit: &mut dyn FnMut(&[u32]) -> bool) -> bool {
    fn go(rooms: &[u32], left: u32, prefix: &mut Vec<u32>, visit: &mut dyn FnMut(&[u32]) -> bool) -> bool {
        if prefix.len() == rooms.len() {
            return left == 0 && visit(prefix);
        }
        let rest: u32 = rooms[prefix.len() + 1..].iter().sum();
        let k = prefix.len();
        for g in 0..=rooms[k].min(left) {
            if left - g > rest {
                continue;
            }
            prefix.push(g);
            let found = go(rooms, left - g, prefix, visit);
            prefix.pop();
            if found {
                return true;
            }
        }
        false
    }
    go(rooms, total, &mut Vec::new(), visit)
}

/// Calls `visit` with every gain vector within `rooms`.
fn every_vector(rooms: &[u32], visit: &mut dyn FnMut(&[u32])) {
    let mut v = vec![0u32; rooms.len()];
    loop {
        visit(&v);
        let Some(k) = (0..rooms.len()).find(|&k| v[k] < rooms[k]) else { return };
        v[k] += 1;
        for x in &mut v[..k] {
            *x = 0;
        }
    }
}

fn config() -> ProptestConfig {
    ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config())]

    /// (a) A plan, applied with `what_if`, reaches its goal, and reports what scoring gives;
    /// (b) no plan with fewer points does (brute force over every vector of whole granules);
    /// (c) `goal_unreachable` only when every leaf at its maximum still misses.
    #[test]
    fn plans_reach_their_goal_with_the_fewest_points(case in case()) {
        let case = case.points_only();
        let m = case.methodology();
        let s = case.scores(&m);
        let Ok(r) = score(&m, &s) else { return Ok(()) }; // a unit to which nothing applies
        let id = case.id();
        let goal = case.goal(&r);
        let options = PlanOptions::new().granularity(case.granule);
        let rooms: Vec<u32> = case.room().iter().map(|x| x.2).collect();
        match plan(&r, &s, &id, &goal, &options) {
            Ok(p) => {
                prop_assert_eq!(p.already_met, met(&r, &id, &goal));
                // (a) The steps, applied independently, reach the goal, as the plan says.
                let changes: Vec<(String, Value)> =
                    p.steps.iter().map(|st| (st.code.clone(), Value::Number(st.to))).collect();
                let after = what_if(&m, &s, &id, &changes).expect("a valid what-if");
                prop_assert!(met(&after, &id, &goal), "{:?}", p);
                let u = after.unit(&id).expect("the unit");
                prop_assert_eq!(u.points(), p.after.points);
                prop_assert_eq!(u.rank(), p.after.rank.map(|x| x.0));
                for st in &p.steps {
                    prop_assert!(st.gain > Decimal::ZERO && (st.gain / case.granule).fract().is_zero());
                    prop_assert_eq!(st.to - st.from, st.gain);
                }
                // (b) No vector of fewer granules reaches it. Raising a leaf never lowers the
                // unit's standing, so checking the vectors of exactly one granule fewer (or
                // every leaf at its maximum, when there is less room than that) is enough.
                let n = (p.gain / case.granule).trunc().mantissa() as u32;
                if n > 0 {
                    let fewer = (n - 1).min(rooms.iter().sum());
                    let mut better = None;
                    vectors_summing_to(&rooms, fewer, &mut |g| {
                        let found = met(&case.raised(&m, &s, g), &id, &goal);
                        if found {
                            better = Some(g.to_vec());
                        }
                        found
                    });
                    prop_assert!(better.is_none(), "{:?} reaches {:?} with {} granules, the plan needs {}", better, goal, fewer, n);
                }
            }
            Err(e) => {
                // (c) Only when every leaf at its maximum misses.
                prop_assert_eq!(e.issues()[0].code(), "goal_unreachable", "{}", e);
                prop_assert!(!met(&case.raised(&m, &s, &rooms), &id, &goal));
            }
        }
    }

    /// A least-cost plan reaches its goal and costs less than the cheapest vector of whole
    /// granules plus one granule of the dearest leaf (exactly the cheapest when the costs are
    /// equal).
    #[test]
    fn least_cost_plans_are_within_one_granule_of_the_cheapest(case in case()) {
        let case = case.points_only().small();
        let m = case.methodology();
        let s = case.scores(&m);
        let Ok(r) = score(&m, &s) else { return Ok(()) };
        let id = case.id();
        let goal = case.goal(&r);
        let applicable: Vec<(String, Decimal)> = case
            .codes()
            .into_iter()
            .zip(&case.costs)
            .zip(&case.units[case.unit])
            .filter(|(_, cell)| cell.is_some())
            .map(|((code, &c), _)| (code, Decimal::from(c)))
            .collect();
        let mut options = PlanOptions::new().granularity(case.granule).objective(Objective::LeastCost);
        for (code, cost) in &applicable {
            options = options.cost(code.clone(), *cost);
        }
        let rooms: Vec<u32> = case.room().iter().map(|x| x.2).collect();
        let Ok(p) = plan(&r, &s, &id, &goal, &options) else { return Ok(()) };
        let after = what_if(&m, &s, &id, &p.steps.iter().map(|st| (st.code.clone(), Value::Number(st.to))).collect::<Vec<_>>())
            .expect("a valid what-if");
        prop_assert!(met(&after, &id, &goal));
        let mut cheapest: Option<Decimal> = None;
        every_vector(&rooms, &mut |g| {
            let cost: Decimal = g.iter().zip(&applicable).map(|(&n, (_, c))| Decimal::from(n) * case.granule * c).sum();
            if cheapest.is_some_and(|best| cost >= best) {
                return;
            }
            if met(&case.raised(&m, &s, g), &id, &goal) {
                cheapest = Some(cost);
            }
        });
        let cheapest = cheapest.expect("the plan's own vector reaches the goal");
        let dearest = applicable.iter().map(|(_, c)| *c).max().unwrap_or(Decimal::ONE);
        prop_assert!(p.cost >= cheapest, "{} < {}", p.cost, cheapest);
        prop_assert!(p.cost < cheapest + dearest * case.granule, "{} vs {}", p.cost, cheapest);
        if applicable.iter().all(|(_, c)| *c == applicable[0].1) {
            prop_assert_eq!(p.cost, cheapest);
        }
    }

    /// With yes/no and threshold leaves too, a plan reaches its goal with the fewest points
    /// of every combination — whole granules on points leaves, no → yes, a measured value
    /// raised to a better step's bound — and is unreachable only when every combination
    /// misses (brute force, at most 4 leaves).
    #[test]
    fn plans_with_rule_based_leaves_have_the_fewest_points(case in case()) {
        let case = case.small();
        let m = case.methodology();
        let s = case.scores(&m);
        let Ok(r) = score(&m, &s) else { return Ok(()) };
        let id = case.id();
        let goal = case.goal(&r);
        let mut combos: Vec<(Decimal, Vec<(String, Value)>)> = vec![(Decimal::ZERO, Vec::new())];
        for list in case.choices() {
            combos = combos
                .iter()
                .flat_map(|(w, changes)| {
                    list.iter().map(move |(code, v, gain)| {
                        let mut changes = changes.clone();
                        changes.push((code.clone(), *v));
                        (*w + *gain, changes)
                    })
                })
                .collect();
        }
        combos.sort_by_key(|c| c.0);
        let fewest = combos
            .iter()
            .find(|(_, changes)| met(&what_if(&m, &s, &id, changes).expect("a valid what-if"), &id, &goal))
            .map(|c| c.0);
        match plan(&r, &s, &id, &goal, &PlanOptions::new().granularity(case.granule)) {
            Ok(p) => {
                let changes: Vec<(String, Value)> =
                    p.steps.iter().map(|st| (st.code.clone(), Value::Number(st.to))).collect();
                prop_assert!(met(&what_if(&m, &s, &id, &changes).expect("a valid what-if"), &id, &goal));
                prop_assert_eq!(Some(p.gain), fewest, "{:?}", p);
            }
            Err(e) => {
                prop_assert_eq!(e.issues()[0].code(), "goal_unreachable", "{}", e);
                prop_assert_eq!(fewest, None);
            }
        }
    }
}
