//! The one escaping helper for every text line that shows peer-controlled bytes: logs, reports,
//! traces and error messages. Control characters (C0, DEL, C1) and the Unicode format characters
//! that reorder or hide text (bidi overrides and isolates, zero-width marks) are written as Rust
//! escapes (`\n`, `\x1b`, `\u{202e}`) and bytes that are not UTF-8 as `\xNN`; so an ESC
//! sequence never reaches a terminal and `\n[fake] line` never becomes a line of its own. A
//! backslash is left alone, so escaping twice (a line that quotes an escaped error) changes
//! nothing. JSON output does not use this: it keeps the exact bytes, escaped by JSON itself.

use std::fmt::Write as _;

/// Whether a character must not reach a terminal or a log raw.
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200b}'..='\u{200f}' // zero-width space/joiners, LRM, RLM
            | '\u{2028}' | '\u{2029}' // line and paragraph separators
            | '\u{202a}'..='\u{202e}' // bidi embeddings and overrides
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}' // bidi isolates
            | '\u{feff}')
}

fn push_char(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if hidden(c) && (c as u32) < 0x100 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if hidden(c) => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// Text made safe for one line of output.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_char(&mut out, c);
    }
    out
}

/// Bytes made safe for one line of output: UTF-8 as [`text`], other bytes as `\xNN`.
pub fn bytes(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len());
    for chunk in b.utf8_chunks() {
        for c in chunk.valid().chars() {
            push_char(&mut out, c);
        }
        for x in chunk.invalid() {
            let _ = write!(out, "\\x{x:02x}");
        }
    }
    out
}

/// [`text`], cut after `max` characters (with `…`).
pub fn short(s: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i >= max {
            out.push('…');
            break;
        }
        push_char(&mut out, c);
    }
    out
}

/// [`text`] in double quotes (a `"` inside is escaped), for a value quoted in a sentence.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars().take(200) {
        if c == '"' {
            out.push_str("\\\"");
        } else {
            push_char(&mut out, c);
        }
    }
    if s.chars().nth(200).is_some() {
        out.push('…');
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_hostile_gets_through() {
        let s = text("a\x1b[31mred\n[fake] line\u{202e}\u{85}\\");
        assert_eq!(s, "a\\x1b[31mred\\n[fake] line\\u{202e}\\x85\\");
        assert_eq!(text(&s), s, "escaping twice changes nothing");
        assert!(!s.chars().any(hidden));
        assert_eq!(bytes(b"ok\xff\x00\xc3\xa9"), "ok\\xff\\x00é");
        assert_eq!(short("abcdef", 3), "abc…");
        assert_eq!(quoted("a\"b\n"), "\"a\\\"b\\n\"");
    }
}
