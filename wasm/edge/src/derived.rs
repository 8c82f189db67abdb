//! The derived copy of a rebuilt set: what a rebuild keeps in KV so that the next isolate need not
//! rebuild again.
//!
//! Stored bytes that another termgate version compiled are rebuilt from the term list stored
//! beside them. The rebuild must not write the keys uploads write (`set:`, `setver:`, `mute:`,
//! ...): KV has no compare-and-swap, so an upload landing between the rebuild's reads and its write
//! would be overwritten by the old content. It writes a key of its own instead (`setbuilt:{name}`,
//! `mutebuilt:{user}`), which only rebuilds write and which names what it was built from, so that
//! it is used only while the stored bytes and the term list are still exactly those.
//!
//! The value:
//!
//! ```text
//! offset size
//!      0    8  magic b"TGBUILT1"
//!      8   32  fingerprint: SHA-256 of the stored bytes' length (u64 LE), the stored bytes and
//!              the term list it was rebuilt from
//!     40    …  the rebuilt set's bytes (a set of this build's format and normalization)
//! ```
//!
//! A value that is not one, whose fingerprint is another's, or that is larger than the originals
//! may be is ignored, and the next rebuild overwrites it: it only ever costs a rebuild.

use sha2::{Digest, Sha256};

const MAGIC: &[u8; 8] = b"TGBUILT1";
const FINGERPRINT_LEN: usize = 32;
const HEADER_LEN: usize = MAGIC.len() + FINGERPRINT_LEN;

/// What a derived value was built from.
pub type Fingerprint = [u8; FINGERPRINT_LEN];

/// The fingerprint of stored bytes and their term list. The term list counts too: during a
/// rollout an isolate of the older version may store its own bytes of a new list while another
/// reads the list before it changed; a copy keyed on the bytes alone would then hold the old list
/// under the new bytes for good. The length keeps `(ab, c)` and `(a, bc)` apart.
pub fn fingerprint(stored: &[u8], source: &str) -> Fingerprint {
    let mut h = Sha256::new();
    h.update((stored.len() as u64).to_le_bytes());
    h.update(stored);
    h.update(source.as_bytes());
    h.finalize().into()
}

/// The value to store for `rebuilt` (a set's bytes) built from what `fingerprint` names; `None`
/// when it would be larger than `max`, the limit on the originals.
pub fn encode(fingerprint: &Fingerprint, rebuilt: &[u8], max: usize) -> Option<Vec<u8>> {
    let len = HEADER_LEN
        .checked_add(rebuilt.len())
        .filter(|&n| n <= max)?;
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(fingerprint);
    out.extend_from_slice(rebuilt);
    Some(out)
}

/// Why a derived value was not used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ignored {
    /// Larger than the originals may be.
    TooLarge,
    /// Not a derived value (another layout, or truncated).
    NotDerived,
    /// Built from other stored bytes or another term list: they changed since.
    Stale,
}

impl std::fmt::Display for Ignored {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Ignored::TooLarge => "larger than the limit",
            Ignored::NotDerived => "not a rebuilt set",
            Ignored::Stale => "built from other bytes or another term list",
        })
    }
}

/// The rebuilt set's bytes in `value`, if it was built from what `fingerprint` names and is no
/// larger than `max`. The bytes are still to be loaded (and may not load: another version built
/// them, or they are corrupt).
pub fn decode<'a>(
    value: &'a [u8],
    fingerprint: &Fingerprint,
    max: usize,
) -> Result<&'a [u8], Ignored> {
    if value.len() > max {
        return Err(Ignored::TooLarge);
    }
    if value.len() < HEADER_LEN || !value.starts_with(MAGIC) {
        return Err(Ignored::NotDerived);
    }
    if value[MAGIC.len()..HEADER_LEN] != fingerprint[..] {
        return Err(Ignored::Stale);
    }
    Ok(&value[HEADER_LEN..])
}

/// The version stored set bytes carry, as uploads store it in `setver:` (the checksum field of
/// the header), when this build knows where it is: bytes of its own format (the magic and the
/// format version match), whatever normalization built them. `None` for anything else.
pub fn stored_version(stored: &[u8]) -> Option<String> {
    const SET_MAGIC: &[u8; 8] = b"TGSET\0\r\n";
    const FORMAT_AT: usize = 8;
    const CHECKSUM_AT: usize = 32;
    if !stored.starts_with(SET_MAGIC) {
        return None;
    }
    let format: [u8; 2] = stored.get(FORMAT_AT..FORMAT_AT + 2)?.try_into().ok()?;
    if u16::from_le_bytes(format) != termgate::FORMAT_VERSION {
        return None;
    }
    let sum: [u8; 8] = stored.get(CHECKSUM_AT..CHECKSUM_AT + 8)?.try_into().ok()?;
    Some(format!("{:016x}", u64::from_le_bytes(sum)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use termgate::{compile_str, TermSet};

    #[test]
    fn fingerprints_name_the_bytes_and_the_list() {
        let base = fingerprint(b"abc", "list");
        let cases: &[(&[u8], &str, bool)] = &[
            (b"abc", "list", true),
            (b"abd", "list", false),
            (b"abc", "list\n", false),
            (b"ab", "clist", false),
            (b"abcl", "ist", false),
            (b"", "abclist", false),
        ];
        for &(stored, source, same) in cases {
            assert_eq!(
                fingerprint(stored, source) == base,
                same,
                "{stored:?} {source:?}"
            );
        }
    }

    #[test]
    fn encode_then_decode() {
        let fp = fingerprint(b"old bytes", "[hide]\nx\n");
        let other = fingerprint(b"old bytes", "[hide]\ny\n");
        let value = encode(&fp, b"rebuilt", 100).unwrap();
        assert_eq!(value.len(), HEADER_LEN + 7);
        let mut truncated_magic = value.clone();
        truncated_magic[0] = b'X';
        let exactly = encode(&fp, b"rebuilt", HEADER_LEN + 7).unwrap();
        let empty = encode(&fp, b"", 100).unwrap();
        const SET: &[u8] = b"TGSET\0\r\n, a set's magic, and more than 40 bytes in all";
        type Case<'a> = (&'a [u8], &'a Fingerprint, usize, Result<&'a [u8], Ignored>);
        let cases: &[Case] = &[
            (&value, &fp, 100, Ok(b"rebuilt")),
            (&exactly, &fp, HEADER_LEN + 7, Ok(b"rebuilt")),
            (&empty, &fp, 100, Ok(b"")),
            (&value, &other, 100, Err(Ignored::Stale)),
            (&value, &fp, HEADER_LEN + 6, Err(Ignored::TooLarge)),
            (&truncated_magic, &fp, 100, Err(Ignored::NotDerived)),
            (&value[..HEADER_LEN - 1], &fp, 100, Err(Ignored::NotDerived)),
            (b"", &fp, 100, Err(Ignored::NotDerived)),
            (b"TGBUILT1", &fp, 100, Err(Ignored::NotDerived)),
            (SET, &fp, 100, Err(Ignored::NotDerived)),
        ];
        for (i, (value, fp, max, want)) in cases.iter().enumerate() {
            assert_eq!(decode(value, fp, *max), *want, "case {i}");
        }
    }

    #[test]
    fn encode_refuses_what_the_originals_may_not_be() {
        let fp = fingerprint(b"", "");
        assert_eq!(encode(&fp, &[0; 10], HEADER_LEN + 9), None);
        assert!(encode(&fp, &[0; 10], HEADER_LEN + 10).is_some());
        assert_eq!(encode(&fp, &[], HEADER_LEN - 1), None);
    }

    #[test]
    fn stored_versions() {
        let set = compile_str("[block]\nzzq\n").unwrap();
        let own = crate::version_string(&set);
        let bytes = set.as_bytes().to_vec();
        let with = |at: usize, v: u16| {
            let mut b = bytes.clone();
            b[at..at + 2].copy_from_slice(&v.to_le_bytes());
            b
        };
        let older_normalization = with(10, termgate::NORMALIZATION_VERSION - 1);
        let other_format = with(8, termgate::FORMAT_VERSION + 1);
        let cases: &[(&[u8], Option<&str>)] = &[
            (&bytes, Some(&own)),
            (&older_normalization, Some(&own)),
            (&other_format, None),
            (&bytes[..39], None),
            (&bytes[..40], Some(&own)),
            (&bytes[..9], None),
            (b"", None),
            (b"not a set at all, but long enough to have a header", None),
        ];
        for (i, (stored, want)) in cases.iter().enumerate() {
            assert_eq!(stored_version(stored).as_deref(), *want, "case {i}");
        }
        assert!(TermSet::from_bytes(older_normalization).is_err());
    }
}
