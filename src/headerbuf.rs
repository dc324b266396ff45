//! A fixed-capacity buffer of formatted fields, backed by `heapless`.

use crate::{format_field, format_mailboxes, Error, FieldClass, Mailbox, Options};

/// A fixed-capacity, stack-allocated buffer that collects formatted header fields, so Rust
/// callers can format without managing slices and offsets.
///
/// Each `push_*` appends one whole field or nothing: on any error the buffer is left as it
/// was, and [`Error::BufferTooSmall`] reports the size the buffer would need in total.
///
/// ```
/// use mailfold::{HeaderBuf, Options};
///
/// let opts = Options::default();
/// let mut head: HeaderBuf<512> = HeaderBuf::new();
/// head.push("From", "Zoë <zoe@example.com>", &opts)?;
/// head.push("Subject", "Grüße", &opts.clone().with_encoding(mailfold::Encoding::Q))?;
/// assert_eq!(
///     head.as_str(),
///     "From: =?utf-8?q?Zo=C3=AB?= <zoe@example.com>\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n"
/// );
/// # Ok::<(), mailfold::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct HeaderBuf<const N: usize> {
    bytes: heapless::Vec<u8, N>,
}

impl<const N: usize> HeaderBuf<N> {
    /// An empty buffer.
    ///
    /// ```
    /// assert_eq!(mailfold::HeaderBuf::<8>::new().len(), 0);
    /// ```
    pub const fn new() -> Self {
        HeaderBuf {
            bytes: heapless::Vec::new(),
        }
    }

    /// Appends a field formatted by [`crate::format_header`].
    ///
    /// ```
    /// let mut h = mailfold::HeaderBuf::<64>::new();
    /// h.push("Subject", "hi", &mailfold::Options::default())?;
    /// assert_eq!(h.as_bytes(), b"Subject: hi\r\n");
    /// # Ok::<(), mailfold::Error>(())
    /// ```
    pub fn push(&mut self, name: &str, value: &str, options: &Options) -> Result<(), Error> {
        self.push_field(name, FieldClass::Auto, value, options)
    }

    /// Appends a field formatted by [`crate::format_field`] with the given class.
    ///
    /// ```
    /// use mailfold::{FieldClass, HeaderBuf, Options};
    /// let mut h = HeaderBuf::<64>::new();
    /// h.push_field("X-Ref", FieldClass::MsgId, "a@b", &Options::default())?;
    /// assert_eq!(h.as_str(), "X-Ref: <a@b>\r\n");
    /// # Ok::<(), mailfold::Error>(())
    /// ```
    pub fn push_field(
        &mut self,
        name: &str,
        class: FieldClass,
        value: &str,
        options: &Options,
    ) -> Result<(), Error> {
        self.append(|out| format_field(name, class, value, options, out))
    }

    /// Appends an address field formatted by [`crate::format_mailboxes`].
    ///
    /// ```
    /// use mailfold::{HeaderBuf, Mailbox, Options};
    /// let mut h = HeaderBuf::<64>::new();
    /// h.push_mailboxes("To", &[Mailbox { display_name: Some("A, B"), addr_spec: "ab@x.org" }], &Options::default())?;
    /// assert_eq!(h.as_str(), "To: \"A, B\" <ab@x.org>\r\n");
    /// # Ok::<(), mailfold::Error>(())
    /// ```
    pub fn push_mailboxes(
        &mut self,
        name: &str,
        mailboxes: &[Mailbox<'_>],
        options: &Options,
    ) -> Result<(), Error> {
        self.append(|out| format_mailboxes(name, mailboxes, options, out))
    }

    pub(crate) fn append(
        &mut self,
        format: impl FnOnce(&mut [u8]) -> Result<usize, Error>,
    ) -> Result<(), Error> {
        let old = self.bytes.len();
        // Format straight into the spare capacity; the zero fill is what makes it a slice.
        let _ = self.bytes.resize(N, 0);
        match format(&mut self.bytes[old..]) {
            Ok(n) => {
                self.bytes.truncate(old + n);
                Ok(())
            }
            Err(e) => {
                self.bytes.truncate(old);
                Err(match e {
                    Error::BufferTooSmall { needed } => Error::BufferTooSmall {
                        needed: old + needed,
                    },
                    other => other,
                })
            }
        }
    }

    /// The formatted fields.
    ///
    /// ```
    /// assert_eq!(mailfold::HeaderBuf::<8>::new().as_bytes(), b"");
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The formatted fields as text (always valid UTF-8: ASCII, or UTF-8 in `utf8` mode).
    ///
    /// ```
    /// assert_eq!(mailfold::HeaderBuf::<8>::new().as_str(), "");
    /// ```
    pub fn as_str(&self) -> &str {
        // Every formatter writes whole UTF-8 characters taken from `&str` input or ASCII.
        core::str::from_utf8(&self.bytes).unwrap_or("")
    }

    /// Bytes held.
    ///
    /// ```
    /// assert_eq!(mailfold::HeaderBuf::<8>::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// True when nothing has been written.
    ///
    /// ```
    /// assert!(mailfold::HeaderBuf::<8>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Empties the buffer.
    ///
    /// ```
    /// let mut h = mailfold::HeaderBuf::<64>::new();
    /// h.push("Subject", "x", &mailfold::Options::default()).unwrap();
    /// h.clear();
    /// assert!(h.is_empty());
    /// ```
    pub fn clear(&mut self) {
        self.bytes.clear();
    }
}
