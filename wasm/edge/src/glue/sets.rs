//! The global term sets: loaded from KV, cached per isolate, reloaded when their version in KV
//! changes, never replaced by a copy that does not load.
//!
//! KV layout, per set name: `set:{name}` the compiled bytes, `setver:{name}` their version (written
//! last, so a reader that sees a new version can fetch bytes at least that new), `setsrc:{name}` the
//! term list when the set was uploaded as text.

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::json;
use termgate::{LoadErrorKind, TermSet};
use worker::kv::KvStore;
use worker::{Env, Response, Result};

use super::util::{now_ms, Json};
use crate::config::Config;
use crate::setcache::SetCache;
pub use crate::setcache::{SetSource, Unavailable};
use crate::{version_string, DEFAULT_SET, DEFAULT_SET_NAME};

/// The KV binding holding sets and mute lists.
pub const KV_BINDING: &str = "TERMS";

thread_local! {
    static CACHE: RefCell<SetCache<Rc<TermSet>>> = RefCell::new(SetCache::default());
    static BUNDLED: RefCell<Option<Rc<TermSet>>> = const { RefCell::new(None) };
}

/// Loads stored set bytes. Bytes that another version of termgate built (its format or its
/// normalization has changed since) are rebuilt from the term list stored beside them
/// (`src_key`), when there is one: after an upgrade every list uploaded as text keeps applying.
/// The flag says whether the set was rebuilt.
pub async fn load_stored(
    kv: &KvStore,
    bytes: Vec<u8>,
    src_key: &str,
    label: &str,
) -> std::result::Result<(TermSet, bool), String> {
    let error = match TermSet::from_bytes(bytes) {
        Ok(set) => return Ok((set, false)),
        Err(e) => e,
    };
    if !matches!(
        error.kind(),
        LoadErrorKind::NormalizationMismatch { .. } | LoadErrorKind::UnsupportedFormat { .. }
    ) {
        return Err(error.to_string());
    }
    let source = match kv.get(src_key).text().await {
        Ok(Some(source)) => source,
        Ok(None) => {
            return Err(format!(
                "{error}, and no term list is stored to rebuild it from"
            ))
        }
        Err(e) => return Err(format!("{error}, and its term list cannot be read: {e}")),
    };
    let set = termgate::compile(&[termgate::Source {
        name: label,
        text: &source,
    }])
    .map_err(|e| format!("{error}, and its term list does not compile: {e}"))?;
    worker::console_log!("termgate: {label}: {error}; rebuilt from its term list");
    Ok((set, true))
}

/// Writes a rebuilt set's bytes, then its version (the order an upload uses). Best effort: if it
/// fails, the next isolate rebuilds the set again.
async fn store_rebuilt(kv: &KvStore, name: &str, set: &TermSet, version: &str) {
    let stored = async {
        kv.put_bytes(&format!("set:{name}"), set.as_bytes())?
            .execute()
            .await?;
        kv.put(&format!("setver:{name}"), version)?.execute().await
    };
    if let Err(e) = stored.await {
        worker::console_error!("termgate: set {name}: storing the rebuilt set: {e}");
    }
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

fn bundled_for(name: &str) -> Option<Rc<TermSet>> {
    (name == DEFAULT_SET_NAME).then(bundled)
}

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

/// One set: the cached copy, or KV's when its version changed (rules in [`SetCache`]). `Ok(None)`
/// for a set that is not in KV and has no bundled fallback (nothing to apply).
async fn get(
    env: &Env,
    name: &str,
    interval_ms: f64,
) -> std::result::Result<Option<Rc<TermSet>>, Unavailable> {
    if let Some(set) = CACHE.with(|c| c.borrow().fresh(name, now_ms(), interval_ms)) {
        return Ok(Some(set));
    }
    let keep = |why: String| {
        worker::console_error!("termgate: set {name}: {why}");
        CACHE.with(|c| c.borrow().keep(name, bundled_for(name), &why))
    };
    let kv = match env.kv(KV_BINDING) {
        Ok(kv) => kv,
        Err(e) => return keep(format!("no KV binding {KV_BINDING}: {e}")),
    };
    let mut version = match kv.get(&format!("setver:{name}")).text().await {
        Ok(Some(v)) => v,
        Ok(None) => {
            return Ok(CACHE.with(|c| c.borrow_mut().absent(name, bundled_for(name), now_ms())))
        }
        Err(e) => return keep(format!("KV unreachable: {e}")),
    };
    if let Some(set) = CACHE.with(|c| c.borrow_mut().known(name, &version, now_ms())) {
        return Ok(Some(set));
    }
    let result = match kv.get(&format!("set:{name}")).bytes().await {
        Ok(Some(bytes)) => match load_stored(&kv, bytes, &format!("setsrc:{name}"), name).await {
            Ok((set, rebuilt)) => {
                if rebuilt {
                    // Stored again as an upload would store it, under its own version: other
                    // isolates then take the bytes as they are.
                    version = version_string(&set);
                    store_rebuilt(&kv, name, &set, &version).await;
                }
                Ok(Rc::new(set))
            }
            Err(e) => Err(e),
        },
        Ok(None) => return keep(format!("version {version} without bytes yet")),
        Err(e) => return keep(format!("KV unreachable: {e}")),
    };
    if let Err(e) = &result {
        worker::console_error!("termgate: set {name} version {version} refused: {e}");
    }
    CACHE.with(|c| {
        c.borrow_mut()
            .loaded(name, &version, result, bundled_for(name), now_ms())
    })
}

/// Forgets the cached copy, so the next request asks KV (after an admin change in this isolate).
pub fn invalidate(name: &str) {
    CACHE.with(|c| c.borrow_mut().invalidate(name));
}

/// The set this isolate would use now, with where it came from (for `GET /_termgate/sets/...`).
pub async fn current(
    env: &Env,
    name: &str,
) -> std::result::Result<Option<(Rc<TermSet>, SetSource)>, Unavailable> {
    let set = get(env, name, 0.0).await?;
    let source = CACHE.with(|c| c.borrow().get(name).map(|(_, s)| s));
    Ok(set.map(|s| (s, source.unwrap_or(SetSource::Bundled))))
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
