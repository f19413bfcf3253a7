use refwatch_domain::{PersonId, PersonIdentity};

use super::*;

fn identity() -> PersonIdentity {
    let mut i = PersonIdentity::default();
    i.name_hangul = Some("가나다".into());
    i.name_romanized = Some("Ga Nada".into());
    i.family_contacts = Some("generated contact".into());
    i
}

fn key_source() -> KekSource {
    KekSource::KeyFile(KeyMaterial::random().unwrap())
}

#[test]
fn identities_round_trip_and_are_bound_to_their_person() {
    let (_ring, keys) = Keyring::create(&key_source()).unwrap();
    let person = PersonId::random();
    let sealed = keys.seal_identity(person, &identity()).unwrap();
    assert_eq!(keys.open_identity(person, &sealed).unwrap(), identity());
    // Moved to another person: refused.
    assert!(matches!(
        keys.open_identity(PersonId::random(), &sealed),
        Err(KeyError::Corrupted)
    ));
    // A flipped bit: refused.
    let mut bad = sealed.clone();
    bad.ciphertext[3] ^= 1;
    assert!(matches!(
        keys.open_identity(person, &bad),
        Err(KeyError::Corrupted)
    ));
    // The plaintext is not in the ciphertext.
    let text = String::from_utf8_lossy(&sealed.ciphertext);
    assert!(!text.contains("Ga Nada") && !text.contains("가나다"));
}

#[test]
fn wrong_key_or_passphrase_opens_nothing() {
    let source = KekSource::Passphrase(Passphrase::new("correct horse".into()));
    let (ring, _) = Keyring::create(&source).unwrap();
    assert!(ring.unlock(&source).is_ok());
    let wrong = KekSource::Passphrase(Passphrase::new("wrong horse".into()));
    assert!(matches!(ring.unlock(&wrong), Err(KeyError::WrongKey)));
    assert!(matches!(
        ring.unlock(&key_source()),
        Err(KeyError::WrongKey)
    ));
}

#[test]
fn rewrapping_keeps_the_data_key_and_drops_the_old_kek() {
    let old = key_source();
    let (ring, keys) = Keyring::create(&old).unwrap();
    let person = PersonId::random();
    let sealed = keys.seal_identity(person, &identity()).unwrap();
    let new = KekSource::Passphrase(Passphrase::new("new passphrase".into()));
    let ring2 = ring.rewrap(&keys, &new).unwrap();
    assert!(matches!(ring2.unlock(&old), Err(KeyError::WrongKey)));
    let keys2 = ring2.unlock(&new).unwrap();
    assert_eq!(keys2.open_identity(person, &sealed).unwrap(), identity());
}

#[test]
fn a_new_data_key_seals_new_values_and_old_ones_still_open_until_retired() {
    let source = key_source();
    let (ring, mut keys) = Keyring::create(&source).unwrap();
    let person = PersonId::random();
    let old = keys.seal_identity(person, &identity()).unwrap();
    let ring = ring.add_data_key(&mut keys, &source).unwrap();
    let new = keys.seal_identity(person, &identity()).unwrap();
    assert_eq!((old.key_version, new.key_version), (1, 2));
    let unlocked = ring.unlock(&source).unwrap();
    assert_eq!(unlocked.open_identity(person, &old).unwrap(), identity());
    let ring = ring.retire_data_keys_before(&mut keys, 2);
    let unlocked = ring.unlock(&source).unwrap();
    assert!(matches!(
        unlocked.open_identity(person, &old),
        Err(KeyError::UnknownKeyVersion(1))
    ));
    assert_eq!(unlocked.open_identity(person, &new).unwrap(), identity());
}

#[test]
fn key_files_are_created_once_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.key");
    let written = create_key_file(&path).unwrap();
    assert!(
        create_key_file(&path).is_err(),
        "must not overwrite a key file"
    );
    let read = read_key_file(&path).unwrap();
    assert_eq!(written.0, read.0);
    std::fs::write(&path, "not a key").unwrap();
    let err = read_key_file(&path).unwrap_err().to_string();
    assert!(err.contains("does not hold a refwatch key"), "{err}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let p2 = dir.path().join("k2.key");
        create_key_file(&p2).unwrap();
        assert_eq!(
            std::fs::metadata(&p2).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

#[test]
fn debug_output_never_shows_key_material() {
    let (ring, keys) = Keyring::create(&key_source()).unwrap();
    let shown = format!(
        "{ring:?} {keys:?} {:?}",
        Passphrase::new("secret words".into())
    );
    assert!(!shown.contains("secret words"));
    for w in &ring.keys {
        assert!(!shown.contains(&hex::encode(&w.ciphertext)));
    }
}
