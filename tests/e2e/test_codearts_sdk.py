"""The official Huawei Cloud Python SDK (huaweicloudsdkcodeartsdeploy) against the Worker.

The SDK signs every call with AK/SK (SDK-HMAC-SHA256) using credentials issued by the admin API,
and deserialises answers into its response models, so these tests check both the signature
verification and that our JSON fits the SDK's models (booleans, ints, `steps` as an object).
"""
from __future__ import annotations

import json
import secrets

import pytest

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkcodeartsdeploy.v2 import (
    AppBatchDeleteRequest, BatchDeleteAppRequest, CheckIsDuplicateAppNameRequest, CodeArtsDeployClient,
    CopyApplicationRequest, CreateAppRequest, CreateAppRequestBody, DeleteApplicationRequest,
    DeployV2OperationsDO, ListAllAppRequest, ListAllAppRequestBody, ShowAppDetailByIdRequest, TaskTriggerVO,
    TaskV2RequestBody, UpdateAppDisableStatusRequest, UpdateAppDisableStatusRequestBody, UpdateAppInfoRequest,
    UpdateAppInfoRequestBody, UpdateTaskV2RequestBody)

TEMPLATE = "ec939bdf63194aca9fad45b3ba05643e"


def client_for(url, ak, sk, project_id=None):
    creds = BasicCredentials(ak, sk, project_id) if project_id else BasicCredentials(ak, sk)
    return CodeArtsDeployClient.new_builder().with_credentials(creds).with_endpoints([url]).build()


@pytest.fixture
def sdk(worker):
    pid = secrets.token_hex(16)
    cred = worker.new_credentials(pid)
    c = client_for(worker.url, cred["access_key"], cred["secret_key"], pid)
    c.pid, c.cred = pid, cred
    return c


def create(client, name, **kw):
    body = CreateAppRequestBody(
        project_id=client.pid, name=name, description="demo", is_draft=False, create_type="template",
        slave_cluster_id="", trigger=TaskTriggerVO(trigger_source="0"),
        arrange_infos=[TaskV2RequestBody(deploy_system="deployTemplate", template_id=TEMPLATE)], **kw)
    return client.create_app(CreateAppRequest(body=body))


def test_the_whole_lifecycle_through_the_sdk(sdk):
    created = create(sdk, "sdk_app-1")
    assert created.status_code == 200 and created.status == "success"
    app_id, task_id = created.result.id, created.result.arrange_infos[0].id
    assert len(app_id) == 32 and len(task_id) == 32 and created.result.name == "sdk_app-1"

    # The seed's update body, with the ids replaced by real ones.
    seed = UpdateAppInfoRequestBody(
        id=app_id, project_id=sdk.pid, name="deployenv20230822192953", description="Update an application.",
        trigger=TaskTriggerVO(trigger_source="0", artifact_source_system="", artifact_type=""),
        slave_cluster_id="", create_type="template", is_draft=True,
        arrange_infos=[UpdateTaskV2RequestBody(
            id=task_id, deploy_system="deployTemplate", template_id=TEMPLATE,
            operation_list=[DeployV2OperationsDO(name="Install (step 1)", params=json.dumps({"port": 8080}))])])
    updated = sdk.update_app_info(UpdateAppInfoRequest(body=seed))
    assert updated.status == "success"
    assert updated.result.id == app_id and updated.result.name == "deployenv20230822192953"
    assert [a.id for a in updated.result.arrange_infos] == [task_id]
    assert isinstance(updated.result.region, str)

    detail = sdk.show_app_detail_by_id(ShowAppDetailByIdRequest(app_id=app_id))
    d = detail.result
    assert detail.status == "success"
    assert d.id == app_id and d.name == "deployenv20230822192953" and d.project_id == sdk.pid
    assert d.description == "Update an application." and d.create_type == "template"
    assert d.is_disable is False and d.can_modify is True
    task = d.arrange_infos[0]
    assert task.id == task_id and task.template_id == TEMPLATE and task.is_defaut_permission is True
    assert task.steps["step1"].name == "Install (step 1)" and task.steps["step1"].params == {"port": "8080"}
    assert task.steps["step1"].enable is True
    assert len(d.create_time) == 19 and d.update_time >= d.create_time

    other = create(sdk, "another_app").result
    listed = sdk.list_all_app(ListAllAppRequest(body=ListAllAppRequestBody(
        project_id=sdk.pid, page=1, size=10, sort_name="name", sort_by="ASC")))
    assert listed.total_num == 2
    assert [a.name for a in listed.result] == ["another_app", "deployenv20230822192953"]
    row = listed.result[1]
    assert row.id == app_id and row.is_disable is False and row.execution_state == "not_executed"
    assert row.arrange_infos[0].id == task_id and row.arrange_infos[0].state == "not_executed"
    page2 = sdk.list_all_app(ListAllAppRequest(body=ListAllAppRequestBody(
        project_id=sdk.pid, page=2, size=1, sort_name="name", sort_by="ASC")))
    assert page2.total_num == 2 and [a.id for a in page2.result] == [app_id]

    disabled = sdk.update_app_disable_status(UpdateAppDisableStatusRequest(
        app_id=app_id, body=UpdateAppDisableStatusRequestBody(is_disable=True)))
    assert disabled.status == "success"
    assert sdk.show_app_detail_by_id(ShowAppDetailByIdRequest(app_id=app_id)).result.is_disable is True

    copy = sdk.copy_application(CopyApplicationRequest(app_id=app_id))
    assert copy.status == "success"
    assert copy.result.name == "deployenv20230822192953_copy" and copy.result.is_disable is False
    assert copy.result.id != app_id and len(copy.result.id) == 32
    copy2 = sdk.copy_application(CopyApplicationRequest(app_id=app_id))
    assert copy2.result.name == "deployenv20230822192953_copy_2"

    exist = sdk.check_is_duplicate_app_name(CheckIsDuplicateAppNameRequest(
        name="deployenv20230822192953", project_id=sdk.pid))
    assert exist.status == "success" and exist.result is True
    absent = sdk.check_is_duplicate_app_name(CheckIsDuplicateAppNameRequest(name="sdk_app-1", project_id=sdk.pid))
    assert absent.result is False

    deleted = sdk.delete_application(DeleteApplicationRequest(app_id=app_id))
    assert deleted.status == "success" and deleted.result.id == app_id
    assert [a.id for a in deleted.result.arrange_infos] == [task_id]

    missing = secrets.token_hex(16)
    batch = sdk.batch_delete_app(BatchDeleteAppRequest(body=AppBatchDeleteRequest(
        project_id=sdk.pid, application_ids=[other.id, copy.result.id, missing])))
    assert batch.total_num == 3
    assert [(r.application_id, r.status) for r in batch.result] == [
        (other.id, "success"), (copy.result.id, "success"), (missing, "error")]
    assert batch.result[0].application_name == "another_app"
    assert missing in batch.result[2].error_reason
    rest = sdk.list_all_app(ListAllAppRequest(body=ListAllAppRequestBody(project_id=sdk.pid, page=1, size=10)))
    assert [a.id for a in rest.result] == [copy2.result.id]


def test_a_missing_app_is_deploy_00011020(sdk):
    with pytest.raises(exceptions.ClientRequestException) as e:
        sdk.show_app_detail_by_id(ShowAppDetailByIdRequest(app_id=secrets.token_hex(16)))
    assert e.value.status_code == 404 and e.value.error_code == "Deploy.00011020"
    assert len(e.value.request_id) == 32
    with pytest.raises(exceptions.ClientRequestException) as e:
        sdk.delete_application(DeleteApplicationRequest(app_id=secrets.token_hex(16)))
    assert e.value.error_code == "Deploy.00011020"


def test_a_taken_name_is_deploy_00011001(sdk):
    create(sdk, "dup_name")
    with pytest.raises(exceptions.ClientRequestException) as e:
        create(sdk, "dup_name")
    assert e.value.status_code == 400 and e.value.error_code == "Deploy.00011001"
    assert "dup_name" in e.value.error_msg


def test_a_wrong_secret_key_is_dev_00000002(sdk, worker):
    bad = client_for(worker.url, sdk.cred["access_key"], "0" * 40, sdk.pid)
    with pytest.raises(exceptions.ClientRequestException) as e:
        bad.check_is_duplicate_app_name(CheckIsDuplicateAppNameRequest(name="abc", project_id=sdk.pid))
    assert e.value.status_code == 401 and e.value.error_code == "DEV.00000002"


def test_a_client_without_a_project_id_works_and_validation_errors_reach_the_sdk(sdk, worker):
    bare = client_for(worker.url, sdk.cred["access_key"], sdk.cred["secret_key"])
    bare.pid = sdk.pid
    assert create(bare, "no_header_app").result.name == "no_header_app"
    with pytest.raises(exceptions.ClientRequestException) as e:
        bare.list_all_app(ListAllAppRequest(body=ListAllAppRequestBody(project_id=sdk.pid, page=0, size=500)))
    assert e.value.status_code == 400 and e.value.error_code == "EDGE.00000400"
    assert "page" in e.value.error_msg and "size" in e.value.error_msg


def test_another_projects_id_is_deploy_00011154(sdk, worker):
    other = secrets.token_hex(16)
    with pytest.raises(exceptions.ClientRequestException) as e:
        sdk.list_all_app(ListAllAppRequest(body=ListAllAppRequestBody(project_id=other, page=1, size=10)))
    assert e.value.status_code == 403 and e.value.error_code == "Deploy.00011154"
    # Credentials of project A presented with project B in X-Project-Id (signed): 403 too.
    cross = client_for(worker.url, sdk.cred["access_key"], sdk.cred["secret_key"], other)
    with pytest.raises(exceptions.ClientRequestException) as e:
        cross.check_is_duplicate_app_name(CheckIsDuplicateAppNameRequest(name="abc", project_id=other))
    assert e.value.error_code == "Deploy.00011154"
