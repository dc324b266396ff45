//! `mailfold`: reads `Name: value` lines and writes wire-ready folded header fields.

use std::io::{self, BufRead, Write};
use std::process::ExitCode;

use mailfold::{
    format_header, Encoding, Error, LineEnding, Options, HARD_LINE_LIMIT, MIN_MAX_LINE_LEN,
};

const USAGE: &str = "\
usage: mailfold [--width N] [--lf] [--utf8] [--encoding auto|q|b] [FILE...]

Reads one header field per line (`Name: value`, UTF-8) from each FILE, or from standard input
when no FILE is given or FILE is `-`, and writes each field folded and encoded for the wire.
A line starting with a space or tab continues the field before it (a fold, as in a header
block copied from a message; values are text, so encoded-words in it stay literal). Blank
lines and lines starting with `#` are skipped. Errors go to standard error as FILE:LINE:
message; a FILE that cannot be read is reported and the next one read. The exit status is 1
if any field failed, 2 on usage or I/O errors. When the reader of the output goes away (as
`mailfold FILE | head` does), the tool stops quietly with the status of the fields read
so far. `--` ends the options.

  --width N        soft line limit, 40..=998 (default 78)
  --lf             end lines with LF instead of CRLF
  --utf8           RFC 6532: keep UTF-8 raw where the syntax allows
  --encoding E     RFC 2047 encoding: auto (default), q or b
  -h, --help       print this help and exit
  --version        print the version and exit
(`--width=N` and `--encoding=E` work too.)
";

/// What the command line asks for.
enum Parsed {
    Run(Options, Vec<String>),
    /// `--help`: the usage on standard output, status 0 (GNU coding standards, 4.8.2).
    Help,
    /// `--version`: the version on standard output, status 0 (GNU coding standards, 4.8.1).
    Version,
}

fn parse_args(args: &[String]) -> Result<Parsed, String> {
    let mut options = Options::default();
    let mut files = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        // `--name=value` is `--name value`; `--` ends the options, so a file may start
        // with `-`.
        let (arg, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name, Some(value.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next().cloned())
                .ok_or(format!("{arg} needs a value"))
        };
        match arg {
            "--width" => {
                let v = value()?;
                let width: usize = v.parse().map_err(|_| format!("bad width: {v}"))?;
                // The usage promises 40..=998 and status 2 for a usage error: checked here,
                // not left to fail every field with "invalid option" (status 1).
                if !(MIN_MAX_LINE_LEN..=HARD_LINE_LIMIT).contains(&width) {
                    return Err(format!(
                        "bad width: {v} (must be {MIN_MAX_LINE_LEN}..={HARD_LINE_LIMIT})"
                    ));
                }
                options.max_line_len = width;
            }
            "--encoding" => {
                options.encoding = match value()?.to_ascii_lowercase().as_str() {
                    "auto" => Encoding::Auto,
                    "q" => Encoding::Q,
                    "b" => Encoding::B,
                    other => return Err(format!("bad encoding: {other}")),
                }
            }
            _ if inline.is_some() => return Err(format!("{arg} takes no value")),
            "--lf" => options.line_ending = LineEnding::Lf,
            "--utf8" => options.utf8 = true,
            "-h" | "--help" => return Ok(Parsed::Help),
            "--version" => return Ok(Parsed::Version),
            "--" => {
                files.extend(args.by_ref().cloned());
                break;
            }
            _ if arg.starts_with('-') && arg != "-" => return Err(format!("unknown option {arg}")),
            _ => files.push(arg.to_string()),
        }
    }
    if files.is_empty() {
        files.push("-".into());
    }
    Ok(Parsed::Run(options, files))
}

/// One field read so far: the line number it starts on, the name and the value with any
/// continuation lines (each joined by CRLF, which with the line's leading white space is a
/// caller's fold, SPEC §3).
struct Pending {
    line: usize,
    name: String,
    value: String,
}

/// Why an input stopped being read.
enum Stop {
    /// The input could not be read: reported, and the next input is read.
    Read(io::Error),
    /// The output could not be written: nothing more can be done.
    Write(io::Error),
}

/// Formats one field; counts it in `failed` when it fails.
fn emit(
    label: &str,
    field: &Pending,
    options: &Options,
    buf: &mut Vec<u8>,
    out: &mut dyn Write,
    failed: &mut usize,
) -> Result<(), Stop> {
    let (name, value) = (field.name.as_str(), field.value.as_str());
    let result = match format_header(name, value, options, buf) {
        Err(Error::BufferTooSmall { needed }) => {
            buf.resize(needed, 0);
            format_header(name, value, options, buf)
        }
        other => other,
    };
    match result {
        Ok(len) => out
            .write_all(buf.get(..len).unwrap_or_default())
            .map_err(Stop::Write),
        Err(e) => {
            eprintln!("{label}:{}: {name}: {e}", field.line);
            *failed += 1;
            Ok(())
        }
    }
}

/// Formats every field of one input, counting the fields that failed in `failed` (also
/// those before a read error).
fn run(
    label: &str,
    input: &mut dyn BufRead,
    options: &Options,
    out: &mut dyn Write,
    failed: &mut usize,
) -> Result<(), Stop> {
    let mut buf = vec![0u8; 4096];
    let mut raw = Vec::new();
    let mut pending: Option<Pending> = None;
    // The field being read failed already (a line of it is not UTF-8): its continuation
    // lines are part of it and go with it, never onto the field before it.
    let mut skipping = false;
    let mut n = 0;
    loop {
        raw.clear();
        if input.read_until(b'\n', &mut raw).map_err(Stop::Read)? == 0 {
            break;
        }
        n += 1;
        let bytes = raw.strip_suffix(b"\n").unwrap_or(&raw);
        let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        // A byte order mark (files saved by some Windows editors) is not part of the first
        // field's name.
        let bytes = match bytes.strip_prefix("\u{feff}".as_bytes()) {
            Some(rest) if n == 1 => rest,
            _ => bytes,
        };
        let continuation = bytes.first().is_some_and(|b| *b == b' ' || *b == b'\t')
            && !bytes.iter().all(|b| b.is_ascii_whitespace());
        if !continuation {
            // The field before this line is complete.
            if let Some(field) = pending.take() {
                emit(label, &field, options, &mut buf, out, failed)?;
            }
            skipping = false;
            // A comment is skipped whatever its bytes (a Latin-1 comment in an old file).
            if bytes.first() == Some(&b'#') {
                continue;
            }
        }
        // Bytes that are not UTF-8 spoil only the field they belong to, as the C API's
        // MAILFOLD_INVALID_UTF8 does for one field, not the rest of the input.
        let Ok(line) = std::str::from_utf8(bytes) else {
            if !skipping {
                eprintln!("{label}:{n}: the line is not UTF-8");
                *failed += 1;
            }
            pending = None;
            skipping = true;
            continue;
        };
        if continuation {
            match pending.as_mut() {
                Some(field) => {
                    field.value.push_str("\r\n");
                    field.value.push_str(line);
                }
                None if skipping => {}
                None => {
                    eprintln!("{label}:{n}: a continuation line without a field before it");
                    *failed += 1;
                    skipping = true;
                }
            }
            continue;
        }
        if line.trim().is_empty() {
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            eprintln!("{label}:{n}: no `:` after the field name");
            *failed += 1;
            skipping = true;
            continue;
        };
        let value = value.strip_prefix(' ').unwrap_or(value);
        pending = Some(Pending {
            line: n,
            name: name.to_string(),
            value: value.to_string(),
        });
    }
    if let Some(field) = pending.take() {
        emit(label, &field, options, &mut buf, out, failed)?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (options, files) = match parse_args(&args) {
        Ok(Parsed::Run(options, files)) => (options, files),
        // `print!` would panic on a closed pipe (`mailfold --help | head -1`).
        Ok(Parsed::Help) => return print_and_exit(USAGE),
        Ok(Parsed::Version) => {
            return print_and_exit(&format!("mailfold {}\n", env!("CARGO_PKG_VERSION")))
        }
        Err(msg) => {
            eprintln!("mailfold: {msg}");
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut failed = 0;
    let mut unreadable = false;
    for file in &files {
        let result = if file == "-" {
            run(
                "<stdin>",
                &mut io::stdin().lock(),
                &options,
                &mut out,
                &mut failed,
            )
        } else {
            std::fs::File::open(file).map_err(Stop::Read).and_then(|f| {
                run(
                    file,
                    &mut io::BufReader::new(f),
                    &options,
                    &mut out,
                    &mut failed,
                )
            })
        };
        match result {
            Ok(()) => {}
            // Like `cat`, a file that cannot be read does not stop the others.
            Err(Stop::Read(e)) => {
                eprintln!("mailfold: {file}: {e}");
                unreadable = true;
            }
            Err(Stop::Write(e)) if e.kind() == io::ErrorKind::BrokenPipe => {
                return field_status(unreadable, failed)
            }
            Err(Stop::Write(e)) => {
                eprintln!("mailfold: writing the output: {e}");
                return ExitCode::from(2);
            }
        }
    }
    match out.flush() {
        Ok(()) => field_status(unreadable, failed),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => field_status(unreadable, failed),
        Err(e) => {
            eprintln!("mailfold: writing the output: {e}");
            ExitCode::from(2)
        }
    }
}

/// Writes `text` to standard output for `--help` and `--version`. A reader that closes the
/// pipe early (`mailfold --help | head -1`) is not an error; any other write error is status 2.
fn print_and_exit(text: &str) -> ExitCode {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mailfold: writing the output: {e}");
            ExitCode::from(2)
        }
    }
}

/// The exit status once the inputs are done, or once the output's reader went away. Then
/// only what was read so far counts: a reader leaving is not an I/O error of ours, and the
/// inputs after it are never read.
fn field_status(unreadable: bool, failed: usize) -> ExitCode {
    if unreadable {
        ExitCode::from(2)
    } else if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
