//! Scanning text against term sets: the two engines and the rules that turn hits into matches.

use std::collections::BTreeMap;

use fst::raw::Output;

use crate::compile::repeat_class;
use crate::hosts::{find_hosts, reversed};
use crate::normalize::{
    continues_cluster, is_invisible, normalize_into, normalize_words, Normalized, Profile, Unit,
};
use crate::plain;
use crate::termset::{
    Index, Inline, Kind, Mode, Pattern, SectionRecord, TermSet, FANOUT_BYTE, FANOUT_MARK, NO_ADDR,
};
use crate::verdict::{Match, Verdict};
use crate::warm::Warm;

/// How a scan looks terms up. Every engine finds exactly the same matches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Engine {
    /// Walk the fst indexes until the set has scanned [`AUTOMATON_AFTER_BYTES_PER_KEY`] bytes of
    /// text for each of its keys, then build the warm indexes of [`Engine::Automaton`] once and
    /// use them from then on. A fresh set (a cold edge isolate) answers without building
    /// anything; a busy one pays for the build once it has scanned enough text to earn it back.
    #[default]
    Auto,
    /// Walk the fst indexes: the word index from each word start, the inner index from every
    /// character. No set-up cost; slower per byte.
    Walk,
    /// Build the warm indexes now (once per set) and use them: a hash table of the whole-word
    /// keys (one lookup per word), a small fst of the remaining word-start keys, and a bit set of
    /// how the keys that may start anywhere start, so that they are walked only from the
    /// characters where one may. With the `automaton` feature, a set whose bit set still lets
    /// more than one walk in 8 bytes through (after 64 KiB of text) gets an Aho-Corasick automaton
    /// over those keys instead: thousands of `*word*` terms in English, not Japanese terms, which
    /// walk faster.
    Automaton,
}

/// See [`Engine::Auto`].
pub const AUTOMATON_AFTER_BYTES_PER_KEY: u64 = 64;

/// Scans texts against one or more term sets at once.
///
/// ```
/// let global = termgate::compile_str("[block spam]\nbuy && followers\n")?;
/// let mine = termgate::compile_str("[hide]\n*spoiler*\n")?;
/// let scanner = termgate::Scanner::new(&[&global, &mine]);
/// let v = scanner.check("Buy real FOLLOWERS, no spoilers");
/// assert_eq!(v.name(), "block");
/// assert_eq!(v.matches.len(), 3);
/// assert_eq!(v.matches[2].rule, "*spoiler*");
/// # Ok::<(), termgate::CompileError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Scanner<'s> {
    sets: Sets<'s>,
    engine: Engine,
    now: Option<i64>,
}

/// A scanner's sets: one or two (an operator's and a user's) without an allocation, since a
/// scanner is often made for one check.
#[derive(Clone, Debug)]
enum Sets<'s> {
    One([&'s TermSet; 1]),
    Two([&'s TermSet; 2]),
    Many(Vec<&'s TermSet>),
}

impl<'s> Sets<'s> {
    fn as_slice(&self) -> &[&'s TermSet] {
        match self {
            Sets::One(sets) => sets,
            Sets::Two(sets) => sets,
            Sets::Many(sets) => sets,
        }
    }
}

/// Texts longer than this are scanned in pieces (offsets in normalized text are 32-bit); a term
/// spanning two pieces is not found.
const PIECE: usize = u32::MAX as usize - 8;

impl<'s> Scanner<'s> {
    /// A scanner over `sets`. Each set's text is normalized with the set's own profile.
    pub fn new(sets: &[&'s TermSet]) -> Scanner<'s> {
        Scanner {
            sets: match *sets {
                [one] => Sets::One([one]),
                [one, two] => Sets::Two([one, two]),
                _ => Sets::Many(sets.to_vec()),
            },
            engine: Engine::Auto,
            now: None,
        }
    }

    /// Chooses the engine (default [`Engine::Auto`]).
    pub fn engine(mut self, engine: Engine) -> Self {
        self.engine = engine;
        self
    }

    /// Sets the current time, in Unix seconds, for rules with an expiry. Without it the system
    /// clock is read on each check, except on `wasm32`, which has no clock: there, rules never
    /// expire unless the time is given.
    pub fn at(mut self, now_unix_seconds: i64) -> Self {
        self.now = Some(now_unix_seconds);
        self
    }

    /// Scans one text.
    pub fn check(&self, text: &str) -> Verdict {
        let now = self.now.unwrap_or_else(clock);
        let mut matches = Vec::new();
        let mut base = 0;
        let mut rest = text;
        // At least once, so that an empty text is scanned too (a set may hold nothing to find).
        loop {
            let mut cut = rest.len().min(PIECE);
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            let (piece, tail) = rest.split_at(cut);
            self.check_piece(piece, base, now, &mut matches);
            base += cut;
            rest = tail;
            if rest.is_empty() {
                break;
            }
        }
        Verdict::from_matches(matches)
    }

    /// Scans many texts (a timeline) and returns their verdicts in order.
    pub fn check_many<'t>(&self, texts: impl IntoIterator<Item = &'t str>) -> Vec<Verdict> {
        texts.into_iter().map(|t| self.check(t)).collect()
    }

    fn check_piece(&self, text: &str, base: usize, now: i64, out: &mut Vec<Match>) {
        // Normalized texts are written into buffers kept from earlier checks on this thread:
        // a post costs no allocation for them once a few posts have been checked.
        let mut spare = SPARE.take();
        let mut normalized: Vec<(Profile, Normalized)> = Vec::new();
        for (set_index, set) in self.sets.as_slice().iter().enumerate() {
            if set.is_empty() {
                continue;
            }
            let warm = warm(set, self.engine, text.len());
            // Texts read without normalizing all of them (crate::plain).
            let shortcut = warm.filter(|w| {
                w.whole_words_only && plain::reads(text, set.profile) && w.odds.worth_trying()
            });
            if let Some(w) = shortcut {
                if scan_plain(set, w, text, now, (set_index, base), out, &mut spare) {
                    continue;
                }
            }
            let pos = match normalized.iter().position(|(p, _)| *p == set.profile) {
                Some(p) => p,
                None => {
                    let buffer = spare.pop().unwrap_or_default();
                    normalized.push((set.profile, normalize_into(text, set.profile, buffer)));
                    normalized.len() - 1
                }
            };
            scan_set(
                set,
                text,
                &normalized[pos].1,
                now,
                warm,
                (set_index, base),
                out,
            );
        }
        spare.extend(normalized.into_iter().map(|(_, n)| n));
        spare.retain(|n| n.units.capacity() <= SPARE_UNITS);
        SPARE.set(spare);
    }
}

/// Scans `norm`, the normalized form of `text` (or of its words that are keys), against `set`;
/// adds the matches to `out` as those of set `set_index` in a text that starts `base` bytes into
/// the text checked.
fn scan_set(
    set: &TermSet,
    text: &str,
    norm: &Normalized,
    now: i64,
    warm: Option<&Warm>,
    (set_index, base): (usize, usize),
    out: &mut Vec<Match>,
) {
    let mut scan = SetScan::new(set, text, norm, now);
    scan.words(warm);
    scan.inner(warm);
    scan.hosts(text);
    scan.finish(set_index, base, out);
}

/// Scans `text`, one the shortcut reads ([`plain`]), against `set`, whose keys are all whole
/// words: finds the words that are keys without normalizing the text, makes the matches of most
/// such words directly ([`word_matches`]), and normalizes and scans the others alone. False,
/// adding no match, when the text must go the whole way.
pub(crate) fn scan_plain(
    set: &TermSet,
    warm: &Warm,
    text: &str,
    now: i64,
    (set_index, base): (usize, usize),
    out: &mut Vec<Match>,
    spare: &mut Vec<Normalized>,
) -> bool {
    let before = out.len();
    let mut keys = KEYS.take();
    keys.clear();
    let read = plain::word_keys(warm, text, |start, end, key, values| {
        let word = text.as_bytes().get(start..end).unwrap_or_default();
        let direct = word_matches(set, word, key, values, now, |rule, sec| {
            out.push(Match {
                start: base + start,
                end: base + end,
                rule,
                action: sec.action,
                category: sec.category,
                set: set_index,
            })
        });
        if !direct {
            keys.push((start, end));
        }
    });
    // Words to normalize in more than a quarter of the text leave little not to normalize: with
    // many such texts, reading first does not pay.
    let dense = keys.iter().map(|(a, b)| b - a).sum::<usize>() * 4 > text.len();
    warm.odds.note(!read || dense);
    if !read {
        out.truncate(before);
    } else if !keys.is_empty() {
        let buffer = spare.pop().unwrap_or_default();
        let norm = normalize_words(text, &keys, set.profile, buffer);
        scan_set(set, text, &norm, now, Some(warm), (set_index, base), out);
        spare.push(norm);
    }
    if keys.capacity() <= SPARE_UNITS {
        KEYS.set(keys);
    }
    read
}

/// Calls `found(rule, section)` for each rule of a whole-word key that matches `word`, the plain
/// word of the text whose normalized form is `key`: what [`SetScan`] finds in the word, without
/// normalizing it. Only for keys whose every rule is inline and no exception, as a plain term's
/// is; false, calling nothing, for other keys (`&&` rules, exceptions, rules sharing a key).
fn word_matches(
    set: &TermSet,
    word: &[u8],
    key: &[u8],
    values: &[u64],
    now: i64,
    mut found: impl FnMut(String, SectionRecord),
) -> bool {
    let simple = |&v: &u64| Inline::decode(v).filter(|inline| !inline.exception);
    if !values.iter().all(|v| simple(v).is_some()) {
        return false;
    }
    let Ok(key) = core::str::from_utf8(key) else {
        return false;
    };
    for inline in values.iter().filter_map(simple) {
        let Some(sec) = set.section_record(inline.section) else {
            continue;
        };
        if sec.live(now) && plain::repeats_agree(word, &inline) {
            found(inline.written(key), sec);
        }
    }
    true
}

thread_local! {
    static SPARE: std::cell::Cell<Vec<Normalized>> = const { std::cell::Cell::new(Vec::new()) };
    /// Like `SPARE`, for the shortcut's list of words that are keys...
    static KEYS: std::cell::Cell<Vec<(usize, usize)>> = const { std::cell::Cell::new(Vec::new()) };
    /// ...and for a set's matches before exceptions apply: a post with a match costs no
    /// allocation for them either.
    static FOUND: std::cell::Cell<Vec<Found>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Buffers for texts longer than about this many characters are not kept...
const SPARE_UNITS: usize = 1 << 14;

/// ...nor for more matches than this.
const SPARE_FOUND: usize = 1 << 10;

#[cfg(not(target_arch = "wasm32"))]
fn clock() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(target_arch = "wasm32")]
fn clock() -> i64 {
    i64::MIN
}

/// One set's scan of one normalized text.
pub(crate) struct SetScan<'a> {
    set: &'a TermSet,
    /// The original text, and its normalized form.
    text: &'a str,
    norm: &'a Normalized,
    now: i64,
    matches: Vec<Found>,
    exceptions: Vec<(usize, usize)>,
    /// Rule (of the rule table) → (part, start, end, section) of every part occurrence.
    parts: BTreeMap<u32, Vec<(u8, usize, usize, SectionRecord)>>,
}

/// A match before exceptions apply: (start, end) in original bytes, the rule, and its section.
type Found = (usize, usize, Rule, SectionRecord);

/// Where a matched rule is kept.
#[derive(Clone, Copy, Debug)]
enum Rule {
    /// In the rule table.
    Table(u32),
    /// In its key's value; the key is units `key.0..key.1` of the normalized text.
    Inline { value: u64, key: (usize, usize) },
}

/// Follows `bytes[from..]` through `index`, calling `hit(end, value)` for every key that ends at
/// `end`, and for each term ranked under a shared key.
fn walk(index: &Index, bytes: &[u8], from: usize, mut hit: impl FnMut(usize, u64)) {
    let Some(&first) = bytes.get(from) else {
        return;
    };
    let (addr, out) = index.root[usize::from(first)];
    if addr == NO_ADDR {
        return;
    }
    let fst = index.map.as_fst();
    let mut node = fst.node(addr);
    let mut out = Output::new(out);
    let mut end = from + 1;
    loop {
        if node.is_final() {
            let value = out.cat(node.final_output()).value();
            if value != FANOUT_MARK {
                hit(end, value);
            } else if let Some(t) = node.find_input(FANOUT_BYTE) {
                let tr = node.transition(t);
                for rank in fst.node(tr.addr).transitions() {
                    let leaf = fst.node(rank.addr);
                    if leaf.is_final() {
                        hit(
                            end,
                            out.cat(tr.out)
                                .cat(rank.out)
                                .cat(leaf.final_output())
                                .value(),
                        );
                    }
                }
            }
        }
        let Some(&b) = bytes.get(end) else { break };
        let Some(t) = node.find_input(b) else { break };
        let tr = node.transition(t);
        out = out.cat(tr.out);
        node = fst.node(tr.addr);
        end += 1;
    }
}

/// The warm indexes to scan `set` with, building them if the engine says it is time; `bytes`:
/// the length of the text about to be scanned.
fn warm(set: &TermSet, engine: Engine, bytes: usize) -> Option<&Warm> {
    match engine {
        Engine::Walk => None,
        Engine::Automaton => Some(set.warm.get_or_init(|| Warm::build(set))),
        Engine::Auto => {
            if let Some(w) = set.warm.get() {
                return Some(w);
            }
            let walked = set.note_walked(bytes);
            let keys = (set.word.len() + set.inner.len()) as u64;
            (walked >= AUTOMATON_AFTER_BYTES_PER_KEY.saturating_mul(keys))
                .then(|| set.warm.get_or_init(|| Warm::build(set)))
        }
    }
}

impl<'a> SetScan<'a> {
    pub(crate) fn new(
        set: &'a TermSet,
        text: &'a str,
        norm: &'a Normalized,
        now: i64,
    ) -> SetScan<'a> {
        SetScan {
            set,
            text,
            norm,
            now,
            matches: {
                let mut found = FOUND.take();
                found.clear();
                found
            },
            exceptions: Vec::new(),
            parts: BTreeMap::new(),
        }
    }

    pub(crate) fn words(&mut self, warm: Option<&Warm>) {
        // Copied out of `self`, so that hits go to `self.hit` as they are found.
        let (set, norm) = (self.set, self.norm);
        if set.word.is_empty() {
            return;
        }
        let bytes = norm.text.as_bytes();
        let units = &norm.units;
        let walked = match warm {
            None => Some(&set.word),
            Some(w) => w.rest.as_ref(),
        };
        if !norm.unspaced || walked.is_none() {
            // Every word boundary starts a word, or only words are looked up: visit the words
            // alone.
            for &(i, j) in &norm.words {
                let (i, j) = (i as usize, j as usize);
                let from = units[i].norm as usize;
                if let Some(index) = walked {
                    walk(index, bytes, from, |end, v| {
                        self.hit(i, norm.unit_at(end), v, true)
                    });
                }
                if let Some(w) = warm {
                    let to = units.get(j).map_or(bytes.len(), |u| u.norm as usize);
                    for &v in w.word(bytes, from..to).unwrap_or_default() {
                        self.hit(i, norm.unit_at(to), v, true);
                    }
                }
            }
            return;
        }
        let mut i = 0;
        while i < units.len() {
            if units[i].is_gap() || !norm.boundary(i) {
                i += 1;
                continue;
            }
            let from = units[i].norm as usize;
            if let Some(index) = walked {
                walk(index, bytes, from, |end, v| {
                    self.hit(i, norm.unit_at(end), v, true)
                });
            }
            match warm {
                // The table holds words of spaced scripts only: a character of another script
                // (a kana, a kanji) is a word of its own and no key.
                Some(w) if units[i].is_word() => {
                    let mut j = i + 1;
                    while units.get(j).is_some_and(Unit::is_word) {
                        j += 1;
                    }
                    let to = units.get(j).map_or(bytes.len(), |u| u.norm as usize);
                    for &v in w.word(bytes, from..to).unwrap_or_default() {
                        self.hit(i, norm.unit_at(to), v, true);
                    }
                    i = j;
                }
                _ => i += 1,
            }
        }
    }

    pub(crate) fn inner(&mut self, warm: Option<&Warm>) {
        let (set, norm) = (self.set, self.norm);
        if set.inner.is_empty() {
            return;
        }
        let bytes = norm.text.as_bytes();
        let found = warm.is_some_and(|w| {
            w.find_inner(set, bytes, |start, end, values| {
                let (i, j) = (norm.unit_at(start), norm.unit_at(end));
                for &v in values {
                    self.hit(i, j, v, false);
                }
            })
        });
        if !found {
            let starts = warm.and_then(|w| w.starts.as_ref());
            let mut walks = 0;
            let mut chars = norm.text.chars();
            // The character of unit `i` and the two after it.
            let mut ahead = [chars.next(), chars.next(), chars.next()];
            for (i, u) in norm.units.iter().enumerate() {
                let [c, next, after] = ahead;
                ahead = [next, after, chars.next()];
                if u.is_gap() {
                    continue;
                }
                if let (Some(starts), Some(c)) = (starts, c) {
                    if !starts.may_start(c, next, after) {
                        continue;
                    }
                }
                walks += 1;
                walk(&set.inner, bytes, u.norm as usize, |end, v| {
                    self.hit(i, norm.unit_at(end), v, false)
                });
            }
            if let Some(w) = warm {
                w.note_walks(bytes.len(), walks);
            }
        }
    }

    pub(crate) fn hosts(&mut self, text: &str) {
        if self.set.host.is_empty() {
            return;
        }
        for found in find_hosts(text) {
            let key = reversed(&found.host);
            let bytes = key.as_bytes();
            let mut values = Vec::new();
            walk(&self.set.host, bytes, 0, |end, v| {
                // Only whole labels: `com.example` matches `com.example.www`, not `com.examples`.
                if end == bytes.len() || bytes[end] == b'.' {
                    values.push(v);
                }
            });
            for v in values {
                for e in self.set.postings(v).filter(|e| e.mode == Mode::Host) {
                    if let Some(rec) = self.set.rule_record(e.rule) {
                        let rule = Rule::Table(e.rule);
                        self.accept(rule, rec.section, e.kind, e.part, found.start, found.end);
                    }
                }
            }
        }
    }

    /// Units `i..j` of the normalized text equal a key of the word index (`anchored`) or the
    /// inner index, whose value is `value`.
    pub(crate) fn hit(&mut self, i: usize, j: usize, value: u64, anchored: bool) {
        if j <= i || j > self.norm.units.len() {
            return;
        }
        if let Some(inline) = Inline::decode(value) {
            let mode = match (inline.pattern, anchored) {
                (Pattern::Bare, true) => Mode::Word,
                (Pattern::Bare, false) | (Pattern::Substring, _) => Mode::Substring,
                (Pattern::Prefix, _) => Mode::Prefix,
                (Pattern::Suffix, _) => Mode::Suffix,
            };
            let span = self.repeats_agree(mode, i, j, |k| inline.class(k));
            if let (true, Some((start, end))) = (self.positioned(mode, j), span) {
                let kind = if inline.exception {
                    Kind::Exception
                } else {
                    Kind::Term
                };
                let rule = Rule::Inline { value, key: (i, j) };
                self.accept(rule, inline.section, kind, 0, start, end);
            }
            return;
        }
        let entries: Vec<_> = self.set.postings(value).collect();
        for e in entries {
            if e.mode == Mode::Host || !self.positioned(e.mode, j) {
                continue;
            }
            let runs: Vec<(usize, u8)> = self.set.runs(&e).collect();
            let class = |k: usize| runs.iter().find(|r| r.0 == k).map_or(1, |r| r.1);
            let Some((start, end)) = self.repeats_agree(e.mode, i, j, class) else {
                continue;
            };
            if let Some(rec) = self.set.rule_record(e.rule) {
                self.accept(Rule::Table(e.rule), rec.section, e.kind, e.part, start, end);
            }
        }
    }

    /// Whole words and suffixes must end at a word boundary.
    fn positioned(&self, mode: Mode, j: usize) -> bool {
        !matches!(mode, Mode::Word | Mode::Suffix) || self.norm.boundary(j)
    }

    /// Each unit's repeat class must equal the term's, or be "three or more" (a stretched letter).
    /// At an edge where the match may lie inside a word (the start of a substring or suffix, the
    /// end of a substring or prefix), the text may double a letter the term has once: the other
    /// half belongs to the text around the match (`すりっと` in `すりっとと`, `as*` in `assassin`),
    /// and the span leaves it out. Returns the span, or `None` when the repeats disagree.
    fn repeats_agree(
        &self,
        mode: Mode,
        i: usize,
        j: usize,
        class: impl Fn(usize) -> u8,
    ) -> Option<(usize, usize)> {
        let open_start = matches!(mode, Mode::Substring | Mode::Suffix);
        let open_end = matches!(mode, Mode::Substring | Mode::Prefix);
        let last = j - i - 1;
        let (mut start, mut end) = self.norm.span(i, j);
        for (k, u) in self.norm.units[i..j].iter().enumerate() {
            let (have, want) = (repeat_class(u.run), class(k));
            if have == want || have == 3 {
                continue;
            }
            // The clusters (a letter and its combining marks) the repeated letter came from.
            let slice = self
                .text
                .get(u.start as usize..u.end as usize)
                .unwrap_or("");
            let letters = || {
                slice
                    .char_indices()
                    .filter(|(_, c)| {
                        !c.is_whitespace() && !is_invisible(*c) && !continues_cluster(*c)
                    })
                    .map(|(at, _)| u.start as usize + at)
            };
            if have > want && k == last && open_end {
                // Up to the start of the second letter.
                if let Some(second) = letters().nth(1) {
                    end = slice[..second - u.start as usize]
                        .trim_end_matches(|c: char| c.is_whitespace() || is_invisible(c))
                        .len()
                        + u.start as usize;
                }
            } else if have > want && k == 0 && open_start {
                if let Some(at) = letters().next_back() {
                    start = at;
                }
            } else {
                return None;
            }
        }
        Some((start, end))
    }

    fn accept(&mut self, rule: Rule, section: u16, kind: Kind, part: u8, start: usize, end: usize) {
        let Some(sec) = self.set.section_record(section) else {
            return;
        };
        if !sec.live(self.now) {
            return;
        }
        match kind {
            Kind::Term => self.matches.push((start, end, rule, sec)),
            Kind::Exception => self.exceptions.push((start, end)),
            Kind::Part => {
                if let Rule::Table(r) = rule {
                    self.parts
                        .entry(r)
                        .or_default()
                        .push((part, start, end, sec));
                }
            }
        }
    }

    pub(crate) fn finish(mut self, set_index: usize, base: usize, out: &mut Vec<Match>) {
        for (rule, found) in std::mem::take(&mut self.parts) {
            let Some(rec) = self.set.rule_record(rule) else {
                continue;
            };
            let mut seen = [false; 256];
            let mut distinct = 0;
            for &(part, start, end, _) in &found {
                if !self.excepted(start, end) && !seen[usize::from(part)] {
                    seen[usize::from(part)] = true;
                    distinct += 1;
                }
            }
            if distinct == usize::from(rec.parts) && distinct > 0 {
                self.matches.extend(
                    found
                        .iter()
                        .map(|&(_, s, e, sec)| (s, e, Rule::Table(rule), sec)),
                );
            }
        }
        out.reserve(self.matches.len());
        for &(start, end, rule, sec) in &self.matches {
            if self.excepted(start, end) {
                continue;
            }
            let written = match rule {
                Rule::Table(r) => self
                    .set
                    .rule_record(r)
                    .and_then(|rec| self.set.rule_text(&rec))
                    .unwrap_or("")
                    .to_string(),
                Rule::Inline { value, key: (i, j) } => {
                    let from = self.norm.units[i].norm as usize;
                    let to = self
                        .norm
                        .units
                        .get(j)
                        .map_or(self.norm.text.len(), |u| u.norm as usize);
                    Inline::decode(value)
                        .map(|inline| inline.written(&self.norm.text[from..to]))
                        .unwrap_or_default()
                }
            };
            out.push(Match {
                start: base + start,
                end: base + end,
                rule: written,
                action: sec.action,
                category: sec.category,
                set: set_index,
            });
        }
        let found = std::mem::take(&mut self.matches);
        if found.capacity() <= SPARE_FOUND {
            FOUND.set(found);
        }
    }

    /// Whether `start..end` lies inside an occurrence of an exception.
    fn excepted(&self, start: usize, end: usize) -> bool {
        self.exceptions.iter().any(|&(s, e)| s <= start && end <= e)
    }
}
