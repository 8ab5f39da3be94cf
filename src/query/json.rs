//! Gumnut JSON written straight from the stored records: [`Catalog::list_assets_json`] and
//! [`Catalog::get_asset_json`]. Each record is read in place ([`AssetRef`]), its people come
//! from the per-snapshot people cache, and [`crate::views::gumnut::AssetView`] (the one
//! definition of the shape, also behind `Asset`'s `Serialize`) writes it: no owned `Asset`, no
//! string copied but into the output. The bytes equal `list_assets(q)?.to_json()` and
//! `get_asset(id)?.to_json()` (tested on every page of a generated catalogue in
//! `tests/generator.rs`, on every page of the model check, and on the golden records).

use chrono::FixedOffset;
use redb::ReadableTable;

use crate::catalog::{Catalog, Tally};
use crate::error::{Error, Result};
use crate::ids::{self, IdKind};
use crate::model::time::{instant_from_micros, naive_from_micros, Formatted};
use crate::model::DEFAULT_MIME_TYPE;
use crate::query::list::Keep;
use crate::query::ListAssets;
use crate::records::{self, PeopleCache};
use crate::storage::fast::{AssetRef, Bad, Text, Unchecked};
use crate::storage::places;
use crate::views::gumnut::{
    AssetView, Checksum, Each, EachMap, ExifFields, ExifView, FaceView, Local, PageView, RawJson,
    VariantView, WriteJson, JSON_PER_ASSET,
};
use crate::views::writer::{Direct, Recent};

/// The Gumnut view of a stored asset. `people` holds every person its faces name
/// ([`fill_people`]).
fn stored_view<'a, 'b: 'a>(
    r: &'a AssetRef<'b, Unchecked<'b>>,
    people: &'a PeopleCache<'_>,
) -> AssetView<
    'a,
    Unchecked<'b>,
    impl WriteJson + 'a,
    impl WriteJson + 'a,
    impl WriteJson + 'a,
    impl WriteJson + 'a,
> {
    // An asset's times mostly repeat (record, file and face times): the last two converted
    // are kept.
    let mut instants = Recent::new();
    let mut instant = move |micros| instants.get(micros, instant_from_micros);
    let created_at = instant(r.created_at);
    let updated_at = instant(r.updated_at);
    let id = r.id;
    AssetView {
        id,
        device_asset_id: r.device_asset_id_or_default(),
        device_id: r.device_id_or_default(),
        mime_type: r.mime_type.unwrap_or(Unchecked::from(DEFAULT_MIME_TYPE)),
        original_file_name: r.original_file_name.unwrap_or_default(),
        file_created_at: instant(r.file_created_at_or_default()),
        file_modified_at: instant(r.file_modified_at_or_default()),
        // An offset out of chrono's range is unknown, as in the owned `Asset`.
        local_datetime: Local(Formatted::local(
            naive_from_micros(r.local),
            r.offset.filter(|&o| FixedOffset::east_opt(o).is_some()),
        )),
        checksum: r.checksum.map(|c| Checksum::Bytes(c)),
        checksum_sha1: r.checksum_sha1.map(|c| Checksum::Bytes(c)),
        created_at,
        updated_at,
        exif: r
            .exif
            .as_ref()
            .map(|e| ExifView::new(ExifFields::Read(e), id, created_at, updated_at, false)),
        metadata: r
            .metadata
            .as_ref()
            .map(|e| ExifView::new(ExifFields::Read(e), id, created_at, updated_at, true)),
        metrics: r.metrics.map(|m| EachMap(m.iter())),
        asset_urls: r.asset_urls.map(|m| {
            EachMap(m.iter().map(|v| {
                let view = VariantView {
                    mimetype: v.mimetype,
                    url: v.url,
                    width: v.width,
                };
                (v.name, view)
            }))
        }),
        description: r.description,
        faces: Each(r.faces.iter().map(move |f| {
            FaceView {
                id: f.id,
                asset_id: id,
                person_id: f
                    .person
                    .and_then(|p| people.peek(p))
                    .map(|p| p.person.id.as_str()),
                bounding_box: f.bounding_box,
                timestamp_ms: f.timestamp_ms,
                created_at: instant(f.created_at),
                updated_at: instant(f.updated_at),
                thumbnail_url: f.thumbnail_url,
            }
        })),
        people: Each(
            r.people()
                .filter_map(|p| people.peek(p))
                .map(|p| RawJson(&p.json)),
        ),
        width: r.width,
        height: r.height,
        file_size_bytes: r.file_size_bytes,
        trashed_at: r.trashed_at.map(instant_from_micros),
        download_url: r.download_url,
        thumbnail_url: r.thumbnail_url,
    }
}

/// Loads every person the faces of `assets` name into `cache` (a missing person record is
/// `Corrupt`, as in the owned path), so that [`stored_view`] finds them all.
pub(crate) fn fill_people<'a, S: Text<'a>>(
    people: &impl ReadableTable<u32, &'static [u8]>,
    assets: &[AssetRef<'a, S>],
    cache: &mut PeopleCache<'_>,
    tally: &mut Tally,
) -> Result<()> {
    for a in assets {
        for p in a.face_people().flatten() {
            cache.get(people, p, tally)?;
        }
    }
    Ok(())
}

/// The Gumnut JSON of a stored asset whose people are in `people` (filled by
/// [`fill_people`]): what `get_asset_json` writes (for the fuzz checks).
#[cfg(feature = "fuzzing")]
pub(crate) fn record_json(
    r: &AssetRef<'_, Unchecked<'_>>,
    people: &PeopleCache<'_>,
) -> Result<String> {
    stored_json(&stored_view(r, people), JSON_PER_ASSET)
}

/// The JSON of a view of stored records. Their strings were copied unchecked
/// ([`Unchecked`]); the one UTF-8 check of the whole output covers them, and a string that
/// fails it is `Corrupt`, as the checked read would have said.
fn stored_json<T: WriteJson + ?Sized>(value: &T, capacity: usize) -> Result<String> {
    let mut o = Direct::with_capacity(capacity);
    value.write_json(&mut o);
    o.finish().ok_or_else(|| Error::from(Bad::Utf8))
}

impl Catalog {
    /// [`Catalog::list_assets`] as Gumnut JSON (`{"data": [...], "has_more": ...}`), the bytes
    /// of `list_assets(query)?.to_json()`, written from the stored records without building an
    /// [`crate::Asset`]: the path for a server or anything else that sends the page on as JSON.
    ///
    /// ```
    /// # fn main() -> photocat::Result<()> {
    /// use photocat::{AddAssets, Catalog, ListAssets, NewAsset};
    /// let cat = Catalog::in_memory()?;
    /// cat.add_assets(vec![NewAsset::default()], AddAssets::default())?;
    /// let q = ListAssets::default();
    /// assert_eq!(cat.list_assets_json(&q)?, cat.list_assets(&q)?.to_json());
    /// # Ok(()) }
    /// ```
    pub fn list_assets_json(&self, query: &ListAssets) -> Result<String> {
        query.validate()?;
        let (txn, view) = self.begin_read_cached()?;
        let mut tally = Tally::default();
        let result = (|| -> Result<String> {
            let Some(r) = Catalog::resolve(&txn, query, None, &mut tally)? else {
                return Ok(r#"{"data":[],"has_more":false}"#.to_owned());
            };
            // The `ids` path has read its records to match them: their bytes come back in
            // `stored`; the index path's records are read here.
            let mut stored = Vec::new();
            let limit = query.limit as usize;
            let (hits, has_more) = Catalog::hits(
                &txn,
                query,
                &r,
                limit,
                Keep::Stored(&mut stored),
                &mut tally,
            )?;
            let table = txn.assets()?;
            // Sized up front: an `AssetRef` is a large value, and a collected `Result` iterator
            // would grow the vector (copying them) several times per page.
            let mut guards = Vec::with_capacity(hits.len());
            for (_, key, _) in &hits {
                guards.push(match stored.iter().position(|(k, _)| k == key) {
                    Some(i) => stored.swap_remove(i).1,
                    None => records::stored_asset(table, *key, &mut tally)?,
                });
            }
            let mut assets = Vec::with_capacity(guards.len());
            for g in &guards {
                assets.push(AssetRef::parse_unchecked(g.value())?);
            }
            let mut cache = PeopleCache::shared(view);
            fill_people(txn.people()?, &assets, &mut cache, &mut tally)?;
            let page = PageView {
                data: Each(assets.iter().map(|a| stored_view(a, &cache))),
                has_more,
            };
            stored_json(&page, 64 + JSON_PER_ASSET * assets.len())
        })();
        self.stats.add(&tally);
        result.map_err(|e| e.at(self.path()))
    }

    /// [`Catalog::get_asset`] as Gumnut JSON: the bytes of `get_asset(id)?.to_json()`, written
    /// from the stored record.
    pub fn get_asset_json(&self, asset_id: &str) -> Result<String> {
        ids::validate(IdKind::Asset, asset_id)?;
        let (txn, view) = self.begin_read_cached()?;
        let mut tally = Tally::default();
        let result = (|| -> Result<String> {
            let key = places::key(txn.places()?, asset_id)?
                .ok_or_else(|| Error::not_found("asset", asset_id))?;
            let guard = records::stored_asset(txn.assets()?, key, &mut tally)?;
            let asset = [AssetRef::parse_unchecked(guard.value())?];
            let mut cache = PeopleCache::shared(view);
            fill_people(txn.people()?, &asset, &mut cache, &mut tally)?;
            let json = stored_json(&stored_view(&asset[0], &cache), JSON_PER_ASSET);
            json
        })();
        self.stats.add(&tally);
        result.map_err(|e| e.at(self.path()))
    }
}
