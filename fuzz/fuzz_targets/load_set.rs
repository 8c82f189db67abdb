//! Loading term sets from hostile bytes never panics, and a set that loads can be scanned.
//!
//! The first input byte picks a mode:
//! * even: the rest of the input is the set's bytes, as they are;
//! * odd: a valid set is changed by the rest of the input in its header fields after the versions
//!   (profile, flags, counts, length) and in its side tables (postings, entries, rules, runs,
//!   strings, sections), and its checksum is fixed up, so that loading gets past the checksum to
//!   the structural checks and the scan reads whatever the changes made. The fst indexes and the
//!   section table that locates them are left alone: the checksum is what guards them, the `fst`
//!   crate trusts its input, and a forged set is outside what `TermSet::from_bytes` promises
//!   (see its documentation).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use termgate::{Engine, Scanner, TermSet};

/// Every kind of rule, so every section of the set has content.
const LIST: &str = "\
[block spam]
buy && followers && now
host:evil.example
[warn harassment until=2099-01-01T00:00Z]
baka
*spoiler*
ass*
*hole
!assessment
[hide]
ラーメン
しね
";

/// Text that meets every rule of `LIST`, in English and Japanese, obfuscated.
const TEXT: &str = "Buy ＦＯＬＬＯＷＥＲＳ now at https://www.evil.example/x, b.a.k.a, spoilers, \
                    assessment, a$$hat, blackhole; 今日はらーめん、し・ね、ｼﾈ";

/// The header fields the fuzzer may change (after magic and versions, before the checksum), where
/// the checksum is, and where the section table (offset, length pairs) starts.
const HEADER_FIELDS: std::ops::Range<usize> = 12..32;
const CHECKSUM_AT: usize = 32;
const SECTION_TABLE: usize = 48;
/// The first section after the three fst indexes: the postings.
const FIRST_TABLE_SECTION: usize = 3;

fn valid() -> &'static [u8] {
    static SET: OnceLock<Vec<u8>> = OnceLock::new();
    SET.get_or_init(|| {
        termgate::compile_str(LIST)
            .expect("the fuzz list compiles")
            .as_bytes()
            .to_vec()
    })
}

/// The set format's checksum (src/termset.rs): XXH3-64 of the bytes after the checksum field,
/// seeded with XXH3-64 of the bytes before it.
fn fix_checksum(bytes: &mut [u8]) {
    let head = xxhash_rust::xxh3::xxh3_64(&bytes[..CHECKSUM_AT]);
    let sum = xxhash_rust::xxh3::xxh3_64_with_seed(&bytes[CHECKSUM_AT + 8..], head);
    bytes[CHECKSUM_AT..CHECKSUM_AT + 8].copy_from_slice(&sum.to_le_bytes());
}

/// Applies the input to a copy of the valid set: the next byte picks how.
/// * 0 mod 3: triples (offset low, offset high, value) set single bytes;
/// * 1 mod 3: two offset bytes, then the rest overwrites the set from there;
/// * 2 mod 3: triples (offset low, offset high, xor) flip bits.
fn mutate(data: &[u8]) -> Vec<u8> {
    let mut set = valid().to_vec();
    // The side tables run from the postings section to the end of the set.
    let at = SECTION_TABLE + 8 * FIRST_TABLE_SECTION;
    let tables = u32::from_le_bytes(set[at..at + 4].try_into().unwrap()) as usize;
    let header = HEADER_FIELDS.len();
    let mutable = header + (set.len() - tables);
    // An offset into the mutable bytes: the header fields first, then the side tables.
    let at = |lo: u8, hi: u8| {
        let k = usize::from(u16::from_le_bytes([lo, hi])) % mutable;
        if k < header {
            HEADER_FIELDS.start + k
        } else {
            tables + (k - header)
        }
    };
    let Some((&how, rest)) = data.split_first() else {
        return set;
    };
    match how % 3 {
        0 => {
            for c in rest.chunks_exact(3) {
                set[at(c[0], c[1])] = c[2];
            }
        }
        1 => {
            if let [lo, hi, bytes @ ..] = rest {
                let start = at(*lo, *hi).max(tables);
                let n = bytes.len().min(set.len() - start);
                set[start..start + n].copy_from_slice(&bytes[..n]);
            }
        }
        _ => {
            for c in rest.chunks_exact(3) {
                set[at(c[0], c[1])] ^= c[2];
            }
        }
    }
    fix_checksum(&mut set);
    set
}

fn exercise(set: &TermSet) {
    let info = set.info();
    assert_eq!(info.bytes, set.as_bytes().len());
    let _ = set.rules().count();
    let _ = set.to_list();
    for engine in [Engine::Walk, Engine::Automaton, Engine::Auto] {
        let verdict = Scanner::new(&[set]).engine(engine).check(TEXT);
        for m in &verdict.matches {
            assert!(m.start <= m.end && m.end <= TEXT.len(), "{m:?}");
            assert!(
                TEXT.is_char_boundary(m.start) && TEXT.is_char_boundary(m.end),
                "{m:?}"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let bytes = if mode % 2 == 0 {
        rest.to_vec()
    } else {
        mutate(rest)
    };
    if let Ok(set) = TermSet::from_bytes(bytes) {
        exercise(&set);
    }
});
