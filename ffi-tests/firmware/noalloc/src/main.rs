//! A bare-metal Cortex-M4 program with no global allocator that formats header fields with
//! mailfold. That it links at all proves mailfold's default build needs no heap; running it
//! under QEMU (semihosting) shows the calls work there too.
//!
//! Deliberately dependency-free apart from mailfold: a hand-written vector table and
//! semihosting, so nothing else can bring an allocator or a panic path of its own.
#![no_std]
#![no_main]

use core::arch::asm;
use mailfold::{format_date, format_header, make_msg_id, Error, Options};

const SYS_WRITE0: usize = 0x04;
const SYS_EXIT_EXTENDED: usize = 0x20;
const ADP_STOPPED_APPLICATION_EXIT: usize = 0x2_0026;

/// One ARM semihosting call (`bkpt 0xab`); QEMU runs it when started with
/// `-semihosting-config enable=on`.
fn semihost(op: usize, arg: usize) -> usize {
    let ret;
    // SAFETY: the semihosting calls used here only read the memory `arg` points to, which
    // the callers keep alive across the call.
    unsafe { asm!("bkpt #0xab", inout("r0") op => ret, in("r1") arg, options(nostack)) };
    ret
}

/// Prints a NUL-terminated message on the host's stdout.
fn print(msg: &[u8]) {
    debug_assert_eq!(msg.last(), Some(&0));
    semihost(SYS_WRITE0, msg.as_ptr() as usize);
}

/// Ends QEMU with `code` as its exit status (SYS_EXIT_EXTENDED passes the code through;
/// plain SYS_EXIT on 32-bit ARM cannot).
fn exit(code: usize) -> ! {
    let block = [ADP_STOPPED_APPLICATION_EXIT, code];
    semihost(SYS_EXIT_EXTENDED, block.as_ptr() as usize);
    loop {
        core::hint::spin_loop();
    }
}

const SEED_ID: &str = "<154810422972.4.16142961424846318784@aaf39fce-569e-473a-9453-6862595bd8da.prvt.dyno.rt.heroku.com>";

fn run() -> Result<(), &'static [u8]> {
    let options = Options::default();
    let mut out = [0u8; 512];

    // SPEC §5: the seed Message-ID comes out as exactly one unfolded line.
    let n = format_header("Message-ID", SEED_ID, &options, &mut out)
        .map_err(|_| b"seed Message-ID: error\n\0".as_slice())?;
    let line = &out[..n];
    let ok = line.len() == 12 + SEED_ID.len() + 2
        && line.starts_with(b"Message-ID: ")
        && &line[12..12 + SEED_ID.len()] == SEED_ID.as_bytes()
        && line.ends_with(b"\r\n");
    if !ok {
        return Err(b"seed Message-ID: wrong bytes\n\0");
    }
    if format_header("Message-ID", SEED_ID, &options, &mut [])
        != Err(Error::BufferTooSmall { needed: n })
    {
        return Err(b"seed Message-ID: size query\n\0");
    }

    // A header injection attempt is refused at the CR.
    if format_header(
        "Subject",
        "hi\r\nBcc: victim@example.com",
        &options,
        &mut out,
    ) != Err(Error::ControlCharacter { at: 2 })
    {
        return Err(b"injection: not refused\n\0");
    }

    // The other entry points link and run without an allocator too.
    let n = format_date(1_795_916_715, -210, &mut out)
        .map_err(|_| b"format_date: error\n\0".as_slice())?;
    if !out[..n].ends_with(b" -0330") {
        return Err(b"format_date: wrong offset\n\0");
    }
    let n = make_msg_id(&[0x42; 16], "example.com", &mut out)
        .map_err(|_| b"make_msg_id: error\n\0".as_slice())?;
    if !(out[..n].starts_with(b"<") && out[..n].ends_with(b"@example.com>")) {
        return Err(b"make_msg_id: wrong shape\n\0");
    }
    Ok(())
}

#[no_mangle]
extern "C" fn reset() -> ! {
    // SAFETY: CPACR is the architectural coprocessor access register; granting CP10/CP11
    // (the FPU) before any code might use it is what every Cortex-M4F start-up does.
    unsafe {
        let cpacr = 0xE000_ED88 as *mut u32;
        cpacr.write_volatile(cpacr.read_volatile() | (0xF << 20));
        asm!("dsb", "isb", options(nostack, preserves_flags));
    }
    match run() {
        Ok(()) => {
            print(b"noalloc: ok\n\0");
            exit(0)
        }
        Err(msg) => {
            print(b"noalloc: FAIL: \0");
            print(msg);
            exit(1)
        }
    }
}

extern "C" fn fault() -> ! {
    print(b"noalloc: fault\n\0");
    exit(2)
}

/// Exception vectors 1..=15 (the linker script puts the initial stack pointer before them).
#[link_section = ".vectors.exceptions"]
#[used]
#[no_mangle]
static EXCEPTIONS: [extern "C" fn() -> !; 15] = [
    reset, fault, fault, fault, fault, fault, fault, fault, fault, fault, fault, fault, fault,
    fault, fault,
];

/// Kept as its own symbol so a build script can tell whether any panic path survived
/// `--gc-sections` (`nm` finds it only then).
#[inline(never)]
#[no_mangle]
extern "C" fn mailfold_noalloc_panicked() -> ! {
    print(b"noalloc: panic\n\0");
    exit(3)
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    mailfold_noalloc_panicked()
}
