//! Checksum uniqueness: the keys of an asset's checksums, and what `add_assets` does with a
//! record whose checksum is already in the library (see [`super::OnDuplicate`]): the outcome
//! of each record, created or a duplicate, is decided here and returned as [`AddedAsset`], so
//! no caller has to compare ids.

/// One record's result of [`Catalog::add_assets_with_outcome`](crate::Catalog::add_assets_with_outcome).
#[derive(Debug, Clone, PartialEq)]
pub struct AddedAsset {
    /// The asset the record created, or (with [`OnDuplicate::Skip`](super::OnDuplicate::Skip))
    /// the asset that already had its checksum: a stored one, or one an earlier record of the
    /// same call created.
    pub asset: Asset,
    /// True when this record created `asset`; false when it was skipped as a duplicate.
    pub created: bool,
}

/// What [`Catalog::add_assets_summary`](crate::Catalog::add_assets_summary) did: how many
/// records created an asset and how many were skipped as duplicates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct AddSummary {
    /// Records that created an asset.
    pub created: u64,
    /// Records skipped (with [`OnDuplicate::Skip`](super::OnDuplicate::Skip)) as duplicates of
    /// a stored asset or of an earlier record of the same call.
    pub skipped: u64,
}

use redb::ReadableTable;

use crate::error::{Error, Result};
use crate::model::Asset;
use crate::storage::codec::AssetRecord;
use crate::storage::keys::{self, ChecksumKind};

/// Where one input record of `add_assets` ended up.
pub(super) enum Outcome {
    /// The record made the batch's `j`th new asset.
    Created(usize),
    /// Its checksum is that of the batch's `j`th new asset, made by an earlier record.
    SameAsEarlier(usize),
    /// Its checksum is that of the stored asset with this key.
    Existing(u64),
}

impl Outcome {
    /// Whether the record created its asset (the `created` of [`AddedAsset`]).
    pub(super) fn created(&self) -> bool {
        matches!(self, Outcome::Created(_))
    }
}

/// The first of a record's checksum `keys` (its [`checksum_keys`], which the caller builds
/// once and inserts into `batch` when the record is new) already taken, by a stored asset
/// (`sums`, the checksum table) or by an earlier record of the batch (`batch`: checksum key to
/// index of the batch's new assets), with the checksum's field name.
pub(super) fn find_duplicate(
    sums: &impl ReadableTable<&'static [u8], u64>,
    batch: &foldhash::HashMap<Vec<u8>, usize>,
    keys: &[(Vec<u8>, &'static str)],
) -> Result<Option<(Outcome, &'static str)>> {
    for &(ref k, field) in keys {
        if let Some(key) = sums.get(k.as_slice())?.map(|v| v.value()) {
            return Ok(Some((Outcome::Existing(key), field)));
        }
        if let Some(&j) = batch.get(k) {
            return Ok(Some((Outcome::SameAsEarlier(j), field)));
        }
    }
    Ok(None)
}

pub(super) fn duplicate_checksum(i: usize, field: &str, existing: &str) -> Error {
    Error::Duplicate {
        message: format!(
            "records[{i}]: {field} already belongs to asset {existing:?} in this library \
             (pass on_duplicate=\"skip\" to return the existing asset instead)"
        ),
        existing_id: existing.to_owned(),
    }
}

/// The uniqueness keys of an asset's checksums, each with its field name.
pub(crate) fn checksum_keys(rec: &AssetRecord) -> Vec<(Vec<u8>, &'static str)> {
    let owner = rec.owner_id.as_deref();
    let mut out = Vec::with_capacity(2);
    if let Some(c) = &rec.checksum {
        out.push((
            keys::checksum_key(rec.library, ChecksumKind::Sha256, c, owner),
            "checksum",
        ));
    }
    if let Some(c) = &rec.checksum_sha1 {
        out.push((
            keys::checksum_key(rec.library, ChecksumKind::Sha1, c, owner),
            "checksum_sha1",
        ));
    }
    out
}
