//! Any bytes as last year's published results (CSV, or JSON when they start with `{`): located
//! errors, or results whose ranks are possible and which compare with this year, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(before) = parindex_io::read_published_results(data, "p.csv") else { return };
    let ranked = before.ranked_len();
    for u in before.units() {
        assert!(u.rank.is_none_or(|r| r >= 1 && r <= ranked));
        assert!(u.points.is_some() || u.percent.is_some());
        let group = before.group_rank(&u.id);
        assert_eq!(group.is_some(), u.rank.is_some());
        assert!(group.is_none_or(|(r, n)| r >= 1 && r <= n));
    }
    let Ok((m, s)) = parindex_io::examples::load("par-demo") else { return };
    let Ok(now) = parindex::score(&m, &s) else { return };
    let cmp = parindex::compare_published(&now, &before);
    let gone = before.units().iter().filter(|u| now.unit(&u.id).is_none()).count();
    assert_eq!(cmp.units.len(), now.len() + gone);
});
