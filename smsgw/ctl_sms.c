/*
 * ctl_sms: munictl sms preview, send and status — one message at a time
 * (or a batch file) into the outbox, and what a text will cost.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "config.h"
#include "ctl.h"
#include "i18n.h"
#include "ident.h"
#include "import.h"
#include "outbox.h"
#include "smstext.h"
#include "store.h"
#include "util.h"

/* Names of usage lines; the lines are in munictl.c's command table. */
static const char *use_preview = "sms preview";
static const char *use_send = "sms send";
static const char *use_status = "sms status";

static int
sms_preview(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "translit", no_argument, NULL, 't' },
		{ "encoding", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	struct smstext_opts	 so;
	struct smstext_info	 info;
	const char		*enc, *errstr, *text;
	char			 subst[512];
	long long		 limit;
	int			 ch;

	enc = config_str(ctl->cfg, CFG_SMS_ENCODING);
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 't':
			enc = "translit";
			break;
		case 'e':
			enc = optarg;
			break;
		default:
			return ctl_usage(use_preview);
		}
	}
	if (argc - optind != 1)
		return ctl_usage(use_preview);
	text = argv[optind];
	memset(&so, 0, sizeof(so));
	if (smstext_policy_parse(enc, &so.policy, &errstr) == -1 ||
	    smstext_analyze(text, strlen(text), &so, &info, &errstr) == -1) {
		fprintf(stderr, "munictl sms preview: %s\n", _(errstr));
		return 1;
	}
	printf("encoding=%s chars=%zu units=%zu segments=%zu cost=%.3f\n",
	    smstext_encoding_name(info.encoding), info.chars, info.units,
	    info.segments, (double)info.segments *
	    config_double(ctl->cfg, CFG_SMS_PRICE_PER_SEGMENT));
	if (so.policy == SMSTEXT_TRANSLIT || so.policy == SMSTEXT_GSM7) {
		if (info.nsubst == 0)
			printf("%s\n", _("changed: nothing"));
		else {
			(void)smstext_subst_format(&info, subst, sizeof(subst));
			printf("%s %s\n", _("changed:"), subst);
		}
	}
	limit = config_int(ctl->cfg, CFG_SMS_MAX_SEGMENTS);
	if ((long long)info.segments > limit)
		printf(_("over the limit: %zu segments, [sms] max_segments "
		    "is %lld\n"), info.segments, limit);
	return 0;
}

static int
sms_send(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "validity", required_argument, NULL, 'v' },
		{ "encoding", required_argument, NULL, 'e' },
		{ "batch", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	struct outbox_msg	 m;
	struct import_opts	 io;
	struct import_result	 res;
	struct outbox_why	 why;
	struct store		*s;
	const char		*errstr, *batch = NULL, *who;
	long long		 v;
	int64_t			 id;
	int			 ch;

	memset(&m, 0, sizeof(m));
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'v':
			if (util_strtonum(optarg, 1, OUTBOX_VALIDITY_MAX, &v,
			    &errstr) == -1) {
				fprintf(stderr, "munictl sms send: --validity "
				    "'%s' %s ", optarg, _(errstr));
				fprintf(stderr, _("(1-%d seconds)"),
				    OUTBOX_VALIDITY_MAX);
				fputc('\n', stderr);
				return 2;
			}
			m.validity_s = (long)v;
			break;
		case 'e':
			m.encoding = optarg;
			break;
		case 'b':
			batch = optarg;
			break;
		default:
			return ctl_usage(use_send);
		}
	}
	if (m.encoding == NULL)
		m.encoding = config_str(ctl->cfg, CFG_SMS_ENCODING);
	if ((batch != NULL && argc != optind) ||
	    (batch == NULL && argc - optind != 2))
		return ctl_usage(use_send);
	if ((s = ctl_store(ctl)) == NULL ||
	    (who = ctl_actor(ctl, NULL, "sms send")) == NULL)
		return 1;
	if (batch != NULL) {
		memset(&io, 0, sizeof(io));
		io.sms_validity_s = m.validity_s;
		io.sms_encoding = m.encoding;
		io.sms_max_segments = (int)config_int(ctl->cfg,
		    CFG_SMS_MAX_SEGMENTS);
		if (import_csv(s, IMPORT_SMS, batch, &io, &res) == -1) {
			fprintf(stderr, ngettext("%s: %zu error; nothing was "
			    "sent\n", "%s: %zu errors; nothing was sent\n",
			    res.errors), batch, res.errors);
			return 1;
		}
		printf("messages=%zu\n", res.inserted);
		return 0;
	}
	m.phone = argv[optind];
	m.text = argv[optind + 1];
	m.max_segments = (int)config_int(ctl->cfg, CFG_SMS_MAX_SEGMENTS);
	if ((id = outbox_enqueue_why(s, &m, &why)) == -1) {
		if (why.field == OUTBOX_FIELD_SEGMENTS)
			fprintf(stderr, _("munictl sms send: the text needs "
			    "%zu segments, [sms] max_segments is %lld\n"),
			    why.segments, (long long)m.max_segments);
		else
			fprintf(stderr, "munictl sms send: %s\n", _(why.msg));
		return 1;
	}
	if (store_audit(s, who, "sms send", "one message") == -1)
		return 1;
	printf("message=%lld\n", (long long)id);
	return 0;
}

/* What the gateway's own status codes mean; NULL for SMPP ones. */
static const char *
status_reason(int code)
{
	switch (code) {
	case OUTBOX_STATUS_TIMEOUT:
		return "no response from the SMSC";
	case OUTBOX_STATUS_LINK:
		return "the link to the SMSC went down";
	case OUTBOX_STATUS_ENCODE:
		return "the text cannot be sent as SMS";
	default:
		return NULL;
	}
}

static int
sms_status(struct ctl *ctl, int argc, char **argv)
{
	struct outbox_status	 os;
	struct outbox_part_info	 parts[OUTBOX_PARTS_MAX];
	struct store		*s;
	const char		*errstr, *why;
	char			 created[32], updated[32], phone[64];
	long long		 id;
	int			 r, np, i;

	if (argc != 2)
		return ctl_usage(use_status);
	if (util_strtonum(argv[1], 1, INT64_MAX, &id, &errstr) == -1) {
		fprintf(stderr, "munictl sms status: '%s' %s\n", argv[1],
		    _(errstr));
		return 2;
	}
	if ((s = ctl_store(ctl)) == NULL)
		return 1;
	if ((r = outbox_status(s, id, &os)) == -1) {
		fprintf(stderr, "munictl sms status: %s\n", store_errmsg(s));
		return 1;
	}
	if (r == 1) {
		fprintf(stderr, _("munictl sms status: no message %lld\n"), id);
		return 1;
	}
	clock_datetime(os.created_at, created, sizeof(created));
	clock_datetime(os.updated_at, updated, sizeof(updated));
	ident_phone_mask(os.phone, phone, sizeof(phone));
	printf("state=%s\n", os.state);
	printf("phone=%s\n", phone);
	printf("attempts=%d\n", os.attempts);
	if (os.message_id[0] != '\0')
		printf("smsc_message_id=%s\n", os.message_id);
	if (os.status_code >= 0)
		printf("smpp_status=0x%08x\n", (unsigned)os.status_code);
	if ((why = status_reason(os.status_code)) != NULL)
		printf("last_error=%s\n", why);
	printf("created=\"%s\"\nupdated=\"%s\"\n", created, updated);
	if (os.valid_until != 0) {
		clock_datetime(os.valid_until, created, sizeof(created));
		printf("valid_until=\"%s\"\n", created);
	}
	/* Each part the SMSC took: its id, its receipt, and when. */
	if ((np = outbox_parts(s, id, parts, OUTBOX_PARTS_MAX)) == -1) {
		fprintf(stderr, "munictl sms status: %s\n", store_errmsg(s));
		return 1;
	}
	for (i = 0; i < np; i++) {
		clock_datetime(parts[i].updated_at, updated, sizeof(updated));
		printf("part=%d smsc_message_id=%s state=%s updated=\"%s\"\n",
		    parts[i].part, parts[i].message_id[0] != '\0' ?
		    parts[i].message_id : "-", parts[i].state, updated);
	}
	return 0;
}

int
ctl_sms(struct ctl *ctl, int argc, char **argv)
{
	if (argc < 2) {
		return ctl_usage_lines(stderr, use_preview, use_send,
		    use_status, (const char *)NULL);
	}
	if (strcmp(argv[1], "preview") == 0)
		return sms_preview(ctl, argc - 1, argv + 1);
	if (strcmp(argv[1], "send") == 0)
		return sms_send(ctl, argc - 1, argv + 1);
	if (strcmp(argv[1], "status") == 0)
		return sms_status(ctl, argc - 1, argv + 1);
	return ctl_unknown("sms", argv[1]);
}
