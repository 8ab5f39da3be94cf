//! Loads a generated catalogue and lists pages in a loop: a target for profilers
//! (`perf record -g target/release/examples/profile_load 100000`). The pages are those of the
//! generated catalogue's main (largest) library.

#[path = "../benches/common/mod.rs"]
mod common;

use std::time::Instant;

use photocat::ListAssets;

thread_local!(static ROUNDS_PAGE: u32 = std::env::var("ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(5_000));

fn main() -> photocat::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let data = common::generate(n, 42);
    let (_dir, path, mut cat, secs) = common::load_new_file(&data, "profile.redb");
    eprintln!(
        "load: {n} assets in {} libraries in {secs:.2} s ({:.0}/s), file {:.1} MB",
        data.libraries.len(),
        n as f64 / secs,
        std::fs::metadata(&path)?.len() as f64 / 1e6
    );
    if std::env::var("ALBUMS").as_deref() == Ok("one") {
        // The albums created one call each, then every membership linked by one
        // `add_to_albums` (one transaction).
        let t = Instant::now();
        for l in &data.libraries {
            for a in l.albums.clone() {
                cat.create_album(photocat::NewAlbum {
                    name: format!("Album {a}"),
                    id: Some(common::album_id(a)),
                    library_id: Some(l.id.clone()),
                    ..Default::default()
                })?;
            }
        }
        let created = t.elapsed().as_secs_f64();
        let ids: Vec<String> = (0..data.album_members.len())
            .map(common::album_id)
            .collect();
        // `LINKS=<k>` links the first k memberships only (album by album).
        let mut room: usize = std::env::var("LINKS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(usize::MAX);
        let links: Vec<(&str, &[String])> = ids
            .iter()
            .zip(&data.album_members)
            .map(|(id, members)| {
                let take = members.len().min(room);
                room -= take;
                (id.as_str(), &members[..take])
            })
            .collect();
        let memberships: usize = links.iter().map(|l| l.1.len()).sum();
        let t = Instant::now();
        cat.add_to_albums(&links)?;
        eprintln!(
            "{} albums created in {created:.1} s; {memberships} memberships linked by one \
             add_to_albums in {:.2} s, file {:.1} MB",
            ids.len(),
            t.elapsed().as_secs_f64(),
            std::fs::metadata(&path)?.len() as f64 / 1e6
        );
    } else if std::env::var_os("ALBUMS").is_some() {
        let t = Instant::now();
        common::load_albums(&cat, &data);
        let size = std::fs::metadata(&path)?.len();
        eprintln!(
            "albums linked in {:.1} s, file {:.1} MB",
            t.elapsed().as_secs_f64(),
            size as f64 / 1e6
        );
        let t = Instant::now();
        cat.compact()?;
        eprintln!(
            "compact() in {:.1} s, file {:.1} MB ({:.0} bytes/asset)",
            t.elapsed().as_secs_f64(),
            std::fs::metadata(&path)?.len() as f64 / 1e6,
            std::fs::metadata(&path)?.len() as f64 / n as f64
        );
    }
    let q = ListAssets {
        library_id: Some(data.main().id.clone()),
        ..ListAssets::default()
    };
    if let Ok(only) = std::env::var("ONLY") {
        // One kind of page in a loop (a target for `perf record` or callgrind): `stored`, the
        // page as JSON written from the stored records; `owned`, `list_assets` + `to_json`;
        // `get`, the newest asset by id as JSON (`get_asset_json`); `second`, the page after
        // the first as JSON (the cursor's cost over `stored`); `person`, the first page of the
        // person with the most assets, as JSON; `album` (with `ALBUMS=one`), the first page of
        // the largest album, as JSON; `album_person`, both at once; `ids`, a page of the
        // library's 100 newest assets named by id, as JSON.
        let q = match only.as_str() {
            "ids" => {
                let newest = cat.list_assets(&ListAssets {
                    limit: 100,
                    ..q.clone()
                })?;
                ListAssets {
                    ids: Some(newest.data.into_iter().map(|a| a.id).collect()),
                    limit: 100,
                    ..q
                }
            }
            "album" => ListAssets {
                album_id: Some(common::album_id(data.largest_album(common::MAIN))),
                ..q
            },
            "person" => ListAssets {
                person_id: Some(common::person_id(data.people_by_size(common::MAIN)[0].0)),
                ..q
            },
            "album_person" => ListAssets {
                album_id: Some(common::album_id(data.largest_album(common::MAIN))),
                person_id: Some(common::person_id(data.people_by_size(common::MAIN)[0].0)),
                ..q
            },
            _ => q,
        };
        let first_page = cat.list_assets(&q)?;
        let first = first_page.data[0].id.clone();
        let before = cat.read_stats();
        std::hint::black_box(cat.list_assets_json(&q)?);
        eprintln!("one page's reads: {:?}", cat.read_stats() - before);
        let second = ListAssets {
            starting_after_id: first_page.data.last().map(|a| a.id.clone()),
            ..q.clone()
        };
        let t = Instant::now();
        let rounds = ROUNDS_PAGE.with(|r| *r);
        for _ in 0..rounds {
            if only == "get" {
                std::hint::black_box(cat.get_asset_json(&first)?);
            } else if ["stored", "album", "person", "album_person", "ids"].contains(&only.as_str())
            {
                std::hint::black_box(cat.list_assets_json(&q)?);
            } else if only == "second" {
                std::hint::black_box(cat.list_assets_json(&second)?);
            } else {
                std::hint::black_box(cat.list_assets(&q)?.to_json());
            }
        }
        eprintln!(
            "first page as JSON ({only}): {:.3} µs",
            t.elapsed().as_secs_f64() * 1e6 / f64::from(rounds.max(1))
        );
        return Ok(());
    }
    let t = Instant::now();
    for _ in 0..ROUNDS_PAGE.with(|r| *r) {
        std::hint::black_box(cat.list_assets(&q)?);
    }
    eprintln!(
        "first page: {:.1} µs",
        t.elapsed().as_secs_f64() * 1e6 / f64::from(ROUNDS_PAGE.with(|r| *r).max(1))
    );
    let page = cat.list_assets(&q)?;
    let t = Instant::now();
    for _ in 0..ROUNDS_PAGE.with(|r| *r) {
        std::hint::black_box(page.to_json());
    }
    eprintln!(
        "its JSON: {:.1} µs",
        t.elapsed().as_secs_f64() * 1e6 / f64::from(ROUNDS_PAGE.with(|r| *r).max(1))
    );
    let t = Instant::now();
    let rounds: u32 = std::env::var("ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let mut bytes = 0;
    for _ in 0..rounds {
        bytes += cat.list_assets(&q)?.to_json().len();
    }
    eprintln!(
        "first page + JSON: {:.1} µs ({} bytes)",
        t.elapsed().as_secs_f64() * 1e6 / f64::from(rounds),
        bytes / rounds as usize
    );
    // A/B in one process, alternating: the owned page's JSON against the JSON written from
    // the stored records (`list_assets_json`), pages of 20 and 200, and one asset.
    let id = cat.list_assets(&q)?.data[0].id.clone();
    let q200 = ListAssets {
        limit: 200,
        ..q.clone()
    };
    let time = |f: &mut dyn FnMut() -> photocat::Result<usize>, n: u32| {
        let t = Instant::now();
        for _ in 0..n {
            std::hint::black_box(f()?);
        }
        Ok::<f64, photocat::Error>(t.elapsed().as_secs_f64() * 1e6 / f64::from(n.max(1)))
    };
    for round in 0..3 {
        let owned20 = time(&mut || Ok(cat.list_assets(&q)?.to_json().len()), rounds)?;
        let stored20 = time(&mut || Ok(cat.list_assets_json(&q)?.len()), rounds)?;
        let owned200 = time(
            &mut || Ok(cat.list_assets(&q200)?.to_json().len()),
            rounds / 10,
        )?;
        let stored200 = time(&mut || Ok(cat.list_assets_json(&q200)?.len()), rounds / 10)?;
        let owned1 = time(&mut || Ok(cat.get_asset(&id)?.to_json().len()), rounds)?;
        let stored1 = time(&mut || Ok(cat.get_asset_json(&id)?.len()), rounds)?;
        eprintln!(
            "round {round}: page of 20 as JSON {owned20:.1} µs owned, {stored20:.1} µs stored; \
             of 200 {owned200:.1} / {stored200:.1} µs; get_asset {owned1:.2} / {stored1:.2} µs"
        );
    }
    Ok(())
}
