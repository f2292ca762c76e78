//! The store's two secrets and what is done with them: AES-256-GCM sealing of values (a
//! fresh nonce per value; the key id and the field name as associated data) and HMAC-SHA256
//! blind indexes (the normalize crate's pseudonymizer) for lookups by equality.

use std::io::Write;
use std::path::{Path, PathBuf};

use aes_gcm::aead::{Aead, Generate, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use hmac::{Hmac, Mac};
use sameas_normalize::privacy::Pseudonymizer;
use sha2::Sha256;

use crate::error::{Error, io_error};

/// The environment variable holding the value key (64 hex digits).
pub const STORE_KEY_ENV: &str = "SAMEAS_STORE_KEY";
/// The environment variable holding the blind-index key (64 hex digits).
pub const INDEX_KEY_ENV: &str = "SAMEAS_INDEX_KEY";

/// The format byte that opens every sealed value.
const SEALED_FORMAT: u8 = 1;
/// Bytes of the key id carried in a sealed value.
const KEY_ID_BYTES: usize = 8;
const NONCE_BYTES: usize = 12;

/// The store's secrets: a 256-bit key for sealing values, and a key for blind indexes.
/// Neither appears in `Debug` output.
#[derive(Clone)]
pub struct Keys {
    store: [u8; 32],
    index: [u8; 32],
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("key_id", &self.key_id())
            .finish_non_exhaustive()
    }
}

/// Where a store's keys came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// `SAMEAS_STORE_KEY` and `SAMEAS_INDEX_KEY`.
    Environment,
    /// A key file that already existed.
    File(PathBuf),
    /// A key file created just now (beside the database, unless one was named).
    Created(PathBuf),
}

impl Keys {
    /// Two fresh random keys.
    pub fn generate() -> Keys {
        let store = Key::<Aes256Gcm>::generate();
        let index = Key::<Aes256Gcm>::generate();
        let mut keys = Keys {
            store: [0; 32],
            index: [0; 32],
        };
        keys.store.copy_from_slice(&store);
        keys.index.copy_from_slice(&index);
        keys
    }

    /// A fresh random value key beside this blind-index key: the keys a rotation moves to.
    pub fn with_new_value_key(&self) -> Keys {
        Keys {
            store: Keys::generate().store,
            index: self.index,
        }
    }

    /// Keys from two strings of 64 hex digits.
    ///
    /// # Errors
    /// [`Error::Keys`] when either is not 64 hex digits.
    pub fn from_hex(store: &str, index: &str) -> Result<Keys, Error> {
        Ok(Keys {
            store: parse_hex(store.trim(), "store")?,
            index: parse_hex(index.trim(), "index")?,
        })
    }

    /// Keys from `SAMEAS_STORE_KEY` and `SAMEAS_INDEX_KEY`, or `None` when neither is set.
    ///
    /// # Errors
    /// [`Error::Keys`] when only one is set, or either is malformed.
    pub fn from_env() -> Result<Option<Keys>, Error> {
        match (
            std::env::var(STORE_KEY_ENV).ok(),
            std::env::var(INDEX_KEY_ENV).ok(),
        ) {
            (None, None) => Ok(None),
            (Some(s), Some(i)) => Keys::from_hex(&s, &i).map(Some),
            _ => Err(Error::Keys(format!(
                "set both {STORE_KEY_ENV} and {INDEX_KEY_ENV}, or neither"
            ))),
        }
    }

    /// Keys from a key file (`store = <hex>` and `index = <hex>` lines; `#` comments).
    ///
    /// # Errors
    /// [`Error::Io`] for an unreadable file, [`Error::Keys`] for a malformed one.
    pub fn read_file(path: &Path) -> Result<Keys, Error> {
        let text = std::fs::read_to_string(path).map_err(io_error(path))?;
        let (mut store, mut index) = (None, None);
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match line.split_once('=').map(|(k, v)| (k.trim(), v.trim())) {
                Some(("store", v)) => store = Some(v.to_string()),
                Some(("index", v)) => index = Some(v.to_string()),
                _ => {
                    return Err(Error::Keys(format!(
                        "{}: lines are `store = <64 hex digits>` and `index = <64 hex digits>`",
                        path.display()
                    )));
                }
            }
        }
        match (store, index) {
            (Some(s), Some(i)) => Keys::from_hex(&s, &i),
            _ => Err(Error::Keys(format!(
                "{}: needs both a `store = …` and an `index = …` line",
                path.display()
            ))),
        }
    }

    /// Writes the keys to a new file readable by its owner only (mode 0600 on Unix).
    ///
    /// # Errors
    /// [`Error::Io`], also when the file exists already.
    pub fn write_file(&self, path: &Path) -> Result<(), Error> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(io_error(path))?;
        write!(
            file,
            "# sameas store keys: keep this file secret, and apart from the database's backups\n\
             store = {}\nindex = {}\n",
            hex(&self.store),
            hex(&self.index)
        )
        .and_then(|()| file.sync_all())
        .map_err(io_error(path))
    }

    /// The keys for the database at `db`: from `key_file` when given; else the environment;
    /// else `DB.key` beside the database; else, with `create`, a new `DB.key`.
    ///
    /// # Errors
    /// [`Error::Keys`] when none are found and `create` is false; as the readers.
    pub fn locate(
        db: &Path,
        key_file: Option<&Path>,
        create: bool,
    ) -> Result<(Keys, KeySource), Error> {
        if let Some(path) = key_file {
            let _stray = crate::rotate::settle_pending(db, path)?;
            if !path.exists() && create {
                let keys = Keys::generate();
                keys.write_file(path)?;
                return Ok((keys, KeySource::Created(path.to_path_buf())));
            }
            return Ok((Keys::read_file(path)?, KeySource::File(path.to_path_buf())));
        }
        if let Some(keys) = Keys::from_env()? {
            return Ok((keys, KeySource::Environment));
        }
        let beside = key_file_beside(db);
        let _stray = crate::rotate::settle_pending(db, &beside)?;
        if beside.exists() {
            return Ok((Keys::read_file(&beside)?, KeySource::File(beside)));
        }
        if create {
            let keys = Keys::generate();
            keys.write_file(&beside)?;
            return Ok((keys, KeySource::Created(beside)));
        }
        Err(Error::Keys(format!(
            "no keys: set {STORE_KEY_ENV} and {INDEX_KEY_ENV}, name a key file, or keep \
             `{}` beside the database",
            beside
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
        )))
    }

    /// A short public name of the value key (16 hex digits of an HMAC under it), stored in the
    /// database and in every sealed value, so a wrong key is told apart from altered bytes.
    pub fn key_id(&self) -> String {
        let mut mac =
            <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&self.store).expect("any key length");
        mac.update(b"sameas-store key id");
        hex(&mac.finalize().into_bytes()[..KEY_ID_BYTES])
    }
}

/// `DB.key`: the key file beside a database.
pub fn key_file_beside(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(".key");
    db.with_file_name(name)
}

fn parse_hex(text: &str, what: &str) -> Result<[u8; 32], Error> {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return Err(Error::Keys(format!(
            "the {what} key must be 64 hex digits (32 bytes), not {} characters",
            bytes.len()
        )));
    }
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks(2).enumerate() {
        let digit = |b: u8| (b as char).to_digit(16);
        match (digit(pair[0]), digit(pair[1])) {
            (Some(h), Some(l)) => out[i] = (h * 16 + l) as u8,
            _ => {
                return Err(Error::Keys(format!(
                    "the {what} key must be hex digits only"
                )));
            }
        }
    }
    Ok(out)
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 0x0f)] as char);
    }
    out
}

/// Seals and opens values, and computes blind indexes, under one pair of keys.
pub(crate) struct Crypto {
    cipher: Aes256Gcm,
    index: Pseudonymizer,
    key_id: [u8; KEY_ID_BYTES],
    key_id_hex: String,
}

impl Crypto {
    pub(crate) fn new(keys: &Keys) -> Crypto {
        let key_id_hex = keys.key_id();
        let mut key_id = [0u8; KEY_ID_BYTES];
        key_id.copy_from_slice(&parse_hex_short(&key_id_hex));
        Crypto {
            cipher: Aes256Gcm::new(&Key::<Aes256Gcm>::from(keys.store)),
            index: Pseudonymizer::new(&keys.index).expect("a 32-byte key"),
            key_id,
            key_id_hex,
        }
    }

    pub(crate) fn key_id(&self) -> &str {
        &self.key_id_hex
    }

    /// `field` names what the value is; it is bound to the ciphertext, so a value moved to
    /// another field does not open.
    fn associated(&self, field: &str) -> Vec<u8> {
        let mut aad = Vec::with_capacity(KEY_ID_BYTES + 1 + field.len());
        aad.extend_from_slice(&self.key_id);
        aad.push(0);
        aad.extend_from_slice(field.as_bytes());
        aad
    }

    /// format byte ‖ key id ‖ nonce ‖ ciphertext and tag.
    pub(crate) fn seal(&self, field: &str, plain: &[u8]) -> Vec<u8> {
        let nonce = Nonce::generate();
        let aad = self.associated(field);
        let sealed = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plain,
                    aad: &aad,
                },
            )
            .expect("AES-GCM encrypts any message below 64 GiB");
        let mut out = Vec::with_capacity(1 + KEY_ID_BYTES + NONCE_BYTES + sealed.len());
        out.push(SEALED_FORMAT);
        out.extend_from_slice(&self.key_id);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    pub(crate) fn open(&self, field: &str, sealed: &[u8]) -> Result<Vec<u8>, Error> {
        let head = 1 + KEY_ID_BYTES + NONCE_BYTES;
        if sealed.len() < head || sealed[0] != SEALED_FORMAT {
            return Err(Error::Decrypt(field.to_string()));
        }
        if sealed[1..1 + KEY_ID_BYTES] != self.key_id {
            return Err(Error::Keys(format!(
                "a `{field}` value was sealed under key {}, not this key ({})",
                hex(&sealed[1..1 + KEY_ID_BYTES]),
                self.key_id_hex
            )));
        }
        let nonce = Nonce::try_from(&sealed[1 + KEY_ID_BYTES..head])
            .map_err(|_| Error::Decrypt(field.to_string()))?;
        let aad = self.associated(field);
        self.cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: &sealed[head..],
                    aad: &aad,
                },
            )
            .map_err(|_| Error::Decrypt(field.to_string()))
    }

    pub(crate) fn seal_str(&self, field: &str, plain: &str) -> Vec<u8> {
        self.seal(field, plain.as_bytes())
    }

    pub(crate) fn open_string(&self, field: &str, sealed: &[u8]) -> Result<String, Error> {
        String::from_utf8(self.open(field, sealed)?).map_err(|_| Error::Decrypt(field.to_string()))
    }

    /// The blind index of a normalized value in `domain` (hex of the whole MAC).
    pub(crate) fn blind(&self, domain: &str, value: &str) -> String {
        self.index.pseudonym(domain, value)
    }

    /// The blind index of a normalized value in `domain` as stored: the MAC's first
    /// [`MAC_BYTES`] bytes (128 bits: a collision between two values of a store is as
    /// unlikely as guessing the key).
    pub(crate) fn blind_mac(&self, domain: &str, value: &str) -> Vec<u8> {
        self.index.mac(domain, value)[..MAC_BYTES].to_vec()
    }
}

/// Bytes of a stored blind index or row digest (schema version 3 on; hex text before).
pub(crate) const MAC_BYTES: usize = 16;

fn parse_hex_short(text: &str) -> Vec<u8> {
    text.as_bytes()
        .chunks(2)
        .map(|p| {
            let d = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
            d(p[0]) * 16 + d(p[1])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_under_their_field_only() {
        let keys = Keys::generate();
        let crypto = Crypto::new(&keys);
        let a = crypto.seal_str("phone", "+8613800138000");
        let b = crypto.seal_str("phone", "+8613800138000");
        assert_ne!(a, b, "a fresh nonce per value");
        assert_eq!(crypto.open_string("phone", &a).unwrap(), "+8613800138000");
        assert!(matches!(crypto.open("email", &a), Err(Error::Decrypt(_))));
        let other = Crypto::new(&Keys::generate());
        assert!(matches!(other.open("phone", &a), Err(Error::Keys(_))));
        let mut altered = a.clone();
        *altered.last_mut().unwrap() ^= 1;
        assert!(matches!(
            crypto.open("phone", &altered),
            Err(Error::Decrypt(_))
        ));
    }

    #[test]
    fn key_files_round_trip_and_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("customers.db");
        let (keys, source) = Keys::locate(&db, None, true).unwrap();
        let path = dir.path().join("customers.db.key");
        assert_eq!(source, KeySource::Created(path.clone()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (again, source) = Keys::locate(&db, None, false).unwrap();
        assert_eq!(source, KeySource::File(path));
        assert_eq!(again.key_id(), keys.key_id());
        assert!(Keys::from_hex("00", &"0".repeat(64)).is_err());
        assert!(Keys::locate(&dir.path().join("other.db"), None, false).is_err());
    }
}
