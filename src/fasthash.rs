//! Every hash the crate writes itself, all fixed (every run hashes alike,
//! so results stay deterministic):
//!
//! - [`FastMap`] / [`FastSet`]: a fast hash for the short string keys of the
//!   matcher and the synonyms (words);
//! - [`KeyMap`] / [`KeySet`]: for composite keys of many words whose last
//!   words may differ only in their high bits (the symptom-check explorer's
//!   path states);
//! - [`fnv64`], [`fnv64_hex`], [`fnv32_hex`]: FNV-1a of bytes, stable across
//!   builds, for file versions and fingerprints that are stored or compared
//!   across processes; [`fnv_step`] for callers that feed it other units.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A hash map with a fast, fixed (so deterministic) hasher for short keys.
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;
pub(crate) type FastSet<K> = HashSet<K, BuildHasherDefault<FastHasher>>;

/// The multiply-rotate hash used inside rustc ("FxHash"): fast on short
/// keys such as words; not meant to resist crafted collisions, which here
/// could only slow one message's look-ups down.
#[derive(Default)]
pub(crate) struct FastHasher(u64);

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }
    fn write_u8(&mut self, value: u8) {
        self.add(u64::from(value));
    }
    fn write_u32(&mut self, value: u32) {
        self.add(u64::from(value));
    }
    fn write_u64(&mut self, value: u64) {
        self.add(value);
    }
    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }
}

/// FNV-1a's 64-bit offset basis: the hash of nothing.
pub(crate) const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// One 64-bit FNV-1a step: `unit` (a byte, a `char`, a word) into `hash`.
pub(crate) fn fnv_step(hash: u64, unit: u64) -> u64 {
    (hash ^ unit).wrapping_mul(FNV_PRIME)
}

/// 64-bit FNV-1a of `bytes`: stable across builds and runs.
pub(crate) fn fnv64(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(FNV_OFFSET, |hash, &byte| fnv_step(hash, u64::from(byte)))
}

/// 64-bit FNV-1a of `text`, as 16 hex digits.
pub(crate) fn fnv64_hex(text: &str) -> String {
    format!("{:016x}", fnv64(text.as_bytes()))
}

/// 32-bit FNV-1a of `text`, as 8 hex digits (short enough for an id; the
/// Discord adapter's button ids).
#[cfg_attr(not(feature = "discord"), allow(dead_code))]
pub(crate) fn fnv32_hex(text: &str) -> String {
    let hash = text.bytes().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    });
    format!("{hash:08x}")
}

/// A hash map for composite keys of many words (see [`KeyHasher`]).
pub(crate) type KeyMap<K, V> = HashMap<K, V, BuildHasherDefault<KeyHasher>>;
pub(crate) type KeySet<K> = HashSet<K, BuildHasherDefault<KeyHasher>>;

/// FNV-1a by word with splitmix64's finaliser, so every bit of the result
/// depends on every input word. The symptom-check explorer hashes millions
/// of small keys: the standard SipHash (built to resist attackers, which a
/// data file is not) dominated its time, and [`FastHasher`] leaves a last
/// word that differs only in its high bits in the same bucket.
pub(crate) struct KeyHasher(u64);

impl Default for KeyHasher {
    fn default() -> Self {
        KeyHasher(FNV_OFFSET)
    }
}

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
        let mut last = [0u8; 8];
        let rest = chunks.remainder();
        last[..rest.len()].copy_from_slice(rest);
        self.write_u64(u64::from_le_bytes(last) ^ ((rest.len() as u64) << 56));
    }

    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = fnv_step(self.0, n).rotate_left(29);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_the_published_vectors() {
        assert_eq!(fnv64(b""), FNV_OFFSET);
        assert_eq!(fnv64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv64_hex("foobar"), "85944171f73967e8");
        assert_eq!(fnv32_hex(""), "811c9dc5");
        assert_eq!(fnv32_hex("a"), "e40c292c");
        assert_eq!(fnv32_hex("foobar"), "bf9cf968");
    }
}
