/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rdns-milter - reverse-DNS checks for Postfix and Sendmail (SPEC 1-5).
 *
 * main.c: options, configuration, the socket, privilege drop, the reload
 * thread and smfi_main().  The only file that exits.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "conf.h"
#include "log.h"
#include "metrics.h"
#include "milter.h"
#include "runtime.h"
#include "session.h"

#define DEFAULT_CONFIG	SYSCONFDIR "/rdns-milter.conf"

/* sysexits(3) values used here. */
#define EXIT_USAGE	64
#define EXIT_SOFTWARE	70
#define EXIT_OSERR	71
#define EXIT_CONFIG	78

static const char	*config_file = DEFAULT_CONFIG;
static bool		 config_given;

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: rdns-milter [-fhnvV] [-c FILE] [-p SOCKET] "
	    "[-P PIDFILE]\n"
	    "  -c FILE        configuration file (default %s)\n"
	    "  -f             stay in the foreground, log to stderr as well\n"
	    "  -n             check the configuration and exit (0 good, "
	    "1 bad)\n"
	    "  -v             with -n: print the effective configuration\n"
	    "  -p SOCKET      milter socket, overrides Socket\n"
	    "  -P PIDFILE     write the pid there, overrides PidFile\n"
	    "  -V, --version  print the version\n"
	    "  -h, --help     print this help\n", DEFAULT_CONFIG);
}

/* The library's own version (smfi_version()), as "1.0.1". */
static void
print_version(void)
{
	unsigned int major = 0, minor = 0, patch = 0;

	(void)smfi_version(&major, &minor, &patch);
	printf("rdns-milter %s (libmilter %u.%u.%u)\n", PACKAGE_VERSION,
	    major, minor, patch);
}

static void
print_error(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "%s\n", msg);
}

static void
log_error(void *arg, const char *msg)
{
	(void)arg;
	log_msg(LOG_ERR, "%s", msg);
}

/* Read the configuration (config_load_daemon()): the built-in defaults
 * replace a missing default file only at start-up, never at a reload. */
static struct config *
load_config(config_error_fn *errfn, bool at_start)
{
	return config_load_daemon(config_file, at_start && !config_given,
	    errfn, NULL);
}

/*
 * Detach, but let the parent exit only when the daemon is ready or has
 * failed: until then the child's stderr is a pipe to the parent, which
 * copies it to its own stderr.  The child writes one NUL byte when it is
 * ready (detach_ready()); if the pipe closes without it, the parent exits
 * with the child's status.  So "rdns-milter" from a shell or an LSB script
 * reports a start-up error (a resolver that cannot start as the
 * unprivileged user, say) with its message and exit status 78, as -f does.
 * @return 0 in the child, -1 if fork or pipe failed; the parent exits.
 */
static int
detach(void)
{
	int fds[2], devnull, st;
	pid_t pid;
	char buf[512];
	ssize_t n;

	if (pipe2(fds, O_CLOEXEC) == -1)
		return -1;
	fflush(NULL);
	if ((pid = fork()) == -1) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		(void)setsid();
		if (chdir("/") == -1)
			_exit(EXIT_OSERR);
		if ((devnull = open("/dev/null", O_RDWR)) != -1) {
			(void)dup2(devnull, STDIN_FILENO);
			(void)dup2(devnull, STDOUT_FILENO);
			if (devnull > STDERR_FILENO)
				close(devnull);
		}
		(void)dup2(fds[1], STDERR_FILENO);
		close(fds[1]);
		return 0;
	}
	close(fds[1]);
	for (;;) {
		char *nul;

		n = read(fds[0], buf, sizeof buf);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if ((nul = memchr(buf, '\0', (size_t)n)) != NULL) {
			(void)fwrite(buf, 1, (size_t)(nul - buf), stderr);
			_exit(0);
		}
		(void)fwrite(buf, 1, (size_t)n, stderr);
	}
	/* No "ready": the child failed (or was killed) before it was. */
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
		_exit(WEXITSTATUS(st));
	fprintf(stderr, "rdns-milter: the daemon stopped before it was "
	    "ready\n");
	_exit(EXIT_SOFTWARE);
}

/* Tell the waiting parent that we are ready, and stop writing to stderr. */
static void
detach_ready(void)
{
	int devnull;

	log_set_stderr(false);
	while (write(STDERR_FILENO, "", 1) == -1 && errno == EINTR)
		;
	if ((devnull = open("/dev/null", O_WRONLY)) != -1) {
		(void)dup2(devnull, STDERR_FILENO);
		if (devnull > STDERR_FILENO)
			close(devnull);
	}
}

/*
 * Remove a stale unix socket: only a socket file nobody listens on.
 * @return 0 if the path is free now, -1 (message printed) otherwise.
 */
static int
remove_stale_socket(const char *path)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode)) {
		log_msg(LOG_ERR, "%s exists and is not a socket; not removing "
		    "it", path);
		return -1;
	}
	if (strlen(path) >= sizeof sun.sun_path) {
		log_msg(LOG_ERR, "socket path too long: %s", path);
		return -1;
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	rc = connect(fd, (struct sockaddr *)&sun, sizeof sun);
	close(fd);
	if (rc == 0) {
		log_msg(LOG_ERR, "%s: another milter is listening there", path);
		return -1;
	}
	if (unlink(path) == -1 && errno != ENOENT) {
		log_msg(LOG_ERR, "cannot remove stale socket %s: %s", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * libmilter does not hand out its listening socket, so find it: the only
 * listening TCP socket of the process right after smfi_opensocket().
 * Accepted connections inherit TCP_NODELAY on Linux, which avoids the
 * delayed-ACK stall of small milter replies.
 */
static void
set_listen_nodelay(void)
{
	struct rlimit rl;
	int fd, max = 1024;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536)
		max = (int)rl.rlim_cur;
	for (fd = 3; fd < max; fd++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof ss;
		int on = 0, one = 1;
		socklen_t olen = sizeof on;

		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &olen) ==
		    -1 || !on)
			continue;
		if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1 ||
		    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
			continue;
		if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof one) == -1)
			log_msg(LOG_WARNING, "TCP_NODELAY: %s",
			    strerror(errno));
	}
}

struct ids {
	uid_t	uid;
	gid_t	gid;
	char	name[256];
};

/* UserID, resolved at load (config_load_daemon()); a name that did not
 * resolve stops the start here.  @return 0, or -1 after logging. */
static int
take_user(const struct config *cf, struct ids *ids)
{
	if (cf->user_err != NULL) {
		log_msg(LOG_ERR, "%s", cf->user_err);
		return -1;
	}
	ids->uid = cf->uid;
	ids->gid = cf->gid;
	snprintf(ids->name, sizeof ids->name, "%s", cf->user_name);
	return 0;
}

static int
drop_privileges(const struct ids *ids)
{
	if (getuid() == ids->uid && geteuid() == ids->uid)
		return 0;
	if (setgroups(1, &ids->gid) == -1 || setgid(ids->gid) == -1 ||
	    setuid(ids->uid) == -1) {
		log_msg(LOG_ERR, "cannot switch to user %s: %s", ids->name,
		    strerror(errno));
		return -1;
	}
	/* Make sure root cannot be regained. */
	if (ids->uid != 0 && setuid(0) == 0) {
		log_msg(LOG_ERR, "privileges could be regained; stopping");
		return -1;
	}
	return 0;
}

/*
 * Every connection holds a milter socket and its lookups libunbound's UDP
 * and TCP sockets; systemd's and most shells' soft limit of 1024
 * descriptors is far too low for a busy MTA, so use the hard limit.
 */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		log_msg(LOG_WARNING, "cannot raise the descriptor limit: %s",
		    strerror(errno));
}

static int
write_pidfile(const char *path)
{
	char buf[32];
	int fd, n;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    0644);
	if (fd == -1) {
		log_msg(LOG_ERR, "PidFile %s: %s", path, strerror(errno));
		return -1;
	}
	n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	if (write(fd, buf, (size_t)n) != n) {
		log_msg(LOG_ERR, "PidFile %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * SIGUSR1: reread the configuration.  The file is parsed outside any
 * lock; a good one is published atomically, a broken one is logged and
 * the old one stays.  libmilter's own thread handles HUP/TERM/INT.
 */
static void *
reload_thread(void *arg)
{
	sigset_t set;
	int sig;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	for (;;) {
		struct config *cf;
		struct runtime *cur, *rt;
		char err[512];

		if (sigwait(&set, &sig) != 0)
			continue;
		log_msg(LOG_INFO, "SIGUSR1: reloading %s", config_file);
		if ((cf = load_config(log_error, false)) == NULL) {
			log_msg(LOG_ERR, "reload failed; keeping the current "
			    "configuration");
			continue;
		}
		cur = runtime_get();
		rt = runtime_new(cf, cur, err, sizeof err);
		runtime_release(cur);
		if (rt == NULL) {
			log_msg(LOG_ERR, "reload failed: resolver: %s; keeping "
			    "the current configuration", err);
			continue;
		}
		log_reopen(rt->cf->syslog_facility, rt->cf->syslog);
		runtime_publish(rt);
		log_msg(LOG_INFO, "configuration reloaded");
	}
	return NULL;
}

/* Options and what main() has set up, for the clean-up at the end. */
struct start {
	const char	*sock_override;		/* -p */
	const char	*pid_override;		/* -P */
	bool		 foreground;		/* -f */
	bool		 check_only;		/* -n */
	bool		 verbose;		/* -v: -n prints the
						   configuration */
	char		 sock[1024];		/* the socket spec in use */
	const char	*sock_path;		/* its unix socket's file (in
						   sock), or NULL */
	const char	*path;			/* our unix socket, to remove */
	char		 pidfile[1024];		/* written, to remove; or "" */
	struct ids	 ids;
};

/* Parse the command line.  @return -1 to go on, or an exit status. */
static int
parse_options(int argc, char *argv[], struct start *st)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "c:fhnp:P:vV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			config_file = optarg;
			config_given = true;
			break;
		case 'f':
			st->foreground = true;
			break;
		case 'n':
			st->check_only = true;
			break;
		case 'p':
			st->sock_override = optarg;
			break;
		case 'P':
			st->pid_override = optarg;
			break;
		case 'v':
			st->verbose = true;
			break;
		case 'V':
			print_version();
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (st->verbose && !st->check_only) {
		fprintf(stderr, "rdns-milter: -v goes with -n\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	return -1;
}

/*
 * Set up, finalize and prove a resolver for cf, then free it: libunbound
 * reads the trust anchors and every file a ResolverConfig names only
 * then.  Its thread would not survive fork(), so the daemon's own resolver
 * is built after detaching.  @return 0, or -1 with the reason in err.
 */
static int
prove_resolver(const struct config *cf, char *err, size_t errlen)
{
	struct resolver_options ro;
	struct resolver *res;

	config_resolver_options(cf, &ro);
	if ((res = resolver_new(&ro, err, errlen)) == NULL) {
		config_blame_resolver(cf, err, errlen);
		return -1;
	}
	resolver_free(res);
	return 0;
}

/*
 * Hand our unix socket at path to UserID, still as root.  The socket's
 * directory may belong to that user (/run/rdns-milter, the Postfix
 * chroot's rdns-milter/), who can replace the socket between the bind and
 * this call: chown(path) would follow a symbolic link, or change the
 * inode a hard link shares, and give a root-owned file (or another
 * service's socket) away.  So hold the file system object itself (O_PATH
 * with O_NOFOLLOW opens a symbolic link as such), check that it is a
 * socket we created (owned by our effective uid) with no other name, and
 * change the owner through that descriptor.  fchown() on the listening
 * socket's own descriptor is no way out: on Linux it succeeds but changes
 * the socket's inode in sockfs, not the file's.
 * @return 0 (a failed chown itself is only a warning), or -1 (logged) if
 * path is not our socket any more.
 */
static int
give_socket(const char *path, const struct ids *ids)
{
	struct stat st;
	int fd, rc;

#if defined(O_PATH) && defined(AT_EMPTY_PATH)
	if ((fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		log_msg(LOG_ERR, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		log_msg(LOG_ERR, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
#else
	/* Without O_PATH: lstat, then a chown that does not follow a
	 * final symbolic link. */
	fd = -1;
	if (lstat(path, &st) == -1) {
		log_msg(LOG_ERR, "%s: %s", path, strerror(errno));
		return -1;
	}
#endif
	if (!S_ISSOCK(st.st_mode) || st.st_uid != geteuid() ||
	    st.st_nlink != 1) {
		log_msg(LOG_ERR, "%s: not the socket this daemon created (%s); "
		    "not handing it to %s", path, !S_ISSOCK(st.st_mode) ?
		    "not a socket" : st.st_nlink != 1 ? "more than one link" :
		    "another owner", ids->name);
		if (fd != -1)
			close(fd);
		return -1;
	}
#if defined(O_PATH) && defined(AT_EMPTY_PATH)
	rc = fchownat(fd, "", ids->uid, ids->gid, AT_EMPTY_PATH);
	close(fd);
#else
	rc = fchownat(AT_FDCWD, path, ids->uid, ids->gid,
	    AT_SYMLINK_NOFOLLOW);
#endif
	if (rc == -1)
		log_msg(LOG_WARNING, "chown %s: %s", path, strerror(errno));
	return 0;
}

/* Register with libmilter and open the socket (still privileged).
 * @return 0, or an exit status after logging. */
static int
open_socket(const struct config *cf, struct start *st)
{
	const char *path;

	if (smfi_setconn(st->sock) != MI_SUCCESS) {
		log_msg(LOG_ERR, "bad socket specification: %s", st->sock);
		return EXIT_CONFIG;
	}
	if (milter_register(st->sock_path != NULL) == -1) {
		log_msg(LOG_ERR, "smfi_register failed");
		return EXIT_SOFTWARE;
	}
	/* Not ours (a file, or another milter's socket): never remove it. */
	if ((path = st->sock_path) != NULL &&
	    remove_stale_socket(path) == -1)
		return EXIT_OSERR;
	umask(cf->umask);
	if (smfi_opensocket(false) != MI_SUCCESS) {
		log_msg(LOG_ERR, "cannot open the milter socket %s", st->sock);
		return EXIT_OSERR;
	}
	set_listen_nodelay();
	/* What is at path now is not ours: leave it alone at exit too. */
	if (cf->userid != NULL && path != NULL &&
	    give_socket(path, &st->ids) == -1)
		return EXIT_OSERR;
	st->path = path;
	return 0;
}

/* Detach (unless -f), write the pid file, drop privileges.
 * @return 0, or an exit status after logging. */
static int
become_daemon(const struct config *cf, struct start *st)
{
	const char *pidfile = st->pid_override != NULL ? st->pid_override :
	    cf->pidfile;

	if (!st->foreground && detach() == -1) {
		log_msg(LOG_ERR, "cannot detach: %s", strerror(errno));
		return EXIT_OSERR;
	}
	/* Still privileged: the pid file may live in a root-owned place. */
	if (pidfile != NULL) {
		if (write_pidfile(pidfile) == -1)
			return EXIT_OSERR;
		snprintf(st->pidfile, sizeof st->pidfile, "%s", pidfile);
	}
	if (cf->userid != NULL)
		return drop_privileges(&st->ids) == -1 ? EXIT_OSERR : 0;
	if (geteuid() == 0)
		log_msg(LOG_WARNING, "running as root: set UserID to drop "
		    "privileges after opening the socket");
	return 0;
}

/* Build and publish the runtime (it takes cf over), start the metrics
 * server and the reload thread.  @return 0, or an exit status. */
static int
start_runtime(struct config *cf)
{
	struct runtime *rt;
	pthread_t tid;
	char err[512];
	int rc;

	if ((rt = runtime_new(cf, NULL, err, sizeof err)) == NULL) {
		log_msg(LOG_ERR, "%s", err);
		return EXIT_CONFIG;
	}
	if (rt->cf->metrics_listen != NULL &&
	    metrics_start(rt->cf->metrics_listen,
	    (const struct sockaddr *)&rt->cf->metrics_addr,
	    rt->cf->metrics_addrlen, err, sizeof err) == -1) {
		log_msg(LOG_ERR, "MetricsListen %s: %s", rt->cf->metrics_listen,
		    err);
		runtime_release(rt);
		return EXIT_CONFIG;
	}
	runtime_publish(rt);
	if ((rc = pthread_create(&tid, NULL, reload_thread, NULL)) != 0) {
		log_msg(LOG_ERR, "pthread_create: %s", strerror(rc));
		return EXIT_OSERR;
	}
	(void)pthread_detach(tid);
	return 0;
}

/* Everything up to smfi_main(); cf is consumed.  @return 0 or an exit
 * status. */
static int
start(struct config *cf, struct start *st)
{
	char err[512];
	int rc;

	/* Errors go to stderr as well until the daemon is ready. */
	log_open("rdns-milter", cf->syslog_facility, cf->syslog, true);
	raise_nofile();
	snprintf(st->sock, sizeof st->sock, "%s", st->sock_override != NULL ?
	    st->sock_override : cf->socket);
	/* Socket was parsed at load; its path lies as far into the copy as
	 * into cf->socket (which a reload may free before we unlink it).
	 * -p is parsed here, by the same function. */
	if (st->sock_override != NULL)
		st->sock_path = config_socket_path(st->sock);
	else if (cf->socket_path != NULL)
		st->sock_path = st->sock + (cf->socket_path - cf->socket);
	if (cf->userid != NULL && take_user(cf, &st->ids) == -1)
		rc = EXIT_CONFIG;
	/* Prove the resolver before the socket opens: with a broken trust
	 * anchor or ResolverConfig, exit 78 rather than accept connections
	 * that could never be checked. */
	else if (prove_resolver(cf, err, sizeof err) == -1) {
		log_msg(LOG_ERR, "%s", err);
		rc = EXIT_CONFIG;
	} else if ((rc = open_socket(cf, st)) == 0 &&
	    (rc = become_daemon(cf, st)) == 0)
		return start_runtime(cf);
	config_free(cf);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct start st;
	struct config *cf;
	sigset_t set;
	char err[512];
	int rc;

	memset(&st, 0, sizeof st);
	if ((rc = parse_options(argc, argv, &st)) != -1)
		return rc;

	/* Before any thread exists: signals for libmilter's thread and
	 * ours stay blocked everywhere else. */
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((cf = load_config(print_error, true)) == NULL)
		return st.check_only ? 1 : EXIT_CONFIG;
	if (st.check_only) {
		/* Also let libunbound read ResolverConfig and the anchors and
		 * prove that it answers (resolver_new()). */
		rc = prove_resolver(cf, err, sizeof err);
		if (rc == -1)
			fprintf(stderr, "%s\n", err);
		else if (st.verbose && config_print(cf, stdout) == -1) {
			fprintf(stderr, "rdns-milter: cannot print the "
			    "configuration\n");
			rc = -1;
		}
		config_free(cf);
		return rc == -1 ? 1 : 0;
	}

	if ((rc = start(cf, &st)) == 0) {
		log_msg(LOG_INFO, "rdns-milter %s starting on %s",
		    PACKAGE_VERSION, st.sock);
		if (!st.foreground)
			detach_ready();
		rc = smfi_main() == MI_SUCCESS ? 0 : EXIT_SOFTWARE;
		log_msg(LOG_INFO, "rdns-milter stopping");
		/* Sessions are gone; the reload thread holds nothing. */
		metrics_stop();
	}
	runtime_shutdown();	/* no-op unless one was published */
	/* What we created goes, also after a failed start (unprivileged,
	 * removal may fail: the next start replaces a stale socket). */
	if (st.path != NULL)
		(void)unlink(st.path);
	if (st.pidfile[0] != '\0')
		(void)unlink(st.pidfile);
	log_close();
	return rc;
}
