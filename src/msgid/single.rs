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
//! overlap), each turned into the classes of its bytes (two nibble lookups): their bad bytes
//! are gathered in one vector, tested once, and two bit masks are taken, of `.` or `@` and of
//! `@`. The grammar is then a few operations on the masks, with no branch per byte or per
//! window.

use super::twice;
#[cfg(test)]
use crate::sink::SliceSink;
use core::arch::x86_64::{
    __m256i, _mm256_adds_epu8, _mm256_and_si256, _mm256_cmpeq_epi8, _mm256_loadu_si256,
    _mm256_movemask_epi8, _mm256_or_si256, _mm256_set1_epi8, _mm256_shuffle_epi8,
    _mm256_srli_epi16, _mm256_storeu_si256, _mm256_testz_si256, _mm256_xor_si256,
};

/// A byte's class is `CLASS_LO[low nibble] & CLASS_HI[high nibble]`. Bits 0..=4 (`BAD`): the
/// byte is outside atext, `.` and `@`, or is `?` (an id with `?` is left to the general fast
/// path, which checks for `=?`). Bit 0: rows 0, 1 and 8..=F (controls and non-ASCII), every
/// column. Bit 1: row 2 x SP `"(),`. Bit 2: row 3 x `:;<>?`. Bit 3: row 5 x `[\]`. Bit 4: row
/// 7 x DEL. Bit 6: row 2 x column E, `.`. Bit 7: row 4 x column 0, `@` (so that `vpmovmskb`
/// of the classes is the `@` mask, and of the classes doubled the `.` mask).
const CLASS_LO: [u8; 16] = [
    0x83, 0x01, 0x03, 0x01, 0x01, 0x01, 0x01, 0x01, 0x03, 0x03, 0x05, 0x0D, 0x0F, 0x09, 0x45, 0x15,
];
const CLASS_HI: [u8; 16] = [
    0x01, 0x01, 0x42, 0x04, 0x80, 0x08, 0x00, 0x10, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
];
/// The class bits that make a byte bad.
const BAD: u8 = 0x1F;

/// The definition [`CLASS_LO`] and [`CLASS_HI`] encode in [`BAD`], for the tests.
#[cfg(test)]
pub(super) fn is_bad(c: u8) -> bool {
    !(crate::chars::is(c, crate::chars::ATEXT) || c == b'.' || c == b'@') || c == b'?'
}

static TABLES: [[u8; 32]; 2] = [twice(CLASS_LO), twice(CLASS_HI)];

/// [`BAD`] in every byte of a window but its first (`FIRST`, for the window that starts with
/// the `<`), its last (`LAST`, ending with the `>`), or both (`BOTH`, the one window of a
/// 32-byte id), and in all of them (`ALL`).
const fn bad_mask(skip_first: bool, skip_last: bool) -> [u8; 32] {
    let mut m = [BAD; 32];
    if skip_first {
        m[0] = 0;
    }
    if skip_last {
        m[31] = 0;
    }
    m
}
/// `FIRST`, `BOTH`, `LAST`, `ALL` (see [`bad_mask`]), in this order: `FIRST` for an id of 33
/// bytes or more is at 0, and for one of 32 at 32 (`BOTH`).
static MASKS: [[u8; 32]; 4] = [
    bad_mask(true, false),
    bad_mask(true, true),
    bad_mask(false, true),
    bad_mask(false, false),
];

#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
fn load(b: &[u8], at: usize) -> Option<__m256i> {
    let chunk = b.get(at..)?.first_chunk::<32>()?;
    // SAFETY: `chunk` is 32 readable bytes; `_mm256_loadu_si256` needs no alignment.
    Some(unsafe { _mm256_loadu_si256(chunk.as_ptr().cast::<__m256i>()) })
}

/// One window: its bad bytes as classes (those of `keep`, a mask from [`MASKS`]), and its
/// masks of `.` or `@` and of `@` (bit `i` for byte `i`).
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
fn window(lo_t: __m256i, hi_t: __m256i, v: __m256i, keep: __m256i) -> (__m256i, u32, u32) {
    let nibble = _mm256_set1_epi8(0x0F);
    let lo = _mm256_and_si256(v, nibble);
    let hi = _mm256_and_si256(_mm256_srli_epi16::<4>(v), nibble);
    let class = _mm256_and_si256(_mm256_shuffle_epi8(lo_t, lo), _mm256_shuffle_epi8(hi_t, hi));
    (
        _mm256_and_si256(class, keep),
        _mm256_movemask_epi8(sep_bits(class)) as u32,
        _mm256_movemask_epi8(class) as u32,
    )
}

/// Whether `text` (32..=128 bytes, `<` first and `>` last: see [`candidate`]) is one id the
/// general path writes as it is: every byte between the brackets atext, `.` or `@` (and not
/// `?`), exactly one `@`, and no two of `<`, `.`, `@`, `>` next to each other (no empty atom,
/// no empty side). Without branches but the one on the length.
///
/// A call of its own with one argument and no frame (the longer ids, which need more
/// registers, are a tail call to [`long_id`]); the caller then writes the field. (Callers
/// without AVX2 enabled call it in `unsafe`, having checked the CPU.)
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline(never)]
pub(super) fn is_one_id(text: &[u8]) -> bool {
    if text.len() <= 64 {
        short_id(text)
    } else {
        long_id(text)
    }
}

/// Whether the whole value may be one id for [`is_one_id`]: 32..=128 bytes, `<` first and
/// `>` last (checked before the call: most values that are not are told here).
#[inline(always)]
pub(super) fn candidate(text: &[u8]) -> bool {
    (32..=128).contains(&text.len()) && text.first() == Some(&b'<') && text.last() == Some(&b'>')
}

/// [`is_one_id`] for 32..=64 bytes: two windows, the second ending with the text.
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
fn short_id(text: &[u8]) -> bool {
    let n = text.len();
    let (Some(lo_t), Some(hi_t)) = (load(&TABLES[0], 0), load(&TABLES[1], 0)) else {
        return false;
    };
    let masks = MASKS.as_flattened();
    let (Some(v0), Some(v1), Some(k0), Some(k1)) = (
        load(text, 0),
        load(text, n.wrapping_sub(32)),
        // One window when n is 32: both are `BOTH`.
        load(masks, usize::from(n == 32) * 32),
        load(masks, 64 - usize::from(n == 32) * 32),
    ) else {
        return false;
    };
    let (b0, s0, a0) = window(lo_t, hi_t, v0, k0);
    let (b1, s1, a1) = window(lo_t, hi_t, v1, k1);
    let bad = _mm256_or_si256(b0, b1);
    // The second window starts at byte `n - 32` (0..=32); they agree where they overlap.
    let s = (n - 32) as u32;
    let wide = |a: u32, b: u32| u64::from(a) | u64::from(b) << s;
    let at = wide(a0, a1);
    let sep = wide(s0, s1) | 1 | 1 << (n - 1);
    // A branch (ids with bad bytes are rare): `vptest` and a jump, where a test folded into
    // the masks' arithmetic below is a horizontal OR of the vector.
    if _mm256_testz_si256(bad, bad) == 0 {
        return false;
    }
    (at != 0) & (at & at.wrapping_sub(1) == 0) & (sep & (sep >> 1) == 0)
}

/// [`is_one_id`] for 65..=128 bytes (out of line: a tail call from there).
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline(never)]
fn long_id(text: &[u8]) -> bool {
    long_id_inline(text)
}

/// [`long_id`], inlined into [`field_long`] (a call there would need a register frame).
/// Four windows, the last two ending with the text.
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
fn long_id_inline(text: &[u8]) -> bool {
    let n = text.len();
    let (Some(lo_t), Some(hi_t)) = (load(&TABLES[0], 0), load(&TABLES[1], 0)) else {
        return false;
    };
    let masks = MASKS.as_flattened();
    let (Some(v0), Some(v1), Some(v2), Some(v3), Some(first), Some(last), Some(all)) = (
        load(text, 0),
        load(text, 32),
        load(text, n.wrapping_sub(64)),
        load(text, n.wrapping_sub(32)),
        load(masks, 0),
        load(masks, 64),
        load(masks, 96),
    ) else {
        return false;
    };
    let (b0, s0, a0) = window(lo_t, hi_t, v0, first);
    let (b1, s1, a1) = window(lo_t, hi_t, v1, all);
    let (b2, s2, a2) = window(lo_t, hi_t, v2, all);
    let (b3, s3, a3) = window(lo_t, hi_t, v3, last);
    let bad = _mm256_or_si256(_mm256_or_si256(b0, b1), _mm256_or_si256(b2, b3));
    // Two 64-bit halves instead of one 128-bit mask (whose variable shifts cost more
    // than the rest): `low` is bytes 0..64, `high` bytes n - 64..n; they overlap unless
    // n is 128.
    let pair = |a: u32, b: u32| u64::from(a) | u64::from(b) << 32;
    let (s_low, a_low) = (pair(s0, s1) | 1, pair(a0, a1));
    let (s_high, a_high) = (pair(s2, s3) | 1 << 63, pair(a2, a3));
    // Bit j of `high >> up` is byte 64 + j: the `@`s the low half has not seen.
    let up = (128 - n) as u32;
    let (x, y) = (a_low, a_high >> up);
    let ats = x | y;
    let one_at = (ats != 0) & (ats & ats.wrapping_sub(1) == 0) & (x & y == 0);
    // Pairs inside each half, and bytes 63 and 64 (in neither half when n is 128).
    let apart =
        (s_low & (s_low >> 1)) | (s_high & (s_high >> 1)) | (s_low >> 63 & s_high >> up & 1);
    // A branch, as in `short_id`.
    if _mm256_testz_si256(bad, bad) == 0 {
        return false;
    }
    one_at & (apart == 0)
}

/// What the front path XORs into its first and its last window: the `<` of byte 0 and the
/// `>` of the value's last byte (each checked before) become `.`, which is no bad byte but a
/// separator, so that no mask has to skip them and an empty side or atom next to a bracket
/// is two separators in a row, as inside.
const fn ends_to_dots(last: bool) -> [u8; 32] {
    let mut m = [0; 32];
    if last {
        m[31] = b'>' ^ b'.';
    } else {
        m[0] = b'<' ^ b'.';
    }
    m
}
static ENDS: [[u8; 32]; 2] = [ends_to_dots(false), ends_to_dots(true)];
/// [`BAD`] in every byte, for `vptest`.
static BADS: [u8; 32] = [BAD; 32];

/// The classes of the 32 bytes of `v` (see [`CLASS_LO`]).
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
fn classes(lo_t: __m256i, hi_t: __m256i, v: __m256i) -> __m256i {
    let nibble = _mm256_set1_epi8(0x0F);
    let lo = _mm256_and_si256(v, nibble);
    let hi = _mm256_and_si256(_mm256_srli_epi16::<4>(v), nibble);
    _mm256_and_si256(_mm256_shuffle_epi8(lo_t, lo), _mm256_shuffle_epi8(hi_t, hi))
}

/// The masks of `@` and of separators (`.` or `@`) of a window's classes.
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
fn at_sep(class: __m256i) -> (u32, u32) {
    (
        _mm256_movemask_epi8(class) as u32,
        _mm256_movemask_epi8(sep_bits(class)) as u32,
    )
}

/// Classes with bit 7 set where the byte is `.` or `@`, for `vpmovmskb`: each class doubled
/// with unsigned saturation, one instruction (an add and an OR before). A byte that is no
/// bad one has the class 0, 0x40 (`.`, doubled 0x80) or 0x80 (`@`, doubled 0xFF); what a
/// bad byte gives does not matter, as every caller rejects a window with one.
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
fn sep_bits(class: __m256i) -> __m256i {
    _mm256_adds_epu8(class, class)
}

/// The tables, the bracket masks and the values `ENDS` turns the brackets of.
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
fn front_constants() -> Option<(__m256i, __m256i, __m256i, __m256i, __m256i)> {
    let ends = ENDS.as_flattened();
    Some((
        load(&TABLES[0], 0)?,
        load(&TABLES[1], 0)?,
        load(ends, 0)?,
        load(ends, 32)?,
        load(&BADS, 0)?,
    ))
}

/// [`is_one_id`] for the front path, 33..=64 bytes, `<` first and `>` last (checked by the
/// caller): two windows, the brackets turned into separators ([`ENDS`]), so that the bad
/// bytes are one `vptest` against a constant and the grammar two 64-bit masks, with
/// `popcnt` counting the `@`s. Returns the two windows as loaded (the first and the last 32
/// bytes), which are the id's copy. (An id of 32 bytes, whose one window holds both
/// brackets, is left to the general fast path.)
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
fn front_short(text: &[u8]) -> Option<[__m256i; 2]> {
    let n = text.len();
    if !(33..=64).contains(&n) {
        return None;
    }
    let (lo_t, hi_t, e0, e1, bads) = front_constants()?;
    let (v0, v1) = (load(text, 0)?, load(text, n - 32)?);
    let c0 = classes(lo_t, hi_t, _mm256_xor_si256(v0, e0));
    let c1 = classes(lo_t, hi_t, _mm256_xor_si256(v1, e1));
    // A branch (ids with bad bytes are rare), as in `short_id`.
    if _mm256_testz_si256(_mm256_or_si256(c0, c1), bads) == 0 {
        return None;
    }
    // The second window starts at byte `n - 32` (1..=32); they agree where they overlap,
    // and neither holds the other's bracket.
    let s = (n - 32) as u32;
    let ((a0, s0), (a1, s1)) = (at_sep(c0), at_sep(c1));
    let at = u64::from(a0) | u64::from(a1) << s;
    let sep = u64::from(s0) | u64::from(s1) << s;
    ((at.count_ones() == 1) & (sep & (sep >> 1) == 0)).then_some([v0, v1])
}

/// [`front_short`] for 65..=127 bytes: four windows, the first two at 0 and 32, the last
/// two ending with the text, returned as loaded. (128 bytes, where bytes 63 and 64 are in
/// no half together, are left to the general fast path.)
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
fn front_long(text: &[u8]) -> Option<[__m256i; 4]> {
    let n = text.len();
    if !(65..=127).contains(&n) {
        return None;
    }
    let (lo_t, hi_t, e0, e1, bads) = front_constants()?;
    let v = [
        load(text, 0)?,
        load(text, 32)?,
        load(text, n - 64)?,
        load(text, n - 32)?,
    ];
    let c0 = classes(lo_t, hi_t, _mm256_xor_si256(v[0], e0));
    let c1 = classes(lo_t, hi_t, v[1]);
    let c2 = classes(lo_t, hi_t, v[2]);
    let c3 = classes(lo_t, hi_t, _mm256_xor_si256(v[3], e1));
    let any = _mm256_or_si256(_mm256_or_si256(c0, c1), _mm256_or_si256(c2, c3));
    if _mm256_testz_si256(any, bads) == 0 {
        return None;
    }
    let pair = |a: u32, b: u32| u64::from(a) | u64::from(b) << 32;
    let ((a0, s0), (a1, s1), (a2, s2), (a3, s3)) = (at_sep(c0), at_sep(c1), at_sep(c2), at_sep(c3));
    // `low` is bytes 0..64, `high` bytes n - 64..n: every pair of neighbours is in one of
    // them (n < 128). Bit j of `high >> up` is byte 64 + j: the `@`s `low` has not seen.
    let (s_low, s_high) = (pair(s0, s1), pair(s2, s3));
    let up = (128 - n) as u32;
    let ats = pair(a0, a1).count_ones() + (pair(a2, a3) >> up).count_ones();
    ((ats == 1) & ((s_low & (s_low >> 1)) | (s_high & (s_high >> 1)) == 0)).then_some(v)
}

/// Writes `name` (8 to 16 bytes) and `": "` at `d`, as two overlapping 8-byte moves and a
/// 2-byte store.
///
/// # Safety
/// `8 <= name.len() <= 16`, and `d[..name.len() + 2]` is writable.
#[inline(always)]
unsafe fn put_name_8_16(d: *mut u8, name: &[u8]) {
    let nl = name.len();
    debug_assert!((8..=16).contains(&nl));
    // SAFETY: the loads read 8 bytes at 0 and at `nl - 8` inside `name`; the stores write
    // `d[..nl + 2]` (the caller's room). Unaligned accesses all.
    unsafe {
        let np = name.as_ptr();
        let head = np.cast::<u64>().read_unaligned();
        let tail = np.add(nl - 8).cast::<u64>().read_unaligned();
        d.cast::<u64>().write_unaligned(head);
        d.add(nl - 8).cast::<u64>().write_unaligned(tail);
        d.add(nl).cast::<[u8; 2]>().write_unaligned(*b": ");
    }
}

/// Writes `Name: <id>` and the line ending to the start of `out` when they fit there and
/// returns the result, for a `name` of 8..=16 bytes and the id `text` of 33..=127 bytes
/// whose first and last 32 bytes (or first and last 64, `W` being 4) are `v`: one bounds
/// check, then the stores, exact ones only.
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
fn put_front<const W: usize>(
    dest: &mut crate::raw::Dest,
    name: &[u8],
    text: &[u8],
    v: [__m256i; W],
) -> crate::raw::Raw {
    // 1 for LF, 0 for CRLF (asserted below): the total is one `lea` and a `sub` from it.
    let lf = dest.options.line_ending as usize;
    let (nl, n) = (name.len(), text.len());
    let total = nl + 2 + n + 2 - lf;
    let cap = dest.out.len();
    let id_fits = match W {
        2 => (33..=64).contains(&n),
        4 => (65..=127).contains(&n),
        _ => false,
    };
    if total <= cap && (8..=16).contains(&nl) && id_fits {
        let d = dest.out.as_mut_ptr();
        // SAFETY: only bytes below `total <= cap` of `out` are written: the name's first
        // and last 8 bytes (8 <= nl <= 16), ": " at nl, the id at nl + 2 as its first and
        // last 32 (W = 2, 32 < n <= 64) or 64 (W = 4, 64 < n < 128) bytes, the line ending
        // (2 - lf bytes) at nl + 2 + n, which is `total - 2` or `total - 1`, from the end:
        // the address of the stores is then `out` and `total`, as they are in registers.
        // The loads read 8 bytes inside `name`. Unaligned accesses all.
        unsafe {
            put_name_8_16(d, name);
            let id = d.add(nl + 2);
            let half = W / 2;
            for (i, &w) in v.iter().enumerate() {
                let at = if i < half { 32 * i } else { n - 32 * (W - i) };
                _mm256_storeu_si256(id.add(at).cast::<__m256i>(), w);
            }
            let end = d.add(total);
            if lf == 0 {
                end.sub(2).cast::<[u8; 2]>().write_unaligned(*b"\r\n");
            } else {
                end.sub(1).write(b'\n');
            }
        }
    }
    crate::raw::Raw::written(total, cap)
}

// `LineEnding` as a number is the length of its line ending taken from 2: `Crlf` 0, `Lf` 1
// (declaration order), which `put_front` relies on.
const _: () = assert!(crate::LineEnding::Crlf as usize == 0 && crate::LineEnding::Lf as usize == 1);

/// Whether `text` starts with `<` and ends with `>`.
#[inline(always)]
fn bracketed(text: &[u8]) -> bool {
    text.first() == Some(&b'<') && text.last() == Some(&b'>')
}

/// Writes `Name: <id>` and the line ending and returns true when `text`, the whole value, is
/// one id of 32..=128 bytes that needs nothing but copying; otherwise writes nothing and
/// returns false. `name` has at most [`FAST_MAX_NAME`](super::FAST_MAX_NAME) bytes. (What
/// `format_fast` does with [`candidate`], [`is_one_id`] and [`write_one`], for the tests.)
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(test)]
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
pub(super) unsafe fn format(
    sink: &mut SliceSink<'_>,
    name: &[u8],
    text: &[u8],
    crlf: bool,
) -> bool {
    if !candidate(text) || !is_one_id(text) {
        return false;
    }
    let total = write_one(sink.spare(), name, text, crlf);
    sink.commit(total);
    true
}

/// The field from [`raw::field`](crate::raw) for a msg-id name (`code`), whatever the
/// value's length (a test of it there cost every msg-id field five instructions; a value
/// out of range takes two jumps more here): one id of 33..=64 bytes (with a name of 8..=16,
/// as every known msg-id name has) checked and written here ([`front_short`],
/// [`put_front`]), a longer value passed on to [`field_long`], anything else to
/// [`raw::body`](crate::raw::body). Each hand-over is the last thing done with the same
/// arguments, a jump: no register frame on the way.
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline(never)]
pub(crate) fn field(
    name: &str,
    value: &str,
    dest: &mut crate::raw::Dest,
    code: crate::raw::Code,
) -> crate::raw::Raw {
    let text = value.as_bytes();
    if text.len() > 64 {
        return field_long(name, value, dest, code);
    }
    // The length first: then `bracketed` needs no test for an empty value.
    if text.len() >= 33 && bracketed(text) && (8..=16).contains(&name.len()) {
        if let Some(v) = front_short(text) {
            return put_front(dest, name.as_bytes(), text, v);
        }
    }
    crate::raw::body(name, value, dest, code.tried())
}

/// [`field`] for a value of 65 bytes or more: one id of up to 127 bytes ([`front_long`]),
/// or (a list's value of up to 255 bytes) two ids through [`field_two`].
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline(never)]
fn field_long(
    name: &str,
    value: &str,
    dest: &mut crate::raw::Dest,
    code: crate::raw::Code,
) -> crate::raw::Raw {
    let text = value.as_bytes();
    if text.len() <= 127 {
        if (65..=127).contains(&text.len()) && bracketed(text) && (8..=16).contains(&name.len()) {
            if let Some(v) = front_long(text) {
                return put_front(dest, name.as_bytes(), text, v);
            }
        }
    } else if text.len() > 255 {
        // Long lists (most `References`): a jump to `body` after two tests.
        return crate::raw::body(name, value, dest, code.tried());
    }
    if code.is_list() {
        return field_two(name, value, dest, code);
    }
    crate::raw::body(name, value, dest, code.tried())
}

/// Whether [`front_short`] or [`front_long`], by the length of `text` (`<` first and `>`
/// last, checked by the caller), takes it. A macro: as a function called twice it was big
/// enough for the compiler to keep out of line (a call per id, and a register frame).
macro_rules! front_ok {
    ($text:expr) => {
        if $text.len() <= 64 {
            front_short($text).is_some()
        } else {
            front_long($text).is_some()
        }
    };
}

/// [`field_long`] for two ids (the In-Reply-To of a reply to a reply): what [`put_two`]
/// writes, each id checked as [`field`] and [`field_long`] check one ([`front_ok!`]) and
/// copied from the value, all inlined here: no call, so no register frame and no windows
/// passed through memory (a call per id and one to write cost about 130 instructions more
/// per field).
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline(never)]
fn field_two(
    name: &str,
    value: &str,
    dest: &mut crate::raw::Dest,
    code: crate::raw::Code,
) -> crate::raw::Raw {
    let text = value.as_bytes();
    // The lengths before the windows: with 67 bytes or more, each of `first_space`'s loads
    // is known to be inside the value (no test of its own).
    if !((8..=16).contains(&name.len()) & (67..=255).contains(&text.len())) {
        return crate::raw::body(name, value, dest, code.tried());
    }
    // With no space among the first 128 bytes, `p` is where the windows end: the byte
    // there must be the space.
    let p = first_space(text);
    if p < text.len() {
        let (first, rest) = text.split_at(p.min(text.len()));
        let second = rest.get(1..).unwrap_or_default();
        // Each test evaluated, not one branch each: past a run of branches the compiler
        // takes the checks' calls for cold ones, which it does not inline (a call per id,
        // the windows through memory and a register frame here).
        let shape = (rest.first() == Some(&b' ')) & bracketed(first) & bracketed(second);
        if shape & front_ok!(first) & front_ok!(second) {
            return put_front_two(dest, name.as_bytes(), first, second);
        }
    }
    crate::raw::body(name, value, dest, code.tried())
}

/// Where the second and the third window of an id of `n` (33..=127) bytes start: `n - 32`
/// and 0 for a short one (its two windows again), 32 and `n - 64` for a long one.
#[inline(always)]
fn mid(n: usize) -> (usize, usize) {
    (n.wrapping_sub(32).min(32), n.saturating_sub(64))
}

/// Copies the id `id` to `d` as four 32-byte windows, at 0, [`mid`] and 32 bytes before its
/// end (which overlap), without a branch on its length.
///
/// # Safety
/// `33 <= id.len() <= 127` (so every window of [`mid`] is inside it), and `d[..id.len()]`
/// is writable.
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
unsafe fn copy_id(d: *mut u8, id: &[u8]) {
    let n = id.len();
    let (o1, o2) = mid(n);
    let s = id.as_ptr();
    for at in [0, o1, o2, n - 32] {
        // SAFETY: each load and store is 32 bytes at an offset of at most n - 32 (see
        // above), inside `id` and inside the caller's room at `d`; `id` is the caller's
        // value, which does not overlap the output buffer. Unaligned accesses.
        unsafe {
            let v = _mm256_loadu_si256(s.add(at).cast::<__m256i>());
            _mm256_storeu_si256(d.add(at).cast::<__m256i>(), v);
        }
    }
}

/// [`put_two`] for ids that [`front_ok!`] took, with a name of 8..=16 bytes: one bounds
/// check, then the stores, exact ones only.
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
fn put_front_two(
    dest: &mut crate::raw::Dest,
    name: &[u8],
    first: &[u8],
    second: &[u8],
) -> crate::raw::Raw {
    let options = dest.options;
    // 1 for LF, 0 for CRLF, as in `put_front`: the line ending's length is `2 - lf`.
    let lf = options.line_ending as usize;
    let (nl, l1, l2) = (name.len(), first.len(), second.len());
    let head = nl + 2 + l1;
    let fold = head + 1 + l2 > options.max_line_len;
    let sep = if fold { 3 - lf } else { 1 };
    let total = head + sep + l2 + 2 - lf;
    let cap = dest.out.len();
    let ok = (8..=16).contains(&nl) && (33..=127).contains(&l1) && (33..=127).contains(&l2);
    if total <= cap && ok {
        // The separator and what follows it, as one 4-byte store that the second id's
        // stores then partly overwrite: " ", "\n " or "\r\n ".
        let sep_word = match (fold, lf) {
            (false, _) => *b"    ",
            (true, 0) => *b"\r\n  ",
            (true, _) => *b"\n   ",
        };
        let d = dest.out.as_mut_ptr();
        // SAFETY: only bytes below `total <= cap` of `out` are written: the name's first
        // and last 8 bytes (8 <= nl <= 16), ": " at nl, the first id at nl + 2 (`copy_id`,
        // 33 <= l1 <= 127), the 4-byte separator word at `head` (the second id,
        // at least 33 bytes, follows within 3 bytes), the second id at `head + sep`, the
        // line ending (`2 - lf` bytes) at `total - 2 + lf`. The loads read 8 bytes inside
        // `name`.
        unsafe {
            put_name_8_16(d, name);
            copy_id(d.add(nl + 2), first);
            d.add(head).cast::<[u8; 4]>().write_unaligned(sep_word);
            copy_id(d.add(head + sep), second);
            let end = d.add(total);
            if lf == 0 {
                end.sub(2).cast::<[u8; 2]>().write_unaligned(*b"\r\n");
            } else {
                end.sub(1).write(b'\n');
            }
        }
    }
    crate::raw::Raw::written(total, cap)
}

/// Writes `Name: <id>` and the line ending to the start of `out` when they fit there (only
/// counted otherwise) and returns their length, for a `text` of at most 128 bytes that
/// [`is_one_id`] took and a `name` of at most [`FAST_MAX_NAME`](super::FAST_MAX_NAME) bytes:
/// the first id stays on the name line whatever the soft limit (see the module's docs).
/// Exact stores only: nothing past the field's output is touched.
#[inline(always)]
pub(super) fn write_one(out: &mut [u8], name: &[u8], text: &[u8], crlf: bool) -> usize {
    let (nl, n) = (name.len(), text.len());
    let total = nl + 2 + n + 1 + usize::from(crlf);
    if let Some((head, rest)) = out
        .get_mut(..total)
        .and_then(|d| d.split_at_mut_checked(nl))
    {
        put_name(head, name);
        if let Some((sep, rest)) = rest.split_first_chunk_mut::<2>() {
            *sep = *b": ";
            if let Some((body, end)) = rest.split_at_mut_checked(n) {
                put_id(body, text);
                if let Some(e) = end.first_chunk_mut::<2>() {
                    *e = *b"\r\n";
                } else if let Some(e) = end.first_mut() {
                    *e = b'\n';
                }
            }
        }
    }
    total
}

/// `dst.copy_from_slice(name)` (equal lengths) for a name of at most
/// [`FAST_MAX_NAME`](super::FAST_MAX_NAME) bytes: one of 8..=16 bytes (`Message-ID`,
/// `In-Reply-To`, `References`, `Content-ID`), the common case, as two overlapping 8-byte
/// moves after one test; the others as [`copy_line`](super::copy_line) copies any line.
#[inline(always)]
fn put_name(dst: &mut [u8], name: &[u8]) {
    if name.len().wrapping_sub(8) <= 8 {
        super::copy_ends::<8>(dst, name);
    } else {
        super::copy_line(dst, name);
    }
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
/// the windows end (128, or the end of a shorter text) when there is none there. Four
/// windows: the first two at 0 and 32, the other two at 64 and 96 or, for a shorter text,
/// ending with it (they then overlap bytes the first two have seen, which hold no space
/// when they are looked at).
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
fn first_space(text: &[u8]) -> usize {
    let n = text.len();
    // The last two windows as the last 32 bytes of `text[..96]` and `text[..128]` (or of
    // the whole text): a caller that has checked the length then has no test left per
    // window (one at an offset of `min(n - 32, 64)` kept its bounds test).
    let (e2, e3) = (n.min(96), n.min(128));
    let (o2, o3) = (e2.wrapping_sub(32), e3.wrapping_sub(32));
    let last = |end: usize| load(text.get(..end)?.last_chunk::<32>()?, 0);
    let (Some(v0), Some(v1), Some(v2), Some(v3)) =
        (load(text, 0), load(text, 32), last(e2), last(e3))
    else {
        return usize::MAX;
    };
    let sp = _mm256_set1_epi8(b' ' as i8);
    let mask = |v| _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, sp)) as u32;
    let low = u64::from(mask(v0)) | u64::from(mask(v1)) << 32;
    let (m2, m3) = (mask(v2), mask(v3));
    // Selects, not branches (where the first space is varies from value to value: about
    // one misprediction in ten `In-Reply-To`s with two ids). Without a space `m3` is 0, and
    // `o3 + 32` is where the windows end.
    let later = core::hint::select_unpredictable(
        m2 != 0,
        o2 + m2.trailing_zeros() as usize,
        o3 + m3.trailing_zeros() as usize,
    );
    core::hint::select_unpredictable(low != 0, low.trailing_zeros() as usize, later)
}

/// [`put_two`] through a sink, for the tests: true when it takes the value.
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(test)]
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
pub(super) unsafe fn format_two(
    sink: &mut SliceSink<'_>,
    name: &[u8],
    text: &[u8],
    crlf: bool,
    soft: usize,
) -> bool {
    let total = put_two(sink.spare(), name, text, crlf, soft);
    sink.commit(total);
    total != 0
}

/// Writes `Name: <id1>`, a space or a fold, `<id2>` and the line ending, and returns their
/// length, when `text`, the whole value, is two ids of 32..=128 bytes separated by one space
/// that need nothing but copying (as [`is_one_id`] decides for one), written to the start of
/// `out` when it fits there (only counted otherwise); otherwise writes nothing and returns 0.
/// The second id folds when it would end past `soft` (the line holds `Name: <id1> <id2>`),
/// as the general path decides: the first id never comes near 998 octets on the name line,
/// nor the second on a line of its own. `name` has at most
/// [`FAST_MAX_NAME`](super::FAST_MAX_NAME) bytes. (The In-Reply-To of a reply to a reply.)
/// Callers without AVX2 enabled call it in `unsafe`, having checked the CPU.
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline(never)]
pub(super) fn put_two(out: &mut [u8], name: &[u8], text: &[u8], crlf: bool, soft: usize) -> usize {
    let n = text.len();
    if !(65..=257).contains(&n) {
        return 0;
    }
    // With no space among the first 128 bytes, `p` is where the windows end: the byte
    // there must be the space.
    let p = first_space(text);
    let (Some(first), Some(b' '), Some(second)) = (text.get(..p), text.get(p), text.get(p + 1..))
    else {
        return 0;
    };
    let (l1, l2) = (first.len(), second.len());
    if !(32..=128).contains(&l1)
        || !(32..=128).contains(&l2)
        || first.first() != Some(&b'<')
        || first.last() != Some(&b'>')
        || second.first() != Some(&b'<')
        || second.last() != Some(&b'>')
        || !is_one_id(first)
        || !is_one_id(second)
    {
        return 0;
    }
    let nl = name.len();
    let head = nl + 2 + l1;
    let fold = head + 1 + l2 > soft;
    let eol = 1 + usize::from(crlf);
    let sep = if fold { eol + 1 } else { 1 };
    let total = head + sep + l2 + eol;
    // Exact stores only, as in [`write_one`].
    if let Some(out) = out.get_mut(..total) {
        if let Some((d, rest)) = out.split_at_mut_checked(nl) {
            put_name(d, name);
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
    total
}

#[cfg(test)]
mod tests {
    use super::{BAD, CLASS_HI, CLASS_LO};
    use std::vec::Vec;

    /// Ids of every length the front path sees (30..=131 bytes), the `@` at several places,
    /// dots next to it and to the brackets, and each byte replaced by each troublesome one.
    fn ids() -> Vec<Vec<u8>> {
        let corrupt = b"<>@. ?=\t\x00\x7f[]\\\"(),:;\xff-";
        let mut all = Vec::new();
        for total in 30..=131usize {
            for at in [1, 2, 3, total / 2, total - 4, total - 3, total - 2] {
                let id = crate::test_util::synthetic_id(total, at, b'x', 4, 6);
                all.push(id.clone());
                if at == total / 2 {
                    for i in 0..total {
                        for &c in corrupt {
                            let mut bad = id.clone();
                            bad[i] = c;
                            all.push(bad);
                        }
                    }
                }
            }
        }
        all
    }

    /// The front path's checks take exactly the ids of 33..=127 bytes that [`is_one_id`]
    /// takes (the general fast path's check), and give back the value's windows.
    #[test]
    fn front_checks_match_is_one_id() {
        if !crate::test_util::avx2_or_skip() {
            return;
        }
        for id in ids() {
            let n = id.len();
            // SAFETY: the CPU has AVX2 (checked above).
            let (want, short, long) = unsafe {
                (
                    super::candidate(&id) && super::is_one_id(&id),
                    super::front_short(&id),
                    super::front_long(&id),
                )
            };
            let got = super::bracketed(&id) && (short.is_some() || long.is_some());
            let text = std::string::String::from_utf8_lossy(&id);
            if (33..=127).contains(&n) {
                assert_eq!(got, want, "{text:?}");
            } else {
                assert!(!got, "{text:?}");
            }
            assert!(short.is_none() || (33..=64).contains(&n), "{text:?}");
            assert!(long.is_none() || (65..=127).contains(&n), "{text:?}");
        }
    }

    #[test]
    fn tables_match_the_definition() {
        for c in 0..=255u8 {
            let class = CLASS_LO[usize::from(c & 15)] & CLASS_HI[usize::from(c >> 4)];
            assert_eq!(class & BAD != 0, super::is_bad(c), "{c:#x}");
            assert_eq!(class & 0x40 != 0, c == b'.', "{c:#x}");
            assert_eq!(class & 0x80 != 0, c == b'@', "{c:#x}");
        }
    }
}
