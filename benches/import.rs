//! File import speed: `import_paths` against exiftool (`exiftool -json -n`, when it is on PATH)
//! and against the plain read+SHA-1 rate of the same files, in one run, on every core.
//!
//! Two sets:
//! - `samples`: the real camera files of `tests/data/photos` (mixed JPEG, HEIC, PNG, WebP, TIFF,
//!   MP4, MOV and the broken edge cases);
//! - `generated`: `PHOTOCAT_IMPORT_N` (default 1,000) distinct JPEGs of 2.8 MB made from
//!   `aarhus.jpg` by inserting a numbered comment segment after its EXIF block, written once
//!   under `target/import-bench/` and reused by later runs.
//!
//! ```text
//! cargo bench --bench import
//! ```
//! Throughput is in bytes (criterion prints MB/s); files/s = files / median time.

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rayon::prelude::*;
use sha1::Digest;

use photocat::{Catalog, ImportPaths};

const SAMPLES: &str = "tests/data/photos";

/// The files of a set, recursively (hidden files left out, as an import does).
fn files_of(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.file_name().unwrap().to_string_lossy().starts_with('.') {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else if photocat::import::walk::has_media_extension(&p) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A JPEG with a comment segment (`FF FE`) holding `tag` inserted after its APP1 (EXIF)
/// segment: a valid, distinct file with the same pixels and metadata.
fn with_comment(jpeg: &[u8], tag: &str) -> Vec<u8> {
    assert_eq!(&jpeg[..2], [0xFF, 0xD8]);
    let mut pos = 2;
    // Skip APPn segments so the comment lands after the EXIF block.
    while jpeg[pos] == 0xFF && (0xE0..=0xEF).contains(&jpeg[pos + 1]) {
        let len = u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]) as usize;
        pos += 2 + len;
    }
    let mut out = Vec::with_capacity(jpeg.len() + tag.len() + 4);
    out.extend_from_slice(&jpeg[..pos]);
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(&((tag.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&jpeg[pos..]);
    out
}

fn generated_set(n: usize) -> PathBuf {
    let dir = PathBuf::from(format!("target/import-bench/jpeg-{n}"));
    if files_of_or_empty(&dir).len() == n {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let base = std::fs::read(Path::new(SAMPLES).join("aarhus.jpg")).unwrap();
    (0..n).into_par_iter().for_each(|i| {
        let bytes = with_comment(&base, &format!("photocat import bench file {i:06}"));
        std::fs::write(dir.join(format!("IMG_{i:06}.jpg")), bytes).unwrap();
    });
    dir
}

fn files_of_or_empty(dir: &Path) -> Vec<PathBuf> {
    if dir.is_dir() {
        files_of(dir)
    } else {
        Vec::new()
    }
}

fn read_sha1(files: &[PathBuf]) -> usize {
    files
        .par_iter()
        .map(|p| {
            let bytes = std::fs::read(p).unwrap();
            sha1::Sha1::digest(&bytes)[0] as usize
        })
        .sum()
}

/// What photocat must at least do: read each file once and compute both of its checksums.
fn read_sha256_sha1(files: &[PathBuf]) -> usize {
    files
        .par_iter()
        .map(|p| {
            let bytes = std::fs::read(p).unwrap();
            let (a, b) = rayon::join(
                || sha2::Sha256::digest(&bytes)[0],
                || sha1::Sha1::digest(&bytes)[0],
            );
            a as usize + b as usize
        })
        .sum()
}

fn exiftool_available() -> bool {
    std::process::Command::new("exiftool")
        .arg("-ver")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn bench_set(c: &mut Criterion, name: &str, set: &Path) {
    let files = files_of(set);
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .sum();
    eprintln!(
        "import/{name}: {} files, {:.1} MB, {} threads",
        files.len(),
        bytes as f64 / 1e6,
        rayon::current_num_threads()
    );
    let mut g = c.benchmark_group(format!("import/{name}"));
    g.sample_size(10);
    g.warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Bytes(bytes));

    g.bench_function("photocat", |b| {
        b.iter_with_setup(
            || {
                let dir = tempfile::tempdir().unwrap();
                let cat = Catalog::open(dir.path().join("bench.redb")).unwrap();
                (dir, cat)
            },
            |(tmp, cat)| {
                let report = cat.import_paths(&[set], ImportPaths::default()).unwrap();
                assert!(!report.created.is_empty());
                drop(cat);
                tmp
            },
        )
    });
    g.bench_function("read_sha1", |b| b.iter(|| read_sha1(&files)));
    g.bench_function("read_sha256_sha1", |b| b.iter(|| read_sha256_sha1(&files)));
    if exiftool_available() {
        g.bench_function("exiftool", |b| {
            b.iter(|| {
                // Both cores, as photocat uses them: one exiftool process per half of the files.
                let halves: Vec<&[PathBuf]> = files.chunks(files.len().div_ceil(2)).collect();
                let children: Vec<_> = halves
                    .iter()
                    .map(|half| {
                        std::process::Command::new("exiftool")
                            .args(["-json", "-n", "-q", "-q"])
                            .args(half.iter())
                            .stdout(std::process::Stdio::piped())
                            .stderr(std::process::Stdio::null())
                            .spawn()
                            .unwrap()
                    })
                    .collect();
                children
                    .into_iter()
                    .map(|c| c.wait_with_output().unwrap().stdout.len())
                    .sum::<usize>()
            })
        });
    } else {
        eprintln!("exiftool is not on PATH: its row is left out");
    }
    g.finish();
}

fn benches(c: &mut Criterion) {
    bench_set(c, "samples", Path::new(SAMPLES));
    let n = std::env::var("PHOTOCAT_IMPORT_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000);
    let dir = generated_set(n);
    bench_set(c, "generated", &dir);
}

criterion_group!(import, benches);
criterion_main!(import);
