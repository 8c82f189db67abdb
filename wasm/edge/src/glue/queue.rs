//! Reports through the `REPORTS` queue: producing them (filter verdicts and user reports, sent to
//! the origin directly when the queue refuses them) and the consumer that delivers them to the
//! origin in signed batches.

use std::time::Duration;

use serde_json::Value;
use worker::{
    Context, Delay, Env, Fetch, Headers, MessageBatch, MessageBuilder, MessageExt, Method,
    QueueContentType, QueueRetryOptionsBuilder, Request, RequestInit, Response, Result,
};

use super::mutes::session_user;
use super::util::{body_limited, localized_error, now_ms, uuid, var, Json};
use crate::config::Config;
use crate::i18n::{self, Lang};
use crate::reports::{self, Refused, Sent};

/// The queue producer binding.
pub const QUEUE_BINDING: &str = "REPORTS";

/// Tries to queue a report this many times before delivering it directly.
const QUEUE_ATTEMPTS: usize = 3;
/// Tries to deliver a report the queue refused this many times before giving up on it.
const DIRECT_ATTEMPTS: usize = 3;
/// Pause before each retry, in milliseconds: a send may fail for a moment (the queue's own
/// transient errors), and all of it must end well within the 30 s `wait_until` allows (and, for a
/// user report, while its reporter waits: at most 2.4 s of pauses in all).
const RETRY_PAUSE_MS: [u64; 2] = [200, 1000];

/// Sends a filter report after the response, without delaying it, and makes sure it is not lost:
/// a send the queue refuses is retried, then the report is POSTed to the origin directly, and
/// only if the origin refuses it too is it logged in full, as the last copy there is.
pub fn enqueue(env: &Env, ctx: &Context, config: &Config, report: &Value) {
    let body = report.to_string();
    let id = report["id"].as_str().unwrap_or_default().to_string();
    let (env, config) = (env.clone(), config.clone());
    ctx.wait_until(async move {
        if send(&env, &config, &body).await.is_none() {
            worker::console_error!(
                "termgate: REPORT LOST: neither the queue nor the origin took report {id}; \
                 the report follows, to replay by hand: {body}"
            );
        }
    });
}

/// Sends a report (its JSON) through the queue, or, when the queue refuses it or is not bound,
/// to the origin directly; `None` when neither took it. Filter and user reports both go this
/// way, so a missing binding or a queue outage loses neither.
///
/// Sent as a JSON string: workers-rs would turn a serde map into a JS `Map`, which the JSON
/// content type delivers as `{}`.
async fn send(env: &Env, config: &Config, body: &str) -> Option<Sent> {
    if send_to_queue(env, body).await {
        Some(Sent::Queued)
    } else if deliver_directly(env, config, body).await {
        Some(Sent::Delivered)
    } else {
        None
    }
}

async fn send_to_queue(env: &Env, body: &str) -> bool {
    let queue = match env.queue(QUEUE_BINDING) {
        Ok(q) => q,
        Err(e) => {
            worker::console_error!(
                "termgate: no {QUEUE_BINDING} queue ({e}); delivering the report directly"
            );
            return false;
        }
    };
    for attempt in 0..QUEUE_ATTEMPTS {
        pause_before(attempt).await;
        let message = MessageBuilder::new(body.to_string())
            .content_type(QueueContentType::Text)
            .build();
        match queue.send(message).await {
            Ok(()) => return true,
            Err(e) => worker::console_warn!(
                "termgate: queueing a report failed (try {} of {QUEUE_ATTEMPTS}): {e}",
                attempt + 1
            ),
        }
    }
    false
}

async fn pause_before(attempt: usize) {
    if let Some(&ms) = attempt.checked_sub(1).and_then(|i| RETRY_PAUSE_MS.get(i)) {
        Delay::from(Duration::from_millis(ms)).await;
    }
}

/// The report as a batch of one, to the same endpoint the consumer posts to; whether the origin
/// took it. The origin drops duplicates by id, so a report the queue took after all (and said it
/// had not) does no harm.
async fn deliver_directly(env: &Env, config: &Config, body: &str) -> bool {
    let delivery = reports::delivery(&[body.to_string()]);
    let id = delivery.ids.first().cloned().unwrap_or_default();
    for attempt in 0..DIRECT_ATTEMPTS {
        pause_before(attempt).await;
        match post(config, env, &delivery, "direct").await {
            Ok(status) if (200..300).contains(&status) => {
                worker::console_warn!(
                    "termgate: report {id} delivered to the origin directly, not through the queue"
                );
                return true;
            }
            Ok(status) => worker::console_warn!(
                "termgate: origin answered {status} to report {id} sent directly (try {} of {DIRECT_ATTEMPTS})",
                attempt + 1
            ),
            Err(e) => worker::console_warn!(
                "termgate: delivering report {id} directly failed (try {} of {DIRECT_ATTEMPTS}): {e}",
                attempt + 1
            ),
        }
    }
    false
}

/// `POST /_termgate/reports`: a user's problem report. It is sent (queue, else the origin
/// directly) before it is answered: `202` once one of them took it, else `503` with
/// `Retry-After`, so the reporter, who still has the report, sends it again.
pub async fn user_report(
    mut req: Request,
    env: &Env,
    config: &Config,
    lang: Lang,
) -> Result<Response> {
    let user = session_user(&req, env);
    let Some(body) = body_limited(&mut req, reports::MAX_USER_REPORT_BYTES).await? else {
        return Json(reports::body_too_large(lang)).status(413);
    };
    let id = uuid();
    let report = match reports::user_report(&body, lang, &id, now_ms(), user.as_deref()) {
        Ok(r) => r,
        Err(Refused { status, body }) => return Json(body).status(status),
    };
    if let Some(sent) = send(env, config, &report.to_string()).await {
        return Json(reports::accepted_body(&id, sent, lang)).status(202);
    }
    // Not logged in full like a lost filter report: the reporter has it and is told to resend,
    // and its fields (claimants' names and addresses) do not belong in logs.
    worker::console_error!(
        "termgate: user report {id} answered 503: neither the queue nor the origin took it"
    );
    let mut resp = localized_error(503, "reports_unavailable", &i18n::REPORTS_UNAVAILABLE, lang)?;
    // The pause the consumer gives the origin before retrying a failed delivery.
    resp.headers_mut()
        .set("retry-after", &config.report_retry_base_s.to_string())?;
    Ok(resp)
}

/// The consumer: one POST per batch to `ORIGIN` + `REPORTS_PATH`. A 2xx acknowledges every
/// message; anything else retries each with a delay as long as it has already waited (bounded by
/// `REPORT_RETRY_BASE_SECONDS` and `REPORT_RETRY_MAX_SECONDS`); after the queue's `max_retries` the
/// runtime moves it to the dead-letter queue.
pub async fn deliver(batch: MessageBatch<String>, env: &Env) {
    let config = match Config::from_vars(|name| var(env, name)) {
        Ok(c) => c,
        Err(e) => {
            worker::console_error!("termgate: bad configuration, retrying batch: {e}");
            batch.retry_all();
            return;
        }
    };
    let messages: Vec<_> = batch.raw_iter().collect();
    let bodies: Vec<String> = messages
        .iter()
        .map(|m| {
            let raw = m.body();
            raw.as_string()
                .or_else(|| {
                    js_sys::JSON::stringify(&raw)
                        .ok()
                        .and_then(|s| s.as_string())
                })
                .unwrap_or_default()
        })
        .collect();
    let delivery = reports::delivery(&bodies);
    for &i in &delivery.rejected {
        worker::console_error!(
            "termgate: dropping a queue message that is not a report: {:?}",
            bodies[i]
        );
        messages[i].ack();
    }
    if delivery.ids.is_empty() {
        return;
    }
    let ok = match post(&config, env, &delivery, "queue").await {
        Ok(status) if (200..300).contains(&status) => true,
        Ok(status) => {
            worker::console_error!(
                "termgate: origin answered {status} to a report batch; retrying"
            );
            false
        }
        Err(e) => {
            worker::console_error!("termgate: delivering reports failed: {e}; retrying");
            false
        }
    };
    let now = now_ms();
    for (i, m) in messages.iter().enumerate() {
        if delivery.rejected.contains(&i) {
            continue;
        }
        if ok {
            m.ack();
        } else {
            let age_s = (now - m.timestamp().as_millis() as f64) / 1000.0;
            let delay =
                reports::retry_delay(age_s, config.report_retry_base_s, config.report_retry_max_s);
            m.retry_with_options(
                &QueueRetryOptionsBuilder::new()
                    .with_delay_seconds(delay)
                    .build(),
            );
        }
    }
}

/// POSTs a signed batch to the origin; `via` (`queue` or `direct`) goes in `termgate-delivery`,
/// so the origin can tell when reports bypass the queue.
async fn post(config: &Config, env: &Env, delivery: &reports::Delivery, via: &str) -> Result<u16> {
    let secret = var(env, "REPORT_SECRET").unwrap_or_default();
    if secret.is_empty() {
        worker::console_error!(
            "termgate: REPORT_SECRET is not set; report batches are signed with an empty key"
        );
    }
    let timestamp = (now_ms() / 1000.0) as u64;
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    headers.set("termgate-timestamp", &timestamp.to_string())?;
    headers.set(
        "termgate-signature",
        &reports::signature(secret.as_bytes(), timestamp, &delivery.body),
    )?;
    headers.set("termgate-report-ids", &delivery.ids.join(","))?;
    headers.set("termgate-delivery", via)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(delivery.body.clone().into()));
    let url = format!("{}{}", config.origin, config.reports_path);
    let resp = Fetch::Request(Request::new_with_init(&url, &init)?)
        .send()
        .await?;
    Ok(resp.status_code())
}
