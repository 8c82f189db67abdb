//! Forwarding to the origin.

use worker::{Fetch, Headers, Method, Request, RequestInit, RequestRedirect, Response, Result};

use crate::config::Config;

/// The origin URL for the request's path and query. Taken from the serialized URL as it is, so
/// the query reaches the origin byte for byte (and the `url` crate, with its IDNA tables, stays out
/// of the worker).
pub fn origin_url(req: &Request, config: &Config) -> Result<String> {
    Ok(format!(
        "{}{}",
        config.origin,
        crate::config::path_and_query(&req.inner().url())
    ))
}

/// Forwards the request as it is (method, headers, streamed body) and returns the origin's response
/// as it is.
pub async fn untouched(req: Request, config: &Config) -> Result<Response> {
    let url = origin_url(&req, config)?;
    let mut init = RequestInit::new();
    init.with_method(req.method())
        .with_headers(req.headers().clone())
        .with_redirect(RequestRedirect::Manual);
    if let Some(body) = req.inner().body() {
        init.with_body(Some(body.into()));
    }
    send(Request::new_with_init(&url, &init)?).await
}

/// Sends a request to the origin; a network failure is a `502`, not an error.
async fn send(req: Request) -> Result<Response> {
    match Fetch::Request(req).send().await {
        Ok(resp) => Ok(resp),
        Err(e) => {
            worker::console_error!("termgate: origin unreachable: {e}");
            super::util::json_error(502, "origin_unreachable", "the origin could not be reached")
        }
    }
}

/// The request's headers that a scanned post carries on to the origin (see
/// [`crate::config::forwards_header`]).
pub fn forwarded_headers(req: &Request) -> Result<Headers> {
    let headers = Headers::new();
    for (k, v) in req.headers().entries() {
        if crate::config::forwards_header(&k) {
            headers.append(&k, &v)?;
        }
    }
    Ok(headers)
}

/// Sends `body` (the exact bytes the client sent) to `url` with `method` and `headers`.
pub async fn send_bytes(
    url: &str,
    method: Method,
    headers: Headers,
    body: &[u8],
) -> Result<Response> {
    let mut init = RequestInit::new();
    init.with_method(method)
        .with_headers(headers)
        .with_redirect(RequestRedirect::Manual);
    if !body.is_empty() {
        init.with_body(Some(js_sys::Uint8Array::from(body).into()));
    }
    send(Request::new_with_init(url, &init)?).await
}
