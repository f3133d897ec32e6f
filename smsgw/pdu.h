/*
 * pdu: SMPP 3.4 framing, decoding and encoding. The only module that sees
 * libsmpp34; the gateway and the SMSC simulator see struct pdu, plain data in
 * muni's terms, and every guard against hostile bytes lives here.
 */
#ifndef MUNI_PDU_H
#define MUNI_PDU_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct evbuffer;

#define PDU_HEADER_LEN		16
#define PDU_MAX_LEN		65536	/* longest command_length accepted */
#define PDU_MAX_TLVS		16	/* more are refused before libsmpp34 */
#define PDU_SM_MAX		254	/* short_message octets (SMPP 3.4) */
#define PDU_PAYLOAD_MAX		1024	/* message_payload octets */
#define PDU_ENCODE_MAX		2048	/* room for any PDU pdu_encode writes */
#define PDU_SEQ_MAX		0x7fffffffU

/* command_id */
#define PDU_RESP		0x80000000U
#define PDU_GENERIC_NACK	0x80000000U
#define PDU_BIND_RECEIVER	0x00000001U
#define PDU_BIND_TRANSMITTER	0x00000002U
#define PDU_SUBMIT_SM		0x00000004U
#define PDU_DELIVER_SM		0x00000005U
#define PDU_UNBIND		0x00000006U
#define PDU_BIND_TRANSCEIVER	0x00000009U
#define PDU_ENQUIRE_LINK	0x00000015U
#define PDU_DATA_SM		0x00000103U
#define PDU_BIND_RECEIVER_RESP	 (PDU_BIND_RECEIVER | PDU_RESP)
#define PDU_BIND_TRANSMITTER_RESP (PDU_BIND_TRANSMITTER | PDU_RESP)
#define PDU_SUBMIT_SM_RESP	 (PDU_SUBMIT_SM | PDU_RESP)
#define PDU_DELIVER_SM_RESP	 (PDU_DELIVER_SM | PDU_RESP)
#define PDU_UNBIND_RESP		 (PDU_UNBIND | PDU_RESP)
#define PDU_BIND_TRANSCEIVER_RESP (PDU_BIND_TRANSCEIVER | PDU_RESP)
#define PDU_ENQUIRE_LINK_RESP	 (PDU_ENQUIRE_LINK | PDU_RESP)
#define PDU_DATA_SM_RESP	 (PDU_DATA_SM | PDU_RESP)

/* command_status values muni sends or acts on */
#define PDU_ROK			0x00
#define PDU_RINVMSGLEN		0x01
#define PDU_RINVCMDLEN		0x02
#define PDU_RINVCMDID		0x03
#define PDU_RINVBNDSTS		0x04
#define PDU_RALYBND		0x05
#define PDU_RSYSERR		0x08
#define PDU_RINVSRCADR		0x0a
#define PDU_RINVDSTADR		0x0b
#define PDU_RINVMSGID		0x0c
#define PDU_RBINDFAIL		0x0d
#define PDU_RINVPASWD		0x0e
#define PDU_RINVSYSID		0x0f
#define PDU_RMSGQFUL		0x14
#define PDU_RINVSERTYP		0x15
#define PDU_RINVESMCLASS	0x43
#define PDU_RSUBMITFAIL		0x45
#define PDU_RINVSYSTYP		0x53
#define PDU_RTHROTTLED		0x58
#define PDU_RINVSCHED		0x61
#define PDU_RINVEXPIRY		0x62
#define PDU_RX_T_APPN		0x64
#define PDU_RX_P_APPN		0x65
#define PDU_RX_R_APPN		0x66
#define PDU_RINVOPTPARSTREAM	0xc0
#define PDU_ROPTPARNOTALLWD	0xc1
#define PDU_RINVPARLEN		0xc2
#define PDU_RMISSINGOPTPARAM	0xc3
#define PDU_RINVOPTPARAMVAL	0xc4
#define PDU_RDELIVERYFAILURE	0xfe
#define PDU_RUNKNOWNERR		0xff

#define PDU_TON_UNKNOWN		0
#define PDU_TON_INTERNATIONAL	1
#define PDU_TON_NATIONAL	2
#define PDU_TON_NETWORK		3
#define PDU_TON_SUBSCRIBER	4
#define PDU_TON_ALPHANUMERIC	5
#define PDU_TON_ABBREVIATED	6
#define PDU_NPI_UNKNOWN		0
#define PDU_NPI_E164		1

#define PDU_ESM_RECEIPT		0x04	/* deliver_sm: an SMSC delivery receipt */
#define PDU_ESM_TYPE_MASK	0x3c
#define PDU_ESM_UDHI		0x40	/* user data starts with a UDH */
#define PDU_REG_RECEIPT		0x01	/* registered_delivery: final receipt */

#define PDU_DCS_DEFAULT		0x00	/* GSM 03.38, one septet an octet */
#define PDU_DCS_LATIN1		0x03
#define PDU_DCS_BINARY		0x04
#define PDU_DCS_UCS2		0x08

/* ussd_service_op (DESIGN.md §4) */
#define PDU_USSD_PSSR_IND	1	/* the user dialled */
#define PDU_USSD_USSR_REQ	2	/* we ask, the session goes on */
#define PDU_USSD_PSSR_RESP	17	/* we answer and end */
#define PDU_USSD_USSR_CONF	18	/* the user answered */

/* message_state */
#define PDU_STATE_ENROUTE	1
#define PDU_STATE_DELIVERED	2
#define PDU_STATE_EXPIRED	3
#define PDU_STATE_DELETED	4
#define PDU_STATE_UNDELIVERABLE	5
#define PDU_STATE_ACCEPTED	6
#define PDU_STATE_UNKNOWN	7
#define PDU_STATE_REJECTED	8

/* Optional parameters present in a struct pdu: bits of opt. */
#define PDU_OPT_PAYLOAD		0x0001	/* data travels in message_payload */
#define PDU_OPT_USSD_OP		0x0002
#define PDU_OPT_ITS_SESSION	0x0004
#define PDU_OPT_SAR		0x0008	/* sar_msg_ref_num, _total, _seqnum */
#define PDU_OPT_RECEIPTED_ID	0x0010
#define PDU_OPT_MSG_STATE	0x0020
#define PDU_OPT_NET_ERROR	0x0040
#define PDU_OPT_SC_VERSION	0x0080

struct pdu_addr {
	uint8_t		 ton;
	uint8_t		 npi;
	char		 addr[65];	/* 21 octets except data_sm's dest */
};

/*
 * One PDU in muni's terms. Plain data without pointers, so callers keep it
 * on the stack; which fields mean something depends on cmd. Strings are
 * NUL-terminated; data holds the user data (the UDH included when esm_class
 * has PDU_ESM_UDHI) whether it came in short_message or message_payload.
 */
struct pdu {
	uint32_t	 cmd;
	uint32_t	 status;
	uint32_t	 seq;
	size_t		 len;		/* command_length */

	/* bind_*; system_id also in bind_*_resp */
	char		 system_id[16];
	char		 password[9];
	char		 system_type[13];
	uint8_t		 interface_version;
	struct pdu_addr	 range;

	/* submit_sm_resp, data_sm_resp (may be empty) */
	char		 message_id[65];

	/* submit_sm, deliver_sm, data_sm */
	char		 service_type[6];
	struct pdu_addr	 src;
	struct pdu_addr	 dst;
	uint8_t		 esm_class;
	uint8_t		 protocol_id;
	uint8_t		 priority;
	char		 schedule[17];
	char		 validity[17];
	uint8_t		 registered_delivery;
	uint8_t		 replace_if_present;
	uint8_t		 data_coding;
	uint8_t		 sm_default_msg_id;
	size_t		 data_len;
	uint8_t		 data[PDU_PAYLOAD_MAX];

	/* Optional parameters, each meaningful when its PDU_OPT_ bit is set. */
	uint32_t	 opt;
	uint8_t		 ussd_service_op;
	uint16_t	 its_session_info;
	uint16_t	 sar_msg_ref_num;
	uint8_t		 sar_total_segments;
	uint8_t		 sar_segment_seqnum;
	char		 receipted_message_id[65];
	uint8_t		 message_state;
	uint8_t		 network_error_code[3];
	uint8_t		 sc_interface_version;
	int		 ntlv;		/* optional parameters decoded */
};

/* Zero p and set its command and sequence number. */
void		 pdu_init(struct pdu *p, uint32_t cmd, uint32_t seq);
/* Zero resp as the response to req: same sequence, the given status. */
void		 pdu_init_resp(struct pdu *resp, const struct pdu *req,
		    uint32_t status);

/*
 * The next sequence number after *seq, stored back and returned:
 * 1..0x7fffffff, wrapping to 1, never 0.
 */
uint32_t	 pdu_seq_next(uint32_t *seq);

enum pdu_frame {
	PDU_FRAME_SHORT,	/* not a whole PDU yet: read more */
	PDU_FRAME_OK,		/* a whole PDU of *len bytes is at the front */
	PDU_FRAME_BROKEN,	/* command_length outside 16..64 KiB: reset */
};

/* Look at the front of a byte stream of avail bytes. */
enum pdu_frame	 pdu_frame(const uint8_t *buf, size_t avail, size_t *len);
/*
 * The same over an evbuffer. On PDU_FRAME_OK *pdu points at *len
 * contiguous bytes at the front, valid until the buffer changes; the
 * caller drains *len bytes when done with them.
 */
enum pdu_frame	 pdu_frame_evbuffer(struct evbuffer *buf,
		    const uint8_t **pdu, size_t *len);

/*
 * Decode one whole PDU as framed above into p. Returns 0, or -1 when the
 * PDU cannot be accepted though the framing is intact: the caller answers
 * generic_nack with *nack_status and p->seq and the link stays up. p->cmd
 * and p->seq are set either way; *errstr says why, for the log.
 */
int		 pdu_decode(const uint8_t *buf, size_t len, struct pdu *p,
		    uint32_t *nack_status, const char **errstr);

/*
 * Encode p into buf (PDU_ENCODE_MAX bytes always suffice); *len gets the
 * PDU's length. -1 with *errstr when p cannot be sent as it is (a field too
 * long, a TON/NPI libsmpp34 does not know, sequence 0 in a request, a
 * command without an encoder: data_sm is decoded only): nothing is ever cut
 * silently. Error responses go out without a body, bind_*_resp with
 * system_id only, deliver_sm_resp with its empty message_id.
 */
int		 pdu_encode(const struct pdu *p, uint8_t *buf, size_t size,
		    size_t *len, const char **errstr);
/*
 * The same two through libsmpp34 for submit_sm, deliver_sm and data_sm,
 * which pdu_encode and pdu_decode handle by hand: the reference the unit
 * tests and the fuzz target hold the hand path to. Not for production.
 */
int		 pdu_encode_ref(const struct pdu *p, uint8_t *buf, size_t size,
		    size_t *len, const char **errstr);
int		 pdu_decode_ref(const uint8_t *buf, size_t len, struct pdu *p,
		    uint32_t *nack_status, const char **errstr);
/* Encode p and append it to out. */
int		 pdu_encode_evbuffer(const struct pdu *p, struct evbuffer *out,
		    const char **errstr);

/*
 * Set a from a human address: "+371…" is international E.164, letters
 * make an alphanumeric sender (at most 11), up to 6 digits a short code
 * (network specific), other digits national. -1 when it fits none.
 */
int		 pdu_addr_set(struct pdu_addr *a, const char *s);
/* The address as a human writes it: "+" before international numbers. */
int		 pdu_addr_format(const struct pdu_addr *a, char *buf,
		    size_t size);

/* Octets of UDH at the front of p's data (0 when none or not whole). */
size_t		 pdu_udh_len(const struct pdu *p);

/* SMPP relative time "YYMMDDhhmmss000R" for secs from now (buf >= 17). */
int		 pdu_time_relative(char *buf, size_t size, long secs);
/* SMPP absolute time "YYMMDDhhmmss000+" in UTC (buf >= 17). */
int		 pdu_time_absolute(char *buf, size_t size, time_t t);
/* Parse either form; relative times count from now. */
int		 pdu_time_parse(const char *s, time_t now, time_t *t,
		    const char **errstr);

/* The text form of a delivery receipt (SMPP 3.4 appendix B). */
struct pdu_receipt {
	char		 id[65];
	unsigned	 sub;
	unsigned	 dlvrd;
	time_t		 submit_date;
	time_t		 done_date;
	uint8_t		 state;		/* PDU_STATE_* */
	unsigned	 err;
	char		 text[21];
};

/* "id:… sub:… dlvrd:… submit date:… done date:… stat:… err:… text:…" */
int		 pdu_receipt_format(const struct pdu_receipt *r, char *buf,
		    size_t size);
/* Parse that text as SMSCs write it; id and stat are required. */
int		 pdu_receipt_parse(const uint8_t *data, size_t len,
		    struct pdu_receipt *r, const char **errstr);

/* Names for logs: "submit_sm", "ESME_RTHROTTLED", "DELIVRD"; never NULL. */
const char	*pdu_command_name(uint32_t cmd);
const char	*pdu_status_name(uint32_t status);
const char	*pdu_state_name(uint8_t state);
/* A receipt's stat word ("DELIVRD", "UNDELIV", …) to PDU_STATE_*, 0 if none. */
uint8_t		 pdu_state_parse(const char *stat);

#endif
