//! The folding engine every field class shares.
//!
//! A class formatter hands the folder a sequence of tokens, each preceded either by white
//! space (a fold point) or by nothing (glued to what came before). Before each token the
//! formatter calls [`Folder::space`] with the width of everything up to the next fold point;
//! the folder decides whether it still fits on the line or whether the line is broken before
//! the white space (RFC 5322 §2.2.3: a fold is a CRLF inserted before WSP). Lines holding an
//! encoded-word are kept to 76 characters (RFC 2047 §2) as well as to the soft limit.

use crate::chars::{self, WSP};
use crate::options::{Options, HARD_LINE_LIMIT};
use crate::sink::SliceSink;
use crate::Error;
use core::mem::MaybeUninit;

/// RFC 2047 §2: a line containing an encoded-word must not be longer than 76 characters.
pub(crate) const EW_LINE_LIMIT: usize = 76;

/// The width of a token: characters for the soft limit, octets for the hard one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Width {
    pub chars: usize,
    pub bytes: usize,
}

impl Width {
    pub(crate) const fn ascii(n: usize) -> Width {
        Width { chars: n, bytes: n }
    }

    pub(crate) fn of(bytes: &[u8]) -> Width {
        Width {
            chars: chars::char_count(bytes),
            bytes: bytes.len(),
        }
    }

    pub(crate) const fn plus(self, other: Width) -> Width {
        Width {
            chars: self.chars + other.chars,
            bytes: self.bytes + other.bytes,
        }
    }
}

pub(crate) struct Folder<'s, 'b> {
    sink: &'s mut SliceSink<'b>,
    soft: usize,
    eol: &'static [u8],
    col: Width,
    line_has_ew: bool,
    only_name: bool,
    /// A fold was just made by [`Folder::keep_together`]: the next white space starts the
    /// fresh line without another fit check.
    folded_for_group: bool,
}

/// Where a word may end for the lines after it ([`RunChain::cap`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Bound {
    /// For every later line to keep the soft limit where the lines can, and 998 octets:
    /// the latest column (characters) and octet at which the word may end.
    pub at: Width,
    /// For every later line to keep 998 octets alone: the latest octet.
    pub octets: usize,
}

impl Bound {
    /// The bound that asks nothing of a line within `soft`.
    pub(crate) const fn none(soft: usize) -> Bound {
        Bound {
            at: Width {
                chars: soft,
                bytes: HARD_LINE_LIMIT,
            },
            octets: HARD_LINE_LIMIT,
        }
    }

    /// Whether it asks anything of a line within `soft`.
    pub(crate) fn asks(&self, soft: usize) -> bool {
        self.at.chars < soft || self.at.bytes < HARD_LINE_LIMIT || self.octets < HARD_LINE_LIMIT
    }
}

/// The bound [`Folder::space_capped`] gives [`Folder::space_general`].
#[derive(Clone, Copy)]
struct Cap {
    bound: Bound,
    past_soft: bool,
}

/// The `cap` of [`Folder::space_general`] that asks nothing.
const NO_CAP: Cap = Cap {
    bound: Bound {
        at: Width {
            chars: usize::MAX,
            bytes: HARD_LINE_LIMIT,
        },
        octets: HARD_LINE_LIMIT,
    },
    past_soft: true,
};

impl<'s, 'b> Folder<'s, 'b> {
    /// Writes `Name:` and returns a folder positioned after the colon.
    pub(crate) fn start(
        sink: &'s mut SliceSink<'b>,
        name: &str,
        options: &Options,
    ) -> Result<Self, Error> {
        // "Name: x" must fit on one line at the very least, or on "Name:" + a fold.
        if name.len() + 1 > HARD_LINE_LIMIT {
            return Err(Error::LineTooLong);
        }
        sink.write(name.as_bytes());
        sink.byte(b':');
        Ok(Folder {
            sink,
            soft: options.max_line_len,
            eol: options.line_ending.bytes(),
            col: Width::ascii(name.len() + 1),
            line_has_ew: false,
            only_name: true,
            folded_for_group: false,
        })
    }

    /// The soft limit of the current line, given whether the next token is an encoded-word.
    #[inline]
    fn limit(&self, ew: bool) -> usize {
        if ew || self.line_has_ew {
            self.soft.min(EW_LINE_LIMIT)
        } else {
            self.soft
        }
    }

    /// True while nothing but `Name:` has been written.
    #[inline]
    pub(crate) fn at_start(&self) -> bool {
        self.only_name
    }

    /// Room, in characters, for an encoded-word preceded by `ws_width` columns of white space
    /// on the current line, and on a fresh continuation line. Used to size encoded-words so
    /// that they fill lines without ever passing 76 columns.
    pub(crate) fn ew_room(&self, ws_width: usize) -> (usize, usize) {
        let limit = self.soft.min(EW_LINE_LIMIT);
        let here = limit.saturating_sub(self.col.chars + ws_width);
        let fresh = limit.saturating_sub(ws_width);
        (here, fresh)
    }

    /// Room for a token that is not an encoded-word, preceded by `ws_width` columns of white
    /// space, on the current line and on a fresh continuation line: characters against the
    /// soft limit, octets against 998. MIME parameter continuations are cut to fit it.
    pub(crate) fn room(&self, ws_width: usize) -> (Width, Width) {
        let here = Width {
            chars: self.limit(false).saturating_sub(self.col.chars + ws_width),
            bytes: HARD_LINE_LIMIT.saturating_sub(self.col.bytes + ws_width),
        };
        let fresh = Width {
            chars: self.soft.saturating_sub(ws_width),
            bytes: HARD_LINE_LIMIT.saturating_sub(ws_width),
        };
        (here, fresh)
    }

    /// Places the white space `ws` (raw caller bytes: SP/HTAB, possibly with the CR/LF of a
    /// caller's fold, which are dropped) before a token of width `next`, folding before the
    /// white space when the token would not fit. `next` covers everything up to the next
    /// fold point (token plus any glued punctuation).
    #[cfg_attr(not(target_os = "none"), inline(always))]
    pub(crate) fn space(&mut self, ws: &[u8], next: Width, ew: bool) -> Result<(), Error> {
        // The common case inline: one SP or HTAB, mid-line, and the token fits after it. Not
        // on bare metal, where a copy at every call site would cost flash.
        #[cfg(not(target_os = "none"))]
        if let [b] = ws {
            if !self.only_name && !self.folded_for_group {
                if self.col.chars + 1 + next.chars <= self.limit(ew)
                    && self.col.bytes + 1 + next.bytes <= HARD_LINE_LIMIT
                {
                    self.sink.byte(*b);
                    self.col = self.col.plus(Width::ascii(1));
                    if ew {
                        self.line_has_ew = true;
                    }
                    return Ok(());
                }
                // The fold of `space_general` for one white-space character: none of it can
                // stay on this line, so the break goes before it and it starts the next.
                self.newline();
                self.sink.byte(*b);
                self.col = Width::ascii(1);
                return self.check_next(next, ew);
            }
        }
        self.space_general(ws, next, ew, NO_CAP)
    }

    /// [`Folder::space`] for a token that is not an encoded-word and should end by `bound`
    /// (where the line it ends on can hold that), because the white space after it is a run
    /// that the next line cannot take whole: that line can then end with enough of the run
    /// (see [`RunChain`]). The first token takes only `bound.octets` from it (a fold after
    /// the colon when the name line cannot keep the white space 998 asks for). `past_soft`: a
    /// line within the soft limit may pass it with the white space that `bound.octets` asks
    /// it to keep, and a word goes to a line of its own rather than make a line that passes
    /// the soft limit with other words (a field that is never encoded has no other way to
    /// stay within 998); without it, a line keeps to the soft limit and the later word is
    /// encoded instead.
    #[cold]
    #[inline(never)]
    pub(crate) fn space_capped(
        &mut self,
        ws: &[u8],
        next: Width,
        bound: Bound,
        past_soft: bool,
    ) -> Result<(), Error> {
        self.space_general(ws, next, false, Cap { bound, past_soft })
    }

    /// [`Folder::space`] for every case: the first token, a fold, longer white space; `cap`
    /// as in [`Folder::space_capped`], [`NO_CAP`] for none.
    #[cfg_attr(not(target_os = "none"), inline(never))]
    fn space_general(&mut self, ws: &[u8], next: Width, ew: bool, cap: Cap) -> Result<(), Error> {
        let w = ws_width(ws);
        debug_assert!(w > 0);
        if self.only_name {
            self.only_name = false;
            // The first token stays on the name line unless only a fold after the colon keeps
            // it within 998 octets (or, for an encoded-word, within 76 characters), or keeps
            // it within `cap.bound.octets`: its line must then end with part of the run after
            // it for a later token to stay within 998, which the name line has no room for.
            let end = self.col.bytes + 1 + next.bytes;
            let fold = if ew {
                self.col.chars + 1 + next.chars > self.limit(true) && next.bytes < HARD_LINE_LIMIT
            } else {
                (end > HARD_LINE_LIMIT && next.bytes < HARD_LINE_LIMIT)
                    || (end > cap.bound.octets && next.bytes < cap.bound.octets)
            };
            if fold {
                self.newline();
            }
            return self.put_space_then_check(b" ", 1, next, ew);
        }
        if self.folded_for_group {
            self.folded_for_group = false;
            return self.put_space_then_check(ws, w, next, ew);
        }
        let limit = self.limit(ew);
        let fits = self.col.chars + w + next.chars <= limit
            && self.col.bytes + w + next.bytes <= HARD_LINE_LIMIT
            && !self.folds_for_cap(w, next, cap);
        if fits {
            return self.put_space_then_check(ws, w, next, ew);
        }
        // Fold before the white space. The whole run moves to the new line, unless the run
        // itself would push the token past a limit there. Then part of the run stays at the
        // end of this line (a break may stand before any WSP): as much as keeps the new line
        // within the soft limit when this line can hold that much within it too (SPEC §3:
        // every line within the soft limit wherever a fold point allows), else as much as a
        // limit that must hold needs (998 octets, or 76 for an encoded-word), but never
        // more than this line can hold.
        let next_limit = if ew {
            self.soft.min(EW_LINE_LIMIT)
        } else {
            self.soft
        };
        let over_hard = if ew {
            (w + next.chars).saturating_sub(next_limit)
        } else {
            // As much as the bound asks when this line can keep it: for the later lines'
            // soft limit when that leaves this one within its own (or it is past it
            // already), else for their 998 octets, else as 998 asks of the next line.
            let keep_for = |end: usize| (w + next.bytes).saturating_sub(end);
            let can_keep = |keep: usize| {
                keep < w
                    && keep <= HARD_LINE_LIMIT.saturating_sub(self.col.bytes)
                    && self.may_keep(keep, cap.past_soft)
            };
            // (`at.bytes <= octets`: the first asks at least what the second does.)
            let (for_soft, for_hard) = (keep_for(cap.bound.at.bytes), keep_for(cap.bound.octets));
            if can_keep(for_soft) && for_soft <= self.room_to_keep() {
                for_soft
            } else if can_keep(for_hard) {
                for_hard
            } else {
                (w + next.bytes).saturating_sub(HARD_LINE_LIMIT)
            }
        };
        let room = self.room_to_keep();
        // The white space this line must keep for the next one to stay within the soft
        // limit, and within `cap` too when that is tighter, this line can keep that much and
        // some of the run is left to start the next line; else the soft limit alone.
        let over = |target: usize| (w + next.chars).saturating_sub(target);
        let capped = over(next_limit.min(cap.bound.at.chars));
        let over_soft = if capped <= room && capped < w {
            capped
        } else {
            over(next_limit)
        };
        // (A line past the soft limit keeps white space for the next one only when that
        // leaves the next within it.)
        let keep = if over_soft <= room && (over_soft < w || self.col.chars <= self.limit(false)) {
            over_soft.max(over_hard)
        } else {
            over_hard
        };
        let keep = keep
            .min(w - 1)
            .min(HARD_LINE_LIMIT.saturating_sub(self.col.bytes));
        self.write_ws_part(ws, 0, keep);
        self.newline();
        self.write_ws_part(ws, keep, w);
        self.col = Width::ascii(w - keep);
        self.check_next(next, ew)
    }

    /// Whether a token that fits after the run of `w` white-space characters must still go
    /// to the next line for `cap` (see [`Folder::space_capped`]): it would end past the
    /// bound here, and a fold inside the run can keep enough of it on this line (within its
    /// soft limit for the later lines' soft limit, within 998 for their 998) for the token
    /// to end by the bound on the next, with one character left to start that line. And,
    /// with `past_soft`, when the white space that must follow the token for 998 would
    /// make this line pass the soft limit holding other words too: the token's own line
    /// then passes it holding that token alone (SPEC §3; audit 24, `Received: x`, 10
    /// letters, 50 letters, 40 spaces and 990 letters at 78 columns: lines of 22, 83 and
    /// 998, not 105 and 998).
    #[inline]
    fn folds_for_cap(&self, w: usize, next: Width, cap: Cap) -> bool {
        let Cap { bound, past_soft } = cap;
        let octets_left = HARD_LINE_LIMIT.saturating_sub(self.col.bytes);
        // For the later lines' soft limit: the token must end by `at` in characters and in
        // octets, so what this line keeps is the larger of the two.
        let over = (w + next.chars)
            .saturating_sub(bound.at.chars)
            .max((w + next.bytes).saturating_sub(bound.at.bytes));
        let for_soft = (self.col.chars + w + next.chars > bound.at.chars
            || self.col.bytes + w + next.bytes > bound.at.bytes)
            && over < w
            && over <= self.room_to_keep()
            && over <= octets_left;
        let over = (w + next.bytes).saturating_sub(bound.octets);
        let for_hard = self.col.bytes + w + next.bytes > bound.octets
            && over < w
            && over <= octets_left
            && self.may_keep(over, past_soft);
        let limit = self.limit(false);
        let end = self.col.chars + w + next.chars;
        // (`bound.octets <= 998`.)
        let alone = past_soft && end <= limit && end + HARD_LINE_LIMIT > limit + bound.octets;
        for_soft || for_hard || alone
    }

    /// How many white-space characters of a split run this line can keep at its end for the
    /// next line to stay within the soft limit: its room within that limit, or, when it is
    /// past that limit already with one long token, as many as 998 octets allow (a line
    /// past the limit stays one line past it: audit 24, `Name: ` and 58 letters at 60 columns,
    /// then 38 spaces, a word and 34 spaces before 996 letters, keeps 14 of the spaces so
    /// that the next line is within 60 and the last within 998).
    #[inline]
    fn room_to_keep(&self) -> usize {
        let limit = self.limit(false);
        if self.col.chars > limit {
            HARD_LINE_LIMIT.saturating_sub(self.col.bytes)
        } else {
            limit - self.col.chars
        }
    }

    /// Whether this line may end with `keep` more white-space characters for a later word's
    /// 998 octets: always with `past_soft`, else when it stays within its soft limit or is
    /// past it already with one long token (as [`Folder::can_split_run`] decides).
    #[inline]
    fn may_keep(&self, keep: usize, past_soft: bool) -> bool {
        let limit = self.limit(false);
        past_soft || self.col.chars + keep <= limit || self.col.chars > limit
    }

    /// Whether a fold inside a run of `w` white-space characters, leaving part of it at the
    /// end of this line, lets a token of `len` octets that follows stand on the next line
    /// within 998 octets (a fold may stand before any WSP; the next line starts with at
    /// least one), while this line stays within its own limit (the soft one, 76 when it
    /// holds an encoded-word), or the line is past that limit already with one long token:
    /// then a word after a run of 998 columns stays as it is instead of being carried in
    /// encoded-words. A longer run is carried in them with the word, so that no line that
    /// was within the soft limit passes it with white space.
    pub(crate) fn can_split_run(&self, w: usize, len: usize) -> bool {
        let need = (w + len).saturating_sub(HARD_LINE_LIMIT);
        let limit = self.limit(false);
        // A line already past the soft limit holds one long token (SPEC §3), and may end
        // with the white space too: else a word that fits in 998 would be encoded (SPEC §4;
        // audit 23: `a`, 300 spaces, 690 `b`, 300 spaces, 699 `c`).
        let room = if self.col.chars > limit {
            usize::MAX
        } else {
            limit - self.col.chars
        };
        !self.only_name
            && need <= w.saturating_sub(1)
            && need <= room
            && need <= HARD_LINE_LIMIT.saturating_sub(self.col.bytes)
    }

    /// Called before a group of tokens that reads best on one line (a whole mailbox, a
    /// keyword): when the group of width `whole` does not fit on this line after `ws` but
    /// does fit on a fresh one, folds now instead of splitting the group (RFC 5322 §3.2.2:
    /// fold at the highest-level syntactic break). The following [`Folder::space`] call
    /// writes the white space. `ew`: the group holds an encoded-word, so the line it stands
    /// on is one holding an encoded-word, kept to 76 characters (RFC 2047 §2): a group that
    /// fits 78 columns but not 76 does not fit.
    pub(crate) fn keep_together(&mut self, ws: &[u8], whole: Width, ew: bool) {
        if self.group_moves(ws_width(ws), whole, ew) {
            self.newline();
            self.folded_for_group = true;
        }
    }

    /// Whether [`Folder::keep_together`] folds before a group of width `whole` after `w`
    /// columns of white space: the fast paths that write a whole mailbox decide with it too.
    #[inline]
    pub(crate) fn group_moves(&self, w: usize, whole: Width, ew: bool) -> bool {
        if self.only_name {
            return false;
        }
        let fresh_limit = if ew {
            self.soft.min(EW_LINE_LIMIT)
        } else {
            self.soft
        };
        let fits_here = self.col.chars + w + whole.chars <= self.limit(ew)
            && self.col.bytes + w + whole.bytes <= HARD_LINE_LIMIT;
        !fits_here && w + whole.chars <= fresh_limit && w + whole.bytes <= HARD_LINE_LIMIT
    }

    fn put_space_then_check(
        &mut self,
        ws: &[u8],
        w: usize,
        next: Width,
        ew: bool,
    ) -> Result<(), Error> {
        self.write_ws_part(ws, 0, w);
        self.col = self.col.plus(Width::ascii(w));
        self.check_next(next, ew)
    }

    #[inline]
    fn check_next(&mut self, next: Width, ew: bool) -> Result<(), Error> {
        if ew {
            self.line_has_ew = true;
        }
        if self.col.bytes + next.bytes > HARD_LINE_LIMIT {
            Err(Error::LineTooLong)
        } else {
            Ok(())
        }
    }

    /// Writes white-space characters `from..to` of the run (counting SP/HTAB only).
    fn write_ws_part(&mut self, ws: &[u8], from: usize, to: usize) {
        if from == 0 && to == ws.len() {
            self.sink.write(ws);
            return;
        }
        let mut i = 0;
        for &b in ws {
            if chars::is(b, WSP) {
                if i >= from && i < to {
                    self.sink.byte(b);
                }
                i += 1;
            }
        }
    }

    /// Breaks the line here; the caller writes the white space that starts the next line.
    pub(crate) fn newline(&mut self) {
        // One or two bytes: the sink stores them with one or two moves, no call to `memcpy`.
        self.sink.write(self.eol);
        self.col = Width::default();
        self.line_has_ew = false;
    }

    /// Appends token bytes whose width the last [`Folder::space`] call accounted for.
    #[inline]
    pub(crate) fn put(&mut self, bytes: &[u8], width: Width) {
        self.sink.write(bytes);
        self.col = self.col.plus(width);
    }

    /// Appends ASCII token bytes.
    #[inline]
    pub(crate) fn put_ascii(&mut self, bytes: &[u8]) {
        self.put(bytes, Width::ascii(bytes.len()))
    }

    /// Appends one ASCII byte.
    #[inline]
    pub(crate) fn put_byte(&mut self, b: u8) {
        self.sink.byte(b);
        self.col = self.col.plus(Width::ascii(1));
    }

    /// Direct access for encoders that stream an encoded-word whose width they announced.
    /// A caller that ends a line through it records the new line with [`Folder::resume`].
    #[inline]
    pub(crate) fn sink(&mut self) -> &mut SliceSink<'b> {
        self.sink
    }

    /// Records `width` columns written straight to [`Folder::sink`].
    #[inline]
    pub(crate) fn advance(&mut self, width: Width) {
        self.col = self.col.plus(width);
    }

    /// The line ending written at each fold.
    #[cfg(not(target_os = "none"))]
    #[inline]
    pub(crate) fn line_ending(&self) -> &'static [u8] {
        self.eol
    }

    /// Takes over after a fast path wrote tokens straight into [`Folder::sink`], making the
    /// decisions [`Folder::space`] would have made: the current line is now `col` wide and
    /// holds an encoded-word when `line_has_ew`.
    #[cfg(not(target_os = "none"))]
    #[inline]
    pub(crate) fn resume(&mut self, col: Width, line_has_ew: bool) {
        self.col = col;
        self.line_has_ew = line_has_ew;
        self.only_name = false;
    }

    /// Finishes the field: `Name: ` for an empty value, then the line ending. After a name
    /// of 997 octets the space would make a 999-octet line, so there the field is `Name:`
    /// alone (an empty value needs no space: RFC 5322 §2.2).
    pub(crate) fn end(self) {
        if self.only_name && self.col.bytes < crate::options::HARD_LINE_LIMIT {
            self.sink.byte(b' ');
        }
        self.sink.write(self.eol);
    }

    /// Characters on the current line so far.
    #[cfg(not(target_os = "none"))]
    #[inline]
    pub(crate) fn column_chars(&self) -> usize {
        self.col.chars
    }

    /// The soft line limit.
    #[inline]
    pub(crate) fn soft_limit(&self) -> usize {
        self.soft
    }

    /// Octets on the current line so far.
    #[inline]
    pub(crate) fn column_bytes(&self) -> usize {
        self.col.bytes
    }

    /// Records that content was written straight to the sink (the verbatim class), so
    /// [`Folder::end`] adds only the line ending.
    pub(crate) fn mark_written(&mut self) {
        self.only_name = false;
    }
}

/// How many runs of white space a [`RunChain`] looks at, at most. A longer chain of runs
/// that each leave too little room is rare (each run and the word after it must come near a
/// whole line: audit 23 built one of 12, 30 spaces and 49 letters each at 78 columns); past
/// this many the rest is assumed to fit.
pub(crate) const CAP_LOOKAHEAD: usize = 64;

/// Widths a [`RunChain`] keeps, saturated here: every comparison it makes is between sums of
/// two widths and sums of two limits (at most 998 each), which a saturated width still
/// passes. Two octets a width keep the chain's 64 triples in 384 bytes of stack.
const CHAIN_WIDTH_MAX: usize = 2 * HARD_LINE_LIMIT + 2;

/// The latest column at which a word may end for the text after it to be laid out with every
/// line within the soft limit wherever a fold point allows (SPEC §3, in characters) and
/// within 998 octets always: the `cap` of [`Folder::space_capped`].
///
/// A run of `w` characters before a word that must end by column `m` can start the next line
/// only with `w + x - m` of its characters left at the end of this one (`x` the word's width,
/// and one character at least moved), so this line's word must end by `limit - (w + x - m)`.
/// Both limits count at once: the word's line may start with as much of the run as keeps the
/// word within 998 octets and, when the word fits the soft limit at all, within that too; what
/// is left of the run stays on the line before, which then has that much less room under
/// each limit. (Worked against each limit alone, a run that only 998 splits asked nothing of
/// the soft limit, and the line before it passed that limit by the part it kept: audit 24.)
/// A run of one character, or a word that is not plain (an encoded-word, a quoted-string),
/// asks nothing of the line before, so the chain ends there. Folding is monotone in the
/// column a word ends at (any layout of the rest from one column works from an earlier one),
/// so this bound, worked back from the end of the chain, is exact within [`CAP_LOOKAHEAD`]
/// runs. A chain no layout can keep within 998 asks nothing (the limit is the bound), and the
/// folder falls back to its greedy layout.
///
/// Fed a run at a time ([`RunChain::run`]) and then the word after it
/// ([`RunChain::word`]), by the writer that reads the words ahead.
pub(crate) struct RunChain {
    soft: usize,
    /// Each accepted run and the width of its word in characters and in octets (saturated
    /// at [`CHAIN_WIDTH_MAX`]): the first `n` are written. Left uninitialised past them: most
    /// chains end at their first pair, and clearing the array at every look-ahead cost 10%
    /// on text with two spaces between its words.
    pairs: [MaybeUninit<[u16; 3]>; CAP_LOOKAHEAD],
    n: usize,
    /// The run accepted last, whose word comes next.
    pending: usize,
}

impl RunChain {
    /// A chain against the soft limit `soft` (and 998 octets).
    pub(crate) fn new(soft: usize) -> Self {
        RunChain {
            soft,
            pairs: [MaybeUninit::uninit(); CAP_LOOKAHEAD],
            n: 0,
            pending: 0,
        }
    }

    /// Takes the next run of `w` white-space characters (its CR/LF not counted); false when
    /// the chain ends before it: the bound no longer depends on anything from it on.
    pub(crate) fn run(&mut self, w: usize) -> bool {
        if w < 2 {
            return false;
        }
        // A word followed by a run of `w` may end as late as column `limit - w + 1` under
        // each limit (the run can keep `w - 1` on its line, or asks nothing): the run and
        // word before it that reach no further ask nothing of the line before them, nor
        // does anything after them. In text as people type it the chain ends here, at its
        // second run.
        if let Some([pw, chars, octets]) = self.n.checked_sub(1).and_then(|i| self.pair(i)) {
            let pw = usize::from(pw);
            if pw + usize::from(chars) + w <= self.soft + 1
                && pw + usize::from(octets) + w <= HARD_LINE_LIMIT + 1
            {
                self.n -= 1;
                return false;
            }
        }
        self.pending = w;
        self.n < CAP_LOOKAHEAD
    }

    /// The plain word of width `x` after the run [`RunChain::run`] took.
    pub(crate) fn word(&mut self, x: Width) {
        let narrow = |v: usize| v.min(CHAIN_WIDTH_MAX) as u16;
        if let Some(slot) = self.pairs.get_mut(self.n) {
            slot.write([narrow(self.pending), narrow(x.chars), narrow(x.bytes)]);
            self.n += 1;
        }
    }

    /// Pair `i` (run, characters, octets), when it is one of the `n` written.
    #[inline]
    fn pair(&self, i: usize) -> Option<[u16; 3]> {
        let slot = self.pairs.get(i).filter(|_| i < self.n)?;
        // SAFETY: the first `n` slots are written by `word` (`n` grows only after a write,
        // and never shrinks below a written slot's index + 1 except by `run` forgetting the
        // last, which is then not read).
        Some(unsafe { slot.assume_init() })
    }

    /// The bound, worked back from the last pair: `at` against both limits (the soft one
    /// where the lines can keep it), `octets` against 998 alone, the bound a field that is
    /// never encoded must keep when the soft one cannot be.
    pub(crate) fn cap(&self) -> Bound {
        let (soft, hard) = (self.soft, HARD_LINE_LIMIT);
        // `chars` is 0 where the word's line is past the soft limit anyway, with the white
        // space it keeps for the line after it.
        let (mut chars, mut bytes) = (soft, hard);
        let mut octets = hard;
        for [w, xc, xb] in (0..self.n).rev().filter_map(|i| self.pair(i)) {
            let (w, xc, xb) = (usize::from(w), usize::from(xc), usize::from(xb));
            // What 998 alone makes the line before keep of the run.
            // What 998 alone makes the line before keep of the run (none it could hold).
            let keep_hard = (xb < octets)
                .then(|| (w + xb).saturating_sub(octets))
                .filter(|&k| k <= hard);
            // What both limits make it keep: the word's line may start with as much of the
            // run as keeps the word within 998 and, when that line can be within the soft
            // limit at all, within that too; where the line before could not hold that, what
            // 998 alone asks. (So `bytes <= octets` throughout: a word's line never starts
            // with more of its run for both limits than for 998 alone.)
            let joint = (xb < bytes)
                .then(|| {
                    let room = bytes - xb;
                    let room = if xc < chars {
                        room.min(chars - xc)
                    } else {
                        room
                    };
                    w.saturating_sub(room)
                })
                .filter(|&k| k <= hard);
            (chars, bytes) = match joint.or(keep_hard) {
                Some(k) => (soft.saturating_sub(k), hard - k),
                None => (soft, hard),
            };
            octets = keep_hard.map_or(hard, |k| hard - k);
            debug_assert!(bytes <= octets);
        }
        Bound {
            at: Width {
                chars: if chars == 0 { soft } else { chars },
                bytes,
            },
            octets,
        }
    }
}

/// Number of SP/HTAB characters in a white-space run (caller folds' CR/LF do not count).
#[inline]
pub(crate) fn ws_width(ws: &[u8]) -> usize {
    if ws.len() == 1 {
        return 1;
    }
    ws.iter().filter(|&&b| chars::is(b, WSP)).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LineEnding, Options};
    use std::vec::Vec;

    /// The chain's bound on small cases worked by hand, its early end (a pair that reaches
    /// no further than any run allows is dropped), its 64-pair cap and saturated widths.
    /// (Also run under Miri: the pairs are `MaybeUninit`.)
    #[test]
    fn run_chain_bounds() {
        let cap = |limit: usize, pairs: &[(usize, usize)]| {
            let mut c = RunChain::new(limit);
            for &(w, x) in pairs {
                if !c.run(w) {
                    break;
                }
                c.word(Width::ascii(x));
            }
            c.cap().at.chars
        };
        // Nothing asked: no pair, a run of one, a pair that fits a line.
        assert_eq!(cap(78, &[]), 78);
        assert_eq!(cap(78, &[(1, 70)]), 78);
        assert_eq!(cap(78, &[(30, 40)]), 78);
        // 30 spaces and 49 letters: one space must stay behind, so the word before ends by 77.
        assert_eq!(cap(78, &[(30, 49)]), 77);
        // Each such pair asks one more of the line before it.
        assert_eq!(cap(78, &[(30, 49), (30, 49), (30, 49)]), 75);
        // The second run shows the first pair reaches no further than any line allows (2 +
        // 40 + 2 <= 79): it is dropped, and nothing after it counts.
        assert_eq!(cap(78, &[(2, 40), (2, 77)]), 78);
        // A word no line can hold after its run asks nothing (no layout keeps it anyway).
        assert_eq!(cap(78, &[(30, 78)]), 78);
        // 64 pairs at most (66 spaces and 13 letters: each asks one more, and a chain of 70
        // stays feasible). Of 30 spaces and 49 letters, 29 pairs leave the word before them
        // column 49; a 30th would need its 49-letter word to end by column 49, after one
        // space at least: no layout, so it asks nothing.
        assert_eq!(cap(78, &[(66, 13); 70]), 78 - 64);
        assert_eq!(cap(78, &[(30, 49); 29]), 78 - 29);
        assert_eq!(cap(78, &[(30, 49); 30]), 78);
        // Widths past 2 * 998 + 2 saturate and ask nothing.
        assert_eq!(cap(998, &[(5000, 5000)]), 998);
        assert_eq!(cap(998, &[(300, 699)]), 997);
        // A word only 998 keeps after its run: the part of the run its line cannot take
        // stays on the line before, which must still keep the soft limit (audit 24: 19
        // spaces and 985 letters need 6 spaces kept, so the word before ends by 72).
        assert_eq!(cap(78, &[(19, 985)]), 72);
        assert_eq!(cap(41, &[(2, 997)]), 40);
        // ... through a chain: the 997-letter word asks one space of the 14-letter word's
        // line, which then asks 3 of the 29 spaces of the line before it.
        assert_eq!(cap(41, &[(29, 14), (2, 997)]), 38);
        // The bound against 998 alone, in octets (a word of 3-octet characters).
        let mut c = RunChain::new(78);
        assert!(c.run(19));
        c.word(Width {
            chars: 330,
            bytes: 990,
        });
        assert_eq!(
            c.cap(),
            Bound {
                at: Width {
                    chars: 67,
                    bytes: 987
                },
                octets: 987
            }
        );
        // A word that fits the soft limit asks for it too, in octets as well: 40 spaces
        // and 495 letters at 500 columns, after a word of 4-octet characters; the word's
        // line must keep 35 of the spaces, so it ends by column 465 and octet 963 (998
        // alone asks nothing).
        let mut c = RunChain::new(500);
        assert!(c.run(40));
        c.word(Width::ascii(495));
        assert_eq!(
            c.cap(),
            Bound {
                at: Width {
                    chars: 465,
                    bytes: 963
                },
                octets: 998
            }
        );
        // No keep over a line: a run of 1,500 before a 900-letter word asks nothing.
        assert_eq!(cap(78, &[(1500, 900)]), 78);
    }

    /// Places a sequence of tokens through [`Folder::space`] (with its inline cases) or
    /// through [`Folder::space_general`] alone; returns the output or the first error.
    fn run(
        general: bool,
        steps: &[(&str, usize, bool)],
        width: usize,
        lf: bool,
    ) -> Result<Vec<u8>, Error> {
        let mut options = Options::default().with_max_line_len(width);
        if lf {
            options = options.with_line_ending(LineEnding::Lf);
        }
        let mut buf = std::vec![0u8; 1 << 16];
        let mut sink = SliceSink::new(&mut buf);
        let mut f = Folder::start(&mut sink, "Subject", &options)?;
        for &(ws, n, ew) in steps {
            let next = Width::ascii(n);
            if general {
                f.space_general(ws.as_bytes(), next, ew, NO_CAP)?;
            } else {
                f.space(ws.as_bytes(), next, ew)?;
            }
            f.put_ascii(&std::vec![b'x'; n]);
        }
        f.end();
        let n = sink.finish()?;
        buf.truncate(n);
        Ok(buf)
    }

    proptest::proptest! {
        /// The inline cases of `space` (one white-space character that fits, or a fold
        /// before it) decide exactly as the general code.
        #[test]
        fn inline_space_matches_general_space(
            steps in proptest::collection::vec((
                proptest::sample::select(std::vec![" ", "\t", "  ", "\r\n ", " \t"]),
                1usize..120,
                proptest::bool::ANY,
            ), 1..40),
            width in 40usize..=200,
            lf in proptest::bool::ANY,
        ) {
            proptest::prop_assert_eq!(run(false, &steps, width, lf), run(true, &steps, width, lf));
        }
    }

    #[test]
    fn inline_space_handles_the_hard_limit() {
        let steps = [(" ", 900, false), (" ", 200, false), (" ", 990, false)];
        assert_eq!(run(false, &steps, 78, false), run(true, &steps, 78, false));
        let steps = [(" ", 900, false), (" ", 998, false)];
        assert_eq!(run(false, &steps, 78, false), Err(Error::LineTooLong));
        assert_eq!(run(true, &steps, 78, false), Err(Error::LineTooLong));
    }
}
