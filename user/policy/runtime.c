// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Container runtimes seen from a cgroup: where it is and the pattern of its
 * name say which runtime and id (as Falco's container plugin does), the
 * runtime's state on disk says the name (Docker's config.v2.json,
 * containers/storage's containers.json) and the OCI annotations, and proves
 * that the cgroup is that container's (the bundle's config.json, which names
 * the cgroup the runtime makes for it).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include "runtime.h"
#include "vipc_glob.h"

#define HEX_ID_LEN 64
#define CTRD_ID_MAX 76 /* containerd's identifiers: [A-Za-z0-9]+([._-][A-Za-z0-9]+)* */

/* One way a runtime names a container's cgroup: TOP[...]/[PARENT/]PREFIX<64
 * hex>SUFFIX, DEPTH_MIN to DEPTH_MAX components deep. TOP is the directory
 * the engine makes its containers' cgroups in: one only root writes, so a
 * cgroup an unprivileged user names alike in a subtree delegated to it is
 * neither held nor parsed as a container.
 */
struct rt_pattern {
	enum vipc_runtime rt;
	const char *top; /* from the root, with its trailing '/' */
	int depth_min, depth_max;
	const char *parent; /* glob for the component before the last, NULL: any */
	const char *prefix;
	const char *suffix;
	const char *ns; /* the containerd namespace of its bundle */
};

static const struct rt_pattern patterns[] = {
	/* Docker, cgroupfs driver: /docker/<id> */
	{ VIPC_RT_DOCKER, "/docker/", 2, 2, NULL, "", "", "moby" },
	/* Docker, systemd driver: /system.slice/docker-<id>.scope */
	{ VIPC_RT_DOCKER, "/system.slice/", 2, 2, NULL, "docker-", ".scope", "moby" },
	/* Podman, cgroupfs: /libpod_parent/libpod-<id>; systemd: /machine.slice/libpod-<id>.scope */
	{ VIPC_RT_PODMAN, "/libpod_parent/", 2, 2, NULL, "libpod-", "", "" },
	{ VIPC_RT_PODMAN, "/machine.slice/", 2, 2, NULL, "libpod-", ".scope", "" },
	/* containerd's CRI, systemd driver: /kubepods.slice/[QOS/]POD/cri-containerd-<id>.scope */
	{ VIPC_RT_CONTAINERD, "/kubepods.slice/", 3, 4, NULL, "cri-containerd-", ".scope",
	  "k8s.io" },
	/* containerd's CRI, cgroupfs driver: /kubepods/[QOS/]pod<uid>/<id> */
	{ VIPC_RT_CONTAINERD, "/kubepods/", 3, 4, "pod*", "", "", "k8s.io" },
};

/* Where containerd (v2 shims, then v1) keeps a task's bundle below a state dir. */
static const char *const task_dirs[] = { "io.containerd.runtime.v2.task",
					 "io.containerd.runtime.v1.linux" };

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void vipc_rt_roots_default(struct vipc_rt_roots *roots)
{
	*roots = (struct vipc_rt_roots){
		.docker = "/var/lib/docker",
		.podman = "/var/lib/containers/storage",
		.containerd = { "/run/containerd", "/run/docker/containerd/daemon" },
	};
}

int vipc_rt_roots_set(struct vipc_rt_roots *roots, const char *spec, int *nr_containerd)
{
	const char *dir = strchr(spec, '=');
	size_t n = dir ? (size_t)(dir - spec) : 0;

	if (!dir || !dir[1] || dir[1] != '/')
		return -EINVAL;
	dir++;
	if (n == 6 && !strncmp(spec, "docker", n))
		roots->docker = dir;
	else if (n == 6 && !strncmp(spec, "podman", n))
		roots->podman = dir;
	else if (n == 10 && !strncmp(spec, "containerd", n)) {
		if (*nr_containerd >= VIPC_RT_MAX_STATES - 1)
			return -E2BIG;
		roots->containerd[(*nr_containerd)++] = dir;
		roots->containerd[*nr_containerd] = NULL;
	} else
		return -EINVAL;
	return 0;
}

const char *vipc_rt_runtime_name(enum vipc_runtime rt)
{
	switch (rt) {
	case VIPC_RT_DOCKER:
		return "docker";
	case VIPC_RT_PODMAN:
		return "podman";
	case VIPC_RT_CONTAINERD:
		return "containerd";
	default:
		return NULL;
	}
}

/* snprintf into a PATH_MAX buffer: 0, or -ENAMETOOLONG. */
__attribute__((format(printf, 2, 3))) static int path_fmt(char *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, PATH_MAX, fmt, ap);
	va_end(ap);
	return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

/* @s starts with a 64-hex id (Docker's, Podman's, CRI's). */
static int hex_id(const char *s)
{
	int i;

	for (i = 0; i < HEX_ID_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int ctrd_ident(const char *s)
{
	size_t i, len = strlen(s);

	if (!len || len > CTRD_ID_MAX || !alnum(s[0]) || !alnum(s[len - 1]))
		return 0;
	for (i = 1; i < len; i++)
		if (!alnum(s[i]) && (!strchr("._-", s[i]) || !alnum(s[i - 1])))
			return 0;
	return 1;
}

/* The one before the last and the last component of a path, and how many. */
struct cg_parts {
	const char *parent, *last;
	int n;
};

/* Is @cgpath (@c its components) one of pattern @p's cgroups? Its id into @out. */
static int pattern_match(const struct rt_pattern *p, const char *cgpath,
			 const struct cg_parts *c, struct vipc_rt_info *out)
{
	size_t len = strlen(c->last), pre = strlen(p->prefix), suf = strlen(p->suffix);

	if (c->n < p->depth_min || c->n > p->depth_max ||
	    strncmp(cgpath, p->top + 1, strlen(p->top) - 1))
		return -ENOENT;
	if (p->parent && fnmatch(p->parent, c->parent, 0))
		return -ENOENT;
	if (len != pre + HEX_ID_LEN + suf || strncmp(c->last, p->prefix, pre) ||
	    strcmp(c->last + pre + HEX_ID_LEN, p->suffix) || !hex_id(c->last + pre))
		return -ENOENT;
	out->runtime = p->rt;
	snprintf(out->id, sizeof(out->id), "%.*s", HEX_ID_LEN, c->last + pre);
	snprintf(out->ns, sizeof(out->ns), "%s", p->ns);
	return 0;
}

int vipc_rt_parse(const char *cgpath, struct vipc_rt_info *out)
{
	struct cg_parts c = { 0 };
	char buf[PATH_MAX], *tok, *save = NULL;
	const char *first = NULL;
	size_t i;

	/* Phase 1: the components of the path that the patterns look at. */
	*out = (struct vipc_rt_info){ 0 };
	cgpath += *cgpath == '/';
	if (snprintf(buf, sizeof(buf), "%s", cgpath) >= (int)sizeof(buf))
		return -ENOENT;
	for (tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save), c.n++) {
		first = first ?: tok;
		c.parent = c.last;
		c.last = tok;
	}
	if (!c.n)
		return -ENOENT;
	/* Phase 2: the runtimes' patterns, then ctr's "/<namespace>/<id>". */
	for (i = 0; i < ARRAY_LEN(patterns); i++)
		if (!pattern_match(&patterns[i], cgpath, &c, out))
			return 0;
	if (c.n != 2 || !ctrd_ident(first) || !ctrd_ident(c.last) || strlen(first) >= sizeof(out->ns))
		return -ENOENT;
	out->runtime = VIPC_RT_CONTAINERD;
	out->guessed = 1;
	snprintf(out->ns, sizeof(out->ns), "%s", first);
	snprintf(out->id, sizeof(out->id), "%s", c.last);
	return 0;
}

/* A JSON document from @path: 0, -EAGAIN when it is missing or not whole
 * yet (the runtime is writing it), or the -errno of open.
 */
static int read_json(const char *path, struct json_object **obj)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? -EAGAIN : -errno;
	*obj = json_object_from_fd(fd);
	close(fd);
	return *obj ? 0 : -EAGAIN;
}

/* The string member @key of @obj, or NULL. */
static const char *json_str(struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

#define SLICE ".slice"

/* The path systemd gives slice @s (@len bytes), as runc expands it:
 * "a-b.slice" is "/a.slice/a-b.slice", "-.slice" the root (""). 0, or
 * -EINVAL for no slice name ("a--b.slice", "-a.slice", "a/b.slice").
 */
static int slice_path(const char *s, size_t len, char *out)
{
	size_t i, start = 0, n = len - strlen(SLICE), w = 0;

	if (len <= strlen(SLICE) || strncmp(s + n, SLICE, strlen(SLICE)) || memchr(s, '/', len))
		return -EINVAL;
	*out = 0;
	if (n == 1 && *s == '-')
		return 0;
	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '-')
			continue;
		if (i == start)
			return -EINVAL; /* an empty component */
		w += snprintf(out + w, PATH_MAX - w, "/%.*s" SLICE, (int)i, s);
		if (w >= PATH_MAX)
			return -ENAMETOOLONG;
		start = i + 1;
	}
	return 0;
}

/* The cgroup path (from the cgroup2 root) a bundle's linux.cgroupsPath
 * @cp names, as runc reads it: "/a/b" on cgroupfs; "SLICE:PREFIX:NAME"
 * with the systemd driver, the slice's path then PREFIX-NAME.scope (or
 * NAME, a slice). 0, or -EINVAL when it names none vipc can tell (a
 * relative path: relative to runc's own cgroup).
 */
static int cgroups_path(const char *cp, char *out)
{
	const char *prefix = strchr(cp, ':'), *name = prefix ? strchr(prefix + 1, ':') : NULL;
	size_t n;
	int err;

	if (!prefix)
		return *cp == '/' ? path_fmt(out, "%s", cp) : -EINVAL;
	if (!name || strchr(name + 1, ':') || !name[1])
		return -EINVAL;
	err = prefix == cp ? path_fmt(out, "/system.slice") : slice_path(cp, prefix - cp, out);
	n = strlen(out);
	if (!err && strlen(name + 1) > strlen(SLICE) &&
	    !strcmp(name + 1 + strlen(name + 1) - strlen(SLICE), SLICE))
		return path_fmt(out + n, "/%s", name + 1);
	return err ?: path_fmt(out + n, "/%.*s-%s.scope", (int)(name - prefix - 1), prefix + 1,
			       name + 1);
}

/* Is the bundle's config.json at @path cgroup @cgpath's? The runtime wrote
 * where it makes the container's cgroup there (linux.cgroupsPath) before
 * making it: the proof that this cgroup is that container, not one named
 * alike elsewhere (-ENOENT: another cgroup). Its annotations into @out.
 */
static int load_bundle(const char *path, const char *cgpath, struct vipc_rt_info *out)
{
	struct json_object *spec, *lx, *ann;
	char want[PATH_MAX];
	const char *cp = NULL;
	int err;

	err = read_json(path, &spec);
	if (err)
		return err;
	if (json_object_object_get_ex(spec, "linux", &lx))
		cp = json_str(lx, "cgroupsPath");
	if (!cp || cgroups_path(cp, want) || strcmp(want + 1, cgpath + (*cgpath == '/')))
		err = -ENOENT;
	else if (json_object_object_get_ex(spec, "annotations", &ann) &&
		 json_object_is_type(ann, json_type_object))
		out->annotations = json_object_get(ann);
	else
		out->annotations = json_object_new_object();
	json_object_put(spec);
	return err ?: (out->annotations ? 0 : -ENOMEM);
}

/* The bundle config.json of task @ns/@id in one of containerd's state dirs:
 * 0, -EAGAIN when none has it, -ENOENT when none knows @ns and @must_ns.
 */
static int ctrd_bundle(const struct vipc_rt_roots *roots, const struct vipc_rt_info *info,
		       int must_ns, char *path)
{
	int i, err, seen_ns = 0;
	size_t k;

	for (i = 0; i < VIPC_RT_MAX_STATES && roots->containerd[i]; i++) {
		for (k = 0; k < ARRAY_LEN(task_dirs); k++) {
			err = path_fmt(path, "%s/%s/%s", roots->containerd[i], task_dirs[k],
				       info->ns);
			if (err)
				return err;
			if (access(path, F_OK))
				continue;
			seen_ns = 1;
			err = path_fmt(path, "%s/%s/%s/%s/config.json", roots->containerd[i],
				       task_dirs[k], info->ns, info->id);
			if (err || !access(path, F_OK))
				return err;
		}
	}
	return must_ns && !seen_ns ? -ENOENT : -EAGAIN;
}

/* Docker: the name in <data-root>/containers/<id>/config.v2.json, the bundle in containerd's. */
static int docker_state(const struct vipc_rt_roots *roots, const char *cgpath,
			struct vipc_rt_info *out)
{
	char path[PATH_MAX];
	struct json_object *cfg;
	const char *name;
	int err;

	err = path_fmt(path, "%s/containers/%s/config.v2.json", roots->docker, out->id) ?:
	      read_json(path, &cfg);
	if (err)
		return err;
	name = json_str(cfg, "Name");
	snprintf(out->name, sizeof(out->name), "%s", name ? name + (*name == '/') : out->id);
	json_object_put(cfg);
	return ctrd_bundle(roots, out, 0, path) ?: load_bundle(path, cgpath, out);
}

/* @out->name: the first of the "names" of @c, else the id. */
static void podman_first_name(struct json_object *c, struct vipc_rt_info *out)
{
	struct json_object *names, *first = NULL;

	if (json_object_object_get_ex(c, "names", &names) &&
	    json_object_is_type(names, json_type_array) && json_object_array_length(names))
		first = json_object_array_get_idx(names, 0);
	snprintf(out->name, sizeof(out->name), "%s",
		 json_object_is_type(first, json_type_string) ? json_object_get_string(first) :
								 out->id);
}

/* The name of container @out->id in containers/storage's containers.json at @path. */
static int podman_name(const char *path, struct vipc_rt_info *out)
{
	struct json_object *list, *c;
	const char *id;
	size_t i, n;
	int err;

	err = read_json(path, &list);
	if (err)
		return err;
	n = json_object_is_type(list, json_type_array) ? json_object_array_length(list) : 0;
	for (i = 0, err = -EAGAIN; i < n && err; i++) {
		c = json_object_array_get_idx(list, i);
		id = json_str(c, "id");
		if (id && !strcmp(id, out->id)) {
			podman_first_name(c, out);
			err = 0;
		}
	}
	json_object_put(list);
	return err;
}

#define PODMAN_BUNDLE "/userdata/config.json"

/* Podman: <graph root>/<driver>-containers/{containers.json, <id>/userdata/config.json}. */
static int podman_state(const struct vipc_rt_roots *roots, const char *cgpath,
			struct vipc_rt_info *out)
{
	char path[PATH_MAX];
	glob_t g = { 0 };
	int err;

	/* Phase 1: the bundle, in whichever storage driver's directory. */
	err = path_fmt(path, "%s/*-containers/%s" PODMAN_BUNDLE, roots->podman, out->id);
	if (!err && glob(path, GLOB_NOSORT, NULL, &g))
		err = -EAGAIN;
	if (!err)
		err = path_fmt(path, "%s", g.gl_pathv[0]) ?: load_bundle(path, cgpath, out);
	globfree(&g);
	if (err)
		return err;
	/* Phase 2: the name, in that driver's list of containers. */
	strcpy(path + strlen(path) - strlen(PODMAN_BUNDLE) - HEX_ID_LEN, "containers.json");
	return podman_name(path, out);
}

/* containerd: the bundle in its state, the name is the id. */
static int containerd_state(const struct vipc_rt_roots *roots, const char *cgpath,
			    struct vipc_rt_info *out)
{
	char path[PATH_MAX];

	snprintf(out->name, sizeof(out->name), "%s", out->id);
	return ctrd_bundle(roots, out, out->guessed, path) ?: load_bundle(path, cgpath, out);
}

int vipc_rt_resolve(const struct vipc_rt_roots *roots, const char *cgpath,
		    struct vipc_rt_info *out)
{
	int err;

	err = vipc_rt_parse(cgpath, out);
	if (err)
		return err;
	switch (out->runtime) {
	case VIPC_RT_DOCKER:
		err = docker_state(roots, cgpath, out);
		break;
	case VIPC_RT_PODMAN:
		err = podman_state(roots, cgpath, out);
		break;
	default:
		err = containerd_state(roots, cgpath, out);
		break;
	}
	if (err)
		vipc_rt_info_free(out);
	return err;
}

int vipc_rt_holds(struct vipc_rt_hold out[VIPC_RT_MAX_HOLDS])
{
	char pat[VIPC_CGROUP_PATH_MAX], id[HEX_ID_LEN + 1];
	const struct rt_pattern *p;
	struct vipc_glob *g;
	int n = 0;
	size_t i;

	memset(id, '?', HEX_ID_LEN);
	id[HEX_ID_LEN] = 0;
	for (i = 0; i < ARRAY_LEN(patterns) && n < VIPC_RT_MAX_HOLDS; i++) {
		p = &patterns[i];
		snprintf(pat, sizeof(pat), "%s%s%s%s%s", p->parent ?: "", p->parent ? "/" : "",
			 p->prefix, id, p->suffix);
		out[n].top = p->top;
		g = &out[n++].glob;
		vipc_glob_make(g, pat, strlen(pat));
		g->parts = p->parent ? 2 : 1;
		g->top = strlen(p->top);
		g->depth_min = p->depth_min;
		g->depth_max = p->depth_max;
	}
	return n;
}

/* Add namespace @ns to @out (@n of them) unless it is there or not an identifier. */
static void ns_add(char (*out)[VIPC_RT_NS_MAX], int *n, int max, const char *ns)
{
	int i;

	if (*n >= max || !ctrd_ident(ns) || strlen(ns) >= VIPC_RT_NS_MAX)
		return;
	for (i = 0; i < *n; i++)
		if (!strcmp(out[i], ns))
			return;
	snprintf(out[(*n)++], VIPC_RT_NS_MAX, "%s", ns);
}

int vipc_rt_namespaces(const struct vipc_rt_roots *roots, char (*out)[VIPC_RT_NS_MAX], int max)
{
	char path[PATH_MAX];
	struct dirent *e;
	int i, n = 0;
	size_t k;
	DIR *d;

	ns_add(out, &n, max, "default");
	for (i = 0; i < VIPC_RT_MAX_STATES && roots->containerd[i]; i++) {
		for (k = 0; k < ARRAY_LEN(task_dirs); k++) {
			if (path_fmt(path, "%s/%s", roots->containerd[i], task_dirs[k]))
				continue;
			d = opendir(path);
			while (d && (e = readdir(d)))
				if (e->d_type == DT_DIR)
					ns_add(out, &n, max, e->d_name);
			if (d)
				closedir(d);
		}
	}
	return n;
}

const char *vipc_rt_annotation(const struct vipc_rt_info *info, const char *key)
{
	return info->annotations ? json_str(info->annotations, key) : NULL;
}

void vipc_rt_info_free(struct vipc_rt_info *info)
{
	json_object_put(info->annotations);
	info->annotations = NULL;
}
