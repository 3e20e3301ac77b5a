// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The loader's one growing array (grow.h). */
#include <stdlib.h>
#include "grow.h"

void *vipc_grow(void *v, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return v;
	v = realloc(v, (*cap * 2 + 64) * size);
	if (v)
		*cap = *cap * 2 + 64;
	return v;
}
