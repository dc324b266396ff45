//! Formatting options and the field classes a caller can force.

use crate::Error;

/// The soft line limit RFC 5322 §2.1.1 recommends, in characters, excluding the line ending.
pub const DEFAULT_MAX_LINE_LEN: usize = 78;
/// The smallest soft limit accepted: below it, encoded-words and ordinary tokens stop fitting.
pub const MIN_MAX_LINE_LEN: usize = 40;
/// The hard limit of RFC 5322 §2.1.1, in octets, excluding the line ending.
pub const HARD_LINE_LIMIT: usize = 998;

/// How the field is written.
///
/// Build it from [`Options::default`] and the `with_*` methods (the struct is
/// `#[non_exhaustive]`, so new options can be added without breaking callers):
///
/// ```
/// use mailfold::{Encoding, LineEnding, Options};
///
/// let opts = Options::default()
///     .with_max_line_len(72)
///     .with_line_ending(LineEnding::Lf)
///     .with_encoding(Encoding::B);
/// assert_eq!(opts.max_line_len, 72);
/// assert!(!opts.utf8);
/// ```
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Options {
    /// Soft line limit (RFC 5322 §2.1.1), 40..=998, default 78. Excludes the line ending.
    /// With `utf8` on it counts characters; the hard 998 limit always counts octets.
    pub max_line_len: usize,
    /// Line ending written after every line, default CRLF.
    pub line_ending: LineEnding,
    /// RFC 6532 mode: UTF-8 is written raw where the syntax allows it instead of being
    /// encoded (or rejected). Default off.
    pub utf8: bool,
    /// Which RFC 2047 encoding encoded-words use. Default [`Encoding::Auto`].
    pub encoding: Encoding,
    /// MIME parameter fields: also write the RFC 2047 form of a non-ASCII parameter value
    /// (`name="=?utf-8?b?...?="`) after its RFC 2231 form, for old Outlook versions.
    /// Default off: readers that prefer plain parameters (CPython's `compat32` policy) then
    /// show the encoded-word text (README, "Decisions").
    pub rfc2047_params: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_line_len: DEFAULT_MAX_LINE_LEN,
            line_ending: LineEnding::Crlf,
            utf8: false,
            encoding: Encoding::Auto,
            rfc2047_params: false,
        }
    }
}

impl Options {
    /// Sets the soft line limit (checked when formatting: 40..=998).
    ///
    /// ```
    /// let opts = mailfold::Options::default().with_max_line_len(998);
    /// assert_eq!(opts.max_line_len, 998);
    /// ```
    #[must_use]
    pub fn with_max_line_len(mut self, max_line_len: usize) -> Self {
        self.max_line_len = max_line_len;
        self
    }

    /// Sets the line ending.
    ///
    /// ```
    /// use mailfold::{LineEnding, Options};
    /// assert_eq!(Options::default().with_line_ending(LineEnding::Lf).line_ending, LineEnding::Lf);
    /// ```
    #[must_use]
    pub fn with_line_ending(mut self, line_ending: LineEnding) -> Self {
        self.line_ending = line_ending;
        self
    }

    /// Turns RFC 6532 (raw UTF-8) mode on or off.
    ///
    /// ```
    /// assert!(mailfold::Options::default().with_utf8(true).utf8);
    /// ```
    #[must_use]
    pub fn with_utf8(mut self, utf8: bool) -> Self {
        self.utf8 = utf8;
        self
    }

    /// Sets the RFC 2047 encoding.
    ///
    /// ```
    /// use mailfold::{Encoding, Options};
    /// assert_eq!(Options::default().with_encoding(Encoding::Q).encoding, Encoding::Q);
    /// ```
    #[must_use]
    pub fn with_encoding(mut self, encoding: Encoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// Also writes RFC 2047 forms of non-ASCII MIME parameters (see the field's docs).
    ///
    /// ```
    /// assert!(mailfold::Options::default().with_rfc2047_params(true).rfc2047_params);
    /// ```
    #[must_use]
    pub fn with_rfc2047_params(mut self, on: bool) -> Self {
        self.rfc2047_params = on;
        self
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        // One compare (a range check as two was measured on every call).
        if self.max_line_len.wrapping_sub(MIN_MAX_LINE_LEN) <= HARD_LINE_LIMIT - MIN_MAX_LINE_LEN {
            Ok(())
        } else {
            Err(Error::InvalidOption)
        }
    }
}

/// The line ending written after each line of a field.
///
/// ```
/// assert_eq!(mailfold::LineEnding::default(), mailfold::LineEnding::Crlf);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum LineEnding {
    /// `\r\n`, what RFC 5322 and SMTP require on the wire.
    #[default]
    Crlf,
    /// `\n`, for local delivery agents and files that use Unix line endings.
    Lf,
}

impl LineEnding {
    pub(crate) const fn bytes(self) -> &'static [u8] {
        match self {
            LineEnding::Crlf => b"\r\n",
            LineEnding::Lf => b"\n",
        }
    }
}

/// The RFC 2047 encoding used for encoded-words.
///
/// ```
/// assert_eq!(mailfold::Encoding::default(), mailfold::Encoding::Auto);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Encoding {
    /// For each encoded-word, whichever of Q and B is shorter for what that word holds; Q on
    /// a tie. A run of encoded text split over several words may mix the two.
    #[default]
    Auto,
    /// Always the "Q" encoding (quoted-printable-like, readable for mostly-Latin text).
    Q,
    /// Always the "B" encoding (base64).
    B,
}

/// The syntax a field is formatted with (SPEC §2).
///
/// [`FieldClass::Auto`] picks the class from the field name; the others force it. Forcing
/// the structured class a name has anyway keeps the name's own rules (an empty `Bcc`, one
/// mailbox in `Sender`, one id in `Message-ID`, a validated `Date`), so the output stays valid
/// RFC 5322 for that name.
///
/// ```
/// use mailfold::{format_field, FieldClass, Options};
///
/// let mut out = [0u8; 64];
/// // An unknown header that carries a msg-id: force the msg-id rules.
/// let n = format_field("X-Original-Id", FieldClass::MsgId, "abc@example.com", &Options::default(), &mut out).unwrap();
/// assert_eq!(&out[..n], b"X-Original-Id: <abc@example.com>\r\n");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum FieldClass {
    /// Chosen from the name, case-insensitively.
    #[default]
    Auto,
    /// Free text (RFC 5322 `unstructured`); non-ASCII words become RFC 2047 encoded-words.
    Unstructured,
    /// One or more msg-ids; never encoded, folded only between ids.
    MsgId,
    /// An address list with groups.
    Address,
    /// `<addr-spec>` or `<>`.
    ReturnPath,
    /// Structured ASCII text that must never be encoded; folded at white space.
    AsciiStructured,
    /// A MIME parameter field (`type/subtype; name=value`).
    Mime,
    /// Written exactly as given after checking it is already a valid, folded field body.
    Verbatim,
}
