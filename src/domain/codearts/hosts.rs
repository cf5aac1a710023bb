//! Host clusters and their hosts (`/v1/resources/host-groups`, Huawei SDK 3.1.219's
//! `CreateHostCluster` ... `DeleteHost`): where an application's environments deploy.
//!
//! A host is one of the project's servers: its `host_id` (32 hex digits, issued when it is added)
//! is the server id that Heat deployments and the agent URL
//! (`POST /v1/{project_id}/servers/{server_id}/agent`) name. deploy-edge never logs in to a host:
//! the `authorization` Huawei's SDK sends (a user name with a password or a private key) is checked
//! for shape, then discarded: never stored, never answered back.

use super::rules::{DESCRIPTION_MAX, ID, ID_OR_EMPTY, NAME, OPTIONAL_ID, SIZE_MAX};
use crate::domain::wire_enum;
use crate::validate::{Expected, Fields, Report, Rule, StrRule};
use serde::{Deserialize, Serialize};
use serde_json::Value;

wire_enum! {
    /// A host's or a cluster's operating system.
    Os {
        Linux = "linux",
        Windows = "windows",
    }
}

wire_enum! {
    /// Where a cluster's deployments are executed from (`slave_resource_type`).
    SlaveResourceType {
        SelfHosted = "self-hosted",
        Exclusive = "exclusive",
    }
}

/// Host names: 1 to 128 characters.
pub const HOST_NAME_MAX: usize = 128;
/// A login user name (checked, then discarded).
pub const USERNAME_MAX: usize = 255;
/// A password or private key (checked, then discarded): 64 KiB.
pub const SECRET_MAX: usize = 65_536;
/// Most hosts in one cluster (Huawei's limit).
pub const HOSTS_PER_CLUSTER_MAX: usize = 200;
/// A listing's default page size.
pub const PAGE_SIZE_DEFAULT: u32 = 10;

const CLUSTER_KEYS: &[&str] = &[
    "name",
    "project_id",
    "os",
    "is_proxy_mode",
    "slave_cluster_id",
    "slave_resource_type",
    "ansible_type",
    "description",
];
const CLUSTER_UPDATE_KEYS: &[&str] = &[
    "name",
    "description",
    "slave_cluster_id",
    "slave_resource_type",
    "ansible_type",
];
const HOST_KEYS: &[&str] = &[
    "host_name",
    "ip",
    "port",
    "os",
    "as_proxy",
    "authorization",
    "proxy_host_id",
    "install_icagent",
];
const AUTHORIZATION_KEYS: &[&str] = &["username", "password", "private_key", "trusted_type"];
const CLUSTER_LIST_KEYS: &[&str] = &[
    "project_id",
    "name",
    "os",
    "page_index",
    "page_size",
    "sort_field",
    "sort_type",
    "is_proxy_mode",
    "slave_cluster_id",
];
const HOST_LIST_KEYS: &[&str] = &[
    "key_field",
    "environment_id",
    "page_index",
    "page_size",
    "sort_key",
    "sort_dir",
    "as_proxy",
];

const DESCRIPTION: StrRule = StrRule::optional(DESCRIPTION_MAX);
const HOST_NAME: StrRule = StrRule::required(HOST_NAME_MAX).min(1);

fn is_ip(s: &str) -> bool {
    s.parse::<std::net::IpAddr>().is_ok()
}

const IP: StrRule = StrRule::required(45).pattern(is_ip, "an IPv4 or IPv6 address");

/// A new host cluster (`CreateHostClusterRequestBody`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHostCluster {
    pub project_id: String,
    pub name: String,
    pub os: Os,
    pub is_proxy_mode: i64,
    pub slave_cluster_id: Option<String>,
    pub slave_resource_type: Option<SlaveResourceType>,
    pub ansible_type: Option<i64>,
    pub description: Option<String>,
}

/// A cluster's new name and settings (`HostClusterRequest`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostClusterUpdate {
    pub name: String,
    pub description: Option<String>,
    pub slave_cluster_id: Option<String>,
    pub slave_resource_type: Option<SlaveResourceType>,
    pub ansible_type: Option<i64>,
}

/// A new host (`CreateHostRequestBody`); its authorization was checked and is not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHost {
    pub host_name: String,
    pub ip: String,
    pub port: u16,
    pub os: Os,
    pub as_proxy: bool,
    pub proxy_host_id: Option<String>,
    pub install_icagent: bool,
}

/// A page of a listing: 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageOf {
    pub index: u32,
    pub size: u32,
}

impl PageOf {
    /// This page of `items` (empty past the end).
    pub fn of<T>(self, items: Vec<T>) -> Vec<T> {
        let skip = (self.index as usize)
            .saturating_sub(1)
            .saturating_mul(self.size as usize);
        items
            .into_iter()
            .skip(skip)
            .take(self.size as usize)
            .collect()
    }
}

/// The query of `GET /v1/resources/host-groups`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostClusterQuery {
    pub project_id: String,
    /// Part of the name (case-insensitive).
    pub name: Option<String>,
    pub os: Option<Os>,
    pub page: PageOf,
}

/// The query of `GET /v1/resources/host-groups/{group_id}/hosts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostQuery {
    /// Part of the host name or IP (case-insensitive).
    pub key_field: Option<String>,
    pub as_proxy: Option<bool>,
    pub page: PageOf,
}

fn owned(s: Option<&str>) -> Option<String> {
    s.map(str::to_owned)
}

fn optional_text(s: Option<&str>) -> Option<String> {
    s.filter(|s| !s.is_empty()).map(str::to_owned)
}

/// Validates a `POST /v1/resources/host-groups` body.
pub fn parse_new_host_cluster(body: &Value, report: &mut Report) -> Option<NewHostCluster> {
    let mut f = Fields::of(body, "", report)?;
    f.unknown_keys(CLUSTER_KEYS, true);
    let project_id = owned(f.str("project_id", ID));
    let name = owned(f.str("name", NAME));
    let os = f.choice::<Os>("os", true);
    let is_proxy_mode = f.int("is_proxy_mode", true, 0, 1);
    let slave_cluster_id = optional_text(f.str("slave_cluster_id", ID_OR_EMPTY));
    let slave_resource_type = f.choice::<SlaveResourceType>("slave_resource_type", false);
    let ansible_type = f.int("ansible_type", false, 0, 1);
    let description = optional_text(f.str("description", DESCRIPTION));
    if !report.is_valid() {
        return None;
    }
    Some(NewHostCluster {
        project_id: project_id?,
        name: name?,
        os: os?,
        is_proxy_mode: is_proxy_mode?,
        slave_cluster_id,
        slave_resource_type,
        ansible_type,
        description,
    })
}

/// Validates a `PUT /v1/resources/host-groups/{group_id}` body.
pub fn parse_host_cluster_update(body: &Value, report: &mut Report) -> Option<HostClusterUpdate> {
    let mut f = Fields::of(body, "", report)?;
    f.unknown_keys(CLUSTER_UPDATE_KEYS, true);
    let name = owned(f.str("name", NAME));
    let description = optional_text(f.str("description", DESCRIPTION));
    let slave_cluster_id = optional_text(f.str("slave_cluster_id", ID_OR_EMPTY));
    let slave_resource_type = f.choice::<SlaveResourceType>("slave_resource_type", false);
    let ansible_type = f.int("ansible_type", false, 0, 1);
    if !report.is_valid() {
        return None;
    }
    Some(HostClusterUpdate {
        name: name?,
        description,
        slave_cluster_id,
        slave_resource_type,
        ansible_type,
    })
}

/// Checks a host's `authorization` (`trusted_type` 0: a password, 1: a private key) and keeps
/// nothing of it.
fn check_authorization(f: &mut Fields<'_, '_>) {
    let Some(auth) = f.present("authorization") else {
        f.object("authorization", true);
        return;
    };
    let path = f.at("authorization");
    let Some(mut a) = Fields::of(auth, &path, f.report) else {
        return;
    };
    a.unknown_keys(AUTHORIZATION_KEYS, true);
    a.str("username", StrRule::required(USERNAME_MAX).min(1));
    let trusted_type = a.int("trusted_type", true, 0, 1);
    let password = a.str("password", StrRule::optional(SECRET_MAX));
    let private_key = a.str("private_key", StrRule::optional(SECRET_MAX));
    let missing = match trusted_type {
        Some(0) if password.is_none_or(str::is_empty) => Some("password"),
        Some(1) if private_key.is_none_or(str::is_empty) => Some("private_key"),
        _ => None,
    };
    if let Some(key) = missing {
        let at = a.at(key);
        a.report.error(
            &at,
            Rule::Required,
            format_args!(
                "is required when trusted_type is {}",
                trusted_type.unwrap_or(0)
            ),
        );
    }
}

/// Validates a `POST /v1/resources/host-groups/{group_id}/hosts` body.
pub fn parse_new_host(body: &Value, report: &mut Report) -> Option<NewHost> {
    let mut f = Fields::of(body, "", report)?;
    f.unknown_keys(HOST_KEYS, true);
    let host_name = owned(f.str("host_name", HOST_NAME));
    let ip = owned(f.str("ip", IP));
    let port = f.int("port", true, 1, 65_535);
    let os = f.choice::<Os>("os", true);
    let as_proxy = f.bool("as_proxy", true);
    check_authorization(&mut f);
    let proxy_host_id = optional_text(f.str("proxy_host_id", ID_OR_EMPTY));
    let install_icagent = f.bool("install_icagent", false);
    if !report.is_valid() {
        return None;
    }
    Some(NewHost {
        host_name: host_name?,
        ip: ip?,
        port: u16::try_from(port?).ok()?,
        os: os?,
        as_proxy: as_proxy?,
        proxy_host_id,
        install_icagent: install_icagent.unwrap_or(false),
    })
}

/// A whole number from a query parameter (text, as queries carry it), within `min..=max`.
pub(super) fn query_int(f: &mut Fields<'_, '_>, key: &str, min: i64, max: i64) -> Option<i64> {
    let v = f.present(key)?;
    let n = match v {
        Value::String(s) => s.trim().parse::<i64>().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    };
    let at = f.at(key);
    match n {
        Some(n) if (min..=max).contains(&n) => Some(n),
        Some(_) => {
            f.report.error(
                &at,
                Rule::OutOfRange { min, max },
                format_args!("must be between {min} and {max}"),
            );
            None
        }
        None => {
            f.report.error(
                &at,
                Rule::Type {
                    expected: Expected::INTEGER.name,
                },
                "must be a whole number",
            );
            None
        }
    }
}

/// `true` or `false` from a query parameter.
fn query_bool(f: &mut Fields<'_, '_>, key: &str) -> Option<bool> {
    let v = f.present(key)?;
    match v {
        Value::String(s) if s == "true" => Some(true),
        Value::String(s) if s == "false" => Some(false),
        Value::Bool(b) => Some(*b),
        _ => {
            let at = f.at(key);
            f.report.error(
                &at,
                Rule::Type {
                    expected: Expected::BOOLEAN.name,
                },
                "must be true or false",
            );
            None
        }
    }
}

pub(super) fn page_of(f: &mut Fields<'_, '_>) -> PageOf {
    let index = query_int(f, "page_index", 1, i64::from(u32::MAX)).unwrap_or(1);
    let size = query_int(f, "page_size", 1, SIZE_MAX).unwrap_or(i64::from(PAGE_SIZE_DEFAULT));
    PageOf {
        index: u32::try_from(index).unwrap_or(1),
        size: u32::try_from(size).unwrap_or(PAGE_SIZE_DEFAULT),
    }
}

/// Validates the query of `GET /v1/resources/host-groups`: `project_id` (required), `name`, `os`,
/// `page_index`, `page_size` (1 to 100, 10 by default); the sort and filter parameters the SDK may
/// send are accepted.
pub fn parse_host_cluster_query(query: &Value, report: &mut Report) -> Option<HostClusterQuery> {
    let mut f = Fields::of(query, "", report)?;
    f.unknown_keys(CLUSTER_LIST_KEYS, true);
    let project_id = owned(f.str("project_id", ID));
    let name = optional_text(f.str("name", StrRule::optional(NAME.max)));
    let os = f.choice::<Os>("os", false);
    let page = page_of(&mut f);
    f.str("sort_field", StrRule::optional(64));
    f.str("sort_type", StrRule::optional(4));
    query_int(&mut f, "is_proxy_mode", 0, 1);
    f.str("slave_cluster_id", OPTIONAL_ID);
    if !report.is_valid() {
        return None;
    }
    Some(HostClusterQuery {
        project_id: project_id?,
        name,
        os,
        page,
    })
}

/// Validates the query of `GET /v1/resources/host-groups/{group_id}/hosts`.
pub fn parse_host_query(query: &Value, report: &mut Report) -> Option<HostQuery> {
    let mut f = Fields::of(query, "", report)?;
    f.unknown_keys(HOST_LIST_KEYS, true);
    let key_field = optional_text(f.str("key_field", StrRule::optional(HOST_NAME_MAX)));
    f.str("environment_id", OPTIONAL_ID);
    let page = page_of(&mut f);
    f.str("sort_key", StrRule::optional(64));
    f.str("sort_dir", StrRule::optional(4));
    let as_proxy = query_bool(&mut f, "as_proxy");
    if !report.is_valid() {
        return None;
    }
    Some(HostQuery {
        key_field,
        as_proxy,
        page,
    })
}

impl HostQuery {
    /// The hosts this listing asks for (name or IP containing `key_field`, case-insensitive;
    /// proxies or not), in their order, all pages.
    pub fn select(&self, hosts: Vec<Host>) -> Vec<Host> {
        let needle = self.key_field.as_deref().map(str::to_lowercase);
        hosts
            .into_iter()
            .filter(|h| {
                needle.as_deref().is_none_or(|n| {
                    h.host_name.to_lowercase().contains(n) || h.ip.to_lowercase().contains(n)
                })
            })
            .filter(|h| self.as_proxy.is_none_or(|p| h.as_proxy == p))
            .collect()
    }
}

/// A stored host cluster (`p/{project}/hg/{group_id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostCluster {
    pub id: String,
    pub name: String,
    pub os: Os,
    pub is_proxy_mode: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slave_cluster_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slave_resource_type: Option<SlaveResourceType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ansible_type: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub created_ms: u64,
    pub updated_ms: u64,
}

impl HostCluster {
    pub fn create(id: String, new: NewHostCluster, now_ms: u64) -> Self {
        HostCluster {
            id,
            name: new.name,
            os: new.os,
            is_proxy_mode: new.is_proxy_mode,
            slave_cluster_id: new.slave_cluster_id,
            slave_resource_type: new.slave_resource_type,
            ansible_type: new.ansible_type,
            description: new.description,
            created_ms: now_ms,
            updated_ms: now_ms,
        }
    }

    pub fn update(&mut self, update: HostClusterUpdate, now_ms: u64) {
        self.name = update.name;
        self.description = update.description;
        self.slave_cluster_id = update.slave_cluster_id;
        self.slave_resource_type = update.slave_resource_type;
        self.ansible_type = update.ansible_type;
        self.updated_ms = now_ms;
    }
}

/// A stored host (`p/{project}/host/{group_id}/{host_id}`): one of the project's servers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Host {
    /// The host id and the server id its deployments and agent URL name.
    pub id: String,
    pub group_id: String,
    pub host_name: String,
    pub ip: String,
    pub port: u16,
    pub os: Os,
    pub as_proxy: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_host_id: Option<String>,
    #[serde(default)]
    pub install_icagent: bool,
    pub created_ms: u64,
}

impl Host {
    pub fn create(id: String, group_id: &str, new: NewHost, now_ms: u64) -> Self {
        Host {
            id,
            group_id: group_id.to_owned(),
            host_name: new.host_name,
            ip: new.ip,
            port: new.port,
            os: new.os,
            as_proxy: new.as_proxy,
            proxy_host_id: new.proxy_host_id,
            install_icagent: new.install_icagent,
            created_ms: now_ms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const P: &str = "0123456789abcdef0123456789abcdef";

    fn codes(body: Value, parse: fn(&Value, &mut Report) -> bool) -> Vec<(String, String)> {
        let mut r = Report::default();
        parse(&body, &mut r);
        r.errors
            .iter()
            .map(|e| (e.path.clone(), e.code().as_str().to_owned()))
            .collect()
    }

    #[test]
    fn a_cluster_needs_its_project_name_os_and_proxy_mode() {
        let ok = |b: &Value, r: &mut Report| parse_new_host_cluster(b, r).is_some();
        let body = json!({"project_id": P, "name": "web", "os": "linux", "is_proxy_mode": 0});
        assert!(codes(body, ok).is_empty());
        let errors = codes(
            json!({"name": "x", "os": "mac", "is_proxy_mode": 2, "extra": 1}),
            ok,
        );
        let paths: Vec<&str> = errors.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            ["/extra", "/project_id", "/name", "/os", "/is_proxy_mode"]
        );
    }

    #[test]
    fn a_host_needs_a_password_or_a_key_by_its_trusted_type_and_keeps_neither() {
        let ok = |b: &Value, r: &mut Report| parse_new_host(b, r).is_some();
        let host = |auth: Value| {
            json!({"host_name": "web-1", "ip": "10.0.0.7", "port": 22, "os": "linux",
                   "as_proxy": false, "authorization": auth})
        };
        assert!(codes(
            host(json!({"username": "root", "trusted_type": 0, "password": "pw"})),
            ok
        )
        .is_empty());
        assert_eq!(
            codes(host(json!({"username": "root", "trusted_type": 1})), ok),
            [(
                "/authorization/private_key".to_owned(),
                "required".to_owned()
            )]
        );
        let mut r = Report::default();
        let new = parse_new_host(
            &host(json!({"username": "u", "trusted_type": 0, "password": "secret"})),
            &mut r,
        )
        .unwrap();
        assert!(!format!("{new:?}").contains("secret"));
        let bad_ip = json!({"host_name": "h", "ip": "10.0.0.300", "port": 0, "os": "linux",
                            "as_proxy": false, "authorization": {"username": "u", "trusted_type": 0, "password": "p"}});
        let paths: Vec<String> = codes(bad_ip, ok).into_iter().map(|(p, _)| p).collect();
        assert_eq!(paths, ["/ip", "/port"]);
    }

    #[test]
    fn listing_queries_read_numbers_and_booleans_from_text() {
        let mut r = Report::default();
        let q = parse_host_cluster_query(
            &json!({"project_id": P, "page_index": "2", "page_size": "5", "name": "we"}),
            &mut r,
        )
        .unwrap();
        assert_eq!(q.page, PageOf { index: 2, size: 5 });
        let mut r = Report::default();
        assert!(
            parse_host_query(&json!({"as_proxy": "maybe", "page_size": "101"}), &mut r).is_none()
        );
        let paths: Vec<&str> = r.errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["/page_size", "/as_proxy"]);
    }
}
