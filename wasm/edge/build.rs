//! Compiles `lists/default.txt` with the core crate into `$OUT_DIR/default.tgs`, which the worker
//! embeds with `include_bytes!`: the set it enforces while KV holds none.

use std::path::Path;
use std::{env, fs};

fn main() {
    let list = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lists/default.txt");
    println!("cargo:rerun-if-changed={}", list.display());
    let text =
        fs::read_to_string(&list).unwrap_or_else(|e| panic!("cannot read {}: {e}", list.display()));
    let set = termgate::compile(&[termgate::Source {
        name: "lists/default.txt",
        text: &text,
    }])
    .unwrap_or_else(|e| panic!("{e}"));
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("default.tgs");
    fs::write(&out, set.as_bytes())
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}
