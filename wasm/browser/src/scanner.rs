//! The `Scanner` class: checks texts against one or more term sets.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use crate::{CheckResult, CheckResults, TermSet, Verdict};

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
    /// Throws a `RangeError` for a text longer than 2^24 UTF-16 code units.
    pub fn check(&self, text: &str, now: Option<f64>) -> CheckResult {
        result(text, &self.scanner(now).check(text)).unchecked_into()
    }

    /// The verdict for one text, as `check(text, now).verdict` is, without the matches: what a
    /// timeline needs to hide or fold a post. Throws a `RangeError` for a text longer than 2^24
    /// UTF-16 code units.
    pub fn verdict(&self, text: &str, now: Option<f64>) -> Verdict {
        Verdict::of(self.scanner(now).check(text).action)
    }

    /// Checks many texts (a page of timeline posts) in one call; results are in the same order.
    /// Throws a `TypeError` unless `texts` is an array of strings, a `RangeError` if they come to
    /// more than 2^24 UTF-16 code units together.
    #[wasm_bindgen(js_name = checkMany)]
    pub fn check_many(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string[]")] texts: &JsValue,
        now: Option<f64>,
    ) -> Result<CheckResults, JsValue> {
        // The texts come in as one string, copied as `check` copies one (in Chromium, the copy
        // loop costs less than `encodeInto` after one call), then are checked one after the
        // other, and their results made in one call into JS. Errors are returned, not thrown
        // through the module, which would leave `self` borrowed.
        let all = JS_SIDE.with(|_| join_texts(texts))?;
        let count = joined_count() as usize;
        // Each text's length in UTF-16 code units goes at the start of `words`, its results after.
        let mut words = MATCHES.take();
        words.clear();
        if words.try_reserve(count).is_err() {
            return Err(js_sys::Error::new("checkMany: too many texts").into());
        }
        words.resize(count, 0);
        write_lengths(words.as_ptr() as i32 / 4);
        let scanner = self.scanner(now);
        let mut rules = RULES.take();
        rules.next_text();
        let mut at = 0;
        for i in 0..count {
            let end = utf16_end(&all, at, words[i] as usize);
            let one = all.get(at..end).unwrap_or_default();
            write_result(one, &scanner.check(one), true, &mut words, &mut rules);
            at = end;
        }
        RULES.set(rules);
        let first = words.as_ptr() as usize / 4 + count;
        let results = check_results(first as i32, count as i32);
        MATCHES.set(words);
        Ok(results.unchecked_into())
    }

    /// A core scanner for one call. (With one or two sets, made without an allocation.)
    fn scanner(&self, now: Option<f64>) -> termgate::Scanner<'_> {
        let scanner = match self.sets.as_slice() {
            [one] => termgate::Scanner::new(&[one]),
            [one, two] => termgate::Scanner::new(&[one, two]),
            many => termgate::Scanner::new(&many.iter().map(Rc::as_ref).collect::<Vec<_>>()),
        };
        let scanner = scanner.engine(ENGINE);
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
fn result(text: &str, verdict: &termgate::Verdict) -> js_sys::Object {
    let index = verdict_index(verdict.action);
    if verdict.matches.is_empty() {
        return JS_SIDE.with(|_| check_result(index as i32, 0, 0));
    }
    // Taken out of their cells while JS runs (`setRule`, `checkResult`) rather than borrowed: JS
    // that throws through the module would leave a borrow that every later check trips over.
    // After a throw the cells are empty, and the JS side is sent every rule again.
    let mut words = MATCHES.take();
    let mut rules = RULES.take();
    words.clear();
    rules.next_text();
    write_result(text, verdict, false, &mut words, &mut rules);
    RULES.set(rules);
    // Index of the first word in the module's memory, which the JS side reads as `Uint32Array`.
    let first = words.as_ptr() as usize / 4;
    let object =
        JS_SIDE.with(|_| check_result(index as i32, first as i32, (words.len() / 5) as i32));
    MATCHES.set(words);
    object
}

/// The index on the JS side of the verdict for `action` (`None`: "allow"), the number `verdict`
/// returns: each match's action is written as its verdict's.
fn verdict_index(action: Option<termgate::Action>) -> u32 {
    Verdict::of(action) as u32
}

/// Writes the matches of `verdict` into `words`, five numbers each, preceded by the verdict and
/// their count when `counted` (a text of a `checkMany`). Matches come ordered by start, so each
/// start is counted on from the one before.
fn write_result(
    text: &str,
    verdict: &termgate::Verdict,
    counted: bool,
    words: &mut Vec<u32>,
    rules: &mut RuleSlots,
) {
    if counted {
        words.extend([verdict_index(verdict.action), verdict.matches.len() as u32]);
    }
    let bytes = text.as_bytes();
    let ascii = text.is_ascii();
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
        words.extend([
            utf16 as u32,
            (utf16 + units(m.start, m.end)) as u32,
            rules.slot(&m.rule),
            verdict_index(Some(m.action)),
            m.category.map_or(0, |c| 1 + c as u32),
        ]);
    }
}

/// The end of the text of `units` UTF-16 code units that starts at byte `at` of `all`.
fn utf16_end(all: &str, at: usize, units: usize) -> usize {
    let bytes = all.as_bytes();
    if bytes.get(at..at + units).is_some_and(<[u8]>::is_ascii) {
        return at + units;
    }
    let mut end = at;
    let mut left = units;
    while let Some(&b) = bytes.get(end).filter(|_| left > 0) {
        // A character of four bytes is two units; its first byte is 0xF0 or above.
        left = left.saturating_sub(1 + usize::from(b >= 0xF0));
        end += 1;
        while bytes.get(end).is_some_and(|&b| b & 0xC0 == 0x80) {
            end += 1;
        }
    }
    end
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

// The result objects are made in JS, in one call per text, from the matches written as five
// numbers each into memory the JS side reads. (A call into JS per match, passing the rule, action
// and category as JS strings, cost about 80 ns more a match, docs/browser.md.) The JS side keeps the
// rules' texts, and the verdicts' and categories' names, in arrays; matches refer to them by
// index. `checkResult` takes `i32`s so that wasm calls it directly: an argument that needs
// converting (`u32`) puts a wrapper around it, which costs 50-100 ns a call. No `push` or other
// replaceable method: a page may have replaced `Array.prototype.push`, and JS that throws
// through the module leaves the scanner borrowed (then `add` and `free` throw).
#[wasm_bindgen(inline_js = "
let words = new Uint32Array(0);
let memory;
const rules = [];
const verdicts = [];
const categories = [null];
export function setMemory(m) { memory = m; words = new Uint32Array(m.buffer); }
export function setVerdict(i, name) { verdicts[i] = name; }
export function setCategory(i, name) { categories[i] = name; }
export function setRule(slot, rule) { rules[slot] = rule; }
export function checkResult(verdict, first, n) {
  if (words.byteLength === 0) words = new Uint32Array(memory.buffer);
  return { verdict: verdicts[verdict], matches: matchesAt(first, n) };
}
export function checkResults(first, count) {
  if (words.byteLength === 0) words = new Uint32Array(memory.buffer);
  const results = [];
  for (let t = 0, w = first; t < count; t++) {
    const n = words[w + 1];
    results[t] = { verdict: verdicts[words[w]], matches: matchesAt(w + 2, n) };
    w += 2 + 5 * n;
  }
  return results;
}
function matchesAt(first, n) {
  const matches = [];
  for (let i = 0, w = first; i < n; i++, w += 5) {
    matches[i] = {
      start: words[w],
      end: words[w + 1],
      rule: rules[words[w + 2]],
      action: verdicts[words[w + 3]],
      category: categories[words[w + 4]],
    };
  }
  return matches;
}
const wellFormed = String.prototype.isWellFormed;
const toWellFormed = String.prototype.toWellFormed;
const join = Array.prototype.join;
let lengths = [];
export function joinTexts(texts) {
  if (!Array.isArray(texts)) throw new TypeError('checkMany takes an array of strings');
  const kept = [];
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i];
    if (typeof text !== 'string') throw new TypeError(`checkMany: texts[${i}] is not a string`);
    kept[i] = wellFormed.call(text) ? text : toWellFormed.call(text);
  }
  lengths = kept;
  return join.call(kept, '');
}
export function joinedCount() { return lengths.length; }
export function writeLengths(at) {
  const units = new Uint32Array(memory.buffer);
  for (let i = 0; i < lengths.length; i++) units[at + i] = lengths[i].length;
  lengths = [];
}
")]
extern "C" {
    #[wasm_bindgen(js_name = setMemory)]
    fn set_memory(memory: &JsValue);
    #[wasm_bindgen(js_name = setVerdict)]
    fn set_verdict(index: u32, name: &str);
    #[wasm_bindgen(js_name = setCategory)]
    fn set_category(index: u32, name: &str);
    #[wasm_bindgen(js_name = setRule)]
    fn set_rule(slot: u32, rule: &str);
    #[wasm_bindgen(js_name = checkResult)]
    fn check_result(verdict: i32, first: i32, n: i32) -> js_sys::Object;
    #[wasm_bindgen(js_name = checkResults)]
    fn check_results(first: i32, count: i32) -> js_sys::Array;
    /// `texts`, an array of strings (else throws a `TypeError`), as one string, each text's
    /// lone surrogates made U+FFFD (as a copy into the module makes them) so that none joins the
    /// next text's; keeps their lengths for `writeLengths`.
    #[wasm_bindgen(js_name = joinTexts, catch)]
    fn join_texts(texts: &JsValue) -> Result<String, JsValue>;
    /// How many texts were last joined.
    #[wasm_bindgen(js_name = joinedCount)]
    fn joined_count() -> i32;
    /// Writes the lengths of the texts last joined, in UTF-16 code units, from `Uint32Array`
    /// index `at`.
    #[wasm_bindgen(js_name = writeLengths)]
    fn write_lengths(at: i32);
}

thread_local! {
    /// The matches of the text being answered, five numbers each: UTF-16 start and end, the rule's
    /// slot, the action (as its verdict's index), and 0 for no category or 1 + the category (`as u32`).
    static MATCHES: Cell<Vec<u32>> = const { Cell::new(Vec::new()) };

    static RULES: Cell<RuleSlots> = const { Cell::new(RuleSlots::new()) };

    /// Gives the JS side, on the first answer, the module's memory and the names.
    static JS_SIDE: () = {
        set_memory(&wasm_bindgen::memory());
        for a in termgate::Action::ALL {
            set_verdict(verdict_index(Some(a)), a.as_str());
        }
        set_verdict(verdict_index(None), "allow");
        for c in termgate::Category::ALL {
            set_category(1 + c as u32, c.as_str());
        }
    };
}

/// The rules' texts the JS side holds, by slot: the same rules match post after post, and
/// comparing texts here is cheaper than passing the text again. A rule goes in the slot of its
/// hash, unless a rule the answer being written refers to holds it: then in a spare slot after
/// the others, a new one each time (the JS side reads the slots only after the answer is
/// written: one text's, or every text's of a `checkMany`).
struct RuleSlots {
    /// Each slot's rule, and the serial number of the last answer that referred to it.
    held: Vec<Option<(Box<str>, u32)>>,
    /// The serial number of the answer being written.
    text: u32,
    /// Spare slots taken by this answer.
    spares: u32,
}

/// Slots by hash (a power of two). Fewer cost more in misses, a call into JS that decodes the
/// rule's text: the benchmark's English posts name 802 rules of 10k, which miss 735 times in
/// 12,738 matches with 1,024 slots, 256 times with 4,096 (1.5–4 % faster).
const RULE_SLOTS: usize = 4096;

impl Default for RuleSlots {
    fn default() -> RuleSlots {
        RuleSlots::new()
    }
}

impl RuleSlots {
    const fn new() -> RuleSlots {
        RuleSlots {
            held: Vec::new(),
            text: 0,
            spares: 0,
        }
    }

    fn next_text(&mut self) {
        // After wrapping, a slot may look in use by this text when it is not: it is not
        // reused, and the rule goes in a spare slot, which is as right.
        self.text = self.text.wrapping_add(1);
        self.spares = 0;
    }

    /// The slot holding `rule` for the answer being written.
    fn slot(&mut self, rule: &str) -> u32 {
        if self.held.is_empty() {
            self.held.resize(RULE_SLOTS, None);
        }
        // FNV-1a: a few lines, enough to spread rules over the slots.
        let hash = rule.bytes().fold(0x811c_9dc5_u32, |h, b| {
            (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
        });
        let slot = hash as usize % RULE_SLOTS;
        match self.held.get_mut(slot) {
            Some(Some((held, text))) if **held == *rule => {
                *text = self.text;
                slot as u32
            }
            Some(held) if held.as_ref().is_none_or(|(_, text)| *text != self.text) => {
                set_rule(slot as u32, rule);
                *held = Some((rule.into(), self.text));
                slot as u32
            }
            _ => {
                let spare = RULE_SLOTS as u32 + self.spares;
                self.spares += 1;
                set_rule(spare, rule);
                spare
            }
        }
    }
}
