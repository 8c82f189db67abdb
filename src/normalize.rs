//! One normalization for terms and text, with a map back to the original bytes.
//!
//! Terms and posts go through the same pipeline, so a term matches a post when their normalized
//! forms meet. The pipeline runs per *cluster* of the original text (a character and the combining
//! marks that follow it, so `ﾊﾟ` composes to `パ`), then groups what it produced into *tokens*
//! (runs of letters and digits) separated by *gaps* (runs of everything else):
//!
//! 1. compatibility forms (NFKC): `ＳＰＡＭ`, `ｽﾊﾟﾑ`, `①`, ligatures;
//! 2. invisible characters dropped (zero-width, bidi controls, soft hyphen, variation selectors);
//! 3. Latin diacritics stripped (`spàm`), never the kana voicing marks (`ば` stays `ば`);
//! 4. Cyrillic and Greek look-alikes mapped to Latin (`ѕрам`);
//! 5. lower case; katakana to hiragana;
//! 6. leetspeak among Latin letters (`sp4m`, `$pam`, `4ss`; `455` stays a number, and so do
//!    a number with a unit, `5m`, `10kg`, and digits among kana and kanji, `2005年`);
//! 7. letter-spaced runs joined: a gap between two tokens of one letter each disappears
//!    (`s p a m`, `し・ね`), and so does a gap of light separators (`・ . - _ ~`) between letters
//!    of scripts written without spaces (`出ス・リ・ッ・ト掛け`); every other gap becomes one
//!    space (`this pam` stays two words);
//! 8. repeated letters collapsed to one, with the run length remembered (`spaaaam`), and the long
//!    vowel mark `ー` dropped (`ばーーーか`).
//!
//! Every fold can be switched off in a [`Profile`].

use icu_normalizer::properties::{
    CanonicalCombiningClassMapBorrowed, CanonicalDecompositionBorrowed, Decomposed,
};
use icu_normalizer::ComposingNormalizerBorrowed;

/// The version of the normalization algorithm. A term set built with another version is refused,
/// because its keys would no longer meet the text.
pub const NORMALIZATION_VERSION: u16 = 3;

/// One step of the normalization pipeline that can be switched on or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Fold {
    /// Unicode compatibility normalization (NFKC): full-width, half-width, circled, ligatures.
    Compatibility,
    /// Lower case.
    Case,
    /// Katakana to hiragana.
    Kana,
    /// Latin diacritics removed.
    Diacritics,
    /// Zero-width and other invisible characters removed.
    Invisible,
    /// Separators between single letters removed (`s.p.a.m`).
    Separators,
    /// Cyrillic and Greek letters that look Latin mapped to Latin.
    Homoglyphs,
    /// `4 @ → a`, `3 → e`, `1 ! → i`, `0 → o`, `5 $ → s`, `7 → t` inside words.
    Leetspeak,
    /// Repeated letters collapsed, long vowel marks dropped.
    Repeats,
}

impl Fold {
    /// Every fold, in pipeline order.
    pub const ALL: [Fold; 9] = [
        Fold::Compatibility,
        Fold::Invisible,
        Fold::Diacritics,
        Fold::Homoglyphs,
        Fold::Case,
        Fold::Kana,
        Fold::Leetspeak,
        Fold::Separators,
        Fold::Repeats,
    ];

    /// The fold's name: `compat`, `case`, `kana`, `diacritics`, `invisible`, `separators`,
    /// `homoglyphs`, `leet` or `repeats`.
    pub fn as_str(self) -> &'static str {
        match self {
            Fold::Compatibility => "compat",
            Fold::Case => "case",
            Fold::Kana => "kana",
            Fold::Diacritics => "diacritics",
            Fold::Invisible => "invisible",
            Fold::Separators => "separators",
            Fold::Homoglyphs => "homoglyphs",
            Fold::Leetspeak => "leet",
            Fold::Repeats => "repeats",
        }
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// Which folds a term set was built with. Text is scanned with the profile of the set.
///
/// ```
/// use termgate::{Fold, Profile};
///
/// let p = Profile::FULL.with(Fold::Leetspeak, false);
/// assert!(p.has(Fold::Case));
/// assert!(!p.has(Fold::Leetspeak));
/// assert_eq!(Profile::from_bits(p.bits()), Some(p));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Profile {
    bits: u16,
}

impl Profile {
    /// Every fold on: the default.
    pub const FULL: Profile = Profile { bits: 0x1ff };
    /// No fold at all: terms match the text as written (tokens and gaps still apply).
    pub const NONE: Profile = Profile { bits: 0 };

    /// This profile with `fold` switched on or off.
    pub fn with(self, fold: Fold, on: bool) -> Profile {
        let bits = if on {
            self.bits | fold.bit()
        } else {
            self.bits & !fold.bit()
        };
        Profile { bits }
    }

    /// Whether `fold` is on.
    pub fn has(self, fold: Fold) -> bool {
        self.bits & fold.bit() != 0
    }

    /// The profile as stored in a term set.
    pub fn bits(self) -> u16 {
        self.bits
    }

    /// The profile stored as `bits`, or `None` if it names folds this version does not know.
    pub fn from_bits(bits: u16) -> Option<Profile> {
        (bits & !Profile::FULL.bits == 0).then_some(Profile { bits })
    }

    /// The names of the folds that are on, comma-separated (`none` for none).
    pub fn names(self) -> String {
        let on: Vec<&str> = Fold::ALL
            .into_iter()
            .filter(|f| self.has(*f))
            .map(Fold::as_str)
            .collect();
        if on.is_empty() {
            "none".to_string()
        } else {
            on.join(",")
        }
    }
}

impl Default for Profile {
    fn default() -> Profile {
        Profile::FULL
    }
}

/// One character of normalized text and where it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Unit {
    /// Byte offset of this character in the normalized text.
    pub norm: u32,
    /// Byte range in the original text that produced it.
    pub start: u32,
    pub end: u32,
    /// How many times the character stood in a row before it was collapsed (255 means 255 or more).
    pub run: u8,
    pub flags: u8,
}

impl Unit {
    /// A letter or digit of a script written with spaces between words.
    pub const SPACED: u8 = 1;
    /// The single space that stands for a gap between words.
    pub const GAP: u8 = 2;

    #[inline]
    pub fn is_gap(&self) -> bool {
        self.flags & Unit::GAP != 0
    }

    /// A letter of a spaced script: no word boundary lies between two of them.
    #[inline]
    pub fn is_word(&self) -> bool {
        self.flags & (Unit::SPACED | Unit::GAP) == Unit::SPACED
    }
}

/// Normalized text: the string matched against term keys, and one [`Unit`] per character of it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Normalized {
    pub text: String,
    pub units: Vec<Unit>,
    /// The words of spaced scripts: each maximal run of word units ([`Unit::is_word`]), as a
    /// range of units. Most tokens are looked up whole, and this saves finding them again.
    pub words: Vec<(u32, u32)>,
    /// Whether some unit is neither a gap nor a word unit (a letter of a script written without
    /// spaces, say): then not every word boundary starts one of `words`.
    pub unspaced: bool,
}

impl Normalized {
    /// Is there a word boundary before unit `i` (for `i == units.len()`, at the end)?
    #[inline]
    pub fn boundary(&self, i: usize) -> bool {
        let (Some(prev), Some(next)) = (
            i.checked_sub(1).and_then(|p| self.units.get(p)),
            self.units.get(i),
        ) else {
            return true;
        };
        !(prev.is_word() && next.is_word())
    }

    /// The index of the unit that starts at byte `norm` of the normalized text.
    pub fn unit_at(&self, norm: usize) -> usize {
        self.units.partition_point(|u| (u.norm as usize) < norm)
    }

    /// The original byte range covered by units `i..j` (`i < j`).
    pub fn span(&self, i: usize, j: usize) -> (usize, usize) {
        match (
            self.units.get(i),
            j.checked_sub(1).and_then(|k| self.units.get(k)),
        ) {
            (Some(a), Some(b)) => (a.start as usize, b.end as usize),
            _ => (0, 0),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Class {
    Letter,
    Digit,
    /// `$ @ !`: a letter inside a word, punctuation elsewhere.
    Leet,
    /// `ー`: a long vowel mark, dropped when repeats are folded.
    Long,
    /// A combining mark: part of the token it follows; dropped where it follows nothing, since
    /// marks without a base would be reordered by normalizing again.
    Mark,
    Separator,
}

#[derive(Clone, Copy, Debug)]
struct Piece {
    c: char,
    start: u32,
    end: u32,
    class: Class,
}

const NFKC: ComposingNormalizerBorrowed<'static> = ComposingNormalizerBorrowed::new_nfkc();
const CCC: CanonicalCombiningClassMapBorrowed<'static> = CanonicalCombiningClassMapBorrowed::new();
const DECOMPOSE: CanonicalDecompositionBorrowed<'static> = CanonicalDecompositionBorrowed::new();

/// Normalizes `text` with `profile`.
///
/// Offsets are `u32`: callers split texts of 4 GiB or more before they get here.
pub(crate) fn normalize(text: &str, profile: Profile) -> Normalized {
    normalize_into(text, profile, Normalized::default())
}

/// [`normalize`], written into `buffer`'s memory.
pub(crate) fn normalize_into(text: &str, profile: Profile, buffer: Normalized) -> Normalized {
    debug_assert!(text.len() <= u32::MAX as usize);
    let mut tokens = Tokens::new(profile, text.len(), buffer);
    fold_clusters(text, 0, profile, &mut tokens, true);
    tokens.finish()
}

/// The normalized form of the tokens of `text` at byte ranges `tokens` alone, in order, with what
/// lies between them read as one gap, and every offset into `text`: what [`normalize`] writes for
/// those tokens, when each is a whole token that normalizes the same alone as among the others
/// (crate::plain makes sure), and a scan of a set of whole words finds in it what it would find in
/// all of `text`.
pub(crate) fn normalize_words(
    text: &str,
    tokens: &[(usize, usize)],
    profile: Profile,
    buffer: Normalized,
) -> Normalized {
    let len = tokens.iter().map(|&(start, end)| end - start + 1).sum();
    let mut out = Tokens::new(profile, len, buffer);
    let mut after = 0;
    for &(start, end) in tokens {
        // Cut at the token's end: nothing after it can change it.
        let Some(upto) = text.get(..end).filter(|_| after <= start) else {
            continue;
        };
        if start > after {
            out.separator(after as u32, start as u32, false);
        }
        fold_clusters(upto, start, profile, &mut out, true);
        out.end_token();
        after = end;
    }
    out.finish()
}

/// [`normalize`], with or without the shortcuts for whole tokens and runs of separators, to test
/// that they change nothing.
#[cfg(test)]
pub(crate) fn normalize_with(text: &str, profile: Profile, shortcuts: bool) -> Normalized {
    let mut tokens = Tokens::new(profile, text.len(), Normalized::default());
    fold_clusters(text, 0, profile, &mut tokens, shortcuts);
    tokens.finish()
}

/// Steps 1–5 and classification, cluster by cluster, from byte `from` of `text` to its end.
fn fold_clusters(text: &str, from: usize, profile: Profile, pieces: &mut Tokens, shortcuts: bool) {
    let bytes = text.as_bytes();
    // An ASCII byte is a cluster of its own unless a combining mark follows it, which is never
    // ASCII.
    let alone = |at: usize| bytes.get(at + 1).is_none_or(|n| *n < 0x80);
    let kinds = word_kinds(profile);
    let word = |b: u8| ASCII.get(usize::from(b)).is_some_and(|k| k & kinds != 0);
    let mut i = from;
    let mut buf: Vec<char> = Vec::new();
    while i < bytes.len() {
        let b = bytes[i];
        // Whether a token of kana, common ideographs and ASCII letters and digits that ends at
        // `run` is a whole token: a separator or the text's end follows it.
        let ends_token = |run: usize| match text[run..].chars().next() {
            None => true,
            Some(c) if c.is_ascii() => !word(c as u8) && alone(run),
            Some(c) => is_plain_separator(c),
        };
        if shortcuts && b < 0x80 && alone(i) {
            // A word of ASCII letters, or a run of ASCII separators: read in one go.
            if word(b) && pieces.token.is_empty() {
                if let Some(end) = pieces.ascii_word(bytes, i, kinds) {
                    i = end;
                    continue;
                }
                if let Some(run) = pieces.plain_token_at(text, i, ends_token) {
                    i = run;
                    continue;
                }
            } else if !word(b) {
                let mut end = i + 1;
                while end < bytes.len() && bytes[end] < 0x80 && !word(bytes[end]) && alone(end) {
                    end += 1;
                }
                if !pieces.token.is_empty() {
                    pieces.end_token();
                }
                // Lightness matters only after a letter of an unspaced script.
                let light = pieces.prev_unspaced
                    && bytes[i..end]
                        .iter()
                        .all(|&b| ASCII[usize::from(b)] == LIGHT);
                pieces.separator(i as u32, end as u32, light);
                i = end;
                continue;
            }
        }
        if b < 0x80 && alone(i) {
            let c = if profile.has(Fold::Case) {
                b.to_ascii_lowercase()
            } else {
                b
            };
            let class = ascii_class(c, profile);
            pieces.push(Piece {
                c: char::from(c),
                start: i as u32,
                end: i as u32 + 1,
                class,
            });
            i += 1;
            continue;
        }
        let start = i;
        let mut chars = text[i..].char_indices();
        let (_, first) = chars.next().unwrap_or((0, '\u{0}'));
        let mut end = i + first.len_utf8();
        let cluster_alone = || {
            text[end..]
                .chars()
                .next()
                .is_none_or(|n| !continues_cluster(n))
        };
        if shortcuts && is_plain_separator(first) && cluster_alone() {
            pieces.end_token();
            pieces.separator(start as u32, end as u32, is_light_separator(first));
            i = end;
            continue;
        }
        if shortcuts && is_plain_cjk(first) && pieces.token.is_empty() {
            if let Some(run) = pieces.plain_token_at(text, start, ends_token) {
                i = run;
                continue;
            }
        }
        // Kana and common ideographs alone: no fold but kana applies, and their class is known.
        if is_plain_cjk(first) && cluster_alone() {
            let (c, class) = match first {
                '\u{30FC}' if profile.has(Fold::Repeats) => (first, Class::Long),
                _ if profile.has(Fold::Kana) => (hiragana(first), Class::Letter),
                _ => (first, Class::Letter),
            };
            pieces.push(Piece {
                c,
                start: start as u32,
                end: end as u32,
                class,
            });
            i = end;
            continue;
        }
        for (off, c) in chars {
            if !continues_cluster(c) || end - start > 64 {
                break;
            }
            end = i + off + c.len_utf8();
        }
        i = end;
        let cluster = &text[start..end];
        buf.clear();
        if profile.has(Fold::Compatibility) && !nfkc_stable(first, cluster.len()) {
            buf.extend(NFKC.normalize_iter(cluster.chars()));
        } else {
            buf.extend(cluster.chars());
        }
        for &c in &buf {
            fold_char(c, start as u32, end as u32, profile, pieces);
        }
    }
}

fn ascii_class(c: u8, profile: Profile) -> Class {
    match ASCII.get(usize::from(c)).copied().unwrap_or(0) {
        LETTER => Class::Letter,
        DIGIT => Class::Digit,
        LEET if profile.has(Fold::Leetspeak) => Class::Leet,
        _ => Class::Separator,
    }
}

/// What each ASCII byte can be, looked up rather than compared in the loops over ASCII text.
pub(crate) const LETTER: u8 = 1;
pub(crate) const DIGIT: u8 = 2;
const LEET: u8 = 4;
/// A separator that may be crossed between letters of unspaced scripts ([`is_light_separator`]).
const LIGHT: u8 = 8;
pub(crate) const ASCII: [u8; 128] = {
    let mut table = [0; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = match b as u8 {
            b'a'..=b'z' | b'A'..=b'Z' => LETTER,
            b'0'..=b'9' => DIGIT,
            b'$' | b'@' | b'!' => LEET,
            b'.' | b'-' | b'_' | b'*' | b'/' | b'|' | b'~' | b'+' | b'=' => LIGHT,
            _ => 0,
        };
        b += 1;
    }
    table
};

/// The ASCII letters `bytes` starts with.
///
/// Eight bytes at a time: a loop over bytes mispredicts its exit at the end of nearly every word,
/// and most words end within the first eight bytes.
#[inline(always)]
pub(crate) fn letters(bytes: &[u8]) -> &[u8] {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x80 * ONES;
    let mut n = 0;
    while let Some(c) = bytes.get(n..n + 8) {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        // Per byte, below 0x80 and in lower case: adding 0x80 - b'a' sets its high bit if it is at
        // least `a`, adding 0x80 - b'{' if it is past `z`.
        let x = (w | (0x20 * ONES)) & !HIGH;
        let letter = (x + (0x80 - 0x61) * ONES) & !(x + (0x80 - 0x7B) * ONES) & !w & HIGH;
        if letter != HIGH {
            return &bytes[..n + (!letter & HIGH).trailing_zeros() as usize / 8];
        }
        n += 8;
    }
    let tail = bytes[n..]
        .iter()
        .position(|&b| b >= 0x80 || ASCII[usize::from(b)] != LETTER)
        .unwrap_or(bytes.len() - n);
    &bytes[..n + tail]
}

/// The kinds of ASCII bytes that make up words under `profile`.
pub(crate) fn word_kinds(profile: Profile) -> u8 {
    if profile.has(Fold::Leetspeak) {
        LETTER | DIGIT | LEET
    } else {
        LETTER | DIGIT
    }
}

/// Characters that belong to the cluster of the character before them.
#[inline]
pub(crate) fn continues_cluster(c: char) -> bool {
    // Half-width voiced and semi-voiced marks have class 0 but compose under NFKC.
    c == '\u{FF9E}' || c == '\u{FF9F}' || (c > '\u{2FF}' && !is_plain_cjk(c) && CCC.get_u8(c) != 0)
}

/// Kana (without the combining voicing marks) and the main block of CJK ideographs: letters that
/// every fold but kana leaves alone, and that never combine with what precedes them.
#[inline]
fn is_plain_cjk(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{3096}' | '\u{30A1}'..='\u{30FA}' | '\u{30FC}' | '\u{4E00}'..='\u{9FFF}')
}

/// Common punctuation of Japanese text (and quotes, full-width punctuation that is not leetspeak)
/// and the main blocks of emoji and symbols, that every profile reads as a separator, light or
/// not whatever the profile: looked up here instead of folded. (Not `…` or `．`: they fold to light periods,
/// but only under `compat`; not the enclosed letters and digits near the emoji, `🄰` or `❶`.)
#[inline]
pub(crate) fn is_plain_separator(c: char) -> bool {
    matches!(c,
        '\u{2018}' | '\u{2019}' | '\u{201C}' | '\u{201D}' | '\u{2600}'..='\u{2775}' | '\u{2794}'..='\u{27BF}'
        | '\u{3000}'..='\u{3003}' | '\u{3008}'..='\u{3011}' | '\u{3014}'..='\u{301F}' | '\u{30FB}'
        | '\u{FF08}' | '\u{FF09}' | '\u{FF0C}' | '\u{FF1A}' | '\u{FF1B}' | '\u{FF1F}'
        | '\u{1F300}'..='\u{1F64F}' | '\u{1F680}'..='\u{1F6FF}' | '\u{1F900}'..='\u{1F9FF}')
}

/// Separators spelled-out Japanese puts between its letters (`ス・リ・ッ・ト`): between letters of
/// unspaced scripts they are crossed. Spaces and sentence punctuation are not, and neither are the
/// spaces normalization writes, so normalizing twice changes nothing.
#[inline]
fn is_light_separator(c: char) -> bool {
    if c.is_ascii() {
        ASCII[usize::from(c as u8)] == LIGHT
    } else {
        matches!(
            c,
            '\u{00B7}' | '\u{301C}' | '\u{30FB}' | '\u{30FC}' | '\u{FF5E}' | '\u{FF65}'
        )
    }
}

/// Clusters NFKC leaves as they are, checked without calling the normalizer: kana, CJK ideographs
/// and Hangul syllables alone.
fn nfkc_stable(c: char, cluster_len: usize) -> bool {
    cluster_len == c.len_utf8()
        && matches!(c, '\u{3041}'..='\u{3096}' | '\u{30A1}'..='\u{30FA}' | '\u{30FC}' | '\u{4E00}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7A3}')
}

fn fold_char(c: char, start: u32, end: u32, profile: Profile, pieces: &mut Tokens) {
    if profile.has(Fold::Invisible) && is_invisible(c) {
        return;
    }
    let mut c = c;
    if profile.has(Fold::Diacritics) {
        if is_latin_mark(c) {
            return;
        }
        c = strip_latin_diacritic(c);
    }
    if profile.has(Fold::Homoglyphs) {
        c = homoglyph(c);
    }
    let mut push = |mut c: char| {
        // Again after case folding, so that normalizing twice changes nothing (`Γ` lowercases
        // to `γ`, which is a look-alike of `y`).
        if profile.has(Fold::Diacritics) {
            c = strip_latin_diacritic(c);
        }
        if profile.has(Fold::Homoglyphs) {
            c = homoglyph(c);
        }
        if profile.has(Fold::Kana) {
            c = hiragana(c);
        }
        pieces.push(Piece {
            c,
            start,
            end,
            class: classify(c, profile),
        });
    };
    if profile.has(Fold::Case) && !c.is_lowercase() && c.is_alphabetic() {
        for l in c.to_lowercase() {
            // 'İ' lowercases to 'i' + U+0307; the mark is a diacritic like any other.
            if !(profile.has(Fold::Diacritics) && is_latin_mark(l)) {
                push(l);
            }
        }
    } else {
        push(c);
    }
}

fn classify(c: char, profile: Profile) -> Class {
    if c.is_ascii() {
        return ascii_class(c as u8, profile);
    }
    if c == '\u{30FC}' && profile.has(Fold::Repeats) {
        Class::Long
    } else if c > '\u{2FF}' && CCC.get_u8(c) != 0 {
        Class::Mark
    } else if c.is_alphabetic() {
        Class::Letter
    } else if c.is_numeric() {
        Class::Digit
    } else {
        Class::Separator
    }
}

pub(crate) fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Combining marks used on Latin letters; the kana voicing marks (U+3099, U+309A) are not among them.
fn is_latin_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

fn strip_latin_diacritic(c: char) -> char {
    if !matches!(c, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}') {
        return c;
    }
    match c {
        'ø' => return 'o',
        'Ø' => return 'O',
        'ł' => return 'l',
        'Ł' => return 'L',
        'đ' => return 'd',
        'Đ' => return 'D',
        'ħ' => return 'h',
        'Ħ' => return 'H',
        'ı' => return 'i',
        _ => {}
    }
    let mut base = c;
    // Canonical decompositions nest (ệ → ẹ + ̂ → e + ̣ + ̂); a few steps always reach the base.
    for _ in 0..4 {
        match DECOMPOSE.decompose(base) {
            Decomposed::Default => break,
            Decomposed::Singleton(b) | Decomposed::Expansion(b, _) => base = b,
        }
    }
    base
}

/// Cyrillic and Greek letters drawn like Latin ones, mapped before case folding so that upper-case
/// forms map by their own shape (Greek `Η` looks like `H`, its lower case `η` does not).
fn homoglyph(c: char) -> char {
    if (c as u32) < 0x370 {
        return c;
    }
    match c {
        'А' | 'Α' => 'A',
        'В' | 'Β' => 'B',
        'С' => 'C',
        'Е' | 'Ε' => 'E',
        'Н' | 'Η' => 'H',
        'І' | 'Ι' | 'Ӏ' => 'I',
        'Ј' => 'J',
        'К' | 'Κ' => 'K',
        'М' | 'Μ' => 'M',
        'Ν' => 'N',
        'О' | 'Ο' => 'O',
        'Р' | 'Ρ' => 'P',
        'Ѕ' => 'S',
        'Т' | 'Τ' => 'T',
        'Х' | 'Χ' => 'X',
        'У' | 'Υ' | 'Ү' => 'Y',
        'Ζ' => 'Z',
        'а' | 'α' => 'a',
        'с' | 'ϲ' => 'c',
        'ԁ' => 'd',
        'е' | 'ё' => 'e',
        'һ' => 'h',
        'і' | 'ї' | 'ι' => 'i',
        'ј' => 'j',
        'κ' | 'к' => 'k',
        'ӏ' => 'l',
        'м' => 'm',
        'п' => 'n',
        'о' | 'ο' | 'σ' => 'o',
        'р' | 'ρ' => 'p',
        'ԛ' => 'q',
        'ѕ' => 's',
        'τ' | 'т' => 't',
        'υ' => 'u',
        'ν' | 'ѵ' => 'v',
        'ԝ' | 'ω' => 'w',
        'х' | 'χ' => 'x',
        'у' | 'γ' => 'y',
        _ => c,
    }
}

/// What a kana, common ideograph or ASCII letter or digit of a plain token writes (before
/// leetspeak).
#[inline]
fn plain_fold(c: char, profile: Profile) -> char {
    if c.is_ascii() {
        if profile.has(Fold::Case) {
            c.to_ascii_lowercase()
        } else {
            c
        }
    } else if profile.has(Fold::Kana) {
        hiragana(c)
    } else {
        c
    }
}

#[inline]
fn hiragana(c: char) -> char {
    match c {
        '\u{30A1}'..='\u{30F6}' | '\u{30FD}' | '\u{30FE}' => {
            char::from_u32(c as u32 - 0x60).unwrap_or(c)
        }
        _ => c,
    }
}

#[inline]
fn leet(c: char) -> char {
    match c {
        '4' | '@' => 'a',
        '3' => 'e',
        '1' | '!' => 'i',
        '0' => 'o',
        '5' | '$' => 's',
        '7' => 't',
        _ => c,
    }
}

/// A letter or digit of a script written with spaces between words.
fn is_spaced_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        !is_unspaced(c) && c.is_alphanumeric()
    }
}

/// Scripts written without spaces between words: a term in them matches inside words.
#[inline]
pub(crate) fn is_unspaced(c: char) -> bool {
    matches!(c,
        '\u{0E00}'..='\u{0EFF}'           // Thai, Lao
        | '\u{1000}'..='\u{109F}'         // Myanmar
        | '\u{1100}'..='\u{11FF}'         // Hangul Jamo
        | '\u{1780}'..='\u{17FF}'         // Khmer
        | '\u{2E80}'..='\u{2FDF}'         // CJK radicals
        | '\u{3005}'..='\u{3007}'         // 々 〆 〇
        | '\u{3040}'..='\u{30FF}'         // Hiragana, Katakana
        | '\u{3130}'..='\u{318F}'         // Hangul compatibility jamo
        | '\u{31F0}'..='\u{31FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{AC00}'..='\u{D7AF}'         // Hangul syllables
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{3FFFF}')
}

/// Steps 6–8, fed one piece at a time: tokens, gaps, leetspeak, repeats. Only the current
/// token is buffered; everything before it is already written.
struct Tokens {
    profile: Profile,
    out: Normalized,
    /// The pieces of the token being read.
    token: Vec<Piece>,
    /// Original bytes of the separators since the last token, if any.
    gap: Option<(u32, u32)>,
    /// Whether every separator of `gap` is light ([`is_light_separator`]).
    gap_light: bool,
    /// Whether the last token written was a single letter (so a gap after it may be crossed).
    prev_one_letter: bool,
    /// Whether the last token written ended with a letter of a script written without spaces.
    prev_unspaced: bool,
    /// The last character written, if it was not a gap: what a repeat is compared against.
    last_char: Option<char>,
    /// The characters of the token being written, while its leetspeak is settled.
    chars: Vec<char>,
}

/// See [`Tokens::checkpoint`].
struct Checkpoint {
    units: usize,
    last_unit: Option<Unit>,
    text: usize,
    words: usize,
    last_word: Option<(u32, u32)>,
    unspaced: bool,
    gap: Option<(u32, u32)>,
    prev_one_letter: bool,
    last_char: Option<char>,
}

impl Tokens {
    fn new(profile: Profile, len: usize, mut out: Normalized) -> Tokens {
        out.text.clear();
        out.text.reserve(len);
        out.units.clear();
        out.units.reserve(len);
        out.words.clear();
        out.unspaced = false;
        Tokens {
            profile,
            out,
            token: Vec::new(),
            gap: None,
            gap_light: false,
            prev_one_letter: false,
            prev_unspaced: false,
            last_char: None,
            chars: Vec::new(),
        }
    }

    fn push(&mut self, p: Piece) {
        match p.class {
            Class::Separator => {
                self.end_token();
                self.separator(p.start, p.end, is_light_separator(p.c));
            }
            Class::Mark if self.token.is_empty() => {}
            _ => self.token.push(p),
        }
    }

    /// Adds the separator at `start..end` to the gap; `light`: one that may be crossed between
    /// letters of unspaced scripts ([`is_light_separator`]).
    fn separator(&mut self, start: u32, end: u32, light: bool) {
        self.gap = Some(match self.gap {
            Some((s, _)) => {
                self.gap_light &= light;
                (s, end)
            }
            None => {
                self.gap_light = light;
                (start, end)
            }
        });
    }

    fn finish(mut self) -> Normalized {
        self.end_token();
        self.out
    }

    /// Settles the leet symbols at the end of the token (those not followed by a word
    /// character): `$` and `@` after a word character are letters (`a$$`), the rest separators
    /// (`spam!`). Then writes the token.
    fn end_token(&mut self) {
        if self.token.is_empty() {
            return;
        }
        let mut token = std::mem::take(&mut self.token);
        let trailing = token
            .iter()
            .rev()
            .take_while(|p| p.class == Class::Leet)
            .count();
        let mut keep = token.len() - trailing;
        let mut prev_is_word = keep > 0;
        for p in &token[keep..] {
            if prev_is_word && p.c != '!' {
                keep += 1;
            } else {
                prev_is_word = false;
            }
        }
        // A token of nothing but long vowel marks writes nothing: it is part of the gap, so that
        // it changes no decision about joining letters either.
        let repeats = self.profile.has(Fold::Repeats);
        let cut = if token[..keep]
            .iter()
            .all(|p| repeats && p.class == Class::Long)
        {
            0
        } else {
            keep
        };
        if cut > 0 {
            self.write(&token[..cut]);
        }
        for p in &token[cut..] {
            self.separator(p.start, p.end, is_light_separator(p.c));
        }
        token.clear();
        self.token = token;
    }

    fn write(&mut self, token: &[Piece]) {
        let profile = self.profile;
        let repeats = profile.has(Fold::Repeats);
        let written = |p: &&Piece| !(repeats && p.class == Class::Long);
        let mut chars = std::mem::take(&mut self.chars);
        chars.clear();
        chars.extend(token.iter().filter(written).map(|p| match p.class {
            Class::Leet => leet(p.c),
            _ => p.c,
        }));
        if profile.has(Fold::Leetspeak) {
            read_leet_digits(&mut chars);
        }
        let first_unspaced = chars.first().is_some_and(|&c| is_unspaced(c));
        let last_unspaced = chars.last().is_some_and(|&c| is_unspaced(c));
        self.open(is_one_letter(token, &chars, profile), first_unspaced);
        for (p, &c) in token.iter().filter(written).zip(&chars) {
            self.put(c, p.start, p.end, is_spaced_word_char(c));
        }
        self.prev_unspaced = last_unspaced;
        self.chars = chars;
    }

    /// Writes the token of ASCII letters at `bytes[from..]` in one pass, without buffering its
    /// pieces, and returns where it ends; or writes nothing and returns `None` when the token is
    /// not of that kind: most tokens of most posts are. (`kinds`: the bytes that make words.)
    fn ascii_word(&mut self, bytes: &[u8], from: usize, kinds: u8) -> Option<usize> {
        let case = self.profile.has(Fold::Case);
        let repeats = self.profile.has(Fold::Repeats);
        let lower = |b: u8| char::from(if case { b | 0x20 } else { b });
        let word = letters(bytes.get(from..)?);
        let end = from + word.len();
        // The token must end at an ASCII separator or the end of the text: digits, leetspeak or
        // anything outside ASCII would be part of it, and the general path reads those.
        if bytes
            .get(end)
            .is_some_and(|&b| b >= 0x80 || ASCII[usize::from(b)] & kinds != 0)
        {
            return None;
        }
        // A token of one letter (`a`, or `aaa` when repeats fold) may be joined to the one before.
        let (&first, rest) = word.split_first()?;
        let one_letter = rest.iter().all(|&b| repeats && lower(b) == lower(first));
        self.open(one_letter, false);
        let out = &mut self.out;
        let mut last = self.last_char;
        let first_unit = out.units.len() as u32;
        for (at, &b) in (from as u32..).zip(word) {
            let c = lower(b);
            match out.units.last_mut() {
                Some(u) if repeats && last == Some(c) => {
                    u.run = u.run.saturating_add(1);
                    u.end = at + 1;
                }
                _ => {
                    out.units.push(Unit {
                        norm: out.text.len() as u32,
                        start: at,
                        end: at + 1,
                        run: 1,
                        flags: Unit::SPACED,
                    });
                    out.text.push(c);
                }
            }
            last = Some(c);
        }
        // After a gap, or at the start: a word of its own.
        let units = out.units.len() as u32;
        match out.words.last_mut() {
            Some(word) if word.1 == first_unit => word.1 = units,
            _ if units > first_unit => out.words.push((first_unit, units)),
            _ => {}
        }
        self.last_char = last;
        self.prev_unspaced = false;
        Some(end)
    }

    /// [`Tokens::end_token`] for a token of kana, common ideographs and ASCII letters and digits
    /// only (`token` starts at byte `start` of the text; `mixed`: with both ASCII letters and
    /// digits), none followed by a combining mark: the same writing without buffering its pieces,
    /// for the tokens [`Tokens::plain_token_at`] cannot write as it reads them.
    fn plain_token(&mut self, token: &str, start: u32, mixed: bool) {
        debug_assert!(self.token.is_empty());
        let profile = self.profile;
        let repeats = profile.has(Fold::Repeats);
        let long = |c: char| repeats && c == '\u{30FC}';
        let fold = |c: char| plain_fold(c, profile);
        // Digits can be leetspeak only next to ASCII letters (there are no leet symbols here): in
        // a token with both, what each character writes is settled over the whole token first.
        let mut settled = std::mem::take(&mut self.chars);
        settled.clear();
        settled.extend(token.chars().filter(|c| !long(*c)).map(fold));
        if mixed && profile.has(Fold::Leetspeak) {
            read_leet_digits(&mut settled);
        }
        let Some((&first, rest)) = settled.split_first() else {
            // Long vowel marks alone are part of the gap.
            self.separator(start, start + token.len() as u32, true);
            self.chars = settled;
            return;
        };
        let one_letter = !first.is_ascii_digit() && rest.iter().all(|&c| repeats && c == first);
        let last = rest.last().copied().unwrap_or(first);
        self.open(one_letter, is_unspaced(first));
        let mut settled_chars = settled.iter();
        for (at, c) in token.char_indices() {
            if !long(c) {
                let at = start + at as u32;
                let folded = settled_chars.next().copied().unwrap_or_else(|| fold(c));
                self.put(folded, at, at + c.len_utf8() as u32, folded.is_ascii());
            }
        }
        self.prev_unspaced = is_unspaced(last);
        self.chars = settled;
    }

    /// Reads the token of kana, common ideographs and ASCII letters and digits at byte `start` of
    /// `text`, if it is a whole one (`ends_token` where it ends), and writes it as
    /// [`Tokens::plain_token`] would; returns its end. Most such tokens are written as they are
    /// read, in one pass; the few whose writing depends on all of them are undone and written
    /// again by `plain_token`: one letter or only long vowel marks (the gap before them may be
    /// crossed), or ASCII digits next to letters (leetspeak).
    fn plain_token_at(
        &mut self,
        text: &str,
        start: usize,
        ends_token: impl Fn(usize) -> bool,
    ) -> Option<usize> {
        let saved = self.checkpoint();
        let profile = self.profile;
        let repeats = profile.has(Fold::Repeats);
        let leet = profile.has(Fold::Leetspeak);
        let (mut digits, mut letters) = (false, false);
        let mut first = None;
        let mut one_letter = true;
        let mut last = '\0';
        let mut end = text.len();
        for (at, c) in text[start..].char_indices() {
            let ascii = c.is_ascii();
            if !(ascii && c.is_ascii_alphanumeric() || !ascii && is_plain_cjk(c)) {
                end = start + at;
                break;
            }
            digits |= c.is_ascii_digit();
            letters |= c.is_ascii_alphabetic();
            if repeats && c == '\u{30FC}' {
                continue;
            }
            let folded = plain_fold(c, profile);
            match first {
                None => {
                    first = Some(folded);
                    self.open(false, is_unspaced(folded));
                }
                Some(f) => one_letter &= repeats && folded == f,
            }
            last = folded;
            let at = (start + at) as u32;
            self.put(folded, at, at + c.len_utf8() as u32, ascii);
        }
        if end == start || !ends_token(end) {
            self.restore(saved);
            return None;
        }
        let mixed = digits && letters;
        if first.is_none_or(|f| one_letter && !f.is_ascii_digit()) || (leet && mixed) {
            self.restore(saved);
            self.plain_token(&text[start..end], start as u32, mixed);
        } else {
            self.prev_unspaced = is_unspaced(last);
        }
        Some(end)
    }

    /// What [`Tokens::open`] and [`Tokens::put`] change, to undo a token written in vain.
    fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            units: self.out.units.len(),
            last_unit: self.out.units.last().copied(),
            text: self.out.text.len(),
            words: self.out.words.len(),
            last_word: self.out.words.last().copied(),
            unspaced: self.out.unspaced,
            gap: self.gap,
            prev_one_letter: self.prev_one_letter,
            last_char: self.last_char,
        }
    }

    fn restore(&mut self, saved: Checkpoint) {
        let out = &mut self.out;
        out.units.truncate(saved.units);
        if let (Some(unit), Some(last)) = (saved.last_unit, out.units.last_mut()) {
            *last = unit;
        }
        out.text.truncate(saved.text);
        out.words.truncate(saved.words);
        if let (Some(word), Some(last)) = (saved.last_word, out.words.last_mut()) {
            *last = word;
        }
        out.unspaced = saved.unspaced;
        self.gap = saved.gap;
        self.prev_one_letter = saved.prev_one_letter;
        self.last_char = saved.last_char;
    }

    /// Starts writing a token that writes at least one character (`first_unspaced`: the first is
    /// a letter of a script written without spaces): the gap before it is crossed or written as
    /// one space. It is crossed between two tokens of one letter (`s p a m`, `し・ね`), and between
    /// letters of unspaced scripts when the gap is light: such scripts have no spaces between
    /// words to keep apart, and spelled-out Japanese is glued to the text around it
    /// (`出ス・リ・ッ・ト掛け`). A space or sentence punctuation there is a real gap.
    #[inline]
    fn open(&mut self, one_letter: bool, first_unspaced: bool) {
        let gap = self.gap.take();
        let glued = self.prev_unspaced && first_unspaced && self.gap_light;
        let crossed = gap.is_some()
            && self.profile.has(Fold::Separators)
            && ((self.prev_one_letter && one_letter) || glued);
        self.prev_one_letter = one_letter;
        if let Some((start, end)) = gap.filter(|_| !crossed && !self.out.units.is_empty()) {
            let out = &mut self.out;
            out.units.push(Unit {
                norm: out.text.len() as u32,
                start,
                end,
                run: 1,
                flags: Unit::GAP,
            });
            out.text.push(' ');
            self.last_char = None;
        }
    }

    /// Writes one character of a token (`spaced`: a letter of a script written with spaces), or
    /// counts it as a repeat of the one before.
    #[inline(always)]
    fn put(&mut self, c: char, start: u32, end: u32, spaced: bool) {
        let out = &mut self.out;
        if self.profile.has(Fold::Repeats) && self.last_char == Some(c) {
            if let Some(last) = out.units.last_mut() {
                last.run = last.run.saturating_add(1);
                last.end = end;
                return;
            }
        }
        self.last_char = Some(c);
        let flags = if spaced { Unit::SPACED } else { 0 };
        let at = out.units.len() as u32;
        if !spaced {
            out.unspaced = true;
        } else if let Some(word) = out.words.last_mut().filter(|w| w.1 == at) {
            word.1 += 1;
        } else {
            out.words.push((at, at + 1));
        }
        out.units.push(Unit {
            norm: out.text.len() as u32,
            start,
            end,
            run: 1,
            flags,
        });
        out.text.push(c);
    }
}

/// Reads as letters (leetspeak: `sp4m`, `4ss`, `a55`) the runs of ASCII digits of a token's
/// characters that touch a Latin letter or leet symbol, unless the run starts a word and a unit
/// ends it (`5m`, `2.5m`, `10kg`, `2nd`, `5mの`: measurements, not `sm`). Digits among kana or
/// kanji (`2005年`) stay digits. `chars`: what the token writes, leet symbols already read.
fn read_leet_digits(chars: &mut [char]) {
    let latin = |c: &char| c.is_ascii_alphabetic() || is_leet_symbol(*c);
    let mut i = 0;
    while let Some(start) = chars
        .get(i..)
        .and_then(|rest| rest.iter().position(char::is_ascii_digit))
        .map(|k| i + k)
    {
        let digits = chars[start..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        let end = start + digits;
        let letters = chars[end..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        let after = chars.get(end + letters);
        let read = if start > 0 && latin(&chars[start - 1]) {
            true
        } else if letters == 0 {
            after.is_some_and(latin)
        } else {
            let ends_word = !after.is_some_and(|c| c.is_ascii_digit() || latin(c));
            !(ends_word && is_unit(&chars[end..end + letters]))
        };
        if read {
            for c in &mut chars[start..end] {
                *c = leet(*c);
            }
        }
        i = end;
    }
}

fn is_leet_symbol(c: char) -> bool {
    matches!(c, '$' | '@' | '!')
}

/// Whether `letters` spell, in any case, a unit or an ordinal ending that follows numbers.
fn is_unit(letters: &[char]) -> bool {
    const UNITS: [&str; 33] = [
        "m", "mm", "cm", "km", "g", "mg", "kg", "t", "l", "ml", "s", "ms", "h", "min", "k", "kb",
        "mb", "gb", "tb", "x", "st", "nd", "rd", "th", "am", "pm", "hz", "px", "w", "kw", "v",
        "fps", "mph",
    ];
    UNITS.iter().any(|unit| {
        unit.len() == letters.len()
            && unit
                .chars()
                .zip(letters)
                .all(|(u, c)| u == c.to_ascii_lowercase())
    })
}

/// Whether a token normalizes to a single letter (`a`, `aaa`, `a4`, `ばー`): only such tokens
/// are joined across gaps, which keeps normalizing twice the same as normalizing once. `chars`:
/// the characters it writes.
fn is_one_letter(token: &[Piece], chars: &[char], profile: Profile) -> bool {
    let repeats = profile.has(Fold::Repeats);
    let Some((&first, rest)) = chars.split_first() else {
        return false;
    };
    // The class first: `is_alphabetic` is a table search outside ASCII.
    let letter = token
        .first()
        .is_some_and(|p| p.class == Class::Letter && p.c == first);
    (letter || first.is_alphabetic()) && rest.iter().all(|&c| repeats && c == first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn letters_reads_what_a_byte_loop_reads(
            bytes in prop::collection::vec(prop_oneof![any::<u8>(), b'a'..=b'z', b'A'..=b'Z'], 0..40),
        ) {
            let n = bytes.iter().take_while(|b| b.is_ascii_alphabetic()).count();
            prop_assert_eq!(letters(&bytes), &bytes[..n]);
        }
    }

    fn norm(s: &str) -> String {
        normalize(s, Profile::FULL).text
    }

    #[test]
    fn folds() {
        let cases: &[(&str, &str)] = &[
            ("SpAm", "spam"),
            ("ＳＰＡＭ", "spam"),
            ("ｽﾊﾟﾑ", "すぱむ"),
            ("スパム", "すぱむ"),
            ("spàm", "spam"),
            ("ばか", "ばか"),
            ("バカ", "ばか"),
            ("s\u{200B}p\u{FEFF}a\u{00AD}m", "spam"),
            ("s p a m", "spam"),
            ("s.p.a.m", "spam"),
            ("s-p-a-m", "spam"),
            ("し ね", "しね"),
            ("し・ね", "しね"),
            ("this pam", "this pam"),
            ("ѕрам", "spam"),
            ("sp4m", "spam"),
            ("$pam", "spam"),
            ("5pam", "spam"),
            ("spam!", "spam"),
            ("455 people", "45 people"),
            // Numbers with a unit, and digits among kana and kanji, stay numbers; digits touching
            // Latin letters otherwise read as letters.
            ("it is 5m long", "it is 5m long"),
            ("長さ2.5m、5mの角材", "長さ2 5m 5mの角材"),
            ("10KG", "10kg"),
            ("2nd", "2nd"),
            ("2005年7月", "205年7月"),
            ("4ss 5ex a55 5h1t sh1t", "as sex as shit shit"),
            ("5m1", "smi"),
            ("b4m", "bam"),
            ("4ーa", "a"), // the dropped `ー` is looked through
            ("spaaaam", "spam"),
            ("しねええええ", "しねえ"),
            ("ばーーーか", "ばか"),
            ("①", "1"),
            ("ﬁsh", "fish"),
            ("  hello,   world!! ", "helo world"),
            ("Ηello", "helo"),
            ("出ス・リ・ッ・ト掛け", "出すりっと掛け"),
            ("お前シ・ネ・よ", "お前しねよ"),
            ("ジョン・スミス", "じょんすみす"),
            ("です。ト", "です と"),
            ("これは ス", "これは す"),
            ("sp・a", "sp a"),
        ];
        let mut failures = Vec::new();
        for (input, want) in cases {
            let got = norm(input);
            if got != *want {
                failures.push(format!("{input:?}: got {got:?}, want {want:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn runs_and_spans() {
        let n = normalize("spaaaam", Profile::FULL);
        assert_eq!(n.units.len(), 4);
        assert_eq!(n.units[2].run, 4);
        assert_eq!(n.span(0, 4), (0, 7));
        let n = normalize("x ＳＰＡＭ!", Profile::FULL);
        assert_eq!(n.text, "x spam");
        assert_eq!(n.span(2, 6), (2, 14));
    }

    #[test]
    fn profile_switches() {
        let p = Profile::FULL.with(Fold::Case, false);
        assert_eq!(normalize("SpAm", p).text, "SpAm");
        let p = Profile::FULL.with(Fold::Kana, false);
        assert_eq!(normalize("バカ", p).text, "バカ");
        let p = Profile::FULL.with(Fold::Leetspeak, false);
        assert_eq!(normalize("sp4m", p).text, "sp4m");
        let p = Profile::FULL.with(Fold::Separators, false);
        assert_eq!(normalize("s p a m", p).text, "s p a m");
        let p = Profile::FULL.with(Fold::Repeats, false);
        assert_eq!(normalize("spaam", p).text, "spaam");
        assert_eq!(normalize("ＳＰＡＭ", Profile::NONE).text, "ＳＰＡＭ");
        assert_eq!(Profile::from_bits(0x200), None);
        assert_eq!(Profile::NONE.names(), "none");
    }

    #[test]
    fn plain_separators_are_separators_in_every_profile() {
        let listed: Vec<char> = ('\u{2000}'..='\u{1FFFF}')
            .filter(|c| is_plain_separator(*c))
            .collect();
        assert!(listed.len() > 30);
        for bits in 0..=Profile::FULL.bits() {
            let p = Profile::from_bits(bits).unwrap();
            let spaced = normalize_with("ab cd", p, false).text;
            for c in &listed {
                let got = normalize_with(&format!("ab{c}cd"), p, false).text;
                assert_eq!(got, spaced, "{c:?} in profile {}", p.names());
                // Light or not the same way on both paths, between letters of unspaced scripts.
                for text in [format!("あ{c}いう"), format!("あい{c}う")] {
                    let slow = normalize_with(&text, p, false);
                    let fast = normalize_with(&text, p, true);
                    assert_eq!(fast.text, slow.text, "{text:?} in profile {}", p.names());
                }
            }
        }
    }

    #[test]
    fn tokens_read_in_one_pass_are_written_as_on_the_general_path() {
        // Each case ends the one-pass reading a different way: written, or undone because of
        // what comes after it (`€` is not one of the plain separators, a combining mark continues
        // a cluster) after changing the unit before it (a repeat across a crossed gap), or
        // because its digits may be leetspeak or it is one letter.
        let texts = [
            "今日はいいテンキですね。明日もa1?",
            "か・かき€",
            "か・かき\u{3099}",
            "かき\u{3099}く",
            "のab1",
            "ーA0",
            "石垣島の南東約480kmにあり",
            "ス・リ・ッ・ト",
            "a あ b",
            "ああーー",
            "ー・ー",
            "abc のxyz",
        ];
        for bits in 0..=Profile::FULL.bits() {
            let p = Profile::from_bits(bits).unwrap();
            for text in texts {
                let slow = normalize_with(text, p, false);
                let fast = normalize_with(text, p, true);
                assert_eq!(fast.text, slow.text, "{text:?} in profile {}", p.names());
                assert_eq!(fast.units, slow.units, "{text:?} in profile {}", p.names());
                assert_eq!(fast.words, slow.words, "{text:?} in profile {}", p.names());
            }
        }
    }

    #[test]
    fn boundaries() {
        let n = normalize("死ねbaka", Profile::FULL);
        assert!(n.boundary(2));
        let n = normalize("class", Profile::FULL);
        assert!(!n.boundary(2));
        assert!(n.boundary(0) && n.boundary(n.units.len()));
    }
}
