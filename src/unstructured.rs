//! Unstructured fields (RFC 5322 §3.2.5): Subject, Comments, X-*, unknown names.
//!
//! Words are runs of non-white-space. ASCII words are written as they are and the text keeps
//! its own spacing; folds go before white space. A word is encoded (RFC 2047) when it holds
//! non-ASCII (with `utf8` off), a character that splits lines in some parsers or that
//! Unicode counts as white space (with `utf8` on too: decoders that split on Unicode white
//! space drop it between encoded-words), or `=?` (decoders are lenient and would decode a
//! lookalike), or when it cannot fit on a line of
//! 998 octets. Consecutive encoded words become one run of encoded-words with the white space
//! between them inside the encoded text, since decoders drop white space between
//! encoded-words.

use crate::encoded_word::{self, Context, Text};
use crate::fold::{ws_width, Bound, Folder, RunChain, Width};
use crate::input;
use crate::options::HARD_LINE_LIMIT;
use crate::sink::SliceSink;
use crate::{chars, Error, Options};

#[cfg(not(target_os = "none"))]
mod fast;

/// Longest word the plain path handles; with a name of at most [`PLAIN_MAX_NAME`] octets no
/// line it writes can then pass 998 octets.
const PLAIN_MAX_WORD: usize = 880;
const PLAIN_MAX_NAME: usize = 100;

/// Whether the plain path can write this value: plain text (see [`crate::scan`]) after a
/// name short enough that the 998 rules never come into play for words it handles itself.
#[cfg(any(not(all(target_arch = "x86_64", not(target_os = "none"))), test))]
pub(crate) fn plain_applies(name: &str, value: &[u8]) -> bool {
    name.len() <= PLAIN_MAX_NAME && crate::scan::is_plain(value)
}

/// The fast path for a whole unstructured field whose value is plain text (see
/// [`crate::scan`]): nothing to encode, no control characters and only single spaces, so the
/// text is copied in runs and each line ends at the last space before the column limit
/// (found by scanning back from the limit). Writes (or counts) `Name: value` and the line
/// ending and returns true; returns false, having committed nothing, for any value it does
/// not handle: not plain, a name over [`PLAIN_MAX_NAME`] octets, or a word too long for a
/// line near 998 octets. The general path then writes the same bytes it would have.
pub(crate) fn format_plain_field(
    sink: &mut SliceSink<'_>,
    name: &str,
    value: &[u8],
    options: &Options,
) -> bool {
    if name.len() > PLAIN_MAX_NAME || !first_look_plain(value) {
        return false;
    }
    #[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
    {
        use crate::scan::plain::{Avx2, Sse2};
        match Avx2::detect() {
            // SAFETY: the token exists only when the CPU has AVX2.
            Some(avx2) => unsafe { plain_field_avx2(avx2, sink, name, value, options) },
            None => plain_field(Sse2, sink, name, value, options),
        }
    }
    #[cfg(not(all(target_arch = "x86_64", not(target_os = "none"))))]
    {
        format_plain_field_portable(sink, name, value, options)
    }
}

/// False when the first or last 8 bytes of `value` hold a byte 0x80 or above, which no plain
/// value has: most values with non-ASCII text are told apart with two loads, before the
/// plain scan starts (and gives up only at the first such byte).
#[inline(always)]
fn first_look_plain(value: &[u8]) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    match (value.first_chunk::<8>(), value.last_chunk::<8>()) {
        (Some(head), Some(tail)) => {
            (u64::from_ne_bytes(*head) | u64::from_ne_bytes(*tail)) & HIGH == 0
        }
        _ => true,
    }
}

/// [`format_plain_field`] without vector scans: the byte-wise lines written through a folder
/// (bare metal and non-x86 targets, and the reference the x86_64 versions are tested with).
#[cfg(any(not(all(target_arch = "x86_64", not(target_os = "none"))), test))]
fn format_plain_field_portable(
    sink: &mut SliceSink<'_>,
    name: &str,
    value: &[u8],
    options: &Options,
) -> bool {
    if !plain_applies(name, value) {
        return false;
    }
    let mark = sink.len();
    let Ok(mut f) = Folder::start(sink, name, options) else {
        return false;
    };
    let text = plain_text(value);
    let soft = options.max_line_len;
    let first = soft.saturating_sub(name.len() + 2);
    if !text.is_empty() && !format_plain_portable(&mut f, text, soft, first) {
        f.sink().rewind(mark);
        return false;
    }
    f.end();
    true
}

/// A plain value without its leading and trailing space (plain text has at most one of each).
#[inline]
fn plain_text(value: &[u8]) -> &[u8] {
    let start = usize::from(value.first() == Some(&b' '));
    let end = value.len() - usize::from(value.len() > start && value.last() == Some(&b' '));
    // SAFETY: `start <= 1`, and it is 1 only when `value` is not empty; `end` is below
    // `value.len()` only when `value.len() > start`, so `start <= end <= value.len()`. (No
    // bounds check: the compiler cannot see this bound, and the checked form cost a handful
    // of instructions per field and a panic path, scripts/check-no-panic.sh.)
    unsafe { value.get_unchecked(start..end) }
}

/// Where the line starting at `pos` of `text` (a `continuation` line after the first) ends: a space index in `(word_start, pos + room]`
/// (the last one), the end of `text` when the rest fits, or, for a first word longer than
/// the room, the space after it. `None` when that word is too long for the plain path.
/// `scan` does the space searches (vector or byte-wise).
#[inline(always)]
fn line_end(
    text: &[u8],
    pos: usize,
    continuation: bool,
    room: usize,
    scan: impl crate::scan::SpaceScan,
) -> Option<usize> {
    if text.len() - pos <= room {
        return Some(text.len());
    }
    // A continuation line starts with the space the fold went before.
    let word_start = pos + usize::from(continuation);
    let limit = pos + room;
    // The last space in (word_start, limit].
    if let Some(p) = scan.rfind_space_in(text, word_start + 1, limit) {
        return Some(p);
    }
    // One word longer than the room: it takes the line, up to the next space.
    let p = scan.find_space(text, limit.max(word_start));
    (p - word_start <= PLAIN_MAX_WORD).then_some(p)
}

/// [`plain_field`] compiled for AVX2. Only AVX2, although [`crate::cpu::avx2`] vouches for
/// BMI1, BMI2 and LZCNT too: with them LLVM turns each line's `bsr` into `lzcnt` and a
/// subtraction, and this path measured 7 instructions per field more.
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
#[target_feature(enable = "avx2")]
fn plain_field_avx2(
    avx2: crate::scan::plain::Avx2,
    sink: &mut SliceSink<'_>,
    name: &str,
    value: &[u8],
    options: &Options,
) -> bool {
    plain_field(avx2, sink, name, value, options)
}

/// [`format_plain_field`] on x86_64, for a name of at most [`PLAIN_MAX_NAME`] octets: one
/// vector pass tests the value, then the name, each line and the line endings are copied
/// straight into the sink's buffer with whole vectors (no call per piece) and committed
/// once. Once the output outgrows the buffer the rest is only counted, as
/// [`SliceSink`] does.
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
#[inline(always)]
fn plain_field<S: crate::scan::plain::Vector>(
    s: S,
    sink: &mut SliceSink<'_>,
    name: &str,
    value: &[u8],
    options: &Options,
) -> bool {
    use crate::scan::plain::copy;
    if !crate::scan::plain::is_plain(s, value) {
        return false;
    }
    let text = plain_text(value);
    let (name, n) = (name.as_bytes(), text.len());
    let soft = options.max_line_len;
    let eol = options.line_ending.bytes();
    let eol_pair = [
        eol.first().copied().unwrap_or(b'\n'),
        eol.get(1).copied().unwrap_or(b' '),
    ];
    let eol_len = eol.len();
    let out = sink.spare();
    let (cap, d) = (out.len(), out.as_mut_ptr());
    let (t, nm) = (text.as_ptr(), name.as_ptr());
    // Each piece is written only when it fits (the rest is only counted, as `SliceSink`
    // does); `at` is where the next one goes. The checks below keep every pointer inside
    // `text` and `out` whatever `line_end` returns.
    // The first line: "Name: " and the text up to its first fold point.
    let room = soft.saturating_sub(name.len() + 2);
    let Some(pos) = line_end(text, 0, false, room, s) else {
        return false;
    };
    if pos > n {
        return false;
    }
    let at = name.len() + 2 + pos;
    if at <= cap {
        // SAFETY: `name`, ": " and `text[..pos]` fill `out[..at]`, and `at <= cap`.
        unsafe {
            copy(s, d, nm, name.len());
            d.add(name.len()).cast::<[u8; 2]>().write_unaligned(*b": ");
            copy(s, d.add(name.len() + 2), t, pos);
        }
    }
    // Each later line: the line ending, then the text from the space the fold went before.
    // Every such line holds at least two bytes of text (the space and what follows it), so
    // the whole field takes at most `most` bytes: when the buffer has that much, no line
    // needs its own capacity check (the benchmark's and most callers' case).
    let most = at + (n - pos) + (n / 2 + 2) * eol_len;
    let lines = Lines {
        s,
        text,
        out: d,
        cap,
        soft,
        eol_pair,
        eol_len,
    };
    let at = if pos >= n {
        Some(at)
    } else if most <= cap {
        lines.write::<false>(pos, at)
    } else {
        lines.write::<true>(pos, at)
    };
    let Some(at) = at else {
        return false;
    };
    if at + eol_len <= cap {
        // SAFETY: `out[at..at + eol_len]` is inside `out`.
        unsafe {
            if eol_len == 2 {
                d.add(at).cast::<[u8; 2]>().write_unaligned(eol_pair);
            } else {
                d.add(at).write(eol_pair[0]);
            }
        }
    }
    sink.commit(at + eol_len);
    true
}

/// The continuation lines of [`plain_field`]: what stays the same from line to line.
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
struct Lines<'t, S> {
    s: S,
    text: &'t [u8],
    /// The sink's spare buffer, `cap` bytes.
    out: *mut u8,
    cap: usize,
    soft: usize,
    /// The line ending, padded to two bytes (a one-byte ending's pad is overwritten).
    eol_pair: [u8; 2],
    eol_len: usize,
}

#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
impl<S: crate::scan::plain::Vector> Lines<'_, S> {
    /// Writes the lines of `text` from `pos` (a fold point, or the end) at `at`, and returns
    /// where the output ends; `None` for a word too long for the plain path. With `CHECKED`
    /// each line is written only when it fits (the rest is only counted); without it the
    /// caller has made sure the buffer holds the largest output this text can have.
    #[inline(always)]
    fn write<const CHECKED: bool>(&self, mut pos: usize, mut at: usize) -> Option<usize> {
        use crate::scan::plain::copy;
        let (s, text, n, soft) = (self.s, self.text, self.text.len(), self.soft);
        let (t, d) = (text.as_ptr(), self.out);
        if soft < crate::options::MIN_MAX_LINE_LEN {
            return None;
        }
        // Where in `text` the line before `pos` starts (the first line's text starts at 0), or
        // a later point of that line ([`Lines::spans`] keeps only a lower bound of the length).
        let mut prev = 0;
        if !CHECKED && soft <= SPAN && n - pos > SPAN {
            at = self.spans(&mut pos, &mut prev, at)?;
        }
        while pos < n {
            if !CHECKED && n - pos <= soft && soft <= SPAN && pos - prev >= S::W {
                // SAFETY: the line before holds at least `pos - prev >= W` bytes of text, so
                // `pos >= W` and they end at `out[at]`; `n - pos <= soft <= SPAN`; the caller
                // made room for the whole field, which ends with this line.
                unsafe { self.last_line(pos, at) };
                return Some(at + self.eol_len + (n - pos));
            }
            let p = if n - pos <= soft {
                n
            } else {
                // The last space in (pos + 1, pos + soft] is nearly always in the one vector
                // ending at the column limit, which starts after the line's leading space and
                // first byte (soft >= 40 > W + 1).
                // SAFETY: `text[pos..pos + soft + 1]` lies within `text`, as `pos + soft < n`.
                let near = unsafe { fold_near_limit(s, t.add(pos), soft) };
                if near != 0 {
                    pos + near
                } else {
                    match line_end(text, pos, true, soft, s) {
                        Some(p) if p >= pos + 2 && p <= n => p,
                        _ => return None,
                    }
                }
            };
            // `pos + 2 <= p <= n`: from the vectors, `near` lies in `[2, soft]`; from
            // `line_end`, checked just above.
            let len = p - pos;
            if !CHECKED || at + self.eol_len + len <= self.cap {
                // SAFETY: `text[pos..p]` is inside `text`. `out[at..at + eol_len + len]` is
                // inside `out`: checked just above, or (unchecked) bounded by the largest
                // output the caller made room for: every continuation line so far and this
                // one hold at least two bytes of text each, so at most `p / 2` line endings
                // come before `text[p]` and `at + eol_len + len` is at most
                // `name + 2 + p + (p / 2) * eol_len`. The line holds at least 2 bytes
                // (`len >= 2`), so both line-ending bytes may be stored (the line overwrites
                // the second one of a one-byte ending).
                unsafe {
                    d.add(at).cast::<[u8; 2]>().write_unaligned(self.eol_pair);
                    copy(s, d.add(at + self.eol_len), t.add(pos), len);
                }
            }
            at += self.eol_len + len;
            prev = pos;
            pos = p;
        }
        Some(at)
    }

    /// Writes the line ending at `out[at]` and the last line, `text[pos..]`, after it with
    /// `SPAN / W` vectors anchored at the line's end, whatever its length (a copy that chose
    /// its moves by the length mispredicted on fields of mixed lengths). A line shorter than a
    /// vector is stored as the vector that ends with it, which also overwrites up to `W - 1`
    /// bytes before the line: the line ending and the end of the line before, stored again
    /// afterwards from the `W` bytes of text before `pos`.
    ///
    /// # Safety
    /// Without `CHECKED` only: `text[pos - W..pos]` (so `pos >= W`) is the end of the line
    /// before, written at `out[at - W..at]`; `0 < text.len() - pos <= SPAN`; and
    /// `out[at - W..at + eol_len + text.len() - pos]` is inside the room the caller made.
    #[inline(always)]
    unsafe fn last_line(&self, pos: usize, at: usize) {
        let (s, t, d, eol_len) = (self.s, self.text.as_ptr(), self.out, self.eol_len);
        let len = (self.text.len() - pos) as isize;
        let w = S::W as isize;
        // Offsets from the line's start: the k-th vector ends `(k - 1) * W` bytes before the
        // line's end, but starts no earlier than the first one (which starts before the line
        // only when the line is shorter than a vector).
        let earliest = (len - w).min(0);
        // SAFETY: every offset `o` is `len - W` (a line shorter than a vector) or lies in
        // `[0, len - W]`, so each vector stays inside `text[pos + len - W..pos + len]`
        // (`pos + len - W > pos - W >= 0`) and inside `out[at + eol_len + len - W..at +
        // eol_len + len]`, which the caller vouches for (`eol_len >= 1`); `SPAN / W` vectors
        // of `W` cover `len <= SPAN`. The last two stores are inside `text[..pos]` and
        // `out[at - W..at + eol_len]`.
        unsafe {
            let (src, dst) = (t.add(pos), d.add(at + eol_len));
            let mut k = 1;
            while k * S::W <= SPAN {
                let o = (len - w * k as isize).max(earliest);
                s.store(dst.offset(o), s.load(src.offset(o)));
                k += 1;
            }
            s.store(d.add(at - S::W), s.load(t.add(pos - S::W)));
            if eol_len == 2 {
                d.add(at).cast::<[u8; 2]>().write_unaligned(self.eol_pair);
            } else {
                d.add(at).write(self.eol_pair[0]);
            }
        }
    }
}

#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
impl<S: crate::scan::plain::Vector> Lines<'_, S> {
    /// The unchecked [`Lines::write`], for a limit of at most [`SPAN`], of the lines followed
    /// by more than `SPAN` bytes of text (all but the last one or two): a line whose fold
    /// point is in the vector ending at the column limit (nearly all) is copied as a fixed
    /// span of whole vectors, with no branch on its length. The span's
    /// bytes past the line's end are overwritten by the lines after it, which with their line
    /// endings fill more than `SPAN` further bytes of output. Advances `pos`, returns the new
    /// end of the output; `None` for a word too long for the plain path.
    ///
    /// Those lines run in an inner loop of their own, one branch per line (one loop that
    /// merged both vectors' results with the slower cases cost about 1 instruction more
    /// per line). `*prev` comes back no earlier than where the line before `*pos` starts,
    /// so that `*pos - *prev` is at most that line's length (all that [`Lines::write`]
    /// needs).
    #[inline(always)]
    fn spans(&self, pos: &mut usize, prev: &mut usize, at: usize) -> Option<usize> {
        use crate::scan::plain::copy;
        let (s, text, n, soft) = (self.s, self.text, self.text.len(), self.soft);
        let (t, d, eol_len) = (text.as_ptr(), self.out, self.eol_len);
        // Pointers instead of indices, so each line costs a few adds: `src` is where the
        // line's text starts (`text[p0]`), `dst` where its line ending goes (`out[at]`).
        // SAFETY: `*pos <= n`, so `text[*pos]` and `text[n - SPAN]` (or `text[0]`) are inside
        // (or one past) `text`; `out[at]` is inside the output the caller made room for.
        let (mut src, mut dst, stop) =
            unsafe { (t.add(*pos), d.add(at), t.add(n.saturating_sub(SPAN))) };
        // At most the length of the line before `src` (kept as it is when no line is
        // written here).
        let mut last = *pos - *prev;
        // The vector that ends at the column limit starts `k` bytes into the line.
        let k = soft + 1 - S::W;
        loop {
            // The lines whose fold point is in that vector (nearly all), with nothing else in
            // the loop: each holds at least `k` bytes.
            let first = src;
            while src < stop {
                // SAFETY: `src .. src + soft + 1` lies within `text`, as `p0 + soft < n`
                // (`n - p0 > SPAN >= soft`), and `k + W = soft + 1`.
                let hits = s.spaces(unsafe { s.load(src.add(k)) });
                if hits == 0 {
                    break;
                }
                // The last space in the vector: `p - p0` in `[k, soft]`, and `k >= 2`
                // (soft >= 40 > W + 1), so the line fits the span and holds at least 2 bytes.
                let len = k + (31 - hits.leading_zeros() as usize);
                // SAFETY: `text[p0..p0 + SPAN]` is inside `text` (`n - p0 > SPAN`), and
                // `out[at..at + eol_len + SPAN]` is inside the output the caller made room
                // for: the span ends `SPAN - len < n - p` bytes after this line, and the
                // `n - p` bytes of text still to come are all written after it. Then
                // `src + len <= text + n` and `dst + eol_len + len` is the end of what was
                // just written.
                unsafe {
                    dst.cast::<[u8; 2]>().write_unaligned(self.eol_pair);
                    copy_span(s, dst.add(eol_len), src);
                    src = src.add(len);
                    dst = dst.add(eol_len + len);
                }
            }
            if src != first {
                last = k;
            }
            if src >= stop {
                break;
            }
            // A line whose fold point is earlier: in the vector before (as in
            // [`fold_near_limit`], when that starts at the line's third byte or later), or
            // further back, or past the limit (a long word).
            let before = if k >= S::W + 2 {
                // SAFETY: `src[k - W..k]` lies within the line, as above.
                s.spaces(unsafe { s.load(src.add(k - S::W)) })
            } else {
                0
            };
            let len = if before != 0 {
                let len = k - S::W + (31 - before.leading_zeros() as usize);
                // SAFETY: as for the span above (`len` is in `[2, k)`).
                unsafe {
                    dst.cast::<[u8; 2]>().write_unaligned(self.eol_pair);
                    copy_span(s, dst.add(eol_len), src);
                }
                len
            } else {
                // SAFETY: `src` points into `text`.
                let p0 = unsafe { src.offset_from(t) } as usize;
                let len = match line_end(text, p0, true, soft, s) {
                    Some(p) if p >= p0 + 2 && p <= n => p - p0,
                    _ => return None,
                };
                // SAFETY: as in `write`'s unchecked case.
                unsafe {
                    dst.cast::<[u8; 2]>().write_unaligned(self.eol_pair);
                    copy(s, dst.add(eol_len), src, len);
                }
                len
            };
            last = len;
            // SAFETY: `src + len <= text + n` and `dst + eol_len + len` is the end of what
            // was just written.
            unsafe {
                src = src.add(len);
                dst = dst.add(eol_len + len);
            }
        }
        // SAFETY: both pointers stayed inside (or one past) their buffers.
        let (p0, at) = unsafe { (src.offset_from(t) as usize, dst.offset_from(d) as usize) };
        *prev = p0 - last;
        *pos = p0;
        Some(at)
    }
}

/// Where the continuation line at `line` (its leading space) ends when its fold point (the
/// last space in `line[2..=soft]`) is in one of the two vectors that end at the column limit,
/// as an offset from `line` (at least 2); 0 when neither has a space (a long word, which the
/// caller leaves to [`line_end`]). The second vector saves the whole-window search for the
/// lines of long tokens (Base64 runs, report data), where the last space is often more than
/// a vector before the limit.
///
/// # Safety
/// `line[..soft + 1]` must be readable, and `soft >= MIN_MAX_LINE_LEN` (40 > W + 1).
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
#[inline(always)]
unsafe fn fold_near_limit<S: crate::scan::plain::Vector>(
    s: S,
    line: *const u8,
    soft: usize,
) -> usize {
    let k = soft + 1 - S::W;
    // SAFETY: `line[k..k + W]` ends at `line[soft]`; the second vector, `line[k - W..k]`, is
    // loaded only when it starts at `line[2]` or later.
    unsafe {
        let hits = s.spaces(s.load(line.add(k)));
        if hits != 0 {
            return k + (31 - hits.leading_zeros() as usize);
        }
        if k >= S::W + 2 {
            let hits = s.spaces(s.load(line.add(k - S::W)));
            if hits != 0 {
                return k - S::W + (31 - hits.leading_zeros() as usize);
            }
        }
    }
    0
}

/// The fixed span most continuation lines are copied with in [`Lines::write`]: a multiple of
/// both vector widths that holds a line at the default limit (78).
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
const SPAN: usize = 96;

/// Copies [`SPAN`] bytes from `p` to `d` with whole vectors.
///
/// # Safety
/// `p` must be valid for reading and `d` for writing [`SPAN`] bytes; the two may not overlap.
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
#[inline(always)]
unsafe fn copy_span<S: crate::scan::plain::Vector>(s: S, d: *mut u8, p: *const u8) {
    let mut i = 0;
    while i < SPAN {
        // SAFETY: `i + W <= SPAN` (W divides SPAN), inside both ranges.
        unsafe { s.store(d.add(i), s.load(p.add(i))) };
        i += S::W;
    }
}

/// The plain lines where there are no vector scans, for a non-empty `text` without leading
/// or trailing space, written through the folder after `Name:`; false when a word is too
/// long for the plain path (the caller rewinds).
#[cfg(any(not(all(target_arch = "x86_64", not(target_os = "none"))), test))]
fn format_plain_portable(f: &mut Folder<'_, '_>, text: &[u8], soft: usize, first: usize) -> bool {
    let mut pos = 0;
    let mut started = false;
    loop {
        // The first line holds "Name:" and the space still to come (`first` columns are left
        // for text); every later chunk starts a fresh line.
        let room = if started { soft } else { first };
        let Some(p) = line_end(text, pos, started, room, crate::scan::Bytewise) else {
            return false;
        };
        if !started {
            f.mark_written();
            f.put_byte(b' ');
            started = true;
        } else {
            f.newline();
        }
        f.put_ascii(text.get(pos..p).unwrap_or_default());
        pos = p;
        if pos == text.len() {
            return true;
        }
    }
}

/// A whole unstructured field the plain path did not take: `Name:`, the value and the line
/// ending, with the errors [`input::check_controls`], [`Folder::start`] and [`format`] give,
/// in that order. The fast path checks the controls in its own masks (it takes no value with
/// one), so the separate scan runs only for the values it declines.
pub(crate) fn format_field(
    sink: &mut SliceSink<'_>,
    name: &str,
    value: &str,
    options: &Options,
) -> Result<(), Error> {
    let bytes = value.as_bytes();
    let mut f = match Folder::start(sink, name, options) {
        Ok(f) => f,
        Err(e) => {
            input::check_controls(bytes)?;
            return Err(e);
        }
    };
    let (start, end) = input::trim(bytes);
    let text = bytes.get(start..end).unwrap_or_default();
    #[cfg(not(target_os = "none"))]
    {
        // The white space trimmed off is outside what the fast path checks: any CR or LF
        // there (a caller's fold, or an error) leaves the value to the general path. So does
        // Unicode white space with utf8 on, as in `format_words`.
        let edge = |b: &[u8]| !b.iter().any(|&c| c == b'\r' || c == b'\n');
        let clean = edge(bytes.get(..start).unwrap_or_default())
            && edge(bytes.get(end..).unwrap_or_default())
            && !(options.utf8 && chars::has_unicode_space(text));
        if clean {
            if let Some(done) = fast::format_words::<true>(&mut f, text, options) {
                done?;
                f.end();
                return Ok(());
            }
            // Declined: it would decline again in `format_words`.
            input::check_controls(bytes)?;
            format_words_general(&mut f, text, options)?;
            f.end();
            return Ok(());
        }
    }
    input::check_controls(bytes)?;
    format_words(&mut f, text, options)?;
    f.end();
    Ok(())
}

pub(crate) fn format(f: &mut Folder<'_, '_>, value: &str, options: &Options) -> Result<(), Error> {
    let bytes = value.as_bytes();
    let (start, end) = input::trim(bytes);
    format_words(f, bytes.get(start..end).unwrap_or_default(), options)
}

/// Writes the words of `text`, which has no trailing white space; the first word's white
/// space is what precedes it in `text`, or one space when nothing does (the value's start).
#[inline]
fn format_words(f: &mut Folder<'_, '_>, text: &[u8], options: &Options) -> Result<(), Error> {
    // With utf8 on, Unicode white space is encoded (see `chars::unicode_space_len`): the
    // general path's scanners find it, the fast path's masks do not, so it declines such text.
    #[cfg(not(target_os = "none"))]
    if !(options.utf8 && chars::has_unicode_space(text)) {
        if let Some(done) = fast::format_words::<false>(f, text, options) {
            return done;
        }
    }
    format_words_general(f, text, options)
}

/// [`format_words`] for every value, a word at a time through the folder.
fn format_words_general(
    f: &mut Folder<'_, '_>,
    text: &[u8],
    options: &Options,
) -> Result<(), Error> {
    let mut scanner = Scanner::new(text, options);
    let mut next = scanner.token(0);
    while let Some(word) = next {
        let first = word.ws_start == word.start;
        let ws = if first {
            b" ".as_slice()
        } else {
            text.get(word.ws_start..word.start).unwrap_or_default()
        };
        next = scanner.token(word.end);
        if !word.needs_encoding(first) || word.fits_after_split(f) {
            let token = text.get(word.start..word.end).unwrap_or_default();
            let width = if options.utf8 {
                Width::of(token)
            } else {
                Width::ascii(token.len())
            };
            match next.filter(|t| t.ws_cols > 1) {
                Some(after) => {
                    let cap = plain_cap(text, after, f.soft_limit(), options);
                    if cap.asks(f.soft_limit()) {
                        f.space_capped(ws, width, cap, false)?;
                    } else {
                        f.space(ws, width, false)?;
                    }
                }
                _ => f.space(ws, width, false)?,
            }
            f.put(token, width);
        } else {
            // Extend the run over the following words that are encoded too.
            let mut run_end = word.end;
            let mut folded = false;
            while let Some(more) = next.filter(|t| t.needs_encoding(false)) {
                run_end = more.end;
                folded |= more.folded;
                next = scanner.token(more.end);
            }
            // White space before encoded text beyond its first character is carried inside the
            // encoded text: a long run could otherwise push an encoded-word line past 76.
            let (ws, run_start) = match ws.iter().position(|&c| c == b' ' || c == b'\t') {
                Some(i) if ws_width(ws) > 1 => {
                    folded |= word.folded;
                    (ws.get(..=i).unwrap_or_default(), word.ws_start + i + 1)
                }
                _ => (ws, word.start),
            };
            let run = text.get(run_start..run_end).unwrap_or_default();
            let (ctx, enc) = (Context::Text, options.encoding);
            if folded {
                encoded_word::write_run(f, ws, Text::unfolded(run), ctx, enc, b"")?;
            } else {
                encoded_word::write_run_slice(f, ws, run, ctx, enc, b"")?;
            }
        }
    }
    Ok(())
}

/// [`RunChain::cap`] for a plain word of unstructured text that `after`, a token with more
/// than one white-space character before it, follows: the runs and plain words after it,
/// until a run of one character or a word that is encoded ends the chain. In characters, with
/// what 998 octets ask too: a word that its whole run would push past 998 stays plain when
/// the line before can keep part of the run ([`Token::fits_after_split`]), and that line then
/// has less room within the soft limit. The portable byte scanner ([`Token::scan`]) reads the
/// words ahead, and each run is looked at before its word is read: most chains end at the
/// next run, without that word.
#[inline]
fn plain_cap(text: &[u8], after: Token, soft: usize, options: &Options) -> Bound {
    let no_cap = Bound::none(soft);
    // The common case first, without the chain: the run after `after`'s word cannot reach
    // the line before it (see `RunChain::run`).
    if run_after(text, after.end)
        .is_some_and(|run| run >= 2 && after.ws_cols + (after.end - after.start) + run <= soft + 1)
    {
        // (Octets are at least characters: the width in characters is within this too.)
        return no_cap;
    }
    plain_cap_chain(text, after, soft, options)
}

/// [`plain_cap`] past its common case: the chain, run by run.
#[cold]
#[inline(never)]
fn plain_cap_chain(text: &[u8], after: Token, soft: usize, options: &Options) -> Bound {
    let mut chain = RunChain::new(soft);
    let mut next = Some(after);
    // Whether the run before `next` was already given to the chain (looked at ahead).
    let mut run_taken = false;
    while let Some(t) = next {
        // A word too long for a line with its whole run is still plain when the run can be
        // split (`Token::fits_after_split`): the chain says how much of the run the line
        // before must keep.
        if !run_taken && !chain.run(t.ws_cols) || t.unsafe_text {
            break;
        }
        let word = text.get(t.start..t.end).unwrap_or_default();
        chain.word(if options.utf8 {
            Width::of(word)
        } else {
            Width::ascii(word.len())
        });
        let run = run_after(text, t.end);
        run_taken = run.is_some();
        if run.is_some_and(|run| !chain.run(run)) {
            break;
        }
        next = Token::scan(text, t.end, options);
    }
    chain.cap()
}

/// The width of the run of white space at `at` (0 at the end of the text or before a
/// word), or `None` when a caller's fold in it needs [`Token::scan`]'s full reading.
#[inline]
fn run_after(text: &[u8], at: usize) -> Option<usize> {
    let rest = text.get(at..).unwrap_or_default();
    let run = rest
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    (!matches!(rest.get(run), Some(b'\r' | b'\n'))).then_some(run)
}

/// Finds the tokens of a text, left to right.
enum Scanner<'a> {
    #[cfg(all(
        target_arch = "x86_64",
        target_feature = "sse2",
        not(target_os = "none")
    ))]
    Blocks(word_scan::Scanner<'a>),
    #[allow(dead_code)]
    Bytes(&'a [u8], &'a Options),
}

impl<'a> Scanner<'a> {
    #[inline]
    fn new(text: &'a [u8], options: &'a Options) -> Self {
        #[cfg(all(
            target_arch = "x86_64",
            target_feature = "sse2",
            not(target_os = "none")
        ))]
        {
            Scanner::Blocks(word_scan::Scanner::new(text, options.utf8))
        }
        #[cfg(not(all(
            target_arch = "x86_64",
            target_feature = "sse2",
            not(target_os = "none")
        )))]
        {
            Scanner::Bytes(text, options)
        }
    }

    /// The token at or after `pos`, the end of the previous word.
    #[inline]
    fn token(&mut self, pos: usize) -> Option<Token> {
        match self {
            #[cfg(all(
                target_arch = "x86_64",
                target_feature = "sse2",
                not(target_os = "none")
            ))]
            Scanner::Blocks(s) => s.token(pos),
            Scanner::Bytes(text, options) => Token::scan(text, pos, options),
        }
    }
}

/// A word of the text, the white space before it, and what one pass over both found.
#[derive(Clone, Copy)]
struct Token {
    ws_start: usize,
    start: usize,
    end: usize,
    /// Columns of the white space before the word.
    ws_cols: usize,
    /// The white space before the word holds a caller's fold (CR/LF).
    folded: bool,
    /// The word holds something that only encoded-words can carry (see the module docs);
    /// its length is checked separately.
    unsafe_text: bool,
}

impl Token {
    /// The next word at or after `pos` (the end of the previous word), if any.
    #[inline]
    fn scan(text: &[u8], pos: usize, options: &Options) -> Option<Token> {
        let mut i = pos;
        let mut folded = false;
        loop {
            let &b = text.get(i)?;
            if !input::is_space(b) {
                break;
            }
            folded |= b == b'\r' || b == b'\n';
            i += 1;
        }
        // The CR/LF of folds take no column.
        let ws_cols = if folded {
            ws_width(text.get(pos..i).unwrap_or_default())
        } else {
            i - pos
        };
        let start = i;
        let (end, unsafe_text) = word_end(text, start, options.utf8);
        Some(Token {
            ws_start: pos,
            start,
            end,
            ws_cols,
            folded,
            unsafe_text,
        })
    }

    /// Whether the word must be carried in encoded-words (see the module docs).
    #[inline]
    fn needs_encoding(&self, first: bool) -> bool {
        if self.unsafe_text {
            return true;
        }
        let ws = if first { 1 } else { self.ws_cols };
        ws + (self.end - self.start) > HARD_LINE_LIMIT
    }

    /// For a word that [`Token::needs_encoding`] only for its length with the white space
    /// before it: whether it still stays as it is, because a fold inside that white space
    /// leaves enough of it on the current line ([`Folder::can_split_run`]). Mid-field only:
    /// the first word's white space is one space.
    #[cold]
    fn fits_after_split(&self, f: &Folder<'_, '_>) -> bool {
        !self.unsafe_text
            && self.ws_start != self.start
            && f.can_split_run(self.ws_cols, self.end - self.start)
    }
}

/// The end of the word that starts at `start` (the next white space, or the end of `text`),
/// and whether the word holds something only encoded-words can carry: non-ASCII with `utf8`
/// off, a line-breaking character (C1 control, U+2028, U+2029) or Unicode white space with it
/// on, or `=?`.
/// A byte at a time: the portable scan, and the reference of the block scanner.
fn word_end(text: &[u8], start: usize, utf8: bool) -> (usize, bool) {
    let mut i = start;
    let mut unsafe_text = false;
    let mut prev = 0u8;
    while let Some(&b) = text.get(i) {
        if b >= 0x80 {
            if !utf8 || chars::encoded_only_char_len(text, i).is_some() {
                unsafe_text = true;
                break;
            }
        } else if input::is_space(b) {
            break;
        } else if b == b'?' && prev == b'=' {
            unsafe_text = true;
            break;
        }
        prev = b;
        i += 1;
    }
    if unsafe_text {
        // Only the end of the word is still needed.
        while text.get(i).is_some_and(|&b| !input::is_space(b)) {
            i += 1;
        }
    }
    (i, unsafe_text)
}

/// [`Token::scan`] over a whole text from 64-byte blocks of bit masks (SSE2): one pass finds
/// the white space and the bytes that may force encoding, and each word then costs a few bit
/// operations instead of a loop over its bytes.
#[cfg(all(
    target_arch = "x86_64",
    target_feature = "sse2",
    not(target_os = "none")
))]
mod word_scan {
    use super::Token;
    use core::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };

    #[target_feature(enable = "sse2")]
    #[inline]
    fn lanes(v: __m128i, c: u8) -> __m128i {
        _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8))
    }

    /// What [`Scanner::token_in_block`] found.
    enum InBlock {
        Found(Token),
        /// The white space or the word runs past the current block.
        Crosses,
        /// Longer white space, a fold, or characters to check: the general scan.
        Other,
    }

    pub(super) struct Scanner<'a> {
        text: &'a [u8],
        utf8: bool,
        /// The masks below cover `text[base..base + 64]`, bit `k` for `text[base + k]`.
        base: usize,
        /// SP, HTAB, CR, LF, and every position past the end of the text.
        space: u64,
        /// Bytes that may force encoding: non-ASCII with utf8 off; with it on, C2, E1, E2 and
        /// E3 (which start the C1 controls, U+2028, U+2029 and the Unicode white space of
        /// `chars::unicode_space_len`; checked when met); and a `?` right after `=`.
        special: u64,
        /// The `?` of `=?` pairs (always force encoding).
        pairs: u64,
    }

    impl<'a> Scanner<'a> {
        pub(super) fn new(text: &'a [u8], utf8: bool) -> Self {
            let mut s = Scanner {
                text,
                utf8,
                base: 0,
                space: 0,
                special: 0,
                pairs: 0,
            };
            s.load(0);
            s
        }

        /// Computes the masks of the block at `base`.
        #[inline]
        fn load(&mut self, base: usize) {
            let (mut space, mut eq, mut q, mut high) = (0u64, 0u64, 0u64, 0u64);
            for c in 0..4 {
                let (sp, e, qm, h) = match self.text.get(base + 16 * c..base + 16 * c + 16) {
                    Some(block) => self.masks(block),
                    None => self.chunk(base + 16 * c),
                };
                space |= u64::from(sp) << (16 * c);
                eq |= u64::from(e) << (16 * c);
                q |= u64::from(qm) << (16 * c);
                high |= u64::from(h) << (16 * c);
            }
            let eq_before = base
                .checked_sub(1)
                .and_then(|i| self.text.get(i))
                .is_some_and(|&b| b == b'=');
            self.pairs = ((eq << 1) | u64::from(eq_before)) & q;
            self.base = base;
            self.space = space;
            self.special = high | self.pairs;
        }

        /// Masks (white space or past the end, `=`, `?`, special high byte) of the 16 bytes
        /// at `at`: read in place when they are all in the text, else as the text's last 16
        /// bytes shifted down, or from a zero-padded copy when the text is shorter than 16.
        #[inline]
        fn chunk(&self, at: usize) -> (u32, u32, u32, u32) {
            let len = self.text.len();
            if at >= len {
                return (0xFFFF, 0, 0, 0);
            }
            let mut padded = [0u8; 16];
            let (block, shift) = match self.text.get(at..at + 16) {
                Some(block) => (block, 0),
                None => match len.checked_sub(16).and_then(|b| self.text.get(b..)) {
                    Some(block) => (block, at + 16 - len),
                    None => {
                        for (d, &s) in padded
                            .iter_mut()
                            .zip(self.text.get(at..).unwrap_or_default())
                        {
                            *d = s;
                        }
                        (padded.as_slice(), 0)
                    }
                },
            };
            let (sp, eq, q, high) = self.masks(block);
            // Lanes past the end of the text read as white space.
            let valid = len - at;
            let past = if valid < 16 { 0xFFFFu32 << valid } else { 0 };
            let keep = !past & 0xFFFF;
            (
                ((sp >> shift) | past) & 0xFFFF,
                (eq >> shift) & keep,
                (q >> shift) & keep,
                (high >> shift) & keep,
            )
        }

        /// The masks of the first 16 bytes of `block`, which holds at least 16.
        #[inline(always)]
        fn masks(&self, block: &[u8]) -> (u32, u32, u32, u32) {
            debug_assert!(block.len() >= 16);
            // SAFETY: SSE2 is part of the x86_64 baseline; every caller passes at least 16
            // readable bytes (a block of the text, its last 16 bytes, or a padded copy) and
            // the load has no alignment requirement.
            unsafe {
                let v = _mm_loadu_si128(block.as_ptr().cast());
                let space = _mm_or_si128(
                    _mm_or_si128(lanes(v, b' '), lanes(v, b'\t')),
                    _mm_or_si128(lanes(v, b'\r'), lanes(v, b'\n')),
                );
                let high = if self.utf8 {
                    _mm_or_si128(
                        _mm_or_si128(lanes(v, 0xC2), lanes(v, 0xE2)),
                        _mm_or_si128(lanes(v, 0xE1), lanes(v, 0xE3)),
                    )
                } else {
                    v
                };
                (
                    _mm_movemask_epi8(space) as u32,
                    _mm_movemask_epi8(lanes(v, b'=')) as u32,
                    _mm_movemask_epi8(lanes(v, b'?')) as u32,
                    _mm_movemask_epi8(high) as u32,
                )
            }
        }

        /// The token at or after `pos` (the end of the previous word): what
        /// [`Token::scan`] returns.
        #[inline(always)]
        pub(super) fn token(&mut self, pos: usize) -> Option<Token> {
            match self.token_in_block(pos) {
                InBlock::Found(token) => return Some(token),
                InBlock::Crosses if pos != self.base && pos < self.text.len() => {
                    // The block ends inside the white space or the word: a block starting
                    // at `pos` holds every word shorter than 64 bytes.
                    self.load(pos);
                    if let InBlock::Found(token) = self.token_in_block(pos) {
                        return Some(token);
                    }
                }
                _ => {}
            }
            self.token_general(pos)
        }

        /// The common case in a few bit operations: the word starts and ends inside the
        /// current block, after at most one SP or HTAB, and holds nothing to check further.
        #[inline(always)]
        fn token_in_block(&self, pos: usize) -> InBlock {
            let off = pos.wrapping_sub(self.base);
            if off >= 64 {
                return InBlock::Crosses;
            }
            let rest = !self.space >> off;
            if rest == 0 {
                return InBlock::Crosses;
            }
            let start_off = off + rest.trailing_zeros() as usize;
            let space = self.space >> start_off;
            if space == 0 {
                return InBlock::Crosses;
            }
            let ws_len = start_off - off;
            let single =
                ws_len == 0 || (ws_len == 1 && matches!(self.text.get(pos), Some(b' ' | b'\t')));
            if !single {
                return InBlock::Other;
            }
            let len = space.trailing_zeros() as usize;
            let within = (1u64 << len) - 1;
            // A `?` starting the word pairs with no `=` of this word.
            let special = (self.special >> start_off) & within & !((self.pairs >> start_off) & 1);
            if special != 0 && self.utf8 {
                return InBlock::Other;
            }
            let start = self.base + start_off;
            InBlock::Found(Token {
                ws_start: pos,
                start,
                end: start + len,
                ws_cols: ws_len,
                folded: false,
                unsafe_text: special != 0,
            })
        }

        /// [`Scanner::token`] for every case: words across blocks, longer white space or
        /// folds, and characters to check with utf8 on.
        #[inline(never)]
        fn token_general(&mut self, pos: usize) -> Option<Token> {
            let text = self.text;
            if pos < self.base {
                // Only a caller going back needs this (format_words never does).
                self.load(pos);
            }
            // The word's start: the first byte that is not white space.
            let mut i = pos;
            let start = loop {
                if i >= text.len() {
                    return None;
                }
                if i >= self.base + 64 {
                    self.load(i);
                }
                let rest = !self.space >> (i - self.base);
                if rest != 0 {
                    break i + rest.trailing_zeros() as usize;
                }
                i = self.base + 64;
            };
            let ws = text.get(pos..start).unwrap_or_default();
            let folded = ws.iter().any(|&b| b == b'\r' || b == b'\n');
            let ws_cols = if folded {
                crate::fold::ws_width(ws)
            } else {
                ws.len()
            };
            // The word's end: the next white space (or the end), noting special bytes.
            let mut i = start;
            let mut unsafe_text = false;
            let end = loop {
                if i >= text.len() {
                    break text.len();
                }
                if i >= self.base + 64 {
                    self.load(i);
                }
                let off = i - self.base;
                let space = self.space >> off;
                let k = if space == 0 {
                    64 - off
                } else {
                    space.trailing_zeros() as usize
                };
                let within = if k >= 64 { !0 } else { (1u64 << k) - 1 };
                let mut special = (self.special >> off) & within;
                let mut pairs = (self.pairs >> off) & within;
                if i == start && pairs & 1 != 0 {
                    // A `?` starting the word: the `=` before it belongs to no word of this
                    // scan (only a caller starting mid-word sees this).
                    pairs &= !1;
                    special &= !1;
                }
                if !unsafe_text && special != 0 {
                    if !self.utf8 || pairs != 0 {
                        unsafe_text = true;
                    } else {
                        while special != 0 {
                            let j = special.trailing_zeros() as usize;
                            if crate::chars::encoded_only_char_len(text, i + j).is_some() {
                                unsafe_text = true;
                                break;
                            }
                            special &= special - 1;
                        }
                    }
                }
                if space != 0 {
                    break i + k;
                }
                i = self.base + 64;
            };
            Some(Token {
                ws_start: pos,
                start,
                end,
                ws_cols,
                folded,
                unsafe_text,
            })
        }
    }
}

#[cfg(test)]
mod reference {
    use crate::encoded_word::{self, Context, Text};
    use crate::fold::{ws_width, Folder, Width};
    use crate::input::{Word, Words};
    use crate::options::HARD_LINE_LIMIT;
    use crate::{chars, Error, Options};

    /// The word loop as it was before the one-pass scanner, byte by byte through the generic
    /// encoder: the reference the fast path is tested against.
    ///
    /// Writes the words of `text`, which has no trailing white space; the first word's white
    /// space is what precedes it in `text`, or one space when nothing does (the value's start).
    pub(super) fn format_words_reference(
        f: &mut Folder<'_, '_>,
        text: &[u8],
        options: &Options,
    ) -> Result<(), Error> {
        let mut words = Words::new(text).peekable();
        while let Some(word) = words.next() {
            let first = word.ws_start == word.start;
            let ws = if first {
                b" ".as_slice()
            } else {
                &text[word.ws_start..word.start]
            };
            let split = !first
                && f.can_split_run(ws_width(ws), word.end - word.start)
                && !needs_encoding_reference(text, word, true, options);
            if !needs_encoding_reference(text, word, first, options) || split {
                let token = &text[word.start..word.end];
                let width = if options.utf8 {
                    Width::of(token)
                } else {
                    Width::ascii(token.len())
                };
                match super::Token::scan(text, word.end, options).filter(|t| t.ws_cols > 1) {
                    Some(after) => {
                        let cap = super::plain_cap(text, after, f.soft_limit(), options);
                        f.space_capped(ws, width, cap, false)?;
                    }
                    _ => f.space(ws, width, false)?,
                }
                f.put(token, width);
            } else {
                // Extend the run over the following words that are encoded too.
                let mut run_end = word.end;
                while let Some(next) = words.peek() {
                    if !needs_encoding_reference(text, *next, false, options) {
                        break;
                    }
                    run_end = next.end;
                    words.next();
                }
                // White space before encoded text beyond its first character is carried inside the
                // encoded text: a long run could otherwise push an encoded-word line past 76.
                let (ws, run_start) = match ws.iter().position(|&c| c == b' ' || c == b'\t') {
                    Some(i) if ws_width(ws) > 1 => (&ws[..=i], word.ws_start + i + 1),
                    _ => (ws, word.start),
                };
                let run = Text::unfolded(&text[run_start..run_end]);
                encoded_word::write_run(f, ws, run, Context::Text, options.encoding, b"")?;
            }
        }
        Ok(())
    }

    /// Whether a word must be carried in encoded-words (see the module docs).
    #[inline]
    fn needs_encoding_reference(text: &[u8], word: Word, first: bool, options: &Options) -> bool {
        let token = &text[word.start..word.end];
        let ws = if first {
            1
        } else {
            ws_width(&text[word.ws_start..word.start])
        };
        if ws + token.len() > HARD_LINE_LIMIT {
            return true;
        }
        let mut prev = 0u8;
        for (i, &b) in token.iter().enumerate() {
            if b >= 0x80 {
                if !options.utf8 || chars::encoded_only_char_len(token, i).is_some() {
                    return true;
                }
            } else if prev == b'=' && b == b'?' {
                return true;
            }
            prev = b;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::{check_structure, decode_unstructured, fmt, fmt_with};
    use crate::{Encoding, Error, LineEnding, Options};
    use std::string::String;

    /// The implementations of the plain path, and the general path they must agree with.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum Path {
        General,
        /// `format_plain` as `classify` calls it (AVX2 when the CPU has it).
        Plain,
        /// The byte-wise loop through the folder (bare metal and non-x86 targets).
        Portable,
        #[cfg(target_arch = "x86_64")]
        Sse2,
        #[cfg(target_arch = "x86_64")]
        Avx2,
    }

    /// Every path this machine can run (AVX2 only where the CPU has it; not under Miri).
    fn paths() -> std::vec::Vec<Path> {
        let mut v = std::vec![Path::General, Path::Plain, Path::Portable];
        #[cfg(target_arch = "x86_64")]
        {
            v.push(Path::Sse2);
            if crate::scan::plain::Avx2::detect().is_some() {
                v.push(Path::Avx2);
            }
        }
        v
    }

    /// Formats `name: value` through `path` into a buffer of `cap` bytes, as `classify`
    /// does: the fast path first and, when it declines, the general path. Also says whether
    /// the fast path wrote the field.
    /// A byte no header output holds.
    const GUARD: u8 = 0xA5;

    fn run_path_taken(
        path: Path,
        name: &str,
        value: &str,
        options: &Options,
        cap: usize,
    ) -> (Result<std::vec::Vec<u8>, Error>, bool) {
        // Guard bytes: nothing may be written past the field's output (README "Performance").
        let mut buf = std::vec![GUARD; cap];
        let mut sink = crate::sink::SliceSink::new(&mut buf);
        let v = value.as_bytes();
        let taken = match path {
            Path::General => false,
            Path::Plain => super::format_plain_field(&mut sink, name, v, options),
            Path::Portable => super::format_plain_field_portable(&mut sink, name, v, options),
            #[cfg(target_arch = "x86_64")]
            Path::Sse2 => super::plain_field(crate::scan::plain::Sse2, &mut sink, name, v, options),
            #[cfg(target_arch = "x86_64")]
            Path::Avx2 => {
                let avx2 = crate::scan::plain::Avx2::detect().unwrap();
                // SAFETY: the token exists, so the CPU has AVX2.
                unsafe { super::plain_field_avx2(avx2, &mut sink, name, v, options) }
            }
        };
        let written = (|| {
            if !taken {
                let mut f = crate::fold::Folder::start(&mut sink, name, options)?;
                super::format(&mut f, value, options)?;
                f.end();
            }
            sink.finish()
        })();
        let result = written.map(|n| {
            assert!(
                buf[n..].iter().all(|&c| c == GUARD),
                "{path:?} wrote past its output ({n} of {cap} bytes)"
            );
            buf.truncate(n);
            buf
        });
        (result, taken)
    }

    fn run_path_with(
        path: Path,
        name: &str,
        value: &str,
        options: &Options,
        cap: usize,
    ) -> Result<std::vec::Vec<u8>, Error> {
        run_path_taken(path, name, value, options, cap).0
    }

    /// Runs one of the two paths by hand.
    fn run_path(value: &str, width: usize, plain: bool) -> std::vec::Vec<u8> {
        let options = Options::default().with_max_line_len(width);
        let path = if plain { Path::Plain } else { Path::General };
        run_path_with(path, "Subject", value, &options, 1 << 16).unwrap()
    }

    /// Every plain path writes what the general path writes, into a roomy buffer, a buffer of
    /// exactly the size, and buffers one byte and many bytes too small (where the exact size
    /// needed must come back).
    /// The plain path copies most continuation lines as a fixed span and the last line with
    /// vectors anchored at its end, putting back the `W` bytes before it from the text: that
    /// is only right when the line before holds at least `W` bytes. Here a line shorter than a
    /// vector (a short word the last word cannot join) comes right before the last line, at
    /// limits where both can come from the span loop.
    #[test]
    fn short_line_before_the_last_line() {
        for soft in [40usize, 41, 47, 63, 64, 72, 78, 90, 96] {
            let options = Options::default().with_max_line_len(soft);
            for lead in [0usize, 1, 2, 5, 9] {
                for short in [1usize, 4, 8, 15, 16, 17, 30] {
                    for slack in [0usize, 1, 5, 20] {
                        // The last word takes a line of its own, `slack` columns short of
                        // the limit, when it cannot join the short word before it.
                        let last = soft - 1 - slack;
                        if short + 2 + last <= soft {
                            continue;
                        }
                        let mut value = "w".repeat(lead + 1);
                        for _ in 0..8 {
                            value.push_str(" abc defgh");
                        }
                        value.push(' ');
                        value.push_str(&"s".repeat(short));
                        value.push(' ');
                        value.push_str(&"L".repeat(last));
                        all_paths_agree("X", &value, &options);
                    }
                }
            }
        }
    }

    fn all_paths_agree(name: &str, value: &str, options: &Options) -> std::vec::Vec<u8> {
        assert!(super::plain_applies(name, value.as_bytes()), "{value:?}");
        let want = run_path_with(Path::General, name, value, options, 1 << 16).unwrap();
        let n = want.len();
        // Only a word too long for a line near 998 octets is left to the general path.
        let long_word = value.split(' ').any(|w| w.len() > super::PLAIN_MAX_WORD);
        for path in paths() {
            for cap in [1 << 16, 2 * n + 8, n + n / 4, n, n - 1, n / 2, 0] {
                let (got, taken) = run_path_taken(path, name, value, options, cap);
                assert!(
                    taken || path == Path::General || long_word,
                    "{path:?} declined {value:?}"
                );
                if cap >= n {
                    assert_eq!(
                        got.as_deref(),
                        Ok(want.as_slice()),
                        "{path:?} {cap} {value:?}"
                    );
                } else {
                    assert_eq!(
                        got,
                        Err(Error::BufferTooSmall { needed: n }),
                        "{path:?} {cap}"
                    );
                }
            }
        }
        want
    }

    proptest::proptest! {
        #[test]
        fn plain_path_matches_general_path(
            words in proptest::collection::vec(proptest::prop_oneof![
                9 => "[!-~]{1,90}",
                1 => "[!-~]{870,1000}",
            ], 0..40),
            width in 40usize..=998,
            lead in proptest::bool::ANY,
        ) {
            let mut value = words.join(" ");
            if lead {
                value.insert(0, ' ');
                value.push(' ');
            }
            proptest::prop_assume!(super::plain_applies("Subject", value.as_bytes()));
            proptest::prop_assert_eq!(run_path(&value, width, true), run_path(&value, width, false));
        }

        /// The SSE2, AVX2 and portable versions each against the general path, with both line
        /// endings, names of any plain length and short buffers.
        #[test]
        fn every_plain_version_matches_general_path(
            words in proptest::collection::vec(proptest::prop_oneof![
                12 => "[!-~]{1,12}",
                4 => "[!-~]{13,90}",
                1 => "[!-~]{870,1000}",
            ], 0..60),
            width in 40usize..=998,
            name_len in 1usize..=100,
            lead in proptest::bool::ANY,
            lf in proptest::bool::ANY,
        ) {
            let mut value = words.join(" ");
            if lead {
                value.insert(0, ' ');
                value.push(' ');
            }
            let name = "X".repeat(name_len);
            proptest::prop_assume!(super::plain_applies(&name, value.as_bytes()));
            let ending = if lf { LineEnding::Lf } else { LineEnding::Crlf };
            let options = Options::default().with_max_line_len(width).with_line_ending(ending);
            all_paths_agree(&name, &value, &options);
        }
    }

    /// Lines that end exactly at the soft limit or one column past it, with the fold point
    /// (and the words around it) on every side of the 16-, 32- and 64-byte vector
    /// boundaries, at limits 78 and 998; the 78/79 cases are also checked literally.
    #[test]
    fn plain_versions_at_limits_and_vector_boundaries() {
        for width in [78usize, 998] {
            let options = Options::default().with_max_line_len(width);
            // "Subject: " takes 9 columns of the first line.
            let first = width - 9;
            for tail in [first, first + 1] {
                for cut in [1usize, 2, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 67] {
                    // Words "a..a" (cut) and "b..b" making a first line of `tail` columns,
                    // then words of every length, so later lines end at every offset too.
                    let mut value = ["a".repeat(cut), "b".repeat(tail - cut - 1)].join(" ");
                    for len in 1..=70 {
                        value.push(' ');
                        value.push_str(&"c".repeat(len));
                    }
                    let out = all_paths_agree("Subject", &value, &options);
                    let line1 = out.split(|&c| c == b'\r').next().unwrap();
                    let fits = tail == first;
                    assert_eq!(line1.len(), if fits { width } else { 9 + cut }, "{value}");
                }
            }
            // One word that fills the first line exactly, or passes it by one.
            for len in [first, first + 1] {
                let value = ["x".repeat(len), "y".repeat(5)].join(" ");
                all_paths_agree("Subject", &value, &options);
            }
        }
        let v78 = [&"a".repeat(30), " ", &"b".repeat(38)].concat();
        let want = ["Subject: ", &v78, "\r\n"].concat();
        assert_eq!(
            all_paths_agree("Subject", &v78, &Options::default()),
            want.as_bytes()
        );
        let v79 = [&"a".repeat(30), " ", &"b".repeat(39)].concat();
        let want = [
            "Subject: ",
            &"a".repeat(30),
            "\r\n ",
            &"b".repeat(39),
            "\r\n",
        ]
        .concat();
        assert_eq!(
            all_paths_agree("Subject", &v79, &Options::default()),
            want.as_bytes()
        );
        // 998 and 999 octets on the first line at the 998 limit, with the plain path's
        // longest word (880): the second stays whole and moves to the next line.
        let options = Options::default().with_max_line_len(998);
        for extra in [0usize, 1] {
            let value = ["w".repeat(880), "z".repeat(998 - 9 - 881 + extra)].join(" ");
            let out = all_paths_agree("Subject", &value, &options);
            let line1 = out.split(|&c| c == b'\r').next().unwrap();
            assert_eq!(
                line1.len(),
                if extra == 0 { 998 } else { 9 + 880 },
                "{extra}"
            );
        }
        // A word longer than the plain path takes: the general path writes the whole field.
        let value = ["v".repeat(10), "w".repeat(950), "u".repeat(3)].join(" ");
        all_paths_agree("Subject", &value, &Options::default());
        all_paths_agree("Subject", &value, &options);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// The block scanner finds the same tokens as the byte loop, for texts around the
        /// 64-byte block size.
        #[test]
        fn block_scanner_matches_byte_scanner(
            parts in proptest::collection::vec(proptest::sample::select(std::vec![
                "a", "b", " ", "\t", "\r\n ", "\n\t", "=", "?", "=?", "é", "日", "\u{85}", "\u{2028}",
                "\u{2029}", "\u{9f}", "\u{a0}", "\u{2027}", "xyzxyzxyz", "😀", "abcdefghijklmnopqrstuvwxyz",
                "\u{3000}", "\u{3001}", "\u{1680}", "\u{2000}", "\u{205f}", "\u{202f}", "\u{2030}",
            ]), 0..60),
            utf8 in proptest::bool::ANY,
        ) {
            let text = parts.concat();
            let bytes = text.as_bytes();
            let options = Options::default().with_utf8(utf8);
            let mut scanner = super::Scanner::new(bytes, &options);
            // Every start position, in order, as format_words asks (and the ends it gets).
            for pos in 0..=bytes.len() {
                let expect = super::Token::scan(bytes, pos, &options);
                let got = scanner.token(pos);
                proptest::prop_assert_eq!(got.map(key), expect.map(key));
            }
            let mut scanner = super::Scanner::new(bytes, &options);
            let mut pos = 0;
            while let Some(t) = super::Token::scan(bytes, pos, &options) {
                proptest::prop_assert_eq!(scanner.token(pos).map(key), Some(key(t)));
                pos = t.end;
            }
            proptest::prop_assert!(scanner.token(pos).is_none());
        }
    }

    fn key(t: super::Token) -> (usize, usize, usize, usize, bool, bool) {
        (
            t.ws_start,
            t.start,
            t.end,
            t.ws_cols,
            t.folded,
            t.unsafe_text,
        )
    }

    fn run_general(
        value: &str,
        options: &Options,
        lead: usize,
        reference: bool,
    ) -> Result<std::vec::Vec<u8>, Error> {
        let mut buf = std::vec![0u8; 1 << 16];
        let mut sink = crate::sink::SliceSink::new(&mut buf);
        let mut f = crate::fold::Folder::start(&mut sink, &"X".repeat(lead + 1), options)?;
        let bytes = value.as_bytes();
        let (s, e) = crate::input::trim(bytes);
        if reference {
            super::reference::format_words_reference(&mut f, &bytes[s..e], options)?;
        } else {
            super::format_words(&mut f, &bytes[s..e], options)?;
        }
        f.end();
        let n = sink.finish()?;
        buf.truncate(n);
        Ok(buf)
    }

    /// [`super::format_words`] into a buffer of `cap` bytes.
    fn run_general_cap(
        value: &str,
        options: &Options,
        cap: usize,
    ) -> Result<std::vec::Vec<u8>, Error> {
        let mut buf = std::vec![0u8; cap];
        let mut sink = crate::sink::SliceSink::new(&mut buf);
        let mut f = crate::fold::Folder::start(&mut sink, "Subject", options)?;
        let bytes = value.as_bytes();
        let (s, e) = crate::input::trim(bytes);
        super::format_words(&mut f, &bytes[s..e], options)?;
        f.end();
        let n = sink.finish()?;
        buf.truncate(n);
        Ok(buf)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        /// Words copied together and encoded-words stored straight into the buffer: a buffer
        /// of exactly the size gets the same output, and shorter ones the exact size needed.
        #[test]
        fn general_path_into_short_buffers(
            words in proptest::collection::vec("[a-z.,]{1,12}|[a-zé€😀日]{1,10}", 0..30),
            seps in proptest::collection::vec(proptest::sample::select(std::vec![" ", "  ", "\t", "\r\n "]), 30),
            width in 20usize..=120,
        ) {
            let mut value = String::new();
            for (i, w) in words.iter().enumerate() {
                value.push_str(seps[i]);
                value.push_str(w);
            }
            let options = Options::default().with_max_line_len(width);
            // A narrow limit can make a value unformattable: nothing to compare then.
            let Ok(want) = run_general_cap(&value, &options, 1 << 16) else {
                return Ok(());
            };
            let n = want.len();
            for cap in [n, n - 1, n * 2 / 3, n / 2, 9, 0] {
                let got = run_general_cap(&value, &options, cap);
                if cap >= n {
                    proptest::prop_assert_eq!(got, Ok(want.clone()));
                } else {
                    proptest::prop_assert_eq!(got, Err(Error::BufferTooSmall { needed: n }));
                }
            }
        }
    }

    /// [`super::plain_cap`] without its early exits: every run of the chain up to
    /// [`crate::fold::CAP_LOOKAHEAD`], then the bound worked back from the last, against the
    /// soft limit and 998 octets together (`at`) and 998 alone (`octets`).
    fn plain_cap_whole_chain(
        text: &[u8],
        after: super::Token,
        soft: usize,
        o: &Options,
    ) -> crate::fold::Bound {
        let mut chain = std::vec::Vec::new();
        let mut next = Some(after);
        while let Some(t) = next {
            if t.ws_cols < 2 || t.unsafe_text || chain.len() == crate::fold::CAP_LOOKAHEAD {
                break;
            }
            let word = core::str::from_utf8(&text[t.start..t.end]).unwrap();
            let chars = if o.utf8 {
                word.chars().count()
            } else {
                word.len()
            };
            chain.push((t.ws_cols, chars, word.len()));
            next = super::Token::scan(text, t.end, o);
        }
        let hard = crate::options::HARD_LINE_LIMIT;
        // `None`: the word's line is past the soft limit anyway.
        let (mut m_chars, mut m_bytes, mut m_octets) = (Some(soft), hard, hard);
        for &(w, xc, xb) in chain.iter().rev() {
            let keep_hard = if xb < m_octets && w + xb <= m_octets + hard {
                Some((w + xb).saturating_sub(m_octets))
            } else {
                None
            };
            // The word's line starts with at most `lead` of its run: within 998, and within
            // the soft limit when that line can be; else as 998 alone asks.
            let keep = if xb < m_bytes {
                let lead = match m_chars {
                    Some(c) if xc < c => (m_bytes - xb).min(c - xc),
                    _ => m_bytes - xb,
                };
                Some(w.saturating_sub(lead)).filter(|&k| k <= hard)
            } else {
                None
            };
            (m_chars, m_bytes) = match keep.or(keep_hard) {
                Some(k) if k < soft => (Some(soft - k), hard - k),
                Some(k) => (None, hard - k),
                None => (Some(soft), hard),
            };
            m_octets = keep_hard.map_or(hard, |k| hard - k);
        }
        crate::fold::Bound {
            at: crate::fold::Width {
                chars: m_chars.unwrap_or(soft),
                bytes: m_bytes,
            },
            octets: m_octets,
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// The early exits of the look-ahead over white-space runs (a run and word that
        /// reach no further than the bound any run allows ask nothing of the line before)
        /// never change the bound.
        #[test]
        fn plain_cap_exits_early_without_changing_the_bound(
            words in proptest::collection::vec(proptest::prop_oneof![
                6 => "[a-z]{1,12}",
                3 => "[a-z]{30,90}",
                1 => "[a-zé日=?]{1,6}",
                1 => "[a-z😀]{900,997}",
            ], 1..14),
            seps in proptest::collection::vec(proptest::sample::select(std::vec![
                " ", "  ", "\t\t\t", "     ", "\r\n  ", " \n\t ", " ".repeat(20).leak(),
                "\t".repeat(45).leak(),
            ]), 14),
            utf8 in proptest::bool::ANY,
            soft in 40usize..=100,
        ) {
            let mut value = String::new();
            for (i, w) in words.iter().enumerate() {
                value.push_str(seps[i]);
                value.push_str(w);
            }
            let o = crate::test_util::options(utf8, Encoding::Auto, soft, false);
            let text = value.as_bytes();
            let mut pos = 0;
            while let Some(t) = super::Token::scan(text, pos, &o) {
                if t.ws_cols > 1 {
                    proptest::prop_assert_eq!(
                        super::plain_cap(text, t, soft, &o),
                        plain_cap_whole_chain(text, t, soft, &o),
                        "{:?} at {}", value, t.start
                    );
                }
                pos = t.end;
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1500))]
        /// The one-pass word scanner and the slice encoder write exactly what the word loop
        /// and generic encoder they replaced wrote.
        #[test]
        fn general_path_matches_reference(
            words in proptest::collection::vec(proptest::prop_oneof![
                6 => "[a-zA-Z0-9.,!?=_-]{1,12}",
                4 => "[a-zé€😀日ж\u{85}\u{2028}=?_]{1,10}",
                1 => "[a-z]{900,1000}",
            ], 0..30),
            seps in proptest::collection::vec(proptest::sample::select(std::vec![" ", "  ", "\t", "\r\n ", "\n\t", " \r\n  "]), 30),
            utf8 in proptest::bool::ANY,
            encoding in proptest::sample::select(std::vec![Encoding::Auto, Encoding::Q, Encoding::B]),
            width in 20usize..=300,
            lead in 0usize..60,
        ) {
            let mut value = String::new();
            for (i, w) in words.iter().enumerate() {
                value.push_str(seps[i]);
                value.push_str(w);
            }
            let options = crate::test_util::options(utf8, encoding, width, false);
            proptest::prop_assert_eq!(
                run_general(&value, &options, lead, false),
                run_general(&value, &options, lead, true)
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// The first look before the plain scan never turns away a plain value, and turns
        /// away only values with a byte 0x80 or above.
        #[test]
        fn first_look_keeps_every_plain_value(
            v in proptest::collection::vec(proptest::prop_oneof![
                8 => 0x20u8..0x7F, 1 => proptest::prelude::any::<u8>()
            ], 0..40),
        ) {
            if crate::scan::is_plain(&v) {
                proptest::prop_assert!(super::first_look_plain(&v));
            }
            if !super::first_look_plain(&v) {
                proptest::prop_assert!(v.iter().any(|&b| b >= 0x80));
            }
        }
    }

    /// `Name: value` through [`super::format_field`] (`whole`), or by the definition: the
    /// control scan, the folder and the general word loop, in that order, into a buffer of
    /// `cap` bytes with guard bytes after the output.
    fn run_field(
        whole: bool,
        name: &str,
        value: &str,
        options: &Options,
        cap: usize,
    ) -> Result<std::vec::Vec<u8>, Error> {
        let mut buf = std::vec![GUARD; cap];
        let mut sink = crate::sink::SliceSink::new(&mut buf);
        let written = (|| {
            if whole {
                super::format_field(&mut sink, name, value, options)?;
            } else {
                let bytes = value.as_bytes();
                crate::input::check_controls(bytes)?;
                let mut f = crate::fold::Folder::start(&mut sink, name, options)?;
                let (s, e) = crate::input::trim(bytes);
                let text = &bytes[s..e];
                super::format_words_general(&mut f, text, options)?;
                f.end();
            }
            sink.finish()
        })();
        written.map(|n| {
            assert!(
                buf[n..].iter().all(|&c| c == GUARD),
                "wrote past its output ({n} of {cap} bytes)"
            );
            buf.truncate(n);
            buf
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// The whole-field entry, whose fast path checks controls in its own masks, gives
        /// what the control scan and the general path give: the same output, the same error
        /// at the same offset (a control anywhere, the trimmed edges included, and a name too
        /// long at the same time), and nothing past the output in short buffers.
        #[test]
        fn whole_field_matches_checked_general_path(
            parts in proptest::collection::vec(proptest::sample::select(std::vec![
                "a", "bc", "word", " ", " ", "\t", "\r\n ", "\n\t", "\r\n", "\r", "\n", "\0",
                "\x01", "\x0b", "\x10", "\x19", "\x1f", "\x7f", "é", "日本", "😀", "=?", "_", "\u{85}",
                "\u{2028}", "\u{a0}", "\u{3000}", "xyzxyzxyzxyz", "Grüße",
            ]), 0..50),
            utf8 in proptest::bool::ANY,
            lf in proptest::bool::ANY,
            encoding in proptest::sample::select(std::vec![Encoding::Auto, Encoding::Q, Encoding::B]),
            width in proptest::sample::select(std::vec![40usize, 76, 78, 100, 998]),
            long_name in 0u8..10,
        ) {
            let value = parts.concat();
            let options = crate::test_util::options(utf8, encoding, width, lf);
            // A name the folder refuses, now and then: the control error still comes first.
            let name = if long_name == 0 { "N".repeat(998) } else { "Subject".into() };
            let want = run_field(false, &name, &value, &options, 1 << 12);
            proptest::prop_assert_eq!(run_field(true, &name, &value, &options, 1 << 12), want.clone());
            if let Ok(want) = want {
                let n = want.len();
                for cap in [n, n - 1, n / 2, 0] {
                    let got = run_field(true, &name, &value, &options, cap);
                    if cap >= n {
                        proptest::prop_assert_eq!(got, Ok(want.clone()));
                    } else {
                        proptest::prop_assert_eq!(got, Err(Error::BufferTooSmall { needed: n }));
                    }
                }
            }
        }
    }

    /// Every kind of control at every position of a value the fast path would take
    /// otherwise, with each vector width's block edges: the same error at the same offset.
    #[test]
    fn controls_anywhere_give_the_general_error() {
        let base = "Grüße aus Köln 日本語 😀 and some plain words to fill a block or two of text";
        let base = [base, base, base].join(" ");
        let o = Options::default();
        let mut errors = 0;
        // Every C0 control but HTAB, DEL, and CR LF.
        let controls = (0u8..0x20).chain([0x7F]).filter(|&c| c != b'\t');
        let controls: std::vec::Vec<String> = controls
            .map(|c| String::from(char::from(c)))
            .chain(["\r\n".into()])
            .collect();
        for c in &controls {
            for at in (0..base.len()).filter(|&i| base.is_char_boundary(i)) {
                let value = [&base[..at], c, &base[at..]].concat();
                let want = run_field(false, "Subject", &value, &o, 1 << 12);
                // Before white space, CR LF and LF are a caller's fold.
                errors += usize::from(want.is_err());
                assert_eq!(
                    run_field(true, "Subject", &value, &o, 1 << 12),
                    want,
                    "{c:?} at {at}"
                );
            }
        }
        assert!(errors > 31 * base.chars().count(), "{errors}");
        // A fold (CR/LF then white space) at the edges goes to the general path; a bare
        // CR/LF there is an error.
        for value in [
            "\r\n Grüße",
            "Grüße\r\n ",
            " Grüße\n",
            "\rGrüße",
            "Grüße \t",
        ] {
            let want = run_field(false, "Subject", value, &o, 1 << 12);
            assert_eq!(
                run_field(true, "Subject", value, &o, 1 << 12),
                want,
                "{value:?}"
            );
        }
    }

    fn roundtrip(value: &str, options: &Options) -> String {
        let out = fmt_with("Subject", value, options).unwrap();
        check_structure(&out, options.max_line_len);
        let trimmed = value.trim_matches([' ', '\t']);
        assert_eq!(
            decode_unstructured(&out),
            trimmed.replace("\r\n", ""),
            "{out:?}"
        );
        out
    }

    #[test]
    fn empty_and_blank_values() {
        assert_eq!(fmt("Subject", "").unwrap(), "Subject: \r\n");
        assert_eq!(fmt("Subject", " \t ").unwrap(), "Subject: \r\n");
    }

    #[test]
    fn exactly_78_columns_stays_and_79_folds() {
        let v78 = [&"a".repeat(30), " ", &"b".repeat(38)].concat();
        assert_eq!(
            fmt("Subject", &v78).unwrap(),
            ["Subject: ", &v78, "\r\n"].concat()
        );
        let v79 = [&"a".repeat(30), " ", &"b".repeat(39)].concat();
        assert_eq!(
            fmt("Subject", &v79).unwrap(),
            [
                "Subject: ",
                &"a".repeat(30),
                "\r\n ",
                &"b".repeat(39),
                "\r\n"
            ]
            .concat()
        );
    }

    #[test]
    fn long_ascii_word_up_to_998_stays_whole() {
        // "Subject: " + 989 = 998 octets on the name line.
        let w = "x".repeat(989);
        assert_eq!(
            fmt("Subject", &w).unwrap(),
            ["Subject: ", &w, "\r\n"].concat()
        );
        // 990 does not fit after the name, but fits after a fold right after the colon.
        let w = "x".repeat(990);
        assert_eq!(
            fmt("Subject", &w).unwrap(),
            ["Subject:\r\n ", &w, "\r\n"].concat()
        );
        let w = "x".repeat(997);
        assert_eq!(
            fmt("Subject", &w).unwrap(),
            ["Subject:\r\n ", &w, "\r\n"].concat()
        );
        // 998 cannot fit on any line: carried as encoded-words, losslessly.
        let w = "x".repeat(998);
        let out = roundtrip(&w, &Options::default());
        assert!(out.starts_with("Subject: =?utf-8?q?xxx"));
    }

    #[test]
    fn own_spacing_is_kept() {
        assert_eq!(
            fmt("Subject", "a\t\tb   c").unwrap(),
            "Subject: a\t\tb   c\r\n"
        );
        assert_eq!(
            fmt("Subject", "hello\r\n world").unwrap(),
            "Subject: hello world\r\n"
        );
        assert_eq!(
            fmt("Subject", "hello\n\tworld").unwrap(),
            "Subject: hello\tworld\r\n"
        );
        let spaced = ["word ", &"   ".repeat(40), "end"].concat();
        roundtrip(&spaced, &Options::default());
    }

    #[test]
    fn a_white_space_run_moves_whole_to_the_next_line() {
        let narrow = Options::default().with_max_line_len(40);
        let v = [&"a".repeat(27), "      ", &"b".repeat(61)].concat();
        assert_eq!(
            fmt_with("Subject", &v, &narrow).unwrap(),
            [
                "Subject: ",
                &"a".repeat(27),
                "\r\n      ",
                &"b".repeat(61),
                "\r\n"
            ]
            .concat()
        );
    }

    #[test]
    fn long_white_space_before_encoded_text_is_carried_inside_it() {
        for spaces in [2, 40, 70, 200] {
            let v = ["word", &" ".repeat(spaces), "é and more"].concat();
            for opts in [Options::default(), Options::default().with_max_line_len(40)] {
                roundtrip(&v, &opts);
            }
        }
    }

    #[test]
    fn lookalikes_are_encoded() {
        for v in ["x=?utf-8?q?abc?=y", "=?iso-8859-1?q?caf=E9?=", "a =?b"] {
            let out = roundtrip(v, &Options::default());
            assert!(!out.contains("=?iso"), "{out}");
        }
        // "?=" alone is harmless.
        assert_eq!(
            fmt("Subject", "what?= ok").unwrap(),
            "Subject: what?= ok\r\n"
        );
    }

    #[test]
    fn four_byte_utf8_and_encodings() {
        assert_eq!(
            fmt("Subject", "😀").unwrap(),
            "Subject: =?utf-8?b?8J+YgA==?=\r\n"
        );
        let q = Options::default().with_encoding(Encoding::Q);
        assert_eq!(
            fmt_with("Subject", "😀", &q).unwrap(),
            "Subject: =?utf-8?q?=F0=9F=98=80?=\r\n"
        );
        // "zoé" is 8 characters in Q (zo=C3=A9) and in B (4 bytes): a tie goes to Q.
        assert_eq!(
            fmt("Subject", "zoé").unwrap(),
            "Subject: =?utf-8?q?zo=C3=A9?=\r\n"
        );
    }

    #[test]
    fn hard_text_round_trips_and_respects_limits() {
        let family = "👨\u{200d}👩\u{200d}👧\u{200d}👦";
        let cases = [
            family.repeat(12),
            "שלום עולם, זה מבחן של טקסט מימין לשמאל שצריך להתקפל כראוי בשורות".into(),
            "مرحبا بالعالم هذا اختبار للنص العربي الطويل الذي يجب أن يطوى بشكل صحيح".into(),
            "e\u{301}".repeat(60),
            "日本語のテキストはとても長くなることがあります。".repeat(4),
            "Mixed ascii and ünïcödé words, with 😀 emoji and\ttabs  and  spaces".repeat(3),
            ["start ", &"é".repeat(200), " end"].concat(),
            "a\u{2028}b \u{85} c\u{2029}".into(),
        ];
        for v in &cases {
            for opts in [
                Options::default(),
                Options::default().with_max_line_len(40),
                Options::default().with_encoding(Encoding::Q),
                Options::default()
                    .with_encoding(Encoding::B)
                    .with_max_line_len(100),
            ] {
                roundtrip(v, &opts);
            }
        }
    }

    #[test]
    fn unicode_line_separators_are_encoded_even_in_utf8_mode() {
        let utf8 = Options::default().with_utf8(true);
        let out = fmt_with("Subject", "a\u{2028}b ok", &utf8).unwrap();
        assert!(!out.contains('\u{2028}'));
        assert!(out.ends_with(" ok\r\n"));
        // Ordinary UTF-8 stays raw in utf8 mode.
        assert_eq!(
            fmt_with("Subject", "Grüße 😀", &utf8).unwrap(),
            "Subject: Grüße 😀\r\n"
        );
    }

    /// CPython's `email` and Perl's `Encode` drop Unicode white space between encoded-words
    /// (both lost the U+3000 below when it was written raw), so with utf8 on it is encoded,
    /// together with its neighbours; elsewhere UTF-8 stays raw.
    #[test]
    fn unicode_white_space_is_encoded_in_utf8_mode() {
        let utf8 = Options::default().with_utf8(true);
        for space in [
            "\u{a0}", "\u{1680}", "\u{2000}", "\u{200a}", "\u{202f}", "\u{205f}", "\u{3000}",
        ] {
            let value = std::format!("=?x?= {space}\t=?y?= Grüße a{space}b");
            let out = fmt_with("Subject", &value, &utf8).unwrap();
            assert!(!out.contains(space), "{space:?} raw in {out:?}");
            assert!(out.contains(" Grüße "), "{out:?}");
            assert_eq!(decode_unstructured(&out), value, "{out:?}");
        }
        // Elsewhere, and with utf8 off, nothing changes.
        let plain = fmt_with("Subject", "Grüße 日本語", &utf8).unwrap();
        assert_eq!(plain, "Subject: Grüße 日本語\r\n");
    }

    #[test]
    fn utf8_mode_counts_characters_for_the_soft_limit() {
        let utf8 = Options::default().with_utf8(true);
        // 69 two-byte characters: 78 characters on the line (147 octets), no fold needed.
        let v = [&"é".repeat(30), " ", &"é".repeat(38)].concat();
        assert_eq!(
            fmt_with("Subject", &v, &utf8).unwrap(),
            ["Subject: ", &v, "\r\n"].concat()
        );
    }

    #[test]
    fn injection_is_rejected() {
        assert_eq!(
            fmt("Subject", "hi\r\nBcc: x@y"),
            Err(Error::ControlCharacter { at: 2 })
        );
        assert_eq!(
            fmt("Subject", "hi\nBcc: x@y"),
            Err(Error::ControlCharacter { at: 2 })
        );
        assert_eq!(
            fmt("Subject", "hi\r\n"),
            Err(Error::ControlCharacter { at: 2 })
        );
        assert_eq!(
            fmt("Subject", "a\0b"),
            Err(Error::ControlCharacter { at: 1 })
        );
    }

    #[test]
    fn lf_line_endings() {
        let lf = Options::default().with_line_ending(LineEnding::Lf);
        let v = ["a".repeat(50), "b".repeat(50)].join(" ");
        assert_eq!(
            fmt_with("Subject", &v, &lf).unwrap(),
            ["Subject: ", &"a".repeat(50), "\n ", &"b".repeat(50), "\n"].concat()
        );
    }
}
