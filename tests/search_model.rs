//! Model-based property tests of `search_assets` and `time_buckets` (API.md §6).
//!
//! Random small catalogues (ties on `local_datetime`, mixed offsets, values that differ only in
//! case, names with accents, favourites, archived and hidden assets, faces of several people,
//! albums) go through random writes (moves of `local_datetime`, exif, name, description,
//! favourite and visibility changes, trash, restore, delete, album links, person merges), and
//! after each round every answer is compared with a plain in-memory model:
//!
//! * random filter combinations walked page by page: the pages partition the model's matches in
//!   list order, `total` is the model's count on every page, `has_more` is exact, and the page
//!   after the last is empty;
//! * time buckets of every size and state, for the library, each album, each person and an
//!   album with a person, against a recount by calendar arithmetic on the model.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime};
use photocat::model::time::naive_micros;
use photocat::{
    AddAssets, AssetType, AssetUpdate, BucketSize, Catalog, DateTimeInput, Exif, NewAsset, NewFace,
    NewPerson, SearchAssets, State, TimeBuckets, Visibility,
};
use proptest::prelude::*;

const HOUR: i32 = 3600;
const OFFSETS: [Option<i32>; 4] = [None, Some(0), Some(HOUR), Some(-5 * HOUR)];
/// Wall clocks around day, ISO-week, month and year edges, one before 1970, and ties.
const TIMES: [&str; 8] = [
    "2020-12-31T23:30:00",
    "2021-01-03T12:00:00",
    "2021-01-04T00:00:00",
    "2021-01-04T00:00:00",
    "2021-02-28T23:59:59.999999",
    "2024-02-29T08:00:00",
    "1969-12-31T23:59:59",
    "2024-03-01T00:00:00",
];
const MAKES: [Option<&str>; 4] = [None, Some("Canon"), Some("canon"), Some("SONY")];
const CITIES: [Option<&str>; 3] = [None, Some("Paris"), Some("Kyoto")];
const MIMES: [Option<&str>; 4] = [
    None,
    Some("image/jpeg"),
    Some("video/mp4"),
    Some("image/heic"),
];
const NAMES: [Option<&str>; 5] = [
    None,
    Some("IMG_0001.JPG"),
    Some("img_0002.jpg"),
    Some("Été à Paris.HEIC"),
    Some("DSC_0001.ARW"),
];
const DESCRIPTIONS: [Option<&str>; 4] = [None, Some("Beach day"), Some("BEACH night"), Some("")];
const NEEDLES: [&str; 8] = [
    "img", "IMG_0001", "été", "PARIS", "beach", "0001", "zzz", "",
];
const VISIBILITIES: [Visibility; 3] = [
    Visibility::Timeline,
    Visibility::Archive,
    Visibility::Hidden,
];
const PEOPLE: usize = 3;
const ALBUMS: usize = 2;

fn wall(i: usize) -> NaiveDateTime {
    TIMES[i].parse().unwrap()
}

fn person_id(p: usize) -> String {
    format!("person_{p}")
}

fn album_id(a: usize) -> String {
    format!("album_{a}")
}

/// One asset as the model sees it.
#[derive(Debug, Clone)]
struct M {
    id: String,
    local: i64,
    offset: Option<i32>,
    trashed: bool,
    visibility: Visibility,
    favorite: bool,
    make: Option<&'static str>,
    city: Option<&'static str>,
    mime: Option<&'static str>,
    name: Option<&'static str>,
    description: Option<&'static str>,
    albums: BTreeSet<usize>,
    people: BTreeSet<usize>,
}

impl M {
    fn mime(&self) -> &str {
        self.mime.unwrap_or("application/octet-stream")
    }
    fn day(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()
            + Duration::days(self.local.div_euclid(86_400_000_000))
    }
}

#[derive(Debug, Clone)]
struct AssetSpec {
    time: usize,
    offset: usize,
    make: usize,
    city: usize,
    mime: usize,
    name: usize,
    description: usize,
    visibility: usize,
    favorite: bool,
    people: Vec<usize>,
    albums: Vec<usize>,
}

prop_compose! {
    fn asset_spec()(
        time in 0..TIMES.len(), offset in 0..OFFSETS.len(), make in 0..MAKES.len(),
        city in 0..CITIES.len(), mime in 0..MIMES.len(), name in 0..NAMES.len(),
        description in 0..DESCRIPTIONS.len(), visibility in prop_oneof![4 => Just(0usize), 2 => Just(1), 1 => Just(2)],
        favorite in prop::bool::weighted(0.3),
        people in prop::collection::vec(0..PEOPLE, 0..3),
        albums in prop::collection::vec(0..ALBUMS, 0..3),
    ) -> AssetSpec {
        AssetSpec { time, offset, make, city, mime, name, description, visibility, favorite, people, albums }
    }
}

#[derive(Debug, Clone)]
enum Op {
    Trash(usize),
    Restore(usize),
    Delete(usize),
    Favorite(usize, bool),
    Visibility(usize, usize),
    Time(usize, usize, usize),
    Exif(usize, usize, usize),
    Name(usize, usize),
    Description(usize, usize),
    Album(usize, usize, bool),
    /// Merge person `.1` into person `.0`.
    Merge(usize, usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..64usize).prop_map(Op::Trash),
        (0..64usize).prop_map(Op::Restore),
        (0..64usize).prop_map(Op::Delete),
        (0..64usize, any::<bool>()).prop_map(|(i, b)| Op::Favorite(i, b)),
        (0..64usize, 0..VISIBILITIES.len()).prop_map(|(i, v)| Op::Visibility(i, v)),
        (0..64usize, 0..TIMES.len(), 0..OFFSETS.len()).prop_map(|(i, t, o)| Op::Time(i, t, o)),
        (0..64usize, 0..MAKES.len(), 0..CITIES.len()).prop_map(|(i, m, c)| Op::Exif(i, m, c)),
        (0..64usize, 0..NAMES.len()).prop_map(|(i, n)| Op::Name(i, n)),
        (0..64usize, 0..DESCRIPTIONS.len()).prop_map(|(i, d)| Op::Description(i, d)),
        (0..64usize, 0..ALBUMS, any::<bool>()).prop_map(|(i, a, b)| Op::Album(i, a, b)),
        (0..PEOPLE, 0..PEOPLE).prop_map(|(a, b)| Op::Merge(a, b)),
    ]
}

#[derive(Debug, Clone)]
struct QuerySpec {
    people: Vec<usize>,
    albums: Vec<usize>,
    after: Option<(usize, i64, usize)>,
    before: Option<(usize, i64, usize)>,
    make: Option<usize>,
    city: Option<usize>,
    mime: Option<usize>,
    asset_type: Option<usize>,
    favorite: Option<bool>,
    visibility: Option<usize>,
    name: Option<usize>,
    description: Option<usize>,
    limit: u32,
}

fn bound() -> impl Strategy<Value = (usize, i64, usize)> {
    (0..TIMES.len(), -50..=50i64, 0..OFFSETS.len())
}

prop_compose! {
    fn query_spec()(
        people in prop::collection::vec(0..PEOPLE, 0..3),
        albums in prop::collection::vec(0..ALBUMS, 0..2),
        after in prop::option::weighted(0.2, bound()),
        before in prop::option::weighted(0.2, bound()),
        make in prop::option::weighted(0.3, 0..MAKES.len()),
        city in prop::option::weighted(0.25, 1..CITIES.len()),
        mime in prop::option::weighted(0.15, 1..MIMES.len()),
        asset_type in prop::option::weighted(0.15, 0..2usize),
        favorite in prop::option::weighted(0.2, any::<bool>()),
        visibility in prop::option::weighted(0.2, 0..2usize),
        name in prop::option::weighted(0.3, 0..NEEDLES.len()),
        description in prop::option::weighted(0.2, 0..NEEDLES.len()),
        limit in 1..5u32,
    ) -> QuerySpec {
        QuerySpec { people, albums, after, before, make, city, mime, asset_type, favorite, visibility, name, description, limit }
    }
}

struct World {
    cat: Catalog,
    model: Vec<M>,
    /// People still present (merged ones are gone).
    people: BTreeSet<usize>,
}

fn exif(make: Option<&str>, city: Option<&str>) -> Option<Exif> {
    (make.is_some() || city.is_some()).then(|| Exif {
        make: make.map(Into::into),
        city: city.map(Into::into),
        ..Exif::default()
    })
}

fn build(specs: &[AssetSpec]) -> World {
    let cat = Catalog::in_memory().unwrap();
    for p in 0..PEOPLE {
        cat.create_person(NewPerson {
            id: Some(person_id(p)),
            ..NewPerson::default()
        })
        .unwrap();
    }
    let mut model = Vec::new();
    let mut records = Vec::new();
    for (i, s) in specs.iter().enumerate() {
        let id = format!("asset_{i:03}");
        let people: BTreeSet<usize> = s.people.iter().copied().collect();
        records.push(NewAsset {
            id: Some(id.clone()),
            local_datetime: Some(DateTimeInput {
                naive: wall(s.time),
                offset: OFFSETS[s.offset].and_then(FixedOffset::east_opt),
            }),
            mime_type: MIMES[s.mime].map(Into::into),
            original_file_name: NAMES[s.name].map(Into::into),
            description: DESCRIPTIONS[s.description].map(Into::into),
            exif: exif(MAKES[s.make], CITIES[s.city]),
            is_favorite: Some(s.favorite),
            visibility: Some(VISIBILITIES[s.visibility]),
            faces: Some(
                s.people
                    .iter()
                    .map(|&p| NewFace {
                        person_id: Some(person_id(p)),
                        ..NewFace::default()
                    })
                    .collect(),
            ),
            ..NewAsset::default()
        });
        model.push(M {
            id,
            local: naive_micros(wall(s.time)),
            offset: OFFSETS[s.offset],
            trashed: false,
            visibility: VISIBILITIES[s.visibility],
            favorite: s.favorite,
            make: MAKES[s.make],
            city: CITIES[s.city],
            mime: MIMES[s.mime],
            name: NAMES[s.name],
            description: DESCRIPTIONS[s.description],
            albums: BTreeSet::new(),
            people,
        });
    }
    if !records.is_empty() {
        cat.add_assets(records, AddAssets::default()).unwrap();
    } else {
        cat.create_library(photocat::NewLibrary {
            name: "Library".into(),
            ..Default::default()
        })
        .unwrap();
    }
    for a in 0..ALBUMS {
        cat.create_album(photocat::NewAlbum {
            name: format!("Album {a}"),
            id: Some(album_id(a)),
            ..Default::default()
        })
        .unwrap();
    }
    for (i, s) in specs.iter().enumerate() {
        for &a in &s.albums {
            cat.add_to_album(&album_id(a), &[&model[i].id]).unwrap();
            model[i].albums.insert(a);
        }
    }
    World {
        cat,
        model,
        people: (0..PEOPLE).collect(),
    }
}

impl World {
    fn apply(&mut self, op: &Op) {
        if self.model.is_empty() {
            return;
        }
        let n = self.model.len();
        let pick = |i: usize| i % n;
        match *op {
            Op::Trash(i) => {
                let m = &mut self.model[pick(i)];
                self.cat.trash_assets(&[&m.id]).unwrap();
                m.trashed = true;
            }
            Op::Restore(i) => {
                let m = &mut self.model[pick(i)];
                self.cat.restore_assets(&[&m.id]).unwrap();
                m.trashed = false;
            }
            Op::Delete(i) => {
                let m = self.model.remove(pick(i));
                self.cat.delete_assets(&[&m.id]).unwrap();
            }
            Op::Favorite(i, b) => {
                let id = self.model[pick(i)].id.clone();
                self.update(
                    &id,
                    AssetUpdate {
                        is_favorite: Some(b),
                        ..AssetUpdate::default()
                    },
                );
                self.model[pick(i)].favorite = b;
            }
            Op::Visibility(i, v) => {
                let id = self.model[pick(i)].id.clone();
                self.update(
                    &id,
                    AssetUpdate {
                        visibility: Some(VISIBILITIES[v]),
                        ..AssetUpdate::default()
                    },
                );
                self.model[pick(i)].visibility = VISIBILITIES[v];
            }
            Op::Time(i, t, o) => {
                let id = self.model[pick(i)].id.clone();
                self.update(
                    &id,
                    AssetUpdate {
                        local_datetime: Some(DateTimeInput {
                            naive: wall(t),
                            offset: OFFSETS[o].and_then(FixedOffset::east_opt),
                        }),
                        ..AssetUpdate::default()
                    },
                );
                let m = &mut self.model[pick(i)];
                m.local = naive_micros(wall(t));
                m.offset = OFFSETS[o];
            }
            Op::Exif(i, mk, c) => {
                let id = self.model[pick(i)].id.clone();
                self.update(
                    &id,
                    AssetUpdate {
                        exif: Some(exif(MAKES[mk], CITIES[c])),
                        ..AssetUpdate::default()
                    },
                );
                let m = &mut self.model[pick(i)];
                m.make = MAKES[mk];
                m.city = CITIES[c];
            }
            Op::Name(i, k) => {
                let Some(name) = NAMES[k] else { return };
                let id = self.model[pick(i)].id.clone();
                self.update(
                    &id,
                    AssetUpdate {
                        original_file_name: Some(name.into()),
                        ..AssetUpdate::default()
                    },
                );
                self.model[pick(i)].name = Some(name);
            }
            Op::Description(i, k) => {
                let id = self.model[pick(i)].id.clone();
                self.update(
                    &id,
                    AssetUpdate {
                        description: Some(DESCRIPTIONS[k].map(Into::into)),
                        ..AssetUpdate::default()
                    },
                );
                self.model[pick(i)].description = DESCRIPTIONS[k];
            }
            Op::Album(i, a, add) => {
                let m = &mut self.model[pick(i)];
                if add {
                    self.cat.add_to_album(&album_id(a), &[&m.id]).unwrap();
                    m.albums.insert(a);
                } else {
                    self.cat.remove_from_album(&album_id(a), &[&m.id]).unwrap();
                    m.albums.remove(&a);
                }
            }
            Op::Merge(into, from) => {
                if into == from || !self.people.contains(&into) || !self.people.contains(&from) {
                    return;
                }
                self.cat
                    .merge_people(&person_id(into), &[person_id(from)])
                    .unwrap();
                self.people.remove(&from);
                for m in &mut self.model {
                    if m.people.remove(&from) {
                        m.people.insert(into);
                    }
                }
            }
        }
    }

    fn update(&self, id: &str, u: AssetUpdate) {
        self.cat.update_asset(id, u).unwrap();
    }
}

/// (asset value, bound value) under the list bound rule: instants when both sides know their
/// offset, wall clocks otherwise.
fn compared(m: &M, wall_us: i64, offset: Option<i32>) -> (i64, i64) {
    match (offset, m.offset) {
        (Some(bo), Some(mo)) => (
            m.local - i64::from(mo) * 1_000_000,
            wall_us - i64::from(bo) * 1_000_000,
        ),
        _ => (m.local, wall_us),
    }
}

fn bound_input(b: (usize, i64, usize)) -> (DateTimeInput, i64, Option<i32>) {
    let naive = wall(b.0) + Duration::minutes(37 * b.1);
    (
        DateTimeInput {
            naive,
            offset: OFFSETS[b.2].and_then(FixedOffset::east_opt),
        },
        naive_micros(naive),
        OFFSETS[b.2],
    )
}

fn contains_folded(hay: &str, needle: &str) -> bool {
    let fold = |s: &str| s.chars().flat_map(char::to_lowercase).collect::<String>();
    fold(hay).contains(&fold(needle))
}

/// The query for the engine and the model's matches in list order, or None when the query
/// names a merged-away person (the engine must answer NotFound, checked by the caller).
fn expected(w: &World, q: &QuerySpec) -> (SearchAssets, Vec<String>) {
    let after = q.after.map(bound_input);
    let before = q.before.map(bound_input);
    let types = [AssetType::Image, AssetType::Video];
    let query = SearchAssets {
        person_ids: (!q.people.is_empty())
            .then(|| q.people.iter().map(|&p| person_id(p)).collect()),
        album_ids: (!q.albums.is_empty()).then(|| q.albums.iter().map(|&a| album_id(a)).collect()),
        captured_after: after.map(|b| b.0),
        captured_before: before.map(|b| b.0),
        make: q.make.map(|k| MAKES[k].unwrap_or("").to_owned()),
        city: q.city.map(|k| CITIES[k].unwrap_or("").to_owned()),
        mime_type: q.mime.map(|k| MIMES[k].unwrap_or("").to_owned()),
        asset_type: q.asset_type.map(|k| types[k]),
        is_favorite: q.favorite,
        visibility: q.visibility.map(|k| VISIBILITIES[k]),
        original_file_name: q.name.map(|k| NEEDLES[k].to_owned()),
        description: q.description.map(|k| NEEDLES[k].to_owned()),
        limit: q.limit,
        ..SearchAssets::default()
    };
    let mut hits: Vec<&M> = w
        .model
        .iter()
        .filter(|m| {
            !m.trashed
                && m.visibility != Visibility::Hidden
                && q.people.iter().all(|p| m.people.contains(p))
                && q.albums.iter().all(|a| m.albums.contains(a))
                && after.is_none_or(|(_, wu, o)| {
                    let (a, b) = compared(m, wu, o);
                    a > b
                })
                && before.is_none_or(|(_, wu, o)| {
                    let (a, b) = compared(m, wu, o);
                    a < b
                })
                && query.make.as_deref().is_none_or(|v| m.make == Some(v))
                && query.city.as_deref().is_none_or(|v| m.city == Some(v))
                && query.mime_type.as_deref().is_none_or(|v| m.mime() == v)
                && query
                    .asset_type
                    .is_none_or(|t| AssetType::from_mime(m.mime()) == t)
                && q.favorite.is_none_or(|f| m.favorite == f)
                && query.visibility.is_none_or(|v| m.visibility == v)
                && query
                    .original_file_name
                    .as_deref()
                    .is_none_or(|n| n.is_empty() || contains_folded(m.name.unwrap_or(""), n))
                && query.description.as_deref().is_none_or(|n| {
                    n.is_empty() || m.description.is_some_and(|d| contains_folded(d, n))
                })
        })
        .collect();
    hits.sort_by(|a, b| (b.local, &b.id).cmp(&(a.local, &a.id)));
    (query, hits.into_iter().map(|m| m.id.clone()).collect())
}

fn check_search(w: &World, q: &QuerySpec) -> Result<(), TestCaseError> {
    let (mut query, want) = expected(w, q);
    if q.people.iter().any(|p| !w.people.contains(p)) {
        let err = w.cat.search_assets(&query).unwrap_err();
        prop_assert!(matches!(err, photocat::Error::NotFound { .. }), "{err}");
        return Ok(());
    }
    let mut got = Vec::new();
    loop {
        let page = w.cat.search_assets(&query).unwrap();
        prop_assert_eq!(
            page.total,
            want.len() as u64,
            "total on page {}",
            query.page
        );
        prop_assert_eq!(page.page, query.page);
        let start = ((query.page - 1) * query.limit) as usize;
        let end = (start + query.limit as usize).min(want.len());
        prop_assert_eq!(
            page.has_more,
            end < want.len(),
            "has_more on page {}",
            query.page
        );
        if page.data.is_empty() {
            prop_assert!(start >= want.len(), "an empty page before the end");
            break;
        }
        got.extend(page.data.iter().map(|a| a.id.clone()));
        query.page += 1;
    }
    prop_assert_eq!(got, want);
    Ok(())
}

fn bucket_start(size: BucketSize, d: NaiveDate) -> NaiveDate {
    match size {
        BucketSize::Year => NaiveDate::from_ymd_opt(d.year(), 1, 1).unwrap(),
        BucketSize::Month => NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap(),
        BucketSize::Week => {
            let w = d.iso_week();
            NaiveDate::from_isoywd_opt(w.year(), w.week(), chrono::Weekday::Mon).unwrap()
        }
        BucketSize::Day => d,
    }
}

fn check_buckets(w: &World) -> Result<(), TestCaseError> {
    let sizes = [
        BucketSize::Year,
        BucketSize::Month,
        BucketSize::Week,
        BucketSize::Day,
    ];
    let mut groups: Vec<(Option<usize>, Option<usize>)> = vec![(None, None)];
    groups.extend((0..ALBUMS).map(|a| (Some(a), None)));
    groups.extend(w.people.iter().map(|&p| (None, Some(p))));
    if let Some(&p) = w.people.iter().next() {
        groups.push((Some(0), Some(p)));
    }
    for size in sizes {
        for state in [State::Live, State::Trashed, State::All] {
            for &(album, person) in &groups {
                let mut want: BTreeMap<NaiveDate, u64> = BTreeMap::new();
                for m in &w.model {
                    let state_ok = match state {
                        State::Live => !m.trashed,
                        State::Trashed => m.trashed,
                        State::All => true,
                    };
                    if state_ok
                        && m.visibility != Visibility::Hidden
                        && album.is_none_or(|a| m.albums.contains(&a))
                        && person.is_none_or(|p| m.people.contains(&p))
                    {
                        *want.entry(bucket_start(size, m.day())).or_default() += 1;
                    }
                }
                let want: Vec<(NaiveDate, u64)> = want.into_iter().rev().collect();
                let got: Vec<(NaiveDate, u64)> = w
                    .cat
                    .time_buckets(&TimeBuckets {
                        size,
                        album_id: album.map(album_id),
                        person_id: person.map(person_id),
                        state,
                        ..TimeBuckets::default()
                    })
                    .unwrap()
                    .into_iter()
                    .map(|b| (b.start, b.count))
                    .collect();
                prop_assert_eq!(
                    got,
                    want,
                    "{:?} {:?} album {:?} person {:?}",
                    size,
                    state,
                    album,
                    person
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn search_and_buckets_follow_the_model(
        specs in prop::collection::vec(asset_spec(), 0..40),
        rounds in prop::collection::vec(
            (prop::collection::vec(op(), 0..8), prop::collection::vec(query_spec(), 1..6)),
            1..4,
        ),
    ) {
        let mut w = build(&specs);
        for (ops, queries) in &rounds {
            for op in ops {
                w.apply(op);
            }
            for q in queries {
                check_search(&w, q)?;
            }
            check_buckets(&w)?;
        }
        let report = w.cat.verify().unwrap();
        prop_assert!(report.is_ok(), "{}", report);
    }
}

#[test]
fn errors_name_the_problem() {
    let w = build(&[]);
    let bad = |q: SearchAssets| w.cat.search_assets(&q).unwrap_err().to_string();
    assert!(bad(SearchAssets {
        page: 0,
        ..Default::default()
    })
    .contains("at least 1"));
    assert!(bad(SearchAssets {
        limit: 201,
        ..Default::default()
    })
    .contains("between 1 and 200"));
    assert!(bad(SearchAssets {
        visibility: Some(Visibility::Hidden),
        ..Default::default()
    })
    .contains("timeline"));
    assert!(bad(SearchAssets {
        person_ids: Some(vec!["person_x".into()]),
        ..Default::default()
    })
    .contains("person_x"));
    assert!(bad(SearchAssets {
        person_ids: Some(vec!["p".into(); 201]),
        ..Default::default()
    })
    .contains("at most 200"));
    assert!("fortnight"
        .parse::<BucketSize>()
        .unwrap_err()
        .to_string()
        .contains("\"week\""));
    let empty = w.cat.search_assets(&SearchAssets::default()).unwrap();
    assert_eq!(
        (empty.total, empty.has_more, empty.data.len()),
        (0, false, 0)
    );
    let far = w
        .cat
        .search_assets(&SearchAssets {
            page: u32::MAX,
            limit: 200,
            ..Default::default()
        })
        .unwrap();
    assert_eq!((far.total, far.page), (0, u32::MAX));
    assert_eq!(
        far.to_json(),
        format!(
            "{{\"data\":[],\"page\":{},\"has_more\":false,\"total\":0}}",
            u32::MAX
        )
    );
}

#[test]
fn page_json_is_the_serde_shape() {
    let specs: Vec<AssetSpec> = (0..3)
        .map(|i| AssetSpec {
            time: i,
            offset: 0,
            make: 1,
            city: 0,
            mime: 0,
            name: 1,
            description: 0,
            visibility: 0,
            favorite: false,
            people: vec![0],
            albums: vec![],
        })
        .collect();
    let w = build(&specs);
    let page = w
        .cat
        .search_assets(&SearchAssets {
            limit: 2,
            ..Default::default()
        })
        .unwrap();
    assert_eq!((page.data.len(), page.total, page.has_more), (2, 3, true));
    assert_eq!(page.to_json(), serde_json::to_string(&page).unwrap());
    let list = w.cat.list_assets(&photocat::ListAssets::default()).unwrap();
    assert_eq!(list.to_json(), serde_json::to_string(&list).unwrap());
    let v: serde_json::Value = serde_json::from_str(&page.to_json()).unwrap();
    assert_eq!(
        v["data"][0],
        serde_json::from_str::<serde_json::Value>(&page.data[0].to_json()).unwrap()
    );
}
