//! termgate filters social posts against term lists, at the edge and in the browser.
//!
//! Operators ban or flag terms, users mute terms they never want to see, and the text people
//! post is hostile: full-width letters, katakana for hiragana, zero-width characters, letters
//! spaced out or repeated, look-alike letters and leetspeak. termgate normalizes terms and text
//! the same way, matches them with an [`fst`](https://docs.rs/fst) index (and, once a set is busy,
//! a hash table of its whole words and, where it pays, an Aho-Corasick automaton), and maps every
//! match back to exact offsets in the original text.
//!
//! # Overview
//!
//! * [`compile`](fn@compile) / [`Compiler`] turn term lists ([`Source`]) into a [`TermSet`]: a compact,
//!   versioned, checksummed byte buffer that loads in place with [`TermSet::from_bytes`].
//! * [`Scanner`] checks text against one or more sets at once and returns a [`Verdict`]: the
//!   strongest [`Action`] and every [`Match`] with its span, rule, action and [`Category`].
//! * [`Profile`] and [`Fold`] choose which normalizations a set applies.
//! * [`report`] lists what each kind of problem report must contain.
//!
//! # Example: full-width letters do not hide a term
//!
//! ```
//! use termgate::{compile_str, Scanner};
//!
//! let set = compile_str("[warn harassment]\nbaka\n")?;
//! let text = "お前は ＢＡＫＡ だ";
//! let verdict = Scanner::new(&[&set]).check(text);
//! assert_eq!(verdict.name(), "warn");
//! let m = &verdict.matches[0];
//! assert_eq!(&text[m.start..m.end], "ＢＡＫＡ");
//! assert_eq!(m.rule, "baka");
//! assert_eq!(m.category.map(|c| c.as_str()), Some("harassment"));
//! # Ok::<(), termgate::CompileError>(())
//! ```
//!
//! # Example: Japanese terms match inside words, English terms only whole
//!
//! ```
//! use termgate::{compile_str, Scanner};
//!
//! let set = compile_str("[hide]\nラーメン\nass\n")?;
//! let scanner = Scanner::new(&[&set]);
//! assert_eq!(scanner.check("今日はらーめんを食べた").name(), "hide");
//! assert_eq!(scanner.check("my assistant's class").name(), "allow");
//! assert_eq!(scanner.check("what an a$$").name(), "hide");
//! # Ok::<(), termgate::CompileError>(())
//! ```
//!
//! # Example: store a set and load it again
//!
//! ```
//! let set = termgate::compile_str("[block phishing]\nhost:evil.example\n")?;
//! let bytes = set.as_bytes().to_vec();
//! let loaded = termgate::TermSet::from_bytes(bytes).unwrap();
//! let v = termgate::Scanner::new(&[&loaded]).check("login at https://www.evil.example/x");
//! assert_eq!(v.name(), "block");
//! assert!(termgate::TermSet::from_bytes(vec![0u8; 10]).is_err());
//! # Ok::<(), termgate::CompileError>(())
//! ```
//!
//! # Term lists
//!
//! One rule a line; `#` starts a comment line; a section header names the action, an optional
//! category and an optional expiry for the rules below it:
//!
//! ```text
//! [block spam]                      action (block, flag, warn, hide, collapse), category
//! baka                              bare term: whole word in scripts with spaces; substring
//!                                   for terms containing Han, kana, Hangul, Thai, Lao, Khmer
//! *ass*                             substring anywhere
//! ass*                              word prefix
//! *ass                              word suffix
//! buy && followers                  every part somewhere in the post, any order
//! host:example.com                  a link or bare domain on example.com or a subdomain
//! !assessment                       exception: matches inside an occurrence do not count
//! [hide until=2026-12-31T00:00Z]    the rules below stop applying at that instant
//! ```
//!
//! Categories: `spam`, `phishing`, `malware`, `tampering`, `unauthorized-access`, `copyright`,
//! `defamation`, `privacy`, `personal-info`, `portrait`, `trademark`, `illegal`, `nuisance`,
//! `harassment`, `other`. Exceptions apply to every rule of their set. A backslash keeps a leading
//! `!`, `#` or `[` literal. Every mistake is a [`CompileError`] naming file, line and column.
//!
//! # Crate features
//!
//! * `automaton` (default): the Aho-Corasick automaton of the warm path, built for a busy set
//!   whose terms that may start anywhere would be walked too often (thousands of `*word*` terms
//!   in English). Without it, such terms are always walked from where one may start: the same
//!   matches, slower on those sets. The browser module leaves it out to stay small.
//! * `cli` (default): what the `termgate` command-line tool needs (`anyhow`, `serde_json`,
//!   `indicatif`). Libraries and the wasm crates use `default-features = false`.
//!
//! # Quirks
//!
//! 1. A letter doubled is not a stretched letter: `spaam` does not match `spam`, because
//!    doubling changes words (`as`, `ass`). Three or more repeats match (`spaaam`). At an edge
//!    where a match may lie inside a word, the other half of a doubled letter belongs to the text
//!    around it: `as*` matches the `as` of `assassin`, `スリット` the `スリット` of `スリットとも`
//!    (whose `トと` folds to a doubled `と`).
//! 2. Separators are crossed between single letters (`s p a m`, `し・ね`), and between letters
//!    of scripts written without spaces when they are light (`・ . - _ ~` and the like, not
//!    spaces or sentence punctuation): `出ス・リ・ッ・ト掛け` reads `出すりっと掛け`, and
//!    `ジョン・スミス` reads as one word, as Japanese written without the dot would. `sp am` does
//!    not match `spam` (and `this pam` never does).
//! 3. Leetspeak digits count as letters only in tokens that also have a letter: `a55` is `ass`,
//!    `455` stays a number.
//! 4. Exceptions and `&&` parts are per set: an exception in a user's mute list does not excuse
//!    a match of the operator's set.
//! 5. Texts of 4 GiB or more are scanned in 4 GiB pieces; a term across a piece boundary is
//!    missed.
//! 6. Host names in other scripts must be written in their `xn--` form, in rules and in text.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod action;
mod compile;
mod error;
mod hosts;
mod list;
mod normalize;
mod plain;
pub mod report;
mod scan;
mod termset;
#[cfg(test)]
mod tests;
mod time;
mod verdict;
mod warm;

pub use crate::action::{Action, Category, UnknownName};
pub use crate::compile::{compile, compile_str, Compiler, MAX_RULES};
pub use crate::error::{CompileError, LoadError, LoadErrorKind};
pub use crate::list::{Source, MAX_AND_PARTS, MAX_HOST_CHARS, MAX_TERM_CHARS};
pub use crate::normalize::{Fold, Profile, NORMALIZATION_VERSION};
pub use crate::scan::{Engine, Scanner, AUTOMATON_AFTER_BYTES_PER_KEY};
pub use crate::termset::{RuleInfo, SetInfo, TermSet, FORMAT_VERSION};
pub use crate::time::format_instant_millis;
pub use crate::verdict::{utf16_offsets, Match, Verdict};
