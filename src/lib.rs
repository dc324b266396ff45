//! # mailfold
//!
//! Formats RFC 5322 header fields into bytes every mail server accepts, into a buffer the
//! caller provides: no allocation, no `std`, no panics on any input.
//!
//! * msg-id fields (`Message-ID`, `References`, ...) are never encoded and never folded inside
//!   an id, so a long host name cannot turn an id into RFC 2047 soup that Exchange rejects.
//! * Non-ASCII text becomes correct RFC 2047 encoded-words (≤ 75 characters, whole UTF-8
//!   characters, phrase-safe in display names).
//! * A CR or LF that is not a fold is an error, so a value can never start a new header.
//!
//! ```
//! use mailfold::{format_header, Options};
//!
//! let mut out = [0u8; 256];
//! // ASCII words stay readable; each non-ASCII word becomes an encoded-word (Q or B,
//! // whichever is shorter).
//! let n = format_header("Subject", "Grüße aus Köln", &Options::default(), &mut out).unwrap();
//! assert_eq!(&out[..n], b"Subject: =?utf-8?b?R3LDvMOfZQ==?= aus =?utf-8?b?S8O2bG4=?=\r\n");
//!
//! let id = "<154810422972.4.16142961424846318784@aaf39fce-569e-473a-9453-6862595bd8da.prvt.dyno.rt.heroku.com>";
//! let n = format_header("Message-ID", id, &Options::default(), &mut out).unwrap();
//! assert_eq!(&out[..n], [b"Message-ID: ", id.as_bytes(), b"\r\n"].concat().as_slice());
//! ```
//!
//! Every function returns the number of bytes written, or [`Error::BufferTooSmall`] with the
//! exact size needed; a call with an empty buffer is a size query. See the README for the
//! field classes, the folding rules and the decisions made where the RFCs leave room.
#![no_std]
#![forbid(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

#[cfg(any(feature = "std", test))]
extern crate std;

mod address;
mod chars;
mod classify;
mod cpu;
mod date;
mod encoded_word;
mod error;
pub mod ffi;
mod fold;
mod headerbuf;
mod input;
mod mime;
mod msgid;
mod options;
mod phrase;
mod scan;
mod sink;
mod structured;
#[cfg(test)]
mod test_util;
mod unstructured;
#[cfg(feature = "std")]
mod write;

#[cfg(all(feature = "panic-handler", target_os = "none"))]
mod panic_handler;

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

pub use address::Mailbox;
pub use error::Error;
pub use headerbuf::HeaderBuf;
pub use mime::{ContentDisposition, ContentType, MAX_PARAMS};
pub use options::{
    Encoding, FieldClass, LineEnding, Options, DEFAULT_MAX_LINE_LEN, HARD_LINE_LIMIT,
    MIN_MAX_LINE_LEN,
};
#[cfg(feature = "std")]
pub use write::write_header;

use fold::Folder;
use sink::SliceSink;

/// Formats one header field, choosing its syntax from the name (SPEC §2).
///
/// Writes `Name: value` plus the line ending, folded to `options.max_line_len`, into `out`
/// and returns the number of bytes written. The name keeps the caller's spelling.
///
/// ```
/// use mailfold::{format_header, Error, Options};
///
/// let mut out = [0u8; 128];
/// let n = format_header("To", "Doe <jd@example.com>, \"Roe, Jane\" <jr@example.com>", &Options::default(), &mut out)?;
/// assert_eq!(&out[..n], b"To: Doe <jd@example.com>, \"Roe, Jane\" <jr@example.com>\r\n");
///
/// // A size query: an empty buffer reports the exact size.
/// assert_eq!(format_header("Subject", "hello", &Options::default(), &mut []), Err(Error::BufferTooSmall { needed: 16 }));
/// # Ok::<(), Error>(())
/// ```
pub fn format_header(
    name: &str,
    value: &str,
    options: &Options,
    out: &mut [u8],
) -> Result<usize, Error> {
    format_field(name, FieldClass::Auto, value, options, out)
}

/// Formats one header field with the given syntax class ([`FieldClass::Auto`] = from the name).
///
/// Forcing the class the name has anyway changes nothing: the name's own rules stay (one
/// mailbox in `Sender`, an empty `Bcc`, one id in `Message-ID`, a validated `Date`).
///
/// ```
/// use mailfold::{format_field, FieldClass, Options};
///
/// let mut out = [0u8; 128];
/// // Written exactly as given: a DKIM signature must not be refolded.
/// let n = format_field("DKIM-Signature", FieldClass::Verbatim, "v=1; a=rsa-sha256;\r\n\tb=abc", &Options::default(), &mut out)?;
/// assert_eq!(&out[..n], b"DKIM-Signature: v=1; a=rsa-sha256;\r\n\tb=abc\r\n");
/// # Ok::<(), mailfold::Error>(())
/// ```
#[cfg_attr(not(target_os = "none"), inline)]
pub fn format_field(
    name: &str,
    class: FieldClass,
    value: &str,
    options: &Options,
    out: &mut [u8],
) -> Result<usize, Error> {
    #[cfg(not(target_os = "none"))]
    {
        let mut dest = raw::Dest { out, options };
        raw::field(name, value, &mut dest, class).result()
    }
    #[cfg(target_os = "none")]
    {
        format_field_body(name, class, value, options, out)
    }
}

/// The body of [`format_field`] on bare metal (on the host, [`raw::field`] and `raw::body`
/// do its steps and return the result in two registers).
#[cfg(target_os = "none")]
#[inline(always)]
fn format_field_body(
    name: &str,
    class: FieldClass,
    value: &str,
    options: &Options,
    out: &mut [u8],
) -> Result<usize, Error> {
    options.validate()?;
    let class = field_class(name, class)?;
    let mut sink = SliceSink::new(out);
    classify::format_value(&mut sink, name, class, value, options, false)?;
    sink.finish()
}

/// The class a field is formatted with: from the name, or forced by the caller.
#[inline(always)]
fn field_class(name: &str, class: FieldClass) -> Result<classify::Class, Error> {
    Ok(match class {
        FieldClass::Auto => classify::name_class(name)?,
        // Forcing the class the name has anyway keeps the name's own rules (SPEC §2).
        forced => classify::Class::forced(forced, classify::name_class(name)?),
    })
}

/// Results as two words, which the x86_64 calling convention returns in registers (a
/// `Result<usize, Error>` is returned through memory: the caller passes a pointer to it, the
/// callee keeps that pointer and stores both words there, the caller loads them back).
#[cfg(not(target_os = "none"))]
mod raw {
    use crate::{Error, FieldClass, Options};

    /// A `Result<usize, Error>`: `tag` is [`OK`] or the error's variant (in declaration
    /// order, as the compiler numbers them, so converting is mostly a move), `n` the length
    /// or the error's number (0 for a variant without one).
    #[derive(Clone, Copy)]
    pub(crate) struct Raw {
        tag: usize,
        n: usize,
    }

    const OK: usize = 10;

    impl Raw {
        #[inline(always)]
        pub(crate) fn new(result: Result<usize, Error>) -> Raw {
            let (tag, n) = match result {
                Ok(n) => (OK, n),
                Err(Error::BufferTooSmall { needed }) => (0, needed),
                Err(Error::InvalidName) => (1, 0),
                Err(Error::ControlCharacter { at }) => (2, at),
                Err(Error::NonAscii { at }) => (3, at),
                Err(Error::InvalidMsgId { at }) => (4, at),
                Err(Error::InvalidAddress { at }) => (5, at),
                Err(Error::LineTooLong) => (6, 0),
                Err(Error::InvalidOption) => (7, 0),
                Err(Error::InvalidDate) => (8, 0),
                Err(Error::InvalidParameter { at }) => (9, at),
            };
            Raw { tag, n }
        }

        #[inline(always)]
        pub(crate) fn result(self) -> Result<usize, Error> {
            let n = self.n;
            Err(match self.tag {
                OK => return Ok(n),
                0 => Error::BufferTooSmall { needed: n },
                1 => Error::InvalidName,
                2 => Error::ControlCharacter { at: n },
                3 => Error::NonAscii { at: n },
                4 => Error::InvalidMsgId { at: n },
                5 => Error::InvalidAddress { at: n },
                6 => Error::LineTooLong,
                7 => Error::InvalidOption,
                8 => Error::InvalidDate,
                _ => Error::InvalidParameter { at: n },
            })
        }
    }

    impl Raw {
        /// The result of a pass that wrote (or, past the end of `out`, counted) `total`
        /// bytes into a buffer of `cap`: what [`SliceSink::finish`](crate::sink::SliceSink)
        /// gives.
        #[inline(always)]
        pub(crate) fn written(total: usize, cap: usize) -> Raw {
            Raw {
                tag: if total <= cap { OK } else { 0 },
                n: total,
            }
        }
    }

    /// Where a field goes and how: the buffer and the options, passed as one pointer so that
    /// [`field`] and what it hands over to take six arguments, all in registers (with the
    /// buffer as two more, on the stack, LLVM could not always pass them on in a tail call).
    pub(crate) struct Dest<'a, 'o> {
        pub(crate) out: &'a mut [u8],
        pub(crate) options: &'o Options,
    }

    /// [`format_field`](crate::format_field), out of line, with the result in registers.
    ///
    /// A front part without a register frame: it checks the options, classifies a name of
    /// up to 16 bytes and then jumps (a tail call: the same arguments in the same places)
    /// either to the one-id writer, for a msg-id field that may be one or two ids, or to
    /// [`body`], which does the rest with the frame the class writers need. A field that
    /// takes the one-id path so never saves the six callee-saved registers.
    #[inline(never)]
    pub(crate) fn field(name: &str, value: &str, dest: &mut Dest, class: FieldClass) -> Raw {
        if let Err(e) = dest.options.validate() {
            return Raw::new(Err(e));
        }
        use crate::classify::Short;
        let code = match class {
            FieldClass::Auto => match crate::classify::short_known_class(name) {
                Short::Known(class) => Code::class(class),
                Short::Unknown => return body_unknown(name, value, dest),
                Short::Invalid => return Raw::new(Err(Error::InvalidName)),
                Short::Other => Code::forced(class),
            },
            forced => Code::forced(forced),
        };
        if code.is_unstructured() {
            return body_unstructured(name, value, dest);
        }
        #[cfg(target_arch = "x86_64")]
        if code.is_msg_id() && crate::cpu::avx2_known() {
            // SAFETY: the CPU has AVX2 (checked just above; until the first field has asked
            // `cpu::avx2()`, `body` takes the field).
            return unsafe { crate::msgid::one_id_field(name, value, dest, code) };
        }
        body(name, value, dest, code)
    }

    /// The field's class as [`field`] passes it on: a class it found from the name, or the
    /// [`FieldClass`] it was called with (forced, or a name it does not classify), which
    /// [`body`] resolves. One register, so that [`body`] takes its arguments where [`field`]
    /// got its own; a `u32` rather than a byte, which the calling convention has the caller
    /// zero-extend before each hand-over (a `movzbl` on every path to a writer).
    #[derive(Clone, Copy)]
    pub(crate) struct Code(u32);

    /// The bit that marks a [`FieldClass`] in a [`Code`].
    const FORCED: u32 = 0x80;
    /// The [`Code`] of a name of 1 to 16 bytes that is not a known one, not yet checked.
    const SHORT_UNKNOWN: u32 = 0x40;
    /// The bit added to a msg-id class found from the name when the one- and two-id writers
    /// have declined the value (see [`Code::tried`]).
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    const TRIED: u32 = 0x20;

    impl Code {
        #[inline(always)]
        fn class(class: crate::classify::Class) -> Code {
            Code(class as u32)
        }

        #[inline(always)]
        fn forced(class: FieldClass) -> Code {
            Code(FORCED | class as u32)
        }

        /// The code of a msg-id field whose value the one- and two-id writers declined, for
        /// [`body`] (which then does not try them again).
        #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
        #[inline(always)]
        pub(crate) fn tried(self) -> Code {
            Code(self.0 | TRIED)
        }

        /// The unstructured class, found from the name.
        #[inline(always)]
        fn is_unstructured(self) -> bool {
            self.0 == crate::classify::Class::Unstructured as u32
        }

        /// A msg-id class (one or a list), found from the name.
        #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
        #[inline(always)]
        fn is_msg_id(self) -> bool {
            use crate::classify::Class;
            self.0 == Class::MsgIdOne as u32 || self.0 == Class::MsgIdList as u32
        }

        /// Whether the field may hold more than one id (a msg-id code only).
        #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
        #[inline(always)]
        pub(crate) fn is_list(self) -> bool {
            self.0 == crate::classify::Class::MsgIdList as u32
        }

        /// The class: the one found, or the one the name and the forced class give.
        #[inline(always)]
        fn resolve(self, name: &str) -> Result<crate::classify::Class, Error> {
            use crate::classify::Class;
            Ok(match self.0 {
                c if c & FORCED != 0 => {
                    let forced = match c & !FORCED {
                        c if c == FieldClass::Unstructured as u32 => FieldClass::Unstructured,
                        c if c == FieldClass::MsgId as u32 => FieldClass::MsgId,
                        c if c == FieldClass::Address as u32 => FieldClass::Address,
                        c if c == FieldClass::ReturnPath as u32 => FieldClass::ReturnPath,
                        c if c == FieldClass::AsciiStructured as u32 => FieldClass::AsciiStructured,
                        c if c == FieldClass::Mime as u32 => FieldClass::Mime,
                        c if c == FieldClass::Verbatim as u32 => FieldClass::Verbatim,
                        _ => FieldClass::Auto,
                    };
                    return super::field_class(name, forced);
                }
                SHORT_UNKNOWN => return crate::classify::short_unknown_class(name),
                c if c == Class::MsgIdOne as u32 => Class::MsgIdOne,
                c if c == Class::MsgIdList as u32 => Class::MsgIdList,
                c if c == Class::Address as u32 => Class::Address,
                c if c == Class::AddressBcc as u32 => Class::AddressBcc,
                c if c == Class::AddressOne as u32 => Class::AddressOne,
                c if c == Class::ReturnPath as u32 => Class::ReturnPath,
                c if c == Class::AsciiStructured as u32 => Class::AsciiStructured,
                c if c == Class::Date as u32 => Class::Date,
                c if c == Class::Mime as u32 => Class::Mime,
                c if c == Class::Verbatim as u32 => Class::Verbatim,
                c if c == Class::Keywords as u32 => Class::Keywords,
                c if c == Class::ListId as u32 => Class::ListId,
                _ => Class::Unstructured,
            })
        }
    }

    /// [`body`] for a name of 1 to 16 bytes that is not a known one: a hand-over of its own,
    /// so that [`field`] sets no code for it before it knows the name (the register that
    /// took it was one the table lookup then lacked, saved and restored on every field).
    #[inline(never)]
    fn body_unknown(name: &str, value: &str, dest: &mut Dest) -> Raw {
        body(name, value, dest, Code(SHORT_UNKNOWN))
    }

    /// The rest of [`field`]: the class resolved, the sink set up, the class's writer. Also
    /// where the one-id writer goes with a value it does not take (a tail call too).
    #[inline(never)]
    pub(crate) fn body(name: &str, value: &str, dest: &mut Dest, code: Code) -> Raw {
        let tried = code.0 & (FORCED | SHORT_UNKNOWN | TRIED) == TRIED;
        let class = match Code(code.0 & !TRIED).resolve(name) {
            Ok(class) => class,
            Err(e) => return Raw::new(Err(e)),
        };
        // One place writes unstructured fields, so that its writers are inlined once.
        if class == crate::classify::Class::Unstructured {
            return body_unstructured(name, value, dest);
        }
        let options = dest.options;
        let mut sink = crate::sink::SliceSink::new(dest.out);
        if let Err(e) = crate::classify::format_value(&mut sink, name, class, value, options, tried)
        {
            return Raw::new(Err(e));
        }
        Raw::new(sink.finish())
    }

    /// [`body`] for an unstructured field (the most common class: [`field`] comes here
    /// directly). [`field`] and [`body`] take the class last, so that `value` and `dest`
    /// are in the registers where this takes them: the tail calls move nothing.
    #[inline(never)]
    pub(crate) fn body_unstructured(name: &str, value: &str, dest: &mut Dest) -> Raw {
        let options = dest.options;
        let mut sink = crate::sink::SliceSink::new(dest.out);
        if let Err(e) = crate::classify::format_unstructured(&mut sink, name, value, options) {
            return Raw::new(Err(e));
        }
        Raw::new(sink.finish())
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        /// What `format_field` gives on bare metal: the options checked, the class from the
        /// name (checked and looked up by the separate steps) and the forced class, the
        /// general dispatcher.
        fn reference(
            name: &str,
            class: FieldClass,
            value: &str,
            options: &Options,
            out: &mut [u8],
        ) -> Result<usize, Error> {
            options.validate()?;
            // The name's class by the bare-metal steps, not the lookup the front part uses.
            crate::classify::check_name(name)?;
            let natural = crate::classify::class_of(name);
            let class = match class {
                FieldClass::Auto => natural,
                forced => crate::classify::Class::forced(forced, natural),
            };
            let mut sink = crate::sink::SliceSink::new(out);
            crate::classify::format_value(&mut sink, name, class, value, options, false)?;
            sink.finish()
        }

        /// The front part's classes (known, unknown, long and invalid names, forced
        /// classes), its one- and two-id writers and what they hand over to `body` give the
        /// bytes and errors of the general dispatcher, for every buffer size tried.
        #[test]
        fn front_matches_the_dispatcher() {
            // The one-id writers are used once the CPU has been asked.
            #[cfg(target_arch = "x86_64")]
            let _ = crate::cpu::avx2();
            let names = [
                "Subject",
                "subject",
                "Message-ID",
                "MESSAGE-id",
                "References",
                "In-Reply-To",
                "Content-ID",
                "To",
                "Cc",
                "Bcc",
                "Sender",
                "Date",
                "Return-Path",
                "Keywords",
                "List-Id",
                "Content-Type",
                "X",
                "Xy",
                "X-Spam-Report",
                "X-Trace-Context",
                "ARC-Seal",
                "List-Help",
                "List-",
                "ARC-",
                "Resent-Message-ID",
                "Original-Message-ID",
                "Content-Disposition",
                "Authentication-Results",
                "Content-Transfer-Encoding",
                "Disposition-Notification-To",
                "X-Forefront-Antispam-Report",
                "X-Google-Smtp-Source",
                "List-Unsubscribe-Post-Extra",
                "ARC-Authentication-Results",
                "X-Microsoft-Antispam-Message-Info",
                "X-MS-Exchange-Organization-Network-Message-Id",
                "",
                "Bad:Name",
                "Bad Name",
                "Subject\u{7f}",
                "X-Long-Name-With:Colon-Inside",
                "X-Long-Name-With Space-In",
                "Ünïcode",
                "Message-IE",
                "Message-I",
                "References-",
            ];
            let id = "<154810422972.4.16142961424846318784@aaf39fce-569e-473a-9453.rt.heroku.com>";
            let short_id = "<1548104229724161429@aaf39fce-569e-473a.com>";
            let two = [id, short_id].join(" ");
            let three = [short_id, short_id, short_id].join(" ");
            let values = [
                id,
                short_id,
                two.as_str(),
                three.as_str(),
                "<a?b@example.com>",
                "<a@b> <c@d>",
                "hello world",
                "Grüße aus Köln",
                "Doe <jd@example.com>",
                "Thu, 01 Jan 1970 00:00:00 +0000",
                "text/plain; charset=utf-8",
                "",
            ];
            let options = [
                Options::default(),
                Options::default().with_line_ending(crate::LineEnding::Lf),
                Options::default().with_max_line_len(40),
                Options::default().with_max_line_len(10),
            ];
            let classes = [
                FieldClass::Auto,
                FieldClass::Unstructured,
                FieldClass::MsgId,
                FieldClass::Address,
                FieldClass::ReturnPath,
                FieldClass::AsciiStructured,
                FieldClass::Mime,
                FieldClass::Verbatim,
            ];
            for name in names {
                for value in values {
                    for opts in &options {
                        for class in classes {
                            for cap in [0, 20, 400] {
                                let (mut a, mut b) = ([0xEEu8; 400], [0xEEu8; 400]);
                                let want = reference(name, class, value, opts, &mut a[..cap]);
                                let got =
                                    crate::format_field(name, class, value, opts, &mut b[..cap]);
                                assert_eq!(
                                    got, want,
                                    "{name:?} {class:?} {value:?} {opts:?} {cap}"
                                );
                                assert_eq!(a, b, "{name:?} {class:?} {value:?} {opts:?} {cap}");
                            }
                        }
                    }
                }
            }
        }

        /// The one-id writers against the general dispatcher for ids of every length around
        /// their ranges (30..=131 bytes), whole, doubled and with troublesome bytes, in each
        /// msg-id name, for the buffer sizes around the exact one.
        #[test]
        fn front_one_id_every_length() {
            #[cfg(target_arch = "x86_64")]
            let _ = crate::cpu::avx2();
            let names = ["Message-ID", "In-Reply-To", "references", "Content-ID"];
            let options = [
                Options::default(),
                Options::default().with_line_ending(crate::LineEnding::Lf),
                Options::default().with_max_line_len(40),
            ];
            let mut values = std::vec::Vec::new();
            for total in 30..=131usize {
                for at in [1, total / 2, total - 2] {
                    // No dot on the right: the host is digits only.
                    let id = crate::test_util::synthetic_id(total, at, b'7', 4, usize::MAX);
                    values.push(id.clone());
                    if at == total / 2 {
                        for i in [
                            0,
                            1,
                            2,
                            31,
                            32,
                            33,
                            total.wrapping_sub(33),
                            total.wrapping_sub(32),
                            total - 2,
                        ] {
                            for c in [b'.', b'@', b'>'] {
                                let mut bad = id.clone();
                                if let Some(b) = bad.get_mut(i) {
                                    *b = c;
                                }
                                values.push(bad);
                            }
                        }
                        let mut two = id.clone();
                        two.push(b' ');
                        two.extend_from_slice(&id);
                        values.push(two);
                    }
                }
            }
            for name in names {
                for value in &values {
                    let value = std::str::from_utf8(value).unwrap();
                    for opts in &options {
                        let needed = match reference(name, FieldClass::Auto, value, opts, &mut []) {
                            Err(Error::BufferTooSmall { needed }) => needed,
                            _ => 0,
                        };
                        for cap in [0, needed.saturating_sub(1), needed, needed + 1, 400] {
                            let (mut a, mut b) = ([0xEEu8; 400], [0xEEu8; 400]);
                            let cap = cap.min(400);
                            let want =
                                reference(name, FieldClass::Auto, value, opts, &mut a[..cap]);
                            let got = crate::format_field(
                                name,
                                FieldClass::Auto,
                                value,
                                opts,
                                &mut b[..cap],
                            );
                            assert_eq!(got, want, "{name:?} {value:?} {opts:?} {cap}");
                            // After an error the buffer's bytes are unspecified (SPEC §1.2),
                            // but none past it is written.
                            if want.is_ok() {
                                assert_eq!(a, b, "{name:?} {value:?} {opts:?} {cap}");
                            }
                            assert!(b[cap..].iter().all(|&c| c == 0xEE), "{value:?} {cap}");
                        }
                    }
                }
            }
        }

        /// Every error survives the round trip (a variant mapped to the wrong tag fails).
        #[test]
        fn every_result_round_trips() {
            let all = [
                Ok(7),
                Ok(0),
                Err(Error::BufferTooSmall { needed: 9 }),
                Err(Error::InvalidName),
                Err(Error::ControlCharacter { at: 3 }),
                Err(Error::NonAscii { at: 4 }),
                Err(Error::InvalidMsgId { at: 5 }),
                Err(Error::InvalidAddress { at: 6 }),
                Err(Error::LineTooLong),
                Err(Error::InvalidOption),
                Err(Error::InvalidDate),
                Err(Error::InvalidParameter { at: 8 }),
            ];
            for r in all {
                assert_eq!(Raw::new(r).result(), r);
            }
        }
    }
}

/// Formats an address field from already-separated mailboxes.
///
/// Display names are taken literally (a comma or `<` in a name from a web form is quoted or
/// encoded, never read as syntax), so user input can never add a recipient.
///
/// The name must be an address field or one of free text (an `X-` name, say). `Return-Path`
/// takes exactly one mailbox without a display name and is written as `<addr-spec>`. Names
/// whose fields hold no mailbox list (msg-id fields, `Date`, MIME and other structured
/// fields, `Keywords`, `List-Id`) give [`Error::InvalidName`].
///
/// ```
/// use mailfold::{format_mailboxes, Mailbox, Options};
///
/// let boxes = [
///     Mailbox { display_name: Some("Doe, John"), addr_spec: "jd@example.com" },
///     Mailbox { display_name: Some("Zoë"), addr_spec: "zoe@example.com" },
///     Mailbox { display_name: None, addr_spec: "ops@example.com" },
/// ];
/// let mut out = [0u8; 256];
/// let n = format_mailboxes("To", &boxes, &mailfold::Options::default(), &mut out)?;
/// assert_eq!(
///     &out[..n],
///     b"To: \"Doe, John\" <jd@example.com>, =?utf-8?q?Zo=C3=AB?= <zoe@example.com>,\r\n ops@example.com\r\n"
/// );
/// # Ok::<(), mailfold::Error>(())
/// ```
pub fn format_mailboxes(
    name: &str,
    mailboxes: &[Mailbox<'_>],
    options: &Options,
    out: &mut [u8],
) -> Result<usize, Error> {
    format_mailboxes_from(name, mailboxes.iter().copied(), options, out)
}

/// [`format_mailboxes`] over any sized iterator of mailboxes (the C ABI converts C mailboxes
/// one by one instead of into an array, which it could not allocate).
pub(crate) fn format_mailboxes_from<'m>(
    name: &str,
    mailboxes: impl ExactSizeIterator<Item = Mailbox<'m>>,
    options: &Options,
    out: &mut [u8],
) -> Result<usize, Error> {
    options.validate()?;
    let class = classify::name_class(name)?;
    let (required, single) = match class {
        classify::Class::Address | classify::Class::AddressBcc | classify::Class::AddressOne => {
            class.address().unwrap_or((true, false))
        }
        // Free text may carry a mailbox list (X-Original-To and other unknown names).
        classify::Class::Unstructured => (true, false),
        classify::Class::ReturnPath => return return_path_from(name, mailboxes, options, out),
        // msg-id, Date, MIME, Keywords, List-Id and ASCII structured fields hold no mailbox
        // list: one written there would break the field's syntax.
        _ => return Err(Error::InvalidName),
    };
    let mut sink = SliceSink::new(out);
    let mut folder = Folder::start(&mut sink, name, options)?;
    address::format_mailboxes(&mut folder, mailboxes, options, required, single)?;
    folder.end();
    sink.finish()
}

/// `Return-Path` from mailboxes: exactly one, without a display name, written as the path
/// `<addr-spec>` (RFC 5322 §3.6.7); anything else is `InvalidAddress { at: 0 }`.
fn return_path_from<'m>(
    name: &str,
    mut mailboxes: impl ExactSizeIterator<Item = Mailbox<'m>>,
    options: &Options,
    out: &mut [u8],
) -> Result<usize, Error> {
    let (Some(mb), None) = (mailboxes.next(), mailboxes.next()) else {
        return Err(Error::InvalidAddress { at: 0 });
    };
    let addr = mb.addr_spec;
    // The addr-spec is taken literally, as in every other address field: brackets or white
    // space around it (which the text form of Return-Path would accept) are not part of one.
    let space = [' ', '\t', '\r', '\n'];
    if mb.display_name.is_some_and(|n| !n.is_empty())
        || addr.starts_with('<')
        || addr.starts_with(space)
        || addr.ends_with(space)
    {
        return Err(Error::InvalidAddress { at: 0 });
    }
    // The Return-Path steps of `classify::format_value`, called directly: a second caller of
    // that dispatcher made LLVM stop inlining it into `format_field` (+31 instructions per
    // field on every category, measured).
    input::check_controls(addr.as_bytes())?;
    let mut sink = SliceSink::new(out);
    let mut folder = Folder::start(&mut sink, name, options)?;
    address::format_return_path(&mut folder, addr, options)?;
    folder.end();
    sink.finish()
}

/// Writes an RFC 5322 date-time (`Thu, 01 Jan 1970 00:00:00 +0000`) for a Unix time and a UTC
/// offset in minutes, ready to pass to `format_header("Date", ...)`.
///
/// The offset must be in -1439..=1439 and the local year in 1900..=9999, else
/// [`Error::InvalidDate`].
///
/// ```
/// let mut out = [0u8; 31];
/// let n = mailfold::format_date(1_795_916_715, -210, &mut out)?;
/// assert_eq!(&out[..n], b"Sat, 28 Nov 2026 22:15:15 -0330");
/// # Ok::<(), mailfold::Error>(())
/// ```
pub fn format_date(
    unix_seconds: i64,
    utc_offset_minutes: i32,
    out: &mut [u8],
) -> Result<usize, Error> {
    let mut sink = SliceSink::new(out);
    date::write_date(&mut sink, unix_seconds, utc_offset_minutes)?;
    sink.finish()
}

/// Writes a new msg-id, `<` + 32 lowercase hex digits of a UUID v4 built from `random` + `@` +
/// `domain` + `>`, ready to pass to `format_header("Message-ID", ...)`.
///
/// The caller supplies the 16 random bytes (from its RNG; no OS access here) and the domain
/// (a dot-atom; no host name lookup, so a long host name never bloats the id).
///
/// ```
/// let mut out = [0u8; 64];
/// let n = mailfold::make_msg_id(&[0x42; 16], "example.com", &mut out)?;
/// // UUID v4 sets the version nibble (4) and the variant bits (8..b) of the random bytes.
/// assert_eq!(&out[..n], b"<42424242424242428242424242424242@example.com>".as_slice());
/// # Ok::<(), mailfold::Error>(())
/// ```
pub fn make_msg_id(random: &[u8; 16], domain: &str, out: &mut [u8]) -> Result<usize, Error> {
    let mut sink = SliceSink::new(out);
    msgid::write_new_id(&mut sink, random, domain)?;
    sink.finish()
}
