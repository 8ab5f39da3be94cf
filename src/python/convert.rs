//! Conversions between Python values and the engine's types: datetimes (objects or ISO 8601
//! strings) into [`DateTimeInput`], dicts into the engine's JSON input types (read by
//! [`super::de`] through the same serde impls as Gumnut JSON, so a dict and its JSON text are
//! read by one set of rules), and id lists. (Python objects out of the engine's views:
//! [`super::objects`].)

use chrono::{FixedOffset, NaiveDate, NaiveDateTime};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDate, PyDateTime, PyDelta, PyDict, PyInt, PyList, PyString};
use std::fmt::Write;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::de::{from_object, DeError};
use super::errors::invalid;
use super::model::{PyAsset, PyFace};
use crate::model::time::parse_datetime;
use crate::model::DateTimeInput;

/// The Python type name of an object, for messages.
pub(crate) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".into())
}

/// A datetime argument: an aware or naive `datetime` (a `pandas.Timestamp` is one), a
/// `numpy.datetime64` (naive), a `date` (midnight), or an ISO 8601 string. Aware values keep
/// their UTC offset at that instant. Digits finer than microseconds (a `Timestamp`'s or a
/// `datetime64`'s nanoseconds) are truncated, as the engine truncates them in ISO text.
/// pandas' `NaT` and `numpy.datetime64("NaT")` are missing values: None.
pub(crate) fn datetime_input(
    obj: &Bound<'_, PyAny>,
    field: &str,
) -> PyResult<Option<DateTimeInput>> {
    if obj.is_none() {
        return Ok(None);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Some(parse_datetime(&s.to_cow()?)?));
    }
    let at = |e: DeError| match e {
        DeError::Invalid(m) | DeError::Key(m) => invalid(format!("{field}: {m}")),
        DeError::Python(e) => e,
    };
    let obj = match numpy_pandas(obj).map_err(at)? {
        Foreign::NotATime => return Ok(None),
        Foreign::Value(v) => v,
        Foreign::No => obj.clone(),
    };
    if obj.is_instance_of::<PyDateTime>() {
        return datetime_value(&obj).map_err(at);
    }
    if obj.is_instance_of::<PyDate>() {
        let d: NaiveDate = obj.extract()?;
        return Ok(Some(d.and_time(chrono::NaiveTime::MIN).into()));
    }
    Err(PyTypeError::new_err(format!(
        "{field} must be a datetime, a date, a numpy.datetime64 or an ISO 8601 string, got {}",
        type_name(&obj)
    )))
}

/// A `datetime.datetime` with any tzinfo (fixed, zoneinfo, dateutil, pytz...): its UTC offset
/// at this value, as Python defines it; `utcoffset()` None means naive.
pub(crate) fn datetime_value(obj: &Bound<'_, PyAny>) -> Result<Option<DateTimeInput>, DeError> {
    let offset = obj.call_method0("utcoffset")?;
    let kwargs = PyDict::new(obj.py());
    kwargs.set_item("tzinfo", obj.py().None())?;
    let naive: NaiveDateTime = obj.call_method("replace", (), Some(&kwargs))?.extract()?;
    if offset.is_none() {
        return Ok(Some(naive.into()));
    }
    let delta: chrono::TimeDelta = offset.extract()?;
    let secs = i32::try_from(delta.num_seconds()).unwrap_or(i32::MAX);
    let offset = FixedOffset::east_opt(secs).ok_or_else(|| {
        DeError::Invalid(format!(
            "the UTC offset of {} seconds is out of range",
            delta.num_seconds()
        ))
    })?;
    Ok(Some(DateTimeInput {
        naive,
        offset: Some(offset),
    }))
}

/// An optional datetime argument (None, `NaT`: no value).
pub(crate) fn opt_datetime_input(
    obj: Option<&Bound<'_, PyAny>>,
    field: &str,
) -> PyResult<Option<DateTimeInput>> {
    match obj {
        None => Ok(None),
        Some(o) => datetime_input(o, field),
    }
}

/// What [`numpy_pandas`] made of a value.
pub(crate) enum Foreign<'py> {
    /// Not a numpy or pandas time value: use the object as it is.
    No,
    /// pandas' `NaT` or numpy's `NaT`: a missing value.
    NotATime,
    /// The value as a standard `datetime.datetime` or `datetime.timedelta`.
    Value(Bound<'py, PyAny>),
}

/// numpy's and pandas' own time values, recognised by their type's module and name so that
/// neither library is ever imported here: `numpy.datetime64` becomes a naive
/// `datetime.datetime` and `numpy.timedelta64` a `datetime.timedelta` (both truncated to
/// microseconds, with numpy's own cast, which rounds toward the past), and `NaT` (pandas'
/// or numpy's) is [`Foreign::NotATime`]. `pandas.Timestamp` and `pandas.Timedelta` are
/// subclasses of `datetime` and `timedelta` and need nothing.
pub(crate) fn numpy_pandas<'py>(obj: &Bound<'py, PyAny>) -> Result<Foreign<'py>, DeError> {
    let ty = obj.get_type();
    let module = ty.module()?;
    let module = module.to_cow()?;
    if !(module == "numpy" || module.starts_with("pandas.")) {
        return Ok(Foreign::No);
    }
    let name = ty.name()?;
    let (unit, std_type) = match (&*module, &*name.to_cow()?) {
        (m, "NaTType") if m.starts_with("pandas.") => return Ok(Foreign::NotATime),
        ("numpy", "datetime64") => ("datetime64[us]", "a datetime"),
        ("numpy", "timedelta64") => ("timedelta64[us]", "a timedelta"),
        _ => return Ok(Foreign::No),
    };
    let item = obj.call_method1("astype", (unit,))?.call_method0("item")?;
    if item.is_none() {
        return Ok(Foreign::NotATime);
    }
    if item.is_instance_of::<PyDateTime>() || item.is_instance_of::<PyDelta>() {
        return Ok(Foreign::Value(item));
    }
    // `item()` gives an int when the value does not fit Python's type (years 1 to 9999,
    // +-999,999,999 days).
    Err(DeError::Invalid(format!(
        "numpy.{name} {} is out of the range of {std_type}",
        obj.str()?.to_cow()?
    )))
}

/// A `timedelta` (`pandas.Timedelta`, `numpy.timedelta64`) as Immich's duration text
/// `H:MM:SS.ffffff`, the form `Asset.duration` is stored in.
pub(crate) fn duration_text(obj: &Bound<'_, PyAny>) -> Result<String, DeError> {
    let delta: chrono::TimeDelta = obj.extract()?;
    crate::model::time::format_duration(delta).map_err(|e| DeError::Invalid(e.to_string()))
}

/// A record of an engine input type from a dict (or a photocat object) at `path`.
pub(crate) fn record<T: DeserializeOwned>(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<T> {
    if !(obj.is_instance_of::<PyDict>()
        || obj.is_instance_of::<PyAsset>()
        || obj.is_instance_of::<PyFace>())
    {
        return Err(PyTypeError::new_err(format!(
            "{path} must be a dict, got {}",
            type_name(obj)
        )));
    }
    from_object(obj, path)
}

/// An engine input type from JSON; a failure names the field (`records[3].exif.iso: ...`).
pub(crate) fn from_json<T: DeserializeOwned>(value: Value, path: &str) -> PyResult<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let field = e.path().to_string();
        field_error(path, &field, e.into_inner().to_string())
    })
}

/// `InvalidArgument` for a value that failed at `field` (serde_path_to_error's path, `.` for
/// the value itself) inside the value at `path`: `records[3].exif.iso: message`.
pub(crate) fn field_error(path: &str, field: &str, message: String) -> PyErr {
    let sep = if field.starts_with('[') { "" } else { "." };
    let at = match (path.is_empty(), field == ".") {
        (_, true) => path.to_owned(),
        (true, false) => field.to_owned(),
        (false, false) => format!("{path}{sep}{field}"),
    };
    if at.is_empty() {
        invalid(message)
    } else {
        invalid(format!("{at}: {message}"))
    }
}

/// Records from any iterable of dicts.
pub(crate) fn records<T: DeserializeOwned>(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<T>> {
    if obj.is_instance_of::<PyDict>() || obj.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(format!(
            "{name} must be a list of dicts, got a single {}",
            type_name(obj)
        )));
    }
    // A list's length is known: one allocation, not a doubling (records are large, and a
    // bulk call holds tens of thousands).
    let mut out = Vec::with_capacity(obj.cast::<PyList>().map_or(0, |l| l.len()));
    let mut path = String::new();
    for (i, item) in obj.try_iter()?.enumerate() {
        path.clear();
        write!(path, "{name}[{i}]").expect("writing to a String cannot fail");
        out.push(record(&item?, &path)?);
    }
    Ok(out)
}

/// Ids from any iterable of strings (a single string is refused: it would be a list of
/// characters).
pub(crate) fn id_list(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<String>> {
    str_list(obj, name, "id")
}

/// Strings from any iterable of strings, each a `noun` (a single string is refused: it would
/// be a list of characters).
pub(crate) fn str_list(obj: &Bound<'_, PyAny>, name: &str, noun: &str) -> PyResult<Vec<String>> {
    if obj.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(format!(
            "{name} must be a list of {noun}s, got a single str"
        )));
    }
    let mut out = Vec::new();
    for item in obj.try_iter()? {
        let item = item?;
        match item.cast::<PyString>() {
            Ok(s) => out.push(s.to_cow()?.into_owned()),
            Err(_) => {
                return Err(PyTypeError::new_err(format!(
                    "{name} must hold {noun} strings, got {}",
                    type_name(&item)
                )))
            }
        }
    }
    Ok(out)
}

/// An optional `bool` argument: True, False or None. Anything else (`1`, `"true"`, a numpy
/// bool) is a `TypeError` naming the argument: a filter that silently read `0` as False would
/// hide a caller's mistake.
pub(crate) fn opt_bool(obj: Option<&Bound<'_, PyAny>>, name: &str) -> PyResult<Option<bool>> {
    match obj {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => match o.cast::<PyBool>() {
            Ok(b) => Ok(Some(b.is_true())),
            Err(_) => Err(PyTypeError::new_err(format!(
                "{name} must be True, False or None, got {}",
                type_name(o)
            ))),
        },
    }
}

/// A whole-number argument that must be 0 or more (`skip`, `take`, `count`, `seed`), as a
/// `u64`: an `int`, or any integer type with `__index__` (`numpy.int64`). A negative value goes
/// through the engine's one rule ([`crate::query::immich::non_negative`]), so the message is
/// the engine's; a value beyond 64 bits is `InvalidArgument`; a value that is not an integer
/// (a `bool`, a `float`, a `str`) is a `TypeError`.
pub(crate) fn non_negative_int(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<u64> {
    let not_int = || PyTypeError::new_err(format!("{name} must be an int, got {}", type_name(obj)));
    if obj.is_instance_of::<PyBool>() {
        return Err(not_int());
    }
    let int = if obj.is_instance_of::<PyInt>() {
        obj.clone()
    } else {
        match obj.call_method0("__index__") {
            Ok(i) if i.is_instance_of::<PyInt>() => i,
            _ => return Err(not_int()),
        }
    };
    if let Ok(v) = int.extract::<u64>() {
        return Ok(v);
    }
    if let Ok(v) = int.extract::<i64>() {
        return Ok(crate::query::immich::non_negative(name, v)?);
    }
    Err(invalid(format!(
        "{name} must be between 0 and {}, got {}",
        u64::MAX,
        int.str()?.to_cow()?
    )))
}

/// An optional [`non_negative_int`] (None: no value).
pub(crate) fn opt_non_negative_int(
    obj: Option<&Bound<'_, PyAny>>,
    name: &str,
) -> PyResult<Option<u64>> {
    match obj {
        Some(o) if !o.is_none() => non_negative_int(o, name).map(Some),
        _ => Ok(None),
    }
}
