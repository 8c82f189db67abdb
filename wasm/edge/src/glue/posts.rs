//! The posting filter: scan the post's text, then block at the edge or forward the exact bytes.

use termgate::{Action, Scanner, TermSet};
use worker::{Context, Env, Request, Response, Result};

use super::mutes::session_user;
use super::proxy::{forwarded_headers, origin_url, send_bytes};
use super::queue::enqueue;
use super::sets::{global_sets, Unavailable};
use super::util::{body_limited, localized_error, now_ms, uuid, Json};
use crate::config::{Config, FailMode, UnknownContentType};
use crate::extract::{body_kind, extract, BodyKind, ExtractError};
use crate::filter::{self, ReportContext};
use crate::i18n::{self, Lang};

pub async fn handle(
    mut req: Request,
    env: &Env,
    ctx: &Context,
    config: &Config,
    lang: Lang,
) -> Result<Response> {
    let method = req.method();
    let route = format!("{} {}", method, req.path());
    let url = origin_url(&req, config)?;
    let headers = forwarded_headers(&req)?;
    let user = session_user(&req, env);
    let content_type = req.headers().get("content-type")?;
    let Some(body) = body_limited(&mut req, config.max_body_bytes).await? else {
        return localized_error(413, "too_large", &i18n::TOO_LARGE, lang);
    };
    // A compressed body cannot be scanned as it is: it counts as an unsupported type.
    let encoded = req
        .headers()
        .get("content-encoding")?
        .is_some_and(|e| !e.trim().is_empty() && !e.trim().eq_ignore_ascii_case("identity"));
    let kind = if encoded {
        BodyKind::Other("content-encoding".into())
    } else {
        body_kind(content_type.as_deref())
    };
    let fields = match extract(&kind, &body, &config.json_fields, &config.form_fields) {
        Ok(fields) => fields,
        Err(ExtractError::UnsupportedType(_)) => {
            return match config.unknown_content_type {
                UnknownContentType::Reject => localized_error(
                    415,
                    "unsupported_content_type",
                    &i18n::UNSUPPORTED_TYPE,
                    lang,
                ),
                UnknownContentType::Forward => {
                    headers.set("termgate-verdict", "unscanned")?;
                    send_bytes(&url, method, headers, &body).await
                }
            };
        }
        Err(ExtractError::TooDeep) => {
            return localized_error(400, "too_deep", &i18n::TOO_DEEP, lang)
        }
        Err(e @ (ExtractError::Malformed(_) | ExtractError::NotUtf8)) => {
            return Json(serde_json::json!({
                "error": "malformed_body",
                "message": i18n::MALFORMED.get(lang),
                "detail": e.to_string(),
            }))
            .status(400);
        }
    };
    let sets = match global_sets(env, config).await {
        Ok(sets) => sets,
        Err(Unavailable(e)) => {
            worker::console_error!("termgate: filter unavailable: {e}");
            return match config.fail_mode {
                FailMode::Open => {
                    headers.set("termgate-verdict", "error")?;
                    send_bytes(&url, method, headers, &body).await
                }
                FailMode::Closed => {
                    let mut resp =
                        localized_error(503, "filter_unavailable", &i18n::UNAVAILABLE, lang)?;
                    // The worker looks at the sets again after this long.
                    let retry = (config.set_check_interval_ms / 1000.0).ceil().max(1.0) as u64;
                    resp.headers_mut().set("retry-after", &retry.to_string())?;
                    Ok(resp)
                }
            };
        }
    };
    let refs: Vec<&TermSet> = sets.iter().map(|s| &**s).collect();
    let now = now_ms();
    let scanner = Scanner::new(&refs).at((now / 1000.0) as i64);
    let outcome = filter::scan(&scanner, &fields);
    if matches!(outcome.action, Some(Action::Block | Action::Flag)) {
        let id = uuid();
        let report = filter::filter_report(
            &ReportContext {
                id: &id,
                time_ms: now,
                route: &route,
                user: user.as_deref(),
                body: &body,
                fields: &fields,
                include_text: config.report_include_text,
            },
            &outcome,
        );
        enqueue(env, ctx, config, &report);
    }
    match outcome.action {
        Some(Action::Block) => {
            let mut resp = Json(filter::blocked_body(&outcome, lang)).status(403)?;
            resp.headers_mut().set("termgate-verdict", "block")?;
            Ok(resp)
        }
        Some(action @ (Action::Flag | Action::Warn)) => {
            headers.set("termgate-verdict", action.as_str())?;
            headers.set("termgate-matches", &filter::matches_header(&outcome))?;
            send_bytes(&url, method, headers, &body).await
        }
        // Mute actions in a global set are refused on upload; nothing else is left.
        _ => {
            headers.set("termgate-verdict", "allow")?;
            send_bytes(&url, method, headers, &body).await
        }
    }
}
