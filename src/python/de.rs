//! Python values read straight into the engine's serde input types (`NewAsset`, `NewFace`,
//! keyword arguments): a serde `Deserializer` over Python objects that hands each visitor what
//! `serde_json::Value`'s deserializer would hand it for the JSON of the value, so a dict and its
//! JSON text are read by one set of rules (the input types' `Deserialize` impls), with the same
//! messages. No `Value` tree is built between the two: a bulk `add_assets` of 50,000 dicts
//! spent about as long building and dropping that tree as reading the records from it.
//!
//! | Python value | what the visitor sees (as for the JSON written for it) |
//! | --- | --- |
//! | None, `NaT` | unit (`null`); none for an `Option` |
//! | bool | bool |
//! | int | u64 when 0 or more, else i64; beyond 64 bits an error |
//! | float | f64; NaN and infinities an error (JSON has no such number) |
//! | str | the string (borrowed) |
//! | dict (str keys only) | a map, in the dict's order |
//! | list, tuple | a sequence |
//! | datetime (`pandas.Timestamp`, `numpy.datetime64`) | its ISO 8601 text, naive or with its offset |
//! | date | `YYYY-MM-DD` |
//! | timedelta (`pandas.Timedelta`, `numpy.timedelta64`) | Immich's duration text `H:MM:SS.ffffff` |
//! | `Asset`, `Face`, `Person` | their canonical JSON |
//!
//! Anything else is refused with a message naming its type. Errors carry no path: when a read
//! fails, [`from_object`] reads the value again inside `serde_path_to_error`, which names the
//! field (`records[3].exif.iso`).

use std::fmt::{self, Display};

use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyDate, PyDateTime, PyDelta, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple,
};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer as _, IntoDeserializer, MapAccess,
    SeqAccess, Visitor,
};
use serde::Deserialize;
use serde_json::Value;

use super::convert::{datetime_value, duration_text, numpy_pandas, type_name, Foreign};
use super::model::{PyAlbum, PyAsset, PyFace, PyLibrary, PyPerson};
use crate::model::time::format_local;

/// Why a Python value could not be read.
#[derive(Debug)]
pub(crate) enum DeError {
    /// The value does not fit the shape: what was wrong, without the field's path (the
    /// caller prefixes it).
    Invalid(String),
    /// A dict key that is not a string: reported at the dict (serde_path_to_error names the
    /// key it could not read `?`).
    Key(String),
    /// An exception Python raised while the value was read; passed on as it is.
    Python(PyErr),
}

impl Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeError::Invalid(m) | DeError::Key(m) => f.write_str(m),
            DeError::Python(e) => Display::fmt(e, f),
        }
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: Display>(msg: T) -> Self {
        DeError::Invalid(msg.to_string())
    }
}

impl From<PyErr> for DeError {
    fn from(e: PyErr) -> Self {
        DeError::Python(e)
    }
}

impl DeError {
    /// An error of `serde_json`'s own deserializer (the rare values read through a `Value`),
    /// by its message.
    fn json(e: serde_json::Error) -> Self {
        DeError::Invalid(e.to_string())
    }
}

/// A `T` read from a Python value; a failure names the field under `path` (`records[3]`), as
/// [`super::convert::from_json`] does for a `Value`.
///
/// The value is read once without tracking the path (serde_path_to_error's wrappers were a
/// fifth of the read) and, only when that fails, read again with it to name the field. Reading
/// has no effect on the value, so the second read fails where the first did; if it does not
/// (a Python object that answers differently the second time), the first error stands, at
/// `path`.
pub(crate) fn from_object<T: DeserializeOwned>(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<T> {
    let first = match T::deserialize(PyDe(obj, Checked::No)) {
        Ok(v) => return Ok(v),
        Err(DeError::Python(e)) => return Err(e),
        Err(e) => e,
    };
    let (field, error) = match serde_path_to_error::deserialize::<_, T>(PyDe(obj, Checked::No)) {
        Ok(_) => (".".to_owned(), first),
        Err(e) => (e.path().to_string(), e.into_inner()),
    };
    Err(match error {
        DeError::Python(e) => e,
        DeError::Invalid(m) => super::convert::field_error(path, &field, m),
        DeError::Key(m) => {
            let dict = match field.strip_suffix('?') {
                Some("") => ".",
                Some(f) => f.strip_suffix('.').unwrap_or(f),
                None => &field,
            };
            super::convert::field_error(path, dict, m)
        }
    })
}

/// A Python value as JSON (for the few calls that assemble a `Value` around it).
pub(crate) fn to_value(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<Value> {
    from_object(obj, path)
}

/// The deserializer of one Python value.
struct PyDe<'a, 'py>(&'a Bound<'py, PyAny>, Checked);

/// Whether the value is already known not to be a numpy or pandas time value (an `Option`
/// looks first, for `NaT`; the value's own read then need not look again).
#[derive(Clone, Copy, PartialEq)]
enum Checked {
    No,
    NotForeign,
}

/// The JSON types a Python value can be read as without a conversion.
enum Plain<'a, 'py> {
    Null,
    Bool(bool),
    Int,
    Float(f64),
    Str(&'a Bound<'py, PyString>),
    Dict(&'a Bound<'py, PyDict>),
    Seq,
    /// Anything else: a time value, a photocat object, or a type that is refused.
    Other,
}

/// The JSON type of `obj`; strings, the most common values of a record, are tried first (each
/// test is a call into the interpreter under the stable ABI), and bool before int (a bool is
/// an int).
fn plain<'a, 'py>(obj: &'a Bound<'py, PyAny>) -> Plain<'a, 'py> {
    if obj.is_none() {
        Plain::Null
    } else if let Ok(s) = obj.cast::<PyString>() {
        Plain::Str(s)
    } else if let Ok(b) = obj.cast::<PyBool>() {
        Plain::Bool(b.is_true())
    } else if obj.is_instance_of::<PyInt>() {
        Plain::Int
    } else if let Ok(f) = obj.cast::<PyFloat>() {
        Plain::Float(f.value())
    } else if let Ok(d) = obj.cast::<PyDict>() {
        Plain::Dict(d)
    } else if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        Plain::Seq
    } else {
        Plain::Other
    }
}

impl<'de> PyDe<'_, '_> {
    /// A value that is not plain JSON: numpy's and pandas' time values, datetimes, dates and
    /// timedeltas as their text, photocat objects as their JSON; anything else refused.
    fn other<V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value, DeError> {
        let foreign = match self.1 {
            Checked::No => numpy_pandas(self.0)?,
            Checked::NotForeign => Foreign::No,
        };
        let obj = match &foreign {
            Foreign::NotATime => return visitor.visit_unit(),
            Foreign::Value(v) => v,
            Foreign::No => self.0,
        };
        if obj.is_instance_of::<PyDateTime>() {
            return match datetime_value(obj)? {
                Some(d) => visitor
                    .visit_string(format_local(d.naive, d.offset.map(|o| o.local_minus_utc()))),
                None => visitor.visit_unit(),
            };
        }
        if obj.is_instance_of::<PyDelta>() {
            return visitor.visit_string(duration_text(obj)?);
        }
        if obj.is_instance_of::<PyDate>() {
            let d: chrono::NaiveDate = obj.extract()?;
            return visitor.visit_string(d.format("%Y-%m-%d").to_string());
        }
        let json = if let Ok(a) = obj.cast::<PyAsset>() {
            a.get().inner.to_json_value()
        } else if let Ok(f) = obj.cast::<PyFace>() {
            serde_json::to_value(&f.get().inner).map_err(DeError::json)?
        } else if let Ok(p) = obj.cast::<PyPerson>() {
            serde_json::to_value(&p.get().inner).map_err(DeError::json)?
        } else if obj.is_instance_of::<PyAlbum>() || obj.is_instance_of::<PyLibrary>() {
            return Err(DeError::Invalid(format!(
                "a {} cannot be used as a value here",
                type_name(obj)
            )));
        } else {
            return Err(DeError::Invalid(format!(
                "a value of type {} is not accepted (expected dict, list, str, int, float, \
                 bool, None, datetime, date or timedelta)",
                type_name(obj)
            )));
        };
        json.deserialize_any(visitor).map_err(DeError::json)
    }

    /// The value as a `serde_json::Value` (each of its parts checked as for any other read).
    fn value(&self) -> Result<Value, DeError> {
        Value::deserialize(PyDe(self.0, self.1))
    }
}

fn int<'de, V: Visitor<'de>>(obj: &Bound<'_, PyAny>, visitor: V) -> Result<V::Value, DeError> {
    // As `serde_json::Number` holds it: 0 or more as a u64, below 0 as an i64.
    if let Ok(v) = obj.extract::<i64>() {
        return match u64::try_from(v) {
            Ok(u) => visitor.visit_u64(u),
            Err(_) => visitor.visit_i64(v),
        };
    }
    if let Ok(v) = obj.extract::<u64>() {
        return visitor.visit_u64(v);
    }
    Err(DeError::Invalid(format!(
        "the integer {} is out of range (at most 64 bits)",
        obj.str()?.to_cow()?
    )))
}

impl<'de> de::Deserializer<'de> for PyDe<'_, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match plain(self.0) {
            Plain::Null => visitor.visit_unit(),
            Plain::Bool(b) => visitor.visit_bool(b),
            Plain::Int => int(self.0, visitor),
            Plain::Float(v) if v.is_finite() => visitor.visit_f64(v),
            Plain::Float(v) => Err(DeError::Invalid(format!("{v} is not a finite number"))),
            Plain::Str(s) => visitor.visit_str(&s.to_cow()?),
            Plain::Dict(d) => visitor.visit_map(Entries {
                items: d.iter(),
                len: d.len(),
                value: None,
            }),
            Plain::Seq => {
                let items = self.0.try_iter()?;
                visitor.visit_seq(Items(items))
            }
            Plain::Other => self.other(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match plain(self.0) {
            Plain::Null => visitor.visit_none(),
            Plain::Other if self.1 == Checked::NotForeign => visitor.visit_some(self),
            Plain::Other => match numpy_pandas(self.0)? {
                Foreign::NotATime => visitor.visit_none(),
                Foreign::Value(v) => visitor.visit_some(PyDe(&v, Checked::NotForeign)),
                Foreign::No => visitor.visit_some(PyDe(self.0, Checked::NotForeign)),
            },
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match plain(self.0) {
            Plain::Str(s) => visitor.visit_enum(s.to_cow()?.as_ref().into_deserializer()),
            // A variant with content (a one-key object) or a type an enum refuses: as
            // serde_json reads the JSON, messages included.
            _ => self
                .value()?
                .deserialize_enum(name, variants, visitor)
                .map_err(DeError::json),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        // An accepted-and-ignored field is still checked to be a value JSON can hold.
        self.value()?;
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

/// A dict's entries, in its order; keys must be strings.
struct Entries<'py> {
    items: pyo3::types::iter::BoundDictIterator<'py>,
    len: usize,
    value: Option<Bound<'py, PyAny>>,
}

impl<'de> MapAccess<'de> for Entries<'_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some((key, value)) = self.items.next() else {
            return Ok(None);
        };
        self.len = self.len.saturating_sub(1);
        let key = key.cast_into::<PyString>().map_err(|e| {
            DeError::Key(format!(
                "keys must be strings, got {}",
                type_name(e.into_inner().as_any())
            ))
        })?;
        self.value = Some(value);
        let text = key.to_cow()?;
        let key: de::value::StrDeserializer<'_, DeError> = text.as_ref().into_deserializer();
        seed.deserialize(key).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        match self.value.take() {
            Some(v) => seed.deserialize(PyDe(&v, Checked::No)),
            None => Err(DeError::Invalid(
                "a value was asked for before its key".into(),
            )),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.len)
    }
}

/// A list's or a tuple's items.
struct Items<'py>(Bound<'py, pyo3::types::PyIterator>);

impl<'de> SeqAccess<'de> for Items<'_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        match self.0.next() {
            None => Ok(None),
            Some(item) => seed.deserialize(PyDe(&item?, Checked::No)).map(Some),
        }
    }
}
