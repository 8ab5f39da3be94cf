//! Gumnut's list calls: `list_assets`, `iter_assets`, `list_album_assets`, `get_asset`, plus
//! small getters for libraries, albums and people.

use std::collections::{HashSet, VecDeque};

use redb::{ReadTransaction, ReadableTable};

use crate::catalog::{Catalog, Tally};
use crate::error::{Error, Result};
use crate::ids::{self, IdKind};
use crate::model::time::TimeBound;
use crate::model::{Album, Asset, Library, Person};
use crate::query::cursor::{self, Start};
use crate::query::plan::{self, TimeFilter};
use crate::query::{check_limit, AssetPage, ListAssets, State};
use crate::records::{self, lookup_u32, PeopleCache};
use crate::snapshot::{Snapshot, View};
use crate::storage::codec::{AlbumRecord, AssetRecord, LibraryRecord};
use crate::storage::fast::AssetRef;
use crate::storage::keys::Group;
use crate::storage::places;
use crate::storage::tables;

/// A list query resolved against one snapshot (see [`Catalog::resolve`]).
pub(crate) struct Resolved {
    pub lib_key: u32,
    pub lib: LibraryRecord,
    pub album: Option<u32>,
    pub person: Option<u32>,
    /// The index groups to intersect: the album and/or the person, else the library.
    pub groups: Vec<Group>,
    pub start: Start,
    pub filter: TimeFilter,
}

/// One entry of a page: its list position (on the index path, kept on the last entry only:
/// the cursor of the next step), the asset key, and the record when already read (boxed: a
/// record is about 2 KB, and a batch holds 65,536 entries that mostly have none).
pub(crate) type Hit = (Vec<u8>, u64, Option<Box<AssetRecord>>);

/// What [`Catalog::hits`] keeps of the records the `ids` path reads to match them (the index
/// path reads none).
pub(crate) enum Keep<'k, 't> {
    /// Nothing: the caller counts the hits.
    Nothing,
    /// The owned record, in each hit: the caller builds `Asset`s from it.
    Records,
    /// The stored bytes of each hit, by asset key, pushed onto the vector: the JSON path writes
    /// from them instead of reading each record a second time.
    Stored(&'k mut Vec<(u64, redb::AccessGuard<'t, &'static [u8]>)>),
}

/// What the `ids` path checks of a record ([`Catalog::matches_record`]), from an owned record or
/// one read in place, so the rule is written once for both.
pub(crate) struct IdsFacts<'a> {
    pub id: &'a str,
    pub library: u32,
    pub local: i64,
    pub offset: Option<i32>,
    pub trashed_at: Option<i64>,
    /// Not hidden or locked.
    pub listed: bool,
    /// The asset has a face of the query's person (true when the query names none).
    pub has_person: bool,
}

impl<'a> IdsFacts<'a> {
    fn of_record(rec: &'a AssetRecord, person: Option<u32>) -> Self {
        IdsFacts {
            id: &rec.id,
            library: rec.library,
            local: rec.local,
            offset: rec.offset,
            trashed_at: rec.trashed_at,
            listed: rec.visibility.is_listed(),
            has_person: person.is_none_or(|p| rec.faces.iter().any(|f| f.person == Some(p))),
        }
    }

    fn of_stored(rec: &AssetRef<'a>, person: Option<u32>) -> Self {
        IdsFacts {
            id: rec.id,
            library: rec.library,
            local: rec.local,
            offset: rec.offset,
            trashed_at: rec.trashed_at,
            listed: rec.visibility.is_listed(),
            has_person: person.is_none_or(|p| rec.face_people().any(|f| f == Some(p))),
        }
    }
}

/// A page with the position of its last asset (for iterators).
pub(crate) struct RawPage {
    pub data: Vec<Asset>,
    pub has_more: bool,
    pub last: Option<Vec<u8>>,
}

impl Catalog {
    /// One page of assets, newest first (Gumnut's `list_assets`). See [`ListAssets`].
    ///
    /// ```
    /// # fn main() -> photocat::Result<()> {
    /// use photocat::{AddAssets, Catalog, ListAssets, NewAsset};
    /// let cat = Catalog::in_memory()?;
    /// let mut records = Vec::new();
    /// for day in 1..=3 {
    ///     records.push(NewAsset {
    ///         local_datetime: Some(format!("2024-05-0{day}T10:00:00+02:00").parse()?),
    ///         ..Default::default()
    ///     });
    /// }
    /// cat.add_assets(records, AddAssets::default())?;
    /// let page = cat.list_assets(&ListAssets { limit: 2, ..Default::default() })?;
    /// assert_eq!(page.data.len(), 2);
    /// assert!(page.has_more);
    /// let next = cat.list_assets(&ListAssets {
    ///     limit: 2,
    ///     starting_after_id: Some(page.data[1].id.clone()),
    ///     ..Default::default()
    /// })?;
    /// assert_eq!(next.data.len(), 1);
    /// assert!(!next.has_more);
    /// # Ok(()) }
    /// ```
    pub fn list_assets(&self, query: &ListAssets) -> Result<AssetPage> {
        query.validate()?;
        let page = self.page(query, None, query.limit as usize)?;
        Ok(AssetPage {
            data: page.data,
            has_more: page.has_more,
        })
    }

    /// Every matching asset, following the cursor page by page (`page_size` 1 to 200). Each
    /// page is read in its own snapshot; the walk continues from the position of the last
    /// asset returned, so it survives that asset being changed or deleted meanwhile.
    pub fn iter_assets(&self, query: ListAssets, page_size: u32) -> Result<AssetIter<'_>> {
        Ok(AssetIter {
            cat: self,
            pages: Pages::new(query, page_size)?,
            buffer: VecDeque::new(),
        })
    }

    /// Every live asset of an album, in list order.
    pub fn list_album_assets(&self, album_id: &str) -> Result<Vec<Asset>> {
        let query = ListAssets {
            album_id: Some(album_id.to_owned()),
            limit: crate::query::MAX_LIMIT,
            ..ListAssets::default()
        };
        self.iter_assets(query, crate::query::MAX_LIMIT)?.collect()
    }

    /// One asset by id, complete.
    pub fn get_asset(&self, asset_id: &str) -> Result<Asset> {
        ids::validate(IdKind::Asset, asset_id)?;
        let (txn, view) = self.begin_read_cached()?;
        let mut tally = Tally::default();
        let key = places::key(txn.places()?, asset_id)?
            .ok_or_else(|| Error::not_found("asset", asset_id))?;
        let rec = records::load_asset(txn.assets()?, key, &mut tally)?;
        let lib: LibraryRecord = records::load_u32(
            &txn.open_table(tables::LIBRARIES)?,
            rec.library,
            "library",
            &mut tally,
        )?;
        let asset = records::asset_public(
            rec,
            &lib.id,
            txn.people()?,
            &mut PeopleCache::shared(view),
            &mut tally,
        )?;
        self.stats.add(&tally);
        Ok(asset)
    }

    /// Every library, by id.
    pub fn list_libraries(&self) -> Result<Vec<Library>> {
        let txn = self.begin_read()?;
        let mut out = Vec::new();
        for row in txn.open_table(tables::LIBRARIES)?.iter()? {
            let (_, v) = row?;
            out.push(records::library_public(&crate::storage::codec::decode(
                v.value(),
            )?));
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// One album by id.
    pub fn get_album(&self, album_id: &str) -> Result<Album> {
        ids::validate(IdKind::Album, album_id)?;
        let txn = self.begin_read()?;
        let mut tally = Tally::default();
        let key = lookup_u32(&txn.open_table(tables::ALBUM_IDS)?, album_id)?
            .ok_or_else(|| Error::not_found("album", album_id))?;
        let rec: AlbumRecord =
            records::load_u32(&txn.open_table(tables::ALBUMS)?, key, "album", &mut tally)?;
        let lib: LibraryRecord = records::load_u32(
            &txn.open_table(tables::LIBRARIES)?,
            rec.library,
            "library",
            &mut tally,
        )?;
        let count = crate::query::counts::group_count(
            &txn.open_table(tables::LIST_COUNTS)?,
            Group::Album(key),
            State::Live,
        )?;
        Ok(records::album_public(&rec, &lib.id, count))
    }

    /// One person by id, with the maintained `asset_count`.
    pub fn get_person(&self, person_id: &str) -> Result<Person> {
        ids::validate(IdKind::Person, person_id)?;
        let txn = self.begin_read()?;
        let key = lookup_u32(&txn.open_table(tables::PERSON_IDS)?, person_id)?
            .ok_or_else(|| Error::not_found("person", person_id))?;
        let rec = records::load_u32(
            &txn.open_table(tables::PEOPLE)?,
            key,
            "person",
            &mut Tally::default(),
        )?;
        Ok(records::person_public(&rec))
    }

    /// One page in one read transaction. `start` overrides `starting_after_id` (iterators).
    pub(crate) fn page(
        &self,
        q: &ListAssets,
        start: Option<Start>,
        limit: usize,
    ) -> Result<RawPage> {
        let (txn, view) = self.begin_read_cached()?;
        let mut tally = Tally::default();
        let result = self.page_in(&txn, view, q, start, limit, &mut tally);
        self.stats.add(&tally);
        result.map_err(|e| e.at(self.path()))
    }

    /// What a list query names, resolved in one snapshot: the library (None when the
    /// catalogue has none, or when the album belongs to another library than the one asked
    /// for: the query then matches nothing), the album, the person and the start.
    pub(crate) fn resolve(
        txn: &Snapshot,
        q: &ListAssets,
        start: Option<Start>,
        tally: &mut Tally,
    ) -> Result<Option<Resolved>> {
        let album = match &q.album_id {
            Some(id) => {
                let key = lookup_u32(txn.album_ids()?, id)?
                    .ok_or_else(|| Error::not_found("album", id.as_str()))?;
                let rec: AlbumRecord = records::load_u32(txn.albums()?, key, "album", tally)?;
                Some((key, rec))
            }
            None => None,
        };
        let person = match &q.person_id {
            Some(id) => Some(
                lookup_u32(txn.person_ids()?, id)?
                    .ok_or_else(|| Error::not_found("person", id.as_str()))?,
            ),
            None => None,
        };
        let library = match (&q.library_id, &album) {
            (None, Some((_, a))) => {
                let rec: LibraryRecord =
                    records::load_u32(txn.libraries()?, a.library, "library", tally)?;
                Some((a.library, rec))
            }
            (id, _) => records::resolve_library(
                txn.library_ids()?,
                txn.libraries()?,
                id.as_deref(),
                tally,
            )?,
        };
        let start = match start {
            Some(s) => s,
            None => match &q.starting_after_id {
                None => Start::Top,
                Some(id) => {
                    // The cursor's position is one index read: the asset's place holds its
                    // time and `trashed_at`; its record is not read.
                    let place = places::get(txn.places()?, id)?
                        .ok_or_else(|| Error::not_found("asset", id.as_str()))?;
                    Start::After(cursor::position_of(
                        id,
                        place.local,
                        place.trashed_at,
                        q.state,
                    )?)
                }
            },
        };
        let Some((lib_key, lib)) = library else {
            return Ok(None);
        };
        if album.as_ref().is_some_and(|(_, a)| a.library != lib_key) {
            return Ok(None);
        }
        let mut groups = Vec::with_capacity(2);
        if let Some((a, _)) = &album {
            groups.push(Group::Album(*a));
        }
        if let Some(p) = person {
            groups.push(Group::Person {
                person: p,
                library: lib_key,
            });
        }
        if groups.is_empty() {
            groups.push(Group::Library(lib_key));
        }
        Ok(Some(Resolved {
            lib_key,
            lib,
            album: album.map(|(k, _)| k),
            person,
            groups,
            start,
            filter: TimeFilter {
                after: q.local_datetime_after.map(TimeBound::new),
                before: q.local_datetime_before.map(TimeBound::new),
            },
        }))
    }

    /// Whether the record of asset `key` (its [`IdsFacts`]) matches the filters of `q` other
    /// than `ids` and the start: the rule the `ids` path applies record by record.
    pub(crate) fn matches_record(
        txn: &ReadTransaction,
        q: &ListAssets,
        r: &Resolved,
        key: u64,
        rec: &IdsFacts<'_>,
    ) -> Result<bool> {
        let state_ok = match q.state {
            State::Live => rec.trashed_at.is_none(),
            State::Trashed => rec.trashed_at.is_some(),
            State::All => true,
        };
        if !(state_ok
            && rec.listed
            && rec.library == r.lib_key
            && rec.has_person
            && r.filter.matches(rec.local, rec.offset))
        {
            return Ok(false);
        }
        Ok(match r.album {
            Some(a) => txn
                .open_table(tables::ASSET_ALBUMS)?
                .get((key, a))?
                .is_some(),
            None => true,
        })
    }

    /// The entries of one page in list order, after `r.start`: (position, asset key, the
    /// record when the `ids` path already read it), at most `limit`, and whether more follow.
    /// The last entry always carries its position (see [`Hit`]). The `ids` path reads each
    /// record to match it, once: as an owned record kept in its hit for [`Keep::Records`],
    /// else in place (an owned decode would be an allocation per string), its stored bytes
    /// handed to the caller for [`Keep::Stored`] (the JSON path) or dropped.
    pub(crate) fn hits<'t>(
        txn: &'t Snapshot,
        q: &ListAssets,
        r: &Resolved,
        limit: usize,
        mut keep: Keep<'_, 't>,
        tally: &mut Tally,
    ) -> Result<(Vec<Hit>, bool)> {
        let mut hits: Vec<Hit> = Vec::with_capacity(limit.saturating_add(1).min(1 << 16));
        if let Some(ids_filter) = &q.ids {
            let assets = txn.assets()?;
            let asset_places = txn.places()?;
            let mut seen = HashSet::new();
            for id in ids_filter {
                if !seen.insert(id.as_str()) {
                    continue;
                }
                let Some(key) = places::key(asset_places, id)? else {
                    continue;
                };
                let (mut kept, mut guard) = (None, None);
                let stored;
                let facts = if let Keep::Records = keep {
                    let rec = kept.insert(records::load_asset(assets, key, tally)?);
                    IdsFacts::of_record(rec, r.person)
                } else {
                    let g = guard.insert(records::stored_asset(assets, key, tally)?);
                    stored = AssetRef::parse(g.value())?;
                    IdsFacts::of_stored(&stored, r.person)
                };
                if !Catalog::matches_record(txn, q, r, key, &facts)? {
                    continue;
                }
                let pos = cursor::position_of(facts.id, facts.local, facts.trashed_at, q.state)?;
                if let Start::After(s) = &r.start {
                    if pos >= *s {
                        continue;
                    }
                }
                if let (Keep::Stored(out), Some(g)) = (&mut keep, guard) {
                    out.push((key, g));
                }
                hits.push((pos, key, kept.map(Box::new)));
            }
            hits.sort_by(|a, b| b.0.cmp(&a.0));
            hits.truncate(limit.saturating_add(1));
        } else {
            // Only the last entry's position is kept (the next step starts after it): a
            // whole-library read steps millions of entries, and a copy each is an allocation.
            let mut s = plan::stream(txn.list_index()?, &r.groups, q.state, r.filter, &r.start)?;
            let mut last = Vec::new();
            while hits.len() < limit {
                let Some(e) = s.head() else { break };
                last.clear();
                last.extend_from_slice(&e.pos);
                hits.push((Vec::new(), e.value.asset, None));
                s.advance()?;
            }
            let has_more = hits.len() == limit && s.head().is_some();
            s.tally(tally);
            if let Some(h) = hits.last_mut() {
                h.0 = last;
            }
            return Ok((hits, has_more));
        }
        let has_more = hits.len() > limit;
        hits.truncate(limit);
        Ok((hits, has_more))
    }

    fn page_in(
        &self,
        txn: &Snapshot,
        view: Option<View<'_>>,
        q: &ListAssets,
        start: Option<Start>,
        limit: usize,
        tally: &mut Tally,
    ) -> Result<RawPage> {
        let Some(r) = Catalog::resolve(txn, q, start, tally)? else {
            return Ok(RawPage {
                data: Vec::new(),
                has_more: false,
                last: None,
            });
        };
        let assets = txn.assets()?;
        let (hits, has_more) = Catalog::hits(txn, q, &r, limit, Keep::Records, tally)?;
        let people = txn.people()?;
        let mut cache = PeopleCache::shared(view);
        let mut data = Vec::with_capacity(hits.len());
        let last = hits.last().map(|h| h.0.clone());
        for (_, key, rec) in hits {
            let rec = match rec {
                Some(r) => *r,
                None => records::load_asset(assets, key, tally)?,
            };
            data.push(records::asset_public(
                rec, &r.lib.id, people, &mut cache, tally,
            )?);
        }
        Ok(RawPage {
            data,
            has_more,
            last,
        })
    }
}

/// The walk of an iterator over a list query (the Rust [`AssetIter`] and the Python
/// `AssetIterator`): the query, the page size, and where the next page starts. Each step reads
/// one page in its own snapshot, strictly after the position of the last asset of the
/// previous page (not its id: the walk survives that asset being changed or deleted).
#[derive(Debug, Clone)]
pub(crate) struct Pages {
    query: ListAssets,
    page_size: u32,
    next: Option<Start>,
    done: bool,
}

impl Pages {
    /// A walk from the query's start (`starting_after_id`, else the top). Checks every
    /// parameter (`page_size` 1 to 200) without touching storage.
    pub(crate) fn new(query: ListAssets, page_size: u32) -> Result<Pages> {
        check_limit("page_size", page_size)?;
        query.validate()?;
        Ok(Pages {
            query,
            page_size,
            next: None,
            done: false,
        })
    }

    /// True once the last page was read (or a step failed): the next step returns nothing.
    pub(crate) fn is_done(&self) -> bool {
        self.done
    }

    /// The next page's assets (none once the walk is over; a page is never empty before).
    /// An error ends the walk.
    pub(crate) fn next_page(&mut self, cat: &Catalog) -> Result<Vec<Asset>> {
        if self.done {
            return Ok(Vec::new());
        }
        let page = match cat.page(&self.query, self.next.take(), self.page_size as usize) {
            Ok(page) => page,
            Err(e) => {
                self.done = true;
                return Err(e);
            }
        };
        match page.last {
            Some(last) if page.has_more => self.next = Some(Start::After(last)),
            _ => self.done = true,
        }
        Ok(page.data)
    }
}

/// The iterator of [`Catalog::iter_assets`]: yields assets, fetching a page at a time.
pub struct AssetIter<'c> {
    cat: &'c Catalog,
    pages: Pages,
    buffer: VecDeque<Asset>,
}

impl Iterator for AssetIter<'_> {
    type Item = Result<Asset>;

    fn next(&mut self) -> Option<Result<Asset>> {
        if self.buffer.is_empty() && !self.pages.is_done() {
            match self.pages.next_page(self.cat) {
                Ok(data) => self.buffer.extend(data),
                Err(e) => return Some(Err(e)),
            }
        }
        self.buffer.pop_front().map(Ok)
    }
}

/// The default `page_size` of iterators: the Python `Catalog.iter_assets`'s (whose signature
/// spells it out, checked against this constant).
pub const DEFAULT_PAGE_SIZE: u32 = 200;
