/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Which container a cgroup is: the runtime and id from the cgroup's name (a
 * table of patterns per runtime), the name and OCI annotations from the
 * runtime's files on disk. No engine is called: their CLIs take tens of ms.
 */
#ifndef __VIPC_RUNTIME_H
#define __VIPC_RUNTIME_H

#include <linux/types.h>
#include <stddef.h>
#include "vipc.h"

struct json_object;

enum vipc_runtime {
	VIPC_RT_NONE,
	VIPC_RT_DOCKER,
	VIPC_RT_PODMAN,
	VIPC_RT_CONTAINERD,
};

#define VIPC_RT_MAX_STATES 4  /* containerd state directories looked in */
#define VIPC_RT_ID_MAX 128    /* containerd allows 76 characters, engines use 64 hex */
#define VIPC_RT_NS_MAX 64
#define VIPC_RT_NAME_MAX 256

/* Where each runtime keeps its state; vipc_rt_roots_default() fills the
 * usual places, a test or a host with another data-root sets its own.
 */
struct vipc_rt_roots {
	const char *docker; /* Docker's data-root: containers/<id>/config.v2.json */
	const char *podman; /* containers/storage graph root: <driver>-containers/ */
	/* containerd state dirs (the system's, Docker's own), NULL after the last:
	 * io.containerd.runtime.v2.task/<namespace>/<id>/config.json is a bundle */
	const char *containerd[VIPC_RT_MAX_STATES];
};

/* What a cgroup's name says (vipc_rt_parse) and its state adds (vipc_rt_resolve). */
struct vipc_rt_info {
	enum vipc_runtime runtime;
	char id[VIPC_RT_ID_MAX];
	char ns[VIPC_RT_NS_MAX];     /* containerd namespace ("moby" for Docker); "" for Podman */
	char name[VIPC_RT_NAME_MAX]; /* Docker's without its '/', Podman's first, else the id */
	struct json_object *annotations; /* the bundle's "annotations" object, owned */
	int guessed; /* containerd's "/<namespace>/<id>": a container only if the namespace is */
};

void vipc_rt_roots_default(struct vipc_rt_roots *roots);
/* --runtime-root RUNTIME=DIR into @roots: docker=DIR, podman=DIR, or
 * containerd=DIR (the first replaces the default state dirs, the next add
 * to them). @spec must outlive @roots. 0, or -EINVAL (-E2BIG: too many).
 */
int vipc_rt_roots_set(struct vipc_rt_roots *roots, const char *spec, int *nr_containerd);

#define VIPC_RT_MAX_HOLDS 6 /* holds vipc_rt_holds() gives */
/* A runtime's cgroup pattern as the kernel holds a new cgroup by it at
 * mkdir: under @top (the directory the runtime makes its containers'
 * cgroups in, "/docker/"), at the depths of @glob, its last @glob.parts
 * components matching @glob (the id's bytes as '?': "docker-????...????.scope",
 * "pod*" "/" "????...").
 */
struct vipc_rt_hold {
	const char *top;
	struct vipc_glob glob;
};

/* Each runtime's hold: how many are in @out. */
int vipc_rt_holds(struct vipc_rt_hold out[VIPC_RT_MAX_HOLDS]);
/* The containerd namespaces that have tasks in the state dirs of @roots
 * (ctr puts a task's cgroup at "/<namespace>/<id>"), "default" first, up
 * to @max: how many are in @out.
 */
int vipc_rt_namespaces(const struct vipc_rt_roots *roots, char (*out)[VIPC_RT_NS_MAX], int max);
/* "docker", "podman", "containerd" (NULL for VIPC_RT_NONE). */
const char *vipc_rt_runtime_name(enum vipc_runtime rt);
/* The runtime, id and namespace that the place and name of @cgpath
 * (relative to the cgroup2 mount, with or without its leading '/') say: 0,
 * or -ENOENT when no pattern matches (a runtime's name in another directory
 * than the runtime's is none). @out->annotations stays NULL.
 */
int vipc_rt_parse(const char *cgpath, struct vipc_rt_info *out);
/* vipc_rt_parse, then the name and annotations from the state under @roots:
 * 0 (free @out with vipc_rt_info_free), -ENOENT when @cgpath is no container
 * or not the one its name says (the bundle's linux.cgroupsPath names another
 * cgroup), -EAGAIN when it is one whose state is not (fully) written yet, or
 * another -errno when the state cannot be read.
 */
int vipc_rt_resolve(const struct vipc_rt_roots *roots, const char *cgpath,
		    struct vipc_rt_info *out);
/* The value of OCI annotation @key, or NULL. */
const char *vipc_rt_annotation(const struct vipc_rt_info *info, const char *key);
void vipc_rt_info_free(struct vipc_rt_info *info);

#endif /* __VIPC_RUNTIME_H */
