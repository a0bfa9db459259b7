//! Exact fractions behind every score: `i128` numerator over a positive `i128` denominator.
//!
//! Scoring never rounds: each node's points are an exact fraction of its inputs, and the
//! conversion to [`Decimal`] happens once, when a value leaves the engine (see
//! [`Exact::to_decimal`] and [`Exact::round`]).

use std::cmp::Ordering;
use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// How a value is rounded to a number of decimal places.
///
/// # Examples
///
/// ```
/// use parindex::{Exact, RoundingMode};
/// use rust_decimal::Decimal;
///
/// let x = Exact::new(90_385, 1000).unwrap(); // 90.385
/// assert_eq!(x.round(2, RoundingMode::HalfUp).to_string(), "90.39");
/// assert_eq!(x.round(2, RoundingMode::HalfEven).to_string(), "90.38");
/// assert_eq!(x.round(2, RoundingMode::Down).to_string(), "90.38");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundingMode {
    /// Half away from zero (0.125 → 0.13): the usual rule of published tables.
    #[default]
    HalfUp,
    /// Half to even, "banker's rounding" (0.125 → 0.12).
    HalfEven,
    /// Half toward zero (0.125 → 0.12).
    HalfDown,
    /// Toward zero, truncation (0.129 → 0.12).
    Down,
    /// Away from zero (0.121 → 0.13).
    Up,
}

impl RoundingMode {
    /// The snake_case name used in files (`half_up`, `half_even`, …).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(parindex::RoundingMode::HalfEven.name(), "half_even");
    /// ```
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::HalfUp => "half_up",
            Self::HalfEven => "half_even",
            Self::HalfDown => "half_down",
            Self::Down => "down",
            Self::Up => "up",
        }
    }

    /// Parses a name as written by [`RoundingMode::name`].
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::RoundingMode;
    /// assert_eq!(RoundingMode::from_name("half_up"), Some(RoundingMode::HalfUp));
    /// assert_eq!(RoundingMode::from_name("nearest"), None);
    /// ```
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::HalfUp, Self::HalfEven, Self::HalfDown, Self::Down, Self::Up]
            .into_iter()
            .find(|m| m.name() == name)
    }
}

/// An exact score value: a fraction `numerator / denominator` with a positive denominator.
///
/// Totals, node points and percentages are computed as exact fractions of the inputs, so
/// that a value like 1 ÷ 3 is never rounded before it is published. Convert with
/// [`Exact::to_decimal`] (the nearest [`Decimal`], 28 decimal places at most) or
/// [`Exact::round`] (the published value, rounded once with the methodology's mode).
///
/// # Examples
///
/// ```
/// use parindex::Exact;
///
/// let third = Exact::new(1, 3).unwrap();
/// assert_eq!(third.to_decimal().to_string(), "0.3333333333333333333333333333");
/// assert!(third < Exact::new(34, 100).unwrap());
/// assert_eq!(Exact::new(5, 10).unwrap(), Exact::new(1, 2).unwrap());
/// ```
#[derive(Clone, Copy)]
pub struct Exact {
    num: i128,
    den: i128,
}

impl Exact {
    /// Zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::Exact;
    /// assert_eq!(Exact::ZERO, Exact::new(0, 7).unwrap());
    /// assert_eq!(Exact::ZERO.to_string(), "0");
    /// ```
    pub const ZERO: Exact = Exact { num: 0, den: 1 };

    /// A fraction; `None` when the denominator is not positive.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::Exact;
    /// assert_eq!(Exact::new(3, 4).unwrap().to_string(), "0.75");
    /// assert_eq!(Exact::new(-3, 4).unwrap().to_string(), "-0.75");
    /// assert!(Exact::new(1, 0).is_none());
    /// assert!(Exact::new(3, -4).is_none());
    /// ```
    #[must_use]
    #[inline]
    pub fn new(num: i128, den: i128) -> Option<Exact> {
        (den > 0).then_some(Exact { num, den })
    }

    /// The exact value of a decimal.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::Exact;
    /// use rust_decimal::Decimal;
    ///
    /// let d: Decimal = "14.50".parse().unwrap();
    /// assert_eq!(Exact::from_decimal(d), Exact::new(29, 2).unwrap());
    /// ```
    #[must_use]
    pub fn from_decimal(d: Decimal) -> Exact {
        // A Decimal has at most 28 decimal places: 10^28 fits an i128.
        Exact { num: d.mantissa(), den: pow10(d.scale()).unwrap_or(1) }
    }

    /// The numerator (the fraction is not necessarily reduced).
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::Exact;
    /// assert_eq!(Exact::new(6, 8).unwrap().numerator(), 6);
    /// assert_eq!(Exact::from_decimal("2.50".parse().unwrap()).numerator(), 250);
    /// ```
    #[must_use]
    pub fn numerator(self) -> i128 {
        self.num
    }

    /// The denominator, always positive.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::Exact;
    /// assert_eq!(Exact::new(6, 8).unwrap().denominator(), 8);
    /// assert_eq!(Exact::from_decimal("2.50".parse().unwrap()).denominator(), 100);
    /// ```
    #[must_use]
    pub fn denominator(self) -> i128 {
        self.den
    }

    /// The nearest [`Decimal`] with up to 28 decimal places (ties to even at the last one);
    /// exact whenever the fraction has a finite decimal expansion that fits. Trailing zeros
    /// are removed.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::Exact;
    /// assert_eq!(Exact::new(9039, 100).unwrap().to_decimal().to_string(), "90.39");
    /// assert_eq!(Exact::new(2, 3).unwrap().to_decimal().to_string(), "0.6666666666666666666666666667");
    /// ```
    #[must_use]
    pub fn to_decimal(self) -> Decimal {
        let (neg, mut m, mut r, q) = self.split();
        let mut scale = 0u32;
        while r != 0 && scale < 28 {
            let Some(next) = m.checked_mul(10) else { break };
            if next >= MAX_MANTISSA {
                break;
            }
            let t = r * 10; // r < q < 2^123: no overflow
            m = next + t / q;
            r = t % q;
            scale += 1;
        }
        if r != 0 && (2 * r > q || (2 * r == q && m % 2 == 1)) {
            m += 1;
        }
        while m >= MAX_MANTISSA && scale > 0 {
            m = (m + 5) / 10;
            scale -= 1;
        }
        decimal(neg, m, scale).normalize()
    }

    /// The value rounded to `places` decimal places with `mode`, as published. Rounding an
    /// exact fraction once never suffers the double rounding of rounding a rounded value.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Exact, RoundingMode};
    /// let x = Exact::new(1, 8).unwrap(); // 0.125
    /// assert_eq!(x.round(2, RoundingMode::HalfUp).to_string(), "0.13");
    /// assert_eq!(x.round(2, RoundingMode::HalfDown).to_string(), "0.12");
    /// assert_eq!(x.round(0, RoundingMode::Up).to_string(), "1");
    /// ```
    #[must_use]
    pub fn round(self, places: u32, mode: RoundingMode) -> Decimal {
        let places = places.min(MAX_PLACES);
        let (neg, n, q) = self.bounded();
        // One division when the scaled numerator fits (the usual case), in 64 bits if it can
        // (checked without a 128-bit multiply, which WebAssembly makes a library call).
        let small = u64::try_from(n).ok().zip(POW10_U64.get(places as usize).copied());
        let scaled = match small {
            Some((n, p)) if n <= u64::MAX / p => Some(u128::from(n * p)),
            _ => pow10(places).and_then(|p| n.checked_mul(p as u128)),
        };
        let (mut m, r) = match scaled {
            Some(n) if n <= u64::MAX as u128 && q <= u64::MAX as u128 => {
                let (n, q) = (n as u64, q as u64);
                ((n / q) as i128, (n % q) as i128)
            }
            Some(n) => ((n / q).min(i128::MAX as u128) as i128, (n % q) as i128),
            None => {
                let (_, mut m, mut r, q) = self.split();
                for _ in 0..places {
                    let t = r * 10;
                    m = m.saturating_mul(10).saturating_add(t / q);
                    r = t % q;
                }
                (m, r)
            }
        };
        let q = q as i128;
        let up = match mode {
            _ if r == 0 => false,
            RoundingMode::Down => false,
            RoundingMode::Up => true,
            RoundingMode::HalfUp => 2 * r >= q,
            RoundingMode::HalfDown => 2 * r > q,
            RoundingMode::HalfEven => 2 * r > q || (2 * r == q && m % 2 == 1),
        };
        if up {
            m = m.saturating_add(1);
        }
        decimal(neg, m.min(MAX_MANTISSA - 1), places)
    }

    /// `self + other`, exactly; `None` if it does not fit 128 bits.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::Exact;
    /// let third = Exact::new(1, 3).unwrap();
    /// assert_eq!(third.checked_add(third).unwrap(), Exact::new(2, 3).unwrap());
    /// ```
    #[must_use]
    pub fn checked_add(self, other: Exact) -> Option<Exact> {
        if self.den == other.den {
            return Some(Exact { num: self.num.checked_add(other.num)?, den: self.den });
        }
        let num = self.num.checked_mul(other.den)?.checked_add(other.num.checked_mul(self.den)?)?;
        Some(Exact { num, den: self.den.checked_mul(other.den)? }.reduced())
    }

    /// `self − other`, exactly; `None` if it does not fit 128 bits.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::Exact;
    /// let d = Exact::new(9432, 100).unwrap().checked_sub(Exact::new(8635, 100).unwrap()).unwrap();
    /// assert_eq!(d.to_decimal().to_string(), "7.97");
    /// ```
    #[must_use]
    pub fn checked_sub(self, other: Exact) -> Option<Exact> {
        self.checked_add(Exact { num: other.num.checked_neg()?, den: other.den })
    }

    /// `self × n ÷ d` for `n ≥ 0`, `d > 0`, reducing crosswise before multiplying so that it
    /// stays exact whenever the result fits. Should it still not fit 128 bits, the result
    /// is the nearest 28-place decimal (never reached by validated methodologies in tests).
    pub(crate) fn mul_ratio(self, n: i128, d: i128) -> Exact {
        let g1 = gcd(self.num.unsigned_abs(), d.unsigned_abs()).max(1) as i128;
        let g2 = gcd(n.unsigned_abs(), self.den.unsigned_abs()).max(1) as i128;
        let num = (self.num / g1).checked_mul(n / g2);
        let den = (self.den / g2).checked_mul(d / g1);
        match (num, den) {
            (Some(num), Some(den)) if den > 0 => Exact { num, den },
            _ => {
                let n = Decimal::try_from_i128_with_scale(n, 0).ok();
                let d = Decimal::try_from_i128_with_scale(d, 0).ok();
                let approx = n.zip(d).and_then(|(n, d)| self.to_decimal().checked_mul(n)?.checked_div(d));
                approx.map_or(Exact::ZERO, Exact::from_decimal)
            }
        }
    }

    /// The fraction in lowest terms.
    #[must_use]
    pub(crate) fn reduced(self) -> Exact {
        let g = gcd(self.num.unsigned_abs(), self.den.unsigned_abs());
        if g <= 1 {
            return self;
        }
        // g divides both and is at most den (< 2^127): the casts are exact.
        let g = g as i128;
        Exact { num: self.num / g, den: self.den / g }
    }

    /// Sign, integer part, remainder and denominator, with `remainder < denominator`.
    fn split(self) -> (bool, i128, i128, i128) {
        let (neg, n, q) = self.bounded();
        let m = (n / q).min(i128::MAX as u128) as i128;
        let r = (n % q) as i128; // r < q < 2^123
        (neg, m, r, q as i128)
    }

    /// Sign, |numerator| and denominator with the denominator below 2^123, so that digit
    /// arithmetic (`r · 10`, `2 · r`) cannot overflow. Engine values already are; a huge
    /// denominator built by hand is reduced, then both terms are shifted right — well past
    /// the 28 digits a decimal holds.
    fn bounded(self) -> (bool, u128, u128) {
        const MAX_DEN: u128 = 1 << 123;
        let neg = self.num < 0;
        let (mut n, mut q) = (self.num.unsigned_abs(), self.den.unsigned_abs());
        if q >= MAX_DEN {
            let g = gcd(n, q).max(1);
            (n, q) = (n / g, q / g);
            while q >= MAX_DEN {
                (n, q) = (n >> 1, q >> 1);
            }
        }
        (neg, n, q)
    }
}

const MAX_PLACES: u32 = 28;
const MAX_MANTISSA: i128 = 1 << 96;

fn decimal(neg: bool, m: i128, scale: u32) -> Decimal {
    // m < 2^96 and scale <= 28 by construction; fall back to the maximum for safety.
    let d = Decimal::try_from_i128_with_scale(m, scale).unwrap_or(Decimal::MAX);
    if neg {
        -d
    } else {
        d
    }
}

impl PartialEq for Exact {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Exact {}

impl PartialOrd for Exact {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Exact {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        if self.den == other.den {
            return self.num.cmp(&other.num);
        }
        let (a, b) = (self.num.signum(), other.num.signum());
        if a != b {
            return a.cmp(&b);
        }
        // Same sign: compare |a|·d₂ with |b|·d₁ in 256 bits.
        let l = mul_wide(self.num.unsigned_abs(), other.den.unsigned_abs());
        let r = mul_wide(other.num.unsigned_abs(), self.den.unsigned_abs());
        if a < 0 {
            r.cmp(&l)
        } else {
            l.cmp(&r)
        }
    }
}

impl std::hash::Hash for Exact {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let r = self.reduced();
        r.num.hash(state);
        r.den.hash(state);
    }
}

impl fmt::Debug for Exact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Exact({}/{})", self.num, self.den)
    }
}

impl fmt::Display for Exact {
    /// The unrounded value, as [`Exact::to_decimal`] gives it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_decimal(), f)
    }
}

/// `a × b` as a 256-bit (high, low) pair.
fn mul_wide(a: u128, b: u128) -> (u128, u128) {
    const M: u128 = u64::MAX as u128;
    let (a1, a0) = (a >> 64, a & M);
    let (b1, b0) = (b >> 64, b & M);
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    let mid = (p00 >> 64) + (p01 & M) + (p10 & M);
    let lo = (p00 & M) | (mid << 64);
    let hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    (hi, lo)
}

/// Greatest common divisor (binary-free Euclid; `gcd(0, b) = b`).
pub(crate) fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// `10^n` when it fits.
pub(crate) fn pow10(n: u32) -> Option<i128> {
    POW10_I128.get(n as usize).copied()
}

/// 10⁰ … 10³⁸, every power of ten an `i128` holds: a lookup, not a loop of checked 128-bit
/// multiplications (library calls in WebAssembly).
const POW10_I128: [i128; 39] = {
    let mut t = [1i128; 39];
    let mut i = 1;
    while i < 39 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// 10⁰ … 10¹⁹, every power of ten a `u64` holds.
const POW10_U64: [u64; 20] = {
    let mut t = [1u64; 20];
    let mut i = 1;
    while i < 20 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_multiplication_orders_huge_fractions() {
        let a = Exact::new(i128::MAX - 1, i128::MAX).unwrap_or(Exact::ZERO);
        let b = Exact::new(i128::MAX - 2, i128::MAX - 1).unwrap_or(Exact::ZERO);
        assert!(a > b);
        assert!(Exact::new(-1, 3).unwrap_or(Exact::ZERO) < Exact::new(-1, 4).unwrap_or(Exact::ZERO));
    }

    #[test]
    fn huge_denominators_convert_without_overflow() {
        let half = Exact::new(i128::MAX / 2, i128::MAX).unwrap_or(Exact::ZERO);
        assert_eq!(half.to_decimal().to_string(), "0.5");
        let one = Exact::new((1 << 126) + 1, (1 << 126) + 3).unwrap_or(Exact::ZERO);
        assert_eq!(one.round(2, RoundingMode::HalfUp).to_string(), "1.00");
        assert_eq!(
            Exact::new(i128::MIN, 1).unwrap_or(Exact::ZERO).round(0, RoundingMode::Down),
            -Decimal::MAX
        );
    }

    #[test]
    fn decimal_conversion_is_exact_when_possible() {
        let x = Exact::new(1_234_567, 1000).unwrap_or(Exact::ZERO);
        assert_eq!(x.to_decimal().to_string(), "1234.567");
        let y = Exact::new(-7, 8).unwrap_or(Exact::ZERO);
        assert_eq!(y.to_decimal().to_string(), "-0.875");
        assert_eq!(y.round(2, RoundingMode::HalfUp).to_string(), "-0.88");
        assert_eq!(Exact::ZERO.round(2, RoundingMode::HalfUp).to_string(), "0.00");
    }
}
