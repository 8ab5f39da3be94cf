//! The README's main job in Rust: add the sample assets (Gumnut-shaped JSON records) to a
//! catalogue file, then print the newest page as Gumnut JSON and a short table.
//!
//! ```text
//! cargo run --release --example import_and_list -- photos.redb tests/data/sample_assets.json
//! ```

use photocat::{AddAssets, Catalog, ListAssets, NewAsset, OnDuplicate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let catalog = args.next().unwrap_or_else(|| "photos.redb".into());
    let records = args
        .next()
        .unwrap_or_else(|| "tests/data/sample_assets.json".into());

    let cat = Catalog::open(&catalog)?;
    let records: Vec<NewAsset> = serde_json::from_str(&std::fs::read_to_string(&records)?)?;
    let added = cat.add_assets(
        records,
        AddAssets {
            on_duplicate: OnDuplicate::Skip,
            ..Default::default()
        },
    )?;
    eprintln!("{} records in {catalog}", added.len());

    let page = cat.list_assets(&ListAssets {
        limit: 5,
        ..Default::default()
    })?;
    println!("{}", serde_json::to_string_pretty(&page)?);
    eprintln!();
    eprintln!(
        "{:<28} {:<32} {:<22} file",
        "id", "local_datetime", "camera"
    );
    for a in &page.data {
        let camera = a
            .exif
            .as_ref()
            .and_then(|e| e.model.clone())
            .unwrap_or_default();
        let when = photocat::model::time::format_local(
            a.local_datetime,
            a.local_offset.map(|o| o.local_minus_utc()),
        );
        eprintln!(
            "{:<28} {:<32} {:<22} {}",
            a.id, when, camera, a.original_file_name
        );
    }
    eprintln!("has_more: {}", page.has_more);
    cat.close()?;
    Ok(())
}
