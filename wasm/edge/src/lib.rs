//! termgate's Cloudflare Worker: a thin adapter between the Workers runtime and the `termgate` core.
//!
//! It filters posts before they reach the origin, applies readers' mute lists to timelines, and
//! delivers reports through a Queue. Everything that decides something is plain Rust in the
//! modules below and is unit-tested on the native target; the `glue` module (wasm32 only) wires it
//! to requests, KV and Queues. `docs/edge.md` describes the routes, settings and formats.
//!
//! * [`config`]: the settings from `wrangler.toml`.
//! * [`derived`]: the copy a rebuild of another version's set keeps in KV, and what it was built
//!   from.
//! * [`extract`]: the post text in JSON, form, multipart and plain-text bodies.
//! * [`filter`]: verdicts on posts, the `403` body, the `termgate-matches` header, reports.
//! * [`fit`]: keeping a report within what one queue message may hold.
//! * [`mute`]: applying a mute list to a timeline response.
//! * [`mutecache`]: the per-isolate cache of readers' mute lists: interval, own writes, eviction.
//! * [`session`]: HS256 session tokens.
//! * [`reports`]: user problem reports and signed report batches.
//! * [`i18n`]: Japanese and English messages.
//! * [`setcache`]: the per-isolate cache of global sets and its rules for corrupt or missing sets.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod config;
pub mod derived;
pub mod extract;
pub mod filter;
pub mod fit;
pub mod i18n;
pub mod mute;
pub mod mutecache;
pub mod reports;
pub mod session;
pub mod setcache;

#[cfg(target_arch = "wasm32")]
mod glue;

/// The default term set, compiled from `lists/default.txt` at build time.
pub static DEFAULT_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/default.tgs"));

/// The name of the set that falls back to [`DEFAULT_SET`] when KV holds none.
pub const DEFAULT_SET_NAME: &str = "default";

/// The version string of a set, as stored in KV and shown in answers: its content hash in hex.
pub fn version_string(set: &termgate::TermSet) -> String {
    format!("{:016x}", set.version())
}

#[cfg(test)]
mod tests {
    use super::*;
    use termgate::{Scanner, TermSet};

    /// What the bundled default set decides, in English and Japanese.
    const CASES: &[(&str, &str)] = &[
        ("Buy 1000 real followers today!", "block"),
        ("ＢＵＹ cheap ＦＯＬＬＯＷＥＲＳ", "block"),
        ("フォロワーを格安で購入できます", "block"),
        (
            "Please verify your account: enter your password at this link",
            "block",
        ),
        ("login at https://secure-login-verify.example/x", "block"),
        ("死ね", "block"),
        ("しね", "block"),
        ("k y s", "block"),
        ("出会い系サイトはこちら", "flag"),
        ("You absolute idiot", "warn"),
        ("お前はバカだ", "warn"),
        ("The assessment by my assistant was classic", "allow"),
        ("I grew up in Scunthorpe", "allow"),
        ("週末にシネマで映画を見た", "allow"),
        ("shiitake mushrooms are great", "allow"),
        ("今日はラーメンを食べた。おいしかった！", "allow"),
        ("Hello world, this is a perfectly normal post.", "allow"),
        ("this pam is a cooking spray", "allow"),
    ];

    #[test]
    fn default_set_decides_as_documented() {
        let set = TermSet::from_bytes(DEFAULT_SET.to_vec()).expect("bundled set loads");
        let scanner = Scanner::new(&[&set]).at(1_795_000_000);
        let failures: Vec<String> = CASES
            .iter()
            .filter_map(|&(text, want)| {
                let got = scanner.check(text);
                (got.name() != want).then(|| format!("{text:?}: want {want}, got {got:?}"))
            })
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        assert_eq!(version_string(&set).len(), 16);
    }
}
