//! Header names: validation, the class each name implies (SPEC §2), and dispatch.

use crate::fold::Folder;
use crate::options::FieldClass;
use crate::sink::SliceSink;
use crate::{address, input, mime, msgid, phrase, structured, unstructured, Error, Options};

/// The syntax a field is formatted with, after the name has been looked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    Unstructured,
    /// Exactly one msg-id.
    MsgIdOne,
    /// One or more msg-ids.
    MsgIdList,
    /// An address list; `required` is false only for Bcc.
    Address {
        required: bool,
        single: bool,
    },
    ReturnPath,
    AsciiStructured,
    /// `Date` and `Resent-Date`: ASCII structured, validated as an RFC 5322 date-time.
    Date,
    Mime,
    Verbatim,
    Keywords,
    ListId,
}

impl Class {
    pub(crate) fn from_forced(class: FieldClass) -> Class {
        match class {
            FieldClass::Auto | FieldClass::Unstructured => Class::Unstructured,
            FieldClass::MsgId => Class::MsgIdList,
            FieldClass::Address => Class::Address {
                required: true,
                single: false,
            },
            FieldClass::ReturnPath => Class::ReturnPath,
            FieldClass::AsciiStructured => Class::AsciiStructured,
            FieldClass::Mime => Class::Mime,
            FieldClass::Verbatim => Class::Verbatim,
        }
    }
}

/// RFC 5322 §2.2: a field name is one or more printable ASCII characters other than `:`.
pub(crate) fn check_name(name: &str) -> Result<(), Error> {
    if name.is_empty() || !name.bytes().all(|b| matches!(b, 33..=126) && b != b':') {
        return Err(Error::InvalidName);
    }
    Ok(())
}

pub(crate) fn class_of(name: &str) -> Class {
    let eq = |s: &str| name.eq_ignore_ascii_case(s);
    let prefix = |p: &str| {
        name.len() > p.len() && name.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
    };
    const ONE_ID: [&str; 4] = [
        "Message-ID",
        "Resent-Message-ID",
        "Content-ID",
        "Original-Message-ID",
    ];
    const ADDRESS: [&str; 14] = [
        "From",
        "Sender",
        "Reply-To",
        "To",
        "Cc",
        "Bcc",
        "Resent-From",
        "Resent-Sender",
        "Resent-To",
        "Resent-Cc",
        "Resent-Bcc",
        "Disposition-Notification-To",
        "Mail-Followup-To",
        "Mail-Reply-To",
    ];
    const ASCII: [&str; 9] = [
        "Received",
        "DKIM-Signature",
        "Authentication-Results",
        "Received-SPF",
        "MIME-Version",
        "Content-Transfer-Encoding",
        "Auto-Submitted",
        "Precedence",
        "Feedback-ID",
    ];
    if ONE_ID.iter().any(|n| eq(n)) {
        Class::MsgIdOne
    } else if eq("In-Reply-To") || eq("References") {
        Class::MsgIdList
    } else if ADDRESS.iter().any(|n| eq(n)) {
        Class::Address {
            required: !(eq("Bcc") || eq("Resent-Bcc")),
            single: eq("Sender") || eq("Resent-Sender"),
        }
    } else if eq("Return-Path") {
        Class::ReturnPath
    } else if eq("Date") || eq("Resent-Date") {
        Class::Date
    } else if eq("List-Id") {
        Class::ListId
    } else if eq("Keywords") {
        Class::Keywords
    } else if ASCII.iter().any(|n| eq(n)) || prefix("ARC-") || prefix("List-") {
        Class::AsciiStructured
    } else if eq("Content-Type") || eq("Content-Disposition") {
        Class::Mime
    } else {
        Class::Unstructured
    }
}

pub(crate) fn format_value(
    sink: &mut SliceSink<'_>,
    name: &str,
    class: Class,
    value: &str,
    options: &Options,
) -> Result<(), Error> {
    if class == Class::Unstructured && unstructured::plain_applies(name, value.as_bytes()) {
        let mut folder = Folder::start(sink, name, options)?;
        unstructured::format_plain(&mut folder, value.as_bytes(), options)?;
        folder.end();
        return Ok(());
    }
    input::check_controls(value.as_bytes())?;
    let mut folder = Folder::start(sink, name, options)?;
    match class {
        Class::Unstructured => unstructured::format(&mut folder, value, options)?,
        Class::MsgIdOne => msgid::format(&mut folder, value, options, true)?,
        Class::MsgIdList => msgid::format(&mut folder, value, options, false)?,
        Class::Address { required, single } => {
            address::format_text(&mut folder, value, options, required, single)?
        }
        Class::ReturnPath => address::format_return_path(&mut folder, value, options)?,
        Class::AsciiStructured => structured::format(&mut folder, value, options)?,
        Class::Date => structured::format_date_field(&mut folder, value, options)?,
        Class::Mime => mime::format_text(&mut folder, name, value, options)?,
        Class::Verbatim => structured::format_verbatim(&mut folder, value, options)?,
        Class::Keywords => phrase::format_keywords(&mut folder, value, options)?,
        Class::ListId => msgid::format_list_id(&mut folder, value, options)?,
    }
    folder.end();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(check_name(""), Err(Error::InvalidName));
        assert_eq!(check_name("Sub ject"), Err(Error::InvalidName));
        assert_eq!(check_name("Subject:"), Err(Error::InvalidName));
        assert_eq!(check_name("Sübject"), Err(Error::InvalidName));
        assert_eq!(check_name("X-~!"), Ok(()));
    }

    #[test]
    fn classes_are_case_insensitive() {
        assert_eq!(class_of("message-id"), Class::MsgIdOne);
        assert_eq!(class_of("REFERENCES"), Class::MsgIdList);
        assert_eq!(
            class_of("bcc"),
            Class::Address {
                required: false,
                single: false
            }
        );
        assert_eq!(class_of("arc-seal"), Class::AsciiStructured);
        assert_eq!(class_of("ARC-"), Class::Unstructured);
        assert_eq!(class_of("List-Unsubscribe"), Class::AsciiStructured);
        assert_eq!(class_of("list-id"), Class::ListId);
        assert_eq!(class_of("X-Mailer"), Class::Unstructured);
        assert_eq!(class_of("resent-date"), Class::Date);
    }
}
