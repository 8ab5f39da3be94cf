//! Libraries: creating them, and resolving the library a write goes to.

use std::collections::HashMap;

use redb::{ReadableTable, WriteTransaction};

use super::{next_key_u32, now_micros, run_write, NewLibrary};
use crate::catalog::{Catalog, Tally};
use crate::error::{Error, Result};
use crate::ids::{self, IdKind};
use crate::model::Library;
use crate::records;
use crate::storage::codec::{self, LibraryRecord};
use crate::storage::tables::{self, counter};

/// Resolves the library a write goes to: the named one, or the only one, creating "Default"
/// when `create_default` and there is none.
pub(super) fn write_library(
    txn: &WriteTransaction,
    library_id: Option<&str>,
    create_default: bool,
    now: i64,
) -> Result<(u32, LibraryRecord)> {
    let ids_t = txn.open_table(tables::LIBRARY_IDS)?;
    let libs = txn.open_table(tables::LIBRARIES)?;
    let found = records::resolve_library(&ids_t, &libs, library_id, &mut Tally::default())?;
    drop((ids_t, libs));
    match found {
        Some(lib) => Ok(lib),
        None if create_default => create_library_in(
            txn,
            NewLibrary {
                name: "Default".into(),
                ..NewLibrary::default()
            },
            now,
        ),
        None => Err(Error::invalid("the catalogue has no library yet")),
    }
}

fn create_library_in(
    txn: &WriteTransaction,
    lib: NewLibrary,
    now: i64,
) -> Result<(u32, LibraryRecord)> {
    let id = ids::given_or_new(IdKind::Library, lib.id.as_deref())?;
    let mut ids_t = txn.open_table(tables::LIBRARY_IDS)?;
    if ids_t.get(id.as_str())?.is_some() {
        return Err(Error::Duplicate {
            message: format!("library {id:?} already exists"),
            existing_id: id,
        });
    }
    let key = next_key_u32(txn, counter::LIBRARY)?;
    let rec = LibraryRecord {
        id: id.clone(),
        name: lib.name,
        owner_id: lib.owner_id,
        created_at: now,
        updated_at: now,
    };
    ids_t.insert(id.as_str(), key)?;
    txn.open_table(tables::LIBRARIES)?
        .insert(key, codec::encode(&rec)?.as_slice())?;
    Ok((key, rec))
}

/// The library public ids by key, for building results.
pub(super) fn library_names(txn: &WriteTransaction) -> Result<HashMap<u32, String>> {
    let libs = txn.open_table(tables::LIBRARIES)?;
    let mut out = HashMap::new();
    for row in libs.iter()? {
        let (k, v) = row?;
        let rec: LibraryRecord = codec::decode(v.value())?;
        out.insert(k.value(), rec.id);
    }
    Ok(out)
}

impl Catalog {
    /// Creates a library.
    pub fn create_library(&self, lib: NewLibrary) -> Result<Library> {
        if let Some(id) = &lib.id {
            ids::validate(IdKind::Library, id)?;
        }
        let now = now_micros();
        run_write(self, |txn| {
            let (_, rec) = create_library_in(txn, lib, now)?;
            Ok(records::library_public(&rec))
        })
    }
}
