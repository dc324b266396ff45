//! Unstructured fields (RFC 5322 §3.2.5): Subject, Comments, X-*, unknown names.
//!
//! Words are runs of non-white-space. ASCII words are written as they are and the text keeps
//! its own spacing; folds go before white space. A word is encoded (RFC 2047) when it holds
//! non-ASCII (with `utf8` off), a character that splits lines in some parsers, or `=?`
//! (decoders are lenient and would decode a lookalike), or when it cannot fit on a line of
//! 998 octets. Consecutive encoded words become one run of encoded-words with the white space
//! between them inside the encoded text, since decoders drop white space between
//! encoded-words.

use crate::encoded_word::{self, Context, Unfolded};
use crate::fold::{ws_width, Folder, Width};
use crate::input::{self, Word, Words};
use crate::options::HARD_LINE_LIMIT;
use crate::{chars, Error, Options};

pub(crate) fn format(f: &mut Folder<'_, '_>, value: &str, options: &Options) -> Result<(), Error> {
    let bytes = value.as_bytes();
    let (start, end) = input::trim(bytes);
    let text = &bytes[start..end];
    let mut words = Words::new(text).peekable();
    let mut first = true;
    while let Some(word) = words.next() {
        if !needs_encoding(text, word, first, options) {
            let ws = if first {
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
        } else {
            // Extend the run over the following words that are encoded too.
            let mut run_end = word.end;
            while let Some(next) = words.peek() {
                if !needs_encoding(text, *next, false, options) {
                    break;
                }
                run_end = next.end;
                words.next();
            }
            let ws = if first {
                b" ".as_slice()
            } else {
                &text[word.ws_start..word.start]
            };
            let run = Unfolded::new(&text[word.start..run_end]);
            encoded_word::write_run(f, ws, run, Context::Text, options.encoding, b"")?;
        }
        first = false;
    }
    Ok(())
}

/// Whether a word must be carried in encoded-words (see the module docs).
#[inline]
fn needs_encoding(text: &[u8], word: Word, first: bool, options: &Options) -> bool {
    let token = &text[word.start..word.end];
    let ws = if first {
        1
    } else {
        ws_width(&text[word.ws_start..word.start])
    };
    if ws + token.len() > HARD_LINE_LIMIT {
        return true;
    }
    let mut prev = 0u8;
    for (i, &b) in token.iter().enumerate() {
        if b >= 0x80 {
            if !options.utf8 || chars::line_breaking_char_len(token, i).is_some() {
                return true;
            }
        } else if prev == b'=' && b == b'?' {
            return true;
        }
        prev = b;
    }
    false
}
