//! msg-id fields (RFC 5322 §3.6.4) and new ids.

use crate::fold::Folder;
use crate::sink::SliceSink;
use crate::{Error, Options};

pub(crate) fn format(_f: &mut Folder<'_, '_>, _v: &str, _o: &Options, _one: bool) -> Result<(), Error> {
    Err(Error::InvalidMsgId { at: 0 })
}

pub(crate) fn format_list_id(_f: &mut Folder<'_, '_>, _v: &str, _o: &Options) -> Result<(), Error> {
    Err(Error::InvalidMsgId { at: 0 })
}

pub(crate) fn write_new_id(_s: &mut SliceSink<'_>, _r: &[u8; 16], _d: &str) -> Result<(), Error> {
    Err(Error::InvalidMsgId { at: 0 })
}
