//! Applying a reader's mute list to a timeline response: posts matching a `hide` rule are removed,
//! posts matching a `collapse` rule get `"termgate":{"muted":true,"action":"collapse","rule":...}`.
//!
//! The response is edited in place: everything outside the posts array, and every post that is
//! kept, keeps the origin's bytes (key order, spacing, number formatting); a collapsed post gets the
//! `termgate` member appended before its closing brace. Only the whitespace between the array's
//! elements is not preserved.

use serde::de::IgnoredAny;
use serde_json::{json, Value};
use termgate::Action;

use crate::config::Pointer;
use crate::extract::{collect_pointer, json_error, ExtractError, MAX_DEPTH};

/// What became of a timeline.
#[derive(Debug, PartialEq, Eq)]
pub enum Edit {
    /// Nothing matched (or the response has no posts array): forward the origin's bytes as they are.
    Unchanged,
    /// The edited response, and how many posts were hidden and collapsed.
    Rewritten {
        /// The new JSON body.
        body: Vec<u8>,
        /// Posts removed.
        hidden: usize,
        /// Posts marked.
        collapsed: usize,
    },
}

/// Applies mutes to a timeline `body`. `items` points at the array of posts; `fields` point, inside
/// each post, at the text to match. `check` returns the strongest mute action on a text with the
/// rule that caused it (`Hide` or `Collapse`; other actions are ignored).
pub fn apply(
    body: &[u8],
    items: &Pointer,
    fields: &[Pointer],
    mut check: impl FnMut(&str) -> Option<(Action, String)>,
) -> Result<Edit, ExtractError> {
    // Validate the whole document first, without building it (serde_json skips values without
    // recursing); the span walk below may then assume well-formed JSON. Each post is parsed on its
    // own, within serde_json's recursion limit.
    serde_json::from_slice::<IgnoredAny>(body).map_err(json_error)?;
    let Some((array_start, array_end)) = span_at(body, &items.segments) else {
        return Ok(Edit::Unchanged);
    };
    if body[array_start] != b'[' {
        return Ok(Edit::Unchanged);
    }
    let (mut hidden, mut collapsed) = (0, 0);
    let mut out_items: Vec<Vec<u8>> = Vec::new();
    for (start, end) in elements(body, array_start) {
        let raw = &body[start..end];
        let post: Value = serde_json::from_slice(raw).map_err(json_error)?;
        let mut texts = Vec::new();
        for f in fields {
            collect_pointer(&post, f, &mut texts);
        }
        let mut strongest: Option<(Action, String)> = None;
        for t in &texts {
            if let Some((action, rule)) = check(&t.text) {
                if matches!(action, Action::Hide | Action::Collapse)
                    && strongest.as_ref().is_none_or(|(a, _)| action < *a)
                {
                    strongest = Some((action, rule));
                }
            }
        }
        match (strongest, post) {
            (Some((Action::Hide, _)), _) => hidden += 1,
            (Some((_, rule)), Value::Object(mut map)) => {
                let mark = json!({"muted": true, "action": "collapse", "rule": rule});
                collapsed += 1;
                if map.contains_key("termgate") {
                    // The origin already uses the name: replace it (re-serializing this post).
                    map.insert("termgate".into(), mark);
                    out_items.push(Value::Object(map).to_string().into_bytes());
                } else {
                    out_items.push(append_member(raw, &format!("\"termgate\":{mark}")));
                }
            }
            _ => out_items.push(raw.to_vec()),
        }
    }
    if hidden == 0 && collapsed == 0 {
        return Ok(Edit::Unchanged);
    }
    let mut out = Vec::with_capacity(body.len() + 64 * collapsed);
    out.extend_from_slice(&body[..array_start]);
    out.push(b'[');
    out.extend_from_slice(&out_items.join(&b","[..]));
    out.push(b']');
    out.extend_from_slice(&body[array_end..]);
    Ok(Edit::Rewritten {
        body: out,
        hidden,
        collapsed,
    })
}

/// `object` (the bytes of a JSON object) with `member` added as its last member.
fn append_member(object: &[u8], member: &str) -> Vec<u8> {
    let close = object.len() - 1; // the closing brace
    let empty = object[1..close].iter().all(u8::is_ascii_whitespace);
    let mut out = Vec::with_capacity(object.len() + member.len() + 1);
    out.extend_from_slice(&object[..close]);
    if !empty {
        out.push(b',');
    }
    out.extend_from_slice(member.as_bytes());
    out.push(b'}');
    out
}

// A span walk over JSON that has already been validated: no recursion, no allocation but the
// keys it compares.

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The end (exclusive) of the string starting at `i` (on its opening quote).
fn string_end(b: &[u8], mut i: usize) -> usize {
    i += 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// The end (exclusive) of the value starting at `i`.
fn value_end(b: &[u8], i: usize) -> usize {
    match b.get(i) {
        Some(b'"') => string_end(b, i),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = string_end(b, j);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return j + 1;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            b.len()
        }
        _ => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b']' | b'}') && !b[j].is_ascii_whitespace()
            {
                j += 1;
            }
            j
        }
    }
}

/// The spans of the elements of the array starting at `i` (on its `[`).
fn elements(b: &[u8], i: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut j = skip_ws(b, i + 1);
    if b.get(j) == Some(&b']') {
        return out;
    }
    while j < b.len() {
        let end = value_end(b, j);
        out.push((j, end));
        j = skip_ws(b, end);
        if b.get(j) != Some(&b',') {
            break;
        }
        j = skip_ws(b, j + 1);
    }
    out
}

/// The spans of the members of the object starting at `i` (on its `{`): key (with quotes) and value.
fn members(b: &[u8], i: usize) -> Vec<((usize, usize), (usize, usize))> {
    let mut out = Vec::new();
    let mut j = skip_ws(b, i + 1);
    while b.get(j) == Some(&b'"') {
        let key_end = string_end(b, j);
        let colon = skip_ws(b, key_end);
        let value = skip_ws(b, colon + 1);
        let end = value_end(b, value);
        out.push(((j, key_end), (value, end)));
        j = skip_ws(b, end);
        if b.get(j) != Some(&b',') {
            break;
        }
        j = skip_ws(b, j + 1);
    }
    out
}

/// The span of the value at `segments` (JSON pointer segments, no wildcards) in validated JSON.
fn span_at(b: &[u8], segments: &[String]) -> Option<(usize, usize)> {
    let start = skip_ws(b, 0);
    let mut span = (start, value_end(b, start));
    for (depth, seg) in segments.iter().enumerate() {
        if depth >= MAX_DEPTH {
            return None;
        }
        span = match b.get(span.0)? {
            b'{' => members(b, span.0)
                .into_iter()
                .rev()
                .find_map(|((ks, ke), v)| {
                    let key: String = serde_json::from_slice(&b[ks..ke]).ok()?;
                    (key == *seg).then_some(v)
                })?,
            b'[' => *elements(b, span.0).get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(span)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Pointer {
        Pointer::parse(s).unwrap()
    }

    fn check(text: &str) -> Option<(Action, String)> {
        if text.contains("spoiler") {
            Some((Action::Hide, "spoiler".into()))
        } else if text.contains("ネタバレ") {
            Some((Action::Collapse, "ネタバレ".into()))
        } else if text.contains("block") {
            Some((Action::Block, "block".into()))
        } else {
            None
        }
    }

    #[test]
    fn hides_and_collapses() {
        let body = r#"{"posts":[{"id":1,"text":"a spoiler"},{"id":2,"text":"ネタバレ注意"},{"id":3,"text":"fine"},{"id":4,"text":"x","spoiler_text":"spoiler!"},{"id":5,"text":"block me"}],"next":"abc"}"#;
        let edit = apply(
            body.as_bytes(),
            &p("/posts"),
            &[p("/text"), p("/spoiler_text")],
            check,
        )
        .unwrap();
        let Edit::Rewritten {
            body,
            hidden,
            collapsed,
        } = edit
        else {
            panic!("unchanged")
        };
        assert_eq!((hidden, collapsed), (2, 1));
        let v: Value = serde_json::from_slice(&body).unwrap();
        let ids: Vec<i64> = v["posts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, [2, 3, 5]);
        assert_eq!(
            v["posts"][0]["termgate"],
            json!({"muted": true, "action": "collapse", "rule": "ネタバレ"})
        );
        assert!(v["posts"][1].get("termgate").is_none());
        assert_eq!(v["next"], "abc");
        // Everything else keeps the origin's bytes.
        let text = String::from_utf8(body).unwrap();
        assert_eq!(
            text,
            r#"{"posts":[{"id":2,"text":"ネタバレ注意","termgate":{"action":"collapse","muted":true,"rule":"ネタバレ"}},{"id":3,"text":"fine"},{"id":5,"text":"block me"}],"next":"abc"}"#
        );
    }

    #[test]
    fn keeps_the_origins_bytes_around_the_edits() {
        let body = "{\n  \"z\": 1.50, \"posts\" : [ {\"text\":\"spoiler\"} ,\n {\"text\": \"ok \\\"quoted\\\" }]\",\"b\":[1,{}]}, {} , {\"text\":\"ネタバレ\", \"a\":{}} ],\n  \"a\": [] }\n";
        let edit = apply(body.as_bytes(), &p("/posts"), &[p("/text")], check).unwrap();
        let Edit::Rewritten {
            body: out,
            hidden,
            collapsed,
        } = edit
        else {
            panic!("unchanged")
        };
        assert_eq!((hidden, collapsed), (1, 1));
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\n  \"z\": 1.50, \"posts\" : [{\"text\": \"ok \\\"quoted\\\" }]\",\"b\":[1,{}]},{},{\"text\":\"ネタバレ\", \"a\":{},\"termgate\":{\"action\":\"collapse\",\"muted\":true,\"rule\":\"ネタバレ\"}}],\n  \"a\": [] }\n"
        );
    }

    #[test]
    fn empty_objects_and_existing_termgate_members() {
        assert_eq!(append_member(b"{ }", "\"k\":1"), b"{ \"k\":1}");
        assert_eq!(append_member(b"{\"a\":1}", "\"k\":1"), b"{\"a\":1,\"k\":1}");
        let body = r#"{"posts":[{"text":"ネタバレ","termgate":"theirs"}]}"#;
        let Edit::Rewritten { body, .. } =
            apply(body.as_bytes(), &p("/posts"), &[p("/text")], check).unwrap()
        else {
            panic!("unchanged")
        };
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["posts"][0]["termgate"]["muted"], true);
    }

    #[test]
    fn spans() {
        let doc = br#" {"a": {"b~/c": [10, "x]", {"d": [ ] }]}, "e": "\u0041"} "#;
        let seg = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let at = |s: &[&str]| {
            span_at(doc, &seg(s)).map(|(a, b)| std::str::from_utf8(&doc[a..b]).unwrap())
        };
        assert_eq!(at(&["a", "b~/c", "1"]), Some(r#""x]""#));
        assert_eq!(at(&["a", "b~/c", "2", "d"]), Some("[ ]"));
        assert_eq!(at(&["e"]), Some(r#""\u0041""#));
        assert_eq!(at(&["a", "b~/c", "0"]), Some("10"));
        assert_eq!(at(&["a", "nope"]), None);
        assert_eq!(at(&["a", "b~/c", "9"]), None);
        assert_eq!(at(&["e", "x"]), None);
    }

    #[test]
    fn hide_wins_over_collapse_in_one_post() {
        let body = r#"{"posts":[{"text":"ネタバレ","spoiler_text":"spoiler"}]}"#;
        let edit = apply(
            body.as_bytes(),
            &p("/posts"),
            &[p("/text"), p("/spoiler_text")],
            check,
        )
        .unwrap();
        assert!(matches!(
            edit,
            Edit::Rewritten {
                hidden: 1,
                collapsed: 0,
                ..
            }
        ));
    }

    #[test]
    fn unchanged_cases() {
        let f = [p("/text")];
        for body in [
            &br#"{"posts":[{"text":"fine"}]}"#[..],
            br#"{"items":[{"text":"spoiler"}]}"#,
            br#"{"posts":{"text":"spoiler"}}"#,
            br#"[1,2]"#,
        ] {
            assert_eq!(
                apply(body, &p("/posts"), &f, check).unwrap(),
                Edit::Unchanged
            );
        }
        assert!(apply(b"{", &p("/posts"), &f, check).is_err());
        assert!(apply(b"{\"posts\":[1,]}", &p("/posts"), &f, check).is_err());
        // Deep documents are skipped without recursion; a deep post is refused.
        let deep = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
        assert_eq!(
            apply(deep.as_bytes(), &p("/posts"), &f, check),
            Ok(Edit::Unchanged)
        );
        let deep_post = format!("{{\"posts\":[{}{}]}}", "[".repeat(1000), "]".repeat(1000));
        assert_eq!(
            apply(deep_post.as_bytes(), &p("/posts"), &f, check),
            Err(ExtractError::TooDeep)
        );
    }

    #[test]
    fn nested_items_pointer() {
        let body = br#"{"data":{"timeline":[{"text":"spoiler"},{"text":"ok"}]}}"#;
        let edit = apply(body, &p("/data/timeline"), &[p("/text")], check).unwrap();
        assert!(matches!(edit, Edit::Rewritten { hidden: 1, .. }));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i32>().prop_map(|n| json!(n)),
            "[a-c ネ\"\\\\{}\\[\\],:]{0,6}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec(("[a-z\"]{0,3}", inner), 0..4)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    fn check(text: &str) -> Option<(Action, String)> {
        if text.contains('a') {
            Some((Action::Hide, "a".into()))
        } else if text.contains('b') {
            Some((Action::Collapse, "b".into()))
        } else {
            None
        }
    }

    /// The reference: the same edit on a parsed document.
    fn reference(doc: &Value) -> Value {
        let mut doc = doc.clone();
        if let Some(Value::Array(posts)) = doc.get_mut("posts") {
            let mut kept = Vec::new();
            for mut post in posts.drain(..) {
                let text = post.get("text").and_then(Value::as_str).map(str::to_string);
                match text.as_deref().and_then(check) {
                    Some((Action::Hide, _)) => {}
                    Some((_, rule)) if post.is_object() => {
                        post["termgate"] =
                            json!({"muted": true, "action": "collapse", "rule": rule});
                        kept.push(post);
                    }
                    _ => kept.push(post),
                }
            }
            *posts = kept;
        }
        doc
    }

    proptest! {
        #[test]
        fn splicing_agrees_with_editing_the_parsed_document(
            posts in prop::collection::vec(json_value(), 0..6),
            texts in prop::collection::vec(prop::option::of("[abcネ\"\\\\ ]{0,5}"), 0..6),
            pretty in any::<bool>(),
        ) {
            let posts: Vec<Value> = posts
                .into_iter()
                .zip(texts.into_iter().chain(std::iter::repeat(None)))
                .map(|(mut p, t)| {
                    if let (Value::Object(map), Some(t)) = (&mut p, t) {
                        map.insert("text".into(), Value::String(t));
                    }
                    p
                })
                .collect();
            let doc = json!({"before": [1, {"x": "a"}], "posts": posts, "after": "b"});
            let body = if pretty { serde_json::to_vec_pretty(&doc) } else { serde_json::to_vec(&doc) }.unwrap();
            let pointer = Pointer::parse("/posts").unwrap();
            let fields = [Pointer::parse("/text").unwrap()];
            let got = match apply(&body, &pointer, &fields, check).unwrap() {
                Edit::Unchanged => doc.clone(),
                Edit::Rewritten { body, .. } => serde_json::from_slice(&body).unwrap(),
            };
            prop_assert_eq!(got, reference(&doc));
        }

        #[test]
        fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..200)) {
            let pointer = Pointer::parse("/posts").unwrap();
            let _ = apply(&body, &pointer, &[Pointer::parse("/text").unwrap()], check);
        }
    }
}
