//! The rate of `Catalog::backup` on a catalogue built the way a user builds one (the benchmark
//! dataset: assets, faces, albums, trash), against `cp` of the same (closed) file followed by
//! an fsync, as the backup syncs its copy.
//!
//! ```text
//! cargo run --release --example backup_rate            # 100,000 assets
//! PHOTOCAT_BENCH_N=1000000 cargo run --release --example backup_rate
//! ```

#[path = "../benches/common/mod.rs"]
mod common;

use std::time::Instant;

fn mb(b: u64) -> f64 {
    b as f64 / 1e6
}

fn main() {
    let n = common::bench_n();
    let data = common::generate(n, 1);
    let (dir, path, cat, took) = common::load_user_build(&data, "photos.redb");
    println!("built {n} assets in {:.1} s", took.total());
    let size = std::fs::metadata(&path).unwrap().len();
    let copy = dir.path().join("backup.redb");
    let mut runs = Vec::new();
    for i in 0..3 {
        let dest = dir.path().join(format!("backup{i}.redb"));
        let t = Instant::now();
        cat.backup(&dest).unwrap();
        runs.push(t.elapsed().as_secs_f64());
        if i == 0 {
            std::fs::rename(&dest, &copy).unwrap();
        } else {
            std::fs::remove_file(&dest).unwrap();
        }
    }
    let copy_size = std::fs::metadata(&copy).unwrap().len();
    drop(cat);
    let mut cps = Vec::new();
    for i in 0..3 {
        let dest = dir.path().join(format!("cp{i}.redb"));
        let t = Instant::now();
        let status = std::process::Command::new("cp")
            .arg(&path)
            .arg(&dest)
            .status()
            .unwrap();
        assert!(status.success());
        std::fs::File::open(&dest).unwrap().sync_all().unwrap();
        cps.push(t.elapsed().as_secs_f64());
        std::fs::remove_file(&dest).unwrap();
    }
    let best = |v: &[f64]| v.iter().cloned().fold(f64::INFINITY, f64::min);
    let (b, c) = (best(&runs), best(&cps));
    println!(
        "backup: {n} assets, {:.1} MB file -> {:.1} MB copy: best of 3 {:.2} s ({:.0} assets/s, \
         {:.0} MB/s of the original); runs {:?}",
        mb(size),
        mb(copy_size),
        b,
        n as f64 / b,
        mb(size) / b,
        runs.iter().map(|s| format!("{s:.2}")).collect::<Vec<_>>()
    );
    println!(
        "cp + fsync of the same file: best of 3 {:.2} s ({:.0} MB/s): backup / cp = {:.1}x",
        c,
        mb(size) / c,
        b / c
    );
}
