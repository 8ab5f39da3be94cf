//! Prints the space each table of a catalogue file takes (redb's own statistics), largest
//! first, and the file's totals: where a format's bytes go.
//!
//! ```text
//! cargo run --profile bench --example table_sizes -- target/bench-files/1000000.redb
//! ```
//!
//! Per table: entries, pages (leaf + branch) × page size, the bytes stored in leaves (keys and
//! values), the pages' unused bytes (`fragmented`). The file is opened read-write by redb (it
//! takes the file lock) but nothing is written.

use redb::{ReadableDatabase, ReadableTableMetadata};

fn mb(b: u64) -> f64 {
    b as f64 / 1e6
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .expect("usage: table_sizes CATALOGUE.redb");
    let file = std::fs::metadata(&path)?.len();
    let db = redb::Database::open(&path)?;
    let stats = {
        let w = db.begin_write()?;
        let s = w.stats()?;
        w.abort()?;
        s
    };
    let page = stats.page_size() as u64;
    let txn = db.begin_read()?;
    let mut rows = Vec::new();
    for handle in txn.list_tables()? {
        let t = txn.open_untyped_table(handle)?;
        let s = t.stats()?;
        rows.push((
            redb::TableHandle::name(&t).to_owned(),
            t.len()?,
            (s.leaf_pages() + s.branch_pages()) * page,
            s.stored_bytes(),
            s.fragmented_bytes(),
        ));
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.2));
    println!("| table | entries | pages (MB) | stored (MB) | unused in pages (MB) |");
    println!("| --- | --- | --- | --- | --- |");
    let mut total = 0;
    for (name, len, pages, stored, frag) in &rows {
        total += pages;
        println!(
            "| {name} | {len} | {:.1} | {:.1} | {:.1} |",
            mb(*pages),
            mb(*stored),
            mb(*frag)
        );
    }
    println!(
        "\nfile {:.1} MB; tables' pages {:.1} MB; allocated {:.1} MB ({} pages of {page} bytes), \
         metadata {:.1} MB, fragmented {:.1} MB",
        mb(file),
        mb(total),
        mb(stats.allocated_pages() * page),
        stats.allocated_pages(),
        mb(stats.metadata_bytes()),
        mb(stats.fragmented_bytes())
    );
    Ok(())
}
