//! The `Scanner` class: checks texts against one or more term sets.

use std::rc::Rc;

use wasm_bindgen::prelude::*;

use crate::{array, CheckResult, CheckResults, TermSet};

/// Checks texts against every set added to it (an operator's global set plus a user's mute list).
#[wasm_bindgen]
pub struct Scanner {
    sets: Vec<Rc<termgate::TermSet>>,
    /// Whether some set has a rule with an expiry: only then is the clock read (`Date.now()` costs
    /// about as much as checking a short post).
    expires: bool,
}

#[wasm_bindgen]
impl Scanner {
    /// A scanner over `set`. The set stays usable from JS; add more with `add`.
    #[wasm_bindgen(constructor)]
    pub fn new(set: &TermSet) -> Scanner {
        Scanner {
            sets: vec![Rc::clone(&set.inner)],
            expires: set.inner.info().next_expiry.is_some(),
        }
    }

    /// Also check against `set`.
    pub fn add(&mut self, set: &TermSet) {
        self.sets.push(Rc::clone(&set.inner));
        self.expires |= set.inner.info().next_expiry.is_some();
    }

    /// Checks one text. `now` is the time in Unix seconds that decides which `until=` rules have
    /// expired; it defaults to `Date.now() / 1000` (the core never reads a clock on wasm).
    pub fn check(&self, text: &str, now: Option<f64>) -> CheckResult {
        let sets = self.sets();
        result(text, &self.scanner(&sets, now).check(text)).unchecked_into()
    }

    /// Checks many texts (a page of timeline posts) in one call; results are in the same order.
    #[wasm_bindgen(js_name = checkMany)]
    pub fn check_many(&self, texts: Vec<String>, now: Option<f64>) -> CheckResults {
        let sets = self.sets();
        let verdicts = self
            .scanner(&sets, now)
            .check_many(texts.iter().map(String::as_str));
        let results = texts
            .iter()
            .zip(&verdicts)
            .map(|(text, verdict)| result(text, verdict));
        array(results).unchecked_into()
    }

    fn sets(&self) -> Vec<&termgate::TermSet> {
        self.sets.iter().map(|s| s.as_ref()).collect()
    }

    fn scanner<'s>(
        &self,
        sets: &[&'s termgate::TermSet],
        now: Option<f64>,
    ) -> termgate::Scanner<'s> {
        let scanner = termgate::Scanner::new(sets).engine(ENGINE);
        if self.expires || now.is_some() {
            scanner.at(unix_seconds(now))
        } else {
            scanner
        }
    }
}

/// The core's default: walk the set's fst index until the set has scanned 64 bytes of text per key,
/// then build, once per set, a hash table of its whole-word keys (one lookup per word instead of a
/// walk; the module leaves out the core's `automaton` feature, so keys that may start anywhere, as
/// Japanese ones do, are still walked). English posts against 10k terms check 2-2.3x faster for one
/// pause of ~8 ms after ~0.7 MB of text (~41 ms after ~8 MB at 100k terms; docs/browser.md), which
/// costs no module size: the build was linked in already.
const ENGINE: termgate::Engine = termgate::Engine::Auto;

/// `now` or the clock, in whole seconds. `as` saturates (and maps NaN to 0): it cannot trap.
fn unix_seconds(now: Option<f64>) -> i64 {
    now.unwrap_or_else(|| js_sys::Date::now() / 1000.0).floor() as i64
}

/// Builds the `CheckResult` object, with the core's byte spans as UTF-16 offsets of the JS string.
/// Matches come ordered by start, so each start is counted on from the one before.
fn result(text: &str, verdict: &termgate::Verdict) -> js_sys::Object {
    let object = check_result(name(verdict.name()));
    let bytes = text.as_bytes();
    let ascii = verdict.matches.is_empty() || text.is_ascii();
    let units = |from: usize, to: usize| {
        if ascii {
            to.saturating_sub(from)
        } else {
            bytes.get(from..to).map_or(0, utf16_len)
        }
    };
    let (mut at, mut utf16) = (0, 0);
    for m in &verdict.matches {
        if m.start < at {
            (at, utf16) = (0, 0);
        }
        utf16 += units(at, m.start);
        at = m.start;
        push_match(
            &object,
            utf16 as u32,
            (utf16 + units(m.start, m.end)) as u32,
            &rule_text(&m.rule),
            name(m.action.as_str()),
            m.category.map_or(&JsValue::NULL, |c| name(c.as_str())),
        );
    }
    object
}

/// The length in UTF-16 code units of UTF-8 `bytes`: one per character (per byte that does not
/// continue one), two for a character outside the BMP (one whose first byte is 0xF0 or above).
/// A count of bytes rather than a walk over characters: no branch per character.
fn utf16_len(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .map(|&b| usize::from(b & 0xC0 != 0x80) + usize::from(b >= 0xF0))
        .sum()
}

// The result objects are made in JS, with literal keys: one call per result and one per match,
// instead of a `Reflect.set` (and a key string decoded from UTF-8) per property. The shape is the
// `CheckResult` / `Match` of the `.d.ts`. No `push`: a page may have replaced `Array.prototype.push`,
// and JS that throws through the module leaves the scanner borrowed (then `add` and `free` throw).
#[wasm_bindgen(inline_js = "
export function checkResult(verdict) { return { verdict, matches: [] }; }
export function pushMatch(result, start, end, rule, action, category) {
  const matches = result.matches;
  matches[matches.length] = { start, end, rule, action, category };
}
")]
extern "C" {
    #[wasm_bindgen(js_name = checkResult)]
    fn check_result(verdict: &JsValue) -> js_sys::Object;
    #[wasm_bindgen(js_name = pushMatch)]
    fn push_match(
        result: &js_sys::Object,
        start: u32,
        end: u32,
        rule: &JsValue,
        action: &JsValue,
        category: &JsValue,
    );
}

thread_local! {
    /// Rules' texts as JS strings: the same rules match post after post, and a lookup here is
    /// cheaper than decoding the text again. One entry per slot, by a hash of the text.
    static RULES: std::cell::RefCell<Vec<Option<RuleText>>> =
        const { std::cell::RefCell::new(Vec::new()) };

    /// The verdict, action and category names as JS strings, each decoded once.
    static NAMES: std::cell::RefCell<Vec<(&'static str, &'static JsValue)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// A rule's text, and the same as a JS string.
type RuleText = (Box<str>, JsValue);

/// Slots for rules' texts (a power of two).
const RULE_SLOTS: usize = 1024;

/// The JS string of a rule's text.
fn rule_text(rule: &str) -> JsValue {
    // FNV-1a: a few lines, enough to spread rules over the slots.
    let hash = rule.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    RULES.with(|rules| {
        let mut rules = rules.borrow_mut();
        if rules.is_empty() {
            rules.resize(RULE_SLOTS, None);
        }
        let Some(slot) = rules.get_mut(hash as usize % RULE_SLOTS) else {
            return JsValue::from_str(rule);
        };
        match slot {
            Some((text, value)) if **text == *rule => value.clone(),
            _ => {
                let value = JsValue::from_str(rule);
                *slot = Some((rule.into(), value.clone()));
                value
            }
        }
    })
}

/// The JS string for one of the core's `&'static` names. There are 21 of them (the verdicts, the
/// actions and the categories), so each is made once and kept for the life of the module.
fn name(name: &'static str) -> &'static JsValue {
    NAMES.with(|names| {
        let mut names = names.borrow_mut();
        if let Some((_, value)) = names.iter().find(|(n, _)| *n == name) {
            return *value;
        }
        let value: &'static JsValue = Box::leak(Box::new(JsValue::from_str(name)));
        names.push((name, value));
        value
    })
}
