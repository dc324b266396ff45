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
            copy(dst, bytes);
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
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Forgets everything written after `mark`, so a fast path that finds it cannot handle a
    /// value can hand it to the general path as if it had never started.
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

/// `dst.copy_from_slice(src)` for slices of equal length. Most writes are short (a name, a
/// word, a line ending, an encoded-word), and a call into the C library's `memcpy` costs more
/// than the copy itself: up to 16 bytes are moved with two overlapping loads and stores.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn copy(dst: &mut [u8], src: &[u8]) {
    let n = src.len();
    if n > 16 || dst.len() != n {
        dst.copy_from_slice(src);
    } else if n >= 8 {
        copy_pair::<8>(dst, src, n);
    } else if n >= 4 {
        copy_pair::<4>(dst, src, n);
    } else if n >= 2 {
        copy_pair::<2>(dst, src, n);
    } else if let (Some(d), Some(&s)) = (dst.first_mut(), src.first()) {
        // Not a loop: LLVM turns a 1-3 byte loop back into a call to `memcpy`.
        *d = s;
    }
}

/// For `W <= n <= 2 * W`: the first and the last `W` bytes, which together cover all `n`.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn copy_pair<const W: usize>(dst: &mut [u8], src: &[u8], n: usize) {
    let (head, tail) = (
        src.first_chunk::<W>(),
        src.get(n - W..).and_then(|t| t.first_chunk::<W>()),
    );
    if let (Some(&head), Some(&tail)) = (head, tail) {
        if let Some(d) = dst.first_chunk_mut::<W>() {
            *d = head;
        }
        if let Some(d) = dst.get_mut(n - W..).and_then(|t| t.first_chunk_mut::<W>()) {
            *d = tail;
        }
    }
}

/// Stores `src` (17 to 128 bytes: an encoded-word, a mailbox, an element) at the start of
/// `dst` with two overlapping fixed-size moves of 16, 32 or 64 bytes instead of a call into
/// `memcpy` with its branches on the length. False, nothing stored, when `dst` is shorter
/// than `src` or `src` is not 16 to 128 bytes long.
#[cfg(not(target_os = "none"))]
#[inline(always)]
pub(crate) fn store_by_moves(dst: &mut [u8], src: &[u8]) -> bool {
    let n = src.len();
    if n <= 32 {
        move_pair::<16>(dst, src)
    } else if n <= 64 {
        move_pair::<32>(dst, src)
    } else {
        move_pair::<64>(dst, src)
    }
}

/// For `W <= src.len() <= 2 * W`: the first and the last `W` bytes of `src` to the start of
/// `dst`, which together cover all of it. False (nothing stored) when a bound does not hold.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn move_pair<const W: usize>(dst: &mut [u8], src: &[u8]) -> bool {
    let n = src.len();
    let Some(tail_at) = n.checked_sub(W) else {
        return false;
    };
    let (Some(&head), Some(&tail)) = (
        src.first_chunk::<W>(),
        src.get(tail_at..).and_then(|t| t.first_chunk::<W>()),
    ) else {
        return false;
    };
    if tail_at > W || dst.len() < n {
        return false;
    }
    if let Some(d) = dst.first_chunk_mut::<W>() {
        *d = head;
    }
    if let Some(d) = dst
        .get_mut(tail_at..)
        .and_then(|t| t.first_chunk_mut::<W>())
    {
        *d = tail;
    }
    true
}

#[cfg(target_os = "none")]
#[inline(always)]
fn copy(dst: &mut [u8], src: &[u8]) {
    dst.copy_from_slice(src);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_length_and_every_buffer_size() {
        let src: std::vec::Vec<u8> = (1..=40).collect();
        for n in 0..=40 {
            for cap in 0..=44 {
                let mut buf = [0xEEu8; 48];
                let mut sink = SliceSink::new(&mut buf[..cap]);
                sink.byte(b'>');
                sink.write(&src[..n]);
                let fits = n < cap;
                assert_eq!(
                    sink.finish(),
                    if fits {
                        Ok(1 + n)
                    } else {
                        Err(Error::BufferTooSmall { needed: 1 + n })
                    }
                );
                if fits {
                    assert_eq!(buf[0], b'>');
                    assert_eq!(&buf[1..1 + n], &src[..n], "n={n} cap={cap}");
                    assert!(buf[1 + n..].iter().all(|&b| b == 0xEE), "n={n} cap={cap}");
                } else {
                    assert!(
                        buf[1.min(cap)..].iter().all(|&b| b == 0xEE),
                        "n={n} cap={cap}"
                    );
                }
            }
        }
    }
}
