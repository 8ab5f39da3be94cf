//! Immich-style reads (API.md section 7) through the public API: `get_all_assets` (filters,
//! order, skip/take across time buckets, body and ETag, If-None-Match), `random_assets`,
//! device look-ups, and the upgrade of a format 2 catalogue. The randomized comparison with a
//! plain model is in `tests/model_check.rs`.

use chrono::{DateTime, Duration, TimeZone, Utc};
use photocat::query::immich::{etag, if_none_match_matches};
use photocat::views::immich::to_immich_json_array;
use photocat::{
    AddAssets, AssetUpdate, Catalog, Error, GetAllAssets, NewAsset, NewLibrary, RandomAssets,
    Visibility,
};

fn ids(assets: &[photocat::Asset]) -> Vec<&str> {
    assets.iter().map(|a| a.id.as_str()).collect()
}

fn at(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).unwrap()
}

/// Two owners' libraries and an ownerless one; assets of every state.
fn fixture() -> Catalog {
    let cat = Catalog::in_memory().unwrap();
    for (id, owner) in [
        ("lib_a", Some("ann")),
        ("lib_b", Some("bo")),
        ("lib_n", None),
    ] {
        cat.create_library(NewLibrary {
            name: id.into(),
            id: Some(id.into()),
            owner_id: owner.map(Into::into),
        })
        .unwrap();
    }
    let asset = |id: &str, t: i64, fav: bool, vis: Visibility| NewAsset {
        id: Some(id.into()),
        file_created_at: Some(at(t)),
        is_favorite: Some(fav),
        visibility: Some(vis),
        device_id: Some("phone".into()),
        device_asset_id: Some(format!("dev_{id}")),
        ..Default::default()
    };
    let add = |lib: &str, v: Vec<NewAsset>| {
        cat.add_assets(
            v,
            AddAssets {
                library_id: Some(lib.into()),
                ..Default::default()
            },
        )
        .unwrap();
    };
    use Visibility::*;
    add(
        "lib_a",
        vec![
            asset("a1", 1_000, false, Timeline),
            asset("a2", 2_000, true, Timeline),
            asset("a3", 2_000, false, Archive), // ties a2: id desc puts a3 first
            asset("a4", 3_000, true, Archive),
            asset("a5", 4_000, false, Hidden),
            asset("a6", 5_000, false, Locked),
            asset("a7", 6_000, false, Timeline), // trashed below
        ],
    );
    add(
        "lib_b",
        vec![
            asset("b1", 1_500, false, Timeline),
            asset("b2", 2_000, true, Timeline),
        ],
    );
    add("lib_n", vec![asset("n1", 2_500, false, Timeline)]);
    cat.trash_assets(&["a7"]).unwrap();
    cat
}

fn all(cat: &Catalog, q: GetAllAssets) -> Vec<String> {
    let r = cat.get_all_assets(&q).unwrap();
    r.assets.into_iter().map(|a| a.id).collect()
}

#[test]
fn owners_filters_and_order() {
    let cat = fixture();
    let owner = |o: &str| GetAllAssets {
        owner_id: Some(o.into()),
        ..Default::default()
    };
    // Hidden and locked left out, trashed in; file_created_at desc, ties by id desc.
    assert_eq!(all(&cat, owner("ann")), ["a7", "a4", "a3", "a2", "a1"]);
    assert_eq!(all(&cat, owner("bo")), ["b2", "b1"]);
    assert_eq!(all(&cat, owner("nobody")), Vec::<String>::new());
    assert_eq!(
        all(&cat, GetAllAssets::default()),
        ["a7", "a4", "n1", "b2", "a3", "a2", "b1", "a1"]
    );
    let fav = |f: bool| GetAllAssets {
        is_favorite: Some(f),
        ..owner("ann")
    };
    assert_eq!(all(&cat, fav(true)), ["a4", "a2"]);
    assert_eq!(all(&cat, fav(false)), ["a7", "a3", "a1"]);
    let arch = GetAllAssets {
        is_archived: Some(true),
        is_favorite: Some(false),
        ..Default::default()
    };
    assert_eq!(all(&cat, arch), ["a3"]);
    let trashed = cat
        .get_all_assets(&owner("ann"))
        .unwrap()
        .assets
        .into_iter()
        .find(|a| a.id == "a7")
        .unwrap();
    assert_eq!(trashed.to_immich_json_value()["isTrashed"], true);
}

#[test]
fn skip_take_and_updated_bounds() {
    let cat = fixture();
    let q = |skip, take| GetAllAssets {
        skip,
        take,
        ..Default::default()
    };
    assert_eq!(all(&cat, q(2, Some(3))), ["n1", "b2", "a3"]);
    assert_eq!(all(&cat, q(7, None)), ["a1"]);
    assert_eq!(all(&cat, q(8, None)), Vec::<String>::new());
    assert_eq!(all(&cat, q(0, Some(0))), Vec::<String>::new());
    // updated_at bounds are inclusive.
    std::thread::sleep(std::time::Duration::from_millis(5));
    let changed = cat
        .update_asset(
            "b1",
            AssetUpdate {
                is_favorite: Some(true),
                ..Default::default()
            },
        )
        .unwrap();
    let exact = GetAllAssets {
        updated_after: Some(changed.updated_at.into()),
        updated_before: Some(changed.updated_at.into()),
        ..Default::default()
    };
    assert_eq!(all(&cat, exact), ["b1"]);
    let old = GetAllAssets {
        updated_before: Some((changed.updated_at - Duration::microseconds(1)).into()),
        skip: 1,
        ..Default::default()
    };
    // Every other asset, b1 (changed) left out; the skip passes a7.
    assert_eq!(all(&cat, old), ["a4", "n1", "b2", "a3", "a2", "a1"]);
    // A naive bound is read as UTC.
    let naive = GetAllAssets {
        updated_after: Some(changed.updated_at.naive_utc().into()),
        ..Default::default()
    };
    assert_eq!(all(&cat, naive), ["b1"]);
}

#[test]
fn body_and_etag_are_immichs() {
    let cat = fixture();
    let r = cat.get_all_assets(&GetAllAssets::default()).unwrap();
    assert_eq!(r.body, to_immich_json_array(&r.assets).into_bytes());
    // The JSON-only call: the same body and ETag, from the stored records; and each asset's
    // JSON by id.
    let json = cat.get_all_assets_json(&GetAllAssets::default()).unwrap();
    assert_eq!(
        (&json.body, &json.etag, json.not_modified),
        (&r.body, &r.etag, false)
    );
    for a in &r.assets {
        assert_eq!(
            cat.get_asset_immich_json(&a.id).unwrap(),
            a.to_immich_json()
        );
    }
    assert!(matches!(
        cat.get_asset_immich_json("asset_none"),
        Err(photocat::Error::NotFound { .. })
    ));
    assert!(matches!(
        cat.get_asset_immich_json("not an id"),
        Err(photocat::Error::InvalidArgument(_))
    ));
    assert_eq!(r.etag, etag(&r.body));
    let (len, hash) = r.etag.trim_matches('"').split_once('-').unwrap();
    assert_eq!(usize::from_str_radix(len, 16).unwrap(), r.body.len());
    assert_eq!(hash.len(), 27);
    for header in [
        r.etag.clone(),
        format!("W/{}", r.etag),
        format!("\"other\", {}", r.etag),
        format!("\"other\",W/{} ", r.etag),
        "*".to_owned(),
    ] {
        let again = cat
            .get_all_assets(&GetAllAssets {
                if_none_match: Some(header.clone()),
                ..Default::default()
            })
            .unwrap();
        assert!(again.not_modified, "{header}");
        assert!(again.assets.is_empty() && again.body.is_empty());
        assert_eq!(again.etag, r.etag);
        let json = cat
            .get_all_assets_json(&GetAllAssets {
                if_none_match: Some(header.clone()),
                ..Default::default()
            })
            .unwrap();
        assert!(json.not_modified && json.body.is_empty() && json.etag == r.etag);
    }
    for header in ["", "\"other\"", "**", &r.etag[1..]] {
        assert!(!if_none_match_matches(header, &r.etag), "{header}");
    }
    // A change of any listed asset changes the ETag.
    cat.update_asset(
        "a1",
        AssetUpdate {
            is_favorite: Some(true),
            ..Default::default()
        },
    )
    .unwrap();
    let changed = cat
        .get_all_assets(&GetAllAssets {
            if_none_match: Some(r.etag.clone()),
            ..Default::default()
        })
        .unwrap();
    assert!(!changed.not_modified);
    assert_ne!(changed.etag, r.etag);
    // An empty answer is the body `[]`.
    let none = cat
        .get_all_assets(&GetAllAssets {
            owner_id: Some("nobody".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(none.body, b"[]");
    assert_eq!(none.etag, "\"2-l9Fw4VUO7kr8CvBlt4zaMCqXZ0w\"");
}

/// Assets spread over many buckets of every block level, with bursts (many in one second)
/// and ties: every skip gives the model's slice, and a deep skip steps few entries.
#[test]
fn skip_jumps_buckets_and_matches_the_order() {
    let cat = Catalog::in_memory().unwrap();
    let mut model: Vec<(i64, String)> = Vec::new();
    let mut recs = Vec::new();
    for i in 0..6_000i64 {
        // Bursts of 7 at one instant, gaps from seconds to weeks.
        let t = 1_400_000_000 + (i / 7) * (97 + (i / 7 % 13) * 50_000) + (i % 7) / 3;
        let id = format!("asset_{i:05}");
        model.push((t, id.clone()));
        recs.push(NewAsset {
            id: Some(id),
            file_created_at: Some(at(t)),
            ..Default::default()
        });
    }
    cat.add_assets(recs, AddAssets::default()).unwrap();
    model.sort_by(|a, b| b.cmp(a));
    let expected: Vec<&str> = model.iter().map(|m| m.1.as_str()).collect();
    for skip in [
        0, 1, 6, 7, 100, 2_999, 3_000, 4_321, 5_990, 5_999, 6_000, 7_000,
    ] {
        let got = all(
            &cat,
            GetAllAssets {
                skip,
                take: Some(10),
                ..Default::default()
            },
        );
        let s = (skip as usize).min(expected.len());
        let e = (s + 10).min(expected.len());
        assert_eq!(got, &expected[s..e], "skip {skip}");
    }
    cat.reset_read_stats();
    let page = cat
        .get_all_assets(&GetAllAssets {
            skip: 4_321,
            take: Some(100),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(ids(&page.assets), &expected[4_321..4_421]);
    let stats = cat.read_stats();
    // Block rows of three levels (at most 64 per level below the top) and the entries of one
    // 72-minute bucket before the page, not the 4,321 entries skipped.
    assert!(
        stats.index_entries < 400,
        "stepped {} entries",
        stats.index_entries
    );
    // The 100 records, and the library's once per chunk built in parallel (64 assets each).
    assert_eq!(stats.records, 100 + 2);
}

#[test]
fn random_assets_draws_eligible_assets() {
    let cat = fixture();
    let q = |count, owner: Option<&str>, seed| RandomAssets {
        count,
        owner_id: owner.map(Into::into),
        seed,
    };
    // Eligible: not trashed, timeline or archive.
    let mut every: Vec<String> = cat
        .random_assets(&q(100, None, Some(1)))
        .unwrap()
        .into_iter()
        .map(|a| a.id)
        .collect();
    every.sort();
    assert_eq!(every, ["a1", "a2", "a3", "a4", "b1", "b2", "n1"]);
    let ann = cat.random_assets(&q(2, Some("ann"), Some(5))).unwrap();
    assert_eq!(ann.len(), 2);
    assert!(ann
        .iter()
        .all(|a| ["a1", "a2", "a3", "a4"].contains(&a.id.as_str())));
    assert_ne!(ann[0].id, ann[1].id);
    assert_eq!(cat.random_assets(&q(2, Some("ann"), Some(5))).unwrap(), ann);
    assert!(cat
        .random_assets(&q(3, Some("nobody"), None))
        .unwrap()
        .is_empty());
    // Trash, hide and delete leave the pool; restore returns.
    cat.trash_assets(&["a1"]).unwrap();
    cat.update_asset(
        "a2",
        AssetUpdate {
            visibility: Some(Visibility::Hidden),
            ..Default::default()
        },
    )
    .unwrap();
    cat.delete_assets(&["a3"]).unwrap();
    cat.restore_assets(&["a7"]).unwrap();
    let mut ann: Vec<String> = cat
        .random_assets(&q(10, Some("ann"), None))
        .unwrap()
        .into_iter()
        .map(|a| a.id)
        .collect();
    ann.sort();
    assert_eq!(ann, ["a4", "a7"]);
    match cat.random_assets(&q(0, None, None)) {
        Err(Error::InvalidArgument(m)) => assert!(m.contains("count must be 1 or more"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn device_look_ups() {
    let cat = fixture();
    // Trashed (a7) and hidden (a5) left out; archived and locked stay.
    assert_eq!(
        cat.device_asset_ids("phone", Some("ann")).unwrap(),
        ["dev_a1", "dev_a2", "dev_a3", "dev_a4", "dev_a6"]
    );
    assert_eq!(cat.device_asset_ids("phone", None).unwrap().len(), 8);
    assert!(cat.device_asset_ids("tablet", None).unwrap().is_empty());
    let given = ["dev_a7", "dev_b1", "nope", "dev_a5", "dev_a7"];
    assert_eq!(
        cat.existing_device_asset_ids("phone", &given, Some("ann"))
            .unwrap(),
        ["dev_a7", "dev_a5"]
    );
    assert_eq!(
        cat.existing_device_asset_ids("phone", &given, None)
            .unwrap(),
        ["dev_a7", "dev_b1", "dev_a5"]
    );
    // A device asset id moves with an update.
    cat.update_asset(
        "b1",
        AssetUpdate {
            device_asset_id: Some("moved".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        cat.device_asset_ids("phone", Some("bo")).unwrap(),
        ["dev_b2", "moved"]
    );
    // Defaults: device "photocat", device asset id = the asset id.
    let plain = cat
        .add_assets(
            vec![NewAsset::default()],
            AddAssets {
                library_id: Some("lib_n".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        cat.device_asset_ids("photocat", None).unwrap(),
        [plain[0].id.clone()]
    );
}

/// `tests/data/format2.redb` was written by photocat's format 2 (commit 216a483, generator in
/// tests/data/README.md): libraries
/// `library_ann` (owner `user_ann`), `library_bo` (`user_bo`) and `library_shared` (no
/// owner), each with 8 assets `asset_{ann,bo,shared}_{0..7}`: asset i created at
/// 2020 + i/2, month 1 + i, day 5, 12:00 UTC; favorite when i % 3 == 0; asset 5 archived, 6
/// hidden, 7 locked; device `phone_library_*` for even i, device asset id `dev{i}`; a SHA-1 of
/// `bytes {n}` (n = 1..24 in order); asset_ann_2, asset_bo_3 and asset_shared_4 trashed.
#[test]
fn a_format_2_catalogue_is_upgraded_with_its_immich_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.redb");
    std::fs::copy("tests/data/format2.redb", &path).unwrap();
    let cat = Catalog::open(&path).unwrap();
    assert_eq!(cat.upgraded_from(), Some(2));
    let report = cat.verify().unwrap();
    assert!(report.is_ok(), "the upgraded file verifies clean: {report}");
    let ann = all(
        &cat,
        GetAllAssets {
            owner_id: Some("user_ann".into()),
            ..Default::default()
        },
    );
    assert_eq!(
        ann,
        [
            "asset_ann_5",
            "asset_ann_4",
            "asset_ann_3",
            "asset_ann_2",
            "asset_ann_1",
            "asset_ann_0"
        ]
    );
    assert_eq!(all(&cat, GetAllAssets::default()).len(), 18);
    let mut pool: Vec<String> = cat
        .random_assets(&RandomAssets {
            count: 100,
            owner_id: Some("user_bo".into()),
            seed: Some(3),
        })
        .unwrap()
        .into_iter()
        .map(|a| a.id)
        .collect();
    pool.sort();
    assert_eq!(
        pool,
        [
            "asset_bo_0",
            "asset_bo_1",
            "asset_bo_2",
            "asset_bo_4",
            "asset_bo_5"
        ]
    );
    assert_eq!(
        cat.device_asset_ids("phone_library_shared", None).unwrap(),
        ["dev0", "dev2"] // dev4 is trashed, dev6 hidden
    );
    use sha1::Digest;
    let sum = |n: u32| {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(sha1::Sha1::digest(format!("bytes {n}")))
    };
    let found = cat
        .check_checksums(&[sum(3), sum(3), sum(25)], Some("user_ann"))
        .unwrap();
    assert_eq!(found[0].asset_id.as_deref(), Some("asset_ann_2"));
    assert!(found[0].is_trashed);
    assert_eq!(found[2].asset_id, None);
    assert_eq!(
        cat.check_checksums(&[sum(3)], Some("user_bo")).unwrap()[0].asset_id,
        None
    );
    cat.close().unwrap();
    let cat = Catalog::open(&path).unwrap();
    assert_eq!(cat.upgraded_from(), None);
    assert_eq!(all(&cat, GetAllAssets::default()).len(), 18);
}

#[test]
fn extreme_updated_bounds_never_panic() {
    use chrono::{FixedOffset, NaiveDateTime};
    use photocat::DateTimeInput;
    let cat = fixture();
    let bound = |naive: NaiveDateTime, hours: i32| DateTimeInput {
        naive,
        offset: Some(FixedOffset::east_opt(hours * 3600).unwrap()),
    };
    let q = GetAllAssets {
        updated_after: Some(bound(NaiveDateTime::MIN, 5)),
        updated_before: Some(bound(NaiveDateTime::MAX, -5)),
        ..Default::default()
    };
    assert_eq!(all(&cat, q).len(), 8);
    let q = GetAllAssets {
        updated_after: Some(bound(NaiveDateTime::MAX, -5)),
        ..Default::default()
    };
    assert!(all(&cat, q).is_empty());
}

/// Immich's mobile client pages with `updatedBefore` pinned to the time its sync started: a
/// bound that excludes nothing keeps the skip's jump over whole buckets; one that excludes
/// something filters entry by entry, with the same answer as a plain filter.
#[test]
fn an_updated_bound_that_excludes_nothing_keeps_the_jump() {
    let cat = Catalog::in_memory().unwrap();
    let recs = (0..3_000i64)
        .map(|i| NewAsset {
            file_created_at: Some(at(1_400_000_000 + i * 3_600)),
            ..Default::default()
        })
        .collect();
    cat.add_assets(recs, AddAssets::default()).unwrap();
    let now = Utc::now() + Duration::seconds(1);
    let q = |before: Option<DateTime<Utc>>| GetAllAssets {
        skip: 2_000,
        take: Some(10),
        updated_before: before.map(Into::into),
        ..Default::default()
    };
    let plain = all(&cat, q(None));
    cat.reset_read_stats();
    assert_eq!(all(&cat, q(Some(now))), plain);
    assert!(
        cat.read_stats().index_entries < 400,
        "{:?}",
        cat.read_stats()
    );
    // A bound that excludes the newest asset (changed after the bound) walks, and agrees.
    let first = all(
        &cat,
        GetAllAssets {
            take: Some(1),
            ..Default::default()
        },
    );
    std::thread::sleep(std::time::Duration::from_millis(2));
    let cut = Utc::now();
    std::thread::sleep(std::time::Duration::from_millis(2));
    cat.update_asset(
        &first[0],
        AssetUpdate {
            is_favorite: Some(true),
            ..Default::default()
        },
    )
    .unwrap();
    cat.reset_read_stats();
    let walked = all(&cat, q(Some(cut)));
    assert!(cat.read_stats().index_entries > 2_000);
    let mut expected = all(
        &cat,
        GetAllAssets {
            skip: 2_001,
            take: Some(10),
            ..Default::default()
        },
    );
    expected.truncate(10);
    assert_eq!(walked, expected);
}

/// Damaged storage under the Immich JSON reads: a truncated record, an unknown record
/// version, a missing person record and a missing library record each make
/// `get_all_assets_json`, `get_asset_immich_json` and `get_all_assets` fail with `Corrupt`,
/// never panic.
#[test]
fn damaged_records_are_corrupt_not_a_panic() {
    use photocat::{NewFace, NewPerson};
    use redb::ReadableTable;
    const ASSETS: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("assets");
    const PEOPLE: redb::TableDefinition<u32, &[u8]> = redb::TableDefinition::new("people");
    const LIBRARIES: redb::TableDefinition<u32, &[u8]> = redb::TableDefinition::new("libraries");
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean.redb");
    {
        let cat = Catalog::open(&clean).unwrap();
        let rec = NewAsset {
            id: Some("a1".into()),
            faces: Some(vec![NewFace {
                person_id: Some("person_1".into()),
                ..Default::default()
            }]),
            people: Some(vec![NewPerson {
                id: Some("person_1".into()),
                ..Default::default()
            }]),
            ..Default::default()
        };
        cat.add_assets(vec![rec], AddAssets::default()).unwrap();
        let json = cat.get_all_assets_json(&GetAllAssets::default()).unwrap();
        assert!(json.body.starts_with(br#"[{"id":"a1""#));
        cat.close().unwrap();
    }
    type Damage = fn(&redb::WriteTransaction);
    let damages: [(&str, Damage); 4] = [
        ("truncated record", |w| {
            let mut t = w.open_table(ASSETS).unwrap();
            let (k, v) = {
                let (k, v) = t.first().unwrap().unwrap();
                (k.value(), v.value().to_vec())
            };
            t.insert(k, &v[..v.len() / 2]).unwrap();
        }),
        ("unknown record version", |w| {
            let mut t = w.open_table(ASSETS).unwrap();
            let (k, mut v) = {
                let (k, v) = t.first().unwrap().unwrap();
                (k.value(), v.value().to_vec())
            };
            v[0] = 99;
            t.insert(k, v.as_slice()).unwrap();
        }),
        ("missing person", |w| {
            let mut t = w.open_table(PEOPLE).unwrap();
            t.pop_first().unwrap().unwrap();
        }),
        ("missing library", |w| {
            let mut t = w.open_table(LIBRARIES).unwrap();
            t.pop_first().unwrap().unwrap();
        }),
    ];
    for (name, damage) in damages {
        let path = dir.path().join("damaged.redb");
        std::fs::copy(&clean, &path).unwrap();
        {
            let db = redb::Database::open(&path).unwrap();
            let w = db.begin_write().unwrap();
            damage(&w);
            w.commit().unwrap();
        }
        let cat = Catalog::open(&path).unwrap();
        let corrupt = |r: Result<(), Error>, call: &str| match r {
            Err(Error::Corrupt(_)) => {}
            other => panic!("{name}: {call} gave {other:?}"),
        };
        corrupt(
            cat.get_all_assets_json(&GetAllAssets::default()).map(drop),
            "get_all_assets_json",
        );
        corrupt(
            cat.get_asset_immich_json("a1").map(drop),
            "get_asset_immich_json",
        );
        corrupt(
            cat.get_all_assets(&GetAllAssets::default()).map(drop),
            "get_all_assets",
        );
        drop(cat);
        std::fs::remove_file(&path).unwrap();
    }
}
