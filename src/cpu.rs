//! Run-time CPU feature detection for the x86_64 fast paths, without `std`.
//!
//! The portable build targets baseline x86_64 (SSE2). Wider scans (AVX2) are chosen at run
//! time, like `memchr` does: `cpuid` once, the answer cached in an atomic. The cache holds an
//! immutable fact about the machine, so it does not make any function less reentrant; two
//! threads racing on the first call both compute the same answer.
//!
//! Built with `-C target-feature=+avx2,+popcnt` the check is a constant; under Miri (no `cpuid`) the
//! answer is false. Tests call the SSE2 and AVX2 versions of a scan directly, so both are
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

#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
static AVX2: AtomicU8 = AtomicU8::new(UNKNOWN);

/// True when the CPU (and the operating system, which must save the YMM registers) supports
/// AVX2 and POPCNT, so `#[target_feature(enable = "avx2")]` and `"avx2,popcnt"` functions may
/// be called. Every CPU with AVX2 has POPCNT; requiring both keeps that a checked fact rather
/// than an assumption.
#[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
#[inline]
pub(crate) fn avx2() -> bool {
    if cfg!(all(target_feature = "avx2", target_feature = "popcnt")) {
        return true;
    }
    match AVX2.load(Ordering::Relaxed) {
        YES => true,
        NO => false,
        _ => {
            let yes = detect_avx2();
            AVX2.store(if yes { YES } else { NO }, Ordering::Relaxed);
            yes
        }
    }
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
    // Leaf 7, sub-leaf 0, EBX bit 5: AVX2.
    let leaf7 = __cpuid_count(7, 0);
    leaf7.ebx & (1 << 5) != 0
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
        let built_in = cfg!(all(target_feature = "avx2", target_feature = "popcnt"));
        assert_eq!(super::detect_avx2() || built_in, first);
    }
}
