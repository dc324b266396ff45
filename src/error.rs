//! The one error type every formatting function returns.

use core::fmt;

/// Why a field could not be formatted.
///
/// Every `at` is a byte offset into the caller's value exactly as it was given (before any
/// unfolding), pointing at the first byte that made the input invalid.
///
/// Validation never depends on the size of the output buffer: input that is invalid fails
/// with the same error whatever buffer it is given, and [`Error::BufferTooSmall`] always means
/// the input itself is fine.
///
/// ```
/// use mailfold::{format_header, Error, Options};
///
/// let mut out = [0u8; 128];
/// let err = format_header("Subject", "hi\r\nBcc: victim@example.com", &Options::default(), &mut out);
/// assert_eq!(err, Err(Error::ControlCharacter { at: 2 }));
/// assert_eq!(err.unwrap_err().to_string(), "control character in value at byte 2");
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Error {
    /// The output buffer is too small; `needed` is the exact number of bytes the field takes.
    BufferTooSmall {
        /// Exact size of the formatted field in bytes.
        needed: usize,
    },
    /// The header name is empty, or has a byte outside 33..=126, or a `:`; or, for
    /// `format_mailboxes`, names a field that holds no mailbox list (a msg-id field, `Date`,
    /// a MIME or other structured field, `Keywords`, `List-Id`).
    InvalidName,
    /// A CR or LF that is not part of a fold (`CRLF`/`LF` followed by SP or HTAB), NUL,
    /// another C0 control except HTAB, DEL, or a Unicode line separator (U+0085, U+2028,
    /// U+2029) or C1 control where nothing may be encoded.
    ControlCharacter {
        /// Byte offset of the offending character.
        at: usize,
    },
    /// Non-ASCII text in a place that cannot be encoded, with the `utf8` option off. Inside
    /// the ids of a msg-id field it is [`Error::InvalidMsgId`] instead, at the same offset,
    /// whether or not the id is closed.
    NonAscii {
        /// Byte offset of the first byte of the non-ASCII character.
        at: usize,
    },
    /// A malformed msg-id (RFC 5322 §3.6.4; non-ASCII in one with `utf8` off too), or a
    /// domain unusable in one.
    InvalidMsgId {
        /// Byte offset where the id stops being valid.
        at: usize,
    },
    /// A malformed address, address list or group (RFC 5322 §3.4).
    InvalidAddress {
        /// Byte offset where the address stops being valid.
        at: usize,
    },
    /// Some line would be longer than 998 octets whatever the folding (RFC 5322 §2.1.1).
    LineTooLong,
    /// An option is out of range (`max_line_len` outside 40..=998).
    InvalidOption,
    /// A date outside what `format_date` supports, or a `Date` value that is not an
    /// RFC 5322 date-time.
    InvalidDate,
    /// A malformed MIME parameter field (type, subtype or parameter name not a token,
    /// duplicate parameter, bad value).
    InvalidParameter {
        /// Byte offset where the field stops being valid.
        at: usize,
    },
}

impl Error {
    /// The byte offset into the value that the error points at, for the errors that have
    /// one.
    ///
    /// ```
    /// use mailfold::{format_header, Error, Options};
    ///
    /// let mut out = [0u8; 128];
    /// let err = format_header("References", "<a@b> <c@@d>", &Options::default(), &mut out);
    /// assert_eq!(err.unwrap_err().at(), Some(9));
    /// assert_eq!(Error::LineTooLong.at(), None);
    /// ```
    pub const fn at(&self) -> Option<usize> {
        match *self {
            Error::ControlCharacter { at }
            | Error::NonAscii { at }
            | Error::InvalidMsgId { at }
            | Error::InvalidAddress { at }
            | Error::InvalidParameter { at } => Some(at),
            Error::BufferTooSmall { .. }
            | Error::InvalidName
            | Error::LineTooLong
            | Error::InvalidOption
            | Error::InvalidDate => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::BufferTooSmall { needed } => {
                write!(f, "output buffer too small: {needed} bytes needed")
            }
            Error::InvalidName => f.write_str("invalid header field name"),
            Error::ControlCharacter { at } => write!(f, "control character in value at byte {at}"),
            Error::NonAscii { at } => write!(f, "non-ASCII character not allowed at byte {at}"),
            Error::InvalidMsgId { at } => write!(f, "invalid msg-id at byte {at}"),
            Error::InvalidAddress { at } => write!(f, "invalid address at byte {at}"),
            Error::LineTooLong => f.write_str("a line would exceed 998 octets"),
            Error::InvalidOption => f.write_str("invalid option"),
            Error::InvalidDate => f.write_str("invalid or unsupported date"),
            Error::InvalidParameter { at } => write!(f, "invalid MIME parameter at byte {at}"),
        }
    }
}

impl core::error::Error for Error {}

#[cfg(feature = "defmt")]
impl defmt::Format for Error {
    fn format(&self, f: defmt::Formatter<'_>) {
        match *self {
            Error::BufferTooSmall { needed } => {
                defmt::write!(f, "BufferTooSmall({=usize})", needed)
            }
            Error::InvalidName => defmt::write!(f, "InvalidName"),
            Error::ControlCharacter { at } => defmt::write!(f, "ControlCharacter(at {=usize})", at),
            Error::NonAscii { at } => defmt::write!(f, "NonAscii(at {=usize})", at),
            Error::InvalidMsgId { at } => defmt::write!(f, "InvalidMsgId(at {=usize})", at),
            Error::InvalidAddress { at } => defmt::write!(f, "InvalidAddress(at {=usize})", at),
            Error::LineTooLong => defmt::write!(f, "LineTooLong"),
            Error::InvalidOption => defmt::write!(f, "InvalidOption"),
            Error::InvalidDate => defmt::write!(f, "InvalidDate"),
            Error::InvalidParameter { at } => defmt::write!(f, "InvalidParameter(at {=usize})", at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Error;

    /// Every error with a position gives it back, the others none (the C API's `error_at`
    /// is read from here).
    #[test]
    fn at_is_the_position_of_the_errors_that_have_one() {
        let placed: [fn(usize) -> Error; 5] = [
            |at| Error::ControlCharacter { at },
            |at| Error::NonAscii { at },
            |at| Error::InvalidMsgId { at },
            |at| Error::InvalidAddress { at },
            |at| Error::InvalidParameter { at },
        ];
        for make in placed {
            assert_eq!(make(7).at(), Some(7));
            assert_eq!(make(0).at(), Some(0));
        }
        for e in [
            Error::BufferTooSmall { needed: 7 },
            Error::InvalidName,
            Error::LineTooLong,
            Error::InvalidOption,
            Error::InvalidDate,
        ] {
            assert_eq!(e.at(), None, "{e:?}");
        }
    }
}
