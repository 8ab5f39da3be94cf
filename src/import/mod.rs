//! Importing real photo and video files: [`Catalog::import_paths`].
//!
//! The pipeline:
//! 1. **Collect** the files ([`walk`]: what a folder walk reads and what it skips).
//! 2. **Read, on every core** (rayon): each file is read once into memory; from those bytes the
//!    SHA-256 and SHA-1 checksums are computed (in parallel with each other on large files) and
//!    [`crate::media::probe`] reads the MIME type, dimensions and metadata. The result is a
//!    [`NewAsset`] (see [`record_from_file`] for the mapping).
//! 3. **Write, on one thread** (the caller's): records stream through a bounded channel to the
//!    writer, which commits them in batches, each batch one `add_assets` transaction. A batch is
//!    committed when it holds [`ImportPaths::batch_size`] records or a second has passed since
//!    the last commit, so a slow import still lands steadily.
//!
//! A file that cannot be read or parsed is a row in [`ImportReport::failed`] and never stops
//! the import. A batch that cannot be committed (a storage error: a full disk, an I/O error)
//! stops it cleanly: the batches committed before it stay, each complete; no file is read
//! after it; the call returns its report with [`ImportReport::stopped`] saying why, and every
//! file that is not in the catalogue because of it (the failed batch's, those read after it,
//! those never read) is a row in [`ImportReport::failed`] whose reason names the error. The
//! import does not go on with later batches: the next would meet the same full disk. Running
//! the same import again once the cause is fixed adds exactly the missing files (the others
//! are duplicates).
//!
//! **Cancelling**: the `progress` callback returning `false` stops the import. Files not yet
//! read are not read; records already read are committed in one last batch, so the catalogue
//! holds every asset of the report and nothing half-written; [`ImportReport::cancelled`] is set.

pub mod walk;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use base64::Engine;
use chrono::{DateTime, FixedOffset, Utc};
use rayon::prelude::*;
use sha1::Digest;

use crate::catalog::{Catalog, Tally};
use crate::error::{Error, Result};
use crate::ids::{self, IdKind};
use crate::media::{self, MediaInfo};
use crate::model::{Asset, DateTimeInput, Exif, NewAsset, TimeSource};
use crate::records;
use crate::write::{AddAssets, OnDuplicate};

/// Options of [`Catalog::import_paths`].
pub struct ImportPaths<'a> {
    /// The library to import into; None means the only library (one named "Default" is created
    /// when there is none; several libraries make None an `InvalidArgument`).
    pub library_id: Option<String>,
    /// Walk folders recursively (default `true`); `false` reads only a folder's own files.
    pub recursive: bool,
    /// What to do with a file whose checksum is already in the library. The default, `Skip`,
    /// reports it in [`ImportReport::duplicates`], so importing a folder twice creates nothing
    /// the second time. `Error` reports it in [`ImportReport::failed`] instead.
    pub on_duplicate: OnDuplicate,
    /// Called on the calling thread as files complete, with `(done, total)` file counts
    /// (`total` counts every file the walk found, failed ones included). Return `false` to
    /// cancel the import.
    pub progress: Option<&'a mut dyn FnMut(usize, usize) -> bool>,
    /// Records per write transaction (default 500).
    pub batch_size: usize,
}

impl Default for ImportPaths<'_> {
    fn default() -> Self {
        ImportPaths {
            library_id: None,
            recursive: true,
            on_duplicate: OnDuplicate::Skip,
            progress: None,
            batch_size: 500,
        }
    }
}

impl std::fmt::Debug for ImportPaths<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportPaths")
            .field("library_id", &self.library_id)
            .field("recursive", &self.recursive)
            .field("on_duplicate", &self.on_duplicate)
            .field("progress", &self.progress.is_some())
            .field("batch_size", &self.batch_size)
            .finish()
    }
}

/// What [`Catalog::import_paths`] did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportReport {
    /// The assets created, in walk order.
    pub created: Vec<Asset>,
    /// Files whose checksum was already in the library (or earlier in the same import), with
    /// the id of the asset that has it. Sorted by path.
    pub duplicates: Vec<(PathBuf, String)>,
    /// Files that could not be read or are not a photo or video, with the reason. Sorted by
    /// path.
    pub failed: Vec<(PathBuf, String)>,
    /// Files in folder walks that were not read because of their name (other extensions,
    /// sidecars). Hidden files and folders are not listed.
    pub skipped: Vec<PathBuf>,
    /// The `progress` callback cancelled the import before every file was read.
    pub cancelled: bool,
    /// Why the import stopped early, when a batch could not be committed (the storage error's
    /// message, e.g. "I/O error on photos.redb: No space left on device (os error 28)"). The
    /// files not imported because of it are in `failed`, with that reason.
    pub stopped: Option<String>,
}

/// One file's outcome from a reader thread.
type Read = (usize, std::result::Result<NewAsset, String>);

/// A record waiting for its batch.
struct Pending {
    order: usize,
    path: PathBuf,
    record: NewAsset,
}

impl Catalog {
    /// Imports photo and video files: each path is a file or a folder (walked per
    /// [`walk`]'s rules). Files are read on every core; records are written in batches, each
    /// batch one transaction. See the [module docs](crate::import) for the pipeline and
    /// [`record_from_file`] for how a file becomes an asset.
    ///
    /// Errors: `NotFound` for an unknown `library_id`, `InvalidArgument` for `library_id: None`
    /// with several libraries (both checked before any file is read), and storage errors
    /// before the first batch. A bad file is never an error of the call: it is a row in
    /// [`ImportReport::failed`]; nor is a batch that cannot be committed: the import stops
    /// cleanly and says why in [`ImportReport::stopped`] (see the [module docs](crate::import)).
    ///
    /// ```
    /// # fn main() -> photocat::Result<()> {
    /// use photocat::{Catalog, ImportPaths};
    /// let cat = Catalog::in_memory()?;
    /// let report = cat.import_paths(&["tests/data/photos"], ImportPaths::default())?;
    /// assert!(!report.created.is_empty());
    /// // Importing again creates nothing: every file is a duplicate of itself.
    /// let again = cat.import_paths(&["tests/data/photos"], ImportPaths::default())?;
    /// assert!(again.created.is_empty());
    /// assert_eq!(again.duplicates.len(), report.created.len() + report.duplicates.len());
    /// # Ok(()) }
    /// ```
    pub fn import_paths<P: AsRef<Path>>(
        &self,
        paths: &[P],
        mut opts: ImportPaths<'_>,
    ) -> Result<ImportReport> {
        self.check_import_library(opts.library_id.as_deref())?;
        let walk::Collected {
            files,
            failed,
            skipped,
        } = walk::collect(paths, opts.recursive);
        let total = files.len() + failed.len();
        let mut report = ImportReport {
            failed,
            skipped,
            ..Default::default()
        };
        let mut done = report.failed.len();
        let mut created: Vec<(usize, Asset)> = Vec::new();
        let cancel = AtomicBool::new(false);
        // Set when a batch could not be committed: the import stops (see the module docs).
        let mut stopped: Option<String> = None;
        // The files whose outcome came back from a reader.
        let mut seen = vec![false; files.len()];
        let batch_size = opts.batch_size.max(1);
        let add = AddAssets {
            library_id: opts.library_id.clone(),
            on_duplicate: opts.on_duplicate,
        };

        if done > 0 {
            if let Some(p) = opts.progress.as_mut() {
                if !p(done, total) {
                    cancel.store(true, Ordering::Relaxed);
                }
            }
        }

        // The readers get a pool of their own. They block when the channel is full, and the
        // writer's `add_assets` needs the global pool to prepare records: sharing one pool
        // would let blocked readers hold every worker the writer waits for (a deadlock).
        let threads = rayon::current_num_threads().max(1);
        let readers = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("photocat-import-{i}"))
            .build()
            .map_err(|e| Error::from(std::io::Error::other(e)))?;
        // Readers block on a full channel, so memory holds at most this many parsed records
        // beyond the batch (file bytes are dropped as soon as a record is made).
        let (tx, rx) = mpsc::sync_channel::<Read>(4 * threads);
        std::thread::scope(|s| {
            let files = &files;
            let cancel = &cancel;
            let readers = &readers;
            s.spawn(move || {
                readers.install(|| {
                    files
                        .par_iter()
                        .enumerate()
                        .for_each_with(tx, |tx, (i, path)| {
                            if cancel.load(Ordering::Relaxed) {
                                return;
                            }
                            let _ = tx.send((i, read_file(path)));
                        });
                });
            });

            let mut pending: Vec<Pending> = Vec::new();
            let mut last_commit = Instant::now();
            for (i, outcome) in &rx {
                seen[i] = true;
                if let Some(reason) = &stopped {
                    // Drain, so that readers blocked on the channel can finish; what they read
                    // is not written.
                    report.failed.push((files[i].clone(), not_imported(reason)));
                    continue;
                }
                match outcome {
                    Ok(record) => pending.push(Pending {
                        order: i,
                        path: files[i].clone(),
                        record,
                    }),
                    Err(reason) => report.failed.push((files[i].clone(), reason)),
                }
                done += 1;
                if pending.len() >= batch_size
                    || (!pending.is_empty() && last_commit.elapsed() >= Duration::from_secs(1))
                {
                    if let Err(e) = self.commit_batch(&mut pending, &add, &mut created, &mut report)
                    {
                        stopped = Some(e.to_string());
                        cancel.store(true, Ordering::Relaxed);
                        continue;
                    }
                    last_commit = Instant::now();
                }
                if !cancel.load(Ordering::Relaxed) {
                    if let Some(p) = opts.progress.as_mut() {
                        if !p(done, total) {
                            cancel.store(true, Ordering::Relaxed);
                        }
                    }
                }
            }
            if stopped.is_none() {
                if let Err(e) = self.commit_batch(&mut pending, &add, &mut created, &mut report) {
                    stopped = Some(e.to_string());
                }
            }
        });

        if let Some(reason) = &stopped {
            // The files never read: not in the catalogue either.
            for (path, _) in files.iter().zip(&seen).filter(|(_, seen)| !**seen) {
                report.failed.push((path.clone(), not_imported(reason)));
            }
            report.stopped = stopped;
        }
        report.cancelled = cancel.load(Ordering::Relaxed);
        created.sort_by_key(|(i, _)| *i);
        report.created = created.into_iter().map(|(_, a)| a).collect();
        report.duplicates.sort();
        report.failed.sort();
        Ok(report)
    }

    /// Fails early, before any file is read, on a library the writes would reject: the same
    /// rule and messages as every write ([`crate::records::resolve_library`]). No library at
    /// all is fine (the first batch creates "Default").
    fn check_import_library(&self, library_id: Option<&str>) -> Result<()> {
        let txn = self.begin_read()?;
        records::read_library(&txn, library_id, &mut Tally::default()).map(|_| ())
    }

    /// Writes the pending records in one transaction and files each by its outcome: created,
    /// a duplicate (`on_duplicate: Skip`), or a failed row (`on_duplicate: Error`).
    fn commit_batch(
        &self,
        pending: &mut Vec<Pending>,
        add: &AddAssets,
        created: &mut Vec<(usize, Asset)>,
        report: &mut ImportReport,
    ) -> Result<()> {
        if pending.is_empty() {
            return Ok(());
        }
        let mut batch = std::mem::take(pending);
        let records = batch
            .iter_mut()
            .map(|p| std::mem::take(&mut p.record))
            .collect();
        // Written with `Skip` whatever `on_duplicate` says: the write's outcome tells each
        // duplicate apart, and with `Error` it becomes a failed row below, so one duplicate
        // never fails the other records of its batch (nor makes the batch be written twice).
        let write = AddAssets {
            library_id: add.library_id.clone(),
            on_duplicate: OnDuplicate::Skip,
        };
        let added = match self.add_assets_with_outcome(records, write) {
            Ok(added) => added,
            Err(e) => {
                let reason = not_committed(batch.len(), &e);
                report
                    .failed
                    .extend(batch.into_iter().map(|p| (p.path, reason.clone())));
                return Err(e);
            }
        };
        for (p, a) in batch.into_iter().zip(added) {
            if a.created {
                created.push((p.order, a.asset));
            } else if add.on_duplicate == OnDuplicate::Error {
                report.failed.push((
                    p.path,
                    format!(
                        "duplicate of {}: the same checksum is already in the library \
                         (on_duplicate is \"error\")",
                        a.asset.id
                    ),
                ));
            } else {
                report.duplicates.push((p.path, a.asset.id));
            }
        }
        Ok(())
    }
}

/// The reason of `failed` for a file of a batch that could not be committed.
fn not_committed(files: usize, e: &Error) -> String {
    format!("not imported: its batch of {files} files could not be committed ({e})")
}

/// The reason of `failed` for a file not imported because the import stopped.
fn not_imported(reason: &str) -> String {
    format!("not imported: the import stopped when a batch could not be committed ({reason})")
}

/// Reads one file and makes its record; the error is a reason for `failed`.
fn read_file(path: &Path) -> std::result::Result<NewAsset, String> {
    let meta = std::fs::metadata(path).map_err(|e| walk::io_reason(&e))?;
    if meta.is_dir() {
        return Err("is a folder".to_owned());
    }
    let bytes = std::fs::read(path).map_err(|e| walk::io_reason(&e))?;
    let file = FileFacts::from_metadata(path, &meta);
    let ((sha256, sha1), info) = rayon::join(
        || checksums(&bytes),
        || media::probe(&bytes).map_err(|e| e.to_string()),
    );
    let info = info?;
    let mut record = record_from_file(&info, &file, bytes.len() as u64);
    record.checksum = Some(sha256);
    record.checksum_sha1 = Some(sha1);
    Ok(record)
}

/// The SHA-256 and SHA-1 of `bytes`, base64 (standard alphabet, padded), computed in parallel
/// for large files.
pub fn checksums(bytes: &[u8]) -> (String, String) {
    let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
    let sha256 = || b64(&sha2::Sha256::digest(bytes));
    let sha1 = || b64(&sha1::Sha1::digest(bytes));
    if bytes.len() >= 1 << 20 {
        rayon::join(sha256, sha1)
    } else {
        (sha256(), sha1())
    }
}

/// What the file system says about a file.
#[derive(Debug, Clone)]
pub struct FileFacts {
    /// The file's name.
    pub file_name: String,
    /// Its absolute path.
    pub path: String,
    /// Creation (birth) time where the file system records it, else the modification time.
    pub created: Option<DateTime<Utc>>,
    /// Modification time.
    pub modified: Option<DateTime<Utc>>,
}

impl FileFacts {
    /// Reads the names and times of `path` from its metadata.
    pub fn from_metadata(path: &Path, meta: &std::fs::Metadata) -> FileFacts {
        let modified = meta.modified().ok().map(DateTime::<Utc>::from);
        let created = meta.created().ok().map(DateTime::<Utc>::from).or(modified);
        FileFacts {
            file_name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            path: std::path::absolute(path)
                .unwrap_or_else(|_| path.to_path_buf())
                .to_string_lossy()
                .into_owned(),
            created,
            modified,
        }
    }
}

/// How a probed file becomes an asset record (checksums are added by the caller):
/// - `id` generated; `mime_type` from the bytes; `original_file_name` the file's name and
///   `original_path` its absolute path; `file_size_bytes` the byte count.
/// - `width`/`height` as displayed (orientation 5 to 8, or a video rotated 90/270 degrees,
///   swaps them); the stored size and `exif.orientation` are kept in the record's EXIF facts
///   (stored = displayed, swapped back for those orientations).
/// - `local_datetime`: the capture time (EXIF DateTimeOriginal with SubSecTimeOriginal, offset
///   from OffsetTimeOriginal; for videos per [`crate::media`]'s container rules), with
///   `local_datetime_source` `exif` or `quicktime` (videos). Without a capture time both are
///   left None, and the write applies the rule of every record without one (the earlier of
///   `file_created_at` and `file_modified_at`, in UTC: see [`NewAsset`]), so an imported file
///   and a record given with the same file times get the same capture time.
/// - `file_created_at`/`file_modified_at` from the file system.
/// - `exif`: make, model, lens, exposure, orientation, GPS, fps; `original_datetime` is the
///   capture instant (the local time read as UTC when its offset is unknown, the contract's
///   rule for instants without an offset).
/// - `duration` (videos) in Immich's `H:MM:SS.ffffff` form.
pub fn record_from_file(info: &MediaInfo, file: &FileFacts, size: u64) -> NewAsset {
    let source = if info.mime_type.starts_with("video/") {
        TimeSource::Quicktime
    } else {
        TimeSource::Exif
    };
    // No capture time: None, and the write's fallback rule applies.
    let local: Option<DateTimeInput> = match (info.date_time_original, info.offset) {
        (Some(t), Some(off)) => t
            .and_local_timezone(off)
            .single()
            .map(DateTimeInput::from)
            .or(Some(DateTimeInput::from(t))),
        (Some(t), None) => Some(DateTimeInput::from(t)),
        (None, _) => None,
    };
    let original_datetime = info.date_time_original.map(|t| match info.offset {
        // A movie's time can lie at the end of chrono's range, where a subtraction
        // would overflow: the local time read as UTC then, as without an offset.
        Some(off) => t
            .checked_sub_signed(off_duration(off))
            .unwrap_or(t)
            .and_utc(),
        None => t.and_utc(),
    });
    let exif = Exif {
        make: info.make.clone(),
        model: info.model.clone(),
        orientation: info.orientation.map(i32::from),
        original_datetime,
        lens_model: info.lens_model.clone(),
        f_number: info.f_number,
        focal_length: info.focal_length,
        iso: info.iso.map(i64::from),
        exposure_time: info.exposure_time,
        exposure_bias: info.exposure_bias,
        latitude: info.latitude,
        longitude: info.longitude,
        altitude: info.altitude,
        fps: info.fps,
        ..Default::default()
    };
    NewAsset {
        id: Some(ids::generate(IdKind::Asset)),
        mime_type: Some(info.mime_type.to_string()),
        original_file_name: Some(file.file_name.clone()),
        original_path: Some(file.path.clone()),
        file_created_at: file.created,
        file_modified_at: file.modified,
        local_datetime_source: local.is_some().then_some(source),
        local_datetime: local,
        exif: Some(exif),
        width: info.display_width(),
        height: info.display_height(),
        file_size_bytes: Some(size),
        duration: info.duration.map(immich_duration),
        ..Default::default()
    }
}

fn off_duration(off: FixedOffset) -> chrono::TimeDelta {
    chrono::TimeDelta::seconds(i64::from(off.local_minus_utc()))
}

/// Seconds as Immich writes a duration (`H:MM:SS.ffffff`, [`crate::model::time::format_duration`]).
fn immich_duration(seconds: f64) -> String {
    let micros = (seconds.max(0.0) * 1e6).round() as i64;
    crate::model::time::format_duration(chrono::TimeDelta::microseconds(micros)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_format() {
        assert_eq!(immich_duration(0.0), "0:00:00.000000");
        assert_eq!(immich_duration(1.5), "0:00:01.500000");
        assert_eq!(immich_duration(3725.25), "1:02:05.250000");
    }

    #[test]
    fn checksums_of_known_bytes() {
        // Known digests of "abc".
        let (sha256, sha1) = checksums(b"abc");
        assert_eq!(sha256, "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
        assert_eq!(sha1, "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=");
        // Above the parallel threshold the same function gives the same answer.
        let big = vec![7u8; 1 << 21];
        assert_eq!(checksums(&big), {
            let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
            (
                b64(&sha2::Sha256::digest(&big)),
                b64(&sha1::Sha1::digest(&big)),
            )
        });
    }
}
