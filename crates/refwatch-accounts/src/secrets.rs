//! Passwords, recovery codes and session tokens.

use std::fmt;

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// A password, zeroed on drop, never printed.
#[derive(Clone)]
pub struct Password(Zeroizing<String>);

impl Password {
    /// Wraps a password.
    pub fn new(text: String) -> Self {
        Self(Zeroizing::new(text))
    }

    /// The text, for showing it once to the person who must receive it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A session token as given to the user, never stored; only its hash is.
#[derive(Clone)]
pub struct SessionToken(Zeroizing<String>);

impl SessionToken {
    /// Wraps a token received from a user.
    pub fn new(text: String) -> Self {
        Self(Zeroizing::new(text))
    }

    /// A new random token (256 bits).
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        // Without a random source nothing is safe; this aborts rather than issue weak tokens.
        getrandom::fill(&mut bytes).expect("the operating system's random source is available");
        Self(Zeroizing::new(hex::encode(bytes)))
    }

    /// The token, to hand to the user.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

/// The stored form of a token or recovery code: SHA-256, hex. Tokens carry
/// 256 bits of randomness, so a fast hash is enough.
pub fn hash_token(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// argon2id hash of a password, in PHC form.
pub fn hash_password(password: &Password) -> String {
    // Hashing with the default parameters and a fresh salt does not fail.
    Argon2::default()
        .hash_password(password.expose().as_bytes())
        .expect("argon2id hashing")
        .to_string()
}

/// Whether `password` matches a stored PHC hash.
pub fn verify_password(password: &Password, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(hash) => Argon2::default()
            .verify_password(password.expose().as_bytes(), &hash)
            .is_ok(),
        Err(_) => false,
    }
}

/// Letters that are not easily confused when read aloud or copied by hand.
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

fn random_chars(n: usize) -> String {
    let mut out = String::with_capacity(n);
    while out.len() < n {
        let mut b = [0u8; 1];
        getrandom::fill(&mut b).expect("the operating system's random source is available");
        // Rejection sampling keeps every letter equally likely.
        let limit = 256 - 256 % ALPHABET.len();
        if (b[0] as usize) < limit {
            out.push(ALPHABET[b[0] as usize % ALPHABET.len()] as char);
        }
    }
    out
}

/// A one-time password: four groups of five letters (about 99 bits).
pub fn generate_password() -> Password {
    let groups: Vec<String> = (0..4).map(|_| random_chars(5)).collect();
    Password::new(groups.join("-"))
}

/// Ten recovery codes of two groups of five letters.
pub fn generate_recovery_codes() -> Vec<Password> {
    (0..10)
        .map(|_| Password::new(format!("{}-{}", random_chars(5), random_chars(5))))
        .collect()
}
