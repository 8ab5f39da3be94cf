//! The `photocat` command-line tool: import photo and video files into a catalogue, list a
//! page as Gumnut JSON or as a table, get one asset, count assets, show the catalogue's
//! summary (`info`), search with exact totals (`search`), count assets per year, month, week
//! or day (`buckets`), create and list albums and people, and answer Immich's reads: the bulk
//! upload check (`immich check-checksums`), the legacy all-assets list with its ETag (`immich
//! assets`), random assets (`immich random`) and device sync (`immich device-ids`, `immich
//! exists`).
//!
//! Output is for people by default (summaries by count, aligned tables) and for scripts where
//! they need it: `list` and `get` print Gumnut JSON, `count` a bare number, `immich
//! check-checksums` one JSON object per line, `immich assets` and `immich random` one Immich
//! JSON object per line (`assets` its ETag on stderr), `immich device-ids` and `immich exists`
//! one id per line, and `info`, `search`, `buckets`, `album list/create` and `person
//! list/create` print JSON with `--json`. `export DIR --format parquet` writes the matching assets as hive-partitioned
//! Parquet files and prints one summary line.
//!
//! Built only with the `cli` feature (`cargo install --path . --features cli`), so Rust users
//! of the library never compile clap or indicatif.
//!
//! `backup [FILE] DEST` writes a consistent copy of the catalogue to a new file.
//!
//! `--catalog FILE` (or `-c FILE`) is accepted before the subcommand and after it, and comes
//! from the environment variable `PHOTOCAT_CATALOG` when it is not given. Subcommands that only
//! read (`list`, `get`, `count`, `search`, `buckets`, `info`, `export`, `backup`, `album list`,
//! `person list`, `immich ...`) never create a catalogue:
//! a missing file is the error `no catalogue at PATH`. Those that write (`import`,
//! `album create`, `person create`) create it when it is missing.
//!
//! Exit codes: 0 on success (an import that reports failed files still succeeds: its summary
//! counts them); 1 when the call fails (not a catalogue, unknown id, storage error; an import
//! that stopped because a batch could not be committed, after its summary); 2 on bad
//! arguments (a missing `--catalog` included); 130 when an import is cancelled with Ctrl-C.
//!
//! A closed standard output (`photocat list ... | head -1`) ends the command quietly with exit
//! status 0, as a reader that stops early is not an error of the command: every write goes
//! through a locked, buffered stdout with `writeln!`, and `ErrorKind::BrokenPipe` stops the
//! output (never `println!`, which panics). Work done before the output is kept: an import
//! has committed every file it read before its summary is printed. Any other write error is
//! an error of the call (exit 1).

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, BufWriter, StdoutLock, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressState, ProgressStyle};
use photocat::model::time::format_offset;
use photocat::parquet::{ExportParquet, PartitionBy};
use photocat::{
    Album, Asset, AssetType, BucketSize, Catalog, ChecksumMatch, GetAllAssets, ImportPaths,
    ImportReport, Library, ListAssets, NewAlbum, NewPerson, OnDuplicate, Person, RandomAssets,
    SearchAssets, State, Summary, TimeBucket, TimeBuckets, Visibility,
};

/// An embedded catalogue of photos and videos in one file.
///
/// Import a folder, then list the newest assets as Gumnut API JSON or as a table:
///
///   photocat import ~/Pictures --catalog photos.redb
///
///   photocat --catalog photos.redb list --limit 5
///
///   export PHOTOCAT_CATALOG=photos.redb; photocat list --table
#[derive(Parser)]
#[command(name = "photocat", version, about, long_about)]
struct Cli {
    /// The catalogue file (a redb file). Accepted before or after the subcommand.
    #[arg(
        long,
        short,
        value_name = "FILE",
        env = "PHOTOCAT_CATALOG",
        global = true
    )]
    catalog: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import photo and video files (files and folders) into a catalogue, creating it if needed.
    ///
    /// Files are read on every core: checksums, MIME type, dimensions, EXIF, capture time and
    /// GPS. A file already in the library (same checksum) is counted as a duplicate, so running
    /// the same import twice creates nothing the second time. In folders, hidden files and files
    /// whose extension is not a photo or video format (sidecars, documents) are skipped; a file
    /// named on the command line is always read. Ctrl-C stops the import cleanly: what was read
    /// is committed, the catalogue stays consistent.
    ///
    /// The summary counts created files, duplicates, failures (grouped by reason) and skipped
    /// names; --verbose lists every duplicate, failed and skipped file.
    Import {
        /// Files and folders to import.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
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
        /// List every duplicate, failed and skipped file after the summary.
        #[arg(long, short)]
        verbose: bool,
    },
    /// Print one page of assets as Gumnut JSON ({"data": [...], "has_more": ...}), newest first.
    ///
    /// To page, pass the id of the last asset of a page as --after. --table prints the page
    /// as a table for people instead.
    List {
        #[command(flatten)]
        filters: Filters,
        /// Page size, 1 to 200.
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// The id of the last asset of the previous page (the cursor).
        #[arg(long, value_name = "ID")]
        after: Option<String>,
        /// Indent the JSON.
        #[arg(long, conflicts_with = "table")]
        pretty: bool,
        /// Print a table (capture time, offset, time source, type, size, file name, id)
        /// instead of JSON. The time source says where the capture time came from: given,
        /// exif, quicktime, file_mtime, file_created_at or write_time ("-" when unknown).
        #[arg(long)]
        table: bool,
    },
    /// Print one asset as Gumnut JSON.
    Get {
        /// The asset's id.
        id: String,
        /// Indent the JSON.
        #[arg(long)]
        pretty: bool,
    },
    /// Print the number of assets that match the filters of `list` (exact).
    Count {
        #[command(flatten)]
        filters: Filters,
    },
    /// Export the assets that match the filters of `list` as files for data tools.
    ///
    /// --format parquet writes hive-partitioned, zstd-compressed Parquet files
    /// (DIR/year=2023/month=11/part-0.parquet), one row per asset, with the Arrow schema of
    /// `to_arrow` (docs/design.md). Each file is written under a temporary name and renamed
    /// when complete. DIR must be new or empty. Read them back with DuckDB
    /// (read_parquet('DIR/**/*.parquet', hive_partitioning=true)), polars, pyarrow, Spark.
    Export {
        /// The directory to write into (created if missing; must be empty).
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// The file format (parquet is the only one so far).
        #[arg(long, value_name = "parquet", default_value = "parquet", value_parser = ["parquet"])]
        format: String,
        /// Folders by month or year of local_datetime, or none.
        #[arg(long, value_name = "month|year|none", default_value = "month", value_parser = parse_partition_by)]
        partition_by: PartitionBy,
        #[command(flatten)]
        filters: Filters,
        /// No progress bar.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Search live assets by people, albums, capture time, camera, place, type, favourite,
    /// visibility, file name and description, and print one page as a table.
    ///
    /// Filters combine with AND; --person and --album may be repeated (assets with every one
    /// of them). --make, --model, --lens-model, --city, --state, --country and --mime-type
    /// match exactly (case-sensitive); --name and --description match case-insensitive
    /// substrings. Order: newest local_datetime first, ties by id descending. The first line
    /// says how many assets match in all and which page this is; --json prints the page as
    /// JSON ({"data": [...], "page": ..., "has_more": ..., "total": ...}) instead.
    Search {
        #[command(flatten)]
        filters: SearchFilters,
        /// The page, 1-indexed.
        #[arg(long, value_name = "N", default_value_t = 1)]
        page: u32,
        /// Page size, 1 to 200.
        #[arg(long, value_name = "N", default_value_t = 20)]
        limit: u32,
        /// Print the page as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Count assets per year, month, ISO week (Monday first) or day of their local_datetime,
    /// newest first.
    ///
    /// Each row is the first day of a bucket and its number of assets; empty buckets are left
    /// out. Trashed assets (--state trashed or all) are bucketed by their local_datetime too.
    Buckets {
        /// The bucket size.
        #[arg(long, value_name = "year|month|week|day", default_value = "month", value_parser = parse_bucket_size)]
        size: BucketSize,
        /// Only assets in this album.
        #[arg(long, value_name = "ID")]
        album: Option<String>,
        /// Only assets with this person.
        #[arg(long, value_name = "ID")]
        person: Option<String>,
        /// live, trashed or all.
        #[arg(long, value_name = "live|trashed|all", default_value = "live")]
        state: String,
        /// Only this library (default: the only library).
        #[arg(long, value_name = "ID")]
        library: Option<String>,
        /// Print a JSON array of {"start": "YYYY-MM-DD", "count": N} instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Print the catalogue's summary (file, format, libraries, albums, people).
    ///
    /// The file's path, size and format version, the numbers of libraries, albums and people,
    /// then each library with its live and trashed assets and its albums.
    Info {
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check a catalogue against its records; exit status 1 when anything is wrong.
    ///
    /// Every list-index entry (none missing, none extra, each at its position with its
    /// offset), every maintained counter (people's asset counts, list, day and Immich block
    /// counts), every id map, checksum and device entry, album and person link and face id.
    /// First redb's own check of every page's checksum and B-tree (damage it can repair, as
    /// after a crash, is rolled back to the last sound commit and reported). Prints "ok" and
    /// what was checked, or each problem with the ids concerned. The index check reads one
    /// snapshot and writes nothing; its scratch rebuild goes to a temporary file (TMPDIR).
    Verify {
        /// The catalogue to check (or --catalog / PHOTOCAT_CATALOG).
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
    },
    /// Copy the catalogue to a new file, consistently, while other programs may be writing.
    ///
    /// `photocat backup FILE DEST`, or `photocat --catalog FILE backup DEST`. The copy holds
    /// exactly one committed state and opens like the original. It is written under a hidden
    /// temporary name in DEST's folder and moved into place when complete, so an interrupted
    /// backup leaves no DEST. An existing DEST is never replaced (exit status 1). Prints the
    /// destination and its size.
    Backup {
        /// [FILE] DEST: the catalogue (default: --catalog) and the new file to write.
        #[arg(required = true, num_args = 1..=2, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Create and list albums.
    #[command(subcommand)]
    Album(AlbumCommand),
    /// Create and list people.
    #[command(subcommand)]
    Person(PersonCommand),
    /// Immich-style reads.
    #[command(subcommand)]
    Immich(ImmichCommand),
}

#[derive(Subcommand)]
enum ImmichCommand {
    /// Which of these SHA-1 checksums are already in the catalogue (Immich's bulk upload
    /// check).
    ///
    /// Prints one JSON object per checksum, in the order given:
    /// {"checksum": ..., "asset_id": ... or null, "is_trashed": ...}. The checksum is echoed as
    /// given; a trashed asset matches and is flagged, so a client can restore it instead of
    /// uploading again. A live match is preferred over a trashed one, then the asset added
    /// first.
    CheckChecksums {
        /// SHA-1 checksums: 28 characters of base64 or 40 hex digits (any case).
        #[arg(required = true, value_name = "CHECKSUM")]
        checksums: Vec<String>,
        /// Only this owner's assets, in every library (default: any owner's).
        #[arg(long, value_name = "ID")]
        owner: Option<String>,
    },
    /// Every asset as Immich's legacy GET /asset returns it, one Immich JSON object per line.
    ///
    /// Hidden and locked assets are left out, trashed ones included ("isTrashed": true).
    /// Order: fileCreatedAt descending, ties by id descending (stable for --skip paging).
    /// The ETag Immich's server would send for the JSON array of these assets is printed on
    /// stderr as one line, `ETag: "..."`; with --if-none-match, when it matches, nothing is
    /// printed on stdout and the line reads `ETag: "..." (not modified)`, the 304 case.
    Assets {
        /// Only this owner's assets, in every library (default: every owner's).
        #[arg(long, value_name = "ID")]
        owner: Option<String>,
        /// Only favourites (true) or only the others (false).
        #[arg(long, value_name = "true|false", action = clap::ArgAction::Set)]
        favorite: Option<bool>,
        /// Only archived assets (true) or only the others (false).
        #[arg(long, value_name = "true|false", action = clap::ArgAction::Set)]
        archived: Option<bool>,
        /// Pass over this many assets first.
        #[arg(
            long,
            value_name = "N",
            allow_negative_numbers = true,
            default_value_t = 0
        )]
        skip: i128,
        /// Print at most this many assets (default: all).
        #[arg(long, value_name = "N", allow_negative_numbers = true)]
        take: Option<i128>,
        /// Only assets updated at or after this time (inclusive; ISO 8601, naive is UTC).
        #[arg(long, value_name = "DATETIME")]
        updated_after: Option<String>,
        /// Only assets updated at or before this time (inclusive; ISO 8601, naive is UTC).
        #[arg(long, value_name = "DATETIME")]
        updated_before: Option<String>,
        /// A client's If-None-Match header: an ETag, a comma-separated list, W/ forms or *.
        #[arg(long, value_name = "ETAG")]
        if_none_match: Option<String>,
    },
    /// A uniform random sample of assets (Immich's GET /assets/random), one Immich JSON
    /// object per line.
    ///
    /// Only assets that are not trashed and whose visibility is timeline or archive; fewer
    /// than --count of them means all of them. --seed makes the sample reproducible.
    Random {
        /// How many assets, 1 or more.
        #[arg(
            long,
            value_name = "N",
            allow_negative_numbers = true,
            default_value_t = 1
        )]
        count: i128,
        /// Only this owner's assets (default: any owner's).
        #[arg(long, value_name = "ID")]
        owner: Option<String>,
        /// A seed (0 to 18446744073709551615) for a reproducible sample.
        #[arg(long, value_name = "N", allow_negative_numbers = true)]
        seed: Option<i128>,
    },
    /// The device asset ids uploaded from a device, one per line (ascending, each once).
    ///
    /// Trashed and hidden assets are left out (Immich's GET /assets/device/{deviceId}).
    DeviceIds {
        /// The device's id.
        device: String,
        /// Only this owner's assets (default: any owner's).
        #[arg(long, value_name = "ID")]
        owner: Option<String>,
    },
    /// Which of these device asset ids a device has already uploaded, one per line.
    ///
    /// Prints each given id that exists once, in the order given; trashed assets count
    /// (Immich's POST /assets/exist).
    Exists {
        /// The device's id.
        device: String,
        /// Device asset ids to look for.
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
        /// Only this owner's assets (default: any owner's).
        #[arg(long, value_name = "ID")]
        owner: Option<String>,
    },
}

#[derive(Subcommand)]
enum AlbumCommand {
    /// Create an album (creating the catalogue if needed) and print its id.
    Create {
        /// The album's name.
        name: String,
        /// The album's library (default: the only library; "Default" is created if none).
        #[arg(long, value_name = "ID")]
        library: Option<String>,
        /// A description of the album.
        #[arg(long, value_name = "TEXT")]
        description: Option<String>,
        /// An asset to add to the album, in the same transaction (repeat for more).
        #[arg(long = "asset", value_name = "ID")]
        assets: Vec<String>,
        /// Print the new album as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List albums, oldest first, with their numbers of live assets.
    List {
        /// Only this library's albums (default: every library).
        #[arg(long, value_name = "ID")]
        library: Option<String>,
        /// Print a JSON array of albums (each with `asset_count`).
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum PersonCommand {
    /// Create a person (creating the catalogue if needed) and print their id.
    Create {
        /// The person's name (a person may have none).
        name: Option<String>,
        /// Print the new person as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List people, most assets first, with their numbers of live assets.
    List {
        /// Print a JSON array of people (each with `asset_count`).
        #[arg(long)]
        json: bool,
    },
}

/// The filters of `list` (and of every subcommand that selects assets the same way).
#[derive(Args)]
struct Filters {
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
}

impl Filters {
    /// The query these filters describe (first page, default limit).
    fn query(self) -> Result<ListAssets, Failure> {
        let parse_time = |s: Option<String>| s.map(|s| s.parse()).transpose();
        Ok(ListAssets {
            library_id: self.library,
            album_id: self.album,
            person_id: self.person,
            ids: self.ids,
            local_datetime_after: parse_time(self.local_datetime_after)?,
            local_datetime_before: parse_time(self.local_datetime_before)?,
            state: self.state.parse::<State>()?,
            ..Default::default()
        })
    }
}

/// The filters of `search`.
#[derive(Args)]
struct SearchFilters {
    /// Only this library (default: the first album's library with --album, else the only
    /// library).
    #[arg(long, value_name = "ID")]
    library: Option<String>,
    /// Only assets with this person (repeat for assets with all of them).
    #[arg(long = "person", value_name = "ID")]
    people: Vec<String>,
    /// Only assets in this album (repeat for assets in all of them).
    #[arg(long = "album", value_name = "ID")]
    albums: Vec<String>,
    /// Only assets taken after this time (exclusive). ISO 8601, naive or with an offset.
    #[arg(long, value_name = "DATETIME")]
    after: Option<String>,
    /// Only assets taken before this time (exclusive). ISO 8601, naive or with an offset.
    #[arg(long, value_name = "DATETIME")]
    before: Option<String>,
    /// Camera make (exact).
    #[arg(long, value_name = "TEXT")]
    make: Option<String>,
    /// Camera model (exact).
    #[arg(long, value_name = "TEXT")]
    model: Option<String>,
    /// Lens model (exact).
    #[arg(long, value_name = "TEXT")]
    lens_model: Option<String>,
    /// City (exact).
    #[arg(long, value_name = "TEXT")]
    city: Option<String>,
    /// State or region (exact).
    #[arg(long, value_name = "TEXT")]
    state: Option<String>,
    /// Country (exact).
    #[arg(long, value_name = "TEXT")]
    country: Option<String>,
    /// MIME type (exact), e.g. image/jpeg.
    #[arg(long, value_name = "TYPE")]
    mime_type: Option<String>,
    /// Asset type: image, video, audio or other (or uppercase).
    #[arg(long = "type", value_name = "image|video|audio|other", value_parser = parse_asset_type)]
    asset_type: Option<AssetType>,
    /// Only favourites.
    #[arg(long, conflicts_with = "not_favorite")]
    favorite: bool,
    /// Only assets that are not favourites.
    #[arg(long)]
    not_favorite: bool,
    /// timeline or archive (default: both).
    #[arg(long, value_name = "timeline|archive", value_parser = parse_visibility)]
    visibility: Option<Visibility>,
    /// File name containing this text (case-insensitive).
    #[arg(long, value_name = "TEXT")]
    name: Option<String>,
    /// Description containing this text (case-insensitive).
    #[arg(long, value_name = "TEXT")]
    description: Option<String>,
}

impl SearchFilters {
    /// The search these filters describe (page and limit from the caller).
    fn query(self, page: u32, limit: u32) -> Result<SearchAssets, Failure> {
        let parse_time = |s: Option<String>| s.map(|s| s.parse()).transpose();
        let ids = |v: Vec<String>| (!v.is_empty()).then_some(v);
        Ok(SearchAssets {
            library_id: self.library,
            person_ids: ids(self.people),
            album_ids: ids(self.albums),
            captured_after: parse_time(self.after)?,
            captured_before: parse_time(self.before)?,
            make: self.make,
            model: self.model,
            lens_model: self.lens_model,
            city: self.city,
            state: self.state,
            country: self.country,
            mime_type: self.mime_type,
            asset_type: self.asset_type,
            is_favorite: match (self.favorite, self.not_favorite) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            },
            visibility: self.visibility,
            original_file_name: self.name,
            description: self.description,
            page,
            limit,
        })
    }
}

/// Why a command stopped early.
#[derive(Debug)]
enum Failure {
    /// The call failed: one line on stderr, exit status 1.
    Call(String),
    /// Bad arguments that clap cannot see (a missing catalogue): exit status 2.
    Usage(String),
    /// The reader of stdout went away: stop quietly, exit status 0.
    Closed,
}

impl From<photocat::Error> for Failure {
    fn from(e: photocat::Error) -> Self {
        Failure::Call(e.to_string())
    }
}

/// Only for writes to stdout: a closed pipe is a quiet end, anything else a failure.
impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::BrokenPipe {
            Failure::Closed
        } else {
            Failure::Call(format!("cannot write the output: {e}"))
        }
    }
}

/// Standard output, locked once and buffered; flushed by [`Out::finish`].
struct Out(BufWriter<StdoutLock<'static>>);

impl Out {
    fn new() -> Out {
        Out(BufWriter::new(io::stdout().lock()))
    }

    /// Flushes what is buffered; a closed pipe here is [`Failure::Closed`] too.
    fn finish(mut self) -> Result<(), Failure> {
        self.0.flush()?;
        Ok(())
    }
}

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

fn parse_partition_by(s: &str) -> Result<PartitionBy, String> {
    s.parse().map_err(|e: photocat::Error| e.to_string())
}

fn parse_on_duplicate(s: &str) -> Result<OnDuplicate, String> {
    s.parse().map_err(|e: photocat::Error| e.to_string())
}

fn parse_bucket_size(s: &str) -> Result<BucketSize, String> {
    s.parse().map_err(|e: photocat::Error| e.to_string())
}

fn parse_asset_type(s: &str) -> Result<AssetType, String> {
    s.parse().map_err(|e: photocat::Error| e.to_string())
}

fn parse_visibility(s: &str) -> Result<Visibility, String> {
    s.parse().map_err(|e: photocat::Error| e.to_string())
}

/// The catalogue path from `--catalog` (either position) or `PHOTOCAT_CATALOG`.
fn catalog_path(catalog: Option<&Path>) -> Result<&Path, Failure> {
    catalog.ok_or_else(|| {
        Failure::Usage(
            "no catalogue given: pass --catalog FILE (before or after the subcommand) \
             or set PHOTOCAT_CATALOG"
                .to_owned(),
        )
    })
}

/// Opens an existing catalogue: reading subcommands never create one.
fn open_existing(catalog: Option<&Path>) -> Result<Catalog, Failure> {
    let path = catalog_path(catalog)?;
    if !path.exists() {
        return Err(Failure::Call(format!("no catalogue at {}", path.display())));
    }
    Ok(Catalog::open(path)?)
}

fn json(value: &impl serde::Serialize, compact: String, pretty: bool) -> String {
    if pretty {
        serde_json::to_string_pretty(value).unwrap_or(compact)
    } else {
        compact
    }
}

fn run(cli: Cli, out: &mut Out) -> Result<ExitCode, Failure> {
    let catalog = cli.catalog.as_deref();
    match cli.command {
        Command::Import {
            paths,
            library,
            no_recursive,
            on_duplicate,
            quiet,
            verbose,
        } => {
            let path = catalog_path(catalog)?;
            let opts = ImportOptions {
                library_id: library,
                recursive: !no_recursive,
                on_duplicate,
                quiet,
                verbose,
            };
            import(&paths, path, opts, out)
        }
        Command::List {
            filters,
            limit,
            after,
            pretty,
            table,
        } => {
            let cat = open_existing(catalog)?;
            let query = ListAssets {
                starting_after_id: after,
                limit,
                ..filters.query()?
            };
            let page = cat.list_assets(&query)?;
            if table {
                write_table(out, &page.data)?;
                if page.has_more {
                    if let Some(last) = page.data.last() {
                        writeln!(out, "more: --after {}", last.id)?;
                    }
                }
            } else {
                writeln!(out, "{}", json(&page, page.to_json(), pretty))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Export {
            dir,
            format: _,
            partition_by,
            filters,
            quiet,
        } => {
            let cat = open_existing(catalog)?;
            export(&cat, &dir, partition_by, filters.query()?, quiet, out)
        }
        Command::Get { id, pretty } => {
            let cat = open_existing(catalog)?;
            let asset = cat.get_asset(&id)?;
            writeln!(out, "{}", json(&asset, asset.to_json(), pretty))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Album(AlbumCommand::Create {
            name,
            library,
            description,
            assets,
            json,
        }) => {
            let cat = Catalog::open(catalog_path(catalog)?)?;
            let album = cat.create_album(NewAlbum {
                name,
                library_id: library,
                description,
                id: None,
                asset_ids: assets,
            })?;
            if json {
                let album = AlbumJson {
                    album: &album,
                    asset_count: album.asset_count,
                };
                writeln!(out, "{}", to_json(&album)?)?;
            } else {
                writeln!(
                    out,
                    "created album {} {:?} in library {}",
                    album.id, album.name, album.library_id
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify { file } => {
            let mut cat = open_existing(file.as_deref().or(catalog))?;
            let pages_ok = cat.check_storage()?;
            let report = cat.verify()?;
            if pages_ok {
                writeln!(out, "storage: redb's page and B-tree check passed")?;
            } else {
                writeln!(
                    out,
                    "storage: redb found damaged pages and rolled the file back to its last \
                     sound commit"
                )?;
            }
            writeln!(out, "{report}")?;
            Ok(if report.is_ok() && pages_ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Count { filters } => {
            let cat = open_existing(catalog)?;
            let n = cat.count_assets(&filters.query()?)?;
            writeln!(out, "{n}")?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Search {
            filters,
            page,
            limit,
            json,
        } => {
            let cat = open_existing(catalog)?;
            let res = cat.search_assets(&filters.query(page, limit)?)?;
            if json {
                writeln!(out, "{}", res.to_json())?;
            } else {
                writeln!(
                    out,
                    "{} {}, page {}",
                    thousands(res.total),
                    if res.total == 1 { "match" } else { "matches" },
                    res.page
                )?;
                write_table(out, &res.data)?;
                if res.has_more {
                    writeln!(out, "more: --page {}", u64::from(res.page) + 1)?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Buckets {
            size,
            album,
            person,
            state,
            library,
            json,
        } => {
            let query = TimeBuckets {
                size,
                library_id: library,
                album_id: album,
                person_id: person,
                state: state.parse()?,
            };
            let cat = open_existing(catalog)?;
            let buckets = cat.time_buckets(&query)?;
            if json {
                let list: Vec<BucketJson> = buckets.iter().map(BucketJson::from).collect();
                writeln!(out, "{}", to_json(&list)?)?;
            } else {
                write_buckets(out, size, &buckets)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { paths } => {
            let (file, dest) = match paths.as_slice() {
                [dest] => (catalog_path(catalog)?, dest),
                [file, dest] => (file.as_path(), dest),
                _ => return Err(Failure::Usage("backup takes [FILE] DEST".to_owned())),
            };
            let cat = open_existing(Some(file))?;
            cat.backup(dest)?;
            let size = std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0);
            writeln!(
                out,
                "backed up {} to {} ({} bytes)",
                file.display(),
                dest.display(),
                thousands(size)
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Info { json } => {
            let path = catalog_path(catalog)?;
            let cat = open_existing(Some(path))?;
            let summary = cat.summary()?;
            if json {
                writeln!(out, "{}", to_json(&info_json(path, &summary))?)?;
            } else {
                write_info(out, path, &summary)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Album(AlbumCommand::List { library, json }) => {
            let cat = open_existing(catalog)?;
            let albums = cat.list_albums(library.as_deref())?;
            if json {
                let list: Vec<AlbumJson> = albums
                    .iter()
                    .map(|album| AlbumJson {
                        album,
                        asset_count: album.asset_count,
                    })
                    .collect();
                writeln!(out, "{}", to_json(&list)?)?;
            } else {
                write_albums(out, &albums)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Person(PersonCommand::List { json }) => {
            let cat = open_existing(catalog)?;
            let people = cat.list_people()?;
            if json {
                // The person view carries `asset_count`.
                writeln!(out, "{}", to_json(&people)?)?;
            } else {
                write_people(out, &people)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Immich(ImmichCommand::CheckChecksums { checksums, owner }) => {
            let cat = open_existing(catalog)?;
            let found: Vec<ChecksumMatch> = cat.check_checksums(&checksums, owner.as_deref())?;
            for m in &found {
                writeln!(out, "{}", to_json(m)?)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Immich(ImmichCommand::Assets {
            owner,
            favorite,
            archived,
            skip,
            take,
            updated_after,
            updated_before,
            if_none_match,
        }) => {
            let query = GetAllAssets {
                owner_id: owner,
                is_archived: archived,
                is_favorite: favorite,
                skip: non_negative("skip", skip)?,
                take: take.map(|t| non_negative("take", t)).transpose()?,
                updated_after: updated_after.map(|s| s.parse()).transpose()?,
                updated_before: updated_before.map(|s| s.parse()).transpose()?,
                if_none_match,
            };
            let cat = open_existing(catalog)?;
            let all = cat.get_all_assets(&query)?;
            for asset in &all.assets {
                writeln!(out, "{}", asset.to_immich_json())?;
            }
            // Everything on stdout first, so a closed stdout ends quietly here.
            out.flush()?;
            let note = if all.not_modified {
                " (not modified)"
            } else {
                ""
            };
            let _ = writeln!(io::stderr().lock(), "ETag: {}{note}", all.etag);
            Ok(ExitCode::SUCCESS)
        }
        Command::Immich(ImmichCommand::Random { count, owner, seed }) => {
            let query = RandomAssets {
                count: usize::try_from(non_negative("count", count)?)
                    .map_err(|_| Failure::Call(format!("count is too large, got {count}")))?,
                owner_id: owner,
                seed: seed.map(|s| non_negative("seed", s)).transpose()?,
            };
            let cat = open_existing(catalog)?;
            for asset in cat.random_assets(&query)? {
                writeln!(out, "{}", asset.to_immich_json())?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Immich(ImmichCommand::DeviceIds { device, owner }) => {
            let cat = open_existing(catalog)?;
            for id in cat.device_asset_ids(&device, owner.as_deref())? {
                writeln!(out, "{id}")?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Immich(ImmichCommand::Exists { device, ids, owner }) => {
            let cat = open_existing(catalog)?;
            for id in cat.existing_device_asset_ids(&device, &ids, owner.as_deref())? {
                writeln!(out, "{id}")?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Person(PersonCommand::Create { name, json }) => {
            let cat = Catalog::open(catalog_path(catalog)?)?;
            let person = cat.create_person(NewPerson {
                name,
                ..Default::default()
            })?;
            if json {
                writeln!(out, "{}", to_json(&person)?)?;
            } else {
                match &person.name {
                    Some(name) => writeln!(out, "created person {} {name:?}", person.id)?,
                    None => writeln!(out, "created person {} (no name)", person.id)?,
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A whole number argument that must be 0 or more: a negative one gets the library's message
/// (the one rule for negative values, as in Python), one beyond 64 bits a message of its own.
fn non_negative(name: &str, value: i128) -> Result<u64, Failure> {
    match i64::try_from(value) {
        Ok(v) => Ok(photocat::query::immich::non_negative(name, v)?),
        Err(_) => u64::try_from(value).map_err(|_| {
            Failure::Call(format!(
                "{name} must be between 0 and {}, got {value}",
                u64::MAX
            ))
        }),
    }
}

/// Compact JSON of a record (the library's serde view).
fn to_json(value: &impl serde::Serialize) -> Result<String, Failure> {
    serde_json::to_string(value).map_err(|e| Failure::Call(format!("cannot write JSON: {e}")))
}

/// An album in `album list --json` and `album create --json`: the library's album view
/// followed by `asset_count`.
#[derive(serde::Serialize)]
struct AlbumJson<'a> {
    #[serde(flatten)]
    album: &'a Album,
    asset_count: u64,
}

fn write_albums(out: &mut Out, albums: &[Album]) -> Result<(), Failure> {
    if albums.is_empty() {
        writeln!(out, "no albums")?;
        return Ok(());
    }
    let header = ["NAME", "ASSETS", "CREATED", "LIBRARY", "ID"].map(str::to_owned);
    let rows: Vec<[String; 5]> = albums
        .iter()
        .map(|a| {
            [
                shorten(&a.name, 40),
                thousands(a.asset_count),
                a.created_at.format("%Y-%m-%d").to_string(),
                a.library_id.clone(),
                a.id.clone(),
            ]
        })
        .collect();
    write_columns(out, std::iter::once(&header).chain(&rows))
}

fn write_people(out: &mut Out, people: &[Person]) -> Result<(), Failure> {
    if people.is_empty() {
        writeln!(out, "no people")?;
        return Ok(());
    }
    let header = ["NAME", "ASSETS", "FLAGS", "ID"].map(str::to_owned);
    let rows: Vec<[String; 4]> = people
        .iter()
        .map(|p| {
            let flags: Vec<&str> = [(p.is_favorite, "favorite"), (p.is_hidden, "hidden")]
                .into_iter()
                .filter_map(|(on, flag)| on.then_some(flag))
                .collect();
            [
                shorten(p.name.as_deref().unwrap_or(""), 40),
                thousands(p.asset_count),
                if flags.is_empty() {
                    "-".to_owned()
                } else {
                    flags.join(",")
                },
                p.id.clone(),
            ]
        })
        .collect();
    write_columns(out, std::iter::once(&header).chain(&rows))
}

/// A bucket in `buckets --json`: `{"start": "2024-05-01", "count": 3}`.
#[derive(serde::Serialize)]
struct BucketJson {
    start: String,
    count: u64,
}

impl From<&TimeBucket> for BucketJson {
    fn from(b: &TimeBucket) -> Self {
        BucketJson {
            start: b.start.format("%Y-%m-%d").to_string(),
            count: b.count,
        }
    }
}

/// `buckets`: a line `N assets in M months`, then each bucket's first day and count.
fn write_buckets(out: &mut Out, size: BucketSize, buckets: &[TimeBucket]) -> Result<(), Failure> {
    if buckets.is_empty() {
        writeln!(out, "no assets")?;
        return Ok(());
    }
    let total: u64 = buckets.iter().map(|b| b.count).sum();
    writeln!(
        out,
        "{} {} in {} {}{}",
        thousands(total),
        if total == 1 { "asset" } else { "assets" },
        buckets.len(),
        size.as_str(),
        if buckets.len() == 1 { "" } else { "s" }
    )?;
    let header = ["START".to_owned(), "ASSETS".to_owned()];
    let rows: Vec<[String; 2]> = buckets
        .iter()
        .map(|b| [b.start.format("%Y-%m-%d").to_string(), thousands(b.count)])
        .collect();
    write_columns(out, std::iter::once(&header).chain(&rows))
}

/// A byte size for people: `1,234,567 bytes (1.2 MiB)`.
fn file_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut size = bytes as f64;
    let mut unit = None;
    for u in UNITS {
        if size < 1024.0 {
            break;
        }
        size /= 1024.0;
        unit = Some(u);
    }
    match unit {
        Some(u) => format!("{} bytes ({size:.1} {u})", thousands(bytes)),
        None => format!("{} bytes", thousands(bytes)),
    }
}

fn write_info(out: &mut Out, path: &Path, summary: &Summary) -> Result<(), Failure> {
    let size = summary
        .file_size_bytes
        .map(file_size)
        .unwrap_or_else(|| "-".to_owned());
    writeln!(out, "catalogue       {}", path.display())?;
    writeln!(out, "file size       {size}")?;
    writeln!(out, "format version  {}", summary.format_version)?;
    writeln!(out, "libraries       {}", summary.libraries.len())?;
    writeln!(out, "albums          {}", thousands(summary.albums))?;
    writeln!(out, "people          {}", thousands(summary.people))?;
    if summary.libraries.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    let header = ["LIBRARY", "LIVE", "TRASHED", "ALBUMS", "OWNER", "ID"].map(str::to_owned);
    let rows: Vec<[String; 6]> = summary
        .libraries
        .iter()
        .map(|l| {
            [
                shorten(&l.library.name, 40),
                thousands(l.live),
                thousands(l.trashed),
                thousands(l.albums),
                l.library.owner_id.clone().unwrap_or_else(|| "-".to_owned()),
                l.library.id.clone(),
            ]
        })
        .collect();
    write_columns(out, std::iter::once(&header).chain(&rows))
}

/// `info --json`: `{"path", "file_size_bytes", "format_version", "libraries": [the library
/// view followed by live, trashed, albums], "albums", "people"}`.
#[derive(serde::Serialize)]
struct InfoJson<'a> {
    path: std::borrow::Cow<'a, str>,
    file_size_bytes: Option<u64>,
    format_version: u32,
    libraries: Vec<LibraryJson<'a>>,
    albums: u64,
    people: u64,
}

#[derive(serde::Serialize)]
struct LibraryJson<'a> {
    #[serde(flatten)]
    library: &'a Library,
    live: u64,
    trashed: u64,
    albums: u64,
}

fn info_json<'a>(path: &'a Path, summary: &'a Summary) -> InfoJson<'a> {
    InfoJson {
        path: path.to_string_lossy(),
        file_size_bytes: summary.file_size_bytes,
        format_version: summary.format_version,
        libraries: summary
            .libraries
            .iter()
            .map(|l| LibraryJson {
                library: &l.library,
                live: l.live,
                trashed: l.trashed,
                albums: l.albums,
            })
            .collect(),
        albums: summary.albums,
        people: summary.people,
    }
}

/// `n` with a comma every three digits: `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut s = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            s.push(',');
        }
        s.push(c);
    }
    s
}

/// A file rate for the progress bar: whole files with separators (`1,234 files/s`), one
/// decimal below 10 (`2.5 files/s`), never indicatif's four-decimal `{per_sec}`.
fn format_rate(per_sec: f64) -> String {
    let per_sec = if per_sec.is_finite() && per_sec > 0.0 {
        per_sec
    } else {
        0.0
    };
    if per_sec < 9.95 {
        format!("{per_sec:.1} files/s")
    } else {
        // Rates beyond u64 are not physical; the cast saturates.
        format!("{} files/s", thousands(per_sec.round() as u64))
    }
}

/// `n` followed by a noun in the singular or the plural.
fn count_of(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

struct ImportOptions {
    library_id: Option<String>,
    recursive: bool,
    on_duplicate: OnDuplicate,
    quiet: bool,
    verbose: bool,
}

fn import(
    paths: &[PathBuf],
    catalog: &Path,
    opts: ImportOptions,
    out: &mut Out,
) -> Result<ExitCode, Failure> {
    let cat = Catalog::open(catalog)?;
    let interrupted = Arc::new(AtomicBool::new(false));
    {
        let interrupted = Arc::clone(&interrupted);
        ctrlc::set_handler(move || interrupted.store(true, Ordering::Relaxed))
            .map_err(|e| Failure::Call(format!("cannot install the Ctrl-C handler: {e}")))?;
    }
    let bar = if opts.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(0)
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {human_pos}/{human_len} files  {rate}  eta {eta}")
            .map_err(|e| Failure::Call(e.to_string()))?
            .with_key("rate", |state: &ProgressState, w: &mut dyn fmt::Write| {
                let _ = w.write_str(&format_rate(state.per_sec()));
            }),
    );
    let mut progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        !interrupted.load(Ordering::Relaxed)
    };
    let report = cat.import_paths(
        paths,
        ImportPaths {
            library_id: opts.library_id,
            recursive: opts.recursive,
            on_duplicate: opts.on_duplicate,
            progress: Some(&mut progress),
            ..Default::default()
        },
    )?;
    bar.finish_and_clear();

    // Everything read is committed by now; the summary is only output.
    let written = write_import_summary(out, &report, catalog, opts.verbose);
    if let Some(why) = &report.stopped {
        let mut err = io::stderr().lock();
        let _ = writeln!(
            err,
            "photocat: import stopped: a batch could not be committed ({why}); the batches \
             before it are in the catalogue, the files not imported are counted as failed. \
             Run the same import again once the cause is fixed."
        );
        return Ok(ExitCode::FAILURE);
    }
    if report.cancelled {
        let mut err = io::stderr().lock();
        let _ = writeln!(
            err,
            "photocat: import cancelled; the files read so far are in the catalogue"
        );
        return Ok(ExitCode::from(130));
    }
    written?;
    Ok(ExitCode::SUCCESS)
}

/// `photocat export`: the Parquet files, with a progress bar over the exact count of rows.
fn export(
    cat: &Catalog,
    dir: &Path,
    partition_by: PartitionBy,
    query: ListAssets,
    quiet: bool,
    out: &mut Out,
) -> Result<ExitCode, Failure> {
    let total = cat.count_assets(&query)?;
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(total)
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:40} {human_pos}/{human_len} assets  {per_sec}  eta {eta}",
        )
        .map_err(|e| Failure::Call(e.to_string()))?,
    );
    let opts = ExportParquet {
        query,
        partition_by,
        ..Default::default()
    };
    let files = cat.export_parquet(dir, &opts, |rows| bar.set_position(rows))?;
    let rows = bar.position();
    bar.finish_and_clear();
    writeln!(
        out,
        "exported {} {} into {} Parquet {} under {}",
        rows,
        if rows == 1 { "asset" } else { "assets" },
        files.len(),
        if files.len() == 1 { "file" } else { "files" },
        dir.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Failure reasons with their counts, most frequent first (ties by reason).
fn reasons(failed: &[(PathBuf, String)]) -> Vec<(&str, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, reason) in failed {
        *counts.entry(reason.as_str()).or_default() += 1;
    }
    let mut counts: Vec<_> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    counts
}

/// How many distinct failure reasons the summary shows before "and N more".
const SHOWN_REASONS: usize = 5;

fn write_import_summary(
    out: &mut Out,
    report: &ImportReport,
    catalog: &Path,
    verbose: bool,
) -> Result<(), Failure> {
    writeln!(
        out,
        "{} created, {}, {} failed, {} skipped (not photo or video names) -> {}",
        report.created.len(),
        count_of(report.duplicates.len(), "duplicate", "duplicates"),
        report.failed.len(),
        report.skipped.len(),
        catalog.display()
    )?;
    if !report.failed.is_empty() {
        let reasons = reasons(&report.failed);
        let mut line = String::from("failed:");
        for (i, (reason, n)) in reasons.iter().take(SHOWN_REASONS).enumerate() {
            line.push_str(if i == 0 { " " } else { "; " });
            line.push_str(&format!("{n} {reason}"));
        }
        if reasons.len() > SHOWN_REASONS {
            let other: usize = reasons[SHOWN_REASONS..].iter().map(|r| r.1).sum();
            line.push_str(&format!(
                "; {other} for {} other reasons",
                reasons.len() - SHOWN_REASONS
            ));
        }
        writeln!(out, "{line}")?;
    }
    let listed = report.duplicates.len() + report.failed.len() + report.skipped.len();
    if verbose {
        for (path, existing) in &report.duplicates {
            writeln!(out, "  duplicate  {}  (already {existing})", path.display())?;
        }
        for (path, reason) in &report.failed {
            writeln!(out, "  failed     {}  ({reason})", path.display())?;
        }
        for path in &report.skipped {
            writeln!(out, "  skipped    {}", path.display())?;
        }
    } else if listed > 0 {
        writeln!(
            out,
            "(--verbose lists each duplicate, failed and skipped file)"
        )?;
    }
    Ok(())
}

/// The columns of `list --table`, one row per asset.
fn table_row(asset: &Asset) -> [String; 7] {
    let size = match (asset.width, asset.height) {
        (Some(w), Some(h)) => format!("{w}x{h}"),
        _ => "-".to_owned(),
    };
    [
        asset.local_datetime.format("%Y-%m-%d %H:%M:%S").to_string(),
        asset
            .local_offset
            .map(|o| format_offset(o.local_minus_utc()))
            .unwrap_or_else(|| "-".to_owned()),
        asset
            .local_datetime_source
            .map_or("-", |source| source.as_str())
            .to_owned(),
        asset.asset_type().as_str().to_lowercase(),
        size,
        shorten(&asset.original_file_name, 40),
        asset.id.clone(),
    ]
}

/// At most `max` characters, the middle elided with `…` (keeps the extension visible).
fn shorten(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return if s.is_empty() {
            "-".to_owned()
        } else {
            s.to_owned()
        };
    }
    let head = (max - 1) / 2;
    let tail = max - 1 - head;
    let mut out: String = s.chars().take(head).collect();
    out.push('…');
    out.extend(s.chars().skip(n - tail));
    out
}

fn write_table(out: &mut Out, assets: &[Asset]) -> Result<(), Failure> {
    if assets.is_empty() {
        writeln!(out, "no assets")?;
        return Ok(());
    }
    const HEADER: [&str; 7] = [
        "LOCAL DATETIME",
        "OFFSET",
        "TIME SOURCE",
        "TYPE",
        "SIZE",
        "FILE NAME",
        "ID",
    ];
    let rows: Vec<[String; 7]> = assets.iter().map(table_row).collect();
    let header = HEADER.map(str::to_owned);
    write_columns(out, std::iter::once(&header).chain(&rows))
}

/// Rows of cells, each column padded to its widest cell, two spaces apart; the last column is
/// not padded.
fn write_columns<'a, const N: usize>(
    out: &mut Out,
    rows: impl Iterator<Item = &'a [String; N]> + Clone,
) -> Result<(), Failure> {
    let mut widths = [0usize; N];
    for row in rows.clone() {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == N {
                line.push_str(cell);
            } else {
                line.push_str(cell);
                let pad = widths[i] - cell.chars().count() + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut out = Out::new();
    let result = run(cli, &mut out).and_then(|code| out.finish().map(|()| code));
    let fail = |message: &str, code: u8| {
        // stderr may be a closed pipe too (`2>&1 | head`): the message is then lost, quietly.
        let _ = writeln!(io::stderr().lock(), "photocat: {message}");
        ExitCode::from(code)
    };
    match result {
        Ok(code) => code,
        Err(Failure::Closed) => ExitCode::SUCCESS,
        Err(Failure::Call(message)) => fail(&message, 1),
        Err(Failure::Usage(message)) => fail(&message, 2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_well() {
        assert_eq!(format_rate(1234.5678), "1,235 files/s");
        assert_eq!(format_rate(12.04), "12 files/s");
        assert_eq!(format_rate(2.46), "2.5 files/s");
        assert_eq!(format_rate(9.96), "10 files/s");
        assert_eq!(format_rate(0.0), "0.0 files/s");
        assert_eq!(format_rate(f64::NAN), "0.0 files/s");
        assert_eq!(format_rate(f64::INFINITY), "0.0 files/s");
        assert_eq!(format_rate(-3.0), "0.0 files/s");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn long_names_keep_both_ends() {
        assert_eq!(shorten("IMG_0001.jpg", 40), "IMG_0001.jpg");
        assert_eq!(shorten("", 40), "-");
        let long = format!("{}.jpeg", "é".repeat(50));
        let short = shorten(&long, 20);
        assert_eq!(short.chars().count(), 20);
        assert!(
            short.ends_with(".jpeg") && short.starts_with('é'),
            "{short}"
        );
        assert!(short.contains('…'));
    }

    #[test]
    fn failure_reasons_by_count() {
        let failed = [
            (PathBuf::from("a"), "empty file".to_owned()),
            (PathBuf::from("b"), "not a photo".to_owned()),
            (PathBuf::from("c"), "not a photo".to_owned()),
            (PathBuf::from("d"), "bad".to_owned()),
        ];
        assert_eq!(
            reasons(&failed),
            [("not a photo", 2), ("bad", 1), ("empty file", 1)]
        );
    }

    #[test]
    fn the_cli_definition_is_valid() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
