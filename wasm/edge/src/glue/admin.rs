//! `/_termgate/sets/...`: the public compiled sets and the admin API.
//!
//! * `GET /_termgate/sets/{name}.tgs`: the compiled set this worker enforces (public: the browser
//!   module checks posts with it before sending).
//! * `PUT /_termgate/sets/{name}`: upload a term list (`text/plain`) or a compiled set
//!   (`application/octet-stream`); `GET` describes it (or returns its term list with
//!   `Accept: text/plain`); `DELETE` removes it (`default` then falls back to the bundled set).
//!   All three need `Authorization: Bearer <ADMIN_TOKEN>`.

use serde_json::json;
use termgate::{Action, TermSet};
use worker::{Env, Method, Request, Response, Result};

use super::sets::{self, InUse, SetSource, KV_BINDING};
use super::util::{body_limited, json_error, var, Json};
use crate::config::valid_set_name;
use crate::session::{bearer, constant_time_eq};
use crate::version_string;

/// The largest set accepted, as a term list or compiled: KV's value limit.
pub const MAX_SET_BYTES: usize = 25 * 1024 * 1024;

pub async fn handle(req: Request, env: &Env, rest: &str) -> Result<Response> {
    if let Some(name) = rest.strip_suffix(".tgs") {
        if req.method() != Method::Get && req.method() != Method::Head {
            return json_error(
                405,
                "method_not_allowed",
                "compiled sets are read-only; PUT /_termgate/sets/{name}",
            );
        }
        return public_bytes(&req, env, name).await;
    }
    let name = rest;
    if !valid_set_name(name) {
        return json_error(404, "not_found", "set names are 1-64 of A-Z a-z 0-9 - _");
    }
    if let Some(refusal) = check_admin(&req, env)? {
        return Ok(refusal);
    }
    match req.method() {
        Method::Put => put(req, env, name).await,
        Method::Get => describe(&req, env, name).await,
        Method::Delete => delete(env, name).await,
        _ => json_error(405, "method_not_allowed", "use GET, PUT or DELETE"),
    }
}

/// `None` when the request carries the admin token; otherwise the `401` to answer.
fn check_admin(req: &Request, env: &Env) -> Result<Option<Response>> {
    let Some(expected) = var(env, "ADMIN_TOKEN").filter(|t| !t.is_empty()) else {
        return json_error(
            401,
            "admin_disabled",
            "ADMIN_TOKEN is not set on this worker",
        )
        .map(Some);
    };
    let header = req.headers().get("authorization")?;
    match bearer(header.as_deref()) {
        Some(token) if constant_time_eq(token.as_bytes(), expected.as_bytes()) => Ok(None),
        _ => {
            let mut resp = json_error(401, "unauthorized", "missing or wrong admin token")?;
            resp.headers_mut()
                .set("www-authenticate", "Bearer realm=\"termgate-admin\"")?;
            Ok(Some(resp))
        }
    }
}

async fn public_bytes(req: &Request, env: &Env, name: &str) -> Result<Response> {
    if !valid_set_name(name) {
        return json_error(404, "not_found", "no such set");
    }
    let current = match sets::current(env, name).await {
        Ok(c) => c,
        Err(sets::Unavailable(e)) => return json_error(503, "set_unavailable", &e),
    };
    let Some((InUse { set, .. }, _)) = current else {
        return json_error(404, "not_found", "no such set");
    };
    let etag = format!("\"{}\"", version_string(&set));
    let mut resp = if req.headers().get("if-none-match")?.as_deref() == Some(etag.as_str()) {
        Response::empty()?.with_status(304)
    } else {
        Response::from_bytes(set.as_bytes().to_vec())?
    };
    let h = resp.headers_mut();
    h.set("content-type", "application/octet-stream")?;
    h.set("etag", &etag)?;
    h.set("termgate-set-version", &version_string(&set))?;
    h.set("cache-control", "public, max-age=60")?;
    h.set("access-control-allow-origin", "*")?;
    Ok(resp)
}

/// A set uploaded as a term list or as compiled bytes, checked for the actions it may hold.
pub enum Upload {
    /// The set, and its term list when it was uploaded as text.
    Set(Box<TermSet>, Option<String>),
    /// The answer explaining why not.
    Refused(Response),
}

/// Who may upload compiled bytes: a set's checksum catches corruption, not forgery, so only the
/// admin's compiled sets are loaded; everyone else sends a term list, compiled here.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Uploader {
    Admin,
    User,
}

/// How large an upload may be: its body, and the set it compiles to (a term list can compile to
/// about five times its size, more than a KV value can hold).
#[derive(Clone, Copy)]
pub struct Limits {
    pub body: usize,
    pub compiled: usize,
}

/// Reads an uploaded set: `text/plain` is compiled here (errors name line and column),
/// `application/octet-stream` (from the admin only) is loaded as compiled bytes. Every rule's
/// action must be in `allowed`.
pub async fn read_upload(
    req: &mut Request,
    label: &str,
    limits: Limits,
    allowed: &[Action],
    uploader: Uploader,
) -> Result<Upload> {
    let max = limits.body;
    let content_type = req
        .headers()
        .get("content-type")?
        .unwrap_or_default()
        .to_ascii_lowercase();
    let Some(body) = body_limited(req, max).await? else {
        return Ok(Upload::Refused(json_error(
            413,
            "too_large",
            &format!("larger than {max} bytes"),
        )?));
    };
    let (set, source) = if content_type.starts_with("text/plain") {
        let Ok(text) = String::from_utf8(body) else {
            return Ok(Upload::Refused(json_error(
                400,
                "not_utf8",
                "a term list must be UTF-8",
            )?));
        };
        match termgate::compile(&[termgate::Source {
            name: label,
            text: &text,
        }]) {
            Ok(set) => (set, Some(text)),
            Err(e) => {
                return Ok(Upload::Refused(
                    Json(json!({
                        "error": "compile_error",
                        "message": e.to_string(),
                        "file": e.file(),
                        "line": e.line(),
                        "column": e.column(),
                        "detail": e.message(),
                    }))
                    .status(400)?,
                ))
            }
        }
    } else if content_type.starts_with("application/octet-stream") && uploader == Uploader::Admin {
        match TermSet::from_bytes(body) {
            Ok(set) => (set, None),
            Err(e) => {
                return Ok(Upload::Refused(
                    Json(json!({"error": "invalid_set", "message": e.to_string()})).status(400)?,
                ))
            }
        }
    } else {
        let message = match uploader {
            Uploader::Admin => {
                "send a term list as text/plain or a compiled set as application/octet-stream"
            }
            Uploader::User => "send the term list as text/plain",
        };
        return Ok(Upload::Refused(json_error(
            415,
            "unsupported_content_type",
            message,
        )?));
    };
    let compiled = set.as_bytes().len();
    if compiled > limits.compiled {
        return Ok(Upload::Refused(
            Json(json!({
                "error": "compiled_too_large",
                "message": format!(
                    "the list compiles to {compiled} bytes, over the limit of {}: remove terms or split the list",
                    limits.compiled
                ),
                "bytes": compiled,
                "max_bytes": limits.compiled,
            }))
            .status(413)?,
        ));
    }
    if let Some(rule) = set.rules().find(|r| !allowed.contains(&r.action)) {
        let names: Vec<&str> = allowed.iter().map(|a| a.as_str()).collect();
        return Ok(Upload::Refused(
            Json(json!({
                "error": "action_not_allowed",
                "message": format!("rule {:?} is a {} rule; only {} rules belong here", rule.text, rule.action, names.join(", ")),
            }))
            .status(400)?,
        ));
    }
    Ok(Upload::Set(Box::new(set), source))
}

/// Facts about a set, as JSON.
pub fn describe_set(name: &str, set: &TermSet, source: &str) -> serde_json::Value {
    let info = set.info();
    json!({
        "name": name,
        "version": version_string(set),
        "source": source,
        "rules": info.rules,
        "keys": info.word_keys + info.inner_keys + info.host_keys,
        "bytes": info.bytes,
    })
}

async fn put(mut req: Request, env: &Env, name: &str) -> Result<Response> {
    let (set, source) = match read_upload(
        &mut req,
        name,
        Limits {
            body: MAX_SET_BYTES,
            compiled: MAX_SET_BYTES,
        },
        &[Action::Block, Action::Flag, Action::Warn],
        Uploader::Admin,
    )
    .await?
    {
        Upload::Set(set, source) => (set, source),
        Upload::Refused(resp) => return Ok(resp),
    };
    let kv = env.kv(KV_BINDING)?;
    kv.put_bytes(&format!("set:{name}"), set.as_bytes())?
        .execute()
        .await?;
    match &source {
        Some(text) => {
            kv.put(&format!("setsrc:{name}"), text.as_str())?
                .execute()
                .await?
        }
        None => kv.delete(&format!("setsrc:{name}")).await?,
    }
    kv.put(&format!("setver:{name}"), version_string(&set))?
        .execute()
        .await?;
    // Not needed for correctness: these bytes load as they are, so no isolate reads the copy an
    // earlier rebuild kept while they stay, and that copy names the bytes it replaced anyway. But
    // it is dead weight of up to 25 MiB until a future rebuild overwrites it. A rebuild racing
    // this upload may store its copy again afterwards; it names the old bytes and is never used.
    kv.delete(&format!("setbuilt:{name}")).await?;
    sets::invalidate(name);
    Json(describe_set(name, &set, "kv")).status(201)
}

async fn describe(req: &Request, env: &Env, name: &str) -> Result<Response> {
    let current = match sets::current(env, name).await {
        Ok(c) => c,
        Err(sets::Unavailable(e)) => return json_error(503, "set_unavailable", &e),
    };
    let Some((in_use, origin)) = current else {
        return json_error(404, "not_found", "no such set");
    };
    let set = &in_use.set;
    let wants_text = req
        .headers()
        .get("accept")?
        .is_some_and(|a| a.contains("text/plain"));
    if wants_text {
        let stored = if origin == SetSource::Kv {
            env.kv(KV_BINDING)?
                .get(&format!("setsrc:{name}"))
                .text()
                .await?
        } else {
            None
        };
        let text = stored.unwrap_or_else(|| set.to_list());
        let mut resp = Response::ok(text)?;
        resp.headers_mut()
            .set("content-type", "text/plain; charset=utf-8")?;
        return Ok(resp);
    }
    let source = if origin == SetSource::Kv {
        "kv"
    } else {
        "bundled"
    };
    let mut description = describe_set(name, set, source);
    sets::add_rebuilt(&mut description, &in_use);
    Json(description).ok()
}

async fn delete(env: &Env, name: &str) -> Result<Response> {
    let kv = env.kv(KV_BINDING)?;
    kv.delete(&format!("setver:{name}")).await?;
    kv.delete(&format!("set:{name}")).await?;
    kv.delete(&format!("setsrc:{name}")).await?;
    kv.delete(&format!("setbuilt:{name}")).await?;
    sets::invalidate(name);
    Json(json!({"name": name, "deleted": true})).ok()
}
