//! The per-isolate cache of readers' mute lists, as a plain state machine: when a timeline may use
//! the list it has, when it must ask KV, what to keep and what to evict. The glue feeds it KV's
//! answers and the user's own writes; the rules live here so they are unit-tested natively.
//!
//! The rules:
//!
//! - KV's answer for a user, a list or "no list" (most readers have none), is used without asking
//!   KV again for the check interval (`MUTE_CHECK_INTERVAL_SECONDS`); interval 0 keeps nothing.
//!   A KV error, or a list that does not load, is not kept: the next timeline asks again.
//! - A user's own `PUT` or `DELETE` on this isolate replaces the entry at once, and an answer
//!   from KV read while a write was under way is dropped (it may predate the write). Other
//!   isolates see the change when their interval runs out (KV itself is eventually consistent).
//! - Memory is bounded: at most [`MAX_USERS`] entries and [`MAX_BYTES`] of estimated weight
//!   ([`Weighed`]); the least recently used entries are evicted first, and a list heavier than the
//!   whole budget is used for its request but not kept.
//!
//! Caching changes nothing about expiry: the cache holds the compiled list, and each timeline is
//! scanned with its own request time, so an `until=` rule stops applying on time.

use std::collections::HashMap;

/// The most users an isolate keeps mute lists (or "no list") for.
pub const MAX_USERS: usize = 4096;

/// The most estimated memory, in bytes, an isolate spends on cached mute lists: 16 MiB, an eighth of
/// a Worker isolate's 128 MB. A list of 256 KiB of terms weighs about 3.3 MiB ([`Weighed`]), one of
/// 100 words about 15 KiB.
pub const MAX_BYTES: usize = 16 << 20;

/// What an entry costs besides its list: the user id's allocation, two map nodes, the entry.
pub const ENTRY_OVERHEAD: usize = 128;

/// Estimated memory per key of a set once it has built its warm indexes (the hash table of
/// whole words, the rebuilt fst, possibly an Aho-Corasick automaton), on top of its bytes.
/// Measured natively (64-bit pointers; wasm32's are half as wide) on 256 KiB lists after warm
/// scans: 65 bytes per key for English whole words, 91 for `*word*` terms (with the automaton),
/// 98 for Japanese terms.
pub const WEIGHT_PER_KEY: usize = 128;

/// A cached list as the cache sees it: something cheap to clone that can say roughly how much
/// memory it holds.
pub trait Weighed: Clone {
    /// Estimated bytes of memory the list holds, now or once it is warm.
    fn weight(&self) -> usize;
}

impl Weighed for std::rc::Rc<termgate::TermSet> {
    fn weight(&self) -> usize {
        let info = self.info();
        let keys = info
            .word_keys
            .saturating_add(info.inner_keys)
            .saturating_add(info.host_keys);
        info.bytes
            .saturating_add(keys.saturating_mul(WEIGHT_PER_KEY))
    }
}

#[derive(Debug)]
struct Entry<T> {
    /// The list, or `None`: the user has none.
    list: Option<T>,
    weight: usize,
    checked_ms: f64,
    /// When it was last used, on [`MuteCache::clock`].
    used: u64,
}

/// Taken before asking KV, handed back with its answer: says whether a write happened meanwhile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticket(u64);

/// The cache of mute lists, by user id.
#[derive(Debug)]
pub struct MuteCache<T> {
    entries: HashMap<String, Entry<T>>,
    /// The last use handed out.
    clock: u64,
    /// Sum of the entries' weights.
    bytes: usize,
    /// Writes begun on this isolate, by any user.
    writes: u64,
    max_users: usize,
    max_bytes: usize,
}

impl<T> Default for MuteCache<T> {
    fn default() -> Self {
        MuteCache::new(MAX_USERS, MAX_BYTES)
    }
}

impl<T> MuteCache<T> {
    /// An empty cache of at most `max_users` entries weighing at most `max_bytes` together.
    pub fn new(max_users: usize, max_bytes: usize) -> Self {
        MuteCache {
            entries: HashMap::new(),
            clock: 0,
            bytes: 0,
            writes: 0,
            max_users,
            max_bytes,
        }
    }

    /// Users with an entry.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no user has an entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries' estimated weight, in bytes.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    fn remove(&mut self, user: &str) {
        if let Some(e) = self.entries.remove(user) {
            self.bytes = self.bytes.saturating_sub(e.weight);
        }
    }

    fn tick(&mut self) -> u64 {
        self.clock = self.clock.wrapping_add(1);
        self.clock
    }
}

impl<T: Weighed> MuteCache<T> {
    /// The user's cached answer if KV was asked less than `interval_ms` ago: `Some(Some(list))`,
    /// or `Some(None)` when the user has no list. `None`: ask KV.
    pub fn fresh(&mut self, user: &str, now_ms: f64, interval_ms: f64) -> Option<Option<T>> {
        let used = self.tick();
        let entry = self
            .entries
            .get_mut(user)
            .filter(|e| now_ms - e.checked_ms < interval_ms)?;
        entry.used = used;
        Some(entry.list.clone())
    }

    /// Take one before asking KV; give it back with the answer to [`MuteCache::answered`].
    pub fn ticket(&self) -> Ticket {
        Ticket(self.writes)
    }

    /// KV answered for `user`: their list, or `None` for none. Kept unless the interval is 0 or a
    /// write began on this isolate since the ticket was taken (the answer may predate it).
    pub fn answered(
        &mut self,
        user: &str,
        ticket: Ticket,
        list: Option<T>,
        now_ms: f64,
        interval_ms: f64,
    ) {
        if ticket.0 != self.writes {
            return;
        }
        self.remove(user);
        if interval_ms > 0.0 {
            self.insert(user, list, now_ms);
        }
    }

    /// KV could not be read, or the list in it does not load: nothing is kept, the next timeline
    /// asks again.
    pub fn failed(&mut self, user: &str) {
        self.remove(user);
    }

    /// The user is about to change their list: forget it, and drop the answers of reads under way.
    pub fn writing(&mut self, user: &str) {
        self.writes = self.writes.wrapping_add(1);
        self.remove(user);
    }

    /// The user's change is stored in KV: `list` is their new list, `None` after a delete.
    pub fn written(&mut self, user: &str, list: Option<T>, now_ms: f64, interval_ms: f64) {
        self.writing(user);
        if interval_ms > 0.0 {
            self.insert(user, list, now_ms);
        }
    }

    fn insert(&mut self, user: &str, list: Option<T>, now_ms: f64) {
        let weight = ENTRY_OVERHEAD
            .saturating_add(user.len())
            .saturating_add(list.as_ref().map_or(0, Weighed::weight));
        if weight > self.max_bytes || self.max_users == 0 {
            return;
        }
        while self.entries.len() >= self.max_users
            || self.bytes.saturating_add(weight) > self.max_bytes
        {
            // A scan of at most MAX_USERS entries, only when the cache is full: microseconds, and
            // 4 KB (gzip) less wasm than keeping the users ordered by last use in a BTreeMap.
            let lru = self.entries.iter().min_by_key(|(_, e)| e.used);
            let Some(lru) = lru.map(|(user, _)| user.clone()) else {
                break;
            };
            self.remove(&lru);
        }
        let used = self.tick();
        self.entries.insert(
            user.to_string(),
            Entry {
                list,
                weight,
                checked_ms: now_ms,
                used,
            },
        );
        self.bytes = self.bytes.saturating_add(weight);
    }

    /// Users by last use, least recent first (for tests).
    #[cfg(test)]
    fn users(&self) -> Vec<String> {
        let mut users: Vec<(&String, u64)> =
            self.entries.iter().map(|(u, e)| (u, e.used)).collect();
        users.sort_by_key(|&(_, used)| used);
        users.into_iter().map(|(u, _)| u.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A list that weighs what it says.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    struct Fake(u32, usize);

    impl Weighed for Fake {
        fn weight(&self) -> usize {
            self.1
        }
    }

    const A: Fake = Fake(1, 1000);
    const B: Fake = Fake(2, 1000);
    const MIN: f64 = 60_000.0;

    /// The weight of an entry of a one-letter user with `list`.
    fn w(list: Option<Fake>) -> usize {
        ENTRY_OVERHEAD + 1 + list.map_or(0, |l| l.1)
    }

    #[test]
    fn answers_are_used_within_the_interval_only() {
        let mut c = MuteCache::default();
        assert_eq!(c.fresh("a", 0.0, MIN), None, "nothing cached: ask KV");
        let t = c.ticket();
        c.answered("a", t, Some(A), 1000.0, MIN);
        assert_eq!(c.fresh("a", 1000.0, MIN), Some(Some(A)));
        assert_eq!(c.fresh("a", 60_999.0, MIN), Some(Some(A)));
        assert_eq!(c.fresh("a", 61_000.0, MIN), None, "interval over");
        assert_eq!(c.fresh("a", 1000.0, 0.0), None, "interval 0 always asks");
        assert_eq!(
            c.fresh("a", f64::NAN, MIN),
            None,
            "a clock that is not a number asks"
        );
        // A new answer starts a new interval.
        let t = c.ticket();
        c.answered("a", t, Some(B), 61_000.0, MIN);
        assert_eq!(c.fresh("a", 100_000.0, MIN), Some(Some(B)));
    }

    #[test]
    fn no_list_is_cached_too() {
        let mut c: MuteCache<Fake> = MuteCache::default();
        let t = c.ticket();
        c.answered("a", t, None, 0.0, MIN);
        assert_eq!(c.fresh("a", 1.0, MIN), Some(None));
        assert_eq!(c.bytes(), w(None));
    }

    #[test]
    fn interval_zero_keeps_nothing() {
        let mut c = MuteCache::default();
        let t = c.ticket();
        c.answered("a", t, Some(A), 0.0, 0.0);
        c.written("b", Some(B), 0.0, 0.0);
        assert!(c.is_empty());
        assert_eq!(c.bytes(), 0);
    }

    #[test]
    fn failures_are_not_cached() {
        let mut c = MuteCache::default();
        let t = c.ticket();
        c.answered("a", t, Some(A), 0.0, MIN);
        // The interval ran out and KV failed: the stale entry goes, nothing is kept.
        c.failed("a");
        assert_eq!(c.fresh("a", 1.0, MIN), None);
        assert!(c.is_empty());
        assert_eq!(c.bytes(), 0);
    }

    #[test]
    fn own_writes_apply_at_once() {
        let mut c = MuteCache::default();
        let t = c.ticket();
        c.answered("a", t, None, 0.0, MIN);
        c.writing("a");
        assert_eq!(c.fresh("a", 1.0, MIN), None, "while writing: ask KV");
        c.written("a", Some(A), 2.0, MIN);
        assert_eq!(c.fresh("a", 3.0, MIN), Some(Some(A)), "PUT");
        c.writing("a");
        c.written("a", None, 4.0, MIN);
        assert_eq!(c.fresh("a", 5.0, MIN), Some(None), "DELETE");
        assert_eq!(c.len(), 1);
        assert_eq!(c.bytes(), w(None));
    }

    #[test]
    fn an_answer_read_during_a_write_is_dropped() {
        let mut c = MuteCache::default();
        // A timeline asks KV; meanwhile the user PUTs a new list; then KV's (old) answer arrives.
        let t = c.ticket();
        c.writing("a");
        c.written("a", Some(B), 1.0, MIN);
        c.answered("a", t, Some(A), 2.0, MIN);
        assert_eq!(c.fresh("a", 3.0, MIN), Some(Some(B)));
        // A write by another user drops it too (the cache does not track writes per user).
        let t = c.ticket();
        c.written("b", None, 4.0, MIN);
        c.answered("c", t, Some(A), 5.0, MIN);
        assert_eq!(c.fresh("c", 6.0, MIN), None);
        // A read that began after the write is kept.
        let t = c.ticket();
        c.answered("c", t, Some(A), 7.0, MIN);
        assert_eq!(c.fresh("c", 8.0, MIN), Some(Some(A)));
    }

    #[test]
    fn least_recently_used_users_are_evicted_first() {
        let mut c = MuteCache::new(2, MAX_BYTES);
        for (user, at) in [("a", 0.0), ("b", 1.0)] {
            let t = c.ticket();
            c.answered(user, t, Some(A), at, MIN);
        }
        assert_eq!(c.fresh("a", 2.0, MIN), Some(Some(A)), "a used after b");
        let t = c.ticket();
        c.answered("c", t, None, 3.0, MIN);
        assert_eq!(c.users(), ["a", "c"], "b was the least recently used");
        // A stale entry is not "used" by asking for it.
        assert_eq!(c.fresh("a", 100_000.0, MIN), None);
        c.written("d", None, 100_001.0, MIN);
        assert_eq!(c.users(), ["c", "d"]);
        assert_eq!(c.bytes(), 2 * w(None));
    }

    #[test]
    fn the_byte_budget_holds() {
        let budget = 2 * w(Some(A)) + w(None);
        let mut c = MuteCache::new(100, budget);
        for user in ["a", "b"] {
            c.written(user, Some(A), 0.0, MIN);
        }
        c.written("c", None, 1.0, MIN);
        assert_eq!(c.users(), ["a", "b", "c"]);
        assert_eq!(c.bytes(), budget);
        // A heavier list pushes out as many of the least recently used as it needs.
        c.written("d", Some(Fake(3, 2000)), 2.0, MIN);
        assert_eq!(c.users(), ["c", "d"]);
        assert!(c.bytes() <= budget);
        // A list heavier than the whole budget is not kept, and replaces the user's old entry.
        c.written("c", Some(Fake(4, budget)), 3.0, MIN);
        assert_eq!(c.fresh("c", 4.0, MIN), None);
        assert_eq!(c.users(), ["d"]);
        let mut none: MuteCache<Fake> = MuteCache::new(0, MAX_BYTES);
        none.written("a", None, 0.0, MIN);
        assert!(none.is_empty(), "no room at all");
    }

    #[test]
    fn a_term_set_weighs_its_bytes_and_its_keys() {
        let set = termgate::compile_str("[hide]\nspoiler\n*leak*\n[collapse]\nネタバレ\n").unwrap();
        let info = set.info();
        let set = std::rc::Rc::new(set);
        let keys = info.word_keys + info.inner_keys + info.host_keys;
        assert!(keys >= 3, "{info:?}");
        assert_eq!(set.weight(), info.bytes + keys * WEIGHT_PER_KEY);
    }

    /// What happens on an isolate, in order.
    #[derive(Clone, Debug)]
    enum Op {
        /// A timeline of `user`: the cache, or KV when it says so.
        Timeline(u8),
        /// Like `Timeline`, but KV fails: nothing is kept.
        Failing(u8),
        /// `user` PUTs (`Some`) or DELETEs (`None`) on this isolate.
        Write(u8, Option<usize>),
        /// A timeline asks KV, `user` writes meanwhile, then KV's answer from before arrives.
        Race(u8, u8, Option<usize>),
        /// Another isolate changes `user`'s list in KV.
        Behind(u8, Option<usize>),
        /// Time passes.
        Wait(u16),
    }

    fn op() -> impl Strategy<Value = Op> {
        let user = 0u8..6;
        let list = proptest::option::of(0usize..600);
        prop_oneof![
            4 => user.clone().prop_map(Op::Timeline),
            1 => user.clone().prop_map(Op::Failing),
            2 => (user.clone(), list.clone()).prop_map(|(u, l)| Op::Write(u, l)),
            1 => (user.clone(), user.clone(), list.clone()).prop_map(|(a, b, l)| Op::Race(a, b, l)),
            2 => (user, list).prop_map(|(u, l)| Op::Behind(u, l)),
            2 => (0u16..400).prop_map(Op::Wait),
        ]
    }

    /// The reference: a list of entries, least recently used first, searched and evicted in order.
    struct Model {
        entries: Vec<(String, Option<Fake>, usize, f64)>,
        users: usize,
        bytes: usize,
        interval: f64,
    }

    impl Model {
        fn fresh(&mut self, user: &str, now: f64, interval: f64) -> Option<Option<Fake>> {
            let i = self.entries.iter().position(|e| e.0 == user)?;
            if now - self.entries[i].3 >= interval {
                return None;
            }
            let e = self.entries.remove(i);
            let list = e.1;
            self.entries.push(e);
            Some(list)
        }

        fn remove(&mut self, user: &str) {
            self.entries.retain(|e| e.0 != user);
        }

        /// KV's answer, or the user's own write: kept unless the interval is 0.
        fn store(&mut self, user: &str, list: Option<Fake>, now: f64) {
            self.remove(user);
            let weight = ENTRY_OVERHEAD + user.len() + list.map_or(0, |l| l.1);
            if self.interval == 0.0 || weight > self.bytes || self.users == 0 {
                return;
            }
            while self.entries.len() >= self.users
                || self.entries.iter().map(|e| e.2).sum::<usize>() + weight > self.bytes
            {
                self.entries.remove(0);
            }
            self.entries.push((user.to_string(), list, weight, now));
        }
    }

    /// The user writes `list` on this isolate, to the cache and to the reference.
    fn own_write(c: &mut MuteCache<Fake>, m: &mut Model, user: &str, list: Option<Fake>, now: f64) {
        c.writing(user);
        c.written(user, list, now, m.interval);
        m.store(user, list, now);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// The cache agrees with the reference on every answer and every eviction, stays within
        /// its bounds, and never answers with a list older than the interval or than the user's
        /// own last write.
        #[test]
        fn agrees_with_the_reference(
            ops in proptest::collection::vec(op(), 1..80),
            users in 0usize..5,
            bytes in 0usize..2000,
            interval in prop_oneof![Just(0.0), 1.0..500.0f64],
        ) {
            let mut c = MuteCache::new(users, bytes);
            let mut m = Model { entries: Vec::new(), users, bytes, interval };
            let mut kv: HashMap<String, Option<Fake>> = HashMap::new();
            // What a timeline may show: KV's list, or one it held within the interval.
            let mut history: HashMap<String, Vec<(f64, Option<Fake>)>> = HashMap::new();
            let mut now = 0.0;
            let mut next = 0u32;
            let mut list = |weight: Option<usize>| {
                next += 1;
                weight.map(|w| Fake(next, w))
            };
            for op in ops {
                match op {
                    Op::Timeline(u) | Op::Failing(u) => {
                        let user = format!("u{u}");
                        let got = c.fresh(&user, now, interval);
                        prop_assert_eq!(got, m.fresh(&user, now, interval));
                        let current = kv.get(&user).copied().flatten();
                        match got {
                            Some(cached) if cached != current => {
                                // Stale: KV held it less than the interval ago. Each value KV
                                // held (none at first), with the time it was replaced.
                                let h = history.get(&user).map_or(&[][..], Vec::as_slice);
                                let held = std::iter::once(None)
                                    .chain(h.iter().map(|e| e.1))
                                    .zip(h.iter().map(|e| e.0));
                                let mut recent = held.filter(|&(v, _)| v == cached);
                                prop_assert!(recent.any(|(_, end)| end > now - interval));
                            }
                            Some(_) => {}
                            None if matches!(op, Op::Failing(_)) => {
                                c.failed(&user);
                                m.remove(&user);
                            }
                            None => {
                                let t = c.ticket();
                                c.answered(&user, t, current, now, interval);
                                m.store(&user, current, now);
                            }
                        }
                    }
                    Op::Write(u, weight) | Op::Behind(u, weight) => {
                        let user = format!("u{u}");
                        let new = list(weight);
                        kv.insert(user.clone(), new);
                        history.entry(user.clone()).or_default().push((now, new));
                        if matches!(op, Op::Write(..)) {
                            own_write(&mut c, &mut m, &user, new, now);
                        }
                    }
                    Op::Race(reader, writer, weight) => {
                        let (reader, writer) = (format!("u{reader}"), format!("u{writer}"));
                        let old = kv.get(&reader).copied().flatten();
                        let t = c.ticket();
                        let new = list(weight);
                        kv.insert(writer.clone(), new);
                        history.entry(writer.clone()).or_default().push((now, new));
                        own_write(&mut c, &mut m, &writer, new, now);
                        c.answered(&reader, t, old, now, interval);
                    }
                    Op::Wait(ms) => now += f64::from(ms),
                }
                prop_assert!(c.len() <= users);
                prop_assert!(c.bytes() <= bytes);
                let expected: Vec<String> = m.entries.iter().map(|e| e.0.clone()).collect();
                prop_assert_eq!(c.users(), expected);
                prop_assert_eq!(c.bytes(), m.entries.iter().map(|e| e.2).sum::<usize>());
            }
        }
    }
}
