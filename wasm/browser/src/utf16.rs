//! Byte offsets (what the core reports) to UTF-16 code units (what JS strings index by).

/// Walks a UTF-8 string once, front to back, converting ascending byte offsets into UTF-16 offsets.
///
/// Each UTF-8 sequence of 1–3 bytes is one UTF-16 unit and a 4-byte sequence is two (a surrogate
/// pair), so the count is "bytes that start a character, plus one per 4-byte lead byte". Counting bytes
/// instead of decoding characters never fails: an offset that is not on a character boundary (which the
/// core does not produce) still maps to a sensible unit, and one past the end is clamped to the end.
pub(crate) struct Utf16Cursor<'a> {
    bytes: &'a [u8],
    byte: usize,
    unit: usize,
}

impl<'a> Utf16Cursor<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Utf16Cursor {
            bytes: text.as_bytes(),
            byte: 0,
            unit: 0,
        }
    }

    /// The UTF-16 offset of `byte`. Cheap when offsets come in ascending order; a smaller offset than
    /// the previous one restarts from the beginning (still correct, no longer linear).
    pub(crate) fn to_utf16(&mut self, byte: usize) -> usize {
        let byte = byte.min(self.bytes.len());
        if byte < self.byte {
            self.byte = 0;
            self.unit = 0;
        }
        let units: usize = self
            .bytes
            .get(self.byte..byte)
            .unwrap_or_default()
            .iter()
            .map(|&b| usize::from(b & 0xC0 != 0x80) + usize::from(b >= 0xF0))
            .sum();
        self.byte = byte;
        self.unit += units;
        self.unit
    }
}

/// Converts every `(start, end)` byte span to UTF-16 in one pass over `text`.
///
/// Spans may overlap and come in any order: the offsets are sorted once, converted with one linear walk,
/// and looked up again by binary search.
pub(crate) fn spans_to_utf16(text: &str, spans: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut offsets: Vec<usize> = spans.iter().flat_map(|&(s, e)| [s, e]).collect();
    offsets.sort_unstable();
    offsets.dedup();
    let mut cursor = Utf16Cursor::new(text);
    let units: Vec<usize> = offsets.iter().map(|&b| cursor.to_utf16(b)).collect();
    let lookup = |b: usize| {
        offsets
            .binary_search(&b)
            .ok()
            .and_then(|i| units.get(i).copied())
            .unwrap_or(0)
    };
    spans.iter().map(|&(s, e)| (lookup(s), lookup(e))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference: decode characters and sum their UTF-16 lengths.
    fn naive(text: &str, byte: usize) -> usize {
        text.get(..byte).map_or(0, |s| s.encode_utf16().count())
    }

    #[test]
    fn matches_naive_conversion() {
        let texts = [
            "",
            "spam",
            "ｓｐａｍ and スパム",
            "é😀x😀",
            "🎉🎉🎉 しね 😀",
        ];
        for text in texts {
            let boundaries: Vec<usize> = (0..=text.len())
                .filter(|&b| text.is_char_boundary(b))
                .collect();
            let mut cursor = Utf16Cursor::new(text);
            for &b in &boundaries {
                assert_eq!(cursor.to_utf16(b), naive(text, b), "{text:?} at {b}");
            }
            let spans: Vec<(usize, usize)> = boundaries
                .iter()
                .rev()
                .flat_map(|&s| {
                    boundaries
                        .iter()
                        .filter(move |&&e| e >= s)
                        .map(move |&e| (s, e))
                })
                .collect();
            let got = spans_to_utf16(text, &spans);
            for (&(s, e), &(us, ue)) in spans.iter().zip(&got) {
                assert_eq!(
                    (us, ue),
                    (naive(text, s), naive(text, e)),
                    "{text:?} {s}..{e}"
                );
            }
        }
    }

    #[test]
    fn out_of_range_offsets_do_not_panic() {
        let mut cursor = Utf16Cursor::new("😀a");
        assert_eq!(cursor.to_utf16(99), 3);
        assert_eq!(cursor.to_utf16(1), 1);
        assert_eq!(spans_to_utf16("ab", &[(5, 1)]), vec![(2, 1)]);
    }
}
