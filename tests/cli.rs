//! The `photocat` command-line tool, run as a user runs it (built with `--features cli`).

use std::process::{Command, Output};

const PHOTOS: &str = "tests/data/photos";

fn photocat(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_photocat"))
        .args(args)
        .env_remove("PHOTOCAT_CATALOG")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn import_list_get() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("photos.redb");
    let catalog = catalog.to_str().unwrap();

    let out = photocat(&["import", PHOTOS, "--catalog", catalog, "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = stdout(&out);
    assert!(
        summary.starts_with("24 created, 1 duplicate, 3 failed"),
        "{summary}"
    );
    // Failures are counted by reason; the files are listed only with --verbose.
    let lines: Vec<&str> = summary.lines().collect();
    assert_eq!(lines.len(), 3, "{summary}");
    assert!(
        lines[1].starts_with("failed: ") && lines[1].contains("1 empty file"),
        "{summary}"
    );
    assert_eq!(
        lines[2],
        "(--verbose lists each duplicate, failed and skipped file)"
    );
    assert!(!summary.contains("empty.jpg"), "{summary}");

    // The same import again creates nothing, and says so in a few lines, not one per file.
    let out = photocat(&["import", PHOTOS, "--catalog", catalog, "--quiet"]);
    let summary = stdout(&out);
    assert!(summary.starts_with("0 created, 25 duplicates"), "{summary}");
    assert_eq!(summary.lines().count(), 3, "{summary}");

    // --verbose lists each duplicate and failed file.
    let out = photocat(&["import", PHOTOS, "--catalog", catalog, "-q", "--verbose"]);
    let summary = stdout(&out);
    assert!(
        summary.contains("edge/empty.jpg  (empty file)"),
        "{summary}"
    );
    assert_eq!(summary.matches("\n  duplicate  ").count(), 25, "{summary}");
    assert_eq!(summary.matches("\n  failed     ").count(), 3, "{summary}");
    assert!(!summary.contains("--verbose lists"), "{summary}");

    let out = photocat(&["list", "--catalog", catalog, "--limit", "5"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(page["data"].as_array().unwrap().len(), 5);
    assert_eq!(page["has_more"], true);
    let last = page["data"][4]["id"].as_str().unwrap().to_owned();
    let first = page["data"][0]["id"].as_str().unwrap().to_owned();

    // The cursor: the next page starts after the last asset of this one.
    let out = photocat(&[
        "list",
        "--catalog",
        catalog,
        "--limit",
        "200",
        "--after",
        &last,
    ]);
    let rest: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(rest["data"].as_array().unwrap().len(), 24 - 5);
    assert_eq!(rest["has_more"], false);

    let out = photocat(&["get", &first, "--catalog", catalog]);
    assert!(out.status.success(), "{}", stderr(&out));
    let asset: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(asset, page["data"][0]);

    // Filters pass through: a naive upper bound before every sample's capture time.
    let out = photocat(&[
        "list",
        "--catalog",
        catalog,
        "--local-datetime-before",
        "1990-01-01T00:00:00",
    ]);
    assert_eq!(stdout(&out).trim(), r#"{"data":[],"has_more":false}"#);
}

#[test]
fn errors_are_one_line_with_a_non_zero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.redb");
    let out = photocat(&["list", "--catalog", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!("photocat: no catalogue at {}\n", missing.display())
    );
    assert!(!missing.exists(), "list must not create a catalogue");

    let not_a_catalog = format!("{PHOTOS}/aarhus.jpg");
    let out = photocat(&["get", "asset_x", "--catalog", &not_a_catalog]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with("photocat: ") && err.lines().count() == 1,
        "{err}"
    );
    assert!(err.contains("not a photocat catalogue"), "{err}");

    let catalog = dir.path().join("c.redb");
    let catalog = catalog.to_str().unwrap();
    let out = photocat(&[
        "import",
        &format!("{PHOTOS}/aarhus.jpg"),
        "-c",
        catalog,
        "-q",
    ]);
    assert!(out.status.success());
    let out = photocat(&["get", "asset_nope", "--catalog", catalog]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out).lines().count(), 1);

    let out = photocat(&["list", "--catalog", catalog, "--limit", "0"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("limit must be between 1 and 200, got 0"),
        "{}",
        stderr(&out)
    );

    // Bad arguments: clap's usage error, exit code 2.
    let out = photocat(&["list"]);
    assert_eq!(out.status.code(), Some(2));
    let out = photocat(&[
        "import",
        "--catalog",
        catalog,
        "--on-duplicate",
        "maybe",
        PHOTOS,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("on_duplicate must be"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn help_explains_every_command() {
    let out = photocat(&["--help"]);
    assert!(out.status.success());
    let help = stdout(&out);
    for cmd in [
        "import", "list", "get", "count", "search", "buckets", "export", "info", "backup", "album",
        "person", "immich",
    ] {
        assert!(help.contains(cmd), "{help}");
    }
    let out = photocat(&["import", "--help"]);
    let help = stdout(&out);
    for flag in ["--catalog", "--library", "--no-recursive", "--on-duplicate"] {
        assert!(help.contains(flag), "{help}");
    }
    let out = photocat(&["list", "--help"]);
    let help = stdout(&out);
    for flag in [
        "--album",
        "--person",
        "--ids",
        "--state",
        "--limit",
        "--after",
        "--table",
        "--catalog",
    ] {
        assert!(help.contains(flag), "{help}");
    }
    let out = photocat(&["count", "--help"]);
    let help = stdout(&out);
    for flag in [
        "--album",
        "--person",
        "--ids",
        "--state",
        "--local-datetime-after",
    ] {
        assert!(help.contains(flag), "{help}");
    }
    let help = stdout(&photocat(&["search", "--help"]));
    for flag in [
        "--library",
        "--person",
        "--album",
        "--after",
        "--before",
        "--make",
        "--model",
        "--lens-model",
        "--city",
        "--state",
        "--country",
        "--mime-type",
        "--type",
        "--favorite",
        "--not-favorite",
        "--visibility",
        "--name",
        "--description",
        "--page",
        "--limit",
        "--json",
        "--catalog",
    ] {
        assert!(help.contains(flag), "{flag}: {help}");
    }
    let help = stdout(&photocat(&["buckets", "--help"]));
    for flag in [
        "--size",
        "--album",
        "--person",
        "--state",
        "--library",
        "--json",
    ] {
        assert!(help.contains(flag), "{flag}: {help}");
    }
    let help = stdout(&photocat(&["album", "--help"]));
    assert!(help.contains("create") && help.contains("list"), "{help}");
    let help = stdout(&photocat(&["album", "create", "--help"]));
    for flag in ["--library", "--description", "--json"] {
        assert!(help.contains(flag), "{help}");
    }
}

/// Runs the binary with its stdout the write end of a pipe whose read end is already closed,
/// as in `photocat ... | head` when `head` has exited: every write fails with EPIPE.
fn photocat_into_closed_pipe(args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    Command::new(env!("CARGO_BIN_EXE_photocat"))
        .args(args)
        .env_remove("PHOTOCAT_CATALOG")
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap()
}

#[test]
fn a_closed_stdout_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("photos.redb");
    let catalog = catalog.to_str().unwrap();

    // The import commits everything it read although its summary cannot be written.
    let out = photocat_into_closed_pipe(&["import", PHOTOS, "-c", catalog, "-q", "--verbose"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
    let out = photocat(&["list", "-c", catalog, "--limit", "200"]);
    let page: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(page["data"].as_array().unwrap().len(), 24);
    let id = page["data"][0]["id"].as_str().unwrap().to_owned();

    for args in [
        vec!["import", PHOTOS, "-c", catalog, "-q"],
        vec!["list", "-c", catalog],
        vec!["list", "-c", catalog, "--pretty", "--limit", "200"],
        vec!["list", "-c", catalog, "--table"],
        vec!["get", &id, "-c", catalog],
        vec!["count", "-c", catalog],
        vec!["search", "-c", catalog],
        vec!["search", "-c", catalog, "--json", "--limit", "200"],
        vec!["buckets", "-c", catalog, "--size", "day"],
        vec!["buckets", "-c", catalog, "--json"],
        vec!["info", "-c", catalog],
        vec!["info", "-c", catalog, "--json"],
        vec!["album", "list", "-c", catalog],
        vec!["album", "list", "-c", catalog, "--json"],
        vec!["person", "list", "-c", catalog],
        vec!["person", "list", "-c", catalog, "--json"],
        vec!["album", "create", "A", "-c", catalog],
        vec!["person", "create", "P", "-c", catalog, "--json"],
        vec![
            "immich",
            "check-checksums",
            "2jmj7l5rSw0yVb/vlWAYkK/YBwk=",
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "-c",
            catalog,
        ],
        vec!["immich", "assets", "-c", catalog],
        vec!["immich", "random", "--count", "5", "-c", catalog],
        vec!["immich", "device-ids", "photocat", "-c", catalog],
        vec!["immich", "exists", "photocat", &id, "-c", catalog],
        vec!["--help"],
        vec!["list", "--help"],
        vec!["--version"],
    ] {
        let out = photocat_into_closed_pipe(&args);
        let err = stderr(&out);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        assert_eq!(err, "", "{args:?}");
    }

    // A failing call still says why on stderr, with its own exit status.
    let out = photocat_into_closed_pipe(&["get", "asset_nope", "-c", catalog]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not found"), "{}", stderr(&out));
}

#[test]
fn reading_stops_after_the_first_line() {
    // `photocat import DIR --verbose | head -1`: the reader takes one line and goes away.
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("photos.redb");
    let mut child = Command::new(env!("CARGO_BIN_EXE_photocat"))
        .args(["import", PHOTOS, "-q", "--verbose"])
        .env("PHOTOCAT_CATALOG", &catalog)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("24 created"), "{first}");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}

#[test]
fn the_catalogue_before_or_after_the_subcommand_or_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("photos.redb");
    let catalog = catalog.to_str().unwrap();
    let aarhus = format!("{PHOTOS}/aarhus.jpg");
    let out = photocat(&["--catalog", catalog, "import", &aarhus, "-q"]);
    assert!(out.status.success(), "{}", stderr(&out));

    let after = stdout(&photocat(&["list", "--catalog", catalog]));
    let before = stdout(&photocat(&["--catalog", catalog, "list"]));
    let short = stdout(&photocat(&["-c", catalog, "list"]));
    let out = Command::new(env!("CARGO_BIN_EXE_photocat"))
        .arg("list")
        .env("PHOTOCAT_CATALOG", catalog)
        .output()
        .unwrap();
    let from_env = stdout(&out);
    assert!(after.contains("aarhus.jpg"), "{after}");
    assert_eq!(before, after);
    assert_eq!(short, after);
    assert_eq!(from_env, after);

    // Given nowhere: a usage error naming both ways, exit status 2.
    for args in [&["list"][..], &["import", &aarhus]] {
        let out = photocat(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(
            err.contains("--catalog") && err.contains("PHOTOCAT_CATALOG"),
            "{err}"
        );
    }
}

#[test]
fn list_as_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("photos.redb");
    let catalog = catalog.to_str().unwrap();
    let out = photocat(&["import", PHOTOS, "-c", catalog, "-q"]);
    assert!(out.status.success(), "{}", stderr(&out));

    let out = photocat(&["list", "-c", catalog, "--table", "--limit", "5"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 1 + 5 + 1, "{table}");
    assert!(lines[0].starts_with("LOCAL DATETIME"), "{table}");
    for col in ["OFFSET", "TIME SOURCE", "TYPE", "SIZE", "FILE NAME", "ID"] {
        assert!(lines[0].contains(col), "{table}");
    }
    // The same assets as the JSON page, in the same order, one row each, ids last.
    let json = stdout(&photocat(&["list", "-c", catalog, "--limit", "5"]));
    let page: serde_json::Value = serde_json::from_str(&json).unwrap();
    for (row, asset) in lines[1..6].iter().zip(page["data"].as_array().unwrap()) {
        let id = asset["id"].as_str().unwrap();
        assert!(row.ends_with(id), "{row}");
        let local = asset["local_datetime"].as_str().unwrap();
        assert!(row.starts_with(&local[..10]), "{row} vs {local}");
        assert!(
            row.contains(asset["original_file_name"].as_str().unwrap()),
            "{row}"
        );
        let size = format!("{}x{}", asset["width"], asset["height"]);
        assert!(row.contains(&size), "{row}");
    }
    let last = page["data"][4]["id"].as_str().unwrap();
    assert_eq!(lines[6], format!("more: --after {last}"));

    // The last page has no "more" line.
    let out = photocat(&["list", "-c", catalog, "--table", "--limit", "200"]);
    let table = stdout(&out);
    assert_eq!(table.lines().count(), 1 + 24, "{table}");
    assert!(!table.contains("more:"), "{table}");
    // A video shows its type; where each capture time came from is shown.
    assert!(table.lines().any(|l| l.contains(" video ")), "{table}");
    let row = |name: &str| table.lines().find(|l| l.contains(name)).unwrap().to_owned();
    assert!(row("Canon_PowerShot_A85.jpg").contains(" exif "), "{table}");
    assert!(row("max-heromode.mp4").contains(" quicktime "), "{table}");
    // No capture time: the earlier of the file's two times (which one depends on the checkout).
    let no_exif = row("without_exif.jpg");
    assert!(
        no_exif.contains(" file_mtime ") || no_exif.contains(" file_created_at "),
        "{table}"
    );
}

#[test]
fn create_albums_and_people() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("photos.redb");
    let catalog = catalog.to_str().unwrap();

    // A writing subcommand creates the catalogue (and its "Default" library) like import does.
    let out = photocat(&[
        "album",
        "create",
        "Trips",
        "-c",
        catalog,
        "--description",
        "Away",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let line = stdout(&out);
    assert!(
        line.starts_with("created album album_") && line.contains(r#""Trips" in library library_"#),
        "{line}"
    );

    let out = photocat(&["-c", catalog, "album", "create", "Family", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let album: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(album["name"], "Family");
    assert_eq!(album["description"], serde_json::Value::Null);
    assert!(album["id"].as_str().unwrap().starts_with("album_"));
    let library = album["library_id"].as_str().unwrap().to_owned();
    let out = photocat(&[
        "album",
        "create",
        "Pets",
        "--library",
        &library,
        "-c",
        catalog,
        "--json",
    ]);
    let pets: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(pets["library_id"], library.as_str());

    let out = photocat(&[
        "album",
        "create",
        "X",
        "--library",
        "library_nope",
        "-c",
        catalog,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("library_nope"), "{}", stderr(&out));

    let out = photocat(&["person", "create", "Ann", "-c", catalog]);
    assert!(out.status.success(), "{}", stderr(&out));
    let line = stdout(&out);
    assert!(
        line.starts_with("created person person_") && line.ends_with("\"Ann\"\n"),
        "{line}"
    );
    let out = photocat(&["person", "create", "-c", catalog]);
    assert!(stdout(&out).ends_with(" (no name)\n"), "{}", stdout(&out));
    let out = photocat(&["person", "create", "Bo", "--json", "-c", catalog]);
    let person: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(person["name"], "Bo");
    assert_eq!(person["asset_count"], 0);

    // No name for an album is a usage error.
    let out = photocat(&["album", "create", "-c", catalog]);
    assert_eq!(out.status.code(), Some(2));
}

/// Imports the sample photos, then through the library: an album "Trips" with 3 assets (one of
/// them then trashed), a person "Ann" on 2 assets, an unnamed person, and one more trashed asset.
/// Returns (album id, person id, ids of the live assets newest first).
fn sample_catalogue(catalog: &str) -> (String, String, Vec<String>) {
    let out = photocat(&["import", PHOTOS, "-c", catalog, "-q"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let cat = photocat::Catalog::open(catalog).unwrap();
    let ids: Vec<String> = cat
        .iter_assets(photocat::ListAssets::default(), 200)
        .unwrap()
        .map(|a| a.unwrap().id)
        .collect();
    assert_eq!(ids.len(), 24);
    let album = cat
        .create_album(photocat::NewAlbum {
            name: "Trips".into(),
            ..Default::default()
        })
        .unwrap();
    cat.add_to_album(&album.id, &ids[0..3]).unwrap();
    let ann = cat
        .create_person(photocat::NewPerson {
            name: Some("Ann".into()),
            is_favorite: Some(true),
            ..Default::default()
        })
        .unwrap();
    cat.create_person(photocat::NewPerson::default()).unwrap();
    let faces = ids[3..5]
        .iter()
        .map(|id| photocat::NewFace {
            asset_id: Some(id.clone()),
            person_id: Some(ann.id.clone()),
            bounding_box: photocat::BoundingBox {
                x: 1,
                y: 1,
                w: 10,
                h: 10,
            },
            ..Default::default()
        })
        .collect();
    cat.add_faces(faces).unwrap();
    cat.trash_assets(&[&ids[0], &ids[23]]).unwrap();
    cat.close().unwrap();
    let live = ids[1..23].to_vec();
    (album.id, ann.id, live)
}

#[test]
fn count_matches_list() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("photos.redb");
    let catalog = catalog.to_str().unwrap();
    let (album, ann, live) = sample_catalogue(catalog);

    let count = |args: &[&str]| {
        let mut all = vec!["count", "-c", catalog];
        all.extend_from_slice(args);
        let out = photocat(&all);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stdout(&out)
    };
    assert_eq!(count(&[]), "22\n");
    assert_eq!(count(&["--state", "trashed"]), "2\n");
    assert_eq!(count(&["--state", "all"]), "24\n");
    assert_eq!(count(&["--album", &album]), "2\n");
    assert_eq!(count(&["--person", &ann]), "2\n");
    assert_eq!(
        count(&["--ids", &format!("{},{},asset_unknown", live[0], live[5])]),
        "2\n"
    );
    assert_eq!(
        count(&["--local-datetime-before", "1990-01-01T00:00:00"]),
        "0\n"
    );

    // The count is the length of the whole list, for any filter.
    for args in [
        vec!["--local-datetime-after", "2015-01-01T00:00:00"],
        vec!["--local-datetime-before", "2020-01-01T00:00:00+02:00"],
        vec!["--state", "all", "--album", &album],
    ] {
        let mut list = vec!["list", "-c", catalog, "--limit", "200"];
        list.extend_from_slice(&args);
        let page: serde_json::Value = serde_json::from_str(&stdout(&photocat(&list))).unwrap();
        let n = page["data"].as_array().unwrap().len();
        assert!(n > 0, "{args:?}");
        assert_eq!(count(&args), format!("{n}\n"), "{args:?}");
    }

    let out = photocat(&["count", "-c", catalog, "--album", "album_nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("album_nope"), "{}", stderr(&out));
    let out = photocat(&["count", "-c", catalog, "--state", "gone"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn album_create_with_its_first_assets() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("photos.redb");
    let catalog = catalog.to_str().unwrap();
    let (_, _, live) = sample_catalogue(catalog);
    let out = photocat(&[
        "album", "create", "Best", "--asset", &live[1], "--asset", &live[2], "--asset", &live[1],
        "-c", catalog, "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let best: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(best["asset_count"], 2);
    let out = photocat(&[
        "count",
        "-c",
        catalog,
        "--album",
        best["id"].as_str().unwrap(),
    ]);
    assert_eq!(stdout(&out), "2\n");

    // An unknown asset: nothing is created.
    let out = photocat(&[
        "album",
        "create",
        "Nope",
        "--asset",
        &live[1],
        "--asset",
        "asset_nope",
        "-c",
        catalog,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("asset_nope"), "{}", stderr(&out));
    let out = photocat(&["album", "list", "-c", catalog, "--json"]);
    let albums: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let names: Vec<&str> = albums
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Trips", "Best"]);
}

#[test]
fn albums_people_and_info() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("photos.redb");
    let catalog = catalog.to_str().unwrap();
    let (album, ann, _) = sample_catalogue(catalog);
    let out = photocat(&["album", "create", "Empty", "-c", catalog, "--json"]);
    let empty: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let library = empty["library_id"].as_str().unwrap().to_owned();

    // Albums with their live assets (one of the three is trashed).
    let out = photocat(&["album", "list", "-c", catalog]);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    assert!(
        lines[0].starts_with("NAME") && lines[0].contains("ASSETS"),
        "{table}"
    );
    let trips = lines.iter().find(|l| l.starts_with("Trips ")).unwrap();
    assert!(
        trips.ends_with(&album) && trips.split_whitespace().nth(1) == Some("2"),
        "{table}"
    );
    let out = photocat(&[
        "album",
        "list",
        "-c",
        catalog,
        "--json",
        "--library",
        &library,
    ]);
    let json = stdout(&out);
    // The album view's keys in its order, then asset_count, once.
    assert!(
        json.starts_with(r#"[{"id":"album_"#) && json.matches(r#""asset_count""#).count() == 2,
        "{json}"
    );
    let albums: serde_json::Value = serde_json::from_str(&json).unwrap();
    let albums = albums.as_array().unwrap();
    assert_eq!(albums.len(), 2);
    let trips = albums.iter().find(|a| a["id"] == album.as_str()).unwrap();
    assert_eq!(trips["name"], "Trips");
    assert_eq!(trips["asset_count"], 2);
    assert_eq!(trips["library_id"], library.as_str());
    let out = photocat(&["album", "list", "-c", catalog, "--library", "library_nope"]);
    assert_eq!(out.status.code(), Some(1));

    // People with their live assets and flags.
    let out = photocat(&["person", "list", "-c", catalog]);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    assert_eq!(table.lines().count(), 3, "{table}");
    let ann_row = table.lines().find(|l| l.starts_with("Ann ")).unwrap();
    assert!(ann_row.ends_with(&ann), "{table}");
    assert_eq!(
        ann_row.split_whitespace().collect::<Vec<_>>()[1..3],
        ["2", "favorite"],
        "{table}"
    );
    let out = photocat(&["person", "list", "-c", catalog, "--json"]);
    let people: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let people = people.as_array().unwrap();
    assert_eq!(people.len(), 2);
    let ann_json = people.iter().find(|p| p["id"] == ann.as_str()).unwrap();
    assert_eq!(ann_json["asset_count"], 2);
    assert_eq!(ann_json["is_favorite"], true);
    assert!(people.iter().any(|p| p["name"].is_null()));

    // The summary.
    let out = photocat(&["info", "-c", catalog]);
    assert!(out.status.success(), "{}", stderr(&out));
    let info = stdout(&out);
    assert!(
        info.starts_with(&format!("catalogue       {catalog}\n")),
        "{info}"
    );
    let size = std::fs::metadata(catalog).unwrap().len();
    let size_line = info.lines().find(|l| l.starts_with("file size")).unwrap();
    assert!(
        size_line
            .replace(',', "")
            .contains(&format!(" {size} bytes")),
        "{info}"
    );
    for line in [
        "libraries       1",
        "albums          2",
        "people          2",
    ] {
        assert!(info.lines().any(|l| l == line), "{line}: {info}");
    }
    let lib_row = info.lines().find(|l| l.ends_with(&library)).unwrap();
    assert_eq!(
        lib_row.split_whitespace().collect::<Vec<_>>()[..5],
        ["Default", "22", "2", "2", "-"],
        "{info}"
    );

    let out = photocat(&["info", "-c", catalog, "--json"]);
    let json = stdout(&out);
    assert!(json.starts_with(r#"{"path":"#), "{json}");
    let info: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(info["path"], catalog);
    assert_eq!(info["file_size_bytes"], size);
    assert!(info["format_version"].as_u64().unwrap() >= 1);
    assert_eq!(info["albums"], 2);
    assert_eq!(info["people"], 2);
    let libs = info["libraries"].as_array().unwrap();
    assert_eq!(libs.len(), 1);
    assert_eq!(libs[0]["id"], library.as_str());
    assert_eq!(libs[0]["name"], "Default");
    assert_eq!(libs[0]["live"], 22);
    assert_eq!(libs[0]["trashed"], 2);
    assert_eq!(libs[0]["albums"], 2);
}

#[test]
fn reading_subcommands_never_create_a_catalogue() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.redb");
    let missing = missing.to_str().unwrap();
    for args in [
        vec!["list", "-c", missing],
        vec!["list", "-c", missing, "--table"],
        vec!["get", "asset_x", "-c", missing],
        vec!["count", "-c", missing],
        vec!["search", "-c", missing],
        vec!["search", "-c", missing, "--json"],
        vec!["buckets", "-c", missing],
        vec!["info", "-c", missing],
        vec!["info", "-c", missing, "--json"],
        vec!["backup", "-c", missing, "copy.redb"],
        vec!["album", "list", "-c", missing],
        vec!["person", "list", "-c", missing],
        vec![
            "immich",
            "check-checksums",
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "-c",
            missing,
        ],
        vec!["immich", "assets", "-c", missing],
        vec!["immich", "random", "-c", missing],
        vec!["immich", "device-ids", "phone", "-c", missing],
        vec!["immich", "exists", "phone", "IMG_1", "-c", missing],
    ] {
        let out = photocat(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(
            stderr(&out),
            format!("photocat: no catalogue at {missing}\n")
        );
        assert!(
            !std::path::Path::new(missing).exists(),
            "{args:?} created it"
        );
    }

    // An empty catalogue reads as empty.
    let empty = dir.path().join("empty.redb");
    let empty = empty.to_str().unwrap();
    photocat::Catalog::open(empty).unwrap().close().unwrap();
    assert_eq!(
        stdout(&photocat(&["album", "list", "-c", empty])),
        "no albums\n"
    );
    assert_eq!(
        stdout(&photocat(&["person", "list", "-c", empty])),
        "no people\n"
    );
    assert_eq!(
        stdout(&photocat(&["album", "list", "-c", empty, "--json"])),
        "[]\n"
    );
    assert_eq!(
        stdout(&photocat(&["list", "-c", empty, "--table"])),
        "no assets\n"
    );
    assert_eq!(stdout(&photocat(&["count", "-c", empty])), "0\n");
    assert_eq!(
        stdout(&photocat(&["search", "-c", empty])),
        "0 matches, page 1\nno assets\n"
    );
    assert_eq!(stdout(&photocat(&["buckets", "-c", empty])), "no assets\n");
    let info = stdout(&photocat(&["info", "-c", empty]));
    assert!(info.contains("libraries       0\n"), "{info}");
}

#[test]
fn immich_check_checksums() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("photos.redb");
    let catalog = catalog.to_str().unwrap();
    // SHA-1 of "hello" (base64 / hex) and of "" (hex); "hello" belongs to alice, trashed.
    let hello = "qvTGHdzF6KLavt4PO0gs2a6pQ00=";
    let hello_hex = "AAF4C61DDCC5E8A2DABEDE0F3B482CD9AEA9434D";
    let empty_hex = "da39a3ee5e6b4b0d3255bfef95601890afd80709";
    let cat = photocat::Catalog::open(catalog).unwrap();
    let added = cat
        .add_assets(
            vec![photocat::NewAsset {
                owner_id: Some("alice".into()),
                checksum_sha1: Some(hello.into()),
                ..Default::default()
            }],
            photocat::AddAssets::default(),
        )
        .unwrap();
    let id = added[0].id.clone();
    cat.trash_assets(&[&id]).unwrap();
    cat.close().unwrap();

    let out = photocat(&[
        "immich",
        "check-checksums",
        hello_hex,
        empty_hex,
        hello,
        "-c",
        catalog,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!(
            "{{\"checksum\":\"{hello_hex}\",\"asset_id\":\"{id}\",\"is_trashed\":true}}\n\
             {{\"checksum\":\"{empty_hex}\",\"asset_id\":null,\"is_trashed\":false}}\n\
             {{\"checksum\":\"{hello}\",\"asset_id\":\"{id}\",\"is_trashed\":true}}\n"
        )
    );
    // Each line is a JSON object.
    for line in stdout(&out).lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v.is_object());
    }

    // --owner restricts the match; the catalogue may come after the checksums.
    let out = photocat(&[
        "immich",
        "check-checksums",
        "-c",
        catalog,
        "--owner",
        "bob",
        hello,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!("{{\"checksum\":\"{hello}\",\"asset_id\":null,\"is_trashed\":false}}\n")
    );
    let out = photocat(&[
        "immich",
        "check-checksums",
        "-c",
        catalog,
        "--owner",
        "alice",
        hello,
    ]);
    assert!(stdout(&out).contains(&id), "{}", stdout(&out));

    // A bad checksum: one line naming it, exit 1, nothing on stdout.
    let out = photocat(&["immich", "check-checksums", hello, "abc", "-c", catalog]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        "photocat: checksums[1]: a SHA-1 checksum is 28 characters of base64 or 40 hex \
         digits, got 3 characters\n"
    );
    // No checksum at all is a usage error.
    let out = photocat(&["immich", "check-checksums", "-c", catalog]);
    assert_eq!(out.status.code(), Some(2));
    let help = stdout(&photocat(&["immich", "check-checksums", "--help"]));
    for word in ["--owner", "CHECKSUM", "base64", "hex"] {
        assert!(help.contains(word), "{help}");
    }
}

/// The ETag Immich's server (Express) sends for `body`, computed here independently.
fn express_etag(body: &[u8]) -> String {
    use base64::Engine;
    use sha1::Digest;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha1::Sha1::digest(body));
    format!("\"{:x}-{}\"", body.len(), &hash[..27])
}

/// Two owners' libraries: alice has a favourite (a1), an archived asset (a2), a hidden one
/// (a3) and a trashed one (a4), all uploaded from "phone"; bob has b1 from "phone" too.
fn immich_catalogue(catalog: &str) {
    let cat = photocat::Catalog::open(catalog).unwrap();
    for (lib, owner) in [("lib_alice", "alice"), ("lib_bob", "bob")] {
        cat.create_library(photocat::NewLibrary {
            name: lib.into(),
            id: Some(lib.into()),
            owner_id: Some(owner.into()),
        })
        .unwrap();
    }
    let asset = |id: &str, day: u32, device_asset_id: &str, extra: serde_json::Value| {
        let mut v = serde_json::json!({
            "id": id,
            "device_id": "phone",
            "device_asset_id": device_asset_id,
            "file_created_at": format!("2024-01-{day:02}T10:00:00Z"),
            "created_at": "2024-01-10T00:00:00Z",
            "updated_at": "2025-01-01T00:00:00Z",
        });
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        serde_json::from_value::<photocat::NewAsset>(v).unwrap()
    };
    let into = |lib: &str| photocat::AddAssets {
        library_id: Some(lib.into()),
        ..Default::default()
    };
    cat.add_assets(
        vec![
            asset(
                "a1",
                3,
                "IMG_3",
                serde_json::json!({"is_favorite": true, "updated_at": "2024-02-01T00:00:00Z"}),
            ),
            asset(
                "a2",
                2,
                "IMG_2",
                serde_json::json!({"visibility": "archive"}),
            ),
            asset(
                "a3",
                1,
                "IMG_1",
                serde_json::json!({"visibility": "hidden"}),
            ),
            asset("a4", 4, "IMG_4", serde_json::json!({})),
        ],
        into("lib_alice"),
    )
    .unwrap();
    cat.add_assets(
        vec![asset("b1", 5, "IMG_9", serde_json::json!({}))],
        into("lib_bob"),
    )
    .unwrap();
    cat.trash_assets(&["a4"]).unwrap();
    cat.close().unwrap();
}

/// The ids of `immich assets` / `immich random` output (one Immich JSON object per line).
fn immich_ids(out: &Output) -> Vec<String> {
    assert!(out.status.success(), "{}", stderr(out));
    stdout(out)
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            v["id"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[test]
fn immich_assets() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("photos.redb");
    let catalog = catalog.to_str().unwrap();
    immich_catalogue(catalog);
    let assets = |args: &[&str]| {
        let mut all = vec!["immich", "assets", "-c", catalog];
        all.extend_from_slice(args);
        photocat(&all)
    };

    // Every owner's, hidden left out, trashed in; fileCreatedAt descending.
    let out = assets(&[]);
    assert_eq!(immich_ids(&out), ["b1", "a4", "a1", "a2"]);
    // Each line is the asset's Immich JSON; the ETag (stderr) is that of the JSON array.
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    let body = format!("[{}]", lines.join(","));
    let etag = express_etag(body.as_bytes());
    assert_eq!(stderr(&out), format!("ETag: {etag}\n"));
    let a4: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
    assert_eq!(a4["isTrashed"], true);
    assert_eq!(a4["ownerId"], "alice");

    assert_eq!(
        immich_ids(&assets(&["--owner", "alice"])),
        ["a4", "a1", "a2"]
    );
    assert_eq!(immich_ids(&assets(&["--favorite", "true"])), ["a1"]);
    assert_eq!(
        immich_ids(&assets(&["--favorite", "false", "--owner", "alice"])),
        ["a4", "a2"]
    );
    assert_eq!(immich_ids(&assets(&["--archived", "true"])), ["a2"]);
    assert_eq!(
        immich_ids(&assets(&["--owner", "alice", "--skip", "1", "--take", "1"])),
        ["a1"]
    );
    assert_eq!(immich_ids(&assets(&["--skip", "3", "--take", "5"])), ["a2"]);
    assert!(immich_ids(&assets(&["--take", "0"])).is_empty());
    assert!(immich_ids(&assets(&["--owner", "carol"])).is_empty());
    // Inclusive bounds on updatedAt; a naive value is UTC.
    assert_eq!(
        immich_ids(&assets(&["--updated-before", "2024-02-01T00:00:00"])),
        ["a1"]
    );
    assert_eq!(
        immich_ids(&assets(&[
            "--updated-after",
            "2024-02-01T01:00:00+01:00",
            "--updated-before",
            "2024-02-01T00:00:00Z",
        ])),
        ["a1"]
    );

    // If-None-Match: nothing on stdout, the ETag marked as not modified; W/ and lists too.
    for header in [
        etag.clone(),
        format!("W/{etag}"),
        format!("\"x\", {etag}"),
        "*".to_owned(),
    ] {
        let out = assets(&["--if-none-match", &header]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(stdout(&out), "", "{header}");
        assert_eq!(stderr(&out), format!("ETag: {etag} (not modified)\n"));
    }
    let out = assets(&["--if-none-match", "\"0-nope\""]);
    assert_eq!(immich_ids(&out).len(), 4);

    // Bad values: one line saying what is allowed, exit 1; malformed flags exit 2.
    let out = assets(&["--skip", "-1"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).starts_with("photocat: skip must be 0 or more, got -1"),
        "{}",
        stderr(&out)
    );
    let out = assets(&["--take", "-2"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("take must be 0 or more, got -2"));
    let out = assets(&["--take", "99999999999999999999999"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("take must be between 0 and"));
    let out = assets(&["--updated-after", "yesterday"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(assets(&["--favorite", "yes"]).status.code(), Some(2));
    assert_eq!(assets(&["--skip", "x"]).status.code(), Some(2));

    let help = stdout(&photocat(&["immich", "assets", "--help"]));
    for word in [
        "--owner",
        "--favorite",
        "--archived",
        "--skip",
        "--take",
        "--updated-after",
        "--updated-before",
        "--if-none-match",
        "ETag",
    ] {
        assert!(help.contains(word), "{help}");
    }
}

#[test]
fn immich_random_and_device_sync() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("photos.redb");
    let catalog = catalog.to_str().unwrap();
    immich_catalogue(catalog);
    let run = |args: &[&str]| {
        let mut all = vec!["immich"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["-c", catalog]);
        photocat(&all)
    };

    // Random: neither trashed (a4) nor hidden (a3); archived (a2) may come.
    let mut got = immich_ids(&run(&["random", "--count", "10", "--owner", "alice"]));
    got.sort();
    assert_eq!(got, ["a1", "a2"]);
    let mut got = immich_ids(&run(&["random", "--count", "10"]));
    got.sort();
    assert_eq!(got, ["a1", "a2", "b1"]);
    assert_eq!(immich_ids(&run(&["random"])).len(), 1);
    let seeded = stdout(&run(&["random", "--count", "2", "--seed", "42"]));
    assert_eq!(seeded.lines().count(), 2);
    for _ in 0..3 {
        assert_eq!(
            stdout(&run(&["random", "--count", "2", "--seed", "42"])),
            seeded
        );
    }
    let out = run(&["random", "--seed", "18446744073709551615"]);
    assert_eq!(immich_ids(&out).len(), 1);
    for bad in [
        vec!["random", "--count", "0"],
        vec!["random", "--count", "-3"],
        vec!["random", "--seed", "-1"],
        vec!["random", "--seed", "18446744073709551616"],
    ] {
        let out = run(&bad);
        assert_eq!(out.status.code(), Some(1), "{bad:?}");
        assert_eq!(stdout(&out), "");
        assert!(stderr(&out).starts_with("photocat: "), "{}", stderr(&out));
    }
    assert!(stderr(&run(&["random", "--count", "-3"])).contains("count must be 0 or more, got -3"));
    assert!(stderr(&run(&["random", "--seed", "-1"])).contains("seed must be 0 or more, got -1"));

    // Device ids: trashed (IMG_4) and hidden (IMG_1) left out, ascending.
    let out = run(&["device-ids", "phone", "--owner", "alice"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "IMG_2\nIMG_3\n");
    assert_eq!(
        stdout(&run(&["device-ids", "phone"])),
        "IMG_2\nIMG_3\nIMG_9\n"
    );
    assert_eq!(stdout(&run(&["device-ids", "tablet"])), "");
    assert_eq!(
        stdout(&run(&["device-ids", "phone", "--owner", "bob"])),
        "IMG_9\n"
    );

    // Exists: trashed ones count; each once, in the order given.
    let out = run(&[
        "exists", "phone", "IMG_9", "IMG_4", "IMG_0", "IMG_3", "IMG_4", "--owner", "alice",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "IMG_4\nIMG_3\n");
    assert_eq!(
        stdout(&run(&["exists", "phone", "IMG_9", "IMG_2"])),
        "IMG_9\nIMG_2\n"
    );
    assert_eq!(stdout(&run(&["exists", "tablet", "IMG_9"])), "");
    // No id at all is a usage error.
    assert_eq!(run(&["exists", "phone"]).status.code(), Some(2));

    let help = stdout(&photocat(&["immich", "--help"]));
    for word in [
        "assets",
        "random",
        "device-ids",
        "exists",
        "check-checksums",
    ] {
        assert!(help.contains(word), "{help}");
    }
}

#[test]
fn export_parquet_files() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("photos.redb");
    let catalog = catalog.to_str().unwrap();
    let (album, _, live) = sample_catalogue(catalog);
    let out_dir = dir.path().join("parquet");
    let out_dir = out_dir.to_str().unwrap();
    let out = photocat(&[
        "export", out_dir, "--format", "parquet", "-c", catalog, "-q",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let line = stdout(&out);
    assert!(
        line.starts_with(&format!("exported {} assets into ", live.len()))
            && line
                .trim_end()
                .ends_with(&format!("Parquet files under {out_dir}")),
        "{line}"
    );
    // Every file is a year=/month= partition, and together they hold the live assets.
    let mut ids = Vec::new();
    for e in walkdir::WalkDir::new(out_dir) {
        let e = e.unwrap();
        if !e.file_type().is_file() {
            continue;
        }
        let rel = e
            .path()
            .strip_prefix(out_dir)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(
            rel.starts_with("year=") && rel.contains("/month=") && rel.ends_with("/part-0.parquet"),
            "{rel}"
        );
        let file = std::fs::File::open(e.path()).unwrap();
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .build()
            .unwrap();
        for b in reader {
            let b = b.unwrap();
            let col = b.column_by_name("id").unwrap();
            let col = arrow_array::cast::AsArray::as_string::<i32>(col.as_ref());
            ids.extend(col.iter().map(|s| s.unwrap().to_owned()));
        }
    }
    ids.sort();
    let mut want = live.clone();
    want.sort();
    assert_eq!(ids, want);

    // Filters, unpartitioned; a non-empty directory and a bad partition are errors.
    let flat = dir.path().join("flat");
    let flat = flat.to_str().unwrap();
    let out = photocat(&[
        "export",
        flat,
        "--album",
        &album,
        "--partition-by",
        "none",
        "-c",
        catalog,
        "-q",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("exported 2 assets into 1 Parquet file under"));
    let out = photocat(&["export", flat, "-c", catalog, "-q"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("is not empty"), "{}", stderr(&out));
    let out = photocat(&["export", flat, "--partition-by", "day", "-c", catalog]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("partition_by must be"),
        "{}",
        stderr(&out)
    );
    let out = photocat(&["export", flat, "--format", "csv", "-c", catalog]);
    assert_eq!(out.status.code(), Some(2));
}

/// A small catalogue for `search` and `buckets`, written through the library. Live, listed:
/// `a1` (2024-05-01, Canon, Paris, favourite, "Beach day", album and Ann), `a2` (2024-05-31,
/// Canon, HEIC, archived, album), `a3` (2024-06-03, Apple video, Berlin in `metadata`, album
/// and Ann), `a6` (2024-01-01, no camera). Not searched: `a4` (Canon, trashed) and `a5`
/// (hidden). Returns (album id, Ann's id).
fn search_catalogue(catalog: &str) -> (String, String) {
    let cat = photocat::Catalog::open(catalog).unwrap();
    let records = serde_json::json!([
        {"id": "asset_a1", "local_datetime": "2024-05-01T10:00:00+02:00",
         "original_file_name": "IMG_0001.JPG", "mime_type": "image/jpeg", "is_favorite": true,
         "description": "Beach day",
         "exif": {"make": "Canon", "model": "EOS R5", "city": "Paris", "country": "France"}},
        {"id": "asset_a2", "local_datetime": "2024-05-31T23:30:00",
         "original_file_name": "img_0002.heic", "mime_type": "image/heic",
         "visibility": "archive", "exif": {"make": "Canon", "model": "EOS R6"}},
        {"id": "asset_a3", "local_datetime": "2024-06-03T08:00:00",
         "original_file_name": "VID_0003.MP4", "mime_type": "video/mp4",
         "exif": {"make": "Apple"}, "metadata": {"city": "Berlin"}},
        {"id": "asset_a4", "local_datetime": "2023-12-31T12:00:00",
         "original_file_name": "IMG_0004.JPG", "exif": {"make": "Canon"}},
        {"id": "asset_a5", "local_datetime": "2024-06-02T12:00:00",
         "original_file_name": "hidden.mov", "mime_type": "video/quicktime",
         "visibility": "hidden", "exif": {"make": "Canon"}},
        {"id": "asset_a6", "local_datetime": "2024-01-01T00:00:00",
         "original_file_name": "scan.png", "mime_type": "image/png"},
    ]);
    let records: Vec<photocat::NewAsset> = serde_json::from_value(records).unwrap();
    cat.add_assets(records, photocat::AddAssets::default())
        .unwrap();
    let album = cat
        .create_album(photocat::NewAlbum {
            name: "Trip".into(),
            ..Default::default()
        })
        .unwrap();
    cat.add_to_album(&album.id, &["asset_a1", "asset_a2", "asset_a3"])
        .unwrap();
    let ann = cat
        .create_person(photocat::NewPerson {
            name: Some("Ann".into()),
            ..Default::default()
        })
        .unwrap();
    let faces = ["asset_a1", "asset_a3"]
        .iter()
        .map(|id| photocat::NewFace {
            asset_id: Some((*id).to_owned()),
            person_id: Some(ann.id.clone()),
            bounding_box: photocat::BoundingBox {
                x: 1,
                y: 1,
                w: 10,
                h: 10,
            },
            ..Default::default()
        })
        .collect();
    cat.add_faces(faces).unwrap();
    cat.trash_assets(&["asset_a4"]).unwrap();
    cat.close().unwrap();
    (album.id, ann.id)
}

/// The asset ids of the rows of a `search` table (each row ends with the id).
fn table_ids(table: &str) -> Vec<String> {
    table
        .lines()
        .skip(2)
        .filter(|l| !l.starts_with("more: "))
        .map(|l| l.rsplit(' ').next().unwrap().to_owned())
        .collect()
}

#[test]
fn search_prints_a_table_or_the_page_json() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("photos.redb");
    let catalog = catalog.to_str().unwrap();
    let (album, ann) = search_catalogue(catalog);
    let search = |args: &[&str]| {
        let mut all = vec!["search", "-c", catalog];
        all.extend_from_slice(args);
        let out = photocat(&all);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stdout(&out)
    };

    // The table: a header line with the total and the page, the columns of `list --table`.
    let table = search(&["--make", "Canon"]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines[0], "2 matches, page 1", "{table}");
    assert!(lines[1].starts_with("LOCAL DATETIME"), "{table}");
    assert_eq!(table_ids(&table), ["asset_a2", "asset_a1"], "{table}");
    assert!(lines[2].contains("img_0002.heic") && lines[2].starts_with("2024-05-31 23:30:00"));

    // Pages: "more" names the next page; the last page has no such line.
    let first = search(&["--make", "Canon", "--limit", "1"]);
    assert_eq!(first.lines().next(), Some("2 matches, page 1"));
    assert_eq!(first.lines().last(), Some("more: --page 2"), "{first}");
    assert_eq!(table_ids(&first), ["asset_a2"]);
    let second = search(&["--make", "Canon", "--limit", "1", "--page", "2"]);
    assert_eq!(second.lines().next(), Some("2 matches, page 2"));
    assert_eq!(table_ids(&second), ["asset_a1"]);
    assert!(!second.contains("more:"), "{second}");
    assert_eq!(
        search(&["--make", "Canon", "--page", "3"]),
        "2 matches, page 3\nno assets\n"
    );
    assert_eq!(
        search(&["--make", "Nikon"]),
        "0 matches, page 1\nno assets\n"
    );
    assert_eq!(
        search(&["--city", "Berlin"]).lines().next(),
        Some("1 match, page 1")
    );

    // Every filter reaches the search.
    let ids = |args: &[&str]| table_ids(&search(args));
    assert_eq!(ids(&[]), ["asset_a3", "asset_a2", "asset_a1", "asset_a6"]);
    assert_eq!(ids(&["--person", &ann]), ["asset_a3", "asset_a1"]);
    assert_eq!(
        ids(&["--album", &album, "--person", &ann]),
        ["asset_a3", "asset_a1"]
    );
    assert_eq!(
        ids(&["--album", &album, "--album", &album, "--make", "Canon"]),
        ["asset_a2", "asset_a1"]
    );
    assert_eq!(
        ids(&["--after", "2024-05-01T09:00:00+00:00"]),
        ["asset_a3", "asset_a2"]
    );
    assert_eq!(ids(&["--before", "2024-05-01T10:00:00"]), ["asset_a6"]);
    assert_eq!(ids(&["--model", "EOS R5"]), ["asset_a1"]);
    assert_eq!(
        ids(&["--city", "Paris", "--country", "France"]),
        ["asset_a1"]
    );
    assert_eq!(ids(&["--state", "Bavaria"]), Vec::<String>::new());
    assert_eq!(ids(&["--lens-model", "RF 50mm"]), Vec::<String>::new());
    assert_eq!(ids(&["--mime-type", "image/png"]), ["asset_a6"]);
    assert_eq!(ids(&["--type", "video"]), ["asset_a3"]);
    assert_eq!(
        ids(&["--type", "IMAGE"]),
        ["asset_a2", "asset_a1", "asset_a6"]
    );
    assert_eq!(ids(&["--favorite"]), ["asset_a1"]);
    assert_eq!(
        ids(&["--not-favorite"]),
        ["asset_a3", "asset_a2", "asset_a6"]
    );
    assert_eq!(ids(&["--visibility", "archive"]), ["asset_a2"]);
    assert_eq!(
        ids(&["--visibility", "timeline"]),
        ["asset_a3", "asset_a1", "asset_a6"]
    );
    assert_eq!(ids(&["--name", "IMG_000"]), ["asset_a2", "asset_a1"]);
    assert_eq!(ids(&["--description", "BEACH"]), ["asset_a1"]);
    let library = photocat::Catalog::open(catalog)
        .unwrap()
        .list_libraries()
        .unwrap()[0]
        .id
        .clone();
    assert_eq!(
        ids(&["--library", &library, "--name", ".mp4"]),
        ["asset_a3"]
    );

    // --json: the library's SearchPage JSON, byte for byte.
    let json = search(&["--make", "Canon", "--limit", "1", "--json"]);
    let page: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(page["page"], 1);
    assert_eq!(page["has_more"], true);
    assert_eq!(page["total"], 2);
    assert_eq!(page["data"][0]["id"], "asset_a2");
    assert!(json.starts_with(r#"{"data":[{"id":"asset_a2","#), "{json}");
    assert!(
        json.ends_with("],\"page\":1,\"has_more\":true,\"total\":2}\n"),
        "{json}"
    );
    let cat = photocat::Catalog::open(catalog).unwrap();
    let expected = cat
        .search_assets(&photocat::SearchAssets {
            make: Some("Canon".into()),
            limit: 1,
            ..Default::default()
        })
        .unwrap()
        .to_json();
    cat.close().unwrap();
    assert_eq!(json, format!("{expected}\n"));
    assert_eq!(
        search(&["--make", "Nikon", "--json"]),
        "{\"data\":[],\"page\":1,\"has_more\":false,\"total\":0}\n"
    );
}

#[test]
fn search_errors() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("photos.redb");
    let catalog = catalog.to_str().unwrap();
    search_catalogue(catalog);
    let fails = |args: &[&str], code: i32, message: &str| {
        let mut all = vec!["search", "-c", catalog];
        all.extend_from_slice(args);
        let out = photocat(&all);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
        assert_eq!(stdout(&out), "", "{args:?}");
    };
    // The library's checks: one line, exit status 1.
    fails(
        &["--page", "0"],
        1,
        "page is 1-indexed: it must be at least 1, got 0",
    );
    fails(
        &["--limit", "201"],
        1,
        "limit must be between 1 and 200, got 201",
    );
    fails(
        &["--visibility", "hidden"],
        1,
        "visibility must be \"timeline\" or \"archive\" (omit it for both), got \"hidden\"",
    );
    fails(&["--person", "person_nope"], 1, "person_nope");
    fails(&["--album", "album_nope"], 1, "album_nope");
    fails(&["--after", "yesterday"], 1, "yesterday");
    // Bad arguments: usage errors, exit status 2.
    fails(&["--type", "photo"], 2, "type must be \"IMAGE\"");
    fails(&["--visibility", "everything"], 2, "visibility must be");
    fails(&["--favorite", "--not-favorite"], 2, "cannot be used with");
    fails(&["--page", "-1"], 2, "error:");
}

#[test]
fn buckets_per_year_month_week_and_day() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("photos.redb");
    let catalog = catalog.to_str().unwrap();
    let (album, ann) = search_catalogue(catalog);
    let buckets = |args: &[&str]| {
        let mut all = vec!["buckets", "-c", catalog];
        all.extend_from_slice(args);
        let out = photocat(&all);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stdout(&out)
    };
    assert_eq!(
        buckets(&[]),
        "4 assets in 3 months\n\
         START       ASSETS\n\
         2024-06-01  1\n\
         2024-05-01  2\n\
         2024-01-01  1\n"
    );
    // ISO weeks start on Monday: Friday 2024-05-31 is in the week of Monday 2024-05-27.
    assert_eq!(
        buckets(&["--size", "week", "--json"]),
        r#"[{"start":"2024-06-03","count":1},{"start":"2024-05-27","count":1},{"start":"2024-04-29","count":1},{"start":"2024-01-01","count":1}]"#
            .to_owned()
            + "\n"
    );
    assert_eq!(
        buckets(&["--size", "year", "--json"]),
        "[{\"start\":\"2024-01-01\",\"count\":4}]\n"
    );
    assert_eq!(
        buckets(&["--size", "day", "--state", "all"]).lines().next(),
        Some("5 assets in 5 days")
    );
    assert_eq!(
        buckets(&["--state", "trashed", "--json"]),
        "[{\"start\":\"2023-12-01\",\"count\":1}]\n"
    );
    assert_eq!(
        buckets(&["--album", &album, "--json"]),
        "[{\"start\":\"2024-06-01\",\"count\":1},{\"start\":\"2024-05-01\",\"count\":2}]\n"
    );
    assert_eq!(
        buckets(&["--album", &album, "--person", &ann, "--size", "year"]),
        "2 assets in 1 year\nSTART       ASSETS\n2024-01-01  2\n"
    );
    let library = photocat::Catalog::open(catalog)
        .unwrap()
        .list_libraries()
        .unwrap()[0]
        .id
        .clone();
    assert_eq!(
        buckets(&["--person", &ann, "--library", &library, "--size", "day"]),
        "2 assets in 2 days\nSTART       ASSETS\n2024-06-03  1\n2024-05-01  1\n"
    );
    assert_eq!(
        buckets(&["--album", &album, "--state", "trashed"]),
        "no assets\n"
    );
    assert_eq!(
        buckets(&["--state", "trashed", "--size", "week", "--json", "--album", &album]),
        "[]\n"
    );

    let out = photocat(&["buckets", "-c", catalog, "--size", "decade"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out)
            .contains("size must be \"year\", \"month\", \"week\" or \"day\", got \"decade\""),
        "{}",
        stderr(&out)
    );
    let out = photocat(&["buckets", "-c", catalog, "--state", "gone"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("state must be"), "{}", stderr(&out));
    let out = photocat(&["buckets", "-c", catalog, "--album", "album_nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("album_nope"), "{}", stderr(&out));
}

#[test]
fn verify_reports_ok_or_each_problem_with_exit_status_1() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("photos.redb");
    let catalog = catalog.to_str().unwrap();
    let out = photocat(&["import", PHOTOS, "--catalog", catalog, "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = photocat(&["verify", catalog]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("storage: redb's page and B-tree check passed\nok (checked "),
        "{text}"
    );
    assert!(text.contains(" 24 assets"), "{text}");
    // --catalog works too.
    let out = photocat(&["verify", "--catalog", catalog]);
    assert!(out.status.success(), "{}", stderr(&out));

    // A damaged catalogue (written by the verify module's tests): exit status 1, each problem.
    let damaged = dir.path().join("damaged.redb");
    std::fs::copy("tests/data/damaged.redb", &damaged).unwrap();
    let out = photocat(&["verify", damaged.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("\n4 problem(s) (checked "), "{text}");
    assert!(
        text.contains(
            "\n- list index: the entry of asset \"lib_a_asset_1\" at 2023-02-11 10:00:00 in \
             album \"album_a\", live is missing"
        ),
        "{text}"
    );
    assert!(
        text.contains("\n- person \"person_b\": asset_count is 9, the records give 2"),
        "{text}"
    );
    // Nothing was repaired or changed: a second run reports the same.
    let again = photocat(&["verify", damaged.to_str().unwrap()]);
    assert!(stdout(&again) == text, "{}", stdout(&again));

    let out = photocat(&["verify", dir.path().join("none.redb").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no catalogue at"), "{}", stderr(&out));
}

#[test]
fn backup_writes_a_copy_and_never_replaces_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("photos.redb");
    let catalog = catalog.to_str().unwrap();
    let out = photocat(&["import", PHOTOS, "--catalog", catalog, "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let listed = stdout(&photocat(&["list", "-c", catalog, "--limit", "100"]));

    // FILE DEST, and DEST with --catalog.
    let copy = dir.path().join("copy.redb");
    let copy = copy.to_str().unwrap();
    let out = photocat(&["backup", catalog, copy]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(
        said.starts_with(&format!("backed up {catalog} to {copy} ("))
            && said.ends_with(" bytes)\n"),
        "{said}"
    );
    assert_eq!(
        stdout(&photocat(&["list", "-c", copy, "--limit", "100"])),
        listed
    );
    let second = dir.path().join("second.redb");
    let second = second.to_str().unwrap();
    let out = photocat(&["-c", catalog, "backup", second]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&photocat(&["list", "-c", second, "--limit", "100"])),
        listed
    );

    // An existing file is left as it was; the catalogue's own file is refused.
    let before = std::fs::read(copy).unwrap();
    let out = photocat(&["backup", catalog, copy]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!(
            "photocat: I/O error on {copy}: the file exists; a backup never replaces a file \
             (remove it or pick another name)\n"
        )
    );
    assert_eq!(std::fs::read(copy).unwrap(), before);
    let out = photocat(&["backup", catalog, catalog]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("onto itself"), "{}", stderr(&out));
    // Three paths are a usage error.
    let out = photocat(&["backup", catalog, copy, second]);
    assert_eq!(out.status.code(), Some(2));
}
