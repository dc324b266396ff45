//! The systems under test, each formatting corpus fields to wire bytes (`Name: value` folded,
//! with the line ending).
//!
//! Each system gets its input in the form its API takes, prepared before timing: mailfold and
//! the floor take the text value; mail-builder and lettre take their header types (address
//! lists and id lists built from the structured corpus data, untimed, which favours them);
//! email-encoding offers encoders, not header types, so [`EmailEncoding`] is our own
//! allocation-free driver over its `EmailWriter`, folding writer, `rfc2047` and
//! `quoted_string` encoders. Only the formatting call is timed.

use std::fmt::Write as _;
use std::hint::black_box;

use crate::corpus::{Category, Field};

/// Why a system produced no output for a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// mailfold returned an error.
    Mailfold(mailfold::Error),
    /// The system has no way to format this field (shown as such in the tables).
    Unsupported,
    /// The peer rejected the input while it was being prepared (e.g. an address it can't parse).
    Rejected,
}

/// One system, prepared for a fixed list of fields.
pub trait System {
    /// Short name (benchmark id, table column).
    fn name(&self) -> &'static str;
    /// Number of fields prepared.
    fn len(&self) -> usize;
    /// True when no fields were prepared.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Formats field `i`; returns the number of output bytes, readable with [`System::output`].
    fn format(&mut self, i: usize) -> Result<usize, Failure>;
    /// The output of the last successful [`System::format`].
    fn output(&self) -> &[u8];

    /// Formats every field once; the timed unit of the benchmarks. Returns the bytes written.
    #[inline]
    fn run_all(&mut self) -> usize {
        let mut total = 0;
        for i in 0..self.len() {
            if let Ok(n) = self.format(i) {
                // Makes the output observable, so no system's stores can be optimised away.
                black_box(self.output());
                total += n;
            }
        }
        total
    }
}

/// Names of all systems, in table order.
pub const SYSTEM_NAMES: [&str; 6] = [
    "floor",
    "mailfold",
    "mailfold_mailboxes",
    "mail_builder",
    "email_encoding",
    "lettre",
];

/// Builds every system over `fields`, boxed, for the untimed checks.
pub fn all_systems<'a>(fields: &[&'a Field]) -> Vec<Box<dyn System + 'a>> {
    vec![
        Box::new(Floor::new(fields)),
        Box::new(Mailfold::new(fields)),
        Box::new(MailfoldMailboxes::new(fields)),
        Box::new(MailBuilder::new(fields)),
        Box::new(EmailEncoding::new(fields)),
        Box::new(Lettre::new(fields)),
    ]
}

/// Output buffer big enough for every corpus field (the longest is a few KB).
const BUF: usize = 64 * 1024;

/// The memcpy floor: copies `Name: value\r\n` into a preallocated buffer.
pub struct Floor<'a> {
    fields: Vec<(&'a str, &'a str)>,
    buf: Vec<u8>,
    last: usize,
}

impl<'a> Floor<'a> {
    /// Prepares the floor for `fields`.
    pub fn new(fields: &[&'a Field]) -> Self {
        Self::from_pairs(fields.iter().map(|f| (f.name, f.value.as_str())).collect())
    }

    /// Prepares the floor for `(name, value)` pairs.
    pub fn from_pairs(fields: Vec<(&'a str, &'a str)>) -> Self {
        let max = fields
            .iter()
            .map(|f| f.0.len() + f.1.len() + 4)
            .max()
            .unwrap_or(0);
        Floor {
            fields,
            buf: vec![0; max.max(BUF)],
            last: 0,
        }
    }
}

impl System for Floor<'_> {
    fn name(&self) -> &'static str {
        "floor"
    }
    fn len(&self) -> usize {
        self.fields.len()
    }
    #[inline]
    fn format(&mut self, i: usize) -> Result<usize, Failure> {
        let (name, value) = self.fields[i];
        let (n, v) = (name.len(), value.len());
        let total = n + v + 4;
        let out = &mut self.buf[..total];
        out[..n].copy_from_slice(name.as_bytes());
        out[n..n + 2].copy_from_slice(b": ");
        out[n + 2..n + 2 + v].copy_from_slice(value.as_bytes());
        out[n + 2 + v..].copy_from_slice(b"\r\n");
        self.last = total;
        Ok(total)
    }
    fn output(&self) -> &[u8] {
        &self.buf[..self.last]
    }
}

/// mailfold: `format_header(name, value)` into a reused buffer, default options.
pub struct Mailfold<'a> {
    fields: Vec<(&'a str, &'a str)>,
    options: mailfold::Options,
    buf: Vec<u8>,
    last: usize,
}

impl<'a> Mailfold<'a> {
    /// Prepares mailfold for `fields`.
    pub fn new(fields: &[&'a Field]) -> Self {
        Self::from_pairs(fields.iter().map(|f| (f.name, f.value.as_str())).collect())
    }

    /// Prepares mailfold for `(name, value)` pairs; the buffer is sized by a size query.
    pub fn from_pairs(fields: Vec<(&'a str, &'a str)>) -> Self {
        let options = mailfold::Options::default();
        let mut max = BUF;
        for (name, value) in &fields {
            if let Err(mailfold::Error::BufferTooSmall { needed }) =
                mailfold::format_header(name, value, &options, &mut [])
            {
                max = max.max(needed);
            }
        }
        Mailfold {
            fields,
            options,
            buf: vec![0; max],
            last: 0,
        }
    }
}

impl System for Mailfold<'_> {
    fn name(&self) -> &'static str {
        "mailfold"
    }
    fn len(&self) -> usize {
        self.fields.len()
    }
    #[inline]
    fn format(&mut self, i: usize) -> Result<usize, Failure> {
        let (name, value) = self.fields[i];
        let n = mailfold::format_header(name, value, &self.options, &mut self.buf)
            .map_err(Failure::Mailfold)?;
        self.last = n;
        Ok(n)
    }
    fn output(&self) -> &[u8] {
        &self.buf[..self.last]
    }
}

/// mailfold's structured entry point, `format_mailboxes`, for address fields (the other
/// categories have no structured form and are `Unsupported` here).
pub struct MailfoldMailboxes<'a> {
    fields: Vec<(&'a str, Option<Vec<mailfold::Mailbox<'a>>>)>,
    options: mailfold::Options,
    buf: Vec<u8>,
    last: usize,
}

impl<'a> MailfoldMailboxes<'a> {
    /// Prepares the structured address input for `fields`.
    pub fn new(fields: &[&'a Field]) -> Self {
        let fields = fields
            .iter()
            .map(|f| {
                let boxes = (f.category == Category::AddressList).then(|| {
                    f.mailboxes
                        .iter()
                        .map(|m| mailfold::Mailbox {
                            display_name: m.display_name.as_deref(),
                            addr_spec: &m.addr_spec,
                        })
                        .collect()
                });
                (f.name, boxes)
            })
            .collect();
        MailfoldMailboxes {
            fields,
            options: mailfold::Options::default(),
            buf: vec![0; BUF],
            last: 0,
        }
    }
}

impl System for MailfoldMailboxes<'_> {
    fn name(&self) -> &'static str {
        "mailfold_mailboxes"
    }
    fn len(&self) -> usize {
        self.fields.len()
    }
    #[inline]
    fn format(&mut self, i: usize) -> Result<usize, Failure> {
        let (name, boxes) = &self.fields[i];
        let boxes = boxes.as_deref().ok_or(Failure::Unsupported)?;
        let n = mailfold::format_mailboxes(name, boxes, &self.options, &mut self.buf)
            .map_err(Failure::Mailfold)?;
        self.last = n;
        Ok(n)
    }
    fn output(&self) -> &[u8] {
        &self.buf[..self.last]
    }
}

/// mail-builder 2: its header types (`Text`, `Address`, `MessageId`) written with
/// `Header::write_header` into a reused `Vec<u8>` after `Name: `.
pub struct MailBuilder<'a> {
    fields: Vec<(&'a str, mail_builder::headers::HeaderType<'a>)>,
    buf: Vec<u8>,
}

impl<'a> MailBuilder<'a> {
    /// Builds mail-builder's header values for `fields` (untimed).
    pub fn new(fields: &[&'a Field]) -> Self {
        use mail_builder::headers::{
            address::Address, message_id::MessageId, text::Text, HeaderType,
        };
        let fields = fields
            .iter()
            .map(|f| {
                let header: HeaderType<'a> = match f.category {
                    Category::AsciiSubject | Category::Utf8Subject | Category::LongX => {
                        Text::new(f.value.as_str()).into()
                    }
                    Category::AddressList => {
                        let mut list: Vec<Address<'a>> = f
                            .mailboxes
                            .iter()
                            .map(|m| Address::new_address(m.display_name.as_deref(), &*m.addr_spec))
                            .collect();
                        if list.len() == 1 {
                            list.pop().unwrap().into()
                        } else {
                            Address::new_list(list).into()
                        }
                    }
                    Category::MessageId | Category::References | Category::InReplyTo => {
                        MessageId::new_list(f.msg_ids()).into()
                    }
                };
                (f.name, header)
            })
            .collect();
        MailBuilder {
            fields,
            buf: Vec::with_capacity(BUF),
        }
    }
}

impl System for MailBuilder<'_> {
    fn name(&self) -> &'static str {
        "mail_builder"
    }
    fn len(&self) -> usize {
        self.fields.len()
    }
    #[inline]
    fn format(&mut self, i: usize) -> Result<usize, Failure> {
        use mail_builder::headers::Header;
        let (name, header) = &self.fields[i];
        self.buf.clear();
        self.buf.extend_from_slice(name.as_bytes());
        self.buf.extend_from_slice(b": ");
        header.write_header(&mut self.buf, name.len() + 2);
        Ok(self.buf.len())
    }
    fn output(&self) -> &[u8] {
        &self.buf
    }
}

enum EeInput<'a> {
    Unstructured(&'a str),
    Ids(&'a str),
    /// (display name, `<addr>` or bare addr): the bracketed form is built untimed so the
    /// folding writer sees the whole token when it decides where to fold.
    Mailboxes(Vec<(Option<&'a str>, String)>),
}

/// email-encoding 0.4: our allocation-free driver over its encoders (the same word split
/// lettre uses for unstructured text, folding between mailboxes and ids), writing a reused
/// `String`.
pub struct EmailEncoding<'a> {
    fields: Vec<(&'a str, EeInput<'a>)>,
    out: String,
}

impl<'a> EmailEncoding<'a> {
    /// Prepares the driver's input for `fields`.
    pub fn new(fields: &[&'a Field]) -> Self {
        let fields = fields
            .iter()
            .map(|f| {
                let input = match f.category {
                    Category::AsciiSubject | Category::Utf8Subject | Category::LongX => {
                        EeInput::Unstructured(&f.value)
                    }
                    Category::MessageId | Category::References | Category::InReplyTo => {
                        EeInput::Ids(&f.value)
                    }
                    Category::AddressList => EeInput::Mailboxes(
                        f.mailboxes
                            .iter()
                            .map(|m| match &m.display_name {
                                Some(n) => (Some(n.as_str()), format!("<{}>", m.addr_spec)),
                                None => (None, m.addr_spec.clone()),
                            })
                            .collect(),
                    ),
                };
                (f.name, input)
            })
            .collect();
        EmailEncoding {
            fields,
            out: String::with_capacity(BUF),
        }
    }
}

fn ee_field(name: &str, input: &EeInput<'_>, out: &mut String) -> std::fmt::Result {
    use email_encoding::headers::{quoted_string, rfc2047, writer::EmailWriter};
    out.push_str(name);
    out.push_str(": ");
    {
        let mut w = EmailWriter::new(out, name.len() + 2, 0, false);
        match input {
            EeInput::Unstructured(value) => {
                // Consecutive words needing encoding share encoded-words: `run` is their span.
                let mut run: Option<(usize, usize)> = None;
                let mut pos = 0;
                let flush = |w: &mut EmailWriter<'_>, text: &str| -> std::fmt::Result {
                    let words = text.trim_end_matches(' ');
                    rfc2047::encode(words, w)?;
                    for _ in words.len()..text.len() {
                        w.space();
                    }
                    Ok(())
                };
                for word in value.split_inclusive(' ') {
                    let start = pos;
                    pos += word.len();
                    if word.bytes().all(|b| (0x20..0x7f).contains(&b)) {
                        if let Some((s, e)) = run.take() {
                            flush(&mut w, &value[s..e])?;
                        }
                        w.folding().write_str(word)?;
                    } else {
                        run = Some((run.map_or(start, |r| r.0), pos));
                    }
                }
                if let Some((s, e)) = run {
                    flush(&mut w, &value[s..e])?;
                }
            }
            EeInput::Ids(value) => w.folding().write_str(value)?,
            EeInput::Mailboxes(boxes) => {
                for (i, (display, addr)) in boxes.iter().enumerate() {
                    if i > 0 {
                        w.write_char(',')?;
                        w.space();
                        // The writer folds only inside words; fold between mailboxes here.
                        let guess = display.map_or(0, |d| d.len() + 3) + addr.len();
                        if w.projected_line_len() + guess > 76 {
                            w.new_line()?;
                        }
                    }
                    if let Some(display) = display {
                        quoted_string::encode(display, &mut w)?;
                        w.space();
                    }
                    w.folding().write_str(addr)?;
                }
            }
        }
    }
    out.push_str("\r\n");
    Ok(())
}

impl System for EmailEncoding<'_> {
    fn name(&self) -> &'static str {
        "email_encoding"
    }
    fn len(&self) -> usize {
        self.fields.len()
    }
    #[inline]
    fn format(&mut self, i: usize) -> Result<usize, Failure> {
        let (name, input) = &self.fields[i];
        self.out.clear();
        ee_field(name, input, &mut self.out).map_err(|_| Failure::Rejected)?;
        Ok(self.out.len())
    }
    fn output(&self) -> &[u8] {
        self.out.as_bytes()
    }
}

enum LettreHeader {
    Subject(lettre::message::header::Subject),
    From(lettre::message::header::From),
    To(lettre::message::header::To),
    Cc(lettre::message::header::Cc),
    MessageId(lettre::message::header::MessageId),
    References(lettre::message::header::References),
    InReplyTo(lettre::message::header::InReplyTo),
    Raw(lettre::message::header::HeaderName, String),
    Rejected,
}

/// lettre 0.11: its typed headers' `Header::display()` (which encodes and folds), put into a
/// reused `Headers` and written with its `Display` into a reused `String`.
pub struct Lettre {
    fields: Vec<LettreHeader>,
    headers: lettre::message::header::Headers,
    out: String,
}

impl Lettre {
    /// Builds lettre's typed headers for `fields` (untimed).
    pub fn new(fields: &[&Field]) -> Self {
        use lettre::message::header::{self as h, HeaderName};
        use lettre::message::{Mailbox, Mailboxes};
        let fields = fields
            .iter()
            .map(|f| match f.category {
                Category::AsciiSubject | Category::Utf8Subject => {
                    LettreHeader::Subject(h::Subject::from(f.value.clone()))
                }
                Category::LongX => {
                    LettreHeader::Raw(HeaderName::new_from_ascii_str(f.name), f.value.clone())
                }
                Category::MessageId => LettreHeader::MessageId(f.value.clone().into()),
                Category::References => LettreHeader::References(f.value.clone().into()),
                Category::InReplyTo => LettreHeader::InReplyTo(f.value.clone().into()),
                Category::AddressList => {
                    let boxes: Result<Vec<Mailbox>, _> = f
                        .mailboxes
                        .iter()
                        .map(|m| {
                            m.addr_spec
                                .parse()
                                .map(|a| Mailbox::new(m.display_name.clone(), a))
                        })
                        .collect();
                    match boxes {
                        Err(_) => LettreHeader::Rejected,
                        Ok(boxes) => {
                            let boxes = Mailboxes::from(boxes);
                            match f.name {
                                "From" => LettreHeader::From(boxes.into()),
                                "Cc" => LettreHeader::Cc(boxes.into()),
                                _ => LettreHeader::To(boxes.into()),
                            }
                        }
                    }
                }
            })
            .collect();
        Lettre {
            fields,
            headers: lettre::message::header::Headers::with_capacity(1),
            out: String::with_capacity(BUF),
        }
    }
}

impl System for Lettre {
    fn name(&self) -> &'static str {
        "lettre"
    }
    fn len(&self) -> usize {
        self.fields.len()
    }
    #[inline]
    fn format(&mut self, i: usize) -> Result<usize, Failure> {
        use lettre::message::header::{Header, HeaderValue};
        let value = match &self.fields[i] {
            LettreHeader::Subject(x) => x.display(),
            LettreHeader::From(x) => x.display(),
            LettreHeader::To(x) => x.display(),
            LettreHeader::Cc(x) => x.display(),
            LettreHeader::MessageId(x) => x.display(),
            LettreHeader::References(x) => x.display(),
            LettreHeader::InReplyTo(x) => x.display(),
            LettreHeader::Raw(name, value) => HeaderValue::new(name.clone(), value.clone()),
            LettreHeader::Rejected => return Err(Failure::Rejected),
        };
        self.headers.clear();
        self.headers.insert_raw(value);
        self.out.clear();
        write!(self.out, "{}", self.headers).map_err(|_| Failure::Rejected)?;
        Ok(self.out.len())
    }
    fn output(&self) -> &[u8] {
        self.out.as_bytes()
    }
}
