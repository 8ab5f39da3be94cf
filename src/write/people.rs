//! People, faces and merges.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use redb::{ReadableTable, WriteTransaction};

use super::prepare::prepare_face;
use super::{at_face, bumped, distinct_ids, now_micros, run_write, store};
use crate::catalog::{Catalog, Tally};
use crate::error::{Error, Result};
use crate::ids::{self, IdKind};
use crate::index::IndexTables;
use crate::model::{Face, NewFace, NewPerson, Person};
use crate::records::{self, lookup_u32, lookup_u64};
use crate::storage::ascending::insert_ascending;
use crate::storage::codec::{self, FaceRecord, PersonRecord};
use crate::storage::places;
use crate::storage::tables::{self, counter};

impl Catalog {
    /// Creates a person.
    pub fn create_person(&self, person: NewPerson) -> Result<Person> {
        if let Some(id) = &person.id {
            ids::validate(IdKind::Person, id)?;
        }
        let now = now_micros();
        run_write(self, |txn| {
            let (_, rec) = RefTables::open(txn)?.create_person(person, now)?;
            Ok(records::person_public(&rec))
        })
    }

    /// Changes the given fields of a person (fields left None stay as they are) and bumps
    /// `updated_at`.
    pub fn update_person(&self, person_id: &str, update: NewPerson) -> Result<Person> {
        ids::validate(IdKind::Person, person_id)?;
        let now = now_micros();
        run_write(self, |txn| {
            let key = lookup_u32(&txn.open_table(tables::PERSON_IDS)?, person_id)?
                .ok_or_else(|| Error::not_found("person", person_id))?;
            let mut people = txn.open_table(tables::PEOPLE)?;
            let mut rec: PersonRecord =
                records::load_u32(&people, key, "person", &mut Tally::default())?;
            if let Some(v) = update.name {
                rec.name = Some(v);
            }
            if let Some(v) = update.birth_date {
                rec.birth_date = Some(chrono::Datelike::num_days_from_ce(&v));
            }
            if let Some(v) = update.is_hidden {
                rec.is_hidden = v;
            }
            if let Some(v) = update.is_favorite {
                rec.is_favorite = v;
            }
            if let Some(v) = update.thumbnail_face_id {
                rec.thumbnail_face_id = Some(v);
            }
            if let Some(v) = update.thumbnail_face_url {
                rec.thumbnail_face_url = Some(v);
            }
            rec.updated_at = bumped(rec.updated_at, now);
            people.insert(key, codec::encode(&rec)?.as_slice())?;
            Ok(records::person_public(&rec))
        })
    }

    /// Moves every face of the `from_ids` people to `into_id`, then deletes those people.
    pub fn merge_people<S: AsRef<str>>(&self, into_id: &str, from_ids: &[S]) -> Result<Person> {
        ids::validate(IdKind::Person, into_id)?;
        let from = distinct_ids(from_ids, IdKind::Person)?;
        if from.contains(&into_id) {
            return Err(Error::invalid(format!(
                "cannot merge person {into_id:?} into itself"
            )));
        }
        let now = now_micros();
        run_write(self, |txn| {
            let person_ids = txn.open_table(tables::PERSON_IDS)?;
            let into = lookup_u32(&person_ids, into_id)?
                .ok_or_else(|| Error::not_found("person", into_id))?;
            let mut from_keys = Vec::new();
            for id in &from {
                from_keys.push(
                    lookup_u32(&person_ids, id)?.ok_or_else(|| Error::not_found("person", *id))?,
                );
            }
            drop(person_ids);
            // Every asset with a face of a merged person, once, in key order.
            let assets: BTreeSet<u64> = {
                let links = txn.open_table(tables::PERSON_ASSETS)?;
                let mut assets = BTreeSet::new();
                for &p in &from_keys {
                    for r in links.range((p, 0)..=(p, u64::MAX))? {
                        assets.insert(r?.0.value().1);
                    }
                }
                assets
            };
            // One set of index tables for the whole merge: each asset's entries move once, in
            // one batch, and the counters are written once.
            let mut table = txn.open_table(tables::ASSETS)?;
            let mut idx = IndexTables::open(txn)?;
            for key in assets {
                let old = records::load_asset(&table, key, &mut Tally::default())?;
                let mut rec = old.clone();
                for f in &mut rec.faces {
                    if f.person.is_some_and(|p| from_keys.contains(&p)) {
                        f.person = Some(into);
                        f.updated_at = bumped(f.updated_at, now);
                    }
                }
                rec.updated_at = bumped(rec.updated_at, now);
                idx.apply(key, Some(&old), Some(&rec))?;
                table.insert(key, codec::encode(&rec)?.as_slice())?;
            }
            idx.finish()?;
            drop(table);
            let mut people = txn.open_table(tables::PEOPLE)?;
            let mut ids_t = txn.open_table(tables::PERSON_IDS)?;
            for (&p, id) in from_keys.iter().zip(&from) {
                people.remove(p)?;
                ids_t.remove(*id)?;
            }
            let mut rec: PersonRecord =
                records::load_u32(&people, into, "person", &mut Tally::default())?;
            rec.updated_at = bumped(rec.updated_at, now);
            people.insert(into, codec::encode(&rec)?.as_slice())?;
            Ok(records::person_public(&rec))
        })
    }

    /// Adds faces to existing assets (each record names its `asset_id`) in one transaction.
    pub fn add_faces(&self, records: Vec<NewFace>) -> Result<Vec<Face>> {
        let now = now_micros();
        let prepared: Vec<(String, FaceRecord, Option<String>)> = records
            .into_iter()
            .enumerate()
            .map(|(i, f)| {
                let asset_id = f
                    .asset_id
                    .clone()
                    .ok_or_else(|| Error::invalid(format!("faces[{i}]: asset_id is required")))?;
                ids::validate(IdKind::Asset, &asset_id).map_err(|e| at_face(i, e))?;
                let (face, person) = prepare_face(f, now).map_err(|e| at_face(i, e))?;
                Ok((asset_id, face, person))
            })
            .collect::<Result<_>>()?;
        run_write(self, |txn| {
            // Look-ups and claims, in record order (the first bad record is the error); the
            // tables are opened once per call.
            let mut on_asset: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
            let mut placed = Vec::with_capacity(prepared.len());
            {
                let asset_places = txn.open_table(tables::ASSET_PLACES)?;
                let mut refs = RefTables::open(txn)?;
                // Only look-ups here (a face id claimed earlier in the call counts as
                // existing); the new ids are inserted in id order after the loop.
                let mut claimed: HashSet<&str> = HashSet::with_capacity(prepared.len());
                let mut new_ids: Vec<(&str, u64)> = Vec::with_capacity(prepared.len());
                for (i, (asset_id, face, person)) in prepared.iter().enumerate() {
                    let key = places::key(&asset_places, asset_id)?
                        .ok_or_else(|| Error::not_found("asset", asset_id.clone()))?;
                    let person_key = refs.resolve_person(person.as_deref())?;
                    if !claimed.insert(&face.id) || refs.face_ids.get(face.id.as_str())?.is_some() {
                        return Err(Error::Duplicate {
                            message: format!("faces[{i}]: face {:?} already exists", face.id),
                            existing_id: face.id.clone(),
                        });
                    }
                    new_ids.push((&face.id, key));
                    on_asset.entry(key).or_default().push(i);
                    placed.push(person_key);
                }
                new_ids.sort_unstable();
                insert_ascending(&mut refs.face_ids, new_ids.len(), |j| new_ids[j])?;
            }
            // Each touched asset once, in key order: its record gains the faces, its index
            // entries and counters move, and it is written back.
            let mut assets = txn.open_table(tables::ASSETS)?;
            let mut idx = IndexTables::open(txn)?;
            for (&key, faces) in &on_asset {
                let old = records::load_asset(&assets, key, &mut Tally::default())?;
                let mut new = old.clone();
                for &i in faces {
                    let mut face = prepared[i].1.clone();
                    face.person = placed[i];
                    new.faces.push(face);
                }
                new.updated_at = bumped(new.updated_at, now);
                idx.apply(key, Some(&old), Some(&new))?;
                assets.insert(key, codec::encode(&new)?.as_slice())?;
            }
            idx.finish()?;
            Ok(())
        })?;
        // The results are the faces as stored: the person ids were resolved above, so the
        // public faces are built from the prepared records without reading anything back.
        Ok(prepared
            .into_iter()
            .map(|(asset_id, face, person)| records::face_public(face, asset_id, person))
            .collect())
    }

    /// Assigns a face to a person, or unassigns it with None.
    pub fn assign_face(&self, face_id: &str, person_id: Option<&str>) -> Result<Face> {
        ids::validate(IdKind::Face, face_id)?;
        if let Some(p) = person_id {
            ids::validate(IdKind::Person, p)?;
        }
        let now = now_micros();
        run_write(self, |txn| {
            let key = lookup_u64(&txn.open_table(tables::FACE_IDS)?, face_id)?
                .ok_or_else(|| Error::not_found("face", face_id))?;
            let person = RefTables::open(txn)?.resolve_person(person_id)?;
            let old =
                records::load_asset(&txn.open_table(tables::ASSETS)?, key, &mut Tally::default())?;
            let mut rec = old.clone();
            let pos = rec
                .faces
                .iter()
                .position(|f| f.id == face_id)
                .ok_or_else(|| Error::Corrupt(format!("face {face_id} is not on its asset")))?;
            if rec.faces[pos].person != person {
                rec.faces[pos].person = person;
                rec.faces[pos].updated_at = bumped(rec.faces[pos].updated_at, now);
                rec.updated_at = bumped(rec.updated_at, now);
                IndexTables::update(txn, key, Some(&old), Some(&rec))?;
                store(txn, key, &rec)?;
            }
            let face = rec.faces.swap_remove(pos);
            Ok(records::face_public(
                face,
                rec.id,
                person_id.map(str::to_owned),
            ))
        })
    }
}

/// The id tables a write consults per record, opened once per transaction.
pub(super) struct RefTables<'t> {
    pub(super) person_ids: redb::Table<'t, &'static str, u32>,
    pub(super) people: redb::Table<'t, u32, &'static [u8]>,
    pub(super) face_ids: redb::Table<'t, &'static str, u64>,
    pub(super) counters: redb::Table<'t, &'static str, u64>,
    /// The keys of the people this write has looked up or created, by public id. A bulk add
    /// names the same people on many faces: a look-up in the write transaction's B-tree costs
    /// ~1,700 instructions, a hit here a hash. Kept exact because this struct holds the
    /// id table open for the whole write (redb opens a table once per transaction), so no
    /// other code can change it meanwhile.
    person_keys: foldhash::HashMap<String, u32>,
    /// The people this write created, not yet in `person_ids` and `people`: each id, key and
    /// the range of its encoded record in `new_records`, written in key order by
    /// [`Self::flush_people`]. A bulk add creates thousands, and writing each as it came (two
    /// B-tree inserts at random ids, and the counter read and written) was 17,000
    /// instructions a person.
    new_people: Vec<(String, u32, std::ops::Range<usize>)>,
    /// The encoded records of `new_people`, one after the other (one buffer, not one per
    /// person).
    new_records: Vec<u8>,
    /// The person counter's next value while `new_people` is not written.
    next_person: Option<u64>,
}

impl<'t> RefTables<'t> {
    pub(super) fn open(txn: &'t WriteTransaction) -> Result<Self> {
        Ok(RefTables {
            person_ids: txn.open_table(tables::PERSON_IDS)?,
            people: txn.open_table(tables::PEOPLE)?,
            face_ids: txn.open_table(tables::FACE_IDS)?,
            counters: txn.open_table(tables::COUNTERS)?,
            person_keys: foldhash::HashMap::default(),
            new_people: Vec::new(),
            new_records: Vec::new(),
            next_person: None,
        })
    }

    /// The key of person `person_id`, or None when the catalogue has no such person.
    pub(super) fn person_key(&mut self, person_id: &str) -> Result<Option<u32>> {
        if let Some(&key) = self.person_keys.get(person_id) {
            return Ok(Some(key));
        }
        let key = lookup_u32(&self.person_ids, person_id)?;
        if let Some(k) = key {
            self.person_keys.insert(person_id.to_owned(), k);
        }
        Ok(key)
    }

    pub(super) fn resolve_person(&mut self, person_id: Option<&str>) -> Result<Option<u32>> {
        match person_id {
            None => Ok(None),
            Some(p) => self
                .person_key(p)?
                .map(Some)
                .ok_or_else(|| Error::not_found("person", p)),
        }
    }

    /// Creates person `p` and writes it: `Duplicate` when its id is taken.
    pub(super) fn create_person(&mut self, p: NewPerson, now: i64) -> Result<(u32, PersonRecord)> {
        let id = ids::given_or_new(IdKind::Person, p.id.as_deref())?;
        if self.person_key(&id)?.is_some() {
            return Err(Error::Duplicate {
                message: format!("person {id:?} already exists"),
                existing_id: id,
            });
        }
        let created = self.add_person(id, p, now)?;
        self.flush_people()?;
        Ok(created)
    }

    /// Creates person `p` unless its id names a person already (`add_assets`' people, which
    /// travel with the records that show them). Written by [`Self::flush_people`].
    pub(super) fn ensure_person(&mut self, p: NewPerson, now: i64) -> Result<()> {
        if let Some(id) = &p.id {
            if self.person_key(id)?.is_some() {
                return Ok(());
            }
        }
        let id = ids::given_or_new(IdKind::Person, p.id.as_deref())?;
        self.add_person(id, p, now).map(drop)
    }

    /// Gives the new person `id` (free, checked by the caller) the next key and queues its
    /// record; it is found by [`Self::person_key`] at once.
    fn add_person(&mut self, id: String, p: NewPerson, now: i64) -> Result<(u32, PersonRecord)> {
        let next = match self.next_person {
            Some(n) => n,
            None => self.counters.get(counter::PERSON)?.map_or(1, |v| v.value()),
        };
        let key =
            u32::try_from(next).map_err(|_| Error::invalid("too many people (at most 2^32)"))?;
        self.next_person = Some(next + 1);
        let created_at = p.created_at.map_or(now, |t| t.timestamp_micros());
        let rec = PersonRecord {
            id: id.clone(),
            name: p.name,
            birth_date: p.birth_date.map(|d| chrono::Datelike::num_days_from_ce(&d)),
            is_hidden: p.is_hidden.unwrap_or(false),
            is_favorite: p.is_favorite.unwrap_or(false),
            asset_count: 0,
            thumbnail_face_id: p.thumbnail_face_id,
            created_at,
            updated_at: p.updated_at.map_or(created_at, |t| t.timestamp_micros()),
            thumbnail_face_url: p.thumbnail_face_url,
        };
        let start = self.new_records.len();
        codec::encode_into(&rec, &mut self.new_records)?;
        self.new_people
            .push((id.clone(), key, start..self.new_records.len()));
        self.person_keys.insert(id, key);
        Ok((key, rec))
    }

    /// Writes the people created since the last flush (their keys ascend as given; their ids
    /// are sorted) and the person counter. A write that creates people calls it before it ends
    /// or reads the `people` table.
    pub(super) fn flush_people(&mut self) -> Result<()> {
        let Some(next) = self.next_person.take() else {
            return Ok(());
        };
        self.counters.insert(counter::PERSON, next)?;
        let mut new = std::mem::take(&mut self.new_people);
        let records = std::mem::take(&mut self.new_records);
        insert_ascending(&mut self.people, new.len(), |j| {
            (new[j].1, &records[new[j].2.clone()])
        })?;
        new.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        insert_ascending(&mut self.person_ids, new.len(), |j| {
            (new[j].0.as_str(), new[j].1)
        })?;
        Ok(())
    }
}
