//! The few statistical functions the survey estimates need.

/// The standard normal quantile: `normal_quantile(0.975)` ≈ 1.959963984540054.
///
/// Acklam's rational approximation refined by two Halley steps on `libm`'s `erfc`: pure Rust
/// arithmetic, so every platform (and wasm) gets the same bits.
pub(crate) fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] =
        [7.784_695_709_041_462e-3, 3.224_671_290_700_398e-1, 2.445_134_137_142_996, 3.754_408_661_907_416];
    if !(p > 0.0 && p < 1.0) {
        return f64::NAN;
    }
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    let mut x = if p < 0.024_25 {
        tail(libm::sqrt(-2.0 * libm::log(p)))
    } else if p > 1.0 - 0.024_25 {
        -tail(libm::sqrt(-2.0 * libm::log(1.0 - p)))
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    };
    for _ in 0..2 {
        let e = 0.5 * libm::erfc(-x / std::f64::consts::SQRT_2) - p;
        let u = e * libm::sqrt(2.0 * std::f64::consts::PI) * libm::exp(x * x / 2.0);
        x -= u / (1.0 + x * u / 2.0);
    }
    x
}

/// The Wilson score interval of `k` successes in `n` trials at quantile `z`.
pub(crate) fn wilson(k: f64, n: f64, z: f64) -> (f64, f64) {
    let p = k / n;
    let z2 = z * z;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = z / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    // Mathematically p lies inside; keep it there through rounding (k = 0 gives 0 exactly).
    ((centre - half).clamp(0.0, p), (centre + half).clamp(p, 1.0))
}

/// The interval of a proportion `p` with standard error `se` built on the logit scale
/// (as `svyciprop(method = "logit", df = Inf)` does); `None` at 0 or 1, where it is undefined.
pub(crate) fn logit_interval(p: f64, se: f64, z: f64) -> Option<(f64, f64)> {
    if !(p > 0.0 && p < 1.0) {
        return None;
    }
    let half = z * se / (p * (1.0 - p));
    // expit(logit(p) ± h) = 1 / (1 + (1 − p)/p · e^∓h): one exponential, no logarithm.
    let odds_against = (1.0 - p) / p;
    let e = libm::exp(half);
    // Rounding may move a bound across p by an ulp: keep p inside.
    Some(((1.0 / (1.0 + odds_against * e)).min(p), (1.0 / (1.0 + odds_against / e)).max(p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_published_values() {
        // R's qnorm, to the last digit R prints with digits = 17.
        assert!((normal_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-15);
        assert!((normal_quantile(0.95) - 1.644_853_626_951_472_2).abs() < 1e-15);
        assert!((normal_quantile(0.995) - 2.575_829_303_548_901).abs() < 1e-14);
        assert!((normal_quantile(0.005) + 2.575_829_303_548_901).abs() < 1e-14);
        assert!((normal_quantile(0.5)).abs() < 1e-16);
    }

    #[test]
    fn wilson_matches_a_textbook_case() {
        // 81 of 263 (Newcombe 1998, example): 0.2553 to 0.3662.
        let (lo, hi) = wilson(81.0, 263.0, normal_quantile(0.975));
        assert!((lo - 0.2553).abs() < 5e-5 && (hi - 0.3662).abs() < 5e-5, "{lo} {hi}");
        // All successes: the upper bound is 1, the lower bound n / (n + z²).
        let z = normal_quantile(0.975);
        let (lo, hi) = wilson(10.0, 10.0, z);
        assert!((lo - 10.0 / (10.0 + z * z)).abs() < 1e-12 && hi == 1.0);
    }

    #[test]
    fn logit_interval_is_undefined_at_the_edges() {
        assert_eq!(logit_interval(1.0, 0.0, 1.96), None);
        let (lo, hi) = logit_interval(0.5, 0.05, 1.96).expect("defined inside (0, 1)");
        assert!((lo + hi - 1.0).abs() < 1e-15 && lo < 0.5);
    }
}
