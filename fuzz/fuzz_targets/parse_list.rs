//! Arbitrary bytes as a term list: compiling never panics, and a set that compiles loads again
//! from its bytes and lists rules that compile to the same rules.
#![no_main]

use libfuzzer_sys::fuzz_target;
use termgate::{compile, Source, TermSet};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(set) = compile(&[Source {
        name: "fuzz.txt",
        text: &text,
    }]) else {
        return;
    };
    let loaded = TermSet::from_bytes(set.as_bytes().to_vec()).expect("a fresh set loads");
    assert_eq!(loaded.info(), set.info());
    let list = set.to_list();
    let again = compile(&[Source {
        name: "listed.txt",
        text: &list,
    }])
    .unwrap_or_else(|e| panic!("the listed rules do not compile: {e}\n{list}"));
    assert!(
        again.rules().eq(set.rules()),
        "the listed rules differ:\n{list}"
    );
});
