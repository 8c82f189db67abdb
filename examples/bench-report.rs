//! Prints the README's benchmark table: criterion's timings (run `cargo bench --bench core`
//! first) beside sizes, load times and peak memory measured here.
//!
//! `make bench` runs both.

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use termgate::{compile_str, Engine, Scanner, TermSet};

#[path = "../benches/inputs.rs"]
#[allow(dead_code)]
mod inputs;

/// Counts live heap bytes and their peak, to report memory without an external tool.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Peak heap growth while `f` runs, in bytes.
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let out = f();
    (out, PEAK.load(Ordering::Relaxed) - before)
}

fn mib(bytes: usize) -> String {
    format!("{:.1} MiB", bytes as f64 / (1 << 20) as f64)
}

/// Criterion's mean time in nanoseconds and throughput in bytes for one benchmark, if it ran.
fn criterion(group: &str, id: &str) -> Option<(f64, Option<f64>)> {
    let dir = format!(
        "{}/target/criterion/{}/{}",
        env!("CARGO_MANIFEST_DIR"),
        group.replace('/', "_"),
        id
    );
    let estimates = std::fs::read_to_string(format!("{dir}/new/estimates.json")).ok()?;
    let bench = std::fs::read_to_string(format!("{dir}/new/benchmark.json")).ok()?;
    let mean = number_after(&estimates, "\"mean\":{\"confidence_interval\"")
        .and_then(|rest| number_after(rest, "\"point_estimate\":"))
        .and_then(|s| s.split([',', '}']).next()?.parse().ok())?;
    let bytes =
        number_after(&bench, "\"Bytes\":").and_then(|s| s.split([',', '}']).next()?.parse().ok());
    Some((mean, bytes))
}

fn number_after<'a>(s: &'a str, key: &str) -> Option<&'a str> {
    s.find(key).map(|i| &s[i + key.len()..])
}

fn mbps(group: &str, id: &str) -> String {
    match criterion(group, id) {
        Some((ns, Some(bytes))) => format!("{:.0} MB/s", bytes / ns * 1e3),
        Some((ns, None)) => format!("{:.2} ms", ns / 1e6),
        None => "not run".into(),
    }
}

fn main() {
    let mut out = String::new();
    writeln!(
        out,
        "| scan, 1 MiB of posts, full normalization | 1k terms | 10k terms | 100k terms |"
    )
    .unwrap();
    writeln!(out, "|---|---|---|---|").unwrap();
    for lang in ["english", "japanese"] {
        for (label, id) in [
            ("walk (cold: nothing built)", "walk"),
            ("warm indexes (`Engine::Automaton`)", "automaton"),
            (
                "raw aho-corasick, pre-lowercased, no normalization",
                "raw-aho-corasick",
            ),
        ] {
            let cells: Vec<String> = ["1000", "10000", "100000"]
                .iter()
                .map(|n| mbps(&format!("scan/{lang}"), &format!("{id}/{n}")))
                .collect();
            writeln!(out, "| {lang}: {label} | {} |", cells.join(" | ")).unwrap();
        }
    }
    writeln!(out).unwrap();
    writeln!(out, "| build and load | 10k terms | 100k terms |").unwrap();
    writeln!(out, "|---|---|---|").unwrap();
    let compile: Vec<String> = ["10000", "100000"]
        .iter()
        .map(|n| mbps("compile", &format!("english/{n}")))
        .collect();
    writeln!(
        out,
        "| compile (criterion mean) | {} |",
        compile.join(" | ")
    )
    .unwrap();
    let load: Vec<String> = ["10000", "100000"]
        .iter()
        .map(|n| mbps("load", &format!("from_bytes+first_verdict/{n}")))
        .collect();
    writeln!(
        out,
        "| load bytes + first verdict (criterion mean) | {} |",
        load.join(" | ")
    )
    .unwrap();

    let mut sizes = Vec::new();
    let mut compile_mem = Vec::new();
    let mut scan_mem = Vec::new();
    let posts = inputs::posts("en.txt", 1 << 20);
    for n in [10_000, 100_000] {
        let list = inputs::english_list(n);
        let (set, peak) = peak_during(|| compile_str(&list).unwrap());
        compile_mem.push(mib(peak));
        sizes.push(format!(
            "{} ({:.0} % of the list)",
            mib(set.as_bytes().len()),
            100.0 * set.as_bytes().len() as f64 / list.len() as f64
        ));
        let fresh = TermSet::from_bytes(set.as_bytes().to_vec()).unwrap();
        let (_, peak) = peak_during(|| {
            let scanner = Scanner::new(&[&fresh]).engine(Engine::Automaton);
            posts
                .iter()
                .filter(|p| !scanner.check(p).is_allow())
                .count()
        });
        scan_mem.push(mib(peak));
    }
    writeln!(out, "| compiled set size | {} |", sizes.join(" | ")).unwrap();
    writeln!(
        out,
        "| peak heap while compiling | {} |",
        compile_mem.join(" | ")
    )
    .unwrap();
    writeln!(
        out,
        "| peak heap while scanning (set loaded, warm indexes built) | {} |",
        scan_mem.join(" | ")
    )
    .unwrap();

    let words = inputs::data("words.txt");
    let list = format!("[block]\n{words}");
    let t = Instant::now();
    let set = compile_str(&list).unwrap();
    let secs = t.elapsed().as_secs_f64();
    let bytes = set.as_bytes().to_vec();
    let mut best = f64::MAX;
    for _ in 0..20 {
        let t = Instant::now();
        let fresh = TermSet::from_bytes(bytes.clone()).unwrap();
        let v = Scanner::new(&[&fresh]).check("a first post to check, about as long as a tweet");
        std::hint::black_box(v);
        best = best.min(t.elapsed().as_secs_f64());
    }
    writeln!(out).unwrap();
    writeln!(
        out,
        "Real word list (npm `an-array-of-english-words`, {} words, {}): compiled in {:.2} s to {} = **{:.0} %** of its text; load + first verdict {:.3} ms (best of 20).",
        words.lines().count(),
        mib(list.len()),
        secs,
        mib(bytes.len()),
        100.0 * bytes.len() as f64 / list.len() as f64,
        best * 1e3
    )
    .unwrap();
    print!("{out}");
}
