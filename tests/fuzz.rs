//! A bounded fuzz loop run by `cargo test`: random and mutated inputs (seeded from the
//! committed corpus in tests/fuzz_corpus and the fixtures) through the sanitiser, the
//! operation_detail parser, the format sniffer and every importer. Nothing may panic, the
//! sanitiser's output must be inert, and a bad input must be an error or a reject, never a
//! crash. `ZOOMLENS_FUZZ_ITERS` raises the count for a longer run.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::PathBuf;
use zoomlens::output::{is_hostile, sanitize, visible};

fn iters(default: usize) -> usize {
    std::env::var("ZOOMLENS_FUZZ_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn corpus() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for dir in ["tests/fuzz_corpus", "tests/fixtures"] {
        let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir);
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        paths.sort();
        for p in paths {
            out.push(std::fs::read(p).unwrap());
        }
    }
    out
}

/// A character from the ranges that matter: ASCII, controls, C1, bidi and zero-width
/// controls, tags, fillers, surrogates' neighbours, emoji, CJK.
fn any_char(rng: &mut ChaCha8Rng) -> char {
    let ranges: [(u32, u32); 10] = [
        (0x20, 0x7e),
        (0x00, 0x1f),
        (0x7f, 0x9f),
        (0x200b, 0x206f),
        (0xfe00, 0xfeff),
        (0xe0000, 0xe007f),
        (0x3164, 0x3164),
        (0x1f600, 0x1f64f),
        (0x4e00, 0x4fff),
        (0xa0, 0x2ff),
    ];
    let (a, b) = ranges[rng.random_range(0..ranges.len())];
    char::from_u32(rng.random_range(a..=b)).unwrap_or('x')
}

fn any_string(rng: &mut ChaCha8Rng, max: usize) -> String {
    let n = rng.random_range(0..max);
    (0..n).map(|_| any_char(rng)).collect()
}

fn mutate(rng: &mut ChaCha8Rng, seed: &[u8]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for _ in 0..rng.random_range(1..8) {
        match rng.random_range(0..5) {
            0 if !b.is_empty() => {
                let i = rng.random_range(0..b.len());
                b[i] = rng.random();
            }
            1 if !b.is_empty() => {
                let i = rng.random_range(0..b.len());
                let j = (i + rng.random_range(0..64)).min(b.len());
                b.drain(i..j);
            }
            2 => {
                let i = rng.random_range(0..=b.len());
                let s = any_string(rng, 12);
                b.splice(i..i, s.into_bytes());
            }
            3 if !b.is_empty() => {
                let i = rng.random_range(0..b.len());
                let j = (i + rng.random_range(0..200)).min(b.len());
                let chunk = b[i..j].to_vec();
                b.splice(i..i, chunk);
            }
            _ => {
                let i = rng.random_range(0..=b.len());
                b.truncate(i);
            }
        }
    }
    b
}

#[test]
fn sanitiser_output_is_always_inert_and_keeps_ordinary_text() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for _ in 0..iters(20_000) {
        let s = any_string(&mut rng, 40);
        let out = sanitize(&s);
        assert!(!out.chars().any(is_hostile), "{s:?} -> {out:?}");
        assert!(!visible(&s).chars().any(is_hostile));
        // Text without hostile characters passes unchanged.
        if !s.chars().any(is_hostile) {
            assert_eq!(out, s);
        }
        // Escapes are visible, so sanitising twice changes nothing more.
        assert_eq!(sanitize(&out), out);
        // JSON stays faithful.
        let line = zoomlens::output::json_line(&serde_json::json!({ "v": s })).unwrap();
        assert!(!line.chars().any(is_hostile));
        let back: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(back["v"], s.as_str());
    }
}

#[test]
fn operation_detail_parser_never_panics() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let seeds = [
        "Security  - Waiting Room: from On to Off - Sign in with Two-Factor Authentication: from On to Off",
        "Group - Sales - EMEA: Members: from a to b",
        "Update User a@x.com - Role: from Member to Admin",
    ];
    for _ in 0..iters(20_000) {
        let seed = seeds[rng.random_range(0..seeds.len())];
        let detail = String::from_utf8_lossy(&mutate(&mut rng, seed.as_bytes())).into_owned();
        let _ = zoomlens::model::opdetail::parse("Account", "Update", &detail);
        let _ = zoomlens::model::opdetail::parse(&any_string(&mut rng, 8), "", &detail);
    }
}

#[test]
fn sniffer_and_importers_never_panic_and_lose_nothing_silently() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let seeds = corpus();
    let dir = tempfile::tempdir().unwrap();
    let mut store = zoomlens::store::Store::open(&dir.path().join("f.zl")).unwrap();
    for i in 0..iters(300) {
        let seed = &seeds[rng.random_range(0..seeds.len())];
        let bytes = mutate(&mut rng, seed);
        let ext = ["ndjson", "json", "csv"][i % 3];
        let p = dir.path().join(format!("in{i}.{ext}"));
        std::fs::write(&p, &bytes).unwrap();
        let _ = zoomlens::ingest::sniff::sniff(&p);
        // An unknown format is an error; a known one imports with rejects counted.
        let opts = zoomlens::ingest::ImportOptions {
            meeting: Some("M1==".into()),
            ..Default::default()
        };
        let _ = zoomlens::ingest::import_paths(&mut store, std::slice::from_ref(&p), &opts);
        std::fs::remove_file(&p).unwrap();
    }
    // The case is still sound after all of it.
    let ok: String = store
        .conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}
