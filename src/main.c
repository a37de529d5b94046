/* teardown-audit: run a command under ptrace to its exit and tell which
   unloaded library its crash (or latent crash) came from. */
#include "config.h"
#include "debuginfo.h"
#include "diagnose.h"
#include "error.h"
#include "finding.h"
#include "objcache.h"
#include "report.h"
#include "report_json.h"
#include "report_html.h"
#include "stats.h"
#include "supervisor.h"
#include "unmapwatch.h"
#include "attach.h"
#include "output_path.h"
#include "tracee.h"
#include "xmalloc.h"
#include "clock.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void
usage(FILE *out)
{
	fprintf(out,
"Usage: %s [OPTIONS] -- COMMAND [ARGS...]\n"
"  or:  %s [OPTIONS] -p PID [-p PID]...\n"
"Run COMMAND under ptrace, or attach to running processes, following every\n"
"process and thread they start, and report shared-library loads and unloads,\n"
"who called dlclose, and faults in code or data of libraries that were unloaded.\n"
"\n"
"  -p, --attach=PID         attach to the running process PID (all its threads,\n"
"                           and from then on its children) instead of starting a\n"
"                           command; repeat for several.  The first SIGINT or\n"
"                           SIGTERM detaches and leaves them running untraced\n"
"  -o, --output=FILE        write the report to FILE instead of stderr\n"
"  -q, --quiet              print findings only, no timeline\n"
"      --json=FILE          also write the whole report as JSON to FILE\n"
"                           (doc/report.schema.json), replaced atomically\n"
"      --html=FILE          also write the report as one self-contained HTML page\n"
"                           to FILE (findings, and per process a timeline of\n"
"                           library lifetimes), replaced atomically\n"
"      --debug              print the tool's own diagnostics\n"
"      --error-exitcode=N   exit with N when a use after dlclose was found (a fault\n"
"                           in an unloaded library, or live references into a\n"
"                           library that was unloaded or pinned at its last dlclose)\n"
"      --gdb                at a fault, before the signal is delivered, stop the\n"
"                           process, detach, and start gdb on it with the unloaded\n"
"                           libraries' symbols at their old addresses (commands\n"
"                           also written to teardown-audit-PID.gdb;\n"
"                           TEARDOWN_AUDIT_GDB overrides 'gdb -q')\n"
"      --debug-file-directory=DIRS\n"
"                           where separate debug files are (colon-separated;\n"
"                           default /usr/lib/debug), for source lines and the\n"
"                           names stripped files lack\n"
"      --stats              print counts of the tool's own work (ptrace stops,\n"
"                           maps reads, stack walks) and its peak memory\n"
"  -h, --help               show this help and exit\n"
"  -V, --version            show the version and exit\n"
"\n"
"In FILE of --output and --json, %%p is the command's pid (the first -p PID),\n"
"%%%% a literal %%: one file per process, e.g. as a ros2 launch node's\n"
"prefix='teardown-audit -q -o /tmp/audit-%%p.txt --'.\n"
"\n"
"The exit status is the command's: its exit code, or the same fatal signal\n"
"raised again (with core dumps off).  127: COMMAND not found; 126: COMMAND\n"
"not executable; 1: teardown-audit itself could not run it or attach.  With\n"
"-p: 0 after detaching, else how the (first) process ended.\n",
		program_name, program_name);
}

/* End as the command ended: same exit code, or the same signal. */
static void ATTR_NORETURN
end_like(int status)
{
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		struct rlimit no_core = { 0, 0 };
		setrlimit(RLIMIT_CORE, &no_core);
		signal(sig, SIG_DFL);
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(sig);
		exit(128 + sig);
	}
	exit(WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_FAILURE);
}

/* The command as execvp will find it, or NULL. */
static char *
find_command(const char *cmd)
{
	if (strchr(cmd, '/'))
		return strdup(cmd);
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t len = strcspn(path, ":");
		char *full;
		if (asprintf(&full, "%.*s%s%s", (int)len, path, len ? "/" : "", cmd) < 0)
			return NULL;
		if (access(full, X_OK) == 0)
			return full;
		free(full);
		path += len + (path[len] == ':');
	}
	return NULL;
}

/* A traced program runs without the privileges of its setuid/setgid bit:
   say so before it starts, since it may then behave differently. */
static void
warn_if_setuid(const char *cmd)
{
	char *full = find_command(cmd);
	struct stat st;
	if (full && stat(full, &st) == 0 &&
	    (((st.st_mode & S_ISUID) && st.st_uid != geteuid()) ||
	     ((st.st_mode & S_ISGID) && st.st_gid != getegid())))
		error_msg("warning: %s is set-user/group-ID: under ptrace it runs without "
			  "those privileges, and may fail or behave differently", full);
	free(full);
}

/* -p: the process's arguments stand for the command. */
static char **
command_of(pid_t pid)
{
	static char *unknown[] = { (char *)"?", NULL };
	for (struct process *p = process_list; p; p = p->next)
		if (p->pid == pid && p->argv && p->argv[0])
			return p->argv;
	return unknown;
}

/* The findings made at the stop just dealt with, printed once its
   thread runs again. */
static void
flush_findings(void *arg)
{
	(void)arg;
	finding_flush();
}

/* Said on stderr, as strace does, once its libraries are read and the
   breakpoints planted: from here on nothing is missed. */
static void
announce_attached(struct process *p, void *arg)
{
	(void)arg;
	if (report_options.quiet)
		return;
	size_t nlibs = 0;
	for (size_t i = 0; i < p->solib.n; i++)
		nlibs += p->solib.libs[i].path[0] != '\0' && !p->solib.libs[i].alias;
	error_msg("attached to pid %d (%s): %u thread%s, %zu librar%s loaded", (int)p->pid,
		  process_name(p), p->nthreads, p->nthreads == 1 ? "" : "s", nlibs,
		  nlibs == 1 ? "y" : "ies");
}

static void
raise_fd_limit(void)
{
	/* Every library ever mapped stays open for symbolizing. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* The processes given with -p.  At file scope: every way out of main,
   early ones included, leaves them reachable rather than leaked. */
static pid_t *pids;
static size_t npids, cappids;

int
main(int argc, char **argv)
{
	enum { OPT_DEBUG = 256, OPT_STATS, OPT_ERROR_EXITCODE, OPT_JSON, OPT_GDB, OPT_DEBUG_DIRS,
	       OPT_HTML };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "attach", required_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "debug", no_argument, NULL, OPT_DEBUG },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "error-exitcode", required_argument, NULL, OPT_ERROR_EXITCODE },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "html", required_argument, NULL, OPT_HTML },
		{ "gdb", no_argument, NULL, OPT_GDB },
		{ "debug-file-directory", required_argument, NULL, OPT_DEBUG_DIRS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct report_options *ro = &report_options;
	const char *output = NULL, *json_path = NULL, *html_path = NULL;
	bool print_stats = false, gdb = false;
	int error_exitcode = 0;
	int c;

	clock_start();
	ro->out = stderr;
	while ((c = getopt_long(argc, argv, "+o:p:qhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'p': {
			pid_t pid;
			if (!attach_parse_pid(optarg, &pid))
				error_msg_and_die("-p wants a process id, not '%s'", optarg);
			pids = xgrow(pids, &cappids, npids + 1, sizeof(*pids));
			pids[npids++] = pid;
			break;
		}
		case 'q':
			ro->quiet = true;
			break;
		case OPT_DEBUG:
			debug_enabled = true;
			break;
		case OPT_STATS:
			print_stats = true;
			break;
		case OPT_JSON:
			json_path = optarg;
			break;
		case OPT_HTML:
			html_path = optarg;
			break;
		case OPT_DEBUG_DIRS:
			debuginfo_set_dirs(optarg);
			break;
		case OPT_GDB:
			gdb = true;
			break;
		case OPT_ERROR_EXITCODE: {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end || v < 1 || v > 255)
				error_msg_and_die("--error-exitcode wants a number from 1 to 255, "
						  "not '%s'", optarg);
			error_exitcode = (int)v;
			break;
		}
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case 'V':
			printf("%s %s\n", PACKAGE, PACKAGE_VERSION);
			return EXIT_SUCCESS;
		default:
			fprintf(stderr, "Try '%s --help' for more information.\n", program_name);
			return EXIT_FAILURE;
		}
	}
	if (npids && optind < argc) {
		error_msg("-p attaches to running processes: it takes no command ('%s')",
			  argv[optind]);
		return EXIT_FAILURE;
	}
	if (!npids && optind >= argc) {
		error_msg("no command given: write it after the options, e.g. "
			  "'%s -- ./my_program arg', or attach with -p PID", program_name);
		fprintf(stderr, "Try '%s --help' for more information.\n", program_name);
		return EXIT_FAILURE;
	}
	/* Checked before the command starts, so that nothing it does is lost;
	   a name with the command's pid is opened once the pid is known. */
	bool output_later = output && output_path_has_pid(output);
	if (output_later && !output_path_check(output, "the report"))
		return EXIT_FAILURE;
	if (output && !output_later) {
		ro->out = fopen(output, "we");
		if (!ro->out)
			perror_msg_and_die("cannot write the report to '%s'", output);
	}
	if (json_path && (output_path_has_pid(json_path) ?
			  !output_path_check(json_path, "the JSON report") :
			  !report_json_check(json_path)))
		return EXIT_FAILURE;
	if (html_path && (output_path_has_pid(html_path) ?
			  !output_path_check(html_path, "the HTML report") :
			  !report_html_check(html_path)))
		return EXIT_FAILURE;
	raise_fd_limit();

	struct diagnose_context dc = { .gdb = gdb };
	finding_set_sink(report_on_finding, ro);
	struct supervisor_hooks hooks = {
		.on_fault = diagnose_fault, .hand_off = diagnose_hand_off,
		.on_killed = diagnose_killed, .on_attached = announce_attached,
		.between_stops = flush_findings, .arg = &dc,
	};
	int fail_status;
	if (npids) {
		for (size_t i = 0; i < npids; i++)
			if (supervisor_attach(pids[i]) < 0) {
				/* Let go of those already attached, unchanged. */
				if (supervisor_command_pid()) {
					supervisor_request_detach();
					supervisor_run(&hooks);
				}
				return EXIT_FAILURE;
			}
	} else {
		warn_if_setuid(argv[optind]);
		unmapwatch_stop_at_exit(!gdb);
		if (supervisor_spawn(argv + optind, &fail_status) < 0)
			return fail_status;
	}
	char *output_file = output ? output_path_expand(output, supervisor_command_pid()) : NULL;
	if (output_later) {
		ro->out = fopen(output_file, "we");
		if (!ro->out) {
			perror_msg("cannot write the report to '%s'; it goes to stderr", output_file);
			ro->out = stderr;
		}
	}

	int status = supervisor_run(&hooks);
	finding_flush();

	report_timelines(ro);
	report_summary(ro->out);
	char **command = npids ? command_of(supervisor_command_pid()) : argv + optind;
	if (json_path) {
		char *json_file = output_path_expand(json_path, supervisor_command_pid());
		report_json_write(json_file, command, status);
		free(json_file);
	}
	if (html_path) {
		char *html_file = output_path_expand(html_path, supervisor_command_pid());
		report_html_write(html_file, command, status);
		free(html_file);
	}
	if (print_stats)
		stats_print(ro->out);
	fflush(ro->out);
	if (ro->out != stderr && fclose(ro->out) != 0)
		perror_msg("writing the report to '%s'", output_file);
	free(output_file);
	free(pids);
	debuginfo_free_all();
	objcache_free_all();
	if (error_exitcode && (report_findings.latent || report_findings.unloaded_faults))
		exit(error_exitcode);
	end_like(status);
}
