//! Opening catalogues: create, reopen, in-memory, and every kind of file that is not a
//! catalogue of this version, which must fail with a typed error and stay byte-for-byte intact.

use photocat::FORMAT_VERSION;
use photocat::{
    AddAssets, Catalog, Error, GetAllAssets, ListAssets, NewAsset, NewLibrary, OpenOptions,
    RandomAssets, State, TimeSource,
};

fn one_asset() -> Vec<NewAsset> {
    vec![NewAsset {
        local_datetime: Some("2024-01-02T03:04:05".parse().unwrap()),
        ..Default::default()
    }]
}

#[test]
fn create_close_reopen_keeps_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.redb");
    let cat = Catalog::open(&path).unwrap();
    assert_eq!(cat.path(), Some(path.as_path()));
    let added = cat.add_assets(one_asset(), AddAssets::default()).unwrap();
    cat.close().unwrap();
    let cat = Catalog::open(&path).unwrap();
    let page = cat.list_assets(&ListAssets::default()).unwrap();
    assert_eq!(page.data, added);
}

/// The page cache's size is the process's, not the file's: a catalogue created with one size
/// opens with any other, and a cache of 0 bytes still reads and writes.
#[test]
fn open_options_set_the_cache_size_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.redb");
    let small = OpenOptions::default().cache_size(0);
    let cat = Catalog::open_with(&path, &small).unwrap();
    let added = cat.add_assets(one_asset(), AddAssets::default()).unwrap();
    cat.close().unwrap();
    for size in [Some(0), Some(64 << 20), None] {
        let options = match size {
            Some(bytes) => OpenOptions::default().cache_size(bytes),
            None => OpenOptions::default(),
        };
        let cat = Catalog::open_with(&path, &options).unwrap();
        assert_eq!(cat.list_assets(&ListAssets::default()).unwrap().data, added);
        cat.close().unwrap();
    }
    let cat = Catalog::open_with(&path, &small).unwrap();
    cat.add_assets(one_asset(), AddAssets::default()).unwrap();
    assert!(cat.verify().unwrap().is_ok());
}

#[test]
fn in_memory_touches_no_disk() {
    let cat = Catalog::in_memory().unwrap();
    assert_eq!(cat.path(), None);
    cat.add_assets(one_asset(), AddAssets::default()).unwrap();
    assert_eq!(
        cat.list_assets(&ListAssets::default()).unwrap().data.len(),
        1
    );
}

fn rejects_untouched(bytes: &[u8], expect: impl Fn(&Error) -> bool) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.redb");
    std::fs::write(&path, bytes).unwrap();
    let err = Catalog::open(&path).expect_err("must not open");
    assert!(expect(&err), "unexpected error: {err:?}");
    assert!(!err.to_string().is_empty());
    assert_eq!(
        std::fs::read(&path).unwrap(),
        bytes,
        "the file was modified"
    );
}

fn not_a_catalog(e: &Error) -> bool {
    matches!(e, Error::NotACatalog { .. })
}

#[test]
fn empty_file_is_rejected_untouched() {
    rejects_untouched(b"", not_a_catalog);
}

#[test]
fn random_bytes_are_rejected_untouched() {
    let bytes: Vec<u8> = (0..10_000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    rejects_untouched(&bytes, not_a_catalog);
}

#[test]
fn sqlite_header_is_rejected_untouched() {
    // The first page of a SQLite database: its 100-byte header, then zeros.
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.extend_from_slice(&[0x10, 0x00, 0x01, 0x01, 0x00, 0x40, 0x20, 0x20]);
    bytes.resize(4096, 0);
    rejects_untouched(&bytes, not_a_catalog);
}

#[test]
fn truncated_redb_magic_is_rejected_untouched() {
    rejects_untouched(b"redb\x1a", not_a_catalog);
}

#[test]
fn redb_file_of_another_application_is_rejected_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.redb");
    {
        let db = redb::Database::create(&path).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let def: redb::TableDefinition<u64, u64> = redb::TableDefinition::new("theirs");
            txn.open_table(def).unwrap().insert(1, 2).unwrap();
        }
        txn.commit().unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Catalog::open(&path).unwrap_err();
    assert!(not_a_catalog(&err), "{err:?}");
    assert!(
        err.to_string().contains("without photocat's format record"),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn newer_format_version_is_rejected_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.redb");
    Catalog::open(&path).unwrap().close().unwrap();
    {
        let db = redb::Database::open(&path).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let def: redb::TableDefinition<&str, &[u8]> =
                redb::TableDefinition::new("photocat_meta");
            let mut t = txn.open_table(def).unwrap();
            t.insert("version", (FORMAT_VERSION + 1).to_le_bytes().as_slice())
                .unwrap();
        }
        txn.commit().unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Catalog::open(&path).unwrap_err();
    assert!(
        matches!(
            err,
            Error::UnsupportedVersion { found, supported: FORMAT_VERSION }
                if found == FORMAT_VERSION + 1
        ),
        "{err:?}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_directory_is_not_a_catalogue() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        Catalog::open(dir.path()),
        Err(Error::NotACatalog { .. })
    ));
}

#[test]
fn concurrent_readers_during_a_writer() {
    use std::sync::Arc;
    let cat = Arc::new(Catalog::in_memory().unwrap());
    cat.add_assets(one_asset(), AddAssets::default()).unwrap();
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let cat = Arc::clone(&cat);
            std::thread::spawn(move || {
                for _ in 0..50 {
                    let page = cat
                        .list_assets(&ListAssets {
                            limit: 200,
                            ..Default::default()
                        })
                        .unwrap();
                    // Each read sees one snapshot: a whole batch or none of it.
                    assert!(page.data.len() == 1 || (page.data.len() - 1).is_multiple_of(10));
                }
            })
        })
        .collect();
    for _ in 0..10 {
        let batch = (0..10).map(|_| one_asset().remove(0)).collect();
        cat.add_assets(batch, AddAssets::default()).unwrap();
    }
    for r in readers {
        r.join().unwrap();
    }
}

#[test]
fn compact_keeps_every_record_and_shrinks_a_churned_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.redb");
    let mut cat = Catalog::open(&path).unwrap();
    let recs = (0..2_000)
        .map(|i| NewAsset {
            id: Some(format!("a{i:05}")),
            local_datetime: Some(format!("2024-01-01T00:00:{:02}", i % 60).parse().unwrap()),
            description: Some("x".repeat(200)),
            ..Default::default()
        })
        .collect();
    cat.add_assets(recs, AddAssets::default()).unwrap();
    // Churn: rewrite every record a few times in separate transactions.
    for round in 0..3 {
        let ids: Vec<String> = (0..2_000).map(|i| format!("a{i:05}")).collect();
        for chunk in ids.chunks(100) {
            if round % 2 == 0 {
                cat.trash_assets(chunk).unwrap();
            } else {
                cat.restore_assets(chunk).unwrap();
            }
        }
    }
    let before = cat
        .list_assets(&ListAssets {
            limit: 200,
            state: photocat::State::All,
            ..Default::default()
        })
        .unwrap();
    let size = std::fs::metadata(&path).unwrap().len();
    cat.compact().unwrap();
    let after = cat
        .list_assets(&ListAssets {
            limit: 200,
            state: photocat::State::All,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(before, after);
    cat.close().unwrap();
    let compacted = std::fs::metadata(&path).unwrap().len();
    assert!(compacted <= size, "{compacted} > {size}");
    let cat = Catalog::open(&path).unwrap();
    assert_eq!(
        cat.iter_assets(
            ListAssets {
                state: photocat::State::Trashed,
                ..Default::default()
            },
            200
        )
        .unwrap()
        .count(),
        2_000
    );
}

#[test]
fn a_damaged_catalogue_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.redb");
    let cat = Catalog::open(&path).unwrap();
    cat.add_assets(one_asset(), AddAssets::default()).unwrap();
    cat.close().unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    for b in &mut bytes[4096..8192] {
        *b ^= 0xFF;
    }
    std::fs::write(&path, &bytes).unwrap();
    // redb asserts on some malformed pages; opening turns that into a typed error.
    let err = Catalog::open(&path).expect_err("a damaged file must not open");
    assert!(
        matches!(err, Error::Corrupt(_) | Error::Storage(_)),
        "{err:?}"
    );
}

#[test]
fn a_file_open_elsewhere_is_already_open_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("photos.redb");
    let cat = Catalog::open(&path).unwrap();
    cat.add_assets(one_asset(), AddAssets::default()).unwrap();
    // A second Catalog on the same file in this process (a notebook cell run twice).
    let err = Catalog::open(&path).unwrap_err();
    match &err {
        Error::AlreadyOpen { path: p } => assert_eq!(p, &path),
        e => panic!("{e:?}"),
    }
    assert_eq!(
        err.to_string(),
        format!(
            "{} is already open (in this or another process); close the other Catalog first",
            path.display()
        )
    );
    // The first handle is unharmed; once it is closed the file opens again.
    assert_eq!(
        cat.list_assets(&ListAssets::default()).unwrap().data.len(),
        1
    );
    cat.close().unwrap();
    let again = Catalog::open(&path).unwrap();
    assert_eq!(again.count_assets(&ListAssets::default()).unwrap(), 1);
}

#[test]
fn io_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing/folder/x.redb");
    let err = Catalog::open(&path).unwrap_err();
    match &err {
        Error::Io {
            path: Some(p),
            source,
        } => {
            assert_eq!(p, &path);
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
            // The operating system's own error, with its number (Python's errno).
            assert!(source.raw_os_error().is_some(), "{source:?}");
        }
        e => panic!("{e:?}"),
    }
    assert_eq!(
        err.to_string(),
        format!(
            "I/O error on {}: No such file or directory (os error 2)",
            path.display()
        )
    );
    // Nothing was created on the way.
    assert!(!dir.path().join("missing").exists());
}

#[test]
fn creating_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    Catalog::open(dir.path().join("a.redb"))
        .unwrap()
        .close()
        .unwrap();
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["a.redb"]);
    // It has the permissions of any new file here (not a temporary file's owner-only ones).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode();
        let plain = dir.path().join("plain");
        std::fs::File::create(&plain).unwrap();
        assert_eq!(mode(&dir.path().join("a.redb")), mode(&plain));
        std::fs::remove_file(plain).unwrap();
    }
    // A relative path in the working folder works too (its folder is "").
    let cwd = std::env::current_dir().unwrap();
    std::env::set_current_dir(dir.path()).unwrap();
    let made = Catalog::open("b.redb").map(|c| c.close());
    std::env::set_current_dir(cwd).unwrap();
    made.unwrap().unwrap();
    assert!(dir.path().join("b.redb").exists());
}

/// `tests/data/format1.redb` was written by photocat's format 1 (commit d36ccff): two
/// libraries ("library_family": 12 assets, 2 trashed; "library_work": 5, 1 trashed), album
/// "album_trip" with asset_f01..f04 (f03 trashed), people Ann (f01, f02, w01) and Bo (f02,
/// f05 trashed).
#[test]
fn a_format_1_catalogue_is_upgraded_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.redb");
    std::fs::copy("tests/data/format1.redb", &path).unwrap();
    let cat = Catalog::open(&path).unwrap();
    assert_eq!(cat.upgraded_from(), Some(1));
    let report = cat.verify().unwrap();
    assert!(report.is_ok(), "the upgraded file verifies clean: {report}");
    let family = |state| ListAssets {
        library_id: Some("library_family".into()),
        state,
        ..ListAssets::default()
    };
    assert_eq!(cat.count_assets(&family(State::Live)).unwrap(), 10);
    assert_eq!(cat.count_assets(&family(State::Trashed)).unwrap(), 2);
    assert_eq!(cat.count_assets(&family(State::All)).unwrap(), 12);
    let trip = ListAssets {
        album_id: Some("album_trip".into()),
        ..ListAssets::default()
    };
    assert_eq!(cat.count_assets(&trip).unwrap(), 3);
    let albums = cat.list_albums(None).unwrap();
    assert_eq!(albums.len(), 1);
    assert_eq!(albums[0].asset_count, 3);
    let people = cat.list_people().unwrap();
    let counts: Vec<(&str, u64)> = people
        .iter()
        .map(|p| (p.id.as_str(), p.asset_count))
        .collect();
    assert_eq!(counts, [("person_ann", 3), ("person_bo", 1)]);
    // Format 1 records have no time source; new and changed ones do.
    let old = cat.get_asset("asset_f00").unwrap();
    assert_eq!(old.local_datetime_source, None);
    assert_eq!(old.original_file_name, "IMG_0000.jpg");
    let new = cat
        .add_assets(
            one_asset(),
            AddAssets {
                library_id: Some("library_work".into()),
                ..AddAssets::default()
            },
        )
        .unwrap();
    assert_eq!(new[0].local_datetime_source, Some(TimeSource::Given));
    let summary = cat.summary().unwrap();
    assert_eq!(summary.format_version, photocat::FORMAT_VERSION);
    let libs: Vec<(&str, u64, u64, u64)> = summary
        .libraries
        .iter()
        .map(|l| (l.library.id.as_str(), l.live, l.trashed, l.albums))
        .collect();
    assert_eq!(
        libs,
        [("library_family", 10, 2, 1), ("library_work", 5, 1, 0)]
    );
    // Format 1 went through 2 to 3 in the same transaction: the Immich indexes hold every
    // asset (17 + the one added above; none is hidden or locked), trashed ones included.
    let all = cat.get_all_assets(&GetAllAssets::default()).unwrap();
    assert_eq!(all.assets.len(), 18);
    assert_eq!(
        all.assets.iter().filter(|a| a.trashed_at.is_some()).count(),
        3
    );
    let pool = cat
        .random_assets(&RandomAssets {
            count: 100,
            ..RandomAssets::default()
        })
        .unwrap();
    assert_eq!(pool.len(), 15);
    assert_eq!(
        cat.existing_device_asset_ids("photocat", &["asset_f00", "asset_zz"], None)
            .unwrap(),
        ["asset_f00"]
    );
    cat.close().unwrap();
    // Upgraded once: the next open finds the current format.
    let cat = Catalog::open(&path).unwrap();
    assert_eq!(cat.upgraded_from(), None);
    assert_eq!(cat.count_assets(&family(State::All)).unwrap(), 12);
    assert_eq!(
        cat.get_all_assets(&GetAllAssets::default())
            .unwrap()
            .assets
            .len(),
        18
    );
}

#[test]
fn several_libraries_are_named_when_one_must_be_chosen() {
    let cat = Catalog::in_memory().unwrap();
    for (id, name) in [("library_b", "Work"), ("library_a", "Family")] {
        cat.create_library(NewLibrary {
            name: name.into(),
            id: Some(id.into()),
            owner_id: None,
        })
        .unwrap();
    }
    let err = cat.list_assets(&ListAssets::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"library_id is required: the catalogue has 2 libraries: "library_a" ("Family"), "library_b" ("Work")"#
    );
}

const HOLD_ENV: &str = "PHOTOCAT_TEST_HOLD_OPEN";

/// Run as a child by the test below (a no-op in a normal run): opens the catalogue named by
/// the environment, says so, and holds it until its standard input closes.
#[test]
fn child_holds_a_catalogue_open() {
    let Ok(path) = std::env::var(HOLD_ENV) else {
        return;
    };
    let cat = Catalog::open(&path).unwrap();
    println!("open");
    let mut sink = String::new();
    let _ = std::io::Read::read_to_string(&mut std::io::stdin(), &mut sink);
    cat.close().unwrap();
}

#[test]
fn a_file_open_in_another_process_is_already_open_and_untouched() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.redb");
    let cat = Catalog::open(&path).unwrap();
    cat.add_assets(one_asset(), AddAssets::default()).unwrap();
    cat.close().unwrap();
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_holds_a_catalogue_open", "--nocapture"])
        .env(HOLD_ENV, &path)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while line.trim() != "open" {
        line.clear();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "the child did not open"
        );
    }
    let before = std::fs::read(&path).unwrap();
    let t = std::time::Instant::now();
    let err = Catalog::open(&path).unwrap_err();
    assert!(t.elapsed() < std::time::Duration::from_secs(1));
    assert!(
        matches!(&err, Error::AlreadyOpen { path: p } if p == &path),
        "{err:?}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());
    let cat = Catalog::open(&path).unwrap();
    assert_eq!(cat.count_assets(&ListAssets::default()).unwrap(), 1);
}

/// `tests/data/format3.redb` was written by photocat's format 3 (commit 3248a05, generator
/// `tests/data/write_format3.rs`): one library, people `person_0..2`, 40 assets `asset_00..39`
/// with makes (`Canon`, `SONY`, `canon`, none), cities, names, MIME types, descriptions,
/// favourites, archived and hidden ones and faces, album `album_trip`, three trashed. After
/// the upgrade every search and bucket answer equals a filter over the assets as listed.
#[test]
fn a_format_3_catalogue_is_upgraded_with_search_and_buckets() {
    use photocat::{Asset, BucketSize, SearchAssets, TimeBuckets};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.redb");
    std::fs::copy("tests/data/format3.redb", &path).unwrap();
    let cat = Catalog::open(&path).unwrap();
    assert_eq!(cat.upgraded_from(), Some(3));
    let report = cat.verify().unwrap();
    assert!(report.is_ok(), "the upgraded file verifies clean: {report}");
    let live: Vec<Asset> = cat
        .iter_assets(ListAssets::default(), 200)
        .unwrap()
        .collect::<photocat::Result<_>>()
        .unwrap();
    assert_eq!(live.len(), 28); // 40, less 10 hidden, less 2 trashed (asset_07 is hidden too)
    let search = |q: SearchAssets| {
        let page = cat
            .search_assets(&SearchAssets { limit: 200, ..q })
            .unwrap();
        assert_eq!(page.total, page.data.len() as u64);
        page.data.into_iter().map(|a| a.id).collect::<Vec<_>>()
    };
    let want = |f: &dyn Fn(&Asset) -> bool| {
        let ids: Vec<String> = live.iter().filter(|a| f(a)).map(|a| a.id.clone()).collect();
        assert!(!ids.is_empty(), "each check matches something");
        ids
    };
    let make = |a: &Asset| a.exif.as_ref().and_then(|e| e.make.clone());
    assert_eq!(
        search(SearchAssets {
            make: Some("Canon".into()),
            ..Default::default()
        }),
        want(&|a| make(a).as_deref() == Some("Canon"))
    );
    assert_eq!(
        search(SearchAssets {
            city: Some("Paris".into()),
            person_ids: Some(vec!["person_0".into()]),
            ..Default::default()
        }),
        want(&|a| {
            a.exif.as_ref().and_then(|e| e.city.as_deref()) == Some("Paris")
                && a.people.iter().any(|p| p.id == "person_0")
        })
    );
    assert_eq!(
        search(SearchAssets {
            original_file_name: Some("IMG_000".into()),
            album_ids: Some(vec!["album_trip".into()]),
            ..Default::default()
        }),
        want(&|a| {
            a.original_file_name.to_lowercase().contains("img_000")
                && cat
                    .list_album_assets("album_trip")
                    .unwrap()
                    .iter()
                    .any(|m| m.id == a.id)
        })
    );
    assert_eq!(
        search(SearchAssets {
            mime_type: Some("video/mp4".into()),
            is_favorite: Some(false),
            description: Some("BEACH".into()),
            ..Default::default()
        }),
        want(&|a| {
            a.mime_type == "video/mp4"
                && !a.is_favorite
                && a.description
                    .as_deref()
                    .is_some_and(|d| d.contains("Beach"))
        })
    );
    let months = cat
        .time_buckets(&TimeBuckets {
            size: BucketSize::Year,
            ..Default::default()
        })
        .unwrap();
    let mut years = std::collections::BTreeMap::new();
    for a in &live {
        use chrono::Datelike;
        *years.entry(a.local_datetime.year()).or_insert(0u64) += 1;
    }
    let got: Vec<(i32, u64)> = months
        .iter()
        .map(|b| {
            use chrono::Datelike;
            (b.start.year(), b.count)
        })
        .collect();
    assert_eq!(got, years.into_iter().rev().collect::<Vec<_>>());
    cat.close().unwrap();
    let cat = Catalog::open(&path).unwrap();
    assert_eq!(cat.upgraded_from(), None);
}
