//! Bare-metal panic handler (feature `panic-handler`, `target_os = "none"` only).
//!
//! mailfold has no reachable panics on valid `&str` input; this exists so a firmware that
//! links the static library without its own handler still links.

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {
        core::hint::spin_loop();
    }
}
