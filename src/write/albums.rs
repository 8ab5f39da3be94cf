//! Albums: creating them, and adding or removing assets.

use std::collections::HashSet;

use redb::{ReadableTable, WriteTransaction};

use super::libraries::write_library;
use super::{next_key_u32, now_micros, run_write, NewAlbum};
use crate::catalog::{Catalog, Tally};
use crate::error::{Error, Result};
use crate::ids::{self, IdKind};
use crate::index::{AlbumLinks, IndexTables, Placement};
use crate::model::Album;
use crate::records::{self, lookup_u32};
use crate::storage::codec::{self, AlbumRecord};
use crate::storage::keys;
use crate::storage::places::{self, Place};
use crate::storage::tables::{self, counter};

impl Catalog {
    /// Creates an album in a library, with its first assets (`album.asset_ids`, as
    /// [`Catalog::add_to_album`] would add them) in the same transaction: one durable commit
    /// instead of two, and no album left empty when an asset id is wrong. The returned
    /// `asset_count` counts the live assets linked.
    ///
    /// ```
    /// # fn main() -> photocat::Result<()> {
    /// use photocat::{AddAssets, Catalog, NewAlbum, NewAsset};
    /// let cat = Catalog::in_memory()?;
    /// let a = cat.add_assets(vec![NewAsset::default(), NewAsset::default()], AddAssets::default())?;
    /// let trip = cat.create_album(NewAlbum {
    ///     name: "Trip".into(),
    ///     asset_ids: vec![a[0].id.clone(), a[1].id.clone()],
    ///     ..Default::default()
    /// })?;
    /// assert_eq!(trip.asset_count, 2);
    /// assert!(cat.create_album(NewAlbum {
    ///     name: "Nope".into(),
    ///     asset_ids: vec!["asset_unknown".into()],
    ///     ..Default::default()
    /// }).is_err());
    /// assert_eq!(cat.list_albums(None)?.len(), 1);
    /// # Ok(()) }
    /// ```
    pub fn create_album(&self, album: NewAlbum) -> Result<Album> {
        let id = ids::given_or_new(IdKind::Album, album.id.as_deref())?;
        for asset_id in &album.asset_ids {
            ids::validate(IdKind::Asset, asset_id)?;
        }
        let now = now_micros();
        run_write(self, |txn| {
            let (lib_key, lib) = write_library(txn, album.library_id.as_deref(), true, now)?;
            let key = {
                let mut ids_t = txn.open_table(tables::ALBUM_IDS)?;
                if ids_t.get(id.as_str())?.is_some() {
                    return Err(Error::Duplicate {
                        message: format!("album {id:?} already exists"),
                        existing_id: id.clone(),
                    });
                }
                let key = next_key_u32(txn, counter::ALBUM)?;
                ids_t.insert(id.as_str(), key)?;
                key
            };
            let rec = AlbumRecord {
                id: id.clone(),
                name: album.name,
                description: album.description,
                library: lib_key,
                created_at: now,
                updated_at: now,
            };
            txn.open_table(tables::ALBUMS)?
                .insert(key, codec::encode(&rec)?.as_slice())?;
            if album.asset_ids.is_empty() {
                return Ok(records::album_public(&rec, &lib.id, 0));
            }
            let members = album.asset_ids.iter().map(String::as_str).collect();
            link_in(txn, &[(id.as_str(), members)], true)?;
            let count = crate::query::counts::group_count(
                &txn.open_table(tables::LIST_COUNTS)?,
                keys::Group::Album(key),
                crate::State::Live,
            )?;
            Ok(records::album_public(&rec, &lib.id, count))
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

    /// Links (`add`) or unlinks assets and albums, in one transaction ([`link_in`]).
    fn album_links<S: AsRef<str>>(&self, links: &[(&str, &[S])], add: bool) -> Result<()> {
        let mut wanted: Vec<(&str, Vec<&str>)> = Vec::with_capacity(links.len());
        for (album_id, asset_ids) in links {
            ids::validate(IdKind::Album, album_id)?;
            let list = asset_ids.iter().map(AsRef::as_ref).collect::<Vec<&str>>();
            for id in &list {
                ids::validate(IdKind::Asset, id)?;
            }
            wanted.push((*album_id, list));
        }
        run_write(self, |txn| link_in(txn, &wanted, add))
    }
}

/// The links of [`Catalog::album_links`] (and of a new album's first assets), inside the
/// caller's transaction: the asset ids are looked up in id order (neighbouring look-ups share
/// B-tree pages), each once, and what an album entry needs of an asset comes from its place:
/// no record is read. The pairs are then taken in asset key order and every table is written
/// in key order. When ids are unknown, the error names the first in call order (an album
/// before its assets).
fn link_in(txn: &WriteTransaction, wanted: &[(&str, Vec<&str>)], add: bool) -> Result<()> {
    let album_ids = txn.open_table(tables::ALBUM_IDS)?;
    let albums = txn.open_table(tables::ALBUMS)?;
    let asset_places = txn.open_table(tables::ASSET_PLACES)?;
    let mut idx = IndexTables::open(txn)?;
    // Each album's key and library (None: unknown).
    let mut album_of: Vec<Option<(u32, u32)>> = Vec::with_capacity(wanted.len());
    for (album_id, _) in wanted {
        album_of.push(match lookup_u32(&album_ids, album_id)? {
            Some(key) => {
                let album: AlbumRecord =
                    records::load_u32(&albums, key, "album", &mut Tally::default())?;
                Some((key, album.library))
            }
            None => None,
        });
    }
    // Every (asset id, album's position in `wanted`), in id order.
    let mut named: Vec<(&str, u32)> = wanted
        .iter()
        .enumerate()
        .flat_map(|(w, (_, list))| list.iter().map(move |&id| (id, w as u32)))
        .collect();
    // By id only, on every core (equal ids stay together, which is all `chunk_by`
    // below needs; a pair named twice is dropped with the pairs' own duplicates).
    keys::sort_by_key_bytes(&mut named, |n| n.0.as_bytes());
    // Every (asset key, album key, album's position, place's position), and the places.
    let mut found: Vec<(&str, Place)> = Vec::new();
    let mut pairs: Vec<(u64, u32, u32, u32)> = Vec::with_capacity(named.len());
    let mut unknown: HashSet<&str> = HashSet::new();
    for same_id in named.chunk_by(|a, b| a.0 == b.0) {
        let id = same_id[0].0;
        let Some(place) = places::get(&asset_places, id)? else {
            unknown.insert(id);
            continue;
        };
        for &(_, w) in same_id {
            if let Some((album_key, _)) = album_of[w as usize] {
                pairs.push((place.key, album_key, w, found.len() as u32));
            }
        }
        found.push((id, place));
    }
    if !unknown.is_empty() || album_of.iter().any(Option::is_none) {
        return Err(first_unknown(wanted, &album_of, &unknown));
    }
    drop(named);
    pairs.sort_unstable_by_key(|p| (p.0, p.1));
    pairs.dedup_by_key(|p| (p.0, p.1));
    let mut changes = AlbumLinks::default();
    for same_asset in pairs.chunk_by(|a, b| a.0 == b.0) {
        let (key, (id, place)) = (same_asset[0].0, &found[same_asset[0].3 as usize]);
        let placement = Placement { id, place: *place };
        for &(_, album_key, w, _) in same_asset {
            let library = album_of[w as usize].map_or(u32::MAX, |a| a.1);
            if add && place.library != library {
                return Err(Error::invalid(format!(
                    "asset {id:?} is in another library than album {:?}; an album \
                     holds assets of its own library only",
                    wanted[w as usize].0
                )));
            }
            changes.push(key, &placement, album_key);
        }
    }
    idx.apply_album_links(changes, add)?;
    idx.finish()
}

/// The `NotFound` of the first unknown id of a call to [`Catalog::album_links`], in call order
/// (each album before its assets).
fn first_unknown(
    wanted: &[(&str, Vec<&str>)],
    album_of: &[Option<(u32, u32)>],
    unknown: &HashSet<&str>,
) -> Error {
    for ((album_id, list), album) in wanted.iter().zip(album_of) {
        if album.is_none() {
            return Error::not_found("album", *album_id);
        }
        if let Some(id) = list.iter().find(|id| unknown.contains(*id)) {
            return Error::not_found("asset", *id);
        }
    }
    Error::Corrupt("an unknown id of an album link was not found again".into())
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

    /// The ids are looked up in id order, but the error names the first unknown id in call
    /// order, an album before its own assets.
    #[test]
    fn the_first_unknown_id_in_call_order_is_the_error() {
        let cat = fixture();
        let before = tables(&cat);
        let not_found = |links: &[(&str, &[&str])]| match cat.add_to_albums(links) {
            Err(Error::NotFound { kind, id }) => (kind, id),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            not_found(&[
                ("album_1", &["asset_01", "asset_zz"]),
                ("album_2", &["asset_aa"]),
            ]),
            ("asset", "asset_zz".to_owned())
        );
        assert_eq!(
            not_found(&[
                ("album_1", &["asset_01"]),
                ("album_9", &["asset_aa"]),
                ("album_2", &["asset_ab"]),
            ]),
            ("album", "album_9".to_owned())
        );
        assert_eq!(
            not_found(&[("album_1", &["asset_ab", "asset_aa"]), ("album_9", &[])]),
            ("asset", "asset_ab".to_owned())
        );
        assert_eq!(tables(&cat), before);
    }
}
