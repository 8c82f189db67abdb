//! Reports: user problem reports taken at `POST /_termgate/reports`, and delivering queued reports
//! to the origin in signed batches.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use termgate::report::{self, Lang};
use termgate::Category;

use crate::filter::{iso8601, REPORT_VERSION};
use crate::fit::{json_len, MAX_REPORT_BYTES};
use crate::i18n;

/// A user report that was refused: the status to answer and the body explaining why.
#[derive(Debug)]
pub struct Refused {
    /// `400` for a report that is malformed or incomplete, `413` for one too large to queue.
    pub status: u16,
    /// `{"error": ..., "message": ..., ...}`.
    pub body: Value,
}

impl Refused {
    fn bad(body: Value) -> Self {
        Refused { status: 400, body }
    }
}

/// The longest user report body accepted, in bytes.
pub const MAX_USER_REPORT_BYTES: usize = 256 * 1024;

/// Checks a user report body `{"category": "...", "fields": {"name": "value", ...}}` and returns
/// the queue message for it. `id`, `time_ms` and `user` are the worker's.
///
/// A complete report whose message would be over [`MAX_REPORT_BYTES`] is refused with `413`
/// rather than cut: the fields are the reporter's evidence, and the reporter still has them to
/// shorten.
pub fn user_report(
    body: &[u8],
    lang: Lang,
    id: &str,
    time_ms: f64,
    user: Option<&str>,
) -> Result<Value, Refused> {
    let doc: Value = serde_json::from_slice(body).map_err(|_| {
        Refused::bad(json!({"error": "malformed_body", "message": i18n::MALFORMED.get(lang)}))
    })?;
    let all: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
    let Some(category) = doc
        .get("category")
        .and_then(Value::as_str)
        .and_then(|c| c.parse::<Category>().ok())
    else {
        return Err(Refused::bad(json!({
            "error": "unknown_category",
            "message": i18n::UNKNOWN_CATEGORY.get(lang),
            "categories": all,
        })));
    };
    let mut values = BTreeMap::new();
    if let Some(Value::Object(fields)) = doc.get("fields") {
        for (k, v) in fields {
            if let Value::String(s) = v {
                values.insert(k.clone(), s.clone());
            }
        }
    }
    if let Err(missing) = report::validate(category, &values) {
        return Err(Refused::bad(json!({
            "error": "missing_fields",
            "category": category.as_str(),
            "message": missing.message(lang),
            "missing": missing.problems().iter().map(|(f, p)| json!({
                "name": f.name,
                "label": f.label(lang),
                "problem": p.as_str(),
                "detail": p.describe(lang),
            })).collect::<Vec<_>>(),
        })));
    }
    // Only the fields the category asks for travel on.
    let kept: serde_json::Map<String, Value> = report::required_fields(category)
        .iter()
        .filter_map(|f| Some((f.name.to_string(), Value::String(values.remove(f.name)?))))
        .collect();
    let report = json!({
        "v": REPORT_VERSION,
        "id": id,
        "kind": "user",
        "time": iso8601(time_ms),
        "category": category.as_str(),
        "fields": kept,
        "user": user,
    });
    if json_len(&report) > MAX_REPORT_BYTES {
        let sizes: Vec<Value> = report::required_fields(category)
            .iter()
            .map(|f| {
                let bytes = report["fields"][f.name].as_str().map_or(0, str::len);
                json!({"name": f.name, "label": f.label(lang), "bytes": bytes})
            })
            .collect();
        return Err(Refused {
            status: 413,
            body: json!({
                "error": "too_large",
                "message": i18n::REPORT_TOO_LARGE.get(lang),
                "max_bytes": MAX_REPORT_BYTES,
                "fields": sizes,
            }),
        });
    }
    Ok(report)
}

/// The `413` body for a user report body over [`MAX_USER_REPORT_BYTES`], which is refused unread:
/// the limit and a message in the reporter's language, like the `413` of a report too large to
/// queue (which also names each field's size; this one has no fields it has read).
pub fn body_too_large(lang: Lang) -> Value {
    json!({
        "error": "too_large",
        "message": i18n::REPORT_BODY_TOO_LARGE.get(lang),
        "max_bytes": MAX_USER_REPORT_BYTES,
    })
}

/// How an accepted user report went on its way to the origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sent {
    /// Through the `REPORTS` queue, to be delivered in a batch.
    Queued,
    /// To the origin directly, because the queue refused it or is not bound; the origin took it.
    Delivered,
}

impl Sent {
    /// `queued` or `delivered`, the `status` of the `202` body.
    pub fn as_str(self) -> &'static str {
        match self {
            Sent::Queued => "queued",
            Sent::Delivered => "delivered",
        }
    }
}

/// The `202` body for an accepted user report.
pub fn accepted_body(id: &str, sent: Sent, lang: Lang) -> Value {
    json!({"id": id, "status": sent.as_str(), "message": i18n::REPORT_ACCEPTED.get(lang)})
}

/// What a client needs to build the report form: `GET /_termgate/reports/fields`.
///
/// `{"categories":[{"category","label_en","label_ja","fields":[{"name","kind","label_en","label_ja"}]}]}`,
/// the categories in the guidelines' order (`other` last), which is the order a form should offer
/// them in; an array, since a JSON object's member order is not kept.
pub fn fields_catalogue() -> Value {
    let categories: Vec<Value> = Category::ALL
        .iter()
        .map(|&c| {
            let fields: Vec<Value> = report::required_fields(c)
                .iter()
                .map(|f| {
                    json!({"name": f.name, "kind": f.kind.as_str(),
                           "label_en": f.label_en, "label_ja": f.label_ja})
                })
                .collect();
            json!({
                "category": c.as_str(),
                "label_en": report::category_label(c, Lang::En),
                "label_ja": report::category_label(c, Lang::Ja),
                "fields": fields,
            })
        })
        .collect();
    json!({ "categories": categories })
}

/// A batch ready to POST to the origin.
#[derive(Debug, PartialEq, Eq)]
pub struct Delivery {
    /// `{"v":1,"reports":[...]}`.
    pub body: String,
    /// The report ids, in order, for the `termgate-report-ids` header.
    pub ids: Vec<String>,
    /// Indexes of messages that are not report JSON (acknowledged and dropped, with a log line).
    pub rejected: Vec<usize>,
}

/// Builds the delivery for a batch of queued messages (each a JSON string).
pub fn delivery(messages: &[String]) -> Delivery {
    let mut reports = Vec::with_capacity(messages.len());
    let mut ids = Vec::new();
    let mut rejected = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        match serde_json::from_str::<Value>(m) {
            Ok(v) if v.get("id").and_then(Value::as_str).is_some() => {
                ids.push(v["id"].as_str().unwrap_or_default().to_string());
                reports.push(v);
            }
            _ => rejected.push(i),
        }
    }
    Delivery {
        body: json!({"v": REPORT_VERSION, "reports": reports}).to_string(),
        ids,
        rejected,
    }
}

/// The `termgate-signature` header: `v1=` and the hex HMAC-SHA256, under the `REPORT_SECRET`, of
/// the `termgate-timestamp` header value, a `.`, and the body.
pub fn signature(secret: &[u8], timestamp: u64, body: &str) -> String {
    let mac = crate::session::hmac_sha256(secret, format!("{timestamp}.{body}").as_bytes());
    let mut out = String::from("v1=");
    for b in mac {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// How long to wait before retrying a delivery of a message first queued `age_s` seconds ago: as
/// long as it has already waited, between `base` and `max`. Each retry doubles the total wait, an
/// exponential backoff that needs no attempt counter.
pub fn retry_delay(age_s: f64, base: u32, max: u32) -> u32 {
    let age = if age_s.is_finite() && age_s > 0.0 {
        age_s.min(f64::from(u32::MAX)) as u32
    } else {
        0
    };
    age.clamp(base, max.max(base))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complete_user_report() {
        let body = br#"{"category":"spam","fields":{"header_information":"Received: from x","body_text":"buy now","extra":"dropped"}}"#;
        let v = user_report(body, Lang::En, "r1", 0.0, Some("alice")).unwrap();
        assert_eq!(v["kind"], "user");
        assert_eq!(v["category"], "spam");
        assert_eq!(v["user"], "alice");
        assert_eq!(
            v["fields"],
            json!({"header_information":"Received: from x","body_text":"buy now"})
        );
    }

    #[test]
    fn incomplete_user_report_names_every_field() {
        let body = br#"{"category":"copyright","fields":{"comments":"please check","location":"no url here"}}"#;
        let Refused { status, body: v } = user_report(body, Lang::Ja, "r", 0.0, None).unwrap_err();
        assert_eq!(status, 400);
        assert_eq!(v["error"], "missing_fields");
        let names: Vec<&str> = v["missing"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["location", "proof_of_rights", "claimant"]);
        assert_eq!(v["missing"][0]["problem"], "no_url");
        assert!(v["message"].as_str().unwrap().starts_with("未入力"));
    }

    #[test]
    fn bad_user_reports() {
        let Refused { body: v, .. } = user_report(b"{", Lang::En, "r", 0.0, None).unwrap_err();
        assert_eq!(v["error"], "malformed_body");
        let Refused { body: v, .. } =
            user_report(br#"{"category":"weird"}"#, Lang::En, "r", 0.0, None).unwrap_err();
        assert_eq!(v["error"], "unknown_category");
        assert_eq!(
            v["categories"].as_array().unwrap().len(),
            Category::ALL.len()
        );
        let Refused { body: v, .. } =
            user_report(br#"{"category":"spam"}"#, Lang::En, "r", 0.0, None).unwrap_err();
        assert_eq!(v["missing"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn a_user_report_too_large_to_queue_is_refused_whole() {
        let body = json!({"category": "spam", "fields": {
            "header_information": "h".repeat(50_000), "body_text": "b".repeat(60_000)}});
        let body = body.to_string();
        let fits = user_report(body.as_bytes(), Lang::En, "r", 0.0, None).unwrap();
        assert!(json_len(&fits) <= MAX_REPORT_BYTES);

        let body = json!({"category": "spam", "fields": {
            "header_information": "h".repeat(55_000), "body_text": "b".repeat(65_000)}});
        let Refused { status, body: v } =
            user_report(body.to_string().as_bytes(), Lang::Ja, "r", 0.0, None).unwrap_err();
        assert_eq!(status, 413);
        assert_eq!(v["error"], "too_large");
        assert_eq!(v["max_bytes"], MAX_REPORT_BYTES);
        assert_eq!(v["fields"][0]["name"], "header_information");
        assert_eq!(
            v["fields"][1],
            json!({"name": "body_text", "label": "受信した迷惑メールの本文", "bytes": 65_000})
        );
        assert_eq!(v["message"], i18n::REPORT_TOO_LARGE.ja);
        // The messages state the limit the code applies.
        let limit = "120,000";
        assert_eq!(MAX_REPORT_BYTES.to_string(), limit.replace(',', ""));
        assert!(i18n::REPORT_TOO_LARGE.en.contains(limit));
        assert!(i18n::REPORT_TOO_LARGE.ja.contains(limit));
    }

    #[test]
    fn a_body_over_the_limit_is_refused_in_either_language() {
        for lang in [Lang::En, Lang::Ja] {
            let v = body_too_large(lang);
            assert_eq!(v["error"], "too_large");
            assert_eq!(v["max_bytes"], 262_144);
            assert_eq!(v["message"], i18n::REPORT_BODY_TOO_LARGE.get(lang));
        }
        // The messages state the limit the code applies.
        assert_eq!(MAX_USER_REPORT_BYTES, 256 * 1024);
        for text in [
            i18n::REPORT_BODY_TOO_LARGE.en,
            i18n::REPORT_BODY_TOO_LARGE.ja,
        ] {
            assert!(
                text.contains("256 KiB") && text.contains("262,144"),
                "{text}"
            );
        }
    }

    #[test]
    fn accepted_says_how_it_was_sent() {
        let v = accepted_body("r1", Sent::Queued, Lang::En);
        assert_eq!(
            v,
            json!({"id": "r1", "status": "queued", "message": i18n::REPORT_ACCEPTED.en})
        );
        let v = accepted_body("r2", Sent::Delivered, Lang::Ja);
        assert_eq!(v["status"], "delivered");
        assert_eq!(v["message"], i18n::REPORT_ACCEPTED.ja);
    }

    #[test]
    fn batches() {
        let msgs = vec![
            r#"{"v":1,"id":"a","kind":"filter"}"#.to_string(),
            "not json".to_string(),
            r#"{"v":1,"kind":"no id"}"#.to_string(),
            r#"{"v":1,"id":"b","kind":"user"}"#.to_string(),
        ];
        let d = delivery(&msgs);
        assert_eq!(d.ids, ["a", "b"]);
        assert_eq!(d.rejected, [1, 2]);
        let v: Value = serde_json::from_str(&d.body).unwrap();
        assert_eq!(v["reports"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn signatures() {
        // Same as Node: crypto.createHmac("sha256","k").update("1.{}").digest("hex")
        assert_eq!(
            signature(b"k", 1, "{}"),
            format!("v1={}", {
                let mac = crate::session::hmac_sha256(b"k", b"1.{}");
                mac.iter().map(|b| format!("{b:02x}")).collect::<String>()
            })
        );
        assert!(signature(b"k", 1, "{}").len() == 3 + 64);
    }

    #[test]
    fn backoff() {
        assert_eq!(retry_delay(0.0, 5, 600), 5);
        assert_eq!(retry_delay(12.7, 5, 600), 12);
        assert_eq!(retry_delay(1e9, 5, 600), 600);
        assert_eq!(retry_delay(f64::NAN, 5, 600), 5);
        assert_eq!(retry_delay(-3.0, 0, 0), 0);
        assert_eq!(retry_delay(100.0, 10, 1), 10);
    }

    #[test]
    fn catalogue_lists_every_category_in_order_with_labels() {
        let c = fields_catalogue();
        let cats = c["categories"].as_array().unwrap();
        let names: Vec<&str> = cats
            .iter()
            .map(|c| c["category"].as_str().unwrap())
            .collect();
        let all: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(names, all);
        assert_eq!(cats[0]["label_en"], "Spam");
        assert_eq!(cats[0]["label_ja"], "迷惑メール・スパム");
        assert_eq!(cats[0]["fields"][0]["name"], "header_information");
        assert_eq!(cats[0]["fields"][0]["label_ja"], "ヘッダー情報");
        for c in cats {
            assert!(!c["label_en"].as_str().unwrap().is_empty());
            assert!(!c["label_ja"].as_str().unwrap().is_empty());
            assert!(!c["fields"].as_array().unwrap().is_empty());
        }
    }
}
