#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""deploy/kubernetes/ on paper: every document parses (python3-yaml), and
the fields that matter hold: the DaemonSet runs the loader in the
foreground with --watch-config on the ConfigMap's file and --cgroup-root
on the host's cgroup2 root, mounts the host paths the loader needs (bpffs
writable, the rest read-only), adds exactly the capabilities the loader
checks for (user/core/state.c) and is not privileged; the ConfigMap holds
examples/policy.yaml; the loader's own command line takes the args.
Prints "kubernetes: N passed, N failed" and exits non-zero on a failure.
"""
import glob
import os
import re
import subprocess
import sys

import yaml

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
DEPLOY = os.path.join(ROOT, "deploy", "kubernetes")
NAMESPACE = "vipc-system"
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"[PASS] kubernetes::{name}")
    else:
        failed += 1
        print(f"[FAIL] kubernetes::{name} {detail}")


def documents():
    """Every document of every manifest, as (file, object)."""
    docs = []
    for path in sorted(glob.glob(os.path.join(DEPLOY, "*.yaml"))):
        with open(path) as f:
            docs += [(os.path.basename(path), d) for d in yaml.safe_load_all(f) if d]
    return docs


def loader_caps():
    """The capabilities the loader checks for, from user/core/state.c."""
    with open(os.path.join(ROOT, "user", "core", "state.c")) as f:
        m = re.search(r"needed_caps\[\] = \{([^}]*)\}", f.read())
    return sorted(c.strip()[len("CAP_"):] for c in m.group(1).split(","))


def arg_after(args, flag):
    return args[args.index(flag) + 1] if flag in args and args.index(flag) + 1 < len(args) else None


def check_objects(docs):
    kinds = {d["kind"]: d for _, d in docs}
    for file, d in docs:
        check(f"{file}:{d.get('kind')}_is_an_object",
              all(k in d for k in ("apiVersion", "kind", "metadata")) and "name" in d["metadata"])
        if d["kind"] != "Namespace":
            check(f"{file}:{d['kind']}_in_{NAMESPACE}", d["metadata"].get("namespace") == NAMESPACE)
    for kind in ("Namespace", "ServiceAccount", "ConfigMap", "DaemonSet"):
        check(f"has_{kind}", kind in kinds)
    with open(os.path.join(ROOT, "examples", "policy.yaml")) as f:
        check("configmap_holds_examples_policy",
              kinds["ConfigMap"]["data"].get("policy.yaml") == f.read())
    return kinds


def check_volumes(spec, c, cm_name):
    """Host paths, where they are mounted, read-only or not; returns mounts by host path."""
    vols = {v["name"]: v for v in spec["volumes"]}
    mounts = {m["name"]: m for m in c["volumeMounts"]}
    check("every_mount_has_its_volume", set(mounts) <= set(vols), set(mounts) - set(vols))
    check("every_volume_is_mounted", set(vols) <= set(mounts), set(vols) - set(mounts))
    host = {v["hostPath"]["path"]: mounts.get(n, {}) for n, v in vols.items() if "hostPath" in v}
    for path in ("/sys/fs/bpf", "/sys/fs/cgroup", "/sys/kernel/btf", "/run/vipc",
                 "/var/lib/docker", "/var/lib/containers"):
        check(f"hostpath_{path}", path in host)
    check("bpffs_at_its_own_path_writable", host.get("/sys/fs/bpf", {}).get("mountPath")
          == "/sys/fs/bpf" and not host["/sys/fs/bpf"].get("readOnly"))
    check("run_vipc_shared_with_the_host", host.get("/run/vipc", {}).get("mountPath") == "/run/vipc")
    for path in ("/sys/fs/cgroup", "/sys/kernel/btf", "/var/lib/docker", "/var/lib/containers"):
        check(f"{path}_read_only", host.get(path, {}).get("readOnly") is True)
    check("no_containerd_socket_dir", "/run/containerd" not in host)
    cm = [mounts[n] for n, v in vols.items() if v.get("configMap", {}).get("name") == cm_name]
    return host, cm[0]["mountPath"] if cm else None


def check_daemonset(ds, sa):
    spec = ds["spec"]["template"]["spec"]
    c = spec["containers"][0]
    args = c.get("args", [])
    sc = c.get("securityContext", {})
    check("selector_matches_template", ds["spec"]["selector"]["matchLabels"].items()
          <= ds["spec"]["template"]["metadata"]["labels"].items())
    check("runs_as_its_serviceaccount", spec.get("serviceAccountName") == sa["metadata"]["name"])
    check("no_api_token", spec.get("automountServiceAccountToken") is False)
    check("no_host_pid", not spec.get("hostPID"))
    check("foreground_daemon", "--detach" not in args and "-d" not in args
          and c["command"][0].endswith("vipc-loader") and len(c["command"]) == 1)
    check("watch_config", "--watch-config" in args)
    host, cm_dir = check_volumes(spec, c, "vipc-policy")
    check("policy_from_the_configmap", cm_dir is not None
          and arg_after(args, "-c") == f"{cm_dir}/policy.yaml")
    check("cgroup_root_is_the_host_cgroup2_mount", arg_after(args, "--cgroup-root")
          == host.get("/sys/fs/cgroup", {}).get("mountPath"))
    check("not_privileged", sc.get("privileged") is False)
    check("drops_all_capabilities", sc.get("capabilities", {}).get("drop") == ["ALL"])
    check("adds_exactly_the_loaders_capabilities",
          sorted(sc.get("capabilities", {}).get("add", [])) == loader_caps(),
          f"{sc.get('capabilities', {}).get('add')} != {loader_caps()}")
    check("no_prestop_unload", "preStop" not in c.get("lifecycle", {}))
    check("grace_period_set", spec.get("terminationGracePeriodSeconds", 30) <= 30)
    return args


def check_args_parse(args):
    """The loader's parser takes the args: without privilege it then stops at 77."""
    loader = os.path.join(ROOT, "vipc-loader")
    if not os.access(loader, os.X_OK):
        check("loader_takes_the_args", False, "build ./vipc-loader first")
        return
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                        "--inh-caps=-all", "--bounding-set=-all", loader] + args,
                       capture_output=True, text=True, timeout=30)
    check("loader_takes_the_args", r.returncode == 77, f"exit {r.returncode}: {r.stderr}")


def main():
    try:
        docs = documents()
    except yaml.YAMLError as e:
        check("manifests_parse", False, str(e))
        docs = []
    check("manifests_parse", bool(docs))
    if docs:
        kinds = check_objects(docs)
        if "DaemonSet" in kinds and "ServiceAccount" in kinds:
            check_args_parse(check_daemonset(kinds["DaemonSet"], kinds["ServiceAccount"]))
    print(f"kubernetes: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
