//! `make bench-peers`, native side: termgate and the Rust crates a social network would use
//! instead, on the inputs `prepare.mjs` wrote into target/data/.
//!
//! One process measures one peer on one input, so the driver (`run.mjs`) can stop a peer that
//! does not finish and the allocation counter below sees nothing else:
//!
//! ```text
//! termgate-bench-peers speed <peer> <en|ja> <terms>   throughput, latency, build, memory, paired ratio
//! termgate-bench-peers accuracy <peer>                recall and false positives on the labelled set
//! ```
//!
//! Every result is one JSON object on a line of stdout.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use termgate::{compile_str, Engine, Scanner, TermSet};
use unicode_normalization::UnicodeNormalization;

/// The core's benchmark inputs (benches/inputs.rs), to check that inputs.mjs still mirrors them; it
/// finds benches/data through the `benches/data` symlink beside this crate's manifest.
#[path = "../../inputs.rs"]
#[allow(dead_code)]
mod inputs;

/// Counts live heap bytes, so a peer's memory is what its build left allocated.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new as isize - layout.size() as isize, Ordering::Relaxed);
        System.realloc(ptr, layout, new)
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

fn data_dir() -> PathBuf {
    [env!("CARGO_MANIFEST_DIR"), "target", "data"]
        .iter()
        .collect()
}

fn read(name: &str) -> String {
    let path = data_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run `node prepare.mjs` (make bench-peers does)",
            path.display()
        )
    })
}

/// Seconds each measurement may take (`BENCH_SECONDS`, default 1).
fn budget() -> Duration {
    let s: f64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    Duration::from_secs_f64(s)
}

/// Lower case and NFKC: the normalization a raw matcher gets (termgate's own is not public).
fn lower_nfkc(s: &str) -> String {
    s.nfkc().collect::<String>().to_lowercase()
}

fn is_cjk(s: &str) -> bool {
    s.chars().any(|c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{9fff}' | '\u{ff66}'..='\u{ff9f}'))
}

/// A peer, built: says whether a text holds a term.
type Check = Box<dyn Fn(&str) -> bool>;

/// What a peer's build produced, plus the time to load it again where that differs from building.
struct Built {
    check: Check,
    load_ms: Option<f64>,
    note: &'static str,
}

fn termgate(list: &str, engine: Engine) -> Built {
    let set = compile_str(list).expect("list compiles");
    let bytes = set.as_bytes().to_vec();
    drop(set);
    // Loading what the edge stores, and the first verdict (the automaton, if any, is built lazily).
    let t = Instant::now();
    let set: &'static TermSet = Box::leak(Box::new(TermSet::from_bytes(bytes).expect("loads")));
    let scanner = Scanner::new(&[set]).engine(engine);
    scanner.check("a first post to check, about as long as a short one");
    let load_ms = t.elapsed().as_secs_f64() * 1e3;
    Built {
        check: Box::new(move |text| !scanner.check(text).is_allow()),
        load_ms: Some(load_ms),
        note: "full normalization; verdict with every match",
    }
}

fn build(peer: &str, list: &str, terms: &[String]) -> Built {
    match peer {
        "termgate-walk" => termgate(list, Engine::Walk),
        "termgate-automaton" => termgate(list, Engine::Automaton),
        "termgate" => termgate(list, Engine::Auto),
        "rustrict" => {
            let mut trie = rustrict::Trie::new();
            for t in terms {
                trie.set(
                    &t.to_lowercase(),
                    rustrict::Type::PROFANE | rustrict::Type::SEVERE,
                );
            }
            let trie: &'static rustrict::Trie = Box::leak(Box::new(trie));
            Built {
                check: Box::new(move |text| {
                    rustrict::Censor::from_str(text)
                        .with_trie(trie)
                        .analyze()
                        .is(rustrict::Type::INAPPROPRIATE)
                }),
                load_ms: None,
                note: "our list in its own Trie; its built-in normalization (substring matches)",
            }
        }
        "aho-corasick" | "aho-corasick+norm" => {
            let keys: Vec<String> = terms.iter().map(|t| lower_nfkc(t)).collect();
            let ac = aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::Standard)
                .build(&keys)
                .expect("aho-corasick builds");
            if peer == "aho-corasick" {
                Built {
                    check: Box::new(move |text| ac.find_iter(text).count() > 0),
                    load_ms: None,
                    note: "text lowercased + NFKC before timing; substring matches",
                }
            } else {
                Built {
                    check: Box::new(move |text| ac.find_iter(&lower_nfkc(text)).count() > 0),
                    load_ms: None,
                    note: "lowercase + NFKC timed; substring matches",
                }
            }
        }
        "daachorse" => {
            let mut keys: Vec<String> = terms.iter().map(|t| lower_nfkc(t)).collect();
            keys.sort();
            keys.dedup();
            keys.retain(|k| !k.is_empty());
            let pma: daachorse::CharwiseDoubleArrayAhoCorasick<u32> =
                daachorse::CharwiseDoubleArrayAhoCorasick::new(&keys).expect("daachorse builds");
            Built {
                check: Box::new(move |text| pma.find_iter(text).count() > 0),
                load_ms: None,
                note: "charwise; text lowercased + NFKC before timing; substring matches",
            }
        }
        "regex" => {
            let esc = |ts: &mut dyn Iterator<Item = &String>| {
                ts.map(|t| regex::escape(t)).collect::<Vec<_>>().join("|")
            };
            let latin: Vec<&String> = terms.iter().filter(|t| !is_cjk(t)).collect();
            let cjk: Vec<&String> = terms.iter().filter(|t| is_cjk(t)).collect();
            // Whole words for terms in scripts with spaces (an ASCII \b, which the DFAs support),
            // anywhere for Japanese, as termgate does.
            let mut alts = Vec::new();
            if !latin.is_empty() {
                alts.push(format!(
                    "(?-u:\\b)(?:{})(?-u:\\b)",
                    esc(&mut latin.into_iter())
                ));
            }
            if !cjk.is_empty() {
                alts.push(format!("(?:{})", esc(&mut cjk.into_iter())));
            }
            let re = regex::RegexBuilder::new(&format!("(?i){}", alts.join("|")))
                .size_limit(1 << 30)
                .dfa_size_limit(1 << 28)
                .build()
                .expect("regex builds");
            Built {
                check: Box::new(move |text| re.find_iter(text).count() > 0),
                load_ms: None,
                note: "one case-insensitive alternation, ASCII word boundaries around Latin terms",
            }
        }
        other => panic!("unknown peer {other}"),
    }
}

/// The texts a peer is timed on, and the bytes it counts: pre-normalized for the ceilings.
fn prepared(peer: &str, texts: &[String]) -> Vec<String> {
    match peer {
        "aho-corasick" | "daachorse" => texts.iter().map(|t| lower_nfkc(t)).collect(),
        _ => texts.to_vec(),
    }
}

/// Scans `texts` from the start until all are done or `budget` is spent: posts, bytes, seconds and
/// posts flagged.
fn pass(check: &Check, texts: &[String], budget: Duration) -> (usize, usize, f64, usize) {
    let t = Instant::now();
    let (mut bytes, mut flagged) = (0, 0);
    for (i, text) in texts.iter().enumerate() {
        flagged += check(text) as usize;
        bytes += text.len();
        // The clock is read after each of the first posts (a slow peer stops early), then every 16th.
        if (i < 16 || i % 16 == 15) && t.elapsed() >= budget {
            return (i + 1, bytes, t.elapsed().as_secs_f64(), flagged);
        }
    }
    (texts.len(), bytes, t.elapsed().as_secs_f64(), flagged)
}

/// MB/s over the first `n` texts, repeating whole passes until `at_least` has passed.
fn rate(check: &Check, texts: &[String], at_least: Duration) -> f64 {
    let bytes: usize = texts.iter().map(String::len).sum();
    let t = Instant::now();
    let mut passes = 0;
    while passes == 0 || t.elapsed() < at_least {
        for text in texts {
            std::hint::black_box(check(text));
        }
        passes += 1;
    }
    (bytes * passes) as f64 / t.elapsed().as_secs_f64() / 1e6
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    percentile(&v, 0.5)
}

fn speed(peer: &str, lang: &str, size: usize) -> Value {
    let list = read(&format!("list-{lang}-{size}.txt"));
    let terms: Vec<String> = list
        .lines()
        .skip(1)
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    let raw: Vec<String> = read(&format!("posts-{lang}.txt"))
        .lines()
        .map(String::from)
        .collect();
    let texts = prepared(peer, &raw);

    let before = live();
    let t = Instant::now();
    let built = build(peer, &list, &terms);
    let build_ms = t.elapsed().as_secs_f64() * 1e3;
    // The auto engine walks until a set has scanned 64 bytes of text per key, then builds its
    // automaton: termgate is measured as a busy edge set runs, past that point, by scanning that
    // much first.
    let busy = |check: &Check| {
        // Twice that in raw bytes: normalization drops punctuation and collapses gaps.
        let limit = 2 * terms.len() * termgate::AUTOMATON_AFTER_BYTES_PER_KEY as usize;
        let mut seen = 0;
        for text in raw.iter().cycle() {
            check(text);
            seen += text.len();
            if seen > limit {
                break;
            }
        }
    };
    if peer == "termgate" {
        busy(&built.check);
    }
    // Memory once the first checks have built whatever is lazy.
    (built.check)("warm up");
    let mem = live() - before;
    println!(
        "{}",
        json!({"event": "built", "peer": peer, "build_ms": build_ms})
    );

    // The termgate scanner every peer is paired with, measured in the same process, round by round.
    let pair = (peer != "termgate").then(|| termgate(&list, Engine::Auto));
    if let Some(pair) = &pair {
        busy(&pair.check);
    }
    let budget = budget();
    let rounds = 3;
    let (mut peer_rates, mut ratios) = (Vec::new(), Vec::new());
    let (mut posts_done, mut bytes_done, mut flagged) = (0, 0, 0);
    // Warm up (lazy DFAs fill their caches); its figure stands in if the peer is stopped later.
    let (n, bytes, secs, _) = pass(&built.check, &texts, budget / 3);
    println!(
        "{}",
        json!({"event": "partial", "peer": peer, "mbps": bytes as f64 / secs / 1e6, "posts": n,
               "p50_us": secs * 1e6 / n as f64})
    );
    for _ in 0..rounds {
        let (n, bytes, secs, f) = pass(&built.check, &texts, budget / rounds);
        let peer_rate = bytes as f64 / secs / 1e6;
        peer_rates.push(peer_rate);
        if n > posts_done {
            (posts_done, bytes_done, flagged) = (n, bytes, f);
        }
        if let Some(pair) = &pair {
            let tg = rate(&pair.check, &raw[..n], Duration::from_millis(50));
            ratios.push(tg / peer_rate);
        }
    }
    // Per-post latency: every post timed alone, over what the rounds covered (at most 4000 posts
    // or half the budget).
    let started = Instant::now();
    let mut lat = Vec::new();
    for text in &texts[..posts_done.min(4000)] {
        let t = Instant::now();
        std::hint::black_box((built.check)(text));
        lat.push(t.elapsed().as_secs_f64() * 1e6);
        if started.elapsed() > budget / 2 {
            break;
        }
    }
    lat.sort_by(|a, b| a.total_cmp(b));
    json!({
        "event": "speed", "peer": peer, "runtime": "native", "lang": lang, "size": size,
        "terms": terms.len(), "build_ms": build_ms, "load_ms": built.load_ms, "mem_bytes": mem,
        "mbps": median(peer_rates), "p50_us": percentile(&lat, 0.5), "p99_us": percentile(&lat, 0.99),
        "posts": posts_done, "posts_total": texts.len(), "bytes": bytes_done,
        "flagged": flagged, "ratio_termgate": pair.map(|_| median(ratios)),
        "paired_with": "termgate native (Engine::Auto, past its automaton switch)", "note": built.note,
    })
}

fn accuracy(peer: &str) -> Value {
    let list = read("list-accuracy.txt");
    let terms: Vec<String> = list
        .lines()
        .skip(1)
        .map(|t| t.trim().trim_start_matches('\\').to_string())
        .filter(|t| !t.is_empty())
        .collect();
    let built = build(peer, &list, &terms);
    let mut rows = Vec::new();
    for line in read("accuracy.tsv").lines() {
        let f: Vec<&str> = line.splitn(5, '\t').collect();
        let text = prepared(peer, &[f[4].to_string()]).remove(0);
        rows.push(json!([f[0] == "1", f[1], f[2], (built.check)(&text)]));
    }
    json!({"event": "accuracy", "peer": peer, "runtime": "native", "rows": rows, "note": built.note})
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["speed", peer, lang, size] => speed(peer, lang, size.parse().expect("a number of terms")),
        ["accuracy", peer] => accuracy(peer),
        // FNV-1a of every list and post set inputs.rs makes, for prepare.mjs to compare with its own.
        ["mirror"] => {
            let h = |s: &str| {
                s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |x, b| {
                    (x ^ b as u64).wrapping_mul(0x100_0000_01b3)
                })
            };
            let mut out = serde_json::Map::new();
            for n in [1_000, 10_000, 100_000] {
                out.insert(
                    format!("list-en-{n}"),
                    json!(format!("{:016x}", h(&inputs::english_list(n)))),
                );
                out.insert(
                    format!("list-ja-{n}"),
                    json!(format!("{:016x}", h(&inputs::japanese_list(n)))),
                );
            }
            for (lang, corpus) in [("en", "en.txt"), ("ja", "ja.txt")] {
                let posts = inputs::posts(corpus, 1 << 20).join("\n");
                out.insert(
                    format!("posts-{lang}"),
                    json!(format!("{:016x}", h(&posts))),
                );
            }
            Value::Object(out)
        }
        // For reports to the core: which rules termgate matches in `text` with a list from target/data.
        ["explain", list, text] => {
            let set = compile_str(&read(list)).expect("list compiles");
            let v = Scanner::new(&[&set]).check(text);
            let m: Vec<Value> = v
                .matches
                .iter()
                .map(|m| json!([m.rule, &text[m.start..m.end]]))
                .collect();
            json!({"verdict": v.name(), "matches": m})
        }
        _ => {
            eprintln!("usage: termgate-bench-peers speed <peer> <en|ja> <terms> | accuracy <peer>");
            std::process::exit(2)
        }
    };
    println!("{out}");
}
