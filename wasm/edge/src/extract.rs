//! Finding the post text in a request body: JSON (by pointer), `application/x-www-form-urlencoded`,
//! the text parts of `multipart/form-data`, and `text/plain`.
//!
//! The body itself is never changed: these functions only read it. What they return is what gets
//! scanned; the bytes forwarded to the origin are the bytes the client sent.

use core::fmt;

use serde_json::Value;

use crate::config::Pointer;

/// One piece of post text and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// A JSON pointer to the value (`/poll/options/1`), a form field name, or `body` for
    /// `text/plain`.
    pub name: String,
    /// The text.
    pub text: String,
}

/// Why a body could not be read. Every variant is answered with a `4xx`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExtractError {
    /// Not valid JSON / form / multipart; the message says where.
    Malformed(String),
    /// JSON nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// Not UTF-8 where text was expected.
    NotUtf8,
    /// A content type the filter does not read (the value, lower-cased, without parameters).
    UnsupportedType(String),
}

impl fmt::Display for ExtractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExtractError::Malformed(m) => write!(f, "malformed body: {m}"),
            ExtractError::TooDeep => {
                write!(f, "JSON nested deeper than {MAX_DEPTH} levels")
            }
            ExtractError::NotUtf8 => f.write_str("body is not valid UTF-8"),
            ExtractError::UnsupportedType(t) => write!(f, "unsupported content type {t:?}"),
        }
    }
}

/// The deepest JSON nesting accepted. `serde_json` stops recursing at 128 levels, so deeper input is
/// refused without risking the stack; this is the same limit, reported as its own error.
pub const MAX_DEPTH: usize = 128;

/// Which kind of body a `Content-Type` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BodyKind {
    /// `application/json` or any `+json` type.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `multipart/form-data` with this boundary.
    Multipart(String),
    /// `text/plain`.
    Text,
    /// Anything else, or a multipart type without a boundary.
    Other(String),
}

/// Classifies a `Content-Type` header value. A missing header is `Other("")`.
pub fn body_kind(content_type: Option<&str>) -> BodyKind {
    let value = content_type.unwrap_or("");
    let mut parts = value.split(';');
    let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    match media.as_str() {
        "application/json" => BodyKind::Json,
        m if m.starts_with("application/") && m.ends_with("+json") => BodyKind::Json,
        "application/x-www-form-urlencoded" => BodyKind::Form,
        "text/plain" => BodyKind::Text,
        "multipart/form-data" => {
            let boundary = parts.find_map(|p| {
                let (k, v) = p.split_once('=')?;
                k.trim()
                    .eq_ignore_ascii_case("boundary")
                    .then(|| v.trim().trim_matches('"').to_string())
            });
            match boundary {
                Some(b) if !b.is_empty() && b.len() <= 70 => BodyKind::Multipart(b),
                _ => BodyKind::Other(media),
            }
        }
        _ => BodyKind::Other(media),
    }
}

/// The post text in `body`, read as `kind`. JSON fields are taken at `json_fields`; form and
/// multipart fields named in `form_fields`; a `text/plain` body is one field called `body`.
pub fn extract(
    kind: &BodyKind,
    body: &[u8],
    json_fields: &[Pointer],
    form_fields: &[String],
) -> Result<Vec<Field>, ExtractError> {
    match kind {
        BodyKind::Json => {
            let value = parse_json(body)?;
            let mut out = Vec::new();
            for pointer in json_fields {
                collect_pointer(&value, pointer, &mut out);
            }
            Ok(out)
        }
        BodyKind::Form => {
            let text = core::str::from_utf8(body).map_err(|_| ExtractError::NotUtf8)?;
            Ok(parse_form(text)?
                .into_iter()
                .filter(|(k, _)| form_fields.iter().any(|f| f == k))
                .map(|(name, text)| Field { name, text })
                .collect())
        }
        BodyKind::Multipart(boundary) => Ok(parse_multipart(body, boundary)?
            .into_iter()
            .filter(|(k, _)| form_fields.iter().any(|f| f == k))
            .map(|(name, text)| Field { name, text })
            .collect()),
        BodyKind::Text => {
            let text = core::str::from_utf8(body).map_err(|_| ExtractError::NotUtf8)?;
            Ok(vec![Field {
                name: "body".to_string(),
                text: text.to_string(),
            }])
        }
        BodyKind::Other(t) => Err(ExtractError::UnsupportedType(t.clone())),
    }
}

/// Parses JSON, telling nesting beyond [`MAX_DEPTH`] apart from other errors.
pub fn parse_json(body: &[u8]) -> Result<Value, ExtractError> {
    serde_json::from_slice(body).map_err(json_error)
}

/// Classifies a `serde_json` error: nesting beyond [`MAX_DEPTH`], or malformed.
pub fn json_error(e: serde_json::Error) -> ExtractError {
    if e.to_string().starts_with("recursion limit exceeded") {
        ExtractError::TooDeep
    } else {
        ExtractError::Malformed(format!("JSON: {e}"))
    }
}

/// Appends every string found at `pointer` (with `*` matching every element or member) to `out`,
/// named by its concrete pointer. Non-string values are ignored.
pub fn collect_pointer(value: &Value, pointer: &Pointer, out: &mut Vec<Field>) {
    walk(value, &pointer.segments, String::new(), out);
}

fn walk(value: &Value, rest: &[String], path: String, out: &mut Vec<Field>) {
    let Some((head, tail)) = rest.split_first() else {
        if let Value::String(s) = value {
            out.push(Field {
                name: path,
                text: s.clone(),
            });
        }
        return;
    };
    match value {
        Value::Object(map) if head == "*" => {
            for (k, v) in map {
                walk(v, tail, format!("{path}/{}", escape(k)), out);
            }
        }
        Value::Object(map) => {
            if let Some(v) = map.get(head) {
                walk(v, tail, format!("{path}/{}", escape(head)), out);
            }
        }
        Value::Array(items) if head == "*" => {
            for (i, v) in items.iter().enumerate() {
                walk(v, tail, format!("{path}/{i}"), out);
            }
        }
        Value::Array(items) => {
            if let Some(v) = head.parse::<usize>().ok().and_then(|i| items.get(i)) {
                walk(v, tail, format!("{path}/{head}"), out);
            }
        }
        _ => {}
    }
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Decodes an urlencoded body into name/value pairs, in order.
pub fn parse_form(text: &str) -> Result<Vec<(String, String)>, ExtractError> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((percent_decode(k)?, percent_decode(v)?))
        })
        .collect()
}

fn percent_decode(s: &str) -> Result<String, ExtractError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| core::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| {
                        ExtractError::Malformed(format!("form: bad percent escape at byte {i}"))
                    })?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| ExtractError::NotUtf8)
}

/// The text parts of a `multipart/form-data` body: parts without a `filename` whose own content
/// type, if any, is `text/plain`. Returns their names and values, in order.
pub fn parse_multipart(body: &[u8], boundary: &str) -> Result<Vec<(String, String)>, ExtractError> {
    let malformed = |m: &str| ExtractError::Malformed(format!("multipart: {m}"));
    let delimiter = format!("--{boundary}");
    let delim = delimiter.as_bytes();
    let mut pos = find(body, delim, 0).ok_or_else(|| malformed("no opening boundary"))?;
    let mut out = Vec::new();
    loop {
        pos += delim.len();
        if body[pos..].starts_with(b"--") {
            return Ok(out);
        }
        if !body[pos..].starts_with(b"\r\n") {
            return Err(malformed("boundary not followed by CRLF"));
        }
        pos += 2;
        let head_end =
            find(body, b"\r\n\r\n", pos).ok_or_else(|| malformed("part without header end"))?;
        let headers =
            core::str::from_utf8(&body[pos..head_end]).map_err(|_| ExtractError::NotUtf8)?;
        let content_start = head_end + 4;
        let next = find(body, &[b"\r\n", delim].concat(), content_start)
            .ok_or_else(|| malformed("part without closing boundary"))?;
        let content = &body[content_start..next];
        if let Some(name) = text_part_name(headers) {
            let text = core::str::from_utf8(content).map_err(|_| ExtractError::NotUtf8)?;
            out.push((name, text.to_string()));
        }
        pos = next + 2;
    }
}

fn text_part_name(headers: &str) -> Option<String> {
    let mut name = None;
    let mut is_text = true;
    for line in headers.split("\r\n") {
        let (key, value) = line.split_once(':')?;
        let key = key.trim().to_ascii_lowercase();
        if key == "content-disposition" {
            for param in value.split(';').skip(1) {
                let (k, v) = param.split_once('=').unwrap_or((param, ""));
                match k.trim().to_ascii_lowercase().as_str() {
                    "name" => name = Some(v.trim().trim_matches('"').to_string()),
                    "filename" | "filename*" => is_text = false,
                    _ => {}
                }
            }
        } else if key == "content-type" {
            let media = value.split(';').next().unwrap_or("").trim();
            is_text &= media.eq_ignore_ascii_case("text/plain");
        }
    }
    name.filter(|_| is_text)
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > haystack.len() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ptrs(list: &[&str]) -> Vec<Pointer> {
        list.iter().map(|p| Pointer::parse(p).unwrap()).collect()
    }

    fn names_texts(fields: &[Field]) -> Vec<(&str, &str)> {
        fields
            .iter()
            .map(|f| (f.name.as_str(), f.text.as_str()))
            .collect()
    }

    #[test]
    fn kinds() {
        assert_eq!(
            body_kind(Some("application/json; charset=utf-8")),
            BodyKind::Json
        );
        assert_eq!(body_kind(Some("application/activity+json")), BodyKind::Json);
        assert_eq!(body_kind(Some("Text/Plain")), BodyKind::Text);
        assert_eq!(
            body_kind(Some("application/x-www-form-urlencoded")),
            BodyKind::Form
        );
        assert_eq!(
            body_kind(Some("multipart/form-data; boundary=\"abc\"")),
            BodyKind::Multipart("abc".into())
        );
        assert_eq!(
            body_kind(Some("multipart/form-data")),
            BodyKind::Other("multipart/form-data".into())
        );
        assert_eq!(body_kind(None), BodyKind::Other(String::new()));
        assert_eq!(
            body_kind(Some("image/png")),
            BodyKind::Other("image/png".into())
        );
    }

    #[test]
    fn json_pointers_with_wildcards() {
        let body = br#"{"text":"hello","spoiler_text":"cw","poll":{"options":["a","b",3]},"n":1}"#;
        let fields = extract(
            &BodyKind::Json,
            body,
            &ptrs(&["/text", "/poll/options/*", "/missing", "/n"]),
            &[],
        )
        .unwrap();
        assert_eq!(
            names_texts(&fields),
            [
                ("/text", "hello"),
                ("/poll/options/0", "a"),
                ("/poll/options/1", "b")
            ]
        );
        let body = br#"{"a/b":{"x":"1","y":"2"},"arr":["p","q"]}"#;
        let fields = extract(&BodyKind::Json, body, &ptrs(&["/a~1b/*", "/arr/1"]), &[]).unwrap();
        assert_eq!(
            names_texts(&fields),
            [("/a~1b/x", "1"), ("/a~1b/y", "2"), ("/arr/1", "q")]
        );
    }

    #[test]
    fn json_errors() {
        let p = ptrs(&["/text"]);
        assert!(matches!(
            extract(&BodyKind::Json, b"{\"text\":", &p, &[]),
            Err(ExtractError::Malformed(_))
        ));
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(
            extract(&BodyKind::Json, deep.as_bytes(), &p, &[]),
            Err(ExtractError::TooDeep)
        );
        let ok = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(extract(&BodyKind::Json, ok.as_bytes(), &p, &[]).is_ok());
        let deep_obj = "{\"a\":".repeat(5000);
        assert_eq!(
            extract(&BodyKind::Json, deep_obj.as_bytes(), &p, &[]),
            Err(ExtractError::TooDeep)
        );
    }

    #[test]
    fn forms() {
        let form = ["text".to_string(), "poll[options][]".to_string()];
        let body =
            b"text=hello+w%C3%B6rld&other=x&poll%5Boptions%5D%5B%5D=a&poll%5Boptions%5D%5B%5D=b";
        let fields = extract(&BodyKind::Form, body, &[], &form).unwrap();
        assert_eq!(
            names_texts(&fields),
            [
                ("text", "hello wörld"),
                ("poll[options][]", "a"),
                ("poll[options][]", "b")
            ]
        );
        assert!(matches!(
            extract(&BodyKind::Form, b"text=%ZZ", &[], &form),
            Err(ExtractError::Malformed(_))
        ));
        assert_eq!(
            extract(&BodyKind::Form, b"text=%FF", &[], &form),
            Err(ExtractError::NotUtf8)
        );
    }

    #[test]
    fn multipart_text_parts_only() {
        let body = "--XyZ\r\n\
            Content-Disposition: form-data; name=\"text\"\r\n\r\n\
            こんにちは\r\nsecond line\r\n\
            --XyZ\r\n\
            Content-Disposition: form-data; name=\"media\"; filename=\"a.txt\"\r\n\
            Content-Type: text/plain\r\n\r\n\
            file text is not scanned\r\n\
            --XyZ\r\n\
            Content-Disposition: form-data; name=\"spoiler_text\"\r\n\
            Content-Type: text/plain; charset=utf-8\r\n\r\n\
            cw\r\n\
            --XyZ--\r\n";
        let form = [
            "text".to_string(),
            "spoiler_text".to_string(),
            "media".to_string(),
        ];
        let fields = extract(
            &BodyKind::Multipart("XyZ".into()),
            body.as_bytes(),
            &[],
            &form,
        )
        .unwrap();
        assert_eq!(
            names_texts(&fields),
            [
                ("text", "こんにちは\r\nsecond line"),
                ("spoiler_text", "cw")
            ]
        );
        for bad in [
            "",
            "--XyZ\r\nno header end",
            "--XyZ\r\nA: b\r\n\r\nno close",
            "--XyZx",
        ] {
            assert!(
                matches!(
                    extract(
                        &BodyKind::Multipart("XyZ".into()),
                        bad.as_bytes(),
                        &[],
                        &form
                    ),
                    Err(ExtractError::Malformed(_))
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn plain_text() {
        let fields = extract(&BodyKind::Text, "ばか".as_bytes(), &[], &[]).unwrap();
        assert_eq!(names_texts(&fields), [("body", "ばか")]);
        assert_eq!(
            extract(&BodyKind::Text, &[0xff], &[], &[]),
            Err(ExtractError::NotUtf8)
        );
        assert_eq!(
            extract(&BodyKind::Other("image/png".into()), b"", &[], &[]),
            Err(ExtractError::UnsupportedType("image/png".into()))
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn arbitrary_bodies_never_panic(
            body in prop::collection::vec(any::<u8>(), 0..300),
            kind in prop_oneof![
                Just(BodyKind::Json),
                Just(BodyKind::Form),
                Just(BodyKind::Text),
                "[-a-z0-9]{1,8}".prop_map(BodyKind::Multipart),
            ],
        ) {
            let pointers = [Pointer::parse("/text").unwrap(), Pointer::parse("/*/*").unwrap()];
            let _ = extract(&kind, &body, &pointers, &["text".to_string()]);
        }

        #[test]
        fn multipart_round_trip(values in prop::collection::vec("[a-zA-Z0-9 \r\n.ば-]{0,40}", 1..5)) {
            let boundary = "zz--bound";
            let mut body = String::new();
            for v in &values {
                body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n{v}\r\n"));
            }
            body.push_str(&format!("--{boundary}--\r\n"));
            let got = extract(&BodyKind::Multipart(boundary.into()), body.as_bytes(), &[], &["text".to_string()]);
            let got: Vec<String> = got.unwrap().into_iter().map(|f| f.text).collect();
            prop_assert_eq!(got, values);
        }

        #[test]
        fn form_round_trip(values in prop::collection::vec("\\PC{0,20}", 1..4)) {
            let enc = |s: &str| crate::filter::encode_component(s);
            let body: Vec<String> = values.iter().map(|v| format!("text={}", enc(v))).collect();
            let got = extract(&BodyKind::Form, body.join("&").as_bytes(), &[], &["text".to_string()]).unwrap();
            let got: Vec<String> = got.into_iter().map(|f| f.text).collect();
            prop_assert_eq!(got, values);
        }
    }
}
