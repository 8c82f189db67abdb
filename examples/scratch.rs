#[path = "../benches/inputs.rs"]
mod inputs;
use std::time::Instant;
fn main() {
    let lang = std::env::args().nth(1).unwrap_or("en".into());
    let secs: f64 = std::env::args().nth(2).map(|s| s.parse().unwrap()).unwrap_or(3.0);
    let (list, posts) = if lang == "en" {
        (inputs::english_list(10000), inputs::data("en.txt"))
    } else {
        (inputs::japanese_list(10000), inputs::data("ja.txt"))
    };
    let posts: Vec<&str> = posts.lines().filter(|l| !l.trim().is_empty()).collect();
    let bytes: usize = posts.iter().map(|p| p.len()).sum();
    let set = termgate::compile_str(&list).unwrap();
    let scanner = termgate::Scanner::new(&[&set]);
    let t0 = Instant::now();
    let mut rounds = 0;
    let mut n = 0;
    while t0.elapsed().as_secs_f64() < secs {
        for p in &posts {
            n += scanner.check(p).matches.len();
        }
        rounds += 1;
    }
    let s = t0.elapsed().as_secs_f64();
    println!("{lang}: {:.1} MB/s ({n} matches, {rounds} rounds)", (bytes * rounds) as f64 / s / 1e6);
}
