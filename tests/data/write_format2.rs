// The program that wrote tests/data/format2.redb, run as an example of photocat at commit
// 216a483 (format 2): `cargo run --example write_format2 -- tests/data/format2.redb`. Kept for
// the record; it is not compiled here (the API it uses may have moved on).
use chrono::{TimeZone, Utc};
use photocat::*;
fn main() -> Result<()> {
    let path = std::env::args().nth(1).unwrap();
    let cat = Catalog::open(&path)?;
    for (id, owner) in [("library_ann", Some("user_ann")), ("library_bo", Some("user_bo")), ("library_shared", None)] {
        cat.create_library(NewLibrary { name: id.into(), id: Some(id.into()), owner_id: owner.map(Into::into) })?;
    }
    let mut n = 0u32;
    for (lib, owner) in [("library_ann", Some("user_ann")), ("library_bo", Some("user_bo")), ("library_shared", None)] {
        let mut recs = Vec::new();
        for i in 0..8u32 {
            n += 1;
            let sha1 = {
                use sha1::Digest;
                use base64::Engine;
                base64::engine::general_purpose::STANDARD.encode(sha1::Sha1::digest(format!("bytes {n}")))
            };
            recs.push(NewAsset {
                id: Some(format!("asset_{lib}_{i}").replace("library_", "")),
                device_id: (i % 2 == 0).then(|| format!("phone_{}", lib)),
                device_asset_id: Some(format!("dev{i}")),
                // Ties: assets 0 and 1 share a file_created_at.
                file_created_at: Some(Utc.with_ymd_and_hms(2020 + (i / 2) as i32, 1 + i % 12, 5, 12, 0, 0).unwrap()),
                local_datetime: Some(format!("2021-03-0{}T10:00:00+01:00", 1 + i % 8).parse()?),
                checksum_sha1: Some(sha1),
                owner_id: owner.map(Into::into),
                is_favorite: Some(i % 3 == 0),
                visibility: Some(match i { 5 => Visibility::Archive, 6 => Visibility::Hidden, 7 => Visibility::Locked, _ => Visibility::Timeline }),
                ..Default::default()
            });
        }
        cat.add_assets(recs, AddAssets { library_id: Some(lib.into()), ..Default::default() })?;
    }
    cat.trash_assets(&["asset_ann_2", "asset_bo_3", "asset_shared_4"])?;
    cat.close()
}
