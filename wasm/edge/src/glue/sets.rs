//! The global term sets: loaded from KV, cached per isolate, reloaded when their version in KV
//! changes, never replaced by a copy that does not load.
//!
//! KV layout, per set name: `set:{name}` the compiled bytes, `setver:{name}` their version (written
//! last, so a reader that sees a new version can fetch bytes at least that new), `setsrc:{name}` the
//! term list when the set was uploaded as text. Only uploads write these. `setbuilt:{name}` is
//! written only by rebuilds: the set rebuilt from `setsrc:` when `set:` holds another termgate
//! version's bytes, with what it was built from ([`crate::derived`]).

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use serde_json::json;
use termgate::{LoadErrorKind, TermSet};
use worker::kv::KvStore;
use worker::{Env, Response, Result};

use super::admin::MAX_SET_BYTES;
use super::util::{now_ms, Json};
use crate::config::Config;
use crate::derived;
use crate::setcache::SetCache;
pub use crate::setcache::{InUse, SetSource, Unavailable};
use crate::{version_string, DEFAULT_SET, DEFAULT_SET_NAME};

/// The KV binding holding sets and mute lists.
pub const KV_BINDING: &str = "TERMS";

thread_local! {
    static CACHE: RefCell<SetCache<InUse>> = RefCell::new(SetCache::default());
    static BUNDLED: RefCell<Option<InUse>> = const { RefCell::new(None) };
}

/// Where a stored set's term list and rebuilt copy live, and how large the copy may be.
pub struct Keys {
    /// The term list uploads store beside the bytes.
    pub source: String,
    /// The copy rebuilds store ([`crate::derived`]).
    pub built: String,
    /// The limit on the originals, which the copy must keep too.
    pub max: usize,
    /// The limit on the term list, as uploads take it. A longer one was not written by an upload:
    /// it is refused, not compiled (a compile takes several times the list's size in memory).
    pub source_max: usize,
}

/// A set loaded from stored bytes.
pub struct Loaded {
    /// The set.
    pub set: TermSet,
    /// Whether the stored bytes were another termgate version's and the set is a rebuild of their
    /// term list (just made, or the copy an earlier rebuild stored).
    pub rebuilt: bool,
}

/// Loads stored set bytes. Bytes that another version of termgate built (its format or its
/// normalization has changed since) are rebuilt from the term list stored beside them, when there
/// is one: after an upgrade every list uploaded as text keeps applying. The rebuild is kept under
/// `keys.built` for the next isolate, never written over the stored bytes: an upload may have
/// replaced them since they were read, and KV has no compare-and-swap to tell.
pub async fn load_stored(
    kv: &KvStore,
    bytes: Arc<[u8]>,
    keys: &Keys,
    label: &str,
) -> std::result::Result<Loaded, String> {
    let error = match TermSet::from_bytes(bytes.clone()) {
        Ok(set) => {
            return Ok(Loaded {
                set,
                rebuilt: false,
            })
        }
        Err(e) => e,
    };
    if !matches!(
        error.kind(),
        LoadErrorKind::NormalizationMismatch { .. } | LoadErrorKind::UnsupportedFormat { .. }
    ) {
        return Err(error.to_string());
    }
    let source = match kv.get(&keys.source).text().await {
        Ok(Some(source)) => source,
        Ok(None) => {
            return Err(format!(
                "{error}, and no term list is stored to rebuild it from"
            ))
        }
        Err(e) => return Err(format!("{error}, and its term list cannot be read: {e}")),
    };
    if source.len() > keys.source_max {
        return Err(format!(
            "{error}, and its term list of {} bytes is larger than the {} an upload takes",
            source.len(),
            keys.source_max
        ));
    }
    let fingerprint = derived::fingerprint(&bytes, &source);
    if let Some(set) = built_copy(kv, keys, &fingerprint, label).await {
        return Ok(Loaded { set, rebuilt: true });
    }
    let set = termgate::compile(&[termgate::Source {
        name: label,
        text: &source,
    }])
    .map_err(|e| format!("{error}, and its term list does not compile: {e}"))?;
    worker::console_log!("termgate: {label}: {error}; rebuilt from its term list");
    keep_built(kv, keys, &fingerprint, &set, label).await;
    Ok(Loaded { set, rebuilt: true })
}

/// The copy an earlier rebuild stored, if it was built from these stored bytes and term list and
/// loads. Anything else (none, stale, corrupt, another version's, unreadable) only costs a rebuild,
/// whose copy then replaces it.
async fn built_copy(
    kv: &KvStore,
    keys: &Keys,
    fingerprint: &derived::Fingerprint,
    label: &str,
) -> Option<TermSet> {
    let value = match kv.get(&keys.built).bytes().await {
        Ok(value) => value?,
        Err(e) => {
            worker::console_error!("termgate: {label}: reading {}: {e}", keys.built);
            return None;
        }
    };
    let loaded = derived::decode(&value, fingerprint, keys.max)
        .map_err(|e| e.to_string())
        .and_then(|bytes| TermSet::from_bytes(bytes).map_err(|e| e.to_string()));
    match loaded {
        Ok(set) => Some(set),
        Err(why) => {
            worker::console_log!("termgate: {label}: {} ignored: {why}", keys.built);
            None
        }
    }
}

/// How long a rebuilt copy stays in KV. A copy written by a rebuild that raced a user's `DELETE`
/// (or an upload) is never used, but it holds the old list: it must not stay for good. A copy in
/// use costs one rebuild a week when it expires.
const BUILT_TTL_SECONDS: u64 = 7 * 24 * 3600;

/// Stores a rebuilt set under `keys.built`. Best effort: if it fails, or the set is larger than
/// the originals may be, the next isolate rebuilds it again. Two isolates rebuilding at once write
/// the same content, so the last write winning is harmless.
async fn keep_built(
    kv: &KvStore,
    keys: &Keys,
    fingerprint: &derived::Fingerprint,
    set: &TermSet,
    label: &str,
) {
    let Some(value) = derived::encode(fingerprint, set.as_bytes(), keys.max) else {
        worker::console_log!(
            "termgate: {label}: rebuilt set of {} bytes not kept: over the limit of {}",
            set.as_bytes().len(),
            keys.max
        );
        return;
    };
    let stored = async {
        kv.put_bytes(&keys.built, &value)?
            .expiration_ttl(BUILT_TTL_SECONDS)
            .execute()
            .await
    };
    if let Err(e) = stored.await {
        worker::console_error!("termgate: {label}: storing the rebuilt set: {e}");
    }
}

/// The set compiled into the worker.
fn bundled() -> InUse {
    BUNDLED.with(|b| {
        b.borrow_mut()
            .get_or_insert_with(|| {
                InUse::as_stored(Rc::new(
                    TermSet::from_bytes(DEFAULT_SET.to_vec()).expect("bundled set is valid"),
                ))
            })
            .clone()
    })
}

fn bundled_for(name: &str) -> Option<InUse> {
    (name == DEFAULT_SET_NAME).then(bundled)
}

/// The global sets named in `GLOBAL_SETS`, fresh enough per `SET_CHECK_INTERVAL_SECONDS`.
pub async fn global_sets(
    env: &Env,
    config: &Config,
) -> std::result::Result<Vec<Rc<TermSet>>, Unavailable> {
    let mut out = Vec::with_capacity(config.global_sets.len());
    for name in &config.global_sets {
        if let Some(in_use) = get(env, name, config.set_check_interval_ms).await? {
            out.push(in_use.set);
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
) -> std::result::Result<Option<InUse>, Unavailable> {
    if let Some(set) = CACHE.with(|c| c.borrow().fresh(name, now_ms(), interval_ms)) {
        return Ok(Some(set));
    }
    let keep = |why: String| {
        worker::console_error!("termgate: set {name}: {why}");
        CACHE.with(|c| c.borrow_mut().keep(name, bundled_for(name), &why, now_ms()))
    };
    let kv = match env.kv(KV_BINDING) {
        Ok(kv) => kv,
        Err(e) => return keep(format!("no KV binding {KV_BINDING}: {e}")),
    };
    let version = match kv.get(&format!("setver:{name}")).text().await {
        Ok(Some(v)) => v,
        Ok(None) => {
            return Ok(CACHE.with(|c| c.borrow_mut().absent(name, bundled_for(name), now_ms())))
        }
        Err(e) => return keep(format!("KV unreachable: {e}")),
    };
    if let Some(set) = CACHE.with(|c| c.borrow_mut().known(name, &version, now_ms())) {
        return Ok(Some(set));
    }
    let bytes: Arc<[u8]> = match kv.get(&format!("set:{name}")).bytes().await {
        Ok(Some(bytes)) => bytes.into(),
        Ok(None) => return keep(format!("version {version} without bytes yet")),
        Err(e) => return keep(format!("KV unreachable: {e}")),
    };
    let keys = Keys {
        source: format!("setsrc:{name}"),
        built: format!("setbuilt:{name}"),
        max: MAX_SET_BYTES,
        source_max: MAX_SET_BYTES,
    };
    let result = match load_stored(&kv, bytes.clone(), &keys, name).await {
        Ok(Loaded {
            set,
            rebuilt: false,
        }) => Ok(InUse::as_stored(Rc::new(set))),
        // A rebuild stands for the stored bytes, so the cache compares KV's version with theirs
        // (which also tells stored bytes older than KV's version). Bytes of a format whose header
        // this build cannot read are taken to be of KV's version, as they cannot be checked.
        Ok(Loaded { set, rebuilt: true }) => Ok(InUse {
            set: Rc::new(set),
            stored_version: derived::stored_version(&bytes).unwrap_or_else(|| version.clone()),
            rebuilt: true,
        }),
        Err(e) => {
            worker::console_error!("termgate: set {name} version {version} refused: {e}");
            Err(e)
        }
    };
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
) -> std::result::Result<Option<(InUse, SetSource)>, Unavailable> {
    let set = get(env, name, 0.0).await?;
    let source = CACHE.with(|c| c.borrow().get(name).map(|(_, s)| s));
    Ok(set.map(|s| (s, source.unwrap_or(SetSource::Bundled))))
}

/// `GET /_termgate/health`: the global sets this isolate uses.
pub async fn health(env: &Env, config: &Config) -> Result<Response> {
    let mut sets = Vec::new();
    for name in &config.global_sets {
        sets.push(match current(env, name).await {
            Ok(Some((in_use, origin))) => {
                let mut set = json!({
                    "name": name,
                    "version": version_string(&in_use.set),
                    "source": if origin == SetSource::Kv { "kv" } else { "bundled" },
                    "rules": in_use.set.info().rules,
                });
                add_rebuilt(&mut set, &in_use);
                set
            }
            Ok(None) => json!({"name": name, "missing": true}),
            Err(Unavailable(e)) => json!({"name": name, "error": e}),
        });
    }
    Json(json!({"ok": true, "sets": sets})).ok()
}

/// Says, in a description of a set in use, that it was rebuilt and which stored version it stands
/// for: `version` is the set enforced (and served, its ETag), which for a rebuild is not the
/// version in `setver:`.
pub fn add_rebuilt(description: &mut serde_json::Value, in_use: &InUse) {
    if in_use.rebuilt {
        description["rebuilt"] = json!(true);
        description["stored_version"] = json!(in_use.stored_version);
    }
}
