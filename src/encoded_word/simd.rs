//! x86_64 fast paths of the encoder: counting the bytes Q must escape 16 at a time (SSE2,
//! the baseline), and B-encoding 12 bytes into 16 characters at a time (the SSSE3 shuffle
//! method of Muła and Lemire, in a function compiled for AVX2, which implies SSSE3; chosen at
//! run time through [`crate::cpu::avx2`]). The portable versions in the parent module are the
//! references the tests hold these to.

use core::arch::x86_64::{
    __m128i, __m256i, _mm256_add_epi8, _mm256_and_si256, _mm256_blendv_epi8, _mm256_cmpgt_epi8,
    _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_mulhi_epu16, _mm256_mullo_epi16,
    _mm256_or_si256, _mm256_permutevar8x32_epi32, _mm256_set1_epi8, _mm256_set_m128i,
    _mm256_setr_epi8, _mm256_shuffle_epi8, _mm256_storeu_si256, _mm256_sub_epi8, _mm256_subs_epu8,
    _mm_add_epi8, _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8,
    _mm_cvtsi128_si32, _mm_loadu_si128, _mm_movemask_epi8, _mm_mulhi_epu16, _mm_mullo_epi16,
    _mm_or_si128, _mm_sad_epu8, _mm_set1_epi32, _mm_set1_epi8, _mm_setr_epi8, _mm_setzero_si128,
    _mm_shuffle_epi8, _mm_srli_si128, _mm_storeu_si128, _mm_sub_epi8, _mm_subs_epu8,
};

/// 16 bytes of `text` at `at`, which must be in bounds (`at + 16 <= text.len()`); `None`
/// otherwise, so no caller can read past the slice.
#[target_feature(enable = "sse2")]
#[inline]
fn load(text: &[u8], at: usize) -> Option<__m128i> {
    let chunk = text.get(at..at + 16)?;
    // SAFETY: `chunk` is 16 readable bytes; the load has no alignment requirement.
    Some(unsafe { _mm_loadu_si128(chunk.as_ptr().cast()) })
}

/// Lanes holding a byte Q writes as one character: `0x20..=0x7E` except `=`, `?`, `_` in
/// unstructured text (RFC 2047 §5(1)); space, letters, digits and `!*+-/` in a phrase
/// (§5(3)). The same sets as [`crate::chars::Q_TEXT_SAFE`] and `Q_PHRASE_SAFE` plus space.
#[target_feature(enable = "sse2")]
#[inline]
fn literal_lanes(v: __m128i, phrase: bool) -> __m128i {
    let eq = |c: u8| eq_byte(v, c);
    if phrase {
        // Bytes >= 0x80 are negative as i8 and fail every range test.
        let digit = _mm_and_si128(
            _mm_cmpgt_epi8(v, _mm_set1_epi8(0x2F)),
            _mm_cmplt_epi8(v, _mm_set1_epi8(0x3A)),
        );
        let folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
        let letter = _mm_and_si128(
            _mm_cmpgt_epi8(folded, _mm_set1_epi8(0x60)),
            _mm_cmplt_epi8(folded, _mm_set1_epi8(0x7B)),
        );
        let marks = _mm_or_si128(
            _mm_or_si128(eq(b' '), eq(b'!')),
            _mm_or_si128(
                _mm_or_si128(eq(b'*'), eq(b'+')),
                _mm_or_si128(eq(b'-'), eq(b'/')),
            ),
        );
        _mm_or_si128(_mm_or_si128(digit, letter), marks)
    } else {
        let printable = _mm_and_si128(
            _mm_cmpgt_epi8(v, _mm_set1_epi8(0x1F)),
            _mm_cmplt_epi8(v, _mm_set1_epi8(0x7F)),
        );
        let special = _mm_or_si128(_mm_or_si128(eq(b'='), eq(b'?')), eq(b'_'));
        _mm_andnot_si128(special, printable)
    }
}

#[target_feature(enable = "sse2")]
#[inline]
fn eq_byte(v: __m128i, c: u8) -> __m128i {
    _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8))
}

/// Number of bytes of `text` that Q escapes (writes as `=XX`), SSE2. Texts shorter than 16
/// bytes take the portable count; the last partial block is read as the slice's last 16
/// bytes, with the lanes already counted masked off.
#[target_feature(enable = "sse2")]
#[inline]
pub(super) fn count_q_escapes_sse2(text: &[u8], phrase: bool) -> usize {
    let len = text.len();
    if len < 16 {
        return super::count_q_escapes_portable(text, phrase);
    }
    // Per-lane counts (a lane's compare result is 0 or -1, so subtracting adds 1), summed
    // across lanes every 255 blocks at most, before a lane can overflow: cheaper than a
    // population count per block on the x86_64 baseline, which has no POPCNT.
    let mut literal = 0u32;
    let mut at = 0;
    let mut lanes = _mm_setzero_si128();
    let mut blocks = 0;
    while let Some(v) = load(text, at) {
        lanes = _mm_sub_epi8(lanes, literal_lanes(v, phrase));
        at += 16;
        blocks += 1;
        if blocks == 255 {
            literal += sum_lanes(lanes);
            lanes = _mm_setzero_si128();
            blocks = 0;
        }
    }
    literal += sum_lanes(lanes);
    let left = len - at;
    if left > 0 {
        if let Some(v) = load(text, len - 16) {
            // The top `left` lanes are the bytes not yet counted.
            let fresh = 0xFFFFu32 << (16 - left);
            let mask = _mm_movemask_epi8(literal_lanes(v, phrase)) as u32;
            literal += (mask & fresh).count_ones();
        }
    }
    len - literal as usize
}

/// `src` (shorter than 16 bytes) followed by zeros, copied with two overlapping loads and
/// stores of 8, 4 or 1 bytes instead of a call to `memcpy`.
#[inline]
fn pad16(src: &[u8]) -> [u8; 16] {
    let mut out = [0u8; 16];
    let n = src.len();
    if let (Some(lo), Some(hi)) = (src.get(..8), n.checked_sub(8).and_then(|s| src.get(s..n))) {
        out[..8].copy_from_slice(lo);
        if let Some(dst) = out.get_mut(n - 8..n) {
            dst.copy_from_slice(hi);
        }
    } else if let (Some(lo), Some(hi)) =
        (src.get(..4), n.checked_sub(4).and_then(|s| src.get(s..n)))
    {
        out[..4].copy_from_slice(lo);
        if let Some(dst) = out.get_mut(n - 4..n) {
            dst.copy_from_slice(hi);
        }
    } else {
        for (d, &s) in out.iter_mut().zip(src) {
            *d = s;
        }
    }
    out
}

/// The sum of the 16 byte lanes of `v`.
#[target_feature(enable = "sse2")]
#[inline]
fn sum_lanes(v: __m128i) -> u32 {
    let sums = _mm_sad_epu8(v, _mm_setzero_si128());
    (_mm_cvtsi128_si32(sums) as u32) + (_mm_cvtsi128_si32(_mm_srli_si128::<8>(sums)) as u32)
}

/// The 16 base64 characters of 4 groups of 3 bytes, each group already spread over a 32-bit
/// lane as bytes 1, 0, 2, 1 (see [`RESHUFFLE`]).
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
fn b64_chars(input: __m128i) -> __m128i {
    // Split each 24-bit group into four 6-bit indices, one per byte.
    let t0 = _mm_and_si128(input, _mm_set1_epi32(0x0FC0_FC00));
    let t1 = _mm_mulhi_epu16(t0, _mm_set1_epi32(0x0400_0040));
    let t2 = _mm_and_si128(input, _mm_set1_epi32(0x003F_03F0));
    let t3 = _mm_mullo_epi16(t2, _mm_set1_epi32(0x0100_0010));
    let sextets = _mm_or_si128(t1, t3);
    // Index -> character: add an offset chosen by range (A-Z, a-z, 0-9, +, /).
    let offsets = _mm_setr_epi8(
        65, 71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 0, 0,
    );
    let range = _mm_subs_epu8(sextets, _mm_set1_epi8(51));
    let lower = _mm_cmpgt_epi8(sextets, _mm_set1_epi8(25));
    let range = _mm_sub_epi8(range, lower);
    _mm_add_epi8(sextets, _mm_shuffle_epi8(offsets, range))
}

/// Byte indices into a 12-byte group for the 16 output lanes: each 32-bit lane gets the
/// group's bytes 1, 0, 2, 1 (big-endian order of the 24 bits, as the multiplies want them).
const RESHUFFLE: [i8; 16] = [1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10];

/// B-encodes `text[..take]` into `out` (standard alphabet, `=` padding), returning the
/// characters written (`take.div_ceil(3) * 4`). Bytes of `text` past `take` are never part
/// of the result; they may be read (a load of 16 bytes for a 12-byte group) but are masked
/// to zero. `out` must have room for the result rounded up to 16 (whole vector stores); a
/// store that does not fit ends the encoding early, which the caller's buffer size rules out.
///
/// # Safety
/// The CPU must support AVX2 ([`crate::cpu::avx2`]).
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
pub(super) unsafe fn encode_b_avx2(text: &[u8], take: usize, out: &mut [u8]) -> usize {
    let take = take.min(text.len());
    // A short text is copied once into a zero-padded block, so every load below is in
    // bounds.
    let padded: [u8; 16];
    let src: &[u8] = if text.len() < 16 {
        padded = pad16(text);
        &padded
    } else {
        text
    };
    let shuffle = _mm_setr_epi8(
        RESHUFFLE[0],
        RESHUFFLE[1],
        RESHUFFLE[2],
        RESHUFFLE[3],
        RESHUFFLE[4],
        RESHUFFLE[5],
        RESHUFFLE[6],
        RESHUFFLE[7],
        RESHUFFLE[8],
        RESHUFFLE[9],
        RESHUFFLE[10],
        RESHUFFLE[11],
        RESHUFFLE[12],
        RESHUFFLE[13],
        RESHUFFLE[14],
        RESHUFFLE[15],
    );
    let mut at = 0;
    let mut o = 0;
    // Whole groups of 12 whose 16-byte load stays in the text: no masking.
    while take - at >= 12 {
        let Some(v) = load(src, at) else { break };
        let Some(dst) = out.get_mut(o..o + 16) else {
            break;
        };
        let chars = b64_chars(_mm_shuffle_epi8(v, shuffle));
        // SAFETY: `dst` is 16 writable bytes; the store has no alignment requirement.
        unsafe { _mm_storeu_si128(dst.as_mut_ptr().cast(), chars) };
        o += 16;
        at += 12;
    }
    // The rest (a last group shorter than 12, or groups near the end of the text): read
    // from the last 16 bytes of the text, the lanes shuffled into place and masked.
    while at < take {
        let left = take - at;
        let idx = if left >= 12 && at + 16 <= src.len() {
            at
        } else {
            src.len().saturating_sub(16).min(at)
        };
        let Some(v) = load(src, idx) else { break };
        // Lane indices into the loaded block: the group starts `at - idx` bytes in; lanes
        // reading past `take` get an index with the high bit set, which PSHUFB turns into 0.
        let indices = if left >= 12 && idx == at {
            shuffle
        } else {
            let shifted = _mm_add_epi8(shuffle, _mm_set1_epi8((at - idx) as i8));
            let past = _mm_cmpgt_epi8(shuffle, _mm_set1_epi8(left.min(12) as i8 - 1));
            _mm_or_si128(shifted, past)
        };
        let chars = b64_chars(_mm_shuffle_epi8(v, indices));
        let Some(dst) = out.get_mut(o..o + 16) else {
            break;
        };
        // SAFETY: `dst` is 16 writable bytes; the store has no alignment requirement.
        unsafe { _mm_storeu_si128(dst.as_mut_ptr().cast(), chars) };
        let group = left.min(12);
        o += group.div_ceil(3) * 4;
        at += group;
    }
    // Padding of a last group of one or two bytes (its missing bytes were encoded as zeros).
    match take % 3 {
        1 => {
            if let Some(pad) = out.get_mut(o.saturating_sub(2)..o) {
                pad.copy_from_slice(b"==");
            }
        }
        2 => {
            if let Some(pad) = out.get_mut(o.saturating_sub(1)) {
                *pad = b'=';
            }
        }
        _ => {}
    }
    o
}

/// The base64 characters of 2 x 4 groups of 3 bytes, one half per 128-bit lane, each group
/// spread over a 32-bit lane as in [`b64_chars`]; the constants from `t`.
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
fn b64_chars256(input: __m256i, t: &WordTable) -> __m256i {
    let t0 = _mm256_and_si256(input, vec(&t.sextets_hi));
    let t1 = _mm256_mulhi_epu16(t0, vec(&t.mul_hi));
    let t2 = _mm256_and_si256(input, vec(&t.sextets_lo));
    let t3 = _mm256_mullo_epi16(t2, vec(&t.mul_lo));
    let sextets = _mm256_or_si256(t1, t3);
    let range = _mm256_subs_epu8(sextets, vec(&t.above_51));
    let lower = _mm256_cmpgt_epi8(sextets, vec(&t.above_25));
    let range = _mm256_sub_epi8(range, lower);
    _mm256_add_epi8(sextets, _mm256_shuffle_epi8(vec(&t.offsets), range))
}

/// Most bytes one encoded-word's B text can hold (63 characters: 15 groups of 3, 45 bytes),
/// rounded up to the 48 that [`encode_b_word_avx2`] always encodes.
pub(super) const B_WORD_BYTES: usize = 48;

/// B-encodes `text[..take]` (`take` at most [`B_WORD_BYTES`]) into `out`, which must hold at
/// least 64 bytes, and returns the characters written. Always encodes 48 bytes in two steps
/// of 24, the bytes past `take` masked to zero, the `=` padding blended in, and stores 64
/// characters: no branch depends on the length. `text` may go on past `take` (the caller
/// passes the rest of the value, or a zero-padded copy of its end, so that the 52 bytes the
/// loads read are there); when it holds fewer, a zero-padded copy is read instead. `None`
/// (nothing written) when `take` or `out` is out of range.
///
/// # Safety
/// The CPU must support AVX2 ([`crate::cpu::avx2`]).
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
pub(super) unsafe fn encode_b_word_avx2(text: &[u8], take: usize, out: &mut [u8]) -> Option<usize> {
    if take > B_WORD_BYTES || take > text.len() || out.len() < 64 {
        return None;
    }
    let padded: [u8; 64];
    let src: &[u8] = if text.len() >= 52 {
        text
    } else {
        padded = pad64(text);
        &padded
    };
    let shuffle = _mm256_setr_epi8(
        1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10, 1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10,
        9, 11, 10,
    );
    // Byte positions of the two halves: 0..16 and 12..28 of each step of 24.
    let index = _mm256_setr_epi8(
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 12, 13, 14, 15, 16, 17, 18, 19, 20,
        21, 22, 23, 24, 25, 26, 27,
    );
    let lane = _mm256_setr_epi8(
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
        25, 26, 27, 28, 29, 30, 31,
    );
    // Characters written, and those that carry bits (the rest of the last quad is `=`).
    let n = take.div_ceil(3) * 4;
    let bits = (4 * take).div_ceil(3);
    for step in 0..2 {
        let t = word_table();
        let at = 24 * step;
        let (lo, hi) = (load(src, at)?, load(src, at + 12)?);
        // Lanes at or past `take` read as zero (take - at is -24..=48).
        let left = _mm256_set1_epi8((take as i32 - at as i32) as i8);
        let live = _mm256_cmpgt_epi8(left, index);
        let v = _mm256_and_si256(_mm256_set_m128i(hi, lo), live);
        let chars = b64_chars256(_mm256_shuffle_epi8(v, shuffle), t);
        // Output lanes in bits..n are padding (bits - 32 * step is -32..=64); the lanes from
        // n on are not part of the result, so every lane from bits on may be `=`.
        let o = 32 * step as i32;
        let below_bits = _mm256_cmpgt_epi8(_mm256_set1_epi8((bits as i32 - o) as i8), lane);
        let chars = _mm256_blendv_epi8(_mm256_set1_epi8(b'=' as i8), chars, below_bits);
        let dst = out.get_mut(32 * step..32 * step + 32)?;
        // SAFETY: `dst` is 32 writable bytes; the store has no alignment requirement.
        unsafe { _mm256_storeu_si256(dst.as_mut_ptr().cast(), chars) };
    }
    Some(n)
}

/// The first 64 bytes of `src` (or all of it) followed by zeros.
#[inline(never)]
fn pad64(src: &[u8]) -> [u8; 64] {
    let mut out = [0u8; 64];
    let n = src.len().min(64);
    if let (Some(dst), Some(src)) = (out.get_mut(..n), src.get(..n)) {
        dst.copy_from_slice(src);
    }
    out
}

/// The vector constants of the B word writer ([`write_b_word_avx2`], [`b64_chars256`],
/// [`b_word_take_most_avx2`]), each whole (32 bytes), read through a pointer LLVM cannot see
/// into ([`BWordConsts`]): every use then takes its constant as a memory operand, with no
/// instruction of its own. As constants LLVM kept the splats as one to four bytes, broadcast
/// by a load of their own at every use (the word loop has no registers to keep them: ~8
/// loads per word), and turned the multiplies into shifts and blends.
#[repr(C, align(32))]
pub(crate) struct WordTable {
    /// The group shuffle of [`RESHUFFLE`], in both 128-bit lanes.
    shuffle: [u8; 32],
    /// The text position of each input lane of the two steps of 24 (0..16 and 12..28, and
    /// 24 more), compared with one broadcast of the take.
    index: [[u8; 32]; 2],
    /// The 32-bit lanes 0, 1, 2, 3, 3, 4, 5, 6: one load of 32 bytes spread so that the
    /// upper half holds bytes 12..28 (one permute instead of two loads and an insert).
    spread: [u8; 32],
    /// The bits of the first and third sextets of each group, and their multiplier
    /// (`mulhi`), then those of the second and fourth (`mullo`), as in [`b64_chars`].
    sextets_hi: [u8; 32],
    mul_hi: [u8; 32],
    sextets_lo: [u8; 32],
    mul_lo: [u8; 32],
    /// Sextet to character: the offset of each range, and the bounds that pick it.
    offsets: [u8; 32],
    above_51: [u8; 32],
    above_25: [u8; 32],
}

/// Four bytes, little-endian, in every 32-bit lane.
const fn lanes32(v: u32) -> [u8; 32] {
    let b = v.to_le_bytes();
    let mut t = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        t[i] = b[i % 4];
        i += 1;
    }
    t
}

/// The 32-bit lanes given, little-endian.
const fn words32(v: [u32; 8]) -> [u8; 32] {
    let mut t = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        t[i] = v[i / 4].to_le_bytes()[i % 4];
        i += 1;
    }
    t
}

/// A 16-byte row in both 128-bit lanes, plus `add` in every byte.
const fn both_lanes(row: [i8; 16], add: i8) -> [u8; 32] {
    let mut t = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        t[i] = row[i % 16].wrapping_add(add) as u8;
        i += 1;
    }
    t
}

/// The byte positions 0..16 and 12..28, plus `add`.
const fn step_index(add: u8) -> [u8; 32] {
    let mut t = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        t[i] = (if i < 16 { i } else { i - 4 }) as u8 + add;
        i += 1;
    }
    t
}

static WORD_TABLE: WordTable = WordTable {
    shuffle: both_lanes(RESHUFFLE, 0),
    index: [step_index(0), step_index(24)],
    spread: words32([0, 1, 2, 3, 3, 4, 5, 6]),
    sextets_hi: lanes32(0x0FC0_FC00),
    mul_hi: lanes32(0x0400_0040),
    sextets_lo: lanes32(0x003F_03F0),
    mul_lo: lanes32(0x0100_0010),
    offsets: both_lanes(
        [
            65, 71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 0, 0,
        ],
        0,
    ),
    above_51: [51; 32],
    above_25: [25; 32],
};

/// The B word writer's constants: [`WordTable`], each step of a word through its own
/// pointer ([`word_table`]).
#[derive(Clone, Copy)]
pub(crate) struct BWordConsts(());

impl BWordConsts {
    /// The constants.
    ///
    /// # Safety
    /// The CPU must support AVX2 ([`crate::cpu::avx2`]).
    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    #[inline]
    pub(crate) unsafe fn new() -> Self {
        BWordConsts(())
    }
}

/// [`WORD_TABLE`], through a pointer LLVM cannot see into (see [`WordTable`]). Not `pure`:
/// each call gives a pointer of its own (one `lea`), so LLVM cannot merge the loads of two
/// calls into one register that must then live across the steps; each load is used once
/// and becomes a memory operand. (A pointer made once per field cost a register in the
/// whole loop, and more spills than the loads it saved.)
// The pointer only passes through a register; the `asm!` neither reads nor writes memory
// through it, which is what `nomem` says.
#[allow(clippy::pointers_in_nomem_asm_block)]
#[inline(always)]
fn word_table() -> &'static WordTable {
    let mut p: *const WordTable = &WORD_TABLE;
    // SAFETY: the template is a comment: no instruction is emitted, nothing is read or
    // written; the register comes back as it went in, so `p` still points to the static.
    unsafe {
        core::arch::asm!(
            "/* {0} */",
            inout(reg) p,
            options(nomem, nostack, preserves_flags)
        );
        &*p
    }
}

/// One of the [`WordTable`] vectors.
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
fn vec(v: &[u8; 32]) -> __m256i {
    // SAFETY: `v` is 32 readable bytes; the load has no alignment requirement.
    unsafe { _mm256_loadu_si256(v.as_ptr().cast()) }
}

/// 32 bytes of `s` at `at`, when it has them.
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
fn load256(s: &[u8], at: usize) -> Option<__m256i> {
    let chunk = s.get(at..at + 32)?;
    // SAFETY: `chunk` is 32 readable bytes; the load has no alignment requirement.
    Some(unsafe { _mm256_loadu_si256(chunk.as_ptr().cast()) })
}

/// Stores `v` at `s[at..at + 32]`, when it has them.
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
fn store256(s: &mut [u8], at: usize, v: __m256i) {
    if let Some(chunk) = s.get_mut(at..at + 32) {
        // SAFETY: `chunk` is 32 writable bytes; the store has no alignment requirement.
        unsafe { _mm256_storeu_si256(chunk.as_mut_ptr().cast(), v) };
    }
}

/// For each take of `encode_b_word_direct_avx2` (at most 45 bytes; the table covers every
/// bit of a 64-bit mask, so that a take LLVM knows is below 64 is looked up without a
/// check), the characters its B encoding writes and those of them that carry bits: one load
/// instead of two divisions by 3.
static B_SIZES: [[u8; 2]; 64] = {
    let mut t = [[0u8; 2]; 64];
    let mut take = 0;
    while take < 64 {
        t[take] = [(take.div_ceil(3) * 4) as u8, (4 * take).div_ceil(3) as u8];
        take += 1;
    }
    t
};

/// For each take (as [`B_SIZES`]), the end of its B word from its first character that
/// carries no bits: the `=` padding (none, one or two characters) and `?=`, then bytes past
/// the word (written back). By take, not by the padding's length: one load, where the
/// padding's length (a subtraction) needed a range check (~4 instructions a word).
static B_TAIL_AT: [[u8; 4]; 64] = {
    let tails = [*b"?=??", *b"==?=", *b"=?=?"];
    let mut t = [[0u8; 4]; 64];
    let mut take = 0;
    while take < 64 {
        t[take] = tails[take % 3];
        take += 1;
    }
    t
};

/// For each room of `encode_b_word_direct_avx2` (below 128; any more holds as much as 75),
/// the most bytes a B word in it can hold: the budget after the 12 characters of overhead,
/// in whole quads of 3 bytes, as [`super::b_take`] counts it.
static ROOM_BYTES: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut room = 0;
    while room < 128 {
        let word = if room < super::MAX_WORD {
            room
        } else {
            super::MAX_WORD
        };
        let budget = word.saturating_sub(super::OVERHEAD);
        t[room] = (budget / 4 * 3) as u8;
        room += 1;
    }
    t
};

/// Room `encode_b_word_direct_avx2` needs in `out` from `at`: the word and the 64 bytes
/// after it, which it reads before and writes back after its whole-vector stores. The word
/// is at most 75, but the room is that of a take of 63 (84 characters): the take is below
/// 64 by its construction (a bit of a 64-bit mask), which LLVM sees, while its bound of 45
/// it does not (a compare and a branch on every word).
pub(crate) const DIRECT_ROOM: usize = 12 + 84 + 64;

/// One B encoded-word, written straight into `out` at `at`: the whole characters from the
/// start of `tail` (the `len` bytes of the rest of a run, then at least 64 bytes in all,
/// more text or zeros) whose encoding fits in `room` characters (and in 75). Returns the
/// bytes taken (0 when not even one character fits) and the length of the word; the same
/// take as [`super::b_take`] and the same characters as [`super::encode_b_portable`].
///
/// The take is found from a mask of the character starts among the first 48 bytes (the
/// highest one at or below the most the budget holds) instead of a look at the bytes around
/// the cut. The body is encoded in whole vectors (64 characters) and stored in two moves of
/// 32 straight into `out`; the 64 bytes after the word, saved before, are written back
/// after, so nothing past the word changes (a field never writes past its own output) and
/// no copy through a buffer on the stack is needed. `None`, nothing written, when `out`
/// lacks [`DIRECT_ROOM`] bytes from `at` or `tail` is shorter than 64: the caller takes the
/// exact path then. Its two halves, [`b_word_take_avx2`] and [`write_b_word_avx2`], are what
/// the unstructured fast path calls (it needs the take before it decides on the word); the
/// tests hold the two together to the exact encoder here.
///
/// # Safety
/// The CPU must support AVX2 ([`crate::cpu::avx2`]).
#[cfg(test)]
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
pub(crate) unsafe fn encode_b_word_direct_avx2(
    tail: &[u8],
    len: usize,
    room: usize,
    out: &mut [u8],
    at: usize,
    k: &BWordConsts,
) -> Option<(usize, usize)> {
    // SAFETY: the caller's CPU supports AVX2 (this function's contract).
    let found = unsafe { b_word_take_avx2(tail, len, room) }?;
    // SAFETY: as above.
    unsafe { write_b_word_avx2(&found, out, at, k) }
}

/// The take of the next B word of a run, as [`b_word_take_avx2`] finds it, and the two
/// vectors of the text it loaded to find it, which [`write_b_word_avx2`] encodes: a caller
/// that needs the take before it decides on the word (the `Auto` check of a B run) finds it
/// once for both.
#[derive(Clone, Copy)]
pub(crate) struct BWordTake {
    /// Bytes 0..32 and 24..56 of the text.
    raw: [__m256i; 2],
    take: usize,
}

impl BWordTake {
    /// The bytes the word takes: [`super::b_take`] of the text for the room.
    #[inline(always)]
    pub(crate) fn take(&self) -> usize {
        self.take
    }
}

/// The first half of `encode_b_word_direct_avx2`: the bytes a B word in `room` takes from
/// the start of `tail` (the `len` bytes of the rest of a run, then at least 64 bytes in all),
/// with the vectors loaded to find them. `None` when `tail` is shorter than 64.
///
/// # Safety
/// The CPU must support AVX2 ([`crate::cpu::avx2`]).
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
pub(crate) unsafe fn b_word_take_avx2(tail: &[u8], len: usize, room: usize) -> Option<BWordTake> {
    // SAFETY: the caller's CPU supports AVX2 (this function's contract).
    unsafe { b_word_take_most_avx2(tail, len, b_room_bytes(room)) }
}

/// The most bytes a B word in `room` characters holds (at most 45, 15 groups of 3): one
/// load, where the clamps to 75 and at zero and the division were selects that LLVM turned
/// into branches. A caller that sizes many words to the same room (every later word of a
/// run has a fresh line's) finds it once for them, for [`b_word_take_most_avx2`].
#[inline(always)]
pub(crate) fn b_room_bytes(room: usize) -> usize {
    usize::from(ROOM_BYTES.get(room).copied().unwrap_or(45))
}

/// [`b_word_take_avx2`] with the most bytes the room holds, [`b_room_bytes`], found by the
/// caller.
///
/// # Safety
/// The CPU must support AVX2 ([`crate::cpu::avx2`]).
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
pub(crate) unsafe fn b_word_take_most_avx2(
    tail: &[u8],
    len: usize,
    most: usize,
) -> Option<BWordTake> {
    debug_assert!(most <= 45);
    let src = tail.get(..64)?;
    let cap = len.min(most);
    // The two steps of 24 bytes, each loaded whole (bytes 0..32 and 24..56).
    let raw = [load256(src, 0)?, load256(src, 24)?];
    // Character starts (every byte but 0x80..=0xBF) in bytes 0..48: the word ends at the
    // last one at or below `cap`. Bit 0 is set (`tail` starts with a character), and the
    // byte at `len` (white space or the zeros after the text) is a start too. (The two
    // loads overlap in bytes 24..32, which give the same bits.)
    let starts = |v| {
        let m = _mm256_cmpgt_epi8(v, _mm256_set1_epi8(-0x41));
        u64::from(_mm256_movemask_epi8(m) as u32)
    };
    let [r0, r1] = raw;
    let starts = starts(r0) | starts(r1) << 24;
    // Bit 0 is set anyway (`tail` starts with a character): with it set here LLVM knows
    // the mask is not zero, so the take is below 64 (the range of `B_SIZES`, whose
    // lookup then needs no check) without a clamp (a `min(45)` and a saturating
    // subtraction cost five instructions per word). It is at most `cap`, so at most 45.
    let below = (starts & ((2u64 << cap) - 1)) | 1;
    let take = 63 - below.leading_zeros() as usize;
    debug_assert!(take <= cap);
    Some(BWordTake { raw, take })
}

/// [`b_word_take_avx2`] for a word known to hold all of the `len` bytes at the start of
/// `tail` (at most 45: its B word fits the room): the vectors, without the search for the
/// last character start that fits. `None` when `tail` is shorter than 64.
///
/// # Safety
/// The CPU must support AVX2 ([`crate::cpu::avx2`]).
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
pub(crate) unsafe fn b_word_whole_avx2(tail: &[u8], len: usize) -> Option<BWordTake> {
    let src = tail.get(..64)?;
    debug_assert!(len <= 45);
    Some(BWordTake {
        raw: [load256(src, 0)?, load256(src, 24)?],
        // `len` is at most 45: the mask changes nothing, and tells LLVM the take is below
        // 64 (see `DIRECT_ROOM`) in one instruction (a `min` took three).
        take: len % 64,
    })
}

/// The second half of `encode_b_word_direct_avx2`: the word holding the take `found`
/// ([`b_word_take_avx2`]), written straight into `out` at `at`. `None`, nothing written,
/// when `out` lacks [`DIRECT_ROOM`] bytes from `at`.
///
/// # Safety
/// The CPU must support AVX2 ([`crate::cpu::avx2`]).
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
pub(crate) unsafe fn write_b_word_avx2(
    found: &BWordTake,
    out: &mut [u8],
    at: usize,
    k: &BWordConsts,
) -> Option<(usize, usize)> {
    let dst = out.get_mut(at..at + DIRECT_ROOM)?.try_into().ok()?;
    // SAFETY: the caller's CPU supports AVX2 (this function's contract).
    unsafe { write_b_word_into_avx2(found, dst, k) }
}

/// [`write_b_word_avx2`] into the [`DIRECT_ROOM`] bytes `dst`, which the caller found room
/// for (the unstructured fast path with one compare against a bound found once per field,
/// instead of a range check with its overflow test per word). `None`, nothing written, never
/// happens for a take from [`b_word_take_avx2`] (the word and the 64 bytes after it fit).
///
/// # Safety
/// The CPU must support AVX2 ([`crate::cpu::avx2`]).
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
pub(crate) unsafe fn write_b_word_into_avx2(
    found: &BWordTake,
    dst: &mut [u8; DIRECT_ROOM],
    k: &BWordConsts,
) -> Option<(usize, usize)> {
    let dst: &mut [u8] = dst;
    let BWordTake { raw, take } = *found;
    // Characters written, and those that carry bits (the rest of the last quad is `=`).
    let [n, bits] = B_SIZES
        .get(take)
        .copied()
        .unwrap_or([0, 0])
        .map(usize::from);
    let end = super::OVERHEAD + n;
    let saved = (load256(dst, end)?, load256(dst, end + 32)?);
    if let Some(prefix) = dst.get_mut(..10) {
        prefix.copy_from_slice(b"=?utf-8?b?");
    }
    let _ = k;
    // Below 64 (see `DIRECT_ROOM`; at most 45 in fact), so the byte compares below are exact.
    let take_v = _mm256_set1_epi8(take as i8);
    for (step, v) in raw.into_iter().enumerate() {
        let t = word_table();
        let index = t.index.get(step).unwrap_or(&t.shuffle);
        // Bytes 0..16 of the step in the lower half, 12..28 in the upper.
        let v = _mm256_permutevar8x32_epi32(v, vec(&t.spread));
        // Lanes at or past `take` read as zero.
        let live = _mm256_cmpgt_epi8(take_v, vec(index));
        let v = _mm256_and_si256(v, live);
        let chars = b64_chars256(_mm256_shuffle_epi8(v, vec(&t.shuffle)), t);
        store256(dst, 10 + 32 * step, chars);
    }
    // The padding and the `?=` in one store of four bytes at the first character that
    // carries no bits (instead of a compare and a blend per step): its bytes past the word
    // are written back below.
    if let (Some(tail), Some(end_bytes)) = (dst.get_mut(10 + bits..14 + bits), B_TAIL_AT.get(take))
    {
        tail.copy_from_slice(end_bytes);
    }
    store256(dst, end, saved.0);
    store256(dst, end + 32, saved.1);
    Some((take, end))
}
