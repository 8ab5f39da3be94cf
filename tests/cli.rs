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
    for cmd in ["import", "list", "get"] {
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
        "--album", "--person", "--ids", "--state", "--limit", "--after",
    ] {
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
    for col in ["OFFSET", "TYPE", "SIZE", "FILE NAME", "ID"] {
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
    // A video shows its type.
    assert!(table.lines().any(|l| l.contains(" video ")), "{table}");
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
