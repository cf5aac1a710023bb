//! Project tokens and the admin token.
//!
//! A project token is 256 random bits shown once at issue; only its SHA-256 is stored
//! (`tok/{sha256}` → `{id, project_id, created_ms}`, plus `ptok/{project}/{id}` → the hash, with
//! key metadata `{ms}`, so it can be listed and revoked by id). Secrets are compared through
//! fixed-size digests in constant time.

use crate::error::{ApiError, AuthFailure};
use crate::store::Store;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// What a project id is, in words (the `pattern` of its errors).
pub const PROJECT_ID_PATTERN: &str = "32 letters and digits";

/// True for a project id: a Huawei id (32 ASCII letters and digits), the one rule for every id of
/// that form.
pub use crate::ids::is_huawei_id as is_project_id;

/// Hex SHA-256 of a secret.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Compares two secrets in constant time (of their digests, so lengths do not leak either).
pub fn secrets_equal(a: &str, b: &str) -> bool {
    Sha256::digest(a.as_bytes())
        .ct_eq(&Sha256::digest(b.as_bytes()))
        .into()
}

/// Checks `Authorization: Bearer <admin token>`. With no admin token configured, nobody is admin.
pub fn check_admin(authorization: Option<&str>, admin_token: Option<&str>) -> Result<(), ApiError> {
    let presented = authorization
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim);
    match (presented, admin_token.filter(|t| !t.is_empty())) {
        (None, _) => Err(ApiError::Unauthenticated(AuthFailure::Missing)),
        (Some(p), Some(expected)) if secrets_equal(p, expected) => Ok(()),
        _ => Err(ApiError::Unauthenticated(AuthFailure::Invalid)),
    }
}

/// A stored token record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenRecord {
    pub id: String,
    pub project_id: String,
    pub created_ms: u64,
}

/// A token as the admin list shows it: never the token or its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenSummary {
    pub id: String,
    pub project_id: String,
    /// When it was issued (Heat's time format); `null` if its record is gone.
    pub creation_time: Option<String>,
    #[serde(skip)]
    pub created_ms: u64,
}

/// What the admin API returns once: the token itself is never stored.
#[derive(Debug, Clone, Serialize)]
pub struct IssuedToken {
    pub id: String,
    pub token: String,
    pub project_id: String,
}

use crate::keys::{project_token as project_token_key, token as token_key};

/// Issues a token for a project.
pub async fn issue_token<S: Store + ?Sized>(
    store: &S,
    project_id: &str,
    now_ms: u64,
) -> Result<IssuedToken, ApiError> {
    let id = crate::ids::issue(crate::ids::uuid_v4)?;
    let token = crate::ids::issue(crate::ids::secret_hex)?;
    let hash = hash_secret(&token);
    let record = TokenRecord {
        id: id.clone(),
        project_id: project_id.to_owned(),
        created_ms: now_ms,
    };
    let text = serde_json::to_string(&record)
        .map_err(|e| crate::store::StoreError::Backend(e.to_string()))?;
    store.put(&token_key(&hash), &text, None).await?;
    // The index carries the issue time as key metadata, so a listing reads keys only.
    store
        .put(
            &project_token_key(project_id, &id),
            &hash,
            Some(&serde_json::json!({ "ms": now_ms })),
        )
        .await?;
    Ok(IssuedToken {
        id,
        token,
        project_id: project_id.to_owned(),
    })
}

/// A project's tokens, newest first: ids and issue times only. The `ptok/{project}/` index is
/// listed (one `list` per 1,000 tokens); an index entry written before it carried `{ms}` is
/// resolved through its token record (two bulk reads per 100 such tokens).
pub async fn list_tokens<S: Store + ?Sized>(
    store: &S,
    project_id: &str,
) -> Result<Vec<TokenSummary>, ApiError> {
    let prefix = crate::keys::project_tokens(project_id);
    let listed = crate::store::list_all(store, &prefix).await?;
    let mut out = Vec::with_capacity(listed.len());
    let mut legacy = Vec::new();
    for key in listed {
        let id = key.name[prefix.len()..].to_owned();
        match key
            .metadata
            .as_ref()
            .and_then(|m| m.parse::<serde_json::Value>()?["ms"].as_u64())
        {
            Some(ms) => out.push(summary(id, project_id, Some(ms))),
            None => legacy.push((key.name, id)),
        }
    }
    if !legacy.is_empty() {
        let index: Vec<String> = legacy.iter().map(|(k, _)| k.clone()).collect();
        let hashes = crate::store::get_all(store, &index).await?;
        let records: Vec<String> = hashes
            .iter()
            .map(|h| token_key(h.as_deref().unwrap_or("-")))
            .collect();
        let records = crate::store::get_all(store, &records).await?;
        for ((_, id), record) in legacy.into_iter().zip(records) {
            let ms = record
                .and_then(|t| serde_json::from_str::<TokenRecord>(&t).ok())
                .map(|r| r.created_ms);
            out.push(summary(id, project_id, ms));
        }
    }
    out.sort_by(|a, b| b.created_ms.cmp(&a.created_ms).then(a.id.cmp(&b.id)));
    Ok(out)
}

fn summary(id: String, project_id: &str, ms: Option<u64>) -> TokenSummary {
    TokenSummary {
        id,
        project_id: project_id.to_owned(),
        creation_time: ms.map(crate::clock::heat_time),
        created_ms: ms.unwrap_or(0),
    }
}

/// Revokes a token by id; 404 when the project has no such token.
pub async fn revoke_token<S: Store + ?Sized>(
    store: &S,
    project_id: &str,
    id: &str,
) -> Result<(), ApiError> {
    // Token ids are UUIDs we issued: anything else names no token (and is never a KV key).
    if !crate::ids::is_uuid(id) {
        return Err(ApiError::not_found("Token", id));
    }
    let index = project_token_key(project_id, id);
    let Some(hash) = store.get(&index).await? else {
        return Err(ApiError::not_found("Token", id));
    };
    store.delete(&token_key(&hash)).await?;
    store.delete(&index).await?;
    Ok(())
}

/// The project a presented token belongs to, or 401.
pub async fn token_project<S: Store + ?Sized>(
    store: &S,
    token: Option<&str>,
) -> Result<String, ApiError> {
    let token = token
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(ApiError::Unauthenticated(AuthFailure::Missing))?;
    let key = token_key(&hash_secret(token));
    let text = store
        .get(&key)
        .await?
        .ok_or(ApiError::Unauthenticated(AuthFailure::Invalid))?;
    let record: TokenRecord =
        serde_json::from_str(&text).map_err(|e| crate::store::StoreError::Corrupt {
            key,
            reason: e.to_string(),
        })?;
    Ok(record.project_id)
}

/// Authorises a token for the project named in the path: 401 without a valid token, 403 for a
/// token of another project.
pub async fn authorize_project<S: Store + ?Sized>(
    store: &S,
    token: Option<&str>,
    project_id: &str,
) -> Result<(), ApiError> {
    let owner = token_project(store, token).await?;
    if owner.as_bytes().ct_eq(project_id.as_bytes()).into() {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "The token is not valid for project {project_id}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;
    use futures::executor::block_on;

    const P: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn project_ids_are_32_letters_and_digits() {
        assert!(is_project_id(P));
        assert!(!is_project_id("short"));
        assert!(!is_project_id("0123456789abcdef0123456789abcde-"));
    }

    #[test]
    fn tokens_are_stored_only_as_hashes() {
        block_on(async {
            let store = MemoryStore::new();
            let issued = issue_token(&store, P, 1).await.unwrap();
            for (k, v) in store.snapshot() {
                assert!(!k.contains(&issued.token) && !v.contains(&issued.token));
            }
            assert_eq!(token_project(&store, Some(&issued.token)).await.unwrap(), P);
        });
    }

    #[test]
    fn a_revoked_token_no_longer_authenticates() {
        block_on(async {
            let store = MemoryStore::new();
            let issued = issue_token(&store, P, 1).await.unwrap();
            revoke_token(&store, P, &issued.id).await.unwrap();
            assert_eq!(
                authorize_project(&store, Some(&issued.token), P)
                    .await
                    .unwrap_err()
                    .status(),
                401
            );
            assert_eq!(
                revoke_token(&store, P, &issued.id)
                    .await
                    .unwrap_err()
                    .status(),
                404
            );
            assert!(store.is_empty());
        });
    }

    #[test]
    fn a_projects_tokens_are_listed_newest_first_without_secrets_old_index_entries_too() {
        block_on(async {
            let store = MemoryStore::new();
            let first = issue_token(&store, P, 1_000).await.unwrap();
            let second = issue_token(&store, P, 2_000).await.unwrap();
            let other = issue_token(&store, &"f".repeat(32), 3_000).await.unwrap();
            // An index entry as written before it carried metadata: the record has the time.
            let hash = store
                .get(&project_token_key(P, &first.id))
                .await
                .unwrap()
                .unwrap();
            store
                .put(&project_token_key(P, &first.id), &hash, None)
                .await
                .unwrap();
            let listed = list_tokens(&store, P).await.unwrap();
            let ids: Vec<&str> = listed.iter().map(|t| t.id.as_str()).collect();
            assert_eq!(ids, [second.id.as_str(), first.id.as_str()]);
            assert_eq!(
                listed[1].creation_time,
                Some(crate::clock::heat_time(1_000))
            );
            let text = serde_json::to_string(&listed).unwrap();
            assert!(!text.contains(&first.token) && !text.contains(&hash));
            assert!(!text.contains(&other.id));
            revoke_token(&store, P, &second.id).await.unwrap();
            assert_eq!(list_tokens(&store, P).await.unwrap().len(), 1);
        });
    }

    #[test]
    fn a_token_of_another_project_is_forbidden() {
        block_on(async {
            let store = MemoryStore::new();
            let issued = issue_token(&store, P, 1).await.unwrap();
            let other = "f".repeat(32);
            assert_eq!(
                authorize_project(&store, Some(&issued.token), &other)
                    .await
                    .unwrap_err()
                    .status(),
                403
            );
            assert_eq!(
                authorize_project(&store, None, P)
                    .await
                    .unwrap_err()
                    .status(),
                401
            );
        });
    }

    #[test]
    fn the_admin_token_is_required_and_compared_exactly() {
        assert!(check_admin(Some("Bearer s3cret"), Some("s3cret")).is_ok());
        assert_eq!(
            check_admin(Some("Bearer s3cre"), Some("s3cret"))
                .unwrap_err()
                .status(),
            401
        );
        assert_eq!(check_admin(None, Some("s3cret")).unwrap_err().status(), 401);
        assert!(check_admin(Some("Bearer "), Some("")).is_err());
    }
}
