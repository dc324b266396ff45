//! Phrases: display names and Keywords.

use crate::fold::Folder;
use crate::{Error, Options};

pub(crate) fn format_keywords(_f: &mut Folder<'_, '_>, _v: &str, _o: &Options) -> Result<(), Error> {
    Err(Error::InvalidOption)
}
