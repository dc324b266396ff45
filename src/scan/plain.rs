//! The plain path's vector code on x86_64 (not on bare metal): the plainness test, the fold-point
//! search and the line copy, each written once over a [`Vector`] and compiled twice, for SSE2
//! (the x86_64 baseline) and for AVX2 (chosen at run time through [`crate::cpu::avx2`]).
//!
//! The AVX2 instances live inside `#[target_feature(enable = "avx2,...")]` functions: the generic
//! code is `#[inline(always)]`, so each instance is compiled with the width its caller enables,
//! and one feature check per field picks a whole loop instead of one call per block.
//! A value of type [`Avx2`] exists only after that check succeeded, which is what makes its
//! safe methods sound.

use super::SpaceScan;
use core::arch::x86_64::{
    __m128i, __m256i, _mm256_add_epi8, _mm256_and_si256, _mm256_cmpeq_epi8, _mm256_cmpgt_epi8,
    _mm256_loadu_si256, _mm256_max_epu8, _mm256_min_epi8, _mm256_movemask_epi8, _mm256_or_si256,
    _mm256_set1_epi8, _mm256_storeu_si256, _mm256_testz_si256, _mm_add_epi8, _mm_and_si128,
    _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128,
    _mm_set1_epi8, _mm_storeu_si128,
};

impl SpaceScan for Sse2 {
    #[inline(always)]
    fn rfind_space_in(self, b: &[u8], lo: usize, hi: usize) -> Option<usize> {
        rfind_space_in(self, b, lo, hi)
    }

    #[inline(always)]
    fn find_space(self, b: &[u8], from: usize) -> usize {
        find_space(self, b, from)
    }
}

impl SpaceScan for Avx2 {
    #[inline(always)]
    fn rfind_space_in(self, b: &[u8], lo: usize, hi: usize) -> Option<usize> {
        rfind_space_in(self, b, lo, hi)
    }

    #[inline(always)]
    fn find_space(self, b: &[u8], from: usize) -> usize {
        find_space(self, b, from)
    }
}

/// One vector width: loads, stores and the byte tests of the plain path.
pub(crate) trait Vector: Copy + SpaceScan {
    /// Bytes per vector.
    const W: usize;
    type V: Copy;

    /// Loads `W` bytes.
    ///
    /// # Safety
    /// `p` must be valid for reading `W` bytes.
    unsafe fn load(self, p: *const u8) -> Self::V;

    /// Stores `W` bytes.
    ///
    /// # Safety
    /// `p` must be valid for writing `W` bytes.
    unsafe fn store(self, p: *mut u8, v: Self::V);

    /// What the plainness test found in some vectors, kept in the form that is cheapest to
    /// merge; [`Vector::any_flagged`] reads it.
    type Findings: Copy;

    /// The plainness test of `v` (see [`super`]): flags every byte outside 0x20..=0x7E, every
    /// `?` after `=` and every SP after SP, where `prev` holds the bytes one position before
    /// those of `v`. A byte may also be flagged because the one before it is outside
    /// 0x20..=0x7E, which is flagged in its own position: callers test every byte of a value
    /// and only ask whether anything is flagged.
    fn not_plain(self, v: Self::V, prev: Self::V) -> Self::Findings;

    /// [`Vector::not_plain`] with every `?` flagged instead of only a `?` after `=`: `?` is
    /// rare, so most values pass this cheaper test (one use of `prev`, no `=` compare) and
    /// only a flagged block is tested again exactly.
    fn suspect(self, v: Self::V, prev: Self::V) -> Self::Findings;

    /// The findings of both.
    fn merge(self, a: Self::Findings, b: Self::Findings) -> Self::Findings;

    /// True when some byte was flagged.
    fn any_flagged(self, f: Self::Findings) -> bool;

    /// Bit `i` set when byte `i` of `v` is SP.
    fn spaces(self, v: Self::V) -> u32;
}

/// The x86_64 baseline, 16 bytes per vector.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sse2;

/// AVX2, 32 bytes per vector. The private field keeps the type from being built except by
/// [`Avx2::detect`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Avx2(());

impl Avx2 {
    /// The token, when the CPU has AVX2.
    #[inline]
    pub(crate) fn detect() -> Option<Avx2> {
        crate::cpu::avx2().then_some(Avx2(()))
    }
}

impl Vector for Sse2 {
    const W: usize = 16;
    type V = __m128i;

    #[inline(always)]
    unsafe fn load(self, p: *const u8) -> __m128i {
        // SAFETY: the caller guarantees 16 readable bytes; no alignment is required.
        unsafe { _mm_loadu_si128(p.cast()) }
    }

    #[inline(always)]
    unsafe fn store(self, p: *mut u8, v: __m128i) {
        // SAFETY: the caller guarantees 16 writable bytes; no alignment is required.
        unsafe { _mm_storeu_si128(p.cast(), v) }
    }

    /// Non-zero in every flagged byte.
    type Findings = __m128i;

    #[inline(always)]
    fn not_plain(self, v: __m128i, prev: __m128i) -> __m128i {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        unsafe {
            let is = |x: __m128i, c: u8| _mm_cmpeq_epi8(x, _mm_set1_epi8(c as i8));
            // v + 1 as a signed byte is below 0x21 exactly for 0x00..=0x1F (0x01..=0x20),
            // DEL (-128) and 0x80..=0xFF (negative or 0).
            let bad = _mm_cmpgt_epi8(_mm_set1_epi8(0x21), _mm_add_epi8(v, _mm_set1_epi8(1)));
            // Both SP: the larger is SP (a smaller byte is a control, caught above anyway).
            let sp = is(_mm_max_epu8(v, prev), b' ');
            let eq_q = _mm_and_si128(is(v, b'?'), is(prev, b'='));
            _mm_or_si128(bad, _mm_or_si128(sp, eq_q))
        }
    }

    #[inline(always)]
    fn suspect(self, v: __m128i, prev: __m128i) -> __m128i {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        unsafe {
            let is = |x: __m128i, c: u8| _mm_cmpeq_epi8(x, _mm_set1_epi8(c as i8));
            let bad = _mm_cmpgt_epi8(_mm_set1_epi8(0x21), _mm_add_epi8(v, _mm_set1_epi8(1)));
            let sp = is(_mm_max_epu8(v, prev), b' ');
            _mm_or_si128(bad, _mm_or_si128(sp, is(v, b'?')))
        }
    }

    #[inline(always)]
    fn merge(self, a: __m128i, b: __m128i) -> __m128i {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        unsafe { _mm_or_si128(a, b) }
    }

    #[inline(always)]
    fn any_flagged(self, f: __m128i) -> bool {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        unsafe { _mm_movemask_epi8(_mm_cmpeq_epi8(f, _mm_set1_epi8(0))) != 0xFFFF }
    }

    #[inline(always)]
    fn spaces(self, v: __m128i) -> u32 {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        unsafe { _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8))) as u32 }
    }
}

impl Vector for Avx2 {
    const W: usize = 32;
    type V = __m256i;

    #[inline(always)]
    unsafe fn load(self, p: *const u8) -> __m256i {
        // SAFETY: `self` exists only on a CPU with AVX2; the caller guarantees 32 readable
        // bytes; no alignment is required.
        unsafe { _mm256_loadu_si256(p.cast()) }
    }

    #[inline(always)]
    unsafe fn store(self, p: *mut u8, v: __m256i) {
        // SAFETY: as for `load`, with 32 writable bytes.
        unsafe { _mm256_storeu_si256(p.cast(), v) }
    }

    /// `[low, eq_q]`: a byte is flagged where `low` is below 0x21 (signed) or `eq_q` is
    /// non-zero. Merging takes the minimum of the `low`s, so vectors tested together need
    /// one compare in all.
    type Findings = [__m256i; 2];

    #[inline(always)]
    fn not_plain(self, v: __m256i, prev: __m256i) -> [__m256i; 2] {
        // SAFETY: `self` exists only on a CPU with AVX2.
        unsafe {
            let is = |x: __m256i, c: u8| _mm256_cmpeq_epi8(x, _mm256_set1_epi8(c as i8));
            // As for SSE2, v + 1 is below 0x21 (signed) exactly for the bytes that are not
            // printable ASCII or SP. The larger of `v` and `prev` (unsigned) is below 0x21
            // (signed) for SP after SP, and otherwise only when one of the two is a byte that
            // is flagged at its own position anyway (a control, or 0x80 and above), so one
            // signed minimum tests both; SSE2 has no signed byte minimum.
            let low = _mm256_min_epi8(
                _mm256_add_epi8(v, _mm256_set1_epi8(1)),
                _mm256_max_epu8(v, prev),
            );
            [low, _mm256_and_si256(is(v, b'?'), is(prev, b'='))]
        }
    }

    #[inline(always)]
    fn suspect(self, v: __m256i, prev: __m256i) -> [__m256i; 2] {
        // SAFETY: `self` exists only on a CPU with AVX2.
        unsafe {
            let low = _mm256_min_epi8(
                _mm256_add_epi8(v, _mm256_set1_epi8(1)),
                _mm256_max_epu8(v, prev),
            );
            [low, _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'?' as i8))]
        }
    }

    #[inline(always)]
    fn merge(self, a: [__m256i; 2], b: [__m256i; 2]) -> [__m256i; 2] {
        // SAFETY: `self` exists only on a CPU with AVX2.
        unsafe { [_mm256_min_epi8(a[0], b[0]), _mm256_or_si256(a[1], b[1])] }
    }

    #[inline(always)]
    fn any_flagged(self, [low, eq_q]: [__m256i; 2]) -> bool {
        // SAFETY: `self` exists only on a CPU with AVX2 (which implies AVX's `vptest`).
        unsafe {
            let flags = _mm256_or_si256(_mm256_cmpgt_epi8(_mm256_set1_epi8(0x21), low), eq_q);
            _mm256_testz_si256(flags, flags) == 0
        }
    }

    #[inline(always)]
    fn spaces(self, v: __m256i) -> u32 {
        // SAFETY: `self` exists only on a CPU with AVX2.
        unsafe { _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(b' ' as i8))) as u32 }
    }
}

/// `super::is_plain` with vectors of `S`: the first byte alone (it has no predecessor),
/// then vectors starting at 1, 1 + W, ..., each tested together with the vector one byte
/// before it, the last one overlapping the one before. Values of at most `W` bytes are
/// copied into a buffer padded with `a` (plain, and neither `=` nor SP before the first byte),
/// except that AVX2 tests values of 17 to 32 bytes as two SSE2 vectors in place.
#[inline(always)]
pub(crate) fn is_plain<S: Vector>(s: S, b: &[u8]) -> bool {
    let n = b.len();
    if n <= S::W {
        if S::W > 16 && n > 16 {
            // Two overlapping 16-byte vectors, at 1 and at `n - 16`, instead of the padded
            // copy below (a call to `memcpy` for most lengths).
            if !matches!(b.first(), Some(0x20..=0x7E)) {
                return false;
            }
            let p = b.as_ptr();
            // SAFETY: `17 <= n`, so `p[0..16]`, `p[1..17]`, `p[n - 17..n - 1]` and
            // `p[n - 16..n]` lie within `b`.
            let bad = unsafe {
                Sse2.merge(
                    Sse2.not_plain(Sse2.load(p.add(1)), Sse2.load(p)),
                    Sse2.not_plain(Sse2.load(p.add(n - 16)), Sse2.load(p.add(n - 17))),
                )
            };
            return !Sse2.any_flagged(bad);
        }
        let mut padded = [b'a'; 64];
        if let Some(dst) = padded.get_mut(1..=n) {
            dst.copy_from_slice(b);
        }
        // SAFETY: `padded` holds 64 >= W + 1 bytes, so both loads are in bounds.
        let bad = unsafe {
            let p = padded.as_ptr();
            s.not_plain(s.load(p.add(1)), s.load(p))
        };
        return !s.any_flagged(bad);
    }
    if !matches!(b.first(), Some(0x20..=0x7E)) {
        return false;
    }
    let p = b.as_ptr();
    let mut i = 1;
    // SAFETY (every `group*_is_plain` below): each block loads W bytes at an offset `o` with
    // `o + W <= n`, and W bytes at `o - 1` with `o >= 1`; the loop conditions and `n > W`
    // guarantee both.
    // Eight vectors per test, then at most one group of four: the values this path sees are
    // mostly plain, so the test rarely ends the loop early and costs less when it runs less
    // often.
    // Each group is first tested with [`Vector::suspect`]; only a group it flags (one with a
    // `?`, or not plain) is tested again exactly.
    while i + 8 * S::W <= n {
        let at = [i, i + S::W, i + 2 * S::W, i + 3 * S::W];
        let at2 = at.map(|o| o + 4 * S::W);
        if unsafe { !group8_is_plain(s, p, at, at2) } {
            return false;
        }
        i += 8 * S::W;
    }
    if i + 4 * S::W <= n {
        let at = [i, i + S::W, i + 2 * S::W, i + 3 * S::W];
        if unsafe { !group_is_plain(s, p, at) } {
            return false;
        }
        i += 4 * S::W;
    }
    // Fewer than four vectors are left: always four blocks, at `i`, `i + W`, `i + 2W` (each
    // at most the last one) and the last, `n - W`, so no branch depends on the length
    // (a loop over what is left mispredicts on values of mixed lengths).
    let last = n - S::W;
    let at = [
        i.min(last),
        (i + S::W).min(last),
        (i + 2 * S::W).min(last),
        last,
    ];
    unsafe { group_is_plain(s, p, at) }
}

/// [`Vector::suspect`] of the four blocks at `p + o` (`o` in `at`).
///
/// # Safety
/// As for [`block`], at each offset.
#[inline(always)]
unsafe fn quick4<S: Vector>(s: S, p: *const u8, [a, b, c, d]: [usize; 4]) -> S::Findings {
    // SAFETY: the caller guarantees the ranges of every block.
    unsafe {
        let quick = |o| s.suspect(s.load(p.add(o)), s.load(p.add(o - 1)));
        s.merge(s.merge(quick(a), quick(b)), s.merge(quick(c), quick(d)))
    }
}

/// [`Vector::not_plain`] of the four blocks at `p + o` (`o` in `at`), for the rare group that
/// [`quick4`] flags.
///
/// # Safety
/// As for [`block`], at each offset.
#[inline(always)]
unsafe fn exact4<S: Vector>(s: S, p: *const u8, [a, b, c, d]: [usize; 4]) -> S::Findings {
    // Through `black_box` the compiler cannot tell these loads are the ones of `quick4`, so
    // it does not keep those in registers for this rare path, and folds each `prev` load
    // into its one use here (one instruction per vector less).
    let p = core::hint::black_box(p);
    // SAFETY: the caller guarantees the ranges of every block.
    unsafe {
        s.merge(
            s.merge(block(s, p, a), block(s, p, b)),
            s.merge(block(s, p, c), block(s, p, d)),
        )
    }
}

/// Whether the four blocks at `p + o` (`o` in `at`) are plain: [`Vector::suspect`] first, and
/// [`Vector::not_plain`] only when that flags something.
///
/// # Safety
/// As for [`block`], at each offset.
#[inline(always)]
unsafe fn group_is_plain<S: Vector>(s: S, p: *const u8, at: [usize; 4]) -> bool {
    // SAFETY: the caller guarantees the ranges of every block.
    unsafe { !s.any_flagged(quick4(s, p, at)) || !s.any_flagged(exact4(s, p, at)) }
}

/// [`group_is_plain`] of eight blocks, `at` and `at2`, with one test of what they found.
///
/// # Safety
/// As for [`block`], at each offset.
#[inline(always)]
unsafe fn group8_is_plain<S: Vector>(s: S, p: *const u8, at: [usize; 4], at2: [usize; 4]) -> bool {
    // SAFETY: the caller guarantees the ranges of every block.
    unsafe {
        !s.any_flagged(s.merge(quick4(s, p, at), quick4(s, p, at2)))
            || !s.any_flagged(s.merge(exact4(s, p, at), exact4(s, p, at2)))
    }
}

/// [`Vector::not_plain`] of the `W` bytes at `p + o`.
///
/// # Safety
/// `p + o - 1 .. p + o + W` must be readable (so `o >= 1`).
#[inline(always)]
unsafe fn block<S: Vector>(s: S, p: *const u8, o: usize) -> S::Findings {
    // SAFETY: the caller guarantees both ranges.
    unsafe { s.not_plain(s.load(p.add(o)), s.load(p.add(o - 1))) }
}

/// Index of the last SP in `b`: vectors from the end, the last (partial) one overlapping and
/// masked to the bytes not yet seen; a `b` shorter than a vector byte by byte.
#[inline(always)]
pub(crate) fn rfind_space<S: Vector>(s: S, b: &[u8]) -> Option<usize> {
    let n = b.len();
    if n < S::W {
        return b.iter().rposition(|&c| c == b' ');
    }
    let p = b.as_ptr();
    let mut end = n;
    while end >= S::W {
        // SAFETY: `end - W .. end` lies within `b`.
        let hits = s.spaces(unsafe { s.load(p.add(end - S::W)) });
        if hits != 0 {
            return Some(end - S::W + (31 - hits.leading_zeros() as usize));
        }
        end -= S::W;
    }
    if end == 0 {
        return None;
    }
    // SAFETY: `n >= W`, so `0..W` lies within `b`; only bits below `end` are new.
    let hits = s.spaces(unsafe { s.load(p) }) & ((1u32 << end) - 1);
    (hits != 0).then(|| 31 - hits.leading_zeros() as usize)
}

/// Index of the first SP in `b` at or after `from`, or `b.len()`.
#[inline(always)]
pub(crate) fn find_space<S: Vector>(s: S, b: &[u8], from: usize) -> usize {
    let n = b.len();
    let mut i = from.min(n);
    let p = b.as_ptr();
    while i + S::W <= n {
        // SAFETY: `i .. i + W` lies within `b`.
        let hits = s.spaces(unsafe { s.load(p.add(i)) });
        if hits != 0 {
            return i + hits.trailing_zeros() as usize;
        }
        i += S::W;
    }
    b.get(i..)
        .and_then(|rest| rest.iter().position(|&c| c == b' '))
        .map_or(n, |k| i + k)
}

/// The last SP in `text[lo..=hi]`: first the one vector that ends at `hi` (where the fold
/// point of a line nearly always is), then the whole window from the end.
#[inline(always)]
pub(crate) fn rfind_space_in<S: Vector>(s: S, text: &[u8], lo: usize, hi: usize) -> Option<usize> {
    if lo + S::W <= hi + 1 && hi < text.len() {
        let start = hi + 1 - S::W;
        // SAFETY: `start .. hi + 1` lies within `text`.
        let hits = s.spaces(unsafe { s.load(text.as_ptr().add(start)) });
        if hits != 0 {
            return Some(start + (31 - hits.leading_zeros() as usize));
        }
    }
    rfind_space(s, text.get(lo..=hi)?).map(|i| lo + i)
}

/// Copies `n` bytes from `p` to `d` with whole vectors, the last one overlapping the one
/// before; shorter runs with two overlapping moves of 16, 8 or 4 bytes, or byte by byte.
///
/// # Safety
/// `p` must be valid for reading and `d` for writing `n` bytes; the two may not overlap.
#[inline(always)]
pub(crate) unsafe fn copy<S: Vector>(s: S, d: *mut u8, p: *const u8, n: usize) {
    // SAFETY: every access covers `i .. i + k` with `i + k <= n`.
    unsafe {
        if n >= S::W && n <= 3 * S::W {
            // A folded line of the usual lengths: three vectors whatever the length (the
            // middle and the last one overlap the others as needed), where a loop would
            // mispredict on lines of mixed lengths.
            let mid = (n - S::W).min(S::W);
            let (a, b, c) = (s.load(p), s.load(p.add(mid)), s.load(p.add(n - S::W)));
            s.store(d, a);
            s.store(d.add(mid), b);
            s.store(d.add(n - S::W), c);
        } else if n >= S::W {
            let mut i = 0;
            while i + S::W < n {
                s.store(d.add(i), s.load(p.add(i)));
                i += S::W;
            }
            s.store(d.add(n - S::W), s.load(p.add(n - S::W)));
        } else if n >= 16 {
            let (a, b) = (Sse2.load(p), Sse2.load(p.add(n - 16)));
            Sse2.store(d, a);
            Sse2.store(d.add(n - 16), b);
        } else if n >= 8 {
            let a = p.cast::<u64>().read_unaligned();
            let b = p.add(n - 8).cast::<u64>().read_unaligned();
            d.cast::<u64>().write_unaligned(a);
            d.add(n - 8).cast::<u64>().write_unaligned(b);
        } else if n >= 4 {
            let a = p.cast::<u32>().read_unaligned();
            let b = p.add(n - 4).cast::<u32>().read_unaligned();
            d.cast::<u32>().write_unaligned(a);
            d.add(n - 4).cast::<u32>().write_unaligned(b);
        } else {
            for i in 0..n {
                d.add(i).write(p.add(i).read());
            }
        }
    }
}

/// AVX2 instance of [`is_plain`].
#[cfg(test)]
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
pub(crate) fn is_plain_avx2(s: Avx2, b: &[u8]) -> bool {
    is_plain(s, b)
}

/// SSE2 instance of [`is_plain`].
#[cfg(test)]
pub(crate) fn is_plain_sse2(b: &[u8]) -> bool {
    is_plain(Sse2, b)
}
