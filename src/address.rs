//! Address fields (RFC 5322 §3.4): mailbox lists, groups, Return-Path.
//!
//! The text form is parsed as people write it (`a@x`, `Name <a@x>`, `"Doe, John" <a@x>`,
//! `Team: a@x, b@x;`, UTF-8 display names) and written in canonical spacing: one space after
//! each comma and between a display name and `<addr>`. Comments and obsolete routes are
//! rejected rather than carried, since they are where parsers disagree. Folds go after commas,
//! between display-name words and before `<addr>`.

use crate::chars::{self, ATEXT, DTEXT, QTEXT};
use crate::fold::{Folder, Width};
use crate::input::{self, is_space};
use crate::phrase::{self, Plan, Source};
use crate::{Error, Options};

#[cfg(not(target_os = "none"))]
pub(crate) mod window;

/// One mailbox for [`crate::format_mailboxes`]: an optional display name, taken literally, and
/// an addr-spec (`local@domain`).
///
/// ```
/// let m = mailfold::Mailbox { display_name: Some("Zoë Ärger"), addr_spec: "zoe@example.com" };
/// assert_eq!(m.addr_spec, "zoe@example.com");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Mailbox<'a> {
    /// Shown name, any text (commas, quotes, `<`, UTF-8); `None` or empty writes the bare
    /// address.
    pub display_name: Option<&'a str>,
    /// `local-part@domain`: a dot-atom or quoted-string local part, a dot-atom or `[literal]`
    /// domain; ASCII unless `utf8` is on.
    pub addr_spec: &'a str,
}

/// Checks an addr-spec in `b[start..end]` and reports errors at offsets into `b`.
#[cfg(test)]
fn check_addr_spec(b: &[u8], start: usize, end: usize, utf8: bool) -> Result<(), Error> {
    check_addr_spec_fws(b, start, end, utf8, false)
}

/// Checks an addr-spec in `b[start..end]` and reports errors at offsets into `b`. With
/// `fws`, for text whose controls are checked already (so every CR and LF is part of a
/// caller's fold), it also takes white space around the `@` (RFC 5322 §3.4.1: the local part
/// and the domain are `[CFWS] ... [CFWS]`) and caller folds inside a quoted local part
/// (`*([FWS] qcontent) [FWS]`); [`for_each_addr_piece`] writes such an addr-spec without
/// them.
fn check_addr_spec_fws(
    b: &[u8],
    start: usize,
    end: usize,
    utf8: bool,
    fws: bool,
) -> Result<(), Error> {
    let err = |at| Error::InvalidAddress { at };
    // Always in range; telling the compiler `b.len() == end` removes the bounds checks (and
    // panic paths, scripts/check-no-panic.sh) of the scans below. Offsets are unchanged.
    let Some(b) = b.get(..end) else {
        return Err(err(end));
    };
    if start == end {
        return Err(err(start));
    }
    if b.get(start..end)
        .unwrap_or_default()
        .windows(2)
        .any(|w| w == b"=?")
    {
        // CPython and others decode encoded-word lookalikes even inside addresses. Blamed
        // where it is only when nothing before it is wrong already (`a..b@c=?d`: the `..`).
        return Err(blame_addr(b, start, end, utf8, fws));
    }
    let mut i = start;
    if b.get(i) == Some(&b'"') {
        i += 1;
        loop {
            match b[..end].get(i) {
                None => return Err(err(end)),
                Some(b'"') => break,
                Some(b'\\') => match b[..end].get(i + 1) {
                    // A quoted-pair of a non-ASCII character: the whole character, checked
                    // like any other (line separators refused, UTF-8 only with utf8).
                    Some(&c) if c >= 0x80 => i += non_ascii(b, i + 1, utf8)?,
                    Some(&c) if matches!(c, b' '..=b'~') || c == b'\t' => i += 1,
                    // A caller's fold right after the backslash: its break goes and its white
                    // space is the quoted character (SPEC §3), as `for_each_addr_piece` writes.
                    Some(b'\r' | b'\n') if fws => match input::fold_break_len(b, i + 1) {
                        0 => return Err(err(i)),
                        n => i += 1 + n,
                    },
                    _ => return Err(err(i)),
                },
                Some(&c) if c >= 0x80 => {
                    i += non_ascii(b, i, utf8)? - 1;
                }
                Some(&c) if chars::is(c, QTEXT) || c == b' ' || c == b'\t' => {}
                Some(b'\r' | b'\n') if fws => {}
                Some(_) => return Err(err(i)),
            }
            i += 1;
        }
        i += 1;
    } else {
        i = dot_atom(b, i, end, utf8)?;
    }
    if fws {
        i = skip_ws(b, i);
    }
    if b[..end].get(i) != Some(&b'@') {
        return Err(blame_addr(b, i, i, utf8, fws));
    }
    i += 1;
    if fws {
        i = skip_ws(b, i);
    }
    if b[..end].get(i) == Some(&b'[') {
        i += 1;
        while i < end && b[i] != b']' {
            if b[i] >= 0x80 {
                i += non_ascii(b, i, utf8)?;
            } else if chars::is(b[i], DTEXT) {
                i += 1;
            } else {
                return Err(err(i));
            }
        }
        if i >= end {
            return Err(err(end));
        }
        // `[dtext]` is a whole domain literal: what follows its `]` is what is wrong.
        // (Past white space, with `fws`: the white space itself may be FWS.)
        if i + 1 != end {
            let at = if fws { skip_ws(b, i + 1) } else { i + 1 };
            return Err(blame_addr(b, at, at, utf8, fws));
        }
        Ok(())
    } else {
        let j = dot_atom(b, i, end, utf8)?;
        if j != end {
            return Err(err(if fws { skip_ws(b, j) } else { j }));
        }
        Ok(())
    }
}

/// The error for address text `b[from..at]` known to be wrong at `at` at the latest (the
/// byte there cannot follow it, or the value ends there): the first byte of the addr-spec
/// text `b[from..at]` that no addr-spec could hold where it stands
/// ([`first_addr_offense`]), else the byte at `at` (README: every `at` points at the first
/// byte that made the value invalid), with the error its kind calls for: a line separator
/// or C1 control is `ControlCharacter` (SPEC §3), other non-ASCII with utf8 off `NonAscii`,
/// anything else (the end of the value too) `InvalidAddress`. `from == at` blames the byte
/// at `at` alone. Out of line and cold: only invalid values come here, and the readers of
/// valid ones stay as they are.
#[cold]
#[inline(never)]
fn blame_addr(b: &[u8], from: usize, at: usize, utf8: bool, fws: bool) -> Error {
    first_addr_offense(b, from, at, utf8, fws).unwrap_or_else(|| blame_byte(b, at, utf8))
}

/// The error for the byte at `at` (or the end of `b`), which cannot stand where it does.
fn blame_byte(b: &[u8], at: usize, utf8: bool) -> Error {
    match b.get(at) {
        Some(&c) if c >= 0x80 => non_ascii(b, at, utf8)
            .err()
            .unwrap_or(Error::InvalidAddress { at }),
        _ => Error::InvalidAddress { at },
    }
}

/// The first byte of `b[from..to]` at which that text stops being the start of some
/// addr-spec [`check_addr_spec_fws`] accepts, reported as that check reports it (`..` at
/// its second dot, a dot that ends a dot-atom at that dot, `=?` at its `=`, non-ASCII by
/// [`non_ascii`]); `None` when the text could still become one (it is only cut short).
fn first_addr_offense(b: &[u8], from: usize, to: usize, utf8: bool, fws: bool) -> Option<Error> {
    // `=?` can only be where it is: the structure before it decides whether an earlier byte
    // is to blame.
    let (b, eq_q) = chars::cut_at_eq_q(b, from, to);
    let bad = |at| Some(Error::InvalidAddress { at });
    let skip = |i| if fws { skip_ws(b, i) } else { i };
    let mut i = from;
    if b.get(i) == Some(&b'"') {
        i += 1;
        loop {
            match b.get(i) {
                None => return eq_q.and_then(bad),
                Some(b'"') => break,
                Some(b'\\') => match b.get(i + 1) {
                    None => return eq_q.and_then(bad),
                    Some(&c) if c >= 0x80 => match non_ascii(b, i + 1, utf8) {
                        Ok(n) => i += n,
                        Err(e) => return Some(e),
                    },
                    Some(&c) if matches!(c, b' '..=b'~') || c == b'\t' => i += 1,
                    // As in `check_addr_spec_fws`.
                    Some(b'\r' | b'\n') if fws => match input::fold_break_len(b, i + 1) {
                        0 => return bad(i),
                        n => i += 1 + n,
                    },
                    _ => return bad(i),
                },
                Some(&c) if c >= 0x80 => match non_ascii(b, i, utf8) {
                    Ok(n) => i += n - 1,
                    Err(e) => return Some(e),
                },
                Some(&c) if chars::is(c, QTEXT) || c == b' ' || c == b'\t' => {}
                Some(b'\r' | b'\n') if fws => {}
                Some(_) => return bad(i),
            }
            i += 1;
        }
        i += 1;
    } else {
        match dot_atom_prefix(b, i, utf8) {
            Ok(j) => i = j,
            Err(e) => return e.or_else(|| eq_q.and_then(bad)),
        }
    }
    i = skip(i);
    match b.get(i) {
        None => return eq_q.and_then(bad),
        Some(b'@') => {}
        Some(_) => return Some(blame_byte(b, i, utf8)),
    }
    i = skip(i + 1);
    if b.get(i) == Some(&b'[') {
        i += 1;
        while let Some(&c) = b.get(i) {
            if c == b']' {
                let next = skip(i + 1);
                return if next < b.len() {
                    Some(blame_byte(b, next, utf8))
                } else {
                    eq_q.and_then(bad)
                };
            }
            if c >= 0x80 {
                match non_ascii(b, i, utf8) {
                    Ok(n) => i += n,
                    Err(e) => return Some(e),
                }
            } else if chars::is(c, DTEXT) {
                i += 1;
            } else {
                return bad(i);
            }
        }
        return eq_q.and_then(bad);
    }
    match dot_atom_prefix(b, i, utf8) {
        Ok(j) if skip(j) < b.len() => Some(blame_byte(b, skip(j), utf8)),
        Ok(_) => eq_q.and_then(bad),
        Err(e) => e.or_else(|| eq_q.and_then(bad)),
    }
}

/// [`dot_atom`] on text that may be cut short at `b.len()`: `Ok` where a complete dot-atom
/// stops before the end, `Err(Some)` its first wrong byte as [`dot_atom`] reports it, and
/// `Err(None)` when the text ends inside it, or before it begins (it may still go on).
fn dot_atom_prefix(b: &[u8], i: usize, utf8: bool) -> Result<usize, Option<Error>> {
    let (stop, after_dot) = dot_atom_scan(b, i, b.len(), utf8).map_err(Some)?;
    if stop >= b.len() {
        return Err(None);
    }
    dot_atom_end(i, stop, after_dot).map_err(Some)
}

/// Byte classes for [`plain_addr_end`]: atext that needs no further look (everything but
/// `=`, which may start an `=?`), `.` and `@`, and what ends an addr-spec in a list.
const A_PLAIN: u8 = 1;
const A_DOT: u8 = 2;
const A_AT: u8 = 3;
const A_STOP: u8 = 4;

const fn addr_class(b: u8) -> u8 {
    if b == b'.' {
        A_DOT
    } else if b == b'@' {
        A_AT
    } else if b == b'=' {
        0
    } else if phrase::is_atext(b) {
        A_PLAIN
    } else if matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b',' | b';' | b'>' | b'<') {
        A_STOP
    } else {
        0
    }
}

static ADDR_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = addr_class(i as u8);
        i += 1;
    }
    t
};

/// The bytes most of an addr-spec (and of a display name's atoms) is made of: letters, digits,
/// `-`, `_` and `+`. Runs of them are skipped 16 at a time (the SSE2 masks of
/// `common_mask_of`, tested against this definition); everything else (`.`, `@`, other
/// atext, what ends the addr-spec) is looked at one by one.
#[cfg(test)]
fn is_common(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'+')
}

/// Bit `k` set when `block[k]` (`block` has 16 bytes) is [`is_common`].
#[cfg(all(test, target_arch = "x86_64", not(target_os = "none")))]
#[inline(always)]
fn common_mask(block: &[u8]) -> u32 {
    use core::arch::x86_64::*;
    debug_assert!(block.len() >= 16);
    if block.len() < 16 {
        return 0;
    }
    // SAFETY: SSE2 is part of the x86_64 baseline; `block` holds at least 16 readable bytes
    // (checked above) and `_mm_loadu_si128` has no alignment requirement.
    common_mask_of(unsafe { _mm_loadu_si128(block.as_ptr().cast::<__m128i>()) })
}

/// `common_mask` of 16 loaded bytes.
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
#[inline(always)]
fn common_mask_of(v: core::arch::x86_64::__m128i) -> u32 {
    use core::arch::x86_64::*;
    // SAFETY: SSE2 is part of the x86_64 baseline; these intrinsics only compute on registers.
    unsafe {
        // `x` in `lo..=hi`, unsigned: shift the range down to start at -128, compare signed.
        let in_range = |x: __m128i, lo: u8, hi: u8| {
            let shifted = _mm_add_epi8(x, _mm_set1_epi8(128u8.wrapping_sub(lo) as i8));
            _mm_cmplt_epi8(shifted, _mm_set1_epi8((128u8 + (hi - lo) + 1) as i8))
        };
        let letter = in_range(_mm_or_si128(v, _mm_set1_epi8(0x20)), b'a', b'z');
        let digit = in_range(v, b'0', b'9');
        let is = |c: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8));
        let punct = _mm_or_si128(_mm_or_si128(is(b'-'), is(b'_')), is(b'+'));
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letter, digit), punct)) as u32
    }
}

/// The common addr-spec, ASCII `dot-atom@dot-atom` without `=?`, starting at `start`: where it
/// ends (at the end of `b`, white space, `,`, `;`, `<` or `>`, as in [`addr_end`]), if it is
/// one. One pass that [`check_addr_spec_fws`] would accept; anything else (quoted local parts,
/// domain literals, UTF-8, errors) is left to the full check, which also finds the exact
/// error offset. Such an addr-spec holds no control character either.
#[inline]
fn plain_addr_end(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start;
    let mut at_seen = false;
    // After `.` or `@`, or at the start: an atom must begin here (an empty one fails).
    let mut after_sep = true;
    loop {
        // Whole stretches of letters, digits, `-_+`, `.` and `@`, checked 16 bytes at a time:
        // the 16 bytes from `i`, or near the end the last 16 of `b` from `i` on.
        #[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
        {
            let block = match b.get(i..i + 16) {
                Some(block) => Some((block, 0)),
                None if i < b.len() => b
                    .len()
                    .checked_sub(16)
                    .and_then(|base| Some((b.get(base..)?, i - base))),
                None => None,
            };
            if let Some((block, shift)) = block {
                let (common, dot, at) = addr_masks(block);
                let (common, dot, at) = (common >> shift, dot >> shift, at >> shift);
                let sep = dot | at;
                // Taken: up to the first other byte (bits past the end of `b` are other).
                let k = (!(common | sep)).trailing_zeros();
                if k > 0 {
                    let taken = (1u32 << k) - 1;
                    let (sep, at) = (sep & taken, at & taken);
                    // An empty atom (a separator first after a separator, or two in a row)
                    // or a second `@`.
                    if (after_sep && sep & 1 != 0)
                        || sep & (sep >> 1) != 0
                        || at & at.wrapping_sub(1) != 0
                        || (at_seen && at != 0)
                    {
                        return None;
                    }
                    at_seen |= at != 0;
                    after_sep = sep >> (k - 1) & 1 != 0;
                    i += k as usize;
                    if k == 16 {
                        continue;
                    }
                }
            }
        }
        // One byte.
        let Some(&c) = b.get(i) else {
            return (at_seen && !after_sep).then_some(i);
        };
        match ADDR_CLASS[c as usize] {
            A_PLAIN => after_sep = false,
            A_DOT if !after_sep => after_sep = true,
            A_AT if !after_sep && !at_seen => {
                after_sep = true;
                at_seen = true;
            }
            A_STOP => return (at_seen && !after_sep).then_some(i),
            // `=` is atext, but `=?` would read as an encoded-word.
            _ if c == b'=' && b.get(i + 1) != Some(&b'?') => after_sep = false,
            _ => return None,
        }
        i += 1;
    }
}

/// The first index at or after `i` whose byte is neither `is_common` nor non-ASCII (or
/// `b.len()`), and whether non-ASCII bytes were passed: the words of display names, skipped
/// 16 bytes at a time. Inputs shorter than 16 bytes are left to the caller's byte loop.
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
#[inline]
fn skip_word(b: &[u8], mut i: usize) -> (usize, bool) {
    use core::arch::x86_64::*;
    let mut high = 0u32;
    loop {
        // The 16 bytes from `i`, or near the end the last 16 of `b`, minus those before `i`.
        let (block, shift) = match b.get(i..i + 16) {
            Some(block) => (block, 0),
            None => match b
                .len()
                .checked_sub(16)
                .and_then(|base| Some((b.get(base..)?, base)))
            {
                Some((block, base)) if i < b.len() => (block, i - base),
                _ => return (i, high != 0),
            },
        };
        if block.len() < 16 {
            return (i, high != 0);
        }
        // SAFETY: SSE2 is part of the x86_64 baseline; `block` holds 16 readable bytes
        // (checked above) and `_mm_loadu_si128` has no alignment requirement.
        let v = unsafe { _mm_loadu_si128(block.as_ptr().cast::<__m128i>()) };
        // SAFETY: as above; computes on registers only.
        let hi = unsafe { _mm_movemask_epi8(v) } as u32 >> shift;
        let common = common_mask_of(v) >> shift;
        // Bits past the block (after the shift) are clear, so this stops there at the latest.
        let k = (!(common | hi)).trailing_zeros();
        high |= hi & ((1u32 << k) - 1);
        i += k as usize;
        if k < 16 || shift != 0 {
            return (i, high != 0);
        }
    }
}

/// Elsewhere the caller's byte loop takes every byte (bare metal has no one-pass reader).
#[cfg(all(not(target_arch = "x86_64"), not(target_os = "none")))]
#[inline(always)]
fn skip_word(_b: &[u8], i: usize) -> (usize, bool) {
    (i, false)
}

/// [`skip_word`] byte by byte: the definition it is tested against.
#[cfg(test)]
fn skip_word_bytewise(b: &[u8], i: usize) -> (usize, bool) {
    let end = b
        .get(i..)
        .and_then(|rest| rest.iter().position(|&c| !(is_common(c) || c >= 0x80)))
        .map_or(b.len().max(i), |p| i + p);
    (
        end,
        b.get(i..end).is_some_and(|r| r.iter().any(|&c| c >= 0x80)),
    )
}

/// Masks of a 16-byte block: `is_common` bytes, `.` and `@` (bit `k` for `block[k]`).
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
#[inline(always)]
fn addr_masks(block: &[u8]) -> (u32, u32, u32) {
    use core::arch::x86_64::*;
    if block.len() < 16 {
        return (0, 0, 0);
    }
    // SAFETY: SSE2 is part of the x86_64 baseline; `block` holds at least 16 readable bytes
    // (checked above) and `_mm_loadu_si128` has no alignment requirement.
    unsafe {
        let v = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
        let is = |c: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8));
        let mask = |m: __m128i| _mm_movemask_epi8(m) as u32;
        (common_mask_of(v), mask(is(b'.')), mask(is(b'@')))
    }
}

/// A whole addr-spec of 1 to 64 bytes made only of `is_common` bytes, `.` and `@` that
/// [`plain_addr_end`] accepts to its end: one `@`, no empty atom. For the structured form,
/// whose addr-specs come alone: the masks of at most four 16-byte blocks and one verdict by
/// bit arithmetic, instead of [`plain_addr_end`]'s loop with its branches on every block
/// (which still takes what this leaves: other atext, longer ones, errors). True only where
/// `plain_addr_end(addr, 0) == Some(addr.len())` (a property test holds them together).
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
#[inline]
fn whole_plain_addr(addr: &[u8]) -> bool {
    if crate::cpu::avx2() {
        // SAFETY: the CPU supports AVX2 (checked just above).
        unsafe { whole_plain_addr_avx2(addr) }
    } else {
        whole_plain_addr_sse2(addr)
    }
}

/// The bytes of [`whole_plain_addr`]'s set (`is_common`, `.` and `@`) as a nibble table
/// for `pshufb`: entry `lo` has bit `r` set when byte `r << 4 | lo` is in the set (`r` 0
/// to 7). With [`ADDR_ROW_BITS`] looked up by the high nibble, `LO[lo] & ROW[hi] != 0`
/// exactly for the members; non-ASCII bytes (row bit 0) are in none.
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
const ADDR_SET_LO: [u8; 16] = {
    let mut t = [0u8; 16];
    let mut lo = 0;
    while lo < 16 {
        let mut r = 0;
        while r < 8 {
            let c = (r << 4 | lo) as u8;
            if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'+' | b'.' | b'@') {
                t[lo] |= 1 << r;
            }
            r += 1;
        }
        lo += 1;
    }
    t
};

/// The row bit of each high nibble, for [`ADDR_SET_LO`] (rows 8 to 15, non-ASCII: none).
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
const ADDR_ROW_BITS: [u8; 16] = [1, 2, 4, 8, 16, 32, 64, 128, 0, 0, 0, 0, 0, 0, 0, 0];

/// [`whole_plain_addr`] with AVX2: an addr-spec of 16 to 64 bytes is classified as one
/// 32-byte vector of its first and last 16 bytes (up to 32 bytes) or as its first and last 32
/// bytes (overlapping bytes are classified alike), every byte in the set tested on the
/// vectors by two nibble look-ups ([`ADDR_SET_LO`]: the ranges and the five single bytes
/// compared one by one took twice the instructions), the separators' places joined into one
/// mask. Inline where an AVX2 caller takes it
/// ([`format_mailboxes`]' AVX2 loop, where the call, the run-time check before it and the
/// reloads after it cost more than it does). Other lengths take [`whole_plain_addr_sse2`],
/// out of line.
///
/// # Safety
/// The CPU must support AVX2 (`crate::cpu::avx2()`).
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
unsafe fn whole_plain_addr_avx2(addr: &[u8]) -> bool {
    use core::arch::x86_64::*;
    let n = addr.len();
    if !(16..=64).contains(&n) {
        return whole_plain_addr_other(addr);
    }
    let p = addr.as_ptr();
    // SAFETY: each table is 16 readable bytes; no alignment requirement.
    let (lo_t, row_t) = unsafe {
        (
            _mm256_broadcastsi128_si256(_mm_loadu_si128(ADDR_SET_LO.as_ptr().cast())),
            _mm256_broadcastsi128_si256(_mm_loadu_si128(ADDR_ROW_BITS.as_ptr().cast())),
        )
    };
    let nibble = _mm256_set1_epi8(0x0F);
    // Masks of a vector: the bytes outside the set, separators, `@`.
    let masks = |v: __m256i| {
        let lo = _mm256_shuffle_epi8(lo_t, _mm256_and_si256(v, nibble));
        let row = _mm256_shuffle_epi8(row_t, _mm256_and_si256(_mm256_srli_epi16::<4>(v), nibble));
        let out = _mm256_cmpeq_epi8(_mm256_and_si256(lo, row), _mm256_setzero_si256());
        let at = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'@' as i8));
        let sep = _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'.' as i8)), at);
        let mask = |m: __m256i| _mm256_movemask_epi8(m) as u32;
        (mask(out), mask(sep), mask(at))
    };
    let (all, sep, at) = if n <= 32 {
        // SAFETY: `16 <= n`: the 16 bytes from the start and the 16 ending at the end are
        // inside `addr`; unaligned loads.
        let v = unsafe { _mm256_loadu2_m128i(p.add(n - 16).cast(), p.cast()) };
        let (out, sep, at) = masks(v);
        let join = |m: u32| u64::from(m & 0xffff) | (u64::from(m >> 16) << (n - 16));
        (out == 0, join(sep), join(at))
    } else {
        // SAFETY: `32 < n`: the 32 bytes from the start and the 32 ending at the end are
        // inside `addr`; unaligned loads.
        let (v0, v1) = unsafe {
            (
                _mm256_loadu_si256(p.cast()),
                _mm256_loadu_si256(p.add(n - 32).cast()),
            )
        };
        let ((out0, sep0, at0), (out1, sep1, at1)) = (masks(v0), masks(v1));
        let join = |a: u32, b: u32| u64::from(a) | (u64::from(b) << (n - 32));
        (out0 | out1 == 0, join(sep0, sep1), join(at0, at1))
    };
    // Exactly one `@`, no separator first, last or after another.
    all & (at != 0)
        & (at & at.wrapping_sub(1) == 0)
        & (sep & 1 == 0)
        & (sep >> (n - 1) == 0)
        & (sep & (sep >> 1) == 0)
}

/// [`whole_plain_addr_sse2`] out of line, for [`whole_plain_addr_avx2`]'s rare lengths: its
/// blocks and constants stay out of the AVX2 callers it inlines into.
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
#[inline(never)]
fn whole_plain_addr_other(addr: &[u8]) -> bool {
    whole_plain_addr_sse2(addr)
}

/// [`whole_plain_addr`] with SSE2 (the x86_64 baseline).
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
#[inline(always)]
fn whole_plain_addr_sse2(addr: &[u8]) -> bool {
    let n = addr.len();
    let (mut ok, mut dot, mut at) = (0u64, 0u64, 0u64);
    let mut add = |block: &[u8], shift: usize| {
        let (c, d, a) = addr_masks(block);
        ok |= u64::from(c | d | a) << shift;
        dot |= u64::from(d) << shift;
        at |= u64::from(a) << shift;
    };
    if n < 16 {
        if n == 0 {
            return false;
        }
        // Zeros after the address are in no class (their bits are cut below).
        let mut pad = [0u8; 16];
        for (d, &c) in pad.iter_mut().zip(addr) {
            *d = c;
        }
        add(&pad, 0);
    } else if n <= 64 {
        // Blocks from the start, and one ending at the end (overlapping the one before it,
        // whose bytes it classifies alike).
        let mut k = 0;
        while let Some(block) = addr.get(k..k + 16) {
            add(block, k);
            k += 16;
        }
        if k < n {
            add(addr.get(n - 16..).unwrap_or_default(), n - 16);
        }
    } else {
        return false;
    }
    let valid = u64::MAX >> (64 - n);
    let sep = (dot | at) & valid;
    let at = at & valid;
    // Every byte in the set, exactly one `@`, no separator first, last or after another.
    (ok & valid == valid)
        & (at != 0)
        & (at & at.wrapping_sub(1) == 0)
        & (sep & 1 == 0)
        & (sep >> (n - 1) == 0)
        & (sep & (sep >> 1) == 0)
}

/// Elsewhere [`plain_addr_end`] takes every addr-spec.
#[cfg(all(not(target_arch = "x86_64"), not(target_os = "none")))]
#[inline(always)]
fn whole_plain_addr(_addr: &[u8]) -> bool {
    false
}

/// The definition [`plain_addr_end`] is tested against (the version it replaced).
#[cfg(test)]
fn plain_addr_end_ref(b: &[u8], start: usize) -> Option<usize> {
    let mut at_seen = false;
    // Starts as if after a dot, so that an empty first atom fails.
    let mut prev = b'.';
    let mut i = start;
    while let Some(&c) = b.get(i) {
        if c == b'.' || c == b'@' {
            if prev == b'.' || prev == b'@' || (c == b'@' && at_seen) {
                return None;
            }
            at_seen |= c == b'@';
        } else if !chars::is(c, ATEXT) {
            if is_space(c) || matches!(c, b',' | b';' | b'>' | b'<') {
                break;
            }
            return None;
        } else if c == b'?' && prev == b'=' {
            return None;
        }
        prev = c;
        i += 1;
    }
    (at_seen && prev != b'.' && prev != b'@').then_some(i)
}

/// Scans a dot-atom-text from `i`; returns where it stops (at a non-atom byte).
fn dot_atom(b: &[u8], i: usize, end: usize, utf8: bool) -> Result<usize, Error> {
    let (stop, after_dot) = dot_atom_scan(b, i, end, utf8)?;
    dot_atom_end(i, stop, after_dot)
}

/// The loop of [`dot_atom`]: where the atoms and dots from `i` stop (at a non-atom byte or
/// `end`), and whether the last of them was a dot; a doubled dot or a wrong non-ASCII
/// character is the error.
#[inline(always)]
fn dot_atom_scan(b: &[u8], mut i: usize, end: usize, utf8: bool) -> Result<(usize, bool), Error> {
    let err = |at| Error::InvalidAddress { at };
    let mut after_dot = true;
    while i < end {
        // `get` instead of indexing where the compiler cannot see the bound (here and in the
        // parsers below): always in range, and no panic path in release builds
        // (scripts/check-no-panic.sh).
        let Some(&c) = b.get(i) else { break };
        if c >= 0x80 {
            i += non_ascii(b, i, utf8)?;
            after_dot = false;
            continue;
        }
        if c == b'.' {
            if after_dot {
                return Err(err(i));
            }
            after_dot = true;
        } else if chars::is(c, ATEXT) {
            after_dot = false;
        } else {
            break;
        }
        i += 1;
    }
    Ok((i, after_dot))
}

/// The verdict of [`dot_atom`] on a scan from `start` that stopped at `stop`: empty, or
/// ending with a dot, is wrong.
#[inline(always)]
fn dot_atom_end(start: usize, stop: usize, after_dot: bool) -> Result<usize, Error> {
    if stop == start {
        return Err(Error::InvalidAddress { at: stop });
    }
    if after_dot {
        return Err(Error::InvalidAddress { at: stop - 1 });
    }
    Ok(stop)
}

/// Non-ASCII inside an address: only with `utf8` (RFC 6532), never a line separator.
fn non_ascii(b: &[u8], i: usize, utf8: bool) -> Result<usize, Error> {
    if chars::line_breaking_char_len(b, i).is_some() {
        return Err(Error::ControlCharacter { at: i });
    }
    if !utf8 {
        return Err(Error::NonAscii { at: i });
    }
    Ok(b.get(i).map_or(1, |&c| chars::utf8_len(c)))
}

/// Writes an addr-spec token, `<addr>` when `angle`, followed by `glue`.
fn write_addr(
    f: &mut Folder<'_, '_>,
    ws: &[u8],
    addr: &[u8],
    w: Width,
    angle: bool,
    glue: &[u8],
) -> Result<(), Error> {
    let brackets = if angle { 2 } else { 0 };
    f.space(ws, w.plus(Width::ascii(brackets + glue.len())), false)?;
    if angle {
        f.put_byte(b'<');
    }
    f.put(addr, w);
    if angle {
        f.put_byte(b'>');
    }
    f.put_ascii(glue);
    Ok(())
}

/// Writes ` <addr>` and `glue` right after a display name. [`write_addr`] would call
/// [`Folder::space`] with nothing pending (the name's own last call cleared any fold of
/// [`Folder::keep_together`]), so when the tail fits on the line its check passes and the
/// bytes go straight to the sink; otherwise [`write_addr`] folds.
#[inline]
fn write_angle_addr(
    f: &mut Folder<'_, '_>,
    addr: &[u8],
    addr_w: Width,
    glue: &[u8],
) -> Result<(), Error> {
    #[cfg(not(target_os = "none"))]
    {
        let tail = addr_w.plus(Width::ascii(3 + glue.len()));
        let (here, _) = f.room(1);
        if !f.at_start() && tail.chars <= here.chars && tail.bytes <= here.bytes {
            put_angle_tail(f, addr, glue, tail);
            return Ok(());
        }
    }
    write_addr(f, b" ", addr, addr_w, true, glue)
}

/// The width of an addr-spec (non-ASCII only with `utf8`, checked before).
fn addr_width(addr: &[u8], options: &Options) -> Width {
    if options.utf8 {
        Width::of(addr)
    } else {
        Width::ascii(addr.len())
    }
}

/// What [`write_encoded_mailbox`] did.
#[cfg(not(target_os = "none"))]
#[derive(Clone, Copy, PartialEq, Eq)]
enum EncodedMailbox {
    /// The whole mailbox is written.
    Written,
    /// Nothing written: the name is not one encoded-word; the general path writes it all.
    NotOneWord,
    /// The fold of [`Folder::keep_together`] is made (if any); the name's one word does not
    /// fit where it now starts, so [`phrase::write_planned`] splits it into several, and
    /// then [`write_angle_addr`] writes the address.
    Split,
}

/// Writes a mailbox whose display name `lit` is encoded, when the name is one encoded-word,
/// encoding it once. Where the mailbox, ` word <addr>` and `glue`, goes on one line (the
/// current one, or a fresh one where the general path moves it) every step of the general
/// path ([`Folder::keep_together`], [`phrase::write_planned`], then [`write_angle_addr`])
/// writes its bytes without a fold: the word is the one `encoded_word::write_run_slice`
/// makes of a text that fits in its room, and the tail passes the check of
/// [`write_angle_addr`] (which counts one column of white space more than it writes, so
/// does this). Otherwise the general path's steps are taken one by one, with the width
/// [`phrase::Plan::one_line_width`] would measure being the word's: its
/// [`Folder::keep_together`], then the word itself when it fits where the name now starts
/// (`write_run_slice` would make exactly it there), else [`EncodedMailbox::Split`].
///
/// Inlined into both callers ([`write_mailbox`], [`write_encoded_element`]): each of them
/// is hot in its own system (structured, text form), and a call between costs more than the
/// instructions around it save.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn write_encoded_mailbox(
    f: &mut Folder<'_, '_>,
    lit: &[u8],
    addr: &[u8],
    addr_w: Width,
    glue: &[u8],
    options: &Options,
) -> Result<EncodedMailbox, Error> {
    use crate::encoded_word::{self, Context};
    let Some(word) = encoded_word::encode_whole_slice(lit, Context::Phrase, options.encoding)
    else {
        return Ok(EncodedMailbox::NotOneWord);
    };
    let word = word.bytes();
    let word_w = Width::ascii(word.len());
    // What follows the word: ` <addr>` and the glue.
    let tail = addr_w.plus(Width::ascii(3 + glue.len()));
    // The general path's fit checks after the word's white space: the word and `tail`
    // within the encoded-word line limit, counting one more column as `write_angle_addr`
    // does, and within 998 octets.
    let unit = |room_chars: usize, room_bytes: usize| {
        word.len() + 1 + tail.chars <= room_chars && word.len() + 1 + tail.bytes <= room_bytes
    };
    let (ew_here, ew_fresh) = f.ew_room(1);
    let (here, fresh) = f.room(1);
    if !unit(ew_here, here.bytes) {
        // Not on this line: the general path moves the mailbox to a fresh line only when
        // the whole of it does not fit here but fits there ([`Folder::group_moves`]).
        let whole = tail.plus(word_w);
        if !f.group_moves(1, whole, true) || !unit(ew_fresh, fresh.bytes) {
            // The general path, step by step.
            f.keep_together(b" ", whole, true);
            if word.len() > f.ew_room(1).0 {
                return Ok(EncodedMailbox::Split);
            }
            f.space(b" ", word_w, true)?;
            write_piece(f.sink(), word);
            f.advance(word_w);
            write_angle_addr(f, addr, addr_w, glue)?;
            return Ok(EncodedMailbox::Written);
        }
        // `Folder::newline` with one store (not right after the name: the name line's
        // state is gone already).
        put_line_ending(f);
        f.resume(Width::default(), false);
    }
    // One SP before the word: it fits, so this only writes it and marks the line as one
    // holding an encoded-word (and clears the state after `Name:`).
    f.space(b" ", word_w, true)?;
    let sink = f.sink();
    write_piece(sink, word);
    sink.write(b" <");
    write_piece(sink, addr);
    write_close(sink, glue);
    f.advance(word_w.plus(tail));
    Ok(EncodedMailbox::Written)
}

/// [`write_mailbox`] for a text-form element whose display name `raw` [`fast_element`]
/// read as [`NameHint::NonAscii`], with `utf8` off: the name is encoded. The same steps as
/// there for its plan ([`phrase::plan_known`] with [`phrase::Known::Encoded`], whose
/// [`phrase::Plan::write_unit`] writes nothing and whose literal text is `raw`), straight
/// to [`write_encoded_mailbox`] without planning the name first; a name that is not one
/// encoded-word (nothing written yet) takes [`write_mailbox`] itself. Out of line: a
/// quarter of the elements, and the reader's loop stays small.
///
/// A name that is one B word (the common case: most non-Latin and short accented names)
/// first takes [`put_b_mailbox`], which writes the word straight into the output.
#[cfg(not(target_os = "none"))]
#[inline(never)]
fn write_encoded_element(
    f: &mut Folder<'_, '_>,
    b: &[u8],
    (s, e): (usize, usize),
    addr: &[u8],
    glue: &[u8],
    options: &Options,
) -> Result<(), Error> {
    debug_assert!(!options.utf8);
    #[cfg(target_arch = "x86_64")]
    if crate::cpu::avx2() {
        let addr_w = Width::ascii(addr.len());
        // SAFETY: the CPU supports AVX2 (checked just above).
        match unsafe { put_b_mailbox(f, b, (s, e), addr, addr_w, glue, options) }? {
            EncodedMailbox::Written => return Ok(()),
            EncodedMailbox::Split => {
                let raw = b.get(s..e).unwrap_or_default();
                // SAFETY: the CPU supports AVX2 (checked above).
                return unsafe { write_split_b_avx2(f, raw, addr, addr_w, glue, options) };
            }
            EncodedMailbox::NotOneWord => {}
        }
    }
    write_encoded_general(f, b, (s, e), addr, glue, options)
}

/// A mailbox whose encoded display name `raw` does not fit where it starts: the name in
/// words ([`phrase::write_planned`]), then ` <addr>` and the glue.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn write_split_name(
    f: &mut Folder<'_, '_>,
    raw: &[u8],
    addr: &[u8],
    addr_w: Width,
    glue: &[u8],
    options: &Options,
) -> Result<(), Error> {
    let plan = phrase::plan_known(raw, phrase::Known::Encoded);
    phrase::write_planned(f, b" ", plan, options, b"")?;
    write_angle_addr(f, addr, addr_w, glue)
}

/// [`write_split_name`] for a name of at most 45 bytes that [`put_b_mailbox`] found to be
/// one B word ([`EncodedMailbox::Split`]: `Auto` or B chose B for all of it), compiled for
/// AVX2: the words [`crate::encoded_word::write_run_slice`] makes (one SP before each, no
/// glue), each sized and placed by the same steps ([`Folder::ew_room`], the first
/// character's check, [`Folder::space`]), but each word's encoding found by
/// [`crate::encoded_word::RunEncoder::keeps_b`] from a mask of the bytes Q escapes (one
/// table lookup per 32 bytes) instead of encoding the word both ways and counting escapes
/// again, and a B word written straight into the output
/// ([`crate::encoded_word::write_b_word_avx2`]). Out of line: one field in ten splits a
/// name. Anything else (a longer name, a line too short for any character) takes
/// [`write_split_name`].
///
/// # Safety
/// The CPU must support AVX2 ([`crate::cpu::avx2`]).
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline(never)]
unsafe fn write_split_b_avx2(
    f: &mut Folder<'_, '_>,
    raw: &[u8],
    addr: &[u8],
    addr_w: Width,
    glue: &[u8],
    options: &Options,
) -> Result<(), Error> {
    use crate::encoded_word::{
        b_word_take_avx2, write_b_word_avx2, BWordConsts, Context, RunEncoder, OVERHEAD,
    };
    let n = raw.len();
    // A fresh line holds any character's word (at most 8 characters and the overhead), so
    // every word takes something, as on the general path (which fails only there).
    if n == 0 || n > B_WORD_TEXT || f.ew_room(1).1 < OVERHEAD + 8 {
        return write_split_name(f, raw, addr, addr_w, glue, options);
    }
    // The name, then zeros: a character start at `n`, and 64 bytes from any word's start.
    let mut pad = [0u8; 112];
    if let Some(d) = pad.get_mut(..n) {
        d.copy_from_slice(raw);
    }
    let Some(first) = pad.first_chunk::<64>() else {
        return write_split_name(f, raw, addr, addr_w, glue, options);
    };
    // SAFETY: the CPU supports AVX2 (this function's contract).
    let esc = unsafe { phrase_escapes_avx2(first) } & window::below(n as u32);
    let escapes = esc.count_ones() as usize;
    let encoder = RunEncoder::with_escapes(n, escapes, Context::Phrase, options.encoding);
    if !encoder.is_b() {
        return write_split_name(f, raw, addr, addr_w, glue, options);
    }
    let literals = n - escapes;
    // SAFETY: the CPU supports AVX2 (this function's contract).
    let k = unsafe { BWordConsts::new() };
    let mut cur = 0;
    while cur < n {
        let rest = pad.get(cur..n).unwrap_or_default();
        let tail = pad.get(cur..).unwrap_or_default();
        // As `write_run_slice`: on this line when the first character fits there in an
        // encoding the word may take, else on a fresh one.
        let (here, fresh) = f.ew_room(1);
        let room = if here >= encoder.min_word_any::<true>(rest) {
            here
        } else {
            fresh
        };
        // SAFETY: the CPU supports AVX2 (this function's contract).
        let Some(found) = (unsafe { b_word_take_avx2(tail, rest.len(), room) }) else {
            return Err(Error::LineTooLong);
        };
        let tb = found.take();
        let at = cur as u32;
        let keeps = encoder.keeps_b(rest.len(), tail, room, tb, literals, |t| {
            ((esc >> at) & window::below(t as u32)).count_ones() as usize
        });
        let mut q_word = [0u8; 96];
        let (taken, len) = if keeps {
            (tb, OVERHEAD + tb.div_ceil(3) * 4)
        } else {
            encoder.encode_as::<true, false>(rest, tail, room, &mut q_word, 0)
        };
        if taken == 0 {
            return Err(Error::LineTooLong);
        }
        f.space(b" ", Width::ascii(len), true)?;
        let sink = f.sink();
        if keeps {
            // SAFETY: the CPU supports AVX2 (this function's contract). It stores only into
            // `sink.spare()` (whole vectors, the bytes after the word written back as they
            // were), or returns `None` without writing.
            match unsafe { write_b_word_avx2(&found, sink.spare(), 0, &k) } {
                Some((_, l)) => {
                    debug_assert_eq!(l, len);
                    sink.commit(len);
                }
                None => {
                    let mut buf = [0u8; B_WORD_ROOM];
                    // SAFETY: as above; `buf` has the room.
                    if let Some((_, l)) = unsafe { write_b_word_avx2(&found, &mut buf, 0, &k) } {
                        sink.write(buf.get(..l).unwrap_or_default());
                    }
                }
            }
        } else {
            sink.write(q_word.get(..len).unwrap_or_default());
        }
        f.advance(Width::ascii(len));
        cur += taken;
    }
    write_angle_addr(f, addr, addr_w, glue)
}

/// The bytes of `chunk` that Q writes as `=XX` in a phrase (bit `i` for byte `i`): all but
/// space, letters, digits and `!*+-/` (RFC 2047 §5(3)), found with two 16-entry tables, one
/// for the low half of each byte and one for the high half (a set bit in both: a literal).
///
/// # Safety
/// The CPU must support AVX2 ([`crate::cpu::avx2`]).
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
unsafe fn phrase_escapes_avx2(chunk: &[u8; 64]) -> u64 {
    use core::arch::x86_64::*;
    // Rows by the high half: 2 (bit 0), 3 (bit 1), 4 and 6 (bit 2), 5 and 7 (bit 3); rows 4
    // and 6 (and 5 and 7) hold literals in the same columns.
    const HI: [u8; 16] = [0, 0, 1, 2, 4, 8, 4, 8, 0, 0, 0, 0, 0, 0, 0, 0];
    const LO: [u8; 16] = [
        0x0B, 0x0F, 0x0E, 0x0E, 0x0E, 0x0E, 0x0E, 0x0E, 0x0E, 0x0E, 0x0D, 0x05, 0x04, 0x05, 0x04,
        0x05,
    ];
    // SAFETY: the tables and `chunk` are readable for the lengths loaded; the loads have no
    // alignment requirement; the CPU supports AVX2 (this function's contract).
    unsafe {
        let hi_t = _mm256_broadcastsi128_si256(_mm_loadu_si128(HI.as_ptr().cast()));
        let lo_t = _mm256_broadcastsi128_si256(_mm_loadu_si128(LO.as_ptr().cast()));
        let nib = _mm256_set1_epi8(0x0F);
        let half = |at: usize| {
            let v = _mm256_loadu_si256(chunk.as_ptr().add(at).cast::<__m256i>());
            let lo = _mm256_shuffle_epi8(lo_t, _mm256_and_si256(v, nib));
            let hi = _mm256_shuffle_epi8(hi_t, _mm256_and_si256(_mm256_srli_epi16(v, 4), nib));
            let lit = _mm256_and_si256(lo, hi);
            let esc = _mm256_cmpeq_epi8(lit, _mm256_setzero_si256());
            u64::from(_mm256_movemask_epi8(esc) as u32)
        };
        half(0) | half(32) << 32
    }
}

/// [`write_encoded_element`] past its B word: [`write_encoded_mailbox`], then the general
/// writer.
#[cfg(not(target_os = "none"))]
#[inline]
fn write_encoded_general(
    f: &mut Folder<'_, '_>,
    b: &[u8],
    (s, e): (usize, usize),
    addr: &[u8],
    glue: &[u8],
    options: &Options,
) -> Result<(), Error> {
    let raw = b.get(s..e).unwrap_or_default();
    let addr_w = Width::ascii(addr.len());
    match write_encoded_mailbox(f, raw, addr, addr_w, glue, options)? {
        EncodedMailbox::Written => Ok(()),
        EncodedMailbox::Split => write_split_name(f, raw, addr, addr_w, glue, options),
        EncodedMailbox::NotOneWord => {
            let plan = phrase::plan_known(raw, phrase::Known::Encoded);
            write_mailbox(f, b" ", Some(plan), addr, glue, options, true)
        }
    }
}

/// [`other_element`] for the AVX2 list loop, compiled for AVX2: a display name that is one
/// B word is written by [`put_b_mailbox`]'s body inlined here, instead of through
/// [`other_element`], [`write_encoded_element`] and [`put_b_mailbox`], three calls each
/// with its frame (a quarter of the elements). Every other element takes [`other_element`].
///
/// # Safety
/// The CPU must support AVX2 ([`crate::cpu::avx2`]).
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline(never)]
unsafe fn other_element_avx2(
    f: &mut Folder<'_, '_>,
    b: &[u8],
    i: usize,
    mb: ParsedMailbox,
    hint: NameHint,
    glue: &[u8],
    options: &Options,
) -> Result<(), Error> {
    if let Some(((s, e), addr)) = mb.encoded_name(b, hint, options) {
        let addr_w = Width::ascii(addr.len());
        // SAFETY: the CPU supports AVX2 (this function's contract), and this function is
        // compiled for it.
        return match unsafe { put_b_mailbox_body(f, b, (s, e), addr, addr_w, glue, options) }? {
            EncodedMailbox::Written => Ok(()),
            EncodedMailbox::Split => {
                let raw = b.get(s..e).unwrap_or_default();
                // SAFETY: as above.
                unsafe { write_split_b_avx2(f, raw, addr, addr_w, glue, options) }
            }
            EncodedMailbox::NotOneWord => write_encoded_general(f, b, (s, e), addr, glue, options),
        };
    }
    other_element(f, b, i, mb, hint, glue, options)
}

/// The largest text one B encoded-word holds: 15 quads of 3 bytes (60 characters, 72 with
/// the `=?utf-8?b?` and `?=` around them, at most 75 by RFC 2047 §2).
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
const B_WORD_TEXT: usize = 45;

/// Room in the output [`put_b_mailbox`] asks for before it starts: more than the white
/// space before the word (a line ending and a space) and the room
/// [`crate::encoded_word::write_b_word_avx2`] needs for its whole-vector stores (the word,
/// at most 75, and the 64 bytes after it).
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
const B_WORD_ROOM: usize = 160;

/// [`write_encoded_mailbox`] for a mailbox whose encoded display name `b[s..e]` (a
/// text-form name read as [`NameHint::NonAscii`] with `utf8` off, in the value `b`; or a
/// literal name planned as encoded, `b` itself) is one B word, when the mailbox goes on the
/// current line or is moved whole to a fresh one: the same bytes, but the word's length is
/// found by arithmetic before it is encoded (B writes 4 characters per 3 bytes), and the
/// word is written straight into the output ([`crate::encoded_word::write_b_word_avx2`])
/// instead of through a buffer on the stack. The encoding is the one `Auto` picks there:
/// B when even the non-ASCII bytes alone, each written `=XX` by Q, make Q longer (a lower
/// bound of Q's escapes: the exact count is left to the general path). Where the general
/// path takes its steps one by one, so does this, with the word written the same way, and
/// returns [`EncodedMailbox::Split`] where that path splits the name (the caller then
/// writes it in words). Returns [`EncodedMailbox::NotOneWord`], having written nothing,
/// when the name is not one B word (a longer name, a Q word) or the buffer lacks the room
/// for whole-vector stores: the caller then writes the mailbox in general.
///
/// # Safety
/// The CPU must support AVX2 ([`crate::cpu::avx2`]).
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
#[inline]
unsafe fn put_b_mailbox(
    f: &mut Folder<'_, '_>,
    b: &[u8],
    name: (usize, usize),
    addr: &[u8],
    addr_w: Width,
    glue: &[u8],
    options: &Options,
) -> Result<EncodedMailbox, Error> {
    // SAFETY: the CPU supports AVX2 (this function's contract), and this function is
    // compiled for it.
    unsafe { put_b_mailbox_body(f, b, name, addr, addr_w, glue, options) }
}

/// [`put_b_mailbox`]'s body, inlined always into its callers, which are compiled for AVX2
/// ([`put_b_mailbox`], [`other_element_avx2`]): a function with its own target features
/// would stay a call there.
///
/// # Safety
/// The CPU must support AVX2 ([`crate::cpu::avx2`]), and the caller must be compiled for it
/// (the vector functions inline only there).
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
#[inline(always)]
unsafe fn put_b_mailbox_body(
    f: &mut Folder<'_, '_>,
    b: &[u8],
    (s, e): (usize, usize),
    addr: &[u8],
    addr_w: Width,
    glue: &[u8],
    options: &Options,
) -> Result<EncodedMailbox, Error> {
    use crate::encoded_word::{b_word_take_avx2, write_b_word_avx2, BWordConsts};
    use core::arch::x86_64::*;
    let n = e.wrapping_sub(s);
    if n == 0 || n > B_WORD_TEXT || f.sink().spare().len() < B_WORD_ROOM {
        return Ok(EncodedMailbox::NotOneWord);
    }
    // The name and at least 64 bytes in all (what the word's take reads): the value from
    // the name on, or near its end the name in a padded copy. Byte `n` is a character start
    // either way (the white space or `<` after the name, or a zero).
    // Zeroed only where it is used (two vector stores per element fewer).
    let mut pad: [u8; 64];
    let text: &[u8] = match (b.get(s..e), b.get(s..s + 64)) {
        (_, Some(t)) => t,
        (Some(name), None) => {
            pad = [0u8; 64];
            if let Some(d) = pad.get_mut(..n) {
                d.copy_from_slice(name);
            }
            &pad
        }
        _ => return Ok(EncodedMailbox::NotOneWord),
    };
    let b_body = n.div_ceil(3) * 4;
    let use_b = match options.encoding {
        crate::Encoding::B => true,
        crate::Encoding::Q => false,
        crate::Encoding::Auto => {
            // Q is no longer than B while at most this many bytes need escaping (3
            // characters instead of 1), as `Auto` decides it.
            let allowed = (b_body - n) / 2;
            let Some(chunk) = text.first_chunk::<64>() else {
                return Ok(EncodedMailbox::NotOneWord);
            };
            // SAFETY: `chunk` is 64 readable bytes; the loads have no alignment requirement;
            // the CPU supports AVX2 (this function's contract).
            let high = unsafe {
                let (lo, hi) = (
                    _mm256_loadu_si256(chunk.as_ptr().cast::<__m256i>()),
                    _mm256_loadu_si256(chunk.as_ptr().add(32).cast::<__m256i>()),
                );
                u64::from(_mm256_movemask_epi8(lo) as u32)
                    | u64::from(_mm256_movemask_epi8(hi) as u32) << 32
            };
            (high & window::below(n as u32)).count_ones() as usize > allowed
        }
    };
    if !use_b {
        return Ok(EncodedMailbox::NotOneWord);
    }
    // SAFETY: the CPU supports AVX2 (this function's contract).
    let Some(found) = (unsafe { b_word_take_avx2(text, n, 75) }) else {
        return Ok(EncodedMailbox::NotOneWord);
    };
    if found.take() != n {
        return Ok(EncodedMailbox::NotOneWord);
    }
    let word_w = Width::ascii(12 + b_body);
    // What follows the word: ` <addr>` and the glue.
    let tail = addr_w.plus(Width::ascii(3 + glue.len()));
    // As in `write_encoded_mailbox`: the word and `tail` within the encoded-word line limit
    // (one column more, as `write_angle_addr` counts) and within 998 octets.
    let unit = |room_chars: usize, room_bytes: usize| {
        word_w.chars + 1 + tail.chars <= room_chars && word_w.bytes + 1 + tail.bytes <= room_bytes
    };
    let (ew_here, _) = f.ew_room(1);
    let (here, _) = f.room(1);
    // Whether the general path's steps are taken one by one, as in
    // `write_encoded_mailbox`: the address then follows by `write_angle_addr`.
    let mut stepwise = false;
    if !unit(ew_here, here.bytes) {
        // The rooms on a fresh line only for a mailbox that does not fit on this one.
        let (_, ew_fresh) = f.ew_room(1);
        let (_, fresh) = f.room(1);
        let whole = tail.plus(word_w);
        if !f.group_moves(1, whole, true) || !unit(ew_fresh, fresh.bytes) {
            f.keep_together(b" ", whole, true);
            if word_w.chars > f.ew_room(1).0 {
                return Ok(EncodedMailbox::Split);
            }
            stepwise = true;
        } else {
            // `Folder::newline` with one store (not right after the name: the name line's
            // state is gone already).
            put_line_ending(f);
            f.resume(Width::default(), false);
        }
    }
    // One SP before the word, then the word, written in one place for both ways (a
    // closure called from two would stay a call, without AVX2).
    let start = Width {
        chars: f.column_chars(),
        bytes: f.column_bytes(),
    };
    if stepwise {
        f.space(b" ", word_w, true)?;
    } else {
        // The whole mailbox fits where it starts (`unit`, which counts more than
        // `Folder::space` checks for the word), so `space` would write the SP without a
        // fold, right after the name too (its first token stays on the name line when it
        // fits there), and no group fold is pending (only `keep_together` makes one, and
        // none came before): the SP itself, and the line's state once, below (a call to
        // `space`'s general path for each mailbox that starts a field).
        f.sink().byte(b' ');
    }
    // SAFETY: the CPU supports AVX2 (this function's contract).
    let k = unsafe { BWordConsts::new() };
    let sink = f.sink();
    // SAFETY: the CPU supports AVX2 (this function's contract). It stores only into
    // `sink.spare()` (whole vectors, the bytes after the word written back as they were),
    // or returns `None` without writing.
    match unsafe { write_b_word_avx2(&found, sink.spare(), 0, &k) } {
        Some((_, len)) => sink.commit(len),
        None => {
            let mut buf = [0u8; B_WORD_ROOM];
            // SAFETY: as above; `buf` has the room.
            if let Some((_, len)) = unsafe { write_b_word_avx2(&found, &mut buf, 0, &k) } {
                sink.write(buf.get(..len).unwrap_or_default());
            }
        }
    }
    if stepwise {
        f.advance(word_w);
        write_angle_addr(f, addr, addr_w, glue)?;
        return Ok(EncodedMailbox::Written);
    }
    let sink = f.sink();
    sink.write(b" <");
    write_piece(sink, addr);
    write_close(sink, glue);
    // What `space` and `advance` leave: the SP, the word and the tail on a line that holds
    // an encoded-word, no longer right after the name.
    f.resume(start.plus(Width::ascii(1)).plus(word_w.plus(tail)), true);
    Ok(EncodedMailbox::Written)
}

/// Whether an addr-spec's local part is a quoted-string (white space the caller wrote before
/// it skipped, as [`write_mailbox_pieces`] gets it). Such a mailbox without a display name is written as an angle-addr,
/// `<"john doe"@example.com>`: RFC 5322 allows it as well as the bare addr-spec, and parsers
/// that read a leading quoted-string as a display name (Stalwart's `mail-parser` 0.11,
/// `mailparse` 0.18) get the address right only in brackets.
fn starts_quoted(addr: &[u8]) -> bool {
    addr.iter()
        .find(|&&c| !matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
        .is_some_and(|&c| c == b'"')
}

/// A mailbox: optional name (planned), then the address.
fn write_mailbox(
    f: &mut Folder<'_, '_>,
    ws: &[u8],
    name: Option<Plan<'_>>,
    addr: &[u8],
    glue: &[u8],
    options: &Options,
    #[cfg_attr(target_os = "none", allow(unused_variables))] fast: bool,
) -> Result<(), Error> {
    let addr_w = addr_width(addr, options);
    let glue_w = Width::ascii(glue.len());
    match name {
        Some(plan) => {
            // What follows the name on its line: ` <addr>` and the glue.
            let tail = addr_w.plus(Width::ascii(3)).plus(glue_w);
            #[cfg(not(target_os = "none"))]
            if fast {
                // The common case: the mailbox fits on this line or a fresh one, so every
                // fit check of the general path would pass; one check, then the bytes.
                if plan.write_unit(f, ws, tail)? {
                    put_angle_tail(f, addr, glue, tail);
                    return Ok(());
                }
                if let Some(lit) = plan.encoded_slice() {
                    #[cfg(target_arch = "x86_64")]
                    if crate::cpu::avx2() {
                        // SAFETY: the CPU supports AVX2 (checked just above).
                        let put = unsafe {
                            put_b_mailbox(f, lit, (0, lit.len()), addr, addr_w, glue, options)
                        };
                        match put? {
                            EncodedMailbox::Written => return Ok(()),
                            // SAFETY: as above.
                            EncodedMailbox::Split if ws == b" " => unsafe {
                                return write_split_b_avx2(f, lit, addr, addr_w, glue, options);
                            },
                            EncodedMailbox::Split => {
                                phrase::write_planned(f, ws, plan, options, b"")?;
                                return write_angle_addr(f, addr, addr_w, glue);
                            }
                            EncodedMailbox::NotOneWord => {}
                        }
                    }
                    match write_encoded_mailbox(f, lit, addr, addr_w, glue, options)? {
                        EncodedMailbox::Written => return Ok(()),
                        EncodedMailbox::Split => {
                            phrase::write_planned(f, ws, plan, options, b"")?;
                            return write_angle_addr(f, addr, addr_w, glue);
                        }
                        EncodedMailbox::NotOneWord => {}
                    }
                }
            }
            if let Some(n) = plan.one_line_width(options) {
                f.keep_together(ws, n.plus(tail), plan.is_encoded());
            }
            phrase::write_planned(f, ws, plan, options, b"")?;
            write_angle_addr(f, addr, addr_w, glue)
        }
        None => {
            // In brackets when quoted ([`starts_quoted`]); no FWS in `addr` here (its callers
            // send those to `write_mailbox_pieces`).
            if addr.first() == Some(&b'"') {
                let angled = addr_w.plus(Width::ascii(2)).plus(glue_w);
                f.keep_together(ws, angled, false);
                return write_addr(f, ws, addr, addr_w, true, glue);
            }
            #[cfg(not(target_os = "none"))]
            if fast && put_bare_addr(f, addr, addr_w.plus(glue_w), glue) {
                return Ok(());
            }
            f.keep_together(ws, addr_w.plus(glue_w), false);
            write_addr(f, ws, addr, addr_w, false, glue)
        }
    }
}

/// Starts a piece of the list that `fits` a line's room (one column is kept for the white
/// space before it): here, or on a fresh line after a fold. Writes that space and returns
/// true; returns false, having written nothing, when the piece fits neither, or does not fit
/// right after the field name (the general path has its own rule for the first token).
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn open_piece(f: &mut Folder<'_, '_>, fits: impl Fn(Width) -> bool) -> bool {
    let (here, fresh) = f.room(1);
    if !fits(here) {
        if f.at_start() || !fits(fresh) {
            return false;
        }
        // `Folder::newline` with one store (not right after the name: the name line's
        // state is gone already).
        put_line_ending(f);
        f.resume(Width::default(), false);
    }
    f.mark_written();
    f.sink().byte(b' ');
    true
}

/// Writes a bare addr-spec and `glue` (of width `whole` together) after one SP when it fits
/// on the current line, or does not but fits on a fresh one (where [`Folder::keep_together`]
/// would move it): there every fit check of the general path ([`Folder::keep_together`],
/// then [`write_addr`]'s [`Folder::space`]) passes, so one decision and straight copies
/// write the same bytes. Right after the field name only the first case is taken (the
/// general path has its own rule there). Returns false, having written nothing, otherwise.
#[cfg(not(target_os = "none"))]
#[inline]
fn put_bare_addr(f: &mut Folder<'_, '_>, addr: &[u8], whole: Width, glue: &[u8]) -> bool {
    if !open_piece(f, |room| {
        whole.chars <= room.chars && whole.bytes <= room.bytes
    }) {
        return false;
    }
    let sink = f.sink();
    write_piece(sink, addr);
    write_glue(sink, glue);
    f.advance(Width::ascii(1).plus(whole));
    true
}

/// Places an ASCII piece of `len` octets after one SP, by the list loop's `line` (as
/// [`open_piece`] decides from the folder's state: on this line, else, not right after
/// the field name, on a fresh one), and records it in the folder and in `line`: the caller
/// then writes the SP and the piece (the line ending of a fold is written already). False,
/// having written nothing, when the piece fits neither.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn place_line(f: &mut Folder<'_, '_>, line: &mut Line, len: usize) -> bool {
    let width = Width::ascii(1 + len);
    if len > line.here {
        if line.at_start | (len > line.fresh) {
            return false;
        }
        put_line_ending(f);
        // What `Folder::newline`, then `advance` and `mark_written` leave.
        f.resume(width, false);
        line.here = line.fresh;
    } else {
        f.mark_written();
        f.advance(width);
    }
    line.at_start = false;
    // `len <= here`: the room after the space and the piece, none when it is full.
    line.here = (line.here - len).saturating_sub(1);
    true
}

/// Copies `src` to `dst` with moves of fixed sizes (two overlapping ones for up to 64
/// bytes, no call into `memcpy`), storing nothing outside `dst..dst + src.len()`.
///
/// # Safety
/// `dst` must be valid for writes of `src.len()` bytes, not overlapping `src`.
#[cfg(not(target_os = "none"))]
#[inline(always)]
unsafe fn put_bytes(dst: *mut u8, src: &[u8]) {
    use core::ptr::{read_unaligned, write_unaligned};
    let n = src.len();
    let s = src.as_ptr();
    // SAFETY: every load is inside `src` (each pair covers `[0, W)` and `[n - W, n)` with
    // `W <= n`), every store inside `dst..dst + n` (the caller's contract); unaligned
    // accesses of byte arrays.
    unsafe {
        macro_rules! pair {
            ($w:expr) => {{
                let (head, tail) = (
                    read_unaligned(s.cast::<[u8; $w]>()),
                    read_unaligned(s.add(n - $w).cast::<[u8; $w]>()),
                );
                write_unaligned(dst.cast::<[u8; $w]>(), head);
                write_unaligned(dst.add(n - $w).cast::<[u8; $w]>(), tail);
            }};
        }
        if n >= 16 {
            if n <= 32 {
                pair!(16);
            } else if n <= 64 {
                pair!(32);
            } else {
                core::ptr::copy_nonoverlapping(s, dst, n);
            }
        } else if n >= 8 {
            pair!(8);
        } else if n >= 4 {
            pair!(4);
        } else if n != 0 {
            // 1 to 3 bytes: the first, the middle and the last (some the same).
            *dst = *s;
            *dst.add(n / 2) = *s.add(n / 2);
            *dst.add(n - 1) = *s.add(n - 1);
        }
    }
}

/// [`put_bare_addr`] by the list loop's `line` ([`place_line`]): the SP, the addr-spec and
/// the glue, with one check of the output's room for all of them.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn put_bare_line(f: &mut Folder<'_, '_>, line: &mut Line, addr: &[u8], glue: &[u8]) -> bool {
    let len = addr.len() + glue.len();
    if !place_line(f, line, len) {
        return false;
    }
    let sink = f.sink();
    let spare = sink.spare();
    if spare.len() > len {
        let p = spare.as_mut_ptr();
        // SAFETY: `spare` holds `1 + len` bytes from `p`: the SP, the addr-spec, the glue.
        unsafe {
            *p = b' ';
            put_bytes(p.add(1), addr);
            put_bytes(p.add(1 + addr.len()), glue);
        }
        sink.commit(1 + len);
    } else {
        sink.byte(b' ');
        sink.write(addr);
        sink.write(glue);
    }
    true
}

/// Writes a mailbox of a plain ASCII name (atoms, or a quoted-string without escapes when
/// `quoted`) and a plain addr-spec, followed by `glue`, after one SP when it fits on the
/// current line, or does not but fits on a fresh one ([`place_line`], by the list loop's
/// `line`): [`write_common`]'s decision and copies for the structured input, where every
/// fit check of the general path ([`phrase::Plan::write_unit`], then ` <addr>` and the
/// glue) passes. One check of the output's room for the whole mailbox, not one per piece.
/// Returns false, having written nothing, otherwise. Inlined always into
/// [`format_mailboxes`]' loop: out of line, its frame, its arguments and the folder's
/// state reloaded on each side cost more than half its own instructions (most mailboxes
/// take it).
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn put_named_line(
    f: &mut Folder<'_, '_>,
    line: &mut Line,
    name: &[u8],
    quoted: bool,
    addr: &[u8],
    glue: &[u8],
) -> bool {
    // ASCII throughout: characters are octets.
    let q = usize::from(quoted);
    let len = name.len() + 2 * q + 3 + addr.len() + glue.len();
    if !place_line(f, line, len) {
        return false;
    }
    let sink = f.sink();
    let spare = sink.spare();
    if spare.len() > len {
        let p = spare.as_mut_ptr();
        // SAFETY: `spare` holds `1 + len` bytes from `p`: the SP, the name with its quotes,
        // ` <`, the addr-spec, `>` and the glue, stored at their offsets below.
        unsafe {
            *p = b' ';
            // The opening quote, overwritten by the name when there is none.
            *p.add(1) = b'"';
            put_bytes(p.add(1 + q), name);
            let at = 1 + q + name.len();
            // The closing quote, overwritten by the SP when there is none.
            *p.add(at) = b'"';
            let at = at + q;
            *p.add(at) = b' ';
            *p.add(at + 1) = b'<';
            put_bytes(p.add(at + 2), addr);
            let at = at + 2 + addr.len();
            *p.add(at) = b'>';
            put_bytes(p.add(at + 1), glue);
        }
        sink.commit(1 + len);
    } else {
        sink.byte(b' ');
        if quoted {
            sink.byte(b'"');
            sink.write(name);
            sink.write(b"\" <");
        } else {
            sink.write(name);
            sink.write(b" <");
        }
        sink.write(addr);
        sink.byte(b'>');
        sink.write(glue);
    }
    true
}

pub(crate) fn format_mailboxes<'m>(
    f: &mut Folder<'_, '_>,
    boxes: impl ExactSizeIterator<Item = Mailbox<'m>>,
    options: &Options,
    required: bool,
    single: bool,
) -> Result<(), Error> {
    format_mailboxes_with(f, boxes, options, required, single, true)
}

/// [`format_mailboxes`], with the one-check writing of mailboxes that fit on the line
/// ([`phrase::Plan::write_unit`]) on or off (off: the reference for the tests).
fn format_mailboxes_with<'m>(
    f: &mut Folder<'_, '_>,
    boxes: impl ExactSizeIterator<Item = Mailbox<'m>>,
    options: &Options,
    required: bool,
    single: bool,
    fast: bool,
) -> Result<(), Error> {
    #[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
    if fast && crate::cpu::avx2() {
        // SAFETY: the CPU supports AVX2 (checked just above).
        return unsafe { format_mailboxes_avx2(f, boxes, options, required, single) };
    }
    // SAFETY: without `AVX2` no CPU feature is assumed.
    unsafe { format_mailboxes_loop::<false>(f, boxes, options, required, single, fast) }
}

/// [`format_mailboxes_with`]'s loop compiled for AVX2: the addr-spec check
/// ([`whole_plain_addr_avx2`]) and the display name's classification
/// ([`phrase::plan_literal_k`]) inline into it, with no run-time check or call around each.
///
/// # Safety
/// The CPU must support AVX2 (`crate::cpu::avx2()`).
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
unsafe fn format_mailboxes_avx2<'m>(
    f: &mut Folder<'_, '_>,
    boxes: impl ExactSizeIterator<Item = Mailbox<'m>>,
    options: &Options,
    required: bool,
    single: bool,
) -> Result<(), Error> {
    // SAFETY: the CPU supports AVX2 (this function's contract).
    unsafe { format_mailboxes_loop::<true>(f, boxes, options, required, single, true) }
}

/// Whether `addr` is a [`whole_plain_addr`]; with `AVX2`, the vector version called
/// straight (it inlines into a caller compiled for AVX2).
///
/// # Safety
/// With `AVX2`, the CPU must support AVX2 (`crate::cpu::avx2()`).
#[cfg(not(target_os = "none"))]
#[inline(always)]
unsafe fn whole_plain_addr_k<const AVX2: bool>(addr: &[u8]) -> bool {
    #[cfg(target_arch = "x86_64")]
    if AVX2 {
        // SAFETY: the caller's contract.
        return unsafe { whole_plain_addr_avx2(addr) };
    }
    whole_plain_addr(addr)
}

/// The loop of [`format_mailboxes_with`]; with `AVX2`, for [`format_mailboxes_avx2`].
///
/// # Safety
/// With `AVX2`, the CPU must support AVX2 (`crate::cpu::avx2()`).
#[inline(always)]
unsafe fn format_mailboxes_loop<'m, const AVX2: bool>(
    f: &mut Folder<'_, '_>,
    boxes: impl ExactSizeIterator<Item = Mailbox<'m>>,
    options: &Options,
    required: bool,
    single: bool,
    fast: bool,
) -> Result<(), Error> {
    let n = boxes.len();
    if (required && n == 0) || (single && n > 1) {
        return Err(Error::InvalidAddress { at: 0 });
    }
    // The line's room kept here, as in the text form's loop ([`Line`]): the one-check
    // writers update it, every other writer is followed by [`Line::sync`].
    #[cfg(not(target_os = "none"))]
    let mut line = Line::of(f);
    let mut boxes = boxes;
    // `next` and the count left, not `enumerate`: its counter was one more value kept in
    // memory across the loop's calls.
    while let Some(mb) = boxes.next() {
        let addr = mb.addr_spec.as_bytes();
        // A plain addr-spec holds no control, so the control check is needed only when the
        // full check runs (and runs first there, for the same error).
        // SAFETY: the caller's contract.
        #[cfg(not(target_os = "none"))]
        let plain = unsafe { whole_plain_addr_k::<AVX2>(addr) }
            || plain_addr_end(addr, 0) == Some(addr.len());
        #[cfg(target_os = "none")]
        let plain = plain_addr_end(addr, 0) == Some(addr.len());
        if !plain {
            input::check_controls(addr)?;
            // The addr-spec's own FWS (around the `@`, folds in a quoted local part) as in
            // the text form; none before or after it.
            check_addr_spec_fws(addr, 0, addr.len(), options.utf8, true)?;
        }
        let glue: &[u8] = if boxes.len() != 0 { b"," } else { b"" };
        let name = match mb.display_name {
            Some(n) if !n.is_empty() => {
                // SAFETY: the caller's contract.
                #[cfg(not(target_os = "none"))]
                let plan = unsafe { phrase::plan_literal_k::<AVX2>(n.as_bytes(), options) };
                #[cfg(target_os = "none")]
                let plan = phrase::plan(Source::Literal(n.as_bytes()), options);
                // A name planned as one slice holds no control (see `Plan::is_slice`).
                if !plan.is_slice() {
                    input::check_controls(n.as_bytes())?;
                }
                #[cfg(not(target_os = "none"))]
                if fast && plain {
                    if let Some((text, quoted)) = plan.ascii_unit() {
                        if put_named_line(f, &mut line, text, quoted, addr, glue) {
                            continue;
                        }
                    }
                }
                Some(plan)
            }
            _ => None,
        };
        // With AVX2, `write_mailbox`'s first steps for a plain addr-spec right here, without
        // the call: a bare addr-spec ([`put_bare_addr`]; ASCII, its width is its octets) and a
        // name that is one B word ([`put_b_mailbox_body`]). Where they write nothing,
        // `write_mailbox` takes them again, and they again write nothing.
        #[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
        if AVX2 && plain {
            match &name {
                None => {
                    if put_bare_line(f, &mut line, addr, glue) {
                        continue;
                    }
                }
                Some(plan) => {
                    if let Some(lit) = plan.encoded_slice() {
                        let addr_w = Width::ascii(addr.len());
                        // SAFETY: the caller's contract (the CPU supports AVX2, and this loop
                        // is compiled for it).
                        let put = unsafe {
                            put_b_mailbox_body(f, lit, (0, lit.len()), addr, addr_w, glue, options)
                        };
                        match put? {
                            EncodedMailbox::Written => {
                                line.sync(f);
                                continue;
                            }
                            EncodedMailbox::Split => {
                                // SAFETY: as above.
                                unsafe { write_split_b_avx2(f, lit, addr, addr_w, glue, options) }?;
                                line.sync(f);
                                continue;
                            }
                            EncodedMailbox::NotOneWord => {}
                        }
                    }
                }
            }
        }
        if !plain && addr_has_fws(addr) {
            write_mailbox_pieces(f, name, addr, glue, options)?;
        } else {
            write_mailbox(f, b" ", name, addr, glue, options, fast)?;
        }
        #[cfg(not(target_os = "none"))]
        line.sync(f);
    }
    Ok(())
}

/// What ends an element of an address list.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Delim {
    Angle,
    Colon,
    /// `,`, `;` or the end of the value.
    End,
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && is_space(b[i]) {
        i += 1;
    }
    i
}

fn skip_ws_commas(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && (is_space(b[i]) || b[i] == b',') {
        i += 1;
    }
    i
}

/// White space from `i` (and commas, when `commas`) as the one-pass reader takes it: SP,
/// HTAB and whole caller folds (CRLF or LF followed by SP or HTAB). It stops at any other CR
/// or LF, so what it passes over holds nothing [`input::check_controls`] rejects; on a value
/// that check accepts it stops where [`skip_ws`] / [`skip_ws_commas`] stop.
#[cfg(not(target_os = "none"))]
#[inline]
fn skip_ws_folds(b: &[u8], mut i: usize, commas: bool) -> usize {
    let wsp = |c: Option<&u8>| matches!(c, Some(b' ' | b'\t'));
    loop {
        match b.get(i) {
            Some(b' ' | b'\t') => i += 1,
            Some(b',') if commas => i += 1,
            Some(b'\r') if b.get(i + 1) == Some(&b'\n') && wsp(b.get(i + 2)) => i += 3,
            Some(b'\n') if wsp(b.get(i + 1)) => i += 2,
            _ => return i,
        }
    }
}

/// `b[i]` opens a quoted-string or a domain literal: the index of its closing `"` or `]`
/// (past the end when it never closes).
fn skip_enclosed(b: &[u8], i: usize) -> usize {
    let close = if b[i] == b'"' { b'"' } else { b']' };
    let mut j = i + 1;
    while j < b.len() && b[j] != close {
        // Only a quoted-string has quoted-pairs.
        j += if close == b'"' && b[j] == b'\\' { 2 } else { 1 };
    }
    j
}

/// Finds the first top-level `<`, `:`, `,`, `;` (or the end) from `i`, skipping quoted-strings
/// and domain literals, which may hold any of them.
fn find_delim(b: &[u8], mut i: usize) -> (usize, Delim) {
    while i < b.len() {
        match b[i] {
            b'"' | b'[' => i = skip_enclosed(b, i),
            b'<' => return (i, Delim::Angle),
            b':' => return (i, Delim::Colon),
            b',' | b';' => return (i, Delim::End),
            _ => {}
        }
        i += 1;
    }
    (b.len(), Delim::End)
}

/// The glue after an element ending at `end`: `;` when it closes its group, `,` when another
/// element follows.
fn glue_after(b: &[u8], end: usize, in_group: bool) -> &'static [u8] {
    let mut i = skip_ws_commas(b, end);
    let closes = in_group && b.get(i) == Some(&b';');
    if closes {
        i = skip_ws_commas(b, i + 1);
    }
    match (closes, i < b.len() && !(in_group && b[i] == b';')) {
        (true, true) => b";,",
        (true, false) => b";",
        (false, true) => b",",
        (false, false) => b"",
    }
}

/// A parsed mailbox: display name (raw text-form phrase) and addr-spec offsets.
struct ParsedMailbox {
    name: Option<(usize, usize)>,
    addr: (usize, usize),
    end: usize,
    /// The element's bytes (from its start to `end`) are its canonical form: a bare
    /// addr-spec, or a name written as it stands followed by exactly one space and
    /// `<addr-spec>`. Set by the one-pass readers for [`Run::place`]; false from the
    /// general parser, whose elements are never placed in runs (bare metal has no runs).
    #[cfg_attr(target_os = "none", allow(dead_code))]
    verbatim: bool,
}

#[cfg(not(target_os = "none"))]
impl ParsedMailbox {
    /// For a mailbox whose display name must be encoded (read as non-ASCII, with utf8 off):
    /// the name's range and the addr-spec in the value `b`, what both element writers
    /// ([`other_element`] and its AVX2 twin) hand to an encoded-word writer.
    #[inline(always)]
    fn encoded_name<'b>(
        &self,
        b: &'b [u8],
        hint: NameHint,
        options: &Options,
    ) -> Option<((usize, usize), &'b [u8])> {
        match (hint, options.utf8, self.name) {
            (NameHint::NonAscii, false, Some(name)) => {
                Some((name, b.get(self.addr.0..self.addr.1).unwrap_or_default()))
            }
            _ => None,
        }
    }
}

/// Parses a mailbox starting at `i` (white space skipped): `addr-spec` or
/// `[phrase] <addr-spec>`. `delim` is what [`find_delim`] found.
fn parse_mailbox(
    b: &[u8],
    i: usize,
    (at, delim): (usize, Delim),
    utf8: bool,
) -> Result<ParsedMailbox, Error> {
    match delim {
        Delim::Angle => {
            let (ns, ne) = input::trim(b.get(i..at).unwrap_or_default());
            let name = if ns < ne {
                phrase::check_text_phrase(b.get(i + ns..i + ne).unwrap_or_default())
                    .map_err(|p| Error::InvalidAddress { at: i + ns + p })?;
                Some((i + ns, i + ne))
            } else {
                None
            };
            // `"<" addr-spec ">"` where the addr-spec's local part and domain may have FWS
            // around them (RFC 5322 §3.4.1, §3.2.3): white space (a caller's fold too)
            // after `<` and before `>` is allowed and not written. Comments are refused.
            let a = skip_ws(b, at + 1);
            if b.get(a) == Some(&b'@') {
                // An obsolete source route (<@relay:user@host>).
                return Err(Error::InvalidAddress { at: a });
            }
            let plain = plain_addr_end(b, a);
            let addr_close = plain.unwrap_or_else(|| addr_end_fws(b, a));
            let close = skip_ws(b, addr_close);
            if b.get(close) != Some(&b'>') {
                // Not closed where the addr-spec ends: a wrong byte inside it comes first.
                return Err(blame_addr(b, a, close, utf8, true));
            }
            if plain.is_none() {
                check_addr_spec_fws(b, a, addr_close, utf8, true)?;
            }
            Ok(ParsedMailbox {
                name,
                addr: (a, addr_close),
                end: close + 1,
                verbatim: false,
            })
        }
        Delim::End | Delim::Colon => {
            let end = match plain_addr_end(b, i) {
                Some(end) => end,
                None => {
                    let end = addr_end_fws(b, i);
                    check_addr_spec_fws(b, i, end, utf8, true)?;
                    end
                }
            };
            Ok(ParsedMailbox {
                name: None,
                addr: (i, end),
                end,
                verbatim: false,
            })
        }
    }
}

/// Byte classes for [`fast_element`]'s display-name scan (0: anything else).
#[cfg(not(target_os = "none"))]
mod name_class {
    /// atext except `=` (which may start an `=?`).
    pub(super) const ATEXT: u8 = 1;
    /// `.` (obs-phrase, "John Q. Public") and `=`: phrase bytes that change the plan.
    pub(super) const DOT_EQ: u8 = 2;
    /// Non-ASCII (a display name to encode).
    pub(super) const HIGH: u8 = 3;
    /// SP and HTAB.
    pub(super) const WS: u8 = 4;
    pub(super) const QUOTE: u8 = 5;
    pub(super) const LT: u8 = 6;
    pub(super) const AT: u8 = 7;

    pub(super) static TABLE: [u8; 256] = {
        let mut t = [0u8; 256];
        let mut i = 0;
        while i < 256 {
            let b = i as u8;
            t[i] = match super::ADDR_CLASS[i] {
                super::A_PLAIN => ATEXT,
                super::A_DOT => DOT_EQ,
                super::A_AT => AT,
                _ if b == b'=' => DOT_EQ,
                _ if b >= 0x80 => HIGH,
                _ if b == b' ' || b == b'\t' => WS,
                _ if b == b'"' => QUOTE,
                _ if b == b'<' => LT,
                _ => 0,
            };
            i += 1;
        }
        t
    };
}

/// What [`fast_element`] learnt about a display name while reading it, so that planning it
/// ([`phrase::plan_known`]) takes no second pass; `None` leaves it to [`phrase::plan`].
#[cfg(not(target_os = "none"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NameHint {
    /// ASCII atext words separated by single spaces.
    Atoms,
    /// Non-ASCII words and atoms (with `.`/`=`) separated by single spaces: encoded-words
    /// when `utf8` is off.
    NonAscii,
    /// One quoted-string of ASCII without quoted-pairs or `=`; `atoms` when its inside is
    /// atext words separated by single spaces.
    Quoted {
        atoms: bool,
    },
    /// One quoted-string of ASCII without `=` whose quoted-pairs are all `\"` or `\\`: its
    /// literal text holds a quote or backslash, so it is written quoted again, exactly as it
    /// stands (planned in general by [`hinted_plan`], written as it is by [`write_common`]).
    QuotedEscaped,
    None,
}

/// The common elements of a text-form list, `addr-spec` and `[phrase] <addr-spec>` with an
/// ASCII dot-atom addr-spec, a phrase of atext/`.`/UTF-8 words and quoted-strings separated
/// by SP/HTAB, followed by white space and `,` or the end: parsed in one pass, without the
/// general parser's separate delimiter search, phrase check and addr-spec scan. `i` is at
/// the element's first byte (after white space and commas). Returns what [`parse_mailbox`]
/// returns for the element, where [`expect_separator`] stops after it and what the pass
/// learnt about the name, or `None` for anything else, valid or not, which the general
/// parser then reads (and reports, at the same offsets as always). Every byte accepted here
/// is one [`find_delim`] passes over and [`phrase::check_text_phrase`] accepts, so both
/// parsers see the same element, and none that [`input::check_controls`] rejects (white space
/// is SP, HTAB or a whole caller fold: [`skip_ws_folds`]), so [`format_field`] needs no
/// separate control check of what it takes.
///
/// Out of line: `window_element` takes the common elements first, and this byte loop
/// inlined into the list loop only made that loop's hot code larger.
#[cfg(not(target_os = "none"))]
#[inline(never)]
fn fast_element(b: &[u8], i: usize) -> Option<(ParsedMailbox, usize, NameHint)> {
    use name_class as n;
    let mut j = i;
    // After the last word of the name.
    let mut name_end = i;
    // Still in the first word: an `@` there makes the element a bare addr-spec.
    let mut first_word = true;
    // Bytes seen in the name that decide its plan.
    let (mut dot_eq, mut high, mut odd_ws, mut quotes) = (false, false, false, 0u32);
    // For a quoted-string: its inside is atext words with single spaces / holds something
    // (non-ASCII, `=`, a quoted-pair) left to the general planner.
    let (mut q_atoms, mut q_odd) = (true, false);
    // The quoted-string holds quoted-pairs, all of them `\"` or `\\`.
    let mut q_pairs = false;
    let lt = loop {
        let c = *b.get(j)?;
        match n::TABLE[c as usize] {
            n::ATEXT | n::HIGH => {
                // A word of atext and UTF-8: runs of common and non-ASCII bytes at once.
                high |= c >= 0x80;
                j += 1;
                loop {
                    let (k, h) = skip_word(b, j);
                    high |= h;
                    j = k;
                    match b.get(j) {
                        Some(&c) if n::TABLE[c as usize] == n::ATEXT => j += 1,
                        Some(&c) if c >= 0x80 => {
                            high = true;
                            j += 1;
                        }
                        _ => break,
                    }
                }
                name_end = j;
            }
            n::DOT_EQ => {
                dot_eq = true;
                j += 1;
                name_end = j;
            }
            n::WS => {
                first_word = false;
                // A tab, or a run of white space, is not a single space.
                odd_ws |= c == b'\t' || b.get(j + 1).is_some_and(|&c| c == b' ' || c == b'\t');
                j += 1;
            }
            n::QUOTE => {
                first_word = false;
                quotes += 1;
                j += 1;
                let start = j;
                loop {
                    let c = *b.get(j)?;
                    match n::TABLE[c as usize] {
                        n::ATEXT | n::HIGH => {
                            // Atext and UTF-8 need no look of their own (non-ASCII inside
                            // quotes is left to the general planner).
                            let (k, h) = skip_word(b, j + 1);
                            q_odd |= h || c >= 0x80;
                            j = k;
                            continue;
                        }
                        n::WS => {
                            // Inside atoms: a single space between two atext bytes.
                            q_atoms &= c == b' '
                                && j > start
                                && b.get(j - 1)
                                    .is_some_and(|&p| n::TABLE[p as usize] == n::ATEXT)
                                && b.get(j + 1)
                                    .is_some_and(|&c| n::TABLE[c as usize] == n::ATEXT);
                        }
                        n::QUOTE => break,
                        _ if c == b'=' => q_odd = true,
                        _ if c == b'\\' => {
                            match *b.get(j + 1)? {
                                // `\"` and `\\` are what writing the literal text quoted
                                // would escape again: the quoted-string stays as it is.
                                b'"' | b'\\' => q_pairs = true,
                                c if c >= 0x80 || c == b'\t' || (b' '..=b'~').contains(&c) => {
                                    q_odd = true
                                }
                                _ => return None,
                            }
                            j += 1;
                        }
                        _ if chars::is(c, QTEXT) => q_atoms = false,
                        _ => return None,
                    }
                    j += 1;
                }
                q_atoms &= j > start;
                j += 1;
                name_end = j;
            }
            n::LT => break j,
            n::AT if first_word && j > i => {
                // A bare addr-spec: read again from the start as one.
                let end = plain_addr_end(b, i)?;
                let after = skip_ws_folds(b, end, false);
                return match b.get(after) {
                    None | Some(b',') => Some((
                        ParsedMailbox {
                            name: None,
                            addr: (i, end),
                            end,
                            verbatim: true,
                        },
                        after,
                        NameHint::None,
                    )),
                    _ => None,
                };
            }
            _ => return None,
        }
    };
    let a = lt + 1;
    let close = plain_addr_end(b, a)?;
    if b.get(close) != Some(&b'>') {
        return None;
    }
    let end = close + 1;
    let after = skip_ws_folds(b, end, false);
    if !matches!(b.get(after), None | Some(b',')) {
        return None;
    }
    let hint = match quotes {
        0 if odd_ws => NameHint::None,
        0 if high => NameHint::NonAscii,
        0 if !dot_eq => NameHint::Atoms,
        // The name is exactly one quoted-string.
        1 if !q_odd
            && !high
            && !dot_eq
            && b.get(i) == Some(&b'"')
            && name_end.checked_sub(1).and_then(|e| b.get(e)) == Some(&b'"') =>
        {
            if q_pairs {
                NameHint::QuotedEscaped
            } else {
                NameHint::Quoted { atoms: q_atoms }
            }
        }
        _ => NameHint::None,
    };
    // The name stays as it stands (atoms, or a quoted-string written again as it is) and
    // one space separates it from `<`.
    let verbatim = name_end > i
        && matches!(
            hint,
            NameHint::Atoms | NameHint::Quoted { atoms: false } | NameHint::QuotedEscaped
        )
        && b.get(name_end) == Some(&b' ')
        && name_end + 2 == a;
    Some((
        ParsedMailbox {
            name: (name_end > i).then_some((i, name_end)),
            addr: (a, close),
            end,
            verbatim,
        },
        after,
        hint,
    ))
}

/// A dot-atom `@` dot-atom in the window's bits `s..e`, whose bytes are all plain atext,
/// `.` or `@` (the caller stopped `e` at the first other byte): exactly one `@`, no empty
/// atom. What [`plain_addr_end`] accepts there, minus `=` (the caller's masks refuse it).
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn window_addr_ok(w: &window::Win, s: u32, e: u32) -> bool {
    // The callers' `e` is a byte of the window (below 64) and `s` at most `e`. Bit `e`
    // stands for the byte after the addr-spec (for 64, bit 0: the range is then empty and
    // the answer false).
    debug_assert!(s <= e && e < 64);
    let top = 1u64.wrapping_shl(e);
    let range = top.wrapping_sub(1) & u64::MAX.wrapping_shl(s);
    let sep = (w.dot | w.at) & range;
    // A separator first (at `s`), last (next to bit `e`) or next to another one. Bitwise,
    // one branch on the verdict; an empty range (`s == e`) holds no `@`.
    let bad = sep & ((sep | top) >> 1 | 1u64.wrapping_shl(s));
    (bad == 0) & ((w.at & range).count_ones() == 1)
}

/// After an addr-spec closed at bit `close` of the window at `i` (its `>`, or its end for a
/// bare one): spaces, then `,` or the end of the value; where that stops. The spaces end
/// inside the window or at its end (bits past the value are clear in the space mask), and
/// the byte there is one load (the window keeps no comma mask): a comma, or none at all.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn window_after(w: &window::Win, b: &[u8], i: usize, close: u32) -> Option<usize> {
    let n = (!w.space & window::from(close)).trailing_zeros();
    let at = i + n as usize;
    matches!(b.get(at), None | Some(b',')).then_some(at)
}

/// What `window_element` returns: the mailbox, where its separator ends, the name's hint.
#[cfg(not(target_os = "none"))]
type Element = (ParsedMailbox, usize, NameHint);

/// [`fast_element`] for the elements that fit in 64 bytes and hold nothing unusual: one
/// classification of the window ([`window::window`]), then the structure by bit
/// arithmetic, with no dispatch on each byte. Takes `addr-spec`, `[atoms] <addr-spec>` with
/// words of atext (no `=` or `.`) and UTF-8 separated by single spaces, and a quoted-string
/// without `=`, controls or non-ASCII inside whose quoted-pairs are `\"` or `\\` before
/// `<addr-spec>`, each followed by spaces and `,` or the end (an addr-spec past the window
/// is read in a second one); `None` for anything else (caller folds, tabs, runs of spaces in
/// names, other quoted-pairs, groups...), which [`fast_element`] then reads. Where it
/// returns `Some`, [`fast_element`] returns the same (a property test holds them together),
/// so it inherits that function's promises: the general parser reads the same mailbox and
/// no byte taken is one [`input::check_controls`] rejects.
///
/// (Compiling it for AVX2, so that the window inlines into it, was tried: the window stayed
/// a call and the reader became one too, 76 instructions per field more.)
#[cfg(all(test, not(target_os = "none")))]
fn window_element(b: &[u8], i: usize) -> Option<Element> {
    // SAFETY: without `AVX2` no CPU feature is assumed.
    unsafe { window_element_k::<false>(b, i) }
}

/// `window_element`, with `AVX2` for the list loop compiled for AVX2
/// ([`format_text_avx2`]): the window's vector version is then called straight and inlines.
///
/// # Safety
/// With `AVX2`, the CPU must support AVX2 (`crate::cpu::avx2()`).
#[cfg(not(target_os = "none"))]
#[inline(always)]
unsafe fn window_element_k<const AVX2: bool>(b: &[u8], i: usize) -> Option<Element> {
    use window::{below, from, has};
    // Only a quoted-string name looks at the quote and hard masks.
    let quoted = b.get(i) == Some(&b'"');
    // SAFETY: the caller's contract.
    let w = unsafe {
        if quoted {
            window::window_k::<AVX2, true>(b, i)
        } else {
            window::window_k::<AVX2, false>(b, i)
        }
    };
    let plain = w.plain();
    let addr_bytes = plain | w.dot | w.at;
    let after = |close: u32| window_after(&w, b, i, close);
    // The name (bits `0..name_end`, none when 0), its hint, and the `<` after it.
    let (name_end, hint, lt, verbatim) = if quoted {
        // One quoted-string without `=`, controls or non-ASCII, whose quoted-pairs (if any)
        // are `\"` and `\\` ("Jane \"Q\" Doe"). Hard bytes before the closing quote must
        // each be the `\` of such a pair; the byte after it is escaped (a `"` there does not
        // close). Most names have none: one pass of the loop.
        let mut escaped = 0u64;
        let mut pending = w.hard & !1;
        let close = loop {
            let close = (w.quote & !(1 | escaped)).trailing_zeros();
            let k = pending.trailing_zeros();
            if k >= close {
                break close;
            }
            let at = i + k as usize;
            if b.get(at) != Some(&b'\\') || !matches!(b.get(at + 1), Some(b'"' | b'\\')) {
                return None;
            }
            // Bit `k + 1` (none past the window: the quote then does not close in it).
            escaped |= 2u64.wrapping_shl(k) & !1;
            pending &= !(escaped | 1u64 << k);
        };
        let inside = below(close) & !1;
        if close >= w.len || inside & w.high != 0 {
            return None;
        }
        let lt = (!w.space & from(close + 1)).trailing_zeros();
        if escaped != 0 {
            // Written again exactly as it stands, one space before `<`.
            (close + 1, NameHint::QuotedEscaped, lt, lt == close + 2)
        } else {
            // Atext words separated by single spaces, written without the quotes.
            let ws = w.space & inside;
            let atoms = close > 1
                && inside & !(plain | w.space) == 0
                && !has(ws, 1)
                && !has(ws, close - 1)
                && ws & (ws >> 1) == 0;
            // Written again as it stands, one space before `<`.
            let verbatim = !atoms && lt == close + 2;
            (close + 1, NameHint::Quoted { atoms }, lt, verbatim)
        }
    } else {
        // The first word: an `@` in it makes the element a bare addr-spec.
        let stop = (!(plain | w.high | w.dot)).trailing_zeros();
        if has(w.at, stop) & (stop > 0) {
            let end = (!addr_bytes).trailing_zeros();
            if end >= 64 || !window_addr_ok(&w, 0, end) {
                return None;
            }
            let after = after(end)?;
            let mb = ParsedMailbox {
                name: None,
                addr: (i, i + end as usize),
                end: i + end as usize,
                verbatim: true,
            };
            return Some((mb, after, NameHint::None));
        }
        // Words of atext and UTF-8 separated by single spaces, then `<`: the name runs to
        // the first other byte (at the latest the end of the window), which must be `<`
        // (checked below).
        let lt = (!(plain | w.high | w.space)).trailing_zeros();
        let name = below(lt);
        let ws = w.space & name;
        if ws & (ws >> 1) != 0 || ws & 1 != 0 {
            return None;
        }
        let name_end = 64 - (name & !w.space).leading_zeros();
        let high = w.high & name != 0;
        let hint = if high {
            NameHint::NonAscii
        } else {
            NameHint::Atoms
        };
        // Atoms as they stand, one space before `<`.
        let verbatim = !high && name_end > 0 && lt == name_end + 1;
        (name_end, hint, lt, verbatim)
    };
    // The window keeps no mask of `<`: one byte load where it must stand.
    if lt >= w.len || b.get(i + lt as usize) != Some(&b'<') {
        return None;
    }
    let a = lt + 1;
    let (close, after) = match window_angle_tail(&w, b, i, a) {
        Some(found) => found,
        // The addr-spec, or it and the spaces after its `>`, run to the end of the window:
        // an element longer than the window (a long name and a long domain). The rest is
        // read in a window of its own from the addr-spec's first byte, by the same rules.
        None if w.len == 64
            && (!w.space & from((!addr_bytes & from(a)).trailing_zeros() + 1)).trailing_zeros()
                == 64 =>
        {
            let a = i + a as usize;
            // SAFETY: the caller's contract.
            let w = unsafe { window::window_k::<AVX2, false>(b, a) };
            window_angle_tail(&w, b, a, 0)?
        }
        None => return None,
    };
    let mb = ParsedMailbox {
        name: (name_end > 0).then_some((i, i + name_end as usize)),
        addr: (i + lt as usize + 1, close),
        end: close + 1,
        verbatim,
    };
    Some((mb, after, hint))
}

/// The `addr-spec>` part of an element, the addr-spec starting at bit `s` of the window `w`
/// at `i`, and what follows (spaces, then `,` or the end of the value): the offsets of the
/// `>` and of where [`window_after`] stops, when all of it is in the window and valid.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn window_angle_tail(w: &window::Win, b: &[u8], i: usize, s: u32) -> Option<(usize, usize)> {
    let close = (!(w.plain | w.dot | w.at) & window::from(s)).trailing_zeros();
    // The window keeps no mask of `>`: one byte load where it must stand.
    if close >= w.len || b.get(i + close as usize) != Some(&b'>') || !window_addr_ok(w, s, close) {
        return None;
    }
    Some((i + close as usize, window_after(w, b, i, close + 1)?))
}

/// Writes a common element [`fast_element`] read at `b[i..]`, followed by `glue`, when its
/// canonical form is plain ASCII the pass already knows: a bare addr-spec, or a name of atoms
/// or one quoted-string without quoted-pairs (`hint`) before `<addr-spec>`. When the whole
/// mailbox fits on the current line, or does not but fits on a fresh one (where
/// [`Folder::keep_together`] would move it), every fit check of the general path passes, so
/// one decision and straight copies into the sink write the same bytes; most often the
/// element's own bytes are already canonical and go out as one copy. Returns false, having
/// written nothing, for anything else (the caller then plans and writes it in general).
#[cfg(not(target_os = "none"))]
#[inline]
fn write_common(
    f: &mut Folder<'_, '_>,
    b: &[u8],
    i: usize,
    mb: &ParsedMailbox,
    hint: NameHint,
    glue: &[u8],
) -> bool {
    let addr = b.get(mb.addr.0..mb.addr.1).unwrap_or_default();
    // The name as written (quotes included when it stays quoted), and whether the element's
    // bytes are its canonical form: the name as it is, then exactly one space before `<`.
    let (name, verbatim) = match (mb.name, hint) {
        (None, _) => (None, false),
        (
            Some((s, e)),
            NameHint::Atoms | NameHint::Quoted { atoms: false } | NameHint::QuotedEscaped,
        ) => (b.get(s..e), b.get(e) == Some(&b' ') && e + 2 == mb.addr.0),
        (Some((s, e)), NameHint::Quoted { atoms: true }) => {
            (b.get(s + 1..e.saturating_sub(1)), false)
        }
        _ => return false,
    };
    // ASCII throughout: characters are octets.
    let len = match name {
        Some(n) => n.len() + 3 + addr.len(),
        None => addr.len(),
    } + glue.len();
    if !open_piece(f, |room| len <= room.chars && len <= room.bytes) {
        return false;
    }
    let sink = f.sink();
    match name {
        Some(_) if verbatim => write_piece(sink, b.get(i..mb.end).unwrap_or_default()),
        Some(n) => {
            sink.write(n);
            sink.write(b" <");
            write_piece(sink, addr);
            sink.byte(b'>');
        }
        None => write_piece(sink, addr),
    }
    sink.write(glue);
    f.advance(Width::ascii(1 + len));
    true
}

/// Writes ` <addr>` and `glue` straight to the sink once the caller has checked that their
/// `width` fits on the current line, and records the columns.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn put_angle_tail(f: &mut Folder<'_, '_>, addr: &[u8], glue: &[u8], width: Width) {
    let sink = f.sink();
    sink.write(b" <");
    write_piece(sink, addr);
    write_close(sink, glue);
    f.advance(width);
}

/// Writes the glue after a mailbox (`,` or nothing in a list): one byte store. The sink's
/// `write` of a slice whose length is not known where it is inlined copies up to 3 bytes in
/// a loop the compiler makes a call into `memcpy` of; the glue is one byte or none.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn write_glue(sink: &mut crate::sink::SliceSink<'_>, glue: &[u8]) {
    match glue {
        [] => {}
        [g] => sink.byte(*g),
        _ => sink.write(glue),
    }
}

/// Writes the `>` that closes an addr-spec and the glue after it ([`write_glue`]): `>,` as
/// one constant store of two bytes in a list, `>` alone at its end.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn write_close(sink: &mut crate::sink::SliceSink<'_>, glue: &[u8]) {
    if glue == b"," {
        sink.write(b">,");
    } else {
        sink.byte(b'>');
        write_glue(sink, glue);
    }
}

/// `sink.write(bytes)` for the pieces of a mailbox list (addr-specs, names, runs of
/// elements: 17 to 128 bytes most often): two overlapping fixed-size moves into the
/// buffer's spare room when it has the room, instead of a call into `memcpy` with its
/// branches on the length (the sink copies only up to 16 bytes inline).
///
/// (Five clamped moves ([`store_moves`]) here too, for every piece, were measured: 1.3
/// mispredicts per field fewer but 34 instructions more per text-form field and 65 per
/// structured one; only the runs, whose lengths vary most, take them.)
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn write_piece(sink: &mut crate::sink::SliceSink<'_>, bytes: &[u8]) {
    let n = bytes.len();
    if n > 16 && crate::sink::store_by_moves(sink.spare(), bytes) {
        sink.commit(n);
        return;
    }
    sink.write(bytes);
}

/// Stores `src` (16 to 80 bytes) at the start of `dst` with five 16-byte moves at the fixed
/// offsets 0, 16, 32, 48 and 64, each clamped to `src.len() - 16`: together they cover it
/// exactly whatever its length, with no branch on it (the lengths of addr-specs, words and
/// runs vary from one to the next, and a choice of moves by length mispredicts). False,
/// nothing stored, when `src` is out of that range or `dst` shorter than it.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn store_moves(dst: &mut [u8], src: &[u8]) -> bool {
    let n = src.len();
    let Some(last) = n.checked_sub(16) else {
        return false;
    };
    if n > 80 || dst.len() < n {
        return false;
    }
    for at in [0, 16, 32, 48, 64] {
        let at = at.min(last);
        if let (Some(d), Some(s)) = (
            dst.get_mut(at..).and_then(|d| d.first_chunk_mut::<16>()),
            src.get(at..).and_then(|s| s.first_chunk::<16>()),
        ) {
            *d = *s;
        }
    }
    true
}

/// Writes ` ` and `bytes` (a run of elements, most often 16 to 79 bytes: it stays on one
/// line): one byte store and [`store_moves`] (a run's length varies from one to the next;
/// [`crate::sink::store_by_moves`]'s choice of moves by length mispredicted about twice
/// per field). Anything else goes through [`write_piece`].
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn write_spaced(sink: &mut crate::sink::SliceSink<'_>, bytes: &[u8]) {
    let n = bytes.len();
    let spare = sink.spare();
    if let [first, rest @ ..] = spare {
        if store_moves(rest, bytes) {
            *first = b' ';
            sink.commit(n + 1);
            return;
        }
    }
    sink.byte(b' ');
    write_piece(sink, bytes);
}

/// Elements whose canonical form is their own bytes, placed but not yet written: the output
/// owes ` ` + `b[start..end]`. Consecutive such elements that stay on one line, separated by
/// exactly `, ` in the value, are one run of the value and go out as one copy (a list as
/// people write it is mostly that), instead of a space, the element and the glue each.
#[cfg(not(target_os = "none"))]
#[derive(Default)]
struct Run {
    start: usize,
    /// 0: no run pending (a run never ends at 0).
    end: usize,
}

#[cfg(not(target_os = "none"))]
impl Run {
    /// Writes the pending run, if any: before anything else is written, and at the end.
    /// Out of line (`#[inline(always)]` was measured: 15 instructions per From/To/Cc field
    /// fewer, but 2.8 KB more code in the list loop and 0.6 more simulated level-1
    /// instruction cache misses per field over the whole corpus).
    #[inline]
    fn flush(&mut self, f: &mut Folder<'_, '_>, b: &[u8]) {
        if self.end != 0 {
            write_spaced(f.sink(), b.get(self.start..self.end).unwrap_or_default());
            self.end = 0;
        }
    }

    /// Places an element [`fast_element`] read at `b[i..]` (followed by `glue`) when it is
    /// its own canonical form, with the glue right after it in the value: a bare addr-spec,
    /// or a name that stays as it is ([`ParsedMailbox::verbatim`]). The fit decision is
    /// [`write_common`]'s: on this line, else (not right after the field name) on a fresh
    /// one; the bytes are those it writes. False, having placed nothing, otherwise. The
    /// line's room comes from `line` (kept by the list loop, not read from the folder), and
    /// a fold writes the line ending itself ([`put_line_ending`]).
    #[inline(always)]
    fn place(
        &mut self,
        f: &mut Folder<'_, '_>,
        b: &[u8],
        i: usize,
        mb: &ParsedMailbox,
        glue: &[u8],
        line: &mut Line,
    ) -> bool {
        let end = mb.end + glue.len();
        // Bitwise, not short-circuit: one branch on the verdict instead of one per test.
        if !mb.verbatim | (!glue.is_empty() & (b.get(mb.end) != Some(&b','))) {
            return false;
        }
        // ASCII throughout: characters are octets. The fit below is `place_line`'s, with the
        // pending run flushed before a fold; calling `place_line` (with the flush as a closure,
        // or tested for first) was measured at +44 and +58 instructions per From/To/Cc field
        // of the text form, so the few lines are repeated here.
        let len = end - i;
        let width = Width::ascii(1 + len);
        if len > line.here {
            // Right after the field name the general path has its own rule for the first
            // token.
            if line.at_start | (len > line.fresh) {
                return false;
            }
            self.flush(f, b);
            put_line_ending(f);
            // What `Folder::newline`, then `advance` and `mark_written` leave.
            f.resume(width, false);
            line.here = line.fresh;
        } else {
            f.mark_written();
            f.advance(width);
        }
        line.at_start = false;
        // `len <= here`: the room after the space and the element, none when it is full.
        line.here = (line.here - len).saturating_sub(1);
        if (self.end != 0) & (self.end + 1 == i) & (b.get(self.end) == Some(&b' ')) {
            self.end = end;
        } else {
            self.flush(f, b);
            *self = Run { start: i, end };
        }
        true
    }
}

/// The room of the folder's line for a piece of ASCII after one SP, kept in the list loop
/// instead of computed from the folder's state for every element: `here` and `fresh` are
/// the smaller of the characters and the octets of [`Folder::room`]`(1)` (the same for
/// ASCII), and `at_start` is [`Folder::at_start`]. [`Run::place`] keeps it up to date; any
/// other writer reads it again ([`Line::sync`]).
#[cfg(not(target_os = "none"))]
struct Line {
    here: usize,
    fresh: usize,
    at_start: bool,
}

#[cfg(not(target_os = "none"))]
impl Line {
    #[inline(always)]
    fn of(f: &Folder<'_, '_>) -> Line {
        let (here, fresh) = f.room(1);
        Line {
            here: here.chars.min(here.bytes),
            fresh: fresh.chars.min(fresh.bytes),
            at_start: f.at_start(),
        }
    }

    /// Reads the current line's room again after a writer other than [`Run::place`] (the
    /// room on a fresh line does not change within a field).
    #[inline(always)]
    fn sync(&mut self, f: &Folder<'_, '_>) {
        let (here, _) = f.room(1);
        self.here = here.chars.min(here.bytes);
        self.at_start = f.at_start();
    }
}

/// Writes the folder's line ending (what [`Folder::newline`] writes) with one 2-byte store
/// when the output has the room: `\r\n`, or `\n` and a space the caller writes over (a
/// fold is always followed by the space before the next piece). The caller records the
/// line's state ([`Folder::resume`]).
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn put_line_ending(f: &mut Folder<'_, '_>) {
    let eol = f.line_ending();
    let n = eol.len();
    let pair = if n == 2 { *b"\r\n" } else { *b"\n " };
    let sink = f.sink();
    if let Some(d) = sink.spare().first_chunk_mut::<2>() {
        *d = pair;
        sink.commit(n);
    } else {
        sink.write(eol);
    }
}

/// Where an addr-spec starting at `i` ends: at white space or a list delimiter outside a
/// quoted local part or domain literal.
/// [`addr_end`], going on over white space that comes right before or after an `@` outside
/// quoted-strings and domain literals (FWS around the `@`, RFC 5322 §3.4.1), for text whose
/// controls are checked already: the general parser's addr-specs.
fn addr_end_fws(b: &[u8], mut i: usize) -> usize {
    loop {
        let end = addr_end(b, i);
        if !b.get(end).is_some_and(|&c| is_space(c)) {
            return end;
        }
        let next = skip_ws(b, end);
        let before_at = end > i && b.get(end - 1) == Some(&b'@');
        if !(before_at || b.get(next) == Some(&b'@')) {
            return end;
        }
        i = next;
    }
}

/// Calls `emit` with the runs of an addr-spec that [`check_addr_spec_fws`] accepted that are
/// written: everything but white space outside quoted-strings and domain literals (FWS around
/// the `@`) and the CR and LF of caller folds (inside a quoted local part the fold's white
/// space stays, SPEC §3).
fn for_each_addr_piece(addr: &[u8], mut emit: impl FnMut(&[u8])) {
    let (mut quoted, mut escaped, mut literal) = (false, false, false);
    let mut run = 0;
    for (k, &c) in addr.iter().enumerate() {
        let drop = match c {
            // The break of a caller's fold goes, also right after a quoted-pair's backslash
            // (the fold's white space is then the quoted character).
            b'\r' | b'\n' => true,
            _ if escaped => {
                escaped = false;
                false
            }
            b'\\' if quoted => {
                escaped = true;
                false
            }
            b'"' if !literal => {
                quoted = !quoted;
                false
            }
            b'[' if !quoted => {
                literal = true;
                false
            }
            b' ' | b'\t' => !quoted && !literal,
            _ => false,
        };
        if drop {
            if run < k {
                emit(addr.get(run..k).unwrap_or_default());
            }
            run = k + 1;
        }
    }
    if run < addr.len() {
        emit(addr.get(run..).unwrap_or_default());
    }
}

/// Whether [`for_each_addr_piece`] drops anything from `addr`.
fn addr_has_fws(addr: &[u8]) -> bool {
    let mut pieces = 0;
    let mut len = 0;
    for_each_addr_piece(addr, |p| {
        pieces += 1;
        len += p.len();
    });
    pieces != 1 || len != addr.len()
}

/// [`write_addr`] for an addr-spec holding white space to drop ([`for_each_addr_piece`]).
fn write_addr_pieces(
    f: &mut Folder<'_, '_>,
    ws: &[u8],
    addr: &[u8],
    angle: bool,
    glue: &[u8],
    options: &Options,
) -> Result<(), Error> {
    let mut w = Width::ascii(0);
    for_each_addr_piece(addr, |p| w = w.plus(addr_width(p, options)));
    let brackets = if angle { 2 } else { 0 };
    f.space(ws, w.plus(Width::ascii(brackets + glue.len())), false)?;
    if angle {
        f.put_byte(b'<');
    }
    for_each_addr_piece(addr, |p| f.put(p, addr_width(p, options)));
    if angle {
        f.put_byte(b'>');
    }
    f.put_ascii(glue);
    Ok(())
}

/// [`write_mailbox`]'s general path for an addr-spec holding white space to drop: the same
/// fit checks with the width of what is written.
fn write_mailbox_pieces(
    f: &mut Folder<'_, '_>,
    name: Option<Plan<'_>>,
    addr: &[u8],
    glue: &[u8],
    options: &Options,
) -> Result<(), Error> {
    let mut w = Width::ascii(0);
    for_each_addr_piece(addr, |p| w = w.plus(addr_width(p, options)));
    let glue_w = Width::ascii(glue.len());
    match name {
        Some(plan) => {
            if let Some(n) = plan.one_line_width(options) {
                f.keep_together(
                    b" ",
                    n.plus(w.plus(Width::ascii(3)).plus(glue_w)),
                    plan.is_encoded(),
                );
            }
            phrase::write_planned(f, b" ", plan, options, b"")?;
            write_addr_pieces(f, b" ", addr, true, glue, options)
        }
        None => {
            let angle = starts_quoted(addr);
            let brackets = Width::ascii(if angle { 2 } else { 0 });
            f.keep_together(b" ", w.plus(brackets).plus(glue_w), false);
            write_addr_pieces(f, b" ", addr, angle, glue, options)
        }
    }
}

fn addr_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        match b[i] {
            b'"' | b'[' => i = skip_enclosed(b, i),
            c if is_space(c) || matches!(c, b',' | b';' | b'>' | b'<') => return i,
            _ => {}
        }
        i += 1;
    }
    b.len().min(i)
}

/// The plan of the text-form display name `raw` that [`fast_element`] read.
#[cfg(not(target_os = "none"))]
#[inline]
fn hinted_plan<'a>(raw: &'a [u8], hint: NameHint, options: &Options) -> Plan<'a> {
    use phrase::Known;
    let known = match hint {
        NameHint::Atoms => Known::Atoms,
        NameHint::NonAscii if !options.utf8 => Known::Encoded,
        NameHint::Quoted { atoms } => Known::Quoted { atoms },
        _ => return phrase::plan(Source::Text(raw), options),
    };
    phrase::plan_known(raw, known)
}

/// The plan of a text-form display name at `b[s..e]`, if there is one.
fn text_name<'a>(b: &'a [u8], name: Option<(usize, usize)>, options: &Options) -> Option<Plan<'a>> {
    name.map(|(s, e)| phrase::plan(Source::Text(b.get(s..e).unwrap_or_default()), options))
}

/// After an element: only white space, then `,`, `;` (in a group) or the end.
fn expect_separator(b: &[u8], end: usize, in_group: bool, utf8: bool) -> Result<usize, Error> {
    let i = skip_ws(b, end);
    match b.get(i) {
        None | Some(b',') => Ok(i),
        Some(b';') if in_group => Ok(i),
        Some(_) => Err(blame_addr(b, i, i, utf8, true)),
    }
}

pub(crate) fn format_text(
    f: &mut Folder<'_, '_>,
    value: &str,
    options: &Options,
    required: bool,
    single: bool,
) -> Result<(), Error> {
    format_text_with(f, value, options, required, single, true, &mut true)
}

/// A whole address field in text form: `Name:`, the list and the line ending, with the
/// control check of SPEC §3 ([`input::check_controls`]) fused into the one-pass element
/// reader, which accepts no byte that check rejects. Only the part of the value the reader
/// does not take is checked on its own, before the general parser reads it; and on any error
/// the whole value is checked first, so the error is the one the separate check would have
/// reported before anything else (a control anywhere wins over any other error).
#[cfg(not(target_os = "none"))]
pub(crate) fn format_field(
    sink: &mut crate::sink::SliceSink<'_>,
    name: &str,
    value: &str,
    options: &Options,
    required: bool,
    single: bool,
) -> Result<(), Error> {
    let mut checked = false;
    let result = (|| {
        let mut f = Folder::start(sink, name, options)?;
        format_text_with(&mut f, value, options, required, single, true, &mut checked)?;
        f.end();
        Ok(())
    })();
    if result.is_err() && !checked {
        input::check_controls(value.as_bytes())?;
    }
    result
}

/// [`format_text`], with the one-pass reading of common elements ([`fast_element`]) on or
/// off (off: the general parser alone, the reference the fast path is tested against).
/// `checked` says whether the value's controls have been checked; while they have not (only
/// with `fast`), the value is read only as far as the one-pass reader takes it, and the rest
/// is checked before the general parser sees it.
fn format_text_with(
    f: &mut Folder<'_, '_>,
    value: &str,
    options: &Options,
    required: bool,
    single: bool,
    fast: bool,
    checked: &mut bool,
) -> Result<(), Error> {
    #[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
    if fast && crate::cpu::avx2() {
        // SAFETY: the CPU supports AVX2 (checked just above).
        return unsafe { format_text_avx2(f, value, options, required, single, checked) };
    }
    #[cfg(not(target_os = "none"))]
    return format_text_portable(f, value, options, required, single, fast, checked);
    // SAFETY: without `AVX2` no CPU feature is assumed.
    #[cfg(target_os = "none")]
    unsafe {
        format_text_loop::<false>(f, value, options, required, single, fast, checked)
    }
}

/// [`format_text_loop`] without AVX2, out of line on hosts: the field dispatcher, which
/// [`format_text_with`] inlines into, then holds two calls instead of a whole list loop
/// (its frame and registers are every class's).
#[cfg(not(target_os = "none"))]
#[inline(never)]
fn format_text_portable(
    f: &mut Folder<'_, '_>,
    value: &str,
    options: &Options,
    required: bool,
    single: bool,
    fast: bool,
    checked: &mut bool,
) -> Result<(), Error> {
    // SAFETY: without `AVX2` no CPU feature is assumed.
    unsafe { format_text_loop::<false>(f, value, options, required, single, fast, checked) }
}

/// [`format_text_with`] with the one-pass readers, compiled for AVX2: the window inlines
/// into the list loop (its masks stay in registers) and the bit arithmetic of
/// `window_element` takes the BMI instructions (`shlx`, `bzhi`, `tzcnt`, `blsr`).
///
/// # Safety
/// The CPU must support AVX2 (`crate::cpu::avx2()`).
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
unsafe fn format_text_avx2(
    f: &mut Folder<'_, '_>,
    value: &str,
    options: &Options,
    required: bool,
    single: bool,
    checked: &mut bool,
) -> Result<(), Error> {
    // SAFETY: the CPU supports AVX2 (this function's contract).
    unsafe { format_text_loop::<true>(f, value, options, required, single, true, checked) }
}

/// The list loop of [`format_text_with`]; with `AVX2`, for [`format_text_avx2`].
///
/// # Safety
/// With `AVX2`, the CPU must support AVX2 (`crate::cpu::avx2()`).
#[inline(always)]
unsafe fn format_text_loop<const AVX2: bool>(
    f: &mut Folder<'_, '_>,
    value: &str,
    options: &Options,
    required: bool,
    single: bool,
    fast: bool,
    checked: &mut bool,
) -> Result<(), Error> {
    let b = value.as_bytes();
    debug_assert!(fast || *checked);
    #[cfg(not(target_os = "none"))]
    // `move`: a reference to `fast` kept it in memory, one load per element.
    let skip = move |i| {
        if fast {
            skip_ws_folds(b, i, true)
        } else {
            skip_ws_commas(b, i)
        }
    };
    #[cfg(target_os = "none")]
    let skip = |i| skip_ws_commas(b, i);
    // Most values start with their first element: no call to `skip` for them.
    let mut i = match b.first() {
        Some(b' ' | b'\t' | b',' | b'\r' | b'\n') => skip(0),
        _ => 0,
    };
    let mut elements = 0;
    // The count at which another element is an error: one compare per element.
    let most = if single { 1 } else { usize::MAX };
    #[cfg(not(target_os = "none"))]
    let mut run = Run::default();
    #[cfg(not(target_os = "none"))]
    let mut line = Line::of(f);
    while i < b.len() {
        if elements == most {
            return Err(blame_addr(b, i, i, options.utf8, true));
        }
        #[cfg(not(target_os = "none"))]
        if fast {
            // The window reader's element stays in registers: only the elements that are
            // not placed as they stand go (by value) to the out-of-line writer.
            // SAFETY: the caller's contract.
            if let Some((mb, after, hint)) = unsafe { window_element_k::<AVX2>(b, i) } {
                let next = next_element(b, after, &skip);
                let glue: &[u8] = if next < b.len() { b"," } else { b"" };
                if !run.place(f, b, i, &mb, glue, &mut line) {
                    run.flush(f, b);
                    #[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
                    if AVX2 {
                        // SAFETY: the caller's contract.
                        unsafe { other_element_avx2(f, b, i, mb, hint, glue, options) }?;
                    } else {
                        other_element(f, b, i, mb, hint, glue, options)?;
                    }
                    #[cfg(not(all(target_arch = "x86_64", not(target_os = "none"))))]
                    other_element(f, b, i, mb, hint, glue, options)?;
                    line.sync(f);
                }
                elements += 1;
                i = next;
                continue;
            }
            // The byte reader's elements (few) skip the run: [`write_common`] writes a
            // verbatim element with the same bytes and the same fit decision.
            if let Some((mb, after, hint)) = fast_element(b, i) {
                let next = next_element(b, after, &skip);
                let glue: &[u8] = if next < b.len() { b"," } else { b"" };
                run.flush(f, b);
                other_element(f, b, i, mb, hint, glue, options)?;
                line.sync(f);
                elements += 1;
                i = next;
                continue;
            }
        }
        #[cfg(not(target_os = "none"))]
        run.flush(f, b);
        i = general_element(f, b, i, options, single, fast, checked)?;
        #[cfg(not(target_os = "none"))]
        line.sync(f);
        elements += 1;
    }
    #[cfg(not(target_os = "none"))]
    run.flush(f, b);
    if required && elements == 0 {
        return Err(Error::InvalidAddress { at: b.len() });
    }
    Ok(())
}

/// Where the next element starts after one that `window_element` or [`fast_element`]
/// read, whose separator ends at `after`: the usual `, ` before the next element without
/// the byte loop, else `skip`.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn next_element(b: &[u8], after: usize, skip: &impl Fn(usize) -> usize) -> usize {
    // One bounds check for the three bytes (and `skip` by reference: by value, its captures
    // were copied for every element).
    match b.get(after..after.wrapping_add(3)) {
        Some(&[b',', b' ', c]) if !matches!(c, b' ' | b'\t' | b',' | b'\r' | b'\n') => after + 2,
        _ if after >= b.len() => after,
        _ => skip(after),
    }
}

/// Writes an element a one-pass reader read at `b[i..]` that [`Run::place`] did not place
/// (the pending run is written): an encoded display name, a name that is rewritten, or one
/// that does not fit where the run would put it. Out of line: the list loop keeps only the
/// window reader and the placing of elements that stand as they are. The mailbox comes by
/// value: by reference, the list loop stored every element's fields for this call (seven
/// stores per element), where a copy is made only on the way here.
#[cfg(not(target_os = "none"))]
#[inline(never)]
fn other_element(
    f: &mut Folder<'_, '_>,
    b: &[u8],
    i: usize,
    mb: ParsedMailbox,
    hint: NameHint,
    glue: &[u8],
    options: &Options,
) -> Result<(), Error> {
    if let Some((name, addr)) = mb.encoded_name(b, hint, options) {
        return write_encoded_element(f, b, name, addr, glue, options);
    }
    if write_common(f, b, i, &mb, hint, glue) {
        return Ok(());
    }
    let addr = b.get(mb.addr.0..mb.addr.1).unwrap_or_default();
    let name = mb.name.map(|(s, e)| {
        let raw = b.get(s..e).unwrap_or_default();
        hinted_plan(raw, hint, options)
    });
    write_mailbox(f, b" ", name, addr, glue, options, true)
}

/// One element of a text-form list at `b[i..]` read by the general parser (a group too),
/// written, and the separators after it skipped: where the next element starts. Before it
/// reads anything, the part of the value whose controls are not `checked` yet is checked
/// (see [`format_text_with`]). Out of line: with the one-pass readers on, only the rare
/// elements come here (groups, quoted local parts, domain literals, odd white space,
/// errors), and the list loop stays small.
#[cfg_attr(not(target_os = "none"), inline(never))]
fn general_element(
    f: &mut Folder<'_, '_>,
    b: &[u8],
    i: usize,
    options: &Options,
    single: bool,
    fast: bool,
    #[cfg_attr(target_os = "none", allow(unused_variables))] checked: &mut bool,
) -> Result<usize, Error> {
    // On bare metal `checked` is always true (the caller checked the whole value).
    #[cfg(not(target_os = "none"))]
    if !*checked {
        // Everything before `i` is what the one-pass reader took: no control there, and
        // `i` never splits a caller fold, so the rest checked alone fails where the whole
        // value would.
        input::check_controls(b.get(i..).unwrap_or_default()).map_err(|e| match e {
            Error::ControlCharacter { at } => Error::ControlCharacter { at: at + i },
            e => e,
        })?;
        *checked = true;
    }
    let found = find_delim(b, i);
    let next = if found.1 == Delim::Colon {
        if single {
            return Err(Error::InvalidAddress { at: found.0 });
        }
        format_group(f, b, i, found.0, options, fast)?
    } else {
        let mb = parse_mailbox(b, i, found, options.utf8)?;
        let after = expect_separator(b, mb.end, false, options.utf8)?;
        if b.get(after) == Some(&b';') {
            return Err(Error::InvalidAddress { at: after });
        }
        write_parsed_mailbox(f, b, &mb, glue_after(b, mb.end, false), options, fast)?;
        after
    };
    Ok(skip_ws_commas(b, next))
}

/// Writes a mailbox the general parser read from `b`: an addr-spec with the white space
/// RFC 5322 allows inside it (`a @ b`) goes piece by piece, written canonically.
#[inline]
fn write_parsed_mailbox(
    f: &mut Folder<'_, '_>,
    b: &[u8],
    mb: &ParsedMailbox,
    glue: &[u8],
    options: &Options,
    fast: bool,
) -> Result<(), Error> {
    let addr = b.get(mb.addr.0..mb.addr.1).unwrap_or_default();
    let name = text_name(b, mb.name, options);
    if addr_has_fws(addr) {
        write_mailbox_pieces(f, name, addr, glue, options)
    } else {
        write_mailbox(f, b" ", name, addr, glue, options, fast)
    }
}

/// A group `display-name ":" [mailbox-list] ";"`, the name running from `start` to the colon.
/// Returns the offset after the `;`.
fn format_group(
    f: &mut Folder<'_, '_>,
    b: &[u8],
    start: usize,
    colon: usize,
    options: &Options,
    fast: bool,
) -> Result<usize, Error> {
    let (ns, ne) = input::trim(b.get(start..colon).unwrap_or_default());
    if ns == ne {
        return Err(Error::InvalidAddress { at: colon });
    }
    let name = b.get(start + ns..start + ne).unwrap_or_default();
    phrase::check_text_phrase(name).map_err(|p| Error::InvalidAddress { at: start + ns + p })?;
    let mut i = skip_ws_commas(b, colon + 1);
    if b.get(i) == Some(&b';') {
        let glue: &[u8] = if skip_ws_commas(b, i + 1) < b.len() {
            b":;,"
        } else {
            b":;"
        };
        phrase::write(f, b" ", Source::Text(name), options, glue)?;
        return Ok(i + 1);
    }
    phrase::write(f, b" ", Source::Text(name), options, b":")?;
    loop {
        if i >= b.len() {
            // The group never closes.
            return Err(Error::InvalidAddress { at: b.len() });
        }
        let found = find_delim(b, i);
        if found.1 == Delim::Colon {
            return Err(Error::InvalidAddress { at: found.0 });
        }
        let mb = parse_mailbox(b, i, found, options.utf8)?;
        let after = expect_separator(b, mb.end, true, options.utf8)?;
        write_parsed_mailbox(f, b, &mb, glue_after(b, mb.end, true), options, fast)?;
        i = skip_ws_commas(b, after);
        if b.get(i) == Some(&b';') {
            return Ok(i + 1);
        }
    }
}

/// Return-Path (RFC 5322 §3.6.7): `<addr-spec>` or `<>`; a bare addr-spec is bracketed.
/// The first non-white-space byte after the `>` that closes a path whose text starts at
/// `from` (a `>` inside a quoted local part or a domain literal does not close it); `None`
/// when nothing closes it before `end`.
fn after_path(b: &[u8], from: usize, end: usize) -> Option<usize> {
    let text = b.get(from..end)?;
    let (mut quoted, mut escaped, mut literal) = (false, false, false);
    let close = text.iter().position(|&c| {
        match c {
            _ if escaped => escaped = false,
            b'\\' if quoted || literal => escaped = true,
            b'"' if !literal => quoted = !quoted,
            b'[' if !quoted => literal = true,
            b']' if !quoted => literal = false,
            b'>' if !quoted && !literal => return true,
            _ => {}
        }
        false
    })?;
    let rest = text.get(close + 1..)?;
    // White space (a caller's fold too) before the trailing text is not the error.
    let (blank, _) = crate::input::trim(rest);
    Some(from + close + 1 + blank)
}

pub(crate) fn format_return_path(
    f: &mut Folder<'_, '_>,
    value: &str,
    options: &Options,
) -> Result<(), Error> {
    let b = value.as_bytes();
    let (s, e) = input::trim(b);
    if s == e {
        return Err(Error::InvalidAddress { at: e });
    }
    if b.get(s) == Some(&b'<') {
        if b.get(e - 1) != Some(&b'>') || e - s < 2 {
            return Err(blame_path(b, s, e, None, options.utf8));
        }
        // White space after `<` and before `>` is FWS around the addr-spec (RFC 5322
        // §3.4.1), not written.
        let (ts, te) = input::trim(b.get(s + 1..e - 1).unwrap_or_default());
        return path_addr(f, b, s + 1 + ts, s + 1 + te, options)
            .map_err(|err| blame_path(b, s, e, Some(err), options.utf8));
    }
    path_addr(f, b, s, e, options)
}

/// The error for a Return-Path value `b[s..e]` that starts with `<` and is not one valid
/// path: `err` is what reading all of `b[s + 1..e - 1]` as one path gave, `None` when the
/// value does not end with `>`. When an earlier `>` closes a path (`<a@b>>`, `<> <>`,
/// `<a@b> x`), a wrong byte inside that path comes first, else the text after it is what
/// is wrong; when nothing closes the path, the first wrong byte of its text, else the end.
#[cold]
#[inline(never)]
fn blame_path(b: &[u8], s: usize, e: usize, err: Option<Error>, utf8: bool) -> Error {
    match (after_path(b, s + 1, e), err) {
        (Some(next), _) if next < e => {
            // The closing `>`: the last one before `next` (only white space lies between).
            let close = b
                .get(..next)
                .and_then(|head| head.iter().rposition(|&c| c == b'>'))
                .unwrap_or(s);
            let (ts, te) = input::trim(b.get(s + 1..close).unwrap_or_default());
            let (a, z) = (s + 1 + ts, s + 1 + te);
            if a < z {
                if let Err(err) = check_path(b, a, z, utf8) {
                    return err;
                }
            }
            blame_addr(b, next, next, utf8, true)
        }
        (_, Some(err)) => err,
        (_, None) => {
            let a = skip_ws(b, s + 1).min(e);
            if b.get(a) == Some(&b'@') {
                // An obsolete source route (<@relay:user@host>).
                return Error::InvalidAddress { at: a };
            }
            blame_addr(b, a, e, utf8, true)
        }
    }
}

/// Checks the addr-spec of a Return-Path, `b[a..z]` (not empty).
#[inline]
fn check_path(b: &[u8], a: usize, z: usize, utf8: bool) -> Result<(), Error> {
    if b.get(a) == Some(&b'@') {
        // An obsolete source route (<@relay:user@host>).
        return Err(Error::InvalidAddress { at: a });
    }
    // The addr-spec ends where white space (or a byte no addr-spec holds outside quotes and
    // literals) stops it; past white space, the next byte is what is wrong.
    let ae = addr_end_fws(b, a).min(z);
    if check_addr_spec_fws(b, a, ae, utf8, true).is_err() {
        // Not where the addr-spec reader stopped, which may be white space that FWS
        // allows (`<a b@c>`: the `b`, not the space).
        return Err(blame_addr(b, a, z, utf8, true));
    }
    if ae != z {
        let at = skip_ws(b, ae);
        return Err(blame_addr(b, at, at, utf8, true));
    }
    Ok(())
}

/// The addr-spec of a Return-Path, `b[a..z]` (empty for the null path `<>`).
fn path_addr(
    f: &mut Folder<'_, '_>,
    b: &[u8],
    a: usize,
    z: usize,
    options: &Options,
) -> Result<(), Error> {
    // `path = angle-addr / ([CFWS] "<" [CFWS] ">" [CFWS])` (RFC 5322 §3.6.7): white space
    // inside the null path is allowed and not written.
    if a == z {
        f.space(b" ", Width::ascii(2), false)?;
        f.put_ascii(b"<>");
        return Ok(());
    }
    check_path(b, a, z, options.utf8)?;
    let addr = b.get(a..z).unwrap_or_default();
    if addr_has_fws(addr) {
        return write_addr_pieces(f, b" ", addr, true, b"", options);
    }
    write_addr(f, b" ", addr, addr_width(addr, options), true, b"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{check_structure, fmt, fmt_with};
    use crate::{format_mailboxes, Mailbox};
    use std::string::String;

    fn boxes(name: &str, list: &[Mailbox<'_>], options: &Options) -> Result<String, Error> {
        let mut buf = [0u8; 2048];
        let n = format_mailboxes(name, list, options, &mut buf)?;
        Ok(String::from_utf8(buf[..n].to_vec()).unwrap())
    }

    #[test]
    fn addr_specs() {
        let ok = |s: &str| check_addr_spec(s.as_bytes(), 0, s.len(), false);
        assert_eq!(ok("a@b"), Ok(()));
        assert_eq!(ok("first.last@example.com"), Ok(()));
        assert_eq!(ok("\"john doe\"@example.com"), Ok(()));
        assert_eq!(ok("\"a\\\"b\"@example.com"), Ok(()));
        assert_eq!(ok("a@[192.0.2.1]"), Ok(()));
        assert_eq!(ok("a@[IPv6:2001:db8::1]"), Ok(()));
        assert_eq!(ok(""), Err(Error::InvalidAddress { at: 0 }));
        assert_eq!(ok("ab"), Err(Error::InvalidAddress { at: 2 }));
        assert_eq!(ok("a@@b"), Err(Error::InvalidAddress { at: 2 }));
        assert_eq!(ok("a..b@c"), Err(Error::InvalidAddress { at: 2 }));
        assert_eq!(ok(".a@c"), Err(Error::InvalidAddress { at: 0 }));
        assert_eq!(ok("a.@c"), Err(Error::InvalidAddress { at: 1 }));
        assert_eq!(ok("a@c."), Err(Error::InvalidAddress { at: 3 }));
        assert_eq!(ok("a@"), Err(Error::InvalidAddress { at: 2 }));
        assert_eq!(ok("a b@c"), Err(Error::InvalidAddress { at: 1 }));
        assert_eq!(ok("jö@x"), Err(Error::NonAscii { at: 1 }));
        assert_eq!(ok("a=?x@c"), Err(Error::InvalidAddress { at: 1 }));
        // A quoted-pair of a non-ASCII character is that whole character.
        assert_eq!(ok("\"a\\é\"@b.c"), Err(Error::NonAscii { at: 3 }));
        let sep = "\"a\\\u{2028}Bcc: x@y\"@b.c";
        assert_eq!(
            check_addr_spec(sep.as_bytes(), 0, sep.len(), true),
            Err(Error::ControlCharacter { at: 3 })
        );
        let fine = "\"a\\é\"@b.c";
        assert_eq!(
            check_addr_spec(fine.as_bytes(), 0, fine.len(), true),
            Ok(())
        );
        assert_eq!(check_addr_spec("jö@x".as_bytes(), 0, 5, true), Ok(()));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// The one-pass check accepts only what the full check accepts, and ends where
        /// `addr_end` ends.
        #[test]
        fn plain_addr_spec_agrees_with_the_full_check(
            s in "[a-z.@=?\"\\[\\] ,;<>é_-]{0,20}",
            start in 0usize..3,
        ) {
            let b = s.as_bytes();
            proptest::prop_assume!(start <= b.len() && s.is_char_boundary(start));
            if let Some(end) = plain_addr_end(b, start) {
                proptest::prop_assert_eq!(end, addr_end(b, start));
                proptest::prop_assert_eq!(check_addr_spec(b, start, end, false), Ok(()));
                proptest::prop_assert_eq!(check_addr_spec(b, start, end, true), Ok(()));
            } else if b[start..].iter().all(|&c| c.is_ascii_alphanumeric() || b".@-_".contains(&c)) {
                // The common shape that fails the one-pass check fails the full check too.
                let end = addr_end(b, start);
                proptest::prop_assert!(check_addr_spec(b, start, end, false).is_err());
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        /// The whole-addr-spec masks accept exactly what `plain_addr_end` accepts to the end,
        /// among addr-specs of the bytes they classify (every length up to past 64, `.` and
        /// `@` anywhere), and never anything else.
        #[test]
        fn whole_plain_addr_matches_plain_addr_end(
            s in proptest::prop_oneof![
                3 => "[a-z0-9_+.@-]{0,70}",
                3 => "[a-z]{0,30}[.]?[a-z]{0,10}@[a-z]{0,30}[.]?[a-z.]{0,10}",
                1 => "[a-z.@=?\"\\[\\] ,;<>é!#~\t\r\n\x00\x7f-]{0,70}",
            ],
        ) {
            let b = s.as_bytes();
            let plain = plain_addr_end(b, 0) == Some(b.len());
            #[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
            if crate::cpu::avx2() {
                // SAFETY: the CPU supports AVX2.
                let avx2 = unsafe { whole_plain_addr_avx2(b) };
                proptest::prop_assert_eq!(avx2, whole_plain_addr_sse2(b), "{:?}", s);
            }
            if whole_plain_addr(b) {
                proptest::prop_assert!(plain, "{:?}", s);
            }
            #[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
            if b.len() <= 64 && b.iter().all(|&c| is_common(c) || c == b'.' || c == b'@') {
                proptest::prop_assert_eq!(whole_plain_addr(b), plain, "{:?}", s);
            }
        }
    }

    /// The clamped moves store exactly the source, whatever its length from 16 to 80,
    /// and touch nothing after it; out of range (or without room) they store nothing.
    /// `write_spaced` and `write_piece` write what `sink.write` writes.
    #[test]
    fn store_moves_every_length() {
        let src: std::vec::Vec<u8> = (0..100u8).map(|k| k.wrapping_mul(7) | 1).collect();
        for n in 0..=100usize {
            for room in [n.saturating_sub(1), n, n + 1, 120] {
                let mut dst = std::vec![0u8; room];
                let stored = store_moves(&mut dst, &src[..n]);
                assert_eq!(
                    stored,
                    (16..=80).contains(&n) && room >= n,
                    "n {n} room {room}"
                );
                if stored {
                    assert_eq!(&dst[..n], &src[..n]);
                    assert!(dst[n..].iter().all(|&c| c == 0), "n {n}: past the end");
                } else {
                    assert!(dst.iter().all(|&c| c == 0));
                }
            }
            for room in [0, n, n + 1, n + 2, 200] {
                let (mut a, mut b) = (std::vec![0u8; room], std::vec![0u8; room]);
                let spaced_len = {
                    let mut spaced = crate::sink::SliceSink::new(&mut a);
                    write_spaced(&mut spaced, &src[..n]);
                    spaced.len()
                };
                let plain_len = {
                    let mut plain = crate::sink::SliceSink::new(&mut b);
                    plain.byte(b' ');
                    plain.write(&src[..n]);
                    plain.len()
                };
                assert_eq!(spaced_len, plain_len);
                assert_eq!(a, b, "n {n} room {room}");
            }
        }
    }

    /// Every length from 0 to 70 with the `@` and a `.` at every place, and separators first,
    /// last and doubled: the block edges (16, 32, 48, 64) are where the masks join.
    #[test]
    fn whole_plain_addr_every_length_and_place() {
        for n in 0..=70usize {
            for at in 0..n.max(1) {
                for dot in 0..n.max(1) {
                    let mut v = std::vec![b'a'; n];
                    if let Some(c) = v.get_mut(dot) {
                        *c = b'.';
                    }
                    if let Some(c) = v.get_mut(at) {
                        *c = b'@';
                    }
                    let plain = plain_addr_end(&v, 0) == Some(n);
                    #[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
                    {
                        let want = plain && n <= 64;
                        assert_eq!(whole_plain_addr_sse2(&v), want, "{n} {at} {dot}");
                        if crate::cpu::avx2() {
                            // SAFETY: the CPU supports AVX2.
                            let avx2 = unsafe { whole_plain_addr_avx2(&v) };
                            assert_eq!(avx2, want, "avx2 {n} {at} {dot}");
                        }
                    }
                    #[cfg(not(all(target_arch = "x86_64", not(target_os = "none"))))]
                    assert!(!whole_plain_addr(&v) || plain);
                }
            }
        }
        // A byte outside the set at every place of an otherwise plain addr-spec.
        for n in 3..=70usize {
            for bad in 0..n {
                for c in [b'!', b' ', b'=', b'/', b'`', b'{', b'[', 0x80, 0xc3, 0x00] {
                    let mut v = std::vec![b'a'; n];
                    v[n / 2] = b'@';
                    v[bad] = c;
                    let plain = plain_addr_end(&v, 0) == Some(n);
                    assert!(!whole_plain_addr(&v) || plain, "{n} {bad} {c}");
                    #[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
                    {
                        assert!(!whole_plain_addr_sse2(&v), "{n} {bad} {c}");
                        if crate::cpu::avx2() {
                            // SAFETY: the CPU supports AVX2.
                            assert!(!unsafe { whole_plain_addr_avx2(&v) }, "avx2 {n} {bad} {c}");
                        }
                    }
                }
            }
        }
    }

    /// Every byte value at every place of an otherwise plain addr-spec of every length the
    /// AVX2 version classifies (16 to 64): the nibble tables against the byte definition.
    #[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
    #[test]
    fn whole_plain_addr_avx2_every_byte() {
        if !crate::cpu::avx2() {
            return;
        }
        for n in 16..=64usize {
            for place in 0..n {
                for c in 0u8..=255 {
                    let mut v = std::vec![b'a'; n];
                    v[n / 2] = b'@';
                    v[place] = c;
                    // SAFETY: the CPU supports AVX2 (checked above).
                    let avx2 = unsafe { whole_plain_addr_avx2(&v) };
                    assert_eq!(avx2, whole_plain_addr_sse2(&v), "{n} {place} {c}");
                    assert!(!avx2 || plain_addr_end(&v, 0) == Some(n), "{n} {place} {c}");
                }
            }
        }
    }

    #[test]
    fn common_bytes() {
        for b in 0u8..=255 {
            assert_eq!(
                is_common(b),
                b.is_ascii_alphanumeric() || b"-_+".contains(&b),
                "{b}"
            );
            // Every common byte is plain atext: skipping it never skips a decision.
            assert!(!is_common(b) || ADDR_CLASS[b as usize] == A_PLAIN, "{b}");
        }
        #[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
        for b in 0u8..=255 {
            let block = [b; 16];
            assert_eq!(
                common_mask(&block),
                if is_common(b) { 0xFFFF } else { 0 },
                "{b}"
            );
        }
    }

    #[test]
    fn addr_classes_match_the_rfc_lists() {
        for b in 0u8..=255 {
            let class = ADDR_CLASS[b as usize];
            assert_eq!(
                class == A_PLAIN,
                chars::is(b, ATEXT) && b != b'=',
                "plain {b}"
            );
            assert_eq!(
                class == A_STOP,
                is_space(b) || b",;<>".contains(&b),
                "stop {b}"
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5000))]
        /// The block skip of display-name words stops where the byte-by-byte one stops and
        /// sees the same non-ASCII, from any start, at any length (short inputs are left to
        /// the caller: then it stops at once).
        #[test]
        fn skip_word_matches_bytewise(
            v in proptest::collection::vec(proptest::prop_oneof![
                6 => proptest::sample::select(b"abzAZ09-_+".to_vec()),
                3 => 0x80u8..=0xFF,
                1 => proptest::num::u8::ANY,
            ], 0..70),
            start in 0usize..72,
        ) {
            let start = start.min(v.len());
            let (end, high) = skip_word(&v, start);
            let (def_end, def_high) = skip_word_bytewise(&v, start);
            #[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
            if v.len() >= 16 {
                proptest::prop_assert_eq!((end, high), (def_end, def_high));
            }
            // Anywhere: a prefix of the definition's run, and what it saw is in it.
            proptest::prop_assert!(start <= end && end <= def_end);
            proptest::prop_assert!(!high || v[start..end].iter().any(|&c| c >= 0x80));
            proptest::prop_assert!(high || v[start..end].iter().all(|&c| c < 0x80));
        }

        /// Long addr-specs, mostly plain, take the block steps (whole blocks, the last
        /// block overlapping, from any start): still the definition.
        #[test]
        fn plain_addr_end_blocks_match_the_definition(
            s in "([a-zA-Z0-9_+-]{0,20}[.@]?){0,5}[a-z!=?é>, .@]{0,3}[a-z.@]{0,20}",
            start in 0usize..5,
        ) {
            let b = s.as_bytes();
            proptest::prop_assume!(start <= b.len());
            proptest::prop_assert_eq!(plain_addr_end(b, start), plain_addr_end_ref(b, start));
        }

        /// The table-driven scan is the byte-by-byte definition it replaced.
        #[test]
        fn plain_addr_end_matches_its_definition(
            s in "([a-z0-9]{1,3}|[.@=?\"\\[\\] ,;<>()\t\r\né_+-])*",
            start in 0usize..3,
        ) {
            let b = s.as_bytes();
            proptest::prop_assume!(start <= b.len());
            proptest::prop_assert_eq!(plain_addr_end(b, start), plain_addr_end_ref(b, start));
        }
    }

    /// One element as the general parser reads it at top level, as `format_text` does:
    /// the mailbox and where the separator check stops, `Ok(None)` for a group.
    #[allow(clippy::type_complexity)]
    fn general_element(
        b: &[u8],
        i: usize,
    ) -> Result<Option<(Option<(usize, usize)>, (usize, usize), usize, usize)>, Error> {
        let found = find_delim(b, i);
        if found.1 == Delim::Colon {
            return Ok(None);
        }
        let mb = parse_mailbox(b, i, found, false)?;
        let after = expect_separator(b, mb.end, false, false)?;
        if b.get(after) == Some(&b';') {
            return Err(Error::InvalidAddress { at: after });
        }
        Ok(Some((mb.name, mb.addr, mb.end, after)))
    }

    fn addr_strategy() -> impl proptest::strategy::Strategy<Value = String> {
        proptest::prop_oneof![
            20 => "[a-z0-9]{1,6}(\\.[a-z0-9_+-]{1,5}){0,2}@[a-z0-9-]{1,6}(\\.[a-z]{2,4}){0,2}",
            2 => "[a-z0-9.=?_-]{0,5}@[a-z0-9.=?-]{0,5}",
            1 => "\"[a-z ,@]{0,4}\"@[a-z]{1,3}",
            1 => "[a-z]{1,3}@\\[[0-9.]{1,5}\\]",
            1 => "[a-zé@<>\"(),;:. ]{0,8}",
        ]
    }

    fn name_strategy() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::strategy::Strategy;
        let word = proptest::prop_oneof![
            16 => "[A-Za-z]{1,7}",
            2 => "[A-Za-z.=?!#]{1,5}",
            2 => "(Zoë|Ärger|Иван|山田|😀|é|Zoe\u{0308}|Ame\u{0301}lie|👩\u{200d}💻|🇩🇪)",
            2 => "\"([a-zA-Z ,.@<>:;é\t()]|\\\\[\"\\\\a])*\"",
            1 => "[,<>@:;()\"\\\\\\[\\]]{1,2}",
        ];
        let sep = proptest::sample::select(std::vec![" ", " ", " ", "  ", "\t", "\r\n ", ""]);
        proptest::collection::vec((word, sep), 1..5).prop_map(|ws| join(&ws))
    }

    /// The pieces, each separator before its piece except the first one's.
    fn join<P: AsRef<str>, S: AsRef<str>>(pieces: &[(P, S)]) -> String {
        let mut out = String::new();
        for (i, (piece, sep)) in pieces.iter().enumerate() {
            if i > 0 {
                out.push_str(sep.as_ref());
            }
            out.push_str(piece.as_ref());
        }
        out
    }

    fn list_strategy() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::strategy::Strategy;
        let element = proptest::prop_oneof![
            3 => addr_strategy(),
            6 => (name_strategy(), proptest::sample::select(std::vec![" ", "", "  ", "\t", "\r\n "]), addr_strategy(), proptest::prop_oneof![12 => proptest::strategy::Just(">"), 1 => proptest::strategy::Just(""), 1 => proptest::strategy::Just("> x"), 1 => proptest::strategy::Just(">;")])
                .prop_map(|(n, s, a, close)| std::format!("{n}{s}<{a}{close}")),
            1 => ("[A-Za-z]{1,6}", proptest::collection::vec(addr_strategy(), 0..3))
                .prop_map(|(g, list)| std::format!("{g}: {};", list.join(", "))),
            1 => "[a-zé@<>\"(),;:. ]{0,10}",
            1 => "[a-z@<> \t\r\n\x01\x7f\"]{0,10}",
        ];
        let element =
            proptest::prop_oneof![10 => element, 1 => proptest::strategy::Just(String::new())];
        // Caller folds (CRLF and LF) and every kind of control the one-pass reader must
        // refuse as the separate check does: bare CR/LF, a fold without white space, C0, DEL.
        let sep = proptest::prop_oneof![
            20 => proptest::sample::select(std::vec![
                ", ", ", ", ", ", ",", " , ", ",, ", ";", " ", ",\r\n ", ",\n\t", " \r\n\t,"
            ]),
            1 => proptest::sample::select(std::vec![
                ",\r", ",\n", ", \r\n", "\r\n,", ",\x01 ", ", \x7f", "\n,", ",\r ", " \r\n\r\n "
            ]),
        ];
        proptest::collection::vec((element, sep), 0..6).prop_map(|es| join(&es))
    }

    fn options_strategy() -> impl proptest::strategy::Strategy<Value = Options> {
        use proptest::strategy::Strategy;
        (
            proptest::bool::ANY,
            proptest::sample::select(std::vec![
                crate::Encoding::Auto,
                crate::Encoding::Q,
                crate::Encoding::B
            ]),
            proptest::prop_oneof![30usize..=120, 900usize..=998],
            proptest::bool::ANY,
        )
            .prop_map(|(utf8, enc, width, lf)| crate::test_util::options(utf8, enc, width, lf))
    }

    /// A whole text-form field: with `fast`, through [`format_field`] (controls checked by
    /// the one-pass reader, the fast writers on); without, as the general path always did it
    /// (the control check over the whole value, then the general parser and writer).
    fn text_with(
        name: &str,
        value: &str,
        options: &Options,
        (required, single): (bool, bool),
        fast: bool,
    ) -> Result<std::vec::Vec<u8>, Error> {
        let mut buf = std::vec![0u8; 1 << 14];
        let mut sink = crate::sink::SliceSink::new(&mut buf);
        if fast {
            format_field(&mut sink, name, value, options, required, single)?;
        } else {
            input::check_controls(value.as_bytes())?;
            let mut f = Folder::start(&mut sink, name, options)?;
            format_text_with(&mut f, value, options, required, single, false, &mut true)?;
            f.end();
        }
        let n = sink.finish()?;
        buf.truncate(n);
        Ok(buf)
    }

    /// [`format_field`] with the list loop's portable version (no AVX2) even where the CPU
    /// has AVX2, which [`format_field`] would take.
    fn text_portable(
        name: &str,
        value: &str,
        options: &Options,
        (required, single): (bool, bool),
    ) -> Result<std::vec::Vec<u8>, Error> {
        let mut buf = std::vec![0u8; 1 << 14];
        let mut sink = crate::sink::SliceSink::new(&mut buf);
        let mut checked = false;
        let result = (|| {
            let mut f = Folder::start(&mut sink, name, options)?;
            // SAFETY: without `AVX2` no CPU feature is assumed.
            unsafe {
                format_text_loop::<false>(
                    &mut f,
                    value,
                    options,
                    required,
                    single,
                    true,
                    &mut checked,
                )
            }?;
            f.end();
            Ok(())
        })();
        if result.is_err() && !checked {
            input::check_controls(value.as_bytes())?;
        }
        result?;
        let n = sink.finish()?;
        buf.truncate(n);
        Ok(buf)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        /// Wherever the one-pass reader takes an element, the general parser reads the same
        /// mailbox from it and stops at the same separator.
        #[test]
        fn fast_element_matches_the_general_parser(list in list_strategy(), from in 0usize..40) {
            let b = list.as_bytes();
            let i = skip_ws_commas(b, from.min(b.len()));
            proptest::prop_assume!(list.is_char_boundary(i));
            if let Some((mb, after, hint)) = fast_element(b, i) {
                proptest::prop_assert_eq!(
                    general_element(b, i),
                    Ok(Some((mb.name, mb.addr, mb.end, after))),
                    "{:?} at {}", list, i
                );
                // The plan from what the pass learnt is the plan from a pass of its own.
                if let Some((s, e)) = mb.name {
                    let raw = &b[s..e];
                    for utf8 in [false, true] {
                        let o = Options::default().with_utf8(utf8);
                        let hinted = hinted_plan(raw, hint, &o);
                        let planned = phrase::plan(Source::Text(raw), &o);
                        proptest::prop_assert_eq!(
                            hinted.parts(),
                            planned.parts(),
                            "{:?} {:?} utf8 {}", std::str::from_utf8(raw), hint, utf8
                        );
                    }
                }
            }
        }

        /// Whole fields: the fast paths (one-pass elements, one fit check per mailbox) write
        /// exactly what the general path writes and fail with the same error at the same
        /// offset, at any line width and after field names of any length.
        #[test]
        fn text_fast_paths_match_the_general_path(
            list in list_strategy(),
            options in options_strategy(),
            name in proptest::sample::select(std::vec!["To", "Cc", "Sender", "Bcc", "Disposition-Notification-To", "X-A-Very-Long-Field-Name-Used-For-Lead-In-Tests"]),
            flags in proptest::sample::select(std::vec![(true, false), (false, false), (true, true)]),
        ) {
            let general = text_with(name, &list, &options, flags, false);
            proptest::prop_assert_eq!(
                &text_with(name, &list, &options, flags, true),
                &general,
                "{:?}", list
            );
            proptest::prop_assert_eq!(
                &text_portable(name, &list, &options, flags),
                &general,
                "portable {:?}", list
            );
        }

        #[test]
        fn structured_fast_path_matches_the_general_path(
            boxes in proptest::collection::vec((proptest::option::of(proptest::prop_oneof![
                4 => name_strategy(),
                1 => "[a-z \t\r\n\x01\x7f\u{85}]{0,8}",
            ]), proptest::prop_oneof![
                8 => proptest::strategy::Strategy::boxed(addr_strategy()),
                // UTF-8 (taken with `utf8` on), long ones that fold, ones near 998 octets.
                1 => "[a-zé😀]{1,12}@[a-zé]{1,8}[.][a-z]{2,3}",
                1 => "[a-z]{40,90}@[a-z]{1,5}",
                1 => "[a-z]{985,1000}@x",
            ]), 0..8),
            options in options_strategy(),
            name in proptest::sample::select(std::vec!["To", "Sender", "Bcc", "X-A-Very-Long-Field-Name-Used-For-Lead-In-Tests"]),
            flags in proptest::sample::select(std::vec![(true, false), (false, false), (true, true)]),
        ) {
            let list: std::vec::Vec<Mailbox<'_>> = boxes
                .iter()
                .map(|(n, a)| Mailbox { display_name: n.as_deref(), addr_spec: a })
                .collect();
            let run = |fast: bool| -> Result<std::vec::Vec<u8>, Error> {
                let mut buf = std::vec![0u8; 1 << 14];
                let mut sink = crate::sink::SliceSink::new(&mut buf);
                let mut f = Folder::start(&mut sink, name, &options)?;
                format_mailboxes_with(&mut f, list.iter().copied(), &options, flags.0, flags.1, fast)?;
                f.end();
                let n = sink.finish()?;
                buf.truncate(n);
                Ok(buf)
            };
            proptest::prop_assert_eq!(run(true), run(false), "{:?}", list);
        }
    }

    /// A mailbox whose name is one encoded-word, ending at every column around 76 and 78:
    /// the fast paths (AVX2 and baseline, text form and structured) move it whole exactly
    /// where the general path's [`Folder::keep_together`] does, measured against the 76
    /// limit of a line holding an encoded-word.
    #[test]
    fn encoded_name_mailboxes_move_whole_on_every_path() {
        for display in ["Jörg", "日本語", "😀", "Zoë Müller"] {
            for encoding in [
                crate::Encoding::Auto,
                crate::Encoding::Q,
                crate::Encoding::B,
            ] {
                for width in [76, 78, 100] {
                    let o = Options::default()
                        .with_encoding(encoding)
                        .with_max_line_len(width);
                    for lead in 1..66 {
                        // Short, and (36..=47) whole mailboxes of 75-78 columns on a line of
                        // their own.
                        for addr_len in [5, 21, 30].into_iter().chain(36..=47) {
                            let first = std::format!("{}@ex.org", "u".repeat(lead));
                            let addr = std::format!("{}@ex.org", "v".repeat(addr_len));
                            let list = std::format!("{first}, {display} <{addr}>");
                            let flags = (true, false);
                            let general = text_with("To", &list, &o, flags, false);
                            assert_eq!(text_with("To", &list, &o, flags, true), general, "{list}");
                            assert_eq!(text_portable("To", &list, &o, flags), general, "{list}");
                            let boxes = [
                                Mailbox {
                                    display_name: None,
                                    addr_spec: &first,
                                },
                                Mailbox {
                                    display_name: Some(display),
                                    addr_spec: &addr,
                                },
                            ];
                            let run = |fast: bool| -> Result<std::vec::Vec<u8>, Error> {
                                let mut buf = std::vec![0u8; 1 << 12];
                                let mut sink = crate::sink::SliceSink::new(&mut buf);
                                let mut f = Folder::start(&mut sink, "To", &o)?;
                                format_mailboxes_with(
                                    &mut f,
                                    boxes.iter().copied(),
                                    &o,
                                    true,
                                    false,
                                    fast,
                                )?;
                                f.end();
                                let n = sink.finish()?;
                                buf.truncate(n);
                                Ok(buf)
                            };
                            assert_eq!(run(true), general, "{list}");
                            assert_eq!(run(false), general, "{list}");
                            crate::cpu::without_avx2(|| {
                                assert_eq!(run(true), general, "baseline {list}");
                                assert_eq!(
                                    text_with("To", &list, &o, flags, true),
                                    general,
                                    "baseline {list}"
                                );
                            });
                        }
                    }
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(6000))]
        /// Wherever the window reader takes an element, the one-pass reader takes the same
        /// element, to the same separator, with the same hint (and so, by the tests above,
        /// the general parser reads it too). Lists of every shape, long elements that leave
        /// the 64-byte window, from any element start.
        #[test]
        fn window_element_matches_fast_element(
            list in proptest::prop_oneof![
                3 => proptest::strategy::Strategy::boxed(list_strategy()),
                1 => proptest::strategy::Strategy::prop_map(("[A-Za-zé ]{0,70}", "[a-z.]{0,40}@[a-z.]{0,30}", proptest::sample::select(std::vec!["", " ", ">", "> ", ">,", "> ,x", ">;"])),
                    |(n, a, c)| std::format!("{n} <{a}{c}")),
                1 => proptest::strategy::Strategy::prop_map(("\"[A-Za-z (),.:;@\\[\\]<>=é\t\\\\]{0,50}\"", "[ ]{0,3}", "[a-z.@]{1,40}", proptest::sample::select(std::vec![">", "> ", ">,", ">x"])),
                    |(n, s, a, c)| std::format!("{n}{s}<{a}{c}")),
                // Quoted names with quoted-pairs: `\"` and `\\` (taken), others (left to the
                // one-pass reader), a backslash last or before the window's end.
                2 => proptest::strategy::Strategy::prop_map((r#""([A-Za-z ,.=]|\\"|\\\\|\\[a-z\t]){0,30}"?"#, "[ ]{0,2}", proptest::sample::select(std::vec!["<a@b.c>", "<a@b.c>, d@e", "<a.b@c>,", "<a@b"])),
                    |(n, s, c)| std::format!("{n}{s}{c}")),
                // Elements that straddle the window: a name, then an addr-spec that runs past
                // the window from the element's start (read in a second window).
                2 => proptest::strategy::Strategy::prop_map(("[A-Za-zé]{1,30}( [A-Za-z😀]{1,30})?|\"[A-Za-z ,.()]{1,40}\"", "[a-z_+.]{1,30}@[a-z.]{1,40}[.][a-z]{2,3}", proptest::sample::select(std::vec!["", "  ", ", a@b", " , x <y@z>", ">", ";"])),
                    |(n, a, c)| std::format!("{n} <{a}>{c}")),
            ],
            from in 0usize..60,
        ) {
            let b = list.as_bytes();
            let i = skip_ws_commas(b, from.min(b.len()));
            proptest::prop_assume!(list.is_char_boundary(i));
            if let Some((mb, after, hint)) = window_element(b, i) {
                let fast = fast_element(b, i);
                proptest::prop_assert!(fast.is_some(), "{:?} at {}", list, i);
                let (fmb, fafter, fhint) = fast.unwrap();
                proptest::prop_assert_eq!(
                    (mb.name, mb.addr, mb.end, mb.verbatim, after, hint),
                    (fmb.name, fmb.addr, fmb.end, fmb.verbatim, fafter, fhint),
                    "{:?} at {}", list, i
                );
            }
        }
    }

    /// Elements longer than the window (a name, then an addr-spec past the 64th byte) are
    /// still taken by the window reader, with a second window from the addr-spec, and read
    /// as the one-pass reader reads them: every split of 20 to 120 bytes between name and
    /// address, every way the element ends, `>` on each side of the window's end.
    #[test]
    fn window_element_takes_elements_straddling_the_window() {
        for name_len in [0usize, 1, 5, 30, 50, 61, 62, 63] {
            for dom_len in 1..70usize {
                for end in ["", ", a@b", "  , x <y@z>", " ", ">"] {
                    let name: String =
                        "Jo Ann Smith Jones Fitzgerald-Brown Ramirez de la Vega y Cortez"
                            .chars()
                            .take(name_len)
                            .collect();
                    let name = name.trim_end();
                    let dom: String = "d".repeat(dom_len);
                    let el = if name.is_empty() {
                        std::format!("<ab.c@{dom}.org>{end}")
                    } else {
                        std::format!("{name} <ab.c@{dom}.org>{end}")
                    };
                    let b = el.as_bytes();
                    let fast = fast_element(b, 0)
                        .map(|(m, after, h)| (m.name, m.addr, m.end, m.verbatim, after, h));
                    let win = window_element(b, 0)
                        .map(|(m, after, h)| (m.name, m.addr, m.end, m.verbatim, after, h));
                    if win.is_some() {
                        assert_eq!(win, fast, "{el:?}");
                    }
                    // Taken whenever the name and `<` fit the first window and the addr-spec,
                    // `>` and the comma fit the second (a stray `>` after it is refused).
                    let addr_len = 6 + dom_len + 4;
                    if end != ">" && name.len() + 2 <= 64 && addr_len + 4 <= 64 {
                        assert!(win.is_some(), "{el:?}");
                    }
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1500))]
        /// Every buffer size around the one needed, text and structured form: below it the
        /// exact size is reported and nothing is written past the buffer; at and above it the
        /// bytes are those of a large buffer (the pending run, the encoded-word and the
        /// overlapping stores into the spare room all respect the end of the buffer).
        #[test]
        fn every_buffer_size_around_the_needed_one(
            list in list_strategy(),
            boxes in proptest::collection::vec((proptest::option::of(name_strategy()), addr_strategy()), 1..6),
            options in options_strategy(),
        ) {
            let mboxes: std::vec::Vec<Mailbox<'_>> = boxes
                .iter()
                .map(|(n, a)| Mailbox { display_name: n.as_deref(), addr_spec: a })
                .collect();
            type Run<'r> = std::boxed::Box<dyn Fn(&mut [u8]) -> Result<usize, Error> + 'r>;
            let runs: [Run<'_>; 2] = [
                std::boxed::Box::new(|out: &mut [u8]| crate::format_header("To", &list, &options, out)),
                std::boxed::Box::new(|out: &mut [u8]| format_mailboxes("Cc", &mboxes, &options, out)),
            ];
            for run in &runs {
                let mut big = std::vec![0u8; 1 << 14];
                let Ok(n) = run(&mut big) else { continue };
                proptest::prop_assert_eq!(run(&mut []), Err(Error::BufferTooSmall { needed: n }));
                for cap in n.saturating_sub(80)..=n + 80 {
                    let mut buf = std::vec![0xEEu8; cap + 8];
                    let got = run(&mut buf[..cap]);
                    proptest::prop_assert!(buf[cap..].iter().all(|&b| b == 0xEE), "wrote past {}", cap);
                    if cap < n {
                        proptest::prop_assert_eq!(got, Err(Error::BufferTooSmall { needed: n }));
                    } else {
                        proptest::prop_assert_eq!(got, Ok(n));
                        proptest::prop_assert_eq!(&buf[..n], &big[..n]);
                    }
                }
            }
        }
    }

    #[test]
    fn window_element_takes_the_corpus_shapes() {
        for list in [
            "a.b@c.org",
            "a.b@c.org , x@y",
            "Jo Smith <j@x.org>",
            "\"Doe, John\" <j@x.org>,",
            "\"ACME Corp. (Support) Jo\" <j@x.org>, y@z",
            "Zoë Ärger <z@x.org>",
            "<a@b.c>",
            "\"John Smith\" <j@x.org>",
            // Quoted-pairs `\"` and `\\`, as people quote nicknames and backslashes.
            "\"A \\\"q\\\" B\" <q@x.org>",
            "\"A \\\\ B\" <q@x.org>, c@d",
            "\"\\\"\" <q@x.org>",
        ] {
            let b = list.as_bytes();
            assert_eq!(
                window_element(b, 0).map(|(m, a, h)| (m.name, m.addr, m.end, m.verbatim, a, h)),
                fast_element(b, 0).map(|(m, a, h)| (m.name, m.addr, m.end, m.verbatim, a, h)),
                "{list:?}"
            );
            assert!(window_element(b, 0).is_some(), "{list:?}");
        }
        for other in [
            // Other quoted-pairs, a pair cut by the end, `=` inside quotes.
            "\"A \\q B\" <q@x.org>",
            "\"A \\",
            "\"A = B\" <q@x.org>",
            "John Q. Public <j@x.org>",
            "Jo  Smith <j@x.org>",
            "Jo\tSmith <j@x.org>",
            "a=b@c.d",
            "a@b;",
            "G: a@b;",
            "Name <a@[1.2.3.4]>",
            "a@b c@d",
            "\"open <a@b>",
        ] {
            assert!(window_element(other.as_bytes(), 0).is_none(), "{other:?}");
        }
    }

    /// The window reader's addr-spec check ([`window_addr_ok`]): a `.` or `@` first, last or
    /// next to another one, and any count of `@` but one, are refused wherever the
    /// addr-spec stands (bare, in angle brackets, in the second window after a long name,
    /// at the end of the value or before a comma); the same shapes made valid are taken.
    #[test]
    fn window_element_refuses_odd_addr_specs() {
        // 60 bytes: `<` is the window's byte 61, the addr-spec starts in it and runs past it.
        let long = "Jo Ann Smith Jones Fitzgerald-Brown Ramirez de la Vega y Cor";
        assert_eq!(long.len(), 60);
        let shapes = |addr: &str| {
            [
                std::string::String::from(addr),
                std::format!("{addr}, y@z"),
                std::format!("Jo <{addr}>"),
                std::format!("Jo <{addr}>, y@z"),
                std::format!("{long} <{addr}>"),
                std::format!("{long} <{addr}>, y@z"),
            ]
        };
        for bad in [
            ".a@b", "a.@b", "a@b.", "a@.b", "a..b@c", "a@b..c", "a@b@c", "a@@b", "ab.c", "a@",
            ".@b", "a@b.c.",
        ] {
            for el in shapes(bad) {
                assert!(window_element(el.as_bytes(), 0).is_none(), "{el:?}");
            }
        }
        for good in ["a@b", "a.b@c", "a@b.c", "a.b.c@d.e.f", "ab@cd"] {
            for el in shapes(good) {
                assert!(window_element(el.as_bytes(), 0).is_some(), "{el:?}");
            }
        }
    }

    /// Lists shaped like the benchmark's (names as they stand, quoted names, bare
    /// addr-specs, encoded names, long domains) of 1 to 24 elements, at every line width
    /// from 20 to 130 and both line endings: the list loop's own bookkeeping of the line
    /// (the room it keeps, the folds it writes, the room read again after every other
    /// writer) gives exactly what the general path writes.
    #[test]
    fn corpus_lists_match_the_general_path_at_every_width() {
        let shapes = [
            "Jane Doe <jane.doe@example.com>",
            "j.smith@cs.department.university.example.edu",
            "\"Doe, John\" <jd@example.org>",
            "Zoë Ärger <zoe.aerger@example.com>",
            "王小明 <wang.xm@lists.example.io>",
            "\"ACME Corp. (Support) Bob\" <bob_lee@corp.example.co.uk>",
            "Renée Çelik 🌻 <renee@mail.example.net>",
            "Bob \"Ace\" Lee <b@x.org>",
            "Christopher Anderson <christopher.anderson@cs.department.university.example.edu>",
            "x@y.z",
            "Мария Иванова <m.ivanova@example.org>",
        ];
        let mut seed = 7usize;
        for n in 1..=24 {
            let list: std::vec::Vec<&str> = (0..n)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    shapes[(seed >> 33) % shapes.len()]
                })
                .collect();
            let value = list.join(", ");
            for width in 20..=130 {
                for lf in [false, true] {
                    let o = crate::test_util::options(false, crate::Encoding::Auto, width, lf);
                    for name in ["To", "Reply-To"] {
                        let general = text_with(name, &value, &o, (true, false), false);
                        assert_eq!(
                            text_with(name, &value, &o, (true, false), true),
                            general,
                            "{value:?} width {width} lf {lf}"
                        );
                        assert_eq!(
                            text_portable(name, &value, &o, (true, false)),
                            general,
                            "portable {value:?} width {width} lf {lf}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn fast_element_takes_the_common_shapes() {
        for (list, end) in [
            ("a.b@c.org", 9),
            ("a.b@c.org , x@y", 10),
            ("Jo Smith <j@x.org>", 18),
            ("\"Doe, John\" <j@x.org>,", 21),
            ("Zoë Ärger <z@x.org>", 21),
            ("John Q. Public\t<jqp@x.org>", 26),
            ("<a@b.c>", 7),
            ("\"A \\\"q\\\" B\" <q@x.org>", 21),
        ] {
            assert_eq!(
                fast_element(list.as_bytes(), 0).map(|(_, after, _)| after),
                Some(end),
                "{list:?}"
            );
        }
        for (list, hint) in [
            ("Jo Smith <j@x.org>", NameHint::Atoms),
            ("\"Doe, John\" <j@x.org>", NameHint::Quoted { atoms: false }),
            ("\"John Smith\" <j@x.org>", NameHint::Quoted { atoms: true }),
            ("\"\" <j@x.org>", NameHint::Quoted { atoms: false }),
            ("Zoë Ärger <z@x.org>", NameHint::NonAscii),
            ("John Q. Public <j@x.org>", NameHint::None),
            ("Jo  Smith <j@x.org>", NameHint::None),
            ("\"A \\\"q\\\" B\" <q@x.org>", NameHint::QuotedEscaped),
            ("\"A \\\\ B\" <q@x.org>", NameHint::QuotedEscaped),
            ("\"A \\\"q\\a B\" <q@x.org>", NameHint::None),
            ("\"A \\\"q=\" <q@x.org>", NameHint::None),
            ("j@x.org", NameHint::None),
        ] {
            assert_eq!(
                fast_element(list.as_bytes(), 0).map(|(_, _, h)| h),
                Some(hint),
                "{list:?}"
            );
        }
        for other in [
            "a@b;",
            "G: a@b;",
            "a@b (c)",
            "Name <a@[1.2.3.4]>",
            "Na@me <a@b>",
            "Doe, John <j@x>",
            "Jo\r\n Smith <j@x>",
            "<@r:a@b>",
            "a@b c@d",
            "\"open <a@b>",
        ] {
            assert!(fast_element(other.as_bytes(), 0).is_none(), "{other:?}");
        }
    }

    #[test]
    fn long_plain_addr_specs() {
        let long = "x <john.smith+news@cs.department.university.example.edu>, y";
        let b = long.as_bytes();
        for start in 0..b.len() {
            assert_eq!(
                plain_addr_end(b, start),
                plain_addr_end_ref(b, start),
                "{start}"
            );
        }
        assert_eq!(plain_addr_end(b, 3), Some(55));
        for addr in [
            "john.smith+news@cs.department.university.example.edu",
            "a@bcdefghijklmnop",
            "abcdefghijklmno@p",
            "abcdefghijklmnop@q",
            "abcdefghijklmnop..q@r",
            "abcdefghijklmnop@q@r",
            "abcdefghijklmno.@p",
            "abcdefghijklmnopqrstuvwxyz.@p",
            "abcdefghijklmnopqrstuvwxyz@p.",
            "abcdefghijklmnopqrstuvwxyz@p.q",
        ] {
            for start in 0..addr.len() {
                assert_eq!(
                    plain_addr_end(addr.as_bytes(), start),
                    plain_addr_end_ref(addr.as_bytes(), start),
                    "{addr} {start}"
                );
            }
        }
    }

    #[test]
    fn plain_addr_specs() {
        assert_eq!(plain_addr_end(b"a.b@c.d, x", 0), Some(7));
        assert_eq!(plain_addr_end(b"a@b>", 0), Some(3));
        for bad in [
            "a..b@c", ".a@c", "a@c.", "a@@c", "a@b@c", "ab", "a=?b@c", "\"a\"@b", "a@[1]", "jö@x",
        ] {
            assert_eq!(plain_addr_end(bad.as_bytes(), 0), None, "{bad}");
        }
    }

    #[test]
    fn text_form_canonical_output() {
        let cases = [
            (
                "Doe <jd@example.com>,\"Roe, Jane\"   <jr@example.com>",
                "Doe <jd@example.com>, \"Roe, Jane\" <jr@example.com>",
            ),
            ("<a@b.c>", "a@b.c"),
            (" a@b.c ,, ,c@d.e,", "a@b.c, c@d.e"),
            (
                "John Q. Public <jqp@x.org>",
                "\"John Q. Public\" <jqp@x.org>",
            ),
            // A quoted local part without a name goes in brackets (see `starts_quoted`).
            ("\"john doe\"@x.org", "<\"john doe\"@x.org>"),
            ("Team: a@x.org, b@x.org;", "Team: a@x.org, b@x.org;"),
            ("undisclosed-recipients:;", "undisclosed-recipients:;"),
            ("Team: a@x.org;, c@d.e", "Team: a@x.org;, c@d.e"),
            ("a@b.c, Empty:;, x@y.z", "a@b.c, Empty:;, x@y.z"),
            (
                "\"A \\\"quoted\\\" name\" <q@x.org>",
                "\"A \\\"quoted\\\" name\" <q@x.org>",
            ),
            ("Zoë <zoe@x.org>", "=?utf-8?q?Zo=C3=AB?= <zoe@x.org>"),
            // RFC 2047 §5(3): white space between an encoded-word and a special.
            ("Zoë: a@b.org;", "=?utf-8?q?Zo=C3=AB?= : a@b.org;"),
            ("Zoë:;, c@d.e", "=?utf-8?q?Zo=C3=AB?= :;, c@d.e"),
            ("Jo  Smith <j@x.org>", "Jo Smith <j@x.org>"),
            ("ops@[IPv6:2001:db8::1]", "ops@[IPv6:2001:db8::1]"),
        ];
        for (input, output) in cases {
            assert_eq!(
                fmt("To", input).unwrap(),
                ["To: ", output, "\r\n"].concat(),
                "{input:?}"
            );
        }
    }

    #[test]
    fn text_form_errors() {
        let cases: [(&str, Error); 13] = [
            ("Doe, John <jd@x.org>", Error::InvalidAddress { at: 3 }),
            ("a@b (comment)", Error::InvalidAddress { at: 4 }),
            ("<@relay:a@b>", Error::InvalidAddress { at: 1 }),
            ("", Error::InvalidAddress { at: 0 }),
            (" , ", Error::InvalidAddress { at: 3 }),
            ("Team: a@b", Error::InvalidAddress { at: 9 }),
            ("a@b c@d", Error::InvalidAddress { at: 4 }),
            ("Name <a@b", Error::InvalidAddress { at: 9 }),
            ("Na@me <a@b>", Error::InvalidAddress { at: 2 }),
            ("\"unterminated <a@b>", Error::InvalidAddress { at: 19 }),
            ("A: B: c@d;;", Error::InvalidAddress { at: 4 }),
            ("jö@x.org", Error::NonAscii { at: 1 }),
            ("a@b;", Error::InvalidAddress { at: 3 }),
        ];
        for (input, err) in cases {
            assert_eq!(fmt("To", input), Err(err), "{input:?}");
        }
        assert_eq!(fmt("Bcc", "").unwrap(), "Bcc: \r\n");
        assert_eq!(
            fmt("Sender", "a@b, c@d"),
            Err(Error::InvalidAddress { at: 5 })
        );
        assert_eq!(
            fmt("Sender", "G: a@b;"),
            Err(Error::InvalidAddress { at: 1 })
        );
        let utf8 = Options::default().with_utf8(true);
        assert_eq!(
            fmt_with("To", "Jö <jö@x.org>", &utf8).unwrap(),
            "To: Jö <jö@x.org>\r\n"
        );
    }

    /// Every width in `widths` with each encoding, and the options they make.
    fn width_encoding_grid(
        widths: &[usize],
    ) -> impl Iterator<Item = (usize, crate::Encoding, Options)> + '_ {
        widths.iter().flat_map(|&width| {
            [
                crate::Encoding::Auto,
                crate::Encoding::Q,
                crate::Encoding::B,
            ]
            .into_iter()
            .map(move |enc| {
                let o = Options::default()
                    .with_max_line_len(width)
                    .with_encoding(enc);
                (width, enc, o)
            })
        })
    }

    /// A `Cc:` field of `boxes` written by `format_mailboxes_with` (fast readers on or off),
    /// after `lead` ASCII mailboxes already on its first line.
    /// `To: value` into buffers of each of `sizes`: `want` where it fits, the exact size
    /// needed where it does not, and nothing stored past the output or the buffer.
    fn to_fits_exactly(value: &str, o: &Options, want: &[u8], sizes: &[usize]) {
        let n = want.len();
        for &size in sizes {
            let mut buf = std::vec![0xA5u8; size + 64];
            let got = crate::format_header("To", value, o, &mut buf[..size]);
            if size >= n {
                assert_eq!(got, Ok(n));
                assert_eq!(&buf[..n], want, "{value:?} {size}");
            } else {
                assert_eq!(got, Err(Error::BufferTooSmall { needed: n }));
            }
            assert!(
                buf[n.min(size)..].iter().all(|&c| c == 0xA5),
                "{value:?} {size}"
            );
        }
    }

    fn structured_cc(
        boxes: &[Mailbox<'_>],
        o: &Options,
        lead: usize,
        fast: bool,
    ) -> std::vec::Vec<u8> {
        let mut buf = std::vec![0u8; 1 << 12];
        let mut sink = crate::sink::SliceSink::new(&mut buf);
        let mut f = Folder::start(&mut sink, "Cc", o).unwrap();
        for _ in 0..lead {
            f.put_ascii(b" b@x.io,");
        }
        format_mailboxes_with(&mut f, boxes.iter().copied(), o, true, false, fast).unwrap();
        f.end();
        let n = sink.finish().unwrap();
        buf.truncate(n);
        buf
    }

    /// Encoded display names whose mailbox does not fit on the line, or on any line (long
    /// domains): the name's one encoded-word where the general path puts it whole, split
    /// where it splits, at every width and after every lead-in, in both forms.
    #[test]
    fn encoded_names_that_do_not_fit_match_the_general_path() {
        let names = [
            "Иван Петров",
            "Zoë Ärger",
            "山田 太郎",
            "Renée Çelik 🌻",
            "Łukasz Żółć",
        ];
        let domains = ["x.io", "cs.department.university.example.edu"];
        for (width, enc, o) in width_encoding_grid(&[40, 60, 70, 76, 78, 90]) {
            for lead in 0..4 {
                let mut list = std::vec::Vec::new();
                let mut boxes = std::vec::Vec::new();
                for (k, n) in names.iter().enumerate() {
                    let addr =
                        std::format!("{}@{}", "a".repeat(1 + (k + lead) % 5), domains[k % 2]);
                    list.push(std::format!("{n} <{addr}>"));
                    boxes.push((std::string::String::from(*n), addr));
                }
                let filler = (0..lead)
                    .map(|k| std::format!("b{k}@x.io, "))
                    .collect::<String>();
                let value = filler + &list.join(", ");
                assert_eq!(
                    text_with("To", &value, &o, (true, false), true),
                    text_with("To", &value, &o, (true, false), false),
                    "{value:?} {width} {enc:?}"
                );
                let structured: std::vec::Vec<Mailbox<'_>> = boxes
                    .iter()
                    .map(|(n, a)| Mailbox {
                        display_name: Some(n),
                        addr_spec: a,
                    })
                    .collect();
                let run = |fast| structured_cc(&structured, &o, 0, fast);
                assert_eq!(run(true), run(false), "{structured:?} {width} {enc:?}");
            }
        }
    }

    /// The phrase escape mask of [`write_split_b_avx2`]: every byte value in every lane
    /// against Q's literal set in a phrase (space, letters, digits, `!*+-/`).
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn phrase_escapes_match_the_literal_set() {
        if !crate::cpu::avx2() {
            return;
        }
        for c in 0..=255u8 {
            let literal = c == b' ' || chars::is(c, chars::Q_PHRASE_SAFE);
            for lane in 0..64 {
                let mut chunk = [b'a'; 64];
                chunk[lane] = c;
                // SAFETY: the CPU supports AVX2 (checked above).
                let esc = unsafe { phrase_escapes_avx2(&chunk) };
                let want = if literal { 0 } else { 1u64 << lane };
                assert_eq!(esc, want, "{c:#04x} at {lane}");
            }
        }
    }

    /// Encoded display names split over lines ([`write_split_b_avx2`]): B names whose later
    /// words are Q (the rest mostly ASCII), or B again, or take a 4-byte character, at every
    /// column the name can start in (lead-ins of every length), at every width from 40 to
    /// 100, with every encoding option, in the text and the structured form, before another
    /// element and last: the bytes of the general path, and nothing written past the field's
    /// output in a buffer of any size (guard bytes).
    #[test]
    fn split_encoded_names_match_the_general_path() {
        let names = [
            "Bj\u{f6}rn \u{d8}deg\u{e5}rd",
            "\u{d8}\u{d8}\u{d8}\u{d8}\u{d8}\u{d8}\u{d8} abcdefghijklmnopqrstuvw",
            "\u{41c}\u{430}\u{440}\u{438}\u{44f} \u{418}\u{432}\u{430}\u{43d}\u{43e}\u{432}\u{430}",
            "Ren\u{e9}e \u{c7}elik \u{1f33b}\u{1f33b}\u{1f33b}",
            "\u{5c71}\u{7530} \u{592a}\u{90ce}\u{5c71}\u{7530} \u{592a}\u{90ce}\u{5c71}",
            "\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}a=b?c_d!e*f",
        ];
        for width in 40..=100 {
            for enc in [
                crate::Encoding::Auto,
                crate::Encoding::B,
                crate::Encoding::Q,
            ] {
                let o = Options::default()
                    .with_max_line_len(width)
                    .with_encoding(enc);
                for (k, name) in names.iter().enumerate() {
                    for lead in 0..width.min(72) {
                        let filler = std::format!("{}@x.io, ", "b".repeat(lead + 1));
                        let value = if (lead + k) % 2 == 0 {
                            std::format!("{filler}{name} <a@cs.example.edu>")
                        } else {
                            std::format!("{filler}{name} <a@x.io>, z@x.io")
                        };
                        let want = text_with("To", &value, &o, (true, false), false);
                        let got = text_with("To", &value, &o, (true, false), true);
                        assert_eq!(got, want, "{value:?} {width} {enc:?}");
                        let structured = [
                            Mailbox {
                                display_name: None,
                                addr_spec: &filler[..lead + 6],
                            },
                            Mailbox {
                                display_name: Some(name),
                                addr_spec: "a@cs.example.edu",
                            },
                        ];
                        let run = |fast| structured_cc(&structured, &o, 0, fast);
                        assert_eq!(run(true), run(false), "{name:?} {width} {enc:?} {lead}");
                        if lead % 7 != 0 {
                            continue;
                        }
                        let want = want.unwrap();
                        let n = want.len();
                        to_fits_exactly(&value, &o, &want, &[n, n + 1, n + 100, n - 1]);
                    }
                }
            }
        }
    }

    /// Plain ASCII display names ([`put_named_line`]: atoms, and quoted-strings without escapes;
    /// escaped ones and names that are no plain ASCII are left to the general path) before
    /// plain and other addr-specs, at every width from 10 to 100, after lead-ins that put
    /// the mailbox at the end of a line, on a fresh one or right after the field name, with
    /// `utf8` off and on: the bytes of the general path.
    #[test]
    fn ascii_names_in_structured_lists_match_the_general_path() {
        let names = [
            "Jane Doe",
            "J",
            "Doe, Jane",
            "a.b c",
            " lead space",
            "two  spaces",
            "Jane \"Q\" Doe",
            "back\\slash",
            "Zoë",
            "a very long display name that will not fit on any line of the field at all",
        ];
        let addrs = [
            "a@x.io",
            "someone.else@cs.example.edu",
            "\"q u\"@x.io",
            "b+c@d.org",
        ];
        for width in 10..=100 {
            for utf8 in [false, true] {
                let o = Options::default().with_max_line_len(width).with_utf8(utf8);
                for lead in [0, 1, 3, 7] {
                    for (k, n) in names.iter().enumerate() {
                        let boxes: std::vec::Vec<Mailbox<'_>> = (0..3)
                            .map(|j| Mailbox {
                                display_name: Some(names[(k + j) % names.len()]),
                                addr_spec: addrs[(k + 2 * j) % addrs.len()],
                            })
                            .collect();
                        for m in [1, 3] {
                            let run = |fast| {
                                let mut buf = std::vec![0u8; 1 << 12];
                                let mut sink = crate::sink::SliceSink::new(&mut buf);
                                let mut f = Folder::start(&mut sink, "Cc", &o)?;
                                for _ in 0..lead {
                                    f.put_ascii(b" b@x.io,");
                                }
                                let list = boxes[..m].iter().copied();
                                format_mailboxes_with(&mut f, list, &o, true, false, fast)?;
                                f.end();
                                let n = sink.finish()?;
                                buf.truncate(n);
                                Ok::<_, Error>(buf)
                            };
                            assert_eq!(run(true), run(false), "{n:?} {width} {utf8} {lead} {m}");
                        }
                    }
                }
            }
        }
    }

    /// Display names that are one B word or nearly ([`put_b_mailbox`]): every length of
    /// text around the 45 bytes one word holds, mostly non-ASCII or mostly ASCII (where
    /// `Auto` picks Q), as the last element (near the end of the value, read from a padded
    /// copy) and before others, at every width and after lead-ins that put the mailbox at
    /// the end of a line or on a fresh one: the bytes of the general path, and nothing
    /// written past the field's output in a buffer of any size (guard bytes).
    #[test]
    fn one_word_names_match_the_general_path() {
        let pieces = ["é", "Жо", "山", "🌻", "ab", "x y", "Ä-"];
        let mut names = std::vec::Vec::new();
        for (k, p) in pieces.iter().enumerate() {
            let mut name = std::string::String::new();
            while name.len() < 50 {
                name.push_str(p);
                name.push_str(pieces[(k + name.len()) % pieces.len()]);
                names.push(name.clone());
            }
        }
        names.push("Jean-Fran\u{e7}ois Dupont-Lefebvre".into());
        names.push("Ren\u{e9}e".into());
        // Q and B of the same length (Q on the tie): the non-ASCII bytes alone are exactly
        // as many escapes as Q may have.
        names.push("\u{5c71}abcdefg".into());
        names.push("ab\u{5c71}cdefghijk".into());
        names.push("\u{e9}\u{e9}abcdefghijkl".into());
        for (width, enc, o) in width_encoding_grid(&[40, 72, 78, 100]) {
            for (k, name) in names.iter().enumerate() {
                let filler = "b@x.io, ".repeat(k % 9);
                for value in [
                    std::format!("{filler}{name} <a{k}@x.io>"),
                    std::format!("{filler}{name} <a@x.io>, {name} <cc@example.com>, z@x.io"),
                ] {
                    let want = text_with("To", &value, &o, (true, false), false);
                    assert_eq!(
                        text_with("To", &value, &o, (true, false), true),
                        want,
                        "{value:?} {width} {enc:?}"
                    );
                    let want = want.unwrap();
                    let structured = [
                        Mailbox {
                            display_name: Some("Zo\u{eb}"),
                            addr_spec: "z@x.io",
                        },
                        Mailbox {
                            display_name: Some(name),
                            addr_spec: "a@x.io",
                        },
                    ];
                    let boxes = &structured[(k + width) % 2..];
                    let run = |fast| structured_cc(boxes, &o, k % 9, fast);
                    assert_eq!(run(true), run(false), "{name:?} {width} {enc:?}");
                    let n = want.len();
                    to_fits_exactly(
                        &value,
                        &o,
                        &want,
                        &[n, n + 1, n + 70, n + 200, n / 2, n - 1],
                    );
                }
            }
        }
    }

    #[test]
    fn long_lists_fold_after_commas_and_between_words() {
        let list: std::vec::Vec<String> = (0..12)
            .map(|i| std::format!("Person Number {i} With A Long Name <person.{i}@example.com>"))
            .collect();
        let out = fmt("To", &list.join(", ")).unwrap();
        check_structure(&out, 78);
        assert!(out.contains(",\r\n "), "{out}");
        let unfolded = out.replace("\r\n", "");
        assert_eq!(unfolded, ["To: ", &list.join(", ")].concat());
        // A display name longer than a line folds between its words.
        let name = "Word ".repeat(30);
        let out = fmt("From", &std::format!("{}<w@x.org>", name)).unwrap();
        check_structure(&out, 78);
    }

    #[test]
    fn structured_names_are_literal() {
        let o = Options::default();
        let list = [
            Mailbox {
                display_name: Some("Doe, John"),
                addr_spec: "jd@x.org",
            },
            Mailbox {
                display_name: Some("x@evil.com, <y@evil.com>"),
                addr_spec: "a@x.org",
            },
            Mailbox {
                display_name: Some("back\\slash \"quote\""),
                addr_spec: "b@x.org",
            },
            Mailbox {
                display_name: Some(""),
                addr_spec: "c@x.org",
            },
            Mailbox {
                display_name: None,
                addr_spec: "d@x.org",
            },
            Mailbox {
                display_name: Some("Plain Name"),
                addr_spec: "e@x.org",
            },
        ];
        assert_eq!(
            boxes("To", &list, &o).unwrap(),
            "To: \"Doe, John\" <jd@x.org>, \"x@evil.com, <y@evil.com>\" <a@x.org>,\r\n \"back\\\\slash \\\"quote\\\"\" <b@x.org>, c@x.org, d@x.org, Plain Name <e@x.org>\r\n"
        );
        let evil = [Mailbox {
            display_name: Some("a\r\nBcc: v@x.org"),
            addr_spec: "a@x.org",
        }];
        assert_eq!(
            boxes("To", &evil, &o),
            Err(Error::ControlCharacter { at: 1 })
        );
        let bad = [Mailbox {
            display_name: None,
            addr_spec: "a@x.org, v@x.org",
        }];
        assert_eq!(boxes("To", &bad, &o), Err(Error::InvalidAddress { at: 7 }));
        assert_eq!(boxes("To", &[], &o), Err(Error::InvalidAddress { at: 0 }));
        assert_eq!(boxes("Bcc", &[], &o).unwrap(), "Bcc: \r\n");
        // A lookalike in a name is encoded, so no decoder turns it into something else.
        let look = [Mailbox {
            display_name: Some("=?utf-8?q?x?="),
            addr_spec: "a@x.org",
        }];
        assert!(boxes("To", &look, &o).unwrap().starts_with("To: =?utf-8?"));
    }

    #[test]
    fn encoded_names_use_the_phrase_safe_set() {
        let list = [Mailbox {
            display_name: Some("Ünïcödé (test), \"q\" #1?"),
            addr_spec: "u@x.org",
        }];
        let q = Options::default().with_encoding(crate::Encoding::Q);
        let out = boxes("To", &list, &q).unwrap();
        let word = out
            .split([' ', '\r', '\n'])
            .find(|w| w.starts_with("=?"))
            .unwrap();
        let text = word
            .strip_prefix("=?utf-8?q?")
            .unwrap()
            .strip_suffix("?=")
            .unwrap();
        assert!(
            text.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!*+-/=_".contains(&b)),
            "{text}"
        );
    }

    #[test]
    fn return_path() {
        assert_eq!(fmt("Return-Path", "<>").unwrap(), "Return-Path: <>\r\n");
        assert_eq!(
            fmt("Return-Path", " a@b.c ").unwrap(),
            "Return-Path: <a@b.c>\r\n"
        );
        assert_eq!(
            fmt("Return-Path", "<a@b.c>").unwrap(),
            "Return-Path: <a@b.c>\r\n"
        );
        assert_eq!(fmt("Return-Path", ""), Err(Error::InvalidAddress { at: 0 }));
        assert_eq!(
            fmt("Return-Path", "<@x:a@b>"),
            Err(Error::InvalidAddress { at: 1 })
        );
        assert_eq!(
            fmt("Return-Path", "<a@b"),
            Err(Error::InvalidAddress { at: 4 })
        );
        // The first wrong byte, on a character boundary: the é itself with utf8 off (it can
        // never be in the path), the end with utf8 on (the path is only cut short).
        assert_eq!(fmt("Return-Path", "<é"), Err(Error::NonAscii { at: 1 }));
        assert_eq!(
            fmt_with("Return-Path", "<é", &Options::default().with_utf8(true)),
            Err(Error::InvalidAddress { at: 3 })
        );
        // `Name ` may still go on as `Name @host` (FWS before the `@`): the `<` is wrong.
        assert_eq!(
            fmt("Return-Path", "Name <a@b>"),
            Err(Error::InvalidAddress { at: 5 })
        );
    }
}
