//! Opening an input: a file, `-` (standard input), a FIFO or a process substitution
//! (`<(zcat x.gz)`), read once as a stream.
//!
//! Compression is recognised by its magic bytes, whatever the name: gzip (`1f 8b`, several
//! members allowed, as `cat a.gz b.gz` makes) and zstd (`28 b5 2f fd`, several frames allowed).
//! Both decoders are pure Rust (miniz_oxide through flate2, and ruzstd): the build needs no C
//! zlib or libzstd, and decompressing is never the slow part of an import (SQLite is).
//!
//! Text is UTF-8 when it arrives here: a UTF-8 byte-order mark is dropped, and UTF-16 (a
//! little- or big-endian mark, or the tell-tale zero bytes of UTF-16 ASCII without one, as
//! spreadsheet "Unicode text" exports have) is transcoded as it streams.

use anyhow::{Context, Result};
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

/// The name `-` stands for standard input, and its provenance is `stdin`.
pub const STDIN_NAME: &str = "-";
pub const STDIN_SOURCE: &str = "stdin";

/// The largest single record (an NDJSON line, an array element, a CSV record) or document
/// read: a bigger one is a reject instead of a memory blow-up.
pub const MAX_RECORD: usize = 64 << 20;

/// How the bytes of an input were wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub enum Wrapping {
    #[default]
    Plain,
    Gzip,
    Zstd,
}

/// The text encoding found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    #[default]
    Utf8,
    Utf16Le,
    Utf16Be,
}

/// An opened input: its provenance and a reader of its UTF-8 text.
pub struct Input {
    /// What provenance names: the absolute path, or `stdin`.
    pub source: String,
    /// True for a regular file (it can be opened again); false for stdin, pipes, FIFOs.
    pub reopenable: bool,
    pub wrapping: Wrapping,
    pub encoding: Encoding,
    pub reader: Box<dyn BufRead + Send>,
}

impl Input {
    /// `"NDJSON"` becomes `"NDJSON, gzip"` and so on, for summaries.
    pub fn describe(&self, format: &str) -> String {
        let mut parts = vec![format.to_string()];
        match self.wrapping {
            Wrapping::Plain => {}
            Wrapping::Gzip => parts.push("gzip".into()),
            Wrapping::Zstd => parts.push("zstd".into()),
        }
        match self.encoding {
            Encoding::Utf8 => {}
            Encoding::Utf16Le => parts.push("UTF-16LE".into()),
            Encoding::Utf16Be => parts.push("UTF-16BE".into()),
        }
        parts.join(", ")
    }
}

/// The provenance of a path: `stdin` for `-`, else the absolute path when it has one (a
/// process substitution's `/dev/fd/63` keeps its name).
pub fn source_of(path: &Path) -> String {
    if path.as_os_str() == STDIN_NAME {
        return STDIN_SOURCE.to_string();
    }
    std::fs::canonicalize(path)
        .ok()
        .filter(|p| p.is_file())
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

/// Open an input for reading once.
pub fn open(path: &Path) -> Result<Input> {
    let source = source_of(path);
    let (raw, reopenable): (Box<dyn Read + Send>, bool) = if path.as_os_str() == STDIN_NAME {
        (Box::new(io::stdin()), false)
    } else {
        let f = std::fs::File::open(path).with_context(|| format!("cannot open {source}"))?;
        let regular = f.metadata().map(|m| m.is_file()).unwrap_or(false);
        (Box::new(f), regular)
    };
    let (head, raw) = peek(raw, 4)?;
    let (wrapping, plain): (Wrapping, Box<dyn Read + Send>) = match head.as_slice() {
        [0x1f, 0x8b, ..] => (
            Wrapping::Gzip,
            Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(raw))),
        ),
        [0x28, 0xb5, 0x2f, 0xfd] => (Wrapping::Zstd, Box::new(ZstdFrames::new(raw))),
        _ => (Wrapping::Plain, raw),
    };
    let (head, plain) = peek(plain, 4)?;
    let (encoding, text, skip): (Encoding, Box<dyn Read + Send>, usize) = match head.as_slice() {
        [0xef, 0xbb, 0xbf, ..] => (Encoding::Utf8, plain, 3),
        [0xff, 0xfe, ..] => (Encoding::Utf16Le, Box::new(Utf16::new(plain, true, 2)), 0),
        [0xfe, 0xff, ..] => (Encoding::Utf16Be, Box::new(Utf16::new(plain, false, 2)), 0),
        // UTF-16 ASCII without a mark: every other byte is zero.
        [a, 0, b, 0] if *a != 0 && *b != 0 => {
            (Encoding::Utf16Le, Box::new(Utf16::new(plain, true, 0)), 0)
        }
        [0, a, 0, b] if *a != 0 && *b != 0 => {
            (Encoding::Utf16Be, Box::new(Utf16::new(plain, false, 0)), 0)
        }
        _ => (Encoding::Utf8, plain, 0),
    };
    let mut reader: Box<dyn BufRead + Send> = Box::new(BufReader::with_capacity(1 << 20, text));
    if skip > 0 {
        reader.consume(skip);
    }
    Ok(Input {
        source,
        reopenable,
        wrapping,
        encoding,
        reader,
    })
}

/// Up to `n` first bytes of `r`, and a reader that still yields them.
fn peek(mut r: Box<dyn Read + Send>, n: usize) -> io::Result<(Vec<u8>, Box<dyn Read + Send>)> {
    let mut head = vec![0u8; n];
    let mut got = 0;
    while got < n {
        match r.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(k) => got += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    head.truncate(got);
    let again = io::Cursor::new(head.clone()).chain(r);
    Ok((head, Box::new(again)))
}

/// Read one line (through `\n`) into `buf`, keeping at most `cap` bytes of it. Returns the
/// bytes the line really had (0 at the end of input); when that exceeds `cap`, the rest of
/// the line was read and dropped (memory stays bounded).
pub fn read_line_capped(r: &mut dyn BufRead, buf: &mut Vec<u8>, cap: usize) -> io::Result<usize> {
    buf.clear();
    let mut total = 0usize;
    loop {
        let chunk = match r.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(total);
        }
        let (take, done) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let room = cap.saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..take.min(room)]);
        total += take;
        r.consume(take);
        if done {
            return Ok(total);
        }
    }
}

/// A reject's kept text for a record too large to store: its start, and what it was.
pub fn oversize_excerpt(bytes: &[u8]) -> String {
    let head = &bytes[..bytes.len().min(4096)];
    String::from_utf8_lossy(head).into_owned()
}

/// Several zstd frames one after another (what `zstd` writes for concatenated inputs).
struct ZstdFrames {
    src: Option<BufReader<Box<dyn Read + Send>>>,
    dec: Option<
        ruzstd::decoding::StreamingDecoder<
            BufReader<Box<dyn Read + Send>>,
            ruzstd::decoding::FrameDecoder,
        >,
    >,
}

impl ZstdFrames {
    fn new(r: Box<dyn Read + Send>) -> Self {
        ZstdFrames {
            src: Some(BufReader::new(r)),
            dec: None,
        }
    }
}

impl Read for ZstdFrames {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some(d) = self.dec.as_mut() {
                let n = d.read(buf)?;
                if n > 0 || buf.is_empty() {
                    return Ok(n);
                }
                let (src, _) = self.dec.take().expect("decoder").into_parts();
                self.src = Some(src);
            }
            let Some(mut src) = self.src.take() else {
                return Ok(0);
            };
            if src.fill_buf()?.is_empty() {
                return Ok(0);
            }
            let d = ruzstd::decoding::StreamingDecoder::new(src)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("zstd: {e}")))?;
            self.dec = Some(d);
        }
    }
}

/// UTF-16 to UTF-8, streaming; unpaired surrogates become U+FFFD.
struct Utf16 {
    r: BufReader<Box<dyn Read + Send>>,
    le: bool,
    /// Bytes of a mark still to drop.
    skip: usize,
    out: Vec<u8>,
    pos: usize,
    high: Option<u16>,
}

impl Utf16 {
    fn new(r: Box<dyn Read + Send>, le: bool, skip: usize) -> Self {
        Utf16 {
            r: BufReader::with_capacity(1 << 16, r),
            le,
            skip,
            out: Vec::new(),
            pos: 0,
            high: None,
        }
    }

    fn push(&mut self, c: char) {
        let mut b = [0u8; 4];
        self.out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
    }

    /// Decode the next chunk into `out`; false at the end of input.
    fn refill(&mut self) -> io::Result<bool> {
        self.out.clear();
        self.pos = 0;
        while self.out.is_empty() {
            // Whole code units from the buffer; a lone last byte is completed from the next read.
            let mut owned: Vec<u8> = {
                let chunk = self.r.fill_buf()?;
                let n = if chunk.len() == 1 {
                    1
                } else {
                    chunk.len() & !1
                };
                chunk[..n].to_vec()
            };
            self.r.consume(owned.len());
            if owned.is_empty() {
                if self.high.take().is_some() {
                    self.push(char::REPLACEMENT_CHARACTER);
                    return Ok(true);
                }
                return Ok(false);
            }
            if owned.len() == 1 {
                let next = self.r.fill_buf()?.first().copied();
                match next {
                    Some(b) => {
                        self.r.consume(1);
                        owned.push(b);
                    }
                    None => {
                        self.high = None;
                        self.push(char::REPLACEMENT_CHARACTER);
                        return Ok(true);
                    }
                }
            }
            for pair in owned.chunks_exact(2) {
                if self.skip > 0 {
                    self.skip -= 2;
                    continue;
                }
                let u = if self.le {
                    u16::from_le_bytes([pair[0], pair[1]])
                } else {
                    u16::from_be_bytes([pair[0], pair[1]])
                };
                match (self.high.take(), u) {
                    (None, 0xD800..=0xDBFF) => self.high = Some(u),
                    (Some(h), 0xDC00..=0xDFFF) => {
                        let c = 0x10000 + ((u32::from(h) - 0xD800) << 10) + (u32::from(u) - 0xDC00);
                        self.push(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
                    }
                    (prev, u) => {
                        if prev.is_some() {
                            self.push(char::REPLACEMENT_CHARACTER);
                        }
                        if (0xD800..=0xDBFF).contains(&u) {
                            self.high = Some(u);
                        } else {
                            self.push(
                                char::from_u32(u32::from(u)).unwrap_or(char::REPLACEMENT_CHARACTER),
                            );
                        }
                    }
                }
            }
        }
        Ok(true)
    }
}

impl Read for Utf16 {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.out.len() && !self.refill()? {
            return Ok(0);
        }
        let n = buf.len().min(self.out.len() - self.pos);
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8], le: bool, skip: usize) -> String {
        let mut s = String::new();
        Utf16::new(Box::new(io::Cursor::new(bytes.to_vec())), le, skip)
            .read_to_string(&mut s)
            .unwrap();
        s
    }

    #[test]
    fn utf16_streams_to_utf8_with_pairs_and_lone_surrogates() {
        let text = "email,name\r\nzoë@x.com,🦀\n";
        let le: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&le, true, 2), text);
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode(&be, false, 0), text);
        // A lone high surrogate, and an odd trailing byte.
        assert_eq!(
            decode(&[0x00, 0xd8, 0x41, 0x00, 0x42], true, 0),
            "\u{fffd}A\u{fffd}"
        );
    }

    #[test]
    fn long_lines_are_read_whole_but_kept_only_up_to_the_cap() {
        let mut r = io::Cursor::new(b"abcdefgh\nxy\n".to_vec());
        let mut buf = Vec::new();
        assert_eq!(read_line_capped(&mut r, &mut buf, 4).unwrap(), 9);
        assert_eq!(buf, b"abcd");
        assert_eq!(read_line_capped(&mut r, &mut buf, 4).unwrap(), 3);
        assert_eq!(buf, b"xy\n");
        assert_eq!(read_line_capped(&mut r, &mut buf, 4).unwrap(), 0);
    }
}
