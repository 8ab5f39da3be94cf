//! The SQLite baseline of `search_assets` and `time_buckets` (`benches/search.rs`): the
//! columns a search filters on, added to [`super::sqlite`]'s `assets` table and filled in the
//! same insert ([`super::sqlite::Sqlite::build_with`]), the indexes a competent engineer would
//! add for them, and the queries answering the same questions.
//!
//! * Exact filters: one index per filter column, `(library, trashed, column, local_datetime
//!   DESC, id DESC)`, so that a one-filter page is a range read in list order and its `count(*)`
//!   an index-only range count; people and albums go through `faces(person, asset_pk)` and
//!   `album_assets(album, asset_pk)` as in the pagination baseline.
//! * Time buckets: a `local_day` column (days since 1970-01-01 of the wall-clock
//!   `local_datetime`) with a covering index `(library, trashed, local_day)`; the days are
//!   counted in index order (`GROUP BY local_day`, no sort) and only the few thousand day rows
//!   go through `strftime`. `sqlite_strftime` is the plain form, `GROUP BY strftime(...)` of
//!   `local_datetime` per row, over the timeline index (which covers `local_datetime`).
//! * Substrings: `LIKE '%...%'` (ASCII case-insensitive, as photocat's Unicode folding is for
//!   this ASCII data), by a scan; or through an FTS5 trigram index over `original_file_name`
//!   and `description` (external content: the `assets` table), which answers `LIKE` patterns
//!   of three characters or more.
//!
//! Live assets only (`trashed = 0`); the generated data has no hidden or locked assets, so, as
//! in the pagination baseline, visibility is not a column.
#![allow(dead_code)]

use rusqlite::types::Value;

use super::sqlite::Sqlite;

/// The search columns (added before any row is inserted).
pub const COLUMNS: &str = "
ALTER TABLE assets ADD COLUMN local_day INTEGER NOT NULL DEFAULT 0;
ALTER TABLE assets ADD COLUMN make TEXT;
ALTER TABLE assets ADD COLUMN city TEXT;
ALTER TABLE assets ADD COLUMN favorite INTEGER NOT NULL DEFAULT 0;
ALTER TABLE assets ADD COLUMN original_file_name TEXT;
ALTER TABLE assets ADD COLUMN description TEXT;
";

/// The insert of an asset with its search columns (the base columns' order, then
/// [`values`]).
pub const INSERT: &str = "INSERT INTO assets (pk, id, library, trashed, local_datetime, \
     local_offset, trashed_at, owner, checksum_sha1, json, local_day, make, city, favorite, \
     original_file_name, description) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, \
     ?12, ?13, ?14, ?15, ?16)";

/// The search indexes, created after the load.
pub const INDEXES: &str = "
CREATE INDEX assets_make ON assets(library, trashed, make, local_datetime DESC, id DESC);
CREATE INDEX assets_city ON assets(library, trashed, city, local_datetime DESC, id DESC);
CREATE INDEX assets_favorite ON assets(library, trashed, favorite, local_datetime DESC, id DESC);
CREATE INDEX assets_days ON assets(library, trashed, local_day);
CREATE VIRTUAL TABLE asset_text USING fts5(
    original_file_name, description, content = 'assets', content_rowid = 'pk',
    tokenize = 'trigram'
);
INSERT INTO asset_text(asset_text) VALUES ('rebuild');
";

/// Microseconds in a day.
const DAY_MICROS: i64 = 86_400_000_000;

/// The search columns of an asset, in [`INSERT`]'s order: `local_day`, `make` and `city`
/// (from `exif`, else `metadata`: photocat's facet rule), `favorite`, `original_file_name`,
/// `description`.
pub fn values(a: &photocat::Asset) -> [Value; 6] {
    let fact = |f: fn(&photocat::Exif) -> Option<&String>| -> Value {
        a.exif
            .as_ref()
            .and_then(f)
            .or_else(|| a.metadata.as_ref().and_then(f))
            .cloned()
            .into()
    };
    [
        photocat::model::time::naive_micros(a.local_datetime)
            .div_euclid(DAY_MICROS)
            .into(),
        fact(|e| e.make.as_ref()),
        fact(|e| e.city.as_ref()),
        i64::from(a.is_favorite).into(),
        a.original_file_name.clone().into(),
        a.description.clone().into(),
    ]
}

/// How a substring filter is answered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Text {
    /// `column LIKE '%needle%'` on the rows the other conditions select (a scan).
    #[default]
    Scan,
    /// Through the FTS5 trigram index: `pk IN (SELECT rowid FROM asset_text WHERE column LIKE
    /// '%needle%')`.
    Trigram,
}

/// A search in SQL terms (the filters of `SearchAssets` the benchmark uses).
#[derive(Clone, Debug, Default)]
pub struct Search {
    /// The library's public id.
    pub library: String,
    pub person: Option<String>,
    pub album: Option<String>,
    pub make: Option<String>,
    pub city: Option<String>,
    pub favorite: Option<bool>,
    /// Naive exclusive bounds on `local_datetime`, µs.
    pub naive_after: Option<i64>,
    pub naive_before: Option<i64>,
    /// Case-insensitive substrings.
    pub file_name: Option<String>,
    pub description: Option<String>,
    pub text: Text,
    /// 1-indexed.
    pub page: u32,
    pub limit: u32,
}

/// A `LIKE` pattern matching `needle` anywhere, with `\` escaping `%`, `_` and itself.
fn like_pattern(needle: &str) -> String {
    let mut p = String::with_capacity(needle.len() + 2);
    p.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

fn arg(v: Value, args: &mut Vec<Value>) -> String {
    args.push(v);
    format!("?{}", args.len())
}

/// Conditions on `assets a` common to searches and buckets.
fn base_conditions(
    library: &str,
    album: Option<&str>,
    person: Option<&str>,
    args: &mut Vec<Value>,
) -> Vec<String> {
    let lib = arg(library.to_owned().into(), args);
    let mut conds = vec![
        format!("a.library = (SELECT pk FROM libraries WHERE id = {lib})"),
        "a.trashed = 0".to_owned(),
    ];
    if let Some(album) = album {
        let p = arg(album.to_owned().into(), args);
        conds.push(format!(
            "a.pk IN (SELECT asset_pk FROM album_assets WHERE album = {p})"
        ));
    }
    if let Some(person) = person {
        let p = arg(person.to_owned().into(), args);
        conds.push(format!(
            "a.pk IN (SELECT asset_pk FROM faces WHERE person = {p})"
        ));
    }
    conds
}

impl Search {
    fn conditions(&self, args: &mut Vec<Value>) -> String {
        let mut conds = base_conditions(
            &self.library,
            self.album.as_deref(),
            self.person.as_deref(),
            args,
        );
        for (col, v) in [("make", &self.make), ("city", &self.city)] {
            if let Some(v) = v {
                let p = arg(v.clone().into(), args);
                conds.push(format!("a.{col} = {p}"));
            }
        }
        if let Some(f) = self.favorite {
            let p = arg(i64::from(f).into(), args);
            conds.push(format!("a.favorite = {p}"));
        }
        if let Some(t) = self.naive_after {
            let p = arg(t.into(), args);
            conds.push(format!("a.local_datetime > {p}"));
        }
        if let Some(t) = self.naive_before {
            let p = arg(t.into(), args);
            conds.push(format!("a.local_datetime < {p}"));
        }
        for (col, v) in [
            ("original_file_name", &self.file_name),
            ("description", &self.description),
        ] {
            let Some(needle) = v.as_deref().filter(|s| !s.is_empty()) else {
                continue;
            };
            match self.text {
                Text::Scan => {
                    let p = arg(like_pattern(needle).into(), args);
                    conds.push(format!("a.{col} LIKE {p} ESCAPE '\\'"));
                }
                Text::Trigram => {
                    // FTS5 takes two-argument LIKE only: the needle may hold no wildcard.
                    assert!(
                        !needle.contains(['%', '_']) && needle.chars().count() >= 3,
                        "trigram LIKE needs 3+ characters and no wildcard: {needle:?}"
                    );
                    let p = arg(format!("%{needle}%").into(), args);
                    conds.push(format!(
                        "a.pk IN (SELECT rowid FROM asset_text WHERE {col} LIKE {p})"
                    ));
                }
            }
        }
        conds.join(" AND ")
    }
}

/// Time buckets in SQL terms.
#[derive(Clone, Debug)]
pub struct Buckets {
    pub library: String,
    pub album: Option<String>,
    pub person: Option<String>,
    /// `year`, `month`, `week` (ISO, starting on Monday) or `day`.
    pub size: &'static str,
    /// `GROUP BY strftime(...)` of `local_datetime` per row, instead of counting days first.
    pub per_row: bool,
}

/// The first day of the bucket of day number `d` (an SQL expression), as `YYYY-MM-DD`.
fn bucket_of_day(size: &str, d: &str) -> String {
    match size {
        "year" => format!("strftime('%Y-01-01', {d} * 86400, 'unixepoch')"),
        "month" => format!("strftime('%Y-%m-01', {d} * 86400, 'unixepoch')"),
        // 1970-01-01 (day 0) was a Thursday: (d % 7 + 10) % 7 days since the Monday.
        "week" => format!("date(({d} - (({d}) % 7 + 10) % 7) * 86400, 'unixepoch')"),
        "day" => format!("date({d} * 86400, 'unixepoch')"),
        _ => panic!("bucket size {size:?}"),
    }
}

impl Sqlite {
    /// One page of a search (list order, complete records as JSON with `page` and `total`),
    /// its ids, has_more and the exact total (`SELECT count(*)` of the same conditions).
    pub fn search(&self, q: &Search) -> (String, Vec<String>, bool, u64) {
        let mut args = Vec::new();
        let conds = q.conditions(&mut args);
        let total: i64 = self
            .conn
            .prepare_cached(&format!("SELECT count(*) FROM assets a WHERE {conds}"))
            .unwrap()
            .query_row(rusqlite::params_from_iter(args.iter()), |r| r.get(0))
            .unwrap();
        let offset = u64::from(q.page - 1) * u64::from(q.limit);
        let l = arg(i64::from(q.limit).into(), &mut args);
        let o = arg((offset as i64).into(), &mut args);
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT a.pk, a.id, a.json FROM assets a WHERE {conds} \
                 ORDER BY a.local_datetime DESC, a.id DESC LIMIT {l} OFFSET {o}"
            ))
            .unwrap();
        let rows: Vec<(i64, String, String)> = stmt
            .query_map(rusqlite::params_from_iter(args), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let total = total as u64;
        let has_more = offset + (rows.len() as u64) < total;
        let mut json = self.complete(&rows, has_more);
        json.pop();
        json.push_str(&format!(",\"page\":{},\"total\":{total}}}", q.page));
        (
            json,
            rows.into_iter().map(|r| r.1).collect(),
            has_more,
            total,
        )
    }

    /// Time buckets, newest first: (first day `YYYY-MM-DD`, count).
    pub fn buckets(&self, q: &Buckets) -> Vec<(String, u64)> {
        let mut args = Vec::new();
        let conds = base_conditions(
            &q.library,
            q.album.as_deref(),
            q.person.as_deref(),
            &mut args,
        )
        .join(" AND ");
        let sql = if q.per_row {
            let b = match q.size {
                "month" => "strftime('%Y-%m-01', a.local_datetime / 1000000, 'unixepoch')",
                "year" => "strftime('%Y-01-01', a.local_datetime / 1000000, 'unixepoch')",
                "day" => "date(a.local_datetime / 1000000, 'unixepoch')",
                s => panic!("per-row buckets of size {s:?} are not written"),
            };
            format!(
                "SELECT {b} AS b, count(*) FROM assets a WHERE {conds} GROUP BY b ORDER BY b DESC"
            )
        } else {
            format!(
                "SELECT {} AS b, sum(c) FROM (SELECT a.local_day AS d, count(*) AS c \
                 FROM assets a WHERE {conds} GROUP BY a.local_day) GROUP BY b ORDER BY b DESC",
                bucket_of_day(q.size, "d")
            )
        };
        let mut stmt = self.conn.prepare_cached(&sql).unwrap();
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args), |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        rows
    }

    /// The query plan of a search's page query (for the log).
    pub fn search_plan(&self, q: &Search) -> String {
        let mut args = Vec::new();
        let conds = q.conditions(&mut args);
        let l = arg(i64::from(q.limit).into(), &mut args);
        let o = arg(0i64.into(), &mut args);
        self.plan(
            &format!(
                "SELECT a.pk, a.id, a.json FROM assets a WHERE {conds} \
                 ORDER BY a.local_datetime DESC, a.id DESC LIMIT {l} OFFSET {o}"
            ),
            args,
        )
    }

    fn plan(&self, sql: &str, args: Vec<Value>) -> String {
        let mut stmt = self
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let rows: Vec<String> = stmt
            .query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        rows.join("; ")
    }
}
