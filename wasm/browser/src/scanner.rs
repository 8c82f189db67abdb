//! The `Scanner` class: checks texts against one or more term sets.

use std::rc::Rc;

use wasm_bindgen::prelude::*;

use crate::utf16::spans_to_utf16;
use crate::{set, CheckResult, CheckResults, TermSet};

/// Checks texts against every set added to it (an operator's global set plus a user's mute list).
#[wasm_bindgen]
pub struct Scanner {
    sets: Vec<Rc<termgate::TermSet>>,
}

#[wasm_bindgen]
impl Scanner {
    /// A scanner over `set`. The set stays usable from JS; add more with `add`.
    #[wasm_bindgen(constructor)]
    pub fn new(set: &TermSet) -> Scanner {
        Scanner {
            sets: vec![Rc::clone(&set.inner)],
        }
    }

    /// Also check against `set`.
    pub fn add(&mut self, set: &TermSet) {
        self.sets.push(Rc::clone(&set.inner));
    }

    /// Checks one text. `now` is the time in Unix seconds that decides which `until=` rules have
    /// expired; it defaults to `Date.now() / 1000`.
    pub fn check(&self, text: &str, now: Option<f64>) -> CheckResult {
        let sets: Vec<&termgate::TermSet> = self.sets.iter().map(|s| s.as_ref()).collect();
        let scanner = termgate::Scanner::new(&sets).at(unix_seconds(now));
        result(text, &scanner.check(text)).unchecked_into()
    }

    /// Checks many texts (a page of timeline posts) in one call; results are in the same order.
    #[wasm_bindgen(js_name = checkMany)]
    pub fn check_many(&self, texts: Vec<String>, now: Option<f64>) -> CheckResults {
        let sets: Vec<&termgate::TermSet> = self.sets.iter().map(|s| s.as_ref()).collect();
        let scanner = termgate::Scanner::new(&sets).at(unix_seconds(now));
        let results: js_sys::Array = texts
            .iter()
            .map(|text| result(text, &scanner.check(text)))
            .collect();
        results.unchecked_into()
    }
}

/// `now` or the clock, in whole seconds. `as` saturates (and maps NaN to 0): it cannot trap.
fn unix_seconds(now: Option<f64>) -> i64 {
    now.unwrap_or_else(|| js_sys::Date::now() / 1000.0).floor() as i64
}

/// Builds the `CheckResult` object, converting the core's byte spans to UTF-16 in one pass.
fn result(text: &str, verdict: &termgate::Verdict) -> js_sys::Object {
    let spans: Vec<(usize, usize)> = verdict.matches.iter().map(|m| (m.start, m.end)).collect();
    let matches: js_sys::Array = verdict
        .matches
        .iter()
        .zip(spans_to_utf16(text, &spans))
        .map(|(m, (start, end))| {
            let object = js_sys::Object::new();
            set(&object, "start", start as f64);
            set(&object, "end", end as f64);
            set(&object, "rule", m.rule.as_str());
            set(&object, "action", m.action.as_str());
            set(&object, "category", m.category.map(|c| c.as_str()));
            object
        })
        .collect();
    let object = js_sys::Object::new();
    set(&object, "verdict", verdict.name());
    set(&object, "matches", matches);
    object
}
