/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sockswap.c - an LD_PRELOAD shim for tests: it opens, deterministically,
 * the window an attacker who owns the socket directory has between the
 * daemon's bind() of its unix socket and the moment it hands the socket
 * to UserID.  Right after listen() succeeds on the unix socket bound to
 * $RDNS_SOCKSWAP_PATH (libmilter calls it inside smfi_opensocket(), after
 * the bind), the shim removes that path and puts in its place, once:
 *
 *	RDNS_SOCKSWAP_HOW=symlink	a symbolic link to $RDNS_SOCKSWAP_TARGET
 *	RDNS_SOCKSWAP_HOW=link		a hard link to $RDNS_SOCKSWAP_TARGET
 *
 * A daemon that then changes the owner of "the socket" by its path hands
 * the target (a root-owned file, another service's socket) to UserID.
 * Used by t/robust/privileges.sh.  Every other listen() is untouched.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

typedef int listen_fn(int, int);

int
listen(int fd, int backlog)
{
	static listen_fn *real;
	static int done;
	const char *path = getenv("RDNS_SOCKSWAP_PATH");
	const char *target = getenv("RDNS_SOCKSWAP_TARGET");
	const char *how = getenv("RDNS_SOCKSWAP_HOW");
	struct sockaddr_un sun;
	socklen_t len = sizeof sun;
	int rc;

	if (real == NULL) {
		void *sym = dlsym(RTLD_NEXT, "listen");

		if (sym == NULL)
			abort();
		*(void **)&real = sym;
	}
	if ((rc = real(fd, backlog)) != 0 || done || path == NULL ||
	    target == NULL)
		return rc;
	memset(&sun, 0, sizeof sun);
	if (getsockname(fd, (struct sockaddr *)&sun, &len) != 0 ||
	    sun.sun_family != AF_UNIX ||
	    strncmp(sun.sun_path, path, sizeof sun.sun_path) != 0)
		return rc;
	done = 1;
	if (unlink(path) != 0)
		abort();
	if (how != NULL && strcmp(how, "link") == 0) {
		if (link(target, path) != 0)
			abort();
	} else if (symlink(target, path) != 0)
		abort();
	return rc;
}
