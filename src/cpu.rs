//! Run-time CPU feature detection for the x86_64 fast paths, without `std`.
//!
//! The portable build targets baseline x86_64 (SSE2). Wider scans (AVX2) are chosen at run
//! time, like `memchr` does: `cpuid` once, the answer cached in an atomic. The cache holds an
//! immutable fact about the machine, so it does not make any function less reentrant; two
//! threads racing on the first call both compute the same answer.
//!
//! The AVX2 paths also use the bit-manipulation instructions every AVX2 CPU has (BMI1, BMI2,
//! LZCNT and POPCNT: `tzcnt`, `blsr`, `andn`, `shlx`, `lzcnt`), which the baseline lacks; the
//! check requires all of them, so it states that fact instead of assuming it.
//!
//! Built with `-C target-feature=+avx2,+bmi1,+bmi2,+lzcnt,+popcnt` the check is a constant;
//! under Miri (no `cpuid`) the answer is false. Tests call the SSE2 and AVX2 versions of a scan directly, so both are
//! checked against the byte-wise reference on a machine that has AVX2.

// Until the first fast path uses it.
#![allow(dead_code)]

#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
use core::sync::atomic::{AtomicU8, Ordering};

#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
const UNKNOWN: u8 = 0;
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
const NO: u8 = 1;
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
const YES: u8 = 2;

/// Whether the build itself assumes every feature [`avx2`] asks for.
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
const BUILT_IN: bool = cfg!(all(
    target_feature = "avx2",
    target_feature = "bmi1",
    target_feature = "bmi2",
    target_feature = "lzcnt",
    target_feature = "popcnt"
));

#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
static AVX2: AtomicU8 = AtomicU8::new(UNKNOWN);

/// True when the CPU (and the operating system, which must save the YMM registers) supports
/// AVX2, BMI1, BMI2, LZCNT and POPCNT, so `#[target_feature(enable =
/// "avx2,bmi1,bmi2,lzcnt,popcnt")]` functions may be called.
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
#[inline]
pub(crate) fn avx2() -> bool {
    #[cfg(test)]
    if PORTABLE.with(core::cell::Cell::get) {
        return false;
    }
    if BUILT_IN {
        return true;
    }
    // YES first: every field asks, and on the machines the fast paths are for the answer
    // is YES, so the usual case is one compare.
    let known = AVX2.load(Ordering::Relaxed);
    if known == YES {
        true
    } else if known == NO {
        false
    } else {
        let yes = detect_avx2();
        AVX2.store(if yes { YES } else { NO }, Ordering::Relaxed);
        yes
    }
}

/// Whether [`avx2`] has already found AVX2 (or the build has it): no detection, so no
/// call, for a caller that has somewhere else to go when it is not known yet (the front
/// part of `raw::field`, which has no register frame to keep its arguments across a call).
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
#[inline(always)]
pub(crate) fn avx2_known() -> bool {
    #[cfg(test)]
    if PORTABLE.with(core::cell::Cell::get) {
        return false;
    }
    BUILT_IN || AVX2.load(Ordering::Relaxed) == YES
}

#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
#[cold]
fn detect_avx2() -> bool {
    if cfg!(miri) {
        return false;
    }
    use core::arch::x86_64::{__cpuid, __cpuid_count, _xgetbv};
    // Leaf 0 reports the highest leaf available.
    let max_leaf = __cpuid(0).eax;
    if max_leaf < 7 {
        return false;
    }
    let leaf1 = __cpuid(1);
    let popcnt = leaf1.ecx & (1 << 23) != 0;
    let osxsave = leaf1.ecx & (1 << 27) != 0;
    let avx = leaf1.ecx & (1 << 28) != 0;
    if !(popcnt && osxsave && avx) {
        return false;
    }
    // SAFETY: OSXSAVE is set, so `xgetbv` is enabled; XCR0 bits 1 and 2 say the OS saves the
    // XMM and YMM state across context switches.
    let xcr0 = unsafe { _xgetbv(0) };
    if xcr0 & 0b110 != 0b110 {
        return false;
    }
    // Leaf 7, sub-leaf 0, EBX: bit 3 BMI1, bit 5 AVX2, bit 8 BMI2.
    let leaf7 = __cpuid_count(7, 0);
    let wanted = (1 << 3) | (1 << 5) | (1 << 8);
    if leaf7.ebx & wanted != wanted {
        return false;
    }
    // Extended leaf 0x8000_0001, ECX bit 5: LZCNT (AMD's ABM).
    if __cpuid(0x8000_0000).eax < 0x8000_0001 {
        return false;
    }
    __cpuid(0x8000_0001).ecx & (1 << 5) != 0
}

#[cfg(all(test, target_arch = "x86_64", not(target_os = "none")))]
std::thread_local! {
    /// Set by [`without_avx2`]: [`avx2`] answers no on this thread.
    static PORTABLE: core::cell::Cell<bool> = const { core::cell::Cell::new(false) };
}

/// Runs `f` with [`avx2`] answering no on this thread (tests only), so a unit test reaches
/// the baseline instance of every fast path that dispatches on it: on an AVX2 machine those
/// instances would otherwise never run under test. A thread-local switch, not the cached
/// answer, so tests running in parallel keep their AVX2 paths.
#[cfg(all(test, target_arch = "x86_64", not(target_os = "none")))]
pub(crate) fn without_avx2<R>(f: impl FnOnce() -> R) -> R {
    struct Restore;
    impl Drop for Restore {
        fn drop(&mut self) {
            PORTABLE.with(|p| p.set(false));
        }
    }
    PORTABLE.with(|p| p.set(true));
    let _restore = Restore;
    f()
}

#[cfg(all(test, target_arch = "x86_64", not(target_os = "none")))]
mod tests {
    #[test]
    fn detection_is_stable() {
        let first = super::avx2();
        assert_eq!(super::avx2(), first);
        assert_eq!(super::detect_avx2() || super::BUILT_IN, first);
    }

    /// The AVX2 tests of every fast path return early when the check says no, so a check
    /// that wrongly said no would let them all pass untested: it must agree with std's.
    #[test]
    #[cfg(not(miri))]
    fn detection_agrees_with_std() {
        let std_says = std::is_x86_feature_detected!("avx2")
            && std::is_x86_feature_detected!("bmi1")
            && std::is_x86_feature_detected!("bmi2")
            && std::is_x86_feature_detected!("lzcnt")
            && std::is_x86_feature_detected!("popcnt");
        assert_eq!(super::avx2(), std_says);
    }

    use crate::{format_header, format_mailboxes, Encoding, Error, Mailbox, Options};
    use std::{string::String, vec, vec::Vec};

    /// Field names of every class, with the words their values are built from: plain and
    /// non-ASCII words (4-byte UTF-8, combining marks, RTL, ZWJ sequences), `=?`, the bytes Q
    /// escapes, Unicode line breaks, long tokens, caller folds; mailboxes with quoted,
    /// non-ASCII and long display names; ids short and long, and bad ones.
    const FIELDS: &[(&[&str], &[&str], &[&str])] = &[
        (
            &[
                "Subject",
                "Comments",
                "X-A-Rather-Long-Custom-Header-Name-Here",
            ],
            &[
                "hello",
                "re-run",
                "Grüße",
                "Köln",
                "日本語のテキスト",
                "Привет",
                "😀",
                "👨\u{200d}👩\u{200d}👧",
                "e\u{301}e\u{301}",
                "שלום",
                "=?utf-8?q?x?=",
                "a=b",
                "x_y",
                "why?",
                "\u{2028}",
                "\u{85}",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "éééééééééééééééééééééééééééééééééé",
                "PDF",
                "ü_x",
                "é=?",
                "ö?x=y",
                "naïve_a=b?c",
            ],
            &[" ", " ", " ", "\t", "  ", "\r\n "],
        ),
        (
            &["From", "To", "Cc", "Reply-To"],
            &[
                "jd@example.com",
                "John Doe <jd@example.com>",
                "\"Doe, John\" <jd@example.com>",
                "Zoë Ärger <zoe@example.org>",
                "=?utf-8?q?x?= <a@b.example>",
                "José Müller-Lüdenscheidt von Oberhausen-Rheinhausen <jose@example.com>",
                "<bare@example.com>",
                "a.b.c@sub.domain.example",
                "日本語 名前 <jp@example.jp>",
                "Group: a@b.example, d@e.example;",
                "bad@@x",
                "x@[192.0.2.1]",
            ],
            &[", ", ",", " , ", ",\r\n "],
        ),
        (
            &[
                "Message-ID",
                "In-Reply-To",
                "References",
                "Content-ID",
                "Resent-Message-ID",
            ],
            &[
                "<a.b@c.example>",
                "<1548.4.161@aaf39fce-569e-473a-9453-6862595bd8da.prvt.dyno.rt.heroku.com>",
                "<CANyAocO5EUuqLL4g6uxgQc2xx-134BNBQUnrYqkI@mail.gmail.com>",
                "<x@[192.0.2.1]>",
                "<bad id@x>",
                "<a@b>",
                "<\"q\"@x.example>",
                "<a..b@c>",
            ],
            &[" ", " ", "  ", "\r\n ", ""],
        ),
    ];

    const MAILBOXES: &[(Option<&str>, &str)] = &[
        (None, "jd@example.com"),
        (Some("John Doe"), "jd@example.com"),
        (Some("Doe, John <boss@evil.example>"), "jd@example.com"),
        (Some("Zoë Ärger"), "zoe@example.org"),
        (
            Some("José Müller-Lüdenscheidt von Oberhausen-Rheinhausen"),
            "jose@example.com",
        ),
        (Some("日本語 名前 テスト"), "jp@example.jp"),
        (Some("=?utf-8?q?x?="), "a@b.example"),
        (Some(""), "\"quoted local\"@example.com"),
        (Some("x"), "bad@@x"),
    ];

    /// What a call gives: its error, or the whole buffer (so bytes written past the output,
    /// within the buffer, differ too).
    fn outcome(
        call: impl Fn(&mut [u8]) -> Result<usize, Error>,
        cap: usize,
    ) -> Result<Vec<u8>, Error> {
        let mut buf = vec![0xA5u8; cap];
        let result = call(&mut buf);
        result.map(|_| buf)
    }

    /// A call with AVX2 and without (the baseline instances), at a buffer of the size the
    /// field needs, one byte less and a large one: the same result every time.
    fn same_without_avx2(call: impl Fn(&mut [u8]) -> Result<usize, Error> + Copy, what: &str) {
        let needed = match call(&mut []) {
            Err(Error::BufferTooSmall { needed }) => needed,
            other => {
                assert_eq!(super::without_avx2(|| call(&mut [])), other, "{what}");
                return;
            }
        };
        for cap in [needed, needed - 1, needed + 300] {
            let fast = outcome(call, cap);
            let baseline = super::without_avx2(|| outcome(call, cap));
            assert_eq!(
                fast.as_ref()
                    .map(|b| String::from_utf8_lossy(b).into_owned()),
                baseline
                    .as_ref()
                    .map(|b| String::from_utf8_lossy(b).into_owned()),
                "{what}, buffer {cap}"
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1500))]

        /// Every fast path's AVX2 instance and its baseline instance (the one other x86_64
        /// CPUs run) format every class alike, byte for byte and error for error.
        #[test]
        fn every_class_formats_alike_without_avx2(
            class in 0..FIELDS.len(),
            name in 0usize..8,
            words in proptest::collection::vec((0usize..64, 0usize..8), 0..32),
            utf8: bool,
            encoding in 0usize..3,
            width in proptest::sample::select(vec![40usize, 41, 76, 77, 78, 100, 998]),
            lf: bool,
            boxes in proptest::collection::vec(0..MAILBOXES.len(), 0..8),
        ) {
            if !crate::test_util::avx2_or_skip() {
                return Ok(());
            }
            let (names, vocabulary, separators) = FIELDS[class];
            let mut value = String::new();
            for (i, &(w, s)) in words.iter().enumerate() {
                if i > 0 {
                    value.push_str(separators[s % separators.len()]);
                }
                value.push_str(vocabulary[w % vocabulary.len()]);
            }
            let encoding = [Encoding::Auto, Encoding::Q, Encoding::B][encoding];
            let options: Options = crate::test_util::options(utf8, encoding, width, lf);
            let name = names[name % names.len()];
            same_without_avx2(
                |out| format_header(name, &value, &options, out),
                &std::format!("{name}: {value:?} {options:?}"),
            );
            let list: Vec<Mailbox<'_>> = boxes
                .iter()
                .map(|&i| Mailbox { display_name: MAILBOXES[i].0, addr_spec: MAILBOXES[i].1 })
                .collect();
            same_without_avx2(
                |out| format_mailboxes("To", &list, &options, out),
                &std::format!("{list:?} {options:?}"),
            );
        }
    }
}
