//! [`Catalog::backup`]: a consistent copy of a catalogue while readers and a writer go on.
//!
//! The copy is taken from one redb read transaction, so it holds exactly one committed state
//! (every write committed before the backup began its read, none after): redb keeps the pages
//! of a live read transaction while writers commit new ones beside them. Every table is copied
//! row by row in key order (one run of redb's `CursorMut`), with its typed definition, into a
//! new redb file written in one write
//! transaction under a temporary name in the destination's folder; the new file is committed
//! (which syncs it), closed, and moved into place without replacing anything, and the folder
//! is synced. A backup killed at any moment leaves no destination file, only possibly a hidden
//! temporary file (`.NAME.<token>.photocat-new`), which nothing opens.

use std::path::Path;

use redb::{Database, ReadableTable, TableDefinition, TableHandle};

use crate::catalog::{self, Catalog};
use crate::error::{Error, Result};
use crate::storage::tables;

/// The rows copied by one table copy.
type Copied = u64;

/// Copies every row of one table from the snapshot into the new file.
fn copy<K: redb::Key + 'static, V: redb::Value + 'static>(
    from: &redb::ReadTransaction,
    to: &redb::WriteTransaction,
    def: TableDefinition<K, V>,
    names: &mut Vec<String>,
) -> Result<Copied> {
    names.push(def.name().to_owned());
    let source = match from.open_table(def) {
        Ok(t) => t,
        // A table that a catalogue of this format always has; a missing one is created empty
        // (as `Catalog::open` would create it).
        Err(redb::TableError::TableDoesNotExist(_)) => {
            to.open_table(def)?;
            return Ok(0);
        }
        Err(e) => return Err(e.into()),
    };
    let mut target = to.open_table(def)?;
    // The rows come in key order into an empty table: one run through redb's cursor, spliced
    // into full pages a megabyte at a time, instead of a descent of the tree per row.
    let mut run = target.lower_bound_mut(std::ops::Bound::<K::SelfType<'_>>::Unbounded)?;
    let mut rows = 0;
    for row in source.iter()? {
        let (k, v) = row?;
        match run.insert_before(k.value(), v.value()) {
            Ok(()) => rows += 1,
            Err(redb::CursorError::UnorderedKey) => {
                return Err(Error::Corrupt(format!(
                    "the table {} gave its rows out of key order",
                    def.name()
                )));
            }
            Err(e) => return Err(redb::Error::from(e).into()),
        }
    }
    run.close()?;
    Ok(rows)
}

/// Copies every table of the catalogue (those of `storage::tables`, with their types) and
/// checks that the snapshot holds no other table, which the copy would miss.
fn copy_all(from: &redb::ReadTransaction, to: &redb::WriteTransaction) -> Result<Copied> {
    let mut names = Vec::new();
    let n = &mut names;
    let mut rows = 0;
    rows += copy(from, to, tables::META, n)?;
    rows += copy(from, to, tables::COUNTERS, n)?;
    rows += copy(from, to, tables::ASSETS, n)?;
    rows += copy(from, to, tables::ASSET_PLACES, n)?;
    rows += copy(from, to, tables::LIBRARIES, n)?;
    rows += copy(from, to, tables::LIBRARY_IDS, n)?;
    rows += copy(from, to, tables::ALBUMS, n)?;
    rows += copy(from, to, tables::ALBUM_IDS, n)?;
    rows += copy(from, to, tables::PEOPLE, n)?;
    rows += copy(from, to, tables::PERSON_IDS, n)?;
    rows += copy(from, to, tables::FACE_IDS, n)?;
    rows += copy(from, to, tables::PERSON_ASSETS, n)?;
    rows += copy(from, to, tables::ASSET_ALBUMS, n)?;
    rows += copy(from, to, tables::LIST_INDEX, n)?;
    rows += copy(from, to, tables::CHECKSUMS, n)?;
    rows += copy(from, to, tables::LIST_COUNTS, n)?;
    rows += copy(from, to, tables::IMMICH_ORDER, n)?;
    rows += copy(from, to, tables::IMMICH_BLOCKS, n)?;
    rows += copy(from, to, tables::RANDOM_POOL, n)?;
    rows += copy(from, to, tables::RANDOM_SIZES, n)?;
    rows += copy(from, to, tables::RANDOM_SLOTS, n)?;
    rows += copy(from, to, tables::DEVICE_INDEX, n)?;
    rows += copy(from, to, tables::SHA1_INDEX, n)?;
    rows += copy(from, to, tables::FACET_VALUES, n)?;
    rows += copy(from, to, tables::DAY_COUNTS, n)?;
    rows += copy(from, to, tables::TEXT_COLUMN, n)?;
    rows += copy(from, to, tables::POSTINGS, n)?;
    for t in from.list_tables()? {
        if !names.iter().any(|n| n == t.name()) {
            return Err(Error::Corrupt(format!(
                "the catalogue holds a table this build does not know ({:?}), which a backup \
                 would not copy",
                t.name()
            )));
        }
    }
    if from.list_multimap_tables()?.next().is_some() {
        return Err(Error::Corrupt(
            "the catalogue holds a multimap table, which photocat never writes and a backup \
             would not copy"
                .into(),
        ));
    }
    Ok(rows)
}

impl Catalog {
    /// Writes a consistent copy of the catalogue to a new file at `dest`, while other threads
    /// go on reading and writing.
    ///
    /// The copy holds exactly one committed state: every write committed before the backup
    /// began, none committed after (it is read from one snapshot). It is a catalogue of the
    /// same format version that [`Catalog::open`] opens like the original; the rows are copied
    /// table by table, so the copy is also compact (no free pages).
    ///
    /// The copy is written and synced under a temporary name in `dest`'s folder
    /// (`.NAME.<random token>.photocat-new`), then moved into place without replacing anything
    /// and the folder synced: a backup stopped at any moment (an error, a kill, a power cut)
    /// leaves no file at `dest`, at most the hidden temporary file.
    ///
    /// Errors: an existing `dest` is never replaced: it is [`Error::Io`] of kind
    /// `AlreadyExists` naming `dest`, checked before anything is copied (and again by the final
    /// move, should `dest` appear meanwhile). `dest` naming this catalogue's own file is
    /// [`Error::InvalidArgument`]. I/O errors (a missing folder, a full disk) are
    /// [`Error::Io`] naming `dest`, and leave nothing behind. Works for in-memory catalogues
    /// too (the copy is a file).
    ///
    /// ```
    /// # fn main() -> photocat::Result<()> {
    /// use photocat::{Catalog, NewAsset, AddAssets};
    /// let dir = tempfile::tempdir()?;
    /// let cat = Catalog::open(dir.path().join("photos.redb"))?;
    /// cat.add_assets(vec![NewAsset::default()], AddAssets::default())?;
    /// let copy = dir.path().join("photos-backup.redb");
    /// cat.backup(&copy)?;
    /// // The copy opens as a catalogue with the same contents.
    /// let restored = Catalog::open(&copy)?;
    /// assert_eq!(restored.summary()?.libraries[0].live, 1);
    /// // An existing file is never replaced.
    /// let err = cat.backup(&copy).unwrap_err();
    /// assert!(matches!(&err, photocat::Error::Io { source, .. }
    ///     if source.kind() == std::io::ErrorKind::AlreadyExists));
    /// # Ok(()) }
    /// ```
    pub fn backup(&self, dest: impl AsRef<Path>) -> Result<()> {
        let dest = dest.as_ref();
        self.check_backup_dest(dest)?;
        // The snapshot first: the copy is the state committed at this moment.
        let snapshot = self.begin_read().map_err(|e| e.at(self.path()))?;
        let (tmp, file) = catalog::new_temp_file(dest)?;
        let written = (|| -> Result<()> {
            let backend = redb::backends::FileBackend::new(file)?;
            let db = Database::builder().create_with_backend(backend)?;
            let txn = db.begin_write()?;
            copy_all(&snapshot, &txn)?;
            // Commit syncs the file (the default durability is immediate).
            txn.commit()?;
            db.close()?;
            Ok(())
        })();
        drop(snapshot);
        // Any error names the file being written (the snapshot's errors were named above).
        written.map_err(|e| e.at(Some(dest)))?;
        catalog::persist_new(tmp, dest)
    }

    /// Refuses a backup destination that exists or is this catalogue's own file.
    fn check_backup_dest(&self, dest: &Path) -> Result<()> {
        if let Some(own) = self.path() {
            let same = match (std::fs::canonicalize(own), std::fs::canonicalize(dest)) {
                (Ok(a), Ok(b)) => a == b,
                _ => own == dest,
            };
            if same {
                return Err(Error::invalid(format!(
                    "cannot back up {} onto itself: give the backup another file name",
                    own.display()
                )));
            }
        }
        match std::fs::symlink_metadata(dest) {
            Ok(_) => Err(Error::io(
                dest,
                std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "the file exists; a backup never replaces a file (remove it or pick \
                     another name)",
                ),
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io(dest, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{NewAsset, NewFace, NewPerson};
    use crate::write::{AddAssets, NewAlbum};
    use crate::ImportPaths;
    use redb::ReadableDatabase;

    use crate::storage::tables::dump::Rows;

    /// Every table of a file, by name, as bytes (and the names redb lists).
    fn dump(path: &Path) -> (Vec<String>, Vec<(String, Rows)>) {
        let db = redb::Builder::new().open_read_only(path).unwrap();
        let txn = db.begin_read().unwrap();
        let mut names: Vec<String> = txn
            .list_tables()
            .unwrap()
            .map(|t| t.name().to_owned())
            .collect();
        names.sort();
        let dumped = crate::storage::tables::dump::all(&txn, true);
        (names, dumped)
    }

    #[test]
    fn the_copy_holds_every_row_of_every_table() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("photos.redb");
        let cat = Catalog::open(&path).unwrap();
        let report = cat
            .import_paths(&["tests/data/photos"], ImportPaths::default())
            .unwrap();
        let ids: Vec<String> = report.created.iter().map(|a| a.id.clone()).collect();
        let person = cat
            .create_person(NewPerson {
                name: Some("Ada".into()),
                ..Default::default()
            })
            .unwrap();
        cat.add_assets(
            vec![NewAsset {
                device_id: Some("phone".into()),
                device_asset_id: Some("IMG_1".into()),
                local_datetime: Some("2024-05-01T10:00:00+02:00".parse().unwrap()),
                faces: Some(vec![NewFace {
                    person_id: Some(person.id.clone()),
                    ..Default::default()
                }]),
                ..Default::default()
            }],
            AddAssets::default(),
        )
        .unwrap();
        let album = cat
            .create_album(NewAlbum {
                name: "Trip".into(),
                ..Default::default()
            })
            .unwrap();
        cat.add_to_album(&album.id, &ids[..2]).unwrap();
        cat.trash_assets(&ids[2..3]).unwrap();
        let copy = dir.path().join("copy.redb");
        cat.backup(&copy).unwrap();
        drop(cat);

        let (names, original) = dump(&path);
        let (copy_names, copied) = dump(&copy);
        assert_eq!(names, copy_names);
        // Every table the catalogue has is one the dump (and so the backup) knows.
        for n in &names {
            assert!(original.iter().any(|(m, _)| m == n), "unknown table {n}");
        }
        for ((name, a), (_, b)) in original.iter().zip(&copied) {
            assert_eq!(a, b, "table {name} differs");
        }
        // The fixture fills the tables, so the comparison is of rows, not of empty tables.
        let empty: Vec<&str> = original
            .iter()
            .filter(|(_, r)| r.is_empty())
            .map(|(n, _)| n.as_str())
            .collect();
        assert!(empty.len() <= 3, "empty tables: {empty:?}");
    }
}
