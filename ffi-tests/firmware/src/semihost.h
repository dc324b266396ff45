/* ARM semihosting (QEMU `-semihosting-config enable=on,target=native`): text to the host's
   console and an exit status for the shell. No libc stdio, so it costs the firmware little. */
#ifndef MAILFOLD_FW_SEMIHOST_H
#define MAILFOLD_FW_SEMIHOST_H

#include <stddef.h>
#include <stdint.h>

void sh_puts(const char *s);                /* NUL-terminated */
void sh_write(const char *s, size_t len);   /* any bytes, non-printables as \xHH */
void sh_putu(uint32_t v);
void sh_flush(void);
__attribute__((noreturn)) void sh_exit(int code);

#endif
