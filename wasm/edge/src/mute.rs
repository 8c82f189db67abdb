//! Applying a reader's mute list to a timeline response: posts matching a `hide` rule are removed,
//! posts matching a `collapse` rule get `"termgate":{"muted":true,"action":"collapse","rule":...}`.

use serde_json::{json, Value};
use termgate::Action;

use crate::config::Pointer;
use crate::extract::{collect_pointer, parse_json, ExtractError};

/// What became of a timeline.
#[derive(Debug, PartialEq, Eq)]
pub enum Edit {
    /// Nothing matched (or the response has no posts array): forward the origin's bytes as they are.
    Unchanged,
    /// The re-serialized response, and how many posts were hidden and collapsed.
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
    let mut doc = parse_json(body)?;
    let Some(Value::Array(posts)) = pointer_mut(&mut doc, items) else {
        return Ok(Edit::Unchanged);
    };
    let (mut hidden, mut collapsed) = (0, 0);
    let mut kept = Vec::with_capacity(posts.len());
    for mut post in posts.drain(..) {
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
        match strongest {
            Some((Action::Hide, _)) => hidden += 1,
            Some((_, rule)) => {
                if let Value::Object(map) = &mut post {
                    map.insert(
                        "termgate".into(),
                        json!({"muted": true, "action": "collapse", "rule": rule}),
                    );
                    collapsed += 1;
                }
                kept.push(post);
            }
            None => kept.push(post),
        }
    }
    *posts = kept;
    if hidden == 0 && collapsed == 0 {
        return Ok(Edit::Unchanged);
    }
    let body = serde_json::to_vec(&doc).map_err(|e| ExtractError::Malformed(e.to_string()))?;
    Ok(Edit::Rewritten {
        body,
        hidden,
        collapsed,
    })
}

fn pointer_mut<'a>(doc: &'a mut Value, pointer: &Pointer) -> Option<&'a mut Value> {
    pointer.segments.iter().try_fold(doc, |v, seg| match v {
        Value::Object(map) => map.get_mut(seg),
        Value::Array(items) => seg.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
        _ => None,
    })
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
        let deep = "[".repeat(10_000);
        assert_eq!(
            apply(deep.as_bytes(), &p("/posts"), &f, check),
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
