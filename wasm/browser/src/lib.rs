//! termgate in the browser.
//!
//! A thin [`wasm-bindgen`](https://docs.rs/wasm-bindgen) binding over the core crate: the same
//! normalization, term sets and scanner the edge worker runs, so a compose box can warn before a post
//! is sent and a timeline can apply a user's mute list without a round trip. There is no matching logic
//! here; every file is one exported JS class or one group of functions:
//!
//! - [`TermSet`] (`term_set.rs`): load compiled set bytes, or compile a term list in the browser (a
//!   user's own mute list) and export its bytes.
//! - [`Scanner`] (`scanner.rs`): check one text, or many posts in one call, against one or more sets.
//!   Match spans are in UTF-16 code units of the JS string, ready for `String.prototype.slice`
//!   (counted from the UTF-8 bytes before each match). Or ask only a text's [`Verdict`]
//!   (`verdict.rs`), without the matches, as hiding a timeline's posts needs.
//! - `reportCategories` / `reportProblems` (`report.rs`): the problem-report categories and the
//!   information each one requires, from the core, so the form and the edge agree.
//!
//! Errors are JS `Error`s carrying the core's message (`JsResult`); nothing here may panic, because the
//! browser build uses `panic = "abort"` and a panic would be a wasm trap.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod report;
mod scanner;
mod term_set;
mod verdict;

pub use report::{report_categories, report_problems};
pub use scanner::Scanner;
pub use term_set::TermSet;
pub use verdict::Verdict;

use wasm_bindgen::prelude::*;

/// What every exported function returns: a JS exception is a thrown `Error`.
pub type JsResult<T> = Result<T, JsValue>;

/// The one conversion of core errors into JS: an `Error` whose message is the core's `Display`
/// (for a compile error, `file:line:col: message`) and whose `name` says which kind it was.
pub(crate) trait IntoJsResult<T> {
    fn into_js(self, name: &str) -> JsResult<T>;
}

impl<T, E: std::fmt::Display> IntoJsResult<T> for Result<T, E> {
    fn into_js(self, name: &str) -> JsResult<T> {
        self.map_err(|e| {
            let error = js_sys::Error::new(&e.to_string());
            error.set_name(name);
            error.into()
        })
    }
}

/// Sets `key` on a plain object. `Reflect.set` cannot fail on an ordinary extensible object.
pub(crate) fn set(object: &js_sys::Object, key: &str, value: impl Into<JsValue>) {
    let _ = js_sys::Reflect::set(object, &JsValue::from_str(key), &value.into());
}

/// A JS array of `items`, set by index rather than collected: `collect` calls
/// `Array.prototype.push`, which a page may have replaced, and JS that throws through the module
/// leaves the object it was called on borrowed (its methods and `free` then throw).
pub(crate) fn array<T: Into<JsValue>>(items: impl IntoIterator<Item = T>) -> js_sys::Array {
    let array = js_sys::Array::new();
    for (i, item) in (0..).zip(items) {
        array.set(i, item.into());
    }
    array
}

/// `value`, or JS `null` (not `undefined`) when there is none, as the `.d.ts` promises.
pub(crate) fn or_null<T: Into<JsValue>>(value: Option<T>) -> JsValue {
    value.map_or(JsValue::NULL, Into::into)
}

/// The precise TypeScript types of the plain objects the module returns, written once. (Read at
/// compile time by the `typescript_custom_section` below, which rustc does not count as a use.)
#[allow(dead_code)]
const TS_TYPES: &str = r#"
/** The action of one rule: posting rules block/flag/warn, mute rules hide/collapse. */
export type Action = "block" | "flag" | "warn" | "hide" | "collapse";
/** The report categories (the section header's optional second word in a term list). */
export type Category =
  | "spam" | "phishing" | "malware" | "tampering" | "unauthorized-access" | "copyright"
  | "defamation" | "privacy" | "personal-info" | "portrait" | "trademark" | "illegal"
  | "nuisance" | "harassment" | "other";

/** One match. `start`/`end` are UTF-16 code units of the checked string: `text.slice(start, end)`. */
export interface Match {
  start: number;
  end: number;
  /** The rule as its author wrote it. */
  rule: string;
  action: Action;
  category: Category | null;
}

/** The result of checking one text. Matches are sorted by `start`, then `end`. */
export interface CheckResult {
  verdict: Verdict;
  matches: Match[];
}

/** What a loaded set holds. */
export interface TermSetInfo {
  /** Number of rules, exceptions included. */
  rules: number;
  /** Size of the compiled set in bytes. */
  bytes: number;
  /** Binary format version. */
  formatVersion: number;
  /** Normalization algorithm version. */
  normalizationVersion: number;
  /** The set's checksum as 16 hex digits; it changes whenever the content does. */
  version: string;
}

/** One rule of a set, as its author wrote it. */
export interface Rule {
  /** The rule as written, e.g. `ramen`, `*spoiler*`, `buy && followers`, `!assessment`. */
  text: string;
  action: Action;
  category: Category | null;
  /** When the rule stops applying, in Unix seconds, or null. */
  expires: number | null;
}

/** A label in both UI languages. */
export interface Label {
  en: string;
  ja: string;
}

/** One piece of information a report must carry. */
export interface ReportField {
  /** The key to send in the report's `fields` object, e.g. `header_information`. */
  name: string;
  label: Label;
  /** `url` fields must contain an http:// or https:// URL; `multiline` ones want a textarea. */
  kind: "text" | "multiline" | "url" | "datetime";
}

/** A report category and exactly the fields it requires, in form order. */
export interface ReportCategory {
  id: Category;
  /** The category's name for people. */
  label: Label;
  fields: ReportField[];
}

/** One field a report lacks, and why. */
export interface ReportProblem {
  /** The field's `name`. */
  field: string;
  label: Label;
  problem: "missing" | "no_url" | "too_long";
  /** The problem explained in both languages. */
  description: Label;
}
"#;

#[wasm_bindgen(typescript_custom_section)]
const TS_SECTION: &str = TS_TYPES;

#[wasm_bindgen]
extern "C" {
    /// `CheckResult` in the `.d.ts`.
    #[wasm_bindgen(typescript_type = "CheckResult")]
    pub type CheckResult;
    /// `CheckResult[]` in the `.d.ts`.
    #[wasm_bindgen(typescript_type = "CheckResult[]")]
    pub type CheckResults;
    /// `TermSetInfo` in the `.d.ts`.
    #[wasm_bindgen(typescript_type = "TermSetInfo")]
    pub type TermSetInfo;
    /// `ReportCategory[]` in the `.d.ts`.
    #[wasm_bindgen(typescript_type = "ReportCategory[]")]
    pub type ReportCategories;
    /// `ReportProblem[]` in the `.d.ts`.
    #[wasm_bindgen(typescript_type = "ReportProblem[]")]
    pub type ReportProblems;
    /// `Rule[]` in the `.d.ts`.
    #[wasm_bindgen(typescript_type = "Rule[]")]
    pub type Rules;
    /// `Record<string, string>` in the `.d.ts`.
    #[wasm_bindgen(typescript_type = "Record<string, string>")]
    pub type ReportFields;
}

#[cfg(test)]
mod tests {
    /// The quoted names of the hand-written TypeScript union `name`, sorted.
    fn union(name: &str) -> Vec<&'static str> {
        let body = super::TS_TYPES
            .split(&format!("export type {name} ="))
            .nth(1)
            .and_then(|rest| rest.split(';').next())
            .unwrap_or_default();
        let mut names: Vec<&str> = body.split('"').skip(1).step_by(2).collect();
        names.sort_unstable();
        names
    }

    fn sorted(mut names: Vec<&'static str>) -> Vec<&'static str> {
        names.sort_unstable();
        names
    }

    /// The hand-written unions name everything the core knows, and nothing else.
    #[test]
    fn typescript_unions_match_the_core() {
        let categories = termgate::Category::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(union("Category"), sorted(categories));
        let actions: Vec<&str> = termgate::Action::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(union("Action"), sorted(actions));
    }
}
