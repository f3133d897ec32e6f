/*
 * bench_qr: what showing one fee's QR code costs — the EPC payload, the
 * QR matrix and its half-block text — as the median over several runs of
 * the mean time per fee. The target (2 ms) is the kiosk's budget per fee.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "epc.h"
#include "log.h"
#include "qr.h"
#include "util.h"

#define RUNS		9
#define OPS		300
#define TARGET_US	2000

static double
now_us(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One fee: its own reference and amount, so no two payloads are alike. */
static size_t
one_fee(int i)
{
	struct epc_transfer	 t;
	struct qr		*qr;
	char			 payload[EPC_PAYLOAD_SIZE], body[16];
	char			 rf[IDENT_RF_SIZE], *text;
	const char		*errstr;
	size_t			 len, tlen;

	if (util_snprintf(body, sizeof(body), "2025%08d", i) == -1 ||
	    ident_rf_make(body, rf, &errstr) == -1)
		fatalx("reference %d", i);
	memset(&t, 0, sizeof(t));
	t.name = "Rīgas valstspilsētas pašvaldība";
	t.iban = "LV89RIKO0023300000000";
	t.cents = 1000 + i % 5000;
	t.reference = rf;
	if (epc_build_short(&t, "Rīgas pašvaldība", 84, payload,
	    sizeof(payload), &len, &errstr) == -1)
		fatalx("epc_build_short: %s", errstr);
	if ((qr = qr_encode(payload, len, &errstr)) == NULL)
		fatalx("qr_encode: %s", errstr);
	if (qr_fits(qr, 80, 24, QR_MODE_HALF, &errstr) == -1)
		fatalx("qr_fits: %s", errstr);
	text = qr_text(qr, QR_MODE_HALF, &tlen);
	free(text);
	qr_free(qr);
	return tlen;
}

int
main(void)
{
	double	 per_op[RUNS], start;
	size_t	 sink = 0;
	int	 r, i;

	log_init("bench_qr", 0);
	for (i = 0; i < 50; i++)	/* warm caches and the allocator */
		sink += one_fee(i);
	for (r = 0; r < RUNS; r++) {
		start = now_us();
		for (i = 0; i < OPS; i++)
			sink += one_fee(r * OPS + i);
		per_op[r] = (now_us() - start) / OPS;
	}
	qsort(per_op, RUNS, sizeof(per_op[0]), cmp_double);
	printf("qr_build_render_runs=%d ops_per_run=%d text_bytes=%zu\n",
	    RUNS, OPS, sink / (size_t)(50 + RUNS * OPS));
	printf("qr_build_render_us_min=%.1f\n", per_op[0]);
	printf("qr_build_render_us_median=%.1f target_us=%d\n",
	    per_op[RUNS / 2], TARGET_US);
	return 0;
}
