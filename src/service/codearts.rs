//! CodeArts Deploy applications on a key-value store, one project at a time.
//!
//! Key layout (under the project's prefix `p/{project_id}/`, shared with Heat's keys):
//!
//! | key | value |
//! |---|---|
//! | `app/{app_id}` | the [`Application`] JSON |
//! | `app-name/{name}` | the id of the application holding that name (uniqueness index) |
//!
//! Listings list `app/` and read the records in bulk (100 per call), then filter, sort and page.
//! A name is taken by creating its `app-name/{name}` row, which the project's object's SQLite
//! refuses while the row exists (its primary key): two applications never hold one name. A row
//! whose application is gone or renamed (records imported from KV that disagree) counts as free.

use super::{decode, encode};
use crate::domain::codearts::{
    copy_name, Application, ApplicationUpdate, BatchDelete, DeleteOutcome, GroupFilter, ListQuery,
    NewApplication, SortName,
};
use crate::error::ApiError;
use crate::store::{get_all, list_all, Store};
use crate::validate::{FieldError, Rule};

/// Most names [`CodeArtsService::duplicate`] tries before giving up.
const COPY_TRIES: u32 = 1000;

/// The keys of one project ([`crate::keys`]).
use crate::keys::ProjectKeys as Keys;

/// `Deploy.00011020`'s 404.
pub fn no_such_app(id: &str) -> ApiError {
    ApiError::NotFound(format!("The application {id} does not exist"))
}

/// `Deploy.00011001`: the name is taken (answered as a 400).
pub fn name_taken(name: &str) -> ApiError {
    ApiError::NameTaken(format!(
        "The application name {name} is already used in this project"
    ))
}

/// The application API of one project.
pub struct CodeArtsService<'a, S: Store + ?Sized> {
    store: &'a S,
    keys: Keys<'a>,
    new_id: fn() -> Result<String, String>,
}

impl<'a, S: Store + ?Sized> CodeArtsService<'a, S> {
    /// A service for `project`, drawing new ids from `new_id` (`ids::hex32` in production).
    pub fn new(store: &'a S, project: &'a str, new_id: fn() -> Result<String, String>) -> Self {
        CodeArtsService {
            store,
            keys: Keys::new(project),
            new_id,
        }
    }

    fn id(&self) -> Result<String, ApiError> {
        crate::ids::issue(self.new_id)
    }

    fn ids(&self, n: usize) -> Result<Vec<String>, ApiError> {
        (0..n).map(|_| self.id()).collect()
    }

    /// Reads an application, or 404.
    pub async fn get(&self, id: &str) -> Result<Application, ApiError> {
        super::read_by_id(self.store, id, |id| self.keys.app(id), no_such_app).await
    }

    /// The id of the application that holds `name`, checking the index against the record.
    pub async fn name_owner(&self, name: &str) -> Result<Option<String>, ApiError> {
        let Some(id) = self.store.get(&self.keys.app_name(name)).await? else {
            return Ok(None);
        };
        Ok(self.holds(&id, name).await?.then_some(id))
    }

    /// True when application `id` exists and is named `name`.
    async fn holds(&self, id: &str, name: &str) -> Result<bool, ApiError> {
        match self.get(id).await {
            Ok(app) => Ok(app.name == name),
            Err(ApiError::NotFound(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Takes `name` for application `id` by creating its index row, which the store refuses
    /// while another holds it; a row whose application is gone or renamed is removed first.
    async fn claim_name(&self, name: &str, id: &str) -> Result<(), ApiError> {
        let key = self.keys.app_name(name);
        if let Some(holder) = self.store.get(&key).await? {
            if holder == id {
                return Ok(());
            }
            if self.holds(&holder, name).await? {
                return Err(name_taken(name));
            }
            self.store.delete(&key).await?;
        }
        if self.store.create(&key, id, None).await? {
            Ok(())
        } else {
            Err(name_taken(name))
        }
    }

    /// Deletes the name index entry if it still points at `id`.
    async fn release_name(&self, name: &str, id: &str) -> Result<(), ApiError> {
        let key = self.keys.app_name(name);
        if self.store.get(&key).await?.as_deref() == Some(id) {
            self.store.delete(&key).await?;
        }
        Ok(())
    }

    /// Creates an application; 400 `Deploy.00011001` if the name is taken.
    pub async fn create(&self, new: NewApplication, now_ms: u64) -> Result<Application, ApiError> {
        if self.name_owner(&new.name).await?.is_some() {
            return Err(name_taken(&new.name));
        }
        let id = self.id()?;
        let task_ids = self.ids(new.arrange_infos.len())?;
        let app = Application::create(id, task_ids, new, now_ms);
        self.claim_name(&app.name, &app.id).await?;
        self.store
            .put(&self.keys.app(&app.id), &encode(&app)?, None)
            .await?;
        Ok(app)
    }

    /// Updates an application (404 if unknown, 400 if the new name is taken or a task id is not
    /// the application's).
    pub async fn update(
        &self,
        update: ApplicationUpdate,
        now_ms: u64,
    ) -> Result<Application, ApiError> {
        let mut app = self.get(&update.id).await?;
        let old_name = app.name.clone();
        let new_tasks = update
            .arrange_infos
            .as_ref()
            .map_or(0, |t| t.iter().filter(|t| t.id.is_none()).count());
        let mut ids = self.ids(new_tasks)?.into_iter();
        if let Err(i) = app.apply(update, &mut ids, now_ms) {
            let tasks: Vec<&str> = app.arrange_infos.iter().map(|t| t.id.as_str()).collect();
            return Err(ApiError::invalid(FieldError::new(
                &format!("/arrange_infos/{i}/id"),
                Rule::one_of(&tasks),
                "must be the id of one of the application's arrange_infos",
            )));
        }
        if app.name != old_name {
            self.claim_name(&app.name, &app.id).await?;
        }
        self.store
            .put(&self.keys.app(&app.id), &encode(&app)?, None)
            .await?;
        if app.name != old_name {
            self.release_name(&old_name, &app.id).await?;
        }
        Ok(app)
    }

    /// Sets `is_disable`.
    pub async fn set_disabled(
        &self,
        id: &str,
        disabled: bool,
        now_ms: u64,
    ) -> Result<(), ApiError> {
        let mut app = self.get(id).await?;
        app.is_disable = disabled;
        app.touch(now_ms);
        self.store
            .put(&self.keys.app(id), &encode(&app)?, None)
            .await?;
        Ok(())
    }

    /// Deletes an application and returns it.
    pub async fn delete(&self, id: &str) -> Result<Application, ApiError> {
        let app = self.get(id).await?;
        self.store.delete(&self.keys.app(id)).await?;
        self.release_name(&app.name, id).await?;
        Ok(app)
    }

    /// Copies an application under the first free name of `{name}_copy`, `{name}_copy_2`, ...
    pub async fn duplicate(&self, id: &str, now_ms: u64) -> Result<Application, ApiError> {
        let source = self.get(id).await?;
        let mut name = None;
        for n in 1..=COPY_TRIES {
            let candidate = copy_name(&source.name, n);
            if self.name_owner(&candidate).await?.is_none() {
                name = Some(candidate);
                break;
            }
        }
        let name = name.ok_or_else(|| name_taken(&copy_name(&source.name, COPY_TRIES)))?;
        let copy = source.duplicate(
            self.id()?,
            name,
            self.ids(source.arrange_infos.len())?,
            now_ms,
        );
        self.claim_name(&copy.name, &copy.id).await?;
        self.store
            .put(&self.keys.app(&copy.id), &encode(&copy)?, None)
            .await?;
        Ok(copy)
    }

    /// Deletes each listed application that exists; the others are reported as errors.
    pub async fn batch_delete(&self, batch: BatchDelete) -> Result<Vec<DeleteOutcome>, ApiError> {
        let keys: Vec<String> = batch
            .application_ids
            .iter()
            .map(|id| self.keys.app(id))
            .collect();
        let found = get_all(self.store, &keys).await?;
        let mut out = Vec::with_capacity(keys.len());
        for ((id, key), text) in batch.application_ids.iter().zip(&keys).zip(found) {
            match text {
                Some(text) => {
                    let app: Application = decode(key, &text)?;
                    self.store.delete(key).await?;
                    self.release_name(&app.name, id).await?;
                    out.push(DeleteOutcome {
                        application_id: id.clone(),
                        application_name: app.name,
                        error_reason: None,
                    });
                }
                None => out.push(DeleteOutcome {
                    application_id: id.clone(),
                    application_name: String::new(),
                    error_reason: Some(format!("The application {id} does not exist")),
                }),
            }
        }
        Ok(out)
    }

    /// Every application of the project, in key order.
    pub async fn all(&self) -> Result<Vec<Application>, ApiError> {
        let keys: Vec<String> = list_all(self.store, &self.keys.apps())
            .await?
            .into_iter()
            .map(|k| k.name)
            .collect();
        let mut apps = Vec::with_capacity(keys.len());
        for (key, text) in keys.iter().zip(get_all(self.store, &keys).await?) {
            // A key listed but gone by the time it is read was deleted meanwhile.
            if let Some(text) = text {
                apps.push(decode(key, &text)?);
            }
        }
        Ok(apps)
    }

    /// One page of a listing and the number of applications that matched.
    pub async fn list(&self, query: &ListQuery) -> Result<(usize, Vec<Application>), ApiError> {
        let search = query.search.as_ref().map(|s| s.to_lowercase());
        let mut apps: Vec<Application> = self
            .all()
            .await?
            .into_iter()
            .filter(|a| {
                search
                    .as_ref()
                    .is_none_or(|s| a.name.to_lowercase().contains(s))
            })
            .filter(|a| query.states.is_empty() || query.states.contains(&a.execution_state()))
            .filter(|a| match &query.group_id {
                None => true,
                Some(GroupFilter::NoGroup) => a.group_id.is_none(),
                Some(GroupFilter::Group(g)) => a.group_id.as_ref() == Some(g),
            })
            .collect();
        apps.sort_by(|a, b| {
            let order = match query.sort_name {
                SortName::Name => a.name.cmp(&b.name),
                SortName::StartTime => a.created_ms.cmp(&b.created_ms),
            }
            .then_with(|| a.id.cmp(&b.id));
            if query.ascending() {
                order
            } else {
                order.reverse()
            }
        });
        let total = apps.len();
        let start = (query.page as usize - 1).saturating_mul(query.size as usize);
        let page = apps
            .into_iter()
            .skip(start)
            .take(query.size as usize)
            .collect();
        Ok((total, page))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codearts::{parse_create, parse_list, parse_update, DeleteResult};
    use crate::store::MemoryStore;
    use crate::validate::Report;
    use futures::executor::block_on;
    use serde_json::{json, Value};

    const P: &str = "0123456789abcdef0123456789abcdef";

    fn new_app(name: &str) -> NewApplication {
        parse_create(
            &json!({"project_id": P, "name": name, "is_draft": false, "create_type": "template",
                    "arrange_infos": [{"template_id": "fedcba9876543210fedcba9876543210"}]}),
            &mut Report::default(),
        )
        .unwrap()
    }

    fn svc(store: &MemoryStore) -> CodeArtsService<'_, MemoryStore> {
        CodeArtsService::new(store, P, crate::ids::hex32)
    }

    fn query(v: Value) -> ListQuery {
        let mut body = json!({"project_id": P, "page": 1, "size": 100});
        for (k, x) in v.as_object().unwrap() {
            body[k] = x.clone();
        }
        parse_list(&body, &mut Report::default()).unwrap()
    }

    #[test]
    fn a_created_application_gets_hex_ids_and_reads_back() {
        block_on(async {
            let store = MemoryStore::new();
            let s = svc(&store);
            let app = s.create(new_app("alpha"), 1_000).await.unwrap();
            for id in [&app.id, &app.arrange_infos[0].id] {
                assert_eq!(id.len(), 32);
                assert!(id
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
            }
            assert_eq!(s.get(&app.id).await.unwrap(), app);
            assert_eq!(s.name_owner("alpha").await.unwrap(), Some(app.id.clone()));
        });
    }

    #[test]
    fn names_are_unique_under_create_update_and_duplicate() {
        block_on(async {
            let store = MemoryStore::new();
            let s = svc(&store);
            let a = s.create(new_app("alpha"), 1).await.unwrap();
            let b = s.create(new_app("beta"), 2).await.unwrap();
            let before = store.snapshot();
            let err = s.create(new_app("alpha"), 3).await.unwrap_err();
            assert!(matches!(err, ApiError::NameTaken(_)));
            let rename = |id: &str, name: &str| {
                parse_update(
                    &json!({"id": id, "project_id": P, "name": name, "is_draft": false, "create_type": "template"}),
                    &mut Report::default(),
                )
                .unwrap()
            };
            assert!(matches!(
                s.update(rename(&b.id, "alpha"), 4).await.unwrap_err(),
                ApiError::NameTaken(_)
            ));
            assert_eq!(store.snapshot(), before);
            // Renaming frees the old name.
            s.update(rename(&a.id, "gamma"), 5).await.unwrap();
            assert_eq!(s.name_owner("alpha").await.unwrap(), None);
            s.create(new_app("alpha"), 6).await.unwrap();
            // Copies take the next free suffix.
            let c1 = s.duplicate(&b.id, 7).await.unwrap();
            let c2 = s.duplicate(&b.id, 8).await.unwrap();
            assert_eq!(
                (c1.name.as_str(), c2.name.as_str()),
                ("beta_copy", "beta_copy_2")
            );
            assert_ne!(c1.arrange_infos[0].id, b.arrange_infos[0].id);
            assert_eq!(
                c1.arrange_infos[0].template_id,
                b.arrange_infos[0].template_id
            );
        });
    }

    #[test]
    fn a_stale_name_index_entry_does_not_block_the_name() {
        block_on(async {
            let store = MemoryStore::new();
            let s = svc(&store);
            let a = s.create(new_app("alpha"), 1).await.unwrap();
            store.delete(&Keys::new(P).app(&a.id)).await.unwrap();
            assert_eq!(s.name_owner("alpha").await.unwrap(), None);
            s.create(new_app("alpha"), 2).await.unwrap();
        });
    }

    #[test]
    fn deleting_removes_the_record_and_the_name() {
        block_on(async {
            let store = MemoryStore::new();
            let s = svc(&store);
            let a = s.create(new_app("alpha"), 1).await.unwrap();
            assert_eq!(s.delete(&a.id).await.unwrap().name, "alpha");
            assert!(store.is_empty());
            assert_eq!(s.delete(&a.id).await.unwrap_err().status(), 404);
            assert_eq!(s.get("not-an-id").await.unwrap_err().status(), 404);
        });
    }

    #[test]
    fn batch_delete_reports_each_id() {
        block_on(async {
            let store = MemoryStore::new();
            let s = svc(&store);
            let a = s.create(new_app("alpha"), 1).await.unwrap();
            let missing = "f".repeat(32);
            let out = s
                .batch_delete(BatchDelete {
                    project_id: P.into(),
                    application_ids: vec![a.id.clone(), missing.clone()],
                })
                .await
                .unwrap();
            let status = |o: &DeleteOutcome| {
                serde_json::to_value(DeleteResult::from(o)).unwrap()["status"].clone()
            };
            assert_eq!(status(&out[0]), "success");
            assert_eq!(out[0].application_name, "alpha");
            assert_eq!(status(&out[1]), "error");
            assert!(out[1].error_reason.as_ref().unwrap().contains(&missing));
            assert!(store.is_empty());
        });
    }

    #[test]
    fn listings_filter_sort_and_page() {
        block_on(async {
            let store = MemoryStore::new();
            let s = svc(&store);
            for (i, n) in ["cherry", "apple", "banana", "apricot"].iter().enumerate() {
                s.create(new_app(n), 1000 + i as u64).await.unwrap();
            }
            let names =
                |apps: Vec<Application>| apps.into_iter().map(|a| a.name).collect::<Vec<_>>();
            let (total, page) = s.list(&query(json!({}))).await.unwrap();
            assert_eq!(total, 4);
            assert_eq!(names(page), ["apricot", "banana", "apple", "cherry"]);
            let (_, page) = s.list(&query(json!({"sort_name": "name"}))).await.unwrap();
            assert_eq!(names(page), ["apple", "apricot", "banana", "cherry"]);
            let (_, page) = s
                .list(&query(
                    json!({"sort_name": "name", "sort_by": "DESC", "page": 2, "size": 3}),
                ))
                .await
                .unwrap();
            assert_eq!(names(page), ["apple"]);
            let (total, page) = s.list(&query(json!({"search": "AP"}))).await.unwrap();
            assert_eq!(
                (total, names(page)),
                (2, vec!["apricot".to_owned(), "apple".to_owned()])
            );
            let (total, _) = s
                .list(&query(json!({"states": ["running"]})))
                .await
                .unwrap();
            assert_eq!(total, 0);
            let (total, _) = s
                .list(&query(json!({"states": ["not_executed"]})))
                .await
                .unwrap();
            assert_eq!(total, 4);
            let (total, _) = s
                .list(&query(json!({"group_id": "no_grouped"})))
                .await
                .unwrap();
            assert_eq!(total, 4);
            let (_, page) = s.list(&query(json!({"page": 99999}))).await.unwrap();
            assert!(page.is_empty());
        });
    }

    #[test]
    fn projects_never_see_each_others_applications() {
        block_on(async {
            let store = MemoryStore::new();
            let a = svc(&store);
            let other = "f".repeat(32);
            let b = CodeArtsService::new(&store, &other, crate::ids::hex32);
            let app = a.create(new_app("alpha"), 1).await.unwrap();
            assert_eq!(b.get(&app.id).await.unwrap_err().status(), 404);
            assert_eq!(b.name_owner("alpha").await.unwrap(), None);
            assert_eq!(b.list(&query(json!({}))).await.unwrap().0, 0);
        });
    }

    #[test]
    fn disabling_is_recorded_with_the_update_time() {
        block_on(async {
            let store = MemoryStore::new();
            let s = svc(&store);
            let a = s.create(new_app("alpha"), 1_000).await.unwrap();
            s.set_disabled(&a.id, true, 61_000).await.unwrap();
            let got = s.get(&a.id).await.unwrap();
            assert!(got.is_disable);
            assert_eq!(got.update_time, "1970-01-01 00:01:01");
            assert_eq!(got.create_time, "1970-01-01 00:00:01");
            let copy = s.duplicate(&a.id, 2).await.unwrap();
            assert!(!copy.is_disable);
        });
    }
}
