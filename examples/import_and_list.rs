//! The main job in Rust: import the sample photos and videos into a catalogue file, then print
//! the newest page as Gumnut JSON and a short table.
//!
//! ```text
//! cargo run --release --example import_and_list -- photos.redb tests/data/photos
//! ```

use photocat::{Catalog, ImportPaths, ListAssets};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let catalog = args.next().unwrap_or_else(|| "photos.redb".into());
    let folder = args.next().unwrap_or_else(|| "tests/data/photos".into());

    let cat = Catalog::open(&catalog)?;
    let mut progress = |done: usize, total: usize| {
        eprint!("\rimporting {done}/{total} files");
        true
    };
    let report = cat.import_paths(
        &[&folder],
        ImportPaths {
            progress: Some(&mut progress),
            ..Default::default()
        },
    )?;
    eprintln!(
        "\n{} created, {} duplicates, {} failed -> {catalog}",
        report.created.len(),
        report.duplicates.len(),
        report.failed.len()
    );
    for (path, reason) in &report.failed {
        eprintln!("  failed {}: {reason}", path.display());
    }

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
