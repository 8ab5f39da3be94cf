//! `Catalog::backup`: a copy taken while a writer goes on holds exactly one committed state;
//! an existing destination, the catalogue's own file and a missing folder are refused, leaving
//! nothing behind.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use photocat::{AddAssets, Catalog, Error, ListAssets, NewAlbum, NewAsset, State};

/// The catalogue is consistent.
///
/// The copy verifies clean (`Catalog::verify`: every index and counter against the records),
/// and, through public reads, every list answer agrees: the walk of the timeline equals
/// `iter_assets`, `count_assets` and the summary's counts, and every listed asset can be
/// fetched.
fn assert_verifies_clean(cat: &Catalog) {
    let report = cat.verify().unwrap();
    assert!(report.is_ok(), "{report}");
    let all = ListAssets {
        state: State::All,
        ..Default::default()
    };
    let walked = common::walk(cat, all.clone());
    assert_eq!(walked, common::iter_ids(cat, all.clone()));
    assert_eq!(cat.count_assets(&all).unwrap(), walked.len() as u64);
    let live = cat.count_assets(&ListAssets::default()).unwrap();
    let summary = cat.summary().unwrap();
    let summed: u64 = summary.libraries.iter().map(|l| l.live).sum();
    assert_eq!(summed, live);
    for id in &walked {
        assert_eq!(&cat.get_asset(id).unwrap().id, id);
    }
    for album in cat.list_albums(None).unwrap() {
        let q = ListAssets {
            album_id: Some(album.id.clone()),
            ..Default::default()
        };
        assert_eq!(common::walk(cat, q).len() as u64, album.asset_count);
    }
}

fn batch(b: usize, size: usize) -> Vec<NewAsset> {
    (0..size)
        .map(|i| {
            common::asset(
                &format!("asset_b{b:05}i{i:03}"),
                &format!("2024-01-{:02}T{:02}:{:02}:00", 1 + b % 28, i % 24, b % 60),
            )
        })
        .collect()
}

const BATCH: usize = 40;
/// Batches loaded before the writer thread starts.
const BASE: usize = 100;

/// The copy at `copy` opens, verifies clean and holds exactly the first k batches (and the
/// album links of the link transactions committed with them), for a k between `before` and
/// `after`, the batches committed when the backup began and when it returned.
fn check_copy(copy: &Path, before: usize, after: usize) {
    let restored = Catalog::open(copy).unwrap();
    assert_eq!(restored.upgraded_from(), None);
    let all = ListAssets {
        state: State::All,
        ..Default::default()
    };
    let ids: BTreeSet<String> = common::walk(&restored, all.clone()).into_iter().collect();
    assert_eq!(ids.len() % BATCH, 0, "a whole number of batches");
    let k = ids.len() / BATCH;
    assert!(
        (before..=after).contains(&k),
        "the copy holds {k} batches; {before} were committed when the backup began and {after} \
         when it returned"
    );
    let expected: BTreeSet<String> = (0..k)
        .flat_map(|b| batch(b, BATCH).into_iter().map(|a| a.id.unwrap()))
        .collect();
    assert_eq!(ids, expected);
    assert_eq!(restored.count_assets(&all).unwrap(), (k * BATCH) as u64);
    assert_eq!(
        restored.summary().unwrap().libraries[0].live,
        (k * BATCH) as u64
    );
    // Album links: those of batches BASE..k-1 for sure, batch k-1's when its link transaction
    // was committed before the snapshot (a whole transaction either way).
    let in_album = restored.list_albums(None).unwrap()[0].asset_count;
    let linked = k.saturating_sub(BASE) as u64;
    let half = (BATCH / 2) as u64;
    assert!(
        in_album == linked * half || in_album + half == linked * half,
        "{in_album} album links for {k} batches"
    );
    assert_verifies_clean(&restored);
    // The copy takes writes as a catalogue.
    restored
        .add_assets(batch(10_000, 1), AddAssets::default())
        .unwrap();
}

/// A writer thread adds batches of assets (one `add_assets` transaction each, then half of
/// each batch linked to an album in a second transaction) while backups run. Each copy's ids
/// must be exactly the first k batches, for a k between the batches surely committed when the
/// backup began and those begun when it returned, with the album links of whole transactions
/// only.
#[test]
fn a_backup_during_writes_holds_one_committed_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("photos.redb");
    let cat = Arc::new(Catalog::open(&path).unwrap());
    // A base large enough that the copy takes a while (the writer commits meanwhile).
    for b in 0..BASE {
        cat.add_assets(batch(b, BATCH), AddAssets::default())
            .unwrap();
    }
    let album = cat
        .create_album(NewAlbum {
            name: "Trip".into(),
            ..Default::default()
        })
        .unwrap();
    // `committed`: batches whose add_assets returned; `begun`: batches whose add_assets was
    // called. The snapshot's count lies between them.
    let committed = Arc::new(Mutex::new(BASE));
    let begun = Arc::new(Mutex::new(BASE));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (cat, committed, begun, stop, album) = (
            Arc::clone(&cat),
            Arc::clone(&committed),
            Arc::clone(&begun),
            Arc::clone(&stop),
            album.id.clone(),
        );
        std::thread::spawn(move || {
            let mut b = BASE;
            while !stop.load(Ordering::Relaxed) {
                *begun.lock().unwrap() = b + 1;
                let added = cat
                    .add_assets(batch(b, BATCH), AddAssets::default())
                    .unwrap();
                b += 1;
                *committed.lock().unwrap() = b;
                let linked: Vec<&str> = added.iter().take(BATCH / 2).map(|a| &*a.id).collect();
                cat.add_to_album(&album, &linked).unwrap();
            }
            b
        })
    };
    // Let the writer get going, then back up while it writes.
    while *committed.lock().unwrap() < BASE + 3 {
        std::thread::sleep(Duration::from_millis(1));
    }
    // Back up while it writes; again (to a new file) until a backup overlapped a commit, so
    // the test never passes without a write during the copy.
    let mut overlapped = 0;
    for attempt in 0..5 {
        let copy = dir.path().join(format!("copy{attempt}.redb"));
        let before = *committed.lock().unwrap();
        cat.backup(&copy).unwrap();
        let after = *begun.lock().unwrap();
        check_copy(&copy, before, after);
        eprintln!(
            "backup {attempt}: batches {before} committed at its start, {after} begun at its end"
        );
        if after > before + 1 {
            overlapped += 1;
            break;
        }
    }
    stop.store(true, Ordering::Relaxed);
    let written = writer.join().unwrap();
    assert!(
        overlapped > 0,
        "no backup overlapped a commit of the writer"
    );
    // The original is untouched by the backup and is consistent too.
    let all = ListAssets {
        state: State::All,
        ..Default::default()
    };
    assert_eq!(cat.count_assets(&all).unwrap(), (written * BATCH) as u64);
    assert_verifies_clean(&cat);
}

/// Hidden temporary files a backup left in `dir`.
fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".photocat-new"))
        .collect()
}

#[test]
fn an_existing_destination_is_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let cat = Catalog::open(dir.path().join("photos.redb")).unwrap();
    cat.add_assets(batch(0, 3), AddAssets::default()).unwrap();
    let dest = dir.path().join("taken");
    std::fs::write(&dest, b"keep me").unwrap();
    let err = cat.backup(&dest).unwrap_err();
    assert!(
        matches!(&err, Error::Io { path: Some(p), source }
            if p == &dest && source.kind() == std::io::ErrorKind::AlreadyExists),
        "{err:?}"
    );
    assert!(err.to_string().contains("never replaces a file"), "{err}");
    assert_eq!(std::fs::read(&dest).unwrap(), b"keep me");
    assert!(temporaries(dir.path()).is_empty());
}

#[test]
fn the_catalogues_own_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("photos.redb");
    let cat = Catalog::open(&path).unwrap();
    cat.add_assets(batch(0, 3), AddAssets::default()).unwrap();
    let before = std::fs::read(&path).unwrap();
    // Also through another spelling of the same path.
    for dest in [path.clone(), dir.path().join(".").join("photos.redb")] {
        let err = cat.backup(&dest).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
        assert!(err.to_string().contains("onto itself"), "{err}");
    }
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(cat.count_assets(&ListAssets::default()).unwrap(), 3);
}

#[test]
fn a_missing_folder_is_an_io_error_naming_the_destination() {
    let dir = tempfile::tempdir().unwrap();
    let cat = Catalog::in_memory().unwrap();
    let dest = dir.path().join("no").join("such").join("copy.redb");
    let err = cat.backup(&dest).unwrap_err();
    assert!(
        matches!(&err, Error::Io { path: Some(p), source }
            if p == &dest && source.kind() == std::io::ErrorKind::NotFound),
        "{err:?}"
    );
}

#[test]
fn an_in_memory_catalogue_backs_up_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let cat = Catalog::in_memory().unwrap();
    cat.add_assets(batch(0, 5), AddAssets::default()).unwrap();
    let dest = dir.path().join("copy.redb");
    cat.backup(&dest).unwrap();
    let copy = Catalog::open(&dest).unwrap();
    assert_eq!(
        common::walk(&copy, ListAssets::default()),
        common::walk(&cat, ListAssets::default())
    );
    assert_verifies_clean(&copy);
    assert!(temporaries(dir.path()).is_empty());
}
