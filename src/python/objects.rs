//! Python objects straight from the views' `Serialize` impls: `to_dict()`, `to_immich_dict()`
//! and the nested attributes of `Asset` (`exif`, `metadata`, `metrics`, `asset_urls`) are built
//! by a serde serializer that makes dicts, lists, strings and numbers instead of JSON text. The
//! views stay the one definition of each shape (key names and order, nulls, the text of
//! datetimes); this module only mirrors what `json.loads` makes of the JSON writer's output
//! (`src/views/writer.rs`), so `to_dict()` equals `json.loads(to_json())`, key order included:
//!
//! | serde value | JSON written | Python object |
//! | --- | --- | --- |
//! | bool, integer | `true`, `12` | `bool`, `int` |
//! | finite float | shortest round-trip digits | the same `float` |
//! | non-finite float, none, unit | `null` | `None` |
//! | str, char | a string | `str` |
//! | seq, tuple, bytes | an array | `list` |
//! | struct, map | an object (integer, bool and char keys quoted) | `dict`, in field order |
//! | enum variant | the name, or `{name: value}` | `str`, or a one-key `dict` |
//!
//! Struct field names (`&'static str`) become Python strings once per process, as `json.loads`
//! reuses a key's string within one document; and each struct's dict starts as a copy of a
//! template with its field names (see [`Cache`]), which spares CPython growing the dict key by
//! key and setting the fields that are None.

use std::collections::HashMap;
use std::fmt::{self, Display};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex};

use pyo3::exceptions::{PyKeyError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyList, PyString};
use serde::ser::{self, Impossible, Serialize};

/// The Python object of `value`: what `json.loads` gives for the compact JSON of `value`.
pub(crate) fn to_object<'py, T: Serialize + ?Sized>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    with_cache(|cache| value.serialize(Ser { py, cache }).map_err(|Error(e)| e))
}

/// The Python object of one field of the struct `value` serializes as (the other fields are
/// skipped, not built): `to_object(value)[key]`. `KeyError` when the struct has no such field.
pub(crate) fn field_object<'py, T: Serialize + ?Sized>(
    py: Python<'py>,
    value: &T,
    key: &str,
) -> PyResult<Bound<'py, PyAny>> {
    with_cache(|cache| {
        value
            .serialize(Pick {
                ser: Ser { py, cache },
                key,
            })
            .map_err(|Error(e)| e)
    })
}

/// A `&'static str` by its address and length (the views' field and struct names are
/// literals, so each has one address; two equal literals at two addresses are two entries,
/// which costs time, never correctness).
type Static = (usize, usize);

fn address(s: &'static str) -> Static {
    (s.as_ptr() as usize, s.len())
}

type AddressMap<V> = HashMap<Static, V, BuildHasherDefault<AddressHasher>>;

/// What conversions reuse: the Python string of each struct field name, and a template per
/// struct name.
#[derive(Default)]
struct Cache {
    keys: AddressMap<Py<PyString>>,
    templates: AddressMap<Arc<Template>>,
}

/// The field names of a struct, in order, as the first value of that struct name had them,
/// and a dict holding them with None values. A dict of the struct starts as a copy of it
/// (one copy of the table, no growing) and only the fields that are not None are set; a value
/// whose fields differ (a field skipped when None, a second struct of the same name) is still
/// built exactly (see [`Dict::field`]).
struct Template {
    fields: Vec<(&'static str, Py<PyString>)>,
    dict: Py<PyDict>,
}

impl Cache {
    fn key<'py>(&mut self, py: Python<'py>, key: &'static str) -> &Bound<'py, PyString> {
        self.keys
            .entry(address(key))
            .or_insert_with(|| PyString::intern(py, key).unbind())
            .bind(py)
    }
}

/// A hasher for addresses: one multiplication (the map holds a few hundred keys).
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

/// Runs `f` with the process's [`Cache`]. The lock is only tried: when it is held (a
/// finalizer run by the garbage collector during a conversion converts again, or another
/// thread converts while this one waits for the interpreter), `f` gets a fresh cache.
fn with_cache<R>(f: impl FnOnce(&mut Cache) -> R) -> R {
    static CACHE: Mutex<Option<Cache>> = Mutex::new(None);
    match CACHE.try_lock() {
        Ok(mut guard) => f(guard.get_or_insert_with(Cache::default)),
        Err(std::sync::TryLockError::Poisoned(e)) => {
            f(e.into_inner().get_or_insert_with(Cache::default))
        }
        Err(std::sync::TryLockError::WouldBlock) => f(&mut Cache::default()),
    }
}

/// A Python exception raised while building (or a value the shape cannot express).
#[derive(Debug)]
struct Error(PyErr);

impl Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Display::fmt(&self.0, f)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: Display>(msg: T) -> Self {
        Error(PyValueError::new_err(msg.to_string()))
    }
}

impl From<std::convert::Infallible> for Error {
    fn from(e: std::convert::Infallible) -> Self {
        match e {}
    }
}

impl From<PyErr> for Error {
    fn from(e: PyErr) -> Self {
        Error(e)
    }
}

type Result<T> = std::result::Result<T, Error>;

/// The serializer: one Python object per value.
struct Ser<'k, 'py> {
    py: Python<'py>,
    cache: &'k mut Cache,
}

impl<'py> Ser<'_, 'py> {
    fn reborrow(&mut self) -> Ser<'_, 'py> {
        Ser {
            py: self.py,
            cache: self.cache,
        }
    }
    fn none(&self) -> Bound<'py, PyAny> {
        self.py.None().into_bound(self.py)
    }
    fn str(&self, v: &str) -> Bound<'py, PyAny> {
        PyString::new(self.py, v).into_any()
    }
    /// `{variant: value}`, serde's externally tagged form.
    fn tagged(&self, variant: &str, value: Bound<'py, PyAny>) -> Result<Bound<'py, PyAny>> {
        let d = PyDict::new(self.py);
        d.set_item(variant, value)?;
        Ok(d.into_any())
    }
}

macro_rules! ints {
    ($($method:ident: $t:ty),*) => {$(
        fn $method(self, v: $t) -> Result<Bound<'py, PyAny>> {
            Ok(v.into_pyobject(self.py)?.into_any())
        }
    )*};
}

impl<'k, 'py> ser::Serializer for Ser<'k, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    type SerializeSeq = List<'k, 'py>;
    type SerializeTuple = List<'k, 'py>;
    type SerializeTupleStruct = List<'k, 'py>;
    type SerializeTupleVariant = List<'k, 'py>;
    type SerializeMap = Dict<'k, 'py>;
    type SerializeStruct = Dict<'k, 'py>;
    type SerializeStructVariant = Dict<'k, 'py>;

    fn serialize_bool(self, v: bool) -> Result<Self::Ok> {
        Ok(PyBool::new(self.py, v).to_owned().into_any())
    }
    ints!(
        serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_i128: i128, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
        serialize_u64: u64, serialize_u128: u128
    );
    fn serialize_f32(self, v: f32) -> Result<Self::Ok> {
        // The writer prints an f32's own shortest digits, which json.loads reads as a double.
        if !v.is_finite() {
            return Ok(self.none());
        }
        let v: f64 = v.to_string().parse().unwrap_or(f64::from(v));
        Ok(PyFloat::new(self.py, v).into_any())
    }
    fn serialize_f64(self, v: f64) -> Result<Self::Ok> {
        // Shortest round-trip digits read back are the same double.
        if !v.is_finite() {
            return Ok(self.none());
        }
        Ok(PyFloat::new(self.py, v).into_any())
    }
    fn serialize_char(self, v: char) -> Result<Self::Ok> {
        Ok(self.str(v.encode_utf8(&mut [0; 4])))
    }
    fn serialize_str(self, v: &str) -> Result<Self::Ok> {
        Ok(self.str(v))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Self::Ok> {
        Ok(PyList::new(self.py, v)?.into_any())
    }
    fn serialize_none(self) -> Result<Self::Ok> {
        Ok(self.none())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Self::Ok> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Self::Ok> {
        Ok(self.none())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Self::Ok> {
        Ok(self.none())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Self::Ok> {
        Ok(self.str(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Self::Ok> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        mut self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Self::Ok> {
        let v = value.serialize(self.reborrow())?;
        self.tagged(variant, v)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<List<'k, 'py>> {
        Ok(List {
            items: Vec::with_capacity(len.unwrap_or(0)),
            variant: None,
            ser: self,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<List<'k, 'py>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<List<'k, 'py>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<List<'k, 'py>> {
        let mut list = self.serialize_seq(Some(len))?;
        list.variant = Some(variant);
        Ok(list)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Dict<'k, 'py>> {
        Ok(Dict {
            dict: PyDict::new(self.py),
            key: None,
            variant: None,
            shape: Shape::Appending { record: None },
            ser: self,
        })
    }
    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Dict<'k, 'py>> {
        let (dict, shape) = match self.cache.templates.get(&address(name)) {
            Some(t) => (
                t.dict.bind(self.py).copy()?,
                Shape::Template {
                    template: Arc::clone(t),
                    pos: 0,
                },
            ),
            None => (
                PyDict::new(self.py),
                Shape::Appending {
                    record: Some((name, Vec::with_capacity(len))),
                },
            ),
        };
        Ok(Dict {
            dict,
            key: None,
            variant: None,
            shape,
            ser: self,
        })
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Dict<'k, 'py>> {
        let mut dict = self.serialize_map(None)?;
        dict.variant = Some(variant);
        Ok(dict)
    }
}

/// A list being built (a tuple variant's is wrapped in `{variant: [...]}` at the end).
struct List<'k, 'py> {
    items: Vec<Bound<'py, PyAny>>,
    variant: Option<&'static str>,
    ser: Ser<'k, 'py>,
}

impl<'py> List<'_, 'py> {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let v = value.serialize(self.ser.reborrow())?;
        self.items.push(v);
        Ok(())
    }
    fn finish(self) -> Result<Bound<'py, PyAny>> {
        let list = PyList::new(self.ser.py, self.items)?.into_any();
        match self.variant {
            Some(variant) => self.ser.tagged(variant, list),
            None => Ok(list),
        }
    }
}

macro_rules! elements {
    ($($trait:ident::$method:ident),*) => {$(
        impl<'py> ser::$trait for List<'_, 'py> {
            type Ok = Bound<'py, PyAny>;
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
                self.push(value)
            }
            fn end(self) -> Result<Bound<'py, PyAny>> {
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

/// A dict being built, in insertion order (a struct variant's is wrapped in `{variant: {...}}`
/// at the end).
struct Dict<'k, 'py> {
    dict: Bound<'py, PyDict>,
    /// A map's key, between `serialize_key` and `serialize_value`.
    key: Option<Bound<'py, PyAny>>,
    variant: Option<&'static str>,
    shape: Shape,
    ser: Ser<'k, 'py>,
}

/// How a [`Dict`] is being filled.
enum Shape {
    /// Each entry is inserted after the previous ones (a map, a struct variant, a struct
    /// seen for the first time, whose field names are recorded to make its template, or a
    /// struct whose fields left its template's order).
    Appending {
        record: Option<(&'static str, Vec<&'static str>)>,
    },
    /// The dict is a copy of `template`, whose first `pos` fields are set.
    Template { template: Arc<Template>, pos: usize },
}

impl<'py> Dict<'_, 'py> {
    fn finish(mut self) -> Result<Bound<'py, PyAny>> {
        match std::mem::replace(&mut self.shape, Shape::Appending { record: None }) {
            Shape::Template { template, pos } => self.drop_fields_from(&template, pos)?,
            Shape::Appending {
                record: Some((name, fields)),
            } => {
                let py = self.ser.py;
                let dict = PyDict::new(py);
                let mut keyed = Vec::with_capacity(fields.len());
                for f in fields {
                    let key = self.ser.cache.key(py, f).clone();
                    dict.set_item(&key, py.None())?;
                    keyed.push((f, key.unbind()));
                }
                let template = Template {
                    fields: keyed,
                    dict: dict.unbind(),
                };
                (self.ser.cache.templates).insert(address(name), Arc::new(template));
            }
            Shape::Appending { record: None } => {}
        }
        let dict = self.dict.into_any();
        match self.variant {
            Some(variant) => self.ser.tagged(variant, dict),
            None => Ok(dict),
        }
    }

    /// Deletes the template's fields from `pos` on (still None, in the template's order), so
    /// that the fields set so far are the whole dict.
    fn drop_fields_from(&self, template: &Template, pos: usize) -> Result<()> {
        for (_, key) in &template.fields[pos.min(template.fields.len())..] {
            self.dict.del_item(key.bind(self.ser.py))?;
        }
        Ok(())
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<()> {
        let value = value.serialize(self.ser.reborrow())?;
        let py = self.ser.py;
        match &mut self.shape {
            Shape::Appending { record } => {
                if let Some((_, fields)) = record {
                    fields.push(key);
                }
            }
            Shape::Template { template, pos } => {
                if let Some((field, k)) = template.fields.get(*pos) {
                    if std::ptr::eq(*field, key) || *field == key {
                        // The template's next field: it holds None already.
                        *pos += 1;
                        if !value.is_none() {
                            self.dict.set_item(k.bind(py), value)?;
                        }
                        return Ok(());
                    }
                }
                // The fields left the template's order: drop the template's fields not set
                // yet, then insert this field and the next ones one after the other.
                let (template, pos) = (Arc::clone(template), *pos);
                self.shape = Shape::Appending { record: None };
                self.drop_fields_from(&template, pos)?;
            }
        }
        self.dict.set_item(self.ser.cache.key(py, key), value)?;
        Ok(())
    }
}

impl<'py> ser::SerializeMap for Dict<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        self.key = Some(key.serialize(KeySer { py: self.ser.py })?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let key = self
            .key
            .take()
            .ok_or_else(|| <Error as ser::Error>::custom("a map value without its key"))?;
        let value = value.serialize(self.ser.reborrow())?;
        self.dict.set_item(key, value)?;
        Ok(())
    }
    fn end(self) -> Result<Bound<'py, PyAny>> {
        self.finish()
    }
}

macro_rules! fields {
    ($($trait:ident),*) => {$(
        impl<'py> ser::$trait for Dict<'_, 'py> {
            type Ok = Bound<'py, PyAny>;
            type Error = Error;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<()> {
                self.field(key, value)
            }
            fn end(self) -> Result<Bound<'py, PyAny>> {
                self.finish()
            }
        }
    )*};
}

fields!(SerializeStruct, SerializeStructVariant);

/// A map key as the JSON writer writes it: strings (and chars, unit variants) as they are,
/// integers and bools as their text; anything else is an error, as in the writer.
struct KeySer<'py> {
    py: Python<'py>,
}

fn key_error() -> Error {
    <Error as ser::Error>::custom("a JSON map key must be a string, an integer, a bool or a char")
}

macro_rules! text_ints {
    ($($method:ident: $t:ty),*) => {$(
        fn $method(self, v: $t) -> Result<Bound<'py, PyAny>> {
            self.serialize_str(itoa::Buffer::new().format(v))
        }
    )*};
}

impl<'py> ser::Serializer for KeySer<'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    type SerializeSeq = Impossible<Bound<'py, PyAny>, Error>;
    type SerializeTuple = Impossible<Bound<'py, PyAny>, Error>;
    type SerializeTupleStruct = Impossible<Bound<'py, PyAny>, Error>;
    type SerializeTupleVariant = Impossible<Bound<'py, PyAny>, Error>;
    type SerializeMap = Impossible<Bound<'py, PyAny>, Error>;
    type SerializeStruct = Impossible<Bound<'py, PyAny>, Error>;
    type SerializeStructVariant = Impossible<Bound<'py, PyAny>, Error>;

    fn serialize_str(self, v: &str) -> Result<Self::Ok> {
        Ok(PyString::new(self.py, v).into_any())
    }
    fn serialize_char(self, v: char) -> Result<Self::Ok> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_bool(self, v: bool) -> Result<Self::Ok> {
        self.serialize_str(if v { "true" } else { "false" })
    }
    text_ints!(
        serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64
    );
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Self::Ok> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Self::Ok> {
        value.serialize(self)
    }
    fn serialize_f32(self, _: f32) -> Result<Self::Ok> {
        Err(key_error())
    }
    fn serialize_f64(self, _: f64) -> Result<Self::Ok> {
        Err(key_error())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Self::Ok> {
        Err(key_error())
    }
    fn serialize_none(self) -> Result<Self::Ok> {
        Err(key_error())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<Self::Ok> {
        Err(key_error())
    }
    fn serialize_unit(self) -> Result<Self::Ok> {
        Err(key_error())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Self::Ok> {
        Err(key_error())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Self::Ok> {
        Err(key_error())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(key_error())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple> {
        Err(key_error())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Err(key_error())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(key_error())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap> {
        Err(key_error())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct> {
        Err(key_error())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(key_error())
    }
}

/// Picks one field of a struct: the field's value is built, the others are skipped.
struct Pick<'k, 'py, 'a> {
    ser: Ser<'k, 'py>,
    key: &'a str,
}

/// The fields of the struct [`Pick`] reads.
struct Picked<'k, 'py, 'a> {
    ser: Ser<'k, 'py>,
    key: &'a str,
    found: Option<Bound<'py, PyAny>>,
}

fn not_a_struct() -> Error {
    <Error as ser::Error>::custom("only a struct's field can be picked")
}

impl<'py> ser::SerializeStruct for Picked<'_, 'py, '_> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        if self.found.is_none() && key == self.key {
            self.found = Some(value.serialize(self.ser.reborrow())?);
        }
        Ok(())
    }
    fn end(self) -> Result<Bound<'py, PyAny>> {
        self.found
            .ok_or_else(|| Error(PyKeyError::new_err(self.key.to_owned())))
    }
}

impl<'k, 'py, 'a> ser::Serializer for Pick<'k, 'py, 'a> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    type SerializeSeq = Impossible<Bound<'py, PyAny>, Error>;
    type SerializeTuple = Impossible<Bound<'py, PyAny>, Error>;
    type SerializeTupleStruct = Impossible<Bound<'py, PyAny>, Error>;
    type SerializeTupleVariant = Impossible<Bound<'py, PyAny>, Error>;
    type SerializeMap = Impossible<Bound<'py, PyAny>, Error>;
    type SerializeStruct = Picked<'k, 'py, 'a>;
    type SerializeStructVariant = Impossible<Bound<'py, PyAny>, Error>;

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct> {
        Ok(Picked {
            ser: self.ser,
            key: self.key,
            found: None,
        })
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Self::Ok> {
        value.serialize(self)
    }
    fn serialize_bool(self, _: bool) -> Result<Self::Ok> {
        Err(not_a_struct())
    }
    fn serialize_i8(self, _: i8) -> Result<Self::Ok> {
        Err(not_a_struct())
    }
    fn serialize_i16(self, _: i16) -> Result<Self::Ok> {
        Err(not_a_struct())
    }
    fn serialize_i32(self, _: i32) -> Result<Self::Ok> {
        Err(not_a_struct())
    }
    fn serialize_i64(self, _: i64) -> Result<Self::Ok> {
        Err(not_a_struct())
    }
    fn serialize_u8(self, _: u8) -> Result<Self::Ok> {
        Err(not_a_struct())
    }
    fn serialize_u16(self, _: u16) -> Result<Self::Ok> {
        Err(not_a_struct())
    }
    fn serialize_u32(self, _: u32) -> Result<Self::Ok> {
        Err(not_a_struct())
    }
    fn serialize_u64(self, _: u64) -> Result<Self::Ok> {
        Err(not_a_struct())
    }
    fn serialize_f32(self, _: f32) -> Result<Self::Ok> {
        Err(not_a_struct())
    }
    fn serialize_f64(self, _: f64) -> Result<Self::Ok> {
        Err(not_a_struct())
    }
    fn serialize_char(self, _: char) -> Result<Self::Ok> {
        Err(not_a_struct())
    }
    fn serialize_str(self, _: &str) -> Result<Self::Ok> {
        Err(not_a_struct())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Self::Ok> {
        Err(not_a_struct())
    }
    fn serialize_none(self) -> Result<Self::Ok> {
        Err(not_a_struct())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<Self::Ok> {
        Err(not_a_struct())
    }
    fn serialize_unit(self) -> Result<Self::Ok> {
        Err(not_a_struct())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Self::Ok> {
        Err(not_a_struct())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<Self::Ok> {
        Err(not_a_struct())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Self::Ok> {
        Err(not_a_struct())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(not_a_struct())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple> {
        Err(not_a_struct())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Err(not_a_struct())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(not_a_struct())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap> {
        Err(not_a_struct())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(not_a_struct())
    }
}
