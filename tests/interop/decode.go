// Decodes the cases of tests/differential.rs (MAILFOLD_DIFF_CASES) with Go's standard library
// (net/mail, mime, net/textproto), which shares no code with the CPython, Perl, JavaScript and
// Java decoders and has the strictest RFC 5322 address parser of them. Run by
// tests/interop/run.sh, which installs Go (Debian's golang-go) and builds this file.
//
// Each case line: [id, kind, name, lf, utf8, max_line_len, encoding, input, expect, output_hex].
// Checked, on a whole message (the field between two other lines) read by mail.ReadMessage:
//   - every field: the message parses and the field has exactly one value;
//   - unstructured fields: mime.WordDecoder.DecodeHeader of the value unfolded as RFC 5322
//     §2.2.3 says (each line break before white space removed, nothing else) equals the input
//     with the caller's folds removed, exactly, up to leading and trailing SP/HTAB;
//   - msg-id fields: DecodeHeader leaves the value unchanged (nothing was encoded) and its
//     white-space separated words are the expected ids, in order;
//   - address fields: mail.ParseAddressList gives the expected display names (runs of SP/HTAB
//     compared as one) and addr-specs in order, group members in place of their group.
//
// Decoder quirks left out, each counted and printed (see README "Robustness"):
//   - domain literals (`a@[192.0.2.1]`): net/mail does not implement them ("TODO: Handle
//     domain-literal" in its source), although RFC 5322 §3.4.1 allows them;
//   - net/textproto's own unfolding trims the white space on both sides of a fold and joins
//     the lines with one space, so the value is taken from the raw field instead of
//     mail.Header.Get (the field itself must still be found there).
package main

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/mail"
	"net/textproto"
	"os"
	"runtime"
	"sort"
	"strings"
)

var quirks = map[string]int{}

// unfold removes every line break that is followed by SP or HTAB (RFC 5322 §2.2.3).
func unfold(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\r' && i+2 < len(s) && s[i+1] == '\n' && (s[i+2] == ' ' || s[i+2] == '\t') {
			i++
			continue
		}
		if s[i] == '\n' && i+1 < len(s) && (s[i+1] == ' ' || s[i+1] == '\t') {
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// trimWSP trims SP and HTAB only: other Unicode white space belongs to the value.
func trimWSP(s string) string { return strings.Trim(s, " \t") }

// wspFields splits at runs of SP/HTAB only: other Unicode white space belongs to the value
// (an id or a name may hold it with utf8 on).
func wspFields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' })
}

// collapse folds runs of SP/HTAB to one space and trims them at both ends.
func collapse(s string) string { return strings.Join(wspFields(s), " ") }

// rawValue returns the field's value as written (after "Name:", line ending removed, folds
// kept) from the wire bytes of one field.
func rawValue(field []byte, lf bool) (string, error) {
	colon := bytes.IndexByte(field, ':')
	if colon < 0 {
		return "", fmt.Errorf("no colon")
	}
	end := "\r\n"
	if lf {
		end = "\n"
	}
	v := string(field[colon+1:])
	if !strings.HasSuffix(v, end) {
		return "", fmt.Errorf("field does not end with its line ending")
	}
	return v[:len(v)-len(end)], nil
}

type mailbox struct{ name, addr string }

func expectedMailboxes(expect json.RawMessage) ([]mailbox, bool, error) {
	// [[group name | null, [[display name | null, raw addr, local, domain], ...]], ...]
	var groups [][]json.RawMessage
	if err := json.Unmarshal(expect, &groups); err != nil {
		return nil, false, err
	}
	var out []mailbox
	literal := false
	for _, g := range groups {
		var members [][]*string
		if err := json.Unmarshal(g[1], &members); err != nil {
			return nil, false, err
		}
		for _, m := range members {
			name := ""
			if m[0] != nil {
				name = collapse(*m[0])
			}
			if strings.HasPrefix(*m[3], "[") {
				literal = true
			}
			out = append(out, mailbox{name, *m[2] + "@" + *m[3]})
		}
	}
	return out, literal, nil
}

// errNotCompared marks a case left out for a decoder quirk (counted, neither passed nor failed).
const errNotCompared = "not compared"

func check(kind, name string, lf bool, input string, expect json.RawMessage, out []byte) []string {
	var errs []string
	eol := "\r\n"
	if lf {
		eol = "\n"
	}
	message := "X-Before: 1" + eol + string(out) + "X-After: 2" + eol + eol + "body" + eol
	msg, err := mail.ReadMessage(strings.NewReader(message))
	if err != nil {
		return []string{"mail.ReadMessage: " + err.Error()}
	}
	if n := len(msg.Header[textproto.CanonicalMIMEHeaderKey(name)]); n != 1 {
		errs = append(errs, fmt.Sprintf("%d values for %s in the parsed header", n, name))
	}
	raw, err := rawValue(out, lf)
	if err != nil {
		return append(errs, err.Error())
	}
	value := unfold(raw)
	dec := new(mime.WordDecoder)
	switch kind {
	case "unstructured":
		got, err := dec.DecodeHeader(value)
		if err != nil {
			errs = append(errs, "DecodeHeader: "+err.Error())
		} else if want := trimWSP(unfold(input)); trimWSP(got) != want {
			errs = append(errs, fmt.Sprintf("decoded %q, want %q", trimWSP(got), want))
		}
	case "msgid":
		got, err := dec.DecodeHeader(value)
		if err != nil || got != value {
			errs = append(errs, fmt.Sprintf("DecodeHeader changed the ids: %q (%v)", got, err))
		}
		var want []string
		if err := json.Unmarshal(expect, &want); err != nil {
			return append(errs, "expectation: "+err.Error())
		}
		if ids := wspFields(value); strings.Join(ids, " ") != strings.Join(want, " ") {
			errs = append(errs, fmt.Sprintf("ids %q, want %q", ids, want))
		}
	case "address", "mailboxes":
		want, literal, err := expectedMailboxes(expect)
		if err != nil {
			return append(errs, "expectation: "+err.Error())
		}
		if literal {
			quirks["net/mail: domain literal (not compared)"]++
			if len(errs) == 0 {
				errs = []string{errNotCompared}
			}
			return errs
		}
		// net/mail reads an empty value (an empty Bcc) as an error, not as an empty list.
		var list []*mail.Address
		if trimWSP(value) != "" {
			if list, err = mail.ParseAddressList(value); err != nil {
				return append(errs, "ParseAddressList: "+err.Error())
			}
		}
		var got []mailbox
		for _, a := range list {
			got = append(got, mailbox{collapse(a.Name), a.Address})
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			errs = append(errs, fmt.Sprintf("mailboxes %q, want %q", got, want))
		}
	}
	return errs
}

func main() {
	file, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	scanner := bufio.NewScanner(file)
	scanner.Buffer(make([]byte, 1<<20), 1<<24)
	passed := map[string]int{}
	failed, shown := 0, 0
	for scanner.Scan() {
		var c []json.RawMessage
		if err := json.Unmarshal(scanner.Bytes(), &c); err != nil {
			fmt.Println("bad case line:", err)
			os.Exit(1)
		}
		var id int
		var kind, name, input, outHex string
		var lf bool
		_ = json.Unmarshal(c[0], &id)
		_ = json.Unmarshal(c[1], &kind)
		_ = json.Unmarshal(c[2], &name)
		_ = json.Unmarshal(c[3], &lf)
		_ = json.Unmarshal(c[7], &input)
		_ = json.Unmarshal(c[9], &outHex)
		switch kind {
		case "unstructured", "msgid", "address", "mailboxes":
		default:
			continue
		}
		out, err := hex.DecodeString(outHex)
		if err != nil {
			fmt.Println("bad output hex:", err)
			os.Exit(1)
		}
		errs := check(kind, name, lf, input, c[8], out)
		if len(errs) == 1 && errs[0] == errNotCompared {
			continue
		}
		if len(errs) == 0 {
			passed[kind]++
			continue
		}
		failed++
		if shown < 12 {
			shown++
			fmt.Printf("FAIL case %d (%s) %s: %s\n", id, kind, name, strings.Join(errs, "; "))
			fmt.Printf("   input:  %q\n   output: %q\n", input, out)
		}
	}
	if err := scanner.Err(); err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	var names []string
	for q := range quirks {
		names = append(names, q)
	}
	sort.Strings(names)
	for _, q := range names {
		fmt.Printf("quirk left out: %s: %d\n", q, quirks[q])
	}
	total := 0
	for _, n := range passed {
		total += n
	}
	fmt.Printf("%s, %d passed (unstructured %d, msg-id %d, address %d, mailboxes %d), %d failed\n",
		runtime.Version(), total, passed["unstructured"], passed["msgid"], passed["address"],
		passed["mailboxes"], failed)
	// A run holds hundreds of each kind: a check that saw none of a kind must fail.
	enough := true
	for _, kind := range []string{"unstructured", "msgid", "address", "mailboxes"} {
		enough = enough && passed[kind] >= 100
	}
	if failed != 0 || !enough {
		os.Exit(1)
	}
}
