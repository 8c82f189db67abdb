//! The warm path: indexes built once a set has scanned enough text to pay for them.
//!
//! A fresh set answers by walking its fst indexes, which costs nothing to set up. A busy set
//! builds, once: a hash table of the keys that can only match a whole word (one lookup per word
//! instead of a walk), a small fst of the remaining word-start keys (prefixes, several words), and
//! a bit set of how the keys that may start anywhere (inner keys) start, so that they are walked
//! only from the few characters where one may. Where that still leaves many walks (thousands of
//! inner keys in a language with few letters), it builds an Aho-Corasick automaton over them
//! too, with the `automaton` feature.

#[cfg(feature = "automaton")]
use std::sync::atomic::{AtomicU64, Ordering};
#[cfg(feature = "automaton")]
use std::sync::OnceLock;

use fst::Streamer;

use crate::normalize::is_unspaced;
use crate::plain::Odds;
use crate::termset::{Index, Inline, Mode, Pattern, TermSet, FANOUT_BYTE, FANOUT_MARK};

pub(crate) struct Warm {
    /// What inner keys start with: a walk of the inner index is skipped where none starts.
    pub starts: Option<Starts>,
    /// The automaton over the inner keys, once walking them proved slow ([`Warm::find_inner`]).
    #[cfg(feature = "automaton")]
    inner: OnceLock<Option<Inner>>,
    /// Bytes of text whose inner keys were walked, and the walks the bit set let through.
    #[cfg(feature = "automaton")]
    walked: (AtomicU64, AtomicU64),
    /// Word keys that match only whole words, to their values.
    words: WordTable,
    /// The other word keys, walked from each word start.
    pub rest: Option<Index>,
    /// Every value, pointed into by [`Values`].
    pub values: Vec<u64>,
    /// Whether every key of the set is in `words`: a text without those words matches nothing.
    pub whole_words_only: bool,
    /// How the shortcut for such sets has fared ([`crate::plain`]).
    pub odds: Odds,
}

/// The inner keys in an Aho-Corasick automaton, and each pattern's values.
#[cfg(feature = "automaton")]
struct Inner {
    automaton: aho_corasick::AhoCorasick,
    patterns: Vec<Values>,
    values: Vec<u64>,
}

/// A range of [`Warm::values`]: the values of one key (several when plain terms share it).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Values {
    start: u32,
    len: u32,
}

/// Walks of inner keys cost more than the automaton once the bit set lets more than one walk in
/// this many bytes of text through (measured: Japanese sets of 1k-100k synthetic terms let one in
/// 10-20 bytes through and are walked 1.25-1.35x faster than with the automaton; English sets of
/// 1k-10k `*word*` terms, one in 2-4 bytes, and the automaton is 1.5-2x faster).
#[cfg(feature = "automaton")]
const BYTES_PER_WALK: u64 = 8;

/// Text walked before deciding (so that a few odd posts decide nothing).
#[cfg(feature = "automaton")]
const WALKED_BEFORE_DECIDING: u64 = 1 << 16;

impl Warm {
    /// Calls `f(start, end, values)` for every occurrence of an inner key in `bytes`, and returns
    /// true; returns false, calling nothing, when the inner keys are to be walked instead (then
    /// report the walks with [`Warm::note_walks`]). The automaton is built the first time walks
    /// have proved the slower way, once per set.
    pub fn find_inner(
        &self,
        set: &TermSet,
        bytes: &[u8],
        f: impl FnMut(usize, usize, &[u64]),
    ) -> bool {
        #[cfg(feature = "automaton")]
        {
            let mut f = f;
            let inner = match self.inner.get() {
                Some(inner) => inner.as_ref(),
                None if self.walks_are_slow() => self.inner.get_or_init(|| automaton(set)).as_ref(),
                None => None,
            };
            let Some(inner) = inner else {
                return false;
            };
            for m in inner.automaton.find_overlapping_iter(bytes) {
                if let Some(&Values { start, len }) = inner.patterns.get(m.pattern().as_usize()) {
                    let (start, len) = (start as usize, len as usize);
                    f(
                        m.start(),
                        m.end(),
                        inner.values.get(start..start + len).unwrap_or(&[]),
                    );
                }
            }
            true
        }
        #[cfg(not(feature = "automaton"))]
        {
            let _ = (set, bytes, f);
            false
        }
    }

    /// Records that the inner keys of `bytes` bytes of text were walked `walks` times.
    pub fn note_walks(&self, bytes: usize, walks: usize) {
        #[cfg(feature = "automaton")]
        {
            self.walked.0.fetch_add(bytes as u64, Ordering::Relaxed);
            self.walked.1.fetch_add(walks as u64, Ordering::Relaxed);
        }
        #[cfg(not(feature = "automaton"))]
        let _ = (bytes, walks);
    }

    #[cfg(feature = "automaton")]
    fn walks_are_slow(&self) -> bool {
        let bytes = self.walked.0.load(Ordering::Relaxed);
        let walks = self.walked.1.load(Ordering::Relaxed);
        bytes >= WALKED_BEFORE_DECIDING && walks.saturating_mul(BYTES_PER_WALK) > bytes
    }

    /// These indexes with the automaton built now, whatever the walks would show.
    #[cfg(all(test, feature = "automaton"))]
    pub fn with_automaton(self, set: &TermSet) -> Warm {
        let _ = self.inner.set(automaton(set));
        self
    }

    pub fn values(&self, v: Values) -> &[u64] {
        let start = v.start as usize;
        self.values
            .get(start..start + v.len as usize)
            .unwrap_or(&[])
    }

    /// The values of the whole-word key `text[word]`, if it is one.
    pub fn word(&self, text: &[u8], word: std::ops::Range<usize>) -> Option<&[u64]> {
        self.words.get(text, word).map(|v| self.values(v))
    }

    pub fn build(set: &TermSet) -> Warm {
        let mut values = Vec::new();
        let starts = (!set.inner.is_empty()).then(|| Starts::build(&set.inner));
        let mut words = WordTable::with_capacity(set.word.len());
        let mut walked: Vec<(Vec<u8>, u64)> = Vec::new();
        for_each_base(&set.word, |base, group| {
            let start = values.len() as u32;
            let mut walk_base = false;
            for (key, v) in group.iter() {
                if whole_word_only(set, base, v) {
                    values.push(v);
                } else {
                    walk_base |= key.len() > base.len();
                    walked.push((key.to_vec(), v));
                }
            }
            let len = values.len() as u32 - start;
            if len > 0 {
                words.insert(base, Values { start, len });
            }
            if walk_base {
                walked.push((base.to_vec(), FANOUT_MARK));
            }
        });
        let whole_words_only = walked.is_empty() && set.inner.is_empty() && set.host.is_empty();
        // Ranked keys sort after longer keys that share their start (`sa` < `s\xff\0`).
        walked.sort_unstable();
        let mut rest = fst::MapBuilder::memory();
        let mut rest_len = 0;
        for (key, v) in &walked {
            if rest.insert(key, *v).is_ok() {
                rest_len += 1;
            }
        }
        let rest = (rest_len > 0)
            .then(|| rest.into_inner().ok())
            .flatten()
            .and_then(|bytes| Index::from_vec(bytes).ok());
        Warm {
            starts,
            #[cfg(feature = "automaton")]
            inner: OnceLock::new(),
            #[cfg(feature = "automaton")]
            walked: Default::default(),
            words,
            rest,
            values,
            whole_words_only,
            odds: Odds::default(),
        }
    }
}

/// An Aho-Corasick automaton over the inner keys, each pattern with its values.
#[cfg(feature = "automaton")]
fn automaton(set: &TermSet) -> Option<Inner> {
    use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
    let mut values = Vec::new();
    let keys = grouped(&set.inner, &mut values);
    if keys.is_empty() {
        return None;
    }
    let patterns: Vec<&[u8]> = keys.iter().map(|(k, _)| k.as_slice()).collect();
    // An automaton that cannot be built (it never happens within the limits on terms) leaves the
    // set on the walk, which finds the same matches.
    let automaton = AhoCorasick::builder()
        .kind(Some(AhoCorasickKind::ContiguousNFA))
        .match_kind(MatchKind::Standard)
        .build(&patterns)
        .ok()?;
    Some(Inner {
        automaton,
        patterns: keys.into_iter().map(|(_, v)| v).collect(),
        values,
    })
}

/// Calls `f(base, keys)` for each key of an index without its fan-out suffix, with the keys and
/// values filed under it: the key itself, or a shared key's ranked keys (`s\xff\0`, `s\xff\1`),
/// which follow one another in key order. A shared key's own entry only marks it and is left out.
fn for_each_base(index: &Index, mut f: impl FnMut(&[u8], &Group)) {
    let mut base: Vec<u8> = Vec::new();
    let mut group = Group::default();
    let mut stream = index.map.stream();
    while let Some((key, v)) = stream.next() {
        let key_base = key.split(|b| *b == FANOUT_BYTE).next().unwrap_or(key);
        if key.len() == key_base.len() && v == FANOUT_MARK {
            continue;
        }
        if key_base != base.as_slice() {
            if !group.is_empty() {
                f(&base, &group);
                group.clear();
            }
            base.clear();
            base.extend_from_slice(key_base);
        }
        group.push(key, v);
    }
    if !group.is_empty() {
        f(&base, &group);
    }
}

/// The keys filed under one base key and their values, in one buffer reused from group to group
/// (no allocation per key).
#[derive(Default)]
struct Group {
    bytes: Vec<u8>,
    /// Each key's range of `bytes`, and its value.
    keys: Vec<(usize, usize, u64)>,
}

impl Group {
    fn push(&mut self, key: &[u8], value: u64) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(key);
        self.keys.push((start, self.bytes.len(), value));
    }

    fn iter(&self) -> impl Iterator<Item = (&[u8], u64)> + '_ {
        self.keys
            .iter()
            .map(|&(start, end, v)| (self.bytes.get(start..end).unwrap_or(&[]), v))
    }

    fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.keys.clear();
    }
}

/// The keys of an index without their fan-out suffixes, each with its values.
#[cfg(feature = "automaton")]
fn grouped(index: &Index, values: &mut Vec<u64>) -> Vec<(Vec<u8>, Values)> {
    let mut keys = Vec::new();
    for_each_base(index, |base, group| {
        let start = values.len() as u32;
        values.extend(group.iter().map(|(_, v)| v));
        let len = values.len() as u32 - start;
        keys.push((base.to_vec(), Values { start, len }));
    });
    keys
}

/// A key that can only match as a whole word: one word of a spaced script, every rule on it a
/// whole-word rule.
fn whole_word_only(set: &TermSet, key: &[u8], value: u64) -> bool {
    let Ok(key) = core::str::from_utf8(key) else {
        return false;
    };
    let whole_word = match Inline::decode(value) {
        Some(inline) => inline.pattern == Pattern::Bare,
        None => set.postings(value).all(|e| e.mode == Mode::Word),
    };
    whole_word && key.chars().all(|c| c.is_alphanumeric() && !is_unspaced(c))
}

/// The first one, two or three characters of every key of an index, as bits of a hash: a key can
/// start at a character of the text only where the character (for a one-character key), or the
/// character and the next (two characters), or the next two (longer keys) have their bit set. Most
/// characters of the text start no key, and answering that takes three bit tests instead of a walk
/// of the index; three characters, because a character and the next start a key often in a
/// language with few letters, and the walk from there then fails on the third.
///
/// Each length has bits of its own, as many as its keys need: a test passes a character by chance
/// as often as its bits are set, and the few short keys of a set of long ones would otherwise test
/// against bits the long keys filled.
pub(crate) struct Starts {
    /// Keys of one, two, and three or more characters.
    by_length: [Bits; 3],
}

impl Starts {
    fn build(index: &Index) -> Starts {
        let mut prefixes = Vec::with_capacity(index.map.len());
        let mut stream = index.map.keys();
        while let Some(key) = stream.next() {
            let key = key.split(|b| *b == FANOUT_BYTE).next().unwrap_or(key);
            let key = String::from_utf8_lossy(key);
            let mut chars = key.chars();
            if let Some(first) = chars.next() {
                prefixes.push((first, chars.next(), chars.next()));
            }
        }
        let length = |&(_, second, third): &(char, Option<char>, Option<char>)| {
            usize::from(second.is_some()) + usize::from(third.is_some())
        };
        let mut counts = [0; 3];
        for p in &prefixes {
            counts[length(p)] += 1;
        }
        let mut by_length = counts.map(Bits::new);
        for p in &prefixes {
            by_length[length(p)].set(Bits::hash(p.0, p.1, p.2));
        }
        Starts { by_length }
    }

    /// Whether a key may start with `first` (followed by `second` and `third`, if the text goes
    /// on).
    pub fn may_start(&self, first: char, second: Option<char>, third: Option<char>) -> bool {
        let [one, two, more] = &self.by_length;
        one.has(|| Bits::hash(first, None, None))
            || (second.is_some()
                && (two.has(|| Bits::hash(first, second, None))
                    || (third.is_some() && more.has(|| Bits::hash(first, second, third)))))
    }
}

/// A bit set of hashes, about 32 bits per member: a hash that is no member's passes one time in
/// 30 or so.
struct Bits {
    words: Vec<u64>,
    shift: u32,
}

impl Bits {
    /// Bits for `members` members, between 512 bytes and 128 KiB; none at all for none.
    fn new(members: usize) -> Bits {
        if members == 0 {
            return Bits {
                words: Vec::new(),
                shift: 0,
            };
        }
        let log2 = (members as u64 * 32)
            .next_power_of_two()
            .trailing_zeros()
            .clamp(12, 20);
        Bits {
            words: vec![0; 1 << (log2 - 6)],
            shift: 64 - log2,
        }
    }

    fn hash(first: char, second: Option<char>, third: Option<char>) -> u64 {
        // Characters fit in 21 bits; 0x1F_FFFF is none.
        let none = 0x1F_FFFF;
        let packed = (u64::from(first) << 42)
            | (second.map_or(none, u64::from) << 21)
            | third.map_or(none, u64::from);
        packed.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }

    fn bit(&self, hash: u64) -> usize {
        (hash >> self.shift) as usize
    }

    fn set(&mut self, hash: u64) {
        let bit = self.bit(hash);
        if let Some(w) = self.words.get_mut(bit / 64) {
            *w |= 1 << (bit % 64);
        }
    }

    /// Whether the hash `hash()` is set; an empty set computes none.
    #[inline]
    fn has(&self, hash: impl FnOnce() -> u64) -> bool {
        if self.words.is_empty() {
            return false;
        }
        let bit = self.bit(hash());
        self.words
            .get(bit / 64)
            .is_some_and(|w| w & (1 << (bit % 64)) != 0)
    }
}

/// The whole-word keys, each with its values: open addressing over one buffer of key bytes, so
/// that building it for a large set allocates a few times rather than once per key.
///
/// Most words of a post are no key, and a table of 10k keys is larger than a core's fast cache:
/// a lookup reads one byte of hash per slot from `tags` (32 KiB for 10k keys) and touches the slot
/// itself only when that byte matches.
struct WordTable {
    /// A power of two of slots, at most half of them used.
    slots: Vec<Slot>,
    /// Per slot: 0 if empty, else a byte of its key's hash ([`tag`]).
    tags: Vec<u8>,
    used: usize,
    keys: Vec<u8>,
}

#[derive(Clone, Copy, Default)]
struct Slot {
    /// The key is `keys[start..start + len]`.
    start: u32,
    len: u32,
    values: Values,
}

impl WordTable {
    fn with_capacity(keys: usize) -> WordTable {
        let slots = (keys * 2).next_power_of_two().max(16);
        WordTable {
            slots: vec![Slot::default(); slots],
            tags: vec![0; slots],
            used: 0,
            keys: Vec::new(),
        }
    }

    /// Adds a key that is not in the table yet.
    fn insert(&mut self, key: &[u8], values: Values) {
        if key.is_empty() || u32::try_from(self.keys.len() + key.len()).is_err() {
            return;
        }
        if self.used * 2 >= self.slots.len() {
            let old = std::mem::take(&mut self.slots);
            self.slots = vec![Slot::default(); old.len() * 2];
            self.tags = vec![0; old.len() * 2];
            for slot in old.into_iter().filter(|s| s.len > 0) {
                let start = slot.start as usize;
                self.put(hash(&self.keys, start..start + slot.len as usize), slot);
            }
        }
        let slot = Slot {
            start: self.keys.len() as u32,
            len: key.len() as u32,
            values,
        };
        self.put(hash(key, 0..key.len()), slot);
        self.used += 1;
        self.keys.extend_from_slice(key);
    }

    fn put(&mut self, hash: u64, slot: Slot) {
        let mask = self.slots.len() - 1;
        let mut at = hash as usize & mask;
        while self.tags[at] != 0 {
            at = (at + 1) & mask;
        }
        self.tags[at] = tag(hash);
        self.slots[at] = slot;
    }

    /// The values of the key `text[key]`.
    fn get(&self, text: &[u8], key: std::ops::Range<usize>) -> Option<Values> {
        const ONES: u64 = 0x0101_0101_0101_0101;
        let hash = hash(text, key.clone());
        let key = text.get(key)?;
        let tag = tag(hash);
        let mask = self.tags.len() - 1;
        let mut at = hash as usize & mask;
        // Eight tags at a time: a lookup takes no branch on whether each slot is empty, used or
        // a match, which a post's words make unpredictable.
        loop {
            let group = self.group(at);
            let empty = zero_bytes(group);
            let mut same = zero_bytes(group ^ (ONES * u64::from(tag)));
            if empty != 0 {
                // Only the tags before the first empty slot belong to this key's probe.
                same &= (empty & empty.wrapping_neg()) - 1;
            }
            while same != 0 {
                let slot = self
                    .slots
                    .get((at + same.trailing_zeros() as usize / 8) & mask)?;
                let start = slot.start as usize;
                if self.keys.get(start..start + slot.len as usize) == Some(key) {
                    return Some(slot.values);
                }
                same &= same - 1;
            }
            if empty != 0 {
                return None;
            }
            at = (at + 8) & mask;
        }
    }

    /// The tags of slots `at..at + 8`, wrapping around, as the bytes of a little-endian word.
    fn group(&self, at: usize) -> u64 {
        match self.tags.get(at..at + 8) {
            Some(t) => u64::from_le_bytes([t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7]]),
            None => (0..8).rev().fold(0, |w, k| {
                (w << 8) | u64::from(self.tags[(at + k) & (self.tags.len() - 1)])
            }),
        }
    }
}

/// The high bit of each byte of `x` that is zero, and no other bit.
pub(crate) fn zero_bytes(x: u64) -> u64 {
    const LOW: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    !(((x & LOW) + LOW) | x | LOW)
}

/// The byte of a key's hash kept in [`WordTable::tags`]: its top byte (slots are picked by the low
/// bits), never 0.
fn tag(hash: u64) -> u8 {
    ((hash >> 56) as u8).max(1)
}

/// The rustc hash function over 8 bytes at a time, the last few in one round: fast on short keys,
/// and the keys are not attacker-chosen (they come from the set; text only looks them up). Hashes
/// `text[key]`; the last bytes are read as one word when `text` goes on past them, as the post
/// around a word does.
fn hash(text: &[u8], key: std::ops::Range<usize>) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let word = |at: usize| {
        text.get(at..at + 8)
            .map(|c| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
    };
    let mut hash = 0u64;
    let mut at = key.start;
    while at + 8 <= key.end {
        hash = (hash.rotate_left(5) ^ word(at).unwrap_or(0)).wrapping_mul(K);
        at += 8;
    }
    let rest = key.end.saturating_sub(at);
    let w = match word(at) {
        Some(w) if rest > 0 => w & (u64::MAX >> (64 - 8 * rest)),
        _ => text
            .get(at..key.end)
            .unwrap_or(&[])
            .iter()
            .rev()
            .fold(0, |w: u64, &b| (w << 8) | u64::from(b)),
    };
    hash = (hash.rotate_left(5) ^ w).wrapping_mul(K);
    // A multiplication mixes only upwards; slots are picked by the low bits.
    hash.rotate_left(26)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn a_key_hashes_alike_alone_and_inside_a_text(
            text in prop::collection::vec(any::<u8>(), 0..40),
            a in 0usize..40,
            b in 0usize..40,
        ) {
            let (from, to) = (a.min(b).min(text.len()), a.max(b).min(text.len()));
            let alone = text[from..to].to_vec();
            prop_assert_eq!(hash(&text, from..to), hash(&alone, 0..alone.len()));
        }
    }

    #[cfg(feature = "automaton")]
    #[test]
    fn the_automaton_is_built_once_walks_are_many() {
        let scan = |set: &TermSet, text: &str| {
            crate::Scanner::new(&[set])
                .engine(crate::Engine::Automaton)
                .check(text)
        };
        let dense = crate::compile_str("[block]\n*ab*\n*ba*\n*zz*\n").unwrap();
        let sparse = crate::compile_str("[block]\n*zzq*\n*qq*\n").unwrap();
        let text = "ab".repeat(1 << 10);
        for _ in 0..(WALKED_BEFORE_DECIDING as usize / text.len()) {
            assert_eq!(scan(&dense, &text).name(), "block");
            assert_eq!(scan(&sparse, &text).name(), "allow");
        }
        let built = |set: &TermSet| set.warm.get().and_then(|w| w.inner.get()).is_some();
        assert!(!built(&dense) && !built(&sparse));
        assert_eq!(scan(&dense, &text).matches.len(), 2047);
        assert_eq!(scan(&sparse, &text).name(), "allow");
        assert!(
            built(&dense),
            "a walk at every character costs more than the automaton"
        );
        assert!(!built(&sparse), "the bit set lets no walk through");
        assert_eq!(scan(&dense, &text).matches.len(), 2047);
    }

    #[test]
    fn word_table_grows_and_finds_every_key() {
        let mut table = WordTable::with_capacity(1);
        let keys: Vec<String> = (0..1000).map(|i| format!("w{i}")).collect();
        for (i, key) in keys.iter().enumerate() {
            table.insert(
                key.as_bytes(),
                Values {
                    start: i as u32,
                    len: 1,
                },
            );
        }
        assert!(table.slots.len() >= 2 * keys.len());
        for (i, key) in keys.iter().enumerate() {
            assert_eq!(
                table.get(key.as_bytes(), 0..key.len()).map(|v| v.start),
                Some(i as u32)
            );
            // Inside a longer text, as in a post.
            let text = format!("a {key} w99999999 b");
            let at = 2..2 + key.len();
            assert_eq!(
                table.get(text.as_bytes(), at).map(|v| v.start),
                Some(i as u32)
            );
        }
        for missing in ["", "w", "w1000", "w01", "x1", "w99999999"] {
            assert!(
                table.get(missing.as_bytes(), 0..missing.len()).is_none(),
                "{missing}"
            );
        }
    }
}
