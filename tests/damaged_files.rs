//! Physical damage: a byte flipped in two places of each page of a real catalogue file. Opening
//! it, redb's own check (`Catalog::check_storage`) and `Catalog::verify` give a result or a
//! typed error, never a panic; and a flip none of them notices changed no answer (it was in a
//! free page or the unused part of one): damage is never silent. The same holds for a file of
//! the previous format, which opening upgrades (after redb's integrity check of every page).

use photocat::{Catalog, ListAssets, State};

const SAMPLE: &str = "tests/data/format6.redb";
/// The previous format's sample: opening it upgrades it.
const OLDER: &str = "tests/data/format5.redb";
const PAGE: usize = 4096;

/// What happened to a file with one flipped byte.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Clone, Copy)]
enum Outcome {
    /// `open` refused it with a typed error.
    OpenRefused,
    /// redb's check found damage (and rolled back or failed).
    StorageCheck,
    /// `verify` reported problems (or failed with a typed error).
    Verify,
    /// Nothing noticed it, and every answer is as before: the byte was in a free or unused
    /// part of the file.
    Harmless,
}

/// Everything a user can read: every asset as JSON in every state, libraries, albums, people.
fn answers(cat: &Catalog) -> photocat::Result<String> {
    let mut out = String::new();
    for library in cat.list_libraries()? {
        for state in [State::Live, State::Trashed] {
            let q = ListAssets {
                library_id: Some(library.id.clone()),
                state,
                limit: 200,
                ..ListAssets::default()
            };
            out.push_str(&cat.list_assets_json(&q)?);
        }
        out.push_str(&format!("{library:?}"));
    }
    out.push_str(&format!(
        "{:?}{:?}",
        cat.list_albums(None)?,
        cat.list_people()?
    ));
    Ok(out)
}

fn trial(bytes: &[u8], at: usize, want: &str) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("damaged.redb");
    let mut b = bytes.to_vec();
    b[at] ^= 0x5a;
    std::fs::write(&path, &b).unwrap();
    let mut cat = match Catalog::open(&path) {
        Ok(c) => c,
        Err(_) => return Outcome::OpenRefused,
    };
    match cat.check_storage() {
        Ok(true) => {}
        Ok(false) | Err(_) => return Outcome::StorageCheck,
    }
    match cat.verify() {
        Ok(r) if r.is_ok() => {}
        _ => return Outcome::Verify,
    }
    let got = answers(&cat).expect("a file that passed both checks answers");
    assert!(
        got == want,
        "a flip at byte {at} changed answers without being noticed"
    );
    Outcome::Harmless
}

/// Every page of `sample` flipped in two places: how often each outcome happened.
fn flip_every_page(sample: &str) -> std::collections::BTreeMap<Outcome, usize> {
    let bytes = std::fs::read(sample).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("clean.redb"), &bytes).unwrap();
    let want = answers(&Catalog::open(dir.path().join("clean.redb")).unwrap()).unwrap();
    let mut outcomes = std::collections::BTreeMap::new();
    for page in 0..bytes.len() / PAGE {
        // Past the page header, inside the page's entries.
        for at in [page * PAGE + 64, page * PAGE + 1500] {
            *outcomes.entry(trial(&bytes, at, &want)).or_insert(0) += 1;
        }
    }
    eprintln!("{sample}: {outcomes:?}");
    outcomes
}

#[test]
fn a_flipped_byte_is_noticed_or_harmless_and_never_panics() {
    let outcomes = flip_every_page(SAMPLE);
    // The checks do notice damage (how much of the file is free space decides the rest).
    assert!(
        outcomes.get(&Outcome::StorageCheck).copied().unwrap_or(0) > 20,
        "{outcomes:?}"
    );
}

#[test]
fn a_flipped_byte_in_a_file_to_upgrade_is_refused_or_harmless_and_never_panics() {
    let outcomes = flip_every_page(OLDER);
    // The integrity check before the upgrade refuses the damage it sees.
    assert!(
        outcomes.get(&Outcome::OpenRefused).copied().unwrap_or(0) > 20,
        "{outcomes:?}"
    );
}
