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
