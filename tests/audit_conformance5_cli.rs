//! Conformance audit, round 5: the `mailfold` command-line tool.
//!
//! Expectations come from the tool's own usage text (README "Set up and run", `mailfold
//! --help`), RFC 5322 §2.2.3 (unfolding) and the POSIX utility syntax guidelines, never from
//! running the tool.
#![cfg(feature = "cli")]

mod common;

use common::run_cli as run;

/// A file of this test's own, removed when the test ends.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new(tag: &str, contents: &[u8]) -> Self {
        let path =
            std::env::temp_dir().join(format!("mailfold-audit5-{}-{tag}.txt", std::process::id()));
        std::fs::write(&path, contents).unwrap();
        TempFile(path)
    }
    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Usage: "Reads one header field per line ... from each FILE"; "the exit status is ... 2 on
/// usage or I/O errors". A file that cannot be opened stopped the tool there: the files
/// after it were never read (`mailfold missing.txt good.txt` printed nothing). As `cat`
/// does (POSIX cat: "If an error occurs ... cat shall ... continue processing"), the
/// unreadable file is reported and every other file is still formatted; the status is 2.
#[test]
fn an_unreadable_file_does_not_stop_the_others() {
    let good = TempFile::new("good", b"Subject: second file\n");
    let missing = std::env::temp_dir().join("mailfold-audit5-no-such-file.txt");
    let missing = missing.to_str().unwrap();
    let (code, out, err) = run(&[missing, good.path()], b"");
    assert_eq!(code, 2, "{err}");
    assert_eq!(out, "Subject: second file\r\n");
    assert!(err.contains(missing), "{err}");
    // Fields that failed before the I/O error still count: 2 wins over 1, and both are
    // reported.
    let bad = TempFile::new("bad", b"Message-ID: <a b@c>\nX-A: ok\n");
    let (code, out, err) = run(&[bad.path(), missing], b"");
    assert_eq!(code, 2, "{err}");
    assert_eq!(out, "X-A: ok\r\n");
    assert!(err.contains(":1: Message-ID:"), "{err}");
}

/// RFC 5322 §2.2.3: "Unfolding is accomplished by simply removing any CRLF that is
/// immediately followed by WSP": a continuation line belongs to the field it follows. When
/// that field's first line was not UTF-8 (so the field failed), its continuation line was
/// appended to the field before it instead: `Subject: a` came out as `Subject: a more`.
#[test]
fn the_continuation_of_a_failed_field_goes_with_it() {
    let (code, out, err) = run(&[], b"Subject: a\nX-B: caf\xe9\n more\nX-C: c\n");
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, "Subject: a\r\nX-C: c\r\n");
    assert!(err.contains("<stdin>:2:"), "{err}");
    // A field with a bad continuation line fails once: the lines after it that continue the
    // same field are not orphans ("a continuation line without a field before it").
    let (code, out, err) = run(&[], b"Subject: a\n b\xe9\n c\nX-C: c\n");
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, "X-C: c\r\n");
    assert_eq!(err.lines().count(), 1, "{err}");
    // The same for a line without a `:`: its continuation lines are part of it.
    let (code, out, err) = run(&[], b"broken line\n more of it\nX-C: c\n");
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, "X-C: c\r\n");
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// Usage: "Blank lines and lines starting with `#` are skipped." A Latin-1 comment in an old
/// file was an error ("the line is not UTF-8", status 1) although it is skipped text.
#[test]
fn a_comment_is_skipped_whatever_its_bytes() {
    let (code, out, err) = run(&[], b"# r\xe9sum\xe9 fields\nSubject: x\n");
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "Subject: x\r\n");
}

/// POSIX Utility Syntax Guideline 10: "The first -- argument that is not an option-argument
/// should be accepted as a delimiter indicating the end of options. Any following arguments
/// should be treated as operands, even if they begin with the '-' character." `--` was an
/// unknown option (status 2). GNU `getopt_long` long options also take `--name=value`,
/// which the usage now lists; `--width=40` was an unknown option.
#[test]
fn long_options_with_equals_and_the_end_of_options() {
    let input =
        b"Subject: Gr\xc3\xbc\xc3\x9fe aus K\xc3\xb6ln, mit vielen Gr\xc3\xbc\xc3\x9fen an alle\n";
    let (code, spaced, err) = run(&["--width", "40", "--encoding", "q"], input);
    assert_eq!(code, 0, "{err}");
    let (code, joined, err) = run(&["--width=40", "--encoding=q"], input);
    assert_eq!(code, 0, "{err}");
    assert_eq!(joined, spaced);
    assert!(
        joined.contains("?q?") && !joined.contains("?b?"),
        "{joined}"
    );
    // Every line within 40 columns (SPEC §3).
    assert!(joined.split("\r\n").all(|l| l.len() <= 40), "{joined}");
    // After `--`, `-` is still standard input and names starting with `-` are files.
    let (code, out, err) = run(&["--", "-"], b"Subject: x\n");
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "Subject: x\r\n");
    let (code, _, err) = run(&["--", "--lf"], b"Subject: x\n");
    assert_eq!(
        code, 2,
        "--lf after -- is a file that does not exist: {err}"
    );
    // A flag given a value is a usage error, not a silently ignored value.
    let (code, _, err) = run(&["--lf=no"], b"Subject: x\n");
    assert_eq!(code, 2, "{err}");
}

/// Input forms the usage describes, which already worked: CRLF and LF line ends read the
/// same (folds included), an empty input and one of only comments and blank lines write
/// nothing and succeed, and a last line without a line end is read.
#[test]
fn crlf_and_lf_input_and_empty_input() {
    let lf = run(
        &[],
        b"Subject: a\n b\nTo: x@example.org,\n\ty@example.org\nX-Z: z",
    );
    let crlf = run(
        &[],
        b"Subject: a\r\n b\r\nTo: x@example.org,\r\n\ty@example.org\r\nX-Z: z",
    );
    assert_eq!(lf.0, 0, "{}", lf.2);
    assert_eq!(lf, crlf);
    assert_eq!(
        lf.1,
        "Subject: a b\r\nTo: x@example.org, y@example.org\r\nX-Z: z\r\n"
    );
    assert_eq!(run(&[], b""), (0, String::new(), String::new()));
    assert_eq!(
        run(&[], b"# only a comment\r\n\r\n   \n"),
        (0, String::new(), String::new())
    );
}

/// GNU coding standards §4.8.2: "--help ... should output brief documentation for how to
/// invoke the program, on standard output, then exit successfully"; §4.8.1: "--version ...
/// should print ... the program's name and version ... on standard output ... then exit
/// successfully". `--help` printed the usage on standard error with status 2 (a usage
/// error), and `--version` was an unknown option. Usage errors keep status 2 and stderr.
#[test]
fn help_and_version_go_to_standard_output_and_succeed() {
    for flag in ["--help", "-h"] {
        let (code, out, err) = run(&[flag], b"");
        assert_eq!(code, 0, "{flag}: {err}");
        assert!(out.starts_with("usage: mailfold"), "{flag}: {out:?}");
        assert!(out.contains("--width"), "{out}");
        assert_eq!(err, "", "{flag}");
    }
    let (code, out, err) = run(&["--version"], b"");
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, format!("mailfold {}\n", env!("CARGO_PKG_VERSION")));
    let (code, out, err) = run(&["--bogus"], b"");
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(
        err.contains("unknown option --bogus") && err.contains("usage:"),
        "{err}"
    );
}
