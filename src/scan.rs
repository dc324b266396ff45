//! The hot-path scans: is a value plain text that can be copied as it is, where is its first
//! control character, and what are the msg-id class masks of a block?
//!
//! "Plain" means every byte is printable ASCII or SP, no two spaces are adjacent and `=?`
//! never occurs: such text needs no encoding, has no control characters and every fold point
//! is a single space, so unstructured fields made of it are copied in runs. On x86_64 (not
//! bare metal) [`plain`] tests 32 bytes per step with AVX2 when the CPU has it, 16 with SSE2
//! otherwise, each vector together with the one a byte before it (so pairs need no carry),
//! and also holds the plain path's space searches and line copy. Elsewhere the portable
//! version looks at 8 bytes per step with SWAR arithmetic and finishes with a byte loop. All
//! must agree with `is_plain_bytewise`, which is the definition. The control scan follows
//! the same pattern: SSE2 on x86_64, a byte loop (the definition, and small in flash)
//! elsewhere.

/// The reference definition, byte by byte.
#[cfg(any(not(all(target_arch = "x86_64", not(target_os = "none"))), test))]
pub(crate) fn is_plain_bytewise(b: &[u8]) -> bool {
    let mut prev = 0u8;
    for &c in b {
        if !matches!(c, 0x20..=0x7E) || (prev == b'=' && c == b'?') || (prev == b' ' && c == b' ') {
            return false;
        }
        prev = c;
    }
    true
}

#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
pub(crate) mod plain;

/// True when `b` is plain text (see the module docs).
#[inline]
#[cfg(any(not(all(target_arch = "x86_64", not(target_os = "none"))), test))]
pub(crate) fn is_plain(b: &[u8]) -> bool {
    #[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
    {
        match plain::Avx2::detect() {
            // SAFETY: the token exists only when the CPU has AVX2.
            Some(avx2) => unsafe { plain::is_plain_avx2(avx2, b) },
            None => plain::is_plain_sse2(b),
        }
    }
    #[cfg(not(all(target_arch = "x86_64", not(target_os = "none"))))]
    {
        swar::is_plain(b)
    }
}

#[cfg(any(not(all(target_arch = "x86_64", not(target_os = "none"))), test))]
mod swar {
    const LO7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const HI: u64 = 0x8080_8080_8080_8080;

    /// 0x80 in every byte of `x` that is zero, exactly (no borrow false positives).
    #[inline(always)]
    fn zero_bytes(x: u64) -> u64 {
        !(((x & LO7) + LO7) | x | LO7)
    }

    #[inline(always)]
    fn splat(b: u8) -> u64 {
        u64::from(b) * 0x0101_0101_0101_0101
    }

    pub(super) fn is_plain(b: &[u8]) -> bool {
        let mut chunks = b.chunks_exact(8);
        // Whether the byte before the current block was '=' (0x80 flag in the top byte).
        let mut carry_eq = 0u64;
        let mut carry_sp = 0u64;
        for chunk in chunks.by_ref() {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            let x = u64::from_le_bytes(word);
            // Bytes with the high bit, below 0x20 (add 0x60 to the low 7 bits: no high bit
            // means it was below 0x20), or equal to DEL.
            let below_space = !((x & LO7) + splat(0x60)) & HI;
            let bad = (x & HI) | below_space | zero_bytes(x ^ splat(0x7F));
            let eq = zero_bytes(x ^ splat(b'='));
            let q = zero_bytes(x ^ splat(b'?'));
            let sp = zero_bytes(x ^ splat(b' '));
            // A '?' after a '=', or a space after a space, in this block or across its start.
            let pairs = (((eq << 8) | carry_eq) & q) | (((sp << 8) | carry_sp) & sp);
            if bad | pairs != 0 {
                return false;
            }
            carry_eq = eq >> 56;
            carry_sp = sp >> 56;
        }
        super::tail_is_plain(chunks.remainder(), carry_eq != 0, carry_sp != 0)
    }
}

/// The bytes after the last whole block, given whether the block before ended in `=` or SP.
#[cfg(any(not(all(target_arch = "x86_64", not(target_os = "none"))), test))]
#[inline]
fn tail_is_plain(tail: &[u8], after_eq: bool, after_sp: bool) -> bool {
    match tail.first() {
        Some(b'?') if after_eq => false,
        Some(b' ') if after_sp => false,
        _ => is_plain_bytewise(tail),
    }
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod sse2 {
    use super::IdMasks;
    use core::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_min_epu8,
        _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };

    pub(super) fn find_control(b: &[u8], from: usize) -> usize {
        let from = from.min(b.len());
        let mut chunks = b[from..].chunks_exact(16);
        let mut base = from;
        for chunk in chunks.by_ref() {
            let hits = controls(chunk);
            if hits != 0 {
                return base + hits.trailing_zeros() as usize;
            }
            base += 16;
        }
        // The rest (fewer than 16 bytes): one vector ending at the end of `b`, less the
        // bytes it shares with the ones already scanned; byte by byte only when `b` is
        // shorter than a vector.
        let n = b.len();
        match b.get(n.wrapping_sub(16)..) {
            Some(last) if base < n => {
                let seen = base - (n - 16);
                let hits = controls(last) >> seen;
                if hits != 0 {
                    base + hits.trailing_zeros() as usize
                } else {
                    n
                }
            }
            Some(_) => n,
            None => super::find_control_bytewise(b, base),
        }
    }

    /// Bit `i` set when byte `i` of `chunk` (at least 16 bytes; the first 16 are looked at)
    /// is a C0 control or DEL.
    #[inline(always)]
    fn controls(chunk: &[u8]) -> u32 {
        let Some(chunk) = chunk.first_chunk::<16>() else {
            return 0;
        };
        // SAFETY: SSE2 is part of the x86_64 baseline; `chunk` is exactly 16 readable
        // bytes and `_mm_loadu_si128` has no alignment requirement.
        unsafe {
            let v = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
            // Unsigned v <= 0x1F: the minimum with 0x1F is v itself.
            let ctl = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
            let del = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F));
            _mm_movemask_epi8(_mm_or_si128(ctl, del)) as u32
        }
    }

    /// [`IdMasks`] of up to 64 bytes, 16 at a time; a partial last block is padded with
    /// 'a', which sets no bit in any mask.
    pub(super) fn id_masks(block: &[u8]) -> IdMasks {
        let mut m = IdMasks::default();
        for (k, part) in block.chunks(16).take(4).enumerate() {
            let mut padded = [b'a'; 16];
            let chunk: &[u8; 16] = match part.try_into() {
                Ok(whole) => whole,
                Err(_) => {
                    padded[..part.len()].copy_from_slice(part);
                    &padded
                }
            };
            // SAFETY: SSE2 is part of the x86_64 baseline; `chunk` is exactly 16 readable
            // bytes and `_mm_loadu_si128` has no alignment requirement.
            let masks = unsafe {
                let v = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
                let is = |c: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8));
                let (lt, gt, at, sp) = (is(b'<'), is(b'>'), is(b'@'), is(b' '));
                let delim = _mm_or_si128(_mm_or_si128(lt, gt), _mm_or_si128(at, sp));
                let delim = _mm_or_si128(delim, is(b'.'));
                // Signed compare: below 0x20 and every byte >= 0x80; then DEL and the
                // specials, pairing neighbours that differ only in bit 0.
                let even = _mm_and_si128(v, _mm_set1_epi8(!1));
                let is_even = |c: u8| _mm_cmpeq_epi8(even, _mm_set1_epi8(c as i8));
                let bad = _mm_or_si128(
                    _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)), is(0x7F)),
                    _mm_or_si128(is(b'"'), is(b',')),
                );
                let specials = _mm_or_si128(
                    _mm_or_si128(is_even(b'('), is_even(b':')),
                    _mm_or_si128(is_even(b'\\'), is(b'[')),
                );
                let mm = |x| _mm_movemask_epi8(x) as u16 as u64;
                [
                    mm(lt),
                    mm(gt),
                    mm(at),
                    mm(sp),
                    mm(delim),
                    mm(is(b'=')),
                    mm(is(b'?')),
                    mm(_mm_or_si128(bad, specials)),
                ]
            };
            let shift = 16 * k;
            m.lt |= masks[0] << shift;
            m.gt |= masks[1] << shift;
            m.at |= masks[2] << shift;
            m.sp |= masks[3] << shift;
            m.delim |= masks[4] << shift;
            m.eq |= masks[5] << shift;
            m.q |= masks[6] << shift;
            m.bad |= masks[7] << shift;
        }
        m
    }
}

/// The space searches of the plain path, which picks its fold points with them: byte by
/// byte (`Bytewise`) or with vectors (x86_64: [`plain::Sse2`], [`plain::Avx2`]).
pub(crate) trait SpaceScan: Copy {
    /// Index of the last SP in `b[lo..=hi]` (the last space before the column limit), as an
    /// index into `b`; `None` also when the range is empty or out of bounds.
    fn rfind_space_in(self, b: &[u8], lo: usize, hi: usize) -> Option<usize>;
    /// Index of the first SP in `b` at or after `from`, or `b.len()`.
    fn find_space(self, b: &[u8], from: usize) -> usize;
}

/// The byte loops: the portable plain path's scans, and the definition of the others.
#[cfg(any(not(all(target_arch = "x86_64", not(target_os = "none"))), test))]
#[derive(Clone, Copy, Debug)]
pub(crate) struct Bytewise;

#[cfg(any(not(all(target_arch = "x86_64", not(target_os = "none"))), test))]
impl SpaceScan for Bytewise {
    #[inline]
    fn rfind_space_in(self, b: &[u8], lo: usize, hi: usize) -> Option<usize> {
        let window = b.get(lo..=hi)?;
        window.iter().rposition(|&c| c == b' ').map(|i| lo + i)
    }

    #[inline]
    fn find_space(self, b: &[u8], from: usize) -> usize {
        b.get(from..)
            .and_then(|rest| rest.iter().position(|&c| c == b' '))
            .map_or(b.len(), |i| from + i)
    }
}

/// Index of the first byte at or after `from` that is a C0 control (HTAB included) or DEL,
/// or `b.len()` when there is none.
#[inline]
pub(crate) fn find_control(b: &[u8], from: usize) -> usize {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        sse2::find_control(b, from)
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        find_control_bytewise(b, from)
    }
}

/// The reference definition of [`find_control`] (and the version used where there is no
/// SSE2; the x86_64 version finishes its tail with it).
pub(crate) fn find_control_bytewise(b: &[u8], from: usize) -> usize {
    let from = from.min(b.len());
    b[from..]
        .iter()
        .position(|&c| c < 0x20 || c == 0x7F)
        .map_or(b.len(), |i| from + i)
}

/// Byte classes of a block of up to 64 bytes, for the msg-id fast path (not on bare metal): bit `i` of each mask
/// describes byte `i`; bits past the block's end are clear.
#[cfg(not(target_os = "none"))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct IdMasks {
    pub lt: u64,
    pub gt: u64,
    pub at: u64,
    pub sp: u64,
    /// `<`, `>`, `@`, SP and `.`: everything in a well-formed id list that is not `atext`.
    pub delim: u64,
    pub eq: u64,
    pub q: u64,
    /// Neither `atext` nor a delimiter: controls, DEL, non-ASCII and `"(),:;[\]`.
    pub bad: u64,
}

/// The reference definition of [`id_masks`], byte by byte (and the version used where there
/// is no SSE2).
#[cfg(all(
    not(target_os = "none"),
    any(not(all(target_arch = "x86_64", target_feature = "sse2")), test)
))]
pub(crate) fn id_masks_bytewise(block: &[u8]) -> IdMasks {
    let mut m = IdMasks::default();
    for (i, &c) in block.iter().enumerate().take(64) {
        let bit = 1u64 << i;
        match c {
            b'<' => m.lt |= bit,
            b'>' => m.gt |= bit,
            b'@' => m.at |= bit,
            b' ' => m.sp |= bit,
            b'=' => m.eq |= bit,
            b'?' => m.q |= bit,
            b'"' | b'(' | b')' | b',' | b':' | b';' | b'[' | b'\\' | b']' => m.bad |= bit,
            0x21..=0x7E => {}
            _ => m.bad |= bit,
        }
        if matches!(c, b'<' | b'>' | b'@' | b' ' | b'.') {
            m.delim |= bit;
        }
    }
    m
}

/// [`IdMasks`] of `block` (at most 64 bytes).
#[cfg(not(target_os = "none"))]
#[inline]
pub(crate) fn id_masks(block: &[u8]) -> IdMasks {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        sse2::id_masks(block)
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        id_masks_bytewise(block)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::vec;

    fn all_agree(b: &[u8]) {
        let want = is_plain_bytewise(b);
        assert_eq!(swar::is_plain(b), want, "swar {b:?}");
        assert_eq!(is_plain(b), want, "fast {b:?}");
        #[cfg(target_arch = "x86_64")]
        {
            assert_eq!(plain::is_plain_sse2(b), want, "sse2 {b:?}");
            if let Some(avx2) = plain::Avx2::detect() {
                // SAFETY: the token exists, so the CPU has AVX2.
                assert_eq!(unsafe { plain::is_plain_avx2(avx2, b) }, want, "avx2 {b:?}");
            }
        }
    }

    /// The x86_64 space scans and line copy, SSE2 and AVX2 (where the CPU has it), against
    /// byte loops.
    #[cfg(target_arch = "x86_64")]
    fn space_scans_agree(v: &[u8]) {
        use plain::{find_space, rfind_space, rfind_space_in};
        #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
        fn with_avx2(avx2: plain::Avx2, v: &[u8]) {
            space_scans_agree_with(avx2, v);
        }
        space_scans_agree_with(plain::Sse2, v);
        if let Some(avx2) = plain::Avx2::detect() {
            // SAFETY: the token exists, so the CPU has AVX2.
            unsafe { with_avx2(avx2, v) };
        }
        #[inline(always)]
        fn space_scans_agree_with<S: plain::Vector + core::fmt::Debug>(s: S, v: &[u8]) {
            let sp = |&c: &u8| c == b' ';
            assert_eq!(rfind_space(s, v), v.iter().rposition(sp), "{s:?} {v:?}");
            for from in 0..=v.len() {
                let want = v[from..].iter().position(sp).map_or(v.len(), |i| from + i);
                assert_eq!(find_space(s, v, from), want, "{s:?} {from} {v:?}");
            }
            for lo in 0..v.len() {
                for hi in [lo, (lo + 31).min(v.len() - 1), v.len() - 1] {
                    let want = v[lo..=hi].iter().rposition(sp).map(|i| lo + i);
                    assert_eq!(rfind_space_in(s, v, lo, hi), want, "{s:?} {lo} {hi} {v:?}");
                    assert_eq!(Bytewise.rfind_space_in(v, lo, hi), want, "{lo} {hi} {v:?}");
                    assert_eq!(Bytewise.find_space(v, lo), find_space(s, v, lo));
                }
            }
            // The vector copy: exactly `v`, at every offset, nothing before or after it.
            for at in [0, 1, 31] {
                for from in [0, v.len() / 3, v.len()] {
                    let src = &v[from..];
                    let mut dst = vec![0u8; at + src.len() + 40];
                    // SAFETY: `dst` has room for `src` at `at`, and the two do not overlap.
                    unsafe { plain::copy(s, dst.as_mut_ptr().add(at), src.as_ptr(), src.len()) };
                    assert_eq!(&dst[at..at + src.len()], src, "{s:?} {at} {from}");
                    assert!(dst[..at]
                        .iter()
                        .chain(&dst[at + src.len()..])
                        .all(|&c| c == 0));
                }
            }
        }
    }

    #[test]
    fn block_boundaries() {
        for len in 0..140 {
            for at in 0..len {
                for bad in [0u8, 9, 10, 13, 0x1F, 0x7F, 0x80, 0xC3, 0xFF, b'?', b' '] {
                    let mut v = std::vec![b'a'; len];
                    v[at] = bad;
                    all_agree(&v);
                    if at > 0 {
                        v[at - 1] = b'=';
                        all_agree(&v);
                        v[at - 1] = b' ';
                        all_agree(&v);
                    }
                }
            }
        }
    }

    /// Values long enough for the groups of eight vectors (257 bytes and more with AVX2), the
    /// optional group of four after them and the fixed tail, with one byte that is not plain
    /// (or `=?`, or two SPs) at every position.
    #[test]
    fn long_values_every_position() {
        for len in (250..=420).chain([511, 512, 513, 600]) {
            for at in 1..len {
                let mut v = std::vec![b'a'; len];
                for (before, bad) in [(b'a', 0u8), (b'a', 0x80), (b'=', b'?'), (b' ', b' ')] {
                    v[at - 1] = before;
                    v[at] = bad;
                    all_agree(&v);
                }
            }
            all_agree(&std::vec![b'a'; len]);
        }
    }

    /// Every pair of bytes, inside a vector and across the 16- and 32-byte boundaries: the
    /// AVX2 test flags SP after SP through the larger of a byte and the one before it, which
    /// is sound only if every other pair it flags holds a byte that is not plain by itself.
    #[test]
    fn every_byte_pair_inside_and_across_vectors() {
        // 70 bytes: pairs inside and across vectors; 20 bytes (17 to 32), which AVX2 tests
        // as two overlapping 16-byte vectors.
        for (len, ats) in [(70, &[1, 5, 16, 32, 33, 64][..]), (20, &[1, 4, 16, 19][..])] {
            let mut v = vec![b'a'; len];
            for &at in ats {
                for a in 0..=255u8 {
                    for b in 0..=255u8 {
                        v[at - 1] = a;
                        v[at] = b;
                        all_agree(&v);
                    }
                }
                v[at - 1] = b'a';
                v[at] = b'a';
            }
        }
    }

    #[test]
    fn control_and_id_scans_at_block_boundaries() {
        for len in 0..140 {
            for at in 0..len {
                for c in [
                    0u8, 9, 10, 13, 0x1F, 0x7F, 0x80, 0xFF, b' ', b'<', b'.', b'"', b'[',
                ] {
                    let mut v = std::vec![b'a'; len];
                    v[at] = c;
                    #[cfg(target_arch = "x86_64")]
                    if c == b' ' {
                        space_scans_agree(&v);
                        // Spaces on both sides of every 16- and 32-byte boundary too.
                        v[len - 1 - at] = b' ';
                        space_scans_agree(&v);
                    }
                    for from in [0, at, at + 1, len] {
                        assert_eq!(find_control(&v, from), find_control_bytewise(&v, from));
                    }
                    let n = len.min(64);
                    assert_eq!(id_masks(&v[..n]), id_masks_bytewise(&v[..n]), "{v:?}");
                }
            }
        }
    }

    proptest! {
        #[test]
        fn rfind_space_agrees(v in proptest::collection::vec(prop_oneof![
            Just(b' '), Just(b'a'), Just(b'a'), any::<u8>()
        ], 0..80)) {
            #[cfg(target_arch = "x86_64")]
            space_scans_agree(&v);
        }

        #[test]
        fn id_masks_agree(v in proptest::collection::vec(any::<u8>(), 0..=64)) {
            prop_assert_eq!(id_masks(&v), id_masks_bytewise(&v));
            for from in [0, v.len() / 2, v.len()] {
                prop_assert_eq!(find_control(&v, from), find_control_bytewise(&v, from));
            }
        }

        #[test]
        fn id_masks_agree_on_id_text(v in proptest::collection::vec(prop_oneof![
            Just(b'<'), Just(b'>'), Just(b'@'), Just(b' '), Just(b'.'), Just(b'='), Just(b'?'),
            Just(b'('), Just(b')'), Just(b','), Just(b':'), Just(b';'), Just(b'['),
            Just(b'\\'), Just(b']'), Just(b'"'), Just(0x7Fu8), 0x20u8..0x7F
        ], 0..=64)) {
            prop_assert_eq!(id_masks(&v), id_masks_bytewise(&v));
        }

        #[test]
        fn scans_agree(v in proptest::collection::vec(prop_oneof![
            Just(b'='), Just(b'?'), Just(b'\t'), Just(b' '), 0x20u8..0x7F, any::<u8>()
        ], 0..200)) {
            all_agree(&v);
        }
    }
}
