//! The Workers entry points. `fetch` only routes; each route has its own module.

mod admin;
mod mutes;
mod posts;
mod proxy;
mod queue;
mod sets;
mod util;

use worker::{event, Context, Env, MessageBatch, Request, Response, Result};

use crate::config::Config;
use crate::i18n::{self, Lang};
use util::{json_error, localized_error, Json};

#[event(start)]
fn start() {
    console_error_panic_hook::set_once();
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    // Errors from the runtime (KV, Queue, body streams) become a JSON 500 that hides the details.
    let lang = util::lang(&req);
    match route(req, env, ctx, lang).await {
        Ok(resp) => Ok(resp),
        Err(e) => {
            worker::console_error!("termgate: {e}");
            localized_error(500, "internal", &i18n::INTERNAL, lang)
        }
    }
}

async fn route(req: Request, env: Env, ctx: Context, lang: Lang) -> Result<Response> {
    let config = match Config::from_vars(|name| util::var(&env, name)) {
        Ok(c) => c,
        Err(e) => {
            worker::console_error!("termgate: bad configuration: {e}");
            return Json(serde_json::json!({
                "error": "bad_configuration",
                "message": i18n::BAD_CONFIGURATION.get(lang),
                "detail": e.to_string(),
            }))
            .status(500);
        }
    };
    let method = req.method().to_string();
    let path = req.path();
    if let Some(rest) = path.strip_prefix("/_termgate/") {
        return match (method.as_str(), rest) {
            ("GET", "health") => sets::health(&env, &config).await,
            ("POST", "reports") => queue::user_report(req, &env, &config, lang).await,
            ("GET", "reports/fields") => Json(crate::reports::fields_catalogue()).ok(),
            (_, "mutes") => mutes::handle(req, &env, &config, lang).await,
            (_, r) if r.starts_with("sets/") => admin::handle(req, &env, &r[5..]).await,
            _ => json_error(404, "not_found", "no such termgate route"),
        };
    }
    if config.is_post_route(&method, &path) {
        return posts::handle(req, &env, &ctx, &config, lang).await;
    }
    if config.is_timeline_route(&method, &path) {
        return mutes::timeline(req, &env, &config).await;
    }
    proxy::untouched(req, &config).await
}

#[event(queue)]
async fn queue(batch: MessageBatch<String>, env: Env, _ctx: Context) -> Result<()> {
    // Never return an error: workers-rs turns it into a panic, which poisons the isolate.
    queue::deliver(batch, &env).await;
    Ok(())
}
