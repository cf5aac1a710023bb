//! Every stored key, written once: its layout, who writes it ([`Owner`]), whether Workers KV holds
//! a copy, and whether an isolate may cache it.
//!
//! | kind | key | owner | in KV | isolate cache |
//! |---|---|---|---|---|
//! | [`Kind::Token`] | `tok/{sha256(token)}` | edge | yes | yes (immutable) |
//! | [`Kind::ProjectToken`] | `ptok/{project}/{token_id}` | edge | yes | no |
//! | [`Kind::Credential`] | `cred/{access_key}` | edge | yes | yes (immutable) |
//! | [`Kind::Config`] | `p/{project}/cfg/{config_id}` | object | published | yes (immutable) |
//! | [`Kind::Deployment`] | `p/{project}/dep/{bucket}/{deployment_id}` | object | published | no |
//! | [`Kind::ConfigUse`] | `p/{project}/use/{config_id}/{deployment_id}` | object | never | no |
//! | [`Kind::Server`] | `p/{project}/srv/{server_ref}` | object | published | no |
//! | [`Kind::Contact`] | `p/{project}/seen/{server_ref}` | object | never (KV copies made before are imported once) | no |
//! | [`Kind::Application`] | `p/{project}/app/{app_id}` | object | published | no |
//! | [`Kind::ApplicationName`] | `p/{project}/app-name/{name}` | object | published | no |
//! | [`Kind::HostCluster`] | `p/{project}/hg/{group_id}` | object | published | no |
//! | [`Kind::Host`] | `p/{project}/host/{group_id}/{host_id}` | object | published | no |
//! | [`Kind::Environment`] | `p/{project}/env/{app_id}/{environment_id}` | object | published | no |
//! | [`Kind::TaskRuns`] | `p/{project}/runs/{task_id}` | object | never | no |
//! | [`Kind::Execution`] | `p/{project}/run/{task_id}/{record_id}` | object | never | no |
//! | [`Kind::HostRun`] | `p/{project}/runhost/{record_id}/{host_id}` | object | never | no |
//!
//! The edge writes tokens and credentials to KV itself. Everything under `p/{project}/` is the
//! project's, kept by its Durable Object in SQLite (its system of record, [`crate::sql`]); the
//! kinds marked published are copied to KV after each write, where the edge reads them. User-given
//! parts are percent-encoded ([`segment`]), so a `/` in an id cannot escape its prefix.

use sha2::{Digest, Sha256};

/// What a stored key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Token,
    ProjectToken,
    Credential,
    Config,
    Deployment,
    ConfigUse,
    Server,
    Contact,
    Application,
    ApplicationName,
    HostCluster,
    Host,
    Environment,
    /// A deployment task's run counter and its latest record.
    TaskRuns,
    /// One execution record of a deployment task.
    Execution,
    /// One host's steps in an execution record.
    HostRun,
}

/// Where a kind of key is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// The Worker, straight to KV (writes that check nothing stored).
    Edge,
    /// The project's Durable Object, in its SQLite.
    Object,
}

impl Kind {
    /// The kind of a key, from its layout; `None` for a key of no kind.
    pub fn of(key: &str) -> Option<Kind> {
        if let Some(rest) = key.strip_prefix("p/") {
            let (_, rest) = rest.split_once('/')?;
            let (word, _) = rest.split_once('/')?;
            return Some(match word {
                "cfg" => Kind::Config,
                "dep" => Kind::Deployment,
                "use" => Kind::ConfigUse,
                "srv" => Kind::Server,
                "seen" => Kind::Contact,
                "app" => Kind::Application,
                "app-name" => Kind::ApplicationName,
                "hg" => Kind::HostCluster,
                "host" => Kind::Host,
                "env" => Kind::Environment,
                "runs" => Kind::TaskRuns,
                "run" => Kind::Execution,
                "runhost" => Kind::HostRun,
                _ => return None,
            });
        }
        let (word, _) = key.split_once('/')?;
        match word {
            "tok" => Some(Kind::Token),
            "ptok" => Some(Kind::ProjectToken),
            "cred" => Some(Kind::Credential),
            _ => None,
        }
    }

    pub fn owner(self) -> Owner {
        match self {
            Kind::Token | Kind::ProjectToken | Kind::Credential => Owner::Edge,
            _ => Owner::Object,
        }
    }

    /// True for the object's kinds that KV holds a copy of (the edge reads them there). Execution
    /// records are read in the object only.
    pub fn published(self) -> bool {
        self.owner() == Owner::Object
            && !matches!(self, Kind::ConfigUse | Kind::Contact)
            && !self.executions()
    }

    /// True for the kinds of execution records, which exist only in the object's SQLite.
    fn executions(self) -> bool {
        matches!(self, Kind::TaskRuns | Kind::Execution | Kind::HostRun)
    }

    /// True for records that never change once written (Heat has no config update), which an
    /// isolate may keep for a while ([`crate::store::ReadCache`]).
    pub fn immutable(self) -> bool {
        matches!(self, Kind::Token | Kind::Credential | Kind::Config)
    }

    /// True for the kinds a project's object imports from KV the first time it starts
    /// ([`crate::object`]): everything it owns that an earlier version kept in KV.
    pub fn imported(self) -> bool {
        self.owner() == Owner::Object && self != Kind::ConfigUse && !self.executions()
    }
}

/// Percent-encodes a user-supplied key segment so it cannot contain `/` (the key separator) or
/// break KV's key rules. Letters, digits, `-`, `_` and `.` are kept.
pub fn segment(raw: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.');
    utf8_percent_encode(raw, SEGMENT).to_string()
}

/// The smallest string greater than every key that starts with `prefix` (keys are ASCII).
pub fn prefix_end(prefix: &str) -> String {
    let mut end = prefix.as_bytes().to_vec();
    while let Some(last) = end.pop() {
        if last < 0x7f {
            end.push(last + 1);
            break;
        }
    }
    String::from_utf8(end).unwrap_or_default()
}

pub fn token(hash: &str) -> String {
    format!("tok/{hash}")
}

pub fn project_token(project: &str, id: &str) -> String {
    format!("ptok/{project}/{}", segment(id))
}

pub fn project_tokens(project: &str) -> String {
    format!("ptok/{project}/")
}

pub fn credential(access_key: &str) -> String {
    format!("cred/{}", segment(access_key))
}

pub const CREDENTIALS: &str = "cred/";

/// Every key of a project.
pub fn project(project: &str) -> String {
    format!("p/{project}/")
}

/// Hex digits of a server's deployment bucket.
pub const BUCKET_LEN: usize = 8;

/// The bucket of a server id: the first 8 hex digits of its SHA-256. Every deployment id we issue
/// starts with its server's bucket, so a deployment's key follows from its id and a server's
/// deployments share a prefix.
pub fn bucket(server_id: &str) -> String {
    hex::encode(&Sha256::digest(server_id.as_bytes())[..BUCKET_LEN / 2])
}

/// The keys of one project.
#[derive(Debug, Clone, Copy)]
pub struct ProjectKeys<'p> {
    project: &'p str,
}

impl<'p> ProjectKeys<'p> {
    pub fn new(project: &'p str) -> Self {
        ProjectKeys { project }
    }

    pub fn config(&self, id: &str) -> String {
        format!("p/{}/cfg/{}", self.project, segment(id))
    }
    pub fn configs(&self) -> String {
        format!("p/{}/cfg/", self.project)
    }

    /// The key of a deployment, or `None` for an id that cannot be one we issued.
    pub fn deployment(&self, id: &str) -> Option<String> {
        let bucket = id.get(..BUCKET_LEN).filter(|b| {
            b.bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        })?;
        Some(format!("p/{}/dep/{bucket}/{}", self.project, segment(id)))
    }
    pub fn deployments(&self) -> String {
        format!("p/{}/dep/", self.project)
    }
    /// The prefix shared by a server's deployments (and those of servers in the same bucket).
    pub fn server_bucket(&self, server_id: &str) -> String {
        format!("p/{}/dep/{}/", self.project, bucket(server_id))
    }

    /// A deployment's use of a config (what blocks the config's delete).
    pub fn config_use(&self, config_id: &str, deployment_id: &str) -> String {
        format!(
            "p/{}/use/{}/{}",
            self.project,
            segment(config_id),
            segment(deployment_id)
        )
    }
    /// The uses of one config.
    pub fn config_uses(&self, config_id: &str) -> String {
        format!("p/{}/use/{}/", self.project, segment(config_id))
    }

    /// A server's agent record (`server_ref`: 32 hex digits, see `service::agent::capability::server_ref`).
    pub fn server(&self, server_ref: &str) -> String {
        format!("p/{}/srv/{server_ref}", self.project)
    }
    /// When a server's agent last polled.
    pub fn contact(&self, server_ref: &str) -> String {
        format!("p/{}/seen/{server_ref}", self.project)
    }

    pub fn app(&self, id: &str) -> String {
        format!("p/{}/app/{}", self.project, segment(id))
    }
    pub fn apps(&self) -> String {
        format!("p/{}/app/", self.project)
    }
    pub fn app_name(&self, name: &str) -> String {
        format!("p/{}/app-name/{}", self.project, segment(name))
    }

    pub fn host_cluster(&self, id: &str) -> String {
        format!("p/{}/hg/{}", self.project, segment(id))
    }
    pub fn host_clusters(&self) -> String {
        format!("p/{}/hg/", self.project)
    }
    pub fn host(&self, group_id: &str, host_id: &str) -> String {
        format!(
            "p/{}/host/{}/{}",
            self.project,
            segment(group_id),
            segment(host_id)
        )
    }
    /// The hosts of one cluster.
    pub fn hosts_of(&self, group_id: &str) -> String {
        format!("p/{}/host/{}/", self.project, segment(group_id))
    }
    /// Every host of the project.
    pub fn hosts(&self) -> String {
        format!("p/{}/host/", self.project)
    }

    pub fn environment(&self, app_id: &str, id: &str) -> String {
        format!("p/{}/env/{}/{}", self.project, segment(app_id), segment(id))
    }
    /// The environments of one application.
    pub fn environments_of(&self, app_id: &str) -> String {
        format!("p/{}/env/{}/", self.project, segment(app_id))
    }

    pub fn task_runs(&self, task_id: &str) -> String {
        format!("p/{}/runs/{}", self.project, segment(task_id))
    }
    pub fn execution(&self, task_id: &str, record_id: &str) -> String {
        format!(
            "p/{}/run/{}/{}",
            self.project,
            segment(task_id),
            segment(record_id)
        )
    }
    /// The execution records of one deployment task.
    pub fn executions_of(&self, task_id: &str) -> String {
        format!("p/{}/run/{}/", self.project, segment(task_id))
    }
    pub fn host_run(&self, record_id: &str, host_id: &str) -> String {
        format!(
            "p/{}/runhost/{}/{}",
            self.project,
            segment(record_id),
            segment(host_id)
        )
    }
    /// The hosts of one execution record.
    pub fn host_runs_of(&self, record_id: &str) -> String {
        format!("p/{}/runhost/{}/", self.project, segment(record_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn every_key_a_project_writes_has_a_kind_owned_by_its_object() {
        let k = ProjectKeys::new(P);
        let dep = k
            .deployment("0a1b2c3d-0000-4000-8000-000000000000")
            .unwrap();
        for (key, kind, published) in [
            (k.config("c"), Kind::Config, true),
            (dep, Kind::Deployment, true),
            (k.config_use("c", "d"), Kind::ConfigUse, false),
            (k.server(&"a".repeat(32)), Kind::Server, true),
            (k.contact(&"a".repeat(32)), Kind::Contact, false),
            (k.app("x"), Kind::Application, true),
            (k.app_name("my app"), Kind::ApplicationName, true),
            (k.host_cluster("g"), Kind::HostCluster, true),
            (k.host("g", "h"), Kind::Host, true),
            (k.environment("a", "e"), Kind::Environment, true),
            (k.task_runs("t"), Kind::TaskRuns, false),
            (k.execution("t", "r"), Kind::Execution, false),
            (k.host_run("r", "h"), Kind::HostRun, false),
        ] {
            assert_eq!(Kind::of(&key), Some(kind), "{key}");
            assert_eq!(kind.owner(), Owner::Object, "{key}");
            assert_eq!(kind.published(), published, "{key}");
            assert!(key.starts_with(&project(P)), "{key}");
        }
        for (key, kind) in [
            (token("ab"), Kind::Token),
            (project_token(P, "id"), Kind::ProjectToken),
            (credential("AK"), Kind::Credential),
        ] {
            assert_eq!(Kind::of(&key), Some(kind));
            assert_eq!(kind.owner(), Owner::Edge);
            assert!(!kind.published());
        }
        assert_eq!(Kind::of("elsewhere"), None);
        assert_eq!(Kind::of(&format!("p/{P}/other/x")), None);
    }

    #[test]
    fn an_isolate_caches_only_immutable_records() {
        let k = ProjectKeys::new(P);
        assert!(Kind::of(&token("ab")).unwrap().immutable());
        assert!(Kind::of(&credential("AK")).unwrap().immutable());
        assert!(Kind::of(&k.config("1")).unwrap().immutable());
        for key in [
            k.deployments() + "x/1",
            k.server("r"),
            k.app_name("x"),
            k.contact("r"),
        ] {
            assert!(!Kind::of(&key).unwrap().immutable(), "{key}");
        }
    }

    #[test]
    fn key_segments_cannot_contain_separators() {
        assert_eq!(segment("a/b c"), "a%2Fb%20c");
        assert_eq!(segment("dummy_server-1.x"), "dummy_server-1.x");
        let k = ProjectKeys::new(P);
        assert_eq!(Kind::of(&k.config("a/b")), Some(Kind::Config));
    }

    #[test]
    fn a_prefix_ends_just_past_every_key_that_starts_with_it() {
        let end = prefix_end("p/x/dep/");
        assert_eq!(end, "p/x/dep0");
        assert!("p/x/dep/zzzz~~" < end.as_str());
        assert!("p/x/dep0" >= end.as_str());
    }
}
