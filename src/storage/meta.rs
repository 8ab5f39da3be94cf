//! The format record: a catalogue file names itself `photocat` and records its format version.
//! Opening checks both before touching anything else.

use redb::{ReadableDatabase, ReadableTable};

use super::tables::META;
use crate::error::{Error, Result};

/// The format name stored under `format`.
pub const FORMAT_NAME: &[u8] = b"photocat";
/// The format version this build writes and reads. Format 2 added the maintained list-index
/// counts (`list_counts`) and the asset record's time source; format 1 files are upgraded on
/// open (in one transaction, by the crate-private `storage::upgrade`). Format 3 added the
/// Immich-side indexes (`GET /asset`'s order with block counts, the random pool, the device
/// and SHA-1 indexes; see [`super::immich_keys`]). Format 4 added search and time buckets:
/// the facet entries of the list index with their interned values (`facet_values`), the day
/// counts (`day_counts`) and the text column (`text_column`). Format 5 stores no facet
/// entries (nor their counts, day counts and postings) for the values nearly every asset has:
/// favourite `false`, visibility `timeline` and type `IMAGE`; searches answer them as the
/// library minus the field's other values. Format 6 keeps each asset's place (key, library,
/// time, offset, trash, listing) beside its public id (`asset_places`, replacing `asset_ids`),
/// so that a cursor and an album link read no record.
pub const FORMAT_VERSION: u32 = 6;

/// The oldest format version this build opens (and upgrades).
pub const OLDEST_SUPPORTED: u32 = 1;

/// Writes the format record into a new catalogue.
pub(crate) fn init(txn: &redb::WriteTransaction) -> Result<()> {
    let mut t = txn.open_table(META)?;
    t.insert("format", FORMAT_NAME)?;
    drop(t);
    set_version(txn, FORMAT_VERSION)
}

/// Records the format version (in the transaction that makes the file that version).
pub(crate) fn set_version(txn: &redb::WriteTransaction, version: u32) -> Result<()> {
    txn.open_table(META)?
        .insert("version", version.to_le_bytes().as_slice())?;
    Ok(())
}

/// What the format record of an open database says.
pub(crate) enum Found {
    /// A photocat catalogue of this version.
    Current,
    /// A photocat catalogue of an older version this build upgrades.
    Older(u32),
    /// Not a photocat catalogue; the reason.
    Foreign(String),
}

/// Reads the format record. Fails with `UnsupportedVersion` for a photocat file of another
/// version.
pub(crate) fn check(db: &impl ReadableDatabase) -> Result<Found> {
    let txn = db.begin_read()?;
    let t = match txn.open_table(META) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => {
            return Ok(Found::Foreign(
                "it is a redb database without photocat's format record".into(),
            ))
        }
        Err(e) => return Err(e.into()),
    };
    match t.get("format")? {
        Some(v) if v.value() == FORMAT_NAME => {}
        _ => {
            return Ok(Found::Foreign(
                "its format record does not name photocat".into(),
            ))
        }
    }
    let version = t
        .get("version")?
        .and_then(|v| <[u8; 4]>::try_from(v.value()).ok())
        .map(u32::from_le_bytes)
        .ok_or_else(|| Error::Corrupt("the format version is missing or malformed".into()))?;
    if (OLDEST_SUPPORTED..FORMAT_VERSION).contains(&version) {
        return Ok(Found::Older(version));
    }
    if version != FORMAT_VERSION {
        return Err(Error::UnsupportedVersion {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    // Check that the other tables are readable as their declared types.
    let _ = t.iter()?;
    Ok(Found::Current)
}
