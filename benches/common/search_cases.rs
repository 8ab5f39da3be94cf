//! The queries of `benches/search.rs` (issue 13), shared with `examples/profile_search.rs`:
//! time buckets and searches of the main library of a generated dataset.
#![allow(dead_code)]

use photocat::{BucketSize, DateTimeInput, SearchAssets, TimeBuckets};

use super::{album_id, person_id, Dataset, MAIN};

/// What the queries name, picked in the main (largest) library.
#[derive(Clone, Debug)]
pub struct Targets {
    pub library: String,
    /// The largest album and its number of members.
    pub album_largest: (String, usize),
    /// The person with the most assets, and that number (any state).
    pub person_largest: (String, usize),
    /// A person of the Zipf tail: the one with the fewest assets among those with at least 20.
    pub person_rare: (String, usize),
}

impl Targets {
    pub fn of(data: &Dataset) -> Targets {
        let album = data.largest_album(MAIN);
        let people = data.people_by_size(MAIN);
        let rare = people
            .iter()
            .rev()
            .find(|&&(_, c)| c >= 20)
            .unwrap_or(&people[0]);
        Targets {
            library: data.main().id.clone(),
            album_largest: (album_id(album), data.album_members[album].len()),
            person_largest: (person_id(people[0].0), people[0].1),
            person_rare: (person_id(rare.0), rare.1),
        }
    }
}

/// The bucket queries, by name.
pub fn bucket_cases(t: &Targets) -> Vec<(&'static str, TimeBuckets)> {
    let base = TimeBuckets {
        library_id: Some(t.library.clone()),
        ..TimeBuckets::default()
    };
    vec![
        ("buckets_month_library", base.clone()),
        (
            "buckets_month_album_largest",
            TimeBuckets {
                album_id: Some(t.album_largest.0.clone()),
                ..base.clone()
            },
        ),
        (
            "buckets_month_person_largest",
            TimeBuckets {
                person_id: Some(t.person_largest.0.clone()),
                ..base.clone()
            },
        ),
        (
            "buckets_year_library",
            TimeBuckets {
                size: BucketSize::Year,
                ..base.clone()
            },
        ),
        (
            "buckets_week_library",
            TimeBuckets {
                size: BucketSize::Week,
                ..base.clone()
            },
        ),
        (
            "buckets_day_library",
            TimeBuckets {
                size: BucketSize::Day,
                ..base
            },
        ),
    ]
}

fn naive(s: &str) -> DateTimeInput {
    s.parse().unwrap()
}

/// The searches, by name: pages of 20 (the default limit) with their exact totals.
pub fn search_cases(t: &Targets) -> Vec<(&'static str, SearchAssets)> {
    let base = SearchAssets {
        library_id: Some(t.library.clone()),
        ..SearchAssets::default()
    };
    // A sixth of the assets (six makes, uniform).
    let canon = || Some("Canon".to_owned());
    // A tenth (four cities over the 40% with GPS).
    let kyoto = || Some("Kyoto".to_owned());
    vec![
        (
            "make_20",
            SearchAssets {
                make: canon(),
                ..base.clone()
            },
        ),
        (
            "city_20",
            SearchAssets {
                city: kyoto(),
                ..base.clone()
            },
        ),
        (
            "person_rare_20",
            SearchAssets {
                person_ids: Some(vec![t.person_rare.0.clone()]),
                ..base.clone()
            },
        ),
        (
            "make_page_100",
            SearchAssets {
                make: canon(),
                page: 100,
                ..base.clone()
            },
        ),
        (
            "person_largest_city_20",
            SearchAssets {
                person_ids: Some(vec![t.person_largest.0.clone()]),
                city: kyoto(),
                ..base.clone()
            },
        ),
        (
            "make_year_20",
            SearchAssets {
                make: canon(),
                // Exclusive bounds: the calendar year 2017 exactly.
                captured_after: Some(naive("2016-12-31T23:59:59.999999")),
                captured_before: Some(naive("2018-01-01T00:00:00")),
                ..base.clone()
            },
        ),
        (
            "file_name_20",
            SearchAssets {
                // Names are `IMG_{i:06}.JPG`: i % 1000 == 123, a thousandth of the library at
                // every N, found case-insensitively.
                original_file_name: Some("123.jpg".into()),
                ..base.clone()
            },
        ),
        (
            "description_20",
            SearchAssets {
                // 30% of the assets have "A generated photo of a generated place".
                description: Some("Generated PLACE".into()),
                ..base.clone()
            },
        ),
        (
            "make_city_favorite_20",
            SearchAssets {
                make: canon(),
                city: kyoto(),
                is_favorite: Some(true),
                ..base.clone()
            },
        ),
        // The majority values, which format 5 answers as the library minus the other values.
        (
            "not_favorite_page_100",
            SearchAssets {
                is_favorite: Some(false),
                page: 100,
                ..base.clone()
            },
        ),
        (
            "image_make_20",
            SearchAssets {
                asset_type: Some(photocat::AssetType::Image),
                make: canon(),
                ..base.clone()
            },
        ),
        (
            "timeline_year_20",
            SearchAssets {
                visibility: Some(photocat::Visibility::Timeline),
                captured_after: Some(naive("2016-12-31T23:59:59.999999")),
                captured_before: Some(naive("2018-01-01T00:00:00")),
                ..base
            },
        ),
    ]
}
