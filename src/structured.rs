//! ASCII structured fields (Received, DKIM-Signature, MIME-Version, List-*, ...), Date fields
//! and verbatim fields. None of them is ever encoded.

use crate::fold::{Folder, Width};
use crate::input::{self, Words};
use crate::options::HARD_LINE_LIMIT;
use crate::{date, Error, Options};

/// Folds at the value's own white space, keeping its spacing; never encodes. Non-ASCII is an
/// error unless `utf8` is on.
pub(crate) fn format(f: &mut Folder<'_, '_>, value: &str, options: &Options) -> Result<(), Error> {
    let bytes = value.as_bytes();
    let (start, end) = input::trim(bytes);
    input::check_unencodable(&bytes[start..end], start, options.utf8)?;
    let text = &bytes[start..end];
    for (i, word) in Words::new(text).enumerate() {
        let ws = if i == 0 {
            b" ".as_slice()
        } else {
            &text[word.ws_start..word.start]
        };
        let token = &text[word.start..word.end];
        let width = if options.utf8 {
            Width::of(token)
        } else {
            Width::ascii(token.len())
        };
        f.space(ws, width, false)?;
        f.put(token, width);
    }
    Ok(())
}

/// `Date` and `Resent-Date`: an RFC 5322 date-time, then formatted as ASCII structured.
pub(crate) fn format_date_field(
    f: &mut Folder<'_, '_>,
    value: &str,
    options: &Options,
) -> Result<(), Error> {
    date::check_date_time(value.as_bytes())?;
    format(f, value, options)
}

/// Writes the value exactly as given after `Name: `. Its line breaks must already be folds
/// (checked before this is called); each is written with the chosen line ending. Every line
/// must fit in 998 octets.
pub(crate) fn format_verbatim(
    f: &mut Folder<'_, '_>,
    value: &str,
    options: &Options,
) -> Result<(), Error> {
    let bytes = value.as_bytes();
    input::check_unencodable(bytes, 0, options.utf8)?;
    let eol = options.line_ending.bytes();
    let mut line_len = f.column_bytes() + 1;
    f.put_byte(b' ');
    let mut seg_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' | b'\n' => {
                let seg = &bytes[seg_start..i];
                if line_len + seg.len() > HARD_LINE_LIMIT {
                    return Err(Error::LineTooLong);
                }
                f.sink().write(seg);
                f.sink().write(eol);
                i += if bytes[i] == b'\r' { 2 } else { 1 };
                seg_start = i;
                line_len = 0;
            }
            _ => i += 1,
        }
    }
    let seg = &bytes[seg_start..];
    if line_len + seg.len() > HARD_LINE_LIMIT {
        return Err(Error::LineTooLong);
    }
    f.sink().write(seg);
    f.mark_written();
    Ok(())
}
