//! Scanning the text of a post and turning the verdict into what the edge answers: the `403` body,
//! the `termgate-matches` header and the report.

use serde_json::{json, Value};
use termgate::{Action, Category, Scanner};

use crate::extract::Field;
use crate::fit::{first_within, fit_filter_report, MAX_REPORT_BYTES};
use crate::i18n::{self, Lang};

/// One match, located in the field it was found in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldMatch {
    /// Where the text came from (a JSON pointer, a form field name, or `body`).
    pub field: String,
    /// Byte offset of the match in that field's UTF-8 text.
    pub start: usize,
    /// Byte offset just past the match.
    pub end: usize,
    /// `start` in UTF-16 code units (what JavaScript string indexes count).
    pub start_utf16: usize,
    /// `end` in UTF-16 code units.
    pub end_utf16: usize,
    /// The rule as written in its term list.
    pub rule: String,
    /// What the rule does.
    pub action: Action,
    /// The rule's report category, if its section named one.
    pub category: Option<Category>,
}

/// The verdict on a whole post: the strongest action among the matches of every field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// `None` is allow.
    pub action: Option<Action>,
    /// Every surviving match, field by field.
    pub matches: Vec<FieldMatch>,
}

impl Outcome {
    /// `block`, `flag`, `warn`, `hide`, `collapse` or `allow`.
    pub fn name(&self) -> &'static str {
        self.action.map_or("allow", Action::as_str)
    }

    /// The distinct categories of the matches, in order of first appearance.
    pub fn categories(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for c in self.matches.iter().filter_map(|m| m.category) {
            if !out.contains(&c.as_str()) {
                out.push(c.as_str());
            }
        }
        out
    }
}

/// Scans each field on its own (a rule, `&&` rules included, matches within one field) and combines
/// the verdicts.
pub fn scan(scanner: &Scanner<'_>, fields: &[Field]) -> Outcome {
    let mut outcome = Outcome::default();
    for field in fields {
        let verdict = scanner.check(&field.text);
        let offsets: Vec<usize> = verdict
            .matches
            .iter()
            .flat_map(|m| [m.start, m.end])
            .collect();
        let utf16 = termgate::utf16_offsets(&field.text, &offsets);
        if let Some(action) = verdict.action {
            // `Action` orders strongest first.
            outcome.action = Some(outcome.action.map_or(action, |a| a.min(action)));
        }
        outcome.matches.extend(
            verdict
                .matches
                .into_iter()
                .enumerate()
                .map(|(i, m)| FieldMatch {
                    field: field.name.clone(),
                    start: m.start,
                    end: m.end,
                    start_utf16: utf16[2 * i],
                    end_utf16: utf16[2 * i + 1],
                    rule: m.rule,
                    action: m.action,
                    category: m.category,
                }),
        );
    }
    outcome
}

fn match_json(m: &FieldMatch) -> Value {
    json!({
        "field": m.field,
        "start": m.start,
        "end": m.end,
        "start_utf16": m.start_utf16,
        "end_utf16": m.end_utf16,
        "rule": m.rule,
        "action": m.action.as_str(),
        "category": m.category.map(Category::as_str),
    })
}

/// The JSON of the first of `outcome`'s matches within `max_count` and `max_bytes` (see
/// [`first_within`]), and how many are left out. Lazily: a 1 MiB post can have a hundred thousand
/// matches, and only the ones kept become JSON.
fn first_matches(outcome: &Outcome, max_count: usize, max_bytes: usize) -> (Vec<Value>, usize) {
    let (kept, _) = first_within(outcome.matches.iter().map(match_json), max_count, max_bytes);
    let omitted = outcome.matches.len() - kept.len();
    (kept, omitted)
}

/// The most matches the `403` of a blocked post lists; the rest are counted in `matches_omitted`.
/// Enough to show an author what to change; the answer must not grow with the post.
pub const BLOCKED_MATCHES_MAX: usize = 100;

/// The most bytes of JSON the matches listed in a `403` may take. The count alone does not bound
/// the answer: a match repeats its field's name, which a JSON body chooses (`/poll/options/*`
/// names object members), and its rule (up to 16 parts of 256 characters). With this, the whole
/// answer stays under [`BLOCKED_BODY_MAX_BYTES`] whatever the post.
pub const BLOCKED_MATCHES_MAX_BYTES: usize = 32 * 1024;

/// The most bytes the `403` body of a blocked post takes (documented in docs/edge.md): the
/// matches' budget and room for the error, the longest message and `matches_omitted`.
pub const BLOCKED_BODY_MAX_BYTES: usize = BLOCKED_MATCHES_MAX_BYTES + 1024;

/// The JSON body of the `403` answered for a blocked post: the first matches, within
/// [`BLOCKED_MATCHES_MAX`] and [`BLOCKED_MATCHES_MAX_BYTES`] (in the order of the fields and of the
/// text), and `matches_omitted` counting the rest when there are more, as filter reports do.
pub fn blocked_body(outcome: &Outcome, lang: Lang) -> Value {
    let (listed, omitted) = first_matches(outcome, BLOCKED_MATCHES_MAX, BLOCKED_MATCHES_MAX_BYTES);
    let mut body = json!({
        "error": "post_blocked",
        "message": i18n::POST_BLOCKED.get(lang),
        "matches": listed,
    });
    if omitted > 0 {
        body["matches_omitted"] = omitted.into();
    }
    body
}

/// The most bytes of `termgate-matches`; further matches are summarized as `+N`.
pub const MATCHES_HEADER_MAX: usize = 2048;

/// The `termgate-matches` header: one entry per match, `field;start-end;action;category;rule`,
/// entries separated by `,`. `field` and `rule` are percent-encoded like JavaScript's
/// `encodeURIComponent` (so `decodeURIComponent` undoes them and no entry contains `,` or `;`);
/// a match without a category has an empty category. Past [`MATCHES_HEADER_MAX`] bytes the rest is
/// summarized as a last entry `+N`.
pub fn matches_header(outcome: &Outcome) -> String {
    let mut out = String::new();
    for (i, m) in outcome.matches.iter().enumerate() {
        let entry = format!(
            "{};{}-{};{};{};{}",
            encode_component(&m.field),
            m.start,
            m.end,
            m.action.as_str(),
            m.category.map_or("", Category::as_str),
            encode_component(&m.rule)
        );
        let rest = outcome.matches.len() - i;
        if out.len() + entry.len() + 1 > MATCHES_HEADER_MAX - 8 {
            out.push_str(&format!(",+{rest}"));
            break;
        }
        if !out.is_empty() {
            out.push(',');
        }
        out.push_str(&entry);
    }
    out
}

/// Percent-encodes like JavaScript's `encodeURIComponent`.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// What the worker knows about a scanned request when it writes a report.
pub struct ReportContext<'a> {
    /// A unique id (a UUID).
    pub id: &'a str,
    /// Milliseconds since the Unix epoch.
    pub time_ms: f64,
    /// `METHOD /path`.
    pub route: &'a str,
    /// The user id from the session token, when there was a valid one.
    pub user: Option<&'a str>,
    /// The raw request body, hashed into the report.
    pub body: &'a [u8],
    /// The scanned fields, included only when `include_text`.
    pub fields: &'a [Field],
    /// `REPORT_INCLUDE_TEXT`.
    pub include_text: bool,
}

/// Version of the report message format.
pub const REPORT_VERSION: u32 = 1;

/// The queue message for a blocked or flagged post (format version 1; documented in docs/edge.md),
/// shortened to [`MAX_REPORT_BYTES`] of JSON when it would be longer (see [`fit_filter_report`]).
pub fn filter_report(ctx: &ReportContext<'_>, outcome: &Outcome) -> Value {
    // No more than a queue message's worth of matches is ever sent.
    let (matches, omitted) = first_matches(outcome, usize::MAX, MAX_REPORT_BYTES);
    let mut report = json!({
        "v": REPORT_VERSION,
        "id": ctx.id,
        "kind": "filter",
        "time": iso8601(ctx.time_ms),
        "route": ctx.route,
        "verdict": outcome.name(),
        "matches": matches,
        "categories": outcome.categories(),
        "user": ctx.user,
        "post_sha256": sha256_hex(ctx.body),
    });
    if omitted > 0 {
        report["matches_omitted"] = omitted.into();
    }
    if ctx.include_text {
        report["text"] = ctx
            .fields
            .iter()
            .map(|f| (f.name.clone(), Value::String(f.text.clone())))
            .collect::<serde_json::Map<_, _>>()
            .into();
    }
    // Only a route or field names of tens of kilobytes keep it over; the queue then refuses it
    // and the report goes to the origin directly.
    fit_filter_report(&mut report, MAX_REPORT_BYTES);
    report
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` for milliseconds since the epoch, as JavaScript's clock gives them
/// (a float): a clock that reads NaN or before 1970 counts as the epoch.
pub fn iso8601(ms: f64) -> String {
    let ms = if ms.is_finite() && ms >= 0.0 {
        ms as i64
    } else {
        0
    };
    termgate::format_instant_millis(ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::json_len;

    fn m(field: &str, rule: &str, action: Action, category: Option<Category>) -> FieldMatch {
        FieldMatch {
            field: field.into(),
            start: 0,
            end: 4,
            start_utf16: 0,
            end_utf16: 4,
            rule: rule.into(),
            action,
            category,
        }
    }

    #[test]
    fn names_and_categories() {
        let o = Outcome {
            action: Some(Action::Flag),
            matches: vec![
                m("/text", "a", Action::Flag, Some(Category::Spam)),
                m("/text", "b", Action::Warn, None),
                m("/x", "c", Action::Flag, Some(Category::Spam)),
                m("/x", "d", Action::Warn, Some(Category::Harassment)),
            ],
        };
        assert_eq!(o.name(), "flag");
        assert_eq!(o.categories(), ["spam", "harassment"]);
        assert_eq!(Outcome::default().name(), "allow");
    }

    #[test]
    fn header_is_compact_and_ascii() {
        let o = Outcome {
            action: Some(Action::Warn),
            matches: vec![
                m(
                    "/poll/options/0",
                    "ばか",
                    Action::Warn,
                    Some(Category::Harassment),
                ),
                m("text", "a && b;c,d", Action::Warn, None),
            ],
        };
        assert_eq!(
            matches_header(&o),
            "%2Fpoll%2Foptions%2F0;0-4;warn;harassment;%E3%81%B0%E3%81%8B,\
             text;0-4;warn;;a%20%26%26%20b%3Bc%2Cd"
        );
        let many = Outcome {
            action: Some(Action::Warn),
            matches: (0..500)
                .map(|_| m("/text", "idiot", Action::Warn, None))
                .collect(),
        };
        let h = matches_header(&many);
        assert!(h.len() <= MATCHES_HEADER_MAX, "{}", h.len());
        assert!(h.is_ascii());
        let last = h.rsplit(',').next().unwrap();
        let shown = h.split(',').count() - 1;
        assert_eq!(last, format!("+{}", 500 - shown));
    }

    #[test]
    fn blocked_body_shape() {
        let o = Outcome {
            action: Some(Action::Block),
            matches: vec![m("/text", "kys", Action::Block, Some(Category::Harassment))],
        };
        let body = blocked_body(&o, Lang::Ja);
        assert_eq!(body["error"], "post_blocked");
        assert_eq!(body["message"], i18n::POST_BLOCKED.ja);
        assert_eq!(
            body["matches"][0],
            json!({"field":"/text","start":0,"end":4,"start_utf16":0,"end_utf16":4,"rule":"kys","action":"block","category":"harassment"})
        );
        assert_eq!(blocked_body(&o, Lang::En)["message"], i18n::POST_BLOCKED.en);
        assert!(body.get("matches_omitted").is_none(), "only when some are");
    }

    #[test]
    fn blocked_body_lists_the_first_matches_and_counts_the_rest() {
        let o = Outcome {
            action: Some(Action::Block),
            matches: (0..150_000)
                .map(|i| FieldMatch {
                    start: 7 * i,
                    ..m("/text", "死ね", Action::Block, Some(Category::Harassment))
                })
                .collect(),
        };
        let body = blocked_body(&o, Lang::Ja);
        let listed = body["matches"].as_array().unwrap();
        assert_eq!(listed.len(), BLOCKED_MATCHES_MAX);
        assert_eq!(listed[0]["start"], 0);
        assert_eq!(listed[99]["start"], 7 * 99, "the first ones, in order");
        assert_eq!(body["matches_omitted"], 150_000 - BLOCKED_MATCHES_MAX);
        assert!(json_len(&body) <= BLOCKED_BODY_MAX_BYTES);
    }

    #[test]
    fn blocked_body_is_bounded_whatever_the_names() {
        // Field names come from the post (object members under `/poll/options/*`), and rules may
        // be long: the byte budget, not the count, bounds these.
        let long = |n: usize, len: usize| Outcome {
            action: Some(Action::Block),
            matches: (0..n)
                .map(|i| {
                    m(
                        &format!("/poll/options/{}", "x".repeat(len + i)),
                        &"r".repeat(len),
                        Action::Block,
                        None,
                    )
                })
                .collect(),
        };
        for (n, len, want_listed) in [(50, 2_000, 7), (3, 1 << 20, 0), (1, 10_000, 1)] {
            let body = blocked_body(&long(n, len), Lang::En);
            assert!(
                json_len(&body) <= BLOCKED_BODY_MAX_BYTES,
                "{n} x {len}: {}",
                json_len(&body)
            );
            let listed = body["matches"].as_array().unwrap().len();
            assert_eq!(listed, want_listed, "{n} x {len}");
            let omitted = body
                .get("matches_omitted")
                .map_or(0, |v| v.as_u64().unwrap());
            assert_eq!(listed + omitted as usize, n);
        }
        // The bound holds for the longer message too, with the largest count.
        let mut body = blocked_body(&long(50, 2_000), Lang::Ja);
        body["matches_omitted"] = u64::MAX.into();
        assert!(json_len(&body) <= BLOCKED_BODY_MAX_BYTES);
    }

    #[test]
    fn report_shape() {
        let o = Outcome {
            action: Some(Action::Flag),
            matches: vec![m("/text", "出会い系", Action::Flag, Some(Category::Spam))],
        };
        let fields = [Field {
            name: "/text".into(),
            text: "出会い系".into(),
        }];
        let mut ctx = ReportContext {
            id: "id-1",
            time_ms: 1_795_000_000_123.0,
            route: "POST /api/posts",
            user: Some("alice"),
            body: b"abc",
            fields: &fields,
            include_text: false,
        };
        let r = filter_report(&ctx, &o);
        assert_eq!(r["v"], 1);
        assert_eq!(r["kind"], "filter");
        assert_eq!(r["verdict"], "flag");
        assert_eq!(r["categories"], json!(["spam"]));
        assert_eq!(r["user"], "alice");
        assert_eq!(
            r["post_sha256"],
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(r.get("text").is_none());
        ctx.include_text = true;
        ctx.user = None;
        let r = filter_report(&ctx, &o);
        assert_eq!(r["text"], json!({"/text": "出会い系"}));
        assert_eq!(r["user"], Value::Null);
    }

    #[test]
    fn a_report_of_a_large_post_fits_the_queue() {
        let text = "buy followers ".repeat(70_000);
        let fields = [Field {
            name: "/text".into(),
            text: text.clone(),
        }];
        let o = Outcome {
            action: Some(Action::Block),
            // More than could ever fit: the first become JSON, the rest are only counted.
            matches: (0..150_000)
                .map(|i| FieldMatch {
                    start: i,
                    ..m("/text", "buy", Action::Block, Some(Category::Spam))
                })
                .collect(),
        };
        let r = filter_report(
            &ReportContext {
                id: "id-2",
                time_ms: 0.0,
                route: "POST /api/posts",
                user: None,
                body: text.as_bytes(),
                fields: &fields,
                include_text: true,
            },
            &o,
        );
        assert!(r.to_string().len() <= MAX_REPORT_BYTES);
        assert_eq!(r["post_sha256"], sha256_hex(text.as_bytes()));
        assert_eq!(r["text_truncated"], json!(["/text"]));
        assert!(text.starts_with(r["text"]["/text"].as_str().unwrap()));
        let listed = r["matches"].as_array().unwrap();
        assert!(!listed.is_empty());
        assert_eq!(
            listed.last().unwrap()["start"],
            listed.len() - 1,
            "the first ones"
        );
        assert_eq!(
            listed.len() + r["matches_omitted"].as_u64().unwrap() as usize,
            150_000
        );
        assert_eq!(r["categories"], json!(["spam"]));
    }

    #[test]
    fn scans_fields_with_both_offsets() {
        let set = termgate::compile_str("[block harassment]\n死ね\n[warn]\nidiot\n").unwrap();
        let scanner = Scanner::new(&[&set]).at(0);
        let fields = [
            Field {
                name: "/text".into(),
                text: "ok idiot".into(),
            },
            Field {
                name: "/poll/options/0".into(),
                text: "🙂 お前 死ね".into(),
            },
        ];
        let o = scan(&scanner, &fields);
        assert_eq!(o.action, Some(Action::Block));
        let got: Vec<_> = o
            .matches
            .iter()
            .map(|m| {
                (
                    m.field.as_str(),
                    m.start,
                    m.end,
                    m.start_utf16,
                    m.end_utf16,
                    m.action,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("/text", 3, 8, 3, 8, Action::Warn),
                ("/poll/options/0", 12, 18, 6, 8, Action::Block),
            ]
        );
        assert_eq!(scan(&scanner, &[]), Outcome::default());
    }

    #[test]
    fn dates() {
        assert_eq!(iso8601(0.0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(951_782_400_000.0), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso8601(1_795_000_000_123.0), "2026-11-18T11:06:40.123Z");
        assert_eq!(iso8601(f64::NAN), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(-1.0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(f64::INFINITY), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn encodes_like_javascript() {
        assert_eq!(
            encode_component("a-b_c.d!e~f*g'h(i)j"),
            "a-b_c.d!e~f*g'h(i)j"
        );
        assert_eq!(encode_component("a b/c"), "a%20b%2Fc");
    }
}
