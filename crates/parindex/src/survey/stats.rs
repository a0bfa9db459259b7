//! The few statistical functions the survey estimates need.

/// The standard normal quantile: `normal_quantile(0.975)` ≈ 1.959963984540054.
pub(crate) fn normal_quantile(p: f64) -> f64 {
    -std::f64::consts::SQRT_2 * statrs::function::erf::erfc_inv(2.0 * p)
}

/// The Wilson score interval of `k` successes in `n` trials at quantile `z`.
pub(crate) fn wilson(k: f64, n: f64, z: f64) -> (f64, f64) {
    let p = k / n;
    let z2 = z * z;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = z / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// The interval of a proportion `p` with standard error `se` built on the logit scale
/// (as `svyciprop(method = "logit", df = Inf)` does); `None` at 0 or 1, where it is undefined.
pub(crate) fn logit_interval(p: f64, se: f64, z: f64) -> Option<(f64, f64)> {
    if !(p > 0.0 && p < 1.0) {
        return None;
    }
    let centre = (p / (1.0 - p)).ln();
    let half = z * se / (p * (1.0 - p));
    let expit = |x: f64| 1.0 / (1.0 + (-x).exp());
    Some((expit(centre - half), expit(centre + half)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_published_values() {
        assert!((normal_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-15);
        assert!((normal_quantile(0.95) - 1.644_853_626_951_472_2).abs() < 1e-15);
        assert!((normal_quantile(0.995) - 2.575_829_303_548_901).abs() < 1e-14);
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
