//! RFC 2047 encoded-words: `=?utf-8?q?...?=` and `=?utf-8?b?...?=`.
//!
//! Text is encoded as a run of encoded-words sized to the room left on each line, so lines
//! stay within 76 characters (RFC 2047 §2) and the soft limit. Every word holds whole UTF-8
//! characters and is at most 75 characters long. Adjacent encoded-words are separated by one
//! space or a fold; decoders drop that white space (RFC 2047 §6.2), so text that had white
//! space between non-ASCII words carries it inside the encoded text.

use crate::chars::{self, Q_PHRASE_SAFE, Q_TEXT_SAFE};
use crate::fold::{Folder, Width};
use crate::phrase::TextPhrase;
use crate::{Encoding, Error};

#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
mod simd;

/// The AVX2 B encoder that writes a word straight into the output, for the unstructured
/// fast path, in two halves: the take, then the word (see [`simd::b_word_take_avx2`]).
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
pub(crate) use simd::{
    b_room_bytes, b_word_take_avx2, b_word_take_most_avx2, b_word_whole_avx2, write_b_word_avx2,
    write_b_word_into_avx2, BWordConsts, BWordTake, DIRECT_ROOM,
};

/// `=?utf-8?q?` + `?=`.
pub(crate) const OVERHEAD: usize = 12;
/// RFC 2047 §2: an encoded-word is at most 75 characters long.
const MAX_WORD: usize = 75;

/// Where the encoded-word stands, which decides the Q-encoding's literal set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Context {
    /// Unstructured text (RFC 2047 §5(1)).
    Text,
    /// A phrase: display names, Keywords (RFC 2047 §5(3)).
    Phrase,
    /// Inside a quoted-string: the RFC 2047 form of a MIME parameter for old Outlook versions.
    /// The phrase-safe set, and no space before the closing quote (it would become text).
    Quoted,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Enc {
    Q,
    B,
}

/// The encoding every word of a run takes when the option forces one; `None` for `Auto`,
/// where each word takes its own (see [`fit_auto`]).
#[inline(always)]
fn forced(encoding: Encoding) -> Option<Enc> {
    match encoding {
        Encoding::Q => Some(Enc::Q),
        Encoding::B => Some(Enc::B),
        Encoding::Auto => None,
    }
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";
const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

#[inline]
fn q_len(b: u8, ctx: Context) -> usize {
    let safe = match ctx {
        Context::Text => Q_TEXT_SAFE,
        Context::Phrase | Context::Quoted => Q_PHRASE_SAFE,
    };
    if b == b' ' || chars::is(b, safe) {
        1
    } else {
        3
    }
}

#[inline]
fn b_len(bytes: usize) -> usize {
    bytes.div_ceil(3) * 4
}

/// [`b_len`] as `(bytes + 2) / 3 * 4`: one multiply by the inverse of 3 and a shift, where
/// `div_ceil` also tests the remainder. `bytes` is a slice length (at most `isize::MAX`),
/// so the sum does not overflow.
#[cfg(not(target_os = "none"))]
#[inline(always)]
// Written out on purpose: `div_ceil` is what this avoids (see above).
#[allow(clippy::manual_div_ceil)]
fn b_len_small(bytes: usize) -> usize {
    (bytes + 2) / 3 * 4
}

/// The length of `text` as one encoded-word, if it fits in one (at most 75 characters).
pub(crate) fn single_word_len(text: Text<'_>, ctx: Context, encoding: Encoding) -> Option<usize> {
    let chunk = measure(text.clone(), choose(text, ctx, encoding), ctx, MAX_WORD);
    chunk.last.then_some(chunk.encoded + OVERHEAD)
}

/// [`single_word_len`] for text that is one contiguous slice: the lengths are arithmetic on
/// one count of the bytes Q must escape.
pub(crate) fn single_word_len_slice(
    text: &[u8],
    ctx: Context,
    encoding: Encoding,
) -> Option<usize> {
    let safe = safe_class(ctx);
    let encoded = match choose_slice(text, safe, encoding) {
        Enc::Q => q_len_slice(text, safe),
        Enc::B => b_len(text.len()),
    };
    (encoded + OVERHEAD <= MAX_WORD).then_some(encoded + OVERHEAD)
}

/// One encoded-word holding all of a text: what [`write_run_slice`] writes for a text that
/// fits in the room it has, for a caller that places the word itself ([`encode_whole_slice`]).
#[cfg(not(target_os = "none"))]
pub(crate) struct WholeWord {
    buf: [u8; WORD_BUF],
    len: usize,
}

#[cfg(not(target_os = "none"))]
impl WholeWord {
    /// The encoded-word (`=?utf-8?...?=`), at most 75 bytes.
    #[inline]
    pub(crate) fn bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }
}

/// All of `text` (a contiguous slice, not empty) as one encoded-word, when it fits in one
/// (75 characters): the word [`write_run_slice`] writes when the whole text fits in the room
/// it has (`encode_word` takes the same characters for any room the word fits in).
#[cfg(not(target_os = "none"))]
#[inline]
pub(crate) fn encode_whole_slice(
    text: &[u8],
    ctx: Context,
    encoding: Encoding,
) -> Option<WholeWord> {
    let safe = safe_class(ctx);
    let enc = choose_slice(text, safe, encoding);
    let mut buf = [0u8; WORD_BUF];
    let (taken, len) = encode_word(text, enc, safe, MAX_WORD, &mut buf);
    (taken == text.len() && taken > 0).then_some(WholeWord { buf, len })
}

#[inline]
fn safe_class(ctx: Context) -> u8 {
    match ctx {
        Context::Text => Q_TEXT_SAFE,
        Context::Phrase | Context::Quoted => Q_PHRASE_SAFE,
    }
}

/// Whether Q writes `b` as one character (a space becomes `_`).
#[inline(always)]
fn q_literal(b: u8, safe: u8) -> bool {
    b == b' ' || chars::is(b, safe)
}

/// The length of all of `text` in Q.
fn q_len_slice(text: &[u8], safe: u8) -> usize {
    text.len() + 2 * count_q_escapes(text, safe)
}

/// Number of bytes of `text` that Q writes as `=XX` in the context with literal set `safe`.
#[inline]
fn count_q_escapes(text: &[u8], safe: u8) -> usize {
    let phrase = safe != Q_TEXT_SAFE;
    #[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
    {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        unsafe { simd::count_q_escapes_sse2(text, phrase) }
    }
    #[cfg(not(all(target_arch = "x86_64", not(target_os = "none"))))]
    {
        count_q_escapes_portable(text, phrase)
    }
}

/// [`count_q_escapes`] a byte at a time: the portable version, and the reference of the SIMD
/// one.
fn count_q_escapes_portable(text: &[u8], phrase: bool) -> usize {
    let safe = if phrase { Q_PHRASE_SAFE } else { Q_TEXT_SAFE };
    text.iter().filter(|&&b| !q_literal(b, safe)).count()
}

/// The encoding for `text`: for `Auto`, the shorter, Q on a tie.
fn choose_slice(text: &[u8], safe: u8, encoding: Encoding) -> Enc {
    match encoding {
        Encoding::Q => Enc::Q,
        Encoding::B => Enc::B,
        Encoding::Auto => {
            // Q is no longer than B while at most this many bytes need escaping (3 characters
            // instead of 1).
            let allowed = (b_len(text.len()) - text.len()) / 2;
            if count_q_escapes(text, safe) > allowed {
                Enc::B
            } else {
                Enc::Q
            }
        }
    }
}
fn choose<I: Iterator<Item = u8>>(text: I, ctx: Context, encoding: Encoding) -> Enc {
    match encoding {
        Encoding::Q => Enc::Q,
        Encoding::B => Enc::B,
        Encoding::Auto => {
            let (mut q, mut n) = (0, 0);
            for b in text {
                q += q_len(b, ctx);
                n += 1;
            }
            if q <= b_len(n) {
                Enc::Q
            } else {
                Enc::B
            }
        }
    }
}

/// Writes `text` (UTF-8 bytes, already unfolded by the iterator) as encoded-words, the first
/// preceded by the white space `ws`, the last followed by the ASCII `glue` (e.g. `,`), which
/// is not encoded. In a phrase the glue is a special (`,` or `:`), and RFC 2047 §5(3) wants
/// white space between an encoded-word and a special, so a space goes before it. This is the
/// byte-by-byte path, for text with caller folds or quoting to remove; text that is one
/// contiguous slice takes [`write_run_slice`].
pub(crate) fn write_run(
    f: &mut Folder<'_, '_>,
    ws: &[u8],
    text: Text<'_>,
    ctx: Context,
    encoding: Encoding,
    glue: &[u8],
) -> Result<(), Error> {
    write_run_prefixed(f, ws, &[], text, ctx, encoding, glue)
}

/// [`write_run`] for text that is one contiguous slice (no caller folds, nothing to unquote):
/// the common case. Each encoded-word is measured and encoded in the same pass, into a
/// buffer on the stack, and then written at once. Makes exactly the words the generic path
/// ([`write_run_prefixed`]) makes; a property test holds the two to that.
pub(crate) fn write_run_slice(
    f: &mut Folder<'_, '_>,
    ws: &[u8],
    text: &[u8],
    ctx: Context,
    encoding: Encoding,
    glue: &[u8],
) -> Result<(), Error> {
    let safe = safe_class(ctx);
    let forced = forced(encoding);
    let spaced: [u8; 4];
    let glue = if ctx == Context::Phrase && !glue.is_empty() {
        spaced = spaced_glue(glue);
        &spaced[..=glue.len().min(3)]
    } else {
        glue
    };
    // With `Auto`, the bytes of the rest of the text that Q escapes: the encoding that is
    // the shorter for all of it is tried first (see `fit_auto`).
    let mut escapes = if forced.is_none() {
        count_q_escapes(text, safe)
    } else {
        0
    };
    let mut buf = [0u8; WORD_BUF];
    let mut rest = text;
    let mut ws = ws;
    while !rest.is_empty() {
        let ws_w = if f.at_start() {
            1
        } else {
            crate::fold::ws_width(ws)
        };
        let (here, fresh) = f.ew_room(ws_w);
        let mut fit = |room: usize| match forced {
            Some(enc) => fit_word(rest, enc, safe, room, glue.len(), &mut buf),
            None => fit_auto(rest, safe, room, glue.len(), escapes, &mut buf),
        };
        // Not even the first character fits here, in any encoding the word may take (the
        // encoder would take nothing): go straight to a fresh line.
        let first = match forced {
            Some(enc) => first_char_len(rest, enc, safe),
            None => first_char_len_any(rest, safe),
        };
        let mut word = if here >= OVERHEAD + first {
            fit(here)
        } else {
            (0, 0)
        };
        if word.0 == 0 {
            word = fit(fresh);
        }
        if word.0 == 0 {
            // Even a fresh line with this much leading white space is too short; the folder
            // leaves the excess white space on the previous line.
            word = fit(f.ew_room(1).1);
        }
        let (taken, len) = word;
        if taken == 0 {
            return Err(Error::LineTooLong);
        }
        let last = taken == rest.len();
        let width = len + if last { glue.len() } else { 0 };
        f.space(ws, Width::ascii(width), true)?;
        store_word(f.sink(), &buf, len);
        f.advance(Width::ascii(len));
        if last {
            f.put_ascii(glue);
        }
        if forced.is_none() && !last {
            escapes -= count_q_escapes(rest.get(..taken).unwrap_or_default(), safe);
        }
        rest = rest.get(taken..).unwrap_or_default();
        ws = b" ";
    }
    Ok(())
}

/// One encoded-word in `enc` holding as many whole characters from the start of `text` as
/// fit in `room`, built in `buf` ([`encode_word`]); when it would hold all of `text` (the
/// last word of a run), it must leave room for the `glue` (`glue_len` characters) after it
/// on the same line, and holds less if need be. Returns the bytes taken and the length.
#[inline]
fn fit_word(
    text: &[u8],
    enc: Enc,
    safe: u8,
    room: usize,
    glue_len: usize,
    buf: &mut [u8; WORD_BUF],
) -> (usize, usize) {
    let (taken, len) = encode_word(text, enc, safe, room, buf);
    if taken == text.len() && len + glue_len > room {
        encode_word(text, enc, safe, room.saturating_sub(glue_len), buf)
    } else {
        (taken, len)
    }
}

/// [`fit_word`] for `Auto`: each encoded-word chooses its own encoding (SPEC §4: "the
/// shorter for that word, Q on a tie"). Let tq be the bytes the Q word fitting the room
/// takes ([`fit_word`], the glue rule included) and tb those the B word takes. The word
/// holds the longer prefix, t = max(tq, tb), the most either encoding fits, in the encoding
/// shorter for those t bytes, Q on a tie (which fits too: it is no longer than the one that
/// took them). Without glue that is Q when tq > tb (B of that prefix does not fit, so Q is
/// the shorter there), B when tb > tq, and the shorter word when they are equal; the glue
/// rule can make one encoding take less than it fits as a word that is not the last, and
/// then the other's longer prefix may still be the shorter in the first. So every word is
/// the shorter encoding of what it holds, and holds the most either encoding fits.
///
/// `escapes` is the count of bytes of `text` that Q escapes: the encoding shorter for all of
/// `text` is tried first, and when its word takes all of `text` it is the answer (the other
/// takes at most as much, and is no shorter); else the other is tried too.
#[inline]
fn fit_auto(
    text: &[u8],
    safe: u8,
    room: usize,
    glue_len: usize,
    escapes: usize,
    buf: &mut [u8; WORD_BUF],
) -> (usize, usize) {
    // As choose_slice: Q while no longer than B.
    let first = if 2 * escapes + text.len() > b_len(text.len()) {
        Enc::B
    } else {
        Enc::Q
    };
    let (taken, len) = fit_word(text, first, safe, room, glue_len, buf);
    if taken == text.len() {
        return (taken, len);
    }
    // B (the shorter for all of `text`) did not take all of it: when Q of the bytes it took
    // passes the budget, the Q word holds fewer bytes (the glue rule can only make it fewer)
    // and those bytes are shorter in B, so B's word is the answer. One count of escapes
    // instead of a Q word and a count (a display name split over two lines, CJK or
    // Cyrillic text).
    if first == Enc::B {
        let budget = room.min(MAX_WORD).saturating_sub(OVERHEAD);
        if q_len_slice(text.get(..taken).unwrap_or_default(), safe) > budget {
            return (taken, len);
        }
    }
    let other = match first {
        Enc::Q => Enc::B,
        Enc::B => Enc::Q,
    };
    let mut other_buf = [0u8; WORD_BUF];
    let (o_taken, o_len) = fit_word(text, other, safe, room, glue_len, &mut other_buf);
    let t = taken.max(o_taken);
    let held = text.get(..t).unwrap_or_default();
    let enc = choose_slice(held, safe, Encoding::Auto);
    if (taken, first) == (t, enc) {
        (taken, len)
    } else if (o_taken, other) == (t, enc) {
        *buf = other_buf;
        (o_taken, o_len)
    } else {
        // The other encoding's prefix, shorter in this one: exactly those bytes (they fit).
        encode_word(held, enc, safe, MAX_WORD, buf)
    }
}

/// A run of text encoded as encoded-words by a caller that places the words itself (the
/// unstructured fast path, which writes straight into the output buffer), making the words
/// [`write_run_slice`] makes.
///
/// With `Auto` each word takes its own encoding ([`fit_auto`]); the run's encoding (the
/// shorter for all of the run, as [`choose_slice`] chooses) is the guess the caller's word
/// loop is compiled for, with no branch on the encoding inside. In a B run the caller asks
/// [`RunEncoder::keeps_b`], a check on escape counts it already has, before each word; in a
/// Q run [`RunEncoder::encode_q_checked`] makes the Q word and checks it against B's take.
/// When the run's encoding is not the word's, the word is made by
/// [`RunEncoder::encode_as`] in the other encoding, as [`fit_auto`] decides.
#[cfg(not(target_os = "none"))]
#[derive(Clone, Copy)]
pub(crate) struct RunEncoder {
    enc: Enc,
    safe: u8,
    /// Whether the option is `Auto` (each word chooses).
    auto: bool,
}

#[cfg(not(target_os = "none"))]
impl RunEncoder {
    /// The encoder for a run of `len` bytes of which `escapes` are bytes Q writes as `=XX`
    /// in the context `ctx` (counted by the caller): the choice [`choose_slice`] makes.
    #[inline(always)]
    pub(crate) fn with_escapes(
        len: usize,
        escapes: usize,
        ctx: Context,
        encoding: Encoding,
    ) -> Self {
        let enc = match encoding {
            Encoding::Q => Enc::Q,
            Encoding::B => Enc::B,
            // As choose_slice: Q while no longer than B. `escapes > (b_len(len) - len) / 2`
            // is `2 * escapes > b_len(len) - len` (both sides whole numbers).
            Encoding::Auto if 2 * escapes + len > b_len_small(len) => Enc::B,
            Encoding::Auto => Enc::Q,
        };
        RunEncoder {
            enc,
            safe: safe_class(ctx),
            auto: encoding == Encoding::Auto,
        }
    }

    /// The shortest encoded-word that may start a word of `rest` (not empty) on a line: with
    /// `Auto` the overhead and the first character in the encoding where it is the shorter
    /// ([`first_char_len_any`]: a word goes on the line when its first character fits there
    /// in either encoding), else [`RunEncoder::min_word_as`]. For the caller whose check
    /// against `min_word_as` failed (the line is nearly full): at every fold of a long run.
    #[inline(always)]
    pub(crate) fn min_word_any<const IS_B: bool>(&self, rest: &[u8]) -> usize {
        if IS_B {
            // In a B run only an ASCII first character is shorter in the other encoding (1
            // or 3 characters in Q against B's 4); for any other B is the shorter (4 or 8
            // against Q's 6 to 12), so this is `min_word_as`, which is known, without the
            // character's length in Q.
            let lead = rest.first().copied().unwrap_or(0);
            if self.auto && lead < 0x80 {
                debug_assert_eq!(
                    OVERHEAD + 1 + 2 * usize::from(!q_literal(lead, self.safe)),
                    OVERHEAD + first_char_len_any(rest, self.safe)
                );
                return OVERHEAD + 1 + 2 * usize::from(!q_literal(lead, self.safe));
            }
            debug_assert!(
                !self.auto
                    || self.min_word_as::<true>(rest)
                        == OVERHEAD + first_char_len_any(rest, self.safe)
            );
            return self.min_word_as::<true>(rest);
        }
        if self.auto {
            OVERHEAD + first_char_len_any(rest, self.safe)
        } else {
            self.min_word_as::<IS_B>(rest)
        }
    }

    /// The length of one B encoded-word holding all of `len` bytes: a run of a B encoder whose
    /// word this long fits the room on the line is that one word.
    #[inline(always)]
    pub(crate) fn whole_b_word_len(&self, len: usize) -> usize {
        OVERHEAD + b_len_small(len)
    }

    /// The bytes a B word sized to `room` takes from the rest of a run (`len` bytes, at the
    /// start of `tail`, which has at least two bytes more, as the fast path's padded copy
    /// has): [`b_take`].
    #[inline(always)]
    pub(crate) fn b_take(&self, len: usize, tail: &[u8], room: usize) -> usize {
        b_take_tail(len, tail, room.min(MAX_WORD).saturating_sub(OVERHEAD))
    }

    /// Whether the next word of a B run, sized to `room`, takes B as [`fit_auto`] decides
    /// (always, when the option forces the encoding). `len` is the length of the rest of the
    /// run, `tail` the text from its start on (at least two bytes past `len`, as the fast
    /// path's padded copy is), `tb` the bytes the B word takes ([`RunEncoder::b_take`],
    /// found once by the caller for this check and the word) and `escapes(t)` the count of
    /// bytes Q escapes among its first `t`. False means "not sure": the caller makes the word with
    /// [`RunEncoder::encode_as`] in Q.
    ///
    /// With b the length of the B word, and q the length of
    /// those bytes in Q: when q is over the budget, Q takes fewer bytes (B holds the longer
    /// prefix); when q is at most b, Q takes at least tb bytes and is no longer for them (Q);
    /// in between, Q takes more than tb bytes exactly when the next character fits too (Q
    /// of one more character within the budget), else the two hold the same bytes and B is
    /// the shorter. So the exact answer needs at most two escape counts.
    ///
    /// `literals` is the count of bytes Q writes as one character in the whole run (its
    /// length less its escapes): q is at least `3 * tb - 2 * literals`, which for a dense
    /// run (CJK, Cyrillic) already passes the budget, so the count `escapes` is asked only
    /// when that does not tell.
    #[inline(always)]
    pub(crate) fn keeps_b(
        &self,
        len: usize,
        tail: &[u8],
        room: usize,
        tb: usize,
        literals: usize,
        escapes: impl Fn(usize) -> usize,
    ) -> bool {
        debug_assert_eq!(tb, self.b_take(len, tail, room));
        self.keeps_b_within(len, tail, Self::budget(room), tb, literals, escapes)
    }

    /// The characters an encoded-word in `room` has for its text, after the overhead (and
    /// within 75): a caller that sizes many words to the same room finds it once for them.
    #[inline(always)]
    pub(crate) fn budget(room: usize) -> usize {
        room.min(MAX_WORD).saturating_sub(OVERHEAD)
    }

    /// [`RunEncoder::keeps_b`] with the room's [`RunEncoder::budget`], found by the caller.
    #[inline(always)]
    pub(crate) fn keeps_b_within(
        &self,
        len: usize,
        tail: &[u8],
        budget: usize,
        tb: usize,
        literals: usize,
        escapes: impl Fn(usize) -> usize,
    ) -> bool {
        debug_assert!(self.is_b());
        debug_assert_eq!(tb, b_take_tail(len, tail, budget));
        if !self.auto {
            return true;
        }
        // Signed: a run with many literals makes the bound negative.
        if (3 * tb) as isize - (2 * literals) as isize > budget as isize {
            return true;
        }
        let q = tb + 2 * escapes(tb);
        if q > budget {
            return true;
        }
        if q <= b_len_small(tb) {
            return false;
        }
        if tb >= len {
            return true;
        }
        // The character after the B word (tb < len is a character's first byte).
        let lead = tail.get(tb).copied().unwrap_or(0);
        let next = tb
            + 1
            + usize::from(lead >= 0xC0)
            + usize::from(lead >= 0xE0)
            + usize::from(lead >= 0xF0);
        next + 2 * escapes(next) > budget
    }

    /// The next word of a Q run, sized to `room`, as [`RunEncoder::encode`] makes it,
    /// stored at `out[at..]` only when it is the word [`fit_auto`] makes (always, when the
    /// option forces the encoding); `None`, nothing stored, when B is the answer: the caller
    /// makes the word with [`RunEncoder::encode_as`] in B.
    ///
    /// With tq the bytes the Q word takes and tb those a B word takes (arithmetic): Q holds
    /// the longer prefix when tq > tb (B of those bytes does not fit), B when tq < tb; when
    /// they are equal the shorter, Q on a tie. No escape count is needed.
    #[inline(always)]
    pub(crate) fn encode_q_checked(
        &self,
        rest: &[u8],
        tail: &[u8],
        room: usize,
        out: &mut [u8],
        at: usize,
    ) -> Option<(usize, usize)> {
        debug_assert!(!self.is_b());
        let mut buf = [0u8; WORD_BUF];
        let (taken, len) = encode_word(rest, Enc::Q, self.safe, room, &mut buf);
        if self.auto {
            let budget = room.min(MAX_WORD).saturating_sub(OVERHEAD);
            let tb = b_take_tail(rest.len(), tail, budget);
            let q_wins = taken > tb || (taken == tb && len - OVERHEAD <= b_len_small(tb));
            if !q_wins {
                return None;
            }
        }
        store_out(out, at, &buf, len);
        Some((taken, len))
    }

    /// Whether the run is B-encoded: a caller that loops over the words of a run asks once
    /// and takes the `IS_B` instances of [`RunEncoder::min_word_as`] and
    /// [`RunEncoder::encode_as`], so no branch on the encoding is left in its loop (one per
    /// word that changes from run to run mispredicts).
    #[inline(always)]
    pub(crate) fn is_b(&self) -> bool {
        self.enc == Enc::B
    }

    /// The shortest encoded-word that holds the start of `rest` (not empty): the overhead
    /// and its first character, for a run whose encoding is B when `IS_B` (as
    /// [`RunEncoder::is_b`] says), else Q.
    #[inline(always)]
    pub(crate) fn min_word_as<const IS_B: bool>(&self, rest: &[u8]) -> usize {
        debug_assert_eq!(IS_B, self.is_b());
        if IS_B {
            // `first_char_len` for B without the character's length: one quad, two for a
            // 4-byte character (lead byte 0xF0 and above).
            let four = rest.first().is_some_and(|&b| b >= 0xF0);
            return OVERHEAD + 4 + 4 * usize::from(four);
        }
        OVERHEAD + first_char_len(rest, Enc::Q, self.safe)
    }

    /// [`RunEncoder::encode`] in B when `AS_B`, else in Q, with the encoding known at compile
    /// time (no branch on it inside). A caller that loops over the words of a run takes the
    /// instance of the run's encoding (`AS_B` as [`RunEncoder::is_b`] says) for its words,
    /// and the other one for a word whose check ([`RunEncoder::keeps_b`] false, or
    /// [`RunEncoder::encode_q_checked`] `None`) found the other encoding is the word's. Then
    /// it is exactly the word [`fit_auto`] makes: in a B run Q takes at least B's bytes and
    /// is no longer for them (so it is Q's own word); in a Q run B takes more bytes than Q,
    /// or as many and is shorter (B's own word).
    #[inline(always)]
    pub(crate) fn encode_as<const AVX2: bool, const AS_B: bool>(
        &self,
        rest: &[u8],
        tail: &[u8],
        room: usize,
        out: &mut [u8],
        at: usize,
    ) -> (usize, usize) {
        let known = RunEncoder {
            enc: if AS_B { Enc::B } else { Enc::Q },
            ..*self
        };
        known.encode::<AVX2>(rest, tail, room, out, at)
    }

    /// Encodes one encoded-word holding as many whole characters from the start of `rest` as
    /// fit in `room` characters (and in 75), at `out[at..]`, written only when the whole word
    /// fits (past the buffer, the output is only counted). Returns the bytes of `rest` taken
    /// (0 when not even one character fits) and the length of the word. The word is built in
    /// a local buffer (the encoders store whole vectors past its last character) and then
    /// exactly its bytes are stored: nothing after the word is touched, so a field never
    /// writes past its own output.
    ///
    /// `tail` is the text from the start of `rest` on, past the run's end (at least `rest`):
    /// the B encoder reads whole vectors from it.
    ///
    /// `AVX2` says that the caller runs only on CPUs with AVX2 (the instance compiled for it):
    /// then the B encoder is taken without asking [`crate::cpu::avx2`] again.
    #[inline(always)]
    pub(crate) fn encode<const AVX2: bool>(
        &self,
        rest: &[u8],
        tail: &[u8],
        room: usize,
        out: &mut [u8],
        at: usize,
    ) -> (usize, usize) {
        let mut buf = [0u8; WORD_BUF];
        let (taken, len) = self.encode_into::<AVX2>(rest, tail, room, &mut buf);
        store_out(out, at, &buf, len);
        (taken, len)
    }

    /// [`RunEncoder::encode`] into `buf`: the AVX2 B encoder when it applies, else
    /// [`encode_word`].
    #[inline(always)]
    fn encode_into<const AVX2: bool>(
        &self,
        rest: &[u8],
        tail: &[u8],
        room: usize,
        buf: &mut [u8; WORD_BUF],
    ) -> (usize, usize) {
        #[cfg(target_arch = "x86_64")]
        if self.enc == Enc::B && (AVX2 || crate::cpu::avx2()) {
            let budget = room.min(MAX_WORD).saturating_sub(OVERHEAD);
            let take = b_take_padded(rest.len(), tail, budget);
            let (prefix, body) = buf.split_at_mut(OVERHEAD - 2);
            prefix.copy_from_slice(b"=?utf-8?b?");
            // SAFETY: the CPU supports AVX2 (checked just above).
            if let Some(n) = unsafe { simd::encode_b_word_avx2(tail, take, body) } {
                if let Some(end) = body.get_mut(n..n + 2) {
                    end.copy_from_slice(b"?=");
                }
                return (take, OVERHEAD + n);
            }
        }
        let _ = tail;
        encode_word(rest, self.enc, self.safe, room, buf)
    }
}

/// The Q encoded-word holding all of `text` in unstructured text, `n` characters long
/// (the overhead, and one character for each byte of `text` and two more for each byte Q
/// escapes: the caller knows that count), written straight at `out[at..at + n]` without a
/// local buffer; false, nothing written, when `out` lacks 80 bytes from `at`. The
/// table's whole-`u32` stores reach up to two bytes past the word: those are put back, so
/// nothing after the word changes.
#[cfg(not(target_os = "none"))]
#[inline(always)]
pub(crate) fn write_whole_q_word(text: &[u8], out: &mut [u8], at: usize, n: usize) -> bool {
    // The word's 75 characters at most and 5 more: with the clamps below (which change
    // nothing: every store lies inside the word and the two bytes after it) LLVM drops the
    // range checks of each byte's store.
    let Some(dst) = out
        .get_mut(at..)
        .and_then(|d| d.first_chunk_mut::<{ MAX_WORD + 5 }>())
    else {
        return false;
    };
    if !(OVERHEAD..=MAX_WORD).contains(&n) {
        return false;
    }
    let (s0, s1) = (dst[n], dst[n + 1]);
    if let Some(prefix) = dst.first_chunk_mut::<{ OVERHEAD - 2 }>() {
        *prefix = *b"=?utf-8?q?";
    }
    let mut o = OVERHEAD - 2;
    for &b in text {
        // One load gives the encoding (up to 3 characters, stored whole) and its length.
        let e = Q_TEXT_TABLE[b as usize];
        let at = o.min(MAX_WORD + 1);
        if let Some(d) = dst.get_mut(at..at + 4) {
            d.copy_from_slice(&e.to_le_bytes());
        }
        o += (e >> 24) as usize;
    }
    debug_assert_eq!(o + 2, n);
    let end = (n - 2).min(MAX_WORD + 1);
    if let Some(d) = dst.get_mut(end..end + 4) {
        d.copy_from_slice(&[b'?', b'=', s0, s1]);
    }
    true
}

/// Stores the word built in `buf` (`len` bytes) at `out[at..]` when all of it fits there,
/// and nothing else; past the buffer the output is only counted.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn store_out(out: &mut [u8], at: usize, buf: &[u8; WORD_BUF], len: usize) {
    let stored = match out.get_mut(at..) {
        Some(dst) => store_16s(dst, buf, len),
        _ => true,
    };
    if !stored {
        // Words are 16 bytes at the least (12 of overhead and a quad or four escapes'
        // worth); a shorter one would still be stored exactly.
        if let (Some(dst), Some(src)) = (out.get_mut(at..at + len), buf.get(..len)) {
            dst.copy_from_slice(src);
        }
    }
}

/// Stores the first `len` bytes of `word` (16 to 80) at the start of `dst` with five moves of
/// 16 bytes at fixed offsets clamped to `len - 16` (0, 16, 32, 48 and the last 16): they
/// cover the word exactly, whatever its length, without a branch on it (the length of
/// encoded-words varies from word to word, and a choice of moves by length mispredicts).
/// False, nothing stored, when `dst` is shorter than the word or the word is out of range.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn store_16s(dst: &mut [u8], word: &[u8; WORD_BUF], len: usize) -> bool {
    let Some(last) = len.checked_sub(16) else {
        return false;
    };
    if len > 80 || dst.len() < len {
        return false;
    }
    for at in [0, 16, 32, 48, 64] {
        let at = at.min(last);
        if let (Some(d), Some(s)) = (
            dst.get_mut(at..).and_then(|d| d.first_chunk_mut::<16>()),
            word.get(at..).and_then(|s| s.first_chunk::<16>()),
        ) {
            *d = *s;
        }
    }
    true
}

/// Writes the first `len` bytes of `word` (an encoded-word built by [`encode_word`]) to the
/// sink. Words are 13 to 75 bytes: past the sink's inline copy of up to 16 bytes, so on hosts
/// they are stored with two overlapping fixed-size moves when the buffer has room, instead
/// of a call into `memcpy` per word.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn store_word(sink: &mut crate::sink::SliceSink<'_>, word: &[u8; WORD_BUF], len: usize) {
    let spare = sink.spare();
    let stored =
        len > 16 && crate::sink::store_by_moves(spare, word.get(..len).unwrap_or_default());
    if stored {
        sink.commit(len);
    } else {
        sink.write(word.get(..len).unwrap_or_default());
    }
}

/// On bare metal: one plain write (a copy at every call site would cost flash).
#[cfg(target_os = "none")]
#[inline(always)]
fn store_word(sink: &mut crate::sink::SliceSink<'_>, word: &[u8; WORD_BUF], len: usize) {
    sink.write(word.get(..len).unwrap_or_default());
}

/// Size of the buffer an encoded-word is built in: the word (at most 75) plus slack for
/// the encoders' whole-vector and whole-`u32` stores past the last character.
const WORD_BUF: usize = MAX_WORD + 21;

/// Characters the first character of `text` (not empty) takes in the encoding `enc`: the
/// least an encoded-word holding any of `text` needs besides its 12 characters of overhead.
#[inline]
fn first_char_len(text: &[u8], enc: Enc, safe: u8) -> usize {
    let lead = text.first().copied().unwrap_or(0);
    // chars::utf8_len as arithmetic (its match would be a chain of branches, and a count of
    // leading ones branches on a zero count without LZCNT): 1, and one more from each of
    // 0xC0, 0xE0 and 0xF0 on.
    let n = 1 + usize::from(lead >= 0xC0) + usize::from(lead >= 0xE0) + usize::from(lead >= 0xF0);
    debug_assert_eq!(n, chars::utf8_len(lead));
    match enc {
        Enc::B => 4 + 4 * usize::from(n == 4),
        Enc::Q => {
            let ascii = 1 + 2 * usize::from(!q_literal(lead, safe));
            if n > 1 {
                3 * n
            } else {
                ascii
            }
        }
    }
}

/// [`first_char_len`] in the encoding where the first character of `text` is the shorter:
/// Q for an ASCII character (1 or 3 against B's 4), B for any other (4 or 8 against Q's 6
/// to 12). With `Auto` a word starts on a line when this fits there.
#[inline]
fn first_char_len_any(text: &[u8], safe: u8) -> usize {
    let ascii = text.first().is_some_and(|&b| b < 0x80);
    first_char_len(text, if ascii { Enc::Q } else { Enc::B }, safe)
}

/// Encodes into `buf` one encoded-word holding as many whole characters from the start of
/// `text` as fit in `room` characters (and in 75). Returns the bytes of text taken (0 when
/// not even one character fits) and the length of the word.
#[inline]
fn encode_word(
    text: &[u8],
    enc: Enc,
    safe: u8,
    room: usize,
    buf: &mut [u8; WORD_BUF],
) -> (usize, usize) {
    let budget = room.min(MAX_WORD).saturating_sub(OVERHEAD);
    let (prefix, body) = buf.split_at_mut(OVERHEAD - 2);
    let (taken, encoded) = match enc {
        Enc::Q => {
            prefix.copy_from_slice(b"=?utf-8?q?");
            encode_q(text, safe, budget, body)
        }
        Enc::B => {
            prefix.copy_from_slice(b"=?utf-8?b?");
            encode_b(text, budget, body)
        }
    };
    let end = OVERHEAD - 2 + encoded;
    if let Some(tail) = buf.get_mut(end..end + 2) {
        tail.copy_from_slice(b"?=");
    }
    (taken, end + 2)
}

/// Q-encodes whole characters of `text` while they fit in `budget` characters; returns the
/// bytes taken and written. `out` has room for `budget` characters and 3 more.
#[cfg(not(target_os = "none"))]
#[inline]
fn encode_q(text: &[u8], safe: u8, budget: usize, out: &mut [u8]) -> (usize, usize) {
    let table = if safe == Q_TEXT_SAFE {
        &Q_TEXT_TABLE
    } else {
        &Q_PHRASE_TABLE
    };
    let (mut i, mut o) = (0, 0);
    for &b in text {
        // One load gives the encoding (up to 3 characters, stored whole) and its length.
        let e = table[b as usize];
        let n = (e >> 24) as usize;
        if o + n > budget {
            break;
        }
        let Some(dst) = out.get_mut(o..o + 4) else {
            break;
        };
        dst.copy_from_slice(&e.to_le_bytes());
        o += n;
        i += 1;
    }
    // Stopped inside a character: give back its leading bytes (non-ASCII, so 3 characters
    // each), so the word holds whole characters only.
    while i > 0 && text.get(i).is_some_and(|&b| is_continuation(b)) {
        i -= 1;
        o -= 3;
    }
    (i, o)
}

/// [`encode_q`] on bare metal: a character at a time, without the 2 KiB of tables.
#[cfg(target_os = "none")]
#[inline]
fn encode_q(text: &[u8], safe: u8, budget: usize, out: &mut [u8]) -> (usize, usize) {
    let out = out.get_mut(..budget).unwrap_or_default();
    let (mut i, mut o) = (0, 0);
    while let Some(&b) = text.get(i) {
        if b < 0x80 {
            if q_literal(b, safe) {
                let Some(dst) = out.get_mut(o) else { break };
                *dst = if b == b' ' { b'_' } else { b };
                o += 1;
            } else {
                let Some(dst) = out.get_mut(o..o + 3) else {
                    break;
                };
                dst.copy_from_slice(&hex_escape(b));
                o += 3;
            }
            i += 1;
        } else {
            // Every byte of a non-ASCII character is escaped.
            let n = chars::utf8_len(b);
            let Some(src) = text.get(i..i + n) else {
                break;
            };
            let Some(dst) = out.get_mut(o..o + 3 * n) else {
                break;
            };
            for (d, &c) in dst.chunks_exact_mut(3).zip(src) {
                d.copy_from_slice(&hex_escape(c));
            }
            i += n;
            o += 3 * n;
        }
    }
    (i, o)
}

#[inline(always)]
fn is_continuation(b: u8) -> bool {
    (b as i8) < -0x40
}

#[inline(always)]
const fn hex_escape(b: u8) -> [u8; 3] {
    [b'=', HEX[(b >> 4) as usize], HEX[(b & 15) as usize]]
}

/// For each byte, its Q encoding in the low 3 bytes (little-endian) and the number of
/// characters in the top byte.
#[cfg(not(target_os = "none"))]
const fn q_table(phrase: bool) -> [u32; 256] {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = if b == b' ' {
            b'_' as u32 | 1 << 24
        } else if q_safe_const(b, phrase) {
            b as u32 | 1 << 24
        } else {
            let e = hex_escape(b);
            e[0] as u32 | (e[1] as u32) << 8 | (e[2] as u32) << 16 | 3 << 24
        };
        i += 1;
    }
    t
}

#[cfg(not(target_os = "none"))]
static Q_TEXT_TABLE: [u32; 256] = q_table(false);
#[cfg(not(target_os = "none"))]
static Q_PHRASE_TABLE: [u32; 256] = q_table(true);

/// [`chars::Q_TEXT_SAFE`] / [`chars::Q_PHRASE_SAFE`] as a `const fn`, for the tables (a test
/// holds the two to the same sets).
#[cfg(not(target_os = "none"))]
const fn q_safe_const(b: u8, phrase: bool) -> bool {
    if phrase {
        b.is_ascii_alphanumeric() || matches!(b, b'!' | b'*' | b'+' | b'-' | b'/')
    } else {
        matches!(b, 33..=126) && !matches!(b, b'=' | b'?' | b'_')
    }
}

/// B-encodes the longest run of whole characters of `text` whose encoding fits in `budget`
/// characters; returns the bytes taken and written. The length is arithmetic: 4 characters
/// per 3 bytes, cut back to a character boundary.
#[inline]
fn encode_b(text: &[u8], budget: usize, out: &mut [u8]) -> (usize, usize) {
    let take = b_take(text, budget);
    #[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
    if crate::cpu::avx2() {
        // SAFETY: the CPU supports AVX2 (checked just above).
        return (take, unsafe { simd::encode_b_avx2(text, take, out) });
    }
    (
        take,
        encode_b_portable(text.get(..take).unwrap_or_default(), out),
    )
}

/// The bytes of `text` whose B encoding fits in `budget` characters, whole characters only.
#[inline]
fn b_take(text: &[u8], budget: usize) -> usize {
    let take = text.len().min(budget / 4 * 3);
    // Back to the start of the character `text[take]` belongs to (none at the end): up to
    // three continuation bytes, counted without a loop, whose exit would mispredict. `take`
    // is a multiple of 3 or the whole text, so below the end it is at least 3, the window
    // of 3 bytes ending at `take` exists, and the count never passes `take` (`text` starts
    // with a whole character).
    let back = match text.get(take.wrapping_sub(2)..take + 1) {
        Some(&[b2, b1, b0]) => {
            let (c0, c1, c2) = (
                is_continuation(b0),
                is_continuation(b1),
                is_continuation(b2),
            );
            usize::from(c0) + usize::from(c0 & c1) + usize::from(c0 & c1 & c2)
        }
        _ => 0,
    };
    take.saturating_sub(back)
}

/// [`b_take`] for text read from `tail` (the `len` bytes of the text followed by at least
/// two more bytes, as the fast path's padded copy is): the three bytes around the cut are
/// read whatever the cut, and only counted when it falls inside the text, so no branch
/// depends on whether the word takes the rest of the text.
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
#[inline(always)]
fn b_take_padded(len: usize, tail: &[u8], budget: usize) -> usize {
    let take = len.min(budget / 4 * 3);
    let inside = take < len;
    // Below the end, `take` is a multiple of 3 and at least 3: the window is `take - 2..=take`.
    let at = take.saturating_sub(2);
    let back = match tail.get(at..at + 3) {
        Some(&[b2, b1, b0]) => {
            let c0 = inside & is_continuation(b0);
            let (c1, c2) = (c0 & is_continuation(b1), is_continuation(b2));
            usize::from(c0) + usize::from(c1) + usize::from(c1 & c2)
        }
        _ => 0,
    };
    take.saturating_sub(back)
}

/// [`b_take`] of the first `len` bytes of `tail`, which has at least two bytes more (the
/// fast path's padded copy): [`b_take_padded`] where it exists.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn b_take_tail(len: usize, tail: &[u8], budget: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        b_take_padded(len, tail, budget)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        b_take(tail.get(..len).unwrap_or_default(), budget)
    }
}

/// B-encodes all of `src` into `out`, a group of 3 bytes at a time; returns the characters
/// written.
fn encode_b_portable(src: &[u8], out: &mut [u8]) -> usize {
    let mut groups = src.chunks_exact(3);
    let mut o = 0;
    for (dst, g) in out.chunks_exact_mut(4).zip(groups.by_ref()) {
        dst.copy_from_slice(&b64_quad([g[0], g[1], g[2]], 3));
        o += 4;
    }
    let tail = groups.remainder();
    if !tail.is_empty() {
        let mut g = [0u8; 3];
        g[..tail.len()].copy_from_slice(tail);
        if let Some(dst) = out.get_mut(o..o + 4) {
            dst.copy_from_slice(&b64_quad(g, tail.len()));
            o += 4;
        }
    }
    o
}

/// [`write_run`] with the ASCII `prefix` parts glued before the first word, on its line (the
/// `name="` of a MIME parameter's RFC 2047 form). Generic so that the MIME parameter reader,
/// much larger than [`Text`], gets its own copy instead of growing `Text` (and the stack of
/// every caller).
pub(crate) fn write_run_prefixed<I: Iterator<Item = u8> + Clone>(
    f: &mut Folder<'_, '_>,
    ws: &[u8],
    prefix: &[&[u8]],
    text: I,
    ctx: Context,
    encoding: Encoding,
    glue: &[u8],
) -> Result<(), Error> {
    let mut prefix_len: usize = prefix.iter().map(|p| p.len()).sum();
    let forced = forced(encoding);
    let spaced: [u8; 4];
    let glue = if ctx == Context::Phrase && !glue.is_empty() {
        spaced = spaced_glue(glue);
        &spaced[..=glue.len().min(3)]
    } else {
        glue
    };
    let mut rest = text;
    let mut ws = ws;
    while rest.clone().next().is_some() {
        let ws_w = if f.at_start() {
            1
        } else {
            crate::fold::ws_width(ws)
        };
        let (here, fresh) = f.ew_room(ws_w + prefix_len);
        let fit_in = |enc: Enc, room: usize| {
            let chunk = measure(rest.clone(), enc, ctx, room);
            if chunk.last && chunk.encoded + OVERHEAD + glue.len() > room {
                // The glue must follow the last word on the same line: leave room for it.
                measure(rest.clone(), enc, ctx, room.saturating_sub(glue.len()))
            } else {
                chunk
            }
        };
        // With `Auto`, the word `fit_auto` makes: the longer take, in the encoding shorter
        // for it, Q on a tie.
        let fit = |room: usize| match forced {
            Some(enc) => (fit_in(enc, room), enc),
            None => {
                let (q, b) = (fit_in(Enc::Q, room), fit_in(Enc::B, room));
                let mut chunk = if b.bytes > q.bytes { b } else { q };
                let q_cost: usize = rest.clone().take(chunk.bytes).map(|c| q_len(c, ctx)).sum();
                let b_cost = b_len(chunk.bytes);
                if q_cost <= b_cost {
                    chunk.encoded = q_cost;
                    (chunk, Enc::Q)
                } else {
                    chunk.encoded = b_cost;
                    (chunk, Enc::B)
                }
            }
        };
        let mut chunk = fit(here);
        if chunk.0.chars == 0 {
            chunk = fit(fresh);
        }
        if chunk.0.chars == 0 {
            // Even a fresh line with this much leading white space is too short; the folder
            // leaves the excess white space on the previous line.
            chunk = fit(f.ew_room(1 + prefix_len).1);
        }
        let (chunk, enc) = chunk;
        if chunk.chars == 0 {
            return Err(Error::LineTooLong);
        }
        let last = chunk.last;
        let width = prefix_len + chunk.encoded + OVERHEAD + if last { glue.len() } else { 0 };
        f.space(ws, Width::ascii(width), true)?;
        if prefix_len > 0 {
            for part in prefix {
                f.put_ascii(part);
            }
            prefix_len = 0;
        }
        write_word(f, &mut rest, chunk.bytes, enc, ctx);
        if last {
            f.put_ascii(glue);
        }
        ws = b" ";
    }
    Ok(())
}

/// `glue` (at most 3 bytes) with a space before it.
fn spaced_glue(glue: &[u8]) -> [u8; 4] {
    let mut out = [b' '; 4];
    for (dst, &b) in out[1..].iter_mut().zip(glue) {
        *dst = b;
    }
    out
}

struct Chunk {
    /// Characters of text taken.
    chars: usize,
    /// Bytes of text taken.
    bytes: usize,
    /// Length of the encoded text.
    encoded: usize,
    /// Whether the chunk takes the rest of the text.
    last: bool,
}

/// How much of `text` fits in one encoded-word of at most `room` characters (and at most 75),
/// whole characters only.
fn measure<I: Iterator<Item = u8>>(mut text: I, enc: Enc, ctx: Context, room: usize) -> Chunk {
    let budget = room.min(MAX_WORD).saturating_sub(OVERHEAD);
    let mut taken = Chunk {
        chars: 0,
        bytes: 0,
        encoded: 0,
        last: false,
    };
    let mut q = 0;
    loop {
        let Some(lead) = text.next() else {
            taken.last = true;
            return taken;
        };
        let n = chars::utf8_len(lead);
        let mut cost = q_len(lead, ctx);
        for _ in 1..n {
            // A &str never ends inside a character; the fallback only keeps this total.
            let cont = text.next().unwrap_or(0x80);
            cost += q_len(cont, ctx);
        }
        let new_encoded = match enc {
            Enc::Q => q + cost,
            Enc::B => b_len(taken.bytes + n),
        };
        if new_encoded > budget {
            return taken;
        }
        q += cost;
        taken.chars += 1;
        taken.bytes += n;
        taken.encoded = new_encoded;
    }
}

/// Writes one encoded-word holding the next `bytes` bytes of `text`.
fn write_word<I: Iterator<Item = u8>>(
    f: &mut Folder<'_, '_>,
    text: &mut I,
    bytes: usize,
    enc: Enc,
    ctx: Context,
) {
    let safe = match ctx {
        Context::Text => Q_TEXT_SAFE,
        Context::Phrase | Context::Quoted => Q_PHRASE_SAFE,
    };
    let sink = f.sink();
    let mut written = OVERHEAD;
    match enc {
        Enc::Q => {
            sink.write(b"=?utf-8?q?");
            for b in text.by_ref().take(bytes) {
                if b == b' ' {
                    sink.byte(b'_');
                    written += 1;
                } else if chars::is(b, safe) {
                    sink.byte(b);
                    written += 1;
                } else {
                    sink.write(&[b'=', HEX[(b >> 4) as usize], HEX[(b & 15) as usize]]);
                    written += 3;
                }
            }
        }
        Enc::B => {
            sink.write(b"=?utf-8?b?");
            let mut group = [0u8; 3];
            let mut n = 0;
            for b in text.by_ref().take(bytes) {
                group[n] = b;
                n += 1;
                if n == 3 {
                    sink.write(&b64_quad(group, 3));
                    written += 4;
                    n = 0;
                }
            }
            if n > 0 {
                group[n..].fill(0);
                sink.write(&b64_quad(group, n));
                written += 4;
            }
        }
    }
    sink.write(b"?=");
    f.advance(Width::ascii(written));
}

#[inline]
fn b64_quad(g: [u8; 3], n: usize) -> [u8; 4] {
    let v = (u32::from(g[0]) << 16) | (u32::from(g[1]) << 8) | u32::from(g[2]);
    let c = |shift: u32| B64[((v >> shift) & 63) as usize];
    [
        c(18),
        c(12),
        if n > 1 { c(6) } else { b'=' },
        if n > 2 { c(0) } else { b'=' },
    ]
}

/// The bytes of the text to encode: one concrete type, so the encoder exists once in the
/// binary (firmware flash matters more than the cost of a match per byte).
#[derive(Clone)]
pub(crate) enum Text<'a> {
    /// A slice without the CR and LF of caller folds.
    Unfolded(Unfolded<'a>),
    /// The literal text of a text-form phrase.
    Phrase(TextPhrase<'a>),
}

impl Iterator for Text<'_> {
    type Item = u8;

    #[inline]
    fn next(&mut self) -> Option<u8> {
        match self {
            Text::Unfolded(u) => u.next(),
            Text::Phrase(p) => p.next(),
        }
    }
}

impl<'a> Text<'a> {
    /// The bytes of `bytes` without caller folds.
    pub(crate) fn unfolded(bytes: &'a [u8]) -> Self {
        Text::Unfolded(Unfolded::new(bytes))
    }
}

/// Yields a slice's bytes without the CR and LF of caller folds.
#[derive(Clone)]
pub(crate) struct Unfolded<'a> {
    inner: core::slice::Iter<'a, u8>,
}

impl<'a> Unfolded<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Unfolded {
            inner: bytes.iter(),
        }
    }
}

impl Iterator for Unfolded<'_> {
    type Item = u8;

    #[inline]
    fn next(&mut self) -> Option<u8> {
        loop {
            let b = *self.inner.next()?;
            if b != b'\r' && b != b'\n' {
                return Some(b);
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::fold::Folder;
    use crate::sink::SliceSink;
    use crate::Options;
    use std::vec::Vec;

    /// The samples the fast encoders are held to the byte-wise ones on: every character
    /// length, text that starts mid-way through the sample, and all of Q's special bytes.
    fn samples() -> Vec<Vec<u8>> {
        let base = "aé日😀 =?_\tZ€ж\u{85}\u{2028}x".repeat(8);
        let bytes = base.as_bytes();
        let mut out = Vec::new();
        let mut start = 0;
        while start < 40 {
            for len in [
                0, 1, 2, 3, 5, 11, 12, 13, 16, 24, 45, 47, 48, 51, 52, 53, 80, 200,
            ] {
                if let Some(t) = bytes.get(start..start + len) {
                    if core::str::from_utf8(t).is_ok() {
                        out.push(t.to_vec());
                    }
                }
            }
            start += 1;
        }
        out
    }

    #[test]
    fn b_take_matches_the_loop() {
        for t in samples() {
            for budget in 0..90 {
                let mut want = t.len().min(budget / 4 * 3);
                if want < t.len() {
                    while want > 0 && is_continuation(t[want]) {
                        want -= 1;
                    }
                }
                assert_eq!(b_take(&t, budget), want, "{t:?} {budget}");
            }
        }
    }

    /// The padded form reads the bytes after the text (here every byte value, continuation
    /// bytes included) and must not count them.
    #[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
    #[test]
    fn b_take_padded_matches_b_take() {
        for t in samples() {
            for after in [0u8, b' ', 0x80, 0xBF, 0xE6] {
                let mut tail = t.clone();
                tail.extend_from_slice(&[after; 3]);
                for budget in 0..90 {
                    assert_eq!(
                        b_take_padded(t.len(), &tail, budget),
                        b_take(&t, budget),
                        "{t:?} {budget} {after}"
                    );
                }
            }
        }
    }

    #[test]
    fn first_char_len_matches_utf8_len() {
        for b in 0..=255u8 {
            let n = chars::utf8_len(b);
            let text = [b, 0x80, 0x80, 0x80];
            let q = if n > 1 {
                3 * n
            } else if q_literal(b, Q_TEXT_SAFE) {
                1
            } else {
                3
            };
            assert_eq!(first_char_len(&text, Enc::Q, Q_TEXT_SAFE), q, "{b}");
            assert_eq!(first_char_len(&text, Enc::B, Q_TEXT_SAFE), b_len(n), "{b}");
        }
    }

    #[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
    #[test]
    fn word_b_encoder_matches_the_portable_one() {
        if !crate::test_util::avx2_or_skip() {
            return;
        }
        for t in samples() {
            for take in 0..=t.len().min(simd::B_WORD_BYTES) {
                let mut want = [0u8; 80];
                let n = encode_b_portable(&t[..take], &mut want);
                for out_len in [64, 70, 86] {
                    let mut got = std::vec![0xEEu8; out_len];
                    // SAFETY: the CPU supports AVX2 (checked above).
                    let m = unsafe { simd::encode_b_word_avx2(&t, take, &mut got) };
                    assert_eq!(m, Some(n), "{t:?} {take}");
                    assert_eq!(&got[..n], &want[..n], "{t:?} {take}");
                }
                // Out of range: nothing written.
                let mut small = [0u8; 63];
                // SAFETY: as above.
                assert_eq!(
                    unsafe { simd::encode_b_word_avx2(&t, take, &mut small) },
                    None
                );
            }
        }
    }

    /// The direct B word (straight into the output, the bytes after it saved and written
    /// back) against [`encode_word`]: the same take and the same word, for `text` (the rest
    /// of a run) followed by `after` (white space or the zeros of the padded copy), every room
    /// from nothing to more than a word, and every position in the buffer; no byte outside the
    /// word changes, and a buffer without [`simd::DIRECT_ROOM`] bytes is left alone.
    #[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
    fn check_direct_b(text: &[u8], after: u8) {
        if !crate::test_util::avx2_or_skip() {
            return;
        }
        let mut tail = text.to_vec();
        tail.push(after);
        tail.resize(text.len().max(64) + 64, 0);
        // SAFETY: the CPU supports AVX2 (checked above).
        let k = unsafe { simd::BWordConsts::new() };
        // Every room up to a whole line and past it, and the ends of the table of rooms.
        for room in (0..=80).chain([127, 128, 200, usize::MAX]) {
            let mut want = [0u8; WORD_BUF];
            let (taken, len) = encode_word(text, Enc::B, Q_TEXT_SAFE, room, &mut want);
            for (at, extra) in [(0, 0), (3, 0), (0, 1), (5, 40), (0, 200)] {
                let size = at + simd::DIRECT_ROOM + extra;
                let canary: Vec<u8> = (0..size).map(|i| (i * 7 + 1) as u8).collect();
                let mut out = canary.clone();
                // SAFETY: as above.
                let got = unsafe {
                    simd::encode_b_word_direct_avx2(&tail, text.len(), room, &mut out, at, &k)
                };
                if taken == 0 {
                    assert_eq!(got.map(|g| g.0), Some(0), "{text:?} {room}");
                    continue;
                }
                assert_eq!(got, Some((taken, len)), "{text:?} room {room}");
                assert_eq!(&out[at..at + len], &want[..len], "{text:?} room {room}");
                assert_eq!(&out[..at], &canary[..at]);
                assert_eq!(
                    &out[at + len..],
                    &canary[at + len..],
                    "{text:?} room {room}"
                );
            }
            // Too little room after `at`: nothing written, the caller takes the exact path.
            let mut small = std::vec![0xA5u8; simd::DIRECT_ROOM + 2];
            // SAFETY: as above.
            let got = unsafe {
                simd::encode_b_word_direct_avx2(&tail, text.len(), room, &mut small, 3, &k)
            };
            assert_eq!(got, None);
            assert!(small.iter().all(|&b| b == 0xA5));
        }
    }

    /// `write_whole_q_word` writes the word `encode_word` makes of a whole text in Q, at
    /// every offset, and changes no byte before or after it (its table stores pass the
    /// word's end); with less than 80 bytes from `at`, or a length that is no word, it
    /// writes nothing.
    #[test]
    fn whole_q_word_matches_encode_word() {
        for t in samples() {
            let mut want = [0u8; WORD_BUF];
            let (taken, len) = encode_word(&t, Enc::Q, Q_TEXT_SAFE, MAX_WORD, &mut want);
            if t.is_empty() || taken < t.len() {
                continue;
            }
            let escapes = count_q_escapes(&t, Q_TEXT_SAFE);
            assert_eq!(len, OVERHEAD + t.len() + 2 * escapes, "{t:?}");
            for (at, size) in [(0, 80), (3, 83), (0, 81), (5, 200)] {
                let canary: Vec<u8> = (0..size).map(|i| (i * 7 + 1) as u8).collect();
                let mut out = canary.clone();
                assert!(write_whole_q_word(&t, &mut out, at, len), "{t:?}");
                assert_eq!(&out[at..at + len], &want[..len], "{t:?} at {at}");
                assert_eq!(&out[..at], &canary[..at]);
                assert_eq!(&out[at + len..], &canary[at + len..], "{t:?} at {at}");
            }
            let mut small = std::vec![0xA5u8; 82];
            assert!(!write_whole_q_word(&t, &mut small, 3, len));
            assert!(!write_whole_q_word(&t, &mut small, 0, MAX_WORD + 1));
            assert!(small.iter().all(|&b| b == 0xA5));
        }
    }

    /// The run encoder's choice in 32-bit arithmetic is `choose_slice`'s: for every length a
    /// fast-path value can have (and past it) and every count of escapes.
    #[test]
    fn run_encoder_chooses_as_choose_slice() {
        for len in 0..1200usize {
            assert_eq!(b_len_small(len), b_len(len), "{len}");
            for escapes in 0..=len {
                let q = escapes <= (b_len(len) - len) / 2;
                let got = RunEncoder::with_escapes(len, escapes, Context::Text, Encoding::Auto);
                assert_eq!(got.is_b(), !q, "{len} {escapes}");
            }
        }
        for len in [
            u32::MAX as usize - 3,
            u32::MAX as usize,
            isize::MAX as usize,
        ] {
            assert_eq!(b_len_small(len), b_len(len), "{len}");
        }
    }

    #[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
    #[test]
    fn direct_b_word_matches_encode_word() {
        for t in samples() {
            if t.is_empty() || t.first().is_some_and(|&b| b == b' ' || b == b'\t') {
                continue;
            }
            for after in [b' ', b'\t', 0] {
                check_direct_b(&t, after);
            }
        }
        // 4-byte characters across the 45-byte cut and the 48-byte mask.
        for lead in 0..4 {
            let t = ["a".repeat(lead), "😀".repeat(20)].concat();
            check_direct_b(t.as_bytes(), 0);
        }
    }

    #[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        /// As `direct_b_word_matches_encode_word`, on any mix of character lengths.
        #[test]
        fn direct_b_word_matches_encode_word_on_any_text(
            text in "[a-z é€😀日ж\u{85}=?_]{1,60}",
            after in proptest::sample::select(std::vec![b' ', b'\t', 0u8]),
        ) {
            check_direct_b(text.as_bytes(), after);
        }
    }

    /// Runs one encoder after `Name:` and, when `lead` is given, an ASCII token, so the
    /// encoded-words start at every kind of column.
    fn run(
        slice_path: bool,
        text: &str,
        ctx: Context,
        encoding: Encoding,
        (name_len, lead, width, ws, glue): (usize, Option<usize>, usize, &[u8], &[u8]),
    ) -> Result<Vec<u8>, Error> {
        let options = Options::default().with_max_line_len(width);
        let name = "X".repeat(name_len);
        let mut buf = std::vec![0u8; 1 << 16];
        let mut sink = SliceSink::new(&mut buf);
        let mut f = Folder::start(&mut sink, &name, &options)?;
        if let Some(n) = lead {
            let token = "a".repeat(n);
            f.space(b" ", Width::ascii(n), false)?;
            f.put_ascii(token.as_bytes());
        }
        if slice_path {
            write_run_slice(&mut f, ws, text.as_bytes(), ctx, encoding, glue)?;
        } else {
            let it = Unfolded::new(text.as_bytes());
            write_run_prefixed(&mut f, ws, &[], it, ctx, encoding, glue)?;
        }
        f.end();
        let n = sink.finish()?;
        buf.truncate(n);
        Ok(buf)
    }

    /// Runs that B holds in more than one word, where Q of the first word's bytes passes the
    /// budget (Cyrillic, CJK: B's word is the answer without a Q word) or only nearly (mostly
    /// ASCII with a few escapes: the Q word is made and compared), after every column, with
    /// and without glue: the slice path makes the generic path's words.
    #[test]
    fn split_b_runs_match_the_generic_path() {
        let texts = [
            "Мария Иванова Петровна".into(),
            "山田 太郎 王小明 山田 太郎".into(),
            "Łukasz Żółć Łukasz Żółć".into(),
            "ab=cd?ef_gh=ij?kl_mn=op?qr_st=uv?wx_yz=ab?cd_ef=gh?ij_kl=mn".into(),
            "é=a?é_b=é?c_é=d?é_e=é?f_é=g?é_h=é?i_é=j?é_k=é?l".into(),
            "ж".repeat(60),
        ];
        for text in &texts {
            for lead in 0..80 {
                for ctx in [Context::Text, Context::Phrase] {
                    for glue in ["", ","] {
                        let shape = (
                            7,
                            Some(lead).filter(|&n| n > 0),
                            78,
                            &b" "[..],
                            glue.as_bytes(),
                        );
                        assert_eq!(
                            run(true, text, ctx, Encoding::Auto, shape),
                            run(false, text, ctx, Encoding::Auto, shape),
                            "{text:?} {lead} {ctx:?} {glue:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn q_tables_match_the_character_classes() {
        for b in 0u8..=255 {
            assert_eq!(q_safe_const(b, false), chars::is(b, Q_TEXT_SAFE), "{b}");
            assert_eq!(q_safe_const(b, true), chars::is(b, Q_PHRASE_SAFE), "{b}");
            for (table, safe) in [
                (&Q_TEXT_TABLE, Q_TEXT_SAFE),
                (&Q_PHRASE_TABLE, Q_PHRASE_SAFE),
            ] {
                let e = table[b as usize].to_le_bytes();
                let n = usize::from(e[3]);
                assert_eq!(
                    n,
                    q_len(
                        b,
                        if safe == Q_TEXT_SAFE {
                            Context::Text
                        } else {
                            Context::Phrase
                        }
                    )
                );
                let expect: Vec<u8> = if b == b' ' {
                    std::vec![b'_']
                } else if n == 1 {
                    std::vec![b]
                } else {
                    hex_escape(b).to_vec()
                };
                assert_eq!(&e[..n], &expect[..], "{b}");
            }
        }
    }

    /// Every byte value, at every length and offset around the 16-byte blocks.
    fn all_byte_texts() -> Vec<Vec<u8>> {
        let all: Vec<u8> = (0u8..=255).rev().chain(0u8..=255).collect();
        let mut out = Vec::new();
        for len in 0..70 {
            for start in (0..all.len() - len).step_by(7) {
                out.push(all[start..start + len].to_vec());
            }
        }
        out
    }

    #[test]
    fn escape_count_matches_portable_count() {
        // Long texts too: the SIMD count sums its lane counters every 255 blocks.
        let long: Vec<u8> = (0..9000u32).map(|i| (i * 7 % 251) as u8).collect();
        let texts = all_byte_texts().into_iter().chain([
            long[..4080].to_vec(),
            long[..4096].to_vec(),
            long.clone(),
        ]);
        for text in texts {
            for phrase in [false, true] {
                let expect = count_q_escapes_portable(&text, phrase);
                assert_eq!(
                    count_q_escapes(&text, if phrase { Q_PHRASE_SAFE } else { Q_TEXT_SAFE }),
                    expect
                );
                #[cfg(target_arch = "x86_64")]
                // SAFETY: SSE2 is part of the x86_64 baseline.
                assert_eq!(unsafe { simd::count_q_escapes_sse2(&text, phrase) }, expect);
            }
        }
    }

    /// The AVX2 B encoder against the portable one, for every length taken out of every
    /// text length (bytes past `take` must not leak into the result).
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx2_b_encoder_matches_portable_encoder() {
        if !crate::test_util::avx2_or_skip() {
            return;
        }
        for text in all_byte_texts() {
            for take in 0..=text.len().min(48) {
                let mut expect = [0u8; WORD_BUF];
                let n = encode_b_portable(&text[..take], &mut expect);
                let mut got = [0u8; WORD_BUF];
                // SAFETY: AVX2 was detected above.
                let m = unsafe { simd::encode_b_avx2(&text, take, &mut got) };
                assert_eq!(m, n, "{text:?} {take}");
                assert_eq!(&got[..m], &expect[..n], "{text:?} {take}");
            }
        }
    }

    /// `store_word` writes exactly the word's bytes (nothing around them) when they fit,
    /// and counts them otherwise, for every length, offset and buffer size.
    #[test]
    fn store_word_writes_exactly_the_word() {
        let mut word = [0u8; WORD_BUF];
        for (i, b) in word.iter_mut().enumerate() {
            *b = b'A' + (i % 26) as u8;
        }
        for len in 0..=WORD_BUF {
            for at in [0usize, 1, 7, 16] {
                for size in 0..=at + len + 3 {
                    let mut buf = std::vec![b'#'; size];
                    let mut sink = crate::sink::SliceSink::new(&mut buf);
                    sink.write(&std::vec![b'-'; at]);
                    store_word(&mut sink, &word, len);
                    let result = sink.finish();
                    if at + len <= size {
                        assert_eq!(result, Ok(at + len), "{len} {at} {size}");
                        assert_eq!(&buf[at..at + len], &word[..len], "{len} {at} {size}");
                        assert!(
                            buf[at + len..].iter().all(|&b| b == b'#'),
                            "{len} {at} {size}"
                        );
                    } else {
                        let needed = at + len;
                        assert_eq!(result, Err(Error::BufferTooSmall { needed }));
                    }
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// The slice encoder is the generic encoder made fast: same words, same folds, same
        /// errors, for every context, encoding, column, limit, white space and glue.
        #[test]
        fn slice_path_matches_generic_path(
            text in "[a-z =?_\t!*+/,.\"é€😀\u{85}\u{2028}日本]{1,200}",
            ctx in proptest::sample::select(std::vec![Context::Text, Context::Phrase, Context::Quoted]),
            encoding in proptest::sample::select(std::vec![Encoding::Auto, Encoding::Q, Encoding::B]),
            name_len in 1usize..90,
            lead in proptest::option::of(0usize..100),
            width in 20usize..=200,
            ws in proptest::sample::select(std::vec![" ", "\t", "  ", " \t    "]),
            glue in proptest::sample::select(std::vec!["", ",", ":", ":;,", "\";"]),
        ) {
            let lead = lead.filter(|&n| n > 0);
            let shape = (name_len, lead, width, ws.as_bytes(), glue.as_bytes());
            proptest::prop_assert_eq!(
                run(true, &text, ctx, encoding, shape),
                run(false, &text, ctx, encoding, shape)
            );
            let it = Unfolded::new(text.as_bytes());
            let chunk = measure(it.clone(), choose(it, ctx, encoding), ctx, MAX_WORD);
            let generic = chunk.last.then_some(chunk.encoded + OVERHEAD);
            let fast = single_word_len_slice(text.as_bytes(), ctx, encoding);
            proptest::prop_assert_eq!(generic, fast);
        }
    }

    /// The encoded-words of `out` (a field, `Auto`, in context `ctx`) that are not the
    /// shorter encoding of what they hold (Q on a tie): found and decoded in the output.
    pub(crate) fn auto_misfits(out: &str, ctx: Context) -> Vec<std::string::String> {
        let mut bad = Vec::new();
        let mut from = 0;
        while let Some(i) = out[from..].find("=?utf-8?") {
            let start = from + i;
            let Some(end) = out[start + 10..].find("?=").map(|e| start + 10 + e + 2) else {
                break;
            };
            let word = &out[start..end];
            let ok = crate::test_util::decode_word(word).is_some_and(|d| {
                let q: usize = d.bytes().map(|b| q_len(b, ctx)).sum();
                let b = b_len(d.len());
                if word.as_bytes()[8] == b'q' {
                    q <= b
                } else {
                    b < q
                }
            });
            if !ok {
                bad.push(word.into());
            }
            from = end;
        }
        bad
    }

    /// Checks the encoded-words of `out` (one run written by `run` with `Auto`, `glue` after
    /// it, at the limit `width`) against SPEC §4's rule for `Auto`: each word is the shorter
    /// encoding of what it holds, Q on a tie; holds the longest prefix of the rest of the run
    /// that either encoding fits in the room where the word stands (the last word leaving
    /// room for the glue); and starts a fresh line only when no word holding its first
    /// character fits on the line before, in either encoding. The words are found and decoded
    /// in the output, independently of the encoder.
    fn check_auto_words(
        out: &[u8],
        ctx: Context,
        width: usize,
        glue: &[u8],
    ) -> Result<(), std::string::String> {
        use std::format;
        use std::string::{String, ToString};
        let out = core::str::from_utf8(out).map_err(|e| e.to_string())?;
        let limit = width.min(76);
        let glue_len = if ctx == Context::Phrase && !glue.is_empty() {
            glue.len().min(3) + 1
        } else {
            glue.len()
        };
        // (line, start column, q?, decoded bytes) of every word, and each line's length.
        let mut words: Vec<(usize, usize, bool, Vec<u8>)> = Vec::new();
        let lines: Vec<&str> = out.split("\r\n").collect();
        for (li, line) in lines.iter().enumerate() {
            let mut from = 0;
            while let Some(i) = line[from..].find("=?utf-8?") {
                let start = from + i;
                let end = line[start + 10..]
                    .find("?=")
                    .map(|e| start + 10 + e + 2)
                    .ok_or("unterminated word")?;
                let word = &line[start..end];
                let decoded: String = crate::test_util::decode_word(word).ok_or("bad word")?;
                let q = word.as_bytes()[8] == b'q';
                words.push((li, start, q, decoded.into_bytes()));
                from = end;
            }
        }
        let q_cost = |t: &[u8]| t.iter().map(|&b| q_len(b, ctx)).sum::<usize>();
        let len_in = |q: bool, t: &[u8]| if q { q_cost(t) } else { b_len(t.len()) };
        for (i, (li, col, q, w)) in words.iter().enumerate() {
            let ctx_msg = || format!("word {i} of {out:?}");
            if w.is_empty() {
                return Err(format!("empty {}", ctx_msg()));
            }
            // The shorter for what it holds, Q on a tie.
            let (ql, bl) = (q_cost(w), b_len(w.len()));
            if (*q && ql > bl) || (!*q && bl >= ql) {
                return Err(format!("not the shorter (q {ql}, b {bl}): {}", ctx_msg()));
            }
            // The longest prefix: with the next character of the run, neither fits (as the
            // encoder sizes a word that would hold the rest of the run: within the room
            // less the glue when all of the rest fits the room but not with the glue).
            let room = limit - col;
            if let Some((_, _, _, next)) = words.get(i + 1) {
                let rest: Vec<u8> = words[i..].iter().flat_map(|w| w.3.clone()).collect();
                let n = chars::utf8_len(next[0]);
                let mut p = w.clone();
                p.extend_from_slice(&next[..n]);
                for enc_q in [true, false] {
                    let fits =
                        |t: &[u8], room: usize| OVERHEAD + len_in(enc_q, t) <= room.min(MAX_WORD);
                    let glued = fits(&rest, room) && !fits(&rest, room.saturating_sub(glue_len));
                    let room = if glued { room - glue_len } else { room };
                    if fits(&p, room) {
                        return Err(format!("a longer word fits (q {enc_q}): {}", ctx_msg()));
                    }
                }
            }
            // A fresh line only when the first character fits on the line before in
            // neither encoding (not asked of the last word when a glue follows it).
            if i > 0 && *li > words[i - 1].0 && !(i + 1 == words.len() && glue_len > 0) {
                let here = limit.saturating_sub(lines[li - 1].len() + 1);
                let n = chars::utf8_len(w[0]);
                let first = len_in(true, &w[..n]).min(len_in(false, &w[..n]));
                if OVERHEAD + first <= here {
                    return Err(format!("folded though it fits: {}", ctx_msg()));
                }
            }
        }
        Ok(())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1500))]
        /// With `Auto`, each encoded-word of a run takes its own encoding (SPEC §4): for runs
        /// of mixed density (ASCII stretches between dense ones, ASCII-heavy tails, 4-byte
        /// characters, combining marks), in every context, at every column and limit, on
        /// both the slice path and the byte path.
        #[test]
        fn auto_words_are_each_the_shorter(
            parts in proptest::collection::vec(proptest::prop_oneof![
                3 => "[a-z]{1,30}",
                2 => "[a-z =?_!]{1,12}",
                2 => "[жé日]{1,12}",
                1 => "[😀🎉]{1,4}",
                1 => "(e\u{301}){1,4}",
                1 => "[a-zé]{1,20}",
            ], 1..8),
            ctx in proptest::sample::select(std::vec![Context::Text, Context::Phrase, Context::Quoted]),
            name_len in 1usize..70,
            lead in proptest::option::of(0usize..60),
            width in 30usize..=120,
            glue in proptest::sample::select(std::vec!["", ",", "\";"]),
        ) {
            let text: std::string::String = parts.concat();
            let text = text.trim_start_matches(' ');
            proptest::prop_assume!(!text.is_empty());
            let lead = lead.filter(|&n| n > 0);
            let shape = (name_len, lead, width, &b" "[..], glue.as_bytes());
            for slice_path in [true, false] {
                if let Ok(out) = run(slice_path, text, ctx, Encoding::Auto, shape) {
                    let checked = check_auto_words(&out, ctx, width, glue.as_bytes());
                    proptest::prop_assert!(checked.is_ok(), "{}", checked.unwrap_err());
                }
            }
        }
    }

    /// The examples of per-run choices a checker found: a lone `y` after a dense stretch
    /// (B `eQ==`, longer than Q `y`), and a mixed-density chunk shorter in Q.
    #[test]
    fn auto_words_in_known_cases() {
        for (text, width) in [
            ("日本語のテキストはとても長くなることがあります y", 78),
            ("жжжжжжжжжжжжжжжжжжжжжжжжжжжжжжbbaaxyazébyaxbabbyyzéyyb", 78),
            (
                "bbaaxyazébyaxbabbyyzéyybжжжжжжжжжжжжжжжжжжжжжжжжжжжжжжжж",
                40,
            ),
        ] {
            for slice_path in [true, false] {
                let out = run(
                    slice_path,
                    text,
                    Context::Text,
                    Encoding::Auto,
                    (7, None, width, b" ", b""),
                )
                .unwrap();
                check_auto_words(&out, Context::Text, width, b"").unwrap();
            }
        }
    }
}
