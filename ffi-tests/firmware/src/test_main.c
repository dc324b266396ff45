/* Firmware test: replays every case of expected.h through the C ABI of the thumbv7em build
   and compares status, *out_len, *error_at and every output byte with what the host build
   of the same mailfold returned. Also checks that nothing is written at or past out_cap,
   and measures each call's stack depth by painting the free stack first. */
#include <stdint.h>
#include <string.h>

#include "fw_case.h"
#include "expected.h"
#include "semihost.h"

#define GUARD 64
#define FILL 0xA5
#define PAINT 0xC5A5C5A5u

static unsigned char buf[FW_OUT_MAX + GUARD];
static unsigned failures;

extern uint32_t __stack_bottom[];

static inline uintptr_t current_sp(void)
{
    uintptr_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    return sp;
}

/* Everything below this function's frame is free: paint it. Volatile, so the loop is not
   turned into a memset call whose own frame would sit in the painted area. */
__attribute__((noinline)) static void paint_stack(void)
{
    volatile uint32_t *p = __stack_bottom;
    uint32_t *end = (uint32_t *)current_sp();
    while (p < end)
        *p++ = PAINT;
}

/* Bytes of stack used below `ref` since paint_stack(): the lowest word that lost its paint. */
static uint32_t stack_used_below(uintptr_t ref)
{
    const volatile uint32_t *p = __stack_bottom;
    while ((uintptr_t)p < ref && *p == PAINT)
        p++;
    return (uint32_t)(ref - (uintptr_t)p);
}

/* Inlined so the measured depth is the library's alone: outgoing stack arguments live in the
   caller's frame, above the reference stack pointer. */
__attribute__((always_inline)) static inline int32_t call(const struct fw_case *c, char *out, size_t cap, size_t *out_len, size_t *at)
{
    const mailfold_options *o = c->has_options ? &c->options : NULL;
    switch (c->kind) {
    case FW_HEADER:
        return mailfold_format_header(c->name, c->name_len, c->value, c->value_len, o, out, cap,
                                      out_len);
    case FW_FIELD:
        return mailfold_format_field(c->name, c->name_len, c->field_class, c->value,
                                     c->value_len, o, out, cap, out_len, at);
    case FW_MAILBOXES:
        return mailfold_format_mailboxes(c->name, c->name_len, c->boxes, c->n_boxes, o, out, cap,
                                         out_len);
    case FW_DATE:
        return mailfold_format_date(c->unix_seconds, c->utc_offset_minutes, out, cap, out_len);
    case FW_MSG_ID:
        return mailfold_make_msg_id(c->random, c->name, c->name_len, out, cap, out_len);
    }
    return -1000;
}

static void fail(const struct fw_case *c, const char *what)
{
    failures++;
    sh_puts("FAIL ");
    sh_puts(c ? c->label : "");
    sh_puts(": ");
    sh_puts(what);
    sh_puts("\n");
}

static void fail_num(const struct fw_case *c, const char *what, uint32_t want, uint32_t got)
{
    fail(c, what);
    sh_puts("     want ");
    sh_putu(want);
    sh_puts(", got ");
    sh_putu(got);
    sh_puts("\n");
}

static uint32_t run_case(const struct fw_case *c)
{
    memset(buf, FILL, sizeof buf);
    size_t out_len = (size_t)0xDEADBEEF, at = (size_t)0xDEADBEEF;
    char *out = c->null_out ? NULL : (char *)buf;
    size_t cap = c->null_out ? 0 : c->out_cap;
    unsigned before = failures;

    paint_stack();
    uintptr_t ref = current_sp();
    int32_t st = call(c, out, cap, &out_len, &at);
    uint32_t used = stack_used_below(ref);

    if (st != c->want_status)
        fail_num(c, "status", (uint32_t)c->want_status, (uint32_t)st);
    if (out_len != c->want_len)
        fail_num(c, "*out_len", (uint32_t)c->want_len, (uint32_t)out_len);
    if (c->check_at && at != c->want_at)
        fail_num(c, "*error_at", (uint32_t)c->want_at, (uint32_t)at);
    if (st == MAILFOLD_OK && c->want_status == MAILFOLD_OK && out_len == c->want_len) {
        for (size_t i = 0; i < out_len; i++) {
            if (buf[i] != (unsigned char)c->want[i]) {
                fail(c, "output differs from the host's");
                sh_puts("     first difference at byte ");
                sh_putu((uint32_t)i);
                sh_puts("\n     want: ");
                sh_write(c->want, c->want_len);
                sh_puts("\n     got:  ");
                sh_write((const char *)buf, out_len);
                sh_puts("\n");
                break;
            }
        }
        if (cap > out_len && buf[out_len] != 0)
            fail(c, "no NUL after the output although out_cap had room");
    }
    for (size_t i = cap; i < cap + GUARD; i++) {
        if (buf[i] != FILL) {
            fail_num(c, "wrote at or past out + out_cap, at offset", (uint32_t)cap,
                     (uint32_t)i);
            break;
        }
    }
    if (used >= (uint32_t)(ref - (uintptr_t)__stack_bottom))
        fail(c, "stack overflowed the 64 KiB test stack");

    sh_puts(failures == before ? "ok   " : "     ^ ");
    sh_puts(c->label);
    sh_puts(" [status ");
    sh_putu((uint32_t)st);
    sh_puts(", ");
    sh_putu((uint32_t)out_len);
    sh_puts(" bytes, stack ");
    sh_putu(used);
    sh_puts("]\n");
    return used;
}

static void check_static_strings(void)
{
    if (strcmp(mailfold_version(), FW_MAILFOLD_VERSION) != 0)
        fail(NULL, "mailfold_version() differs from the host's");
    for (size_t i = 0; i < sizeof fw_status_codes / sizeof fw_status_codes[0]; i++) {
        const char *s = mailfold_status_str(fw_status_codes[i]);
        if (s == NULL || strcmp(s, fw_status_strs[i]) != 0)
            fail_num(NULL, "mailfold_status_str differs from the host's for code", 0,
                     (uint32_t)fw_status_codes[i]);
    }
    mailfold_options d = mailfold_options_default();
    if (d.max_line_len != FW_DEFAULT_MAX_LINE_LEN || d.flags != FW_DEFAULT_FLAGS)
        fail(NULL, "mailfold_options_default() differs from the host's");
    /* SPEC §1.2: a NULL out_len is refused, never dereferenced. */
    if (mailfold_format_header("Subject", 7, "hi", 2, NULL, (char *)buf, sizeof buf, NULL) !=
        MAILFOLD_NULL_ARGUMENT)
        fail(NULL, "NULL out_len not refused with MAILFOLD_NULL_ARGUMENT");
}

int main(void)
{
    sh_puts("mailfold ");
    sh_puts(mailfold_version());
    sh_puts(" firmware test on Cortex-M4 (thumbv7em-none-eabihf)\n");
    check_static_strings();

    uint32_t peak = 0;
    const char *peak_label = "";
    size_t n = sizeof fw_cases / sizeof fw_cases[0];
    for (size_t i = 0; i < n; i++) {
        uint32_t used = run_case(&fw_cases[i]);
        if (used > peak) {
            peak = used;
            peak_label = fw_cases[i].label;
        }
    }
    /* measure.sh reads this line. */
    sh_puts("stack peak: ");
    sh_putu(peak);
    sh_puts(" bytes (");
    sh_puts(peak_label);
    sh_puts(")\n");
    sh_putu((uint32_t)n);
    sh_puts(" cases, ");
    sh_putu(failures);
    sh_puts(failures == 1 ? " failure\n" : " failures\n");
    return failures == 0 ? 0 : 1;
}
