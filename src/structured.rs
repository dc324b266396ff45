//! ASCII structured fields, Date fields and verbatim fields.

use crate::fold::Folder;
use crate::{Error, Options};

pub(crate) fn format(_f: &mut Folder<'_, '_>, _v: &str, _o: &Options) -> Result<(), Error> {
    Err(Error::InvalidOption)
}

pub(crate) fn format_date_field(_f: &mut Folder<'_, '_>, _v: &str, _o: &Options) -> Result<(), Error> {
    Err(Error::InvalidDate)
}

pub(crate) fn format_verbatim(_f: &mut Folder<'_, '_>, _v: &str, _o: &Options) -> Result<(), Error> {
    Err(Error::InvalidOption)
}
