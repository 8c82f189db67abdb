//! Finding host names in text, for `host:` rules.
//!
//! A host is a run of ASCII letters, digits and hyphens with at least one dot, whose last label
//! is a plausible top-level domain (two or more characters, not all digits) or which is a dotted
//! IPv4 address. Full-width forms (`ｅｘａｍｐｌｅ．ｃｏｍ`), the ideographic full stop and the
//! defanged dots `[.]`, `(.)`, `[dot]`, `(dot)` are read as what they stand for. Host names
//! written in other scripts must be given in their ASCII (`xn--`) form.

/// A host found in text: its byte range and its canonical (lower-case ASCII) form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FoundHost {
    pub start: usize,
    pub end: usize,
    pub host: String,
}

/// The canonical form of a host as written in a rule: lower case, full-width forms folded.
pub(crate) fn canonical_host(s: &str) -> String {
    s.chars()
        .map(|c| match host_char(c) {
            Some(h) => h,
            None => c.to_ascii_lowercase(),
        })
        .collect()
}

/// The host-name character `c` stands for, if any.
fn host_char(c: char) -> Option<char> {
    match c {
        'a'..='z' | '0'..='9' | '-' | '.' => Some(c),
        'A'..='Z' => Some(c.to_ascii_lowercase()),
        '\u{FF10}'..='\u{FF19}' | '\u{FF41}'..='\u{FF5A}' | '\u{FF0D}' | '\u{FF0E}' => {
            char::from_u32(c as u32 - 0xFEE0)
        }
        '\u{FF21}'..='\u{FF3A}' => char::from_u32(c as u32 - 0xFEE0 + 0x20),
        '\u{3002}' | '\u{FF61}' => Some('.'),
        _ => None,
    }
}

/// Defanged dots: `[.]`, `(.)`, `[dot]`, `(dot)`. Returns the byte length of the one at `s`'s start.
fn defanged_dot(s: &str) -> Option<usize> {
    ["[.]", "(.)", "[dot]", "(dot)"]
        .into_iter()
        .find(|d| {
            s.get(..d.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(d))
        })
        .map(str::len)
}

/// Every host in `text`, in order.
pub(crate) fn find_hosts(text: &str) -> Vec<FoundHost> {
    let mut found = Vec::new();
    let mut host = String::new();
    let mut start = 0;
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let Some(c) = rest.chars().next() else { break };
        let (mapped, len) = match host_char(c) {
            Some(h) => (Some(h), c.len_utf8()),
            None => match (host.is_empty(), defanged_dot(rest)) {
                (false, Some(len)) => (Some('.'), len),
                _ => (None, c.len_utf8()),
            },
        };
        match mapped {
            Some(h) => {
                if host.is_empty() {
                    start = i;
                }
                host.push(h);
            }
            None => finish(text, start, i, &mut host, &mut found),
        }
        i += len;
    }
    finish(text, start, text.len(), &mut host, &mut found);
    found
}

/// Turns a collected run into a host if it looks like one; trims dots and hyphens at its ends.
fn finish(text: &str, start: usize, end: usize, run: &mut String, found: &mut Vec<FoundHost>) {
    if run.is_empty() {
        return;
    }
    let trimmed_front = run.len() - run.trim_start_matches(['.', '-']).len();
    let trimmed_back = run.len() - run.trim_end_matches(['.', '-']).len();
    let core = run.trim_matches(['.', '-']);
    if looks_like_host(core) {
        // The run's characters may be wider in the text than in `run` (full-width, defanged), so
        // trimming maps back by counting characters from each end.
        let s = advance_chars(text, start, end, trimmed_front, true);
        let e = advance_chars(text, start, end, trimmed_back, false);
        found.push(FoundHost {
            start: s,
            end: e,
            host: core.to_string(),
        });
    }
    run.clear();
}

/// Moves `n` characters in from the front (or back) of `text[start..end]`; trimmed characters are
/// single dots or hyphens, which are one character in the text whatever their width.
fn advance_chars(text: &str, start: usize, end: usize, n: usize, front: bool) -> usize {
    let slice = &text[start..end];
    if front {
        slice
            .char_indices()
            .nth(n)
            .map_or(end, |(off, _)| start + off)
    } else if n == 0 {
        end
    } else {
        slice
            .char_indices()
            .rev()
            .nth(n - 1)
            .map_or(start, |(off, _)| start + off)
    }
}

fn looks_like_host(h: &str) -> bool {
    let labels: Vec<&str> = h.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty() || l.len() > 63) {
        return false;
    }
    let last = labels[labels.len() - 1];
    let ipv4 = labels.len() == 4
        && labels
            .iter()
            .all(|l| l.len() <= 3 && l.bytes().all(|b| b.is_ascii_digit()));
    ipv4 || (last.len() >= 2 && last.bytes().any(|b| b.is_ascii_alphabetic()))
}

/// The key under which a host is stored: labels in reverse order (`com.example.www`), so that
/// a host and all its subdomains share a prefix.
pub(crate) fn reversed(host: &str) -> String {
    let mut labels: Vec<&str> = host.split('.').collect();
    labels.reverse();
    labels.join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(text: &str) -> Vec<(String, &str)> {
        find_hosts(text)
            .into_iter()
            .map(|h| (h.host, &text[h.start..h.end]))
            .collect()
    }

    #[test]
    fn finds_hosts() {
        assert_eq!(
            hosts("see https://WWW.Example.com/path?q=1."),
            vec![("www.example.com".into(), "WWW.Example.com")]
        );
        assert_eq!(
            hosts("これはexample.comです"),
            vec![("example.com".into(), "example.com")]
        );
        assert_eq!(
            hosts("ｅｘａｍｐｌｅ．ｃｏｍ"),
            vec![("example.com".into(), "ｅｘａｍｐｌｅ．ｃｏｍ")]
        );
        assert_eq!(
            hosts("evil[.]example(dot)com"),
            vec![("evil.example.com".into(), "evil[.]example(dot)com")]
        );
        assert_eq!(
            hosts("mail me at a@b.example.org"),
            vec![("b.example.org".into(), "b.example.org")]
        );
        assert_eq!(hosts("10.0.0.1"), vec![("10.0.0.1".into(), "10.0.0.1")]);
        assert!(hosts("e.g. 3.14 U.S.A version 1.2.3").is_empty());
        assert!(hosts("...---...").is_empty());
    }

    #[test]
    fn reverses() {
        assert_eq!(reversed("www.example.com"), "com.example.www");
        assert_eq!(canonical_host("ＥＸＡＭＰＬＥ。com"), "example.com");
    }
}
