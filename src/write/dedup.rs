//! Checksum uniqueness: the keys of an asset's checksums, and what `add_assets` does with a
//! record whose checksum is already in the library (see [`super::OnDuplicate`]).

use crate::error::Error;
use crate::storage::codec::AssetRecord;
use crate::storage::keys::{self, ChecksumKind};

/// Where one input record ended up.
pub(super) enum Outcome {
    New(usize),
    Existing(u64),
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
pub(super) fn checksum_keys(rec: &AssetRecord) -> Vec<(Vec<u8>, &'static str)> {
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
