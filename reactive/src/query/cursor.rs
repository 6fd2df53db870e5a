//! Opaque cursors for keyset pagination.
//!
//! A cursor holds the sort values and the id of the last row of a page, in a compact binary
//! form, followed by a checksum over those bytes and a fingerprint of the query (entity,
//! filter, order; not the limit), all in base64url. No key is random, so a cursor is valid in
//! any process; one altered, or taken from another query, fails the checksum and is
//! [`Error::InvalidCursor`].
//!
//! The checksum detects mistakes, not adversaries (anyone can compute it): a cursor only
//! positions a page inside its query's results, so a forged one can skip rows but never
//! reveal one the filter excludes.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::filter::{CompareOp, Expr};
use super::value::Value;
use crate::error::Error;

/// The position after the last row of a page: pass it to
/// [`Query::after`](super::Query::after) for the next page.
///
/// Opaque: its text is only meant to be handed back (it is URL-safe).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cursor(String);

impl Cursor {
    /// A cursor from its text (as received from a client); checked when the query runs.
    pub fn new(text: impl Into<String>) -> Self {
        Cursor(text.into())
    }

    /// The cursor's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cursor({})", self.0)
    }
}

impl std::str::FromStr for Cursor {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Cursor::new(s))
    }
}

impl From<String> for Cursor {
    fn from(text: String) -> Self {
        Cursor(text)
    }
}

const VERSION: u8 = 1;

/// FNV-1a, 64 bits: stable everywhere; each step is a bijection of the state, so changing
/// any one byte always changes the hash.
#[derive(Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Fnv {
    pub(crate) fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    pub(crate) fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn str(&mut self, s: &str) {
        self.bytes(&(s.len() as u64).to_le_bytes());
        self.bytes(s.as_bytes());
    }

    fn value(&mut self, v: &Value) {
        let mut buf = Vec::new();
        encode_value(&mut buf, v);
        self.bytes(&buf);
    }

    pub(crate) fn finish(self) -> u64 {
        self.0
    }
}

/// The fingerprint of a query: its entity, filter and sort keys.
pub(crate) fn fingerprint<'a>(
    entity: &str,
    filter: Option<&Expr>,
    order: impl IntoIterator<Item = (&'a str, bool)>,
) -> u64 {
    fn expr(h: &mut Fnv, e: &Expr) {
        match e {
            Expr::And(items) | Expr::Or(items) => {
                h.bytes(if matches!(e, Expr::And(_)) {
                    b"A"
                } else {
                    b"O"
                });
                h.bytes(&(items.len() as u64).to_le_bytes());
                for item in items {
                    expr(h, item);
                }
            }
            Expr::Not(inner) => {
                h.bytes(b"N");
                expr(h, inner);
            }
            Expr::Compare { field, op, value } => {
                h.bytes(b"C");
                h.str(field);
                h.bytes(&[compare_tag(*op)]);
                h.value(value);
            }
            Expr::In { field, values } | Expr::NotIn { field, values } => {
                h.bytes(if matches!(e, Expr::In { .. }) {
                    b"I"
                } else {
                    b"X"
                });
                h.str(field);
                h.bytes(&(values.len() as u64).to_le_bytes());
                for v in values {
                    h.value(v);
                }
            }
            Expr::IsNull { field } => {
                h.bytes(b"Z");
                h.str(field);
            }
        }
    }
    let mut h = Fnv::new();
    h.bytes(&[VERSION]);
    h.str(entity);
    match filter {
        Some(e) => {
            h.bytes(b"F");
            expr(&mut h, e);
        }
        None => h.bytes(b"-"),
    }
    for (field, desc) in order {
        h.bytes(if desc { b"d" } else { b"a" });
        h.str(field);
    }
    h.finish()
}

fn compare_tag(op: CompareOp) -> u8 {
    match op {
        CompareOp::Equals => 0,
        CompareOp::NotEquals => 1,
        CompareOp::Gt => 2,
        CompareOp::Ge => 3,
        CompareOp::Lt => 4,
        CompareOp::Le => 5,
        CompareOp::Contains => 6,
        CompareOp::StartsWith => 7,
        CompareOp::EndsWith => 8,
    }
}

/// The cursor after a row whose sort values (then id) are `values`.
pub(crate) fn encode(fingerprint: u64, values: &[Value]) -> Cursor {
    let mut bytes = vec![VERSION];
    for v in values {
        encode_value(&mut bytes, v);
    }
    let sum = checksum(fingerprint, &bytes);
    bytes.extend_from_slice(&sum.to_le_bytes());
    Cursor(base64url(&bytes))
}

/// The sort values (then id) of a cursor made by [`encode`] for the query of `fingerprint`.
pub(crate) fn decode(cursor: &Cursor, fingerprint: u64, count: usize) -> Result<Vec<Value>, Error> {
    let invalid = |reason: &str| Error::InvalidCursor {
        reason: reason.to_string(),
    };
    let bytes = unbase64url(&cursor.0).ok_or_else(|| invalid("not a cursor (bad encoding)"))?;
    let split = bytes
        .len()
        .checked_sub(8)
        .filter(|&n| n > 0)
        .ok_or_else(|| invalid("not a cursor (too short)"))?;
    let (payload, sum) = bytes.split_at(split);
    let mut expected = [0u8; 8];
    expected.copy_from_slice(sum);
    if checksum(fingerprint, payload) != u64::from_le_bytes(expected) {
        return Err(invalid(
            "the cursor was altered, or belongs to another query (filter, order or entity)",
        ));
    }
    let mut reader = Reader { bytes: payload };
    if reader.byte() != Some(VERSION) {
        return Err(invalid("unknown cursor version"));
    }
    let mut values = Vec::with_capacity(count);
    while !reader.bytes.is_empty() {
        values.push(
            reader
                .value()
                .ok_or_else(|| invalid("not a cursor (bad value)"))?,
        );
    }
    if values.len() != count {
        return Err(invalid("the cursor does not match the query's sort keys"));
    }
    Ok(values)
}

fn checksum(fingerprint: u64, payload: &[u8]) -> u64 {
    let mut h = Fnv::new();
    h.bytes(&fingerprint.to_le_bytes());
    h.bytes(payload);
    h.finish()
}

fn encode_value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Null => out.push(0),
        Value::Bool(false) => out.push(1),
        Value::Bool(true) => out.push(2),
        Value::Int(i) => {
            out.push(3);
            // Zigzag: small magnitudes of either sign take few bytes.
            varint(out, ((*i << 1) ^ (*i >> 63)) as u64);
        }
        Value::Float(x) => {
            out.push(4);
            out.extend_from_slice(&x.to_bits().to_le_bytes());
        }
        Value::Text(s) => {
            out.push(5);
            varint(out, s.len() as u64);
            out.extend_from_slice(s.as_bytes());
        }
    }
}

fn varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&first, rest) = self.bytes.split_first()?;
        self.bytes = rest;
        Some(first)
    }

    fn take(&mut self, n: usize) -> Option<&[u8]> {
        if n > self.bytes.len() {
            return None;
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Some(head)
    }

    fn varint(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }

    fn value(&mut self) -> Option<Value> {
        Some(match self.byte()? {
            0 => Value::Null,
            1 => Value::Bool(false),
            2 => Value::Bool(true),
            3 => {
                let z = self.varint()?;
                Value::Int(((z >> 1) as i64) ^ -((z & 1) as i64))
            }
            4 => {
                let mut bits = [0u8; 8];
                bits.copy_from_slice(self.take(8)?);
                Value::float(f64::from_bits(u64::from_le_bytes(bits))).ok()?
            }
            5 => {
                let len = usize::try_from(self.varint()?).ok()?;
                let text = std::str::from_utf8(self.take(len)?).ok()?;
                Value::text(text).ok()?
            }
            _ => return None,
        })
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding.
fn base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            let index = (n >> (18 - 6 * i)) & 0x3f;
            out.push(char::from(ALPHABET[index as usize]));
        }
    }
    out
}

fn unbase64url(text: &str) -> Option<Vec<u8>> {
    fn sextet(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        } as u32)
    }
    let bytes = text.as_bytes();
    if bytes.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= sextet(c)? << (18 - 6 * i);
        }
        let full = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        let len = chunk.len() - 1;
        // Unused low bits must be zero, so each byte string has exactly one text.
        if full.get(len).is_some_and(|&rest| rest != 0) {
            return None;
        }
        out.extend_from_slice(full.get(..len)?);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips() {
        for len in 0..40 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let text = base64url(&bytes);
            assert!(text.bytes().all(|c| ALPHABET.contains(&c)));
            assert_eq!(unbase64url(&text), Some(bytes));
        }
        assert_eq!(unbase64url("A"), None);
        assert_eq!(unbase64url("AB=="), None);
    }

    #[test]
    fn values_round_trip() {
        let values = vec![
            Value::Null,
            Value::Bool(true),
            Value::Bool(false),
            Value::Int(i64::MIN),
            Value::Int(-1),
            Value::Int(0),
            Value::Int(i64::MAX),
            Value::Float(-1.5),
            Value::Text("é\u{1F600}".into()),
            Value::Text(String::new()),
        ];
        let cursor = encode(42, &values);
        assert_eq!(decode(&cursor, 42, values.len()).ok(), Some(values.clone()));
        assert!(matches!(
            decode(&cursor, 43, values.len()),
            Err(Error::InvalidCursor { .. })
        ));
        assert!(matches!(
            decode(&cursor, 42, values.len() - 1),
            Err(Error::InvalidCursor { .. })
        ));
    }
}
