#!/usr/bin/env python3
"""Checks mailfold's output against CPython's email package (driven by tests/differential.rs).

Input: a JSON-lines file, one formatted field per line:
  [id, kind, name, lf, utf8, max_line_len, encoding, input, expect, output_hex]

Every field is parsed back with email.parser.BytesParser(policy=email.policy.default)
(RFC 6532 output, which BytesParser would surrogate-escape, through Parser on the decoded
text), and checked for: the decoded value / msg-id tokens / (display name, address) pairs
equal to the input, no defects, and the structural rules of SPEC §3 and §4. Display names,
keywords and List-Id phrases are decoded by this script's own RFC 2047 §6.2 decoder, because
CPython <= 3.13 keeps the white space between adjacent encoded-words in phrases (gh-128110).

Prints failing cases in detail and ends with "N passed, M failed".
"""

import base64
import datetime
import email.policy
import email.utils
import json
import re
import sys
from email.parser import BytesParser, Parser

WSP = " \t"
MAX_SHOWN = 12


class Fail(Exception):
    pass


# ------------------------------------------------------------------ RFC 2047

def q_decode(text, phrase):
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c == "_":
            out.append(0x20)
        elif c == "=":
            h = text[i + 1:i + 3]
            if len(h) != 2 or not all(x in "0123456789abcdefABCDEF" for x in h):
                raise Fail("bad =XX escape in Q text %r" % text)
            out.append(int(h, 16))
            i += 2
        elif c in "? \t" or not (0x21 <= ord(c) <= 0x7E):
            raise Fail("forbidden character %r in Q text %r" % (c, text))
        elif phrase and not (c.isascii() and c.isalnum() or c in "!*+-/"):
            raise Fail("%r is not phrase-safe (RFC 2047 §5 (3)) in %r" % (c, text))
        else:
            out.append(ord(c))
        i += 1
    return bytes(out)


def b_decode(text):
    if len(text) % 4 or not re.fullmatch(r"[A-Za-z0-9+/]*={0,2}", text):
        raise Fail("bad base64 text %r" % text)
    return base64.b64decode(text, validate=True)


def decode_ew(tok, phrase):
    """Decodes one encoded-word; every rule of SPEC §4 it must meet is checked here."""
    if len(tok) > 75:
        raise Fail("encoded-word longer than 75: %r" % tok)
    m = re.fullmatch(r"=\?([^?]*)\?([^?]*)\?([^?]*)\?=", tok)
    if not m:
        raise Fail("malformed encoded-word or lookalike left as text: %r" % tok)
    charset, enc, text = m.groups()
    if charset.lower() != "utf-8":
        raise Fail("charset is not utf-8: %r" % tok)
    if not text:
        raise Fail("empty encoded-word %r" % tok)
    if enc in "qQ" and enc:
        raw = q_decode(text, phrase)
    elif enc in "bB" and enc:
        raw = b_decode(text)
    else:
        raise Fail("unknown encoding in %r" % tok)
    try:
        return raw.decode("utf-8")  # each word alone: a split character fails here
    except UnicodeDecodeError:
        raise Fail("encoded-word is not whole UTF-8 characters: %r" % tok)


def is_ew_shape(tok):
    return tok.startswith("=?") and tok.endswith("?=") and len(tok) >= 4


def decode_unstructured(v):
    """RFC 2047 §6.2: white space between adjacent encoded-words is dropped, all else kept."""
    out, pending, prev_ew = [], "", False
    for part in re.findall(r"[ \t]+|[^ \t]+", v):
        if part[0] in WSP:
            pending += part
            continue
        if "=?" in part:
            text = decode_ew(part, False)
            out.append(("" if prev_ew else pending) + text)
            prev_ew = True
        else:
            out.append(pending + part)
            prev_ew = False
        pending = ""
    return "".join(out) + pending


def expected_unstructured(s):
    s = re.sub(r"\r?\n(?=[ \t])", "", s)
    return s.strip(WSP)


def collapse(s):
    return re.sub(r"[ \t]+", " ", s or "").strip(" ")


# ------------------------------------------------------------------ phrases and addresses

class Cursor:
    def __init__(self, s):
        self.s, self.i = s, 0

    def peek(self):
        return self.s[self.i] if self.i < len(self.s) else ""

    def ws(self):
        j = self.i
        while self.i < len(self.s) and self.s[self.i] in WSP:
            self.i += 1
        return self.s[j:self.i]

    def quoted(self):
        assert self.peek() == '"'
        self.i += 1
        out = []
        while True:
            c = self.peek()
            if c == "":
                raise Fail("unterminated quoted-string in %r" % self.s)
            self.i += 1
            if c == "\\":
                out.append(self.peek())
                self.i += 1
            elif c == '"':
                return "".join(out)
            else:
                out.append(c)

    def atom(self, stop):
        j = self.i
        while self.i < len(self.s) and self.s[self.i] not in stop:
            self.i += 1
        return self.s[j:self.i]


def read_words(cur, stop):
    """Phrase words up to a character of `stop`: [(white space before, kind, text)]."""
    words = []
    while True:
        w = cur.ws()
        c = cur.peek()
        if c == "" or c in stop:
            return words
        if c == '"':
            words.append((w, "q", cur.quoted()))
        elif c in "()[]\\>":
            raise Fail("unexpected %r at %d in %r" % (c, cur.i, cur.s))
        else:
            a = cur.atom(WSP + '"(),:;<>@[]\\')
            if not a:
                raise Fail("empty atom at %d in %r" % (cur.i, cur.s))
            words.append((w, "a", a))


def decode_phrase(words):
    out, prev_ew = [], False
    for w, kind, text in words:
        if kind == "q":
            if re.search(r"=\?.*\?=", text):
                raise Fail("encoded-word lookalike inside a quoted-string: %r" % text)
            out.append(w + text)
            prev_ew = False
        elif is_ew_shape(text):
            out.append(("" if prev_ew else w) + decode_ew(text, True))
            prev_ew = True
        else:
            if "=?" in text:
                raise Fail("encoded-word lookalike left in a phrase: %r" % text)
            if "." in text:
                raise Fail("unquoted '.' in a phrase (obsolete syntax): %r" % text)
            out.append(w + text)
            prev_ew = False
    return "".join(out)


def read_addr_spec(cur, first_words):
    """addr-spec whose local part was already read as `first_words`, cursor at '@'."""
    if len(first_words) != 1:
        raise Fail("bad local part %r" % (first_words,))
    kind, text = first_words[0][1], first_words[0][2]
    local_raw = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"' if kind == "q" else text
    cur.i += 1  # '@'
    if cur.peek() == "[":
        j = cur.s.index("]", cur.i)
        domain = cur.s[cur.i:j + 1]
        cur.i = j + 1
    else:
        domain = cur.atom(WSP + '"(),:;<>@[]\\')
    return text, local_raw, domain


def read_mailbox(cur, words):
    c = cur.peek()
    if c == "<":
        j = cur.s.index(">", cur.i)
        spec = cur.s[cur.i + 1:j]
        cur.i = j + 1
        inner = Cursor(spec)
        lw = read_words(inner, "@")
        if inner.peek() != "@":
            raise Fail("no @ in <%s>" % spec)
        local, local_raw, domain = read_addr_spec(inner, lw)
        if inner.i != len(spec):
            raise Fail("junk in <%s>" % spec)
        name = decode_phrase(words) if words else None
        return (name, local_raw + "@" + domain, local, domain)
    if c == "@":
        local, local_raw, domain = read_addr_spec(cur, words)
        return (None, local_raw + "@" + domain, local, domain)
    raise Fail("expected '<' or '@' at %d in %r" % (cur.i, cur.s))


def parse_address_list(v):
    """[(group name or None, [(name, raw addr-spec, local, domain)])] of an address field."""
    cur = Cursor(v)
    out = []
    while True:
        cur.ws()
        if cur.peek() == "":
            return out
        if out:
            if cur.peek() != ",":
                raise Fail("expected ',' at %d in %r" % (cur.i, v))
            cur.i += 1
            cur.ws()
        words = read_words(cur, ",;:<@")
        if cur.peek() == ":":
            cur.i += 1
            members = []
            while True:
                cur.ws()
                if cur.peek() == ";":
                    cur.i += 1
                    break
                if members:
                    if cur.peek() != ",":
                        raise Fail("expected ',' in group at %d in %r" % (cur.i, v))
                    cur.i += 1
                members.append(read_mailbox(cur, read_words(cur, ",;:<@")))
            out.append((decode_phrase(words), members))
        else:
            out.append((None, [read_mailbox(cur, words)]))


def split_commas(v):
    parts, depth, cur, q, esc = [], 0, [], False, False
    for c in v:
        if q:
            cur.append(c)
            if esc:
                esc = False
            elif c == "\\":
                esc = True
            elif c == '"':
                q = False
            continue
        if c == '"':
            q = True
        if c == "," and not q:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
    parts.append("".join(cur))
    return parts


# ------------------------------------------------------------------ structure (SPEC §3)

def tokens(s, structured):
    if not structured:
        return re.findall(r"[^ \t]+", s)
    out, cur, q, esc, angle, square = [], "", False, False, False, False
    for c in s:
        if q:
            cur += c
            if esc:
                esc = False
            elif c == "\\":
                esc = True
            elif c == '"':
                q = False
            continue
        if angle or square:
            cur += c
            if c == ">":
                angle = False
            if c == "]":
                square = False
            continue
        if c in WSP:
            if cur:
                out.append(cur)
            cur = ""
            continue
        cur += c
        if c == '"':
            q = True
        elif c == "<":
            angle = True
        elif c == "[":
            square = True
    if cur:
        out.append(cur)
    return out


def check_structure(out, name, kind, lf, utf8, soft, enc):
    end = b"\n" if lf else b"\r\n"
    if not out.endswith(end):
        raise Fail("does not end with the line ending")
    body = out[:-len(end)]
    lines = body.split(end)
    for k, l in enumerate(lines):
        if b"\r" in l or b"\n" in l:
            raise Fail("bare CR or LF in line %d" % k)
    if not utf8 and any(b >= 0x80 for b in out):
        raise Fail("non-ASCII output with utf8 off")
    text = out.decode("utf-8")  # raises on invalid UTF-8
    for ch in text:
        o = ord(ch)
        if (o < 0x20 and ch not in "\t\r\n") or o == 0x7F or 0x80 <= o <= 0x9F or o in (0x2028, 0x2029):
            raise Fail("raw control or line separator U+%04X in output" % o)
    if kind == "msgid" and "=?" in text:
        raise Fail("msg-id field contains '=?'")
    structured = kind in ("address", "mailboxes", "keywords", "listid", "return_path")
    prefix = (name + ":").encode()
    if not lines[0].startswith(prefix):
        raise Fail("first line does not start with Name:")
    slines = [l.decode("utf-8") for l in lines]
    width = (lambda l: len(l)) if utf8 else (lambda l: len(l.encode("utf-8")))
    for k, line in enumerate(slines):
        content = line[len(name) + 1:] if k == 0 else line
        if k > 0 and line[:1] not in (" ", "\t"):
            raise Fail("line %d does not start with SP/HTAB" % k)
        if k > 0 and not content.strip(WSP):
            raise Fail("line %d holds only white space" % k)
        if len(lines[k]) > 998:
            raise Fail("line %d is %d octets" % (k, len(lines[k])))
        toks = tokens(content.strip(WSP), structured)
        has_ew = False
        for t in toks:
            if kind in ("msgid", "ascii", "date") or "=?" not in t:  # never encoded there
                continue
            if structured and t.startswith('"'):
                continue
            # RFC 2047 §5 (3): in a phrase an encoded-word is separated from any adjacent
            # word or special (',' ':' ';' too) by white space: it is always a whole token.
            decode_ew(t, structured)
            has_ew = True
        w = width(line)
        if has_ew and (w > 76 or w > soft):
            raise Fail("line %d holds an encoded-word and is %d wide" % (k, w))
        if w > soft and len(toks) > 1:
            raise Fail("line %d is %d wide (> %d) but has a fold point" % (k, w, soft))
        # White space ending a wide line could have started the next one, unless it keeps
        # that line within the soft limit (SPEC 3) or, for a next line past it with one long
        # token, within 998 octets.
        trailing = len(line) - len(line.rstrip(WSP))
        could_start_next = False
        if k + 1 < len(slines):
            wn = width(slines[k + 1])
            could_start_next = wn + trailing <= soft or (wn > soft and len(lines[k + 1]) + trailing <= 998)
        if w > soft and trailing and toks and could_start_next:
            raise Fail("line %d is %d wide (> %d) and ends in white space that could start the next line" % (k, w, soft))
        if k == 0 and not toks and len(lines) > 1:
            nt = tokens(slines[1].strip(WSP), structured)
            first = nt[0] if nt else ""
            if first.startswith("=?"):
                # An encoded-word also keeps its line within min(76, soft) (RFC 2047 section 2):
                # the fold is needed when even the shortest one, holding only the first
                # character, would not fit after "Name: " in the encoding asked for.
                c = (decode_ew(first, structured) or "a")[0]
                k = len(c.encode())
                q = 1 if c.isascii() and c.isprintable() and c not in " =?_" else 3 * k
                b = 4 * -(-k // 3)
                shortest = 12 + {"Q": q, "B": b}.get(enc, min(q, b))
                fits = len(prefix) + 1 + shortest <= min(soft, 76)
            else:
                fits = len(prefix) + 1 + len(first.encode()) <= 998
            if fits:
                raise Fail("fold directly after Name: although the first token fits")
        if kind == "msgid" and k > 0:
            prev = slines[k - 1]
            prev_empty = k == 1 and not prev[len(name) + 1:].strip(WSP)
            octets = len(prev.encode()) + 1 + len(toks[0].encode())
            if not prev_empty and width(prev) + 1 + width(toks[0]) <= soft and octets <= 998:
                raise Fail("needless fold before line %d" % k)


# ------------------------------------------------------------------ one case

def unfold_raw(out, name, lf):
    end = b"\n" if lf else b"\r\n"
    v = out[:-len(end)].replace(end, b"").decode("utf-8")
    return v[len(name) + 1:]


def parse_message(out, lf, utf8):
    end = b"\n" if lf else b"\r\n"
    data = out + end + b"body" + end
    if utf8:
        # BytesParser surrogate-escapes 8-bit header bytes (and reports them as defects);
        # RFC 6532 headers are text, so they go through Parser on the decoded string.
        pol = email.policy.default.clone(linesep="\n" if lf else "\r\n", utf8=True)
        return Parser(policy=pol).parsestr(data.decode("utf-8"))
    pol = email.policy.default.clone(linesep="\n" if lf else "\r\n")
    return BytesParser(policy=pol).parsebytes(data)


def check_case(c):
    cid, kind, name, lf, utf8, soft, enc, inp, expect, hexout = c
    out = bytes.fromhex(hexout)
    check_structure(out, name, kind, lf, utf8, soft, enc)
    msg = parse_message(out, lf, utf8)
    if msg.defects:
        raise Fail("message defects: %r" % (msg.defects,))
    hs = msg.get_all(name)
    if not hs or len(hs) != 1:
        raise Fail("header %s parsed %r times" % (name, len(hs or [])))
    h = hs[0]
    defects = [d for d in getattr(h, "defects", ())
               # RFC 6532 §3.2 allows UTF-8 local parts; CPython flags them for SMTPUTF8 only.
               if not (utf8 and type(d).__name__ == "NonASCIILocalPartDefect")]
    if defects:
        raise Fail("header defects: %s" % "; ".join("%s %s" % (type(d).__name__, d) for d in defects))
    raw = unfold_raw(out, name, lf)
    if kind == "unstructured":
        want = expected_unstructured(inp)
        mine = decode_unstructured(raw).strip(WSP)
        if mine != want:
            raise Fail("own RFC 2047 decoder: got %r, want %r" % (mine, want))
        cp = str(h).strip(WSP)
        if cp != want:
            raise Fail("CPython decoded %r, want %r" % (cp, want))
    elif kind == "msgid":
        toks = re.findall(r"<[^<>]*>", str(h))
        rest = re.sub(r"<[^<>]*>", "", str(h))
        if rest.strip(WSP) or toks != expect:
            raise Fail("ids %r (rest %r), want %r" % (toks, rest, expect))
        if re.sub(r"<[^<>]*>", "", raw).strip(WSP) or re.findall(r"<[^<>]*>", raw) != expect:
            raise Fail("raw ids differ from %r" % (expect,))
        if name.lower() == "message-id" and str(h).strip() != expect[0]:
            raise Fail("CPython Message-ID %r" % str(h))
    elif kind in ("address", "mailboxes"):
        check_addresses(h, raw, expect)
    elif kind == "return_path":
        if raw.strip(WSP) != expect or str(h).strip() != expect:
            raise Fail("Return-Path %r, want %r" % (raw, expect))
    elif kind == "ascii":
        if collapse(raw) != collapse(inp) or collapse(str(h)) != collapse(inp):
            raise Fail("value %r, want %r" % (raw, inp))
        if name.lower() == "mime-version" and (h.major, h.minor) != (1, 0):
            raise Fail("MIME-Version parsed as %r.%r" % (h.major, h.minor))
    elif kind == "date":
        secs, off = expect
        tz = datetime.timezone(datetime.timedelta(minutes=off))
        dt = (datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
              + datetime.timedelta(seconds=secs)).astimezone(tz)
        want = email.utils.format_datetime(dt)
        if raw.strip(WSP) != want:
            raise Fail("date %r, want %r" % (raw, want))
        if h.datetime != dt or h.datetime.utcoffset() != dt.utcoffset():
            raise Fail("CPython read the date as %r, want %r" % (h.datetime, dt))
    elif kind == "keywords":
        got = [collapse(decode_phrase(read_words_all(p))) for p in split_commas(raw)]
        if got != [collapse(k) for k in expect]:
            raise Fail("keywords %r, want %r" % (got, expect))
    elif kind == "listid":
        phrase, lid = expect
        j = raw.rfind("<")
        if j < 0 or raw[j:].strip(WSP) != lid:
            raise Fail("list-id %r, want %r" % (raw, lid))
        got = collapse(decode_phrase(read_words_all(raw[:j]))) or None
        if got != (collapse(phrase) if phrase else None):
            raise Fail("List-Id phrase %r, want %r" % (got, phrase))
    else:
        raise Fail("unknown kind " + kind)


def read_words_all(s):
    cur = Cursor(s)
    words = read_words(cur, "<>,;:@")
    if cur.i != len(s):
        raise Fail("unexpected %r in phrase %r" % (cur.peek(), s))
    return words


def norm_name(n):
    return collapse(n) or None


def check_addresses(h, raw, expect):
    mine = parse_address_list(raw)
    want = []
    for gname, members in expect:
        want.append((norm_name(gname) if gname is not None else None,
                     [(norm_name(m[0]), m[1], m[2], m[3]) for m in members]))
    got = [(norm_name(g) if g is not None else None,
            [(norm_name(m[0]), m[1], m[2], m[3]) for m in ms]) for g, ms in mine]
    if got != want:
        raise Fail("own address parse:\n   got  %r\n   want %r" % (got, want))
    # Structure (and addr-specs) as CPython sees them; display names only without white
    # space, since CPython keeps it between adjacent encoded-words (gh-128110).
    if not hasattr(h, "groups"):
        # A name CPython does not know as an address field: parse the same value as one.
        h = email.policy.default.header_factory("To", raw)
    cp = [(g.display_name, [(a.display_name, a.username, a.domain) for a in g.addresses]) for g in h.groups]
    if len(cp) != len(want):
        raise Fail("CPython sees %d elements, want %d: %r" % (len(cp), len(want), cp))
    squash = lambda s: re.sub(r"\s+", "", s or "")
    for (cg, cms), (wg, wms) in zip(cp, want):
        if (cg is None) != (wg is None) or squash(cg) != squash(wg):
            raise Fail("CPython group %r, want %r" % (cg, wg))
        if len(cms) != len(wms):
            raise Fail("CPython group members %r, want %r" % (cms, wms))
        for (cn, cu, cd), (wn, _, wl, wd) in zip(cms, wms):
            if (cu, cd) != (wl, wd) or squash(cn) != squash(wn):
                raise Fail("CPython mailbox %r, want %r" % ((cn, cu, cd), (wn, wl, wd)))


def main():
    passed, failed, shown = 0, 0, 0
    by_kind = {}
    categories = {}
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            c = json.loads(line)
            kind = c[1]
            try:
                check_case(c)
                passed += 1
                by_kind.setdefault(kind, [0, 0])[0] += 1
            except Exception as e:  # a checker crash on odd output is a failure too
                failed += 1
                by_kind.setdefault(kind, [0, 0])[1] += 1
                cat = "%s %s: %s" % (kind, type(e).__name__, re.sub(r"\d+|'.*|\".*", "#", str(e))[:90])
                categories[cat] = categories.get(cat, 0) + 1
                if categories[cat] == 1 and shown < MAX_SHOWN:
                    shown += 1
                    print("FAIL case %d (%s) %s: %s: %s" % (c[0], kind, c[2], type(e).__name__, e))
                    print("   options: lf=%s utf8=%s max_line_len=%d encoding=%s" % tuple(c[3:7]))
                    print("   input:   %r" % (c[7],))
                    if c[8] is not None and kind != "unstructured":
                        print("   expect:  %r" % (c[8],))
                    print("   output:  %r" % bytes.fromhex(c[9]))
    for cat, n in sorted(categories.items(), key=lambda x: -x[1]):
        print("%5d x %s" % (n, cat))
    print("by kind (passed, failed): " + ", ".join("%s %d/%d" % (k, v[0], v[1]) for k, v in sorted(by_kind.items())))
    print("python %s" % sys.version.split()[0])
    print("%d passed, %d failed" % (passed, failed))


if __name__ == "__main__":
    main()
