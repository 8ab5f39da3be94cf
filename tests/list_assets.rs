//! Gumnut list semantics through the public API: order and ties, cursors, states, limits,
//! filters, the timezone rules of the date bounds, and the proof that a page costs the same at
//! any depth (counted, not timed).

mod common;

use common::{asset, walk};
use photocat::{
    AddAssets, Catalog, Error, ListAssets, NewAlbum, NewAsset, NewFace, NewPerson, State,
};

fn page_ids(cat: &Catalog, q: &ListAssets) -> (Vec<String>, bool) {
    let p = cat.list_assets(q).unwrap();
    (p.data.into_iter().map(|a| a.id).collect(), p.has_more)
}

#[test]
fn order_is_local_datetime_then_id_descending_with_exact_has_more() {
    let cat = Catalog::in_memory().unwrap();
    cat.add_assets(
        vec![
            asset("b", "2024-01-01T10:00:00"),
            asset("a", "2024-01-01T10:00:00"),
            asset("c", "2024-01-01T10:00:00"),
            asset("z", "2023-12-31T23:59:59.999999"),
            asset("y", "2024-01-01T10:00:00.000001"),
        ],
        AddAssets::default(),
    )
    .unwrap();
    let q = ListAssets {
        limit: 2,
        ..Default::default()
    };
    assert_eq!(page_ids(&cat, &q), (vec!["y".into(), "c".into()], true));
    let q2 = ListAssets {
        starting_after_id: Some("c".into()),
        ..q.clone()
    };
    assert_eq!(page_ids(&cat, &q2), (vec!["b".into(), "a".into()], true));
    let q3 = ListAssets {
        starting_after_id: Some("a".into()),
        ..q.clone()
    };
    assert_eq!(page_ids(&cat, &q3), (vec!["z".into()], false));
    let q4 = ListAssets {
        starting_after_id: Some("z".into()),
        ..q.clone()
    };
    assert_eq!(page_ids(&cat, &q4), (vec![], false));
    // Exactly `limit` remaining: has_more is false.
    let q5 = ListAssets {
        starting_after_id: Some("b".into()),
        ..q
    };
    assert_eq!(page_ids(&cat, &q5), (vec!["a".into(), "z".into()], false));
    assert_eq!(
        walk(
            &cat,
            ListAssets {
                limit: 1,
                ..Default::default()
            }
        ),
        ["y", "c", "b", "a", "z"]
    );
    let iter: Vec<String> = cat
        .iter_assets(ListAssets::default(), 2)
        .unwrap()
        .map(|a| a.unwrap().id)
        .collect();
    assert_eq!(iter, ["y", "c", "b", "a", "z"]);
}

#[test]
fn cursor_asset_need_not_match_filters_and_unknown_is_not_found() {
    let cat = Catalog::in_memory().unwrap();
    cat.add_assets(
        vec![
            asset("a1", "2024-01-01T00:00:00"),
            asset("a2", "2024-01-02T00:00:00"),
            asset("a3", "2024-01-03T00:00:00"),
            asset("a4", "2024-01-04T00:00:00"),
        ],
        AddAssets::default(),
    )
    .unwrap();
    let album = cat
        .create_album(NewAlbum {
            name: "x".into(),
            ..Default::default()
        })
        .unwrap();
    cat.add_to_album(&album.id, &["a1", "a4"]).unwrap();
    cat.trash_assets(&["a3"]).unwrap();
    // a3 is trashed and not in the album; its position still counts.
    let q = ListAssets {
        album_id: Some(album.id.clone()),
        starting_after_id: Some("a3".into()),
        ..Default::default()
    };
    assert_eq!(page_ids(&cat, &q), (vec!["a1".into()], false));
    let err = cat
        .list_assets(&ListAssets {
            starting_after_id: Some("nope".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { kind: "asset", ref id } if id == "nope"));
    // In the trashed order a live cursor has no position.
    let err = cat
        .list_assets(&ListAssets {
            state: State::Trashed,
            starting_after_id: Some("a1".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidArgument(ref m) if m.contains("not trashed")),
        "{err}"
    );
}

#[test]
fn trashed_order_is_by_trashed_at() {
    let cat = Catalog::in_memory().unwrap();
    let mut recs = Vec::new();
    for (id, when, trashed) in [
        ("a", "2024-01-01T00:00:00", "2024-06-03T00:00:00Z"),
        ("b", "2024-01-02T00:00:00", "2024-06-01T00:00:00Z"),
        ("c", "2024-01-03T00:00:00", "2024-06-02T00:00:00Z"),
        ("d", "2024-01-04T00:00:00", "2024-06-02T00:00:00Z"),
    ] {
        let mut r = asset(id, when);
        r.trashed_at = Some(trashed.parse().unwrap());
        recs.push(r);
    }
    recs.push(asset("live", "2024-01-05T00:00:00"));
    cat.add_assets(recs, AddAssets::default()).unwrap();
    assert_eq!(
        walk(
            &cat,
            ListAssets {
                state: State::Trashed,
                limit: 1,
                ..Default::default()
            }
        ),
        ["a", "d", "c", "b"]
    );
    assert_eq!(
        walk(
            &cat,
            ListAssets {
                state: State::All,
                limit: 2,
                ..Default::default()
            }
        ),
        ["live", "d", "c", "b", "a"]
    );
    assert_eq!(walk(&cat, ListAssets::default()), ["live"]);
}

#[test]
fn limits_and_ids() {
    let cat = Catalog::in_memory().unwrap();
    cat.add_assets(
        (0..5)
            .map(|i| asset(&format!("a{i}"), &format!("2024-01-0{}T00:00:00", i + 1)))
            .collect(),
        AddAssets::default(),
    )
    .unwrap();
    for bad in [0, 201] {
        let e = cat
            .list_assets(&ListAssets {
                limit: bad,
                ..Default::default()
            })
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("limit must be between 1 and 200, got {bad}")
        );
    }
    let q = ListAssets {
        ids: Some(vec![
            "a1".into(),
            "a3".into(),
            "missing".into(),
            "a4".into(),
            "a1".into(),
        ]),
        limit: 2,
        ..Default::default()
    };
    assert_eq!(page_ids(&cat, &q), (vec!["a4".into(), "a3".into()], true));
    assert_eq!(walk(&cat, q), ["a4", "a3", "a1"]);
    let e = cat
        .list_assets(&ListAssets {
            ids: Some(vec!["x".into(); 101]),
            ..Default::default()
        })
        .unwrap_err();
    assert!(e.to_string().contains("at most 100"));
    assert!(matches!(
        cat.list_assets(&ListAssets {
            album_id: Some("nope".into()),
            ..Default::default()
        }),
        Err(Error::NotFound { kind: "album", .. })
    ));
    assert!(matches!(
        cat.list_assets(&ListAssets {
            library_id: Some("nope".into()),
            ..Default::default()
        }),
        Err(Error::NotFound {
            kind: "library",
            ..
        })
    ));
}

#[test]
fn date_bounds_follow_the_timezone_rules() {
    let cat = Catalog::in_memory().unwrap();
    let mut recs = vec![
        // 10:00 at +02:00 = 08:00Z
        asset("paris", "2024-03-01T10:00:00+02:00"),
        // 10:00 at -05:00 = 15:00Z
        asset("ny", "2024-03-01T10:00:00-05:00"),
        // 10:00, offset unknown
        asset("naive", "2024-03-01T10:00:00"),
        // 23:30 at +14:00 on the 1st = 09:30Z
        asset("kiri", "2024-03-01T23:30:00+14:00"),
    ];
    // Offset from metadata.timezone (IANA), summer time in Sydney: +11:00. 19:00 = 08:00Z.
    let mut syd = asset("syd", "2024-03-01T19:00:00");
    syd.metadata = Some(photocat::Exif {
        timezone: Some("Australia/Sydney".into()),
        ..Default::default()
    });
    recs.push(syd);
    cat.add_assets(recs, AddAssets::default()).unwrap();
    assert_eq!(
        cat.get_asset("syd")
            .unwrap()
            .local_offset
            .unwrap()
            .local_minus_utc(),
        11 * 3600
    );

    let q = |after: Option<&str>, before: Option<&str>| ListAssets {
        local_datetime_after: after.map(|s| s.parse().unwrap()),
        local_datetime_before: before.map(|s| s.parse().unwrap()),
        limit: 200,
        ..Default::default()
    };
    let got = |after, before| {
        let mut v = walk(&cat, q(after, before));
        v.sort();
        v
    };
    // Naive bounds compare wall-clock values.
    assert_eq!(
        got(Some("2024-03-01T09:59:59"), Some("2024-03-01T10:00:01")),
        ["naive", "ny", "paris"]
    );
    // Aware: after 08:00Z (exclusive): ny (15:00Z), kiri (09:30Z); naive 10:00 vs bound's own wall clock 08:00 -> after.
    assert_eq!(
        got(Some("2024-03-01T08:00:00Z"), None),
        ["kiri", "naive", "ny"]
    );
    // Same instant written at +02:00: wall clock 10:00 for the naive asset (not after).
    assert_eq!(got(Some("2024-03-01T10:00:00+02:00"), None), ["kiri", "ny"]);
    // Before 09:00Z: paris, syd (08:00Z).
    assert_eq!(got(None, Some("2024-03-01T09:00:00Z")), ["paris", "syd"]);
    // Both bounds.
    assert_eq!(
        got(Some("2024-03-01T07:59:59Z"), Some("2024-03-01T09:30:00Z")),
        ["paris", "syd"]
    );
}

#[test]
fn album_person_and_both() {
    let cat = Catalog::in_memory().unwrap();
    cat.add_assets(
        (0..30)
            .map(|i| {
                asset(
                    &format!("a{i:02}"),
                    &format!("2024-01-{:02}T00:00:00", i % 28 + 1),
                )
            })
            .collect(),
        AddAssets::default(),
    )
    .unwrap();
    let album = cat
        .create_album(NewAlbum {
            name: "x".into(),
            ..Default::default()
        })
        .unwrap();
    let p = cat.create_person(NewPerson::default()).unwrap();
    let in_album: Vec<String> = (0..30)
        .filter(|i| i % 2 == 0)
        .map(|i| format!("a{i:02}"))
        .collect();
    cat.add_to_album(&album.id, &in_album).unwrap();
    cat.add_faces(
        (0..30)
            .filter(|i| i % 3 == 0)
            .map(|i| NewFace {
                asset_id: Some(format!("a{i:02}")),
                person_id: Some(p.id.clone()),
                ..Default::default()
            })
            .collect(),
    )
    .unwrap();
    let expect = |f: &dyn Fn(i32) -> bool| -> Vec<String> {
        let mut v: Vec<(String, String)> = (0..30)
            .filter(|&i| f(i))
            .map(|i| (format!("2024-01-{:02}", i % 28 + 1), format!("a{i:02}")))
            .collect();
        v.sort();
        v.reverse();
        v.into_iter().map(|x| x.1).collect()
    };
    let base = ListAssets {
        limit: 4,
        ..Default::default()
    };
    assert_eq!(
        walk(
            &cat,
            ListAssets {
                album_id: Some(album.id.clone()),
                ..base.clone()
            }
        ),
        expect(&|i| i % 2 == 0)
    );
    assert_eq!(
        walk(
            &cat,
            ListAssets {
                person_id: Some(p.id.clone()),
                ..base.clone()
            }
        ),
        expect(&|i| i % 3 == 0)
    );
    assert_eq!(
        walk(
            &cat,
            ListAssets {
                album_id: Some(album.id.clone()),
                person_id: Some(p.id.clone()),
                ..base
            }
        ),
        expect(&|i| i % 6 == 0)
    );
}

/// A catalogue of `n` assets with realistic ties, 3% trashed, one large album, a person on a
/// third of the assets, and mixed offsets.
fn big_catalogue(n: usize) -> (Catalog, String, String) {
    let cat = Catalog::in_memory().unwrap();
    let base = chrono::NaiveDate::from_ymd_opt(2010, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let offsets = [None, Some(0), Some(7200), Some(-18000), Some(32400)];
    let recs: Vec<NewAsset> = (0..n)
        .map(|i| {
            // Every 20th asset shares its second with the previous one.
            let secs = (i - i % 2 * usize::from(i % 20 == 1)) as i64 * 3600;
            let naive = base + chrono::Duration::seconds(secs);
            let offset =
                offsets[i % offsets.len()].map(|o| chrono::FixedOffset::east_opt(o).unwrap());
            NewAsset {
                id: Some(format!("asset_{i:07}")),
                local_datetime: Some(photocat::DateTimeInput { naive, offset }),
                trashed_at: (i % 33 == 0).then(|| {
                    chrono::DateTime::from_timestamp(1_700_000_000 + i as i64, 0).unwrap()
                }),
                ..Default::default()
            }
        })
        .collect();
    cat.add_assets(recs, AddAssets::default()).unwrap();
    let album = cat
        .create_album(NewAlbum {
            name: "big".into(),
            ..Default::default()
        })
        .unwrap();
    let members: Vec<String> = (0..n)
        .filter(|i| i % 2 == 0)
        .map(|i| format!("asset_{i:07}"))
        .collect();
    for chunk in members.chunks(10_000) {
        cat.add_to_album(&album.id, chunk).unwrap();
    }
    let person = cat.create_person(NewPerson::default()).unwrap();
    let faces: Vec<NewFace> = (0..n)
        .filter(|i| i % 3 == 0)
        .map(|i| NewFace {
            asset_id: Some(format!("asset_{i:07}")),
            person_id: Some(person.id.clone()),
            ..Default::default()
        })
        .collect();
    for chunk in faces.chunks(10_000) {
        cat.add_faces(chunk.to_vec()).unwrap();
    }
    (cat, album.id, person.id)
}

/// Index entries and records a page costs: first page vs the page after `depth` assets.
fn cost(cat: &Catalog, q: &ListAssets, depth: usize) -> (photocat::ReadStats, photocat::ReadStats) {
    // Find the cursor for `depth` by walking (not counted).
    let mut it = cat.iter_assets(q.clone(), 200).unwrap();
    let cursor = it.nth(depth - 1).expect("deep enough").unwrap().id;
    drop(it);
    let measure = |q: &ListAssets| {
        let before = cat.read_stats();
        let page = cat.list_assets(q).unwrap();
        assert_eq!(page.data.len(), q.limit as usize);
        cat.read_stats() - before
    };
    let first = measure(q);
    let deep = measure(&ListAssets {
        starting_after_id: Some(cursor),
        ..q.clone()
    });
    (first, deep)
}

#[test]
fn page_cost_does_not_grow_with_depth() {
    let (cat, album, person) = big_catalogue(100_000);
    let q = |f: &dyn Fn(&mut ListAssets)| {
        let mut q = ListAssets {
            limit: 20,
            ..Default::default()
        };
        f(&mut q);
        q
    };
    let cases = [
        ("no filter", q(&|_| {})),
        ("album", q(&|q| q.album_id = Some(album.clone()))),
        ("person", q(&|q| q.person_id = Some(person.clone()))),
        (
            "album+person",
            q(&|q| {
                q.album_id = Some(album.clone());
                q.person_id = Some(person.clone());
            }),
        ),
        (
            "naive range",
            q(&|q| {
                q.local_datetime_after = Some("2010-06-01T00:00:00".parse().unwrap());
                q.local_datetime_before = Some("2020-01-01T00:00:00".parse().unwrap());
            }),
        ),
        (
            "aware range",
            q(&|q| {
                q.local_datetime_after = Some("2010-06-01T00:00:00+05:00".parse().unwrap());
                q.local_datetime_before = Some("2020-01-01T00:00:00-03:00".parse().unwrap());
            }),
        ),
        ("trashed", q(&|q| q.state = State::Trashed)),
        ("all", q(&|q| q.state = State::All)),
    ];
    for (name, q) in cases {
        let depth = if q.state == State::Trashed {
            2_000
        } else {
            10_000
        };
        let (first, deep) = cost(&cat, &q, depth);
        eprintln!("{name}: first {first:?} deep {deep:?}");
        // The cursor costs one record read (its sort key) and the leapfrog may seek a few
        // more times; index entries stepped must not grow.
        assert!(
            deep.index_entries <= first.index_entries + 2,
            "{name}: {} entries at depth vs {} on page 1",
            deep.index_entries,
            first.index_entries
        );
        assert!(
            deep.records <= first.records + 1,
            "{name}: records {first:?} vs {deep:?}"
        );
        assert!(
            deep.seeks <= first.seeks + 4,
            "{name}: seeks {first:?} vs {deep:?}"
        );
    }

    // Totals of one group are read, not counted: no index entry is stepped, no asset record
    // read, whatever the group's size (here 100,000 assets, 50,000 in the album).
    let live =
        |keep: &dyn Fn(u64) -> bool| (0..100_000u64).filter(|i| keep(*i) && i % 33 != 0).count();
    for (name, q, want) in [
        ("library", q(&|_| {}), live(&|_| true)),
        (
            "album",
            q(&|q| q.album_id = Some(album.clone())),
            live(&|i| i % 2 == 0),
        ),
        (
            "person",
            q(&|q| q.person_id = Some(person.clone())),
            live(&|i| i % 3 == 0),
        ),
        (
            "trashed",
            q(&|q| q.state = State::Trashed),
            100_000 / 33 + 1,
        ),
        ("all", q(&|q| q.state = State::All), 100_000),
    ] {
        let want = want as u64;
        let before = cat.read_stats();
        let n = cat.count_assets(&q).unwrap();
        let spent = cat.read_stats() - before;
        assert_eq!(n, want, "{name}");
        assert_eq!(
            ids_count(&cat, &q),
            want,
            "{name}: the count is what a walk returns"
        );
        assert_eq!(spent.index_entries, 0, "{name}: {spent:?}");
        assert!(spent.records <= 2, "{name}: {spent:?}");
    }
}

fn ids_count(cat: &Catalog, q: &ListAssets) -> u64 {
    cat.iter_assets(q.clone(), 200).unwrap().count() as u64
}

#[test]
fn a_full_walk_visits_each_entry_a_bounded_number_of_times() {
    let (cat, album, _) = big_catalogue(20_000);
    for q in [
        ListAssets {
            limit: 200,
            ..Default::default()
        },
        ListAssets {
            limit: 200,
            album_id: Some(album),
            ..Default::default()
        },
    ] {
        cat.reset_read_stats();
        let n = walk(&cat, q).len() as u64;
        let s = cat.read_stats();
        // Each page reads limit + 1 entries: at most one entry per page is read twice.
        assert!(s.index_entries <= n + n / 200 + 2, "{s:?} for {n} assets");
    }
}
