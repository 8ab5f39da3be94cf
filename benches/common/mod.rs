//! A deterministic (seeded) generator of realistic catalogues, shared by the benches and the
//! tests (`#[path]`-included; not part of the library build). The dataset is a function of
//! `(n, seed)` only.
//!
//! Shape of a generated catalogue of `n` assets:
//! - libraries: 3 when `n >= MULTI_LIBRARY_MIN` (1,000), holding 70%, 20% and 10% of the assets
//!   (`n * 7 / 10`, `n * 2 / 10`, the rest); 1 library below that. `libraries[MAIN]` (the first)
//!   is the largest. Assets are numbered library by library (`asset_id(i)` for `i` in
//!   `libraries[l].assets`) and each record names its library (`library_id`);
//! - `local_datetime` spread over 15 years, with bursts: about 5% of assets share their second
//!   with others;
//! - offsets: a third unknown, the rest from a set of real offsets;
//! - 2,000 albums, each in one library: split in proportion to the libraries' sizes (1,400 /
//!   400 / 200, numbered library by library), Zipf-distributed sizes within a library, each
//!   asset in 0 to 3 albums of its own library;
//! - 5,000 people, global as in photocat (a person belongs to no library): about 1.5 faces per
//!   asset, Zipf over all people whatever the asset's library. A person's record travels with
//!   the first asset (in index order) with a face of it, so assets must be loaded in index
//!   order, as [`Dataset::batches`] and [`load`] do;
//! - 3% trashed, 5% favourite, 4% archived; full EXIF for all, GPS for 40%; about 1.5 KB of
//!   Gumnut JSON per record;
//! - owners (Immich users): every library has one, `owner_id(0)` for the first and third
//!   (80% of the assets, in two libraries) and `owner_id(1)` for the second (20%); one library
//!   below `MULTI_LIBRARY_MIN` is `owner_id(0)`'s. Each record names its owner;
//! - devices: each owner has three (`device_id(owner, 0..3)`, 60% / 30% / 10% of its assets),
//!   each asset a distinct `device_asset_id`; a random SHA-1 (and SHA-256) per asset.
//!
//! Owners and devices are drawn from a second generator of their own, so adding them left
//! every other value (and every earlier benchmark row's data) as it was.
#![allow(dead_code)]

pub mod search_cases;
#[cfg(feature = "sqlite-baseline")]
pub mod sqlite;
#[cfg(feature = "sqlite-baseline")]
pub mod sqlite_immich;
#[cfg(feature = "sqlite-baseline")]
pub mod sqlite_search;

use std::ops::Range;

use photocat::{
    AddAssets, BoundingBox, DateTimeInput, Exif, NewAlbum, NewAsset, NewFace, NewLibrary,
    NewPerson, Visibility,
};

/// SplitMix64: a tiny, fast, reproducible PRNG (no dependency, stable across versions).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// Zipf(s = 1) over `0..n` by inverse CDF.
pub struct Zipf {
    cdf: Vec<f64>,
}

impl Zipf {
    pub fn new(n: usize) -> Self {
        let mut cdf = Vec::with_capacity(n);
        let mut sum = 0.0;
        for k in 1..=n {
            sum += 1.0 / k as f64;
            cdf.push(sum);
        }
        for c in &mut cdf {
            *c /= sum;
        }
        Zipf { cdf }
    }
    pub fn sample(&self, rng: &mut Rng) -> usize {
        let u = rng.unit();
        self.cdf.partition_point(|&c| c < u).min(self.cdf.len() - 1)
    }
}

pub const ALBUMS: usize = 2_000;
pub const PEOPLE: usize = 5_000;
/// From this many assets on, a dataset has three libraries; below it, one.
pub const MULTI_LIBRARY_MIN: usize = 1_000;
/// The libraries' shares of the assets and albums, in tenths (main library first).
pub const LIBRARY_TENTHS: [usize; 3] = [7, 2, 1];
/// The index of the main (largest) library in [`Dataset::libraries`].
pub const MAIN: usize = 0;

pub fn library_id(l: usize) -> String {
    format!("library_{l}")
}
pub fn album_id(i: usize) -> String {
    format!("album_{i:05}")
}
pub fn person_id(i: usize) -> String {
    format!("person_{i:05}")
}
pub fn asset_id(i: usize) -> String {
    format!("asset_{i:08}")
}
pub fn owner_id(u: usize) -> String {
    format!("user_{u}")
}
pub fn device_id(owner: usize, k: usize) -> String {
    format!("device_u{owner}_{k}")
}

/// The owner (index for [`owner_id`]) of library `l`.
pub fn library_owner(l: usize) -> usize {
    [0, 1, 0][l]
}

/// The devices per owner, and their shares of the owner's assets in percent.
pub const DEVICE_PERCENT: [u64; 3] = [60, 30, 10];

/// One library of a dataset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Library {
    pub id: String,
    pub name: String,
    /// Its owner's id ([`owner_id`]).
    pub owner: String,
    /// Its assets: `asset_id(i)` and `Dataset::assets[i]` for `i` in the range.
    pub assets: Range<usize>,
    /// Its albums: `album_id(a)` and `Dataset::album_members[a]` for `a` in the range.
    pub albums: Range<usize>,
}

/// One generated catalogue: the libraries, the asset records (faces and people inside) and
/// album membership.
pub struct Dataset {
    /// Largest first (`libraries[MAIN]`); their asset and album ranges are consecutive.
    pub libraries: Vec<Library>,
    /// In index order: `assets[i]` has id `asset_id(i)`.
    pub assets: Vec<NewAsset>,
    /// `album_members[a]` = ids of the assets in album `a`, all of the album's library.
    pub album_members: Vec<Vec<String>>,
}

impl Dataset {
    /// The main (largest) library.
    pub fn main(&self) -> &Library {
        &self.libraries[MAIN]
    }

    /// The index in `libraries` of asset `i`'s library.
    pub fn library_of_asset(&self, i: usize) -> usize {
        self.libraries
            .iter()
            .position(|l| l.assets.contains(&i))
            .expect("asset index out of range")
    }

    /// The owner with the most assets (any state), and its asset indexes in index order.
    pub fn largest_owner(&self) -> (String, Vec<usize>) {
        let mut by: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
        for (i, r) in self.assets.iter().enumerate() {
            by.entry(r.owner_id.as_deref().expect("every record names its owner"))
                .or_default()
                .push(i);
        }
        by.into_iter()
            .max_by_key(|(o, v)| (v.len(), std::cmp::Reverse(*o)))
            .map(|(o, v)| (o.to_owned(), v))
            .unwrap_or_default()
    }

    /// The index in `libraries` of album `a`'s library.
    pub fn library_of_album(&self, a: usize) -> usize {
        self.libraries
            .iter()
            .position(|l| l.albums.contains(&a))
            .expect("album index out of range")
    }

    /// The records to load, in order, in batches of at most `size` records of one library,
    /// each with the options that write it to its library.
    pub fn batches(&self, size: usize) -> impl Iterator<Item = (AddAssets, &[NewAsset])> + '_ {
        self.libraries.iter().flat_map(move |l| {
            self.assets[l.assets.clone()]
                .chunks(size)
                .map(move |chunk| {
                    (
                        AddAssets {
                            library_id: Some(l.id.clone()),
                            ..AddAssets::default()
                        },
                        chunk,
                    )
                })
        })
    }

    /// The album of library `l` with the most members (the first such).
    pub fn largest_album(&self, l: usize) -> usize {
        let albums = self.libraries[l].albums.clone();
        albums
            .clone()
            .max_by_key(|&a| (self.album_members[a].len(), std::cmp::Reverse(a)))
            .unwrap_or(albums.start)
    }

    /// The people with a face in library `l`, by the number of the library's assets (any
    /// state) with a face of them, most first (ties by index): `(person index, assets)`.
    pub fn people_by_size(&self, l: usize) -> Vec<(usize, usize)> {
        let mut counts = vec![0usize; PEOPLE];
        for rec in &self.assets[self.libraries[l].assets.clone()] {
            let mut seen: Vec<&str> = Vec::new();
            for f in rec.faces.iter().flatten() {
                let p = f.person_id.as_deref().unwrap();
                if !seen.contains(&p) {
                    seen.push(p);
                    counts[p["person_".len()..].parse::<usize>().unwrap()] += 1;
                }
            }
        }
        let mut v: Vec<(usize, usize)> = counts
            .into_iter()
            .enumerate()
            .filter(|&(_, c)| c > 0)
            .collect();
        v.sort_by_key(|&(p, c)| (std::cmp::Reverse(c), p));
        v
    }
}

/// Splits `total` items over `parts` libraries by [`LIBRARY_TENTHS`] (the last takes the
/// rounding), as consecutive ranges.
fn split(total: usize, parts: usize) -> Vec<Range<usize>> {
    let mut out = Vec::with_capacity(parts);
    let mut start = 0;
    for (l, tenths) in LIBRARY_TENTHS[..parts].iter().enumerate() {
        let len = if l + 1 == parts {
            total - start
        } else {
            total * tenths / 10
        };
        out.push(start..start + len);
        start += len;
    }
    out
}

const MAKES: [(&str, &str, &str); 6] = [
    (
        "Apple",
        "iPhone 13 Pro Max",
        "iPhone 13 Pro Max back triple camera 5.7mm f/1.5",
    ),
    ("Canon", "Canon EOS R5", "RF24-105mm F4 L IS USM"),
    ("SONY", "ILCE-7M3", "FE 24-70mm F2.8 GM"),
    ("FUJIFILM", "X-T4", "XF16-80mmF4 R OIS WR"),
    ("samsung", "SM-G965W", "Samsung Galaxy S9+ Rear Camera"),
    ("NIKON CORPORATION", "NIKON D5000", "18.0-55.0 mm f/3.5-5.6"),
];
const OFFSETS: [i32; 8] = [0, 3600, 7200, -18000, -25200, 19800, 32400, 36000];
const CITIES: [(&str, &str, &str); 4] = [
    ("Paris", "Ile-de-France", "France"),
    ("Seattle", "Washington", "United States"),
    ("Kyoto", "Kyoto", "Japan"),
    ("Aarhus", "Central Denmark", "Denmark"),
];

/// Generates `n` assets with `seed`.
pub fn generate(n: usize, seed: u64) -> Dataset {
    let mut rng = Rng::new(seed);
    // Owners' devices: a stream of its own, so the main stream's values are as before.
    let mut device_rng = Rng::new(seed ^ 0x6465_7669_6365_7321);
    let parts = if n >= MULTI_LIBRARY_MIN { 3 } else { 1 };
    let libraries: Vec<Library> = split(n, parts)
        .into_iter()
        .zip(split(ALBUMS, parts))
        .enumerate()
        .map(|(l, (assets, albums))| Library {
            id: library_id(l),
            name: format!("Library {l}"),
            owner: owner_id(library_owner(l)),
            assets,
            albums,
        })
        .collect();
    // Album sizes are Zipf within each library: rank k of library l is album `albums.start + k`.
    let album_zipfs: Vec<Zipf> = libraries
        .iter()
        .map(|l| Zipf::new(l.albums.len()))
        .collect();
    let person_zipf = Zipf::new(PEOPLE);
    let start = chrono::NaiveDate::from_ymd_opt(2010, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let span_secs = 15 * 365 * 86_400u64;
    let mut album_members = vec![Vec::new(); ALBUMS];
    let mut seen_people = vec![false; PEOPLE];
    let mut assets = Vec::with_capacity(n);
    let mut last_secs = 0i64;
    for i in 0..n {
        let id = asset_id(i);
        let lib = libraries
            .iter()
            .position(|l| l.assets.contains(&i))
            .unwrap();
        // 5% of assets share the second of the previous one (bursts).
        let secs = if i > 0 && rng.chance(0.05) {
            last_secs
        } else {
            rng.below(span_secs) as i64
        };
        last_secs = secs;
        let naive = start + chrono::Duration::seconds(secs);
        let offset = if rng.below(3) == 0 {
            None
        } else {
            chrono::FixedOffset::east_opt(OFFSETS[rng.below(OFFSETS.len() as u64) as usize])
        };
        let (make, model, lens) = MAKES[rng.below(MAKES.len() as u64) as usize];
        let gps = rng.chance(0.4);
        let (city, state, country) = CITIES[rng.below(CITIES.len() as u64) as usize];
        let exif = Exif {
            make: Some(make.into()),
            model: Some(model.into()),
            orientation: Some([1, 1, 1, 6, 8, 3][rng.below(6) as usize]),
            original_datetime: Some(naive.and_utc()),
            lens_model: Some(lens.into()),
            f_number: Some([1.5, 1.8, 2.8, 4.0, 5.6][rng.below(5) as usize]),
            focal_length: Some(4.0 + rng.below(200) as f64 / 4.0),
            iso: Some([50, 100, 200, 400, 800, 3200][rng.below(6) as usize]),
            exposure_time: Some(1.0 / [30.0, 60.0, 125.0, 250.0, 1000.0][rng.below(5) as usize]),
            exposure_bias: Some(0.0),
            latitude: gps.then(|| rng.unit() * 180.0 - 90.0),
            longitude: gps.then(|| rng.unit() * 360.0 - 180.0),
            altitude: gps.then(|| rng.unit() * 500.0),
            city: gps.then(|| city.into()),
            state: gps.then(|| state.into()),
            country: gps.then(|| country.into()),
            profile_description: Some("Display P3".into()),
            ..Exif::default()
        };
        // ~1.5 faces per asset: 0..=3 faces.
        let nfaces = [0, 1, 1, 2, 2, 3][rng.below(6) as usize];
        let mut faces = Vec::new();
        let mut people = Vec::new();
        for f in 0..nfaces {
            let p = person_zipf.sample(&mut rng);
            if !seen_people[p] {
                seen_people[p] = true;
                people.push(NewPerson {
                    id: Some(person_id(p)),
                    name: (!p.is_multiple_of(3)).then(|| format!("Person {p}")),
                    ..NewPerson::default()
                });
            }
            faces.push(NewFace {
                id: Some(format!("face_{i:08}_{f}")),
                person_id: Some(person_id(p)),
                bounding_box: BoundingBox {
                    x: rng.below(3000) as i32,
                    y: rng.below(2000) as i32,
                    w: 100 + rng.below(300) as i32,
                    h: 100 + rng.below(300) as i32,
                },
                ..NewFace::default()
            });
        }
        for _ in 0..rng.below(4) {
            let a = libraries[lib].albums.start + album_zipfs[lib].sample(&mut rng);
            if album_members[a].last() != Some(&id) {
                album_members[a].push(id.clone());
            }
        }
        let mut sha = [0u8; 32];
        let mut sha1 = [0u8; 20];
        for b in sha.iter_mut().chain(sha1.iter_mut()) {
            *b = rng.below(256) as u8;
        }
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD;
        assets.push(NewAsset {
            id: Some(id.clone()),
            device_asset_id: Some(format!("IMG_{i:06}")),
            device_id: Some({
                let r = device_rng.below(100);
                let k = if r < DEVICE_PERCENT[0] {
                    0
                } else if r < DEVICE_PERCENT[0] + DEVICE_PERCENT[1] {
                    1
                } else {
                    2
                };
                device_id(library_owner(lib), k)
            }),
            mime_type: Some("image/jpeg".into()),
            original_file_name: Some(format!("IMG_{i:06}.JPG")),
            local_datetime: Some(DateTimeInput { naive, offset }),
            checksum: Some(b64.encode(sha)),
            checksum_sha1: Some(b64.encode(sha1)),
            exif: Some(exif),
            description: rng
                .chance(0.3)
                .then(|| "A generated photo of a generated place".into()),
            faces: Some(faces),
            people: Some(people),
            width: Some(4032),
            height: Some(3024),
            file_size_bytes: Some(1_000_000 + rng.below(5_000_000)),
            trashed_at: rng
                .chance(0.03)
                .then(|| chrono::DateTime::from_timestamp(1_700_000_000 + i as i64, 0).unwrap()),
            is_favorite: Some(rng.chance(0.05)),
            visibility: Some(if rng.chance(0.04) {
                Visibility::Archive
            } else {
                Visibility::Timeline
            }),
            library_id: Some(libraries[lib].id.clone()),
            owner_id: Some(libraries[lib].owner.clone()),
            ..NewAsset::default()
        });
    }
    Dataset {
        libraries,
        assets,
        album_members,
    }
}

/// `PHOTOCAT_BENCH_N`, the number of assets a benchmark generates (default 100,000).
pub fn bench_n() -> usize {
    std::env::var("PHOTOCAT_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

/// A new catalogue file `name` in a temporary folder, with the dataset's libraries.
fn new_file(
    data: &Dataset,
    name: &str,
) -> (tempfile::TempDir, std::path::PathBuf, photocat::Catalog) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    let cat = photocat::Catalog::open(&path).unwrap();
    load_libraries(&cat, data);
    (dir, path, cat)
}

/// A new catalogue file in a temporary folder with the dataset's libraries and assets (loaded
/// in batches of 50,000, one `add_assets` each), and the seconds those calls took.
pub fn load_new_file(
    data: &Dataset,
    name: &str,
) -> (
    tempfile::TempDir,
    std::path::PathBuf,
    photocat::Catalog,
    f64,
) {
    let (dir, path, cat) = new_file(data, name);
    let mut secs = 0.0;
    for (opts, chunk) in data.batches(50_000) {
        let records = chunk.to_vec();
        let t = std::time::Instant::now();
        cat.add_assets(records, opts).unwrap();
        secs += t.elapsed().as_secs_f64();
    }
    (dir, path, cat, secs)
}

/// The seconds each step of [`load_user_build`] took.
#[derive(Debug, Default, Clone, Copy)]
pub struct UserBuild {
    pub add_assets: f64,
    pub add_faces: f64,
    pub albums: f64,
    pub trash: f64,
}

impl UserBuild {
    pub fn total(&self) -> f64 {
        self.add_assets + self.add_faces + self.albums + self.trash
    }

    /// The build of `n` assets in words: its time, rate and steps.
    pub fn describe(&self, n: usize) -> String {
        format!(
            "{n} assets in {:.1} s ({:.0} assets/s): add_assets {:.2} s, add_faces {:.2} s, \
             albums {:.2} s, trash {:.2} s",
            self.total(),
            n as f64 / self.total(),
            self.add_assets,
            self.add_faces,
            self.albums,
            self.trash
        )
    }
}

/// A new catalogue file built the way a user builds one (issue 14): per batch of 50,000, the
/// records without faces or trash in one `add_assets`, then that batch's faces in one
/// `add_faces`; then every album created and linked (one `add_to_album` per album); then the
/// trashed assets in one `trash_assets`. The same dataset as [`load_new_file`], arrived at by
/// the calls a user makes; no `compact()`.
pub fn load_user_build(
    data: &Dataset,
    name: &str,
) -> (
    tempfile::TempDir,
    std::path::PathBuf,
    photocat::Catalog,
    UserBuild,
) {
    let (dir, path, cat) = new_file(data, name);
    let mut took = UserBuild::default();
    let mut trashed = Vec::new();
    for (opts, chunk) in data.batches(50_000) {
        let mut faces = Vec::new();
        let records: Vec<NewAsset> = chunk
            .iter()
            .map(|r| {
                let mut r = r.clone();
                let id = r.id.clone().expect("generated records have ids");
                for mut f in r.faces.take().unwrap_or_default() {
                    f.asset_id = Some(id.clone());
                    faces.push(f);
                }
                if r.trashed_at.take().is_some() {
                    trashed.push(id);
                }
                r
            })
            .collect();
        let t = std::time::Instant::now();
        cat.add_assets(records, opts).unwrap();
        took.add_assets += t.elapsed().as_secs_f64();
        let t = std::time::Instant::now();
        cat.add_faces(faces).unwrap();
        took.add_faces += t.elapsed().as_secs_f64();
    }
    let t = std::time::Instant::now();
    load_albums(&cat, data);
    took.albums = t.elapsed().as_secs_f64();
    let t = std::time::Instant::now();
    cat.trash_assets(&trashed).unwrap();
    took.trash = t.elapsed().as_secs_f64();
    (dir, path, cat, took)
}

/// Creates the dataset's libraries (before any asset is loaded).
pub fn load_libraries(cat: &photocat::Catalog, data: &Dataset) {
    for l in &data.libraries {
        cat.create_library(NewLibrary {
            name: l.name.clone(),
            id: Some(l.id.clone()),
            owner_id: Some(l.owner.clone()),
        })
        .unwrap();
    }
}

/// Creates the dataset's albums, each in its library, and links their members (one
/// transaction per album).
pub fn load_albums(cat: &photocat::Catalog, data: &Dataset) {
    for l in &data.libraries {
        for a in l.albums.clone() {
            let album = cat
                .create_album(NewAlbum {
                    name: format!("Album {a}"),
                    id: Some(album_id(a)),
                    library_id: Some(l.id.clone()),
                    ..NewAlbum::default()
                })
                .unwrap();
            for chunk in data.album_members[a].chunks(10_000) {
                cat.add_to_album(&album.id, chunk).unwrap();
            }
        }
    }
}

/// Builds a catalogue from a dataset: the libraries, the assets in batches of `batch` (in
/// index order), then the albums and their links.
pub fn load(cat: &photocat::Catalog, data: &Dataset, batch: usize) {
    load_libraries(cat, data);
    for (opts, chunk) in data.batches(batch) {
        cat.add_assets(chunk.to_vec(), opts).unwrap();
    }
    load_albums(cat, data);
}
