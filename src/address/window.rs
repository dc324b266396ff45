//! Byte-class masks of up to 64 bytes of an address list, from an element's first byte, for
//! the whole-element reader ([`super::window_element`]): one classification of the window,
//! then the element's structure (where the quotes, `<`, `>` and the comma are, whether every
//! byte belongs where it stands) is bit arithmetic on these masks instead of a dispatch on
//! every byte. SSE2 (the x86_64 baseline) and AVX2 (at run time) compute the masks; the
//! byte-by-byte [`Win::bytewise`] is the portable version and their definition in the tests.

/// Bit `k` of each mask is about byte `i + k` of the value (`i` the window's start); bits at
/// and past [`Win::len`] are clear in every mask.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Win {
    /// Bytes in the window: 64, or what is left of the value.
    pub len: u32,
    pub space: u64,
    pub comma: u64,
    pub lt: u64,
    pub gt: u64,
    pub quote: u64,
    pub at: u64,
    pub dot: u64,
    /// Non-ASCII.
    pub high: u64,
    /// Controls (HTAB, CR and LF too), DEL, `\` and `=`: bytes the window reader leaves to
    /// the other readers wherever they stand (white space other than SP, caller folds,
    /// quoted-pairs, `=?`).
    pub hard: u64,
    /// `(` `)` `:` `;` `[` `]`: specials taken only inside a quoted-string.
    pub spec: u64,
}

impl Win {
    /// The window of `len` bytes from its ten class masks, in the field order (space, comma,
    /// lt, gt, quote, at, dot, high, hard, spec), cut to the window; `hard` leaves out the
    /// non-ASCII bytes its test also caught.
    #[inline(always)]
    fn from_masks(m: [u64; 10], len: u32) -> Win {
        let valid = below(len);
        let [space, comma, lt, gt, quote, at, dot, high, hard, spec] = m.map(|x| x & valid);
        Win {
            len,
            space,
            comma,
            lt,
            gt,
            quote,
            at,
            dot,
            high,
            hard: hard & !high,
            spec,
        }
    }

    /// The window's bits.
    #[inline(always)]
    pub fn valid(&self) -> u64 {
        below(self.len)
    }

    /// atext other than `=`: the bytes of atoms and dot-atoms that need no closer look.
    #[inline(always)]
    pub fn plain(&self) -> u64 {
        self.valid()
            & !(self.space
                | self.comma
                | self.lt
                | self.gt
                | self.quote
                | self.at
                | self.dot
                | self.high
                | self.hard
                | self.spec)
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
                b',' => &mut w.comma,
                b'<' => &mut w.lt,
                b'>' => &mut w.gt,
                b'"' => &mut w.quote,
                b'@' => &mut w.at,
                b'.' => &mut w.dot,
                0x80..=0xFF => &mut w.high,
                0..=0x1F | 0x7F | b'\\' | b'=' => &mut w.hard,
                b'(' | b')' | b':' | b';' | b'[' | b']' => &mut w.spec,
                _ => continue,
            };
            *mask |= bit;
        }
        w
    }
}

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

#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
pub(crate) mod x86 {
    use super::Win;
    use core::arch::x86_64::*;

    /// The 64 bytes the window is classified from and how many bits to drop from the
    /// front of their masks: `b[i..i + 64]`; near the end of a value of 64 bytes or more,
    /// its last 64 bytes (dropping those before `i`); in a shorter value, a copy of what is
    /// left followed by zeros (whose bits are cleared afterwards). No call to `memcpy`.
    #[inline(always)]
    fn bytes<'a>(b: &'a [u8], i: usize, pad: &'a mut [u8; 64]) -> (&'a [u8; 64], u32, u32) {
        let rest = b.get(i..).unwrap_or_default();
        let len = rest.len().min(64) as u32;
        if let Some(chunk) = rest.first_chunk::<64>() {
            return (chunk, len, 0);
        }
        if let Some(base) = b.len().checked_sub(64) {
            if let Some(chunk) = b.get(base..).and_then(|t| t.first_chunk::<64>()) {
                return (chunk, len, 64 - len);
            }
        }
        // Fewer than 64 bytes in all: in pieces of 32, 16, 8, 4 and 1.
        let mut at = 0;
        macro_rules! piece {
            ($n:expr) => {
                if let (Some(src), Some(dst)) = (
                    rest.get(at..).and_then(|r| r.first_chunk::<$n>()),
                    pad.get_mut(at..).and_then(|p| p.first_chunk_mut::<$n>()),
                ) {
                    *dst = *src;
                    at += $n;
                }
            };
        }
        piece!(32);
        piece!(16);
        piece!(8);
        piece!(4);
        while let (Some(&c), Some(d)) = (rest.get(at), pad.get_mut(at)) {
            *d = c;
            at += 1;
        }
        (pad, len, 0)
    }

    /// Ten masks of one vector's bytes, in [`Win`]'s field order from `space` to `spec`
    /// (`hard` still includes the non-ASCII bytes).
    macro_rules! classify {
        ($v:expr, $set1:ident, $cmpeq:ident, $cmpgt:ident, $add:ident, $or:ident, $movemask:ident) => {{
            // Macros rather than closures: a closure would not inherit the AVX2 target
            // feature of the function it stands in.
            let v = $v;
            macro_rules! is {
                ($c:expr) => {
                    $cmpeq(v, $set1($c as i8))
                };
            }
            macro_rules! mm {
                ($m:expr) => {
                    $movemask($m) as u32 as u64
                };
            }
            // `(` `)` and `:` `;` are pairs: `x - lo` (wrapping) is 0 or 1 exactly for the
            // pair, and -128 + that is below -126 signed.
            macro_rules! pair {
                ($lo:expr) => {
                    $cmpgt($set1(-126), $add(v, $set1(128u8.wrapping_sub($lo) as i8)))
                };
            }
            // Signed: below 0x20 covers the controls and every non-ASCII byte.
            let low = $cmpgt($set1(0x20), v);
            let hard = $or($or(low, is!(0x7F)), $or(is!(b'\\'), is!(b'=')));
            let spec = $or($or(pair!(b'('), pair!(b':')), $or(is!(b'['), is!(b']')));
            [
                mm!(is!(b' ')),
                mm!(is!(b',')),
                mm!(is!(b'<')),
                mm!(is!(b'>')),
                mm!(is!(b'"')),
                mm!(is!(b'@')),
                mm!(is!(b'.')),
                mm!(v),
                mm!(hard),
                mm!(spec),
            ]
        }};
    }

    /// The ten masks of 64 bytes, each vector's masks shifted by `step` bits per vector.
    ///
    /// `N` is a constant, so the loops unroll into shifts by constants. `shift` is below 64
    /// but when the window is empty (`len` 0), whose masks are all cleared anyway.
    #[inline(always)]
    fn assemble<const N: usize>(parts: &[[u64; 10]; N], step: u32, len: u32, shift: u32) -> Win {
        let mut m = [0u64; 10];
        for (k, part) in parts.iter().enumerate() {
            for (acc, &p) in m.iter_mut().zip(part) {
                *acc |= p << (step * k as u32);
            }
        }
        Win::from_masks(m.map(|x| x >> (shift & 63)), len)
    }

    /// The masks of one 16-byte block, SSE2.
    #[inline(always)]
    fn block_masks(block: &[u8; 16]) -> [u64; 10] {
        // SAFETY: SSE2 is part of the x86_64 baseline; `block` is 16 readable bytes and
        // `_mm_loadu_si128` has no alignment requirement; the rest computes on registers.
        unsafe {
            let v = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
            classify!(
                v,
                _mm_set1_epi8,
                _mm_cmpeq_epi8,
                _mm_cmpgt_epi8,
                _mm_add_epi8,
                _mm_or_si128,
                _mm_movemask_epi8
            )
        }
    }

    /// [`super::window`] of a value shorter than 64 bytes (a display name, a one-mailbox
    /// list), without copying it into a 64-byte pad first: 16-byte blocks from the start
    /// and one ending at the end of the value (overlapping the one before it, whose bytes
    /// it classifies alike); under 16 bytes, one block copied with two overlapping 8- or
    /// 4-byte moves (zeros after the value, whose bits are cleared).
    #[inline(always)]
    fn window_short(b: &[u8], i: usize) -> Win {
        let rest = b.get(i..).unwrap_or_default();
        let n = rest.len();
        let mut m = [0u64; 10];
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
            add(&pad, 0);
        }
        Win::from_masks(m, n as u32)
    }

    /// [`super::window`] with SSE2 (the x86_64 baseline), 16 bytes at a time.
    #[inline]
    pub(crate) fn window_sse2(b: &[u8], i: usize) -> Win {
        if b.len() < 64 {
            return window_short(b, i);
        }
        let mut pad = [0u8; 64];
        let (chunk, len, shift) = bytes(b, i, &mut pad);
        let mut parts = [[0u64; 10]; 4];
        for (part, block) in parts.iter_mut().zip(chunk.chunks_exact(16)) {
            if let Some(block) = block.first_chunk::<16>() {
                *part = block_masks(block);
            }
        }
        assemble(&parts, 16, len, shift)
    }

    /// [`super::window`] with AVX2, 32 bytes at a time.
    ///
    /// # Safety
    /// The CPU must support AVX2 (`crate::cpu::avx2()`).
    #[target_feature(enable = "avx2")]
    #[inline]
    pub(crate) unsafe fn window_avx2(b: &[u8], i: usize) -> Win {
        if b.len() < 64 {
            return window_short(b, i);
        }
        let mut pad = [0u8; 64];
        let (chunk, len, shift) = bytes(b, i, &mut pad);
        let mut parts = [[0u64; 10]; 2];
        for (part, block) in parts.iter_mut().zip(chunk.chunks_exact(32)) {
            // SAFETY: the caller guarantees AVX2; `block` is 32 readable bytes and
            // `_mm256_loadu_si256` has no alignment requirement; the rest computes on
            // registers.
            *part = unsafe {
                let v = _mm256_loadu_si256(block.as_ptr().cast::<__m256i>());
                classify!(
                    v,
                    _mm256_set1_epi8,
                    _mm256_cmpeq_epi8,
                    _mm256_cmpgt_epi8,
                    _mm256_add_epi8,
                    _mm256_or_si256,
                    _mm256_movemask_epi8
                )
            };
        }
        assemble(&parts, 32, len, shift)
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
                4 => proptest::sample::select(b"az09 ,<>\"@.\\=()[]:;\t\r\n\x00\x7f!#~".to_vec()),
                1 => proptest::num::u8::ANY,
            ], 0..150),
            start in 0usize..150,
        ) {
            let i = start.min(v.len());
            let def = Win::bytewise(&v, i);
            proptest::prop_assert_eq!(window(&v, i), def);
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
            let classes = [
                w.space, w.comma, w.lt, w.gt, w.quote, w.at, w.dot, w.high, w.hard, w.spec,
            ];
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
        }
        assert_eq!(from(64), 0);
        assert_eq!(below(64), u64::MAX);
        assert_eq!(below(0), 0);
        assert!(!has(u64::MAX, 64));
    }
}
