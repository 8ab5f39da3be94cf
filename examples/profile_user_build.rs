//! Builds a generated catalogue the way a user builds one (`add_assets` per 50,000 records
//! without faces, `add_faces` per batch, one `add_to_album` per album, then `trash_assets`;
//! the issue-14 "user build") and prints the time of each step and the file's size: a target
//! for profilers and the before/after figures of BENCHMARKS.md.
//!
//! ```text
//! TMPDIR=target/tmp cargo run --release --example profile_user_build -- 100000
//! KEEP=target/tmp/user.redb cargo run ...   # keep the file (for examples/table_sizes.rs)
//! ```

#[path = "../benches/common/mod.rs"]
mod common;

fn main() -> photocat::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let data = common::generate(n, 42);
    let (_dir, path, cat, took) = common::load_user_build(&data, "user.redb");
    let meta = std::fs::metadata(&path)?;
    let size = meta.len();
    // The file's length counts the space redb reserves by growing it (a sparse tail on most
    // file systems); the blocks it occupies are what the disk holds.
    #[cfg(unix)]
    let on_disk = std::os::unix::fs::MetadataExt::blocks(&meta) * 512;
    #[cfg(not(unix))]
    let on_disk = size;
    eprintln!(
        "user build of {}; file {:.1} MB ({:.0} bytes/asset), on disk {:.1} MB \
         ({:.0} bytes/asset)",
        took.describe(n),
        size as f64 / 1e6,
        size as f64 / n as f64,
        on_disk as f64 / 1e6,
        on_disk as f64 / n as f64
    );
    if std::env::var_os("VERIFY").is_some() {
        let report = cat.verify()?;
        eprintln!("verify: {} problems", report.problem_count);
    }
    if let Some(keep) = std::env::var_os("KEEP") {
        // Kept for `examples/table_sizes.rs`: closed first, then moved out of the temporary
        // folder.
        drop(cat);
        std::fs::copy(&path, &keep)?;
        eprintln!("kept as {}", std::path::Path::new(&keep).display());
    }
    Ok(())
}
