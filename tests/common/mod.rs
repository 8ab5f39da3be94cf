//! Fixtures shared by the integration tests.
#![allow(dead_code)]

use photocat::{Catalog, ListAssets, NewAsset};

/// A record with an explicit id and capture time (ISO 8601, naive or with an offset).
pub fn asset(id: &str, when: &str) -> NewAsset {
    NewAsset {
        id: Some(id.into()),
        local_datetime: Some(when.parse().unwrap()),
        ..Default::default()
    }
}

/// Every id of a query, following `starting_after_id` as a client would.
pub fn walk(cat: &Catalog, q: ListAssets) -> Vec<String> {
    let mut out = Vec::new();
    let mut q = q;
    loop {
        let p = cat.list_assets(&q).unwrap();
        out.extend(p.data.iter().map(|a| a.id.clone()));
        if !p.has_more {
            return out;
        }
        q.starting_after_id = Some(p.data.last().unwrap().id.clone());
    }
}

/// Every id of a query, through `iter_assets`.
pub fn iter_ids(cat: &Catalog, q: ListAssets) -> Vec<String> {
    cat.iter_assets(q, 200)
        .unwrap()
        .map(|a| a.unwrap().id)
        .collect()
}

/// Compares `actual` with `tests/data/golden/NAME` (trailing newline ignored);
/// `PHOTOCAT_BLESS=1` rewrites the file first.
pub fn golden(name: &str, actual: &str) {
    let path = format!("{}/tests/data/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("PHOTOCAT_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        actual,
        expected.trim_end(),
        "golden file {name} differs (PHOTOCAT_BLESS=1 rewrites it)"
    );
}

/// Random numbers for the process and thread tests: SplitMix64 (tiny, portable, a fixed
/// sequence per seed, so a failing seed replays).
pub struct Rng(pub u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5851_F42D_4C95_7F2D)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.next() as usize % items.len()]
    }
    /// Up to `k` distinct items, in random order.
    pub fn sample<T: Clone>(&mut self, items: &[T], k: usize) -> Vec<T> {
        let mut idx: Vec<usize> = (0..items.len()).collect();
        let k = k.min(items.len());
        for i in 0..k {
            let j = i + self.next() as usize % (idx.len() - i);
            idx.swap(i, j);
        }
        idx[..k].iter().map(|&i| items[i].clone()).collect()
    }
}
