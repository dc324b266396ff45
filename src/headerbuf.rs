//! A fixed-capacity buffer of formatted fields, backed by `heapless`.

/// A fixed-capacity buffer that collects formatted header fields.
///
/// ```
/// let buf: mailfold::HeaderBuf<64> = mailfold::HeaderBuf::new();
/// assert!(buf.is_empty());
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
        HeaderBuf { bytes: heapless::Vec::new() }
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
}
