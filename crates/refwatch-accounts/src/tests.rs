use refwatch_domain::Timestamp;

use super::*;

#[test]
fn totp_matches_the_rfc_6238_test_vectors() {
    // RFC 6238, appendix B, SHA-1 seed "12345678901234567890" (8 digits there; the last 6 here).
    let seed = b"12345678901234567890";
    for (t, code) in [
        (59, 287_082),
        (1_111_111_109, 81_804),
        (1_111_111_111, 50_471),
        (1_234_567_890, 5_924),
        (2_000_000_000, 279_037),
    ] {
        assert_eq!(totp_code(seed, Timestamp(t)), code, "t = {t}");
    }
    assert_eq!(verify_totp(seed, "287082", Timestamp(59), None), Some(1));
    assert_eq!(
        verify_totp(seed, "287082", Timestamp(59), Some(1)),
        None,
        "a used code is refused"
    );
    assert!(
        verify_totp(seed, "287082", Timestamp(75), None).is_some(),
        "one step of drift is allowed"
    );
    assert!(verify_totp(seed, "287082", Timestamp(200), None).is_none());
    assert!(verify_totp(seed, "28708", Timestamp(59), None).is_none());
    assert!(verify_totp(seed, "abcdef", Timestamp(59), None).is_none());
}

#[test]
fn base32_matches_rfc_4648() {
    assert_eq!(base32(b""), "");
    assert_eq!(base32(b"f"), "MY");
    assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
}

#[test]
fn back_off_grows_and_locks_without_real_time() {
    let t0 = Timestamp(1_000_000);
    let mut state = Lockout::default();
    let mut waits = Vec::new();
    for i in 0..10 {
        let now = t0.plus_seconds(i * 10_000);
        assert!(
            matches!(state.gate(now), SignInGate::Open),
            "attempt {i} should be considered"
        );
        state = state.after_failure(now);
        waits.push(state.until.map(|u| u.0 - now.0));
    }
    assert_eq!(
        waits,
        vec![
            None,
            None,
            Some(1),
            Some(2),
            Some(4),
            Some(8),
            Some(16),
            Some(32),
            Some(64),
            Some(3600)
        ]
    );
    let locked_at = t0.plus_seconds(9 * 10_000);
    assert!(matches!(
        state.gate(locked_at.plus_seconds(3599)),
        SignInGate::Locked(_)
    ));
    assert_eq!(state.gate(locked_at.plus_seconds(3600)), SignInGate::Open);
    // Back-off is capped at five minutes.
    let capped = Lockout {
        failures: 8,
        until: None,
    }
    .after_failure(t0);
    assert_eq!(capped.until, Some(t0.plus_seconds(64)));
    let capped = Lockout {
        failures: 30,
        until: None,
    }
    .after_failure(t0);
    assert_eq!(capped.until, Some(t0.plus_seconds(3600)));
    assert!(matches!(
        Lockout {
            failures: 4,
            until: Some(t0.plus_seconds(5))
        }
        .gate(t0),
        SignInGate::Wait(_)
    ));
}

#[test]
fn passwords_hash_and_verify() {
    let p = generate_password();
    assert_eq!(p.expose().len(), 23);
    let hash = hash_password(&p);
    assert!(hash.starts_with("$argon2id$"));
    assert!(verify_password(&p, &hash));
    assert!(!verify_password(
        &Password::new("wrong password!".into()),
        &hash
    ));
    assert!(!verify_password(&p, "not a hash"));
    assert_eq!(format!("{p:?}"), "Password(<redacted>)");
}

#[test]
fn new_passwords_and_usernames_are_checked() {
    assert!(check_new_password(&Password::new("short".into())).is_err());
    assert!(check_new_password(&Password::new("correct horse battery".into())).is_ok());
    assert!(check_username("kim.documenter").is_ok());
    assert!(check_username("").is_err());
    assert!(check_username("김").is_err());
    assert!(check_username("a b").is_err());
}

#[test]
fn tokens_are_random_and_stored_hashed() {
    let a = SessionToken::generate();
    let b = SessionToken::generate();
    assert_ne!(a.expose(), b.expose());
    assert_eq!(a.expose().len(), 64);
    assert_ne!(hash_token(a.expose()), a.expose());
    assert_eq!(format!("{a:?}"), "SessionToken(<redacted>)");
}
