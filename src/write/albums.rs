//! Albums: creating them, and adding or removing assets.

use redb::ReadableTable;

use super::libraries::write_library;
use super::{distinct_ids, load_by_id, next_key_u32, now_micros, run_write, NewAlbum};
use crate::catalog::{Catalog, Tally};
use crate::error::{Error, Result};
use crate::ids::{self, IdKind};
use crate::index::IndexTables;
use crate::model::Album;
use crate::records::{self, lookup_u32};
use crate::storage::codec::{self, AlbumRecord};
use crate::storage::tables::{self, counter};

impl Catalog {
    /// Creates an album in a library.
    pub fn create_album(&self, album: NewAlbum) -> Result<Album> {
        let id = ids::given_or_new(IdKind::Album, album.id.as_deref())?;
        let now = now_micros();
        run_write(self, |txn| {
            let (lib_key, lib) = write_library(txn, album.library_id.as_deref(), true, now)?;
            let mut ids_t = txn.open_table(tables::ALBUM_IDS)?;
            if ids_t.get(id.as_str())?.is_some() {
                return Err(Error::Duplicate {
                    message: format!("album {id:?} already exists"),
                    existing_id: id.clone(),
                });
            }
            let key = next_key_u32(txn, counter::ALBUM)?;
            let rec = AlbumRecord {
                id: id.clone(),
                name: album.name,
                description: album.description,
                library: lib_key,
                created_at: now,
                updated_at: now,
            };
            ids_t.insert(id.as_str(), key)?;
            txn.open_table(tables::ALBUMS)?
                .insert(key, codec::encode(&rec)?.as_slice())?;
            Ok(records::album_public(&rec, &lib.id, 0))
        })
    }

    /// Adds assets to an album (assets already in it are left as they are). The assets must be
    /// in the album's library.
    pub fn add_to_album<S: AsRef<str>>(&self, album_id: &str, asset_ids: &[S]) -> Result<()> {
        self.album_links(album_id, asset_ids, true)
    }

    /// Removes assets from an album (assets not in it are left as they are).
    pub fn remove_from_album<S: AsRef<str>>(&self, album_id: &str, asset_ids: &[S]) -> Result<()> {
        self.album_links(album_id, asset_ids, false)
    }

    fn album_links<S: AsRef<str>>(&self, album_id: &str, asset_ids: &[S], add: bool) -> Result<()> {
        ids::validate(IdKind::Album, album_id)?;
        let list = distinct_ids(asset_ids, IdKind::Asset)?;
        run_write(self, |txn| {
            let album_key = lookup_u32(&txn.open_table(tables::ALBUM_IDS)?, album_id)?
                .ok_or_else(|| Error::not_found("album", album_id))?;
            let album: AlbumRecord = records::load_u32(
                &txn.open_table(tables::ALBUMS)?,
                album_key,
                "album",
                &mut Tally::default(),
            )?;
            let mut idx = IndexTables::open(txn)?;
            for id in list {
                let (key, rec) = load_by_id(txn, id)?;
                if add && rec.library != album.library {
                    return Err(Error::invalid(format!(
                        "asset {id:?} is in another library than album {album_id:?}; \
                         an album holds assets of its own library only"
                    )));
                }
                idx.link_album(key, &rec, album_key, add)?;
            }
            idx.finish()
        })
    }
}
