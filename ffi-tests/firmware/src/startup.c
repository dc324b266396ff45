/* Reset vector and start-up for a Cortex-M4F: enable the FPU, copy .data, zero .bss, run
   main(), and hand its return value to the host as QEMU's exit status. */
#include <stdint.h>

#include "semihost.h"

int main(void);

extern uint32_t __stack_top[];
extern uint32_t __data_start[], __data_end[], __data_load[];
extern uint32_t __bss_start[], __bss_end[];

__attribute__((noreturn)) void Reset_Handler(void)
{
    /* CP10/CP11 full access: code built for -mfloat-abi=hard may use the FPU anywhere. */
    volatile uint32_t *cpacr = (volatile uint32_t *)0xE000ED88u;
    *cpacr |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");

    for (uint32_t *s = __data_load, *d = __data_start; d < __data_end;)
        *d++ = *s++;
    for (uint32_t *d = __bss_start; d < __bss_end;)
        *d++ = 0;

    sh_exit(main());
}

/* A panic in the Rust library traps with `udf` (src/panic_handler.rs) and lands here, as
   does any bus or usage fault, so the test fails at once instead of hanging until timeout. */
__attribute__((noreturn)) static void Fault_Handler(void)
{
    sh_flush();
    sh_puts("\nFAULT: exception taken (a Rust panic traps here via udf)\n");
    sh_exit(70);
}

__attribute__((section(".vectors"), used)) static const uintptr_t vectors[16] = {
    (uintptr_t)__stack_top,
    (uintptr_t)Reset_Handler,
    (uintptr_t)Fault_Handler, /* NMI */
    (uintptr_t)Fault_Handler, /* HardFault */
    (uintptr_t)Fault_Handler, /* MemManage */
    (uintptr_t)Fault_Handler, /* BusFault */
    (uintptr_t)Fault_Handler, /* UsageFault */
    0, 0, 0, 0,
    (uintptr_t)Fault_Handler, /* SVCall */
    (uintptr_t)Fault_Handler, /* DebugMonitor */
    0,
    (uintptr_t)Fault_Handler, /* PendSV */
    (uintptr_t)Fault_Handler, /* SysTick */
};
