//! Which files an import reads: the paths given, and the photos and videos in the folders
//! given.
//!
//! The rules, documented in the README and on [`crate::Catalog::import_paths`]:
//! - A **file named explicitly** is always read; if its bytes are not a photo or video it is a
//!   row in `failed`.
//! - In a **folder walk**, a file is read when its extension is one of [`MEDIA_EXTENSIONS`]
//!   (case-insensitive). What is read is still identified by its bytes, so a text file named
//!   `.jpg` is a row in `failed`.
//! - Skipped silently in a folder walk: hidden files and folders (names starting with `.`,
//!   which covers `.DS_Store`, AppleDouble `._*` files and `.thumbnails`-style caches), and
//!   files with other extensions (sidecars such as `.xmp`, `.aae`, `.json`, `.thm`, documents).
//!   Their paths are returned in `skipped` (except what is inside hidden folders, which is
//!   not entered), so nothing is dropped without a trace.
//! - Symbolic links are followed. A link back to one of its own ancestors (a loop) is not
//!   entered again; a file reached twice (through two links, or named and inside a named
//!   folder) is read once.
//! - A path that does not exist or cannot be read is a row in `failed`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// File extensions a folder walk picks up (compared case-insensitively): the formats
/// [`crate::media::probe`] reads.
pub const MEDIA_EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "jpe", "jfif", "heic", "heif", "hif", "avif", "png", "webp", "tif", "tiff",
    "dng", "cr2", "nef", "nrw", "arw", "orf", "rw2", "pef", "srw", "raf", "mp4", "m4v", "mov",
    "qt", "3gp", "3g2",
];

/// The result of collecting the files of an import.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    /// Files to read, in walk order (each folder's entries sorted by name).
    pub files: Vec<PathBuf>,
    /// Paths that could not be walked, with the reason.
    pub failed: Vec<(PathBuf, String)>,
    /// Files in folder walks that are not read (see the module docs).
    pub skipped: Vec<PathBuf>,
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.as_encoded_bytes().first() == Some(&b'.')
}

/// Whether a folder walk reads this file, by its extension.
pub fn has_media_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| MEDIA_EXTENSIONS.iter().any(|m| m.eq_ignore_ascii_case(e)))
}

/// Collects the files to import from `paths` (files and folders).
pub(crate) fn collect<P: AsRef<Path>>(paths: &[P], recursive: bool) -> Collected {
    let mut out = Collected::default();
    let mut seen = HashSet::new();
    let mut add = |out: &mut Collected, path: PathBuf| {
        // The same file through two routes is read once: key by the resolved path.
        let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if seen.insert(key) {
            out.files.push(path);
        }
    };
    for root in paths {
        let root = root.as_ref();
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                out.failed.push((root.to_path_buf(), io_reason(&e)));
                continue;
            }
        };
        if !meta.is_dir() {
            add(&mut out, root.to_path_buf());
            continue;
        }
        let walker = walkdir::WalkDir::new(root)
            .follow_links(true)
            .max_depth(if recursive { usize::MAX } else { 1 })
            .sort_by_file_name()
            .into_iter()
            // Depth 0 is the folder the caller named: read it even if its name is hidden.
            .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_dir() => {}
                Ok(e) => {
                    if has_media_extension(e.path()) {
                        add(&mut out, e.into_path());
                    } else {
                        out.skipped.push(e.into_path());
                    }
                }
                // A symlink back to an ancestor: walkdir stops there; nothing to read.
                Err(e) if e.loop_ancestor().is_some() => {}
                Err(e) => {
                    let path = e.path().unwrap_or(root).to_path_buf();
                    let reason = match e.io_error() {
                        Some(io) => io_reason(io),
                        None => e.to_string(),
                    };
                    out.failed.push((path, reason));
                }
            }
        }
    }
    out
}

/// A reason a person understands for an I/O error on a path.
pub(crate) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => format!("cannot read: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn names(paths: &[PathBuf], root: &Path) -> Vec<String> {
        paths
            .iter()
            .map(|p| {
                p.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect()
    }

    #[test]
    fn folder_walk_rules() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in [
            "a.JPG",
            "b.heic",
            "notes.txt",
            "a.xmp",
            ".DS_Store",
            "._a.JPG",
            "sub/c.mov",
            "sub/deeper/d.png",
            ".hidden/e.jpg",
        ] {
            let p = root.join(f);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, b"x").unwrap();
        }
        let c = collect(&[root], true);
        assert_eq!(
            names(&c.files, root),
            ["a.JPG", "b.heic", "sub/c.mov", "sub/deeper/d.png"]
        );
        assert_eq!(names(&c.skipped, root), ["a.xmp", "notes.txt"]);
        assert!(c.failed.is_empty());

        let flat = collect(&[root], false);
        assert_eq!(names(&flat.files, root), ["a.JPG", "b.heic"]);

        // Named explicitly, any file is read; a missing path fails with a plain reason.
        let c = collect(&[root.join("notes.txt"), root.join("missing.jpg")], true);
        assert_eq!(names(&c.files, root), ["notes.txt"]);
        assert_eq!(c.failed.len(), 1);
        assert_eq!(c.failed[0].1, "no such file or folder");
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_and_double_routes_are_survived() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("sub")).unwrap();
        fs::write(root.join("sub/a.jpg"), b"x").unwrap();
        std::os::unix::fs::symlink(root, root.join("sub/loop")).unwrap();
        std::os::unix::fs::symlink(root.join("sub/a.jpg"), root.join("link.jpg")).unwrap();
        let c = collect(&[root.to_path_buf(), root.join("sub/a.jpg")], true);
        assert_eq!(c.files.len(), 1, "{:?}", c.files);
        assert!(c.failed.is_empty(), "{:?}", c.failed);
    }
}
