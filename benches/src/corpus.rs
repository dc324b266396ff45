//! A deterministic corpus of header fields with the category mix of issue 7.
//!
//! Everything is generated from a seed by a small built-in PRNG and word lists written for
//! this file, so the corpus is the same on every machine and needs no files from outside.
//!
//! ```
//! use mailfold_benches::corpus::{generate, Category, DEFAULT_SEED};
//!
//! let fields = generate(DEFAULT_SEED, 1_000);
//! assert_eq!(fields.len(), 1_000);
//! let subjects = fields.iter().filter(|f| f.category == Category::AsciiSubject).count();
//! assert_eq!(subjects, 300);
//! assert_eq!(generate(DEFAULT_SEED, 1_000), fields);
//! ```

/// The seed the benchmarks and the exported corpus use.
pub const DEFAULT_SEED: u64 = 0x6d61_696c_666f_6c64; // "mailfold"
/// The corpus size of issue 7.
pub const DEFAULT_FIELDS: usize = 20_000;

/// SplitMix64: tiny, fast, and good enough to pick words; not for cryptography.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    ///
    /// ```
    /// let mut a = mailfold_benches::corpus::Rng::new(1);
    /// let mut b = mailfold_benches::corpus::Rng::new(1);
    /// assert_eq!(a.next_u64(), b.next_u64());
    /// ```
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    ///
    /// ```
    /// assert_ne!(mailfold_benches::corpus::Rng::new(7).next_u64(), 0);
    /// ```
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`); the tiny modulo bias does not matter here.
    ///
    /// ```
    /// assert!(mailfold_benches::corpus::Rng::new(3).below(10) < 10);
    /// ```
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `lo..=hi`.
    ///
    /// ```
    /// let x = mailfold_benches::corpus::Rng::new(3).range(10, 20);
    /// assert!((10..=20).contains(&x));
    /// ```
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent`/100.
    ///
    /// ```
    /// assert!(mailfold_benches::corpus::Rng::new(3).percent(100));
    /// ```
    pub fn percent(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// One element of a non-empty slice.
    ///
    /// ```
    /// assert_eq!(*mailfold_benches::corpus::Rng::new(3).pick(&[5]), 5);
    /// ```
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The kinds of fields in the corpus, with their share of it (issue 7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// 30%: ASCII `Subject`, 10–200 characters.
    AsciiSubject,
    /// 15%: UTF-8 `Subject` (Latin, CJK, Cyrillic, emoji), 10–150 characters.
    Utf8Subject,
    /// 15%: `From`/`To`/`Cc` with 1–8 mailboxes, some with non-ASCII or quoted names.
    AddressList,
    /// 10%: `Message-ID`, some with 60-character hosts.
    MessageId,
    /// 10%: `References` with 1–30 ids.
    References,
    /// 10%: `In-Reply-To`.
    InReplyTo,
    /// 10%: long ASCII `X-` fields, 200–2,000 characters.
    LongX,
}

impl Category {
    /// All categories, in table order.
    pub const ALL: [Category; 7] = [
        Category::AsciiSubject,
        Category::Utf8Subject,
        Category::AddressList,
        Category::MessageId,
        Category::References,
        Category::InReplyTo,
        Category::LongX,
    ];

    /// Short machine name (benchmark ids, JSON).
    ///
    /// ```
    /// assert_eq!(mailfold_benches::corpus::Category::LongX.key(), "long_x");
    /// ```
    pub fn key(self) -> &'static str {
        match self {
            Category::AsciiSubject => "ascii_subject",
            Category::Utf8Subject => "utf8_subject",
            Category::AddressList => "address_list",
            Category::MessageId => "message_id",
            Category::References => "references",
            Category::InReplyTo => "in_reply_to",
            Category::LongX => "long_x",
        }
    }

    /// Human name for tables.
    ///
    /// ```
    /// assert_eq!(mailfold_benches::corpus::Category::LongX.label(), "long ASCII X-");
    /// ```
    pub fn label(self) -> &'static str {
        match self {
            Category::AsciiSubject => "ASCII Subject",
            Category::Utf8Subject => "UTF-8 Subject",
            Category::AddressList => "From/To/Cc",
            Category::MessageId => "Message-ID",
            Category::References => "References",
            Category::InReplyTo => "In-Reply-To",
            Category::LongX => "long ASCII X-",
        }
    }

    /// Share of the corpus, in percent.
    ///
    /// ```
    /// use mailfold_benches::corpus::Category;
    /// assert_eq!(Category::ALL.iter().map(|c| c.percent()).sum::<usize>(), 100);
    /// ```
    pub fn percent(self) -> usize {
        match self {
            Category::AsciiSubject => 30,
            Category::Utf8Subject | Category::AddressList => 15,
            _ => 10,
        }
    }

    /// Inverse of [`Category::key`].
    ///
    /// ```
    /// use mailfold_benches::corpus::Category;
    /// assert_eq!(Category::from_key("references"), Some(Category::References));
    /// ```
    pub fn from_key(key: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.key() == key)
    }
}

/// A mailbox of an address field, in structured form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mbox {
    /// The display name as the person wrote it (not quoted, not encoded).
    pub display_name: Option<String>,
    /// `local@domain`, a dot-atom local part.
    pub addr_spec: String,
}

/// One header field of the corpus.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// What kind of field it is.
    pub category: Category,
    /// The field name (`Subject`, `To`, `X-...`).
    pub name: &'static str,
    /// The value in text form, as a caller hands it to `format_header`.
    pub value: String,
    /// Address fields: the same mailboxes in structured form (empty for other fields).
    pub mailboxes: Vec<Mbox>,
}

impl Field {
    /// Address fields: the msg-ids without angle brackets, for peers that add them.
    ///
    /// ```
    /// use mailfold_benches::corpus::{Category, Field};
    /// let f = Field { category: Category::References, name: "References", value: "<a@b> <c@d>".into(), mailboxes: vec![] };
    /// assert_eq!(f.msg_ids().collect::<Vec<_>>(), ["a@b", "c@d"]);
    /// ```
    pub fn msg_ids(&self) -> impl Iterator<Item = &str> {
        self.value
            .split_ascii_whitespace()
            .map(|id| id.trim_start_matches('<').trim_end_matches('>'))
    }
}

/// Generates `total` fields from `seed`, in the issue-7 mix, shuffled.
///
/// Each category gets `total * percent / 100` fields (the remainder goes to ASCII Subjects),
/// so category counts are exact and stable.
pub fn generate(seed: u64, total: usize) -> Vec<Field> {
    let mut rng = Rng::new(seed);
    let mut fields = Vec::with_capacity(total);
    let mut counts: Vec<(Category, usize)> = Category::ALL
        .iter()
        .map(|&c| (c, total * c.percent() / 100))
        .collect();
    let assigned: usize = counts.iter().map(|c| c.1).sum();
    counts[0].1 += total - assigned;
    for (category, count) in counts {
        for _ in 0..count {
            fields.push(make_field(&mut rng, category));
        }
    }
    // Fisher-Yates, so the overall run interleaves categories as real header blocks do.
    for i in (1..fields.len()).rev() {
        let j = rng.below(i + 1);
        fields.swap(i, j);
    }
    fields
}

fn make_field(rng: &mut Rng, category: Category) -> Field {
    let (name, value, mailboxes) = match category {
        Category::AsciiSubject => ("Subject", ascii_subject(rng), Vec::new()),
        Category::Utf8Subject => ("Subject", utf8_subject(rng), Vec::new()),
        Category::AddressList => {
            let name = *rng.pick(&["To", "To", "To", "Cc", "Cc", "From"]);
            let n = if name == "From" { 1 } else { rng.range(1, 8) };
            let boxes: Vec<Mbox> = (0..n).map(|_| mailbox(rng)).collect();
            let text = boxes
                .iter()
                .map(mailbox_text)
                .collect::<Vec<_>>()
                .join(", ");
            (name, text, boxes)
        }
        Category::MessageId => ("Message-ID", msg_id(rng), Vec::new()),
        Category::References => {
            let n = rng.range(1, 30);
            let ids: Vec<String> = (0..n).map(|_| msg_id(rng)).collect();
            ("References", ids.join(" "), Vec::new())
        }
        Category::InReplyTo => {
            let n = if rng.percent(10) { 2 } else { 1 };
            let ids: Vec<String> = (0..n).map(|_| msg_id(rng)).collect();
            ("In-Reply-To", ids.join(" "), Vec::new())
        }
        Category::LongX => {
            let name = *rng.pick(X_NAMES);
            (name, long_x(rng), Vec::new())
        }
    };
    Field {
        category,
        name,
        value,
        mailboxes,
    }
}

const ASCII_WORDS: &[&str] = &[
    "the",
    "meeting",
    "agenda",
    "for",
    "next",
    "week",
    "quarterly",
    "report",
    "invoice",
    "payment",
    "received",
    "please",
    "review",
    "attached",
    "draft",
    "update",
    "on",
    "project",
    "status",
    "build",
    "failed",
    "passed",
    "release",
    "notes",
    "version",
    "schedule",
    "change",
    "request",
    "approved",
    "pending",
    "urgent",
    "reminder",
    "your",
    "account",
    "order",
    "shipped",
    "delivery",
    "confirmation",
    "team",
    "lunch",
    "Friday",
    "Monday",
    "budget",
    "proposal",
    "contract",
    "renewal",
    "security",
    "alert",
    "password",
    "reset",
    "welcome",
    "newsletter",
    "issue",
    "fixed",
    "regression",
    "in",
    "parser",
    "and",
    "with",
    "from",
    "to",
    "a",
    "of",
    "is",
    "new",
    "comments",
    "thread",
    "question",
    "about",
    "deployment",
    "production",
    "staging",
    "server",
    "migration",
    "database",
    "backup",
    "completed",
    "2024",
    "2025",
    "Q3",
    "v1.4.2",
    "#4821",
    "(draft)",
    "FYI",
    "re-run",
    "follow-up",
    "customer-facing",
    "OKR",
    "postmortem",
    "incident",
    "on-call",
    "handover",
    "e-mail",
];
const SUBJECT_PREFIXES: &[&str] = &[
    "Re: ",
    "RE: ",
    "Fwd: ",
    "Re: Re: ",
    "[PATCH v3 2/7] ",
    "[ticket #48213] ",
    "[dev-list] ",
    "Invitation: ",
    "Accepted: ",
];

/// Builds text of about `len` characters from `word()`, joined by single spaces, trimmed.
fn words_to_len(rng: &mut Rng, len: usize, mut word: impl FnMut(&mut Rng) -> String) -> String {
    let mut out = String::new();
    while out.chars().count() < len {
        if !out.is_empty() {
            out.push_str(match rng.below(20) {
                0 => ", ",
                1 => " - ",
                _ => " ",
            });
        }
        out.push_str(&word(rng));
    }
    let cut: String = out.chars().take(len).collect();
    cut.trim().to_string()
}

fn ascii_subject(rng: &mut Rng) -> String {
    let len = rng.range(10, 200);
    let mut s = String::new();
    if rng.percent(30) {
        let prefix: &&str = rng.pick(SUBJECT_PREFIXES);
        s.push_str(prefix);
    }
    let body = words_to_len(rng, len.saturating_sub(s.len()).max(1), |r| {
        r.pick(ASCII_WORDS).to_string()
    });
    s.push_str(&body);
    let mut s: String = s.chars().take(len).collect::<String>().trim().to_string();
    while s.len() < 10 {
        s.push_str(" ok");
    }
    s
}

const LATIN_WORDS: &[&str] = &[
    "Grüße",
    "aus",
    "Köln",
    "Überweisung",
    "Rechnung",
    "für",
    "März",
    "café",
    "réunion",
    "déjà",
    "été",
    "naïve",
    "señor",
    "año",
    "mañana",
    "Ångström",
    "Zoë",
    "Łódź",
    "Kraków",
    "smörgåsbord",
    "façade",
    "Straße",
    "Bestätigung",
    "Änderung",
    "prévue",
    "àjour",
    "Ørsted",
    "Crème",
    "brûlée",
    "Málaga",
    "São",
    "Paulo",
    "Ñandú",
    "Göteborg",
];
const CJK_PHRASES: &[&str] = &[
    "会议通知",
    "请查收附件",
    "关于",
    "项目进度",
    "報告書",
    "お知らせ",
    "ご確認ください",
    "来週の打ち合わせ",
    "회의",
    "안내",
    "月度总结",
    "发票",
    "已发货",
    "請求書",
    "重要",
];
const CYRILLIC_WORDS: &[&str] = &[
    "Привет",
    "Счёт",
    "на",
    "оплату",
    "отчёт",
    "за",
    "квартал",
    "Встреча",
    "перенесена",
    "завтра",
    "документы",
    "Срочно",
    "договор",
    "подписан",
    "Ваш",
    "заказ",
    "отправлен",
];
const EMOJI: &[&str] = &[
    "🎉",
    "🚀",
    "✅",
    "👍🏽",
    "🔥",
    "📎",
    "❤️",
    "🇩🇪",
    "👨‍👩‍👧",
    "⚠️",
    "🙂",
];

fn utf8_subject(rng: &mut Rng) -> String {
    let chars = rng.range(10, 150);
    let flavour = rng.below(100);
    let s = words_to_len(rng, chars, |r| {
        let ascii = r.percent(35);
        match flavour {
            0..=34 if ascii => r.pick(ASCII_WORDS).to_string(),
            0..=34 => r.pick(LATIN_WORDS).to_string(),
            35..=59 if r.percent(15) => r.pick(&["PDF", "2025", "Q3", "v2", "OK"]).to_string(),
            // CJK runs carry no spaces between phrases, as CJK text is written.
            35..=59 => (0..r.range(1, 3))
                .map(|_| *r.pick(CJK_PHRASES))
                .collect::<String>(),
            60..=84 if r.percent(20) => r.pick(&["№42", "2025", "PDF", "ООО", "ok"]).to_string(),
            60..=84 => r.pick(CYRILLIC_WORDS).to_string(),
            _ if r.percent(30) => r.pick(EMOJI).to_string(),
            _ if ascii => r.pick(ASCII_WORDS).to_string(),
            _ => r.pick(LATIN_WORDS).to_string(),
        }
    });
    if s.is_ascii() || s.chars().count() < 10 {
        // Rare short or all-ASCII draws: make it what the category promises.
        let mut s = s;
        s.push_str(" Grüße 🎉 会议");
        return s;
    }
    s
}

const FIRST: &[&str] = &[
    "John", "Jane", "Alice", "Bob", "Carol", "Dave", "Eve", "Mallory", "Trent", "Peggy", "Victor",
    "Walter", "Oscar", "Grace", "Heidi", "Ivan", "Judy", "Mike", "Nia", "Sybil",
];
const LAST: &[&str] = &[
    "Smith", "Doe", "Johnson", "Brown", "Miller", "Davis", "Garcia", "Wilson", "Taylor",
    "Anderson", "Thomas", "Moore", "Martin", "Lee", "Clark", "Lewis", "Walker", "Young",
];
const NON_ASCII_NAMES: &[(&str, &str)] = &[
    ("Zoë Ärger", "zoe.aerger"),
    ("José Müller", "jose.mueller"),
    ("François Lefèvre", "f.lefevre"),
    ("Björn Ødegård", "bjorn"),
    ("Иван Петров", "ivan.petrov"),
    ("Мария Иванова", "m.ivanova"),
    ("山田 太郎", "yamada"),
    ("王小明", "wang.xm"),
    ("Łukasz Żółć", "lukasz"),
    ("Ana Conceição", "ana.c"),
    ("Renée Çelik 🌻", "renee"),
];
const DOMAINS: &[&str] = &[
    "example.com",
    "example.org",
    "mail.example.net",
    "corp.example.co.uk",
    "lists.example.io",
    "cs.department.university.example.edu",
];

fn mailbox(rng: &mut Rng) -> Mbox {
    let first = *rng.pick(FIRST);
    let last = *rng.pick(LAST);
    let domain = *rng.pick(DOMAINS);
    let plain_local = match rng.below(4) {
        0 => format!("{}.{}", first, last),
        1 => format!("{}_{}", first, last),
        2 => format!(
            "{}{}+{}",
            &first[..1],
            last,
            rng.pick(&["news", "lists", "x"])
        ),
        _ => format!("{}{}", first, rng.range(1, 9999)),
    }
    .to_ascii_lowercase();
    let (name, local) = match rng.below(100) {
        0..=24 => (None, plain_local),
        25..=59 => (Some(format!("{first} {last}")), plain_local),
        60..=74 => {
            let name = match rng.below(4) {
                0 => format!("{last}, {first}"),
                1 => format!("{first} {}. {last}", &last[..1]),
                2 => format!("{first} \"{}\" {last}", rng.pick(&["Ace", "Doc", "Q"])),
                _ => format!("ACME Corp. (Support) {first}"),
            };
            (Some(name), plain_local)
        }
        _ => {
            let (name, local) = *rng.pick(NON_ASCII_NAMES);
            (Some(name.to_string()), local.to_string())
        }
    };
    Mbox {
        display_name: name,
        addr_spec: format!("{local}@{domain}"),
    }
}

/// The text form of a mailbox, as a person writes it: names with specials quoted.
fn mailbox_text(m: &Mbox) -> String {
    match &m.display_name {
        None => m.addr_spec.clone(),
        Some(name) => {
            let needs_quotes = name.bytes().any(|b| b"()<>[]:;@\\,.\"".contains(&b));
            if needs_quotes {
                let escaped = name.replace('\\', "\\\\").replace('"', "\\\"");
                format!("\"{escaped}\" <{}>", m.addr_spec)
            } else {
                format!("{name} <{}>", m.addr_spec)
            }
        }
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";
const ID_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+_-=";

fn random_from(rng: &mut Rng, alphabet: &[u8], n: usize) -> String {
    (0..n).map(|_| *rng.pick(alphabet) as char).collect()
}

fn random_len_from(rng: &mut Rng, alphabet: &[u8], lo: usize, hi: usize) -> String {
    let n = rng.range(lo, hi);
    random_from(rng, alphabet, n)
}

fn uuid_text(rng: &mut Rng) -> String {
    let h = random_from(rng, HEX, 32);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

const HOST_SUFFIXES: &[&str] = &[
    "prvt.dyno.rt.heroku.com",
    "eurprd04.prod.outlook.com",
    "namprd11.prod.outlook.com",
    "mail.example.com",
    "mx.google.com",
];
const SHORT_HOSTS: &[&str] = &[
    "mail.gmail.com",
    "example.com",
    "smtp.example.org",
    "mx1.example.net",
    "localhost.localdomain",
    "lists.example.io",
    "github.com",
];

/// A host name of exactly 60 characters: a generated first label plus a real-looking suffix.
fn long_host(rng: &mut Rng) -> String {
    let suffix = *rng.pick(HOST_SUFFIXES);
    let first_len = 60 - 1 - suffix.len();
    let mut label = uuid_text(rng);
    label.truncate(first_len);
    while label.len() < first_len {
        label.push(*rng.pick(HEX) as char);
    }
    let label = label.trim_end_matches('-').to_string();
    let mut label = label;
    while label.len() < first_len {
        label.push('0');
    }
    format!("{label}.{suffix}")
}

fn msg_id(rng: &mut Rng) -> String {
    let left = match rng.below(4) {
        0 => format!(
            "{}.{}.{}",
            random_from(rng, b"0123456789", 12)
                .trim_start_matches('0')
                .to_owned()
                + "1",
            rng.range(1, 9),
            random_from(rng, b"0123456789", 20)
        ),
        1 => random_from(rng, HEX, 32),
        2 => format!("CA{}", random_len_from(rng, ID_CHARS, 30, 60)).replace("==", "=A"),
        _ => format!(
            "{}.{}.JavaMail.{}",
            rng.range(1_000_000, 9_999_999),
            rng.range(1, 99),
            rng.pick(FIRST).to_ascii_lowercase()
        ),
    };
    let host = if rng.percent(30) {
        long_host(rng)
    } else {
        rng.pick(SHORT_HOSTS).to_string()
    };
    format!("<{left}@{host}>")
}

const X_NAMES: &[&str] = &[
    "X-Forefront-Antispam-Report",
    "X-Microsoft-Antispam-Message-Info",
    "X-Spam-Report",
    "X-Google-Smtp-Source",
    "X-MS-Exchange-Organization-Network-Message-Id",
    "X-Trace-Context",
    "X-Mailer-Diagnostics",
];
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const REPORT_KEYS: &[&str] = &[
    "CIP",
    "CTRY",
    "LANG",
    "SCL",
    "SRV",
    "IPV",
    "SFV",
    "H",
    "PTR",
    "CAT",
    "SFS",
    "DIR",
    "score",
    "tests",
    "autolearn",
    "version",
    "bayes",
    "spf",
    "dkim",
    "dmarc",
];

fn long_x(rng: &mut Rng) -> String {
    let len = rng.range(200, 2000);
    let style = rng.below(3);
    words_to_len(rng, len, |r| match style {
        0 => {
            let key = *r.pick(REPORT_KEYS);
            let value = match r.below(3) {
                0 => format!(
                    "{}.{}.{}.{}",
                    r.below(256),
                    r.below(256),
                    r.below(256),
                    r.below(256)
                ),
                1 => format!(
                    "({})({})",
                    r.range(1_000, 9_999_999),
                    r.range(1_000, 9_999_999)
                ),
                _ => random_len_from(r, ID_CHARS, 2, 24),
            };
            format!("{key}={value};")
        }
        1 => random_len_from(r, B64, 8, 76),
        _ => r.pick(ASCII_WORDS).to_string(),
    })
}

/// The value kinds of the scaling benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalingKind {
    /// Unstructured ASCII words (`Subject`).
    Ascii,
    /// Unstructured UTF-8 words in several scripts (`Subject`).
    Utf8,
    /// A `References` list of msg-ids.
    References,
}

impl ScalingKind {
    /// All kinds, in table order.
    pub const ALL: [ScalingKind; 3] = [
        ScalingKind::Ascii,
        ScalingKind::Utf8,
        ScalingKind::References,
    ];

    /// Short machine name (benchmark ids).
    ///
    /// ```
    /// assert_eq!(mailfold_benches::corpus::ScalingKind::Utf8.key(), "utf8");
    /// ```
    pub fn key(self) -> &'static str {
        match self {
            ScalingKind::Ascii => "ascii",
            ScalingKind::Utf8 => "utf8",
            ScalingKind::References => "references",
        }
    }

    /// The field name used for this kind.
    ///
    /// ```
    /// assert_eq!(mailfold_benches::corpus::ScalingKind::References.field_name(), "References");
    /// ```
    pub fn field_name(self) -> &'static str {
        match self {
            ScalingKind::Ascii | ScalingKind::Utf8 => "Subject",
            ScalingKind::References => "References",
        }
    }
}

/// The value sizes of the scaling benchmark, in bytes.
pub const SCALING_SIZES: [usize; 4] = [100, 1_000, 10_000, 100_000];

/// A value of `kind` with at most `size` bytes (and close to it), from `seed`.
///
/// ```
/// use mailfold_benches::corpus::{scaling_value, ScalingKind};
/// let v = scaling_value(ScalingKind::Utf8, 10_000, 1);
/// assert!(v.len() <= 10_000 && v.len() > 9_900 && !v.is_ascii());
/// ```
pub fn scaling_value(kind: ScalingKind, size: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed ^ size as u64);
    let mut out = String::new();
    loop {
        let word = match kind {
            ScalingKind::Ascii => rng.pick(ASCII_WORDS).to_string(),
            ScalingKind::Utf8 => match rng.below(5) {
                0 => rng.pick(ASCII_WORDS).to_string(),
                1 => rng.pick(LATIN_WORDS).to_string(),
                2 => rng.pick(CJK_PHRASES).to_string(),
                3 => rng.pick(CYRILLIC_WORDS).to_string(),
                _ => rng.pick(EMOJI).to_string(),
            },
            ScalingKind::References => msg_id(&mut rng),
        };
        let sep = usize::from(!out.is_empty());
        if out.len() + sep + word.len() > size {
            if !out.is_empty() {
                break;
            }
            // A single id longer than the size: keep it (only possible at 100 B).
            out.push_str(&word);
            break;
        }
        if sep == 1 {
            out.push(' ');
        }
        out.push_str(&word);
    }
    if kind == ScalingKind::Ascii {
        // Fill the last few bytes so every size is exact for ASCII.
        while out.len() < size {
            out.push(if out.ends_with(' ') { 'x' } else { ' ' });
        }
        while out.ends_with(' ') {
            out.pop();
            out.push('x');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mix_and_ranges_match_issue_7() {
        let fields = generate(DEFAULT_SEED, DEFAULT_FIELDS);
        assert_eq!(fields.len(), DEFAULT_FIELDS);
        for c in Category::ALL {
            let of: Vec<&Field> = fields.iter().filter(|f| f.category == c).collect();
            assert_eq!(of.len(), DEFAULT_FIELDS * c.percent() / 100, "{c:?}");
            for f in &of {
                let chars = f.value.chars().count();
                let bad_ws = f.value.starts_with(' ') || f.value.ends_with(' ');
                assert!(!bad_ws, "{f:?}");
                assert!(!f.value.contains("=?"), "{f:?}");
                assert!(!f.value.bytes().any(|b| b < 0x20 || b == 0x7f), "{f:?}");
                match c {
                    Category::AsciiSubject => {
                        assert!(f.value.is_ascii() && (10..=200).contains(&chars), "{f:?}")
                    }
                    Category::Utf8Subject => {
                        assert!(!f.value.is_ascii(), "{f:?}");
                        assert!(chars >= 10, "{f:?}");
                    }
                    Category::AddressList => {
                        assert!((1..=8).contains(&f.mailboxes.len()), "{f:?}")
                    }
                    Category::MessageId => assert_eq!(f.msg_ids().count(), 1),
                    Category::References => {
                        assert!((1..=30).contains(&f.msg_ids().count()))
                    }
                    Category::InReplyTo => assert!((1..=2).contains(&f.msg_ids().count())),
                    Category::LongX => {
                        assert!(f.value.is_ascii() && (150..=2000).contains(&chars), "{f:?}");
                        assert!(f.value.split(' ').all(|w| w.len() < 200), "{f:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn some_ids_have_60_character_hosts() {
        let fields = generate(DEFAULT_SEED, 2_000);
        let hosts: Vec<&str> = fields
            .iter()
            .filter(|f| f.category == Category::MessageId)
            .flat_map(|f| f.msg_ids())
            .map(|id| id.rsplit('@').next().unwrap())
            .collect();
        let long = hosts.iter().filter(|h| h.len() == 60).count();
        assert!(long * 5 > hosts.len(), "{long} of {}", hosts.len());
        assert!(hosts.iter().all(|h| !h.contains("..") && !h.ends_with('-')));
    }

    #[test]
    fn every_script_appears() {
        let fields = generate(DEFAULT_SEED, 2_000);
        let text: String = fields
            .iter()
            .filter(|f| f.category == Category::Utf8Subject)
            .map(|f| f.value.as_str())
            .collect();
        for probe in ["ü", "会", "П", "🎉"] {
            assert!(text.contains(probe), "{probe}");
        }
    }
}
