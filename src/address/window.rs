//! Byte-class masks of up to 64 bytes of an address list, from an element's first byte, for
//! the whole-element reader (`super::window_element`): one classification of the window,
//! then the element's structure (where the quotes, `<`, `>` and the comma are, whether every
//! byte belongs where it stands) is bit arithmetic on these masks instead of a dispatch on
//! every byte. SSE2 (the x86_64 baseline) and AVX2 (at run time) compute the masks; the
//! byte-by-byte `Win::bytewise` is the portable version and their definition in the tests.
//!
//! Only the classes the readers tell apart by masks are kept (seven, not one per delimiter):
//! the delimiters a reader finds at a known place (`<`, `>`, `,`) are checked there by one
//! byte load, and the specials taken only inside quotes are just "not plain". Each class
//! costs a compare and a movemask per vector plus its share of the shifts that assemble the
//! window, so fewer classes is most of what makes the window cheap.

/// Bit `k` of each mask is about byte `i + k` of the value (`i` the window's start); bits at
/// and past [`Win::len`] are clear in every mask.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Win {
    /// Bytes in the window: 64, or what is left of the value.
    pub len: u32,
    pub space: u64,
    pub quote: u64,
    pub at: u64,
    pub dot: u64,
    /// Non-ASCII.
    pub high: u64,
    /// Controls (HTAB, CR and LF too), DEL, `\` and `=`: bytes the window reader leaves to
    /// the other readers wherever they stand (white space other than SP, caller folds,
    /// quoted-pairs, `=?`).
    pub hard: u64,
    /// atext other than `=`: the bytes of atoms and dot-atoms that need no closer look.
    /// Everything else (`(` `)` `,` `:` `;` `<` `>` `[` `]`) is in no class.
    pub plain: u64,
}

/// Masks in the order the vector versions produce them: space, quote, at, dot, high, hard
/// (may include non-ASCII bytes), and `np`: the bytes that are not plain, non-ASCII ones
/// included. [`Win::from_masks`] cleans them up.
const MASKS: usize = 7;

impl Win {
    /// The window of `len` bytes from its seven raw masks (see [`MASKS`]), cut to the window.
    #[inline(always)]
    fn from_masks(m: [u64; MASKS], len: u32) -> Win {
        let valid = below(len);
        let [space, quote, at, dot, high, hard, np] = m;
        let high = high & valid;
        Win {
            len,
            space: space & valid,
            quote: quote & valid,
            at: at & valid,
            dot: dot & valid,
            high,
            hard: hard & valid & !high,
            plain: valid & !np,
        }
    }

    /// The window's bits.
    #[inline(always)]
    pub fn valid(&self) -> u64 {
        below(self.len)
    }

    /// atext other than `=` ([`Win::plain`]).
    #[inline(always)]
    pub fn plain(&self) -> u64 {
        self.plain
    }

    /// The masks of `b[i..]` (up to 64 bytes) byte by byte: the portable version and the
    /// definition the vector versions are tested against.
    #[cfg(any(test, not(all(target_arch = "x86_64", not(target_os = "none")))))]
    pub fn bytewise(b: &[u8], i: usize) -> Win {
        let rest = b.get(i..).unwrap_or_default();
        let rest = rest.get(..64).unwrap_or(rest);
        let mut w = Win {
            len: rest.len() as u32,
            ..Win::default()
        };
        for (k, &c) in rest.iter().enumerate() {
            let bit = 1u64 << k;
            let mask = match c {
                b' ' => &mut w.space,
                b'"' => &mut w.quote,
                b'@' => &mut w.at,
                b'.' => &mut w.dot,
                0x80..=0xFF => &mut w.high,
                0..=0x1F | 0x7F | b'\\' | b'=' => &mut w.hard,
                c if is_plain(c) => &mut w.plain,
                _ => continue,
            };
            *mask |= bit;
        }
        w
    }
}

/// atext other than `=` (compile-time, for the tables below and the definition).
const fn is_plain(c: u8) -> bool {
    c != b'=' && crate::phrase::is_atext(c)
}

/// The hard bytes ([`Win::hard`]).
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
const fn is_hard(c: u8) -> bool {
    c < 0x20 || c == 0x7F || c == b'\\' || c == b'='
}

/// For a set of ASCII bytes (the hard ones, or the plain ones): entry `lo` has bit `r` set
/// when byte `r << 4 | lo` is in the set (`r` 0 to 7). With [`ROW_BITS`] looked up by the
/// high nibble, `LO[lo] & ROW_BITS[hi] != 0` exactly for the members: any set of ASCII
/// bytes costs two table look-ups (`pshufb`), and non-ASCII bytes, whose row bit is 0, are
/// in none. The AVX2 version looks up the plain set and keeps the bytes outside it (`np`,
/// non-ASCII included) as they come from the compare: the not-plain set looked up instead
/// took an inversion and a merge with the non-ASCII mask for every window.
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
const fn lo_table(hard: bool) -> [u8; 16] {
    let mut t = [0u8; 16];
    let mut lo = 0;
    while lo < 16 {
        let mut r = 0;
        while r < 8 {
            let c = (r << 4 | lo) as u8;
            if (hard && is_hard(c)) || (!hard && is_plain(c)) {
                t[lo] |= 1 << r;
            }
            r += 1;
        }
        lo += 1;
    }
    t
}

#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
const ROW_BITS: [u8; 16] = [1, 2, 4, 8, 16, 32, 64, 128, 0, 0, 0, 0, 0, 0, 0, 0];
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
const LO_PLAIN: [u8; 16] = lo_table(false);
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
const LO_HARD: [u8; 16] = lo_table(true);

/// Bits `0..k` (all of them for `k >= 64`).
#[inline(always)]
pub(crate) fn below(k: u32) -> u64 {
    !from(k)
}

/// Bits `k..64` (none for `k >= 64`).
#[inline(always)]
pub(crate) fn from(k: u32) -> u64 {
    u64::MAX.checked_shl(k).unwrap_or(0)
}

/// Whether bit `k` of `m` is set (false for `k >= 64`).
#[inline(always)]
pub(crate) fn has(m: u64, k: u32) -> bool {
    m.checked_shr(k).unwrap_or(0) & 1 != 0
}

/// The masks of `b[i..]` (up to 64 bytes), computed with the fastest way the CPU has.
#[inline]
pub(crate) fn window(b: &[u8], i: usize) -> Win {
    #[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
    {
        if crate::cpu::avx2() {
            // SAFETY: the CPU supports AVX2 (checked at run time just above).
            return unsafe { x86::window_avx2(b, i) };
        }
        x86::window_sse2(b, i)
    }
    #[cfg(not(all(target_arch = "x86_64", not(target_os = "none"))))]
    {
        Win::bytewise(b, i)
    }
}

/// [`window`] for readers that look at neither quotes nor hard bytes (an element that does
/// not start with `"`: its name words, its addr-spec and what follows it use only the
/// space, `@`, `.`, non-ASCII and plain masks): those two masks may be left zero, which
/// saves their classification where the CPU has AVX2 (two table look-ups, a compare and the
/// moves of each per 32 bytes). Every other mask is [`window`]'s.
#[inline]
pub(crate) fn window_lite(b: &[u8], i: usize) -> Win {
    #[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
    {
        if crate::cpu::avx2() {
            // SAFETY: the CPU supports AVX2 (checked at run time just above).
            return unsafe { x86::window_lite_avx2(b, i) };
        }
    }
    window(b, i)
}

/// [`window`] (with `FULL`) or [`window_lite`] (without), for code compiled for AVX2 when
/// `AVX2`: the vector version is called straight, with no run-time check, so that it
/// inlines into its caller there ([`super::window_element_k`] in the AVX2 list loop).
///
/// # Safety
/// With `AVX2`, the CPU must support AVX2 (`crate::cpu::avx2()`).
#[inline(always)]
pub(crate) unsafe fn window_k<const AVX2: bool, const FULL: bool>(b: &[u8], i: usize) -> Win {
    #[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
    if AVX2 {
        // SAFETY: the caller's contract.
        return unsafe { x86::window_avx2_k::<FULL>(b, i) };
    }
    if FULL {
        window(b, i)
    } else {
        window_lite(b, i)
    }
}

#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
pub(crate) mod x86 {
    use super::{Win, LO_HARD, LO_PLAIN, MASKS, ROW_BITS};
    use core::arch::x86_64::*;

    /// The 64 bytes of a value of 64 bytes or more the window is classified from, and how
    /// many bits to drop from the front of their masks: `b[i..i + 64]`, or near the end of
    /// the value its last 64 bytes (dropping those before `i`, fewer than 64). `None` for
    /// shorter values, and at the end of the value (an empty window).
    ///
    /// Without a branch on how much of the value is left (it mispredicts with the lengths of
    /// the elements): the 64 bytes start at `i` or at the value's last 64, whichever is
    /// first, and the bits before `i` are dropped.
    #[inline(always)]
    fn bytes(b: &[u8], i: usize) -> Option<(&[u8; 64], u32, u32)> {
        let last = b.len().checked_sub(64)?;
        if i >= b.len() {
            return None;
        }
        let base = i.min(last);
        let chunk = b.get(base..).and_then(|t| t.first_chunk::<64>())?;
        let len = (b.len() - i).min(64) as u32;
        Some((chunk, len, (i - base) as u32))
    }

    /// The masks of the 64 bytes [`bytes`] found, classified `step` bytes per vector (`N`
    /// vectors), each vector's masks shifted into place, then `shift` bits dropped from the
    /// front.
    ///
    /// `N` is a constant, so the loops unroll into shifts by constants. The 64 bytes end at
    /// the end of the value whenever `shift` is not 0, so the shift itself clears the bits
    /// past the value (past `len`) in every mask that sets bits only for bytes it holds:
    /// only the not-plain mask, whose complement is kept, is cut to the window, not all
    /// seven as [`Win::from_masks`] does (five `and`s per window fewer).
    #[inline(always)]
    fn assemble<const N: usize>(parts: &[[u64; MASKS]; N], step: u32, len: u32, shift: u32) -> Win {
        let mut m = [0u64; MASKS];
        for (k, part) in parts.iter().enumerate() {
            for (acc, &p) in m.iter_mut().zip(part) {
                *acc |= p << (step * k as u32);
            }
        }
        let [space, quote, at, dot, high, hard, np] = m.map(|x| x >> (shift & 63));
        Win {
            len,
            space,
            quote,
            at,
            dot,
            high,
            hard: hard & !high,
            plain: super::below(len) & !np,
        }
    }

    /// The raw masks (see [`super::MASKS`]) of one 16-byte block, SSE2: compares only (no
    /// byte shuffle in SSE2), the not-plain bytes as the union of their ranges.
    #[inline(always)]
    fn block_masks(block: &[u8; 16]) -> [u64; MASKS] {
        // SAFETY: SSE2 is part of the x86_64 baseline; `block` is 16 readable bytes and
        // `_mm_loadu_si128` has no alignment requirement; the rest computes on registers.
        unsafe {
            let v = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
            let is = |c: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8));
            // `lo..=hi`, unsigned: shift the range down to start at -128, compare signed.
            let in_range = |lo: u8, hi: u8| {
                let shifted = _mm_add_epi8(v, _mm_set1_epi8(128u8.wrapping_sub(lo) as i8));
                _mm_cmplt_epi8(shifted, _mm_set1_epi8((128u8 + (hi - lo) + 1) as i8))
            };
            let or = |a, b| _mm_or_si128(a, b);
            let mm = |m: __m128i| _mm_movemask_epi8(m) as u32 as u64;
            let (sp, quote, at, dot) = (is(b' '), is(b'"'), is(b'@'), is(b'.'));
            // Signed: below 0x20 covers the controls and every non-ASCII byte.
            let low = _mm_cmpgt_epi8(_mm_set1_epi8(0x20), v);
            let hard = or(or(low, is(0x7F)), or(is(b'\\'), is(b'=')));
            // Not plain: the hard bytes, SP, `"` `.` `@`, and `(` `)` `,` `:`..`>` `[` `]`.
            let specials = or(
                or(in_range(b'(', b')'), is(b',')),
                or(in_range(b':', b'>'), in_range(b'[', b']')),
            );
            let np = or(or(hard, sp), or(or(quote, at), or(dot, specials)));
            [mm(sp), mm(quote), mm(at), mm(dot), mm(v), mm(hard), mm(np)]
        }
    }

    /// The raw masks of 32 bytes with AVX2. The hard and the plain bytes are each one set
    /// looked up by nibbles ([`super::lo_table`]): two `pshufb`, an `and` and a compare
    /// per set instead of a compare per range.
    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    #[inline]
    fn masks32<const FULL: bool>(block: &[u8; 32]) -> [u64; MASKS] {
        // SAFETY: `block` is 32 readable bytes; no alignment requirement.
        masks_v::<FULL>(unsafe { _mm256_loadu_si256(block.as_ptr().cast::<__m256i>()) })
    }

    /// [`masks32`] of 32 loaded bytes; without `FULL`, the quote and hard masks are left
    /// zero (not computed: see [`super::window_lite`]).
    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    #[inline]
    pub(crate) fn masks_v<const FULL: bool>(v: __m256i) -> [u64; MASKS] {
        // SAFETY: each table is 16 readable bytes; no alignment requirement.
        let (row_bits, lo_hard, lo_plain) = unsafe {
            (
                _mm_loadu_si128(ROW_BITS.as_ptr().cast::<__m128i>()),
                _mm_loadu_si128(LO_HARD.as_ptr().cast::<__m128i>()),
                _mm_loadu_si128(LO_PLAIN.as_ptr().cast::<__m128i>()),
            )
        };
        // Macros rather than closures: a closure would not inherit the AVX2 target feature
        // of the function it stands in.
        macro_rules! mm {
            ($m:expr) => {
                _mm256_movemask_epi8($m) as u32 as u64
            };
        }
        macro_rules! is {
            ($c:expr) => {
                _mm256_cmpeq_epi8(v, _mm256_set1_epi8($c as i8))
            };
        }
        let nibble = _mm256_set1_epi8(0x0F);
        let lo = _mm256_and_si256(v, nibble);
        let hi = _mm256_and_si256(_mm256_srli_epi16::<4>(v), nibble);
        let rows = _mm256_shuffle_epi8(_mm256_broadcastsi128_si256(row_bits), hi);
        let zero = _mm256_setzero_si256();
        // Bytes outside the set: no bit of their row in the entry of their low nibble.
        macro_rules! outside {
            ($t:expr) => {
                _mm256_movemask_epi8(_mm256_cmpeq_epi8(
                    _mm256_and_si256(
                        _mm256_shuffle_epi8(_mm256_broadcastsi128_si256($t), lo),
                        rows,
                    ),
                    zero,
                )) as u32
            };
        }
        let np = u64::from(outside!(lo_plain));
        let (quote, hard) = if FULL {
            (mm!(is!(b'"')), u64::from(!outside!(lo_hard)))
        } else {
            (0, 0)
        };
        [
            mm!(is!(b' ')),
            quote,
            mm!(is!(b'@')),
            mm!(is!(b'.')),
            mm!(v),
            hard,
            np,
        ]
    }

    /// The first and the last 16 bytes of `s` as one vector, the first in the low half (they
    /// overlap under 32 bytes); `None` under 16 bytes.
    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    #[inline]
    pub(crate) fn head_tail16(s: &[u8]) -> Option<__m256i> {
        let head = s.first_chunk::<16>()?;
        let tail = s.last_chunk::<16>()?;
        // SAFETY: both halves are 16 readable bytes; no alignment requirement.
        unsafe {
            let (lo, hi) = (
                _mm_loadu_si128(head.as_ptr().cast::<__m128i>()),
                _mm_loadu_si128(tail.as_ptr().cast::<__m128i>()),
            );
            Some(_mm256_set_m128i(hi, lo))
        }
    }

    /// Under 16 bytes of `rest`: one 16-byte block holding them, copied with two
    /// overlapping 8- or 4-byte moves, zeros after them (whose bits the caller clears).
    #[inline(always)]
    pub(crate) fn pad16(rest: &[u8]) -> [u8; 16] {
        let n = rest.len();
        let mut pad = [0u8; 16];
        macro_rules! pair {
            ($w:expr) => {
                if let (Some(head), Some(tail)) = (
                    rest.first_chunk::<$w>(),
                    rest.get(n - $w..).and_then(|r| r.first_chunk::<$w>()),
                ) {
                    if let Some(d) = pad.first_chunk_mut::<$w>() {
                        *d = *head;
                    }
                    if let Some(d) = pad
                        .get_mut(n - $w..)
                        .and_then(|p| p.first_chunk_mut::<$w>())
                    {
                        *d = *tail;
                    }
                }
            };
        }
        if n >= 8 {
            pair!(8);
        } else if n >= 4 {
            pair!(4);
        } else {
            for (d, &c) in pad.iter_mut().zip(rest) {
                *d = c;
            }
        }
        pad
    }

    /// [`super::window`] of a value shorter than 64 bytes (a display name, a one-mailbox
    /// list), without copying it into a 64-byte pad first: 16-byte blocks from the start
    /// and one ending at the end of the value (overlapping the one before it, whose bytes
    /// it classifies alike); under 16 bytes, one block copied by [`pad16`].
    #[inline(always)]
    fn window_short(b: &[u8], i: usize) -> Win {
        let rest = b.get(i..).unwrap_or_default();
        let n = rest.len();
        let mut m = [0u64; MASKS];
        let mut add = |block: &[u8; 16], at: usize| {
            for (acc, x) in m.iter_mut().zip(block_masks(block)) {
                *acc |= x << at;
            }
        };
        if n >= 16 {
            let mut at = 0;
            while let Some(block) = rest.get(at..).and_then(|r| r.first_chunk::<16>()) {
                add(block, at);
                at += 16;
            }
            if at < n {
                if let Some(block) = rest.get(n - 16..).and_then(|r| r.first_chunk::<16>()) {
                    add(block, n - 16);
                }
            }
        } else {
            add(&pad16(rest), 0);
        }
        Win::from_masks(m, n as u32)
    }

    /// [`super::window`] with SSE2 (the x86_64 baseline), 16 bytes at a time.
    #[inline]
    pub(crate) fn window_sse2(b: &[u8], i: usize) -> Win {
        let Some((chunk, len, shift)) = bytes(b, i) else {
            return window_short(b, i);
        };
        let mut parts = [[0u64; MASKS]; 4];
        for (part, block) in parts.iter_mut().zip(chunk.chunks_exact(16)) {
            if let Some(block) = block.first_chunk::<16>() {
                *part = block_masks(block);
            }
        }
        assemble(&parts, 16, len, shift)
    }

    /// [`super::window`] with AVX2, 32 bytes at a time: the 64 bytes of the window, or in a
    /// value of 32 to 63 bytes (from `i`) the first and the last 32 (overlapping, classified
    /// alike), or under 32 one vector of two 16-byte halves.
    ///
    /// # Safety
    /// The CPU must support AVX2 (`crate::cpu::avx2()`).
    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    #[inline]
    pub(crate) unsafe fn window_avx2(b: &[u8], i: usize) -> Win {
        // SAFETY: the caller's contract.
        unsafe { window_avx2_k::<true>(b, i) }
    }

    /// [`window_avx2`] without the quote and hard masks (left zero): see
    /// [`super::window_lite`].
    ///
    /// # Safety
    /// The CPU must support AVX2 (`crate::cpu::avx2()`).
    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    #[inline]
    pub(crate) unsafe fn window_lite_avx2(b: &[u8], i: usize) -> Win {
        // SAFETY: the caller's contract.
        unsafe { window_avx2_k::<false>(b, i) }
    }

    /// [`window_avx2`], all seven masks with `FULL`, else the quote and hard ones zero.
    ///
    /// Not compiled for AVX2 itself but inlined, always, into its callers, which are (the
    /// two above, and the AVX2 list loop through [`super::window_k`]): a function with its
    /// own target features would stay a call there (`#[inline(always)]` with
    /// `#[target_feature]` is not stable), with the masks returned through memory.
    ///
    /// # Safety
    /// The CPU must support AVX2, and the caller must be compiled for it (the vector
    /// intrinsics inline only there).
    #[inline(always)]
    pub(crate) unsafe fn window_avx2_k<const FULL: bool>(b: &[u8], i: usize) -> Win {
        // SAFETY: the CPU supports AVX2 and the caller is compiled for it (this
        // function's contract): the vector functions may be called; the loads read the
        // bytes of the slices they are made from.
        unsafe {
            if let Some((chunk, len, shift)) = bytes(b, i) {
                let mut parts = [[0u64; MASKS]; 2];
                for (part, block) in parts.iter_mut().zip(chunk.chunks_exact(32)) {
                    if let Some(block) = block.first_chunk::<32>() {
                        *part = masks32::<FULL>(block);
                    }
                }
                return assemble(&parts, 32, len, shift);
            }
            let rest = b.get(i..).unwrap_or_default();
            let n = rest.len();
            if let (Some(head), Some(tail)) = (
                rest.first_chunk::<32>(),
                rest.get(n.wrapping_sub(32)..)
                    .and_then(|t| t.first_chunk::<32>()),
            ) {
                let (head, tail) = (masks32::<FULL>(head), masks32::<FULL>(tail));
                let mut m = [0u64; MASKS];
                for ((acc, h), t) in m.iter_mut().zip(head).zip(tail) {
                    *acc = h | t << (n - 32);
                }
                return Win::from_masks(m, n as u32);
            }
            // Under 32 bytes: one vector, of the first and the last 16 bytes (overlapping, alike)
            // or twice the bytes padded to 16 (the halves' masks are then the same).
            let (v, tail_at) = match head_tail16(rest) {
                Some(v) => (v, n - 16),
                None => {
                    let pad = pad16(rest);
                    // `pad` is 16 readable bytes; no alignment requirement.
                    let lo = _mm_loadu_si128(pad.as_ptr().cast::<__m128i>());
                    // Under 16 bytes the masks need no merging of halves: bits 16 and up (the
                    // second copy) are past the window, which `from_masks` cuts.
                    return Win::from_masks(masks_v::<FULL>(_mm256_set_m128i(lo, lo)), n as u32);
                }
            };
            let mut m = masks_v::<FULL>(v);
            for x in m.iter_mut() {
                *x = (*x & 0xFFFF) | (*x >> 16 & 0xFFFF) << tail_at;
            }
            Win::from_masks(m, n as u32)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// The vector versions classify every byte as the definition does, from any start,
        /// for windows cut short by the end of the value and for whole ones.
        #[test]
        fn vector_windows_match_bytewise(
            v in proptest::collection::vec(proptest::prop_oneof![
                4 => proptest::sample::select(b"az09 ,<>\"@.\\=()[]:;\t\r\n\x00\x7f!#~?{}".to_vec()),
                1 => proptest::num::u8::ANY,
            ], 0..150),
            start in 0usize..150,
        ) {
            let i = start.min(v.len());
            let def = Win::bytewise(&v, i);
            proptest::prop_assert_eq!(window(&v, i), def);
            // The lite window: the same but for the two masks it may leave out.
            let lite = window_lite(&v, i);
            proptest::prop_assert_eq!(Win { quote: def.quote, hard: def.hard, ..lite }, def);
            proptest::prop_assert!(lite.quote & !def.quote == 0 && lite.hard & !def.hard == 0);
            #[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
            {
                proptest::prop_assert_eq!(x86::window_sse2(&v, i), def);
                if crate::cpu::avx2() {
                    // SAFETY: AVX2 is supported (checked just above).
                    proptest::prop_assert_eq!(unsafe { x86::window_avx2(&v, i) }, def);
                }
            }
        }
    }

    /// Values shorter than 64 bytes (the vector versions classify them without a 64-byte
    /// pad): every length, every start, bytes of every class at every position.
    #[test]
    fn short_values_every_length_and_start() {
        for seed in 0..64usize {
            for n in 0..64usize {
                let v: std::vec::Vec<u8> = (0..n)
                    .map(|k| ((k * 37 + seed * 101) % 256) as u8)
                    .collect();
                for i in 0..=n {
                    let def = Win::bytewise(&v, i);
                    assert_eq!(window(&v, i), def, "{n} {i}");
                    let lite = window_lite(&v, i);
                    assert_eq!(
                        Win {
                            quote: def.quote,
                            hard: def.hard,
                            ..lite
                        },
                        def,
                        "{n} {i}"
                    );
                    #[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
                    {
                        assert_eq!(x86::window_sse2(&v, i), def, "{n} {i}");
                        if crate::cpu::avx2() {
                            // SAFETY: AVX2 is supported (checked just above).
                            assert_eq!(unsafe { x86::window_avx2(&v, i) }, def, "{n} {i}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn every_byte_in_one_class_at_most() {
        for c in 0u8..=255 {
            let v = [c; 64];
            let w = Win::bytewise(&v, 0);
            let classes = [w.space, w.quote, w.at, w.dot, w.high, w.hard, w.plain];
            let set = classes.iter().filter(|&&m| m != 0).count();
            assert!(set <= 1, "{c}");
            // Plain is atext without `=`.
            assert_eq!(
                w.plain() != 0,
                crate::chars::is(c, crate::chars::ATEXT) && c != b'=',
                "{c}"
            );
            #[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
            assert_eq!(x86::window_sse2(&v, 0), w, "{c}");
            // The nibble tables of the AVX2 version hold exactly their sets.
            #[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
            {
                let member = |t: &[u8; 16], c: u8| {
                    t[usize::from(c & 15)] & ROW_BITS[usize::from(c >> 4)] != 0
                };
                assert_eq!(member(&LO_HARD, c), is_hard(c), "{c}");
                assert_eq!(member(&LO_PLAIN, c), is_plain(c), "{c}");
                assert_eq!(is_plain(c), w.plain != 0, "{c}");
                if crate::cpu::avx2() {
                    // SAFETY: AVX2 is supported (checked just above).
                    assert_eq!(unsafe { x86::window_avx2(&v, 0) }, w, "{c}");
                }
            }
        }
        assert_eq!(from(64), 0);
        assert_eq!(below(64), u64::MAX);
        assert_eq!(below(0), 0);
        assert!(!has(u64::MAX, 64));
    }
}
