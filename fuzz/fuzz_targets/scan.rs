//! Compile arbitrary rules, scan arbitrary text with every engine: the engines agree, and every
//! match is a non-empty span on character boundaries of the text.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use termgate::{Action, Compiler, Engine, Fold, Profile, Scanner, Source, TermSet};

#[derive(Arbitrary, Debug)]
struct Input {
    /// The action of the section the lines start in (an index into `Action::ALL`).
    action: u8,
    /// Rule lines (a line may also be a section header or a comment).
    lines: Vec<String>,
    /// A second set (a user's mute list) scanned along with the first, if any.
    mute: Option<Vec<String>>,
    /// Folds switched off, one bit each in `Fold::ALL` order.
    folds_off: u16,
    /// The engine that scans first (it may build the automaton the others then reuse).
    engine: FuzzEngine,
    text: String,
}

#[derive(Arbitrary, Clone, Copy, Debug)]
enum FuzzEngine {
    Auto,
    Walk,
    Automaton,
}

impl From<FuzzEngine> for Engine {
    fn from(e: FuzzEngine) -> Engine {
        match e {
            FuzzEngine::Auto => Engine::Auto,
            FuzzEngine::Walk => Engine::Walk,
            FuzzEngine::Automaton => Engine::Automaton,
        }
    }
}

/// Rules valid for scanning at this fixed instant, so expiry cannot differ between scans.
const NOW: i64 = 1_800_000_000;

fn build(action: Action, lines: &[String], profile: Profile) -> Option<TermSet> {
    let mut text = format!("[{}]\n", action.as_str());
    for line in lines {
        // One rule per element: a newline inside would only shift the lines.
        text.push_str(&line.replace(['\n', '\r'], " "));
        text.push('\n');
    }
    Compiler::new()
        .profile(profile)
        .compile(&[Source {
            name: "fuzz.txt",
            text: &text,
        }])
        .ok()
}

fuzz_target!(|input: Input| {
    let action = Action::ALL[usize::from(input.action) % Action::ALL.len()];
    let mut profile = Profile::FULL;
    for (k, fold) in Fold::ALL.into_iter().enumerate() {
        if input.folds_off & (1 << k) != 0 {
            profile = profile.with(fold, false);
        }
    }
    let Some(first) = build(action, &input.lines, profile) else {
        return;
    };
    let mute = match &input.mute {
        Some(lines) => match build(Action::Hide, lines, Profile::FULL) {
            Some(set) => Some(set),
            None => return,
        },
        None => None,
    };
    let mut sets = vec![&first];
    sets.extend(mute.as_ref());
    let text = &input.text;
    let scan = |engine: Engine| Scanner::new(&sets).engine(engine).at(NOW).check(text);
    let reference = scan(input.engine.into());
    for engine in [Engine::Walk, Engine::Automaton, Engine::Auto] {
        assert_eq!(
            scan(engine),
            reference,
            "{engine:?} disagrees with {:?}",
            input.engine
        );
    }
    for m in &reference.matches {
        assert!(m.start < m.end && m.end <= text.len(), "{m:?}");
        assert!(
            text.is_char_boundary(m.start) && text.is_char_boundary(m.end),
            "{m:?}"
        );
    }
});
