//! Bare-metal panic handler (feature `panic-handler`, `target_os = "none"` only).
//!
//! mailfold is written not to panic, so this exists only to let a firmware link a staticlib
//! without bringing its own handler. It deliberately drops the `PanicInfo`: formatting the
//! message would pull `core::fmt` into flash for a path that should never run.

use core::panic::PanicInfo;

#[panic_handler]
fn panic(_info: &PanicInfo<'_>) -> ! {
    // A permanently undefined instruction faults at once, so a debugger or the firmware's
    // HardFault handler sees the panic instead of a silent hang that only a watchdog catches.
    #[cfg(target_arch = "arm")]
    // SAFETY: `udf` has no operands and touches no memory; it only raises a fault.
    unsafe {
        core::arch::asm!("udf #0", options(noreturn, nomem, nostack));
    }
    #[cfg(not(target_arch = "arm"))]
    loop {
        core::hint::spin_loop();
    }
}
