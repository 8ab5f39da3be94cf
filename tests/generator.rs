//! The benchmark dataset generator (`benches/common`) has the shape issue 4 specifies, is
//! deterministic, and loads into a catalogue whose queries behave.

#[path = "../benches/common/mod.rs"]
mod common;

use photocat::{Catalog, ListAssets, State};

#[test]
fn generator_is_deterministic_and_has_the_specified_shape() {
    let n = 20_000;
    let a = common::generate(n, 1);
    let b = common::generate(n, 1);
    assert_eq!(a.assets, b.assets, "same seed, same dataset");
    assert_ne!(
        common::generate(100, 2).assets,
        common::generate(100, 3).assets
    );

    let share = |f: &dyn Fn(&photocat::NewAsset) -> bool| {
        a.assets.iter().filter(|r| f(r)).count() as f64 / n as f64
    };
    let trashed = share(&|r| r.trashed_at.is_some());
    let favorite = share(&|r| r.is_favorite == Some(true));
    let archived = share(&|r| r.visibility == Some(photocat::Visibility::Archive));
    let gps = share(&|r| r.exif.as_ref().is_some_and(|e| e.latitude.is_some()));
    let no_offset = share(&|r| r.local_datetime.unwrap().offset.is_none());
    let faces: usize = a
        .assets
        .iter()
        .map(|r| r.faces.as_ref().map_or(0, Vec::len))
        .sum();
    for (name, got, want) in [
        ("trashed", trashed, 0.03),
        ("favorite", favorite, 0.05),
        ("archived", archived, 0.04),
        ("gps", gps, 0.40),
        ("no offset", no_offset, 1.0 / 3.0),
        ("faces per asset", faces as f64 / n as f64, 1.5),
    ] {
        assert!((got - want).abs() < want * 0.15, "{name}: {got} vs {want}");
    }
    // ~5% of assets share their second with another.
    let mut seconds: Vec<_> = a
        .assets
        .iter()
        .map(|r| r.local_datetime.unwrap().naive)
        .collect();
    seconds.sort();
    let tied = seconds.windows(2).filter(|w| w[0] == w[1]).count() as f64 / n as f64;
    assert!((0.03..0.08).contains(&tied), "ties {tied}");
    // Albums: Zipf sizes, each asset in 0 to 3.
    let sizes: Vec<usize> = a.album_members.iter().map(Vec::len).collect();
    assert_eq!(sizes.len(), common::ALBUMS);
    assert!(
        sizes[0] > 10 * sizes[1000].max(1),
        "largest {} vs middle {}",
        sizes[0],
        sizes[1000]
    );
    // A generated record is ~1.5 to 2 KB of Gumnut JSON once stored.
    let cat = Catalog::in_memory().unwrap();
    common::load(&cat, &common::generate(500, 9), 250);
    let page = cat
        .list_assets(&ListAssets {
            limit: 200,
            state: State::All,
            ..Default::default()
        })
        .unwrap();
    let per_record = page.to_json().len() / page.data.len();
    assert!(
        (1_200..2_500).contains(&per_record),
        "{per_record} bytes per record"
    );
}
