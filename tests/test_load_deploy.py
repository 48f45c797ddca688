"""The deployment files agree with what is tested here: haproxy accepts both proxy configurations
(`make serve`'s template and the compose one), and the compose file and Kubernetes manifests use the
same port, health path, store path, affinity cookie and one cookie secret for every replica.
(No container runtime runs here: building and running them is not tested; deploy/README.md.)"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"


def _haproxy():
    spec = importlib.util.spec_from_file_location("serve", ROOT / "scripts" / "serve.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _check(cfg: Path, env=None):
    binary = _haproxy().haproxy_binary()
    assert binary, "haproxy saknas: kör 'make system-deps'"
    r = subprocess.run([binary, "-c", "-f", str(cfg)], capture_output=True, text=True, env={**os.environ, **(env or {})})
    assert r.returncode == 0, r.stdout + r.stderr


def test_the_rendered_proxy_configuration_is_valid(tmp_path):
    serve = _haproxy()
    text = serve.render_config(tmp_path, "127.0.0.1", 18500, [("r1", 18501), ("r2", 18502), ("r3", 18503)])
    assert not re.search(r"\{\w+\}", text)  # every placeholder filled
    assert re.findall(r"server (r\d) 127\.0\.0\.1:(\d+) cookie (r\d)", text) == [
        ("r1", "18501", "r1"), ("r2", "18502", "r2"), ("r3", "18503", "r3")]
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(text)
    _check(cfg)


def test_the_compose_proxy_configuration_is_valid_and_has_the_same_settings(tmp_path):
    _check(DEPLOY / "compose" / "haproxy.cfg", {"COOKIE_KEY": "x" * 64})
    local = (DEPLOY / "haproxy" / "haproxy.cfg.in").read_text()
    compose = (DEPLOY / "compose" / "haproxy.cfg").read_text()
    for line in ("timeout tunnel 1h", "timeout check 5s", "option redispatch 1", "balance leastconn",
                 "http-check send meth GET uri /_stcore/health", "http-check expect status 200",
                 "default-server check inter 2s fastinter 1s downinter 1s fall 3 rise 2 on-marked-down shutdown-sessions",
                 "cookie INDIKATORPANELEN_REPLICA insert indirect nocache httponly"):
        assert line in local and line in compose, line


def _docs(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def test_compose_runs_the_image_over_one_store_with_one_cookie_secret():
    c = yaml.safe_load((DEPLOY / "compose" / "compose.yaml").read_text())
    app, proxy, ing = c["services"]["app"], c["services"]["proxy"], c["services"]["ingest"]
    assert app["build"]["dockerfile"] == "deploy/Containerfile"
    assert app["environment"]["INDIKATORPANELEN_STORE"] == "/data/store"
    assert "store:/data/store:ro" in app["volumes"] and "store:/data/store" in ing["volumes"]
    assert "COOKIE_SECRET" in app["environment"]["STREAMLIT_SERVER_COOKIE_SECRET"]
    assert ing["entrypoint"][:4] == ["python", "-m", "indicators", "ingest"] and "/data/store" in ing["command"]
    assert "./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in proxy["volumes"]
    assert "app:8501" in (DEPLOY / "compose" / "haproxy.cfg").read_text()


def test_the_image_serves_the_store_on_the_port_the_probes_use():
    text = (DEPLOY / "Containerfile").read_text()
    assert "chromium" in text and "INDIKATORPANELEN_STORE=/data/store" in text
    assert "--server.port=8501" in text and "127.0.0.1:8501/_stcore/health" in text
    for path in re.findall(r"^COPY (\S+) ", text, re.M):  # every copied path exists
        assert (ROOT / path).exists(), path


def test_kubernetes_manifests_agree():
    k = DEPLOY / "kubernetes"
    kust = yaml.safe_load((k / "kustomization.yaml").read_text())
    docs = {d["kind"]: d for f in kust["resources"] for d in _docs(k / f)}
    assert set(docs) == {"PersistentVolumeClaim", "Deployment", "Service", "Ingress", "PodDisruptionBudget"}
    dep = docs["Deployment"]
    spec = dep["spec"]["template"]["spec"]
    (c,) = spec["containers"]
    env = {e["name"]: e for e in c["env"]}
    assert env["INDIKATORPANELEN_STORE"]["value"] == "/data/store"
    assert env["STREAMLIT_SERVER_COOKIE_SECRET"]["valueFrom"]["secretKeyRef"]["name"] == "indikatorpanelen"
    port = c["ports"][0]
    assert port["containerPort"] == 8501
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        assert c[probe]["httpGet"] == {"path": "/_stcore/health", "port": port["name"]}
    mounts = {m["mountPath"]: m for m in c["volumeMounts"]}
    assert mounts["/data/store"]["readOnly"] is True
    vols = {v["name"]: v for v in spec["volumes"]}
    assert vols[mounts["/data/store"]["name"]]["persistentVolumeClaim"]["claimName"] == \
        docs["PersistentVolumeClaim"]["metadata"]["name"]
    assert docs["PersistentVolumeClaim"]["spec"]["accessModes"] == ["ReadWriteMany"]
    assert docs["Service"]["spec"]["selector"] == dep["spec"]["selector"]["matchLabels"]
    ann = docs["Ingress"]["metadata"]["annotations"]
    assert ann["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert ann["nginx.ingress.kubernetes.io/session-cookie-name"] == "INDIKATORPANELEN_REPLICA"
    assert int(ann["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    backend = docs["Ingress"]["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == docs["Service"]["metadata"]["name"]
    (job,) = _docs(k / "ingest-job.yaml")
    jc = job["spec"]["template"]["spec"]["containers"][0]
    assert jc["image"] == c["image"] and jc["command"][:4] == ["python", "-m", "indicators", "ingest"]
    assert job["spec"]["template"]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"] == \
        docs["PersistentVolumeClaim"]["metadata"]["name"]
    (secret,) = _docs(k / "secret.example.yaml")
    assert secret["metadata"]["name"] == "indikatorpanelen" and "cookie-secret" in secret["stringData"]


@pytest.mark.parametrize("name", ["compose/compose.yaml", "kubernetes/deployment.yaml"])
def test_no_real_secret_is_committed(name):
    text = (DEPLOY / name).read_text()
    assert not re.search(r"[0-9a-f]{32,}", text)
