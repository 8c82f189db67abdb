//! Small helpers over the Workers API: settings, time, ids, JSON answers.

use futures_util::StreamExt;
use serde_json::{json, Value};
use wasm_bindgen::JsCast;
use worker::{Env, Request, Response, Result};

use crate::i18n::{self, Lang};

/// A setting from `[vars]` or a secret, `None` when unset.
pub fn var(env: &Env, name: &str) -> Option<String> {
    env.var(name)
        .map(|v| v.to_string())
        .or_else(|_| env.secret(name).map(|v| v.to_string()))
        .ok()
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// A random UUID from `crypto.randomUUID()`.
pub fn uuid() -> String {
    let global = js_sys::global();
    let uuid = js_sys::Reflect::get(&global, &"crypto".into())
        .ok()
        .and_then(|crypto| {
            let f = js_sys::Reflect::get(&crypto, &"randomUUID".into()).ok()?;
            f.dyn_into::<js_sys::Function>().ok()?.call0(&crypto).ok()
        })
        .and_then(|v| v.as_string());
    uuid.unwrap_or_else(|| {
        format!(
            "{:x}-{:x}",
            now_ms() as u64,
            (js_sys::Math::random() * 1e15) as u64
        )
    })
}

/// The language of the request's `Accept-Language`.
pub fn lang(req: &Request) -> Lang {
    i18n::lang_from_accept_language(
        req.headers()
            .get("accept-language")
            .ok()
            .flatten()
            .as_deref(),
    )
}

/// A JSON answer.
pub struct Json(pub Value);

impl Json {
    /// With status 200.
    pub fn ok(self) -> Result<Response> {
        self.status(200)
    }

    /// With `status`.
    pub fn status(self, status: u16) -> Result<Response> {
        let mut resp = Response::from_bytes(self.0.to_string().into_bytes())?.with_status(status);
        resp.headers_mut()
            .set("content-type", "application/json; charset=utf-8")?;
        Ok(resp)
    }
}

/// `{"error": code, "message": message}` with `status`.
pub fn json_error(status: u16, code: &str, message: &str) -> Result<Response> {
    Json(json!({"error": code, "message": message})).status(status)
}

/// An error answer with the message in the client's language.
pub fn localized_error(status: u16, code: &str, text: &i18n::Text, lang: Lang) -> Result<Response> {
    json_error(status, code, text.get(lang))
}

/// Reads the body, refusing more than `max` bytes (by `Content-Length` first, then by what arrived).
pub async fn body_limited(req: &mut Request, max: usize) -> Result<Option<Vec<u8>>> {
    let declared = req
        .headers()
        .get("content-length")?
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Ok(None);
    }
    // Stream it, so a body without a length cannot make us buffer more than `max`.
    let mut stream = req.stream()?;
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        if body.len() + chunk.len() > max {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}
