/*
 * kiosk: the state of one terminal — which screen shows, the resident's
 * session (everything personal, wiped at the end) and staff mode. The
 * screens (the rows of screens.h, in screen_*.c and staff.c) call nav.c
 * and common/ only; nothing here decides anything a resident could also
 * ask by SMS.
 */
#ifndef MUNI_KIOSK_H
#define MUNI_KIOSK_H

#include <stddef.h>
#include <stdint.h>

#include "broadcast.h"
#include "card.h"
#include "cases.h"
#include "epc.h"
#include "groups.h"
#include "otp.h"
#include "pager.h"
#include "services.h"
#include "staff.h"

struct config;
struct qr;
struct speech;
struct store;

#define KIOSK_LANGS_MAX		4
#define KIOSK_TERMINAL_MAX	48
#define KIOSK_WARN_S		20	/* the idle warning counts this down */
#define KIOSK_AWAITING_MAX	100	/* broadcasts listed for approval */
#define KIOSK_STAFF_SEQ		"/*-"	/* keypad keys no resident needs */
#define KIOSK_STAFF_TRIES	3
#define KIOSK_STAFF_SUBJECT	"staff-pin"
#define KIOSK_STAFF_ID_DIGITS	9
#define KIOSK_PIN_MAX		32
#define KIOSK_OFFERS_MAX	CARD_OFFERS_MAX	/* discounts listed */

/* A screen: its row in the table (screens.h) says what it is. */
enum kiosk_screen {
	KS_WELCOME,
	KS_MENU,
	KS_IDENT_CODE,
	KS_IDENT_OTP,
	KS_QUEUE,
	KS_FEES,
	KS_FEE_QR,
	KS_TOPICS,
	KS_REPORT_CAT,
	KS_REPORT_TEXT,
	KS_REPORT_DONE,
	KS_MESSAGE,
	KS_HELP,
	KS_STAFF_PIN,
	KS_STAFF_MENU,
	KS_STAFF_GROUP,
	KS_STAFF_TOPIC,
	KS_STAFF_TEXT,
	KS_STAFF_CONFIRM,
	KS_STAFF_DASH,
	KS_STAFF_ID,		/* the staff number, with accounts */
	KS_STAFF_APPROVE,	/* broadcasts awaiting approval */
	KS_OFFERS,		/* the resident's discounts (issue 21) */
	KS_CASES,		/* the resident's reports and applications */
	KS__COUNT,
};

/*
 * A yes/no question over the current screen, before something that cannot
 * be undone: 1 is yes; 2, 0 and the left arrow are no and leave the screen
 * under it as it was.
 */
enum kiosk_ask {
	KA_NONE,
	KA_DISCARD_REPORT,	/* leave the report text typed so far */
	KA_SHUTDOWN,		/* staff: end the kiosk program */
	KA_EMERGENCY,		/* staff: the second yes to an emergency */
};

/* What a resident's visit leaves in memory; all of it is wiped. */
struct kiosk_session {
	int			 identified;
	struct services_caller	 caller;
	int64_t			 resident_id;
	char			 phone_mask[OTP_MASK_SIZE];
	/*
	 * Asked for someone who got no code (unknown, no mobile): the code
	 * screen shows all the same, and what is typed there counts as a
	 * wrong code for this lock-out subject until otp_expires.
	 */
	int			 otp_nobody;
	char			 otp_subject[OTP_SUBJECT_SIZE];
	time_t			 otp_expires;
	char			 input[SERVICES_REPORT_BYTES_MAX + 1];
	size_t			 input_len;
	struct services_queue	 queue;
	struct services_fees	 fees;
	struct services_topics	 topics;
	size_t			 fee;		/* index into fees.f */
	struct qr		*qr;		/* the fee's code, owned */
	char			 payload[EPC_PAYLOAD_SIZE];
	int			 report_cat;
	char			 sms_lang[8];	/* the resident's own, for SMS */
	char			 case_no[SERVICES_CASE_NO_SIZE];
	struct pager		 queue_pg;	/* the lists' pages (pager.h) */
	struct pager		 fees_pg;
	struct pager		 topics_pg;
	struct card_entitled	 offers[KIOSK_OFFERS_MAX];
	size_t			 noffers;
	int			 offers_more;
	struct pager		 offers_pg;
	struct cases_mine	 cases[CASES_MINE_MAX];
	size_t			 ncases;
	int			 cases_more;
	struct pager		 cases_pg;
};

/* Staff mode: the broadcast being composed and the dashboard. */
struct kiosk_staff {
	int			 in;		/* signed in */
	int			 personal;	/* accounts, not the shared PIN */
	int64_t			 id;		/* the staff number typed */
	char			 name[STAFF_NAME_MAX + 1];	/* signed in */
	char			 display[STAFF_DISPLAY_MAX + 1];
	int64_t			 awaiting[KIOSK_AWAITING_MAX];
	size_t			 nawaiting;
	/* Every group, and its size when counted this visit (-1 not yet,
	 * -2 failed); both owned, freed by nav_staff_lists_free(). */
	struct groups_info	*groups;
	int64_t			*gsize;
	size_t			 ngroups;
	size_t			 groups_cap;
	size_t			 group;
	struct pager		 group_pg;
	struct pager		 topic_pg;
	struct pager		 approve_pg;
	struct pager		 dash_pg;
	struct services_topics	 topics;
	size_t			 topic;
	char			 text[OUTBOX_TEXT_MAX + 1];
	size_t			 text_len;
	struct broadcast_preview pv;
	int			 pv_state;	/* 0 none, 1 ok, -1 error */
	char			 pv_err[BROADCAST_ERR_SIZE];
	int64_t			 pv_due_ms;	/* recompute then; 0 not due */
	int64_t			 bcast;		/* the one just sent */
	int64_t			 dash_ms;	/* last dashboard refresh */
};

struct kiosk {
	struct config		*cfg;
	struct store		*store;
	char			 terminal[KIOSK_TERMINAL_MAX];
	char			 actor[KIOSK_TERMINAL_MAX + 8];	/* kiosk:T */
	char			 langs[KIOSK_LANGS_MAX][8];
	size_t			 nlangs;
	long			 idle_s;
	struct otp_params	 otp;
	struct broadcast_params	 bp;
	struct speech		*speech;	/* speech.h, owned */

	enum kiosk_screen	 screen;
	enum kiosk_screen	 back;		/* where 0 goes from a message */
	enum kiosk_screen	 after_ident;	/* the screen asked for */
	enum kiosk_screen	 help_from;
	int			 dirty;		/* redraw before the next key */
	int			 quit;
	int64_t			 last_key_ms;
	int64_t			 warn_start_ms;	/* 0: no idle warning */
	char			 seq[sizeof(KIOSK_STAFF_SEQ)];
	size_t			 seq_len;
	char			 note[256];	/* a line under the screen's body */
	int			 note_error;
	char			 msg[512];	/* KS_MESSAGE's text */
	int			 msg_error;
	enum kiosk_ask		 ask;		/* a question over the screen */

	struct kiosk_session	 sess;
	struct kiosk_staff	 staff;
};

#endif
