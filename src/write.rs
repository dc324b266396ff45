//! `std::io::Write` convenience (feature `std`).

use crate::{format_header, Error, Options};
use std::io;
use std::vec;

/// Formats a field and writes it to `w` in one `write_all`; nothing is written on error.
///
/// ```
/// let mut out = Vec::new();
/// mailfold::write_header(&mut out, "Subject", "hi", &mailfold::Options::default()).unwrap();
/// assert_eq!(out, b"Subject: hi\r\n");
/// ```
pub fn write_header<W: io::Write>(
    w: &mut W,
    name: &str,
    value: &str,
    options: &Options,
) -> io::Result<()> {
    let mut stack = [0u8; 1024];
    match format_header(name, value, options, &mut stack) {
        Ok(n) => w.write_all(&stack[..n]),
        Err(Error::BufferTooSmall { needed }) => {
            let mut heap = vec![0; needed];
            let n = format_header(name, value, options, &mut heap).map_err(io::Error::other)?;
            w.write_all(&heap[..n])
        }
        Err(e) => Err(io::Error::new(io::ErrorKind::InvalidInput, e)),
    }
}
