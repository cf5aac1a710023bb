//! Host clusters and hosts as Huawei's SDK models them in answers (`HostClusterInfo`,
//! `HostClusterInfoDetail`, `HostInfo`, `HostInfoDetail`). No answer carries an `authorization`:
//! deploy-edge never keeps one.

use super::hosts::{Host, HostCluster};
use crate::clock::codearts_time;
use serde::Serialize;

/// What the caller may do with a cluster (`PermissionClusterDetail`): everything, in its own
/// project.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ClusterPermission {
    can_view: bool,
    can_edit: bool,
    can_delete: bool,
    can_add_host: bool,
    can_manage: bool,
    can_copy: bool,
}

const CLUSTER_PERMISSION: ClusterPermission = ClusterPermission {
    can_view: true,
    can_edit: true,
    can_delete: true,
    can_add_host: true,
    can_manage: true,
    can_copy: false,
};

/// What the caller may do with a host (`PermissionHostDetailNew`).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct HostPermission {
    can_view: bool,
    can_edit: bool,
    can_delete: bool,
    can_add_host: bool,
    can_copy: bool,
}

const HOST_PERMISSION: HostPermission = HostPermission {
    can_view: true,
    can_edit: false,
    can_delete: true,
    can_add_host: true,
    can_copy: false,
};

/// A cluster in a listing (`HostClusterInfo`).
#[derive(Debug, Clone, Serialize)]
pub struct ClusterRow<'a> {
    id: &'a str,
    name: &'a str,
    project_id: &'a str,
    os: &'a str,
    host_count: usize,
    is_proxy_mode: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    slave_cluster_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    permission: ClusterPermission,
}

impl<'a> ClusterRow<'a> {
    pub fn new(cluster: &'a HostCluster, project_id: &'a str, host_count: usize) -> Self {
        ClusterRow {
            id: &cluster.id,
            name: &cluster.name,
            project_id,
            os: cluster.os.as_str(),
            host_count,
            is_proxy_mode: cluster.is_proxy_mode,
            slave_cluster_id: cluster.slave_cluster_id.as_deref(),
            description: cluster.description.as_deref(),
            permission: CLUSTER_PERMISSION,
        }
    }
}

/// One cluster (`HostClusterInfoDetail`).
#[derive(Debug, Clone, Serialize)]
pub struct ClusterDetail<'a> {
    id: &'a str,
    name: &'a str,
    os: &'a str,
    is_proxy_mode: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    slave_cluster_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    created_time: String,
    updated_time: String,
    permission: ClusterPermission,
}

impl<'a> From<&'a HostCluster> for ClusterDetail<'a> {
    fn from(cluster: &'a HostCluster) -> Self {
        ClusterDetail {
            id: &cluster.id,
            name: &cluster.name,
            os: cluster.os.as_str(),
            is_proxy_mode: cluster.is_proxy_mode,
            slave_cluster_id: cluster.slave_cluster_id.as_deref(),
            description: cluster.description.as_deref(),
            created_time: codearts_time(cluster.created_ms),
            updated_time: codearts_time(cluster.updated_ms),
            permission: CLUSTER_PERMISSION,
        }
    }
}

/// A host's agent connection as answers show it: `connection_status` is `success` while its agent
/// polls, `failed` once it has stopped, `unknown` before its first poll;
/// `lastest_connection_time` (Huawei's spelling) is that poll's time.
#[derive(Debug, Clone, Serialize)]
pub struct ConnectionView {
    connection_status: &'static str,
    lastest_connection_time: Option<String>,
    connection_result: &'static str,
}

impl ConnectionView {
    pub fn new(last_poll_ms: Option<u64>, connected: bool) -> Self {
        let (status, result) = match (last_poll_ms, connected) {
            (None, _) => ("unknown", "The host's agent has not polled yet"),
            (Some(_), true) => ("success", "The host's agent polls for its deployments"),
            (Some(_), false) => ("failed", "The host's agent has stopped polling"),
        };
        ConnectionView {
            connection_status: status,
            lastest_connection_time: last_poll_ms.map(codearts_time),
            connection_result: result,
        }
    }
}

/// A host in a listing (`HostInfo`: its id is `uuid`).
#[derive(Debug, Clone, Serialize)]
pub struct HostRow<'a> {
    uuid: &'a str,
    host_name: &'a str,
    ip: &'a str,
    port: u16,
    os: &'a str,
    as_proxy: bool,
    group_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    proxy_host_id: Option<&'a str>,
    create_time: String,
    permission: HostPermission,
    #[serde(flatten)]
    connection: ConnectionView,
}

impl<'a> HostRow<'a> {
    pub fn new(host: &'a Host, connection: ConnectionView) -> Self {
        HostRow {
            uuid: &host.id,
            host_name: &host.host_name,
            ip: &host.ip,
            port: host.port,
            os: host.os.as_str(),
            as_proxy: host.as_proxy,
            group_id: &host.group_id,
            proxy_host_id: host.proxy_host_id.as_deref(),
            create_time: codearts_time(host.created_ms),
            permission: HOST_PERMISSION,
            connection,
        }
    }
}

/// One host (`HostInfoDetail`: its id is `host_id`).
#[derive(Debug, Clone, Serialize)]
pub struct HostDetail<'a> {
    host_id: &'a str,
    host_name: &'a str,
    ip: &'a str,
    port: u16,
    os: &'a str,
    as_proxy: bool,
    group_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    proxy_host_id: Option<&'a str>,
    install_icagent: bool,
    create_time: String,
    update_time: String,
    permission: HostPermission,
    #[serde(flatten)]
    connection: ConnectionView,
}

impl<'a> HostDetail<'a> {
    pub fn new(host: &'a Host, connection: ConnectionView) -> Self {
        HostDetail {
            host_id: &host.id,
            host_name: &host.host_name,
            ip: &host.ip,
            port: host.port,
            os: host.os.as_str(),
            as_proxy: host.as_proxy,
            group_id: &host.group_id,
            proxy_host_id: host.proxy_host_id.as_deref(),
            install_icagent: host.install_icagent,
            create_time: codearts_time(host.created_ms),
            update_time: codearts_time(host.created_ms),
            permission: HOST_PERMISSION,
            connection,
        }
    }
}

/// `{"status": "success", "id": …}`: what a cluster's or host's create, update and delete answer.
#[derive(Debug, Clone, Serialize)]
pub struct Done<'a> {
    status: &'static str,
    id: &'a str,
}

impl<'a> Done<'a> {
    pub fn new(id: &'a str) -> Self {
        Done {
            status: "success",
            id,
        }
    }
}

/// `{"status": "success", "total": …, "result": [...]}`: a listing.
#[derive(Debug, Clone, Serialize)]
pub struct Listing<T> {
    status: &'static str,
    total: usize,
    result: Vec<T>,
}

impl<T> Listing<T> {
    pub fn new(total: usize, result: Vec<T>) -> Self {
        Listing {
            status: "success",
            total,
            result,
        }
    }
}

/// `{"status": "success", "result": …}`: one record.
#[derive(Debug, Clone, Serialize)]
pub struct One<T> {
    status: &'static str,
    result: T,
}

impl<T> One<T> {
    pub fn new(result: T) -> Self {
        One {
            status: "success",
            result,
        }
    }
}
