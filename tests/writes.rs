//! Writes: atomicity of failed batches, duplicates, trash/restore/delete cascades, albums,
//! people counters, merges and face assignment.

mod common;

use base64::Engine;
use common::{asset, iter_ids as ids};
use photocat::{
    AddAssets, AssetUpdate, Catalog, Error, ListAssets, NewAlbum, NewAsset, NewFace, NewLibrary,
    NewPerson, OnDuplicate, State,
};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn all_ids(cat: &Catalog) -> Vec<String> {
    ids(
        cat,
        ListAssets {
            state: State::All,
            ..Default::default()
        },
    )
}

/// Every maintained count the catalogue can answer (each library, album and person, in each
/// state) equals the number of assets a walk of that list returns; people's `asset_count` and
/// albums' `asset_count` equal their live walks.
fn assert_counts_match_walks(cat: &Catalog) {
    let libraries = cat.list_libraries().unwrap();
    let mut queries = Vec::new();
    for lib in &libraries {
        queries.push(ListAssets {
            library_id: Some(lib.id.clone()),
            ..Default::default()
        });
        for p in cat.list_people().unwrap() {
            queries.push(ListAssets {
                library_id: Some(lib.id.clone()),
                person_id: Some(p.id.clone()),
                ..Default::default()
            });
        }
    }
    for a in cat.list_albums(None).unwrap() {
        let q = ListAssets {
            album_id: Some(a.id.clone()),
            ..Default::default()
        };
        assert_eq!(a.asset_count, ids(cat, q.clone()).len() as u64, "{a:?}");
        queries.push(q);
    }
    for q in queries {
        for state in [State::Live, State::Trashed, State::All] {
            let q = ListAssets { state, ..q.clone() };
            let walked = ids(cat, q.clone()).len() as u64;
            assert_eq!(cat.count_assets(&q).unwrap(), walked, "{q:?}");
        }
    }
    if libraries.len() == 1 {
        for p in cat.list_people().unwrap() {
            let q = ListAssets {
                person_id: Some(p.id.clone()),
                ..Default::default()
            };
            assert_eq!(p.asset_count, ids(cat, q).len() as u64, "{p:?}");
        }
    }
}

/// An in-memory catalogue holding assets `a1` to `an`, one a day from 2024-01-01.
fn daily_assets(n: usize) -> Catalog {
    let cat = Catalog::in_memory().unwrap();
    let records = (1..=n)
        .map(|i| asset(&format!("a{i}"), &format!("2024-01-{i:02}T00:00:00")))
        .collect();
    cat.add_assets(records, AddAssets::default()).unwrap();
    cat
}

#[test]
fn a_failed_batch_writes_nothing() {
    let cat = Catalog::in_memory().unwrap();
    cat.add_assets(
        vec![asset("a1", "2024-01-01T00:00:00")],
        AddAssets::default(),
    )
    .unwrap();
    let before = all_ids(&cat);
    // Invalid in validation (bad checksum) ...
    let mut bad = asset("a3", "2024-01-03T00:00:00");
    bad.checksum = Some("xyz".into());
    let err = cat
        .add_assets(
            vec![asset("a2", "2024-01-02T00:00:00"), bad],
            AddAssets::default(),
        )
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidArgument(ref m) if m.starts_with("records[1]: checksum")),
        "{err}"
    );
    // ... and failing inside the transaction (duplicate id after a valid record).
    let err = cat
        .add_assets(
            vec![
                asset("a2", "2024-01-02T00:00:00"),
                asset("a1", "2024-01-05T00:00:00"),
            ],
            AddAssets::default(),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Duplicate { ref existing_id, .. } if existing_id == "a1"));
    assert_eq!(all_ids(&cat), before);
    assert!(matches!(cat.get_asset("a2"), Err(Error::NotFound { .. })));
}

#[test]
fn checksums_are_unique_per_library_with_error_or_skip() {
    let cat = Catalog::in_memory().unwrap();
    let mut a = asset("a1", "2024-01-01T00:00:00");
    a.checksum = Some(b64(&[1; 32]));
    a.checksum_sha1 = Some(b64(&[2; 20]));
    cat.add_assets(vec![a], AddAssets::default()).unwrap();

    let mut dup = asset("a2", "2024-01-02T00:00:00");
    dup.checksum_sha1 = Some(b64(&[2; 20]));
    let err = cat
        .add_assets(vec![dup.clone()], AddAssets::default())
        .unwrap_err();
    match &err {
        Error::Duplicate {
            existing_id,
            message,
        } => {
            assert_eq!(existing_id, "a1");
            assert!(
                message.contains("a1") && message.contains("checksum_sha1"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    let skip = AddAssets {
        on_duplicate: OnDuplicate::Skip,
        ..Default::default()
    };
    let out = cat
        .add_assets(vec![asset("a3", "2024-01-03T00:00:00"), dup], skip.clone())
        .unwrap();
    assert_eq!(out[0].id, "a3");
    assert_eq!(
        out[1].id, "a1",
        "skip returns the existing asset in the new one's place"
    );
    assert!(matches!(cat.get_asset("a2"), Err(Error::NotFound { .. })));

    // Duplicates inside one batch.
    let mut x = asset("b1", "2024-02-01T00:00:00");
    x.checksum = Some(b64(&[9; 32]));
    let mut y = asset("b2", "2024-02-02T00:00:00");
    y.checksum = Some(b64(&[9; 32]));
    let out = cat.add_assets(vec![x, y], skip).unwrap();
    assert_eq!(out[1].id, "b1");

    // Another library may hold the same file.
    let lib2 = cat
        .create_library(NewLibrary {
            name: "second".into(),
            ..Default::default()
        })
        .unwrap();
    let mut z = asset("c1", "2024-03-01T00:00:00");
    z.checksum = Some(b64(&[1; 32]));
    cat.add_assets(
        vec![z],
        AddAssets {
            library_id: Some(lib2.id.clone()),
            ..Default::default()
        },
    )
    .unwrap();
    // With two libraries, library_id=None is ambiguous.
    let err = cat.list_assets(&ListAssets::default()).unwrap_err();
    assert!(err.to_string().contains("library_id is required"), "{err}");
    assert_eq!(
        ids(
            &cat,
            ListAssets {
                library_id: Some(lib2.id),
                ..Default::default()
            }
        ),
        ["c1"]
    );
}

#[test]
fn trash_restore_delete() {
    let cat = daily_assets(3);
    let album = cat
        .create_album(NewAlbum {
            name: "x".into(),
            ..Default::default()
        })
        .unwrap();
    cat.add_to_album(&album.id, &["a1", "a2"]).unwrap();
    let before = cat.get_asset("a2").unwrap();

    cat.trash_assets(&["a2"]).unwrap();
    let trashed = cat.get_asset("a2").unwrap();
    assert!(trashed.trashed_at.is_some());
    assert!(trashed.updated_at > before.updated_at);
    assert_eq!(ids(&cat, ListAssets::default()), ["a3", "a1"]);
    assert_eq!(
        ids(
            &cat,
            ListAssets {
                state: State::Trashed,
                ..Default::default()
            }
        ),
        ["a2"]
    );
    assert_eq!(all_ids(&cat), ["a3", "a2", "a1"]);
    assert_eq!(
        ids(
            &cat,
            ListAssets {
                album_id: Some(album.id.clone()),
                ..Default::default()
            }
        ),
        ["a1"]
    );
    assert_eq!(cat.list_album_assets(&album.id).unwrap().len(), 1);

    cat.restore_assets(&["a2"]).unwrap();
    assert_eq!(ids(&cat, ListAssets::default()), ["a3", "a2", "a1"]);

    // Unknown id: NotFound and nothing changes.
    let err = cat.trash_assets(&["a1", "nope"]).unwrap_err();
    assert!(matches!(err, Error::NotFound { kind: "asset", ref id } if id == "nope"));
    assert!(cat.get_asset("a1").unwrap().trashed_at.is_none());

    cat.delete_assets(&["a1"]).unwrap();
    assert!(matches!(cat.get_asset("a1"), Err(Error::NotFound { .. })));
    assert_eq!(all_ids(&cat), ["a3", "a2"]);
    assert_eq!(
        ids(
            &cat,
            ListAssets {
                album_id: Some(album.id),
                ..Default::default()
            }
        ),
        ["a2"]
    );
}

#[test]
fn people_counts_follow_faces_trash_and_merges() {
    let cat = daily_assets(2);
    let ann = cat
        .create_person(NewPerson {
            name: Some("Ann".into()),
            ..Default::default()
        })
        .unwrap();
    let bob = cat
        .create_person(NewPerson {
            name: Some("Bob".into()),
            ..Default::default()
        })
        .unwrap();
    let face = |a: &str, p: &str| NewFace {
        asset_id: Some(a.into()),
        person_id: Some(p.into()),
        ..Default::default()
    };
    let faces = cat
        .add_faces(vec![
            face("a1", &ann.id),
            face("a1", &ann.id),
            face("a2", &bob.id),
        ])
        .unwrap();
    assert_eq!(faces.len(), 3);
    assert_eq!(
        cat.get_person(&ann.id).unwrap().asset_count,
        1,
        "distinct assets"
    );
    let a1 = cat.get_asset("a1").unwrap();
    assert_eq!(a1.faces.len(), 2);
    assert_eq!(a1.people.len(), 1);
    assert_eq!(a1.people[0].id, ann.id);

    assert_counts_match_walks(&cat);
    cat.trash_assets(&["a1"]).unwrap();
    assert_eq!(cat.get_person(&ann.id).unwrap().asset_count, 0);
    assert_counts_match_walks(&cat);
    cat.restore_assets(&["a1"]).unwrap();
    assert_eq!(cat.get_person(&ann.id).unwrap().asset_count, 1);

    // Reassigning one of Ann's faces to Bob: a1 now has both, in face order.
    let f = cat.assign_face(&faces[1].id, Some(&bob.id)).unwrap();
    assert_eq!(f.person_id.as_deref(), Some(bob.id.as_str()));
    assert_eq!(cat.get_person(&bob.id).unwrap().asset_count, 2);
    let people: Vec<_> = cat
        .get_asset("a1")
        .unwrap()
        .people
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(people, [ann.id.clone(), bob.id.clone()]);
    assert_eq!(
        ids(
            &cat,
            ListAssets {
                person_id: Some(bob.id.clone()),
                ..Default::default()
            }
        ),
        ["a2", "a1"]
    );

    assert_counts_match_walks(&cat);
    let merged = cat.merge_people(&ann.id, &[&bob.id]).unwrap();
    assert_eq!(merged.asset_count, 2);
    assert_counts_match_walks(&cat);
    assert!(matches!(
        cat.get_person(&bob.id),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(
        ids(
            &cat,
            ListAssets {
                person_id: Some(ann.id.clone()),
                ..Default::default()
            }
        ),
        ["a2", "a1"]
    );
    assert!(matches!(
        cat.list_assets(&ListAssets {
            person_id: Some(bob.id),
            ..Default::default()
        }),
        Err(Error::NotFound { kind: "person", .. })
    ));

    cat.assign_face(&faces[2].id, None).unwrap();
    assert_eq!(cat.get_person(&ann.id).unwrap().asset_count, 1);
    cat.delete_assets(&["a1"]).unwrap();
    assert_eq!(cat.get_person(&ann.id).unwrap().asset_count, 0);
    assert_counts_match_walks(&cat);
    assert!(matches!(
        cat.assign_face(&faces[0].id, None),
        Err(Error::NotFound { kind: "face", .. })
    ));
}

/// Several people merged at once, two of them on one asset: each asset changes once, every
/// face of theirs moves, and the counts, lists and the rest of the index follow.
#[test]
fn merging_several_people_moves_each_asset_once() {
    let cat = daily_assets(4);
    let person = |name: &str| {
        cat.create_person(NewPerson {
            name: Some(name.into()),
            ..Default::default()
        })
        .unwrap()
    };
    let (ann, bob, cy) = (person("Ann"), person("Bob"), person("Cy"));
    let face = |a: &str, p: &str| NewFace {
        asset_id: Some(a.into()),
        person_id: Some(p.into()),
        ..Default::default()
    };
    cat.add_faces(vec![
        face("a1", &bob.id),
        face("a1", &cy.id),
        face("a2", &bob.id),
        face("a3", &ann.id),
        face("a3", &cy.id),
    ])
    .unwrap();
    let before = cat.get_asset("a1").unwrap();
    let merged = cat.merge_people(&ann.id, &[&bob.id, &cy.id]).unwrap();
    assert_eq!(merged.asset_count, 3);
    let a1 = cat.get_asset("a1").unwrap();
    assert!(a1
        .faces
        .iter()
        .all(|f| f.person_id.as_deref() == Some(ann.id.as_str())));
    assert_eq!(a1.people.len(), 1);
    assert!(a1.updated_at > before.updated_at);
    assert_eq!(
        ids(
            &cat,
            ListAssets {
                person_id: Some(ann.id.clone()),
                ..Default::default()
            }
        ),
        ["a3", "a2", "a1"]
    );
    for gone in [&bob.id, &cy.id] {
        assert!(matches!(cat.get_person(gone), Err(Error::NotFound { .. })));
    }
    assert_counts_match_walks(&cat);
    assert!(cat.verify().unwrap().is_ok());
}

#[test]
fn update_asset_moves_index_entries() {
    let cat = daily_assets(2);
    let old = cat.get_asset("a1").unwrap();
    let new = cat
        .update_asset(
            "a1",
            AssetUpdate {
                local_datetime: Some("2024-01-03T00:00:00+09:00".parse().unwrap()),
                description: Some(Some("moved".into())),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(new.updated_at > old.updated_at);
    assert_eq!(new.local_offset.unwrap().local_minus_utc(), 9 * 3600);
    assert_eq!(ids(&cat, ListAssets::default()), ["a1", "a2"]);
    // Hidden assets leave every list.
    cat.update_asset(
        "a1",
        AssetUpdate {
            visibility: Some(photocat::Visibility::Hidden),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(ids(&cat, ListAssets::default()), ["a2"]);
    // Clearing a nullable field via JSON.
    let u: AssetUpdate = serde_json::from_str(r#"{"description": null}"#).unwrap();
    assert_eq!(cat.update_asset("a1", u).unwrap().description, None);
    let err = serde_json::from_str::<AssetUpdate>(r#"{"checksum": "x"}"#).unwrap_err();
    assert!(
        err.to_string().contains("unknown field `checksum`"),
        "{err}"
    );
}

/// A catalogue with two libraries, named "1" and "2".
fn two_libraries() -> (Catalog, photocat::Library, photocat::Library) {
    let cat = Catalog::in_memory().unwrap();
    let lib = |name: &str| {
        cat.create_library(NewLibrary {
            name: name.into(),
            ..Default::default()
        })
        .unwrap()
    };
    let (l1, l2) = (lib("1"), lib("2"));
    (cat, l1, l2)
}

#[test]
fn an_album_created_with_its_first_assets_is_one_write() {
    let (cat, l1, l2) = two_libraries();
    let in_lib = |id: &str| AddAssets {
        library_id: Some(id.to_owned()),
        ..Default::default()
    };
    cat.add_assets(
        vec![
            asset("a1", "2024-01-01T00:00:00"),
            asset("a2", "2024-01-02T00:00:00"),
            asset("a3", "2024-01-03T00:00:00"),
        ],
        in_lib(&l1.id),
    )
    .unwrap();
    cat.add_assets(vec![asset("b1", "2024-01-04T00:00:00")], in_lib(&l2.id))
        .unwrap();
    cat.trash_assets(&["a3"]).unwrap();
    let new = |id: &str, members: &[&str]| NewAlbum {
        name: id.into(),
        library_id: Some(l1.id.clone()),
        id: Some(id.into()),
        asset_ids: members.iter().map(|m| m.to_string()).collect(),
        ..Default::default()
    };

    // Every failure leaves no album behind: the id is free again afterwards.
    let err = cat.create_album(new("album_x", &["a1", "zz"])).unwrap_err();
    assert!(
        matches!(err, Error::NotFound { kind: "asset", .. }),
        "{err}"
    );
    let err = cat.create_album(new("album_x", &["a1", "b1"])).unwrap_err();
    assert!(err.to_string().contains("another library"), "{err}");
    let err = cat.create_album(new("album_x", &["a 1"])).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
    assert!(cat.list_albums(None).unwrap().is_empty());

    // A repeated id is linked once; a trashed member is linked, not counted.
    let album = cat
        .create_album(new("album_x", &["a2", "a1", "a2", "a3"]))
        .unwrap();
    assert_eq!(album.asset_count, 2);
    assert_eq!(album, cat.get_album("album_x").unwrap());
    let in_album = ListAssets {
        album_id: Some(album.id.clone()),
        ..Default::default()
    };
    assert_eq!(ids(&cat, in_album.clone()), ["a2", "a1"]);
    cat.restore_assets(&["a3"]).unwrap();
    assert_eq!(ids(&cat, in_album), ["a3", "a2", "a1"]);

    // The same answers as an album created empty and then linked; both pass `verify`.
    let two_assets = || {
        let c = Catalog::in_memory().unwrap();
        c.create_library(NewLibrary {
            name: "1".into(),
            id: Some(l1.id.clone()),
            ..Default::default()
        })
        .unwrap();
        c.add_assets(
            vec![
                asset("a1", "2024-01-01T00:00:00"),
                asset("a2", "2024-01-02T00:00:00"),
            ],
            AddAssets::default(),
        )
        .unwrap();
        c
    };
    let (once, twice) = (two_assets(), two_assets());
    once.create_album(new("album_y", &["a1", "a2"])).unwrap();
    twice.create_album(new("album_y", &[])).unwrap();
    twice.add_to_album("album_y", &["a1", "a2"]).unwrap();
    assert_eq!(
        ids(&once, ListAssets::default()),
        ids(&twice, ListAssets::default())
    );
    assert_eq!(
        once.get_album("album_y").unwrap().asset_count,
        twice.get_album("album_y").unwrap().asset_count
    );
    assert!(once.verify().unwrap().is_ok());
    assert!(cat.verify().unwrap().is_ok());
}

#[test]
fn a_face_id_that_is_taken_is_a_duplicate_and_changes_nothing() {
    let cat = daily_assets(2);
    let face = |id: &str, on: &str| NewFace {
        id: Some(id.into()),
        asset_id: Some(on.into()),
        ..Default::default()
    };
    cat.add_faces(vec![face("face_x", "a1")]).unwrap();
    // Taken by an earlier call, or twice in one call: nothing of the call is written, and the
    // first face keeps its asset.
    for faces in [
        vec![face("face_y", "a2"), face("face_x", "a2")],
        vec![face("face_z", "a2"), face("face_z", "a1")],
    ] {
        let err = cat.add_faces(faces).unwrap_err();
        assert!(matches!(err, Error::Duplicate { .. }), "{err}");
    }
    assert!(cat.get_asset("a2").unwrap().faces.is_empty());
    let a1 = cat.get_asset("a1").unwrap();
    assert_eq!(a1.faces.len(), 1);
    assert_eq!(a1.faces[0].id, "face_x");
    cat.assign_face("face_x", None).unwrap();
    assert!(cat.verify().unwrap().is_ok());
}

#[test]
fn albums_hold_their_own_library_only_and_unknown_ids_are_not_found() {
    let (cat, l1, l2) = two_libraries();
    cat.add_assets(
        vec![asset("a1", "2024-01-01T00:00:00")],
        AddAssets {
            library_id: Some(l1.id.clone()),
            ..Default::default()
        },
    )
    .unwrap();
    let album = cat
        .create_album(NewAlbum {
            name: "x".into(),
            library_id: Some(l2.id.clone()),
            ..Default::default()
        })
        .unwrap();
    let err = cat.add_to_album(&album.id, &["a1"]).unwrap_err();
    assert!(err.to_string().contains("another library"), "{err}");
    assert!(matches!(
        cat.add_to_album("album_missing", &["a1"]),
        Err(Error::NotFound { kind: "album", .. })
    ));
    assert!(matches!(
        cat.add_faces(vec![NewFace {
            asset_id: Some("zz".into()),
            ..Default::default()
        }]),
        Err(Error::NotFound { kind: "asset", .. })
    ));
    assert!(matches!(
        cat.add_faces(vec![NewFace {
            asset_id: Some("a1".into()),
            person_id: Some("person_missing".into()),
            ..Default::default()
        }]),
        Err(Error::NotFound { kind: "person", .. })
    ));
    assert!(cat.get_asset("a1").unwrap().faces.is_empty());
    // The album's library is used when library_id is None.
    assert!(cat
        .list_assets(&ListAssets {
            album_id: Some(album.id),
            ..Default::default()
        })
        .unwrap()
        .data
        .is_empty());
    assert!(matches!(
        cat.create_library(NewLibrary {
            name: "dup".into(),
            id: Some(l1.id.clone()),
            ..Default::default()
        }),
        Err(Error::Duplicate { .. })
    ));
}

#[test]
fn gumnut_response_with_faces_and_people_imports_as_is() {
    let cat = Catalog::in_memory().unwrap();
    let json = r#"{
        "id": "asset_x", "local_datetime": "2023-11-07T07:31:56+02:00",
        "faces": [{"id": "face_1", "asset_id": "asset_x", "person_id": "person_p",
                   "bounding_box": {"x": 1, "y": 2, "w": 3, "h": 4}, "timestamp_ms": null,
                   "created_at": "2023-11-08T00:00:00Z", "updated_at": "2023-11-08T00:00:00Z"}],
        "people": [{"id": "person_p", "name": "Pat", "birth_date": "1990-05-06",
                    "is_hidden": false, "is_favorite": true, "asset_count": 7,
                    "thumbnail_face_id": "face_1",
                    "created_at": "2023-11-08T00:00:00Z", "updated_at": "2023-11-08T00:00:00Z"}]
    }"#;
    let rec: NewAsset = serde_json::from_str(json).unwrap();
    let out = cat.add_assets(vec![rec], AddAssets::default()).unwrap();
    let a = &out[0];
    assert_eq!(a.faces[0].person_id.as_deref(), Some("person_p"));
    assert_eq!(a.people[0].name.as_deref(), Some("Pat"));
    assert_eq!(
        a.people[0].asset_count, 1,
        "counts are maintained, not imported"
    );
    assert_eq!(
        ids(
            &cat,
            ListAssets {
                person_id: Some("person_p".into()),
                ..Default::default()
            }
        ),
        ["asset_x"]
    );
}

/// A record whose face names `person`, with that person's record in `people` when `with`.
fn faced(id: &str, person: &str, with: bool) -> NewAsset {
    let people = if with {
        format!(r#"[{{"id": "{person}", "name": "Name of {person}"}}]"#)
    } else {
        "[]".to_owned()
    };
    serde_json::from_str(&format!(
        r#"{{"id": "{id}", "local_datetime": "2024-02-03T04:05:06",
            "faces": [{{"id": "face_{id}", "person_id": "{person}",
                        "bounding_box": {{"x": 1, "y": 2, "w": 3, "h": 4}}}}],
            "people": {people}}}"#
    ))
    .unwrap()
}

#[test]
fn people_named_by_many_records_of_one_call_resolve_to_one_person() {
    let cat = Catalog::in_memory().unwrap();
    // The first record creates the person; the later ones name it without its record (found
    // as created by this call), and the second record names it with its record again.
    let added = cat
        .add_assets(
            vec![
                faced("a1", "person_p", true),
                faced("a2", "person_p", true),
                faced("a3", "person_p", false),
            ],
            AddAssets::default(),
        )
        .unwrap();
    assert!(added
        .iter()
        .all(|a| a.people.len() == 1 && a.people[0].id == "person_p"));
    assert_eq!(cat.get_person("person_p").unwrap().asset_count, 3);
    // A later call finds the stored person; a face naming an unknown person fails the whole
    // call, after other people were found.
    let err = cat
        .add_assets(
            vec![
                faced("b1", "person_p", false),
                faced("b2", "person_q", false),
            ],
            AddAssets::default(),
        )
        .unwrap_err();
    assert!(
        matches!(err, Error::NotFound { ref id, .. } if id == "person_q"),
        "{err}"
    );
    assert!(matches!(cat.get_asset("b1"), Err(Error::NotFound { .. })));
    cat.add_assets(
        vec![
            faced("b1", "person_p", false),
            faced("b2", "person_q", true),
        ],
        AddAssets::default(),
    )
    .unwrap();
    assert_eq!(cat.get_person("person_p").unwrap().asset_count, 4);
    assert_eq!(cat.get_person("person_q").unwrap().asset_count, 1);
    // The people an add created took keys from the counter, which the add wrote back: a
    // person created afterwards takes a new key, and overwrites neither.
    let r = cat
        .create_person(NewPerson {
            id: Some("person_r".into()),
            name: Some("R".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(r.id, "person_r");
    assert!(matches!(
        cat.create_person(NewPerson {
            id: Some("person_q".into()),
            ..Default::default()
        }),
        Err(Error::Duplicate { .. })
    ));
    for (id, name) in [
        ("person_p", "Name of person_p"),
        ("person_q", "Name of person_q"),
        ("person_r", "R"),
    ] {
        assert_eq!(cat.get_person(id).unwrap().name.as_deref(), Some(name));
    }
    assert_counts_match_walks(&cat);
    assert!(cat.verify().unwrap().is_ok());
}

#[test]
fn offsets_keep_their_source_across_metadata_updates() {
    let cat = Catalog::in_memory().unwrap();
    let mut tz = asset("tz", "2024-07-01T12:00:00");
    tz.metadata = Some(photocat::Exif {
        timezone: Some("Europe/Paris".into()),
        ..Default::default()
    });
    cat.add_assets(
        vec![asset("value", "2024-07-01T12:00:00+09:00"), tz],
        AddAssets::default(),
    )
    .unwrap();
    let offset = |id: &str| {
        cat.get_asset(id)
            .unwrap()
            .local_offset
            .map(|o| o.local_minus_utc())
    };
    assert_eq!(offset("tz"), Some(7200));
    let city: AssetUpdate = serde_json::from_str(r#"{"metadata": {"city": "Kyoto"}}"#).unwrap();
    // An offset written on the value survives a metadata change ...
    cat.update_asset("value", city.clone()).unwrap();
    assert_eq!(offset("value"), Some(9 * 3600));
    // ... one that came from metadata.timezone goes with it.
    cat.update_asset("tz", city).unwrap();
    assert_eq!(offset("tz"), None);
    let ny: AssetUpdate =
        serde_json::from_str(r#"{"metadata": {"timezone": "America/New_York"}}"#).unwrap();
    cat.update_asset("tz", ny).unwrap();
    assert_eq!(offset("tz"), Some(-4 * 3600));
    // A new naive value drops the old value's offset (the timezone, if any, applies).
    let naive: AssetUpdate =
        serde_json::from_str(r#"{"local_datetime": "2024-01-01T12:00:00"}"#).unwrap();
    cat.update_asset("value", naive.clone()).unwrap();
    assert_eq!(offset("value"), None);
    cat.update_asset("tz", naive).unwrap();
    assert_eq!(offset("tz"), Some(-5 * 3600));
}

#[test]
fn counts_follow_albums_visibility_retimes_and_libraries() {
    let cat = Catalog::in_memory().unwrap();
    for (id, name) in [("library_a", "A"), ("library_b", "B")] {
        cat.create_library(NewLibrary {
            name: name.into(),
            id: Some(id.into()),
            owner_id: None,
        })
        .unwrap();
    }
    let in_lib = |l: &str| AddAssets {
        library_id: Some(l.into()),
        ..Default::default()
    };
    let mut recs: Vec<NewAsset> = (0..8)
        .map(|i| asset(&format!("a{i}"), &format!("2024-01-0{}T00:00:00", i + 1)))
        .collect();
    cat.add_assets(recs.drain(..5).collect(), in_lib("library_a"))
        .unwrap();
    cat.add_assets(recs, in_lib("library_b")).unwrap();
    let album = cat
        .create_album(NewAlbum {
            name: "Trip".into(),
            library_id: Some("library_a".into()),
            ..Default::default()
        })
        .unwrap();
    cat.add_to_album(&album.id, &["a0", "a1", "a2", "a2"])
        .unwrap();
    assert_eq!(cat.get_album(&album.id).unwrap().asset_count, 3);
    assert_counts_match_walks(&cat);
    cat.trash_assets(&["a1", "a6"]).unwrap();
    assert_counts_match_walks(&cat);
    // Hidden assets leave every list, and so every count.
    cat.update_asset(
        "a2",
        AssetUpdate {
            visibility: Some(photocat::Visibility::Hidden),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(cat.get_album(&album.id).unwrap().asset_count, 1);
    assert_counts_match_walks(&cat);
    // A new capture time replaces the entries' keys: the counts stay.
    cat.update_asset(
        "a0",
        AssetUpdate {
            local_datetime: Some("2020-05-05T05:05:05+02:00".parse().unwrap()),
            ..Default::default()
        },
    )
    .unwrap();
    cat.remove_from_album(&album.id, &["a0"]).unwrap();
    cat.delete_assets(&["a1", "a7"]).unwrap();
    assert_counts_match_walks(&cat);
    let s = cat.summary().unwrap();
    let libs: Vec<(u64, u64, u64)> = s
        .libraries
        .iter()
        .map(|l| (l.live, l.trashed, l.albums))
        .collect();
    // library_a: a0, a3, a4 live (a2 hidden, a1 deleted); library_b: a5 live, a6 trashed.
    assert_eq!(libs, [(3, 0, 1), (1, 1, 0)]);
    assert_eq!((s.albums, s.people, s.file_size_bytes), (1, 0, None));
}

/// `add_faces` and `assign_face` return the faces exactly as stored (ids, people, boxes,
/// times), in record order, whatever the order of their assets; a failing record writes
/// nothing, and the catalogue verifies clean.
#[test]
fn added_faces_are_returned_as_stored() {
    use photocat::BoundingBox;
    let cat = daily_assets(3);
    let ann = cat.create_person(NewPerson::default()).unwrap();
    let face = |a: &str, p: Option<&str>, x: i32| NewFace {
        asset_id: Some(a.into()),
        person_id: p.map(Into::into),
        bounding_box: BoundingBox {
            x,
            y: 2,
            w: 3,
            h: 4,
        },
        timestamp_ms: (x % 2 == 0).then_some(i64::from(x) * 10),
        ..Default::default()
    };
    // Assets named out of key order, one of them twice, one face without a person.
    let faces = cat
        .add_faces(vec![
            face("a3", Some(&ann.id), 1),
            face("a1", None, 2),
            face("a3", Some(&ann.id), 3),
            face("a2", Some(&ann.id), 4),
        ])
        .unwrap();
    let xs: Vec<i32> = faces.iter().map(|f| f.bounding_box.x).collect();
    assert_eq!(xs, [1, 2, 3, 4], "record order");
    for f in &faces {
        let stored = cat.get_asset(&f.asset_id).unwrap().faces;
        assert!(
            stored.contains(f),
            "{f:?} is not stored as returned: {stored:?}"
        );
    }
    assert_eq!(
        cat.get_asset("a3").unwrap().faces,
        [faces[0].clone(), faces[2].clone()]
    );
    assert_eq!(cat.get_person(&ann.id).unwrap().asset_count, 2);
    let reassigned = cat.assign_face(&faces[1].id, Some(&ann.id)).unwrap();
    assert_eq!(
        cat.get_asset("a1").unwrap().faces,
        std::slice::from_ref(&reassigned)
    );
    assert_eq!(reassigned.person_id.as_deref(), Some(ann.id.as_str()));
    // A repeated face id in one call: nothing of the call is written.
    let before = cat.get_asset("a2").unwrap();
    let mut dup = face("a2", None, 5);
    dup.id = Some(faces[3].id.clone());
    assert!(matches!(
        cat.add_faces(vec![face("a2", None, 6), dup]),
        Err(Error::Duplicate { .. })
    ));
    assert_eq!(cat.get_asset("a2").unwrap(), before);
    // A new id given twice in one call: the second is the error, as if the first were stored.
    let (mut first, mut second) = (face("a1", None, 7), face("a2", None, 8));
    first.id = Some("face_twice".into());
    second.id = Some("face_twice".into());
    match cat.add_faces(vec![face("a2", None, 6), first, second]) {
        Err(Error::Duplicate {
            message,
            existing_id,
        }) => {
            assert_eq!(existing_id, "face_twice");
            assert!(message.starts_with("faces[2]: "), "{message}");
        }
        other => panic!("expected Duplicate, got {other:?}"),
    }
    assert_eq!(cat.get_asset("a2").unwrap(), before);
    assert!(cat.verify().unwrap().is_ok());
}
