/*
 * sim_phone: clients of a running simulator's control socket. The phone
 * lets a person be a resident: what they type goes to the gateway as an MO
 * SMS, or as USSD once they dial *code#, and what the gateway sends to
 * their number is printed. The control client sends one command and prints
 * its answer, for scripts.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sim.h"
#include "util.h"

#define LINE_MAX_PHONE	4096

struct linebuf {
	char	 buf[LINE_MAX_PHONE];
	size_t	 len;
};

static int
ctl_connect(const char *path)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (util_strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) == -1) {
		log_warnx("%s: path too long", path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("socket");
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		log_warn("connect %s", path);
		close(fd);
		return -1;
	}
	return fd;
}

static int
write_all(int fd, const char *s, size_t n)
{
	ssize_t	 w;

	while (n > 0) {
		if ((w = write(fd, s, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Write one command line, the newline added here. */
static int
send_line(int fd, const char *line)
{
	if (write_all(fd, line, strlen(line)) == -1)
		return -1;
	return write_all(fd, "\n", 1);
}

/*
 * Read what is there into lb; returns 1 with a line in *out (valid until
 * the next call), 0 when none is whole yet, -1 on EOF or error.
 */
static int
read_line(int fd, struct linebuf *lb, char **out, int do_read)
{
	static char	 line[LINE_MAX_PHONE];
	char		*nl;
	ssize_t		 r;
	size_t		 n;

	if ((nl = memchr(lb->buf, '\n', lb->len)) == NULL && do_read) {
		if (lb->len == sizeof(lb->buf))
			return -1;
		if ((r = read(fd, lb->buf + lb->len,
		    sizeof(lb->buf) - lb->len)) <= 0)
			return r == -1 && errno == EINTR ? 0 : -1;
		lb->len += (size_t)r;
		nl = memchr(lb->buf, '\n', lb->len);
	}
	if (nl == NULL)
		return 0;
	n = (size_t)(nl - lb->buf);
	memcpy(line, lb->buf, n);
	line[n] = '\0';
	if (n > 0 && line[n - 1] == '\r')
		line[n - 1] = '\0';
	memmove(lb->buf, nl + 1, lb->len - n - 1);
	lb->len -= n + 1;
	*out = line;
	return 1;
}

int
ctl_client_main(const char *path, int argc, char **argv)
{
	struct linebuf	 lb;
	char		 cmd[LINE_MAX_PHONE], *line;
	size_t		 o = 0;
	int		 fd, i, r;

	cmd[0] = '\0';
	for (i = 0; i < argc; i++) {
		if (util_snprintf(cmd + o, sizeof(cmd) - o, "%s%s",
		    i > 0 ? " " : "", argv[i]) == -1) {
			log_warnx("command too long");
			return 2;
		}
		o += strlen(cmd + o);
	}
	if ((fd = ctl_connect(path)) == -1)
		return 2;
	if (send_line(fd, cmd) == -1) {
		log_warn("write");
		close(fd);
		return 2;
	}
	lb.len = 0;
	while ((r = read_line(fd, &lb, &line, 1)) == 0)
		;
	close(fd);
	if (r == -1) {
		log_warnx("no answer from %s", path);
		return 2;
	}
	if (puts(line) == EOF || fflush(stdout) == EOF)
		return 2;
	return strncmp(line, "ok", 2) == 0 ? 0 : 1;
}

/* The value of "key=" in an event line; text= runs to the end. */
static const char *
field(const char *line, const char *key, char *buf, size_t size)
{
	const char	*p;
	size_t		 n = strlen(key), len;

	for (p = line; (p = strstr(p, key)) != NULL; p += n) {
		if (p != line && p[-1] != ' ')
			continue;
		p += n;
		if (strcmp(key, "text=") == 0)
			len = strlen(p);
		else
			len = strcspn(p, " ");
		if (len >= size)
			len = size - 1;
		memcpy(buf, p, len);
		buf[len] = '\0';
		return buf;
	}
	return NULL;
}

static void
phone_show(const char *line, int *ussd_open)
{
	char	 text[LINE_MAX_PHONE], src[64], op[16], part[16];

	if (strncmp(line, "ok", 2) == 0)
		return;
	if (strncmp(line, "error", 5) == 0) {
		printf("! %s\n", line + 6);
		return;
	}
	if (field(line, "text=", text, sizeof(text)) == NULL)
		return;
	text_unescape(text);
	if (field(line, "src=", src, sizeof(src)) == NULL)
		(void)util_strlcpy(src, "?", sizeof(src));
	if (strncmp(line, "ussd ", 5) == 0) {
		if (field(line, "op=", op, sizeof(op)) == NULL)
			op[0] = '\0';
		printf("\n+--- USSD %s\n%s\n+---\n", src, text);
		/* 2 asks for an answer; 17 (or anything else) ends. */
		*ussd_open = strcmp(op, "2") == 0;
		if (*ussd_open)
			printf("(type your answer)\n");
		else
			printf("(session ended)\n");
		return;
	}
	if (field(line, "part=", part, sizeof(part)) == NULL)
		part[0] = '\0';
	printf("\n[SMS from %s%s%s]\n%s\n", src, part[0] != '\0' ? " part " :
	    "", part, text);
}

/* One line typed by the person; 1 to quit, -1 on error. */
static int
phone_input(int fd, const char *number, const char *service,
    const char *line, int *ussd_open)
{
	char	 esc[LINE_MAX_PHONE], cmd[LINE_MAX_PHONE + 128];
	int	 r;

	if (line[0] == '\0')
		return 0;
	if (strcmp(line, "/quit") == 0)
		return 1;
	if (strcmp(line, "/end") == 0) {
		*ussd_open = 0;
		return 0;
	}
	text_escape(line, esc, sizeof(esc));
	if (line[0] == '*' && line[strlen(line) - 1] == '#')
		r = util_snprintf(cmd, sizeof(cmd), "ussd -o 1 %s %s", number,
		    esc);
	else if (*ussd_open)
		r = util_snprintf(cmd, sizeof(cmd), "ussd -o 18 %s %s", number,
		    esc);
	else
		r = util_snprintf(cmd, sizeof(cmd), "mo %s %s %s", number,
		    service, esc);
	if (r == -1)
		return -1;
	return send_line(fd, cmd);
}

int
phone_main(const char *path, const char *number, const char *service)
{
	struct linebuf	 in, sock;
	struct pollfd	 pfd[2];
	char		*line, cmd[128];
	int		 fd, r, done = 0, ussd_open = 0;

	if (util_snprintf(cmd, sizeof(cmd), "watch %s", number) == -1) {
		log_warnx("%s: number too long", number);
		return 1;
	}
	if ((fd = ctl_connect(path)) == -1)
		return 1;
	if (send_line(fd, cmd) == -1) {
		log_warn("write");
		close(fd);
		return 1;
	}
	printf("Phone %s. Type a message for %s and press Enter, or dial "
	    "*%s# for USSD.\n/quit ends, /end ends a USSD session.\n",
	    number, service, service);
	in.len = sock.len = 0;
	pfd[0].fd = STDIN_FILENO;
	pfd[0].events = POLLIN;
	pfd[1].fd = fd;
	pfd[1].events = POLLIN;
	while (!done) {
		if (fflush(stdout) == EOF)
			break;
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("poll");
			break;
		}
		if (pfd[1].revents & (POLLIN | POLLHUP)) {
			if ((r = read_line(fd, &sock, &line, 1)) == -1) {
				printf("The simulator went away.\n");
				break;
			}
			for (; r == 1; r = read_line(fd, &sock, &line, 0))
				phone_show(line, &ussd_open);
		}
		if (pfd[0].revents & (POLLIN | POLLHUP)) {
			if ((r = read_line(STDIN_FILENO, &in, &line, 1)) == -1)
				break;
			for (; r == 1 && !done;
			    r = read_line(STDIN_FILENO, &in, &line, 0)) {
				switch (phone_input(fd, number, service, line,
				    &ussd_open)) {
				case 0:
					break;
				case 1:
					done = 1;
					break;
				default:
					log_warn("write");
					done = 1;
					break;
				}
			}
		}
	}
	close(fd);
	return 0;
}
