//! termgate's engines and raw aho-corasick as a plain wasm module for V8 (`peers.mjs` loads it):
//! the browser module fixes the walk engine and optimizes for size, so this shows what the other
//! engine and `opt-level = 3` give in the same V8, and the raw matcher's ceiling there.
//!
//! The ABI: `alloc(len)` reserves `len` bytes for the caller to fill with UTF-8; `build(kind, ptr,
//! len)` builds a matcher from a term list there (a termgate list for kinds 0–2, one term a line,
//! already normalized, for kind 3) and returns 0, or 1 if the list does not compile; `check(ptr,
//! len)` returns 1 if the text there holds a term.

use std::cell::RefCell;

use aho_corasick::{AhoCorasick, MatchKind};
use termgate::{compile_str, Engine, Scanner, TermSet};

enum Matcher {
    None,
    Termgate(&'static TermSet, Engine),
    Raw(AhoCorasick),
}

thread_local! {
    static MATCHER: RefCell<Matcher> = const { RefCell::new(Matcher::None) };
}

/// # Safety
/// None needed: returns a fresh buffer the caller owns and never frees (the bench leaks a few).
#[no_mangle]
pub extern "C" fn alloc(len: usize) -> *mut u8 {
    let mut v = Vec::<u8>::with_capacity(len.max(1));
    let p = v.as_mut_ptr();
    std::mem::forget(v);
    p
}

fn text<'a>(ptr: *const u8, len: usize) -> &'a str {
    // SAFETY: the caller wrote `len` bytes of UTF-8 (TextEncoder) into a buffer from `alloc`.
    unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(ptr, len)) }
}

#[no_mangle]
pub extern "C" fn build(kind: u32, ptr: *const u8, len: usize) -> u32 {
    let list = text(ptr, len);
    let matcher = match kind {
        0..=2 => match compile_str(list) {
            Ok(set) => {
                let engine = [Engine::Walk, Engine::Automaton, Engine::Auto][kind as usize];
                Matcher::Termgate(Box::leak(Box::new(set)), engine)
            }
            Err(_) => return 1,
        },
        _ => match AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(list.lines())
        {
            Ok(ac) => Matcher::Raw(ac),
            Err(_) => return 1,
        },
    };
    MATCHER.with(|m| *m.borrow_mut() = matcher);
    0
}

#[no_mangle]
pub extern "C" fn check(ptr: *const u8, len: usize) -> u32 {
    let text = text(ptr, len);
    MATCHER.with(|m| match &*m.borrow() {
        Matcher::None => 0,
        Matcher::Termgate(set, engine) => {
            !Scanner::new(&[*set]).engine(*engine).check(text).is_allow() as u32
        }
        Matcher::Raw(ac) => (ac.find_iter(text).count() > 0) as u32,
    })
}
