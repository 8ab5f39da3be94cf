//! A minimal TIFF IFD reader for what the EXIF crate does not expose: whether a TIFF is a DNG,
//! and the pixel size of the main (full-resolution) image, which in DNG and most TIFF-based
//! RAW files sits in a SubIFD behind a small IFD0 preview. Every offset is bounds-checked.

/// `NewSubfileType`: bit 0 set marks a reduced-resolution (preview) image.
const NEW_SUBFILE_TYPE: u16 = 0x00fe;
const IMAGE_WIDTH: u16 = 0x0100;
const IMAGE_LENGTH: u16 = 0x0101;
const SUB_IFDS: u16 = 0x014a;
const DNG_VERSION: u16 = 0xc612;
/// More SubIFDs than any camera writes; bounds the work on hostile input.
const MAX_SUB_IFDS: usize = 16;
/// More entries than any real IFD holds; bounds the work on hostile input.
const MAX_ENTRIES: usize = 4096;

/// A TIFF byte stream (classic TIFF, either byte order).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tiff<'a> {
    data: &'a [u8],
    little: bool,
}

/// One IFD entry: tag, field type, count and the 4-byte value-or-offset field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    tag: u16,
    kind: u16,
    count: u32,
    value: [u8; 4],
}

impl<'a> Tiff<'a> {
    /// `data` when it starts with a TIFF header (`II*\0` or `MM\0*`).
    pub(crate) fn new(data: &'a [u8]) -> Option<Tiff<'a>> {
        let little = match data.get(0..4)? {
            [b'I', b'I', 42, 0] => true,
            [b'M', b'M', 0, 42] => false,
            _ => return None,
        };
        Some(Tiff { data, little })
    }

    fn order_u16(&self, b: [u8; 2]) -> u16 {
        if self.little {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        }
    }

    fn order_u32(&self, b: [u8; 4]) -> u32 {
        if self.little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }
    }

    fn u16_at(&self, at: usize) -> Option<u16> {
        Some(self.order_u16(self.data.get(at..at.checked_add(2)?)?.try_into().ok()?))
    }

    fn u32_at(&self, at: usize) -> Option<u32> {
        Some(self.order_u32(self.data.get(at..at.checked_add(4)?)?.try_into().ok()?))
    }

    /// The entries of the IFD at `offset`, or None when it does not fit in the data.
    fn ifd(&self, offset: u32) -> Option<Vec<Entry>> {
        let at = usize::try_from(offset).ok()?;
        let n = usize::from(self.u16_at(at)?);
        if n > MAX_ENTRIES {
            return None;
        }
        let mut entries = Vec::with_capacity(n);
        for i in 0..n {
            let e = at.checked_add(2 + 12 * i)?;
            entries.push(Entry {
                tag: self.u16_at(e)?,
                kind: self.u16_at(e + 2)?,
                count: self.u32_at(e + 4)?,
                value: self.data.get(e + 8..e + 12)?.try_into().ok()?,
            });
        }
        Some(entries)
    }

    fn ifd0(&self) -> Option<Vec<Entry>> {
        self.ifd(self.u32_at(4)?)
    }

    /// The unsigned integer values of `entry` (BYTE, SHORT, LONG or IFD), at most `max`.
    fn uints(&self, entry: &Entry, max: usize) -> Vec<u32> {
        let size = match entry.kind {
            1 => 1usize,
            3 => 2,
            4 | 13 => 4,
            _ => return Vec::new(),
        };
        let count = usize::try_from(entry.count).unwrap_or(usize::MAX).min(max);
        let inline = size.saturating_mul(count) <= 4;
        let base = if inline {
            None
        } else {
            Some(self.order_u32(entry.value) as usize)
        };
        let mut out = Vec::with_capacity(count);
        for i in 0..count {
            let v = match base {
                None => {
                    let b = &entry.value[i * size..];
                    match size {
                        1 => Some(u32::from(b[0])),
                        2 => Some(u32::from(self.order_u16([b[0], b[1]]))),
                        _ => Some(self.order_u32([b[0], b[1], b[2], b[3]])),
                    }
                }
                Some(base) => {
                    let Some(at) = base.checked_add(i * size) else {
                        break;
                    };
                    match size {
                        1 => self.data.get(at).map(|&b| u32::from(b)),
                        2 => self.u16_at(at).map(u32::from),
                        _ => self.u32_at(at),
                    }
                }
            };
            match v {
                Some(v) => out.push(v),
                None => break,
            }
        }
        out
    }

    fn first(&self, entries: &[Entry], tag: u16) -> Option<u32> {
        let e = entries.iter().find(|e| e.tag == tag)?;
        self.uints(e, 1).first().copied()
    }

    /// True when IFD0 carries a `DNGVersion` tag.
    pub(crate) fn is_dng(&self) -> bool {
        self.ifd0()
            .is_some_and(|ifd| ifd.iter().any(|e| e.tag == DNG_VERSION))
    }

    /// The stored pixel size of the main image: the first of IFD0 and its SubIFDs that is not
    /// marked as a reduced-resolution image (NewSubfileType bit 0), else IFD0's size.
    pub(crate) fn main_image_size(&self) -> Option<(u32, u32)> {
        let ifd0 = self.ifd0()?;
        let size = |ifd: &[Entry]| -> Option<(u32, u32)> {
            let (w, h) = (
                self.first(ifd, IMAGE_WIDTH)?,
                self.first(ifd, IMAGE_LENGTH)?,
            );
            (w > 0 && h > 0).then_some((w, h))
        };
        let is_main = |ifd: &[Entry]| self.first(ifd, NEW_SUBFILE_TYPE).unwrap_or(0) & 1 == 0;
        if is_main(&ifd0) {
            if let Some(s) = size(&ifd0) {
                return Some(s);
            }
        }
        if let Some(e) = ifd0.iter().find(|e| e.tag == SUB_IFDS) {
            for offset in self.uints(e, MAX_SUB_IFDS) {
                if let Some(sub) = self.ifd(offset) {
                    if is_main(&sub) {
                        if let Some(s) = size(&sub) {
                            return Some(s);
                        }
                    }
                }
            }
        }
        size(&ifd0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a little- or big-endian TIFF from IFDs given as (tag, type, count, value) where
    /// value is inline (<= 4 bytes) or appended data.
    struct Builder {
        little: bool,
        out: Vec<u8>,
    }

    impl Builder {
        fn new(little: bool) -> Builder {
            let mut out = if little {
                b"II*\0".to_vec()
            } else {
                b"MM\0*".to_vec()
            };
            out.extend([0, 0, 0, 0]);
            Builder { little, out }
        }
        fn u16(&self, v: u16) -> [u8; 2] {
            if self.little {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            }
        }
        fn u32(&self, v: u32) -> [u8; 4] {
            if self.little {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            }
        }
        /// Appends an IFD with inline values and returns its offset.
        fn ifd(&mut self, entries: &[(u16, u16, u32, [u8; 4])]) -> u32 {
            let at = self.out.len() as u32;
            let n = self.u16(entries.len() as u16);
            self.out.extend(n);
            for &(tag, kind, count, value) in entries {
                let (t, k, c) = (self.u16(tag), self.u16(kind), self.u32(count));
                self.out.extend(t);
                self.out.extend(k);
                self.out.extend(c);
                self.out.extend(value);
            }
            self.out.extend([0, 0, 0, 0]);
            at
        }
        fn short(&self, v: u16) -> [u8; 4] {
            let b = self.u16(v);
            [b[0], b[1], 0, 0]
        }
        fn set_ifd0(&mut self, offset: u32) {
            let b = self.u32(offset);
            self.out[4..8].copy_from_slice(&b);
        }
    }

    fn dng(little: bool) -> Vec<u8> {
        let mut b = Builder::new(little);
        let raw = b.ifd(&[
            (NEW_SUBFILE_TYPE, 4, 1, b.u32(0)),
            (IMAGE_WIDTH, 4, 1, b.u32(3516)),
            (IMAGE_LENGTH, 3, 1, b.short(2328)),
        ]);
        let preview = b.ifd(&[
            (NEW_SUBFILE_TYPE, 4, 1, b.u32(1)),
            (IMAGE_WIDTH, 3, 1, b.short(1024)),
            (IMAGE_LENGTH, 3, 1, b.short(683)),
        ]);
        // Two SubIFD offsets do not fit inline: write them out of line.
        let list_at = b.out.len() as u32;
        let (p, r) = (b.u32(preview), b.u32(raw));
        b.out.extend(p);
        b.out.extend(r);
        let ifd0 = b.ifd(&[
            (NEW_SUBFILE_TYPE, 4, 1, b.u32(1)),
            (IMAGE_WIDTH, 3, 1, b.short(8)),
            (IMAGE_LENGTH, 3, 1, b.short(8)),
            (SUB_IFDS, 13, 2, b.u32(list_at)),
            (DNG_VERSION, 1, 4, [1, 4, 0, 0]),
        ]);
        b.set_ifd0(ifd0);
        b.out
    }

    #[test]
    fn dng_main_image_is_the_full_resolution_sub_ifd() {
        for little in [true, false] {
            let data = dng(little);
            let t = Tiff::new(&data).unwrap();
            assert!(t.is_dng());
            assert_eq!(t.main_image_size(), Some((3516, 2328)));
        }
    }

    #[test]
    fn plain_tiff_uses_ifd0() {
        let mut b = Builder::new(false);
        let ifd0 = b.ifd(&[
            (IMAGE_WIDTH, 3, 1, b.short(1600)),
            (IMAGE_LENGTH, 4, 1, b.u32(1300)),
        ]);
        b.set_ifd0(ifd0);
        let t = Tiff::new(&b.out).unwrap();
        assert!(!t.is_dng());
        assert_eq!(t.main_image_size(), Some((1600, 1300)));
    }

    #[test]
    fn broken_offsets_give_none_not_panics() {
        let data = dng(true);
        for cut in 0..data.len() {
            if let Some(t) = Tiff::new(&data[..cut]) {
                let _ = (t.is_dng(), t.main_image_size());
            }
        }
        assert!(Tiff::new(b"II*").is_none());
        assert!(Tiff::new(b"MM\0+").is_none());
        let mut huge = b"II*\0".to_vec();
        huge.extend(u32::MAX.to_le_bytes());
        assert_eq!(Tiff::new(&huge).unwrap().main_image_size(), None);
    }
}
