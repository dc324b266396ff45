//! The command-line tool on the shipped sample and on bad input.
#![cfg(feature = "cli")]

mod common;

use common::run_cli as run;

#[test]
fn formats_the_shipped_sample() {
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/headers.txt");
    let (code, out, err) = run(&[sample], "");
    assert_eq!(code, 0, "stderr: {err}");
    let input = std::fs::read_to_string(sample).unwrap();
    let fields = input
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .count();
    // Every field starts a line with its name; continuation lines start with white space.
    let starts = out
        .split("\r\n")
        .filter(|l| !l.is_empty() && !l.starts_with([' ', '\t']))
        .count();
    assert_eq!(starts, fields, "{out}");
    assert!(out.ends_with("\r\n"));
    assert!(out.contains(
        "\r\nMessage-ID: <154810422972.4.16142961424846318784@aaf39fce-569e-473a-9453-6862595bd8da.prvt.dyno.rt.heroku.com>\r\n"
    ));
    for line in out.split("\r\n") {
        assert!(line.is_ascii() && line.len() <= 998, "{line:?}");
    }
}

#[test]
fn options_and_errors() {
    let (code, out, _) = run(
        &["--lf", "--width", "40", "--utf8"],
        "Subject: Grüße aus Köln, mit vielen Grüßen an alle\n",
    );
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "Subject: Grüße aus Köln, mit vielen\n Grüßen an alle\n"
    );
    let (code, out, err) = run(
        &[],
        "Subject: ok\nbroken line\nMessage-ID: <a b@c>\nX-A: fine\n",
    );
    assert_eq!(code, 1);
    assert_eq!(out, "Subject: ok\r\nX-A: fine\r\n");
    assert!(err.contains("<stdin>:2:"), "{err}");
    assert!(
        err.contains("<stdin>:3: Message-ID: invalid msg-id at byte 2"),
        "{err}"
    );
    // A width outside the usage's 40..=998 is a usage error (status 2), whether or not
    // there are fields to format; 40 and 998 themselves are accepted.
    for bad in ["12", "39", "999"] {
        let (code, _, err) = run(&["--width", bad], "Subject: x\n");
        assert_eq!(code, 2, "{bad}: {err}");
        assert!(err.contains("bad width"), "{bad}: {err}");
        let (code, _, err) = run(&[&format!("--width={bad}")], "");
        assert_eq!(code, 2, "{bad}: {err}");
    }
    for good in ["40", "998"] {
        let (code, out, err) = run(&["--width", good], "Subject: x\n");
        assert_eq!((code, out.as_str()), (0, "Subject: x\r\n"), "{good}: {err}");
    }
    let (code, _, _) = run(&["--bogus"], "");
    assert_eq!(code, 2);
}

/// The usage promises `FILE:LINE: message` per failed field and exit 1, 2 only on usage or
/// I/O errors. One line that is not UTF-8 (a Latin-1 subject in an old file) made the tool
/// stop with `mailfold: -: stream did not contain valid UTF-8`, exit 2, and drop every
/// field after it. Expected: that line reported with its number, the rest formatted.
#[test]
fn a_line_that_is_not_utf8_fails_alone() {
    let (code, out, err) = run(&[], b"Subject: before\nSubject: caf\xe9\nSubject: after\n");
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, "Subject: before\r\nSubject: after\r\n");
    assert!(err.contains("<stdin>:2:"), "{err}");
}

/// A file saved with a UTF-8 byte order mark: the mark is not part of the first name
/// (it gave `invalid header field name` for a plain `Subject`).
#[test]
fn a_byte_order_mark_is_not_part_of_the_first_name() {
    let (code, out, err) = run(&[], "\u{feff}Subject: bom\nX-B: \u{feff}kept\n".as_bytes());
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "Subject: bom\r\nX-B: =?utf-8?b?77u/a2VwdA==?=\r\n");
}

/// A header block copied from a message is folded: a line starting with SP/HTAB continues
/// the field before it (RFC 5322 §2.2.3; SPEC §3 treats such a break in a value as the
/// caller's fold). Each continuation line was an error (`no ':' after the field name`)
/// and its field was formatted without it.
#[test]
fn folded_fields_are_read_whole() {
    let (code, out, err) = run(
        &[],
        b"Subject: a\n  b\n\tc\r\nReferences: <a@example.org>\r\n <b@example.org>\nX-A: y\n",
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "Subject: a  b\tc\r\nReferences: <a@example.org> <b@example.org>\r\nX-A: y\r\n"
    );
    // Errors name the line the field starts on; a continuation with nothing to continue
    // is an error of its own.
    let (code, out, err) = run(&[], b" orphan\nMessage-ID: <a@b>\n <c@d>\nX-B: z\n");
    assert_eq!(code, 1);
    assert_eq!(out, "X-B: z\r\n");
    assert!(err.contains("<stdin>:1:"), "{err}");
    assert!(err.contains("<stdin>:2: Message-ID:"), "{err}");
}

/// A reader that stops early (`mailfold FILE | head`) ends the tool quietly: no "Broken
/// pipe" message and no I/O error status, only the status of the fields read so far. The
/// tool used to print the error and exit 2, and `--help | head -1` could panic in `print!`.
#[test]
fn a_reader_that_leaves_early_is_not_an_error() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};
    // Far more output than a pipe buffers, so the tool is still writing when the reader
    // goes; the first field fails, so the status to expect is 1.
    let mut input = String::from("Subject: bad\0\n");
    for i in 0..100_000 {
        input.push_str(&format!(
            "Subject: a line of output that the reader never reads {i}\n"
        ));
    }
    let path =
        std::env::temp_dir().join(format!("mailfold-early-reader-{}.txt", std::process::id()));
    std::fs::write(&path, &input).unwrap();
    for (args, status) in [(vec![path.to_str().unwrap()], 1), (vec!["--help"], 0)] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mailfold"))
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        // The reader is dropped here: its end of the pipe closes.
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!first.is_empty(), "{args:?}");
        assert_eq!(out.status.code(), Some(status), "{args:?}: {err}");
        assert!(
            !err.contains("pipe") && !err.contains("panicked"),
            "{args:?}: {err}"
        );
    }
    std::fs::remove_file(&path).unwrap();
    // Writing fails for other reasons as before: status 2 with the error.
    if let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") {
        let out = Command::new(env!("CARGO_BIN_EXE_mailfold"))
            .stdin(Stdio::piped())
            .stdout(full)
            .stderr(Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                child.stdin.take().unwrap().write_all(b"Subject: x\n")?;
                child.wait_with_output()
            })
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("writing the output"));
    }
}
