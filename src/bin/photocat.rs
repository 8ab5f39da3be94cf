//! The `photocat` command-line tool: import photo and video files into a catalogue, list a
//! page as Gumnut JSON, get one asset.
//!
//! Built only with the `cli` feature (`cargo install --path . --features cli`), so Rust users
//! of the library never compile clap or indicatif.
//!
//! Exit codes: 0 on success (an import that reports failed files still succeeds: the failures
//! are listed in its summary); 1 when the call fails (not a catalogue, unknown id, storage
//! error); 2 on bad arguments; 130 when an import is cancelled with Ctrl-C.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use photocat::{Catalog, ImportPaths, ListAssets, OnDuplicate, State};

/// An embedded catalogue of photos and videos in one file.
///
/// Import a folder, then list the newest assets as Gumnut API JSON:
///
///   photocat import ~/Pictures --catalog photos.redb
///
///   photocat list --catalog photos.redb --limit 5
#[derive(Parser)]
#[command(name = "photocat", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import photo and video files (files and folders) into a catalogue, creating it if needed.
    ///
    /// Files are read on every core: checksums, MIME type, dimensions, EXIF, capture time and
    /// GPS. A file already in the library (same checksum) is reported as a duplicate, so running
    /// the same import twice creates nothing the second time. In folders, hidden files and files
    /// whose extension is not a photo or video format (sidecars, documents) are skipped; a file
    /// named on the command line is always read. Ctrl-C stops the import cleanly: what was read
    /// is committed, the catalogue stays consistent.
    Import {
        /// Files and folders to import.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        catalog: CatalogArg,
        /// Library to import into (default: the only library; "Default" is created if none).
        #[arg(long, value_name = "ID")]
        library: Option<String>,
        /// Read only the files directly inside the folders given, not their subfolders.
        #[arg(long)]
        no_recursive: bool,
        /// What to do with a file whose checksum is already in the library.
        #[arg(long, value_name = "skip|error", default_value = "skip", value_parser = parse_on_duplicate)]
        on_duplicate: OnDuplicate,
        /// No progress bar.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Print one page of assets as Gumnut JSON ({"data": [...], "has_more": ...}), newest first.
    ///
    /// To page, pass the id of the last asset of a page as --after.
    List {
        #[command(flatten)]
        catalog: CatalogArg,
        /// Only this library (default: the only library).
        #[arg(long, value_name = "ID")]
        library: Option<String>,
        /// Only assets in this album.
        #[arg(long, value_name = "ID")]
        album: Option<String>,
        /// Only assets with this person.
        #[arg(long, value_name = "ID")]
        person: Option<String>,
        /// Only these asset ids (comma-separated, at most 100).
        #[arg(long, value_name = "ID,...", value_delimiter = ',')]
        ids: Option<Vec<String>>,
        /// Only assets taken after this time (exclusive). ISO 8601, naive or with an offset.
        #[arg(long, value_name = "DATETIME")]
        local_datetime_after: Option<String>,
        /// Only assets taken before this time (exclusive). ISO 8601, naive or with an offset.
        #[arg(long, value_name = "DATETIME")]
        local_datetime_before: Option<String>,
        /// live, trashed or all.
        #[arg(long, default_value = "live")]
        state: String,
        /// Page size, 1 to 200.
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// The id of the last asset of the previous page (the cursor).
        #[arg(long, value_name = "ID")]
        after: Option<String>,
        /// Indent the JSON.
        #[arg(long)]
        pretty: bool,
    },
    /// Print one asset as Gumnut JSON.
    Get {
        /// The asset's id.
        id: String,
        #[command(flatten)]
        catalog: CatalogArg,
        /// Indent the JSON.
        #[arg(long)]
        pretty: bool,
    },
}

#[derive(Args)]
struct CatalogArg {
    /// The catalogue file (a redb file).
    #[arg(long, short, value_name = "FILE", env = "PHOTOCAT_CATALOG")]
    catalog: PathBuf,
}

fn parse_on_duplicate(s: &str) -> Result<OnDuplicate, String> {
    s.parse().map_err(|e: photocat::Error| e.to_string())
}

/// Opens an existing catalogue: `list` and `get` never create one.
fn open_existing(path: &Path) -> Result<Catalog, String> {
    if !path.exists() {
        return Err(format!("no catalogue at {}", path.display()));
    }
    Catalog::open(path).map_err(|e| e.to_string())
}

fn json(value: &impl serde::Serialize, compact: String, pretty: bool) -> String {
    if pretty {
        serde_json::to_string_pretty(value).unwrap_or(compact)
    } else {
        compact
    }
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Import {
            paths,
            catalog,
            library,
            no_recursive,
            on_duplicate,
            quiet,
        } => import(
            &paths,
            &catalog.catalog,
            library,
            !no_recursive,
            on_duplicate,
            quiet,
        ),
        Command::List {
            catalog,
            library,
            album,
            person,
            ids,
            local_datetime_after,
            local_datetime_before,
            state,
            limit,
            after,
            pretty,
        } => {
            let cat = open_existing(&catalog.catalog)?;
            let parse_time = |s: Option<String>| {
                s.map(|s| s.parse().map_err(|e: photocat::Error| e.to_string()))
                    .transpose()
            };
            let query = ListAssets {
                library_id: library,
                album_id: album,
                person_id: person,
                ids,
                local_datetime_after: parse_time(local_datetime_after)?,
                local_datetime_before: parse_time(local_datetime_before)?,
                starting_after_id: after,
                state: state.parse::<State>().map_err(|e| e.to_string())?,
                limit,
            };
            let page = cat.list_assets(&query).map_err(|e| e.to_string())?;
            println!("{}", json(&page, page.to_json(), pretty));
            Ok(ExitCode::SUCCESS)
        }
        Command::Get {
            id,
            catalog,
            pretty,
        } => {
            let cat = open_existing(&catalog.catalog)?;
            let asset = cat.get_asset(&id).map_err(|e| e.to_string())?;
            println!("{}", json(&asset, asset.to_json(), pretty));
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn import(
    paths: &[PathBuf],
    catalog: &Path,
    library_id: Option<String>,
    recursive: bool,
    on_duplicate: OnDuplicate,
    quiet: bool,
) -> Result<ExitCode, String> {
    let cat = Catalog::open(catalog).map_err(|e| e.to_string())?;
    let interrupted = Arc::new(AtomicBool::new(false));
    {
        let interrupted = Arc::clone(&interrupted);
        ctrlc::set_handler(move || interrupted.store(true, Ordering::Relaxed))
            .map_err(|e| format!("cannot install the Ctrl-C handler: {e}"))?;
    }
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(0)
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} files  {per_sec}  eta {eta}")
            .map_err(|e| e.to_string())?,
    );
    let mut progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        !interrupted.load(Ordering::Relaxed)
    };
    let report = cat
        .import_paths(
            paths,
            ImportPaths {
                library_id,
                recursive,
                on_duplicate,
                progress: Some(&mut progress),
                ..Default::default()
            },
        )
        .map_err(|e| e.to_string())?;
    bar.finish_and_clear();

    println!(
        "{} created, {} duplicates, {} failed, {} skipped (not photo or video names) -> {}",
        report.created.len(),
        report.duplicates.len(),
        report.failed.len(),
        report.skipped.len(),
        catalog.display()
    );
    for (path, existing) in &report.duplicates {
        println!("  duplicate  {}  (already {existing})", path.display());
    }
    for (path, reason) in &report.failed {
        println!("  failed     {}  ({reason})", path.display());
    }
    if report.cancelled {
        eprintln!("photocat: import cancelled; the files read so far are in the catalogue");
        return Ok(ExitCode::from(130));
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("photocat: {message}");
            ExitCode::FAILURE
        }
    }
}
