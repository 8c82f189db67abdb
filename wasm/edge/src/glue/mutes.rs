//! Mute lists: `PUT/GET/DELETE /_termgate/mutes` for the signed-in user, and applying them to
//! timeline responses.
//!
//! KV layout: `mute:{user}` the compiled list, `mutesrc:{user}` its term list when uploaded as text;
//! only the user's own `PUT` and `DELETE` write them. `mutebuilt:{user}` is written only by
//! timelines that rebuilt a list another termgate version compiled ([`crate::derived`]).
//!
//! Each isolate caches what KV answered for a reader ([`MuteCache`] has the rules): a timeline
//! reads KV at most every `MUTE_CHECK_INTERVAL_SECONDS` per reader, and the reader's own `PUT` and
//! `DELETE` replace the cached entry at once.

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::json;
use termgate::{Action, Scanner, TermSet};
use worker::{Env, Headers, Method, Request, Response, Result};

use super::admin::{describe_set, read_upload, Limits, Upload, Uploader};
use super::proxy;
use super::sets::{load_stored, Keys, KV_BINDING};
use super::util::{json_error, localized_error, now_ms, var, Json};
use crate::config::Config;
use crate::i18n::{self, Lang};
use crate::mute::{self, Edit};
use crate::mutecache::MuteCache;
use crate::session::{bearer, verify};

thread_local! {
    static CACHE: RefCell<MuteCache<Rc<TermSet>>> = RefCell::new(MuteCache::default());
}

/// The largest mute list accepted as text...
pub const MAX_MUTE_BYTES: usize = 256 * 1024;

/// ...and compiled: four times as much, which lists of words and Japanese terms stay well under
/// (0.8 and 3 times their text); lists of mixed letters and digits, with their leetspeak
/// readings, can reach it.
pub const MAX_MUTE_SET_BYTES: usize = 4 * MAX_MUTE_BYTES;

/// The user id of a valid session token on the request, if any.
pub fn session_user(req: &Request, env: &Env) -> Option<String> {
    let secret = var(env, "SESSION_SECRET").filter(|s| !s.is_empty())?;
    let header = req.headers().get("authorization").ok().flatten();
    let token = bearer(header.as_deref())?;
    verify(token, secret.as_bytes(), now_ms() / 1000.0).ok()
}

pub async fn handle(mut req: Request, env: &Env, config: &Config, lang: Lang) -> Result<Response> {
    let Some(user) = session_user(&req, env) else {
        let mut resp = localized_error(401, "unauthorized", &i18n::UNAUTHORIZED, lang)?;
        resp.headers_mut().set("www-authenticate", "Bearer")?;
        return Ok(resp);
    };
    let kv = env.kv(KV_BINDING)?;
    let (bytes_key, src_key) = (format!("mute:{user}"), format!("mutesrc:{user}"));
    // Deleted by PUT and DELETE, though stale copies are never used (they name the bytes they
    // replaced): a user's replaced or deleted list should not stay in KV as a rebuilt copy. A
    // timeline rebuilding at the same moment may store one again; it is never used either.
    let built_key = format!("mutebuilt:{user}");
    match req.method() {
        Method::Put => {
            let (set, source) = match read_upload(
                &mut req,
                "mutes",
                Limits {
                    body: MAX_MUTE_BYTES,
                    compiled: MAX_MUTE_SET_BYTES,
                },
                &[Action::Hide, Action::Collapse],
                Uploader::User,
            )
            .await?
            {
                Upload::Set(set, source) => (set, source),
                Upload::Refused(resp) => return Ok(resp),
            };
            // Forgotten first: if a write fails, the next timeline reads whatever KV holds.
            CACHE.with(|c| c.borrow_mut().writing(&user));
            kv.put_bytes(&bytes_key, set.as_bytes())?.execute().await?;
            match &source {
                Some(text) => kv.put(&src_key, text.as_str())?.execute().await?,
                None => kv.delete(&src_key).await?,
            }
            kv.delete(&built_key).await?;
            let mut body = describe_set("mutes", &set, "kv");
            body["user"] = json!(user);
            let set: Rc<TermSet> = Rc::from(set);
            let interval = config.mute_check_interval_ms;
            CACHE.with(|c| c.borrow_mut().written(&user, Some(set), now_ms(), interval));
            Json(body).ok()
        }
        Method::Get => {
            let Some(bytes) = kv.get(&bytes_key).bytes().await? else {
                return json_error(404, "no_mute_list", "this user has no mute list");
            };
            let wants_bytes = req
                .headers()
                .get("accept")?
                .is_some_and(|a| a.contains("application/octet-stream"));
            let mut resp = if wants_bytes {
                let mut r = Response::from_bytes(bytes)?;
                r.headers_mut()
                    .set("content-type", "application/octet-stream")?;
                r
            } else {
                let text = match kv.get(&src_key).text().await? {
                    Some(text) => text,
                    None => match TermSet::from_bytes(bytes) {
                        Ok(set) => set.to_list(),
                        Err(e) => return json_error(500, "corrupt_mute_list", &e.to_string()),
                    },
                };
                let mut r = Response::ok(text)?;
                r.headers_mut()
                    .set("content-type", "text/plain; charset=utf-8")?;
                r
            };
            resp.headers_mut()
                .set("cache-control", "private, no-store")?;
            Ok(resp)
        }
        Method::Delete => {
            CACHE.with(|c| c.borrow_mut().writing(&user));
            kv.delete(&bytes_key).await?;
            kv.delete(&src_key).await?;
            kv.delete(&built_key).await?;
            let interval = config.mute_check_interval_ms;
            CACHE.with(|c| c.borrow_mut().written(&user, None, now_ms(), interval));
            Json(json!({"user": user, "deleted": true})).ok()
        }
        _ => json_error(405, "method_not_allowed", "use GET, PUT or DELETE"),
    }
}

/// A timeline route: forward untouched, then hide and collapse posts per the reader's mute list.
pub async fn timeline(req: Request, env: &Env, config: &Config) -> Result<Response> {
    let user = session_user(&req, env);
    let mut resp = proxy::untouched(req, config).await?;
    let Some(user) = user else { return Ok(resp) };
    if resp.status_code() != 200 {
        return Ok(resp);
    }
    let Some(set) = mute_list(env, &user, config.mute_check_interval_ms).await? else {
        return Ok(resp);
    };
    let status = resp.status_code();
    let headers = Headers::new();
    for (k, v) in resp.headers().entries() {
        if !k.eq_ignore_ascii_case("content-length") {
            headers.append(&k, &v)?;
        }
    }
    let body = resp.bytes().await?;
    let scanner = Scanner::new(&[&*set]).at((now_ms() / 1000.0) as i64);
    let edit = mute::apply(
        &body,
        &config.timeline_items,
        &config.timeline_fields,
        |text| {
            let verdict = scanner.check(text);
            let action = verdict.action?;
            let rule = verdict
                .matches
                .into_iter()
                .find(|m| m.action == action)?
                .rule;
            Some((action, rule))
        },
    );
    let body = match edit {
        Ok(Edit::Rewritten {
            body,
            hidden,
            collapsed,
        }) => {
            headers.set(
                "termgate-muted",
                &format!("hidden={hidden}, collapsed={collapsed}"),
            )?;
            body
        }
        Ok(Edit::Unchanged) => body,
        Err(e) => {
            worker::console_error!("termgate: timeline not muted: {e}");
            headers.set("termgate-muted", "error")?;
            body
        }
    };
    Ok(Response::from_bytes(body)?
        .with_status(status)
        .with_headers(headers))
}

/// The reader's mute list: the isolate's copy while it is fresh, otherwise KV's (cached for the
/// next timelines). `None` when there is none, or when KV cannot be read or the list does not load
/// (logged, not cached: the timeline goes out unmuted, as before there was a cache).
async fn mute_list(env: &Env, user: &str, interval_ms: f64) -> Result<Option<Rc<TermSet>>> {
    if let Some(cached) = CACHE.with(|c| c.borrow_mut().fresh(user, now_ms(), interval_ms)) {
        return Ok(cached);
    }
    let kv = env.kv(KV_BINDING)?;
    let ticket = CACHE.with(|c| c.borrow().ticket());
    let keys = Keys {
        source: format!("mutesrc:{user}"),
        built: format!("mutebuilt:{user}"),
        max: MAX_MUTE_SET_BYTES,
        source_max: MAX_MUTE_BYTES,
    };
    let answer = match kv.get(&format!("mute:{user}")).bytes().await {
        Ok(Some(bytes)) => match load_stored(&kv, bytes.into(), &keys, "mutes").await {
            Ok(loaded) => Ok(Some(Rc::new(loaded.set))),
            Err(e) => Err(format!("mute list of {user} does not load: {e}")),
        },
        Ok(None) => Ok(None),
        Err(e) => Err(format!("reading mute list of {user}: {e}")),
    };
    match answer {
        Ok(set) => {
            CACHE.with(|c| {
                c.borrow_mut()
                    .answered(user, ticket, set.clone(), now_ms(), interval_ms)
            });
            Ok(set)
        }
        Err(why) => {
            worker::console_error!("termgate: {why}");
            CACHE.with(|c| c.borrow_mut().failed(user));
            Ok(None)
        }
    }
}
