//! Random identifiers and secrets, from the platform's CSPRNG (getrandom: `crypto.getRandomValues`
//! on wasm).

/// Fills `buf` with random bytes. A CSPRNG failure is unrecoverable for id generation, but must not
/// panic inside a request: the caller gets an error string.
fn random_bytes<const N: usize>() -> Result<[u8; N], String> {
    let mut buf = [0u8; N];
    getrandom::getrandom(&mut buf).map_err(|e| format!("random number generator failed: {e}"))?;
    Ok(buf)
}

/// Runs an id generator, turning a failure of the platform's random source into a 500 (it is
/// never the client's fault, and must not panic inside a request).
pub fn issue(generate: fn() -> Result<String, String>) -> Result<String, crate::error::ApiError> {
    generate().map_err(|e| crate::error::ApiError::Storage(crate::store::StoreError::Backend(e)))
}

/// A random UUID v4 in Heat's form: `ef422fa5-719a-419e-a10c-72e3a367b0b8`.
pub fn uuid_v4() -> Result<String, String> {
    let bytes = random_bytes::<16>()?;
    Ok(uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string())
}

/// True for a hyphenated UUID in lower-case hex, the form [`uuid_v4`] issues.
pub fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
        })
}

/// True for a Huawei id: 32 ASCII letters and digits. Projects, applications, their tasks and
/// templates all have this form (those issued here are [`hex32`]).
pub fn is_huawei_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// 32 lower-case hex characters, the form of Huawei's ids.
pub fn hex32() -> Result<String, String> {
    Ok(hex::encode(random_bytes::<16>()?))
}

/// A request id: 32 lower-case hex characters, unique without a random draw per request (a random
/// 64-bit prefix drawn once per isolate, then a counter). Ids say nothing secret: they only tell
/// requests apart in logs.
pub fn request_id() -> String {
    thread_local! {
        static PREFIX: String = hex::encode(random_bytes::<8>().unwrap_or_default());
        static COUNT: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }
    let n = COUNT.with(|c| {
        c.set(c.get().wrapping_add(1));
        c.get()
    });
    PREFIX.with(|p| format!("{p}{n:016x}"))
}

/// The RFC 4648 base32 alphabet: upper-case letters and the digits 2 to 7.
pub const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// `n` random characters of the RFC 4648 base32 alphabet (upper-case letters and digits 2 to 7),
/// 5 bits each.
pub fn random_base32(n: usize) -> Result<String, String> {
    let mut out = String::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(32) {
        // A byte modulo 32 is uniform (256 is a multiple of 32).
        let bytes = random_bytes::<32>()?;
        out.extend(
            chunk
                .iter()
                .map(|&i| char::from(BASE32[usize::from(bytes[i % 32] % 32)])),
        );
    }
    Ok(out)
}

/// A 256-bit secret as 64 lower-case hex characters.
pub fn secret_hex() -> Result<String, String> {
    Ok(hex::encode(random_bytes::<32>()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_32_hex_characters_and_distinct() {
        let (a, b) = (request_id(), request_id());
        assert_ne!(a, b);
        for id in [a, b] {
            assert_eq!(id.len(), 32);
            assert!(id
                .bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        }
    }

    #[test]
    fn random_base32_has_the_length_asked_in_the_alphabet() {
        let a = random_base32(11).unwrap();
        assert_eq!(a.len(), 11);
        assert!(a.bytes().all(|b| BASE32.contains(&b)));
        assert_ne!(a, random_base32(11).unwrap());
    }

    #[test]
    fn uuids_are_version_4_and_distinct() {
        let a = uuid_v4().unwrap();
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert_ne!(a, uuid_v4().unwrap());
    }

    #[test]
    fn only_issued_uuids_look_like_uuids() {
        assert!(is_uuid(&uuid_v4().unwrap()));
        for other in [
            "",
            "x".repeat(600).as_str(),
            "EF422FA5-719A-419E-A10C-72E3A367B0B8",
            "ef422fa5719a419ea10c72e3a367b0b8",
        ] {
            assert!(!is_uuid(other), "{other}");
        }
    }

    #[test]
    fn huawei_ids_are_32_hex_characters() {
        let id = hex32().unwrap();
        assert_eq!(id.len(), 32);
        assert!(id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert!(is_huawei_id(&id));
        assert!(is_huawei_id("0123456789ABCDEFghijklmnopqrstuv"));
        for other in [
            "",
            "short",
            "0123456789abcdef0123456789abcde-",
            &"a".repeat(33),
        ] {
            assert!(!is_huawei_id(other), "{other}");
        }
    }
}
