//! The word loop of [`super::format_words`] for the common value, without a call per word.
//!
//! One pass copies the text into a padded local buffer (so every later read may take
//! whole vectors past what it needs) and builds bit masks of the whole text (64 bytes per
//! word of mask): white space, the bytes Q must escape, and the ends of the words that must be
//! encoded (see the parent module), found for all words at once with one carrying addition.
//! The loop then goes from run to run, not from word to word: a run of words to encode is
//! found with a few bit scans and encoded as consecutive encoded-words sized to the line
//! room, and the plain words between two runs are placed whole when they fit on the line
//! (word by word only where a fold may come). It keeps the folder's line state in locals and
//! writes straight into the output buffer. The decisions are exactly those [`Folder::space`]
//! and [`crate::encoded_word::write_run_slice`] make; tests hold the output to the general
//! path's for every value and buffer size.
//!
//! It takes values whose white space is single SP or HTAB characters (no caller folds, no
//! runs of white space) and that are short enough that the 998-octet limit never comes into
//! play: then no word is encoded for its length, every line is far from 998 octets, and the
//! folder's rules reduce to the few comparisons below. Any other value takes the general
//! path.

use crate::encoded_word::{Context, RunEncoder};
use crate::fold::{Folder, Width, EW_LINE_LIMIT};
use crate::options::{HARD_LINE_LIMIT, MIN_MAX_LINE_LEN};
use crate::{chars, Error, Options};
use core::mem::MaybeUninit;

/// Longest text the masks cover, in blocks of 64 bytes: more than the 998 octets a value
/// taken here can have.
const MAX_BLOCKS: usize = 16;

/// Blocks of the masks for the common value (up to 446 bytes, every UTF-8 Subject of the
/// benchmark corpus): the masks are cleared at every call, and more words of them would cost
/// more stores (at 8 blocks LLVM cleared the padded copy, then still cleared whole, with a
/// call to `memset`, ~50 instructions). Longer values take a cold out-of-line instance with
/// [`MAX_BLOCKS`].
const SHORT_BLOCKS: usize = 7;

/// Bit masks over a whole text, bit `i % 64` of word `i / 64` for `text[i]`, in `B` words.
/// In C layout: [`Masks::space_start`] reads `space_before` as the word before `space`.
#[repr(C)]
struct Masks<const B: usize> {
    /// [`SPACE_BEFORE`]: white space before the text (bit 63 of the word before `space`),
    /// which ends the searches back for a word's start without a test of the word index.
    space_before: u64,
    /// SP and HTAB; and the end of the text (bit `len`), so every word has an end.
    space: [u64; B],
    /// The bits of `space` that end a word that must be encoded: one holding a byte that
    /// forces encoding (non-ASCII with utf8 off, the first byte of a C1 control, U+2028 or
    /// U+2029 with it on, the `?` of `=?`).
    /// Bit `len + 1` is set too: a search for the next one ends there when none is left.
    forced_end: [u64; B],
    /// The other bits of `space`: the ends of the words that stay as they are; and bit
    /// `len + 1`, as in `forced_end`.
    plain_end: [u64; B],
    /// The bytes Q writes as `=XX` in unstructured text (RFC 2047 §5(1)); bits past the end
    /// of the text are set too, and never counted.
    escape: [u64; B],
    /// The bits of `escape` in the words before each word: with them the escapes of any
    /// range are two ranks, without a loop over the words between (whose exit mispredicts).
    escapes_before: [u32; B],
}

/// [`Masks::space_before`]: its bit 63 stands for position -1.
const SPACE_BEFORE: u64 = 1 << 63;

/// The masks of one block of 64 bytes, before they are combined across blocks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Block {
    /// SP and HTAB.
    space: u64,
    /// The control characters: C0 except HTAB (CR and LF included: a caller's fold is the
    /// general path's business), and DEL. A value with none of them passes
    /// [`crate::input::check_controls`], so the fast path that takes it need not run that
    /// scan; any other value goes to the general path, which does.
    control: u64,
    /// Bytes 0x80 and above.
    high: u64,
    /// `=`.
    eq: u64,
    /// `?`.
    question: u64,
    /// 0xC2 and 0xE2, which start the C1 controls, U+2028 and U+2029.
    lead: u64,
    /// The bytes Q escapes in text: controls (HTAB included), DEL, `=`, `?`, `_` and bytes
    /// 0x80 and above.
    escape: u64,
    /// Whether `control`, `eq` or `question` has a bit: the AVX2 version finds these three
    /// masks only then (with one test of the lookup classes it has anyway), and
    /// [`Masks::build`] leaves out their steps when not, as for most blocks (non-ASCII text
    /// seldom holds a `=` or `?`).
    rare: bool,
}

/// [`Block`] a byte at a time: the portable version, and the reference of the SSE2 one.
#[cfg_attr(all(target_arch = "x86_64", not(test)), allow(dead_code))]
fn block_portable(chunk: &[u8; 64]) -> Block {
    let mut m = Block::default();
    for (i, &b) in chunk.iter().enumerate() {
        let bit = 1u64 << i;
        let on = |yes: bool| if yes { bit } else { 0 };
        m.space |= on(b == b' ' || b == b'\t');
        m.control |= on((b < 0x20 && b != b'\t') || b == 0x7F);
        m.high |= on(b >= 0x80);
        m.eq |= on(b == b'=');
        m.question |= on(b == b'?');
        m.lead |= on(b == 0xC2 || b == 0xE2);
        m.escape |= on(!(0x20..0x7F).contains(&b) || matches!(b, b'=' | b'?' | b'_'));
    }
    m.rare = m.control | m.eq | m.question != 0;
    m
}

/// [`Block`] with SSE2 (the x86_64 baseline), 16 bytes per compare.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn block_sse2(chunk: &[u8; 64]) -> Block {
    use core::arch::x86_64::{
        _mm_andnot_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_loadu_si128,
        _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8, _mm_setzero_si128,
    };
    let mut m = Block::default();
    for (c, part) in chunk.chunks_exact(16).enumerate() {
        let shift = 16 * c;
        // SAFETY: SSE2 is part of the x86_64 baseline; `part` is 16 readable bytes and the
        // load has no alignment requirement.
        unsafe {
            let v = _mm_loadu_si128(part.as_ptr().cast());
            let eq = |b: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8));
            let bits = |x| u64::from(_mm_movemask_epi8(x) as u16) << shift;
            let (eq_sign, question) = (eq(b'='), eq(b'?'));
            m.space |= bits(_mm_or_si128(eq(b' '), eq(b'\t')));
            // Signed: bytes 0x80 and above are below 0x20 too, and are taken out again.
            let low = _mm_cmpgt_epi8(_mm_set1_epi8(0x20), v);
            let c0 = _mm_andnot_si128(_mm_cmplt_epi8(v, _mm_setzero_si128()), low);
            m.control |= bits(_mm_or_si128(_mm_andnot_si128(eq(b'\t'), c0), eq(0x7F)));
            m.high |= bits(v);
            m.eq |= bits(eq_sign);
            m.question |= bits(question);
            m.lead |= bits(_mm_or_si128(eq(0xC2), eq(0xE2)));
            let special = _mm_or_si128(_mm_or_si128(eq_sign, question), eq(b'_'));
            m.escape |= bits(_mm_or_si128(_mm_or_si128(low, eq(0x7F)), special));
        }
    }
    m.rare = m.control | m.eq | m.question != 0;
    m
}

/// [`Block`] with AVX2, 32 bytes per compare.
///
/// # Safety
/// The CPU must support AVX2 ([`crate::cpu::avx2`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
unsafe fn block_avx2(chunk: &[u8; 64]) -> Block {
    use core::arch::x86_64::{
        __m256i, _mm256_and_si256, _mm256_cmpeq_epi8, _mm256_cmpgt_epi8, _mm256_loadu_si256,
        _mm256_movemask_epi8, _mm256_or_si256, _mm256_set1_epi8, _mm256_setzero_si256,
        _mm256_shuffle_epi8, _mm256_srli_epi16, _mm256_testz_si256,
    };
    let nibble = _mm256_set1_epi8(0x0F);
    // SAFETY: `chunk` is 64 readable bytes; the loads have no alignment requirement.
    let (v0, v1) = unsafe {
        (
            _mm256_loadu_si256(chunk.as_ptr().cast()),
            _mm256_loadu_si256(chunk.as_ptr().add(32).cast()),
        )
    };
    // The two halves' byte masks as one 64-bit mask.
    let bits = |lo: __m256i, hi: __m256i| {
        u64::from(_mm256_movemask_epi8(lo) as u32)
            | u64::from(_mm256_movemask_epi8(hi) as u32) << 32
    };
    let eq = |v: __m256i, b: u8| _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b as i8));
    // The escape classes by table lookups on the two nibbles (a byte is escaped when the two
    // entries share a bit; see ESCAPE_LOW): written with compares, LLVM turns the mask into
    // a byte-by-byte extract and insert sequence.
    let classes = |v: __m256i| {
        let low = _mm256_shuffle_epi8(table(&ESCAPE_LOW), _mm256_and_si256(v, nibble));
        let high = _mm256_and_si256(_mm256_srli_epi16::<4>(v), nibble);
        _mm256_and_si256(low, _mm256_shuffle_epi8(table(&ESCAPE_HIGH), high))
    };
    let (c0, c1) = (classes(v0), classes(v1));
    let zero = _mm256_setzero_si256();
    let mut m = Block {
        space: bits(
            _mm256_or_si256(eq(v0, b' '), eq(v0, b'\t')),
            _mm256_or_si256(eq(v1, b' '), eq(v1, b'\t')),
        ),
        high: bits(v0, v1),
        lead: bits(
            _mm256_or_si256(eq(v0, 0xC2), eq(v0, 0xE2)),
            _mm256_or_si256(eq(v1, 0xC2), eq(v1, 0xE2)),
        ),
        // Classes above zero: every class byte is below 0x80 (six class bits), so the
        // signed compare is the test for any class, without the `not` of a compare with
        // zero (LLVM found the mask both ways, one for its count and one for its store).
        escape: bits(_mm256_cmpgt_epi8(c0, zero), _mm256_cmpgt_epi8(c1, zero)),
        ..Block::default()
    };
    // One test of the classes for the controls, `=` and `?` (class 1 is exactly those two
    // bytes): their three masks, and the steps of `build` on them, only for a block with one.
    let rare = _mm256_set1_epi8((CONTROL_CLASSES | EQ_QUESTION_CLASS) as i8);
    if _mm256_testz_si256(_mm256_or_si256(c0, c1), rare) == 0 {
        let control = _mm256_set1_epi8(CONTROL_CLASSES as i8);
        let no_control = |c: __m256i| _mm256_cmpeq_epi8(_mm256_and_si256(c, control), zero);
        m.control = !bits(no_control(c0), no_control(c1));
        m.eq = bits(eq(v0, b'='), eq(v1, b'='));
        m.question = bits(eq(v0, b'?'), eq(v1, b'?'));
        m.rare = true;
    }
    m
}

/// The escape classes of the low nibble of a byte, one bit per class, for [`block_avx2`]:
/// bit 0 every byte whose high nibble alone makes it escaped (controls, 0x80 and above), bit
/// 1 `=` and `?` (0x3D, 0x3F), bit 2 `_` (0x5F), bit 3 DEL (0x7F), bit 4 the controls
/// 0x00-0x0F but HTAB (0x09), bit 5 the controls 0x10-0x1F. Bits 3 to 5 are the controls the
/// fast path leaves to the general one ([`Block::control`]); bits 4 and 5 add no escape, as
/// bit 0 already escapes every C0 byte.
#[cfg(target_arch = "x86_64")]
const ESCAPE_LOW: [u8; 16] = [
    49, 49, 49, 49, 49, 49, 49, 49, 49, 33, 49, 49, 49, 51, 49, 63,
];

/// The escape classes of the high nibble (see [`ESCAPE_LOW`]).
#[cfg(target_arch = "x86_64")]
const ESCAPE_HIGH: [u8; 16] = [17, 33, 0, 2, 0, 4, 0, 8, 1, 1, 1, 1, 1, 1, 1, 1];

/// The classes of [`ESCAPE_LOW`] that are controls: DEL and the C0 controls but HTAB.
#[cfg(target_arch = "x86_64")]
const CONTROL_CLASSES: u8 = 8 | 16 | 32;

/// The class of [`ESCAPE_LOW`] that is `=` and `?`.
#[cfg(target_arch = "x86_64")]
const EQ_QUESTION_CLASS: u8 = 2;

/// A 16-byte table in both 128-bit lanes, for `_mm256_shuffle_epi8`.
///
/// # Safety
/// The CPU must support AVX2 ([`crate::cpu::avx2`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
fn table(t: &[u8; 16]) -> core::arch::x86_64::__m256i {
    use core::arch::x86_64::{_mm256_broadcastsi128_si256, _mm_loadu_si128};
    // SAFETY: `t` is 16 readable bytes; the load has no alignment requirement.
    let t = unsafe { _mm_loadu_si128(t.as_ptr().cast()) };
    _mm256_broadcastsi128_si256(t)
}

/// [`Block`] with the best instructions at hand: AVX2 in the instance compiled for it.
#[inline(always)]
fn block<const AVX2: bool>(chunk: &[u8; 64]) -> Block {
    #[cfg(target_arch = "x86_64")]
    {
        if AVX2 {
            // SAFETY: `AVX2` is true only in the instance called from `format_checked_avx2`,
            // which runs only on CPUs with AVX2.
            return unsafe { block_avx2(chunk) };
        }
        block_sse2(chunk)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        block_portable(chunk)
    }
}

/// What the padded copy of the text holds after it (and the space right after it): a byte no
/// mask of [`Block`] flags (no control, white space, escape or byte of a forced word), so the
/// blocks need no mask of the text's bytes. Every reader past the text only asks whether a
/// byte there starts a character, which this one does.
const FILL: u8 = b'a';

/// The bytes of the padded copy that hold something after the text: a space, then [`FILL`]
/// up to 64 bytes past the text's end. Every read of the copy stays inside them: the blocks of
/// the masks end before it, and the loop reads at most 64 bytes from a position inside the
/// text.
const PAD: usize = 64;

/// Copies `text` to the start of `storage`, followed by a space and [`FILL`] up to [`PAD`]
/// bytes past its end, and returns those `len + PAD` bytes (`None` when `storage` is too
/// short). Only they are written: the rest of `storage` stays uninitialised and is never
/// read (clearing all of it cost ~16 stores a field). The text goes in moves of 64 bytes, the
/// last of them ending at the end of the text (overlapping the one before), or, for a text
/// shorter than that, in two overlapping moves of its size class. The moves start at
/// `min(64 * k, len - 64)`, not at a plain multiple of 64, so LLVM keeps them inline instead
/// of calling `memcpy` for the whole blocks (a call and its size dispatch cost more than the
/// two or three moves).
#[inline(always)]
fn pad<'a, const P: usize>(storage: &'a mut MaybeUninit<[u8; P]>, text: &[u8]) -> Option<&'a [u8]> {
    let len = text.len();
    if len > P.checked_sub(PAD)? {
        return None;
    }
    let dst = storage.as_mut_ptr().cast::<u8>();
    let src = text.as_ptr();
    // SAFETY (all the writes below): every one lies in `0..len + PAD`, inside `storage`
    // (`len + PAD <= P`, checked above), and every read in `text` (`0..len`); unaligned
    // moves of plain bytes.
    unsafe {
        core::ptr::write_unaligned(dst.add(len).cast::<[u8; PAD]>(), [FILL; PAD]);
    }
    /// Two moves of `W` bytes, at 0 and at `len - W` (`W <= len`).
    ///
    /// # Safety
    /// `len` bytes are readable at `src` and writable at `dst`.
    #[inline(always)]
    unsafe fn two<const W: usize>(dst: *mut u8, src: *const u8, len: usize) {
        // SAFETY: `W <= len` (the caller's size class): both moves lie in `0..len`.
        unsafe {
            let first = core::ptr::read_unaligned(src.cast::<[u8; W]>());
            let last = core::ptr::read_unaligned(src.add(len - W).cast::<[u8; W]>());
            core::ptr::write_unaligned(dst.cast::<[u8; W]>(), first);
            core::ptr::write_unaligned(dst.add(len - W).cast::<[u8; W]>(), last);
        }
    }
    if let Some(last) = len.checked_sub(64) {
        let mut at = 0;
        loop {
            let from = at.min(last);
            // SAFETY: `from + 64 <= len` (`from <= len - 64`), see above.
            unsafe {
                let v = core::ptr::read_unaligned(src.add(from).cast::<[u8; 64]>());
                core::ptr::write_unaligned(dst.add(from).cast::<[u8; 64]>(), v);
            }
            at += 64;
            if at >= len {
                break;
            }
        }
    } else if len >= 32 {
        // SAFETY: `32 <= len` (the size class), and `len` bytes fit (above).
        unsafe { two::<32>(dst, src, len) };
    } else if len >= 16 {
        // SAFETY: as above, for 16.
        unsafe { two::<16>(dst, src, len) };
    } else if len >= 8 {
        // SAFETY: as above, for 8.
        unsafe { two::<8>(dst, src, len) };
    } else if len >= 4 {
        // SAFETY: as above, for 4.
        unsafe { two::<4>(dst, src, len) };
    } else {
        for i in 0..len {
            // SAFETY: `i < len`, see above.
            unsafe { *dst.add(i) = *src.add(i) };
        }
    }
    // A space after the text: its block classifies it as the white space that ends the
    // last word (bit `len` of the masks' `space`), instead of an end bit added to every
    // block's masks. Nothing else reads it as text: the text does not end with white space
    // (so no two in a row), and every reader past the text only asks whether a byte there
    // starts a character, which a space does.
    // SAFETY: `len < len + PAD`, inside `storage` (above).
    unsafe { *dst.add(len) = b' ' };
    // SAFETY: the `len + PAD` bytes from the start were all written just above (the text's
    // `0..len`, then the space and `FILL`), inside `storage`, which the result borrows.
    Some(unsafe { core::slice::from_raw_parts(dst.cast_const(), len + PAD) })
}

/// The [`PAD`] bytes of `padded` (made by [`pad`]) from `at`, without a check (a clamp of
/// `at` and a compare of the slice's length, which is not a constant, cost about four
/// instructions a word).
///
/// # Safety
/// `at` is at most the text's length: `padded` holds `len + PAD` bytes.
#[inline(always)]
unsafe fn window(padded: &[u8], at: usize) -> &[u8; PAD] {
    debug_assert!(at + PAD <= padded.len());
    // SAFETY: `at + PAD <= padded.len()` (the caller's promise), so the bytes are inside
    // `padded`, which the result borrows; an array of bytes has no alignment requirement.
    unsafe { &*padded.as_ptr().add(at).cast::<[u8; PAD]>() }
}

/// `padded[at..]` without a check ([`window`]'s promise).
///
/// # Safety
/// `at` is at most the text's length: `padded` holds `len + PAD` bytes.
#[inline(always)]
unsafe fn tail_at(padded: &[u8], at: usize) -> &[u8] {
    debug_assert!(at + PAD <= padded.len());
    // SAFETY: `at <= padded.len()` (the caller's promise).
    unsafe { padded.get_unchecked(at..) }
}

impl<const B: usize> Masks<B> {
    /// Fills in the masks of `text` from `padded`, its copy made by [`pad`]; false when the
    /// text holds something the fast path leaves to the general one: a control character (a
    /// CR or LF of a caller's fold, or one that is an error: see [`Block::control`]), two
    /// white-space characters in a row, or more than the masks can cover (bit `len + 1`
    /// included).
    #[inline(always)]
    fn build<const AVX2: bool>(&mut self, padded: &[u8], text: &[u8], utf8: bool) -> bool {
        let len = text.len();
        let last = len / 64;
        if len + 1 >= 64 * B || padded.len() < len + PAD {
            return false;
        }
        let (mut eq_carry, mut space_carry, mut carry) = (0u64, 0u64, false);
        let mut escapes = 0u32;
        // `last < B` (checked above): the clamp changes nothing, but with it LLVM knows that
        // every block lies inside the masks, and the loop keeps one counter
        // instead of three bounds (`chunks_exact`, `take` and the masks' indices).
        // An exclusive range: `0..=n` kept a second counter and an exhausted flag (three
        // more instructions per block).
        for i in 0..last.min(B - 1) + 1 {
            let base = 64 * i;
            // SAFETY: `i <= last`, so `base <= 64 * last <= len`, and `padded` holds
            // `len + PAD` bytes (checked above). Unchecked: LLVM does not see it (two
            // instructions a block).
            let chunk = unsafe { window(padded, base) };
            let b = block::<AVX2>(chunk);
            let doubled = b.space & ((b.space << 1) | space_carry);
            space_carry = b.space >> 63;
            // A block without a control, `=` or `?` has no pair `=?` (its first byte is no
            // `?`) and carries no `=` into the next.
            let mut pairs = 0;
            if b.rare {
                // The bytes after the text (a space, then `FILL`) are no controls.
                // One test for both (one branch instead of two).
                if b.control | doubled != 0 {
                    return false;
                }
                pairs = ((b.eq << 1) | eq_carry) & b.question;
                eq_carry = b.eq >> 63;
            } else {
                if doubled != 0 {
                    return false;
                }
                eq_carry = 0;
            }
            let force = if utf8 {
                pairs | line_breaking(text, base, b.lead)
            } else {
                pairs | b.high
            };
            // With the end of the text (bit `len`, the space after it), so every word has an
            // end.
            let space = b.space;
            // A byte that forces encoding, added to the non-space bits, carries up to the
            // end of its word and sets that end's bit; a word without one keeps its end
            // clear. (A second such byte in the same word lands on a bit the first carry
            // cleared, and stops there.) The carry goes on into the next block.
            let (sum, c1) = (!space).overflowing_add(force);
            let (sum, c2) = sum.overflowing_add(u64::from(carry));
            carry = c1 | c2;
            let forced = sum & space;
            debug_assert!(i < B);
            // SAFETY: `i <= last.min(B - 1)`, below `B`, the length of every mask. Unchecked:
            // with the checks LLVM kept a branch around the stores, with a copy of the
            // escape mask's last steps on each side.
            unsafe {
                *self.space.get_unchecked_mut(i) = space;
                *self.forced_end.get_unchecked_mut(i) = forced;
                *self.plain_end.get_unchecked_mut(i) = space & !forced;
                *self.escape.get_unchecked_mut(i) = b.escape;
                *self.escapes_before.get_unchecked_mut(i) = escapes;
            }
            escapes += b.escape.count_ones();
        }
        let (word, bit) = ((len + 1) / 64, 1u64 << ((len + 1) % 64));
        if let (Some(f), Some(p)) = (self.forced_end.get_mut(word), self.plain_end.get_mut(word)) {
            *f |= bit;
            *p |= bit;
        }
        true
    }

    /// The first position at or after `from` whose bit is set in `mask`.
    ///
    /// # Safety
    /// A bit at or after `from` is set in `mask`: `space` has one at the text's end (bit
    /// `len`), `forced_end` and `plain_end` one after it (bit `len + 1`), all below `64 * B`
    /// (see [`Masks::build`]), so every word read is inside the mask. No clamp of the index
    /// (a compare and a select on every word read).
    #[inline(always)]
    unsafe fn next(mask: &[u64; B], from: usize) -> usize {
        debug_assert!(mask
            .iter()
            .rposition(|&w| w != 0)
            .is_some_and(|i| 64 * i + 63 - mask[i].leading_zeros() as usize >= from));
        let mut i = from / 64;
        // SAFETY: a bit at or after `from` is set (the caller's promise), so `i` and every
        // word up to that bit's are inside the mask.
        let mut bits = unsafe { *mask.get_unchecked(i) } >> (from % 64) << (from % 64);
        while bits == 0 {
            i += 1;
            // SAFETY: as above: the set bit is in a word after `i - 1`'s, at or after `i`.
            bits = unsafe { *mask.get_unchecked(i) };
        }
        64 * i + bits.trailing_zeros() as usize
    }

    /// The position after the last one before `before` whose bit is set in `mask` (the start
    /// of the word that white space there ends), or 0 when none is. `before` is at most
    /// `len + 1`, below `64 * B` (see [`Masks::build`]). Without an `Option`: when no bit is
    /// set, the word read last is word 0 and its leading zeros are 64, so the arithmetic of
    /// the found case gives 0.
    #[inline(always)]
    fn word_start(mask: &[u64; B], before: usize) -> usize {
        debug_assert!(before < 64 * B);
        let mut i = before / 64;
        let below = (1u64 << (before % 64)) - 1;
        let mut bits = mask.get(i).map_or(0, |&w| w & below);
        // One loop condition, which LLVM tests as one flag (four instructions more than a
        // branch on `bits` alone): the start of the value, where `bits` is zero, also
        // leaves at once, and runs there are common. (A branch on `bits` first, then on
        // `i`, mispredicted ~0.2 more times per field of the whole corpus in callgrind.)
        while bits == 0 && i > 0 {
            i -= 1;
            bits = mask.get(i).copied().unwrap_or(0);
        }
        64 * i + 64 - bits.leading_zeros() as usize
    }

    /// [`Masks::word_start`] of `space`, with [`Masks::space_before`] as the word before it:
    /// the search back stops there at the latest (bit 63, position -1, gives 0), so its one
    /// loop condition is the word's being zero (the test of the index cost four instructions
    /// a search, two searches a run).
    #[inline(always)]
    fn space_start(&self, before: usize) -> usize {
        debug_assert!(before < 64 * B);
        debug_assert_eq!(self.space_before, SPACE_BEFORE);
        // `space_before` and `space`: the struct's first `B + 1` words (C layout), word `j`
        // of them word `j - 1` of `space`.
        let words = (self as *const Self).cast::<u64>();
        let mut j = before / 64 + 1;
        let below = (1u64 << (before % 64)) - 1;
        // SAFETY: `before < 64 * B` (at most `len + 1`, see `build`), so `j <= B`: inside
        // the `B + 1` words, which `self` borrows (a pointer from the whole struct, aligned
        // for `u64`: its first field is one).
        let mut bits = unsafe { *words.add(j) } & below;
        while bits == 0 {
            // `j > 0`: word 0, `space_before`, is not zero.
            j -= 1;
            // SAFETY: `j` is below an index read before, inside the words (above).
            bits = unsafe { *words.add(j) };
        }
        let start = 64 * j - bits.leading_zeros() as usize;
        debug_assert_eq!(start, Self::word_start(&self.space, before));
        start
    }

    /// The escapes (bits of `escape`) in positions `from..to` (`from <= to <= len`): the
    /// difference of two ranks.
    #[inline(always)]
    #[cfg(test)]
    fn escapes(&self, from: usize, to: usize) -> usize {
        // SAFETY: `from <= to <= len`, below `64 * B` (see `build`).
        unsafe { self.escape_rank(to) - self.escape_rank(from) }
    }

    /// The escapes among the `t` positions from `at` (`t < 64`, `at + t` at most the text's
    /// length): one window of the escape bits from `at` (two words, shifted), instead of two
    /// ranks. Bits past the text are clear (no escapes there: a space, then `FILL`, then the
    /// zeros the masks start as).
    #[inline(always)]
    fn escapes_from(&self, at: usize, t: usize) -> usize {
        debug_assert!(t < 64 && at + t < 64 * B);
        let (i, s) = (at / 64, at % 64);
        // The masks' words (C layout: `escape` is followed by `escapes_before`), from the
        // whole struct, so that word `i + 1` may be read without a check when `i` is the
        // last of `escape`: then `s + t < 64`, and the bits of `hi` land at `64 - s` and
        // above, all cleared below. (The checked reads and their defaults cost about five
        // instructions a count.) The read of word `first + i + 1` needs two `u32`s of
        // `escapes_before` after the last word of `escape`: checked when compiled.
        const { assert!(B >= 2, "escapes_from reads a word past `escape`") };
        let words = (self as *const Self).cast::<u64>();
        let first = core::mem::offset_of!(Self, escape) / 8;
        // SAFETY: `at < 64 * B`, so `i < B` and word `first + i` is in `escape`; word
        // `first + i + 1` is in `escape` or, for `i = B - 1`, the first two entries of
        // `escapes_before` (`B >= 2`), inside the struct, which `self` borrows (a pointer
        // from the whole struct, aligned for `u64`: its first field is one, and `escape`
        // is at a multiple of 8).
        let (lo, hi) = unsafe { (*words.add(first + i) >> s, *words.add(first + i + 1)) };
        // `<< 1 << (63 - s)`: none of `hi` when `s` is 0, without a shift by 64.
        let window = lo | (hi << 1) << (63 - s);
        let n = (window & !u64::MAX.checked_shl(t as u32).unwrap_or(0)).count_ones() as usize;
        // SAFETY: `at + t` is at most the text's length, below `64 * B` (see `build`).
        debug_assert_eq!(n, unsafe {
            self.escape_rank(at + t) - self.escape_rank(at)
        });
        n
    }

    /// The escapes before position `at`.
    ///
    /// # Safety
    /// `at` is below `64 * B` (at most the text's length: [`Masks::build`] takes a text only
    /// when its length and one more bit are below `64 * B`). No clamp of the index, which
    /// cost two instructions per rank (two ranks per run).
    #[inline(always)]
    unsafe fn escape_rank(&self, at: usize) -> usize {
        debug_assert!(at < 64 * B);
        let (i, below) = (at / 64, (1u64 << (at % 64)) - 1);
        // SAFETY: `at < 64 * B` (the caller's promise), so `i < B`, inside both arrays.
        let (before, word) = unsafe {
            (
                *self.escapes_before.get_unchecked(i),
                *self.escape.get_unchecked(i),
            )
        };
        before as usize + (word & below).count_ones() as usize
    }
}

/// The bits of `lead` (0xC2 and 0xE2 bytes of the block at `base`) that start a C1 control,
/// U+2028 or U+2029.
#[inline]
fn line_breaking(text: &[u8], base: usize, mut lead: u64) -> u64 {
    let mut found = 0;
    while lead != 0 {
        let j = lead.trailing_zeros() as usize;
        if chars::line_breaking_char_len(text, base + j).is_some() {
            found |= 1 << j;
        }
        lead &= lead - 1;
    }
    found
}

/// The output buffer after what the folder wrote, and how much the fast path has added (which
/// may pass its end: then it is only counted, as [`crate::sink::SliceSink`] does).
struct Out<'a> {
    buf: &'a mut [u8],
    at: usize,
    /// `at` is below this when the buffer holds [`Out::eol_space`]'s fold, space and
    /// longest word from `at`: found once per field, so the check per fold is one compare
    /// (a range check costs an overflow test, an addition and a compare).
    eol_cap: usize,
    /// `at` is below this when the buffer holds [`DIRECT_ROOM`] bytes from `at`.
    #[cfg(target_arch = "x86_64")]
    direct_cap: usize,
    /// `at` is below this when the buffer holds [`DIRECT_ROOM`] bytes from `at + 1`.
    #[cfg(target_arch = "x86_64")]
    direct_ws_cap: usize,
}

/// What [`Out::eol_space`] needs from `at`: the line ending, the white space and an
/// encoded-word of 75.
const EOL_SPACE_ROOM: usize = 2 + 1 + 75;

#[cfg(target_arch = "x86_64")]
use crate::encoded_word::DIRECT_ROOM;

impl<'a> Out<'a> {
    #[inline(always)]
    fn new(buf: &'a mut [u8]) -> Self {
        // `len + 1` does not overflow: a slice of bytes holds at most `isize::MAX`.
        // `at < (len + 1) - n` is `at + n <= len`, and no `at` is below 0 when `len < n`.
        let len = buf.len();
        Out {
            eol_cap: (len + 1).saturating_sub(EOL_SPACE_ROOM),
            #[cfg(target_arch = "x86_64")]
            direct_cap: (len + 1).saturating_sub(DIRECT_ROOM),
            #[cfg(target_arch = "x86_64")]
            direct_ws_cap: len.saturating_sub(DIRECT_ROOM),
            buf,
            at: 0,
        }
    }

    /// The [`DIRECT_ROOM`] bytes from `at + skip` (`skip` 0 or 1), when the buffer has
    /// them: one compare against a bound found once per field.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    fn direct<const SKIP: usize>(&mut self) -> Option<&mut [u8; DIRECT_ROOM]> {
        const { assert!(SKIP <= 1) };
        let cap = if SKIP == 0 {
            self.direct_cap
        } else {
            self.direct_ws_cap
        };
        if self.at < cap {
            debug_assert!(self.at + SKIP + DIRECT_ROOM <= self.buf.len());
            // SAFETY: `at < cap`: with `SKIP` 0, `at < len + 1 - DIRECT_ROOM`, so
            // `at + DIRECT_ROOM <= len`; with 1, `at < len - DIRECT_ROOM`, so
            // `at + 1 + DIRECT_ROOM <= len` (see `new`; a bound of 0, when `len` is
            // smaller, admits no `at`). The bytes are inside the buffer, which `self`
            // borrows mutably for the reference's life.
            Some(unsafe {
                &mut *self
                    .buf
                    .as_mut_ptr()
                    .add(self.at + SKIP)
                    .cast::<[u8; DIRECT_ROOM]>()
            })
        } else {
            None
        }
    }

    #[inline(always)]
    fn byte(&mut self, b: u8) {
        if let Some(d) = self.buf.get_mut(self.at) {
            *d = b;
        }
        self.at += 1;
    }

    /// The line ending (one or two bytes), as one store of two bytes when the buffer has
    /// them (a loop over the bytes costs a branch per byte and its exit). A lone LF is
    /// followed by a space, which is no part of the output: every fold is followed by the
    /// white space that starts the next line, written later over it.
    #[inline(always)]
    fn eol(&mut self, eol: &Eol) {
        if let Some(d) = self
            .buf
            .get_mut(self.at..)
            .and_then(|d| d.first_chunk_mut::<2>())
        {
            *d = eol.pair;
            self.at += eol.len;
            return;
        }
        for &b in eol.pair.iter().take(eol.len) {
            self.byte(b);
        }
    }

    /// A fold and the space that starts the next line, before an encoded-word; returns
    /// where the line starts (at the space). One store of four bytes when the buffer holds
    /// them and the longest word after them (the one or two bytes past the space are then
    /// overwritten by the word), else the line ending and the space one by one.
    #[inline(always)]
    fn eol_space(&mut self, eol: &Eol) -> usize {
        if self.at < self.eol_cap {
            debug_assert!(self.at + EOL_SPACE_ROOM <= self.buf.len());
            // SAFETY: `at < eol_cap`, so `at + EOL_SPACE_ROOM <= len` (see `new`): the four
            // bytes from `at` are inside the buffer; an unaligned write of plain bytes.
            unsafe {
                core::ptr::write_unaligned(
                    self.buf.as_mut_ptr().add(self.at).cast::<[u8; 4]>(),
                    eol.quad,
                );
            }
            self.at += eol.len;
            let start = self.at;
            self.at += 1;
            return start;
        }
        self.eol(eol);
        let start = self.at;
        self.byte(b' ');
        start
    }

    /// `text[from..to]` where an encoded-word follows (white space or a fold, and the word:
    /// at least 17 more bytes), from `padded` (the text followed by a space and `FILL`): in
    /// whole moves of 16 bytes, the last of which may store up to 15 bytes past `to`, which
    /// the white space and the word then overwrite. Plain text before a run is short and of
    /// any length, so the size classes of [`copy`] would mispredict. Taken only when the
    /// buffer holds this and the longest fold, space and word after it (so they do overwrite
    /// those bytes); else the exact copy.
    ///
    /// # Safety
    /// `padded` holds 16 bytes past `from` and past `to` (both at most the text's length,
    /// which is more than 16 below the padded copy's): no check of it here (four
    /// instructions a run).
    #[inline(always)]
    unsafe fn text_before_word(&mut self, padded: &[u8], from: usize, to: usize) {
        let n = to.saturating_sub(from);
        debug_assert!(from.max(to) + 16 <= padded.len());
        // The line ending, the white space and an encoded-word of 75, and 16 for the moves.
        let slack = 2 + 1 + 75 + 16;
        // One check of the output for all the moves (a check per move and per slice cost
        // more than the moves: the plain text before a run is two or three moves long).
        if self.buf.len() >= self.at + n + slack {
            let dst = self.buf.as_mut_ptr().wrapping_add(self.at);
            let src = padded.as_ptr().wrapping_add(from);
            let mut i = 0;
            loop {
                // SAFETY: `i < n` (or `i == 0`), so the 16 bytes at `i` lie within
                // `n + 16` bytes from `from` in `padded` (`from + n` is `from` or `to`,
                // which `padded` holds 16 bytes past: the caller's promise) and from `at`
                // in the buffer (checked just above); unaligned reads and writes of plain
                // bytes.
                unsafe {
                    let v = core::ptr::read_unaligned(src.add(i).cast::<[u8; 16]>());
                    core::ptr::write_unaligned(dst.add(i).cast::<[u8; 16]>(), v);
                }
                i += 16;
                if i >= n {
                    break;
                }
            }
            self.at += n;
            return;
        }
        self.text(padded, from, to);
    }

    /// `text[from..to]`, when all of it fits.
    #[inline(always)]
    fn text(&mut self, text: &[u8], from: usize, to: usize) {
        let src = text.get(from..to).unwrap_or_default();
        let n = src.len();
        if let Some(dst) = self.buf.get_mut(self.at..self.at + n) {
            copy(dst, src);
        }
        self.at += n;
    }
}

/// The line ending as two bytes to store at once (a lone LF followed by a space, which the
/// white space of the next line overwrites) and its length: read from the options once per
/// field, not at every fold.
struct Eol {
    pair: [u8; 2],
    /// The line ending and a space, then spaces (for [`Out::eol_space`]).
    quad: [u8; 4],
    len: usize,
}

impl Eol {
    /// From the folder's line ending, CRLF or LF (the only two [`crate::LineEnding`] has):
    /// a choice between two constants on its length, instead of reading its bytes and
    /// building the pair and the four bytes from them (~15 instructions a field).
    #[inline(always)]
    fn new(eol: &[u8]) -> Self {
        debug_assert!(eol == b"\r\n" || eol == b"\n");
        if eol.len() == 1 {
            Eol {
                pair: *b"\n ",
                quad: *b"\n   ",
                len: 1,
            }
        } else {
            Eol {
                pair: *b"\r\n",
                quad: *b"\r\n  ",
                len: 2,
            }
        }
    }
}

/// `dst.copy_from_slice(src)` for slices of equal length, inline: whole 16-byte moves, the
/// last one overlapping the one before, or two overlapping moves of 8 or 4 bytes (lines and
/// words are short, and a call into `memcpy` would cost more than the copy).
#[inline(always)]
fn copy(dst: &mut [u8], src: &[u8]) {
    let n = src.len();
    if n >= 16 {
        let mut i = 0;
        while i + 16 < n {
            copy_at::<16>(dst, src, i);
            i += 16;
        }
        copy_at::<16>(dst, src, n - 16);
    } else if n >= 8 {
        copy_at::<8>(dst, src, 0);
        copy_at::<8>(dst, src, n - 8);
    } else if n >= 4 {
        copy_at::<4>(dst, src, 0);
        copy_at::<4>(dst, src, n - 4);
    } else {
        for (d, &s) in dst.iter_mut().zip(src) {
            *d = s;
        }
    }
}

/// `W` bytes of `src` at `i` to `dst` at `i`, when both have them.
#[inline(always)]
fn copy_at<const W: usize>(dst: &mut [u8], src: &[u8], i: usize) {
    if let (Some(d), Some(s)) = (
        dst.get_mut(i..).and_then(|d| d.first_chunk_mut::<W>()),
        src.get(i..).and_then(|s| s.first_chunk::<W>()),
    ) {
        *d = *s;
    }
}

/// Writes the words of `text` as [`super::format_words`] does, or returns `None`, having
/// written nothing, when the value is not one the fast path takes (see the module docs).
/// It takes no text with a control character ([`Block::control`]), so `text` passes
/// [`crate::input::check_controls`] whenever this returns `Some`.
///
/// `TRIMMED`: the caller passes text without white space at either end (trimmed by
/// [`crate::input::trim`]), so the two tests for it are left out.
#[inline]
pub(super) fn format_words<const TRIMMED: bool>(
    f: &mut Folder<'_, '_>,
    text: &[u8],
    options: &Options,
) -> Option<Result<(), Error>> {
    let start = f.column_bytes();
    // No line can pass 998 octets: one without encoded-words holds at most the name and the
    // text, one with them at most 76 characters of 4 octets. So no word is encoded for its
    // length and the folder's 998 checks always pass.
    let short = start + 1 + text.len() < HARD_LINE_LIMIT;
    let edge_space = |b: Option<&u8>| matches!(b, Some(b' ' | b'\t'));
    if !f.at_start()
        || !short
        || text.is_empty()
        || f.soft_limit() < MIN_MAX_LINE_LEN
        || f.column_chars() != start
        || (!TRIMMED && (edge_space(text.first()) || edge_space(text.last())))
    {
        return None;
    }
    debug_assert!(!edge_space(text.first()) && !edge_space(text.last()));
    #[cfg(target_arch = "x86_64")]
    if crate::cpu::avx2() {
        // SAFETY: the CPU supports AVX2 (checked just above).
        return unsafe { format_checked_avx2(f, text, options) };
    }
    format_checked_baseline(f, text, options)
}

/// [`format_checked`] with the baseline instructions, out of line: inlined, its stack frame
/// (the masks and the padded copy) would be set up and torn down in [`format_words`] on
/// every call, also when it goes to the AVX2 instance.
#[inline(never)]
fn format_checked_baseline(
    f: &mut Folder<'_, '_>,
    text: &[u8],
    options: &Options,
) -> Option<Result<(), Error>> {
    format_checked::<false>(f, text, options)
}

/// [`format_checked`] compiled for AVX2: the B encoder's vectors inline in the loop, and the
/// escape counts with the `popcnt` instruction (which [`crate::cpu::avx2`] also requires).
///
/// # Safety
/// The CPU must support AVX2 and POPCNT ([`crate::cpu::avx2`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
unsafe fn format_checked_avx2(
    f: &mut Folder<'_, '_>,
    text: &[u8],
    options: &Options,
) -> Option<Result<(), Error>> {
    format_checked::<true>(f, text, options)
}

/// [`format_words`] after the checks on the folder and the length: the masks, then the loop.
#[inline(always)]
fn format_checked<const AVX2: bool>(
    f: &mut Folder<'_, '_>,
    text: &[u8],
    options: &Options,
) -> Option<Result<(), Error>> {
    if text.len() + 1 < 64 * SHORT_BLOCKS {
        return format_sized::<AVX2, SHORT_BLOCKS, { 64 * (SHORT_BLOCKS + 1) }>(f, text, options);
    }
    #[cfg(target_arch = "x86_64")]
    if AVX2 {
        // SAFETY: `AVX2` is true only in the instance called from `format_checked_avx2`,
        // which runs only on CPUs with AVX2.
        return unsafe { format_long_avx2(f, text, options) };
    }
    format_long_baseline(f, text, options)
}

/// [`format_sized`] for the long values (from 446 bytes on), out of line and cold: a second
/// inline copy of the loop, for masks of another size, doubled the hot machine code of the
/// common value (which the mixed corpus pays for in instruction-cache misses), and values
/// this long are rare in Subjects.
#[cold]
#[inline(never)]
fn format_long_baseline(
    f: &mut Folder<'_, '_>,
    text: &[u8],
    options: &Options,
) -> Option<Result<(), Error>> {
    format_sized::<false, MAX_BLOCKS, { 64 * (MAX_BLOCKS + 1) }>(f, text, options)
}

/// [`format_long_baseline`] compiled for AVX2.
///
/// # Safety
/// The CPU must support AVX2 and POPCNT ([`crate::cpu::avx2`]).
#[cfg(target_arch = "x86_64")]
#[cold]
#[inline(never)]
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
unsafe fn format_long_avx2(
    f: &mut Folder<'_, '_>,
    text: &[u8],
    options: &Options,
) -> Option<Result<(), Error>> {
    format_sized::<true, MAX_BLOCKS, { 64 * (MAX_BLOCKS + 1) }>(f, text, options)
}

/// [`format_checked`] with masks of `B` words and a padded copy of `P` (`64 * (B + 1)`)
/// bytes: the blocks and one more, so that a read of a whole block, or of the 52 bytes the B
/// encoder loads, from any position up to the end of the text stays inside the `len + PAD`
/// bytes [`pad`] writes.
#[inline(always)]
fn format_sized<const AVX2: bool, const B: usize, const P: usize>(
    f: &mut Folder<'_, '_>,
    text: &[u8],
    options: &Options,
) -> Option<Result<(), Error>> {
    let mut masks = Masks {
        space_before: SPACE_BEFORE,
        space: [0; B],
        forced_end: [0; B],
        plain_end: [0; B],
        escape: [0; B],
        escapes_before: [0; B],
    };
    let mut storage = MaybeUninit::<[u8; P]>::uninit();
    let padded = pad(&mut storage, text)?;
    if !masks.build::<AVX2>(padded, text, options.utf8) {
        return None;
    }
    Some(write_words::<AVX2, B>(f, text, padded, options, &masks))
}

/// The loop proper. The folder's line state lives in locals: `col` characters on the line,
/// `has_ew` whether it holds an encoded-word; `line_off` is where the line starts in the
/// output less the octets it had there (the name on the first line), so that the line's
/// octets are `out.at - line_off` (wrapping: on the first line it is below zero). One
/// variable, not the start and the octets: one store less per fold (a B run's later words
/// each start a line). `padded` is
/// the text followed by a space and `FILL`.
#[inline(always)]
fn write_words<const AVX2: bool, const B: usize>(
    f: &mut Folder<'_, '_>,
    text: &[u8],
    padded: &[u8],
    options: &Options,
    m: &Masks<B>,
) -> Result<(), Error> {
    let len = text.len();
    let soft = f.soft_limit();
    let ew_limit = soft.min(EW_LINE_LIMIT);
    // The room of an encoded-word on a fresh line, after its white space.
    let fresh = ew_limit - 1;
    let eol = Eol::new(f.line_ending());
    let utf8 = options.utf8;
    let width = |from: usize, to: usize| {
        if utf8 {
            chars::char_count(text.get(from..to).unwrap_or_default())
        } else {
            to - from
        }
    };
    let mut col = f.column_chars();
    let mut line_off = 0usize.wrapping_sub(col);
    let mut has_ew = false;
    let mut out = Out::new(f.sink().spare());
    let wide = Wide::<AVX2>::new();
    // Text before `copied` is in the output (or was encoded); the words after it that stay
    // as they are, with the white space before them, are copied when a fold or an encoded
    // run comes, or at the end.
    let mut copied = 0;
    // The start of the next word.
    let mut pos = 0;
    loop {
        // The next word to encode ends at `forced`; the run it starts begins after the
        // white space before it. The words from `pos` up to that white space stay as they
        // are (all the rest of the text when nothing is left to encode).
        // SAFETY: `pos` is at most `len` (0, or one after a run's end, which is below
        // `len`); `forced_end` has bit `len + 1`.
        let forced = unsafe { Masks::<B>::next(&m.forced_end, pos) };
        let run_start = if forced <= len {
            m.space_start(forced)
        } else {
            len + 1
        };
        // The plain words in `pos..run_start - 1`: all at once when they fit on the line
        // (then each does), else a word at a time, folding where one does not fit.
        let plain_end = run_start.saturating_sub(1);
        let mut p = pos;
        while p < plain_end {
            let limit = if has_ew { ew_limit } else { soft };
            if p > 0 {
                let all = col + 1 + width(p, plain_end);
                if all <= limit {
                    col = all;
                    break;
                }
            }
            // SAFETY: `p` is below `plain_end`, at most `len`; `space` has bit `len`.
            let end = unsafe { Masks::<B>::next(&m.space, p) };
            let w = width(p, end);
            if p == 0 {
                // The value's first word: after one space, on the name line whatever its
                // length.
                out.byte(b' ');
                col += 1 + w;
            } else if col + 1 + w <= limit {
                col += 1 + w;
            } else {
                // Fold before the white space, which starts the next line.
                out.text(text, copied, p - 1);
                out.eol(&eol);
                line_off = out.at;
                copied = p - 1;
                col = 1 + w;
                has_ew = false;
            }
            p = end + 1;
        }
        if forced > len {
            break;
        }
        // The run: this word and those right after it that must be encoded too, up to the
        // word before the next one that stays as it is (or the end of the text), with the
        // white space between them inside the encoded text.
        // SAFETY: `forced` is at most `len` (checked above); `plain_end` has bit `len + 1`.
        let next_plain = unsafe { Masks::<B>::next(&m.plain_end, forced + 1) };
        // The white space before the next plain word: the end of the run's last word, at
        // or after `forced` (a bit of `space`), so the word start found is at least 1.
        let run_end = if next_plain <= len {
            m.space_start(next_plain) - 1
        } else {
            len
        };
        // The white space before the run (a space at the value's start, where the copy is
        // empty: its one move is overwritten by the space and the word), without a branch
        // on where the run starts (a run at the start of the value is common, and the
        // branch mispredicted).
        let ws_at = run_start.saturating_sub(1);
        debug_assert!(copied <= len && ws_at <= len && len + 16 < padded.len());
        // SAFETY: `copied` (0, or the end of an earlier run) and `ws_at` (before `forced`)
        // are at most `len`, and `padded` holds the text and 64 bytes more (`build` took it:
        // `len + 1 < 64 * B`, and `padded` is `64 * (B + 1)`).
        unsafe { out.text_before_word(padded, copied, ws_at) };
        // SAFETY: `ws_at` is inside `padded` (above). Unchecked: the check and the default
        // of a `get` cost three instructions a run.
        let before = unsafe { *padded.get_unchecked(ws_at) };
        let ws = if run_start > 0 { before } else { b' ' };
        debug_assert!(run_start <= forced && forced <= run_end && run_end <= len);
        // SAFETY: `run_start <= forced <= run_end <= len`: the run starts after the white
        // space before `forced` (or at 0), `forced` is a bit of `space` (a word's end, at
        // most `len`), and `run_end` is `len` or the last white space before `next_plain`,
        // which is past `forced` and at most `len`. (The checked slice cost 14
        // instructions per run in selects for the empty default.)
        let run = unsafe { text.get_unchecked(run_start..run_end) };
        // The escapes in the run, for its encoding.
        // SAFETY: `run_start <= run_end <= len` (above), and `build` took the text only when
        // `len + 1 < 64 * B`.
        let escapes = unsafe { m.escape_rank(run_end) - m.escape_rank(run_start) };
        let encoder = RunEncoder::with_escapes(run.len(), escapes, Context::Text, options.encoding);
        // Bytes Q writes as one character, for the check of each word's encoding.
        let literals = run.len() - escapes;
        let mut rest = run;
        let mut cur = run_start;
        // The words of the run, for the run's encoding (`$is_b`): each instance has no
        // branch on the encoding inside.
        macro_rules! encode_words {
            ($is_b:literal) => {
                // The first word: as write_run_slice, sized to the room left on this line
                // when at least its first character fits there, else to a fresh line (the
                // fold goes before the white space).
                // Signed, so that a full line needs no clamp at zero (a select LLVM
                // turned into a branch that mispredicted).
                // With `Auto`, a word stays on the line when its first character fits
                // there in either encoding (asked only when it does not in the run's).
                let here = ew_limit as isize - (col as isize + 1);
                let mut room = if here >= encoder.min_word_as::<$is_b>(rest) as isize
                    || here >= encoder.min_word_any::<$is_b>(rest) as isize
                {
                    here as usize
                } else {
                    out.eol(&eol);
                    line_off = out.at;
                    col = 0;
                    fresh
                };
                out.byte(ws);
                loop {
                    // The word starts inside the run: `cur + rest.len()` is the run's end, at
                    // most `len`.
                    debug_assert!(cur + rest.len() == run_end && run_end <= len);
                    // SAFETY: `cur <= len` (above); `padded` is `len + PAD` bytes (`pad`).
                    let (tail, ahead) = unsafe { (tail_at(padded, cur), window(padded, cur)) };
                    // With `Auto`, the word takes the run's encoding when the check on the
                    // escape counts says so (nearly always); else the word is made as the
                    // general path makes it.
                    let sizes = RoomSizes::new(room);
                    let done = if $is_b {
                        // B's take, found once for the check and the word.
                        let b = BTake::find(&encoder, rest.len(), tail, ahead, room, &sizes, &wide);
                        // A word that holds the whole run keeps B without a count: the
                        // run chose B, so Q is longer for these bytes (or holds fewer).
                        let whole = b.take() >= run.len();
                        debug_assert!(
                            !whole
                                || encoder.keeps_b(
                                    rest.len(),
                                    tail,
                                    room,
                                    b.take(),
                                    literals,
                                    // SAFETY: `cur + t` is at most `len` (debug only).
                                    |t| unsafe { m.escape_rank(cur + t) - m.escape_rank(cur) }
                                )
                        );
                        let keeps = whole
                            || encoder.keeps_b_within(
                                rest.len(),
                                tail,
                                sizes.budget,
                                b.take(),
                                literals,
                                |t| m.escapes_from(cur, t),
                            );
                        keeps.then(|| {
                            encode_one::<AVX2, $is_b>(
                                &encoder, &b, rest, tail, room, &mut out, &wide,
                            )
                        })
                    } else {
                        encoder.encode_q_checked(rest, tail, room, out.buf, out.at)
                    };
                    let (taken, n) = match done {
                        Some(done) => done,
                        // The other encoding.
                        None => {
                            encoder.encode_as::<AVX2, { !$is_b }>(rest, tail, room, out.buf, out.at)
                        }
                    };
                    if taken == 0 {
                        // A fresh line holds at least 39 characters, enough for any character.
                        return Err(Error::LineTooLong);
                    }
                    out.at += n;
                    col += 1 + n;
                    has_ew = true;
                    // Every encoder takes at most the rest: the clamp changes nothing, and
                    // spares the selects of an empty default.
                    rest = rest.split_at(taken.min(rest.len())).1;
                    cur += taken;
                    if rest.is_empty() {
                        break;
                    }
                    // Every later word starts a fresh line, with the same room: a word that
                    // is not the run's last filled its room to within 11 characters (a B
                    // word to within 7: its take is cut back at most 3 bytes from whole
                    // quads; a Q word to within 2, and 9 for the escaped bytes of a
                    // character cut back), so at most 10 are left after the white space,
                    // and the least word is 13 (the overhead and one character).
                    debug_assert!({
                        let left = ew_limit as isize - (col as isize + 1);
                        left < encoder.min_word_as::<$is_b>(rest) as isize
                            && left < encoder.min_word_any::<$is_b>(rest) as isize
                    });
                    line_off = out.eol_space(&eol);
                    col = 0;
                    room = fresh;
                }
            };
        }
        // A B run whose one word fits here whole (most runs are one word): that word,
        // without the loop. The loop's first word would be the same: it fits here, its take
        // is the whole run (nothing to cut back), and a word holding the whole run keeps B
        // (see `whole` above). Only where the word can be written straight into the output
        // (the AVX2 instance, room in the buffer); else the loop makes it. A Q run likewise
        // (in both instances): its word's length is arithmetic, from the run's escapes.
        let here = ew_limit as isize - (col as isize + 1);
        let direct = if encoder.is_b() {
            if here >= encoder.whole_b_word_len(run.len()) as isize {
                // SAFETY: `run_start <= len` (see `run` above).
                whole_b_word(
                    run.len(),
                    unsafe { window(padded, run_start) },
                    &mut out,
                    &wide,
                )
            } else {
                None
            }
        } else {
            // A Q run whose one word fits here whole, as the loop's first word would make
            // it: its Q word takes all of the run, and Q keeps it (the run chose Q, so B of
            // these bytes is no shorter; `Auto`'s tie goes to Q).
            let n = crate::encoded_word::OVERHEAD + run.len() + 2 * escapes;
            (here >= n as isize
                && crate::encoded_word::write_whole_q_word(run, out.buf, out.at + 1, n))
            .then_some(n)
        };
        if let Some(n) = direct {
            if let Some(d) = out.buf.get_mut(out.at) {
                *d = ws;
            }
            out.at += 1 + n;
            col += 1 + n;
            has_ew = true;
        } else if encoder.is_b() {
            encode_words!(true);
        } else {
            encode_words!(false);
        }
        copied = run_end;
        if run_end >= len {
            break;
        }
        pos = run_end + 1;
    }
    out.text(text, copied, len);
    let at = out.at;
    f.sink().commit(at);
    f.resume(
        Width {
            chars: col,
            bytes: at.wrapping_sub(line_off),
        },
        has_ew,
    );
    Ok(())
}

/// The AVX2 instance's B word writer ([`crate::encoded_word::BWordConsts`], which reads its
/// vector constants as memory operands): `Some` only in that instance.
#[cfg(target_arch = "x86_64")]
struct Wide<const AVX2: bool>(Option<crate::encoded_word::BWordConsts>);

#[cfg(target_arch = "x86_64")]
impl<const AVX2: bool> Wide<AVX2> {
    #[inline(always)]
    fn new() -> Self {
        if AVX2 {
            // SAFETY: `AVX2` is true only in the instance called from `format_checked_avx2`,
            // which runs only on CPUs with AVX2.
            Wide(Some(unsafe { crate::encoded_word::BWordConsts::new() }))
        } else {
            Wide(None)
        }
    }
}

/// Nothing to keep on other targets.
#[cfg(not(target_arch = "x86_64"))]
struct Wide<const AVX2: bool>;

#[cfg(not(target_arch = "x86_64"))]
impl<const AVX2: bool> Wide<AVX2> {
    #[inline(always)]
    fn new() -> Self {
        Wide
    }
}

/// The bytes the next B word of a run takes ([`RunEncoder::b_take`]), found once for the
/// `Auto` check ([`RunEncoder::keeps_b`]) and the word ([`encode_one`]): in the AVX2 instance
/// with the vectors the direct writer encodes
/// ([`crate::encoded_word::b_word_take_avx2`]), else by arithmetic.
enum BTake {
    #[cfg(target_arch = "x86_64")]
    Loaded(crate::encoded_word::BWordTake),
    Counted(usize),
}

impl BTake {
    /// The take for a word sized to `room` from the rest of the run (`len` bytes at the
    /// start of `tail`, the padded copy from the word's start, whose first 64 bytes are
    /// `ahead`).
    #[inline(always)]
    fn find<const AVX2: bool>(
        encoder: &RunEncoder,
        len: usize,
        tail: &[u8],
        ahead: &[u8; PAD],
        room: usize,
        sizes: &RoomSizes,
        wide: &Wide<AVX2>,
    ) -> Self {
        #[cfg(target_arch = "x86_64")]
        if let (true, Some(_)) = (AVX2, &wide.0) {
            // SAFETY: `wide.0` is set only in the AVX2 instance (see `Wide::new`).
            let found =
                unsafe { crate::encoded_word::b_word_take_most_avx2(ahead, len, sizes.most) };
            if let Some(found) = found {
                return BTake::Loaded(found);
            }
        }
        let _ = (wide, sizes, ahead);
        BTake::Counted(encoder.b_take(len, tail, room))
    }

    #[inline(always)]
    fn take(&self) -> usize {
        match self {
            #[cfg(target_arch = "x86_64")]
            BTake::Loaded(found) => found.take(),
            BTake::Counted(take) => *take,
        }
    }
}

/// What a B word of a run needs of its room: the characters it has for its text, and the
/// most bytes they hold.
struct RoomSizes {
    /// The most bytes a B word in the room holds ([`crate::encoded_word::b_room_bytes`]).
    most: usize,
    /// The characters the word has for its text ([`RunEncoder::budget`]).
    budget: usize,
}

impl RoomSizes {
    /// The sizes for `room`, which here is at most 75 (a fresh line's room, `ew_limit - 1`,
    /// or less) and at least the overhead (a fresh line has 39, and a word starts on a line
    /// with less only when its first character fits): so without the clamps of the general
    /// [`RunEncoder::budget`] and the table of [`crate::encoded_word::b_room_bytes`] (~10
    /// instructions a word, against three).
    #[inline(always)]
    fn new(room: usize) -> Self {
        debug_assert!((crate::encoded_word::OVERHEAD..=75).contains(&room));
        let budget = room.wrapping_sub(crate::encoded_word::OVERHEAD);
        let sizes = RoomSizes {
            most: budget / 4 * 3,
            budget,
        };
        debug_assert_eq!(sizes.budget, RunEncoder::budget(room));
        #[cfg(target_arch = "x86_64")]
        debug_assert_eq!(sizes.most, crate::encoded_word::b_room_bytes(room));
        sizes
    }
}

/// The B word holding all of a run (`len` bytes at the start of `ahead`, the padded copy from
/// the run's start, a word known to fit the room on the line), written straight into the
/// output after the one byte of white space before it (which the caller stores), in the AVX2
/// instance: its length, or `None`, nothing written, where it cannot be written so (the
/// caller's word loop makes it then).
#[inline(always)]
fn whole_b_word<const AVX2: bool>(
    len: usize,
    ahead: &[u8; PAD],
    out: &mut Out<'_>,
    wide: &Wide<AVX2>,
) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    if let (true, Some(k)) = (AVX2, &wide.0) {
        // SAFETY: `wide.0` is set only in the AVX2 instance (see `Wide::new`).
        let found = unsafe { crate::encoded_word::b_word_whole_avx2(ahead, len) }?;
        let dst = out.direct::<1>()?;
        // SAFETY: as above.
        let (taken, n) = unsafe { crate::encoded_word::write_b_word_into_avx2(&found, dst, k) }?;
        debug_assert_eq!(taken, len);
        return Some(n);
    }
    let _ = (len, ahead, out, wide);
    None
}

/// One encoded-word of a run at `out`, as [`RunEncoder::encode_as`] makes it (the bytes of
/// `rest` taken, and the word's length): a B word in the AVX2 instance straight into the
/// output buffer when it has the room ([`crate::encoded_word::write_b_word_avx2`], from the
/// take `b` found before, without the copy through a local buffer), any other through the
/// encoder. `tail` is the padded copy (the text followed by a space and `FILL`, read in whole
/// vectors) from the start of `rest`.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn encode_one<const AVX2: bool, const IS_B: bool>(
    encoder: &RunEncoder,
    b: &BTake,
    rest: &[u8],
    tail: &[u8],
    room: usize,
    out: &mut Out<'_>,
    wide: &Wide<AVX2>,
) -> (usize, usize) {
    #[cfg(target_arch = "x86_64")]
    if let (true, true, Some(k), BTake::Loaded(found), Some(dst)) =
        (AVX2, IS_B, &wide.0, b, out.direct::<0>())
    {
        // SAFETY: `wide.0` is set only in the AVX2 instance (see `Wide::new`).
        let direct = unsafe { crate::encoded_word::write_b_word_into_avx2(found, dst, k) };
        if let Some(done) = direct {
            return done;
        }
    }
    let _ = (wide, b);
    if AVX2 {
        // Only where the output lacks the direct writer's room: out of line, so that LLVM
        // does not load, on every word, the pieces of the text this path would encode.
        return encode_as_cold::<IS_B>(*encoder, rest, tail, room, out.buf, out.at);
    }
    encoder.encode_as::<AVX2, IS_B>(rest, tail, room, out.buf, out.at)
}

/// [`RunEncoder::encode_as`] for [`encode_one`]'s rare path in the AVX2 instance (a word
/// near the end of the buffer), out of line; its B encoder asks [`crate::cpu::avx2`] again.
/// The encoder by value (three bytes, in a register): by reference, the loop stored it to
/// the stack at every run for this rare call.
#[cold]
#[inline(never)]
fn encode_as_cold<const IS_B: bool>(
    encoder: RunEncoder,
    rest: &[u8],
    tail: &[u8],
    room: usize,
    buf: &mut [u8],
    at: usize,
) -> (usize, usize) {
    encoder.encode_as::<false, IS_B>(rest, tail, room, buf, at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Encoding;
    use std::string::String;

    #[test]
    fn sse2_blocks_match_the_byte_loop() {
        let samples: [&[u8]; 5] = [
            b"a b\tc=?d\r\n\xc2\x85\xe2\x80\xa8 \xff\x80\xbf\xc0 ?= x",
            b"\x00\x01\x08\x09\x0a\x0b\x0d\x1f\x20\x7e\x7f\x80\x9f\xa0_\x7f\x19\x10x",
            "日本語 テキスト ünïcödé 😀 =?utf-8?q?x?= \u{2028}\u{2029}\u{85}\u{9f}".as_bytes(),
            &[0u8; 10],
            &[0xFFu8; 3],
        ];
        for s in samples {
            for rot in 0..64 {
                let mut chunk = [0u8; 64];
                for (i, d) in chunk.iter_mut().enumerate() {
                    *d = s[(i + rot) % s.len()];
                }
                #[cfg(target_arch = "x86_64")]
                assert_eq!(block_sse2(&chunk), block_portable(&chunk), "{rot}");
                #[cfg(target_arch = "x86_64")]
                if crate::cpu::avx2() {
                    // SAFETY: the CPU supports AVX2 (checked just above).
                    let avx2 = unsafe { block_avx2(&chunk) };
                    assert_eq!(avx2, block_portable(&chunk), "{rot}");
                }
                let _ = block_portable(&chunk);
            }
        }
    }

    /// The masks of `text` built a byte at a time: word ends (with the end bit), the ends
    /// of the words holding a byte that forces encoding, and the escapes.
    fn masks_reference(text: &[u8], utf8: bool) -> (std::vec::Vec<usize>, std::vec::Vec<usize>) {
        let (mut ends, mut forced) = (std::vec::Vec::new(), std::vec::Vec::new());
        let mut start = 0;
        for (i, &b) in text.iter().chain([b' '].iter()).enumerate() {
            if b == b' ' || b == b'\t' || i == text.len() {
                let word = &text[start..i.min(text.len())];
                let force = word.windows(2).any(|w| w == b"=?")
                    || (0..word.len()).any(|j| {
                        if utf8 {
                            chars::line_breaking_char_len(text, start + j).is_some()
                        } else {
                            word[j] >= 0x80
                        }
                    });
                ends.push(i);
                if force {
                    forced.push(i);
                }
                start = i + 1;
                if i == text.len() {
                    break;
                }
            }
        }
        (ends, forced)
    }

    /// The padded copy holds the text, a space and `FILL` up to `PAD` bytes past the text, for
    /// every length that fits, and nothing for one that does not.
    #[test]
    fn pad_writes_the_text_a_space_and_fill() {
        const P: usize = 64 * (SHORT_BLOCKS + 1);
        let text: std::vec::Vec<u8> = (0..=P as u32).map(|i| (i * 7 % 251) as u8).collect();
        for len in 0..=P {
            let mut storage = MaybeUninit::<[u8; P]>::uninit();
            let Some(padded) = pad(&mut storage, &text[..len]) else {
                assert!(len + PAD > P);
                continue;
            };
            assert_eq!(padded.len(), len + PAD);
            assert_eq!(&padded[..len], &text[..len]);
            assert_eq!(padded[len], b' ');
            assert!(padded[len + 1..].iter().all(|&b| b == FILL));
        }
    }

    /// Empty masks of `B` words.
    fn empty_masks<const B: usize>() -> Masks<B> {
        Masks {
            space_before: SPACE_BEFORE,
            space: [0; B],
            forced_end: [0; B],
            plain_end: [0; B],
            escape: [0; B],
            escapes_before: [0; B],
        }
    }

    /// Builds the masks of `text` in `B` words (`P` = `64 * (B + 1)` bytes of padded copy)
    /// and holds them, and the searches and counts over them from `probe`, to the byte-wise
    /// reference.
    fn check_masks<const B: usize, const P: usize>(text: &[u8], utf8: bool, probe: usize) {
        let mut m = empty_masks::<B>();
        let mut storage = MaybeUninit::<[u8; P]>::uninit();
        let padded = pad(&mut storage, text).unwrap();
        assert!(m.build::<false>(padded, text, utf8));
        // The AVX2 instance (blocks and escape mask from other instructions) builds the
        // same masks, on a machine that has AVX2.
        #[cfg(target_arch = "x86_64")]
        if crate::cpu::avx2() {
            let mut wide = empty_masks::<B>();
            assert!(wide.build::<true>(padded, text, utf8));
            assert_eq!(wide.space, m.space);
            assert_eq!(wide.forced_end, m.forced_end);
            assert_eq!(wide.plain_end, m.plain_end);
            assert_eq!(wide.escape, m.escape);
            assert_eq!(wide.escapes_before, m.escapes_before);
        }
        assert_eq!(&padded[..text.len()], text);
        assert_eq!(padded[text.len()], b' ');
        assert_eq!(padded.len(), text.len() + PAD);
        assert!(padded[text.len() + 1..].iter().all(|&b| b == FILL));
        let bits = |mask: &[u64; B]| -> std::vec::Vec<usize> {
            (0..=text.len())
                .filter(|&i| mask[i / 64] >> (i % 64) & 1 == 1)
                .collect()
        };
        let (ends, forced) = masks_reference(text, utf8);
        let plain: std::vec::Vec<usize> = ends
            .iter()
            .copied()
            .filter(|e| !forced.contains(e))
            .collect();
        assert_eq!(bits(&m.space), ends.clone());
        assert_eq!(bits(&m.forced_end), forced.clone());
        assert_eq!(bits(&m.plain_end), plain.clone());
        let escapes: std::vec::Vec<usize> = (0..text.len())
            .filter(|&i| {
                let b = text[i];
                !(0x20..0x7F).contains(&b) || matches!(b, b'=' | b'?' | b'_')
            })
            .collect();
        let from = probe.min(text.len());
        for to in [from, (from + probe / 3).min(text.len()), text.len()] {
            assert_eq!(
                m.escapes(from, to),
                escapes.iter().filter(|&&i| i >= from && i < to).count(),
                "escapes {from}..{to}"
            );
        }
        // The sentinel after the text ends the searches.
        for from in [from, text.len(), text.len() + 1] {
            let next = |v: &[usize]| {
                v.iter()
                    .copied()
                    .find(|&e| e >= from)
                    .unwrap_or(text.len() + 1)
            };
            // SAFETY: `forced_end` and `plain_end` have bit `len + 1` (`from` is at most
            // that), `space` bit `len`.
            unsafe {
                assert_eq!(
                    Masks::<B>::next(&m.forced_end, from),
                    next(&forced),
                    "{from}"
                );
                assert_eq!(Masks::<B>::next(&m.plain_end, from), next(&plain), "{from}");
                // `space` has no sentinel: its last bit is the end of the text.
                if from <= text.len() {
                    assert_eq!(Masks::<B>::next(&m.space, from), next(&ends), "{from}");
                }
            }
            let start = |v: &[usize]| v.iter().copied().rfind(|&e| e < from).map_or(0, |e| e + 1);
            assert_eq!(
                Masks::<B>::word_start(&m.space, from),
                start(&ends),
                "{from}"
            );
            assert_eq!(m.space_start(from), start(&ends), "{from}");
            assert_eq!(
                Masks::<B>::word_start(&m.forced_end, from),
                start(&forced),
                "{from}"
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]
        /// The masks built a block at a time (the forced ends by the carrying addition, across
        /// blocks) match the byte-wise reference, and the scans and counts over them find what
        /// a search over the reference finds, in the masks of the long values and in those of
        /// the short ones.
        #[test]
        fn masks_match_the_byte_loop(
            words in proptest::collection::vec("[a-z=?_é日😀\u{85}\u{2028}]{1,70}", 1..20),
            tab in proptest::collection::vec(proptest::bool::ANY, 20),
            utf8 in proptest::bool::ANY,
            probe in 0usize..1100,
            short in 0usize..300,
        ) {
            let mut value = std::string::String::new();
            for (i, w) in words.iter().enumerate() {
                if i > 0 {
                    value.push(if tab[i] { '\t' } else { ' ' });
                }
                value.push_str(w);
            }
            let text = value.as_bytes();
            proptest::prop_assume!(text.len() + 1 < 64 * MAX_BLOCKS);
            check_masks::<MAX_BLOCKS, { 64 * (MAX_BLOCKS + 1) }>(text, utf8, probe);
            // A prefix short enough for the short masks (cut at a character boundary).
            let mut cut = short.min(text.len()).min(64 * SHORT_BLOCKS - 2);
            while !value.is_char_boundary(cut) {
                cut -= 1;
            }
            let prefix = &text[..cut];
            if !prefix.is_empty() && prefix.last().is_some_and(|&b| b != b' ' && b != b'\t') {
                check_masks::<SHORT_BLOCKS, { 64 * (SHORT_BLOCKS + 1) }>(prefix, utf8, probe);
            }
        }
    }

    /// The field `name: value` through the fast path (`fast`) or the general one, into a
    /// buffer of `cap` bytes; `None` when the fast path does not take the value.
    fn run(
        fast: bool,
        name: &str,
        value: &[u8],
        options: &Options,
        cap: usize,
    ) -> Option<Result<std::vec::Vec<u8>, Error>> {
        // A canary past the output: no path may store past what it writes (the fast path
        // stores whole vectors, which later bytes of the field must overwrite).
        let mut buf = std::vec![0xA5u8; cap];
        let mut sink = crate::sink::SliceSink::new(&mut buf);
        let mut f = match Folder::start(&mut sink, name, options) {
            Ok(f) => f,
            Err(e) => return Some(Err(e)),
        };
        let done = if fast {
            // Its masks do not see Unicode white space, which utf8 mode encodes: the
            // dispatch (`super::format_words`) never gives it such values.
            if options.utf8 && crate::chars::has_unicode_space(value) {
                return None;
            }
            format_words::<false>(&mut f, value, options)?
        } else {
            super::super::format_words_general(&mut f, value, options)
        };
        if let Err(e) = done {
            return Some(Err(e));
        }
        f.end();
        Some(sink.finish().map(|n| {
            assert!(
                buf[n..].iter().all(|&b| b == 0xA5),
                "stored past the output"
            );
            buf.truncate(n);
            buf
        }))
    }

    /// Compares the two paths on `value` at every buffer size around the one needed;
    /// returns whether the fast path took the value.
    fn check(name: &str, value: &[u8], options: &Options) -> bool {
        let Some(got) = run(true, name, value, options, 1 << 12) else {
            return false;
        };
        let want = run(false, name, value, options, 1 << 12).unwrap();
        assert_eq!(
            got.as_ref()
                .map(|v| String::from_utf8_lossy(v).into_owned()),
            want.as_ref()
                .map(|v| String::from_utf8_lossy(v).into_owned()),
            "{:?} {options:?}",
            String::from_utf8_lossy(value)
        );
        if let Ok(want) = want {
            let n = want.len();
            for cap in (n.saturating_sub(100)..=n + 100).chain([0, 1, n / 2]) {
                let got = run(true, name, value, options, cap).unwrap();
                if cap >= n {
                    assert_eq!(got.as_ref(), Ok(&want), "cap {cap}");
                } else {
                    assert_eq!(got, Err(Error::BufferTooSmall { needed: n }), "cap {cap}");
                }
            }
        }
        true
    }

    #[test]
    fn fast_path_matches_general_path_on_hard_text() {
        let family = "👨\u{200d}👩\u{200d}👧\u{200d}👦";
        let cases = [
            family.repeat(12),
            "שלום עולם, זה מבחן של טקסט מימין לשמאל שצריך להתקפל כראוי בשורות".into(),
            "e\u{301}".repeat(60),
            "日本語のテキストはとても長くなることがあります。".repeat(4),
            "Mixed ascii and ünïcödé words, with 😀 emoji and\ttabs and spaces".repeat(3),
            ["start ", &"é".repeat(200), " end"].concat(),
            "a\u{2028}b \u{85} c\u{2029} x=?y ?= =? q".into(),
            "Grüße aus Köln: Встреча в 10:00 — 会议 🎉 PDF v2".into(),
            "plain ascii words only, many of them, enough to fold a line or two at least".into(),
            // With `Auto`, words of one run that take different encodings: a lone ASCII
            // letter after a dense stretch, mixed-density chunks, ASCII-heavy tails.
            "日本語のテキストはとても長くなることがあります y".into(),
            "bbaaxyazébyaxbabbyyzéyyb жжжжжжжжжжжжжжжжжжжжжжжжжжжжжж".into(),
            [
                "ж".repeat(30),
                "bbaaxyazébyaxbabbyyzéyyb".into(),
                "a".repeat(40),
            ]
            .concat(),
            ["😀".repeat(9), "x".repeat(50), "é".into()].concat(),
        ];
        let mut taken = 0;
        for v in &cases {
            for name in [
                "Subject",
                "X-A-Rather-Long-Header-Name-For-Folding-Purposes-Here",
            ] {
                for utf8 in [false, true] {
                    for enc in [Encoding::Auto, Encoding::Q, Encoding::B] {
                        for width in [40, 41, 76, 77, 78, 100, 998] {
                            for lf in [false, true] {
                                let options = crate::test_util::options(utf8, enc, width, lf);
                                taken += usize::from(check(name, v.as_bytes(), &options));
                            }
                        }
                    }
                }
            }
        }
        assert!(taken > 0);
    }

    /// With `Auto`, a B run held by one word keeps B without an escape count (the run
    /// chose B for all of its bytes); the last word of a longer run, which holds the rest of
    /// it, still gets the count: here Q, for an ASCII-heavy tail after a dense start.
    #[test]
    fn whole_run_words_and_run_tails_choose_as_the_general_path() {
        let tail = ["ж".repeat(40), "ж".into(), "a".repeat(14)].concat();
        let cases = [
            "Встреча".into(),
            "a Счёт b".into(),
            "x ünïcödé y Grüße".into(),
            tail.clone(),
            ["plain ", &tail, " end"].concat(),
        ];
        for v in &cases {
            for width in [40, 78, 998] {
                let options = crate::test_util::options(false, Encoding::Auto, width, false);
                assert!(check("Subject", v.as_bytes(), &options), "{v:?}");
            }
        }
        let options = crate::test_util::options(false, Encoding::Auto, 78, false);
        let out = run(true, "Subject", tail.as_bytes(), &options, 512)
            .unwrap()
            .unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("?b?") && out.contains("?q?"), "{out}");
    }

    /// B runs of every length up to the most one word holds (45 bytes) after plain text of
    /// every length, so that the run's one word fits the line exactly, by a character less
    /// or by one more (the shortcut for a run that is one word that fits, and the loop when
    /// it does not), with `Auto` and B forced, at every buffer size around the output (where
    /// the direct write has no room the loop writes the word).
    #[test]
    fn one_word_b_runs_at_every_column_match_the_general_path() {
        let runs = [
            "ü".into(),
            "Grüße".into(),
            "日本語".into(),
            "Привет мир".into(),
            "😀 Grüße".into(),
            "ж".repeat(22),
            ["ж".repeat(22), "a".into()].concat(),
            ["ж".repeat(22), "ab".into()].concat(),
            "日本語テキスト日本語テキスト日".into(),
        ];
        for run in &runs {
            for lead in 0..70 {
                let value = if lead == 0 {
                    run.clone()
                } else {
                    ["a".repeat(lead), " ".into(), run.clone(), " z".into()].concat()
                };
                for encoding in [Encoding::Auto, Encoding::B] {
                    let options = crate::test_util::options(false, encoding, 78, false);
                    assert!(check("Subject", value.as_bytes(), &options), "{value:?}");
                }
            }
        }
    }

    /// Q runs (escapes of every kind Q has in text: non-ASCII, `=`, `?`, `_`, and a tab
    /// between two words of the run) after plain text of every length, at the end of the
    /// value and before plain text, so that the run's one Q word fits the line exactly, by a
    /// character less or more (written straight into the output when it fits, by the loop
    /// when not), with `Auto` and Q forced, at every buffer size around the output: the word
    /// at the value's end puts back the bytes its stores pass (the canary of `run`).
    #[test]
    fn one_word_q_runs_at_every_column_match_the_general_path() {
        let runs = [
            "ü".into(),
            "façade".into(),
            "a=?b".into(),
            "x_y=z? ü".into(),
            "ü\tü".into(),
            ["a".repeat(40), "ü".into()].concat(),
            ["a".repeat(52), "é".into()].concat(),
            ["a".repeat(58), "é".into()].concat(),
        ];
        for run in &runs {
            for lead in 0..72 {
                let lead_text = ["a".repeat(lead), " ".into()].concat();
                let lead_text = if lead == 0 { "" } else { lead_text.as_str() };
                for end in ["", " z"] {
                    let value = [lead_text, run, end].concat();
                    for encoding in [Encoding::Auto, Encoding::Q] {
                        let options = crate::test_util::options(false, encoding, 78, false);
                        assert!(check("Subject", value.as_bytes(), &options), "{value:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn fast_path_declines_what_it_does_not_take() {
        let o = Options::default();
        for v in ["a  b", "a\r\n b", " a", "a ", "", "a\n\tb"] {
            assert!(
                run(true, "Subject", v.as_bytes(), &o, 256).is_none(),
                "{v:?}"
            );
        }
        // Too long for the 998 rules to be out of play.
        let long = "é".repeat(500);
        assert!(run(true, "Subject", long.as_bytes(), &o, 4096).is_none());
        assert!(check("Subject", "é".repeat(490).as_bytes(), &o));
    }

    /// Values on both sides of the inline instance's size (`SHORT_BLOCKS`): below it the
    /// 7-block masks, from it on the cold 16-block instance; both write what the general path
    /// writes, with every option.
    #[test]
    fn both_mask_sizes_match_the_general_path() {
        let edge = 64 * SHORT_BLOCKS - 1;
        // Values the fast path took, below the edge (the inline instance) and from it on (the
        // out-of-line one): both must be reached, or this test would compare nothing there.
        let mut taken = [0usize; 2];
        for len in edge - 6..edge + 6 {
            for unit in ["ab ", "é ", "日x ", "😀 y "] {
                let mut v = unit.repeat(len / unit.len() + 1);
                let mut cut = len;
                while !v.is_char_boundary(cut) {
                    cut -= 1;
                }
                v.truncate(cut);
                while v.ends_with(' ') {
                    v.pop();
                }
                v.push('z');
                for enc in [Encoding::Auto, Encoding::Q, Encoding::B] {
                    for (width, lf) in [(78, false), (40, true), (998, false)] {
                        let options = crate::test_util::options(false, enc, width, lf);
                        let side = usize::from(v.len() + 1 >= 64 * SHORT_BLOCKS);
                        taken[side] += usize::from(check("Subject", v.as_bytes(), &options));
                    }
                }
            }
        }
        assert!(
            taken[0] > 0 && taken[1] > 0,
            "taken below / from the edge: {taken:?}"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]
        /// With `Auto`, where the words of one run take different encodings (SPEC §4: each
        /// word the shorter for itself): runs of mixed density, dense words with ASCII-heavy
        /// ends, 4-byte characters and combining marks, after names of every length and at
        /// narrow limits, so words start at every column; the fast path writes exactly what
        /// the general path writes, and nothing past it (`check`'s canaries and sizes).
        #[test]
        fn fast_path_matches_general_path_on_mixed_runs(
            words in proptest::collection::vec(proptest::prop_oneof![
                3 => "[a-z]{0,12}[é日ж😀][a-z]{0,30}",
                3 => "[жé日]{1,15}[a-z]{0,3}",
                2 => "[a-z]{0,3}(e\u{301}){1,3}[a-z=?_]{0,20}",
                1 => "[😀🎉]{1,6}",
                2 => "[a-z]{1,8}",
            ], 1..12),
            utf8 in proptest::bool::ANY,
            lf in proptest::bool::ANY,
            width in proptest::sample::select(std::vec![40usize, 41, 45, 50, 60, 76, 77, 78, 998]),
            lead in 0usize..80,
        ) {
            let value = words.join(" ");
            let options = crate::test_util::options(utf8, Encoding::Auto, width, lf);
            let name = "X".repeat(lead + 1);
            let taken = check(&name, value.as_bytes(), &options);
            proptest::prop_assert!(taken || lead + 3 + value.len() >= HARD_LINE_LIMIT);
            // Each word the shorter for what it holds, Q on a tie.
            if let Some(Ok(out)) = run(true, &name, value.as_bytes(), &options, 1 << 12) {
                let out = String::from_utf8(out).unwrap();
                let words = crate::encoded_word::tests::auto_misfits(&out, Context::Text);
                proptest::prop_assert!(words.is_empty(), "{:?} in {:?}", words, out);
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// The fast path writes exactly what the general path writes, for any mix of plain,
        /// encoded and raw UTF-8 words, every option, and buffers around the needed size.
        #[test]
        fn fast_path_matches_general_path(
            words in proptest::collection::vec(proptest::prop_oneof![
                6 => "[a-zA-Z0-9.,!?=_-]{1,12}",
                4 => "[a-zé€😀日ж\u{85}\u{9f}\u{a0}\u{2028}\u{2029}\u{301}\u{200d}=?_]{1,10}",
                1 => "[a-z]{60,130}",
                1 => "[日本語é]{20,60}",
            ], 1..30),
            seps in proptest::collection::vec(proptest::sample::select(std::vec![" ", " ", " ", "\t"]), 30),
            // Where two spaces stand (the general path's case), mostly nowhere.
            double in 0usize..200,
            utf8 in proptest::bool::ANY,
            lf in proptest::bool::ANY,
            encoding in proptest::sample::select(std::vec![Encoding::Auto, Encoding::Q, Encoding::B]),
            width in proptest::sample::select(std::vec![40usize, 41, 50, 60, 75, 76, 77, 78, 79, 100, 200, 998]),
            lead in 0usize..90,
        ) {
            let mut value = std::string::String::new();
            for (i, w) in words.iter().enumerate() {
                if i > 0 {
                    value.push_str(if i == double { "  " } else { seps[i] });
                }
                value.push_str(w);
            }
            let options = crate::test_util::options(utf8, encoding, width, lf);
            let taken = check(&"X".repeat(lead + 1), value.as_bytes(), &options);
            let short = lead + 2 + 1 + value.len() < HARD_LINE_LIMIT;
            // Unicode white space in utf8 mode is left to the general path (see `run`).
            let spaces = utf8 && crate::chars::has_unicode_space(value.as_bytes());
            let plain_spacing = double >= words.len() || double == 0;
            proptest::prop_assert_eq!(taken, short && plain_spacing && !spaces);
        }
    }
}
