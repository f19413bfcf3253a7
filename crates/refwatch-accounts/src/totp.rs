//! Time-based one-time passwords (RFC 6238: HMAC-SHA-1, 30-second steps,
//! six digits), as authenticator apps compute them.

use std::fmt;

use hmac::{Hmac, Mac};
use refwatch_domain::Timestamp;
use sha1::Sha1;
use zeroize::Zeroizing;

const STEP: i64 = 30;
const DIGITS: u32 = 6;

/// A TOTP seed (20 random bytes), zeroed on drop, never printed.
#[derive(Clone)]
pub struct TotpSecret(Zeroizing<Vec<u8>>);

impl TotpSecret {
    /// A new random seed.
    pub fn generate() -> Self {
        let mut bytes = vec![0u8; 20];
        getrandom::fill(&mut bytes).expect("the operating system's random source is available");
        Self(Zeroizing::new(bytes))
    }

    /// Wraps a stored seed.
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// The seed's bytes, for sealing.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// The `otpauth://` address an authenticator app reads (as a QR code or typed in).
    pub fn otpauth_url(&self, account: &str) -> String {
        format!(
            "otpauth://totp/refwatch:{account}?secret={}&issuer=refwatch&algorithm=SHA1&digits={DIGITS}&period={STEP}",
            base32(&self.0)
        )
    }
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(<redacted>)")
    }
}

/// RFC 4648 base32 without padding.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            out.push(ALPHABET[((buffer >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// The code for the step containing `at`.
pub fn totp_code(secret: &[u8], at: Timestamp) -> u32 {
    let counter = at.0.div_euclid(STEP) as u64;
    // HMAC takes keys of any length.
    let mut mac =
        <Hmac<Sha1> as hmac::KeyInit>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let value = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    value % 10u32.pow(DIGITS)
}

/// The time step a code belongs to, if `code` is right at `now`, allowing
/// one step of clock drift either way, and later than `last_used`: a code
/// once accepted is never accepted again.
pub fn verify_totp(
    secret: &[u8],
    code: &str,
    now: Timestamp,
    last_used: Option<i64>,
) -> Option<i64> {
    let given = code.trim().parse::<u32>().ok()?;
    if code.trim().len() != DIGITS as usize {
        return None;
    }
    [-STEP, 0, STEP]
        .iter()
        .map(|d| now.plus_seconds(*d))
        .filter(|t| totp_code(secret, *t) == given)
        .map(|t| t.0.div_euclid(STEP))
        .find(|step| last_used.is_none_or(|last| *step > last))
}
