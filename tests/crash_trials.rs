//! Crash trials: a writer process is killed with SIGKILL at random moments (inside large
//! `add_assets` batches, deletes, trash and restore, album links, updates, merges of people,
//! imports of real files, between writes, during `Catalog::open` of the catalogue and during
//! the recovery open right after a previous kill); the catalogue is then reopened and checked
//! against the journal the writer kept.
//!
//! The writer is this test binary re-run as `child_writer` (a no-op in a normal run). Before
//! each write it appends `begin <n> <op as JSON>` to its journal and after the call returns
//! Ok `done <n> <result>`, syncing the journal after each line: a `done` line proves the write
//! returned. Every record a write creates carries the write's number `n` in its id and file
//! name (`asset_w<n>_<i>`, `w<n>_<i>.jpg`, `face_w<n>_...`, `person_w<n>_...`, `album_w<n>`),
//! so the parent can tell each write's records apart.
//!
//! Each trial is one of: a kill during the writer's `Catalog::open` of a cleanly closed
//! catalogue (20%); a kill during writes followed by a second writer killed during its recovery
//! open (20%); a kill at a random moment of the writes, up to `PHOTOCAT_CRASH_WINDOW_MS` after
//! the open (30%); a kill inside a write of a chosen kind, 0 to 1.2 times that kind's median
//! duration after its `begin` line (30%). Where each kill landed is read from the journal.
//!
//! After each kill the parent reopens the catalogue (the recovery open), reads it whole
//! ([`verify_catalogue`]: consistency of lists, counts, search totals, albums and people) and
//! compares it with a model: the state it verified after the previous trial with every `done`
//! write of the journal applied, and the write in flight applied wholly or not at all (one of
//! the two must equal the catalogue exactly). An import commits in batches, so of an import in
//! flight any subset of its files may be there, each whole. Then the next write must be
//! accepted.
//!
//! Runs: the default is a short series for CI. Longer series:
//!
//! ```text
//! PHOTOCAT_CRASH_TRIALS=1000 PHOTOCAT_CRASH_BASE=20000 PHOTOCAT_CRASH_MAX_ADD=3000 \
//!     cargo test --release --all-features --test crash_trials -- --nocapture
//! ```
//!
//! A failure prints the series' seed: `PHOTOCAT_CRASH_SEED=<n>` replays its random choices
//! (trial kinds, writer seeds, kill delays). The moment a kill lands is timing, and the writers
//! choose their writes from what the catalogue holds, so a replay may need a few runs to land
//! the same kill. `PHOTOCAT_CRASH_WINDOW_MS` is the longest delay before a
//! kill in the write phase (default 600), `PHOTOCAT_CRASH_BASE` the assets the catalogue
//! starts with (default 2000), `PHOTOCAT_CRASH_MAX_ADD` the largest `add_assets` batch
//! (default 1500).

#![cfg(unix)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use photocat::{
    AddAssets, AssetUpdate, BoundingBox, Catalog, ImportPaths, ListAssets, NewAlbum, NewAsset,
    NewFace, NewPerson, RandomAssets, SearchAssets, State,
};
use serde::{Deserialize, Serialize};

use common::Rng;

const CHILD_ENV: &str = "PHOTOCAT_CRASH_CHILD";

// ---------------------------------------------------------------------------------------
// The writes.

/// One write of the writer, as its journal records it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum Op {
    /// `add_assets` of `count` records made by [`add_records`].
    Add {
        count: u32,
        seed: u64,
        people: Vec<String>,
        new_people: u32,
    },
    Delete {
        ids: Vec<String>,
    },
    Trash {
        ids: Vec<String>,
    },
    Restore {
        ids: Vec<String>,
    },
    CreateAlbum {
        id: String,
    },
    /// `add_to_album`.
    Link {
        album: String,
        ids: Vec<String>,
    },
    /// `add_to_albums`.
    LinkMany {
        links: Vec<(String, Vec<String>)>,
    },
    /// `update_asset` of the description.
    Update {
        id: String,
        description: String,
    },
    Merge {
        into: String,
        from: Vec<String>,
    },
    /// `import_paths` of a folder holding `files` (copies of sample photos, each made
    /// unique by bytes appended after the image).
    Import {
        dir: String,
        files: Vec<String>,
    },
}

impl Op {
    fn name(&self) -> &'static str {
        match self {
            Op::Add { .. } => "add_assets",
            Op::Delete { .. } => "delete_assets",
            Op::Trash { .. } => "trash_assets",
            Op::Restore { .. } => "restore_assets",
            Op::CreateAlbum { .. } => "create_album",
            Op::Link { .. } => "add_to_album",
            Op::LinkMany { .. } => "add_to_albums",
            Op::Update { .. } => "update_asset",
            Op::Merge { .. } => "merge_people",
            Op::Import { .. } => "import",
        }
    }
}

/// The records of write `n` of [`Op::Add`]: ids, file names, face ids and new people all carry
/// `n`; faces go to the given existing people, the new ones, or nobody.
fn add_records(n: u64, count: u32, seed: u64, people: &[String], new_people: u32) -> Vec<NewAsset> {
    let mut rng = Rng::new(seed);
    let fresh: Vec<String> = (0..new_people)
        .map(|k| format!("person_w{n}_{k}"))
        .collect();
    let mut pool: Vec<String> = people.to_vec();
    pool.extend(fresh.iter().cloned());
    (0..count)
        .map(|i| {
            let faces = (0..rng.range(0, 3))
                .map(|k| NewFace {
                    id: Some(format!("face_w{n}_{i}_{k}")),
                    person_id: if pool.is_empty() || rng.chance(20) {
                        None
                    } else {
                        Some(rng.pick(&pool).clone())
                    },
                    bounding_box: BoundingBox {
                        x: rng.range(0, 4000) as i32,
                        y: rng.range(0, 3000) as i32,
                        w: rng.range(10, 400) as i32,
                        h: rng.range(10, 400) as i32,
                    },
                    ..Default::default()
                })
                .collect::<Vec<_>>();
            let when = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                rng.range(1995, 2025),
                rng.range(1, 12),
                rng.range(1, 28),
                rng.range(0, 23),
                rng.range(0, 59),
                rng.range(0, 59)
            );
            NewAsset {
                id: Some(format!("asset_w{n}_{i}")),
                original_file_name: Some(format!("w{n}_{i}.jpg")),
                mime_type: Some("image/jpeg".into()),
                local_datetime: Some(when.parse().unwrap()),
                width: Some(rng.range(100, 6000) as u32),
                height: Some(rng.range(100, 6000) as u32),
                file_size_bytes: Some(rng.range(10_000, 20_000_000)),
                faces: Some(faces),
                // Every new person is declared on the first record, before any face uses it.
                people: (i == 0 && !fresh.is_empty()).then(|| {
                    fresh
                        .iter()
                        .map(|id| NewPerson {
                            id: Some(id.clone()),
                            name: Some(format!("Person {id}")),
                            ..Default::default()
                        })
                        .collect()
                }),
                ..Default::default()
            }
        })
        .collect()
}

/// Small sample photos for imports (JPEG ignores bytes after its end marker).
const IMPORT_FILES: &[&str] = &[
    "Olympus_PEN_E-P3.jpg",
    "Sony_DSC-HX5V.jpg",
    "fin_de_journee.jpg",
    "mongolia.jpeg",
    "edge/el_torcal_rocks.jpg",
    "orientation/Landscape_2.jpg",
    "orientation/Landscape_4.jpg",
];

/// Performs one write; the result is what the model needs beyond the op (the ids an import
/// created, with their file names).
fn perform(cat: &Catalog, op: &Op, n: u64) -> Result<Vec<(String, String)>, String> {
    perform_call(cat, op, n).map_err(|e| e.to_string())?
}

fn perform_call(
    cat: &Catalog,
    op: &Op,
    n: u64,
) -> photocat::Result<Result<Vec<(String, String)>, String>> {
    match op {
        Op::Add {
            count,
            seed,
            people,
            new_people,
        } => {
            let recs = add_records(n, *count, *seed, people, *new_people);
            cat.add_assets(recs, AddAssets::default())?;
        }
        Op::Delete { ids } => cat.delete_assets(ids)?,
        Op::Trash { ids } => cat.trash_assets(ids)?,
        Op::Restore { ids } => cat.restore_assets(ids)?,
        Op::CreateAlbum { id } => {
            cat.create_album(NewAlbum {
                id: Some(id.clone()),
                name: format!("Album {n}"),
                ..Default::default()
            })?;
        }
        Op::Link { album, ids } => cat.add_to_album(album, ids)?,
        Op::LinkMany { links } => {
            let links: Vec<(&str, &[String])> = links
                .iter()
                .map(|(a, ids)| (a.as_str(), ids.as_slice()))
                .collect();
            cat.add_to_albums(&links)?
        }
        Op::Update { id, description } => {
            cat.update_asset(
                id,
                AssetUpdate {
                    description: Some(Some(description.clone())),
                    ..Default::default()
                },
            )?;
        }
        Op::Merge { into, from } => {
            cat.merge_people(into, from)?;
        }
        Op::Import { dir, .. } => {
            let report = cat.import_paths(
                &[dir],
                ImportPaths {
                    batch_size: 1000,
                    ..Default::default()
                },
            )?;
            if !report.failed.is_empty() || !report.duplicates.is_empty() {
                return Ok(Err(format!(
                    "import: unexpected failures {:?} or duplicates {:?}",
                    report.failed, report.duplicates
                )));
            }
            return Ok(Ok(report
                .created
                .into_iter()
                .map(|a| (a.id, a.original_file_name))
                .collect()));
        }
    }
    Ok(Ok(Vec::new()))
}

// ---------------------------------------------------------------------------------------
// The writer (child process).

struct Journal(std::fs::File);

impl Journal {
    /// Appends one line and syncs it, so that the line is on disk before the caller goes on.
    fn line(&mut self, text: &str) {
        self.0.write_all(format!("{text}\n").as_bytes()).unwrap();
        self.0.sync_data().unwrap();
        // For the parent's timing only; the journal is the record.
        println!("crash: {text}");
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// Run as a child by `crash_trials` (a no-op in a normal test run): opens the catalogue, then
/// writes until it is killed (or `PHOTOCAT_CRASH_OPS` writes are done).
#[test]
fn child_writer() {
    let Ok(db) = std::env::var(CHILD_ENV) else {
        return;
    };
    let journal_path = std::env::var("PHOTOCAT_CRASH_JOURNAL").unwrap();
    let work = PathBuf::from(std::env::var("PHOTOCAT_CRASH_WORK").unwrap());
    let seed = env_u64("PHOTOCAT_CRASH_CHILD_SEED").unwrap();
    let first_n = env_u64("PHOTOCAT_CRASH_FIRST_N").unwrap();
    let cap = env_u64("PHOTOCAT_CRASH_CAP").unwrap();
    let max_add = env_u64("PHOTOCAT_CRASH_MAX_ADD").unwrap();
    let ops = env_u64("PHOTOCAT_CRASH_OPS").unwrap_or(1000);
    let mut journal = Journal(
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&journal_path)
            .unwrap(),
    );
    let mut rng = Rng::new(seed);
    journal.line("open");
    let started = Instant::now();
    let cat = Catalog::open(&db).unwrap();
    journal.line(&format!("opened {}", started.elapsed().as_micros()));
    for n in first_n..first_n + ops {
        let op = choose(&cat, &mut rng, n, cap, max_add, &work);
        journal.line(&format!(
            "begin {n} {}",
            serde_json::to_string(&op).unwrap()
        ));
        let result = perform(&cat, &op, n).unwrap_or_else(|e| panic!("write {n} failed: {e}"));
        journal.line(&format!(
            "done {n} {}",
            serde_json::to_string(&result).unwrap()
        ));
    }
    journal.line("end");
}

/// The next write, chosen from the catalogue's state (read here, before the write begins).
fn choose(cat: &Catalog, rng: &mut Rng, n: u64, cap: u64, max_add: u64, work: &Path) -> Op {
    let all = ListAssets {
        state: State::All,
        ..Default::default()
    };
    let total = cat.count_assets(&all).unwrap();
    let live = cat.count_assets(&ListAssets::default()).unwrap();
    let random = |rng: &mut Rng, k: u64| -> Vec<String> {
        cat.random_assets(&RandomAssets {
            count: k.max(1) as usize,
            seed: Some(rng.next()),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|a| a.id)
        .collect()
    };
    loop {
        let over = total > cap;
        let weights: [(u64, &str); 10] = [
            (if over { 3 } else { 30 }, "add"),
            (if over { 40 } else { 8 }, "delete"),
            (8, "trash"),
            (6, "restore"),
            (3, "album"),
            (8, "link"),
            (5, "link_many"),
            (6, "update"),
            (4, "merge"),
            (5, "import"),
        ];
        let mut r = rng.range(0, weights.iter().map(|w| w.0).sum::<u64>() - 1);
        let mut kind = "add";
        for (w, k) in weights {
            if r < w {
                kind = k;
                break;
            }
            r -= w;
        }
        match kind {
            "add" => {
                let people: Vec<String> = cat
                    .list_people()
                    .unwrap()
                    .into_iter()
                    .map(|p| p.id)
                    .collect();
                return Op::Add {
                    count: rng.range(100, max_add) as u32,
                    seed: rng.next(),
                    people: rng.sample(&people, 20),
                    new_people: rng.range(0, 4) as u32,
                };
            }
            "delete" if live > 0 => {
                let k = if over {
                    rng.range(500, 3000)
                } else {
                    rng.range(1, 400)
                };
                let mut ids = random(rng, k);
                if rng.chance(30) {
                    let trashed = cat
                        .list_assets(&ListAssets {
                            state: State::Trashed,
                            limit: 200,
                            ..Default::default()
                        })
                        .unwrap();
                    let t: Vec<String> = trashed.data.into_iter().map(|a| a.id).collect();
                    ids.extend(rng.sample(&t, 50));
                }
                return Op::Delete { ids };
            }
            "trash" if live > 0 => {
                let k = rng.range(1, 300);
                return Op::Trash {
                    ids: random(rng, k),
                };
            }
            "restore" => {
                let trashed = cat
                    .list_assets(&ListAssets {
                        state: State::Trashed,
                        limit: 200,
                        ..Default::default()
                    })
                    .unwrap();
                let t: Vec<String> = trashed.data.into_iter().map(|a| a.id).collect();
                if !t.is_empty() {
                    let k = rng.range(1, 200) as usize;
                    return Op::Restore {
                        ids: rng.sample(&t, k),
                    };
                }
            }
            "album" => {
                return Op::CreateAlbum {
                    id: format!("album_w{n}"),
                }
            }
            "link" if live > 0 => {
                let albums = cat.list_albums(None).unwrap();
                if !albums.is_empty() {
                    let album = rng.pick(&albums).id.clone();
                    let k = rng.range(1, 300);
                    return Op::Link {
                        album,
                        ids: random(rng, k),
                    };
                }
            }
            "link_many" if live > 0 => {
                let albums: Vec<String> = cat
                    .list_albums(None)
                    .unwrap()
                    .into_iter()
                    .map(|a| a.id)
                    .collect();
                if albums.len() >= 2 {
                    let k = rng.range(2, 5) as usize;
                    let links = rng
                        .sample(&albums, k)
                        .into_iter()
                        .map(|a| {
                            let k = rng.range(1, 100);
                            (a, random(rng, k))
                        })
                        .collect();
                    return Op::LinkMany { links };
                }
            }
            "update" if live > 0 => {
                return Op::Update {
                    id: random(rng, 1).remove(0),
                    description: format!("u{n}"),
                }
            }
            "merge" => {
                let people: Vec<String> = cat
                    .list_people()
                    .unwrap()
                    .into_iter()
                    .map(|p| p.id)
                    .collect();
                if people.len() >= 3 {
                    let k = rng.range(2, 4) as usize;
                    let mut chosen = rng.sample(&people, k);
                    let into = chosen.remove(0);
                    return Op::Merge { into, from: chosen };
                }
            }
            "import" => {
                let dir = work.join(format!("import_w{n}"));
                std::fs::create_dir_all(&dir).unwrap();
                let k = rng.range(2, IMPORT_FILES.len() as u64) as usize;
                let mut files = Vec::new();
                for (j, src) in rng.sample(IMPORT_FILES, k).into_iter().enumerate() {
                    let mut bytes =
                        std::fs::read(Path::new("tests/data/photos").join(src)).unwrap();
                    bytes.extend_from_slice(format!("photocat crash trial w{n} {j}").as_bytes());
                    let base = Path::new(src)
                        .file_name()
                        .unwrap()
                        .to_string_lossy()
                        .into_owned();
                    let name = format!("w{n}_{j}_{base}");
                    std::fs::write(dir.join(&name), bytes).unwrap();
                    files.push(name);
                }
                return Op::Import {
                    dir: dir.to_string_lossy().into_owned(),
                    files,
                };
            }
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------------------
// The model: what the catalogue holds, as the checks compare it.

#[derive(Debug, Clone, PartialEq, Eq)]
struct AssetState {
    name: String,
    trashed: bool,
    description: Option<String>,
    /// (face id, person id), in stored order.
    faces: Vec<(String, Option<String>)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Snap {
    assets: BTreeMap<String, AssetState>,
    /// Album id -> its assets (live and trashed).
    albums: BTreeMap<String, BTreeSet<String>>,
    people: BTreeSet<String>,
}

impl Snap {
    /// The state after `op` (write `n`) returned. `imported` is the import's result.
    fn apply(&self, n: u64, op: &Op, imported: &[(String, String)]) -> Snap {
        let mut s = self.clone();
        match op {
            Op::Add {
                count,
                seed,
                people,
                new_people,
            } => {
                for r in add_records(n, *count, *seed, people, *new_people) {
                    for p in r.people.iter().flatten() {
                        s.people.insert(p.id.clone().unwrap());
                    }
                    s.assets.insert(
                        r.id.unwrap(),
                        AssetState {
                            name: r.original_file_name.unwrap(),
                            trashed: false,
                            description: None,
                            faces: r
                                .faces
                                .unwrap()
                                .into_iter()
                                .map(|f| (f.id.unwrap(), f.person_id))
                                .collect(),
                        },
                    );
                }
            }
            Op::Delete { ids } => {
                for id in ids {
                    s.assets.remove(id);
                    for members in s.albums.values_mut() {
                        members.remove(id);
                    }
                }
            }
            Op::Trash { ids } | Op::Restore { ids } => {
                let trashed = matches!(op, Op::Trash { .. });
                for id in ids {
                    if let Some(a) = s.assets.get_mut(id) {
                        a.trashed = trashed;
                    }
                }
            }
            Op::CreateAlbum { id } => {
                s.albums.insert(id.clone(), BTreeSet::new());
            }
            Op::Link { album, ids } => {
                s.albums
                    .entry(album.clone())
                    .or_default()
                    .extend(ids.iter().cloned());
            }
            Op::LinkMany { links } => {
                for (album, ids) in links {
                    s.albums
                        .entry(album.clone())
                        .or_default()
                        .extend(ids.iter().cloned());
                }
            }
            Op::Update { id, description } => {
                if let Some(a) = s.assets.get_mut(id) {
                    a.description = Some(description.clone());
                }
            }
            Op::Merge { into, from } => {
                for a in s.assets.values_mut() {
                    for (_, p) in &mut a.faces {
                        if p.as_ref().is_some_and(|p| from.contains(p)) {
                            *p = Some(into.clone());
                        }
                    }
                }
                for f in from {
                    s.people.remove(f);
                }
            }
            Op::Import { .. } => {
                for (id, name) in imported {
                    s.assets.insert(
                        id.clone(),
                        AssetState {
                            name: name.clone(),
                            trashed: false,
                            description: None,
                            faces: Vec::new(),
                        },
                    );
                }
            }
        }
        s
    }

    /// A short account of how `self` (the catalogue) differs from `other` (a model).
    fn diff(&self, other: &Snap) -> String {
        let mut out = Vec::new();
        let only = |a: &BTreeMap<String, AssetState>, b: &BTreeMap<String, AssetState>| {
            a.keys()
                .filter(|k| !b.contains_key(*k))
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
        };
        let extra = only(&self.assets, &other.assets);
        let missing = only(&other.assets, &self.assets);
        if !extra.is_empty() {
            out.push(format!("assets not in the model: {extra:?}"));
        }
        if !missing.is_empty() {
            out.push(format!("assets missing: {missing:?}"));
        }
        for (id, a) in &self.assets {
            if let Some(b) = other.assets.get(id) {
                if a != b {
                    out.push(format!("asset {id}: is {a:?}, model {b:?}"));
                    break;
                }
            }
        }
        if self.albums != other.albums {
            out.push("albums differ".into());
        }
        if self.people != other.people {
            let extra: Vec<_> = self.people.difference(&other.people).take(5).collect();
            let missing: Vec<_> = other.people.difference(&self.people).take(5).collect();
            out.push(format!("people: extra {extra:?}, missing {missing:?}"));
        }
        out.join("; ")
    }
}

/// Reads the whole catalogue and checks its consistency through the public reads: lists in
/// order without duplicates, `count_assets` equal to the listed totals (live, trashed, all),
/// search totals, album and person counters equal to their listed assets, faces pointing at
/// existing people.
///
/// First of all `Catalog::verify` (every index entry and counter against the records); the
/// reads below also build the snapshot the trials compare.
fn verify_catalogue(cat: &Catalog) -> Result<Snap, String> {
    let mut snap = Snap::default();
    let mut problems = Vec::new();
    let report = cat.verify().map_err(|e| e.to_string())?;
    if !report.is_ok() {
        problems.push(format!("verify: {report}"));
    }
    // Every asset, live and trashed, in list order (local_datetime desc, id desc).
    let all = ListAssets {
        state: State::All,
        limit: 200,
        ..Default::default()
    };
    let mut prev: Option<(chrono::NaiveDateTime, String)> = None;
    let (mut live, mut trashed) = (0u64, 0u64);
    let mut person_assets: BTreeMap<String, u64> = BTreeMap::new();
    for a in cat
        .iter_assets(all.clone(), 200)
        .map_err(|e| e.to_string())?
    {
        let a = a.map_err(|e| e.to_string())?;
        let key = (a.local_datetime, a.id.clone());
        if let Some(p) = &prev {
            if *p <= key {
                problems.push(format!("list order: {p:?} then {key:?}"));
            }
        }
        prev = Some(key);
        if a.trashed_at.is_some() {
            trashed += 1;
        } else {
            live += 1;
            let people: BTreeSet<&String> = a
                .faces
                .iter()
                .filter_map(|f| f.person_id.as_ref())
                .collect();
            for p in people {
                *person_assets.entry(p.clone()).or_default() += 1;
            }
        }
        for f in &a.faces {
            if f.asset_id != a.id {
                problems.push(format!(
                    "face {} of {} names asset {}",
                    f.id, a.id, f.asset_id
                ));
            }
        }
        let state = AssetState {
            name: a.original_file_name.clone(),
            trashed: a.trashed_at.is_some(),
            description: a.description.clone(),
            faces: a
                .faces
                .iter()
                .map(|f| (f.id.clone(), f.person_id.clone()))
                .collect(),
        };
        if snap.assets.insert(a.id.clone(), state).is_some() {
            problems.push(format!("asset {} listed twice", a.id));
        }
    }
    // The trash in its own order (trashed_at desc, id desc).
    let mut prev: Option<(chrono::DateTime<chrono::Utc>, String)> = None;
    let mut listed_trash = 0u64;
    let trash = ListAssets {
        state: State::Trashed,
        limit: 200,
        ..Default::default()
    };
    for a in cat
        .iter_assets(trash.clone(), 200)
        .map_err(|e| e.to_string())?
    {
        let a = a.map_err(|e| e.to_string())?;
        let key = (a.trashed_at.unwrap_or_default(), a.id.clone());
        if let Some(p) = &prev {
            if *p <= key {
                problems.push(format!("trash order: {p:?} then {key:?}"));
            }
        }
        prev = Some(key);
        listed_trash += 1;
    }
    let count = |q: &ListAssets| cat.count_assets(q).map_err(|e| e.to_string());
    let counted = (count(&ListAssets::default())?, count(&trash)?, count(&all)?);
    if counted != (live, trashed, live + trashed) || listed_trash != trashed {
        problems.push(format!(
            "count_assets (live, trashed, all) = {counted:?}, listed ({live}, {trashed}, {}), \
             trash list {listed_trash}",
            live + trashed
        ));
    }
    let total = cat
        .search_assets(&SearchAssets::default())
        .map_err(|e| e.to_string())?
        .total;
    if total != live {
        problems.push(format!("search total {total}, live assets {live}"));
    }
    for album in cat.list_albums(None).map_err(|e| e.to_string())? {
        let q = ListAssets {
            album_id: Some(album.id.clone()),
            state: State::All,
            limit: 200,
            ..Default::default()
        };
        let mut members = BTreeSet::new();
        let mut live_members = 0;
        for a in cat.iter_assets(q, 200).map_err(|e| e.to_string())? {
            let a = a.map_err(|e| e.to_string())?;
            live_members += u64::from(a.trashed_at.is_none());
            members.insert(a.id);
        }
        if album.asset_count != live_members {
            problems.push(format!(
                "album {}: asset_count {}, live members listed {live_members}",
                album.id, album.asset_count
            ));
        }
        snap.albums.insert(album.id, members);
    }
    for p in cat.list_people().map_err(|e| e.to_string())? {
        let listed = person_assets.remove(&p.id).unwrap_or(0);
        let q = ListAssets {
            person_id: Some(p.id.clone()),
            ..Default::default()
        };
        let counted = count(&q)?;
        if p.asset_count != listed || counted != listed {
            problems.push(format!(
                "person {}: asset_count {}, count_assets {counted}, live assets with a face of \
                 theirs {listed}",
                p.id, p.asset_count
            ));
        }
        snap.people.insert(p.id);
    }
    if !person_assets.is_empty() {
        problems.push(format!(
            "faces name people that do not exist: {:?}",
            person_assets.keys().take(5).collect::<Vec<_>>()
        ));
    }
    if problems.is_empty() {
        Ok(snap)
    } else {
        problems.truncate(10);
        Err(problems.join("\n"))
    }
}

// ---------------------------------------------------------------------------------------
// Journals.

/// The assets an import created: (id, file name).
type Imported = Vec<(String, String)>;

/// What one writer's journal says.
#[derive(Debug, Default)]
struct Parsed {
    /// It got past `Catalog::open`.
    opened: bool,
    /// How long its open took.
    open_micros: Option<u64>,
    /// Writes that returned, in order, with their results.
    done: Vec<(u64, Op, Imported)>,
    /// The write begun and not seen to return.
    in_flight: Option<(u64, Op)>,
    /// It finished all its writes (was not killed).
    ended: bool,
}

fn parse_journal(text: &str) -> Parsed {
    let mut p = Parsed::default();
    // Only whole lines count: a line cut by the kill was not yet synced, so what it would have
    // said had not happened (a `begin`) or is treated as not known (a `done`).
    let whole = match text.rfind('\n') {
        Some(i) => &text[..=i],
        None => "",
    };
    for line in whole.lines() {
        let mut parts = line.splitn(3, ' ');
        match parts.next() {
            Some("open") => {}
            Some("opened") => {
                p.opened = true;
                p.open_micros = parts.next().and_then(|v| v.parse().ok());
            }
            Some("begin") => {
                let n: u64 = parts.next().unwrap().parse().unwrap();
                let op: Op = serde_json::from_str(parts.next().unwrap()).unwrap();
                assert!(p.in_flight.is_none(), "two writes in flight: {line}");
                p.in_flight = Some((n, op));
            }
            Some("done") => {
                let n: u64 = parts.next().unwrap().parse().unwrap();
                let result = serde_json::from_str(parts.next().unwrap()).unwrap();
                let (m, op) = p.in_flight.take().expect("done without begin");
                assert_eq!(m, n, "done {n} after begin {m}");
                p.done.push((n, op, result));
            }
            Some("end") => p.ended = true,
            other => panic!("journal line {other:?}"),
        }
    }
    p
}

// ---------------------------------------------------------------------------------------
// The trials (parent).

/// Where a kill landed, by the journal.
fn phase_of(p: &Parsed, recovering: bool) -> String {
    if p.ended {
        "not killed (all writes done)".into()
    } else if !p.opened {
        if recovering {
            "open (recovery after a kill)".into()
        } else {
            "open (clean)".into()
        }
    } else if let Some((_, op)) = &p.in_flight {
        format!("in {}", op.name())
    } else {
        "between writes".into()
    }
}

struct Config {
    db: PathBuf,
    work: PathBuf,
    cap: u64,
    max_add: u64,
    window_ms: u64,
}

/// Starts a writer and kills it `delay` after it printed a line that `trigger` accepts (the
/// line without its `crash: ` prefix). Returns its journal and how long each write it
/// finished took, by the op's name (as the parent saw its lines arrive).
fn run_writer(
    cfg: &Config,
    journal: &Path,
    seed: u64,
    first_n: u64,
    trigger: &dyn Fn(&str) -> bool,
    delay: Duration,
) -> (String, Vec<(&'static str, Duration)>) {
    let _ = std::fs::remove_file(journal);
    let stderr_path = journal.with_extension("stderr");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_writer", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, &cfg.db)
        .env("PHOTOCAT_CRASH_JOURNAL", journal)
        .env("PHOTOCAT_CRASH_WORK", &cfg.work)
        .env("PHOTOCAT_CRASH_CHILD_SEED", seed.to_string())
        .env("PHOTOCAT_CRASH_FIRST_N", first_n.to_string())
        .env("PHOTOCAT_CRASH_CAP", cfg.cap.to_string())
        .env("PHOTOCAT_CRASH_MAX_ADD", cfg.max_add.to_string())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel::<(Instant, String)>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            // The harness prints "test child_writer ... " before the first line, unended.
            let Some(i) = line.find("crash: ") else {
                continue;
            };
            if tx.send((Instant::now(), line[i + 7..].to_owned())).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    let mut exited = false;
    loop {
        match rx.recv_timeout(Duration::from_secs(120)) {
            Ok((t, line)) => {
                let hit = trigger(&line);
                lines.push((t, line));
                if hit {
                    break;
                }
            }
            Err(_) => {
                exited = true;
                break;
            }
        }
    }
    if !exited {
        // Short delays (the open of a catalogue that needs no recovery takes well under a
        // millisecond in release builds) are spun, not slept.
        let t = Instant::now();
        if delay > Duration::from_millis(2) {
            std::thread::sleep(delay);
        }
        while t.elapsed() < delay {
            std::hint::spin_loop();
        }
    }
    let _ = child.kill();
    let status = child.wait().unwrap();
    reader.join().unwrap();
    lines.extend(rx.try_iter());
    let text = std::fs::read_to_string(journal).unwrap_or_default();
    if status.success() || status.code().is_some() {
        // Not killed by us: it finished its writes, or failed.
        let err = std::fs::read_to_string(&stderr_path).unwrap_or_default();
        assert!(
            text.ends_with("end\n"),
            "the writer exited by itself ({status}) before its writes were done:\n{err}\njournal tail: {}",
            tail(&text)
        );
    }
    let mut durations = Vec::new();
    let mut begun: Option<(Instant, &'static str)> = None;
    for (t, line) in &lines {
        if let Some(rest) = line.strip_prefix("begin ") {
            let json = rest.split_once(' ').map_or("", |(_, j)| j);
            begun = serde_json::from_str::<Op>(json)
                .ok()
                .map(|op| (*t, op.name()));
        } else if line.starts_with("done ") {
            if let Some((b, name)) = begun.take() {
                durations.push((name, t.duration_since(b)));
            }
        }
    }
    (text, durations)
}

/// The serde tags of the ops, which begin lines carry as `{"op":"<tag>"`, with their names.
const OP_TAGS: &[(&str, &str)] = &[
    ("add", "add_assets"),
    ("delete", "delete_assets"),
    ("trash", "trash_assets"),
    ("restore", "restore_assets"),
    ("create_album", "create_album"),
    ("link", "add_to_album"),
    ("link_many", "add_to_albums"),
    ("update", "update_asset"),
    ("merge", "merge_people"),
    ("import", "import"),
];

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let from = lines.len().saturating_sub(4);
    lines[from..]
        .iter()
        .map(|l| if l.len() > 300 { &l[..300] } else { l })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The assets of an import in flight found in the catalogue: those named as its files, each a
/// fresh asset (the import commits in batches, so any subset of the files may be there).
fn imported_in_flight(found: &Snap, base: &Snap, files: &[String]) -> Vec<(String, String)> {
    found
        .assets
        .iter()
        .filter(|(id, a)| files.contains(&a.name) && !base.assets.contains_key(*id))
        .map(|(id, a)| (id.clone(), a.name.clone()))
        .collect()
}

#[derive(Default)]
struct Tally {
    /// Kills per phase.
    phases: BTreeMap<String, u64>,
    /// Outcomes of the write in flight: (op, "present"/"absent"/"partial").
    outcomes: BTreeMap<(String, String), u64>,
    writes_done: u64,
    trials: u64,
    recovery_opens: Vec<Duration>,
    child_opens: Vec<Duration>,
    /// How long each kind of write took (the writes that finished).
    durations: BTreeMap<&'static str, Vec<Duration>>,
}

impl Tally {
    fn add_durations(&mut self, d: Vec<(&'static str, Duration)>) {
        for (name, t) in d {
            self.durations.entry(name).or_default().push(t);
        }
    }
}

#[test]
fn crash_trials() {
    let trials = env_u64("PHOTOCAT_CRASH_TRIALS").unwrap_or(10);
    let series_seed = env_u64("PHOTOCAT_CRASH_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64
    });
    let base = env_u64("PHOTOCAT_CRASH_BASE").unwrap_or(2000);
    let dir = tempfile::tempdir().unwrap();
    let cfg = Config {
        db: dir.path().join("trials.redb"),
        work: dir.path().join("work"),
        cap: base + base / 2,
        max_add: env_u64("PHOTOCAT_CRASH_MAX_ADD").unwrap_or(1500),
        window_ms: env_u64("PHOTOCAT_CRASH_WINDOW_MS").unwrap_or(600),
    };
    std::fs::create_dir_all(&cfg.work).unwrap();
    let replay =
        format!("replay with PHOTOCAT_CRASH_SEED={series_seed} (trials {trials}, base {base})");
    println!("crash trials: seed {series_seed}, {trials} trials, base {base} assets");
    let mut rng = Rng::new(series_seed);

    // The starting catalogue: `base` assets with faces and people, in batches of 5,000.
    let mut n: u64 = 1;
    let mut model = Snap::default();
    {
        let cat = Catalog::open(&cfg.db).unwrap();
        let mut left = base;
        while left > 0 {
            let count = left.min(5000);
            let people: Vec<String> = model.people.iter().cloned().collect();
            let op = Op::Add {
                count: count as u32,
                seed: rng.next(),
                people: rng.sample(&people, 20),
                new_people: 10,
            };
            perform(&cat, &op, n).unwrap();
            model = model.apply(n, &op, &[]);
            n += 1;
            left -= count;
        }
        let found = verify_catalogue(&cat).unwrap();
        assert!(found == model, "{}", found.diff(&model));
        cat.close().unwrap();
    }

    let mut tally = Tally::default();
    // Kills aimed at an open fall in 0..1.5 times the median of the opens measured so far.
    let median = |v: &[Duration]| -> Duration {
        let mut v = v.to_vec();
        v.sort();
        v.get(v.len() / 2)
            .copied()
            .unwrap_or(Duration::from_millis(5))
    };
    let started = Instant::now();
    for trial in 0..trials {
        let ctx = format!("trial {trial}: {replay}");
        // 20%: killed during a clean open; 20%: killed during writes, then a second writer is
        // killed during its recovery open; 30%: killed at a random moment of the writes; 30%:
        // killed inside a write of a chosen kind (0 to 1.2 times its median duration after
        // its begin line).
        let kind = rng.range(0, 9);
        let journal_a = dir.path().join("journal-a.txt");
        let journal_b = dir.path().join("journal-b.txt");
        let mut journals = Vec::new();
        let opens_at = |l: &str| l == "open";
        if kind < 2 {
            let delay = Duration::from_micros(
                rng.range(0, median(&tally.child_opens).as_micros() as u64 * 3 / 2),
            );
            let (text, d) = run_writer(&cfg, &journal_a, rng.next(), n, &opens_at, delay);
            tally.add_durations(d);
            journals.push((parse_journal(&text), false, text));
        } else {
            let (text, d) = if kind < 7 {
                let delay = Duration::from_micros(rng.range(0, cfg.window_ms * 1000));
                let opened = |l: &str| l.starts_with("opened ");
                run_writer(&cfg, &journal_a, rng.next(), n, &opened, delay)
            } else {
                let (tag, name) = *rng.pick(OP_TAGS);
                let typical = median(tally.durations.get(name).map_or(&[][..], |v| &v[..]));
                let delay = Duration::from_micros(rng.range(0, typical.as_micros() as u64 * 6 / 5));
                let needle = format!("{{\"op\":\"{tag}\"");
                let begins = |l: &str| l.starts_with("begin ") && l.contains(&needle);
                run_writer(&cfg, &journal_a, rng.next(), n, &begins, delay)
            };
            tally.add_durations(d);
            journals.push((parse_journal(&text), false, text));
            if kind < 4 {
                let last = journals[0].0.done.last().map(|d| d.0);
                let next = journals[0]
                    .0
                    .in_flight
                    .as_ref()
                    .map(|f| f.0)
                    .or(last)
                    .map_or(n, |m| m + 1);
                let delay = Duration::from_micros(
                    rng.range(0, median(&tally.recovery_opens).as_micros() as u64 * 3 / 2),
                );
                let (text, d) = run_writer(&cfg, &journal_b, rng.next(), next, &opens_at, delay);
                tally.add_durations(d);
                journals.push((parse_journal(&text), true, text));
            }
        }
        for (p, recovering, _) in &journals {
            *tally.phases.entry(phase_of(p, *recovering)).or_default() += 1;
            if let Some(us) = p.open_micros {
                let d = Duration::from_micros(us);
                if *recovering {
                    tally.recovery_opens.push(d);
                } else {
                    tally.child_opens.push(d);
                }
            }
        }

        // The recovery open, then the whole catalogue read and checked.
        let t = Instant::now();
        let cat = Catalog::open(&cfg.db).unwrap_or_else(|e| panic!("{ctx}: reopen failed: {e}"));
        let reopen = t.elapsed();
        tally.recovery_opens.push(reopen);
        let found = verify_catalogue(&cat).unwrap_or_else(|e| {
            panic!(
                "{ctx}: the catalogue is inconsistent:\n{e}\njournal tail:\n{}",
                tail(&journals.last().unwrap().2)
            )
        });

        // The models: every done write applied, each write in flight applied or not.
        let mut candidates = vec![model.clone()];
        let mut in_flight = Vec::new();
        for (p, _, _) in &journals {
            for (m, op, result) in &p.done {
                candidates = candidates.iter().map(|c| c.apply(*m, op, result)).collect();
                tally.writes_done += 1;
                n = n.max(m + 1);
            }
            if let Some((m, op)) = &p.in_flight {
                let imported = match op {
                    Op::Import { files, .. } => imported_in_flight(&found, &model, files),
                    _ => Vec::new(),
                };
                let mut with: Vec<Snap> = candidates
                    .iter()
                    .map(|c| c.apply(*m, op, &imported))
                    .collect();
                candidates.append(&mut with);
                in_flight.push((*m, op.clone(), imported.len()));
                n = n.max(m + 1);
            }
        }
        let Some(matched) = candidates.iter().position(|c| *c == found) else {
            let diffs: Vec<String> = candidates.iter().map(|c| found.diff(c)).collect();
            panic!(
                "{ctx}: the catalogue matches no model (done writes whole, the write in flight \
                 whole or absent):\n{}\njournal tail:\n{}",
                diffs.join("\n--\n"),
                journals
                    .iter()
                    .map(|j| tail(&j.2))
                    .collect::<Vec<_>>()
                    .join("\n==\n")
            );
        };
        // Candidate bits: bit i (from the last write in flight) says whether it was applied.
        for (i, (m, op, imported)) in in_flight.iter().enumerate() {
            let applied = matched >> i & 1 == 1;
            // A write whose effect is no change (trashing trashed assets) cannot be told apart.
            let flipped = &candidates[matched ^ (1 << i)];
            let outcome = match op {
                // An import killed before its first batch committed.
                Op::Import { .. } if *imported == 0 => "absent",
                _ if *flipped == found => {
                    println!(
                        "{ctx}: write {m} in flight made no visible change: {}",
                        tail(&serde_json::to_string(op).unwrap())
                    );
                    "no visible change"
                }
                Op::Import { files, .. } if applied && *imported > 0 && *imported < files.len() => {
                    "partial"
                }
                _ if applied => "present",
                _ => "absent",
            };
            *tally
                .outcomes
                .entry((op.name().to_string(), outcome.to_string()))
                .or_default() += 1;
        }
        model = found;

        // The next write is accepted.
        let people: Vec<String> = model.people.iter().cloned().collect();
        let op = Op::Add {
            count: rng.range(1, 5) as u32,
            seed: rng.next(),
            people: rng.sample(&people, 3),
            new_people: 1,
        };
        perform(&cat, &op, n).unwrap_or_else(|e| panic!("{ctx}: the next write failed: {e}"));
        model = model.apply(n, &op, &[]);
        n += 1;
        cat.close().unwrap();
        tally.trials += 1;
        if tally.trials % 100 == 0 {
            println!(
                "crash trials: {} done in {:.0} s",
                tally.trials,
                started.elapsed().as_secs_f64()
            );
        }
        // Imports' copies are no longer needed.
        for e in std::fs::read_dir(&cfg.work).unwrap() {
            let _ = std::fs::remove_dir_all(e.unwrap().path());
        }
    }

    let secs = started.elapsed().as_secs_f64();
    println!(
        "crash trials: {} trials in {secs:.1} s, {} writes returned, catalogue now {} assets, \
         {} albums, {} people; file {:.1} MB",
        tally.trials,
        tally.writes_done,
        model.assets.len(),
        model.albums.len(),
        model.people.len(),
        std::fs::metadata(&cfg.db).map_or(0, |m| m.len()) as f64 / 1e6
    );
    println!("kills per phase:");
    for (phase, k) in &tally.phases {
        println!("  {phase:<36} {k}");
    }
    println!("write in flight at the kill -> after reopening:");
    for ((op, outcome), k) in &tally.outcomes {
        println!("  {op:<16} {outcome:<8} {k}");
    }
    let stats = |v: &mut Vec<Duration>| -> String {
        if v.is_empty() {
            return "-".into();
        }
        v.sort();
        format!(
            "median {:.1} ms, max {:.1} ms",
            v[v.len() / 2].as_secs_f64() * 1e3,
            v[v.len() - 1].as_secs_f64() * 1e3
        )
    };
    println!(
        "opens after a kill (recovery): {}",
        stats(&mut tally.recovery_opens)
    );
    println!(
        "opens after a clean close: {}",
        stats(&mut tally.child_opens)
    );
    println!("writes that returned, by kind: count, duration");
    for (name, v) in &mut tally.durations {
        println!("  {name:<16} {:>5}  {}", v.len(), stats(v));
    }
}
