//! The per-isolate cache of global term sets, as a plain state machine: what to use, when to ask KV,
//! and what to keep when KV holds something that does not load. The glue feeds it KV's answers; the
//! rules live here so they are unit-tested natively.
//!
//! The rules: a copy is trusted for the check interval; then KV's version is read and the bytes are
//! fetched only when it changed. A version whose bytes do not load is refused for good (never
//! fetched again) and the last good copy stays; for the `default` set the bundled one is always a
//! good copy. Missing or unreadable bytes, and bytes older than their version, are transient (KV is
//! eventually consistent): keep what there is and look again after the interval, as after a good
//! answer. (Looking again on every request fetched the bytes on every request, for as long as the
//! version in KV named bytes that never came, such as a hand-written one.) With nothing good at
//! all, the filter is unavailable.

use std::collections::HashMap;

/// A set as the cache sees it: something cheap to clone with a version string.
pub trait Versioned: Clone {
    /// The version stored in KV beside the bytes.
    fn version(&self) -> String;
}

/// A set in use, with the version of the stored bytes it stands for. That is the set's own version,
/// except when the stored bytes are another termgate version's and the set was rebuilt from its
/// term list: rebuilds never rewrite `setver:` (only uploads write the keys uploads write), so KV
/// keeps the stored bytes' version, and the cache must compare KV's version with theirs. Compared
/// with the rebuild's own version, every check would fetch and rebuild the set again, and bytes
/// older than their version would go unnoticed.
#[derive(Clone, Debug)]
pub struct InUse {
    /// The set.
    pub set: std::rc::Rc<termgate::TermSet>,
    /// The version of the stored bytes it stands for, as in `setver:`.
    pub stored_version: String,
    /// Whether it was rebuilt from its term list (its own version is then another).
    pub rebuilt: bool,
}

impl InUse {
    /// A set used as it is: it stands for its own version.
    pub fn as_stored(set: std::rc::Rc<termgate::TermSet>) -> InUse {
        InUse {
            stored_version: crate::version_string(&set),
            set,
            rebuilt: false,
        }
    }
}

impl Versioned for InUse {
    fn version(&self) -> String {
        self.stored_version.clone()
    }
}

/// Where a cached set came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetSource {
    /// Compiled into the worker.
    Bundled,
    /// Loaded from KV.
    Kv,
}

#[derive(Debug)]
struct Slot<T> {
    set: T,
    version: String,
    source: SetSource,
    checked_ms: f64,
    /// A version in KV that did not load; not fetched again until KV's version changes.
    refused: Option<String>,
}

/// Why the filter cannot run, in words for the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unavailable(pub String);

/// The cache. `bundled` arguments are the set compiled into the worker for the `default` name and
/// `None` for every other name.
#[derive(Debug)]
pub struct SetCache<T> {
    slots: HashMap<String, Slot<T>>,
}

impl<T> Default for SetCache<T> {
    fn default() -> Self {
        SetCache {
            slots: HashMap::new(),
        }
    }
}

impl<T: Versioned> SetCache<T> {
    /// The cached copy if it was checked less than `interval_ms` ago.
    pub fn fresh(&self, name: &str, now_ms: f64, interval_ms: f64) -> Option<T> {
        self.slots
            .get(name)
            .filter(|s| now_ms - s.checked_ms < interval_ms)
            .map(|s| s.set.clone())
    }

    /// The cached copy and where it came from, however old.
    pub fn get(&self, name: &str) -> Option<(T, SetSource)> {
        self.slots.get(name).map(|s| (s.set.clone(), s.source))
    }

    fn good_copy(&self, name: &str, bundled: Option<T>) -> Option<T> {
        self.slots.get(name).map(|s| s.set.clone()).or(bundled)
    }

    /// KV could not be asked, or its bytes are not there (yet): keep the good copy, if any, and ask
    /// again after the interval. With no good copy, ask again on the next request.
    pub fn keep(
        &mut self,
        name: &str,
        bundled: Option<T>,
        why: &str,
        now_ms: f64,
    ) -> Result<Option<T>, Unavailable> {
        if let Some(slot) = self.slots.get_mut(name) {
            slot.checked_ms = now_ms;
        } else if let Some(set) = &bundled {
            self.insert(name, set.clone(), SetSource::Bundled, now_ms, None);
        }
        self.good_copy(name, bundled)
            .map(Some)
            .ok_or_else(|| Unavailable(format!("set {name}: {why}, and no good copy")))
    }

    /// KV has no version for `name`: the bundled set, or nothing to apply.
    pub fn absent(&mut self, name: &str, bundled: Option<T>, now_ms: f64) -> Option<T> {
        match &bundled {
            Some(set) => self.insert(name, set.clone(), SetSource::Bundled, now_ms, None),
            None => {
                self.slots.remove(name);
            }
        }
        bundled
    }

    /// KV says `name` is at `version`. `Some` when no fetch is needed (the cached copy has that
    /// version, or that version was refused before); `None` to fetch the bytes.
    pub fn known(&mut self, name: &str, version: &str, now_ms: f64) -> Option<T> {
        let slot = self.slots.get_mut(name)?;
        if slot.version == version || slot.refused.as_deref() == Some(version) {
            slot.checked_ms = now_ms;
            Some(slot.set.clone())
        } else {
            None
        }
    }

    /// The bytes of `version` were fetched and loaded (`Ok`) or did not load (`Err`).
    pub fn loaded(
        &mut self,
        name: &str,
        version: &str,
        result: Result<T, String>,
        bundled: Option<T>,
        now_ms: f64,
    ) -> Result<Option<T>, Unavailable> {
        match result {
            Ok(set) if set.version() == version => {
                self.insert(name, set.clone(), SetSource::Kv, now_ms, None);
                Ok(Some(set))
            }
            // Bytes older than the version: eventual consistency, look again after the interval.
            Ok(_) => self.keep(name, bundled, "bytes older than their version", now_ms),
            Err(e) => match self.slots.get_mut(name) {
                Some(slot) => {
                    slot.refused = Some(version.to_string());
                    slot.checked_ms = now_ms;
                    Ok(Some(slot.set.clone()))
                }
                None => match bundled {
                    Some(set) => {
                        let refused = Some(version.to_string());
                        self.insert(name, set.clone(), SetSource::Bundled, now_ms, refused);
                        Ok(Some(set))
                    }
                    None => Err(Unavailable(format!(
                        "set {name} version {version} does not load ({e}), and no good copy"
                    ))),
                },
            },
        }
    }

    /// Forgets `name`, so the next request asks KV.
    pub fn invalidate(&mut self, name: &str) {
        self.slots.remove(name);
    }

    fn insert(
        &mut self,
        name: &str,
        set: T,
        source: SetSource,
        now_ms: f64,
        refused: Option<String>,
    ) {
        let version = set.version();
        self.slots.insert(
            name.to_string(),
            Slot {
                set,
                version,
                source,
                checked_ms: now_ms,
                refused,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq, Eq)]
    struct Fake(&'static str);

    impl Versioned for Fake {
        fn version(&self) -> String {
            self.0.to_string()
        }
    }

    const BUNDLED: Fake = Fake("b0");

    #[test]
    fn fresh_only_within_the_interval() {
        let mut c = SetCache::default();
        assert_eq!(
            c.loaded("default", "v1", Ok(Fake("v1")), Some(BUNDLED), 1000.0),
            Ok(Some(Fake("v1")))
        );
        assert_eq!(c.fresh("default", 1500.0, 1000.0), Some(Fake("v1")));
        assert_eq!(c.fresh("default", 2000.0, 1000.0), None);
        assert_eq!(
            c.fresh("default", 1000.0, 0.0),
            None,
            "interval 0 always asks KV"
        );
        assert_eq!(c.get("default"), Some((Fake("v1"), SetSource::Kv)));
    }

    #[test]
    fn same_version_needs_no_fetch_and_refreshes_the_check() {
        let mut c = SetCache::default();
        c.loaded("default", "v1", Ok(Fake("v1")), Some(BUNDLED), 0.0)
            .unwrap();
        assert_eq!(c.known("default", "v1", 5000.0), Some(Fake("v1")));
        assert_eq!(c.fresh("default", 5500.0, 1000.0), Some(Fake("v1")));
        assert_eq!(
            c.known("default", "v2", 6000.0),
            None,
            "a new version is fetched"
        );
        assert_eq!(c.known("other", "v1", 0.0), None, "nothing cached: fetch");
    }

    #[test]
    fn corrupt_bytes_never_replace_the_last_good_set() {
        let mut c = SetCache::default();
        c.loaded("default", "v1", Ok(Fake("v1")), Some(BUNDLED), 0.0)
            .unwrap();
        let got = c.loaded("default", "v2", Err("checksum".into()), Some(BUNDLED), 10.0);
        assert_eq!(got, Ok(Some(Fake("v1"))));
        // The refused version is not fetched again...
        assert_eq!(c.known("default", "v2", 20.0), Some(Fake("v1")));
        // ...but a newer good one is.
        assert_eq!(c.known("default", "v3", 30.0), None);
        assert_eq!(
            c.loaded("default", "v3", Ok(Fake("v3")), Some(BUNDLED), 30.0),
            Ok(Some(Fake("v3")))
        );
    }

    #[test]
    fn corrupt_default_on_a_fresh_isolate_falls_back_to_the_bundled_set() {
        let mut c = SetCache::default();
        assert_eq!(
            c.loaded("default", "v9", Err("bad".into()), Some(BUNDLED), 0.0),
            Ok(Some(BUNDLED))
        );
        assert_eq!(c.get("default"), Some((BUNDLED, SetSource::Bundled)));
        assert_eq!(
            c.known("default", "v9", 1.0),
            Some(BUNDLED),
            "refused, not refetched"
        );
    }

    #[test]
    fn corrupt_extra_set_with_no_good_copy_is_unavailable() {
        let mut c: SetCache<Fake> = SetCache::default();
        let got = c.loaded("extra", "v1", Err("bad magic".into()), None, 0.0);
        assert!(matches!(got, Err(Unavailable(m)) if m.contains("bad magic")));
        assert_eq!(
            c.known("extra", "v1", 1.0),
            None,
            "nothing cached: tried again next time"
        );
    }

    #[test]
    fn transient_failures_keep_what_there_is_until_the_interval_ends() {
        let mut c = SetCache::default();
        assert_eq!(
            c.keep("default", Some(BUNDLED), "KV unreachable", 0.0),
            Ok(Some(BUNDLED))
        );
        assert_eq!(c.fresh("default", 500.0, 1000.0), Some(BUNDLED));
        assert_eq!(c.fresh("default", 1000.0, 1000.0), None);
        assert!(c.keep("extra", None, "KV unreachable", 0.0).is_err());
        assert_eq!(c.fresh("extra", 1.0, 1000.0), None, "nothing to keep");
        c.loaded("extra", "v1", Ok(Fake("v1")), None, 0.0).unwrap();
        assert_eq!(
            c.keep("extra", None, "KV unreachable", 2000.0),
            Ok(Some(Fake("v1")))
        );
        assert_eq!(c.fresh("extra", 2500.0, 1000.0), Some(Fake("v1")));
        // Bytes older than the version: kept, not refused, and not fetched again until the
        // interval ends (a version whose bytes never come costs one fetch per interval).
        assert_eq!(
            c.loaded("extra", "v2", Ok(Fake("v1")), None, 5000.0),
            Ok(Some(Fake("v1")))
        );
        assert_eq!(c.fresh("extra", 5500.0, 1000.0), Some(Fake("v1")));
        assert_eq!(c.fresh("extra", 6000.0, 1000.0), None);
        assert_eq!(c.known("extra", "v2", 6000.0), None, "v2 is fetched again");
        // On a fresh isolate, the bundled set stands in for the interval.
        let mut c = SetCache::default();
        assert_eq!(
            c.loaded("default", "v2", Ok(Fake("v1")), Some(BUNDLED), 0.0),
            Ok(Some(BUNDLED))
        );
        assert_eq!(c.fresh("default", 500.0, 1000.0), Some(BUNDLED));
        assert_eq!(c.known("default", "v2", 1000.0), None);
    }

    #[test]
    fn a_rebuilt_set_is_known_by_the_version_of_the_bytes_it_stands_for() {
        let set = std::rc::Rc::new(termgate::compile_str("[block]\nzzq\n").unwrap());
        let own = crate::version_string(&set);
        let rebuilt = InUse {
            set: set.clone(),
            stored_version: "00000000000000aa".into(),
            rebuilt: true,
        };
        let mut c = SetCache::default();
        assert!(c
            .loaded("x", "00000000000000aa", Ok(rebuilt.clone()), None, 0.0)
            .is_ok_and(|s| s.is_some()));
        assert!(
            c.known("x", "00000000000000aa", 1.0).is_some(),
            "no refetch"
        );
        assert!(c.known("x", &own, 2.0).is_none(), "KV names other bytes");
        // Bytes older than the version KV names: not kept, looked at again.
        let mut c = SetCache::default();
        assert!(c
            .loaded("x", "00000000000000bb", Ok(rebuilt), None, 0.0)
            .is_err());
        assert!(c.known("x", "00000000000000bb", 1.0).is_none());
        assert_eq!(InUse::as_stored(set).version(), own);
    }

    #[test]
    fn absent_from_kv() {
        let mut c = SetCache::default();
        c.loaded("default", "v1", Ok(Fake("v1")), Some(BUNDLED), 0.0)
            .unwrap();
        assert_eq!(
            c.absent("default", Some(BUNDLED), 1.0),
            Some(BUNDLED),
            "deleted: bundled again"
        );
        assert_eq!(c.get("default"), Some((BUNDLED, SetSource::Bundled)));
        c.loaded("extra", "v1", Ok(Fake("v1")), None, 0.0).unwrap();
        assert_eq!(
            c.absent("extra", None, 1.0),
            None,
            "deleted extra set: nothing to apply"
        );
        assert_eq!(c.get("extra"), None);
        c.loaded("x", "v1", Ok(Fake("v1")), None, 0.0).unwrap();
        c.invalidate("x");
        assert_eq!(c.get("x"), None);
    }
}
