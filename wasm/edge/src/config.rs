//! Settings, read once per request from the Worker's `[vars]` (see `wrangler.toml`, where every
//! setting is documented). Parsing is plain Rust so it is unit-tested natively.

use core::fmt;

/// An HTTP method and path pattern, written `POST /api/posts`. A path ending in `*` matches every
/// path that starts with what comes before the star.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// Upper-case method, or `*` for any.
    pub method: String,
    /// A path, or a prefix followed by `*`.
    pub path: String,
}

impl Route {
    /// Whether a request with this method and path is on the route.
    pub fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = self.method == "*" || self.method.eq_ignore_ascii_case(method);
        let path_ok = match self.path.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => self.path == path,
        };
        method_ok && path_ok
    }
}

/// A JSON pointer (RFC 6901) whose segments may be `*`, "every element or member here".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pointer {
    /// The pointer as written, such as `/poll/options/*`.
    pub text: String,
    /// Unescaped segments (`~1` is `/`, `~0` is `~`).
    pub segments: Vec<String>,
}

impl Pointer {
    /// Parses `/a/b/*`; the empty string is the whole document.
    pub fn parse(text: &str) -> Result<Pointer, ConfigError> {
        if text.is_empty() {
            return Ok(Pointer {
                text: String::new(),
                segments: Vec::new(),
            });
        }
        let Some(rest) = text.strip_prefix('/') else {
            return Err(ConfigError::new(format!(
                "JSON pointer {text:?} must start with '/'"
            )));
        };
        let segments = rest
            .split('/')
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect();
        Ok(Pointer {
            text: text.to_string(),
            segments,
        })
    }
}

/// What to do when the filter itself cannot run (KV unreachable, a configured set corrupt with no
/// good copy in this isolate).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailMode {
    /// Forward the request unscanned with `termgate-verdict: error`.
    Open,
    /// Answer `503`.
    Closed,
}

/// What to do with a body on a posting route whose content type the filter does not understand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnknownContentType {
    /// Answer `415`.
    Reject,
    /// Forward it unscanned with `termgate-verdict: unscanned`.
    Forward,
}

/// Every setting of the worker.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where requests go: scheme, host and optional port, no trailing slash.
    pub origin: String,
    /// Requests whose bodies are scanned before forwarding.
    pub post_routes: Vec<Route>,
    /// Which parts of a JSON body are post text.
    pub json_fields: Vec<Pointer>,
    /// Which form fields (urlencoded or multipart text parts) are post text.
    pub form_fields: Vec<String>,
    /// Bodies of other content types on posting routes.
    pub unknown_content_type: UnknownContentType,
    /// Responses rewritten with the reader's mute list.
    pub timeline_routes: Vec<Route>,
    /// Where the array of posts sits in a timeline response.
    pub timeline_items: Pointer,
    /// Which parts of each post are matched against the mute list.
    pub timeline_fields: Vec<Pointer>,
    /// The global term sets every post is scanned with, by name.
    pub global_sets: Vec<String>,
    /// How long an isolate trusts its cached copy of a set before asking KV for the version.
    pub set_check_interval_ms: f64,
    /// How long an isolate uses a reader's cached mute list (or its absence) before asking KV
    /// again; 0 asks KV on every timeline.
    pub mute_check_interval_ms: f64,
    /// See [`FailMode`].
    pub fail_mode: FailMode,
    /// Larger bodies on posting routes get `413`.
    pub max_body_bytes: usize,
    /// Path on the origin that receives report batches.
    pub reports_path: String,
    /// Whether reports carry the post's text (otherwise only its SHA-256).
    pub report_include_text: bool,
    /// First retry delay of a failed report delivery, seconds.
    pub report_retry_base_s: u32,
    /// Longest retry delay, seconds.
    pub report_retry_max_s: u32,
}

/// A setting that could not be understood; names the variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError(String);

impl ConfigError {
    fn new(message: String) -> ConfigError {
        ConfigError(message)
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// The defaults, as documented in `wrangler.toml`.
pub mod defaults {
    /// `ORIGIN`
    pub const ORIGIN: &str = "http://127.0.0.1:8788";
    /// `POST_ROUTES`
    pub const POST_ROUTES: &str = "POST /api/posts, POST /api/comments";
    /// `POST_JSON_FIELDS`
    pub const POST_JSON_FIELDS: &str = "/text, /spoiler_text, /poll/options/*";
    /// `POST_FORM_FIELDS`
    pub const POST_FORM_FIELDS: &str = "text, spoiler_text, poll[options][]";
    /// `TIMELINE_ROUTES`
    pub const TIMELINE_ROUTES: &str = "GET /api/timeline, GET /api/notifications";
    /// `TIMELINE_ITEMS`
    pub const TIMELINE_ITEMS: &str = "/posts";
    /// `TIMELINE_FIELDS`
    pub const TIMELINE_FIELDS: &str = "/text, /spoiler_text";
    /// `GLOBAL_SETS`
    pub const GLOBAL_SETS: &str = "default";
    /// `MAX_BODY_BYTES`
    pub const MAX_BODY_BYTES: usize = 1024 * 1024;
    /// `REPORTS_PATH`
    pub const REPORTS_PATH: &str = "/_termgate/reports";
    /// `MUTE_CHECK_INTERVAL_SECONDS`: KV's own eventual consistency is about 60 s.
    pub const MUTE_CHECK_INTERVAL_SECONDS: u64 = 60;
    /// The longest `MUTE_CHECK_INTERVAL_SECONDS`: another isolate sees a user's change within it.
    pub const MUTE_CHECK_INTERVAL_MAX_SECONDS: u64 = 3600;
}

impl Config {
    /// Reads every setting through `var` (the Worker's environment; `None` when unset), applying
    /// the defaults. Errors name the variable and what is wrong with it.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |name: &str, default: &str| -> String {
            var(name)
                .map(|v| v.trim().to_string())
                .unwrap_or_else(|| default.to_string())
        };
        let origin = get("ORIGIN", defaults::ORIGIN)
            .trim_end_matches('/')
            .to_string();
        if !(origin.starts_with("http://") || origin.starts_with("https://")) {
            return Err(ConfigError::new(format!(
                "ORIGIN {origin:?} must start with http:// or https://"
            )));
        }
        let reports_path = get("REPORTS_PATH", defaults::REPORTS_PATH);
        if !reports_path.starts_with('/') {
            return Err(ConfigError::new(format!(
                "REPORTS_PATH {reports_path:?} must start with '/'"
            )));
        }
        let global_sets: Vec<String> = list(&get("GLOBAL_SETS", defaults::GLOBAL_SETS))
            .map(str::to_string)
            .collect();
        if let Some(bad) = global_sets.iter().find(|n| !valid_set_name(n)) {
            return Err(ConfigError::new(format!(
                "GLOBAL_SETS: {bad:?} is not a set name (letters, digits, '-', '_', at most 64)"
            )));
        }
        let mute_check_interval_s = number(
            "MUTE_CHECK_INTERVAL_SECONDS",
            &get(
                "MUTE_CHECK_INTERVAL_SECONDS",
                &defaults::MUTE_CHECK_INTERVAL_SECONDS.to_string(),
            ),
        )?;
        if mute_check_interval_s > defaults::MUTE_CHECK_INTERVAL_MAX_SECONDS {
            return Err(ConfigError::new(format!(
                "MUTE_CHECK_INTERVAL_SECONDS must be at most {} (other isolates see a user's \
                 change to their mute list only after it), not {mute_check_interval_s}",
                defaults::MUTE_CHECK_INTERVAL_MAX_SECONDS
            )));
        }
        Ok(Config {
            origin,
            post_routes: routes("POST_ROUTES", &get("POST_ROUTES", defaults::POST_ROUTES))?,
            json_fields: pointers(&get("POST_JSON_FIELDS", defaults::POST_JSON_FIELDS))?,
            form_fields: list(&get("POST_FORM_FIELDS", defaults::POST_FORM_FIELDS))
                .map(str::to_string)
                .collect(),
            unknown_content_type: match get("UNKNOWN_CONTENT_TYPE", "reject").as_str() {
                "reject" => UnknownContentType::Reject,
                "forward" => UnknownContentType::Forward,
                other => {
                    return Err(ConfigError::new(format!(
                        "UNKNOWN_CONTENT_TYPE must be reject or forward, not {other:?}"
                    )))
                }
            },
            timeline_routes: routes(
                "TIMELINE_ROUTES",
                &get("TIMELINE_ROUTES", defaults::TIMELINE_ROUTES),
            )?,
            timeline_items: Pointer::parse(&get("TIMELINE_ITEMS", defaults::TIMELINE_ITEMS))?,
            timeline_fields: pointers(&get("TIMELINE_FIELDS", defaults::TIMELINE_FIELDS))?,
            global_sets,
            set_check_interval_ms: number(
                "SET_CHECK_INTERVAL_SECONDS",
                &get("SET_CHECK_INTERVAL_SECONDS", "10"),
            )? as f64
                * 1000.0,
            mute_check_interval_ms: mute_check_interval_s as f64 * 1000.0,
            fail_mode: match get("FAIL_MODE", "open").as_str() {
                "open" => FailMode::Open,
                "closed" => FailMode::Closed,
                other => {
                    return Err(ConfigError::new(format!(
                        "FAIL_MODE must be open or closed, not {other:?}"
                    )))
                }
            },
            max_body_bytes: number(
                "MAX_BODY_BYTES",
                &get("MAX_BODY_BYTES", &defaults::MAX_BODY_BYTES.to_string()),
            )? as usize,
            reports_path,
            report_include_text: flag("REPORT_INCLUDE_TEXT", &get("REPORT_INCLUDE_TEXT", "false"))?,
            report_retry_base_s: number(
                "REPORT_RETRY_BASE_SECONDS",
                &get("REPORT_RETRY_BASE_SECONDS", "5"),
            )? as u32,
            report_retry_max_s: number(
                "REPORT_RETRY_MAX_SECONDS",
                &get("REPORT_RETRY_MAX_SECONDS", "600"),
            )? as u32,
        })
    }

    /// Whether the request is on a posting route.
    pub fn is_post_route(&self, method: &str, path: &str) -> bool {
        self.post_routes.iter().any(|r| r.matches(method, path))
    }

    /// Whether the request is on a timeline route.
    pub fn is_timeline_route(&self, method: &str, path: &str) -> bool {
        self.timeline_routes.iter().any(|r| r.matches(method, path))
    }
}

/// Set names: 1–64 of `[A-Za-z0-9_-]`. They become KV keys and URL segments.
pub fn valid_set_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether a header of a scanned post is copied onto the request forwarded to the origin: every
/// header except those the runtime sets for the new body and URL (`content-length`, `host`,
/// `transfer-encoding`) and any `termgate-*` header a client sent (only the edge sets those).
pub fn forwards_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    !matches!(
        name.as_str(),
        "content-length" | "host" | "transfer-encoding"
    ) && !name.starts_with("termgate-")
}

/// The path and query of a serialized absolute URL (`https://host/p?q#f` gives `/p?q`), without
/// parsing it: after `scheme://`, the first `/` starts the path (WHATWG serialization of http(s)
/// URLs always has one); a fragment is dropped.
pub fn path_and_query(url: &str) -> &str {
    let url = url.split('#').next().unwrap_or("");
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find(['/', '?']) {
        Some(i) => &url[after_scheme + i..],
        None => "/",
    }
}

fn list(text: &str) -> impl Iterator<Item = &str> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty())
}

fn routes(var: &str, text: &str) -> Result<Vec<Route>, ConfigError> {
    list(text)
        .map(|item| {
            let mut parts = item.split_whitespace();
            match (parts.next(), parts.next(), parts.next()) {
                (Some(method), Some(path), None) if path.starts_with('/') => Ok(Route {
                    method: method.to_ascii_uppercase(),
                    path: path.to_string(),
                }),
                _ => Err(ConfigError::new(format!(
                    "{var}: {item:?} is not \"METHOD /path\""
                ))),
            }
        })
        .collect()
}

fn pointers(text: &str) -> Result<Vec<Pointer>, ConfigError> {
    list(text).map(Pointer::parse).collect()
}

fn number(var: &str, text: &str) -> Result<u64, ConfigError> {
    text.parse()
        .map_err(|_| ConfigError::new(format!("{var} must be a whole number, not {text:?}")))
}

fn flag(var: &str, text: &str) -> Result<bool, ConfigError> {
    match text {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" | "" => Ok(false),
        _ => Err(ConfigError::new(format!(
            "{var} must be true or false, not {text:?}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_vars(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults() {
        let c = config(&[]).unwrap();
        assert_eq!(c.origin, "http://127.0.0.1:8788");
        assert!(c.is_post_route("POST", "/api/posts"));
        assert!(c.is_post_route("post", "/api/comments"));
        assert!(!c.is_post_route("GET", "/api/posts"));
        assert!(!c.is_post_route("POST", "/api/posts/1"));
        assert!(c.is_timeline_route("GET", "/api/notifications"));
        assert_eq!(c.json_fields.len(), 3);
        assert_eq!(c.json_fields[2].segments, ["poll", "options", "*"]);
        assert_eq!(c.global_sets, ["default"]);
        assert_eq!(c.fail_mode, FailMode::Open);
        assert_eq!(c.max_body_bytes, 1 << 20);
        assert_eq!(c.unknown_content_type, UnknownContentType::Reject);
        assert_eq!(c.set_check_interval_ms, 10_000.0);
        assert_eq!(c.mute_check_interval_ms, 60_000.0);
        assert!(!c.report_include_text);
    }

    #[test]
    fn overrides() {
        let c = config(&[
            ("ORIGIN", "https://social.example/"),
            ("POST_ROUTES", "PUT /api/v1/statuses/*, * /graphql"),
            ("FAIL_MODE", "closed"),
            ("MAX_BODY_BYTES", "2048"),
            ("GLOBAL_SETS", "default, extra_1"),
            ("UNKNOWN_CONTENT_TYPE", "forward"),
            ("POST_JSON_FIELDS", "/a~1b/c~0d"),
        ])
        .unwrap();
        assert_eq!(c.origin, "https://social.example");
        assert!(c.is_post_route("PUT", "/api/v1/statuses/12"));
        assert!(c.is_post_route("DELETE", "/graphql"));
        assert!(!c.is_post_route("POST", "/api/posts"));
        assert_eq!(c.fail_mode, FailMode::Closed);
        assert_eq!(c.max_body_bytes, 2048);
        assert_eq!(c.global_sets, ["default", "extra_1"]);
        assert_eq!(c.json_fields[0].segments, ["a/b", "c~d"]);
        for (text, ms) in [("0", 0.0), ("1", 1000.0), ("3600", 3_600_000.0)] {
            let c = config(&[("MUTE_CHECK_INTERVAL_SECONDS", text)]).unwrap();
            assert_eq!(c.mute_check_interval_ms, ms, "{text}");
        }
    }

    #[test]
    fn errors_name_the_variable() {
        for (pairs, needle) in [
            (&[("FAIL_MODE", "maybe")][..], "FAIL_MODE"),
            (&[("MAX_BODY_BYTES", "1MB")][..], "MAX_BODY_BYTES"),
            (&[("POST_ROUTES", "POST")][..], "POST_ROUTES"),
            (&[("POST_JSON_FIELDS", "text")][..], "must start with '/'"),
            (&[("ORIGIN", "ftp://x")][..], "ORIGIN"),
            (&[("GLOBAL_SETS", "a/b")][..], "GLOBAL_SETS"),
            (
                &[("MUTE_CHECK_INTERVAL_SECONDS", "1.5")][..],
                "MUTE_CHECK_INTERVAL_SECONDS must be a whole number",
            ),
            (
                &[("MUTE_CHECK_INTERVAL_SECONDS", "-1")][..],
                "MUTE_CHECK_INTERVAL_SECONDS must be a whole number",
            ),
            (
                &[("MUTE_CHECK_INTERVAL_SECONDS", "3601")][..],
                "MUTE_CHECK_INTERVAL_SECONDS must be at most 3600",
            ),
            (
                &[("REPORT_INCLUDE_TEXT", "sometimes")][..],
                "REPORT_INCLUDE_TEXT",
            ),
        ] {
            let err = config(pairs).unwrap_err().to_string();
            assert!(err.contains(needle), "{err}");
        }
    }

    /// `wrangler.toml` documents every setting the worker reads, each with a comment, and its values
    /// are the defaults.
    #[test]
    fn wrangler_toml_documents_every_setting() {
        let toml = include_str!("../../../wrangler.toml");
        let mut vars = HashMap::new();
        let mut in_vars = false;
        let mut previous = "";
        for line in toml.lines() {
            let line = line.trim();
            if line.starts_with('[') {
                in_vars = line == "[vars]";
            } else if in_vars && !line.is_empty() && !line.starts_with('#') {
                let (k, v) = line.split_once('=').expect("KEY = \"value\"");
                assert!(previous.starts_with('#'), "{k} has no comment above it");
                vars.insert(k.trim().to_string(), v.trim().trim_matches('"').to_string());
            }
            previous = line;
        }
        let read = std::cell::RefCell::new(Vec::new());
        Config::from_vars(|name| {
            read.borrow_mut().push(name.to_string());
            None
        })
        .unwrap();
        for name in read.borrow().iter() {
            assert!(
                vars.contains_key(name),
                "{name} is not in wrangler.toml [vars]"
            );
        }
        assert_eq!(
            vars.len(),
            read.borrow().len(),
            "wrangler.toml has settings nobody reads"
        );
        let from_toml = Config::from_vars(|k| vars.get(k).cloned()).unwrap();
        let defaults = Config::from_vars(|_| None).unwrap();
        assert_eq!(format!("{from_toml:?}"), format!("{defaults:?}"));
    }

    #[test]
    fn forwarded_headers() {
        for keep in [
            "content-type",
            "Authorization",
            "x-client",
            "cookie",
            "accept-language",
        ] {
            assert!(forwards_header(keep), "{keep}");
        }
        for drop in [
            "Content-Length",
            "host",
            "transfer-encoding",
            "termgate-verdict",
            "TermGate-Matches",
        ] {
            assert!(!forwards_header(drop), "{drop}");
        }
    }

    #[test]
    fn paths() {
        assert_eq!(path_and_query("http://h:1/a/b?c=%20d"), "/a/b?c=%20d");
        assert_eq!(path_and_query("https://h/"), "/");
        assert_eq!(path_and_query("https://h"), "/");
        assert_eq!(path_and_query("https://h/x#frag"), "/x");
        assert_eq!(path_and_query("https://h?q"), "?q");
    }

    #[test]
    fn set_names() {
        assert!(valid_set_name("default"));
        assert!(valid_set_name("ja-2026_v1"));
        assert!(!valid_set_name(""));
        assert!(!valid_set_name("../x"));
        assert!(!valid_set_name(&"a".repeat(65)));
    }
}
