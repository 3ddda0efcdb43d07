/*
 * iko_db.c — the embedded PostgreSQL server (initdb, pg_ctl) and connecting.
 *
 * Part of the load stage: `iko load`, `iko reconcile` and `iko rehearse`
 * connect through iko_db_connect(), which starts the private cluster when no
 * DSN is given. Server programs are run with fork + exec (never through a
 * shell); as root they run as an unprivileged user because postgres refuses
 * to run as root. Their output goes to <root>/commands.log, never to our
 * stdout/stderr (library code does not print).
 */
#include "iko_db.h"

#include "iko_buf.h"
#include "iko_error.h"
#include "iko_fs.h"
#include "iko_sha256.h"
#include "iko_words.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define PG_ROOT "/usr/lib/postgresql"
#define RELOC_PREFIX "/var/tmp/iko-pg-"
#define SOCKET_MAX 100 /* unix socket path limit we keep under */
#define LOG_TAIL_LINES 12

/* Who runs the server programs: ourselves, or an unprivileged user as root. */
typedef struct db_user {
	int drop;      /* 1 when running as root: switch to uid/gid */
	uid_t uid;
	gid_t gid;
	char *name;
} db_user;

/* Paths of one cluster. All absolute, all owned by the struct. */
typedef struct db_paths {
	char *dir;     /* the DIR the user named */
	char *root;    /* cluster root: DIR or the relocated /var/tmp dir */
	char *data;    /* root/data */
	char *sock;    /* root/socket */
	char *log;     /* root/server.log */
	char *cmdlog;  /* root/commands.log */
} db_paths;

static void paths_release(db_paths *p)
{
	free(p->dir);
	free(p->root);
	free(p->data);
	free(p->sock);
	free(p->log);
	free(p->cmdlog);
	memset(p, 0, sizeof(*p));
}

static void user_release(db_user *u)
{
	free(u->name);
	memset(u, 0, sizeof(*u));
}

static int user_init(db_user *u)
{
	struct passwd *pw;

	memset(u, 0, sizeof(*u));
	if (geteuid() != 0)
		return 0;
	pw = getpwnam("postgres");
	if (!pw)
		pw = getpwnam("nobody");
	if (!pw)
		return iko_error_set(IKO_ESTATE,
				     "running as root and neither user postgres nor nobody exists");
	u->drop = 1;
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	u->name = iko_strdup(pw->pw_name);
	return u->name ? 0 : IKO_ENOMEM;
}

/* Give path to the server user (no-op unless running as root). */
static int user_chown(const db_user *u, const char *path)
{
	if (u->drop && chown(path, u->uid, u->gid) != 0)
		return iko_error_set_errno(IKO_EIO, "cannot chown %s to %s", path, u->name);
	return 0;
}

/* In a forked child: become the server user. Returns 0 or -1. */
static int user_become(const db_user *u)
{
	if (!u->drop)
		return 0;
	if (setgid(u->gid) != 0 || initgroups(u->name, u->gid) != 0 ||
	    setuid(u->uid) != 0)
		return -1;
	return 0;
}

/* Newest /usr/lib/postgresql/<major>/bin holding pg_ctl, or $IKO_PG_BINDIR. */
static int find_bindir(char **out)
{
	const char *env = getenv("IKO_PG_BINDIR");
	DIR *d;
	struct dirent *e;
	long best = -1;
	char *path;

	*out = NULL;
	if (env && *env) {
		*out = iko_strdup(env);
		return *out ? 0 : IKO_ENOMEM;
	}
	d = opendir(PG_ROOT);
	if (!d)
		return iko_error_set_errno(IKO_ENOTFOUND, "no PostgreSQL server in %s", PG_ROOT);
	while ((e = readdir(d)) != NULL) {
		char *end;
		long v = strtol(e->d_name, &end, 10);

		if (end == e->d_name || *end || v <= best)
			continue;
		path = iko_aprintf("%s/%s/bin/pg_ctl", PG_ROOT, e->d_name);
		if (path && access(path, X_OK) == 0)
			best = v;
		free(path);
	}
	closedir(d);
	if (best < 0)
		return iko_error_set(IKO_ENOTFOUND, "no PostgreSQL server binaries in %s/*/bin",
				     PG_ROOT);
	*out = iko_aprintf("%s/%ld/bin", PG_ROOT, best);
	return *out ? 0 : IKO_ENOMEM;
}

/* Absolute form of dir: realpath when it exists, else cwd/dir. */
static int abs_dir(char **out, const char *dir)
{
	char cwd[PATH_MAX];
	char *r = realpath(dir, NULL);

	*out = NULL;
	if (r) {
		*out = iko_strdup(r);
		free(r);
		return *out ? 0 : IKO_ENOMEM;
	}
	if (dir[0] == '/') {
		*out = iko_strdup(dir);
	} else {
		if (!getcwd(cwd, sizeof(cwd)))
			return iko_error_set_errno(IKO_EIO, "cannot get the current directory");
		*out = iko_path_join(cwd, dir);
	}
	return *out ? 0 : IKO_ENOMEM;
}

static int reloc_root(char **out, const char *absdir)
{
	iko_sha256 ctx;
	char hex[65];

	iko_sha256_init(&ctx);
	iko_sha256_update(&ctx, absdir, strlen(absdir));
	iko_sha256_final_hex(&ctx, hex);
	*out = iko_aprintf("%s%.12s", RELOC_PREFIX, hex);
	return *out ? 0 : IKO_ENOMEM;
}

/* Length of the socket file path for a cluster root. */
static size_t socket_len(const char *root)
{
	char name[32];

	return strlen(root) + strlen("/socket/") +
	       (size_t)snprintf(name, sizeof(name), ".s.PGSQL.%d", IKO_DB_PORT);
}

static int fill_paths(db_paths *p)
{
	p->data = iko_path_join(p->root, "data");
	p->sock = iko_path_join(p->root, "socket");
	p->log = iko_path_join(p->root, "server.log");
	p->cmdlog = iko_path_join(p->root, "commands.log");
	return p->data && p->sock && p->log && p->cmdlog ? 0 : IKO_ENOMEM;
}

/* Read DIR/cluster.path into *out (NULL if absent). */
static int read_cluster_path(char **out, const char *dir)
{
	char *file = iko_path_join(dir, "cluster.path"), *text = NULL;
	size_t len = 0;
	int rc = 0;

	*out = NULL;
	if (!file)
		return IKO_ENOMEM;
	if (!iko_path_exists(file))
		goto done;
	if ((rc = iko_read_small_file(&text, &len, file)))
		goto done;
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		text[--len] = '\0';
	if (len == 0 || text[0] != '/' || memchr(text, '\n', len)) {
		rc = iko_error_set(IKO_EPARSE, "%s: not an absolute directory path", file);
		goto done;
	}
	*out = text;
	text = NULL;
done:
	free(text);
	free(file);
	return rc;
}

static int write_cluster_path(const char *dir, const char *root)
{
	char *file = iko_path_join(dir, "cluster.path");
	iko_afile *f = NULL;
	int rc;

	if (!file)
		return IKO_ENOMEM;
	if ((rc = iko_afile_open(&f, file, 0644)))
		goto done;
	if (fprintf(iko_afile_fp(f), "%s\n", root) < 0) {
		rc = iko_error_set_errno(IKO_EIO, "cannot write %s", file);
		goto done;
	}
	rc = iko_afile_commit(f);
done:
	iko_afile_free(f);
	free(file);
	return rc;
}

/*
 * Fork, become the server user, and run argv[0] with cwd as the working
 * directory and stdout/stderr appended to outlog. Returns the exit status
 * (0..255) in *status, or an error if it could not be run at all.
 */
static int run_prog(int *status, const db_user *u, char *const argv[],
		    const char *cwd, const char *outlog)
{
	pid_t pid, w;
	int st = 0, fd;

	*status = -1;
	fd = open(outlog, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return iko_error_set_errno(IKO_EIO, "cannot open %s", outlog);
	if (u->drop && fchown(fd, u->uid, u->gid) != 0) {
		close(fd);
		return iko_error_set_errno(IKO_EIO, "cannot chown %s", outlog);
	}
	fflush(NULL); /* a child must not inherit (and later flush) our buffered output */
	pid = fork();
	if (pid < 0) {
		close(fd);
		return iko_error_set_errno(IKO_ERROR, "cannot fork for %s", argv[0]);
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);

		if (nul < 0 || dup2(nul, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0 ||
		    chdir(cwd) != 0 || user_become(u) != 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fd);
	do
		w = waitpid(pid, &st, 0);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return iko_error_set_errno(IKO_ERROR, "cannot wait for %s", argv[0]);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	return 0;
}

/*
 * 1 if the server user can read, write and search path, 0 if it cannot,
 * -1 if that could not be found out (no child, or the child could not
 * become the user).
 */
static int user_can_use(const db_user *u, const char *path)
{
	pid_t pid, w;
	int st = 0;

	if (!u->drop)
		return 1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (user_become(u) != 0)
			_exit(2);
		_exit(access(path, R_OK | W_OK | X_OK) == 0 ? 0 : 1);
	}
	do
		w = waitpid(pid, &st, 0);
	while (w < 0 && errno == EINTR);
	if (w != pid || !WIFEXITED(st) || WEXITSTATUS(st) > 1)
		return -1;
	return WEXITSTATUS(st) == 0;
}

/* Create a private directory owned by the server user (refusing symlinks). */
static int make_private_dir(const db_user *u, const char *path)
{
	struct stat st;

	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return iko_error_set_errno(IKO_EIO, "cannot create directory %s", path);
	if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return iko_error_set(IKO_EIO, "not a directory: %s", path);
	if (chmod(path, 0700) != 0)
		return iko_error_set_errno(IKO_EIO, "cannot chmod %s", path);
	return user_chown(u, path);
}

/* Whether DIR/data holds a cluster (initdb wrote PG_VERSION). */
static int cluster_in(const char *dir)
{
	char *data = iko_path_join(dir, "data"), *ver = data ? iko_path_join(data, "PG_VERSION") : NULL;
	int yes = ver && iko_path_exists(ver);

	free(ver);
	free(data);
	return yes;
}

/*
 * Work out the cluster root for dir. With create, make DIR and the root,
 * deciding (once, recorded in cluster.path) whether to relocate.
 */
static int resolve_paths(db_paths *p, const db_user *u, const char *dir, int create)
{
	int rc, reloc;

	memset(p, 0, sizeof(*p));
	if (!dir || !*dir)
		dir = IKO_DB_DEFAULT_DIR;
	if (create && (rc = iko_mkdir_p(dir, 0)))
		goto done;
	if ((rc = abs_dir(&p->dir, dir)) || (rc = read_cluster_path(&p->root, p->dir)))
		goto done;
	if (!p->root) {
		reloc = socket_len(p->dir) >= SOCKET_MAX;
		/* a cluster already in DIR settles it: never a second one elsewhere
		 * (when the check itself fails, the server's start says what is wrong) */
		if (!reloc && cluster_in(p->dir)) {
			if (create && user_can_use(u, p->dir) == 0)
				rc = iko_error_set(IKO_EIO, "the cluster in %s/data cannot be reached by the "
						   "server user %s: give that user search access to %s and "
						   "the directories above it again", p->dir, u->name, p->dir);
			else if (!(p->root = iko_strdup(p->dir)))
				rc = IKO_ENOMEM;
			goto paths;
		}
		if (create && !reloc) {
			if ((rc = make_private_dir(u, p->dir)))
				goto done;
			reloc = user_can_use(u, p->dir) != 1;
		}
		if (reloc) {
			if ((rc = reloc_root(&p->root, p->dir)))
				goto done;
			if (create && (rc = write_cluster_path(p->dir, p->root)))
				goto done;
		} else if (!(p->root = iko_strdup(p->dir))) {
			rc = IKO_ENOMEM;
			goto done;
		}
	}
paths:
	if (rc)
		goto done;
	if (socket_len(p->root) >= SOCKET_MAX) {
		rc = iko_error_set(IKO_EINVAL, "socket path under %s is too long", p->root);
		goto done;
	}
	if ((rc = fill_paths(p)))
		goto done;
	if (create && ((rc = make_private_dir(u, p->root)) ||
		       (rc = make_private_dir(u, p->sock))))
		goto done;
done:
	if (rc)
		paths_release(p);
	return rc;
}

int iko_db_conninfo_value(iko_buf *out, const char *value)
{
	const char *s;
	int quote = !*value;

	for (s = value; *s; s++)
		if (*s == ' ' || *s == '\'' || *s == '\\' || *s == '\t' || *s == '\n')
			quote = 1;
	if (!quote)
		return iko_buf_puts(out, value);
	if (iko_buf_putc(out, '\''))
		return IKO_ENOMEM;
	for (s = value; *s; s++)
		if (((*s == '\'' || *s == '\\') && iko_buf_putc(out, '\\')) ||
		    iko_buf_putc(out, *s))
			return IKO_ENOMEM;
	return iko_buf_putc(out, '\'');
}

static char *make_url(const db_paths *p, const char *dbname)
{
	iko_buf b = IKO_BUF_INIT;

	if (iko_buf_puts(&b, "host=") || iko_db_conninfo_value(&b, p->sock) ||
	    iko_buf_printf(&b, " port=%d dbname=%s user=iko", IKO_DB_PORT, dbname)) {
		iko_buf_release(&b);
		return NULL;
	}
	return iko_buf_detach(&b);
}

/* Last LOG_TAIL_LINES lines of a log file ("" if unreadable). Caller frees. */
static char *log_tail(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char chunk[4096];
	size_t n = 0, i;
	int lines = 0;

	if (!fp)
		return iko_strdup("");
	if (fseek(fp, -(long)sizeof(chunk), SEEK_END) != 0)
		rewind(fp);
	n = fread(chunk, 1, sizeof(chunk) - 1, fp);
	fclose(fp);
	while (n > 0 && chunk[n - 1] == '\n')
		n--;
	for (i = n; i > 0; i--)
		if (chunk[i - 1] == '\n' && ++lines == LOG_TAIL_LINES)
			break;
	return iko_strndup(chunk + i, n - i);
}

static int fail_with_log(int code, const char *what, const char *log)
{
	char *tail = log_tail(log);
	int rc = iko_error_set(code, "%s; last lines of %s:\n%s", what, log,
			       tail ? tail : "");

	free(tail);
	return rc;
}

/* Append iko's settings to the fresh cluster's postgresql.conf (atomically). */
static int write_conf(const db_user *u, const db_paths *p, const char *datadir)
{
	char *conf = iko_path_join(datadir, "postgresql.conf"), *text = NULL;
	iko_afile *f = NULL;
	iko_buf sock = IKO_BUF_INIT;
	const char *s;
	FILE *fp;
	size_t len = 0;
	int rc = IKO_ENOMEM;

	if (!conf)
		goto done;
	if ((rc = iko_read_small_file(&text, &len, conf)))
		goto done;
	rc = IKO_ENOMEM;
	for (s = p->sock; *s; s++)
		if ((*s == '\'' && iko_buf_putc(&sock, '\'')) || iko_buf_putc(&sock, *s))
			goto done;
	if ((rc = iko_afile_open(&f, conf, 0600)))
		goto done;
	fp = iko_afile_fp(f);
	if (fwrite(text, 1, len, fp) != len ||
	    fprintf(fp, "\n# --- iko embedded server ---\n"
			"listen_addresses = ''\n"
			"port = %d\n"
			"unix_socket_directories = '%s'\n"
			"unix_socket_permissions = 0700\n"
			"wal_level = minimal\n"
			"max_wal_senders = 0\n",
		    IKO_DB_PORT, iko_buf_cstr(&sock)) < 0) {
		rc = iko_error_set_errno(IKO_EIO, "cannot write %s", conf);
		goto done;
	}
	if ((rc = iko_afile_commit(f)))
		goto done;
	rc = user_chown(u, conf);
done:
	iko_afile_free(f);
	iko_buf_release(&sock);
	free(text);
	free(conf);
	return rc;
}

/*
 * initdb into root/data.init, configure, then rename to root/data, so a
 * half-made cluster never carries the final name.
 */
static int init_cluster(const db_user *u, const db_paths *p, const char *bindir)
{
	char *initdb = iko_path_join(bindir, "initdb");
	char *tmp = iko_path_join(p->root, "data.init");
	int rc = IKO_ENOMEM, status;

	if (!initdb || !tmp)
		goto done;
	if ((rc = iko_rm_rf(tmp)))
		goto done;
	{
		char *argv[] = { initdb, "-D", tmp, "-E", "UTF8", "--locale=C", "-U", "iko",
				 "--auth-local=trust", "--auth-host=reject", NULL };

		if ((rc = run_prog(&status, u, argv, p->root, p->cmdlog)))
			goto done;
	}
	if (status != 0) {
		char what[64];

		snprintf(what, sizeof(what), "initdb failed (exit %d)", status);
		rc = fail_with_log(IKO_EDB, what, p->cmdlog);
		goto done;
	}
	if ((rc = write_conf(u, p, tmp)))
		goto done;
	if (rename(tmp, p->data) != 0)
		rc = iko_error_set_errno(IKO_EIO, "cannot rename %s to %s", tmp, p->data);
done:
	free(tmp);
	free(initdb);
	return rc;
}

static int server_up(const db_paths *p)
{
	char *url = make_url(p, "postgres");
	iko_buf ci = IKO_BUF_INIT;
	int up = 0;

	if (url && !iko_buf_printf(&ci, "%s connect_timeout=5", url))
		up = PQping(iko_buf_cstr(&ci)) == PQPING_OK;
	iko_buf_release(&ci);
	free(url);
	return up;
}

static int pg_ctl(int *status, const db_user *u, const db_paths *p, const char *bindir,
		  const char *action)
{
	char *prog = iko_path_join(bindir, "pg_ctl");
	int rc;
	char *argv[] = { prog, "-D", p->data, "-l", p->log, "-w", "-t", "120", "-s",
			 "-m", "fast", (char *)action, NULL };

	if (!prog)
		return IKO_ENOMEM;
	rc = run_prog(status, u, argv, p->root, p->cmdlog);
	free(prog);
	return rc;
}

/* Library code never prints: server NOTICEs are dropped, not sent to stderr. */
static void quiet_notices(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Create database iko if it does not exist yet. */
static int ensure_database(const db_paths *p)
{
	char *url = make_url(p, "postgres");
	PGconn *c = NULL;
	PGresult *r = NULL;
	int rc = IKO_ENOMEM;

	if (!url)
		goto done;
	c = PQconnectdb(url);
	if (PQstatus(c) != CONNECTION_OK) {
		rc = iko_error_set(IKO_EDB, "cannot connect to %s: %s", p->sock,
				   PQerrorMessage(c));
		goto done;
	}
	PQsetNoticeProcessor(c, quiet_notices, NULL);
	r = PQexec(c, "SELECT 1 FROM pg_database WHERE datname = 'iko'");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = iko_error_set(IKO_EDB, "%s", PQerrorMessage(c));
		goto done;
	}
	rc = 0;
	if (PQntuples(r) == 0) {
		PQclear(r);
		r = PQexec(c, "CREATE DATABASE iko");
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = iko_error_set(IKO_EDB, "cannot create database iko: %s",
					   PQerrorMessage(c));
	}
done:
	PQclear(r);
	PQfinish(c);
	free(url);
	return rc;
}

int iko_db_start(char **out_url, const char *dir)
{
	db_user u;
	db_paths p;
	char *bindir = NULL, *pgv = NULL;
	int rc, status;

	*out_url = NULL;
	if ((rc = iko_libpq_load()))
		return rc;
	memset(&p, 0, sizeof(p));
	if ((rc = user_init(&u)) || (rc = resolve_paths(&p, &u, dir, 1)))
		goto done;
	if (!server_up(&p)) {
		if ((rc = find_bindir(&bindir)))
			goto done;
		if (!(pgv = iko_path_join(p.data, "PG_VERSION"))) {
			rc = IKO_ENOMEM;
			goto done;
		}
		if (!iko_path_exists(pgv) && (rc = init_cluster(&u, &p, bindir)))
			goto done;
		if ((rc = pg_ctl(&status, &u, &p, bindir, "start")))
			goto done;
		if (status != 0 || !server_up(&p)) {
			rc = fail_with_log(IKO_EDB, "the embedded PostgreSQL server did not start",
					   p.log);
			goto done;
		}
	}
	if ((rc = ensure_database(&p)))
		goto done;
	if (!(*out_url = make_url(&p, "iko")))
		rc = IKO_ENOMEM;
done:
	free(pgv);
	free(bindir);
	paths_release(&p);
	user_release(&u);
	return rc;
}

int iko_db_stop(const char *dir)
{
	db_user u;
	db_paths p;
	char *bindir = NULL, *pid = NULL;
	int rc, status;

	memset(&p, 0, sizeof(p));
	if ((rc = user_init(&u)) || (rc = resolve_paths(&p, &u, dir, 0)))
		goto done;
	if (!(pid = iko_path_join(p.data, "postmaster.pid"))) {
		rc = IKO_ENOMEM;
		goto done;
	}
	if (!iko_path_exists(pid))
		goto done;
	if ((rc = find_bindir(&bindir)) || (rc = pg_ctl(&status, &u, &p, bindir, "stop")))
		goto done;
	if (status != 0 && iko_path_exists(pid))
		rc = fail_with_log(IKO_EDB, "the embedded PostgreSQL server did not stop",
				   p.cmdlog);
done:
	free(pid);
	free(bindir);
	paths_release(&p);
	user_release(&u);
	return rc;
}

int iko_db_status(int *out_running, char **out_url, const char *dir)
{
	db_user u;
	db_paths p;
	int rc;

	*out_running = 0;
	if (out_url)
		*out_url = NULL;
	if ((rc = iko_libpq_load()))
		return rc;
	memset(&p, 0, sizeof(p));
	if ((rc = user_init(&u)) || (rc = resolve_paths(&p, &u, dir, 0)))
		goto done;
	*out_running = server_up(&p);
	if (out_url && !(*out_url = make_url(&p, "iko")))
		rc = IKO_ENOMEM;
done:
	paths_release(&p);
	user_release(&u);
	return rc;
}

int iko_db_data_dir(char **out, const char *dir)
{
	db_user u;
	db_paths p;
	int rc;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	if ((rc = user_init(&u)) || (rc = resolve_paths(&p, &u, dir, 0)))
		goto done;
	*out = p.data;
	p.data = NULL;
done:
	paths_release(&p);
	user_release(&u);
	return rc;
}

/*
 * The embedded server's database in dir when the server is already up: one
 * connection to its socket, without the checks and the start of
 * iko_db_start (its access check runs a child process as the server user,
 * and it pings the server and looks the database up, each on a connection
 * of its own: 45 ms of a 60 ms connect). NULL when that connection fails
 * for whatever reason; then iko_db_start (errors are cleared).
 */
static PGconn *connect_running(const char *dir)
{
	db_user u;
	db_paths p;
	char *url = NULL;
	PGconn *c = NULL;

	memset(&p, 0, sizeof(p));
	if (user_init(&u) == 0 && resolve_paths(&p, &u, dir, 0) == 0 && (url = make_url(&p, "iko")) != NULL) {
		c = PQconnectdb(url);
		if (PQstatus(c) != CONNECTION_OK) {
			PQfinish(c);
			c = NULL;
		}
	}
	if (!c)
		iko_error_clear();
	free(url);
	paths_release(&p);
	user_release(&u);
	return c;
}

int iko_db_connect(PGconn **out, const char *dsn, const char *dir)
{
	char *url = NULL;
	PGconn *c = NULL;
	int rc = 0;

	*out = NULL;
	if ((rc = iko_libpq_load()))
		return rc;
	if (!dsn && (c = connect_running(dir)) != NULL)
		goto connected;
	if (!dsn) {
		if ((rc = iko_db_start(&url, dir)))
			goto done;
		dsn = url;
	}
	c = PQconnectdb(dsn);
	if (!c) {
		rc = iko_error_set(IKO_ENOMEM, "cannot allocate a database connection");
		goto done;
	}
	if (PQstatus(c) != CONNECTION_OK) {
		const char *m = PQerrorMessage(c);
		size_t n = strlen(m);

		while (n > 0 && m[n - 1] == '\n')
			n--;
		rc = iko_error_set(IKO_EDB, "cannot connect: %.*s", (int)n, m);
		goto done;
	}
connected:
	PQsetNoticeProcessor(c, quiet_notices, NULL);
	if (PQsetClientEncoding(c, "UTF8") != 0) {
		rc = iko_error_set(IKO_EDB, "cannot set client_encoding UTF8");
		goto done;
	}
	*out = c;
	c = NULL;
done:
	PQfinish(c);
	free(url);
	return rc;
}

struct iko_db_params {
	PQconninfoOption *opts;
	const char *keys[64], *vals[64];
};

iko_db_params *iko_db_params_of(PGconn *c)
{
	iko_db_params *p = calloc(1, sizeof(*p));
	PQconninfoOption *op;
	int n = 0;

	if (!p || !(p->opts = PQconninfo(c))) {
		free(p);
		return NULL;
	}
	for (op = p->opts; op->keyword && n < 63; op++)
		if (op->val && *op->val) {
			p->keys[n] = op->keyword;
			p->vals[n++] = op->val;
		}
	p->keys[n] = p->vals[n] = NULL;
	return p;
}

void iko_db_params_free(iko_db_params *p)
{
	if (!p)
		return;
	PQconninfoFree(p->opts);
	free(p);
}

PGconn *iko_db_connect_with(const iko_db_params *p)
{
	PGconn *d = PQconnectdbParams(p->keys, p->vals, 0);

	if (PQstatus(d) != CONNECTION_OK || PQsetClientEncoding(d, "UTF8") != 0) {
		PQfinish(d);
		return NULL;
	}
	PQsetNoticeProcessor(d, quiet_notices, NULL);
	return d;
}

PGconn *iko_db_connect_like(PGconn *c)
{
	iko_db_params *p = iko_db_params_of(c);
	PGconn *d = p ? iko_db_connect_with(p) : NULL;

	iko_db_params_free(p);
	return d;
}

/* The bytes that end a plain run of a COPY text value: tab, newline, backslash. */
static const unsigned char copy_stop[256] = { ['\t'] = 1, ['\n'] = 1, ['\\'] = 1 };

/*
 * The first tab, newline or backslash at or after q (end if none): eight
 * bytes a step while none of them is below 0x0B or a backslash; a word
 * with another low byte is finished byte by byte.
 */
static const char *copy_scan(const char *q, const char *end)
{
	while (end - q >= 8) {
		uint64_t v, m;
		memcpy(&v, q, 8);
		m = iko_word_below(v, 0x0B) | iko_word_below(v ^ (IKO_WORD_ONES * '\\'), 1);
		if (!m) {
			q += 8;
			continue;
		}
		q += iko_word_first_below(m);
		if (copy_stop[(unsigned char)*q])
			return q;
		q++;
	}
	while (q < end && !copy_stop[(unsigned char)*q])
		q++;
	return q;
}

static int hex_value(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/*
 * One value of a row split at tabs, [start, stop): kept when there is
 * room, ended by a zero byte. In such a row (split_plain) a value of two
 * bytes that begins with a backslash is \N, a NULL: "" of length 0 where
 * the value ends, as the general loop gives it.
 */
static inline void plain_value(char *start, char *stop, char **fields, size_t *lens, unsigned char *isnull,
			       size_t nfields, size_t n)
{
	int null = stop - start == 2 && *start == '\\';

	if (n < nfields) {
		fields[n] = null ? stop : start;
		lens[n] = null ? 0 : (size_t)(stop - start);
		if (isnull)
			isnull[n] = (unsigned char)null;
	}
	*stop = '\0';
}

/* Whether every backslash of [row, end) is a whole value \N (a NULL), the only escape most rows have. */
static int only_nulls_escaped(const char *row, const char *end)
{
	const char *b = row;

	while ((b = memchr(b, '\\', (size_t)(end - b))) != NULL) {
		if ((b != row && b[-1] != '\t') || end - b < 2 || b[1] != 'N' || (end - b > 2 && b[2] != '\t'))
			return 0;
		b += 2;
	}
	return 1;
}

/*
 * A row whose only escapes are NULLs (\N as a whole value) and that has no
 * newline before its end — most rows — is only its values between tabs.
 * The tabs of 16 bytes at a time come from one comparison (SSE2), each
 * then ends a value where it stands: what the general loop below gives
 * for such a row, without its scan and copy per value.
 */
static size_t split_plain(char *p, char *end, char **fields, size_t *lens, unsigned char *isnull, size_t nfields)
{
	char *start = p;
	size_t n = 0;

#if defined(__SSE2__)
	const __m128i tab = _mm_set1_epi8('\t');
	for (; end - p >= 16; p += 16) {
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)p), tab));
		while (m) {
			char *t = p + __builtin_ctz(m);
			m &= m - 1;
			plain_value(start, t, fields, lens, isnull, nfields, n++);
			start = t + 1;
		}
	}
#endif
	for (; p < end; p++)
		if (*p == '\t') {
			plain_value(start, p, fields, lens, isnull, nfields, n++);
			start = p + 1;
		}
	plain_value(start, end, fields, lens, isnull, nfields, n++);
	return n;
}

size_t iko_db_copy_text_split(char *row, size_t len, char **fields, size_t *lens,
			      unsigned char *isnull, size_t nfields)
{
	char *p = row, *end = row + len, *w, *start;
	size_t n = 0;

	if (len && end[-1] == '\n')
		end--;
	if (!memchr(row, '\n', (size_t)(end - row)) && only_nulls_escaped(row, end))
		return split_plain(row, end, fields, lens, isnull, nfields);
	for (;;) {
		int null = 0;
		start = w = p;
		for (;;) {
			const char *q = copy_scan(p, end);
			if (w != p)
				memmove(w, p, (size_t)(q - p)); /* after an escape the value lags behind */
			w += q - p;
			p = (char *)q;
			if (p == end || *p != '\\')
				break;
			if (++p == end) { /* a lone backslash at the end stands for itself */
				*w++ = '\\';
				break;
			}
			switch (*p) {
			case 'b': *w++ = '\b'; p++; break;
			case 'f': *w++ = '\f'; p++; break;
			case 'n': *w++ = '\n'; p++; break;
			case 'r': *w++ = '\r'; p++; break;
			case 't': *w++ = '\t'; p++; break;
			case 'v': *w++ = '\v'; p++; break;
			case 'N':
				/* \N is NULL only as the whole value: "" where the
				 * value ends, so the next values need not move */
				p++;
				if (w == start && (p == end || *p == '\t')) {
					null = 1;
					start = w = p;
				} else {
					*w++ = 'N';
				}
				break;
			case 'x':
				if (p + 1 < end && hex_value((unsigned char)p[1]) >= 0) {
					int v = hex_value((unsigned char)*++p);
					if (++p < end && hex_value((unsigned char)*p) >= 0)
						v = v * 16 + hex_value((unsigned char)*p++);
					*w++ = (char)v;
				} else {
					*w++ = *p++;
				}
				break;
			default:
				if (*p >= '0' && *p <= '7') {
					int v = *p++ - '0', k;
					for (k = 1; k < 3 && p < end && *p >= '0' && *p <= '7'; k++)
						v = v * 8 + (*p++ - '0');
					*w++ = (char)v;
				} else {
					*w++ = *p++;
				}
			}
		}
		if (n < nfields) {
			fields[n] = start;
			lens[n] = (size_t)(w - start);
			if (isnull)
				isnull[n] = (unsigned char)null;
		}
		n++;
		if (p == end) {
			*w = '\0';
			return n;
		}
		/* p is at a tab (a newline inside a row cannot come from COPY TO) */
		if (*p == '\n') {
			*w = '\0';
			return n;
		}
		p++;
		*w = '\0';
	}
}
