/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* The LSM and fmodret backends, one body per hook attached as a BPF LSM
 * program or as an fmod_ret program on the kernel's security_ function:
 * decide on the peer socket itself (its bound name and who bound it),
 * guard bind, tag admitted connections and re-check every send and
 * receive on them, bound channels.
 */
#ifndef __VIPC_LSM_BPF_H
#define __VIPC_LSM_BPF_H

/* The container of the cgroup a socket was created in (its nearest
 * registered ancestor, at any depth), 0 when none or deeper than a climb
 * reaches (an impostor then): who really bound a name.
 */
static __always_inline __u32 vipc_sock_owner(struct sock *sk, __u32 slot)
{
	struct cgroup *cg = BPF_CORE_READ(sk, sk_cgrp_data.cgroup);
	struct vipc_principal *p;

	if (!cg)
		return 0;
	p = vipc_climb(slot, (__u64)cg, BPF_CORE_READ(cg, level));
	return p ? p->id : 0;
}

/* LSM backend: endpoint key and exact name from a sun_path of @n bytes at
 * @path, read through the probe helper (@cwd as for vipc_name_read).
 */
static __always_inline int vipc_name_key(const char *path, __u32 n, char lead,
					 struct vipc_call *c, int cwd)
{
	if (vipc_name_read(path, n, lead, c, 0, cwd))
		return -1;
	c->key.hash = vipc_name_hash(&c->name, c->key.len);
	vipc_step(VIPC_STEP_hash);
	return 0;
}

/* LSM backend: the address the peer socket was really bound to (a
 * relative one as it was passed: whose working directory it was is gone).
 */
static __always_inline int vipc_bound_key(struct sock *sk, struct vipc_call *c)
{
	struct unix_address *addr = BPF_CORE_READ((struct unix_sock *)sk, addr);
	const char *path;
	char lead;
	int n;

	if (!addr)
		return -1;
	n = BPF_CORE_READ(addr, len);
	path = (const char *)addr + bpf_core_field_offset(struct unix_address, name) +
	       SUN_PATH_OFFSET;
	if (n <= SUN_PATH_OFFSET || bpf_probe_read_kernel(&lead, 1, path))
		return -1;
	return vipc_name_key(path, n - SUN_PATH_OFFSET, lead, c, 0);
}

/* LSM backend. Connections admitted to an endpoint carry a tag, so a
 * later send re-checks them; channel connections are counted until the
 * socket is freed.
 */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct vipc_conn_tag);
} vipc_conn_tags SEC(".maps");

/* Live connections per channel endpoint id, sized for the channels of both
 * slots (--max-channels). Only the loader deletes an entry: under the pin
 * lock, one at zero whose endpoint is a channel in no slot, after a grace
 * period (vipc_chan_sweep), so no admit holds it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIPC_MAX_CHANNELS * VIPC_SLOTS);
	__type(key, __u32);
	__type(value, __s64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_chan_live SEC(".maps");

/* Counted socket -> endpoint id, released by sk_free_security
 * (--max-connections).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIPC_MAX_CONNECTIONS);
	__type(key, __u64);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_chan_conns SEC(".maps");

/* LSM backend, datagrams: the AF_UNIX datagram send in progress on this
 * thread carries fds. socket_sendmsg writes it on every such send (before
 * the kernel parses the message), socket_connect clears it, and
 * unix_may_send, called in the same syscall with the peer (once per peer
 * the send tries), reads it. Per thread: two threads sending on one socket
 * each see their own send.
 */
struct vipc_dgram_send {
	__u64 sk; /* the sending socket */
	__u32 fds;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct vipc_dgram_send);
} vipc_dgram_sends SEC(".maps");

/* fmodret backend: the kernel lets no fmod_ret program use socket storage
 * (only fentry and fexit ones), so a connection's tag travels through this
 * thread's relay: an fentry program copies it in before the fmod_ret
 * program re-checks the call, and an fexit program copies out the tag of a
 * connection the fmod_ret program admitted. @sk says whose tag it holds.
 */
struct vipc_tag_relay {
	__u64 sk;
	__u32 valid;
	__u32 pad;
	struct vipc_conn_tag tag;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct vipc_tag_relay);
} vipc_tag_relays SEC(".maps");

/* This thread's relay, made when @create. */
static __always_inline struct vipc_tag_relay *vipc_relay(int create)
{
	return bpf_task_storage_get(&vipc_tag_relays, bpf_get_current_task_btf(), 0,
				    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

/* The tag of @sk's connection, NULL if none: its socket storage (LSM
 * backend, @fr 0), or the relay an fentry program filled (fmodret, @fr 1).
 */
static __always_inline struct vipc_conn_tag *vipc_tag_find(struct sock *sk, int fr)
{
	struct vipc_tag_relay *r;

	if (!fr)
		return bpf_sk_storage_get(&vipc_conn_tags, sk, 0, 0);
	r = vipc_relay(0);
	return r && r->valid && r->sk == (__u64)sk ? &r->tag : NULL;
}

/* Room for the tag of @sk's connection: its socket storage, or the relay an
 * fexit program empties into it once the call went through.
 */
static __always_inline struct vipc_conn_tag *vipc_tag_new(struct sock *sk, int fr)
{
	struct vipc_tag_relay *r;

	if (!fr)
		return bpf_sk_storage_get(&vipc_conn_tags, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	r = vipc_relay(1);
	if (!r)
		return NULL;
	r->sk = (__u64)sk;
	r->valid = 1;
	return &r->tag;
}

/* The place of a directory: its inode and device. */
static __always_inline __u64 vipc_inode_place(struct inode *dir)
{
	return vipc_dir_place(BPF_CORE_READ(dir, i_ino), BPF_CORE_READ(dir, i_sb, s_dev));
}

/* The place of @sk's name of @kind: for an abstract name, the network
 * namespace it lives in (its cookie); for a pathname, the directory of the
 * socket file it is bound to. 0 when unknown.
 */
static __always_inline __u64 vipc_sk_place(struct sock *sk, __u32 kind)
{
	struct inode *dir;

	if (kind == VIPC_KIND_UNIX_ABSTRACT)
		return BPF_CORE_READ(sk, __sk_common.skc_net.net, net_cookie);
	dir = BPF_CORE_READ((struct unix_sock *)sk, path.dentry, d_parent, d_inode);
	return dir ? vipc_inode_place(dir) : 0;
}

/* Decide on the peer socket: its bound name and who bound it. A socket
 * another container bound to a registered name outside its owner's homes
 * is not the endpoint: that name is another directory's or namespace's.
 */
static __always_inline enum vipc_reason vipc_peer_decide(struct vipc_call *c, struct sock *peer)
{
	__u32 bound = 0;

	if (vipc_bound_key(peer, c))
		return vipc_decide(c->caller, NULL, NULL, c->perm);
	vipc_lookup(c);
	if (c->ep)
		bound = vipc_sock_owner(peer, c->key.slot);
	if (c->ep && bound != c->ep->owner)
		vipc_away(c, vipc_sk_place(peer, c->key.kind));
	return vipc_decide_peer(c->caller, c->ep, c->grant, c->perm, bound);
}

/* Take a place in a bounded channel for @sk, or VIPC_R_FULL: also when a
 * table is full, the place given back (a connection admitted is counted).
 */
static __always_inline enum vipc_reason vipc_admit(struct vipc_call *c, struct sock *sk,
						   enum vipc_reason reason)
{
	__u64 ptr = (__u64)sk;
	__s64 zero = 0, *live;

	if (!vipc_takes_place(reason, c->ep))
		return reason;
	bpf_map_update_elem(&vipc_chan_live, &c->ep->id, &zero, BPF_NOEXIST);
	live = bpf_map_lookup_elem(&vipc_chan_live, &c->ep->id);
	if (!live)
		return VIPC_R_FULL;
	reason = vipc_decide_capacity(reason, c->ep, __sync_fetch_and_add(live, 1));
	if (reason == VIPC_R_FULL || bpf_map_update_elem(&vipc_chan_conns, &ptr, &c->ep->id, BPF_ANY)) {
		__sync_fetch_and_add(live, -1);
		return VIPC_R_FULL;
	}
	return reason;
}

/* Remember what a connection to an endpoint was admitted under (container
 * 0: a caller no container holds).
 */
static __always_inline void vipc_tag(struct vipc_call *c, struct sock *sk, int fr)
{
	struct vipc_conn_tag *tag;

	if (!c->ep)
		return;
	tag = vipc_tag_new(sk, fr);
	if (!tag)
		return;
	tag->endpoint = c->ep->id;
	tag->generation = c->ep->generation;
	tag->container = c->caller ? c->caller->id : 0;
	tag->perm = c->perm;
	__builtin_memcpy(&tag->key, &c->key, sizeof(tag->key));
	__builtin_memcpy(&tag->name, &c->name, sizeof(tag->name));
}

/* Stream connect: the peer, a place in a bounded channel, a tag. */
static __always_inline int vipc_stream_connect_do(struct sock *sock, struct sock *other, int fr)
{
	struct vipc_call c = {};
	enum vipc_reason reason;

	if (!vipc_begin(&c, VIPC_PERM_CONNECT, VIPC_HOOK_STREAM_CONNECT))
		return 0;
	reason = vipc_admit(&c, sock, vipc_peer_decide(&c, other));
	if (!vipc_finish(&c, reason))
		return -EPERM;
	vipc_tag(&c, sock, fr);
	return 0;
}

/* Does the datagram send in progress on @sk carry fds? */
static __always_inline int vipc_dgram_fds(struct sock *sk)
{
	struct vipc_dgram_send *s;

	s = bpf_task_storage_get(&vipc_dgram_sends, bpf_get_current_task_btf(), 0, 0);
	return s && s->fds && s->sk == (__u64)sk;
}

/* Datagram connect and send: the peer; fds need pass-fd on top. */
static __always_inline int vipc_may_send_do(struct socket *sock, struct socket *other)
{
	__u32 perm = VIPC_PERM_SEND;
	struct sock *peer = other->sk;
	struct vipc_call c = {};

	if (vipc_dgram_fds(sock->sk))
		perm |= VIPC_PERM_PASS_FD;
	if (!peer || !vipc_begin(&c, perm, VIPC_HOOK_MAY_SEND))
		return 0;
	return vipc_finish(&c, vipc_peer_decide(&c, peer)) ? 0 : -EPERM;
}

/* LSM backend: the pathname a thread is binding, read by socket_bind and
 * decided by inode_mknod, where the bind makes the socket file (and its
 * directory is known), in the same call.
 */
struct vipc_bind_pending {
	struct vipc_endpoint_key key;
	union vipc_name name;
	__u64 sk; /* the binding socket, as a plain address */
	__u32 valid;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct vipc_bind_pending);
} vipc_binds SEC(".maps");

/* The decision of a UNIX bind, at @place: a function of its own, so that
 * its stack is not on the bind's deepest call chain (through the name's
 * normalisation), which 6.1 holds to 512 bytes.
 */
static __noinline int vipc_bind_unix_decide(struct vipc_call *c, __u64 place)
{
	return vipc_bind_decide(c, place, 0);
}

/* Bind of a UNIX name: an abstract name is decided in the binder's
 * network namespace; a registered pathname waits for its directory
 * (inode_mknod), or, with no room to wait, is decided wherever it is (fail
 * closed). A function of its own: its stack is not a port bind's.
 */
static __noinline int vipc_bind_unix(struct socket *sock, struct sockaddr *address, int addrlen)
{
	struct vipc_bind_pending *b = NULL;
	struct vipc_call c = {};
	struct sock *sk = NULL;
	__u64 place = 0;
	__u32 wait = 0;

	if (address->sa_family != AF_UNIX || addrlen <= SUN_PATH_OFFSET)
		return 0;
	if (!vipc_begin(&c, VIPC_PERM_BIND, VIPC_HOOK_BIND))
		return 0;
	if (vipc_name_key((const char *)address + SUN_PATH_OFFSET, addrlen - SUN_PATH_OFFSET,
			  address->sa_data[0], &c, 1))
		return 0;
	/* The socket read as a plain address: a null one has no place. */
	if (bpf_probe_read_kernel(&sk, sizeof(sk), &sock->sk))
		sk = NULL;
	/* A pathname: one registered waits, any other ends an older wait. */
	if (c.key.kind == VIPC_KIND_UNIX_PATH) {
		wait = bpf_map_lookup_elem(&vipc_endpoints, &c.key) != NULL;
		b = wait ? bpf_task_storage_get(&vipc_binds, bpf_get_current_task_btf(), 0,
						BPF_LOCAL_STORAGE_GET_F_CREATE) :
			   bpf_task_storage_get(&vipc_binds, bpf_get_current_task_btf(), 0, 0);
	}
	if (b)
		b->valid = wait;
	if (b && wait) {
		__builtin_memcpy(&b->key, &c.key, sizeof(b->key));
		__builtin_memcpy(&b->name, &c.name, sizeof(b->name));
		b->sk = (__u64)sk;
		return 0;
	}
	if (c.key.kind == VIPC_KIND_UNIX_ABSTRACT && sk)
		place = vipc_sk_place(sk, VIPC_KIND_UNIX_ABSTRACT);
	return vipc_bound_add(vipc_bind_unix_decide(&c, place), (__u64)sk, &c.key);
}

/* Bind: a port, or a UNIX name. */
static __always_inline int vipc_bind_do(struct socket *sock, struct sockaddr *address,
					int addrlen)
{
	if (vipc_is_inet(address->sa_family))
		return vipc_lsm_inet_bind(sock, address, addrlen);
	return vipc_bind_unix(sock, address, addrlen);
}

/* The socket file of a pathname bind is made in directory @dir: decide the
 * bind there.
 */
static __always_inline int vipc_mknod_do(struct inode *dir, umode_t mode)
{
	struct vipc_bind_pending *b;
	struct vipc_call c = {};

	if ((mode & S_IFMT) != S_IFSOCK)
		return 0;
	b = bpf_task_storage_get(&vipc_binds, bpf_get_current_task_btf(), 0, 0);
	if (!b || !b->valid)
		return 0;
	b->valid = 0;
	if (!vipc_begin(&c, VIPC_PERM_BIND, VIPC_HOOK_BIND))
		return 0;
	c.key.kind = b->key.kind;
	c.key.len = b->key.len;
	c.key.hash = b->key.hash;
	__builtin_memcpy(&c.name, &b->name, sizeof(c.name));
	return vipc_bound_add(vipc_bind_decide(&c, vipc_inode_place(dir), 0), b->sk, &c.key);
}

#define VIPC_MAX_CMSGS (1 << 23) /* bpf_loop's limit, BPF_MAX_LOOPS */

/* A walk over a message's control buffer, header by header, as the
 * kernel's for_each_cmsghdr (include/linux/socket.h) takes it in
 * __scm_send (net/core/scm.c).
 */
struct vipc_cmsg_walk {
	const char *ctl; /* msg_control, in kernel memory */
	__u64 len;	 /* msg_controllen */
	__u64 off;	 /* of the header read next */
	int fds;	 /* 0 once walked to the end without an SCM_RIGHTS */
};

/* One header: stop at an SCM_RIGHTS, one the kernel would refuse
 * (!CMSG_OK: EINVAL) or one that cannot be read; else CMSG_NXTHDR, the end
 * when the next header does not fit whole.
 */
static long vipc_cmsg_step(__u64 i, void *ctx)
{
	struct vipc_cmsg_walk *w = ctx;
	struct cmsghdr cm;

	if (bpf_probe_read_kernel(&cm, sizeof(cm), w->ctl + w->off) ||
	    cm.cmsg_len < sizeof(cm) || cm.cmsg_len > w->len - w->off ||
	    (cm.cmsg_level == SOL_SOCKET && cm.cmsg_type == SCM_RIGHTS))
		return 1;
	w->off += (cm.cmsg_len + sizeof(long) - 1) & ~(sizeof(long) - 1);
	if (w->off + sizeof(cm) > w->len) {
		w->fds = 0;
		return 1;
	}
	return 0;
}

/* Does a message carry file descriptors (SCM_RIGHTS)? Fails closed: a
 * control buffer not parsed to its end (in user memory, unreadable,
 * malformed, or longer than the walk) counts as carrying them. Each header
 * takes at least 16 bytes, so len / 16 steps reach the end of any buffer.
 */
static __always_inline int vipc_passes_fds(struct msghdr *msg)
{
	struct vipc_cmsg_walk w = { .fds = 1 };

	w.len = BPF_CORE_READ(msg, msg_controllen);
	if (w.len < sizeof(struct cmsghdr))
		return 0; /* CMSG_FIRSTHDR: no header at all */
	if (BPF_CORE_READ_BITFIELD_PROBED(msg, msg_control_is_user) ||
	    w.len / sizeof(struct cmsghdr) > VIPC_MAX_CMSGS)
		return 1;
	w.ctl = BPF_CORE_READ(msg, msg_control);
	if (bpf_loop(w.len / sizeof(struct cmsghdr), vipc_cmsg_step, &w, 0) < 0)
		return 1;
	return w.fds;
}

/* Re-check a tagged connection as its caller is now: a generation bump or a
 * revoked grant cuts it (an owner's and a public endpoint's others do not
 * rest on a grant), and so does an endpoint no longer open to others; fd
 * passing needs pass-fd on top.
 */
static __always_inline int vipc_recheck(struct socket *sock, struct msghdr *msg,
					enum vipc_hook hook, int fr)
{
	struct vipc_conn_tag *tag;
	struct sock *sk = sock->sk;
	enum vipc_reason reason;
	struct vipc_call c = {};
	int fds;

	if (!sk)
		return 0;
	tag = vipc_tag_find(sk, fr);
	if (!tag)
		return 0;
	fds = hook == VIPC_HOOK_SENDMSG && vipc_passes_fds(msg);
	if (!vipc_begin(&c, fds ? VIPC_PERM_PASS_FD : tag->perm, hook))
		return 0;
	c.key.kind = tag->key.kind;
	c.key.len = tag->key.len;
	c.key.hash = tag->key.hash;
	__builtin_memcpy(&c.name, &tag->name, sizeof(c.name));
	vipc_lookup(&c);
	reason = vipc_decide(c.caller, c.ep, c.grant, c.perm);
	if (!c.ep || (reason != VIPC_R_OWNER && reason != VIPC_R_PUBLIC &&
		      c.ep->generation != tag->generation))
		reason = VIPC_R_REVOKED;
	return vipc_finish(&c, reason) ? 0 : -EPERM;
}

/* Record for unix_may_send whether this thread's send on @sock, an
 * AF_UNIX datagram socket, carries fds (overwriting what an earlier send
 * left); 0, or -ENOMEM when fds go unrecorded.
 */
static __always_inline int vipc_note_dgram_send(struct socket *sock, int fds)
{
	struct vipc_dgram_send *s;

	s = bpf_task_storage_get(&vipc_dgram_sends, bpf_get_current_task_btf(), 0,
				 fds ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
	if (!s)
		return fds ? -ENOMEM : 0;
	s->sk = (__u64)sock->sk;
	s->fds = fds;
	return 0;
}

static __always_inline int vipc_unix_dgram(struct socket *sock)
{
	return sock->type == SOCK_DGRAM && sock->sk &&
	       BPF_CORE_READ(sock, sk, __sk_common.skc_family) == AF_UNIX;
}

/* A UNIX send: a datagram's fds noted, a tagged connection re-checked. A
 * function of its own (@fr a constant the verifier follows): its stack is
 * not a UDP send's.
 */
static __noinline int vipc_unix_sendmsg(struct socket *sock, struct msghdr *msg, int fr)
{
	if (vipc_unix_dgram(sock))
		return vipc_note_dgram_send(sock, vipc_passes_fds(msg));
	return vipc_recheck(sock, msg, VIPC_HOOK_SENDMSG, fr);
}

/* Every send: a UDP datagram's address decided, else as a UNIX send. */
static __always_inline int vipc_sendmsg_do(struct socket *sock, struct msghdr *msg, int fr)
{
	void *name = BPF_CORE_READ(msg, msg_name);

	if (name && sock->type == SOCK_DGRAM && !vipc_unix_dgram(sock))
		return vipc_lsm_inet_call(sock, name, BPF_CORE_READ(msg, msg_namelen),
					  VIPC_HOOK_SENDMSG, fr);
	return vipc_unix_sendmsg(sock, msg, fr);
}

/* Connect: a TCP or UDP port decided, and an admitted connection tagged;
 * a UNIX datagram connect carries no fds, whatever this thread sent before.
 */
static __always_inline int vipc_socket_connect_do(struct socket *sock, struct sockaddr *address,
						  int addrlen, int fr)
{
	if (vipc_is_inet(address->sa_family))
		return vipc_lsm_inet_call(sock, address, addrlen, VIPC_HOOK_SOCKET_CONNECT, fr);
	if (vipc_unix_dgram(sock))
		vipc_note_dgram_send(sock, 0);
	return 0;
}

/* A socket is freed: no longer bound at a name, and a counted channel
 * connection gives its place back.
 */
static __always_inline int vipc_sk_free_do(struct sock *sk)
{
	__u64 ptr = (__u64)sk;
	__s64 *live;
	__u32 *ep;

	vipc_bound_drop(ptr);
	ep = bpf_map_lookup_elem(&vipc_chan_conns, &ptr);
	if (!ep)
		return 0;
	live = bpf_map_lookup_elem(&vipc_chan_live, ep);
	if (live)
		__sync_fetch_and_add(live, -1);
	bpf_map_delete_elem(&vipc_chan_conns, &ptr);
	return 0;
}

#define VIPC_UNPAREN(...) __VA_ARGS__

/* One hook, two attach types, one body: the LSM backend's program on the
 * LSM hook @hook, and the fmodret backend's fmod_ret program on @func, the
 * kernel's security_ function that calls the hook (a non-zero return of
 * it fails the call in the function's place). Both pass on the verdict an
 * earlier program gave, else the body's: @call over the names in @args,
 * and fr, which says which of the two runs it (a tag's way, above).
 */
#define VIPC_PEER_HOOK(name, hook, func, args, call)                                 \
	SEC("lsm/" #hook)                                                             \
	int BPF_PROG(vipc_##name, VIPC_UNPAREN args, int ret)                         \
	{                                                                             \
		const int fr __attribute__((unused)) = 0;                             \
                                                                                      \
		return ret ?: call;                                                   \
	}                                                                             \
	SEC("fmod_ret/" #func)                                                        \
	int BPF_PROG(vipc_fr_##name, VIPC_UNPAREN args, int ret)                      \
	{                                                                             \
		const int fr __attribute__((unused)) = 1;                             \
                                                                                      \
		return ret ?: call;                                                   \
	}

VIPC_PEER_HOOK(stream_connect, unix_stream_connect, security_unix_stream_connect,
	       (struct sock *sock, struct sock *other, struct sock *newsk),
	       vipc_stream_connect_do(sock, other, fr))
VIPC_PEER_HOOK(may_send, unix_may_send, security_unix_may_send,
	       (struct socket *sock, struct socket *other), vipc_may_send_do(sock, other))
VIPC_PEER_HOOK(bind, socket_bind, security_socket_bind,
	       (struct socket *sock, struct sockaddr *address, int addrlen),
	       vipc_bind_do(sock, address, addrlen))
VIPC_PEER_HOOK(mknod, inode_mknod, security_inode_mknod,
	       (struct inode *dir, struct dentry *dentry, umode_t mode, dev_t dev),
	       vipc_mknod_do(dir, mode))
VIPC_PEER_HOOK(sendmsg, socket_sendmsg, security_socket_sendmsg,
	       (struct socket *sock, struct msghdr *msg, int size), vipc_sendmsg_do(sock, msg, fr))
VIPC_PEER_HOOK(socket_connect, socket_connect, security_socket_connect,
	       (struct socket *sock, struct sockaddr *address, int addrlen),
	       vipc_socket_connect_do(sock, address, addrlen, fr))
VIPC_PEER_HOOK(recvmsg, socket_recvmsg, security_socket_recvmsg,
	       (struct socket *sock, struct msghdr *msg, int size, int flags),
	       vipc_recheck(sock, msg, VIPC_HOOK_RECVMSG, fr))

/* fmodret backend: the relay's two ends. Before a send or receive is
 * re-checked, the connection's tag (or that it has none) is copied in; once
 * a connect the fmod_ret program admitted went through, its tag is copied
 * out to the socket's storage.
 */
static __always_inline int vipc_relay_in(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct vipc_conn_tag *tag = sk ? bpf_sk_storage_get(&vipc_conn_tags, sk, 0, 0) : NULL;
	struct vipc_tag_relay *r = vipc_relay(tag != NULL);

	if (!r)
		return 0;
	r->sk = (__u64)sk;
	r->valid = tag != NULL;
	if (tag)
		__builtin_memcpy(&r->tag, tag, sizeof(r->tag));
	return 0;
}

SEC("fentry/security_socket_sendmsg")
int BPF_PROG(vipc_fr_sendmsg_in, struct socket *sock, struct msghdr *msg, int size)
{
	return vipc_relay_in(sock);
}

SEC("fentry/security_socket_recvmsg")
int BPF_PROG(vipc_fr_recvmsg_in, struct socket *sock, struct msghdr *msg, int size, int flags)
{
	return vipc_relay_in(sock);
}

/* Copy out the tag of a connection the fmod_ret program admitted on @sk,
 * once the call went through (@ret 0).
 */
static __always_inline int vipc_relay_out(struct sock *sk, int ret)
{
	struct vipc_tag_relay *r = vipc_relay(0);
	struct vipc_conn_tag *tag;

	if (!r || !r->valid || !sk || r->sk != (__u64)sk)
		return 0;
	r->valid = 0;
	tag = ret ? NULL : bpf_sk_storage_get(&vipc_conn_tags, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (tag)
		__builtin_memcpy(tag, &r->tag, sizeof(*tag));
	return 0;
}

SEC("fexit/security_unix_stream_connect")
int BPF_PROG(vipc_fr_stream_connect_out, struct sock *sock, struct sock *other,
	     struct sock *newsk, int ret)
{
	return vipc_relay_out(sock, ret);
}

SEC("fexit/security_socket_connect")
int BPF_PROG(vipc_fr_socket_connect_out, struct socket *sock, struct sockaddr *address,
	     int addrlen, int ret)
{
	return vipc_relay_out(sock->sk, ret);
}

/* The socket's free returns nothing: fentry on the function, no verdict. */
SEC("lsm/sk_free_security")
int BPF_PROG(vipc_sk_free, struct sock *sk)
{
	return vipc_sk_free_do(sk);
}

SEC("fentry/security_sk_free")
int BPF_PROG(vipc_fr_sk_free, struct sock *sk)
{
	return vipc_sk_free_do(sk);
}

#endif /* __VIPC_LSM_BPF_H */
