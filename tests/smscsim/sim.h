/*
 * sim: what the SMSC simulator's files share. One process, one libevent
 * loop: the SMPP side (sim_smpp.c), the control channel (sim_ctl.c), the
 * phone and control clients (sim_phone.c) and small text helpers.
 */
#ifndef MUNI_SIM_H
#define MUNI_SIM_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct pdu;

/* Faults the simulator can send to a bound peer. */
enum sim_fault {
	FAULT_NONE,
	FAULT_MALFORMED,	/* deliver_sm cut inside, framing intact */
	FAULT_TLV40,		/* deliver_sm with 40 optional parameters */
	FAULT_UNKNOWN,		/* command id 0x00000666 */
	FAULT_LEN4,		/* command_length 4: broken framing */
	FAULT_LEN10M,		/* command_length 10 MB */
	FAULT_RANDOM,		/* 64 random bytes */
	FAULT_ENQUIRE,		/* an enquire_link, now */
	FAULT_UNBIND,		/* an unbind, now */
};

/* --bind-trx: SMSCs that do not take bind_transceiver. */
enum {
	BIND_TRX_OK,
	BIND_TRX_IGNORE,	/* never answered (Kannel's drive_smpp) */
	BIND_TRX_NACK,		/* generic_nack ESME_RINVCMDID */
};

struct sim_conf {
	const char	*listen;
	int		 port;
	const char	*system_id;	/* "" accepts any */
	const char	*password;
	const char	*submit_log;
	const char	*deliver_log;	/* MO and USSD sent to the ESME */
	int		 receipt_ms;	/* -1: no receipts */
	uint8_t		 receipt_state;
	unsigned	 receipt_err;
	int		 receipt_first;
	int		 receipt_id_dec;
	int		 receipt_no_tlv;
	int		 enquire_s;
	unsigned	 throttle_every;
	unsigned	 qfull_every;
	unsigned	 max_tps;
	unsigned	 drop_after;
	int		 delay_ms;
	unsigned	 withhold_after;
	int		 withhold;
	enum sim_fault	 fault;
	unsigned	 fault_every;
	unsigned	 window;	/* deliver_sm outstanding per session */
	uint64_t	 msgid_base;	/* first message id (0: 1) */
	const char	*msgid_const;	/* one id for every submit (osmo-msc) */
	int		 receipt_id_width; /* text receipt id zero-padded to */
	int		 bind_trx;	/* BIND_TRX_*: how bind_transceiver fares */
	int		 bind_rx_as_tx;	/* answer bind_receiver as osmo-msc does */
	int		 deliver_seq0;	/* deliver_sm with sequence 0 (drive_smpp) */
	int		 verbose;
	/* sim_load.c: MO at a rate, timed to the reply */
	unsigned	 inject_rate;	/* per second, 0 off */
	unsigned	 inject_count;
	const char	*inject_phones;	/* one E.164 number a line */
	const char	*inject_text;	/* keywords, comma-separated */
	const char	*inject_to;
	const char	*inject_ussd;	/* USSD steps, "*505#,1,00,0" */
	const char	*latency_log;	/* "sent_ms latency_us" per answer */
	/* SMPP over TLS on the one port (both, or neither) */
	const char	*tls_cert;	/* PEM certificate chain */
	const char	*tls_key;	/* its PEM key */
};

extern struct sim_conf		 conf;
extern struct event_base	*base;

/* sim_smpp.c */
int		 smpp_listen(const char *addr, int port, int *bound);
/* Queue MO SMS parts; returns the count or -1 with *errstr. */
int		 smpp_inject_mo(const char *from, const char *to,
		    const char *text, int ucs2, int payload,
		    const char **errstr);
/* Queue one MO part numbered seq of total (UDH, or SAR TLVs when sar). */
int		 smpp_inject_part(const char *from, const char *to,
		    unsigned ref, unsigned seq, unsigned total, int sar,
		    const char *text, const char **errstr);
/*
 * Queue a USSD deliver_sm. op < 0: 1 for "*…", else 18; session -2: the
 * number's own (a new one on op 1), -1: no its_session_info.
 */
int		 smpp_inject_ussd(const char *from, const char *text, int op,
		    long session, const char **errstr);
/* Send a fault to every bound session; returns how many got it. */
int		 smpp_fault(enum sim_fault);
int		 smpp_fault_parse(const char *, enum sim_fault *);
void		 smpp_stats(char *buf, size_t size);
/* 1: close every session and stop listening (ECONNREFUSED); 0: listen
 * again on the same port. 0 or -1. */
int		 smpp_refuse(int on);
void		 smpp_flush(void);

/* sim_load.c */
int		 load_init(void);
/* A session bound: the load starts a second later. */
void		 load_bound(void);
/* A submit_sm came: the answer to a step, if one waits for it. */
void		 load_submit(const struct pdu *);
/* The bare ESME: window submits in flight until count are answered. */
int		 client_main(const char *host, int port, unsigned window,
		    unsigned count, int receipts);

/* sim_ctl.c */
int		 ctl_listen(const char *path);
void		 ctl_stdin(void);
/* A submit_sm was accepted: show it to phones watching its number. */
void		 ctl_notify(const struct pdu *);
void		 ctl_close(void);

/* sim_phone.c */
int		 phone_main(const char *path, const char *number,
		    const char *service);
int		 ctl_client_main(const char *path, int argc, char **argv);

/* sim_text.c */
/* Hex of n bytes into buf (2n + 1); "-" when n is 0. */
void		 text_hex(const uint8_t *, size_t n, char *buf, size_t size);
/* Copy s escaping backslash, newline and other controls, for one line. */
void		 text_escape(const char *s, char *buf, size_t size);
/* Undo text_escape in place. */
void		 text_unescape(char *s);
/* The UTF-8 of a PDU's user data (after any UDH) into buf. */
void		 text_decode(const struct pdu *, char *buf, size_t size);

#endif
