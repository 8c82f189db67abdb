//! The warm path: indexes built once a set has scanned enough text to pay for them.
//!
//! A fresh set answers by walking its fst indexes, which costs nothing to set up. A busy set
//! builds, once: an Aho-Corasick automaton over the keys that may start anywhere, a hash table of
//! the keys that can only match a whole word (one lookup per word instead of a walk), and a small
//! fst of the remaining word-start keys (prefixes, several words).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use fst::Streamer;

use crate::normalize::is_unspaced;
use crate::termset::{Index, Inline, Mode, Pattern, TermSet, FANOUT_BYTE, FANOUT_MARK};

pub(crate) struct Warm {
    /// Inner keys, and each pattern's values.
    pub inner: Option<(AhoCorasick, Vec<Values>)>,
    /// Word keys that match only whole words, to their values.
    pub words: HashMap<Box<[u8]>, Values, BuildHasherDefault<FxHasher>>,
    /// The other word keys, walked from each word start.
    pub rest: Option<Index>,
    /// Every value, pointed into by [`Values`].
    pub values: Vec<u64>,
}

/// A range of [`Warm::values`]: the values of one key (several when plain terms share it).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Values {
    start: u32,
    len: u32,
}

impl Warm {
    pub fn values(&self, v: Values) -> &[u64] {
        let start = v.start as usize;
        self.values
            .get(start..start + v.len as usize)
            .unwrap_or(&[])
    }

    pub fn build(set: &TermSet) -> Warm {
        let mut values = Vec::new();
        let inner_keys = grouped(&set.inner, &mut values);
        let patterns: Vec<&[u8]> = inner_keys.iter().map(|(k, _)| k.as_slice()).collect();
        // An automaton that cannot be built (it never happens with the limits on terms) leaves
        // the set on the walk, which finds the same matches.
        let inner = (!patterns.is_empty())
            .then(|| {
                AhoCorasick::builder()
                    .kind(Some(AhoCorasickKind::ContiguousNFA))
                    .match_kind(MatchKind::Standard)
                    .build(&patterns)
                    .ok()
            })
            .flatten()
            .map(|ac| (ac, inner_keys.iter().map(|(_, v)| *v).collect()));

        let mut words = HashMap::default();
        let mut rest = fst::MapBuilder::memory();
        let mut rest_len = 0;
        let mut keys: Vec<(Vec<u8>, u64)> = Vec::with_capacity(set.word.len());
        let mut stream = set.word.map.stream();
        while let Some((k, v)) = stream.next() {
            keys.push((k.to_vec(), v));
        }
        let base = |k: &[u8]| k.split(|b| *b == FANOUT_BYTE).next().unwrap_or(k).to_vec();
        let mut i = 0;
        while i < keys.len() {
            // One key, or a shared key's mark followed by its ranked keys.
            let group_base = base(&keys[i].0);
            let mut j = i + 1;
            while j < keys.len() && keys[i].1 == FANOUT_MARK && base(&keys[j].0) == group_base {
                j += 1;
            }
            let group = &keys[i..j];
            let walked: Vec<&(Vec<u8>, u64)> = group
                .iter()
                .filter(|(_, v)| *v != FANOUT_MARK && !whole_word_only(set, &group_base, *v))
                .collect();
            for (_, v) in group.iter().filter(|(_, v)| *v != FANOUT_MARK) {
                if whole_word_only(set, &group_base, *v) {
                    let entry = words.entry(group_base.clone().into()).or_insert(Values {
                        start: values.len() as u32,
                        len: 0,
                    });
                    values.push(*v);
                    entry.len += 1;
                }
            }
            if !walked.is_empty() {
                if group[0].1 == FANOUT_MARK && rest.insert(&group[0].0, FANOUT_MARK).is_ok() {
                    rest_len += 1;
                }
                for (k, v) in walked {
                    if rest.insert(k, *v).is_ok() {
                        rest_len += 1;
                    }
                }
            }
            i = j;
        }
        let rest = (rest_len > 0)
            .then(|| rest.into_inner().ok())
            .flatten()
            .and_then(|bytes| Index::from_vec(bytes).ok());
        Warm {
            inner,
            words,
            rest,
            values,
        }
    }
}

/// The keys of an index without their fan-out suffixes, each with its values.
fn grouped(index: &Index, values: &mut Vec<u64>) -> Vec<(Vec<u8>, Values)> {
    let mut keys: Vec<(Vec<u8>, Values)> = Vec::with_capacity(index.len());
    let mut stream = index.map.stream();
    while let Some((k, v)) = stream.next() {
        if v == FANOUT_MARK {
            continue;
        }
        let base = k.split(|b| *b == FANOUT_BYTE).next().unwrap_or(k);
        match keys.last_mut() {
            Some((last, range)) if last.as_slice() == base => range.len += 1,
            _ => keys.push((
                base.to_vec(),
                Values {
                    start: values.len() as u32,
                    len: 1,
                },
            )),
        }
        values.push(v);
    }
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

/// The rustc hash function: fast on short keys, and the keys are not attacker-chosen (they come
/// from the set; text only looks them up).
#[derive(Default)]
pub(crate) struct FxHasher {
    hash: u64,
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.hash = (self.hash.rotate_left(5) ^ w).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.hash = (self.hash.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}
