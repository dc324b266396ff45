//! The one-id field (`Message-ID`, `In-Reply-To` and most `Content-ID`s): `Name: <id>` and the
//! line ending, straight-line with AVX2.
//!
//! The first id of a field stays on the name line unless the 998-octet limit forces a fold
//! (SPEC §5), and a name of at most [`FAST_MAX_NAME`](super::FAST_MAX_NAME) octets with an
//! id of at most 128 never comes near it: the output is the name, `": "`, the value and the
//! line ending, whatever the soft limit. What is left to decide is whether the value is one
//! `<dot-atom-text@dot-atom-text>` in printable ASCII with no `=?`; everything else (spaces,
//! lists, domain literals, `?`, non-ASCII, errors) goes on to the general fast path, which
//! decides as before.
//!
//! The value is read as two or four 32-byte windows (the last ending with the value, so they
//! overlap), each turned into three bit masks: bytes that are atext, `.` or `@`; `.`; `@`.
//! The grammar is then a few operations on the masks, with no branch per byte or per window.

use super::twice;
use crate::sink::SliceSink;
use core::arch::x86_64::{
    __m256i, _mm256_and_si256, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8,
    _mm256_set1_epi8, _mm256_setzero_si256, _mm256_shuffle_epi8, _mm256_srli_epi16,
};

/// A byte is outside atext, `.` and `@`, or is `?` (an id with `?` is left to the general
/// fast path, which checks for `=?`), when `BAD_LO[low nibble] & BAD_HI[high nibble] != 0`.
/// Bit 0: rows 0, 1 and 8..=F (controls and non-ASCII), every column. Bit 1: row 2 x SP `"(),`.
/// Bit 2: row 3 x `:;<>?`. Bit 3: row 5 x `[\]`. Bit 4: row 7 x DEL.
const BAD_LO: [u8; 16] = [
    0x03, 0x01, 0x03, 0x01, 0x01, 0x01, 0x01, 0x01, 0x03, 0x03, 0x05, 0x0D, 0x0F, 0x09, 0x05, 0x15,
];
const BAD_HI: [u8; 16] = [
    0x01, 0x01, 0x02, 0x04, 0x00, 0x08, 0x00, 0x10, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
];

/// The definition [`BAD_LO`] and [`BAD_HI`] encode, for the tests.
#[cfg(test)]
pub(super) fn is_bad(c: u8) -> bool {
    !(crate::chars::is(c, crate::chars::ATEXT) || c == b'.' || c == b'@') || c == b'?'
}

static TABLES: [[u8; 32]; 2] = [twice(BAD_LO), twice(BAD_HI)];

#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
fn load(b: &[u8], at: usize) -> Option<__m256i> {
    let chunk = b.get(at..)?.first_chunk::<32>()?;
    // SAFETY: `chunk` is 32 readable bytes; `_mm256_loadu_si256` needs no alignment.
    Some(unsafe { _mm256_loadu_si256(chunk.as_ptr().cast::<__m256i>()) })
}

/// The masks of one window: (atext, `.` or `@`; `.`; `@`), bit `i` for byte `i`.
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
fn window(lo_t: __m256i, hi_t: __m256i, v: __m256i) -> (u32, u32, u32) {
    let nibble = _mm256_set1_epi8(0x0F);
    let lo = _mm256_and_si256(v, nibble);
    let hi = _mm256_and_si256(_mm256_srli_epi16::<4>(v), nibble);
    let bad = _mm256_and_si256(_mm256_shuffle_epi8(lo_t, lo), _mm256_shuffle_epi8(hi_t, hi));
    let good = _mm256_movemask_epi8(_mm256_cmpeq_epi8(bad, _mm256_setzero_si256())) as u32;
    let dot = _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'.' as i8))) as u32;
    let at = _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'@' as i8))) as u32;
    (good, dot, at)
}

/// Whether masks of a value of `n` bytes (bit `i` for byte `i`, none past `n`; byte 0 is `<`
/// and byte `n - 1` is `>`, which are not "good") make one `<dot-atom-text@dot-atom-text>`:
/// every byte between the brackets good, exactly one `@`, and no two of `<`, `.`, `@`, `>`
/// next to each other (no empty atom, no empty side). Without branches.
macro_rules! one_id {
    ($t:ty, $good:expr, $dot:expr, $at:expr, $n:expr) => {{
        let (good, dot, at): ($t, $t, $t) = ($good, $dot, $at);
        let last: $t = 1 << ($n - 1);
        let inside = (last - 1) & !1;
        let sep = dot | at | 1 | last;
        (good == inside) & (at != 0) & (at & at.wrapping_sub(1) == 0) & (sep & (sep >> 1) == 0)
    }};
}

/// The body of [`is_one_id`] (a macro: see [`is_one_id_out_of_line`]).
macro_rules! one_id_text {
    ($text:expr) => {{
        let text: &[u8] = $text;
        let n = text.len();
        let (Some(lo_t), Some(hi_t)) = (load(&TABLES[0], 0), load(&TABLES[1], 0)) else {
            return false;
        };
        if n <= 64 {
            let (Some(v0), Some(v1)) = (load(text, 0), load(text, n.wrapping_sub(32))) else {
                return false;
            };
            let (g0, d0, a0) = window(lo_t, hi_t, v0);
            let (g1, d1, a1) = window(lo_t, hi_t, v1);
            // The second window starts at byte `n - 32` (0..=32); they agree where they overlap.
            let s = (n - 32) as u32;
            let wide = |a: u32, b: u32| u64::from(a) | u64::from(b) << s;
            one_id!(u64, wide(g0, g1), wide(d0, d1), wide(a0, a1), n)
        } else {
            let (Some(v0), Some(v1), Some(v2), Some(v3)) = (
                load(text, 0),
                load(text, 32),
                load(text, n.wrapping_sub(64)),
                load(text, n.wrapping_sub(32)),
            ) else {
                return false;
            };
            let (g0, d0, a0) = window(lo_t, hi_t, v0);
            let (g1, d1, a1) = window(lo_t, hi_t, v1);
            let (g2, d2, a2) = window(lo_t, hi_t, v2);
            let (g3, d3, a3) = window(lo_t, hi_t, v3);
            // Two 64-bit halves instead of one 128-bit mask (whose variable shifts cost more
            // than the rest): `low` is bytes 0..64, `high` bytes n - 64..n; they overlap unless
            // n is 128.
            let pair = |a: u32, b: u32| u64::from(a) | u64::from(b) << 32;
            let (g_low, d_low, a_low) = (pair(g0, g1), pair(d0, d1), pair(a0, a1));
            let (g_high, d_high, a_high) = (pair(g2, g3), pair(d2, d3), pair(a2, a3));
            // Bit j of `high >> up` is byte 64 + j: the `@`s the low half has not seen.
            let up = (128 - n) as u32;
            let (x, y) = (a_low, a_high >> up);
            let ats = x | y;
            let one_at = (ats != 0) & (ats & ats.wrapping_sub(1) == 0) & (x & y == 0);
            let s_low = d_low | a_low | 1;
            let s_high = d_high | a_high | 1 << 63;
            // Pairs inside each half, and bytes 63 and 64 (in neither half when n is 128).
            let apart = (s_low & (s_low >> 1))
                | (s_high & (s_high >> 1))
                | (s_low >> 63 & s_high >> up & 1);
            (g_low == !1) & (g_high == !(1 << 63)) & one_at & (apart == 0)
        }
    }};
}

/// Whether `text` (32..=128 bytes, `<` first and `>` last) is one id the general path
/// writes as it is.
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
fn is_one_id(text: &[u8]) -> bool {
    one_id_text!(text)
}

/// Writes `Name: <id>` and the line ending and returns true when `text`, the whole value, is
/// one id of 32..=128 bytes that needs nothing but copying; otherwise writes nothing and
/// returns false. `name` has at most [`FAST_MAX_NAME`](super::FAST_MAX_NAME) bytes.
///
/// # Safety
/// The CPU must support AVX2.
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
pub(super) unsafe fn format(
    sink: &mut SliceSink<'_>,
    name: &[u8],
    text: &[u8],
    crlf: bool,
) -> bool {
    let n = text.len();
    if !(32..=128).contains(&n) || text.first() != Some(&b'<') || text.last() != Some(&b'>') {
        return false;
    }
    if !is_one_id(text) {
        return false;
    }
    let nl = name.len();
    let total = nl + 2 + n + 1 + usize::from(crlf);
    // Exact stores only: nothing past the field's output is touched. A buffer too small is
    // told the size (the sink counts).
    if let Some((head, rest)) = sink
        .spare()
        .get_mut(..total)
        .and_then(|d| d.split_at_mut_checked(nl))
    {
        super::copy_line(head, name);
        if let Some((sep, rest)) = rest.split_first_chunk_mut::<2>() {
            *sep = *b": ";
            if let Some((body, end)) = rest.split_at_mut_checked(n) {
                if n <= 64 {
                    super::copy_ends::<32>(body, text);
                } else {
                    super::copy_ends::<64>(body, text);
                }
                if let Some(e) = end.first_chunk_mut::<2>() {
                    *e = *b"\r\n";
                } else if let Some(e) = end.first_mut() {
                    *e = b'\n';
                }
            }
        }
    }
    sink.commit(total);
    true
}

/// [`is_one_id`] as a call, for [`format_two`]: one copy for both of its ids. Made with
/// the same macro rather than calling `is_one_id`, so that [`format`] keeps its own inlined
/// copy (with two callers, the compiler would make `is_one_id` a call there too).
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline(never)]
fn is_one_id_out_of_line(text: &[u8]) -> bool {
    one_id_text!(text)
}

/// Writes `text[..len]` (32..=128 bytes) to the start of `dst` (which has room for it):
/// the first and the last 32 or 64 bytes, which overlap.
#[inline(always)]
fn put_id(dst: &mut [u8], text: &[u8]) {
    let n = text.len();
    if let Some(d) = dst.get_mut(..n) {
        if n <= 64 {
            super::copy_ends::<32>(d, text);
        } else {
            super::copy_ends::<64>(d, text);
        }
    }
}

/// Where the first space of `text` (65..=257 bytes) is, among its first 128 bytes; where
/// the windows end (128, or the end of a shorter text) when there is none there. Four windows: the first two at 0 and 32, the other two
/// at 64 and 96 or, for a shorter text, ending with it (they then overlap bytes the first
/// two have seen, which hold no space when they are looked at).
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
fn first_space(text: &[u8]) -> usize {
    let n = text.len();
    let (o2, o3) = (n.wrapping_sub(32).min(64), n.wrapping_sub(32).min(96));
    let (Some(v0), Some(v1), Some(v2), Some(v3)) = (
        load(text, 0),
        load(text, 32),
        load(text, o2),
        load(text, o3),
    ) else {
        return usize::MAX;
    };
    let sp = _mm256_set1_epi8(b' ' as i8);
    let mask = |v| _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, sp)) as u32;
    let low = u64::from(mask(v0)) | u64::from(mask(v1)) << 32;
    let (m2, m3) = (mask(v2), mask(v3));
    if low != 0 {
        low.trailing_zeros() as usize
    } else if m2 != 0 {
        o2 + m2.trailing_zeros() as usize
    } else {
        o3 + m3.trailing_zeros() as usize
    }
}

/// Writes `Name: <id1>`, a space or a fold, `<id2>` and the line ending, and returns true,
/// when `text`, the whole value, is two ids of 32..=128 bytes separated by one space that
/// need nothing but copying (as [`format`] decides for one); otherwise writes nothing and
/// returns false. The second id folds when it would end past `soft` (the line holds
/// `Name: <id1> <id2>`), as the general path decides: the first id never comes near 998
/// octets on the name line, nor the second on a line of its own. `name` has at most
/// [`FAST_MAX_NAME`](super::FAST_MAX_NAME) bytes. (The In-Reply-To of a reply to a reply.)
///
/// # Safety
/// The CPU must support AVX2.
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
pub(super) unsafe fn format_two(
    sink: &mut SliceSink<'_>,
    name: &[u8],
    text: &[u8],
    crlf: bool,
    soft: usize,
) -> bool {
    let n = text.len();
    if !(65..=257).contains(&n) {
        return false;
    }
    // With no space among the first 128 bytes, `p` is where the windows end: the byte
    // there must be the space.
    let p = first_space(text);
    let (Some(first), Some(b' '), Some(second)) = (text.get(..p), text.get(p), text.get(p + 1..))
    else {
        return false;
    };
    let (l1, l2) = (first.len(), second.len());
    if !(32..=128).contains(&l1)
        || !(32..=128).contains(&l2)
        || first.first() != Some(&b'<')
        || first.last() != Some(&b'>')
        || second.first() != Some(&b'<')
        || second.last() != Some(&b'>')
        || !is_one_id_out_of_line(first)
        || !is_one_id_out_of_line(second)
    {
        return false;
    }
    let nl = name.len();
    let head = nl + 2 + l1;
    let fold = head + 1 + l2 > soft;
    let eol = 1 + usize::from(crlf);
    let sep = if fold { eol + 1 } else { 1 };
    let total = head + sep + l2 + eol;
    // Exact stores only, as in `format`.
    if let Some(out) = sink.spare().get_mut(..total) {
        if let Some((d, rest)) = out.split_at_mut_checked(nl) {
            super::copy_line(d, name);
            if let Some((colon, rest)) = rest.split_first_chunk_mut::<2>() {
                *colon = *b": ";
                put_id(rest, first);
            }
        }
        if let Some(rest) = out.get_mut(head..) {
            // The separator: " ", "\n " or "\r\n ", then the second id at `head + sep`.
            if fold && crlf {
                if let Some(d) = rest.first_chunk_mut::<3>() {
                    *d = *b"\r\n ";
                }
            } else if fold {
                if let Some(d) = rest.first_chunk_mut::<2>() {
                    *d = *b"\n ";
                }
            } else if let Some(d) = rest.first_mut() {
                *d = b' ';
            }
            if let Some(rest) = rest.get_mut(sep..) {
                put_id(rest, second);
                if let Some(e) = rest.get_mut(l2..) {
                    if let Some(d) = e.first_chunk_mut::<2>() {
                        *d = *b"\r\n";
                    } else if let Some(d) = e.first_mut() {
                        *d = b'\n';
                    }
                }
            }
        }
    }
    sink.commit(total);
    true
}

#[cfg(test)]
mod tests {
    use super::{BAD_HI, BAD_LO};

    #[test]
    fn tables_match_the_definition() {
        for c in 0..=255u8 {
            let bad = BAD_LO[usize::from(c & 15)] & BAD_HI[usize::from(c >> 4)] != 0;
            assert_eq!(bad, super::is_bad(c), "{c:#x}");
        }
    }
}
