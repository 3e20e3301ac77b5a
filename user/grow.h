/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The loader's one growing array. */
#ifndef __VIPC_GROW_H
#define __VIPC_GROW_H

#include <stddef.h>

/* @v, @n of *@cap elements of @size used, with room for one more: the
 * array, or NULL (then @v is kept).
 */
void *vipc_grow(void *v, size_t n, size_t *cap, size_t size);

#endif /* __VIPC_GROW_H */
