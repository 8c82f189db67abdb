//! What a scan decides: the strongest action and every match behind it.

use crate::action::{Action, Category};

/// One rule matching one place in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Match {
    /// Byte offset in the original text where the match starts (a character boundary).
    pub start: usize,
    /// Byte offset in the original text where the match ends (a character boundary).
    pub end: usize,
    /// The rule as the user wrote it.
    pub rule: String,
    /// The action of the rule's section.
    pub action: Action,
    /// The category of the rule's section.
    pub category: Option<Category>,
    /// Which of the scanned sets the rule belongs to (its index in [`Scanner::new`](crate::Scanner::new)).
    pub set: usize,
}

/// The outcome of scanning one text: the strongest action among the matches, and the matches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verdict {
    /// The strongest action of any match ([`Action`] documents the order); `None` means allow.
    pub action: Option<Action>,
    /// Every match, ordered by start, then end.
    pub matches: Vec<Match>,
}

impl Verdict {
    pub(crate) fn from_matches(mut matches: Vec<Match>) -> Verdict {
        // Every field takes part: the order does not depend on the order the engines found them
        // in, and an unstable sort gives it (with less code in the browser module than a stable
        // sort's).
        matches.sort_unstable_by(|a, b| {
            (a.start, a.end, a.set, &a.rule, a.action, a.category)
                .cmp(&(b.start, b.end, b.set, &b.rule, b.action, b.category))
        });
        matches.dedup();
        Verdict {
            action: matches.iter().map(|m| m.action).min(),
            matches,
        }
    }

    /// The verdict's name: `block`, `flag`, `warn`, `hide`, `collapse` or `allow`.
    pub fn name(&self) -> &'static str {
        self.action.map_or("allow", Action::as_str)
    }

    /// Whether nothing matched.
    pub fn is_allow(&self) -> bool {
        self.action.is_none()
    }
}

/// Converts byte offsets in `text` to UTF-16 code unit offsets (what JavaScript strings count),
/// in one pass over the text. Offsets that are not character boundaries round down to one;
/// offsets past the end map to the end.
///
/// ```
/// let text = "死ね baka";
/// assert_eq!(termgate::utf16_offsets(text, &[0, 3, 6, 7, 11]), vec![0, 1, 2, 3, 7]);
/// ```
pub fn utf16_offsets(text: &str, byte_offsets: &[usize]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..byte_offsets.len()).collect();
    order.sort_by_key(|&k| byte_offsets[k]);
    let mut out = vec![0; byte_offsets.len()];
    let mut chars = text.char_indices().peekable();
    let mut utf16 = 0;
    for k in order {
        let target = byte_offsets[k];
        while let Some(&(at, c)) = chars.peek() {
            if at + c.len_utf8() > target {
                break;
            }
            utf16 += c.len_utf16();
            chars.next();
        }
        out[k] = utf16;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16() {
        let text = "a😀b";
        assert_eq!(
            utf16_offsets(text, &[5, 0, 1, 6, 3, 99]),
            vec![3, 0, 1, 4, 1, 4]
        );
        assert_eq!(utf16_offsets("", &[0]), vec![0]);
    }
}
