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
#[allow(dead_code)]
pub(crate) fn force_portable() {
    AVX2.store(NO, Ordering::Relaxed);
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
}
