//! Scanning text against term sets: the two engines and the rules that turn hits into matches.

use std::collections::BTreeMap;

use fst::raw::Output;

use crate::compile::repeat_class;
use crate::hosts::{find_hosts, reversed};
use crate::normalize::{normalize, Normalized, Profile};
use crate::termset::{Index, Kind, Mode, TermSet, NEVER, NO_ADDR};
use crate::verdict::{Match, Verdict};
use crate::warm::Warm;

/// How a scan looks terms up. Every engine finds exactly the same matches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Engine {
    /// Walk the fst indexes until the set has scanned [`AUTOMATON_AFTER_BYTES_PER_KEY`] bytes of
    /// normalized text for each of its keys, then build the automaton once and use it from then
    /// on. A fresh set (a cold edge isolate) answers without building anything; a busy one pays
    /// for the build once it has scanned enough text to earn it back.
    #[default]
    Auto,
    /// Walk the fst indexes: the word index from each word start, the inner index from every
    /// character. No set-up cost; slower per byte.
    Walk,
    /// Build the automaton now (once per set) and use it: an Aho-Corasick automaton over the
    /// keys that may start anywhere, a hash table of the whole-word keys (one lookup per word),
    /// and a small fst of the remaining word-start keys.
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
    sets: Vec<&'s TermSet>,
    engine: Engine,
    now: Option<i64>,
}

/// Texts longer than this are scanned in pieces (offsets in normalized text are 32-bit); a term
/// spanning two pieces is not found.
const PIECE: usize = u32::MAX as usize - 8;

impl<'s> Scanner<'s> {
    /// A scanner over `sets`. Each set's text is normalized with the set's own profile.
    pub fn new(sets: &[&'s TermSet]) -> Scanner<'s> {
        Scanner {
            sets: sets.to_vec(),
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
        while !rest.is_empty() || base == 0 {
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
        let mut normalized: Vec<(Profile, Normalized)> = Vec::new();
        for (set_index, set) in self.sets.iter().enumerate() {
            if set.is_empty() {
                continue;
            }
            let pos = match normalized.iter().position(|(p, _)| *p == set.profile) {
                Some(p) => p,
                None => {
                    normalized.push((set.profile, normalize(text, set.profile)));
                    normalized.len() - 1
                }
            };
            let norm = &normalized[pos].1;
            let mut scan = SetScan::new(set, norm, now);
            let warm = scan.warm(self.engine);
            scan.words(warm);
            scan.inner(warm);
            scan.hosts(text);
            scan.finish(set_index, base, out);
        }
    }
}

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
    norm: &'a Normalized,
    now: i64,
    /// (start, end, rule) in original bytes.
    matches: Vec<(usize, usize, u32)>,
    exceptions: Vec<(usize, usize)>,
    /// Rule → (part, start, end) of every part occurrence.
    parts: BTreeMap<u32, Vec<(u8, usize, usize)>>,
}

/// Follows `bytes[from..]` through `index`, calling `hit(end, value)` at every key that ends there.
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
    if node.is_final() {
        hit(from + 1, out.cat(node.final_output()).value());
    }
    for (k, &b) in bytes[from + 1..].iter().enumerate() {
        let Some(t) = node.find_input(b) else { break };
        let tr = node.transition(t);
        out = out.cat(tr.out);
        node = fst.node(tr.addr);
        if node.is_final() {
            hit(from + k + 2, out.cat(node.final_output()).value());
        }
    }
}

impl<'a> SetScan<'a> {
    pub(crate) fn new(set: &'a TermSet, norm: &'a Normalized, now: i64) -> SetScan<'a> {
        SetScan {
            set,
            norm,
            now,
            matches: Vec::new(),
            exceptions: Vec::new(),
            parts: BTreeMap::new(),
        }
    }

    /// The warm indexes to use for this scan, building them if the engine says it is time.
    fn warm(&self, engine: Engine) -> Option<&'a Warm> {
        let set: &'a TermSet = self.set;
        match engine {
            Engine::Walk => None,
            Engine::Automaton => Some(set.warm.get_or_init(|| Warm::build(set))),
            Engine::Auto => {
                if let Some(w) = set.warm.get() {
                    return Some(w);
                }
                let walked = set.note_walked(self.norm.text.len());
                let keys = (set.word.len() + set.inner.len()) as u64;
                (walked >= AUTOMATON_AFTER_BYTES_PER_KEY.saturating_mul(keys))
                    .then(|| set.warm.get_or_init(|| Warm::build(set)))
            }
        }
    }

    fn words(&mut self, warm: Option<&Warm>) {
        if self.set.word.is_empty() {
            return;
        }
        let bytes = self.norm.text.as_bytes();
        let units = &self.norm.units;
        let mut hits = Vec::new();
        let walked = match warm {
            None => Some(&self.set.word),
            Some(w) => w.rest.as_ref(),
        };
        let mut i = 0;
        while i < units.len() {
            if units[i].is_gap() || !self.norm.boundary(i) {
                i += 1;
                continue;
            }
            let from = units[i].norm as usize;
            if let Some(index) = walked {
                walk(index, bytes, from, |end, v| hits.push((i, end, v)));
            }
            if let Some(w) = warm {
                let mut j = i + 1;
                while j < units.len() && !self.norm.boundary(j) {
                    j += 1;
                }
                let to = units.get(j).map_or(bytes.len(), |u| u.norm as usize);
                if let Some(&v) = w.words.get(&bytes[from..to]) {
                    hits.push((i, to, v));
                }
                i = j;
            } else {
                i += 1;
            }
        }
        for (i, end, v) in hits {
            self.hit(i, self.norm.unit_at(end), v);
        }
    }

    fn inner(&mut self, warm: Option<&Warm>) {
        if self.set.inner.is_empty() {
            return;
        }
        let bytes = self.norm.text.as_bytes();
        let mut hits = Vec::new();
        if let Some((ac, values)) = warm.and_then(|w| w.inner.as_ref()) {
            for m in ac.find_overlapping_iter(bytes) {
                if let Some(&v) = values.get(m.pattern().as_usize()) {
                    hits.push((self.norm.unit_at(m.start()), m.end(), v));
                }
            }
        } else {
            for (i, u) in self.norm.units.iter().enumerate() {
                if !u.is_gap() {
                    walk(&self.set.inner, bytes, u.norm as usize, |end, v| {
                        hits.push((i, end, v))
                    });
                }
            }
        }
        for (i, end, v) in hits {
            self.hit(i, self.norm.unit_at(end), v);
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
                    self.accept(e.rule, e.kind, e.part, found.start, found.end);
                }
            }
        }
    }

    /// Units `i..j` of the normalized text equal a key whose postings are at `value`.
    pub(crate) fn hit(&mut self, i: usize, j: usize, value: u64) {
        if j <= i || j > self.norm.units.len() {
            return;
        }
        let (start, end) = self.norm.span(i, j);
        let entries: Vec<_> = self.set.postings(value).collect();
        for e in entries {
            let boundary_needed = matches!(e.mode, Mode::Word | Mode::Suffix);
            if e.mode == Mode::Host || (boundary_needed && !self.norm.boundary(j)) {
                continue;
            }
            if !self.repeats_agree(&e, i, j) {
                continue;
            }
            self.accept(e.rule, e.kind, e.part, start, end);
        }
    }

    /// Each unit's repeat class must equal the term's, or be "three or more" (a stretched letter).
    fn repeats_agree(&self, e: &crate::termset::Entry, i: usize, j: usize) -> bool {
        let mut want = self.set.runs(e).peekable();
        for (k, u) in self.norm.units[i..j].iter().enumerate() {
            let class = match want.peek() {
                Some(&(at, c)) if at == k => {
                    want.next();
                    c
                }
                _ => 1,
            };
            let have = repeat_class(u.run);
            if have != class && have != 3 {
                return false;
            }
        }
        true
    }

    fn accept(&mut self, rule: u32, kind: Kind, part: u8, start: usize, end: usize) {
        let Some(rec) = self.set.rule_record(rule) else {
            return;
        };
        if rec.expires != NEVER && self.now >= rec.expires {
            return;
        }
        match kind {
            Kind::Term => self.matches.push((start, end, rule)),
            Kind::Exception => self.exceptions.push((start, end)),
            Kind::Part => self.parts.entry(rule).or_default().push((part, start, end)),
        }
    }

    pub(crate) fn finish(mut self, set_index: usize, base: usize, out: &mut Vec<Match>) {
        for (rule, found) in std::mem::take(&mut self.parts) {
            let Some(rec) = self.set.rule_record(rule) else {
                continue;
            };
            let mut seen = [false; 256];
            let mut distinct = 0;
            for &(part, start, end) in &found {
                if !self.excepted(start, end) && !seen[usize::from(part)] {
                    seen[usize::from(part)] = true;
                    distinct += 1;
                }
            }
            if distinct == usize::from(rec.parts) && distinct > 0 {
                self.matches
                    .extend(found.iter().map(|&(_, s, e)| (s, e, rule)));
            }
        }
        for &(start, end, rule) in &self.matches {
            if self.excepted(start, end) {
                continue;
            }
            let Some(rec) = self.set.rule_record(rule) else {
                continue;
            };
            out.push(Match {
                start: base + start,
                end: base + end,
                rule: self.set.rule_text(&rec).unwrap_or("").to_string(),
                action: rec.action,
                category: rec.category,
                set: set_index,
            });
        }
    }

    /// Whether `start..end` lies inside an occurrence of an exception.
    fn excepted(&self, start: usize, end: usize) -> bool {
        self.exceptions.iter().any(|&(s, e)| s <= start && end <= e)
    }
}
