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
use crate::termset::{Index, Mode, TermSet};

pub(crate) struct Warm {
    /// Inner keys, and each pattern's postings offset.
    pub inner: Option<(AhoCorasick, Vec<u64>)>,
    /// Word keys that match only whole words, to their postings offsets.
    pub words: HashMap<Box<[u8]>, u64, BuildHasherDefault<FxHasher>>,
    /// The other word keys, walked from each word start.
    pub rest: Option<Index>,
}

impl Warm {
    pub fn build(set: &TermSet) -> Warm {
        let mut keys = Vec::with_capacity(set.inner.len());
        let mut values = Vec::with_capacity(set.inner.len());
        let mut stream = set.inner.map.stream();
        while let Some((k, v)) = stream.next() {
            keys.push(k.to_vec());
            values.push(v);
        }
        // An automaton that cannot be built (it never happens with the limits on terms) leaves
        // the set on the walk, which finds the same matches.
        let inner = (!keys.is_empty())
            .then(|| {
                AhoCorasick::builder()
                    .kind(Some(AhoCorasickKind::ContiguousNFA))
                    .match_kind(MatchKind::Standard)
                    .build(&keys)
                    .ok()
            })
            .flatten()
            .map(|ac| (ac, values));

        let mut words = HashMap::default();
        let mut rest = fst::MapBuilder::memory();
        let mut rest_len = 0;
        let mut stream = set.word.map.stream();
        while let Some((k, v)) = stream.next() {
            if whole_word_only(set, k, v) {
                words.insert(k.into(), v);
            } else if rest.insert(k, v).is_ok() {
                rest_len += 1;
            }
        }
        let rest = (rest_len > 0)
            .then(|| rest.into_inner().ok())
            .flatten()
            .and_then(|bytes| crate::termset::Index::from_vec(bytes).ok());
        Warm { inner, words, rest }
    }
}

/// A key that can only match as a whole word: one word of a spaced script, every rule on it a
/// whole-word rule.
fn whole_word_only(set: &TermSet, key: &[u8], value: u64) -> bool {
    let Ok(key) = core::str::from_utf8(key) else {
        return false;
    };
    key.chars().all(|c| c.is_alphanumeric() && !is_unspaced(c))
        && set.postings(value).all(|e| e.mode == Mode::Word)
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
