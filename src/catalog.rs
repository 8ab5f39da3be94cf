//! `Catalog`: opening and closing a catalogue file, the format check on open, and the read
//! statistics that prove page costs. Writes live in [`crate::write`], reads in [`crate::query`].

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use redb::{Database, ReadableDatabase};

use crate::error::{Error, Result};
use crate::snapshot::{SharedCache, Snapshot, View};
use crate::storage::tables;
use crate::storage::{meta, upgrade};

/// An open catalogue. `Send + Sync`: share it between threads (e.g. in an `Arc`); reads run
/// concurrently with one writer, and each read call sees one consistent snapshot.
///
/// **Failed writes.** A write that fails with an I/O error (a full disk: `ENOSPC`; a file-size
/// limit: `EFBIG`; an immutable file: `EPERM`; a read-only file system: `EROFS`) returns
/// [`Error::Io`] naming the file, with the OS error, and writes nothing; every earlier commit
/// stays. redb refuses every later operation of a handle whose write failed until the file is
/// reopened, so the catalogue reopens its file itself right after the failure (redb repairs it
/// to the last commit, as after a crash). Once the cause is gone (space freed), the same
/// `Catalog` reads and writes again; while the reopen itself fails (the file still immutable,
/// the file system read-only), every call returns that error and tries again. Read
/// transactions in flight on another thread at that moment fail with a storage error.
///
/// ```
/// # fn main() -> photocat::Result<()> {
/// let cat = photocat::Catalog::in_memory()?;
/// assert_eq!(cat.list_libraries()?.len(), 0);
/// # Ok(()) }
/// ```
pub struct Catalog {
    // Declared before `db`, so dropped first: its kept read snapshot ends before the handle.
    pub(crate) shared: SharedCache,
    db: RwLock<DbSlot>,
    path: Option<PathBuf>,
    options: OpenOptions,
    upgraded_from: Option<u32>,
    pub(crate) stats: Stats,
}

/// What a catalogue is, not its state: the file (None in memory), the options it was opened
/// with and the format it was upgraded from, so that `Result<Catalog>` and structs holding a
/// catalogue can be printed. Nothing is read from the file.
///
/// ```
/// # fn main() -> photocat::Result<()> {
/// let cat = photocat::Catalog::in_memory()?;
/// assert!(format!("{cat:?}").starts_with("Catalog { path: None"));
/// # Ok(()) }
/// ```
impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("path", &self.path)
            .field("options", &self.options)
            .field("upgraded_from", &self.upgraded_from)
            .finish_non_exhaustive()
    }
}

/// How [`Catalog::open_with`] opens a catalogue file. The default is what
/// [`Catalog::open`] uses.
///
/// ```
/// # fn main() -> photocat::Result<()> {
/// use photocat::{Catalog, OpenOptions};
/// let dir = tempfile::tempdir()?;
/// // A 4 GiB page cache for building a large catalogue (redb's default is 1 GiB).
/// let options = OpenOptions::default().cache_size(4 << 30);
/// let cat = Catalog::open_with(dir.path().join("photos.redb"), &options)?;
/// assert_eq!(cat.list_libraries()?.len(), 0);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct OpenOptions {
    /// The most memory, in bytes, the storage engine's page cache may hold (reads, and the
    /// pages a write transaction changes before its commit). None is redb's default, 1 GiB.
    /// A cache as large as the file's tables makes writes to a catalogue of millions of
    /// assets faster (BENCHMARKS.md, issue 14, "Second pass"); it is memory the process
    /// keeps while the catalogue is open. It changes nothing in the file.
    pub cache_size: Option<usize>,
}

impl OpenOptions {
    /// Sets [`OpenOptions::cache_size`] to `bytes`.
    pub fn cache_size(mut self, bytes: usize) -> Self {
        self.cache_size = Some(bytes);
        self
    }

    /// The redb builder these options describe.
    fn builder(&self) -> redb::Builder {
        let mut b = Database::builder();
        if let Some(bytes) = self.cache_size {
            b.set_cache_size(bytes);
        }
        b
    }
}

/// The redb handle of an open catalogue. A write that fails with an I/O error (a full disk)
/// leaves redb's handle refusing every later operation (`PreviousIo`) until the file is
/// reopened; [`Catalog::recover`] then swaps in a new handle of the same file. `db` is None
/// when that reopen failed (the next call tries again); `generation` counts the handles, so
/// that threads that met the same failure reopen once.
struct DbSlot {
    db: Option<Database>,
    generation: u64,
}

/// Counters of the storage work done by reads, for tests and benchmarks (see
/// [`Catalog::read_stats`]).
#[derive(Debug, Default)]
pub(crate) struct Stats {
    index_entries: AtomicU64,
    records: AtomicU64,
    seeks: AtomicU64,
}

/// The storage work done by reads since the catalogue was opened (or since
/// [`Catalog::reset_read_stats`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadStats {
    /// List-index entries stepped over (each one read, matching or not).
    pub index_entries: u64,
    /// Records read (assets, people, albums, libraries).
    pub records: u64,
    /// Range seeks into the list index.
    pub seeks: u64,
}

impl std::ops::Sub for ReadStats {
    type Output = ReadStats;
    fn sub(self, o: ReadStats) -> ReadStats {
        ReadStats {
            index_entries: self.index_entries - o.index_entries,
            records: self.records - o.records,
            seeks: self.seeks - o.seeks,
        }
    }
}

/// Work counted by one read call, added to the catalogue's [`Stats`] once at the end.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub index_entries: u64,
    pub records: u64,
    pub seeks: u64,
}

impl Tally {
    /// Adds another tally's counts (of work done in parallel for the same call).
    pub(crate) fn add(&mut self, other: &Tally) {
        self.index_entries += other.index_entries;
        self.records += other.records;
        self.seeks += other.seeks;
    }
}

impl Stats {
    pub(crate) fn add(&self, t: &Tally) {
        self.index_entries
            .fetch_add(t.index_entries, Ordering::Relaxed);
        self.records.fetch_add(t.records, Ordering::Relaxed);
        self.seeks.fetch_add(t.seeks, Ordering::Relaxed);
    }
}

/// The suffix of the temporary file a new catalogue is created under.
pub(crate) const TEMP_SUFFIX: &str = ".photocat-new";

/// Syncs a folder, so that a rename into it survives a crash (a no-op where folders cannot be
/// opened, as on Windows).
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// The folder a file is (to be) in: its parent, or `.` for a bare name.
pub(crate) fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Creates the temporary file a new catalogue file (a new catalogue, a backup) is written
/// under: `.NAME.<random token>.photocat-new` in `path`'s folder, opened read-write, with the
/// mode of any new file. The returned `TempPath` removes it if it is dropped before
/// [`persist_new`]. Errors name `path`.
pub(crate) fn new_temp_file(path: &Path) -> Result<(tempfile::TempPath, std::fs::File)> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Created here (not by tempfile's builder, whose errors hide the OS error number behind
    // its own path).
    let tmp_path = folder_of(path).join(format!(".{name}.{}{TEMP_SUFFIX}", crate::ids::token()));
    let tmp = tempfile::TempPath::try_from_path(tmp_path).map_err(|e| Error::io(path, e))?;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(|e| Error::io(path, e))?;
    Ok((tmp, file))
}

/// Moves a complete temporary file into place at `path` without replacing anything (an
/// existing `path` is an `Io` error of kind `AlreadyExists`, and the temporary file is
/// removed), then syncs the folder so that the rename survives a crash.
pub(crate) fn persist_new(tmp: tempfile::TempPath, path: &Path) -> Result<()> {
    tmp.persist_noclobber(path)
        .map_err(|e| Error::io(path, e.error))?;
    let dir = folder_of(path);
    sync_dir(dir).map_err(|e| Error::io(dir, e))
}

/// The first bytes of every redb file.
const REDB_MAGIC: [u8; 9] = [b'r', b'e', b'd', b'b', 0x1A, 0x0A, 0xA9, 0x0D, 0x0A];

impl Catalog {
    /// Opens the catalogue at `path`, creating it when the file does not exist.
    ///
    /// A new catalogue is created whole or not at all: it is written and synced under a
    /// temporary name in the same folder (`.NAME.<random token>.photocat-new`), then moved into place
    /// without replacing anything and the folder synced, so a process killed at any moment
    /// leaves either no catalogue or a complete one (and at most a hidden temporary file, which
    /// later opens ignore).
    ///
    /// An existing file that is not a photocat catalogue (empty, another format, a redb file
    /// of another application) is [`Error::NotACatalog`]; a catalogue of a newer format version
    /// is [`Error::UnsupportedVersion`]. In both cases the file is left untouched: it is checked
    /// read-only before it is opened for writing. A catalogue of format 1 is upgraded in place,
    /// in one transaction (see [`Catalog::upgraded_from`]). A file that is already open, here or
    /// in another process, is [`Error::AlreadyOpen`]; I/O errors are [`Error::Io`] naming the
    /// file.
    ///
    /// ```
    /// # fn main() -> photocat::Result<()> {
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("photos.redb");
    /// let cat = photocat::Catalog::open(&path)?;
    /// // A second handle on the same file (a notebook cell run twice) says what to do.
    /// let err = photocat::Catalog::open(&path).unwrap_err();
    /// assert!(matches!(err, photocat::Error::AlreadyOpen { .. }));
    /// assert!(err.to_string().ends_with("close the other Catalog first"));
    /// drop(cat);
    /// photocat::Catalog::open(&path)?; // free again
    /// # Ok(()) }
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Catalog> {
        Catalog::open_with(path, &OpenOptions::default())
    }

    /// [`Catalog::open`] with [`OpenOptions`] (the page cache's size).
    pub fn open_with(path: impl AsRef<Path>, options: &OpenOptions) -> Result<Catalog> {
        let path = path.as_ref();
        Catalog::open_at(path, options).map_err(|e| e.at(Some(path)))
    }

    fn open_at(path: &Path, options: &OpenOptions) -> Result<Catalog> {
        let not_a_catalog = |reason: &str| Error::NotACatalog {
            path: path.to_path_buf(),
            reason: reason.to_owned(),
        };
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Catalog::create(path, options)
            }
            Err(e) => return Err(Error::io(path, e)),
            Ok(m) if m.is_dir() => return Err(not_a_catalog("it is a directory")),
            Ok(_) => {}
        }
        let mut head = Vec::with_capacity(REDB_MAGIC.len());
        std::fs::File::open(path)
            .and_then(|f| f.take(REDB_MAGIC.len() as u64).read_to_end(&mut head))
            .map_err(|e| Error::io(path, e))?;
        if head.is_empty() {
            return Err(not_a_catalog("the file is empty"));
        }
        if head != REDB_MAGIC {
            return Err(not_a_catalog("it is not a redb database"));
        }
        // Check the format record read-only, so a foreign file is never written to. A file
        // that needs recovery after a crash cannot be opened read-only; it is then checked
        // after the read-write open below (which repairs it). A file open elsewhere is
        // reported as such before anything else is tried.
        let checked = match guarded(|| redb::Builder::new().open_read_only(path)) {
            Ok(ro) => {
                let found = guarded(|| meta::check(&ro));
                drop(ro);
                match found? {
                    meta::Found::Foreign(reason) => return Err(not_a_catalog(&reason)),
                    found => Some(found),
                }
            }
            Err(Error::Storage(redb::Error::RepairAborted)) => None,
            Err(e) => return Err(e),
        };
        let mut db = guarded(|| options.builder().open(path))?;
        let found = match checked {
            Some(found) => found,
            None => guarded(|| meta::check(&db))?,
        };
        let upgraded_from = match found {
            meta::Found::Current => None,
            meta::Found::Foreign(reason) => return Err(not_a_catalog(&reason)),
            meta::Found::Older(version) => {
                // An upgrade rewrites much of the file, and redb's writes assert (panic) on
                // some damaged pages: check every page first, and upgrade only a file that
                // passes (a damaged one is refused, never half-read into a new format).
                let intact = guarded(|| db.check_integrity())?;
                if !intact {
                    return Err(Error::Corrupt(format!(
                        "the file (format {version}) failed redb's integrity check, so it was \
                         not upgraded to format {}; redb rolled it back to its last intact \
                         commit: open it again to upgrade that, or restore a backup",
                        meta::FORMAT_VERSION
                    )));
                }
                guarded(|| {
                    let txn = db.begin_write()?;
                    upgrade::run(&txn, version)?;
                    txn.commit()?;
                    Ok::<_, Error>(())
                })?;
                Some(version)
            }
        };
        let mut cat = Catalog::with_db(db, Some(path.to_path_buf()));
        cat.upgraded_from = upgraded_from;
        cat.options = options.clone();
        Ok(cat)
    }

    /// Creates a new catalogue at `path` (which does not exist): complete under a temporary
    /// name, then moved into place without replacing anything.
    fn create(path: &Path, options: &OpenOptions) -> Result<Catalog> {
        let (tmp, file) = new_temp_file(path)?;
        // redb syncs the file on commit (the default durability is immediate).
        let backend = redb::backends::FileBackend::new(file)?;
        let db = options.builder().create_with_backend(backend)?;
        let txn = db.begin_write()?;
        meta::init(&txn)?;
        create_tables(&txn)?;
        txn.commit()?;
        match persist_new(tmp, path) {
            Ok(()) => {}
            // Another process created the catalogue meanwhile: open theirs (our temporary file
            // was removed by `persist_new`).
            Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::AlreadyExists => {
                drop(db);
                return Catalog::open_at(path, options);
            }
            Err(e) => return Err(e),
        }
        let mut cat = Catalog::with_db(db, Some(path.to_path_buf()));
        cat.options = options.clone();
        Ok(cat)
    }

    /// A catalogue that lives in memory only; nothing touches disk.
    pub fn in_memory() -> Result<Catalog> {
        let db = Database::builder().create_with_backend(redb::backends::InMemoryBackend::new())?;
        let txn = db.begin_write()?;
        meta::init(&txn)?;
        create_tables(&txn)?;
        txn.commit()?;
        Ok(Catalog::with_db(db, None))
    }

    fn with_db(db: Database, path: Option<PathBuf>) -> Catalog {
        Catalog {
            db: RwLock::new(DbSlot {
                db: Some(db),
                generation: 0,
            }),
            path,
            options: OpenOptions::default(),
            upgraded_from: None,
            stats: Stats::default(),
            shared: SharedCache::default(),
        }
    }

    /// The format version the file had when this call opened it, when [`Catalog::open`]
    /// upgraded it to the current one ([`crate::FORMAT_VERSION`]); None when it was
    /// already current (or new). An upgraded file can no longer be opened by older builds.
    pub fn upgraded_from(&self) -> Option<u32> {
        self.upgraded_from
    }

    /// The file the catalogue lives in (None for in-memory catalogues).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Closes the catalogue, reporting any error that dropping it would ignore.
    pub fn close(self) -> Result<()> {
        self.shared.drop_snapshot();
        let path = self.path;
        let slot = self.db.into_inner().unwrap_or_else(PoisonError::into_inner);
        match slot.db {
            Some(db) => db.close().map_err(|e| Error::from(e).at(path.as_deref())),
            None => Ok(()),
        }
    }

    /// Compacts the file: rewrites live pages to the front and releases free space (left by
    /// copy-on-write updates, e.g. after a bulk load followed by album links). Needs exclusive
    /// access; returns whether anything was freed.
    pub fn compact(&mut self) -> Result<bool> {
        // redb compacts only with no read transaction live: the kept snapshot ends first.
        self.shared.drop_snapshot();
        let path = self.path.clone();
        let generation = self.slot().generation;
        let slot = self.db.get_mut().unwrap_or_else(PoisonError::into_inner);
        let result = match slot.db.as_mut() {
            Some(db) => db
                .compact()
                .map_err(|e| Error::Storage(redb::Error::from(e))),
            None => Err(Error::Storage(redb::Error::PreviousIo)),
        };
        if let Err(e) = &result {
            if e.is_io_failure() {
                self.recover(generation);
            }
        }
        result.map_err(|e| e.at(path.as_deref()))
    }

    /// Runs redb's own check of the file: every page's checksum and the structure of every
    /// B-tree, below what [`Catalog::verify`] checks. Returns true when the file passed; false
    /// when redb found damage and repaired it (as it does on the first open after a crash; the
    /// damaged commit is rolled back to the last sound one). Damage it cannot repair is
    /// [`Error::Storage`]. Needs exclusive access, like [`Catalog::compact`]. `photocat verify`
    /// runs it before `verify`.
    ///
    /// ```
    /// # fn main() -> photocat::Result<()> {
    /// let mut cat = photocat::Catalog::in_memory()?;
    /// assert!(cat.check_storage()?);
    /// # Ok(()) }
    /// ```
    pub fn check_storage(&mut self) -> Result<bool> {
        self.shared.drop_snapshot();
        let path = self.path.clone();
        let slot = self.db.get_mut().unwrap_or_else(PoisonError::into_inner);
        let result = match slot.db.as_mut() {
            Some(db) => db
                .check_integrity()
                .map_err(|e| Error::Storage(redb::Error::from(e))),
            None => Err(Error::Storage(redb::Error::PreviousIo)),
        };
        result.map_err(|e| e.at(path.as_deref()))
    }

    /// The storage work reads have done so far: list-index entries stepped, records read and
    /// range seeks. Page cost proofs and benchmarks read it; it costs one relaxed atomic add
    /// per read call.
    pub fn read_stats(&self) -> ReadStats {
        ReadStats {
            index_entries: self.stats.index_entries.load(Ordering::Relaxed),
            records: self.stats.records.load(Ordering::Relaxed),
            seeks: self.stats.seeks.load(Ordering::Relaxed),
        }
    }

    /// Sets the read statistics back to zero.
    pub fn reset_read_stats(&self) {
        self.stats.index_entries.store(0, Ordering::Relaxed);
        self.stats.records.store(0, Ordering::Relaxed);
        self.stats.seeks.store(0, Ordering::Relaxed);
    }

    pub(crate) fn begin_read(&self) -> Result<redb::ReadTransaction> {
        Ok(self.using_db(|db| db.begin_read())?.0)
    }

    /// A read snapshot of the latest committed state (kept between reads until the next
    /// commit; it dereferences to its read transaction) with the shared-cache view of that
    /// state (None when a commit raced the open; see [`crate::snapshot`]).
    pub(crate) fn begin_read_cached(&self) -> Result<(Arc<Snapshot>, Option<View<'_>>)> {
        self.shared.snapshot(|| self.begin_read())
    }

    /// A write transaction, and the generation of the handle it is of (for [`Catalog::recover`]
    /// after a failure).
    pub(crate) fn begin_write(&self) -> Result<(redb::WriteTransaction, u64)> {
        self.using_db(|db| db.begin_write())
    }

    fn slot(&self) -> std::sync::RwLockReadGuard<'_, DbSlot> {
        self.db.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `begin` on the current redb handle. A handle that a failed write left unusable
    /// (`PreviousIo`), or none after a failed reopen, is reopened first (once); the error of
    /// that reopen is the call's error. The lock is held only while `begin` runs (a write
    /// transaction may wait there for the current writer, who never needs the lock to finish).
    fn using_db<T>(
        &self,
        begin: impl Fn(&Database) -> std::result::Result<T, redb::TransactionError>,
    ) -> Result<(T, u64)> {
        let mut reopened = false;
        loop {
            let generation = {
                let slot = self.slot();
                match &slot.db {
                    Some(db) => match begin(db) {
                        Ok(v) => return Ok((v, slot.generation)),
                        Err(redb::TransactionError::Storage(redb::StorageError::PreviousIo))
                            if !reopened => {}
                        Err(e) => return Err(e.into()),
                    },
                    None if !reopened => {}
                    None => return Err(Error::Storage(redb::Error::PreviousIo)),
                }
                slot.generation
            };
            self.reopen(generation)?;
            reopened = true;
        }
    }

    /// Called after a write failed with an I/O error (`generation`: the handle it ran on).
    /// redb refuses every later operation of a handle whose write failed (`PreviousIo`) until
    /// the file is reopened: when that is so, the handle is closed and the file reopened (redb
    /// then repairs it: the last commit is the state, as after a crash). A failed reopen
    /// leaves no handle, and the next call tries again. Never fails: a reopen error is the
    /// next call's.
    pub(crate) fn recover(&self, generation: u64) {
        {
            let slot = self.slot();
            if slot.generation != generation {
                return; // another thread recovered already
            }
            if let Some(db) = &slot.db {
                // A failure that did not latch redb's error state (an optimisation's write)
                // leaves the handle usable: nothing to reopen.
                match db.begin_write() {
                    Ok(txn) => {
                        let _ = txn.abort();
                        return;
                    }
                    Err(redb::TransactionError::Storage(redb::StorageError::PreviousIo)) => {}
                    Err(_) => return,
                }
            }
        }
        let _ = self.reopen(generation);
    }

    /// Replaces the handle of generation `generation` by a new one of the same file (nothing
    /// when another thread has replaced it already).
    fn reopen(&self, generation: u64) -> Result<()> {
        let Some(path) = self.path.as_deref() else {
            // In memory there is no file to reopen (and its backend never fails).
            return Err(Error::Storage(redb::Error::PreviousIo));
        };
        let mut slot = self.db.write().unwrap_or_else(PoisonError::into_inner);
        if slot.generation != generation {
            return Ok(());
        }
        slot.generation += 1;
        // The kept snapshot is of the old handle: it ends before that handle closes.
        self.shared.drop_snapshot();
        if let Some(old) = slot.db.take() {
            // Closing releases the file lock; its error is the failure already reported.
            let _ = old.close();
        }
        // Readers of the old handle's states may hold cached people of a newer sequence than
        // the reopened file's; bumping the sequence invalidates them.
        let db = self
            .shared
            .committing(|| guarded(|| self.options.builder().open(path)))
            .map_err(|e| e.at(Some(path)))?;
        slot.db = Some(db);
        Ok(())
    }
}

/// Runs a redb open, the format check of an opened file, its integrity check or an upgrade,
/// turning a panic inside redb on a damaged file (redb asserts on some malformed pages) into
/// `Error::Corrupt`. Nothing is left half-updated by the unwind: the reads only read, an
/// upgrade's write transaction is dropped uncommitted (aborted), and a failed open drops the
/// handle.
fn guarded<T, E: Into<Error>>(f: impl FnOnce() -> std::result::Result<T, E>) -> Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(e.into()),
        Err(_) => Err(Error::Corrupt(
            "the redb file is damaged and could not be opened".into(),
        )),
    }
}

/// Creates every table, so that read transactions never meet a missing one.
pub(crate) fn create_tables(txn: &redb::WriteTransaction) -> Result<()> {
    txn.open_table(tables::COUNTERS)?;
    txn.open_table(tables::ASSETS)?;
    txn.open_table(tables::ASSET_PLACES)?;
    txn.open_table(tables::LIBRARIES)?;
    txn.open_table(tables::LIBRARY_IDS)?;
    txn.open_table(tables::ALBUMS)?;
    txn.open_table(tables::ALBUM_IDS)?;
    txn.open_table(tables::PEOPLE)?;
    txn.open_table(tables::PERSON_IDS)?;
    txn.open_table(tables::FACE_IDS)?;
    txn.open_table(tables::PERSON_ASSETS)?;
    txn.open_table(tables::ASSET_ALBUMS)?;
    txn.open_table(tables::LIST_INDEX)?;
    txn.open_table(tables::CHECKSUMS)?;
    txn.open_table(tables::LIST_COUNTS)?;
    txn.open_table(tables::IMMICH_ORDER)?;
    txn.open_table(tables::IMMICH_BLOCKS)?;
    txn.open_table(tables::RANDOM_POOL)?;
    txn.open_table(tables::RANDOM_SIZES)?;
    txn.open_table(tables::RANDOM_SLOTS)?;
    txn.open_table(tables::DEVICE_INDEX)?;
    txn.open_table(tables::SHA1_INDEX)?;
    txn.open_table(tables::FACET_VALUES)?;
    txn.open_table(tables::DAY_COUNTS)?;
    txn.open_table(tables::TEXT_COLUMN)?;
    txn.open_table(tables::POSTINGS)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn catalog_is_send_and_sync() {
        assert_send_sync::<Catalog>();
    }

    use std::ops::Bound;
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;

    use redb::backends::FileBackend;
    use redb::{BackendError, StorageBackend};

    use crate::model::NewAsset;
    use crate::write::AddAssets;
    use crate::ListAssets;

    /// A file backend whose writes, syncs and resizes fail with ENOSPC while `full` is set.
    #[derive(Debug)]
    struct Filling {
        file: FileBackend,
        full: Arc<AtomicBool>,
    }

    impl Filling {
        fn check(&self) -> std::io::Result<()> {
            if self.full.load(Ordering::SeqCst) {
                // ENOSPC on Linux and the BSDs.
                Err(std::io::Error::from_raw_os_error(28))
            } else {
                Ok(())
            }
        }
    }

    impl StorageBackend for Filling {
        fn len(&self) -> std::io::Result<u64> {
            self.file.len()
        }
        fn read(&self, offset: u64, out: &mut [u8]) -> std::io::Result<()> {
            self.file.read(offset, out)
        }
        fn set_len(&self, len: u64) -> std::io::Result<()> {
            self.check()?;
            self.file.set_len(len)
        }
        fn sync_data(&self) -> std::io::Result<()> {
            self.check()?;
            self.file.sync_data()
        }
        fn write(&self, offset: u64, data: &[u8]) -> std::io::Result<()> {
            self.check()?;
            self.file.write(offset, data)
        }
        fn close(&self) -> std::io::Result<()> {
            self.file.close()
        }
        fn try_lock_range(&self, s: Bound<u64>, e: Bound<u64>) -> Result<bool, BackendError> {
            self.file.try_lock_range(s, e)
        }
        fn try_lock_shared_range(
            &self,
            s: Bound<u64>,
            e: Bound<u64>,
        ) -> Result<bool, BackendError> {
            self.file.try_lock_shared_range(s, e)
        }
        fn lock_range(&self, s: Bound<u64>, e: Bound<u64>) -> Result<(), BackendError> {
            self.file.lock_range(s, e)
        }
        fn lock_shared_range(&self, s: Bound<u64>, e: Bound<u64>) -> Result<(), BackendError> {
            self.file.lock_shared_range(s, e)
        }
        fn unlock_range(&self, s: Bound<u64>, e: Bound<u64>) -> Result<(), BackendError> {
            self.file.unlock_range(s, e)
        }
        fn query_lock_range(&self, s: Bound<u64>, e: Bound<u64>) -> Result<bool, BackendError> {
            self.file.query_lock_range(s, e)
        }
    }

    fn assets(n: usize) -> Vec<NewAsset> {
        vec![NewAsset::default(); n]
    }

    /// A write that fails for lack of space is an `Io` error naming the file with the OS error;
    /// earlier commits stay readable and, once space is back, the same catalogue takes writes
    /// (photocat reopened the file redb's failure latched), with no reopen by the caller.
    #[test]
    fn a_failed_write_is_recovered_by_reopening_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("photos.redb");
        Catalog::open(&path).unwrap().close().unwrap();
        let full = Arc::new(AtomicBool::new(false));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .unwrap();
        let backend = Filling {
            file: FileBackend::new(file).unwrap(),
            full: Arc::clone(&full),
        };
        let db = Database::builder().create_with_backend(backend).unwrap();
        let cat = Catalog::with_db(db, Some(path.clone()));
        cat.add_assets(assets(5), AddAssets::default()).unwrap();

        full.store(true, Ordering::SeqCst);
        let err = cat.add_assets(assets(5), AddAssets::default()).unwrap_err();
        assert!(
            matches!(&err, Error::Io { path: Some(p), source }
                if p == &path && source.raw_os_error() == Some(28)),
            "{err:?}"
        );
        // The failed write left nothing; earlier commits read (from the reopened file, which
        // does not go through the failing backend: the fault is gone with the old handle).
        assert_eq!(cat.count_assets(&ListAssets::default()).unwrap(), 5);
        assert_eq!(cat.slot().generation, 1, "the file was reopened once");
        cat.add_assets(assets(5), AddAssets::default()).unwrap();
        assert_eq!(cat.count_assets(&ListAssets::default()).unwrap(), 10);
        cat.close().unwrap();
        let cat = Catalog::open(&path).unwrap();
        assert_eq!(cat.count_assets(&ListAssets::default()).unwrap(), 10);
    }
}
