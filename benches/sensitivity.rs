//! Sensitivity benchmarks (issue 5): `sensitivity/<case>/<units>x<runs>` on the scoring
//! bench's tree (5 domains × 5 criteria × 2 sub-criteria = 50 leaves, points of two
//! decimals), a uniform ±25 % perturbation of every node's weight, each unit's median rank and
//! 5–95 % interval. Each case checks its result inside the loop. After criterion's runs, a
//! summary times the case against its 50 ms target, checks the fast engine against the
//! sequential reference bit for bit, runs the vectorised numpy reference
//! (`benches/sensitivity_numpy.py`) in the same bench run and prints the ratio (skipped, with a
//! note, when Python or numpy is missing), then prints the scaling table — 1k / 10k / 100k
//! replications of 705 units, 63 / 705 / 10,000 units × 10k replications — in ms and ns per
//! unit and replication, with the load average before and after.

use std::hint::black_box;
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use parindex::{
    score, sensitivity, Decimal, Methodology, Results, Scores, SensitivityOptions, Uncertainty,
    UncertaintySource, Unit, Value, WeightDistribution,
};

mod rng;
mod tree;
use rng::Rng;
use tree::methodology;

fn results(m: &Methodology, units: usize, seed: u64) -> Results {
    let mut rng = Rng(seed);
    let codes: Vec<String> = m.leaf_codes().map(str::to_owned).collect();
    let mut s = Scores::new(m);
    for i in 0..units {
        let u = s.add_unit(Unit::new(format!("u{i}"))).expect("unique");
        for code in &codes {
            let v: Decimal = format!("{}.{:02}", rng.next() % 2, rng.next() % 100).parse().expect("decimal");
            s.set(u, code, Value::Number(v)).expect("leaf");
        }
    }
    score(m, &s).expect("scores")
}

fn uncertainty() -> Uncertainty {
    Uncertainty::new()
        .source(UncertaintySource::weights(WeightDistribution::uniform("0.25".parse().expect("0.25"))))
}

fn run(r: &Results, runs: u32) -> parindex::Sensitivity {
    let out = sensitivity(r, &uncertainty(), &SensitivityOptions::new().runs(runs).seed(1)).expect("runs");
    // Check inside the loop: every unit has a median and an interval around it.
    assert!(out.units.iter().all(|u| u.low <= u.median && u.median <= u.high));
    out
}

fn bench(c: &mut Criterion) {
    let m = methodology();
    let mut group = c.benchmark_group("sensitivity");
    group.sample_size(10).measurement_time(Duration::from_secs(5));
    for (units, runs) in [(705usize, 10_000u32), (63, 10_000)] {
        let r = results(&m, units, 7);
        group.bench_with_input(BenchmarkId::new("weights", format!("{units}x{runs}")), &r, |b, r| {
            b.iter(|| black_box(run(r, runs)))
        });
    }
    group.finish();
}

/// The best of `repeats` wall-clock times of `f`.
fn best<T>(repeats: usize, mut f: impl FnMut() -> T) -> Duration {
    (0..repeats)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// Runs the numpy reference; `None` (with the reason) when Python or numpy is missing.
fn numpy(units: usize, runs: u32) -> Result<f64, String> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/sensitivity_numpy.py");
    let venv = concat!(env!("CARGO_MANIFEST_DIR"), "/../.venv/bin/python");
    let mut last = String::from("no python found");
    for python in [venv, "python3", "python"] {
        match Command::new(python).args([script, &units.to_string(), &runs.to_string(), "3"]).output() {
            Ok(out) if out.status.success() => {
                let text = String::from_utf8_lossy(&out.stdout);
                if let Some(s) = text.trim().strip_prefix("seconds=") {
                    return s.parse().map_err(|e| format!("unreadable output {text:?}: {e}"));
                }
                last = format!("unexpected output {text:?}");
            }
            Ok(out) => {
                last =
                    format!("{python}: {}", String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or(""))
            }
            Err(e) => last = format!("{python}: {e}"),
        }
    }
    Err(last)
}

/// The load average over the last minute (Linux), to read the timings against.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}

/// The target for 705 units × 10,000 runs.
const TARGET_MS: f64 = 50.0;

fn summary(_: &mut Criterion) {
    let m = methodology();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "\nsensitivity: uniform ±25 % on every weight, median and 5–95 % rank intervals \
         ({} threads, load average {})",
        rayon_threads(),
        load()
    );
    let r705 = results(&m, 705, 7);
    let main = best(7, || run(&r705, 10_000));
    // The fast engine against the sequential reference (plain loops, full sorts): same bits.
    let o = SensitivityOptions::new().runs(2_000).seed(1);
    let fast = sensitivity(&r705, &uncertainty(), &o).expect("fast");
    let reference = sensitivity(&r705, &uncertainty(), &o.clone().reference(true)).expect("reference");
    assert_eq!(fast, reference, "the fast engine differs from the reference");
    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
    println!(
        "  705 units × 10,000 runs: {:.1} ms (target ≤ {TARGET_MS:.0} ms: {}); identical to the \
         sequential reference on 2,000 runs",
        ms(main),
        verdict(ms(main) <= TARGET_MS)
    );
    match numpy(705, 10_000) {
        Ok(s) => {
            let ratio = s / main.as_secs_f64();
            println!(
                "  numpy (vectorised, same case, same run): {:.1} ms — parindex is {ratio:.1}× faster \
                 (target ≥ 10×: {})",
                s * 1e3,
                verdict(ratio >= 10.0)
            );
        }
        Err(why) => println!("  numpy reference skipped: {why}"),
    }
    println!("  scaling (best of several runs; one for the largest cases):");
    println!("    {:>9} {:>7} {:>10} {:>16}", "runs", "units", "ms", "ns per unit·run");
    let mut by_units = vec![(705usize, r705)];
    for (runs, units) in [(1_000u32, 705usize), (10_000, 705), (100_000, 705), (10_000, 63), (10_000, 10_000)]
    {
        if !by_units.iter().any(|(u, _)| *u == units) {
            by_units.push((units, results(&m, units, 7)));
        }
        let r = &by_units.iter().find(|(u, _)| *u == units).expect("scored").1;
        let repeats = if u64::from(runs) * units as u64 > 100_000_000 { 1 } else { 3 };
        let t = best(repeats, || run(r, runs));
        println!(
            "    {runs:>9} {units:>7} {:>10.1} {:>16.1}",
            ms(t),
            t.as_secs_f64() * 1e9 / f64::from(runs) / units as f64
        );
    }
    println!("  (load average now {})", load());
}

/// The number of threads the engine runs on.
fn rayon_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(std::env::var("RAYON_NUM_THREADS").ok().and_then(|v| v.parse().ok()).unwrap_or(usize::MAX))
}

criterion_group!(benches, bench, summary);
criterion_main!(benches);
