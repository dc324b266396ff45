// Decodes the cases of tests/differential.rs with Jakarta Mail (the JavaMail reference
// implementation, Debian's libjakarta-mail-java), which shares no code with the CPython,
// Perl and JavaScript decoders. Run by tests/interop/run.sh on the lines of to_tsv.py.
//
// Checked, on a whole message parsed by MimeMessage:
// - unstructured fields: MimeUtility.decodeText(MimeUtility.unfold(raw)) equals the input
//   (caller folds removed; runs of SP/HTAB compared as one);
// - address fields: InternetAddress.parseHeader(raw, strict) gives the expected display
//   names and addr-specs in order (group members in place of their group); strict, which
//   also validates every address, with utf8 off; not strict with utf8 on, since Jakarta
//   Mail 2.0 refuses non-ASCII domains there.
// Decoder quirks left out, each counted and printed (see README "Robustness"):
// - a backslash right before a line break: MimeUtility.unfold reads it as an escaped line
//   break (its own fold() writes one so), drops the backslash and keeps the break;
// - a group whose display name is a quoted-string holding ':' or ';': parseHeader
//   ends the group there ("Illegal semicolon, not in group").
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;

public class Decode {
    static final Pattern BACKSLASH_FOLD = Pattern.compile("\\\\\\r?\\n[ \\t]");

    /** Whether a quoted-string holding ':' or ';' is followed by ':' (a group's name). */
    static boolean quotedGroupName(String wire) {
        for (int i = 0; i < wire.length(); i++) {
            if (wire.charAt(i) != '"') continue;
            boolean special = false;
            int j = i + 1;
            for (; j < wire.length() && wire.charAt(j) != '"'; j++) {
                char c = wire.charAt(j);
                if (c == '\\') j++;
                else if (c == ':' || c == ';') special = true;
            }
            int k = j + 1;
            while (k < wire.length() && " \t\r\n".indexOf(wire.charAt(k)) >= 0) k++;
            if (special && k < wire.length() && wire.charAt(k) == ':') return true;
            i = j;
        }
        return false;
    }

    static String collapse(String s) {
        return s == null ? "" : s.replaceAll("[ \\t]+", " ").trim();
    }

    /** An addr-spec with its quoted local part unquoted, as InternetAddress reports it. */
    static String unquoted(String a) {
        if (a != null && a.startsWith("\"")) {
            int end = a.lastIndexOf("\"@");
            if (end > 0) return a.substring(1, end).replaceAll("\\\\(.)", "$1") + a.substring(end + 1);
        }
        return a;
    }

    static String text(String b64) {
        return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
    }

    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.setProperty("mail.mime.allowutf8", "true");
        Session session = Session.getInstance(props);
        int passed = 0, failed = 0, shown = 0;
        TreeMap<String, Integer> quirks = new TreeMap<>();
        for (String line : Files.readAllLines(Paths.get(args[0]), StandardCharsets.UTF_8)) {
            String[] f = line.split("\t", -1);
            String id = f[0], kind = f[1], name = f[2];
            boolean utf8 = f[3].equals("1");
            String input = text(f[4]);
            byte[] out = new byte[f[5].length() / 2];
            for (int i = 0; i < out.length; i++) out[i] = (byte) Integer.parseInt(f[5].substring(2 * i, 2 * i + 2), 16);
            String wire = new String(out, StandardCharsets.UTF_8);
            if (BACKSLASH_FOLD.matcher(wire).find()) {
                quirks.merge("a backslash before a fold (unfold keeps the line break)", 1, Integer::sum);
                continue;
            }
            if (!kind.equals("unstructured") && quotedGroupName(wire)) {
                quirks.merge("a quoted group name holding ':' or ';' (not compared)", 1, Integer::sum);
                continue;
            }
            String error = null;
            try {
                ByteArrayOutputStream message = new ByteArrayOutputStream();
                message.write("X-Before: 1\r\n".getBytes(StandardCharsets.US_ASCII));
                message.write(out);
                message.write("X-After: 2\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
                MimeMessage m = new MimeMessage(session, new ByteArrayInputStream(message.toByteArray()));
                String raw = m.getHeader(name, null);
                if (raw == null) throw new IllegalStateException("field not found");
                if (kind.equals("unstructured")) {
                    String got = MimeUtility.decodeText(MimeUtility.unfold(raw));
                    String want = input.replaceAll("\\r?\\n(?=[ \\t])", "");
                    if (!collapse(got).equals(collapse(want))) error = "decoded [" + got + "], want [" + want + "]";
                } else {
                    List<String> got = new ArrayList<>();
                    for (InternetAddress a : InternetAddress.parseHeader(MimeUtility.unfold(raw), !utf8)) {
                        InternetAddress[] members = a.isGroup() ? a.getGroup(!utf8) : new InternetAddress[] {a};
                        for (InternetAddress b : members) got.add(collapse(b.getPersonal()) + "\u001f" + unquoted(b.getAddress()));
                    }
                    List<String> want = new ArrayList<>();
                    String expected = text(f[6]);
                    if (!expected.isEmpty()) {
                        for (String mb : expected.split("\u001e", -1)) {
                            String[] p = mb.split("\u001f", -1);
                            want.add(collapse(p[0]) + "\u001f" + unquoted(p[1]));
                        }
                    }
                    if (!got.equals(want)) error = "mailboxes " + got + ", want " + want;
                }
            } catch (Exception e) {
                error = "threw " + e;
            }
            if (error == null) {
                passed++;
                continue;
            }
            failed++;
            if (shown++ < 12) {
                System.out.println("FAIL case " + id + " (" + kind + ") " + name + ": " + error);
                System.out.println("   output: " + wire.replace("\r", "\\r").replace("\n", "\\n"));
            }
        }
        quirks.forEach((what, n) -> System.out.println("quirk left out: " + what + ": " + n));
        System.out.println("java " + System.getProperty("java.version") + ", jakarta mail "
                + Session.class.getPackage().getImplementationVersion());
        System.out.println(passed + " passed, " + failed + " failed");
        // At least the unstructured and address fields of one run: one that saw nothing fails.
        System.exit(failed == 0 && passed >= 1000 ? 0 : 1);
    }
}
