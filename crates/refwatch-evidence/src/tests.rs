use refwatch_keys::{KekSource, Keyring};

use super::*;

fn keys() -> UnlockedKeys {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key");
    let key = refwatch_keys::create_key_file(&path).unwrap();
    let (_, keys) = Keyring::create(&KekSource::KeyFile(key)).unwrap();
    keys
}

#[tokio::test]
async fn a_file_comes_back_byte_for_byte_and_is_sealed_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let store = EvidenceStore::local(dir.path()).unwrap();
    let keys = keys();
    let bytes = "증언: generated testimony text 0042".as_bytes();
    let h = hash(bytes);
    store.put(&keys, Part::Original, h, bytes).await.unwrap();
    let back = store.get(&keys, Part::Original, h).await.unwrap().unwrap();
    assert_eq!(back.as_slice(), bytes);
    // On disk: one object under a keyed name, no trace of the text or its hash.
    let files: Vec<_> = walk(dir.path());
    assert_eq!(files.len(), 1);
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    assert_ne!(name, h.to_string());
    let raw = std::fs::read(&files[0]).unwrap();
    assert!(!raw.windows(12).any(|w| w == &bytes[..12]));
    assert!(store.get(&keys, Part::Text, h).await.unwrap().is_none());
}

#[tokio::test]
async fn an_object_moved_or_altered_does_not_open() {
    let store = EvidenceStore::in_memory();
    let keys = keys();
    let (a, b) = (b"first file".as_slice(), b"second file".as_slice());
    store.put(&keys, Part::Original, hash(a), a).await.unwrap();
    // The first file's object put in place of the second's.
    let raw = store
        .get_raw(&keys, Part::Original, hash(a))
        .await
        .unwrap()
        .unwrap();
    store
        .put_raw(&keys, Part::Original, hash(b), raw.clone())
        .await
        .unwrap();
    assert!(matches!(
        store.get(&keys, Part::Original, hash(b)).await,
        Err(EvidenceStoreError::Keys(_))
    ));
    let mut flipped = raw;
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    store
        .put_raw(&keys, Part::Original, hash(a), flipped)
        .await
        .unwrap();
    assert!(store.get(&keys, Part::Original, hash(a)).await.is_err());
    store
        .put_raw(&keys, Part::Original, hash(a), b"junk".to_vec())
        .await
        .unwrap();
    assert!(matches!(
        store.get(&keys, Part::Original, hash(a)).await,
        Err(EvidenceStoreError::Damaged(_))
    ));
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
