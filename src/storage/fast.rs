//! The asset record read in place: [`AssetRef`] borrows every string of the stored bytes, so a
//! page written as JSON never builds an owned [`crate::Asset`] (nor allocates a string), and
//! the owned [`AssetRecord`] a write or a caller needs is built from it ([`AssetRef::to_record`],
//! one allocation per string). Both read the same bytes as [`super::codec::decode`] (bincode's
//! standard configuration behind serde's derived layout), without serde's visitors.
//!
//! [`AssetRef::parse`] checks the whole record once (every length, tag, varint range and UTF-8
//! string), so the collections it keeps as raw bytes ([`Seq`]) re-read without errors. The tests
//! compare it with the serde decoder on varied records, on every truncation and on corrupted
//! bytes (never a panic: `Corrupt`).
//!
//! bincode's standard configuration: integers other than `u8`/`i8` are varints (a value below
//! 251 is one byte; 251, 252, 253 and 254 announce a little-endian `u16`, `u32`, `u64` and
//! `u128`), signed ones zig-zagged first; `f64` is 8 little-endian bytes; `bool` and `Option`
//! tags are one byte 0 or 1; lengths are `u64` varints; enum variants are `u32` varints; arrays
//! are their elements in order.

use std::marker::PhantomData;

use chrono::{DateTime, Utc};

use super::codec::{
    AssetRecord, ExifRecord, FaceRecord, VariantRecord, RECORD_VERSION, RECORD_VERSION_1,
};
use crate::error::{Error, Result};
use crate::model::exif::ExifRef;
use crate::model::time::instant_from_micros;
use crate::model::{BoundingBox, TimeSource, Visibility};

/// Decodes an asset record written by [`super::codec::encode`] into its owned form.
pub(crate) fn asset_record(bytes: &[u8]) -> Result<AssetRecord> {
    AssetRef::parse(bytes).map(|r| r.to_record())
}

/// A stored asset read in place: the fields of [`AssetRecord`], strings borrowed from the
/// stored bytes, collections kept as checked raw bytes.
#[derive(Debug, Clone)]
pub(crate) struct AssetRef<'a, S = &'a str> {
    pub id: S,
    pub library: u32,
    pub device_asset_id: Option<S>,
    pub device_id: Option<S>,
    pub mime_type: Option<S>,
    pub original_file_name: Option<S>,
    pub file_created_at: Option<i64>,
    pub file_modified_at: Option<i64>,
    pub local: i64,
    pub offset: Option<i32>,
    pub offset_from_value: bool,
    pub checksum: Option<&'a [u8; 32]>,
    pub checksum_sha1: Option<&'a [u8; 20]>,
    pub created_at: i64,
    pub updated_at: i64,
    pub exif: Option<ExifRef<S>>,
    pub metadata: Option<ExifRef<S>>,
    pub metrics: Option<Seq<'a, Metric<S>>>,
    pub asset_urls: Option<Seq<'a, Variant<S>>>,
    pub description: Option<S>,
    pub faces: Seq<'a, FaceRef<S>>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub file_size_bytes: Option<u64>,
    pub trashed_at: Option<i64>,
    pub download_url: Option<S>,
    pub thumbnail_url: Option<S>,
    pub owner_id: Option<S>,
    pub is_favorite: bool,
    pub visibility: Visibility,
    pub is_offline: bool,
    pub live_photo_video_id: Option<S>,
    pub duplicate_id: Option<S>,
    pub stack_id: Option<S>,
    pub tags: Seq<'a, S>,
    pub thumbhash: Option<S>,
    pub duration: Option<S>,
    pub original_path: Option<S>,
    pub time_source: Option<TimeSource>,
}

/// A face of a stored asset, read in place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct FaceRef<S> {
    pub id: S,
    /// Internal key of the assigned person.
    pub person: Option<u32>,
    pub bounding_box: BoundingBox,
    pub timestamp_ms: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub thumbnail_url: Option<S>,
}

/// One entry of `metrics`: name and value.
pub(crate) type Metric<S> = (S, Option<f64>);

/// One entry of `asset_urls`: name, MIME type, URL and width.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Variant<S> {
    pub name: S,
    pub mimetype: S,
    pub url: S,
    pub width: Option<i64>,
}

/// A collection of a stored record: its element count and bytes, checked by
/// [`AssetRef::parse`] and read again element by element.
#[derive(Clone, Copy)]
pub(crate) struct Seq<'a, T> {
    len: usize,
    bytes: &'a [u8],
    _of: PhantomData<T>,
}

/// The count and bytes, not the element type (a record read with `&str` and with
/// [`Unchecked`] strings has one `Debug` form).
impl<T> std::fmt::Debug for Seq<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Seq")
            .field("len", &self.len)
            .field("bytes", &self.bytes)
            .finish()
    }
}

/// An element type of a [`Seq`].
pub(crate) trait Element<'a>: Sized {
    fn read(r: &mut Reader<'a>) -> R<Self>;
}

/// A stored string as a read keeps it: `&str`, its UTF-8 checked as it is read (every reader
/// but one), or [`Unchecked`], its bytes, checked by whoever makes text of them. The Gumnut JSON
/// written from stored records takes the latter: the writer copies the bytes (escaping works on
/// bytes) and checks the whole page once at the end, where a per-string check was 12% of a
/// page's instructions (BENCHMARKS.md, issue 14, "Seventh pass").
pub(crate) trait Text<'a>:
    Element<'a> + Copy + AsRef<[u8]> + Default + From<&'a str>
{
    /// Its bytes, for as long as the record's.
    fn bytes(self) -> &'a [u8];
}

impl<'a> Text<'a> for &'a str {
    fn bytes(self) -> &'a [u8] {
        self.as_bytes()
    }
}

/// A stored string whose UTF-8 is not checked yet (see [`Text`]). What makes text of it must
/// check it: the JSON writer checks its whole output (`crate::query::json`, where a damaged
/// string is then `Error::Corrupt`).
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Unchecked<'a>(pub &'a [u8]);

/// As the `&str` when the bytes are UTF-8, so that a record read both ways has one `Debug`
/// form (the tests and the fuzz target compare them).
impl std::fmt::Debug for Unchecked<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match std::str::from_utf8(self.0) {
            Ok(s) => std::fmt::Debug::fmt(s, f),
            Err(_) => write!(f, "Unchecked({:?})", self.0),
        }
    }
}

impl AsRef<[u8]> for Unchecked<'_> {
    #[inline]
    fn as_ref(&self) -> &[u8] {
        self.0
    }
}

impl<'a> From<&'a str> for Unchecked<'a> {
    #[inline]
    fn from(s: &'a str) -> Self {
        Unchecked(s.as_bytes())
    }
}

impl<'a> Text<'a> for Unchecked<'a> {
    fn bytes(self) -> &'a [u8] {
        self.0
    }
}

/// An element of a stored map: its key's bytes (keys are compared as bytes, which is `str`'s
/// order).
pub(crate) trait Keyed<'a> {
    fn key(&self) -> &'a [u8];
}

impl<'a, S: Text<'a>> Keyed<'a> for Metric<S> {
    fn key(&self) -> &'a [u8] {
        self.0.bytes()
    }
}

impl<'a, S: Text<'a>> Keyed<'a> for Variant<S> {
    fn key(&self) -> &'a [u8] {
        self.name.bytes()
    }
}

/// A string element (and, through [`Text`], every string of a record).
impl<'a> Element<'a> for &'a str {
    #[inline(always)]
    fn read(r: &mut Reader<'a>) -> R<Self> {
        r.str()
    }
}

impl<'a> Element<'a> for Unchecked<'a> {
    #[inline(always)]
    fn read(r: &mut Reader<'a>) -> R<Self> {
        let n = r.len()?;
        r.take(n).map(Unchecked)
    }
}

impl<'a, S: Text<'a>> Element<'a> for Metric<S> {
    fn read(r: &mut Reader<'a>) -> R<Self> {
        Ok((S::read(r)?, r.opt(Reader::f64)?))
    }
}

impl<'a, S: Text<'a>> Element<'a> for Variant<S> {
    fn read(r: &mut Reader<'a>) -> R<Self> {
        Ok(Variant {
            name: S::read(r)?,
            mimetype: S::read(r)?,
            url: S::read(r)?,
            width: r.opt(Reader::i64)?,
        })
    }
}

impl<'a, S: Text<'a>> Element<'a> for FaceRef<S> {
    fn read(r: &mut Reader<'a>) -> R<Self> {
        Ok(FaceRef {
            id: S::read(r)?,
            person: r.opt(Reader::u32)?,
            bounding_box: BoundingBox {
                x: r.i32()?,
                y: r.i32()?,
                w: r.i32()?,
                h: r.i32()?,
            },
            timestamp_ms: r.opt(Reader::i64)?,
            created_at: r.i64()?,
            updated_at: r.i64()?,
            thumbnail_url: r.opt(S::read)?,
        })
    }
}

/// The person of a stored face, read without the face's strings (skipped, not checked again:
/// [`AssetRef::parse`] checked them), for the walks that want only the people.
#[derive(Clone, Copy)]
struct FacePerson(Option<u32>);

impl<'a> Element<'a> for FacePerson {
    fn read(r: &mut Reader<'a>) -> R<Self> {
        r.skip_str()?;
        let person = r.opt(Reader::u32)?;
        for _ in 0..4 {
            r.u64()?; // the bounding box
        }
        r.opt(Reader::u64)?; // timestamp_ms
        r.u64()?; // created_at
        r.u64()?; // updated_at
        if r.some()? {
            r.skip_str()?; // thumbnail_url
        }
        Ok(FacePerson(person))
    }
}

impl<'a, T: Element<'a>> Seq<'a, T> {
    /// Reads a collection at the reader's position, checking every element.
    fn read(r: &mut Reader<'a>) -> R<Self> {
        let len = r.count()?;
        let start = r.pos;
        for _ in 0..len {
            T::read(r)?;
        }
        Ok(Seq {
            len,
            bytes: &r.b[start..r.pos],
            _of: PhantomData,
        })
    }

    /// Reads a map (`metrics`, `asset_urls`: a `BTreeMap` when written) at the reader's
    /// position: as [`Seq::read`], and its keys must be strictly increasing, as every written
    /// map's are. A damaged record with keys out of order or repeated is `Corrupt`, so the JSON
    /// written in place (which keeps the stored order) never differs from the owned record's
    /// (a `BTreeMap`, which would sort and merge them) nor repeats a key (found by fuzzing).
    fn read_map(r: &mut Reader<'a>) -> R<Self>
    where
        T: Keyed<'a>,
    {
        let seq: Seq<'a, T> = Seq::read(r)?;
        let mut last: Option<&[u8]> = None;
        for e in seq.iter() {
            let key = e.key();
            if last.is_some_and(|l| l >= key) {
                return Err(Bad::MapOrder);
            }
            last = Some(key);
        }
        Ok(seq)
    }

    /// The same bytes read as elements of another type with the same layout.
    fn reread<U: Element<'a>>(self) -> Seq<'a, U> {
        Seq {
            len: self.len,
            bytes: self.bytes,
            _of: PhantomData,
        }
    }

    /// The elements in stored order.
    pub fn iter(&self) -> SeqIter<'a, T> {
        SeqIter {
            left: self.len,
            r: Reader {
                b: self.bytes,
                pos: 0,
            },
            _of: PhantomData,
        }
    }
}

/// The iterator of a [`Seq`].
#[derive(Clone)]
pub(crate) struct SeqIter<'a, T> {
    left: usize,
    r: Reader<'a>,
    _of: PhantomData<T>,
}

impl<'a, T: Element<'a>> Iterator for SeqIter<'a, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        // The bytes were read once by `Seq::read` with the same reader: this cannot fail. Were
        // it to, the collection would end here rather than panic.
        T::read(&mut self.r).ok()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.left))
    }
}

impl<'a, S: Text<'a>> AssetRef<'a, S> {
    /// The effective `file_created_at` (microseconds), as
    /// [`super::codec::AssetRecord::file_created_at_or_default`].
    pub(crate) fn file_created_at_or_default(&self) -> i64 {
        super::codec::or_captured(self.file_created_at, self.local, self.offset)
    }

    /// The effective `file_modified_at`, with the same default.
    pub(crate) fn file_modified_at_or_default(&self) -> i64 {
        super::codec::or_captured(self.file_modified_at, self.local, self.offset)
    }

    /// The effective device id ([`crate::model::DEFAULT_DEVICE_ID`] when none was given).
    pub(crate) fn device_id_or_default(&self) -> S {
        self.device_id
            .unwrap_or_else(|| S::from(crate::model::DEFAULT_DEVICE_ID))
    }

    /// The effective device asset id (the asset id when none was given).
    pub(crate) fn device_asset_id_or_default(&self) -> S {
        self.device_asset_id.unwrap_or(self.id)
    }

    /// Reads a stored asset record (either envelope version), checking every byte of it but,
    /// with [`Unchecked`] strings, their UTF-8.
    fn parse_as(bytes: &'a [u8]) -> Result<Self> {
        let (with_source, body) = match bytes.split_first() {
            Some((&RECORD_VERSION, body)) => (true, body),
            // Format 1's asset record: the same fields without the trailing time source.
            Some((&RECORD_VERSION_1, body)) => (false, body),
            Some((v, _)) => return Err(Error::Corrupt(format!("unknown record version {v}"))),
            None => return Err(Error::Corrupt("empty record".into())),
        };
        Ok(Reader { b: body, pos: 0 }.asset(with_source)?)
    }

    /// The person of each face, in stored order (`None`: not assigned), read without the
    /// faces' strings.
    pub(crate) fn face_people(&self) -> impl Iterator<Item = Option<u32>> + Clone + 'a {
        self.faces.reread::<FacePerson>().iter().map(|f| f.0)
    }

    /// The distinct people of the faces, in order of first appearance (no allocation). The
    /// first 16 people found are remembered on the stack; only an asset with more re-reads
    /// its earlier faces to rule out a repeat (each face read once, not once per later face).
    pub(crate) fn people(&self) -> impl Iterator<Item = u32> + Clone + 'a {
        let faces = self.face_people();
        let mut seen = [0u32; 16];
        let mut n = 0;
        let mut overflow = false;
        faces.clone().enumerate().filter_map(move |(i, p)| {
            let p = p?;
            if seen[..n].contains(&p) || (overflow && faces.clone().take(i).any(|g| g == Some(p))) {
                return None;
            }
            match seen.get_mut(n) {
                Some(slot) => {
                    *slot = p;
                    n += 1;
                }
                None => overflow = true,
            }
            Some(p)
        })
    }
}

impl<'a> AssetRef<'a, Unchecked<'a>> {
    /// Reads a stored asset record as [`AssetRef::parse`] does, but leaves the UTF-8 of the
    /// strings the Gumnut JSON writes to the writer's one check of its whole output; the others
    /// (`owner_id`, `tags`, an EXIF object's `asset_id`, ...) are checked here. Every string
    /// is therefore checked once on the way to the JSON, and a record whose checked read fails
    /// gives `Corrupt` either way.
    pub(crate) fn parse_unchecked(bytes: &'a [u8]) -> Result<Self> {
        Self::parse_as(bytes)
    }
}

impl<'a> AssetRef<'a> {
    /// Reads a stored asset record (either envelope version), checking every byte of it.
    pub(crate) fn parse(bytes: &'a [u8]) -> Result<AssetRef<'a>> {
        Self::parse_as(bytes)
    }

    /// The owned record (one allocation per string).
    pub(crate) fn to_record(&self) -> AssetRecord {
        let s = |v: Option<&str>| v.map(str::to_owned);
        AssetRecord {
            id: self.id.to_owned(),
            library: self.library,
            device_asset_id: s(self.device_asset_id),
            device_id: s(self.device_id),
            mime_type: s(self.mime_type),
            original_file_name: s(self.original_file_name),
            file_created_at: self.file_created_at,
            file_modified_at: self.file_modified_at,
            local: self.local,
            offset: self.offset,
            offset_from_value: self.offset_from_value,
            checksum: self.checksum.copied(),
            checksum_sha1: self.checksum_sha1.copied(),
            created_at: self.created_at,
            updated_at: self.updated_at,
            exif: self.exif.map(ExifRecord::from),
            metadata: self.metadata.map(ExifRecord::from),
            metrics: self
                .metrics
                .map(|m| m.iter().map(|(k, v)| (k.to_owned(), v)).collect()),
            asset_urls: self.asset_urls.map(|m| {
                m.iter()
                    .map(|v| {
                        let variant = VariantRecord {
                            mimetype: v.mimetype.to_owned(),
                            url: v.url.to_owned(),
                            width: v.width,
                        };
                        (v.name.to_owned(), variant)
                    })
                    .collect()
            }),
            description: s(self.description),
            faces: self
                .faces
                .iter()
                .map(|f| FaceRecord {
                    id: f.id.to_owned(),
                    person: f.person,
                    bounding_box: f.bounding_box.into(),
                    timestamp_ms: f.timestamp_ms,
                    created_at: f.created_at,
                    updated_at: f.updated_at,
                    thumbnail_url: s(f.thumbnail_url),
                })
                .collect(),
            width: self.width,
            height: self.height,
            file_size_bytes: self.file_size_bytes,
            trashed_at: self.trashed_at,
            download_url: s(self.download_url),
            thumbnail_url: s(self.thumbnail_url),
            owner_id: s(self.owner_id),
            is_favorite: self.is_favorite,
            visibility: self.visibility,
            is_offline: self.is_offline,
            live_photo_video_id: s(self.live_photo_video_id),
            duplicate_id: s(self.duplicate_id),
            stack_id: s(self.stack_id),
            tags: self.tags.iter().map(str::to_owned).collect(),
            thumbhash: s(self.thumbhash),
            duration: s(self.duration),
            original_path: s(self.original_path),
            time_source: self.time_source,
        }
    }
}

/// A reader over a record's bytes.
#[derive(Clone)]
pub(crate) struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

/// Why stored bytes do not decode: one byte, so that every read of the [`Reader`] returns its
/// value in registers (a `Result` with the crate's `Error` is returned through memory: 8% of a
/// page's instructions, BENCHMARKS.md, issue 14, "Sixth pass"); [`Error::Corrupt`] is built
/// once, where the parse ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bad {
    End,
    Bool,
    OptionTag,
    Range,
    Length,
    Utf8,
    Count,
    Visibility,
    TimeSource,
    MapOrder,
}

impl Bad {
    fn what(self) -> &'static str {
        match self {
            Bad::End => "unexpected end of the record",
            Bad::Bool => "invalid bool",
            Bad::OptionTag => "invalid Option tag",
            Bad::Range => "integer out of range",
            Bad::Length => "length out of range",
            Bad::Utf8 => "invalid UTF-8 in a string",
            Bad::Count => "collection longer than the record",
            Bad::Visibility => "unknown visibility",
            Bad::TimeSource => "unknown time source",
            Bad::MapOrder => "map keys out of order",
        }
    }
}

impl From<Bad> for Error {
    fn from(bad: Bad) -> Self {
        Error::Corrupt(format!("cannot decode record: {}", bad.what()))
    }
}

/// What the [`Reader`]'s reads return.
type R<T> = std::result::Result<T, Bad>;

impl<'a> Reader<'a> {
    #[inline(always)]
    fn take(&mut self, n: usize) -> R<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.b.len())
            .ok_or(Bad::End)?;
        let out = &self.b[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> R<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn array_ref<const N: usize>(&mut self) -> R<&'a [u8; N]> {
        self.take(N)?.try_into().map_err(|_| Bad::End)
    }

    #[inline(always)]
    fn byte(&mut self) -> R<u8> {
        Ok(self.take(1)?[0])
    }

    #[inline(always)]
    fn bool(&mut self) -> R<bool> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(Bad::Bool),
        }
    }

    /// An `Option` tag: whether a value follows.
    #[inline(always)]
    fn some(&mut self) -> R<bool> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(Bad::OptionTag),
        }
    }

    /// A bincode varint as `u64`: one tag byte, then 0, 2, 4, 8 or 16 little-endian bytes. A
    /// 16-byte value is accepted when it fits.
    fn u64(&mut self) -> R<u64> {
        Ok(match self.byte()? {
            b @ 0..=250 => u64::from(b),
            251 => u64::from(u16::from_le_bytes(self.array()?)),
            252 => u64::from(u32::from_le_bytes(self.array()?)),
            253 => u64::from_le_bytes(self.array()?),
            _ => u64::try_from(u128::from_le_bytes(self.array()?)).map_err(|_| Bad::Range)?,
        })
    }

    #[inline(always)]
    fn u32(&mut self) -> R<u32> {
        u32::try_from(self.u64()?).map_err(|_| Bad::Range)
    }

    #[inline(always)]
    fn i64(&mut self) -> R<i64> {
        let z = self.u64()?;
        Ok(((z >> 1) as i64) ^ -((z & 1) as i64))
    }

    #[inline(always)]
    fn i32(&mut self) -> R<i32> {
        i32::try_from(self.i64()?).map_err(|_| Bad::Range)
    }

    #[inline(always)]
    fn f64(&mut self) -> R<f64> {
        Ok(f64::from_le_bytes(self.array()?))
    }

    #[inline(always)]
    fn len(&mut self) -> R<usize> {
        usize::try_from(self.u64()?).map_err(|_| Bad::Length)
    }

    /// Skips a string (its length and bytes) without checking its UTF-8.
    fn skip_str(&mut self) -> R<()> {
        let n = self.len()?;
        self.take(n).map(drop)
    }

    fn str(&mut self) -> R<&'a str> {
        let n = self.len()?;
        let bytes = self.take(n)?;
        std::str::from_utf8(bytes).map_err(|_| Bad::Utf8)
    }

    #[inline(always)]
    fn opt<T>(&mut self, f: impl FnOnce(&mut Self) -> R<T>) -> R<Option<T>> {
        if self.some()? {
            f(self).map(Some)
        } else {
            Ok(None)
        }
    }

    #[inline(always)]
    fn opt_i64(&mut self) -> R<Option<i64>> {
        self.opt(Self::i64)
    }

    #[inline(always)]
    fn opt_f64(&mut self) -> R<Option<f64>> {
        self.opt(Self::f64)
    }

    #[inline(always)]
    fn opt_instant(&mut self) -> R<Option<DateTime<Utc>>> {
        Ok(self.opt_i64()?.map(instant_from_micros))
    }

    /// A collection's length, bounded by the bytes left (each element takes at least one),
    /// so corrupted lengths never reserve huge buffers.
    fn count(&mut self) -> R<usize> {
        let n = self.len()?;
        if n > self.b.len() - self.pos {
            return Err(Bad::Count);
        }
        Ok(n)
    }

    /// A string that the Gumnut JSON does not write, checked whatever `S` is: a record read
    /// with [`Unchecked`] strings still has every string checked, by the read or by the JSON
    /// writer's check of its output (see [`AssetRef::parse_unchecked`]).
    fn checked<S: Text<'a>>(&mut self) -> R<S> {
        self.str().map(S::from)
    }

    /// `exif` (`metadata` false) or `metadata`: the strings the Gumnut JSON leaves out of that
    /// object are [`Reader::checked`].
    fn exif<S: Text<'a>>(&mut self, metadata: bool) -> R<ExifRef<S>> {
        // Written by the Gumnut JSON in the one object and not the other.
        let exif_only = if metadata { Self::checked } else { S::read };
        let metadata_only = if metadata { S::read } else { Self::checked };
        Ok(ExifRef {
            asset_id: self.opt(Self::checked)?,
            created_at: self.opt_instant()?,
            updated_at: self.opt_instant()?,
            make: self.opt(S::read)?,
            model: self.opt(S::read)?,
            orientation: self.opt(Self::i32)?,
            modified_datetime: self.opt_instant()?,
            original_datetime: self.opt_instant()?,
            digitized_datetime: self.opt_instant()?,
            lens_model: self.opt(S::read)?,
            f_number: self.opt_f64()?,
            focal_length: self.opt_f64()?,
            iso: self.opt_i64()?,
            exposure_time: self.opt_f64()?,
            exposure_bias: self.opt_f64()?,
            latitude: self.opt_f64()?,
            longitude: self.opt_f64()?,
            altitude: self.opt_f64()?,
            city: self.opt(S::read)?,
            state: self.opt(S::read)?,
            country: self.opt(S::read)?,
            description: self.opt(S::read)?,
            fps: self.opt_f64()?,
            live_photo_cid: self.opt(S::read)?,
            projection_type: self.opt(S::read)?,
            profile_description: self.opt(exif_only)?,
            auto_stack_id: self.opt(S::read)?,
            rating: self.opt_i64()?,
            country_code: self.opt(metadata_only)?,
            sublocation: self.opt(metadata_only)?,
            place_name: self.opt(metadata_only)?,
            timezone: self.opt(metadata_only)?,
            display_label: self.opt(metadata_only)?,
        })
    }

    fn visibility(&mut self) -> R<Visibility> {
        super::codec::visibility_from_code(self.u32()?).ok_or(Bad::Visibility)
    }

    fn time_source(&mut self) -> R<TimeSource> {
        let code = u8::try_from(self.u32()?).map_err(|_| Bad::TimeSource)?;
        TimeSource::from_code(code).ok_or(Bad::TimeSource)
    }

    /// An asset record; `with_source`: the record has the `time_source` field (version 2).
    fn asset<S: Text<'a>>(mut self, with_source: bool) -> R<AssetRef<'a, S>> {
        let r = &mut self;
        Ok(AssetRef {
            id: S::read(r)?,
            library: r.u32()?,
            device_asset_id: r.opt(S::read)?,
            device_id: r.opt(S::read)?,
            mime_type: r.opt(S::read)?,
            original_file_name: r.opt(S::read)?,
            file_created_at: r.opt_i64()?,
            file_modified_at: r.opt_i64()?,
            local: r.i64()?,
            offset: r.opt(Self::i32)?,
            offset_from_value: r.bool()?,
            checksum: r.opt(Self::array_ref::<32>)?,
            checksum_sha1: r.opt(Self::array_ref::<20>)?,
            created_at: r.i64()?,
            updated_at: r.i64()?,
            exif: r.opt(|r| r.exif(false))?,
            metadata: r.opt(|r| r.exif(true))?,
            metrics: r.opt(Seq::read_map)?,
            asset_urls: r.opt(Seq::read_map)?,
            description: r.opt(S::read)?,
            faces: Seq::read(r)?,
            width: r.opt(Self::u32)?,
            height: r.opt(Self::u32)?,
            file_size_bytes: r.opt(Self::u64)?,
            trashed_at: r.opt_i64()?,
            download_url: r.opt(S::read)?,
            thumbnail_url: r.opt(S::read)?,
            owner_id: r.opt(Self::checked)?,
            is_favorite: r.bool()?,
            visibility: r.visibility()?,
            is_offline: r.bool()?,
            live_photo_video_id: r.opt(Self::checked)?,
            duplicate_id: r.opt(Self::checked)?,
            stack_id: r.opt(Self::checked)?,
            tags: Seq::<&str>::read(r)?.reread(),
            thumbhash: r.opt(Self::checked)?,
            duration: r.opt(Self::checked)?,
            original_path: r.opt(Self::checked)?,
            time_source: if with_source {
                r.opt(Self::time_source)?
            } else {
                None
            },
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::codec::{self, AssetRecord, BoxRecord};
    use super::*;
    use crate::model::Exif;

    /// SplitMix64, for varied records without a dependency.
    pub(crate) struct Rng(pub(crate) u64);
    impl Rng {
        pub(crate) fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        fn chance(&mut self) -> bool {
            self.next().is_multiple_of(2)
        }
        /// Integers around every varint boundary, and the extremes.
        fn int(&mut self) -> i64 {
            const EDGES: [i64; 12] = [
                0,
                1,
                -1,
                125,
                126,
                250,
                251,
                65_535,
                65_536,
                4_294_967_296,
                i64::MAX,
                i64::MIN,
            ];
            if self.chance() {
                EDGES[(self.next() % 12) as usize]
            } else {
                self.next() as i64 >> (self.next() % 64)
            }
        }
        fn u32(&mut self) -> u32 {
            [0, 250, 251, 65_535, 65_536, u32::MAX, self.next() as u32][(self.next() % 7) as usize]
        }
        fn i32(&mut self) -> i32 {
            [0, -1, 1, i32::MIN, i32::MAX, self.next() as i32][(self.next() % 6) as usize]
        }
        fn f64(&mut self) -> f64 {
            f64::from_bits(self.next())
        }
        fn string(&mut self) -> String {
            const PIECES: [&str; 6] = ["", "a", "ünï", "写真", "📷", "\"\\\n"];
            let len = (self.next() % 300) as usize;
            let mut s = String::new();
            while s.len() < len {
                s.push_str(PIECES[(self.next() % 6) as usize]);
            }
            s
        }
        fn opt<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> Option<T> {
            self.chance().then(|| f(self))
        }
    }

    fn exif(r: &mut Rng) -> Exif {
        Exif {
            asset_id: r.opt(Rng::string),
            created_at: r.opt(|r| instant_from_micros(r.int() >> 12)),
            updated_at: r.opt(|r| instant_from_micros(r.int() >> 12)),
            make: r.opt(Rng::string),
            model: r.opt(Rng::string),
            orientation: r.opt(Rng::i32),
            modified_datetime: r.opt(|r| instant_from_micros(r.int() >> 12)),
            original_datetime: r.opt(|r| instant_from_micros(r.int() >> 12)),
            digitized_datetime: None,
            lens_model: r.opt(Rng::string),
            f_number: r.opt(Rng::f64),
            focal_length: r.opt(Rng::f64),
            iso: r.opt(Rng::int),
            exposure_time: r.opt(Rng::f64),
            exposure_bias: r.opt(Rng::f64),
            latitude: r.opt(Rng::f64),
            longitude: r.opt(Rng::f64),
            altitude: r.opt(Rng::f64),
            city: r.opt(Rng::string),
            state: r.opt(Rng::string),
            country: r.opt(Rng::string),
            description: r.opt(Rng::string),
            fps: r.opt(Rng::f64),
            live_photo_cid: r.opt(Rng::string),
            projection_type: r.opt(Rng::string),
            profile_description: r.opt(Rng::string),
            auto_stack_id: r.opt(Rng::string),
            rating: r.opt(Rng::int),
            country_code: r.opt(Rng::string),
            sublocation: r.opt(Rng::string),
            place_name: r.opt(Rng::string),
            timezone: r.opt(Rng::string),
            display_label: r.opt(Rng::string),
        }
    }

    /// A record with every field drawn from `r` (strings, edges of every varint width).
    pub(crate) fn record(r: &mut Rng) -> AssetRecord {
        let faces = (0..r.next() % 4)
            .map(|_| FaceRecord {
                id: r.string(),
                person: r.opt(Rng::u32),
                bounding_box: BoxRecord {
                    x: r.i32(),
                    y: r.i32(),
                    w: r.i32(),
                    h: r.i32(),
                },
                timestamp_ms: r.opt(Rng::int),
                created_at: r.int(),
                updated_at: r.int(),
                thumbnail_url: r.opt(Rng::string),
            })
            .collect();
        AssetRecord {
            id: r.string(),
            library: r.u32(),
            device_asset_id: r.opt(Rng::string),
            device_id: r.opt(Rng::string),
            mime_type: r.opt(Rng::string),
            original_file_name: r.opt(Rng::string),
            file_created_at: r.opt(Rng::int),
            file_modified_at: r.opt(Rng::int),
            local: r.int(),
            offset: r.opt(Rng::i32),
            offset_from_value: r.chance(),
            checksum: r.opt(|r| [r.next() as u8; 32]),
            checksum_sha1: r.opt(|r| [r.next() as u8; 20]),
            created_at: r.int(),
            updated_at: r.int(),
            exif: r.opt(exif).map(ExifRecord::from),
            metadata: r.opt(exif).map(ExifRecord::from),
            metrics: r.opt(|r| {
                (0..r.next() % 4)
                    .map(|_| (r.string(), r.opt(Rng::f64)))
                    .collect()
            }),
            asset_urls: r.opt(|r| {
                (0..r.next() % 3)
                    .map(|_| {
                        let v = VariantRecord {
                            mimetype: r.string(),
                            url: r.string(),
                            width: r.opt(Rng::int),
                        };
                        (r.string(), v)
                    })
                    .collect()
            }),
            description: r.opt(Rng::string),
            faces,
            width: r.opt(Rng::u32),
            height: r.opt(Rng::u32),
            file_size_bytes: r.opt(|r| r.int() as u64),
            trashed_at: r.opt(Rng::int),
            download_url: r.opt(Rng::string),
            thumbnail_url: r.opt(Rng::string),
            owner_id: r.opt(Rng::string),
            is_favorite: r.chance(),
            visibility: [
                Visibility::Timeline,
                Visibility::Archive,
                Visibility::Hidden,
                Visibility::Locked,
            ][(r.next() % 4) as usize],
            is_offline: r.chance(),
            live_photo_video_id: r.opt(Rng::string),
            duplicate_id: r.opt(Rng::string),
            stack_id: r.opt(Rng::string),
            tags: (0..r.next() % 3).map(|_| r.string()).collect(),
            thumbhash: r.opt(Rng::string),
            duration: r.opt(Rng::string),
            original_path: r.opt(Rng::string),
            time_source: r.opt(|r| TimeSource::ALL[(r.next() % 6) as usize]),
        }
    }

    /// Compares two decodes, treating NaNs as equal by bits (`PartialEq` would not).
    fn same(a: &AssetRecord, b: &AssetRecord) -> bool {
        format!("{a:?}") == format!("{b:?}")
    }

    #[test]
    fn reads_what_the_serde_decoder_reads() {
        let mut r = Rng(7);
        for _ in 0..2_000 {
            let rec = record(&mut r);
            let bytes = codec::encode(&rec).unwrap();
            let ours = asset_record(&bytes).unwrap();
            let theirs: AssetRecord = codec::decode(&bytes).unwrap();
            assert!(same(&ours, &theirs), "{ours:?}\n{theirs:?}");
            assert!(same(&ours, &rec));
        }
    }

    #[test]
    fn the_people_of_the_faces_are_those_of_the_full_read() {
        let mut r = Rng(11);
        let mut with_people = 0;
        for _ in 0..2_000 {
            let rec = record(&mut r);
            let bytes = codec::encode(&rec).unwrap();
            let view = AssetRef::parse(&bytes).unwrap();
            let full: Vec<Option<u32>> = view.faces.iter().map(|f| f.person).collect();
            let light: Vec<Option<u32>> = view.face_people().collect();
            assert_eq!(light, full);
            let expected: Vec<u32> =
                rec.faces
                    .iter()
                    .filter_map(|f| f.person)
                    .fold(Vec::new(), |mut v, p| {
                        if !v.contains(&p) {
                            v.push(p);
                        }
                        v
                    });
            assert_eq!(view.people().collect::<Vec<_>>(), expected);
            with_people += usize::from(!expected.is_empty());
        }
        assert!(
            with_people > 100,
            "the generator gave {with_people} records with people"
        );
    }

    /// Assets with many faces: repeats before and after the 16 people `people` remembers,
    /// unassigned faces between them, and every count of distinct people up to 40.
    #[test]
    fn the_people_of_many_faces_are_each_listed_once_in_order() {
        let mut r = Rng(17);
        let template = record(&mut r);
        for distinct in 0..40u32 {
            for pattern in 0..4u32 {
                // People 0..distinct, each face's person picked so that repeats land
                // everywhere: early, across the 16th, and at the end.
                let people: Vec<Option<u32>> = (0..distinct * 2 + 3)
                    .map(|i| match (i + pattern) % 5 {
                        0 => None,
                        1 => Some((i * 7 + pattern) % distinct.max(1)),
                        _ => Some(i % distinct.max(1)),
                    })
                    .collect();
                let mut rec = template.clone();
                rec.faces = people
                    .iter()
                    .map(|&person| FaceRecord {
                        id: "face".into(),
                        person,
                        bounding_box: BoxRecord {
                            x: 0,
                            y: 0,
                            w: 1,
                            h: 1,
                        },
                        timestamp_ms: None,
                        created_at: 0,
                        updated_at: 0,
                        thumbnail_url: None,
                    })
                    .collect();
                let bytes = codec::encode(&rec).unwrap();
                let expected = people.iter().flatten().fold(Vec::new(), |mut v, &p| {
                    if !v.contains(&p) {
                        v.push(p);
                    }
                    v
                });
                let view = AssetRef::parse(&bytes).unwrap();
                assert_eq!(view.people().collect::<Vec<_>>(), expected, "{people:?}");
                // A clone taken part-way goes on exactly as the original.
                let mut it = view.people();
                let half = expected.len() / 2;
                it.by_ref().take(half).for_each(drop);
                assert_eq!(it.clone().collect::<Vec<_>>(), expected[half..]);
                assert_eq!(it.collect::<Vec<_>>(), expected[half..]);
            }
        }
    }

    #[test]
    fn the_unchecked_read_reads_what_the_checked_one_reads() {
        let mut r = Rng(13);
        for _ in 0..500 {
            let bytes = codec::encode(&record(&mut r)).unwrap();
            let checked = AssetRef::parse(&bytes).unwrap();
            let unchecked = AssetRef::parse_unchecked(&bytes).unwrap();
            // `Unchecked`'s `Debug` is the `&str`'s when the bytes are UTF-8.
            assert_eq!(format!("{unchecked:?}"), format!("{checked:?}"));
            // Damaged bytes: whatever the checked read accepts, so does the unchecked one, the
            // same; where only the latter reads, a string is not UTF-8 (which the JSON's check
            // refuses: tests/json_views.rs and the `stored_record` fuzz target).
            for _ in 0..40 {
                let mut b = bytes.clone();
                let i = (r.next() as usize) % b.len();
                b[i] ^= 1 << (r.next() % 8);
                match (AssetRef::parse(&b), AssetRef::parse_unchecked(&b)) {
                    (Ok(x), Ok(y)) => assert_eq!(format!("{y:?}"), format!("{x:?}")),
                    (Ok(_), Err(e)) => panic!("only the checked read reads: {e:?}"),
                    (Err(Error::Corrupt(m)), Ok(_)) => assert!(m.contains("UTF-8"), "{m}"),
                    (Err(x), _) => assert!(matches!(x, Error::Corrupt(_)), "{x:?}"),
                }
            }
        }
    }

    #[test]
    fn reads_format_1_records_without_a_time_source() {
        let mut r = Rng(3);
        for _ in 0..200 {
            let mut rec = record(&mut r);
            rec.time_source = None;
            // Format 1's bytes: envelope 1, the same fields, no trailing `time_source` (whose
            // `None` is the one byte 0 at the end of a format 2 record).
            let v2 = codec::encode(&rec).unwrap();
            assert_eq!(v2.last(), Some(&0));
            let mut v1 = v2[..v2.len() - 1].to_vec();
            v1[0] = codec::RECORD_VERSION_1;
            assert!(same(&asset_record(&v1).unwrap(), &rec));
        }
        assert!(asset_record(&[9, 0]).is_err());
    }

    #[test]
    fn maps_with_keys_out_of_order_are_corrupt() {
        // Found by fuzzing (tests/data/fuzz/stored_record/): a damaged record whose metrics
        // repeat a key was read, and written as JSON with the key twice, while the owned
        // record (a BTreeMap) merged them.
        let mut r = Rng(5);
        let mut rec = record(&mut r);
        rec.metrics = Some([("a".to_owned(), Some(1.0)), ("b".to_owned(), None)].into());
        let mut bytes = codec::encode(&rec).unwrap();
        assert!(asset_record(&bytes).is_ok());
        // "b" -> "a": the same length, so only the order breaks.
        let at = bytes.windows(2).position(|w| w == [1, b'b']).unwrap();
        bytes[at + 1] = b'a';
        match asset_record(&bytes) {
            Err(Error::Corrupt(m)) => assert!(m.contains("map keys out of order"), "{m}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn damaged_bytes_are_errors_like_the_serde_decoder() {
        let mut r = Rng(11);
        for _ in 0..60 {
            let bytes = codec::encode(&record(&mut r)).unwrap();
            // Every truncation is an error for both decoders.
            for cut in 0..bytes.len() {
                assert!(asset_record(&bytes[..cut]).is_err(), "cut at {cut}");
                assert!(codec::decode::<AssetRecord>(&bytes[..cut]).is_err());
            }
            // A flipped byte never panics; when both decoders succeed they agree.
            for _ in 0..50 {
                let mut b = bytes.clone();
                let i = (r.next() as usize) % b.len();
                b[i] ^= 1 << (r.next() % 8);
                if let (Ok(x), Ok(y)) = (asset_record(&b), codec::decode::<AssetRecord>(&b)) {
                    assert!(same(&x, &y));
                }
            }
        }
    }
}
