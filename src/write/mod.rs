//! Every write: libraries, assets (add, update, trash, restore, delete), albums, people and
//! faces. Each call validates all of its input first (pure checks on every core), then runs
//! one redb write transaction that changes records, every index entry and every counter, or
//! nothing: an error inside the transaction drops it uncommitted.
//!
//! One file per concern:
//! - this file: the option types, the transaction runner, key allocation and the helpers every
//!   write shares (loading and storing a record, building results);
//! - [`prepare`]: the pure checks that turn an input into a record (no database);
//! - [`libraries`]: creating libraries and resolving the library a write goes to;
//! - [`assets`]: adding, updating, trashing, restoring and deleting assets;
//! - [`dedup`]: checksum uniqueness and the duplicate outcome of `add_assets`;
//! - [`albums`]: albums and their links;
//! - [`people`]: people, faces and merges.

mod albums;
mod assets;
pub(crate) mod dedup;
mod libraries;
mod people;
pub(crate) mod prepare;

pub use dedup::{AddSummary, AddedAsset};

use std::collections::HashSet;
use std::str::FromStr;

use redb::{ReadableTable, WriteTransaction};

use crate::catalog::{Catalog, Tally};
use crate::error::{Error, Result};
use crate::ids::{self, IdKind};
use crate::model::Asset;
use crate::records::{self, PeopleCache};
use crate::storage::codec::{self, AssetRecord};
use crate::storage::places;
use crate::storage::tables;
use libraries::library_names;

/// What `add_assets` does with a record whose checksum already exists in the library.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OnDuplicate {
    /// Fail the whole call with [`Error::Duplicate`] naming the existing asset.
    #[default]
    Error,
    /// Return the existing asset in the new one's place and write nothing for it.
    Skip,
}

impl FromStr for OnDuplicate {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "error" => Ok(OnDuplicate::Error),
            "skip" => Ok(OnDuplicate::Skip),
            _ => Err(Error::invalid(format!(
                "on_duplicate must be \"error\" or \"skip\", got {:?}",
                ids::truncate_for_message(s)
            ))),
        }
    }
}

/// Options of [`Catalog::add_assets`].
#[derive(Debug, Clone, Default)]
pub struct AddAssets {
    /// The library to add to; None means the only library (a library named "Default" is created
    /// when there is none; several libraries make None an `InvalidArgument`).
    pub library_id: Option<String>,
    /// What to do with a checksum that already exists.
    pub on_duplicate: OnDuplicate,
}

/// A library to create.
#[derive(Debug, Clone, Default)]
pub struct NewLibrary {
    /// Name.
    pub name: String,
    /// Explicit id; generated when None.
    pub id: Option<String>,
    /// Owner (an Immich user id).
    pub owner_id: Option<String>,
}

/// An album to create.
#[derive(Debug, Clone, Default)]
pub struct NewAlbum {
    /// Name.
    pub name: String,
    /// The album's library; None means the only library (as for `add_assets`).
    pub library_id: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Explicit id; generated when None.
    pub id: Option<String>,
    /// Assets added to the album in the same transaction (Immich's `createAlbum` `assetIds`):
    /// each must exist and be in the album's library; a repeated id is added once.
    pub asset_ids: Vec<String>,
}

pub(crate) fn now_micros() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

/// An update time strictly after `previous`, so `updated_at` always moves.
fn bumped(previous: i64, now: i64) -> i64 {
    now.max(previous + 1)
}

/// Takes the next internal key of a record kind from the counters table.
fn allocate(counters: &mut redb::Table<'_, &'static str, u64>, name: &str) -> Result<u64> {
    let next = counters.get(name)?.map_or(1, |v| v.value());
    counters.insert(name, next + 1)?;
    Ok(next)
}

/// A u32 key (libraries, albums, people) from [`allocate`].
fn allocate_u32(counters: &mut redb::Table<'_, &'static str, u64>, name: &str) -> Result<u32> {
    u32::try_from(allocate(counters, name)?)
        .map_err(|_| Error::invalid(format!("too many {name} records (at most 2^32)")))
}

fn next_key_u32(txn: &WriteTransaction, name: &str) -> Result<u32> {
    allocate_u32(&mut txn.open_table(tables::COUNTERS)?, name)
}

/// Builds public assets for records of one write transaction (consumed).
fn build_assets(
    txn: &WriteTransaction,
    recs: impl IntoIterator<Item = AssetRecord>,
) -> Result<Vec<Asset>> {
    let libs = library_names(txn)?;
    let people = txn.open_table(tables::PEOPLE)?;
    let mut cache = PeopleCache::default();
    let mut tally = Tally::default();
    recs.into_iter()
        .map(|r| {
            let lib = libs.get(&r.library).cloned().unwrap_or_default();
            records::asset_public(r, &lib, &people, &mut cache, &mut tally)
        })
        .collect()
}

/// The public asset of one record of a write transaction.
fn build_asset(txn: &WriteTransaction, rec: AssetRecord) -> Result<Asset> {
    build_assets(txn, [rec])?
        .pop()
        .ok_or_else(|| Error::Corrupt("no asset built".into()))
}

/// Runs one write transaction: commits when `f` succeeds, aborts (writing nothing) when it
/// fails. Storage and I/O errors name the catalogue file.
fn run_write<T>(cat: &Catalog, f: impl FnOnce(&WriteTransaction) -> Result<T>) -> Result<T> {
    run_write_in(cat, f).map_err(|e| e.at(cat.path()))
}

fn run_write_in<T>(cat: &Catalog, f: impl FnOnce(&WriteTransaction) -> Result<T>) -> Result<T> {
    let (txn, generation) = cat.begin_write()?;
    let result = match f(&txn) {
        Ok(v) => cat
            .shared
            .committing(|| txn.commit())
            .map(|()| v)
            .map_err(Error::from),
        Err(e) => {
            // Dropping the transaction without commit discards everything it wrote.
            let _ = txn.abort();
            Err(e)
        }
    };
    if let Err(e) = &result {
        if e.is_io_failure() {
            // The transaction is gone (nothing of it is in the file). A failed I/O leaves
            // redb's handle refusing everything until the file is reopened: reopen it now, so
            // that reads and the next write work again once the cause (a full disk) is gone.
            cat.recover(generation);
        }
    }
    result
}

fn load_by_id(txn: &WriteTransaction, id: &str) -> Result<(u64, AssetRecord)> {
    let ids_t = txn.open_table(tables::ASSET_PLACES)?;
    let key = places::key(&ids_t, id)?.ok_or_else(|| Error::not_found("asset", id))?;
    let assets = txn.open_table(tables::ASSETS)?;
    let rec = records::load_asset(&assets, key, &mut Tally::default())?;
    Ok((key, rec))
}

fn store(txn: &WriteTransaction, key: u64, rec: &AssetRecord) -> Result<()> {
    txn.open_table(tables::ASSETS)?
        .insert(key, codec::encode(rec)?.as_slice())?;
    Ok(())
}

/// Validates a list of ids for a bulk write: each must be a well-formed id; repeats are
/// allowed and act once.
fn distinct_ids<S: AsRef<str>>(ids_in: &[S], kind: IdKind) -> Result<Vec<&str>> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(ids_in.len());
    for id in ids_in {
        let id = id.as_ref();
        ids::validate(kind, id)?;
        if seen.insert(id) {
            out.push(id);
        }
    }
    Ok(out)
}

fn at_record(i: usize, e: Error) -> Error {
    match e {
        Error::InvalidArgument(m) => Error::InvalidArgument(format!("records[{i}]: {m}")),
        other => other,
    }
}

fn at_face(i: usize, e: Error) -> Error {
    match e {
        Error::InvalidArgument(m) => Error::InvalidArgument(format!("faces[{i}]: {m}")),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_duplicate_parses() {
        assert_eq!("skip".parse::<OnDuplicate>().unwrap(), OnDuplicate::Skip);
        let e = "ignore".parse::<OnDuplicate>().unwrap_err().to_string();
        assert!(e.contains("\"error\" or \"skip\""), "{e}");
    }

    #[test]
    fn bumped_always_moves_forward() {
        assert_eq!(bumped(10, 5), 11);
        assert_eq!(bumped(10, 50), 50);
    }
}
