//! Hive-partitioned Parquet export (feature `parquet`): [`Catalog::export_parquet`].
//!
//! The batches of [`Catalog::arrow_batches`] are written, in list order, into
//! `DIR/year=2023/month=11/part-0.parquet` (or `DIR/year=2023/part-0.parquet`, or
//! `DIR/part-0.parquet` unpartitioned), zstd-compressed, with the schema of
//! [`crate::views::arrow::schema`] (also stored in each file's metadata, so Arrow readers get
//! the dictionary and timestamp types back). The partition of a row is the year and month of
//! its wall-clock `local_datetime`, the same instant the list orders by, so a live export
//! writes each partition as one contiguous run: one file per partition. A partition that
//! comes back later in the list (a `state="trashed"` export is ordered by `trashed_at`) gets
//! its next file, `part-1.parquet`, and so on.
//!
//! Each file is written under a temporary name in its own folder, flushed to disk, then
//! renamed into place without replacing anything: a reader, or a crash, never sees half a
//! file under a `part-N.parquet` name. The directory must be new or empty, so an export never
//! mixes with an older one.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use arrow_array::{Array, RecordBatch, TimestampMicrosecondArray};
use chrono::Datelike;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;

use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::model::time::naive_from_micros;
use crate::query::ListAssets;
use crate::views::arrow::schema;

/// Rows of a Parquet row group: bounds the writer's memory (about one row group of encoded
/// pages) and leaves readers row groups to skip and to read in parallel.
const ROW_GROUP_ROWS: usize = 128 * 1024;

/// How [`Catalog::export_parquet`] splits the files into folders.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PartitionBy {
    /// All files directly in the directory.
    None,
    /// `year=YYYY/` folders, by the year of `local_datetime`.
    Year,
    /// `year=YYYY/month=M/` folders (month 1 to 12, not zero-padded, as Spark writes them).
    #[default]
    Month,
}

impl FromStr for PartitionBy {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "month" => Ok(PartitionBy::Month),
            "year" => Ok(PartitionBy::Year),
            "none" => Ok(PartitionBy::None),
            _ => Err(Error::invalid(format!(
                "partition_by must be \"month\", \"year\" or None, got {:?}",
                crate::ids::truncate_for_message(s)
            ))),
        }
    }
}

/// What [`Catalog::export_parquet`] writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportParquet {
    /// The filters (every one of [`ListAssets`]; `limit` is ignored).
    pub query: ListAssets,
    /// The folders: by month (the default), by year, or none.
    pub partition_by: PartitionBy,
    /// Rows read and encoded at a time (at least 1).
    pub batch_size: usize,
}

impl Default for ExportParquet {
    fn default() -> Self {
        ExportParquet {
            query: ListAssets::default(),
            partition_by: PartitionBy::Month,
            batch_size: crate::query::batches::DEFAULT_BATCH_SIZE,
        }
    }
}

/// The partition folder of a `local_datetime` (microseconds of the wall clock).
fn partition_of(by: PartitionBy, local: i64) -> Option<(i32, u32)> {
    let d = naive_from_micros(local);
    match by {
        PartitionBy::None => None,
        PartitionBy::Year => Some((d.year(), 0)),
        PartitionBy::Month => Some((d.year(), d.month())),
    }
}

fn folder(by: PartitionBy, key: Option<(i32, u32)>) -> PathBuf {
    match (by, key) {
        (PartitionBy::Month, Some((y, m))) => PathBuf::from(format!("year={y}/month={m}")),
        (PartitionBy::Year, Some((y, _))) => PathBuf::from(format!("year={y}")),
        _ => PathBuf::new(),
    }
}

fn parquet_error(path: &Path, e: ParquetError) -> Error {
    match e {
        ParquetError::External(inner) => match inner.downcast::<std::io::Error>() {
            Ok(io) => Error::io(path, *io),
            Err(other) => Error::Arrow(format!("{}: {other}", path.display())),
        },
        other => Error::Arrow(format!("{}: {other}", path.display())),
    }
}

/// One file being written: under a temporary name until [`Open::finish`].
struct Open {
    key: Option<(i32, u32)>,
    dir: PathBuf,
    path: PathBuf,
    writer: ArrowWriter<tempfile::NamedTempFile>,
}

impl Open {
    fn new(dir: PathBuf, path: PathBuf, key: Option<(i32, u32)>) -> Result<Open> {
        fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let tmp = tempfile::Builder::new()
            .prefix(".part-")
            .suffix(".parquet.tmp")
            .tempfile_in(&dir)
            .map_err(|e| Error::io(&dir, e))?;
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_created_by(format!("photocat {}", env!("CARGO_PKG_VERSION")))
            .build();
        let writer = ArrowWriter::try_new(tmp, schema(), Some(props))
            .map_err(|e| parquet_error(&path, e))?;
        Ok(Open {
            key,
            dir,
            path,
            writer,
        })
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        self.writer
            .write(batch)
            .map_err(|e| parquet_error(&self.path, e))
    }

    /// Writes the footer, flushes the file to disk and moves it to its name.
    fn finish(self) -> Result<PathBuf> {
        let Open {
            dir, path, writer, ..
        } = self;
        let tmp = writer.into_inner().map_err(|e| parquet_error(&path, e))?;
        tmp.as_file().sync_all().map_err(|e| Error::io(&path, e))?;
        tmp.persist_noclobber(&path)
            .map_err(|e| Error::io(&path, e.error))?;
        sync_dir(&dir)?;
        Ok(path)
    }
}

fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(dir, e))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

impl Catalog {
    /// Writes every asset matching `opts.query` into hive-partitioned, zstd-compressed Parquet
    /// files under `dir` (see [`crate::parquet`] for the layout), and returns their paths in
    /// the order they were written. `dir` is created if missing and must otherwise be empty.
    /// `progress` is called with the number of rows written so far, after each run of rows.
    ///
    /// A partitioned export of no rows writes no file; an unpartitioned one writes one empty
    /// file, so that the directory always reads as a table.
    ///
    /// ```
    /// # fn main() -> photocat::Result<()> {
    /// use photocat::parquet::{ExportParquet, PartitionBy};
    /// use photocat::{AddAssets, Catalog, NewAsset};
    /// let cat = Catalog::in_memory()?;
    /// let records = ["2023-11-02T10:00:00", "2023-11-30T10:00:00", "2024-01-05T10:00:00"]
    ///     .iter()
    ///     .map(|t| NewAsset { local_datetime: Some(t.parse().unwrap()), ..Default::default() })
    ///     .collect();
    /// cat.add_assets(records, AddAssets::default())?;
    /// let dir = tempfile::tempdir()?;
    /// let files = cat.export_parquet(dir.path(), &ExportParquet::default(), |_| {})?;
    /// let names: Vec<_> = files.iter().map(|f| f.strip_prefix(dir.path()).unwrap()).collect();
    /// assert_eq!(names, ["year=2024/month=1/part-0.parquet", "year=2023/month=11/part-0.parquet"]
    ///     .map(std::path::Path::new));
    /// # Ok(()) }
    /// ```
    pub fn export_parquet(
        &self,
        dir: &Path,
        opts: &ExportParquet,
        mut progress: impl FnMut(u64),
    ) -> Result<Vec<PathBuf>> {
        let batches = self.arrow_batches(&opts.query, opts.batch_size)?;
        match fs::read_dir(dir) {
            Ok(mut entries) => {
                if entries.next().is_some() {
                    return Err(Error::invalid(format!(
                        "{} is not empty: export_parquet writes into a new or empty directory",
                        dir.display()
                    )));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            }
            Err(e) => return Err(Error::io(dir, e)),
        }
        let local = schema()
            .index_of("local_datetime")
            .map_err(|e| Error::Arrow(e.to_string()))?;
        let by = opts.partition_by;
        let mut files = Vec::new();
        let mut parts: HashMap<Option<(i32, u32)>, u32> = HashMap::new();
        let mut open: Option<Open> = None;
        let mut rows = 0u64;
        for batch in batches {
            let batch = batch?;
            let times = batch
                .column(local)
                .as_any()
                .downcast_ref::<TimestampMicrosecondArray>()
                .ok_or_else(|| Error::Arrow("local_datetime is not a timestamp column".into()))?;
            let mut start = 0;
            while start < batch.num_rows() {
                // The run of rows of one partition.
                let key = partition_of(by, times.value(start));
                let mut end = start + 1;
                while end < batch.num_rows() && partition_of(by, times.value(end)) == key {
                    end += 1;
                }
                if open.as_ref().is_none_or(|o| o.key != key) {
                    if let Some(o) = open.take() {
                        files.push(o.finish()?);
                    }
                    let n = parts.entry(key).or_insert(0);
                    let sub = dir.join(folder(by, key));
                    let path = sub.join(format!("part-{n}.parquet"));
                    *n += 1;
                    open = Some(Open::new(sub, path, key)?);
                }
                if let Some(o) = open.as_mut() {
                    o.write(&batch.slice(start, end - start))?;
                }
                rows += (end - start) as u64;
                progress(rows);
                start = end;
            }
        }
        if open.is_none() && by == PartitionBy::None {
            open = Some(Open::new(
                dir.to_path_buf(),
                dir.join("part-0.parquet"),
                None,
            )?);
        }
        if let Some(o) = open.take() {
            files.push(o.finish()?);
        }
        Ok(files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_names() {
        assert_eq!("month".parse::<PartitionBy>().unwrap(), PartitionBy::Month);
        assert_eq!(
            "day".parse::<PartitionBy>().unwrap_err().to_string(),
            "partition_by must be \"month\", \"year\" or None, got \"day\""
        );
        let t = chrono::NaiveDate::from_ymd_opt(2023, 3, 9)
            .unwrap()
            .and_hms_opt(1, 2, 3)
            .unwrap()
            .and_utc()
            .timestamp_micros();
        let key = partition_of(PartitionBy::Month, t);
        assert_eq!(
            folder(PartitionBy::Month, key),
            Path::new("year=2023/month=3")
        );
        let key = partition_of(PartitionBy::Year, t);
        assert_eq!(folder(PartitionBy::Year, key), Path::new("year=2023"));
        assert_eq!(folder(PartitionBy::None, None), Path::new(""));
    }
}
