//! A shortcut for most posts: a text of ASCII (and common punctuation and emoji) checked against a
//! set whose keys are all whole words is read word by word without being normalized as a whole.
//!
//! Under the full profile a word's normalized form is, in ASCII, the word in lower case with
//! repeated letters collapsed, and letters spaced out (`s p a m`) joined. The shortcut looks those
//! up and reports the words that are keys. A key whose rules are all plain terms (inline values,
//! no exception) gets its matches there and then, its letters' repeats checked against each
//! term's ([`repeats_agree`]); the other keys' words alone are normalized
//! ([`normalize_words`]) and scanned, and their matches are found in that short text as they
//! would be in the whole one: every key is a whole word, so no match reaches past the word it is
//! in, and a word normalizes alike alone and among the others. Whatever the shortcut does not
//! read the way normalization would (digits or leetspeak among letters, a key spelled out in
//! spaced letters, another profile) sends the text the whole way.
//!
//! Reading costs about three quarters of the whole way, so a text the shortcut gives up on costs
//! more than the whole way alone, and so does one whose words mostly need normalizing. Each set
//! keeps the recent odds ([`Odds`]) and stops trying while more than a fifth of texts are of
//! either kind, but for one text in 16, to notice when they turn.
//!
//! [`normalize_words`]: crate::normalize::normalize_words

use std::sync::atomic::{AtomicU32, Ordering};

use crate::compile::repeat_class;
use crate::normalize::{is_plain_separator, letters, Profile, ASCII, DIGIT};
use crate::termset::Inline;
use crate::warm::{zero_bytes, Warm};

/// Words longer than this go the whole way.
const LONGEST: usize = 64;

/// The bytes of a token under the full profile: letters, digits and `$ @ !`.
const TOKEN: u8 = 0x7;

/// Whether the shortcut reads `text` under `profile`: ASCII under the full profile, with common
/// punctuation and emoji besides (curly quotes, Japanese punctuation, the main emoji blocks:
/// [`is_plain_separator`]), which every profile reads as gaps. An emoji's variation selector or
/// joiner (`❤️`, `👨‍👩`) is part of the gap too; anywhere else it is invisible and joins what it
/// stands between, so the text goes the whole way.
pub(crate) fn reads(text: &str, profile: Profile) -> bool {
    let mut after_gap = false;
    profile == Profile::FULL
        && (text.is_ascii()
            || text.chars().all(|c| {
                if c.is_ascii() {
                    after_gap = false;
                    return true;
                }
                after_gap =
                    is_plain_separator(c) || (after_gap && matches!(c, '\u{FE0F}' | '\u{200D}'));
                after_gap
            }))
}

/// Reads `text` (one the shortcut [`reads`]) and calls `key(start, end, normalized, values)` for
/// every word that is a whole-word key of `warm`, in order, with its byte range, its normalized
/// form and the key's values; false when it has a token the shortcut does not read, or spaced-out
/// letters that join into a key (then some keys may have been reported). The caller checks that
/// the set has no keys but whole words.
pub(crate) fn word_keys(
    warm: &Warm,
    text: &str,
    mut key: impl FnMut(usize, usize, &[u8], &[u64]),
) -> bool {
    let bytes = text.as_bytes();
    // A byte of a character that is not ASCII belongs to a separator (see `reads`).
    let kind = |at: usize| {
        bytes
            .get(at)
            .map(|&b| ASCII.get(usize::from(b)).copied().unwrap_or(0))
    };
    let ends_token = |at: usize| kind(at).is_none_or(|k| k & TOKEN == 0);
    // The word being read, in lower case, with room for whole 8-byte writes.
    let mut word = [0u8; LONGEST + 8];
    // One-letter tokens in a row, joined as normalization joins them (`s p a m`).
    let mut joined = [0u8; LONGEST + 8];
    let mut joined_len = 0;
    let mut at = 0;
    loop {
        while kind(at).is_some_and(|k| k & TOKEN == 0) {
            at += 1;
        }
        if at == bytes.len() {
            break;
        }
        if let Some(n) = short_word(bytes, at, &mut word) {
            if !flush(warm, &joined, &mut joined_len) {
                return false;
            }
            if let Some(values) = warm.word(&word, 0..n) {
                key(at, at + n, &word[..n], values);
            }
            at += n;
            continue;
        }
        let n = letters(&bytes[at..]).len();
        let mut end = at + n;
        // `!` after a word is punctuation (`spam!`, `!!!`); any other symbol or digit after
        // letters, or a letter after them, makes a token this shortcut does not read.
        let mut bangs = end;
        while bytes.get(bangs) == Some(&b'!') {
            bangs += 1;
        }
        if bangs > end && ends_token(bangs) {
            if n == 0 {
                at = bangs;
                continue;
            }
        } else if !ends_token(end) {
            if n > 0 || kind(at) != Some(DIGIT) {
                return false;
            }
            // A number: normalized as it is written, repeated digits collapsed.
            while kind(end) == Some(DIGIT) {
                end += 1;
            }
            if !ends_token(end) || end - at > LONGEST {
                return false;
            }
            word[..end - at].copy_from_slice(&bytes[at..end]);
            let len = collapse(&mut word[..end - at]);
            if !flush(warm, &joined, &mut joined_len) {
                return false;
            }
            if let Some(values) = warm.word(&word, 0..len) {
                key(at, end, &word[..len], values);
            }
            at = end;
            continue;
        }
        if n > LONGEST {
            return false;
        }
        let len = lower(&bytes[at..], n, &mut word);
        if len == 1 {
            if joined_len > 0 && joined[joined_len - 1] == word[0] {
                // A repeat across the join: `s s` is one `s`.
            } else if joined_len < LONGEST {
                joined[joined_len] = word[0];
                joined_len += 1;
            } else {
                return false;
            }
        } else if !flush(warm, &joined, &mut joined_len) {
            return false;
        } else if let Some(values) = warm.word(&word, 0..len) {
            key(at, end, &word[..len], values);
        }
        at = bangs.max(end);
    }
    flush(warm, &joined, &mut joined_len)
}

/// Whether the letters of `word`, a word of the text the shortcut found to be a key, repeat as
/// the whole-word term `inline` requires: each as many times as the term has it, or three times
/// or more (a stretched letter), as [`SetScan`](crate::scan::SetScan) requires of a whole word.
pub(crate) fn repeats_agree(word: &[u8], inline: &Inline) -> bool {
    let mut k = 0;
    let mut run = 0;
    for (n, &b) in word.iter().enumerate() {
        run += 1;
        // Letters in lower case; digits are as they are either way.
        if word.get(n + 1).map(|&next| next | 0x20) != Some(b | 0x20) {
            let have = repeat_class(u8::try_from(run).unwrap_or(u8::MAX));
            if have != 3 && have != inline.class(k) {
                return false;
            }
            k += 1;
            run = 0;
        }
    }
    true
}

/// The recent share of a set's texts the shortcut gave up on, as a moving average in 1/65536ths,
/// and a count of the texts asked about.
#[derive(Debug, Default)]
pub(crate) struct Odds {
    failing: AtomicU32,
    asked: AtomicU32,
}

/// Above this share of failures the shortcut is not tried...
const FAILING: u32 = 65536 / 5;

/// ...but for one text in this many.
const PROBE_EVERY: u32 = 16;

impl Odds {
    pub fn worth_trying(&self) -> bool {
        let asked = self.asked.fetch_add(1, Ordering::Relaxed);
        self.failing.load(Ordering::Relaxed) < FAILING || asked % PROBE_EVERY == 0
    }

    /// Counts one text, over about the last 32. A text tried while the shortcut is off is a
    /// probe and stands for the [`PROBE_EVERY`] texts not tried: counted as one, a burst of
    /// failures (a run of quoted e-mail addresses, say) would keep the shortcut off for the
    /// next ~800 texts, however plain they are.
    pub fn note(&self, failed: bool) {
        let share = self.failing.load(Ordering::Relaxed);
        let weight = if share < FAILING { 1 } else { PROBE_EVERY };
        let now = if failed { 65536 } else { 0 };
        self.failing.store(
            share - share / 32 * weight + now / 32 * weight,
            Ordering::Relaxed,
        );
    }
}

/// Looks up the joined one-letter tokens, if any, and starts a new run; false if they are a key.
fn flush(warm: &Warm, joined: &[u8], len: &mut usize) -> bool {
    let found = *len > 0 && warm.word(joined, 0..*len).is_some();
    *len = 0;
    !found
}

/// Reads most words of a text in one 8-byte read: the 2 to 7 letters at `at`, followed by a gap,
/// none the same as the one before (71 % of the words of the English benchmark's posts). Writes
/// them into `word` in lower case and returns how many. The general path reads such a word three
/// times (its letters, then to lower it, then for repeats); this takes a tenth off reading.
fn short_word(bytes: &[u8], at: usize, word: &mut [u8; LONGEST + 8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let c = bytes.get(at..at + 8)?;
    let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
    let n = letters(c).len();
    let after = ASCII.get(usize::from(*c.get(n)?)).copied().unwrap_or(0);
    if n < 2 || after & TOKEN != 0 {
        return None;
    }
    let lower = (w | (0x20 * ONES)) & (u64::MAX >> (64 - 8 * n));
    word[..8].copy_from_slice(&lower.to_le_bytes());
    (!has_repeat(word, n)).then_some(n)
}

/// Writes the `n` letters at the start of `bytes` into `word` in lower case, repeated letters
/// collapsed; returns the length written.
fn lower(bytes: &[u8], n: usize, word: &mut [u8; LONGEST + 8]) -> usize {
    const CASE: u64 = 0x2020_2020_2020_2020;
    let mut k = 0;
    while k < n {
        match bytes.get(k..k + 8) {
            Some(c) => {
                let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
                word[k..k + 8].copy_from_slice(&(w | CASE).to_le_bytes());
            }
            None => {
                for j in k..n {
                    word[j] = bytes[j] | 0x20;
                }
            }
        }
        k += 8;
    }
    if !has_repeat(word, n) {
        return n;
    }
    collapse(&mut word[..n])
}

/// Whether two bytes in a row of `word[..n]` are the same: seven pairs per 8-byte read, as the
/// word was written, rather than a loop over bytes that mispredicts its exit.
fn has_repeat(word: &[u8; LONGEST + 8], n: usize) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut k = 0;
    while k + 1 < n {
        let Some(c) = word.get(k..k + 8) else {
            return false;
        };
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        // Byte j of `w ^ (w >> 8)` is zero where bytes j and j + 1 are equal.
        let pairs = (n - 1 - k).min(7);
        if zero_bytes(w ^ (w >> 8)) & HIGH & ((1 << (8 * pairs)) - 1) != 0 {
            return true;
        }
        k += 7;
    }
    false
}

/// Collapses the repeated bytes of `word` in place; returns the length left. Every byte is
/// written and only the count depends on it: which letters repeat is unpredictable.
fn collapse(word: &mut [u8]) -> usize {
    let Some(&first) = word.first() else {
        return 0;
    };
    let (mut len, mut last) = (1, first);
    for j in 1..word.len() {
        let b = word[j];
        word[len] = b;
        len += usize::from(b != last);
        last = b;
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_kinds_are_those_of_the_full_profile() {
        assert_eq!(crate::normalize::word_kinds(Profile::FULL), TOKEN);
    }

    #[test]
    fn reads_plain_words_and_leaves_the_rest_to_normalization() {
        let set = crate::compile_str("[block]\nspam\nab\n55\n").unwrap();
        let warm = Warm::build(&set);
        assert!(warm.whole_words_only);
        // The words that are keys, or `None` where the text goes the whole way.
        for (text, keys) in [
            ("hello world, 7:30 or 3", Some(&[][..])),
            ("wow!!! so !!! cool", Some(&[])),
            ("I said a b c", Some(&[])), // `abc`
            ("SPAM! and ab", Some(&[(0, 4), (10, 12)])),
            ("spaaam", Some(&[(0, 6)])),                     // `spam`
            ("5 555", Some(&[(0, 1), (2, 5)])), // both read `5`, as `55` does (repeats decide later)
            ("a c is not a b", None),           // `a b` is read as `ab`
            ("s p a m", None),                  // `spam`
            ("sp4m and 4pple", None),           // leetspeak
            ("$pam or @b", None),               // leetspeak
            ("héllo", None),                    // not ASCII
            ("don’t “spam”", Some(&[(11, 15)])), // curly quotes are gaps
            ("s’p’a’m", None),                  // spaced out across them
            ("😀spam 🙂!", Some(&[(4, 8)])),    // emoji are gaps too
            ("s🔥p🔥a🔥m", None),               // and join spaced-out letters
            ("spam❤\u{FE0F} ab", Some(&[(0, 4), (11, 13)])), // an emoji's selector is a gap,
            ("👨\u{200D}👩 spam", Some(&[(12, 16)])), // and so is its joiner;
            ("sp\u{FE0F}am", None),             // elsewhere they are invisible and join letters
            ("sp\u{200D}am ❤", None),
            ("❤ sp\u{FE0F}am", None),
        ] {
            let mut found = Vec::new();
            let read = reads(text, Profile::FULL)
                && word_keys(&warm, text, |start, end, _, _| found.push((start, end)));
            assert_eq!(read.then_some(&found[..]), keys, "{text}");
        }
        assert!(!reads(
            "hello",
            Profile::FULL.with(crate::Fold::Case, false)
        ));
    }

    proptest::proptest! {
        #[test]
        fn repeats_are_found_as_a_loop_over_pairs_finds_them(
            bytes in proptest::collection::vec(b'a'..=b'd', 0..=LONGEST),
            garbage in proptest::collection::vec(b'a'..=b'd', 8),
        ) {
            let mut word = [0u8; LONGEST + 8];
            word[..bytes.len()].copy_from_slice(&bytes);
            // What lies past the word must not count.
            word[bytes.len()..bytes.len() + 8].copy_from_slice(&garbage);
            let want = bytes.windows(2).any(|p| p[0] == p[1]);
            proptest::prop_assert_eq!(has_repeat(&word, bytes.len()), want);
        }
    }

    #[test]
    fn odds_turn_after_a_run_of_failures_and_back() {
        let odds = Odds::default();
        assert!(odds.worth_trying());
        for _ in 0..64 {
            odds.note(true);
        }
        // Off, but for one text in 16.
        let tried = (0..64).filter(|_| odds.worth_trying()).count();
        assert_eq!(tried, 64 / PROBE_EVERY as usize);
        // Each probe that succeeds stands for the 16 texts not tried: the third turns it back on.
        for _ in 0..2 {
            odds.note(false);
        }
        assert!(!(0..64).all(|_| odds.worth_trying()));
        odds.note(false);
        assert!((0..64).all(|_| odds.worth_trying()));
    }
}
