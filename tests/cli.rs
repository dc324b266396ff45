//! The command-line tool on the shipped sample and on bad input.
#![cfg(feature = "cli")]

use std::io::Write;
use std::process::{Command, Stdio};

fn run(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailfold"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mailfold");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

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
    let (code, _, err) = run(&["--width", "12"], "Subject: x\n");
    assert_eq!(code, 1, "{err}");
    let (code, _, _) = run(&["--bogus"], "");
    assert_eq!(code, 2);
}
