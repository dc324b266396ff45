//! Unstructured fields (RFC 5322 §3.2.5) with RFC 2047 encoded-words.

use crate::fold::Folder;
use crate::{Error, Options};

pub(crate) fn format(_f: &mut Folder<'_, '_>, _v: &str, _o: &Options) -> Result<(), Error> {
    Err(Error::InvalidOption)
}
