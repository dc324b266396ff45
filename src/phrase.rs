//! Phrases (RFC 5322 §3.2.5): display names, group names, Keywords, the List-Id description.
//!
//! A phrase has a literal text (what a reader should see) and is written in the first form
//! that carries it exactly: plain atoms separated by single spaces; else a quoted-string with
//! `"` and `\` escaped; else, when it holds non-ASCII (with `utf8` off), a line separator,
//! Unicode white space other than SP and HTAB (with `utf8` on too: see
//! `chars::unicode_space_len`) or `=?`, RFC 2047 encoded-words restricted to the phrase-safe
//! set (RFC 2047 §5(3)).

use crate::chars::{self, ATEXT, QTEXT};
use crate::encoded_word::{self, Context, Text};
use crate::fold::{Folder, Width};
use crate::input::{self, is_space};
use crate::{Error, Options};

/// Where a phrase's literal text comes from.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Source<'a> {
    /// Text taken literally (a structured display name); only caller folds are removed.
    Literal(&'a [u8]),
    /// A phrase in RFC 5322 text form that [`check_text_phrase`] accepted: quoted-strings
    /// are unquoted and white space between words becomes one space.
    Text(&'a [u8]),
}

impl<'a> Source<'a> {
    fn literal(self) -> Text<'a> {
        match self {
            Source::Literal(b) => Text::unfolded(b),
            Source::Text(b) => Text::Phrase(TextPhrase {
                raw: b,
                pos: 0,
                quoted: false,
            }),
        }
    }
}

/// Iterates the literal text of a trimmed, valid text-form phrase.
#[derive(Clone)]
pub(crate) struct TextPhrase<'a> {
    raw: &'a [u8],
    pos: usize,
    quoted: bool,
}

impl Iterator for TextPhrase<'_> {
    type Item = u8;

    fn next(&mut self) -> Option<u8> {
        loop {
            let b = *self.raw.get(self.pos)?;
            self.pos += 1;
            if self.quoted {
                match b {
                    b'"' => self.quoted = false,
                    b'\\' => {
                        // A caller's fold right after the backslash: its break goes, and its
                        // white space is the quoted character (SPEC §3).
                        let mut escaped = *self.raw.get(self.pos)?;
                        if escaped == b'\r' || escaped == b'\n' {
                            self.pos += input::fold_break_len(self.raw, self.pos);
                            escaped = *self.raw.get(self.pos)?;
                        }
                        self.pos += 1;
                        return Some(escaped);
                    }
                    b'\r' | b'\n' => {}
                    _ => return Some(b),
                }
            } else if b == b'"' {
                self.quoted = true;
            } else if is_space(b) {
                while self.raw.get(self.pos).is_some_and(|&c| is_space(c)) {
                    self.pos += 1;
                }
                return Some(b' ');
            } else {
                return Some(b);
            }
        }
    }
}

/// Checks a text-form phrase: words that are atoms (with `.`, as RFC 5322's obs-phrase allows
/// and people write in "John Q. Public") or quoted-strings, UTF-8 allowed. Returns the offset
/// of the first byte that does not belong.
pub(crate) fn check_text_phrase(raw: &[u8]) -> Result<(), usize> {
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if b == b'"' {
            i += 1;
            loop {
                match raw.get(i) {
                    None => return Err(raw.len()),
                    Some(b'"') => break,
                    Some(b'\\') => match raw.get(i + 1) {
                        Some(&c) if c != b'\r' && c != b'\n' => i += 1,
                        // A caller's fold right after the backslash (SPEC §3: the break
                        // goes): the white space after it is the quoted character.
                        Some(_) => match input::fold_break_len(raw, i + 1) {
                            0 => return Err(i),
                            n => i += 1 + n,
                        },
                        None => return Err(i),
                    },
                    Some(&c) if c >= 0x80 || chars::is(c, QTEXT) || is_space(c) => {}
                    Some(_) => return Err(i),
                }
                i += 1;
            }
        } else if !(b >= 0x80 || b == b'.' || chars::is(b, ATEXT) || is_space(b)) {
            return Err(i);
        }
        i += 1;
    }
    Ok(())
}

/// How a phrase will be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    /// Atoms separated by single spaces: the literal text as it is, of this width.
    Atoms(Width),
    /// A quoted-string of this width (quotes and escapes included).
    Quoted(Width),
    Encoded,
}

/// A phrase with its form chosen, ready to be measured and written.
pub(crate) struct Plan<'a> {
    text: Text<'a>,
    /// The literal text as one slice, when it is one (the common case): then it is written
    /// in runs instead of byte by byte.
    slice: Option<&'a [u8]>,
    form: Form,
}

/// Chooses how to write the phrase from `src`.
pub(crate) fn plan<'a>(src: Source<'a>, options: &Options) -> Plan<'a> {
    // The literal text is most often a slice of the input: a literal name without caller
    // folds, a text-form phrase of atoms and single spaces, or one quoted-string without
    // escapes. The form is chosen on that slice in one pass, which gives up on the bytes
    // that would make the literal text differ from it.
    #[cfg(not(target_os = "none"))]
    if let Source::Literal(b) = src {
        if let Some(form) = literal_form_window(b, options) {
            return Plan {
                text: src.literal(),
                slice: Some(b),
                form,
            };
        }
    }
    plan_slices(src, options)
}

/// [`plan`] of `Source::Literal(b)`, inline where it is called: a caller that looks at the
/// form right away ([`Plan::ascii_unit`]) then branches on it without the plan being built
/// and passed back. The same plan as [`plan`].
#[cfg(not(target_os = "none"))]
#[inline(always)]
pub(crate) fn plan_literal<'a>(b: &'a [u8], options: &Options) -> Plan<'a> {
    match literal_form_window(b, options) {
        Some(form) => Plan {
            text: Source::Literal(b).literal(),
            slice: Some(b),
            form,
        },
        None => plan_slices(Source::Literal(b), options),
    }
}

/// [`plan_literal`]; with `AVX2`, for a caller compiled for AVX2: a name of up to 32 bytes
/// goes to [`literal_form_short_avx2`] with no run-time check, and that inlines there.
///
/// # Safety
/// With `AVX2`, the CPU must support AVX2 ([`crate::cpu::avx2`]).
#[cfg(not(target_os = "none"))]
#[inline(always)]
pub(crate) unsafe fn plan_literal_k<'a, const AVX2: bool>(
    b: &'a [u8],
    options: &Options,
) -> Plan<'a> {
    #[cfg(target_arch = "x86_64")]
    if AVX2 {
        let form = if (1..=32).contains(&b.len()) {
            // SAFETY: the caller's contract; `b` is 1 to 32 bytes.
            unsafe { literal_form_short_avx2(b, options.utf8) }
        } else {
            literal_form_long(b, options)
        };
        return match form {
            Some(form) => Plan {
                text: Source::Literal(b).literal(),
                slice: Some(b),
                form,
            },
            None => plan_slices(Source::Literal(b), options),
        };
    }
    plan_literal(b, options)
}

/// [`plan`] after (or without) [`literal_form_window`]: a slice planned in one pass, else
/// the byte loop.
#[cfg_attr(not(target_os = "none"), inline(never))]
fn plan_slices<'a>(src: Source<'a>, options: &Options) -> Plan<'a> {
    let text = src.literal();
    let (slice, mode) = match src {
        Source::Literal(b) => (b, SliceMode::Literal),
        Source::Text([b'"', inner @ .., b'"']) => (inner, SliceMode::Quoted),
        Source::Text(raw) => (raw, SliceMode::Atoms),
    };
    match choose_form_slice(slice, mode, options) {
        Some(form) => Plan {
            text,
            slice: Some(slice),
            form,
        },
        None => {
            let form = choose_form(text.clone(), options);
            Plan {
                text,
                slice: None,
                form,
            }
        }
    }
}

/// The form of a text-form phrase whose bytes the caller has already read (an address
/// list's one-pass element reader), so that [`plan_known`] needs no pass of its own.
#[cfg(not(target_os = "none"))]
#[derive(Clone, Copy, Debug)]
pub(crate) enum Known {
    /// ASCII atext words separated by single spaces.
    Atoms,
    /// Holds non-ASCII (with `utf8` off), no quotes, tabs or runs of white space.
    Encoded,
    /// One quoted-string of printable ASCII, SP and HTAB without quoted-pairs or `=`;
    /// `atoms` when its inside is atext words separated by single spaces.
    Quoted { atoms: bool },
}

/// [`plan`] of `Source::Text(raw)` for a phrase the caller has read and classified: the
/// same plan (a property test holds the two together), without another pass.
#[cfg(not(target_os = "none"))]
#[inline]
pub(crate) fn plan_known(raw: &[u8], known: Known) -> Plan<'_> {
    let text = Source::Text(raw).literal();
    let (slice, form) = match known {
        Known::Atoms => (raw, Form::Atoms(Width::ascii(raw.len()))),
        Known::Encoded => (raw, Form::Encoded),
        Known::Quoted { atoms } => {
            let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default();
            let w = Width::ascii(inner.len());
            let form = if atoms {
                Form::Atoms(w)
            } else {
                Form::Quoted(w.plus(Width::ascii(2)))
            };
            (inner, form)
        }
    };
    Plan {
        text,
        slice: Some(slice),
        form,
    }
}

/// What a slice holds, for [`choose_form_slice`]: which bytes mean that the literal text
/// is not the slice as it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SliceMode {
    /// Literal text: only the CR/LF of caller folds are dropped.
    Literal,
    /// The inside of a quoted-string: also escapes and quotes.
    Quoted,
    /// A text-form phrase outside quotes: also quotes and runs of white space.
    Atoms,
}

/// [`plan`] on the byte-by-byte path only: the reference the slice path is tested against.
#[cfg(test)]
fn plan_generic<'a>(src: Source<'a>, options: &Options) -> Plan<'a> {
    let text = src.literal();
    let form = choose_form(text.clone(), options);
    Plan {
        text,
        slice: None,
        form,
    }
}

fn choose_form(lit: Text<'_>, options: &Options) -> Form {
    let mut atoms = true;
    let mut width = Width::default();
    let mut escapes = 0;
    let (mut p2, mut p1) = (0u8, b' ');
    let mut empty = true;
    for b in lit {
        empty = false;
        if b >= 0x80 {
            if !options.utf8 {
                return Form::Encoded;
            }
            if chars::ends_encoded_only_char(p2, p1, b) {
                return Form::Encoded;
            }
        } else if p1 == b'=' && b == b'?' {
            return Form::Encoded;
        }
        if b == b' ' {
            atoms &= p1 != b' ';
        } else if !(chars::is(b, ATEXT) || b >= 0x80) {
            atoms = false;
        }
        if b == b'"' || b == b'\\' {
            escapes += 1;
        }
        width.bytes += 1;
        if (b as i8) >= -0x40 {
            width.chars += 1;
        }
        p2 = p1;
        p1 = b;
    }
    // p1 starts as a space so that a leading space already fails the atom test.
    if atoms && !empty && p1 != b' ' {
        Form::Atoms(width)
    } else {
        Form::Quoted(width.plus(Width::ascii(2 + escapes)))
    }
}

/// Byte classes for [`choose_form_slice`]: atext other than `=` (nothing to note, the bulk of
/// every name), and the bytes that need a closer look.
mod form_class {
    pub(super) const PLAIN: u8 = 0;
    pub(super) const SPACE: u8 = 1;
    /// `=`, which may start an `=?`.
    pub(super) const EQ: u8 = 2;
    pub(super) const HIGH: u8 = 3;
    /// Other ASCII: specials, HTAB, controls.
    pub(super) const OTHER: u8 = 4;

    pub(super) static TABLE: [u8; 256] = {
        let mut t = [OTHER; 256];
        let mut i = 0;
        while i < 256 {
            let b = i as u8;
            t[i] = if b >= 0x80 {
                HIGH
            } else if b == b' ' {
                SPACE
            } else if b == b'=' {
                EQ
            } else if super::is_atext(b) {
                PLAIN
            } else {
                OTHER
            };
            i += 1;
        }
        t
    };
}

/// RFC 5322 `atext`, for building byte tables at compile time (tested against
/// `chars::ATEXT`, the run-time table).
pub(crate) const fn is_atext(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#'..=b'\'' | b'*' | b'+' | b'-' | b'/' | b'=' | b'?'
        )
        || matches!(b, b'^'..=b'`' | b'{'..=b'~')
}

/// [`choose_form`] for the literal text `lit`, when it is the slice as it is (see
/// [`SliceMode`]); `None` when it is not. Skips the plain atext that most of a name is, and
/// looks at pairs (`  `, `=?`) forwards, so the loop carries no previous byte.
fn choose_form_slice(lit: &[u8], mode: SliceMode, options: &Options) -> Option<Form> {
    use form_class as k;
    let mut atoms = !lit.is_empty() && lit.first() != Some(&b' ') && lit.last() != Some(&b' ');
    // Continuation bytes: the text is `lit.len() - continuations` characters.
    let (mut escapes, mut non_ascii, mut continuations) = (0, false, 0);
    // Only encoded-words can carry the text; the rest of the pass still looks for bytes that
    // make the literal text differ from the slice.
    let mut encoded = false;
    let mut i = 0;
    while let Some(&b) = lit.get(i) {
        let class = k::TABLE[b as usize];
        i += 1;
        if class == k::PLAIN {
            continue;
        }
        // `i` is now the index of the next byte.
        match class {
            k::SPACE => {
                if lit.get(i) == Some(&b' ') {
                    if mode == SliceMode::Atoms {
                        return None;
                    }
                    atoms = false;
                }
            }
            k::EQ => encoded |= lit.get(i) == Some(&b'?'),
            k::HIGH => {
                non_ascii = true;
                continuations += usize::from(b < 0xC0);
                encoded |= !options.utf8
                    || (matches!(b, 0xC2 | 0xE1..=0xE3)
                        && chars::encoded_only_char_len(lit, i - 1).is_some());
            }
            _ => {
                let gives_up = match b {
                    // Caller folds (CR/LF) change the literal text; other controls are an
                    // error the caller reports from its slow path (see `Plan::is_slice`).
                    c if chars::is(c, chars::CTL) => true,
                    b'"' | b'\\' => mode != SliceMode::Literal,
                    b'\t' => mode == SliceMode::Atoms,
                    _ => false,
                };
                if gives_up {
                    return None;
                }
                atoms = false;
                escapes += usize::from(b == b'"' || b == b'\\');
            }
        }
    }
    let width = if non_ascii {
        Width {
            chars: lit.len() - continuations,
            bytes: lit.len(),
        }
    } else {
        Width::ascii(lit.len())
    };
    Some(if encoded {
        Form::Encoded
    } else if atoms {
        Form::Atoms(width)
    } else {
        Form::Quoted(width.plus(Width::ascii(2 + escapes)))
    })
}

/// [`choose_form_slice`] of a literal text (a structured display name) of up to 64 bytes
/// without controls, HTAB, `\` or `=`, from one classification of its bytes
/// ([`crate::address::window`]) instead of a loop over them: the same form (a property test
/// holds them together). `None` for anything else, and for non-ASCII with `utf8` on (line
/// separators must be found), which the byte loop then plans.
///
/// Inline: a name of up to 32 bytes (most) goes from the caller straight to
/// [`literal_form_short_avx2`]; out of line, this function only saved and restored four
/// registers around a jump there (21 instructions per name).
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn literal_form_window(lit: &[u8], options: &Options) -> Option<Form> {
    #[cfg(target_arch = "x86_64")]
    if (1..=32).contains(&lit.len()) && crate::cpu::avx2() {
        // SAFETY: the CPU supports AVX2 (checked just above); `lit` is 1 to 32 bytes.
        return unsafe { literal_form_short_avx2(lit, options.utf8) };
    }
    literal_form_long(lit, options)
}

/// [`literal_form_window`] of any other name: from its window, up to 64 bytes.
#[cfg(not(target_os = "none"))]
#[inline(never)]
fn literal_form_long(lit: &[u8], options: &Options) -> Option<Form> {
    use crate::address::window;
    if lit.is_empty() || lit.len() > 64 {
        return None;
    }
    literal_form_of_window(&window::window(lit, 0), lit.len(), options)
}

/// [`literal_form_window`]'s verdict from the window of the whole name (`n` bytes).
#[cfg(not(target_os = "none"))]
#[inline]
fn literal_form_of_window(
    w: &crate::address::window::Win,
    n: usize,
    options: &Options,
) -> Option<Form> {
    use crate::address::window;
    if w.hard != 0 {
        return None;
    }
    if w.high != 0 {
        return (!options.utf8).then_some(Form::Encoded);
    }
    let last = w.len - 1;
    let atoms = w.valid() & !(w.plain() | w.space) == 0
        && !window::has(w.space, 0)
        && !window::has(w.space, last)
        && w.space & (w.space >> 1) == 0;
    let width = Width::ascii(n);
    Some(if atoms {
        Form::Atoms(width)
    } else {
        Form::Quoted(width.plus(Width::ascii(2 + w.quote.count_ones() as usize)))
    })
}

/// [`literal_form_window`] of a name of 1 to 32 bytes (most display names), with AVX2: the
/// name's first and last 16 bytes (overlapping when it is shorter than 32; under 16 bytes,
/// its bytes padded) in one vector, classified once, and the verdicts taken from the masks
/// of that vector as they stand instead of first assembling a window of the name: whether
/// any byte is hard or non-ASCII, or not atext and not a space, does not depend on where
/// it stands or on a byte being seen twice; a space first or last, two spaces in a row and
/// the count of quotes are read where each half holds them. The same verdict as
/// [`literal_form_of_window`] (a test holds them together). Inline where an AVX2 caller
/// takes it ([`plan_literal_k`]); a call from the others.
///
/// # Safety
/// The CPU must support AVX2 ([`crate::cpu::avx2`]); `lit` must be 1 to 32 bytes (else
/// `None`).
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
unsafe fn literal_form_short_avx2(lit: &[u8], utf8: bool) -> Option<Form> {
    use crate::address::window::x86::{head_tail16, masks_v, pad16};
    use core::arch::x86_64::*;
    let n = lit.len();
    // The vector's two halves, and the bits of it that are bytes of the name: both halves
    // whole from 16 bytes on (the last 16 at bits 16..32), else the padded low half.
    let (v, valid) = match head_tail16(lit) {
        Some(v) => (v, u64::from(u32::MAX)),
        None if (1..16).contains(&n) => {
            let pad = pad16(lit);
            // SAFETY: `pad` is 16 readable bytes; no alignment requirement.
            let lo = unsafe { _mm_loadu_si128(pad.as_ptr().cast::<__m128i>()) };
            (_mm256_set_m128i(lo, lo), (1u64 << n) - 1)
        }
        _ => return None,
    };
    if n > 32 {
        return None;
    }
    let [space, quote, _, _, high, hard, np] = masks_v::<true>(v);
    let high = high & valid;
    if hard & valid & !high != 0 {
        return None;
    }
    if high != 0 {
        return (!utf8).then_some(Form::Encoded);
    }
    let space = space & valid;
    // The name's last byte: bit 31 (the last of the high half) or, under 16 bytes, `n - 1`.
    let last = if n >= 16 { 31 } else { n - 1 };
    // Bits 15 and 16 are bytes 15 and `n - 16` of the name: neighbours only when it has 32
    // bytes (every other pair of neighbours is inside one half).
    let seam = if n == 32 { 0 } else { 1u64 << 15 };
    let atoms = np & valid & !space == 0
        && space & 1 == 0
        && space >> last & 1 == 0
        && space & (space >> 1) & !seam == 0;
    // Quotes of the low half, and of the high half only those past the low half's bytes
    // (tail bits from `48 - n` on; none under 16 bytes, where `valid` has no high bits).
    let tail_only = u64::MAX.checked_shl((48 - n.max(16)) as u32).unwrap_or(0);
    let quotes = (quote & valid & 0xFFFF).count_ones() + (quote & valid & tail_only).count_ones();
    let width = Width::ascii(n);
    Some(if atoms {
        Form::Atoms(width)
    } else {
        Form::Quoted(width.plus(Width::ascii(2 + quotes as usize)))
    })
}

/// The byte-by-byte version [`choose_form_slice`] replaced: its definition in the tests.
#[cfg(test)]
fn choose_form_slice_ref(lit: &[u8], mode: SliceMode, options: &Options) -> Option<Form> {
    let mut atoms = !lit.is_empty() && lit.first() != Some(&b' ') && lit.last() != Some(&b' ');
    let (mut escapes, mut non_ascii, mut chars) = (0, false, 0);
    let mut prev = 0u8;
    // Only encoded-words can carry the text; the rest of the pass still looks for bytes that
    // make the literal text differ from the slice.
    let mut encoded = false;
    for (i, &b) in lit.iter().enumerate() {
        if b >= 0x80 {
            encoded |= !options.utf8 || chars::encoded_only_char_len(lit, i).is_some();
            non_ascii = true;
            chars += usize::from((b as i8) >= -0x40);
        } else {
            chars += 1;
            if b == b' ' {
                if prev == b' ' && mode == SliceMode::Atoms {
                    return None;
                }
                atoms &= prev != b' ';
            } else if !chars::is(b, ATEXT) {
                let gives_up = match b {
                    // Caller folds (CR/LF) change the literal text; other controls are an
                    // error the caller reports from its slow path (see `Plan::is_slice`).
                    c if chars::is(c, chars::CTL) => true,
                    b'"' | b'\\' => mode != SliceMode::Literal,
                    b'\t' => mode == SliceMode::Atoms,
                    _ => false,
                };
                if gives_up {
                    return None;
                }
                atoms = false;
                escapes += usize::from(b == b'"' || b == b'\\');
            } else if b == b'?' && prev == b'=' {
                encoded = true;
            }
        }
        prev = b;
    }
    let width = if non_ascii {
        Width {
            chars,
            bytes: lit.len(),
        }
    } else {
        Width::ascii(lit.len())
    };
    Some(if encoded {
        Form::Encoded
    } else if atoms {
        Form::Atoms(width)
    } else {
        Form::Quoted(width.plus(Width::ascii(2 + escapes)))
    })
}

impl Plan<'_> {
    /// What decides the output: the form and the slice (the tests compare plans by these).
    #[cfg(test)]
    pub(crate) fn parts(&self) -> (std::string::String, Option<&[u8]>) {
        (std::format!("{:?}", self.form), self.slice)
    }

    /// True when the literal text is the source slice as it is. A literal source then holds
    /// no control character at all (CR/LF or other), so the caller's control check can be
    /// skipped: [`choose_form_slice`] gives up on every control.
    #[inline]
    pub(crate) fn is_slice(&self) -> bool {
        self.slice.is_some()
    }

    /// Writes the phrase after `ws` as the start of a unit that reads best on one line: the
    /// phrase and then `tail` columns the caller writes after it with [`Folder::put`] (a
    /// mailbox's ` <addr>,`). When the unit fits on the current line, or does not but fits on
    /// a fresh one (where [`Folder::keep_together`] moves it), every fit check of the general
    /// path ([`write_planned`], then the tail's) passes, so one check and the bytes write the
    /// same. Only atoms and quoted-strings that are one slice take this path; returns false,
    /// having written nothing, for anything else.
    #[cfg(not(target_os = "none"))]
    #[inline]
    pub(crate) fn write_unit(
        &self,
        f: &mut Folder<'_, '_>,
        ws: &[u8],
        tail: Width,
    ) -> Result<bool, Error> {
        let Some(lit) = self.slice else {
            return Ok(false);
        };
        let (Form::Atoms(width) | Form::Quoted(width)) = self.form else {
            return Ok(false);
        };
        let whole = width.plus(tail);
        let fits = |room: Width| whole.chars <= room.chars && whole.bytes <= room.bytes;
        let (here, fresh) = f.room(crate::fold::ws_width(ws));
        if !fits(here) {
            // Right after the name the general path has its own rule for the first token.
            if f.at_start() || !fits(fresh) {
                return Ok(false);
            }
            // The fold [`Folder::keep_together`] makes here. Made without it, the white space
            // that follows takes the inline case of [`Folder::space`] (the unit fits the
            // fresh line, and nothing else differs) instead of its general path.
            f.newline();
        }
        f.space(ws, whole, false)?;
        let sink = f.sink();
        match self.form {
            // Without escapes (the width is the text and the quotes): the text as it is.
            Form::Quoted(w) if w.bytes == lit.len() + 2 => {
                sink.byte(b'"');
                sink.write(lit);
                sink.byte(b'"');
            }
            Form::Quoted(_) => {
                sink.byte(b'"');
                write_escaped(sink, lit);
                sink.byte(b'"');
            }
            // Atoms: words separated by single spaces, the slice as it is.
            _ => sink.write(lit),
        }
        f.advance(width);
        Ok(true)
    }

    /// The phrase as plain ASCII written as it stands, when it is one: its bytes, and
    /// whether they go between quotes (a quoted-string without escapes); atoms or that
    /// quoted-string of ASCII only (its width is its octets).
    #[cfg(not(target_os = "none"))]
    #[inline(always)]
    pub(crate) fn ascii_unit(&self) -> Option<(&[u8], bool)> {
        let lit = self.slice?;
        match self.form {
            Form::Atoms(w) if w.chars == lit.len() && w.bytes == lit.len() => Some((lit, false)),
            Form::Quoted(w) if w.chars == lit.len() + 2 && w.bytes == lit.len() + 2 => {
                Some((lit, true))
            }
            _ => None,
        }
    }

    /// The literal text of a phrase planned as encoded-words, when it is one slice: for a
    /// caller that writes a short one as a single word itself.
    #[cfg(not(target_os = "none"))]
    #[inline]
    pub(crate) fn encoded_slice(&self) -> Option<&[u8]> {
        match (self.form, self.slice) {
            (Form::Encoded, Some(lit)) => Some(lit),
            _ => None,
        }
    }

    /// True when the phrase is written as encoded-words (RFC 2047), so a line holding it is
    /// kept to 76 characters.
    #[inline]
    pub(crate) fn is_encoded(&self) -> bool {
        matches!(self.form, Form::Encoded)
    }

    /// The width of the phrase written on one line, if it can be (atoms, a quoted-string, or
    /// a single encoded-word).
    pub(crate) fn one_line_width(&self, options: &Options) -> Option<Width> {
        match self.form {
            Form::Quoted(w) | Form::Atoms(w) => Some(w),
            Form::Encoded => match self.slice {
                Some(lit) => {
                    encoded_word::single_word_len_slice(lit, Context::Phrase, options.encoding)
                }
                None => encoded_word::single_word_len(
                    self.text.clone(),
                    Context::Phrase,
                    options.encoding,
                ),
            }
            .map(Width::ascii),
        }
    }
}

/// Writes a phrase, the first token preceded by `ws`, the last followed by `glue`.
pub(crate) fn write(
    f: &mut Folder<'_, '_>,
    ws: &[u8],
    src: Source<'_>,
    options: &Options,
    glue: &[u8],
) -> Result<(), Error> {
    write_planned(f, ws, plan(src, options), options, glue)
}

/// Writes a planned phrase, the first token preceded by `ws`, the last followed by `glue`.
pub(crate) fn write_planned(
    f: &mut Folder<'_, '_>,
    ws: &[u8],
    plan: Plan<'_>,
    options: &Options,
    glue: &[u8],
) -> Result<(), Error> {
    let glue_w = Width::ascii(glue.len());
    // A word (or a whole quoted-string) that cannot fit on a line of its own, after the fold's
    // space and with the glue, is carried as encoded-words instead, as unstructured text
    // carries such a token (SPEC §4): the line limit, not the phrase, is what fails then.
    let form = match plan.form {
        Form::Atoms(w) | Form::Quoted(w) if too_long_for_a_line(&plan, w, glue_w) => Form::Encoded,
        form => form,
    };
    match (form, plan.slice) {
        (Form::Encoded, Some(lit)) => {
            encoded_word::write_run_slice(f, ws, lit, Context::Phrase, options.encoding, glue)
        }
        (Form::Encoded, None) => {
            encoded_word::write_run(f, ws, plan.text, Context::Phrase, options.encoding, glue)
        }
        (Form::Quoted(width), slice) => {
            f.space(ws, width.plus(glue_w), false)?;
            let sink = f.sink();
            sink.byte(b'"');
            match slice {
                Some(lit) => write_escaped(sink, lit),
                None => {
                    for b in plan.text {
                        if b == b'"' || b == b'\\' {
                            sink.byte(b'\\');
                        }
                        sink.byte(b);
                    }
                }
            }
            sink.byte(b'"');
            f.advance(width);
            f.put_ascii(glue);
            Ok(())
        }
        (Form::Atoms(_), Some(lit)) => {
            // Atoms separated by single spaces; each space is a fold point.
            let mut words = lit.split(|&b| b == b' ').peekable();
            let mut ws = ws;
            while let Some(word) = words.next() {
                let w = if options.utf8 {
                    Width::of(word)
                } else {
                    Width::ascii(word.len())
                };
                let last = words.peek().is_none();
                f.space(ws, if last { w.plus(glue_w) } else { w }, false)?;
                f.put(word, w);
                ws = b" ";
            }
            f.put_ascii(glue);
            Ok(())
        }
        (Form::Atoms(_), None) => {
            let mut lit = plan.text;
            let mut ws = ws;
            loop {
                let mut probe = lit.clone();
                let mut w = Width::default();
                let mut last = true;
                for b in probe.by_ref() {
                    if b == b' ' {
                        last = false;
                        break;
                    }
                    w.bytes += 1;
                    if (b as i8) >= -0x40 {
                        w.chars += 1;
                    }
                }
                f.space(ws, if last { w.plus(glue_w) } else { w }, false)?;
                let sink = f.sink();
                for b in lit.by_ref().take(w.bytes) {
                    sink.byte(b);
                }
                f.advance(w);
                if last {
                    f.put_ascii(glue);
                    return Ok(());
                }
                lit.next();
                ws = b" ";
            }
        }
    }
}

/// Whether a token of `plan` (an atom, or the whole quoted-string; `whole` is the width of
/// all of them) is longer than a line of 998 octets can hold after a fold's space, with the
/// glue when it is the last. The words are measured only when the whole phrase could be.
fn too_long_for_a_line(plan: &Plan<'_>, whole: Width, glue: Width) -> bool {
    use crate::options::HARD_LINE_LIMIT;
    if whole.bytes + glue.bytes < HARD_LINE_LIMIT {
        return false;
    }
    match plan.form {
        Form::Quoted(_) => true,
        _ => {
            // Words before the last need `1 + word <= 998`; the last one carries the glue.
            let (mut word, mut before_last) = (0, 0);
            for b in plan.text.clone() {
                if b == b' ' {
                    before_last = before_last.max(word);
                    word = 0;
                } else {
                    word += 1;
                }
            }
            before_last >= HARD_LINE_LIMIT || word + glue.bytes >= HARD_LINE_LIMIT
        }
    }
}

/// Writes the inside of a quoted-string: `lit` with `"` and `\` escaped.
fn write_escaped(sink: &mut crate::sink::SliceSink<'_>, lit: &[u8]) {
    let mut from = 0;
    for (i, &b) in lit.iter().enumerate() {
        if b == b'"' || b == b'\\' {
            sink.write(lit.get(from..i).unwrap_or_default());
            sink.write(&[b'\\', b]);
            from = i + 1;
        }
    }
    sink.write(lit.get(from..).unwrap_or_default());
}

/// Writes a text-form phrase found at byte `base` of the value (List-Id's description).
pub(crate) fn write_text_phrase(
    f: &mut Folder<'_, '_>,
    raw: &str,
    base: usize,
    options: &Options,
    glue: &[u8],
) -> Result<(), Error> {
    let bytes = raw.as_bytes();
    let (s, e) = input::trim(bytes);
    // `get` instead of indexing, here and below: the ranges are always in bounds, and this
    // keeps panic paths out of release builds (scripts/check-no-panic.sh).
    let text = bytes.get(s..e).unwrap_or_default();
    check_text_phrase(text).map_err(|at| Error::InvalidAddress { at: base + s + at })?;
    write(f, b" ", Source::Text(text), options, glue)
}

/// Keywords (RFC 5322 §3.6.5): comma-separated phrases. Each element that is a valid phrase
/// is read as one (quoted-strings may hold commas); any other element is taken literally.
/// Empty elements are skipped.
pub(crate) fn format_keywords(
    f: &mut Folder<'_, '_>,
    value: &str,
    options: &Options,
) -> Result<(), Error> {
    let b = value.as_bytes();
    let mut pos = 0;
    let mut pending: Option<(usize, usize)> = None;
    while pos <= b.len() {
        let end = next_comma(b, pos);
        let (s, e) = input::trim(b.get(pos..end).unwrap_or_default());
        if s < e {
            if let Some(prev) = pending.take() {
                write_keyword(f, b, prev, options, b",")?;
            }
            pending = Some((pos + s, pos + e));
        }
        pos = end + 1;
    }
    if let Some(last) = pending {
        write_keyword(f, b, last, options, b"")?;
    }
    Ok(())
}

fn write_keyword(
    f: &mut Folder<'_, '_>,
    b: &[u8],
    (s, e): (usize, usize),
    options: &Options,
    glue: &[u8],
) -> Result<(), Error> {
    let raw = b.get(s..e).unwrap_or_default();
    let src = if check_text_phrase(raw).is_ok() {
        Source::Text(raw)
    } else {
        Source::Literal(raw)
    };
    let plan = plan(src, options);
    if let Some(w) = plan.one_line_width(options) {
        f.keep_together(b" ", w.plus(Width::ascii(glue.len())), plan.is_encoded());
    }
    write_planned(f, b" ", plan, options, glue)
}

/// The next comma at or after `pos` outside a quoted-string, or the end.
fn next_comma(b: &[u8], mut pos: usize) -> usize {
    let mut quoted = false;
    while pos < b.len() {
        match b[pos] {
            b'"' => quoted = !quoted,
            b'\\' if quoted => pos += 1,
            b',' if !quoted => return pos,
            _ => {}
        }
        pos += 1;
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::{
        check_text_phrase, choose_form_slice, choose_form_slice_ref, plan, plan_generic,
        write_planned, Plan, SliceMode, Source,
    };
    use crate::fold::{Folder, Width};
    use crate::sink::SliceSink;
    use crate::test_util::{check_structure, fmt};
    use crate::{Encoding, Error, Options};
    use std::vec::Vec;

    fn write_with<'a>(
        make: fn(Source<'a>, &Options) -> Plan<'a>,
        src: Source<'a>,
        options: &Options,
        lead: usize,
        glue: &[u8],
    ) -> (Option<Width>, Result<Vec<u8>, Error>) {
        let width = make(src, options).one_line_width(options);
        let mut buf = std::vec![0u8; 1 << 14];
        let mut sink = SliceSink::new(&mut buf);
        let run = |sink: &mut SliceSink<'_>| {
            let mut f = Folder::start(sink, "To", options)?;
            if lead > 0 {
                f.space(b" ", Width::ascii(lead), false)?;
                f.put_ascii("a".repeat(lead).as_bytes());
            }
            if let Some(w) = width {
                f.keep_together(b" ", w, make(src, options).is_encoded());
            }
            write_planned(&mut f, b" ", make(src, options), options, glue)?;
            f.end();
            Ok(())
        };
        let out = run(&mut sink).and_then(|()| sink.finish()).map(|n| {
            buf.truncate(n);
            buf
        });
        (width, out)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// Phrases whose literal text is one slice take the slice path; it must write exactly
        /// what the byte-by-byte path writes, for literal and text-form phrases alike.
        #[test]
        fn slice_path_matches_generic_path(
            tokens in proptest::collection::vec(proptest::prop_oneof![
                4 => "[a-zA-Z0-9.!#=?_-]{1,12}",
                2 => "[a-zé😀日\u{85}\u{2028}]{1,8}",
                2 => "\"([a-z ,@é\t]|\\\\[\"\\\\])*\"",
                1 => "[,<>@:;()\"\\\\]{1,3}",
            ], 1..12),
            seps in proptest::collection::vec(proptest::sample::select(std::vec![" ", "  ", "\t", "\r\n "]), 12),
            literal in proptest::bool::ANY,
            utf8 in proptest::bool::ANY,
            encoding in proptest::sample::select(std::vec![Encoding::Auto, Encoding::Q, Encoding::B]),
            width in 30usize..=120,
            lead in 0usize..80,
            glue in proptest::sample::select(std::vec!["", ",", ":", ":;,"]),
        ) {
            let mut raw = std::string::String::new();
            for (i, t) in tokens.iter().enumerate() {
                if i > 0 {
                    raw.push_str(seps[i]);
                }
                raw.push_str(t);
            }
            let src = if literal {
                Source::Literal(raw.as_bytes())
            } else {
                proptest::prop_assume!(check_text_phrase(raw.as_bytes()).is_ok());
                Source::Text(raw.as_bytes())
            };
            let options = crate::test_util::options(utf8, encoding, width, false);
            let glue = glue.as_bytes();
            proptest::prop_assert_eq!(
                write_with(plan, src, &options, lead, glue),
                write_with(plan_generic, src, &options, lead, glue)
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5000))]
        /// The run-skipping one-pass planner is the byte-by-byte one it replaced.
        #[test]
        fn choose_form_slice_matches_its_definition(
            s in "([a-zA-Z]{1,4}|[ =?\"\\\\.,@\t\r\n\x01\x7féÄ日😀\u{85}\u{2028}\u{2029}])*",
            mode in proptest::sample::select(std::vec![SliceMode::Literal, SliceMode::Quoted, SliceMode::Atoms]),
            utf8 in proptest::bool::ANY,
        ) {
            let o = Options::default().with_utf8(utf8);
            proptest::prop_assert_eq!(
                choose_form_slice(s.as_bytes(), mode, &o),
                choose_form_slice_ref(s.as_bytes(), mode, &o)
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5000))]
        /// The window planner of literal names, where it decides, decides as the byte loop.
        #[test]
        fn literal_form_window_matches_the_byte_loop(
            s in "([a-zA-Z]{1,6}|[ =?\"\\\\.,@()<>:;\t\x01\x7féÄ日😀\u{85}\u{2028}])*",
            utf8 in proptest::bool::ANY,
        ) {
            let o = Options::default().with_utf8(utf8);
            if let Some(form) = super::literal_form_window(s.as_bytes(), &o) {
                proptest::prop_assert_eq!(
                    Some(form),
                    choose_form_slice(s.as_bytes(), SliceMode::Literal, &o),
                    "{:?}", s
                );
            }
        }
    }

    /// The AVX2 planner of names up to 32 bytes decides as the window of the whole name:
    /// every length, bytes of every class at every position (a space first, last, next to
    /// another one across the vector's halves, quotes where the halves overlap).
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn short_names_plan_as_their_window() {
        if !crate::test_util::avx2_or_skip() {
            return;
        }
        let class = b"a .\"@\\=\t\x01\x7f(,\xc3\xa9Z9";
        let check = |lit: &[u8]| {
            for utf8 in [false, true] {
                let o = Options::default().with_utf8(utf8);
                let w = crate::address::window::Win::bytewise(lit, 0);
                // SAFETY: AVX2 is supported (checked above).
                let fast = unsafe { super::literal_form_short_avx2(lit, utf8) };
                assert_eq!(
                    fast,
                    super::literal_form_of_window(&w, lit.len(), &o),
                    "{lit:?} {utf8}"
                );
            }
        };
        let mut x = 7u64;
        for n in 1..=32usize {
            // One or two bytes of each class, at every position, in a name of letters.
            for k in 0..n {
                for &c in class.iter() {
                    let mut lit = std::vec![b'a'; n];
                    lit[k] = c;
                    check(&lit);
                    if k + 1 < n {
                        lit[k + 1] = c;
                        check(&lit);
                    }
                }
            }
            // Mixed names.
            for _ in 0..300 {
                let lit: std::vec::Vec<u8> = (0..n)
                    .map(|_| {
                        x = x
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        // Mostly letters, spaces, dots and quotes; now and then any class.
                        let k = if (x >> 40).is_multiple_of(8) {
                            (x >> 45) as usize % class.len()
                        } else {
                            (x >> 33) as usize % 4
                        };
                        class[k]
                    })
                    .collect();
                check(&lit);
            }
        }
    }

    #[test]
    fn literal_form_window_takes_the_usual_names() {
        let o = Options::default();
        for name in [
            "Jo Smith",
            "Doe, John",
            "ACME Corp. (Support) Jo",
            "Jo \"Ace\" Smith",
            "Zoë Ärger",
        ] {
            assert!(
                super::literal_form_window(name.as_bytes(), &o).is_some(),
                "{name}"
            );
            assert_eq!(
                super::literal_form_window(name.as_bytes(), &o),
                choose_form_slice(name.as_bytes(), SliceMode::Literal, &o),
                "{name}"
            );
        }
    }

    #[test]
    fn atext_matches_the_table() {
        for b in 0u8..=255 {
            assert_eq!(
                super::is_atext(b),
                crate::chars::is(b, crate::chars::ATEXT),
                "{b}"
            );
        }
    }

    #[test]
    fn keywords_are_phrases() {
        assert_eq!(
            fmt("Keywords", "rust, e-mail,, folding ").unwrap(),
            "Keywords: rust, e-mail, folding\r\n"
        );
        assert_eq!(
            fmt("Keywords", "\"a, b\", c.d").unwrap(),
            "Keywords: \"a, b\", \"c.d\"\r\n"
        );
        assert_eq!(
            fmt("Keywords", "café, thé").unwrap(),
            "Keywords: =?utf-8?b?Y2Fmw6k=?= , =?utf-8?q?th=C3=A9?=\r\n"
        );
        // An element that is not phrase syntax is taken literally, and quoted.
        assert_eq!(
            fmt("Keywords", "50% off (today)").unwrap(),
            "Keywords: \"50% off (today)\"\r\n"
        );
        let many: std::vec::Vec<std::string::String> =
            (0..40).map(|i| std::format!("keyword{i}")).collect();
        let out = fmt("Keywords", &many.join(", ")).unwrap();
        check_structure(&out, 78);
        assert_eq!(
            out.replace("\r\n", ""),
            ["Keywords: ", &many.join(", ")].concat()
        );
    }

    #[test]
    fn text_phrase_syntax() {
        assert_eq!(check_text_phrase(b"John Q. Public"), Ok(()));
        assert_eq!(check_text_phrase(b"\"a, b\" c"), Ok(()));
        assert_eq!(check_text_phrase(b"a, b"), Err(1));
        assert_eq!(check_text_phrase(b"\"open"), Err(5));
        assert_eq!(check_text_phrase(b"a@b"), Err(1));
    }
}
