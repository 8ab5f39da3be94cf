//! What a search filters on, read from an asset record, and the compact text column the
//! substring filters scan (formats 4 and 5; `docs/design.md`, "Search and time buckets").
//!
//! * **Facets** are the single-value filters of `search_assets`: exact make, model, lens, city,
//!   state, country, MIME type, type, favourite and visibility. Each (field, value) is interned
//!   once in `facet_values` as a `u32`, and every live listed asset has one list-index entry in
//!   the group [`Group::Facet`] of each of its facet values. The group's maintained entry count
//!   is then the exact number of matches of that one filter, and several filters are answered
//!   by intersecting the groups' sorted streams. Since format 5 the [`majority`] values
//!   (favourite `false`, visibility `timeline`, type `IMAGE`) have no group: a filter on one is
//!   the library's entries minus those of the field's other values.
//! * **The text column** holds, per library and per block of 1,024 asset keys, the lowercased
//!   file names (and, in a column of its own, descriptions) of the block's live listed assets,
//!   with each one's list position and offset: a substring search scans these blobs, never the
//!   records.
//!
//! Which fact an asset has follows the Immich view's rule, kept here once: a fact from `exif`,
//! else from `metadata`.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::model::{AssetType, Visibility, DEFAULT_MIME_TYPE};
use crate::storage::codec::{AssetRecord, ExifRecord};
use crate::storage::keys::Group;

/// A search field kept as a facet. The code is stored in keys: never renumber.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub(crate) enum Field {
    Make = 1,
    Model = 2,
    LensModel = 3,
    City = 4,
    State = 5,
    Country = 6,
    MimeType = 7,
    Type = 8,
    Favorite = 9,
    Visibility = 10,
}

/// A fact of an asset: from `exif`, else from `metadata` (the one rule; the Immich view's
/// `exifInfo` uses it too).
pub(crate) fn fact<'a, E, T: ?Sized>(
    exif: Option<&'a E>,
    metadata: Option<&'a E>,
    f: impl Fn(&'a E) -> Option<&'a T>,
) -> Option<&'a T> {
    exif.and_then(&f).or_else(|| metadata.and_then(&f))
}

/// [`fact`] for `Copy` values.
pub(crate) fn fact_copy<E, T: Copy>(
    exif: Option<&E>,
    metadata: Option<&E>,
    f: impl Fn(&E) -> Option<T>,
) -> Option<T> {
    exif.and_then(&f).or_else(|| metadata.and_then(&f))
}

/// The stored value of a boolean facet.
pub(crate) const fn bool_value(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

/// The value of a field that nearly every asset has, whose group is not stored (format 5):
/// favourite `false`, visibility `timeline` and type `IMAGE` each held about 95% of a library,
/// so their entries were nearly a copy of the library's own. A search for one is answered as
/// the library minus the field's other values ([`field_range`]).
pub(crate) fn majority(field: Field) -> Option<&'static str> {
    MAJORITY.iter().find(|(f, _)| *f == field).map(|(_, v)| *v)
}

/// Every field with a [`majority`] value, and that value.
pub(crate) const MAJORITY: [(Field, &str); 3] = [
    (Field::Favorite, bool_value(false)),
    (Field::Visibility, Visibility::Timeline.as_str()),
    (Field::Type, AssetType::Image.as_str()),
];

/// The `facet_values` keys of every interned value of `field`: `[lower, upper)` (the field's
/// code, then any bytes).
pub(crate) fn field_range(field: Field) -> ([u8; 1], [u8; 1]) {
    ([field as u8], [field as u8 + 1])
}

/// The facet values of a record, by field (fields without a value, and [`majority`] values,
/// are absent).
pub(crate) fn values(rec: &AssetRecord) -> Vec<(Field, Cow<'_, str>)> {
    let (e, m) = (rec.exif.as_ref(), rec.metadata.as_ref());
    let mut out = Vec::with_capacity(10);
    type Getter = fn(&ExifRecord) -> Option<&str>;
    let strings: [(Field, Getter); 6] = [
        (Field::Make, |x| x.make.as_deref()),
        (Field::Model, |x| x.model.as_deref()),
        (Field::LensModel, |x| x.lens_model.as_deref()),
        (Field::City, |x| x.city.as_deref()),
        (Field::State, |x| x.state.as_deref()),
        (Field::Country, |x| x.country.as_deref()),
    ];
    for (field, get) in strings {
        if let Some(v) = fact(e, m, get) {
            out.push((field, Cow::Borrowed(v)));
        }
    }
    let mime = rec.mime_type.as_deref().unwrap_or(DEFAULT_MIME_TYPE);
    out.push((Field::MimeType, Cow::Borrowed(mime)));
    for (field, value) in [
        (Field::Type, AssetType::from_mime(mime).as_str()),
        (Field::Favorite, bool_value(rec.is_favorite)),
        (Field::Visibility, rec.visibility.as_str()),
    ] {
        if majority(field) != Some(value) {
            out.push((field, Cow::Borrowed(value)));
        }
    }
    out
}

/// The `facet_values` key of a (field, value): the field's code, then the value's bytes.
pub(crate) fn value_key(field: Field, value: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + value.len());
    write_value_key(&mut k, field, value);
    k
}

/// Appends the `facet_values` key of a (field, value) to `out` (what [`value_key`] returns).
pub(crate) fn write_value_key(out: &mut Vec<u8>, field: Field, value: &str) {
    out.push(field as u8);
    out.extend_from_slice(value.as_bytes());
}

/// The `facet_values` row holding the next value key to hand out (no field has code 0).
pub(crate) const NEXT_VALUE_KEY: &[u8] = &[];

/// The facet group of an interned value in a library.
pub(crate) fn group(library: u32, field: Field, value: u32) -> Group {
    Group::Facet {
        library,
        field: field as u8,
        value,
    }
}

/// Whether visibility `v` can match a search (hidden and locked assets are never listed).
pub(crate) fn searchable(v: Visibility) -> bool {
    v.is_listed()
}

// ---------------------------------------------------------------------------------------------
// The text column.

/// A text field searched by substring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub(crate) enum TextField {
    /// `original_file_name`.
    FileName = 1,
    /// The asset's `description`.
    Description = 2,
}

impl TextField {
    pub(crate) const ALL: [TextField; 2] = [TextField::FileName, TextField::Description];
}

/// Asset keys per text-column block.
pub(crate) const BLOCK_SHIFT: u32 = 10;

/// How a search compares text: each character lowercased on its own (Unicode's
/// `char::to_lowercase`), on both sides, then substring. Per character, not `str::to_lowercase`:
/// that one lowers a word-final `Σ` to `ς` but an inner one to `σ`, so `"ΟΣ"` would not be found
/// in `"ΟΣΑ"`. Not full case folding: `ß` does not match `ss`.
pub(crate) fn fold(s: &str) -> String {
    s.chars().flat_map(char::to_lowercase).collect()
}

/// The folded text of a field of a record, when the record is in the text column (live,
/// listed, with non-empty text).
pub(crate) fn text(rec: &AssetRecord, field: TextField) -> Option<String> {
    if rec.trashed_at.is_some() || !rec.visibility.is_listed() {
        return None;
    }
    let t = match field {
        TextField::FileName => rec.original_file_name.as_deref(),
        TextField::Description => rec.description.as_deref(),
    }?;
    (!t.is_empty()).then(|| fold(t))
}

/// Whether `a` and `b` (two versions of one asset) have the same text rows in the same blocks:
/// everything [`TextRow::of`] and [`block_key`] read is equal. A cheap test, so that a change
/// of other fields folds no text.
pub(crate) fn same_text_rows(a: &AssetRecord, b: &AssetRecord) -> bool {
    a.library == b.library
        && a.offset == b.offset
        && a.local == b.local
        && a.id == b.id
        && a.trashed_at.is_some() == b.trashed_at.is_some()
        && a.visibility.is_listed() == b.visibility.is_listed()
        && a.original_file_name == b.original_file_name
        && a.description == b.description
}

/// The key of the block holding asset `key`'s text of `field` in `library`.
pub(crate) fn block_key(field: TextField, library: u32, key: u64) -> [u8; 13] {
    let mut k = [0u8; 13];
    k[0] = field as u8;
    k[1..5].copy_from_slice(&library.to_be_bytes());
    k[5..13].copy_from_slice(&(key >> BLOCK_SHIFT).to_be_bytes());
    k
}

/// The range of block keys of one field and library: `[lower, upper)`.
pub(crate) fn block_range(field: TextField, library: u32) -> ([u8; 13], [u8; 13]) {
    let lower = block_key(field, library, 0);
    let mut upper = [0u8; 13];
    upper[0] = field as u8;
    // The next library (or the next field after the last library): every key of this
    // library sorts below it.
    match library.checked_add(1) {
        Some(l) => upper[1..5].copy_from_slice(&l.to_be_bytes()),
        None => {
            upper[0] = field as u8 + 1;
        }
    }
    (lower, upper)
}

/// One asset's row in a text block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TextRow {
    pub key: u64,
    pub offset: Option<i32>,
    /// The list position (`time | id`) of the asset's live entry.
    pub pos: Vec<u8>,
    /// The folded text.
    pub text: String,
}

impl TextRow {
    pub(crate) fn of(key: u64, rec: &AssetRecord, field: TextField) -> Option<TextRow> {
        Some(TextRow {
            key,
            offset: rec.offset,
            pos: crate::storage::keys::position(rec.local, &rec.id),
            text: text(rec, field)?,
        })
    }
}

/// A text block: rows by asset key, each `key:u64 | offset:i32 | pos_len:u8 | pos |
/// text_len:u32 | text` (little-endian), `i32::MIN` for an unknown offset.
#[cfg(test)]
pub(crate) fn encode_block(rows: &BTreeMap<u64, TextRow>) -> Vec<u8> {
    let mut out = Vec::with_capacity(rows.len() * 48);
    for r in rows.values() {
        push_row(&mut out, r.key, r.offset, &r.pos, r.text.as_bytes());
    }
    out
}

/// Appends one row of a text block (layout at [`encode_block`]; 17 bytes besides the position
/// and the text).
fn push_row(out: &mut Vec<u8>, key: u64, offset: Option<i32>, pos: &[u8], text: &[u8]) {
    out.extend_from_slice(&key.to_le_bytes());
    out.extend_from_slice(
        &offset
            .unwrap_or(crate::storage::keys::NO_OFFSET)
            .to_le_bytes(),
    );
    // A position is a time and an id of at most `MAX_ID_LEN` bytes; a text is a file name or
    // a description, far below 4 GiB.
    out.push(pos.len() as u8);
    out.extend_from_slice(pos);
    out.extend_from_slice(&(text.len() as u32).to_le_bytes());
    out.extend_from_slice(text);
}

/// Applies `changes` (an asset key and its new row, or `None` to drop the asset's row) to a
/// stored block (empty when there is none yet), without decoding the block into owned rows:
/// the changes are merged in key order and every other row is copied. A block holds up to
/// 1,024 rows (about 50 KB); a trash of one asset used to decode all of them into a map, a
/// string each, and encode them again. `None` when no row remains. A malformed block, rows
/// out of key order or a text that is not UTF-8 are `Corrupt`.
pub(crate) fn apply_block(
    block: &[u8],
    changes: &BTreeMap<u64, Option<TextRow>>,
) -> Result<Option<Vec<u8>>> {
    let mut out = Vec::with_capacity(block.len() + 64);
    let emit = |out: &mut Vec<u8>, change: &Option<TextRow>| {
        if let Some(r) = change {
            push_row(out, r.key, r.offset, &r.pos, r.text.as_bytes());
        }
    };
    let mut pending = changes.iter().peekable();
    let mut last = None;
    // Rows left as they are are copied in runs: `block[run..at]` is waiting to be copied.
    let (mut run, mut at) = (0, 0);
    for row in rows(block) {
        let row = row?;
        if last.is_some_and(|k| k >= row.key) || std::str::from_utf8(row.text).is_err() {
            return Err(corrupt());
        }
        last = Some(row.key);
        let end = at + 17 + row.pos.len() + row.text.len();
        // A change at or before this row ends the run.
        if pending.peek().is_some_and(|(k, _)| **k <= row.key) {
            out.extend_from_slice(&block[run..at]);
            while let Some((_, change)) = pending.next_if(|(k, _)| **k < row.key) {
                emit(&mut out, change);
            }
            match pending.next_if(|(k, _)| **k == row.key) {
                Some((_, change)) => {
                    emit(&mut out, change);
                    run = end;
                }
                None => run = at,
            }
        }
        at = end;
    }
    out.extend_from_slice(&block[run..at]);
    for (_, change) in pending {
        emit(&mut out, change);
    }
    Ok((!out.is_empty()).then_some(out))
}

/// A row of a stored block, borrowed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowRef<'a> {
    pub key: u64,
    pub offset: Option<i32>,
    pub pos: &'a [u8],
    pub text: &'a [u8],
}

/// Walks the rows of a stored block.
pub(crate) struct Rows<'a> {
    rest: &'a [u8],
}

pub(crate) fn rows(block: &[u8]) -> Rows<'_> {
    Rows { rest: block }
}

fn corrupt() -> Error {
    Error::Corrupt("a malformed text-column block".into())
}

impl<'a> Iterator for Rows<'a> {
    type Item = Result<RowRef<'a>>;

    fn next(&mut self) -> Option<Result<RowRef<'a>>> {
        if self.rest.is_empty() {
            return None;
        }
        let r = (|| {
            let b = self.rest;
            let key = u64::from_le_bytes(b.get(..8)?.try_into().ok()?);
            let offset = i32::from_le_bytes(b.get(8..12)?.try_into().ok()?);
            let pos_len = *b.get(12)? as usize;
            let pos = b.get(13..13 + pos_len)?;
            let at = 13 + pos_len;
            let text_len = u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?) as usize;
            let text = b.get(at + 4..(at + 4).checked_add(text_len)?)?;
            self.rest = &b[at + 4 + text_len..];
            Some(RowRef {
                key,
                offset: (offset != crate::storage::keys::NO_OFFSET).then_some(offset),
                pos,
                text,
            })
        })();
        match r {
            Some(row) if row.pos.len() > 8 => Some(Ok(row)),
            _ => {
                self.rest = &[];
                Some(Err(corrupt()))
            }
        }
    }
}

/// Decodes a stored block into owned rows.
#[cfg(test)]
pub(crate) fn decode_block(block: &[u8]) -> Result<BTreeMap<u64, TextRow>> {
    let mut out = BTreeMap::new();
    for r in rows(block) {
        let r = r?;
        out.insert(
            r.key,
            TextRow {
                key: r.key,
                offset: r.offset,
                pos: r.pos.to_vec(),
                text: String::from_utf8(r.text.to_vec()).map_err(|_| corrupt())?,
            },
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_round_trip_and_reject_damage() {
        let mut rows_in = BTreeMap::new();
        for (k, t) in [(3u64, "img_0001.jpg"), (1, "ünïcode.heic"), (1023, "x")] {
            rows_in.insert(
                k,
                TextRow {
                    key: k,
                    offset: (k != 1).then_some(3600),
                    pos: crate::storage::keys::position(k as i64 * 1000, &format!("asset_{k}")),
                    text: t.into(),
                },
            );
        }
        let bytes = encode_block(&rows_in);
        assert_eq!(decode_block(&bytes).unwrap(), rows_in);
        for cut in 1..bytes.len() {
            // Every truncation is an error or a shorter valid prefix, never a panic.
            let _ = decode_block(&bytes[..cut]);
        }
        assert!(decode_block(&bytes[..bytes.len() - 1]).is_err());
    }

    #[test]
    fn same_text_rows_means_the_same_rows_in_the_same_blocks() {
        use crate::storage::fast::tests::{record, Rng};
        type Change = fn(&mut AssetRecord, &mut Rng);
        // Changes of what a text row reads, and of what it does not.
        let changes: [(bool, Change); 12] = [
            (true, |a, _| a.library ^= 1),
            (true, |a, r| {
                a.offset = if r.next() % 2 == 0 {
                    None
                } else {
                    Some(r.next() as i32)
                }
            }),
            (true, |a, _| a.local = a.local.wrapping_add(1)),
            (true, |a, _| a.id.push('x')),
            (true, |a, _| {
                a.trashed_at = if a.trashed_at.is_some() {
                    None
                } else {
                    Some(7)
                }
            }),
            (true, |a, _| {
                a.visibility = match a.visibility {
                    Visibility::Timeline => Visibility::Hidden,
                    _ => Visibility::Timeline,
                }
            }),
            (true, |a, _| {
                a.original_file_name = Some("IMG_0001.JPG".into())
            }),
            (true, |a, _| a.description = None),
            (false, |a, _| a.faces.clear()),
            (false, |a, _| a.is_favorite = !a.is_favorite),
            (false, |a, _| a.updated_at = a.updated_at.wrapping_add(1)),
            (false, |a, _| a.exif = None),
        ];
        let mut r = Rng(11);
        for _ in 0..2_000 {
            let a = record(&mut r);
            let mut b = a.clone();
            let mut only_other_fields = true;
            for _ in 0..1 + r.next() % 2 {
                let (reads, change) = changes[(r.next() % changes.len() as u64) as usize];
                change(&mut b, &mut r);
                only_other_fields &= !reads;
            }
            let key = r.next() >> 1;
            if only_other_fields {
                assert!(same_text_rows(&a, &b), "{a:?}\n{b:?}");
            }
            if same_text_rows(&a, &b) {
                for field in TextField::ALL {
                    assert_eq!(TextRow::of(key, &a, field), TextRow::of(key, &b, field));
                    assert_eq!(
                        block_key(field, a.library, key),
                        block_key(field, b.library, key)
                    );
                }
            }
        }
    }

    fn row(key: u64, text: &str) -> TextRow {
        TextRow {
            key,
            offset: (!key.is_multiple_of(3)).then_some(key as i32 * 60),
            pos: crate::storage::keys::position(key as i64 * 1000, &format!("asset_{key}")),
            text: text.into(),
        }
    }

    /// Merging changes into the stored bytes gives what decoding the block, applying the
    /// changes to the map and encoding it again gives (the rewrite before `apply_block`).
    #[test]
    fn applied_changes_equal_a_decoded_rewrite() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for round in 0..300 {
            let stored: BTreeMap<u64, TextRow> = (0..next(40))
                .map(|_| next(64))
                .map(|k| (k, row(k, &format!("img_{k}_{round}.jpg"))))
                .collect();
            let bytes = encode_block(&stored);
            let mut changes = BTreeMap::new();
            for _ in 0..next(6) {
                let k = next(64);
                let change = (next(3) != 0).then(|| row(k, &format!("new_{k}_é")));
                changes.insert(k, change);
            }
            let mut expected = stored.clone();
            for (k, change) in &changes {
                match change {
                    Some(r) => expected.insert(*k, r.clone()),
                    None => expected.remove(k),
                };
            }
            let got = apply_block(&bytes, &changes).unwrap();
            match got {
                None => assert!(expected.is_empty()),
                Some(b) => {
                    assert_eq!(b, encode_block(&expected));
                    assert_eq!(decode_block(&b).unwrap(), expected);
                }
            }
        }
        // No stored block: the changes' rows alone.
        let changes = BTreeMap::from([(5, Some(row(5, "a"))), (9, None)]);
        assert_eq!(
            apply_block(&[], &changes).unwrap().unwrap(),
            encode_block(&BTreeMap::from([(5, row(5, "a"))]))
        );
        assert_eq!(
            apply_block(&[], &BTreeMap::from([(5, None)])).unwrap(),
            None
        );
    }

    #[test]
    fn applying_to_a_damaged_block_is_corrupt() {
        let stored: BTreeMap<u64, TextRow> = [(1, row(1, "a.jpg")), (2, row(2, "b.jpg"))].into();
        let bytes = encode_block(&stored);
        let change = BTreeMap::from([(7, Some(row(7, "c.jpg")))]);
        // A cut between the two rows leaves a valid block of one row; any other cut is an error.
        let first = encode_block(&BTreeMap::from([(1, row(1, "a.jpg"))])).len();
        for cut in 1..bytes.len() {
            let r = apply_block(&bytes[..cut], &change);
            assert_eq!(r.is_ok(), cut == first, "cut at {cut}");
        }
        // Rows out of key order, a repeated row, a text that is not UTF-8.
        let mut swapped = encode_block(&BTreeMap::from([(2, row(2, "b.jpg"))]));
        swapped.extend_from_slice(&encode_block(&BTreeMap::from([(1, row(1, "a.jpg"))])));
        let mut twice = bytes.clone();
        twice.extend_from_slice(&encode_block(&BTreeMap::from([(2, row(2, "b.jpg"))])));
        let mut bad_text = bytes.clone();
        let last = bad_text.len() - 1;
        bad_text[last] = 0xFF;
        for damaged in [swapped, twice, bad_text] {
            assert!(matches!(
                apply_block(&damaged, &change),
                Err(Error::Corrupt(_))
            ));
        }
    }

    proptest::proptest! {
        /// A valid block with a byte changed and a tail cut off, or any bytes: never a panic,
        /// and a result is a well-formed block holding the changed row.
        #[test]
        fn applying_to_damaged_bytes_never_panics(
            keys in proptest::collection::btree_set(0u64..64, 0..12),
            flip in proptest::option::of((0usize..1000, proptest::prelude::any::<u8>())),
            cut in 0usize..1000,
            noise in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
            key in 0u64..64,
        ) {
            let stored: BTreeMap<u64, TextRow> =
                keys.iter().map(|&k| (k, row(k, &format!("img_{k}.jpg")))).collect();
            let mut block = encode_block(&stored);
            if let Some((at, byte)) = flip {
                if !block.is_empty() {
                    let at = at % block.len();
                    block[at] = byte;
                }
            }
            block.truncate(block.len().saturating_sub(cut % 40));
            let changes = BTreeMap::from([(key, Some(row(key, "x.jpg")))]);
            for bytes in [&block, &noise] {
                if let Ok(out) = apply_block(bytes, &changes) {
                    let out = out.expect("a block with a row added is not empty");
                    let rows = decode_block(&out).unwrap();
                    proptest::prop_assert_eq!(rows.get(&key), Some(&row(key, "x.jpg")));
                }
            }
        }
    }

    #[test]
    fn block_ranges_hold_their_library_only() {
        let (lo, hi) = block_range(TextField::FileName, 7);
        assert!(block_key(TextField::FileName, 7, 0).as_slice() >= lo.as_slice());
        assert!(block_key(TextField::FileName, 7, u64::MAX).as_slice() < hi.as_slice());
        assert!(block_key(TextField::FileName, 8, 0).as_slice() >= hi.as_slice());
        let (lo, hi) = block_range(TextField::FileName, u32::MAX);
        assert!(block_key(TextField::FileName, u32::MAX, u64::MAX).as_slice() < hi.as_slice());
        assert!(block_key(TextField::Description, 0, 0).as_slice() >= hi.as_slice());
        assert!(lo < hi);
    }

    #[test]
    fn folding_is_unicode_lowercase() {
        assert_eq!(fold("IMG_0001.JPG"), "img_0001.jpg");
        assert_eq!(fold("ÉTÉ"), "été");
        // A substring folds as it does inside the whole text (no final-sigma rule).
        assert!(fold("ΟΣΑ.jpg").contains(&fold("ΟΣ")));
    }
}
