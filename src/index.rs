//! Secondary-index maintenance. Every write computes the entries an asset record implies
//! before and after the change and applies the difference in the same transaction: list-index
//! entries, person-to-asset links, album membership rows, people's live-asset counters, and
//! the entry count of every list-index range (`list_counts`: the totals `count_assets` and the
//! summary read) and of every day of it (`day_counts`: time buckets), the search facets'
//! entries (with their interned values) and the text column of substring search.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use redb::{ReadableTable, Table};
use roaring::RoaringBitmap;

use crate::error::{Error, Result};
use crate::facets::{self, TextField, TextRow};
use crate::immich_index::ImmichTables;
use crate::storage::codec::{self, AssetRecord, PersonRecord};
use crate::storage::keys::{self, EntryValue, Group, Part};
use crate::storage::places::{self, Place};
use crate::storage::queue::{Change, Queue, QUEUE_BYTES};
use crate::storage::tables;

/// The list-index entries an asset in `albums` with the facet groups `facets` implies: one per
/// (group, part). Hidden and locked assets have none (they never appear in lists); facet groups
/// hold live assets only (search reads nothing else).
pub(crate) fn list_entries(
    key: u64,
    rec: &AssetRecord,
    albums: &[u32],
    facets: &[Group],
) -> BTreeMap<Vec<u8>, Vec<u8>> {
    let mut groups = Vec::with_capacity(1 + albums.len() + rec.faces.len() + facets.len());
    push_groups(
        &mut groups,
        rec,
        &rec.people(),
        albums,
        facets.iter().copied(),
    );
    group_entries(key, &Placement::of(key, rec), groups)
}

/// Appends the list-index groups of asset `rec` whose people are `people`, in `albums`, with
/// the facet groups `facets`: its library, albums and people, and the facets while it is live
/// (search reads live assets only).
fn push_groups(
    out: &mut Vec<Group>,
    rec: &AssetRecord,
    people: &[u32],
    albums: &[u32],
    facets: impl IntoIterator<Item = Group>,
) {
    out.push(Group::Library(rec.library));
    out.extend(albums.iter().map(|&a| Group::Album(a)));
    out.extend(people.iter().map(|&person| Group::Person {
        person,
        library: rec.library,
    }));
    if rec.trashed_at.is_none() {
        out.extend(facets);
    }
}

/// What places an asset in the list index: its id and its [`Place`] (key, library, time,
/// offset, trash, listing), derived from an owned record ([`Placement::of`]) or read from the
/// stored places (album links).
#[derive(PartialEq)]
pub(crate) struct Placement<'a> {
    pub id: &'a str,
    pub place: Place,
}

impl<'a> Placement<'a> {
    /// The placement of asset `key` whose record is `rec`.
    pub(crate) fn of(key: u64, rec: &'a AssetRecord) -> Self {
        Placement {
            id: &rec.id,
            place: Place::of(key, rec),
        }
    }
}

/// The entries of the asset placed at `rec` in the given groups.
fn group_entries(
    key: u64,
    rec: &Placement<'_>,
    groups: impl IntoIterator<Item = Group>,
) -> BTreeMap<Vec<u8>, Vec<u8>> {
    let mut out = BTreeMap::new();
    each_entry(key, rec, groups, |g, part, time, value| {
        out.insert(
            keys::key(g, part, time, rec.id),
            keys::encode_value(part, value),
        );
    });
    out
}

/// Album links to write together ([`IndexTables::apply_album_links`]): the `asset_albums`
/// pairs and the album entries of the list index each one implies, in one buffer (an
/// allocation per entry was a tenth of a large call).
#[derive(Default)]
pub(crate) struct AlbumLinks {
    pairs: Vec<(u64, u32)>,
    bytes: Vec<u8>,
    /// Each entry: where its key starts in `bytes`, the key's length, the value's (which
    /// follows the key) and the index of its pair.
    entries: Vec<LinkEntry>,
}

#[derive(Default, Clone, Copy)]
struct LinkEntry {
    start: usize,
    key_len: u16,
    value_len: u16,
    pair: u32,
}

impl LinkEntry {
    fn key<'b>(&self, bytes: &'b [u8]) -> &'b [u8] {
        &bytes[self.start..self.start + usize::from(self.key_len)]
    }

    fn value<'b>(&self, bytes: &'b [u8]) -> &'b [u8] {
        let from = self.start + usize::from(self.key_len);
        &bytes[from..from + usize::from(self.value_len)]
    }
}

impl AlbumLinks {
    /// Adds the link of asset `key`, placed at `rec`, and album `album`. Pairs pushed in key
    /// order are written in one pass over `asset_albums`.
    pub(crate) fn push(&mut self, key: u64, rec: &Placement<'_>, album: u32) {
        let pair = self.pairs.len() as u32;
        self.pairs.push((key, album));
        let (bytes, entries) = (&mut self.bytes, &mut self.entries);
        each_entry(key, rec, [Group::Album(album)], |g, part, time, value| {
            let start = bytes.len();
            keys::write_key(bytes, g, part, time, rec.id);
            let key_len = bytes.len() - start;
            keys::write_value(bytes, part, value);
            entries.push(LinkEntry {
                start,
                // A key is a 14-byte prefix and time plus an id of at most `MAX_ID_LEN` (128) bytes
                // (`ids::validate`), a value at most 20 bytes.
                key_len: key_len as u16,
                value_len: (bytes.len() - start - key_len) as u16,
                pair,
            });
        });
    }
}

/// Calls `f(group, part, time, value)` for each entry of the asset placed at `rec` in the
/// given groups: one per group and part, none when the asset is not listed.
fn each_entry(
    key: u64,
    rec: &Placement<'_>,
    groups: impl IntoIterator<Item = Group>,
    mut f: impl FnMut(Group, Part, i64, &EntryValue),
) {
    let p = &rec.place;
    if !p.listed {
        return;
    }
    let value = EntryValue {
        asset: key,
        offset: p.offset,
        local: p.local,
    };
    let parts: &[(Part, i64)] = match p.trashed_at {
        None => &[(Part::Live, p.local)],
        Some(t) => &[
            (Part::TrashedByLocal, p.local),
            (Part::TrashedByTrashedAt, t),
        ],
    };
    for g in groups {
        for &(part, time) in parts {
            f(g, part, time, &value);
        }
    }
}

/// Whether two versions of asset `key`'s record have the same list-index groups but for their
/// people: the same placement (id, library, time, offset, trash, visibility) and facet values.
fn same_groups_but_people(key: u64, old: &AssetRecord, new: &AssetRecord) -> bool {
    Placement::of(key, old) == Placement::of(key, new) && facets::values(old) == facets::values(new)
}

/// The people an asset counts for: its distinct people while it is live.
fn counted_people(rec: Option<&AssetRecord>) -> Vec<u32> {
    match rec {
        Some(r) if r.trashed_at.is_none() => r.people(),
        _ => Vec::new(),
    }
}

/// The open tables a record change touches.
///
/// Counter changes are accumulated and written once by [`IndexTables::finish`], so a bulk write
/// rewrites each person record once, not once per asset.
pub(crate) struct IndexTables<'t> {
    list: Table<'t, &'static [u8], &'static [u8]>,
    /// The tables below marked lazy are opened by their first use ([`Lazy`]): album links,
    /// for one, touch five of the index's sixteen tables.
    person_assets: Lazy<'t, (u32, u64), ()>,
    people: Lazy<'t, u32, &'static [u8]>,
    asset_albums: Table<'t, (u64, u32), ()>,
    counts: Table<'t, &'static [u8], u64>,
    /// Day counts (format 4).
    days: Table<'t, &'static [u8], u64>,
    /// Interned facet values (format 4); lazy.
    facet_values: Lazy<'t, &'static [u8], u32>,
    /// The text column (format 4); lazy.
    text: Lazy<'t, &'static [u8], &'static [u8]>,
    /// Facet values read or interned by this write.
    facet_cache: HashMap<Vec<u8>, u32>,
    /// The next facet value key, once read.
    next_facet: Option<u32>,
    /// Day-count changes of `prefix | day` keys (a key may repeat: the changes add up),
    /// written by [`IndexTables::finish`].
    pending_days: Vec<(SmallKey, i64)>,
    /// Text-column changes per block: (asset key, its new row or None), in order.
    pending_text: BTreeMap<[u8; 13], Vec<(u64, Option<TextRow>)>>,
    /// Posting bitmaps (format 4).
    postings: Table<'t, &'static [u8], &'static [u8]>,
    /// Posting changes per `prefix | block` key: (low 16 bits of the asset key, added), in order.
    pending_postings: HashMap<Vec<u8>, Vec<(u16, bool)>>,
    /// The Immich-side indexes (format 3), opened by their first use ([`IndexTables::immich`]).
    immich: Option<ImmichTables<'t>>,
    /// The write transaction, for the tables opened on first use.
    txn: &'t redb::WriteTransaction,
    /// The asset places (format 6), opened by the first change of a place: a write that
    /// never moves an asset (a bulk insert, album links, faces) may hold the table itself.
    places: Option<Table<'t, &'static str, &'static places::Bytes>>,
    pending: HashMap<u32, i64>,
    /// Entry-count changes per `group | part` prefix, written by [`IndexTables::finish`].
    pending_counts: HashMap<Vec<u8>, i64>,
    /// List-index inserts and removals of [`IndexTables::apply`], in call order, written in
    /// key order by [`IndexTables::flush_queues`].
    pending_list: Queue,
    /// Person links of [`IndexTables::apply`] (true: added), in call order, written in key
    /// order by [`IndexTables::flush_queues`].
    pending_links: Vec<((u32, u64), bool)>,
}

impl<'t> IndexTables<'t> {
    pub(crate) fn open(txn: &'t redb::WriteTransaction) -> Result<Self> {
        Ok(IndexTables {
            list: txn.open_table(crate::storage::tables::LIST_INDEX)?,
            person_assets: Lazy::new(crate::storage::tables::PERSON_ASSETS),
            people: Lazy::new(crate::storage::tables::PEOPLE),
            asset_albums: txn.open_table(crate::storage::tables::ASSET_ALBUMS)?,
            counts: txn.open_table(crate::storage::tables::LIST_COUNTS)?,
            days: txn.open_table(tables::DAY_COUNTS)?,
            facet_values: Lazy::new(tables::FACET_VALUES),
            text: Lazy::new(tables::TEXT_COLUMN),
            facet_cache: HashMap::new(),
            next_facet: None,
            pending_days: Vec::new(),
            pending_text: BTreeMap::new(),
            postings: txn.open_table(tables::POSTINGS)?,
            pending_postings: HashMap::new(),
            immich: None,
            txn,
            places: None,
            pending: HashMap::new(),
            pending_counts: HashMap::new(),
            pending_list: Queue::default(),
            pending_links: Vec::new(),
        })
    }

    /// Opens the tables, moves one asset's entries and counters, and finishes.
    pub(crate) fn update(
        txn: &'t redb::WriteTransaction,
        key: u64,
        old: Option<&AssetRecord>,
        new: Option<&AssetRecord>,
    ) -> Result<()> {
        let mut idx = IndexTables::open(txn)?;
        idx.apply(key, old, new)?;
        idx.finish()
    }

    /// Writes the accumulated counter changes. Every user of `apply` must call it.
    ///
    /// Each table is written by one thread, in key order (neighbouring B-tree updates touch the
    /// same pages); the tables are written concurrently (redb writes separate tables of one
    /// transaction from several threads), and the posting bitmaps and text blocks are decoded,
    /// changed and encoded on every core. A small write (fewer than [`crate::par::MIN_ROWS`]
    /// rows of work, [`finish_work`]) runs the same steps one after the other on this thread.
    pub(crate) fn finish(mut self) -> Result<()> {
        self.flush_queues()?;
        let immich = self.immich.take();
        // The lazy tables with work left are opened here, before the threads.
        let txn = self.txn;
        let mut people = if self.pending.values().any(|&d| d != 0) {
            Some(self.people.take(txn)?)
        } else {
            None
        };
        let mut facet_values = if self.next_facet.is_some() {
            Some(self.facet_values.take(txn)?)
        } else {
            None
        };
        let mut text = if self.pending_text.is_empty() {
            None
        } else {
            Some(self.text.take(txn)?)
        };
        let IndexTables {
            mut counts,
            mut days,
            mut postings,
            next_facet,
            pending,
            pending_counts,
            pending_days,
            pending_text,
            pending_postings,
            ..
        } = self;
        let parallel = crate::par::parallel(finish_work(
            &pending_counts,
            &pending_days,
            &pending_postings,
            &pending_text,
        ));
        let mut done: [Result<()>; 7] = std::array::from_fn(|_| Ok(()));
        let [r_immich, r_people, r_counts, r_days, r_facet, r_postings, r_text] = &mut done;
        let mut tasks: Vec<crate::par::Task<'_>> = Vec::with_capacity(7);
        tasks.push(Box::new(|| {
            *r_immich = immich.map_or(Ok(()), ImmichTables::finish);
        }));
        if let Some(people) = &mut people {
            tasks.push(Box::new(|| *r_people = bump_people(people, pending)));
        }
        tasks.push(Box::new(|| {
            *r_counts = write_counts(
                &mut counts,
                pending_counts
                    .into_iter()
                    .map(|(k, d)| (SmallKey::from(k), d))
                    .collect(),
            );
        }));
        tasks.push(Box::new(|| *r_days = write_counts(&mut days, pending_days)));
        if let (Some(facet_values), Some(next)) = (&mut facet_values, next_facet) {
            tasks.push(Box::new(move || {
                *r_facet = facet_values
                    .insert(facets::NEXT_VALUE_KEY, next)
                    .map(drop)
                    .map_err(Into::into);
            }));
        }
        tasks.push(Box::new(|| {
            *r_postings = write_postings(&mut postings, pending_postings, parallel);
        }));
        if let Some(text) = &mut text {
            tasks.push(Box::new(|| {
                *r_text = write_text(text, pending_text, parallel)
            }));
        }
        crate::par::run(tasks, parallel);
        Error::first_of(done)
    }

    /// The facet groups of a record (none unless it is live and listed). With `intern`, values
    /// seen for the first time get a key; without, a value never interned has no group (its
    /// entries cannot exist).
    pub(crate) fn facet_groups(&mut self, rec: &AssetRecord, intern: bool) -> Result<Vec<Group>> {
        let mut out = Vec::with_capacity(10);
        for (field, k) in facet_keys(rec) {
            if let Some(v) = self.facet_value(k, intern)? {
                out.push(facets::group(rec.library, field, v));
            }
        }
        Ok(out)
    }

    /// The interned key of a facet value (`facet_values` key `k`): this write's, else the
    /// stored one; a value never interned gets the next key with `intern`, else has none.
    fn facet_value(&mut self, k: Vec<u8>, intern: bool) -> Result<Option<u32>> {
        if let Some(&v) = self.facet_cache.get(&k) {
            return Ok(Some(v));
        }
        if let Some(v) = self.stored_facet(&k)? {
            self.facet_cache.insert(k, v);
            return Ok(Some(v));
        }
        if !intern {
            return Ok(None);
        }
        let next = match self.next_facet {
            Some(n) => n,
            None => self
                .facet_values
                .get(self.txn)?
                .get(facets::NEXT_VALUE_KEY)?
                .map_or(0, |g| g.value()),
        };
        let after = next
            .checked_add(1)
            .ok_or_else(|| Error::Corrupt("the facet value keys are exhausted".into()))?;
        self.next_facet = Some(after);
        self.facet_values
            .get(self.txn)?
            .insert(k.as_slice(), next)?;
        self.facet_cache.insert(k, next);
        Ok(Some(next))
    }

    fn stored_facet(&mut self, k: &[u8]) -> Result<Option<u32>> {
        Ok(self.facet_values.get(self.txn)?.get(k)?.map(|g| g.value()))
    }

    /// Queues the text-column rows of asset `key` moving from `old` to `new`.
    fn text_change(&mut self, key: u64, old: Option<&AssetRecord>, new: Option<&AssetRecord>) {
        if let (Some(o), Some(n)) = (old, new) {
            if facets::same_text_rows(o, n) {
                // Faces, people, favourites, tags...: no row moves, and none is folded.
                return;
            }
        }
        for field in TextField::ALL {
            let before = old.and_then(|r| TextRow::of(key, r, field));
            let after = new.and_then(|r| TextRow::of(key, r, field));
            if before == after {
                continue;
            }
            let old_block = old.map(|r| facets::block_key(field, r.library, key));
            let new_block = new.map(|r| facets::block_key(field, r.library, key));
            if let Some(b) = old_block.filter(|b| before.is_some() && Some(*b) != new_block) {
                self.pending_text.entry(b).or_default().push((key, None));
            }
            if let Some(b) = new_block {
                self.pending_text.entry(b).or_default().push((key, after));
            }
        }
    }

    /// Queues a list-index insert; [`IndexTables::flush_list`] counts the entry when it is
    /// new (the count follows the table even if the caller's idea of what exists were wrong).
    fn insert_entry(&mut self, k: &[u8], v: &[u8]) -> Result<()> {
        self.queue_list(Change::Insert, k, v)
    }

    /// Queues a list-index change and writes the queue once it holds [`QUEUE_BYTES`].
    fn queue_list(&mut self, change: Change, k: &[u8], v: &[u8]) -> Result<()> {
        self.pending_list.push(change, k, v);
        if self.pending_list.bytes() >= QUEUE_BYTES {
            self.flush_queues()?;
        }
        Ok(())
    }

    /// Writes the queued list-index changes and person links.
    fn flush_queues(&mut self) -> Result<()> {
        self.flush_list()?;
        self.flush_links()
    }

    /// Writes the queued person links in key order (the changes of one link in the order
    /// queued); runs of additions that fall into one gap of the table (a person's links to a
    /// call's new faces, after its older ones) go through the cursor.
    fn flush_links(&mut self) -> Result<()> {
        let mut links = std::mem::take(&mut self.pending_links);
        if links.is_empty() {
            return Ok(());
        }
        // Stable: the changes of one link keep their order.
        links.sort_by_key(|&(link, _)| link);
        let table = self.person_assets.get(self.txn)?;
        let mut i = 0;
        while i < links.len() {
            if links[i].1 {
                let end = i + links[i..].iter().take_while(|l| l.1).count();
                let run = &links[i..end];
                crate::storage::ascending::insert_ascending(table, run.len(), |j| (run[j].0, ()))?;
                i = end;
            } else {
                table.remove(links[i].0)?;
                i += 1;
            }
        }
        Ok(())
    }

    /// Writes the queued list-index changes in key order (changes of one key in the order
    /// queued), then posts and counts each one's outcome in the order queued: the table, the
    /// counts and the postings end as if each change had been written when it was queued.
    /// Sorted, consecutive changes land in the same B-tree leaf, and a run of inserts that
    /// falls into one gap of the table (a trash part, a new person's group) is spliced in
    /// through the cursor ([`crate::storage::ascending`]).
    fn flush_list(&mut self) -> Result<()> {
        let queue = std::mem::take(&mut self.pending_list);
        if queue.is_empty() {
            return Ok(());
        }
        let out = queue.write(&mut self.list)?;
        for j in 0..queue.len() {
            let (change, k, v) = queue.get(j);
            match change {
                Change::Insert if out.added(j) => self.entry_added(k, v)?,
                Change::Remove => {
                    if let Some(old) = out.removed(j) {
                        self.post(k, old, false)?;
                        self.count(k, -1)?;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Posts and counts a list-index entry that is new in the table (inserted by
    /// [`IndexTables::insert_entry`] or as part of a run).
    fn entry_added(&mut self, k: &[u8], v: &[u8]) -> Result<()> {
        self.post(k, v, true)?;
        self.count(k, 1)
    }

    /// Queues the removal of a list-index entry; [`IndexTables::flush_list`] uncounts it when
    /// it existed.
    fn remove_entry(&mut self, k: &[u8]) -> Result<()> {
        self.queue_list(Change::Remove, k, &[])
    }

    /// Queues the posting change of a live entry added or removed (entries of other parts have
    /// no postings).
    fn post(&mut self, k: &[u8], v: &[u8], add: bool) -> Result<()> {
        let Some(len) = keys::prefix_len(k) else {
            return Err(Error::Corrupt("a list-index key of no known group".into()));
        };
        if k[len - 1] != Part::Live as u8 {
            return Ok(());
        }
        let asset = keys::decode_value(v, 0)
            .ok_or_else(|| Error::Corrupt("short list-index value".into()))?
            .asset;
        let mut pk = [0u8; 16];
        pk[..len].copy_from_slice(&k[..len]);
        pk[len..len + 4].copy_from_slice(&((asset >> 16) as u32).to_be_bytes());
        let pk = &pk[..len + 4];
        let change = (asset as u16, add);
        match self.pending_postings.get_mut(pk) {
            Some(ops) => ops.push(change),
            None => {
                self.pending_postings.insert(pk.to_vec(), vec![change]);
            }
        }
        Ok(())
    }

    fn count(&mut self, k: &[u8], delta: i64) -> Result<()> {
        let len = keys::prefix_len(k)
            .ok_or_else(|| Error::Corrupt("a list-index key of no known group".into()))?;
        match self.pending_counts.get_mut(&k[..len]) {
            Some(d) => *d += delta,
            None => {
                self.pending_counts.insert(k[..len].to_vec(), delta);
            }
        }
        self.count_day(k, delta);
        Ok(())
    }

    /// Counts a list-index entry in its day (entries by `trashed_at` are not counted there).
    fn count_day(&mut self, k: &[u8], delta: i64) {
        let Some((len, day)) = keys::counted_day(k) else {
            return;
        };
        self.pending_days
            .push((SmallKey::day(&k[..len], day), delta));
    }

    /// Moves every index entry and counter of asset `key` from `old` to `new` (None for a
    /// record that does not exist before, or after, the change). The asset's albums are read
    /// from `asset_albums` (membership changes go through [`IndexTables::apply_album_links`]); a
    /// deletion removes the membership rows too.
    pub(crate) fn apply(
        &mut self,
        key: u64,
        old: Option<&AssetRecord>,
        new: Option<&AssetRecord>,
    ) -> Result<()> {
        self.immich()?.apply(key, old, new)?;
        self.place_change(key, old, new)?;
        self.text_change(key, old, new);
        match (old, new) {
            // Only the faces or people changed (`add_faces`, `assign_face`, merges): the
            // entries of every other group are the same before and after, so only the groups
            // of the people who left or joined the asset move.
            (Some(o), Some(n)) if same_groups_but_people(key, o, n) => {
                let (was, is) = (o.people(), n.people());
                let group = |p: &u32| Group::Person {
                    person: *p,
                    library: n.library,
                };
                let place = Placement::of(key, n);
                let gone = group_entries(
                    key,
                    &place,
                    was.iter().filter(|p| !is.contains(p)).map(group),
                );
                for k in gone.keys() {
                    self.remove_entry(k)?;
                }
                let came = group_entries(
                    key,
                    &place,
                    is.iter().filter(|p| !was.contains(p)).map(group),
                );
                for (k, v) in &came {
                    self.insert_entry(k, v)?;
                }
            }
            _ => self.move_entries(key, old, new)?,
        }
        self.move_people(key, old, new)
    }

    /// Moves the list-index entries of asset `key` from `old` to `new`: every group's.
    fn move_entries(
        &mut self,
        key: u64,
        old: Option<&AssetRecord>,
        new: Option<&AssetRecord>,
    ) -> Result<()> {
        let albums = self.albums(key)?;
        let before = match old {
            Some(r) => {
                let facets = self.facet_groups(r, false)?;
                list_entries(key, r, &albums, &facets)
            }
            None => BTreeMap::new(),
        };
        let after = match new {
            Some(r) => {
                let facets = self.facet_groups(r, true)?;
                list_entries(key, r, &albums, &facets)
            }
            None => BTreeMap::new(),
        };
        if new.is_none() {
            for a in &albums {
                self.asset_albums.remove((key, *a))?;
            }
        }
        for k in before.keys() {
            if !after.contains_key(k) {
                self.remove_entry(k)?;
            }
        }
        for (k, v) in &after {
            match before.get(k) {
                Some(old) if old == v => {}
                Some(_) => self.queue_list(Change::Set, k, v)?,
                None => self.insert_entry(k, v)?,
            }
        }
        Ok(())
    }

    /// Moves the person links and live-asset counters of asset `key` from `old` to `new`.
    fn move_people(
        &mut self,
        key: u64,
        old: Option<&AssetRecord>,
        new: Option<&AssetRecord>,
    ) -> Result<()> {
        let old_people = old.map(AssetRecord::people).unwrap_or_default();
        let new_people = new.map(AssetRecord::people).unwrap_or_default();
        for p in &old_people {
            if !new_people.contains(p) {
                self.pending_links.push(((*p, key), false));
            }
        }
        for p in &new_people {
            if !old_people.contains(p) {
                self.pending_links.push(((*p, key), true));
            }
        }

        for p in counted_people(old) {
            *self.pending.entry(p).or_default() -= 1;
        }
        for p in counted_people(new) {
            *self.pending.entry(p).or_default() += 1;
        }
        Ok(())
    }

    /// The albums holding asset `key`, ascending.
    pub(crate) fn albums(&self, key: u64) -> Result<Vec<u32>> {
        self.asset_albums
            .range((key, 0)..=(key, u32::MAX))?
            .map(|r| r.map(|(k, _)| k.value().1).map_err(Into::into))
            .collect()
    }

    /// Links (`add`) or unlinks every pair of `links` that is not linked (or is linked) now;
    /// the other pairs are left as they are. Only the membership rows and the albums' own
    /// index entries change (with their counts, day counts and postings); no record is
    /// rewritten. Each pair's insert into (or removal from) `asset_albums` says whether it was
    /// linked before, so the check costs no read of its own. The rows are written in the
    /// order pushed (the caller's is key order), then the changed pairs' album entries of the
    /// list index in key order, so that consecutive changes land in the same B-tree leaf.
    pub(crate) fn apply_album_links(&mut self, links: AlbumLinks, add: bool) -> Result<()> {
        // Writes below go to the tables directly, after the queued ones.
        self.flush_queues()?;
        let mut changed = Vec::with_capacity(links.pairs.len());
        for &pair in &links.pairs {
            let was = if add {
                self.asset_albums.insert(pair, ())?.is_some()
            } else {
                self.asset_albums.remove(pair)?.is_some()
            };
            changed.push(was != add);
        }
        let bytes = &links.bytes;
        let mut entries: Vec<LinkEntry> = links
            .entries
            .into_iter()
            .filter(|e| changed[e.pair as usize])
            .collect();
        keys::sort_by_key_bytes_in(&mut entries, bytes, |b, e| e.key(b));
        if !add {
            for e in &entries {
                self.remove_entry(e.key(bytes))?;
            }
            return Ok(());
        }
        // A new album's entries are one run of its group (see `storage::ascending`).
        let entry = |j: usize| (entries[j].key(bytes), entries[j].value(bytes));
        let mut existed =
            crate::storage::ascending::insert_ascending(&mut self.list, entries.len(), entry)?
                .into_iter()
                .peekable();
        for j in 0..entries.len() {
            if existed.next_if_eq(&j).is_none() {
                let (k, v) = entry(j);
                self.entry_added(k, v)?;
            }
        }
        Ok(())
    }

    /// Adds the entries and counters of new records (keys not yet in any index).
    ///
    /// Everything a record implies is computed on every core: its facet values (interned here
    /// in record order, as a pass record by record would), list-index entries, text rows and
    /// Immich entries; the entries are sorted on every core. Then the list index, the person
    /// links and the Immich tables are written concurrently, each table by one thread in key
    /// order (sequential B-tree inserts touch far fewer pages than scattered ones), while the
    /// entry counts, day counts and postings of the new entries are tallied; those are queued
    /// for [`IndexTables::finish`] with the text rows and the people's counters. A few records
    /// ([`crate::par::parallel_records`]) take the same steps on this thread.
    pub(crate) fn insert_new(&mut self, records: &[(u64, AssetRecord)]) -> Result<()> {
        // Writes below go to the tables directly, after the queued ones.
        self.flush_queues()?;
        let parallel = crate::par::parallel_records(records.len());
        let facet_chunks: Vec<ChunkFacets> = records
            .par_chunks(CHUNK_RECORDS)
            .with_min_len(crate::par::min_len(parallel))
            .map(ChunkFacets::of)
            .collect();
        for c in &facet_chunks {
            for &i in &c.firsts {
                let k = c.key(i);
                if !self.facet_cache.contains_key(k) {
                    self.facet_value(k.to_vec(), true)?;
                }
            }
        }
        let interned = &self.facet_cache;
        let chunks: Vec<ChunkEntries> = records
            .par_chunks(CHUNK_RECORDS)
            .zip(facet_chunks.par_iter())
            .with_min_len(crate::par::min_len(parallel))
            .map(|(recs, facets)| ChunkEntries::of(recs, facets, interned))
            .collect::<Result<_>>()?;
        drop(facet_chunks);
        let mut entries: Vec<EntryRef> = chunks
            .iter()
            .enumerate()
            .flat_map(|(chunk, c)| {
                c.entries
                    .iter()
                    .map(move |&(start, key_len, value_len)| EntryRef {
                        chunk,
                        start,
                        key_len,
                        value_len,
                    })
            })
            .collect();
        keys::sort_by_key_bytes_in(&mut entries, &chunks, |c, e| e.key(c));

        let txn = self.txn;
        let person_assets = self.person_assets.get(txn)?;
        let immich = immich_in(&mut self.immich, txn)?;
        let list = &mut self.list;
        let (mut existed, mut r_immich, mut r_links) = (Ok(Vec::new()), Ok(()), Ok(()));
        let mut tallies = Ok(Tallies::default());
        let (entries_ref, chunks_ref) = (&entries, &chunks);
        crate::par::run(
            vec![
                Box::new(|| existed = insert_sorted(list, entries_ref, chunks_ref)),
                Box::new(|| r_immich = immich.insert_new(records)),
                Box::new(|| r_links = link_people(person_assets, chunks_ref)),
                // Counted as if every entry were new; recounted below when some were not.
                Box::new(|| tallies = Tallies::of(entries_ref, chunks_ref, &[])),
            ],
            parallel,
        );
        let (existed, r_list) = match existed {
            Ok(v) => (v, Ok(())),
            Err(e) => (Vec::new(), Err(e)),
        };
        Error::first_of([r_list, r_immich, r_links])?;
        let mut tallies = match existed.is_empty() {
            true => tallies?,
            false => Tallies::of(&entries, &chunks, &existed)?,
        };
        for (prefix, n) in tallies.counts {
            *self.pending_counts.entry(prefix).or_default() += n;
        }
        self.pending_days.append(&mut tallies.days);
        for (k, lows) in tallies.postings {
            self.pending_postings
                .entry(k)
                .or_default()
                .extend(lows.into_iter().map(|low| (low, true)));
        }
        for c in chunks {
            for (block, row) in c.text {
                self.pending_text
                    .entry(block)
                    .or_default()
                    .push((row.key, Some(row)));
            }
            for person in c.counted {
                *self.pending.entry(person).or_default() += 1;
            }
        }
        Ok(())
    }

    /// Rewrites the place of asset `key` when `old` and `new` place it differently (moves in
    /// time, trash, visibility), removes it with the asset, writes it for a new one.
    fn place_change(
        &mut self,
        key: u64,
        old: Option<&AssetRecord>,
        new: Option<&AssetRecord>,
    ) -> Result<()> {
        let after = new.map(|n| Place::of(key, n));
        if old.map(|o| Place::of(key, o)) == after {
            return Ok(());
        }
        let table = match &mut self.places {
            Some(t) => t,
            None => self
                .places
                .insert(self.txn.open_table(tables::ASSET_PLACES)?),
        };
        if let (Some(n), Some(p)) = (new, after) {
            table.insert(n.id.as_str(), &p.encode())?;
        } else if let Some(o) = old {
            table.remove(o.id.as_str())?;
        }
        Ok(())
    }

    /// The Immich-side tables, opened by the first use.
    fn immich(&mut self) -> Result<&mut ImmichTables<'t>> {
        immich_in(&mut self.immich, self.txn)
    }
}

/// The Immich-side tables kept in `slot`, opened in `txn` if this is their first use (a free
/// function, so that a caller may hold other tables of the same [`IndexTables`] meanwhile).
fn immich_in<'s, 't>(
    slot: &'s mut Option<ImmichTables<'t>>,
    txn: &'t redb::WriteTransaction,
) -> Result<&'s mut ImmichTables<'t>> {
    let tables = match slot.take() {
        Some(t) => t,
        None => ImmichTables::open(txn)?,
    };
    Ok(slot.insert(tables))
}

/// A table of a write opened by its first use: a write that never touches it neither opens it
/// nor has redb look up its root at commit (11 of the 19 tables album links opened were
/// untouched: BENCHMARKS.md, issue 14, "Seventh pass").
struct Lazy<'t, K: redb::Key + 'static, V: redb::Value + 'static> {
    definition: redb::TableDefinition<'static, K, V>,
    table: Option<Table<'t, K, V>>,
}

impl<'t, K: redb::Key + 'static, V: redb::Value + 'static> Lazy<'t, K, V> {
    fn new(definition: redb::TableDefinition<'static, K, V>) -> Self {
        Lazy {
            definition,
            table: None,
        }
    }

    /// The table, opened in `txn` if this is its first use.
    fn get(&mut self, txn: &'t redb::WriteTransaction) -> Result<&mut Table<'t, K, V>> {
        let table = self.take(txn)?;
        Ok(self.table.insert(table))
    }

    /// The table, opened if it was not.
    fn take(&mut self, txn: &'t redb::WriteTransaction) -> Result<Table<'t, K, V>> {
        match self.table.take() {
            Some(t) => Ok(t),
            None => Ok(txn.open_table(self.definition)?),
        }
    }
}

/// A record's facet values as `facet_values` keys, by field: none unless it is live and listed
/// (only those are searched).
fn facet_keys(rec: &AssetRecord) -> Vec<(facets::Field, Vec<u8>)> {
    if rec.trashed_at.is_some() || !facets::searchable(rec.visibility) {
        return Vec::new();
    }
    facets::values(rec)
        .into_iter()
        .map(|(field, value)| (field, facets::value_key(field, &value)))
        .collect()
}

/// Records per chunk of a bulk insert: each chunk is computed on one core, into buffers of
/// its own (small under test, so that several chunks are exercised).
const CHUNK_RECORDS: usize = if cfg!(test) { 16 } else { 2048 };

/// The facet value keys of a chunk of new records ([`facet_keys`]), back to back in one
/// buffer.
#[derive(Default)]
struct ChunkFacets {
    bytes: Vec<u8>,
    /// Each value: its field and the range of its key in `bytes`.
    values: Vec<(facets::Field, usize, usize)>,
    /// Where each record's values end in `values`.
    ends: Vec<usize>,
    /// The chunk's distinct keys, in order of first appearance (positions in `values`).
    firsts: Vec<usize>,
}

impl ChunkFacets {
    fn of(records: &[(u64, AssetRecord)]) -> Self {
        let mut c = ChunkFacets::default();
        for (_, rec) in records {
            if rec.trashed_at.is_none() && facets::searchable(rec.visibility) {
                for (field, value) in facets::values(rec) {
                    let start = c.bytes.len();
                    facets::write_value_key(&mut c.bytes, field, &value);
                    c.values.push((field, start, c.bytes.len()));
                }
            }
            c.ends.push(c.values.len());
        }
        let mut seen = std::collections::HashSet::new();
        c.firsts = (0..c.values.len())
            .filter(|&i| seen.insert(c.key(i)))
            .collect();
        c
    }

    fn key(&self, i: usize) -> &[u8] {
        let (_, start, end) = self.values[i];
        &self.bytes[start..end]
    }
}

/// What a chunk of new records puts in the list index, the text column and the person links,
/// computed on one core: the list-index keys and values back to back in one buffer.
#[derive(Default)]
struct ChunkEntries {
    bytes: Vec<u8>,
    /// Each entry: where its key starts in `bytes`, the key's length and the value's (which
    /// follows the key).
    entries: Vec<(usize, u16, u16)>,
    /// The text rows, with their blocks, in record order.
    text: Vec<([u8; 13], TextRow)>,
    /// (person, asset key) for each distinct person of each record's faces.
    links: Vec<(u32, u64)>,
    /// The people of the live records, once per record (their counters go up by one each).
    counted: Vec<u32>,
}

impl ChunkEntries {
    fn of(
        records: &[(u64, AssetRecord)],
        values: &ChunkFacets,
        interned: &HashMap<Vec<u8>, u32>,
    ) -> Result<Self> {
        let mut out = ChunkEntries {
            bytes: Vec::with_capacity(records.len() * 1024),
            entries: Vec::with_capacity(records.len() * 16),
            ..ChunkEntries::default()
        };
        let (mut groups, mut facet_groups) = (Vec::with_capacity(16), Vec::with_capacity(10));
        let mut first = 0;
        for ((key, rec), &end) in records.iter().zip(&values.ends) {
            let people = rec.people();
            facet_groups.clear();
            for i in first..end {
                let v = interned
                    .get(values.key(i))
                    .ok_or_else(|| Error::Corrupt("a facet value was not interned".into()))?;
                facet_groups.push(facets::group(rec.library, values.values[i].0, *v));
            }
            first = end;
            // A new asset is in no album yet.
            groups.clear();
            push_groups(&mut groups, rec, &people, &[], facet_groups.iter().copied());
            let mut too_long = false;
            each_entry(
                *key,
                &Placement::of(*key, rec),
                groups.iter().copied(),
                |g, part, time, value| {
                    let start = out.bytes.len();
                    keys::write_key(&mut out.bytes, g, part, time, &rec.id);
                    let key_end = out.bytes.len();
                    keys::write_value(&mut out.bytes, part, value);
                    match (
                        u16::try_from(key_end - start),
                        u16::try_from(out.bytes.len() - key_end),
                    ) {
                        (Ok(k), Ok(v)) => out.entries.push((start, k, v)),
                        _ => too_long = true,
                    }
                },
            );
            if too_long {
                return Err(Error::Corrupt(format!(
                    "asset key {key} has an id too long for a list-index key"
                )));
            }
            for field in TextField::ALL {
                if let Some(row) = TextRow::of(*key, rec, field) {
                    out.text
                        .push((facets::block_key(field, rec.library, *key), row));
                }
            }
            out.links.extend(people.iter().map(|&p| (p, *key)));
            if rec.trashed_at.is_none() {
                out.counted.extend(people);
            }
        }
        Ok(out)
    }
}

/// A list-index entry of a bulk insert: where its key and value lie in its chunk's buffer.
#[derive(Debug, Default, Clone, Copy)]
struct EntryRef {
    chunk: usize,
    start: usize,
    key_len: u16,
    value_len: u16,
}

impl EntryRef {
    fn key<'c>(&self, chunks: &'c [ChunkEntries]) -> &'c [u8] {
        &chunks[self.chunk].bytes[self.start..self.start + usize::from(self.key_len)]
    }

    fn value<'c>(&self, chunks: &'c [ChunkEntries]) -> &'c [u8] {
        let start = self.start + usize::from(self.key_len);
        &chunks[self.chunk].bytes[start..start + usize::from(self.value_len)]
    }
}

/// Inserts list-index entries sorted by key; returns the positions of those that were already
/// stored (their value is replaced; they are not new, so not counted again).
fn insert_sorted(
    list: &mut Table<'_, &'static [u8], &'static [u8]>,
    entries: &[EntryRef],
    chunks: &[ChunkEntries],
) -> Result<Vec<usize>> {
    Ok(crate::storage::ascending::insert_ascending(
        list,
        entries.len(),
        |j| (entries[j].key(chunks), entries[j].value(chunks)),
    )?)
}

/// Inserts the person links of new records, in key order.
fn link_people(
    person_assets: &mut Table<'_, (u32, u64), ()>,
    chunks: &[ChunkEntries],
) -> Result<()> {
    let mut links: Vec<(u32, u64)> = chunks
        .iter()
        .flat_map(|c| c.links.iter().copied())
        .collect();
    links.par_sort_unstable();
    crate::storage::ascending::insert_ascending(person_assets, links.len(), |j| (links[j], ()))?;
    Ok(())
}

/// A key of at most 16 bytes held inline (a `group | part` prefix, or a `prefix | day` key of
/// `day_counts`): counters keep hundreds of thousands of them per bulk write.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash)]
struct SmallKey {
    bytes: [u8; 16],
    len: u8,
}

impl AsRef<[u8]> for SmallKey {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl SmallKey {
    fn as_slice(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// The `day_counts` key of a `group | part` prefix (at most 11 bytes) and a day.
    fn day(prefix: &[u8], day: i32) -> Self {
        let mut k = SmallKey::from(prefix);
        let n = usize::from(k.len);
        let day = keys::day_bytes(day);
        let take = day.len().min(16 - n);
        k.bytes[n..n + take].copy_from_slice(&day[..take]);
        k.len += take as u8;
        k
    }
}

impl From<&[u8]> for SmallKey {
    /// The first 16 bytes of `k` (the keys held here are never longer).
    fn from(k: &[u8]) -> Self {
        let n = k.len().min(16);
        let mut bytes = [0u8; 16];
        bytes[..n].copy_from_slice(&k[..n]);
        SmallKey {
            bytes,
            len: n as u8,
        }
    }
}

impl From<Vec<u8>> for SmallKey {
    fn from(k: Vec<u8>) -> Self {
        SmallKey::from(k.as_slice())
    }
}

/// The counter changes new list-index entries make: entries per `group | part` prefix, per
/// `prefix | day` (entries by `trashed_at` are not counted there), and the live entries'
/// posting additions per `prefix | block` (low 16 bits of each asset key). A key may appear
/// more than once (a run split between two chunks): the changes add up.
#[derive(Default)]
struct Tallies {
    counts: Vec<(Vec<u8>, i64)>,
    days: Vec<(SmallKey, i64)>,
    postings: Vec<(Vec<u8>, Vec<u16>)>,
}

impl Tallies {
    /// The tallies of entries sorted by key, but for those at the (ascending) positions
    /// `skip`; chunks of the entries are tallied on every core (a small write's on this
    /// thread). Sorted, the entries of a prefix, and of each of its days, are adjacent: each
    /// run is one change.
    fn of(entries: &[EntryRef], chunks: &[ChunkEntries], skip: &[usize]) -> Result<Tallies> {
        // Small chunks under test, so that runs split between chunks are exercised.
        const CHUNK: usize = if cfg!(test) { 64 } else { 16_384 };
        let parallel = crate::par::parallel(entries.len());
        let parts: Vec<Tallies> = entries
            .par_chunks(CHUNK)
            .with_min_len(crate::par::min_len(parallel))
            .enumerate()
            .map(|(c, part)| {
                let mut t = Tallies::default();
                // Where the current prefix's postings start in `t.postings`.
                let mut run_postings = 0;
                for (i, e) in part.iter().enumerate() {
                    if !skip.is_empty() && skip.binary_search(&(c * CHUNK + i)).is_ok() {
                        continue;
                    }
                    let (k, v) = (e.key(chunks), e.value(chunks));
                    let len = keys::prefix_len(k).ok_or_else(|| {
                        Error::Corrupt("a list-index key of no known group".into())
                    })?;
                    let prefix = &k[..len];
                    match t.counts.last_mut() {
                        Some((p, n)) if p.as_slice() == prefix => *n += 1,
                        _ => {
                            t.counts.push((prefix.to_vec(), 1));
                            run_postings = t.postings.len();
                        }
                    }
                    if let Some((len, day)) = keys::counted_day(k) {
                        let dk = SmallKey::day(&k[..len], day);
                        match t.days.last_mut() {
                            Some((d, n)) if *d == dk => *n += 1,
                            _ => t.days.push((dk, 1)),
                        }
                    }
                    if k[len - 1] == Part::Live as u8 {
                        let asset = keys::decode_value(v, 0)
                            .ok_or_else(|| Error::Corrupt("short list-index value".into()))?
                            .asset;
                        let block = ((asset >> 16) as u32).to_be_bytes();
                        let low = asset as u16;
                        let found = t.postings[run_postings..]
                            .iter_mut()
                            .rev()
                            .find(|(pk, _)| pk[len..] == block);
                        match found {
                            Some((_, lows)) => lows.push(low),
                            None => {
                                let mut pk = Vec::with_capacity(len + 4);
                                pk.extend_from_slice(prefix);
                                pk.extend_from_slice(&block);
                                t.postings.push((pk, vec![low]));
                            }
                        }
                    }
                }
                Ok(t)
            })
            .collect::<Result<_>>()?;
        let mut out = Tallies::default();
        for mut p in parts {
            out.counts.append(&mut p.counts);
            out.days.append(&mut p.days);
            out.postings.append(&mut p.postings);
        }
        Ok(out)
    }
}

/// Writes the people's live-asset counter changes.
fn bump_people(
    people: &mut Table<'_, u32, &'static [u8]>,
    pending: HashMap<u32, i64>,
) -> Result<()> {
    for (person, delta) in pending {
        if delta == 0 {
            continue;
        }
        let mut rec: PersonRecord = match people.get(person)? {
            Some(v) => codec::decode(v.value())?,
            None => {
                return Err(Error::Corrupt(format!(
                    "a face refers to person key {person}, which does not exist"
                )))
            }
        };
        rec.asset_count = rec.asset_count.checked_add_signed(delta).ok_or_else(|| {
            Error::Corrupt(format!("asset_count of person {} went negative", rec.id))
        })?;
        people.insert(person, codec::encode(&rec)?.as_slice())?;
    }
    Ok(())
}

/// The size of what [`IndexTables::finish`] has left to write, in rows: count and day-count
/// changes, posting changes and text-column rows, plus a rough weight for each block read,
/// changed and written again (a bitmap block of up to 8 KB as 64 rows, a text block of up to
/// 50 KB as 256). Only the choice between the calling thread and the pool depends on it.
fn finish_work(
    counts: &HashMap<Vec<u8>, i64>,
    days: &[(SmallKey, i64)],
    postings: &HashMap<Vec<u8>, Vec<(u16, bool)>>,
    text: &BTreeMap<[u8; 13], Vec<(u64, Option<TextRow>)>>,
) -> usize {
    let postings: usize = postings.values().map(|ops| 64 + ops.len()).sum();
    let text: usize = text.values().map(|rows| 256 + rows.len()).sum();
    counts.len() + days.len() + postings + text
}

/// Writes count changes (entry counts per prefix, or per day; a key may repeat, its changes
/// add up) in key order.
fn write_counts(
    table: &mut Table<'_, &'static [u8], u64>,
    mut changes: Vec<(SmallKey, i64)>,
) -> Result<()> {
    keys::sort_by_key_bytes(&mut changes, |c| c.0.as_slice());
    let mut sums: Vec<(SmallKey, i64)> = Vec::with_capacity(changes.len());
    for (k, d) in changes {
        match sums.last_mut() {
            Some((last, sum)) if *last == k => *sum += d,
            _ => sums.push((k, d)),
        }
    }
    bump_counts(table, &sums)
}

/// Applies count changes given in key order, one per key, to `table` (a change of 0 is
/// skipped, a row that reaches 0 removed, as [`bump_count`] does).
pub(crate) fn bump_counts(
    table: &mut Table<'_, &'static [u8], u64>,
    changes: &[(impl AsRef<[u8]>, i64)],
) -> Result<()> {
    if changes.iter().all(|(_, d)| *d >= 0) {
        // Only additions (every bulk add): a row that does not exist yet holds the change
        // itself, so runs of new rows (a new catalogue's, a new album's days) are inserted as
        // runs; rows that exist are bumped.
        let new: Vec<usize> = (0..changes.len()).filter(|&j| changes[j].1 > 0).collect();
        return crate::storage::ascending::apply_ascending(
            table,
            new.len(),
            |j| (changes[new[j]].0.as_ref(), changes[new[j]].1.unsigned_abs()),
            |t, j| bump_count(t, changes[new[j]].0.as_ref(), changes[new[j]].1),
        );
    }
    for (k, d) in changes {
        bump_count(table, k.as_ref(), *d)?;
    }
    Ok(())
}

/// Applies posting changes (in order, per bitmap): the stored bitmaps are read in key order,
/// changed and encoded on every core, then written in key order (an empty one is removed).
fn write_postings(
    table: &mut Table<'_, &'static [u8], &'static [u8]>,
    pending: HashMap<Vec<u8>, Vec<(u16, bool)>>,
    parallel: bool,
) -> Result<()> {
    let mut changes: Vec<_> = pending.into_iter().collect();
    keys::sort_by_key_bytes(&mut changes, |p| &p.0);
    let stored = changes
        .iter()
        .map(|(k, _)| Ok(table.get(k.as_slice())?.map(|v| v.value().to_vec())))
        .collect::<Result<Vec<_>>>()?;
    let changed = changes
        .par_iter()
        .zip(stored.into_par_iter())
        .with_min_len(crate::par::min_len(parallel))
        .map(|((_, ops), old)| {
            let mut set = match old {
                Some(bytes) => posting_decode(&bytes)?,
                None => RoaringBitmap::new(),
            };
            for &(low, add) in ops {
                if add {
                    set.insert(u32::from(low));
                } else {
                    set.remove(u32::from(low));
                }
            }
            match set.is_empty() {
                true => Ok(None),
                false => posting_encode(&set).map(Some),
            }
        })
        .collect::<Result<Vec<_>>>()?;
    for ((k, _), new) in changes.iter().zip(changed) {
        match new {
            Some(bytes) => table.insert(k.as_slice(), bytes.as_slice()).map(drop)?,
            None => table.remove(k.as_slice()).map(drop)?,
        }
    }
    Ok(())
}

/// Applies text-column changes (in order, per block) as [`write_postings`] applies posting
/// changes: blocks read in key order, changed and encoded on every core, written in key order.
fn write_text(
    table: &mut Table<'_, &'static [u8], &'static [u8]>,
    pending: BTreeMap<[u8; 13], Vec<(u64, Option<TextRow>)>>,
    parallel: bool,
) -> Result<()> {
    let changes: Vec<_> = pending.into_iter().collect();
    let stored = changes
        .iter()
        .map(|(block, _)| Ok(table.get(block.as_slice())?.map(|v| v.value().to_vec())))
        .collect::<Result<Vec<_>>>()?;
    let changed = changes
        .into_par_iter()
        .zip(stored.into_par_iter())
        .with_min_len(crate::par::min_len(parallel))
        .map(|((block, rows_changed), old)| {
            // The last change of each asset wins, as applying them in order would.
            let mut changes = BTreeMap::new();
            for (key, row) in rows_changed {
                changes.insert(key, row);
            }
            let bytes = facets::apply_block(old.as_deref().unwrap_or_default(), &changes)?;
            Ok((block, bytes))
        })
        .collect::<Result<Vec<_>>>()?;
    for (block, new) in changed {
        match new {
            Some(bytes) => table.insert(block.as_slice(), bytes.as_slice()).map(drop)?,
            None => table.remove(block.as_slice()).map(drop)?,
        }
    }
    Ok(())
}

/// Adds `delta` to the maintained entry count of one `group | part` prefix (no row for zero).
pub(crate) fn bump_count(
    counts: &mut Table<'_, &'static [u8], u64>,
    prefix: &[u8],
    delta: i64,
) -> Result<()> {
    if delta == 0 {
        return Ok(());
    }
    // A positive change to a row that does not exist yet (most rows of a bulk load) is one
    // insert, which returns the old value when there was one; only then is it written again.
    if let Ok(first) = u64::try_from(delta) {
        let old = counts.insert(prefix, first)?.map(|v| v.value());
        if let Some(old) = old {
            let new = old.checked_add(first).ok_or_else(|| {
                Error::Corrupt(format!(
                    "the maintained count of list-index prefix {prefix:02x?} overflowed"
                ))
            })?;
            counts.insert(prefix, new)?;
        }
        return Ok(());
    }
    // A negative change needs the stored row: changed in place (redb's `get_mut`, one descent
    // instead of a `get` and an `insert`), or removed when it reaches zero.
    let less = |old: u64| {
        old.checked_add_signed(delta).ok_or_else(|| {
            Error::Corrupt(format!(
                "the maintained count of list-index prefix {prefix:02x?} went negative"
            ))
        })
    };
    {
        let Some(mut row) = counts.get_mut(prefix)? else {
            // No row to take from: always the error.
            return less(0).map(drop);
        };
        let new = less(row.value())?;
        if new != 0 {
            row.insert(new)?;
            return Ok(());
        }
    }
    counts.remove(prefix)?;
    Ok(())
}

/// Builds the format 4 search structures of a catalogue that has none (the upgrade from format
/// 3): the day counts of the existing list-index entries, then, record by record, the facet
/// entries (counted in both), the interned values and the text column.
pub(crate) fn rebuild_search(txn: &redb::WriteTransaction) -> Result<()> {
    {
        let index = txn.open_table(tables::LIST_INDEX)?;
        let mut days = txn.open_table(tables::DAY_COUNTS)?;
        for (k, n) in count_days(&index)? {
            days.insert(k.as_slice(), n)?;
        }
        let mut postings = txn.open_table(tables::POSTINGS)?;
        for (k, set) in collect_postings(&index)? {
            postings.insert(k.as_slice(), posting_encode(&set)?.as_slice())?;
        }
    }
    let assets = txn.open_table(tables::ASSETS)?;
    let mut idx = IndexTables::open(txn)?;
    for row in assets.iter()? {
        let (k, v) = row?;
        let (key, rec) = (k.value(), crate::storage::fast::asset_record(v.value())?);
        let facets = idx.facet_groups(&rec, true)?;
        if rec.trashed_at.is_none() {
            for (ek, ev) in group_entries(key, &Placement::of(key, &rec), facets) {
                idx.insert_entry(&ek, &ev)?;
            }
        }
        idx.text_change(key, None, Some(&rec));
    }
    idx.finish()
}

/// Builds, in `txn`'s tables, every structure the asset records and album links of another
/// snapshot imply: list-index entries with their counts, day counts and postings, the text
/// column, person links and counts, and the Immich indexes (`verify`'s rebuild; `txn` is a
/// scratch catalogue holding only the people, with zero counts, and the interned facet values).
/// Records whose keys are in `skip` (they do not decode) are left out.
pub(crate) fn rebuild_from(
    txn: &redb::WriteTransaction,
    assets: &impl ReadableTable<u64, &'static [u8]>,
    albums: &impl ReadableTable<(u64, u32), ()>,
    skip: &std::collections::HashSet<u64>,
) -> Result<()> {
    const BATCH: usize = 20_000;
    let mut idx = IndexTables::open(txn)?;
    let mut batch: Vec<(u64, AssetRecord)> = Vec::with_capacity(BATCH);
    for row in assets.iter()? {
        let (k, v) = row?;
        if skip.contains(&k.value()) {
            continue;
        }
        batch.push((k.value(), crate::storage::fast::asset_record(v.value())?));
        if batch.len() == BATCH {
            idx.insert_new(&batch)?;
            batch.clear();
        }
    }
    idx.insert_new(&batch)?;
    for row in albums.iter()? {
        let (k, _) = row?;
        let (asset, album) = k.value();
        if skip.contains(&asset) {
            continue;
        }
        let Some(v) = assets.get(asset)? else {
            continue; // a link to no asset: reported by verify's own checks
        };
        let r = crate::storage::fast::AssetRef::parse(v.value())?;
        idx.asset_albums.insert((asset, album), ())?;
        let placement = Placement {
            id: r.id,
            place: Place::of_stored(asset, &r),
        };
        for (ek, ev) in group_entries(asset, &placement, [Group::Album(album)]) {
            idx.insert_entry(&ek, &ev)?;
        }
    }
    idx.finish()
}

/// Decodes a stored posting bitmap.
pub(crate) fn posting_decode(bytes: &[u8]) -> Result<RoaringBitmap> {
    RoaringBitmap::deserialize_from(bytes)
        .map_err(|e| Error::Corrupt(format!("a malformed posting bitmap: {e}")))
}

fn posting_encode(set: &RoaringBitmap) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(set.serialized_size());
    set.serialize_into(&mut out)
        .map_err(|e| Error::Corrupt(format!("cannot encode a posting bitmap: {e}")))?;
    Ok(out)
}

/// The posting bitmaps of every live list-index range, built by walking the index (the
/// upgrade's, and the tests', recount of what `postings` maintains).
pub(crate) fn collect_postings(
    index: &impl ReadableTable<&'static [u8], &'static [u8]>,
) -> Result<BTreeMap<Vec<u8>, RoaringBitmap>> {
    let mut out: BTreeMap<Vec<u8>, RoaringBitmap> = BTreeMap::new();
    for row in index.iter()? {
        let (k, v) = row?;
        let k = k.value();
        let len = keys::prefix_len(k)
            .ok_or_else(|| Error::Corrupt("a list-index key of no known group".into()))?;
        if k[len - 1] != Part::Live as u8 {
            continue;
        }
        let asset = keys::decode_value(v.value(), 0)
            .ok_or_else(|| Error::Corrupt("short list-index value".into()))?
            .asset;
        let mut pk = k[..len].to_vec();
        pk.extend_from_slice(&((asset >> 16) as u32).to_be_bytes());
        out.entry(pk).or_default().insert(asset as u32 & 0xffff);
    }
    Ok(out)
}

/// The number of list-index entries per `prefix | day` key, counted by walking the index (the
/// upgrade's, and the tests', recount of what `day_counts` maintains).
pub(crate) fn count_days(
    index: &impl ReadableTable<&'static [u8], &'static [u8]>,
) -> Result<BTreeMap<Vec<u8>, u64>> {
    let mut out: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
    for row in index.iter()? {
        let (k, _) = row?;
        let k = k.value();
        keys::prefix_len(k)
            .ok_or_else(|| Error::Corrupt("a list-index key of no known group".into()))?;
        if let Some((len, day)) = keys::counted_day(k) {
            *out.entry(keys::day_key(&k[..len], day)).or_default() += 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::{FixedOffset, NaiveDate};
    use proptest::prelude::*;
    use redb::ReadableTable;

    use super::*;
    use crate::model::{
        AssetUpdate, DateTimeInput, Exif, NewAsset, NewFace, NewPerson, Visibility,
    };
    use crate::write::{AddAssets, NewAlbum};
    use crate::Catalog;

    type Bytes = Vec<u8>;

    /// Facet keys with the interned value replaced by its `field | value` bytes (interned keys
    /// depend on the order values were first seen).
    fn translate(k: &[u8], names: &BTreeMap<u32, Bytes>) -> Bytes {
        if k.first() != Some(&4) || k.len() < 11 {
            return k.to_vec();
        }
        let v = u32::from_be_bytes(k[6..10].try_into().unwrap());
        let mut out = k[..5].to_vec();
        out.extend_from_slice(&names[&v]);
        out.push(0);
        out.extend_from_slice(&k[10..]);
        out
    }

    #[derive(Debug, PartialEq)]
    struct Snapshot {
        list: BTreeMap<Bytes, Bytes>,
        counts: BTreeMap<Bytes, u64>,
        days: BTreeMap<Bytes, u64>,
        text: BTreeMap<Bytes, Bytes>,
        postings: BTreeMap<Bytes, Vec<u32>>,
    }

    fn snapshot(cat: &Catalog) -> Snapshot {
        let txn = cat.begin_read().unwrap();
        let mut names = BTreeMap::new();
        for row in txn
            .open_table(tables::FACET_VALUES)
            .unwrap()
            .iter()
            .unwrap()
        {
            let (k, v) = row.unwrap();
            if !k.value().is_empty() {
                assert!(names.insert(v.value(), k.value().to_vec()).is_none());
            }
        }
        let list_table = txn.open_table(tables::LIST_INDEX).unwrap();
        let mut list = BTreeMap::new();
        for row in list_table.iter().unwrap() {
            let (k, v) = row.unwrap();
            list.insert(translate(k.value(), &names), v.value().to_vec());
        }
        let mut counts = BTreeMap::new();
        for row in txn.open_table(tables::LIST_COUNTS).unwrap().iter().unwrap() {
            let (k, v) = row.unwrap();
            counts.insert(translate(k.value(), &names), v.value());
        }
        // The maintained counts equal a recount of the index.
        assert_eq!(
            crate::storage::upgrade::count_list_index(&list_table).unwrap(),
            txn.open_table(tables::LIST_COUNTS)
                .unwrap()
                .iter()
                .unwrap()
                .map(|r| r.map(|(k, v)| (k.value().to_vec(), v.value())).unwrap())
                .collect::<BTreeMap<_, _>>()
        );
        let day_table = txn.open_table(tables::DAY_COUNTS).unwrap();
        let raw_days: BTreeMap<Bytes, u64> = day_table
            .iter()
            .unwrap()
            .map(|r| r.map(|(k, v)| (k.value().to_vec(), v.value())).unwrap())
            .collect();
        assert_eq!(count_days(&list_table).unwrap(), raw_days);
        let days = raw_days
            .iter()
            .map(|(k, v)| (translate(k, &names), *v))
            .collect();
        let mut text = BTreeMap::new();
        for row in txn.open_table(tables::TEXT_COLUMN).unwrap().iter().unwrap() {
            let (k, v) = row.unwrap();
            text.insert(k.value().to_vec(), v.value().to_vec());
        }
        let mut raw_postings = BTreeMap::new();
        for row in txn.open_table(tables::POSTINGS).unwrap().iter().unwrap() {
            let (k, v) = row.unwrap();
            let set = posting_decode(v.value()).unwrap();
            assert!(!set.is_empty(), "an empty posting bitmap is stored");
            raw_postings.insert(k.value().to_vec(), set);
        }
        assert_eq!(collect_postings(&list_table).unwrap(), raw_postings);
        let postings = raw_postings
            .iter()
            .map(|(k, v)| (translate(k, &names), v.iter().collect()))
            .collect();
        Snapshot {
            list,
            counts,
            days,
            text,
            postings,
        }
    }

    /// The maintained search structures equal a rebuild from the records.
    fn assert_consistent(cat: &Catalog) {
        let maintained = snapshot(cat);
        let txn = cat.begin_write().unwrap().0;
        {
            let mut list = txn.open_table(tables::LIST_INDEX).unwrap();
            list.retain(|k, _| k.first() != Some(&4)).unwrap();
            let mut counts = txn.open_table(tables::LIST_COUNTS).unwrap();
            counts.retain(|k, _| k.first() != Some(&4)).unwrap();
        }
        txn.delete_table(tables::DAY_COUNTS).unwrap();
        txn.delete_table(tables::TEXT_COLUMN).unwrap();
        txn.delete_table(tables::FACET_VALUES).unwrap();
        txn.delete_table(tables::POSTINGS).unwrap();
        // As the upgrade does before it rebuilds (the index opens some tables by first use).
        crate::catalog::create_tables(&txn).unwrap();
        rebuild_search(&txn).unwrap();
        txn.commit().unwrap();
        assert_eq!(maintained, snapshot(cat));
    }

    #[derive(Debug, Clone)]
    enum Op {
        Add(Vec<(u8, u8, u8, bool)>),
        Trash(u8),
        Restore(u8),
        /// Trashes (or restores) several assets in one call, each change of the list index
        /// queued with the others.
        TrashMany(Vec<u8>, bool),
        /// Faces for several assets in one call.
        FacesMany(Vec<(u8, u8)>),
        Delete(u8),
        Favorite(u8, bool),
        Visibility(u8, u8),
        Time(u8, u8),
        Make(u8, u8),
        Name(u8, u8),
        Album(u8, bool),
        Face(u8, u8),
        /// Reassigns (or, with 3, unassigns) the first face of an asset.
        Assign(u8, u8),
        Merge,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            proptest::collection::vec((0u8..8, 0u8..4, 0u8..4, any::<bool>()), 1..6)
                .prop_map(Op::Add),
            any::<u8>().prop_map(Op::Trash),
            any::<u8>().prop_map(Op::Restore),
            (proptest::collection::vec(any::<u8>(), 1..8), any::<bool>())
                .prop_map(|(a, t)| Op::TrashMany(a, t)),
            proptest::collection::vec((any::<u8>(), 0u8..3), 1..8).prop_map(Op::FacesMany),
            any::<u8>().prop_map(Op::Delete),
            (any::<u8>(), any::<bool>()).prop_map(|(a, f)| Op::Favorite(a, f)),
            (any::<u8>(), 0u8..4).prop_map(|(a, v)| Op::Visibility(a, v)),
            (any::<u8>(), 0u8..8).prop_map(|(a, t)| Op::Time(a, t)),
            (any::<u8>(), 0u8..4).prop_map(|(a, m)| Op::Make(a, m)),
            (any::<u8>(), 0u8..4).prop_map(|(a, n)| Op::Name(a, n)),
            (any::<u8>(), any::<bool>()).prop_map(|(a, b)| Op::Album(a, b)),
            (any::<u8>(), 0u8..3).prop_map(|(a, p)| Op::Face(a, p)),
            (any::<u8>(), 0u8..4).prop_map(|(a, p)| Op::Assign(a, p)),
            Just(Op::Merge),
        ]
    }

    fn time(t: u8) -> DateTimeInput {
        let day = NaiveDate::from_ymd_opt(1969, 12, 30).unwrap()
            + chrono::Duration::days(i64::from(t % 4) * 400);
        DateTimeInput {
            naive: day.and_hms_opt(u32::from(t) * 3 % 24, 30, 0).unwrap(),
            offset: t
                .is_multiple_of(2)
                .then(|| FixedOffset::east_opt(3600).unwrap()),
        }
    }

    const MAKES: [Option<&str>; 4] = [None, Some("Canon"), Some("canon"), Some("SONY")];
    const NAMES: [Option<&str>; 4] = [None, Some("IMG_1.JPG"), Some("Été.heic"), Some("")];

    fn record(t: u8, m: u8, n: u8, fav: bool, person: Option<&str>) -> NewAsset {
        NewAsset {
            local_datetime: Some(time(t)),
            exif: MAKES[usize::from(m)].map(|make| Exif {
                make: Some(make.into()),
                ..Exif::default()
            }),
            original_file_name: NAMES[usize::from(n)].map(Into::into),
            description: fav.then(|| "Beach".into()),
            is_favorite: Some(fav),
            faces: person.map(|p| {
                vec![NewFace {
                    person_id: Some(p.into()),
                    ..NewFace::default()
                }]
            }),
            ..NewAsset::default()
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

        #[test]
        fn search_structures_equal_a_rebuild(ops in proptest::collection::vec(op(), 1..25)) {
            let cat = Catalog::in_memory().unwrap();
            for p in ["person_a", "person_b", "person_c"] {
                cat.create_person(NewPerson { id: Some(p.into()), ..NewPerson::default() }).unwrap();
            }
            cat.add_assets(vec![record(0, 1, 1, false, Some("person_a"))], AddAssets::default()).unwrap();
            cat.create_album(NewAlbum { name: "A".into(), id: Some("album_a".into()), ..Default::default() }).unwrap();
            let mut ids: Vec<String> = cat
                .list_assets(&crate::ListAssets::default())
                .unwrap()
                .data
                .into_iter()
                .map(|a| a.id)
                .collect();
            let mut merged = false;
            for op in &ops {
                let pick = |i: u8| (!ids.is_empty()).then(|| ids[usize::from(i) % ids.len()].clone());
                match op {
                    Op::Add(v) => {
                        let recs = v
                            .iter()
                            .map(|&(t, m, n, f)| record(t, m, n, f, (t % 3 == 0).then_some("person_b")))
                            .collect();
                        ids.extend(cat.add_assets(recs, AddAssets::default()).unwrap().into_iter().map(|a| a.id));
                    }
                    Op::Trash(i) => if let Some(id) = pick(*i) { cat.trash_assets(&[id]).unwrap() },
                    Op::Restore(i) => if let Some(id) = pick(*i) { cat.restore_assets(&[id]).unwrap() },
                    Op::TrashMany(v, trash) => {
                        let some: Vec<String> = v.iter().filter_map(|i| pick(*i)).collect();
                        if *trash { cat.trash_assets(&some).unwrap() } else { cat.restore_assets(&some).unwrap() }
                    }
                    Op::FacesMany(v) => {
                        let faces: Vec<NewFace> = v
                            .iter()
                            .filter_map(|&(i, p)| {
                                let p = ["person_a", "person_b", "person_c"][usize::from(p)];
                                (!(merged && p == "person_c")).then(|| pick(i)).flatten().map(|id| NewFace {
                                    asset_id: Some(id),
                                    person_id: Some(p.into()),
                                    ..NewFace::default()
                                })
                            })
                            .collect();
                        cat.add_faces(faces).unwrap();
                    }
                    Op::Delete(i) => if let Some(id) = pick(*i) {
                        cat.delete_assets(&[&id]).unwrap();
                        ids.retain(|x| *x != id);
                    },
                    Op::Favorite(i, f) => if let Some(id) = pick(*i) {
                        cat.update_asset(&id, AssetUpdate { is_favorite: Some(*f), ..AssetUpdate::default() }).unwrap();
                    },
                    Op::Visibility(i, v) => if let Some(id) = pick(*i) {
                        let v = [Visibility::Timeline, Visibility::Archive, Visibility::Hidden, Visibility::Locked][usize::from(*v)];
                        cat.update_asset(&id, AssetUpdate { visibility: Some(v), ..AssetUpdate::default() }).unwrap();
                    },
                    Op::Time(i, t) => if let Some(id) = pick(*i) {
                        cat.update_asset(&id, AssetUpdate { local_datetime: Some(time(*t)), ..AssetUpdate::default() }).unwrap();
                    },
                    Op::Make(i, m) => if let Some(id) = pick(*i) {
                        let exif = MAKES[usize::from(*m)].map(|make| Exif { make: Some(make.into()), ..Exif::default() });
                        cat.update_asset(&id, AssetUpdate { exif: Some(exif), ..AssetUpdate::default() }).unwrap();
                    },
                    Op::Name(i, n) => if let (Some(id), Some(name)) = (pick(*i), NAMES[usize::from(*n)]) {
                        cat.update_asset(&id, AssetUpdate { original_file_name: Some(name.into()), ..AssetUpdate::default() }).unwrap();
                    },
                    Op::Album(i, add) => if let Some(id) = pick(*i) {
                        if *add { cat.add_to_album("album_a", &[id]).unwrap() } else { cat.remove_from_album("album_a", &[id]).unwrap() }
                    },
                    Op::Face(i, p) => if let Some(id) = pick(*i) {
                        let p = ["person_a", "person_b", "person_c"][usize::from(*p)];
                        if !(merged && p == "person_c") {
                            cat.add_faces(vec![NewFace { asset_id: Some(id), person_id: Some(p.into()), ..NewFace::default() }]).unwrap();
                        }
                    },
                    Op::Assign(i, p) => if let Some(id) = pick(*i) {
                        let person = ["person_a", "person_b", "person_c"].get(usize::from(*p)).copied();
                        if let Some(face) = cat.get_asset(&id).unwrap().faces.first() {
                            if !(merged && person == Some("person_c")) {
                                cat.assign_face(&face.id, person).unwrap();
                            }
                        }
                    },
                    Op::Merge => if !merged {
                        cat.merge_people("person_a", &["person_c"]).unwrap();
                        merged = true;
                    },
                }
            }
            let report = cat.verify().unwrap();
            assert!(report.is_ok(), "{report}");
            assert_consistent(&cat);
        }
    }
}
