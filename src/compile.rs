//! Compiling term lists into a [`TermSet`].

use std::collections::BTreeMap;

use crate::error::CompileError;
use crate::hosts::reversed;
use crate::list::{parse, Body, ParsedRule, Pattern, Source, Term};
use crate::normalize::{is_unspaced, normalize, Profile, NORMALIZATION_VERSION};
use crate::termset::{
    checksum, Kind, Mode, TermSet, ENTRY_LEN, FORMAT_VERSION, HEADER_LEN, MAGIC, NEVER,
    NO_CATEGORY, RULE_ALL, RULE_EXCEPTION, RULE_LEN, RUN_LEN, SECTIONS, S_ENTRIES, S_HOST, S_INNER,
    S_POSTINGS, S_RULES, S_RUNS, S_STRINGS, S_WORD,
};

/// The most rules one set may hold.
pub const MAX_RULES: usize = 4_000_000;

/// Compiles term lists with every normalization fold on.
///
/// ```
/// let set = termgate::compile(&[termgate::Source { name: "rules.txt", text: "[block]\nbaka\n" }])?;
/// assert_eq!(set.len(), 1);
/// # Ok::<(), termgate::CompileError>(())
/// ```
pub fn compile(sources: &[Source<'_>]) -> Result<TermSet, CompileError> {
    Compiler::new().compile(sources)
}

/// Compiles one term list given as a string (its errors name it `<input>`).
pub fn compile_str(text: &str) -> Result<TermSet, CompileError> {
    compile(&[Source {
        name: "<input>",
        text,
    }])
}

/// Compiles term lists, with a choice of normalization profile and a progress report.
///
/// ```
/// use termgate::{Compiler, Fold, Profile, Source};
///
/// let mut seen = 0;
/// let mut progress = |done: usize, total: usize| seen = done.max(seen).min(total);
/// let set = Compiler::new()
///     .profile(Profile::FULL.with(Fold::Leetspeak, false))
///     .on_progress(&mut progress)
///     .compile(&[Source { name: "mine", text: "[hide]\nspoiler\n" }])?;
/// assert!(!set.profile().has(Fold::Leetspeak));
/// # Ok::<(), termgate::CompileError>(())
/// ```
pub struct Compiler<'p> {
    profile: Profile,
    progress: Option<&'p mut dyn FnMut(usize, usize)>,
}

impl Default for Compiler<'_> {
    fn default() -> Self {
        Compiler::new()
    }
}

impl<'p> Compiler<'p> {
    /// A compiler with the full profile and no progress report.
    pub fn new() -> Compiler<'p> {
        Compiler {
            profile: Profile::FULL,
            progress: None,
        }
    }

    /// The normalization profile the set is built with (and its text will be scanned with).
    pub fn profile(mut self, profile: Profile) -> Self {
        self.profile = profile;
        self
    }

    /// Calls `f(bytes_done, bytes_total)` as the lists are read, about every 64 KiB.
    pub fn on_progress(mut self, f: &'p mut dyn FnMut(usize, usize)) -> Self {
        self.progress = Some(f);
        self
    }

    /// Compiles `sources`, in order, into one set.
    pub fn compile(mut self, sources: &[Source<'_>]) -> Result<TermSet, CompileError> {
        let total: usize = sources.iter().map(|s| s.text.len()).sum();
        let mut builder = Builder::new(self.profile);
        let mut done = 0;
        let mut parsed = Vec::new();
        for source in sources {
            parsed.clear();
            parse(source, &mut parsed)?;
            let mut last_report = 0;
            for rule in &parsed {
                builder.add(source, rule)?;
                if let Some(f) = self.progress.as_mut() {
                    let at = done + line_offset(source.text, rule.line);
                    if at - last_report >= 1 << 16 {
                        f(at, total);
                        last_report = at;
                    }
                }
            }
            done += source.text.len();
        }
        if let Some(f) = self.progress.as_mut() {
            f(total, total);
        }
        builder.finish()
    }
}

/// A cheap estimate of how far into `text` line `line` is, for progress only.
fn line_offset(text: &str, line: usize) -> usize {
    let avg = text.len() / text.lines().count().max(1);
    (line * avg).min(text.len())
}

struct Builder {
    profile: Profile,
    rules: Vec<u8>,
    rule_count: usize,
    strings: Vec<u8>,
    entries: Vec<u8>,
    entry_count: usize,
    runs: Vec<u8>,
    word: BTreeMap<Vec<u8>, Vec<u32>>,
    inner: BTreeMap<Vec<u8>, Vec<u32>>,
    host: BTreeMap<Vec<u8>, Vec<u32>>,
}

/// The class of a repeat count that a match must reproduce: once, twice, or three or more.
pub(crate) fn repeat_class(run: u8) -> u8 {
    run.min(3)
}

impl Builder {
    fn new(profile: Profile) -> Builder {
        Builder {
            profile,
            rules: Vec::new(),
            rule_count: 0,
            strings: Vec::new(),
            entries: Vec::new(),
            entry_count: 0,
            runs: Vec::new(),
            word: BTreeMap::new(),
            inner: BTreeMap::new(),
            host: BTreeMap::new(),
        }
    }

    fn add(&mut self, source: &Source<'_>, rule: &ParsedRule) -> Result<(), CompileError> {
        if self.rule_count >= MAX_RULES {
            return Err(CompileError::new(
                source.name,
                rule.line,
                0,
                format!("more than {MAX_RULES} rules: that is the limit of one set"),
            ));
        }
        let r = self.rule_count as u32;
        let (flags, parts) = match &rule.body {
            Body::Term(t) => {
                self.add_term(source, rule, r, t, Kind::Term, 0)?;
                (0, 0)
            }
            Body::Exception(t) => {
                self.add_term(source, rule, r, t, Kind::Exception, 0)?;
                (RULE_EXCEPTION, 0)
            }
            Body::All(parts) => {
                for (i, t) in parts.iter().enumerate() {
                    self.add_term(source, rule, r, t, Kind::Part, i as u8)?;
                }
                (RULE_ALL, parts.len() as u8)
            }
            Body::Host(h) => {
                let e = self.push_entry(r, Kind::Term, Mode::Host, 0, &[]);
                self.host
                    .entry(reversed(h).into_bytes())
                    .or_default()
                    .push(e);
                (0, 0)
            }
        };
        let text = rule.written.as_bytes();
        self.rules.push(rule.action.to_u8());
        self.rules
            .push(rule.category.map_or(NO_CATEGORY, |c| c.to_u8()));
        self.rules.push(flags);
        self.rules.push(parts);
        self.rules.extend_from_slice(&[0; 4]);
        self.rules
            .extend_from_slice(&rule.expires.unwrap_or(NEVER).to_le_bytes());
        self.rules
            .extend_from_slice(&(self.strings.len() as u32).to_le_bytes());
        self.rules
            .extend_from_slice(&(text.len() as u32).to_le_bytes());
        self.strings.extend_from_slice(text);
        self.rule_count += 1;
        Ok(())
    }

    fn add_term(
        &mut self,
        source: &Source<'_>,
        rule: &ParsedRule,
        r: u32,
        term: &Term,
        kind: Kind,
        part: u8,
    ) -> Result<(), CompileError> {
        let n = normalize(&term.text, self.profile);
        if n.text.is_empty() {
            return Err(CompileError::new(
                source.name,
                rule.line,
                term.column,
                format!(
                    "term '{}' has no letters or digits left after normalization",
                    term.text
                ),
            ));
        }
        let mode = match term.pattern {
            Pattern::Bare if n.text.chars().any(is_unspaced) => Mode::Substring,
            Pattern::Bare => Mode::Word,
            Pattern::Substring => Mode::Substring,
            Pattern::Prefix => Mode::Prefix,
            Pattern::Suffix => Mode::Suffix,
        };
        let runs: Vec<(u16, u8)> = n
            .units
            .iter()
            .enumerate()
            .filter(|(_, u)| repeat_class(u.run) != 1)
            .map(|(k, u)| (k as u16, repeat_class(u.run)))
            .collect();
        let e = self.push_entry(r, kind, mode, part, &runs);
        let index = match mode {
            Mode::Word | Mode::Prefix => &mut self.word,
            _ => &mut self.inner,
        };
        index.entry(n.text.into_bytes()).or_default().push(e);
        Ok(())
    }

    fn push_entry(
        &mut self,
        rule: u32,
        kind: Kind,
        mode: Mode,
        part: u8,
        runs: &[(u16, u8)],
    ) -> u32 {
        let at = (self.runs.len() / RUN_LEN) as u32;
        for &(unit, class) in runs {
            self.runs.extend_from_slice(&unit.to_le_bytes());
            self.runs.extend_from_slice(&[class, 0]);
        }
        self.entries.extend_from_slice(&rule.to_le_bytes());
        self.entries.extend_from_slice(&at.to_le_bytes());
        self.entries
            .extend_from_slice(&(runs.len() as u16).to_le_bytes());
        self.entries
            .extend_from_slice(&[kind as u8, mode as u8, part, 0, 0, 0]);
        debug_assert_eq!(self.entries.len() % ENTRY_LEN, 0);
        self.entry_count += 1;
        (self.entry_count - 1) as u32
    }

    fn finish(self) -> Result<TermSet, CompileError> {
        let internal = |what: String| CompileError::new("<set>", 0, 0, what);
        let mut postings: Vec<u8> = Vec::new();
        let mut index = |keys: BTreeMap<Vec<u8>, Vec<u32>>| -> Result<Vec<u8>, CompileError> {
            let mut b = fst::MapBuilder::memory();
            for (key, ids) in keys {
                b.insert(&key, (postings.len() / 4) as u64)
                    .map_err(|e| internal(format!("building the index: {e}")))?;
                postings.extend_from_slice(&(ids.len() as u32).to_le_bytes());
                for id in ids {
                    postings.extend_from_slice(&id.to_le_bytes());
                }
            }
            b.into_inner()
                .map_err(|e| internal(format!("building the index: {e}")))
        };
        let word = index(self.word)?;
        let inner = index(self.inner)?;
        let host = index(self.host)?;
        debug_assert_eq!(self.rules.len(), self.rule_count * RULE_LEN);
        let mut sections: [&[u8]; SECTIONS] = [&[]; SECTIONS];
        sections[S_WORD] = &word;
        sections[S_INNER] = &inner;
        sections[S_HOST] = &host;
        sections[S_POSTINGS] = &postings;
        sections[S_ENTRIES] = &self.entries;
        sections[S_RULES] = &self.rules;
        sections[S_RUNS] = &self.runs;
        sections[S_STRINGS] = &self.strings;
        let total = HEADER_LEN + sections.iter().map(|s| s.len()).sum::<usize>();
        if total > u32::MAX as usize {
            return Err(internal(format!(
                "the compiled set would be {total} bytes; the format holds at most 4 GiB"
            )));
        }
        let mut out = Vec::with_capacity(total);
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&NORMALIZATION_VERSION.to_le_bytes());
        out.extend_from_slice(&self.profile.bits().to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&(self.rule_count as u32).to_le_bytes());
        out.extend_from_slice(&(self.entry_count as u32).to_le_bytes());
        out.extend_from_slice(&(total as u64).to_le_bytes());
        out.extend_from_slice(&[0; 16]);
        let mut off = HEADER_LEN;
        for s in &sections {
            out.extend_from_slice(&(off as u32).to_le_bytes());
            out.extend_from_slice(&(s.len() as u32).to_le_bytes());
            off += s.len();
        }
        debug_assert_eq!(out.len(), HEADER_LEN);
        for s in &sections {
            out.extend_from_slice(s);
        }
        let sum = checksum(&out);
        out[32..40].copy_from_slice(&sum.to_le_bytes()); // CHECKSUM_AT
        TermSet::from_bytes(out).map_err(|e| internal(format!("the new set does not load: {e}")))
    }
}
