//! A second process that opens a catalogue another process has open gets
//! `Error::AlreadyOpen` at once, and changes nothing: the file's bytes and modification time
//! stay as they were. The holder is a child process (this test binary re-run as
//! `child_holds_the_catalogue_open`), which opens the catalogue, says "ready" and keeps it
//! open until its standard input closes.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use photocat::{AddAssets, Catalog, Error, NewAsset};

const CHILD_ENV: &str = "PHOTOCAT_TEST_HOLD_OPEN";

/// Run as a child by the tests below (a no-op in a normal test run): opens the catalogue
/// named by the environment, says "ready", and holds it open until stdin closes.
#[test]
fn child_holds_the_catalogue_open() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    let cat = Catalog::open(&path).unwrap();
    println!("ready");
    let mut rest = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut rest);
    // Still readable and writable at the end: the other process changed nothing.
    cat.add_assets(vec![NewAsset::default()], AddAssets::default())
        .unwrap();
    cat.close().unwrap();
    println!("closed");
}

struct Holder(std::process::Child);

impl Holder {
    fn start(path: &Path) -> Holder {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "child_holds_the_catalogue_open",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        loop {
            line.clear();
            assert!(
                out.read_line(&mut line).unwrap() > 0,
                "the child ended early"
            );
            // The harness may print "test NAME ... " on the same line first.
            if line.trim_end().ends_with("ready") {
                break;
            }
        }
        // Keep reading its output so that it never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        Holder(child)
    }

    /// Closes the child's stdin and waits for it to close the catalogue.
    fn finish(mut self) {
        drop(self.0.stdin.take());
        assert!(self.0.wait().unwrap().success());
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        if self.0.stdin.is_some() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn snapshot(path: &Path) -> (Vec<u8>, std::time::SystemTime) {
    (
        std::fs::read(path).unwrap(),
        std::fs::metadata(path).unwrap().modified().unwrap(),
    )
}

#[test]
fn a_second_process_gets_already_open_at_once_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("photos.redb");
    {
        let cat = Catalog::open(&path).unwrap();
        cat.add_assets(vec![NewAsset::default(); 3], AddAssets::default())
            .unwrap();
        cat.close().unwrap();
    }
    let holder = Holder::start(&path);
    let before = snapshot(&path);
    let mut slowest = Duration::ZERO;
    for _ in 0..5 {
        let t = Instant::now();
        let err = Catalog::open(&path).expect_err("the open must fail");
        let took = t.elapsed();
        slowest = slowest.max(took);
        assert!(
            matches!(&err, Error::AlreadyOpen { path: p } if p == &path),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!(
                "{} is already open (in this or another process); close the other Catalog \
                 first",
                path.display()
            )
        );
    }
    eprintln!("AlreadyOpen from a second process: slowest of 5 opens {slowest:?}");
    assert!(slowest < Duration::from_secs(1), "{slowest:?}");
    assert!(
        snapshot(&path) == before,
        "the failed opens changed the file"
    );
    holder.finish();
    // Once the holder is gone the file opens, with the holder's write in it.
    let cat = Catalog::open(&path).unwrap();
    assert_eq!(cat.summary().unwrap().libraries[0].live, 4);
}
