//! Model-based property tests of the Gumnut list semantics (API.md §5) and of the Immich
//! reads (API.md §7, module `immich` at the end).
//!
//! Random catalogues (heavy ties on `local_datetime`, mixed offsets, trash with tied
//! `trashed_at`, hidden assets, albums, faces of several people) are checked against a plain
//! in-memory model that implements ordering, state, filters, exclusive naive/aware time bounds
//! and the cursor rule on its own, with plain arithmetic:
//!
//! * full cursor walks, `iter_assets`, and pages after a cursor asset that does not match;
//! * walks with random writes between pages (every page must equal the model's page after the
//!   carried position, untouched assets are returned exactly once);
//! * failed batches change nothing;
//! * Immich reads: catalogues of two libraries with several owners (and ownerless assets),
//!   ties in `file_created_at` (given and derived), every visibility and trash state,
//!   favourites, device ids and shared SHA-1s, with trash, restore, updates (favourite,
//!   visibility, `file_created_at`, device ids, description), deletes and adds between the
//!   reads: every `get_all_assets` answer (ids, records, body bytes and ETag against the
//!   model's own `to_immich_json_array` and SHA-1, `If-None-Match` in all its forms),
//!   `random_assets` (a subset of the eligible assets, distinct, of size min(count,
//!   eligible), the same for the same seed), `check_checksums`, `device_asset_ids` and
//!   `existing_device_asset_ids`; and the uniformity of `random_assets` (chi-square tests
//!   over 2,000 seeded draws).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::rc::Rc;

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, Utc};
use photocat::model::time::naive_micros;
use photocat::{
    AddAssets, Asset, AssetUpdate, Catalog, DateTimeInput, Error, ListAssets, NewAlbum, NewAsset,
    NewFace, NewPerson, State, Visibility,
};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Fixed value pools: few distinct values, so ties are the rule rather than the exception.

const HOUR: i32 = 3600;

/// Offsets of assets and aware bounds (None: naive / unknown).
const OFFSETS: [Option<i32>; 7] = [
    None,
    Some(-10 * HOUR),
    Some(-5 * HOUR),
    Some(0),
    Some(2 * HOUR),
    Some(9 * HOUR + 1800),
    Some(14 * HOUR),
];

/// Wall-clock capture times: six within one day (minutes apart, one a microsecond after
/// another), two far away.
const TIMES: [&str; 8] = [
    "2023-11-07T08:00:00",
    "2023-11-07T08:05:00",
    "2023-11-07T08:10:00",
    "2023-11-07T12:00:00",
    "2023-11-07T12:00:00.000001",
    "2023-11-07T23:30:00",
    "1999-01-01T10:00:00",
    "2031-06-15T18:00:00",
];

/// `trashed_at` instants of assets created trashed (ties on purpose).
const TRASH_TIMES: [&str; 4] = [
    "2024-01-01T00:00:00Z",
    "2024-01-01T00:00:00.000001Z",
    "2024-02-01T10:00:00Z",
    "2024-03-05T12:00:00Z",
];

fn wall(i: usize) -> NaiveDateTime {
    TIMES[i % TIMES.len()]
        .parse::<NaiveDateTime>()
        .expect("valid wall time")
}

fn trash_instant(i: usize) -> DateTime<Utc> {
    TRASH_TIMES[i % TRASH_TIMES.len()]
        .parse::<DateTime<Utc>>()
        .expect("valid instant")
}

fn fixed(secs: Option<i32>) -> Option<FixedOffset> {
    secs.map(|s| FixedOffset::east_opt(s).expect("valid offset"))
}

fn micros_of(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

// ---------------------------------------------------------------------------------------------
// The model.

/// One asset as the model sees it.
#[derive(Debug, Clone)]
struct M {
    id: String,
    /// Wall clock, µs since 1970-01-01T00:00:00 read as UTC.
    local: i64,
    /// Seconds east of UTC, when known.
    offset: Option<i32>,
    /// `trashed_at` in µs since the epoch.
    trashed: Option<i64>,
    hidden: bool,
    albums: BTreeSet<usize>,
    persons: BTreeSet<usize>,
}

/// An exclusive bound: wall clock (µs) and, for an aware bound, its offset (seconds).
#[derive(Debug, Clone, Copy)]
struct MBound {
    wall: i64,
    offset: Option<i32>,
}

/// The model's side of a query (album and person as indexes into the world's lists).
#[derive(Debug, Clone)]
struct MQuery {
    state: State,
    album: Option<usize>,
    person: Option<usize>,
    ids: Option<HashSet<String>>,
    after: Option<MBound>,
    before: Option<MBound>,
}

/// The sort key in the order of `state`; None when the asset has no place in it.
type Key = (i64, String);

/// (asset value, bound value) under the bound rule: UTC instants when both sides know their
/// offset, wall clocks otherwise.
fn compared(m: &M, b: MBound) -> (i64, i64) {
    match (b.offset, m.offset) {
        (Some(bo), Some(mo)) => (
            m.local - i64::from(mo) * 1_000_000,
            b.wall - i64::from(bo) * 1_000_000,
        ),
        _ => (m.local, b.wall),
    }
}

fn matches(m: &M, q: &MQuery) -> bool {
    let state_ok = match q.state {
        State::Live => m.trashed.is_none(),
        State::Trashed => m.trashed.is_some(),
        State::All => true,
    };
    state_ok
        && !m.hidden
        && q.album.is_none_or(|a| m.albums.contains(&a))
        && q.person.is_none_or(|p| m.persons.contains(&p))
        && q.ids.as_ref().is_none_or(|ids| ids.contains(&m.id))
        && q.after.is_none_or(|b| {
            let (a, b) = compared(m, b);
            a > b
        })
        && q.before.is_none_or(|b| {
            let (a, b) = compared(m, b);
            a < b
        })
}

fn key_of(m: &M, state: State) -> Option<Key> {
    match state {
        State::Live | State::All => Some((m.local, m.id.clone())),
        State::Trashed => m.trashed.map(|t| (t, m.id.clone())),
    }
}

/// Every matching asset in list order (key descending), with its key.
fn expected(model: &[M], q: &MQuery) -> Vec<(Key, String)> {
    let mut out: Vec<(Key, String)> = model
        .iter()
        .filter(|m| matches(m, q))
        .map(|m| {
            (
                key_of(m, q.state).expect("matching assets have a key"),
                m.id.clone(),
            )
        })
        .collect();
    out.sort_by(|a, b| b.0.cmp(&a.0));
    out
}

/// The matching assets strictly after `cursor` in list order.
fn expected_after(model: &[M], q: &MQuery, cursor: Option<&Key>) -> Vec<(Key, String)> {
    expected(model, q)
        .into_iter()
        .filter(|(k, _)| cursor.is_none_or(|c| k < c))
        .collect()
}

fn ids_of(list: &[(Key, String)]) -> Vec<String> {
    list.iter().map(|(_, id)| id.clone()).collect()
}

// ---------------------------------------------------------------------------------------------
// Scenarios.

#[derive(Debug, Clone)]
struct AssetSpec {
    padded: bool,
    time: usize,
    offset: usize,
    trashed: Option<usize>,
    hidden: bool,
    albums: [bool; 3],
    /// Faces: a person index, or None for an unassigned face.
    faces: Vec<Option<usize>>,
}

#[derive(Debug, Clone)]
struct Scenario {
    assets: Vec<AssetSpec>,
    n_albums: usize,
    n_people: usize,
}

prop_compose! {
    fn asset_spec()(
        padded in any::<bool>(),
        time in 0..TIMES.len(),
        offset in 0..OFFSETS.len(),
        trashed in prop::option::weighted(0.3, 0..TRASH_TIMES.len()),
        hidden in prop::bool::weighted(0.1),
        albums in any::<[bool; 3]>(),
        faces in prop::collection::vec(prop::option::weighted(0.8, 0..3usize), 0..=2),
    ) -> AssetSpec {
        AssetSpec { padded, time, offset, trashed, hidden, albums, faces }
    }
}

prop_compose! {
    fn scenario(min: usize, max: usize)(
        assets in prop::collection::vec(asset_spec(), min..max),
        n_albums in 2..=3usize,
        n_people in 2..=3usize,
    ) -> Scenario {
        Scenario { assets, n_albums, n_people }
    }
}

#[derive(Debug, Clone, Copy)]
struct BoundSpec {
    time: usize,
    /// Shift from the pool time, in half hours (±6 h).
    shift: i64,
    offset: usize,
}

prop_compose! {
    fn bound_spec()(
        time in 0..TIMES.len(),
        shift in prop_oneof![Just(0i64), -12..=12i64],
        offset in 0..OFFSETS.len(),
    ) -> BoundSpec {
        BoundSpec { time, shift, offset }
    }
}

impl BoundSpec {
    fn input(self) -> DateTimeInput {
        DateTimeInput {
            naive: wall(self.time) + Duration::minutes(30 * self.shift),
            offset: fixed(OFFSETS[self.offset]),
        }
    }

    fn model(self) -> MBound {
        MBound {
            wall: naive_micros(wall(self.time)) + self.shift * 30 * 60 * 1_000_000,
            offset: OFFSETS[self.offset],
        }
    }
}

#[derive(Debug, Clone)]
struct QuerySpec {
    state: State,
    album: Option<usize>,
    person: Option<usize>,
    /// Indexes into the world's assets; indexes past the end are unknown ids.
    ids: Option<Vec<usize>>,
    after: Option<BoundSpec>,
    before: Option<BoundSpec>,
    limit: u32,
    with_library: bool,
    /// Picks the non-matching cursor asset of check (3).
    cursor: usize,
    page_size: u32,
}

fn state() -> impl Strategy<Value = State> {
    prop_oneof![Just(State::Live), Just(State::Trashed), Just(State::All)]
}

prop_compose! {
    /// `filters`: how likely each optional filter is present.
    fn query_spec(max_limit: u32, filters: f64)(
        state in state(),
        album in prop::option::weighted(filters, 0..3usize),
        person in prop::option::weighted(filters, 0..3usize),
        ids in prop::option::weighted(filters / 2.0, prop::collection::vec(0..80usize, 1..30)),
        after in prop::option::weighted(filters, bound_spec()),
        before in prop::option::weighted(filters, bound_spec()),
        limit in 1..=max_limit,
        with_library in any::<bool>(),
        cursor in any::<usize>(),
        page_size in 1..=7u32,
    ) -> QuerySpec {
        QuerySpec { state, album, person, ids, after, before, limit, with_library, cursor, page_size }
    }
}

// ---------------------------------------------------------------------------------------------
// The world: a catalogue and its model.

struct World {
    /// Shared so that an `iter_assets` walk can run while the model is being updated.
    cat: Rc<Catalog>,
    model: Vec<M>,
    albums: Vec<String>,
    people: Vec<String>,
    library: String,
}

fn asset_id(i: usize, padded: bool) -> String {
    // "a07" and "a7" both occur, and "a1" is a prefix of "a10": id tie-breaks see every case.
    if padded {
        format!("a{i:02}")
    } else {
        format!("a{i}")
    }
}

fn build(s: &Scenario) -> World {
    let cat = Catalog::in_memory().unwrap();
    let mut model = Vec::new();
    let mut records = Vec::new();
    for (i, a) in s.assets.iter().enumerate() {
        let id = asset_id(i, a.padded);
        let naive = wall(a.time);
        let offset = OFFSETS[a.offset];
        records.push(NewAsset {
            id: Some(id.clone()),
            local_datetime: Some(DateTimeInput {
                naive,
                offset: fixed(offset),
            }),
            trashed_at: a.trashed.map(trash_instant),
            visibility: a.hidden.then_some(Visibility::Hidden),
            ..Default::default()
        });
        model.push(M {
            id,
            local: naive_micros(naive),
            offset,
            trashed: a.trashed.map(|t| micros_of(trash_instant(t))),
            hidden: a.hidden,
            albums: BTreeSet::new(),
            persons: BTreeSet::new(),
        });
    }
    let added = cat.add_assets(records, AddAssets::default()).unwrap();
    assert_eq!(added.len(), model.len());
    let library = cat.list_libraries().unwrap()[0].id.clone();

    // Even albums are created empty and then linked; odd ones are created with their members
    // (`NewAlbum::asset_ids`, one transaction).
    let mut albums: Vec<String> = Vec::with_capacity(s.n_albums);
    for ai in 0..s.n_albums {
        let members: Vec<String> = s
            .assets
            .iter()
            .zip(&mut model)
            .filter(|(a, _)| a.albums[ai])
            .map(|(_, m)| {
                m.albums.insert(ai);
                m.id.clone()
            })
            .collect();
        let name = format!("album {ai}");
        if ai % 2 == 1 {
            let album = cat
                .create_album(NewAlbum {
                    name,
                    asset_ids: members,
                    ..Default::default()
                })
                .unwrap();
            assert_eq!(
                album.asset_count,
                cat.get_album(&album.id).unwrap().asset_count
            );
            albums.push(album.id);
        } else {
            let album = cat
                .create_album(NewAlbum {
                    name,
                    ..Default::default()
                })
                .unwrap();
            if !members.is_empty() {
                cat.add_to_album(&album.id, &members).unwrap();
            }
            albums.push(album.id);
        }
    }

    let people: Vec<String> = (0..s.n_people)
        .map(|_| cat.create_person(NewPerson::default()).unwrap().id)
        .collect();
    let mut faces = Vec::new();
    for (a, m) in s.assets.iter().zip(&mut model) {
        for f in &a.faces {
            let person = f.map(|p| p % s.n_people);
            if let Some(p) = person {
                m.persons.insert(p);
            }
            faces.push(NewFace {
                asset_id: Some(m.id.clone()),
                person_id: person.map(|p| people[p].clone()),
                ..Default::default()
            });
        }
    }
    if !faces.is_empty() {
        cat.add_faces(faces).unwrap();
    }
    World {
        cat: Rc::new(cat),
        model,
        albums,
        people,
        library,
    }
}

impl World {
    /// The catalogue query and the model query of a spec (without a cursor).
    fn queries(&self, q: &QuerySpec) -> (ListAssets, MQuery) {
        let album = q.album.map(|a| a % self.albums.len());
        let person = q.person.map(|p| p % self.people.len());
        let ids: Option<Vec<String>> = q.ids.as_ref().map(|ids| {
            ids.iter()
                .map(|&i| match self.model.get(i) {
                    Some(m) => m.id.clone(),
                    None => format!("zz{i}"),
                })
                .collect()
        });
        let list = ListAssets {
            library_id: q.with_library.then(|| self.library.clone()),
            album_id: album.map(|a| self.albums[a].clone()),
            person_id: person.map(|p| self.people[p].clone()),
            ids: ids.clone(),
            local_datetime_after: q.after.map(BoundSpec::input),
            local_datetime_before: q.before.map(BoundSpec::input),
            starting_after_id: None,
            state: q.state,
            limit: q.limit,
        };
        let model = MQuery {
            state: q.state,
            album,
            person,
            ids: ids.map(|v| v.into_iter().collect()),
            after: q.after.map(BoundSpec::model),
            before: q.before.map(BoundSpec::model),
        };
        (list, model)
    }

    fn find(&self, id: &str) -> &M {
        self.model
            .iter()
            .find(|m| m.id == id)
            .unwrap_or_else(|| panic!("{id} is not in the model"))
    }

    /// The returned record agrees with the model on everything the model knows.
    fn check_record(&self, a: &Asset) {
        let m = self.find(&a.id);
        assert_eq!(naive_micros(a.local_datetime), m.local, "{}", a.id);
        assert_eq!(
            a.local_offset.map(|o| o.local_minus_utc()),
            m.offset,
            "{}",
            a.id
        );
        assert_eq!(a.trashed_at.map(micros_of), m.trashed, "{}", a.id);
        assert!(a.visibility.is_listed(), "{} is hidden", a.id);
        let people: BTreeSet<String> = a.people.iter().map(|p| p.id.clone()).collect();
        let want: BTreeSet<String> = m.persons.iter().map(|&p| self.people[p].clone()).collect();
        assert_eq!(people, want, "people of {}", a.id);
    }

    /// Walks `q` page by page with `starting_after_id`; checks every page against the model.
    fn walk(&self, q: &ListAssets, mq: &MQuery) -> Vec<String> {
        let want = expected(&self.model, mq);
        let limit = q.limit as usize;
        let mut got = Vec::new();
        let mut query = q.clone();
        for page_no in 0.. {
            let page = self.cat.list_assets(&query).unwrap();
            // The JSON written from the stored records is the owned page's, byte for byte, and
            // the views' direct writer gives the bytes of their `Serialize` impls.
            let json = page.to_json();
            assert_eq!(self.cat.list_assets_json(&query).unwrap(), json);
            assert_eq!(serde_json::to_string(&page).unwrap(), json);
            let from = page_no * limit;
            let to = (from + limit).min(want.len());
            let ids: Vec<String> = page.data.iter().map(|a| a.id.clone()).collect();
            assert_eq!(
                ids,
                ids_of(&want[from.min(to)..to]),
                "page {page_no} of {query:?}"
            );
            assert_eq!(
                page.has_more,
                to < want.len(),
                "has_more of page {page_no} of {query:?}"
            );
            for a in &page.data {
                self.check_record(a);
            }
            got.extend(ids);
            if !page.has_more {
                break;
            }
            query.starting_after_id = Some(got.last().expect("a page before has_more").clone());
        }
        got
    }

    /// Every asset of the catalogue, complete, keyed by id (hidden ones through `get_asset`).
    fn snapshot(&self) -> HashMap<String, Asset> {
        let mut out: HashMap<String, Asset> = self
            .cat
            .iter_assets(
                ListAssets {
                    state: State::All,
                    ..Default::default()
                },
                200,
            )
            .unwrap()
            .map(|a| {
                let a = a.unwrap();
                (a.id.clone(), a)
            })
            .collect();
        for m in &self.model {
            out.entry(m.id.clone())
                .or_insert_with(|| self.cat.get_asset(&m.id).unwrap());
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Property 1: reads against the model.

fn check_reads(w: &World, q: &QuerySpec) {
    let (list, mq) = w.queries(q);
    let want = ids_of(&expected(&w.model, &mq));

    // (1) The full cursor walk.
    assert_eq!(w.walk(&list, &mq), want, "walk of {list:?}");
    check_count(w, &list, want.len());

    // (2) iter_assets.
    let iterated: Vec<String> = w
        .cat
        .iter_assets(list.clone(), q.page_size)
        .unwrap()
        .map(|a| a.unwrap().id)
        .collect();
    assert_eq!(iterated, want, "iter_assets({list:?}, {})", q.page_size);

    // (3) A cursor asset chosen among all assets (matching or not, hidden included).
    let candidates: Vec<&M> = w
        .model
        .iter()
        .filter(|m| q.state != State::Trashed || m.trashed.is_some())
        .collect();
    if !candidates.is_empty() {
        let c = candidates[q.cursor % candidates.len()];
        let key = key_of(c, q.state).expect("candidate has a key");
        let after = expected_after(&w.model, &mq, Some(&key));
        let query = ListAssets {
            starting_after_id: Some(c.id.clone()),
            ..list.clone()
        };
        let page = w.cat.list_assets(&query).unwrap();
        let ids: Vec<String> = page.data.iter().map(|a| a.id.clone()).collect();
        let n = after.len().min(list.limit as usize);
        assert_eq!(ids, ids_of(&after[..n]), "page after {} of {query:?}", c.id);
        assert_eq!(page.has_more, after.len() > n, "has_more after {}", c.id);
        // iter_assets starting at the same cursor.
        let iterated: Vec<String> = w
            .cat
            .iter_assets(query.clone(), q.page_size)
            .unwrap()
            .map(|a| a.unwrap().id)
            .collect();
        assert_eq!(iterated, ids_of(&after), "iter_assets after {}", c.id);
        assert_eq!(
            w.cat.count_assets(&query).unwrap(),
            after.len() as u64,
            "count_assets after {}",
            c.id
        );
    }

    // With state=trashed a live cursor asset is InvalidArgument.
    if q.state == State::Trashed {
        if let Some(live) = w.model.iter().find(|m| m.trashed.is_none()) {
            let query = ListAssets {
                starting_after_id: Some(live.id.clone()),
                ..list.clone()
            };
            let e = w.cat.list_assets(&query).unwrap_err();
            assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
        }
    }
}

/// `count_assets` of a query equals the model's count, and the maintained-count path (no
/// time bound) agrees with the walk (a bound that excludes nothing forces the walk).
fn check_count(w: &World, list: &ListAssets, want: usize) {
    assert_eq!(
        w.cat.count_assets(list).unwrap(),
        want as u64,
        "count_assets({list:?})"
    );
}

/// The maintained count of every group (library, each album, each person) in every state
/// equals the model's, and equals the walked count.
fn check_group_counts(w: &World) {
    // The catalogue built by these writes verifies clean (Catalog::verify rebuilds every index
    // from the records and compares).
    let report = w.cat.verify().unwrap();
    assert!(report.is_ok(), "{report}");
    let everything: DateTimeInput = "0001-01-01T00:00:00".parse().unwrap();
    for state in [State::Live, State::Trashed, State::All] {
        let mut groups: Vec<(Option<usize>, Option<usize>)> = vec![(None, None)];
        groups.extend((0..w.albums.len()).map(|a| (Some(a), None)));
        groups.extend((0..w.people.len()).map(|p| (None, Some(p))));
        for (album, person) in groups {
            let list = ListAssets {
                album_id: album.map(|a| w.albums[a].clone()),
                person_id: person.map(|p| w.people[p].clone()),
                state,
                ..ListAssets::default()
            };
            let mq = MQuery {
                state,
                album,
                person,
                ids: None,
                after: None,
                before: None,
            };
            let want = expected(&w.model, &mq).len() as u64;
            assert_eq!(w.cat.count_assets(&list).unwrap(), want, "{list:?}");
            let walked = ListAssets {
                local_datetime_after: Some(everything),
                ..list.clone()
            };
            assert_eq!(w.cat.count_assets(&walked).unwrap(), want, "{walked:?}");
        }
    }
}

/// Batches that fail in the middle leave every read as it was.
fn check_failed_batches(w: &World) {
    let before = w.snapshot();
    let counts: Vec<u64> = w
        .people
        .iter()
        .map(|p| w.cat.get_person(p).unwrap().asset_count)
        .collect();
    let some_ids: Vec<String> = w.model.iter().take(3).map(|m| m.id.clone()).collect();
    let new = |id: &str| NewAsset {
        id: Some(id.into()),
        local_datetime: Some(DateTimeInput {
            naive: wall(0),
            offset: None,
        }),
        ..Default::default()
    };

    // An invalid checksum in the middle of a batch.
    let bad = NewAsset {
        checksum: Some("xyz".into()),
        ..new("new1")
    };
    assert!(w
        .cat
        .add_assets(vec![new("new0"), bad, new("new2")], AddAssets::default())
        .is_err());
    // An explicit id that already exists, in the middle of a batch.
    if let Some(first) = w.model.first() {
        let e = w
            .cat
            .add_assets(
                vec![new("new0"), new(&first.id), new("new2")],
                AddAssets::default(),
            )
            .unwrap_err();
        assert!(matches!(e, Error::Duplicate { .. }), "{e:?}");
    }
    // Unknown ids in the middle of trash, restore, delete and album batches.
    let mut with_unknown = some_ids.clone();
    with_unknown.insert(with_unknown.len() / 2, "zz_unknown".into());
    let is_not_found = |r: photocat::Result<()>| matches!(r, Err(Error::NotFound { .. }));
    assert!(is_not_found(w.cat.trash_assets(&with_unknown)));
    assert!(is_not_found(w.cat.restore_assets(&with_unknown)));
    assert!(is_not_found(w.cat.delete_assets(&with_unknown)));
    assert!(is_not_found(
        w.cat.add_to_album(&w.albums[0], &with_unknown)
    ));
    assert!(is_not_found(
        w.cat.remove_from_album(&w.albums[0], &with_unknown)
    ));
    // A face batch with an unknown asset in the middle.
    if let Some(first) = w.model.first() {
        let face = |asset: &str| NewFace {
            asset_id: Some(asset.into()),
            person_id: Some(w.people[0].clone()),
            ..Default::default()
        };
        assert!(w
            .cat
            .add_faces(vec![face(&first.id), face("zz_unknown"), face(&first.id)])
            .is_err());
    }

    for id in ["new0", "new1", "new2"] {
        assert!(matches!(w.cat.get_asset(id), Err(Error::NotFound { .. })));
    }
    assert_eq!(w.snapshot(), before, "a failed batch changed the catalogue");
    let after: Vec<u64> = w
        .people
        .iter()
        .map(|p| w.cat.get_person(p).unwrap().asset_count)
        .collect();
    assert_eq!(after, counts, "a failed batch changed asset_count");
    // And the lists still agree with the model.
    for state in [State::Live, State::Trashed, State::All] {
        let mq = MQuery {
            state,
            album: None,
            person: None,
            ids: None,
            after: None,
            before: None,
        };
        let list = ListAssets {
            state,
            limit: 7,
            ..Default::default()
        };
        assert_eq!(w.walk(&list, &mq), ids_of(&expected(&w.model, &mq)));
    }
}

// ---------------------------------------------------------------------------------------------
// Property 2: writes between pages.

#[derive(Debug, Clone)]
enum Op {
    Trash(usize),
    Restore(usize),
    Retime(usize, BoundSpec),
    AddToAlbum(usize, usize),
    RemoveFromAlbum(usize, usize),
    Delete(usize),
    Add(BoundSpec),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        any::<usize>().prop_map(Op::Trash),
        any::<usize>().prop_map(Op::Restore),
        (any::<usize>(), bound_spec()).prop_map(|(i, t)| Op::Retime(i, t)),
        (0..3usize, any::<usize>()).prop_map(|(a, i)| Op::AddToAlbum(a, i)),
        (0..3usize, any::<usize>()).prop_map(|(a, i)| Op::RemoveFromAlbum(a, i)),
        any::<usize>().prop_map(Op::Delete),
        bound_spec().prop_map(Op::Add),
    ]
}

/// What a write did to an asset, for the duplicate rule.
#[derive(Default)]
struct Touched {
    /// Assets any write named.
    any: HashSet<String>,
    /// Assets whose sort key may have moved (new capture time, or trashed).
    moved: HashSet<String>,
}

impl World {
    /// Picks an existing asset for a write, never `protect` (the walk's cursor asset).
    fn pick(&self, i: usize, protect: Option<&str>) -> Option<String> {
        let candidates: Vec<&M> = self
            .model
            .iter()
            .filter(|m| Some(m.id.as_str()) != protect)
            .collect();
        (!candidates.is_empty()).then(|| candidates[i % candidates.len()].id.clone())
    }

    fn model_mut(&mut self, id: &str) -> &mut M {
        self.model
            .iter_mut()
            .find(|m| m.id == id)
            .expect("asset in the model")
    }

    /// Reads the trash state back (the write sets `trashed_at` to now).
    fn refresh_trash(&mut self, id: &str) {
        let t = self.cat.get_asset(id).unwrap().trashed_at.map(micros_of);
        self.model_mut(id).trashed = t;
    }

    fn apply(&mut self, op: &Op, protect: Option<&str>, touched: &mut Touched, fresh: &mut u32) {
        let mut touch = |id: &str, moved: bool| {
            touched.any.insert(id.to_owned());
            if moved {
                touched.moved.insert(id.to_owned());
            }
        };
        match *op {
            Op::Trash(i) => {
                let Some(id) = self.pick(i, protect) else {
                    return;
                };
                let was = self.model_mut(&id).trashed;
                self.cat.trash_assets(std::slice::from_ref(&id)).unwrap();
                self.refresh_trash(&id);
                let now = self.model_mut(&id).trashed;
                assert!(now.is_some());
                if was.is_some() {
                    assert_eq!(now, was, "trashing a trashed asset keeps trashed_at");
                }
                touch(&id, true);
            }
            Op::Restore(i) => {
                let Some(id) = self.pick(i, protect) else {
                    return;
                };
                self.cat.restore_assets(std::slice::from_ref(&id)).unwrap();
                self.refresh_trash(&id);
                assert_eq!(self.model_mut(&id).trashed, None);
                touch(&id, false);
            }
            Op::Retime(i, t) => {
                let Some(id) = self.pick(i, protect) else {
                    return;
                };
                let a = self
                    .cat
                    .update_asset(
                        &id,
                        AssetUpdate {
                            local_datetime: Some(t.input()),
                            ..Default::default()
                        },
                    )
                    .unwrap();
                let b = t.model();
                let m = self.model_mut(&id);
                m.local = b.wall;
                m.offset = b.offset;
                assert_eq!(naive_micros(a.local_datetime), m.local);
                assert_eq!(a.local_offset.map(|o| o.local_minus_utc()), m.offset);
                touch(&id, true);
            }
            Op::AddToAlbum(a, i) | Op::RemoveFromAlbum(a, i) => {
                let Some(id) = self.pick(i, protect) else {
                    return;
                };
                let a = a % self.albums.len();
                let album = self.albums[a].clone();
                if matches!(op, Op::AddToAlbum(..)) {
                    self.cat
                        .add_to_album(&album, std::slice::from_ref(&id))
                        .unwrap();
                    self.model_mut(&id).albums.insert(a);
                } else {
                    self.cat
                        .remove_from_album(&album, std::slice::from_ref(&id))
                        .unwrap();
                    self.model_mut(&id).albums.remove(&a);
                }
                touch(&id, false);
            }
            Op::Delete(i) => {
                let Some(id) = self.pick(i, protect) else {
                    return;
                };
                self.cat.delete_assets(std::slice::from_ref(&id)).unwrap();
                self.model.retain(|m| m.id != id);
                assert!(matches!(
                    self.cat.get_asset(&id),
                    Err(Error::NotFound { .. })
                ));
                touch(&id, true);
            }
            Op::Add(t) => {
                let id = format!("n{fresh}");
                *fresh += 1;
                let records = vec![NewAsset {
                    id: Some(id.clone()),
                    local_datetime: Some(t.input()),
                    ..Default::default()
                }];
                // Every other add takes the bulk path, which builds no `Asset`.
                if (*fresh).is_multiple_of(2) {
                    self.cat.add_assets(records, AddAssets::default()).unwrap();
                } else {
                    let added = self
                        .cat
                        .add_assets_summary(records, AddAssets::default())
                        .unwrap();
                    assert_eq!((added.created, added.skipped), (1, 0));
                }
                let b = t.model();
                self.model.push(M {
                    id: id.clone(),
                    local: b.wall,
                    offset: b.offset,
                    trashed: None,
                    hidden: false,
                    albums: BTreeSet::new(),
                    persons: BTreeSet::new(),
                });
                touch(&id, true);
            }
        }
    }
}

/// Walks with limit 3 and applies the writes of `gaps[i]` after page `i`. With `use_iter` the
/// walk is `iter_assets` (any asset may be written, the cursor asset included); otherwise
/// `list_assets` with `starting_after_id` (the cursor asset itself is left alone, since its
/// current position is what the next page starts from).
fn check_walk_with_writes(w: &mut World, q: &QuerySpec, gaps: &[Vec<Op>], use_iter: bool) {
    const LIMIT: usize = 3;
    let (mut list, mq) = w.queries(q);
    list.limit = LIMIT as u32;
    let at_start: HashSet<String> = ids_of(&expected(&w.model, &mq)).into_iter().collect();

    let mut touched = Touched::default();
    let mut fresh = 0u32;
    let mut seen: Vec<String> = Vec::new();
    let mut carried: Option<Key> = None;
    let cat = Rc::clone(&w.cat);
    let mut iter = if use_iter {
        Some(cat.iter_assets(list.clone(), LIMIT as u32).unwrap())
    } else {
        None
    };
    for page_no in 0.. {
        // The model's page after the carried position, at the time of the read.
        let after = expected_after(&w.model, &mq, carried.as_ref());
        let want: Vec<(Key, String)> = after.iter().take(LIMIT).cloned().collect();
        let more = after.len() > LIMIT;
        let got: Vec<Asset> = match &mut iter {
            Some(it) => {
                let mut page = Vec::new();
                for _ in 0..LIMIT {
                    match it.next() {
                        Some(a) => page.push(a.unwrap()),
                        None => break,
                    }
                }
                page
            }
            None => {
                let mut query = list.clone();
                query.starting_after_id = seen.last().cloned();
                let page = w.cat.list_assets(&query).unwrap();
                assert_eq!(page.has_more, more, "has_more of page {page_no}");
                page.data
            }
        };
        let ids: Vec<String> = got.iter().map(|a| a.id.clone()).collect();
        assert_eq!(
            ids,
            ids_of(&want),
            "page {page_no} after {carried:?} of {list:?}"
        );
        for a in &got {
            w.check_record(a);
        }
        seen.extend(ids);
        if !more {
            if let Some(it) = &mut iter {
                assert!(it.next().is_none(), "iter_assets went on past the end");
            }
            break;
        }
        carried = want.last().map(|(k, _)| k.clone());
        let protect = if use_iter { None } else { seen.last().cloned() };
        if let Some(ops) = gaps.get(page_no) {
            for op in ops {
                w.apply(op, protect.as_deref(), &mut touched, &mut fresh);
            }
        }
    }
    drop(iter);

    // No untouched asset is returned twice; a touched one only when a write moved it.
    let mut count: HashMap<&str, usize> = HashMap::new();
    for id in &seen {
        *count.entry(id.as_str()).or_default() += 1;
    }
    for (id, n) in &count {
        if *n > 1 {
            assert!(
                touched.moved.contains(*id),
                "{id} returned {n} times without being moved by a write"
            );
        }
    }
    // Every asset that matched at the start, was never touched, and still matches is
    // returned exactly once.
    let at_end: HashSet<String> = ids_of(&expected(&w.model, &mq)).into_iter().collect();
    for id in &at_start {
        if !touched.any.contains(id) && at_end.contains(id) {
            assert_eq!(count.get(id.as_str()), Some(&1), "{id} in {list:?}");
        }
    }
    // The indexes still agree with the model after all the writes.
    let list = ListAssets { limit: 5, ..list };
    let want = ids_of(&expected(&w.model, &mq));
    assert_eq!(w.walk(&list, &mq), want, "final walk of {list:?}");
    check_count(w, &list, want.len());
    // Every group's maintained counts after the writes, in every state.
    check_group_counts(w);
}
proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn lists_follow_the_model(
        s in scenario(10, 61),
        queries in prop::collection::vec(query_spec(7, 0.35), 8),
    ) {
        let w = build(&s);
        for q in &queries {
            check_reads(&w, q);
        }
        check_group_counts(&w);
        check_failed_batches(&w);
    }

    #[test]
    fn walks_survive_writes_between_pages(
        s in scenario(10, 61),
        q in query_spec(3, 0.15),
        gaps in prop::collection::vec(prop::collection::vec(op(), 0..=3), 0..20),
        use_iter in any::<bool>(),
    ) {
        let mut w = build(&s);
        check_walk_with_writes(&mut w, &q, &gaps, use_iter);
    }
}

// ---------------------------------------------------------------------------------------------
// Immich reads (API.md §7): get_all_assets, random_assets, check_checksums, device_asset_ids
// and existing_device_asset_ids against a plain model, with writes between the reads.

mod immich {
    use super::{fixed, naive_micros, wall, OFFSETS, TIMES, TRASH_TIMES};

    use std::collections::{BTreeSet, HashMap, HashSet};

    use chrono::{DateTime, Duration, Utc};
    use photocat::views::immich::to_immich_json_array;
    use photocat::{
        AddAssets, Asset, AssetUpdate, Catalog, DateTimeInput, Error, GetAllAssets, NewAsset,
        NewLibrary, RandomAssets, Visibility,
    };
    use proptest::prelude::*;

    /// Owners of assets (an asset may have none); queries also name an unknown owner.
    const OWNERS: [&str; 3] = ["u0", "u1", "u2"];
    /// Device ids given to assets (None: the default, `photocat`); queries also name those two
    /// and an unknown one.
    const DEVICES: [&str; 2] = ["devA", "devB"];
    /// Device asset ids given to assets (None: the default, the asset id): few, so the same one
    /// is on several assets.
    const DEVICE_ASSET_IDS: [&str; 4] = ["d0", "d1", "d2", "d10"];
    /// `file_created_at` instants given to assets (None: derived from the capture time, which
    /// ties with these: `TIMES[0]` at offset 0 is the second one).
    const FILE_TIMES: [&str; 5] = [
        "2023-11-07T06:00:00Z",
        "2023-11-07T08:00:00Z",
        "2023-11-07T08:00:00.000001Z",
        "2023-11-07T12:00:00Z",
        "1999-01-01T10:00:00Z",
    ];
    /// `updated_at` instants given to new assets (ties on purpose); writes move it to now.
    const UPDATE_TIMES: [&str; 4] = [
        "2024-05-01T00:00:00Z",
        "2024-05-01T00:00:00.000001Z",
        "2024-06-01T12:00:00Z",
        "2025-01-01T00:00:00Z",
    ];
    const CREATED: &str = "2024-01-01T00:00:00Z";
    const VISIBILITIES: [Visibility; 4] = [
        Visibility::Timeline,
        Visibility::Archive,
        Visibility::Hidden,
        Visibility::Locked,
    ];
    /// Distinct SHA-1 digests: `[k; 20]`.
    const SHA1S: usize = 4;

    fn instant(s: &str) -> DateTime<Utc> {
        s.parse().expect("valid instant")
    }

    fn sha1_b64(k: usize) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode([k as u8 + 1; 20])
    }

    fn sha1_hex(k: usize, upper: bool) -> String {
        let h: String = [k as u8 + 1; 20]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if upper {
            h.to_uppercase()
        } else {
            h
        }
    }

    /// Express's strong ETag, computed here on its own.
    fn etag_of(body: &[u8]) -> String {
        use base64::Engine;
        use sha1::Digest;
        let b64 = base64::engine::general_purpose::STANDARD.encode(sha1::Sha1::digest(body));
        format!("\"{:x}-{}\"", body.len(), &b64[..27])
    }

    // -----------------------------------------------------------------------------------------
    // The model.

    /// One asset as the model sees it, and its record as last read back (for the JSON).
    #[derive(Debug, Clone)]
    struct Im {
        id: String,
        library: usize,
        owner: Option<String>,
        /// Effective `file_created_at`, µs.
        file_created: i64,
        /// `updated_at`, µs.
        updated: i64,
        visibility: Visibility,
        trashed: bool,
        favorite: bool,
        device_id: String,
        device_asset_id: String,
        /// Index of the SHA-1 digest in the pool.
        sha1: Option<usize>,
        record: Asset,
    }

    fn owner_fits(m: &Im, owner: Option<&str>) -> bool {
        owner.is_none_or(|o| m.owner.as_deref() == Some(o))
    }

    #[derive(Debug, Clone)]
    struct Spec {
        padded: bool,
        library: usize,
        owner: Option<usize>,
        file_time: Option<usize>,
        time: usize,
        offset: usize,
        updated: usize,
        visibility: usize,
        trashed: Option<usize>,
        favorite: bool,
        device: Option<usize>,
        device_asset: Option<usize>,
        sha1: Option<usize>,
    }

    prop_compose! {
        fn spec()(
            padded in any::<bool>(),
            library in 0..2usize,
            owner in prop::option::weighted(0.85, 0..OWNERS.len()),
            file_time in prop::option::weighted(0.6, 0..FILE_TIMES.len()),
            time in 0..TIMES.len(),
            offset in 0..OFFSETS.len(),
            updated in 0..UPDATE_TIMES.len(),
            visibility in prop_oneof![3 => Just(0usize), 1 => Just(1usize), 1 => Just(2usize), 1 => Just(3usize)],
            trashed in prop::option::weighted(0.25, 0..TRASH_TIMES.len()),
            favorite in prop::bool::weighted(0.3),
            device in prop::option::weighted(0.8, 0..DEVICES.len()),
            device_asset in prop::option::weighted(0.7, 0..DEVICE_ASSET_IDS.len()),
            sha1 in prop::option::weighted(0.8, 0..SHA1S),
        ) -> Spec {
            Spec { padded, library, owner, file_time, time, offset, updated, visibility, trashed,
                   favorite, device, device_asset, sha1 }
        }
    }

    struct World {
        cat: Catalog,
        /// In the order the assets were added (asset keys grow in that order).
        model: Vec<Im>,
        libraries: Vec<String>,
        fresh: usize,
        /// A stand-in record for a model entry until its real one is read back.
        blank: Asset,
    }

    impl World {
        fn new() -> World {
            let cat = Catalog::in_memory().unwrap();
            let libraries = (0..2)
                .map(|l| {
                    cat.create_library(NewLibrary {
                        name: format!("L{l}"),
                        ..Default::default()
                    })
                    .unwrap()
                    .id
                })
                .collect();
            let blank = Catalog::in_memory()
                .unwrap()
                .add_assets(vec![NewAsset::default()], AddAssets::default())
                .unwrap()
                .remove(0);
            World {
                cat,
                model: Vec::new(),
                libraries,
                fresh: 0,
                blank,
            }
        }

        /// The record and model entry of a spec; its SHA-1 is dropped when the (owner,
        /// library) already holds it (checksums are unique there).
        fn prepare(&self, id: String, s: &Spec, pending: &[Im]) -> (NewAsset, Im) {
            let owner = s.owner.map(|o| OWNERS[o].to_owned());
            let sha1 = s.sha1.filter(|&k| {
                !self
                    .model
                    .iter()
                    .chain(pending)
                    .any(|m| m.library == s.library && m.owner == owner && m.sha1 == Some(k))
            });
            let naive = wall(s.time);
            let offset = OFFSETS[s.offset];
            let file_created = match s.file_time {
                Some(f) => instant(FILE_TIMES[f]).timestamp_micros(),
                None => naive_micros(naive) - i64::from(offset.unwrap_or(0)) * 1_000_000,
            };
            let rec = NewAsset {
                id: Some(id.clone()),
                local_datetime: Some(DateTimeInput {
                    naive,
                    offset: fixed(offset),
                }),
                file_created_at: s.file_time.map(|f| instant(FILE_TIMES[f])),
                created_at: Some(instant(CREATED)),
                updated_at: Some(instant(UPDATE_TIMES[s.updated])),
                visibility: Some(VISIBILITIES[s.visibility]),
                trashed_at: s.trashed.map(|t| instant(TRASH_TIMES[t])),
                is_favorite: Some(s.favorite),
                device_id: s.device.map(|d| DEVICES[d].to_owned()),
                device_asset_id: s.device_asset.map(|d| DEVICE_ASSET_IDS[d].to_owned()),
                checksum_sha1: sha1.map(sha1_b64),
                owner_id: owner.clone(),
                ..Default::default()
            };
            let m = Im {
                device_asset_id: rec.device_asset_id.clone().unwrap_or_else(|| id.clone()),
                id,
                library: s.library,
                owner,
                file_created,
                updated: instant(UPDATE_TIMES[s.updated]).timestamp_micros(),
                visibility: VISIBILITIES[s.visibility],
                trashed: s.trashed.is_some(),
                favorite: s.favorite,
                device_id: rec
                    .device_id
                    .clone()
                    .unwrap_or_else(|| photocat::model::asset::DEFAULT_DEVICE_ID.to_owned()),
                sha1,
                record: self.blank.clone(),
            };
            (rec, m)
        }

        fn add(&mut self, specs: &[(String, &Spec)]) {
            for library in 0..2 {
                let mut records = Vec::new();
                let mut new: Vec<Im> = Vec::new();
                for (id, s) in specs.iter().filter(|(_, s)| s.library == library) {
                    let (r, m) = self.prepare(id.clone(), s, &new);
                    records.push(r);
                    new.push(m);
                }
                if records.is_empty() {
                    continue;
                }
                let opts = AddAssets {
                    library_id: Some(self.libraries[library].clone()),
                    ..Default::default()
                };
                // Every other batch takes the bulk path (counts only); its assets are read back.
                let added = if (self.fresh + library).is_multiple_of(2) {
                    self.cat.add_assets(records, opts).unwrap()
                } else {
                    let ids: Vec<String> = records.iter().filter_map(|r| r.id.clone()).collect();
                    let summary = self.cat.add_assets_summary(records, opts).unwrap();
                    assert_eq!((summary.created, summary.skipped), (new.len() as u64, 0));
                    ids.iter()
                        .map(|id| self.cat.get_asset(id).unwrap())
                        .collect()
                };
                assert_eq!(added.len(), new.len());
                for (mut m, a) in new.into_iter().zip(added) {
                    assert_eq!(a.id, m.id);
                    m.record = a;
                    check_record(&m);
                    self.model.push(m);
                }
            }
        }

        fn build(specs: &[Spec]) -> World {
            let mut w = World::new();
            let ids: Vec<(String, &Spec)> = specs
                .iter()
                .enumerate()
                .map(|(i, s)| (super::asset_id(i, s.padded), s))
                .collect();
            w.add(&ids);
            w
        }

        fn pick(&self, i: usize) -> Option<usize> {
            (!self.model.is_empty()).then(|| i % self.model.len())
        }

        /// Reads the asset back after a write: `updated_at` moved forward, and the record
        /// agrees with the model.
        fn refresh(&mut self, at: usize) {
            let m = &mut self.model[at];
            let a = self.cat.get_asset(&m.id).unwrap();
            let immich = a.to_immich_json();
            assert_eq!(
                self.cat.get_asset_immich_json(&m.id).unwrap(),
                immich,
                "the Immich JSON of {} from its stored record",
                m.id
            );
            // The direct writer gives the bytes of the view's `Serialize` impl.
            assert_eq!(
                serde_json::to_string(&photocat::views::immich::ImmichAsset::new(&a)).unwrap(),
                immich
            );
            let updated = a.updated_at.timestamp_micros();
            assert!(updated > m.updated, "{}: updated_at did not move", m.id);
            m.updated = updated;
            m.record = a;
            check_record(m);
        }

        fn apply(&mut self, op: &Op) {
            match op {
                Op::Trash(i) | Op::Restore(i) => {
                    let Some(at) = self.pick(*i) else { return };
                    let id = self.model[at].id.clone();
                    let trash = matches!(op, Op::Trash(_));
                    let was = self.model[at].trashed;
                    if trash {
                        self.cat.trash_assets(&[&id]).unwrap();
                    } else {
                        self.cat.restore_assets(&[&id]).unwrap();
                    }
                    self.model[at].trashed = trash;
                    if was != trash {
                        self.refresh(at);
                    } else {
                        // No change: the record is as it was, except perhaps updated_at.
                        let a = self.cat.get_asset(&id).unwrap();
                        let m = &mut self.model[at];
                        assert!(a.updated_at.timestamp_micros() >= m.updated);
                        m.updated = a.updated_at.timestamp_micros();
                        m.record = a;
                        check_record(m);
                    }
                }
                Op::Update(i, u) => {
                    let Some(at) = self.pick(*i) else { return };
                    let id = self.model[at].id.clone();
                    let mut update = AssetUpdate::default();
                    match *u {
                        Upd::Favorite(f) => {
                            update.is_favorite = Some(f);
                            self.model[at].favorite = f;
                        }
                        Upd::Visibility(v) => {
                            update.visibility = Some(VISIBILITIES[v]);
                            self.model[at].visibility = VISIBILITIES[v];
                        }
                        Upd::FileTime(f) => {
                            update.file_created_at = Some(instant(FILE_TIMES[f]));
                            self.model[at].file_created = instant(FILE_TIMES[f]).timestamp_micros();
                        }
                        Upd::Device(d, da) => {
                            let device = DEVICES.get(d).copied().unwrap_or("photocat");
                            update.device_id = Some(device.to_owned());
                            update.device_asset_id = Some(DEVICE_ASSET_IDS[da].to_owned());
                            self.model[at].device_id = device.to_owned();
                            self.model[at].device_asset_id = DEVICE_ASSET_IDS[da].to_owned();
                        }
                        Upd::Description => {
                            update.description = Some(Some(format!("edited {}", self.fresh)));
                            self.fresh += 1;
                        }
                    }
                    let a = self.cat.update_asset(&id, update).unwrap();
                    assert_eq!(a.id, id);
                    self.refresh(at);
                }
                Op::Delete(i) => {
                    let Some(at) = self.pick(*i) else { return };
                    let id = self.model.remove(at).id;
                    self.cat.delete_assets(&[&id]).unwrap();
                    assert!(matches!(
                        self.cat.get_asset(&id),
                        Err(Error::NotFound { .. })
                    ));
                }
                Op::Add(s) => {
                    let id = format!("n{}", self.fresh);
                    self.fresh += 1;
                    self.add(&[(id, s)]);
                }
            }
        }
    }

    /// The record read back agrees with everything the model knows of it.
    fn check_record(m: &Im) {
        let a = &m.record;
        assert_eq!(a.id, m.id);
        assert_eq!(a.owner_id, m.owner, "owner of {}", m.id);
        assert_eq!(
            a.file_created_at.timestamp_micros(),
            m.file_created,
            "file_created_at of {}",
            m.id
        );
        assert_eq!(a.updated_at.timestamp_micros(), m.updated, "{}", m.id);
        assert_eq!(a.visibility, m.visibility, "{}", m.id);
        assert_eq!(a.trashed_at.is_some(), m.trashed, "{}", m.id);
        assert_eq!(a.is_favorite, m.favorite, "{}", m.id);
        assert_eq!(a.device_id, m.device_id, "{}", m.id);
        assert_eq!(a.device_asset_id, m.device_asset_id, "{}", m.id);
        assert_eq!(a.checksum_sha1, m.sha1.map(sha1_b64), "{}", m.id);
    }

    // -----------------------------------------------------------------------------------------
    // Writes.

    #[derive(Debug, Clone)]
    enum Upd {
        Favorite(bool),
        Visibility(usize),
        FileTime(usize),
        /// A device (index past `DEVICES`: the default) and a device asset id.
        Device(usize, usize),
        /// A field the Immich reads do not filter on (the record and `updated_at` change).
        Description,
    }

    #[derive(Debug, Clone)]
    enum Op {
        Trash(usize),
        Restore(usize),
        Update(usize, Upd),
        Delete(usize),
        Add(Spec),
    }

    fn op() -> impl Strategy<Value = Op> {
        let upd = prop_oneof![
            any::<bool>().prop_map(Upd::Favorite),
            (0..VISIBILITIES.len()).prop_map(Upd::Visibility),
            (0..FILE_TIMES.len()).prop_map(Upd::FileTime),
            (0..=DEVICES.len(), 0..DEVICE_ASSET_IDS.len()).prop_map(|(d, a)| Upd::Device(d, a)),
            Just(Upd::Description),
        ];
        prop_oneof![
            2 => any::<usize>().prop_map(Op::Trash),
            2 => any::<usize>().prop_map(Op::Restore),
            4 => (any::<usize>(), upd).prop_map(|(i, u)| Op::Update(i, u)),
            1 => any::<usize>().prop_map(Op::Delete),
            1 => spec().prop_map(Op::Add),
        ]
    }

    // -----------------------------------------------------------------------------------------
    // Reads.

    /// An inclusive `updated_*` bound: a pool instant moved by -1, 0 or +1 µs, or exactly the
    /// current `updated_at` of an asset; written at one of the known offsets.
    #[derive(Debug, Clone, Copy)]
    enum Bound {
        Pool(usize, i64, usize),
        Asset(usize, usize),
    }

    fn bound() -> impl Strategy<Value = Bound> {
        // Offsets: the known ones of the pool (`OFFSETS[1..]`).
        prop_oneof![
            (0..=UPDATE_TIMES.len(), -1..=1i64, 1..OFFSETS.len())
                .prop_map(|(t, d, o)| Bound::Pool(t, d, o)),
            (any::<usize>(), 1..OFFSETS.len()).prop_map(|(i, o)| Bound::Asset(i, o)),
        ]
    }

    /// Which `If-None-Match` to send with a `get_all_assets` call.
    #[derive(Debug, Clone, Copy)]
    enum Inm {
        None,
        Exact,
        Weak,
        InList,
        Star,
        Other,
    }

    #[derive(Debug, Clone)]
    struct Query {
        owner: Option<usize>,
        archived: Option<bool>,
        favorite: Option<bool>,
        skip: u64,
        take: Option<u64>,
        after: Option<Bound>,
        before: Option<Bound>,
        inm: Inm,
        count: usize,
        seed: Option<u64>,
        /// (digest index, spelling): index `SHA1S` is a digest nobody has; spelling 0 base64,
        /// 1 hex, 2 upper-case hex.
        checksums: Vec<(usize, usize)>,
        /// Index into `DEVICES`, then the default `photocat`, then an unknown device.
        device: usize,
        /// Device asset ids to look up: the pool, then asset ids of the model, then unknown.
        device_ids: Vec<usize>,
    }

    prop_compose! {
        fn query()(
            owner in prop::option::weighted(0.7, 0..=OWNERS.len()),
            archived in prop::option::weighted(0.3, any::<bool>()),
            favorite in prop::option::weighted(0.3, any::<bool>()),
            skip in prop_oneof![2 => Just(0u64), 1 => 0..12u64],
            take in prop::option::weighted(0.6, 1..8u64),
            after in prop::option::weighted(0.3, bound()),
            before in prop::option::weighted(0.3, bound()),
            inm in prop_oneof![
                4 => Just(Inm::None), 1 => Just(Inm::Exact), 1 => Just(Inm::Weak),
                1 => Just(Inm::InList), 1 => Just(Inm::Star), 1 => Just(Inm::Other)
            ],
            count in 1..8usize,
            seed in prop::option::weighted(0.8, any::<u64>()),
            checksums in prop::collection::vec((0..=SHA1S, 0..3usize), 0..6),
            device in 0..DEVICES.len() + 2,
            device_ids in prop::collection::vec(0..DEVICE_ASSET_IDS.len() + 6, 0..8),
        ) -> Query {
            Query { owner, archived, favorite, skip, take, after, before, inm, count, seed,
                    checksums, device, device_ids }
        }
    }

    fn owner_name(o: Option<usize>) -> Option<String> {
        o.map(|o| OWNERS.get(o).copied().unwrap_or("nobody").to_owned())
    }

    impl World {
        /// A bound as the call's input and as µs.
        fn bound(&self, b: Bound) -> (DateTimeInput, i64) {
            let (utc, o) = match b {
                Bound::Pool(t, d, o) => {
                    let base = UPDATE_TIMES
                        .get(t)
                        .map_or_else(|| instant("2100-01-01T00:00:00Z"), |s| instant(s));
                    (base + Duration::microseconds(d), o)
                }
                Bound::Asset(i, o) => match self.pick(i) {
                    Some(at) => (self.model[at].record.updated_at, o),
                    None => (instant(UPDATE_TIMES[0]), o),
                },
            };
            let offset = fixed(OFFSETS[o]).expect("a known offset");
            let input = DateTimeInput {
                naive: utc.with_timezone(&offset).naive_local(),
                offset: Some(offset),
            };
            (input, utc.timestamp_micros())
        }

        fn check_get_all(&self, q: &Query) {
            let owner = owner_name(q.owner);
            let after = q.after.map(|b| self.bound(b));
            let before = q.before.map(|b| self.bound(b));
            let mut want: Vec<&Im> = self
                .model
                .iter()
                .filter(|m| {
                    owner_fits(m, owner.as_deref())
                        && matches!(m.visibility, Visibility::Timeline | Visibility::Archive)
                        && q.favorite.is_none_or(|f| m.favorite == f)
                        && q.archived
                            .is_none_or(|a| (m.visibility == Visibility::Archive) == a)
                        && after.is_none_or(|(_, t)| m.updated >= t)
                        && before.is_none_or(|(_, t)| m.updated <= t)
                })
                .collect();
            want.sort_by(|a, b| (b.file_created, &b.id).cmp(&(a.file_created, &a.id)));
            let want: Vec<Asset> = want
                .into_iter()
                .skip(q.skip as usize)
                .take(q.take.map_or(usize::MAX, |t| t as usize))
                .map(|m| m.record.clone())
                .collect();
            let body = to_immich_json_array(&want).into_bytes();
            // The direct writer gives the bytes of the views' `Serialize` impls.
            let views: Vec<_> = want
                .iter()
                .map(photocat::views::immich::ImmichAsset::new)
                .collect();
            assert!(serde_json::to_vec(&views).unwrap() == body);
            let etag = etag_of(&body);
            let (if_none_match, fresh) = match q.inm {
                Inm::None => (None, false),
                Inm::Exact => (Some(etag.clone()), true),
                Inm::Weak => (Some(format!("W/{etag}")), true),
                Inm::InList => (Some(format!("\"abc\", W/\"x-y\",{etag} , \"z\"")), true),
                Inm::Star => (Some("*".to_owned()), true),
                Inm::Other => (Some(format!("\"{}\"", &etag[2..etag.len() - 1])), false),
            };
            let call = GetAllAssets {
                owner_id: owner,
                is_archived: q.archived,
                is_favorite: q.favorite,
                skip: q.skip,
                take: q.take,
                updated_after: after.map(|b| b.0),
                updated_before: before.map(|b| b.0),
                if_none_match,
            };
            let got = self.cat.get_all_assets(&call).unwrap();
            // The JSON-only call answers the same body, ETag and freshness.
            let json = self.cat.get_all_assets_json(&call).unwrap();
            assert!(
                json.body == got.body,
                "body of get_all_assets_json({call:?})"
            );
            assert_eq!(
                (&json.etag, json.not_modified),
                (&got.etag, got.not_modified),
                "get_all_assets_json({call:?})"
            );
            assert_eq!(got.etag, etag, "etag of {call:?}");
            assert_eq!(got.not_modified, fresh, "not_modified of {call:?}");
            if fresh {
                assert!(got.assets.is_empty() && got.body.is_empty(), "{call:?}");
            } else {
                let ids = |v: &[Asset]| v.iter().map(|a| a.id.clone()).collect::<Vec<_>>();
                assert_eq!(ids(&got.assets), ids(&want), "ids of {call:?}");
                assert!(got.assets == want, "records of {call:?}");
                assert!(
                    got.body == body,
                    "body of {call:?}:\n{}\n{}",
                    String::from_utf8_lossy(&got.body),
                    String::from_utf8_lossy(&body)
                );
            }
        }

        fn eligible(&self, owner: Option<&str>) -> Vec<&Im> {
            self.model
                .iter()
                .filter(|m| {
                    owner_fits(m, owner)
                        && !m.trashed
                        && matches!(m.visibility, Visibility::Timeline | Visibility::Archive)
                })
                .collect()
        }

        fn check_random(&self, q: &Query) {
            let owner = owner_name(q.owner);
            let call = RandomAssets {
                count: q.count,
                owner_id: owner.clone(),
                seed: q.seed,
            };
            let got = self.cat.random_assets(&call).unwrap();
            let eligible: HashMap<&str, &Im> = self
                .eligible(owner.as_deref())
                .into_iter()
                .map(|m| (m.id.as_str(), m))
                .collect();
            assert_eq!(got.len(), q.count.min(eligible.len()), "size of {call:?}");
            let distinct: HashSet<&str> = got.iter().map(|a| a.id.as_str()).collect();
            assert_eq!(distinct.len(), got.len(), "{call:?} repeats an asset");
            for a in &got {
                let m = eligible
                    .get(a.id.as_str())
                    .unwrap_or_else(|| panic!("{call:?} returned {}, not eligible", a.id));
                assert!(*a == m.record, "record of {} from {call:?}", a.id);
            }
            if q.seed.is_some() {
                let again = self.cat.random_assets(&call).unwrap();
                assert!(again == got, "{call:?} twice: different answers");
            }
        }

        fn check_checksums(&self, q: &Query) {
            let owner = owner_name(q.owner);
            let given: Vec<String> = q
                .checksums
                .iter()
                .map(|&(k, spelling)| match spelling {
                    0 => sha1_b64(k),
                    s => sha1_hex(k, s == 2),
                })
                .collect();
            let got = self.cat.check_checksums(&given, owner.as_deref()).unwrap();
            assert_eq!(got.len(), given.len());
            for ((&(k, _), g), c) in q.checksums.iter().zip(&given).zip(&got) {
                let holders: Vec<&Im> = self
                    .model
                    .iter()
                    .filter(|m| m.sha1 == Some(k) && owner_fits(m, owner.as_deref()))
                    .collect();
                let want = holders
                    .iter()
                    .find(|m| !m.trashed)
                    .or(holders.first())
                    .map(|m| (m.id.clone(), m.trashed));
                assert_eq!(&c.checksum, g);
                assert_eq!(
                    c.asset_id.clone().map(|id| (id, c.is_trashed)),
                    want,
                    "check_checksums({g}, {owner:?})"
                );
                if c.asset_id.is_none() {
                    assert!(!c.is_trashed);
                }
            }
        }

        fn check_devices(&self, q: &Query) {
            let owner = owner_name(q.owner);
            let device = DEVICES
                .get(q.device)
                .copied()
                .unwrap_or(if q.device == DEVICES.len() {
                    "photocat"
                } else {
                    "devZ"
                });
            let on_device = |m: &&Im| m.device_id == device && owner_fits(m, owner.as_deref());
            let want: Vec<String> = self
                .model
                .iter()
                .filter(on_device)
                .filter(|m| !m.trashed && m.visibility != Visibility::Hidden)
                .map(|m| m.device_asset_id.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let got = self.cat.device_asset_ids(device, owner.as_deref()).unwrap();
            assert_eq!(got, want, "device_asset_ids({device}, {owner:?})");

            let ids: Vec<String> = q
                .device_ids
                .iter()
                .map(|&i| match DEVICE_ASSET_IDS.get(i) {
                    Some(d) => (*d).to_owned(),
                    None => match self.pick(i) {
                        Some(at) if i % 3 != 0 => self.model[at].id.clone(),
                        _ => format!("zz{i}"),
                    },
                })
                .collect();
            let existing: HashSet<&str> = self
                .model
                .iter()
                .filter(on_device)
                .map(|m| m.device_asset_id.as_str())
                .collect();
            let mut seen = HashSet::new();
            let want: Vec<String> = ids
                .iter()
                .filter(|i| existing.contains(i.as_str()) && seen.insert(i.as_str()))
                .cloned()
                .collect();
            let got = self
                .cat
                .existing_device_asset_ids(device, &ids, owner.as_deref())
                .unwrap();
            assert_eq!(
                got, want,
                "existing_device_asset_ids({device}, {ids:?}, {owner:?})"
            );
        }

        fn check(&self, q: &Query) {
            self.check_get_all(q);
            self.check_random(q);
            self.check_checksums(q);
            self.check_devices(q);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

        #[test]
        fn immich_reads_follow_the_model(
            specs in prop::collection::vec(spec(), 4..36),
            rounds in prop::collection::vec(
                (prop::collection::vec(query(), 1..4), prop::collection::vec(op(), 0..5)),
                1..6,
            ),
            last in query(),
        ) {
            let mut w = World::build(&specs);
            for (queries, ops) in &rounds {
                for q in queries {
                    w.check(q);
                }
                for op in ops {
                    w.apply(op);
                }
            }
            w.check(&last);
            let report = w.cat.verify().unwrap();
            assert!(report.is_ok(), "{report}");
        }
    }

    // -----------------------------------------------------------------------------------------
    // Uniformity of random_assets.

    /// Pearson's chi-square statistic of observed counts against equal expected ones.
    fn chi_square(counts: &[u64]) -> f64 {
        let total: u64 = counts.iter().sum();
        let e = total as f64 / counts.len() as f64;
        counts.iter().map(|&o| (o as f64 - e).powi(2) / e).sum()
    }

    /// 2,000 seeded draws of 3 from 12 eligible assets of two owners (7 and 5; ineligible ones
    /// of every kind around them): each asset's count, over all owners and per owner, and
    /// each 3-subset's count for the owner of 5 (10 subsets), pass a chi-square test at
    /// significance 1e-6. The seeds are fixed, so the test is deterministic.
    #[test]
    fn random_assets_are_uniform() {
        let cat = Catalog::in_memory().unwrap();
        let mut records = Vec::new();
        let mut eligible: HashMap<String, Vec<String>> = HashMap::new();
        for (owner, n) in [("u0", 7), ("u1", 5)] {
            for i in 0..n {
                let id = format!("{owner}_{i}");
                records.push(NewAsset {
                    id: Some(id.clone()),
                    owner_id: Some(owner.into()),
                    visibility: Some(if i % 3 == 2 {
                        Visibility::Archive
                    } else {
                        Visibility::Timeline
                    }),
                    is_favorite: Some(i % 2 == 0),
                    ..Default::default()
                });
                eligible.entry(owner.into()).or_default().push(id);
            }
            for (j, (vis, trashed)) in [
                (Visibility::Timeline, true),
                (Visibility::Archive, true),
                (Visibility::Hidden, false),
                (Visibility::Locked, false),
            ]
            .into_iter()
            .enumerate()
            {
                records.push(NewAsset {
                    id: Some(format!("{owner}_x{j}")),
                    owner_id: Some(owner.into()),
                    visibility: Some(vis),
                    trashed_at: trashed.then(|| instant(TRASH_TIMES[0])),
                    ..Default::default()
                });
            }
        }
        cat.add_assets(records, AddAssets::default()).unwrap();
        const DRAWS: u64 = 2_000;
        // chi-square quantiles at 1 - 1e-6 for 4, 6, 9 and 11 degrees of freedom.
        let critical = |df: usize| match df {
            4 => 33.38,
            6 => 38.26,
            9 => 44.81,
            11 => 48.87,
            _ => unreachable!(),
        };
        for owner in [None, Some("u0"), Some("u1")] {
            let pool: Vec<String> = match owner {
                None => eligible.values().flatten().cloned().collect(),
                Some(o) => eligible[o].clone(),
            };
            let index: HashMap<&str, usize> = pool
                .iter()
                .enumerate()
                .map(|(i, id)| (id.as_str(), i))
                .collect();
            let mut counts = vec![0u64; pool.len()];
            let mut subsets: HashMap<Vec<usize>, u64> = HashMap::new();
            for seed in 0..DRAWS {
                let got = cat
                    .random_assets(&RandomAssets {
                        count: 3,
                        owner_id: owner.map(str::to_owned),
                        seed: Some(seed),
                    })
                    .unwrap();
                let mut picked: Vec<usize> = got
                    .iter()
                    .map(|a| {
                        *index
                            .get(a.id.as_str())
                            .unwrap_or_else(|| panic!("{} is not eligible", a.id))
                    })
                    .collect();
                picked.sort_unstable();
                picked.dedup();
                assert_eq!(picked.len(), 3, "3 distinct assets");
                for &p in &picked {
                    counts[p] += 1;
                }
                *subsets.entry(picked).or_default() += 1;
            }
            let chi = chi_square(&counts);
            let df = pool.len() - 1;
            assert!(
                chi < critical(df),
                "owner {owner:?}: chi-square {chi:.1} over {df} degrees of freedom; counts {counts:?}"
            );
            if owner == Some("u1") {
                assert_eq!(subsets.len(), 10, "every 3-subset of 5 drawn");
                let counts: Vec<u64> = subsets.into_values().collect();
                let chi = chi_square(&counts);
                assert!(
                    chi < critical(9),
                    "3-subsets: chi-square {chi:.1}; {counts:?}"
                );
            }
        }
    }
}
