//! Who is asking: HS256 JSON Web Tokens issued by the origin and signed with `SESSION_SECRET`.
//!
//! Only `alg: HS256` is accepted (never `none`), the signature is compared in constant time by
//! `hmac`, `exp` and `nbf` are honoured, and `sub` must be a plain user id since it becomes part of
//! a KV key.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Why a token was refused. The worker answers all of them with the same `401`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// Not three base64url parts of JSON.
    Malformed,
    /// Another algorithm than HS256.
    Algorithm,
    /// The signature does not verify.
    Signature,
    /// Past `exp` or before `nbf`.
    Expired,
    /// `sub` missing or not a user id.
    Subject,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
}

#[derive(Deserialize)]
struct Claims {
    sub: Option<String>,
    exp: Option<f64>,
    nbf: Option<f64>,
}

/// User ids: 1–64 of `[A-Za-z0-9_.@-]`.
pub fn valid_user_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'@'))
}

/// The user id in `token` if it is a valid HS256 token signed with `secret` at time `now` (Unix
/// seconds).
pub fn verify(token: &str, secret: &[u8], now: f64) -> Result<String, TokenError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let header: Header = decode_json(h)?;
    if header.alg != "HS256" {
        return Err(TokenError::Algorithm);
    }
    let signature = URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| TokenError::Malformed)?;
    let mut mac = HmacSha256::new_from_slice(secret).map_err(|_| TokenError::Signature)?;
    mac.update(h.as_bytes());
    mac.update(b".");
    mac.update(p.as_bytes());
    mac.verify_slice(&signature)
        .map_err(|_| TokenError::Signature)?;
    let claims: Claims = decode_json(p)?;
    if claims.exp.is_some_and(|exp| now >= exp) || claims.nbf.is_some_and(|nbf| now < nbf) {
        return Err(TokenError::Expired);
    }
    claims
        .sub
        .filter(|s| valid_user_id(s))
        .ok_or(TokenError::Subject)
}

fn decode_json<T: serde::de::DeserializeOwned>(part: &str) -> Result<T, TokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| TokenError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| TokenError::Malformed)
}

/// Issues a token for `user` valid until `exp` (Unix seconds). The origin does this in production;
/// the worker only needs it in tests and benchmarks.
pub fn sign(user: &str, exp: u64, secret: &[u8]) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = serde_json::json!({ "sub": user, "exp": exp });
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signing_input = format!("{header}.{payload}");
    format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(hmac_sha256(secret, signing_input.as_bytes()))
    )
}

/// HMAC-SHA256 of `data` under `key`.
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Compares two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The token in an `Authorization: Bearer ...` header.
pub fn bearer(header: Option<&str>) -> Option<&str> {
    let value = header?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"dev-session-secret";

    #[test]
    fn round_trip() {
        let t = sign("alice", 2_000_000_000, SECRET);
        assert_eq!(verify(&t, SECRET, 1_800_000_000.0), Ok("alice".to_string()));
    }

    #[test]
    fn refusals() {
        let t = sign("alice", 2_000_000_000, SECRET);
        assert_eq!(verify(&t, b"other", 0.0), Err(TokenError::Signature));
        assert_eq!(
            verify(&t, SECRET, 2_000_000_000.0),
            Err(TokenError::Expired)
        );
        assert_eq!(verify("a.b", SECRET, 0.0), Err(TokenError::Malformed));
        assert_eq!(verify("", SECRET, 0.0), Err(TokenError::Malformed));
        assert_eq!(verify("a.b.c.d", SECRET, 0.0), Err(TokenError::Malformed));
        // A payload swapped in from another token breaks the signature.
        let bob = sign("bob", 2_000_000_000, SECRET);
        let mut parts: Vec<&str> = t.split('.').collect();
        parts[1] = bob.split('.').nth(1).unwrap();
        assert_eq!(
            verify(&parts.join("."), SECRET, 0.0),
            Err(TokenError::Signature)
        );
        // alg=none is refused before anything else.
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#),
            URL_SAFE_NO_PAD.encode(br#"{"sub":"alice"}"#)
        );
        assert_eq!(verify(&none, SECRET, 0.0), Err(TokenError::Algorithm));
        // A subject that is not a user id.
        let evil = sign("../admin", 2_000_000_000, SECRET);
        assert_eq!(verify(&evil, SECRET, 0.0), Err(TokenError::Subject));
    }

    #[test]
    fn bearer_header() {
        assert_eq!(bearer(Some("Bearer abc")), Some("abc"));
        assert_eq!(bearer(Some("bearer   abc ")), Some("abc"));
        assert_eq!(bearer(Some("Basic abc")), None);
        assert_eq!(bearer(Some("Bearer ")), None);
        assert_eq!(bearer(None), None);
    }

    #[test]
    fn equality() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
