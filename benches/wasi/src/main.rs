//! The core alone, without the browser module's JS boundary: checks the benchmark's posts
//! (benches/inputs.rs) against its 10k-term lists in a plain loop and prints MB/s, the best of
//! several passes. `make bench-core-wasm` runs it natively and compiled for `wasm32-wasip1` with
//! the browser module's build profile, in Node's WASI: the same V8 as the module's figures, the
//! same core build, but no string copied in and no result object made per post.

use std::time::Instant;

use termgate::{compile_str, Engine, Scanner};

#[path = "../../inputs.rs"]
#[allow(dead_code)]
mod inputs;

const PASSES: usize = 9;

fn main() {
    for (lang, list, corpus) in [
        ("English", inputs::english_list(10_000), "en.txt"),
        ("Japanese", inputs::japanese_list(10_000), "ja.txt"),
    ] {
        let set = compile_str(&list).expect("the benchmark's list compiles");
        let text = inputs::data(corpus);
        let posts: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        let bytes: usize = posts.iter().map(|p| p.len()).sum();
        // The warm indexes built at once: what the module's default engine uses once a set has
        // checked 64 bytes of text per key, as a busy set has.
        let scanner = Scanner::new(&[&set]).engine(Engine::Automaton);
        let flagged = posts
            .iter()
            .filter(|p| !scanner.check(p).is_allow())
            .count();
        let mut best = f64::MAX;
        for _ in 0..PASSES {
            let start = Instant::now();
            for post in &posts {
                std::hint::black_box(scanner.check(post));
            }
            best = best.min(start.elapsed().as_secs_f64());
        }
        println!(
            "{lang}, 10k terms: {:.1} MB/s, {:.0} ns a post ({} posts, {flagged} flagged; best of {PASSES} passes)",
            bytes as f64 / best / 1e6,
            best * 1e9 / posts.len() as f64,
            posts.len(),
        );
    }
}
