//! A small ISO base media file format (ISO/IEC 14496-12) box walker over a byte slice, shared by
//! HEIF/AVIF (`meta` item properties) and MP4/QuickTime (`moov`). Every read is bounds-checked:
//! a box that claims more bytes than there are is cut at the end of its parent, never trusted.

/// One box: its four-character type and its payload (after the size/type header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Atom<'a> {
    pub(crate) kind: [u8; 4],
    pub(crate) body: &'a [u8],
    /// True when the header claimed more bytes than the parent holds (the file was cut).
    pub(crate) truncated: bool,
}

/// Iterates the boxes laid end to end in `data`. Stops at the first header that does not fit.
#[derive(Debug, Clone)]
pub(crate) struct Boxes<'a> {
    rest: &'a [u8],
}

/// The boxes laid end to end in `data` (a file, or a container box's payload).
pub(crate) fn boxes(data: &[u8]) -> Boxes<'_> {
    Boxes { rest: data }
}

impl<'a> Iterator for Boxes<'a> {
    type Item = Atom<'a>;

    fn next(&mut self) -> Option<Atom<'a>> {
        let data = self.rest;
        let size32 = be_u32(data, 0)?;
        let kind: [u8; 4] = data.get(4..8)?.try_into().ok()?;
        let (header, size) = match size32 {
            // Size 0: the box runs to the end of its parent.
            0 => (8usize, data.len() as u64),
            1 => (16usize, be_u64(data, 8)?),
            n => (8usize, u64::from(n)),
        };
        if size < header as u64 {
            self.rest = &[];
            return None;
        }
        let end = usize::try_from(size).unwrap_or(usize::MAX);
        let truncated = end > data.len();
        let end = end.min(data.len());
        let body = data.get(header..end)?;
        self.rest = &data[end..];
        Some(Atom {
            kind,
            body,
            truncated,
        })
    }
}

/// The first child box of type `kind` in `data`.
pub(crate) fn find<'a>(data: &'a [u8], kind: &[u8; 4]) -> Option<Atom<'a>> {
    boxes(data).find(|b| &b.kind == kind)
}

/// Follows a path of box types from `data` (`[b"moov", b"mvhd"]`), taking the first match at
/// each level.
pub(crate) fn path<'a>(data: &'a [u8], kinds: &[&[u8; 4]]) -> Option<&'a [u8]> {
    let mut cur = data;
    for kind in kinds {
        cur = find(cur, kind)?.body;
    }
    Some(cur)
}

/// A "full box" payload split into (version, flags, rest).
pub(crate) fn full_box(body: &[u8]) -> Option<(u8, u32, &[u8])> {
    let vf = be_u32(body, 0)?;
    Some(((vf >> 24) as u8, vf & 0x00ff_ffff, body.get(4..)?))
}

/// The children of a `meta` box. ISO files make `meta` a full box (4 bytes of version and
/// flags before the children); QuickTime files do not. Tell them apart by whether the payload
/// starts with a plausible child box header.
pub(crate) fn meta_children(body: &[u8]) -> &[u8] {
    if body.get(4..8).is_some_and(|k| k == b"hdlr") {
        body
    } else {
        body.get(4..).unwrap_or(&[])
    }
}

/// Big-endian u16 at `at`.
pub(crate) fn be_u16(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(
        data.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

/// Big-endian u32 at `at`.
pub(crate) fn be_u32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(
        data.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

/// Big-endian i32 at `at`.
pub(crate) fn be_i32(data: &[u8], at: usize) -> Option<i32> {
    Some(i32::from_be_bytes(
        data.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

/// Big-endian u64 at `at`.
pub(crate) fn be_u64(data: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(
        data.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

/// The pixel size and rotation of a HEIF/AVIF file's primary item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct HeifImage {
    /// `ispe` width and height of the primary item (stored, before `irot`).
    pub(crate) size: Option<(u32, u32)>,
    /// `irot` of the primary item, in degrees clockwise (0, 90, 180, 270).
    pub(crate) rotation: Option<u16>,
}

/// Reads the primary item's `ispe` (image spatial extents) and `irot` from a HEIF file's top
/// level `meta` box. Without `pitm`/`ipma`, falls back to the largest `ispe` in `ipco`.
pub(crate) fn heif_image(file: &[u8]) -> HeifImage {
    let Some(meta) = find(file, b"meta") else {
        return HeifImage::default();
    };
    let children = meta_children(meta.body);
    let primary = find(children, b"pitm").and_then(|b| {
        let (version, _, rest) = full_box(b.body)?;
        if version == 0 {
            be_u16(rest, 0).map(u32::from)
        } else {
            be_u32(rest, 0)
        }
    });
    let Some(iprp) = find(children, b"iprp") else {
        return HeifImage::default();
    };
    // Properties are numbered from 1 in ipco order.
    let props: Vec<Atom<'_>> = find(iprp.body, b"ipco")
        .map(|ipco| boxes(ipco.body).collect())
        .unwrap_or_default();
    let ispe = |b: &Atom<'_>| -> Option<(u32, u32)> {
        let (_, _, rest) = full_box(b.body)?;
        let (w, h) = (be_u32(rest, 0)?, be_u32(rest, 4)?);
        (w > 0 && h > 0).then_some((w, h))
    };
    let irot = |b: &Atom<'_>| -> Option<u16> {
        // Angle in units of 90 degrees anti-clockwise; report it clockwise.
        let angle = u16::from(*b.body.first()? & 3);
        Some((360 - angle * 90) % 360)
    };
    let mut out = HeifImage::default();
    if let (Some(primary), Some(ipma)) = (primary, find(iprp.body, b"ipma")) {
        for index in ipma_properties(ipma.body, primary) {
            let Some(prop) = index.checked_sub(1).and_then(|i| props.get(i)) else {
                continue;
            };
            match &prop.kind {
                b"ispe" if out.size.is_none() => out.size = ispe(prop),
                b"irot" if out.rotation.is_none() => out.rotation = irot(prop),
                _ => {}
            }
        }
    }
    if out.size.is_none() {
        out.size = props
            .iter()
            .filter(|b| &b.kind == b"ispe")
            .filter_map(ispe)
            .max_by_key(|&(w, h)| u64::from(w) * u64::from(h));
    }
    out
}

/// The 1-based `ipco` indexes associated with `item` in an `ipma` box payload.
fn ipma_properties(body: &[u8], item: u32) -> Vec<usize> {
    let Some((version, flags, rest)) = full_box(body) else {
        return Vec::new();
    };
    let Some(count) = be_u32(rest, 0) else {
        return Vec::new();
    };
    let mut at = 4usize;
    for _ in 0..count {
        let id = if version < 1 {
            be_u16(rest, at).map(u32::from)
        } else {
            be_u32(rest, at)
        };
        let Some(id) = id else { break };
        at += if version < 1 { 2 } else { 4 };
        let Some(&n) = rest.get(at) else { break };
        at += 1;
        let wide = flags & 1 == 1;
        let mut indexes = Vec::with_capacity(usize::from(n));
        for _ in 0..n {
            let index = if wide {
                let Some(v) = be_u16(rest, at) else { break };
                at += 2;
                usize::from(v & 0x7fff)
            } else {
                let Some(&v) = rest.get(at) else { break };
                at += 1;
                usize::from(v & 0x7f)
            };
            indexes.push(index);
        }
        if id == item {
            return indexes;
        }
    }
    Vec::new()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A box with a 32-bit size header.
    pub(crate) fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(body);
        v
    }

    /// A full box (version and flags, then `body`).
    pub(crate) fn full(kind: &[u8; 4], version: u8, flags: u32, body: &[u8]) -> Vec<u8> {
        let mut b = ((u32::from(version) << 24) | flags).to_be_bytes().to_vec();
        b.extend_from_slice(body);
        bx(kind, &b)
    }

    #[test]
    fn walks_boxes_and_cuts_oversized_ones() {
        let mut data = bx(b"ftyp", b"heic");
        data.extend(bx(b"free", &[]));
        // Claims 100 bytes, has 4.
        data.extend_from_slice(&100u32.to_be_bytes());
        data.extend_from_slice(b"mdat1234");
        let kinds: Vec<_> = boxes(&data)
            .map(|b| (b.kind, b.body.len(), b.truncated))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (*b"ftyp", 4, false),
                (*b"free", 0, false),
                (*b"mdat", 4, true)
            ]
        );
    }

    #[test]
    fn size_zero_runs_to_end_and_large_size_is_read() {
        let mut data = vec![0, 0, 0, 0];
        data.extend_from_slice(b"mdat");
        data.extend_from_slice(&[1, 2, 3]);
        let b = boxes(&data).next().unwrap();
        assert_eq!(b.body, &[1, 2, 3]);

        let mut data = 1u32.to_be_bytes().to_vec();
        data.extend_from_slice(b"mdat");
        data.extend_from_slice(&19u64.to_be_bytes());
        data.extend_from_slice(&[7, 8, 9]);
        let b = boxes(&data).next().unwrap();
        assert_eq!((b.body, b.truncated), (&[7u8, 8, 9][..], false));
    }

    #[test]
    fn bad_headers_end_the_walk() {
        assert_eq!(boxes(&[0, 0, 0, 3, b'a', b'b', b'c', b'd']).count(), 0);
        assert_eq!(boxes(&[0, 0, 0]).count(), 0);
        // Large size smaller than its header.
        let mut data = 1u32.to_be_bytes().to_vec();
        data.extend_from_slice(b"mdat");
        data.extend_from_slice(&4u64.to_be_bytes());
        assert_eq!(boxes(&data).count(), 0);
    }

    fn heif(ipma_version: u8, ipma_flags: u32, primary: u16, irot: Option<u8>) -> Vec<u8> {
        let mut ipco = Vec::new();
        let mut ispe_small = 160u32.to_be_bytes().to_vec();
        ispe_small.extend(120u32.to_be_bytes());
        ipco.extend(full(b"ispe", 0, 0, &ispe_small)); // 1: thumbnail size
        let mut ispe_big = 4032u32.to_be_bytes().to_vec();
        ispe_big.extend(3024u32.to_be_bytes());
        ipco.extend(full(b"ispe", 0, 0, &ispe_big)); // 2: primary size
        ipco.extend(bx(b"irot", &[irot.unwrap_or(0)])); // 3
        let mut assoc = Vec::new();
        let entries: [(u16, Vec<u16>); 2] = [
            (1, vec![1]),
            (
                primary,
                if irot.is_some() {
                    vec![0x8003, 2]
                } else {
                    vec![2]
                },
            ),
        ];
        assoc.extend(2u32.to_be_bytes());
        for (id, props) in entries {
            if ipma_version == 0 {
                assoc.extend(id.to_be_bytes());
            } else {
                assoc.extend(u32::from(id).to_be_bytes());
            }
            assoc.push(props.len() as u8);
            for p in props {
                if ipma_flags & 1 == 1 {
                    assoc.extend(p.to_be_bytes());
                } else {
                    assoc.push(((p >> 8) as u8 & 0x80) | (p as u8 & 0x7f));
                }
            }
        }
        let mut iprp = bx(b"ipco", &ipco);
        iprp.extend(full(b"ipma", ipma_version, ipma_flags, &assoc));
        let mut meta = full(b"hdlr", 0, 0, &[0; 20]);
        meta.extend(full(b"pitm", 0, 0, &primary.to_be_bytes()));
        meta.extend(bx(b"iprp", &iprp));
        let mut file = bx(b"ftyp", b"heic\0\0\0\0mif1heic");
        file.extend(full(b"meta", 0, 0, &meta));
        file
    }

    #[test]
    fn heif_primary_item_size_and_rotation() {
        for (version, flags) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
            let info = heif_image(&heif(version, flags, 49, Some(3)));
            assert_eq!(
                info.size,
                Some((4032, 3024)),
                "ipma v{version} flags {flags}"
            );
            assert_eq!(info.rotation, Some(90));
            let info = heif_image(&heif(version, flags, 49, None));
            assert_eq!(
                info,
                HeifImage {
                    size: Some((4032, 3024)),
                    rotation: None
                }
            );
        }
    }

    #[test]
    fn heif_without_primary_association_takes_the_largest_extent() {
        let file = heif(0, 0, 49, None);
        // Point pitm at an item that has no associations.
        let at = file.windows(4).position(|w| w == b"pitm").unwrap() + 8;
        let mut file = file;
        file[at..at + 2].copy_from_slice(&7u16.to_be_bytes());
        assert_eq!(heif_image(&file).size, Some((4032, 3024)));
        assert_eq!(heif_image(b"not a heif").size, None);
    }
}
