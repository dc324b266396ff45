//! MIME parameter fields (SPEC §7): `Content-Type: type/subtype; name=value; ...` and
//! `Content-Disposition: type; name=value; ...`.
//!
//! Every parameter value is carried as its literal text and written in the first form that
//! carries it exactly:
//!
//! * an RFC 2045 token (`charset=utf-8`);
//! * a quoted-string (`name="a b.pdf"`, `"` and `\` escaped), raw UTF-8 inside with `utf8` on;
//! * RFC 2231 (`filename*=utf-8''R%C3%A9sum%C3%A9.pdf`) for non-ASCII with `utf8` off, and
//!   for text no quoted-string can carry safely: controls (HTAB), C1 controls and U+2028/2029
//!   (line breaks to some parsers), `=?` (decoders would read an encoded-word), `\`
//!   (CPython's `get_param` splits `"a\\"; b=c` in the wrong place, and many other readers
//!   do not unescape), and a value wrapped in `<...>` or `"..."` (CPython's `get_param` and
//!   `get_filename` unquote it a second time, dropping them; its compat32 reader keeps an
//!   RFC 2231 value intact).
//!
//! A token never holds `*`, `'` or `%` (RFC 2231 gives them a meaning next to parameter
//! names; CPython refuses `name=a'b` and `name=a*`): such values are quoted.
//!
//! A parameter that does not fit on a line of its own is cut into RFC 2231 continuations
//! (`name*0*=`, `name*1*=`, ... or `name*0=`, `name*1=` for plain text), each holding whole
//! characters, so a `%XX` is never split. Folds go after the `;` between parameters and
//! between continuations, never inside a value. The one exception is the RFC 2047 form that
//! [`Options::rfc2047_params`] adds for old Outlook versions (`name="=?utf-8?b?...?="`): a
//! long value becomes several encoded-words inside the quoted-string, folded between them, as
//! Outlook itself writes it; lines holding them stay within 76 characters. Values with `"` or
//! `\` get no RFC 2047 form (see [`write_param`]).
//!
//! The text form is parsed leniently where that is unambiguous (white space around `/`, `;`
//! and `=`, empty elements, UTF-8 in values, RFC 2231 input in any section order) and
//! strictly where it is not (names and types must be tokens, duplicates are errors).

use crate::chars::{self, CTL, TOKEN};
use crate::encoded_word::{self, Context, Unfolded};
use crate::fold::{Folder, Width};
use crate::headerbuf::HeaderBuf;
use crate::input::{self, is_space};
use crate::sink::SliceSink;
use crate::{classify, Error, Options};

/// How many parameters a [`ContentType`] or [`ContentDisposition`] builder holds.
pub const MAX_PARAMS: usize = 16;

/// A continuation that would start on the current line is only worth it with at least this
/// many characters of value text there; otherwise the parameter starts on a fresh line.
const MIN_FIRST_SEGMENT: usize = 8;

/// Sections above this number are refused when reading RFC 2231 input (no real value has
/// that many, and it keeps section numbers far from overflow).
const MAX_SECTION: u32 = 9999;

// ---------------------------------------------------------------------------------------
// Public builders
// ---------------------------------------------------------------------------------------

/// The media type and parameters shared by both builders.
#[derive(Clone, Debug)]
struct ParamSet<'a> {
    ty: &'a str,
    list: heapless::Vec<(&'a str, &'a str), MAX_PARAMS>,
    overflow: bool,
}

impl<'a> ParamSet<'a> {
    const fn new(ty: &'a str) -> Self {
        ParamSet {
            ty,
            list: heapless::Vec::new(),
            overflow: false,
        }
    }

    fn push(&mut self, name: &'a str, value: &'a str) -> Result<(), Error> {
        if self.list.push((name, value)).is_err() {
            self.overflow = true;
            return Err(Error::InvalidParameter { at: 0 });
        }
        Ok(())
    }

    fn format(&self, field: &str, options: &Options, out: &mut [u8]) -> Result<usize, Error> {
        if self.overflow {
            return Err(Error::InvalidParameter { at: 0 });
        }
        format_list(field, self.ty, self.list.as_slice(), options, out)
    }
}

/// A `Content-Type` field built from a media type and parameters taken literally, written
/// without allocating.
///
/// Values are plain text, never pre-quoted or pre-encoded: the builder picks a token, a
/// quoted-string, RFC 2231 encoding (non-ASCII) and continuations (long values) by itself.
/// Holds up to [`MAX_PARAMS`] parameters.
///
/// Errors come from [`ContentType::format`]: the type and subtype must be RFC 2045 tokens
/// and parameter names RFC 2231 attribute tokens, else [`Error::InvalidParameter`] with `at`
/// the byte offset within the offending string (the media type or the parameter's name);
/// a repeated name (case-insensitive) gives `at: 0` of the later one. A CR or LF that is not
/// a fold, or another control, gives [`Error::ControlCharacter`] with the offset within the
/// string that holds it.
///
/// ```
/// use mailfold::{ContentType, Options};
///
/// let ct = ContentType::new("text/plain").param("charset", "utf-8").param("format", "flowed");
/// let mut out = [0u8; 128];
/// let n = ct.format(&Options::default(), &mut out)?;
/// assert_eq!(&out[..n], b"Content-Type: text/plain; charset=utf-8; format=flowed\r\n");
///
/// let ct = ContentType::new("application/pdf").param("name", "Résumé 2026.pdf");
/// let n = ct.format(&Options::default(), &mut out)?;
/// assert_eq!(&out[..n], b"Content-Type: application/pdf; name*=utf-8''R%C3%A9sum%C3%A9%202026.pdf\r\n");
/// # Ok::<(), mailfold::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ContentType<'a> {
    set: ParamSet<'a>,
}

impl<'a> ContentType<'a> {
    /// A `Content-Type` of `media_type` (`type/subtype`, spelled as given) with no
    /// parameters yet.
    ///
    /// ```
    /// let mut out = [0u8; 64];
    /// let n = mailfold::ContentType::new("image/png").format(&mailfold::Options::default(), &mut out)?;
    /// assert_eq!(&out[..n], b"Content-Type: image/png\r\n");
    /// # Ok::<(), mailfold::Error>(())
    /// ```
    pub const fn new(media_type: &'a str) -> Self {
        ContentType {
            set: ParamSet::new(media_type),
        }
    }

    /// Adds a parameter (chainable). Past [`MAX_PARAMS`] parameters, [`ContentType::format`]
    /// fails with `InvalidParameter { at: 0 }`; use [`ContentType::try_param`] to see it at
    /// once.
    ///
    /// ```
    /// let ct = mailfold::ContentType::new("multipart/mixed").param("boundary", "=-=-=");
    /// let mut out = [0u8; 64];
    /// let n = ct.format(&mailfold::Options::default(), &mut out)?;
    /// assert_eq!(&out[..n], b"Content-Type: multipart/mixed; boundary=\"=-=-=\"\r\n");
    /// # Ok::<(), mailfold::Error>(())
    /// ```
    #[must_use]
    pub fn param(mut self, name: &'a str, value: &'a str) -> Self {
        let _ = self.set.push(name, value);
        self
    }

    /// Adds a parameter, failing with `InvalidParameter { at: 0 }` when the builder already
    /// holds [`MAX_PARAMS`].
    ///
    /// ```
    /// let mut ct = mailfold::ContentType::new("text/plain");
    /// for _ in 0..mailfold::MAX_PARAMS {
    ///     ct = ct.try_param("x", "y")?;
    /// }
    /// assert!(ct.try_param("z", "1").is_err());
    /// # Ok::<(), mailfold::Error>(())
    /// ```
    pub fn try_param(mut self, name: &'a str, value: &'a str) -> Result<Self, Error> {
        self.set.push(name, value)?;
        Ok(self)
    }

    /// The parameters added so far, in order.
    ///
    /// ```
    /// let ct = mailfold::ContentType::new("text/plain").param("charset", "utf-8");
    /// assert_eq!(ct.params(), &[("charset", "utf-8")]);
    /// ```
    pub fn params(&self) -> &[(&'a str, &'a str)] {
        &self.set.list
    }

    /// Writes the whole field (`Content-Type: ...` and the line ending) into `out`, returning
    /// the bytes written or [`Error::BufferTooSmall`] with the exact size.
    ///
    /// ```
    /// use mailfold::{ContentType, Error, Options};
    /// let ct = ContentType::new("text/html").param("charset", "utf-8");
    /// assert_eq!(ct.format(&Options::default(), &mut []), Err(Error::BufferTooSmall { needed: 40 }));
    /// assert_eq!(ContentType::new("text").format(&Options::default(), &mut []), Err(Error::InvalidParameter { at: 4 }));
    /// ```
    pub fn format(&self, options: &Options, out: &mut [u8]) -> Result<usize, Error> {
        self.set.format("Content-Type", options, out)
    }

    /// Appends the field to a [`HeaderBuf`] (all of it or nothing).
    ///
    /// ```
    /// use mailfold::{ContentType, HeaderBuf, Options};
    /// let mut head = HeaderBuf::<256>::new();
    /// head.push("MIME-Version", "1.0", &Options::default())?;
    /// ContentType::new("text/plain").param("charset", "utf-8").push_to(&mut head, &Options::default())?;
    /// assert_eq!(head.as_str(), "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n");
    /// # Ok::<(), mailfold::Error>(())
    /// ```
    pub fn push_to<const N: usize>(
        &self,
        buf: &mut HeaderBuf<N>,
        options: &Options,
    ) -> Result<(), Error> {
        buf.append(|out| self.format(options, out))
    }
}

/// A `Content-Disposition` field (RFC 2183) built from a disposition type and parameters
/// taken literally, written without allocating. See [`ContentType`] for the value forms and
/// errors; the disposition type is a single token.
///
/// ```
/// use mailfold::{ContentDisposition, Options};
///
/// let cd = ContentDisposition::attachment().param("filename", "Résumé 2026.pdf");
/// let mut out = [0u8; 256];
/// let n = cd.format(&Options::default(), &mut out)?;
/// assert_eq!(
///     &out[..n],
///     b"Content-Disposition: attachment; filename*=utf-8''R%C3%A9sum%C3%A9%202026.pdf\r\n"
/// );
///
/// // Old Outlook versions read only RFC 2047 inside a quoted-string: add that form too.
/// let n = cd.format(&Options::default().with_rfc2047_params(true), &mut out)?;
/// assert_eq!(
///     &out[..n],
///     b"Content-Disposition: attachment; filename*=utf-8''R%C3%A9sum%C3%A9%202026.pdf;\r\n filename=\"=?utf-8?b?UsOpc3Vtw6kgMjAyNi5wZGY=?=\"\r\n"
/// );
/// # Ok::<(), mailfold::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ContentDisposition<'a> {
    set: ParamSet<'a>,
}

impl<'a> ContentDisposition<'a> {
    /// A `Content-Disposition` of the given type (a token, spelled as given).
    ///
    /// ```
    /// let mut out = [0u8; 64];
    /// let n = mailfold::ContentDisposition::new("form-data").param("name", "file")
    ///     .format(&mailfold::Options::default(), &mut out)?;
    /// assert_eq!(&out[..n], b"Content-Disposition: form-data; name=file\r\n");
    /// # Ok::<(), mailfold::Error>(())
    /// ```
    pub const fn new(disposition_type: &'a str) -> Self {
        ContentDisposition {
            set: ParamSet::new(disposition_type),
        }
    }

    /// `Content-Disposition: attachment`.
    ///
    /// ```
    /// let mut out = [0u8; 64];
    /// let n = mailfold::ContentDisposition::attachment().format(&mailfold::Options::default(), &mut out)?;
    /// assert_eq!(&out[..n], b"Content-Disposition: attachment\r\n");
    /// # Ok::<(), mailfold::Error>(())
    /// ```
    pub const fn attachment() -> Self {
        Self::new("attachment")
    }

    /// `Content-Disposition: inline`.
    ///
    /// ```
    /// let mut out = [0u8; 64];
    /// let n = mailfold::ContentDisposition::inline().format(&mailfold::Options::default(), &mut out)?;
    /// assert_eq!(&out[..n], b"Content-Disposition: inline\r\n");
    /// # Ok::<(), mailfold::Error>(())
    /// ```
    pub const fn inline() -> Self {
        Self::new("inline")
    }

    /// Adds a parameter (chainable); see [`ContentType::param`].
    ///
    /// ```
    /// let cd = mailfold::ContentDisposition::inline().param("filename", "logo.png");
    /// assert_eq!(cd.params(), &[("filename", "logo.png")]);
    /// ```
    #[must_use]
    pub fn param(mut self, name: &'a str, value: &'a str) -> Self {
        let _ = self.set.push(name, value);
        self
    }

    /// Adds a parameter or fails when full; see [`ContentType::try_param`].
    ///
    /// ```
    /// let cd = mailfold::ContentDisposition::attachment().try_param("filename", "a.txt")?;
    /// assert_eq!(cd.params().len(), 1);
    /// # Ok::<(), mailfold::Error>(())
    /// ```
    pub fn try_param(mut self, name: &'a str, value: &'a str) -> Result<Self, Error> {
        self.set.push(name, value)?;
        Ok(self)
    }

    /// The parameters added so far, in order.
    ///
    /// ```
    /// assert!(mailfold::ContentDisposition::attachment().params().is_empty());
    /// ```
    pub fn params(&self) -> &[(&'a str, &'a str)] {
        &self.set.list
    }

    /// Writes the whole field (`Content-Disposition: ...` and the line ending) into `out`.
    ///
    /// ```
    /// use mailfold::{ContentDisposition, Error, Options};
    /// let cd = ContentDisposition::attachment().param("filename", "a.txt").param("FileName", "b.txt");
    /// assert_eq!(cd.format(&Options::default(), &mut [0u8; 128]), Err(Error::InvalidParameter { at: 0 }));
    /// ```
    pub fn format(&self, options: &Options, out: &mut [u8]) -> Result<usize, Error> {
        self.set.format("Content-Disposition", options, out)
    }

    /// Appends the field to a [`HeaderBuf`] (all of it or nothing).
    ///
    /// ```
    /// use mailfold::{ContentDisposition, HeaderBuf, Options};
    /// let mut head = HeaderBuf::<128>::new();
    /// ContentDisposition::attachment().param("filename", "a b.pdf").push_to(&mut head, &Options::default())?;
    /// assert_eq!(head.as_str(), "Content-Disposition: attachment; filename=\"a b.pdf\"\r\n");
    /// # Ok::<(), mailfold::Error>(())
    /// ```
    pub fn push_to<const N: usize>(
        &self,
        buf: &mut HeaderBuf<N>,
        options: &Options,
    ) -> Result<(), Error> {
        buf.append(|out| self.format(options, out))
    }
}

// ---------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------

/// A list of parameters given separately (builder, C array): names and literal values.
/// Indexes are below [`ParamList::count`].
pub(crate) trait ParamList<'a> {
    fn count(&self) -> usize;
    fn name(&self, i: usize) -> &'a str;
    fn value(&self, i: usize) -> &'a str;
}

impl<'a> ParamList<'a> for [(&'a str, &'a str)] {
    fn count(&self) -> usize {
        self.len()
    }

    fn name(&self, i: usize) -> &'a str {
        self.get(i).map_or("", |p| p.0)
    }

    fn value(&self, i: usize) -> &'a str {
        self.get(i).map_or("", |p| p.1)
    }
}

/// What the type part of a field must look like, from the field name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TypeRule {
    /// `Content-Type`: `type/subtype` (RFC 2045 §5.1).
    TypeSubtype,
    /// `Content-Disposition`: one token (RFC 2183 §2).
    Single,
    /// Any other name forced into the MIME class: either.
    Either,
}

fn rule_for(name: &str) -> TypeRule {
    if name.eq_ignore_ascii_case("Content-Type") {
        TypeRule::TypeSubtype
    } else if name.eq_ignore_ascii_case("Content-Disposition") {
        TypeRule::Single
    } else {
        TypeRule::Either
    }
}

/// Formats a whole field from a media type and separately given parameters: the builders
/// and the C ABI. Each `at` is an offset within the string that is wrong.
pub(crate) fn format_list<'a, L: ParamList<'a> + ?Sized>(
    name: &str,
    ty: &str,
    params: &L,
    options: &Options,
    out: &mut [u8],
) -> Result<usize, Error> {
    options.validate()?;
    // `check_name` and `class_of` rather than `name_class`: that one is inlined into the
    // hot entry points, and a further copy here changed how they compile.
    classify::check_name(name)?;
    match classify::class_of(name) {
        // Free text may carry anything, parameters too (`X-Attachment-Type`).
        classify::Class::Mime | classify::Class::Unstructured => {}
        // Every other class has a syntax of its own that a media type and parameters would
        // break, as `format_mailboxes` refuses to write a mailbox list there.
        _ => return Err(Error::InvalidName),
    }
    let ty_bytes = ty.as_bytes();
    input::check_controls(ty_bytes)?;
    let (media, end) = parse_type(ty_bytes, rule_for(name)).map_err(|e| separator(ty_bytes, e))?;
    if end < ty_bytes.len() {
        return Err(separator(ty_bytes, Error::InvalidParameter { at: end }));
    }
    let n = params.count();
    for i in 0..n {
        let (pname, value) = (params.name(i), params.value(i));
        input::check_controls(pname.as_bytes())?;
        if pname.is_empty() {
            return Err(Error::InvalidParameter { at: 0 });
        }
        if let Some(at) = pname.bytes().position(|b| !is_attr_char(b)) {
            return Err(separator(pname.as_bytes(), Error::InvalidParameter { at }));
        }
        if (0..i).any(|j| params.name(j).eq_ignore_ascii_case(pname)) {
            return Err(Error::InvalidParameter { at: 0 });
        }
        input::check_controls(value.as_bytes())?;
    }
    let mut sink = SliceSink::new(out);
    let mut f = Folder::start(&mut sink, name, options)?;
    write_type(&mut f, ty_bytes, media, n > 0)?;
    for i in 0..n {
        let value = Value::Literal(Unfolded::new(params.value(i).as_bytes()));
        write_param(&mut f, params.name(i).as_bytes(), value, options, i + 1 < n)?;
    }
    f.end();
    sink.finish()
}

/// SPEC §3: U+0085, U+2028, U+2029 (and, README, every C1 control) where nothing may be
/// encoded are `ControlCharacter`, as a C0 control there is: the type, subtype and parameter
/// names of a MIME field are such places. `e` is the error found at `bytes[at]`; when the
/// character there is one of those, it becomes `ControlCharacter` at the same offset.
fn separator(bytes: &[u8], e: Error) -> Error {
    match e {
        Error::InvalidParameter { at } if chars::line_breaking_char_len(bytes, at).is_some() => {
            Error::ControlCharacter { at }
        }
        e => e,
    }
}

/// Formats the value of a MIME parameter field given in text form (after
/// [`input::check_controls`]).
pub(crate) fn format_text(
    f: &mut Folder<'_, '_>,
    name: &str,
    value: &str,
    options: &Options,
) -> Result<(), Error> {
    format_text_inner(f, name, value, options).map_err(|e| separator(value.as_bytes(), e))
}

fn format_text_inner(
    f: &mut Folder<'_, '_>,
    name: &str,
    value: &str,
    options: &Options,
) -> Result<(), Error> {
    let b = value.as_bytes();
    let (media, list) = parse_type(b, rule_for(name))?;
    if list < b.len() && b[list] != b';' {
        return Err(Error::InvalidParameter { at: list });
    }
    validate_params(b, list)?;
    let has_params = RawParams::new(b, list).next().is_some();
    write_type(f, b, media, has_params)?;
    let mut pending: Option<RawParam> = None;
    for p in RawParams::new(b, list) {
        let p = p?;
        if p.section.unwrap_or(0) != 0 {
            continue;
        }
        if let Some(prev) = pending.replace(p) {
            write_raw_param(f, b, list, prev, options, true)?;
        }
    }
    if let Some(last) = pending {
        write_raw_param(f, b, list, last, options, false)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------

/// RFC 2231 `attribute-char`: a token character other than `*`, `'` and `%`, which RFC 2231
/// gives a meaning in parameter names and extended values.
#[inline]
fn is_attr_char(b: u8) -> bool {
    chars::is(b, TOKEN) && !matches!(b, b'*' | b'\'' | b'%')
}

fn skip_space(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && is_space(b[i]) {
        i += 1;
    }
    i
}

fn token_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && chars::is(b[i], TOKEN) {
        i += 1;
    }
    i
}

/// Byte ranges of the type and optional subtype.
#[derive(Clone, Copy, Debug)]
struct MediaType {
    ty: (usize, usize),
    sub: Option<(usize, usize)>,
}

/// Parses `type[/subtype]` after optional white space; returns it and the offset after it and
/// the white space that follows.
fn parse_type(b: &[u8], rule: TypeRule) -> Result<(MediaType, usize), Error> {
    let s = skip_space(b, 0);
    let e = token_end(b, s);
    if e == s {
        return Err(Error::InvalidParameter { at: s });
    }
    let mut i = skip_space(b, e);
    let mut sub = None;
    if rule != TypeRule::Single && b.get(i) == Some(&b'/') {
        let ss = skip_space(b, i + 1);
        let se = token_end(b, ss);
        if se == ss {
            return Err(Error::InvalidParameter { at: ss });
        }
        sub = Some((ss, se));
        i = skip_space(b, se);
    } else if rule == TypeRule::TypeSubtype {
        // The offending byte: the one standing where `/` belongs (or the end). White space
        // after the type is not it: `text / plain` is accepted (CFWS between tokens), so in
        // `text plain` the `p` is the first byte no valid value could have there.
        return Err(Error::InvalidParameter { at: i });
    }
    Ok((MediaType { ty: (s, e), sub }, i))
}

/// One `name[*N][*]=value` element of the text form, as offsets into the value.
#[derive(Clone, Copy, Debug)]
struct RawParam {
    /// The attribute, without RFC 2231 `*` suffixes.
    name: (usize, usize),
    section: Option<u32>,
    extended: bool,
    /// The value; for a quoted-string, its content without the quotes.
    value: (usize, usize),
    quoted: bool,
}

/// Iterates the `; name=value` elements from a position at a `;` or at the end (empty
/// elements are skipped). Yields the first syntax error and then stops.
#[derive(Clone)]
struct RawParams<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> RawParams<'a> {
    fn new(b: &'a [u8], pos: usize) -> Self {
        RawParams { b, pos }
    }

    fn parse(&mut self) -> Result<Option<RawParam>, Error> {
        let b = self.b;
        let mut i = skip_space(b, self.pos);
        loop {
            match b.get(i) {
                None => {
                    self.pos = i;
                    return Ok(None);
                }
                Some(b';') => {}
                Some(_) => return Err(Error::InvalidParameter { at: i }),
            }
            i = skip_space(b, i + 1);
            if i < b.len() && b[i] != b';' {
                break;
            }
        }
        let ns = i;
        while i < b.len() && is_attr_char(b[i]) {
            i += 1;
        }
        if i == ns {
            return Err(Error::InvalidParameter { at: i });
        }
        let name = (ns, i);
        let mut section = None;
        let mut extended = false;
        if b.get(i) == Some(&b'*') {
            i += 1;
            if b.get(i).is_some_and(u8::is_ascii_digit) {
                let ds = i;
                let mut n: u32 = 0;
                while let Some(&d) = b.get(i).filter(|d| d.is_ascii_digit()) {
                    // RFC 2231 §3: no leading zeroes.
                    if (i > ds && b.get(ds) == Some(&b'0')) || n > MAX_SECTION {
                        return Err(Error::InvalidParameter { at: i });
                    }
                    n = n * 10 + u32::from(d - b'0');
                    i += 1;
                }
                if n > MAX_SECTION {
                    return Err(Error::InvalidParameter { at: ds });
                }
                section = Some(n);
                if b.get(i) == Some(&b'*') {
                    extended = true;
                    i += 1;
                }
            } else {
                extended = true;
            }
        }
        i = skip_space(b, i);
        if b.get(i) != Some(&b'=') {
            return Err(Error::InvalidParameter { at: i });
        }
        i = skip_space(b, i + 1);
        let (value, quoted);
        if b.get(i) == Some(&b'"') {
            let vs = i + 1;
            i = vs;
            loop {
                match b.get(i) {
                    None => return Err(Error::InvalidParameter { at: b.len() }),
                    Some(b'"') => break,
                    Some(b'\\') => match b.get(i + 1) {
                        Some(&c) if c != b'\r' && c != b'\n' => i += 2,
                        _ => return Err(Error::InvalidParameter { at: i }),
                    },
                    Some(_) => i += 1,
                }
            }
            value = (vs, i);
            quoted = true;
            i += 1;
        } else {
            let vs = i;
            while i < b.len() && is_bare_value_byte(b[i]) {
                i += 1;
            }
            if i == vs {
                return Err(Error::InvalidParameter { at: i });
            }
            value = (vs, i);
            quoted = false;
        }
        i = skip_space(b, i);
        if i < b.len() && b[i] != b';' {
            return Err(Error::InvalidParameter { at: i });
        }
        self.pos = i;
        Ok(Some(RawParam {
            name,
            section,
            extended,
            value,
            quoted,
        }))
    }
}

/// Bytes accepted in an unquoted text-form value: RFC 2045 requires a token, but anything
/// printable except `;`, `"` and `\` (and UTF-8) cannot be misread, so it is taken as text
/// and quoted or encoded on output.
#[inline]
fn is_bare_value_byte(b: u8) -> bool {
    b >= 0x80 || (matches!(b, 33..=126) && !matches!(b, b';' | b'"' | b'\\'))
}

impl Iterator for RawParams<'_> {
    type Item = Result<RawParam, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.parse() {
            Ok(Some(p)) => Some(Ok(p)),
            Ok(None) => None,
            Err(e) => {
                self.pos = self.b.len();
                Some(Err(e))
            }
        }
    }
}

/// `b[s..e]`; ranges come from the parser, so the empty fallback is never taken (it keeps
/// panic paths out of the binary).
#[inline]
fn range(b: &[u8], (s, e): (usize, usize)) -> &[u8] {
    b.get(s..e).unwrap_or(&[])
}

fn same_name(b: &[u8], x: &RawParam, y: &RawParam) -> bool {
    range(b, x.name).eq_ignore_ascii_case(range(b, y.name))
}

/// Syntax, then duplicates and RFC 2231 section sets, then the decoded values.
fn validate_params(b: &[u8], list: usize) -> Result<(), Error> {
    for p in RawParams::new(b, list) {
        p?;
    }
    if !sets_in_order(b, list) {
        sets_pairwise(b, list)?;
    }
    for p in RawParams::new(b, list) {
        let p = p?;
        if p.section.unwrap_or(0) == 0 && (p.extended || p.section.is_some()) {
            check_decoded(Rfc2231::new(b, list, p)?)?;
        }
    }
    Ok(())
}

/// A parameter name seen by [`sets_in_order`], and the section it expects next.
#[derive(Clone, Copy, Default)]
struct Seen {
    name: (usize, usize),
    /// `None` for a parameter without sections.
    next: Option<u32>,
}

/// How many distinct names [`sets_in_order`] keeps track of (real fields have a handful).
const SEEN: usize = 8;

/// Whether the parameters are valid as sets in one pass (SPEC §10: cost linear in the value
/// length; a long RFC 2231 value has hundreds of sections): at most [`SEEN`] names, none
/// repeated unless with sections, which come in order `*0`, `*1`, ... (what every writer
/// produces). That proves what [`sets_pairwise`] checks; anything else goes to it, which
/// also finds the offset of the error.
fn sets_in_order(b: &[u8], list: usize) -> bool {
    let mut seen = [Seen::default(); SEEN];
    let mut n = 0;
    for p in RawParams::new(b, list) {
        let Ok(p) = p else { return false };
        let known = seen
            .get_mut(..n)
            .unwrap_or_default()
            .iter_mut()
            .find(|s| range(b, s.name).eq_ignore_ascii_case(range(b, p.name)));
        match (known, p.section) {
            (Some(s), Some(k)) if s.next == Some(k) => s.next = Some(k + 1),
            (Some(_), _) => return false,
            (None, Some(k)) if k > 0 => return false,
            (None, section) => {
                let Some(slot) = seen.get_mut(n) else {
                    return false;
                };
                *slot = Seen {
                    name: p.name,
                    next: section.map(|k| k + 1),
                };
                n += 1;
            }
        }
    }
    true
}

/// Duplicates and RFC 2231 section sets, pair by pair: quadratic in the number of
/// parameters, which keeps it allocation-free, and reports the later of two clashing
/// parameters (or a section past the count).
fn sets_pairwise(b: &[u8], list: usize) -> Result<(), Error> {
    for (i, p) in RawParams::new(b, list).enumerate() {
        let p = p?;
        let mut count = 0u32;
        for (j, q) in RawParams::new(b, list).enumerate() {
            let q = q?;
            if !same_name(b, &p, &q) {
                continue;
            }
            if j < i && (p.section.is_none() || q.section.is_none() || p.section == q.section) {
                return Err(Error::InvalidParameter { at: p.name.0 });
            }
            count += 1;
        }
        match p.section {
            // Sections are distinct (above) and all below the count: exactly 0..count.
            // RFC 2231 §4.1 lets encoded and plain sections mix in any order; a plain section
            // 0 carries no charset, which then reads as an empty one (UTF-8), as in `name*=''`.
            Some(k) if k >= count => return Err(Error::InvalidParameter { at: p.name.0 }),
            _ => {}
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Literal values
// ---------------------------------------------------------------------------------------

/// The literal text of a parameter value, whatever form it was given in, as UTF-8 bytes.
#[derive(Clone)]
enum Value<'a> {
    /// Builder and C values: taken literally, caller folds removed.
    Literal(Unfolded<'a>),
    /// An unquoted text-form value.
    Bare(core::slice::Iter<'a, u8>),
    /// A quoted-string's content: escapes and caller folds removed.
    Quoted(Unquote<'a>),
    /// RFC 2231 input: sections joined, percent-escapes decoded.
    Rfc2231(Rfc2231<'a>),
}

impl Iterator for Value<'_> {
    type Item = u8;

    // Out of line: it is read by several generic routines (here and in the RFC 2047 encoder),
    // and inlining the RFC 2231 reader into each costs kilobytes of firmware flash.
    #[inline(never)]
    fn next(&mut self) -> Option<u8> {
        match self {
            Value::Literal(u) => u.next(),
            Value::Bare(it) => it.next().copied(),
            Value::Quoted(q) => q.next(),
            // Only read after `check_decoded` accepted the whole value.
            Value::Rfc2231(r) => r.next_checked().ok().flatten().map(|(b, _)| b),
        }
    }
}

/// The content of a quoted-string, unescaped.
#[derive(Clone)]
struct Unquote<'a> {
    raw: &'a [u8],
    pos: usize,
}

impl Unquote<'_> {
    /// The next literal byte and the offset of its first source byte.
    #[inline]
    fn next_at(&mut self) -> Option<(u8, usize)> {
        loop {
            let at = self.pos;
            let b = *self.raw.get(at)?;
            self.pos += 1;
            match b {
                b'\\' => {
                    let c = *self.raw.get(self.pos)?;
                    self.pos += 1;
                    return Some((c, at));
                }
                b'\r' | b'\n' => {}
                _ => return Some((b, at)),
            }
        }
    }
}

impl Iterator for Unquote<'_> {
    type Item = u8;

    #[inline]
    fn next(&mut self) -> Option<u8> {
        self.next_at().map(|(b, _)| b)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Charset {
    Utf8,
    Ascii,
    Latin1,
}

/// One section's source text: a [`Unquote`] over the whole value restricted to the section.
#[derive(Clone)]
struct Section<'a> {
    text: Unquote<'a>,
    end: usize,
    extended: bool,
}

impl<'a> Section<'a> {
    fn of(b: &'a [u8], p: &RawParam) -> Self {
        Section {
            // Unquote also reads a bare value correctly: it has no `\`, CR or LF.
            text: Unquote {
                raw: range(b, (0, p.value.1)),
                pos: p.value.0,
            },
            end: p.value.1,
            extended: p.extended,
        }
    }

    fn next_at(&mut self) -> Option<(u8, usize)> {
        if self.text.pos >= self.end {
            return None;
        }
        self.text.next_at()
    }
}

/// Reads an RFC 2231 value from the text form: sections in numeric order wherever they stand,
/// `%XX` decoded in extended sections, the charset of section 0 applied to decoded bytes.
#[derive(Clone)]
struct Rfc2231<'a> {
    b: &'a [u8],
    list: usize,
    first: RawParam,
    count: u32,
    next_k: u32,
    /// Where to look for the next section first: right after the previous one.
    hint: usize,
    seg: Section<'a>,
    charset: Charset,
    /// The second byte of a Latin-1 character turned into UTF-8, and its source offset.
    pending: Option<(u8, usize)>,
}

impl<'a> Rfc2231<'a> {
    /// A reader for the value whose section 0 (or only part) is `first`. Parses the
    /// `charset'language'` prefix of an extended first section.
    fn new(b: &'a [u8], list: usize, first: RawParam) -> Result<Self, Error> {
        let count = if first.section.is_some() {
            RawParams::new(b, list)
                .filter(|q| q.as_ref().is_ok_and(|q| same_name(b, &first, q)))
                .count() as u32
        } else {
            1
        };
        let mut seg = Section::of(b, &first);
        let charset = if first.extended {
            let mut name = [0u8; 16];
            let mut n = 0;
            let mut fits = true;
            loop {
                match seg.next_at() {
                    None => return Err(Error::InvalidParameter { at: first.value.0 }),
                    Some((b'\'', _)) => break,
                    Some((c, _)) => {
                        if n < name.len() {
                            name[n] = c.to_ascii_lowercase();
                            n += 1;
                        } else {
                            fits = false;
                        }
                    }
                }
            }
            // The language tag is not kept: it does not change the text.
            loop {
                match seg.next_at() {
                    None => return Err(Error::InvalidParameter { at: first.value.0 }),
                    Some((b'\'', _)) => break,
                    Some(_) => {}
                }
            }
            match name.get(..n).unwrap_or(&[]) {
                _ if !fits => return Err(Error::InvalidParameter { at: first.value.0 }),
                b"utf-8" | b"utf8" | b"" => Charset::Utf8,
                b"us-ascii" | b"ascii" => Charset::Ascii,
                b"iso-8859-1" | b"iso8859-1" | b"latin1" | b"latin-1" => Charset::Latin1,
                _ => return Err(Error::InvalidParameter { at: first.value.0 }),
            }
        } else {
            Charset::Utf8
        };
        Ok(Rfc2231 {
            b,
            list,
            first,
            count,
            next_k: 1,
            hint: first.value.1 + usize::from(first.quoted),
            seg,
            charset,
            pending: None,
        })
    }

    fn find_section(&mut self, k: u32) -> Option<Section<'a>> {
        let (b, list) = (self.b, self.list);
        let wanted = |q: &RawParam| q.section == Some(k) && same_name(b, &self.first, q);
        // The hint points into the text after a value, before the following `;`.
        let mut after = RawParams::new(b, skip_space(b, self.hint).max(list));
        if after.pos < b.len() && b[after.pos] != b';' {
            after.pos = list;
        }
        let mut from_hint = after.clone();
        while let Some(Ok(q)) = from_hint.next() {
            if wanted(&q) {
                self.hint = q.value.1 + usize::from(q.quoted);
                return Some(Section::of(b, &q));
            }
        }
        let mut from_start = RawParams::new(b, list);
        while let Some(Ok(q)) = from_start.next() {
            if wanted(&q) {
                self.hint = q.value.1 + usize::from(q.quoted);
                return Some(Section::of(b, &q));
            }
        }
        None
    }

    /// The next decoded byte and the offset of its source, `Ok(None)` at the end.
    fn next_checked(&mut self) -> Result<Option<(u8, usize)>, Error> {
        if let Some(p) = self.pending.take() {
            return Ok(Some(p));
        }
        loop {
            if let Some((c, at)) = self.seg.next_at() {
                if !(self.seg.extended && c == b'%') {
                    return Ok(Some((c, at)));
                }
                let hi = self.seg.next_at().and_then(|(h, _)| hex(h));
                let lo = self.seg.next_at().and_then(|(l, _)| hex(l));
                let (Some(hi), Some(lo)) = (hi, lo) else {
                    return Err(Error::InvalidParameter { at });
                };
                let byte = (hi << 4) | lo;
                return match self.charset {
                    Charset::Utf8 => Ok(Some((byte, at))),
                    Charset::Ascii if byte >= 0x80 => Err(Error::InvalidParameter { at }),
                    Charset::Ascii => Ok(Some((byte, at))),
                    Charset::Latin1 if byte >= 0x80 => {
                        self.pending = Some((0x80 | (byte & 0x3F), at));
                        Ok(Some((0xC0 | (byte >> 6), at)))
                    }
                    Charset::Latin1 => Ok(Some((byte, at))),
                };
            }
            if self.next_k >= self.count {
                return Ok(None);
            }
            let k = self.next_k;
            self.next_k += 1;
            match self.find_section(k) {
                Some(seg) => self.seg = seg,
                // Validation proved every section exists.
                None => return Ok(None),
            }
        }
    }
}

#[inline]
fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Decoded RFC 2231 text must be UTF-8 without controls (HTAB allowed), like any value.
fn check_decoded(mut r: Rfc2231<'_>) -> Result<(), Error> {
    let mut need = 0u8;
    let (mut lo, mut hi) = (0x80u8, 0xBFu8);
    let mut lead_at = 0;
    while let Some((b, at)) = r.next_checked()? {
        if need > 0 {
            if b < lo || b > hi {
                return Err(Error::InvalidParameter { at });
            }
            need -= 1;
            (lo, hi) = (0x80, 0xBF);
            continue;
        }
        lead_at = at;
        (need, lo, hi) = match b {
            0x00..=0x7F if chars::is(b, CTL) => return Err(Error::ControlCharacter { at }),
            0x00..=0x7F => (0, 0x80, 0xBF),
            0xC2..=0xDF => (1, 0x80, 0xBF),
            0xE0 => (2, 0xA0, 0xBF),
            0xED => (2, 0x80, 0x9F),
            0xE1..=0xEF => (2, 0x80, 0xBF),
            0xF0 => (3, 0x90, 0xBF),
            0xF1..=0xF3 => (3, 0x80, 0xBF),
            0xF4 => (3, 0x80, 0x8F),
            _ => return Err(Error::InvalidParameter { at }),
        };
    }
    if need > 0 {
        return Err(Error::InvalidParameter { at: lead_at });
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------

fn write_type(
    f: &mut Folder<'_, '_>,
    b: &[u8],
    media: MediaType,
    has_params: bool,
) -> Result<(), Error> {
    let ty = range(b, media.ty);
    let sub = media.sub.map(|r| range(b, r));
    let width = ty.len() + sub.map_or(0, |s| 1 + s.len()) + usize::from(has_params);
    f.space(b" ", Width::ascii(width), false)?;
    f.put_ascii(ty);
    if let Some(sub) = sub {
        f.put_byte(b'/');
        f.put_ascii(sub);
    }
    if has_params {
        f.put_byte(b';');
    }
    Ok(())
}

fn write_raw_param(
    f: &mut Folder<'_, '_>,
    b: &[u8],
    list: usize,
    p: RawParam,
    options: &Options,
    more: bool,
) -> Result<(), Error> {
    let name = range(b, p.name);
    let raw = range(b, (0, p.value.1));
    let value = if p.extended || p.section.is_some() {
        Value::Rfc2231(Rfc2231::new(b, list, p)?)
    } else if p.quoted {
        Value::Quoted(Unquote {
            raw,
            pos: p.value.0,
        })
    } else {
        Value::Bare(raw.get(p.value.0..).unwrap_or(&[]).iter())
    };
    write_param(f, name, value, options, more)
}

/// How a value is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    Token,
    /// Quoted where needed (always for a single segment); raw UTF-8 with `utf8` on.
    Quoted,
    /// RFC 2231 `utf-8''` percent-encoding.
    Extended,
}

/// Picks the form for a value (see the module docs).
fn choose_form(value: impl Iterator<Item = u8>, utf8: bool) -> Form {
    let (mut p2, mut p1) = (0u8, 0u8);
    let (mut ascii, mut token, mut empty) = (true, true, true);
    let (mut first, mut len) = (0u8, 0usize);
    for b in value {
        if empty {
            first = b;
        }
        len += 1;
        empty = false;
        if b >= 0x80 {
            ascii = false;
            let c1 = p1 == 0xC2 && b <= 0x9F;
            let ls = p2 == 0xE2 && p1 == 0x80 && (b == 0xA8 || b == 0xA9);
            if c1 || ls {
                return Form::Extended;
            }
        } else if b == b'\t' || b == b'\\' || chars::is(b, CTL) || (p1 == b'=' && b == b'?') {
            return Form::Extended;
        } else if !is_attr_char(b) {
            // `*`, `'` and `%` are token characters, but CPython (and other readers that know
            // RFC 2231) refuse a bare value holding them: quoted, they are plain text.
            token = false;
        }
        p2 = p1;
        p1 = b;
    }
    // CPython's get_param and get_filename run `email.utils.unquote` on the value they have
    // already unquoted, which strips a further `<...>` or `"..."` around it; its compat32
    // reader leaves an RFC 2231 value alone.
    let wrapped = len > 1 && matches!((first, p1), (b'<', b'>') | (b'"', b'"'));
    if (!ascii && !utf8) || wrapped {
        Form::Extended
    } else if ascii && token && !empty {
        Form::Token
    } else {
        Form::Quoted
    }
}

/// What one segment (a whole parameter, or one continuation) takes and how wide it is.
#[derive(Clone, Copy, Debug)]
struct Chunk {
    /// Value bytes taken.
    bytes: usize,
    /// Value text as written (escapes included), in characters.
    text_chars: usize,
    /// The whole segment: prefix, quotes, text and the glue `;`.
    width: Width,
    quoted: bool,
    /// Takes the rest of the value.
    last: bool,
    glue: bool,
}

/// The largest chunk of `value` (whole characters, at most `max_chars` of them) that fits
/// `room` after a prefix of `prefix` characters. The glue `;` follows every chunk but the
/// value's last, where it follows only when `end_glue`.
fn measure(
    value: &Value<'_>,
    form: Form,
    prefix: usize,
    room: Width,
    end_glue: bool,
    force_quotes: bool,
    max_chars: usize,
) -> Chunk {
    let mut it = value.clone();
    let quote_w = |q: bool| if q { 2 } else { 0 };
    let mut chunk = Chunk {
        bytes: 0,
        text_chars: 0,
        width: Width::ascii(prefix + quote_w(force_quotes)),
        quoted: force_quotes,
        last: false,
        glue: true,
    };
    let mut text = Width::default();
    let mut taken = 0usize;
    loop {
        let mut probe = it.clone();
        let Some(lead) = probe.next() else {
            chunk.last = true;
            chunk.glue = end_glue;
            chunk.width = Width::ascii(prefix + quote_w(chunk.quoted))
                .plus(text)
                .plus(Width::ascii(usize::from(end_glue)));
            return chunk;
        };
        if taken == max_chars {
            return chunk;
        }
        let n = chars::utf8_len(lead);
        let mut cost = Width::default();
        let mut quoted = chunk.quoted;
        match form {
            Form::Extended => {
                cost = cost.plus(Width::ascii(pct_len(lead)));
                for _ in 1..n {
                    cost = cost.plus(Width::ascii(pct_len(probe.next().unwrap_or(0))));
                }
            }
            Form::Token | Form::Quoted => {
                for _ in 1..n {
                    probe.next();
                }
                let escape = usize::from(lead == b'"' || lead == b'\\');
                cost = Width {
                    chars: 1 + escape,
                    bytes: n + escape,
                };
                quoted |= n > 1 || !is_attr_char(lead);
            }
        }
        let is_last = probe.clone().next().is_none();
        let glue = if is_last { end_glue } else { true };
        let total = Width::ascii(prefix + quote_w(quoted) + usize::from(glue))
            .plus(text)
            .plus(cost);
        if total.chars > room.chars || total.bytes > room.bytes {
            return chunk;
        }
        it = probe;
        text = text.plus(cost);
        taken += 1;
        chunk.bytes += n;
        chunk.text_chars = text.chars;
        chunk.quoted = quoted;
        chunk.width = total;
    }
}

#[inline]
fn pct_len(b: u8) -> usize {
    if is_attr_char(b) {
        1
    } else {
        3
    }
}

/// Writes `name[*k][*]=` (`utf-8''` after the `=` of an extended first segment), the chunk's
/// text in its form, and the glue.
fn write_segment(
    f: &mut Folder<'_, '_>,
    value: &mut Value<'_>,
    name: &[u8],
    section: Option<usize>,
    form: Form,
    chunk: &Chunk,
) -> Result<(), Error> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    f.space(b" ", chunk.width, false)?;
    let sink = f.sink();
    sink.write(name);
    if let Some(k) = section {
        let mut digits = [0u8; 20];
        sink.byte(b'*');
        sink.write(decimal(k, &mut digits));
    }
    let extended = form == Form::Extended;
    if extended {
        sink.write(b"*=");
        if section.unwrap_or(0) == 0 {
            sink.write(b"utf-8''");
        }
    } else {
        sink.byte(b'=');
    }
    if chunk.quoted {
        sink.byte(b'"');
    }
    for b in value.by_ref().take(chunk.bytes) {
        if extended {
            if is_attr_char(b) {
                sink.byte(b);
            } else {
                sink.write(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
            }
        } else {
            if b == b'"' || b == b'\\' {
                sink.byte(b'\\');
            }
            sink.byte(b);
        }
    }
    if chunk.quoted {
        sink.byte(b'"');
    }
    if chunk.glue {
        sink.byte(b';');
    }
    f.advance(chunk.width);
    Ok(())
}

/// `n` in decimal, in the end of `buf` (20 digits hold any 64-bit number).
fn decimal(mut n: usize, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    while let Some(d) = i.checked_sub(1).and_then(|j| buf.get_mut(j)) {
        *d = b'0' + (n % 10) as u8;
        i -= 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.get(i..).unwrap_or(&[])
}

/// Whether the RFC 2047 form of a parameter fits at all: its first encoded-word, holding only
/// the value's first character, after ` name="` on a fresh line within min(76, soft limit)
/// (RFC 2047 §2), with room for the closing `"` (and `;`). A
/// long parameter name leaves no room for it; the RFC 2231 form alone is then written, as for
/// values holding `"` or `\` (it is an aid for old Outlook versions, not a second copy the
/// field needs), instead of failing with `LineTooLong` on input whose every line fits in 998.
/// With `Auto` the cheaper of Q and B for that character: the encoder starts a word where its
/// first character fits in either encoding, each word taking its own (SPEC §4), so the word
/// it sizes later always fits.
fn fallback_fits<I: Iterator<Item = u8>>(
    f: &Folder<'_, '_>,
    name: &[u8],
    mut value: I,
    options: &Options,
    more: bool,
) -> bool {
    /// `=?utf-8?q?` + `?=`.
    const OVERHEAD: usize = 12;
    let Some(lead) = value.next() else {
        return true;
    };
    let n = chars::utf8_len(lead);
    // RFC 2047 §5(3): inside the quoted-string only the phrase-safe set stays literal (a
    // space is written `_`); every other byte of the character is `=XX`.
    let q_len = |b: u8| {
        if b == b' ' || chars::is(b, chars::Q_PHRASE_SAFE) {
            1
        } else {
            3
        }
    };
    let q: usize = core::iter::once(lead)
        .chain(value.take(n - 1))
        .map(q_len)
        .sum();
    let b = n.div_ceil(3) * 4;
    let encoded = match options.encoding {
        crate::Encoding::Q => q,
        crate::Encoding::B => b,
        crate::Encoding::Auto => q.min(b),
    };
    // The encoder keeps room for the closing `"` (and `;`) whenever the rest of the value
    // would fit in the word, which can be the case for a longer value than one character
    // (B writes `e` and `e` + U+0301 in four characters): count it always.
    let glue = if more { 2 } else { 1 };
    let (_, fresh) = f.ew_room(1 + name.len() + 2);
    OVERHEAD + encoded + glue <= fresh
}

/// Writes one parameter: in one segment when it fits on a line of its own, else as RFC 2231
/// continuations filling each line; then, with `rfc2047_params`, the RFC 2047 form of a value
/// written with RFC 2231 encoding. `more` says whether another parameter follows.
fn write_param(
    f: &mut Folder<'_, '_>,
    name: &[u8],
    value: Value<'_>,
    options: &Options,
    more: bool,
) -> Result<(), Error> {
    let form = choose_form(value.clone(), options.utf8);
    // CPython's modern parser decodes encoded-words inside quoted-strings before splitting
    // parameters, so a `"` or `\` there would cut the field in the wrong place and lose the
    // parameters after it. Windows file names (what the fallback is for) cannot hold either.
    let fallback = form == Form::Extended
        && options.rfc2047_params
        && !value.clone().any(|b| b == b'"' || b == b'\\')
        && fallback_fits(f, name, value.clone(), options, more);
    let end_glue = more || fallback;
    let extended = form == Form::Extended;
    let unbounded = Width::ascii(usize::MAX / 4);
    let (_, fresh) = f.room(1);
    let single_prefix = name.len() + 1 + if extended { 8 } else { 0 };
    let one = measure(
        &value,
        form,
        single_prefix,
        unbounded,
        end_glue,
        form == Form::Quoted,
        usize::MAX,
    );
    let empty = value.clone().next().is_none();
    if empty || (one.width.chars <= fresh.chars && one.width.bytes <= fresh.bytes) {
        write_segment(f, &mut value.clone(), name, None, form, &one)?;
    } else {
        // Past the soft limit but within 998 octets in one segment: written so when the
        // continuations' longer names (`*0`, `*0*`) leave no room for a character within
        // 998 (SPEC §3: `LineTooLong` only when no layout keeps every line within it).
        let one_fits_hard = one.width.bytes <= fresh.bytes;
        let mut rest = value.clone();
        let hard = Width {
            chars: usize::MAX / 4,
            bytes: fresh.bytes,
        };
        let mut k = 0usize;
        loop {
            let mut digits = [0u8; 20];
            let prefix = name.len()
                + 2
                + decimal(k, &mut digits).len()
                + if extended { 1 } else { 0 }
                + if extended && k == 0 { 7 } else { 0 };
            let (here, fresh) = f.room(1);
            let mut chunk = measure(&rest, form, prefix, here, end_glue, false, usize::MAX);
            let worth_it = chunk.bytes > 0 && (chunk.last || chunk.text_chars >= MIN_FIRST_SEGMENT);
            if !worth_it {
                chunk = measure(&rest, form, prefix, fresh, end_glue, false, usize::MAX);
            }
            if chunk.bytes == 0 {
                // Not even one character fits the soft limit after this name: this segment
                // takes one character, the smallest unbreakable token (SPEC §3: a line past
                // the soft limit holds one), within 998 octets. Filling it up to 998 would
                // put text on this long line that the next continuations, whose shorter
                // prefixes may fit the limit, could hold within it.
                chunk = measure(&rest, form, prefix, hard, end_glue, false, 1);
            }
            if chunk.bytes == 0 && k == 0 && one_fits_hard {
                write_segment(f, &mut value.clone(), name, None, form, &one)?;
                break;
            }
            if chunk.bytes == 0 {
                return Err(Error::LineTooLong);
            }
            write_segment(f, &mut rest, name, Some(k), form, &chunk)?;
            if chunk.last {
                break;
            }
            k += 1;
        }
    }
    if fallback {
        let glue: &[u8] = if more { b"\";" } else { b"\"" };
        encoded_word::write_run_prefixed(
            f,
            b" ",
            &[name, b"=\""],
            value,
            Context::Quoted,
            options.encoding,
            glue,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::string::{String, ToString};
    use std::vec::Vec;
    use std::{format, vec};

    use super::{ContentDisposition, ContentType, MAX_PARAMS};
    use crate::test_util::{decode_word, fmt, fmt_class, fmt_with};
    use crate::{Encoding, Error, FieldClass, HeaderBuf, LineEnding, Options};

    /// A field read back independently, from RFC 2045 and RFC 2231 alone.
    #[derive(Debug, PartialEq)]
    struct Read {
        ty: String,
        /// Lowercased name and literal value, in order of appearance of section 0.
        params: Vec<(String, String)>,
        /// Values of plain parameters that repeat an extended one (the RFC 2047 form),
        /// decoded per RFC 2047.
        rfc2047: Vec<(String, String)>,
    }

    /// A parameter section as written: number, extended, value.
    type Section = (Option<usize>, bool, String);

    fn unquote(s: &str) -> String {
        let inner = &s[1..s.len() - 1];
        let mut out = String::new();
        let mut esc = false;
        for c in inner.chars() {
            if esc || c != '\\' {
                out.push(c);
                esc = false;
            } else {
                esc = true;
            }
        }
        out
    }

    fn pct_decode(s: &str) -> Vec<u8> {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' {
                let h = core::str::from_utf8(&b[i + 1..i + 3]).expect("whole %XX in a segment");
                out.push(u8::from_str_radix(h, 16).expect("hex after %"));
                i += 3;
            } else {
                assert!(super::is_attr_char(b[i]), "{:?} raw in {s:?}", b[i] as char);
                out.push(b[i]);
                i += 1;
            }
        }
        out
    }

    fn read(field: &str) -> Read {
        let unfolded = field
            .strip_suffix("\r\n")
            .expect("CRLF at the end")
            .replace("\r\n", "");
        let value = unfolded.split_once(": ").unwrap().1;
        let mut pieces = Vec::new();
        let (mut cur, mut quoted, mut esc) = (String::new(), false, false);
        for c in value.chars() {
            match c {
                _ if esc => esc = false,
                '\\' if quoted => esc = true,
                '"' => quoted = !quoted,
                ';' if !quoted => {
                    pieces.push(core::mem::take(&mut cur));
                    continue;
                }
                _ => {}
            }
            cur.push(c);
        }
        pieces.push(cur);
        let ty = pieces[0].trim().to_string();
        // name -> sections (number, extended, raw value)
        let mut groups: Vec<(String, Vec<Section>)> = Vec::new();
        let mut rfc2047 = Vec::new();
        for p in &pieces[1..] {
            let (n, v) = p.trim().split_once('=').expect("name=value");
            let v = if v.starts_with('"') {
                unquote(v)
            } else {
                v.to_string()
            };
            let (base, rest) = n.split_once('*').unwrap_or((n, ""));
            let base = base.to_ascii_lowercase();
            let extended = rest.ends_with('*') || (rest.is_empty() && n.ends_with('*'));
            let k = rest.trim_end_matches('*');
            let k = (!k.is_empty()).then(|| k.parse::<usize>().unwrap());
            if !n.contains('*') && groups.iter().any(|g| g.0 == base) {
                // A plain repeat of an extended parameter: the RFC 2047 form.
                let words: Vec<String> = v
                    .split(' ')
                    .map(|w| decode_word(w).expect("encoded-word"))
                    .collect();
                rfc2047.push((base, words.concat()));
                continue;
            }
            match groups.iter_mut().find(|g| g.0 == base) {
                Some(g) => g.1.push((k, extended, v)),
                None => groups.push((base, vec![(k, extended, v)])),
            }
        }
        let params = groups
            .into_iter()
            .map(|(name, mut sections)| {
                sections.sort_by_key(|s| s.0);
                for (i, s) in sections.iter().enumerate() {
                    assert_eq!(s.0.unwrap_or(0), i, "section numbers of {name}");
                }
                let mut bytes = Vec::new();
                for (i, (_, extended, v)) in sections.iter().enumerate() {
                    let seg = if *extended {
                        let text = if i == 0 {
                            v.strip_prefix("utf-8''").expect("charset utf-8")
                        } else {
                            v
                        };
                        pct_decode(text)
                    } else {
                        v.as_bytes().to_vec()
                    };
                    assert!(
                        core::str::from_utf8(&seg).is_ok(),
                        "segment splits a character"
                    );
                    bytes.extend(seg);
                }
                (name, String::from_utf8(bytes).unwrap())
            })
            .collect();
        Read {
            ty,
            params,
            rfc2047,
        }
    }

    /// SPEC §3 line rules for MIME output (quoted-strings may hold encoded-words).
    fn check_lines(field: &str, soft: usize) {
        let body = field.strip_suffix("\r\n").unwrap();
        for (i, l) in body.split("\r\n").enumerate() {
            assert!(!l.contains(['\r', '\n']), "bare CR/LF in {field:?}");
            assert!(l.len() <= 998, "over 998: {field:?}");
            if i > 0 {
                assert!(l.starts_with(' ') && l.len() > 1, "continuation: {field:?}");
            }
            let n = l.chars().count();
            if l.contains("=?") {
                assert!(n <= 76.min(soft), "encoded-word line {l:?}");
            }
            assert!(n <= soft, "over the soft limit: {l:?} in {field:?}");
        }
    }

    fn badn(at: usize) -> Result<usize, Error> {
        Err(Error::InvalidParameter { at })
    }

    fn p(name: &str, value: &str) -> (String, String) {
        (name.to_string(), value.to_string())
    }

    fn cd_with(value: &str, options: &Options) -> Result<String, Error> {
        let cd = ContentDisposition::attachment().param("filename", value);
        let needed = match cd.format(options, &mut []) {
            Err(Error::BufferTooSmall { needed }) => needed,
            other => return other.map(|_| unreachable!()),
        };
        let mut buf = vec![0u8; needed];
        assert_eq!(cd.format(options, &mut buf), Ok(needed));
        Ok(String::from_utf8(buf).unwrap())
    }

    fn cd(value: &str) -> String {
        cd_with(value, &Options::default()).unwrap()
    }

    #[test]
    fn rfc2045_tokens_and_quoted_strings() {
        // RFC 2045 §5.1: a quoted value and a token value mean the same; written as a token.
        assert_eq!(
            fmt("Content-Type", "text/plain; charset=\"us-ascii\"").unwrap(),
            "Content-Type: text/plain; charset=us-ascii\r\n"
        );
        assert_eq!(
            fmt("content-type", " Text/Plain ;charset = us-ascii ; ").unwrap(),
            "content-type: Text/Plain; charset=us-ascii\r\n"
        );
        // Every tspecial forces a quoted-string (RFC 2045 §5.1).
        for t in [
            "(", ")", "<", ">", "@", ",", ";", ":", "/", "[", "]", "?", "=", " ",
        ] {
            let v = format!("a{t}b");
            assert_eq!(
                cd(&v),
                format!("Content-Disposition: attachment; filename=\"{v}\"\r\n")
            );
        }
        // `"` is escaped; `\` goes to RFC 2231 (CPython splits `"a\\"; b=c` wrongly).
        assert_eq!(
            cd("say \"hi\""),
            "Content-Disposition: attachment; filename=\"say \\\"hi\\\"\"\r\n"
        );
        assert_eq!(
            cd("C:\\x"),
            "Content-Disposition: attachment; filename*=utf-8''C%3A%5Cx\r\n"
        );
        // `=?` would be read as an encoded-word by lenient decoders; HTAB is a control.
        assert_eq!(
            cd("=?utf-8?q?x?="),
            "Content-Disposition: attachment; filename*=utf-8''%3D%3Futf-8%3Fq%3Fx%3F%3D\r\n"
        );
        assert_eq!(
            cd("a\tb"),
            "Content-Disposition: attachment; filename*=utf-8''a%09b\r\n"
        );
        // Empty values are quoted.
        assert_eq!(cd(""), "Content-Disposition: attachment; filename=\"\"\r\n");
        assert_eq!(
            fmt("Content-Disposition", "inline; filename=\"\"").unwrap(),
            "Content-Disposition: inline; filename=\"\"\r\n"
        );
    }

    #[test]
    fn percent_and_apostrophe() {
        // Both are token characters, but CPython refuses them (and `*`) in a bare value, where
        // RFC 2231 gives them a meaning: a plain value carries them in a quoted-string.
        let v = "%%''%27'%";
        assert_eq!(
            cd(v),
            format!("Content-Disposition: attachment; filename=\"{v}\"\r\n")
        );
        assert_eq!(
            cd("a*"),
            "Content-Disposition: attachment; filename=\"a*\"\r\n"
        );
        // A value CPython would unquote a second time goes to RFC 2231.
        assert_eq!(
            cd("<a>"),
            "Content-Disposition: attachment; filename*=utf-8''%3Ca%3E\r\n"
        );
        assert_eq!(
            cd("\"a\""),
            "Content-Disposition: attachment; filename*=utf-8''%22a%22\r\n"
        );
        assert_eq!(
            cd("<a"),
            "Content-Disposition: attachment; filename=\"<a\"\r\n"
        );
        // In an RFC 2231 value they are encoded, since they are its syntax.
        let v = "100% 'echt' ü%41.txt";
        let out = cd(v);
        assert_eq!(
            out,
            "Content-Disposition: attachment;\r\n filename*=utf-8''100%25%20%27echt%27%20%C3%BC%2541.txt\r\n"
        );
        assert_eq!(read(&out).params, vec![p("filename", v)]);
        // Round trip through the text form in both spellings.
        assert_eq!(
            fmt(
                "Content-Disposition",
                "attachment; filename=\"100% 'echt' ü%41.txt\""
            )
            .unwrap(),
            out
        );
        assert_eq!(
            fmt(
                "Content-Disposition",
                "attachment; filename*=UTF-8'de'100%25%20%27echt%27%20%C3%BC%2541.txt"
            )
            .unwrap(),
            out
        );
    }

    #[test]
    fn rfc2231_examples() {
        // RFC 2231 §3.
        let out = fmt(
            "Content-Type",
            "message/external-body; access-type=URL;\r\n URL*0=\"ftp://\";\r\n URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"",
        )
        .unwrap();
        assert_eq!(
            out,
            "Content-Type: message/external-body; access-type=URL;\r\n URL=\"ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"\r\n"
        );
        // RFC 2231 §4.
        assert_eq!(
            fmt(
                "Content-Type",
                "application/x-stuff; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A"
            )
            .unwrap(),
            "Content-Type: application/x-stuff; title=\"This is ***fun***\"\r\n"
        );
        // RFC 2231 §4.1, with the sections out of order.
        let out = fmt(
            "Content-Type",
            "application/x-stuff; title*2=\"isn't it!\"; title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n title*0*=us-ascii'en'This%20is%20even%20more%20",
        )
        .unwrap();
        assert_eq!(
            out,
            "Content-Type: application/x-stuff;\r\n title=\"This is even more ***fun*** isn't it!\"\r\n"
        );
        // ISO-8859-1 input is re-encoded as UTF-8.
        assert_eq!(
            fmt(
                "Content-Disposition",
                "attachment; filename*=iso-8859-1''caf%E9"
            )
            .unwrap(),
            "Content-Disposition: attachment; filename*=utf-8''caf%C3%A9\r\n"
        );
        // A character split between sections is joined before decoding (RFC 2231 §3).
        assert_eq!(
            fmt(
                "Content-Type",
                "application/x-stuff; name*0*=UTF-8''%E2%98; name*1*=%83.txt"
            )
            .unwrap(),
            "Content-Type: application/x-stuff; name*=utf-8''%E2%98%83.txt\r\n"
        );
    }

    #[test]
    fn rfc2183_example() {
        let out = fmt(
            "Content-Disposition",
            "attachment; filename=genome.jpeg;\r\n  modification-date=\"Wed, 12 Feb 1997 16:29:51 -0500\";",
        )
        .unwrap();
        assert_eq!(
            out,
            "Content-Disposition: attachment; filename=genome.jpeg;\r\n modification-date=\"Wed, 12 Feb 1997 16:29:51 -0500\"\r\n"
        );
    }

    #[test]
    fn value_ending_exactly_at_the_soft_limit() {
        // "Content-Type: text/plain; name=" is 31 columns: 47 more end at column 78.
        let head = "Content-Type: text/plain; name=";
        let fits = "x".repeat(78 - head.len());
        let out = fmt("Content-Type", &format!("text/plain; name={fits}")).unwrap();
        assert_eq!(out, format!("{head}{fits}\r\n"));
        // One more character: the parameter moves to its own line, whole.
        let over = format!("{fits}x");
        let out = fmt("Content-Type", &format!("text/plain; name={over}")).unwrap();
        assert_eq!(
            out,
            format!("Content-Type: text/plain;\r\n name={over}\r\n")
        );
        // Followed by another parameter, its `;` counts: 46 fit, 47 do not.
        let out = fmt(
            "Content-Type",
            &format!("text/plain; name={}; a=b", &fits[1..]),
        )
        .unwrap();
        assert_eq!(out, format!("{head}{};\r\n a=b\r\n", &fits[1..]));
        let out = fmt("Content-Type", &format!("text/plain; name={fits}; a=b")).unwrap();
        assert_eq!(
            out,
            format!("Content-Type: text/plain;\r\n name={fits}; a=b\r\n")
        );
        // A parameter exactly as long as a continuation line (" name=" + 72 = 78) is whole;
        // one more and it is cut into continuations.
        let line = "y".repeat(72);
        let out = fmt("Content-Type", &format!("text/plain; name={line}")).unwrap();
        assert_eq!(
            out,
            format!("Content-Type: text/plain;\r\n name={line}\r\n")
        );
        let out = fmt("Content-Type", &format!("text/plain; name={line}y")).unwrap();
        check_lines(&out, 78);
        // "Content-Type: text/plain; name*0=" + 44 + ";" is 78 columns; the other 29 follow.
        assert_eq!(
            out,
            format!(
                "Content-Type: text/plain; name*0={};\r\n name*1={}\r\n",
                "y".repeat(44),
                "y".repeat(29)
            )
        );
        assert_eq!(read(&out).params, vec![p("name", &format!("{line}y"))]);
    }

    #[test]
    fn cjk_filename_of_500_characters() {
        let name: String = "山田報告書資料テスト한국어中文"
            .chars()
            .cycle()
            .take(500)
            .collect();
        for width in [40, 78, 998] {
            let o = Options::default().with_max_line_len(width);
            let out = cd_with(&name, &o).unwrap();
            check_lines(&out, width);
            let r = read(&out);
            assert_eq!(r.ty, "attachment");
            assert_eq!(r.params, vec![p("filename", &name)]);
            let sections = out.matches("filename*").count();
            // 1500 bytes, 4500 characters encoded: lines are filled, not sliced thin.
            let per_line = width - " filename*00*=;".len();
            assert!(
                sections <= 4500 / (per_line - 8) + 1,
                "{sections} sections at {width}"
            );
            // The text form says the same.
            let text = fmt_with(
                "Content-Disposition",
                &format!("attachment; filename=\"{name}\""),
                &o,
            )
            .unwrap();
            assert_eq!(text, out);
        }
        // utf8 on: raw UTF-8 in quoted continuations, the soft limit counting characters.
        let o = Options::default().with_utf8(true);
        let out = cd_with(&name, &o).unwrap();
        check_lines(&out, 78);
        assert!(out.contains("filename*0=\"山田"));
        assert_eq!(read(&out).params, vec![p("filename", &name)]);
    }

    #[test]
    fn emoji_and_ascii_continuations() {
        let v: String = "a😀 ".repeat(60);
        let out = cd(&v);
        check_lines(&out, 78);
        assert_eq!(read(&out).params, vec![p("filename", &v)]);
        // Plain ASCII is cut too, each segment quoted only when it needs it.
        let v = format!("{}{}", "a".repeat(100), " b".repeat(40));
        let out = cd(&v);
        check_lines(&out, 78);
        assert!(out.contains(" filename*0=aaaa"), "{out}");
        assert!(out.contains(" filename*1=aaaa"), "{out}");
        assert!(out.contains(" filename*2=\"aa b b"), "{out}");
        assert_eq!(read(&out).params, vec![p("filename", &v)]);
    }

    #[test]
    fn separate_parameters_only_under_names_whose_syntax_allows_them() {
        let params: &[(&str, &str)] = &[("name", "a.pdf")];
        let o = Options::default();
        let mut out = [0u8; 128];
        for (name, ty) in [
            ("Content-Type", "application/pdf"),
            ("content-disposition", "attachment"),
            ("X-Attachment-Type", "application/pdf"),
            ("Comments", "attachment"),
        ] {
            let n = super::format_list(name, ty, params, &o, &mut out).unwrap();
            let expected = std::format!("{name}: {ty}; name=a.pdf\r\n");
            assert_eq!(&out[..n], expected.as_bytes());
        }
        for name in [
            "Message-ID",
            "References",
            "To",
            "Bcc",
            "Sender",
            "Return-Path",
            "Date",
            "Received",
            "MIME-Version",
            "Content-Transfer-Encoding",
            "Keywords",
            "List-Id",
        ] {
            let r = super::format_list(name, "application/pdf", params, &o, &mut out);
            assert_eq!(r, Err(Error::InvalidName), "{name}");
            // Validation does not depend on the buffer (SPEC §1.2).
            let r = super::format_list(name, "application/pdf", params, &o, &mut []);
            assert_eq!(r, Err(Error::InvalidName), "{name}");
        }
    }

    #[test]
    fn rfc2047_form_for_old_outlook() {
        let o = Options::default().with_rfc2047_params(true);
        assert_eq!(
            cd_with("Résumé.pdf", &o.clone().with_encoding(Encoding::B)).unwrap(),
            "Content-Disposition: attachment; filename*=utf-8''R%C3%A9sum%C3%A9.pdf;\r\n filename=\"=?utf-8?b?UsOpc3Vtw6kucGRm?=\"\r\n"
        );
        // ASCII values need no second form.
        assert_eq!(
            cd_with("a b.pdf", &o).unwrap(),
            "Content-Disposition: attachment; filename=\"a b.pdf\"\r\n"
        );
        // A long value: several encoded-words inside the quoted-string, lines within 76.
        let v: String = "Grüße aus Köln, 山田 ".repeat(12);
        for width in [40, 78, 998] {
            let out = cd_with(&v, &o.clone().with_max_line_len(width)).unwrap();
            check_lines(&out, width);
            let r = read(&out);
            assert_eq!(r.params, vec![p("filename", &v)]);
            assert_eq!(r.rfc2047, vec![p("filename", &v)]);
        }
        // Between parameters, the `;` follows the closing quote; the rest of a line holding
        // an encoded-word is kept within 76 too.
        let ct = ContentType::new("text/plain")
            .param("name", "ü")
            .param("charset", "utf-8");
        let mut out = [0u8; 128];
        let n = ct.format(&o, &mut out).unwrap();
        assert_eq!(
            &out[..n],
            b"Content-Type: text/plain; name*=utf-8''%C3%BC; name=\"=?utf-8?b?w7w=?=\";\r\n charset=utf-8\r\n"
        );
        // No second form for `"` or `\` (see write_param).
        assert_eq!(
            cd_with("ü\"", &o).unwrap(),
            "Content-Disposition: attachment; filename*=utf-8''%C3%BC%22\r\n"
        );
    }

    #[test]
    fn utf8_mode_writes_raw_utf8_quoted() {
        let o = Options::default().with_utf8(true);
        assert_eq!(
            cd_with("Résumé.pdf", &o).unwrap(),
            "Content-Disposition: attachment; filename=\"Résumé.pdf\"\r\n"
        );
        // Line separators and C1 controls are never written raw.
        assert_eq!(
            cd_with("a\u{2028}b", &o).unwrap(),
            "Content-Disposition: attachment; filename*=utf-8''a%E2%80%A8b\r\n"
        );
        assert_eq!(
            cd_with("\u{85}", &o).unwrap(),
            "Content-Disposition: attachment; filename*=utf-8''%C2%85\r\n"
        );
    }

    #[test]
    fn duplicates_and_sections() {
        let ct = |v: &str| fmt("Content-Type", v);
        let bad = |at| Err(Error::InvalidParameter { at });
        assert_eq!(ct("text/plain; charset=a; CHARSET=b"), bad(23));
        assert_eq!(ct("text/plain; name=a; name*=utf-8''b"), bad(20));
        assert_eq!(ct("text/plain; name*=utf-8''b; name=a"), bad(28));
        assert_eq!(ct("text/plain; name*0=a; name*0=b"), bad(22));
        assert_eq!(ct("text/plain; name*0=a; name*2=b"), bad(22));
        assert_eq!(ct("text/plain; name*1=a"), bad(12));
        assert_eq!(ct("text/plain; name=a; name*0=b"), bad(20));
        // Plain and encoded sections mix in any order (RFC 2231 §4.1); a plain section 0
        // carries no charset, so the text is read as UTF-8, as CPython reads it.
        assert_eq!(
            ct("text/plain; name*0=a; name*1*=%41"),
            Ok("Content-Type: text/plain; name=aA\r\n".into())
        );
        assert_eq!(
            ct("text/plain; name*0=\"a b\"; name*1*=%C3%A9; name*2=c"),
            Ok("Content-Type: text/plain; name*=utf-8''a%20b%C3%A9c\r\n".into())
        );
        assert_eq!(ct("text/plain; name*0=a; name*1*=%C3"), bad(30));
        // No leading zeroes (RFC 2231 §3).
        assert_eq!(ct("text/plain; name*00=a"), bad(18));
        let b = ContentType::new("text/plain")
            .param("name", "a")
            .param("Name", "b");
        assert_eq!(b.format(&Options::default(), &mut [0; 99]), badn(0));
    }

    #[test]
    fn bad_tokens_and_values() {
        let ct = |v: &str| fmt("Content-Type", v);
        let bad = |at| Err(Error::InvalidParameter { at });
        assert_eq!(ct(""), bad(0));
        assert_eq!(ct("text"), bad(4));
        // `te / plain` would be valid: the `x` is what is wrong, as the `m` in `na me=x`.
        assert_eq!(ct("te xt/plain"), bad(3));
        assert_eq!(ct("text plain"), bad(5));
        assert_eq!(ct("text/"), bad(5));
        assert_eq!(ct("\"text\"/plain"), bad(0));
        assert_eq!(ct("tëxt/plain"), bad(1));
        assert_eq!(ct("text/plain (comment)"), bad(11));
        assert_eq!(ct("text/plain; na me=x"), bad(15));
        assert_eq!(ct("text/plain; nämé=x"), bad(13));
        assert_eq!(ct("text/plain; =x"), bad(12));
        assert_eq!(ct("text/plain; name"), bad(16));
        assert_eq!(ct("text/plain; name="), bad(17));
        assert_eq!(ct("text/plain; name=x y"), bad(19));
        assert_eq!(ct("text/plain; name=\"x"), bad(19));
        assert_eq!(ct("text/plain; name=a\"b"), bad(18));
        // RFC 2231 values: charset'language' prefix, supported charsets, %XX, UTF-8.
        assert_eq!(ct("text/plain; name*=x"), bad(18));
        assert_eq!(ct("text/plain; name*=koi8-r''%C1"), bad(18));
        assert_eq!(ct("text/plain; name*=utf-8''%C"), bad(25));
        assert_eq!(ct("text/plain; name*=utf-8''a%C3"), bad(26));
        assert_eq!(ct("text/plain; name*=utf-8''%C3%28"), bad(28));
        assert_eq!(ct("text/plain; name*=us-ascii''%E9"), bad(28));
        assert_eq!(
            ct("text/plain; name*=utf-8''a%0D%0Ab"),
            Err(Error::ControlCharacter { at: 26 })
        );
        // §3 controls in the text form, caught before parsing.
        assert_eq!(
            ct("text/plain; name=\"a\r\nb\""),
            Err(Error::ControlCharacter { at: 19 })
        );
        // Content-Disposition has a single token.
        assert_eq!(fmt("Content-Disposition", "attachment/x"), bad(10));
        assert_eq!(
            fmt("Content-Disposition", "attachment").unwrap(),
            "Content-Disposition: attachment\r\n"
        );
        // The builder: offsets within the offending string.
        let o = Options::default();
        let mut out = [0u8; 128];
        assert_eq!(ContentType::new("text/").format(&o, &mut out), badn(5));
        assert_eq!(ContentDisposition::new("a/b").format(&o, &mut out), badn(1));
        for (name, at) in [("", 0), ("fi*le", 2), ("fi le", 2), ("x'", 1), ("n%", 1)] {
            let ct = ContentType::new("text/plain").param(name, "v");
            assert_eq!(ct.format(&o, &mut out), badn(at), "{name:?}");
        }
        let ct = ContentType::new("text/plain").param("name", "a\r\nb");
        assert_eq!(
            ct.format(&o, &mut out),
            Err(Error::ControlCharacter { at: 1 })
        );
        let ct = ContentType::new("text/plain").param("na\0me", "x");
        assert_eq!(
            ct.format(&o, &mut out),
            Err(Error::ControlCharacter { at: 2 })
        );
        // A caller's fold in a value is removed, its white space kept.
        let ct = ContentType::new("text/plain").param("name", "a\r\n b");
        let n = ct.format(&o, &mut out).unwrap();
        assert_eq!(&out[..n], b"Content-Type: text/plain; name=\"a b\"\r\n");
    }

    #[test]
    fn lengths_and_limits() {
        // A media type longer than a line stays whole on the first line.
        let long_type = format!("application/{}", "x".repeat(80));
        let out = fmt("Content-Type", &format!("{long_type}; a=b")).unwrap();
        assert_eq!(out, format!("Content-Type: {long_type};\r\n a=b\r\n"));
        let huge = format!("application/{}", "x".repeat(990));
        assert_eq!(fmt("Content-Type", &huge), Err(Error::LineTooLong));
        // A parameter name too long for the soft limit: one segment of one character per
        // line (the smallest token a line past the limit can hold), each within 998.
        let name = "n".repeat(990);
        let ct = ContentType::new("text/plain").param(&name, "abcdef");
        let mut out = vec![0u8; 8192];
        let n = ct.format(&Options::default(), &mut out).unwrap();
        let s = core::str::from_utf8(&out[..n]).unwrap();
        assert!(s.lines().all(|l| l.len() <= 998), "{s}");
        assert_eq!(s.lines().count(), 7, "{s}");
        assert_eq!(read(s).params, vec![p(&name, "abcdef")]);
        let name = "n".repeat(996);
        let ct = ContentType::new("text/plain").param(&name, "abcdef");
        assert_eq!(
            ct.format(&Options::default(), &mut out),
            Err(Error::LineTooLong)
        );
        // Width 998: long values stay whole until 998.
        let v = "z".repeat(900);
        let o = Options::default().with_max_line_len(998);
        let s = cd_with(&v, &o).unwrap();
        assert_eq!(
            s,
            format!("Content-Disposition: attachment; filename={v}\r\n")
        );
        // LF endings.
        let lf = Options::default().with_line_ending(LineEnding::Lf);
        let s = cd_with(&"é".repeat(30), &lf).unwrap();
        assert!(s.ends_with('\n') && !s.contains('\r') && s.contains(";\n filename*1*="));
    }

    #[test]
    fn builders_and_headerbuf() {
        let o = Options::default();
        let mut ct = ContentType::new("text/plain");
        for i in 0..MAX_PARAMS {
            ct = ct.param(["a", "b", "c", "d", "e", "f", "g", "h"][i % 8], "1");
        }
        // Full: the 17th is refused at once by try_param, at format time by param.
        assert_eq!(
            ct.clone().try_param("z", "1").err(),
            Some(Error::InvalidParameter { at: 0 })
        );
        let over = ct.param("z", "1");
        assert_eq!(
            over.format(&o, &mut [0; 512]),
            Err(Error::InvalidParameter { at: 0 })
        );
        let mut head = HeaderBuf::<64>::new();
        head.push("MIME-Version", "1.0", &o).unwrap();
        let before = head.len();
        let cd = ContentDisposition::attachment().param("filename", "a-rather-long-name.pdf");
        assert_eq!(
            cd.push_to(&mut head, &o),
            Err(Error::BufferTooSmall {
                needed: before + 66
            })
        );
        assert_eq!(head.len(), before);
        ContentDisposition::inline().push_to(&mut head, &o).unwrap();
        assert_eq!(
            head.as_str(),
            "MIME-Version: 1.0\r\nContent-Disposition: inline\r\n"
        );
    }

    #[test]
    fn forced_mime_class() {
        let o = Options::default();
        assert_eq!(
            fmt_class("X-Type", FieldClass::Mime, "a/b; c=\"d e\"", &o).unwrap(),
            "X-Type: a/b; c=\"d e\"\r\n"
        );
        assert_eq!(
            fmt_class("X-Disp", FieldClass::Mime, "inline; c=d", &o).unwrap(),
            "X-Disp: inline; c=d\r\n"
        );
    }
}
