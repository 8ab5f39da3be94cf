//! An asset's place, kept beside its public id (`asset_places`, format 6): its internal key
//! and what positions it in every list order (library, wall-clock capture time and offset,
//! `trashed_at`, whether it is listed). A cursor's position and an album link's entries come
//! from this one index read: neither reads the asset's record.
//!
//! A place is [`LEN`] fixed bytes, little-endian:
//!
//! | bytes | field |
//! | --- | --- |
//! | 0..8 | asset key (`u64`) |
//! | 8..12 | library key (`u32`) |
//! | 12..20 | `local`, wall-clock capture time in microseconds (`i64`) |
//! | 20..24 | UTC offset in seconds (`i32`; 0 when none) |
//! | 24..32 | `trashed_at` in microseconds (`i64`; 0 when not trashed) |
//! | 32 | flags: 1 = has an offset, 2 = trashed, 4 = listed (not hidden or locked) |
//!
//! The place is derived from the record ([`Place::of`]) and maintained with the other indexes
//! by [`crate::index::IndexTables::apply`] and the bulk insert; `verify` rebuilds it from the
//! records and compares.

use redb::ReadableTable;

use super::codec::AssetRecord;
use super::fast::AssetRef;
use crate::error::{Error, Result};

/// The length of a stored place.
pub(crate) const LEN: usize = 33;

/// The stored form of a place.
pub(crate) type Bytes = [u8; LEN];

const HAS_OFFSET: u8 = 1;
const TRASHED: u8 = 2;
const LISTED: u8 = 4;

/// Where an asset sits: its key and the fields that order and place it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Place {
    pub key: u64,
    pub library: u32,
    pub local: i64,
    pub offset: Option<i32>,
    pub trashed_at: Option<i64>,
    pub listed: bool,
}

impl Place {
    /// The place of the asset `key` whose record is `rec`.
    pub(crate) fn of(key: u64, rec: &AssetRecord) -> Place {
        Place {
            key,
            library: rec.library,
            local: rec.local,
            offset: rec.offset,
            trashed_at: rec.trashed_at,
            listed: rec.visibility.is_listed(),
        }
    }

    /// The place of the asset `key` whose record is read in place as `rec`.
    pub(crate) fn of_stored(key: u64, rec: &AssetRef<'_>) -> Place {
        Place {
            key,
            library: rec.library,
            local: rec.local,
            offset: rec.offset,
            trashed_at: rec.trashed_at,
            listed: rec.visibility.is_listed(),
        }
    }

    /// The stored bytes.
    pub(crate) fn encode(&self) -> Bytes {
        let mut b = [0u8; LEN];
        b[0..8].copy_from_slice(&self.key.to_le_bytes());
        b[8..12].copy_from_slice(&self.library.to_le_bytes());
        b[12..20].copy_from_slice(&self.local.to_le_bytes());
        b[20..24].copy_from_slice(&self.offset.unwrap_or(0).to_le_bytes());
        b[24..32].copy_from_slice(&self.trashed_at.unwrap_or(0).to_le_bytes());
        b[32] = (if self.offset.is_some() { HAS_OFFSET } else { 0 })
            | (if self.trashed_at.is_some() {
                TRASHED
            } else {
                0
            })
            | (if self.listed { LISTED } else { 0 });
        b
    }

    /// Reads stored bytes: unknown flags, or a value where its flag says none, are `Corrupt`.
    pub(crate) fn decode(b: &Bytes) -> Result<Place> {
        let flags = b[32];
        let offset = i32::from_le_bytes(field(b, 20));
        let trashed = i64::from_le_bytes(field(b, 24));
        if flags & !(HAS_OFFSET | TRASHED | LISTED) != 0
            || (flags & HAS_OFFSET == 0 && offset != 0)
            || (flags & TRASHED == 0 && trashed != 0)
        {
            return Err(Error::Corrupt(format!(
                "an asset place has flags {flags:#04x} that do not match its fields"
            )));
        }
        Ok(Place {
            key: u64::from_le_bytes(field(b, 0)),
            library: u32::from_le_bytes(field(b, 8)),
            local: i64::from_le_bytes(field(b, 12)),
            offset: (flags & HAS_OFFSET != 0).then_some(offset),
            trashed_at: (flags & TRASHED != 0).then_some(trashed),
            listed: flags & LISTED != 0,
        })
    }
}

/// The `N` bytes of a place from `at` (every call names a range inside [`LEN`]).
fn field<const N: usize>(b: &Bytes, at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&b[at..at + N]);
    out
}

/// The place of the asset with public id `id`, if it exists.
pub(crate) fn get(
    t: &impl ReadableTable<&'static str, &'static Bytes>,
    id: &str,
) -> Result<Option<Place>> {
    match t.get(id)? {
        Some(v) => Place::decode(v.value()).map(Some),
        None => Ok(None),
    }
}

/// The internal key of the asset with public id `id`, if it exists.
pub(crate) fn key(
    t: &impl ReadableTable<&'static str, &'static Bytes>,
    id: &str,
) -> Result<Option<u64>> {
    Ok(get(t, id)?.map(|p| p.key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples() -> Vec<Place> {
        let mut out = Vec::new();
        for offset in [None, Some(0), Some(-36_000), Some(50_400)] {
            for trashed_at in [None, Some(0), Some(-1), Some(i64::MAX)] {
                for listed in [false, true] {
                    out.push(Place {
                        key: 0x0102_0304_0506_0708,
                        library: u32::MAX,
                        local: i64::MIN,
                        offset,
                        trashed_at,
                        listed,
                    });
                }
            }
        }
        out
    }

    #[test]
    fn a_place_reads_back_as_written() {
        for p in samples() {
            assert_eq!(Place::decode(&p.encode()).unwrap(), p);
        }
    }

    #[test]
    fn the_layout_is_the_documented_one() {
        let p = Place {
            key: 1,
            library: 2,
            local: 3,
            offset: Some(-4),
            trashed_at: None,
            listed: true,
        };
        let mut want = [0u8; LEN];
        want[0] = 1;
        want[8] = 2;
        want[12] = 3;
        want[20..24].copy_from_slice(&(-4i32).to_le_bytes());
        want[32] = HAS_OFFSET | LISTED;
        assert_eq!(p.encode(), want);
    }

    #[test]
    fn flags_that_contradict_the_fields_are_corrupt() {
        let mut b = samples()[0].encode();
        b[32] |= 8;
        assert!(matches!(Place::decode(&b), Err(Error::Corrupt(_))));
        let mut b = samples()[0].encode(); // no offset, not trashed
        b[21] = 1;
        assert!(matches!(Place::decode(&b), Err(Error::Corrupt(_))));
        let mut b = samples()[0].encode();
        b[30] = 1;
        assert!(matches!(Place::decode(&b), Err(Error::Corrupt(_))));
    }

    #[test]
    fn every_byte_pattern_decodes_or_is_corrupt() {
        // A flipped bit anywhere reads as some place or as `Corrupt`, never a panic.
        let base = samples()[5].encode();
        for i in 0..LEN {
            for bit in 0..8 {
                let mut b = base;
                b[i] ^= 1 << bit;
                let _ = Place::decode(&b);
            }
        }
    }
}
