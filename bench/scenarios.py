"""CodeArts scenarios for bench/load.py: update-application and application info, each with a
project token and with AK/SK signing, so the cost of signature verification is visible.

A signed request is signed once (its X-Sdk-Date stays valid for 15 minutes, longer than a run)
and replayed by wrk: the Worker verifies the full signature on every request.
"""
import json
import sys
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
from huawei_signer import Signed  # noqa: E402

TEMPLATE = "ec939bdf63194aca9fad45b3ba05643e"


def scenarios(base, admin, lua):
    import secrets

    project = secrets.token_hex(16)
    auth = {"Authorization": f"Bearer {admin}"}
    token = requests.post(f"{base}/admin/v1/projects/{project}/tokens", headers=auth).json()["token"]
    cred = requests.post(f"{base}/admin/v1/projects/{project}/credentials", headers=auth).json()
    h = {"X-Auth-Token": token, "Content-Type": "application/json", "Accept": "application/json"}
    create = {"project_id": project, "name": "bench_app", "description": "bench", "is_draft": False,
              "create_type": "template", "slave_cluster_id": "", "trigger": {"trigger_source": "0"},
              "arrange_infos": [{"deploy_system": "deployTemplate", "template_id": TEMPLATE}]}
    app = requests.post(f"{base}/v1/applications", headers=h, json=create).json()["result"]
    # The seed's update body (CodeArts "Updating an Application"), with this app's ids.
    update = json.dumps({
        "id": app["id"], "name": "bench_app", "project_id": project, "description": "Update an application.",
        "trigger": {"trigger_source": 0, "artifact_source_system": "", "artifact_type": ""},
        "slave_cluster_id": "", "create_type": "template", "is_draft": True,
        "arrange_infos": [{"id": app["arrange_infos"][0]["id"], "deploy_system": "deployTemplate",
                           "template_id": TEMPLATE, "operation_list": []}],
    })
    signer = Signed(base, cred["access_key"], cred["secret_key"], project)
    signed_update = signer.prepare("PUT", "/v1/applications", body=update.encode())
    info_path = f"/v1/applications/{app['id']}/info"
    signed_info = signer.prepare("GET", info_path)
    plain = lambda p: {k: v for k, v in p["headers"].items() if k != "Host"}  # noqa: E731
    return {
        "app update (token)": (f"{base}/v1/applications", lua("PUT", h, body=update), ("PUT", f"{base}/v1/applications", update, h)),
        "app update (AK/SK)": (f"{base}/v1/applications", lua("PUT", plain(signed_update), body=update),
                               ("PUT", f"{base}/v1/applications", update, signed_update["headers"])),
        "app info (token)": (f"{base}{info_path}", lua("GET", h), ("GET", f"{base}{info_path}", None, h)),
        "app info (AK/SK)": (f"{base}{info_path}", lua("GET", plain(signed_info)),
                             ("GET", f"{base}{info_path}", None, signed_info["headers"])),
    }
