//! The `termgate` command-line tool, run as a built binary: each command's output and exit
//! status, and every error path (exit status 2, one line on stderr).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_termgate");

/// An operator's list: English terms, every rule kind.
const LIST_A: &str = "\
# the operator's list
[warn harassment]
baka
*spoiler*
!spoilerfree

[block spam]
buy && followers
host:evil.example
";

/// A second list: Japanese terms, no categories.
const LIST_B: &str = "\
[hide]
ラーメン
[block]
しね
";

/// A scratch directory for one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "termgate-cli-{}-{}-{test}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn file(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// `a.txt`, `b.txt` and the set `ab.tgs` compiled from both.
    fn lists_and_set(&self) -> (PathBuf, PathBuf, PathBuf) {
        let a = self.file("a.txt", LIST_A);
        let b = self.file("b.txt", LIST_B);
        let set = self.path("ab.tgs");
        let out = ok(&tg(&["compile", p(&a), p(&b), "-o", p(&set)], ""));
        assert!(out.contains("rules    7\n"), "{out}");
        (a, b, set)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Runs `termgate ARGS...` with `stdin`.
fn tg(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_string();
    let writer = std::thread::spawn(move || {
        // The command may exit without reading (an error): ignore a broken pipe.
        let _ = input.write_all(stdin.as_bytes());
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

/// Asserts success with an empty stderr; returns stdout.
fn ok(out: &Output) -> String {
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert_eq!(stderr, "");
    stdout
}

/// Asserts exit status 2 with one line on stderr; returns that line.
fn fails(out: &Output) -> String {
    let stderr = String::from_utf8(out.stderr.clone()).unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "stdout: {}\nstderr: {stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        stderr.starts_with("termgate: ") && stderr.ends_with('\n') && stderr.lines().count() == 1,
        "not one line: {stderr:?}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr.trim_end().to_string()
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// A match object as `check --json` and `scan` write it.
fn m(start: usize, end: usize, text: &str, rule: &str, action: &str, category: Value) -> Value {
    json!({"start": start, "end": end, "text": text, "rule": rule, "action": action,
           "category": category})
}

#[test]
fn compile_prints_counts_size_and_ratio() {
    let s = Scratch::new("compile");
    let a = s.file("a.txt", LIST_A);
    let b = s.file("b.txt", LIST_B);
    let set = s.path("ab.tgs");
    let out = ok(&tg(&["compile", p(&a), p(&b), "-o", p(&set)], ""));
    let bytes = std::fs::read(&set).unwrap();
    let lists = LIST_A.len() + LIST_B.len();
    let info = termgate::TermSet::from_bytes(bytes.clone()).unwrap().info();
    let want = format!(
        "wrote {} from 2 lists ({lists} bytes)\n\
         rules    7\n\
         keys     {} word, {} inner, {} host\n\
         profile  compat,invisible,diacritics,homoglyphs,case,kana,leet,separators,repeats\n\
         size     {} bytes, {:.1}% of the lists\n",
        set.display(),
        info.word_keys,
        info.inner_keys,
        info.host_keys,
        bytes.len(),
        100.0 * bytes.len() as f64 / lists as f64
    );
    assert_eq!(out, want);
    assert_eq!(info.host_keys, 1);
    assert!(info.word_keys >= 2 && info.inner_keys >= 2, "{info:?}");
    let loaded = termgate::TermSet::from_bytes(bytes).unwrap();
    assert_eq!(loaded.len(), 7);
    assert_eq!(loaded.info().host_keys, 1);
    // No temporary file is left behind.
    let mut names: Vec<String> = std::fs::read_dir(&s.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["a.txt", "ab.tgs", "b.txt"]);
}

#[test]
fn compile_quiet_and_no_fold() {
    let s = Scratch::new("nofold");
    let a = s.file("a.txt", LIST_A);
    let set = s.path("a.tgs");
    let out = ok(&tg(
        &[
            "compile",
            "--no-fold",
            "leet,repeats",
            "-q",
            p(&a),
            "--out",
            p(&set),
        ],
        "",
    ));
    assert_eq!(out, "");
    let info = ok(&tg(&["inspect", p(&set)], ""));
    assert!(
        info.contains(
            "profile        compat,invisible,diacritics,homoglyphs,case,kana,separators\n"
        ),
        "{info}"
    );
    // Leetspeak is off in this set: `b4ka` no longer matches, `baka` still does.
    let check = |text: &str| json_of(&ok(&tg(&["check", "--set", p(&set), "--json", text], "")));
    assert_eq!(check("b4ka")["verdict"], "allow");
    assert_eq!(check("BAKA")["verdict"], "warn");
}

/// `check --json` rows: text, verdict, matches. Offsets are bytes of the original text.
#[test]
fn check_json() {
    let s = Scratch::new("check");
    let (_, _, set) = s.lists_and_set();
    let harassment = || json!("harassment");
    let rows: Vec<(&str, &str, Vec<Value>)> = vec![
        (
            "お前は ＢＡＫＡ だ",
            "warn",
            vec![m(10, 22, "ＢＡＫＡ", "baka", "warn", harassment())],
        ),
        (
            "今日はらーめんを食べた",
            "hide",
            vec![m(9, 21, "らーめん", "ラーメン", "hide", Value::Null)],
        ),
        ("my assistant's class", "allow", vec![]),
        (
            "ｓｐｏｉｌｅｒｓ ahead",
            "warn",
            vec![m(
                0,
                21,
                "ｓｐｏｉｌｅｒ",
                "*spoiler*",
                "warn",
                harassment(),
            )],
        ),
        ("this is spoilerfree", "allow", vec![]),
        (
            "Buy real FOLLOWERS",
            "block",
            vec![
                m(0, 3, "Buy", "buy && followers", "block", json!("spam")),
                m(
                    9,
                    18,
                    "FOLLOWERS",
                    "buy && followers",
                    "block",
                    json!("spam"),
                ),
            ],
        ),
        (
            "see https://www.evil.example/login",
            "block",
            vec![m(
                12,
                28,
                "www.evil.example",
                "host:evil.example",
                "block",
                json!("spam"),
            )],
        ),
        (
            "ｼﾈ",
            "block",
            vec![m(0, 6, "ｼﾈ", "しね", "block", Value::Null)],
        ),
        (
            "b a k a!",
            "warn",
            vec![m(0, 7, "b a k a", "baka", "warn", harassment())],
        ),
        (
            "ba\u{200d}ka",
            "warn",
            vec![m(0, 7, "ba\u{200d}ka", "baka", "warn", harassment())],
        ),
        (
            "ｂａｋａ と ラーメン",
            "warn",
            vec![
                m(0, 12, "ｂａｋａ", "baka", "warn", harassment()),
                m(17, 29, "ラーメン", "ラーメン", "hide", Value::Null),
            ],
        ),
        ("", "allow", vec![]),
    ];
    let mut failures = Vec::new();
    for (text, verdict, matches) in rows {
        let out = ok(&tg(&["check", "--set", p(&set), "--json", text], ""));
        assert!(out.ends_with('\n') && out.lines().count() == 1, "{out:?}");
        let got = json_of(&out);
        let want = json!({"verdict": verdict, "matches": matches});
        if got != want {
            failures.push(format!("{text:?}\n  want {want}\n  got  {got}"));
        }
        // Every span is the original slice.
        for m in got["matches"].as_array().unwrap() {
            let (start, end) = (m["start"].as_u64().unwrap(), m["end"].as_u64().unwrap());
            assert_eq!(text.get(start as usize..end as usize), m["text"].as_str());
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn check_json_key_order() {
    let s = Scratch::new("order");
    let (_, _, set) = s.lists_and_set();
    let out = ok(&tg(&["check", "--json", "--set", p(&set), "ＢＡＫＡ"], ""));
    assert_eq!(
        out,
        "{\"verdict\":\"warn\",\"matches\":[{\"start\":0,\"end\":12,\"text\":\"ＢＡＫＡ\",\
         \"rule\":\"baka\",\"action\":\"warn\",\"category\":\"harassment\"}]}\n"
    );
}

#[test]
fn check_stdin() {
    let s = Scratch::new("stdin");
    let (_, _, set) = s.lists_and_set();
    // Offsets count the text as read, trailing newline included.
    let got = json_of(&ok(&tg(
        &["check", "--set", p(&set), "--json"],
        "first line\nお前 し・ね\n",
    )));
    assert_eq!(
        got,
        json!({"verdict": "block", "matches": [m(18, 27, "し・ね", "しね", "block", Value::Null)]})
    );
    let got = json_of(&ok(&tg(&["check", "--set", p(&set), "--json"], "")));
    assert_eq!(got, json!({"verdict": "allow", "matches": []}));
}

#[test]
fn check_human() {
    let s = Scratch::new("human");
    let (_, _, set) = s.lists_and_set();
    let out = ok(&tg(
        &["check", "--set", p(&set), "Buy ＢＡＫＡ followers"],
        "",
    ));
    assert_eq!(
        out,
        "block\n\
         \x20 0..3  \"Buy\"  rule \"buy && followers\"  block spam\n\
         \x20 4..16  \"ＢＡＫＡ\"  rule \"baka\"  warn harassment\n\
         \x20 17..26  \"followers\"  rule \"buy && followers\"  block spam\n"
    );
    assert_eq!(
        ok(&tg(&["check", "--set", p(&set), "hello"], "")),
        "allow\n"
    );
}

/// An operator's set and a user's mute list at once; `--list` compiles on the fly.
#[test]
fn check_several_sets() {
    let s = Scratch::new("several");
    let (_, b, set) = s.lists_and_set();
    let a_only = s.path("a.tgs");
    ok(&tg(
        &["compile", "-q", p(&s.path("a.txt")), "-o", p(&a_only)],
        "",
    ));
    let mute = s.file("mute.txt", "[collapse]\n*spoiler*\nfollowers\n");
    let text = "spoiler: buy followers, ラーメン";
    let want = json!({"verdict": "block", "matches": [
        m(0, 7, "spoiler", "*spoiler*", "warn", json!("harassment")),
        m(0, 7, "spoiler", "*spoiler*", "collapse", Value::Null),
        m(9, 12, "buy", "buy && followers", "block", json!("spam")),
        m(13, 22, "followers", "buy && followers", "block", json!("spam")),
        m(13, 22, "followers", "followers", "collapse", Value::Null),
    ]});
    let got = json_of(&ok(&tg(
        &[
            "check",
            "--json",
            "--set",
            p(&a_only),
            "--list",
            p(&mute),
            text,
        ],
        "",
    )));
    assert_eq!(got, want);
    // Adding the Japanese list adds its match.
    let got = json_of(&ok(&tg(
        &[
            "check",
            "--json",
            "--set",
            p(&a_only),
            "--list",
            p(&mute),
            "--list",
            p(&b),
            text,
        ],
        "",
    )));
    assert_eq!(got["matches"].as_array().unwrap().len(), 6);
    assert_eq!(
        got["matches"][5],
        m(24, 36, "ラーメン", "ラーメン", "hide", Value::Null)
    );
    // The mute list alone.
    let got = json_of(&ok(&tg(
        &["check", "--json", "--list", p(&mute), "no spoilers here"],
        "",
    )));
    assert_eq!(got["verdict"], "collapse");
    // The same result from the combined set.
    let got = json_of(&ok(&tg(&["check", "--json", "--set", p(&set), text], "")));
    assert_eq!(got["verdict"], "block");
    assert_eq!(got["matches"].as_array().unwrap().len(), 4);
}

#[test]
fn check_every_engine_agrees() {
    let s = Scratch::new("engines");
    let (_, _, set) = s.lists_and_set();
    let text = "ｓｐｏｉｌｅｒ, 今日はラーメン, buy followers";
    let outs: Vec<String> = ["auto", "walk", "automaton"]
        .iter()
        .map(|e| {
            ok(&tg(
                &["check", "--json", "--engine", e, "--set", p(&set), text],
                "",
            ))
        })
        .collect();
    assert_eq!(outs[0], outs[1]);
    assert_eq!(outs[0], outs[2]);
}

#[test]
fn scan_jsonl() {
    let s = Scratch::new("scan");
    let (_, _, set) = s.lists_and_set();
    let input = "\
{\"id\":1,\"text\":\"お前は ＢＡＫＡ だ\"}
{\"id\":\"post-2\",\"text\":\"nothing to see\"}

{\"text\":\"今日はらーめん\",\"id\":{\"user\":\"ann\",\"n\":[3]}}
{\"id\":null,\"text\":\"buy followers\",\"extra\":true}
{\"text\":\"no id\"}
{\"id\":2.5,\"text\":\"line\\nbreak ＢＡＫＡ\"}
";
    let out = ok(&tg(&["scan", "--set", p(&set)], input));
    let got: Vec<Value> = out.lines().map(json_of).collect();
    let want = vec![
        json!({"id": 1, "verdict": "warn",
               "matches": [m(10, 22, "ＢＡＫＡ", "baka", "warn", json!("harassment"))]}),
        json!({"id": "post-2", "verdict": "allow", "matches": []}),
        json!({"id": {"user": "ann", "n": [3]}, "verdict": "hide",
               "matches": [m(9, 21, "らーめん", "ラーメン", "hide", Value::Null)]}),
        json!({"id": null, "verdict": "block", "matches": [
            m(0, 3, "buy", "buy && followers", "block", json!("spam")),
            m(4, 13, "followers", "buy && followers", "block", json!("spam")),
        ]}),
        json!({"id": null, "verdict": "allow", "matches": []}),
        json!({"id": 2.5, "verdict": "warn",
               "matches": [m(11, 23, "ＢＡＫＡ", "baka", "warn", json!("harassment"))]}),
    ];
    assert_eq!(got, want);
    // Each output line starts with the id.
    assert!(out.lines().all(|l| l.starts_with("{\"id\":")), "{out}");
    assert_eq!(ok(&tg(&["scan", "--set", p(&set)], "")), "");
}

/// A caller feeding one line at a time gets each answer before sending the next.
#[test]
fn scan_streams() {
    let s = Scratch::new("stream");
    let (_, _, set) = s.lists_and_set();
    let mut child = Command::new(BIN)
        .args(["scan", "--set", p(&set)])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let mut output = BufReader::new(child.stdout.take().unwrap());
    for i in 0..3 {
        writeln!(input, "{{\"id\":{i},\"text\":\"baka\"}}").unwrap();
        input.flush().unwrap();
        let mut line = String::new();
        output.read_line(&mut line).unwrap();
        assert_eq!(json_of(&line)["id"], i);
    }
    drop(input);
    assert!(child.wait().unwrap().success());
}

/// The reader closing stdout early (`termgate scan | head`) is not an error and not a panic.
#[test]
fn scan_broken_pipe_is_quiet() {
    let s = Scratch::new("pipe");
    let (_, _, set) = s.lists_and_set();
    let mut child = Command::new(BIN)
        .args(["scan", "--set", p(&set)])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        for i in 0..200_000 {
            if writeln!(input, "{{\"id\":{i},\"text\":\"baka ＢＡＫＡ\"}}").is_err() {
                break;
            }
        }
    });
    let mut output = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    output.read_line(&mut line).unwrap();
    assert_eq!(json_of(&line)["id"], 0);
    drop(output);
    let status = child.wait().unwrap();
    writer.join().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(stderr, "");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn inspect_summary() {
    let s = Scratch::new("inspect");
    let (_, _, set) = s.lists_and_set();
    let bytes = std::fs::read(&set).unwrap();
    let info = termgate::TermSet::from_bytes(bytes.clone()).unwrap().info();
    let out = ok(&tg(&["inspect", p(&set)], ""));
    let want = format!(
        "set            {}\n\
         format         {} (normalization {})\n\
         checksum       {:016x}\n\
         profile        compat,invisible,diacritics,homoglyphs,case,kana,leet,separators,repeats\n\
         rules          7 (exceptions 1, with an expiry 0)\n\
         actions        block 3, warn 3, hide 1\n\
         keys           {} word, {} inner, {} host\n\
         size           {} bytes\n",
        set.display(),
        termgate::FORMAT_VERSION,
        termgate::NORMALIZATION_VERSION,
        info.checksum,
        info.word_keys,
        info.inner_keys,
        info.host_keys,
        bytes.len()
    );
    assert_eq!(out, want);
}

#[test]
fn inspect_list_round_trip() {
    let s = Scratch::new("roundtrip");
    let a = s.file(
        "a.txt",
        format!("{LIST_A}\n[hide until=2030-01-01T00:00Z]\nold news\n\\!important\n"),
    );
    let b = s.file("b.txt", LIST_B);
    let set = s.path("ab.tgs");
    ok(&tg(&["compile", "-q", p(&a), p(&b), "-o", p(&set)], ""));
    let listed = ok(&tg(&["inspect", "--list", p(&set)], ""));
    assert!(listed.contains("[hide until=2030-01-01T00:00"), "{listed}");
    let again_list = s.file("again.txt", &listed);
    let again = s.path("again.tgs");
    ok(&tg(&["compile", "-q", p(&again_list), "-o", p(&again)], ""));
    let load = |path: &Path| termgate::TermSet::from_bytes(std::fs::read(path).unwrap()).unwrap();
    let (first, second) = (load(&set), load(&again));
    assert_eq!(
        first.rules().collect::<Vec<_>>(),
        second.rules().collect::<Vec<_>>()
    );
    assert_eq!(first.len(), 9);
    assert_eq!(ok(&tg(&["inspect", "--list", p(&again)], "")), listed);
}

#[test]
fn help_and_version() {
    for args in [
        &["--help"][..],
        &["help"],
        &["compile", "--help"],
        &["check", "-h"],
        &["scan", "--help"],
        &["inspect", "--help"],
    ] {
        let out = ok(&tg(args, ""));
        assert!(out.contains("Usage"), "{args:?}: {out}");
    }
    assert!(ok(&tg(&["--version"], "")).starts_with("termgate "));
}

/// Every bad input: exit status 2 and one line on stderr saying what is wrong.
#[test]
fn errors() {
    let s = Scratch::new("errors");
    let (a, _, set) = s.lists_and_set();
    let missing = s.path("missing.tgs");
    let mut corrupt = std::fs::read(&set).unwrap();
    let last = corrupt.len() - 1;
    corrupt[last] ^= 0xff;
    let corrupt = s.file("corrupt.tgs", corrupt);
    let truncated = s.file("truncated.tgs", &std::fs::read(&set).unwrap()[..100]);
    let bad_list = s.file("bad.txt", "[warn]\nbaka\n[block nonsense]\n");
    let no_section = s.file("nosection.txt", "\n  baka\n");
    let not_utf8 = s.file("latin1.txt", b"[warn]\ncaf\xe9\n");
    let out = s.path("out.tgs");
    let no_dir = s.path("no/such/dir/x.tgs");
    let (set, a, out) = (p(&set), p(&a), p(&out));
    let (missing, corrupt, truncated) = (p(&missing), p(&corrupt), p(&truncated));
    let (bad_list, no_section, not_utf8, no_dir) =
        (p(&bad_list), p(&no_section), p(&not_utf8), p(&no_dir));
    #[rustfmt::skip]
    let rows: Vec<(Vec<&str>, &str, String)> = vec![
        // Commands and flags.
        (vec![], "", "no command given".into()),
        (vec!["frobnicate"], "", "unknown command 'frobnicate'".into()),
        (vec!["check", "--bogus", "--set", set], "", "unknown flag '--bogus'".into()),
        (vec!["check", "-x", "--set", set], "", "unknown flag '-x'".into()),
        (vec!["check", "-oq", "--set", set], "", "unknown flag '-oq'".into()),
        (vec!["check", "--set"], "", "--set needs a value".into()),
        (vec!["check", "--json=yes", "--set", set], "", "--json takes no value".into()),
        (vec!["check", "--set", set, "one", "two"], "", "check takes one TEXT".into()),
        (vec!["check", "text"], "", "check needs at least one --set".into()),
        (vec!["check", "--engine", "fast", "--set", set, "x"], "", "unknown engine 'fast'".into()),
        (vec!["scan"], "", "scan needs at least one --set".into()),
        (vec!["scan", "--set", set, "extra"], "", "unexpected argument 'extra'".into()),
        (vec!["compile", a], "", "compile needs -o OUT.tgs".into()),
        (vec!["compile", "-o", out], "", "compile needs at least one term list".into()),
        (vec!["compile", "--no-fold", "kanji", a, "-o", out], "", "unknown fold 'kanji'".into()),
        (vec!["inspect"], "", "inspect needs a set".into()),
        (vec!["inspect", set, set], "", "unexpected argument".into()),
        // Files.
        (vec!["check", "--set", missing, "x"], "",
         format!("cannot read '{missing}': No such file or directory")),
        (vec!["inspect", missing], "", format!("cannot read '{missing}'")),
        (vec!["compile", missing, "-o", out], "", format!("cannot read '{missing}'")),
        (vec!["compile", a, "-o", no_dir], "", format!("cannot write '{no_dir}'")),
        (vec!["check", "--set", corrupt, "x"], "", format!("{corrupt}: term set checksum mismatch")),
        (vec!["inspect", truncated], "", format!("{truncated}: term set truncated")),
        (vec!["check", "--set", a, "x"], "", format!("{a}: not a termgate term set")),
        // Lists: file:line:col: message.
        (vec!["compile", bad_list, "-o", out], "", format!("{bad_list}:3:8: ")),
        (vec!["compile", no_section, "-o", out], "",
         format!("{no_section}:2:3: rule before any section header")),
        (vec!["check", "--list", bad_list, "x"], "", format!("{bad_list}:3:8: ")),
        (vec!["compile", not_utf8, "-o", out], "", format!("{not_utf8}: not valid UTF-8 (byte 10)")),
        // Input.
        (vec!["scan", "--set", set], "{\"id\":1,\"text\":\"ok\"}\n{\"id\":2,\"text\":\"ok\"\n",
         "stdin line 2: invalid JSON at column 19: EOF while parsing an object".into()),
        (vec!["scan", "--set", set], "[1,2]\n", "stdin line 1: expected a JSON object".into()),
        (vec!["scan", "--set", set], "\n{\"id\":1}\n", "stdin line 2: no \"text\" field".into()),
        (vec!["scan", "--set", set], "{\"text\":7}\n", "stdin line 1: \"text\" is not a string".into()),
        (vec!["scan", "--set", set], "not json\n", "stdin line 1: invalid JSON at column 2".into()),
    ];
    let mut failures = Vec::new();
    for (args, stdin, want) in rows {
        let line = fails(&tg(&args, stdin));
        if !line.contains(&want) {
            failures.push(format!("{args:?}\n  want …{want}…\n  got  {line}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Nothing was written where a compile failed.
    assert!(!Path::new(out).exists());
}

/// Invalid UTF-8 on stdin is an error, not a panic.
#[test]
fn check_stdin_not_utf8() {
    let s = Scratch::new("utf8");
    let (_, _, set) = s.lists_and_set();
    let mut child = Command::new(BIN)
        .args(["check", "--set", p(&set)])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"ok \xff\xfe")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(fails(&out), "termgate: stdin is not valid UTF-8 (byte 3)");
}

/// The results of the lines before a bad line are written before the scan stops.
#[test]
fn scan_stops_at_first_bad_line() {
    let s = Scratch::new("badline");
    let (_, _, set) = s.lists_and_set();
    let out = tg(
        &["scan", "--set", p(&set)],
        "{\"id\":1,\"text\":\"baka\"}\n{\"id\":2}\n{\"id\":3,\"text\":\"baka\"}\n",
    );
    assert_eq!(fails(&out), "termgate: stdin line 2: no \"text\" field");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1);
    assert_eq!(json_of(&stdout)["id"], 1);
}
