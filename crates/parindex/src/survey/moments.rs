//! The moments of every answer column a tally keeps, and the kernels that add them up: a
//! vector kernel (AVX-512, through `pulp`) for the columns whose codes are a range with a
//! 0/1 share, and a scalar one through a table for every other column (and for every column
//! where the processor has no AVX-512). Both add the same terms in the same order, so the
//! bits do not depend on the processor.

use serde::{Deserialize, Serialize};

use super::questionnaire::{Layout, NO_ANSWER};

/// What one cell's answers to one column add up to: the numbers of valid, positive (share 1)
/// and invalid answers, and the weighted sums the estimates need, with w an answer's design
/// weight, y its share in the column's points (an option's weight in percent, else 0 or 1) and
/// x its score. Blank answers count nowhere.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Moments {
    /// Valid answers.
    pub n: u64,
    /// Valid answers with a share of 1.
    pub positive: u64,
    /// Codes outside the scale (counted when the questionnaire lets them be).
    pub invalid: u64,
    /// Σ w.
    pub w: f64,
    /// Σ w².
    pub w2: f64,
    /// Σ w·y.
    pub wy: f64,
    /// Σ w²·y.
    pub w2y: f64,
    /// Σ w·y².
    pub wy2: f64,
    /// Σ w²·y².
    pub w2y2: f64,
    /// Σ w·x.
    pub wx: f64,
    /// Σ w²·x.
    pub w2x: f64,
    /// Σ w²·x².
    pub w2x2: f64,
}

impl Moments {
    /// Adds another cell's (or part's) moments.
    pub(crate) fn add(&mut self, o: &Moments) {
        self.n += o.n;
        self.positive += o.positive;
        self.invalid += o.invalid;
        self.w += o.w;
        self.w2 += o.w2;
        self.wy += o.wy;
        self.w2y += o.w2y;
        self.wy2 += o.wy2;
        self.w2y2 += o.w2y2;
        self.wx += o.wx;
        self.w2x += o.w2x;
        self.w2x2 += o.w2x2;
    }
}

/// Answer columns per bundle: three vectors of eight `f64` lanes.
pub(super) const LANES: usize = 24;

/// The rows of one cell, as a kernel reads them: row `i`'s first code lies at
/// [`Rows::row`]`(i).0` in the codes, with the row's weight beside it.
pub(super) trait Rows: Copy {
    /// The number of rows.
    fn len(self) -> usize;
    /// Row `i`'s position in the codes, and its weight.
    fn row(self, i: usize) -> (usize, f64);
    /// Where row `i` lies when the hardware does not see it coming (rows picked out of
    /// order): the vector kernel asks for it a few rows ahead.
    #[inline(always)]
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    fn ahead(self, _i: usize) -> Option<usize> {
        None
    }
}

/// Rows one after the other, `stride` bytes apart, one weight each.
#[derive(Clone, Copy)]
pub(super) struct Run<'a> {
    pub(super) stride: usize,
    pub(super) weights: &'a [f64],
}

impl Rows for Run<'_> {
    #[inline(always)]
    fn len(self) -> usize {
        self.weights.len()
    }

    #[inline(always)]
    fn row(self, i: usize) -> (usize, f64) {
        (i * self.stride, self.weights[i])
    }
}

/// Rows picked out of a run by their numbers: `order[first..first + len]`, in that order
/// (the rows after them in `order` are read next, by the next cell: the kernel asks for them
/// ahead too).
#[derive(Clone, Copy)]
pub(super) struct Picked<'a> {
    pub(super) stride: usize,
    pub(super) weights: &'a [f64],
    pub(super) order: &'a [u16],
    pub(super) first: usize,
    pub(super) len: usize,
}

impl Rows for Picked<'_> {
    #[inline(always)]
    fn len(self) -> usize {
        self.len
    }

    #[inline(always)]
    fn row(self, i: usize) -> (usize, f64) {
        let r = usize::from(self.order[self.first + i]);
        (r * self.stride, self.weights[r])
    }

    #[inline(always)]
    fn ahead(self, i: usize) -> Option<usize> {
        self.order.get(self.first + i).map(|&r| usize::from(r) * self.stride)
    }
}

/// The float sums of a bundle lane, in [`Bundle::m`] order.
const W: usize = 0;
const W2: usize = 1;
const WY: usize = 2;
const W2Y: usize = 3;
const WX: usize = 4;
const W2X: usize = 5;
const W2X2: usize = 6;
const WY2: usize = 7;
const W2Y2: usize = 8;

/// The running sums of one cell over [`LANES`] adjacent answer columns (lane = column).
#[derive(Clone, Copy)]
#[repr(C, align(64))]
pub(super) struct Bundle {
    m: [[f64; LANES]; 9],
    /// Valid, positive and invalid answers.
    counts: [[u32; LANES]; 3],
}

impl Bundle {
    pub(super) const ZERO: Bundle = Bundle { m: [[0.0; LANES]; 9], counts: [[0; LANES]; 3] };

    /// Whether a lane counted an answer outside its column's scale.
    pub(super) fn has_invalid(&self) -> bool {
        self.counts[2].iter().any(|&n| n > 0)
    }
}

/// In [`Plan::slot_of`]: no answer, and a code outside the column's scale.
const BLANK: u16 = u16::MAX;
const INVALID: u16 = u16::MAX - 1;

/// The codes of a bundle's vector lanes: valid when `code − lo ≤ span` (wrapping), share 1
/// when `code − ylo ≤ yspan`, score the code itself.
#[derive(Clone, Copy, Default)]
pub(super) struct Ranges {
    lo: [u8; 32],
    span: [u8; 32],
    ylo: [u8; 32],
    yspan: [u8; 32],
    /// The lanes the vector kernel adds, and those of them with a share-1 range.
    lanes: u32,
    ylanes: u32,
}

/// How the kernels read a questionnaire's columns.
pub(super) struct Plan {
    pub(super) columns: usize,
    pub(super) bundles: usize,
    /// Per column and code: the index of its valid code, [`BLANK`] or [`INVALID`].
    slot_of: Vec<[u16; 256]>,
    /// Per column, per valid code: its share y in points and score x.
    values: Vec<Vec<(f64, f64)>>,
    /// Per column, the points of a share of 1.
    scale: Vec<f64>,
    /// Per bundle, its vector lanes (none when the vector kernel does not run).
    ranges: Vec<Ranges>,
    /// The columns the scalar kernel adds: all but the vector lanes.
    scalar: Vec<usize>,
    /// Whether Σw²·x and Σw²·x² are added (the mean scores' standard errors need them); left
    /// at zero when not.
    squares: bool,
}

impl Plan {
    /// The plan for a questionnaire's layout, with the vector kernel where the processor has
    /// it, adding Σw²·x and Σw²·x² when `squares`.
    pub(super) fn new(layout: &Layout, squares: bool) -> Plan {
        Plan::with_vectors(layout, vector::available(), squares)
    }

    pub(super) fn with_vectors(layout: &Layout, vectors: bool, squares: bool) -> Plan {
        let columns = layout.columns.len();
        let bundles = columns.div_ceil(LANES);
        let mut ranges = vec![Ranges::default(); bundles];
        let mut scalar = Vec::new();
        let mut slot_of = Vec::with_capacity(columns);
        let mut values = Vec::with_capacity(columns);
        for (c, column) in layout.columns.iter().enumerate() {
            let mut t = [INVALID; 256];
            t[usize::from(NO_ANSWER)] = BLANK;
            for (k, s) in column.slots.iter().enumerate() {
                t[usize::from(s.code)] = k as u16;
            }
            slot_of.push(t);
            values.push(column.slots.iter().map(|s| (s.points, s.score)).collect());
            match range_of(column).filter(|_| vectors) {
                Some((lo, span, y)) => {
                    let (r, lane) = (&mut ranges[c / LANES], c % LANES);
                    (r.lo[lane], r.span[lane]) = (lo, span);
                    r.lanes |= 1 << lane;
                    if let Some((ylo, yspan)) = y {
                        (r.ylo[lane], r.yspan[lane]) = (ylo, yspan);
                        r.ylanes |= 1 << lane;
                    }
                }
                None => scalar.push(c),
            }
        }
        let scale = layout.columns.iter().map(|c| c.scale).collect();
        Plan { columns, bundles, slot_of, values, scale, ranges, scalar, squares }
    }

    /// Adds the rows of one cell, in their order: `codes` holds row `i`'s columns from byte
    /// `rows.row(i).0` on; each row's weight is added into `total` too (within the first
    /// vector run, where its adds cost nothing).
    pub(super) fn add(&self, codes: &[u8], rows: impl Rows, sums: &mut [Bundle], total: &mut f64) {
        let mut summed = false;
        for (b, (r, sums)) in self.ranges.iter().zip(sums.iter_mut()).enumerate() {
            if r.lanes != 0 {
                let total = (!summed).then_some(&mut *total);
                summed |= vector::add(codes, rows, b * LANES, r, self.squares, sums, total);
            }
        }
        if !summed {
            for i in 0..rows.len() {
                *total += rows.row(i).1;
            }
        }
        for &c in &self.scalar {
            self.add_column(c, codes, rows, &mut sums[c / LANES]);
        }
    }

    /// One column through its table: the terms the vector kernel adds, in its order (Σw² as
    /// an add of w², Σw·y and Σw²·y only where y ≠ 0: the same bits).
    fn add_column(&self, c: usize, codes: &[u8], rows: impl Rows, sums: &mut Bundle) {
        let lane = c % LANES;
        let mut m: [f64; 9] = std::array::from_fn(|k| sums.m[k][lane]);
        let [mut n, mut positive, mut invalid] = [0, 1, 2].map(|k| sums.counts[k][lane]);
        let (slot_of, values, one) = (&self.slot_of[c], &self.values[c], self.scale[c]);
        for i in 0..rows.len() {
            let (at, w) = rows.row(i);
            let s = slot_of[usize::from(codes[at + c])];
            if let Some(&(y, x)) = values.get(usize::from(s)) {
                let w2 = w * w;
                n += 1;
                m[W] += w;
                m[W2] += w2;
                if y != 0.0 {
                    let (wy, w2y) = (w * y, w2 * y);
                    m[WY] += wy;
                    m[W2Y] += w2y;
                    m[WY2] += wy * y;
                    m[W2Y2] += w2y * y;
                }
                positive += u32::from(y == one);
                m[WX] += w * x;
                if self.squares {
                    let w2x = w2 * x;
                    m[W2X] += w2x;
                    m[W2X2] += w2x * x;
                }
            } else {
                invalid += u32::from(s == INVALID);
            }
        }
        for (k, v) in m.into_iter().enumerate() {
            sums.m[k][lane] = v;
        }
        sums.counts[0][lane] = n;
        sums.counts[1][lane] = positive;
        sums.counts[2][lane] = invalid;
    }

    /// The moments of column `c` in a cell's bundles.
    pub(super) fn moments(&self, sums: &[Bundle], c: usize) -> Moments {
        let (b, lane) = (&sums[c / LANES], c % LANES);
        let m = |k: usize| b.m[k][lane];
        // The vector kernel's shares are 0 or 1: y² = y, so its Σw·y² is Σw·y bit for bit.
        let vector = self.ranges[c / LANES].lanes & (1 << lane) != 0;
        let (wy2, w2y2) = if vector { (m(WY), m(W2Y)) } else { (m(WY2), m(W2Y2)) };
        Moments {
            n: u64::from(b.counts[0][lane]),
            positive: u64::from(b.counts[1][lane]),
            invalid: u64::from(b.counts[2][lane]),
            w: m(W),
            w2: m(W2),
            wy: m(WY),
            w2y: m(W2Y),
            wy2,
            w2y2,
            wx: m(WX),
            w2x: m(W2X),
            w2x2: m(W2X2),
        }
    }
}

/// A column the vector kernel can add: valid codes `lo..=lo + span`, each scoring its code,
/// shares 0 or 1 with the 1s on one range (or none).
type RangeOf = (u8, u8, Option<(u8, u8)>);

fn range_of(column: &super::questionnaire::Column) -> Option<RangeOf> {
    let slots = &column.slots;
    let lo = slots.first()?.code;
    let in_range = slots.iter().enumerate().all(|(k, s)| {
        usize::from(s.code) == usize::from(lo) + k
            && s.score == f64::from(s.code)
            && (s.points == 0.0 || s.points == 1.0)
    });
    let ones: Vec<u8> = slots.iter().filter(|s| s.points == 1.0).map(|s| s.code).collect();
    let y = match (ones.first(), ones.last()) {
        (Some(&a), Some(&b)) if usize::from(b - a) + 1 == ones.len() => Some(Some((a, b - a))),
        (None, None) => Some(None),
        _ => None,
    }?;
    (in_range && column.scale == 1.0 && slots.len() <= usize::from(NO_ANSWER))
        .then(|| (lo, (slots.len() - 1) as u8, y))
}

#[cfg(target_arch = "x86_64")]
mod vector {
    //! The vector kernel: per row, the compares of up to 24 codes, then masked adds of
    //! w, w², w·x, w²·x and w²·x² (the last two when the plan keeps them) into sums of eight
    //! (and four) lanes held in registers over the cell's rows.

    use super::{Bundle, Ranges, Rows, W, W2, W2X, W2X2, W2Y, WX, WY};
    use core::arch::x86_64::{__m128i, __m256d, __m256i, __m512d};
    use pulp::bytemuck::cast;
    use pulp::x86::V4;

    pub(super) fn available() -> bool {
        V4::try_new().is_some()
    }

    pub(super) fn add(
        codes: &[u8],
        rows: impl Rows,
        off: usize,
        r: &Ranges,
        squares: bool,
        sums: &mut Bundle,
        total: Option<&mut f64>,
    ) -> bool {
        let Some(simd) = V4::try_new() else { return false };
        let k = Kernel { simd, codes, rows, off, r, sums, total };
        if squares {
            shape::<_, true>(k);
        } else {
            shape::<_, false>(k);
        }
        true
    }

    /// Whole vectors of eight lanes, and a half one (four) where that covers the rest.
    fn shape<R: Rows, const SQ: bool>(k: Kernel<'_, R>) {
        let simd = k.simd;
        match 32 - k.r.lanes.leading_zeros() {
            0..=4 => simd.vectorize(Lanes::<_, 0, true, SQ>(k)),
            5..=8 => simd.vectorize(Lanes::<_, 1, false, SQ>(k)),
            9..=12 => simd.vectorize(Lanes::<_, 1, true, SQ>(k)),
            13..=16 => simd.vectorize(Lanes::<_, 2, false, SQ>(k)),
            17..=20 => simd.vectorize(Lanes::<_, 2, true, SQ>(k)),
            _ => simd.vectorize(Lanes::<_, 3, false, SQ>(k)),
        }
    }

    struct Kernel<'a, R> {
        simd: V4,
        codes: &'a [u8],
        rows: R,
        off: usize,
        r: &'a Ranges,
        sums: &'a mut Bundle,
        /// The weights' running total, when this run adds them up.
        total: Option<&'a mut f64>,
    }

    /// How many rows ahead the kernel asks for the rows it will read.
    const AHEAD: usize = 16;

    /// The bytes the kernel reads from a row at once, from a bundle's first column (a row
    /// with fewer after it in the codes, the last of a batch, is read through a copy).
    const READ: usize = 32;

    /// `G` vectors of eight lanes, then four lanes more when `HALF`; Σw²·x and Σw²·x² when
    /// `SQ`.
    struct Lanes<'a, R, const G: usize, const HALF: bool, const SQ: bool>(Kernel<'a, R>);

    /// The eight bytes of `c` from byte `at` on, as the low half of a vector.
    #[inline(always)]
    fn eight(c: &[u8; 32], at: usize) -> __m128i {
        let mut t = [0u8; 16];
        t[..8].copy_from_slice(&c[at..at + 8]);
        cast(t)
    }

    impl<R: Rows, const G: usize, const HALF: bool, const SQ: bool> pulp::NullaryFnOnce
        for Lanes<'_, R, G, HALF, SQ>
    {
        type Output = ();

        #[inline(always)]
        fn call(self) {
            let Kernel { simd, codes, rows, off, r, sums, total } = self.0;
            let (f, bw, dq, a2, av) = (simd.avx512f, simd.avx512bw, simd.avx512dq, simd.avx2, simd.avx);
            // A bundle's codes and the next eight bytes (lanes that no mask lets through;
            // past the end of the codes, blanks).
            let bytes = |at: usize| -> __m256i {
                let mut t = [u8::MAX; READ];
                match codes.get(at..at + READ) {
                    Some(c) => t.copy_from_slice(c),
                    None => {
                        let c = &codes[at.min(codes.len())..];
                        t[..c.len()].copy_from_slice(c);
                    }
                }
                cast(t)
            };
            let (lanes, ylanes) = (r.lanes, r.ylanes);
            let (lo, span, ylo, yspan): (__m256i, __m256i, __m256i, __m256i) =
                (cast(r.lo), cast(r.span), cast(r.ylo), cast(r.yspan));
            let blank: __m256i = cast([u8::MAX; 32]);
            // −1 in every byte, as a value the compiler does not see: a masked subtraction of
            // it stays one instruction (a known −1 is compiled into a mask made a vector and a
            // subtraction: two).
            let minus_one: __m256i = std::hint::black_box(blank);
            let one = f._mm512_set1_pd(1.0);
            let one4: __m256d = cast([1.0f64; 4]);
            // The sums this kernel adds (without `SQ` the first five: the others stay as they
            // are, neither read nor written).
            let kept = |k: usize| SQ || k < W2X;
            let mut a: [[__m512d; 7]; G] = std::array::from_fn(|g| {
                std::array::from_fn(|k| {
                    let mut t = [0.0f64; 8];
                    if kept(k) {
                        t.copy_from_slice(&sums.m[k][8 * g..8 * g + 8]);
                    }
                    cast(t)
                })
            });
            // The half vector's lanes (when `HALF`).
            let at = 8 * G;
            let mut h: [__m256d; 7] = std::array::from_fn(|k| {
                let mut t = [0.0f64; 4];
                if HALF && kept(k) {
                    t.copy_from_slice(&sums.m[k][at..at + 4]);
                }
                cast(t)
            });
            let mut counts = sums.counts;
            // Σ w in row order, hidden behind the row's vector work.
            let mut weight = total.as_deref().copied().unwrap_or_default();
            // Byte counters, emptied every 255 rows.
            for first in (0..rows.len()).step_by(255) {
                let part = first..rows.len().min(first + 255);
                let zero: __m256i = cast([0u8; 32]);
                let (mut n, mut positive, mut blanks) = (zero, zero, zero);
                for i in part.clone() {
                    if let Some(at) = rows.ahead(i + AHEAD) {
                        let p = codes.as_ptr().wrapping_add(at + off).cast::<i8>();
                        simd.sse._mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(p);
                    }
                    let (row, w) = rows.row(i);
                    weight += w;
                    let c = bytes(row + off);
                    // The lanes' masks within the compares (no separate ands).
                    let valid = bw._mm256_mask_cmple_epu8_mask(lanes, a2._mm256_sub_epi8(c, lo), span);
                    let y = bw._mm256_mask_cmple_epu8_mask(ylanes, a2._mm256_sub_epi8(c, ylo), yspan);
                    let none = bw._mm256_mask_cmpeq_epi8_mask(lanes, c, blank);
                    // Subtracting −1 (all bits set) adds one. The answers outside the scale
                    // are the rest: counted once per part, below.
                    n = bw._mm256_mask_sub_epi8(n, valid, n, minus_one);
                    positive = bw._mm256_mask_sub_epi8(positive, y, positive, minus_one);
                    blanks = bw._mm256_mask_sub_epi8(blanks, none, blanks, minus_one);
                    let (w2, cb) = (w * w, cast::<__m256i, [u8; 32]>(c));
                    let (wv, w2v) = (f._mm512_set1_pd(w), f._mm512_set1_pd(w2));
                    for (g, a) in a.iter_mut().enumerate() {
                        let (v, yy) = ((valid >> (8 * g)) as u8, (y >> (8 * g)) as u8);
                        let x = dq._mm512_cvtepu64_pd(f._mm512_cvtepu8_epi64(eight(&cb, 8 * g)));
                        let wx = f._mm512_mul_pd(wv, x);
                        a[W] = f._mm512_mask_add_pd(a[W], v, a[W], wv);
                        // 1·w² + s rounds once, as w² + s does: the same bits, on the other pipes.
                        a[W2] = f._mm512_mask3_fmadd_pd(one, w2v, a[W2], v);
                        a[WY] = f._mm512_mask_add_pd(a[WY], yy, a[WY], wv);
                        a[W2Y] = f._mm512_mask3_fmadd_pd(one, w2v, a[W2Y], yy);
                        a[WX] = f._mm512_mask_add_pd(a[WX], v, a[WX], wx);
                        if SQ {
                            let w2x = f._mm512_mul_pd(w2v, x);
                            let w2x2 = f._mm512_mul_pd(w2x, x);
                            a[W2X] = f._mm512_mask_add_pd(a[W2X], v, a[W2X], w2x);
                            a[W2X2] = f._mm512_mask_add_pd(a[W2X2], v, a[W2X2], w2x2);
                        }
                    }
                    if HALF {
                        let (v, yy) = (((valid >> at) & 15) as u8, ((y >> at) & 15) as u8);
                        let (wv, w2v): (__m256d, __m256d) = (cast([w; 4]), cast([w2; 4]));
                        let x = dq._mm256_cvtepu64_pd(a2._mm256_cvtepu8_epi64(eight(&cb, at)));
                        let wx = av._mm256_mul_pd(wv, x);
                        h[W] = f._mm256_mask_add_pd(h[W], v, h[W], wv);
                        h[W2] = f._mm256_mask3_fmadd_pd(one4, w2v, h[W2], v);
                        h[WY] = f._mm256_mask_add_pd(h[WY], yy, h[WY], wv);
                        h[W2Y] = f._mm256_mask3_fmadd_pd(one4, w2v, h[W2Y], yy);
                        h[WX] = f._mm256_mask_add_pd(h[WX], v, h[WX], wx);
                        if SQ {
                            let w2x = av._mm256_mul_pd(w2v, x);
                            let w2x2 = av._mm256_mul_pd(w2x, x);
                            h[W2X] = f._mm256_mask_add_pd(h[W2X], v, h[W2X], w2x);
                            h[W2X2] = f._mm256_mask_add_pd(h[W2X2], v, h[W2X2], w2x2);
                        }
                    }
                }
                let (n, positive, blanks): ([u8; 32], [u8; 32], [u8; 32]) =
                    (cast(n), cast(positive), cast(blanks));
                for lane in 0..super::LANES {
                    counts[0][lane] += u32::from(n[lane]);
                    counts[1][lane] += u32::from(positive[lane]);
                    if lanes & (1 << lane) != 0 {
                        counts[2][lane] +=
                            (part.len() - usize::from(n[lane]) - usize::from(blanks[lane])) as u32;
                    }
                }
            }
            for (g, a) in a.iter().enumerate() {
                for (k, v) in a.iter().enumerate().filter(|&(k, _)| kept(k)) {
                    let v: [f64; 8] = cast(*v);
                    sums.m[k][8 * g..8 * g + 8].copy_from_slice(&v);
                }
            }
            if HALF {
                for (k, v) in h.iter().enumerate().filter(|&(k, _)| kept(k)) {
                    let v: [f64; 4] = cast(*v);
                    sums.m[k][at..at + 4].copy_from_slice(&v);
                }
            }
            sums.counts = counts;
            if let Some(total) = total {
                *total = weight;
            }
        }
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod vector {
    use super::{Bundle, Ranges, Rows};

    pub(super) fn available() -> bool {
        false
    }

    pub(super) fn add(
        _: &[u8],
        _: impl Rows,
        _: usize,
        _: &Ranges,
        _: bool,
        _: &mut Bundle,
        _: Option<&mut f64>,
    ) -> bool {
        false
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::survey::questionnaire::Questionnaire;

    /// Every field, floats as bits.
    pub(crate) fn bits(m: &Moments) -> [u64; 12] {
        let f = [m.w, m.w2, m.wy, m.w2y, m.wy2, m.w2y2, m.wx, m.w2x, m.w2x2].map(f64::to_bits);
        [m.n, m.positive, m.invalid, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8]]
    }

    /// Adds one respondent's answers the plain way: the reference for the kernels (Σw²·x and
    /// Σw²·x² only when `squares`).
    pub(crate) fn row_by_row(layout: &Layout, squares: bool, row: &[u8], w: f64, into: &mut [Moments]) {
        for ((column, &code), m) in layout.columns.iter().zip(row).zip(into) {
            match column.slots.iter().find(|s| s.code == code) {
                Some(s) => {
                    let (y, x, w2) = (s.points, s.score, w * w);
                    m.n += 1;
                    m.positive += u64::from(y == column.scale);
                    m.w += w;
                    m.w2 += w2;
                    if y != 0.0 {
                        m.wy += w * y;
                        m.w2y += w2 * y;
                        m.wy2 += w * y * y;
                        m.w2y2 += w2 * y * y;
                    }
                    m.wx += w * x;
                    if squares {
                        m.w2x += w2 * x;
                        m.w2x2 += w2 * x * x;
                    }
                }
                None => m.invalid += u64::from(code != NO_ANSWER),
            }
        }
    }

    #[test]
    fn vector_and_scalar_kernels_give_the_bits_of_a_row_by_row_pass() {
        // Up to 30 columns (two bundles; vectors of 8 and of 4 lanes) of every kind, in runs of
        // 300 rows (more than a byte counter holds), weights whose sums are not exact.
        let kinds = [
            r#"{"type": "satisfaction"}"#,
            r#"{"type": "perception", "min": 0, "max": 10, "positive_from": 6}"#,
            r#"{"type": "options", "options": [{"code": 1, "weight": "100"}, {"code": 2, "weight": "60"}, {"code": 7, "weight": "0"}]}"#,
            r#"{"type": "yes_no", "positive": "no"}"#,
            r#"{"type": "priority", "choose_at_most": 1, "options": [{"code": 1}]}"#,
        ];
        for count in [3, 11, 20, 30] {
            let items: Vec<String> = (0..count)
                .map(|i| format!(r#"{{"code": "I{i}", "kind": {}}}"#, kinds[(i * 7 / 3) % kinds.len()]))
                .collect();
            let q = Questionnaire::from_json(&format!(
                r#"{{"format_version": 1, "id": "k", "items": [{}], "settings": {{"invalid_answers": "count"}}}}"#,
                items.join(",")
            ))
            .expect("valid");
            kernels_match_a_row_by_row_pass(q.layout());
        }
    }

    fn kernels_match_a_row_by_row_pass(layout: &Layout) {
        let columns = layout.columns.len();
        let mut seed = 7u64;
        let mut next = |below: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % below
        };
        let rows = 700;
        // No room after the last row: the vector kernel reads it through a copy.
        let codes: Vec<u8> = (0..rows * columns)
            .map(|_| match next(20) {
                0 => NO_ANSWER,
                1 => [9, 200, 3, 254][next(4) as usize],
                _ => next(12) as u8,
            })
            .collect();
        let weights: Vec<f64> = (0..rows).map(|_| next(10_000) as f64 / 7.0).collect();
        // All rows in runs, and two rows of three picked (the last among them).
        let picked: Vec<u16> = (0..rows as u16).filter(|r| r % 3 != 1).collect();
        for (pick, squares) in [(false, true), (true, true), (false, false), (true, false)] {
            let chosen: Vec<usize> =
                if pick { picked.iter().map(|&r| usize::from(r)).collect() } else { (0..rows).collect() };
            let mut expected = vec![Moments::default(); columns];
            for &r in &chosen {
                let row = &codes[r * columns..(r + 1) * columns];
                row_by_row(layout, squares, row, weights[r], &mut expected);
            }
            let expected: Vec<_> = expected.iter().map(bits).collect();
            for vectors in [false, vector::available()] {
                let plan = Plan::with_vectors(layout, vectors, squares);
                let mut sums = vec![Bundle::ZERO; plan.bundles];
                let mut total = 0.0;
                // In three runs of rows, as blocks bring them (more than a byte counter holds).
                for (from, to) in [(0, 1), (1, 301), (301, chosen.len())] {
                    if pick {
                        let (order, first, len) = (&picked[..], from, to - from);
                        let rows = Picked { stride: columns, weights: &weights, order, first, len };
                        plan.add(&codes, rows, &mut sums, &mut total);
                    } else {
                        let rows = Run { stride: columns, weights: &weights[from..to] };
                        plan.add(&codes[from * columns..], rows, &mut sums, &mut total);
                    }
                }
                let got: Vec<_> = (0..columns).map(|c| bits(&plan.moments(&sums, c))).collect();
                let case =
                    format!("{columns} columns, vectors: {vectors}, picked: {pick}, squares: {squares}");
                assert_eq!(got, expected, "{case}");
                let sum = chosen.iter().fold(0.0, |t, &r| t + weights[r]);
                assert_eq!(total.to_bits(), sum.to_bits());
            }
        }
    }
}
