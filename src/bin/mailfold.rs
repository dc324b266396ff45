//! `mailfold`: reads `Name: value` lines and writes wire-ready folded header fields.

use std::io::{self, BufRead, Write};
use std::process::ExitCode;

use mailfold::{format_header, Encoding, Error, LineEnding, Options};

const USAGE: &str = "\
usage: mailfold [--width N] [--lf] [--utf8] [--encoding auto|q|b] [FILE...]

Reads one header field per line (`Name: value`, UTF-8) from each FILE, or from standard input
when no FILE is given or FILE is `-`, and writes each field folded and encoded for the wire.
A line starting with a space or tab continues the field before it (a fold, as in a header
block copied from a message; values are text, so encoded-words in it stay literal). Blank
lines and lines starting with `#` are skipped. Errors go to standard error as FILE:LINE:
message; the exit status is 1 if any field failed, 2 on usage or I/O errors.

  --width N        soft line limit, 40..=998 (default 78)
  --lf             end lines with LF instead of CRLF
  --utf8           RFC 6532: keep UTF-8 raw where the syntax allows
  --encoding E     RFC 2047 encoding: auto (default), q or b
";

fn parse_args(args: &[String]) -> Result<(Options, Vec<String>), String> {
    let mut options = Options::default();
    let mut files = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        let mut value = || {
            i += 1;
            args.get(i).cloned().ok_or(format!("{arg} needs a value"))
        };
        match arg {
            "--width" => {
                let v = value()?;
                options.max_line_len = v.parse().map_err(|_| format!("bad width: {v}"))?;
            }
            "--lf" => options.line_ending = LineEnding::Lf,
            "--utf8" => options.utf8 = true,
            "--encoding" => {
                options.encoding = match value()?.to_ascii_lowercase().as_str() {
                    "auto" => Encoding::Auto,
                    "q" => Encoding::Q,
                    "b" => Encoding::B,
                    other => return Err(format!("bad encoding: {other}")),
                }
            }
            "-h" | "--help" => return Err(String::new()),
            _ if arg.starts_with("--") => return Err(format!("unknown option {arg}")),
            _ => files.push(arg.to_string()),
        }
        i += 1;
    }
    if files.is_empty() {
        files.push("-".into());
    }
    Ok((options, files))
}

/// One field read so far: the line number it starts on, the name and the value with any
/// continuation lines (each joined by CRLF, which with the line's leading white space is a
/// caller's fold, SPEC §3).
struct Pending {
    line: usize,
    name: String,
    value: String,
}

/// Formats one field; returns whether it failed.
fn emit(
    label: &str,
    field: &Pending,
    options: &Options,
    buf: &mut Vec<u8>,
    out: &mut dyn Write,
) -> io::Result<bool> {
    let (name, value) = (field.name.as_str(), field.value.as_str());
    let result = match format_header(name, value, options, buf) {
        Err(Error::BufferTooSmall { needed }) => {
            buf.resize(needed, 0);
            format_header(name, value, options, buf)
        }
        other => other,
    };
    match result {
        Ok(len) => {
            out.write_all(buf.get(..len).unwrap_or_default())?;
            Ok(false)
        }
        Err(e) => {
            eprintln!("{label}:{}: {name}: {e}", field.line);
            Ok(true)
        }
    }
}

/// Formats every field of one input; returns how many failed.
fn run(
    label: &str,
    input: &mut dyn BufRead,
    options: &Options,
    out: &mut dyn Write,
) -> io::Result<usize> {
    let mut failed = 0;
    let mut buf = vec![0u8; 4096];
    let mut raw = Vec::new();
    let mut pending: Option<Pending> = None;
    let mut n = 0;
    loop {
        raw.clear();
        if input.read_until(b'\n', &mut raw)? == 0 {
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
        // Bytes that are not UTF-8 spoil only their own line (and the field it belongs to),
        // as the C API's MAILFOLD_INVALID_UTF8 does for one field, not the rest of the input.
        let Ok(line) = std::str::from_utf8(bytes) else {
            eprintln!("{label}:{n}: the line is not UTF-8");
            failed += 1;
            if bytes.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
                pending = None;
            }
            continue;
        };
        if line.starts_with([' ', '\t']) && !line.trim().is_empty() {
            match pending.as_mut() {
                Some(field) => {
                    field.value.push_str("\r\n");
                    field.value.push_str(line);
                }
                None => {
                    eprintln!("{label}:{n}: a continuation line without a field before it");
                    failed += 1;
                }
            }
            continue;
        }
        if let Some(field) = pending.take() {
            failed += usize::from(emit(label, &field, options, &mut buf, out)?);
        }
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            eprintln!("{label}:{n}: no `:` after the field name");
            failed += 1;
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
        failed += usize::from(emit(label, &field, options, &mut buf, out)?);
    }
    Ok(failed)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (options, files) = match parse_args(&args) {
        Ok(parsed) => parsed,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("mailfold: {msg}");
            }
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut failed = 0;
    for file in &files {
        let result = if file == "-" {
            run("<stdin>", &mut io::stdin().lock(), &options, &mut out)
        } else {
            std::fs::File::open(file)
                .and_then(|f| run(file, &mut io::BufReader::new(f), &options, &mut out))
        };
        match result {
            Ok(n) => failed += n,
            Err(e) => {
                eprintln!("mailfold: {file}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    if out.flush().is_err() {
        return ExitCode::from(2);
    }
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
