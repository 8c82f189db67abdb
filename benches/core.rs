//! Criterion benchmarks of the core: compiling, loading, and scanning English and Japanese posts
//! with both engines, beside raw aho-corasick over already-normalized text.
//!
//! Inputs come from benches/data (see benches/fetch-data.sh); `make bench` installs them.

use std::time::Duration;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use termgate::{compile_str, Engine, Scanner, TermSet};

#[path = "inputs.rs"]
mod inputs;

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];
const TEXT_BYTES: usize = 1 << 20;

fn compile(c: &mut Criterion) {
    let mut g = c.benchmark_group("compile");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    for n in [10_000, 100_000] {
        let list = inputs::english_list(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("english", n), &list, |b, list| {
            b.iter(|| compile_str(list).unwrap())
        });
    }
    g.finish();
}

fn load(c: &mut Criterion) {
    let mut g = c.benchmark_group("load");
    g.sample_size(20);
    for n in [10_000, 100_000] {
        let bytes = compile_str(&inputs::english_list(n))
            .unwrap()
            .as_bytes()
            .to_vec();
        g.bench_with_input(
            BenchmarkId::new("from_bytes+first_verdict", n),
            &bytes,
            |b, bytes| {
                b.iter(|| {
                    let set = TermSet::from_bytes(bytes.clone()).unwrap();
                    Scanner::new(&[&set]).check("a first post to check, about as long as a tweet")
                })
            },
        );
    }
    g.finish();
}

fn scan(c: &mut Criterion) {
    for (lang, corpus) in [("english", "en.txt"), ("japanese", "ja.txt")] {
        let posts = inputs::posts(corpus, TEXT_BYTES);
        let bytes: usize = posts.iter().map(String::len).sum();
        let mut g = c.benchmark_group(format!("scan/{lang}"));
        g.sample_size(10).measurement_time(Duration::from_secs(5));
        g.throughput(Throughput::Bytes(bytes as u64));
        for n in SIZES {
            let list = if lang == "english" {
                inputs::english_list(n)
            } else {
                inputs::japanese_list(n)
            };
            let set = compile_str(&list).unwrap();
            for (name, engine) in [("walk", Engine::Walk), ("automaton", Engine::Automaton)] {
                let scanner = Scanner::new(&[&set]).engine(engine);
                g.bench_function(BenchmarkId::new(name, n), |b| {
                    b.iter(|| {
                        posts
                            .iter()
                            .filter(|p| !scanner.check(p).is_allow())
                            .count()
                    })
                });
            }
            // The ceiling: aho-corasick alone over text already normalized, every key of the set.
            let keys: Vec<String> = list.lines().skip(1).map(|t| t.to_lowercase()).collect();
            let ac = AhoCorasick::builder()
                .kind(Some(AhoCorasickKind::ContiguousNFA))
                .match_kind(MatchKind::Standard)
                .build(&keys)
                .unwrap();
            let lowered: Vec<String> = posts.iter().map(|p| p.to_lowercase()).collect();
            g.bench_function(BenchmarkId::new("raw-aho-corasick", n), |b| {
                b.iter(|| {
                    lowered
                        .iter()
                        .map(|p| ac.find_overlapping_iter(p.as_str()).count())
                        .sum::<usize>()
                })
            });
        }
        g.finish();
    }
}

criterion_group!(benches, compile, load, scan);
criterion_main!(benches);
