//! Albums: creating them, and adding or removing assets.

use redb::ReadableTable;

use super::libraries::write_library;
use super::{distinct_ids, next_key_u32, now_micros, run_write, NewAlbum};
use crate::catalog::{Catalog, Tally};
use crate::error::{Error, Result};
use crate::ids::{self, IdKind};
use crate::index::{IndexTables, Placement};
use crate::model::Album;
use crate::records::{self, lookup_u32, lookup_u64};
use crate::storage::codec::{self, AlbumRecord};
use crate::storage::fast::AssetRef;
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
        self.album_links(&[(album_id, asset_ids)], true)
    }

    /// Adds assets to many albums in one transaction: each `(album_id, asset_ids)` as
    /// [`Catalog::add_to_album`] would, all or nothing. Each call of `add_to_album` is a
    /// durable commit (a sync of the file); linking thousands of albums this way pays for one.
    ///
    /// ```
    /// # fn main() -> photocat::Result<()> {
    /// use photocat::{AddAssets, Catalog, NewAlbum, NewAsset};
    /// let cat = Catalog::in_memory()?;
    /// let a = cat.add_assets(vec![NewAsset::default(), NewAsset::default()], AddAssets::default())?;
    /// let trip = cat.create_album(NewAlbum { name: "Trip".into(), ..Default::default() })?;
    /// let best = cat.create_album(NewAlbum { name: "Best".into(), ..Default::default() })?;
    /// cat.add_to_albums(&[
    ///     (trip.id.as_str(), &[a[0].id.as_str(), a[1].id.as_str()][..]),
    ///     (best.id.as_str(), &[a[1].id.as_str()][..]),
    /// ])?;
    /// assert_eq!(cat.get_album(&trip.id)?.asset_count, 2);
    /// assert_eq!(cat.get_album(&best.id)?.asset_count, 1);
    /// # Ok(()) }
    /// ```
    pub fn add_to_albums<S: AsRef<str>>(&self, links: &[(&str, &[S])]) -> Result<()> {
        self.album_links(links, true)
    }

    /// Removes assets from an album (assets not in it are left as they are).
    pub fn remove_from_album<S: AsRef<str>>(&self, album_id: &str, asset_ids: &[S]) -> Result<()> {
        self.album_links(&[(album_id, asset_ids)], false)
    }

    /// Links (`add`) or unlinks assets and albums, in one transaction. Each asset is placed
    /// from its record read in place (no owned record), in key order within each album.
    fn album_links<S: AsRef<str>>(&self, links: &[(&str, &[S])], add: bool) -> Result<()> {
        let mut wanted = Vec::with_capacity(links.len());
        for (album_id, asset_ids) in links {
            ids::validate(IdKind::Album, album_id)?;
            wanted.push((*album_id, distinct_ids(asset_ids, IdKind::Asset)?));
        }
        run_write(self, |txn| {
            let album_ids = txn.open_table(tables::ALBUM_IDS)?;
            let albums = txn.open_table(tables::ALBUMS)?;
            let asset_ids = txn.open_table(tables::ASSET_IDS)?;
            let assets = txn.open_table(tables::ASSETS)?;
            let mut idx = IndexTables::open(txn)?;
            for (album_id, list) in &wanted {
                let album_key = lookup_u32(&album_ids, album_id)?
                    .ok_or_else(|| Error::not_found("album", *album_id))?;
                let album: AlbumRecord =
                    records::load_u32(&albums, album_key, "album", &mut Tally::default())?;
                let mut keyed = Vec::with_capacity(list.len());
                for id in list {
                    let key = lookup_u64(&asset_ids, id)?
                        .ok_or_else(|| Error::not_found("asset", *id))?;
                    keyed.push((key, *id));
                }
                keyed.sort_unstable();
                for (key, id) in keyed {
                    let stored = assets.get(key)?.ok_or_else(|| {
                        Error::Corrupt(format!("asset key {key} is indexed but missing"))
                    })?;
                    let rec = AssetRef::parse(stored.value())?;
                    if add && rec.library != album.library {
                        return Err(Error::invalid(format!(
                            "asset {id:?} is in another library than album {album_id:?}; \
                             an album holds assets of its own library only"
                        )));
                    }
                    idx.link_album(key, &Placement::of_stored(&rec), album_key, add)?;
                }
            }
            idx.finish()
        })
    }
}
