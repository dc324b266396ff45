//! The hot-path scan: is a value plain text that can be copied as it is?
//!
//! "Plain" means every byte is printable ASCII or SP, no two spaces are adjacent and `=?`
//! never occurs: such text needs no encoding, has no control characters and every fold point
//! is a single space, so unstructured fields made of it are copied in runs. The x86_64
//! version looks at 16 bytes per step with SSE2; the portable version looks at 8 bytes per
//! step with SWAR arithmetic. Both finish the tail with a byte loop and must agree with
//! [`is_plain_bytewise`], which is the definition.

/// The reference definition, byte by byte.
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

/// True when `b` is plain text (see the module docs).
#[inline]
pub(crate) fn is_plain(b: &[u8]) -> bool {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        sse2::is_plain(b)
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        swar::is_plain(b)
    }
}

#[cfg(any(not(all(target_arch = "x86_64", target_feature = "sse2")), test))]
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
    use core::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };

    pub(super) fn is_plain(b: &[u8]) -> bool {
        let mut chunks = b.chunks_exact(16);
        let mut carry_eq = 0u32;
        let mut carry_sp = 0u32;
        for chunk in chunks.by_ref() {
            // SAFETY: SSE2 is part of the x86_64 baseline; `chunk` is exactly 16 readable
            // bytes and `_mm_loadu_si128` has no alignment requirement.
            let (bad, eq, q, sp) = unsafe {
                let v = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
                // Signed compare: 0x00..=0x1F and every byte >= 0x80 are below 0x20.
                let low = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
                let del = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F));
                let bad = _mm_movemask_epi8(_mm_or_si128(low, del)) as u32;
                let eq = _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'=' as i8))) as u32;
                let q = _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'?' as i8))) as u32;
                let sp = _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8))) as u32;
                (bad, eq, q, sp)
            };
            let pairs = (((eq << 1) | carry_eq) & q) | (((sp << 1) | carry_sp) & sp);
            if bad | pairs != 0 {
                return false;
            }
            carry_eq = eq >> 15;
            carry_sp = sp >> 15;
        }
        super::tail_is_plain(chunks.remainder(), carry_eq != 0, carry_sp != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn all_agree(b: &[u8]) {
        let want = is_plain_bytewise(b);
        assert_eq!(swar::is_plain(b), want, "swar {b:?}");
        assert_eq!(is_plain(b), want, "fast {b:?}");
    }

    #[test]
    fn block_boundaries() {
        for len in 0..40 {
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

    proptest! {
        #[test]
        fn scans_agree(v in proptest::collection::vec(prop_oneof![
            Just(b'='), Just(b'?'), Just(b'\t'), Just(b' '), 0x20u8..0x7F, any::<u8>()
        ], 0..80)) {
            all_agree(&v);
        }
    }
}
