/* Firmware for the flash measurement (measure.sh). Built three times from this file:
   without mailfold (the baseline), calling mailfold_format_header only (PROBE_HEADER), and
   calling every C API function (PROBE_FULL). The differences in flash are what mailfold
   adds. The start-up code and semihosting are the same in all three. Inputs come from
   volatile globals so no call can be folded away. */
#include <stdint.h>

#include "semihost.h"
#if defined(PROBE_HEADER) || defined(PROBE_FULL)
#include "mailfold.h"
#endif

static char out[1024];
static const char *volatile name = "Subject";
static const char *volatile value = "Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln";
static volatile size_t name_len = 7, value_len = 14;
static volatile int64_t when = 1795916715;

int main(void)
{
    size_t len = 0;
    int32_t st = 0;
#if defined(PROBE_HEADER) || defined(PROBE_FULL)
    st |= mailfold_format_header(name, name_len, value, value_len, NULL, out, sizeof out, &len);
#endif
#if defined(PROBE_FULL)
    size_t at;
    mailfold_options o = mailfold_options_default();
    mailfold_mailbox box = { name, name_len, "a@example.com", 13 };
    static const uint8_t random[16] = { 1 };
    st |= mailfold_format_field(name, name_len, MAILFOLD_CLASS_AUTO, value, value_len, &o, out,
                                sizeof out, &len, &at);
    st |= mailfold_format_mailboxes("To", 2, &box, 1, &o, out, sizeof out, &len);
    st |= mailfold_format_date(when, -210, out, sizeof out, &len);
    st |= mailfold_make_msg_id(random, "example.com", 11, out, sizeof out, &len);
    sh_puts(mailfold_status_str(st));
    sh_puts(mailfold_version());
#else
    (void)name;
    (void)value;
    (void)name_len;
    (void)value_len;
    (void)when;
#endif
    sh_write(out, len);
    sh_puts("\n");
    return st < 0;
}
