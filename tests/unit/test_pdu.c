/*
 * test_pdu: SMPP framing, decoding and encoding against byte vectors written
 * by hand from the SMPP 3.4 layouts, and every guard in front of libsmpp34.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <event2/buffer.h>

#include "log.h"
#include "outbox.h"
#include "pdu.h"
#include "util.h"
#include "testlib.h"

/* libsmpp34's trace buffer, checked for headroom (see test_trace_budget). */
extern char	 smpp34_strerror[2048];

static uint8_t	 big[PDU_MAX_LEN + 64];

/* Hex with blanks between bytes as one likes; returns the length. */
static size_t
unhex(const char *hex, uint8_t *out, size_t size)
{
	size_t	 n = 0;
	int	 hi = -1, v = 0;

	for (; *hex != '\0'; hex++) {
		if (*hex == ' ' || *hex == '\n')
			continue;
		if (*hex >= '0' && *hex <= '9')
			v = *hex - '0';
		else if (*hex >= 'a' && *hex <= 'f')
			v = *hex - 'a' + 10;
		else
			fail_msg("bad hex %c", *hex);
		if (hi == -1) {
			hi = v;
			continue;
		}
		assert_true(n < size);
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	assert_int_equal(hi, -1);
	return n;
}

static void
put32(uint8_t *b, uint32_t v)
{
	b[0] = v >> 24;
	b[1] = v >> 16;
	b[2] = v >> 8;
	b[3] = v;
}

static uint32_t
get32_test(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

/* Decode hex that must decode; returns the PDU in p. */
static void
decode_ok(const char *hex, struct pdu *p)
{
	uint8_t		 buf[2048];
	size_t		 n, flen;
	uint32_t	 nack;
	const char	*err;

	n = unhex(hex, buf, sizeof(buf));
	assert_int_equal(pdu_frame(buf, n, &flen), PDU_FRAME_OK);
	assert_int_equal(flen, n);
	if (pdu_decode(buf, n, p, &nack, &err) != 0)
		fail_msg("decode refused: %s (0x%x)", err, nack);
}

/* Decode bytes that must be refused with generic_nack status want. */
static void
decode_nack(const uint8_t *buf, size_t n, uint32_t want, uint32_t seq)
{
	struct pdu	 p;
	uint32_t	 nack;
	const char	*err;

	if (pdu_decode(buf, n, &p, &nack, &err) != -1)
		fail_msg("accepted %s of %zu bytes, wanted nack 0x%x",
		    pdu_command_name(p.cmd), n, want);
	assert_non_null(err);
	assert_int_equal(nack, want);
	assert_int_equal(p.seq, seq);
}

static void
encode_eq(const struct pdu *p, const char *hex)
{
	uint8_t		 want[2048], got[PDU_ENCODE_MAX];
	size_t		 n, len;
	const char	*err;

	n = unhex(hex, want, sizeof(want));
	if (pdu_encode(p, got, sizeof(got), &len, &err) != 0)
		fail_msg("encode refused: %s", err);
	assert_int_equal(len, n);
	assert_memory_equal(got, want, n);
}

/*
 * Vectors. Header: command_length, command_id, command_status,
 * sequence_number, four octets each, big-endian.
 */
#define BIND_TRX \
	"00000021 00000009 00000000 00000001" \
	"6d756e6900"		/* system_id "muni" */ \
	"73656372657400"	/* password "secret" */ \
	"00"			/* system_type "" */ \
	"34 00 00"		/* interface_version, addr_ton, addr_npi */ \
	"00"			/* address_range "" */

#define BIND_TRX_RESP \
	"0000001d 80000009 00000000 00000001" \
	"736d736373696d00"	/* system_id "smscsim" */ \
	"0210 0001 34"		/* sc_interface_version */

#define SUBMIT_SM \
	"00000046 00000004 00000000 00000002" \
	"00"			/* service_type */ \
	"05 00 4d554e4900"	/* source: alphanumeric "MUNI" */ \
	"01 01 333731323030303030303100" /* dest: +37120000001 */ \
	"00 00 00"		/* esm_class, protocol_id, priority */ \
	"00"			/* schedule_delivery_time */ \
	"30303030303030303035303030303052 00" /* validity 5 min */ \
	"01 00 00 00"		/* registered_delivery .. sm_default_msg_id */ \
	"06 53 76 65 69 6b 69"	/* sm_length 6, "Sveiki" */

#define RECEIPT \
	"000000a6 00000005 00000000 00000007" \
	"00" \
	"01 01 333731323030303030303100" \
	"05 00 4d554e4900" \
	"04 00 00"		/* esm_class: SMSC delivery receipt */ \
	"00 00" \
	"00 00 00 00" \
	"64"			/* sm_length 100 */ \
	"69643a303030303030326120737562" /* id:0000002a sub */ \
	"3a30303120646c7672643a30303120" /* :001 dlvrd:001  */ \
	"7375626d697420646174653a323431" /* submit date:241 */ \
	"3030313132303020646f6e65206461" /* 0011200 done da */ \
	"74653a323431303031313230312073" /* te:2410011201 s */ \
	"7461743a44454c4956524420657272" /* tat:DELIVRD err */ \
	"3a30303020746578743a" /* :000 text: */ \
	"001e 0009 303030303030326100"	/* receipted_message_id */ \
	"0427 0001 02"			/* message_state DELIVERED */

#define SUBMIT_LEN	0x46

#define USSD \
	"00000043 00000005 00000000 00000009" \
	"5553534400"		/* service_type "USSD" */ \
	"01 01 333731323030303030303100" \
	"00 00 35303500"	/* dest "505" */ \
	"00 00 00" \
	"00 00" \
	"00 00 00 00" \
	"05 2a 35 30 35 23"	/* "*505#" */ \
	"0501 0001 01"		/* ussd_service_op PSSR indication */ \
	"1383 0002 0102"	/* its_session_info */

static void
test_seq_wrap(void **state)
{
	uint32_t	 seq = 0;

	(void)state;
	assert_int_equal(pdu_seq_next(&seq), 1);
	assert_int_equal(pdu_seq_next(&seq), 2);
	seq = PDU_SEQ_MAX - 1;
	assert_int_equal(pdu_seq_next(&seq), PDU_SEQ_MAX);
	assert_int_equal(pdu_seq_next(&seq), 1);
	seq = 0xffffffffU;	/* garbage in: still never 0 */
	assert_int_equal(pdu_seq_next(&seq), 1);
}

static void
test_frame(void **state)
{
	uint8_t		 b[64];
	size_t		 len = 0;

	(void)state;
	memset(b, 0, sizeof(b));
	assert_int_equal(pdu_frame(b, 3, &len), PDU_FRAME_SHORT);
	put32(b, 4);
	assert_int_equal(pdu_frame(b, 16, &len), PDU_FRAME_BROKEN);
	put32(b, 15);
	assert_int_equal(pdu_frame(b, 16, &len), PDU_FRAME_BROKEN);
	put32(b, 10 * 1024 * 1024);
	assert_int_equal(pdu_frame(b, 16, &len), PDU_FRAME_BROKEN);
	put32(b, PDU_MAX_LEN + 1);
	assert_int_equal(pdu_frame(b, 16, &len), PDU_FRAME_BROKEN);
	put32(b, PDU_MAX_LEN);
	assert_int_equal(pdu_frame(b, 64, &len), PDU_FRAME_SHORT);
	put32(b, 16);
	assert_int_equal(pdu_frame(b, 16, &len), PDU_FRAME_OK);
	assert_int_equal(len, 16);
	put32(b, 20);
	assert_int_equal(pdu_frame(b, 19, &len), PDU_FRAME_SHORT);
	assert_int_equal(pdu_frame(b, 64, &len), PDU_FRAME_OK);
	assert_int_equal(len, 20);
}

/* Two PDUs dribbled into an evbuffer a byte at a time. */
static void
test_frame_evbuffer(void **state)
{
	struct evbuffer	*eb;
	uint8_t		 buf[256];
	const uint8_t	*pdu;
	size_t		 n, i, len, got = 0;
	struct pdu	 p;
	uint32_t	 nack;
	const char	*err;
	enum pdu_frame	 f;

	(void)state;
	n = unhex(BIND_TRX "00000010 00000015 00000000 00000002", buf,
	    sizeof(buf));
	assert_non_null(eb = evbuffer_new());
	for (i = 0; i < n; i++) {
		assert_int_equal(evbuffer_add(eb, buf + i, 1), 0);
		while ((f = pdu_frame_evbuffer(eb, &pdu, &len)) ==
		    PDU_FRAME_OK) {
			assert_int_equal(pdu_decode(pdu, len, &p, &nack, &err),
			    0);
			assert_int_equal(p.cmd, got == 0 ?
			    PDU_BIND_TRANSCEIVER : PDU_ENQUIRE_LINK);
			assert_int_equal(evbuffer_drain(eb, len), 0);
			got++;
		}
		assert_int_equal(f, PDU_FRAME_SHORT);
	}
	assert_int_equal(got, 2);
	memset(buf, 0, 16);
	put32(buf, 4);
	assert_int_equal(evbuffer_add(eb, buf, 16), 0);
	assert_int_equal(pdu_frame_evbuffer(eb, &pdu, &len), PDU_FRAME_BROKEN);
	evbuffer_free(eb);
}

static void
test_bind(void **state)
{
	struct pdu	 p, r;

	(void)state;
	decode_ok(BIND_TRX, &p);
	assert_int_equal(p.cmd, PDU_BIND_TRANSCEIVER);
	assert_int_equal(p.seq, 1);
	assert_string_equal(p.system_id, "muni");
	assert_string_equal(p.password, "secret");
	assert_string_equal(p.system_type, "");
	assert_int_equal(p.interface_version, 0x34);
	encode_eq(&p, BIND_TRX);

	decode_ok(BIND_TRX_RESP, &r);
	assert_int_equal(r.cmd, PDU_BIND_TRANSCEIVER_RESP);
	assert_int_equal(r.status, PDU_ROK);
	assert_string_equal(r.system_id, "smscsim");
	assert_true(r.opt & PDU_OPT_SC_VERSION);
	assert_int_equal(r.sc_interface_version, 0x34);
	encode_eq(&r, BIND_TRX_RESP);

	/* Built from scratch, the bind comes out byte for byte. */
	pdu_init(&p, PDU_BIND_TRANSCEIVER, 1);
	assert_int_equal(util_strlcpy(p.system_id, "muni",
	    sizeof(p.system_id)), 0);
	assert_int_equal(util_strlcpy(p.password, "secret",
	    sizeof(p.password)), 0);
	encode_eq(&p, BIND_TRX);
}

/* Peers libsmpp34 alone would refuse: version 3.3, odd NPI, seq 0. */
static void
test_bind_lenient(void **state)
{
	struct pdu	 p;

	(void)state;
	decode_ok("00000021 00000002 00000000 00000000"
	    "6d756e6900 73656372657400 00" "33 07 05" "00", &p);
	assert_int_equal(p.cmd, PDU_BIND_TRANSMITTER);
	assert_int_equal(p.seq, 0);
	assert_int_equal(p.interface_version, 0x33);
	assert_int_equal(p.range.ton, 7);
	assert_int_equal(p.range.npi, 5);
	assert_string_equal(p.system_id, "muni");
	/* A bind_receiver with a junk status in the request. */
	decode_ok("00000021 00000001 12345678 00000003"
	    "6d756e6900 73656372657400 00" "34 00 00" "00", &p);
	assert_int_equal(p.cmd, PDU_BIND_RECEIVER);
}

/* Error responses without a body, and one with, and a vendor status. */
static void
test_error_responses(void **state)
{
	struct pdu	 p, q;

	(void)state;
	decode_ok("00000010 80000009 0000000e 00000001", &p);
	assert_int_equal(p.cmd, PDU_BIND_TRANSCEIVER_RESP);
	assert_int_equal(p.status, PDU_RINVPASWD);
	assert_string_equal(p.system_id, "");

	decode_ok("00000010 80000004 00000058 00000005", &p);
	assert_int_equal(p.cmd, PDU_SUBMIT_SM_RESP);
	assert_int_equal(p.status, PDU_RTHROTTLED);
	assert_string_equal(p.message_id, "");
	encode_eq(&p, "00000010 80000004 00000058 00000005");

	decode_ok("00000011 80000004 00000014 00000006 00", &p);
	assert_int_equal(p.status, PDU_RMSGQFUL);

	decode_ok("00000010 80000004 00000401 00000007", &p);
	assert_int_equal(p.status, 0x401);
	assert_string_equal(pdu_status_name(p.status), "ESME_VENDOR");
	encode_eq(&p, "00000010 80000004 00000401 00000007");

	/* bind_resp error by hand keeps system_id; deliver_sm_resp its NUL. */
	pdu_init(&q, PDU_BIND_TRANSCEIVER, 9);
	pdu_init_resp(&p, &q, PDU_RINVPASWD);
	assert_int_equal(util_strlcpy(p.system_id, "sim",
	    sizeof(p.system_id)), 0);
	encode_eq(&p, "00000014 80000009 0000000e 00000009 73696d00");
	pdu_init(&q, PDU_DELIVER_SM, 0x7fffffff);
	pdu_init_resp(&p, &q, PDU_RX_T_APPN);
	encode_eq(&p, "00000011 80000005 00000064 7fffffff 00");
	pdu_init_resp(&p, &q, PDU_ROK);
	encode_eq(&p, "00000011 80000005 00000000 7fffffff 00");
}

static void
test_header_only(void **state)
{
	struct pdu	 p;

	(void)state;
	decode_ok("00000010 00000015 00000000 0000002a", &p);
	assert_int_equal(p.cmd, PDU_ENQUIRE_LINK);
	assert_int_equal(p.seq, 42);
	encode_eq(&p, "00000010 00000015 00000000 0000002a");
	decode_ok("00000010 80000015 00000000 0000002a", &p);
	assert_int_equal(p.cmd, PDU_ENQUIRE_LINK_RESP);
	decode_ok("00000010 00000006 00000000 00000003", &p);
	assert_int_equal(p.cmd, PDU_UNBIND);
	encode_eq(&p, "00000010 00000006 00000000 00000003");
	decode_ok("00000010 80000006 00000000 00000003", &p);
	assert_int_equal(p.cmd, PDU_UNBIND_RESP);
	decode_ok("00000010 80000000 00000003 00000000", &p);
	assert_int_equal(p.cmd, PDU_GENERIC_NACK);
	assert_int_equal(p.status, PDU_RINVCMDID);
	/* A nack echoes the peer's sequence, even 0. */
	pdu_init(&p, PDU_GENERIC_NACK, 0);
	p.status = PDU_RINVCMDID;
	encode_eq(&p, "00000010 80000000 00000003 00000000");
}

static void
test_submit(void **state)
{
	struct pdu	 p, r;
	time_t		 t;
	const char	*err;
	char		 a[32];

	(void)state;
	decode_ok(SUBMIT_SM, &p);
	assert_int_equal(p.cmd, PDU_SUBMIT_SM);
	assert_int_equal(p.seq, 2);
	assert_int_equal(p.src.ton, PDU_TON_ALPHANUMERIC);
	assert_string_equal(p.src.addr, "MUNI");
	assert_int_equal(p.dst.ton, PDU_TON_INTERNATIONAL);
	assert_int_equal(p.dst.npi, PDU_NPI_E164);
	assert_int_equal(pdu_addr_format(&p.dst, a, sizeof(a)), 0);
	assert_string_equal(a, "+37120000001");
	assert_string_equal(p.validity, "000000000500000R");
	assert_int_equal(pdu_time_parse(p.validity, 1000, &t, &err), 0);
	assert_int_equal(t, 1300);
	assert_int_equal(p.registered_delivery, PDU_REG_RECEIPT);
	assert_int_equal(p.data_len, 6);
	assert_memory_equal(p.data, "Sveiki", 6);
	assert_int_equal(p.ntlv, 0);
	encode_eq(&p, SUBMIT_SM);

	pdu_init_resp(&r, &p, PDU_ROK);
	assert_int_equal(util_strlcpy(r.message_id, "0000002a",
	    sizeof(r.message_id)), 0);
	encode_eq(&r, "00000019 80000004 00000000 00000002 303030303030326100");
	decode_ok("00000019 80000004 00000000 00000002 303030303030326100",
	    &r);
	assert_string_equal(r.message_id, "0000002a");
	/* An SMPP 5 SMSC's extra optional parameter is ignored. */
	decode_ok("0000001e 80000004 00000000 00000002 303030303030326100"
	    "0425 0001 00", &r);
	assert_string_equal(r.message_id, "0000002a");
	/* OK without a body: accepted, no id. */
	decode_ok("00000010 80000004 00000000 00000002", &r);
	assert_string_equal(r.message_id, "");
}

static void
test_receipt_pdu(void **state)
{
	struct pdu		 p;
	struct pdu_receipt	 r;
	const char		*err;

	(void)state;
	decode_ok(RECEIPT, &p);
	assert_int_equal(p.cmd, PDU_DELIVER_SM);
	assert_int_equal(p.esm_class & PDU_ESM_TYPE_MASK, PDU_ESM_RECEIPT);
	assert_true(p.opt & PDU_OPT_RECEIPTED_ID);
	assert_string_equal(p.receipted_message_id, "0000002a");
	assert_true(p.opt & PDU_OPT_MSG_STATE);
	assert_int_equal(p.message_state, PDU_STATE_DELIVERED);
	assert_int_equal(p.ntlv, 2);
	assert_int_equal(pdu_receipt_parse(p.data, p.data_len, &r, &err), 0);
	assert_string_equal(r.id, "0000002a");
	assert_int_equal(r.state, PDU_STATE_DELIVERED);
	assert_int_equal(r.sub, 1);
	assert_int_equal(r.dlvrd, 1);
	assert_int_equal(r.err, 0);
	assert_string_equal(r.text, "");
	assert_int_equal(r.done_date - r.submit_date, 60);
	encode_eq(&p, RECEIPT);
}

static void
test_ussd(void **state)
{
	struct pdu	 p, q;
	uint8_t		 buf[PDU_ENCODE_MAX];
	size_t		 len;
	uint32_t	 nack;
	const char	*err;

	(void)state;
	decode_ok(USSD, &p);
	assert_string_equal(p.service_type, "USSD");
	assert_true(p.opt & PDU_OPT_USSD_OP);
	assert_int_equal(p.ussd_service_op, PDU_USSD_PSSR_IND);
	assert_true(p.opt & PDU_OPT_ITS_SESSION);
	assert_int_equal(p.its_session_info, 0x0102);
	assert_string_equal(p.dst.addr, "505");
	assert_int_equal(p.data_len, 5);
	assert_memory_equal(p.data, "*505#", 5);

	/* A reply goes out as submit_sm with the same two parameters. */
	pdu_init(&q, PDU_SUBMIT_SM, 10);
	assert_int_equal(util_strlcpy(q.service_type, "USSD",
	    sizeof(q.service_type)), 0);
	q.src = p.dst;
	q.dst = p.src;
	q.opt = PDU_OPT_USSD_OP | PDU_OPT_ITS_SESSION;
	q.ussd_service_op = PDU_USSD_USSR_REQ;
	q.its_session_info = p.its_session_info;
	memcpy(q.data, "1 Rinda\n2 Nodokli", 17);
	q.data_len = 17;
	assert_int_equal(pdu_encode(&q, buf, sizeof(buf), &len, &err), 0);
	assert_int_equal(pdu_decode(buf, len, &p, &nack, &err), 0);
	assert_int_equal(p.ussd_service_op, PDU_USSD_USSR_REQ);
	assert_int_equal(p.its_session_info, 0x0102);
	assert_string_equal(p.service_type, "USSD");
	assert_int_equal(p.data_len, 17);
}

/* Concatenated parts with a UDH, and a long text in message_payload. */
static void
test_submit_roundtrip(void **state)
{
	struct pdu	 p, q;
	uint8_t		 buf[PDU_ENCODE_MAX];
	size_t		 len, i;
	uint32_t	 nack;
	const char	*err;

	(void)state;
	pdu_init(&p, PDU_SUBMIT_SM, 77);
	assert_int_equal(pdu_addr_set(&p.src, "Dobele"), 0);
	assert_int_equal(p.src.ton, PDU_TON_ALPHANUMERIC);
	assert_int_equal(pdu_addr_set(&p.dst, "+37129999999"), 0);
	p.esm_class = PDU_ESM_UDHI;
	p.data_coding = PDU_DCS_UCS2;
	p.registered_delivery = PDU_REG_RECEIPT;
	assert_int_equal(pdu_time_absolute(p.validity, sizeof(p.validity),
	    1700000000), 0);
	assert_string_equal(p.validity, "231114221320000+");
	memcpy(p.data, "\x05\x00\x03\x2a\x02\x01", 6);
	for (i = 6; i < 140; i++)
		p.data[i] = (uint8_t)i;
	p.data_len = 140;
	assert_int_equal(pdu_encode(&p, buf, sizeof(buf), &len, &err), 0);
	assert_int_equal(pdu_decode(buf, len, &q, &nack, &err), 0);
	assert_int_equal(pdu_udh_len(&q), 6);
	assert_int_equal(q.esm_class, PDU_ESM_UDHI);
	assert_int_equal(q.data_coding, PDU_DCS_UCS2);
	assert_int_equal(q.data_len, 140);
	assert_memory_equal(q.data, p.data, 140);
	assert_string_equal(q.validity, "231114221320000+");
	assert_string_equal(q.src.addr, "Dobele");
	assert_string_equal(q.dst.addr, "37129999999");

	pdu_init(&p, PDU_SUBMIT_SM, 78);
	assert_int_equal(pdu_addr_set(&p.src, "1188"), 0);
	assert_int_equal(p.src.ton, PDU_TON_NETWORK);
	assert_int_equal(pdu_addr_set(&p.dst, "20000001"), 0);
	assert_int_equal(p.dst.ton, PDU_TON_NATIONAL);
	p.opt = PDU_OPT_PAYLOAD | PDU_OPT_SAR;
	p.sar_msg_ref_num = 0x1234;
	p.sar_total_segments = 3;
	p.sar_segment_seqnum = 2;
	for (i = 0; i < PDU_PAYLOAD_MAX; i++)
		p.data[i] = (uint8_t)('a' + i % 26);
	p.data_len = PDU_PAYLOAD_MAX;
	assert_int_equal(pdu_encode(&p, buf, sizeof(buf), &len, &err), 0);
	assert_int_equal(pdu_decode(buf, len, &q, &nack, &err), 0);
	assert_true(q.opt & PDU_OPT_PAYLOAD);
	assert_int_equal(q.data_len, PDU_PAYLOAD_MAX);
	assert_memory_equal(q.data, p.data, PDU_PAYLOAD_MAX);
	assert_true(q.opt & PDU_OPT_SAR);
	assert_int_equal(q.sar_msg_ref_num, 0x1234);
	assert_int_equal(q.sar_total_segments, 3);
	assert_int_equal(q.sar_segment_seqnum, 2);
	assert_int_equal(q.ntlv, 4);
}

static void
test_encode_refuses(void **state)
{
	struct pdu	 p;
	uint8_t		 buf[PDU_ENCODE_MAX];
	size_t		 len;
	const char	*err;

	(void)state;
	pdu_init(&p, PDU_SUBMIT_SM, 1);
	p.data_len = PDU_SM_MAX + 1;
	assert_int_equal(pdu_encode(&p, buf, sizeof(buf), &len, &err), -1);
	p.data_len = PDU_SM_MAX;
	assert_int_equal(pdu_encode(&p, buf, sizeof(buf), &len, &err), 0);
	p.opt = PDU_OPT_PAYLOAD;
	p.data_len = PDU_PAYLOAD_MAX + 1;
	assert_int_equal(pdu_encode(&p, buf, sizeof(buf), &len, &err), -1);
	p.data_len = 1;
	p.seq = 0;
	assert_int_equal(pdu_encode(&p, buf, sizeof(buf), &len, &err), -1);
	p.seq = 1;
	/* 21 characters do not fit an address; nothing is cut silently. */
	memset(p.dst.addr, '1', 21);
	assert_int_equal(pdu_encode(&p, buf, sizeof(buf), &len, &err), -1);
	p.dst.addr[20] = '\0';
	assert_int_equal(pdu_encode(&p, buf, sizeof(buf), &len, &err), 0);
	p.dst.ton = 7;
	assert_int_equal(pdu_encode(&p, buf, sizeof(buf), &len, &err), -1);
	p.dst.ton = 1;
	assert_int_equal(pdu_encode(&p, buf, 20, &len, &err), -1);
	p.cmd = 0x666;
	assert_int_equal(pdu_encode(&p, buf, sizeof(buf), &len, &err), -1);
	/* deliver_sm carries no times in libsmpp34 (nor in SMPP). */
	pdu_init(&p, PDU_DELIVER_SM, 1);
	assert_int_equal(util_strlcpy(p.validity, "000000000500000R",
	    sizeof(p.validity)), 0);
	assert_int_equal(pdu_encode(&p, buf, sizeof(buf), &len, &err), -1);
	assert_int_equal(pdu_addr_set(&p.dst, "+3712"), 0);
	assert_int_equal(pdu_addr_set(&p.dst, "Pasvaldiba12"), -1);
	assert_int_equal(pdu_addr_set(&p.dst, ""), -1);
	assert_int_equal(pdu_addr_set(&p.dst, "+37A"), -1);
}

/* Framing intact, body bad: generic_nack, and the link stays. */
static void
test_guards(void **state)
{
	uint8_t		 buf[2048];
	size_t		 n, i;

	(void)state;
	/* Unknown command id. */
	n = unhex("00000010 00000666 00000000 00000031", buf, sizeof(buf));
	decode_nack(buf, n, PDU_RINVCMDID, 0x31);
	/* query_sm is SMPP but not muni's. */
	n = unhex("00000014 00000003 00000000 00000032 41420000", buf,
	    sizeof(buf));
	decode_nack(buf, n, PDU_RINVCMDID, 0x32);

	/* The submit_sm cut inside destination_addr. */
	n = unhex(SUBMIT_SM, buf, sizeof(buf));
	put32(buf, 30);
	decode_nack(buf, 30, PDU_RINVCMDLEN, 2);
	/* ... and just before sm_length. */
	put32(buf, SUBMIT_LEN - 7);
	decode_nack(buf, SUBMIT_LEN - 7, PDU_RINVCMDLEN, 2);
	/* ... and inside short_message. */
	put32(buf, SUBMIT_LEN - 1);
	decode_nack(buf, SUBMIT_LEN - 1, PDU_RINVCMDLEN, 2);
	/* A frame whose header disagrees with it. */
	put32(buf, SUBMIT_LEN);
	decode_nack(buf, SUBMIT_LEN - 1, PDU_RINVCMDLEN, 2);
	/* Shorter than a header at all. */
	decode_nack(buf, 4, PDU_RINVCMDLEN, 0);

	/*
	 * short_message of 255 octets: more than SMPP 3.4 allows. 254 is
	 * SMPP's limit and is taken, by the hand decoder and libsmpp34's
	 * (issue 22: 254 was refused).
	 */
	n = unhex(SUBMIT_SM, buf, sizeof(buf));
	n -= 7;
	buf[n++] = 255;
	memset(buf + n, 'x', 255);
	n += 255;
	put32(buf, (uint32_t)n);
	decode_nack(buf, n, PDU_RINVMSGLEN, 2);
	buf[SUBMIT_LEN - 7] = 254;
	n--;
	put32(buf, (uint32_t)n);
	{
		struct pdu	 p;
		uint8_t		 out[PDU_ENCODE_MAX];
		size_t		 olen;
		uint32_t	 nack;
		const char	*err;

		assert_int_equal(pdu_decode(buf, n, &p, &nack, &err), 0);
		assert_int_equal(p.data_len, 254);
		assert_int_equal(pdu_decode_ref(buf, n, &p, &nack, &err), 0);
		assert_int_equal(p.data_len, 254);
		/* And it goes out again as it came, on both paths. */
		assert_int_equal(pdu_encode(&p, out, sizeof(out), &olen,
		    &err), 0);
		assert_int_equal(olen, n);
		assert_memory_equal(out, buf, n);
		assert_int_equal(pdu_encode_ref(&p, out, sizeof(out), &olen,
		    &err), 0);
		assert_int_equal(olen, n);
		assert_memory_equal(out, buf, n);
	}

	/* message_payload of 1025 octets. */
	n = unhex(SUBMIT_SM, buf, sizeof(buf));
	n -= 7;
	n += unhex("00 0424 0401", buf + n, 5);
	memset(buf + n, 'y', 1025);
	n += 1025;
	put32(buf, (uint32_t)n);
	decode_nack(buf, n, PDU_RINVMSGLEN, 2);

	/* Both short_message and message_payload. */
	n = unhex(SUBMIT_SM "0424 0002 6869", buf, sizeof(buf));
	put32(buf, (uint32_t)n);
	decode_nack(buf, n, PDU_RINVOPTPARAMVAL, 2);

	/* A fixed-size parameter with the wrong length would shift the rest. */
	n = unhex(SUBMIT_SM "020c 0001 01", buf, sizeof(buf));
	put32(buf, (uint32_t)n);
	decode_nack(buf, n, PDU_RINVPARLEN, 2);
	n = unhex(USSD, buf, sizeof(buf));
	n = unhex(USSD "0501 0002 0101", buf, sizeof(buf));
	put32(buf, (uint32_t)n);
	decode_nack(buf, n, PDU_RINVPARLEN, 9);

	/* A parameter running past the end, and a half header. */
	n = unhex(SUBMIT_SM "1400 0010 01", buf, sizeof(buf));
	put32(buf, (uint32_t)n);
	decode_nack(buf, n, PDU_RINVOPTPARSTREAM, 2);
	n = unhex(SUBMIT_SM "14", buf, sizeof(buf));
	put32(buf, (uint32_t)n);
	decode_nack(buf, n, PDU_RINVOPTPARSTREAM, 2);

	/* Forty optional parameters: refused before libsmpp34 sees them. */
	n = unhex(RECEIPT, buf, sizeof(buf));
	for (i = 0; i < 38; i++)
		n += unhex("1401 0002 abcd", buf + n, 6);
	put32(buf, (uint32_t)n);
	decode_nack(buf, n, PDU_RINVOPTPARSTREAM, 7);

	/* A string with no NUL before the end of the PDU. */
	n = unhex("00000016 00000009 00000000 00000004 6d756e697878", buf,
	    sizeof(buf));
	decode_nack(buf, n, PDU_RINVCMDLEN, 4);
	/* A system_id of 16 characters. */
	n = unhex("00000030 00000009 00000000 00000005"
	    "3030303030303030303030303030303000 00 00 34 00 00 00", buf,
	    sizeof(buf));
	put32(buf, (uint32_t)n);
	decode_nack(buf, n, PDU_RINVSYSID, 5);
	/* Trailing bytes after a bind. */
	n = unhex(BIND_TRX "00", buf, sizeof(buf));
	put32(buf, (uint32_t)n);
	decode_nack(buf, n, PDU_RINVCMDLEN, 1);
	/* enquire_link with a body. */
	n = unhex("00000011 00000015 00000000 00000006 00", buf, sizeof(buf));
	decode_nack(buf, n, PDU_RINVCMDLEN, 6);
	/* deliver_sm with a validity period. */
	n = unhex("00000030 00000005 00000000 00000008"
	    "00 0000 00 0000 00 000000 00" "3030303030303030303030303030303000"
	    "00 00 00 00 00", buf, sizeof(buf));
	put32(buf, (uint32_t)n);
	decode_nack(buf, n, PDU_RINVEXPIRY, 8);
}

/* Sixteen parameters and every string at its longest stay in budget. */
static void
test_trace_budget(void **state)
{
	uint8_t		 buf[1024];
	size_t		 n, i;
	struct pdu	 p;
	uint32_t	 nack;
	const char	*err;

	(void)state;
	n = unhex("00000000 00000004 00000000 7fffffff", buf, sizeof(buf));
	memcpy(buf + n, "USSDx", 6);
	n += 6;
	buf[n++] = 1;
	buf[n++] = 1;
	memset(buf + n, '7', 20);
	n += 20;
	buf[n++] = 0;
	buf[n++] = 1;
	buf[n++] = 1;
	memset(buf + n, '8', 20);
	n += 20;
	buf[n++] = 0;
	buf[n++] = 0;
	buf[n++] = 0;
	buf[n++] = 0;
	memcpy(buf + n, "000000000500000R", 17);
	n += 17;
	memcpy(buf + n, "000000000500000R", 17);
	n += 17;
	for (i = 0; i < 5; i++)
		buf[n++] = 0;
	for (i = 0; i < PDU_MAX_TLVS; i++)
		n += unhex("020c 0002 0001", buf + n, 6);
	put32(buf, (uint32_t)n);
	/* The library's path is the one with the trace. */
	assert_int_equal(pdu_decode_ref(buf, n, &p, &nack, &err), 0);
	assert_int_equal(p.ntlv, PDU_MAX_TLVS);
	assert_true(strlen(smpp34_strerror) < sizeof(smpp34_strerror) - 300);
}

static void
test_data_sm(void **state)
{
	struct pdu	 p;

	(void)state;
	decode_ok("00000036 00000103 00000000 00000011"
	    "00" "01 01 333731323030303030303100" "00 00 35303500"
	    "00 00 08"
	    "0424 0004 0101 0161"	/* "āa" in UCS-2 */
	    "1383 0002 0007", &p);
	assert_int_equal(p.cmd, PDU_DATA_SM);
	assert_int_equal(p.data_coding, PDU_DCS_UCS2);
	assert_true(p.opt & PDU_OPT_PAYLOAD);
	assert_int_equal(p.data_len, 4);
	assert_int_equal(p.its_session_info, 7);
	decode_ok("00000019 80000103 00000000 00000011 616263646566676800",
	    &p);
	assert_string_equal(p.message_id, "abcdefgh");
}

static void
test_receipt_text(void **state)
{
	struct pdu_receipt	 r, q;
	char			 buf[256];
	const char		*err;
	const char		*s;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(util_strlcpy(r.id, "1f", sizeof(r.id)), 0);
	r.sub = 1;
	r.dlvrd = 1;
	r.submit_date = 1700000000;
	r.done_date = 1700000060;
	r.state = PDU_STATE_DELIVERED;
	assert_int_equal(util_strlcpy(r.text, "Jusu rindas numurs i",
	    sizeof(r.text)), 0);
	assert_int_equal(pdu_receipt_format(&r, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "id:1f sub:001 dlvrd:001 submit date:"
	    "2311150013 done date:2311150014 stat:DELIVRD err:000 "
	    "text:Jusu rindas numurs i");
	assert_int_equal(pdu_receipt_parse((const uint8_t *)buf, strlen(buf),
	    &q, &err), 0);
	assert_string_equal(q.id, "1f");
	assert_int_equal(q.state, PDU_STATE_DELIVERED);
	assert_int_equal(q.submit_date, 1700000000 - 20);
	assert_int_equal(q.done_date, 1700000040);
	assert_string_equal(q.text, "Jusu rindas numurs i");

	/* Lower case, failure, and a text that looks like keys. */
	s = "id:12345 sub:001 dlvrd:000 submit date:2401011200 done date:"
	    "2401011201 stat:undeliv err:034 text:id:9 stat:DELIVRD";
	assert_int_equal(pdu_receipt_parse((const uint8_t *)s, strlen(s), &q,
	    &err), 0);
	assert_string_equal(q.id, "12345");
	assert_int_equal(q.state, PDU_STATE_UNDELIVERABLE);
	assert_int_equal(q.err, 34);
	s = "sub:001 stat:DELIVRD";
	assert_int_equal(pdu_receipt_parse((const uint8_t *)s, strlen(s), &q,
	    &err), -1);
	s = "id:77 stat:";
	assert_int_equal(pdu_receipt_parse((const uint8_t *)s, strlen(s), &q,
	    &err), -1);
	assert_int_equal(pdu_state_parse("ACCEPTD"), PDU_STATE_ACCEPTED);
	assert_int_equal(pdu_state_parse("nonsense"), 0);
}

/* The id of text receipt s, normalised as the gateway compares it. */
static const char *
receipt_id(const char *s, int decimal)
{
	static char		 id[65];
	struct pdu_receipt	 r;
	const char		*err;

	assert_int_equal(pdu_receipt_parse((const uint8_t *)s, strlen(s), &r,
	    &err), 0);
	assert_int_equal(outbox_msgid_norm(r.id, decimal, id, sizeof(id)), 0);
	return id;
}

/*
 * Text receipt ids of any width and base meet the submit_sm_resp id they
 * stand for: osmo-msc's "id:%08llu", zero-padded hex, uppercase hex, a
 * 20-digit decimal; one wider than 64 characters is refused, never cut.
 */
static void
test_receipt_text_ids(void **state)
{
	struct pdu_receipt	 r;
	const char		*err, *s;
	char			 resp[65], wide[160];

	(void)state;
	/* osmo-msc: its row as %08llu, text only. */
	assert_string_equal(receipt_id("id:00000042 sub:001 dlvrd:001 "
	    "submit date:2612072041 done date:2612072041 stat:DELIVRD "
	    "err:000 text:Sveiki", 1), "2a");
	assert_int_equal(outbox_msgid_norm("2a", 0, resp, sizeof(resp)), 0);
	assert_string_equal(resp, "2a");
	/* The same id zero-padded in hex, as the resp had it without. */
	assert_string_equal(receipt_id("id:0000002A stat:DELIVRD", 0), "2a");
	assert_int_equal(outbox_msgid_norm("0000002a", 0, resp, sizeof(resp)),
	    0);
	assert_string_equal(resp, "2a");
	/* A decimal id compared as one when the SMSC reports in decimal. */
	assert_string_equal(receipt_id("id:42 stat:DELIVRD", 1), "2a");
	assert_string_equal(receipt_id("id:0000000000000000000042 "
	    "stat:DELIVRD", 1), "2a");
	assert_string_equal(receipt_id("id:18446744073709551615 "
	    "stat:DELIVRD", 1), "ffffffffffffffff");
	/* Past 64 bits: no number, kept as text (without leading zeros). */
	assert_string_equal(receipt_id("id:18446744073709551616 "
	    "stat:DELIVRD", 1), "18446744073709551616");
	/* Not a number at all: as it is, lower case. */
	assert_string_equal(receipt_id("id:msg_id_not_implemented "
	    "stat:DELIVRD", 0), "msg_id_not_implemented");
	/* 64 characters are an id; 65 would be cut to another one. */
	memset(wide, 0, sizeof(wide));
	(void)snprintf(wide, sizeof(wide), "id:%064d stat:DELIVRD", 7);
	assert_int_equal(pdu_receipt_parse((const uint8_t *)wide, strlen(wide),
	    &r, &err), 0);
	assert_int_equal(strlen(r.id), 64);
	(void)snprintf(wide, sizeof(wide), "id:%065d stat:DELIVRD", 7);
	assert_int_equal(pdu_receipt_parse((const uint8_t *)wide, strlen(wide),
	    &r, &err), -1);
	assert_string_equal(err, "id longer than 64 characters");
	s = "id:1234567890abcdef1234567890abcdef1234567890abcdef1234567890"
	    "abcdef99 stat:DELIVRD";
	assert_int_equal(pdu_receipt_parse((const uint8_t *)s, strlen(s), &r,
	    &err), -1);
}

static void
test_times(void **state)
{
	char		 b[17];
	time_t		 t;
	const char	*err;

	(void)state;
	assert_int_equal(pdu_time_relative(b, sizeof(b), 300), 0);
	assert_string_equal(b, "000000000500000R");
	assert_int_equal(pdu_time_relative(b, sizeof(b), 2 * 86400 + 3661), 0);
	assert_string_equal(b, "000002010101000R");
	assert_int_equal(pdu_time_relative(b, sizeof(b), -1), -1);
	assert_int_equal(pdu_time_relative(b, 10, 1), -1);
	assert_int_equal(pdu_time_parse("231114221320000+", 0, &t, &err), 0);
	assert_int_equal(t, 1700000000);
	/* 22:13:20 UTC is 00:13:20 at +02:00 (eight quarter hours). */
	assert_int_equal(pdu_time_parse("231115001320008+", 0, &t, &err), 0);
	assert_int_equal(t, 1700000000);
	assert_int_equal(pdu_time_parse("231114201320008-", 0, &t, &err), 0);
	assert_int_equal(t, 1700000000);
	assert_int_equal(pdu_time_parse("231131221320000+", 0, &t, &err), -1);
	assert_int_equal(pdu_time_parse("2311142213200", 0, &t, &err), -1);
	assert_int_equal(pdu_time_parse("23111422132000x+", 0, &t, &err), -1);
	assert_int_equal(pdu_time_parse("231114221320000*", 0, &t, &err), -1);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(pdu_command_name(PDU_SUBMIT_SM), "submit_sm");
	assert_string_equal(pdu_command_name(PDU_GENERIC_NACK),
	    "generic_nack");
	assert_string_equal(pdu_command_name(0x666), "unknown");
	assert_string_equal(pdu_status_name(PDU_RTHROTTLED),
	    "ESME_RTHROTTLED");
	assert_string_equal(pdu_status_name(0x12345), "ESME_UNKNOWN");
	assert_string_equal(pdu_state_name(PDU_STATE_DELIVERED), "DELIVRD");
	assert_string_equal(pdu_state_name(200), "UNKNOWN");
}

/* Every length from 0 to the whole PDU, and every byte flipped: no crash. */
static void
test_mangled(void **state)
{
	const char	*vec[] = { BIND_TRX, BIND_TRX_RESP, SUBMIT_SM,
			    RECEIPT, USSD };
	uint8_t		 buf[512];
	size_t		 n, i, k, v;
	struct pdu	 p;
	uint32_t	 nack;
	const char	*err;

	(void)state;
	for (v = 0; v < nitems(vec); v++) {
		n = unhex(vec[v], buf, sizeof(buf));
		for (i = PDU_HEADER_LEN; i < n; i++) {
			memcpy(big, buf, i);
			put32(big, (uint32_t)i);
			(void)pdu_decode(big, i, &p, &nack, &err);
		}
		for (i = PDU_HEADER_LEN; i < n; i++) {
			for (k = 0; k < 256; k += 51) {
				memcpy(big, buf, n);
				big[i] ^= (uint8_t)(k | 1);
				(void)pdu_decode(big, n, &p, &nack, &err);
			}
		}
	}
}

/*
 * The hand path against libsmpp34's. A generator makes submit_sm and
 * deliver_sm of every shape muni sends or meets (GSM, UCS-2, UDH parts,
 * message_payload, USSD, receipts, fields at and past their limits), and
 * mutations of their bytes make the malformed ones: encoding must give the
 * library's bytes or its refusal, decoding its struct pdu or its nack.
 */
static uint64_t	 eq_rng = 0x9e3779b97f4a7c15ULL;

static uint32_t
eq_rand(void)
{
	eq_rng ^= eq_rng << 13;
	eq_rng ^= eq_rng >> 7;
	eq_rng ^= eq_rng << 17;
	return (uint32_t)(eq_rng >> 16);
}

/* 0..n-1 */
static uint32_t
eq_below(uint32_t n)
{
	return eq_rand() % n;
}

/* A length in 0..max, weighted towards the edges. */
static size_t
eq_len(size_t max)
{
	switch (eq_below(6)) {
	case 0:
		return 0;
	case 1:
		return max;
	case 2:
		return max > 0 ? max - 1 : 0;
	default:
		return eq_below((uint32_t)max + 1);
	}
}

static void
eq_str(char *s, size_t size, size_t n, const char *alphabet)
{
	size_t	 i, k = strlen(alphabet);

	if (n >= size)
		n = size - 1;
	for (i = 0; i < n; i++)
		s[i] = alphabet[eq_below((uint32_t)k)];
	s[n] = '\0';
}

static void
eq_addr(struct pdu_addr *a)
{
	static const uint8_t	 npis[] = { 0, 1, 3, 4, 6, 8, 9, 10, 14, 18,
	    2, 7, 255 };

	/* Mostly what the library takes; now and then what it does not. */
	a->ton = eq_below(40) == 0 ? (uint8_t)eq_rand() : (uint8_t)eq_below(7);
	a->npi = npis[eq_below(eq_below(40) == 0 ? nitems(npis) : 10)];
	eq_str(a->addr, sizeof(a->addr), eq_below(40) == 0 ? 21 : eq_len(20),
	    eq_below(3) == 0 ? "ABCXYZ muni" : "0123456789");
}

static void
eq_time(char *s, size_t size, uint32_t cmd)
{
	switch (eq_below(cmd == PDU_SUBMIT_SM ? 40 : 80)) {
	case 0: case 3: case 4: case 5: case 6: case 7: case 8: case 9:
		eq_str(s, size, 16, "0123456789");
		s[15] = 'R';
		break;
	case 1: case 10: case 11: case 12:
		eq_str(s, size, eq_len(16), "0123456789+-R");
		break;
	case 2:
		memset(s, '7', size);	/* no terminator: too long */
		break;
	default:
		s[0] = '\0';
		break;
	}
}

static void
eq_data(struct pdu *p, size_t max)
{
	size_t	 i, n = eq_len(max), h = 0, len;

	/* Past the array only data_len says so: both encoders refuse. */
	len = n;
	if (n > sizeof(p->data))
		n = sizeof(p->data);
	switch (eq_below(4)) {
	case 0:		/* GSM text */
		p->data_coding = PDU_DCS_DEFAULT;
		for (i = 0; i < n; i++)
			p->data[i] = (uint8_t)(' ' + eq_below(95));
		break;
	case 1:		/* UCS-2 with Latvian letters and NULs */
		p->data_coding = PDU_DCS_UCS2;
		for (i = 0; i + 1 < n; i += 2) {
			p->data[i] = eq_below(2) ? 0x01 : 0x00;
			p->data[i + 1] = (uint8_t)eq_rand();
		}
		if (n % 2)
			p->data[n - 1] = 0;
		break;
	case 2:		/* a concatenated part */
		p->esm_class |= PDU_ESM_UDHI;
		p->data_coding = eq_below(2) ? PDU_DCS_UCS2 : PDU_DCS_DEFAULT;
		if (n >= 6) {
			memcpy(p->data, "\x05\x00\x03", 3);
			p->data[3] = (uint8_t)eq_rand();
			p->data[4] = (uint8_t)(2 + eq_below(5));
			p->data[5] = (uint8_t)(1 + eq_below(p->data[4]));
			h = 6;
		}
		for (i = h; i < n; i++)
			p->data[i] = (uint8_t)eq_rand();
		break;
	default:	/* anything */
		p->data_coding = (uint8_t)eq_rand();
		for (i = 0; i < n; i++)
			p->data[i] = (uint8_t)eq_rand();
		break;
	}
	p->data_len = len;
}

static void
eq_gen(struct pdu *p)
{
	uint32_t	 cmd = eq_below(2) ? PDU_SUBMIT_SM : PDU_DELIVER_SM;

	pdu_init(p, cmd, eq_below(50) == 0 ? 0 : 1 + eq_below(PDU_SEQ_MAX));
	if (eq_below(60) == 0)
		p->status = PDU_RSYSERR;
	eq_str(p->service_type, sizeof(p->service_type),
	    eq_below(40) == 0 ? 6 : eq_len(5), "USSDCMTWAP");
	if (eq_below(4) == 0)
		util_strlcpy(p->service_type, "USSD", sizeof(p->service_type));
	eq_addr(&p->src);
	eq_addr(&p->dst);
	p->esm_class = eq_below(3) == 0 ? (uint8_t)eq_rand() :
	    (cmd == PDU_DELIVER_SM && eq_below(2) ? PDU_ESM_RECEIPT : 0);
	p->protocol_id = eq_below(4) == 0 ? (uint8_t)eq_rand() : 0;
	p->priority = (uint8_t)eq_below(4);
	eq_time(p->schedule, sizeof(p->schedule), cmd);
	eq_time(p->validity, sizeof(p->validity), cmd);
	p->registered_delivery = eq_below(2) ? PDU_REG_RECEIPT :
	    (uint8_t)eq_rand();
	p->replace_if_present = (uint8_t)eq_below(2);
	p->sm_default_msg_id = eq_below(8) == 0 ? (uint8_t)eq_rand() : 0;
	p->opt = eq_rand() & 0xff;
	if (p->opt & PDU_OPT_PAYLOAD)
		eq_data(p, eq_below(40) == 0 ? PDU_PAYLOAD_MAX + 1 :
		    PDU_PAYLOAD_MAX);
	else
		eq_data(p, eq_below(40) == 0 ? PDU_SM_MAX + 1 : PDU_SM_MAX);
	p->ussd_service_op = (uint8_t)(eq_below(3) == 0 ? eq_rand() :
	    1 + eq_below(18));
	p->its_session_info = (uint16_t)eq_rand();
	p->sar_msg_ref_num = (uint16_t)eq_rand();
	p->sar_total_segments = (uint8_t)eq_rand();
	p->sar_segment_seqnum = (uint8_t)eq_rand();
	if (eq_below(60) == 0)
		memset(p->receipted_message_id, 'f',
		    sizeof(p->receipted_message_id));
	else
		eq_str(p->receipted_message_id,
		    sizeof(p->receipted_message_id), eq_len(64),
		    "0123456789abcdefABCDEF");
	p->message_state = (uint8_t)eq_below(9);
	p->network_error_code[0] = (uint8_t)eq_rand();
	p->network_error_code[1] = (uint8_t)eq_rand();
	p->network_error_code[2] = (uint8_t)eq_rand();
}

/* Both decoders on the same bytes: the same answer, field for field. */
static int
eq_decode(const uint8_t *buf, size_t len)
{
	static struct pdu	 a, b;
	uint32_t		 na, nb;
	const char		*ea, *eb;
	int			 ra, rb;

	ra = pdu_decode(buf, len, &a, &na, &ea);
	rb = pdu_decode_ref(buf, len, &b, &nb, &eb);
	assert_int_equal(ra, rb);
	assert_int_equal(na, nb);
	if (ra == -1) {
		assert_non_null(ea);
		assert_string_equal(ea, eb);
	}
	assert_int_equal(a.cmd, b.cmd);
	assert_int_equal(a.seq, b.seq);
	if (ra == 0)
		assert_memory_equal(&a, &b, sizeof(a));
	return ra;
}

/* Bytes of one optional parameter, its length field true or not. */
static size_t
eq_tlv(uint8_t *b, size_t room)
{
	static const uint16_t	 tags[] = { 0x0424, 0x0501, 0x1383, 0x020c,
	    0x020e, 0x020f, 0x001e, 0x0427, 0x0423, 0x0210, 0x0204, 0x0005,
	    0x0017, 0x0381, 0x130c, 0x1401, 0x4001, 0xffff, 0x0000 };
	uint16_t		 tag, len;
	size_t			 i, n;

	tag = eq_below(4) == 0 ? (uint16_t)eq_rand() :
	    tags[eq_below(nitems(tags))];
	switch (eq_below(4)) {
	case 0:
		len = (uint16_t)eq_below(4);
		break;
	case 1:
		len = (uint16_t)eq_rand();
		break;
	default:
		len = (uint16_t)eq_below(70);
		break;
	}
	if (room < 4)
		return 0;
	b[0] = tag >> 8;
	b[1] = (uint8_t)tag;
	b[2] = len >> 8;
	b[3] = (uint8_t)len;
	n = len;
	if (eq_below(4) == 0)
		n = eq_below(len + 2);	/* lies about its length */
	if (n > room - 4)
		n = room - 4;
	for (i = 0; i < n; i++)
		b[4 + i] = eq_below(3) == 0 ? 0 : (uint8_t)eq_rand();
	return 4 + n;
}

/* One mutation of a valid PDU of n bytes in buf; the new length. */
static size_t
eq_mutate(uint8_t *buf, size_t n, size_t size)
{
	size_t	 i, k;

	switch (eq_below(6)) {
	case 0:		/* flip bytes of the body */
		for (k = 1 + eq_below(4); k > 0 && n > PDU_HEADER_LEN; k--)
			buf[PDU_HEADER_LEN + eq_below((uint32_t)(n -
			    PDU_HEADER_LEN))] = (uint8_t)eq_rand();
		break;
	case 1:		/* cut short, length field in step */
		n = PDU_HEADER_LEN + eq_below((uint32_t)(n -
		    PDU_HEADER_LEN + 1));
		break;
	case 2:		/* more optional parameters, duplicates among them */
		for (k = eq_below(20); k > 0; k--)
			n += eq_tlv(buf + n, size - n);
		break;
	case 3:		/* the same body as data_sm, or the other command */
		put32(buf + 4, eq_below(2) ? PDU_DATA_SM :
		    (get32_test(buf + 4) ^ 1));
		break;
	case 4:		/* a NUL or a non-NUL where the strings are */
		i = PDU_HEADER_LEN + eq_below(60);
		if (i < n)
			buf[i] = buf[i] == 0 ? 'x' : 0;
		break;
	default:	/* a status or sequence the library would refuse */
		put32(buf + (eq_below(2) ? 8 : 12), eq_below(2) ? 0 :
		    eq_rand());
		break;
	}
	put32(buf, (uint32_t)n);
	return n;
}

static void
test_hand_equals_lib(void **state)
{
	static struct pdu	 p;
	static uint8_t		 a[PDU_ENCODE_MAX], b[PDU_ENCODE_MAX];
	static uint8_t		 m[PDU_ENCODE_MAX * 2];
	size_t			 la, lb, lm;
	const char		*ea, *eb;
	int			 i, j, ra, rb, encoded = 0, decoded = 0;
	int			 refused = 0, nacked = 0;

	(void)state;
	for (i = 0; i < 6000; i++) {
		eq_gen(&p);
		ra = pdu_encode(&p, a, sizeof(a), &la, &ea);
		rb = pdu_encode_ref(&p, b, sizeof(b), &lb, &eb);
		assert_int_equal(ra, rb);
		if (ra == -1) {
			assert_string_equal(ea, eb);
			refused++;
			continue;
		}
		encoded++;
		assert_int_equal(la, lb);
		assert_memory_equal(a, b, la);
		if (eq_decode(a, la) == 0)
			decoded++;
		for (j = 0; j < 8; j++) {
			memcpy(m, a, la);
			lm = eq_mutate(m, la, sizeof(m));
			if (eq_decode(m, lm) == -1)
				nacked++;
		}
	}
	/* The generator must reach every side, or it proves little. */
	print_message("encoded=%d refused=%d decoded=%d nacked=%d\n",
	    encoded, refused, decoded, nacked);
	assert_true(refused > 300);
	assert_true(encoded > 3000);
	assert_int_equal(decoded, encoded);
	assert_true(nacked > 4000);
	assert_true(nacked < encoded * 8 - 4000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seq_wrap),
		cmocka_unit_test(test_frame),
		cmocka_unit_test(test_frame_evbuffer),
		cmocka_unit_test(test_bind),
		cmocka_unit_test(test_bind_lenient),
		cmocka_unit_test(test_error_responses),
		cmocka_unit_test(test_header_only),
		cmocka_unit_test(test_submit),
		cmocka_unit_test(test_receipt_pdu),
		cmocka_unit_test(test_ussd),
		cmocka_unit_test(test_submit_roundtrip),
		cmocka_unit_test(test_encode_refuses),
		cmocka_unit_test(test_guards),
		cmocka_unit_test(test_trace_budget),
		cmocka_unit_test(test_data_sm),
		cmocka_unit_test(test_receipt_text),
		cmocka_unit_test(test_receipt_text_ids),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_mangled),
		cmocka_unit_test(test_hand_equals_lib),
	};

	log_init("test_pdu", 0);
	/* Receipt dates are local time: the municipality's. */
	tl_zone();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
