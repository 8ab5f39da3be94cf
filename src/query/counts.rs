//! Counts and listings that are read, not counted: `count_assets`, `list_albums`,
//! `list_people` and the catalogue `summary`. Totals come from the maintained entry counts of
//! the list index (`tables::LIST_COUNTS`, updated by every write in its own transaction);
//! only filters that no maintained count answers (time bounds, album and person together, a
//! cursor, `ids`) walk index entries, and even then no asset record is read (but for `ids`,
//! at most 100 records).

use redb::{ReadableTable, ReadableTableMetadata};

use crate::catalog::{Catalog, Tally};
use crate::error::{Error, Result};
use crate::ids::{self, IdKind};
use crate::model::{Album, Library, Person};
use crate::query::cursor::Start;
use crate::query::list::Keep;
use crate::query::{plan, ListAssets, State, DEFAULT_LIMIT, MAX_IDS};
use crate::records::{self, lookup_u32};
use crate::snapshot::Snapshot;
use crate::storage::codec::{self, AlbumRecord, LibraryRecord, PersonRecord};
use crate::storage::keys::{self, Group, Part};
use crate::storage::tables;

/// A catalogue at a glance (what `photocat info` prints).
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The format version of the file.
    pub format_version: u32,
    /// The file's size in bytes (None for in-memory catalogues).
    pub file_size_bytes: Option<u64>,
    /// Every library with its counts, by id.
    pub libraries: Vec<LibrarySummary>,
    /// Albums in all libraries.
    pub albums: u64,
    /// People.
    pub people: u64,
}

/// One library's counts in a [`Summary`].
#[derive(Debug, Clone, PartialEq)]
pub struct LibrarySummary {
    /// The library.
    pub library: Library,
    /// Live (not trashed) assets that lists show (timeline and archive).
    pub live: u64,
    /// Trashed assets that lists show.
    pub trashed: u64,
    /// Albums of the library.
    pub albums: u64,
}

/// The maintained number of entries a group holds in `state`: one or two point reads.
pub(crate) fn group_count(
    counts: &impl ReadableTable<&'static [u8], u64>,
    group: Group,
    state: State,
) -> Result<u64> {
    let parts: &[Part] = match state {
        State::Live => &[Part::Live],
        State::Trashed => &[Part::TrashedByTrashedAt],
        State::All => &[Part::Live, Part::TrashedByLocal],
    };
    let mut n = 0;
    for &part in parts {
        n += counts
            .get(keys::prefix(group, part).as_slice())?
            .map_or(0, |v| v.value());
    }
    Ok(n)
}

impl Catalog {
    /// The exact number of assets [`Catalog::list_assets`] would return for `query` over all
    /// its pages (`limit` is ignored; `starting_after_id` counts what follows the cursor).
    ///
    /// Cost: a library, an album or a person alone (in any `state`) is answered by the
    /// maintained counts, one or two point reads whatever the library's size; with time bounds
    /// (state live or all) by the maintained day counts of the days inside the bounds plus the
    /// index entries of the edge days; album and person together (live, undated) by
    /// intersecting their posting bitmaps. Other combinations with album and person, trashed
    /// with time bounds, or a cursor walk the matching index entries (no asset record is
    /// read); `ids` reads those records in place (at most 100).
    ///
    /// ```
    /// # fn main() -> photocat::Result<()> {
    /// use photocat::{AddAssets, Catalog, ListAssets, NewAsset, State};
    /// let cat = Catalog::in_memory()?;
    /// let added = cat.add_assets(vec![NewAsset::default(); 3], AddAssets::default())?;
    /// cat.trash_assets(&[&added[0].id])?;
    /// assert_eq!(cat.count_assets(&ListAssets::default())?, 2);
    /// let trashed = ListAssets { state: State::Trashed, ..Default::default() };
    /// assert_eq!(cat.count_assets(&trashed)?, 1);
    /// # Ok(()) }
    /// ```
    pub fn count_assets(&self, query: &ListAssets) -> Result<u64> {
        let query = ListAssets {
            limit: DEFAULT_LIMIT,
            ..query.clone()
        };
        query.validate()?;
        let txn = Snapshot::of(self.begin_read()?);
        let mut tally = Tally::default();
        let result = self.count_in(&txn, &query, &mut tally);
        self.stats.add(&tally);
        result.map_err(|e| e.at(self.path()))
    }

    fn count_in(&self, txn: &Snapshot, q: &ListAssets, tally: &mut Tally) -> Result<u64> {
        let Some(r) = Catalog::resolve(txn, q, None, tally)? else {
            return Ok(0);
        };
        if q.ids.is_some() {
            // At most MAX_IDS records: the page's own matching (`Catalog::hits`), each record
            // read in place, no `Asset` built.
            return Ok(
                Catalog::hits(txn, q, &r, MAX_IDS + 1, Keep::Nothing, tally)?
                    .0
                    .len() as u64,
            );
        }
        let counted = r.groups.len() == 1
            && matches!(r.start, Start::Top)
            && r.filter.after.is_none()
            && r.filter.before.is_none();
        if counted {
            return group_count(&txn.open_table(tables::LIST_COUNTS)?, r.groups[0], q.state);
        }
        let undated = r.filter.after.is_none() && r.filter.before.is_none();
        if r.groups.len() > 1 && matches!(r.start, Start::Top) && undated && q.state == State::Live
        {
            // Album and person, live: the posting bitmaps' intersection.
            let table = crate::query::postings::open(txn)?;
            let sets = r
                .groups
                .iter()
                .map(|&g| crate::query::postings::GroupSet::load(&table, g, tally))
                .collect::<Result<Vec<_>>>()?;
            return Ok(crate::query::postings::intersection_len(&sets));
        }
        let index = txn.open_table(tables::LIST_INDEX)?;
        if let ([group], Start::Top, State::Live | State::All) = (&r.groups[..], &r.start, q.state)
        {
            // Dated, one group, ordered by local time: day counts plus the edge days.
            let days = crate::query::days::open(txn)?;
            let mut n = 0;
            for part in match q.state {
                State::All => &[Part::Live, Part::TrashedByLocal][..],
                _ => &[Part::Live][..],
            } {
                n += crate::query::days::count_bounded(
                    &index, &days, *group, *part, &r.filter, tally,
                )?;
            }
            return Ok(n);
        }
        let mut s = plan::stream(&index, &r.groups, q.state, r.filter, &r.start)?;
        let mut n = 0u64;
        while s.head().is_some() {
            n += 1;
            s.advance()?;
        }
        s.tally(tally);
        Ok(n)
    }

    /// Every album, or those of one library, oldest first (by creation time, then id), each
    /// with its maintained live `asset_count`. `library_id` that does not exist is
    /// `NotFound`; None means every library (unlike lists, it never needs a library named).
    ///
    /// ```
    /// # fn main() -> photocat::Result<()> {
    /// use photocat::{Catalog, NewAlbum};
    /// let cat = Catalog::in_memory()?;
    /// cat.create_album(NewAlbum { name: "Trip".into(), ..Default::default() })?;
    /// let albums = cat.list_albums(None)?;
    /// assert_eq!((albums[0].name.as_str(), albums[0].asset_count), ("Trip", 0));
    /// # Ok(()) }
    /// ```
    pub fn list_albums(&self, library_id: Option<&str>) -> Result<Vec<Album>> {
        if let Some(id) = library_id {
            ids::validate(IdKind::Library, id)?;
        }
        let txn = self.begin_read()?;
        let lib_ids = txn.open_table(tables::LIBRARY_IDS)?;
        let only = match library_id {
            Some(id) => {
                Some(lookup_u32(&lib_ids, id)?.ok_or_else(|| Error::not_found("library", id))?)
            }
            None => None,
        };
        let libs = library_records(&txn)?;
        let counts = txn.open_table(tables::LIST_COUNTS)?;
        let mut out = Vec::new();
        for row in txn.open_table(tables::ALBUMS)?.iter()? {
            let (k, v) = row?;
            let rec: AlbumRecord = codec::decode(v.value())?;
            if only.is_some_and(|l| l != rec.library) {
                continue;
            }
            let lib = libs
                .iter()
                .find(|(key, _)| *key == rec.library)
                .map(|(_, l)| l.id.as_str())
                .ok_or_else(|| {
                    Error::Corrupt(format!("album {} names a missing library", rec.id))
                })?;
            let n = group_count(&counts, Group::Album(k.value()), State::Live)?;
            out.push(records::album_public(&rec, lib, n));
        }
        out.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(out)
    }

    /// Every person, most assets first (ties by id), with the maintained `asset_count` (live
    /// assets).
    ///
    /// ```
    /// # fn main() -> photocat::Result<()> {
    /// use photocat::{Catalog, NewPerson};
    /// let cat = Catalog::in_memory()?;
    /// cat.create_person(NewPerson { name: Some("Ann".into()), ..Default::default() })?;
    /// assert_eq!(cat.list_people()?[0].name.as_deref(), Some("Ann"));
    /// # Ok(()) }
    /// ```
    pub fn list_people(&self) -> Result<Vec<Person>> {
        let txn = self.begin_read()?;
        let mut out = Vec::new();
        for row in txn.open_table(tables::PEOPLE)?.iter()? {
            let (_, v) = row?;
            let rec: PersonRecord = codec::decode(v.value())?;
            out.push(records::person_public(&rec));
        }
        out.sort_by(|a, b| b.asset_count.cmp(&a.asset_count).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    /// The catalogue at a glance: format, file size, each library's live and trashed counts
    /// and albums, and the numbers of albums and people. Asset figures are maintained counts
    /// (no asset or index entry is read); albums per library take one pass over the album
    /// records, which are few.
    ///
    /// ```
    /// # fn main() -> photocat::Result<()> {
    /// use photocat::{AddAssets, Catalog, NewAsset};
    /// let cat = Catalog::in_memory()?;
    /// cat.add_assets(vec![NewAsset::default(); 2], AddAssets::default())?;
    /// let s = cat.summary()?;
    /// assert_eq!((s.libraries.len(), s.libraries[0].live, s.albums), (1, 2, 0));
    /// # Ok(()) }
    /// ```
    pub fn summary(&self) -> Result<Summary> {
        let txn = self.begin_read()?;
        let counts = txn.open_table(tables::LIST_COUNTS)?;
        let albums_t = txn.open_table(tables::ALBUMS)?;
        let mut per_library = std::collections::HashMap::<u32, u64>::new();
        for row in albums_t.iter()? {
            let (_, v) = row?;
            let rec: AlbumRecord = codec::decode(v.value())?;
            *per_library.entry(rec.library).or_default() += 1;
        }
        let mut libraries = Vec::new();
        for (key, rec) in library_records(&txn)? {
            let g = Group::Library(key);
            libraries.push(LibrarySummary {
                library: records::library_public(&rec),
                live: group_count(&counts, g, State::Live)?,
                trashed: group_count(&counts, g, State::Trashed)?,
                albums: per_library.get(&key).copied().unwrap_or(0),
            });
        }
        libraries.sort_by(|a, b| a.library.id.cmp(&b.library.id));
        let file_size_bytes = match self.path() {
            Some(p) => Some(std::fs::metadata(p).map_err(|e| Error::io(p, e))?.len()),
            None => None,
        };
        Ok(Summary {
            format_version: crate::storage::FORMAT_VERSION,
            file_size_bytes,
            libraries,
            albums: albums_t.len()?,
            people: txn.open_table(tables::PEOPLE)?.len()?,
        })
    }
}

/// Every library record with its key.
fn library_records(txn: &redb::ReadTransaction) -> Result<Vec<(u32, LibraryRecord)>> {
    let mut out = Vec::new();
    for row in txn.open_table(tables::LIBRARIES)?.iter()? {
        let (k, v) = row?;
        out.push((k.value(), codec::decode(v.value())?));
    }
    Ok(out)
}
