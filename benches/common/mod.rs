//! A deterministic (seeded) generator of realistic catalogues, shared by the benches and the
//! tests (`#[path]`-included; not part of the library build).
//!
//! Shape of a generated catalogue of `n` assets:
//! - `local_datetime` spread over 15 years, with bursts: about 5% of assets share their second
//!   with others;
//! - offsets: a third unknown, the rest from a set of real offsets;
//! - 2,000 albums with Zipf-distributed sizes (each asset in 0 to 3 albums);
//! - 5,000 people, about 1.5 faces per asset (Zipf over people);
//! - 3% trashed, 5% favourite, 4% archived; full EXIF for all, GPS for 40%.
#![allow(dead_code)]

#[cfg(feature = "sqlite-baseline")]
pub mod sqlite;

use photocat::{BoundingBox, DateTimeInput, Exif, NewAsset, NewFace, NewPerson, Visibility};

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

pub fn album_id(i: usize) -> String {
    format!("album_{i:05}")
}
pub fn person_id(i: usize) -> String {
    format!("person_{i:05}")
}
pub fn asset_id(i: usize) -> String {
    format!("asset_{i:08}")
}

/// One generated catalogue: the asset records (faces and people inside) and album membership.
pub struct Dataset {
    pub assets: Vec<NewAsset>,
    /// `album_members[a]` = ids of the assets in album `a`.
    pub album_members: Vec<Vec<String>>,
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
    let album_zipf = Zipf::new(ALBUMS);
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
            let a = album_zipf.sample(&mut rng);
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
            device_id: Some("bench-device".into()),
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
            ..NewAsset::default()
        });
    }
    Dataset {
        assets,
        album_members,
    }
}

/// Creates the dataset's albums and links their members (one transaction per album).
pub fn load_albums(cat: &photocat::Catalog, data: &Dataset) {
    for (a, members) in data.album_members.iter().enumerate() {
        let album = cat
            .create_album(photocat::NewAlbum {
                name: format!("Album {a}"),
                id: Some(album_id(a)),
                ..Default::default()
            })
            .unwrap();
        for chunk in members.chunks(10_000) {
            cat.add_to_album(&album.id, chunk).unwrap();
        }
    }
}

/// Builds a catalogue from a dataset: assets in batches of `batch`, then the album links.
pub fn load(cat: &photocat::Catalog, data: &Dataset, batch: usize) {
    for chunk in data.assets.chunks(batch) {
        cat.add_assets(chunk.to_vec(), photocat::AddAssets::default())
            .unwrap();
    }
    load_albums(cat, data);
}
