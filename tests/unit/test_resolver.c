// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Which container a cgroup is (user/policy/runtime.h): the cgroup name patterns of
 * Docker, Podman and containerd (cgroupfs and systemd drivers, CRI), and
 * the name and annotations read from fixture copies of each runtime's state
 * (tests/unit/fixtures/runtime/), half-written state included.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "binder.h"
#include "runtime.h"
#include "vipc_glob.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define FIXTURES "tests/unit/fixtures/runtime" /* tests run from the repository root */

#define HEX(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
	       c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c
#define D1 HEX("1") /* Docker, cgroupfs, no annotations */
#define D2 HEX("2") /* Docker, systemd driver, bundle in Docker's containerd (v1 shim) */
#define D3 HEX("3") /* Docker, config.v2.json half written */
#define D4 HEX("4") /* Docker, config.v2.json but no bundle yet */
#define P1 HEX("a") /* Podman, overlay storage */
#define P2 HEX("b") /* Podman, listed in containers.json, no bundle yet */
#define K1 HEX("c") /* containerd's CRI */

static struct vipc_rt_roots roots = {
	.docker = FIXTURES "/docker",
	.podman = FIXTURES "/podman",
	.containerd = { FIXTURES "/containerd", FIXTURES "/docker-containerd" },
};

/* ---- the patterns ---- */

static const struct {
	const char *path;
	enum vipc_runtime rt;
	const char *id, *ns;
	int guessed;
} names[] = {
	{ "/docker/" D1, VIPC_RT_DOCKER, D1, "moby", 0 },
	{ "docker/" D1, VIPC_RT_DOCKER, D1, "moby", 0 },
	{ "/system.slice/docker-" D2 ".scope", VIPC_RT_DOCKER, D2, "moby", 0 },
	{ "/libpod_parent/libpod-" P1, VIPC_RT_PODMAN, P1, "", 0 },
	{ "/machine.slice/libpod-" P1 ".scope", VIPC_RT_PODMAN, P1, "", 0 },
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0f1e.slice/"
	  "cri-containerd-" K1 ".scope",
	  VIPC_RT_CONTAINERD, K1, "k8s.io", 0 },
	{ "/kubepods/burstable/pod0f1e-22/" K1, VIPC_RT_CONTAINERD, K1, "k8s.io", 0 },
	{ "/kubepods/pod0f1e-22/" K1, VIPC_RT_CONTAINERD, K1, "k8s.io", 0 },
	{ "/default/cweb", VIPC_RT_CONTAINERD, "cweb", "default", 1 },
};

Test(parse, each_runtime_layout_gives_its_runtime_id_and_namespace)
{
	struct vipc_rt_info info;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		cr_assert_eq(vipc_rt_parse(names[i].path, &info), 0, "%s", names[i].path);
		cr_expect_eq(info.runtime, names[i].rt, "%s", names[i].path);
		cr_expect_str_eq(info.id, names[i].id, "%s", names[i].path);
		cr_expect_str_eq(info.ns, names[i].ns, "%s", names[i].path);
		cr_expect_eq(info.guessed, names[i].guessed, "%s", names[i].path);
	}
}

static const char *const not_containers[] = {
	"/",
	"",
	"/docker",
	"/docker/" D1 "/sub/cgroup",
	"/system.slice/libpod-conmon-" P1 ".scope",	   /* Podman's monitor */
	"/libpod_parent/libpod-" P1 ".scope.x",
	"/system.slice/crio-conmon-" K1 ".scope",
	"/a/b/c",
	"/-x/cweb", /* not a containerd identifier */
	"/ns/cweb-",
	"/ns/a..b",
	/* A runtime's name in another directory than the runtime's: */
	"/vipc-test/bad/docker-" D2 ".scope", /* a subtree delegated to a user */
	"/vipc-test/bad/docker/" D1,
	"/docker/" D1 "/docker/" D2,			  /* below a container's own cgroup */
	"/system.slice/foo.service/docker-" D2 ".scope", /* a service's Delegate= */
	"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" P1 ".scope", /* rootless */
	"/kubepods/burstable/pod0f1e/" K1 "/pod1/" K1, /* below a pod's container */
};

/* Two components are ctr's "/<namespace>/<id>" to the patterns: see resolve. */
Test(parse, other_cgroups_are_no_container)
{
	struct vipc_rt_info info;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(not_containers); i++)
		cr_expect_eq(vipc_rt_parse(not_containers[i], &info), -ENOENT, "%s",
			     not_containers[i]);
}

Test(parse, runtime_names)
{
	cr_expect_str_eq(vipc_rt_runtime_name(VIPC_RT_DOCKER), "docker");
	cr_expect_str_eq(vipc_rt_runtime_name(VIPC_RT_PODMAN), "podman");
	cr_expect_str_eq(vipc_rt_runtime_name(VIPC_RT_CONTAINERD), "containerd");
	cr_expect_null(vipc_rt_runtime_name(VIPC_RT_NONE));
}

/* ---- the state on disk ---- */

/* Resolve @path, expecting 0 and the name @name. */
static void resolve_ok(const char *path, const char *name, struct vipc_rt_info *info)
{
	int err = vipc_rt_resolve(&roots, path, info);

	cr_assert_eq(err, 0, "%s: %s", path, strerror(-err));
	cr_expect_str_eq(info->name, name, "%s", path);
	cr_assert_not_null(info->annotations, "%s", path);
}

Test(resolve, docker_name_from_config_v2_and_no_annotations)
{
	struct vipc_rt_info info;

	resolve_ok("/docker/" D1, "dweb", &info);
	cr_expect_eq(info.runtime, VIPC_RT_DOCKER);
	cr_expect_null(vipc_rt_annotation(&info, "io.kubernetes.pod.name"));
	vipc_rt_info_free(&info);
	cr_expect_null(info.annotations);
}

Test(resolve, docker_systemd_bundle_in_dockers_own_containerd_v1_shim)
{
	struct vipc_rt_info info;

	resolve_ok("/system.slice/docker-" D2 ".scope", "dsys", &info);
	cr_expect_str_eq(vipc_rt_annotation(&info, "org.example.tier"), "front");
	vipc_rt_info_free(&info);
}

Test(resolve, podman_first_name_from_containers_json_and_annotations)
{
	struct vipc_rt_info info;

	resolve_ok("/libpod_parent/libpod-" P1, "pweb", &info);
	cr_expect_eq(info.runtime, VIPC_RT_PODMAN);
	cr_expect_str_eq(vipc_rt_annotation(&info, "io.container.manager"), "libpod");
	vipc_rt_info_free(&info);
}

/* Each bundle names its cgroup (linux.cgroupsPath): a cgroup of the same
 * runtime and id elsewhere is not that container.
 */
Test(resolve, a_cgroup_the_bundle_does_not_name_is_not_that_container)
{
	static const char *const others[] = {
		"/system.slice/docker-" D1 ".scope", /* its bundle: /docker/<id> */
		"/docker/" D2,			     /* system.slice:docker:<id> */
		"/machine.slice/libpod-" P1 ".scope", /* /libpod_parent/libpod-<id> */
		"/kubepods.slice/kubepods-pod0f1e.slice/cri-containerd-" K1 ".scope",
		"/kubepods/burstable/pod0f1e/" K1,
	};
	struct vipc_rt_info info;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(others); i++) {
		cr_expect_eq(vipc_rt_resolve(&roots, others[i], &info), -ENOENT, "%s", others[i]);
		cr_expect_null(info.annotations, "%s", others[i]);
	}
}

Test(resolve, ctr_container_by_namespace_and_id_with_its_annotations)
{
	struct vipc_rt_info info;

	resolve_ok("/default/cweb", "cweb", &info);
	cr_expect_eq(info.runtime, VIPC_RT_CONTAINERD);
	cr_expect_str_eq(vipc_rt_annotation(&info, "io.kubernetes.pod.name"), "web");
	cr_expect_str_eq(vipc_rt_annotation(&info, "io.kubernetes.pod.namespace"), "prod");
	vipc_rt_info_free(&info);
}

Test(resolve, cri_container_annotations_of_kubernetes)
{
	struct vipc_rt_info info;

	resolve_ok("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0f1e.slice/"
		   "cri-containerd-" K1 ".scope",
		   K1, &info);
	cr_expect_str_eq(vipc_rt_annotation(&info, "io.kubernetes.container.name"), "nginx");
	cr_expect_str_eq(vipc_rt_annotation(&info, "io.kubernetes.pod.namespace"), "prod");
	vipc_rt_info_free(&info);
}

static const char *const not_yet[] = {
	"/docker/" D3,			       /* config.v2.json half written */
	"/docker/" D4,			       /* no bundle */
	"/docker/" HEX("5"),		       /* no config.v2.json */
	"/libpod_parent/libpod-" P2,	       /* in containers.json, no bundle */
	"/libpod_parent/libpod-" HEX("d"),     /* nothing */
	"/default/cnext",		       /* a namespace containerd has, no task */
	"/kubepods/burstable/pod0f1e/" HEX("e"), /* CRI, no task */
};

Test(resolve, a_container_whose_state_is_not_written_yet_is_eagain)
{
	struct vipc_rt_info info;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(not_yet); i++) {
		cr_expect_eq(vipc_rt_resolve(&roots, not_yet[i], &info), -EAGAIN, "%s",
			     not_yet[i]);
		cr_expect_null(info.annotations, "%s", not_yet[i]);
	}
}

Test(resolve, two_components_in_no_containerd_namespace_are_no_container)
{
	struct vipc_rt_info info;

	cr_expect_eq(vipc_rt_resolve(&roots, "/vipc-test/web", &info), -ENOENT);
	cr_expect_eq(vipc_rt_resolve(&roots, "/libpod_parent/conmon", &info), -ENOENT);
	cr_expect_eq(vipc_rt_resolve(&roots, "/system.slice/cron.service", &info), -ENOENT);
	cr_expect_eq(vipc_rt_resolve(&roots, "/system.slice", &info), -ENOENT);
	cr_expect_eq(vipc_rt_resolve(&roots, "/system.slice/docker-" D1, &info), -ENOENT);
	cr_expect_eq(vipc_rt_resolve(&roots, "/pod0f1e/" K1, &info), -ENOENT); /* no kubepods */
	cr_expect_eq(vipc_rt_resolve(&roots, "/kubepods/" K1, &info), -ENOENT); /* no pod */
	cr_expect_eq(vipc_rt_resolve(&roots, "/dockerx/" D1, &info), -ENOENT);
	cr_expect_eq(vipc_rt_resolve(&roots, "/docker/" D1 "0", &info), -ENOENT); /* 65 hex */
	cr_expect_eq(vipc_rt_resolve(&roots, "/docker/" HEX("A"), &info), -ENOENT); /* upper case */
}

Test(resolve, default_roots_are_the_runtimes_usual_places)
{
	struct vipc_rt_roots def;

	vipc_rt_roots_default(&def);
	cr_expect_str_eq(def.docker, "/var/lib/docker");
	cr_expect_str_eq(def.podman, "/var/lib/containers/storage");
	cr_expect_str_eq(def.containerd[0], "/run/containerd");
	cr_expect_str_eq(def.containerd[1], "/run/docker/containerd/daemon");
	cr_expect_null(def.containerd[2]);
}

/* ---- the holds (the kernel's globs) and the selectors (user/core/binder.c) ---- */

/* Does one of the runtimes' holds match @path as the kernel tries them:
 * below its top, at one of its depths, its last components its glob?
 */
static bool held(const char *path)
{
	struct vipc_rt_hold h[VIPC_RT_MAX_HOLDS];
	union vipc_path p = {};
	const char *from, *s;
	int i, depth = 0, n = vipc_rt_holds(h);

	snprintf(p.bytes, sizeof(p.bytes), "%s", path);
	for (s = p.bytes; (s = strchr(s, '/')); s++)
		depth++;
	for (i = 0; i < n; i++) {
		cr_assert_eq(h[i].glob.top, strlen(h[i].top));
		if (depth < h[i].glob.depth_min || depth > h[i].glob.depth_max ||
		    strncmp(p.bytes, h[i].top, h[i].glob.top))
			continue;
		from = strrchr(p.bytes, '/') ?: p.bytes - 1;
		if (h[i].glob.parts == 2 && from >= p.bytes)
			from = memrchr(p.bytes, '/', from - p.bytes) ?: p.bytes - 1;
		if (vipc_glob_match(&h[i].glob, &p, from + 1 - p.bytes, strlen(from + 1)))
			return true;
	}
	return false;
}

Test(holds, every_runtime_layout_is_held_and_other_cgroups_are_not)
{
	size_t i;

	/* The kernel's paths begin with '/'; ctr's "/<ns>/<id>" is held by its
	 * namespace's directory.
	 */
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!names[i].guessed && names[i].path[0] == '/')
			cr_expect(held(names[i].path), "%s", names[i].path);
	for (i = 0; i < ARRAY_SIZE(not_containers); i++)
		cr_expect(!held(not_containers[i]), "%s", not_containers[i]);
}

Test(holds, a_runtime_root_replaces_and_adds)
{
	struct vipc_rt_roots r;
	int n = 0;

	vipc_rt_roots_default(&r);
	cr_expect_eq(vipc_rt_roots_set(&r, "docker=/d", &n), 0);
	cr_expect_eq(vipc_rt_roots_set(&r, "containerd=/c1", &n), 0);
	cr_expect_eq(vipc_rt_roots_set(&r, "containerd=/c2", &n), 0);
	cr_expect_str_eq(r.docker, "/d");
	cr_expect_str_eq(r.containerd[0], "/c1");
	cr_expect_str_eq(r.containerd[1], "/c2");
	cr_expect_null(r.containerd[2]);
	cr_expect_eq(vipc_rt_roots_set(&r, "crio=/x", &n), -EINVAL);
	cr_expect_eq(vipc_rt_roots_set(&r, "docker=relative", &n), -EINVAL);
	cr_expect_eq(vipc_rt_roots_set(&r, "podman", &n), -EINVAL);
}

Test(holds, containerd_namespaces_with_tasks_default_first)
{
	char ns[8][VIPC_RT_NS_MAX];
	int i, n = vipc_rt_namespaces(&roots, ns, 8);
	bool moby = false;

	cr_assert_gt(n, 1);
	cr_expect_str_eq(ns[0], "default");
	for (i = 1; i < n; i++) {
		cr_expect_str_neq(ns[i], "default");
		moby |= !strcmp(ns[i], "moby");
	}
	cr_expect(moby, "Docker's containerd namespace has tasks in the fixtures");
}

/* A pinned container with runtime selector @sel matching @len bytes of @what. */
static struct vipc_container ct_of(__u32 id, __u8 sel, const char *what, size_t len)
{
	struct vipc_container c = { .principal = { .id = id }, .selector = sel };

	memcpy(c.path.bytes, what, len);
	c.path_len = len;
	return c;
}

Test(select, docker_and_podman_names_and_every_annotation_pair)
{
	static const char both[] = "io.kubernetes.pod.name\0web\0io.kubernetes.pod.namespace\0prod\0";
	static const char other[] = "io.kubernetes.pod.name\0web\0io.kubernetes.pod.namespace\0dev\0";
	struct vipc_container name = ct_of(1, VIPC_SEL_DOCKER, "cweb", 4);
	struct vipc_container pm = ct_of(2, VIPC_SEL_PODMAN, "cweb", 4);
	struct vipc_container ann = ct_of(3, VIPC_SEL_ANNOTATIONS, both, sizeof(both) - 1);
	struct vipc_container wrong = ct_of(4, VIPC_SEL_ANNOTATIONS, other, sizeof(other) - 1);
	struct vipc_container prefix = ct_of(5, VIPC_SEL_ANNOTATIONS, "io.kubernetes.pod.name\0we\0",
					     26);
	struct vipc_rt_info info;

	resolve_ok("/default/cweb", "cweb", &info);
	cr_expect(!vipc_binder_selects(&name, &info), "a containerd container is no Docker one");
	cr_expect(!vipc_binder_selects(&pm, &info));
	cr_expect(vipc_binder_selects(&ann, &info));
	cr_expect(!vipc_binder_selects(&wrong, &info));
	cr_expect(!vipc_binder_selects(&prefix, &info), "values compare whole");
	vipc_rt_info_free(&info);
	resolve_ok("/docker/" D1, "dweb", &info);
	name = ct_of(1, VIPC_SEL_DOCKER, "dweb", 4);
	cr_expect(vipc_binder_selects(&name, &info));
	name = ct_of(1, VIPC_SEL_DOCKER, "dwe", 3);
	cr_expect(!vipc_binder_selects(&name, &info));
	vipc_rt_info_free(&info);
}

Test(select, the_lowest_id_of_several_wins)
{
	static const char pod[] = "io.kubernetes.pod.name\0web\0";
	struct vipc_container cts[3] = {
		ct_of(7, VIPC_SEL_ANNOTATIONS, pod, sizeof(pod) - 1),
		ct_of(9, VIPC_SEL_DOCKER, "cweb", 4),
		ct_of(5, VIPC_SEL_ANNOTATIONS, pod, sizeof(pod) - 1),
	};
	struct vipc_rt_info info;

	resolve_ok("/default/cweb", "cweb", &info);
	cr_expect_eq(vipc_binder_pick(cts, 3, sizeof(cts[0]), &info), &cts[2]);
	cr_expect_null(vipc_binder_pick(&cts[1], 1, sizeof(cts[0]), &info), "none selects it");
	vipc_rt_info_free(&info);
}
