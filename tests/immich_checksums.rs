//! `Catalog::check_checksums` (API.md §7, Immich's bulk upload check): spellings, owners,
//! libraries, trash and visibility, bad inputs with their messages, and a model check over
//! random catalogues.

use base64::Engine;
use photocat::{
    AddAssets, AssetUpdate, Catalog, ChecksumMatch, Error, NewAsset, NewLibrary, OnDuplicate,
    Visibility,
};
use proptest::prelude::*;

/// A distinct 20-byte digest per `i` (not a real SHA-1 of anything; the catalogue does not care).
fn digest(i: usize) -> [u8; 20] {
    let mut d = [0u8; 20];
    for (j, b) in d.iter_mut().enumerate() {
        *b = (i as u8)
            .wrapping_mul(37)
            .wrapping_add((j as u8).wrapping_mul(11))
            ^ 0xA5;
    }
    d[..4].copy_from_slice(&(i as u32).to_be_bytes());
    d
}

fn b64(d: &[u8; 20]) -> String {
    base64::engine::general_purpose::STANDARD.encode(d)
}

fn hex(d: &[u8; 20]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

fn library(cat: &Catalog, id: &str, owner: Option<&str>) {
    cat.create_library(NewLibrary {
        name: id.into(),
        id: Some(id.into()),
        owner_id: owner.map(Into::into),
    })
    .unwrap();
}

fn add(cat: &Catalog, lib: &str, id: &str, owner: Option<&str>, sha: usize) {
    cat.add_assets(
        vec![NewAsset {
            id: Some(id.into()),
            owner_id: owner.map(Into::into),
            checksum_sha1: Some(b64(&digest(sha))),
            ..Default::default()
        }],
        AddAssets {
            library_id: Some(lib.into()),
            ..Default::default()
        },
    )
    .unwrap();
}

fn m(checksum: &str, asset_id: Option<&str>, is_trashed: bool) -> ChecksumMatch {
    ChecksumMatch {
        checksum: checksum.into(),
        asset_id: asset_id.map(Into::into),
        is_trashed,
    }
}

/// Assets `a` (lib1, alice, digest 1), `b` (lib2, bob, digest 1), `c` (lib1, carol, digest 2),
/// `d` (lib3 owned by alice, digest 3), `e` (lib1, no owner, digest 4).
fn fixture() -> Catalog {
    let cat = Catalog::in_memory().unwrap();
    library(&cat, "lib1", None);
    library(&cat, "lib2", None);
    library(&cat, "lib3", Some("alice"));
    add(&cat, "lib1", "a", Some("alice"), 1);
    add(&cat, "lib2", "b", Some("bob"), 1);
    add(&cat, "lib1", "c", Some("carol"), 2);
    add(&cat, "lib3", "d", None, 3);
    add(&cat, "lib1", "e", None, 4);
    cat
}

fn ids(found: &[ChecksumMatch]) -> Vec<Option<&str>> {
    found.iter().map(|f| f.asset_id.as_deref()).collect()
}

#[test]
fn every_spelling_finds_the_asset_and_is_echoed() {
    let cat = fixture();
    let d = digest(3);
    let spellings = [b64(&d), hex(&d), hex(&d).to_uppercase()];
    let found = cat.check_checksums(&spellings, Some("alice")).unwrap();
    assert_eq!(
        found,
        spellings
            .iter()
            .map(|s| m(s, Some("d"), false))
            .collect::<Vec<_>>()
    );
    // Mixed case in one hex string too.
    let mixed: String = hex(&d)
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i % 2 == 0 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect();
    assert_eq!(
        ids(&cat.check_checksums(&[mixed], None).unwrap()),
        [Some("d")]
    );
}

#[test]
fn unknown_checksums_and_empty_input() {
    let cat = fixture();
    let unknown = b64(&digest(99));
    assert_eq!(
        cat.check_checksums(&[&unknown], None).unwrap(),
        [m(&unknown, None, false)]
    );
    assert!(cat.check_checksums::<&str>(&[], None).unwrap().is_empty());
    // An empty catalogue answers too.
    let empty = Catalog::in_memory().unwrap();
    assert_eq!(
        ids(&empty
            .check_checksums(&[hex(&digest(1))], Some("x"))
            .unwrap()),
        [None]
    );
    // A SHA-256 with the same leading bytes is another kind of checksum.
    let cat = Catalog::in_memory().unwrap();
    let mut sha256 = [0u8; 32];
    sha256[..20].copy_from_slice(&digest(5));
    cat.add_assets(
        vec![NewAsset {
            checksum: Some(base64::engine::general_purpose::STANDARD.encode(sha256)),
            ..Default::default()
        }],
        AddAssets::default(),
    )
    .unwrap();
    assert_eq!(
        ids(&cat.check_checksums(&[b64(&digest(5))], None).unwrap()),
        [None]
    );
}

#[test]
fn owners_and_libraries() {
    let cat = fixture();
    let one = b64(&digest(1));
    let q = |owner: Option<&str>, sha: usize| {
        cat.check_checksums(&[b64(&digest(sha))], owner).unwrap()[0]
            .asset_id
            .clone()
    };
    // Alice's and bob's copies live in different libraries; each owner sees their own.
    assert_eq!(q(Some("alice"), 1).as_deref(), Some("a"));
    assert_eq!(q(Some("bob"), 1).as_deref(), Some("b"));
    assert_eq!(q(Some("carol"), 1), None);
    assert_eq!(q(Some("carol"), 2).as_deref(), Some("c"));
    assert_eq!(q(Some("alice"), 2), None);
    // An asset of no owner in an owned library took the library's owner.
    assert_eq!(q(Some("alice"), 3).as_deref(), Some("d"));
    assert_eq!(q(Some("bob"), 3), None);
    // An asset without an owner matches only owner None ("any owner").
    assert_eq!(q(None, 4).as_deref(), Some("e"));
    assert_eq!(q(Some("alice"), 4), None);
    assert_eq!(q(Some(""), 4), None);
    // Owner None: any owner; the asset added first wins among live ones.
    assert_eq!(q(None, 1).as_deref(), Some("a"));
    assert_eq!(q(None, 2).as_deref(), Some("c"));
    // Trash alice's copy: the live one of bob is preferred for owner None...
    cat.trash_assets(&["a"]).unwrap();
    assert_eq!(
        cat.check_checksums(&[&one], None).unwrap(),
        [m(&one, Some("b"), false)]
    );
    // ...and alice still sees hers, flagged.
    assert_eq!(
        cat.check_checksums(&[&one], Some("alice")).unwrap(),
        [m(&one, Some("a"), true)]
    );
    // Both trashed: the first added.
    cat.trash_assets(&["b"]).unwrap();
    assert_eq!(
        cat.check_checksums(&[&one], None).unwrap(),
        [m(&one, Some("a"), true)]
    );
    // Restored: live again.
    cat.restore_assets(&["a"]).unwrap();
    assert_eq!(
        cat.check_checksums(&[&one], Some("alice")).unwrap(),
        [m(&one, Some("a"), false)]
    );
    // Deleted: gone.
    cat.delete_assets(&["a"]).unwrap();
    assert_eq!(
        cat.check_checksums(&[&one], Some("alice")).unwrap(),
        [m(&one, None, false)]
    );
    assert_eq!(
        cat.check_checksums(&[&one], None).unwrap(),
        [m(&one, Some("b"), true)]
    );
}

#[test]
fn one_owner_in_several_libraries() {
    let cat = Catalog::in_memory().unwrap();
    library(&cat, "uploads", Some("alice"));
    library(&cat, "external", Some("alice"));
    // Immich allows the same bytes in an upload and in an external library.
    add(&cat, "external", "x1", None, 7);
    add(&cat, "uploads", "x2", None, 7);
    let s = hex(&digest(7));
    assert_eq!(
        ids(&cat.check_checksums(&[&s], Some("alice")).unwrap()),
        [Some("x1")]
    );
    cat.trash_assets(&["x1"]).unwrap();
    assert_eq!(
        cat.check_checksums(&[&s], Some("alice")).unwrap(),
        [m(&s, Some("x2"), false)]
    );
}

#[test]
fn hidden_locked_archived_and_offline_assets_match() {
    let cat = fixture();
    for (id, vis) in [
        ("a", Visibility::Hidden),
        ("b", Visibility::Locked),
        ("c", Visibility::Archive),
    ] {
        cat.update_asset(
            id,
            AssetUpdate {
                visibility: Some(vis),
                ..Default::default()
            },
        )
        .unwrap();
    }
    cat.update_asset(
        "e",
        AssetUpdate {
            is_offline: Some(true),
            ..Default::default()
        },
    )
    .unwrap();
    let sums: Vec<String> = [1, 1, 2, 4].iter().map(|&i| b64(&digest(i))).collect();
    assert_eq!(
        ids(&cat.check_checksums(&sums, None).unwrap()),
        [Some("a"), Some("a"), Some("c"), Some("e")]
    );
    assert_eq!(
        ids(&cat.check_checksums(&sums[..1], Some("bob")).unwrap()),
        [Some("b")]
    );
}

#[test]
fn duplicates_in_the_input_each_get_an_answer_in_order() {
    let cat = fixture();
    let d1 = digest(1);
    let input = [
        hex(&d1),
        b64(&digest(50)),
        b64(&d1),
        hex(&d1).to_uppercase(),
        b64(&digest(50)),
        hex(&d1),
    ];
    let found = cat.check_checksums(&input, Some("bob")).unwrap();
    assert_eq!(found.len(), input.len());
    for (f, given) in found.iter().zip(&input) {
        assert_eq!(&f.checksum, given);
    }
    assert_eq!(
        ids(&found),
        [Some("b"), None, Some("b"), Some("b"), None, Some("b")]
    );
}

#[test]
fn look_ups_read_only_matching_records() {
    let cat = fixture();
    // A thousand more assets that do not match.
    cat.add_assets(
        (0..1000)
            .map(|i| NewAsset {
                checksum_sha1: Some(b64(&digest(1000 + i))),
                ..Default::default()
            })
            .collect(),
        AddAssets {
            library_id: Some("lib1".into()),
            ..Default::default()
        },
    )
    .unwrap();
    cat.reset_read_stats();
    let found = cat
        .check_checksums(&[b64(&digest(2)), b64(&digest(99))], Some("carol"))
        .unwrap();
    assert_eq!(ids(&found), [Some("c"), None]);
    let stats = cat.read_stats();
    // One look-up in the SHA-1 index per checksum, which holds the id and trashed flag: no
    // record is read, and only the matching entry is stepped.
    assert_eq!(stats.records, 0);
    assert_eq!(stats.seeks, 2);
    assert_eq!(stats.index_entries, 1);
}

fn message(checksums: &[&str]) -> String {
    match Catalog::in_memory()
        .unwrap()
        .check_checksums(checksums, None)
    {
        Err(Error::InvalidArgument(m)) => m,
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

#[test]
fn bad_checksums_name_their_index_and_the_rule() {
    let ok = b64(&digest(1));
    let rule = "a SHA-1 checksum is 28 characters of base64 or 40 hex digits";
    assert_eq!(
        message(&[&ok, &ok, &ok, &ok[..27]]),
        format!("checksums[3]: {rule}, got 27 characters")
    );
    assert_eq!(
        message(&[""]),
        format!("checksums[0]: {rule}, got 0 characters")
    );
    // SHA-256 lengths are refused too.
    assert_eq!(
        message(&[&"ab".repeat(32)]),
        format!("checksums[0]: {rule}, got 64 characters")
    );
    assert_eq!(
        message(&[&"A".repeat(44)]),
        format!("checksums[0]: {rule}, got 44 characters")
    );
    // 40 characters, not all hex.
    let bad_hex = format!("{}z", &hex(&digest(1))[..39]);
    assert_eq!(
        message(&[&ok, &bad_hex]),
        format!(
            "checksums[1]: {rule}, got 40 characters that are not all hex digits ({bad_hex:?})"
        )
    );
    // 28 characters, not base64 of 20 bytes: no padding (21 bytes), a bad character,
    // base64url's alphabet, misplaced padding, a space.
    for bad in [
        "A".repeat(28),
        format!("{}!=", &ok[..26]),
        "-_-_-_-_-_-_-_-_-_-_-_-_-_-=".to_owned(),
        format!("={}", &ok[..27]),
        format!(" {}", &ok[1..]),
    ] {
        assert_eq!(bad.chars().count(), 28);
        assert_eq!(
            message(&[&bad]),
            format!(
                "checksums[0]: {rule}, got 28 characters that are not the base64 of 20 bytes ({bad:?})"
            )
        );
    }
    // Characters, not bytes, are counted: 28 non-ASCII characters are read as base64.
    assert!(message(&[&"é".repeat(28)]).contains("got 28 characters that are not the base64"));
    assert!(message(&[&"é".repeat(40)]).contains("got 40 characters that are not all hex"));
    assert!(message(&[&"é".repeat(14)]).ends_with("got 14 characters"));
    // The first bad one is reported, and nothing is read.
    let cat = Catalog::in_memory().unwrap();
    cat.reset_read_stats();
    assert!(cat.check_checksums(&["x", "y"], None).is_err());
    assert_eq!(cat.read_stats(), Default::default());
    assert!(message(&["x", "y"]).starts_with("checksums[0]:"));
}

#[test]
fn a_long_bad_value_is_shortened_in_the_message() {
    let long = "x".repeat(10_000);
    let msg = message(&[&long]);
    assert!(msg.ends_with("got 10000 characters"));
    assert!(msg.len() < 200);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// No string panics the parser; each is accepted exactly when it is a 20-byte SHA-1 in one
    /// of the two spellings.
    #[test]
    fn any_string_is_answered_without_panic(s in any::<String>(), owner in proptest::option::of(".{0,8}")) {
        let cat = fixture();
        let res = cat.check_checksums(&[&s], owner.as_deref());
        let valid_hex = s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit());
        let valid_b64 = s.chars().count() == 28
            && base64::engine::general_purpose::STANDARD
                .decode(&s)
                .is_ok_and(|b| b.len() == 20);
        match res {
            Ok(found) => {
                prop_assert!(valid_hex || valid_b64);
                prop_assert_eq!(found.len(), 1);
                prop_assert_eq!(&found[0].checksum, &s);
            }
            Err(Error::InvalidArgument(m)) => {
                prop_assert!(!valid_hex && !valid_b64);
                prop_assert!(m.starts_with("checksums[0]: a SHA-1 checksum is 28 characters"), "{}", m);
            }
            Err(e) => prop_assert!(false, "unexpected error {e:?}"),
        }
    }

    /// Near misses of real spellings (one character changed, added or removed).
    #[test]
    fn near_misses_are_answered_without_panic(
        i in 0usize..10, hexed in any::<bool>(), pos in 0usize..40, c in any::<char>(), edit in 0u8..3,
    ) {
        let d = digest(i);
        let mut s: Vec<char> = if hexed { hex(&d) } else { b64(&d) }.chars().collect();
        let pos = pos % s.len();
        match edit {
            0 => s[pos] = c,
            1 => s.insert(pos, c),
            _ => { s.remove(pos); }
        }
        let s: String = s.into_iter().collect();
        let _ = fixture().check_checksums(&[s], None);
    }
}

// ---------------------------------------------------------------------------------------------
// Model check: random catalogues with several owners and libraries, random trash, restore and
// delete, checked against a plain list of assets.

/// Library owners: two unowned libraries, two of alice, one of bob.
const LIBRARIES: [Option<&str>; 5] = [None, None, Some("alice"), Some("alice"), Some("bob")];
/// Asset owners (None takes the library's owner).
const OWNERS: [Option<&str>; 5] = [None, Some("alice"), Some("bob"), Some("carol"), Some("")];
/// Checksums in play: few, so collisions across libraries and owners are the rule.
const SUMS: usize = 5;

#[derive(Debug, Clone)]
enum Op {
    /// A batch of (library, owner, checksum or None, visibility index).
    Add(usize, Vec<(usize, Option<usize>, usize)>),
    Trash(usize),
    Restore(usize),
    Delete(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (
            0..LIBRARIES.len(),
            proptest::collection::vec(
                (0..OWNERS.len(), proptest::option::weighted(0.9, 0..SUMS), 0usize..4),
                1..4
            )
        )
            .prop_map(|(l, recs)| Op::Add(l, recs)),
        2 => any::<usize>().prop_map(Op::Trash),
        1 => any::<usize>().prop_map(Op::Restore),
        1 => any::<usize>().prop_map(Op::Delete),
    ]
}

#[derive(Debug, Clone)]
struct ModelAsset {
    id: String,
    library: usize,
    owner: Option<String>,
    sum: Option<usize>,
    trashed: bool,
}

/// How a query spells a checksum.
fn spell(d: &[u8; 20], how: usize) -> String {
    match how {
        0 => b64(d),
        1 => hex(d),
        _ => hex(d).to_uppercase(),
    }
}

fn expected(model: &[ModelAsset], sum: usize, owner: Option<&str>) -> (Option<String>, bool) {
    let hits: Vec<&ModelAsset> = model
        .iter()
        .filter(|a| a.sum == Some(sum) && owner.is_none_or(|o| a.owner.as_deref() == Some(o)))
        .collect();
    match hits.iter().find(|a| !a.trashed).or(hits.first()) {
        Some(a) => (Some(a.id.clone()), a.trashed),
        None => (None, false),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn matches_the_model(
        ops in proptest::collection::vec(op(), 1..30),
        queries in proptest::collection::vec(
            (proptest::collection::vec((0..SUMS + 2, 0usize..3), 0..8), 0..OWNERS.len() + 1),
            1..6
        ),
    ) {
        let cat = Catalog::in_memory().unwrap();
        let lib_ids: Vec<String> = (0..LIBRARIES.len()).map(|l| format!("lib{l}")).collect();
        for (id, owner) in lib_ids.iter().zip(LIBRARIES) {
            library(&cat, id, owner);
        }
        // Live model: assets in the order they were added (deleted ones removed).
        let mut model: Vec<ModelAsset> = Vec::new();
        let mut next = 0;
        for op in ops {
            match op {
                Op::Add(l, recs) => {
                    let mut batch = Vec::new();
                    let mut news = Vec::new();
                    for (o, sum, vis) in recs {
                        let id = format!("a{next}");
                        next += 1;
                        let owner = OWNERS[o].or(LIBRARIES[l]).map(str::to_owned);
                        // An owned library takes only its owner's assets.
                        if LIBRARIES[l].is_some() && owner.as_deref() != LIBRARIES[l] {
                            continue;
                        }
                        batch.push(NewAsset {
                            id: Some(id.clone()),
                            owner_id: OWNERS[o].map(str::to_owned),
                            checksum_sha1: sum.map(|s| b64(&digest(s))),
                            visibility: Some([Visibility::Timeline, Visibility::Archive,
                                Visibility::Hidden, Visibility::Locked][vis]),
                            ..Default::default()
                        });
                        // A checksum already in (library, owner) is skipped, as in the batch.
                        let dup = sum.is_some() && model.iter().chain(&news).any(|a: &ModelAsset| {
                            a.library == l && a.owner == owner && a.sum == sum
                        });
                        if !dup {
                            news.push(ModelAsset { id, library: l, owner, sum, trashed: false });
                        }
                    }
                    if batch.is_empty() {
                        continue;
                    }
                    cat.add_assets(batch, AddAssets {
                        library_id: Some(lib_ids[l].clone()),
                        on_duplicate: OnDuplicate::Skip,
                    }).unwrap();
                    model.extend(news);
                }
                Op::Trash(i) | Op::Restore(i) | Op::Delete(i) if model.is_empty() => { let _ = i; }
                Op::Trash(i) => {
                    let i = i % model.len();
                    cat.trash_assets(&[&model[i].id]).unwrap();
                    model[i].trashed = true;
                }
                Op::Restore(i) => {
                    let i = i % model.len();
                    cat.restore_assets(&[&model[i].id]).unwrap();
                    model[i].trashed = false;
                }
                Op::Delete(i) => {
                    let i = i % model.len();
                    cat.delete_assets(&[&model[i].id]).unwrap();
                    model.remove(i);
                }
            }
        }
        for (sums, o) in queries {
            // OWNERS[0] is None; the extra index asks for an owner no asset has.
            let owner = if o == OWNERS.len() { Some("nobody") } else { OWNERS[o] };
            let input: Vec<String> = sums.iter().map(|&(s, how)| spell(&digest(s), how)).collect();
            let found = cat.check_checksums(&input, owner).unwrap();
            prop_assert_eq!(found.len(), input.len());
            for ((f, given), &(s, _)) in found.iter().zip(&input).zip(&sums) {
                prop_assert_eq!(&f.checksum, given);
                let (id, trashed) = expected(&model, s, owner);
                prop_assert_eq!(&f.asset_id, &id, "checksum {} owner {:?}", s, owner);
                prop_assert_eq!(f.is_trashed, trashed);
            }
        }
    }
}
