#include "semihost.h"

enum {
    SYS_WRITE0 = 0x04,
    SYS_EXIT = 0x18,
    SYS_EXIT_EXTENDED = 0x20,
    ADP_STOPPED_APPLICATION_EXIT = 0x20026,
    ADP_STOPPED_RUN_TIME_ERROR_UNKNOWN = 0x20023,
};

static uintptr_t sh_call(uintptr_t op, uintptr_t arg)
{
    register uintptr_t r0 __asm__("r0") = op;
    register uintptr_t r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

/* Output is gathered into lines: each semihosting call is a trap into QEMU. */
static char line[128];
static size_t line_len;

void sh_flush(void)
{
    if (line_len == 0)
        return;
    line[line_len] = '\0';
    sh_call(SYS_WRITE0, (uintptr_t)line);
    line_len = 0;
}

static void put(char c)
{
    line[line_len++] = c;
    if (c == '\n' || line_len == sizeof line - 1)
        sh_flush();
}

void sh_puts(const char *s)
{
    while (*s)
        put(*s++);
}

void sh_write(const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            put((char)c);
        } else {
            put('\\');
            put('x');
            put(hex[c >> 4]);
            put(hex[c & 15]);
        }
    }
}

void sh_putu(uint32_t v)
{
    char d[10];
    int n = 0;
    do {
        d[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        put(d[--n]);
}

void sh_exit(int code)
{
    sh_flush();
    /* SYS_EXIT_EXTENDED carries the code to QEMU's exit status; plain SYS_EXIT on 32-bit
       ARM only tells success from failure, so it is the fallback. */
    uintptr_t block[2] = { ADP_STOPPED_APPLICATION_EXIT, (uintptr_t)code };
    sh_call(SYS_EXIT_EXTENDED, (uintptr_t)block);
    sh_call(SYS_EXIT, code == 0 ? ADP_STOPPED_APPLICATION_EXIT : ADP_STOPPED_RUN_TIME_ERROR_UNKNOWN);
    for (;;) {
    }
}
