// The program that wrote tests/data/format3.redb, run as an example of photocat at commit
// 3248a05 (format 3): `cargo run --example write_format3 -- tests/data/format3.redb`. Kept for
// the record; it is not compiled here (the API it uses may have moved on).
use photocat::*;
fn main() -> Result<()> {
    let path = std::env::args().nth(1).unwrap();
    let cat = Catalog::open(&path)?;
    for p in 0..3 {
        cat.create_person(NewPerson { id: Some(format!("person_{p}")), name: Some(format!("Person {p}")), ..NewPerson::default() })?;
    }
    let makes = [None, Some("Canon"), Some("SONY"), Some("canon")];
    let cities = [None, Some("Paris"), Some("Kyoto")];
    let names = [None, Some("IMG_0001.JPG"), Some("img_0002.jpg"), Some("Été.HEIC")];
    let mimes = [None, Some("image/jpeg"), Some("video/mp4")];
    let mut recs = Vec::new();
    for i in 0..40u32 {
        let make = makes[(i % 4) as usize];
        let city = cities[(i % 3) as usize];
        recs.push(NewAsset {
            id: Some(format!("asset_{i:02}")),
            local_datetime: Some(format!("20{:02}-{:02}-{:02}T{:02}:30:00{}", 19 + i % 5, 1 + i % 12, 1 + i % 28, i % 24, if i % 2 == 0 { "+01:00" } else { "" }).parse()?),
            mime_type: mimes[(i % 3) as usize].map(Into::into),
            original_file_name: names[(i % 4) as usize].map(Into::into),
            description: (i % 5 == 0).then(|| format!("Beach day {i}")),
            exif: (make.is_some() || city.is_some()).then(|| Exif { make: make.map(Into::into), city: city.map(Into::into), ..Exif::default() }),
            is_favorite: Some(i % 6 == 0),
            visibility: Some([Visibility::Timeline, Visibility::Timeline, Visibility::Archive, Visibility::Hidden][(i % 4) as usize]),
            faces: Some((0..i % 3).map(|p| NewFace { person_id: Some(format!("person_{p}")), ..NewFace::default() }).collect()),
            ..NewAsset::default()
        });
    }
    cat.add_assets(recs, AddAssets::default())?;
    cat.create_album(NewAlbum { name: "Trip".into(), id: Some("album_trip".into()), ..Default::default() })?;
    let members: Vec<String> = (0..40).filter(|i| i % 3 == 1).map(|i| format!("asset_{i:02}")).collect();
    cat.add_to_album("album_trip", &members)?;
    cat.trash_assets(&["asset_04", "asset_07", "asset_13"])?;
    cat.close()
}
