//! Key encodings of the Immich-side indexes (format 3). See `docs/design.md` for why each
//! exists; the tables are in [`super::tables`].
//!
//! Every index is kept per *owner scope*: the assets of one owner, or the assets without an
//! owner. A scope is `0x00` (no owner) or `0x01 | len:u32 BE | owner bytes`: length-prefixed,
//! so no owner's scope is a prefix of another's and no byte of an owner id is special. A read
//! for one owner reads that scope; a read for every owner reads every scope (the scopes are
//! found from the top level of the block counts, which holds a row per scope with assets).
//!
//! * **Order** (`immich_order`): `scope | flags | time | id` for every listed asset (visibility
//!   timeline or archive; trashed ones too), where `flags` is `is_favorite | is_archived << 1`
//!   and `time` is the record's effective `file_created_at` ([`super::keys::time_bytes`]).
//!   Read backwards it is `GET /asset`'s order: `file_created_at` desc, `id` desc. The value
//!   is `asset:u64 LE | updated_at:i64 LE`, so the `updated_*` bounds need no record read.
//! * **Blocks** (`immich_blocks`): `level | scope | flags | bucket` → the number of order
//!   entries of that scope and flags whose time falls in the bucket. Level `L` (1 to 3) buckets
//!   the time by an arithmetic shift of [`BLOCK_SHIFTS`]`[L - 1]` bits, each level splitting a
//!   bucket of the level above into 64. A `skip` sums whole buckets, descends into the one
//!   where it ends, and steps entries only inside one bucket of the lowest level. The number
//!   of rows is bounded by the time the library spans (15 years: about 110,000 rows of the
//!   lowest level), not by its size, so a large library pays about one row update per
//!   several assets.
//! * **`updated_at` bounds** (`immich_blocks`, keys [`UPDATED_MIN`] and [`UPDATED_MAX`], level
//!   0): the least and the greatest `updated_at` any order entry has had (as `i64` bits). They
//!   only widen (a delete does not narrow them), so every present entry lies within them: an
//!   `updated_*` bound outside them excludes nothing, and the skip keeps its jump (Immich's
//!   mobile client pages with `updatedBefore = now`).
//! * **Random pool** (`random_pool`, `random_sizes`, `random_slots`): the assets eligible for
//!   random sampling (listed, not trashed) of each scope at dense positions `0..size`;
//!   removal moves the last one into the hole.
//! * **Device** (`device_index`): `len | device_id | len | device_asset_id | scope | asset:u64
//!   BE` → [`DEVICE_TRASHED`] | [`DEVICE_HIDDEN`] bits, for every asset (the effective device
//!   ids, defaults included).
//! * **SHA-1** (`sha1_index`): `sha1:20 | scope | asset:u64 BE` → `trashed:u8 | id bytes`, for
//!   every asset with a SHA-1 checksum.

use super::keys::time_bytes;

/// The bit shifts (of microseconds) of the three block levels: buckets of about 203 days,
/// 3.2 days and 72 minutes.
pub const BLOCK_SHIFTS: [u32; 3] = [44, 38, 32];

/// The `immich_blocks` key of the least `updated_at` of any order entry so far.
pub const UPDATED_MIN: &[u8] = &[0, 0];
/// The `immich_blocks` key of the greatest `updated_at` of any order entry so far.
pub const UPDATED_MAX: &[u8] = &[0, 1];

/// Device-index value bit: the asset is in the trash.
pub const DEVICE_TRASHED: u8 = 1;
/// Device-index value bit: the asset is hidden (visibility `hidden`).
pub const DEVICE_HIDDEN: u8 = 2;

/// The scope of an owner (None: the assets without one).
pub fn scope(owner: Option<&str>) -> Vec<u8> {
    let mut k = Vec::with_capacity(5 + owner.map_or(0, str::len));
    push_scope(&mut k, owner);
    k
}

fn push_scope(k: &mut Vec<u8>, owner: Option<&str>) {
    match owner {
        None => k.push(0),
        Some(o) => {
            k.push(1);
            push_str(k, o);
        }
    }
}

fn push_str(k: &mut Vec<u8>, s: &str) {
    k.extend_from_slice(&(s.len() as u32).to_be_bytes());
    k.extend_from_slice(s.as_bytes());
}

/// The length of the scope that starts `key`, if it is well formed.
pub fn scope_len(key: &[u8]) -> Option<usize> {
    match key.first()? {
        0 => Some(1),
        1 => {
            let n = u32::from_be_bytes(key.get(1..5)?.try_into().ok()?) as usize;
            (key.len() >= 5 + n).then_some(5 + n)
        }
        _ => None,
    }
}

/// The owner a scope names (None for the ownerless scope or a malformed one).
#[cfg(test)]
pub fn scope_owner(scope: &[u8]) -> Option<&str> {
    let len = scope_len(scope)?;
    std::str::from_utf8(scope.get(5..len)?).ok()
}

/// The flags byte of the order index.
pub fn flags(is_favorite: bool, is_archived: bool) -> u8 {
    u8::from(is_favorite) | (u8::from(is_archived) << 1)
}

/// The prefix of one (scope, flags) run of the order index.
pub fn order_prefix(scope: &[u8], flags: u8) -> Vec<u8> {
    let mut k = Vec::with_capacity(scope.len() + 1 + 8 + 32);
    k.extend_from_slice(scope);
    k.push(flags);
    k
}

/// An order-index key.
pub fn order_key(scope: &[u8], flags: u8, time: i64, id: &str) -> Vec<u8> {
    let mut k = order_prefix(scope, flags);
    k.extend_from_slice(&time_bytes(time));
    k.extend_from_slice(id.as_bytes());
    k
}

/// An order-index value.
pub fn order_value(asset: u64, updated_at: i64) -> [u8; 16] {
    let mut v = [0u8; 16];
    v[..8].copy_from_slice(&asset.to_le_bytes());
    v[8..].copy_from_slice(&updated_at.to_le_bytes());
    v
}

/// Decodes an order-index value: (asset key, updated_at).
pub fn decode_order_value(v: &[u8]) -> Option<(u64, i64)> {
    Some((
        u64::from_le_bytes(v.get(..8)?.try_into().ok()?),
        i64::from_le_bytes(v.get(8..16)?.try_into().ok()?),
    ))
}

/// The bucket of `time` at block level `level` (1 to 3).
pub fn bucket(level: u8, time: i64) -> i64 {
    time >> BLOCK_SHIFTS[usize::from(level - 1)]
}

/// The buckets of level `level + 1` inside bucket `b` of level `level` (1 or 2): the first and
/// the last.
pub fn children(level: u8, b: i64) -> (i64, i64) {
    let bits = BLOCK_SHIFTS[usize::from(level - 1)] - BLOCK_SHIFTS[usize::from(level)];
    (b << bits, (b << bits) | ((1i64 << bits) - 1))
}

/// The last microsecond of bucket `b` at level `level`.
pub fn bucket_end(level: u8, b: i64) -> i64 {
    let shift = BLOCK_SHIFTS[usize::from(level - 1)];
    (b << shift) | ((1i64 << shift) - 1)
}

/// The prefix of one level's block rows of one (scope, flags) run.
pub fn block_prefix(level: u8, scope: &[u8], flags: u8) -> Vec<u8> {
    let mut k = Vec::with_capacity(2 + scope.len() + 8);
    k.push(level);
    k.extend_from_slice(scope);
    k.push(flags);
    k
}

/// A block row key.
pub fn block_key(level: u8, scope: &[u8], flags: u8, bucket: i64) -> Vec<u8> {
    let mut k = block_prefix(level, scope, flags);
    k.extend_from_slice(&time_bytes(bucket));
    k
}

/// Splits a block row key into (scope, flags, bucket).
pub fn split_block_key(key: &[u8]) -> Option<(&[u8], u8, i64)> {
    let rest = key.get(1..)?;
    let len = scope_len(rest)?;
    let flags = *rest.get(len)?;
    let b: [u8; 8] = rest.get(len + 1..len + 9)?.try_into().ok()?;
    Some((&rest[..len], flags, super::keys::time_from_bytes(b)))
}

/// A random-pool key: scope and position.
pub fn pool_key(scope: &[u8], position: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(scope.len() + 8);
    k.extend_from_slice(scope);
    k.extend_from_slice(&position.to_be_bytes());
    k
}

/// The prefix of a device's entries, or of one device asset id's when given.
pub fn device_prefix(device_id: &str, device_asset_id: Option<&str>) -> Vec<u8> {
    prefix_with_room(device_id, device_asset_id, 0)
}

/// [`device_prefix`] in a buffer with room for `extra` more bytes (a whole key's, so that
/// appending the scope and the asset does not grow it).
fn prefix_with_room(device_id: &str, device_asset_id: Option<&str>, extra: usize) -> Vec<u8> {
    let len = 8 + device_id.len() + device_asset_id.map_or(0, str::len) + extra;
    let mut k = Vec::with_capacity(len);
    push_str(&mut k, device_id);
    if let Some(d) = device_asset_id {
        push_str(&mut k, d);
    }
    k
}

/// A device-index key.
pub fn device_key(device_id: &str, device_asset_id: &str, scope: &[u8], asset: u64) -> Vec<u8> {
    let mut k = prefix_with_room(device_id, Some(device_asset_id), scope.len() + 8);
    k.extend_from_slice(scope);
    k.extend_from_slice(&asset.to_be_bytes());
    k
}

/// Splits a device-index key that starts with `device_prefix(device_id, None)` (of length
/// `skip`) into (device asset id, scope).
pub fn split_device_key(key: &[u8], skip: usize) -> Option<(&str, &[u8])> {
    let rest = key.get(skip..)?;
    let n = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
    let dai = std::str::from_utf8(rest.get(4..4 + n)?).ok()?;
    let scope = rest.get(4 + n..rest.len().checked_sub(8)?)?;
    Some((dai, scope))
}

/// A SHA-1-index key.
pub fn sha1_key(digest: &[u8; 20], scope: &[u8], asset: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(20 + scope.len() + 8);
    k.extend_from_slice(digest);
    k.extend_from_slice(scope);
    k.extend_from_slice(&asset.to_be_bytes());
    k
}

/// The smallest key after every key that starts with `prefix` (None when there is none:
/// `prefix` is all 0xFF).
pub fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xFF {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn buckets_nest(t: i64) {
            for level in 1..=3u8 {
                let b = bucket(level, t);
                prop_assert!(t <= bucket_end(level, b));
                prop_assert_eq!(bucket(level, bucket_end(level, b)), b);
                if level < 3 {
                    let (lo, hi) = children(level, b);
                    prop_assert!((lo..=hi).contains(&bucket(level + 1, t)));
                    prop_assert_eq!(bucket_end(level + 1, hi), bucket_end(level, b));
                }
            }
        }

        #[test]
        fn scopes_never_prefix_each_other(a in "[a-z\u{0}]{0,6}", b in "[a-z\u{0}]{0,6}") {
            prop_assume!(a != b);
            let (sa, sb) = (scope(Some(&a)), scope(Some(&b)));
            prop_assert!(!sb.starts_with(&sa) && !sa.starts_with(&sb));
            prop_assert_eq!(scope_owner(&sa), Some(a.as_str()));
            prop_assert_eq!(scope_len(&order_key(&sa, 3, 7, "x")), Some(sa.len()));
        }

        #[test]
        fn block_keys_split(owner in proptest::option::of("[a-z]{0,6}"), flags in 0u8..4, b: i64) {
            let s = scope(owner.as_deref());
            let k = block_key(2, &s, flags, b);
            prop_assert_eq!(split_block_key(&k), Some((s.as_slice(), flags, b)));
        }

        #[test]
        fn device_keys_split(dev in ".{0,5}", dai in ".{0,5}", owner in proptest::option::of(".{0,4}"), asset: u64) {
            let s = scope(owner.as_deref());
            let k = device_key(&dev, &dai, &s, asset);
            let skip = device_prefix(&dev, None).len();
            prop_assert!(k.starts_with(&device_prefix(&dev, Some(&dai))));
            prop_assert_eq!(split_device_key(&k, skip), Some((dai.as_str(), s.as_slice())));
        }
    }

    #[test]
    fn prefix_end_is_the_next_prefix() {
        assert_eq!(prefix_end(&[1, 2]), Some(vec![1, 3]));
        assert_eq!(prefix_end(&[1, 0xFF]), Some(vec![2]));
        assert_eq!(prefix_end(&[0xFF, 0xFF]), None);
    }
}
