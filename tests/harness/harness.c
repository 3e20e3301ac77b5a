// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Integration-test harness: host commands, cgroups and runc containers. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "harness.h"

#define H_MAX 64	/* registry slots of each kind */
#define H_HIER_MAX 16	/* cgroup hierarchies */
#define H_READY_MS 5000 /* how long a spawn may take to say "ready" */
#define H_NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"

#define pr_err(fmt, ...) fprintf(stderr, "harness: " fmt "\n", ##__VA_ARGS__)

int h_timeout_ms = 30000;

struct h_container {
	char id[128];
	char cgroup[PATH_MAX];
	char bundle[PATH_MAX];
	pid_t pid;
	unsigned int execs;
};

struct spawn {
	pid_t pid;
	char *out; /* file holding its stdout+stderr */
	int reaped;
	int status;
};

/* Registry of everything to remove at cleanup, owned by the registering pid. */
static struct {
	pid_t owner;
	char base[PATH_MAX]; /* /tmp/vipc-test-<pid>-XXXXXX: bundles, outputs, tmpdirs */
	struct h_container *ctr[H_MAX];
	char *cg[H_MAX];
	int n_cg;
	struct spawn sp[H_MAX];
	int n_sp;
	unsigned int seq;
} reg;

/* cgroup hierarchies (v1 and v2) mounted on this machine. */
static struct {
	char path[H_HIER_MAX][PATH_MAX];
	int v2[H_HIER_MAX];
	int n;
	int loaded;
} hier;

static const char *runc_bin(void)
{
	const char *env = getenv("VIPC_RUNC");

	if (env && *env)
		return env;
	return access("/usr/sbin/runc", X_OK) ? "runc" : "/usr/sbin/runc";
}

/* ---- small file helpers ---- */

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* Read FD from its start into OUT (NUL-terminated); returns the length. */
static int read_fd(int fd, char *out, size_t outsz)
{
	size_t len = 0;
	ssize_t n;

	if (!out || !outsz)
		return 0;
	while (len < outsz - 1 && (n = pread(fd, out + len, outsz - 1 - len, len)) > 0)
		len += n;
	out[len] = '\0';
	return len;
}

static int read_path(const char *path, char *out, size_t outsz)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), n;

	if (fd < 0) {
		if (out && outsz)
			out[0] = '\0';
		return -errno;
	}
	n = read_fd(fd, out, outsz);
	close(fd);
	return n;
}

static int rm_cb(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st, (void)type, (void)f;
	if (remove(path) && errno != ENOENT)
		pr_err("remove %s: %s", path, strerror(errno));
	return 0;
}

/* rm -rf PATH, never leaving its filesystem. */
static void rm_rf(const char *path)
{
	if (access(path, F_OK))
		return;
	nftw(path, rm_cb, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* ---- registry ---- */

static void at_exit(void)
{
	h_cleanup_all();
}

/* The per-process temp dir, made (and the exit hook set) on first use. */
static const char *base_dir(void)
{
	static int hooked;

	if (reg.owner != getpid()) {
		memset(&reg, 0, sizeof(reg));
		reg.owner = getpid();
	}
	if (!hooked) {
		atexit(at_exit);
		hooked = 1;
	}
	if (!reg.base[0]) {
		snprintf(reg.base, sizeof(reg.base), "/tmp/" H_ID_PREFIX "%d-XXXXXX", getpid());
		if (!mkdtemp(reg.base)) {
			pr_err("mkdtemp %s: %s", reg.base, strerror(errno));
			reg.base[0] = '\0';
			return NULL;
		}
	}
	return reg.base;
}

static void reg_cgroup(const char *rel)
{
	if (!base_dir())
		return;
	if (reg.n_cg == H_MAX) {
		pr_err("too many cgroups; %s not registered for cleanup", rel);
		return;
	}
	reg.cg[reg.n_cg++] = strdup(rel);
}

static struct spawn *find_spawn(pid_t pid)
{
	for (int i = 0; i < reg.n_sp; i++)
		if (reg.sp[i].pid == pid)
			return &reg.sp[i];
	pr_err("pid %d is not a spawned process", pid);
	return NULL;
}

const char *h_path(const char *rel)
{
	static char buf[8][2 * PATH_MAX];
	static unsigned int next;
	static char root[PATH_MAX];
	char *p = buf[next++ % 8];

	/* The repo root: $VIPC_REPO, or <repo>/build/tests/<exe>, or the cwd. */
	if (!root[0]) {
		const char *env = getenv("VIPC_REPO");
		char exe[PATH_MAX], mk[PATH_MAX + 16];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

		if (env && *env) {
			snprintf(root, sizeof(root), "%s", env);
		} else if (n > 0) {
			exe[n] = '\0';
			for (int up = 0; up < 3; up++)
				*strrchr(exe, '/') = '\0';
			snprintf(mk, sizeof(mk), "%s/Makefile", exe);
			if (!access(mk, F_OK))
				snprintf(root, sizeof(root), "%s", exe);
		}
		if (!root[0] && !getcwd(root, sizeof(root)))
			snprintf(root, sizeof(root), ".");
	}
	snprintf(p, sizeof(buf[0]), "%s/%s", root, rel);
	return p;
}

const char *h_tmpdir(void)
{
	static char buf[H_MAX][PATH_MAX];
	const char *base = base_dir();
	char *p;

	if (!base)
		return NULL;
	p = buf[reg.seq++ % H_MAX];
	snprintf(p, PATH_MAX, "%s/dir-XXXXXX", base);
	if (!mkdtemp(p)) {
		pr_err("mkdtemp %s: %s", p, strerror(errno));
		return NULL;
	}
	chmod(p, 0755);
	return p;
}

/* ---- processes ---- */

static int decode_status(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return -EINVAL;
}

/* MS times $VIPC_TIME_SCALE (a factor >= 1; scripts/vmtest.sh sets it under
 * software emulation), for every wait on a command or an output. */
int h_scale_ms(int ms)
{
	static int scale;

	if (!scale) {
		const char *env = getenv("VIPC_TIME_SCALE");

		scale = env && atoi(env) > 1 ? atoi(env) : 1;
	}
	return ms > 0 && ms < INT_MAX / scale ? ms * scale : ms;
}

int h_runs(int native)
{
	const char *quick = getenv("VIPC_QUICK"), *soak = getenv("VIPC_SOAK");

	if (soak && atoi(soak) > 1)
		return native * atoi(soak);
	return h_scale_ms(1) > 1 || (quick && !strcmp(quick, "1")) ? native / 5 : native;
}

/* Reap PID within TIMEOUT_MS (<= 0: no limit); its exit status or -ETIMEDOUT. */
static int wait_timeout(pid_t pid, int timeout_ms)
{
	int fd, st;

	timeout_ms = h_scale_ms(timeout_ms);
	if (timeout_ms > 0) {
		fd = pidfd_open(pid, 0);
		if (fd >= 0) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			int n = poll(&pfd, 1, timeout_ms);

			close(fd);
			if (n == 0)
				return -ETIMEDOUT;
		}
	}
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return decode_status(st);
}

/* "ARGV[0] ARGV[1] ..." (shortened) for messages. */
static const char *argv_str(const char *const argv[])
{
	static char buf[256];
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; argv[i] && len < sizeof(buf) - 1; i++)
		len += snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? " " : "", argv[i]);
	return buf;
}

/* Child side of fork_exec: never returns; reports a failure's errno on ERRPIPE. */
static void child_exec(const char *rel, const char *const argv[], int outfd, int errfd,
		       int errpipe)
{
	int nul = open("/dev/null", O_RDWR | O_CLOEXEC), err = 0;

	if (rel)
		err = -h_cgroup_enter(rel, 0);
	if (!err) {
		dup2(nul, 0);
		if (outfd >= 0)
			dup2(outfd, 1);
		if (errfd >= 0)
			dup2(errfd, 2);
		execvp(argv[0], (char *const *)argv);
		err = errno;
	}
	if (write(errpipe, &err, sizeof(err)) != sizeof(err))
		err = 0; /* the parent sees a plain exit 127 */
	_exit(127);
}

/*
 * fork, move into cgroup REL, stdio to OUTFD/ERRFD (-1: inherit), exec.
 * Returns the child's pid once it has exec'd, or -errno when it could not.
 */
static pid_t fork_exec(const char *rel, const char *const argv[], int outfd, int errfd)
{
	int pfd[2], err = 0;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC)) {
		pr_err("pipe: %s", strerror(errno));
		return -errno;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		child_exec(rel, argv, outfd, errfd, pfd[1]);
	close(pfd[1]);
	if (pid < 0) {
		err = errno;
		pr_err("fork: %s", strerror(err));
	} else if (read(pfd[0], &err, sizeof(err)) == sizeof(err)) {
		pr_err("start %s%s%s: %s", argv_str(argv), rel ? " in cgroup " : "", rel ? rel : "",
		       strerror(err));
		waitpid(pid, NULL, 0);
	} else {
		err = 0;
	}
	close(pfd[0]);
	return err ? -err : pid;
}

/* Run to completion, stdout/stderr to OUTFD/ERRFD (-1: inherit); killed at the time limit. */
static int run_fd(const char *rel, const char *const argv[], int outfd, int errfd)
{
	pid_t pid = fork_exec(rel, argv, outfd, errfd);
	int rc;

	if (pid < 0)
		return pid;
	rc = wait_timeout(pid, h_timeout_ms);
	if (rc == -ETIMEDOUT) {
		pr_err("%s: still running after %d ms, killed", argv_str(argv), h_timeout_ms);
		kill(pid, SIGKILL);
		wait_timeout(pid, 0);
	}
	return rc;
}

int h_run_cg(const char *rel, const char *const argv[], char *out, size_t outsz)
{
	int fd = memfd_create("h_run", MFD_CLOEXEC), rc;

	if (fd < 0) {
		pr_err("memfd_create: %s", strerror(errno));
		return -errno;
	}
	rc = run_fd(rel, argv, fd, fd);
	read_fd(fd, out, outsz);
	close(fd);
	return rc;
}

int h_run(const char *const argv[], char *out, size_t outsz)
{
	return h_run_cg(NULL, argv, out, outsz);
}

/* Run a runc subcommand quietly; its output into OUT. */
static int runc(char *out, size_t outsz, const char *a1, const char *a2, const char *a3)
{
	const char *argv[] = { runc_bin(), a1, a2, a3, NULL };

	return h_run(argv, out, outsz);
}

/* ---- cgroups ---- */

const char *h_cgroup2(void)
{
	static struct vipc_cgroot root;

	if (!root.path[0] && vipc_cgroup_find(NULL, &root)) {
		pr_err("no cgroup2 mount: the suites cannot run");
		exit(1);
	}
	return root.path;
}

static void load_hierarchies(void)
{
	char line[4096];
	struct vipc_mount m;
	FILE *f;

	if (hier.loaded)
		return;
	hier.loaded = 1;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f) {
		pr_err("/proc/self/mountinfo: %s", strerror(errno));
		return;
	}
	/* Every whole cgroup hierarchy: on a hybrid host, the v1 ones too. */
	while (fgets(line, sizeof(line), f) && hier.n < H_HIER_MAX) {
		if (vipc_mountinfo_parse(line, &m) || strcmp(m.root, "/"))
			continue;
		if (strcmp(m.fstype, "cgroup") && strcmp(m.fstype, "cgroup2"))
			continue;
		snprintf(hier.path[hier.n], PATH_MAX, "%s", m.point);
		hier.v2[hier.n++] = !strcmp(m.fstype, "cgroup2");
	}
	fclose(f);
}

int h_cgroup_make(const char *rel)
{
	char path[PATH_MAX];
	size_t base = strlen(h_cgroup2()) + 1;
	int made = 0;

	snprintf(path, sizeof(path), "%s/%s", h_cgroup2(), rel);
	/* mkdir each component; register the first made here (its removal
	 * takes the rest with it).
	 */
	for (char *p = path + base;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(path, 0755) == 0) {
			if (!made++)
				reg_cgroup(path + base);
		} else if (errno != EEXIST) {
			int err = -errno;

			pr_err("mkdir %s: %s", path, strerror(errno));
			return err;
		}
		*p = c;
		if (!c)
			return 0;
	}
}

static int kill_v1_cb(const char *path, const struct stat *st, int type, struct FTW *f)
{
	char procs[PATH_MAX + 16], buf[65536], *s, *end;

	(void)st, (void)f;
	if (type != FTW_D)
		return 0;
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", path);
	if (read_path(procs, buf, sizeof(buf)) <= 0)
		return 0;
	for (s = buf; *s; s = end) {
		long pid = strtol(s, &end, 10);

		if (end == s)
			break;
		if (pid > 0 && pid != getpid())
			kill(pid, SIGKILL);
	}
	return 0;
}

static int rmdir_cb(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st, (void)f;
	if (type != FTW_DP)
		return 0;
	/* EBUSY while killed processes are still exiting: retry for 2 s. */
	for (int i = 0; rmdir(path) && errno == EBUSY && i < 400; i++)
		usleep(5000);
	if (!access(path, F_OK))
		pr_err("rmdir %s: still there (busy)", path);
	return 0;
}

/* Kill everything in the cgroup directory PATH's subtree and rmdir it. */
static int remove_tree(const char *path, int v2)
{
	char kill_file[PATH_MAX + 16];

	if (access(path, F_OK))
		return 0;
	snprintf(kill_file, sizeof(kill_file), "%s/cgroup.kill", path);
	if (!v2 || write_file(kill_file, "1"))
		nftw(path, kill_v1_cb, 16, FTW_PHYS | FTW_MOUNT);
	nftw(path, rmdir_cb, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	return access(path, F_OK) ? 0 : -EBUSY;
}

int h_cgroup_remove(const char *rel)
{
	char path[PATH_MAX];
	int err = 0;

	if (!rel || !*rel || strstr(rel, "..")) {
		pr_err("refusing to remove cgroup '%s'", rel ? rel : "(null)");
		return -EINVAL;
	}
	load_hierarchies();
	for (int i = 0; i < hier.n; i++) {
		snprintf(path, sizeof(path), "%s/%s", hier.path[i], rel);
		if (remove_tree(path, hier.v2[i]))
			err = -EBUSY;
	}
	return err;
}

unsigned long long h_cgroup_id(const char *rel)
{
	char path[2 * PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", h_cgroup2(), rel);
	if (stat(path, &st)) {
		pr_err("stat %s: %s", path, strerror(errno));
		return 0;
	}
	return st.st_ino;
}

int h_cgroup_enter(const char *rel, pid_t pid)
{
	char path[2 * PATH_MAX], num[32];
	int err;

	snprintf(path, sizeof(path), "%s/%s/cgroup.procs", h_cgroup2(), rel);
	snprintf(num, sizeof(num), "%d", pid);
	err = write_file(path, num);
	if (err)
		pr_err("move %d into %s: %s", pid, path, strerror(-err));
	return err;
}

/* ---- containers ---- */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static const char *const default_caps =
	"[\"CAP_CHOWN\", \"CAP_DAC_OVERRIDE\", \"CAP_FSETID\", \"CAP_FOWNER\", \"CAP_MKNOD\", "
	"\"CAP_NET_RAW\", \"CAP_SETGID\", \"CAP_SETUID\", \"CAP_SETFCAP\", \"CAP_SETPCAP\", "
	"\"CAP_NET_BIND_SERVICE\", \"CAP_SYS_CHROOT\", \"CAP_KILL\", \"CAP_AUDIT_WRITE\"]";

static void write_process(FILE *f, const char *const *argv)
{
	static const char *const def_argv[] = { "sleep", "3600", NULL };
	const char *const *args = argv ? argv : def_argv;

	fprintf(f, "{\"ociVersion\": \"1.0.2\",\n \"process\": {\"terminal\": false,"
		   " \"user\": {\"uid\": 0, \"gid\": 0}, \"cwd\": \"/\",\n  \"args\": [");
	for (int i = 0; args[i]; i++) {
		if (i)
			fputs(", ", f);
		json_str(f, args[i]);
	}
	fprintf(f, "],\n  \"env\": [\"PATH=/bin\", \"HOME=/root\"],\n");
	fprintf(f, "  \"capabilities\": {\"bounding\": %s,\n   \"effective\": %s,\n"
		   "   \"permitted\": %s},\n  \"noNewPrivileges\": true},\n",
		default_caps, default_caps, default_caps);
}

/* config.json: a minimal OCI spec (see harness.h). */
static int write_config(const struct h_container *c, const struct h_container_opts *o,
			const char *rootfs)
{
	char path[PATH_MAX + 16];
	FILE *f;

	snprintf(path, sizeof(path), "%s/config.json", c->bundle);
	f = fopen(path, "we");
	if (!f) {
		pr_err("%s: %s", path, strerror(errno));
		return -errno;
	}
	write_process(f, o->argv);
	fputs(" \"root\": {\"path\": ", f);
	json_str(f, rootfs);
	fputs(", \"readonly\": false},\n \"hostname\": ", f);
	json_str(f, o->name);
	fputs(",\n \"mounts\": [\n"
	      "  {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},\n"
	      "  {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
	      " \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=1m\"]},\n"
	      "  {\"destination\": \"/tmp\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
	      " \"options\": [\"nosuid\", \"nodev\", \"mode=1777\", \"size=16m\"]}",
	      f);
	for (int i = 0; o->shared_dir && i < 2; i++) {
		fprintf(f, ",\n  {\"destination\": \"%s\", \"type\": \"bind\", \"source\": ",
			i ? H_SHARED_ALIAS : "/shared");
		json_str(f, o->shared_dir);
		fputs(", \"options\": [\"rbind\", \"rw\"]}", f);
	}
	for (int i = 0; o->host_dirs && o->host_dirs[i]; i++) {
		fputs(",\n  {\"destination\": ", f);
		json_str(f, o->host_dirs[i]);
		fputs(", \"type\": \"bind\", \"source\": ", f);
		json_str(f, o->host_dirs[i]);
		fputs(", \"options\": [\"rbind\", \"ro\"]}", f);
	}
	snprintf(path, sizeof(path), "/%s", c->cgroup);
	fputs("\n ],\n \"linux\": {\"cgroupsPath\": ", f);
	json_str(f, path);
	fputs(",\n  \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"},"
	      " {\"type\": \"uts\"},\n   {\"type\": \"ipc\"", f);
	if (o->share_ipcns_with)
		fprintf(f, ", \"path\": \"/proc/%d/ns/ipc\"", o->share_ipcns_with->pid);
	fputs("}, {\"type\": \"network\"", f);
	if (o->share_netns_with)
		fprintf(f, ", \"path\": \"/proc/%d/ns/net\"", o->share_netns_with->pid);
	fputs("}]}\n}\n", f);
	if (fclose(f)) {
		pr_err("%s: %s", path, strerror(errno));
		return -EIO;
	}
	return 0;
}

/* Validate options and fill in the container's id, cgroup and bundle. */
static int container_init(struct h_container *c, const struct h_container_opts *o)
{
	const char *base = base_dir();

	if (!base)
		return -EIO;
	if (!o || !o->name || !*o->name || o->name[strspn(o->name, H_NAME_CHARS)]) {
		pr_err("h_container_start: a name of [A-Za-z0-9_.-] is required");
		return -EINVAL;
	}
	if (o->share_netns_with && o->share_netns_with->pid <= 0) {
		pr_err("h_container_start %s: share_netns_with is not running", o->name);
		return -EINVAL;
	}
	if (o->share_ipcns_with && o->share_ipcns_with->pid <= 0) {
		pr_err("h_container_start %s: share_ipcns_with is not running", o->name);
		return -EINVAL;
	}
	snprintf(c->id, sizeof(c->id), H_ID_PREFIX "%s", o->name);
	snprintf(c->bundle, sizeof(c->bundle), "/run/runc/%s", c->id);
	if (!access(c->bundle, F_OK)) {
		pr_err("h_container_start: container %s exists already", c->id);
		return -EEXIST;
	}
	if (o->cgroup)
		snprintf(c->cgroup, sizeof(c->cgroup), "%s", o->cgroup + (o->cgroup[0] == '/'));
	else
		snprintf(c->cgroup, sizeof(c->cgroup), H_CGROUP_ROOT "/%s", o->name);
	snprintf(c->bundle, sizeof(c->bundle), "%s/ctr-%s-XXXXXX", base, o->name);
	if (!mkdtemp(c->bundle)) {
		pr_err("mkdtemp %s: %s", c->bundle, strerror(errno));
		return -errno;
	}
	return 0;
}

/* Register for cleanup the components of REL that do not exist yet (runc makes them). */
static void reg_new_cgroup_dirs(const char *rel)
{
	char path[PATH_MAX + 32];
	size_t base = strlen(h_cgroup2()) + 1;

	snprintf(path, sizeof(path), "%s/%s", h_cgroup2(), rel);
	for (char *p = path + base;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char ch = *p;

		*p = '\0';
		if (access(path, F_OK))
			reg_cgroup(path + base);
		*p = ch;
		if (!ch)
			return;
	}
}

static int register_container(struct h_container *c)
{
	for (int i = 0; i < H_MAX; i++) {
		if (!reg.ctr[i]) {
			reg.ctr[i] = c;
			return 0;
		}
	}
	pr_err("too many containers");
	return -ENOSPC;
}

static int run_container(struct h_container *c)
{
	char log[PATH_MAX + 16], pidf[PATH_MAX + 16], buf[4096];
	const char *argv[] = { runc_bin(), "run", "-d", "--pid-file", pidf,
			       "--bundle", c->bundle, c->id, NULL };
	int fd, rc;

	snprintf(log, sizeof(log), "%s/init.log", c->bundle);
	snprintf(pidf, sizeof(pidf), "%s/init.pid", c->bundle);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		pr_err("%s: %s", log, strerror(errno));
		return -errno;
	}
	rc = run_fd(NULL, argv, fd, fd);
	close(fd);
	if (rc == 0 && read_path(pidf, buf, sizeof(buf)) > 0)
		c->pid = atoi(buf);
	if (rc != 0 || c->pid <= 0) {
		read_path(log, buf, sizeof(buf));
		pr_err("runc run %s failed (status %d): %s", c->id, rc, buf);
		return rc < 0 ? rc : -EIO;
	}
	return 0;
}

struct h_container *h_container_start(const struct h_container_opts *o)
{
	const char *rootfs = o && o->rootfs ? o->rootfs : h_path("build/rootfs");
	char probe[PATH_MAX + 32];
	struct h_container *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (container_init(c, o))
		goto err_free;
	snprintf(probe, sizeof(probe), "%s/bin/vipc-probe", rootfs);
	if (access(probe, X_OK)) {
		pr_err("%s missing: scripts/rootfs.sh %s build/tests/vipc-probe", probe, rootfs);
		goto err_bundle;
	}
	if (write_config(c, o, rootfs))
		goto err_bundle;
	reg_new_cgroup_dirs(c->cgroup);
	if (register_container(c))
		goto err_bundle;
	if (run_container(c)) {
		h_container_destroy(c);
		return NULL;
	}
	return c;

err_bundle:
	rm_rf(c->bundle);
err_free:
	free(c);
	return NULL;
}

pid_t h_container_pid(const struct h_container *c)
{
	return c ? c->pid : -EINVAL;
}

int h_container_log(const struct h_container *c, char *out, size_t outsz)
{
	char log[PATH_MAX + 16];

	if (!c)
		return -EINVAL;
	snprintf(log, sizeof(log), "%s/init.log", c->bundle);
	return read_path(log, out, outsz);
}

const char *h_container_id(const struct h_container *c)
{
	return c ? c->id : NULL;
}

const char *h_container_cgroup(const struct h_container *c)
{
	return c ? c->cgroup : NULL;
}

/* argv for `runc exec --pid-file F ID ARGV...` into ARGS (H_MAX slots). */
static int exec_argv(struct h_container *c, const char *const argv[], const char **args,
		     char *pidf, size_t pidsz)
{
	int n = 0;

	snprintf(pidf, pidsz, "%s/exec-%u.pid", c->bundle, c->execs++);
	unlink(pidf);
	args[n++] = runc_bin();
	args[n++] = "exec";
	args[n++] = "--pid-file";
	args[n++] = pidf;
	args[n++] = c->id;
	for (int i = 0; argv[i]; i++) {
		if (n == H_MAX - 1) {
			pr_err("runc exec: too many arguments");
			return -E2BIG;
		}
		args[n++] = argv[i];
	}
	args[n] = NULL;
	return 0;
}

int h_container_exec(struct h_container *c, const char *const argv[], char *out, size_t outsz)
{
	const char *args[H_MAX];
	char pidf[PATH_MAX + 32];
	int fd = -1, rc;

	if (!c || c->pid <= 0 || !argv || !argv[0]) {
		pr_err("h_container_exec: no container or no command");
		return -EINVAL;
	}
	if (exec_argv(c, argv, args, pidf, sizeof(pidf)))
		return -E2BIG;
	fd = out ? memfd_create("h_exec", MFD_CLOEXEC) : open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		pr_err("h_container_exec: %s", strerror(errno));
		return -errno;
	}
	rc = run_fd(NULL, args, fd, -1);
	read_fd(fd, out, outsz);
	close(fd);
	/* No pid file: runc failed before the command ran. */
	if (rc >= 0 && access(pidf, F_OK)) {
		pr_err("runc exec %s %s failed (status %d)", c->id, argv[0], rc);
		return -EIO;
	}
	unlink(pidf);
	return rc;
}

/* SIGKILL a process that need not be our child and wait until it is gone. */
static void kill_and_wait(pid_t pid, int timeout_ms)
{
	int fd = pidfd_open(pid, 0);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (fd < 0)
		return; /* already gone */
	if (pidfd_send_signal(fd, SIGKILL, NULL, 0) == 0)
		poll(&pfd, 1, timeout_ms);
	close(fd);
}

void h_container_destroy(struct h_container *c)
{
	char out[4096];
	int rc;

	if (!c)
		return;
	for (int i = 0; i < H_MAX; i++)
		if (reg.ctr[i] == c)
			reg.ctr[i] = NULL;
	/* Kill init (and with it its pid namespace) first: `runc delete --force`
	 * on a running container polls for its death in 100 ms steps. */
	if (c->pid > 0)
		kill_and_wait(c->pid, 2000);
	/* runc removes its state and the cgroup leaf. */
	rc = runc(out, sizeof(out), "delete", "--force", c->id);
	if (rc != 0 && !strstr(out, "does not exist"))
		pr_err("runc delete %s (status %d): %s", c->id, rc, out);
	rm_rf(c->bundle);
	free(c);
}

/* ---- background processes ---- */

static pid_t spawn_common(const char *rel, const char *const argv[], const char *ready)
{
	const char *base = base_dir();
	struct spawn *s;
	char path[PATH_MAX + 32];
	int fd, rc;

	if (!base)
		return -EIO;
	if (reg.n_sp == H_MAX) {
		pr_err("too many spawned processes");
		return -ENOSPC;
	}
	snprintf(path, sizeof(path), "%s/spawn-%u.out", base, reg.seq++);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		pr_err("%s: %s", path, strerror(errno));
		return -errno;
	}
	s = &reg.sp[reg.n_sp];
	s->pid = fork_exec(rel, argv, fd, fd);
	close(fd);
	if (s->pid < 0)
		return s->pid;
	s->out = strdup(path);
	s->reaped = 0;
	reg.n_sp++;
	if (!ready)
		return s->pid;
	rc = h_spawn_expect(s->pid, ready, H_READY_MS);
	return rc ? rc : s->pid;
}

pid_t h_spawn(const char *rel, const char *const argv[], const char *ready)
{
	return spawn_common(rel, argv, ready);
}

pid_t h_container_spawn(struct h_container *c, const char *const argv[], const char *ready)
{
	const char *args[H_MAX];
	char pidf[PATH_MAX + 32];

	if (!c || c->pid <= 0 || !argv || !argv[0]) {
		pr_err("h_container_spawn: no container or no command");
		return -EINVAL;
	}
	if (exec_argv(c, argv, args, pidf, sizeof(pidf)))
		return -E2BIG;
	return spawn_common(NULL, args, ready);
}

/* Reap S: TIMEOUT_MS < 0 only checks, 0 waits without limit. */
static int spawn_reap(struct spawn *s, int timeout_ms)
{
	int st, rc;

	if (s->reaped)
		return s->status;
	if (timeout_ms < 0) {
		pid_t r = waitpid(s->pid, &st, WNOHANG);

		if (r == 0)
			return -ETIMEDOUT;
		rc = r < 0 ? -errno : decode_status(st);
	} else {
		rc = wait_timeout(s->pid, timeout_ms);
		if (rc == -ETIMEDOUT)
			return rc;
	}
	s->status = rc;
	s->reaped = 1;
	return rc;
}

int h_spawn_output(pid_t pid, char *out, size_t outsz)
{
	struct spawn *s = find_spawn(pid);

	if (!s)
		return -ESRCH;
	return read_path(s->out, out, outsz);
}

static int msleep_left(struct timespec *start, int timeout_ms)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000 >=
	    timeout_ms)
		return 0;
	usleep(1000);
	return 1;
}

int h_spawn_expect(pid_t pid, const char *needle, int timeout_ms)
{
	struct spawn *s = find_spawn(pid);
	struct timespec start;
	char buf[65536];

	if (!s)
		return -ESRCH;
	timeout_ms = h_scale_ms(timeout_ms);
	clock_gettime(CLOCK_MONOTONIC, &start);
	/* Poll the output file; give up early if the process is gone. */
	do {
		if (read_path(s->out, buf, sizeof(buf)) >= 0 && strstr(buf, needle))
			return 0;
		if (spawn_reap(s, -1) != -ETIMEDOUT) {
			read_path(s->out, buf, sizeof(buf));
			if (strstr(buf, needle))
				return 0;
			pr_err("pid %d exited (status %d) before printing '%s'; output: %s", pid,
			       s->status, needle, buf);
			return -ECHILD;
		}
	} while (msleep_left(&start, timeout_ms));
	read_path(s->out, buf, sizeof(buf));
	pr_err("pid %d: no '%s' within %d ms; output: %s", pid, needle, timeout_ms, buf);
	return -ETIMEDOUT;
}

int h_spawn_wait(pid_t pid, int timeout_ms)
{
	struct spawn *s = find_spawn(pid);

	return s ? spawn_reap(s, timeout_ms) : -ESRCH;
}

int h_spawn_stop(pid_t pid)
{
	struct spawn *s = find_spawn(pid);
	int rc;

	if (!s)
		return -ESRCH;
	if (s->reaped)
		return s->status;
	kill(pid, SIGTERM);
	rc = spawn_reap(s, 1000);
	if (rc == -ETIMEDOUT) {
		kill(pid, SIGKILL);
		rc = spawn_reap(s, 0);
	}
	return rc;
}

/* ---- cleanup ---- */

/* Remove H_CGROUP_ROOT in every hierarchy. */
static void sweep_cgroups(void)
{
	char path[PATH_MAX];

	load_hierarchies();
	for (int i = 0; i < hier.n; i++) {
		snprintf(path, sizeof(path), "%s/" H_CGROUP_ROOT, hier.path[i]);
		remove_tree(path, hier.v2[i]);
	}
}

void h_cleanup_all(void)
{
	if (reg.owner != getpid())
		return; /* a forked child: the registry is its parent's */
	for (int i = 0; i < reg.n_sp; i++) {
		h_spawn_stop(reg.sp[i].pid);
		free(reg.sp[i].out);
	}
	reg.n_sp = 0;
	for (int i = 0; i < H_MAX; i++)
		h_container_destroy(reg.ctr[i]);
	while (reg.n_cg > 0) {
		char *rel = reg.cg[--reg.n_cg];

		h_cgroup_remove(rel);
		free(rel);
	}
	sweep_cgroups();
	if (reg.base[0])
		rm_rf(reg.base);
	reg.base[0] = '\0';
}

static int is_ours(const char *id)
{
	for (int i = 0; i < H_MAX; i++)
		if (reg.ctr[i] && !strcmp(reg.ctr[i]->id, id))
			return 1;
	return 0;
}

/* runc delete --force every vipc-test-* container this process did not start. */
static void stale_containers(void)
{
	char out[65536], *line, *save = NULL;
	const char *argv[] = { runc_bin(), "list", "-q", NULL };

	if (h_run(argv, out, sizeof(out)) != 0) {
		pr_err("runc list: %s", out);
		return;
	}
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, H_ID_PREFIX, strlen(H_ID_PREFIX)) || is_ours(line))
			continue;
		char buf[4096];

		if (runc(buf, sizeof(buf), "delete", "--force", line))
			pr_err("runc delete %s: %s", line, buf);
	}
}

/* rm -rf /tmp/vipc-test-<pid>-* whose pid is gone. */
static void stale_dirs(void)
{
	DIR *d = opendir("/tmp");
	struct dirent *e;
	char path[PATH_MAX];

	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t n = strlen(H_ID_PREFIX);
		pid_t pid;

		if (strncmp(e->d_name, H_ID_PREFIX, n))
			continue;
		pid = atoi(e->d_name + n);
		if (pid <= 0 || pid == getpid() || kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "/tmp/%s", e->d_name);
		rm_rf(path);
	}
	closedir(d);
}

void h_cleanup_stale(void)
{
	stale_containers();
	if (reg.owner == getpid() && reg.n_cg > 0)
		pr_err("h_cleanup_stale: cgroups registered already; sweep skipped");
	else
		sweep_cgroups();
	stale_dirs();
}

void h_setup(void)
{
	const char *probe = h_path("build/rootfs/bin/vipc-probe");

	h_cleanup_stale();
	if (access(probe, X_OK))
		pr_err("%s missing: run scripts/rootfs.sh build/rootfs build/tests/vipc-probe",
		       probe);
}

const char *h_engines_dir(void)
{
	const char *d = getenv("VIPC_ENGINES_DIR");

	return d && *d ? d : "/run/vipc-engines";
}

/* scripts/engines.sh @verb [ARGS], its output printed when it fails. */
static void engines(const char *suite, const char *const argv[])
{
	char out[16384];

	h_timeout_ms = 120000;
	if (h_run(argv, out, sizeof(out)))
		fprintf(stderr, "%s: engines.sh %s failed:\n%s\n", suite, argv[1], out);
}

void h_engines_up(const char *suite)
{
	const char *script = h_path("scripts/engines.sh");

	engines(suite, (const char *const[]){ script, "stop", NULL }); /* what a killed run left */
	engines(suite, (const char *const[]){ script, "start", "docker", "podman", "containerd",
					      "--rootfs", h_path("build/rootfs"), NULL });
}

void h_engines_down(const char *suite)
{
	engines(suite, (const char *const[]){ h_path("scripts/engines.sh"), "stop", NULL });
}
