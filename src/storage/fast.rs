//! A direct decoder of asset records: the same bytes as [`super::codec::decode`] reads
//! (bincode's standard configuration behind serde's derived layout), without going through
//! serde's visitors.
//!
//! Reading a page spends most of its time decoding records, and most of that in serde's
//! per-field machinery and bincode's string path (a zeroed buffer, a copy, then a UTF-8 check).
//! This reader walks the record's fields in their declared order and builds each string with
//! one exact allocation. The wire format is unchanged (no migration); the tests compare it with
//! the serde decoder on varied records, on every truncation and on corrupted bytes.
//!
//! bincode's standard configuration: integers other than `u8`/`i8` are varints (a value below
//! 251 is one byte; 251, 252, 253 and 254 announce a little-endian `u16`, `u32`, `u64` and
//! `u128`), signed ones zig-zagged first; `f64` is 8 little-endian bytes; `bool` and `Option`
//! tags are one byte 0 or 1; lengths are `u64` varints; enum variants are `u32` varints; arrays
//! are their elements in order.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::codec::{AssetRecord, FaceRecord, RECORD_VERSION, RECORD_VERSION_1};
use crate::error::{Error, Result};
use crate::model::time::instant_from_micros;
use crate::model::{AssetVariant, BoundingBox, Exif, TimeSource, Visibility};

/// Decodes an asset record written by [`super::codec::encode`].
pub(crate) fn asset_record(bytes: &[u8]) -> Result<AssetRecord> {
    match bytes.split_first() {
        Some((&RECORD_VERSION, body)) => Reader { b: body, pos: 0 }.asset(true),
        // Format 1's asset record: the same fields without the trailing time source.
        Some((&RECORD_VERSION_1, body)) => Reader { b: body, pos: 0 }.asset(false),
        Some((v, _)) => Err(Error::Corrupt(format!("unknown record version {v}"))),
        None => Err(Error::Corrupt("empty record".into())),
    }
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

fn corrupt(what: &str) -> Error {
    Error::Corrupt(format!("cannot decode record: {what}"))
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.b.len())
            .ok_or_else(|| corrupt("unexpected end of the record"))?;
        let out = &self.b[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn byte(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    fn bool(&mut self) -> Result<bool> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(corrupt("invalid bool")),
        }
    }

    /// An `Option` tag: whether a value follows.
    fn some(&mut self) -> Result<bool> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(corrupt("invalid Option tag")),
        }
    }

    fn varint(&mut self) -> Result<u128> {
        Ok(match self.byte()? {
            b @ 0..=250 => u128::from(b),
            251 => u128::from(u16::from_le_bytes(self.array()?)),
            252 => u128::from(u32::from_le_bytes(self.array()?)),
            253 => u128::from(u64::from_le_bytes(self.array()?)),
            _ => u128::from_le_bytes(self.array()?),
        })
    }

    fn u64(&mut self) -> Result<u64> {
        u64::try_from(self.varint()?).map_err(|_| corrupt("integer out of range"))
    }

    fn u32(&mut self) -> Result<u32> {
        u32::try_from(self.varint()?).map_err(|_| corrupt("integer out of range"))
    }

    fn i64(&mut self) -> Result<i64> {
        let z = self.u64()?;
        Ok(((z >> 1) as i64) ^ -((z & 1) as i64))
    }

    fn i32(&mut self) -> Result<i32> {
        i32::try_from(self.i64()?).map_err(|_| corrupt("integer out of range"))
    }

    fn f64(&mut self) -> Result<f64> {
        Ok(f64::from_le_bytes(self.array()?))
    }

    fn len(&mut self) -> Result<usize> {
        usize::try_from(self.u64()?).map_err(|_| corrupt("length out of range"))
    }

    fn string(&mut self) -> Result<String> {
        let n = self.len()?;
        let bytes = self.take(n)?;
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| corrupt("invalid UTF-8 in a string"))
    }

    fn opt<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<Option<T>> {
        if self.some()? {
            f(self).map(Some)
        } else {
            Ok(None)
        }
    }

    fn opt_string(&mut self) -> Result<Option<String>> {
        self.opt(Self::string)
    }

    fn opt_i64(&mut self) -> Result<Option<i64>> {
        self.opt(Self::i64)
    }

    fn opt_f64(&mut self) -> Result<Option<f64>> {
        self.opt(Self::f64)
    }

    fn opt_instant(&mut self) -> Result<Option<DateTime<Utc>>> {
        Ok(self.opt_i64()?.map(instant_from_micros))
    }

    /// A collection's length, bounded by the bytes left (each element takes at least one),
    /// so corrupted lengths never reserve huge buffers.
    fn count(&mut self) -> Result<usize> {
        let n = self.len()?;
        if n > self.b.len() - self.pos {
            return Err(corrupt("collection longer than the record"));
        }
        Ok(n)
    }

    fn exif(&mut self) -> Result<Exif> {
        Ok(Exif {
            asset_id: self.opt_string()?,
            created_at: self.opt_instant()?,
            updated_at: self.opt_instant()?,
            make: self.opt_string()?,
            model: self.opt_string()?,
            orientation: self.opt(Self::i32)?,
            modified_datetime: self.opt_instant()?,
            original_datetime: self.opt_instant()?,
            digitized_datetime: self.opt_instant()?,
            lens_model: self.opt_string()?,
            f_number: self.opt_f64()?,
            focal_length: self.opt_f64()?,
            iso: self.opt_i64()?,
            exposure_time: self.opt_f64()?,
            exposure_bias: self.opt_f64()?,
            latitude: self.opt_f64()?,
            longitude: self.opt_f64()?,
            altitude: self.opt_f64()?,
            city: self.opt_string()?,
            state: self.opt_string()?,
            country: self.opt_string()?,
            description: self.opt_string()?,
            fps: self.opt_f64()?,
            live_photo_cid: self.opt_string()?,
            projection_type: self.opt_string()?,
            profile_description: self.opt_string()?,
            auto_stack_id: self.opt_string()?,
            rating: self.opt_i64()?,
            country_code: self.opt_string()?,
            sublocation: self.opt_string()?,
            place_name: self.opt_string()?,
            timezone: self.opt_string()?,
            display_label: self.opt_string()?,
        })
    }

    fn face(&mut self) -> Result<FaceRecord> {
        Ok(FaceRecord {
            id: self.string()?,
            person: self.opt(Self::u32)?,
            bounding_box: BoundingBox {
                x: self.i32()?,
                y: self.i32()?,
                w: self.i32()?,
                h: self.i32()?,
            },
            timestamp_ms: self.opt_i64()?,
            created_at: self.i64()?,
            updated_at: self.i64()?,
            thumbnail_url: self.opt_string()?,
        })
    }

    fn metrics(&mut self) -> Result<BTreeMap<String, Option<f64>>> {
        let n = self.count()?;
        let mut m = BTreeMap::new();
        for _ in 0..n {
            let k = self.string()?;
            m.insert(k, self.opt_f64()?);
        }
        Ok(m)
    }

    fn variants(&mut self) -> Result<BTreeMap<String, AssetVariant>> {
        let n = self.count()?;
        let mut m = BTreeMap::new();
        for _ in 0..n {
            let k = self.string()?;
            let v = AssetVariant {
                mimetype: self.string()?,
                url: self.string()?,
                width: self.opt_i64()?,
            };
            m.insert(k, v);
        }
        Ok(m)
    }

    fn visibility(&mut self) -> Result<Visibility> {
        Ok(match self.u32()? {
            0 => Visibility::Timeline,
            1 => Visibility::Archive,
            2 => Visibility::Hidden,
            3 => Visibility::Locked,
            _ => return Err(corrupt("unknown visibility")),
        })
    }

    fn time_source(&mut self) -> Result<TimeSource> {
        let code = u8::try_from(self.u32()?).map_err(|_| corrupt("unknown time source"))?;
        TimeSource::from_code(code).ok_or_else(|| corrupt("unknown time source"))
    }

    /// An asset record; `with_source`: the record has the `time_source` field (version 2).
    fn asset(&mut self, with_source: bool) -> Result<AssetRecord> {
        Ok(AssetRecord {
            id: self.string()?,
            library: self.u32()?,
            device_asset_id: self.opt_string()?,
            device_id: self.opt_string()?,
            mime_type: self.opt_string()?,
            original_file_name: self.opt_string()?,
            file_created_at: self.opt_i64()?,
            file_modified_at: self.opt_i64()?,
            local: self.i64()?,
            offset: self.opt(Self::i32)?,
            offset_from_value: self.bool()?,
            checksum: self.opt(Self::array::<32>)?,
            checksum_sha1: self.opt(Self::array::<20>)?,
            created_at: self.i64()?,
            updated_at: self.i64()?,
            exif: self.opt(Self::exif)?,
            metadata: self.opt(Self::exif)?,
            metrics: self.opt(Self::metrics)?,
            asset_urls: self.opt(Self::variants)?,
            description: self.opt_string()?,
            faces: {
                let n = self.count()?;
                let mut v = Vec::with_capacity(n);
                for _ in 0..n {
                    v.push(self.face()?);
                }
                v
            },
            width: self.opt(Self::u32)?,
            height: self.opt(Self::u32)?,
            file_size_bytes: self.opt(Self::u64)?,
            trashed_at: self.opt_i64()?,
            download_url: self.opt_string()?,
            thumbnail_url: self.opt_string()?,
            owner_id: self.opt_string()?,
            is_favorite: self.bool()?,
            visibility: self.visibility()?,
            is_offline: self.bool()?,
            live_photo_video_id: self.opt_string()?,
            duplicate_id: self.opt_string()?,
            stack_id: self.opt_string()?,
            tags: {
                let n = self.count()?;
                let mut v = Vec::with_capacity(n);
                for _ in 0..n {
                    v.push(self.string()?);
                }
                v
            },
            thumbhash: self.opt_string()?,
            duration: self.opt_string()?,
            original_path: self.opt_string()?,
            time_source: if with_source {
                self.opt(Self::time_source)?
            } else {
                None
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::codec::{self, AssetRecord};
    use super::*;

    /// SplitMix64, for varied records without a dependency.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
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

    fn record(r: &mut Rng) -> AssetRecord {
        let faces = (0..r.next() % 4)
            .map(|_| FaceRecord {
                id: r.string(),
                person: r.opt(Rng::u32),
                bounding_box: BoundingBox {
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
            exif: r.opt(exif),
            metadata: r.opt(exif),
            metrics: r.opt(|r| {
                (0..r.next() % 4)
                    .map(|_| (r.string(), r.opt(Rng::f64)))
                    .collect()
            }),
            asset_urls: r.opt(|r| {
                (0..r.next() % 3)
                    .map(|_| {
                        let v = AssetVariant {
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
