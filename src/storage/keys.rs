//! Order-preserving key encodings of the list index.
//!
//! A list-index key is `group | part | time | id`:
//!
//! * `group`: `0x01 library:u32` | `0x02 album:u32` | `0x03 person:u32 library:u32` |
//!   `0x04 library:u32 field:u8 value:u32` (a search facet: one interned value of one field,
//!   see `docs/design.md`; live entries only), big-endian.
//! * `part`: `0` live assets by `local_datetime`, `1` trashed assets by `local_datetime`,
//!   `2` trashed assets by `trashed_at`. `state="all"` merges parts 0 and 1.
//! * `time`: microseconds as i64, big-endian with the sign bit flipped, so byte order is
//!   numeric order.
//! * `id`: the public id's bytes. Ids never contain 0x00 and the id is the key's last field,
//!   so byte order is (time, id) order.
//!
//! Lists read these ranges backwards: newest first, ties by id descending. The value is
//! `asset:u64 LE | offset:i32 LE` (offset `i32::MIN` when unknown), plus `local:i64 LE` in part 2
//! so that date filters need no record read there.
//!
//! The *position* of an entry (`time | id`, the key without its group and part) is what
//! cursors carry: it compares the same way in every group.

/// A grouping of the list index: which assets a range holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    /// Every listed asset of a library.
    Library(u32),
    /// Every asset of an album.
    Album(u32),
    /// Every asset of a library with a face of a person.
    Person {
        /// The person's internal key.
        person: u32,
        /// The library's internal key.
        library: u32,
    },
    /// Every live asset of a library whose search field `field` has the interned value
    /// `value` (`docs/design.md`, "Search and time buckets"). Facet groups have only [`Part::Live`] entries.
    Facet {
        /// The library's internal key.
        library: u32,
        /// The field's code (a stable byte per search field).
        field: u8,
        /// The value's interned key (`facet_values`).
        value: u32,
    },
}

/// The partition of a group: live, or trashed in either order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Part {
    /// Live assets, by `local_datetime`.
    Live = 0,
    /// Trashed assets, by `local_datetime` (for `state="all"`).
    TrashedByLocal = 1,
    /// Trashed assets, by `trashed_at` (for `state="trashed"`).
    TrashedByTrashedAt = 2,
}

/// The sentinel stored for an unknown offset.
pub const NO_OFFSET: i32 = i32::MIN;

/// Order-preserving bytes of an i64.
pub fn time_bytes(t: i64) -> [u8; 8] {
    ((t as u64) ^ (1 << 63)).to_be_bytes()
}

/// Inverse of [`time_bytes`].
pub fn time_from_bytes(b: [u8; 8]) -> i64 {
    (u64::from_be_bytes(b) ^ (1 << 63)) as i64
}

/// The key prefix of one group and part.
pub fn prefix(group: Group, part: Part) -> Vec<u8> {
    let mut k = Vec::with_capacity(48);
    write_prefix(&mut k, group, part);
    k
}

/// Appends the key prefix of one group and part to `k`.
pub fn write_prefix(k: &mut Vec<u8>, group: Group, part: Part) {
    match group {
        Group::Library(l) => {
            k.push(1);
            k.extend_from_slice(&l.to_be_bytes());
        }
        Group::Album(a) => {
            k.push(2);
            k.extend_from_slice(&a.to_be_bytes());
        }
        Group::Person { person, library } => {
            k.push(3);
            k.extend_from_slice(&person.to_be_bytes());
            k.extend_from_slice(&library.to_be_bytes());
        }
        Group::Facet {
            library,
            field,
            value,
        } => {
            k.push(4);
            k.extend_from_slice(&library.to_be_bytes());
            k.push(field);
            k.extend_from_slice(&value.to_be_bytes());
        }
    }
    k.push(part as u8);
}

/// The length of the `group | part` prefix that starts `key` (None for a key of no known
/// group): the unit the maintained entry counts of [`super::tables::LIST_COUNTS`] are kept per.
pub fn prefix_len(key: &[u8]) -> Option<usize> {
    let len = match key.first()? {
        1 | 2 => 6,
        3 => 10,
        4 => 11,
        _ => return None,
    };
    (key.len() >= len).then_some(len)
}

/// Microseconds in a day.
pub const DAY_MICROS: i64 = 86_400_000_000;

/// The day (days since 1970-01-01, floored) of a wall-clock time in microseconds.
pub fn day_of(local: i64) -> i32 {
    local.div_euclid(DAY_MICROS) as i32
}

/// The key of one day's maintained entry count of a `group | part` prefix
/// ([`super::tables::DAY_COUNTS`]): the prefix, then the day as an i32, big-endian with the
/// sign bit flipped (byte order is day order).
pub fn day_key(prefix: &[u8], day: i32) -> Vec<u8> {
    let mut k = Vec::with_capacity(prefix.len() + 4);
    k.extend_from_slice(prefix);
    k.extend_from_slice(&day_bytes(day));
    k
}

/// Order-preserving bytes of a day number.
pub fn day_bytes(day: i32) -> [u8; 4] {
    ((day as u32) ^ (1 << 31)).to_be_bytes()
}

/// Inverse of [`day_bytes`].
pub fn day_from_bytes(b: [u8; 4]) -> i32 {
    (u32::from_be_bytes(b) ^ (1 << 31)) as i32
}

/// The day a list-index key counts for in [`super::tables::DAY_COUNTS`], with the length of its
/// prefix: None for entries of [`Part::TrashedByTrashedAt`] (ordered by `trashed_at`; the
/// same assets are counted by their [`Part::TrashedByLocal`] entries) and for malformed keys.
pub fn counted_day(key: &[u8]) -> Option<(usize, i32)> {
    let len = prefix_len(key)?;
    if key[len - 1] == Part::TrashedByTrashedAt as u8 {
        return None;
    }
    let t: [u8; 8] = key.get(len..len + 8)?.try_into().ok()?;
    Some((len, day_of(time_from_bytes(t))))
}

/// The position bytes (`time | id`) of an entry.
pub fn position(time: i64, id: &str) -> Vec<u8> {
    let mut p = Vec::with_capacity(8 + id.len());
    p.extend_from_slice(&time_bytes(time));
    p.extend_from_slice(id.as_bytes());
    p
}

/// A full list-index key.
pub fn key(group: Group, part: Part, time: i64, id: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(19 + id.len());
    write_key(&mut k, group, part, time, id);
    k
}

/// Appends a full list-index key to `k` (what [`key`] returns).
pub fn write_key(k: &mut Vec<u8>, group: Group, part: Part, time: i64, id: &str) {
    write_prefix(k, group, part);
    k.extend_from_slice(&time_bytes(time));
    k.extend_from_slice(id.as_bytes());
}

/// The time of a position.
pub fn position_time(pos: &[u8]) -> i64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&pos[..8]);
    time_from_bytes(b)
}

/// The value of a list-index entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryValue {
    /// Internal asset key.
    pub asset: u64,
    /// Offset of `local_datetime` in seconds, when known.
    pub offset: Option<i32>,
    /// `local_datetime` in microseconds (present in every entry; stored only in part 2,
    /// where the key's time is `trashed_at`).
    pub local: i64,
}

/// Encodes an entry value for `part`.
pub fn encode_value(part: Part, v: &EntryValue) -> Vec<u8> {
    let mut out = Vec::with_capacity(20);
    write_value(&mut out, part, v);
    out
}

/// Appends an entry value to `out` (what [`encode_value`] returns).
pub fn write_value(out: &mut Vec<u8>, part: Part, v: &EntryValue) {
    out.extend_from_slice(&v.asset.to_le_bytes());
    out.extend_from_slice(&v.offset.unwrap_or(NO_OFFSET).to_le_bytes());
    if part == Part::TrashedByTrashedAt {
        out.extend_from_slice(&v.local.to_le_bytes());
    }
}

/// Decodes an entry value; `key_time` is the time in the key (the local time in parts 0 and 1).
pub fn decode_value(bytes: &[u8], key_time: i64) -> Option<EntryValue> {
    let asset = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
    let offset = i32::from_le_bytes(bytes.get(8..12)?.try_into().ok()?);
    let local = match bytes.get(12..20) {
        Some(b) => i64::from_le_bytes(b.try_into().ok()?),
        None => key_time,
    };
    Some(EntryValue {
        asset,
        offset: (offset != NO_OFFSET).then_some(offset),
        local,
    })
}

/// Which checksum a [`checksum_key`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ChecksumKind {
    /// SHA-256 (Gumnut's `checksum`).
    Sha256 = 1,
    /// SHA-1 (Immich's checksum).
    Sha1 = 2,
}

/// The uniqueness key of a checksum within (library, owner).
pub fn checksum_key(
    library: u32,
    kind: ChecksumKind,
    digest: &[u8],
    owner: Option<&str>,
) -> Vec<u8> {
    let mut k = Vec::with_capacity(5 + digest.len() + 1 + owner.map_or(0, str::len));
    k.extend_from_slice(&library.to_be_bytes());
    k.push(kind as u8);
    k.extend_from_slice(digest);
    if let Some(o) = owner {
        k.push(0);
        k.extend_from_slice(o.as_bytes());
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn time_bytes_preserve_order(a: i64, b: i64) {
            prop_assert_eq!(a.cmp(&b), time_bytes(a).cmp(&time_bytes(b)));
            prop_assert_eq!(time_from_bytes(time_bytes(a)), a);
        }

        #[test]
        fn keys_order_by_time_then_id(
            t1 in -1_000_000i64..1_000_000, t2 in -1_000_000i64..1_000_000,
            id1 in "[A-Za-z0-9_.:-]{1,12}", id2 in "[A-Za-z0-9_.:-]{1,12}",
        ) {
            let g = Group::Album(7);
            let k1 = key(g, Part::Live, t1, &id1);
            let k2 = key(g, Part::Live, t2, &id2);
            prop_assert_eq!(k1.cmp(&k2), (t1, id1.as_str()).cmp(&(t2, id2.as_str())));
        }
    }

    #[test]
    fn groups_and_parts_do_not_interleave() {
        let a = key(Group::Library(1), Part::Live, i64::MAX, "zzz");
        let b = key(Group::Library(1), Part::TrashedByLocal, i64::MIN, "a");
        let c = key(Group::Library(2), Part::Live, i64::MIN, "a");
        assert!(a < b && b < c);
        let p = key(
            Group::Person {
                person: 1,
                library: 9,
            },
            Part::Live,
            0,
            "x",
        );
        assert!(p.starts_with(&prefix(
            Group::Person {
                person: 1,
                library: 9
            },
            Part::Live
        )));
    }

    #[test]
    fn prefix_len_finds_the_group_and_part() {
        for g in [
            Group::Library(3),
            Group::Album(u32::MAX),
            Group::Person {
                person: 2,
                library: 5,
            },
        ] {
            for part in [Part::Live, Part::TrashedByLocal, Part::TrashedByTrashedAt] {
                let k = key(g, part, -7, "asset_a");
                assert_eq!(prefix_len(&k), Some(prefix(g, part).len()));
                assert_eq!(&k[..prefix(g, part).len()], prefix(g, part).as_slice());
            }
        }
        assert_eq!(prefix_len(&[]), None);
        assert_eq!(prefix_len(&[9, 0, 0, 0, 0, 0]), None);
        assert_eq!(prefix_len(&[3, 0, 0]), None);
    }

    #[test]
    fn values_round_trip() {
        let v = EntryValue {
            asset: 42,
            offset: Some(-3600),
            local: 123,
        };
        assert_eq!(decode_value(&encode_value(Part::Live, &v), 123), Some(v));
        let t = EntryValue {
            asset: 1,
            offset: None,
            local: -5,
        };
        assert_eq!(
            decode_value(&encode_value(Part::TrashedByTrashedAt, &t), 999),
            Some(t)
        );
        assert_eq!(decode_value(&[1, 2, 3], 0), None);
    }
}

/// Sorts `items` by the byte string `key` gives (lexicographically), as a stable sort would
/// (items with equal keys keep their order), but comparing a 16-byte big-endian prefix held as a `u128` first: bulk writes sort
/// hundreds of thousands of index keys, and a `memcmp` call per comparison was a quarter of a
/// bulk load's instructions. Keys with equal prefixes are compared whole. The prefixes are
/// taken and the sort runs on every core (rayon), unless there are fewer than
/// [`crate::par::MIN_ROWS`] items.
pub(crate) fn sort_by_key_bytes<T: Default + Send + Sync>(
    items: &mut Vec<T>,
    key: impl Fn(&T) -> &[u8] + Sync,
) {
    sort_by_key_bytes_in(items, &(), |_, t| key(t));
}

/// [`sort_by_key_bytes`] for items whose keys lie in `context` (a buffer the items point
/// into).
pub(crate) fn sort_by_key_bytes_in<C: Sync, T: Default + Send + Sync>(
    items: &mut Vec<T>,
    context: &C,
    key: impl for<'a> Fn(&'a C, &'a T) -> &'a [u8] + Sync,
) {
    use rayon::prelude::*;
    fn prefix(k: &[u8]) -> u128 {
        let mut b = [0u8; 16];
        let n = k.len().min(16);
        b[..n].copy_from_slice(&k[..n]);
        u128::from_be_bytes(b)
    }
    let cmp = |a: &(u128, usize), b: &(u128, usize)| {
        a.0.cmp(&b.0)
            .then_with(|| key(context, &items[a.1]).cmp(key(context, &items[b.1])))
            .then(a.1.cmp(&b.1))
    };
    // A small write (one `add_to_album`) would spend more on handing the work to the pool and
    // waiting for it than on the sort (`crate::par`).
    let parallel = crate::par::parallel(items.len());
    let mut order: Vec<(u128, usize)> = items
        .par_iter()
        .with_min_len(crate::par::min_len(parallel))
        .enumerate()
        .map(|(i, t)| (prefix(key(context, t)), i))
        .collect();
    if parallel {
        order.par_sort_unstable_by(cmp);
    } else {
        order.sort_unstable_by(cmp);
    }
    let mut sorted = Vec::with_capacity(items.len());
    for (_, i) in order {
        sorted.push(std::mem::take(&mut items[i]));
    }
    *items = sorted;
}

#[cfg(test)]
mod sort_tests {
    use super::sort_by_key_bytes;

    #[test]
    fn sorts_as_byte_strings_do() {
        let mut seed = 9u64;
        let mut next = || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) as usize
        };
        for round in 0..50 {
            // Both sides of `par::MIN_ROWS`: the sequential sort and the one on every core.
            let n = if round % 10 == 0 { 5_000 } else { 200 };
            let mut v: Vec<(Vec<u8>, u32)> = (0..n)
                .map(|i| {
                    // Short and long keys, shared prefixes, zero bytes: the padding cases.
                    let len = next() % 24;
                    let key = (0..len).map(|_| [0u8, 1, 255][next() % 3]).collect();
                    (key, i)
                })
                .collect();
            let mut want = v.clone();
            want.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
            sort_by_key_bytes(&mut v, |t| t.0.as_slice());
            // Equal keys may come in any order (an unstable sort): compare keys, then the
            // multiset of payloads.
            let keys: Vec<&Vec<u8>> = v.iter().map(|t| &t.0).collect();
            let want_keys: Vec<&Vec<u8>> = want.iter().map(|t| &t.0).collect();
            assert_eq!(keys, want_keys);
            let mut got = v.clone();
            got.sort();
            assert_eq!(got, want);
        }
    }
}
