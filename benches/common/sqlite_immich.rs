//! The SQLite baseline of the Immich-style reads (issue 11): the same assets in SQLite with the
//! columns those reads filter and sort on, the indexes an engineer would add for them, and each
//! asset's Immich JSON (`Asset::to_immich_json`, the bytes photocat writes) pre-rendered in the
//! row, so a page of `GET /asset` is a query, a join of stored strings and the ETag.
#![allow(dead_code)]

use std::collections::HashSet;

use rusqlite::{params, Connection};

use super::Dataset;

pub struct SqliteImmich {
    pub conn: Connection,
}

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA cache_size = -262144;
CREATE TABLE assets (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    owner TEXT,
    -- 0 timeline, 1 archive, 2 hidden, 3 locked
    visibility INTEGER NOT NULL,
    is_favorite INTEGER NOT NULL,
    trashed INTEGER NOT NULL,
    file_created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    device_id TEXT NOT NULL,
    device_asset_id TEXT NOT NULL,
    checksum_sha1 BLOB,
    json TEXT NOT NULL
);
-- GET /asset: the owner's listed assets newest first; LIMIT/OFFSET walks this index.
CREATE INDEX assets_all ON assets(owner, file_created_at DESC, id DESC)
    WHERE visibility IN (0, 1);
-- GET /assets/random: the owner's eligible rowids, a covering index for ORDER BY random().
CREATE INDEX assets_random ON assets(owner) WHERE trashed = 0 AND visibility IN (0, 1);
CREATE INDEX assets_sha1 ON assets(checksum_sha1, trashed, pk);
CREATE INDEX assets_device ON assets(owner, device_id, device_asset_id);
";

/// Express's strong ETag of a body: `"<hex length>-<first 27 chars of base64(sha1(body))>"`.
pub fn etag(body: &[u8]) -> String {
    use base64::Engine;
    use sha1::Digest;
    let digest = sha1::Sha1::digest(body);
    let b64 = base64::engine::general_purpose::STANDARD.encode(digest);
    format!("\"{:x}-{}\"", body.len(), &b64[..27])
}

/// One `GET /asset` answer: ids, body, ETag.
pub struct AllPage {
    pub ids: Vec<String>,
    pub body: Vec<u8>,
    pub etag: String,
}

impl SqliteImmich {
    /// Loads every asset of the photocat catalogue (read back with `get_asset`, so the row
    /// holds the record exactly as photocat returns it) into a new SQLite file.
    pub fn build(path: &std::path::Path, cat: &photocat::Catalog, data: &Dataset) -> SqliteImmich {
        let mut conn = Connection::open(path).unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        let tx = conn.transaction().unwrap();
        {
            let mut ins = tx
                .prepare(
                    "INSERT INTO assets (pk, id, owner, visibility, is_favorite, trashed, \
                     file_created_at, updated_at, device_id, device_asset_id, checksum_sha1, json) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )
                .unwrap();
            for (pk, rec) in data.assets.iter().enumerate() {
                let a = cat.get_asset(rec.id.as_deref().unwrap()).unwrap();
                let visibility = match a.visibility {
                    photocat::Visibility::Timeline => 0,
                    photocat::Visibility::Archive => 1,
                    photocat::Visibility::Hidden => 2,
                    photocat::Visibility::Locked => 3,
                };
                ins.execute(params![
                    pk as i64,
                    a.id,
                    a.owner_id,
                    visibility,
                    a.is_favorite as i64,
                    a.trashed_at.is_some() as i64,
                    a.file_created_at.timestamp_micros(),
                    a.updated_at.timestamp_micros(),
                    a.device_id,
                    a.device_asset_id,
                    a.checksum_sha1.as_deref().map(|c| {
                        use base64::Engine;
                        base64::engine::general_purpose::STANDARD.decode(c).unwrap()
                    }),
                    a.to_immich_json(),
                ])
                .unwrap();
            }
        }
        tx.commit().unwrap();
        conn.execute_batch("ANALYZE;").unwrap();
        SqliteImmich { conn }
    }

    pub fn open(path: &std::path::Path) -> SqliteImmich {
        let conn = Connection::open(path).unwrap();
        conn.execute_batch("PRAGMA cache_size = -262144;").unwrap();
        SqliteImmich { conn }
    }

    /// `GET /asset` for one owner, no other filter: `ORDER BY file_created_at DESC, id DESC
    /// LIMIT take OFFSET skip` over the partial index, the stored JSON strings joined into the
    /// array body, and the ETag of that body. With `updated_before` (µs), also `updated_at <=
    /// updated_before`, which the index does not hold (each row passed over is read).
    pub fn get_all(
        &self,
        owner: &str,
        skip: u64,
        take: u64,
        updated_before: Option<i64>,
    ) -> AllPage {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, json FROM assets WHERE owner = ?1 AND visibility IN (0, 1) \
                 AND (?4 IS NULL OR updated_at <= ?4) \
                 ORDER BY file_created_at DESC, id DESC LIMIT ?2 OFFSET ?3",
            )
            .unwrap();
        let mut ids = Vec::with_capacity(take as usize);
        let mut body = Vec::with_capacity(2048 * take as usize);
        body.push(b'[');
        let mut rows = stmt
            .query(params![owner, take as i64, skip as i64, updated_before])
            .unwrap();
        while let Some(r) = rows.next().unwrap() {
            if !ids.is_empty() {
                body.push(b',');
            }
            ids.push(r.get::<_, String>(0).unwrap());
            body.extend_from_slice(r.get_ref(1).unwrap().as_bytes().unwrap());
        }
        body.push(b']');
        let etag = etag(&body);
        AllPage { ids, body, etag }
    }

    /// `count` random eligible assets of the owner (not trashed, timeline or archive) by
    /// random rowids: a rowid drawn uniformly from the table's range, kept when it is an
    /// eligible asset of the owner not drawn yet (rejection sampling: uniform over the eligible
    /// rows). (ids, Immich JSON) of each.
    pub fn random_by_rowid(
        &self,
        owner: &str,
        count: usize,
        rng: &mut super::Rng,
    ) -> Vec<(String, String)> {
        let max: i64 = self
            .conn
            .prepare_cached("SELECT max(pk) FROM assets")
            .unwrap()
            .query_row([], |r| r.get(0))
            .unwrap();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, json FROM assets WHERE pk = ?1 AND owner = ?2 AND trashed = 0 \
                 AND visibility IN (0, 1)",
            )
            .unwrap();
        let mut seen = HashSet::new();
        let mut out = Vec::with_capacity(count);
        while out.len() < count {
            let pk = super::Rng::below(rng, max as u64 + 1) as i64;
            if seen.contains(&pk) {
                continue;
            }
            let mut rows = stmt.query(params![pk, owner]).unwrap();
            if let Some(r) = rows.next().unwrap() {
                seen.insert(pk);
                out.push((r.get(0).unwrap(), r.get(1).unwrap()));
            }
        }
        out
    }

    /// The same sample by `ORDER BY random() LIMIT count` over the covering partial index of
    /// eligible rowids (a full scan of the owner's eligible rows), then their rows.
    pub fn random_order_by(&self, owner: &str, count: usize) -> Vec<(String, String)> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, json FROM assets WHERE pk IN (SELECT pk FROM assets \
                 WHERE owner = ?1 AND trashed = 0 AND visibility IN (0, 1) \
                 ORDER BY random() LIMIT ?2)",
            )
            .unwrap();
        stmt.query_map(params![owner, count as i64], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    /// The ids of every eligible asset of the owner (for checking a sample).
    pub fn eligible_for_random(&self, owner: &str) -> HashSet<String> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id FROM assets WHERE owner = ?1 AND trashed = 0 AND visibility IN (0, 1)",
            )
            .unwrap();
        stmt.query_map([owner], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    /// `Catalog::check_checksums` with owner None: see [`super::sqlite::check_checksums`].
    pub fn check_checksums(&self, checksums: &[String]) -> Vec<Option<(String, bool)>> {
        super::sqlite::check_checksums(&self.conn, checksums)
    }

    /// `existing_device_asset_ids`: one `IN (...)` query over the (owner, device id, device
    /// asset id) index, then the given ids that came back, distinct, in input order.
    pub fn existing_device_asset_ids(
        &self,
        device: &str,
        ids: &[String],
        owner: &str,
    ) -> Vec<String> {
        let params: Vec<String> = (0..ids.len()).map(|i| format!("?{}", i + 3)).collect();
        let sql = format!(
            "SELECT DISTINCT device_asset_id FROM assets WHERE owner = ?1 AND device_id = ?2 \
             AND device_asset_id IN ({})",
            params.join(",")
        );
        let mut stmt = self.conn.prepare_cached(&sql).unwrap();
        let mut args: Vec<&dyn rusqlite::ToSql> = vec![&owner, &device];
        args.extend(ids.iter().map(|s| s as &dyn rusqlite::ToSql));
        let found: HashSet<String> = stmt
            .query_map(args.as_slice(), |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let mut seen = HashSet::new();
        ids.iter()
            .filter(|i| found.contains(*i) && seen.insert(i.as_str()))
            .cloned()
            .collect()
    }
}
