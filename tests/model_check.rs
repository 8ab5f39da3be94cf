//! Model-based property tests of the Gumnut list semantics (API.md §5).
//!
//! Random catalogues (heavy ties on `local_datetime`, mixed offsets, trash with tied
//! `trashed_at`, hidden assets, albums, faces of several people) are checked against a plain
//! in-memory model that implements ordering, state, filters, exclusive naive/aware time bounds
//! and the cursor rule on its own, with plain arithmetic:
//!
//! * full cursor walks, `iter_assets`, and pages after a cursor asset that does not match;
//! * walks with random writes between pages (every page must equal the model's page after the
//!   carried position, untouched assets are returned exactly once);
//! * failed batches change nothing.

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

    let albums: Vec<String> = (0..s.n_albums)
        .map(|i| {
            cat.create_album(NewAlbum {
                name: format!("album {i}"),
                ..Default::default()
            })
            .unwrap()
            .id
        })
        .collect();
    for (ai, album) in albums.iter().enumerate() {
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
        if !members.is_empty() {
            cat.add_to_album(album, &members).unwrap();
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
                self.cat
                    .add_assets(
                        vec![NewAsset {
                            id: Some(id.clone()),
                            local_datetime: Some(t.input()),
                            ..Default::default()
                        }],
                        AddAssets::default(),
                    )
                    .unwrap();
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
