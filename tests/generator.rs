//! The benchmark dataset generator (`benches/common`) has the shape issue 4 specifies, is
//! deterministic, and loads into a catalogue whose queries behave: one library below
//! `MULTI_LIBRARY_MIN` assets, three (70% / 20% / 10%) from there on, albums in one library
//! each, people shared by all.

#[path = "../benches/common/mod.rs"]
mod common;

use std::collections::{HashMap, HashSet};

use photocat::{Catalog, ListAssets, State};

#[test]
fn generator_is_deterministic_and_has_the_specified_shape() {
    let n = 20_000;
    let a = common::generate(n, 1);
    let b = common::generate(n, 1);
    assert_eq!(a.assets, b.assets, "same seed, same dataset");
    assert_eq!(a.libraries, b.libraries);
    assert_eq!(a.album_members, b.album_members);
    assert_ne!(
        common::generate(100, 2).assets,
        common::generate(100, 3).assets
    );

    let share = |f: &dyn Fn(&photocat::NewAsset) -> bool| {
        a.assets.iter().filter(|r| f(r)).count() as f64 / n as f64
    };
    let trashed = share(&|r| r.trashed_at.is_some());
    let favorite = share(&|r| r.is_favorite == Some(true));
    let archived = share(&|r| r.visibility == Some(photocat::Visibility::Archive));
    let gps = share(&|r| r.exif.as_ref().is_some_and(|e| e.latitude.is_some()));
    let no_offset = share(&|r| r.local_datetime.unwrap().offset.is_none());
    let faces: usize = a
        .assets
        .iter()
        .map(|r| r.faces.as_ref().map_or(0, Vec::len))
        .sum();
    for (name, got, want) in [
        ("trashed", trashed, 0.03),
        ("favorite", favorite, 0.05),
        ("archived", archived, 0.04),
        ("gps", gps, 0.40),
        ("no offset", no_offset, 1.0 / 3.0),
        ("faces per asset", faces as f64 / n as f64, 1.5),
    ] {
        assert!((got - want).abs() < want * 0.15, "{name}: {got} vs {want}");
    }
    // ~5% of assets share their second with another.
    let mut seconds: Vec<_> = a
        .assets
        .iter()
        .map(|r| r.local_datetime.unwrap().naive)
        .collect();
    seconds.sort();
    let tied = seconds.windows(2).filter(|w| w[0] == w[1]).count() as f64 / n as f64;
    assert!((0.03..0.08).contains(&tied), "ties {tied}");
    for (i, r) in a.assets.iter().enumerate() {
        assert_eq!(r.id.as_deref(), Some(common::asset_id(i).as_str()));
    }
    // Albums: Zipf sizes within each library.
    let sizes: Vec<usize> = a.album_members.iter().map(Vec::len).collect();
    assert_eq!(sizes.len(), common::ALBUMS);
    for l in &a.libraries {
        let (first, middle) = (l.albums.start, l.albums.start + l.albums.len() / 2);
        assert!(
            sizes[first] > 10 * sizes[middle].max(1),
            "{}: largest {} vs middle {}",
            l.id,
            sizes[first],
            sizes[middle]
        );
        assert_eq!(
            a.largest_album(a.libraries.iter().position(|x| x == l).unwrap()),
            first
        );
    }
}

#[test]
fn large_datasets_have_three_skewed_libraries_with_their_own_albums() {
    let n = 20_000;
    let d = common::generate(n, 1);
    assert_eq!(d.libraries.len(), 3);
    // Libraries: 70% / 20% / 10% of the assets and of the albums, consecutive ranges covering
    // everything, the main (largest) one first, distinct ids.
    let ids: HashSet<&str> = d.libraries.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids.len(), 3);
    assert_eq!(d.main(), &d.libraries[common::MAIN]);
    let mut next_asset = 0;
    let mut next_album = 0;
    for (l, tenths) in d.libraries.iter().zip([7, 2, 1]) {
        assert_eq!(l.assets.start, next_asset);
        assert_eq!(l.albums.start, next_album);
        assert_eq!(l.assets.len(), n * tenths / 10, "{} assets", l.id);
        assert_eq!(
            l.albums.len(),
            common::ALBUMS * tenths / 10,
            "{} albums",
            l.id
        );
        next_asset = l.assets.end;
        next_album = l.albums.end;
    }
    assert_eq!((next_asset, next_album), (n, common::ALBUMS));
    assert!(d
        .libraries
        .windows(2)
        .all(|w| w[0].assets.len() > w[1].assets.len()));

    // Every record names its library.
    for (i, r) in d.assets.iter().enumerate() {
        let l = d.library_of_asset(i);
        assert_eq!(
            r.library_id.as_deref(),
            Some(d.libraries[l].id.as_str()),
            "asset {i}"
        );
    }

    // Albums hold assets of their own library only, each asset in 0 to 3 albums.
    let index: HashMap<&str, usize> = d
        .assets
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_deref().unwrap(), i))
        .collect();
    let mut albums_of = vec![0usize; n];
    let mut links = [0usize; 3];
    for (a, members) in d.album_members.iter().enumerate() {
        let l = d.library_of_album(a);
        let distinct: HashSet<&String> = members.iter().collect();
        assert_eq!(
            distinct.len(),
            members.len(),
            "album {a} lists an asset twice"
        );
        for m in members {
            let i = index[m.as_str()];
            assert_eq!(
                d.library_of_asset(i),
                l,
                "album {a} holds {m} of another library"
            );
            albums_of[i] += 1;
        }
        links[l] += members.len();
    }
    assert!(albums_of.iter().all(|&k| k <= 3));
    let in_none = albums_of.iter().filter(|&&k| k == 0).count() as f64 / n as f64;
    assert!(
        (0.2..0.35).contains(&in_none),
        "{in_none} of assets in no album"
    );
    // Links follow the assets: ~1.5 per asset in every library, so 70% / 20% / 10% of them.
    let total: usize = links.iter().sum();
    for (l, (got, want)) in links.iter().zip([0.7, 0.2, 0.1]).enumerate() {
        let got = *got as f64 / total as f64;
        assert!(
            (got - want).abs() < want * 0.1,
            "library {l}: {got} of links"
        );
    }

    // People are global: the most frequent people have faces in every library.
    let by_size: Vec<Vec<(usize, usize)>> = (0..3).map(|l| d.people_by_size(l)).collect();
    for people in &by_size {
        assert_eq!(
            people[0].0, by_size[0][0].0,
            "Zipf's first person leads everywhere"
        );
        assert!(people.len() > 100);
        assert!(people.windows(2).all(|w| w[0].1 >= w[1].1));
    }
    // Each person's record comes with the first asset having a face of them, once.
    let mut defined = HashSet::new();
    for r in &d.assets {
        for p in r.people.iter().flatten() {
            assert!(
                defined.insert(p.id.clone().unwrap()),
                "person defined twice"
            );
        }
        for f in r.faces.iter().flatten() {
            assert!(
                defined.contains(f.person_id.as_ref().unwrap()),
                "face before its person's record"
            );
        }
    }
}

#[test]
fn the_library_count_follows_n() {
    for (n, libraries) in [(0, 1), (500, 1), (999, 1), (1_000, 3), (1_234, 3)] {
        let d = common::generate(n, 5);
        assert_eq!(d.libraries.len(), libraries, "n = {n}");
        assert_eq!(d.assets.len(), n);
        assert_eq!(d.libraries.last().unwrap().assets.end, n);
        assert_eq!(d.libraries.last().unwrap().albums.end, common::ALBUMS);
        assert!(d.libraries.iter().all(|l| !l.albums.is_empty()));
    }
}

#[test]
fn a_single_library_dataset_loads_and_lists_without_a_library_id() {
    // A generated record is ~1.5 to 2 KB of Gumnut JSON once stored.
    let cat = Catalog::in_memory().unwrap();
    let d = common::generate(500, 9);
    common::load(&cat, &d, 250);
    let page = cat
        .list_assets(&ListAssets {
            limit: 200,
            state: State::All,
            ..Default::default()
        })
        .unwrap();
    let per_record = page.to_json().len() / page.data.len();
    assert!(
        (1_200..2_500).contains(&per_record),
        "{per_record} bytes per record"
    );
    assert!(page.data.iter().all(|a| a.library_id == d.main().id));
}

#[test]
fn a_three_library_dataset_loads_into_the_right_libraries() {
    let cat = Catalog::in_memory().unwrap();
    let d = common::generate(1_500, 9);
    assert_eq!(d.libraries.len(), 3);
    common::load(&cat, &d, 400);
    let libs: HashSet<String> = cat
        .list_libraries()
        .unwrap()
        .into_iter()
        .map(|l| l.id)
        .collect();
    assert_eq!(libs, d.libraries.iter().map(|l| l.id.clone()).collect());
    for (l, lib) in d.libraries.iter().enumerate() {
        let q = ListAssets {
            library_id: Some(lib.id.clone()),
            state: State::All,
            ..ListAssets::default()
        };
        let listed: Vec<photocat::Asset> = cat
            .iter_assets(q.clone(), 200)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let want: HashSet<String> = lib.assets.clone().map(common::asset_id).collect();
        assert!(listed.iter().all(|a| a.library_id == lib.id));
        assert_eq!(
            listed.into_iter().map(|a| a.id).collect::<HashSet<_>>(),
            want,
            "{}",
            lib.id
        );
        // The library's largest album: in the library, with exactly its generated live members.
        let a = d.largest_album(l);
        assert_eq!(
            cat.get_album(&common::album_id(a)).unwrap().library_id,
            lib.id
        );
        let live: HashSet<&str> = d.album_members[a]
            .iter()
            .filter(|m| {
                let i: usize = m["asset_".len()..].parse().unwrap();
                d.assets[i].trashed_at.is_none()
            })
            .map(String::as_str)
            .collect();
        let listed: Vec<String> = cat
            .list_album_assets(&common::album_id(a))
            .unwrap()
            .into_iter()
            .map(|a| a.id)
            .collect();
        assert!(!listed.is_empty());
        assert_eq!(
            listed.iter().map(String::as_str).collect::<HashSet<_>>(),
            live
        );
        // People are global: the library's most frequent person lists in it.
        let (p, _) = d.people_by_size(l)[0];
        let page = cat
            .list_assets(&ListAssets {
                person_id: Some(common::person_id(p)),
                ..q
            })
            .unwrap();
        assert!(!page.data.is_empty());
        assert!(page.data.iter().all(|a| a.library_id == lib.id));
    }
}

#[test]
fn assets_have_owners_devices_and_sha1s() {
    let n = 20_000;
    let d = common::generate(n, 1);
    // Owners: user_0 owns the first and third libraries (80%), user_1 the second (20%).
    for (l, lib) in d.libraries.iter().enumerate() {
        assert_eq!(lib.owner, common::owner_id(common::library_owner(l)));
        for r in &d.assets[lib.assets.clone()] {
            assert_eq!(r.owner_id.as_deref(), Some(lib.owner.as_str()));
        }
    }
    let (owner, owned) = d.largest_owner();
    assert_eq!(owner, common::owner_id(0));
    assert_eq!(owned.len(), n * 8 / 10);
    // Devices: three per owner, 60% / 30% / 10% of its assets; device asset ids distinct.
    let mut per_device: HashMap<&str, usize> = HashMap::new();
    for &i in &owned {
        *per_device
            .entry(d.assets[i].device_id.as_deref().unwrap())
            .or_default() += 1;
    }
    for (k, percent) in common::DEVICE_PERCENT.iter().enumerate() {
        let got = per_device[common::device_id(0, k).as_str()] as f64 / owned.len() as f64;
        let want = *percent as f64 / 100.0;
        assert!((got - want).abs() < 0.02, "device {k}: {got}");
    }
    assert_eq!(per_device.len(), 3);
    let device_asset_ids: HashSet<&str> = d
        .assets
        .iter()
        .map(|r| r.device_asset_id.as_deref().unwrap())
        .collect();
    assert_eq!(device_asset_ids.len(), n);
    // A distinct SHA-1 per asset.
    let sha1s: HashSet<&str> = d
        .assets
        .iter()
        .map(|r| r.checksum_sha1.as_deref().unwrap())
        .collect();
    assert_eq!(sha1s.len(), n);
    // Owners and devices come from a stream of their own: the rest is as it was before them
    // (the first asset's capture time with seed 1 is pinned here).
    assert_eq!(
        d.assets[0].local_datetime.unwrap().naive.to_string(),
        PINNED_FIRST_TIME
    );
}

/// `generate(_, 1)`'s first capture time, as before owners and devices were added (checked
/// against the previous generator when they were).
const PINNED_FIRST_TIME: &str = "2021-10-06 13:21:05";

/// The JSON written straight from the stored records equals the owned assets' JSON, byte for
/// byte, on every page of every library and album of a generated catalogue (faces, people,
/// EXIF, GPS, trash, archive), and for `get_asset`.
#[test]
fn json_from_stored_records_equals_the_owned_assets_json() {
    let d = common::generate(3_000, 5);
    let cat = Catalog::in_memory().unwrap();
    common::load(&cat, &d, 1_000);
    let mut queries = Vec::new();
    for l in &d.libraries {
        for state in [State::Live, State::Trashed, State::All] {
            queries.push(ListAssets {
                library_id: Some(l.id.clone()),
                state,
                limit: 37,
                ..ListAssets::default()
            });
        }
    }
    queries.push(ListAssets {
        album_id: Some(common::album_id(d.largest_album(0))),
        limit: 200,
        ..ListAssets::default()
    });
    let mut assets = 0;
    for q in queries {
        let mut q = q;
        loop {
            let page = cat.list_assets(&q).unwrap();
            assert_eq!(cat.list_assets_json(&q).unwrap(), page.to_json(), "{q:?}");
            assert_eq!(serde_json::to_string(&page).unwrap(), page.to_json());
            for a in &page.data {
                assert_eq!(cat.get_asset_json(&a.id).unwrap(), a.to_json());
                assert_eq!(serde_json::to_string(a).unwrap(), a.to_json());
                assets += 1;
            }
            match (page.has_more, page.data.last()) {
                (true, Some(last)) => q.starting_after_id = Some(last.id.clone()),
                _ => break,
            }
        }
    }
    assert!(assets > 3_000, "{assets} assets compared");
    // The ids filter reads records on its own path.
    let ids: Vec<String> = (0..100).map(common::asset_id).collect();
    let q = ListAssets {
        library_id: Some(d.libraries[0].id.clone()),
        ids: Some(ids),
        limit: 100,
        ..ListAssets::default()
    };
    assert_eq!(
        cat.list_assets_json(&q).unwrap(),
        cat.list_assets(&q).unwrap().to_json()
    );
}

/// The Immich JSON written from the stored records (`get_all_assets_json`,
/// `get_asset_immich_json`, and `get_all_assets`' body, which is written the same way) equals
/// the owned assets' `to_immich_json_array` / `to_immich_json`, on every asset of a generated
/// catalogue (faces and people, EXIF and GPS, trash, archive, three libraries, two owners),
/// whole and in pages that cut the parallel chunks anywhere.
#[test]
fn immich_json_from_stored_records_equals_the_owned_assets_json() {
    use photocat::views::immich::to_immich_json_array;
    use photocat::GetAllAssets;
    let d = common::generate(3_000, 5);
    let cat = Catalog::in_memory().unwrap();
    common::load(&cat, &d, 1_000);
    let all = cat.get_all_assets(&GetAllAssets::default()).unwrap();
    assert!(all.assets.len() > 2_800, "{}", all.assets.len());
    let owned = to_immich_json_array(&all.assets).into_bytes();
    assert!(all.body == owned, "get_all_assets' body");
    let json = cat.get_all_assets_json(&GetAllAssets::default()).unwrap();
    assert!(json.body == owned && json.etag == all.etag && !json.not_modified);
    for a in &all.assets {
        let json = a.to_immich_json();
        assert_eq!(cat.get_asset_immich_json(&a.id).unwrap(), json);
        // The direct writer gives the bytes of the view's `Serialize` impl.
        assert_eq!(
            serde_json::to_string(&photocat::views::immich::ImmichAsset::new(a)).unwrap(),
            json
        );
    }
    let (owner, _) = d.largest_owner();
    for (skip, take) in [(0, 1), (63, 65), (1_000, 129), (2_000, 1_000)] {
        for owner_id in [None, Some(owner.clone())] {
            let q = GetAllAssets {
                owner_id,
                skip,
                take: Some(take),
                ..GetAllAssets::default()
            };
            let page = cat.get_all_assets(&q).unwrap();
            let json = cat.get_all_assets_json(&q).unwrap();
            let owned = to_immich_json_array(&page.assets).into_bytes();
            assert!(page.body == owned && json.body == owned, "{q:?}");
            assert_eq!(json.etag, page.etag, "{q:?}");
        }
    }
}
