//! Fuzz target `c_abi`: the `mailfold_*` exports called through raw pointers, declared here
//! from SPEC §1.2 (not taken from the library), with arbitrary bytes (UTF-8 or not), options,
//! NULL pointers and buffer capacities.
//!
//! Input layout (see `make-corpus.py`), 8 header bytes read through `arbitrary::Unstructured`:
//! `op` (mod 6: format_header, format_field, format_mailboxes, format_date, make_msg_id,
//! status_str/version), `class` (< 0xE0: mod 8; 0xE0..0xF0: 8.. (unknown); else negative),
//! `flags` (bits 0-4 the MAILFOLD_FLAG_* bits, bit 5 an unknown bit, bit 6 options = NULL,
//! bit 7 error_at = NULL), `width` (u16 LE: high bit set -> the low 15 bits as is, 0 and out
//! of range included; else 40 + width % 959), `cap_mode`, `cap_aux`, `name_len`; then
//! `name_len` name bytes, then the value. format_mailboxes reads records
//! `[dn_len, as_len, dn bytes, as bytes]` from the value (dn_len 0xFF: NULL display name;
//! 0xFE: NULL with length 1). format_date reads i64 + i32 LE; make_msg_id 16 bytes + domain.
#![no_main]

mod common;

use arbitrary::{Arbitrary, Unstructured};
use common::*;
use core::ffi::{c_char, CStr};
use libfuzzer_sys::fuzz_target;
use mailfold::{Encoding, Error, FieldClass, LineEnding, Mailbox, Options};

#[repr(C)]
#[derive(Clone, Copy, Debug)]
struct MfOptions {
    max_line_len: u32,
    flags: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
struct MfMailbox {
    display_name: *const c_char,
    display_name_len: usize,
    addr_spec: *const c_char,
    addr_spec_len: usize,
}

// SPEC §1.2, written out independently of src/ffi.rs so an ABI drift shows up as a
// mismatch here.
extern "C" {
    fn mailfold_options_default() -> MfOptions;
    fn mailfold_format_header(
        name: *const c_char,
        name_len: usize,
        value: *const c_char,
        value_len: usize,
        options: *const MfOptions,
        out: *mut c_char,
        out_cap: usize,
        out_len: *mut usize,
    ) -> i32;
    fn mailfold_format_field(
        name: *const c_char,
        name_len: usize,
        field_class: i32,
        value: *const c_char,
        value_len: usize,
        options: *const MfOptions,
        out: *mut c_char,
        out_cap: usize,
        out_len: *mut usize,
        error_at: *mut usize,
    ) -> i32;
    fn mailfold_format_mailboxes(
        name: *const c_char,
        name_len: usize,
        boxes: *const MfMailbox,
        n_boxes: usize,
        options: *const MfOptions,
        out: *mut c_char,
        out_cap: usize,
        out_len: *mut usize,
    ) -> i32;
    fn mailfold_format_date(
        unix_seconds: i64,
        utc_offset_minutes: i32,
        out: *mut c_char,
        out_cap: usize,
        out_len: *mut usize,
    ) -> i32;
    fn mailfold_make_msg_id(
        random: *const u8,
        domain: *const c_char,
        domain_len: usize,
        out: *mut c_char,
        out_cap: usize,
        out_len: *mut usize,
    ) -> i32;
    fn mailfold_status_str(status: i32) -> *const c_char;
    fn mailfold_version() -> *const c_char;
}

const OK: i32 = 0;
const BUFFER_TOO_SMALL: i32 = 1;
const NULL_ARGUMENT: i32 = 2;
const INVALID_UTF8: i32 = 4;
const INVALID_OPTION: i32 = 10;
const LAST_STATUS: i32 = 12;
const FLAG_LF: u32 = 1;
const FLAG_UTF8: u32 = 2;
const FLAG_Q: u32 = 4;
const FLAG_B: u32 = 8;
const FLAG_RFC2047_PARAMS: u32 = 16;
const KNOWN_FLAGS: u32 = 31;

#[derive(Debug)]
struct Input {
    op: u8,
    class: u8,
    flags: u8,
    width: u16,
    cap_mode: u8,
    cap_aux: u8,
    name: Vec<u8>,
    value: Vec<u8>,
}

impl<'a> Arbitrary<'a> for Input {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let mut h = [0u8; 8];
        for b in &mut h {
            *b = u8::arbitrary(u).unwrap_or(0);
        }
        let [op, class, flags, w0, w1, cap_mode, cap_aux, last] = h;
        let width = u16::from_le_bytes([w0, w1]);
        let name_len = last;
        let rest = core::mem::replace(u, Unstructured::new(&[])).take_rest();
        let split = usize::from(name_len).min(rest.len());
        Ok(Input {
            op,
            class,
            flags,
            width,
            cap_mode,
            cap_aux,
            name: rest[..split].to_vec(),
            value: rest[split..].to_vec(),
        })
    }
}

impl Input {
    fn class(&self) -> i32 {
        match self.class {
            c @ 0..=0xDF => i32::from(c % 8),
            c @ 0xE0..=0xEF => 8 + i32::from(c - 0xE0),
            c => i32::from(c as i8),
        }
    }

    fn c_options(&self) -> MfOptions {
        let w = if self.width & 0x8000 != 0 {
            u32::from(self.width & 0x7FFF)
        } else {
            40 + u32::from(self.width) % 959
        };
        let mut flags = u32::from(self.flags & 0x1F);
        if self.flags & 0x20 != 0 {
            flags |= 1 << (5 + u32::from(self.cap_aux) % 27);
        }
        MfOptions {
            max_line_len: w,
            flags,
        }
    }

    /// The options pointer the call gets (NULL = defaults).
    fn options_ptr(&self, o: &MfOptions) -> *const MfOptions {
        if self.flags & 0x40 != 0 {
            core::ptr::null()
        } else {
            o
        }
    }

    /// The Rust options the C options mean, or None for MAILFOLD_INVALID_OPTION.
    fn rust_options(&self) -> Option<Options> {
        let o = if self.flags & 0x40 != 0 {
            MfOptions {
                max_line_len: 0,
                flags: 0,
            }
        } else {
            self.c_options()
        };
        if o.flags & !KNOWN_FLAGS != 0 || (o.flags & FLAG_Q != 0 && o.flags & FLAG_B != 0) {
            return None;
        }
        let w = if o.max_line_len == 0 {
            78
        } else {
            o.max_line_len as usize
        };
        if !(40..=998).contains(&w) {
            return None;
        }
        Some(
            Options::default()
                .with_max_line_len(w)
                .with_line_ending(if o.flags & FLAG_LF != 0 {
                    LineEnding::Lf
                } else {
                    LineEnding::Crlf
                })
                .with_utf8(o.flags & FLAG_UTF8 != 0)
                .with_encoding(if o.flags & FLAG_Q != 0 {
                    Encoding::Q
                } else if o.flags & FLAG_B != 0 {
                    Encoding::B
                } else {
                    Encoding::Auto
                })
                .with_rfc2047_params(o.flags & FLAG_RFC2047_PARAMS != 0),
        )
    }

    fn cap(&self, needed: usize) -> usize {
        let aux = usize::from(self.cap_aux);
        match self.cap_mode % 4 {
            0 => needed,
            1 => needed.saturating_sub(1 + aux % 4),
            2 => aux,
            _ => needed + 1 + aux % 8,
        }
    }
}

/// The status code SPEC §1.2 gives each Rust error.
fn status_of(e: &Error) -> i32 {
    match e {
        Error::BufferTooSmall { .. } => 1,
        Error::InvalidName => 3,
        Error::ControlCharacter { .. } => 5,
        Error::NonAscii { .. } => 6,
        Error::InvalidMsgId { .. } => 7,
        Error::InvalidAddress { .. } => 8,
        Error::LineTooLong => 9,
        Error::InvalidOption => 10,
        Error::InvalidDate => 11,
        Error::InvalidParameter { .. } => 12,
        _ => -1,
    }
}

/// A pointer for `len` bytes of `b`: dangling-but-valid for an empty slice, like a C caller
/// passing any pointer with length 0.
fn ptr(b: &[u8]) -> *const c_char {
    b.as_ptr().cast()
}

/// Calls `f(out, cap, &mut out_len)` with a size query, the exact size and the chosen size,
/// checks the buffer contract of SPEC §1.2 and returns (status, output on success).
fn drive(
    mut f: impl FnMut(*mut c_char, usize, *mut usize) -> i32,
    cap_for: impl Fn(usize) -> usize,
) -> (i32, Vec<u8>) {
    let mut qlen = usize::MAX;
    let q = f(core::ptr::null_mut(), 0, &mut qlen);
    assert!((0..=LAST_STATUS).contains(&q), "status {q}");
    assert_ne!(q, OK, "a size query cannot succeed");
    // NULL out_len is always refused.
    let nul = f(core::ptr::null_mut(), 0, core::ptr::null_mut());
    assert_eq!(nul, NULL_ARGUMENT, "NULL out_len");
    if q != BUFFER_TOO_SMALL {
        assert_eq!(qlen, 0, "*out_len after status {q}");
        // Same status at any buffer size.
        for cap in [cap_for(64), 4096] {
            let mut buf = vec![GUARD; cap + 16];
            let mut len = usize::MAX;
            let s = f(buf.as_mut_ptr().cast(), cap, &mut len);
            assert_eq!(s, q, "cap {cap}: validation depends on the buffer size");
            assert_eq!(len, 0, "*out_len after status {s}");
            assert!(buf[cap..].iter().all(|&b| b == GUARD), "wrote past out_cap");
        }
        return (q, Vec::new());
    }
    let needed = qlen;
    assert!(needed > 0);
    let mut out = Vec::new();
    for cap in [needed, needed + 1, cap_for(needed)] {
        let mut buf = vec![GUARD; cap + 16];
        let mut len = usize::MAX;
        let s = f(buf.as_mut_ptr().cast(), cap, &mut len);
        assert!(
            buf[cap..].iter().all(|&b| b == GUARD),
            "wrote past out_cap {cap}"
        );
        if cap < needed {
            assert_eq!((s, len), (BUFFER_TOO_SMALL, needed), "cap {cap}");
            continue;
        }
        assert_eq!((s, len), (OK, needed), "cap {cap}");
        if cap > needed {
            assert_eq!(buf[needed], 0, "no NUL after the output (cap {cap})");
            assert!(
                buf[needed + 1..cap].iter().all(|&b| b == GUARD),
                "wrote past the NUL"
            );
        }
        if out.is_empty() {
            out = buf[..needed].to_vec();
        } else {
            assert_eq!(out, &buf[..needed], "output depends on the buffer size");
        }
    }
    assert!(!out.contains(&0), "NUL inside the output");
    (OK, out)
}

fn kind_of_c_class(class: i32, name: &[u8]) -> Kind {
    match class {
        1 => Kind::Unstructured,
        2 => Kind::MsgId,
        3 => Kind::Phrase,
        4 => Kind::ReturnPath,
        5 => Kind::Ascii,
        6 => Kind::Mime,
        7 => Kind::Verbatim,
        _ => kind_of_name(name),
    }
}

const FORCED: [FieldClass; 8] = [
    FieldClass::Auto,
    FieldClass::Unstructured,
    FieldClass::MsgId,
    FieldClass::Address,
    FieldClass::ReturnPath,
    FieldClass::AsciiStructured,
    FieldClass::Mime,
    FieldClass::Verbatim,
];

fn check_output(out: &[u8], name: &[u8], value: &[u8], kind: Kind, o: &Options, address: bool) {
    let e = Expect {
        name,
        kind,
        soft: o.max_line_len,
        lf: o.line_ending == LineEnding::Lf,
        utf8: o.utf8,
    };
    let r = check_field(out, &e).and_then(|()| match kind {
        Kind::Unstructured => check_unstructured_roundtrip(out, value, &e),
        Kind::Ascii => check_ascii_roundtrip(out, value, &e),
        Kind::Verbatim => check_verbatim(out, value, &e),
        Kind::MsgId => check_msgid_roundtrip(out, value, &e),
        Kind::ReturnPath => check_address_output(out, value, &e),
        Kind::Phrase if address => check_address_output(out, value, &e),
        _ => Ok(()),
    });
    if let Err(why) = r {
        panic!("invariant violated: {why}");
    }
}

/// The Rust API on the same input, for the differential check.
fn rust_field(name: &str, class: FieldClass, value: &str, o: &Options) -> Result<Vec<u8>, Error> {
    rust_call(|buf| mailfold::format_field(name, class, value, o, buf))
}

/// A Rust API call sized by its own size query (outputs may be many times the input: a long
/// MIME parameter name is repeated on every RFC 2231 continuation).
fn rust_call(mut f: impl FnMut(&mut [u8]) -> Result<usize, Error>) -> Result<Vec<u8>, Error> {
    let needed = match f(&mut []) {
        Err(Error::BufferTooSmall { needed }) => needed,
        Err(e) => return Err(e),
        Ok(_) => panic!("output in an empty buffer"),
    };
    let mut buf = vec![0u8; needed];
    let n = f(&mut buf)?;
    buf.truncate(n);
    Ok(buf)
}

fn field(input: &Input, with_class: bool) {
    let (name, value) = (&input.name[..], &input.value[..]);
    let class = if with_class { input.class() } else { 0 };
    let copts = input.c_options();
    let optr = input.options_ptr(&copts);
    let mut error_at = usize::MAX - 1;
    let want_error_at = input.flags & 0x80 == 0;
    let (status, out) = drive(
        |out, cap, len| unsafe {
            if with_class {
                let at: *mut usize = if want_error_at {
                    &mut error_at
                } else {
                    core::ptr::null_mut()
                };
                mailfold_format_field(
                    ptr(name),
                    name.len(),
                    class,
                    ptr(value),
                    value.len(),
                    optr,
                    out,
                    cap,
                    len,
                    at,
                )
            } else {
                mailfold_format_header(
                    ptr(name),
                    name.len(),
                    ptr(value),
                    value.len(),
                    optr,
                    out,
                    cap,
                    len,
                )
            }
        },
        |n| input.cap(n),
    );
    let utf8_in = std::str::from_utf8(name).is_ok() && std::str::from_utf8(value).is_ok();
    if !utf8_in {
        assert_ne!(status, OK, "non-UTF-8 input accepted");
        assert_ne!(
            status, BUFFER_TOO_SMALL,
            "non-UTF-8 input passed validation"
        );
        return;
    }
    assert_ne!(status, INVALID_UTF8, "valid UTF-8 reported as invalid");
    let Some(o) = input.rust_options().filter(|_| (0..=7).contains(&class)) else {
        assert_eq!(
            status, INVALID_OPTION,
            "bad options or class {class} accepted"
        );
        return;
    };
    let (n, v) = (
        std::str::from_utf8(name).unwrap(),
        std::str::from_utf8(value).unwrap(),
    );
    let fc = FORCED[class as usize];
    let rust = rust_field(n, fc, v, &o);
    match &rust {
        Ok(bytes) => {
            assert_eq!(status, OK, "C status {status}, Rust Ok");
            assert_eq!(&out, bytes, "C and Rust outputs differ");
            let address = class == 3 || (class == 0 && is_address_name(name));
            check_output(&out, name, value, kind_of_c_class(class, name), &o, address);
        }
        Err(e) => {
            assert_eq!(status, status_of(e), "C status vs Rust {e:?}");
            if with_class && want_error_at {
                let pos = match *e {
                    Error::ControlCharacter { at }
                    | Error::NonAscii { at }
                    | Error::InvalidMsgId { at }
                    | Error::InvalidAddress { at }
                    | Error::InvalidParameter { at } => Some(at),
                    _ => None,
                };
                if let Some(at) = pos {
                    assert_eq!(error_at, at, "error_at vs Rust {e:?}");
                }
            }
        }
    }
}

fn mailboxes(input: &Input) {
    let v = &input.value;
    let mut boxes = Vec::new();
    let mut i = 0;
    while i + 2 <= v.len() && boxes.len() < 64 {
        let (dl, al) = (v[i], usize::from(v[i + 1]));
        i += 2;
        let dn_len = if dl >= 0xFE { 0 } else { usize::from(dl) };
        let dn = &v[i.min(v.len())..(i + dn_len).min(v.len())];
        i += dn.len();
        let an = &v[i.min(v.len())..(i + al).min(v.len())];
        i += an.len();
        let (dp, dlen) = match dl {
            0xFF => (core::ptr::null(), 0),
            0xFE => (core::ptr::null(), 1),
            _ => (ptr(dn), dn.len()),
        };
        boxes.push((
            MfMailbox {
                display_name: dp,
                display_name_len: dlen,
                addr_spec: ptr(an),
                addr_spec_len: an.len(),
            },
            dn,
            an,
        ));
    }
    let raw: Vec<MfMailbox> = boxes.iter().map(|b| b.0).collect();
    let name = &input.name[..];
    let copts = input.c_options();
    let optr = input.options_ptr(&copts);
    // n_boxes 0 with a NULL array is allowed (length 0).
    let bptr = if raw.is_empty() {
        core::ptr::null()
    } else {
        raw.as_ptr()
    };
    let (status, out) = drive(
        |out, cap, len| unsafe {
            mailfold_format_mailboxes(ptr(name), name.len(), bptr, raw.len(), optr, out, cap, len)
        },
        |n| input.cap(n),
    );
    // Several problems at once may be reported in any order (SPEC §1.2 fixes none).
    let Some(o) = input.rust_options() else {
        assert!(
            matches!(status, INVALID_OPTION | NULL_ARGUMENT | INVALID_UTF8),
            "bad options accepted: {status}"
        );
        return;
    };
    if boxes
        .iter()
        .any(|b| b.0.display_name.is_null() && b.0.display_name_len > 0)
    {
        assert_eq!(status, NULL_ARGUMENT, "NULL display name with length 1");
        return;
    }
    let strs: Option<Vec<(Option<&str>, &str)>> = boxes
        .iter()
        .map(|(m, dn, an)| {
            let d = if m.display_name.is_null() {
                None
            } else {
                Some(std::str::from_utf8(dn).ok()?)
            };
            Some((d, std::str::from_utf8(an).ok()?))
        })
        .collect();
    let (Some(strs), Ok(n)) = (strs, std::str::from_utf8(name)) else {
        assert!(
            status != OK && status != BUFFER_TOO_SMALL,
            "non-UTF-8 accepted"
        );
        return;
    };
    let mbs: Vec<Mailbox<'_>> = strs
        .iter()
        .map(|&(display_name, addr_spec)| Mailbox {
            display_name,
            addr_spec,
        })
        .collect();
    match rust_call(|buf| mailfold::format_mailboxes(n, &mbs, &o, buf)) {
        Ok(buf) => {
            assert_eq!(status, OK, "C status {status}, Rust Ok");
            assert_eq!(out, buf, "C and Rust outputs differ");
            let e = Expect {
                name,
                kind: Kind::Phrase,
                soft: o.max_line_len,
                lf: o.line_ending == LineEnding::Lf,
                utf8: o.utf8,
            };
            let want: Vec<(Option<&[u8]>, &[u8])> = strs
                .iter()
                .map(|&(d, a)| (d.map(str::as_bytes), a.as_bytes()))
                .collect();
            if let Err(why) =
                check_field(&out, &e).and_then(|()| check_mailboxes_roundtrip(&out, &want, &e))
            {
                panic!("invariant violated: {why}");
            }
        }
        Err(e) => assert_eq!(status, status_of(&e), "C status vs Rust {e:?}"),
    }
}

fn date(input: &Input) {
    let mut b = [0u8; 12];
    for (d, s) in b.iter_mut().zip(&input.value) {
        *d = *s;
    }
    let secs = i64::from_le_bytes(b[..8].try_into().unwrap());
    let off = i32::from_le_bytes(b[8..].try_into().unwrap());
    let (secs, off) = if input.cap_aux & 1 == 0 {
        (secs.rem_euclid(300_000_000_000) - 2_300_000_000, off % 1500)
    } else {
        (secs, off)
    };
    let (status, out) = drive(
        |out, cap, len| unsafe { mailfold_format_date(secs, off, out, cap, len) },
        |n| input.cap(n),
    );
    match expected_date(secs, off) {
        Some(want) => assert_eq!(
            (status, out),
            (OK, want.into_bytes()),
            "date({secs}, {off})"
        ),
        None => assert_eq!(status, 11, "date({secs}, {off})"),
    }
}

fn msg_id(input: &Input) {
    let mut random = [0u8; 16];
    for (d, s) in random.iter_mut().zip(&input.value) {
        *d = *s;
    }
    let domain = input.value.get(16..).unwrap_or(&[]);
    let null_random = input.cap_aux & 0x80 != 0;
    let rp = if null_random {
        core::ptr::null()
    } else {
        random.as_ptr()
    };
    let (status, out) = drive(
        |out, cap, len| unsafe {
            mailfold_make_msg_id(rp, ptr(domain), domain.len(), out, cap, len)
        },
        |n| input.cap(n),
    );
    if null_random {
        assert_eq!(status, NULL_ARGUMENT, "NULL random");
        return;
    }
    let Ok(d) = std::str::from_utf8(domain) else {
        assert_eq!(status, INVALID_UTF8);
        return;
    };
    let mut buf = vec![0u8; 64 + 2 * domain.len()];
    match mailfold::make_msg_id(&random, d, &mut buf) {
        Ok(n) => {
            assert_eq!(status, OK);
            assert_eq!(out, &buf[..n]);
            assert_eq!(out, expected_msg_id(&random, d).as_bytes());
        }
        Err(e) => assert_eq!(status, status_of(&e), "{e:?}"),
    }
}

fn strings(input: &Input) {
    let mut b = [0u8; 4];
    for (d, s) in b.iter_mut().zip(&input.value) {
        *d = *s;
    }
    for code in [
        i32::from_le_bytes(b),
        i32::from(input.cap_aux),
        -1,
        i32::MAX,
        i32::MIN,
    ] {
        let p = unsafe { mailfold_status_str(code) };
        assert!(!p.is_null());
        let s = unsafe { CStr::from_ptr(p) }.to_bytes();
        assert!(
            !s.is_empty() && s.iter().all(|&c| (32..127).contains(&c)),
            "status_str({code})"
        );
    }
    let v = unsafe { CStr::from_ptr(mailfold_version()) }.to_bytes();
    assert!(
        !v.is_empty() && v.iter().all(|c| c.is_ascii_digit() || *c == b'.'),
        "version"
    );
    let d = unsafe { mailfold_options_default() };
    // 0 and 78 both mean the default width.
    assert!(
        matches!(d.max_line_len, 0 | 78) && d.flags == 0,
        "options_default {d:?}"
    );
}

fuzz_target!(|input: Input| {
    match input.op % 6 {
        0 => field(&input, false),
        1 => field(&input, true),
        2 => mailboxes(&input),
        3 => date(&input),
        4 => msg_id(&input),
        _ => strings(&input),
    }
});
