//! The Arrow view of assets (feature `arrow`): one schema, the same for every call, for the
//! Python stream and tables and for Parquet, and the builder that appends assets to it.
//!
//! One row is one asset. The columns, in order (see [`schema`] and docs/design.md, "The Arrow
//! schema"):
//!
//! * every scalar field of the Gumnut view, with its name; instants (`file_created_at`,
//!   `created_at`, `trashed_at`, ...) as `timestamp[us, UTC]`, `local_datetime` as the wall
//!   clock, `timestamp[us]` without a zone, and its offset as `local_offset_minutes` (int16,
//!   null when unknown); `captured_at` (the UTC instant, null without an offset);
//! * the Immich state: `owner_id`, `type`, `is_favorite`, `visibility`, `is_archived`,
//!   `is_trashed`, `is_offline`, `duration`, stack, duplicate and live-photo ids;
//! * `tags`, `album_ids` (sorted) and `person_ids` (distinct, in face order) as
//!   `list<string>`, and `face_count`;
//! * `exif_*` and `metadata_*`: the fields of the view's `exif` and `metadata` objects,
//!   flattened, null where the object or the field is missing.
//!
//! `metrics`, `asset_urls` and the faces themselves (ids, boxes) are not columns: they are
//! nested maps and lists, in `to_dict()`. The strings with few distinct values (MIME type,
//! camera make, model, lens, places, ids of libraries, owners and devices, the enums) are
//! dictionary-encoded: `dictionary<int32, string>`, categoricals in pandas and polars.

use std::sync::{Arc, OnceLock};

use arrow_array::builder::{
    BooleanBuilder, Float64Builder, Int16Builder, Int32Builder, Int64Builder, ListBuilder,
    StringBuilder, StringDictionaryBuilder, TimestampMicrosecondBuilder,
};
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef, TimeUnit};

use crate::model::{Asset, Exif};

/// What a column holds, which fixes its Arrow type.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    /// Few distinct values: `dictionary<int32, string>`.
    Category,
    Instant,
    Wall,
    I16,
    I32,
    I64,
    F64,
    Bool,
    TextList,
}

/// Receives the items of a list column, one at a time.
type Emit<'e> = dyn FnMut(&str) + 'e;

/// How a column's value is read from a row.
#[derive(Clone, Copy)]
enum Get {
    Text(for<'a> fn(&'a Row<'a>) -> Option<&'a str>),
    Micros(fn(&Row<'_>) -> Option<i64>),
    Int(fn(&Row<'_>) -> Option<i64>),
    Float(fn(&Row<'_>) -> Option<f64>),
    Bool(fn(&Row<'_>) -> bool),
    List(fn(&Row<'_>, &mut Emit<'_>)),
}

struct Column {
    name: &'static str,
    kind: Kind,
    nullable: bool,
    get: Get,
}

/// One asset and what the catalogue knows around it.
pub struct Row<'a> {
    /// The asset.
    pub asset: &'a Asset,
    /// Ids of the albums holding it, sorted.
    pub album_ids: &'a [String],
}

fn micros(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp_micros()
}

macro_rules! col {
    ($name:expr, $kind:ident, $nullable:literal, $get:ident, $f:expr) => {
        Column {
            name: $name,
            kind: Kind::$kind,
            nullable: $nullable,
            get: Get::$get($f),
        }
    };
}

/// The flattened fields of one nested EXIF object, `exif` (with `profile_description`) or
/// `metadata` (with the place fields), in the view's order. `$obj` picks the object.
macro_rules! exif_columns {
    ($prefix:literal, $obj:ident, [$($extra_text:ident),*], [$($cat_extra:ident),*]) => {{
        fn e<'a>(r: &Row<'a>) -> Option<&'a Exif> {
            r.asset.$obj.as_ref()
        }
        let mut v = vec![
            col!(concat!($prefix, "make"), Category, true, Text, |r| e(r)?.make.as_deref()),
            col!(concat!($prefix, "model"), Category, true, Text, |r| e(r)?.model.as_deref()),
            col!(concat!($prefix, "orientation"), I32, true, Int, |r| e(r)?.orientation.map(i64::from)),
            col!(concat!($prefix, "modified_datetime"), Instant, true, Micros, |r| e(r)?.modified_datetime.map(micros)),
            col!(concat!($prefix, "original_datetime"), Instant, true, Micros, |r| e(r)?.original_datetime.map(micros)),
            col!(concat!($prefix, "digitized_datetime"), Instant, true, Micros, |r| e(r)?.digitized_datetime.map(micros)),
            col!(concat!($prefix, "lens_model"), Category, true, Text, |r| e(r)?.lens_model.as_deref()),
            col!(concat!($prefix, "f_number"), F64, true, Float, |r| e(r)?.f_number),
            col!(concat!($prefix, "focal_length"), F64, true, Float, |r| e(r)?.focal_length),
            col!(concat!($prefix, "iso"), I64, true, Int, |r| e(r)?.iso),
            col!(concat!($prefix, "exposure_time"), F64, true, Float, |r| e(r)?.exposure_time),
            col!(concat!($prefix, "exposure_bias"), F64, true, Float, |r| e(r)?.exposure_bias),
            col!(concat!($prefix, "latitude"), F64, true, Float, |r| e(r)?.latitude),
            col!(concat!($prefix, "longitude"), F64, true, Float, |r| e(r)?.longitude),
            col!(concat!($prefix, "altitude"), F64, true, Float, |r| e(r)?.altitude),
            col!(concat!($prefix, "city"), Category, true, Text, |r| e(r)?.city.as_deref()),
            col!(concat!($prefix, "state"), Category, true, Text, |r| e(r)?.state.as_deref()),
            col!(concat!($prefix, "country"), Category, true, Text, |r| e(r)?.country.as_deref()),
            col!(concat!($prefix, "description"), Text, true, Text, |r| e(r)?.description.as_deref()),
            col!(concat!($prefix, "fps"), F64, true, Float, |r| e(r)?.fps),
            col!(concat!($prefix, "live_photo_cid"), Text, true, Text, |r| e(r)?.live_photo_cid.as_deref()),
            col!(concat!($prefix, "projection_type"), Category, true, Text, |r| e(r)?.projection_type.as_deref()),
        ];
        $(v.push(col!(concat!($prefix, stringify!($extra_text)), Text, true, Text, |r| e(r)?.$extra_text.as_deref()));)*
        v.push(col!(concat!($prefix, "auto_stack_id"), Text, true, Text, |r| e(r)?.auto_stack_id.as_deref()));
        v.push(col!(concat!($prefix, "rating"), I64, true, Int, |r| e(r)?.rating));
        $(v.push(col!(concat!($prefix, stringify!($cat_extra)), Category, true, Text, |r| e(r)?.$cat_extra.as_deref()));)*
        v
    }};
}

#[rustfmt::skip]
fn columns() -> &'static [Column] {
    static COLUMNS: OnceLock<Vec<Column>> = OnceLock::new();
    COLUMNS.get_or_init(|| {
        let mut v = vec![
            col!("id", Text, false, Text, |r| Some(r.asset.id.as_str())),
            col!("library_id", Category, false, Text, |r| Some(r.asset.library_id.as_str())),
            col!("owner_id", Category, true, Text, |r| r.asset.owner_id.as_deref()),
            col!("device_asset_id", Text, false, Text, |r| Some(r.asset.device_asset_id.as_str())),
            col!("device_id", Category, false, Text, |r| Some(r.asset.device_id.as_str())),
            col!("type", Category, false, Text, |r| Some(r.asset.asset_type().as_str())),
            col!("mime_type", Category, false, Text, |r| Some(r.asset.mime_type.as_str())),
            col!("original_file_name", Text, false, Text, |r| Some(r.asset.original_file_name.as_str())),
            col!("original_path", Text, true, Text, |r| r.asset.original_path.as_deref()),
            col!("file_created_at", Instant, false, Micros, |r| Some(micros(r.asset.file_created_at))),
            col!("file_modified_at", Instant, false, Micros, |r| Some(micros(r.asset.file_modified_at))),
            col!("local_datetime", Wall, false, Micros, |r| Some(r.asset.local_datetime.and_utc().timestamp_micros())),
            col!("local_offset_minutes", I16, true, Int, |r| r.asset.local_offset.map(|o| i64::from(o.local_minus_utc() / 60))),
            col!("local_datetime_source", Category, true, Text, |r| r.asset.local_datetime_source.map(|s| s.as_str())),
            col!("captured_at", Instant, true, Micros, |r| r.asset.captured_at().map(micros)),
            col!("checksum", Text, true, Text, |r| r.asset.checksum.as_deref()),
            col!("checksum_sha1", Text, true, Text, |r| r.asset.checksum_sha1.as_deref()),
            col!("created_at", Instant, false, Micros, |r| Some(micros(r.asset.created_at))),
            col!("updated_at", Instant, false, Micros, |r| Some(micros(r.asset.updated_at))),
            col!("description", Text, true, Text, |r| r.asset.description.as_deref()),
            col!("width", I32, true, Int, |r| r.asset.width.map(i64::from)),
            col!("height", I32, true, Int, |r| r.asset.height.map(i64::from)),
            col!("file_size_bytes", I64, true, Int, |r| r.asset.file_size_bytes.and_then(|b| i64::try_from(b).ok())),
            col!("trashed_at", Instant, true, Micros, |r| r.asset.trashed_at.map(micros)),
            col!("is_trashed", Bool, false, Bool, |r| r.asset.is_trashed()),
            col!("is_favorite", Bool, false, Bool, |r| r.asset.is_favorite),
            col!("visibility", Category, false, Text, |r| Some(r.asset.visibility.as_str())),
            col!("is_archived", Bool, false, Bool, |r| r.asset.is_archived()),
            col!("is_offline", Bool, false, Bool, |r| r.asset.is_offline),
            col!("duration", Text, true, Text, |r| r.asset.duration.as_deref()),
            col!("live_photo_video_id", Text, true, Text, |r| r.asset.live_photo_video_id.as_deref()),
            col!("duplicate_id", Text, true, Text, |r| r.asset.duplicate_id.as_deref()),
            col!("stack_id", Text, true, Text, |r| r.asset.stack_id.as_deref()),
            col!("thumbhash", Text, true, Text, |r| r.asset.thumbhash.as_deref()),
            col!("download_url", Text, true, Text, |r| r.asset.download_url.as_deref()),
            col!("thumbnail_url", Text, true, Text, |r| r.asset.thumbnail_url.as_deref()),
            col!("tags", TextList, false, List, |r, f| r.asset.tags.iter().for_each(|t| f(t))),
            col!("album_ids", TextList, false, List, |r, f| r.album_ids.iter().for_each(|t| f(t))),
            col!("person_ids", TextList, false, List, |r, f| r.asset.people.iter().for_each(|p| f(&p.id))),
            col!("face_count", I32, false, Int, |r| Some(r.asset.faces.len() as i64)),
        ];
        v.extend(exif_columns!("exif_", exif, [profile_description], []));
        v.extend(exif_columns!(
            "metadata_",
            metadata,
            [],
            [country_code, sublocation, place_name, timezone, display_label]
        ));
        v
    })
}

fn data_type(kind: Kind) -> DataType {
    match kind {
        Kind::Text => DataType::Utf8,
        Kind::Category => DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
        Kind::Instant => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        Kind::Wall => DataType::Timestamp(TimeUnit::Microsecond, None),
        Kind::I16 => DataType::Int16,
        Kind::I32 => DataType::Int32,
        Kind::I64 => DataType::Int64,
        Kind::F64 => DataType::Float64,
        Kind::Bool => DataType::Boolean,
        Kind::TextList => DataType::List(Arc::new(list_item())),
    }
}

fn list_item() -> Field {
    Field::new("item", DataType::Utf8, false)
}

/// The schema of every batch, table and Parquet file: the same for every call.
pub fn schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            Arc::new(Schema::new(
                columns()
                    .iter()
                    .map(|c| Field::new(c.name, data_type(c.kind), c.nullable))
                    .collect::<Vec<_>>(),
            ))
        })
        .clone()
}

enum Builder {
    Text(StringBuilder),
    Category(StringDictionaryBuilder<Int32Type>),
    Micros(TimestampMicrosecondBuilder, Option<Arc<str>>),
    I16(Int16Builder),
    I32(Int32Builder),
    I64(Int64Builder),
    F64(Float64Builder),
    Bool(BooleanBuilder),
    List(ListBuilder<StringBuilder>),
}

impl Builder {
    fn new(kind: Kind, rows: usize) -> Builder {
        match kind {
            Kind::Text => Builder::Text(StringBuilder::with_capacity(rows, 0)),
            Kind::Category => Builder::Category(StringDictionaryBuilder::new()),
            Kind::Instant => Builder::Micros(
                TimestampMicrosecondBuilder::with_capacity(rows),
                Some("UTC".into()),
            ),
            Kind::Wall => Builder::Micros(TimestampMicrosecondBuilder::with_capacity(rows), None),
            Kind::I16 => Builder::I16(Int16Builder::with_capacity(rows)),
            Kind::I32 => Builder::I32(Int32Builder::with_capacity(rows)),
            Kind::I64 => Builder::I64(Int64Builder::with_capacity(rows)),
            Kind::F64 => Builder::F64(Float64Builder::with_capacity(rows)),
            Kind::Bool => Builder::Bool(BooleanBuilder::with_capacity(rows)),
            Kind::TextList => Builder::List(
                ListBuilder::with_capacity(StringBuilder::new(), rows).with_field(list_item()),
            ),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Text(b) => Arc::new(b.finish()),
            Builder::Category(b) => Arc::new(b.finish()),
            Builder::Micros(b, tz) => Arc::new(b.finish().with_timezone_opt(tz.clone())),
            Builder::I16(b) => Arc::new(b.finish()),
            Builder::I32(b) => Arc::new(b.finish()),
            Builder::I64(b) => Arc::new(b.finish()),
            Builder::F64(b) => Arc::new(b.finish()),
            Builder::Bool(b) => Arc::new(b.finish()),
            Builder::List(b) => Arc::new(b.finish()),
        }
    }
}

/// Appends assets row by row and finishes them into a [`RecordBatch`] of [`schema`].
pub struct BatchBuilder {
    builders: Vec<Builder>,
    rows: usize,
}

impl BatchBuilder {
    /// A builder with room for `rows` rows (it grows past them if needed).
    pub fn new(rows: usize) -> BatchBuilder {
        BatchBuilder {
            builders: columns()
                .iter()
                .map(|c| Builder::new(c.kind, rows))
                .collect(),
            rows: 0,
        }
    }

    /// Rows appended since the last [`BatchBuilder::finish`].
    pub fn len(&self) -> usize {
        self.rows
    }

    /// True when no row waits to be finished.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Appends one asset.
    pub fn append(&mut self, row: &Row<'_>) -> Result<(), ArrowError> {
        for (c, b) in columns().iter().zip(&mut self.builders) {
            match (c.get, b) {
                (Get::Text(f), Builder::Text(b)) => b.append_option(f(row)),
                (Get::Text(f), Builder::Category(b)) => match f(row) {
                    Some(s) => {
                        b.append(s)?;
                    }
                    None => b.append_null(),
                },
                (Get::Micros(f), Builder::Micros(b, _)) => b.append_option(f(row)),
                (Get::Int(f), Builder::I16(b)) => b.append_option(f(row).map(|v| v as i16)),
                (Get::Int(f), Builder::I32(b)) => b.append_option(f(row).map(|v| v as i32)),
                (Get::Int(f), Builder::I64(b)) => b.append_option(f(row)),
                (Get::Float(f), Builder::F64(b)) => b.append_option(f(row)),
                (Get::Bool(f), Builder::Bool(b)) => b.append_value(f(row)),
                (Get::List(f), Builder::List(b)) => {
                    f(row, &mut |s| b.values().append_value(s));
                    b.append(true);
                }
                _ => {
                    return Err(ArrowError::SchemaError(format!(
                        "column {} is declared with a builder of another kind",
                        c.name
                    )))
                }
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// The rows appended so far as one batch; the builder is empty again afterwards.
    pub fn finish(&mut self) -> Result<RecordBatch, ArrowError> {
        let arrays: Vec<ArrayRef> = self.builders.iter_mut().map(Builder::finish).collect();
        self.rows = 0;
        RecordBatch::try_new(schema(), arrays)
    }
}

/// The assets (without album ids) as one batch: what `AssetPage`'s frames are built from.
pub fn batch_of(rows: &[Row<'_>]) -> Result<RecordBatch, ArrowError> {
    let mut b = BatchBuilder::new(rows.len());
    for r in rows {
        b.append(r)?;
    }
    b.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_has_a_matching_builder_and_a_unique_name() {
        let mut names = std::collections::HashSet::new();
        for c in columns() {
            assert!(names.insert(c.name), "{} twice", c.name);
            let ok = matches!(
                (c.get, c.kind),
                (Get::Text(_), Kind::Text | Kind::Category)
                    | (Get::Micros(_), Kind::Instant | Kind::Wall)
                    | (Get::Int(_), Kind::I16 | Kind::I32 | Kind::I64)
                    | (Get::Float(_), Kind::F64)
                    | (Get::Bool(_), Kind::Bool)
                    | (Get::List(_), Kind::TextList)
            );
            assert!(ok, "{}", c.name);
        }
        let batch = batch_of(&[]).unwrap();
        assert_eq!(batch.num_rows(), 0);
        assert_eq!(batch.schema(), schema());
    }
}
