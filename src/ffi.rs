//! The C ABI (SPEC §1.2), declared in `include/mailfold.h` (generated from this file by
//! cbindgen; `tests/c_header.rs` keeps the two in step).
//!
//! This layer holds no formatting logic. Each export checks its pointers and lengths, turns
//! them into slices, checks UTF-8, converts the options, calls the Rust API and maps the
//! result to a status code. Everything that decides what the output looks like, and the
//! promise that validation never depends on the buffer size, lives in the core.
//!
//! Conventions shared by every function that writes (they are repeated in the header):
//!
//! * `*out_len` gets the bytes written on success, the exact bytes needed with
//!   [`MAILFOLD_BUFFER_TOO_SMALL`], and 0 on any other error. It never counts a NUL.
//! * On success a NUL follows the output when `out_cap > *out_len`. Nothing is ever written at
//!   or past `out + out_cap`.
//! * `out == NULL, out_cap == 0` is a size query.
//! * A pointer may be NULL only with length 0; a NULL `out_len`, or NULL with a non-zero
//!   length, gives [`MAILFOLD_NULL_ARGUMENT`]. Bytes that are not UTF-8 give
//!   [`MAILFOLD_INVALID_UTF8`].
//!
//! The exports are `extern "C"`, so a panic (which the core is written never to raise) aborts
//! instead of unwinding into C.
#![warn(clippy::undocumented_unsafe_blocks)]

use core::ffi::{c_char, CStr};
use core::{ptr, slice, str};

use crate::{Encoding, Error, FieldClass, LineEnding, Mailbox, Options, DEFAULT_MAX_LINE_LEN};

// Status codes. The values are part of the ABI: never renumber, only append.

/// Success.
pub const MAILFOLD_OK: i32 = 0;
/// The output buffer is too small; `*out_len` holds the exact size needed (no NUL counted).
/// Also the answer to a size query. The input is valid.
pub const MAILFOLD_BUFFER_TOO_SMALL: i32 = 1;
/// `out_len` is NULL, or a pointer is NULL while its length is not 0.
pub const MAILFOLD_NULL_ARGUMENT: i32 = 2;
/// The header name is empty, or has a byte outside 33..=126, or a `:`; or, for
/// `mailfold_format_mailboxes`, names a field that holds no mailbox list (a msg-id field,
/// `Date`, a MIME or other structured field, `Keywords`, `List-Id`).
pub const MAILFOLD_INVALID_NAME: i32 = 3;
/// An input string is not valid UTF-8.
pub const MAILFOLD_INVALID_UTF8: i32 = 4;
/// A CR or LF that is not a fold, NUL, another control character, or a Unicode line
/// separator where nothing may be encoded.
pub const MAILFOLD_CONTROL_CHARACTER: i32 = 5;
/// Non-ASCII text where it cannot be encoded and `MAILFOLD_FLAG_UTF8` is not set (inside the
/// ids of a msg-id field: `MAILFOLD_INVALID_MSG_ID`).
pub const MAILFOLD_NON_ASCII: i32 = 6;
/// A malformed msg-id (non-ASCII in one without `MAILFOLD_FLAG_UTF8` too), or a domain
/// unusable in one.
pub const MAILFOLD_INVALID_MSG_ID: i32 = 7;
/// A malformed address, address list or group.
pub const MAILFOLD_INVALID_ADDRESS: i32 = 8;
/// Some line would exceed 998 octets whatever the folding.
pub const MAILFOLD_LINE_TOO_LONG: i32 = 9;
/// An option is out of range: `max_line_len` outside 40..=998 (0 means 78), an unknown flag
/// bit, both `MAILFOLD_FLAG_FORCE_Q` and `MAILFOLD_FLAG_FORCE_B`, or an unknown field class.
pub const MAILFOLD_INVALID_OPTION: i32 = 10;
/// A date outside what `mailfold_format_date` supports, or a `Date` value that is not an
/// RFC 5322 date-time.
pub const MAILFOLD_INVALID_DATE: i32 = 11;
/// A malformed MIME parameter field.
pub const MAILFOLD_INVALID_PARAMETER: i32 = 12;

// Field classes for `mailfold_format_field`. Part of the ABI like the status codes.

/// Chosen from the header name, case-insensitively (what `mailfold_format_header` does).
pub const MAILFOLD_CLASS_AUTO: i32 = 0;
/// Free text; non-ASCII words become RFC 2047 encoded-words.
pub const MAILFOLD_CLASS_UNSTRUCTURED: i32 = 1;
/// One or more msg-ids; never encoded, folded only between ids.
pub const MAILFOLD_CLASS_MSG_ID: i32 = 2;
/// An address list with groups.
pub const MAILFOLD_CLASS_ADDRESS: i32 = 3;
/// `<addr-spec>` or `<>`.
pub const MAILFOLD_CLASS_RETURN_PATH: i32 = 4;
/// Structured ASCII text that is never encoded; folded at white space.
pub const MAILFOLD_CLASS_ASCII_STRUCTURED: i32 = 5;
/// A MIME parameter field (`type/subtype; name=value`).
pub const MAILFOLD_CLASS_MIME: i32 = 6;
/// Written exactly as given after checking it already is a valid, folded field body.
pub const MAILFOLD_CLASS_VERBATIM: i32 = 7;

// Flag bits of `mailfold_options.flags`.

/// End lines with LF instead of CRLF.
pub const MAILFOLD_FLAG_LF: u32 = 1;
/// RFC 6532: write UTF-8 raw where the syntax allows it instead of encoding or rejecting it.
pub const MAILFOLD_FLAG_UTF8: u32 = 2;
/// Always use the RFC 2047 "Q" encoding (default: whichever is shorter).
pub const MAILFOLD_FLAG_FORCE_Q: u32 = 4;
/// Always use the RFC 2047 "B" encoding (default: whichever is shorter).
pub const MAILFOLD_FLAG_FORCE_B: u32 = 8;
/// MIME parameter fields: also write the RFC 2047 form of a non-ASCII parameter value after
/// its RFC 2231 form, for old Outlook versions.
pub const MAILFOLD_FLAG_RFC2047_PARAMS: u32 = 16;

const KNOWN_FLAGS: u32 = MAILFOLD_FLAG_LF
    | MAILFOLD_FLAG_UTF8
    | MAILFOLD_FLAG_FORCE_Q
    | MAILFOLD_FLAG_FORCE_B
    | MAILFOLD_FLAG_RFC2047_PARAMS;

/// `*error_at` after an error that has no position in the value (and after success).
const NO_POSITION: usize = usize::MAX;

/// How a field is written. All-zero is the defaults, so `mailfold_options o = {0};` works.
///
/// ```c
/// mailfold_options o = mailfold_options_default();
/// o.max_line_len = 72;                  // 0 means 78; otherwise 40..=998
/// o.flags = MAILFOLD_FLAG_LF | MAILFOLD_FLAG_FORCE_B;
/// ```
#[allow(non_camel_case_types)] // The C spelling is the ABI (SPEC §1.2).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct mailfold_options {
    /// Soft line limit in characters, excluding the line ending: 40..=998, or 0 for 78.
    pub max_line_len: u32,
    /// `MAILFOLD_FLAG_*` bits. Unknown bits, or both FORCE_Q and FORCE_B, give
    /// `MAILFOLD_INVALID_OPTION`.
    pub flags: u32,
}

/// One mailbox for `mailfold_format_mailboxes`. The display name is taken literally: a comma
/// or `<` in it is quoted or encoded, never read as syntax, so text from a web form can never
/// add a recipient.
///
/// ```c
/// mailfold_mailbox box = { "Doe, John", 9, "jd@example.com", 14 };
/// mailfold_mailbox bare = { NULL, 0, "ops@example.com", 15 };   // no display name
/// ```
#[allow(non_camel_case_types)] // The C spelling is the ABI (SPEC §1.2).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct mailfold_mailbox {
    /// UTF-8 display name, not NUL-terminated; NULL (with length 0) for none.
    pub display_name: *const c_char,
    /// Length of `display_name` in bytes.
    pub display_name_len: usize,
    /// The addr-spec (local part, `@`, domain), not NUL-terminated.
    pub addr_spec: *const c_char,
    /// Length of `addr_spec` in bytes.
    pub addr_spec_len: usize,
}

/// One MIME parameter for `mailfold_format_mime`: a name (an RFC 2045 token) and its value,
/// taken literally (never pre-quoted or pre-encoded: the library chooses a token, a
/// quoted-string or RFC 2231 encoding, and continuations for long values).
///
/// ```c
/// mailfold_param p = { "filename", 8, "R\xc3\xa9sum\xc3\xa9.pdf", 12 };
/// ```
#[allow(non_camel_case_types)] // The C spelling is the ABI (SPEC §7).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct mailfold_param {
    /// Parameter name, not NUL-terminated.
    pub name: *const c_char,
    /// Length of `name` in bytes.
    pub name_len: usize,
    /// UTF-8 value, not NUL-terminated; NULL (with length 0) for an empty value.
    pub value: *const c_char,
    /// Length of `value` in bytes.
    pub value_len: usize,
}

/// Why a call failed, before it is spread over the return value, `*out_len` and `*error_at`.
struct Failure {
    status: i32,
    /// For `MAILFOLD_BUFFER_TOO_SMALL` only.
    needed: usize,
    /// Byte offset into the value, or `NO_POSITION`.
    at: usize,
}

impl Failure {
    const fn status(status: i32) -> Self {
        Failure {
            status,
            needed: 0,
            at: NO_POSITION,
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        // Exhaustive on purpose: a new core error must get a status code before this builds.
        let status = match e {
            Error::BufferTooSmall { needed } => {
                return Failure {
                    status: MAILFOLD_BUFFER_TOO_SMALL,
                    needed,
                    at: NO_POSITION,
                }
            }
            Error::InvalidName => MAILFOLD_INVALID_NAME,
            Error::ControlCharacter { .. } => MAILFOLD_CONTROL_CHARACTER,
            Error::NonAscii { .. } => MAILFOLD_NON_ASCII,
            Error::InvalidMsgId { .. } => MAILFOLD_INVALID_MSG_ID,
            Error::InvalidAddress { .. } => MAILFOLD_INVALID_ADDRESS,
            Error::LineTooLong => MAILFOLD_LINE_TOO_LONG,
            Error::InvalidOption => MAILFOLD_INVALID_OPTION,
            Error::InvalidDate => MAILFOLD_INVALID_DATE,
            Error::InvalidParameter { .. } => MAILFOLD_INVALID_PARAMETER,
        };
        Failure {
            status,
            needed: 0,
            at: e.at().unwrap_or(NO_POSITION),
        }
    }
}

type FfiResult = Result<usize, Failure>;

/// The caller's array behind a (pointer, count) pair; NULL is allowed only with count 0.
///
/// # Safety
/// A non-NULL `ptr` must be valid for reads of `n` aligned elements for `'a`, and not be
/// written to meanwhile.
unsafe fn array<'a, T>(ptr: *const T, n: usize) -> Result<&'a [T], Failure> {
    if ptr.is_null() {
        return if n == 0 {
            Ok(&[])
        } else {
            Err(Failure::status(MAILFOLD_NULL_ARGUMENT))
        };
    }
    // SAFETY: non-NULL, and the caller guarantees `n` readable, aligned elements.
    Ok(unsafe { slice::from_raw_parts(ptr, n) })
}

/// The caller's bytes behind a (pointer, length) pair; NULL is allowed only with length 0.
///
/// # Safety
/// A non-NULL `ptr` must be valid for reads of `len` bytes for `'a`, and not be written to
/// meanwhile.
unsafe fn bytes<'a>(ptr: *const c_char, len: usize) -> Result<&'a [u8], Failure> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(Failure::status(MAILFOLD_NULL_ARGUMENT))
        };
    }
    // SAFETY: non-NULL, and the caller guarantees `len` readable bytes that stay unchanged
    // for 'a; u8 has alignment 1.
    Ok(unsafe { slice::from_raw_parts(ptr.cast::<u8>(), len) })
}

/// The bytes as UTF-8 text; the error's `at` is the first byte that is not.
fn utf8(b: &[u8]) -> Result<&str, Failure> {
    str::from_utf8(b).map_err(|e| Failure {
        status: MAILFOLD_INVALID_UTF8,
        needed: 0,
        at: e.valid_up_to(),
    })
}

/// A header name as UTF-8 text. A position in the name would be misread as one in the value
/// (all `error_at` describes), so an error here has none.
fn name_utf8(b: &[u8]) -> Result<&str, Failure> {
    str::from_utf8(b).map_err(|_| Failure::status(MAILFOLD_INVALID_UTF8))
}

/// The output buffer; `out == NULL, out_cap == 0` is the size query (an empty buffer).
///
/// # Safety
/// A non-NULL `out` must be valid for writes of `out_cap` bytes for `'a` and overlap nothing
/// else the call reads or writes.
unsafe fn output<'a>(out: *mut c_char, out_cap: usize) -> Result<&'a mut [u8], Failure> {
    if out.is_null() {
        return if out_cap == 0 {
            Ok(&mut [])
        } else {
            Err(Failure::status(MAILFOLD_NULL_ARGUMENT))
        };
    }
    // SAFETY: non-NULL, and the caller guarantees `out_cap` writable bytes used by nothing
    // else during the call; u8 has alignment 1.
    Ok(unsafe { slice::from_raw_parts_mut(out.cast::<u8>(), out_cap) })
}

/// The Rust options for a C `mailfold_options` (NULL = defaults). Range checks of
/// `max_line_len` are the core's.
///
/// # Safety
/// A non-NULL `options` must point to a readable `mailfold_options`.
unsafe fn options(options: *const mailfold_options) -> Result<Options, Failure> {
    // SAFETY: NULL is handled by as_ref; otherwise the caller guarantees a valid struct.
    let o = unsafe { options.as_ref() }.copied().unwrap_or_default();
    let invalid = Failure::status(MAILFOLD_INVALID_OPTION);
    if o.flags & !KNOWN_FLAGS != 0 {
        return Err(invalid);
    }
    let encoding = match (
        o.flags & MAILFOLD_FLAG_FORCE_Q != 0,
        o.flags & MAILFOLD_FLAG_FORCE_B != 0,
    ) {
        (false, false) => Encoding::Auto,
        (true, false) => Encoding::Q,
        (false, true) => Encoding::B,
        (true, true) => return Err(invalid),
    };
    let max_line_len = match o.max_line_len {
        0 => DEFAULT_MAX_LINE_LEN,
        // A limit that does not fit in usize (16-bit targets) is out of range anyway.
        n => usize::try_from(n).unwrap_or(usize::MAX),
    };
    let line_ending = if o.flags & MAILFOLD_FLAG_LF != 0 {
        LineEnding::Lf
    } else {
        LineEnding::Crlf
    };
    Ok(Options::default()
        .with_max_line_len(max_line_len)
        .with_line_ending(line_ending)
        .with_utf8(o.flags & MAILFOLD_FLAG_UTF8 != 0)
        .with_encoding(encoding)
        .with_rfc2047_params(o.flags & MAILFOLD_FLAG_RFC2047_PARAMS != 0))
}

fn field_class(class: i32) -> Result<FieldClass, Failure> {
    Ok(match class {
        MAILFOLD_CLASS_AUTO => FieldClass::Auto,
        MAILFOLD_CLASS_UNSTRUCTURED => FieldClass::Unstructured,
        MAILFOLD_CLASS_MSG_ID => FieldClass::MsgId,
        MAILFOLD_CLASS_ADDRESS => FieldClass::Address,
        MAILFOLD_CLASS_RETURN_PATH => FieldClass::ReturnPath,
        MAILFOLD_CLASS_ASCII_STRUCTURED => FieldClass::AsciiStructured,
        MAILFOLD_CLASS_MIME => FieldClass::Mime,
        MAILFOLD_CLASS_VERBATIM => FieldClass::Verbatim,
        _ => return Err(Failure::status(MAILFOLD_INVALID_OPTION)),
    })
}

/// A successful core result, NUL-terminated when there is room.
fn terminated(out: &mut [u8], result: Result<usize, Error>) -> FfiResult {
    let n = result?;
    if let Some(b) = out.get_mut(n) {
        *b = 0;
    }
    Ok(n)
}

/// Spreads a result over the return value, `*out_len` and `*error_at`.
fn report(result: FfiResult, out_len: &mut usize, error_at: Option<&mut usize>) -> i32 {
    let (status, len, at) = match result {
        Ok(n) => (MAILFOLD_OK, n, NO_POSITION),
        Err(f) => (f.status, f.needed, f.at),
    };
    *out_len = len;
    if let Some(e) = error_at {
        *e = at;
    }
    status
}

/// Returns the default options: `max_line_len` 78, no flags (the same as all-zero).
///
/// ```c
/// mailfold_options o = mailfold_options_default();
/// o.flags |= MAILFOLD_FLAG_UTF8;   // RFC 6532 (SMTPUTF8) output
/// ```
#[unsafe(no_mangle)]
pub extern "C" fn mailfold_options_default() -> mailfold_options {
    mailfold_options {
        max_line_len: DEFAULT_MAX_LINE_LEN as u32,
        flags: 0,
    }
}

/// Formats one header field (`Name: value` plus the line ending, folded), choosing its syntax
/// from the name. Same as `mailfold_format_field` with `MAILFOLD_CLASS_AUTO` and no
/// `error_at`.
///
/// Returns a `MAILFOLD_*` status. `*out_len` gets the bytes written on success (a NUL follows
/// when `out_cap > *out_len`), the exact size needed with `MAILFOLD_BUFFER_TOO_SMALL`, and 0
/// on any other error. `out == NULL, out_cap == 0` is a size query. `options` may be NULL for
/// the defaults.
///
/// ```c
/// char buf[256];
/// size_t len;
/// const char *v = "Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln";
/// int32_t rc = mailfold_format_header("Subject", 7, v, strlen(v), NULL, buf, sizeof buf, &len);
/// if (rc == MAILFOLD_OK)
///     fwrite(buf, 1, len, stdout);   // prints: Subject: =?utf-8?b?R3LDvMOfZQ==?= aus =?utf-8?b?S8O2bG4=?= CRLF
/// else
///     fprintf(stderr, "mailfold: %s\n", mailfold_status_str(rc));
/// ```
///
/// # Safety
/// `name`, `value` (each NULL only with length 0) must be readable for their lengths, `out`
/// (NULL only with `out_cap` 0) writable for `out_cap` bytes, `options` NULL or valid,
/// `out_len` valid; `out` must not overlap any other argument.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailfold_format_header(
    name: *const c_char,
    name_len: usize,
    value: *const c_char,
    value_len: usize,
    options: *const mailfold_options,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> i32 {
    // SAFETY: the caller's contract is exactly mailfold_format_field's, with class AUTO and
    // no error_at.
    unsafe {
        mailfold_format_field(
            name,
            name_len,
            MAILFOLD_CLASS_AUTO,
            value,
            value_len,
            options,
            out,
            out_cap,
            out_len,
            ptr::null_mut(),
        )
    }
}

/// Formats one header field with the given `MAILFOLD_CLASS_*` syntax (`MAILFOLD_CLASS_AUTO` =
/// from the name; an unknown class gives `MAILFOLD_INVALID_OPTION`).
///
/// Results as for `mailfold_format_header`. When `error_at` is not NULL it gets the byte
/// offset into `value` of the first offending byte for errors that have one
/// (`MAILFOLD_INVALID_UTF8` in the value, `CONTROL_CHARACTER`, `NON_ASCII`, `INVALID_MSG_ID`,
/// `INVALID_ADDRESS`, `INVALID_PARAMETER`), and `SIZE_MAX` otherwise (success included).
///
/// ```c
/// // A DKIM signature must not be refolded: write it exactly as given.
/// const char *sig = "v=1; a=rsa-sha256;\r\n\tb=abc";
/// char buf[128];
/// size_t len, at;
/// int32_t rc = mailfold_format_field("DKIM-Signature", 14, MAILFOLD_CLASS_VERBATIM,
///                                    sig, strlen(sig), NULL, buf, sizeof buf, &len, &at);
/// if (rc == MAILFOLD_OK)
///     fwrite(buf, 1, len, stdout);   // prints: DKIM-Signature: v=1; a=rsa-sha256; CRLF HTAB b=abc CRLF
/// else if (at != SIZE_MAX)
///     fprintf(stderr, "%s at byte %zu\n", mailfold_status_str(rc), at);
/// ```
///
/// # Safety
/// As for `mailfold_format_header`; `error_at` must be NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailfold_format_field(
    name: *const c_char,
    name_len: usize,
    field_class: i32,
    value: *const c_char,
    value_len: usize,
    options: *const mailfold_options,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
    error_at: *mut usize,
) -> i32 {
    // SAFETY: the caller guarantees error_at is NULL or valid for a write.
    let error_at = unsafe { error_at.as_mut() };
    // SAFETY: the caller guarantees out_len is NULL or valid for a write.
    let Some(out_len) = (unsafe { out_len.as_mut() }) else {
        // Like every other error without a position (the header's promise).
        if let Some(e) = error_at {
            *e = NO_POSITION;
        }
        return MAILFOLD_NULL_ARGUMENT;
    };
    // SAFETY: the remaining arguments are forwarded under this function's contract.
    let result = unsafe {
        format_field(
            name,
            name_len,
            field_class,
            value,
            value_len,
            options,
            out,
            out_cap,
        )
    };
    report(result, out_len, error_at)
}

/// `mailfold_format_field` up to the spreading of the result.
///
/// # Safety
/// As for `mailfold_format_field`.
#[allow(clippy::too_many_arguments)] // The C signature, one to one.
unsafe fn format_field(
    name: *const c_char,
    name_len: usize,
    field_class: i32,
    value: *const c_char,
    value_len: usize,
    options: *const mailfold_options,
    out: *mut c_char,
    out_cap: usize,
) -> FfiResult {
    // All pointer checks come first, so NULL_ARGUMENT wins over the other codes.
    // SAFETY: the caller guarantees name is NULL or readable for name_len bytes.
    let name = unsafe { bytes(name, name_len) }?;
    // SAFETY: the caller guarantees value is NULL or readable for value_len bytes.
    let value = unsafe { bytes(value, value_len) }?;
    // SAFETY: the caller guarantees out as output() requires; it overlaps no other argument.
    let out = unsafe { output(out, out_cap) }?;
    // SAFETY: the caller guarantees options is NULL or valid.
    let options = unsafe { self::options(options) }?;
    let class = self::field_class(field_class)?;
    let name = name_utf8(name)?;
    let value = utf8(value)?;
    let result = crate::format_field(name, class, value, &options, out);
    terminated(out, result)
}

/// Formats an address field (`From`, `To`, ...) from separate mailboxes, whose display names
/// are taken literally (a comma or `<` in a name is quoted or encoded, never read as syntax).
///
/// Results as for `mailfold_format_header`. `boxes` may be NULL when `n_boxes` is 0 (an empty
/// `Bcc`). Each display name may be NULL with length 0 for none. `Return-Path` takes exactly
/// one mailbox without a display name (written `<addr-spec>`); a name whose field holds no
/// mailbox list (`Message-ID`, `Date`, `Content-Type`, ...) gives `MAILFOLD_INVALID_NAME`.
///
/// ```c
/// mailfold_mailbox to[2] = {
///     { "Doe, John", 9, "jd@example.com", 14 },
///     { NULL, 0, "ops@example.com", 15 },
/// };
/// char buf[256];
/// size_t len;
/// if (mailfold_format_mailboxes("To", 2, to, 2, NULL, buf, sizeof buf, &len) == MAILFOLD_OK)
///     fwrite(buf, 1, len, stdout);   // prints: To: "Doe, John" <jd@example.com>, ops@example.com CRLF
/// ```
///
/// # Safety
/// `name` and every string in `boxes` (each NULL only with length 0) must be readable for
/// their lengths, `boxes` (NULL only with `n_boxes` 0) readable for `n_boxes` elements, `out`
/// (NULL only with `out_cap` 0) writable for `out_cap` bytes, `options` NULL or valid,
/// `out_len` valid; `out` must not overlap any other argument.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailfold_format_mailboxes(
    name: *const c_char,
    name_len: usize,
    boxes: *const mailfold_mailbox,
    n_boxes: usize,
    options: *const mailfold_options,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> i32 {
    // SAFETY: the caller guarantees out_len is NULL or valid for a write.
    let Some(out_len) = (unsafe { out_len.as_mut() }) else {
        return MAILFOLD_NULL_ARGUMENT;
    };
    // SAFETY: the remaining arguments are forwarded under this function's contract.
    let result = unsafe { format_mailboxes(name, name_len, boxes, n_boxes, options, out, out_cap) };
    report(result, out_len, None)
}

/// `mailfold_format_mailboxes` up to the spreading of the result.
///
/// # Safety
/// As for `mailfold_format_mailboxes`.
unsafe fn format_mailboxes(
    name: *const c_char,
    name_len: usize,
    boxes: *const mailfold_mailbox,
    n_boxes: usize,
    options: *const mailfold_options,
    out: *mut c_char,
    out_cap: usize,
) -> FfiResult {
    // SAFETY: the caller guarantees name is NULL or readable for name_len bytes.
    let name = unsafe { bytes(name, name_len) }?;
    // SAFETY: the caller guarantees boxes NULL or readable for n_boxes aligned elements.
    let c_boxes = unsafe { array(boxes, n_boxes) }?;
    // Every pointer is checked before any text, so NULL_ARGUMENT wins over the other codes
    // wherever the NULL is.
    for b in c_boxes {
        // SAFETY: the caller guarantees each string NULL or readable for its length.
        unsafe { bytes(b.display_name, b.display_name_len) }?;
        // SAFETY: as above.
        unsafe { bytes(b.addr_spec, b.addr_spec_len) }?;
    }
    // SAFETY: the caller guarantees out as output() requires; it overlaps no other argument.
    let out = unsafe { output(out, out_cap) }?;
    // SAFETY: the caller guarantees options is NULL or valid.
    let options = unsafe { self::options(options) }?;
    let name = name_utf8(name)?;
    for b in c_boxes {
        // SAFETY: checked above; the strings stay readable for the whole call.
        utf8(unsafe { bytes(b.display_name, b.display_name_len) }?)?;
        // SAFETY: as above.
        utf8(unsafe { bytes(b.addr_spec, b.addr_spec_len) }?)?;
    }
    // Converted one by one as the core asks for them: this layer cannot allocate an array.
    // The fallbacks are never taken: every pointer and every string's UTF-8 was checked above.
    let mailboxes = c_boxes.iter().map(|c| Mailbox {
        // NULL means no display name; an empty one also writes the bare address.
        display_name: if c.display_name.is_null() {
            None
        } else {
            // SAFETY: checked above; the caller keeps the string unchanged during the call.
            unsafe { bytes(c.display_name, c.display_name_len) }
                .ok()
                .and_then(|b| str::from_utf8(b).ok())
        },
        // SAFETY: as above.
        addr_spec: unsafe { bytes(c.addr_spec, c.addr_spec_len) }
            .ok()
            .and_then(|b| str::from_utf8(b).ok())
            .unwrap_or_default(),
    });
    let result = crate::format_mailboxes_from(name, mailboxes, &options, out);
    terminated(out, result)
}

/// Formats a MIME parameter field (`Content-Type`, `Content-Disposition`) from a media type
/// and separate parameters whose values are taken literally: a non-ASCII file name becomes
/// RFC 2231 (`filename*=utf-8''...`), split into continuations when long, and with
/// `MAILFOLD_FLAG_RFC2047_PARAMS` also gets an RFC 2047 form for old Outlook versions.
///
/// `media_type` is `type/subtype` for `Content-Type`, one token for `Content-Disposition`,
/// either for free-text names such as `X-Attachment-Type`; the names of msg-id, address,
/// date, ASCII structured, `Keywords` and `List-Id` fields, whose syntax a media type would
/// break, give `MAILFOLD_INVALID_NAME`. Results as for `mailfold_format_header`. `params` may
/// be NULL when `n_params` is 0. When `error_at` is not NULL it gets, for `MAILFOLD_INVALID_PARAMETER`,
/// `MAILFOLD_CONTROL_CHARACTER` and `MAILFOLD_INVALID_UTF8`, the byte offset within the string
/// that holds the offending byte (the media type, or a parameter's name or value; a repeated
/// parameter name gives 0), and `SIZE_MAX` otherwise (success included).
///
/// ```c
/// mailfold_param p[1] = { { "filename", 8, "R\xc3\xa9sum\xc3\xa9.pdf", 12 } };
/// char buf[256];
/// size_t len;
/// int32_t rc = mailfold_format_mime("Content-Disposition", 19, "attachment", 10, p, 1, NULL,
///                                   buf, sizeof buf, &len, NULL);
/// if (rc == MAILFOLD_OK)
///     fwrite(buf, 1, len, stdout);
///     // prints: Content-Disposition: attachment; filename*=utf-8''R%C3%A9sum%C3%A9.pdf CRLF
/// ```
///
/// # Safety
/// `name`, `media_type` and every string in `params` (each NULL only with length 0) must be
/// readable for their lengths, `params` (NULL only with `n_params` 0) readable for `n_params`
/// elements, `out` (NULL only with `out_cap` 0) writable for `out_cap` bytes, `options` NULL or
/// valid, `out_len` valid, `error_at` NULL or valid; `out` must not overlap any other argument.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailfold_format_mime(
    name: *const c_char,
    name_len: usize,
    media_type: *const c_char,
    media_type_len: usize,
    params: *const mailfold_param,
    n_params: usize,
    options: *const mailfold_options,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
    error_at: *mut usize,
) -> i32 {
    // SAFETY: the caller guarantees error_at is NULL or valid for a write.
    let error_at = unsafe { error_at.as_mut() };
    // SAFETY: the caller guarantees out_len is NULL or valid for a write.
    let Some(out_len) = (unsafe { out_len.as_mut() }) else {
        // Like every other error without a position (the header's promise).
        if let Some(e) = error_at {
            *e = NO_POSITION;
        }
        return MAILFOLD_NULL_ARGUMENT;
    };
    // SAFETY: the remaining arguments are forwarded under this function's contract.
    let result = unsafe {
        format_mime(
            name,
            name_len,
            media_type,
            media_type_len,
            params,
            n_params,
            options,
            out,
            out_cap,
        )
    };
    report(result, out_len, error_at)
}

/// `mailfold_format_mime` up to the spreading of the result.
///
/// # Safety
/// As for `mailfold_format_mime`.
#[allow(clippy::too_many_arguments)] // The C signature, one to one.
unsafe fn format_mime(
    name: *const c_char,
    name_len: usize,
    media_type: *const c_char,
    media_type_len: usize,
    params: *const mailfold_param,
    n_params: usize,
    options: *const mailfold_options,
    out: *mut c_char,
    out_cap: usize,
) -> FfiResult {
    // SAFETY: the caller guarantees name is NULL or readable for name_len bytes.
    let name = unsafe { bytes(name, name_len) }?;
    // SAFETY: the caller guarantees media_type is NULL or readable for media_type_len bytes.
    let media_type = unsafe { bytes(media_type, media_type_len) }?;
    // SAFETY: the caller guarantees params NULL or readable for n_params aligned elements.
    let c_params = unsafe { array(params, n_params) }?;
    // Every pointer is checked before any text, so NULL_ARGUMENT wins over the other codes
    // wherever the NULL is.
    for p in c_params {
        // SAFETY: the caller guarantees each string NULL or readable for its length.
        unsafe { bytes(p.name, p.name_len) }?;
        // SAFETY: as above.
        unsafe { bytes(p.value, p.value_len) }?;
    }
    // SAFETY: the caller guarantees out as output() requires; it overlaps no other argument.
    let out = unsafe { output(out, out_cap) }?;
    // SAFETY: the caller guarantees options is NULL or valid.
    let options = unsafe { self::options(options) }?;
    let name = name_utf8(name)?;
    let media_type = utf8(media_type)?;
    for p in c_params {
        // SAFETY: checked above; the strings stay readable for the whole call.
        utf8(unsafe { bytes(p.name, p.name_len) }?)?;
        // SAFETY: as above.
        utf8(unsafe { bytes(p.value, p.value_len) }?)?;
    }
    // SAFETY: every string was checked above and the caller keeps them for the whole call.
    let list = unsafe { CParams::new(c_params) };
    let result = crate::mime::format_list(name, media_type, &list, &options, out);
    terminated(out, result)
}

/// The C parameter array seen by the core, after `format_mime` has checked every pointer and
/// every string's UTF-8 (so no stack array is needed, and no limit on the count).
struct CParams<'a>(&'a [mailfold_param]);

impl<'a> CParams<'a> {
    /// # Safety
    /// Every string in `params` must be NULL only with length 0, readable for its length and
    /// unchanged for `'a`.
    unsafe fn new(params: &'a [mailfold_param]) -> Self {
        CParams(params)
    }

    fn string(&self, i: usize, value: bool) -> &'a str {
        let Some(p) = self.0.get(i) else { return "" };
        let (ptr, len) = if value {
            (p.value, p.value_len)
        } else {
            (p.name, p.name_len)
        };
        // SAFETY: CParams::new's contract covers every string of every element.
        let b = unsafe { bytes(ptr, len) }.unwrap_or(&[]);
        // Already checked as UTF-8; checking again keeps this free of unchecked conversions.
        str::from_utf8(b).unwrap_or("")
    }
}

impl<'a> crate::mime::ParamList<'a> for CParams<'a> {
    fn count(&self) -> usize {
        self.0.len()
    }

    fn name(&self, i: usize) -> &'a str {
        self.string(i, false)
    }

    fn value(&self, i: usize) -> &'a str {
        self.string(i, true)
    }
}

/// Writes an RFC 5322 date-time (`Thu, 01 Jan 1970 00:00:00 +0000`, 31 bytes) for a Unix time
/// and a UTC offset in minutes (-1439..=1439; the local year must be in 1900..=9999, else
/// `MAILFOLD_INVALID_DATE`). Pass the result to `mailfold_format_header("Date", ...)`.
///
/// ```c
/// char date[32];   // 31 bytes + NUL
/// size_t len;
/// if (mailfold_format_date((int64_t)time(NULL), 60, date, sizeof date, &len) == MAILFOLD_OK)
///     printf("%s\n", date);   // prints like: Thu, 03 Dec 2026 11:09:04 +0100 LF
/// ```
///
/// # Safety
/// `out` (NULL only with `out_cap` 0) must be writable for `out_cap` bytes and `out_len`
/// valid for a write, not overlapping `out`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailfold_format_date(
    unix_seconds: i64,
    utc_offset_minutes: i32,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> i32 {
    // SAFETY: the caller guarantees out_len is NULL or valid for a write.
    let Some(out_len) = (unsafe { out_len.as_mut() }) else {
        return MAILFOLD_NULL_ARGUMENT;
    };
    // SAFETY: the caller guarantees out/out_cap as output() requires.
    let result = unsafe { output(out, out_cap) }.and_then(|out| {
        let result = crate::format_date(unix_seconds, utc_offset_minutes, out);
        terminated(out, result)
    });
    report(result, out_len, None)
}

/// Writes a new msg-id: `<` + the 32 lowercase hex digits of a UUID v4 built from the 16
/// caller bytes at `random` + `@` + `domain` + `>`. The domain must be a dot-atom
/// (`MAILFOLD_NON_ASCII` / `MAILFOLD_INVALID_MSG_ID` otherwise); no host name lookup is done.
/// Pass the result to `mailfold_format_header("Message-ID", ...)`.
///
/// ```c
/// uint8_t rnd[16];
/// getrandom(rnd, sizeof rnd, 0);   // any CSPRNG
/// char id[128];
/// size_t len;
/// if (mailfold_make_msg_id(rnd, "example.com", 11, id, sizeof id, &len) == MAILFOLD_OK)
///     printf("%s\n", id);   // prints like: <4f1c2b3a9d0e4c7f8a6b5d4e3f2a1b0c@example.com> LF
/// ```
///
/// # Safety
/// `random` must be readable for 16 bytes (never NULL), `domain` (NULL only with length 0)
/// readable for `domain_len` bytes, `out` (NULL only with `out_cap` 0) writable for `out_cap`
/// bytes, `out_len` valid; `out` must not overlap any other argument.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailfold_make_msg_id(
    random: *const u8,
    domain: *const c_char,
    domain_len: usize,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> i32 {
    // SAFETY: the caller guarantees out_len is NULL or valid for a write.
    let Some(out_len) = (unsafe { out_len.as_mut() }) else {
        return MAILFOLD_NULL_ARGUMENT;
    };
    // SAFETY: the remaining arguments are forwarded under this function's contract.
    let result = unsafe { make_msg_id(random, domain, domain_len, out, out_cap) };
    report(result, out_len, None)
}

/// `mailfold_make_msg_id` up to the spreading of the result.
///
/// # Safety
/// As for `mailfold_make_msg_id`.
unsafe fn make_msg_id(
    random: *const u8,
    domain: *const c_char,
    domain_len: usize,
    out: *mut c_char,
    out_cap: usize,
) -> FfiResult {
    // SAFETY: the caller guarantees a non-NULL `random` points to 16 readable bytes, and
    // [u8; 16] has alignment 1.
    let random = unsafe { random.cast::<[u8; 16]>().as_ref() };
    let random = random.ok_or(Failure::status(MAILFOLD_NULL_ARGUMENT))?;
    // SAFETY: the caller guarantees domain is NULL or readable for domain_len bytes.
    let domain = unsafe { bytes(domain, domain_len) }?;
    // SAFETY: the caller guarantees out as output() requires; it overlaps no other argument.
    let out = unsafe { output(out, out_cap) }?;
    let domain = utf8(domain)?;
    let result = crate::make_msg_id(random, domain, out);
    terminated(out, result)
}

/// A static, NUL-terminated English description of a status code; never NULL, also for codes
/// this version does not know.
///
/// ```c
/// char buf[64];
/// size_t len;
/// int32_t rc = mailfold_format_header("Subject", 7, "a\nb", 3, NULL, buf, sizeof buf, &len);
/// if (rc != MAILFOLD_OK)   // stderr: mailfold: control character in value (5) LF
///     fprintf(stderr, "mailfold: %s (%d)\n", mailfold_status_str(rc), (int)rc);
/// ```
#[unsafe(no_mangle)]
pub extern "C" fn mailfold_status_str(status: i32) -> *const c_char {
    status_cstr(status).as_ptr()
}

fn status_cstr(status: i32) -> &'static CStr {
    match status {
        MAILFOLD_OK => c"ok",
        MAILFOLD_BUFFER_TOO_SMALL => c"output buffer too small",
        MAILFOLD_NULL_ARGUMENT => c"NULL pointer argument",
        MAILFOLD_INVALID_NAME => c"invalid header field name",
        MAILFOLD_INVALID_UTF8 => c"input is not valid UTF-8",
        MAILFOLD_CONTROL_CHARACTER => c"control character in value",
        MAILFOLD_NON_ASCII => c"non-ASCII character not allowed",
        MAILFOLD_INVALID_MSG_ID => c"invalid msg-id",
        MAILFOLD_INVALID_ADDRESS => c"invalid address",
        MAILFOLD_LINE_TOO_LONG => c"a line would exceed 998 octets",
        MAILFOLD_INVALID_OPTION => c"invalid option",
        MAILFOLD_INVALID_DATE => c"invalid or unsupported date",
        MAILFOLD_INVALID_PARAMETER => c"invalid MIME parameter",
        _ => c"unknown mailfold status",
    }
}

const VERSION: &CStr =
    match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(v) => v,
        Err(_) => panic!("the package version contains a NUL"),
    };

/// The library version, e.g. `"0.1.0"`: a static NUL-terminated string, never NULL.
///
/// ```c
/// printf("mailfold %s\n", mailfold_version());   // prints like: mailfold 0.1.0 LF
/// ```
#[unsafe(no_mangle)]
pub extern "C" fn mailfold_version() -> *const c_char {
    VERSION.as_ptr()
}

/// Calls through the raw C ABI with exact-size heap blocks and guard bytes. Small inputs on
/// purpose: `ffi-tests/run-miri.sh` runs these under Miri, which then checks every pointer
/// access of the FFI layer and the core (out-of-bounds, use of uninitialised memory, aliasing).
#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use core::ptr::{null, null_mut, NonNull};
    use std::boxed::Box;
    use std::vec;
    use std::vec::Vec;

    const GUARD: usize = 8;
    const GUARD_BYTE: u8 = 0xA5;

    /// An exact-size heap copy, so reading past the end is an error Miri reports.
    fn exact(bytes: &[u8]) -> Box<[u8]> {
        bytes.to_vec().into_boxed_slice()
    }

    fn cptr(b: &[u8]) -> *const c_char {
        b.as_ptr().cast()
    }

    /// `mailfold_format_header` into `out_cap` bytes that sit between guard bytes; returns
    /// (status, out_len, the whole block).
    fn header_in_block(name: &[u8], value: &[u8], out_cap: usize) -> (i32, usize, Vec<u8>) {
        let (name, value) = (exact(name), exact(value));
        let mut block = vec![GUARD_BYTE; out_cap + 2 * GUARD];
        let mut len = usize::MAX;
        // SAFETY: every pointer is valid for the length passed with it.
        let rc = unsafe {
            mailfold_format_header(
                cptr(&name),
                name.len(),
                cptr(&value),
                value.len(),
                null(),
                block.as_mut_ptr().add(GUARD).cast(),
                out_cap,
                &mut len,
            )
        };
        (rc, len, block)
    }

    fn size_query(name: &[u8], value: &[u8]) -> (i32, usize) {
        let mut len = usize::MAX;
        // SAFETY: valid (pointer, length) pairs; NULL out with out_cap 0 is the size query.
        let rc = unsafe {
            mailfold_format_header(
                cptr(name),
                name.len(),
                cptr(value),
                value.len(),
                null(),
                null_mut(),
                0,
                &mut len,
            )
        };
        (rc, len)
    }

    fn sweep(name: &str, value: &str) {
        let (rc, needed) = size_query(name.as_bytes(), value.as_bytes());
        assert_eq!(rc, MAILFOLD_BUFFER_TOO_SMALL, "size query of {value:?}");
        let mut reference = vec![0; needed];
        let n = crate::format_header(name, value, &Options::default(), &mut reference);
        assert_eq!(n, Ok(needed), "the Rust API agrees on the size");
        for cap in 0..=needed + 1 {
            let (rc, len, block) = header_in_block(name.as_bytes(), value.as_bytes(), cap);
            assert!(
                block[..GUARD].iter().all(|&b| b == GUARD_BYTE),
                "cap {cap}: before"
            );
            assert!(
                block[GUARD + cap..].iter().all(|&b| b == GUARD_BYTE),
                "cap {cap}: a byte at or past out + out_cap changed"
            );
            assert_eq!(len, needed, "cap {cap}: out_len");
            if cap < needed {
                assert_eq!(rc, MAILFOLD_BUFFER_TOO_SMALL, "cap {cap}");
                continue;
            }
            assert_eq!(rc, MAILFOLD_OK, "cap {cap}");
            assert_eq!(&block[GUARD..GUARD + needed], &reference[..], "cap {cap}");
            if cap > needed {
                assert_eq!(block[GUARD + needed], 0, "cap {cap}: NUL after the output");
            }
            // Once more into an allocation of exactly out_cap bytes: any write past it is
            // undefined behaviour that Miri reports.
            let mut exact_out = vec![0u8; cap].into_boxed_slice();
            let mut len2 = 0;
            let (n, v) = (exact(name.as_bytes()), exact(value.as_bytes()));
            // SAFETY: valid pointers for their lengths.
            let rc2 = unsafe {
                mailfold_format_header(
                    cptr(&n),
                    n.len(),
                    cptr(&v),
                    v.len(),
                    null(),
                    exact_out.as_mut_ptr().cast(),
                    cap,
                    &mut len2,
                )
            };
            assert_eq!((rc2, len2), (MAILFOLD_OK, needed));
        }
    }

    #[test]
    fn ffi_sweep_every_buffer_size_ascii() {
        sweep("Subject", "hello world");
    }

    #[test]
    fn ffi_sweep_every_buffer_size_encoded() {
        sweep("Subject", "Zoë 😀");
    }

    #[test]
    fn ffi_null_arguments() {
        let mut out = [0u8; 32];
        let mut len = 7;
        let o: *mut c_char = out.as_mut_ptr().cast();
        let v = exact(b"x");
        // SAFETY: in all calls below, each non-NULL pointer is valid for its length; the NULL
        // ones are what is being tested.
        unsafe {
            assert_eq!(
                mailfold_format_header(c"S".as_ptr(), 1, cptr(&v), 1, null(), o, 32, null_mut()),
                MAILFOLD_NULL_ARGUMENT
            );
            assert_eq!(
                mailfold_format_header(null(), 1, cptr(&v), 1, null(), o, 32, &mut len),
                MAILFOLD_NULL_ARGUMENT
            );
            assert_eq!(len, 0);
            len = 7;
            assert_eq!(
                mailfold_format_header(c"S".as_ptr(), 1, null(), 1, null(), o, 32, &mut len),
                MAILFOLD_NULL_ARGUMENT
            );
            assert_eq!(len, 0);
            assert_eq!(
                mailfold_format_header(
                    c"S".as_ptr(),
                    1,
                    cptr(&v),
                    1,
                    null(),
                    null_mut(),
                    1,
                    &mut len
                ),
                MAILFOLD_NULL_ARGUMENT
            );
            assert_eq!(
                mailfold_format_date(0, 0, null_mut(), 5, &mut len),
                MAILFOLD_NULL_ARGUMENT
            );
            assert_eq!(
                mailfold_format_date(0, 0, o, 32, null_mut()),
                MAILFOLD_NULL_ARGUMENT
            );
            assert_eq!(
                mailfold_make_msg_id(null(), c"x.org".as_ptr(), 5, o, 32, &mut len),
                MAILFOLD_NULL_ARGUMENT
            );
            assert_eq!(
                mailfold_make_msg_id([0u8; 16].as_ptr(), null(), 5, o, 32, &mut len),
                MAILFOLD_NULL_ARGUMENT
            );
            assert_eq!(
                mailfold_format_mailboxes(c"To".as_ptr(), 2, null(), 1, null(), o, 32, &mut len),
                MAILFOLD_NULL_ARGUMENT
            );
            let boxes = [mailfold_mailbox {
                display_name: null(),
                display_name_len: 3,
                addr_spec: c"a@b.org".as_ptr(),
                addr_spec_len: 7,
            }];
            assert_eq!(
                mailfold_format_mailboxes(
                    c"To".as_ptr(),
                    2,
                    boxes.as_ptr(),
                    1,
                    null(),
                    o,
                    32,
                    &mut len
                ),
                MAILFOLD_NULL_ARGUMENT
            );
            let mut at = 0;
            assert_eq!(
                mailfold_format_field(
                    c"S".as_ptr(),
                    1,
                    0,
                    null(),
                    2,
                    null(),
                    o,
                    32,
                    &mut len,
                    &mut at
                ),
                MAILFOLD_NULL_ARGUMENT
            );
            assert_eq!(at, usize::MAX);
        }
        // Nothing was written into the buffer by any of these.
        assert!(out.iter().all(|&b| b == 0));
    }

    #[test]
    fn ffi_dangling_pointers_with_length_zero_are_empty_strings() {
        // A C caller may pass any non-NULL pointer with length 0 (e.g. one past an array).
        let dangling = NonNull::<c_char>::dangling().as_ptr();
        let mut out = vec![0u8; 24].into_boxed_slice();
        let mut len = 0;
        // SAFETY: zero-length reads through a non-NULL pointer; out is valid for 24 bytes.
        let rc = unsafe {
            mailfold_format_header(
                c"Subject".as_ptr(),
                7,
                dangling,
                0,
                null(),
                out.as_mut_ptr().cast(),
                out.len(),
                &mut len,
            )
        };
        assert_eq!(rc, MAILFOLD_OK);
        assert!(out[..len].starts_with(b"Subject:"));
        assert_eq!(out[len], 0);
        // A non-NULL dangling out with out_cap 0 is a size query that writes nothing.
        let mut needed = 0;
        // SAFETY: as above; nothing may be written through a zero-capacity buffer.
        let rc =
            unsafe { mailfold_format_date(0, 0, NonNull::dangling().as_ptr(), 0, &mut needed) };
        assert_eq!((rc, needed), (MAILFOLD_BUFFER_TOO_SMALL, 31));
    }

    #[test]
    fn ffi_field_error_at_and_invalid_utf8() {
        let mut out = vec![0u8; 64].into_boxed_slice();
        let (mut len, mut at) = (99, 99);
        let mut call = |class: i32, value: &[u8], opts: *const mailfold_options| {
            let v = exact(value);
            // SAFETY: valid pointers for their lengths.
            let rc = unsafe {
                mailfold_format_field(
                    c"Subject".as_ptr(),
                    7,
                    class,
                    cptr(&v),
                    v.len(),
                    opts,
                    out.as_mut_ptr().cast(),
                    out.len(),
                    &mut len,
                    &mut at,
                )
            };
            (rc, len, at)
        };
        assert_eq!(call(0, b"ab\xff", null()), (MAILFOLD_INVALID_UTF8, 0, 2));
        assert_eq!(
            call(0, b"hi\r\nBcc: x@y", null()),
            (MAILFOLD_CONTROL_CHARACTER, 0, 2)
        );
        assert_eq!(
            call(8, b"x", null()),
            (MAILFOLD_INVALID_OPTION, 0, usize::MAX)
        );
        assert_eq!(
            call(-1, b"x", null()),
            (MAILFOLD_INVALID_OPTION, 0, usize::MAX)
        );
        let both = mailfold_options {
            max_line_len: 0,
            flags: MAILFOLD_FLAG_FORCE_Q | MAILFOLD_FLAG_FORCE_B,
        };
        assert_eq!(
            call(0, b"x", &both),
            (MAILFOLD_INVALID_OPTION, 0, usize::MAX)
        );
        let unknown = mailfold_options {
            max_line_len: 0,
            flags: 1 << 5,
        };
        assert_eq!(
            call(0, b"x", &unknown),
            (MAILFOLD_INVALID_OPTION, 0, usize::MAX)
        );
        let short = mailfold_options {
            max_line_len: 39,
            flags: 0,
        };
        assert_eq!(
            call(0, b"x", &short),
            (MAILFOLD_INVALID_OPTION, 0, usize::MAX)
        );
        let lf = mailfold_options {
            max_line_len: 0,
            flags: MAILFOLD_FLAG_LF,
        };
        assert_eq!(
            call(MAILFOLD_CLASS_UNSTRUCTURED, b"x", &lf),
            (MAILFOLD_OK, 11, usize::MAX)
        );
        assert_eq!(&out[..12], b"Subject: x\n\0");
    }

    #[test]
    fn ffi_options_map_to_the_rust_options() {
        let conv = |max_line_len, flags| {
            let o = mailfold_options {
                max_line_len,
                flags,
            };
            // SAFETY: a valid struct.
            unsafe { options(&o) }.map_err(|f| f.status)
        };
        // SAFETY: NULL means the defaults.
        assert_eq!(unsafe { options(null()) }.ok(), Some(Options::default()));
        assert_eq!(conv(0, 0), Ok(Options::default()));
        let d = mailfold_options_default();
        assert_eq!(conv(d.max_line_len, d.flags), Ok(Options::default()));
        assert_eq!(
            conv(
                72,
                MAILFOLD_FLAG_LF
                    | MAILFOLD_FLAG_UTF8
                    | MAILFOLD_FLAG_FORCE_B
                    | MAILFOLD_FLAG_RFC2047_PARAMS
            ),
            Ok(Options::default()
                .with_max_line_len(72)
                .with_line_ending(LineEnding::Lf)
                .with_utf8(true)
                .with_encoding(Encoding::B)
                .with_rfc2047_params(true))
        );
        assert_eq!(
            conv(0, MAILFOLD_FLAG_FORCE_Q).map(|o| o.encoding),
            Ok(Encoding::Q)
        );
        assert_eq!(conv(0, 32), Err(MAILFOLD_INVALID_OPTION));
        assert_eq!(conv(0, 12), Err(MAILFOLD_INVALID_OPTION));
    }

    #[test]
    fn ffi_mailboxes_msg_id_and_date() {
        let (name, addr) = (exact("Zoë".as_bytes()), exact(b"zoe@example.com"));
        let boxes = [
            mailfold_mailbox {
                display_name: cptr(&name),
                display_name_len: name.len(),
                addr_spec: cptr(&addr),
                addr_spec_len: addr.len(),
            },
            mailfold_mailbox {
                display_name: null(),
                display_name_len: 0,
                addr_spec: cptr(&addr),
                addr_spec_len: addr.len(),
            },
        ];
        let boxes: Box<[mailfold_mailbox]> = Box::new(boxes);
        let mut out = vec![0u8; 96].into_boxed_slice();
        let mut len = 0;
        // SAFETY: valid pointers for their lengths and counts.
        let rc = unsafe {
            mailfold_format_mailboxes(
                c"To".as_ptr(),
                2,
                boxes.as_ptr(),
                boxes.len(),
                null(),
                out.as_mut_ptr().cast(),
                out.len(),
                &mut len,
            )
        };
        assert_eq!(rc, MAILFOLD_OK);
        assert_eq!(
            &out[..=len],
            b"To: =?utf-8?q?Zo=C3=AB?= <zoe@example.com>, zoe@example.com\r\n\0"
        );
        // An empty Bcc with NULL boxes.
        // SAFETY: NULL boxes with n_boxes 0; valid out.
        let rc = unsafe {
            mailfold_format_mailboxes(
                c"Bcc".as_ptr(),
                3,
                null(),
                0,
                null(),
                out.as_mut_ptr().cast(),
                out.len(),
                &mut len,
            )
        };
        assert_eq!(rc, MAILFOLD_OK);
        assert!(out[..len].starts_with(b"Bcc:"));

        // Exactly 16 random bytes in their own allocation: reading a 17th is an error.
        let random: Box<[u8]> = Box::new([0x42; 16]);
        let domain = exact(b"example.com");
        // SAFETY: 16 readable bytes, a valid domain and out.
        let rc = unsafe {
            mailfold_make_msg_id(
                random.as_ptr(),
                cptr(&domain),
                domain.len(),
                out.as_mut_ptr().cast(),
                out.len(),
                &mut len,
            )
        };
        assert_eq!(rc, MAILFOLD_OK);
        assert_eq!(
            &out[..=len],
            b"<42424242424242428242424242424242@example.com>\0"
        );

        let mut date = vec![0u8; 31].into_boxed_slice();
        // SAFETY: out valid for 31 bytes (no room for the NUL, which must then not be written).
        let rc = unsafe { mailfold_format_date(0, 0, date.as_mut_ptr().cast(), 31, &mut len) };
        assert_eq!((rc, len), (MAILFOLD_OK, 31));
        assert_eq!(&date[..], b"Thu, 01 Jan 1970 00:00:00 +0000");
        // SAFETY: as above.
        let rc = unsafe { mailfold_format_date(0, 1440, date.as_mut_ptr().cast(), 31, &mut len) };
        assert_eq!((rc, len), (MAILFOLD_INVALID_DATE, 0));
    }

    #[test]
    fn ffi_more_mailboxes_than_any_stack_array() {
        let addr = exact(b"a@example.com");
        let boxes: Vec<mailfold_mailbox> = (0..70)
            .map(|_| mailfold_mailbox {
                display_name: null(),
                display_name_len: 0,
                addr_spec: cptr(&addr),
                addr_spec_len: addr.len(),
            })
            .collect();
        let mut needed = 0;
        // SAFETY: valid pointers for their lengths and counts; a size query.
        let rc = unsafe {
            mailfold_format_mailboxes(
                c"To".as_ptr(),
                2,
                boxes.as_ptr(),
                boxes.len(),
                null(),
                null_mut(),
                0,
                &mut needed,
            )
        };
        assert_eq!(rc, MAILFOLD_BUFFER_TOO_SMALL);
        let mut out = vec![0u8; needed].into_boxed_slice();
        let mut len = 0;
        // SAFETY: as above, into exactly `needed` bytes.
        let rc = unsafe {
            mailfold_format_mailboxes(
                c"To".as_ptr(),
                2,
                boxes.as_ptr(),
                boxes.len(),
                null(),
                out.as_mut_ptr().cast(),
                out.len(),
                &mut len,
            )
        };
        assert_eq!((rc, len), (MAILFOLD_OK, needed));
        assert_eq!(out.iter().filter(|&&b| b == b'@').count(), 70);
    }

    #[test]
    fn ffi_status_strings_and_version() {
        for code in (-2..=14).chain([i32::MIN, i32::MAX]) {
            let p = mailfold_status_str(code);
            assert!(!p.is_null());
            // SAFETY: the function promises a static NUL-terminated string.
            let s = unsafe { CStr::from_ptr(p) };
            assert!(!s.to_bytes().is_empty(), "status {code}");
        }
        // SAFETY: as above.
        let v = unsafe { CStr::from_ptr(mailfold_version()) };
        assert_eq!(v.to_str(), Ok(env!("CARGO_PKG_VERSION")));
    }
}
