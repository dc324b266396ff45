// Conformance audit round 14: the rows of tests/audit_conformance14.rs (the Rust API's result
// for each class, option set and value) through the C ABI from C++11, the way a C++ mailer
// links libmailfold.so: std::string and std::vector buffers, nullptr for empty strings.
// Checks per row: the size query; out_cap = needed - 1, needed, needed + 1 with guard bytes
// (a NUL only when out_cap > needed, nothing at or past out + out_cap); the same status and
// error_at at every out_cap for invalid input; mailfold_format_header for class AUTO;
// MAILFOLD_NULL_ARGUMENT for NULL with a non-zero length. Built and run by
// tests/audit_conformance14_abi.py. Usage: abi14 ROWS; prints "N passed, M failed".
#include "mailfold.h"

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

const unsigned char kGuard = 0xA5;
int passes = 0;
int failures = 0;

void check(bool ok, int row, const std::string &what) {
    if (ok) {
        ++passes;
    } else {
        ++failures;
        if (failures <= 20) std::fprintf(stderr, "FAIL (C++) row %d: %s\n", row, what.c_str());
    }
}

std::string unhex(const std::string &h) {
    std::string out;
    for (size_t i = 0; i + 1 < h.size(); i += 2) {
        out.push_back(static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16)));
    }
    return out;
}

struct Row {
    int32_t cls;
    mailfold_options opts;
    std::string name, value;
    int32_t status;
    size_t error_at;
    std::string out;
};

struct Result {
    int32_t rc;
    size_t len;
    size_t at;
    std::vector<unsigned char> buf;
};

Result call(const Row &r, size_t cap, bool null_out, bool header) {
    Result res;
    res.buf.assign(cap + 16, kGuard);
    res.len = 12345;
    res.at = 777;
    char *out = null_out ? nullptr : reinterpret_cast<char *>(res.buf.data());
    const char *value = r.value.empty() ? nullptr : r.value.data();
    const char *name = r.name.empty() ? nullptr : r.name.data();
    if (header) {
        res.rc = mailfold_format_header(name, r.name.size(), value, r.value.size(), &r.opts, out,
                                        cap, &res.len);
    } else {
        res.rc = mailfold_format_field(name, r.name.size(), r.cls, value, r.value.size(),
                                       &r.opts, out, cap, &res.len, &res.at);
    }
    return res;
}

bool untouched(const Result &res, size_t from) {
    for (size_t i = from; i < res.buf.size(); ++i) {
        if (res.buf[i] != kGuard) return false;
    }
    return true;
}

void check_row(int i, const Row &r) {
    const size_t none = SIZE_MAX;
    Result q = call(r, 0, true, false);
    if (r.status == MAILFOLD_OK) {
        size_t need = r.out.size();
        check(q.rc == MAILFOLD_BUFFER_TOO_SMALL && q.len == need && q.at == none, i, "size query");
        std::vector<size_t> caps = {need, need + 1};
        if (need > 0) caps.push_back(need - 1);
        for (size_t cap : caps) {
            Result res = call(r, cap, false, false);
            if (cap < need) {
                check(res.rc == MAILFOLD_BUFFER_TOO_SMALL && res.len == need && res.at == none, i,
                      "needed - 1");
                check(untouched(res, cap), i, "wrote past out_cap (needed - 1)");
                continue;
            }
            std::string got(reinterpret_cast<const char *>(res.buf.data()), need);
            check(res.rc == MAILFOLD_OK && res.len == need && res.at == none, i, "status at cap");
            check(got == r.out, i, "bytes differ from the Rust API: " + got);
            if (cap > need) {
                check(res.buf[need] == 0, i, "no NUL after the output");
                check(untouched(res, need + 1), i, "wrote after the NUL");
            } else {
                check(untouched(res, cap), i, "wrote past out_cap == needed");
            }
        }
    } else {
        check(q.rc == r.status && q.len == 0 && q.at == r.error_at, i,
              "size query of invalid input: " + std::to_string(q.rc) + " at " +
                  std::to_string(q.at));
        for (size_t cap : {size_t(0), size_t(1), size_t(4096)}) {
            Result res = call(r, cap, false, false);
            check(res.rc == r.status && res.len == 0 && res.at == r.error_at, i,
                  "invalid input at out_cap " + std::to_string(cap));
            check(untouched(res, cap), i, "wrote past out_cap after an error");
        }
    }
    if (r.cls == MAILFOLD_CLASS_AUTO) {
        size_t cap = r.out.size() + 1;
        Result h = call(r, cap, false, true);
        size_t want = r.status == MAILFOLD_OK ? r.out.size() : 0;
        std::string got(reinterpret_cast<const char *>(h.buf.data()), want);
        check(h.rc == r.status && h.len == want && got == r.out.substr(0, want), i,
              "mailfold_format_header differs from mailfold_format_field");
    }
    size_t len = 99;
    int32_t rc = mailfold_format_field(r.name.data(), r.name.size(), r.cls, nullptr,
                                       r.value.size() + 1, &r.opts, nullptr, 0, &len, nullptr);
    check(rc == MAILFOLD_NULL_ARGUMENT && len == 0, i, "NULL value with a length");
}

}  // namespace

int main(int argc, char **argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: abi14 ROWS\n");
        return 2;
    }
    std::ifstream in(argv[1]);
    std::string line;
    int i = 0;
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string cls, flags, max, name, value, status, at, out;
        std::getline(f, cls, '\t');
        std::getline(f, flags, '\t');
        std::getline(f, max, '\t');
        std::getline(f, name, '\t');
        std::getline(f, value, '\t');
        std::getline(f, status, '\t');
        std::getline(f, at, '\t');
        std::getline(f, out, '\t');
        Row r;
        r.cls = static_cast<int32_t>(std::stol(cls));
        r.opts.flags = static_cast<uint32_t>(std::stoul(flags));
        r.opts.max_line_len = static_cast<uint32_t>(std::stoul(max));
        r.name = unhex(name);
        r.value = unhex(value);
        r.status = static_cast<int32_t>(std::stol(status));
        r.error_at = static_cast<size_t>(std::stoull(at));
        r.out = unhex(out);
        check_row(i++, r);
    }
    check(i > 0, -1, "no rows read");
    std::printf("%d passed, %d failed\n", passes, failures);
    return failures == 0 ? 0 : 1;
}
