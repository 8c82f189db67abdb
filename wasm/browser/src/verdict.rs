//! `Verdict`, the one JS string enum: what `Scanner.verdict` returns, as a number the glue looks up.
// What `#[wasm_bindgen]` adds to a string enum (a hidden variant, `from_js_value`) has no docs.
#![allow(missing_docs)]

use wasm_bindgen::prelude::*;

/// The verdict for a text: the strongest action among its matches, or "allow".
#[wasm_bindgen]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The post is rejected.
    Block = "block",
    /// The post goes through, marked, and is reported.
    Flag = "flag",
    /// The post goes through, marked; the author is warned while composing.
    Warn = "warn",
    /// The post is removed from the reader's timeline.
    Hide = "hide",
    /// The post is folded behind a "muted" notice.
    Collapse = "collapse",
    /// No rule matched.
    Allow = "allow",
}

impl Verdict {
    /// The verdict of the strongest action, or `Allow` for none.
    pub(crate) fn of(action: Option<termgate::Action>) -> Verdict {
        // By index: `Verdict` is a JS string enum, whose names the tests compare with the core's.
        const OF_ACTION: [Verdict; 5] = [
            Verdict::Block,
            Verdict::Flag,
            Verdict::Warn,
            Verdict::Hide,
            Verdict::Collapse,
        ];
        action.map_or(Verdict::Allow, |a| {
            OF_ACTION.get(a as usize).copied().unwrap_or(Verdict::Block)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Verdict;

    /// Each action's verdict has the action's name, and its own index on the JS side (the
    /// scanner's names table); no action is "allow".
    #[test]
    fn verdicts_are_named_as_the_core_names_actions() {
        let mut indices: Vec<u32> = termgate::Action::ALL
            .iter()
            .map(|&a| Verdict::of(Some(a)) as u32)
            .chain([Verdict::Allow as u32])
            .collect();
        indices.sort_unstable();
        indices.dedup();
        assert_eq!(indices.len(), termgate::Action::ALL.len() + 1);
        for a in termgate::Action::ALL {
            assert_eq!(Verdict::of(Some(a)), Verdict::from_str(a.as_str()).unwrap());
        }
        assert_eq!(Verdict::of(None), Verdict::from_str("allow").unwrap());
    }
}
