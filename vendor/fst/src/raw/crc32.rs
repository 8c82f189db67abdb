use crate::raw::crc32_table::TABLE;

/// Provides a simple API to perform a rolling CRC32C checksum.
#[derive(Clone, Copy, Debug)]
pub struct CheckSummer {
    sum: u32,
}

impl CheckSummer {
    /// Create a new checksummer that can compute CRC32C checksums on arbitrary
    /// bytes.
    pub fn new() -> CheckSummer {
        CheckSummer { sum: 0 }
    }

    /// Returns the "masked" CRC32 checksum of the data so far using the
    /// Castagnoli polynomial. This "masked" checksum is the same one used
    /// by the Snappy frame format. Masking is supposed to make the checksum
    /// robust with respect to data that contains the checksum itself.
    pub fn masked(&self) -> u32 {
        let sum = self.sum;
        (sum.wrapping_shr(15) | sum.wrapping_shl(17)).wrapping_add(0xA282EAD8)
    }

    /// Update the current checksum with the checksum for the given bytes.
    pub fn update(&mut self, buf: &[u8]) {
        self.sum = crc32c(self.sum, buf);
    }
}

/// Returns the CRC32 checksum of `buf` using the Castagnoli polynomial.
///
/// Patched for termgate: a byte at a time with one 1 KiB table, instead of slicing by 16 with a
/// 16 KiB table. The checksum is the same; it is computed only when an fst is built, and the 16 KiB
/// table was a tenth of termgate's browser module once compressed.
fn crc32c(prev: u32, buf: &[u8]) -> u32 {
    let mut crc: u32 = !prev;
    for &b in buf {
        crc = TABLE[((crc as u8) ^ b) as usize] ^ (crc >> 8);
    }
    !crc
}
