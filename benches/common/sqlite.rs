//! The SQLite baseline: the same catalogue in SQLite (bundled, via rusqlite) with the schema and
//! indexes a competent engineer would create for these queries, answering the same queries with
//! complete records (faces and people) as JSON.
#![allow(dead_code)]

use std::collections::HashMap;

use rusqlite::{params, Connection};

use super::Dataset;

pub struct Sqlite {
    pub conn: Connection,
}

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA cache_size = -262144;
CREATE TABLE libraries (pk INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL);
CREATE TABLE assets (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    library INTEGER NOT NULL,
    trashed INTEGER NOT NULL,
    local_datetime INTEGER NOT NULL,
    local_offset INTEGER,
    trashed_at INTEGER,
    owner TEXT,
    checksum_sha1 BLOB,
    json TEXT NOT NULL
);
CREATE INDEX assets_sha1 ON assets(checksum_sha1, trashed, pk);
CREATE INDEX assets_timeline ON assets(library, trashed, local_datetime DESC, id DESC);
CREATE INDEX assets_trash ON assets(library, trashed, trashed_at DESC, id DESC);
CREATE TABLE album_assets (
    album TEXT NOT NULL,
    asset_pk INTEGER NOT NULL,
    PRIMARY KEY (album, asset_pk)
) WITHOUT ROWID;
CREATE INDEX album_assets_asset ON album_assets(asset_pk);
CREATE TABLE faces (
    id TEXT PRIMARY KEY,
    asset_pk INTEGER NOT NULL,
    person TEXT,
    json TEXT NOT NULL
);
CREATE INDEX faces_person ON faces(person, asset_pk);
CREATE INDEX faces_asset ON faces(asset_pk);
CREATE TABLE people (id TEXT PRIMARY KEY, json TEXT NOT NULL);
";

/// A page query in SQL terms.
#[derive(Clone, Debug, Default)]
pub struct Query {
    /// The library's public id (required: it is resolved to its key inside the query).
    pub library: String,
    pub album: Option<String>,
    pub person: Option<String>,
    /// (local_datetime µs, id) of the cursor asset.
    pub after: Option<(i64, String)>,
    /// Naive exclusive bounds in µs.
    pub naive_after: Option<i64>,
    pub naive_before: Option<i64>,
    /// Aware exclusive bounds: (bound as UTC µs, bound's wall clock µs).
    pub aware_after: Option<(i64, i64)>,
    pub aware_before: Option<(i64, i64)>,
    pub ids: Option<Vec<String>>,
    pub limit: usize,
}

impl Sqlite {
    /// Loads the photocat catalogue's libraries and records (as their Gumnut JSON) into a new
    /// SQLite file; each asset's `library` is the key of the library photocat holds it in.
    pub fn build(path: &std::path::Path, cat: &photocat::Catalog, data: &Dataset) -> Sqlite {
        Self::build_with(path, cat, data, false)
    }

    /// [`Sqlite::build`], with the search columns and indexes of [`super::sqlite_search`]
    /// when `search` is true (filled from the same records, in the same insert).
    pub fn build_with(
        path: &std::path::Path,
        cat: &photocat::Catalog,
        data: &Dataset,
        search: bool,
    ) -> Sqlite {
        let mut conn = Connection::open(path).unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        if search {
            conn.execute_batch(super::sqlite_search::COLUMNS).unwrap();
        }
        let tx = conn.transaction().unwrap();
        {
            let mut lib = tx
                .prepare("INSERT INTO libraries (pk, id, name) VALUES (?1, ?2, ?3)")
                .unwrap();
            let mut lib_pk: HashMap<&str, i64> = HashMap::new();
            for (pk, l) in data.libraries.iter().enumerate() {
                let pk = pk as i64 + 1;
                lib.execute(params![pk, l.id, l.name]).unwrap();
                lib_pk.insert(l.id.as_str(), pk);
            }
            let mut ins = tx
                .prepare(&if search {
                    super::sqlite_search::INSERT.to_owned()
                } else {
                    "INSERT INTO assets (pk, id, library, trashed, local_datetime, local_offset, trashed_at, owner, checksum_sha1, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)".to_owned()
                })
                .unwrap();
            let mut face = tx
                .prepare("INSERT INTO faces (id, asset_pk, person, json) VALUES (?1, ?2, ?3, ?4)")
                .unwrap();
            let mut person = tx
                .prepare("INSERT OR REPLACE INTO people (id, json) VALUES (?1, ?2)")
                .unwrap();
            let mut album = tx
                .prepare("INSERT OR IGNORE INTO album_assets (album, asset_pk) VALUES (?1, ?2)")
                .unwrap();
            let mut pk_of = HashMap::new();
            for (pk, rec) in data.assets.iter().enumerate() {
                let id = rec.id.as_deref().unwrap();
                let a = cat.get_asset(id).unwrap();
                let mut v = a.to_json_value();
                let obj = v.as_object_mut().unwrap();
                let faces = obj.remove("faces").unwrap();
                let people = obj.remove("people").unwrap();
                let local = photocat::model::time::naive_micros(a.local_datetime);
                assert_eq!(
                    rec.library_id.as_deref(),
                    Some(a.library_id.as_str()),
                    "{id}: photocat holds it in another library than generated"
                );
                let mut values: Vec<rusqlite::types::Value> = vec![
                    (pk as i64).into(),
                    id.to_owned().into(),
                    lib_pk[a.library_id.as_str()].into(),
                    (a.trashed_at.is_some() as i64).into(),
                    local.into(),
                    a.local_offset.map(|o| o.local_minus_utc()).into(),
                    a.trashed_at.map(|t| t.timestamp_micros()).into(),
                    a.owner_id.clone().into(),
                    a.checksum_sha1
                        .as_deref()
                        .map(|c| {
                            use base64::Engine;
                            base64::engine::general_purpose::STANDARD.decode(c).unwrap()
                        })
                        .into(),
                    v.to_string().into(),
                ];
                if search {
                    values.extend(super::sqlite_search::values(&a));
                }
                ins.execute(rusqlite::params_from_iter(values)).unwrap();
                for f in faces.as_array().unwrap() {
                    face.execute(params![
                        f["id"].as_str().unwrap(),
                        pk as i64,
                        f["person_id"].as_str(),
                        f.to_string()
                    ])
                    .unwrap();
                }
                for p in people.as_array().unwrap() {
                    person
                        .execute(params![p["id"].as_str().unwrap(), p.to_string()])
                        .unwrap();
                }
                pk_of.insert(id.to_owned(), (pk as i64, a.library_id));
            }
            for (a, members) in data.album_members.iter().enumerate() {
                let library = &data.libraries[data.library_of_album(a)].id;
                for m in members {
                    let (pk, asset_library) = &pk_of[m];
                    assert_eq!(
                        asset_library, library,
                        "album {a} holds {m} of another library"
                    );
                    album.execute(params![super::album_id(a), pk]).unwrap();
                }
            }
        }
        tx.commit().unwrap();
        if search {
            conn.execute_batch(super::sqlite_search::INDEXES).unwrap();
        }
        conn.execute_batch("ANALYZE;").unwrap();
        Sqlite { conn }
    }

    pub fn open(path: &std::path::Path) -> Sqlite {
        let conn = Connection::open(path).unwrap();
        conn.execute_batch("PRAGMA cache_size = -262144;").unwrap();
        Sqlite { conn }
    }

    /// One page of live assets of the query's library as Gumnut-shaped JSON, and its ids and
    /// has_more.
    pub fn page(&self, q: &Query) -> (String, Vec<String>, bool) {
        let mut sql = String::from("SELECT a.pk, a.id, a.json FROM assets a");
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        let arg = |v: rusqlite::types::Value, args: &mut Vec<rusqlite::types::Value>| {
            args.push(v);
            format!("?{}", args.len())
        };
        let lib = arg(q.library.clone().into(), &mut args);
        let mut conds = vec![
            format!("a.library = (SELECT pk FROM libraries WHERE id = {lib})"),
            "a.trashed = 0".to_owned(),
        ];
        if let Some(album) = &q.album {
            let p = arg(album.clone().into(), &mut args);
            conds.push(format!(
                "a.pk IN (SELECT asset_pk FROM album_assets WHERE album = {p})"
            ));
        }
        if let Some(person) = &q.person {
            let p = arg(person.clone().into(), &mut args);
            conds.push(format!(
                "a.pk IN (SELECT asset_pk FROM faces WHERE person = {p})"
            ));
        }
        if let Some(ids) = &q.ids {
            let ps: Vec<String> = ids
                .iter()
                .map(|i| arg(i.clone().into(), &mut args))
                .collect();
            conds.push(format!("a.id IN ({})", ps.join(",")));
        }
        if let Some((t, id)) = &q.after {
            let pt = arg((*t).into(), &mut args);
            let pi = arg(id.clone().into(), &mut args);
            conds.push(format!("(a.local_datetime, a.id) < ({pt}, {pi})"));
        }
        if let Some(t) = q.naive_after {
            let p = arg(t.into(), &mut args);
            conds.push(format!("a.local_datetime > {p}"));
        }
        if let Some(t) = q.naive_before {
            let p = arg(t.into(), &mut args);
            conds.push(format!("a.local_datetime < {p}"));
        }
        const BAND: i64 = 18 * 3600 * 1_000_000;
        if let Some((utc, wall)) = q.aware_after {
            let lo = arg(wall.min(utc - BAND).into(), &mut args);
            let u = arg(utc.into(), &mut args);
            let w = arg(wall.into(), &mut args);
            conds.push(format!(
                "a.local_datetime > {lo} AND CASE WHEN a.local_offset IS NULL THEN a.local_datetime > {w} \
                 ELSE a.local_datetime - a.local_offset * 1000000 > {u} END"
            ));
        }
        if let Some((utc, wall)) = q.aware_before {
            let hi = arg(wall.max(utc + BAND).into(), &mut args);
            let u = arg(utc.into(), &mut args);
            let w = arg(wall.into(), &mut args);
            conds.push(format!(
                "a.local_datetime < {hi} AND CASE WHEN a.local_offset IS NULL THEN a.local_datetime < {w} \
                 ELSE a.local_datetime - a.local_offset * 1000000 < {u} END"
            ));
        }
        sql.push_str(" WHERE ");
        sql.push_str(&conds.join(" AND "));
        let l = arg(((q.limit + 1) as i64).into(), &mut args);
        sql.push_str(&format!(
            " ORDER BY a.local_datetime DESC, a.id DESC LIMIT {l}"
        ));
        let mut stmt = self.conn.prepare_cached(&sql).unwrap();
        let mut rows: Vec<(i64, String, String)> = stmt
            .query_map(rusqlite::params_from_iter(args), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let has_more = rows.len() > q.limit;
        rows.truncate(q.limit);
        (
            self.complete(&rows, has_more),
            rows.iter().map(|r| r.1.clone()).collect(),
            has_more,
        )
    }

    /// Adds faces and people to the page's records and writes the page JSON.
    pub fn complete(&self, rows: &[(i64, String, String)], has_more: bool) -> String {
        let pks: Vec<String> = rows.iter().map(|r| r.0.to_string()).collect();
        let mut faces: HashMap<i64, Vec<(String, Option<String>)>> = HashMap::new();
        let mut person_ids: Vec<String> = Vec::new();
        {
            let mut stmt = self
                .conn
                .prepare(&format!(
                    "SELECT asset_pk, json, person FROM faces WHERE asset_pk IN ({}) ORDER BY rowid",
                    pks.join(",")
                ))
                .unwrap();
            let it = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                    ))
                })
                .unwrap();
            for row in it {
                let (pk, json, person) = row.unwrap();
                if let Some(p) = &person {
                    if !person_ids.contains(p) {
                        person_ids.push(p.clone());
                    }
                }
                faces.entry(pk).or_default().push((json, person));
            }
        }
        let mut people: HashMap<String, String> = HashMap::new();
        if !person_ids.is_empty() {
            let quoted: Vec<String> = person_ids.iter().map(|p| format!("'{p}'")).collect();
            let mut stmt = self
                .conn
                .prepare(&format!(
                    "SELECT id, json FROM people WHERE id IN ({})",
                    quoted.join(",")
                ))
                .unwrap();
            for row in stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
                .unwrap()
            {
                let (id, json) = row.unwrap();
                people.insert(id, json);
            }
        }
        let mut out = String::with_capacity(2048 * rows.len());
        out.push_str("{\"data\":[");
        for (i, (pk, _, json)) in rows.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&json[..json.len() - 1]);
            out.push_str(",\"faces\":[");
            let fs = faces.get(pk).map(Vec::as_slice).unwrap_or(&[]);
            let mut seen: Vec<&str> = Vec::new();
            for (j, (f, p)) in fs.iter().enumerate() {
                if j > 0 {
                    out.push(',');
                }
                out.push_str(f);
                if let Some(p) = p {
                    if !seen.contains(&p.as_str()) {
                        seen.push(p);
                    }
                }
            }
            out.push_str("],\"people\":[");
            for (j, p) in seen.iter().enumerate() {
                if j > 0 {
                    out.push(',');
                }
                out.push_str(&people[*p]);
            }
            out.push_str("]}");
        }
        out.push_str(if has_more {
            "],\"has_more\":true}"
        } else {
            "],\"has_more\":false}"
        });
        out
    }

    /// One asset as JSON by id.
    pub fn get(&self, id: &str) -> String {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT pk, id, json FROM assets WHERE id = ?1")
            .unwrap();
        let row: (i64, String, String) = stmt
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap();
        self.complete(&[row], false)
    }

    /// `Catalog::check_checksums` with owner None: see [`check_checksums`].
    /// Runs SQL that returns no rows (a pragma, for one).
    pub fn execute(&self, sql: &str) {
        self.conn.execute_batch(sql).unwrap();
    }

    /// Trashes one asset and restores it: two transactions.
    pub fn trash_restore(&self, id: &str) {
        self.conn
            .execute(
                "UPDATE assets SET trashed = 1, trashed_at = 1 WHERE id = ?1",
                [id],
            )
            .unwrap();
        self.conn
            .execute(
                "UPDATE assets SET trashed = 0, trashed_at = NULL WHERE id = ?1",
                [id],
            )
            .unwrap();
    }

    /// Links assets to an album in one transaction and unlinks them in another.
    pub fn album_add_remove(&self, album: &str, ids: &[String]) {
        for sql in [
            "INSERT OR IGNORE INTO album_assets (album, asset_pk) SELECT ?1, pk FROM assets WHERE id = ?2",
            "DELETE FROM album_assets WHERE album = ?1 AND asset_pk = (SELECT pk FROM assets WHERE id = ?2)",
        ] {
            let tx = self.conn.unchecked_transaction().unwrap();
            {
                let mut stmt = tx.prepare_cached(sql).unwrap();
                for id in ids {
                    stmt.execute((album, id)).unwrap();
                }
            }
            tx.commit().unwrap();
        }
    }

    pub fn check_checksums(&self, checksums: &[String]) -> Vec<Option<(String, bool)>> {
        check_checksums(&self.conn, checksums)
    }
}

/// `Catalog::check_checksums` with owner None over a table `assets(pk, id, trashed,
/// checksum_sha1)` (both baselines have one): each base64 SHA-1 decoded, then one indexed
/// look-up, preferring a live asset, then the first added. (asset id, trashed) per checksum,
/// in order.
pub fn check_checksums(conn: &Connection, checksums: &[String]) -> Vec<Option<(String, bool)>> {
    use base64::Engine;
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, trashed FROM assets WHERE checksum_sha1 = ?1 \
             ORDER BY trashed, pk LIMIT 1",
        )
        .unwrap();
    checksums
        .iter()
        .map(|c| {
            let digest = base64::engine::general_purpose::STANDARD.decode(c).unwrap();
            let mut rows = stmt.query([digest]).unwrap();
            rows.next()
                .unwrap()
                .map(|r| (r.get(0).unwrap(), r.get::<_, i64>(1).unwrap() != 0))
        })
        .collect()
}
