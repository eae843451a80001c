//! The path of a repeated key, for its error: the slow path of [`super`], a second scan that
//! follows each container's current key or index.

use std::fmt::Write as _;

use super::{ONES, Stack, offset, unescape, zero_bytes};

/// The index of the first byte at or after `i`, outside a string, that the path's scan acts
/// on: a quote, a comma or a bracket (`b.len()` if none), eight bytes at a time as
/// [`next_token`](super::next_token) finds quotes and brackets.
#[inline]
fn next_stop(b: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = b.get(i..i + 8) {
        let w = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let found = zero_bytes(w ^ (ONES * u64::from(b'"')))
            | zero_bytes(w ^ (ONES * u64::from(b',')))
            | zero_bytes((w & (ONES * 0xD9)) ^ (ONES * 0x59));
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&c) = b.get(i) {
        if matches!(c, b'"' | b',' | b'{' | b'}' | b'[' | b']') {
            return i;
        }
        i += 1;
    }
    b.len()
}

/// One step of a path: an object's current key (its byte range) or an array's index.
#[derive(Clone, Copy)]
enum Step {
    Key(u32, u32),
    Index(u32),
}

impl Default for Step {
    fn default() -> Self {
        Step::Index(0)
    }
}

/// The path of the key whose content starts at byte `target`: the error's slow path, a second
/// scan that follows each container's current key or index.
pub(super) fn path_to(json: &str, target: usize) -> String {
    let b = json.as_bytes();
    let mut steps: Stack<Step> = Stack::new();
    let mut objects: Vec<bool> = Vec::new();
    let mut expect_key = false;
    let mut i = 0;
    while i < b.len() {
        i = next_stop(b, i);
        let Some(&c) = b.get(i) else {
            break;
        };
        match c {
            b'"' => {
                let start = i + 1;
                i = start;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                if expect_key {
                    steps.set_last(Step::Key(offset(start), offset(i.min(b.len()))));
                    expect_key = false;
                    if start == target {
                        break;
                    }
                }
            }
            b'{' => {
                steps.push(Step::Key(0, 0));
                objects.push(true);
                expect_key = true;
            }
            b'[' => {
                steps.push(Step::Index(0));
                objects.push(false);
            }
            b',' => match (objects.last(), steps.last()) {
                (Some(true), _) => expect_key = true,
                (Some(false), Some(Step::Index(n))) => steps.set_last(Step::Index(n + 1)),
                _ => {}
            },
            b'}' | b']' => {
                steps.truncate(steps.len.saturating_sub(1));
                objects.pop();
            }
            _ => {}
        }
        i += 1;
    }
    let mut out = String::new();
    for step in steps.as_slice() {
        match *step {
            Step::Key(a, z) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&unescape(&json[a as usize..z as usize]));
            }
            Step::Index(n) => {
                let _ = write!(out, "[{n}]");
            }
        }
    }
    out
}
