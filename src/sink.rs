//! Where formatted bytes go.
//!
//! Every formatter writes through [`SliceSink`], which copies into the caller's buffer while
//! the bytes fit and only counts once they stop fitting. One pass therefore yields either the
//! output or the exact size needed, and nothing is ever written past the buffer. A size query
//! is the same pass over an empty buffer.

use crate::Error;

pub(crate) struct SliceSink<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> SliceSink<'a> {
    #[inline]
    pub(crate) fn new(buf: &'a mut [u8]) -> Self {
        SliceSink { buf, len: 0 }
    }

    // Out of line on bare metal, where flash counts more than a call per write.
    #[cfg_attr(not(target_os = "none"), inline)]
    #[cfg_attr(target_os = "none", inline(never))]
    pub(crate) fn write(&mut self, bytes: &[u8]) {
        let end = self.len + bytes.len();
        if let Some(dst) = self.buf.get_mut(self.len..end) {
            dst.copy_from_slice(bytes);
        }
        self.len = end;
    }

    #[cfg_attr(not(target_os = "none"), inline)]
    #[cfg_attr(target_os = "none", inline(never))]
    pub(crate) fn byte(&mut self, b: u8) {
        if let Some(dst) = self.buf.get_mut(self.len) {
            *dst = b;
        }
        self.len += 1;
    }

    /// Bytes written (or counted) so far: a mark for [`SliceSink::rewind`].
    #[cfg(not(target_os = "none"))]
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Forgets everything written after `mark`, so a fast path that finds it cannot handle a
    /// value can hand it to the general path as if it had never started.
    #[cfg(not(target_os = "none"))]
    #[inline]
    pub(crate) fn rewind(&mut self, mark: usize) {
        debug_assert!(mark <= self.len);
        self.len = mark;
    }

    /// The buffer after what was written so far (empty once the output has outgrown it), for
    /// a fast path that writes several pieces straight into it and then reports them with
    /// [`SliceSink::commit`].
    #[cfg(not(target_os = "none"))]
    #[inline]
    pub(crate) fn spare(&mut self) -> &mut [u8] {
        self.buf.get_mut(self.len..).unwrap_or_default()
    }

    /// Records `n` bytes after the current end: written into [`SliceSink::spare`] when they
    /// fit there, only counted otherwise.
    #[cfg(not(target_os = "none"))]
    #[inline]
    pub(crate) fn commit(&mut self, n: usize) {
        self.len += n;
    }

    /// The result of a whole formatting pass: the length, or the exact size needed.
    #[inline]
    pub(crate) fn finish(self) -> Result<usize, Error> {
        if self.len <= self.buf.len() {
            Ok(self.len)
        } else {
            Err(Error::BufferTooSmall { needed: self.len })
        }
    }
}
