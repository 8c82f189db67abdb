//! The curated cases in tests/data, checked against tests/data/rules.txt with every engine.
//! Every failure is collected and printed before the test fails.

use termgate::{Compiler, Engine, Scanner, Source, TermSet};

fn data(name: &str) -> String {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn cases(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
}

fn rules() -> TermSet {
    let list = data("rules.txt");
    Compiler::new()
        .compile(&[Source {
            name: "rules.txt",
            text: &list,
        }])
        .unwrap()
}

#[test]
fn curated_cases() {
    let set = rules();
    let mut failures = Vec::new();
    for engine in [Engine::Walk, Engine::Automaton] {
        let scanner = Scanner::new(&[&set]).engine(engine);
        let positive = data("positive.txt");
        for (line, case) in cases(&positive) {
            let mut fields = case.splitn(3, '\t');
            let (Some(verdict), Some(slice), Some(text)) =
                (fields.next(), fields.next(), fields.next())
            else {
                panic!("positive.txt:{line}: expected VERDICT<tab>SLICE<tab>TEXT");
            };
            let v = scanner.check(text);
            let first = v.matches.first().map(|m| &text[m.start..m.end]);
            if v.name() != verdict || first != Some(slice) {
                failures.push(format!(
                    "{engine:?} positive.txt:{line}: {text:?}: got {} {first:?}, want {verdict} {slice:?}",
                    v.name()
                ));
            }
        }
        for file in ["negative.txt", "safe.txt"] {
            let text = data(file);
            for (line, case) in cases(&text) {
                let v = scanner.check(case);
                if !v.is_allow() {
                    let found: Vec<_> = v
                        .matches
                        .iter()
                        .map(|m| (&case[m.start..m.end], &m.rule))
                        .collect();
                    failures.push(format!(
                        "{engine:?} {file}:{line}: {case:?}: got {} {found:?}",
                        v.name()
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
