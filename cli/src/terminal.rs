//! Text from outside (a receiver's answer, a payload's fields, an error quoting either) made safe
//! to print on a terminal.
//!
//! A webhook body is untrusted: printed raw, `\x1b[2J` clears the screen, `\r` overwrites what
//! the line said (a `verified` could be made to look like something else), an OSC sequence can
//! set the window title or a hyperlink, and bidirectional overrides reorder what is shown. Every
//! line the tool prints goes through [`escape`].

use std::borrow::Cow;
use std::fmt::Write as _;

/// `text` with each control character (C0, DEL, C1) and each bidirectional formatting character
/// written as a Rust escape, `\u{1b}`; newlines and tabs are kept, as pretty JSON and a
/// receiver's multi-line answer need them and they move the cursor only forward. Borrowed when
/// nothing needs escaping.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if needs_escape(c) {
            // Writing to a String cannot fail.
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`escape`] for one value in a table row or after a label: newlines and tabs are escaped too,
/// so a value cannot start a line that looks like another row.
pub fn escape_line(text: &str) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| needs_escape(c) || c == '\n' || c == '\t')
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if needs_escape(c) || c == '\n' || c == '\t' {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// JSON text (as `serde_json` writes it: C0 controls already escaped) with every other
/// character [`escape`] would escape written as a JSON escape, `\u009b`: still the same JSON
/// document, and safe on a terminal. Such characters only occur inside strings.
pub fn escape_json(json: &str) -> Cow<'_, str> {
    if !json.chars().any(needs_escape) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if needs_escape(c) {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_newlines_and_tabs_kept() {
        assert_eq!(
            escape("\x1b[31mred\x1b[0m\r\nok\tyes\n"),
            "\\u{1b}[31mred\\u{1b}[0m\\u{d}\nok\tyes\n"
        );
        assert_eq!(escape("a\u{7f}b\u{9b}c\0"), "a\\u{7f}b\\u{9b}c\\u{0}");
        assert_eq!(escape("x\u{202e}y\u{2066}"), "x\\u{202e}y\\u{2066}");
        assert!(matches!(escape("plain {\n  \"é\": 1\n}"), Cow::Borrowed(_)));
    }

    #[test]
    fn one_line_values_escape_newlines_and_json_stays_json() {
        assert_eq!(escape_line("a\nb\tc\u{9b}"), "a\\u{a}b\\u{9}c\\u{9b}");
        let json =
            serde_json::to_string(&serde_json::json!({"x": "\u{9b}2J\u{202e}\u{1b}"})).unwrap();
        let safe = escape_json(&json);
        assert_eq!(safe, r#"{"x":"\u009b2J\u202e\u001b"}"#);
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&safe).unwrap()["x"],
            "\u{9b}2J\u{202e}\u{1b}"
        );
    }
}
