//! The criteria tree the scoring and sensitivity benches share.

use parindex::{Decimal, Info, Methodology, Node, Settings};

/// 5 domains × 5 criteria × 2 sub-criteria = 50 leaves of max 2 (total 100).
pub fn methodology() -> Methodology {
    let mut nodes = Vec::new();
    for d in 1..=5 {
        nodes.push(Node::new(d.to_string(), format!("Domain {d}")));
        for c in 1..=5 {
            nodes.push(Node::new(format!("{d}.{c}"), format!("Criterion {d}.{c}")).parent(d.to_string()));
            for s in 1..=2 {
                let leaf = Node::new(format!("{d}.{c}.{s}"), "Sub-criterion").parent(format!("{d}.{c}"));
                nodes.push(leaf.max(Decimal::TWO));
            }
        }
    }
    Methodology::new(Info::new("bench", "Bench"), Settings::default(), nodes).expect("valid")
}
