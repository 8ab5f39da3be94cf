//! Every redb table of a catalogue, in one place. See `docs/design.md` for the layouts.

use redb::TableDefinition;

/// Format name and version (`format` = `photocat`, `version` = u32 LE bytes).
pub const META: TableDefinition<&str, &[u8]> = TableDefinition::new("photocat_meta");
/// Key allocators: the next internal key of each record kind.
pub const COUNTERS: TableDefinition<&str, u64> = TableDefinition::new("photocat_counters");

/// Asset records by internal key (versioned bincode, faces inside).
pub const ASSETS: TableDefinition<u64, &[u8]> = TableDefinition::new("assets");
/// Public asset id to the asset's place: its internal key and what positions it in the list
/// orders (format 6; layout in [`super::places`]). Formats 1 to 5 kept the key alone, in
/// `asset_ids`.
pub const ASSET_PLACES: TableDefinition<&str, &super::places::Bytes> =
    TableDefinition::new("asset_places");
/// Library records by internal key.
pub const LIBRARIES: TableDefinition<u32, &[u8]> = TableDefinition::new("libraries");
/// Public library id to internal key.
pub const LIBRARY_IDS: TableDefinition<&str, u32> = TableDefinition::new("library_ids");
/// Album records by internal key.
pub const ALBUMS: TableDefinition<u32, &[u8]> = TableDefinition::new("albums");
/// Public album id to internal key.
pub const ALBUM_IDS: TableDefinition<&str, u32> = TableDefinition::new("album_ids");
/// Person records by internal key (with the maintained `asset_count`).
pub const PEOPLE: TableDefinition<u32, &[u8]> = TableDefinition::new("people");
/// Public person id to internal key.
pub const PERSON_IDS: TableDefinition<&str, u32> = TableDefinition::new("person_ids");
/// Public face id to the internal key of the asset that holds the face.
pub const FACE_IDS: TableDefinition<&str, u64> = TableDefinition::new("face_ids");

/// The list index: every list order as sorted key ranges (see [`super::keys`]).
pub const LIST_INDEX: TableDefinition<&[u8], &[u8]> = TableDefinition::new("list_index");
/// Maintained entry counts of the list index: the number of [`LIST_INDEX`] entries under each
/// `group | part` prefix ([`super::keys::prefix`]), updated in the transaction that adds or
/// removes the entries. A prefix with no entries has no row. They answer `count_assets` and
/// the catalogue summary without walking the index (format 2).
pub const LIST_COUNTS: TableDefinition<&[u8], u64> = TableDefinition::new("list_counts");
/// Checksum uniqueness per (library, owner): key from [`super::keys::checksum_key`].
pub const CHECKSUMS: TableDefinition<&[u8], u64> = TableDefinition::new("checksums");

/// Counter names in [`COUNTERS`].
pub mod counter {
    /// Next asset key.
    pub const ASSET: &str = "asset";
    /// Next library key.
    pub const LIBRARY: &str = "library";
    /// Next album key.
    pub const ALBUM: &str = "album";
    /// Next person key.
    pub const PERSON: &str = "person";
}

/// Every asset holding a face of a person, whatever its state or visibility:
/// `(person, asset)` keys, for merges.
pub const PERSON_ASSETS: TableDefinition<(u32, u64), ()> = TableDefinition::new("person_assets");

/// Album membership: `(asset, album)` keys. Kept out of the asset record so that linking an
/// asset to an album touches only this table and the album's index entries.
pub const ASSET_ALBUMS: TableDefinition<(u64, u32), ()> = TableDefinition::new("asset_albums");

// Format 3: the Immich-side indexes. Key layouts in [`super::immich_keys`].

/// `GET /asset`'s order per owner scope and (favorite, archived) flags.
pub const IMMICH_ORDER: TableDefinition<&[u8], &[u8]> = TableDefinition::new("immich_order");
/// Entry counts of [`IMMICH_ORDER`] per time bucket at three levels, for sublinear `skip`.
pub const IMMICH_BLOCKS: TableDefinition<&[u8], u64> = TableDefinition::new("immich_blocks");
/// The assets eligible for random sampling, at dense positions per owner scope.
pub const RANDOM_POOL: TableDefinition<&[u8], u64> = TableDefinition::new("random_pool");
/// The size of each scope's random pool (no row for an empty one).
pub const RANDOM_SIZES: TableDefinition<&[u8], u64> = TableDefinition::new("random_sizes");
/// The pool position of each asset in the random pool (its scope is its owner's).
pub const RANDOM_SLOTS: TableDefinition<u64, u64> = TableDefinition::new("random_slots");
/// Device id and device asset id to assets, with their trashed and hidden bits.
pub const DEVICE_INDEX: TableDefinition<&[u8], u8> = TableDefinition::new("device_index");
/// SHA-1 checksum to assets, with their trashed bit and public id.
pub const SHA1_INDEX: TableDefinition<&[u8], &[u8]> = TableDefinition::new("sha1_index");

// Format 4: search and time buckets (`docs/design.md`, "Search and time buckets").

/// Search facet values, interned: `field:u8 | value bytes` to the value's key (the row with
/// the empty key holds the next key to hand out). Values are never removed.
pub const FACET_VALUES: TableDefinition<&[u8], u32> = TableDefinition::new("facet_values");
/// Maintained entry counts of the list index per `group | part` prefix and day of the key's
/// wall-clock time (`prefix | day`, from [`super::keys::day_key`]); parts 0 and 1 only. They
/// answer time buckets and the totals of date-bounded searches. A day with no entries has no
/// row.
pub const DAY_COUNTS: TableDefinition<&[u8], u64> = TableDefinition::new("day_counts");
/// The text column of substring search: per `field:u8 | library:u32 | block:u64` (block =
/// asset key >> 10), the folded texts of the block's live listed assets with their list
/// positions (layout in the crate's `facets` module).
pub const TEXT_COLUMN: TableDefinition<&[u8], &[u8]> = TableDefinition::new("text_column");
/// The live assets of every list-index group as Roaring bitmaps: per `group | part 0` prefix
/// and block (`block u32` BE = asset key >> 16), the block's asset keys' low 16 bits, in
/// roaring's portable serialization. They count the matches of several search filters by
/// intersecting bitmaps instead of walking entries.
pub const POSTINGS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("postings");

/// Whole tables as bytes, for tests that compare two catalogues or two writes table by table.
#[cfg(test)]
pub(crate) mod dump {
    use redb::{ReadableTable, TableDefinition, TableHandle};

    /// A table's rows as bytes, in key order.
    pub(crate) type Rows = Vec<(Vec<u8>, Vec<u8>)>;

    fn rows<K: redb::Key + 'static, V: redb::Value + 'static>(
        txn: &redb::ReadTransaction,
        def: TableDefinition<K, V>,
    ) -> Rows {
        let t = txn.open_table(def).unwrap();
        t.iter()
            .unwrap()
            .map(|r| {
                let (k, v) = r.unwrap();
                let key = K::as_bytes(&k.value()).as_ref().to_vec();
                let value = V::as_bytes(&v.value()).as_ref().to_vec();
                (key, value)
            })
            .collect()
    }

    /// Every table of the snapshot `txn` by name, as bytes; the metadata table too with
    /// `with_meta`.
    pub(crate) fn all(txn: &redb::ReadTransaction, with_meta: bool) -> Vec<(String, Rows)> {
        macro_rules! all {
            ($($t:ident),*) => {
                vec![$((super::$t.name().to_owned(), rows(txn, super::$t))),*]
            };
        }
        let mut out = Vec::new();
        if with_meta {
            out.extend(all!(META));
        }
        out.extend(all!(
            COUNTERS,
            ASSETS,
            ASSET_PLACES,
            LIBRARIES,
            LIBRARY_IDS,
            ALBUMS,
            ALBUM_IDS,
            PEOPLE,
            PERSON_IDS,
            FACE_IDS,
            PERSON_ASSETS,
            ASSET_ALBUMS,
            LIST_INDEX,
            CHECKSUMS,
            LIST_COUNTS,
            IMMICH_ORDER,
            IMMICH_BLOCKS,
            RANDOM_POOL,
            RANDOM_SIZES,
            RANDOM_SLOTS,
            DEVICE_INDEX,
            SHA1_INDEX,
            FACET_VALUES,
            DAY_COUNTS,
            TEXT_COLUMN,
            POSTINGS
        ));
        out
    }
}
