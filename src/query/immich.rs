//! Immich-style reads (API.md section 7), each an index look-up over one read snapshot:
//!
//! * [`Catalog::get_all_assets`]: the legacy `GET /asset` (`getAllAssets`) with `skip`/`take`,
//!   its filters and the ETag Immich's server sends, over the `immich_order` index; `skip`
//!   jumps whole time buckets with the maintained block counts.
//! * [`Catalog::check_checksums`]: the bulk upload check (`POST /assets/bulk-upload-check`).
//! * [`Catalog::device_asset_ids`] and [`Catalog::existing_device_asset_ids`]: device sync
//!   (`GET /assets/device/:deviceId`, `POST /assets/exist`).
//! * [`Catalog::random_assets`] is in [`super::random`].

use std::collections::{BTreeSet, HashMap, HashSet};

use rayon::prelude::*;
use redb::ReadTransaction;
use sha1::Digest;

use crate::catalog::{Catalog, Tally};
use crate::error::{Error, Result};
use crate::ids::truncate_for_message;
use crate::model::{Asset, DateTimeInput};
use crate::records::{self, PeopleCache};
use crate::snapshot::View;
use crate::storage::codec::LibraryRecord;
use crate::storage::immich_keys as ik;
use crate::storage::keys::{time_bytes, time_from_bytes};
use crate::storage::places;
use crate::storage::tables;

/// Parameters of [`Catalog::get_all_assets`] (Immich's legacy `GET /asset`). Filters combine
/// with AND; the default reads every owner's whole library.
///
/// ```
/// let q = photocat::GetAllAssets { take: Some(1000), ..Default::default() };
/// assert_eq!(q.skip, 0);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetAllAssets {
    /// Only this owner's assets (an asset's owner is its `owner_id`); None reads every owner's,
    /// and assets without an owner.
    pub owner_id: Option<String>,
    /// Only archived (`true`) or only not archived (`false`) assets.
    pub is_archived: Option<bool>,
    /// Only favorites (`true`) or only non-favorites (`false`).
    pub is_favorite: Option<bool>,
    /// How many assets of the order to pass over first.
    pub skip: u64,
    /// The most assets to return; None returns all of them.
    pub take: Option<u64>,
    /// Inclusive lower bound on `updated_at` (a value without an offset is read as UTC).
    pub updated_after: Option<DateTimeInput>,
    /// Inclusive upper bound on `updated_at`.
    pub updated_before: Option<DateTimeInput>,
    /// The request's `If-None-Match` header value.
    pub if_none_match: Option<String>,
}

/// The answer of [`Catalog::get_all_assets`].
#[derive(Debug, Clone, PartialEq)]
pub struct AllAssets {
    /// The assets, in order; empty when `not_modified`.
    pub assets: Vec<Asset>,
    /// The response body Immich's server would send: the compact JSON array of the assets'
    /// Immich views ([`crate::views::immich::to_immich_json_array`]'s bytes). Empty when
    /// `not_modified`.
    pub body: Vec<u8>,
    /// The strong ETag of the body, as Express computes it:
    /// `"<hex byte length>-<first 27 characters of base64(sha1(body))>"`.
    pub etag: String,
    /// True when `if_none_match` matched `etag` (a server answers 304 with no body).
    pub not_modified: bool,
}

/// The answer of [`Catalog::get_all_assets_json`]: [`AllAssets`] without the assets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllAssetsJson {
    /// The response body: the compact JSON array of the assets' Immich views, the bytes of
    /// [`AllAssets::body`]. Empty when `not_modified`.
    pub body: Vec<u8>,
    /// The strong ETag of the body (see [`etag`]).
    pub etag: String,
    /// True when `if_none_match` matched `etag` (a server answers 304 with no body).
    pub not_modified: bool,
}

/// The body of a `get_all_assets` answer from its pieces, its ETag, and whether the request's
/// `If-None-Match` matched it (then the body is empty).
fn answer(q: &GetAllAssets, pieces: &[Vec<u8>]) -> (Vec<u8>, String, bool) {
    let body = crate::views::immich::join_array(pieces);
    let etag = etag(&body);
    if q.if_none_match
        .as_deref()
        .is_some_and(|h| if_none_match_matches(h, &etag))
    {
        return (Vec::new(), etag, true);
    }
    (body, etag, false)
}

/// The one rule for integer arguments that must not be negative (`skip`, `take`, `count`,
/// `seed` from Python or the command line): the value as u64, or `InvalidArgument` naming it.
///
/// ```
/// use photocat::query::immich::non_negative;
/// assert_eq!(non_negative("skip", 5).unwrap(), 5);
/// assert_eq!(non_negative("skip", -5).unwrap_err().to_string(), "skip must be 0 or more, got -5");
/// ```
pub fn non_negative(name: &str, value: i64) -> Result<u64> {
    u64::try_from(value)
        .map_err(|_| Error::invalid(format!("{name} must be 0 or more, got {value}")))
}

/// Express's strong ETag of a body (the `etag` package's `entitytag`).
///
/// ```
/// assert_eq!(photocat::query::immich::etag(b"[]"), "\"2-l9Fw4VUO7kr8CvBlt4zaMCqXZ0w\"");
/// ```
pub fn etag(body: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(sha1::Sha1::digest(body));
    format!("\"{:x}-{}\"", body.len(), &b64[..27])
}

/// Whether an `If-None-Match` header value matches `etag`, as Express's `fresh` module decides
/// it for a GET: `*` alone matches anything; otherwise the value is a comma-separated list and
/// an element matches when it equals the ETag with or without a `W/` prefix on either side.
/// An empty header matches nothing.
///
/// ```
/// use photocat::query::immich::if_none_match_matches as m;
/// let e = "\"2-l9Fw4VUO7kr8CvBlt4zaMCqXZ0w\"";
/// assert!(m(e, e) && m("*", e) && m(&format!("\"x\", W/{e}"), e));
/// assert!(!m("\"x\"", e) && !m("", e));
/// ```
pub fn if_none_match_matches(header: &str, etag: &str) -> bool {
    if header.is_empty() {
        return false;
    }
    if header == "*" {
        return true;
    }
    // `parseTokenList`: split at commas, dropping the spaces that lead or trail an element.
    header.split(',').any(|t| {
        let t = t.trim_matches(' ');
        t == etag || t.strip_prefix("W/") == Some(etag) || etag.strip_prefix("W/") == Some(t)
    })
}

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
    /// Cost: one look-up in the SHA-1 index per checksum, which holds each asset's trashed
    /// flag and public id, so no asset record is read and no asset is scanned. Everything is
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
        let sums = txn.open_table(tables::SHA1_INDEX)?;
        let scope = owner_id.map(|o| ik::scope(Some(o)));
        // Look the digests up in key order (neighbouring look-ups share pages), answer in
        // input order.
        let mut order: Vec<usize> = (0..digests.len()).collect();
        order.sort_unstable_by_key(|&i| digests[i]);
        let mut found: Vec<Option<(String, bool)>> = vec![None; digests.len()];
        let mut prefix = Vec::with_capacity(64);
        for i in order {
            prefix.clear();
            prefix.extend_from_slice(&digests[i]);
            if let Some(sc) = &scope {
                prefix.extend_from_slice(sc);
            }
            let end = ik::prefix_end(&prefix);
            tally.seeks += 1;
            // The first live asset by asset key (the one added first), else the first trashed.
            let mut best: Option<(u64, bool, String)> = None;
            let rows = match &end {
                Some(e) => sums.range::<&[u8]>(prefix.as_slice()..e.as_slice())?,
                None => sums.range::<&[u8]>(prefix.as_slice()..)?,
            };
            for row in rows {
                let (k, v) = row?;
                tally.index_entries += 1;
                let (k, v) = (k.value(), v.value());
                let asset = k
                    .len()
                    .checked_sub(8)
                    .and_then(|at| <[u8; 8]>::try_from(&k[at..]).ok())
                    .map(u64::from_be_bytes)
                    .ok_or_else(|| Error::Corrupt("a malformed sha1_index key".into()))?;
                let (&trashed, id) = v
                    .split_first()
                    .ok_or_else(|| Error::Corrupt("an empty sha1_index value".into()))?;
                let trashed = trashed != 0;
                let better = match &best {
                    None => true,
                    Some((b, bt, _)) => (trashed, asset) < (*bt, *b),
                };
                if better {
                    let id = std::str::from_utf8(id)
                        .map_err(|_| Error::Corrupt("a sha1_index id is not UTF-8".into()))?;
                    best = Some((asset, trashed, id.to_owned()));
                }
            }
            found[i] = best.map(|(_, t, id)| (id, t));
        }
        self.stats.add(&tally);
        Ok(checksums
            .iter()
            .zip(found)
            .map(|(given, f)| ChecksumMatch {
                checksum: given.as_ref().to_owned(),
                is_trashed: f.as_ref().is_some_and(|f| f.1),
                asset_id: f.map(|f| f.0),
            })
            .collect())
    }
}

/// How many assets one task of a parallel read builds (records, public assets, JSON).
const PARALLEL_CHUNK: usize = 64;

/// The `updated_*` bound of `GetAllAssets` in microseconds (a naive value read as UTC).
fn instant_bound(b: &Option<DateTimeInput>) -> Option<i64> {
    b.as_ref().map(|d| d.to_utc().timestamp_micros())
}

/// One (scope, flags) run of the order index, read backwards from a time bound.
struct Run<'a> {
    prefix_len: usize,
    rows: redb::Range<'a, &'static [u8], &'static [u8]>,
    /// The current entry: (key, asset key, updated_at).
    head: Option<(Vec<u8>, u64, i64)>,
}

impl Run<'_> {
    fn advance(&mut self, tally: &mut Tally) -> Result<()> {
        self.head = match self.rows.next_back() {
            None => None,
            Some(row) => {
                let (k, v) = row?;
                tally.index_entries += 1;
                let (asset, updated) = ik::decode_order_value(v.value())
                    .ok_or_else(|| Error::Corrupt("a malformed immich_order value".into()))?;
                Some((k.value().to_vec(), asset, updated))
            }
        };
        Ok(())
    }

    /// The position (`time | id`) of the current entry, which orders every run alike.
    fn position(&self) -> Option<&[u8]> {
        self.head.as_ref().map(|h| &h.0[self.prefix_len..])
    }
}

/// Sums block rows by bucket and finds the bucket (newest first) in which the `skip`-th entry
/// lies: (bucket, what remains to skip inside it). None when `skip` passes every entry.
fn pick_bucket(rows: &[(i64, u64)], skip: u64) -> Option<(i64, u64)> {
    let mut sums: std::collections::BTreeMap<i64, u64> = std::collections::BTreeMap::new();
    for &(b, n) in rows {
        *sums.entry(b).or_default() += n;
    }
    let mut left = skip;
    for (b, n) in sums.into_iter().rev() {
        if left < n {
            return Some((b, left));
        }
        left -= n;
    }
    None
}

impl Catalog {
    /// Immich's legacy `GET /asset` (`getAllAssets`): the owner's assets, newest file first,
    /// with the body and ETag Immich's server would send.
    ///
    /// * **Which assets**: those of `owner_id` (an asset's owner is its `owner_id`; None reads
    ///   every owner's and the ownerless ones), with visibility timeline or archive (hidden
    ///   assets are left out as Immich leaves them out; locked ones too, since Immich's locked
    ///   folder needs a separate, elevated session), trashed ones **included** (the Immich
    ///   view flags them `isTrashed`). `is_favorite` and `is_archived` filter when given;
    ///   `updated_after`/`updated_before` are inclusive bounds on `updated_at`.
    /// * **Order**: `file_created_at` descending, ties by `id` descending (Immich has no
    ///   tie-break; one makes `skip` paging stable), then `skip`, then `take`.
    /// * **Body and ETag**: `body` is the compact JSON array of the assets' Immich views and
    ///   `etag` its Express strong ETag (see [`etag`]), hashed while the body is written.
    ///   When `if_none_match` matches it ([`if_none_match_matches`]), `not_modified` is true
    ///   and `assets` and `body` are empty: the answer a 304 carries.
    ///
    /// Cost: the page, not the library. The `immich_order` index holds each (owner, favorite,
    /// archived) run in this order, and `immich_blocks` counts its entries per time bucket at
    /// three levels (about 203 days, 3.2 days and 72 minutes), maintained by every write, so
    /// a `skip` sums whole buckets, descends into the one where it ends and steps entries
    /// only inside one 72-minute bucket. An `updated_*` bound outside every `updated_at` an
    /// entry has had (such as `updated_before = now`, which Immich's mobile client sends while
    /// it pages) excludes nothing and is dropped; a bound that excludes something makes the
    /// `skip` step over the entries it passes (their `updated_at` is in the index entry, so no
    /// record is read).
    ///
    /// ```
    /// # fn main() -> photocat::Result<()> {
    /// use photocat::{AddAssets, Catalog, GetAllAssets, NewAsset};
    ///
    /// let cat = Catalog::in_memory()?;
    /// let new = |id: &str, t: &str| NewAsset {
    ///     id: Some(id.into()),
    ///     file_created_at: Some(t.parse().unwrap()),
    ///     ..Default::default()
    /// };
    /// cat.add_assets(
    ///     vec![new("asset_a", "2024-01-01T00:00:00Z"), new("asset_b", "2024-06-01T00:00:00Z")],
    ///     AddAssets::default(),
    /// )?;
    /// let all = cat.get_all_assets(&GetAllAssets::default())?;
    /// let ids: Vec<&str> = all.assets.iter().map(|a| a.id.as_str()).collect();
    /// assert_eq!(ids, ["asset_b", "asset_a"]);
    /// assert_eq!(all.etag, photocat::query::immich::etag(&all.body));
    ///
    /// let again = cat.get_all_assets(&GetAllAssets {
    ///     if_none_match: Some(all.etag.clone()),
    ///     ..Default::default()
    /// })?;
    /// assert!(again.not_modified && again.assets.is_empty());
    ///
    /// let page = cat.get_all_assets(&GetAllAssets { skip: 1, take: Some(1), ..Default::default() })?;
    /// assert_eq!(page.assets[0].id, "asset_a");
    /// # Ok(()) }
    /// ```
    pub fn get_all_assets(&self, q: &GetAllAssets) -> Result<AllAssets> {
        let parts = self.immich_chunks(q, true)?;
        let mut assets = Vec::with_capacity(parts.iter().map(|p| p.0.len()).sum());
        let mut pieces = Vec::with_capacity(parts.len());
        for (a, json) in parts {
            assets.extend(a);
            pieces.push(json);
        }
        let (body, etag, not_modified) = answer(q, &pieces);
        if not_modified {
            assets.clear();
        }
        Ok(AllAssets {
            assets,
            body,
            etag,
            not_modified,
        })
    }

    /// [`Catalog::get_all_assets`] without the assets: the same `body` (the bytes of
    /// [`crate::views::immich::to_immich_json_array`] over the page), `etag` and
    /// `not_modified`, written straight from the stored records without building an
    /// [`Asset`]: the call for a server that sends the page on as `GET /asset`'s response.
    ///
    /// Cost: the index walk of `get_all_assets`, then each record read in place and written
    /// (in chunks on every core); about a third less time than `get_all_assets` on a page of
    /// 1,000 (see `BENCHMARKS.md`, issue 14).
    ///
    /// ```
    /// # fn main() -> photocat::Result<()> {
    /// use photocat::{AddAssets, Catalog, GetAllAssets, NewAsset};
    /// let cat = Catalog::in_memory()?;
    /// cat.add_assets(vec![NewAsset::default(), NewAsset::default()], AddAssets::default())?;
    /// let q = GetAllAssets { take: Some(1), ..Default::default() };
    /// let json = cat.get_all_assets_json(&q)?;
    /// let all = cat.get_all_assets(&q)?;
    /// assert_eq!((&json.body, &json.etag), (&all.body, &all.etag));
    /// assert_eq!(json.body, photocat::views::immich::to_immich_json_array(&all.assets).into_bytes());
    ///
    /// let again = cat.get_all_assets_json(&GetAllAssets { if_none_match: Some(json.etag), ..q })?;
    /// assert!(again.not_modified && again.body.is_empty());
    /// # Ok(()) }
    /// ```
    pub fn get_all_assets_json(&self, q: &GetAllAssets) -> Result<AllAssetsJson> {
        let pieces: Vec<Vec<u8>> = self
            .immich_chunks(q, false)?
            .into_iter()
            .map(|(_, json)| json)
            .collect();
        let (body, etag, not_modified) = answer(q, &pieces);
        Ok(AllAssetsJson {
            body,
            etag,
            not_modified,
        })
    }

    /// [`Catalog::get_asset`] in Immich's `AssetResponseDto` shape: the bytes of
    /// `get_asset(id)?.to_immich_json()`, written straight from the stored record (the
    /// `stack` key is left out for a stacked asset, as `to_immich_json` leaves it out).
    ///
    /// ```
    /// # fn main() -> photocat::Result<()> {
    /// use photocat::{AddAssets, Catalog, NewAsset};
    /// let cat = Catalog::in_memory()?;
    /// let a = cat.add_assets(vec![NewAsset::default()], AddAssets::default())?.remove(0);
    /// assert_eq!(cat.get_asset_immich_json(&a.id)?, a.to_immich_json());
    /// # Ok(()) }
    /// ```
    pub fn get_asset_immich_json(&self, asset_id: &str) -> Result<String> {
        crate::ids::validate(crate::ids::IdKind::Asset, asset_id)?;
        let (txn, view) = self.begin_read_cached()?;
        let mut tally = Tally::default();
        let result = (|| -> Result<String> {
            let key = places::key(txn.places()?, asset_id)?
                .ok_or_else(|| Error::not_found("asset", asset_id))?;
            let (_, json) = super::immich_json::read_chunk(&txn, view, &[key], false, &mut tally)?;
            // The writer copies `str`s and writes ASCII around them: always valid UTF-8.
            String::from_utf8(json).map_err(|e| Error::Corrupt(e.to_string()))
        })();
        self.stats.add(&tally);
        result.map_err(|e| e.at(self.path()))
    }

    /// The chunks of a `get_all_assets` answer, in order, each read from the records on one of
    /// the cores (the JSON items, and the assets when `with_assets`), from one snapshot.
    fn immich_chunks(
        &self,
        q: &GetAllAssets,
        with_assets: bool,
    ) -> Result<Vec<(Vec<Asset>, Vec<u8>)>> {
        let after = instant_bound(&q.updated_after);
        let before = instant_bound(&q.updated_before);
        let (txn, view) = self.begin_read_cached()?;
        let mut tally = Tally::default();
        let result = (|| {
            let keys = self.immich_order_keys(&txn, q, after, before, &mut tally)?;
            let parts = keys
                .par_chunks(PARALLEL_CHUNK)
                .map(|ks| {
                    let mut t = Tally::default();
                    let (assets, json) =
                        super::immich_json::read_chunk(&txn, view, ks, with_assets, &mut t)?;
                    Ok((assets, json, t))
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(parts
                .into_iter()
                .map(|(assets, json, t)| {
                    tally.add(&t);
                    (assets, json)
                })
                .collect())
        })();
        self.stats.add(&tally);
        result.map_err(|e: Error| e.at(self.path()))
    }

    /// The asset keys of a `get_all_assets` answer, in order.
    fn immich_order_keys(
        &self,
        txn: &ReadTransaction,
        q: &GetAllAssets,
        after: Option<i64>,
        before: Option<i64>,
        tally: &mut Tally,
    ) -> Result<Vec<u64>> {
        let take = q.take.unwrap_or(u64::MAX);
        if take == 0 || matches!((after, before), (Some(a), Some(b)) if a > b) {
            return Ok(Vec::new());
        }
        let blocks = txn.open_table(tables::IMMICH_BLOCKS)?;
        // A bound outside every `updated_at` an entry has had excludes nothing: drop it, so
        // the skip keeps its jump (Immich's mobile client pages with `updatedBefore = now`).
        let (lo, hi) = crate::immich_index::stored_updated_bounds(&blocks)?;
        tally.seeks += 2;
        let after = after.filter(|&a| lo.is_none_or(|lo| a > lo));
        let before = before.filter(|&b| hi.is_none_or(|hi| b < hi));
        let wanted = |flags: u8| {
            q.is_favorite.is_none_or(|f| (flags & 1 != 0) == f)
                && q.is_archived.is_none_or(|a| (flags & 2 != 0) == a)
        };
        // Level 1 of the block counts: every (scope, flags) run with entries, and its buckets.
        let mut top = vec![1u8];
        if let Some(o) = &q.owner_id {
            top.extend_from_slice(&ik::scope(Some(o)));
        }
        let top_end = ik::prefix_end(&top);
        let mut runs: Vec<(Vec<u8>, u8)> = Vec::new();
        let mut level_rows: Vec<(i64, u64)> = Vec::new();
        tally.seeks += 1;
        let rows = match &top_end {
            Some(e) => blocks.range::<&[u8]>(top.as_slice()..e.as_slice())?,
            None => blocks.range::<&[u8]>(top.as_slice()..)?,
        };
        for row in rows {
            let (k, n) = row?;
            tally.index_entries += 1;
            let (scope, flags, bucket) = ik::split_block_key(k.value())
                .ok_or_else(|| Error::Corrupt("a malformed immich_blocks key".into()))?;
            if !wanted(flags) {
                continue;
            }
            if runs
                .last()
                .is_none_or(|(s, f)| s.as_slice() != scope || *f != flags)
            {
                runs.push((scope.to_vec(), flags));
            }
            level_rows.push((bucket, n.value()));
        }

        // Jump over whole buckets, level by level, to the lowest-level bucket where the skip
        // ends; step entries only inside it.
        let mut skip = q.skip;
        let mut upper = i64::MAX;
        if skip > 0 && after.is_none() && before.is_none() {
            let Some((mut bucket, mut left)) = pick_bucket(&level_rows, skip) else {
                return Ok(Vec::new());
            };
            for level in 2..=3u8 {
                level_rows.clear();
                let (first, last) = ik::children(level - 1, bucket);
                for (scope, flags) in &runs {
                    let lo = ik::block_key(level, scope, *flags, first);
                    let hi = ik::block_key(level, scope, *flags, last);
                    tally.seeks += 1;
                    for row in blocks.range::<&[u8]>(lo.as_slice()..=hi.as_slice())? {
                        let (k, n) = row?;
                        tally.index_entries += 1;
                        let b = k.value();
                        let b: [u8; 8] = b[b.len() - 8..]
                            .try_into()
                            .map_err(|_| Error::Corrupt("a malformed immich_blocks key".into()))?;
                        level_rows.push((time_from_bytes(b), n.value()));
                    }
                }
                (bucket, left) = pick_bucket(&level_rows, left).ok_or_else(|| {
                    Error::Corrupt(format!(
                        "the immich_blocks counts of level {level} disagree with the level above"
                    ))
                })?;
            }
            upper = ik::bucket_end(3, bucket);
            skip = left;
        }

        let order = txn.open_table(tables::IMMICH_ORDER)?;
        let mut streams = Vec::with_capacity(runs.len());
        for (scope, flags) in &runs {
            let prefix = ik::order_prefix(scope, *flags);
            let end = match upper.checked_add(1) {
                Some(u) => {
                    let mut e = prefix.clone();
                    e.extend_from_slice(&time_bytes(u));
                    Some(e)
                }
                None => ik::prefix_end(&prefix),
            };
            tally.seeks += 1;
            let rows = match &end {
                Some(e) => order.range::<&[u8]>(prefix.as_slice()..e.as_slice())?,
                None => order.range::<&[u8]>(prefix.as_slice()..)?,
            };
            let mut run = Run {
                prefix_len: prefix.len(),
                rows,
                head: None,
            };
            run.advance(tally)?;
            streams.push(run);
        }
        let in_bounds = |updated: i64| {
            after.is_none_or(|a| updated >= a) && before.is_none_or(|b| updated <= b)
        };
        let mut out = Vec::new();
        // The newest head among the runs (positions compare alike in every run), repeatedly.
        while let Some(i) = (0..streams.len())
            .filter(|&i| streams[i].head.is_some())
            .max_by(|&a, &b| streams[a].position().cmp(&streams[b].position()))
        {
            let Some((_, asset, updated)) = streams[i].head.take() else {
                break;
            };
            streams[i].advance(tally)?;
            if !in_bounds(updated) {
                continue;
            }
            if skip > 0 {
                skip -= 1;
                continue;
            }
            out.push(asset);
            if out.len() as u64 >= take {
                break;
            }
        }
        Ok(out)
    }

    /// Immich's device sync list (`GET /assets/device/:deviceId`): the device asset ids of
    /// `device_id`'s assets, leaving out trashed and hidden ones (archived and locked ones
    /// stay, as in Immich). Distinct and ascending (Immich returns one row per asset in no
    /// set order; two assets may share a device asset id). `owner_id` None reads every owner.
    ///
    /// Device ids are the effective ones of the asset model: an asset written without them
    /// has device id `"photocat"` and its own id as device asset id.
    ///
    /// Cost: one range of the device index (the device's assets, of every owner).
    ///
    /// ```
    /// # fn main() -> photocat::Result<()> {
    /// use photocat::{AddAssets, Catalog, NewAsset};
    /// let cat = Catalog::in_memory()?;
    /// let on_phone = |dai: &str| NewAsset {
    ///     device_id: Some("phone".into()),
    ///     device_asset_id: Some(dai.into()),
    ///     ..Default::default()
    /// };
    /// let added = cat.add_assets(vec![on_phone("IMG_2"), on_phone("IMG_1")], AddAssets::default())?;
    /// cat.trash_assets(&[&added[0].id])?;
    /// assert_eq!(cat.device_asset_ids("phone", None)?, ["IMG_1"]);
    /// assert_eq!(cat.existing_device_asset_ids("phone", &["IMG_1", "IMG_2", "IMG_3"], None)?,
    ///            ["IMG_1", "IMG_2"]);
    /// # Ok(()) }
    /// ```
    pub fn device_asset_ids(&self, device_id: &str, owner_id: Option<&str>) -> Result<Vec<String>> {
        let txn = self.begin_read()?;
        let mut tally = Tally::default();
        let index = txn.open_table(tables::DEVICE_INDEX)?;
        let prefix = ik::device_prefix(device_id, None);
        let scope = owner_id.map(|o| ik::scope(Some(o)));
        let end = ik::prefix_end(&prefix);
        tally.seeks += 1;
        let rows = match &end {
            Some(e) => index.range::<&[u8]>(prefix.as_slice()..e.as_slice())?,
            None => index.range::<&[u8]>(prefix.as_slice()..)?,
        };
        let mut out = BTreeSet::new();
        for row in rows {
            let (k, v) = row?;
            tally.index_entries += 1;
            if v.value() & (ik::DEVICE_TRASHED | ik::DEVICE_HIDDEN) != 0 {
                continue;
            }
            let (dai, s) = ik::split_device_key(k.value(), prefix.len())
                .ok_or_else(|| Error::Corrupt("a malformed device_index key".into()))?;
            if scope.as_deref().is_some_and(|sc| sc != s) {
                continue;
            }
            if !out.contains(dai) {
                out.insert(dai.to_owned());
            }
        }
        self.stats.add(&tally);
        Ok(out.into_iter().collect())
    }

    /// Immich's `POST /assets/exist` (`checkExistingAssets`): which of `device_asset_ids`
    /// some asset of `device_id` holds, trashed and hidden ones included. The answer keeps
    /// the input order, each id once. `owner_id` None reads every owner.
    ///
    /// Cost: one look-up in the device index per distinct id.
    pub fn existing_device_asset_ids<S: AsRef<str>>(
        &self,
        device_id: &str,
        device_asset_ids: &[S],
        owner_id: Option<&str>,
    ) -> Result<Vec<String>> {
        let txn = self.begin_read()?;
        let mut tally = Tally::default();
        let index = txn.open_table(tables::DEVICE_INDEX)?;
        let scope = owner_id.map(|o| ik::scope(Some(o)));
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for id in device_asset_ids {
            let id = id.as_ref();
            if !seen.insert(id) {
                continue;
            }
            let mut prefix = ik::device_prefix(device_id, Some(id));
            if let Some(sc) = &scope {
                prefix.extend_from_slice(sc);
            }
            tally.seeks += 1;
            let hit = match ik::prefix_end(&prefix) {
                Some(e) => index
                    .range::<&[u8]>(prefix.as_slice()..e.as_slice())?
                    .next()
                    .transpose()?
                    .is_some(),
                None => index
                    .range::<&[u8]>(prefix.as_slice()..)?
                    .next()
                    .transpose()?
                    .is_some(),
            };
            if hit {
                tally.index_entries += 1;
                out.push(id.to_owned());
            }
        }
        self.stats.add(&tally);
        Ok(out)
    }
}

/// The public assets of internal keys, in the given order, from one snapshot.
pub(crate) fn assets_of_keys(
    txn: &ReadTransaction,
    view: Option<View<'_>>,
    keys: &[u64],
    tally: &mut Tally,
) -> Result<Vec<Asset>> {
    let assets = txn.open_table(tables::ASSETS)?;
    let libraries = txn.open_table(tables::LIBRARIES)?;
    let people = txn.open_table(tables::PEOPLE)?;
    let mut cache = PeopleCache::shared(view);
    let mut library_ids: HashMap<u32, String> = HashMap::new();
    let mut out = Vec::with_capacity(keys.len());
    for &key in keys {
        let rec = records::load_asset(&assets, key, tally)?;
        let lib = match library_ids.entry(rec.library) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let lib: LibraryRecord =
                    records::load_u32(&libraries, rec.library, "library", tally)?;
                e.insert(lib.id)
            }
        };
        out.push(records::asset_public(rec, lib, &people, &mut cache, tally)?);
    }
    Ok(out)
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
