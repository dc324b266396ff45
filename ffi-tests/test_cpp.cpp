// The header from C++11: it must compile warning-free with -std=c++11 -Wall -Wextra -Werror
// -pedantic, give C linkage (the calls below link against the Rust static library), and be
// usable with std::string and std::vector the way a C++ mailer would.
#include "mailfold.h"

#include <cstdio>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

static_assert(MAILFOLD_OK == 0 && MAILFOLD_INVALID_PARAMETER == 12, "status codes are fixed");
static_assert(MAILFOLD_CLASS_VERBATIM == 7, "class codes are fixed");
static_assert(std::is_pod<mailfold_options>::value, "plain C struct");
static_assert(std::is_pod<mailfold_mailbox>::value, "plain C struct");
static_assert(sizeof(mailfold_options) == 8, "two uint32_t");

namespace {

int failures = 0;
int passes = 0;

void check(bool ok, const char *what) {
    if (ok) {
        ++passes;
    } else {
        std::fprintf(stderr, "FAIL (C++): %s\n", what);
        ++failures;
    }
}

// The usual two-call pattern: ask for the size, then format into a buffer of that size.
int32_t format(const std::string &name, const std::string &value, const mailfold_options *o,
               std::string &out) {
    size_t needed = 0;
    int32_t rc = mailfold_format_header(name.data(), name.size(), value.data(), value.size(), o,
                                        nullptr, 0, &needed);
    if (rc != MAILFOLD_BUFFER_TOO_SMALL) return rc;
    std::vector<char> buf(needed + 1);
    size_t len = 0;
    rc = mailfold_format_header(name.data(), name.size(), value.data(), value.size(), o,
                                buf.data(), buf.size(), &len);
    if (rc == MAILFOLD_OK) out.assign(buf.data(), len);
    return rc;
}

}  // namespace

int main() {
    std::string out;
    mailfold_options o = mailfold_options_default();
    check(format("Subject", "hello from C++", &o, out) == MAILFOLD_OK, "format_header");
    check(out == "Subject: hello from C++\r\n", "Subject output");

    const std::string seed =
        "<154810422972.4.16142961424846318784@aaf39fce-569e-473a-9453-6862595bd8da.prvt.dyno."
        "rt.heroku.com>";
    check(format("Message-ID", seed, nullptr, out) == MAILFOLD_OK, "seed Message-ID");
    check(out == "Message-ID: " + seed + "\r\n", "seed Message-ID is one line");

    check(format("Subject", "x\r\nBcc: v@example.com", nullptr, out) ==
              MAILFOLD_CONTROL_CHARACTER,
          "injection refused");

    const mailfold_mailbox boxes[] = {
        {"Doe, John", 9, "jd@example.com", 14},
        {nullptr, 0, "ops@example.com", 15},
    };
    char buf[128];
    size_t len = 0;
    int32_t rc = mailfold_format_mailboxes("To", 2, boxes, 2, nullptr, buf, sizeof buf, &len);
    check(rc == MAILFOLD_OK, "format_mailboxes");
    check(std::string(buf, len) == "To: \"Doe, John\" <jd@example.com>, ops@example.com\r\n",
          "mailboxes output");

    size_t at = 0;
    rc = mailfold_format_field("X-Id", 2, MAILFOLD_CLASS_MSG_ID, "<a b@c>", 7, nullptr, buf,
                               sizeof buf, &len, &at);
    check(rc == MAILFOLD_INVALID_MSG_ID, "format_field error");

    char date[32];
    check(mailfold_format_date(0, 0, date, sizeof date, &len) == MAILFOLD_OK &&
              std::strcmp(date, "Thu, 01 Jan 1970 00:00:00 +0000") == 0,
          "format_date");
    const uint8_t rnd[16] = {};
    check(mailfold_make_msg_id(rnd, "example.com", 11, buf, sizeof buf, &len) == MAILFOLD_OK,
          "make_msg_id");
    check(std::strlen(mailfold_status_str(12345)) > 0, "status_str unknown");
    check(std::strlen(mailfold_version()) > 0, "version");

    std::printf("c++11: %d passed, %d failed\n", passes, failures);
    return failures ? 1 : 0;
}
