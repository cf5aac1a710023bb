//! Host clusters and hosts of one project ([`crate::domain::codearts::hosts`]) on a key-value
//! store: `hg/{group_id}` holds a cluster, `host/{group_id}/{host_id}` a host. A host's connection
//! is its agent's last poll (the server's contact, [`super::agent::contact`]), so the listings
//! that show it are answered by the project's object, which keeps contacts.

use super::agent::capability::server_ref;
use super::agent::contact::{last_contact_ms, CONTACT_RESOLUTION_MS};
use super::encode;
use crate::domain::codearts::hosts::{
    Host, HostCluster, HostClusterQuery, HostClusterUpdate, HostQuery, NewHost, NewHostCluster,
    HOSTS_PER_CLUSTER_MAX,
};
use crate::error::ApiError;
use crate::keys::ProjectKeys;
use crate::store::Store;
use crate::validate::{FieldError, Rule};

/// A host's agent counts as connected while its last poll is at most this old: three contact
/// periods (a polling agent is recorded about once per period).
pub const CONNECTED_WITHIN_MS: u64 = 3 * CONTACT_RESOLUTION_MS;

/// The 404 of a cluster that is not the project's.
pub fn no_such_cluster(id: &str) -> ApiError {
    ApiError::NotFound(format!("The host cluster {id} does not exist"))
}

/// The 404 of a host that is not in the cluster.
pub fn no_such_host(id: &str) -> ApiError {
    ApiError::NotFound(format!("The host {id} does not exist in this cluster"))
}

/// What a host's agent last did: the time of its last poll, and whether that is recent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Connection {
    pub last_poll_ms: Option<u64>,
    pub connected: bool,
}

/// The host clusters and hosts of one project.
pub struct HostService<'a, S: Store + ?Sized> {
    store: &'a S,
    project: &'a str,
    keys: ProjectKeys<'a>,
    new_id: fn() -> Result<String, String>,
}

impl<'a, S: Store + ?Sized> HostService<'a, S> {
    /// A service for `project`, drawing new ids from `new_id` (`ids::hex32` in production).
    pub fn new(store: &'a S, project: &'a str, new_id: fn() -> Result<String, String>) -> Self {
        HostService {
            store,
            project,
            keys: ProjectKeys::new(project),
            new_id,
        }
    }

    async fn read_all<T: serde::de::DeserializeOwned>(
        &self,
        prefix: &str,
    ) -> Result<Vec<T>, ApiError> {
        super::read_all(self.store, prefix).await
    }

    /// Reads a cluster, or 404.
    pub async fn cluster(&self, id: &str) -> Result<HostCluster, ApiError> {
        let key = |id: &str| self.keys.host_cluster(id);
        super::read_by_id(self.store, id, key, no_such_cluster).await
    }

    /// Creates a cluster.
    pub async fn create_cluster(
        &self,
        new: NewHostCluster,
        now_ms: u64,
    ) -> Result<HostCluster, ApiError> {
        let cluster = HostCluster::create(crate::ids::issue(self.new_id)?, new, now_ms);
        self.store
            .put(
                &self.keys.host_cluster(&cluster.id),
                &encode(&cluster)?,
                None,
            )
            .await?;
        Ok(cluster)
    }

    /// Renames a cluster or changes its settings.
    pub async fn update_cluster(
        &self,
        id: &str,
        update: HostClusterUpdate,
        now_ms: u64,
    ) -> Result<HostCluster, ApiError> {
        let mut cluster = self.cluster(id).await?;
        cluster.update(update, now_ms);
        self.store
            .put(&self.keys.host_cluster(id), &encode(&cluster)?, None)
            .await?;
        Ok(cluster)
    }

    /// Deletes a cluster and its hosts.
    pub async fn delete_cluster(&self, id: &str) -> Result<HostCluster, ApiError> {
        let cluster = self.cluster(id).await?;
        for host in self.hosts_of(id).await? {
            self.store.delete(&self.keys.host(id, &host.id)).await?;
        }
        self.store.delete(&self.keys.host_cluster(id)).await?;
        Ok(cluster)
    }

    /// The clusters a listing asks for (name containing `name`, of one OS), newest first, with
    /// their host counts, and how many there are in all.
    pub async fn list_clusters(
        &self,
        query: &HostClusterQuery,
    ) -> Result<(usize, Vec<(HostCluster, usize)>), ApiError> {
        let needle = query.name.as_deref().map(str::to_lowercase);
        let mut clusters: Vec<HostCluster> = self
            .read_all::<HostCluster>(&self.keys.host_clusters())
            .await?
            .into_iter()
            .filter(|c| {
                needle
                    .as_deref()
                    .is_none_or(|n| c.name.to_lowercase().contains(n))
            })
            .filter(|c| query.os.is_none_or(|os| c.os == os))
            .collect();
        clusters.sort_by(|a, b| (b.created_ms, &b.id).cmp(&(a.created_ms, &a.id)));
        let total = clusters.len();
        let hosts: Vec<Host> = self.read_all(&self.keys.hosts()).await?;
        let counted = query
            .page
            .of(clusters)
            .into_iter()
            .map(|c| {
                let n = hosts.iter().filter(|h| h.group_id == c.id).count();
                (c, n)
            })
            .collect();
        Ok((total, counted))
    }

    async fn hosts_of(&self, group_id: &str) -> Result<Vec<Host>, ApiError> {
        let mut hosts: Vec<Host> = self.read_all(&self.keys.hosts_of(group_id)).await?;
        hosts.sort_by(|a, b| (a.created_ms, &a.id).cmp(&(b.created_ms, &b.id)));
        Ok(hosts)
    }

    /// Adds a host to a cluster of the same OS (at most [`HOSTS_PER_CLUSTER_MAX`]); its id is
    /// the server id its agent URL is issued for.
    pub async fn add_host(
        &self,
        group_id: &str,
        new: NewHost,
        now_ms: u64,
    ) -> Result<Host, ApiError> {
        let cluster = self.cluster(group_id).await?;
        if new.os != cluster.os {
            return Err(ApiError::invalid(FieldError::new(
                "/os",
                Rule::one_of(&[cluster.os.as_str()]),
                format_args!("must be the cluster's OS, {}", cluster.os),
            )));
        }
        if self.hosts_of(group_id).await?.len() >= HOSTS_PER_CLUSTER_MAX {
            return Err(ApiError::invalid(FieldError::new(
                "",
                Rule::TooLong {
                    limit: HOSTS_PER_CLUSTER_MAX,
                },
                format_args!(
                    "cannot be added: the cluster already has {HOSTS_PER_CLUSTER_MAX} hosts"
                ),
            )));
        }
        let host = Host::create(crate::ids::issue(self.new_id)?, group_id, new, now_ms);
        self.store
            .put(&self.keys.host(group_id, &host.id), &encode(&host)?, None)
            .await?;
        Ok(host)
    }

    /// Reads a host of a cluster, or 404.
    pub async fn host(&self, group_id: &str, id: &str) -> Result<Host, ApiError> {
        self.cluster(group_id).await?;
        let key = |id: &str| self.keys.host(group_id, id);
        super::read_by_id(self.store, id, key, no_such_host).await
    }

    /// The hosts that exist of these `(group_id, host_id)` pairs, in their order, read in bulk
    /// (a host's record exists only while its cluster does).
    pub async fn existing(&self, ids: &[(String, String)]) -> Result<Vec<Host>, ApiError> {
        let keys: Vec<String> = ids.iter().map(|(g, h)| self.keys.host(g, h)).collect();
        super::read_many(self.store, &keys).await
    }

    /// The hosts a listing asks for (name or IP containing `key_field`; proxies or not), oldest
    /// first, and how many there are in all.
    pub async fn list_hosts(
        &self,
        group_id: &str,
        query: &HostQuery,
    ) -> Result<(HostCluster, usize, Vec<Host>), ApiError> {
        let cluster = self.cluster(group_id).await?;
        let hosts: Vec<Host> = query.select(self.hosts_of(group_id).await?);
        let total = hosts.len();
        Ok((cluster, total, query.page.of(hosts)))
    }

    /// Removes a host from its cluster.
    pub async fn delete_host(&self, group_id: &str, id: &str) -> Result<Host, ApiError> {
        let host = self.host(group_id, id).await?;
        self.store.delete(&self.keys.host(group_id, id)).await?;
        Ok(host)
    }

    /// A host's connection: its agent's last poll, recorded by the project's object.
    pub async fn connection(&self, host: &Host, now_ms: u64) -> Result<Connection, ApiError> {
        let last = last_contact_ms(self.store, self.project, &server_ref(&host.id)).await?;
        Ok(Connection {
            last_poll_ms: last,
            connected: last.is_some_and(|ms| now_ms.saturating_sub(ms) <= CONNECTED_WITHIN_MS),
        })
    }
}
