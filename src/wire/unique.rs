//! One rule for repeated keys, in JSON the crate keeps without modelling it ([`RawJson`]): a key
//! that appears twice in one object, at any depth, is refused, as serde's derive and the
//! hand-written visitors refuse it in typed objects.
//!
//! Two readers of one body must never disagree on what it says: with `{"name":"A","name":"B"}`
//! one JSON library keeps `A` and another `B`. Values are kept as raw text precisely so that
//! nothing is lost; this check makes sure the text means one thing. It is one linear pass over a
//! value serde_json has already validated, and it allocates only for objects of more than
//! [`INLINE`] keys or values nested deeper than [`INLINE`] levels.
//!
//! [`RawJson`]: super::RawJson

use std::borrow::Cow;
use std::fmt::Write as _;

/// Keys and open containers held without allocating.
const INLINE: usize = 32;

/// A key repeated in one object: where (the path of the object's key, relative to the value
/// checked, in the form the crate's errors use: `a.b[2].c`), and which key.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct RepeatedKey {
    pub(crate) path: String,
    pub(crate) key: String,
}

impl RepeatedKey {
    /// The error for it: `duplicate field `key``, the message serde gives in a typed object,
    /// with the path inside the value, which [`split`] moves into the error's path.
    pub(crate) fn into_error<E: serde::de::Error>(self) -> E {
        E::custom(format_args!(
            "duplicate field `{}`{INSIDE}{}{CLOSE}",
            self.key, self.path
        ))
    }
}

const INSIDE: &str = " (at `";
const CLOSE: &str = "` inside this value)";

/// Splits an error message made by [`RepeatedKey::into_error`] into the message without the
/// inner path, and that path; `None` for any other message.
pub(crate) fn split(message: &str) -> Option<(&str, &str)> {
    let rest = message.strip_suffix(CLOSE)?;
    let (head, path) = rest.rsplit_once(INSIDE)?;
    head.starts_with("duplicate field `")
        .then_some((head, path))
}

/// Joins a path inside a value to the value's own path (`.` is the body's root).
pub(crate) fn join(outer: &str, inner: &str) -> String {
    match (outer, inner.starts_with('[')) {
        ("" | ".", _) => inner.to_owned(),
        (_, true) => format!("{outer}{inner}"),
        _ => format!("{outer}.{inner}"),
    }
}

/// A stack that lives on the stack while it is small.
struct Stack<T: Copy + Default> {
    inline: [T; INLINE],
    len: usize,
    heap: Vec<T>,
}

impl<T: Copy + Default> Stack<T> {
    fn new() -> Self {
        Stack {
            inline: [T::default(); INLINE],
            len: 0,
            heap: Vec::new(),
        }
    }

    fn push(&mut self, v: T) {
        if self.len < INLINE {
            self.inline[self.len] = v;
        } else {
            if self.heap.is_empty() {
                self.heap.extend_from_slice(&self.inline);
            }
            self.heap.truncate(self.len);
            self.heap.push(v);
        }
        self.len += 1;
    }

    fn as_slice(&self) -> &[T] {
        if self.len <= INLINE && self.heap.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.heap[..self.len]
        }
    }

    fn last_mut(&mut self) -> Option<&mut T> {
        let len = self.len;
        if len == 0 {
            None
        } else if len <= INLINE && self.heap.is_empty() {
            Some(&mut self.inline[len - 1])
        } else {
            Some(&mut self.heap[len - 1])
        }
    }

    fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
        if !self.heap.is_empty() && self.len <= INLINE {
            // Back to the inline buffer, which still holds the first `INLINE` entries.
            self.inline[..self.len].copy_from_slice(&self.heap[..self.len]);
            self.heap.clear();
        }
    }
}

/// An open container: an object (the index of its first key in the key stack, and its current
/// key) or an array (the index of its current element).
#[derive(Clone, Copy, Default)]
struct Open {
    object: bool,
    at: usize,
    key: (usize, usize),
}

/// The first key repeated in one object of `json` (one valid JSON value), if any.
pub(crate) fn first_repeated_key(json: &str) -> Option<RepeatedKey> {
    let b = json.as_bytes();
    // The content of each key of the open objects, as byte ranges (escapes unresolved).
    let mut keys: Stack<(usize, usize)> = Stack::new();
    let mut open: Stack<Open> = Stack::new();
    let mut expect_key = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i + 1;
                i = start;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                if expect_key {
                    let key = (start, i.min(b.len()));
                    keys.push(key);
                    if let Some(o) = open.last_mut() {
                        o.key = key;
                    }
                    expect_key = false;
                }
            }
            b'{' => {
                open.push(Open {
                    object: true,
                    at: keys.len,
                    key: (0, 0),
                });
                expect_key = true;
            }
            b'[' => open.push(Open {
                object: false,
                at: 0,
                key: (0, 0),
            }),
            b',' => match open.last_mut() {
                Some(o) if o.object => expect_key = true,
                Some(o) => o.at += 1,
                None => {}
            },
            b'}' => {
                let first = open.last_mut().map_or(0, |o| o.at);
                if let Some(second) = repeated(json, &keys.as_slice()[first..]) {
                    if let Some(o) = open.last_mut() {
                        o.key = second;
                    }
                    return Some(RepeatedKey {
                        path: path(json, open.as_slice()),
                        key: unescape(&json[second.0..second.1]).into_owned(),
                    });
                }
                keys.truncate(first);
                open.truncate(open.len - 1);
                expect_key = false;
            }
            b']' => {
                open.truncate(open.len.saturating_sub(1));
                expect_key = false;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The second of two keys of one object that are equal, if any.
fn repeated(json: &str, keys: &[(usize, usize)]) -> Option<(usize, usize)> {
    let text = |k: &(usize, usize)| &json.as_bytes()[k.0..k.1];
    let escaped = keys.iter().any(|k| text(k).contains(&b'\\'));
    if escaped {
        // `"a"` and `"\u0061"` are one key: compare what they say.
        let mut said: Vec<(Cow<'_, str>, usize)> = keys
            .iter()
            .enumerate()
            .map(|(n, k)| (unescape(&json[k.0..k.1]), n))
            .collect();
        said.sort();
        return said
            .windows(2)
            .find(|w| w[0].0 == w[1].0)
            .map(|w| keys[w[0].1.max(w[1].1)]);
    }
    if keys.len() <= 16 {
        for (n, k) in keys.iter().enumerate() {
            if keys[..n].iter().any(|e| text(e) == text(k)) {
                return Some(*k);
            }
        }
        return None;
    }
    // Sorted by text, then by position: the later of two equal keys is the repeat.
    let mut sorted: Vec<(usize, usize)> = keys.to_vec();
    sorted.sort_unstable_by(|x, y| text(x).cmp(text(y)).then(x.0.cmp(&y.0)));
    sorted
        .windows(2)
        .find(|w| text(&w[0]) == text(&w[1]))
        .map(|w| w[1])
}

/// A key's content with its escapes resolved (a key of valid JSON always resolves).
fn unescape(content: &str) -> Cow<'_, str> {
    if !content.contains('\\') {
        return Cow::Borrowed(content);
    }
    serde_json::from_str::<String>(&format!("\"{content}\""))
        .map_or(Cow::Borrowed(content), Cow::Owned)
}

/// The path to the innermost open container's current key: each open container's current key
/// or index.
fn path(json: &str, open: &[Open]) -> String {
    let mut out = String::new();
    for o in open {
        if o.object {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&unescape(&json[o.key.0..o.key.1]));
        } else {
            let _ = write!(out, "[{}]", o.at);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Option<(String, String)> {
        first_repeated_key(json).map(|r| (r.path, r.key))
    }

    #[test]
    fn unique_keys_pass() {
        for ok in [
            "{}",
            "[]",
            "1",
            r#""a""#,
            r#"{"a":1,"b":{"a":2},"c":[{"a":1},{"a":2}]}"#,
            r#"{"a":"{\"a\":1,\"a\":2}"}"#,
            r#"[{"x":1},{"x":1}]"#,
            r#"{"a\"b":1,"a":2}"#,
        ] {
            assert_eq!(check(ok), None, "{ok}");
        }
    }

    #[test]
    fn a_repeated_key_is_named_with_its_path() {
        assert_eq!(
            check(r#"{"name":"Punt A","name":"Punt B"}"#),
            Some(("name".into(), "name".into()))
        );
        assert_eq!(
            check(r#"{"a":{"b":[1,{"c":1,"c":2}]}}"#),
            Some(("a.b[1].c".into(), "c".into()))
        );
        assert_eq!(
            check(r#"[{"x":1},{"y":{"z":1},"y":2}]"#),
            Some(("[1].y".into(), "y".into()))
        );
        assert_eq!(
            check(r#"{"a":[],"b":{"c":[[0],{"d":1,"e":2,"d":3}]}}"#),
            Some(("b.c[1].d".into(), "d".into()))
        );
        // One key written two ways.
        assert_eq!(
            check(r#"{"a":1,"\u0061":2}"#),
            Some(("a".into(), "a".into()))
        );
    }

    #[test]
    fn large_and_deep_values() {
        let many: Vec<String> = (0..100).map(|n| format!("\"k{n}\":{n}")).collect();
        let mut json = format!("{{{}}}", many.join(","));
        assert_eq!(check(&json), None);
        json.insert_str(json.len() - 1, ",\"k42\":0");
        assert_eq!(check(&json), Some(("k42".into(), "k42".into())));
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(check(&deep), None);
        let deep = format!("{}{{\"a\":1,\"a\":1}}{}", "[".repeat(100), "]".repeat(100));
        let (path, key) = check(&deep).unwrap();
        assert_eq!((path.len(), key.as_str()), (100 * 3 + 2, "a"));
    }
}
