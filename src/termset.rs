//! Compiled term sets: the binary format and loading it.
//!
//! A set is one byte buffer: a fixed header, then nine sections.
//!
//! ```text
//! offset size
//!      0    8  magic b"TGSET\0\r\n"
//!      8    2  format version (1)          10  2  normalization version
//!     12    2  normalization profile bits  14  2  reserved (0)
//!     16    4  rule count                  20  4  entry count
//!     24    8  total length in bytes
//!     32    8  checksum: XXH3-64 of bytes 40.., seeded with XXH3-64 of bytes 0..32
//!     40    8  reserved (0)
//!     48   72  nine (offset u32, length u32) pairs, one per section:
//!              0 word index   fst map: key -> value, for terms anchored at a word start
//!              1 inner index  fst map: key -> value, for terms that may start anywhere
//!              2 host index   fst map: reversed host (com.example) -> value
//!              3 postings     u32 lists: count, then that many entry numbers
//!              4 entries      16-byte records: rule u32, runs offset u32, run count u16,
//!                             kind u8, mode u8, part u8, 3 reserved
//!              5 rules        12-byte records: section u16, flags u8, parts u8,
//!                             text offset u32, text length u32
//!              6 runs         4-byte records: unit index u16, repeat class u8, reserved u8
//!              7 strings      rules as written, UTF-8
//!              8 sections     16-byte records: action u8, category u8 (255: none), 6 reserved,
//!                             expiry i64 (i64::MAX: never)
//! ```
//!
//! A value with its lowest bit clear is a postings offset (shifted left by one). A value with its
//! lowest bit set *is* the rule: the common case of a key that belongs to one plain term, whose
//! text as written can be rebuilt from the key. Such rules take no table space at all, which is
//! what keeps a set of a real word list smaller than the list:
//!
//! ```text
//! bit 0      1 (inline)          bits 1-2   number of repeat records (0-3)
//! bits 3-32  up to three repeat records of 10 bits: unit index (8), repeat class (2)
//! bits 33-34 pattern: 0 bare, 1 *sub*, 2 prefix*, 3 *suffix
//! bit 35     exception           bits 36-51 section
//! ```
//!
//! Several plain terms with the same key (`to` and `too` both normalize to `to`) are each stored
//! inline too, under the key followed by the byte 0xFF (never in UTF-8) and the term's rank; the key
//! itself maps to the odd value 9, which is no rule but tells a walk to look below it.
//!
//! The fields most keys share sit high and the repeat records low, so that the values of a
//! plain word list are small numbers, which the fst stores in fewer bytes.
//!
//! All integers are little-endian. Loading checks the header, the checksum and the section
//! bounds, and opens the three fst maps in place: no key is read and no automaton is built.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use crate::action::{Action, Category};
use crate::error::{LoadError, LoadErrorKind};
use crate::normalize::{Profile, NORMALIZATION_VERSION};

pub(crate) const MAGIC: [u8; 8] = *b"TGSET\0\r\n";
/// The version of the binary format this build writes and reads.
pub const FORMAT_VERSION: u16 = 1;
pub(crate) const HEADER_LEN: usize = 120;
pub(crate) const SECTIONS: usize = 9;
pub(crate) const ENTRY_LEN: usize = 16;
pub(crate) const RULE_LEN: usize = 12;
pub(crate) const RUN_LEN: usize = 4;
pub(crate) const SECTION_LEN: usize = 16;
/// The byte between a shared key and the rank of each term stored under it.
pub(crate) const FANOUT_BYTE: u8 = 0xFF;
/// The value of a shared key itself: "look for the ranked keys below". Not a valid inline rule
/// (its repeat bits are set while it counts no repeats), and odd, so not a postings offset.
pub(crate) const FANOUT_MARK: u64 = 9;
const CHECKSUM_AT: usize = 32;

pub(crate) const S_WORD: usize = 0;
pub(crate) const S_INNER: usize = 1;
pub(crate) const S_HOST: usize = 2;
pub(crate) const S_POSTINGS: usize = 3;
pub(crate) const S_ENTRIES: usize = 4;
pub(crate) const S_RULES: usize = 5;
pub(crate) const S_RUNS: usize = 6;
pub(crate) const S_STRINGS: usize = 7;
pub(crate) const S_SECTIONS: usize = 8;

/// Where a term may match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    Word = 0,
    Prefix = 1,
    Substring = 2,
    Suffix = 3,
    Host = 4,
}

impl Mode {
    fn from_u8(b: u8) -> Option<Mode> {
        [
            Mode::Word,
            Mode::Prefix,
            Mode::Substring,
            Mode::Suffix,
            Mode::Host,
        ]
        .get(usize::from(b))
        .copied()
    }
}

/// What an entry contributes to its rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A match of the rule.
    Term = 0,
    /// An occurrence of an exception.
    Exception = 1,
    /// One part of an `&&` rule.
    Part = 2,
}

pub(crate) const RULE_EXCEPTION: u8 = 1;
pub(crate) const RULE_ALL: u8 = 2;
pub(crate) const NO_CATEGORY: u8 = 255;
pub(crate) const NEVER: i64 = i64::MAX;

/// One key's meaning for one rule.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Entry {
    pub rule: u32,
    pub runs: u32,
    pub nruns: u16,
    pub kind: Kind,
    pub mode: Mode,
    pub part: u8,
}

/// A byte range of the shared set buffer, so the fst maps read the set in place.
#[derive(Clone)]
pub(crate) struct Part {
    bytes: Arc<[u8]>,
    start: usize,
    end: usize,
}

impl AsRef<[u8]> for Part {
    #[inline]
    fn as_ref(&self) -> &[u8] {
        &self.bytes[self.start..self.end]
    }
}

/// An fst map and its root's transitions by input byte, so a walk starts with a table lookup
/// instead of decoding the widest node of the fst (256 entries: constant work at load).
pub(crate) struct Index {
    pub map: fst::Map<Part>,
    pub root: Box<[(usize, u64); 256]>,
}

/// `root` entry of a byte with no transition.
pub(crate) const NO_ADDR: usize = usize::MAX;

impl Index {
    /// An index over its own bytes (the warm path's rebuilt indexes).
    pub fn from_vec(bytes: Vec<u8>) -> Result<Index, fst::Error> {
        let len = bytes.len();
        let part = Part {
            bytes: bytes.into(),
            start: 0,
            end: len,
        };
        fst::Map::new(part).map(Index::new)
    }

    fn new(map: fst::Map<Part>) -> Index {
        let mut root = Box::new([(NO_ADDR, 0); 256]);
        for t in map.as_fst().root().transitions() {
            root[usize::from(t.inp)] = (t.addr, t.out.value());
        }
        Index { map, root }
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// A compiled term set, ready to scan.
///
/// Build one with [`compile`](fn@crate::compile) or [`Compiler`](crate::Compiler), store
/// [`as_bytes`](TermSet::as_bytes), and load them again with [`from_bytes`](TermSet::from_bytes).
pub struct TermSet {
    bytes: Arc<[u8]>,
    sections: [(usize, usize); SECTIONS],
    pub(crate) profile: Profile,
    rule_count: usize,
    entry_count: usize,
    checksum: u64,
    pub(crate) word: Index,
    pub(crate) inner: Index,
    pub(crate) host: Index,
    pub(crate) warm: OnceLock<crate::warm::Warm>,
    /// Normalized bytes scanned so far by walking: the evidence for building the warm indexes
    /// (see [`Engine::Auto`](crate::Engine::Auto)).
    pub(crate) walked: AtomicU64,
}

impl core::fmt::Debug for TermSet {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TermSet")
            .field("rules", &self.rule_count)
            .field("bytes", &self.bytes.len())
            .field("profile", &self.profile.names())
            .finish()
    }
}

/// Counts and versions of a term set, as `termgate inspect` shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SetInfo {
    /// Binary format version.
    pub format_version: u16,
    /// Normalization algorithm version.
    pub normalization_version: u16,
    /// The folds the set was built with.
    pub profile: Profile,
    /// Rules, including exceptions.
    pub rules: usize,
    /// Keys anchored at word starts (whole words and prefixes).
    pub word_keys: usize,
    /// Keys matched anywhere (substrings, suffixes, terms in scripts without spaces).
    pub inner_keys: usize,
    /// Hosts of `host:` rules.
    pub host_keys: usize,
    /// Size of the compiled set in bytes.
    pub bytes: usize,
    /// The checksum, which also identifies the set's content.
    pub checksum: u64,
    /// The earliest expiry (`until=`, Unix seconds) of any of its rules, if some rule has one. A
    /// set without it never needs the time: a scanner may leave the clock unread.
    pub next_expiry: Option<i64>,
}

/// One rule of a set, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RuleInfo {
    /// The action of the rule's section.
    pub action: Action,
    /// The category of the rule's section.
    pub category: Option<Category>,
    /// When the rule stops applying, in Unix seconds.
    pub expires: Option<i64>,
    /// The rule as the user wrote it.
    pub text: String,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        b.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

pub(crate) fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(
        b.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

/// The checksum of a set: XXH3-64 of everything after the checksum field, seeded with XXH3-64 of
/// everything before it (two one-shot hashes cost less code in wasm than a streaming one).
pub(crate) fn checksum(bytes: &[u8]) -> u64 {
    let head = xxhash_rust::xxh3::xxh3_64(bytes.get(..CHECKSUM_AT).unwrap_or(bytes));
    xxhash_rust::xxh3::xxh3_64_with_seed(bytes.get(CHECKSUM_AT + 8..).unwrap_or(&[]), head)
}

impl TermSet {
    /// Loads a compiled set, checking its header, versions, checksum and structure.
    ///
    /// This takes time proportional to the size only for the checksum; nothing is decoded or
    /// built until the first scan needs it. Truncated, corrupted, foreign or wrong-version bytes
    /// give an error, never a panic.
    ///
    /// # Trust
    ///
    /// The checksum catches corruption, not forgery. Someone who rewrites a set's indexes and then
    /// its checksum can make a scan panic inside the `fst` crate, which trusts its input. Load
    /// only bytes you compiled or stored yourself (your build, your KV); from anyone else, such as
    /// users saving their mute lists, accept the term list (`TermSet::to_list` gives it) and
    /// compile it.
    pub fn from_bytes(bytes: impl Into<Arc<[u8]>>) -> Result<TermSet, LoadError> {
        let bytes: Arc<[u8]> = bytes.into();
        let err = |k| Err(LoadError::new(k));
        let b = &bytes[..];
        if b.len() < HEADER_LEN {
            let n = b.len().min(MAGIC.len());
            return if b[..n] == MAGIC[..n] && n > 0 {
                err(LoadErrorKind::Truncated {
                    expected: HEADER_LEN as u64,
                    actual: b.len() as u64,
                })
            } else {
                err(LoadErrorKind::NotATermSet)
            };
        }
        if b[..8] != MAGIC {
            return err(LoadErrorKind::NotATermSet);
        }
        let header = |at| u16_at(b, at).unwrap_or(0);
        let format = header(8);
        if format != FORMAT_VERSION {
            return err(LoadErrorKind::UnsupportedFormat {
                found: format,
                supported: FORMAT_VERSION,
            });
        }
        let norm = header(10);
        if norm != NORMALIZATION_VERSION {
            return err(LoadErrorKind::NormalizationMismatch {
                found: norm,
                supported: NORMALIZATION_VERSION,
            });
        }
        let total = u64_at(b, 24).unwrap_or(0);
        if total > b.len() as u64 {
            return err(LoadErrorKind::Truncated {
                expected: total,
                actual: b.len() as u64,
            });
        }
        if total < b.len() as u64 {
            return err(LoadErrorKind::Corrupt("bytes after the end of the set"));
        }
        let sum = u64_at(b, CHECKSUM_AT).unwrap_or(0);
        if sum != checksum(b) {
            return err(LoadErrorKind::Checksum);
        }
        let Some(profile) = Profile::from_bits(header(12)) else {
            return err(LoadErrorKind::Corrupt("unknown normalization folds"));
        };
        if header(14) != 0 {
            return err(LoadErrorKind::Corrupt("unknown header flags"));
        }
        let rule_count = u32_at(b, 16).unwrap_or(0) as usize;
        let entry_count = u32_at(b, 20).unwrap_or(0) as usize;
        let mut sections = [(0, 0); SECTIONS];
        for (i, s) in sections.iter_mut().enumerate() {
            let off = u32_at(b, 48 + 8 * i).unwrap_or(0) as usize;
            let len = u32_at(b, 52 + 8 * i).unwrap_or(0) as usize;
            if off < HEADER_LEN || off.checked_add(len).is_none_or(|end| end > b.len()) {
                return err(LoadErrorKind::Corrupt("a section lies outside the set"));
            }
            *s = (off, off + len);
        }
        let len = |i: usize| sections[i].1 - sections[i].0;
        if len(S_ENTRIES) != entry_count.saturating_mul(ENTRY_LEN)
            || len(S_RULES) % RULE_LEN != 0
            || len(S_RULES) / RULE_LEN > rule_count
            || len(S_POSTINGS) % 4 != 0
            || len(S_RUNS) % RUN_LEN != 0
            || len(S_SECTIONS) % SECTION_LEN != 0
        {
            return err(LoadErrorKind::Corrupt(
                "section sizes disagree with the counts",
            ));
        }
        let open = |i: usize, what: &'static str| {
            let (start, end) = sections[i];
            let part = Part {
                bytes: bytes.clone(),
                start,
                end,
            };
            fst::Map::new(part)
                .map(Index::new)
                .map_err(|_| LoadError::new(LoadErrorKind::Corrupt(what)))
        };
        Ok(TermSet {
            word: open(S_WORD, "word index")?,
            inner: open(S_INNER, "inner index")?,
            host: open(S_HOST, "host index")?,
            bytes,
            sections,
            profile,
            rule_count,
            entry_count,
            checksum: sum,
            warm: OnceLock::new(),
            walked: AtomicU64::new(0),
        })
    }

    /// The compiled bytes, to store and load again with [`from_bytes`](TermSet::from_bytes).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// A number that changes whenever the set's content changes (its checksum).
    pub fn version(&self) -> u64 {
        self.checksum
    }

    /// The normalization profile the set was built with.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// Counts, versions and size.
    pub fn info(&self) -> SetInfo {
        SetInfo {
            format_version: FORMAT_VERSION,
            normalization_version: NORMALIZATION_VERSION,
            profile: self.profile,
            rules: self.rule_count,
            word_keys: self.word.len(),
            inner_keys: self.inner.len(),
            host_keys: self.host.len(),
            bytes: self.bytes.len(),
            checksum: self.checksum,
            next_expiry: (0..self.section(S_SECTIONS).len() / SECTION_LEN)
                .filter_map(|s| self.section_record(u16::try_from(s).ok()?))
                .map(|sec| sec.expires)
                .filter(|&t| t != NEVER)
                .min(),
        }
    }

    /// The number of rules, including exceptions.
    pub fn len(&self) -> usize {
        self.rule_count
    }

    /// Whether the set has no rules.
    pub fn is_empty(&self) -> bool {
        self.rule_count == 0
    }

    /// Every rule, grouped by section: the rules kept in the rule table in list order, then the
    /// plain terms stored in the indexes themselves, in key order.
    pub fn rules(&self) -> impl Iterator<Item = RuleInfo> + '_ {
        let table = self.section(S_RULES).len() / RULE_LEN;
        let mut rules: Vec<(u16, RuleInfo)> = (0..table as u32)
            .filter_map(|r| {
                let rec = self.rule_record(r)?;
                Some((
                    rec.section,
                    self.info_of(rec.section, self.rule_text(&rec)?)?,
                ))
            })
            .collect();
        for index in [&self.word, &self.inner] {
            let mut stream = index.map.stream();
            while let Some((key, value)) = fst::Streamer::next(&mut stream) {
                let key = key.split(|b| *b == FANOUT_BYTE).next().unwrap_or(key);
                let (Some(inline), Ok(key)) = (Inline::decode(value), core::str::from_utf8(key))
                else {
                    continue;
                };
                if let Some(info) = self.info_of(inline.section, &inline.written(key)) {
                    rules.push((inline.section, info));
                }
            }
        }
        // By section, each in the order found: a counting sort, since sections are few and
        // numbered (and a comparison sort would add its code to the browser module).
        let sections = rules
            .iter()
            .map(|(s, _)| usize::from(*s) + 1)
            .max()
            .unwrap_or(0);
        let mut starts = vec![0; sections + 1];
        for (section, _) in &rules {
            starts[usize::from(*section) + 1] += 1;
        }
        for s in 1..starts.len() {
            starts[s] += starts[s - 1];
        }
        let mut sorted: Vec<Option<RuleInfo>> = vec![None; rules.len()];
        for (section, info) in rules {
            let at = &mut starts[usize::from(section)];
            sorted[*at] = Some(info);
            *at += 1;
        }
        sorted.into_iter().flatten()
    }

    fn info_of(&self, section: u16, text: &str) -> Option<RuleInfo> {
        let sec = self.section_record(section)?;
        Some(RuleInfo {
            action: sec.action,
            category: sec.category,
            expires: (sec.expires != NEVER).then_some(sec.expires),
            text: text.to_string(),
        })
    }

    /// A term list that compiles to a set with the same rules: sections regenerated, each rule
    /// as written.
    pub fn to_list(&self) -> String {
        let mut out = String::new();
        let mut current = None;
        for rule in self.rules() {
            let section = (rule.action, rule.category, rule.expires);
            if current != Some(section) {
                out.push('[');
                out.push_str(rule.action.as_str());
                if let Some(c) = rule.category {
                    out.push(' ');
                    out.push_str(c.as_str());
                }
                if let Some(t) = rule.expires {
                    out.push_str(" until=");
                    out.push_str(&crate::time::format_instant(t));
                }
                out.push_str("]\n");
                current = Some(section);
            }
            out.push_str(&rule.text);
            out.push('\n');
        }
        out
    }

    fn section(&self, i: usize) -> &[u8] {
        let (start, end) = self.sections[i];
        &self.bytes[start..end]
    }

    /// The entry numbers a key's postings offset lists.
    /// The entries a key's value lists (none for an inline value).
    pub(crate) fn postings(&self, value: u64) -> impl Iterator<Item = Entry> + '_ {
        let p = self.section(S_POSTINGS);
        let offset = if value & 1 == 0 { value >> 1 } else { u64::MAX };
        let at = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .saturating_mul(4);
        let count = u32_at(p, at).unwrap_or(0) as usize;
        (0..count.min(self.entry_count)).filter_map(move |k| {
            let e = u32_at(p, at.checked_add(4 + 4 * k)?)?;
            self.entry(e as usize)
        })
    }

    fn entry(&self, i: usize) -> Option<Entry> {
        let e = self
            .section(S_ENTRIES)
            .get(i * ENTRY_LEN..(i + 1) * ENTRY_LEN)?;
        let rule = u32_at(e, 0)?;
        Some(Entry {
            rule,
            runs: u32_at(e, 4)?,
            nruns: u16_at(e, 8)?,
            kind: match e[10] {
                0 => Kind::Term,
                1 => Kind::Exception,
                2 => Kind::Part,
                _ => return None,
            },
            mode: Mode::from_u8(e[11])?,
            part: e[12],
        })
    }

    /// The repeat classes an entry's key requires, as (unit index, class) pairs.
    pub(crate) fn runs(&self, e: &Entry) -> impl Iterator<Item = (usize, u8)> + '_ {
        let r = self.section(S_RUNS);
        let start = e.runs as usize;
        (start..start.saturating_add(usize::from(e.nruns))).filter_map(move |k| {
            let rec = r.get(k * RUN_LEN..(k + 1) * RUN_LEN)?;
            Some((usize::from(u16_at(rec, 0)?), rec[2]))
        })
    }

    pub(crate) fn rule_record(&self, r: u32) -> Option<RuleRecord> {
        let rec = self
            .section(S_RULES)
            .get(r as usize * RULE_LEN..(r as usize + 1) * RULE_LEN)?;
        Some(RuleRecord {
            section: u16_at(rec, 0)?,
            parts: rec[3],
            text: (u32_at(rec, 4)? as usize, u32_at(rec, 8)? as usize),
        })
    }

    pub(crate) fn rule_text(&self, rec: &RuleRecord) -> Option<&str> {
        let (off, len) = rec.text;
        let bytes = self.section(S_STRINGS).get(off..off.checked_add(len)?)?;
        core::str::from_utf8(bytes).ok()
    }

    pub(crate) fn section_record(&self, s: u16) -> Option<SectionRecord> {
        let s = usize::from(s);
        let rec = self
            .section(S_SECTIONS)
            .get(s * SECTION_LEN..(s + 1) * SECTION_LEN)?;
        Some(SectionRecord {
            action: Action::from_u8(rec[0])?,
            category: Category::from_u8(rec[1]),
            expires: i64::from_le_bytes(rec[8..16].try_into().ok()?),
        })
    }

    /// Records bytes of text scanned; returns the running total.
    pub(crate) fn note_walked(&self, n: usize) -> u64 {
        self.walked.fetch_add(n as u64, Ordering::Relaxed) + n as u64
    }
}

/// A decoded rule record.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RuleRecord {
    pub section: u16,
    pub parts: u8,
    text: (usize, usize),
}

/// A decoded section record: what the rules under one header do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct SectionRecord {
    pub action: Action,
    pub category: Option<Category>,
    pub expires: i64,
}

impl SectionRecord {
    /// Whether the section's rules still apply at `now` (Unix seconds).
    pub fn live(&self, now: i64) -> bool {
        self.expires == NEVER || now < self.expires
    }
}

/// How a term was written: which stars it had.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pattern {
    Bare = 0,
    Substring = 1,
    Prefix = 2,
    Suffix = 3,
}

/// A rule stored in its key's value (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Inline {
    pub exception: bool,
    pub pattern: Pattern,
    pub section: u16,
    /// (unit index, repeat class) of the units that do not stand once.
    pub runs: [(u8, u8); 3],
    pub nruns: u8,
}

impl Inline {
    pub fn encode(&self) -> u64 {
        let mut v = 1 | u64::from(self.nruns) << 1;
        for (k, &(unit, class)) in self.runs[..usize::from(self.nruns)].iter().enumerate() {
            v |= (u64::from(unit) | u64::from(class & 3) << 8) << (3 + 10 * k);
        }
        v | (self.pattern as u64) << 33
            | u64::from(self.exception) << 35
            | u64::from(self.section) << 36
    }

    pub fn decode(v: u64) -> Option<Inline> {
        let nruns = ((v >> 1) & 3) as u8;
        let unused_runs =
            (v >> (3 + 10 * u32::from(nruns))) & ((1 << (30 - 10 * u32::from(nruns))) - 1);
        if v & 1 == 0 || v >> 52 != 0 || unused_runs != 0 {
            return None;
        }
        let pattern = [
            Pattern::Bare,
            Pattern::Substring,
            Pattern::Prefix,
            Pattern::Suffix,
        ][((v >> 33) & 3) as usize];
        let mut runs = [(0, 0); 3];
        for (k, run) in runs.iter_mut().take(usize::from(nruns)).enumerate() {
            let r = v >> (3 + 10 * k);
            *run = ((r & 0xff) as u8, ((r >> 8) & 3) as u8);
        }
        Some(Inline {
            exception: (v >> 35) & 1 == 1,
            pattern,
            section: ((v >> 36) & 0xffff) as u16,
            runs,
            nruns,
        })
    }

    /// The repeat class the term requires of unit `k` of its key.
    pub fn class(&self, k: usize) -> u8 {
        self.runs[..usize::from(self.nruns)]
            .iter()
            .find(|(unit, _)| usize::from(*unit) == k)
            .map_or(1, |&(_, class)| class)
    }

    /// The rule as written, rebuilt from its key: the compiler stores a rule inline only when
    /// this gives back exactly what the user wrote.
    pub fn written(&self, key: &str) -> String {
        let mut s = String::with_capacity(key.len() + 3);
        if self.exception {
            s.push('!');
        }
        if matches!(self.pattern, Pattern::Substring | Pattern::Suffix) {
            s.push('*');
        }
        for (k, c) in key.chars().enumerate() {
            for _ in 0..self.class(k) {
                s.push(c);
            }
        }
        if matches!(self.pattern, Pattern::Substring | Pattern::Prefix) {
            s.push('*');
        }
        s
    }
}
