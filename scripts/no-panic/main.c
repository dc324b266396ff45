/* Links every mailfold export so that --gc-sections keeps all code they can reach, and
 * nothing else. scripts/check-no-panic.sh then looks for the panic machinery in the result.
 * The calls go through volatile data so the compiler cannot prove anything about the inputs. */
#include <stddef.h>
#include <stdint.h>
#include "mailfold.h"

volatile size_t len_in = 5;
volatile int32_t class_in = MAILFOLD_CLASS_AUTO;
volatile int64_t secs_in = 0;
volatile int32_t offset_in = 0;
volatile int32_t sink;
char text[64] = "Subject";
uint8_t random_bytes[16];
char out[1024];

int main(void) {
    size_t n = 0, at = 0;
    mailfold_options o = mailfold_options_default();
    mailfold_mailbox box = { text, len_in, text, len_in };
    sink = mailfold_format_header(text, len_in, text, len_in, &o, out, sizeof out, &n);
    sink = mailfold_format_field(text, len_in, class_in, text, len_in, &o, out, sizeof out, &n, &at);
    sink = mailfold_format_mailboxes(text, len_in, &box, 1, &o, out, sizeof out, &n);
    sink = mailfold_format_date(secs_in, offset_in, out, sizeof out, &n);
    sink = mailfold_make_msg_id(random_bytes, text, len_in, out, sizeof out, &n);
    sink = (int32_t)(size_t)mailfold_status_str(sink);
    sink = (int32_t)(size_t)mailfold_version();
    return 0;
}
