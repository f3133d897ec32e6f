/*
 * bench_smstext: encode + segment throughput of smstext_encode for a
 * 160-character ASCII text (one GSM-7 segment), a 160-character Latvian
 * text (three UCS-2 segments) and the same Latvian text transliterated.
 * Each figure is the median of 5 runs of at least one second of CPU time,
 * printed as key=value beside its target.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smstext.h"
#include "util.h"

#define RUNS		5
#define RUN_MS		1000
#define BATCH		1000
#define NDST		1000
#define TARGET		1000000

static const char ascii_src[] =
    "Riga municipality reminds you: the real estate tax instalment is due "
    "on 15 May. Pay in your internet bank or at a client service centre. "
    "Thank you! Riga City Council";
static const char latvian_src[] =
    "Rīgas pašvaldība atgādina: nekustamā īpašuma nodokļa maksājums "
    "jāveic līdz 15. maijam. Maksāt var internetbankā vai klientu centrā. "
    "Paldies! Jūsu Rīgas dome, Ģertrūdes ielā";

static char	 dsts[NDST][16];
static volatile size_t sink;

/* The first 160 code points of src into buf. */
static size_t
first160(const char *src, char *buf, size_t size)
{
	size_t	 i = 0, cps = 0;

	while (src[i] != '\0') {
		if (((unsigned char)src[i] & 0xc0) != 0x80 && cps++ == 160)
			break;
		i++;
	}
	if (cps < 160 || i >= size) {
		fprintf(stderr, "bench_smstext: source text too short\n");
		exit(1);
	}
	memcpy(buf, src, i);
	buf[i] = '\0';
	return i;
}

/*
 * CPU time of this thread in ms: the target is per core, and on a shared
 * machine wall time would count other processes' turns too. clock.h has
 * no CPU clock, and a benchmark needs no fake one.
 */
static int64_t
cpu_ms(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == -1) {
		perror("clock_gettime");
		exit(1);
	}
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double
run(const char *text, size_t len, struct smstext_opts *o,
    struct smstext_msg *m)
{
	const char	*errstr;
	int64_t		 start, el;
	size_t		 n = 0, i;

	start = cpu_ms();
	do {
		for (i = 0; i < BATCH; i++) {
			o->dst = dsts[(n + i) % NDST];
			if (smstext_encode(text, len, o, m, &errstr) == -1) {
				fprintf(stderr, "bench_smstext: %s\n", errstr);
				exit(1);
			}
			sink += m->nsegments + m->seg[0].data[0];
		}
		n += BATCH;
	} while ((el = cpu_ms() - start) < RUN_MS);
	return (double)n * 1000.0 / (double)el;
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
bench(const char *name, const char *src, enum smstext_policy policy,
    struct smstext_refs *refs)
{
	struct smstext_opts	 o;
	struct smstext_msg	*m = xmalloc(sizeof(*m));
	double			 r[RUNS];
	char			 text[1024];
	size_t			 len;
	int			 i;

	len = first160(src, text, sizeof(text));
	memset(&o, 0, sizeof(o));
	o.policy = policy;
	o.refs = refs;
	for (i = 0; i < RUNS; i++)
		r[i] = run(text, len, &o, m);
	qsort(r, RUNS, sizeof(r[0]), cmp_double);
	printf("smstext_encode_%s_msgs_per_s=%.0f target=%d encoding=%s "
	    "chars=%zu segments=%zu\n", name, r[RUNS / 2], TARGET,
	    smstext_encoding_name(m->info.encoding), m->info.chars,
	    m->nsegments);
	free(m);
}

int
main(void)
{
	struct smstext_refs	*refs;
	int			 i;

	for (i = 0; i < NDST; i++)
		(void)util_snprintf(dsts[i], sizeof(dsts[i]), "+3712%07d",
		    1000000 + i * 7919);
	refs = smstext_refs_new();
	bench("ascii", ascii_src, SMSTEXT_AUTO, refs);
	bench("latvian", latvian_src, SMSTEXT_AUTO, refs);
	bench("latvian_translit", latvian_src, SMSTEXT_TRANSLIT, refs);
	smstext_refs_free(refs);
	return 0;
}
