//! Albums: creating them, and adding or removing assets.

use std::collections::HashMap;

use redb::ReadableTable;

use super::libraries::write_library;
use super::{distinct_ids, next_key_u32, now_micros, run_write, NewAlbum};
use crate::catalog::{Catalog, Tally};
use crate::error::{Error, Result};
use crate::ids::{self, IdKind};
use crate::index::{AlbumLinks, IndexTables, Placement};
use crate::model::Album;
use crate::records::{self, lookup_u32};
use crate::storage::codec::{self, AlbumRecord};
use crate::storage::places::{self, Place};
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

    /// Links (`add`) or unlinks assets and albums, in one transaction. The pairs are taken in
    /// asset key order: each asset's record is read once, in place (no owned record), however
    /// many albums it joins, and every table is then written in key order.
    fn album_links<S: AsRef<str>>(&self, links: &[(&str, &[S])], add: bool) -> Result<()> {
        let mut wanted = Vec::with_capacity(links.len());
        for (album_id, asset_ids) in links {
            ids::validate(IdKind::Album, album_id)?;
            wanted.push((*album_id, distinct_ids(asset_ids, IdKind::Asset)?));
        }
        run_write(self, |txn| {
            let album_ids = txn.open_table(tables::ALBUM_IDS)?;
            let albums = txn.open_table(tables::ALBUMS)?;
            let asset_places = txn.open_table(tables::ASSET_PLACES)?;
            let mut idx = IndexTables::open(txn)?;
            // Every (asset key, album key, album's position in `wanted`, asset id), each pair
            // once. What an album entry needs of its asset comes from the asset's place: no
            // record is read.
            let mut pairs: Vec<(u64, u32, usize, &str)> = Vec::new();
            let mut libraries = Vec::with_capacity(wanted.len());
            let mut found: HashMap<&str, Place> = HashMap::new();
            for (w, (album_id, list)) in wanted.iter().enumerate() {
                let album_key = lookup_u32(&album_ids, album_id)?
                    .ok_or_else(|| Error::not_found("album", *album_id))?;
                let album: AlbumRecord =
                    records::load_u32(&albums, album_key, "album", &mut Tally::default())?;
                libraries.push(album.library);
                for &id in list {
                    let key = match found.get(id) {
                        Some(p) => p.key,
                        None => {
                            let p = places::get(&asset_places, id)?
                                .ok_or_else(|| Error::not_found("asset", id))?;
                            found.insert(id, p);
                            p.key
                        }
                    };
                    pairs.push((key, album_key, w, id));
                }
            }
            pairs.sort_unstable_by_key(|p| (p.0, p.1));
            pairs.dedup_by_key(|p| (p.0, p.1));
            let mut changes = AlbumLinks::default();
            for same_asset in pairs.chunk_by(|a, b| a.0 == b.0) {
                let (key, id) = (same_asset[0].0, same_asset[0].3);
                let place = found.get(id).ok_or_else(|| {
                    Error::Corrupt(format!("asset {id:?} was looked up but has no place"))
                })?;
                let placement = Placement::of_place(id, place);
                for &(_, album_key, w, id) in same_asset {
                    if add && place.library != libraries[w] {
                        return Err(Error::invalid(format!(
                            "asset {id:?} is in another library than album {:?}; an album \
                             holds assets of its own library only",
                            wanted[w].0
                        )));
                    }
                    if idx.in_album(key, album_key)? != add {
                        changes.push(key, &placement, album_key);
                    }
                }
            }
            idx.apply_album_links(changes, add)?;
            idx.finish()
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, NaiveDate, TimeZone, Utc};

    use crate::model::{DateTimeInput, Visibility};
    use crate::storage::tables::dump;
    use crate::write::{NewAlbum, NewLibrary};
    use crate::{AddAssets, Catalog, Error, NewAsset};

    /// Two libraries; 40 assets in `library_a` (some trashed, some hidden, times with ties)
    /// and 2 in `library_b`; albums `album_1..3` in `library_a`, `album_b` in `library_b`.
    fn fixture() -> Catalog {
        let cat = Catalog::in_memory().unwrap();
        for id in ["library_a", "library_b"] {
            cat.create_library(NewLibrary {
                name: id.into(),
                id: Some(id.into()),
                ..NewLibrary::default()
            })
            .unwrap();
        }
        let day = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let asset = |i: i64| NewAsset {
            id: Some(format!("asset_{i:02}")),
            created_at: Some(Utc.timestamp_opt(1_700_000_000, 0).unwrap()),
            local_datetime: Some(DateTimeInput {
                naive: (day + Duration::days(i % 6)).and_hms_opt(12, 0, 0).unwrap(),
                offset: None,
            }),
            trashed_at: (i % 7 == 3).then(|| Utc.timestamp_opt(1_700_100_000, 0).unwrap()),
            visibility: Some(if i % 9 == 4 {
                Visibility::Hidden
            } else {
                Visibility::Timeline
            }),
            ..NewAsset::default()
        };
        for (lib, range) in [("library_a", 0..40), ("library_b", 40..42)] {
            let options = AddAssets {
                library_id: Some(lib.into()),
                ..AddAssets::default()
            };
            cat.add_assets(range.map(asset).collect(), options).unwrap();
        }
        for (id, lib) in [
            ("album_1", "library_a"),
            ("album_2", "library_a"),
            ("album_3", "library_a"),
            ("album_b", "library_b"),
        ] {
            cat.create_album(NewAlbum {
                name: id.into(),
                id: Some(id.into()),
                library_id: Some(lib.into()),
                ..NewAlbum::default()
            })
            .unwrap();
        }
        cat
    }

    fn ids(range: impl Iterator<Item = usize>) -> Vec<String> {
        range.map(|i| format!("asset_{i:02}")).collect()
    }

    /// Every table but `albums` and `libraries` (whose records hold the time they were
    /// created; links change neither).
    fn tables(cat: &Catalog) -> Vec<(String, dump::Rows)> {
        dump::all(&cat.begin_read().unwrap(), false)
            .into_iter()
            .filter(|(name, _)| name != "albums" && name != "libraries")
            .collect()
    }

    /// The names of the tables whose rows differ.
    fn differ(a: &Catalog, b: &Catalog) -> Vec<String> {
        tables(a)
            .into_iter()
            .zip(tables(b))
            .filter(|(x, y)| x != y)
            .map(|(x, _)| x.0)
            .collect()
    }

    #[test]
    fn many_links_in_one_call_write_what_one_call_per_album_writes() {
        // Overlapping albums, an album named twice, an asset named twice in one list, pairs
        // already linked, trashed and hidden assets, an empty list.
        let links: Vec<(&str, Vec<String>)> = vec![
            ("album_1", ids((0..20).chain([5, 5]))),
            ("album_2", ids(10..40)),
            ("album_1", ids(15..25)),
            ("album_3", Vec::new()),
            ("album_b", ids(40..42)),
        ];
        let refs: Vec<(&str, &[String])> = links.iter().map(|(a, l)| (*a, l.as_slice())).collect();
        let (one, each) = (fixture(), fixture());
        one.add_to_album("album_2", &ids(30..35)).unwrap();
        each.add_to_album("album_2", &ids(30..35)).unwrap();
        one.add_to_albums(&refs).unwrap();
        for (album, list) in &refs {
            each.add_to_album(album, list).unwrap();
        }
        assert_eq!(differ(&one, &each), Vec::<String>::new());
        // Unlinking, some pairs never linked: the same again.
        let gone = ids((0..30).step_by(3));
        one.remove_from_album("album_1", &gone).unwrap();
        each.remove_from_album("album_1", &gone).unwrap();
        assert_eq!(differ(&one, &each), Vec::<String>::new());
        assert!(one.verify().unwrap().is_ok());
    }

    #[test]
    fn a_bad_link_among_many_changes_nothing() {
        let cat = fixture();
        let before = tables(&cat);
        let good = ids(0..10);
        let other_library = ids(38..42);
        let err = cat
            .add_to_albums(&[("album_1", &good[..]), ("album_2", &other_library[..])])
            .unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
        assert!(err.to_string().contains("asset_40"), "{err}");
        let missing = ["asset_99".to_owned()];
        let err = cat
            .add_to_albums(&[("album_1", &good[..]), ("album_2", &missing[..])])
            .unwrap_err();
        assert!(matches!(err, Error::NotFound { .. }), "{err}");
        let err = cat
            .add_to_albums(&[("album_1", &good[..]), ("album_9", &good[..])])
            .unwrap_err();
        assert!(matches!(err, Error::NotFound { .. }), "{err}");
        assert_eq!(tables(&cat), before);
    }
}
