/*
 * speech: espeak-ng behind one worker thread (speech.h).
 *
 * Why a thread of our own rather than espeak's asynchronous mode: the
 * samples have up to three places to go (the sound device, a
 * speech_command's standard input, the record directory) and espeak's
 * own playback mode hands them to its audio library alone. So espeak runs
 * synchronously (AUDIO_OUTPUT_SYNCHRONOUS) in this worker, which is the
 * only thread that ever calls into the library, and its callback passes
 * each buffer on. The key loop never waits for it: speech_say copies the
 * text under a mutex, bumps a generation number and signals; the
 * callback sees the number change at its next buffer (SPEECH_CHUNK_MS)
 * and returns 1, which is how a synchronous espeak is cancelled (its
 * espeak_Cancel is for the asynchronous modes, and from another thread
 * it would race). The sound device's buffer is dropped and a command is
 * ended, so a key press cuts the voice off, not just the synthesis.
 *
 * espeak synthesises far faster than it speaks; with nothing to slow it
 * down (no sound device, only the record) the callback paces itself to
 * the audio's own time, so that an utterance lasts as long as it would
 * be heard and "a key mid-utterance cuts it short" means the same with
 * or without a speaker.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <alsa/asoundlib.h>
#include <dirent.h>
#include <errno.h>
#include <espeak-ng/speak_lib.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>
#include <wctype.h>

#include "config.h"
#include "i18n.h"
#include "log.h"
#include "speech.h"
#include "spoken.h"
#include "ui.h"
#include "util.h"

extern char	**environ;

#define SPEECH_CHUNK_MS		40	/* espeak's buffer: the cancel delay */
#define SPEECH_LEAD_MS		150	/* pacing: audio ahead of the clock */
#define SPEECH_ALSA_LATENCY_US	100000
#define SPEECH_RECORD_MAX_S	300	/* one utterance's recorded audio */
#define SPEECH_CMD_GRACE_MS	3000	/* a command's playing after it */
#define SPEECH_LANG_SIZE	8

struct speech {
	enum speech_mode	 mode;
	int			 rate;		/* words a minute */
	int			 volume;	/* per cent */
	char			*command;	/* NULL: the sound device */
	char			*record_dir;	/* NULL: no record */
	int			 on;		/* this visit speaks */
	char			 last[SPEECH_TEXT_MAX];	/* for repeat */
	struct ui_said		 shown;		/* the screen last said */
	int			 shown_valid;
	int			 announce;	/* "speech is on" first */

	pthread_t		 thread;
	int			 started;
	pthread_mutex_t		 mtx;
	pthread_cond_t		 cond;		/* CLOCK_MONOTONIC */
	/* Under mtx: the utterance waiting for the worker. */
	int			 pending;
	int			 quit;
	int			 busy;
	char			 text[SPEECH_TEXT_MAX];
	char			 lang[SPEECH_LANG_SIZE];
	/* Read by the worker's callback without the mutex. */
	atomic_uint		 gen;
	_Atomic int64_t		 said_us;	/* when the last say came */
	_Atomic int64_t		 first_us;	/* its first sample, -1 none */

	/* The worker's alone. */
	int			 sample_rate;	/* 0: no voice */
	char			 voice[SPEECH_LANG_SIZE];
	snd_pcm_t		*pcm;
	unsigned		 seq;		/* the record's next number */
};

/* One utterance, in the worker. */
struct speech_utt {
	struct speech		*sp;
	unsigned		 gen;
	int16_t			*rec;		/* the record's samples */
	size_t			 nrec, caprec;
	int			 cmd_fd;	/* the command's stdin, or -1 */
	pid_t			 cmd_pid;
	int			 cmd_failed;
	int64_t			 start_us;	/* the first sample */
	uint64_t		 samples;
};

/* The worker's utterance, for the callback (espeak has one at a time). */
static struct speech_utt	*speech_cur;

/*
 * espeak-ng is one per process and is started once: its 1.51 deadlocks
 * in espeak_Terminate after a second espeak_Initialize, and a kiosk has
 * one speech for its life anyway. 0 not started, -1 failed, else the
 * sample rate.
 */
static pthread_mutex_t		 speech_espeak_mtx = PTHREAD_MUTEX_INITIALIZER;
static int			 speech_espeak_rate;

static int	 synth_cb(short *, int, espeak_EVENT *);

static int
espeak_start(void)
{
	int	 r;

	if (pthread_mutex_lock(&speech_espeak_mtx) != 0)
		fatalx("speech: mutex");
	if (speech_espeak_rate == 0) {
		r = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS,
		    SPEECH_CHUNK_MS, NULL, espeakINITIALIZE_DONT_EXIT);
		if (r <= 0) {
			log_warnx("speech: espeak-ng could not start (its "
			    "data missing?): going on without speech");
			r = -1;
		} else
			espeak_SetSynthCallback(synth_cb);
		speech_espeak_rate = r;
	}
	r = speech_espeak_rate;
	(void)pthread_mutex_unlock(&speech_espeak_mtx);
	return r > 0 ? r : 0;
}

static int64_t
mono_us(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
changed(const struct speech_utt *u)
{
	return atomic_load(&u->sp->gen) != u->gen;
}

/*
 * Wait until the clock reaches us (monotonic) or a new utterance comes;
 * called with sp->mtx held.
 */
static void
wait_until(struct speech *sp, int64_t us, unsigned gen)
{
	struct timespec	 ts;

	ts.tv_sec = us / 1000000;
	ts.tv_nsec = (long)(us % 1000000) * 1000;
	while (atomic_load(&sp->gen) == gen && !sp->quit &&
	    mono_us() < us)
		if (pthread_cond_timedwait(&sp->cond, &sp->mtx, &ts) ==
		    ETIMEDOUT)
			break;
}

/* A WAV header for 16-bit mono; datalen 0x7fffffff while streaming. */
static void
wav_header(unsigned char h[44], int rate, uint32_t datalen)
{
	uint32_t	 v;

	memcpy(h, "RIFF", 4);
	v = datalen + 36;
	h[4] = v & 0xff; h[5] = (v >> 8) & 0xff;
	h[6] = (v >> 16) & 0xff; h[7] = (v >> 24) & 0xff;
	memcpy(h + 8, "WAVEfmt ", 8);
	h[16] = 16; h[17] = 0; h[18] = 0; h[19] = 0;
	h[20] = 1; h[21] = 0;			/* PCM */
	h[22] = 1; h[23] = 0;			/* mono */
	v = (uint32_t)rate;
	h[24] = v & 0xff; h[25] = (v >> 8) & 0xff;
	h[26] = (v >> 16) & 0xff; h[27] = (v >> 24) & 0xff;
	v = (uint32_t)rate * 2;
	h[28] = v & 0xff; h[29] = (v >> 8) & 0xff;
	h[30] = (v >> 16) & 0xff; h[31] = (v >> 24) & 0xff;
	h[32] = 2; h[33] = 0;			/* block align */
	h[34] = 16; h[35] = 0;			/* bits */
	memcpy(h + 36, "data", 4);
	h[40] = datalen & 0xff; h[41] = (datalen >> 8) & 0xff;
	h[42] = (datalen >> 16) & 0xff; h[43] = (datalen >> 24) & 0xff;
}

static int
write_all(int fd, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * A record file, whole or not at all: written under a temporary name and
 * renamed, so a test never reads half of one.
 */
static int
record_write(struct speech *sp, unsigned seq, const char *ext,
    const void *a, size_t alen, const void *b, size_t blen)
{
	char	 tmp[PATH_MAX], path[PATH_MAX];
	int	 fd, rc = 0;

	if (util_snprintf(path, sizeof(path), "%s/%06u.%s", sp->record_dir,
	    seq, ext) == -1 || util_snprintf(tmp, sizeof(tmp),
	    "%s/.%06u.%s.tmp", sp->record_dir, seq, ext) == -1)
		return -1;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1) {
		log_warn("speech: %s", tmp);
		return -1;
	}
	if (write_all(fd, a, alen) == -1 || (blen > 0 &&
	    write_all(fd, b, blen) == -1)) {
		log_warn("speech: %s", tmp);
		rc = -1;
	}
	if (close(fd) == -1 && rc == 0) {
		log_warn("speech: %s", tmp);
		rc = -1;
	}
	if (rc == 0 && rename(tmp, path) == -1) {
		log_warn("speech: %s", path);
		rc = -1;
	}
	if (rc == -1)
		(void)unlink(tmp);
	return rc;
}

/* The record continues after the highest number already there. */
static unsigned
record_next(const char *dir)
{
	DIR		*d;
	struct dirent	*e;
	unsigned	 max = 0;
	long long	 n;
	const char	*errstr;
	char		 num[7];

	if ((d = opendir(dir)) == NULL)
		return 1;
	while ((e = readdir(d)) != NULL) {
		if (strlen(e->d_name) != 10 || e->d_name[6] != '.')
			continue;
		memcpy(num, e->d_name, 6);
		num[6] = '\0';
		if (util_strtonum(num, 0, 999999, &n, &errstr) == 0 &&
		    (unsigned)n > max)
			max = (unsigned)n;
	}
	(void)closedir(d);
	return max + 1;
}

static void
cmd_start(struct speech_utt *u)
{
	struct speech			*sp = u->sp;
	posix_spawn_file_actions_t	 fa;
	unsigned char			 h[44];
	char				*argv[4];
	int				 p[2], err;

	if (pipe2(p, O_CLOEXEC) == -1) {
		log_warn("speech: pipe");
		u->cmd_failed = 1;
		return;
	}
	argv[0] = "sh";
	argv[1] = "-c";
	argv[2] = sp->command;
	argv[3] = NULL;
	/* Its output would land on the kiosk's screen. */
	if ((err = posix_spawn_file_actions_init(&fa)) != 0 ||
	    (err = posix_spawn_file_actions_adddup2(&fa, p[0], 0)) != 0 ||
	    (err = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null",
	    O_WRONLY, 0)) != 0 ||
	    (err = posix_spawn_file_actions_addopen(&fa, 2, "/dev/null",
	    O_WRONLY, 0)) != 0 ||
	    (err = posix_spawn(&u->cmd_pid, "/bin/sh", &fa, NULL, argv,
	    environ)) != 0) {
		log_warnx("speech: speech_command: %s", strerror(err));
		(void)close(p[0]);
		(void)close(p[1]);
		u->cmd_failed = 1;
		(void)posix_spawn_file_actions_destroy(&fa);
		return;
	}
	(void)posix_spawn_file_actions_destroy(&fa);
	(void)close(p[0]);
	u->cmd_fd = p[1];
	wav_header(h, sp->sample_rate, 0x7fffffff);
	if (write_all(u->cmd_fd, h, sizeof(h)) == -1)
		u->cmd_failed = 1;
}

/*
 * The command has had all it gets: let it finish playing, unless a new
 * utterance comes first (then it ends now). One that plays on for longer
 * than the audio lasts is stuck and is ended too: while the worker waits
 * the kiosk counts the resident as listening, and the idle reset must
 * not wait for ever.
 */
static void
cmd_end(struct speech_utt *u, int cut)
{
	struct speech	*sp = u->sp;
	int64_t		 deadline;
	int		 status;
	pid_t		 r;

	if (u->cmd_fd != -1)
		(void)close(u->cmd_fd);
	u->cmd_fd = -1;
	if (u->cmd_pid <= 0)
		return;
	if (cut)
		(void)kill(u->cmd_pid, SIGTERM);
	deadline = (u->samples > 0 ? u->start_us : mono_us()) +
	    (int64_t)(u->samples * 1000000 / (uint64_t)sp->sample_rate) +
	    SPEECH_CMD_GRACE_MS * 1000;
	for (;;) {
		r = waitpid(u->cmd_pid, &status, WNOHANG);
		if (r == u->cmd_pid || (r == -1 && errno != EINTR))
			break;
		if (r == 0 && mono_us() > deadline) {
			log_warnx("speech: speech_command still running after "
			    "its audio: ended");
			(void)kill(u->cmd_pid, SIGKILL);
			(void)waitpid(u->cmd_pid, &status, 0);
			break;
		}
		if (r == 0 && changed(u)) {
			(void)kill(u->cmd_pid, SIGTERM);
			(void)waitpid(u->cmd_pid, &status, 0);
			break;
		}
		if (pthread_mutex_lock(&sp->mtx) != 0)
			fatalx("speech: mutex");
		wait_until(sp, mono_us() + 20000, u->gen);
		(void)pthread_mutex_unlock(&sp->mtx);
	}
	u->cmd_pid = 0;
}

/* Samples to the sound device; a device that fails is closed for good. */
static void
pcm_write(struct speech *sp, const short *wav, int n)
{
	snd_pcm_sframes_t	 w;

	while (n > 0 && sp->pcm != NULL) {
		w = snd_pcm_writei(sp->pcm, wav, (snd_pcm_uframes_t)n);
		if (w < 0) {
			if (snd_pcm_recover(sp->pcm, (int)w, 1) == 0)
				continue;
			log_warnx("speech: sound device: %s; going on "
			    "without sound", snd_strerror((int)w));
			(void)snd_pcm_close(sp->pcm);
			sp->pcm = NULL;
			return;
		}
		wav += w;
		n -= (int)w;
	}
}

static int
synth_cb(short *wav, int n, espeak_EVENT *ev)
{
	struct speech_utt	*u = speech_cur;
	struct speech		*sp;
	int64_t			 now, due;
	size_t			 cap;

	(void)ev;
	if (u == NULL)
		return 1;
	sp = u->sp;
	if (changed(u))
		return 1;
	if (wav == NULL || n <= 0)
		return 0;
	now = mono_us();
	if (u->samples == 0) {
		u->start_us = now;
		atomic_store(&sp->first_us, now);
	}
	if (sp->record_dir != NULL && u->nrec + (size_t)n <=
	    (size_t)sp->sample_rate * SPEECH_RECORD_MAX_S) {
		if (u->nrec + (size_t)n > u->caprec) {
			cap = u->caprec == 0 ? (size_t)sp->sample_rate :
			    u->caprec * 2;
			while (cap < u->nrec + (size_t)n)
				cap *= 2;
			u->rec = xreallocarray(u->rec, cap, sizeof(*u->rec));
			u->caprec = cap;
		}
		memcpy(u->rec + u->nrec, wav, (size_t)n * sizeof(*wav));
		u->nrec += (size_t)n;
	}
	if (sp->command != NULL && !u->cmd_failed) {
		if (u->cmd_fd == -1)
			cmd_start(u);
		if (u->cmd_fd != -1 && write_all(u->cmd_fd, wav,
		    (size_t)n * sizeof(*wav)) == -1) {
			log_warn("speech: speech_command");
			u->cmd_failed = 1;
		}
	} else if (sp->pcm != NULL)
		pcm_write(sp, wav, n);
	u->samples += (uint64_t)n;
	/* As fast as it is heard, whatever takes the samples. */
	due = u->start_us + (int64_t)(u->samples * 1000000 /
	    (uint64_t)sp->sample_rate) - SPEECH_LEAD_MS * 1000;
	if (due > mono_us()) {
		if (pthread_mutex_lock(&sp->mtx) != 0)
			fatalx("speech: mutex");
		wait_until(sp, due, u->gen);
		(void)pthread_mutex_unlock(&sp->mtx);
	}
	return changed(u) ? 1 : 0;
}

static void
set_voice(struct speech *sp, const char *lang)
{
	espeak_VOICE	 v;

	if (strcmp(sp->voice, lang) == 0)
		return;
	memset(&v, 0, sizeof(v));
	v.languages = lang;
	if (espeak_SetVoiceByProperties(&v) != EE_OK) {
		log_warnx("speech: no %s voice: speaking Latvian", lang);
		memset(&v, 0, sizeof(v));
		v.languages = "lv";
		(void)espeak_SetVoiceByProperties(&v);
	}
	(void)util_strlcpy(sp->voice, lang, sizeof(sp->voice));
	/* A new voice has its own rate and volume. */
	(void)espeak_SetParameter(espeakRATE, sp->rate, 0);
	(void)espeak_SetParameter(espeakVOLUME, sp->volume, 0);
}

static void
utter(struct speech *sp, const char *text, const char *lang, unsigned gen)
{
	struct speech_utt	 u;
	unsigned char		 h[44];
	unsigned		 seq = 0;
	size_t			 bytes;
	int			 cut;

	memset(&u, 0, sizeof(u));
	u.sp = sp;
	u.gen = gen;
	u.cmd_fd = -1;
	if (sp->record_dir != NULL) {
		seq = sp->seq++;
		(void)record_write(sp, seq, "txt", text, strlen(text), "\n",
		    1);
	}
	if (sp->sample_rate > 0 && (sp->pcm != NULL || sp->command != NULL ||
	    sp->record_dir != NULL)) {
		set_voice(sp, lang);
		if (sp->pcm != NULL)
			(void)snd_pcm_prepare(sp->pcm);
		speech_cur = &u;
		if (espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0,
		    espeakCHARS_UTF8, NULL, &u) != EE_OK)
			log_warnx("speech: espeak_Synth failed");
		speech_cur = NULL;
	}
	cut = changed(&u);
	/* Cut short: what is still in the device's buffer goes too. */
	if (cut && sp->pcm != NULL)
		(void)snd_pcm_drop(sp->pcm);
	cmd_end(&u, cut);
	if (sp->record_dir != NULL) {
		bytes = u.nrec * sizeof(*u.rec);
		wav_header(h, sp->sample_rate > 0 ? sp->sample_rate : 22050,
		    (uint32_t)bytes);
		(void)record_write(sp, seq, "wav", h, sizeof(h), u.rec, bytes);
	}
	if (u.rec != NULL)
		explicit_bzero(u.rec, u.caprec * sizeof(*u.rec));
	free(u.rec);
}

/* ALSA's own complaints would land on the kiosk's screen: we log ours. */
static void
alsa_quiet(const char *file, int line, const char *fn, int err,
    const char *fmt, ...)
{
	(void)file;
	(void)line;
	(void)fn;
	(void)err;
	(void)fmt;
}

/* The worker: loads the voice, then says what it is given. */
static void *
speech_main(void *arg)
{
	struct speech	*sp = arg;
	char		*text, lang[SPEECH_LANG_SIZE];
	unsigned	 gen;
	int		 r, err = 0;

	text = xmalloc(SPEECH_TEXT_MAX);
	if ((r = espeak_start()) > 0) {
		sp->sample_rate = r;
		set_voice(sp, "lv");
		(void)snd_lib_error_set_handler(alsa_quiet);
		if (sp->command == NULL && (err = snd_pcm_open(&sp->pcm,
		    "default", SND_PCM_STREAM_PLAYBACK, 0)) == 0 &&
		    (err = snd_pcm_set_params(sp->pcm, SND_PCM_FORMAT_S16_LE,
		    SND_PCM_ACCESS_RW_INTERLEAVED, 1, (unsigned)r, 1,
		    SPEECH_ALSA_LATENCY_US)) < 0) {
			(void)snd_pcm_close(sp->pcm);
			sp->pcm = NULL;
		}
		/* Once, at start: a kiosk without sound goes on silently. */
		if (sp->command == NULL && sp->pcm == NULL)
			log_warnx("speech: no sound device (%s): speaking "
			    "to nobody", snd_strerror(err));
	}
	if (pthread_mutex_lock(&sp->mtx) != 0)
		fatalx("speech: mutex");
	for (;;) {
		while (!sp->quit && !sp->pending)
			(void)pthread_cond_wait(&sp->cond, &sp->mtx);
		if (sp->quit)
			break;
		(void)util_strlcpy(text, sp->text, SPEECH_TEXT_MAX);
		(void)util_strlcpy(lang, sp->lang, sizeof(lang));
		/* A resident's fees and children: kept no longer than said. */
		explicit_bzero(sp->text, sizeof(sp->text));
		gen = atomic_load(&sp->gen);
		sp->pending = 0;
		sp->busy = 1;
		(void)pthread_mutex_unlock(&sp->mtx);
		utter(sp, text, lang, gen);
		explicit_bzero(text, SPEECH_TEXT_MAX);
		if (pthread_mutex_lock(&sp->mtx) != 0)
			fatalx("speech: mutex");
		sp->busy = 0;
	}
	(void)pthread_mutex_unlock(&sp->mtx);
	if (sp->pcm != NULL)
		(void)snd_pcm_close(sp->pcm);
	free(text);
	return NULL;
}

/* Only its owner may look into a record of what residents heard. */
static int
check_record_dir(const char *dir, char *err, size_t errsize)
{
	struct stat	 st;

	if (stat(dir, &st) == -1) {
		(void)util_snprintf(err, errsize, "%s: %s: %s",
		    config_key_name(CFG_KIOSK_SPEECH_RECORD_DIR), dir,
		    strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(void)util_snprintf(err, errsize, _("%s: %s is not a "
		    "directory"), config_key_name(CFG_KIOSK_SPEECH_RECORD_DIR),
		    dir);
		return -1;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		(void)util_snprintf(err, errsize, _("%s: the directory %s is "
		    "open to its group or others: run `chmod 700 %s`"),
		    config_key_name(CFG_KIOSK_SPEECH_RECORD_DIR), dir, dir);
		return -1;
	}
	return 0;
}

struct speech *
speech_new(const struct config *cfg, char *err, size_t errsize)
{
	struct speech		*sp;
	const char		*m = config_str(cfg, CFG_KIOSK_SPEECH);
	const char		*cmd = config_str(cfg, CFG_KIOSK_SPEECH_COMMAND);
	const char		*dir = config_str(cfg,
	    CFG_KIOSK_SPEECH_RECORD_DIR);

	sp = xcalloc(1, sizeof(*sp));
	sp->mode = strcmp(m, "on") == 0 ? SPEECH_ON :
	    strcmp(m, "key") == 0 ? SPEECH_KEY : SPEECH_OFF;
	sp->rate = (int)config_int(cfg, CFG_KIOSK_SPEECH_RATE);
	sp->volume = (int)config_int(cfg, CFG_KIOSK_SPEECH_VOLUME);
	atomic_init(&sp->gen, 0);
	atomic_init(&sp->said_us, 0);
	atomic_init(&sp->first_us, -1);
	if (sp->mode == SPEECH_OFF)
		return sp;
	if (dir[0] != '\0') {
		if (check_record_dir(dir, err, errsize) == -1) {
			free(sp);
			return NULL;
		}
		sp->record_dir = xstrdup(dir);
		sp->seq = record_next(dir);
	}
	if (cmd[0] != '\0')
		sp->command = xstrdup(cmd);
	return sp;
}

/*
 * The voice and its worker come with the first visit that speaks: with
 * speech = key most never do, and a kiosk need not carry espeak's
 * dictionaries for them.
 */
static void
start_worker(struct speech *sp)
{
	pthread_condattr_t	 ca;

	if (pthread_condattr_init(&ca) != 0 ||
	    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&sp->cond, &ca) != 0 ||
	    pthread_mutex_init(&sp->mtx, NULL) != 0)
		fatalx("speech: cannot set up the worker's lock");
	(void)pthread_condattr_destroy(&ca);
	if (pthread_create(&sp->thread, NULL, speech_main, sp) != 0)
		fatalx("speech: cannot start the worker");
	sp->started = 1;
}

void
speech_free(struct speech *sp)
{
	if (sp == NULL)
		return;
	if (sp->started) {
		if (pthread_mutex_lock(&sp->mtx) != 0)
			fatalx("speech: mutex");
		sp->quit = 1;
		atomic_fetch_add(&sp->gen, 1);
		(void)pthread_cond_broadcast(&sp->cond);
		(void)pthread_mutex_unlock(&sp->mtx);
		if (pthread_join(sp->thread, NULL) != 0)
			log_warnx("speech: the worker did not end");
		(void)pthread_cond_destroy(&sp->cond);
		(void)pthread_mutex_destroy(&sp->mtx);
	}
	free(sp->command);
	free(sp->record_dir);
	/* What was said may have been personal. */
	explicit_bzero(sp->last, sizeof(sp->last));
	explicit_bzero(sp->text, sizeof(sp->text));
	free(sp);
}

enum speech_mode
speech_mode(const struct speech *sp)
{
	return sp != NULL ? sp->mode : SPEECH_OFF;
}

void
speech_set_on(struct speech *sp, int on)
{
	if (sp == NULL || sp->mode == SPEECH_OFF)
		return;
	if (on && !sp->started)
		start_worker(sp);
	if (!on) {
		speech_stop(sp);
		explicit_bzero(sp->last, sizeof(sp->last));
		explicit_bzero(&sp->shown, sizeof(sp->shown));
	}
	/* Whatever is on the screen is said whole next, and that speech is
	   on, with the repeat key, before it. */
	sp->shown_valid = 0;
	sp->announce = on && !sp->on;
	sp->on = on;
}

int
speech_is_on(const struct speech *sp)
{
	return sp != NULL && sp->on;
}

/* Hand text to the worker, cutting short what it is saying. */
static void
post(struct speech *sp, const char *text)
{
	if (pthread_mutex_lock(&sp->mtx) != 0)
		fatalx("speech: mutex");
	atomic_fetch_add(&sp->gen, 1);
	if (text != NULL) {
		(void)util_strlcpy_utf8(sp->text, text, sizeof(sp->text));
		(void)util_strlcpy(sp->lang, i18n_lang(), sizeof(sp->lang));
		sp->pending = 1;
		atomic_store(&sp->said_us, mono_us());
		atomic_store(&sp->first_us, -1);
	} else
		sp->pending = 0;
	(void)pthread_cond_broadcast(&sp->cond);
	(void)pthread_mutex_unlock(&sp->mtx);
}

void
speech_say(struct speech *sp, const char *text)
{
	if (sp == NULL || !sp->on || !sp->started)
		return;
	/* Cut short rather than not said at all when it is too long. */
	(void)spoken_line(text, sp->last, sizeof(sp->last));
	post(sp, sp->last);
}

void
speech_repeat(struct speech *sp)
{
	if (sp == NULL || !sp->on || !sp->started || sp->last[0] == '\0')
		return;
	post(sp, sp->last);
}

void
speech_stop(struct speech *sp)
{
	if (sp != NULL && sp->started)
		post(sp, NULL);
}

int64_t
speech_first_sample_ms(struct speech *sp)
{
	int64_t	 first = atomic_load(&sp->first_us);
	int64_t	 said = atomic_load(&sp->said_us);

	if (first < 0)
		return -1;
	return (first - said) / 1000;
}

int
speech_busy(struct speech *sp)
{
	int	 busy;

	if (sp == NULL || !sp->started)
		return 0;
	if (pthread_mutex_lock(&sp->mtx) != 0)
		fatalx("speech: mutex");
	busy = sp->busy || sp->pending;
	(void)pthread_mutex_unlock(&sp->mtx);
	return busy;
}

/* --- What a screen says. */

/* 1 when s has a letter: a field of words, not of digits and dots. */
static int
has_letter(const char *s)
{
	mbstate_t	 mbs;
	wchar_t		 wc;
	size_t		 n, len = strlen(s);

	memset(&mbs, 0, sizeof(mbs));
	while (len > 0) {
		n = mbrtowc(&wc, s, len, &mbs);
		if (n == 0 || n == (size_t)-1 || n == (size_t)-2)
			return 0;
		if (iswalpha((wint_t)wc))
			return 1;
		s += n;
		len -= n;
	}
	return 0;
}

/* Characters typed into a field: all but the blanks ('_') and spaces. */
static size_t
typed(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (*s != '_' && *s != ' ' && *s != '-' &&
		    ((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* The text with its digits taken out: a countdown's lines compare equal. */
static void
undigit(const char *s, char *buf, size_t size)
{
	size_t	 n = 0;

	for (; *s != '\0' && n + 1 < size; s++)
		if (*s < '0' || *s > '9')
			buf[n++] = *s;
	buf[n] = '\0';
}

/* A key of the legend as it is said: "0/←" is 0, arrows by name. */
static void
key_name(const char *key, char *buf, size_t size)
{
	const char	*slash;

	if (strcmp(key, "←") == 0)
		(void)util_strlcpy(buf, _("the left arrow"), size);
	else if (strcmp(key, "⌫") == 0)
		(void)util_strlcpy(buf, _("Backspace"), size);
	else if (strcmp(key, "+") == 0)
		(void)util_strlcpy(buf, _("plus"), size);
	else if (strcmp(key, "-") == 0)
		(void)util_strlcpy(buf, _("minus"), size);
	else if (strcmp(key, "*") == 0)
		(void)util_strlcpy(buf, _("star"), size);
	else if (strcmp(key, ".") == 0)
		(void)util_strlcpy(buf, _("dot"), size);
	else if ((slash = strchr(key, '/')) != NULL && slash > key)
		(void)util_snprintf(buf, size, "%.*s", (int)(slash - key), key);
	else
		(void)util_strlcpy(buf, key, size);
}

/* n bytes of UTF-8 text at the end of buf, cut at a character if need be. */
static void
append(char *buf, size_t size, size_t *len, const char *s, size_t n)
{
	if (*len + 1 >= size)
		return;
	if (n > size - *len - 1) {
		n = size - *len - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(buf + *len, s, n);
	*len += n;
	buf[*len] = '\0';
}

/* A sentence of text, with a full stop so that the voice pauses. */
static void
add_sentence(char *buf, size_t size, const char *s)
{
	static const char	 dot[] = "•";
	const char		*d;
	size_t			 n, run, len = strlen(buf);
	char			 last;

	while (*s == ' ')
		s++;
	n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (n == 0)
		return;
	if (len > 0)
		append(buf, size, &len, " ", 1);
	/* A masked phone number's dots are no words: "+371 2 … 72". */
	while (n > 0) {
		d = memmem(s, n, dot, sizeof(dot) - 1);
		run = d != NULL ? (size_t)(d - s) : n;
		append(buf, size, &len, s, run);
		s += run;
		n -= run;
		if (d == NULL)
			break;
		while (n >= sizeof(dot) - 1 &&
		    memcmp(s, dot, sizeof(dot) - 1) == 0) {
			s += sizeof(dot) - 1;
			n -= sizeof(dot) - 1;
		}
		append(buf, size, &len, " … ", strlen(" … "));
	}
	last = len > 0 ? buf[len - 1] : '\0';
	if (last != '.' && last != '!' && last != '?' && last != ':')
		append(buf, size, &len, ".", 1);
}

/*
 * An item as said. A choice drawn "1  Rinda" (its key, two spaces, what
 * it does) is said as the legend's are: "Rinda: nospiediet 1".
 */
static void
add_item(char *buf, size_t size, const struct ui_said_item *it)
{
	char		 line[UI_SAID_TEXT_SIZE + 64], key[32];
	const char	*s = it->text, *p;

	switch (it->kind) {
	case UI_SAID_KEY:
		key_name(it->key, key, sizeof(key));
		(void)util_snprintf(line, sizeof(line), _("%s: press %s"),
		    it->text, key);
		/* The menu's "0  Beigt" said it already. */
		if (strstr(buf, line) == NULL)
			add_sentence(buf, size, line);
		return;
	case UI_SAID_FIELD:
		if (!has_letter(s))
			return;
		break;
	default:
		break;
	}
	while (*s == ' ')
		s++;
	p = s;
	while (*p != '\0' && *p != ' ' && p - s < 3)
		p++;
	if (p > s && strncmp(p, "  ", 2) == 0 && (*s == '+' || *s == '-' ||
	    (*s >= '0' && *s <= '9'))) {
		(void)util_snprintf(key, sizeof(key), "%.*s", (int)(p - s), s);
		while (*p == ' ')
			p++;
		/* A topic's box: "[x] Kultūra" is on, "[ ] Kultūra" off. */
		if (strncmp(p, "[x] ", 4) == 0 || strncmp(p, "[ ] ", 4) == 0)
			(void)util_snprintf(line, sizeof(line), _("%s, %s: "
			    "press %s"), p + 4, p[1] == 'x' ? _("on") :
			    _("off"), key);
		else
			(void)util_snprintf(line, sizeof(line),
			    _("%s: press %s"), p, key);
		add_sentence(buf, size, line);
		return;
	}
	add_sentence(buf, size, s);
}

static int
same_item(const struct ui_said_item *a, const struct ui_said_item *b)
{
	return a->kind == b->kind && strcmp(a->key, b->key) == 0 &&
	    strcmp(a->text, b->text) == 0;
}

static int
in_said(const struct ui_said *s, const struct ui_said_item *it)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		if (same_item(&s->item[i], it))
			return 1;
	return 0;
}

/* The field's change said without what was typed. */
static void
add_field_change(char *buf, size_t size, const struct ui_said *prev,
    const struct ui_said *cur)
{
	size_t	 i, j;

	for (i = 0; i < cur->n; i++) {
		if (cur->item[i].kind != UI_SAID_FIELD ||
		    has_letter(cur->item[i].text))
			continue;
		for (j = 0; j < prev->n; j++)
			if (prev->item[j].kind == UI_SAID_FIELD &&
			    !has_letter(prev->item[j].text))
				break;
		if (j == prev->n || typed(cur->item[i].text) ==
		    typed(prev->item[j].text))
			continue;
		add_sentence(buf, size, typed(cur->item[i].text) >
		    typed(prev->item[j].text) ? _("typed") : _("deleted"));
		return;
	}
}

void
speech_compose(const struct ui_said *prev, const struct ui_said *cur,
    int whole, char *buf, size_t size)
{
	const struct ui_said_item *news[UI_SAID_MAX];
	char		 a[UI_SAID_TEXT_SIZE], b[UI_SAID_TEXT_SIZE];
	size_t		 i, j, n = 0;
	const char	*d;

	buf[0] = '\0';
	if (cur->n == 0)
		return;
	if (prev == NULL || prev->n == 0 || whole ||
	    prev->item[0].kind != cur->item[0].kind ||
	    strcmp(prev->item[0].text, cur->item[0].text) != 0) {
		for (i = 0; i < cur->n; i++)
			add_item(buf, size, &cur->item[i]);
		return;
	}
	for (i = 0; i < cur->n; i++)
		if (cur->item[i].kind != UI_SAID_FIELD &&
		    !in_said(prev, &cur->item[i]))
			news[n++] = &cur->item[i];
	/* A countdown: the line it replaces differs in its digits only. */
	if (n == 1) {
		undigit(news[0]->text, a, sizeof(a));
		for (j = 0; j < prev->n; j++) {
			undigit(prev->item[j].text, b, sizeof(b));
			if (prev->item[j].kind == news[0]->kind &&
			    strcmp(a, b) == 0 &&
			    strcmp(prev->item[j].text, news[0]->text) != 0) {
				for (d = news[0]->text; *d != '\0' &&
				    (*d < '0' || *d > '9'); d++)
					;
				for (i = 0; d[i] >= '0' && d[i] <= '9' &&
				    i + 1 < sizeof(a); i++)
					a[i] = d[i];
				a[i] = '\0';
				add_sentence(buf, size, a);
				return;
			}
		}
	}
	for (i = 0; i < n; i++)
		add_item(buf, size, news[i]);
	/* Only a key typed, with nothing else new: it is acknowledged. */
	if (n == 0)
		add_field_change(buf, size, prev, cur);
}

void
speech_screen(struct speech *sp, const struct ui_said *cur, int whole)
{
	char	*text, *screen;

	if (sp == NULL || !sp->on || !sp->started)
		return;
	text = xmalloc(SPEECH_TEXT_MAX);
	screen = xmalloc(SPEECH_TEXT_MAX);
	text[0] = '\0';
	if (sp->announce)
		add_sentence(text, SPEECH_TEXT_MAX, _("Speech is on. Press the "
		    "dot key to hear the screen again."));
	sp->announce = 0;
	speech_compose(sp->shown_valid ? &sp->shown : NULL, cur, whole,
	    screen, SPEECH_TEXT_MAX);
	add_sentence(text, SPEECH_TEXT_MAX, screen);
	memcpy(&sp->shown, cur, sizeof(sp->shown));
	sp->shown_valid = 1;
	if (text[0] != '\0')
		speech_say(sp, text);
	explicit_bzero(screen, SPEECH_TEXT_MAX);
	free(screen);
	free(text);
}
