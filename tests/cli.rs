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
        summary.starts_with("24 created, 1 duplicates, 3 failed"),
        "{summary}"
    );
    assert!(
        summary.contains("edge/empty.jpg  (empty file)"),
        "{summary}"
    );

    // The same import again creates nothing.
    let out = photocat(&["import", PHOTOS, "--catalog", catalog, "--quiet"]);
    assert!(
        stdout(&out).starts_with("0 created, 25 duplicates"),
        "{}",
        stdout(&out)
    );

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
