//! `search_assets` (API.md §6): every filter of a search, live assets in list order, page by
//! page, with the exact number of matches.
//!
//! How a search is answered (costs in `docs/design.md`, "Search and time buckets"):
//!
//! * every exact filter (people, albums, make, city, MIME type, favourite, ...) names one group
//!   of the list index; the groups' live streams are intersected by leapfrog seeks, newest
//!   first, as album + person lists are;
//! * `total` comes from maintained structures: one group's entry count (one read), its day
//!   counts when dated (the inner days summed, the edge days walked), or several groups' posting
//!   bitmaps intersected block by block; only several groups with dates are counted by walking
//!   the date-bounded intersection;
//! * substring filters scan the text column of the library (folded names with their list
//!   positions), never the records.

use std::collections::HashSet;

use memchr::memmem;
use redb::ReadTransaction;

use crate::catalog::{Catalog, Tally};
use crate::error::{Error, Result};
use crate::facets::{self, Field, TextField};
use crate::ids::{self, IdKind};
use crate::model::time::TimeBound;
use crate::model::{Asset, AssetType, DateTimeInput, Visibility};
use crate::query::counts::group_count;
use crate::query::cursor::Start;
use crate::query::plan::{self, TimeFilter};
use crate::query::{check_limit, days, postings, State, DEFAULT_LIMIT};
use crate::records::{self, lookup_u32, PeopleCache};
use crate::storage::codec::{AlbumRecord, LibraryRecord};
use crate::storage::keys::{self, Group, Part};
use crate::storage::tables;

/// The most ids a `person_ids` or `album_ids` filter may hold.
pub const MAX_FILTER_IDS: usize = 200;

/// Parameters of [`Catalog::search_assets`]. Every filter is optional; they combine with AND.
///
/// ```
/// use photocat::SearchAssets;
/// let q = SearchAssets { make: Some("Canon".into()), ..Default::default() };
/// assert_eq!((q.page, q.limit), (1, 20));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchAssets {
    /// The library: None means the first album's library when `album_ids` is given, else the
    /// only library (as for [`crate::ListAssets::library_id`]).
    pub library_id: Option<String>,
    /// Assets with a face of every one of these people (ALL-of; at most 200).
    pub person_ids: Option<Vec<String>>,
    /// Assets in every one of these albums (ALL-of; at most 200).
    pub album_ids: Option<Vec<String>>,
    /// Exclusive lower bound on the capture time (the `local_datetime_after` rule).
    pub captured_after: Option<DateTimeInput>,
    /// Exclusive upper bound on the capture time (the `local_datetime_before` rule).
    pub captured_before: Option<DateTimeInput>,
    /// Exact camera make (case-sensitive), from `exif`, else `metadata`.
    pub make: Option<String>,
    /// Exact camera model.
    pub model: Option<String>,
    /// Exact lens model.
    pub lens_model: Option<String>,
    /// Exact city.
    pub city: Option<String>,
    /// Exact state or region.
    pub state: Option<String>,
    /// Exact country.
    pub country: Option<String>,
    /// Exact MIME type (`application/octet-stream` when the record has none, as in the views).
    pub mime_type: Option<String>,
    /// Immich's type, derived from the MIME type.
    pub asset_type: Option<AssetType>,
    /// Favourites only (true) or non-favourites only (false).
    pub is_favorite: Option<bool>,
    /// `Timeline` or `Archive`; None means both (hidden and locked assets are never listed).
    pub visibility: Option<Visibility>,
    /// Case-insensitive substring of `original_file_name` (empty: no filter).
    pub original_file_name: Option<String>,
    /// Case-insensitive substring of the asset's `description` (empty: no filter).
    pub description: Option<String>,
    /// The page, 1-indexed.
    pub page: u32,
    /// Page size, 1 to 200 (default 20).
    pub limit: u32,
}

impl Default for SearchAssets {
    fn default() -> Self {
        SearchAssets {
            library_id: None,
            person_ids: None,
            album_ids: None,
            captured_after: None,
            captured_before: None,
            make: None,
            model: None,
            lens_model: None,
            city: None,
            state: None,
            country: None,
            mime_type: None,
            asset_type: None,
            is_favorite: None,
            visibility: None,
            original_file_name: None,
            description: None,
            page: 1,
            limit: DEFAULT_LIMIT,
        }
    }
}

impl SearchAssets {
    /// Checks every parameter without touching storage.
    pub fn validate(&self) -> Result<()> {
        check_limit("limit", self.limit)?;
        if self.page == 0 {
            return Err(Error::invalid(
                "page is 1-indexed: it must be at least 1, got 0",
            ));
        }
        if let Some(id) = &self.library_id {
            ids::validate(IdKind::Library, id)?;
        }
        for (name, kind, list) in [
            ("person_ids", IdKind::Person, &self.person_ids),
            ("album_ids", IdKind::Album, &self.album_ids),
        ] {
            if let Some(list) = list {
                if list.len() > MAX_FILTER_IDS {
                    return Err(Error::invalid(format!(
                        "{name} may hold at most {MAX_FILTER_IDS} ids, got {}",
                        list.len()
                    )));
                }
                for id in list {
                    ids::validate(kind, id)?;
                }
            }
        }
        if let Some(v) = self.visibility {
            if !facets::searchable(v) {
                return Err(Error::invalid(format!(
                    "visibility must be \"timeline\" or \"archive\" (omit it for both), got \
                     {:?}: hidden and locked assets are never listed",
                    v.as_str()
                )));
            }
        }
        for (name, d) in [
            ("captured_after", self.captured_after),
            ("captured_before", self.captured_before),
        ] {
            if let Some(d) = d {
                d.checked(name)?;
            }
        }
        Ok(())
    }

    /// The exact filters that are facets, with their stored values.
    fn facet_filters(&self) -> Vec<(Field, &str)> {
        let mut out = Vec::new();
        for (field, v) in [
            (Field::Make, &self.make),
            (Field::Model, &self.model),
            (Field::LensModel, &self.lens_model),
            (Field::City, &self.city),
            (Field::State, &self.state),
            (Field::Country, &self.country),
            (Field::MimeType, &self.mime_type),
        ] {
            if let Some(v) = v {
                out.push((field, v.as_str()));
            }
        }
        if let Some(t) = self.asset_type {
            out.push((Field::Type, t.as_str()));
        }
        if let Some(f) = self.is_favorite {
            out.push((Field::Favorite, facets::bool_value(f)));
        }
        if let Some(v) = self.visibility {
            out.push((Field::Visibility, v.as_str()));
        }
        out
    }

    /// The non-empty substring filters, folded.
    fn text_filters(&self) -> Vec<(TextField, String)> {
        [
            (TextField::FileName, &self.original_file_name),
            (TextField::Description, &self.description),
        ]
        .into_iter()
        .filter_map(|(f, v)| {
            v.as_deref()
                .filter(|s| !s.is_empty())
                .map(|s| (f, facets::fold(s)))
        })
        .collect()
    }
}

/// One page of a search: the assets, the page number, whether more follow, and the exact
/// number of matches.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchPage {
    /// The assets of the page, complete, in list order.
    pub data: Vec<Asset>,
    /// The page number (1-indexed), as asked.
    pub page: u32,
    /// True exactly when a later page holds at least one asset.
    pub has_more: bool,
    /// The number of assets that match, over all pages.
    pub total: u64,
}

impl SearchPage {
    /// The page as JSON: `{"data": [...Gumnut assets...], "page": 1, "has_more": false,
    /// "total": 0}`.
    pub fn to_json(&self) -> String {
        crate::views::gumnut::SearchPageView {
            data: self.data.iter().collect(),
            page: self.page,
            has_more: self.has_more,
            total: self.total,
        }
        .to_json()
    }

    fn empty(page: u32) -> SearchPage {
        SearchPage {
            data: Vec::new(),
            page,
            has_more: false,
            total: 0,
        }
    }
}

/// A search resolved against one snapshot.
struct Plan {
    lib: LibraryRecord,
    lib_key: u32,
    /// The index groups to intersect (at least one: the library when nothing else).
    groups: Vec<Group>,
    /// Groups whose assets do not match: the other values of the fields filtered on their
    /// majority value ([`facets::majority`]), which has no group of its own.
    except: Vec<Group>,
    /// How many fields `except` comes from (the groups of one field are disjoint).
    except_fields: usize,
    filter: TimeFilter,
    texts: Vec<(TextField, String)>,
}

/// One match found by a search walk: its position and asset key.
struct Match {
    pos: Vec<u8>,
    key: u64,
}

impl Catalog {
    /// One page of a search, with the exact number of matches (API.md §6). Live assets only,
    /// in list order (`local_datetime` descending, then `id` descending).
    ///
    /// ```
    /// # fn main() -> photocat::Result<()> {
    /// use photocat::{AddAssets, Catalog, Exif, NewAsset, SearchAssets};
    /// let cat = Catalog::in_memory()?;
    /// let records = (0..5).map(|i| NewAsset {
    ///     original_file_name: Some(format!("IMG_{i}.JPG")),
    ///     exif: Some(Exif { make: Some(if i < 3 { "Canon" } else { "SONY" }.into()), ..Exif::default() }),
    ///     ..NewAsset::default()
    /// });
    /// cat.add_assets(records.collect(), AddAssets::default())?;
    /// let res = cat.search_assets(&SearchAssets {
    ///     make: Some("Canon".into()),
    ///     limit: 2,
    ///     ..SearchAssets::default()
    /// })?;
    /// assert_eq!((res.data.len(), res.total, res.has_more), (2, 3, true));
    /// let res = cat.search_assets(&SearchAssets {
    ///     original_file_name: Some("img_4".into()),
    ///     ..SearchAssets::default()
    /// })?;
    /// assert_eq!(res.total, 1);
    /// # Ok(()) }
    /// ```
    pub fn search_assets(&self, q: &SearchAssets) -> Result<SearchPage> {
        q.validate()?;
        let (txn, view) = self.begin_read_cached()?;
        let mut tally = Tally::default();
        let result = (|| {
            let Some(plan) = plan(&txn, q, &mut tally)? else {
                return Ok(SearchPage::empty(q.page));
            };
            let offset = u64::from(q.page - 1) * u64::from(q.limit);
            let (matches, total) = if plan.texts.is_empty() {
                walk_groups(&txn, &plan, None, offset, q.limit, &mut tally)?
            } else {
                walk_texts(&txn, &plan, offset, q.limit, &mut tally)?
            };
            let assets = txn.open_table(tables::ASSETS)?;
            let people = txn.open_table(tables::PEOPLE)?;
            let mut cache = PeopleCache::shared(view);
            let mut data = Vec::with_capacity(matches.len());
            for m in matches {
                let rec = records::load_asset(&assets, m.key, &mut tally)?;
                data.push(records::asset_public(
                    rec,
                    &plan.lib.id,
                    &people,
                    &mut cache,
                    &mut tally,
                )?);
            }
            Ok(SearchPage {
                has_more: offset + (data.len() as u64) < total,
                data,
                page: q.page,
                total,
            })
        })();
        self.stats.add(&tally);
        result.map_err(|e: Error| e.at(self.path()))
    }
}

/// Resolves a search: None when it cannot match anything (no library, an album of another
/// library, a facet value no asset ever had).
fn plan(txn: &ReadTransaction, q: &SearchAssets, tally: &mut Tally) -> Result<Option<Plan>> {
    let album_ids = txn.open_table(tables::ALBUM_IDS)?;
    let album_table = txn.open_table(tables::ALBUMS)?;
    let mut albums: Vec<(u32, AlbumRecord)> = Vec::new();
    let mut seen = HashSet::new();
    for id in q.album_ids.iter().flatten() {
        let key = lookup_u32(&album_ids, id)?.ok_or_else(|| Error::not_found("album", id))?;
        if seen.insert(key) {
            albums.push((key, records::load_u32(&album_table, key, "album", tally)?));
        }
    }
    let person_ids = txn.open_table(tables::PERSON_IDS)?;
    let mut people: Vec<u32> = Vec::new();
    for id in q.person_ids.iter().flatten() {
        let key = lookup_u32(&person_ids, id)?.ok_or_else(|| Error::not_found("person", id))?;
        if !people.contains(&key) {
            people.push(key);
        }
    }
    let libraries = txn.open_table(tables::LIBRARIES)?;
    let library = match (&q.library_id, albums.first()) {
        (None, Some((_, a))) => Some((
            a.library,
            records::load_u32::<LibraryRecord>(&libraries, a.library, "library", tally)?,
        )),
        (id, _) => records::resolve_library(
            &txn.open_table(tables::LIBRARY_IDS)?,
            &libraries,
            id.as_deref(),
            tally,
        )?,
    };
    let Some((lib_key, lib)) = library else {
        return Ok(None);
    };
    if albums.iter().any(|(_, a)| a.library != lib_key) {
        return Ok(None);
    }
    let mut groups: Vec<Group> = albums.iter().map(|(k, _)| Group::Album(*k)).collect();
    groups.extend(people.iter().map(|&p| Group::Person {
        person: p,
        library: lib_key,
    }));
    let values = txn.open_table(tables::FACET_VALUES)?;
    let (mut except, mut except_fields) = (Vec::new(), 0);
    for (field, value) in q.facet_filters() {
        if facets::majority(field) == Some(value) {
            // The library minus the field's other values.
            except_fields += 1;
            let own = facets::value_key(field, value);
            let (lower, upper) = facets::field_range(field);
            for row in values.range::<&[u8]>(lower.as_slice()..upper.as_slice())? {
                let (k, v) = row?;
                if k.value() != own.as_slice() {
                    except.push(facets::group(lib_key, field, v.value()));
                }
            }
            continue;
        }
        match values.get(facets::value_key(field, value).as_slice())? {
            Some(v) => groups.push(facets::group(lib_key, field, v.value())),
            None => return Ok(None),
        }
    }
    if groups.is_empty() {
        groups.push(Group::Library(lib_key));
    }
    // The smallest group leads the intersection: order by the maintained counts, largest
    // first (`plan::stream` makes the last one the driver of the leapfrog).
    let counts = txn.open_table(tables::LIST_COUNTS)?;
    let mut sized = Vec::with_capacity(groups.len());
    for g in groups {
        sized.push((group_count(&counts, g, State::Live)?, g));
    }
    if sized.iter().any(|(n, _)| *n == 0) {
        return Ok(None);
    }
    sized.sort_by_key(|(n, _)| std::cmp::Reverse(*n));
    let mut kept = Vec::with_capacity(except.len());
    for g in except {
        if group_count(&counts, g, State::Live)? > 0 {
            kept.push(g);
        }
    }
    Ok(Some(Plan {
        lib,
        lib_key,
        groups: sized.into_iter().map(|(_, g)| g).collect(),
        except: kept,
        except_fields,
        filter: TimeFilter {
            after: q.captured_after.map(TimeBound::new),
            before: q.captured_before.map(TimeBound::new),
        },
        texts: q.text_filters(),
    }))
}

/// Walks the intersection of the plan's groups less its excluded groups (live,
/// date-bounded), keeping the matches at `[offset, offset + limit)`; with `only`, entries whose
/// asset is not in it are skipped. The total comes from maintained structures where they
/// answer it, and the walk then stops after the page: one group's count (undated) or day
/// counts (dated), less those of the excluded groups when they are one field's values within
/// the library; otherwise the groups' posting bitmaps (undated, or with `only`). The rest
/// (several groups with dates) is counted by the walk. One undated group also starts at the
/// page's day, found from the day counts.
fn walk_groups(
    txn: &ReadTransaction,
    plan: &Plan,
    only: Option<&HashSet<u64>>,
    offset: u64,
    limit: u32,
    tally: &mut Tally,
) -> Result<(Vec<Match>, u64)> {
    let index = txn.open_table(tables::LIST_INDEX)?;
    let undated = plan.filter.after.is_none() && plan.filter.before.is_none();
    // One group, less nothing or less disjoint parts of it (one field's values: parts of the
    // library, so of nothing smaller).
    let single = match (plan.groups.as_slice(), only) {
        ([g], None) if plan.except.is_empty() => Some(*g),
        ([g @ Group::Library(_)], None) if plan.except_fields == 1 => Some(*g),
        _ => None,
    };
    let less = |n: u64, part: u64| {
        n.checked_sub(part).ok_or_else(|| {
            Error::Corrupt("a group's count is below the count of a part of it".into())
        })
    };
    let mut start = Start::Top;
    let mut skip = offset;
    let counted = match single {
        Some(g) if undated => {
            let counts = txn.open_table(tables::LIST_COUNTS)?;
            let mut total = group_count(&counts, g, State::Live)?;
            for &x in &plan.except {
                total = less(total, group_count(&counts, x, State::Live)?)?;
            }
            if offset >= total {
                return Ok((Vec::new(), total));
            }
            if offset > 0 {
                let days = days::open(txn)?;
                if let Some((pos, rest)) = days::seek_offset(&days, g, &plan.except, offset, tally)?
                {
                    if let Some(p) = pos {
                        start = Start::After(p);
                    }
                    skip = rest;
                }
            }
            Some(total)
        }
        Some(g) => {
            let days = days::open(txn)?;
            let count = |g, tally: &mut Tally| {
                days::count_bounded(&index, &days, g, Part::Live, &plan.filter, tally)
            };
            let mut total = count(g, tally)?;
            for &x in &plan.except {
                total = less(total, count(x, tally)?)?;
            }
            Some(total)
        }
        None => {
            // Several groups, or the matches of substring filters within groups: count from
            // the posting bitmaps (the text matches are already date-bounded; group membership
            // does not depend on dates). Several dated groups are counted by the walk.
            let table = postings::open(txn)?;
            let (mut sets, mut excluded) = (Vec::new(), Vec::new());
            if only.is_some() || undated {
                for &g in &plan.groups {
                    sets.push(postings::GroupSet::load(&table, g, tally)?);
                }
                for &g in &plan.except {
                    excluded.push(postings::GroupSet::load(&table, g, tally)?);
                }
            }
            match only {
                Some(set) => Some(
                    set.iter()
                        .filter(|&&k| {
                            sets.iter().all(|s| s.contains(k))
                                && !excluded.iter().any(|s| s.contains(k))
                        })
                        .count() as u64,
                ),
                None if undated => Some(postings::matches_len(&sets, &excluded)),
                None => None,
            }
        }
    };
    let mut s = plan::stream_except(
        &index,
        &plan.groups,
        &plan.except,
        State::Live,
        plan.filter,
        &start,
    )?;
    let mut seen = 0u64;
    let end = skip + u64::from(limit);
    let mut out = Vec::with_capacity(limit as usize);
    while let Some(e) = s.head() {
        if only.is_none_or(|set| set.contains(&e.value.asset)) {
            if seen >= skip && seen < end {
                out.push(Match {
                    pos: e.pos.clone(),
                    key: e.value.asset,
                });
            }
            seen += 1;
            if counted.is_some() && seen >= end {
                break;
            }
        }
        s.advance()?;
    }
    s.tally(tally);
    Ok((out, counted.unwrap_or(seen)))
}

/// Answers a search with substring filters: scans the library's text column for each filter
/// (the matches of all of them, date-bounded), then either takes the page straight from the
/// matches' positions (no other filter) or walks the groups keeping only matching assets.
fn walk_texts(
    txn: &ReadTransaction,
    plan: &Plan,
    offset: u64,
    limit: u32,
    tally: &mut Tally,
) -> Result<(Vec<Match>, u64)> {
    let column = txn.open_table(tables::TEXT_COLUMN)?;
    let mut found: Option<Vec<Match>> = None;
    for (field, needle) in &plan.texts {
        let finder = memmem::Finder::new(needle.as_bytes());
        let keep: Option<HashSet<u64>> = found.as_ref().map(|f| f.iter().map(|m| m.key).collect());
        let (lower, upper) = facets::block_range(*field, plan.lib_key);
        let mut next = Vec::new();
        for row in column.range::<&[u8]>(lower.as_slice()..upper.as_slice())? {
            let (_, v) = row?;
            tally.index_entries += 1;
            for r in facets::rows(v.value()) {
                let r = r?;
                if finder.find(r.text).is_none()
                    || keep.as_ref().is_some_and(|k| !k.contains(&r.key))
                    || !plan.filter.matches(keys::position_time(r.pos), r.offset)
                {
                    continue;
                }
                next.push(Match {
                    pos: r.pos.to_vec(),
                    key: r.key,
                });
            }
        }
        found = Some(next);
    }
    let mut found = found.unwrap_or_default();
    if plan.groups != [Group::Library(plan.lib_key)] || !plan.except.is_empty() {
        let set: HashSet<u64> = found.iter().map(|m| m.key).collect();
        return walk_groups(txn, plan, Some(&set), offset, limit, tally);
    }
    // Only the library: the matches are the answer. Put the page's entries in place (newest
    // first) without sorting the rest.
    let total = found.len() as u64;
    let start = offset.min(total) as usize;
    let end = (offset + u64::from(limit)).min(total) as usize;
    if start < end {
        let newest_first = |a: &Match, b: &Match| b.pos.cmp(&a.pos);
        if start > 0 {
            found.select_nth_unstable_by(start, newest_first);
        }
        let tail = &mut found[start..];
        if end - start < tail.len() {
            tail.select_nth_unstable_by(end - start, newest_first);
        }
        tail[..end - start].sort_unstable_by(newest_first);
    }
    Ok((found.drain(start..end).collect(), total))
}
