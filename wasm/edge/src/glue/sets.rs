//! The global term sets: loaded from KV, cached per isolate, reloaded when their version in KV
//! changes, never replaced by a copy that does not load.
//!
//! KV layout, per set name: `set:{name}` the compiled bytes, `setver:{name}` their version (written
//! last, so a reader that sees a new version can fetch bytes at least that new), `setsrc:{name}` the
//! term list when the set was uploaded as text.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use serde_json::json;
use termgate::TermSet;
use worker::{Env, Response, Result};

use super::util::{now_ms, Json};
use crate::config::Config;
use crate::{version_string, DEFAULT_SET, DEFAULT_SET_NAME};

/// The KV binding holding sets and mute lists.
pub const KV_BINDING: &str = "TERMS";

/// Where a cached set came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetSource {
    /// Compiled into the worker.
    Bundled,
    /// Loaded from KV.
    Kv,
}

struct Slot {
    set: Rc<TermSet>,
    version: String,
    origin: SetSource,
    checked_ms: f64,
    /// A version in KV that did not load; not fetched again until KV's version changes.
    refused: Option<String>,
}

thread_local! {
    static CACHE: RefCell<HashMap<String, Slot>> = RefCell::new(HashMap::new());
    static BUNDLED: RefCell<Option<Rc<TermSet>>> = const { RefCell::new(None) };
}

/// The set compiled into the worker.
pub fn bundled() -> Rc<TermSet> {
    BUNDLED.with(|b| {
        b.borrow_mut()
            .get_or_insert_with(|| {
                Rc::new(TermSet::from_bytes(DEFAULT_SET.to_vec()).expect("bundled set is valid"))
            })
            .clone()
    })
}

/// Why the filter cannot run.
#[derive(Debug)]
pub struct Unavailable(pub String);

/// The global sets named in `GLOBAL_SETS`, fresh enough per `SET_CHECK_INTERVAL_SECONDS`.
pub async fn global_sets(
    env: &Env,
    config: &Config,
) -> std::result::Result<Vec<Rc<TermSet>>, Unavailable> {
    let mut out = Vec::with_capacity(config.global_sets.len());
    for name in &config.global_sets {
        if let Some(set) = get(env, name, config.set_check_interval_ms).await? {
            out.push(set);
        }
    }
    Ok(out)
}

fn cached(name: &str, interval_ms: f64) -> Option<Rc<TermSet>> {
    CACHE.with(|c| {
        c.borrow()
            .get(name)
            .filter(|s| now_ms() - s.checked_ms < interval_ms)
            .map(|s| s.set.clone())
    })
}

/// One set: the cached copy, or KV's when its version changed. `Ok(None)` for a set that is not in
/// KV and has no bundled fallback (nothing to apply).
async fn get(
    env: &Env,
    name: &str,
    interval_ms: f64,
) -> std::result::Result<Option<Rc<TermSet>>, Unavailable> {
    if let Some(set) = cached(name, interval_ms) {
        return Ok(Some(set));
    }
    let fallback = || -> Option<Rc<TermSet>> {
        CACHE
            .with(|c| c.borrow().get(name).map(|s| s.set.clone()))
            .or_else(|| (name == DEFAULT_SET_NAME).then(bundled))
    };
    let kv = match env.kv(KV_BINDING) {
        Ok(kv) => kv,
        Err(e) => {
            worker::console_error!("termgate: KV binding {KV_BINDING}: {e}");
            return fallback()
                .map(Some)
                .ok_or_else(|| Unavailable(format!("set {name}: no KV binding {KV_BINDING}")));
        }
    };
    let version = match kv.get(&format!("setver:{name}")).text().await {
        Ok(v) => v,
        Err(e) => {
            worker::console_error!("termgate: reading version of set {name}: {e}");
            // KV unreachable: keep using what this isolate has, if anything.
            return fallback()
                .map(Some)
                .ok_or_else(|| Unavailable(format!("set {name}: KV unreachable: {e}")));
        }
    };
    let Some(version) = version else {
        // Not in KV (or deleted): the bundled default, or nothing.
        let set = (name == DEFAULT_SET_NAME).then(bundled);
        store(name, set.clone(), SetSource::Bundled);
        return Ok(set);
    };
    let known = CACHE.with(|c| {
        c.borrow()
            .get(name)
            .map(|s| s.version == version || s.refused.as_deref() == Some(&version))
    });
    if known == Some(true) {
        CACHE.with(|c| {
            if let Some(s) = c.borrow_mut().get_mut(name) {
                s.checked_ms = now_ms();
            }
        });
        return Ok(fallback());
    }
    let loaded = match kv.get(&format!("set:{name}")).bytes().await {
        Ok(Some(bytes)) => TermSet::from_bytes(bytes).map_err(|e| e.to_string()),
        // KV is eventually consistent and may not show the bytes yet, or reading failed: keep
        // what we have and look again next time.
        Ok(None) => {
            return fallback()
                .map(Some)
                .ok_or_else(|| Unavailable(format!("set {name}: version {version} without bytes")))
        }
        Err(e) => {
            worker::console_error!("termgate: reading set {name}: {e}");
            return fallback()
                .map(Some)
                .ok_or_else(|| Unavailable(format!("set {name}: KV unreachable: {e}")));
        }
    };
    match loaded {
        Ok(set) if version_string(&set) == version => {
            let set = Rc::new(set);
            store(name, Some(set.clone()), SetSource::Kv);
            Ok(Some(set))
        }
        Ok(_) => {
            // The bytes are older than the version (eventual consistency again): same.
            fallback().map(Some).ok_or_else(|| {
                Unavailable(format!("set {name}: bytes older than version {version}"))
            })
        }
        // Bytes that do not load are refused for good: this version is never fetched again.
        Err(e) => {
            worker::console_error!("termgate: set {name} version {version} refused: {e}");
            match fallback() {
                Some(set) => {
                    CACHE.with(|c| {
                        let mut c = c.borrow_mut();
                        match c.get_mut(name) {
                            Some(s) => {
                                s.refused = Some(version);
                                s.checked_ms = now_ms();
                            }
                            None => {
                                c.insert(
                                    name.to_string(),
                                    Slot {
                                        version: version_string(&set),
                                        set: set.clone(),
                                        origin: SetSource::Bundled,
                                        checked_ms: now_ms(),
                                        refused: Some(version),
                                    },
                                );
                            }
                        }
                    });
                    Ok(Some(set))
                }
                None => Err(Unavailable(format!(
                    "set {name} does not load ({e}) and there is no good copy"
                ))),
            }
        }
    }
}

fn store(name: &str, set: Option<Rc<TermSet>>, origin: SetSource) {
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        match set {
            Some(set) => {
                c.insert(
                    name.to_string(),
                    Slot {
                        version: version_string(&set),
                        set,
                        origin,
                        checked_ms: now_ms(),
                        refused: None,
                    },
                );
            }
            None => {
                c.remove(name);
            }
        }
    });
}

/// Forgets the cached copy, so the next request asks KV (after an admin change in this isolate).
pub fn invalidate(name: &str) {
    CACHE.with(|c| c.borrow_mut().remove(name));
}

/// The set this isolate would use now, with where it came from (for `GET /_termgate/sets/...`).
pub async fn current(
    env: &Env,
    name: &str,
) -> std::result::Result<Option<(Rc<TermSet>, SetSource)>, Unavailable> {
    let set = get(env, name, 0.0).await?;
    let origin = CACHE.with(|c| c.borrow().get(name).map(|s| s.origin));
    Ok(set.map(|s| (s, origin.unwrap_or(SetSource::Bundled))))
}

/// `GET /_termgate/health`: the global sets this isolate uses.
pub async fn health(env: &Env, config: &Config) -> Result<Response> {
    let mut sets = Vec::new();
    for name in &config.global_sets {
        sets.push(match current(env, name).await {
            Ok(Some((set, origin))) => json!({
                "name": name,
                "version": version_string(&set),
                "source": if origin == SetSource::Kv { "kv" } else { "bundled" },
                "rules": set.info().rules,
            }),
            Ok(None) => json!({"name": name, "missing": true}),
            Err(Unavailable(e)) => json!({"name": name, "error": e}),
        });
    }
    Json(json!({"ok": true, "sets": sets})).ok()
}
