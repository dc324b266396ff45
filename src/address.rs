//! Address fields (RFC 5322 §3.4): mailboxes, groups, Return-Path.

use crate::fold::Folder;
use crate::{Error, Options};

/// One mailbox for [`crate::format_mailboxes`]: an optional display name, taken literally, and
/// an addr-spec (`local@domain`).
///
/// ```
/// let m = mailfold::Mailbox { display_name: Some("Zoë Ärger"), addr_spec: "zoe@example.com" };
/// assert_eq!(m.addr_spec, "zoe@example.com");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Mailbox<'a> {
    /// Shown name, any text; `None` or empty writes the bare address.
    pub display_name: Option<&'a str>,
    /// `local-part@domain`.
    pub addr_spec: &'a str,
}

pub(crate) fn format_mailboxes(
    _f: &mut Folder<'_, '_>,
    _boxes: &[Mailbox<'_>],
    _o: &Options,
) -> Result<(), Error> {
    Err(Error::InvalidAddress { at: 0 })
}

pub(crate) fn format_text(
    _f: &mut Folder<'_, '_>,
    _v: &str,
    _o: &Options,
    _required: bool,
    _single: bool,
) -> Result<(), Error> {
    Err(Error::InvalidAddress { at: 0 })
}

pub(crate) fn format_return_path(_f: &mut Folder<'_, '_>, _v: &str, _o: &Options) -> Result<(), Error> {
    Err(Error::InvalidAddress { at: 0 })
}
