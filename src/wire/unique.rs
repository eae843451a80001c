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

mod path;

use path::path_to;

/// Keys and open containers held without allocating.
const INLINE: usize = 16;

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

    #[inline]
    fn spilled(&self) -> bool {
        !self.heap.is_empty()
    }

    #[inline]
    fn push(&mut self, v: T) {
        if self.len < INLINE && !self.spilled() {
            self.inline[self.len] = v;
            self.len += 1;
        } else {
            self.push_spilled(v);
        }
    }

    #[cold]
    fn push_spilled(&mut self, v: T) {
        if !self.spilled() {
            self.heap.extend_from_slice(&self.inline[..self.len]);
        }
        self.heap.truncate(self.len);
        self.heap.push(v);
        self.len += 1;
    }

    fn as_slice(&self) -> &[T] {
        if self.spilled() {
            &self.heap[..self.len]
        } else {
            &self.inline[..self.len]
        }
    }

    fn last(&self) -> Option<T> {
        self.as_slice().last().copied()
    }

    fn set_last(&mut self, v: T) {
        let n = self.len - 1;
        if self.spilled() {
            self.heap[n] = v;
        } else {
            self.inline[n] = v;
        }
    }

    fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }
}

/// The first key repeated in one object of `json` (one valid JSON value), if any.
pub(crate) fn first_repeated_key(json: &str) -> Option<RepeatedKey> {
    scan(json, usize::MAX, |_, _| {})
}

/// A value of a key [`first_repeated_key_noting`] was asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field<'a> {
    /// The object has no such key.
    Absent,
    /// `null`.
    Null,
    /// A string without escapes: its content.
    Plain(&'a str),
    /// Any other value (a string with an escape, a number, a boolean, an object, an array).
    Other,
}

/// [`first_repeated_key`] in the same pass, and the values of the keys `wanted` of the object
/// that starts at byte `object` of `json`, in the order asked: for a reader that needs only a
/// few of its fields. `Ok(None)` when the keys cannot be compared by their bytes (a key up to
/// the object's end has an escape), or no object starts at `object`.
pub(crate) fn first_repeated_key_noting<'a, const N: usize>(
    json: &'a str,
    object: usize,
    wanted: [&str; N],
) -> Result<Option<[Field<'a>; N]>, RepeatedKey> {
    let mut noted = None;
    if let Some(repeated) = scan(json, object, |keys, escaped| {
        if escaped {
            return;
        }
        let mut values = [Field::Absent; N];
        for k in keys {
            let key = &json[k.start as usize..k.end as usize];
            if let Some(n) = wanted.iter().position(|w| *w == key) {
                values[n] = match (k.value_end, json.as_bytes()[k.value as usize]) {
                    (0, b'n') => Field::Null,
                    (0, _) => Field::Other,
                    (end, _) => Field::Plain(&json[k.value as usize + 1..end as usize]),
                };
            }
        }
        noted = Some(values);
    }) {
        return Err(repeated);
    }
    Ok(noted)
}

/// A key of an open object, as the scan keeps it: byte offsets into the value checked.
#[derive(Clone, Copy, Default)]
struct Key {
    /// The key's content (escapes unresolved), from its first byte to its closing quote.
    start: u32,
    end: u32,
    /// The first byte of the key's value.
    value: u32,
    /// For a string value without escapes, its closing quote; 0 for any other value.
    value_end: u32,
}

/// The repeated-key scan, handing `close` the key ranges of the object that starts at byte
/// `object` (if any) as that object closes without a repeated key, and whether a key so far had
/// an escape.
#[inline]
fn scan(json: &str, object: usize, mut close: impl FnMut(&[Key], bool)) -> Option<RepeatedKey> {
    let b = json.as_bytes();
    if !matches!(b.first(), Some(b'{' | b'[')) {
        return None;
    }
    // Each key of the open objects.
    let mut keys: Stack<Key> = Stack::new();
    // Each open container: for an object, one more than the index of its first key; 0 for an
    // array.
    let mut open: Stack<u32> = Stack::new();
    // Whether a key has an escape: then keys are compared by what they say, not their bytes.
    let mut any_escaped = false;
    // The depth of the object at byte `object` while it is open (0: not open).
    let mut noted_depth = 0;
    let mut i = 0;
    while i < b.len() {
        i = next_token(b, i);
        let Some(&c) = b.get(i) else {
            break;
        };
        match c {
            b'"' => {
                let start = i + 1;
                let escaped;
                (i, escaped) = string_end(b, start);
                // A key is the string a colon follows (the value is valid JSON): no state to
                // keep between tokens, and commas need not stop the scan.
                let mut after = i + 1;
                while b.get(after).is_some_and(u8::is_ascii_whitespace) {
                    after += 1;
                }
                if b.get(after) == Some(&b':') {
                    any_escaped |= escaped;
                    let end = i.min(b.len());
                    // The value: a string is passed here (one token less to find), and noted.
                    let mut value = after + 1;
                    while b.get(value).is_some_and(u8::is_ascii_whitespace) {
                        value += 1;
                    }
                    let mut value_end = 0;
                    if b.get(value) == Some(&b'"') {
                        let escaped;
                        (i, escaped) = string_end(b, value + 1);
                        if !escaped {
                            value_end = offset(i.min(b.len()));
                        }
                    } else {
                        i = value - 1;
                    }
                    keys.push(Key {
                        start: offset(start),
                        end: offset(end),
                        value: offset(value),
                        value_end,
                    });
                }
            }
            b'{' => {
                if i == object {
                    noted_depth = open.len + 1;
                }
                open.push(offset(keys.len) + 1);
            }
            b'[' => open.push(0),
            b'}' => {
                let first = open.last().map_or(0, |o| o.saturating_sub(1) as usize);
                let keys_here = &keys.as_slice()[first.min(keys.len)..];
                if let Some(second) = repeated(json, keys_here, any_escaped) {
                    let key = unescape(&json[second.start as usize..second.end as usize]);
                    return Some(RepeatedKey {
                        path: path_to(json, second.start as usize),
                        key: key.into_owned(),
                    });
                }
                if open.len == noted_depth {
                    close(keys_here, any_escaped);
                    noted_depth = 0;
                }
                keys.truncate(first);
                open.truncate(open.len - 1);
            }
            // `]`, and the bytes `next_token`'s test also takes, inside strings only.
            _ => open.truncate(open.len.saturating_sub(usize::from(c == b']'))),
        }
        i += 1;
    }
    None
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Flags (high bit) the zero bytes of `x`; the lowest flag is exact (a flag above a true one may
/// be false), which is all the scans need.
#[inline]
fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(ONES) & !x & HIGH
}

/// The index of the first byte at or after `i`, outside a string, that the repeated-key scan
/// acts on: a quote or a bracket (`b.len()` if none). Eight bytes at a time: between them are
/// whitespace, `:`, `,`, numbers and literals. The brackets `{}[]` are the bytes with
/// `x & 0xD9 == 0x59`, a test that also takes `Y`, `_`, `y` and DEL, which valid JSON has only
/// inside strings (and the scan ignores them anyway).
#[inline(always)]
fn next_token(b: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = b.get(i..i + 8) {
        let w = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let found = zero_bytes(w ^ (ONES * u64::from(b'"')))
            | zero_bytes((w & (ONES * 0xD9)) ^ (ONES * 0x59));
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&c) = b.get(i) {
        if matches!(c, b'"' | b'{' | b'}' | b'[' | b']') {
            return i;
        }
        i += 1;
    }
    b.len()
}

/// The index of the quote that closes the string whose content starts at `i` (or the end),
/// and whether the string has an escape. Eight bytes at a time while no quote or backslash is
/// among them: most of a value is text.
#[inline(always)]
fn string_end(b: &[u8], mut i: usize) -> (usize, bool) {
    let mut escaped = false;
    loop {
        while let Some(chunk) = b.get(i..i + 8) {
            let w = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
            let (q, e) = (w ^ (ONES * u64::from(b'"')), w ^ (ONES * u64::from(b'\\')));
            // A zero byte in `q` or `e` is a quote or a backslash; the lowest flag is exact.
            let found = zero_bytes(q) | zero_bytes(e);
            if found != 0 {
                i += (found.trailing_zeros() / 8) as usize;
                break;
            }
            i += 8;
        }
        match b.get(i) {
            None | Some(b'"') => return (i.min(b.len()), escaped),
            Some(b'\\') => {
                escaped = true;
                i += 2;
            }
            Some(_) => i += 1,
        }
    }
}

/// A byte offset as stored (a value is far below 4 GiB: the body limit is).
fn offset(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The second of two keys of one object that are equal, if any.
#[inline(always)]
fn repeated(json: &str, keys: &[Key], escaped: bool) -> Option<Key> {
    if escaped || keys.len() > INLINE {
        return repeated_slow(json, keys, escaped);
    }
    let b = json.as_bytes();
    for (n, k) in keys.iter().enumerate() {
        // The lengths first: most keys of an object differ in length.
        let len = k.end - k.start;
        for e in &keys[..n] {
            if e.end - e.start == len
                && b.get(e.start as usize..e.end as usize)
                    == b.get(k.start as usize..k.end as usize)
            {
                return Some(*k);
            }
        }
    }
    None
}

/// [`repeated`] for keys with escapes, or more keys than compared pairwise.
#[cold]
#[inline(never)]
fn repeated_slow(json: &str, keys: &[Key], escaped: bool) -> Option<Key> {
    let text = |k: &Key| &json.as_bytes()[k.start as usize..k.end as usize];
    if escaped {
        // `"a"` and `"\u0061"` are one key: compare what they say.
        let mut said: Vec<(Cow<'_, str>, usize)> = keys
            .iter()
            .enumerate()
            .map(|(n, k)| (unescape(&json[k.start as usize..k.end as usize]), n))
            .collect();
        said.sort();
        return said
            .windows(2)
            .find(|w| w[0].0 == w[1].0)
            .map(|w| keys[w[0].1.max(w[1].1)]);
    }
    // Sorted by text, then by position: the later of two equal keys is the repeat.
    let mut sorted: Vec<Key> = keys.to_vec();
    sorted.sort_unstable_by(|x, y| text(x).cmp(text(y)).then(x.start.cmp(&y.start)));
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

    /// Whitespace, numbers and literals between the tokens, in runs longer than the eight bytes
    /// the scan skips at once, and keys holding the bytes its bracket test also takes.
    #[test]
    fn pretty_printed_values_and_lookalike_bytes() {
        let pretty = "{\n    \"Y_y\": 1234567890.5e-3,\n        \"ok\":   true  ,\n    \"n\": \
                      [ null ,  false,\t-0.25E+10 ]\n}";
        assert_eq!(check(pretty), None);
        let repeated = pretty.replace("\"n\"", "\"Y_y\"");
        assert_eq!(check(&repeated), Some(("Y_y".into(), "Y_y".into())));
        let nested = "{ \"a\" :\n   { \"_\" : 1 ,\n     \"y\" : 2 ,\n     \"_\" : 3 } }";
        assert_eq!(check(nested), Some(("a._".into(), "_".into())));
    }

    /// The values noted of one object, and a repeated key refused as without noting.
    #[test]
    fn noting_the_values_of_one_object() {
        let wanted = ["a", "b", "c"];
        let json = r#"[ {"x": {"a": 1}, "a" : "one", "c": null}, {"b": "two"} ]"#;
        assert_eq!(
            first_repeated_key_noting(json, 2, wanted),
            Ok(Some([Field::Plain("one"), Field::Absent, Field::Null]))
        );
        // The inner object: only its own keys.
        let inner = json.find("{\"a\"").unwrap();
        assert_eq!(
            first_repeated_key_noting(json, inner, wanted),
            Ok(Some([Field::Other, Field::Absent, Field::Absent]))
        );
        let json = r#"{"a":"t\u0041b","b":[1],"c":false}"#;
        assert_eq!(
            first_repeated_key_noting(json, 0, wanted),
            Ok(Some([Field::Other, Field::Other, Field::Other]))
        );
        // No object there, or a key with an escape: nothing noted.
        assert_eq!(first_repeated_key_noting(json, 1, wanted), Ok(None));
        let escaped = r#"{"\u0061":"x"}"#;
        assert_eq!(first_repeated_key_noting(escaped, 0, wanted), Ok(None));
        let repeated = r#"{"a":"x","z":{"b":1,"b":2}}"#;
        assert_eq!(
            first_repeated_key_noting(repeated, 0, wanted),
            Err(RepeatedKey {
                path: "z.b".into(),
                key: "b".into()
            })
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
