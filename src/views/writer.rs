//! A compact JSON serializer for the views, byte-identical to `serde_json`'s compact output for
//! every value the views produce, and faster where their profile spends its time: string
//! escaping (`serde_json` tests every byte against a table; this writer tests eight bytes at a
//! time and copies clean runs whole) and writing into one pre-sized buffer with no `io::Write`
//! layer.
//!
//! Numbers are written by the crates `serde_json` itself uses (`itoa`, and `zmij` for the
//! shortest round-trip form of floats), non-finite floats as `null`, map keys that are integers
//! or chars as strings, bytes as arrays, enums in serde's externally tagged form. Keys of other
//! types are an error, as in `serde_json`. The views' `Serialize` impls stay the single
//! definition of each shape; `serde_json::to_string` of any view gives the same bytes (tested
//! below and against every generated asset in `tests/json_views.rs`).

use std::fmt::{self, Display};

use serde::ser::{self, Serialize};

/// Serializes `value` as compact JSON into a buffer of `capacity` bytes (grown if needed):
/// the serde path (the Python binding's, and the tests' check of the direct writer).
#[cfg(any(test, feature = "python"))]
pub(crate) fn to_vec<T: Serialize + ?Sized>(value: &T, capacity: usize) -> Result<Vec<u8>, Error> {
    let mut w = Writer {
        out: Vec::with_capacity(capacity),
    };
    value.serialize(&mut w)?;
    Ok(w.out)
}

/// The direct output of the views' hand-written paths ([`super::gumnut::WriteJson`]): the
/// same primitives as the `Serializer` below (strings escaped by the same code, integers by
/// `itoa`, floats by `zmij` with non-finite ones `null`, instants in the canonical form), so
/// a view written directly has the bytes its `Serialize` impl gives (tested on every page of
/// the model check and of a generated catalogue). The keys and punctuation are constants of
/// the views, written whole.
pub(crate) struct Direct {
    pub(crate) out: Vec<u8>,
    /// The last instants written, formatted: an asset's times mostly repeat (`created_at`,
    /// `updated_at`, its EXIF objects' and its faces' defaults), and formatting is the
    /// costliest primitive. Two, because an asset alternates between its file times and its
    /// record times.
    last: Recent<chrono::DateTime<chrono::Utc>, crate::model::time::Formatted>,
}

/// The values of the last two keys asked for, the most recent first: what the hot paths keep
/// of a computation whose inputs mostly repeat within an asset (its times).
#[derive(Clone, Copy)]
pub(crate) struct Recent<K, V>([Option<(K, V)>; 2]);

impl<K: Copy + PartialEq, V: Copy> Recent<K, V> {
    pub(crate) const fn new() -> Self {
        Recent([None, None])
    }

    /// The value of `key`: kept, or `compute(key)`, which is then kept.
    #[inline]
    pub(crate) fn get(&mut self, key: K, compute: impl FnOnce(K) -> V) -> V {
        match self.0 {
            [Some((k, v)), _] if k == key => v,
            [first, Some((k, v))] if k == key => {
                self.0 = [Some((k, v)), first];
                v
            }
            [first, _] => {
                let v = compute(key);
                self.0 = [Some((key, v)), first];
                v
            }
        }
    }
}

impl Direct {
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Direct::from_vec(Vec::with_capacity(capacity))
    }

    /// A writer that appends to `out`.
    pub(crate) fn from_vec(out: Vec<u8>) -> Self {
        Direct {
            out,
            last: Recent::new(),
        }
    }

    /// Bytes that are already JSON (keys, punctuation, `null`). Always inlined: the views pass
    /// constants, whose length the compiler then knows, so the copy is a few moves rather than
    /// a `memcpy` call.
    #[inline(always)]
    pub(crate) fn raw(&mut self, b: &[u8]) {
        self.out.extend_from_slice(b);
    }

    /// A string, escaped: a `&str`, or a stored string's bytes whose UTF-8 the output's one
    /// check covers ([`Direct::finish`]).
    #[inline]
    pub(crate) fn str(&mut self, s: impl AsRef<[u8]>) {
        write_bytes(&mut self.out, s.as_ref());
    }

    /// Text that needs no escaping (formatted datetimes, base64), quoted.
    #[inline]
    pub(crate) fn plain(&mut self, s: &[u8]) {
        self.out.reserve(s.len() + 2);
        self.out.push(b'"');
        self.out.extend_from_slice(s);
        self.out.push(b'"');
    }

    #[inline]
    pub(crate) fn opt_str(&mut self, s: Option<impl AsRef<[u8]>>) {
        match s {
            Some(s) => self.str(s),
            None => self.raw(b"null"),
        }
    }

    #[inline]
    pub(crate) fn int(&mut self, v: impl itoa::Integer) {
        self.out
            .extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
    }

    #[inline]
    pub(crate) fn opt_int(&mut self, v: Option<impl itoa::Integer>) {
        match v {
            Some(v) => self.int(v),
            None => self.raw(b"null"),
        }
    }

    #[inline]
    pub(crate) fn f64(&mut self, v: f64) {
        if v.is_finite() {
            self.out
                .extend_from_slice(zmij::Buffer::new().format_finite(v).as_bytes());
        } else {
            self.raw(b"null");
        }
    }

    #[inline]
    pub(crate) fn opt_f64(&mut self, v: Option<f64>) {
        match v {
            Some(v) => self.f64(v),
            None => self.raw(b"null"),
        }
    }

    #[inline]
    pub(crate) fn bool(&mut self, v: bool) {
        self.raw(if v { b"true" } else { b"false" });
    }

    /// An instant in the canonical form (RFC 3339 UTC, `Z`).
    #[inline]
    pub(crate) fn instant(&mut self, t: chrono::DateTime<chrono::Utc>) {
        let f = self.last.get(t, crate::model::time::Formatted::instant);
        self.plain(f.as_bytes());
    }

    #[inline]
    pub(crate) fn opt_instant(&mut self, t: Option<chrono::DateTime<chrono::Utc>>) {
        match t {
            Some(t) => self.instant(t),
            None => self.raw(b"null"),
        }
    }

    /// The output as a string (the writer copies `str`s and writes ASCII around them), for
    /// views of `&str`s only. A view of stored bytes takes [`Direct::finish`].
    pub(crate) fn into_string(self) -> String {
        self.finish().unwrap_or_default()
    }

    /// The output as a string, or `None` when a stored string written as bytes
    /// ([`Direct::str`]) was not UTF-8: the one check of the whole output that covers them.
    pub(crate) fn finish(self) -> Option<String> {
        String::from_utf8(self.out).ok()
    }
}

/// A value the writer cannot express (a map key that is not a string, a failing `Serialize`).
#[derive(Debug)]
pub(crate) struct Error(String);

impl Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

struct Writer {
    out: Vec<u8>,
}

/// `serde_json`'s escape table: 0 = copied as is, else the letter after the backslash
/// (`u` = `\u00XX`).
static ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = b'u';
        i += 1;
    }
    t[0x08] = b'b';
    t[0x09] = b't';
    t[0x0A] = b'n';
    t[0x0C] = b'f';
    t[0x0D] = b'r';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t
};

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether any of the eight bytes of `x` is below 0x20, a `"` or a `\` (exact as a yes/no).
#[inline]
fn needs_escape(x: u64) -> bool {
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let control = x.wrapping_sub(ONES * 0x20) & !x & HIGHS;
    (control | has_zero(x ^ (ONES * u64::from(b'"'))) | has_zero(x ^ (ONES * u64::from(b'\\'))))
        != 0
}

/// A JSON string of `s`: a `&str`, or stored bytes (see [`Direct::str`]).
#[inline]
fn write_str(out: &mut Vec<u8>, s: impl AsRef<[u8]>) {
    write_bytes(out, s.as_ref());
}

fn write_bytes(out: &mut Vec<u8>, b: &[u8]) {
    out.reserve(b.len() + 2);
    out.push(b'"');
    let n = b.len();
    if n >= 8 {
        // Eight bytes at a time, each word checked and copied at once (no second pass, no
        // `memcpy` call for the short strings that most are). The tail is the string's last
        // eight bytes, overlapping the words already copied: checked again (harmless), and
        // written over the overlap (the same bytes), so every store is a whole word.
        let mut i = 0;
        for chunk in b.chunks_exact(8) {
            let word = word8(chunk);
            if needs_escape(word) {
                write_escaped(out, b, i, i);
                out.push(b'"');
                return;
            }
            out.extend_from_slice(&word.to_le_bytes());
            i += 8;
        }
        if i < n {
            let last = word8(&b[n - 8..]);
            if needs_escape(last) {
                write_escaped(out, b, i, i);
                out.push(b'"');
                return;
            }
            out.truncate(out.len() - (i - (n - 8)));
            out.extend_from_slice(&last.to_le_bytes());
        }
    } else if n >= 4 {
        // Two overlapping four-byte halves, checked as one word.
        let low = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        let high = u32::from_le_bytes([b[n - 4], b[n - 3], b[n - 2], b[n - 1]]);
        if needs_escape(u64::from(low) | (u64::from(high) << 32)) {
            write_escaped(out, b, 0, 0);
        } else {
            out.extend_from_slice(&low.to_le_bytes());
            out.truncate(out.len() - (8 - n));
            out.extend_from_slice(&high.to_le_bytes());
        }
    } else {
        match b.iter().position(|&c| ESCAPE[usize::from(c)] != 0) {
            None => out.extend_from_slice(b),
            Some(p) => write_escaped(out, b, 0, p),
        }
    }
    out.push(b'"');
}

/// The eight bytes of `chunk` (exactly eight long) as a little-endian word.
#[inline]
fn word8(chunk: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(chunk);
    u64::from_le_bytes(word)
}

/// The slow path: copies `b[start..]` with its escapes, the first of which is at `from`
/// (`b[..start]` is already written).
fn write_escaped(out: &mut Vec<u8>, b: &[u8], start: usize, from: usize) {
    let mut run = start;
    for (j, &byte) in b.iter().enumerate().skip(from) {
        let e = ESCAPE[usize::from(byte)];
        if e == 0 {
            continue;
        }
        out.extend_from_slice(&b[run..j]);
        if e == b'u' {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 0xF)],
            ]);
        } else {
            out.extend_from_slice(&[b'\\', e]);
        }
        run = j + 1;
    }
    out.extend_from_slice(&b[run..]);
}

impl Writer {
    fn int(&mut self, v: impl itoa::Integer) {
        self.out
            .extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
    }
}

/// Integers, by `itoa` as in `serde_json`.
macro_rules! ints {
    ($($method:ident: $t:ty),*) => {$(
        fn $method(self, v: $t) -> Result<(), Error> {
            self.int(v);
            Ok(())
        }
    )*};
}

impl<'a> ser::Serializer for &'a mut Writer {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    ints!(
        serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_i128: i128, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
        serialize_u64: u64, serialize_u128: u128
    );
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        if v.is_finite() {
            self.out
                .extend_from_slice(zmij::Buffer::new().format_finite(v).as_bytes());
        } else {
            self.out.extend_from_slice(b"null");
        }
        Ok(())
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        if v.is_finite() {
            self.out
                .extend_from_slice(zmij::Buffer::new().format_finite(v).as_bytes());
        } else {
            self.out.extend_from_slice(b"null");
        }
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        write_str(&mut self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        write_str(&mut self.out, v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        self.out.push(b'[');
        for (i, b) in v.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            self.int(*b);
        }
        self.out.push(b']');
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        self.serialize_none()
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.out.push(b'{');
        write_str(&mut self.out, variant);
        self.out.push(b':');
        value.serialize(&mut *self)?;
        self.out.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'a>, Error> {
        self.out.push(b'[');
        Ok(Compound::new(self, b"]"))
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Compound<'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a>, Error> {
        self.out.push(b'{');
        write_str(&mut self.out, variant);
        self.out.extend_from_slice(b":[");
        Ok(Compound::new(self, b"]}"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'a>, Error> {
        self.out.push(b'{');
        Ok(Compound::new(self, b"}"))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>, Error> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a>, Error> {
        self.out.push(b'{');
        write_str(&mut self.out, variant);
        self.out.extend_from_slice(b":{");
        Ok(Compound::new(self, b"}}"))
    }
}

/// An array, object or enum wrapper being written; `close` ends it.
pub(crate) struct Compound<'a> {
    w: &'a mut Writer,
    first: bool,
    close: &'static [u8],
}

impl<'a> Compound<'a> {
    fn new(w: &'a mut Writer, close: &'static [u8]) -> Self {
        Compound {
            w,
            first: true,
            close,
        }
    }

    fn comma(&mut self) {
        if !self.first {
            self.w.out.push(b',');
        }
        self.first = false;
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.comma();
        value.serialize(&mut *self.w)
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        self.comma();
        write_str(&mut self.w.out, key);
        self.w.out.push(b':');
        value.serialize(&mut *self.w)
    }

    fn finish(self) -> Result<(), Error> {
        self.w.out.extend_from_slice(self.close);
        Ok(())
    }
}

/// The sequence-like compounds: elements separated by commas.
macro_rules! elements {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.element(value)
            }
            fn end(self) -> Result<(), Error> {
                self.finish()
            }
        }
    )*};
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.comma();
        key.serialize(KeyWriter(&mut self.w.out))
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.w.out.push(b':');
        value.serialize(&mut *self.w)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

/// The struct-like compounds: `"key":value` fields separated by commas.
macro_rules! fields {
    ($($trait:ident),*) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = Error;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Error> {
                self.field(key, value)
            }
            fn end(self) -> Result<(), Error> {
                self.finish()
            }
        }
    )*};
}

fields!(SerializeStruct, SerializeStructVariant);

/// A map key: strings as they are, integers, bools and chars quoted (as `serde_json` does).
struct KeyWriter<'a>(&'a mut Vec<u8>);

fn key_error() -> Error {
    Error("a JSON map key must be a string, an integer, a bool or a char".into())
}

impl KeyWriter<'_> {
    fn quoted(self, text: &str) -> Result<(), Error> {
        self.0.push(b'"');
        self.0.extend_from_slice(text.as_bytes());
        self.0.push(b'"');
        Ok(())
    }
}

/// Integer keys are written quoted.
macro_rules! quoted_ints {
    ($($method:ident: $t:ty),*) => {$(
        fn $method(self, v: $t) -> Result<(), Error> {
            self.quoted(itoa::Buffer::new().format(v))
        }
    )*};
}

impl ser::Serializer for KeyWriter<'_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = ser::Impossible<(), Error>;
    type SerializeTuple = ser::Impossible<(), Error>;
    type SerializeTupleStruct = ser::Impossible<(), Error>;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = ser::Impossible<(), Error>;
    type SerializeStruct = ser::Impossible<(), Error>;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        write_str(self.0, v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        write_str(self.0, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.quoted(if v { "true" } else { "false" })
    }
    quoted_ints!(
        serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64
    );
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_f32(self, _: f32) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_f64(self, _: f64) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_none(self) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_unit(self) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(key_error())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
        Err(key_error())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(key_error())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(key_error())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(key_error())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Error> {
        Err(key_error())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(key_error())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use serde::Serialize;

    use super::*;

    fn same<T: Serialize + ?Sized>(v: &T) {
        let ours = to_vec(v, 0).map(|b| String::from_utf8(b).unwrap());
        let theirs = serde_json::to_string(v);
        match (ours, theirs) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(_), Err(_)) => {}
            (a, b) => panic!("writer {a:?}, serde_json {b:?}"),
        }
    }

    #[derive(Serialize)]
    enum E {
        Unit,
        New(i32),
        Tuple(u8, String),
        Struct { a: Option<f64>, b: Vec<bool> },
    }

    #[derive(Serialize)]
    struct S<'a> {
        s: &'a str,
        n: Option<i64>,
        f: f64,
        g: f32,
        v: Vec<E>,
        m: BTreeMap<String, Option<f64>>,
        k: BTreeMap<u32, char>,
        t: (u8, i128, u128),
        u: (),
        #[serde(with = "serde_bytes_as_slice")]
        bytes: Vec<u8>,
    }

    mod serde_bytes_as_slice {
        pub fn serialize<S: serde::Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(b)
        }
    }

    #[test]
    fn escapes_like_serde_json() {
        for s in [
            "",
            "plain",
            "exactly8",
            "a\"b\\c",
            "\u{0}\u{1}\u{8}\t\n\u{b}\u{c}\r\u{1f}\u{7f} end",
            "0123456789abcdef\"0123456789abcdef",
            "ünïcödé 写真 📷 with \"quotes\" and \\ in the second half\n",
            "\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\"",
        ] {
            same(s);
        }
    }

    /// Every length the word paths split differently (under 4, 4 to 7, whole words, a tail
    /// overlapping them), with an escape at every position, or none.
    #[test]
    fn escapes_at_every_position_like_serde_json() {
        for len in 0..=25 {
            let clean: String = (0..len)
                .map(|i| char::from(b'a' + (i % 26) as u8))
                .collect();
            same(&clean);
            for at in 0..len {
                for escape in ['"', '\\', '\n', '\u{1}', 'é'] {
                    let mut s: Vec<char> = clean.chars().collect();
                    s[at] = escape;
                    same(&s.into_iter().collect::<String>());
                }
            }
        }
    }

    #[test]
    fn every_shape_like_serde_json() {
        let mut m = BTreeMap::new();
        m.insert("x\"y".to_owned(), Some(0.1));
        m.insert("nan".to_owned(), Some(f64::NAN));
        m.insert("none".to_owned(), None);
        same(&S {
            s: "text",
            n: None,
            f: 1e21,
            g: 0.3,
            v: vec![
                E::Unit,
                E::New(-5),
                E::Tuple(7, "t".into()),
                E::Struct {
                    a: Some(f64::INFINITY),
                    b: vec![true, false],
                },
            ],
            m,
            k: [(1, 'a'), (20, '"')].into_iter().collect(),
            t: (255, i128::MIN, u128::MAX),
            u: (),
            bytes: vec![0, 1, 255],
        });
        let bad: BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into_iter().collect();
        same(&bad);
    }

    proptest! {
        #[test]
        fn any_string_like_serde_json(s in any::<String>(), ascii in "[ -~\\t\\n\\\\\"]{0,40}") {
            same(&s);
            same(&ascii);
        }

        #[test]
        fn any_number_like_serde_json(f in any::<f64>(), g in any::<f32>(), i in any::<i64>(), u in any::<u64>()) {
            same(&(f, g, i, u));
            same(&f64::from_bits(f.to_bits() & 0x800F_FFFF_FFFF_FFFF));
        }
    }
}
