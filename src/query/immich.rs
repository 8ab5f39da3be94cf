//! Immich-style reads.
//!
//! [`Catalog::check_checksums`] is Immich's bulk upload check (`POST /assets/bulk-upload-check`,
//! `getByChecksums`): for each SHA-1 checksum, the asset that already holds those bytes, if
//! any, and whether it is in the trash.

use redb::ReadableTable;

use crate::catalog::{Catalog, Tally};
use crate::error::{Error, Result};
use crate::ids::truncate_for_message;
use crate::query::build;
use crate::storage::codec::LibraryRecord;
use crate::storage::keys::{self, ChecksumKind};
use crate::storage::tables;

/// The answer of [`Catalog::check_checksums`] for one input checksum.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct ChecksumMatch {
    /// The checksum exactly as it was given (base64 or hex, in its original case).
    pub checksum: String,
    /// The asset that holds these bytes; None when no asset does.
    pub asset_id: Option<String>,
    /// True when that asset is in the trash (a client may offer to restore it instead of
    /// uploading again); false when it is live or when there is no match.
    pub is_trashed: bool,
}

/// What a checksum argument must look like, the start of every message about a bad one.
const CHECKSUM_RULE: &str = "a SHA-1 checksum is 28 characters of base64 or 40 hex digits";

/// A SHA-1 digest from its base64 (28 characters) or hex (40 digits, any case) spelling, by
/// Immich's rule: 28 characters are base64, anything else hex. `index` names the argument in
/// the message.
pub(crate) fn parse_sha1(index: usize, s: &str) -> Result<[u8; 20]> {
    use base64::Engine;
    let chars = s.chars().count();
    let bad = |what: &str| {
        Error::invalid(format!(
            "checksums[{index}]: {CHECKSUM_RULE}, got {chars} characters{what}"
        ))
    };
    match chars {
        28 => base64::engine::general_purpose::STANDARD
            .decode(s)
            .ok()
            .and_then(|b| <[u8; 20]>::try_from(b).ok())
            .ok_or_else(|| {
                bad(&format!(
                    " that are not the base64 of 20 bytes ({:?})",
                    truncate_for_message(s)
                ))
            }),
        40 => {
            let b = s.as_bytes();
            let mut out = [0u8; 20];
            for (i, o) in out.iter_mut().enumerate() {
                match (hex_digit(b[2 * i]), hex_digit(b[2 * i + 1])) {
                    (Some(h), Some(l)) => *o = h << 4 | l,
                    _ => {
                        return Err(bad(&format!(
                            " that are not all hex digits ({:?})",
                            truncate_for_message(s)
                        )))
                    }
                }
            }
            Ok(out)
        }
        _ => Err(bad("")),
    }
}

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl Catalog {
    /// Immich's bulk upload check: for each SHA-1 checksum, the asset that already holds
    /// those bytes. One result per input, in input order, with the checksum echoed exactly as
    /// given (so results can be matched to inputs by position or by string).
    ///
    /// * A checksum is 28 characters of standard base64 (with its `=` padding) or 40 hex
    ///   digits in any case: Immich's rule reads 28 characters as base64 and anything else as
    ///   hex. Anything that is not a 20-byte SHA-1 either way is
    ///   [`Error::InvalidArgument`] naming its index, and nothing is read.
    /// * `owner_id` restricts the match to that owner's assets, in every library. None
    ///   matches the assets of **any** owner (including assets without one), as an absent
    ///   owner means all owners in the other Immich-style reads: a catalogue of one user
    ///   need not name it.
    /// * Trashed assets match and are flagged `is_trashed` (Immich does the same, so a client
    ///   can offer "restore" instead of "upload"); hidden, locked and archived assets and
    ///   offline ones match too (Immich's look-up has no visibility filter). Deleted assets
    ///   are gone and match nothing.
    /// * When several assets hold the same bytes (in several libraries, or of several owners
    ///   when `owner_id` is None), the answer is a live one if there is one, else a trashed
    ///   one; among those, the asset added first.
    ///
    /// Cost: an index look-up per checksum and library (libraries of another owner are
    /// skipped), plus a record read per matching asset (up to the first live one); no asset
    /// is scanned. Everything is
    /// read in one snapshot.
    ///
    /// ```
    /// # fn main() -> photocat::Result<()> {
    /// use photocat::{AddAssets, Catalog, NewAsset};
    ///
    /// let cat = Catalog::in_memory()?;
    /// let hello = NewAsset {
    ///     checksum_sha1: Some("qvTGHdzF6KLavt4PO0gs2a6pQ00=".into()), // SHA-1 of "hello"
    ///     ..Default::default()
    /// };
    /// let a = cat.add_assets(vec![hello], AddAssets::default())?.remove(0);
    /// cat.trash_assets(&[&a.id])?;
    ///
    /// let found = cat.check_checksums(
    ///     &["aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d", "2jmj7l5rSw0yVb/vlWAYkK/YBwk="],
    ///     None,
    /// )?;
    /// assert_eq!(found[0].asset_id.as_deref(), Some(a.id.as_str())); // the same bytes, in hex
    /// assert!(found[0].is_trashed);
    /// assert_eq!(found[1].asset_id, None); // SHA-1 of nothing: no such asset
    /// assert_eq!(found[1].checksum, "2jmj7l5rSw0yVb/vlWAYkK/YBwk=");
    ///
    /// let err = cat.check_checksums(&["abc"], None).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "checksums[0]: a SHA-1 checksum is 28 characters of base64 or 40 hex digits, \
    ///      got 3 characters"
    /// );
    /// # Ok(()) }
    /// ```
    pub fn check_checksums<S: AsRef<str>>(
        &self,
        checksums: &[S],
        owner_id: Option<&str>,
    ) -> Result<Vec<ChecksumMatch>> {
        let digests = checksums
            .iter()
            .enumerate()
            .map(|(i, s)| parse_sha1(i, s.as_ref()))
            .collect::<Result<Vec<_>>>()?;
        let txn = self.begin_read()?;
        let mut tally = Tally::default();
        // Libraries are few: the ones that can hold the owner's assets (a library with an
        // owner holds only that owner's assets).
        let mut libraries = Vec::new();
        for row in txn.open_table(tables::LIBRARIES)?.iter()? {
            let (k, v) = row?;
            tally.records += 1;
            let lib: LibraryRecord = crate::storage::codec::decode(v.value())?;
            let fits = match (owner_id, lib.owner_id.as_deref()) {
                (Some(o), Some(lo)) => o == lo,
                _ => true,
            };
            if fits {
                libraries.push(k.value());
            }
        }
        let sums = txn.open_table(tables::CHECKSUMS)?;
        let assets = txn.open_table(tables::ASSETS)?;
        let mut out = Vec::with_capacity(digests.len());
        let mut candidates: Vec<u64> = Vec::new();
        for (given, digest) in checksums.iter().zip(&digests) {
            candidates.clear();
            for &lib in &libraries {
                tally.seeks += 1;
                match owner_id {
                    Some(o) => {
                        let key = keys::checksum_key(lib, ChecksumKind::Sha1, digest, Some(o));
                        if let Some(v) = sums.get(key.as_slice())? {
                            candidates.push(v.value());
                        }
                    }
                    None => {
                        // The ownerless key, then `| 0 | owner` for each owner: every key from
                        // the ownerless one up to (excluding) the ownerless one followed by 1.
                        let lower = keys::checksum_key(lib, ChecksumKind::Sha1, digest, None);
                        let mut upper = lower.clone();
                        upper.push(1);
                        for row in sums.range::<&[u8]>(lower.as_slice()..upper.as_slice())? {
                            candidates.push(row?.1.value());
                        }
                    }
                }
            }
            // Asset keys grow in the order assets were added.
            candidates.sort_unstable();
            let mut found: Option<(String, bool)> = None;
            for &key in &candidates {
                let rec = build::load_asset(&assets, key, &mut tally)?;
                let trashed = rec.trashed_at.is_some();
                if found.is_none() || !trashed {
                    found = Some((rec.id, trashed));
                }
                if !trashed {
                    break;
                }
            }
            out.push(ChecksumMatch {
                checksum: given.as_ref().to_owned(),
                is_trashed: found.as_ref().is_some_and(|f| f.1),
                asset_id: found.map(|f| f.0),
            });
        }
        self.stats.add(&tally);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_spellings() {
        let hex = "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d";
        let a = parse_sha1(0, hex).unwrap();
        assert_eq!(parse_sha1(0, &hex.to_uppercase()).unwrap(), a);
        assert_eq!(parse_sha1(0, "qvTGHdzF6KLavt4PO0gs2a6pQ00=").unwrap(), a);
    }

    #[test]
    fn messages() {
        let msg = |s: &str| parse_sha1(3, s).unwrap_err().to_string();
        assert_eq!(
            msg(&"a".repeat(27)),
            "checksums[3]: a SHA-1 checksum is 28 characters of base64 or 40 hex digits, got 27 characters"
        );
        assert!(msg(&"g".repeat(40)).ends_with("got 40 characters that are not all hex digits (\"gggggggggggggggggggggggggggggggggggggggg\")"));
        // 28 characters without padding decode to 21 bytes.
        assert!(
            msg(&"A".repeat(28)).contains("got 28 characters that are not the base64 of 20 bytes")
        );
        // Non-canonical trailing bits are refused: one digest has one base64 spelling.
        assert!(parse_sha1(0, "qvTGHdzF6KLavt4PO0gs2a6pQ01=").is_err());
        // Multi-byte characters never panic the hex reader.
        assert!(parse_sha1(0, &"é".repeat(40)).is_err());
        assert!(parse_sha1(0, &"é".repeat(20)).is_err());
    }
}
