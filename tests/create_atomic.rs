//! Creating a catalogue is atomic: a process killed at any moment of `Catalog::open` on a new
//! path leaves either no catalogue or a complete one (at most a hidden temporary file beside
//! it), and the next open always succeeds. The test kills a child process (this test binary,
//! re-run as `child_creates_a_catalogue`) at points swept across the whole creation.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use photocat::{Catalog, ListAssets};

const CHILD_ENV: &str = "PHOTOCAT_TEST_CREATE_AT";

/// Run as a child by the test below (a no-op in a normal test run): says it is about to
/// create, then creates the catalogue named by the environment.
#[test]
fn child_creates_a_catalogue() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    println!("ready");
    let cat = Catalog::open(&path).unwrap();
    cat.close().unwrap();
    println!("done");
}

/// Runs the child; kills it `kill_after` its "ready" line (None: lets it finish). Returns how
/// long it ran from "ready" to "done" (None when it did not get there).
fn run_child(path: &Path, kill_after: Option<Duration>) -> Option<Duration> {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_creates_a_catalogue", "--nocapture"])
        .env(CHILD_ENV, path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    // Wait for "ready", then kill after the delay (or let it finish).
    loop {
        line.clear();
        if out.read_line(&mut line).unwrap() == 0 || line.trim() == "ready" {
            break;
        }
    }
    let ready = Instant::now();
    if let Some(d) = kill_after {
        while ready.elapsed() < d {
            std::hint::spin_loop();
        }
        let _ = child.kill();
    }
    let mut done = None;
    loop {
        line.clear();
        match out.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line.trim() == "done" => done = Some(ready.elapsed()),
            Ok(_) => {}
        }
    }
    child.wait().unwrap();
    done
}

#[test]
fn a_kill_during_creation_leaves_no_catalogue_or_a_whole_one() {
    let dir = tempfile::tempdir().unwrap();
    // How long one creation takes here, measured on a child that is not killed.
    let probe = dir.path().join("probe.redb");
    let window = run_child(&probe, None).expect("the child could not create a catalogue");
    Catalog::open(&probe).unwrap().close().unwrap();

    // Sweep the kill across the creation window (and a little past it), in rounds until both
    // outcomes were seen (a loaded machine can stretch or shift the window), at most 4.
    const TRIALS: u32 = 60;
    let (mut none, mut whole, mut i) = (0, 0, 0u32);
    for _round in 0..4 {
        for t in 0..TRIALS {
            let path = dir.path().join(format!("c{i}.redb"));
            i += 1;
            let delay = window.mul_f64(1.5 * f64::from(t) / f64::from(TRIALS));
            run_child(&path, Some(delay));
            if path.exists() {
                whole += 1;
            } else {
                none += 1;
            }
            // Whatever the kill left, the path opens: the whole catalogue, or a new one.
            let cat = Catalog::open(&path)
                .unwrap_or_else(|e| panic!("after a kill at {delay:?}, open failed: {e}"));
            assert_eq!(cat.count_assets(&ListAssets::default()).unwrap(), 0);
            assert!(cat.list_libraries().unwrap().is_empty());
            cat.close().unwrap();
        }
        if none > 0 && whole > 0 {
            break;
        }
    }
    // Every file left in the folder is a catalogue or a hidden temporary file.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            name.ends_with(".redb") || (name.starts_with('.') && name.ends_with(".photocat-new")),
            "{name}"
        );
    }
    // The sweep reached both sides of the rename.
    assert!(
        none > 0 && whole > 0,
        "none {none}, whole {whole} (window {window:?})"
    );
}
