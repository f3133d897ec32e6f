/*
 * pdu: SMPP 3.4 over libsmpp34, with the guards the library lacks. Every
 * PDU from a peer is walked here first (header by hand, lengths, strings,
 * optional parameters counted and sized) so that smpp34_unpack only ever
 * sees input it parses without leaking, overreading or overflowing its
 * global trace buffer; what the library is stricter about than SMPP (status
 * values, TON/NPI lists, interface_version) is relaxed in a private copy.
 * Encoding is pdu_encode.c's, SMPP's times and the receipt text
 * pdu_receipt.c's.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>

#include <smpp34.h>
#include <smpp34_structs.h>
#include <smpp34_params.h>

#include "log.h"
#include "pdu.h"
#include "pdu_priv.h"
#include "util.h"

/* The decoder's private copy, with room for the NUL libsmpp34 needs. */
static uint8_t	 pdu_copy[PDU_MAX_LEN + 1];

/*
 * submit_sm, deliver_sm and data_sm are encoded and decoded by hand: the
 * library formats a trace line per field, a fifth of the gateway's CPU per
 * message. Its path stays as the reference the hand path is tested against
 * (pdu_encode_ref, pdu_decode_ref); this says which one runs.
 */
static int	 pdu_use_lib;

void
pdu_init(struct pdu *p, uint32_t cmd, uint32_t seq)
{
	memset(p, 0, sizeof(*p));
	p->cmd = cmd;
	p->seq = seq;
}

void
pdu_init_resp(struct pdu *resp, const struct pdu *req, uint32_t status)
{
	pdu_init(resp, req->cmd | PDU_RESP, req->seq);
	resp->status = status;
}

uint32_t
pdu_seq_next(uint32_t *seq)
{
	if (*seq >= PDU_SEQ_MAX)
		*seq = 1;
	else
		(*seq)++;
	return *seq;
}

enum pdu_frame
pdu_frame(const uint8_t *buf, size_t avail, size_t *len)
{
	uint32_t	 n;

	if (avail < 4)
		return PDU_FRAME_SHORT;
	n = get32(buf);
	if (n < PDU_HEADER_LEN || n > PDU_MAX_LEN)
		return PDU_FRAME_BROKEN;
	*len = n;
	return avail >= n ? PDU_FRAME_OK : PDU_FRAME_SHORT;
}

enum pdu_frame
pdu_frame_evbuffer(struct evbuffer *buf, const uint8_t **pdu, size_t *len)
{
	uint8_t		 hdr[4];
	enum pdu_frame	 f;
	unsigned char	*p;

	if (evbuffer_copyout(buf, hdr, sizeof(hdr)) != (ev_ssize_t)sizeof(hdr))
		return PDU_FRAME_SHORT;
	if ((f = pdu_frame(hdr, evbuffer_get_length(buf), len)) != PDU_FRAME_OK)
		return f;
	if ((p = evbuffer_pullup(buf, (ev_ssize_t)*len)) == NULL)
		fatalx("evbuffer_pullup %zu bytes", *len);
	*pdu = p;
	return PDU_FRAME_OK;
}

/*
 * Names.
 */

struct pdu_name {
	uint32_t	 v;
	const char	*name;
};

static const struct pdu_name pdu_commands[] = {
	{ PDU_GENERIC_NACK, "generic_nack" },
	{ PDU_BIND_RECEIVER, "bind_receiver" },
	{ PDU_BIND_RECEIVER_RESP, "bind_receiver_resp" },
	{ PDU_BIND_TRANSMITTER, "bind_transmitter" },
	{ PDU_BIND_TRANSMITTER_RESP, "bind_transmitter_resp" },
	{ 0x00000003, "query_sm" },
	{ 0x80000003, "query_sm_resp" },
	{ PDU_SUBMIT_SM, "submit_sm" },
	{ PDU_SUBMIT_SM_RESP, "submit_sm_resp" },
	{ PDU_DELIVER_SM, "deliver_sm" },
	{ PDU_DELIVER_SM_RESP, "deliver_sm_resp" },
	{ PDU_UNBIND, "unbind" },
	{ PDU_UNBIND_RESP, "unbind_resp" },
	{ 0x00000007, "replace_sm" },
	{ 0x80000007, "replace_sm_resp" },
	{ 0x00000008, "cancel_sm" },
	{ 0x80000008, "cancel_sm_resp" },
	{ PDU_BIND_TRANSCEIVER, "bind_transceiver" },
	{ PDU_BIND_TRANSCEIVER_RESP, "bind_transceiver_resp" },
	{ 0x0000000b, "outbind" },
	{ PDU_ENQUIRE_LINK, "enquire_link" },
	{ PDU_ENQUIRE_LINK_RESP, "enquire_link_resp" },
	{ 0x00000021, "submit_multi" },
	{ 0x80000021, "submit_multi_resp" },
	{ 0x00000102, "alert_notification" },
	{ PDU_DATA_SM, "data_sm" },
	{ PDU_DATA_SM_RESP, "data_sm_resp" },
};

static const struct pdu_name pdu_statuses[] = {
	{ PDU_ROK, "ESME_ROK" },
	{ PDU_RINVMSGLEN, "ESME_RINVMSGLEN" },
	{ PDU_RINVCMDLEN, "ESME_RINVCMDLEN" },
	{ PDU_RINVCMDID, "ESME_RINVCMDID" },
	{ PDU_RINVBNDSTS, "ESME_RINVBNDSTS" },
	{ PDU_RALYBND, "ESME_RALYBND" },
	{ 0x06, "ESME_RINVPRTFLG" },
	{ 0x07, "ESME_RINVREGDLVFLG" },
	{ PDU_RSYSERR, "ESME_RSYSERR" },
	{ PDU_RINVSRCADR, "ESME_RINVSRCADR" },
	{ PDU_RINVDSTADR, "ESME_RINVDSTADR" },
	{ PDU_RINVMSGID, "ESME_RINVMSGID" },
	{ PDU_RBINDFAIL, "ESME_RBINDFAIL" },
	{ PDU_RINVPASWD, "ESME_RINVPASWD" },
	{ PDU_RINVSYSID, "ESME_RINVSYSID" },
	{ 0x11, "ESME_RCANCELFAIL" },
	{ 0x13, "ESME_RREPLACEFAIL" },
	{ PDU_RMSGQFUL, "ESME_RMSGQFUL" },
	{ PDU_RINVSERTYP, "ESME_RINVSERTYP" },
	{ 0x33, "ESME_RINVNUMDESTS" },
	{ 0x34, "ESME_RINVDLNAME" },
	{ 0x40, "ESME_RINVDESTFLAG" },
	{ 0x42, "ESME_RINVSUBREP" },
	{ PDU_RINVESMCLASS, "ESME_RINVESMCLASS" },
	{ 0x44, "ESME_RCNTSUBDL" },
	{ PDU_RSUBMITFAIL, "ESME_RSUBMITFAIL" },
	{ 0x48, "ESME_RINVSRCTON" },
	{ 0x49, "ESME_RINVSRCNPI" },
	{ 0x50, "ESME_RINVDSTTON" },
	{ 0x51, "ESME_RINVDSTNPI" },
	{ PDU_RINVSYSTYP, "ESME_RINVSYSTYP" },
	{ 0x54, "ESME_RINVREPFLAG" },
	{ 0x55, "ESME_RINVNUMMSGS" },
	{ PDU_RTHROTTLED, "ESME_RTHROTTLED" },
	{ PDU_RINVSCHED, "ESME_RINVSCHED" },
	{ PDU_RINVEXPIRY, "ESME_RINVEXPIRY" },
	{ 0x63, "ESME_RINVDFTMSGID" },
	{ PDU_RX_T_APPN, "ESME_RX_T_APPN" },
	{ PDU_RX_P_APPN, "ESME_RX_P_APPN" },
	{ PDU_RX_R_APPN, "ESME_RX_R_APPN" },
	{ 0x67, "ESME_RQUERYFAIL" },
	{ PDU_RINVOPTPARSTREAM, "ESME_RINVOPTPARSTREAM" },
	{ PDU_ROPTPARNOTALLWD, "ESME_ROPTPARNOTALLWD" },
	{ PDU_RINVPARLEN, "ESME_RINVPARLEN" },
	{ PDU_RMISSINGOPTPARAM, "ESME_RMISSINGOPTPARAM" },
	{ PDU_RINVOPTPARAMVAL, "ESME_RINVOPTPARAMVAL" },
	{ PDU_RDELIVERYFAILURE, "ESME_RDELIVERYFAILURE" },
	{ PDU_RUNKNOWNERR, "ESME_RUNKNOWNERR" },
};

/* Receipt stat words, indexed by message_state. */
static const char *pdu_states[] = {
	"UNKNOWN", "ENROUTE", "DELIVRD", "EXPIRED", "DELETED", "UNDELIV",
	"ACCEPTD", "UNKNOWN", "REJECTD",
};

static const char *
name_find(const struct pdu_name *t, size_t n, uint32_t v, const char *none)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (t[i].v == v)
			return t[i].name;
	return none;
}

const char *
pdu_command_name(uint32_t cmd)
{
	return name_find(pdu_commands, nitems(pdu_commands), cmd, "unknown");
}

const char *
pdu_status_name(uint32_t status)
{
	if (status >= 0x400 && status <= 0x4ff)
		return "ESME_VENDOR";
	return name_find(pdu_statuses, nitems(pdu_statuses), status,
	    "ESME_UNKNOWN");
}

const char *
pdu_state_name(uint8_t state)
{
	if (state >= nitems(pdu_states))
		return "UNKNOWN";
	return pdu_states[state];
}

uint8_t
pdu_state_parse(const char *stat)
{
	static const struct {
		const char	*word;
		uint8_t		 state;
	} alias[] = {
		{ "DELIVERED", PDU_STATE_DELIVERED },
		{ "UNDELIVERABLE", PDU_STATE_UNDELIVERABLE },
		{ "ACCEPTED", PDU_STATE_ACCEPTED },
		{ "REJECTED", PDU_STATE_REJECTED },
		{ "EXPIRD", PDU_STATE_EXPIRED },
	};
	size_t	 i;

	for (i = 1; i < nitems(pdu_states); i++)
		if (strcasecmp(stat, pdu_states[i]) == 0)
			return (uint8_t)i;
	for (i = 0; i < nitems(alias); i++)
		if (strcasecmp(stat, alias[i].word) == 0)
			return alias[i].state;
	return 0;
}

/*
 * The walk before libsmpp34. It reads the private copy and patches it
 * where the library would refuse what SMPP allows.
 */

struct scan {
	uint8_t		*b;
	size_t		 len;
	size_t		 off;
	uint32_t	 nack;
	const char	*why;
};

static int
scan_fail(struct scan *s, uint32_t nack, const char *why)
{
	s->nack = nack;
	s->why = why;
	return -1;
}

static int
scan_u8(struct scan *s, uint8_t *v)
{
	if (s->off >= s->len)
		return scan_fail(s, PDU_RINVCMDLEN, "body ends early");
	*v = s->b[s->off++];
	return 0;
}

/* A C-Octet string of at most max octets with its NUL. */
static int
scan_cstr(struct scan *s, size_t max, uint32_t toolong, const char *why)
{
	size_t	 left = s->len - s->off;
	uint8_t	*nul;

	nul = memchr(s->b + s->off, '\0', left < max ? left : max);
	if (nul == NULL) {
		if (left < max)
			return scan_fail(s, PDU_RINVCMDLEN,
			    "string runs past the end");
		return scan_fail(s, toolong, why);
	}
	s->off = (size_t)(nul - s->b) + 1;
	return 0;
}

/* TON and NPI are kept in a; the copy gets values the library accepts. */
static int
scan_addr(struct scan *s, struct pdu_addr *a, size_t max, uint32_t toolong,
    const char *why)
{
	if (scan_u8(s, &a->ton) == -1 || scan_u8(s, &a->npi) == -1)
		return -1;
	if (!lib_ton_ok(a->ton))
		s->b[s->off - 2] = 0;
	if (!lib_npi_ok(a->npi))
		s->b[s->off - 1] = 0;
	return scan_cstr(s, max, toolong, why);
}

/*
 * How SMPP sizes each optional parameter. libsmpp34 reads the fixed ones
 * as integers whatever their length field says (and then misreads the rest
 * of the PDU), and refuses octet strings above its own limits; the
 * library's limits are never below these.
 */
struct tlv_shape {
	uint16_t	 tag;
	uint16_t	 size;
	uint8_t		 fixed;
};

static const struct tlv_shape tlv_shapes[] = {
	{ 0x0005, 1, 1 }, { 0x0006, 1, 1 }, { 0x0007, 1, 1 },
	{ 0x0008, 2, 1 }, { 0x000d, 1, 1 }, { 0x000e, 1, 1 },
	{ 0x000f, 1, 1 }, { 0x0010, 1, 1 }, { 0x0017, 4, 1 },
	{ 0x0019, 1, 1 }, { 0x001d, 256, 0 }, { 0x001e, 65, 0 },
	{ 0x0030, 1, 1 }, { 0x0201, 1, 1 }, { 0x0202, 23, 0 },
	{ 0x0203, 23, 0 }, { 0x0204, 2, 1 }, { 0x0205, 1, 1 },
	{ 0x020a, 2, 1 }, { 0x020b, 2, 1 }, { 0x020c, 2, 1 },
	{ 0x020d, 1, 1 }, { 0x020e, 1, 1 }, { 0x020f, 1, 1 },
	{ 0x0210, 1, 1 }, { 0x0302, 1, 1 }, { 0x0303, 65, 0 },
	{ 0x0304, 1, 1 }, { 0x0381, 19, 0 }, { 0x0420, 1, 1 },
	{ 0x0421, 1, 1 }, { 0x0422, 1, 1 }, { 0x0423, 3, 0 },
	{ 0x0424, PDU_PAYLOAD_MAX, 0 }, { 0x0425, 1, 1 }, { 0x0426, 1, 1 },
	{ 0x0427, 1, 1 }, { 0x0501, 1, 1 }, { 0x1201, 1, 1 },
	{ 0x1203, 2, 1 }, { 0x1204, 1, 1 }, { 0x130c, 0, 1 },
	{ 0x1380, 1, 1 }, { 0x1383, 2, 1 },
};

static int
tlv_length_ok(uint16_t tag, uint16_t len)
{
	size_t	 i;

	for (i = 0; i < nitems(tlv_shapes); i++) {
		if (tlv_shapes[i].tag != tag)
			continue;
		if (tlv_shapes[i].fixed)
			return len == tlv_shapes[i].size;
		return len <= tlv_shapes[i].size;
	}
	return len <= MAX_TLV_SIZE;
}

/*
 * Count and size the optional parameters before libsmpp34 sees them: it
 * logs each one into a 2 KiB global buffer without bounds, so a PDU with
 * some thirty of them is a remote crash.
 */
static int
scan_tlvs(struct scan *s, int *ntlv, size_t *offs)
{
	uint16_t	 tag, len;
	int		 n = 0;

	while (s->off < s->len) {
		if (++n > PDU_MAX_TLVS)
			return scan_fail(s, PDU_RINVOPTPARSTREAM,
			    "too many optional parameters");
		if (offs != NULL)
			offs[n - 1] = s->off;
		if (s->len - s->off < 4)
			return scan_fail(s, PDU_RINVOPTPARSTREAM,
			    "optional parameter cut short");
		tag = get16(s->b + s->off);
		len = get16(s->b + s->off + 2);
		s->off += 4;
		if (len > s->len - s->off)
			return scan_fail(s, PDU_RINVOPTPARSTREAM,
			    "optional parameter runs past the end");
		if (tag == 0x0424 && len > PDU_PAYLOAD_MAX)
			return scan_fail(s, PDU_RINVMSGLEN,
			    "message_payload too long");
		if (!tlv_length_ok(tag, len))
			return scan_fail(s, PDU_RINVPARLEN,
			    "optional parameter has a bad length");
		s->off += len;
	}
	*ntlv = n;
	return 0;
}

static int
scan_end(struct scan *s)
{
	if (s->off != s->len)
		return scan_fail(s, PDU_RINVCMDLEN, "bytes after the body");
	return 0;
}

/* Copy a fixed array from libsmpp34 into a string, always terminated. */
static void
copy_str(char *dst, size_t size, const uint8_t *src, size_t srcsize)
{
	size_t	 n;

	n = strnlen((const char *)src, srcsize);
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

#define COPY_STR(dst, src) copy_str((dst), sizeof(dst), (src), sizeof(src))

/* Call libsmpp34 on the copy, the header already checked. */
static int
lib_unpack(struct scan *s, uint32_t cmd, void *t)
{
	s->b[s->len] = '\0';
	if (smpp34_unpack(cmd, t, s->b, (int)s->len) != 0)
		return scan_fail(s, PDU_RSYSERR, "libsmpp34 refused the PDU");
	return 0;
}

static int
decode_bind(struct scan *s, struct pdu *p)
{
	union lib_bind	 u;
	uint8_t		 ver;

	if (scan_cstr(s, 16, PDU_RINVSYSID, "system_id too long") == -1 ||
	    scan_cstr(s, 9, PDU_RINVPASWD, "password too long") == -1 ||
	    scan_cstr(s, 13, PDU_RINVSYSTYP, "system_type too long") == -1 ||
	    scan_u8(s, &ver) == -1)
		return -1;
	/* The library takes only 0x34; SMPP says to accept older ESMEs. */
	p->interface_version = ver;
	s->b[s->off - 1] = LIB_BIND_VERSION;
	if (scan_addr(s, &p->range, 41, PDU_RINVCMDLEN,
	    "address_range too long") == -1 || scan_end(s) == -1)
		return -1;

	/* The three bind structs are laid out alike. */
	memset(&u, 0, sizeof(u));
	if (lib_unpack(s, p->cmd, &u) == -1)
		return -1;
	COPY_STR(p->system_id, u.trx.system_id);
	COPY_STR(p->password, u.trx.password);
	COPY_STR(p->system_type, u.trx.system_type);
	COPY_STR(p->range.addr, u.trx.address_range);
	return 0;
}

static int
decode_bind_resp(struct scan *s, struct pdu *p)
{
	union lib_bind_resp	 u;
	tlv_t			*t;
	int			 ntlv;

	/* An error may come with the body or without it. */
	if (p->status != PDU_ROK || s->off == s->len) {
		if (s->off < s->len && memchr(s->b + s->off, '\0',
		    s->len - s->off) != NULL)
			copy_str(p->system_id, sizeof(p->system_id),
			    s->b + s->off, s->len - s->off);
		return 0;
	}
	if (scan_cstr(s, 16, PDU_RINVSYSID, "system_id too long") == -1 ||
	    scan_tlvs(s, &ntlv, NULL) == -1)
		return -1;

	memset(&u, 0, sizeof(u));
	if (lib_unpack(s, p->cmd, &u) == -1) {
		destroy_tlv(u.trx.tlv);
		return -1;
	}
	COPY_STR(p->system_id, u.trx.system_id);
	p->ntlv = ntlv;
	smpp34_tlv_for_each(t, u.trx.tlv) {
		if (t->tag == TLVID_sc_interface_version) {
			p->opt |= PDU_OPT_SC_VERSION;
			p->sc_interface_version = t->value.val08;
		}
	}
	destroy_tlv(u.trx.tlv);
	return 0;
}

/*
 * submit_sm_resp and data_sm_resp by hand: a message_id is all there is,
 * and libsmpp34 would cost a formatted trace line per field on the hottest
 * path. Errors come without a body (some SMSCs send an empty one); SMPP 5
 * SMSCs append optional parameters, ignored here.
 */
static int
decode_msgid_resp(struct scan *s, struct pdu *p)
{
	size_t	 start = s->off;

	if (p->status != PDU_ROK || s->off == s->len)
		return 0;
	if (scan_cstr(s, 65, PDU_RINVMSGID, "message_id too long") == -1)
		return -1;
	copy_str(p->message_id, sizeof(p->message_id), s->b + start,
	    s->off - start);
	return 0;
}

/* Take the optional parameters muni acts on from a libsmpp34 list. */
static int
take_tlvs(struct scan *s, struct pdu *p, tlv_t *list, size_t sm_len)
{
	tlv_t	*t;
	size_t	 n;

	smpp34_tlv_for_each(t, list) {
		switch (t->tag) {
		case TLVID_message_payload:
			if (sm_len > 0)
				return scan_fail(s, PDU_RINVOPTPARAMVAL,
				    "both short_message and message_payload");
			memcpy(p->data, t->value.octet, t->length);
			p->data_len = t->length;
			p->opt |= PDU_OPT_PAYLOAD;
			break;
		case TLVID_ussd_service_op:
			/* An octet string in libsmpp34's deliver_sm. */
			p->ussd_service_op = t->value.octet[0];
			p->opt |= PDU_OPT_USSD_OP;
			break;
		case TLVID_its_session_info:
			p->its_session_info = t->value.val16;
			p->opt |= PDU_OPT_ITS_SESSION;
			break;
		case TLVID_sar_msg_ref_num:
			p->sar_msg_ref_num = t->value.val16;
			p->opt |= PDU_OPT_SAR;
			break;
		case TLVID_sar_total_segments:
			p->sar_total_segments = t->value.val08;
			p->opt |= PDU_OPT_SAR;
			break;
		case TLVID_sar_segment_seqnum:
			p->sar_segment_seqnum = t->value.val08;
			p->opt |= PDU_OPT_SAR;
			break;
		case TLVID_receipted_message_id:
			n = strnlen((const char *)t->value.octet, t->length);
			if (n >= sizeof(p->receipted_message_id))
				n = sizeof(p->receipted_message_id) - 1;
			memcpy(p->receipted_message_id, t->value.octet, n);
			p->receipted_message_id[n] = '\0';
			p->opt |= PDU_OPT_RECEIPTED_ID;
			break;
		case TLVID_message_state:
			p->message_state = t->value.val08;
			p->opt |= PDU_OPT_MSG_STATE;
			break;
		case TLVID_network_error_code:
			memcpy(p->network_error_code, t->value.octet,
			    t->length);
			p->opt |= PDU_OPT_NET_ERROR;
			break;
		default:
			break;
		}
	}
	return 0;
}

/*
 * submit_sm and deliver_sm have the same fields but not the same struct
 * (libsmpp34 sizes deliver_sm's times at one octet).
 */
#define SM_COPY(p, t) do {						\
	COPY_STR((p)->service_type, (t)->service_type);			\
	COPY_STR((p)->src.addr, (t)->source_addr);			\
	COPY_STR((p)->dst.addr, (t)->destination_addr);			\
	(p)->esm_class = (t)->esm_class;				\
	(p)->protocol_id = (t)->protocol_id;				\
	(p)->priority = (t)->priority_flag;				\
	COPY_STR((p)->schedule, (t)->schedule_delivery_time);		\
	COPY_STR((p)->validity, (t)->validity_period);			\
	(p)->registered_delivery = (t)->registered_delivery;		\
	(p)->replace_if_present = (t)->replace_if_present_flag;		\
	(p)->data_coding = (t)->data_coding;				\
	(p)->sm_default_msg_id = (t)->sm_default_msg_id;		\
	(p)->data_len = (t)->sm_length;					\
	memcpy((p)->data, (t)->short_message, (t)->sm_length);		\
} while (0)

/*
 * One optional parameter from the wire into p, as take_tlvs does from the
 * library's list: the same fields, the same refusal.
 */
static int
take_tlv_raw(struct scan *s, struct pdu *p, uint16_t tag, uint16_t len,
    const uint8_t *v, size_t sm_len)
{
	size_t	 n;

	switch (tag) {
	case TLVID_message_payload:
		if (sm_len > 0)
			return scan_fail(s, PDU_RINVOPTPARAMVAL,
			    "both short_message and message_payload");
		memcpy(p->data, v, len);
		p->data_len = len;
		p->opt |= PDU_OPT_PAYLOAD;
		break;
	case TLVID_ussd_service_op:
		p->ussd_service_op = v[0];
		p->opt |= PDU_OPT_USSD_OP;
		break;
	case TLVID_its_session_info:
		p->its_session_info = get16(v);
		p->opt |= PDU_OPT_ITS_SESSION;
		break;
	case TLVID_sar_msg_ref_num:
		p->sar_msg_ref_num = get16(v);
		p->opt |= PDU_OPT_SAR;
		break;
	case TLVID_sar_total_segments:
		p->sar_total_segments = v[0];
		p->opt |= PDU_OPT_SAR;
		break;
	case TLVID_sar_segment_seqnum:
		p->sar_segment_seqnum = v[0];
		p->opt |= PDU_OPT_SAR;
		break;
	case TLVID_receipted_message_id:
		n = strnlen((const char *)v, len);
		if (n >= sizeof(p->receipted_message_id))
			n = sizeof(p->receipted_message_id) - 1;
		memcpy(p->receipted_message_id, v, n);
		p->receipted_message_id[n] = '\0';
		p->opt |= PDU_OPT_RECEIPTED_ID;
		break;
	case TLVID_message_state:
		p->message_state = v[0];
		p->opt |= PDU_OPT_MSG_STATE;
		break;
	case TLVID_network_error_code:
		memcpy(p->network_error_code, v, len);
		p->opt |= PDU_OPT_NET_ERROR;
		break;
	default:
		break;
	}
	return 0;
}

/* Where decode_sm's walk found each field in the copy. */
struct sm_at {
	size_t		 service_type, src, dst, schedule, validity, sm;
	size_t		 tlv[PDU_MAX_TLVS];
	uint8_t		 esm_class, protocol_id, priority, registered_delivery;
	uint8_t		 replace_if_present, data_coding, sm_default_msg_id;
};

/*
 * The hand path: the walk has proved every field in bounds, so this only
 * copies. libsmpp34 lists optional parameters last first and take_tlvs
 * lets the last one it sees win, so the first of two alike in the PDU
 * wins; the walk backwards keeps that.
 */
static int
fill_sm(struct scan *s, struct pdu *p, const struct sm_at *at, size_t sm_len)
{
	const uint8_t	*b = s->b;
	size_t		 off;
	int		 i;

	copy_str(p->service_type, sizeof(p->service_type),
	    b + at->service_type, s->len - at->service_type);
	copy_str(p->src.addr, sizeof(p->src.addr), b + at->src,
	    s->len - at->src);
	copy_str(p->dst.addr, sizeof(p->dst.addr), b + at->dst,
	    s->len - at->dst);
	p->esm_class = at->esm_class;
	p->registered_delivery = at->registered_delivery;
	p->data_coding = at->data_coding;
	if (p->cmd != PDU_DATA_SM) {
		p->protocol_id = at->protocol_id;
		p->priority = at->priority;
		copy_str(p->schedule, sizeof(p->schedule),
		    b + at->schedule, s->len - at->schedule);
		copy_str(p->validity, sizeof(p->validity),
		    b + at->validity, s->len - at->validity);
		p->replace_if_present = at->replace_if_present;
		p->sm_default_msg_id = at->sm_default_msg_id;
		p->data_len = sm_len;
		memcpy(p->data, b + at->sm, sm_len);
	}
	for (i = p->ntlv - 1; i >= 0; i--) {
		off = at->tlv[i];
		if (take_tlv_raw(s, p, get16(b + off), get16(b + off + 2),
		    b + off + 4, sm_len) == -1)
			return -1;
	}
	return 0;
}

static int
decode_sm(struct scan *s, struct pdu *p)
{
	union {
		submit_sm_t	 sub;
		deliver_sm_t	 dlv;
		data_sm_t	 data;
	}		 u;
	struct sm_at	 at;
	tlv_t		*list;
	size_t		 timemax, sm_len = 0;
	uint8_t		 v;
	int		 data_sm = p->cmd == PDU_DATA_SM, r;

	/*
	 * deliver_sm and data_sm carry no schedule or validity (SMPP 3.4
	 * 4.6.1), and libsmpp34 has room for none.
	 */
	timemax = p->cmd == PDU_SUBMIT_SM ? 17 : 1;
	at.service_type = s->off;
	if (scan_cstr(s, 6, PDU_RINVSERTYP, "service_type too long") == -1)
		return -1;
	at.src = s->off + 2;
	if (scan_addr(s, &p->src, 21, PDU_RINVSRCADR,
	    "source_addr too long") == -1)
		return -1;
	at.dst = s->off + 2;
	if (scan_addr(s, &p->dst, data_sm ? 65 : 21, PDU_RINVDSTADR,
	    "destination_addr too long") == -1 ||
	    scan_u8(s, &at.esm_class) == -1)
		return -1;
	if (!data_sm) {
		if (scan_u8(s, &at.protocol_id) == -1 ||
		    scan_u8(s, &at.priority) == -1)
			return -1;
		at.schedule = s->off;
		if (scan_cstr(s, timemax, PDU_RINVSCHED,
		    "bad schedule_delivery_time") == -1)
			return -1;
		at.validity = s->off;
		if (scan_cstr(s, timemax, PDU_RINVEXPIRY,
		    "bad validity_period") == -1 ||
		    scan_u8(s, &at.registered_delivery) == -1 ||
		    scan_u8(s, &at.replace_if_present) == -1 ||
		    scan_u8(s, &at.data_coding) == -1 ||
		    scan_u8(s, &at.sm_default_msg_id) == -1)
			return -1;
		if (scan_u8(s, &v) == -1)
			return -1;
		sm_len = v;
		if (sm_len > PDU_SM_MAX)
			return scan_fail(s, PDU_RINVMSGLEN,
			    "short_message too long");
		if (sm_len > s->len - s->off)
			return scan_fail(s, PDU_RINVCMDLEN,
			    "short_message runs past the end");
		at.sm = s->off;
		s->off += sm_len;
	} else if (scan_u8(s, &at.registered_delivery) == -1 ||
	    scan_u8(s, &at.data_coding) == -1)
		return -1;
	if (scan_tlvs(s, &p->ntlv, at.tlv) == -1)
		return -1;
	if (!pdu_use_lib)
		return fill_sm(s, p, &at, sm_len);

	memset(&u, 0, sizeof(u));
	r = lib_unpack(s, p->cmd, &u);
	switch (p->cmd) {
	case PDU_SUBMIT_SM:
		list = u.sub.tlv;
		if (r == 0)
			SM_COPY(p, &u.sub);
		break;
	case PDU_DELIVER_SM:
		list = u.dlv.tlv;
		if (r == 0)
			SM_COPY(p, &u.dlv);
		break;
	default:
		list = u.data.tlv;
		if (r == 0) {
			COPY_STR(p->service_type, u.data.service_type);
			COPY_STR(p->src.addr, u.data.source_addr);
			COPY_STR(p->dst.addr, u.data.destination_addr);
			p->esm_class = u.data.esm_class;
			p->registered_delivery = u.data.registered_delivery;
			p->data_coding = u.data.data_coding;
		}
		break;
	}
	if (r == 0)
		r = take_tlvs(s, p, list, sm_len);
	destroy_tlv(list);
	return r;
}

int
pdu_decode(const uint8_t *buf, size_t len, struct pdu *p,
    uint32_t *nack_status, const char **errstr)
{
	struct scan	 s;
	int		 r;

	memset(p, 0, sizeof(*p));
	*nack_status = PDU_ROK;
	*errstr = NULL;
	if (len < PDU_HEADER_LEN || len > PDU_MAX_LEN) {
		*nack_status = PDU_RINVCMDLEN;
		*errstr = "bad PDU length";
		return -1;
	}
	p->len = get32(buf);
	p->cmd = get32(buf + 4);
	p->status = get32(buf + 8);
	p->seq = get32(buf + 12);
	if (p->len != len) {
		*nack_status = PDU_RINVCMDLEN;
		*errstr = "command_length disagrees with the frame";
		return -1;
	}

	memset(&s, 0, sizeof(s));
	s.b = pdu_copy;
	s.len = len;
	s.off = PDU_HEADER_LEN;
	memcpy(s.b, buf, len);
	/*
	 * libsmpp34 refuses sequence 0 and statuses it does not list; in a
	 * request the status means nothing, and responses with an error
	 * never reach the library.
	 */
	if (p->seq == 0)
		put32(s.b + 12, 1);
	if (!(p->cmd & PDU_RESP))
		put32(s.b + 8, PDU_ROK);

	switch (p->cmd) {
	case PDU_GENERIC_NACK:
	case PDU_ENQUIRE_LINK_RESP:
	case PDU_UNBIND_RESP:
	case PDU_DELIVER_SM_RESP:
		/* Nothing in a body here is worth refusing a response. */
		r = 0;
		break;
	case PDU_ENQUIRE_LINK:
	case PDU_UNBIND:
		r = scan_end(&s);
		break;
	case PDU_BIND_RECEIVER:
	case PDU_BIND_TRANSMITTER:
	case PDU_BIND_TRANSCEIVER:
		r = decode_bind(&s, p);
		break;
	case PDU_BIND_RECEIVER_RESP:
	case PDU_BIND_TRANSMITTER_RESP:
	case PDU_BIND_TRANSCEIVER_RESP:
		r = decode_bind_resp(&s, p);
		break;
	case PDU_SUBMIT_SM_RESP:
	case PDU_DATA_SM_RESP:
		r = decode_msgid_resp(&s, p);
		break;
	case PDU_SUBMIT_SM:
	case PDU_DELIVER_SM:
	case PDU_DATA_SM:
		r = decode_sm(&s, p);
		break;
	default:
		r = scan_fail(&s, PDU_RINVCMDID, "unknown command");
		break;
	}
	if (r == -1) {
		*nack_status = s.nack;
		*errstr = s.why;
	}
	return r;
}

int
pdu_decode_ref(const uint8_t *buf, size_t len, struct pdu *p,
    uint32_t *nack_status, const char **errstr)
{
	int	 r;

	pdu_use_lib = 1;
	r = pdu_decode(buf, len, p, nack_status, errstr);
	pdu_use_lib = 0;
	return r;
}

/*
 * Addresses, UDH.
 */

static int
all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

int
pdu_addr_set(struct pdu_addr *a, const char *s)
{
	size_t	 n = strlen(s), i;

	memset(a, 0, sizeof(*a));
	if (s[0] == '+') {
		if (!all_digits(s + 1) || n - 1 > 15)
			return -1;
		a->ton = PDU_TON_INTERNATIONAL;
		a->npi = PDU_NPI_E164;
		return util_strlcpy(a->addr, s + 1, 21);
	}
	if (all_digits(s)) {
		if (n > 20)
			return -1;
		if (n <= 6) {
			a->ton = PDU_TON_NETWORK;
			a->npi = PDU_NPI_UNKNOWN;
		} else {
			/* Latvia's plan is 8 digits: longer has a country. */
			a->ton = n <= 8 ? PDU_TON_NATIONAL :
			    PDU_TON_INTERNATIONAL;
			a->npi = PDU_NPI_E164;
		}
		return util_strlcpy(a->addr, s, 21);
	}
	if (n == 0 || n > 11)
		return -1;
	for (i = 0; i < n; i++)
		if (!isprint((unsigned char)s[i]) || (s[i] & 0x80))
			return -1;
	a->ton = PDU_TON_ALPHANUMERIC;
	a->npi = PDU_NPI_UNKNOWN;
	return util_strlcpy(a->addr, s, 21);
}

int
pdu_addr_format(const struct pdu_addr *a, char *buf, size_t size)
{
	if (a->ton == PDU_TON_INTERNATIONAL && a->addr[0] != '+')
		return util_snprintf(buf, size, "+%s", a->addr);
	return util_snprintf(buf, size, "%s", a->addr);
}

size_t
pdu_udh_len(const struct pdu *p)
{
	size_t	 n;

	if (!(p->esm_class & PDU_ESM_UDHI) || p->data_len == 0)
		return 0;
	n = (size_t)p->data[0] + 1;
	return n <= p->data_len ? n : 0;
}
