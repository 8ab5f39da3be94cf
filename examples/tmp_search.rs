#[path = "../benches/common/mod.rs"]
mod common;
use photocat::*;
use std::time::Instant;
fn main() -> Result<()> {
    let n: usize = std::env::args().nth(1).unwrap().parse().unwrap();
    let data = common::generate(n, 42);
    let cat = Catalog::in_memory()?;
    let t = Instant::now();
    common::load(&cat, &data, 50_000);
    eprintln!("load {:?}", t.elapsed());
    let people = data.people_by_size(0);
    let lib = Some(common::library_id(0));
    let q = |s: SearchAssets| -> (u64, std::time::Duration) {
        let t = Instant::now();
        let mut total = 0;
        for _ in 0..5 {
            total = cat.search_assets(&s).unwrap().total;
        }
        (total, t.elapsed() / 5)
    };
    println!(
        "make {:?}",
        q(SearchAssets {
            library_id: lib.clone(),
            make: Some("Canon".into()),
            ..Default::default()
        })
    );
    println!(
        "person+city {:?}",
        q(SearchAssets {
            library_id: lib.clone(),
            person_ids: Some(vec![common::person_id(people[0].0)]),
            city: Some("Paris".into()),
            ..Default::default()
        })
    );
    println!(
        "make+city {:?}",
        q(SearchAssets {
            library_id: lib.clone(),
            make: Some("Canon".into()),
            city: Some("Paris".into()),
            ..Default::default()
        })
    );
    println!(
        "make+year {:?}",
        q(SearchAssets {
            library_id: lib.clone(),
            make: Some("Canon".into()),
            captured_after: Some("2019-12-31T23:59:59".parse()?),
            captured_before: Some("2021-01-01T00:00:00".parse()?),
            ..Default::default()
        })
    );
    println!(
        "name {:?}",
        q(SearchAssets {
            library_id: lib.clone(),
            original_file_name: Some("img_0123".into()),
            ..Default::default()
        })
    );
    println!(
        "desc {:?}",
        q(SearchAssets {
            library_id: lib.clone(),
            description: Some("PLACE".into()),
            ..Default::default()
        })
    );
    let t = Instant::now();
    let b = cat.time_buckets(&TimeBuckets {
        library_id: lib.clone(),
        ..Default::default()
    })?;
    println!("months {} {:?}", b.len(), t.elapsed());
    Ok(())
}
