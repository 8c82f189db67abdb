//! Scanning text against term sets: the two engines and the rules that turn hits into matches.

use std::collections::BTreeMap;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use fst::raw::Output;
use fst::Streamer;

use crate::compile::repeat_class;
use crate::hosts::{find_hosts, reversed};
use crate::normalize::{normalize, Normalized, Profile};
use crate::termset::{Kind, Mode, Part, TermSet, NEVER};
use crate::verdict::{Match, Verdict};

/// How a scan finds terms that may start anywhere (substrings, suffixes, and terms in scripts
/// without spaces). Terms anchored at word starts are always looked up by walking the word index
/// from each word start, which costs nothing to set up and is as fast as anything else.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Engine {
    /// Walk the index until the set has walked [`AUTOMATON_AFTER_BYTES_PER_KEY`] bytes of
    /// text for each key of its inner index, then build an Aho-Corasick automaton once and use
    /// it from then on. A fresh set (a cold edge isolate) answers without building anything;
    /// a busy one pays the build once it has walked enough text to earn it back.
    #[default]
    Auto,
    /// Walk the fst index from every character. No set-up cost; slower per byte.
    Walk,
    /// Build the automaton now (once per set) and use it.
    Automaton,
}

/// See [`Engine::Auto`].
pub const AUTOMATON_AFTER_BYTES_PER_KEY: u64 = 64;

pub(crate) struct Automaton {
    ac: AhoCorasick,
    values: Vec<u64>,
}

impl Automaton {
    fn build(set: &TermSet) -> Option<Automaton> {
        let mut keys = Vec::with_capacity(set.inner.len());
        let mut values = Vec::with_capacity(set.inner.len());
        let mut stream = set.inner.stream();
        while let Some((k, v)) = stream.next() {
            keys.push(k.to_vec());
            values.push(v);
        }
        let ac = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .match_kind(MatchKind::Standard)
            .build(&keys)
            .ok()?;
        Some(Automaton { ac, values })
    }
}

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
            scan.words();
            scan.inner(self.engine);
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

/// Follows `bytes[from..]` through `map`, calling `hit(end, value)` at every key that ends there.
fn walk(map: &fst::Map<Part>, bytes: &[u8], from: usize, mut hit: impl FnMut(usize, u64)) {
    let fst = map.as_fst();
    let mut node = fst.root();
    let mut out = Output::zero();
    for (k, &b) in bytes[from..].iter().enumerate() {
        let Some(t) = node.find_input(b) else { break };
        let tr = node.transition(t);
        out = out.cat(tr.out);
        node = fst.node(tr.addr);
        if node.is_final() {
            hit(from + k + 1, out.cat(node.final_output()).value());
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

    fn words(&mut self) {
        if self.set.word.is_empty() {
            return;
        }
        let bytes = self.norm.text.as_bytes();
        let mut hits = Vec::new();
        for (i, u) in self.norm.units.iter().enumerate() {
            if u.is_gap() || !self.norm.boundary(i) {
                continue;
            }
            walk(&self.set.word, bytes, u.norm as usize, |end, v| {
                hits.push((i, end, v))
            });
        }
        for (i, end, v) in hits {
            self.hit(i, self.norm.unit_at(end), v);
        }
    }

    fn inner(&mut self, engine: Engine) {
        if self.set.inner.is_empty() {
            return;
        }
        let automaton = match engine {
            Engine::Walk => None,
            Engine::Automaton => self
                .set
                .automaton
                .get_or_init(|| Automaton::build(self.set))
                .as_ref(),
            Engine::Auto => {
                let walked = self.set.note_walked(self.norm.text.len());
                let earned = walked
                    >= AUTOMATON_AFTER_BYTES_PER_KEY.saturating_mul(self.set.inner.len() as u64);
                if earned {
                    self.set
                        .automaton
                        .get_or_init(|| Automaton::build(self.set))
                        .as_ref()
                } else {
                    self.set.automaton.get().and_then(Option::as_ref)
                }
            }
        };
        let bytes = self.norm.text.as_bytes();
        let mut hits = Vec::new();
        if let Some(a) = automaton {
            for m in a.ac.find_overlapping_iter(bytes) {
                if let Some(&v) = a.values.get(m.pattern().as_usize()) {
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
