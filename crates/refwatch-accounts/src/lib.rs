//! Accounts: passwords, sign-in back-off, second factors
//! (TOTP with recovery codes) and session tokens.
//!
//! No I/O and no clock: the time is always passed in, so back-off and
//! expiry are tested without waiting. Storage of accounts is the storage
//! crate's; the protected core (`refwatch-service`) combines them.
//! Secrets (passwords, tokens, TOTP seeds) are zeroed when dropped and never
//! printed by `Debug`.

#![deny(missing_docs)]

mod lockout;
mod secrets;
mod throttle;
mod totp;

pub use lockout::Lockout;
pub use secrets::{
    Password, SessionToken, generate_password, generate_recovery_codes, hash_password, hash_token,
    verify_password,
};
pub use throttle::{Gate, Throttle};
pub use totp::{TotpSecret, base32, totp_code, verify_totp};

use refwatch_domain::{AccountId, SealedIdentity, Timestamp};
use refwatch_policy::Role;

/// How long a session lasts.
pub const SESSION_SECONDS: i64 = 12 * 3600;

/// A stored account. Holds no secret in the clear: the password is an
/// argon2id hash and the TOTP seed is sealed with the data key.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    /// Its id.
    pub id: AccountId,
    /// The sign-in name.
    pub username: String,
    /// The role.
    pub role: Role,
    /// argon2id hash in PHC form.
    pub password_hash: String,
    /// Whether the password was set by someone else and must be changed.
    pub must_change: bool,
    /// Whether the account may sign in.
    pub disabled: bool,
    /// Sign-in failures since the last success.
    pub lockout: Lockout,
    /// The TOTP seed, sealed, when a second factor is enabled.
    pub totp: Option<SealedIdentity>,
    /// The time step of the last TOTP code accepted, so that no code works twice.
    pub totp_last_step: Option<i64>,
    /// When it was created.
    pub created_at: Timestamp,
}

/// A stored session: the token's hash, never the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// Whose.
    pub account: AccountId,
    /// Started.
    pub created_at: Timestamp,
    /// Ends.
    pub expires_at: Timestamp,
    /// Revoked, if it was.
    pub revoked_at: Option<Timestamp>,
}

impl Session {
    /// Whether the session may be used at `now`.
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

/// Checks a new password: long enough, not just spaces.
pub fn check_new_password(password: &Password) -> Result<(), &'static str> {
    let text = password.expose();
    if text.chars().count() < 12 {
        return Err("a password needs at least 12 characters; a few words make a good one");
    }
    if text.trim().is_empty() {
        return Err("a password cannot be only spaces");
    }
    Ok(())
}

/// Checks a username: 1 to 64 letters, digits, '.', '-', '_'.
pub fn check_username(name: &str) -> Result<(), &'static str> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(())
    } else {
        Err("a username is 1 to 64 letters, digits, '.', '-' or '_'")
    }
}

#[cfg(test)]
mod tests;
