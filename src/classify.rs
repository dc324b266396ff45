//! Header names: validation, the class each name implies (SPEC §2), and dispatch.

use crate::fold::Folder;
use crate::options::FieldClass;
use crate::sink::SliceSink;
use crate::{address, input, mime, msgid, phrase, structured, unstructured, Error, Options};

/// The syntax a field is formatted with, after the name has been looked at.
///
/// No variant carries data, so a class is one byte, passed in one register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Class {
    Unstructured,
    /// Exactly one msg-id.
    MsgIdOne,
    /// One or more msg-ids.
    MsgIdList,
    /// An address list (at least one address).
    Address,
    /// `Bcc` and `Resent-Bcc`: an address list that may be empty.
    AddressBcc,
    /// `Sender` and `Resent-Sender`: exactly one mailbox.
    AddressOne,
    ReturnPath,
    AsciiStructured,
    /// `Date` and `Resent-Date`: ASCII structured, validated as an RFC 5322 date-time.
    Date,
    Mime,
    Verbatim,
    Keywords,
    ListId,
}

impl Class {
    /// The class a forced [`FieldClass`] gives a field whose name has the class `natural`.
    /// Forcing the structured class the name has anyway keeps the name's own rules, without
    /// which the output would break RFC 5322 or refuse what the name allows: an empty Bcc, one
    /// mailbox in Sender (§3.6.2), one id in Message-ID (§3.6.4), a validated Date (§3.3).
    /// Otherwise the forced class's generic rules apply (forced `Unstructured` is free text,
    /// also for Keywords and List-Id).
    pub(crate) fn forced(class: FieldClass, natural: Class) -> Class {
        match (class, natural) {
            (FieldClass::Address, Class::Address | Class::AddressBcc | Class::AddressOne)
            | (FieldClass::MsgId, Class::MsgIdOne)
            | (FieldClass::AsciiStructured, Class::Date) => natural,
            _ => Class::from_forced(class),
        }
    }

    pub(crate) fn from_forced(class: FieldClass) -> Class {
        match class {
            FieldClass::Auto | FieldClass::Unstructured => Class::Unstructured,
            FieldClass::MsgId => Class::MsgIdList,
            FieldClass::Address => Class::Address,
            FieldClass::ReturnPath => Class::ReturnPath,
            FieldClass::AsciiStructured => Class::AsciiStructured,
            FieldClass::Mime => Class::Mime,
            FieldClass::Verbatim => Class::Verbatim,
        }
    }

    /// For an address class, whether it needs an address (`required`: all but Bcc) and
    /// whether it takes exactly one mailbox (`single`: Sender).
    #[inline(always)]
    pub(crate) fn address(self) -> Option<(bool, bool)> {
        match self {
            Class::Address => Some((true, false)),
            Class::AddressBcc => Some((false, false)),
            Class::AddressOne => Some((true, true)),
            _ => None,
        }
    }
}

/// RFC 5322 §2.2: a field name is one or more printable ASCII characters other than `:`.
///
/// Checked on every call, so a word at a time (SWAR): overlapping loads cover every byte.
pub(crate) fn check_name(name: &str) -> Result<(), Error> {
    let b = name.as_bytes();
    let n = b.len();
    let ok = if n >= 8 {
        let mut bad = not_name_chars(load8(b, n - 8));
        let mut at = 0;
        while at + 8 <= n {
            bad |= not_name_chars(load8(b, at));
            at += 8;
        }
        bad == 0
    } else if n >= 4 {
        // Two overlapping four-byte loads cover every byte.
        let four = |at: usize| {
            b.get(at..at + 4)
                .and_then(|w| <[u8; 4]>::try_from(w).ok())
                .map_or(0, |w| u64::from(u32::from_le_bytes(w)))
        };
        not_name_chars(four(0) | (four(n - 4) << 32)) == 0
    } else {
        // First, middle and last byte cover a 1-3 byte name; the other five bytes are `a`.
        const PAD: u64 = u64::from_le_bytes([0, 0, 0, b'a', b'a', b'a', b'a', b'a']);
        let byte = |i: usize| u64::from(b.get(i).copied().unwrap_or(0));
        n > 0 && not_name_chars(byte(0) | (byte(n / 2) << 8) | (byte(n - 1) << 16) | PAD) == 0
    };
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidName)
    }
}

const ONES: u64 = u64::from_le_bytes([1; 8]);
const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);

/// Nonzero when some byte of `w` is below `n` (exact as an "any" test for `n <= 128`: a
/// borrow only propagates upwards from a byte that really is below `n`).
#[inline(always)]
const fn has_byte_below(w: u64, n: u8) -> u64 {
    w.wrapping_sub(ONES * n as u64) & !w & HIGHS
}

/// Nonzero when some byte of `w` is outside 33..=126 or is `:`.
#[inline(always)]
const fn not_name_chars(w: u64) -> u64 {
    has_byte_below(w, 33)
        | (w & HIGHS)
        | has_byte_below(w ^ (ONES * b':' as u64), 1)
        | has_byte_below(w ^ (ONES * 0x7F), 1)
}

/// Eight bytes of `b` from `at`, little-endian (0 past the end, which callers never ask for).
#[inline(always)]
fn load8(b: &[u8], at: usize) -> u64 {
    match b.get(at..at + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
        Some(w) => u64::from_le_bytes(w),
        None => 0,
    }
}

/// Case-insensitive equality of a name that passed [`check_name`] with a known name of the
/// same length made of letters and `-`, ignoring bit 5 (which maps only letters to letters,
/// and `-` to CR, which no valid name holds): cheaper than `eq_ignore_ascii_case`. Names of
/// eight bytes or more are compared a word at a time (the last word overlapping the one before).
#[inline]
fn same_name(name: &[u8], known: &[u8]) -> bool {
    let n = name.len();
    if n != known.len() {
        return false;
    }
    if n < 8 {
        return name.iter().zip(known).all(|(&a, &b)| (a ^ b) & !0x20 == 0);
    }
    let mut diff = (load8(name, n - 8) ^ load8(known, n - 8)) & !FOLD;
    let mut at = 0;
    while at + 8 <= n {
        diff |= (load8(name, at) ^ load8(known, at)) & !FOLD;
        at += 8;
    }
    diff == 0
}

/// The class of a name (case-insensitive) that passed [`check_name`]. Called once per field,
/// so the exact names are looked up by length first: a name is compared with at most a few
/// candidates.
pub(crate) fn class_of(name: &str) -> Class {
    use Class::*;
    const A: Class = Address;
    const BCC: Class = AddressBcc;
    const ONE: Class = AddressOne;
    let candidates: &[(&str, Class)] = match name.len() {
        2 => &[("To", A), ("Cc", A)],
        3 => &[("Bcc", BCC)],
        4 => &[("From", A), ("Date", Date)],
        6 => &[("Sender", ONE)],
        7 => &[("List-Id", ListId)],
        8 => &[
            ("Reply-To", A),
            ("Keywords", Keywords),
            ("Received", AsciiStructured),
        ],
        9 => &[("Resent-To", A), ("Resent-Cc", A)],
        10 => &[
            ("Message-ID", MsgIdOne),
            ("References", MsgIdList),
            ("Content-ID", MsgIdOne),
            ("Resent-Bcc", BCC),
            ("Precedence", AsciiStructured),
        ],
        11 => &[
            ("In-Reply-To", MsgIdList),
            ("Resent-From", A),
            ("Return-Path", ReturnPath),
            ("Resent-Date", Date),
            ("Feedback-ID", AsciiStructured),
        ],
        12 => &[
            ("Received-SPF", AsciiStructured),
            ("MIME-Version", AsciiStructured),
            ("Content-Type", Mime),
        ],
        13 => &[("Resent-Sender", ONE), ("Mail-Reply-To", A)],
        14 => &[
            ("DKIM-Signature", AsciiStructured),
            ("Auto-Submitted", AsciiStructured),
        ],
        16 => &[("Mail-Followup-To", A)],
        17 => &[("Resent-Message-ID", MsgIdOne)],
        19 => &[
            ("Original-Message-ID", MsgIdOne),
            ("Content-Disposition", Mime),
        ],
        22 => &[("Authentication-Results", AsciiStructured)],
        25 => &[("Content-Transfer-Encoding", AsciiStructured)],
        27 => &[("Disposition-Notification-To", A)],
        _ => &[],
    };
    for &(n, class) in candidates {
        if same_name(name.as_bytes(), n.as_bytes()) {
            return class;
        }
    }
    let prefix = |p: &str| {
        name.len() > p.len() && name.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
    };
    if prefix("ARC-") || prefix("List-") {
        AsciiStructured
    } else {
        Unstructured
    }
}

/// [`check_name`] and [`class_of`] in one pass, for the common names of at most 16 bytes: the
/// name is loaded once as two little-endian words (zero-padded), checked a word at a time and
/// compared, case folded, with the known names of its length as word pairs computed at
/// compile time. Longer names take the two separate steps, as every name does on bare metal,
/// where flash counts more than the few instructions saved.
#[cfg(target_os = "none")]
#[inline]
pub(crate) fn name_class(name: &str) -> Result<Class, Error> {
    check_name(name)?;
    Ok(class_of(name))
}

/// See the bare-metal version above.
#[cfg(not(target_os = "none"))]
#[inline(always)]
pub(crate) fn name_class(name: &str) -> Result<Class, Error> {
    if let Some(class) = short_name_class(name) {
        return class;
    }
    let b = name.as_bytes();
    let n = b.len();
    #[cfg(target_arch = "x86_64")]
    if n <= LONG_NAME_MAX {
        if !long_name_chars(b) {
            return Err(Error::InvalidName);
        }
        // Only five known names are this long; any other is told by its first bytes.
        return Ok(match n {
            17 | 19 | 22 | 25 | 27 => class_of(name),
            _ => prefix_class(n, load8(b, 0) & !FOLD),
        });
    }
    check_name(name)?;
    Ok(class_of(name))
}

/// [`name_class`] of a name of at most 16 bytes (`None` for a longer one), without a call.
#[cfg(not(target_os = "none"))]
#[inline(always)]
pub(crate) fn short_name_class(name: &str) -> Option<Result<Class, Error>> {
    match short_known_class(name) {
        Short::Known(class) => Some(Ok(class)),
        Short::Unknown => Some(short_unknown_class(name)),
        Short::Invalid => Some(Err(Error::InvalidName)),
        Short::Other => None,
    }
}

/// What [`short_known_class`] tells of a name.
#[cfg(not(target_os = "none"))]
#[derive(Clone, Copy)]
pub(crate) enum Short {
    /// A known name (so a valid one) of at most 16 bytes, and its class; or a checked name
    /// of 17 to 32 bytes that no known name has the length of, and its class.
    Known(Class),
    /// A name of 17 to 32 bytes that is not a valid name.
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    Invalid,
    /// A name of 1 to 16 bytes that is not a known one (nor checked): see
    /// [`short_unknown_class`].
    Unknown,
    /// An empty name or one longer than 16 bytes.
    Other,
}

/// Whether a name of at most 16 bytes is a known one, and its class: the name is loaded as
/// two words with fixed shifts only (a shift by a count that depends on the length would
/// take `rcx`, which holds an argument), the first and the last eight bytes, four, or the
/// first, middle and last byte, and compared with the known name of its hash slot. Nothing
/// is kept for an unknown name (which [`short_unknown_class`] loads again), so that the
/// lookup needs no more than the caller's scratch registers.
#[cfg(not(target_os = "none"))]
#[inline(always)]
pub(crate) fn short_known_class(name: &str) -> Short {
    let b = name.as_bytes();
    let n = b.len();
    let (head, last) = if n > 16 {
        // Names of 17 to 48 bytes (unknown `X-` names, mostly) from three vectors, without
        // a call; the five known names of these lengths are left to [`name_class`], and so
        // is any other name of their lengths unless it starts with `X-`, as none of them
        // does (an `X-` name of 27 bytes, or one of 33 or more, went through `name_class`,
        // about 100 instructions more).
        #[cfg(target_arch = "x86_64")]
        {
            let first = load8(b, 0) & !FOLD;
            let x_name = first & 0xFFFF == X_DASH;
            if n <= LONG_NAME_MAX && (x_name || !matches!(n, 17 | 19 | 22 | 25 | 27)) {
                if !long_name_chars(b) {
                    return Short::Invalid;
                }
                return Short::Known(prefix_class(n, first));
            }
        }
        return Short::Other;
    } else if n >= 8 {
        (load8(b, 0), load8(b, n - 8))
    } else if n >= 4 {
        (four(b, 0), four(b, n - 4))
    } else if n > 0 {
        (three(b), 0)
    } else {
        return Short::Other;
    };
    match known_class(n, head, last) {
        Some(class) => Short::Known(class),
        None => Short::Unknown,
    }
}

/// The class of a name of 1 to 16 bytes that is not a known one: checked, then `ARC-*`,
/// `List-*` or unstructured.
#[cfg(not(target_os = "none"))]
#[inline(always)]
pub(crate) fn short_unknown_class(name: &str) -> Result<Class, Error> {
    let b = name.as_bytes();
    let n = b.len();
    let bad = if n >= 8 {
        not_name_chars(load8(b, 0)) | not_name_chars(load8(b, n - 8))
    } else if n >= 4 {
        not_name_chars(four(b, 0) | (four(b, n - 4) << 32))
    } else if n > 0 {
        not_name_chars(three(b) | PAD)
    } else {
        return Err(Error::InvalidName);
    };
    if bad != 0 {
        return Err(Error::InvalidName);
    }
    Ok(prefix_class(n, prefix_head(b) & !FOLD))
}

/// Five `a`s above the three bytes of [`three`]: the check word of a 1-3 byte name.
#[cfg(not(target_os = "none"))]
const PAD: u64 = u64::from_le_bytes([0, 0, 0, b'a', b'a', b'a', b'a', b'a']);

/// Four bytes of `b` from `at`, little-endian, zero-extended (0 past the end).
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn four(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 4)
        .and_then(|w| <[u8; 4]>::try_from(w).ok())
        .map_or(0, |w| u64::from(u32::from_le_bytes(w)))
}

/// The first, middle and last byte of a name of 1-3 bytes (which together are all of them)
/// in bytes 0, 1 and 2 of a word.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn three(b: &[u8]) -> u64 {
    let n = b.len();
    let byte = |i: usize| u64::from(b.get(i).copied().unwrap_or(0));
    byte(0) | (byte(n / 2) << 8) | (byte(n.wrapping_sub(1)) << 16)
}

/// The first (up to) eight bytes of a name, little-endian, zero-padded: what
/// [`prefix_class`] looks at (for an unknown name only).
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn prefix_head(b: &[u8]) -> u64 {
    let n = b.len();
    if n >= 8 {
        load8(b, 0)
    } else if n >= 4 {
        four(b, 0) | (four(b, n - 4) << (8 * (n - 4)))
    } else {
        0
    }
}

/// Bit 5 of every byte: ignoring it compares letters case-insensitively (see [`same_name`]).
const FOLD: u64 = ONES * 0x20;

/// A known name of at most 16 bytes as the words [`name_class`] loads: its bytes as written,
/// zero-padded, two little-endian words. 64 bytes (aligned), so that an entry is one cache
/// line and its offset in [`SLOTS`] the slot shifted.
#[cfg(not(target_os = "none"))]
#[derive(Clone, Copy)]
#[repr(align(64))]
struct Known {
    /// The two words [`name_class`] loads from a name of this length.
    head: u64,
    last: u64,
    /// Every bit but bit 5 of each byte that is a letter (bit 5 being the only bit another
    /// case of the name flips), in the same places: the bits a name must share with it.
    /// Stored inverted, so that the lookup needs no `not`.
    head_keep: u64,
    last_keep: u64,
    /// Its length; 0 in an empty slot of [`SLOTS`], which no name matches.
    len: usize,
    class: Class,
}

/// The two words [`name_class`] loads from a name of 1 to 16 bytes, of `byte(i)` for byte
/// `i` (the byte itself, or its case bit).
#[cfg(not(target_os = "none"))]
const fn name_words(b: &[u8], case: bool) -> (u64, u64) {
    let n = b.len();
    let (mut head, mut last, mut i) = (0u64, 0u64, 0);
    if n >= 8 {
        while i < 8 {
            head |= name_byte(b, i, case) << (8 * i);
            last |= name_byte(b, n - 8 + i, case) << (8 * i);
            i += 1;
        }
    } else if n >= 4 {
        while i < 4 {
            head |= name_byte(b, i, case) << (8 * i);
            last |= name_byte(b, n - 4 + i, case) << (8 * i);
            i += 1;
        }
    } else {
        head = name_byte(b, 0, case)
            | (name_byte(b, n / 2, case) << 8)
            | (name_byte(b, n - 1, case) << 16);
    }
    (head, last)
}

/// Byte `i` of `b`, or (`case`) its case bit: 0x20 for a letter, else 0.
#[cfg(not(target_os = "none"))]
const fn name_byte(b: &[u8], i: usize, case: bool) -> u64 {
    if !case {
        b[i] as u64
    } else if b[i].is_ascii_alphabetic() {
        0x20
    } else {
        0
    }
}

#[cfg(not(target_os = "none"))]
const fn known(name: &str, class: Class) -> Known {
    let b = name.as_bytes();
    let (head, last) = name_words(b, false);
    let (head_case, last_case) = name_words(b, true);
    Known {
        head,
        last,
        head_keep: !head_case,
        last_keep: !last_case,
        len: b.len(),
        class,
    }
}

/// The known names of at most 16 bytes.
#[cfg(not(target_os = "none"))]
const SHORT_NAMES: [Known; 31] = {
    use Class::*;
    const A: Class = Address;
    const BCC: Class = AddressBcc;
    const ONE: Class = AddressOne;
    [
        known("To", A),
        known("Cc", A),
        known("Bcc", BCC),
        known("From", A),
        known("Date", Date),
        known("Sender", ONE),
        known("List-Id", ListId),
        known("Reply-To", A),
        known("Keywords", Keywords),
        known("Received", AsciiStructured),
        known("Resent-To", A),
        known("Resent-Cc", A),
        known("Message-ID", MsgIdOne),
        known("References", MsgIdList),
        // Unstructured like any unknown name; listed so the most common name is found here
        // rather than after the name check and the prefix test.
        known("Subject", Unstructured),
        known("Content-ID", MsgIdOne),
        known("Resent-Bcc", BCC),
        known("Precedence", AsciiStructured),
        known("In-Reply-To", MsgIdList),
        known("Resent-From", A),
        known("Return-Path", ReturnPath),
        known("Resent-Date", Date),
        known("Feedback-ID", AsciiStructured),
        known("Received-SPF", AsciiStructured),
        known("MIME-Version", AsciiStructured),
        known("Content-Type", Mime),
        known("Resent-Sender", ONE),
        known("Mail-Reply-To", A),
        known("DKIM-Signature", AsciiStructured),
        known("Auto-Submitted", AsciiStructured),
        known("Mail-Followup-To", A),
    ]
};

/// Slots of the hash table of [`SHORT_NAMES`] (a power of two).
#[cfg(not(target_os = "none"))]
const SLOT_BITS: u32 = 7;

/// The slot of a name given as its folded first word: a multiplicative hash of the word
/// and the length, top bits. (The first word and the length tell the known names apart.)
#[cfg(not(target_os = "none"))]
#[inline(always)]
const fn slot(len: usize, head: u64, mul: u64) -> usize {
    // (`-` rather than `^`: `Cc` and `Bcc` would share a key.)
    (head.wrapping_sub(len as u64).wrapping_mul(mul) >> (64 - SLOT_BITS)) as usize
}

/// A multiplier under which every name of [`SHORT_NAMES`] has a slot of its own, found at
/// compile time (the build fails if none of the candidates works), and the table it gives:
/// a name is known exactly when it equals the entry in its slot, so one comparison decides
/// what a search through the candidates of its length would.
#[cfg(not(target_os = "none"))]
const SLOTS: (u64, [Known; 1 << SLOT_BITS]) = {
    const EMPTY: Known = Known {
        head: 0,
        last: 0,
        head_keep: !0,
        last_keep: !0,
        len: 0,
        class: Class::Unstructured,
    };
    let mut mul: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut tries = 0;
    loop {
        assert!(tries < 10_000, "no perfect hash for the known names");
        let mut table = [EMPTY; 1 << SLOT_BITS];
        let mut i = 0;
        let mut clash = false;
        while i < SHORT_NAMES.len() {
            let k = SHORT_NAMES[i];
            let at = slot(k.len, k.head & !FOLD, mul);
            if table[at].len != 0 {
                clash = true;
                break;
            }
            table[at] = k;
            i += 1;
        }
        if !clash {
            break (mul, table);
        }
        mul = mul.wrapping_add(0x6A09_E667_F3BC_C908);
        tries += 1;
    }
};

/// The table of [`SLOTS`] as a static of its own: the symbol is the table, so that each
/// field of an entry, the class byte too, is one load from the slot's offset (from a
/// promoted `&SLOTS`, 64 bytes past the multiplier, the class took a `lea` and an `add`
/// first).
#[cfg(not(target_os = "none"))]
static KNOWN: [Known; 1 << SLOT_BITS] = SLOTS.1;

/// The class of the known name of `n <= 16` bytes whose words (as [`name_class`] loads
/// them) are `head` and `last`: equal to a known name up to the case of its letters, which
/// makes it a valid name too, so no name check is needed. `None` for any other name.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn known_class(n: usize, head: u64, last: u64) -> Option<Class> {
    // The slot is below the table's length (the top SLOT_BITS bits of a word): indexing
    // needs no check, and the entry's fields are loaded from one address.
    let k = &KNOWN[slot(n, head & !FOLD, SLOTS.0) % KNOWN.len()];
    // The length in the same test: one branch.
    let differ =
        ((head ^ k.head) & k.head_keep) | ((last ^ k.last) & k.last_keep) | (k.len ^ n) as u64;
    (differ == 0).then_some(k.class)
}

/// The class of an unknown name of `n` bytes whose first eight (or fewer, zero-padded) are
/// `head`, case folded: `ARC-*` and `List-*` (the prefix and at least one byte after it) are
/// ASCII-structured, everything else unstructured.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn prefix_class(n: usize, head: u64) -> Class {
    const ARC: u64 = u64::from_le_bytes(*b"ARC-\0\0\0\0") & !FOLD;
    const LIST: u64 = u64::from_le_bytes(*b"List-\0\0\0") & !FOLD;
    if (n > 4 && head & 0xFFFF_FFFF == ARC) || (n > 5 && head & 0xFF_FFFF_FFFF == LIST) {
        Class::AsciiStructured
    } else {
        Class::Unstructured
    }
}

/// The longest name [`short_known_class`] and [`name_class`] check with
/// [`long_name_chars`].
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
const LONG_NAME_MAX: usize = 48;

/// The first two bytes of a name that starts with `X-` or `x-`, case-folded as
/// [`short_known_class`] folds them (`&!FOLD`), little-endian.
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
const X_DASH: u64 = u16::from_le_bytes(*b"X-") as u64 & !FOLD;

/// Whether every byte of a name of 17 to 48 bytes is a name character, from three
/// overlapping 16-byte vectors (SSE2, the x86_64 baseline): at 0, at 16 (at `n - 16` for a
/// name of at most 32 bytes, which the last one then tests again) and ending with the name,
/// without a branch on the length.
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
#[inline(always)]
fn long_name_chars(b: &[u8]) -> bool {
    use core::arch::x86_64::{
        _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_loadu_si128,
        _mm_movemask_epi8, _mm_set1_epi8,
    };
    let n = b.len();
    if !(17..=LONG_NAME_MAX).contains(&n) {
        return false;
    }
    // SAFETY: the loads read 16 bytes inside `b`, at 0, at `min(16, n - 16)` and at
    // `n - 16` (16 < n); SSE2 is part of x86_64.
    unsafe {
        let ok = |p: *const u8| {
            let v = _mm_loadu_si128(p.cast());
            // Signed compares: bytes from 0x80 are negative, so `v > 32` also rules them out.
            let printable = _mm_and_si128(
                _mm_cmpgt_epi8(v, _mm_set1_epi8(32)),
                _mm_cmpgt_epi8(_mm_set1_epi8(127), v),
            );
            let colon = _mm_cmpeq_epi8(v, _mm_set1_epi8(b':' as i8));
            _mm_movemask_epi8(_mm_andnot_si128(colon, printable)) == 0xFFFF
        };
        ok(b.as_ptr()) & ok(b.as_ptr().add((n - 16).min(16))) & ok(b.as_ptr().add(n - 16))
    }
}

/// The definition [`check_name`] must agree with.
#[cfg(test)]
fn check_name_reference(name: &str) -> Result<(), Error> {
    if name.is_empty() || !name.bytes().all(|b| matches!(b, 33..=126) && b != b':') {
        return Err(Error::InvalidName);
    }
    Ok(())
}

/// The table [`class_of`] replaced, kept as the definition it must agree with.
#[cfg(test)]
fn class_of_reference(name: &str) -> Class {
    let eq = |s: &str| name.eq_ignore_ascii_case(s);
    let prefix = |p: &str| {
        name.len() > p.len() && name.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
    };
    const ONE_ID: [&str; 4] = [
        "Message-ID",
        "Resent-Message-ID",
        "Content-ID",
        "Original-Message-ID",
    ];
    const ADDRESS: [&str; 14] = [
        "From",
        "Sender",
        "Reply-To",
        "To",
        "Cc",
        "Bcc",
        "Resent-From",
        "Resent-Sender",
        "Resent-To",
        "Resent-Cc",
        "Resent-Bcc",
        "Disposition-Notification-To",
        "Mail-Followup-To",
        "Mail-Reply-To",
    ];
    const ASCII: [&str; 9] = [
        "Received",
        "DKIM-Signature",
        "Authentication-Results",
        "Received-SPF",
        "MIME-Version",
        "Content-Transfer-Encoding",
        "Auto-Submitted",
        "Precedence",
        "Feedback-ID",
    ];
    if ONE_ID.iter().any(|n| eq(n)) {
        Class::MsgIdOne
    } else if eq("In-Reply-To") || eq("References") {
        Class::MsgIdList
    } else if ADDRESS.iter().any(|n| eq(n)) {
        if eq("Bcc") || eq("Resent-Bcc") {
            Class::AddressBcc
        } else if eq("Sender") || eq("Resent-Sender") {
            Class::AddressOne
        } else {
            Class::Address
        }
    } else if eq("Return-Path") {
        Class::ReturnPath
    } else if eq("Date") || eq("Resent-Date") {
        Class::Date
    } else if eq("List-Id") {
        Class::ListId
    } else if eq("Keywords") {
        Class::Keywords
    } else if ASCII.iter().any(|n| eq(n)) || prefix("ARC-") || prefix("List-") {
        Class::AsciiStructured
    } else if eq("Content-Type") || eq("Content-Disposition") {
        Class::Mime
    } else {
        Class::Unstructured
    }
}

/// [`format_value`] for an unstructured field: the plain fast path, then the general one.
#[cfg(not(target_os = "none"))]
#[inline(always)]
pub(crate) fn format_unstructured(
    sink: &mut SliceSink<'_>,
    name: &str,
    value: &str,
    options: &Options,
) -> Result<(), Error> {
    if unstructured::format_plain_field(sink, name, value.as_bytes(), options) {
        return Ok(());
    }
    // Unstructured fields check controls where the fast path cannot (same errors).
    unstructured::format_field(sink, name, value, options)
}

///
/// `tried`: the one- and two-id writers have already declined the value (`raw::field` tries
/// them first), so the msg-id fast path goes straight to its scan.
pub(crate) fn format_value(
    sink: &mut SliceSink<'_>,
    name: &str,
    class: Class,
    value: &str,
    options: &Options,
    tried: bool,
) -> Result<(), Error> {
    #[cfg(target_os = "none")]
    let _ = tried;
    if matches!(class, Class::Unstructured)
        && unstructured::format_plain_field(sink, name, value.as_bytes(), options)
    {
        return Ok(());
    }
    // Not on bare metal, where flash counts more than speed and the general parser does it.
    #[cfg(not(target_os = "none"))]
    {
        if let Class::MsgIdOne | Class::MsgIdList = class {
            let one = matches!(class, Class::MsgIdOne);
            if msgid::format_fast(sink, name, value, options, one, tried) {
                return Ok(());
            }
        }
    }
    // Address fields check controls in their own one-pass reader (same errors).
    #[cfg(not(target_os = "none"))]
    if let Some((required, single)) = class.address() {
        return address::format_field(sink, name, value, options, required, single);
    }
    // Unstructured fields check controls where the fast path cannot (same errors).
    if let Class::Unstructured = class {
        return unstructured::format_field(sink, name, value, options);
    }
    input::check_controls(value.as_bytes())?;
    let mut folder = Folder::start(sink, name, options)?;
    match class {
        // Not reached (returned above); the general path, rather than a panic path, keeps
        // the match exhaustive.
        Class::Unstructured => unstructured::format(&mut folder, value, options)?,
        Class::MsgIdOne => msgid::format(&mut folder, value, options, true)?,
        Class::MsgIdList => msgid::format(&mut folder, value, options, false)?,
        Class::Address | Class::AddressBcc | Class::AddressOne => {
            let (required, single) = class.address().unwrap_or((true, false));
            address::format_text(&mut folder, value, options, required, single)?
        }
        Class::ReturnPath => address::format_return_path(&mut folder, value, options)?,
        Class::AsciiStructured => structured::format(&mut folder, value, options)?,
        Class::Date => structured::format_date_field(&mut folder, value, options)?,
        Class::Mime => mime::format_text(&mut folder, name, value, options)?,
        Class::Verbatim => structured::format_verbatim(&mut folder, value, options)?,
        Class::Keywords => phrase::format_keywords(&mut folder, value, options)?,
        Class::ListId => msgid::format_list_id(&mut folder, value, options)?,
    }
    folder.end();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::string::{String, ToString};
    use std::vec::Vec;

    /// Known names and prefixes, to mutate: names one byte away from a known one are where a
    /// word-at-a-time comparison could go wrong.
    const SEEDS: [&str; 12] = [
        "Message-ID",
        "Disposition-Notification-To",
        "Content-Transfer-Encoding",
        "Original-Message-ID",
        "Resent-Message-ID",
        "Authentication-Results",
        "To",
        "Bcc",
        "Sender",
        "ARC-Seal",
        "List-Help",
        "Subject",
    ];

    /// Every known name and prefix, and a few near misses.
    const KNOWN: [&str; 49] = [
        "ARC-Authentication-Results",
        "ARC-Message-Signature",
        "List-Unsubscribe-Post",
        "Message-ID",
        "Resent-Message-ID",
        "Content-ID",
        "Original-Message-ID",
        "In-Reply-To",
        "References",
        "From",
        "Sender",
        "Reply-To",
        "To",
        "Cc",
        "Bcc",
        "Resent-From",
        "Resent-Sender",
        "Resent-To",
        "Resent-Cc",
        "Resent-Bcc",
        "Disposition-Notification-To",
        "Mail-Followup-To",
        "Mail-Reply-To",
        "Return-Path",
        "Date",
        "Resent-Date",
        "List-Id",
        "Keywords",
        "Received",
        "DKIM-Signature",
        "Authentication-Results",
        "Received-SPF",
        "MIME-Version",
        "Content-Transfer-Encoding",
        "Auto-Submitted",
        "Precedence",
        "Feedback-ID",
        "Content-Type",
        "Content-Disposition",
        "ARC-Seal",
        "ARC-",
        "List-Unsubscribe",
        "List-",
        "Subject",
        "X-Mailer",
        "T",
        "Tox",
        "Message-IE",
        "Mime-Versio",
    ];

    fn name_bytes() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..40),
            proptest::collection::vec(32u8..=127, 0..40),
            (0..SEEDS.len(), any::<usize>(), any::<u8>(), any::<bool>()).prop_map(
                |(k, at, byte, flip)| {
                    let mut v = SEEDS[k].as_bytes().to_vec();
                    let at = at % v.len();
                    v[at] = if flip { v[at] ^ 0x20 } else { byte };
                    v
                }
            ),
        ]
    }

    /// What [`name_class`] must return: the two separate steps' references.
    fn reference(name: &str) -> Result<Class, Error> {
        check_name_reference(name).map(|()| class_of_reference(name))
    }

    /// Every known name, in three spellings, with each byte replaced by every other byte:
    /// a word comparison that ignores a byte, or folds one it should not, shows up here.
    #[test]
    fn every_byte_of_every_known_name() {
        for k in SEEDS.iter().chain(&KNOWN) {
            for spelling in [
                k.to_string(),
                k.to_ascii_lowercase(),
                k.to_ascii_uppercase(),
            ] {
                for at in 0..spelling.len() {
                    for byte in 0..=255u8 {
                        let mut v = spelling.clone().into_bytes();
                        v[at] = byte;
                        let name = String::from_utf8_lossy(&v);
                        assert_eq!(name_class(&name), reference(&name), "{v:?}");
                    }
                }
                // Shorter and longer by one byte at either end.
                for cut in [&spelling[1..], &spelling[..spelling.len() - 1]] {
                    assert_eq!(name_class(cut), reference(cut), "{cut}");
                }
                for longer in [std::format!("{spelling}x"), std::format!("x{spelling}")] {
                    assert_eq!(name_class(&longer), reference(&longer), "{longer}");
                }
            }
        }
    }

    #[test]
    fn every_byte_in_every_position_of_a_name() {
        for len in 1..=56 {
            for at in 0..len {
                for byte in 0..=255u8 {
                    let mut v = std::vec![b'x'; len];
                    v[at] = byte;
                    let name = String::from_utf8_lossy(&v);
                    assert_eq!(check_name(&name), check_name_reference(&name), "{v:?}");
                    assert_eq!(name_class(&name), reference(&name), "{v:?}");
                }
            }
        }
    }

    proptest! {
        #[test]
        fn name_check_and_class_agree_with_the_references(v in name_bytes()) {
            let name = String::from_utf8_lossy(&v);
            prop_assert_eq!(check_name(&name), check_name_reference(&name));
            if check_name(&name).is_ok() {
                prop_assert_eq!(class_of(&name), class_of_reference(&name));
            }
            prop_assert_eq!(name_class(&name), reference(&name));
        }
    }

    #[test]
    fn names() {
        assert_eq!(check_name(""), Err(Error::InvalidName));
        assert_eq!(check_name("Sub ject"), Err(Error::InvalidName));
        assert_eq!(check_name("Subject:"), Err(Error::InvalidName));
        assert_eq!(check_name("Sübject"), Err(Error::InvalidName));
        assert_eq!(check_name("X-~!"), Ok(()));
    }

    #[test]
    fn classes_are_case_insensitive() {
        assert_eq!(class_of("message-id"), Class::MsgIdOne);
        assert_eq!(class_of("REFERENCES"), Class::MsgIdList);
        assert_eq!(class_of("bcc"), Class::AddressBcc);
        assert_eq!(class_of("arc-seal"), Class::AsciiStructured);
        assert_eq!(class_of("ARC-"), Class::Unstructured);
        assert_eq!(class_of("List-Unsubscribe"), Class::AsciiStructured);
        assert_eq!(class_of("list-id"), Class::ListId);
        assert_eq!(class_of("X-Mailer"), Class::Unstructured);
        assert_eq!(class_of("resent-date"), Class::Date);
    }

    /// `X-` names of every length, each byte replaced by every other one, and every known
    /// name with its first two bytes replaced by `X-` (the front part's long names skip the
    /// known names' lengths by that prefix).
    #[test]
    fn x_names_of_every_length() {
        for len in 1..=56 {
            for at in 0..len {
                for byte in 0..=255u8 {
                    let mut v = std::vec![b'x'; len];
                    v[0] = b'X';
                    if len > 1 {
                        v[1] = b'-';
                    }
                    v[at] = byte;
                    let name = String::from_utf8_lossy(&v);
                    assert_eq!(name_class(&name), reference(&name), "{v:?}");
                }
            }
        }
        for k in SEEDS.iter().chain(&KNOWN) {
            for prefix in ["X-", "x-", "Y-", "X_"] {
                if let Some(rest) = k.get(2..) {
                    let name = std::format!("{prefix}{rest}");
                    assert_eq!(name_class(&name), reference(&name), "{name}");
                }
            }
        }
    }

    #[test]
    fn length_dispatch_matches_the_reference_table() {
        for n in KNOWN {
            for v in [
                n.to_string(),
                n.to_ascii_lowercase(),
                n.to_ascii_uppercase(),
            ] {
                assert_eq!(class_of(&v), class_of_reference(&v), "{v}");
                assert_eq!(name_class(&v), Ok(class_of_reference(&v)), "{v}");
            }
        }
    }
}
