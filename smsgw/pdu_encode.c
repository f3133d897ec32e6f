/*
 * pdu_encode: PDUs to the wire. Requests, bind responses and deliver_sm
 * are checked against what SMPP and libsmpp34 allow (string lengths, TON
 * and NPI) before anything is written; submit_sm and deliver_sm, the
 * responses and the header-only PDUs are written by hand, binds by
 * libsmpp34. Apart from pdu.c, whose walk and decoders meet what a peer
 * sends: nothing here reads a peer's bytes.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <event2/buffer.h>

#include <smpp34.h>
#include <smpp34_structs.h>
#include <smpp34_params.h>

#include "log.h"
#include "pdu.h"
#include "pdu_priv.h"
#include "util.h"

/*
 * smpp34_pack refuses a short_message of 254 octets (it checks length >=
 * its 254-octet field, not >), though SMPP 3.4 allows 254 and unpack takes
 * it: such a message is written by hand on the library's path too.
 */
#define LIB_PACK_SM_MAX		253

/*
 * The library's path stays as the reference the hand path is tested
 * against (pdu_encode_ref); this says which one runs. pdu.c has its own
 * for decoding.
 */
static int	 pdu_use_lib;

/*
 * Encoding.
 */

static int
enc_fail(const char **errstr, const char *why)
{
	*errstr = why;
	return -1;
}

/* A header and an optional short body, by hand: see enc_by_hand. */
static int
enc_raw(const struct pdu *p, const void *body, size_t bodylen, uint8_t *buf,
    size_t size, size_t *len)
{
	size_t	 n = PDU_HEADER_LEN + bodylen;

	if (n > size)
		return -1;
	put32(buf, (uint32_t)n);
	put32(buf + 4, p->cmd);
	put32(buf + 8, p->status);
	put32(buf + 12, p->seq);
	if (bodylen > 0)
		memcpy(buf + PDU_HEADER_LEN, body, bodylen);
	*len = n;
	return 0;
}

/* 1 when s is a terminated string of at most max - 1 characters. */
static int
str_fits(const char *s, size_t size, size_t max)
{
	size_t	 n = strnlen(s, size);

	return n < size && n < max;
}

static int
lib_pack(uint32_t cmd, void *t, uint8_t *buf, size_t size, size_t *len,
    const char **errstr)
{
	int	 n;

	if (size > INT_MAX)
		size = INT_MAX;
	if (smpp34_pack(cmd, buf, (int)size, &n, t) != 0 || n < PDU_HEADER_LEN)
		return enc_fail(errstr, "libsmpp34 could not pack the PDU");
	*len = (size_t)n;
	return 0;
}

static int
enc_addr_ok(const struct pdu_addr *a, size_t max)
{
	return lib_ton_ok(a->ton) && lib_npi_ok(a->npi) &&
	    str_fits(a->addr, sizeof(a->addr), max);
}

static int
enc_bind(const struct pdu *p, uint8_t *buf, size_t size, size_t *len,
    const char **errstr)
{
	union lib_bind	 u;

	if (!str_fits(p->system_id, sizeof(p->system_id), 16) ||
	    !str_fits(p->password, sizeof(p->password), 9) ||
	    !str_fits(p->system_type, sizeof(p->system_type), 13) ||
	    !enc_addr_ok(&p->range, 41))
		return enc_fail(errstr, "bind field too long or invalid");
	memset(&u, 0, sizeof(u));
	u.trx.command_id = p->cmd;
	u.trx.sequence_number = p->seq;
	memcpy(u.trx.system_id, p->system_id, sizeof(u.trx.system_id));
	memcpy(u.trx.password, p->password, sizeof(u.trx.password));
	memcpy(u.trx.system_type, p->system_type, sizeof(u.trx.system_type));
	u.trx.interface_version = LIB_BIND_VERSION;
	u.trx.addr_ton = p->range.ton;
	u.trx.addr_npi = p->range.npi;
	memcpy(u.trx.address_range, p->range.addr,
	    sizeof(u.trx.address_range));
	return lib_pack(p->cmd, &u, buf, size, len, errstr);
}

static int
enc_bind_resp(const struct pdu *p, uint8_t *buf, size_t size, size_t *len,
    const char **errstr)
{
	union lib_bind_resp	 u;
	tlv_t			 t;

	if (!str_fits(p->system_id, sizeof(p->system_id), 16))
		return enc_fail(errstr, "system_id too long");
	memset(&u, 0, sizeof(u));
	u.trx.command_id = p->cmd;
	u.trx.sequence_number = p->seq;
	memcpy(u.trx.system_id, p->system_id, sizeof(u.trx.system_id));
	if (p->opt & PDU_OPT_SC_VERSION) {
		memset(&t, 0, sizeof(t));
		t.tag = TLVID_sc_interface_version;
		t.length = 1;
		t.value.val08 = p->sc_interface_version;
		u.trx.tlv = &t;
	}
	return lib_pack(p->cmd, &u, buf, size, len, errstr);
}

/* payload, three SAR, USSD, ITS session, three receipt parameters */
#define ENC_MAXTLV	9

struct tlvs {
	tlv_t		 t[ENC_MAXTLV];
	int		 n;
};

static tlv_t *
tlv_add(struct tlvs *l, uint16_t tag, uint16_t len)
{
	tlv_t	*t;

	if (l->n == ENC_MAXTLV)
		fatalx("pdu: too many optional parameters to encode");
	t = &l->t[l->n];
	memset(t, 0, sizeof(*t));
	t->tag = tag;
	t->length = len;
	if (l->n > 0)
		l->t[l->n - 1].next = t;
	l->n++;
	return t;
}

static int
enc_tlvs(const struct pdu *p, struct tlvs *l, const char **errstr)
{
	tlv_t	*t;
	size_t	 n;

	l->n = 0;
	if (p->opt & PDU_OPT_PAYLOAD) {
		if (p->data_len > PDU_PAYLOAD_MAX)
			return enc_fail(errstr, "message_payload too long");
		t = tlv_add(l, TLVID_message_payload, (uint16_t)p->data_len);
		memcpy(t->value.octet, p->data, p->data_len);
	}
	if (p->opt & PDU_OPT_SAR) {
		tlv_add(l, TLVID_sar_msg_ref_num, 2)->value.val16 =
		    p->sar_msg_ref_num;
		tlv_add(l, TLVID_sar_total_segments, 1)->value.val08 =
		    p->sar_total_segments;
		tlv_add(l, TLVID_sar_segment_seqnum, 1)->value.val08 =
		    p->sar_segment_seqnum;
	}
	if (p->opt & PDU_OPT_USSD_OP)
		tlv_add(l, TLVID_ussd_service_op, 1)->value.octet[0] =
		    p->ussd_service_op;
	if (p->opt & PDU_OPT_ITS_SESSION)
		tlv_add(l, TLVID_its_session_info, 2)->value.val16 =
		    p->its_session_info;
	if (p->cmd != PDU_DELIVER_SM)
		return 0;
	/* The receipt parameters belong to deliver_sm alone. */
	if (p->opt & PDU_OPT_RECEIPTED_ID) {
		n = strnlen(p->receipted_message_id,
		    sizeof(p->receipted_message_id));
		if (n >= sizeof(p->receipted_message_id))
			return enc_fail(errstr,
			    "receipted_message_id too long");
		t = tlv_add(l, TLVID_receipted_message_id, (uint16_t)(n + 1));
		memcpy(t->value.octet, p->receipted_message_id, n + 1);
	}
	if (p->opt & PDU_OPT_MSG_STATE)
		tlv_add(l, TLVID_message_state, 1)->value.val08 =
		    p->message_state;
	if (p->opt & PDU_OPT_NET_ERROR)
		memcpy(tlv_add(l, TLVID_network_error_code, 3)->value.octet,
		    p->network_error_code, 3);
	return 0;
}

#define SM_FILL(lt, sp, tl) do {					\
	(lt)->command_id = (sp)->cmd;					\
	(lt)->sequence_number = (sp)->seq;				\
	memcpy((lt)->service_type, (sp)->service_type,			\
	    sizeof((lt)->service_type));				\
	(lt)->source_addr_ton = (sp)->src.ton;				\
	(lt)->source_addr_npi = (sp)->src.npi;				\
	memcpy((lt)->source_addr, (sp)->src.addr,			\
	    sizeof((lt)->source_addr));					\
	(lt)->dest_addr_ton = (sp)->dst.ton;				\
	(lt)->dest_addr_npi = (sp)->dst.npi;				\
	memcpy((lt)->destination_addr, (sp)->dst.addr,			\
	    sizeof((lt)->destination_addr));				\
	(lt)->esm_class = (sp)->esm_class;				\
	(lt)->protocol_id = (sp)->protocol_id;				\
	(lt)->priority_flag = (sp)->priority;				\
	memcpy((lt)->schedule_delivery_time, (sp)->schedule,		\
	    sizeof((lt)->schedule_delivery_time));			\
	memcpy((lt)->validity_period, (sp)->validity,			\
	    sizeof((lt)->validity_period));				\
	(lt)->registered_delivery = (sp)->registered_delivery;		\
	(lt)->replace_if_present_flag = (sp)->replace_if_present;	\
	(lt)->data_coding = (sp)->data_coding;				\
	(lt)->sm_default_msg_id = (sp)->sm_default_msg_id;		\
	if (!((sp)->opt & PDU_OPT_PAYLOAD)) {				\
		(lt)->sm_length = (uint8_t)(sp)->data_len;		\
		memcpy((lt)->short_message, (sp)->data, (sp)->data_len);\
	}								\
	(lt)->tlv = (tl)->n > 0 ? &(tl)->t[0] : NULL;			\
} while (0)

/* A cursor over the encoder's output; once too short it stays so. */
struct out {
	uint8_t		*b;
	size_t		 size;
	size_t		 off;
	int		 full;
};

static void
out_bytes(struct out *o, const void *v, size_t n)
{
	if (o->full || n > o->size - o->off) {
		o->full = 1;
		return;
	}
	memcpy(o->b + o->off, v, n);
	o->off += n;
}

static void
out_u8(struct out *o, uint8_t v)
{
	out_bytes(o, &v, 1);
}

static void
out_u16(struct out *o, uint16_t v)
{
	uint8_t	 b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	out_bytes(o, b, 2);
}

/* A string the caller has checked with str_fits, with its NUL. */
static void
out_cstr(struct out *o, const char *s)
{
	out_bytes(o, s, strlen(s) + 1);
}

static void
out_tlv(struct out *o, uint16_t tag, const void *v, uint16_t len)
{
	out_u16(o, tag);
	out_u16(o, len);
	out_bytes(o, v, len);
}

/*
 * The hand path: the bytes smpp34_pack writes for the struct enc_sm fills,
 * the optional parameters in enc_tlvs's order (the equivalence tests hold
 * the two together).
 */
static int
enc_sm_hand(const struct pdu *p, uint8_t *buf, size_t size, size_t *len,
    const char **errstr)
{
	struct out	 o = { buf, size, 0, 0 };
	uint8_t		 v;
	size_t		 n;
	int		 payload = (p->opt & PDU_OPT_PAYLOAD) != 0;

	if (payload && p->data_len > PDU_PAYLOAD_MAX)
		return enc_fail(errstr, "message_payload too long");
	if (p->cmd == PDU_DELIVER_SM && (p->opt & PDU_OPT_RECEIPTED_ID) &&
	    strnlen(p->receipted_message_id, sizeof(p->receipted_message_id))
	    >= sizeof(p->receipted_message_id))
		return enc_fail(errstr, "receipted_message_id too long");
	if (size < PDU_HEADER_LEN)
		return enc_fail(errstr, "buffer too small");
	put32(buf + 4, p->cmd);
	put32(buf + 8, p->status);
	put32(buf + 12, p->seq);
	o.off = PDU_HEADER_LEN;

	out_cstr(&o, p->service_type);
	out_u8(&o, p->src.ton);
	out_u8(&o, p->src.npi);
	out_cstr(&o, p->src.addr);
	out_u8(&o, p->dst.ton);
	out_u8(&o, p->dst.npi);
	out_cstr(&o, p->dst.addr);
	out_u8(&o, p->esm_class);
	out_u8(&o, p->protocol_id);
	out_u8(&o, p->priority);
	out_cstr(&o, p->schedule);
	out_cstr(&o, p->validity);
	out_u8(&o, p->registered_delivery);
	out_u8(&o, p->replace_if_present);
	out_u8(&o, p->data_coding);
	out_u8(&o, p->sm_default_msg_id);
	n = payload ? 0 : p->data_len;
	out_u8(&o, (uint8_t)n);
	out_bytes(&o, p->data, n);

	if (payload)
		out_tlv(&o, TLVID_message_payload, p->data,
		    (uint16_t)p->data_len);
	if (p->opt & PDU_OPT_SAR) {
		out_u16(&o, TLVID_sar_msg_ref_num);
		out_u16(&o, 2);
		out_u16(&o, p->sar_msg_ref_num);
		out_tlv(&o, TLVID_sar_total_segments,
		    &p->sar_total_segments, 1);
		out_tlv(&o, TLVID_sar_segment_seqnum,
		    &p->sar_segment_seqnum, 1);
	}
	if (p->opt & PDU_OPT_USSD_OP)
		out_tlv(&o, TLVID_ussd_service_op, &p->ussd_service_op, 1);
	if (p->opt & PDU_OPT_ITS_SESSION) {
		out_u16(&o, TLVID_its_session_info);
		out_u16(&o, 2);
		out_u16(&o, p->its_session_info);
	}
	/* The receipt parameters belong to deliver_sm alone. */
	if (p->cmd == PDU_DELIVER_SM) {
		if (p->opt & PDU_OPT_RECEIPTED_ID)
			out_tlv(&o, TLVID_receipted_message_id,
			    p->receipted_message_id,
			    (uint16_t)(strlen(p->receipted_message_id) + 1));
		if (p->opt & PDU_OPT_MSG_STATE) {
			v = p->message_state;
			out_tlv(&o, TLVID_message_state, &v, 1);
		}
		if (p->opt & PDU_OPT_NET_ERROR)
			out_tlv(&o, TLVID_network_error_code,
			    p->network_error_code, 3);
	}
	if (o.full)
		return enc_fail(errstr, "buffer too small");
	put32(buf, (uint32_t)o.off);
	*len = o.off;
	return 0;
}

static int
enc_sm(const struct pdu *p, uint8_t *buf, size_t size, size_t *len,
    const char **errstr)
{
	static struct tlvs	 l;	/* 9 KiB: not on the stack */
	union {
		submit_sm_t	 sub;
		deliver_sm_t	 dlv;
	}			 u;
	size_t			 timemax;

	timemax = p->cmd == PDU_SUBMIT_SM ? 17 : 1;
	if (!str_fits(p->service_type, sizeof(p->service_type), 6))
		return enc_fail(errstr, "service_type too long");
	if (!enc_addr_ok(&p->src, 21) || !enc_addr_ok(&p->dst, 21))
		return enc_fail(errstr, "address too long or bad TON/NPI");
	if (!str_fits(p->schedule, sizeof(p->schedule), timemax) ||
	    !str_fits(p->validity, sizeof(p->validity), timemax))
		return enc_fail(errstr, "bad schedule or validity time");
	if (!(p->opt & PDU_OPT_PAYLOAD) && p->data_len > PDU_SM_MAX)
		return enc_fail(errstr, "short_message too long");
	if (!pdu_use_lib || (!(p->opt & PDU_OPT_PAYLOAD) &&
	    p->data_len > LIB_PACK_SM_MAX))
		return enc_sm_hand(p, buf, size, len, errstr);
	if (enc_tlvs(p, &l, errstr) == -1)
		return -1;

	memset(&u, 0, sizeof(u));
	if (p->cmd == PDU_SUBMIT_SM)
		SM_FILL(&u.sub, p, &l);
	else
		SM_FILL(&u.dlv, p, &l);
	return lib_pack(p->cmd, &u, buf, size, len, errstr);
}

/*
 * Header-only PDUs and all responses but bind's are written by hand:
 * libsmpp34 refuses statuses outside its list (an SMSC's vendor codes) and
 * sequence 0, a generic_nack must echo whatever the peer sent, and the
 * library's per-field trace is too dear for the responses that come with
 * every message. Error responses carry no message_id.
 */
static int
enc_by_hand(const struct pdu *p, uint8_t *buf, size_t size, size_t *len,
    const char **errstr)
{
	const char	*body = "";
	size_t		 n = 0;

	switch (p->cmd) {
	case PDU_BIND_RECEIVER_RESP:
	case PDU_BIND_TRANSMITTER_RESP:
	case PDU_BIND_TRANSCEIVER_RESP:
		if (!str_fits(p->system_id, sizeof(p->system_id), 16))
			return enc_fail(errstr, "system_id too long");
		body = p->system_id;
		n = strlen(p->system_id) + 1;
		break;
	case PDU_DELIVER_SM_RESP:
		n = 1;	/* the empty message_id */
		break;
	case PDU_SUBMIT_SM_RESP:
	case PDU_DATA_SM_RESP:
		if (p->status != PDU_ROK)
			break;
		if (!str_fits(p->message_id, sizeof(p->message_id), 65))
			return enc_fail(errstr, "message_id too long");
		body = p->message_id;
		n = strlen(p->message_id) + 1;
		break;
	default:
		break;
	}
	if (enc_raw(p, body, n, buf, size, len) == -1)
		return enc_fail(errstr, "buffer too small");
	return 0;
}

int
pdu_encode(const struct pdu *p, uint8_t *buf, size_t size, size_t *len,
    const char **errstr)
{
	*errstr = NULL;
	switch (p->cmd) {
	case PDU_GENERIC_NACK:
	case PDU_ENQUIRE_LINK:
	case PDU_ENQUIRE_LINK_RESP:
	case PDU_UNBIND:
	case PDU_UNBIND_RESP:
	case PDU_SUBMIT_SM_RESP:
	case PDU_DELIVER_SM_RESP:
	case PDU_DATA_SM_RESP:
		return enc_by_hand(p, buf, size, len, errstr);
	default:
		break;
	}
	if ((p->cmd & PDU_RESP) && p->status != PDU_ROK)
		return enc_by_hand(p, buf, size, len, errstr);
	if (p->seq == 0)
		return enc_fail(errstr, "sequence number 0");
	if (!(p->cmd & PDU_RESP) && p->status != PDU_ROK)
		return enc_fail(errstr, "a request carries no status");

	switch (p->cmd) {
	case PDU_BIND_RECEIVER:
	case PDU_BIND_TRANSMITTER:
	case PDU_BIND_TRANSCEIVER:
		return enc_bind(p, buf, size, len, errstr);
	case PDU_BIND_RECEIVER_RESP:
	case PDU_BIND_TRANSMITTER_RESP:
	case PDU_BIND_TRANSCEIVER_RESP:
		return enc_bind_resp(p, buf, size, len, errstr);
	case PDU_SUBMIT_SM:
	case PDU_DELIVER_SM:
		return enc_sm(p, buf, size, len, errstr);
	default:
		return enc_fail(errstr, "no encoder for this command");
	}
}

int
pdu_encode_ref(const struct pdu *p, uint8_t *buf, size_t size, size_t *len,
    const char **errstr)
{
	int	 r;

	pdu_use_lib = 1;
	r = pdu_encode(p, buf, size, len, errstr);
	pdu_use_lib = 0;
	return r;
}

int
pdu_encode_evbuffer(const struct pdu *p, struct evbuffer *out,
    const char **errstr)
{
	uint8_t	 buf[PDU_ENCODE_MAX];
	size_t	 len;

	if (pdu_encode(p, buf, sizeof(buf), &len, errstr) == -1)
		return -1;
	if (evbuffer_add(out, buf, len) == -1)
		return enc_fail(errstr, "evbuffer_add failed");
	return 0;
}
