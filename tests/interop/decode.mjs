// Decodes the cases of tests/differential.rs (MAILFOLD_DIFF_CASES) with two JavaScript mail
// parsers that share no code with CPython's, Perl's or Java's: nodemailer's `mailparser`
// (libmime) and `postal-mime`. Run by tests/interop/run.sh, which installs them.
//
// Each case line: [id, kind, name, lf, utf8, max_line_len, encoding, input, expect, output_hex].
// Checked, on a whole message (the field between two other lines):
// - mailparser: the decoded Subject equals the input (caller folds removed; runs of SP/HTAB
//   compared as one, since it unfolds a fold and the white space after it to one space), and
//   the display names and addr-specs of every address field it parses, in order;
// - postal-mime: the decoded Subject, the same way.
// Decoder quirks left out, each counted and printed (see README "Robustness"):
// - U+FEFF in an addr-spec with utf8 on: JavaScript's `\s` matches it, so mailparser splits
//   the address there;
// - U+FEFF is dropped by postal-mime where an encoded-word's text starts with it (the
//   WHATWG TextDecoder strips a leading byte order mark), so it is removed on both sides.
// Other headers are left raw by both parsers, and postal-mime's address parser misreads
// groups and quoted names holding `:`; those are not compared.
import fs from 'fs';
import { simpleParser } from 'mailparser';
import PostalMime from 'postal-mime';

const ADDRESS_FIELDS = new Set(['from', 'to', 'cc', 'bcc', 'reply-to', 'sender']);
const collapse = s => (s ?? '').replace(/[ \t]+/g, ' ').trim();
// An addr-spec with its quoted local part unquoted, as mailparser reports it.
const unquoted = a => a && a.replace(/^"((?:[^"\\]|\\.)*)"@/, (_, q) => q.replace(/\\(.)/g, '$1') + '@');
const flatten = list => (list || []).flatMap(a => (a.group ? a.group : [a]))
  .map(m => [collapse(m.name), unquoted(m.address)]);

let passed = 0, failed = 0, shown = 0;
const quirks = {};
const quirk = what => { quirks[what] = (quirks[what] || 0) + 1; };

for (const line of fs.readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean)) {
  const [id, kind, name, lf, utf8, , , input, expect, hex] = JSON.parse(line);
  const lname = name.toLowerCase();
  const isSubject = kind === 'unstructured' && lname === 'subject';
  const isAddress = (kind === 'address' || kind === 'mailboxes') && ADDRESS_FIELDS.has(lname);
  if (!isSubject && !isAddress) continue;
  const eol = lf ? '\n' : '\r\n';
  const out = Buffer.from(hex, 'hex');
  const message = Buffer.concat([Buffer.from('X-Before: 1' + eol), out, Buffer.from('X-After: 2' + eol + eol + 'body' + eol)]);
  const errors = [];
  const mp = await simpleParser(message, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
  if (isSubject) {
    const want = collapse(input.replace(/\r?\n(?=[ \t])/g, ''));
    const got = collapse(mp.subject);
    if (got !== want) errors.push(`mailparser subject ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    const pm = await PostalMime.parse(message);
    const canon = s => collapse((s ?? '').replace(/\uFEFF/g, ''));
    if (want.includes('\uFEFF')) quirk('postal-mime: U+FEFF in a Subject (removed on both sides)');
    if (canon(pm.subject) !== canon(want)) errors.push(`postal-mime subject ${JSON.stringify(pm.subject)}, want ${JSON.stringify(want)}`);
  } else {
    const want = expect.flatMap(([, members]) => members.map(m => [collapse(m[0]), unquoted(m[1])]));
    if (utf8 && want.some(([, a]) => a.includes('\uFEFF'))) {
      quirk('mailparser: U+FEFF in an addr-spec with utf8 on (not compared)');
      continue;
    }
    const header = mp.headers.get(lname);
    const got = header ? flatten(header.value) : [];
    if (JSON.stringify(got) !== JSON.stringify(want)) errors.push(`mailparser ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
  if (errors.length === 0) { passed++; continue; }
  failed++;
  if (shown++ < 12) {
    console.log(`FAIL case ${id} (${kind}) ${name}: ${errors.join('; ')}`);
    console.log(`   input:  ${JSON.stringify(input)}`);
    console.log(`   output: ${JSON.stringify(out.toString('utf8'))}`);
  }
}
for (const [what, n] of Object.entries(quirks)) console.log(`quirk left out: ${what}: ${n}`);
const { version: mpv } = JSON.parse(fs.readFileSync(new URL('./node_modules/mailparser/package.json', import.meta.url)));
const { version: pmv } = JSON.parse(fs.readFileSync(new URL('./node_modules/postal-mime/package.json', import.meta.url)));
console.log(`node ${process.version}, mailparser ${mpv}, postal-mime ${pmv}`);
console.log(`${passed} passed, ${failed} failed`);
// At least the Subjects and address fields of one run: a decoder that saw nothing must fail.
process.exit(failed === 0 && passed >= 300 ? 0 : 1);
