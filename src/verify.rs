//! `Catalog::verify`: checks a catalogue against its own records, as SQLite's
//! `PRAGMA integrity_check` does, and says in words what differs.
//!
//! The records are the truth: asset records (with their faces), the library, album and person
//! records, and the album links. Everything else is derived from them and maintained by each
//! write in the same transaction, and `verify` checks it:
//!
//! * **Records and id maps.** Every record decodes; every public id maps to its record and
//!   every map entry to a record with that id (assets, libraries, albums, people); every face
//!   id maps to the asset that holds the face; every checksum entry points at the asset that
//!   has that checksum, and every checksum has its entry; every album link joins an existing
//!   asset and album of one library; every face's person exists; every key allocator is past
//!   the keys in use; the interned facet values are distinct.
//! * **Derived structures**, rebuilt from the records into a scratch catalogue (a temporary
//!   file, deleted at the end) by the same functions the writes use, then compared entry by
//!   entry with the stored ones: the list index (every entry present, none extra, each at its
//!   position with its asset and offset), its entry and day counts and posting bitmaps, the
//!   text column, the person links and people's `asset_count`, and the Immich indexes (order,
//!   block counts, the random pool, device and SHA-1 look-ups).
//!
//! `verify` reads one snapshot: readers and the writer go on while it runs, and it never
//! writes to the catalogue. It costs about what rebuilding every index costs (minutes at
//! 10^6 assets) and scratch space about the size of the indexes.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;

use redb::{ReadTransaction, ReadableTable};

use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::storage::codec::{self, AlbumRecord, AssetRecord, LibraryRecord, PersonRecord};
use crate::storage::keys;
use crate::storage::places::Place;
use crate::storage::{immich_keys as ik, tables};

/// At most this many problems are described; the rest are counted.
pub const MAX_PROBLEMS: usize = 1000;

/// What [`Catalog::verify`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// Each problem in words, with the ids concerned (at most [`MAX_PROBLEMS`]).
    pub problems: Vec<String>,
    /// The number of problems found (more than `problems.len()` when some were not described).
    pub problem_count: u64,
    /// What was checked: records, links and entries by kind.
    pub counts: BTreeMap<&'static str, u64>,
}

impl VerifyReport {
    /// True when nothing is wrong.
    pub fn is_ok(&self) -> bool {
        self.problem_count == 0
    }
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_ok() {
            write!(f, "ok")?;
        } else {
            write!(f, "{} problem(s)", self.problem_count)?;
        }
        let checked: Vec<String> = self
            .counts
            .iter()
            .map(|(k, v)| format!("{v} {k}"))
            .collect();
        write!(f, " (checked {})", checked.join(", "))?;
        for p in &self.problems {
            write!(f, "\n- {p}")?;
        }
        let hidden = self.problem_count - self.problems.len() as u64;
        if hidden > 0 {
            write!(f, "\n- ... and {hidden} more")?;
        }
        Ok(())
    }
}

impl Catalog {
    /// Checks the catalogue against its records and returns what differs (see the module
    /// [`crate::verify`] for every check). A catalogue written only by photocat is always
    /// clean; a problem means the file was damaged (or written by a faulty version) and is
    /// described with the ids concerned.
    ///
    /// It reads one committed snapshot, so readers and the writer go on meanwhile, and it
    /// never writes to the catalogue. The rebuild it compares against is made in a scratch
    /// file in the system's temporary folder (`TMPDIR`), deleted at the end.
    ///
    /// ```
    /// # fn main() -> photocat::Result<()> {
    /// let cat = photocat::Catalog::in_memory()?;
    /// cat.add_assets(vec![photocat::NewAsset::default()], Default::default())?;
    /// let report = cat.verify()?;
    /// assert!(report.is_ok(), "{report}");
    /// assert_eq!(report.counts["assets"], 1);
    /// # Ok(()) }
    /// ```
    pub fn verify(&self) -> Result<VerifyReport> {
        let rtxn = self.begin_read()?;
        let mut found = Found::default();
        let names = Names::check(&rtxn, &mut found)?;
        let skip = check_assets(&rtxn, &names, &mut found)?;
        check_links(&rtxn, &names, &mut found)?;
        check_counters(&rtxn, &names, &mut found)?;
        check_facet_values(&rtxn, &mut found)?;
        compare_derived(&rtxn, &names, &skip, &mut found)?;
        let mut counts = found.counts;
        counts.insert("libraries", names.libraries.len() as u64);
        counts.insert("albums", names.albums.len() as u64);
        counts.insert("people", names.people.len() as u64);
        Ok(VerifyReport {
            problems: found.problems,
            problem_count: found.total,
            counts,
        })
    }
}

/// Problems found so far, and what was checked.
#[derive(Default)]
struct Found {
    problems: Vec<String>,
    total: u64,
    counts: BTreeMap<&'static str, u64>,
}

impl Found {
    fn add(&mut self, problem: String) {
        self.total += 1;
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(problem);
        }
    }

    fn checked(&mut self, what: &'static str, n: u64) {
        *self.counts.entry(what).or_default() += n;
    }
}

fn storage(e: impl Into<redb::Error>) -> Error {
    Error::Storage(e.into())
}

/// The public ids of the libraries, albums and people (by internal key), checked against
/// their id maps; asset ids are read from the records when a message needs one.
struct Names {
    libraries: HashMap<u32, String>,
    albums: HashMap<u32, AlbumRecord>,
    people: HashMap<u32, PersonRecord>,
    /// The asset records, read when a message names an asset.
    assets_table: redb::ReadOnlyTable<u64, &'static [u8]>,
}

/// Checks one kind of small record and its id map both ways; returns the decoded records.
fn check_kind<T: serde::de::DeserializeOwned>(
    rtxn: &ReadTransaction,
    kind: &str,
    records: redb::TableDefinition<u32, &'static [u8]>,
    ids: redb::TableDefinition<&'static str, u32>,
    id_of: impl Fn(&T) -> &str,
    found: &mut Found,
) -> Result<HashMap<u32, T>> {
    let mut out = HashMap::new();
    let map = rtxn.open_table(ids)?;
    for row in rtxn.open_table(records)?.iter()? {
        let (k, v) = row?;
        let key = k.value();
        match codec::decode::<T>(v.value()) {
            Ok(rec) => {
                let id = id_of(&rec);
                match map.get(id)?.map(|g| g.value()) {
                    Some(k2) if k2 == key => {}
                    Some(k2) => found.add(format!(
                        "{kind} {id:?}: its id maps to {kind} key {k2}, not to its record (key {key})"
                    )),
                    None => found.add(format!("{kind} {id:?}: its id is missing from the id map")),
                }
                out.insert(key, rec);
            }
            Err(e) => found.add(format!("{kind} record key {key} does not decode: {e}")),
        }
    }
    for row in map.iter()? {
        let (id, k) = row?;
        let (id, key) = (id.value(), k.value());
        match out.get(&key) {
            Some(rec) if id_of(rec) == id => {}
            Some(rec) => found.add(format!(
                "{kind} id map: {id:?} points at key {key}, whose record is {:?}",
                id_of(rec)
            )),
            None => found.add(format!(
                "{kind} id map: {id:?} points at key {key}, which holds no {kind}"
            )),
        }
    }
    Ok(out)
}

impl Names {
    fn check(rtxn: &ReadTransaction, found: &mut Found) -> Result<Names> {
        let libraries = check_kind::<LibraryRecord>(
            rtxn,
            "library",
            tables::LIBRARIES,
            tables::LIBRARY_IDS,
            |r| &r.id,
            found,
        )?
        .into_iter()
        .map(|(k, r)| (k, r.id))
        .collect::<HashMap<_, _>>();
        let albums = check_kind::<AlbumRecord>(
            rtxn,
            "album",
            tables::ALBUMS,
            tables::ALBUM_IDS,
            |r| &r.id,
            found,
        )?;
        for a in albums.values() {
            if !libraries.contains_key(&a.library) {
                found.add(format!(
                    "album {:?} belongs to library key {}, which does not exist",
                    a.id, a.library
                ));
            }
        }
        let people = check_kind::<PersonRecord>(
            rtxn,
            "person",
            tables::PEOPLE,
            tables::PERSON_IDS,
            |r| &r.id,
            found,
        )?;
        Ok(Names {
            libraries,
            albums,
            people,
            assets_table: rtxn.open_table(tables::ASSETS)?,
        })
    }

    fn library(&self, key: u32) -> String {
        match self.libraries.get(&key) {
            Some(id) => format!("library {id:?}"),
            None => format!("library key {key} (no record)"),
        }
    }

    fn album(&self, key: u32) -> String {
        match self.albums.get(&key) {
            Some(a) => format!("album {:?}", a.id),
            None => format!("album key {key} (no record)"),
        }
    }

    fn person(&self, key: u32) -> String {
        match self.people.get(&key) {
            Some(p) => format!("person {:?}", p.id),
            None => format!("person key {key} (no record)"),
        }
    }

    /// An asset named by its public id, read from its record.
    fn asset(&self, key: u64) -> String {
        let id = self.assets_table.get(key).ok().flatten().and_then(|v| {
            crate::storage::fast::AssetRef::parse(v.value())
                .ok()
                .map(|r| r.id.to_owned())
        });
        match id {
            Some(id) => format!("asset {id:?}"),
            None => format!("asset key {key} (no record)"),
        }
    }

    /// A checksum entry's key (`library | kind | digest | [0 owner]`) in words.
    fn checksum(&self, k: &[u8]) -> String {
        use base64::Engine;
        let library = k
            .get(..4)
            .and_then(|b| b.try_into().ok())
            .map_or(0, u32::from_be_bytes);
        let (kind, len) = match k.get(4) {
            Some(1) => ("checksum", 32),
            Some(2) => ("checksum_sha1", 20),
            _ => return format!("a malformed checksum entry {}", hex(k)),
        };
        let Some(digest) = k.get(5..5 + len) else {
            return format!("a malformed checksum entry {}", hex(k));
        };
        let owner = match k.get(6 + len..) {
            Some(o) if !o.is_empty() => format!(", owner {:?}", String::from_utf8_lossy(o)),
            _ => String::new(),
        };
        format!(
            "the {kind} entry {} of {}{owner}",
            base64::engine::general_purpose::STANDARD.encode(digest),
            self.library(library)
        )
    }

    /// A list-index `group | part` prefix in words.
    fn prefix(&self, k: &[u8]) -> String {
        let Some(len) = keys::prefix_len(k) else {
            return format!("a key of no known group ({k:02x?})");
        };
        let u32_at = |i: usize| u32::from_be_bytes(k[i..i + 4].try_into().unwrap_or([0; 4]));
        let group = match k[0] {
            1 => self.library(u32_at(1)),
            2 => self.album(u32_at(1)),
            3 => format!("{} in {}", self.person(u32_at(1)), self.library(u32_at(5))),
            _ => format!(
                "search facet (field {}, value key {}) of {}",
                k[5],
                u32_at(6),
                self.library(u32_at(1))
            ),
        };
        let part = match k[len - 1] {
            0 => "live",
            1 => "trashed (by local time)",
            2 => "trashed (by trash time)",
            _ => "unknown part",
        };
        format!("{group}, {part}")
    }

    /// A list-index key in words: the range and the asset id it carries.
    fn list_key(&self, k: &[u8]) -> String {
        let Some(len) = keys::prefix_len(k) else {
            return format!("a key of no known group ({k:02x?})");
        };
        let id = k
            .get(len + 8..)
            .map(String::from_utf8_lossy)
            .unwrap_or_default();
        let time = k
            .get(len..len + 8)
            .and_then(|b| b.try_into().ok())
            .map(keys::time_from_bytes)
            .and_then(chrono::DateTime::from_timestamp_micros)
            .map(|t| t.naive_utc().to_string())
            .unwrap_or_default();
        format!("asset {id:?} at {time} in {}", self.prefix(k))
    }
}

/// Checks every asset record: it decodes, its id map entry, its library, its faces (ids and
/// people) and its checksum entries; then the id, face and checksum maps the other way.
/// Returns the keys of the records that do not decode.
fn check_assets(rtxn: &ReadTransaction, names: &Names, found: &mut Found) -> Result<HashSet<u64>> {
    let ids = rtxn.open_table(tables::ASSET_PLACES)?;
    let faces = rtxn.open_table(tables::FACE_IDS)?;
    let sums = rtxn.open_table(tables::CHECKSUMS)?;
    let mut skip = HashSet::new();
    let mut n = 0u64;
    let mut face_count = 0u64;
    for row in names.assets_table.iter()? {
        let (k, v) = row?;
        let key = k.value();
        n += 1;
        let rec = match crate::storage::fast::asset_record(v.value()) {
            Ok(r) => r,
            Err(e) => {
                found.add(format!("asset record key {key} does not decode: {e}"));
                skip.insert(key);
                continue;
            }
        };
        let id = &rec.id;
        match ids.get(id.as_str())?.map(|g| Place::decode(g.value())) {
            Some(Ok(p)) if p == Place::of(key, &rec) => {}
            Some(Ok(p)) if p.key == key => found.add(format!(
                "asset {id:?}: its place in the id map ({p:?}) is not its record's ({:?})",
                Place::of(key, &rec)
            )),
            Some(Ok(p)) => found.add(format!(
                "asset {id:?}: its id maps to asset key {}, not to its record (key {key})",
                p.key
            )),
            Some(Err(_)) => {} // reported below, from the map's side
            None => found.add(format!("asset {id:?}: its id is missing from the id map")),
        }
        if !names.libraries.contains_key(&rec.library) {
            found.add(format!(
                "asset {id:?} belongs to library key {}, which does not exist",
                rec.library
            ));
        }
        for f in &rec.faces {
            face_count += 1;
            match faces.get(f.id.as_str())?.map(|g| g.value()) {
                Some(k2) if k2 == key => {}
                Some(k2) => found.add(format!(
                    "face {:?} of asset {id:?}: its id maps to {}",
                    f.id,
                    names.asset(k2)
                )),
                None => found.add(format!(
                    "face {:?} of asset {id:?}: its id is missing from the face map",
                    f.id
                )),
            }
            if let Some(p) = f.person {
                if !names.people.contains_key(&p) {
                    found.add(format!(
                        "face {:?} of asset {id:?} names person key {p}, which does not exist",
                        f.id
                    ));
                }
            }
        }
        for (ck, field) in crate::write::dedup::checksum_keys(&rec) {
            match sums.get(ck.as_slice())?.map(|g| g.value()) {
                Some(k2) if k2 == key => {}
                Some(k2) => found.add(format!(
                    "asset {id:?}: the entry of its {field} points at {}",
                    names.asset(k2)
                )),
                None => found.add(format!("asset {id:?}: the entry of its {field} is missing")),
            }
        }
    }
    found.checked("faces", face_count);
    // The maps the other way: every entry points at a record that has it.
    for row in ids.iter()? {
        let (id, v) = row?;
        let id = id.value();
        let place = match Place::decode(v.value()) {
            Ok(p) => p,
            Err(e) => {
                found.add(format!(
                    "asset id map: the place of {id:?} does not decode: {e}"
                ));
                continue;
            }
        };
        let key = place.key;
        match record(names, key)? {
            Some(r) if r.id == id => {}
            Some(r) => found.add(format!(
                "asset id map: {id:?} points at key {key}, whose record is {:?}",
                r.id
            )),
            None if skip.contains(&key) => {}
            None => found.add(format!(
                "asset id map: {id:?} points at key {key}, which holds no asset"
            )),
        }
    }
    for row in faces.iter()? {
        let (id, k) = row?;
        let (id, key) = (id.value(), k.value());
        match record(names, key)? {
            Some(r) if r.faces.iter().any(|f| f.id == id) => {}
            Some(r) => found.add(format!(
                "face map: face {id:?} points at asset {:?}, which has no such face",
                r.id
            )),
            None if skip.contains(&key) => {}
            None => found.add(format!(
                "face map: face {id:?} points at asset key {key}, which holds no asset"
            )),
        }
    }
    let mut sum_count = 0u64;
    for row in sums.iter()? {
        let (ck, k) = row?;
        let (ck, key) = (ck.value(), k.value());
        sum_count += 1;
        match record(names, key)? {
            Some(r)
                if crate::write::dedup::checksum_keys(&r)
                    .iter()
                    .any(|(x, _)| x == ck) => {}
            Some(r) => found.add(format!(
                "{} points at asset {:?}, which does not have that checksum",
                names.checksum(ck),
                r.id
            )),
            None if skip.contains(&key) => {}
            None => found.add(format!(
                "{} points at asset key {key}, which holds no asset",
                names.checksum(ck)
            )),
        }
    }
    found.checked("checksum entries", sum_count);
    found.checked("assets", n);
    Ok(skip)
}

/// The decoded record at `key`, if one exists and decodes.
fn record(names: &Names, key: u64) -> Result<Option<AssetRecord>> {
    Ok(match names.assets_table.get(key)? {
        Some(v) => crate::storage::fast::asset_record(v.value()).ok(),
        None => None,
    })
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Every album link joins an asset and an album that exist, in one library.
fn check_links(rtxn: &ReadTransaction, names: &Names, found: &mut Found) -> Result<()> {
    let mut n = 0u64;
    for row in rtxn.open_table(tables::ASSET_ALBUMS)?.iter()? {
        let (k, _) = row?;
        let (asset, album) = k.value();
        n += 1;
        let a = names.albums.get(&album);
        match (record(names, asset)?, a) {
            (Some(r), Some(a)) if r.library == a.library => {}
            (Some(r), Some(a)) => found.add(format!(
                "album link: asset {:?} ({}) is in album {:?} of {}",
                r.id,
                names.library(r.library),
                a.id,
                names.library(a.library)
            )),
            (None, _) if names.assets_table.get(asset)?.is_some() => {} // undecodable: reported
            (None, _) => found.add(format!(
                "album link: {} links asset key {asset}, which holds no asset",
                names.album(album)
            )),
            (Some(r), None) => found.add(format!(
                "album link: asset {:?} is linked to album key {album}, which does not exist",
                r.id
            )),
        }
    }
    found.checked("album links", n);
    Ok(())
}

/// Every key allocator is past the greatest key in use.
fn check_counters(rtxn: &ReadTransaction, names: &Names, found: &mut Found) -> Result<()> {
    let counters = rtxn.open_table(tables::COUNTERS)?;
    let last_asset = names.assets_table.last()?.map(|(k, _)| k.value());
    let kinds: [(&str, Option<u64>); 4] = [
        (tables::counter::ASSET, last_asset),
        (
            tables::counter::LIBRARY,
            names.libraries.keys().max().map(|&k| u64::from(k)),
        ),
        (
            tables::counter::ALBUM,
            names.albums.keys().max().map(|&k| u64::from(k)),
        ),
        (
            tables::counter::PERSON,
            names.people.keys().max().map(|&k| u64::from(k)),
        ),
    ];
    for (name, max) in kinds {
        let Some(max) = max else { continue };
        match counters.get(name)?.map(|g| g.value()) {
            Some(next) if next > max => {}
            Some(next) => found.add(format!(
                "key allocator {name:?} would hand out key {next} again (key {max} is in use)"
            )),
            None => found.add(format!(
                "key allocator {name:?} is missing while key {max} is in use"
            )),
        }
    }
    Ok(())
}

/// The interned facet values are distinct and below the next value key.
fn check_facet_values(rtxn: &ReadTransaction, found: &mut Found) -> Result<()> {
    let table = rtxn.open_table(tables::FACET_VALUES)?;
    let next = table.get(crate::facets::NEXT_VALUE_KEY)?.map(|g| g.value());
    let mut seen: HashMap<u32, Vec<u8>> = HashMap::new();
    for row in table.iter()? {
        let (k, v) = row?;
        let (k, v) = (k.value(), v.value());
        if k.is_empty() {
            continue;
        }
        if let Some(other) = seen.insert(v, k.to_vec()) {
            found.add(format!(
                "facet values {} and {} share the key {v}",
                String::from_utf8_lossy(&other[1..]),
                String::from_utf8_lossy(&k[1..])
            ));
        }
        if next.is_none_or(|n| v >= n) {
            found.add(format!(
                "facet value {} has key {v}, not below the next key to hand out ({next:?})",
                String::from_utf8_lossy(&k[1..])
            ));
        }
    }
    found.checked("facet values", seen.len() as u64);
    Ok(())
}

/// One difference between a stored table and the rebuild.
enum Diff<K, V> {
    Missing(K, V),
    Extra(K, V),
    Wrong(K, V, V),
}

/// Walks two sorted row streams (stored, expected) together and reports their differences.
fn diff<K: Ord, V: PartialEq>(
    stored: impl Iterator<Item = Result<(K, V)>>,
    expected: impl Iterator<Item = Result<(K, V)>>,
    mut on: impl FnMut(Diff<K, V>),
) -> Result<u64> {
    let mut s = stored.peekable();
    let mut e = expected.peekable();
    let mut n = 0u64;
    loop {
        let order = match (s.peek(), e.peek()) {
            (None, None) => return Ok(n),
            (Some(Err(_)), _) => {
                return Err(s
                    .next()
                    .and_then(|r| r.err())
                    .unwrap_or_else(|| Error::Corrupt("a table read failed".into())))
            }
            (_, Some(Err(_))) => {
                return Err(e
                    .next()
                    .and_then(|r| r.err())
                    .unwrap_or_else(|| Error::Corrupt("a table read failed".into())))
            }
            (Some(Ok(a)), Some(Ok(b))) => a.0.cmp(&b.0),
            (Some(Ok(_)), None) => std::cmp::Ordering::Less,
            (None, Some(Ok(_))) => std::cmp::Ordering::Greater,
        };
        match order {
            std::cmp::Ordering::Less => {
                if let Some(Ok((k, v))) = s.next() {
                    n += 1;
                    on(Diff::Extra(k, v));
                }
            }
            std::cmp::Ordering::Greater => {
                if let Some(Ok((k, v))) = e.next() {
                    on(Diff::Missing(k, v));
                }
            }
            std::cmp::Ordering::Equal => {
                if let (Some(Ok((k, a))), Some(Ok((_, b)))) = (s.next(), e.next()) {
                    n += 1;
                    if a != b {
                        on(Diff::Wrong(k, a, b));
                    }
                }
            }
        }
    }
}

/// The rows of a table, owned, in key order.
fn rows<'t, K, V, O>(
    table: &'t impl ReadableTable<K, V>,
    f: impl Fn(K::SelfType<'_>, V::SelfType<'_>) -> O + 't,
) -> Result<impl Iterator<Item = Result<O>> + 't>
where
    K: redb::Key + 'static,
    V: redb::Value + 'static,
{
    Ok(table
        .iter()?
        .map(move |r| r.map(|(k, v)| f(k.value(), v.value())).map_err(storage)))
}

type Bytes = Vec<u8>;

/// Rebuilds every derived structure from the records in a scratch catalogue and compares it
/// with the stored one.
fn compare_derived(
    rtxn: &ReadTransaction,
    names: &Names,
    skip: &HashSet<u64>,
    found: &mut Found,
) -> Result<()> {
    let dir = tempfile::Builder::new()
        .prefix(".photocat-verify-")
        .tempdir()?;
    let scratch = redb::Database::create(dir.path().join("scratch.redb"))?;
    let wtxn = scratch.begin_write()?;
    crate::catalog::create_tables(&wtxn)?;
    {
        let mut people = wtxn.open_table(tables::PEOPLE)?;
        for (&k, p) in &names.people {
            let zero = PersonRecord {
                asset_count: 0,
                ..p.clone()
            };
            people.insert(k, codec::encode(&zero)?.as_slice())?;
        }
        let mut values = wtxn.open_table(tables::FACET_VALUES)?;
        for row in rtxn.open_table(tables::FACET_VALUES)?.iter()? {
            let (k, v) = row?;
            values.insert(k.value(), v.value())?;
        }
    }
    crate::index::rebuild_from(
        &wtxn,
        &names.assets_table,
        &rtxn.open_table(tables::ASSET_ALBUMS)?,
        skip,
    )?;
    compare_tables(rtxn, &wtxn, names, found)?;
    wtxn.abort()?;
    drop(scratch);
    dir.close()?;
    Ok(())
}

/// One `&[u8]`-keyed table of the snapshot against the rebuild's: the rows (values mapped by
/// `value`, keys for which `skip` is true left out) are walked together, `on` is called with
/// each difference, and the stored rows are counted as checked under `what`.
#[allow(clippy::too_many_arguments)]
fn compare<V, O>(
    rtxn: &ReadTransaction,
    wtxn: &redb::WriteTransaction,
    def: redb::TableDefinition<&'static [u8], V>,
    what: &'static str,
    value: impl Fn(V::SelfType<'_>) -> O + Copy,
    skip: impl Fn(&[u8]) -> bool + Copy,
    found: &mut Found,
    mut on: impl FnMut(&mut Found, Diff<Bytes, O>),
) -> Result<()>
where
    V: redb::Value + 'static,
    O: PartialEq,
{
    let stored = rtxn.open_table(def)?;
    let expected = wtxn.open_table(def)?;
    let kept = |r: &Result<(Bytes, O)>| !matches!(r, Ok((k, _)) if skip(k));
    let n = diff(
        rows(&stored, |k: &[u8], v: V::SelfType<'_>| {
            (k.to_vec(), value(v))
        })?
        .filter(kept),
        rows(&expected, |k: &[u8], v: V::SelfType<'_>| {
            (k.to_vec(), value(v))
        })?
        .filter(kept),
        |d| on(found, d),
    )?;
    found.checked(what, n);
    Ok(())
}

fn no_skip(_: &[u8]) -> bool {
    false
}

fn bytes(v: &[u8]) -> Bytes {
    v.to_vec()
}

fn count(v: u64) -> u64 {
    v
}

impl<K, V> Diff<K, V> {
    fn key(&self) -> &K {
        match self {
            Diff::Missing(k, _) | Diff::Extra(k, _) | Diff::Wrong(k, _, _) => k,
        }
    }

    /// What is wrong with the stored row, in words (`wrong`: of a row whose value differs).
    fn words(&self, wrong: &'static str) -> &'static str {
        match self {
            Diff::Missing(..) => "missing",
            Diff::Extra(..) => "extra (no record implies it)",
            Diff::Wrong(..) => wrong,
        }
    }
}

impl<K> Diff<K, u64> {
    /// The stored and the rebuilt count (0 for no row).
    fn counts(&self) -> (u64, u64) {
        match *self {
            Diff::Missing(_, b) => (0, b),
            Diff::Extra(_, a) => (a, 0),
            Diff::Wrong(_, a, b) => (a, b),
        }
    }
}

/// The 4-byte big-endian number that ends a key (a day or a block), if the key is long enough.
fn last_4(k: &[u8]) -> Option<[u8; 4]> {
    k.len().checked_sub(4).and_then(|i| k[i..].try_into().ok())
}

/// Compares every derived table of the snapshot with the rebuild in `wtxn`.
fn compare_tables(
    rtxn: &ReadTransaction,
    wtxn: &redb::WriteTransaction,
    names: &Names,
    found: &mut Found,
) -> Result<()> {
    // The list index and what is counted from it.
    let entry = |v: &[u8]| match keys::decode_value(v, 0) {
        Some(e) => format!(
            "{} with offset {}",
            names.asset(e.asset),
            e.offset.map_or("unknown".into(), |o| format!("{o} s"))
        ),
        None => format!("malformed value {}", hex(v)),
    };
    let (t, w) = (rtxn, wtxn);
    compare(
        t,
        w,
        tables::LIST_INDEX,
        "list-index entries",
        bytes,
        no_skip,
        found,
        |f, d| {
            let at = names.list_key(d.key());
            f.add(match d {
                Diff::Missing(..) => format!("list index: the entry of {at} is missing"),
                Diff::Extra(_, v) => format!(
                    "list index: an extra entry for {at} ({}), which no record implies",
                    entry(&v)
                ),
                Diff::Wrong(_, a, b) => format!(
                    "list index: the entry of {at} holds {}, its record says {}",
                    entry(&a),
                    entry(&b)
                ),
            })
        },
    )?;
    compare(
        t,
        w,
        tables::LIST_COUNTS,
        "list counts",
        count,
        no_skip,
        found,
        |f, d| {
            let (a, b) = d.counts();
            let range = names.prefix(d.key());
            f.add(format!(
                "list count: {range} is counted as {a}, the records give {b}"
            ))
        },
    )?;
    compare(
        t,
        w,
        tables::DAY_COUNTS,
        "day counts",
        count,
        no_skip,
        found,
        |f, d| {
            let (a, b) = d.counts();
            let day = last_4(d.key())
                .map(keys::day_from_bytes)
                .and_then(|d| chrono::NaiveDate::from_num_days_from_ce_opt(d + 719_163))
                .map(|d| d.to_string())
                .unwrap_or_default();
            let range = names.prefix(d.key());
            f.add(format!(
                "day count: {range} on {day} is counted as {a}, the records give {b}"
            ))
        },
    )?;
    fn set(v: &[u8]) -> Option<Vec<u32>> {
        crate::index::posting_decode(v)
            .ok()
            .map(|s| s.iter().collect())
    }
    compare(
        t,
        w,
        tables::POSTINGS,
        "posting bitmaps",
        set,
        no_skip,
        found,
        |f, d| {
            let what = match &d {
                Diff::Wrong(_, None, _) => "undecodable",
                d => d.words("not the set of the range's assets"),
            };
            let block = last_4(d.key()).map_or(0, u32::from_be_bytes);
            let range = names.prefix(d.key());
            f.add(format!("posting bitmap of {range}, block {block}: {what}"))
        },
    )?;
    compare(
        t,
        w,
        tables::TEXT_COLUMN,
        "text-column blocks",
        bytes,
        no_skip,
        found,
        |f, d| {
            let k = d.key();
            let lib = k
                .get(1..5)
                .and_then(|b| b.try_into().ok())
                .map_or(0, u32::from_be_bytes);
            let block = k
                .get(5..13)
                .and_then(|b| b.try_into().ok())
                .map_or(0, u64::from_be_bytes);
            let field = if k.first() == Some(&(crate::facets::TextField::FileName as u8)) {
                "file names"
            } else {
                "descriptions"
            };
            f.add(format!(
                "text column of {field} in {}, block {block}: {}",
                names.library(lib),
                d.words("not what the records hold")
            ))
        },
    )?;

    // Person links and counts.
    let stored = rtxn.open_table(tables::PERSON_ASSETS)?;
    let expected = wtxn.open_table(tables::PERSON_ASSETS)?;
    let n = diff(
        rows(&stored, |k: (u32, u64), _: ()| (k, ()))?,
        rows(&expected, |k: (u32, u64), _: ()| (k, ()))?,
        |d| match d {
            Diff::Missing((p, a), _) => found.add(format!(
                "person link: {} has a face of {} but no link",
                names.asset(a),
                names.person(p)
            )),
            Diff::Extra((p, a), _) | Diff::Wrong((p, a), _, _) => found.add(format!(
                "person link: {} is linked to {} but has no face of them",
                names.asset(a),
                names.person(p)
            )),
        },
    )?;
    found.checked("person links", n);
    let rebuilt = wtxn.open_table(tables::PEOPLE)?;
    for (k, p) in &names.people {
        let want = match rebuilt.get(*k)? {
            Some(v) => codec::decode::<PersonRecord>(v.value())?.asset_count,
            None => 0,
        };
        if p.asset_count != want {
            found.add(format!(
                "person {:?}: asset_count is {}, the records give {want}",
                p.id, p.asset_count
            ));
        }
    }

    compare_immich(rtxn, wtxn, names, found)
}

/// An owner scope in words.
fn scope_words(scope: &[u8]) -> String {
    match ik::scope_len(scope) {
        Some(1) => "no owner".into(),
        Some(len) => format!("owner {:?}", String::from_utf8_lossy(&scope[5..len])),
        None => "a malformed scope".into(),
    }
}

/// The asset key that ends a device or SHA-1 look-up key.
fn tail_asset(k: &[u8]) -> u64 {
    k.len()
        .checked_sub(8)
        .and_then(|i| k[i..].try_into().ok())
        .map_or(0, u64::from_be_bytes)
}

/// The Immich-side indexes against their rebuild.
fn compare_immich(
    rtxn: &ReadTransaction,
    wtxn: &redb::WriteTransaction,
    names: &Names,
    found: &mut Found,
) -> Result<()> {
    let (t, w) = (rtxn, wtxn);
    compare(
        t,
        w,
        tables::IMMICH_ORDER,
        "Immich order entries",
        bytes,
        no_skip,
        found,
        |f, d| {
            let k = d.key();
            let at = match ik::scope_len(k) {
                Some(len) => format!(
                    "asset {:?} of {}",
                    k.get(len + 9..)
                        .map(String::from_utf8_lossy)
                        .unwrap_or_default(),
                    scope_words(&k[..len])
                ),
                None => format!("a malformed key {}", hex(k)),
            };
            f.add(format!(
                "Immich order: the entry of {at} is {}",
                d.words("holding the wrong asset key or updated_at")
            ))
        },
    )?;

    // Block counts; the updated_at bounds only widen, so they must enclose the rebuilt ones.
    let bounds = |t: &dyn Fn(&[u8]) -> Result<Option<i64>>| -> Result<(Option<i64>, Option<i64>)> {
        Ok((t(ik::UPDATED_MIN)?, t(ik::UPDATED_MAX)?))
    };
    let stored = rtxn.open_table(tables::IMMICH_BLOCKS)?;
    let expected = wtxn.open_table(tables::IMMICH_BLOCKS)?;
    let (s_lo, s_hi) = bounds(&|k| Ok(stored.get(k)?.map(|v| v.value() as i64)))?;
    let (e_lo, e_hi) = bounds(&|k| Ok(expected.get(k)?.map(|v| v.value() as i64)))?;
    drop((stored, expected));
    if let (Some(e_lo), Some(e_hi)) = (e_lo, e_hi) {
        if !(s_lo.is_some_and(|s| s <= e_lo) && s_hi.is_some_and(|s| s >= e_hi)) {
            found.add(format!(
                "Immich updated_at bounds {s_lo:?}..{s_hi:?} do not enclose the records' {e_lo}..{e_hi}"
            ));
        }
    }
    fn is_bound(k: &[u8]) -> bool {
        k == ik::UPDATED_MIN || k == ik::UPDATED_MAX
    }
    compare(
        t,
        w,
        tables::IMMICH_BLOCKS,
        "Immich block counts",
        count,
        is_bound,
        found,
        |f, d| {
            let (a, b) = d.counts();
            let k = d.key();
            let place = match ik::split_block_key(k) {
                Some((scope, flags, bucket)) => format!(
                    "level {} bucket {bucket} of {} (flags {flags})",
                    k[0],
                    scope_words(scope)
                ),
                None => format!("malformed key {}", hex(k)),
            };
            f.add(format!(
                "Immich block count of {place} is {a}, the records give {b}"
            ))
        },
    )?;

    // Device and SHA-1 look-ups.
    compare(
        t,
        w,
        tables::DEVICE_INDEX,
        "device entries",
        |v: u8| v,
        no_skip,
        found,
        |f, d| {
            f.add(format!(
                "device look-up: the entry of {} is {}",
                names.asset(tail_asset(d.key())),
                d.words("holding the wrong trashed or hidden bits")
            ))
        },
    )?;
    compare(
        t,
        w,
        tables::SHA1_INDEX,
        "SHA-1 entries",
        bytes,
        no_skip,
        found,
        |f, d| {
            let k = d.key();
            f.add(format!(
                "SHA-1 look-up: the entry of {} ({}) is {}",
                names.asset(tail_asset(k)),
                hex(&k[..k.len().min(20)]),
                d.words("holding the wrong trashed bit or id")
            ))
        },
    )?;

    // The random pool: positions are dense per scope and the slots agree; the members are
    // compared as sets (a removal moves the last member into the hole, so positions differ
    // from a rebuild's).
    let s = pool_members(
        &rtxn.open_table(tables::RANDOM_POOL)?,
        &rtxn.open_table(tables::RANDOM_SIZES)?,
        &rtxn.open_table(tables::RANDOM_SLOTS)?,
        names,
        Some(found),
    )?;
    let e = pool_members(
        &wtxn.open_table(tables::RANDOM_POOL)?,
        &wtxn.open_table(tables::RANDOM_SIZES)?,
        &wtxn.open_table(tables::RANDOM_SLOTS)?,
        names,
        None,
    )?;
    let scopes: BTreeSet<&Bytes> = s.keys().chain(e.keys()).collect();
    let empty = BTreeSet::new();
    let mut members = 0u64;
    for scope in scopes {
        let (a, b) = (
            s.get(scope).unwrap_or(&empty),
            e.get(scope).unwrap_or(&empty),
        );
        members += a.len() as u64;
        for x in b.difference(a) {
            found.add(format!(
                "random pool of {}: {} is missing",
                scope_words(scope),
                names.asset(*x)
            ));
        }
        for x in a.difference(b) {
            found.add(format!(
                "random pool of {}: {} is there but not eligible",
                scope_words(scope),
                names.asset(*x)
            ));
        }
    }
    found.checked("random pool members", members);
    Ok(())
}

/// The random pool's members per scope. With `found`, also checks that positions are below
/// the scope's size, that each member's slot names its position, and that sizes and slots
/// agree with the members.
fn pool_members(
    pool: &impl ReadableTable<&'static [u8], u64>,
    sizes: &impl ReadableTable<&'static [u8], u64>,
    slots: &impl ReadableTable<u64, u64>,
    names: &Names,
    mut found: Option<&mut Found>,
) -> Result<BTreeMap<Bytes, BTreeSet<u64>>> {
    let mut out: BTreeMap<Bytes, BTreeSet<u64>> = BTreeMap::new();
    let size_of: BTreeMap<Bytes, u64> =
        rows(sizes, |k: &[u8], v: u64| (k.to_vec(), v))?.collect::<Result<_>>()?;
    for row in pool.iter()? {
        let (k, v) = row?;
        let (k, asset) = (k.value(), v.value());
        let Some(len) = ik::scope_len(k) else {
            if let Some(f) = found.as_deref_mut() {
                f.add(format!("random pool: a malformed key {}", hex(k)));
            }
            continue;
        };
        let pos = k
            .get(len..)
            .and_then(|b| b.try_into().ok())
            .map_or(u64::MAX, u64::from_be_bytes);
        if let Some(f) = found.as_deref_mut() {
            let size = size_of.get(&k[..len]).copied().unwrap_or(0);
            if pos >= size {
                f.add(format!(
                    "random pool of {}: {} at position {pos}, beyond the pool's size {size}",
                    scope_words(&k[..len]),
                    names.asset(asset)
                ));
            }
            if slots.get(asset)?.map(|g| g.value()) != Some(pos) {
                f.add(format!(
                    "random pool of {}: the slot of {} does not say position {pos}",
                    scope_words(&k[..len]),
                    names.asset(asset)
                ));
            }
        }
        out.entry(k[..len].to_vec()).or_default().insert(asset);
    }
    if let Some(f) = found {
        for (scope, n) in &size_of {
            let have = out.get(scope).map_or(0, |s| s.len() as u64);
            if have != *n {
                f.add(format!(
                    "random pool of {}: its size says {n}, it holds {have}",
                    scope_words(scope)
                ));
            }
        }
        let members: u64 = out.values().map(|s| s.len() as u64).sum();
        let slot_rows = slots.len()?;
        if slot_rows != members {
            f.add(format!(
                "random pool: {slot_rows} slots for {members} members"
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use redb::ReadableTable;

    use crate::storage::places::Place;
    use crate::storage::{codec, keys, tables};
    use crate::{AddAssets, Catalog, Exif, NewAlbum, NewAsset, NewFace, NewLibrary, NewPerson};

    fn b64(bytes: &[u8]) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    /// A small catalogue with every kind of record: two libraries (one with an owner), people
    /// with faces, an album, checksums, devices, a trashed and an archived asset.
    pub(crate) fn sample() -> Catalog {
        let cat = Catalog::in_memory().unwrap();
        fill(&cat);
        cat
    }

    fn fill(cat: &Catalog) {
        for (id, owner) in [("lib_a", Some("ann")), ("lib_b", None)] {
            cat.create_library(NewLibrary {
                id: Some(id.into()),
                name: id.into(),
                owner_id: owner.map(Into::into),
            })
            .unwrap();
        }
        for p in ["person_a", "person_b"] {
            cat.create_person(NewPerson {
                id: Some(p.into()),
                ..NewPerson::default()
            })
            .unwrap();
        }
        for lib in ["lib_a", "lib_b"] {
            let recs = (0..6u8)
                .map(|i| NewAsset {
                    id: Some(format!("{lib}_asset_{i}")),
                    local_datetime: Some(
                        format!("2023-0{}-1{i}T10:00:00+01:00", 1 + i % 3)
                            .parse()
                            .unwrap(),
                    ),
                    checksum: Some(b64(&[i + if lib == "lib_a" { 0 } else { 100 }; 32])),
                    checksum_sha1: Some(b64(&[i + 7; 20])),
                    device_id: Some("phone".into()),
                    original_file_name: Some(format!("IMG_{i}.JPG")),
                    description: (i % 2 == 0).then(|| "beach".into()),
                    exif: Some(Exif {
                        make: Some(["Canon", "SONY"][usize::from(i % 2)].into()),
                        ..Exif::default()
                    }),
                    faces: (i < 3).then(|| {
                        vec![NewFace {
                            id: Some(format!("{lib}_face_{i}")),
                            person_id: Some(["person_a", "person_b"][usize::from(i % 2)].into()),
                            ..NewFace::default()
                        }]
                    }),
                    ..NewAsset::default()
                })
                .collect();
            cat.add_assets(
                recs,
                AddAssets {
                    library_id: Some(lib.into()),
                    ..AddAssets::default()
                },
            )
            .unwrap();
        }
        cat.create_album(NewAlbum {
            id: Some("album_a".into()),
            name: "A".into(),
            library_id: Some("lib_a".into()),
            ..NewAlbum::default()
        })
        .unwrap();
        cat.add_to_album("album_a", &["lib_a_asset_1", "lib_a_asset_2"])
            .unwrap();
        cat.trash_assets(&["lib_a_asset_3"]).unwrap();
        cat.update_asset(
            "lib_b_asset_4",
            crate::AssetUpdate {
                visibility: Some(crate::Visibility::Archive),
                ..crate::AssetUpdate::default()
            },
        )
        .unwrap();
    }

    /// The test-only hook: damages the catalogue in one committed transaction.
    fn damage(cat: &Catalog, f: impl FnOnce(&redb::WriteTransaction)) {
        let (txn, _) = cat.begin_write().unwrap();
        f(&txn);
        txn.commit().unwrap();
    }

    /// Damage: a person record's `asset_count` set to `n`.
    fn set_asset_count(t: &redb::WriteTransaction, person: &str, n: u64) {
        let mut people = t.open_table(tables::PEOPLE).unwrap();
        let (k, mut p) = people
            .iter()
            .unwrap()
            .map(|r| r.unwrap())
            .map(|(k, v)| {
                (
                    k.value(),
                    codec::decode::<codec::PersonRecord>(v.value()).unwrap(),
                )
            })
            .find(|(_, p)| p.id == person)
            .unwrap();
        p.asset_count = n;
        people
            .insert(k, codec::encode(&p).unwrap().as_slice())
            .unwrap();
    }

    fn key_of(cat: &Catalog, id: &str) -> u64 {
        let txn = cat.begin_read().unwrap();
        let t = txn.open_table(tables::ASSET_PLACES).unwrap();
        let k = Place::decode(t.get(id).unwrap().unwrap().value())
            .unwrap()
            .key;
        k
    }

    /// Verifies and checks that some problem mentions every one of `words`.
    #[track_caller]
    fn finds(cat: &Catalog, words: &[&str]) {
        let report = cat.verify().unwrap();
        assert!(!report.is_ok(), "damage not found");
        assert!(
            report
                .problems
                .iter()
                .any(|p| words.iter().all(|w| p.contains(w))),
            "no problem mentions {words:?}:\n{report}"
        );
    }

    fn list_key_of(cat: &Catalog, id: &str, group_byte: u8) -> Vec<u8> {
        let txn = cat.begin_read().unwrap();
        let t = txn.open_table(tables::LIST_INDEX).unwrap();
        let found = t
            .iter()
            .unwrap()
            .map(|r| r.unwrap().0.value().to_vec())
            .find(|k| k[0] == group_byte && k.ends_with(id.as_bytes()))
            .unwrap();
        found
    }

    #[test]
    fn a_sample_catalogue_is_clean_and_counted() {
        let cat = sample();
        let report = cat.verify().unwrap();
        assert!(report.is_ok(), "{report}");
        assert_eq!(report.counts["assets"], 12);
        assert_eq!(report.counts["libraries"], 2);
        assert_eq!(report.counts["albums"], 1);
        assert_eq!(report.counts["people"], 2);
        assert_eq!(report.counts["faces"], 6);
        assert_eq!(report.counts["album links"], 2);
        assert!(report.counts["list-index entries"] > 12);
        assert!(report.to_string().starts_with("ok (checked "));
        // An empty catalogue too.
        assert!(Catalog::in_memory().unwrap().verify().unwrap().is_ok());
    }

    #[test]
    fn a_dropped_list_index_entry_is_found() {
        let cat = sample();
        let k = list_key_of(&cat, "lib_a_asset_1", 2);
        damage(&cat, |t| {
            t.open_table(tables::LIST_INDEX)
                .unwrap()
                .remove(k.as_slice())
                .unwrap();
        });
        finds(
            &cat,
            &[
                "list index",
                "\"lib_a_asset_1\"",
                "album \"album_a\"",
                "missing",
            ],
        );
    }

    #[test]
    fn an_extra_list_index_entry_is_found() {
        let cat = sample();
        let k = list_key_of(&cat, "lib_a_asset_5", 1);
        let key = key_of(&cat, "lib_a_asset_5");
        let mut extra = k.clone();
        extra[0] = 2; // the same entry in album 1's range, without the link
        extra[1..5].copy_from_slice(&1u32.to_be_bytes());
        damage(&cat, |t| {
            let value = keys::encode_value(
                keys::Part::Live,
                &keys::EntryValue {
                    asset: key,
                    offset: Some(3600),
                    local: 0,
                },
            );
            t.open_table(tables::LIST_INDEX)
                .unwrap()
                .insert(extra.as_slice(), value.as_slice())
                .unwrap();
        });
        finds(
            &cat,
            &[
                "list index",
                "extra entry",
                "\"lib_a_asset_5\"",
                "album \"album_a\"",
            ],
        );
    }

    #[test]
    fn an_entry_with_the_wrong_offset_or_position_is_found() {
        let cat = sample();
        let k = list_key_of(&cat, "lib_b_asset_0", 1);
        let key = key_of(&cat, "lib_b_asset_0");
        damage(&cat, |t| {
            let value = keys::encode_value(
                keys::Part::Live,
                &keys::EntryValue {
                    asset: key,
                    offset: Some(-3600),
                    local: 0,
                },
            );
            t.open_table(tables::LIST_INDEX)
                .unwrap()
                .insert(k.as_slice(), value.as_slice())
                .unwrap();
        });
        finds(
            &cat,
            &[
                "list index",
                "\"lib_b_asset_0\"",
                "offset -3600 s",
                "record says",
                "offset 3600 s",
            ],
        );
        // Moved to another time: missing where it belongs, extra where it is.
        let cat = sample();
        let k = list_key_of(&cat, "lib_b_asset_1", 1);
        damage(&cat, |t| {
            let mut list = t.open_table(tables::LIST_INDEX).unwrap();
            let v = list.remove(k.as_slice()).unwrap().unwrap().value().to_vec();
            let mut moved = k.clone();
            moved[7] ^= 0x40;
            list.insert(moved.as_slice(), v.as_slice()).unwrap();
        });
        finds(&cat, &["\"lib_b_asset_1\"", "missing"]);
        finds(&cat, &["\"lib_b_asset_1\"", "extra entry"]);
    }

    #[test]
    fn wrong_counters_are_found() {
        let cat = sample();
        damage(&cat, |t| {
            let mut counts = t.open_table(tables::LIST_COUNTS).unwrap();
            let first = counts
                .first()
                .unwrap()
                .map(|(k, v)| (k.value().to_vec(), v.value()))
                .unwrap();
            counts.insert(first.0.as_slice(), first.1 + 5).unwrap();
        });
        finds(
            &cat,
            &[
                "list count",
                "library \"lib_a\", live",
                "counted as 10",
                "records give 5",
            ],
        );

        let cat = sample();
        damage(&cat, |t| {
            set_asset_count(t, "person_a", 17);
        });
        finds(
            &cat,
            &["person \"person_a\"", "asset_count is 17", "records give 4"],
        );

        let cat = sample();
        damage(&cat, |t| {
            let mut days = t.open_table(tables::DAY_COUNTS).unwrap();
            let first = days
                .first()
                .unwrap()
                .map(|(k, v)| (k.value().to_vec(), v.value()))
                .unwrap();
            days.insert(first.0.as_slice(), first.1 + 1).unwrap();
        });
        finds(
            &cat,
            &["day count", "library \"lib_a\", live on 2023-01-10"],
        );

        let cat = sample();
        damage(&cat, |t| {
            let mut blocks = t.open_table(tables::IMMICH_BLOCKS).unwrap();
            let last = blocks
                .last()
                .unwrap()
                .map(|(k, v)| (k.value().to_vec(), v.value()))
                .unwrap();
            blocks.insert(last.0.as_slice(), last.1 + 1).unwrap();
        });
        finds(&cat, &["Immich block count"]);

        let cat = sample();
        damage(&cat, |t| {
            t.open_table(tables::COUNTERS)
                .unwrap()
                .insert(tables::counter::ASSET, 3)
                .unwrap();
        });
        finds(
            &cat,
            &["key allocator \"asset\" would hand out key 3 again"],
        );
    }

    #[test]
    fn dangling_ids_and_links_are_found() {
        let cat = sample();
        damage(&cat, |t| {
            let ghost = Place {
                key: 999,
                library: 1,
                local: 0,
                offset: None,
                trashed_at: None,
                listed: true,
            };
            t.open_table(tables::ASSET_PLACES)
                .unwrap()
                .insert("ghost", &ghost.encode())
                .unwrap();
        });
        finds(
            &cat,
            &["asset id map", "\"ghost\"", "key 999", "holds no asset"],
        );

        let cat = sample();
        damage(&cat, |t| {
            t.open_table(tables::ASSET_PLACES)
                .unwrap()
                .remove("lib_b_asset_2")
                .unwrap();
        });
        finds(
            &cat,
            &["asset \"lib_b_asset_2\"", "missing from the id map"],
        );

        // A place that no longer says where its record is: trashed while the record is live.
        let cat = sample();
        damage(&cat, |t| {
            let mut places = t.open_table(tables::ASSET_PLACES).unwrap();
            let mut p =
                Place::decode(places.get("lib_a_asset_1").unwrap().unwrap().value()).unwrap();
            assert_eq!(p.trashed_at, None);
            p.trashed_at = Some(7);
            places.insert("lib_a_asset_1", &p.encode()).unwrap();
        });
        finds(
            &cat,
            &[
                "asset \"lib_a_asset_1\"",
                "its place",
                "trashed_at: Some(7)",
            ],
        );

        // A place whose bytes do not decode.
        let cat = sample();
        damage(&cat, |t| {
            let mut places = t.open_table(tables::ASSET_PLACES).unwrap();
            let mut b = *places.get("lib_a_asset_1").unwrap().unwrap().value();
            b[32] = 0xff;
            places.insert("lib_a_asset_1", &b).unwrap();
        });
        finds(&cat, &["the place of \"lib_a_asset_1\"", "does not decode"]);

        let cat = sample();
        damage(&cat, |t| {
            t.open_table(tables::FACE_IDS)
                .unwrap()
                .remove("lib_a_face_0")
                .unwrap();
        });
        finds(
            &cat,
            &[
                "face \"lib_a_face_0\"",
                "asset \"lib_a_asset_0\"",
                "missing from the face map",
            ],
        );

        let cat = sample();
        let key = key_of(&cat, "lib_a_asset_4");
        damage(&cat, |t| {
            t.open_table(tables::ASSET_ALBUMS)
                .unwrap()
                .insert((key, 77), ())
                .unwrap();
        });
        finds(
            &cat,
            &[
                "album link",
                "\"lib_a_asset_4\"",
                "album key 77, which does not exist",
            ],
        );

        let cat = sample();
        let key = key_of(&cat, "lib_a_asset_4");
        damage(&cat, |t| {
            t.open_table(tables::PERSON_ASSETS)
                .unwrap()
                .insert((1, key), ())
                .unwrap();
        });
        finds(
            &cat,
            &[
                "person link",
                "\"lib_a_asset_4\"",
                "person \"person_a\"",
                "no face",
            ],
        );
    }

    #[test]
    fn a_checksum_entry_that_points_elsewhere_is_found() {
        let cat = sample();
        let other = key_of(&cat, "lib_a_asset_5");
        damage(&cat, |t| {
            let mut sums = t.open_table(tables::CHECKSUMS).unwrap();
            let k = sums
                .iter()
                .unwrap()
                .map(|r| r.unwrap())
                .find(|(_, v)| v.value() != other)
                .map(|(k, _)| k.value().to_vec())
                .unwrap();
            sums.insert(k.as_slice(), other).unwrap();
        });
        finds(
            &cat,
            &[
                "checksum entry",
                "points at asset \"lib_a_asset_5\"",
                "does not have that checksum",
            ],
        );
        finds(&cat, &["checksum points at asset \"lib_a_asset_5\""]);
    }

    #[test]
    fn damaged_search_and_immich_structures_are_found() {
        let cat = sample();
        damage(&cat, |t| {
            let mut p = t.open_table(tables::POSTINGS).unwrap();
            let k = p.first().unwrap().map(|(k, _)| k.value().to_vec()).unwrap();
            let mut set = roaring::RoaringBitmap::new();
            set.insert(12345);
            let mut bytes = Vec::new();
            set.serialize_into(&mut bytes).unwrap();
            p.insert(k.as_slice(), bytes.as_slice()).unwrap();
        });
        finds(
            &cat,
            &["posting bitmap of library \"lib_a\", live", "not the set"],
        );

        let cat = sample();
        damage(&cat, |t| {
            let mut text = t.open_table(tables::TEXT_COLUMN).unwrap();
            let k = text
                .first()
                .unwrap()
                .map(|(k, _)| k.value().to_vec())
                .unwrap();
            text.remove(k.as_slice()).unwrap();
        });
        finds(
            &cat,
            &["text column of file names in library \"lib_a\"", "missing"],
        );

        let cat = sample();
        damage(&cat, |t| {
            let mut order = t.open_table(tables::IMMICH_ORDER).unwrap();
            let k = order
                .last()
                .unwrap()
                .map(|(k, _)| k.value().to_vec())
                .unwrap();
            order.remove(k.as_slice()).unwrap();
        });
        finds(&cat, &["Immich order", "missing"]);

        let cat = sample();
        damage(&cat, |t| {
            let mut d = t.open_table(tables::DEVICE_INDEX).unwrap();
            let k = d.first().unwrap().map(|(k, _)| k.value().to_vec()).unwrap();
            d.insert(k.as_slice(), 3).unwrap();
        });
        finds(&cat, &["device look-up", "wrong trashed or hidden bits"]);

        let cat = sample();
        damage(&cat, |t| {
            let mut s = t.open_table(tables::SHA1_INDEX).unwrap();
            let k = s.first().unwrap().map(|(k, _)| k.value().to_vec()).unwrap();
            s.remove(k.as_slice()).unwrap();
        });
        finds(&cat, &["SHA-1 look-up", "missing"]);

        let cat = sample();
        damage(&cat, |t| {
            let mut pool = t.open_table(tables::RANDOM_POOL).unwrap();
            let k = pool
                .last()
                .unwrap()
                .map(|(k, _)| k.value().to_vec())
                .unwrap();
            pool.remove(k.as_slice()).unwrap();
        });
        finds(&cat, &["random pool", "its size says"]);
        finds(&cat, &["random pool", "is missing"]);

        let cat = sample();
        damage(&cat, |t| {
            let mut v = t.open_table(tables::FACET_VALUES).unwrap();
            let k = v
                .iter()
                .unwrap()
                .map(|r| r.unwrap().0.value().to_vec())
                .find(|k| k.ends_with(b"SONY"))
                .unwrap();
            v.remove(k.as_slice()).unwrap();
        });
        // Its entries now belong to no interned value.
        finds(&cat, &["list index", "search facet"]);
    }

    #[test]
    fn a_record_that_does_not_decode_is_found_and_the_rest_still_checked() {
        let cat = sample();
        let key = key_of(&cat, "lib_b_asset_3");
        damage(&cat, |t| {
            t.open_table(tables::ASSETS)
                .unwrap()
                .insert(key, [1u8, 2, 3].as_slice())
                .unwrap();
        });
        let report = cat.verify().unwrap();
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.contains(&format!("asset record key {key} does not decode"))),
            "{report}"
        );
        // Its index entries are now extra, and named by the id their keys carry.
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.contains("extra entry for asset \"lib_b_asset_3\"")),
            "{report}"
        );
        assert_eq!(report.problem_count, report.problems.len() as u64);
    }

    #[test]
    fn many_problems_are_counted_beyond_those_described() {
        let cat = Catalog::in_memory().unwrap();
        let recs = (0..1200).map(|_| NewAsset::default()).collect();
        cat.add_assets(recs, AddAssets::default()).unwrap();
        damage(&cat, |t| {
            t.delete_table(tables::ASSET_PLACES).unwrap();
            t.open_table(tables::ASSET_PLACES).unwrap();
        });
        let report = cat.verify().unwrap();
        assert_eq!(report.problem_count, 1200);
        assert_eq!(report.problems.len(), super::MAX_PROBLEMS);
        assert!(report.to_string().ends_with("- ... and 200 more"));
    }

    /// The committed damaged catalogue, `tests/data/damaged.redb` (for the CLI's and Python's
    /// tests of `verify`): the sample with three kinds of damage. It is written here on every
    /// run into a temporary folder and must give the same report as the committed file
    /// (`PHOTOCAT_WRITE_SAMPLE=1` rewrites the committed file).
    #[test]
    fn the_damaged_sample_gives_the_committed_report() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("damaged.redb");
        {
            let cat = Catalog::open(&path).unwrap();
            fill(&cat);
            let k = list_key_of(&cat, "lib_a_asset_1", 2);
            let other = key_of(&cat, "lib_a_asset_5");
            let sum = crate::write::dedup::checksum_keys(
                &crate::storage::fast::asset_record(
                    cat.begin_read()
                        .unwrap()
                        .open_table(tables::ASSETS)
                        .unwrap()
                        .get(key_of(&cat, "lib_a_asset_0"))
                        .unwrap()
                        .unwrap()
                        .value(),
                )
                .unwrap(),
            )[0]
            .0
            .clone();
            damage(&cat, |t| {
                t.open_table(tables::LIST_INDEX)
                    .unwrap()
                    .remove(k.as_slice())
                    .unwrap();
                t.open_table(tables::CHECKSUMS)
                    .unwrap()
                    .insert(sum.as_slice(), other)
                    .unwrap();
                set_asset_count(t, "person_b", 9);
            });
        }
        let committed =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/damaged.redb");
        if std::env::var_os("PHOTOCAT_WRITE_SAMPLE").is_some() {
            std::fs::copy(&path, &committed).unwrap();
        }
        let fresh = Catalog::open(&path).unwrap().verify().unwrap();
        let copy = dir.path().join("committed.redb");
        std::fs::copy(&committed, &copy).unwrap();
        let old = Catalog::open(&copy).unwrap().verify().unwrap();
        assert_eq!(fresh.problems, old.problems);
        assert_eq!(
            fresh.problems,
            [
                "asset \"lib_a_asset_0\": the entry of its checksum points at asset \"lib_a_asset_5\"",
                "the checksum entry AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= of library \"lib_a\", owner \"ann\" points at asset \"lib_a_asset_5\", which does not have that checksum",
                "list index: the entry of asset \"lib_a_asset_1\" at 2023-02-11 10:00:00 in album \"album_a\", live is missing",
                "person \"person_b\": asset_count is 9, the records give 2",
            ]
        );
    }
}
