//! Hostile strings: what a caller might pass as a field or query value to break a store that
//! builds SQL text, escapes by hand, uses `LIKE` for `contains`, normalizes Unicode or trims.
//!
//! Self-contained (std only), so other tests can include it:
//! `#[path = "conformance/hostile_strings.rs"] mod hostile_strings;`.
//!
//! None contains NUL (every provider refuses NUL with the same typed error). Every string is
//! at most 2,000 bytes, so each fits an indexed column (PostgreSQL's b-tree entries stop near
//! 2,700 bytes); [`megabyte`] is for a field without an index.
#![allow(dead_code)]

/// The hostile strings, each distinct (byte-wise), none with NUL.
pub const HOSTILE: &[&str] = &[
    // Quotes and injections.
    "'",
    "''",
    "\"",
    "`",
    "'; DROP TABLE users; --",
    "\"; DROP TABLE users; --",
    "Robert'); DROP TABLE students;--",
    "' OR '1'='1",
    "' OR 1=1 --",
    "1; SELECT * FROM sqlite_master",
    "' UNION SELECT NULL, NULL --",
    "' || (SELECT 1) || '",
    "%' AND 1=1 --",
    "x' AND SLEEP(5) --",
    // Backslashes and escape syntaxes.
    "\\",
    "\\\\",
    "\\'",
    "\\\"",
    "\\n",
    "E'\\x41'",
    "U&'\\0041'",
    "CHAR(39)",
    // LIKE and GLOB wildcards: `contains`/`starts_with`/`ends_with` match them literally.
    "%",
    "_",
    "%%",
    "a%b",
    "a_b",
    "100%",
    "_%_",
    "[abc]",
    "[!a]",
    "a*b?",
    "^$.*+?()[]{}|",
    // Placeholders and dollar quoting.
    "$1",
    "$$",
    "$tag$ body $tag$",
    "?",
    "?1",
    ":name",
    "@p1",
    "{}",
    "%s",
    // SQL comments and separators.
    "-- comment",
    "/* comment */",
    "*/",
    "/*",
    "#",
    ";",
    // Whitespace and control characters (no NUL).
    "line1\nline2",
    "\r\n",
    "a\tb",
    " ",
    "  padded  ",
    "\u{1}\u{2}\u{1b}[31m",
    "\u{7f}",
    "\u{85}",
    "\u{2028}\u{2029}",
    // Unicode: emoji, combining marks, bidirectional controls, invisible characters.
    "😀",
    "👨‍👩‍👧‍👦",
    "🇫🇷",
    "e\u{301}",
    "\u{e9}",
    "\u{202e}gnp.exe",
    "\u{200f}שלום\u{200e}",
    "مرحبا",
    "\u{200b}",
    "\u{feff}BOM",
    "\u{fffd}",
    "\u{e000}",
    "𝕏𝔸𝕄",
    "中文字符",
    "İı",
    "ß",
    // Words a store might take for something else.
    "",
    "NULL",
    "null",
    "true",
    "0",
    "-1",
    "1e309",
    "NaN",
    "{\"a\": [1, \"b\"]}",
    "<script>alert(1)</script>",
];

/// [`HOSTILE`], then long strings: 255 ASCII characters, 2,000 bytes of two-byte characters.
pub fn hostile_strings() -> Vec<String> {
    let mut all: Vec<String> = HOSTILE.iter().map(|s| s.to_string()).collect();
    all.push("x".repeat(255));
    all.push("é".repeat(1000));
    all
}

/// A string of exactly 1 MiB mixing quotes, wildcards, backslashes, newlines and multi-byte
/// characters, ending with `END-OF-MEGABYTE` (for a field without an index).
pub fn megabyte() -> String {
    const SIZE: usize = 1 << 20;
    const END: &str = "END-OF-MEGABYTE";
    let chunk = "'; DROP TABLE users; -- % _ \\ \" é 😀 $1 ? /* */\n";
    let mut s = String::with_capacity(SIZE);
    while s.len() + chunk.len() <= SIZE - END.len() {
        s.push_str(chunk);
    }
    while s.len() < SIZE - END.len() {
        s.push('.');
    }
    s.push_str(END);
    debug_assert_eq!(s.len(), SIZE);
    s
}
