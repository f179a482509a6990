//! Test photos with known EXIF: small JPEG files whose APP1 segment carries GPS position and
//! DateTimeOriginal (with or without OffsetTimeOriginal), written byte by byte after the TIFF 6.0
//! and EXIF 2.32 layouts (big-endian IFDs; tags 0x8769, 0x8825, 0x9003, 0x9011, GPS 1–4).

/// What a test photo's EXIF says.
#[derive(Debug, Clone, PartialEq)]
pub struct PhotoExif {
    /// Degrees, east positive.
    pub lon: f64,
    /// Degrees, north positive.
    pub lat: f64,
    /// `YYYY:MM:DD HH:MM:SS`, local time of the camera.
    pub taken: String,
    /// `+HH:MM`: the camera's UTC offset, when it wrote one.
    pub offset: Option<String>,
}

const ASCII: u16 = 2;
const LONG: u16 = 4;
const RATIONAL: u16 = 5;

struct Entry {
    tag: u16,
    kind: u16,
    count: u32,
    /// Inline value (≤ 4 bytes) or data placed after the IFDs.
    data: Vec<u8>,
}

fn ascii(tag: u16, text: &str) -> Entry {
    let mut data = text.as_bytes().to_vec();
    data.push(0);
    Entry { tag, kind: ASCII, count: data.len() as u32, data }
}

fn dms(tag: u16, degrees: f64) -> Entry {
    let d = degrees.abs();
    let (deg, min) = (d.trunc(), (d.fract() * 60.0).trunc());
    let sec = ((d * 3600.0) - deg * 3600.0 - min * 60.0) * 10_000.0;
    let mut data = Vec::new();
    for (num, den) in [(deg as u32, 1u32), (min as u32, 1), (sec.round() as u32, 10_000)] {
        data.extend(num.to_be_bytes());
        data.extend(den.to_be_bytes());
    }
    Entry { tag, kind: RATIONAL, count: 3, data }
}

/// Writes IFDs one after the other from `start`, their long data after all of them; pointer
/// entries (`LONG` with empty data) get the offset of the next IFD in order.
fn tiff(ifds: Vec<Vec<Entry>>) -> Vec<u8> {
    let sizes: Vec<u32> = ifds.iter().map(|e| 2 + 12 * e.len() as u32 + 4).collect();
    let starts: Vec<u32> = sizes.iter().scan(8u32, |at, s| Some(std::mem::replace(at, *at + s))).collect();
    let mut data_at = 8 + sizes.iter().sum::<u32>();
    let (mut out, mut data) = (b"MM\0\x2A\0\0\0\x08".to_vec(), Vec::new());
    let mut next_ifd = 1;
    for entries in &ifds {
        out.extend((entries.len() as u16).to_be_bytes());
        for e in entries {
            out.extend(e.tag.to_be_bytes());
            out.extend(e.kind.to_be_bytes());
            out.extend(e.count.to_be_bytes());
            if e.kind == LONG && e.data.is_empty() {
                out.extend(starts[next_ifd].to_be_bytes());
                next_ifd += 1;
            } else if e.data.len() <= 4 {
                let mut inline = e.data.clone();
                inline.resize(4, 0);
                out.extend(inline);
            } else {
                out.extend(data_at.to_be_bytes());
                let mut bytes = e.data.clone();
                if bytes.len() % 2 == 1 {
                    bytes.push(0);
                }
                data_at += bytes.len() as u32;
                data.extend(bytes);
            }
        }
        out.extend(0u32.to_be_bytes());
    }
    out.extend(data);
    out
}

/// A JPEG of about `filler` bytes with `exif` (or none), different for each `seed`.
pub fn jpeg(exif: Option<&PhotoExif>, filler: usize, seed: u64) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8];
    if let Some(x) = exif {
        let pointer = |tag| Entry { tag, kind: LONG, count: 1, data: Vec::new() };
        let mut exif_ifd = vec![ascii(0x9003, &x.taken)];
        if let Some(offset) = &x.offset {
            exif_ifd.push(ascii(0x9011, offset));
        }
        let gps = vec![
            ascii(0x0001, if x.lat >= 0.0 { "N" } else { "S" }),
            dms(0x0002, x.lat),
            ascii(0x0003, if x.lon >= 0.0 { "E" } else { "W" }),
            dms(0x0004, x.lon),
        ];
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend(tiff(vec![vec![pointer(0x8769), pointer(0x8825)], exif_ifd, gps]));
        out.extend([0xFF, 0xE1]);
        out.extend(((app1.len() + 2) as u16).to_be_bytes());
        out.extend(app1);
    }
    // Comment segments stand in for the image data: any bytes, in pieces under 64 KiB.
    let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    let mut left = filler;
    while left > 0 {
        let n = left.min(60_000);
        out.extend([0xFF, 0xFE]);
        out.extend(((n + 2) as u16).to_be_bytes());
        out.extend((0..n).map(|_| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as u8
        }));
        left -= n;
    }
    out.extend([0xFF, 0xD9]);
    out
}

/// The SHA-256 of `bytes` in lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// An `attachment.added` body naming `bytes` as a JPEG attached to the subject `kind` `id`.
pub fn jpeg_attachment(kind: sync_protocol::body::SubjectKind, id: sync_protocol::ids::EventId, bytes: &[u8]) -> sync_protocol::body::Body {
    use sync_protocol::body::{AttachmentAdded, Body, MediaType, Subject};
    Body::AttachmentAdded(AttachmentAdded {
        subject: Subject { kind, id },
        sha256: sha256_hex(bytes).parse().expect("a SHA-256 in hex is a blob hash"),
        size: bytes.len() as u64,
        media_type: MediaType::Jpeg,
        file_name: None,
        captured_at: None,
        captured_place: None,
    })
}
