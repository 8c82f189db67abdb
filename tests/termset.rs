//! Loading compiled sets: every kind of bad bytes gives its typed error, never a panic; limits.

use termgate::{compile_str, LoadErrorKind, Scanner, TermSet, MAX_RULES};

fn sample() -> Vec<u8> {
    compile_str("[block spam]\nspam\n*ass*\nhost:evil.example\nbuy && followers\n!assessment\n")
        .unwrap()
        .as_bytes()
        .to_vec()
}

fn kind(bytes: Vec<u8>) -> LoadErrorKind {
    TermSet::from_bytes(bytes).unwrap_err().kind().clone()
}

#[test]
fn bad_bytes_give_typed_errors() {
    let good = sample();
    assert!(TermSet::from_bytes(good.clone()).is_ok());

    assert_eq!(kind(Vec::new()), LoadErrorKind::NotATermSet);
    assert_eq!(
        kind(b"\x89PNG\r\n\x1a\n and more bytes".repeat(10)),
        LoadErrorKind::NotATermSet
    );
    assert!(matches!(
        kind(good[..5].to_vec()),
        LoadErrorKind::Truncated { .. }
    ));
    assert!(matches!(
        kind(good[..good.len() - 1].to_vec()),
        LoadErrorKind::Truncated { expected, actual } if expected == good.len() as u64 && actual + 1 == expected
    ));

    let mut longer = good.clone();
    longer.push(0);
    assert!(matches!(kind(longer), LoadErrorKind::Corrupt(_)));

    let mut flipped = good.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    assert_eq!(kind(flipped), LoadErrorKind::Checksum);

    let mut future = good.clone();
    future[8] = 9;
    assert_eq!(
        kind(future),
        LoadErrorKind::UnsupportedFormat {
            found: 9,
            supported: 1
        }
    );

    let mut other_norm = good.clone();
    other_norm[10] = 7;
    assert!(matches!(
        kind(other_norm),
        LoadErrorKind::NormalizationMismatch { found: 7, .. }
    ));
}

#[test]
fn every_truncation_and_every_bit_flip_is_refused() {
    let good = sample();
    for len in 0..good.len() {
        assert!(
            TermSet::from_bytes(good[..len].to_vec()).is_err(),
            "truncated to {len}"
        );
    }
    for i in 0..good.len() {
        for bit in [0x01, 0x80] {
            let mut bad = good.clone();
            bad[i] ^= bit;
            assert!(TermSet::from_bytes(bad).is_err(), "byte {i} bit {bit:#x}");
        }
    }
}

#[test]
fn errors_read_well() {
    let e = TermSet::from_bytes(vec![1, 2, 3]).unwrap_err();
    assert_eq!(e.to_string(), "not a termgate term set (bad magic bytes)");
    let mut bad = sample();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    assert_eq!(
        TermSet::from_bytes(bad).unwrap_err().to_string(),
        "term set checksum mismatch: the bytes are corrupt"
    );
}

#[test]
fn listing_compiles_back_to_the_same_set() {
    let list = "[block spam]\nspam\n[hide until=2026-12-31T00:00Z]\nラーメン\n*ass*\n[warn]\nhost:Evil.Example\n";
    let set = compile_str(list).unwrap();
    let again = compile_str(&set.to_list()).unwrap();
    assert_eq!(again.as_bytes(), set.as_bytes());
    let info = set.info();
    assert_eq!(
        (info.rules, info.word_keys, info.inner_keys, info.host_keys),
        (4, 1, 2, 1)
    );
}

#[test]
fn info_gives_the_earliest_expiry() {
    let list =
        "[hide until=2030-01-01]\nlater\n[block]\nspam\n[warn until=2027-01-01T00:00Z]\nsoon\n";
    let set = compile_str(list).unwrap();
    assert_eq!(set.info().next_expiry, Some(1_798_761_600));
    let forever = compile_str("[block]\nspam\n").unwrap();
    assert_eq!(forever.info().next_expiry, None);
}

#[test]
fn a_million_rules_compile() {
    // The documented floor of the per-set limit; the limit itself is higher.
    const RULES: usize = 1_000_000;
    const _: () = assert!(MAX_RULES >= RULES);
    let mut list = String::with_capacity(RULES * 10);
    list.push_str("[block]\n");
    for i in 0..RULES {
        // Letters only, so that every rule has its own key.
        let mut n = i;
        let mut word = String::from("w");
        loop {
            word.push((b'a' + (n % 26) as u8) as char);
            n /= 26;
            if n == 0 {
                break;
            }
        }
        list.push_str(&word);
        list.push('\n');
    }
    let set = compile_str(&list).unwrap();
    assert_eq!(set.len(), RULES);
    assert_eq!(Scanner::new(&[&set]).check("say wbcd now").name(), "block");
}

/// The fst crate is vendored with a smaller CRC table (vendor/fst/PATCH.md): it must still write
/// exactly what fst 0.4.7 from crates.io writes, checksum included (these bytes are upstream's).
#[test]
fn vendored_fst_writes_upstream_bytes() {
    let mut map = fst::MapBuilder::memory();
    for (key, value) in [("bad", 1), ("spam", 2), ("spoiler", 300), ("ばか", 70000)] {
        map.insert(key, value).unwrap();
    }
    let upstream: &[u8] = &[
        3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 146, 197, 0, 16, 144, 0, 16, 135,
        194, 207, 200, 42, 1, 0, 0, 1, 7, 111, 97, 18, 2, 201, 0, 16, 139, 128, 129, 192, 227, 192,
        176, 192, 129, 192, 112, 17, 1, 2, 0, 0, 1, 0, 0, 1, 13, 33, 227, 115, 98, 19, 3, 4, 0, 0,
        0, 0, 0, 0, 0, 68, 0, 0, 0, 0, 0, 0, 0, 18, 205, 88, 108,
    ];
    assert_eq!(map.into_inner().unwrap(), upstream);
}

#[test]
fn rules_come_by_section_then_as_listed() {
    let set = compile_str(
        "[block]\nzz && b\nxylophone\n[hide]\ny && q\nwww\n[block spam]\naa && c\nbb\n[hide]\np && r\n",
    )
    .unwrap();
    let rules: Vec<(String, String)> = set
        .rules()
        .map(|r| (r.action.as_str().to_string(), r.text))
        .collect();
    let want = [
        ("block", "zz && b"),
        ("block", "xylophone"),
        ("hide", "y && q"),
        ("hide", "p && r"),
        ("hide", "www"),
        ("block", "aa && c"),
        ("block", "bb"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(a, t)| (a.to_string(), t.to_string()))
        .collect();
    assert_eq!(rules, want);
}
