/*
 * test_log: the pid in a log line is the process that wrote it. log_emit
 * asks getpid() once (a per-line cost); a child forked after that (the
 * daemon's fork, a helper) must still write its own pid, not its
 * parent's.
 */
#include <sys/wait.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

/* The pid between '[' and ']' of the line that holds word. */
static long
pid_of(const char *text, const char *word)
{
	const char	*w, *l, *b;

	if ((w = strstr(text, word)) == NULL)
		return -1;
	for (l = w; l > text && l[-1] != '\n'; l--)
		;
	if ((b = strchr(l, '[')) == NULL || b > w)
		return -1;
	return strtol(b + 1, NULL, 10);
}

static void
test_pid_after_fork(void **state)
{
	char	 path[] = "/tmp/test_log.XXXXXX", buf[4096];
	pid_t	 child;
	ssize_t	 n;
	int	 fd, st;

	(void)state;
	assert_true((fd = mkstemp(path)) != -1);
	(void)unlink(path);
	log_init("test_log", 0);
	log_set_fd(fd);
	log_info("parent-before");
	child = fork();
	assert_true(child != -1);
	if (child == 0) {
		log_info("child-line");
		_exit(0);
	}
	assert_int_equal(waitpid(child, &st, 0), child);
	log_info("parent-after");
	log_set_fd(-1);
	assert_true(lseek(fd, 0, SEEK_SET) == 0);
	n = read(fd, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	(void)close(fd);
	assert_int_equal(pid_of(buf, "parent-before"), (long)getpid());
	assert_int_equal(pid_of(buf, "child-line"), (long)child);
	assert_int_equal(pid_of(buf, "parent-after"), (long)getpid());
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pid_after_fork),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
