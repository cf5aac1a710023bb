"""Host clusters and hosts through Huawei's Python SDK (huaweicloudsdkcodeartsdeploy 3.1.219,
`/v1/resources/host-groups`), AK/SK signed, against the Worker; a host's connection is its
agent's last poll of the agent URL issued for the host's id (the server id).
"""
from __future__ import annotations

import secrets

import pytest
import requests

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkcodeartsdeploy.v2 import (
    CodeArtsDeployClient, CreateHostClusterRequest, CreateHostClusterRequestBody, CreateHostRequest,
    CreateHostRequestBody, DeleteHostClusterRequest, DeleteHostRequest, HostAuthorizationBody,
    HostClusterRequest, ListHostClustersRequest, ListNewHostsRequest, ShowHostClusterDetailRequest,
    ShowHostDetailRequest, UpdateHostClusterRequest)


@pytest.fixture
def sdk(worker):
    project = worker.new_project()
    cred = worker.new_credentials(project.id)
    creds = BasicCredentials(cred["access_key"], cred["secret_key"], project.id)
    c = CodeArtsDeployClient.new_builder().with_credentials(creds).with_endpoints([worker.url]).build()
    c.pid, c.project = project.id, project
    return c


def cluster(sdk, name, os="linux"):
    body = CreateHostClusterRequestBody(name=name, project_id=sdk.pid, os=os, is_proxy_mode=0,
                                        description="the web tier")
    return sdk.create_host_cluster(CreateHostClusterRequest(body=body))


def host(sdk, group_id, name, ip, os="linux", secret="s3cret-password-never-kept"):
    auth = HostAuthorizationBody(username="root", password=secret, trusted_type=0)
    body = CreateHostRequestBody(host_name=name, ip=ip, port=22, os=os, as_proxy=False, authorization=auth)
    return sdk.create_host(CreateHostRequest(group_id=group_id, body=body))


def test_clusters_and_hosts_through_the_sdk_with_the_agents_connection(sdk, worker):
    created = cluster(sdk, "web_tier")
    assert created.status == "success" and len(created.id) == 32
    gid = created.id
    cluster(sdk, "win_tier", os="windows")

    listed = sdk.list_host_clusters(ListHostClustersRequest(project_id=sdk.pid))
    assert listed.status == "success" and listed.total == 2
    assert [c.name for c in listed.result] == ["win_tier", "web_tier"]  # newest first
    linux = sdk.list_host_clusters(ListHostClustersRequest(project_id=sdk.pid, os="linux", page_size=1))
    assert linux.total == 1 and linux.result[0].id == gid and linux.result[0].host_count == 0

    detail = sdk.show_host_cluster_detail(ShowHostClusterDetailRequest(group_id=gid))
    assert detail.result.name == "web_tier" and detail.result.os == "linux"
    assert detail.result.description == "the web tier" and len(detail.result.created_time) == 19

    renamed = sdk.update_host_cluster(UpdateHostClusterRequest(
        group_id=gid, body=HostClusterRequest(name="web_servers", description="renamed")))
    assert renamed.status == "success" and renamed.id == gid
    assert sdk.show_host_cluster_detail(ShowHostClusterDetailRequest(group_id=gid)).result.name == "web_servers"

    added = host(sdk, gid, "web-1", "10.0.0.11")
    hid = added.id
    host(sdk, gid, "web-2", "10.0.0.12")
    hosts = sdk.list_new_hosts(ListNewHostsRequest(group_id=gid))
    assert hosts.total == 2 and [h.host_name for h in hosts.result] == ["web-1", "web-2"]
    first = hosts.result[0]
    assert first.uuid == hid and first.ip == "10.0.0.11" and first.port == 22 and first.os == "linux"
    assert first.connection_status == "unknown" and first.lastest_connection_time is None
    assert first.authorization is None  # never kept, never answered
    only = sdk.list_new_hosts(ListNewHostsRequest(group_id=gid, key_field="0.0.12"))
    assert [h.host_name for h in only.result] == ["web-2"]
    assert sdk.list_host_clusters(ListHostClustersRequest(project_id=sdk.pid, name="web")).result[0].host_count == 2

    # The host is a server: its agent URL is issued for its id, and its poll is its connection.
    issued = requests.post(f"{sdk.project.url}/servers/{hid}/agent",
                           headers={"X-Auth-Token": sdk.project.token}, timeout=30)
    assert issued.status_code == 201, issued.text
    assert requests.get(issued.json()["metadata_url"], timeout=30).status_code == 200
    shown = None
    for _ in range(50):  # the contact reaches the project's object off the poll's path
        shown = sdk.show_host_detail(ShowHostDetailRequest(group_id=gid, host_id=hid)).result
        if shown.connection_status == "success":
            break
    assert shown.connection_status == "success" and len(shown.lastest_connection_time) == 19
    assert shown.host_id == hid and shown.group_id == gid and shown.authorization is None

    deleted = sdk.delete_host(DeleteHostRequest(group_id=gid, host_id=hid))
    assert deleted.status == "success" and deleted.id == hid
    with pytest.raises(exceptions.ClientRequestException) as e:
        sdk.show_host_detail(ShowHostDetailRequest(group_id=gid, host_id=hid))
    assert e.value.status_code == 404
    assert sdk.delete_host_cluster(DeleteHostClusterRequest(group_id=gid)).id == gid
    with pytest.raises(exceptions.ClientRequestException) as e:
        sdk.list_new_hosts(ListNewHostsRequest(group_id=gid))
    assert e.value.status_code == 404


def test_no_authorization_is_stored_or_answered(sdk, worker):
    gid = cluster(sdk, "secrets").id
    secret = "pw-" + secrets.token_hex(16)
    hid = host(sdk, gid, "db-1", "10.1.0.1", secret=secret).id
    for r in [sdk.list_new_hosts(ListNewHostsRequest(group_id=gid)),
              sdk.show_host_detail(ShowHostDetailRequest(group_id=gid, host_id=hid))]:
        assert secret not in str(r.to_dict())
    files = [f for f in worker.state_dir.rglob("*") if f.is_file()]
    assert files, "the Worker keeps its KV and SQLite under state_dir"
    for f in files:  # KV and every project's SQLite, as written to disk
        assert secret.encode() not in f.read_bytes(), f


def test_a_host_must_have_its_clusters_os_and_bad_input_names_the_field(sdk):
    gid = cluster(sdk, "linux_only").id
    with pytest.raises(exceptions.ClientRequestException) as e:
        host(sdk, gid, "win-1", "10.2.0.1", os="windows")
    assert e.value.status_code == 400 and e.value.error_code == "EDGE.00000400"
    assert "/os" in e.value.error_msg or "os" in e.value.error_msg
    with pytest.raises(exceptions.ClientRequestException) as e:
        host(sdk, gid, "bad", "not-an-ip")
    assert e.value.status_code == 400 and "ip" in e.value.error_msg
    with pytest.raises(exceptions.ClientRequestException) as e:
        host(sdk, secrets.token_hex(16), "x", "10.2.0.2")
    assert e.value.status_code == 404


def test_another_projects_clusters_are_invisible(sdk, worker):
    gid = cluster(sdk, "mine").id
    other = worker.new_project()
    r = requests.get(f"{worker.url}/v1/resources/host-groups/{gid}", headers={"X-Auth-Token": other.token}, timeout=30)
    assert r.status_code == 404 and r.json()["error_code"] == "Deploy.00011020"
    r = requests.get(f"{worker.url}/v1/resources/host-groups", params={"project_id": sdk.pid},
                     headers={"X-Auth-Token": other.token}, timeout=30)
    assert r.status_code == 403 and r.json()["error_code"] == "Deploy.00011154"


def test_an_applications_environment_of_imported_hosts_through_the_sdk(sdk):
    from huaweicloudsdkcodeartsdeploy.v2 import (
        CreateAppRequest, CreateAppRequestBody, CreateEnvironmentRequest, DeleteApplicationRequest,
        DeleteEnvironmentRequest, DeleteHostFromEnvironmentRequest, EnvironmentRequestBody,
        ImportHostToEnvironmentRequest, ImportHostToEnvironmentRequestBody, ListEnvironmentHostsRequest,
        ListEnvironmentsRequest, ShowEnvironmentDetailRequest, TaskV2RequestBody)
    app = sdk.create_app(CreateAppRequest(body=CreateAppRequestBody(
        project_id=sdk.pid, name="env_app", is_draft=False, create_type="template",
        arrange_infos=[TaskV2RequestBody(deploy_system="deployTemplate")]))).result.id
    gid = cluster(sdk, "env_hosts").id
    h1, h2 = host(sdk, gid, "app-1", "10.3.0.1").id, host(sdk, gid, "app-2", "10.3.0.2").id
    win = cluster(sdk, "env_win", os="windows").id
    w1 = host(sdk, win, "win-1", "10.3.1.1", os="windows").id

    created = sdk.create_environment(CreateEnvironmentRequest(application_id=app, body=EnvironmentRequestBody(
        project_id=sdk.pid, name="production", deploy_type=0, os="linux", description="live")))
    assert created.status == "success" and len(created.id) == 32
    env = created.id
    with pytest.raises(exceptions.ClientRequestException) as e:  # one name per application
        sdk.create_environment(CreateEnvironmentRequest(application_id=app, body=EnvironmentRequestBody(
            project_id=sdk.pid, name="production", deploy_type=0, os="linux")))
    assert e.value.status_code == 400

    imported = sdk.import_host_to_environment(ImportHostToEnvironmentRequest(
        application_id=app, environment_id=env, body=ImportHostToEnvironmentRequestBody(group_id=gid, host_ids=[h1, h2])))
    assert imported.status == "success" and imported.result == [h1, h2]
    with pytest.raises(exceptions.ClientRequestException) as e:  # a windows host in a linux environment
        sdk.import_host_to_environment(ImportHostToEnvironmentRequest(
            application_id=app, environment_id=env, body=ImportHostToEnvironmentRequestBody(group_id=win, host_ids=[w1])))
    assert e.value.status_code == 400 and e.value.error_code == "EDGE.00000400"

    listed = sdk.list_environments(ListEnvironmentsRequest(application_id=app, project_id=sdk.pid))
    assert listed.total == 1 and listed.result[0].name == "production" and listed.result[0].instance_count == 2
    detail = sdk.show_environment_detail(ShowEnvironmentDetailRequest(application_id=app, environment_id=env))
    assert detail.result.os == "linux" and detail.result.deploy_type == 0

    hosts = sdk.list_environment_hosts(ListEnvironmentHostsRequest(application_id=app, environment_id=env))
    assert hosts.total == 2 and [h.host_id for h in hosts.result] == [h1, h2]
    assert hosts.result[0].connection_status == "unknown" and hosts.result[0].group_id == gid

    removed = sdk.delete_host_from_environment(DeleteHostFromEnvironmentRequest(
        application_id=app, environment_id=env, host_id=h1))
    assert removed.status == "success" and removed.result == env
    hosts = sdk.list_environment_hosts(ListEnvironmentHostsRequest(application_id=app, environment_id=env))
    assert [h.host_id for h in hosts.result] == [h2]
    # A host deleted from its cluster drops out of the environment.
    sdk.delete_host(DeleteHostRequest(group_id=gid, host_id=h2))
    assert sdk.list_environment_hosts(ListEnvironmentHostsRequest(application_id=app, environment_id=env)).total == 0

    assert sdk.delete_environment(DeleteEnvironmentRequest(application_id=app, environment_id=env)).id == env
    with pytest.raises(exceptions.ClientRequestException) as e:
        sdk.show_environment_detail(ShowEnvironmentDetailRequest(application_id=app, environment_id=env))
    assert e.value.status_code == 404
    # An application's environments go with it.
    again = sdk.create_environment(CreateEnvironmentRequest(application_id=app, body=EnvironmentRequestBody(
        project_id=sdk.pid, name="staging", deploy_type=0, os="linux"))).id
    sdk.delete_application(DeleteApplicationRequest(app_id=app))
    with pytest.raises(exceptions.ClientRequestException) as e:
        sdk.show_environment_detail(ShowEnvironmentDetailRequest(application_id=app, environment_id=again))
    assert e.value.status_code == 404
