//! Compiling term lists into a [`TermSet`].

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::error::CompileError;
use crate::hosts::reversed;
use crate::list::{parse, Body, ParsedRule, Pattern as ListPattern, Source, Term};
use crate::normalize::{is_unspaced, normalize, Profile, NORMALIZATION_VERSION};
use crate::termset::{
    checksum, Inline, Kind, Mode, Pattern, SectionRecord, TermSet, ENTRY_LEN, FANOUT_BYTE,
    FANOUT_MARK, FORMAT_VERSION, HEADER_LEN, MAGIC, NEVER, NO_CATEGORY, RULE_ALL, RULE_EXCEPTION,
    RULE_LEN, RUN_LEN, SECTIONS, SECTION_LEN, S_ENTRIES, S_HOST, S_INNER, S_POSTINGS, S_RULES,
    S_RUNS, S_SECTIONS, S_STRINGS, S_WORD,
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
        for source in sources {
            let mut last_report = 0;
            // Progress is estimated from line numbers: the average line length, counted once.
            let line_len = match self.progress {
                Some(_) => source.text.len() / source.text.lines().count().max(1),
                None => 0,
            };
            parse(source, |rule| {
                builder.add(source, &rule)?;
                if let Some(f) = self.progress.as_mut() {
                    let at = done + (rule.line * line_len).min(source.text.len());
                    if at - last_report >= 1 << 16 {
                        f(at, total);
                        last_report = at;
                    }
                }
                Ok(())
            })?;
            done += source.text.len();
        }
        if let Some(f) = self.progress.as_mut() {
            f(total, total);
        }
        builder.finish()
    }
}

/// One key's meaning for one rule, before the set is laid out.
struct PendingEntry {
    rule: u32,
    kind: Kind,
    mode: Mode,
    pattern: Pattern,
    part: u8,
    runs: Vec<(u16, u8)>,
}

struct PendingRule {
    section: u16,
    flags: u8,
    parts: u8,
    written: String,
}

#[derive(Default)]
struct Builder {
    profile: Profile,
    sections: Vec<SectionRecord>,
    rules: Vec<PendingRule>,
    word: BTreeMap<Vec<u8>, Vec<PendingEntry>>,
    inner: BTreeMap<Vec<u8>, Vec<PendingEntry>>,
    host: BTreeMap<Vec<u8>, Vec<PendingEntry>>,
}

/// The class of a repeat count that a match must reproduce: once, twice, or three or more.
pub(crate) fn repeat_class(run: u8) -> u8 {
    run.min(3)
}

impl Builder {
    fn new(profile: Profile) -> Builder {
        Builder {
            profile,
            ..Builder::default()
        }
    }

    fn section(&mut self, rule: &ParsedRule) -> u16 {
        let rec = SectionRecord {
            action: rule.action,
            category: rule.category,
            expires: rule.expires.unwrap_or(NEVER),
        };
        match self.sections.iter().position(|s| *s == rec) {
            Some(i) => i as u16,
            None => {
                self.sections.push(rec);
                (self.sections.len() - 1) as u16
            }
        }
    }

    fn add(&mut self, source: &Source<'_>, rule: &ParsedRule) -> Result<(), CompileError> {
        if self.rules.len() >= MAX_RULES {
            return Err(CompileError::new(
                source.name,
                rule.line,
                0,
                format!("more than {MAX_RULES} rules: that is the limit of one set"),
            ));
        }
        if self.sections.len() > usize::from(u16::MAX) {
            return Err(CompileError::new(
                source.name,
                rule.line,
                0,
                "more than 65536 different sections in one set",
            ));
        }
        let section = self.section(rule);
        let r = self.rules.len() as u32;
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
                self.host
                    .entry(reversed(h).into_bytes())
                    .or_default()
                    .push(PendingEntry {
                        rule: r,
                        kind: Kind::Term,
                        mode: Mode::Host,
                        pattern: Pattern::Bare,
                        part: 0,
                        runs: Vec::new(),
                    });
                (0, 0)
            }
        };
        self.rules.push(PendingRule {
            section,
            flags,
            parts,
            written: rule.written.clone(),
        });
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
        let (pattern, mode) = match term.pattern {
            ListPattern::Bare if n.text.chars().any(is_unspaced) => {
                (Pattern::Bare, Mode::Substring)
            }
            ListPattern::Bare => (Pattern::Bare, Mode::Word),
            ListPattern::Substring => (Pattern::Substring, Mode::Substring),
            ListPattern::Prefix => (Pattern::Prefix, Mode::Prefix),
            ListPattern::Suffix => (Pattern::Suffix, Mode::Suffix),
        };
        let runs = n
            .units
            .iter()
            .enumerate()
            .filter(|(_, u)| repeat_class(u.run) != 1)
            .map(|(k, u)| (k as u16, repeat_class(u.run)))
            .collect();
        let index = match mode {
            Mode::Word | Mode::Prefix => &mut self.word,
            _ => &mut self.inner,
        };
        let mut key = n.text.into_bytes();
        key.shrink_to_fit();
        // Most keys have one entry: room for one, not the four a first push makes room for.
        index
            .entry(key)
            .or_insert_with(|| Vec::with_capacity(1))
            .push(PendingEntry {
                rule: r,
                kind,
                mode,
                pattern,
                part,
                runs,
            });
        Ok(())
    }

    /// The inline values of a key's entries, one each, if every rule fits in its value.
    fn inline_values(&self, key: &[u8], entries: &[PendingEntry]) -> Option<Vec<u64>> {
        if entries.len() > 256 {
            return None;
        }
        entries.iter().map(|e| self.inline(key, e)).collect()
    }

    /// The inline value for a key whose only entry is `e`, if the rule fits in it.
    fn inline(&self, key: &[u8], e: &PendingEntry) -> Option<u64> {
        let exception = match e.kind {
            Kind::Term => false,
            Kind::Exception => true,
            Kind::Part => return None,
        };
        if e.runs.len() > 3 || e.runs.iter().any(|&(unit, _)| unit > 255) {
            return None;
        }
        let rule = &self.rules[e.rule as usize];
        let mut runs = [(0, 0); 3];
        for (slot, &(unit, class)) in runs.iter_mut().zip(&e.runs) {
            *slot = (unit as u8, class);
        }
        let inline = Inline {
            exception,
            pattern: e.pattern,
            section: rule.section,
            runs,
            nruns: e.runs.len() as u8,
        };
        let key = core::str::from_utf8(key).ok()?;
        (inline.written(key) == rule.written).then(|| inline.encode())
    }

    fn finish(self) -> Result<TermSet, CompileError> {
        let internal = |what: String| CompileError::new("<set>", 0, 0, what);
        // Which rules live in their key's value; the others get table records, renumbered. A key
        // shared by several plain terms (`to` and `too` both normalize to `to`) keeps them all
        // inline under suffixed keys: the key, then 0xFF (never in UTF-8), then the rule's rank.
        // (The values are made again where the keys are written, not kept: a vector per key was
        // a seventh of a large list's compile peak.)
        let mut inlined = vec![false; self.rules.len()];
        for index in [&self.word, &self.inner, &self.host] {
            for (key, entries) in index {
                if self.inline_values(key, entries).is_some() {
                    for e in entries {
                        inlined[e.rule as usize] = true;
                    }
                }
            }
        }
        let mut table_id = vec![u32::MAX; self.rules.len()];
        let mut rules = Vec::new();
        let mut strings = Vec::new();
        for (r, rule) in self.rules.iter().enumerate() {
            if inlined[r] {
                continue;
            }
            table_id[r] = (rules.len() / RULE_LEN) as u32;
            rules.extend_from_slice(&rule.section.to_le_bytes());
            rules.extend_from_slice(&[rule.flags, rule.parts]);
            rules.extend_from_slice(&(strings.len() as u32).to_le_bytes());
            rules.extend_from_slice(&(rule.written.len() as u32).to_le_bytes());
            strings.extend_from_slice(rule.written.as_bytes());
        }
        let mut postings: Vec<u8> = Vec::new();
        let mut entries: Vec<u8> = Vec::new();
        let mut runs: Vec<u8> = Vec::new();
        let mut entry_count = 0u32;
        let mut index_bytes: [Vec<u8>; 3] = Default::default();
        for (slot, index) in [&self.word, &self.inner, &self.host]
            .into_iter()
            .enumerate()
        {
            // Keys borrowed from the index, but for the suffixed ones.
            let mut keyed: Vec<(Cow<'_, [u8]>, u64)> = Vec::with_capacity(index.len());
            for (key, list) in index {
                match self.inline_values(key, list).as_deref().unwrap_or_default() {
                    [] => {
                        let offset = (postings.len() / 4) as u64;
                        postings.extend_from_slice(&(list.len() as u32).to_le_bytes());
                        for e in list {
                            postings.extend_from_slice(&entry_count.to_le_bytes());
                            entry_count += 1;
                            entries.extend_from_slice(&table_id[e.rule as usize].to_le_bytes());
                            entries
                                .extend_from_slice(&((runs.len() / RUN_LEN) as u32).to_le_bytes());
                            entries.extend_from_slice(&(e.runs.len() as u16).to_le_bytes());
                            entries.extend_from_slice(&[
                                e.kind as u8,
                                e.mode as u8,
                                e.part,
                                0,
                                0,
                                0,
                            ]);
                            for &(unit, class) in &e.runs {
                                runs.extend_from_slice(&unit.to_le_bytes());
                                runs.extend_from_slice(&[class, 0]);
                            }
                        }
                        keyed.push((Cow::Borrowed(key), offset << 1));
                    }
                    [v] => keyed.push((Cow::Borrowed(key), *v)),
                    many => {
                        keyed.push((Cow::Borrowed(key), FANOUT_MARK));
                        for (rank, v) in many.iter().enumerate() {
                            let mut k = key.clone();
                            k.extend_from_slice(&[FANOUT_BYTE, rank as u8]);
                            keyed.push((Cow::Owned(k), *v));
                        }
                    }
                }
            }
            // Suffixed keys sort after longer keys with the same start (`toe` < `to\xff\0`). Keys
            // are unique, so sorting the pairs sorts the keys, with the code `Warm::build` links.
            keyed.sort_unstable();
            let mut b = fst::MapBuilder::memory();
            for (key, value) in keyed {
                b.insert(key, value)
                    .map_err(|e| internal(format!("building the index: {e}")))?;
            }
            index_bytes[slot] = b
                .into_inner()
                .map_err(|e| internal(format!("building the index: {e}")))?;
        }
        debug_assert_eq!(entries.len(), entry_count as usize * ENTRY_LEN);
        let mut section_bytes = Vec::with_capacity(self.sections.len() * SECTION_LEN);
        for s in &self.sections {
            section_bytes.push(s.action.to_u8());
            section_bytes.push(s.category.map_or(NO_CATEGORY, |c| c.to_u8()));
            section_bytes.extend_from_slice(&[0; 6]);
            section_bytes.extend_from_slice(&s.expires.to_le_bytes());
        }
        let mut sections: [&[u8]; SECTIONS] = [&[]; SECTIONS];
        sections[S_WORD] = &index_bytes[0];
        sections[S_INNER] = &index_bytes[1];
        sections[S_HOST] = &index_bytes[2];
        sections[S_POSTINGS] = &postings;
        sections[S_ENTRIES] = &entries;
        sections[S_RULES] = &rules;
        sections[S_RUNS] = &runs;
        sections[S_STRINGS] = &strings;
        sections[S_SECTIONS] = &section_bytes;
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
        out.extend_from_slice(&(self.rules.len() as u32).to_le_bytes());
        out.extend_from_slice(&entry_count.to_le_bytes());
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
        out[32..40].copy_from_slice(&sum.to_le_bytes());
        TermSet::from_bytes(out).map_err(|e| internal(format!("the new set does not load: {e}")))
    }
}
