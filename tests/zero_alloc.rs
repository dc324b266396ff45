//! Proof that formatting never touches the heap (SPEC §10 "Zero heap allocations"): a counting
//! global allocator wraps the system one, and every public formatting function, on realistic
//! input of every field class, must leave the count of this thread's allocations unchanged.
//!
//! The count is per thread so the test harness's own allocations on other threads (output
//! capture, result reporting) cannot leak into a measurement.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use mailfold::{
    format_date, format_field, format_header, format_mailboxes, make_msg_id, ContentDisposition,
    ContentType, Encoding, Error, FieldClass, LineEnding, Mailbox, Options,
};

struct Counting;

thread_local! {
    // const-initialised and without Drop: reading it never allocates or registers a destructor,
    // so it is safe to touch from inside the allocator.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn bump() {
    // try_with: during thread teardown the slot may be gone; those allocations are not ours.
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; counting
// only touches a thread-local `Cell`, which neither allocates nor unwinds.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        bump();
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        bump();
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        bump();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

/// Runs `f` and returns its result and the number of heap allocations it made on this thread.
fn counted<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = allocations();
    let result = f();
    (result, allocations() - before)
}

/// Formats with `f` into a stack buffer, asserting success, a sane shape and zero allocations;
/// then the size query (empty buffer) and a buffer one byte short must not allocate either.
fn assert_no_alloc(what: &str, f: impl Fn(&mut [u8]) -> Result<usize, Error>) {
    let mut buf = [0u8; 16 * 1024];
    let (result, n) = counted(|| f(&mut buf));
    assert_eq!(n, 0, "{what}: {n} heap allocation(s) while formatting");
    let len = match result {
        Ok(len) => len,
        Err(e) => panic!("{what}: expected success on realistic input, got {e:?}"),
    };
    assert!(len > 0, "{what}: empty output");

    let (query, n) = counted(|| f(&mut []));
    assert_eq!(n, 0, "{what}: {n} heap allocation(s) in the size query");
    assert_eq!(
        query,
        Err(Error::BufferTooSmall { needed: len }),
        "{what}: size query"
    );

    let mut small = [0u8; 16 * 1024];
    let (short, n) = counted(|| f(&mut small[..len - 1]));
    assert_eq!(
        n, 0,
        "{what}: {n} heap allocation(s) with a too-small buffer"
    );
    assert_eq!(
        short,
        Err(Error::BufferTooSmall { needed: len }),
        "{what}: small buffer"
    );
}

fn option_sets() -> Vec<(&'static str, Options)> {
    vec![
        ("default", Options::default()),
        (
            "lf, 40 cols",
            Options::default()
                .with_max_line_len(40)
                .with_line_ending(LineEnding::Lf),
        ),
        ("q", Options::default().with_encoding(Encoding::Q)),
        (
            "b, 998 cols",
            Options::default()
                .with_encoding(Encoding::B)
                .with_max_line_len(998),
        ),
        ("utf8", Options::default().with_utf8(true)),
        (
            "rfc2047 params",
            Options::default().with_rfc2047_params(true),
        ),
    ]
}

const LONG_ASCII: &str = "Quarterly report for the infrastructure team: build times, flaky tests, \
    the migration of the staging database, on-call handover notes and the postmortem of the \
    incident on Friday, with links to every dashboard we looked at while debugging it";
const LONG_UTF8: &str = "Grüße aus Köln – Счёт на оплату за квартал, 会议通知：请查收附件 🎉 \
    and a long tail of plain words so that the encoder has to split encoded-words across lines";
const REFERENCES: &str = "<154810422972.4.16142961424846318784@aaf39fce-569e-473a-9453-6862595bd8da.prvt.dyno.rt.heroku.com> \
    <CAKw3=RkV+abc_def-123@mail.gmail.com> <1234567.89.JavaMail.alice@example.com> \
    <0f1e2d3c4b5a69788796a5b4c3d2e1f0@[192.0.2.1]><x.y.z@example.org>";

#[test]
fn format_header_does_not_allocate_for_any_class() {
    // (name, value): every class reachable through the name (SPEC §2).
    let cases: &[(&str, &str)] = &[
        ("Subject", "Hello world"),
        ("Subject", LONG_ASCII),
        ("Subject", LONG_UTF8),
        ("Subject", "literal =?utf-8?q?not-a-word?= stays text, tab\there, caller fold\r\n next"),
        ("Comments", "Zoë says: x=?y"),
        ("X-Long-Token", "AGHT+IEaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa x"),
        ("Keywords", "mail, Grüße, \"quoted, phrase\", rfc 5322"),
        ("List-Id", "Développeurs Mailfold <dev.mailfold.example.org>"),
        ("Message-ID", "<154810422972.4.16142961424846318784@aaf39fce-569e-473a-9453-6862595bd8da.prvt.dyno.rt.heroku.com>"),
        ("Message-ID", "bare-id@example.com"),
        ("Content-ID", "<part1.abc@example.com>"),
        ("In-Reply-To", "<a@example.com> <b@example.com>"),
        ("References", REFERENCES),
        ("From", "Zoë Ärger <zoe@example.com>"),
        ("To", "\"Doe, John\" <jd@example.com>, Иван Петров <ivan@example.ru>, ops@example.com, \"Bob \\\"Q\\\" Jones\" <bob@example.org>, 山田 太郎 <yamada@example.jp>, Team: a@x.org, b@x.org;, undisclosed-recipients:;"),
        ("Bcc", ""),
        ("Reply-To", "list@example.org"),
        ("Return-Path", "<bounce+1234@example.com>"),
        ("Return-Path", "<>"),
        ("Date", "Thu, 01 Jan 1970 00:00:00 +0000"),
        ("Received", "from mail.example.com (mail.example.com [192.0.2.1]) by mx.example.org (Postfix) with ESMTPS id 4ABC123 for <jd@example.org>; Thu, 01 Jan 1970 00:00:00 +0000"),
        ("DKIM-Signature", "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=sel; h=from:to:subject:date; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=dzdVyOfAKCdLXdJOc9G2q8LoXSlEniSbav+yuU4zGeeruD00lszZVoG4ZHRNiYzR"),
        ("MIME-Version", "1.0"),
        ("Content-Transfer-Encoding", "quoted-printable"),
        ("List-Unsubscribe", "<mailto:unsub@example.org>, <https://example.org/unsub?id=123>"),
        ("Content-Type", "text/plain; charset=utf-8; format=flowed"),
        ("Content-Disposition", "attachment; filename=\"a very long file name that will need RFC 2231 continuations because it is longer than a line.pdf\""),
    ];
    for (label, options) in option_sets() {
        for (name, value) in cases {
            assert_no_alloc(
                &format!("format_header({name}, {value:?}) [{label}]"),
                |out| format_header(name, value, &options, out),
            );
        }
    }
}

#[test]
fn mime_parameters_do_not_allocate() {
    // SPEC §7: RFC 2231 encoding and continuations of non-ASCII and long parameter values,
    // from the text form and from the builders.
    let cases: &[(&str, &str)] = &[
        ("Content-Type", "application/pdf; name=\"Rechnung März 2025.pdf\""),
        ("Content-Disposition", "attachment; filename=\"Отчёт за квартал — окончательная версия, с подписями и печатями.pdf\""),
        ("Content-Disposition", "attachment; filename*=utf-8''Gr%C3%BC%C3%9Fe.txt"),
    ];
    for (label, options) in option_sets() {
        for (name, value) in cases {
            assert_no_alloc(
                &format!("format_header({name}, {value:?}) [{label}]"),
                |out| format_header(name, value, &options, out),
            );
        }
        let ct = ContentType::new("text/plain")
            .param("charset", "utf-8")
            .param("name", "Zoë's notes, final (v2).txt");
        assert_no_alloc(&format!("ContentType::format [{label}]"), |out| {
            ct.format(&options, out)
        });
        let cd = ContentDisposition::attachment().param(
            "filename",
            "山田太郎の報告書・二〇二五年度第三四半期・最終版.pdf",
        );
        assert_no_alloc(&format!("ContentDisposition::format [{label}]"), |out| {
            cd.format(&options, out)
        });
    }
}

#[test]
fn format_field_does_not_allocate_for_any_forced_class() {
    let cases: &[(FieldClass, &str, &str)] = &[
        (FieldClass::Auto, "Subject", LONG_UTF8),
        (FieldClass::Unstructured, "X-Note", LONG_UTF8),
        (
            FieldClass::Unstructured,
            "Message-ID",
            "not an id, just text",
        ),
        (FieldClass::MsgId, "X-Original-Id", REFERENCES),
        (
            FieldClass::Address,
            "X-Approved-By",
            "José Müller <jose@example.com>, b@example.org",
        ),
        (
            FieldClass::ReturnPath,
            "X-Envelope-From",
            "<bounce@example.com>",
        ),
        (
            FieldClass::AsciiStructured,
            "X-Trace",
            "abc; def=1; ghi=\"2\"; a long tail of tokens to fold at white space here and there",
        ),
        (
            FieldClass::Mime,
            "Content-Type",
            "multipart/mixed; boundary=\"----=_Part_0_12345.67890\"",
        ),
        (
            FieldClass::Verbatim,
            "DKIM-Signature",
            "v=1; a=rsa-sha256;\r\n\tb=abc",
        ),
    ];
    for (label, options) in option_sets() {
        for (class, name, value) in cases {
            assert_no_alloc(
                &format!("format_field({name}, {class:?}) [{label}]"),
                |out| format_field(name, *class, value, &options, out),
            );
        }
    }
}

#[test]
fn format_mailboxes_does_not_allocate() {
    let boxes = [
        Mailbox {
            display_name: Some("Doe, John"),
            addr_spec: "jd@example.com",
        },
        Mailbox {
            display_name: Some("Zoë Ärger"),
            addr_spec: "zoe@example.com",
        },
        Mailbox {
            display_name: Some("Bob \"Q\" <evil@x>, extra@y"),
            addr_spec: "bob@example.org",
        },
        Mailbox {
            display_name: Some(
                "山田 太郎 and a long name that has to be split over several encoded-words",
            ),
            addr_spec: "yamada@example.jp",
        },
        Mailbox {
            display_name: None,
            addr_spec: "ops@example.com",
        },
        Mailbox {
            display_name: Some(""),
            addr_spec: "empty-name@example.com",
        },
    ];
    for (label, options) in option_sets() {
        for name in ["To", "Cc", "From", "Reply-To"] {
            assert_no_alloc(&format!("format_mailboxes({name}) [{label}]"), |out| {
                format_mailboxes(name, &boxes, &options, out)
            });
        }
    }
}

#[test]
fn format_date_and_make_msg_id_do_not_allocate() {
    for (secs, offset) in [
        (0, 0),
        (1_795_916_715, -210),
        (951_782_400, 345),
        (253_402_300_799, 0),
    ] {
        assert_no_alloc(&format!("format_date({secs}, {offset})"), |out| {
            format_date(secs, offset, out)
        });
    }
    for domain in [
        "example.com",
        "aaf39fce-569e-473a-9453-6862595bd8da.prvt.dyno.rt.heroku.com",
    ] {
        assert_no_alloc(&format!("make_msg_id({domain})"), |out| {
            make_msg_id(&[0x5a; 16], domain, out)
        });
    }
}

#[test]
fn rejecting_bad_input_does_not_allocate() {
    let options = Options::default();
    let mut buf = [0u8; 1024];
    let bad: &[(&str, &str)] = &[
        ("Subject", "line\r\nInjected: yes"),
        ("Subject", "nul\0byte"),
        ("Message-ID", "<a b@example.com>"),
        ("Message-ID", "<=?utf-8?q?x?=@example.com>"),
        ("To", "Doe, John <jd@example.com>"),
        ("Bad Name", "x"),
        ("Date", "yesterday"),
    ];
    for (name, value) in bad {
        let (result, n) = counted(|| format_header(name, value, &options, &mut buf));
        assert!(
            result.is_err(),
            "{name}: {value:?} should be rejected, got {result:?}"
        );
        assert_eq!(
            n, 0,
            "{name}: {value:?}: {n} allocation(s) on the error path"
        );
    }
    let (result, n) = counted(|| format_date(i64::MAX, 0, &mut buf));
    assert!(result.is_err());
    assert_eq!(n, 0);
    let (result, n) = counted(|| make_msg_id(&[0; 16], "bad domain", &mut buf));
    assert!(result.is_err());
    assert_eq!(n, 0);
}

#[test]
fn the_counter_sees_allocations() {
    // Guards the proof itself: if counting broke, every test above would pass vacuously.
    let (v, n) = counted(|| std::hint::black_box(vec![1u8; 100]));
    assert_eq!(v.len(), 100);
    assert!(n >= 1, "counting allocator did not see a Vec allocation");
}
