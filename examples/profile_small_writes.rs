//! Small writes in a loop on an existing catalogue: a target for callgrind and `strace`, and the
//! before/after figures of BENCHMARKS.md. Each round is two durable transactions:
//! `ONLY=trash` trashes one asset of the largest library and restores it, and `ONLY=album`
//! links 40 of its assets to an album and unlinks them (both undo themselves, so the catalogue
//! keeps its answers); `ONLY=create` creates an album and links 40 assets to it (what the
//! user's build does 2,000 times; these albums stay). Run it on a copy: it writes.
//!
//! ```text
//! KEEP=target/tmp/ub.redb target/release/examples/profile_user_build 100000
//! cp target/tmp/ub.redb target/tmp/sw.redb
//! ONLY=trash ROUNDS=200 target/release/examples/profile_small_writes target/tmp/sw.redb
//! ```

use std::time::Instant;

use photocat::{Catalog, ListAssets, NewAlbum};

fn main() -> photocat::Result<()> {
    let path = std::env::args()
        .nth(1)
        .expect("usage: profile_small_writes CATALOGUE.redb (a copy: it is written)");
    let only = std::env::var("ONLY").unwrap_or_else(|_| "trash".into());
    let rounds: u32 = std::env::var("ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let cat = Catalog::open(&path)?;
    let mut library = None;
    for l in cat.list_libraries()? {
        let n = cat.count_assets(&ListAssets {
            library_id: Some(l.id.clone()),
            ..ListAssets::default()
        })?;
        if library.as_ref().is_none_or(|(_, m)| n > *m) {
            library = Some((l.id, n));
        }
    }
    let (library, _) = library.expect("a catalogue with a library");
    let page = cat.list_assets(&ListAssets {
        library_id: Some(library.clone()),
        limit: 200,
        ..ListAssets::default()
    })?;
    let forty: Vec<&str> = page.data.iter().take(40).map(|a| a.id.as_str()).collect();
    let one = [page
        .data
        .get(page.data.len() / 2)
        .expect("a library with live assets")
        .id
        .as_str()];
    let album = cat
        .create_album(NewAlbum {
            name: "profile_small_writes".into(),
            library_id: Some(library.clone()),
            ..NewAlbum::default()
        })?
        .id;
    let t = Instant::now();
    for _ in 0..rounds {
        match only.as_str() {
            "trash" => {
                cat.trash_assets(&one)?;
                cat.restore_assets(&one)?;
            }
            "album" => {
                cat.add_to_album(&album, &forty)?;
                cat.remove_from_album(&album, &forty)?;
            }
            "create" => {
                let a = cat.create_album(NewAlbum {
                    name: "profile_small_writes (round)".into(),
                    library_id: Some(library.clone()),
                    ..NewAlbum::default()
                })?;
                cat.add_to_album(&a.id, &forty)?;
            }
            other => panic!("ONLY={other}: one of trash, album, create"),
        }
    }
    let per = t.elapsed().as_secs_f64() * 1e3 / f64::from(rounds.max(1));
    eprintln!("{only}: {per:.3} ms per round ({rounds} rounds)");
    Ok(())
}
