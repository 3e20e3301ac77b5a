/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* POSIX message queues and FIFOs, objects a caller opens as files, on the
 * LSM and fmodret backends: an open (file_open) asks send to write and
 * receive to read. A queue (an inode of the mqueue file system) is named
 * by its name, and is its endpoint only on an mqueue mount (an IPC
 * namespace) its owner creates it on (vipc_homes); its creation
 * (inode_create there) is a bind of its name. A FIFO is named by its inode
 * (device and number), whatever path reaches it.
 */
#ifndef __VIPC_FILE_BPF_H
#define __VIPC_FILE_BPF_H

#define MQUEUE_MAGIC 0x19800202
#define FMODE_READ 0x1
#define FMODE_WRITE 0x2
#define S_IFIFO 0010000

/* Is @sb the superblock of an mqueue mount? */
static __always_inline int vipc_is_mqueue(const struct super_block *sb)
{
	return sb && sb->s_magic == MQUEUE_MAGIC;
}

/* The place of a queue: its mount's superblock, one per IPC namespace. */
static __always_inline __u64 vipc_mq_place(const struct super_block *sb)
{
	return BPF_CORE_READ(sb, s_dev);
}

/* The queue of @d (its name, without the leading '/') into c->key and
 * c->name; a name longer than any endpoint's is read as none.
 */
static __always_inline void vipc_mq_name(struct vipc_call *c, struct dentry *d)
{
	__u32 len = BPF_CORE_READ(d, d_name.len);
	long n = 0;

	if (len <= VIPC_NAME_MAX)
		n = vipc_copy(&c->name, (const char *)BPF_CORE_READ(d, d_name.name), len, 0, 0);
	c->key.kind = VIPC_KIND_MQUEUE;
	c->key.len = n > 0 ? n : 0;
	c->key.hash = vipc_name_hash(&c->name, c->key.len);
	vipc_step(VIPC_STEP_name);
}

/* What an open of mode @fmode asks: send to write, receive to read. */
static __always_inline __u32 vipc_mq_perm(__u32 fmode)
{
	return (fmode & FMODE_WRITE ? VIPC_PERM_SEND : 0) |
	       (fmode & FMODE_READ ? VIPC_PERM_RECEIVE : 0);
}

/* The FIFO @inode (its device and inode number) into c->key and c->name. */
static __always_inline void vipc_fifo_name(struct vipc_call *c, struct inode *inode)
{
	c->name.words[0] = BPF_CORE_READ(inode, i_sb, s_dev);
	c->name.words[1] = BPF_CORE_READ(inode, i_ino);
	c->key.kind = VIPC_KIND_FIFO;
	c->key.len = VIPC_FIFO_NAME_LEN;
	c->key.hash = vipc_name_hash(&c->name, c->key.len);
	vipc_step(VIPC_STEP_name);
}

/* An open of @file, a FIFO (@fifo) or a queue: 0 or -EPERM. A function of
 * its own, so that every other open pays only the tests of its kind. A
 * FIFO nobody registered is not decided (unknown: is for names): runtimes
 * and shells open FIFOs, and pipes by /proc/PID/fd, all the time.
 */
static __noinline int vipc_open_decide(struct file *file, int fifo)
{
	struct dentry *d = BPF_CORE_READ(file, f_path.dentry);
	__u32 perm = vipc_mq_perm(BPF_CORE_READ(file, f_mode));
	struct vipc_call c = {};

	if (!d || !perm || d == BPF_CORE_READ(d, d_parent) ||
	    !vipc_start(&c, perm, VIPC_HOOK_FILE_OPEN))
		return 0;
	if (fifo)
		vipc_fifo_name(&c, BPF_CORE_READ(file, f_inode));
	else
		vipc_mq_name(&c, d);
	if (fifo && !bpf_map_lookup_elem(&vipc_endpoints, &c.key))
		return 0;
	c.caller = vipc_caller(&c);
	vipc_step(VIPC_STEP_principal);
	vipc_lookup(&c);
	if (!fifo)
		vipc_away(&c, vipc_mq_place(BPF_CORE_READ(d, d_sb)));
	return vipc_finish(&c, vipc_decide(c.caller, c.ep, c.grant, c.perm)) ? 0 : -EPERM;
}

/* Every open: a FIFO's and a queue's decided, any other let through at once. */
static __always_inline int vipc_file_open_do(struct file *file)
{
	struct inode *inode = file->f_inode;

	if ((inode->i_mode & S_IFMT) == S_IFIFO)
		return vipc_open_decide(file, 1);
	if (!vipc_is_mqueue(inode->i_sb))
		return 0;
	return vipc_open_decide(file, 0);
}

/* The creation of the queue @dentry in the root @dir of its mount: a bind
 * of its name there (squatting refused, the owner's home learned).
 */
static __noinline int vipc_mq_create(struct inode *dir, struct dentry *dentry)
{
	struct vipc_call c = {};

	if (!dentry || !vipc_begin(&c, VIPC_PERM_BIND, VIPC_HOOK_INODE_CREATE))
		return 0;
	vipc_mq_name(&c, dentry);
	return vipc_bind_decide(&c, vipc_mq_place(BPF_CORE_READ(dir, i_sb)), 0) < 0 ? -EPERM : 0;
}

/* Every creation of a file: a queue's decided, any other let through. */
static __always_inline int vipc_inode_create_do(struct inode *dir, struct dentry *dentry)
{
	if (!vipc_is_mqueue(dir->i_sb))
		return 0;
	return vipc_mq_create(dir, dentry);
}

VIPC_PEER_HOOK(file_open, file_open, security_file_open, (struct file *file),
	       vipc_file_open_do(file))
VIPC_PEER_HOOK(inode_create, inode_create, security_inode_create,
	       (struct inode *dir, struct dentry *dentry, umode_t mode),
	       vipc_inode_create_do(dir, dentry))

#endif /* __VIPC_FILE_BPF_H */
