//! msg-id fields (RFC 5322 §3.6.4), List-Id (RFC 2919) and new ids.
//!
//! An id is never encoded and never folded inside: `<id-left@id-right>` is one token, and
//! folds go only between ids. Validation is strict (no obsolete syntax) because a malformed
//! id is what makes receiving servers reject or rewrite a message.

use crate::chars::{self, ATEXT, DTEXT};
use crate::fold::{Folder, Width};
use crate::input::is_space;
use crate::options::HARD_LINE_LIMIT;
#[cfg(not(target_os = "none"))]
use crate::scan;
use crate::sink::SliceSink;
use crate::{phrase, Error, Options};

#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
mod single;
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
pub(crate) use single::field as one_id_field;

/// A 16-byte nibble table in both 128-bit lanes: `vpshufb` on 256-bit vectors looks up each
/// lane in its own half of the table.
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
const fn twice(t: [u8; 16]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 16 {
        out[i] = t[i];
        out[i + 16] = t[i];
        i += 1;
    }
    out
}

/// A msg-id found in a value: `start..end` is the whole token, brackets included when the
/// caller wrote them.
struct Id {
    start: usize,
    end: usize,
    bracketed: bool,
}

/// Parses the next msg-id at or after `pos`; `None` at the end of the value.
fn next_id(b: &[u8], mut pos: usize, utf8: bool) -> Result<Option<Id>, Error> {
    while pos < b.len() && is_space(b[pos]) {
        pos += 1;
    }
    if pos == b.len() {
        return Ok(None);
    }
    // `get` instead of indexing where the compiler cannot see the bound, here and below: the
    // indices are always in range, and this keeps panic paths out of release builds
    // (scripts/check-no-panic.sh).
    if b.get(pos) == Some(&b'<') {
        let mut close = pos + 1;
        while close < b.len() && b[close] != b'>' {
            if b[close] == b'<' || is_space(b[close]) {
                return Err(blame_id(b, pos + 1, close, utf8));
            }
            if b[close] == b'[' && b.get(close - 1) == Some(&b'@') {
                // A domain literal may hold `<` and `>` (both dtext, RFC 5322 §3.6.4) and ends
                // the id: only the closing `>` may follow its `]`.
                close = literal_end(b, close + 1).map_err(|at| blame_id(b, pos + 1, at, utf8))?;
                if b.get(close) != Some(&b'>') {
                    return Err(blame_id(b, pos + 1, close, utf8));
                }
                break;
            }
            close += 1;
        }
        if close == b.len() {
            // Never closed: a byte before the end that can be in no id there is what made
            // the value invalid; only without one is it the missing `>`.
            return Err(blame_id(b, pos + 1, close, utf8));
        }
        check_id(b, pos + 1, close, utf8)?;
        let end = close + 1;
        if end < b.len() && !is_space(b[end]) && b[end] != b'<' {
            return Err(blame_after_id(b, end));
        }
        Ok(Some(Id {
            start: pos,
            end,
            bracketed: true,
        }))
    } else {
        let mut end = pos;
        while end < b.len() && !is_space(b[end]) && b[end] != b'<' {
            if b[end] == b'[' && end > pos && b.get(end - 1) == Some(&b'@') {
                // As in a bracketed id: the domain literal may hold `<` and `>` and ends the
                // id; white space, the next id's `<` or the end of the value follows its `]`.
                end = literal_end(b, end + 1).map_err(|at| blame_id(b, pos, at, utf8))?;
                if end < b.len() && !is_space(b[end]) && b[end] != b'<' {
                    return Err(blame_id(b, pos, end, utf8));
                }
                break;
            }
            if b[end] == b'>' {
                return Err(blame_id(b, pos, end, utf8));
            }
            end += 1;
        }
        check_id(b, pos, end, utf8)?;
        Ok(Some(Id {
            start: pos,
            end,
            bracketed: false,
        }))
    }
}

/// The error for text right after a complete id, starting at `at`: a line separator there is
/// a control character (SPEC §3), anything else an invalid id.
#[cold]
fn blame_after_id(b: &[u8], at: usize) -> Error {
    if chars::line_breaking_char_len(b, at).is_some() {
        return Error::ControlCharacter { at };
    }
    Error::InvalidMsgId { at }
}

/// The error for id text `b[from..to]` known to be wrong at `to` at the latest (the byte
/// there cannot follow it, or the value ends there unclosed): the first byte of the text
/// that no id could hold where it stands ([`first_id_offense`]), else `to` (README: every
/// `at` points at the first byte that made the value invalid). Out of line and cold: only
/// invalid values come here, and the scans of valid ids stay as they are.
#[cold]
#[inline(never)]
fn blame_id(b: &[u8], from: usize, to: usize, utf8: bool) -> Error {
    first_id_offense(b, from, to, utf8, false).unwrap_or_else(|| blame_after_id(b, to))
}

/// [`blame_id`] for a list-id (a dot-atom-text alone) holding `=?`.
#[cold]
#[inline(never)]
fn blame_list_id(b: &[u8], from: usize, to: usize, utf8: bool) -> Error {
    first_id_offense(b, from, to, utf8, true).unwrap_or(Error::InvalidMsgId { at: to })
}

/// The first byte of `b[from..to]` at which that text stops being the start of some valid
/// `id-left "@" id-right` (with `right`, of an id-right alone: a list-id), read left to
/// right and reported as [`check_id`] reports it: a line separator is `ControlCharacter`,
/// other non-ASCII with utf8 off `InvalidMsgId` at its first byte (SPEC §5), a `..` at its
/// second dot, a dot that ends the id-left at that dot, `=?` at its `=`. `None` when the
/// text could still become a valid id (it is only cut short).
fn first_id_offense(b: &[u8], from: usize, to: usize, utf8: bool, right: bool) -> Option<Error> {
    // `=?` can only be where it is: the structure before it decides whether an earlier byte
    // is to blame.
    let (text, eq_q) = chars::cut_at_eq_q(b, from, to);
    let bad = |at| Some(Error::InvalidMsgId { at });
    let mut right = right;
    // At the start of a dot-atom-text or right after one of its dots.
    let mut after_dot = true;
    let mut i = from;
    while let Some(&c) = text.get(i) {
        if c >= 0x80 {
            match non_ascii_len(text, i, utf8) {
                Ok(len) => i += len,
                Err(e) => return Some(e),
            }
            after_dot = false;
            continue;
        }
        match c {
            b'.' if after_dot => return bad(i),
            b'.' => after_dot = true,
            b'@' if !right => {
                if i == from {
                    return bad(i);
                }
                if after_dot {
                    return bad(i - 1);
                }
                right = true;
                after_dot = true;
                if text.get(i + 1) == Some(&b'[') {
                    return literal_offense(text, i + 2, utf8).or_else(|| eq_q.and_then(bad));
                }
            }
            _ if chars::is(c, ATEXT) => after_dot = false,
            _ => return bad(i),
        }
        i += 1;
    }
    eq_q.and_then(bad)
}

/// The length of the non-ASCII character at `text[i]` where an id may hold it, or the error
/// an id reports for it (a line separator, or any with utf8 off: SPEC §5).
fn non_ascii_len(text: &[u8], i: usize, utf8: bool) -> Result<usize, Error> {
    check_non_ascii(text, i, utf8, |at| Error::InvalidMsgId { at })?;
    Ok(text.get(i).map_or(1, |&c| chars::utf8_len(c)))
}

/// [`first_id_offense`] inside a domain literal whose text starts at `from`: only dtext (and
/// UTF-8 with utf8) up to its `]`, and nothing after that (the `>` is not in `text`).
fn literal_offense(text: &[u8], from: usize, utf8: bool) -> Option<Error> {
    let mut i = from;
    while let Some(&c) = text.get(i) {
        if c >= 0x80 {
            match non_ascii_len(text, i, utf8) {
                Ok(len) => i += len,
                Err(e) => return Some(e),
            }
            continue;
        }
        if c == b']' {
            return (i + 1 < text.len()).then_some(Error::InvalidMsgId { at: i + 1 });
        }
        if !chars::is(c, DTEXT) {
            return Some(Error::InvalidMsgId { at: i });
        }
        i += 1;
    }
    None
}

/// The offset just past the `]` of the domain literal whose text starts at `from`; the first
/// byte that cannot be in one (white space, or the end of the value) is `Err`.
fn literal_end(b: &[u8], from: usize) -> Result<usize, usize> {
    let mut i = from;
    loop {
        match b.get(i) {
            Some(b']') => return Ok(i + 1),
            Some(&c) if !is_space(c) => i += 1,
            _ => return Err(i),
        }
    }
}

/// Checks `id-left "@" id-right` in `b[start..end]`: a dot-atom-text, and a dot-atom-text or a
/// `[dtext]` literal; no `=?` anywhere (it would read as an encoded-word).
fn check_id(b: &[u8], start: usize, end: usize, utf8: bool) -> Result<(), Error> {
    let err = |at| Error::InvalidMsgId { at };
    let id = b.get(start..end).unwrap_or_default();
    if id.windows(2).any(|w| w == b"=?") {
        // Blamed where it is only when nothing before it is wrong already.
        return Err(blame_id(b, start, end, utf8));
    }
    let at = id
        .iter()
        .position(|&c| c == b'@')
        .map_or(end, |i| start + i);
    check_dot_atom(b, start, at, utf8).map_err(|e| e.unwrap_or(err(at)))?;
    if at == end {
        return Err(err(end));
    }
    if b.get(at + 1) == Some(&b'[') {
        let close = end - 1;
        if close <= at + 1 || b.get(close) != Some(&b']') {
            // Cut short (`a@[b`), or more after the literal's `]` (`a@[b]c`, its `c`).
            return Err(blame_id(b, start, end, utf8));
        }
        let mut i = at + 2;
        while i < close {
            let Some(&c) = b.get(i) else { break };
            if c >= 0x80 {
                i += check_non_ascii(b, i, utf8, err)?;
                continue;
            }
            if !chars::is(c, DTEXT) {
                return Err(err(i));
            }
            i += 1;
        }
        Ok(())
    } else {
        check_dot_atom(b, at + 1, end, utf8).map_err(|e| e.unwrap_or(err(end)))
    }
}

/// Checks that `b[start..end]` is a dot-atom-text (RFC 5322 §3.2.3; RFC 6532 UTF-8 with
/// `utf8`). `Err(None)` means it is empty; the caller knows where that is best reported.
fn check_dot_atom(b: &[u8], start: usize, end: usize, utf8: bool) -> Result<(), Option<Error>> {
    let err = |at| Error::InvalidMsgId { at };
    if start == end {
        return Err(None);
    }
    let mut after_dot = true;
    let mut i = start;
    while i < end {
        let Some(&c) = b.get(i) else { break };
        if c >= 0x80 {
            i += check_non_ascii(b, i, utf8, err)?;
            after_dot = false;
            continue;
        }
        if c == b'.' {
            if after_dot {
                return Err(Some(err(i)));
            }
            after_dot = true;
        } else if chars::is(c, ATEXT) {
            after_dot = false;
        } else {
            return Err(Some(err(i)));
        }
        i += 1;
    }
    if after_dot {
        return Err(Some(err(end - 1)));
    }
    Ok(())
}

/// A non-ASCII character inside an id: allowed only with `utf8`, and never a line separator.
/// Returns its length.
fn check_non_ascii(
    b: &[u8],
    i: usize,
    utf8: bool,
    err: impl Fn(usize) -> Error,
) -> Result<usize, Error> {
    if chars::line_breaking_char_len(b, i).is_some() {
        return Err(Error::ControlCharacter { at: i });
    }
    if !utf8 {
        return Err(err(i));
    }
    Ok(chars::utf8_len(b[i]))
}

/// Longest name the fast path takes, and longest id on a line of its own: then neither the
/// first id on the name line nor any id on a continuation line can come near 998 octets (an
/// id that shares a line is within the soft limit anyway).
#[cfg(not(target_os = "none"))]
const FAST_MAX_NAME: usize = 100;
#[cfg(not(target_os = "none"))]
const FAST_MAX_ID: usize = 896;

/// The scan behind [`format_fast`]. Tests pick one directly, so that each is compared with
/// the general path on every machine that can run it.
#[cfg(not(target_os = "none"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Engine {
    /// The best the CPU supports (checked at run time).
    Auto,
    /// 64-byte blocks of [`scan::id_masks`]: SSE2 on x86_64, byte by byte elsewhere.
    /// (`Auto` falls back to it without naming it; only tests name it.)
    #[cfg_attr(not(test), allow(dead_code))]
    Baseline,
    /// 32-byte AVX2 windows. Only for a CPU where `cpu::avx2()` is true.
    #[cfg(target_arch = "x86_64")]
    Avx2,
}

/// What a scan decided.
#[cfg(not(target_os = "none"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scanned {
    /// The grammar holds and the field is written, line ending included.
    Done,
    /// Not for the fast path: the general path decides.
    No,
    /// The scan cannot tell: another must decide (the AVX2 scan leaves to the baseline
    /// values with `?`, long lists whose ids do not hold one `@` each, and counting for a
    /// buffer that may be too small). The sink may hold some of the ids.
    Unsure,
}

/// The fast path for the common msg-id field: `<dot-atom@dot-atom>` ids, printable ASCII,
/// separated by single spaces (leading and trailing spaces allowed). Writes `Name:`, the ids
/// and the line ending exactly as [`format`] would after `Folder::start`, and returns true;
/// anything else (domain literals, bare ids, caller folds, tabs, UTF-8, any error) leaves the
/// sink as it was and returns false, so the general path decides and reports offsets.
///
/// A scan checks the grammar and where each id's `@` is, a block at a time, and collects
/// where the ids end; [`Walk`] then decides the folds and copies the ids, those that share a
/// line as one run.
#[cfg(not(target_os = "none"))]
#[inline]
pub(crate) fn format_fast(
    sink: &mut SliceSink<'_>,
    name: &str,
    value: &str,
    options: &Options,
    one: bool,
    tried: bool,
) -> bool {
    // The common one-id field first: a few vector compares in a call of their own, then the
    // copies straight into the buffer, no walk. Then two ids (a reply to a reply), also
    // without a walk. (Not again for a value they declined in `one_id_field`.)
    #[cfg(target_arch = "x86_64")]
    if !tried && value.len() <= 257 && name.len() <= FAST_MAX_NAME && crate::cpu::avx2() {
        let crlf = options.line_ending == crate::LineEnding::Crlf;
        let (name, text) = (name.as_bytes(), value.as_bytes());
        // SAFETY: the CPU has AVX2 (checked just above).
        if single::candidate(text) && unsafe { single::is_one_id(text) } {
            let total = single::write_one(sink.spare(), name, text, crlf);
            sink.commit(total);
            return true;
        }
        if !one {
            // SAFETY: as above.
            let total =
                unsafe { single::put_two(sink.spare(), name, text, crlf, options.max_line_len) };
            if total != 0 {
                sink.commit(total);
                return true;
            }
        }
    }
    format_fast_with(sink, name, value, options, one, Engine::Auto)
}

#[cfg(not(target_os = "none"))]
#[inline]
fn format_fast_with(
    sink: &mut SliceSink<'_>,
    name: &str,
    value: &str,
    options: &Options,
    one: bool,
    engine: Engine,
) -> bool {
    // Slice patterns: the index loops kept a bounds check in the loop and their three
    // indices in registers (~20 instructions more per References field).
    let mut text = value.as_bytes();
    while let [b' ', rest @ ..] = text {
        text = rest;
    }
    while let [rest @ .., b' '] = text {
        text = rest;
    }
    if name.len() > FAST_MAX_NAME || text.first() != Some(&b'<') || text.last() != Some(&b'>') {
        return false;
    }
    let mark = sink.len();
    let room = sink.spare().len();
    // The walk stores the lines only when the buffer has room for the largest output a text
    // of this length can give: each id takes at least five bytes and the space before it,
    // so there are at most `len / 6` folds of two bytes (bounded by `len / 2` here, which
    // needs no division). Otherwise it counts, and when the output fits after all, a second
    // pass writes it.
    let most = name.len() + 2 + text.len() + text.len() / 2 + 2;
    let write = room >= most;
    let mut scanned = fast_engines(sink, name, text, options, one, engine, write, mark);
    if scanned == Scanned::Done && !write && sink.len() - mark <= room {
        scanned = write_again(sink, name, text, options, one, engine, mark);
    }
    if scanned != Scanned::Done {
        sink.rewind(mark);
    }
    scanned == Scanned::Done
}

/// The second pass of [`format_fast_with`] for a buffer that holds the output but not the
/// largest possible one (rare: out of line, so that the usual path stays small).
#[cfg(not(target_os = "none"))]
#[cold]
#[inline(never)]
fn write_again(
    sink: &mut SliceSink<'_>,
    name: &str,
    text: &[u8],
    options: &Options,
    one: bool,
    engine: Engine,
    mark: usize,
) -> Scanned {
    sink.rewind(mark);
    fast_engines(sink, name, text, options, one, engine, true, mark)
}

/// The engines in turn, until one decides; the sink is rewound to `mark` between them.
#[cfg(not(target_os = "none"))]
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn fast_engines(
    sink: &mut SliceSink<'_>,
    name: &str,
    text: &[u8],
    options: &Options,
    one: bool,
    engine: Engine,
    write: bool,
    mark: usize,
) -> Scanned {
    let mut scanned = Scanned::Unsure;
    #[cfg(target_arch = "x86_64")]
    if engine == Engine::Avx2 || (engine == Engine::Auto && crate::cpu::avx2()) {
        // SAFETY: the CPU has AVX2 and POPCNT (`cpu::avx2()` checks both): checked just
        // above for `Auto`, and by the tests before they choose `Avx2`.
        scanned = fast_once(sink, name, text, options, one, write, |t, w| unsafe {
            avx2::scan(t, w)
        });
        if scanned == Scanned::Unsure {
            sink.rewind(mark);
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (engine, mark); // The baseline is the only engine here.
    if scanned == Scanned::Unsure {
        scanned = fast_once(sink, name, text, options, one, write, scan_baseline);
    }
    scanned
}

/// Writes the field with one scan; the caller rewinds the sink unless the scan is done.
/// `write`: whether the walk stores the lines or only counts them.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn fast_once(
    sink: &mut SliceSink<'_>,
    name: &str,
    text: &[u8],
    options: &Options,
    one: bool,
    write: bool,
    scan: impl FnOnce(&[u8], &mut Walk<'_, '_>) -> Scanned,
) -> Scanned {
    sink.write(name.as_bytes());
    sink.byte(b':');
    let mut walk = Walk::new(sink, name.len(), text, options, one, write);
    scan(text, &mut walk)
}

/// Writes the line ending. Slices of constant length are copied inline; choosing between
/// `b"\r\n"` and `b"\n"` as a slice would call `memcpy` instead.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn eol(sink: &mut SliceSink<'_>, crlf: bool) {
    if crlf {
        sink.write(b"\r\n");
    } else {
        sink.write(b"\n");
    }
}

/// Writes `line` and the line ending that ends the field, with a few unaligned vector moves
/// (no `memcpy` call) when they fit.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn put_last(sink: &mut SliceSink<'_>, line: &[u8], crlf: bool) {
    let n = line.len();
    let total = n + 1 + usize::from(crlf);
    if let Some((dst, rest)) = sink
        .spare()
        .get_mut(..total)
        .and_then(|d| d.split_at_mut_checked(n))
    {
        copy_line(dst, line);
        if let Some(e) = rest.first_chunk_mut::<2>() {
            *e = *b"\r\n";
        } else if let Some(e) = rest.first_mut() {
            *e = b'\n';
        }
        sink.commit(total);
    } else {
        sink.write(line);
        eol(sink, crlf);
    }
}

/// `dst.copy_from_slice(src)` for a line (equal lengths): up to 128 bytes (every line at the
/// default soft limit) as the first and the last 16, 32 or 64 bytes, which overlap; longer
/// lines with `memcpy`.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn copy_line(dst: &mut [u8], src: &[u8]) {
    let n = src.len();
    if dst.len() != n || n > 128 {
        dst.copy_from_slice(src);
    } else if n > 64 {
        copy_ends::<64>(dst, src);
    } else if n > 32 {
        copy_ends::<32>(dst, src);
    } else if n >= 16 {
        copy_ends::<16>(dst, src);
    } else if n >= 8 {
        copy_ends::<8>(dst, src);
    } else {
        for (d, &s) in dst.iter_mut().zip(src) {
            *d = s;
        }
    }
}

/// For `W <= n <= 2 * W` (`n` the length of both): the first and the last `W` bytes.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn copy_ends<const W: usize>(dst: &mut [u8], src: &[u8]) {
    let n = src.len();
    let head = src.first_chunk::<W>();
    let tail = src
        .get(n.wrapping_sub(W)..)
        .and_then(|t| t.first_chunk::<W>());
    if let (Some(&head), Some(&tail)) = (head, tail) {
        if let Some(d) = dst.first_chunk_mut::<W>() {
            *d = head;
        }
        if let Some(d) = dst
            .get_mut(n.wrapping_sub(W)..)
            .and_then(|t| t.first_chunk_mut::<W>())
        {
            *d = tail;
        }
    }
}

/// Blocks of 64 bytes the scans hand to [`Walk`] at once: the walk's copies are calls, and
/// the vector registers of a scan would be saved around each one (the scans check the whole
/// text before the last blocks are walked; a long one is partly written before that).
#[cfg(not(target_os = "none"))]
const WALK_BLOCKS: usize = 16;

/// The `>` and `@` masks of a scan, 64-byte block by block, for [`Walk`].
#[cfg(not(target_os = "none"))]
struct Ends {
    /// Bit `i` of `gt[k]` / `at[k]`: `text[base + 64 * k + i]` is `>` / `@`.
    gt: [u64; WALK_BLOCKS],
    at: [u64; WALK_BLOCKS],
    len: usize,
    base: usize,
}

#[cfg(not(target_os = "none"))]
impl Ends {
    #[inline(always)]
    fn new() -> Self {
        Ends {
            gt: [0; WALK_BLOCKS],
            at: [0; WALK_BLOCKS],
            len: 0,
            base: 0,
        }
    }

    /// The next block: bit `i` of `gt` / `at` is set when its byte `i` is `>` / `@`. False
    /// when `walk` refuses the ids.
    #[inline(always)]
    fn push(&mut self, walk: &mut Walk<'_, '_>, gt: u64, at: u64) -> bool {
        if let (Some(g), Some(a)) = (self.gt.get_mut(self.len), self.at.get_mut(self.len)) {
            (*g, *a) = (gt, at);
        }
        self.len += 1;
        if self.len == WALK_BLOCKS {
            let ok = walk.ids_out_of_line(self.base, &self.gt, &self.at);
            self.base += 64 * WALK_BLOCKS;
            self.len = 0;
            return ok;
        }
        true
    }

    /// After the last block: `walk` writes the rest.
    #[inline(always)]
    fn finish(&mut self, walk: &mut Walk<'_, '_>) -> bool {
        let n = self.len.min(WALK_BLOCKS);
        walk.ids(
            self.base,
            self.gt.get(..n).unwrap_or_default(),
            self.at.get(..n).unwrap_or_default(),
        ) && walk.finish()
    }
}

/// Decides the folds between ids and writes them, given where they end; the scans check
/// everything else.
///
/// The output is the text with a line ending inserted before the space of each fold: byte
/// `j` of the text goes to `out[1 + j + shift]` (`out` is the buffer after `Name:`, whose
/// first byte is the space after the colon), where `shift` grows by the length of the line
/// ending at each fold. Each line is stored as whole 32-byte vectors while the text has 32
/// bytes left to load: the bytes stored past a line's end are overwritten by the line
/// ending and the next line, and never reach past the end of the output (the text after
/// them is written too, at the same or a larger shift). Only the last bytes of the text
/// are stored with exact lengths.
#[cfg(not(target_os = "none"))]
struct Walk<'w, 's> {
    sink: &'w mut SliceSink<'s>,
    text: &'w [u8],
    soft: usize,
    crlf: bool,
    one: bool,
    /// Whether the buffer is known to hold the whole output: otherwise the walk only counts,
    /// and [`format_fast_with`] writes again once it knows that the output fits.
    write: bool,
    /// The current line holds `text[run..prev_end]` (the space before its first id too, on
    /// a continuation line). `prev_end` is `usize::MAX` before the first id.
    run: usize,
    prev_end: usize,
    /// An id ending at `e` stays on the current line when `e - run <= later` (the first id
    /// always does). On the name line `later` is the soft limit less `Name: `, since that
    /// line's text starts at `run = 0`; on the others it is the soft limit. A field of one
    /// id has 0: a second id folds, and [`Walk::resume`] refuses the fold.
    later: usize,
    /// Where the current line goes: `text[j]` is stored at `out[j + shift]`.
    shift: usize,
    /// Bit 63 set: the id being read has had its `@` (in an earlier block). No id in a
    /// block has its own `@` at bit 63 (its `>` would be later), so the bit counts as one
    /// more `@` of the block's first id.
    carry: u64,
}

#[cfg(not(target_os = "none"))]
impl<'w, 's> Walk<'w, 's> {
    /// A walk writing after `Name:` (already in the sink); `write` as in [`Walk::write`].
    #[inline(always)]
    fn new(
        sink: &'w mut SliceSink<'s>,
        name_len: usize,
        text: &'w [u8],
        options: &Options,
        one: bool,
        write: bool,
    ) -> Self {
        let crlf = options.line_ending == crate::LineEnding::Crlf;
        let soft = options.max_line_len;
        Walk {
            sink,
            text,
            soft,
            crlf,
            one,
            write,
            run: 0,
            prev_end: usize::MAX,
            later: if one {
                0
            } else {
                soft.saturating_sub(name_len + 2)
            },
            shift: 1,
            carry: 0,
        }
    }

    /// The walk's state and its fixed context, copied out of `self`: a scan that walks each
    /// block as it goes keeps them in registers (stores to `self` would otherwise follow
    /// every id), and hands the state back with [`Walk::resume`].
    #[inline(always)]
    fn lines(&self) -> (Lines<'w>, Line) {
        let crlf = self.crlf;
        let lines = Lines {
            text: self.text,
            soft: self.soft,
            step: 1 + usize::from(crlf),
            // Two bytes stored for either ending: after `\n` comes the space of the next
            // line, which that line stores again.
            ending: if crlf { *b"\r\n" } else { *b"\n " },
            write: self.write,
        };
        let line = Line {
            run: self.run,
            prev_end: self.prev_end,
            later: self.later,
            // The name line's limit before the first id too: a first id within it is within
            // the soft limit (so within 998 octets); one past it is for `Line::end_id`.
            limit: self.later,
            shift: self.shift,
            carry: self.carry,
            bad: 0,
        };
        (lines, line)
    }

    /// Takes back the state a scan walked with; false when the ids were refused (a field
    /// of one id refuses any fold: a second id always folds, see `later`).
    #[inline(always)]
    fn resume(&mut self, line: Line) -> bool {
        (self.run, self.prev_end, self.shift, self.carry, self.later) =
            (line.run, line.prev_end, line.shift, line.carry, line.later);
        line.bad == 0 && !(self.one && line.shift != 1)
    }

    /// The ids that end in the blocks of 64 bytes from `base` (bit `i` of `gt[k]` / `at[k]`
    /// marks a `>` / `@` at `base + 64 * k + i`), with [`Lines::block`].
    #[inline(always)]
    fn ids(&mut self, base: usize, gt: &[u64], at: &[u64]) -> bool {
        let (lines, mut line) = self.lines();
        let out = self.sink.spare();
        for (k, (&g, &a)) in gt.iter().zip(at).enumerate() {
            lines.block(&mut line, out, base + 64 * k, g, a);
            if line.bad != 0 {
                break;
            }
        }
        self.resume(line)
    }

    /// [`Walk::ids`] out of line, for the scans' loops: the vector registers of a scan
    /// would otherwise be saved around the walk.
    #[inline(never)]
    fn ids_out_of_line(&mut self, base: usize, gt: &[u64], at: &[u64]) -> bool {
        self.ids(base, gt, at)
    }

    /// Writes the text as the field's only id, on the name line, and the line ending: for a
    /// text that is one id (its only `>` its last byte, one `@`) of at most 192 bytes (what
    /// the short scan takes), which [`FAST_MAX_NAME`] keeps within 998, and nothing written
    /// yet.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    fn single(&mut self) {
        self.sink.byte(b' ');
        put_last(self.sink, self.text, self.crlf);
    }

    /// Writes the last line and the line ending, and reports the field to the sink.
    #[inline(always)]
    fn finish(&mut self) -> bool {
        if self.carry != 0 || self.prev_end == usize::MAX {
            return false;
        }
        let (text, n, shift) = (self.text, self.text.len(), self.shift);
        let out = self.sink.spare();
        if self.write {
            if let Some(d) = out.first_mut() {
                *d = b' ';
            }
            store_last(out, text, self.run, shift);
            if self.crlf {
                if let Some(d) = out.get_mut(n + shift..).and_then(|d| d.first_chunk_mut()) {
                    *d = *b"\r\n";
                }
            } else if let Some(d) = out.get_mut(n + shift) {
                *d = b'\n';
            }
        }
        self.sink.commit(n + shift + 1 + usize::from(self.crlf));
        true
    }
}

/// What [`Lines::block`] keeps from one block to the next (see [`Walk`]).
#[cfg(not(target_os = "none"))]
#[derive(Clone, Copy)]
struct Line {
    run: usize,
    prev_end: usize,
    later: usize,
    /// The next id stays on the current line when it ends within `limit` of `run` (the
    /// same as `later`).
    limit: usize,
    shift: usize,
    carry: u64,
    /// Nonzero once an id is refused (checked after the last block: refused ids only
    /// waste the stores of a field that goes to the general path).
    bad: u64,
}

#[cfg(not(target_os = "none"))]
impl Line {
    /// The id that ends at `e` (after its `>`). When it ends past `limit` of `run`, the line
    /// folds before the space at `prev_end`: `store` writes the line and its ending
    /// (`run`, `prev_end`, `shift`), and the new line, the space and the id, may take
    /// FAST_MAX_ID + 1 octets (a line that does not fold is within the soft limit). A first
    /// id past the name line's limit stays on the name line when it ends within FAST_MAX_ID
    /// (with `Name: ` within 998 octets, FAST_MAX_NAME), and is refused otherwise: false,
    /// `bad` set, the state otherwise left as it was (for the blocks a scan still walks).
    #[inline(always)]
    fn end_id(
        &mut self,
        lines: &Lines<'_>,
        e: usize,
        store: impl FnOnce(usize, usize, usize),
    ) -> bool {
        if e - self.run > self.limit {
            if self.prev_end == usize::MAX {
                if e > FAST_MAX_ID {
                    self.bad = 1;
                    return false;
                }
            } else {
                if lines.write {
                    store(self.run, self.prev_end, self.shift);
                }
                self.bad |= u64::from(e.wrapping_sub(self.prev_end) > FAST_MAX_ID + 1);
                self.shift += lines.step;
                self.run = self.prev_end;
                self.later = lines.soft;
            }
        }
        self.limit = self.later;
        self.prev_end = e;
        true
    }
}

/// The fixed part of a walk (see [`Walk`]).
#[cfg(not(target_os = "none"))]
#[derive(Clone, Copy)]
struct Lines<'t> {
    text: &'t [u8],
    soft: usize,
    /// The length of the line ending.
    step: usize,
    ending: [u8; 2],
    write: bool,
}

#[cfg(not(target_os = "none"))]
impl Lines<'_> {
    /// The ids that end in the block of 64 bytes at `base` (bit `i` of `gt` / `at`: a `>` /
    /// `@` at `base + i`): folds decided, lines before the folds stored into `out`.
    ///
    /// In a list the scans accept otherwise, each id must hold exactly one `@`; an id is
    /// what ends at a `>` (the scans have checked where the `<` are). The checks are
    /// gathered without branches into `line.bad`. The only branches per id are the loop's
    /// and the fold.
    #[inline(always)]
    fn block(&self, line: &mut Line, out: &mut [u8], base: usize, gt: u64, at: u64) {
        let mut l = *line;
        let (mut ends, mut ats) = (gt, at);
        let first = base + 1;
        while ends != 0 {
            // This id's `@`s in this block (those up to its `>`), and the one carried from
            // earlier blocks: exactly one. (As bits: a branch would be mispredicted.)
            let upto = ends ^ (ends - 1);
            let mine = (ats & upto) | l.carry;
            ats &= !upto;
            l.carry = 0;
            l.bad |= (mine & mine.wrapping_sub(1)) | u64::from(mine == 0);
            let e = first + ends.trailing_zeros() as usize;
            ends &= ends - 1;
            let store = |run, prev_end, shift| {
                store_fold(out, self.text, run, prev_end, shift, self.ending);
            };
            if !l.end_id(self, e, store) {
                break;
            }
        }
        // `@`s after the block's last `>` belong to the next id: at most one, and none when
        // it has one already. (Without a branch: ids cross blocks at random.)
        let c = u64::from(ats != 0) << 63;
        l.bad |= (ats & ats.wrapping_sub(1)) | (c & l.carry);
        l.carry |= c;
        *line = l;
    }
}

/// Stores the line `text[from..to]` at `out[from + shift..]` and `ending` after it: a line
/// of up to 126 bytes (every line at the usual soft limits) as one 128-byte store with the
/// ending put into it, which may reach past the ending (see [`Walk`]); otherwise exactly,
/// out of line.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn store_fold(out: &mut [u8], text: &[u8], from: usize, to: usize, shift: usize, ending: [u8; 2]) {
    let n = to - from;
    if n <= 126 {
        if let (Some(s), Some(d)) = (
            text.get(from..).and_then(|s| s.first_chunk::<128>()),
            out.get_mut(from + shift..)
                .and_then(|d| d.first_chunk_mut::<128>()),
        ) {
            *d = *s;
            if let Some(e) = d.get_mut(n..).and_then(|e| e.first_chunk_mut::<2>()) {
                *e = ending;
            }
            return;
        }
    }
    store_fold_exact(out, text, from, to, shift, ending);
}

/// [`store_fold`] for a long line or one near the end of the text.
#[cfg(not(target_os = "none"))]
#[cold]
#[inline(never)]
fn store_fold_exact(
    out: &mut [u8],
    text: &[u8],
    from: usize,
    to: usize,
    shift: usize,
    ending: [u8; 2],
) {
    store_line(out, text, from, to, shift);
    if let Some(d) = out
        .get_mut(to + shift..)
        .and_then(|d| d.first_chunk_mut::<2>())
    {
        *d = ending;
    }
}

/// Stores `text[from..to]` at `out[from + shift..]`: a line of up to 128 bytes (every line
/// at the usual soft limits) as 128 bytes, which may reach past `to` (see [`Walk`]); exactly
/// where the text has fewer bytes left, or the line is longer.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn store_line(out: &mut [u8], text: &[u8], from: usize, to: usize, shift: usize) {
    let (Some(src), Some(dst)) = (text.get(from..), out.get_mut(from + shift..)) else {
        return;
    };
    let n = to - from;
    // One size for all the short lines: a branch on their length would be mispredicted.
    if n <= 128 {
        if let (Some(s), Some(d)) = (src.first_chunk::<128>(), dst.first_chunk_mut::<128>()) {
            *d = *s;
            return;
        }
    }
    if let (Some(s), Some(d)) = (src.get(..n), dst.get_mut(..n)) {
        copy_line(d, s);
    }
}

/// Stores the last line, `text[from..]`, at `out[from + shift..]`, nothing past its end:
/// whole 32-byte vectors, the last of them ending with the text (it overlaps the one
/// before, which holds the same bytes there).
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn store_last(out: &mut [u8], text: &[u8], from: usize, shift: usize) {
    let n = text.len();
    if n - from < 32 {
        if let (Some(s), Some(d)) = (text.get(from..), out.get_mut(from + shift..n + shift)) {
            copy_line(d, s);
        }
        return;
    }
    let mut c = from;
    while c + 32 < n {
        if let (Some(s), Some(d)) = (
            text.get(c..).and_then(|s| s.first_chunk::<32>()),
            out.get_mut(c + shift..)
                .and_then(|d| d.first_chunk_mut::<32>()),
        ) {
            *d = *s;
        }
        c += 32;
    }
    if let (Some(s), Some(d)) = (
        text.get(n - 32..).and_then(|s| s.first_chunk::<32>()),
        out.get_mut(n - 32 + shift..)
            .and_then(|d| d.first_chunk_mut::<32>()),
    ) {
        *d = *s;
    }
}

/// The grammar on [`scan::id_masks`], 64 bytes at a time: the only adjacent delimiters are
/// `> <`, `<` and SP follow a delimiter, `>` and SP are followed by one, no `=?`, no
/// character outside atext and the delimiters.
#[cfg(not(target_os = "none"))]
fn scan_baseline(text: &[u8], walk: &mut Walk<'_, '_>) -> Scanned {
    // Bit 0 of the carries: the byte before this block was a delimiter / '>' / SP / '='. The
    // text starts as if after a space.
    let (mut c_delim, mut c_gt, mut c_sp, mut c_eq) = (1u64, 0u64, 1u64, 0u64);
    let mut ends = Ends::new();
    for chunk in text.chunks(64) {
        let valid = u64::MAX >> (64 - chunk.len());
        let m = scan::id_masks(chunk);
        let d_prev = (m.delim << 1) | c_delim;
        let gt_prev = (m.gt << 1) | c_gt;
        let sp_prev = (m.sp << 1) | c_sp;
        let bad = m.bad
            | (m.delim & d_prev & !((m.sp & gt_prev) | (m.lt & sp_prev)))
            | ((gt_prev | sp_prev) & !m.delim & valid)
            | ((m.lt | m.sp) & !d_prev)
            | (((m.eq << 1) | c_eq) & m.q);
        if bad != 0 || !ends.push(walk, m.gt, m.at) {
            return Scanned::No;
        }
        c_delim = m.delim >> 63;
        c_gt = m.gt >> 63;
        c_sp = m.sp >> 63;
        c_eq = m.eq >> 63;
    }
    if ends.finish(walk) {
        Scanned::Done
    } else {
        Scanned::No
    }
}

/// The AVX2 scan: 32 bytes per step, the grammar checked in vector registers, so that only
/// the `>` and `@` masks leave them.
///
/// Two nibble lookups (`vpshufb`) give each byte a class: a code in the low nibble (SP,
/// `@`, `<`, `.`, `>`; 0 for atext and for the bytes flagged otherwise), a flag in bits
/// 4..=6 for the specials `"(),:;[\]` and bit 7 for `?`. Two more lookups, on the class of
/// each byte and of the byte before it, flag every pair the grammar forbids. The flags, the
/// classes and a signed minimum (for controls, DEL and non-ASCII) are accumulated and
/// tested at the end. `?` is rare in ids, and would need a check for `=?`: a value with one
/// goes to the baseline scan.
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
mod avx2 {
    use super::{twice, Line, Scanned, Walk, FAST_MAX_ID};
    use core::arch::x86_64::{
        __m256i, _mm256_add_epi8, _mm256_alignr_epi8, _mm256_and_si256, _mm256_cmpgt_epi8,
        _mm256_loadu_si256, _mm256_min_epi8, _mm256_movemask_epi8, _mm256_or_si256,
        _mm256_permute2x128_si256, _mm256_set1_epi8, _mm256_setzero_si256, _mm256_shuffle_epi8,
        _mm256_srli_epi16, _mm256_storeu_si256, _mm256_testz_si256,
    };

    // Class codes. Each is the AND of a row bit set (high nibble) and a column bit set (low
    // nibble): bit 0 = rows 2..=7 x every column (the printable bytes: controls and
    // non-ASCII bytes have class 0, which breaks a rule after any class, see `CUR`); bit 1 =
    // row 3 x columns 0, C, E (`0`, `<`, `>`); bit 2 = rows 2, 3 x columns 0, E (SP, `.`,
    // `0`, `>`); bit 3 = rows 2, 3, 4 x column 0 (SP, `0`, `@`). atext has bit 0 alone, or
    // all four (`0`).
    pub(super) const ATEXT: i8 = 0b0001;
    /// The class of `0`, atext too.
    const ATEXT_0: i8 = 0b1111;
    pub(super) const AT: i8 = 0b1001;
    pub(super) const SP: i8 = 0b1101;
    pub(super) const LT: i8 = 0b0011;
    pub(super) const DOT: i8 = 0b0101;
    pub(super) const GT: i8 = 0b0111;
    /// Bits 4..=6 (the specials): row 2 x columns 2, 8, 9, C (`"(),`); row 3 x columns A, B
    /// (`:;`); row 5 x columns B, C, D (`[\]`).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(super) const SPECIAL: i8 = 0x70;
    /// Bit 7: rows 3, 7 x column F (`?` and DEL). Both are rare: a value with either is
    /// left to the baseline scan, and DEL needs no check of its own here.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(super) const QUESTION: i8 = -0x80;
    /// The flag bits of a class, and the rule bits of a pair.
    const HIGH: i8 = -0x10;
    /// A class, as the first byte of a pair, that breaks no rule: `vpshufb` gives 0 for an
    /// index with bit 7 set.
    const NEUTRAL: i8 = -0x80;

    /// Class bits by low nibble and by high nibble.
    const LO: [u8; 16] = [
        0x0F, 0x01, 0x11, 0x01, 0x01, 0x01, 0x01, 0x01, 0x11, 0x11, 0x21, 0x61, 0x53, 0x41, 0x07,
        0x81,
    ];
    const HI: [u8; 16] = [
        0, 0, 0x1D, 0xAF, 0x09, 0x41, 0x01, 0x81, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    // The forbidden pairs, as four rules. CUR has the rules a byte's class can break as the
    // second byte of a pair, PREV those it can break as the first; a pair is forbidden when
    // they share a rule. With the text's own first `<` and last `>` this leaves exactly
    // `id (SP id)*` with `id = "<" dot-atom-text ("@" dot-atom-text)* ">"`; [`Walk`] counts
    // the `@`. (`vpshufb` gives 0 for `?`, whose bit 7 is set: such values are not decided
    // here.)
    // The rule bits are the high nibble, where the classes have their flags: a window's
    // pairs and classes are accumulated together, and one test of the high nibbles finds
    // a forbidden pair, a special and a `?` (the baseline scan then decides).
    /// `.`, `@` and `>` only after atext.
    const AFTER_ATEXT: u8 = 0x10;
    /// atext never after `>` or SP.
    const NOT_AFTER_GT_SP: u8 = 0x20;
    /// `<` only after SP.
    const LT_AFTER_SP: u8 = 0x40;
    /// SP only after `>`.
    const SP_AFTER_GT: u8 = 0x80;
    const CUR: [u8; 16] = {
        let mut t = [0u8; 16];
        // A control or a non-ASCII byte breaks a rule after any class (the PREV entry of
        // each has one of these two, SP's too, as at the start of the text): the long scan
        // finds them with the pairs, without a minimum of the bytes. (The byte before its
        // last windows is neutral instead, but was checked with the block before.)
        t[0] = LT_AFTER_SP | SP_AFTER_GT;
        t[ATEXT as usize] = NOT_AFTER_GT_SP;
        t[ATEXT_0 as usize] = NOT_AFTER_GT_SP;
        t[DOT as usize] = AFTER_ATEXT;
        t[AT as usize] = AFTER_ATEXT;
        t[GT as usize] = AFTER_ATEXT;
        t[LT as usize] = LT_AFTER_SP;
        t[SP as usize] = SP_AFTER_GT;
        t
    };
    const PREV: [u8; 16] = {
        let mut t = [0u8; 16];
        t[0] = AFTER_ATEXT | NOT_AFTER_GT_SP | LT_AFTER_SP | SP_AFTER_GT;
        t[ATEXT as usize] = LT_AFTER_SP | SP_AFTER_GT;
        t[ATEXT_0 as usize] = LT_AFTER_SP | SP_AFTER_GT;
        t[DOT as usize] = AFTER_ATEXT | LT_AFTER_SP | SP_AFTER_GT;
        t[AT as usize] = AFTER_ATEXT | LT_AFTER_SP | SP_AFTER_GT;
        t[LT as usize] = AFTER_ATEXT | LT_AFTER_SP | SP_AFTER_GT;
        t[GT as usize] = AFTER_ATEXT | NOT_AFTER_GT_SP | LT_AFTER_SP;
        t[SP as usize] = AFTER_ATEXT | NOT_AFTER_GT_SP | SP_AFTER_GT;
        t
    };

    /// By class: bit 7 for `>`, bit 6 for `@`, so that one lookup and two `vpmovmskb`
    /// give both masks (two compares would need two more constant registers).
    const MARK: [u8; 16] = {
        let mut t = [0u8; 16];
        t[GT as usize] = 0x80;
        t[AT as usize] = 0x40;
        t
    };

    /// [`CUR`] or [`PREV`] for the long scan ([`long`]), which accumulates the pairs apart
    /// from the classes: the rule in bit 7 moved to bit 0, and bit 7 set for `mark`, so that
    /// the lookups give the masks. `vpmovmskb` of the CUR lookup is the `@` mask, and of
    /// the PREV lookup the `>` mask shifted by one byte: the ends of the ids, as the walk
    /// counts them, without the MARK lookup (a pair of both marks, `@` after `>`, breaks
    /// [`AFTER_ATEXT`] anyway).
    const fn marked(t: [u8; 16], mark: i8) -> [u8; 16] {
        let mut m = [0u8; 16];
        let mut i = 0;
        while i < 16 {
            m[i] = (t[i] & 0x7F) | (t[i] >> 7);
            i += 1;
        }
        m[mark as usize] |= 0x80;
        m
    }

    static TABLES: [[u8; 32]; 7] = [
        twice(LO),
        twice(HI),
        twice(CUR),
        twice(PREV),
        twice(MARK),
        twice(marked(CUR, AT)),
        twice(marked(PREV, GT)),
    ];
    /// 32 bytes of 0xFF then 32 of 0: 32 bytes from `32 - n` keep the first `n` of a window.
    static KEEP: [u8; 64] = {
        let mut k = [0u8; 64];
        let mut i = 0;
        while i < 32 {
            k[i] = 0xFF;
            i += 1;
        }
        k
    };

    struct Tables {
        lo: __m256i,
        hi: __m256i,
        cur: __m256i,
        prev: __m256i,
        mark: __m256i,
        /// [`marked`] CUR and PREV, for [`long`].
        cur_at: __m256i,
        prev_gt: __m256i,
    }

    /// What the windows found so far.
    struct Acc {
        /// OR of the classes and of the pairs' rule bits: a high nibble set for a
        /// special, a `?` or a forbidden pair.
        bad: __m256i,
        /// Signed minimum of the bytes: below 0x20 for controls and non-ASCII.
        min: __m256i,
        /// Classes of the 32 bytes before the next window, when that window follows on.
        last: __m256i,
    }

    impl Acc {
        /// Nothing found yet; the text starts as if after a space.
        #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
        #[inline]
        fn new() -> Self {
            Acc {
                bad: _mm256_setzero_si256(),
                min: _mm256_set1_epi8(0x7F),
                last: _mm256_set1_epi8(SP),
            }
        }
    }

    /// What the windows of [`long`] found so far: [`Acc`] with the pairs apart from the
    /// classes (their rule bits are not all in the high nibble there).
    struct LongAcc {
        /// OR of the classes: a high nibble set for a special or a `?`.
        classes: __m256i,
        /// OR of the pairs' lookups: nonzero for a forbidden pair, and for a control or a
        /// non-ASCII byte (class 0, see [`CUR`]).
        pairs: __m256i,
        /// As [`Acc::last`].
        last: __m256i,
    }

    impl LongAcc {
        /// Nothing found yet; the text starts as if after a space.
        #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
        #[inline]
        fn new() -> Self {
            LongAcc {
                classes: _mm256_setzero_si256(),
                pairs: _mm256_setzero_si256(),
                last: _mm256_set1_epi8(SP),
            }
        }
    }

    /// [`check`] for [`long`], with the [`marked`] tables: returns the masks of the ids'
    /// ends (bit `i` for a `>` at byte `i - 1`) and of the `@`s.
    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    #[inline]
    fn check_long(t: &Tables, acc: &mut LongAcc, c: __m256i, pc: __m256i) -> (u64, u64) {
        let cur = _mm256_shuffle_epi8(t.cur_at, c);
        let prev = _mm256_shuffle_epi8(t.prev_gt, pc);
        acc.pairs = _mm256_or_si256(acc.pairs, _mm256_and_si256(cur, prev));
        acc.classes = _mm256_or_si256(acc.classes, c);
        let ends = _mm256_movemask_epi8(prev) as u32;
        let at = _mm256_movemask_epi8(cur) as u32;
        (u64::from(ends), u64::from(at))
    }

    /// [`next_v`] for [`long`].
    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    #[inline]
    fn next_long(t: &Tables, acc: &mut LongAcc, v: __m256i) -> (u64, u64) {
        let c = classify(t, v);
        let pc = shift_in(acc.last, c);
        acc.last = c;
        check_long(t, acc, c, pc)
    }

    /// [`verdict`] for [`long`], which leaves a control or a non-ASCII byte to the baseline
    /// scan too (`Unsure`; rare in the ids of real mail).
    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    #[inline]
    fn verdict_long(acc: &LongAcc) -> Scanned {
        let bad = _mm256_or_si256(
            _mm256_and_si256(acc.classes, _mm256_set1_epi8(HIGH)),
            acc.pairs,
        );
        if _mm256_testz_si256(bad, bad) == 0 {
            return Scanned::Unsure;
        }
        Scanned::Done
    }

    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    #[inline]
    fn load(b: &[u8], at: usize) -> Option<__m256i> {
        let chunk: &[u8; 32] = b.get(at..at.wrapping_add(32))?.try_into().ok()?;
        // SAFETY: `chunk` is 32 readable bytes; `_mm256_loadu_si256` needs no alignment.
        Some(unsafe { _mm256_loadu_si256(chunk.as_ptr().cast::<__m256i>()) })
    }

    /// [`load`] for a window known to be whole: no bounds check.
    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    #[inline]
    fn load_window(w: &[u8; 32]) -> __m256i {
        // SAFETY: `w` is 32 readable bytes; `_mm256_loadu_si256` needs no alignment.
        unsafe { _mm256_loadu_si256(w.as_ptr().cast::<__m256i>()) }
    }

    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    #[inline]
    fn tables() -> Option<Tables> {
        Some(Tables {
            lo: load(&TABLES[0], 0)?,
            hi: load(&TABLES[1], 0)?,
            cur: load(&TABLES[2], 0)?,
            prev: load(&TABLES[3], 0)?,
            mark: load(&TABLES[4], 0)?,
            cur_at: load(&TABLES[5], 0)?,
            prev_gt: load(&TABLES[6], 0)?,
        })
    }

    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    #[inline]
    fn classify(t: &Tables, v: __m256i) -> __m256i {
        // `vpshufb` looks at the low nibble and bit 7 only: non-ASCII bytes get class 0
        // from the first lookup without masking (controls from the second), which the
        // pairs reject (and the signed minimum of the short scan).
        let nibble = _mm256_set1_epi8(0x0F);
        let hi = _mm256_and_si256(_mm256_srli_epi16::<4>(v), nibble);
        _mm256_and_si256(_mm256_shuffle_epi8(t.lo, v), _mm256_shuffle_epi8(t.hi, hi))
    }

    /// The classes of the bytes before those of `c`, the last of `before` first.
    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    #[inline]
    fn shift_in(before: __m256i, c: __m256i) -> __m256i {
        _mm256_alignr_epi8::<15>(c, _mm256_permute2x128_si256::<0x21>(before, c))
    }

    /// Checks one window `v` (classes `c`) whose previous bytes have classes `pc`; `keep`
    /// selects the bytes that count. Returns the `>` and `@` masks.
    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    #[inline]
    fn check(
        t: &Tables,
        acc: &mut Acc,
        v: __m256i,
        c: __m256i,
        pc: __m256i,
        keep: __m256i,
    ) -> (u64, u64) {
        acc.min = _mm256_min_epi8(acc.min, v);
        let pairs = _mm256_and_si256(
            _mm256_shuffle_epi8(t.cur, c),
            _mm256_shuffle_epi8(t.prev, pc),
        );
        let bad = _mm256_and_si256(_mm256_or_si256(pairs, c), keep);
        acc.bad = _mm256_or_si256(acc.bad, bad);
        let m = _mm256_shuffle_epi8(t.mark, c);
        let gt = _mm256_movemask_epi8(m) as u32;
        let at = _mm256_movemask_epi8(_mm256_add_epi8(m, m)) as u32;
        (u64::from(gt), u64::from(at))
    }

    /// The window at `w`, right after the previous one (its classes are in `acc.last`).
    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    #[inline]
    fn next(t: &Tables, acc: &mut Acc, window: &[u8; 32]) -> (u64, u64) {
        next_v(t, acc, load_window(window))
    }

    /// [`next`] for the window `v`, already loaded.
    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    #[inline]
    fn next_v(t: &Tables, acc: &mut Acc, v: __m256i) -> (u64, u64) {
        let c = classify(t, v);
        let pc = shift_in(acc.last, c);
        acc.last = c;
        check(t, acc, v, c, pc, _mm256_set1_epi8(-1))
    }

    /// The window at `w >= 1`, anywhere (it may overlap windows already checked: checking
    /// bytes twice changes nothing).
    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    #[inline]
    fn at(t: &Tables, acc: &mut Acc, text: &[u8], w: usize) -> Option<(u64, u64)> {
        let v = load(text, w)?;
        let c = classify(t, v);
        let pc = classify(t, load(text, w.wrapping_sub(1))?);
        Some(check(t, acc, v, c, pc, _mm256_set1_epi8(-1)))
    }

    /// Whether the classes `a` and `b` look up the same rules and marks, for the tests.
    #[cfg(test)]
    pub(super) fn same_rules(a: i8, b: i8) -> bool {
        let (a, b) = ((a & 0x0F) as usize, (b & 0x0F) as usize);
        [CUR, PREV, MARK, marked(CUR, AT), marked(PREV, GT)]
            .iter()
            .all(|t| t[a] == t[b])
    }

    /// Whether a byte of class `cur` after one of class `prev` breaks a rule, in the tables
    /// of both scans, for the tests.
    #[cfg(test)]
    pub(super) fn pair_breaks(prev: i8, cur: i8) -> bool {
        let (p, c) = ((prev & 0x0F) as usize, (cur & 0x0F) as usize);
        CUR[c] & PREV[p] != 0 && marked(CUR, AT)[c] & marked(PREV, GT)[p] != 0
    }

    /// The class of one byte, for the tests.
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[cfg(test)]
    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    pub(super) unsafe fn class_of(c: u8) -> i8 {
        let Some(t) = tables() else { return 0 };
        let mut out = [0u8; 32];
        // SAFETY: `out` is 32 writable bytes; `_mm256_storeu_si256` needs no alignment.
        unsafe {
            core::arch::x86_64::_mm256_storeu_si256(
                out.as_mut_ptr().cast(),
                classify(&t, _mm256_set1_epi8(c as i8)),
            )
        };
        out[7] as i8
    }

    /// Checks `text` (which starts with `<` and ends with `>`), 64 bytes at a time, and
    /// writes it, in one loop: each block is checked in vector registers, its `@`s are
    /// checked against its `>`s with [`at_check`] (a few scalar operations per block, none
    /// per id), and the ids that end in it are placed at once ([`Folds::ids`]: one
    /// iteration per id, whose only branch is the fold).
    ///
    /// # Safety
    /// The CPU must support AVX2 and POPCNT.
    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    pub(super) unsafe fn scan(text: &[u8], walk: &mut Walk<'_, '_>) -> Scanned {
        if text.len() <= SHORT {
            return short(text, walk);
        }
        // One loop for each line ending: its length and bytes are then constants, not
        // values the loop keeps in registers.
        if walk.crlf {
            long::<true>(text, walk)
        } else {
            long::<false>(text, walk)
        }
    }

    /// [`scan`] for a text of more than [`SHORT`] bytes; `CRLF` is `walk.crlf`.
    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    fn long<const CRLF: bool>(text: &[u8], walk: &mut Walk<'_, '_>) -> Scanned {
        debug_assert!(text.len() > SHORT && walk.crlf == CRLF);
        // Counting only (a buffer that may be too small, rare): the baseline scan counts,
        // and this scan writes on the second pass.
        let (lines, line) = walk.lines();
        let Some(t) = tables().filter(|_| lines.write) else {
            return Scanned::Unsure;
        };
        let mut acc = LongAcc::new();
        let out = walk.sink.spare();
        let n = text.len();
        // A line stored whole ends within `2 * n` of the buffer's start (see `Folds::span`):
        // in a smaller buffer (rare: `lines.write` asks for one and a half times the text)
        // every line takes the exact store.
        let span = if out.len() >= n.saturating_mul(2) {
            Folds::<CRLF>::SPAN
        } else {
            0
        };
        let mut f = Folds::<CRLF> {
            text,
            soft: lines.soft,
            span,
            run: line.run,
            prev: line.prev_end,
            // The name line's limit from the start: a first id within it is on the name line
            // and within the soft limit (so within 998 octets); one past it takes the fold's
            // branch, which keeps it there.
            until: line.later,
            dst: out.as_mut_ptr().wrapping_add(line.shift),
            over: 0,
        };
        // `span` counts on a fresh walk.
        debug_assert!(line.run == 0 && line.shift == 1);
        let mut at_state = AT_START;
        // The block loop counts `first`, the block's start: bit `i` of its ends mask is an
        // id ending at `first + i` (a `>` at `first + i - 1`), so that the walk needs no
        // register of its own for it; the loop runs while `first + 64 <= n`, one compare.
        let (src, stop) = (text.as_ptr(), n - 64);
        let mut first = 0;
        while first <= stop {
            // SAFETY: `first + 64 <= n`: both windows are within `text`; the loads need no
            // alignment.
            let (v0, v1) = unsafe {
                let p = src.add(first);
                (
                    _mm256_loadu_si256(p.cast::<__m256i>()),
                    _mm256_loadu_si256(p.add(32).cast::<__m256i>()),
                )
            };
            let (g0, a0) = next_long(&t, &mut acc, v0);
            let (g1, a1) = next_long(&t, &mut acc, v1);
            let (g, a) = (g0 | g1 << 32, a0 | a1 << 32);
            // SAFETY: an empty `asm!` (no instruction; the registers are left as they are).
            // It makes the block's checks complete here, before the walk: LLVM would
            // otherwise finish them after it, and keep the windows across the walk, which
            // takes the registers for its copies.
            unsafe {
                core::arch::asm!(
                    "/* {0} {1} */",
                    inout(ymm_reg) acc.classes,
                    inout(ymm_reg) acc.pairs,
                    options(nomem, nostack, preserves_flags)
                );
            }
            // Ids without exactly one `@` each: the baseline scan decides (and the branch
            // keeps the check's masks out of the loop's registers).
            if at_check(g, a, &mut at_state) != 0 {
                return Scanned::Unsure;
            }
            if !f.ids(out, g, first) {
                return Scanned::No;
            }
            first += 64;
        }
        let b = first;
        // The last 0..=63 bytes (`text` has more than 192): the last 64 bytes of the text
        // as two windows. They overlap bytes already checked (checking bytes twice changes
        // nothing), and their masks are shifted to start at `b`. (Without a branch on the
        // length.) Their first byte is before `b`: its pair with the byte before it is
        // checked already, and is left out here with a neutral class for that byte. The ends
        // mask takes the id ending at `b` (a `>` at `b - 1`, which the last block's mask does
        // not hold), and the last, at `n`, is added: no byte follows its `>`.
        let r = n - b;
        let (g, a) = if r != 0 {
            let (Some(v0), Some(v1)) = (
                load(text, n.wrapping_sub(64)),
                load(text, n.wrapping_sub(32)),
            ) else {
                return Scanned::No;
            };
            let (c0, c1) = (classify(&t, v0), classify(&t, v1));
            let pc = shift_in(_mm256_set1_epi8(NEUTRAL), c0);
            let (g0, a0) = check_long(&t, &mut acc, c0, pc);
            let (g1, a1) = check_long(&t, &mut acc, c1, shift_in(c0, c1));
            // Bit `j` is byte `n - 64 + j` (an end there), that is `b + j - (64 - r)`.
            let seen = 64 - r;
            ((g0 | g1 << 32) >> seen | 1 << r, (a0 | a1 << 32) >> seen)
        } else {
            (1, 0)
        };
        if at_check(g, a, &mut at_state) != 0 {
            return Scanned::Unsure;
        }
        if !f.ids(out, g, b) {
            return Scanned::No;
        }
        // An `@` after the last `>` cannot happen (the text ends with `>`); counted anyway.
        let bad = open_id(at_state) | (f.over >> 63) as u64;
        let verdict = verdict_long(&acc);
        // The usual end, with the state still in registers: the grammar holds, the ids were
        // taken (a field of one id refuses any fold), and the last line has 32..=128 bytes,
        // stored as four 32-byte moves (the last ending with the text; they overlap, and
        // none reaches before the line or past it), then the line ending.
        let (run, shift, crlf) = (f.run, f.shift(out), CRLF);
        let total = n + shift + 1 + usize::from(crlf);
        if verdict == Scanned::Done
            && bad == 0
            && f.prev != usize::MAX
            && !(walk.one && shift != 1)
            && n.wrapping_sub(run).wrapping_sub(32) < f.span
        {
            debug_assert!(run + 32 <= n && n <= run + 128 && total <= out.len());
            // SAFETY: `run + 32 <= n <= run + 128` (`Folds::span`), `n = text.len()`, and the
            // line's bytes go to `out[run + shift..n + shift]`, the line ending to `out[n +
            // shift..total]`, and the space to `out[0]`: within `out`, since `total <= n +
            // run + 4 <= 2 * n - 28` (`shift <= 1 + run`, see `Folds::span`), and a nonzero
            // span means that `out` has at least `2 * n` bytes.
            unsafe {
                let (src, dst) = (text.as_ptr(), out.as_mut_ptr());
                let d = dst.add(shift);
                move_line(src, d, run, n);
                if crlf {
                    core::ptr::write_unaligned(d.add(n).cast::<[u8; 2]>(), *b"\r\n");
                } else {
                    *d.add(n) = b'\n';
                }
                *dst = b' ';
            }
            walk.sink.commit(total);
            return Scanned::Done;
        }
        let line = Line {
            run,
            prev_end: f.prev,
            later: f.until.wrapping_sub(run),
            limit: f.until.wrapping_sub(run),
            shift,
            carry: 0,
            bad,
        };
        match verdict {
            Scanned::Done if walk.resume(line) && finish(walk) => Scanned::Done,
            Scanned::Done => Scanned::No,
            v => v,
        }
    }

    /// The walk of [`scan`]: where the lines are, decided as the blocks go ([`Line::end_id`]
    /// for ids whose `@`s the block loop checks), and the lines before the folds stored.
    struct Folds<'t, const CRLF: bool> {
        text: &'t [u8],
        soft: usize,
        /// The line `text[run..prev]` is stored whole ([`move_line`], then the ending) when
        /// `prev - run - 32 < span` (one compare per fold, wrapping: also false before the
        /// first id, where `prev` is `usize::MAX`): [`Self::SPAN`], lines of 32 to 128
        /// bytes, when the buffer has at least `2 * text.len()` bytes, else 0 (no line).
        /// That bound holds every such store: the ids' ends are at least two bytes apart
        /// (an `@` between two `>`s, which [`at_check`] has checked before the walk sees
        /// them; the first is at 2 or later), so each fold moves `run` on by at least two
        /// and `shift` by at most two, and `shift <= 1 + run`; the store ends at `prev +
        /// shift + 2 <= prev + run + 3 <= 2 * prev - 29`, with `run + 32 <= prev <= n`.
        span: usize,
        run: usize,
        /// After the last `>` seen; `usize::MAX` before the first.
        prev: usize,
        /// The next id stays on the current line when it ends at `until` or before: on the
        /// name line `Walk::later` (`run` is 0 there), after a fold `run` plus the soft limit.
        /// (No register for the name line's limit: the loop has none to spare.)
        until: usize,
        /// `out.as_mut_ptr() + shift` (`text[j]` goes to `out[j + shift]`): one register for
        /// the buffer and the shift.
        dst: *mut u8,
        /// Bit 63 set when an id that starts a line is longer than FAST_MAX_ID + 1 with its
        /// space (checked only for the lines not stored whole: a line stored whole has at
        /// most 126 bytes; the last line is checked by [`finish`]).
        over: usize,
    }

    impl<const CRLF: bool> Folds<'_, CRLF> {
        /// The length of the line ending.
        const STEP: usize = 1 + CRLF as usize;
        /// The line ending, two bytes stored for either (as `Lines::ending`).
        const ENDING: [u8; 2] = if CRLF { *b"\r\n" } else { *b"\n " };
        /// [`Folds::span`] for a buffer that holds every line stored whole: lengths 32 to
        /// 128 (what [`move_line`] stores).
        const SPAN: usize = 128 - 32 + 1;

        /// The shift of the current line (see [`Walk`]); `out` is the buffer `dst` was made
        /// from.
        #[inline(always)]
        fn shift(&self, out: &[u8]) -> usize {
            (self.dst as usize).wrapping_sub(out.as_ptr() as usize)
        }

        /// The ids that end in a block (bit `i` of `g`: an id ends at `first + i`): the
        /// same steps as [`Line::end_id`], with the line stored as four whole vectors when
        /// it has room. False when the first id is refused (past FAST_MAX_ID): the field
        /// is not for the fast path.
        #[inline(always)]
        fn ids(&mut self, out: &mut [u8], g: u64, first: usize) -> bool {
            let mut m = g;
            while m != 0 {
                let e = first + m.trailing_zeros() as usize;
                m &= m - 1;
                if e > self.until {
                    let (run, prev) = (self.run, self.prev);
                    // (Before the first id `prev` is `usize::MAX`: never stored whole.)
                    // The four moves end with the line, not past it: the text after the
                    // line is not checked yet, and a value the scan then declines is
                    // written by the general path, whose output can end before bytes
                    // stored past the line (a run of spaces further on collapses).
                    if prev.wrapping_sub(run).wrapping_sub(32) < self.span {
                        debug_assert!(run + 32 <= prev && prev <= self.text.len());
                        debug_assert!(prev + self.shift(out) + 2 <= out.len());
                        // SAFETY: `run + 32 <= prev <= run + 128` (see `Folds::span`), `prev
                        // <= text.len()` (an id's end), and the line and its ending go to
                        // `out[run + shift..prev + shift + 2]`, within `out` (see
                        // `Folds::span`): the moves are in bounds.
                        unsafe {
                            move_line(self.text.as_ptr(), self.dst, run, prev);
                            core::ptr::write_unaligned(
                                self.dst.add(prev).cast::<[u8; 2]>(),
                                Self::ENDING,
                            );
                        }
                        self.dst = self.dst.wrapping_add(Self::STEP);
                        self.run = prev;
                        self.until = prev + self.soft;
                    } else if prev == usize::MAX {
                        // The first id, past the name line's limit, stays on the name line:
                        // with `Name: ` it is within 998 octets when it ends within
                        // FAST_MAX_ID bytes (FAST_MAX_NAME), refused otherwise. `until` is
                        // still that limit, below `e`: the next id folds.
                        if e > FAST_MAX_ID {
                            return false;
                        }
                    } else {
                        // A call (rare: a line of fewer than 32 or more than 126 bytes, or
                        // a buffer of less than twice the text), so that the buffer's bounds stay out of the loop's registers (inline,
                        // even the short store of a line near the end cost the loop two
                        // spills: +77 instructions per References field, round 18).
                        let shift = self.shift(out);
                        // SAFETY: the CPU has AVX2 and the rest (`Folds` is only used by
                        // `long`, which needs them).
                        self.over |=
                            unsafe { fold_exact::<CRLF>(out, self.text, run, prev, shift) };
                        self.dst = self.dst.wrapping_add(Self::STEP);
                        self.run = prev;
                        self.until = prev + self.soft;
                    }
                }
                self.prev = e;
            }
            true
        }
    }

    /// Stores the line `src[run..end]` (32 to 128 bytes) at `dst + run` with four 32-byte
    /// moves, at `run`, `run + 32`, `run + 64` and `end - 32`, the middle two moved back to
    /// end with the line at most: they overlap, cover the line, and store nothing before or
    /// past it. (Nothing past it: a value the scan declines later is written by the general
    /// path, whose output can end before bytes stored past a line; see [`fold_near_end`].)
    ///
    /// # Safety
    /// The CPU must support AVX2 (the callers' target features, into which this inlines);
    /// `run + 32 <= end <= run + 128`; `src[run..end]` is readable and `dst[run..end]`
    /// writable.
    #[inline(always)]
    unsafe fn move_line(src: *const u8, dst: *mut u8, run: usize, end: usize) {
        debug_assert!(run + 32 <= end && end <= run + 128);
        let last = end - 32;
        let (o1, o2) = ((run + 32).min(last), (run + 64).min(last));
        // SAFETY: each move is of `src[o..o + 32]` to `dst[o..o + 32]` with `run <= o <=
        // end - 32` (the caller's ranges); `o2 + 32 >= last` since `end <= run + 128`, so
        // the four cover `run..end`. The moves need no alignment.
        unsafe {
            let v0 = _mm256_loadu_si256(src.add(run).cast::<__m256i>());
            let v1 = _mm256_loadu_si256(src.add(o1).cast::<__m256i>());
            let v2 = _mm256_loadu_si256(src.add(o2).cast::<__m256i>());
            let v3 = _mm256_loadu_si256(src.add(last).cast::<__m256i>());
            _mm256_storeu_si256(dst.add(run).cast::<__m256i>(), v0);
            _mm256_storeu_si256(dst.add(o1).cast::<__m256i>(), v1);
            _mm256_storeu_si256(dst.add(o2).cast::<__m256i>(), v2);
            _mm256_storeu_si256(dst.add(last).cast::<__m256i>(), v3);
        }
    }

    /// The store of [`fold_exact`] for a line of 32 to 126 bytes that [`Folds::ids`] did
    /// not store whole (in a buffer of less than twice the text), when the buffer has room for
    /// the text at this `shift`: four 32-byte moves at `run`, `run + 32`, `run + 64` and
    /// `run + 96`, each moved back to end with the line at most, and the ending: exactly
    /// the line's bytes, nothing past them. (Moves that ended with the text instead stored
    /// bytes past the line that only later lines overwrite; a value the scan then declines,
    /// such as one with a run of spaces further on, is written by the general path, whose
    /// output can end before them, and they stayed in the caller's buffer past the field.)
    /// False, with nothing stored, otherwise.
    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    #[inline]
    fn fold_near_end<const CRLF: bool>(
        out: &mut [u8],
        text: &[u8],
        run: usize,
        prev: usize,
        shift: usize,
    ) -> bool {
        let n = text.len();
        let len = prev.wrapping_sub(run);
        if !(32..=126).contains(&len) || prev > n || n + shift + 2 > out.len() {
            return false;
        }
        // SAFETY: `run + 32 <= prev <= run + 126`, `prev <= n = text.len()`, and the line's
        // bytes go to `out[run + shift..prev + shift]`, the ending to `out[prev +
        // shift..prev + shift + 2]`, within `n + shift + 2 <= out.len()`.
        unsafe {
            let dst = out.as_mut_ptr().add(shift);
            move_line(text.as_ptr(), dst, run, prev);
            core::ptr::write_unaligned(dst.add(prev).cast::<[u8; 2]>(), Folds::<CRLF>::ENDING);
        }
        true
    }

    /// The fold of [`Folds::ids`] for a line it does not store whole: the line and its ending
    /// stored ([`fold_near_end`] when it can; otherwise exactly), and the
    /// check of a first id longer than FAST_MAX_ID + 1 (bit 63 of the result set when it
    /// is).
    #[cold]
    #[inline(never)]
    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    fn fold_exact<const CRLF: bool>(
        out: &mut [u8],
        text: &[u8],
        run: usize,
        prev: usize,
        shift: usize,
    ) -> usize {
        if fold_near_end::<CRLF>(out, text, run, prev, shift) {
            return 0;
        }
        store_exact(out, text, run, prev, shift, Folds::<CRLF>::ENDING);
        if prev - run > FAST_MAX_ID + 1 {
            long_first_id(text, run, prev)
        } else {
            0
        }
    }

    /// [`store_fold_exact`](super::store_fold_exact) without a call (the line and the
    /// ending, nothing past them): whole 32-byte vectors, the last ending with the line,
    /// and [`copy_line`](super::copy_line) for a line of fewer than 32 bytes.
    #[inline(always)]
    fn store_exact(
        out: &mut [u8],
        text: &[u8],
        from: usize,
        to: usize,
        shift: usize,
        ending: [u8; 2],
    ) {
        let n = to - from;
        let (Some(s), Some(d)) = (
            text.get(from..to),
            out.get_mut(from + shift..).and_then(|d| d.get_mut(..n)),
        ) else {
            return;
        };
        if n < 32 {
            super::copy_line(d, s);
        } else {
            let mut i = 0;
            while i + 32 < n {
                if let (Some(s), Some(d)) = (
                    s.get(i..).and_then(<[u8]>::first_chunk::<32>),
                    d.get_mut(i..).and_then(<[u8]>::first_chunk_mut::<32>),
                ) {
                    *d = *s;
                }
                i += 32;
            }
            if let (Some(s), Some(d)) = (s.last_chunk::<32>(), d.last_chunk_mut::<32>()) {
                *d = *s;
            }
        }
        if let Some(e) = out
            .get_mut(to + shift..)
            .and_then(<[u8]>::first_chunk_mut::<2>)
        {
            *e = ending;
        }
    }

    /// Bit 63 set when the first id of the line `text[run..to]` (a continuation line: its
    /// space, then the id) takes more than FAST_MAX_ID + 1 octets: what [`Folds::ids`]
    /// checks for each fold, for the lines it does not store whole (called only for a line
    /// longer than that: rare).
    #[inline]
    fn long_first_id(text: &[u8], run: usize, to: usize) -> usize {
        let line = text.get(run..to).unwrap_or_default();
        let end = line
            .iter()
            .position(|&c| c == b'>')
            .map_or(line.len(), |i| i + 1);
        (FAST_MAX_ID + 1).wrapping_sub(end)
    }

    /// [`Walk::finish`] for the AVX2 scan's unusual ends (a last line of fewer than 32 or
    /// more than 128 bytes), after the check of the line's first id that [`Folds::ids`]
    /// leaves to the store.
    #[cold]
    #[inline(never)]
    fn finish(walk: &mut Walk<'_, '_>) -> bool {
        let (text, run) = (walk.text, walk.run);
        let n = text.len();
        // The last line's first id (a first line is checked by `Line::end_id`).
        if walk.prev_end != usize::MAX
            && run != 0
            && n - run > FAST_MAX_ID + 1
            && long_first_id(text, run, n) >> 63 != 0
        {
            return false;
        }
        walk.finish()
    }

    /// [`at_check`]'s state before the first block: no id open.
    pub(super) const AT_START: u64 = u64::MAX;

    /// 1 when [`at_check`]'s `state` says that the id being read has had its `@` (0 at the
    /// end of a text whose blocks all passed).
    #[inline(always)]
    pub(super) fn open_id(state: u64) -> u64 {
        !state >> 63
    }

    /// Checks the `@`s of a block against its `>`s: each id (what ends at a `>`) has
    /// exactly one `@`, that is, in the order of the text, the bits of `at | gt` alternate
    /// `@`, `>`, `@`, `>`. `state` ([`AT_START`] before the first block) carries from one
    /// block to the next whether the id being read has had its `@` ([`open_id`]). Returns
    /// nonzero when they do not alternate (`state` then means nothing).
    ///
    /// Why it works: `gt - at` is a sum of `2^g - 2^a`, one per id, each the range of
    /// bits `a..g` when the `@` at `a` comes before the `>` at `g`; when they alternate the
    /// ranges are disjoint, so the difference has, of the bits of `at | gt`, exactly those
    /// of `at`. Any other order (two `@`s, none, or a `>` first) makes a borrow or a carry
    /// change one of those bits (`at_check_is_exact` tries every order). An id crossing
    /// blocks leaves a borrow, which the next block subtracts: its range then starts at
    /// bit 0. When they alternate, the borrow is bit 63 of the difference: the bits from
    /// the open id's `@` up are all set, and no range of a closed id reaches bit 63 (its
    /// `>` is at bit 63 at most, and its range ends below that).
    ///
    /// `state` is the complement of the last difference, `at - gt - 1 + borrow`: its bit 63
    /// is the borrow's complement, which `>> 63` as a signed number turns into the `- 1`.
    /// (No carry flag to keep between blocks, nor a copy of a mask: `sar`, `add`, `sub`,
    /// then `andn`, `and`, `or`.)
    #[inline(always)]
    pub(super) fn at_check(gt: u64, at: u64, state: &mut u64) -> u64 {
        let mut d = *state;
        // `d = (d >> 63) + at - gt` in this order, in `state`'s register: LLVM computes `at -
        // gt` first, in a copy of `at` (which the check below still needs), one more
        // instruction per block.
        // SAFETY: three register operations, no memory, no stack.
        unsafe {
            core::arch::asm!(
                "sar {d}, 63",
                "add {d}, {at}",
                "sub {d}, {gt}",
                d = inout(reg) d,
                at = in(reg) at,
                gt = in(reg) gt,
                options(pure, nomem, nostack)
            );
        }
        *state = d;
        // `(!d & (gt | at)) ^ at` for disjoint masks (a byte is `>` or `@`, not both), as
        // `andn` and `and` of the masks: the OR of the two would be taken from the vector
        // registers, with two more `vpmovmskb`.
        (gt & !d) | (at & d)
    }

    /// Blocks of 64 bytes [`short`] takes at most: a single id of the usual kind, and two
    /// (an In-Reply-To of two ids is 130 to 200 bytes).
    const SHORT_BLOCKS: usize = 3;
    /// Longest text [`short`] takes.
    const SHORT: usize = 64 * SHORT_BLOCKS;

    /// [`scan`] for a text of at most [`SHORT`] bytes (every single id of the usual kind,
    /// and short lists): its masks stay in registers, and the walk sees them directly,
    /// without `Ends` and its arrays.
    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    fn short(text: &[u8], walk: &mut Walk<'_, '_>) -> Scanned {
        let (mut gt, mut at, mut k) = ([0u64; SHORT_BLOCKS], [0u64; SHORT_BLOCKS], 0);
        let Some(acc) = masks(text, |g, a| {
            *gt.get_mut(k)? = g;
            *at.get_mut(k)? = a;
            k += 1;
            Some(())
        }) else {
            return Scanned::No;
        };
        match verdict(&acc) {
            Scanned::Done if walk.prev_end == usize::MAX && one_id(gt, at) => {
                walk.single();
                Scanned::Done
            }
            Scanned::Done => {
                let k = k.min(SHORT_BLOCKS);
                let (gt, at) = (
                    gt.get(..k).unwrap_or_default(),
                    at.get(..k).unwrap_or_default(),
                );
                if walk.ids(0, gt, at) && walk.finish() {
                    Scanned::Done
                } else {
                    Scanned::No
                }
            }
            v => v,
        }
    }

    /// Whether the masks of a short text hold exactly one `>` (the text's last byte) and
    /// one `@`: a single id, which needs no walk.
    #[inline(always)]
    fn one_id(gt: [u64; SHORT_BLOCKS], at: [u64; SHORT_BLOCKS]) -> bool {
        // One bit in all: their OR has one, and no two of them share it.
        let one = |[m0, m1, m2]: [u64; SHORT_BLOCKS]| {
            (m0 | m1 | m2).is_power_of_two() && (m0 & m1) | (m0 & m2) | (m1 & m2) == 0
        };
        one(gt) && one(at)
    }

    /// What the windows found, once all are checked: `Done` when the grammar holds (the
    /// walk has yet to count the `@`), `Unsure` with a `?`.
    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    #[inline]
    fn verdict(acc: &Acc) -> Scanned {
        if _mm256_movemask_epi8(_mm256_cmpgt_epi8(_mm256_set1_epi8(0x20), acc.min)) != 0 {
            return Scanned::No;
        }
        // A forbidden pair, a special or a `?` (rare in the ids of real mail): the flags
        // share the high nibbles, and the baseline scan tells them apart.
        if _mm256_testz_si256(acc.bad, _mm256_set1_epi8(HIGH)) == 0 {
            return Scanned::Unsure;
        }
        Scanned::Done
    }

    /// The windows of `text`, the masks of each 64-byte block handed to `push` (`None`
    /// from it stops the scan).
    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    #[inline]
    fn masks(text: &[u8], mut push: impl FnMut(u64, u64) -> Option<()>) -> Option<Acc> {
        let t = tables()?;
        let mut acc = Acc::new();
        let n = text.len();
        if n < 32 {
            // Padded with 'a': no mask bits, and its pair with the closing `>` is not kept.
            // (Copied inline: `copy_from_slice` would call `memcpy`.)
            let mut padded = [b'a'; 32];
            super::copy_line(padded.get_mut(..n)?, text);
            let v = load(&padded, 0)?;
            let c = classify(&t, v);
            let pc = shift_in(acc.last, c);
            let (g, a) = check(&t, &mut acc, v, c, pc, load(&KEEP, 32 - n)?);
            push(g, a)?;
            return Some(acc);
        }
        let mut blocks = text.chunks_exact(64);
        for block in blocks.by_ref() {
            let (Some(w0), Some(w1)) = (block.first_chunk(), block.last_chunk()) else {
                return None;
            };
            let (g0, a0) = next(&t, &mut acc, w0);
            let (g1, a1) = next(&t, &mut acc, w1);
            push(g0 | g1 << 32, a0 | a1 << 32)?;
        }
        let o = n - blocks.remainder().len();
        if o < n {
            let (g, a) = tail(&t, &mut acc, text, o)?;
            push(g, a)?;
        }
        Some(acc)
    }

    /// The masks of the last block, `text[o..]` (1..=63 bytes, `text` at least 32): the
    /// window at `o` when there are 32 bytes for it; then the last 32 bytes, overlapping
    /// what was checked (their masks agree where they overlap).
    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    #[inline]
    fn tail(t: &Tables, acc: &mut Acc, text: &[u8], o: usize) -> Option<(u64, u64)> {
        let n = text.len();
        let l = n - o;
        let (mut g, mut a) = (0, 0);
        if l >= 32 {
            (g, a) = next(t, acc, text.get(o..)?.first_chunk()?);
        }
        if l != 32 {
            let (g1, a1) = at(t, acc, text, n - 32)?;
            // Bit `i` of the last window is byte `n - 32 + i`, that is `o + l - 32 + i`.
            if l > 32 {
                g |= g1 << (l - 32);
                a |= a1 << (l - 32);
            } else {
                g = g1 >> (32 - l);
                a = a1 >> (32 - l);
            }
        }
        Some((g, a))
    }
}

/// Writes one or more msg-ids separated by one space or a fold; `one` allows exactly one.
pub(crate) fn format(
    f: &mut Folder<'_, '_>,
    value: &str,
    options: &Options,
    one: bool,
) -> Result<(), Error> {
    let b = value.as_bytes();
    let mut pos = 0;
    let mut count = 0;
    loop {
        if one && count == 1 {
            // Only white space may follow the one id: the first other byte is wrong, whatever
            // follows it (`<a@b> <c` as `<a@b> <c@d>`).
            let rest = b.get(pos..).unwrap_or_default();
            if let Some(next) = rest.iter().position(|&c| !is_space(c)) {
                return Err(blame_after_id(b, pos + next));
            }
            break;
        }
        let Some(id) = next_id(b, pos, options.utf8)? else {
            break;
        };
        let token = b.get(id.start..id.end).unwrap_or_default();
        let tw = if options.utf8 {
            Width::of(token)
        } else {
            Width::ascii(token.len())
        };
        if id.bracketed {
            f.space(b" ", tw, false)?;
            f.put(token, tw);
        } else {
            f.space(b" ", tw.plus(Width::ascii(2)), false)?;
            f.put_byte(b'<');
            f.put(token, tw);
            f.put_byte(b'>');
        }
        count += 1;
        pos = id.end;
    }
    if count == 0 {
        return Err(Error::InvalidMsgId { at: b.len() });
    }
    Ok(())
}

/// List-Id (RFC 2919): an optional phrase, written like a display name, and a `<list-id>`
/// (a dot-atom-text with at least one dot, never encoded). A bare list-id is bracketed.
pub(crate) fn format_list_id(
    f: &mut Folder<'_, '_>,
    value: &str,
    options: &Options,
) -> Result<(), Error> {
    let b = value.as_bytes();
    let (start, end) = crate::input::trim(b);
    if start == end {
        return Err(Error::InvalidMsgId { at: end });
    }
    let (phrase_end, id_start, id_end) = if b.get(end - 1) == Some(&b'>') {
        let open = b
            .get(start..end)
            .unwrap_or_default()
            .iter()
            .rposition(|&c| c == b'<')
            .map(|i| start + i)
            .ok_or(Error::InvalidMsgId { at: end - 1 })?;
        (open, open + 1, end - 1)
    } else if let Some(after) = after_bracketed_id(b, start, end, true) {
        // `phrase <list-id>` and then more: the error is the text after the list-id, not the
        // phrase (which the bare-list-id reading below would report).
        return Err(Error::InvalidMsgId { at: after });
    } else {
        (start, start, end)
    };
    let id = b.get(id_start..id_end).unwrap_or_default();
    let id_checked = check_list_id(b, id_start, id_end, options.utf8);
    let phrase = value.get(start..phrase_end).unwrap_or_default();
    if !phrase.trim_matches([' ', '\t', '\r', '\n']).is_empty() {
        let written = phrase::write_text_phrase(f, phrase, start, options, b"").map_err(|e| {
            // `<a.b> <c.d>`: the value was a whole List-Id up to the text after its first
            // `<list-id>`, which is the error, not the `<` the phrase reader stops at.
            let first_open = phrase.bytes().position(|c| c == b'<').map(|i| start + i);
            match (e, first_open) {
                (Error::InvalidAddress { at }, Some(open)) if at >= open => {
                    after_bracketed_id(b, open, phrase_end, false)
                        .map_or(e, |at| Error::InvalidMsgId { at })
                }
                _ => e,
            }
        });
        // Both parts are checked before either error is returned, so that the error is the
        // first wrong byte of the value (README), the phrase's when both are wrong.
        match (written, id_checked) {
            (Err(e), Err(id_error)) => {
                return Err(match (e.at(), id_error.at()) {
                    (Some(p), Some(i)) if p <= i => e,
                    _ => id_error,
                })
            }
            (Err(e), Ok(())) => return Err(e),
            (Ok(()), checked) => checked?,
        }
    } else {
        id_checked?;
    }
    let tw = if options.utf8 {
        Width::of(id)
    } else {
        Width::ascii(id.len())
    };
    f.space(b" ", tw.plus(Width::ascii(2)), false)?;
    f.put_byte(b'<');
    f.put(id, tw);
    f.put_byte(b'>');
    Ok(())
}

/// Checks the list-id `b[start..end]` (brackets excluded): a dot-atom-text with at least one
/// dot and no `=?`.
fn check_list_id(b: &[u8], start: usize, end: usize, utf8: bool) -> Result<(), Error> {
    let id = b.get(start..end).unwrap_or_default();
    if id.windows(2).any(|w| w == b"=?") {
        // As in an id: blamed where it is only when nothing before it is wrong already.
        return Err(blame_list_id(b, start, end, utf8));
    }
    check_dot_atom(b, start, end, utf8)
        .map_err(|e| e.unwrap_or(Error::InvalidMsgId { at: end }))?;
    // RFC 2919 §2: `list-id = list-label "." list-id-namespace`, so one dot at least; the
    // id is wrong where it ends without one.
    if !id.contains(&b'.') {
        return Err(Error::InvalidMsgId { at: end });
    }
    Ok(())
}

/// Where the first non-white-space byte after the last (or, with `last` false, the first)
/// `>` of `b[start..end]` is, when a `<` comes before that `>` (so the value holds a
/// bracketed list-id followed by more text).
fn after_bracketed_id(b: &[u8], start: usize, end: usize, last: bool) -> Option<usize> {
    let value = b.get(start..end)?;
    let close = if last {
        value.iter().rposition(|&c| c == b'>')?
    } else {
        value.iter().position(|&c| c == b'>')?
    };
    value.get(..close)?.contains(&b'<').then_some(())?;
    let rest = value.get(close + 1..)?;
    // White space (a caller's fold too) before the trailing text is not the error.
    let (blank, _) = crate::input::trim(rest);
    Some(start + close + 1 + blank)
}

/// `<` + the 32 lowercase hex digits of a UUID v4 made from `random` + `@` + domain + `>`.
pub(crate) fn write_new_id(
    sink: &mut SliceSink<'_>,
    random: &[u8; 16],
    domain: &str,
) -> Result<(), Error> {
    let b = domain.as_bytes();
    if let Some(i) = b.iter().position(|&c| c >= 0x80) {
        return Err(Error::NonAscii { at: i });
    }
    if let Some(i) = b.windows(2).position(|w| w == b"=?") {
        return Err(Error::InvalidMsgId { at: i });
    }
    check_dot_atom(b, 0, b.len(), false).map_err(|e| e.unwrap_or(Error::InvalidMsgId { at: 0 }))?;
    // The id must fit on a `Message-ID: ` line (the 998-octet limit), or it is no use.
    if "Message-ID: <".len() + uuid::fmt::Simple::LENGTH + 1 + b.len() + 1 > HARD_LINE_LIMIT {
        return Err(Error::LineTooLong);
    }
    let uuid = uuid::Builder::from_random_bytes(*random).into_uuid();
    let mut hex = [0u8; uuid::fmt::Simple::LENGTH];
    uuid.simple().encode_lower(&mut hex);
    sink.byte(b'<');
    sink.write(&hex);
    sink.byte(b'@');
    sink.write(b);
    sink.byte(b'>');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{Engine, FAST_MAX_ID};
    use crate::fold::Folder;
    use crate::sink::SliceSink;
    use crate::test_util::{check_structure, fmt, fmt_with};
    use crate::{make_msg_id, Error, Options};
    use proptest::prelude::*;
    use std::vec;

    const SEED: &str = "<154810422972.4.16142961424846318784@aaf39fce-569e-473a-9453-6862595bd8da.prvt.dyno.rt.heroku.com>";

    #[test]
    fn seed_message_id_is_one_line() {
        assert_eq!(
            fmt("Message-ID", SEED).unwrap(),
            ["Message-ID: ", SEED, "\r\n"].concat()
        );
        // Also with the soft limit at its minimum: an id is never broken or encoded.
        let narrow = Options::default().with_max_line_len(40);
        assert_eq!(
            fmt_with("Message-ID", SEED, &narrow).unwrap(),
            ["Message-ID: ", SEED, "\r\n"].concat()
        );
    }

    #[test]
    fn bare_ids_are_bracketed_and_lists_fold_between_ids() {
        assert_eq!(
            fmt("Message-ID", " a.b@c.d ").unwrap(),
            "Message-ID: <a.b@c.d>\r\n"
        );
        assert_eq!(
            fmt("References", "<a@b><c@d>  e@f").unwrap(),
            "References: <a@b> <c@d> <e@f>\r\n"
        );
        let ids: std::vec::Vec<std::string::String> = (0..30)
            .map(|i| std::format!("<{}id.{i}@{}.example.com>", "x".repeat(i), "h".repeat(20)))
            .collect();
        let out = fmt("References", &ids.join(" ")).unwrap();
        check_structure(&out, 78);
        for id in &ids {
            assert!(out.contains(id.as_str()), "{id} broken in {out}");
        }
        assert!(!out.contains("=?"));
    }

    #[test]
    fn first_id_stays_on_the_name_line_unless_998_forces_a_fold() {
        // "References: " is 12 octets; an id of 986 fills the line to 998.
        let id = std::format!("<{}@b>", "a".repeat(982));
        assert_eq!(id.len(), 986);
        assert_eq!(
            fmt("References", &id).unwrap(),
            ["References: ", &id, "\r\n"].concat()
        );
        let id = std::format!("<{}@b>", "a".repeat(983));
        assert_eq!(
            fmt("References", &id).unwrap(),
            ["References:\r\n ", &id, "\r\n"].concat()
        );
        let id = std::format!("<{}@b>", "a".repeat(994));
        assert_eq!(id.len(), 998);
        assert_eq!(fmt("References", &id), Err(Error::LineTooLong));
    }

    #[test]
    fn invalid_ids_point_at_the_problem() {
        let cases: [(&str, usize); 14] = [
            ("", 0),
            ("<a b@c>", 2),
            ("<a@@b>", 3),
            ("<@b>", 1),
            ("<a@>", 3),
            ("<a@b", 4),
            ("<a..b@c>", 3),
            ("<.a@c>", 1),
            ("<a.@c>", 2),
            ("(comment) <a@b>", 0),
            ("<a@b>x", 5),
            ("a>b@c", 1),
            ("<a=?b@c>", 2),
            ("<a@b> <c@d>", 6),
        ];
        for (v, at) in cases {
            assert_eq!(
                fmt("Message-ID", v),
                Err(Error::InvalidMsgId { at }),
                "{v:?}"
            );
        }
        assert_eq!(
            fmt("Message-ID", "<é@b>"),
            Err(Error::InvalidMsgId { at: 1 })
        );
        assert_eq!(
            fmt("Message-ID", "<a\u{2028}@b>"),
            Err(Error::ControlCharacter { at: 2 })
        );
        let utf8 = Options::default().with_utf8(true);
        assert_eq!(
            fmt_with("Message-ID", "<é@b>", &utf8).unwrap(),
            "Message-ID: <é@b>\r\n"
        );
        assert_eq!(
            fmt_with("Message-ID", "<a\u{85}@b>", &utf8),
            Err(Error::ControlCharacter { at: 2 })
        );
    }

    #[test]
    fn domain_literals() {
        assert_eq!(
            fmt("Content-ID", "<part1@[192.0.2.1]>").unwrap(),
            "Content-ID: <part1@[192.0.2.1]>\r\n"
        );
        assert_eq!(
            fmt("Content-ID", "<a@[b[c]>"),
            Err(Error::InvalidMsgId { at: 5 })
        );
        // RFC 5322's no-fold-literal is "[" *dtext "]": an empty literal is valid syntax.
        assert_eq!(
            fmt("Content-ID", "<a@[]>").unwrap(),
            "Content-ID: <a@[]>\r\n"
        );
        // `<` and `>` are dtext: a bare id with such a literal reads as the bracketed one
        // does (the literal ends the id), in a list too.
        for (value, wire) in [
            ("a@[b>c]", "<a@[b>c]>"),
            ("<a@[b>c]>", "<a@[b>c]>"),
            ("a@[<b>]", "<a@[<b>]>"),
        ] {
            assert_eq!(
                fmt("Message-ID", value).unwrap(),
                std::format!("Message-ID: {wire}\r\n")
            );
        }
        assert_eq!(
            fmt("References", "<x@y> a@[b<c]<e@f> g@[h>]").unwrap(),
            "References: <x@y> <a@[b<c]> <e@f> <g@[h>]>\r\n"
        );
        // More after the literal's `]` is wrong at that byte, bracketed or bare; a literal
        // cut short is wrong where the value ends.
        for (value, at) in [
            ("a@[b]c", 5),
            ("<a@[b]c>", 6),
            ("a@[b>]>", 6),
            ("a@[b> c]", 5),
            ("a@[b", 4),
        ] {
            assert_eq!(
                fmt("Message-ID", value),
                Err(Error::InvalidMsgId { at }),
                "{value}"
            );
        }
    }

    #[test]
    fn list_id() {
        assert_eq!(
            fmt("List-Id", "Ops team <ops.example.com>").unwrap(),
            "List-Id: Ops team <ops.example.com>\r\n"
        );
        assert_eq!(
            fmt("List-Id", "ops.example.com").unwrap(),
            "List-Id: <ops.example.com>\r\n"
        );
        assert_eq!(
            fmt("List-Id", "Équipe <ops.example.com>").unwrap(),
            "List-Id: =?utf-8?q?=C3=89quipe?= <ops.example.com>\r\n"
        );
        // When both the phrase and the id are wrong, the first wrong byte is the phrase's.
        for (value, error) in [
            ("x <a..b>", Error::InvalidMsgId { at: 5 }),
            ("<>", Error::InvalidMsgId { at: 1 }),
            ("ok <x@y>", Error::InvalidMsgId { at: 5 }),
            ("a\\b <x@y>", Error::InvalidAddress { at: 1 }),
            ("a\\b <x.y>", Error::InvalidAddress { at: 1 }),
        ] {
            assert_eq!(fmt("List-Id", value), Err(error), "{value}");
        }
    }

    /// The general path alone (what `format_value` did before the fast path).
    fn general(
        name: &str,
        value: &str,
        o: &Options,
        one: bool,
    ) -> Result<std::vec::Vec<u8>, Error> {
        let mut buf = std::vec![0u8; 8192];
        let mut sink = SliceSink::new(&mut buf);
        crate::input::check_controls(value.as_bytes())?;
        let mut f = Folder::start(&mut sink, name, o)?;
        super::format(&mut f, value, o, one)?;
        f.end();
        let n = sink.finish()?;
        Ok(buf[..n].to_vec())
    }

    /// The engines this machine can run: the baseline always, AVX2 where the CPU has it.
    fn engines() -> std::vec::Vec<Engine> {
        let mut e = std::vec![Engine::Auto, Engine::Baseline];
        #[cfg(target_arch = "x86_64")]
        if crate::cpu::avx2() {
            e.push(Engine::Avx2);
        }
        e
    }

    /// One engine of the fast path alone: `None` when it hands over; it must then leave
    /// nothing behind.
    fn fast_with(
        name: &str,
        value: &str,
        o: &Options,
        one: bool,
        engine: Engine,
    ) -> Option<std::vec::Vec<u8>> {
        let mut buf = std::vec![0xA5u8; 8192];
        let mut sink = SliceSink::new(&mut buf);
        sink.write(b"prefix");
        let taken = super::format_fast_with(&mut sink, name, value, o, one, engine);
        let n = sink.finish().unwrap();
        if !taken {
            assert_eq!(n, 6, "{engine:?} left bytes behind for {value:?}");
            return None;
        }
        assert_eq!(&buf[..6], b"prefix");
        // The lines are stored as whole vectors: none may reach past the output.
        assert!(
            buf[n..].iter().all(|&b| b == 0xA5),
            "{engine:?} wrote past the output for {value:?}"
        );
        Some(buf[6..n].to_vec())
    }

    /// The fast path alone, with every engine: they must agree, on what they take too.
    fn fast(name: &str, value: &str, o: &Options, one: bool) -> Option<std::vec::Vec<u8>> {
        let first = fast_with(name, value, o, one, Engine::Baseline);
        for engine in engines() {
            assert_eq!(
                fast_with(name, value, o, one, engine),
                first,
                "{engine:?} and the baseline differ on {value:?}"
            );
        }
        first
    }

    fn options(soft: usize, lf: bool, utf8: bool) -> Options {
        let o = Options::default().with_max_line_len(soft).with_utf8(utf8);
        if lf {
            o.with_line_ending(crate::LineEnding::Lf)
        } else {
            o
        }
    }

    /// Ids made of pieces that stress the grammar: delimiters next to each other, `=?`,
    /// specials, controls, non-ASCII, and lengths around the 64-byte blocks.
    fn id_text() -> impl Strategy<Value = std::string::String> {
        let piece = prop_oneof![
            8 => "[a-z0-9]{1,12}",
            2 => "[a-z0-9]{20,70}",
            3 => Just(".".into()),
            3 => Just("@".into()),
            2 => Just("<".into()),
            2 => Just(">".into()),
            3 => Just(" ".into()),
            2 => Just("> <".into()),
            1 => Just("=".into()),
            1 => Just("?".into()),
            1 => Just("=?".into()),
            1 => "[\\[\\]\"(),:;\\\\\t\r\n\x7f\x00é\u{2028}]",
            2 => "<[a-z.]{1,30}@[a-z.]{1,70}>",
        ];
        proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
    }

    /// Well-formed id lists, which the fast path must take.
    fn id_list() -> impl Strategy<Value = std::string::String> {
        let atom = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}";
        let dot_atom = proptest::collection::vec(atom, 1..4).prop_map(|v| v.join("."));
        let id = (dot_atom.clone(), dot_atom)
            .prop_filter("no =?", |(l, r)| !l.contains("=?") && !r.contains("=?"))
            .prop_map(|(l, r)| std::format!("<{l}@{r}>"));
        proptest::collection::vec(id, 1..25).prop_map(|v| v.join(" "))
    }

    #[test]
    fn fast_path_hands_over_everything_unusual() {
        let o = Options::default();
        for v in [
            "<a@b@c@d>",
            "<a@b@c>",
            "<a.b>",
            "<a.b> <c@d>",
            "<a@b> <c.d>",
            "<a@b><c@d>",
            "<a@b>  <c@d>",
            "<a@b>\t<c@d>",
            "<a@b>\r\n <c@d>",
            "<a@[1.2.3.4]>",
            "a@b",
            "<a@b> c@d",
            "<a@b",
            "<<a@b>>",
            "<a@b>>",
            "<a=?b@c>",
            "<a@b=?c>",
            "<.a@b>",
            "<a.@b>",
            "<a@.b>",
            "<a@b.>",
            "<a..b@c>",
            "<@b>",
            "<a@>",
            "<>",
            "<a\"b@c>",
            "<é@b>",
            "<a@b> x <c@d>",
        ] {
            assert_eq!(fast("References", v, &o, false), None, "{v:?}");
        }
        // The second id of a single-id field goes to the general path, which reports it.
        assert_eq!(fast("Message-ID", "<a@b> <c@d>", &o, true), None);
        let long = std::format!("<{}@b>", "a".repeat(FAST_MAX_ID));
        assert_eq!(fast("References", &long, &o, false), None);
        let long = std::format!("<{}@b>", "a".repeat(FAST_MAX_ID - 4));
        assert!(fast("References", &long, &o, false).is_some());
        // After the first id too: FAST_MAX_ID octets at most, the space not counted.
        let long = std::format!("<x@y> {long}");
        assert!(fast("References", &long, &o, false).is_some());
        let long = long.replace("@b>", "@bc>");
        assert_eq!(fast("References", &long, &o, false), None);
    }

    /// The last line of a long list (past the short scan's 192 bytes) at every length
    /// around the AVX2 walk's four 32-byte moves (32..=128 bytes) and beyond, after lines
    /// of several lengths: written as the general path writes it, nothing past it.
    #[test]
    fn long_list_last_line_every_length() {
        let id = |len: usize, c: &str| std::format!("<{}@b>", c.repeat(len - 4));
        for soft in [40, 78, 120] {
            for lf in [false, true] {
                let o = options(soft, lf, false);
                for before in [30, 61, 100] {
                    for last in 5..=140 {
                        let v = std::format!(
                            "{} {} {} {}",
                            id(before, "p"),
                            id(70, "q"),
                            id(before, "r"),
                            id(last, "s")
                        );
                        let out = fast("References", &v, &o, false);
                        assert!(out.is_some(), "{soft} {v:?}");
                        assert_eq!(
                            Ok(out.unwrap()),
                            general("References", &v, &o, false),
                            "{soft} {v:?}"
                        );
                    }
                }
            }
        }
    }

    /// The length rule of the walk: a first id is taken when it ends within FAST_MAX_ID
    /// bytes (the name line then stays within 998 octets), a later id alone on its line
    /// when it has at most FAST_MAX_ID octets, and an id of any length that shares a line
    /// (which the soft limit bounds): every engine agrees with the general path, at the
    /// soft limits and names where these cases meet 998.
    #[test]
    fn long_ids_first_alone_and_sharing_a_line() {
        let id = |len: usize| std::format!("<{}@b>", "a".repeat(len - 4));
        for soft in [78, 900, 998] {
            let o = options(soft, false, false);
            for name in ["References", &"X".repeat(100)] {
                for len in [
                    FAST_MAX_ID - 1,
                    FAST_MAX_ID,
                    FAST_MAX_ID + 1,
                    FAST_MAX_ID + 60,
                    997,
                    998,
                ] {
                    for v in [
                        id(len),
                        std::format!("  {}", id(len)),
                        std::format!("<x@y> {}", id(len)),
                        std::format!("<x@y> {} <c@d>", id(len)),
                        std::format!("{} <x@y>", id(len)),
                    ] {
                        let out = fast(name, &v, &o, false);
                        let want = general(name, &v, &o, false);
                        if let Some(out) = out {
                            assert_eq!(Ok(out), want, "{soft} {name} {v:?}");
                        } else {
                            // Only what reaches past FAST_MAX_ID is left to the general path.
                            assert!(len > FAST_MAX_ID, "{soft} {name} {v:?}");
                        }
                    }
                }
            }
        }
        // Sharing the name line at the widest soft limit: taken although longer than
        // FAST_MAX_ID.
        let o = options(998, false, false);
        let v = std::format!("<x@y> {}", id(FAST_MAX_ID + 60));
        assert!(fast("References", &v, &o, false).is_some());
    }

    /// Lists whose length and delimiters land on and around the 32- and 64-byte block
    /// boundaries of the scans, whole and with one byte replaced at every position: every
    /// engine must take the whole ones, and agree with the general path on all of them.
    #[test]
    fn fast_path_at_block_boundaries() {
        let o = Options::default();
        let narrow = Options::default().with_max_line_len(40);
        let mut lists = std::vec::Vec::new();
        for total in (5..=20)
            .chain(26..=40)
            .chain(58..=70)
            .chain(90..=100)
            .chain(124..=132)
            .chain(188..=196)
        {
            // One id of `total` bytes, and two ids with the space at each place.
            let one = std::format!("<{}@b>", "a".repeat(total - 4));
            lists.push(one);
            let splits = (5..9)
                .chain(28..37)
                .chain(60..69)
                .chain(123..132)
                .chain(total.saturating_sub(9)..total);
            for left in splits.filter(|&l| l >= 5 && l + 5 < total) {
                let right = total - left - 1;
                lists.push(std::format!(
                    "<{}@b> <{}@d>",
                    "a".repeat(left - 4),
                    "c".repeat(right - 4)
                ));
            }
        }
        let corrupt = b"<>@. =?a\t\r\n\x00\x7f[]\\\"(),:;\xff";
        for v in &lists {
            for (opts, one) in [(&o, false), (&narrow, false), (&o, true)] {
                let whole = fast("References", v, opts, one);
                if !one || !v.contains(' ') {
                    assert!(whole.is_some(), "{v:?}");
                }
                if let Some(out) = whole {
                    assert_eq!(Ok(out), general("References", v, opts, one), "{v:?}");
                }
            }
            // Every position of the one-id lists; around the block boundaries and the
            // space of the others (enough to put each byte class on every side of each
            // boundary without running for minutes in debug builds).
            let near = |i: usize| {
                !v.contains(' ')
                    || [0, 31, 32, 63, 64, 95, 96, 127, 128, 191, 192, v.len() - 1]
                        .iter()
                        .any(|&b| i.abs_diff(b) <= 1)
                    || v.as_bytes()
                        .get(i.wrapping_sub(1)..=i + 1)
                        .is_some_and(|w| w.contains(&b' '))
            };
            for i in (0..v.len()).filter(|&i| near(i)) {
                for &c in corrupt.iter() {
                    let mut b = v.clone().into_bytes();
                    b[i] = c;
                    let Ok(w) = std::string::String::from_utf8(b) else {
                        continue;
                    };
                    if let Some(out) = fast("References", &w, &o, false) {
                        assert_eq!(Ok(out), general("References", &w, &o, false), "{w:?}");
                    }
                }
            }
        }
    }

    /// The inline line copy, for every length up to past its `memcpy` threshold.
    #[test]
    fn copy_line_every_length() {
        let src: std::vec::Vec<u8> = (0..200u8).collect();
        for n in 0..=src.len() {
            let mut dst = std::vec![0xA5u8; n + 16];
            super::copy_line(&mut dst[..n], &src[..n]);
            assert_eq!(&dst[..n], &src[..n], "{n}");
            assert!(dst[n..].iter().all(|&b| b == 0xA5), "{n}");
        }
    }

    /// Every buffer size from 0 to one more than needed, with guard bytes after the buffer:
    /// each engine gives the general path's output or its exact size, and writes nothing
    /// past the buffer nor past the output (the lines and line endings are stored straight
    /// into the buffer, and the AVX2 scan has its own path for texts of up to 128 bytes).
    #[test]
    fn fast_path_fills_every_buffer_size() {
        let mut values: std::vec::Vec<std::string::String> = [3, 27, 28, 29, 60, 61, 124, 125, 126]
            .iter()
            .map(|&n| std::format!("<{}@b>", "a".repeat(n)))
            .collect();
        let ids: std::vec::Vec<std::string::String> = (0..12)
            .map(|i| std::format!("<id{i}{}@example.com>", "x".repeat(3 * i)))
            .collect();
        values.push(ids.join(" "));
        values.push(ids[..4].join(" "));
        values.push(std::format!("  {}  ", ids[..3].join(" ")));
        for v in &values {
            for (soft, lf) in [
                (78, false),
                (78, true),
                (998, false),
                (998, true),
                (40, true),
            ] {
                let o = options(soft, lf, false);
                let want = general("References", v, &o, false).unwrap();
                let needed = want.len();
                for engine in engines() {
                    // Up to one more than needed the walk only counts first; with room
                    // for the largest possible output it stores the lines at once.
                    for size in (0..=needed + 1).chain([needed + 2 * v.len() + 64]) {
                        let mut buf = std::vec![0xA5u8; size + 80];
                        let (head, guard) = buf.split_at_mut(size);
                        let mut sink = SliceSink::new(head);
                        assert!(
                            super::format_fast_with(&mut sink, "References", v, &o, false, engine),
                            "{engine:?} {v:?}"
                        );
                        let got = sink.finish();
                        assert!(guard.iter().all(|&b| b == 0xA5), "{engine:?} {size} {v:?}");
                        if size < needed {
                            assert_eq!(got, Err(Error::BufferTooSmall { needed }));
                        } else {
                            assert_eq!(got, Ok(needed));
                            assert_eq!(&buf[..needed], &want[..], "{engine:?} {size} {v:?}");
                            assert!(buf[needed..].iter().all(|&b| b == 0xA5));
                        }
                    }
                }
            }
        }
    }

    /// `?` sends the AVX2 scan to the baseline, also after it has written the first ids of a
    /// long list (the walk writes every 16 blocks of 64 bytes).
    /// A list past the short scan in buffers of every size from the output's to past three
    /// times the text's: the AVX2 walk stores lines whole only when `Folds::span` (which
    /// depends on the buffer) allows, exactly otherwise; nothing lands past the output.
    #[test]
    fn long_list_every_buffer_size_up_to_room() {
        // Ids of 35 to 91 bytes, longest first and last; ids of 50 to 58 bytes, where the
        // last two lines together are 100 to 127 bytes (around the longest line stored whole).
        let ids = |len: &dyn Fn(usize) -> usize| -> std::vec::Vec<std::string::String> {
            (0..9)
                .map(|i| std::format!("<{}{i}@example.com>", "x".repeat(len(i) - 15)))
                .collect()
        };
        let mut lists = [ids(&|i| 35 + 7 * i), ids(&|i| 91 - 7 * i), ids(&|i| 50 + i)];
        lists[2].rotate_left(4);
        for (v, (soft, lf)) in lists
            .iter()
            .map(|l| l.join(" "))
            .flat_map(|v| [(78, false), (40, true), (998, false)].map(|o| (v.clone(), o)))
        {
            assert!(v.len() > 192);
            let o = options(soft, lf, false);
            let want = general("References", &v, &o, false).unwrap();
            let needed = want.len();
            for engine in engines() {
                for size in needed..=needed + 3 * v.len() + 200 {
                    let mut buf = std::vec![0xA5u8; size + 160];
                    let mut sink = SliceSink::new(&mut buf[..size]);
                    assert!(super::format_fast_with(
                        &mut sink,
                        "References",
                        &v,
                        &o,
                        false,
                        engine
                    ));
                    assert_eq!(sink.finish(), Ok(needed), "{engine:?} {size}");
                    assert_eq!(&buf[..needed], &want[..], "{engine:?} {size} {soft}");
                    assert!(
                        buf[needed..].iter().all(|&b| b == 0xA5),
                        "{engine:?} {size} {soft}"
                    );
                }
            }
        }
    }

    #[test]
    fn question_marks_in_long_lists() {
        let o = Options::default();
        let ids: std::vec::Vec<std::string::String> = (0..40)
            .map(|i| std::format!("<{i}.{}@example.com>", "x".repeat(40)))
            .collect();
        let list = ids.join(" ");
        for (at, c, taken) in [
            (list.len() - 2, "?", true),
            (list.len() - 3, "=?", false),
            (3, "?", true),
            (3, "=?", false),
        ] {
            let v = std::format!("{}{c}{}", &list[..at], &list[at..]);
            let out = fast("References", &v, &o, false);
            assert_eq!(out.is_some(), taken, "{v:?}");
            if let Some(out) = out {
                assert_eq!(Ok(out), general("References", &v, &o, false));
            }
        }
    }

    /// Lists longer than the blocks one walk takes (16 x 64 bytes), whole and with a byte
    /// replaced around the walks' boundaries and elsewhere: `@`s and `>`s carried from one
    /// block or one walk to the next, at every soft limit and line ending.
    #[test]
    fn long_lists_across_walks() {
        let ids: std::vec::Vec<std::string::String> = (0..100)
            .map(|i| std::format!("<{i}{}@h{}.example>", "x".repeat(i % 23), "y".repeat(i % 7)))
            .collect();
        let list = ids.join(" ");
        assert!(list.len() > 2 * 1024);
        for (soft, lf) in [
            (40, false),
            (78, false),
            (78, true),
            (998, false),
            (998, true),
        ] {
            let o = options(soft, lf, false);
            let out = fast("References", &list, &o, false);
            assert!(out.is_some(), "{soft} {lf}");
            assert_eq!(Ok(out.unwrap()), general("References", &list, &o, false));
        }
        let o = Options::default();
        let near =
            |i: usize| i.is_multiple_of(13) || [1024, 2048].iter().any(|&b| i.abs_diff(b) <= 40);
        for i in (0..list.len()).filter(|&i| near(i)) {
            for c in [b'@', b'>', b' ', b'<', b'.'] {
                let mut b = list.clone().into_bytes();
                b[i] = c;
                let v = std::string::String::from_utf8(b).unwrap();
                if let Some(out) = fast("References", &v, &o, false) {
                    assert_eq!(Ok(out), general("References", &v, &o, false), "{i} {c}");
                }
            }
        }
    }

    /// Lists longer than the short scan, with the first id one byte longer each time, so
    /// that every later id ends at every offset of a 64-byte block and every line meets the
    /// fold's limit at every distance: the second id exactly filling the name line's soft
    /// limit and one past it, lines stored whole and exactly (ids of 126 to 130 bytes, the
    /// last lines near the end of the text), both line endings.
    #[test]
    fn long_lists_corrupt_at_block_boundaries_and_end() {
        // Texts of 193..=330 bytes (the long AVX2 scan), ids ending on every side of each
        // block boundary and of the text's end: a byte changed, or an `@` added or
        // removed, near each boundary and near the end.
        let o = Options::default();
        let corrupt = b"<>@. a?\t\x00\x7f[\"";
        for total in 193..=330usize {
            let mut v = std::string::String::new();
            let mut k = 0;
            while v.len() + 40 < total {
                if !v.is_empty() {
                    v.push(' ');
                }
                let len = 13 + (k * 7) % 17;
                v.push_str(&std::format!("<{}@h.ex>", "x".repeat(len - 7)));
                k += 1;
            }
            let left = total - v.len();
            v.push_str(&std::format!(" <{}@h.ex>", "y".repeat(left - 8)));
            assert_eq!(v.len(), total);
            let n = v.len();
            let near = |i: usize| {
                [63, 64, 127, 128, 191, 192, 255, 256, 319, 320, n - 1]
                    .iter()
                    .any(|&b| i.abs_diff(b) <= 2)
            };
            for i in (0..n).filter(|&i| near(i)) {
                for &c in corrupt.iter() {
                    let mut b = v.clone().into_bytes();
                    b[i] = c;
                    let w = std::string::String::from_utf8(b).unwrap();
                    if let Some(out) = fast("References", &w, &o, false) {
                        assert_eq!(Ok(out), general("References", &w, &o, false), "{w:?}");
                    }
                }
            }
            for lf in [false, true] {
                let o = options(40, lf, false);
                let out = fast("References", &v, &o, false);
                assert!(out.is_some(), "{v:?}");
                assert_eq!(Ok(out.unwrap()), general("References", &v, &o, false));
            }
        }
    }

    #[test]
    fn long_lists_every_offset_and_fold() {
        let id = |len: usize| std::format!("<{}@h.example>", "x".repeat(len - 12));
        let rest: std::vec::Vec<std::string::String> = [60, 61, 17, 126, 64, 13, 127, 90, 130, 14]
            .iter()
            .map(|&l| id(l))
            .collect();
        let rest = rest.join(" ");
        for first in 13..=200 {
            let list = std::format!("{} {rest}", id(first));
            // "References: " is 12 octets: the second id (60) ends at 12 + first + 61.
            let fits = 12 + first + 61;
            for soft in [40, 78, fits - 1, fits, 998] {
                for lf in [false, true] {
                    let o = options(soft.min(998), lf, false);
                    let out = fast("References", &list, &o, false);
                    assert!(out.is_some(), "{first} {soft} {lf}");
                    assert_eq!(
                        Ok(out.unwrap()),
                        general("References", &list, &o, false),
                        "{first} {soft} {lf}"
                    );
                }
            }
        }
    }

    /// What [`single`] and [`two`] check of a fast path `run` (which writes after a prefix
    /// into the buffer it is given, and says whether it took the value): `None` when it
    /// declines, which must leave nothing behind; otherwise its output, after every buffer
    /// size up to one more than needed, with guard bytes: the exact size when the buffer is
    /// too small, nothing written past the buffer nor past the output.
    #[cfg(target_arch = "x86_64")]
    fn guarded(
        value: &str,
        run: impl Fn(&mut [u8], &[u8]) -> (bool, Result<usize, Error>),
    ) -> Option<std::vec::Vec<u8>> {
        let mut buf = std::vec![0xA5u8; 1024];
        let (taken, n) = run(&mut buf, b"prefix");
        let n = n.unwrap();
        if !taken {
            assert_eq!(n, 6, "left bytes behind for {value:?}");
            return None;
        }
        assert!(buf[n..].iter().all(|&b| b == 0xA5), "{value:?}");
        let out = buf[6..n].to_vec();
        for size in 0..=out.len() + 1 {
            let mut buf = std::vec![0xA5u8; size + 80];
            let (head, guard) = buf.split_at_mut(size);
            let (taken, got) = run(head, b"");
            assert!(taken, "{size} {value:?}");
            assert!(guard.iter().all(|&b| b == 0xA5), "{size} {value:?}");
            if size < out.len() {
                assert_eq!(got, Err(Error::BufferTooSmall { needed: out.len() }));
            } else {
                assert_eq!(got, Ok(out.len()));
                assert_eq!(&buf[..out.len()], &out[..], "{size} {value:?}");
                assert!(buf[out.len()..].iter().all(|&b| b == 0xA5));
            }
        }
        Some(out)
    }

    /// The one-id path alone (AVX2): `None` when it declines, which must leave nothing
    /// behind; otherwise its output, after checking every buffer size up to one more than
    /// needed, with guard bytes: the exact size when the buffer is too small, nothing
    /// written past the buffer nor past the output.
    #[cfg(target_arch = "x86_64")]
    fn single(name: &str, value: &str, o: &Options) -> Option<std::vec::Vec<u8>> {
        if !crate::test_util::avx2_or_skip() {
            return None;
        }
        let crlf = o.line_ending == crate::LineEnding::Crlf;
        let run = |buf: &mut [u8], prefix: &[u8]| {
            let mut sink = SliceSink::new(buf);
            sink.write(prefix);
            // SAFETY: the CPU has AVX2 (checked above).
            let taken = unsafe {
                super::single::format(&mut sink, name.as_bytes(), value.as_bytes(), crlf)
            };
            (taken, sink.finish())
        };
        guarded(value, run)
    }

    /// One id of every length around and inside the path's range (31..=129 bytes), the `@`
    /// at several places, whole and with each byte replaced by each troublesome one: what
    /// the one-id path takes, the general path writes the same way for both classes and
    /// every line ending and soft limit, and it takes every well-formed one in its range.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn single_id_path_every_length_and_byte() {
        if !crate::test_util::avx2_or_skip() {
            return;
        }
        let corrupt = b"<>@. =?a\t\r\n\x00\x7f[]\\\"(),:;\xff-";
        let opts = [
            options(78, false, false),
            options(40, true, false),
            options(998, false, true),
        ];
        for total in 29..=131usize {
            for at in [
                1,
                2,
                total / 2,
                total.saturating_sub(4),
                total.saturating_sub(3),
            ] {
                if at < 2 || at + 3 > total {
                    continue;
                }
                // `<`, `at - 1` bytes, `@`, the rest, `>`; a dot inside each side when there
                // is room.
                let id = crate::test_util::synthetic_id(total, at, b'x', 3, 5);
                let v = std::string::String::from_utf8(id).unwrap();
                for o in &opts {
                    let out = single("Message-ID", &v, o);
                    assert_eq!(out.is_some(), (32..=128).contains(&total), "{v:?}");
                    if let Some(out) = out {
                        for one in [true, false] {
                            assert_eq!(Ok(out.clone()), general("Message-ID", &v, o, one));
                        }
                    }
                }
                for i in 0..v.len() {
                    for &c in corrupt.iter() {
                        let mut b = v.clone().into_bytes();
                        b[i] = c;
                        let Ok(w) = std::string::String::from_utf8(b) else {
                            continue;
                        };
                        let o = &opts[i % opts.len()];
                        if let Some(out) = single("In-Reply-To", &w, o) {
                            for one in [true, false] {
                                assert_eq!(
                                    Ok(out.clone()),
                                    general("In-Reply-To", &w, o, one),
                                    "{w:?}"
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    /// Names of every length the one-id and two-id paths take (1..=100 bytes), with ids of
    /// the lengths where their copies change (32, 33, 64, 65, 128 bytes): the same bytes as
    /// the general path, nothing written past the output or the buffer (what `single` and
    /// `two` check at every buffer size).
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn single_and_two_id_paths_every_name_length() {
        if !crate::test_util::avx2_or_skip() {
            return;
        }
        let o = options(998, false, false);
        let id = |len: usize| {
            let mut v = std::vec![b'a'; len];
            v[0] = b'<';
            v[len / 2] = b'@';
            v[len - 1] = b'>';
            std::string::String::from_utf8(v).unwrap()
        };
        for nl in 1..=super::FAST_MAX_NAME {
            let name: std::string::String =
                (0..nl).map(|i| char::from(b'A' + (i % 26) as u8)).collect();
            for len in [32, 33, 64, 65, 128] {
                let v = id(len);
                let out = single(&name, &v, &o);
                assert_eq!(
                    out,
                    Some(general(&name, &v, &o, true).unwrap()),
                    "{name} {v}"
                );
                let pair = std::format!("{v} {}", id(32));
                let out = two(&name, &pair, &o);
                assert_eq!(
                    out,
                    Some(general(&name, &pair, &o, false).unwrap()),
                    "{name}"
                );
            }
        }
    }

    /// The two-id path alone (AVX2), checked like [`single`]: `None` when it declines
    /// (nothing left behind); otherwise its output, after every buffer size up to one more
    /// than needed, with guard bytes.
    #[cfg(target_arch = "x86_64")]
    fn two(name: &str, value: &str, o: &Options) -> Option<std::vec::Vec<u8>> {
        if !crate::test_util::avx2_or_skip() {
            return None;
        }
        let crlf = o.line_ending == crate::LineEnding::Crlf;
        let run = |buf: &mut [u8], prefix: &[u8]| {
            let mut sink = SliceSink::new(buf);
            sink.write(prefix);
            // SAFETY: the CPU has AVX2 (checked above).
            let taken = unsafe {
                super::single::format_two(
                    &mut sink,
                    name.as_bytes(),
                    value.as_bytes(),
                    crlf,
                    o.max_line_len,
                )
            };
            (taken, sink.finish())
        };
        guarded(value, run)
    }

    /// Two ids of every pair of lengths around the path's range (31..=129 bytes each), at
    /// soft limits where the second id just fits on the name line and just does not, with
    /// both line endings and both classes: what the two-id path takes, the general path
    /// writes the same way; it takes every well-formed pair in its range; and with each byte
    /// replaced by each troublesome one (around the space and the ends of the ids), what it
    /// still takes is written as the general path writes it.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn two_id_path_every_length_and_byte() {
        if !crate::test_util::avx2_or_skip() {
            return;
        }
        let id = |len: usize, c: u8| {
            let mut v = std::vec![c; len];
            v[0] = b'<';
            v[len - 1] = b'>';
            v[len / 2] = b'@';
            if len > 8 {
                v[len / 4] = b'.';
            }
            std::string::String::from_utf8(v).unwrap()
        };
        let name = "In-Reply-To";
        let corrupt = b"<>@. =?a\t\r\n\x00\x7f[]\\\"(),:;\xff-";
        let lens = [31usize, 32, 33, 40, 63, 64, 65, 66, 96, 97, 127, 128, 129];
        for &l1 in &lens {
            for &l2 in &lens {
                let v = std::format!("{} {}", id(l1, b'x'), id(l2, b'y'));
                let line = name.len() + 2 + v.len();
                for soft in [40, line - 1, line, line + 1, 998] {
                    for (lf, utf8) in [(false, false), (true, true)] {
                        let o = options(soft.clamp(40, 998), lf, utf8);
                        let out = two(name, &v, &o);
                        let inside = (32..=128).contains(&l1) && (32..=128).contains(&l2);
                        assert_eq!(out.is_some(), inside, "{soft} {v:?}");
                        if let Some(out) = out {
                            assert_eq!(Ok(out), general(name, &v, &o, false), "{soft} {v:?}");
                        }
                        assert_eq!(two("Message-ID", &v, &o).is_some(), inside);
                    }
                }
                if !matches!(l1, 32 | 65 | 128) || !matches!(l2, 32 | 66 | 128) {
                    continue;
                }
                let o = options(78, false, false);
                let near = |i: usize| i < 3 || i + 3 >= v.len() || i.abs_diff(l1) <= 2;
                for i in (0..v.len()).filter(|&i| near(i) || i % 7 == 0) {
                    for &c in corrupt.iter() {
                        let mut b = v.clone().into_bytes();
                        b[i] = c;
                        let Ok(w) = std::string::String::from_utf8(b) else {
                            continue;
                        };
                        if let Some(out) = two(name, &w, &o) {
                            assert_eq!(Ok(out), general(name, &w, &o, false), "{w:?}");
                        }
                    }
                }
            }
        }
        // More than one space, a space at either end, three ids: not for this path.
        for v in [
            "<aaaaaaaaaaaaaaaaaaaaaaaaaaaa@b.c>  <aaaaaaaaaaaaaaaaaaaaaaaaaaaa@b.c>",
            " <aaaaaaaaaaaaaaaaaaaaaaaaaaaa@b.c> <aaaaaaaaaaaaaaaaaaaaaaaaaaaa@b.c>",
            "<aaaaaaaaaaaaaaaaaaaaaaaaaaaa@b.c> <aaaaaaaaaaaaaaaaaaaaaaaaaaaa@b.c> ",
            "<aaaaaaaaaaaaaaaaaaaaaaaaaaaa@b.c> <aaaaaaaaaaaaaaaaaaaaaaaaaaaa@b.c> <a@b>",
            "<aaaaaaaaaaaaaaaaaaaaaaaaaaaa@b.c><aaaaaaaaaaaaaaaaaaaaaaaaaaaa@b.c>",
            "<aaaaaaaaaaaaaaaaaaaaaaaaaaaa@b.c>\t<aaaaaaaaaaaaaaaaaaaaaaaaaaaa@b.c>",
        ] {
            assert_eq!(two(name, v, &Options::default()), None, "{v:?}");
        }
    }

    /// The byte classes of the one-id path against their definition.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn single_id_bad_bytes() {
        for c in 0..=255u8 {
            let want =
                !(crate::chars::is(c, crate::chars::ATEXT) || c == b'.' || c == b'@') || c == b'?';
            assert_eq!(super::single::is_bad(c), want, "{c:#x}");
        }
    }

    /// The AVX2 class table against its definition, for every byte value.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx2_classes() {
        use super::avx2::{AT, ATEXT, DOT, GT, LT, QUESTION, SP, SPECIAL};
        if !crate::test_util::avx2_or_skip() {
            return;
        }
        for c in 0..=255u8 {
            let want: i8 = match c {
                b' ' => SP,
                b'@' => AT,
                b'<' => LT,
                b'.' => DOT,
                b'>' => GT,
                b'?' | 0x7F => QUESTION,
                b'"' | b'(' | b')' | b',' | b':' | b';' | b'[' | b'\\' | b']' => SPECIAL,
                0x21..=0x7E => ATEXT,
                _ => 0,
            };
            // SAFETY: the CPU has AVX2 (checked above).
            let got = unsafe { super::avx2::class_of(c) };
            match want {
                SPECIAL => assert!(got & SPECIAL != 0 && got > 0, "{c:#x}: {got:#x}"),
                QUESTION => assert!(got < 0, "{c:#x}: {got:#x}"),
                // atext: the class of atext, or one with the same rules.
                ATEXT => assert!(
                    got == ATEXT || super::avx2::same_rules(got, ATEXT),
                    "{c:#x}: {got:#x}"
                ),
                _ => assert_eq!(got, want, "{c:#x}"),
            }
        }
        // A control or a non-ASCII byte (class 0) breaks a rule after every class.
        for prev in [ATEXT, AT, SP, LT, DOT, GT, 0] {
            assert!(super::avx2::pair_breaks(prev, 0), "{prev:#x}");
        }
    }

    /// `avx2::at_check` against its definition, for every order of up to ten `@`s and `>`s
    /// (with bytes of neither between them), laid out within one block and across two
    /// and three blocks: it must accept exactly the alternating `@`, `>`, ..., `@`, `>`.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn at_check_is_exact() {
        // (first position, distance between symbols)
        let layouts = [
            (0, 1),
            (3, 5),
            (59, 1),
            (61, 3),
            (40, 11),
            (10, 17),
            (63, 64),
        ];
        for len in 0..=10u32 {
            for code in 0..3u32.pow(len) {
                // Symbol k: 0 none, 1 `@`, 2 `>`.
                let syms: std::vec::Vec<u32> = (0..len).map(|k| code / 3u32.pow(k) % 3).collect();
                let marks: std::vec::Vec<u32> = syms.iter().copied().filter(|&c| c != 0).collect();
                let want = marks.len().is_multiple_of(2)
                    && marks
                        .iter()
                        .enumerate()
                        .all(|(i, &c)| c == 1 + (i as u32 & 1));
                for (start, step) in layouts {
                    let (mut gt, mut at) = ([0u64; 12], [0u64; 12]);
                    for (k, &c) in syms.iter().enumerate() {
                        let p = start + k * step;
                        let m = if c == 1 { &mut at } else { &mut gt };
                        if c != 0 {
                            m[p / 64] |= 1 << (p % 64);
                        }
                    }
                    let mut state = super::avx2::AT_START;
                    let mut bad = 0;
                    for (&g, &a) in gt.iter().zip(&at) {
                        bad |= super::avx2::at_check(g, a, &mut state);
                    }
                    let got = bad == 0 && super::avx2::open_id(state) == 0;
                    assert_eq!(got, want, "{syms:?} at {start} + k * {step}");
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        #[test]
        fn fast_path_matches_general_path(
            v in id_text(), soft in 40usize..120, lf: bool, utf8: bool, one: bool,
            name in "[A-Za-z-]{1,12}",
        ) {
            let o = options(soft, lf, utf8);
            if let Some(out) = fast(&name, &v, &o, one) {
                prop_assert_eq!(Ok(out), general(&name, &v, &o, one), "{:?}", v);
            }
        }

        #[test]
        fn fast_path_takes_well_formed_lists(
            v in id_list(), soft in 40usize..120, lf: bool, pad in 0usize..3,
        ) {
            let o = options(soft, lf, false);
            let v = std::format!("{}{v}{}", " ".repeat(pad), " ".repeat(pad));
            let out = fast("References", &v, &o, false);
            prop_assert!(out.is_some(), "{:?}", v);
            prop_assert_eq!(Ok(out.unwrap()), general("References", &v, &o, false));
        }

        /// Long lists of short ids: many ids end in one 64-byte block, and the AVX2 scan
        /// walks its array of ends more than once (it holds about 50).
        #[test]
        fn fast_path_takes_long_lists_of_short_ids(
            ids in proptest::collection::vec("[a-z]{1,6}@[a-z]{1,6}(\\.[a-z]{1,4})?", 40..160),
            soft in 40usize..120, lf: bool,
        ) {
            let o = options(soft, lf, false);
            let v = ids.iter().map(|i| std::format!("<{i}>")).collect::<std::vec::Vec<_>>().join(" ");
            let out = fast("References", &v, &o, false);
            prop_assert!(out.is_some(), "{:?}", v);
            prop_assert_eq!(Ok(out.unwrap()), general("References", &v, &o, false));
        }

        /// The one-id path against the general path, on id-like text of any shape (what
        /// it takes must be written the same way), and on single well-formed ids (which it
        /// must take when they are 32..=128 bytes without `?`).
        #[cfg(target_arch = "x86_64")]
        #[test]
        fn single_id_path_matches_general_path(
            v in id_text(), id in id_list(), soft in 40usize..120, lf: bool, utf8: bool,
            one: bool, name in "[A-Za-z-]{1,12}",
        ) {
            let o = options(soft, lf, utf8);
            if let Some(out) = single(&name, &v, &o) {
                prop_assert_eq!(Ok(out), general(&name, &v, &o, one), "{:?}", v);
            }
            let id = id.split(' ').next().unwrap_or_default();
            let out = single(&name, id, &o);
            if crate::cpu::avx2() && (32..=128).contains(&id.len()) && !id.contains('?') {
                prop_assert!(out.is_some(), "{:?}", id);
            }
            if let Some(out) = out {
                prop_assert_eq!(Ok(out), general(&name, id, &o, one), "{:?}", id);
            }
        }

        /// The two-id path against the general path, on id-like text of any shape and on
        /// pairs of well-formed ids (which it must take when each is 32..=128 bytes without
        /// `?`), with names longer than the soft limit too.
        #[cfg(target_arch = "x86_64")]
        #[test]
        fn two_id_path_matches_general_path(
            v in id_text(), ids in id_list(), soft in 40usize..300, lf: bool, utf8: bool,
            name in "[A-Za-z-]{1,100}",
        ) {
            let o = options(soft, lf, utf8);
            if let Some(out) = two(&name, &v, &o) {
                prop_assert_eq!(Ok(out), general(&name, &v, &o, false), "{:?}", v);
            }
            let pair: std::vec::Vec<&str> = ids.split(' ').take(2).collect();
            let v = pair.join(" ");
            let out = two(&name, &v, &o);
            if crate::cpu::avx2()
                && pair.len() == 2
                && pair.iter().all(|i| (32..=128).contains(&i.len()) && !i.contains('?'))
            {
                prop_assert!(out.is_some(), "{:?}", v);
            }
            if let Some(out) = out {
                prop_assert_eq!(Ok(out), general(&name, &v, &o, false), "{:?}", v);
            }
        }

        /// Names up to the fast path's longest, longer than the soft limit too: the first
        /// line's room (the soft limit less `Name: `, none when the name fills it) decides
        /// the first fold as the general path does.
        #[test]
        fn fast_path_with_long_names(
            v in id_list(), soft in 40usize..120, lf: bool, one: bool,
            name in "[A-Za-z-]{1,101}",
        ) {
            let o = options(soft, lf, false);
            let out = fast(&name, &v, &o, one);
            prop_assert_eq!(out.is_some(), name.len() <= 100 && (!one || !v.contains(' ')));
            if let Some(out) = out {
                prop_assert_eq!(Ok(out), general(&name, &v, &o, one), "{:?}", v);
            }
        }

        /// One byte of a well-formed list replaced: whatever the fast path accepts, the
        /// general path must format the same way.
        #[test]
        fn fast_path_rejects_what_the_general_path_rejects(
            v in id_list(), at in any::<prop::sample::Index>(),
            c in prop::sample::select(b"<>@. =?a\t\r\n\x00\x7f[]\\\"(),:;".to_vec()),
            one: bool,
        ) {
            let mut b = v.into_bytes();
            let i = at.index(b.len());
            b[i] = c;
            let v = std::string::String::from_utf8(b).unwrap();
            let o = Options::default();
            if let Some(out) = fast("References", &v, &o, one) {
                prop_assert_eq!(Ok(out), general("References", &v, &o, one), "{:?}", v);
            }
        }
    }

    #[test]
    fn new_ids() {
        let mut out = [0u8; 64];
        let n = make_msg_id(&[0; 16], "example.com", &mut out).unwrap();
        assert_eq!(&out[..n], b"<00000000000040008000000000000000@example.com>");
        let n = make_msg_id(&[0xff; 16], "a.b", &mut out).unwrap();
        assert_eq!(&out[..n], b"<ffffffffffff4fffbfffffffffffffff@a.b>");
        assert_eq!(
            make_msg_id(&[0; 16], "exämple.com", &mut out),
            Err(Error::NonAscii { at: 2 })
        );
        assert_eq!(
            make_msg_id(&[0; 16], "a..b", &mut out),
            Err(Error::InvalidMsgId { at: 2 })
        );
        assert_eq!(
            make_msg_id(&[0; 16], "", &mut out),
            Err(Error::InvalidMsgId { at: 0 })
        );
        assert_eq!(
            make_msg_id(&[0; 16], "a b", &mut out),
            Err(Error::InvalidMsgId { at: 1 })
        );
        assert_eq!(
            make_msg_id(&[0; 16], "a=?b", &mut out),
            Err(Error::InvalidMsgId { at: 1 })
        );
        assert_eq!(
            make_msg_id(&[0; 16], "example.com", &mut out[..10]),
            Err(Error::BufferTooSmall { needed: 46 })
        );
    }
}
