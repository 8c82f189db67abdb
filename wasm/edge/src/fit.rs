//! Keeping a report within what one queue message may hold.
//!
//! Cloudflare Queues refuses a message over 128 KB (128,000 bytes, about 100 of them its own
//! metadata). A filter report lists every match and, with `REPORT_INCLUDE_TEXT`, carries the post's
//! text, so a 1 MiB post can make a report several times that size. A refused report would only
//! reach the origin by the slower direct path (or not at all), so [`fit_filter_report`] shortens it
//! instead, and says so in the report itself: matches past the first ones are counted in
//! `matches_omitted`, and texts cut to a prefix are named in `text_truncated`. `post_sha256` and
//! `categories` are left alone, so they always describe the whole post.
//!
//! [`first_within`], the rule for keeping the first matches that fit, also bounds which matches a
//! filter report makes JSON of at all (a queue message's worth; the rest are only counted) and
//! the list of matches in the `403` answered for a blocked post (`filter::blocked_body`).

use serde_json::Value;

/// The most bytes of JSON a report may take: the queue's 128,000 less its metadata, with a
/// margin so that a report that fits here is never refused for its size.
pub const MAX_REPORT_BYTES: usize = 120_000;

/// Room kept for `,"matches_omitted":N` (N up to 20 digits).
const OMITTED_MARKER: usize = 40;

/// Shortens a filter report (as `filter::filter_report` writes it) until its JSON takes at most
/// `max` bytes, and returns whether it now does.
///
/// Nothing changes when it already fits. Otherwise the budget left after the report's fixed part
/// is shared between matches and text: matches keep the first ones that fit in at least half of it
/// (all of it without text, more when the text needs less); the texts share the rest fairly (a
/// short field keeps all of its text, long ones are cut to equal shares, each at a character
/// boundary). The report names the cut fields in `text_truncated` and counts the dropped matches
/// in `matches_omitted` (with any it counted already). It returns `false` only when the fixed part alone is over `max` (a route
/// or field names of tens of kilobytes); the report is then left shortened as far as it goes.
pub fn fit_filter_report(report: &mut Value, max: usize) -> bool {
    if json_len(report) <= max {
        return true;
    }
    let Some(obj) = report.as_object_mut() else {
        return false;
    };
    let matches = match obj.get_mut("matches") {
        Some(Value::Array(m)) => std::mem::take(m),
        _ => Vec::new(),
    };
    // Matches left out before (never made JSON) are counted with those dropped here.
    let omitted_before = obj
        .remove("matches_omitted")
        .and_then(|n| n.as_u64())
        .map_or(0, |n| n as usize);
    let mut text = match obj.remove("text") {
        Some(Value::Object(t)) => Some(t),
        Some(other) => {
            obj.insert("text".into(), other);
            None
        }
        None => None,
    };

    // The fixed part: the report without matches and text, the text's keys with empty values,
    // and room for both markers (every text field named, as if all were cut).
    let mut fixed = json_len(report) + OMITTED_MARKER;
    if let Some(t) = &text {
        // `,"text":{}` and `,"text_truncated":[]`
        fixed += 10 + 20;
        for key in t.keys() {
            let key_len = json_str_len(key);
            // `"key":"",` in the text and `"key",` in the marker.
            fixed += key_len + 4 + key_len + 1;
        }
    }
    let avail = max.saturating_sub(fixed);

    let text_need: usize = text.iter().flat_map(|t| t.values()).map(content_len).sum();
    let match_budget = if text_need == 0 {
        avail
    } else {
        avail.saturating_sub(text_need).max(avail / 2)
    };
    let total = matches.len();
    let (matches, used) = first_within(matches, usize::MAX, match_budget);
    let omitted = total - matches.len() + omitted_before;

    let mut truncated = Vec::new();
    if let Some(t) = &mut text {
        let needs: Vec<usize> = t.values().map(content_len).collect();
        let shares = fair_shares(&needs, avail - used);
        for ((key, value), share) in t.iter_mut().zip(shares) {
            if let Value::String(s) = value {
                let cut = prefix_within(s, share).len();
                if cut < s.len() {
                    s.truncate(cut);
                    truncated.push(Value::String(key.clone()));
                }
            }
        }
    }

    let Some(obj) = report.as_object_mut() else {
        return false;
    };
    if let Some(Value::Array(m)) = obj.get_mut("matches") {
        *m = matches;
    }
    if omitted > 0 {
        obj.insert("matches_omitted".into(), omitted.into());
    }
    if let Some(t) = text {
        obj.insert("text".into(), Value::Object(t));
        if !truncated.is_empty() {
            obj.insert("text_truncated".into(), Value::Array(truncated));
        }
    }
    json_len(report) <= max
}

/// The first of `items` whose JSON, with a separating comma each, takes at most `budget` bytes,
/// and at most `max_count` of them; with the bytes they take.
///
/// It stops at the first item that does not fit rather than skipping it, so what is kept is
/// always a prefix ("the first N"), and a count of the rest says exactly what was left out. Items
/// are taken from the iterator only until then, so a lazy iterator over hundreds of thousands of
/// matches builds the JSON of the few it keeps, not of all of them.
pub fn first_within(
    items: impl IntoIterator<Item = Value>,
    max_count: usize,
    budget: usize,
) -> (Vec<Value>, usize) {
    let mut kept = Vec::new();
    let mut used = 0;
    for item in items.into_iter().take(max_count) {
        let size = json_len(&item) + 1;
        if used + size > budget {
            break;
        }
        used += size;
        kept.push(item);
    }
    (kept, used)
}

/// Bytes of `value` serialized as compact JSON.
pub fn json_len(value: &Value) -> usize {
    // Serializing a `Value` cannot fail (its keys are strings); count it as too large if it did.
    serde_json::to_string(value).map_or(usize::MAX, |s| s.len())
}

/// Bytes of `s` as a JSON string, quotes included, escaped the way serde_json escapes.
pub fn json_str_len(s: &str) -> usize {
    2 + s.chars().map(escaped_len).sum::<usize>()
}

fn escaped_len(c: char) -> usize {
    match c {
        '"' | '\\' | '\u{8}' | '\u{c}' | '\n' | '\r' | '\t' => 2,
        c if c < ' ' => 6,
        c => c.len_utf8(),
    }
}

/// The bytes a text value adds beyond an empty string `""`.
fn content_len(value: &Value) -> usize {
    match value {
        Value::String(s) => json_str_len(s) - 2,
        _ => 0,
    }
}

/// The longest prefix of `s`, ending at a character boundary, whose escaped form takes at most
/// `budget` bytes.
fn prefix_within(s: &str, budget: usize) -> &str {
    let mut used = 0;
    for (i, c) in s.char_indices() {
        used += escaped_len(c);
        if used > budget {
            return &s[..i];
        }
    }
    s
}

/// Splits `budget` among `needs`: each gets what it needs if that is no more than an equal share
/// of what the smaller needs leave, and the larger ones split the rest equally.
fn fair_shares(needs: &[usize], budget: usize) -> Vec<usize> {
    // Water-filling without a sort (a sort costs kilobytes of wasm; there are a few fields):
    // settle every need under the current equal share, until none is.
    let mut shares: Vec<Option<usize>> = vec![None; needs.len()];
    let mut left = budget;
    loop {
        let open = shares.iter().filter(|s| s.is_none()).count();
        if open == 0 {
            break;
        }
        let share = left / open;
        let mut settled = false;
        for (s, &need) in shares.iter_mut().zip(needs) {
            if s.is_none() && need <= share {
                *s = Some(need);
                left -= need;
                settled = true;
            }
        }
        if !settled {
            // Every open need is over the share: each gets the share, the first ones the
            // remainder's bytes.
            let mut extra = left % open;
            for s in shares.iter_mut().filter(|s| s.is_none()) {
                let one = usize::from(extra > 0);
                extra -= one;
                *s = Some(share + one);
            }
        }
    }
    shares.into_iter().map(|s| s.unwrap_or(0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report(matches: usize, texts: &[(&str, String)]) -> Value {
        let mut r = json!({
            "v": 1, "id": "9ba608d6-a560-49a7-9d48-30c83c38e6b7", "kind": "filter",
            "time": "2026-11-28T03:36:33.180Z", "route": "POST /api/posts", "verdict": "flag",
            "matches": (0..matches).map(|i| json!({"field": "/text", "start": i * 5, "end": i * 5 + 4,
                "start_utf16": i * 5, "end_utf16": i * 5 + 4, "rule": "spam", "action": "flag",
                "category": "spam"})).collect::<Vec<_>>(),
            "categories": ["spam"], "user": null, "post_sha256": "ab".repeat(32),
        });
        if !texts.is_empty() {
            r["text"] = texts
                .iter()
                .map(|(k, v)| (k.to_string(), Value::String(v.clone())))
                .collect::<serde_json::Map<_, _>>()
                .into();
        }
        r
    }

    #[test]
    fn a_report_that_fits_is_untouched() {
        let mut r = report(3, &[("/text", "spam spam spam".into())]);
        let before = r.clone();
        assert!(fit_filter_report(&mut r, MAX_REPORT_BYTES));
        assert_eq!(r, before);
    }

    #[test]
    fn a_long_text_is_cut_and_named() {
        // A 1 MiB post of multi-byte text and newlines, as REPORT_INCLUDE_TEXT would carry it.
        let long = "出会い系\n".repeat(80_000);
        let mut r = report(
            2,
            &[("/text", long.clone()), ("/spoiler_text", "cw".into())],
        );
        assert!(fit_filter_report(&mut r, MAX_REPORT_BYTES));
        let s = r.to_string();
        assert!(s.len() <= MAX_REPORT_BYTES, "{}", s.len());
        assert!(
            s.len() > MAX_REPORT_BYTES - 1000,
            "the budget is used: {}",
            s.len()
        );
        let cut = r["text"]["/text"].as_str().unwrap();
        assert!(long.starts_with(cut) && !cut.is_empty());
        assert_eq!(
            r["text"]["/spoiler_text"], "cw",
            "a short field keeps its text"
        );
        assert_eq!(r["text_truncated"], json!(["/text"]));
        assert_eq!(r["matches"].as_array().unwrap().len(), 2);
        assert!(r.get("matches_omitted").is_none());
        assert_eq!(r["post_sha256"], "ab".repeat(32));
    }

    #[test]
    fn many_matches_are_counted_not_listed() {
        let mut r = report(5000, &[]);
        assert!(fit_filter_report(&mut r, MAX_REPORT_BYTES));
        assert!(r.to_string().len() <= MAX_REPORT_BYTES);
        let kept = r["matches"].as_array().unwrap().len();
        assert!(kept > 100);
        assert_eq!(kept + r["matches_omitted"].as_u64().unwrap() as usize, 5000);
        assert_eq!(
            r["matches"][0]["start"], 0,
            "the first matches are the ones kept"
        );
        assert_eq!(r["categories"], json!(["spam"]));
        assert!(r.get("text_truncated").is_none());
    }

    #[test]
    fn matches_and_text_share_the_budget() {
        let mut r = report(5000, &[("/text", "x".repeat(1_000_000))]);
        assert!(fit_filter_report(&mut r, MAX_REPORT_BYTES));
        assert!(r.to_string().len() <= MAX_REPORT_BYTES);
        let text = r["text"]["/text"].as_str().unwrap().len();
        assert!(
            text >= MAX_REPORT_BYTES / 3,
            "text keeps a fair part: {text}"
        );
        assert!(r["matches_omitted"].as_u64().unwrap() > 0);
    }

    #[test]
    fn long_texts_get_equal_shares() {
        let texts = [
            ("/a", "a".repeat(300_000)),
            ("/b", "b".repeat(300_000)),
            ("/c", "c".repeat(10)),
        ];
        let mut r = report(1, &texts);
        assert!(fit_filter_report(&mut r, MAX_REPORT_BYTES));
        let (a, b) = (
            r["text"]["/a"].as_str().unwrap().len(),
            r["text"]["/b"].as_str().unwrap().len(),
        );
        assert!(a.abs_diff(b) <= 1 && a > 50_000, "{a} {b}");
        assert_eq!(r["text"]["/c"].as_str().unwrap().len(), 10);
        assert_eq!(r["text_truncated"], json!(["/a", "/b"]));
    }

    #[test]
    fn a_fixed_part_over_the_limit_is_reported() {
        let mut r = report(10, &[("/text", "x".repeat(100))]);
        r["route"] = Value::String("/".repeat(200));
        assert!(!fit_filter_report(&mut r, 100));
        assert!(
            fit_filter_report(&mut r.clone(), 10_000),
            "fits with more room"
        );
    }

    #[test]
    fn first_within_keeps_a_prefix_by_count_and_bytes() {
        let items = || (0..10).map(|i| json!("x".repeat(i * 10)));
        // Item i takes 10 * i + 2 bytes of JSON, plus its comma.
        let (kept, used) = first_within(items(), usize::MAX, 3 + 13 + 23);
        assert_eq!(kept.len(), 3);
        assert_eq!(used, 39);
        let (kept, _) = first_within(items(), 2, usize::MAX);
        assert_eq!(kept, items().take(2).collect::<Vec<_>>());
        // An item too large stops the list there, even when later ones would fit.
        let (kept, used) = first_within([json!("x".repeat(50)), json!(1)], 9, 20);
        assert!(kept.is_empty());
        assert_eq!(used, 0);
    }

    #[test]
    fn shares() {
        assert_eq!(fair_shares(&[10, 100, 100], 110), [10, 50, 50]);
        assert_eq!(fair_shares(&[5, 5], 100), [5, 5]);
        assert_eq!(fair_shares(&[], 100), Vec::<usize>::new());
        assert_eq!(fair_shares(&[7, 7, 7], 0), [0, 0, 0]);
        assert_eq!(fair_shares(&[100, 3, 100], 52), [25, 3, 24]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        #[test]
        fn escaped_lengths_agree_with_serde_json(s in "\\PC*|[\\x00-\\x20\"\\\\]*") {
            proptest::prop_assert_eq!(json_str_len(&s), serde_json::to_string(&s).unwrap().len());
        }

        #[test]
        fn shares_are_fair(needs in proptest::collection::vec(0usize..1000, 0..6), budget in 0usize..3000) {
            let shares = fair_shares(&needs, budget);
            let total: usize = needs.iter().sum();
            proptest::prop_assert_eq!(shares.iter().sum::<usize>(), budget.min(total));
            let most = shares.iter().copied().max().unwrap_or(0);
            for (&s, &n) in shares.iter().zip(&needs) {
                // Nobody gets more than they need, and whoever gets less got (almost) the most.
                proptest::prop_assert!(s <= n);
                proptest::prop_assert!(s == n || s + 1 >= most);
            }
        }

        #[test]
        fn fitted_reports_fit(
            matches in 0usize..1500,
            texts in proptest::collection::vec(("/[a-z]{1,8}", "(\\PC|[\\x00-\\x1f\"]){0,100}", 1usize..1000), 0..4),
            max in 2_000usize..150_000,
        ) {
            let texts: Vec<(&str, String)> =
                texts.iter().map(|(k, v, n)| (k.as_str(), v.repeat(*n))).collect();
            let mut r = report(matches, &texts);
            let original = r.clone();
            proptest::prop_assert!(fit_filter_report(&mut r, max));
            proptest::prop_assert!(r.to_string().len() <= max);
            // Everything kept is a prefix of what was there.
            for (k, v) in r["text"].as_object().into_iter().flatten() {
                let was = original["text"][k].as_str().unwrap();
                proptest::prop_assert!(was.starts_with(v.as_str().unwrap()));
            }
            let kept = r["matches"].as_array().unwrap().len();
            let omitted = r.get("matches_omitted").map_or(0, |n| n.as_u64().unwrap() as usize);
            proptest::prop_assert_eq!(kept + omitted, matches);
        }
    }
}
