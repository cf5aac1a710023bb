"""python-heatclient 5.3.0, unmodified, driving the Worker: every software_configs and
software_deployments method, checking what the client returns and the errors it shows its user."""
from __future__ import annotations

import re

import pytest
from heatclient import client as heat_client
from heatclient import exc

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def client_for(project, token: str | None = None):
    return heat_client.Client("1", endpoint=project.url, token=project.token if token is None else token)


@pytest.fixture
def hc(project):
    return client_for(project)


@pytest.fixture
def config(hc):
    return hc.software_configs.create(
        name="hc-config", group="script", config="#!/bin/sh\necho $foo > $heat_outputs_path.result",
        inputs=[{"name": "foo", "default": "bar"}, {"name": "n", "type": "Number"}],
        outputs=[{"name": "result"}], options={"k": "v"})


def test_software_configs_create_returns_the_stored_config(hc, config):
    assert re.fullmatch(r"[0-9a-f-]{36}", config.id)
    assert (config.name, config.group) == ("hc-config", "script")
    assert config.config.startswith("#!/bin/sh")
    assert config.inputs == [{"name": "foo", "type": "String", "default": "bar"},
                             {"name": "n", "type": "Number"}]
    assert config.outputs == [{"name": "result", "type": "String", "error_output": False}]
    assert config.options == {"k": "v"}
    assert TIME.match(config.creation_time)


def test_software_configs_get_returns_what_create_returned(hc, config):
    got = hc.software_configs.get(config.id)
    assert got.to_dict() == config.to_dict()


def test_software_configs_list_is_newest_first_and_honours_limit_and_marker(hc):
    made = [hc.software_configs.create(name=f"c{i}", group="script", config="x") for i in range(3)]
    listed = hc.software_configs.list()
    assert [c.id for c in listed] == [c.id for c in reversed(made)]
    assert all(set(c.to_dict()) == {"id", "name", "group", "creation_time"} for c in listed)
    assert [c.name for c in hc.software_configs.list(limit=2)] == ["c2", "c1"]
    assert [c.name for c in hc.software_configs.list(limit=1, marker=made[1].id)] == ["c0"]


def test_software_configs_delete_removes_the_config(hc, config):
    assert hc.software_configs.delete(config.id) is None
    assert hc.software_configs.list() == []
    with pytest.raises(exc.HTTPNotFound):
        hc.software_configs.get(config.id)


def test_an_unknown_config_raises_http_not_found_with_heats_message(hc):
    with pytest.raises(exc.HTTPNotFound) as e:
        hc.software_configs.get("does-not-exist")
    assert str(e.value) == "ERROR: Software config with id does-not-exist not found"
    with pytest.raises(exc.HTTPNotFound) as e:
        hc.software_configs.delete("does-not-exist")
    assert "Software config with id does-not-exist not found" in str(e.value)


def test_a_bad_limit_raises_http_bad_request_naming_limit(hc, config):
    with pytest.raises(exc.HTTPBadRequest) as e:
        hc.software_configs.list(limit="many")
    assert "limit" in str(e.value)


def test_an_invalid_config_raises_http_bad_request_naming_the_field(hc):
    with pytest.raises(exc.HTTPBadRequest) as e:
        hc.software_configs.create(name="bad", inputs=[{"name": "x", "type": "Strng"}])
    assert "inputs[0].type" in str(e.value)
    assert hc.software_configs.list() == []


def test_software_deployments_create_returns_the_deployment(hc, config):
    d = hc.software_deployments.create(config_id=config.id, server_id="vm-1", action="CREATE",
                                       status="IN_PROGRESS", status_reason="Deploy data available",
                                       input_values={"n": 3})
    assert re.fullmatch(r"[0-9a-f-]{36}", d.id)
    assert (d.config_id, d.server_id, d.action, d.status, d.status_reason) == \
        (config.id, "vm-1", "CREATE", "IN_PROGRESS", "Deploy data available")
    assert d.input_values == {"n": 3}
    assert d.output_values is None
    assert TIME.match(d.creation_time)
    assert "updated_time" not in d.to_dict()


def test_software_deployments_list_filters_by_server_oldest_first(hc, config):
    a1 = hc.software_deployments.create(config_id=config.id, server_id="a")
    b1 = hc.software_deployments.create(config_id=config.id, server_id="b")
    a2 = hc.software_deployments.create(config_id=config.id, server_id="a")
    assert [d.id for d in hc.software_deployments.list(server_id="a")] == [a1.id, a2.id]
    assert [d.id for d in hc.software_deployments.list(server_id="b")] == [b1.id]
    assert [d.id for d in hc.software_deployments.list()] == [a1.id, b1.id, a2.id]
    assert hc.software_deployments.list(server_id="nobody") == []


def test_software_deployments_get_update_and_get_again_show_the_new_state(hc, config):
    d = hc.software_deployments.create(config_id=config.id, server_id="vm", action="CREATE",
                                       status="IN_PROGRESS")
    assert hc.software_deployments.get(d.id).to_dict() == d.to_dict()
    u = hc.software_deployments.update(d.id, status="COMPLETE", status_reason="Outputs received",
                                       output_values={"result": "hello", "deploy_status_code": 0})
    assert (u.id, u.status, u.status_reason) == (d.id, "COMPLETE", "Outputs received")
    assert u.output_values == {"result": "hello", "deploy_status_code": 0}
    assert TIME.match(u.updated_time)
    assert hc.software_deployments.get(d.id).to_dict() == u.to_dict()


def test_software_deployments_metadata_returns_the_derived_configs(hc, config):
    other = hc.software_configs.create(name="a-first", group="ansible", config="---")
    hc.software_deployments.create(config_id=config.id, server_id="vm", input_values={"n": 7})
    hc.software_deployments.create(config_id=other.id, server_id="vm")
    md = hc.software_deployments.metadata("vm")
    assert isinstance(md, list)
    assert [m["name"] for m in md] == ["a-first", "hc-config"]
    # Each item is the deployment's own derived config: its id is not the shared config's.
    assert md[1]["id"] != config.id and md[1]["group"] == "script"
    assert [(i["name"], i["value"]) for i in md[1]["inputs"]] == [
        ("foo", "bar"), ("n", 7), ("deploy_server_id", "vm"), ("deploy_action", "INIT"),
        ("deploy_signal_transport", "NO_SIGNAL")]
    assert hc.software_deployments.metadata("no-such-server") == []


def test_software_deployments_delete_removes_the_deployment(hc, config):
    d = hc.software_deployments.create(config_id=config.id, server_id="vm")
    assert hc.software_deployments.delete(d.id) is None
    assert hc.software_deployments.list(server_id="vm") == []
    with pytest.raises(exc.HTTPNotFound) as e:
        hc.software_deployments.get(d.id)
    assert str(e.value) == f"ERROR: Deployment with id {d.id} not found"


def test_a_deployment_without_server_id_raises_http_bad_request_naming_server_id(hc, config):
    with pytest.raises(exc.HTTPBadRequest) as e:
        hc.software_deployments.create(config_id=config.id, action="CREATE")
    assert "server_id" in str(e.value)
    assert hc.software_deployments.list() == []


def test_a_bad_status_on_update_raises_http_bad_request_naming_status(hc, config):
    d = hc.software_deployments.create(config_id=config.id, server_id="vm")
    with pytest.raises(exc.HTTPBadRequest) as e:
        hc.software_deployments.update(d.id, status="DONE")
    assert "status" in str(e.value)
    assert hc.software_deployments.get(d.id).status == "COMPLETE"


def test_a_deployment_of_an_unknown_config_raises_http_not_found(hc):
    with pytest.raises(exc.HTTPNotFound) as e:
        hc.software_deployments.create(config_id="missing", server_id="vm")
    assert str(e.value) == "ERROR: Software config with id missing not found"


def test_deleting_a_config_in_use_raises_http_conflict_until_the_deployment_is_gone(hc, config):
    d = hc.software_deployments.create(config_id=config.id, server_id="vm")
    with pytest.raises(exc.HTTPConflict) as e:
        hc.software_configs.delete(config.id)
    assert config.id in str(e.value) and d.id in str(e.value)
    assert hc.software_configs.get(config.id).id == config.id
    hc.software_deployments.delete(d.id)
    hc.software_configs.delete(config.id)
    assert hc.software_configs.list() == []


def test_another_projects_token_raises_http_forbidden(worker, project, hc, config):
    intruder = worker.new_project()
    with pytest.raises(exc.HTTPForbidden):
        client_for(project, token=intruder.token).software_configs.get(config.id)


def test_an_unknown_token_raises_http_unauthorized(project, config):
    with pytest.raises(exc.HTTPUnauthorized) as e:
        client_for(project, token="0" * 64).software_configs.list()
    assert "Authentication failed" in str(e.value)
