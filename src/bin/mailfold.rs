//! `mailfold`: reads `Name: value` lines and writes wire-ready folded header fields.

use std::io::{self, BufRead, Write};
use std::process::ExitCode;

use mailfold::{format_header, Encoding, Error, LineEnding, Options};

const USAGE: &str = "\
usage: mailfold [--width N] [--lf] [--utf8] [--encoding auto|q|b] [FILE...]

Reads one header field per line (`Name: value`, UTF-8) from each FILE, or from standard input
when no FILE is given or FILE is `-`, and writes each field folded and encoded for the wire.
Blank lines and lines starting with `#` are skipped. Errors go to standard error as
FILE:LINE: message; the exit status is 1 if any field failed, 2 on usage or I/O errors.

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

/// Formats every field of one input; returns how many failed.
fn run(
    label: &str,
    input: &mut dyn BufRead,
    options: &Options,
    out: &mut dyn Write,
) -> io::Result<usize> {
    let mut failed = 0;
    let mut buf = vec![0u8; 4096];
    for (n, line) in input.lines().enumerate() {
        let line = line?;
        let line = line.strip_suffix('\r').unwrap_or(&line);
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            eprintln!("{label}:{}: no `:` after the field name", n + 1);
            failed += 1;
            continue;
        };
        let value = value.strip_prefix(' ').unwrap_or(value);
        let result = match format_header(name, value, options, &mut buf) {
            Err(Error::BufferTooSmall { needed }) => {
                buf.resize(needed, 0);
                format_header(name, value, options, &mut buf)
            }
            other => other,
        };
        match result {
            Ok(len) => out.write_all(&buf[..len])?,
            Err(e) => {
                eprintln!("{label}:{}: {name}: {e}", n + 1);
                failed += 1;
            }
        }
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
