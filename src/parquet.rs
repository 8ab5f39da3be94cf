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
//! A file costs a fixed setup (a writer and two zstd contexts per column), so small
//! partitions are held, up to a row group's worth of rows, and written together, a file per
//! core; a partition larger than that is written as its rows come.
//!
//! Each file is written under a temporary name in its own folder, flushed to disk, then
//! renamed into place without replacing anything: a reader, or a crash, never sees half a
//! file under a `part-N.parquet` name. The folders are flushed once each at the end, so the
//! renames are on disk when the call returns (one `fsync` per file and per folder, not two
//! per file). The directory must be new or empty, so an export never
//! mixes with an older one.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use arrow_array::{Array, RecordBatch, TimestampMicrosecondArray};
use chrono::Datelike;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;
use rayon::prelude::*;

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
    dir: PathBuf,
    path: PathBuf,
    writer: ArrowWriter<tempfile::NamedTempFile>,
}

impl Open {
    fn new(dir: PathBuf, path: PathBuf) -> Result<Open> {
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
        Ok(Open { dir, path, writer })
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        self.writer
            .write(batch)
            .map_err(|e| parquet_error(&self.path, e))
    }

    /// Writes the footer, flushes the file to disk and moves it to its name: (the file, its
    /// folder), the folder to be flushed (the rename made durable) before the export returns.
    fn finish(self) -> Result<(PathBuf, PathBuf)> {
        let Open {
            dir, path, writer, ..
        } = self;
        let tmp = writer.into_inner().map_err(|e| parquet_error(&path, e))?;
        tmp.as_file().sync_all().map_err(|e| Error::io(&path, e))?;
        tmp.persist_noclobber(&path)
            .map_err(|e| Error::io(&path, e.error))?;
        Ok((path, dir))
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

/// Rows of complete small partitions held before they are written, all at once on every
/// core (a file costs a fixed setup, about 7 ms for 94 columns with their zstd contexts, so
/// month folders of a few hundred rows are bound by it); a partition that grows past this is
/// written as it comes.
const BUFFER_ROWS: usize = ROW_GROUP_ROWS;

/// One partition's file: its rows held until it is known to be small, or its open writer.
struct Part {
    key: Option<(i32, u32)>,
    dir: PathBuf,
    path: PathBuf,
    held: Vec<RecordBatch>,
    rows: usize,
    open: Option<Open>,
}

impl Part {
    /// Writes the held rows into a new file and finishes it: (the file, its folder).
    fn write_all(self) -> Result<(PathBuf, PathBuf)> {
        let mut o = Open::new(self.dir, self.path)?;
        for b in &self.held {
            o.write(b)?;
        }
        o.finish()
    }
}

/// The files of one export, in list order.
struct Files<'a> {
    root: &'a Path,
    by: PartitionBy,
    /// The next `part-N` of each partition.
    parts: HashMap<Option<(i32, u32)>, u32>,
    current: Option<Part>,
    /// Complete partitions not written yet (none of them has a writer).
    ready: Vec<Part>,
    ready_rows: usize,
    files: Vec<PathBuf>,
    dirs: BTreeSet<PathBuf>,
    rows: u64,
}

impl Files<'_> {
    fn start(&mut self, key: Option<(i32, u32)>) {
        let n = self.parts.entry(key).or_insert(0);
        let dir = self.root.join(folder(self.by, key));
        let path = dir.join(format!("part-{n}.parquet"));
        *n += 1;
        self.current = Some(Part {
            key,
            dir,
            path,
            held: Vec::new(),
            rows: 0,
            open: None,
        });
    }

    /// Adds a run of rows of partition `key`.
    fn push(
        &mut self,
        key: Option<(i32, u32)>,
        rows: RecordBatch,
        progress: &mut impl FnMut(u64),
    ) -> Result<()> {
        if self.current.as_ref().is_none_or(|c| c.key != key) {
            self.end_current(progress)?;
            self.start(key);
        }
        let Some(part) = self.current.as_mut() else {
            return Ok(());
        };
        part.rows += rows.num_rows();
        if let Some(o) = part.open.as_mut() {
            o.write(&rows)?;
            self.rows += rows.num_rows() as u64;
            progress(self.rows);
            return Ok(());
        }
        part.held.push(rows);
        if part.rows > BUFFER_ROWS {
            // A large partition: what came before is written first (files stay in list
            // order), then this one streams into its own writer.
            let mut part = self.current.take().expect("current partition");
            self.flush(progress)?;
            let mut o = Open::new(part.dir.clone(), part.path.clone())?;
            for b in part.held.drain(..) {
                o.write(&b)?;
            }
            part.open = Some(o);
            self.rows += part.rows as u64;
            progress(self.rows);
            self.current = Some(part);
        }
        Ok(())
    }

    /// The current partition is complete: finished if it streams, else held for `flush`.
    fn end_current(&mut self, progress: &mut impl FnMut(u64)) -> Result<()> {
        let Some(mut part) = self.current.take() else {
            return Ok(());
        };
        match part.open.take() {
            Some(o) => {
                let (file, dir) = o.finish()?;
                self.files.push(file);
                self.dirs.insert(dir);
            }
            None => {
                self.ready_rows += part.rows;
                self.ready.push(part);
                if self.ready_rows >= BUFFER_ROWS {
                    self.flush(progress)?;
                }
            }
        }
        Ok(())
    }

    /// Writes the complete partitions held, one file per core at a time.
    fn flush(&mut self, progress: &mut impl FnMut(u64)) -> Result<()> {
        let ready = std::mem::take(&mut self.ready);
        let rows = std::mem::take(&mut self.ready_rows);
        let written = ready
            .into_par_iter()
            .map(Part::write_all)
            .collect::<Result<Vec<_>>>()?;
        for (file, dir) in written {
            self.files.push(file);
            self.dirs.insert(dir);
        }
        if rows > 0 {
            self.rows += rows as u64;
            progress(self.rows);
        }
        Ok(())
    }
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
        let mut out = Files {
            root: dir,
            by,
            parts: HashMap::new(),
            current: None,
            ready: Vec::new(),
            ready_rows: 0,
            files: Vec::new(),
            dirs: BTreeSet::new(),
            rows: 0,
        };
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
                out.push(key, batch.slice(start, end - start), &mut progress)?;
                start = end;
            }
        }
        if out.current.is_none() && out.files.is_empty() && by == PartitionBy::None {
            out.start(None);
        }
        out.end_current(&mut progress)?;
        out.flush(&mut progress)?;
        let Files { files, dirs, .. } = out;
        // Every folder that got a file, and the folders above them up to `dir` (new partition
        // folders are entries of their parents), flushed once each.
        let mut parents = BTreeSet::new();
        for d in &dirs {
            let mut p = d.as_path();
            while let Some(parent) = p.parent() {
                if !parent.starts_with(dir) {
                    break;
                }
                parents.insert(parent.to_path_buf());
                p = parent;
            }
        }
        for d in dirs.iter().chain(&parents) {
            sync_dir(d)?;
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
